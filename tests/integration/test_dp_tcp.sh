#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dp/tcp against the Linux kernel's TCP: the diagnostic TCP echo
# (dp.diag_tcp_echo_port) on the access port, kernel clients in the
# clients' namespace. Bytes go both ways at once and come back equal
# (SHA-256), over IPv4 and IPv6; a port nobody listens on refuses; closed
# connections leave no TCB behind; then the same with dp's impairment
# stage losing 2% and reordering 2% of what it receives, which the stack
# must repair (its retransmissions and out-of-order segments counted).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
CLIENT="python3 $(dirname "$0")/lib/tcp_echo_client.py"
C="ip netns exec $TP_NS_C"

tp_write_conf "$TP_TMP/dp.conf" "0" "diag_tcp_echo_port = 7;"
tp_dp_start "$TP_TMP/dp.conf"
$C ping -c 2 -i 0.1 -W 1 -q 10.210.0.1 >/dev/null

tp_check "kernel client: 4 MB echoed byte-exact over IPv4" $C $CLIENT 10.210.0.1 7 4000000
tp_check "kernel client: 1 MB echoed byte-exact over IPv6" $C $CLIENT fd00:210::1 7 1000000
tp_check "three clients at once" bash -c "
  $C $CLIENT 10.210.0.1 7 500000 & a=\$!
  $C $CLIENT 10.210.0.1 7 500000 & b=\$!
  $C $CLIENT fd00:210::1 7 500000 & c=\$!
  wait \$a && wait \$b && wait \$c"
tp_check "a port nobody listens on refuses (RST)" $C python3 -c "
import socket, sys
s = socket.socket(); s.settimeout(3)
try:
    s.connect(('10.210.0.1', 9))
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)"
sleep 0.5
st=$(tp_stats tcp)
echo "# $st" | cut -c1-400
tp_check "every connection established and gone (conns=$(tp_stat "$st" conns))" \
  test "$(tp_stat "$st" established)" -ge 5 -a "$(tp_stat "$st" conns)" -eq 0
tp_check "no bad segment from the kernel" \
  test "$(tp_stat "$st" drop_bad_checksum)" -eq 0 -a "$(tp_stat "$st" drop_bad_option)" -eq 0
tp_check "SIGTERM stops dp with status 0" tp_dp_stop

# Loss and reordering on dp's receive side.
tp_write_conf "$TP_TMP/lossy.conf" "0" "diag_tcp_echo_port = 7;" \
  'impair = { loss = 0.02; reorder = 0.02; seed = 11; direction = "rx"; };'
ip netns del "$TP_NS_C"; ip netns del "$TP_NS_P"
tp_dp_start "$TP_TMP/lossy.conf"
$C ping -c 3 -i 0.1 -W 1 -q 10.210.0.1 >/dev/null
tp_check "2% loss, 2% reordering: 2 MB echoed byte-exact" $C $CLIENT 10.210.0.1 7 2000000 120
sleep 0.5
st=$(tp_stats tcp)
echo "# $st" | cut -c1-600
tp_check "dp repaired losses (out_of_order_segments=$(tp_stat "$st" out_of_order_segments))" \
  test "$(tp_stat "$st" out_of_order_segments)" -gt 0
tp_check "SIGTERM stops dp with status 0" tp_dp_stop

# Both ways: 5% loss, 2% reordering, 1% duplication on everything dp
# receives and sends, so that dp's own retransmissions are needed too.
tp_write_conf "$TP_TMP/both.conf" "0" "diag_tcp_echo_port = 7;" \
  'impair = { loss = 0.05; reorder = 0.02; dup = 0.01; seed = 5; direction = "both"; };'
ip netns del "$TP_NS_C"; ip netns del "$TP_NS_P"
tp_dp_start "$TP_TMP/both.conf"
$C ping -c 5 -i 0.1 -W 1 -q 10.210.0.1 >/dev/null
tp_check "5% loss, 2% reordering, 1% duplication both ways: 2 MB byte-exact" \
  $C $CLIENT 10.210.0.1 7 2000000 150
sleep 0.5
st=$(tp_stats tcp)
echo "# retransmitted_segments=$(tp_stat "$st" retransmitted_segments)" \
  "fast_retransmits=$(tp_stat "$st" fast_retransmits)" \
  "retransmission_timeouts=$(tp_stat "$st" retransmission_timeouts)" \
  "partial_acks=$(tp_stat "$st" partial_acks)" \
  "sack_recoveries=$(tp_stat "$st" sack_recoveries)" "sack_retransmits=$(tp_stat "$st" sack_retransmits)" \
  "out_of_order_segments=$(tp_stat "$st" out_of_order_segments)"
tp_check "dp retransmitted what it lost, fast retransmit included" \
  test "$(tp_stat "$st" retransmitted_segments)" -gt 0 -a "$(tp_stat "$st" fast_retransmits)" -gt 0
tp_check "dp's losses were repaired from the kernel's SACK blocks (sack_recoveries=$(tp_stat "$st" sack_recoveries))" \
  test "$(tp_stat "$st" sack_recoveries)" -gt 0 -a "$(tp_stat "$st" sack_retransmits)" -gt 0
tp_check "SIGTERM stops dp with status 0" tp_dp_stop
[ $TP_FAILS -eq 0 ]
