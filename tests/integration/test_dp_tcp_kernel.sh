#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dp/tcp against the Linux kernel's TCP, both ways round: the kernel as
# client of dp's diagnostic echo (dp.diag_tcp_echo_port), and the kernel as
# server of dp's diagnostic active open (dp.diag_tcp_connect: dp connects at
# start, is refused until the server listens, retries backed off, then
# echoes). Bytes go both ways at once and come back equal (SHA-256), clean
# and with dp's impairment stage on both directions: 1% loss, 5% loss, 2%
# reordering, 1% duplication; the repair shows in dp's counters.
#
# Checksums on transmit: net_tap offers UDP and TCP checksum offload, so by
# default every segment dp sends leaves its checksum to the port (dp/tcp
# only sums the pseudo-header: tx_cksum_nic counts them, tx_cksum_sw must
# stay 0); the variants ending in "sw" turn it off on the port
# (tx_checksum_offload = false) and dp finishes each in software
# (tx_cksum_sw, tx_cksum_nic 0). The kernel drops a segment whose checksum
# is wrong, so the bytes coming back equal prove each path's checksums.
#
# TP_TCP_BYTES: bytes each way per transfer (default 1 MB for CI; the
# acceptance runs 200 MB: TP_TCP_BYTES=200000000). TP_TCP_VARIANTS: the
# variants to run (default all: clean loss1 loss5 reorder2 dup1).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(dirname "$0")/lib
C="ip netns exec $TP_NS_C"
BYTES=${TP_TCP_BYTES:-1000000}
# socket timeout (s) for one send/recv; 200 MB at 5% loss takes long
TMO=${TP_TCP_TIMEOUT:-120}

# counters KEY...: "key=value ..." of dp's tcp line
counters() {
  local st; st=$(tp_stats tcp) || return
  for k in "$@"; do printf '%s=%s ' "$k" "$(tp_stat "$st" "$k")"; done
}
REPAIR="retransmitted_segments fast_retransmits retransmission_timeouts recoveries
partial_acks duplicate_acks_in out_of_order_segments duplicate_data_bytes
drop_out_of_order_full drop_beyond_window drop_out_of_window drop_paws"

# variant NAME IMPAIR TARGET(v4|v6) CHECK_KEY
variant() {
  local name=$1 impair=$2 fam=$3 key=$4 srv st pid
  local addr=10.210.0.2 dpaddr=10.210.0.1 target="10.210.0.2:5001"
  if [ "$fam" = v6 ]; then addr=fd00:210::2 dpaddr=fd00:210::1 target="[fd00:210::2]:5001"; fi
  echo "# ---- $name ($BYTES bytes each way, ${impair:-no impairment})"
  ip netns del "$TP_NS_C" 2>/dev/null; ip netns del "$TP_NS_P" 2>/dev/null
  tp_write_conf "$TP_TMP/$name.conf" "0" \
    "diag_tcp_echo_port = 7; diag_tcp_connect = \"$target\";" "$impair"
  tp_dp_start "$TP_TMP/$name.conf"
  $C ping -c 3 -i 0.1 -W 1 -q "$dpaddr" >/dev/null 2>&1 || \
    $C ping -c 3 -i 0.2 -W 1 -q "$dpaddr" >/dev/null 2>&1

  tp_check "$name: kernel client, dp echo: byte-exact" \
    $C python3 "$LIB/tcp_echo_client.py" "$dpaddr" 7 "$BYTES" "$TMO"
  echo "# $name client: $(counters $REPAIR)"
  # dp has been trying (and been refused) since it started
  tp_check "$name: dp's active open refused and retried before the server listens" \
    test "$(tp_stat "$(tp_stats)" tcp_diag_connect_retries)" -gt 0
  tp_check "$name: kernel server, dp connects and echoes: byte-exact" \
    $C python3 "$LIB/tcp_echo_server.py" "$addr" 5001 "$BYTES" "$TMO"
  sleep 0.5
  st=$(tp_stats tcp)
  echo "# $name total: $(counters $REPAIR active_opens passive_opens established)"
  echo "# $name dp: $(tp_stats | tr ' ' '\n' | grep -E '^(tcp_diag_connects|tcp_diag_connect_retries|impair_dup|impair_reorder|tx_cksum_nic|tx_cksum_sw)=' | tr '\n' ' ')"
  local all nic sw
  all=$(tp_stats); nic=$(tp_stat "$all" tx_cksum_nic); sw=$(tp_stat "$all" tx_cksum_sw)
  case $impair in
    *"tx_checksum_offload = false"*)
      tp_check "$name: no offload on the port, every checksum in software (nic=$nic sw=$sw)" \
        test "$nic" -eq 0 -a "$sw" -gt 0 ;;
    *)
      tp_check "$name: the port offloads, no checksum in software (nic=$nic sw=$sw)" \
        test "$nic" -gt 0 -a "$sw" -eq 0 ;;
  esac
  tp_check "$name: both connections established and gone, none left (conns=$(tp_stat "$st" conns))" \
    test "$(tp_stat "$st" established)" -ge 2 -a "$(tp_stat "$st" conns)" -eq 0 \
      -a "$(tp_stat "$st" active_opens)" -ge 1
  if [ -n "$key" ]; then
    tp_check "$name: dp repaired it ($key=$(tp_stat "$st" "$key"))" \
      test "$(tp_stat "$st" "$key")" -gt 0
  fi
  tp_check "$name: SIGTERM stops dp with status 0" tp_dp_stop
}

for v in ${TP_TCP_VARIANTS:-clean clean6 loss1 loss5 reorder2 dup1}; do
  case $v in
    clean)    variant clean "" v4 "" ;;
    clean6)   BYTES=${TP_TCP_BYTES6:-500000} variant clean6 "" v6 "" ;;
    cleansw)  variant cleansw 'tx_checksum_offload = false;' v4 "" ;;
    clean6sw) BYTES=${TP_TCP_BYTES6:-500000} variant clean6sw 'tx_checksum_offload = false;' v6 "" ;;
    # retransmissions (each a new segment) over the software path too
    loss1sw)  variant loss1sw 'tx_checksum_offload = false; impair = { loss = 0.01; seed = 3; direction = "both"; };' v4 \
                retransmitted_segments ;;
    loss1)    variant loss1 'impair = { loss = 0.01; seed = 3; direction = "both"; };' v4 \
                retransmitted_segments ;;
    loss5)    variant loss5 'impair = { loss = 0.05; seed = 5; direction = "both"; };' v4 \
                retransmitted_segments ;;
    reorder2) variant reorder2 'impair = { reorder = 0.02; seed = 7; direction = "both"; };' v4 \
                out_of_order_segments ;;
    # a segment entirely before RCV.NXT is unacceptable (RFC 9293
    # §3.10.7.4): answered with an ACK, counted as out of window
    dup1)     variant dup1 'impair = { dup = 0.01; seed = 9; direction = "both"; };' v4 \
                drop_out_of_window ;;
    *) tp_die "unknown variant $v" ;;
  esac
done
[ $TP_FAILS -eq 0 ]
