#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dp/tcp's path MTU against a real router: the kernel's TCP as a client
# one router away. dp's access tap sits in the router's namespace (dp's
# port reaches the far prefix through its gateway4); a veth links the
# router to a client namespace, 1500 at the client's end and 1280 at the
# router's, so both ends announce MSS 1460 and full segments from dp do
# not fit the router's way to the client. The client's route sends at
# most 1280 itself (mtu lock) but announces 1460 (advmss), so only dp's
# direction is too large. A transfer through dp's diagnostic echo
# (dp.diag_tcp_echo_port: every byte the client sends comes back from dp)
# must come back byte-exact:
#  icmp:   the router's "fragmentation needed" lowers dp's MSS (RFC 1191,
#          checked as RFC 5927 says): pmtu_lowered counted;
#  noicmp: the router's ICMP dropped (nft): dp finds the black hole and
#          probes up again (RFC 4821): pmtu_blackholes, pmtu_probes_ok;
#  clamp:  the router's ICMP dropped, the access port's mss_clamp 1200:
#          no RTO, nothing to find;
#  turn_icmp, turn_noicmp: the same two through TURN over TCP (RFC 6062:
#          the client's data connection spliced to a TCP echo peer; the
#          way back is the download);
#  agw_icmp, agw_noicmp: the same through a plain AGW context (the UE
#          one router away, a kernel peer server beyond dp's core port).
# Without path MTU handling both stall at the first full segment and the
# client gives up after TP_PMTU_TIMEOUT seconds.
#
# TP_PMTU_BYTES: bytes each way (default 10 MB). TP_PMTU_VARIANTS: icmp
# noicmp clamp turn_icmp turn_noicmp agw_icmp agw_noicmp (default all).
# TP_PMTU_WORKERS: dp's workers (default "0"; "0, 1": ICMP handed to
# the worker holding the connection).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(dirname "$0")/lib
BYTES=${TP_PMTU_BYTES:-10000000}
TMO=${TP_PMTU_TIMEOUT:-60}
NS_X=${TP_ID}x
IF_R=${TP_ID}r
IF_X=${TP_ID}y
R="ip netns exec $TP_NS_C"
X="ip netns exec $NS_X"
trap 'rc=$?; ip netns del "$NS_X" 2>/dev/null; (exit $rc); tp_cleanup' EXIT

# tcp_sum: dp's tcp counters summed over its workers, as one "k=v ..." line
# (a connection lives in one worker's stack, which one is the steering's)
tcp_sum() {
  local wk line
  tp_stats >/dev/null
  for wk in 0 1; do
    line=$(grep "^tcp worker=$wk " "$TP_DP_LOG" | tail -n 1)
    [ -n "$line" ] && echo "$line"
  done | python3 -c '
import sys
tot = {}
for l in sys.stdin:
    for kv in l.split()[1:]:
        k, _, v = kv.partition("=")
        if v.isdigit():
            tot[k] = tot.get(k, 0) + int(v)
print(" ".join("%s=%d" % kv for kv in tot.items()))'
}
counters() {
  local st; st=$(tcp_sum) || return
  for k in "$@"; do printf '%s=%s ' "$k" "$(tp_stat "$st" "$k")"; done
}
KEYS="pmtu_lowered pmtu_icmp_ignored pmtu_blackholes pmtu_probes pmtu_probes_ok
pmtu_probes_lost pmtu_cache_hits retransmitted_segments retransmission_timeouts"

# agw_transfer NAME: BYTES each way between a UE in the client's
# namespace and a peer server (peers' namespace, port 5000) through a new
# plain AGW context (dp's server leg on 10.210.0.1, its client leg to the
# peer): what the peer sends is the UE's download through the router.
shaof() { python3 -c "import hashlib,random,sys; print(hashlib.sha256(random.Random(int(sys.argv[1])).randbytes(int(sys.argv[2]))).hexdigest())" "$@"; }
agw_transfer() {
  local name=$1 ppid port t0
  rm -f "$TP_TMP/ready"
  ip netns exec "$TP_NS_P" python3 "$LIB/agw_stream.py" listen 10.211.0.2 5000 --bytes "$BYTES" \
    --seed 2 --timeout "$TMO" --ready "$TP_TMP/ready" >"$TP_TMP/$name.peer" 2>&1 &
  ppid=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
  tp_ctl --json agw create --a 'tcp=server,local=10.210.0.1,remote=10.212.0.2' \
    --b 'tcp=client,remote=10.211.0.2:5000' >"$TP_TMP/$name.json" 2>"$TP_TMP/$name.err" ||
    { cat "$TP_TMP/$name.err"; kill $ppid; return 1; }
  port=$(j "$TP_TMP/$name.json" 'd["legs"][0]["local"].rsplit(":",1)[1]')
  t0=$SECONDS
  $X python3 "$LIB/agw_stream.py" connect 10.210.0.1 "$port" --bytes "$BYTES" --seed 1 \
    --timeout "$TMO" >"$TP_TMP/$name.ue" 2>&1
  wait $ppid
  echo "# $name: $BYTES bytes each way in about $((SECONDS - t0)) s"
  echo "#   ue:   $(cut -c1-200 "$TP_TMP/$name.ue")"
  j "$TP_TMP/$name.ue" "d['recv']==$BYTES and d['recv_sha']=='$(shaof 2 "$BYTES")' and d['sent']==$BYTES" |
    grep -q True || return 1
  j "$TP_TMP/$name.peer" "d['recv']==$BYTES and d['recv_sha']=='$(shaof 1 "$BYTES")'" | grep -q True
}

# variant NAME DROP_ICMP(0|1) [ACCESS_EXTRA]
# (TURN=1: the transfer is RFC 6062's, through TURN over TCP and cp)
variant() {
  local name=$1 drop=$2 acc=${3:-} st more="" 
  echo "# ---- $name ($BYTES bytes each way, router's ICMP $([ "$drop" = 1 ] && echo dropped || echo sent))"
  ip netns del "$TP_NS_C" 2>/dev/null; ip netns del "$TP_NS_P" 2>/dev/null
  ip netns del "$NS_X" 2>/dev/null
  [ "${TURN:-0}" = 1 ] && more=$(tp_turn_groups)
  [ "${AGW:-0}" = 1 ] && more="$(tp_turn_groups)
agw = { ports = [20000, 21999]; setup_timeout = 20; };"
  tp_write_conf "$TP_TMP/$name.conf" "${TP_PMTU_WORKERS:-0}" "diag_tcp_echo_port = 7;" "gateway4 = \"10.210.0.2\"; $acc" \
    "" "$more"
  tp_dp_start "$TP_TMP/$name.conf"
  [ "${AGW:-0}" = 1 ] && tp_cp_start "$TP_TMP/$name.conf"
  if [ "${TURN:-0}" = 1 ]; then
    tp_cp_start "$TP_TMP/$name.conf"
    mkdir -p "$TP_TMP/peer.$name"
    ip netns exec "$TP_NS_P" python3 "$LIB/tcprelay_peer.py" "$TP_TMP/peer.$name" 5600 \
      >"$TP_TMP/peer.$name.log" 2>&1 &
    TP_PEER_PID=$!
  fi
  ip netns add "$NS_X"
  ip link add "$IF_R" mtu 1280 type veth peer name "$IF_X" mtu 1500 ||
    tp_die "cannot make the veth pair"
  ip link set "$IF_R" netns "$TP_NS_C"
  ip link set "$IF_X" netns "$NS_X"
  $R ip addr add 10.212.0.1/24 dev "$IF_R"
  $R ip link set "$IF_R" up
  $R sysctl -qw net.ipv4.ip_forward=1
  $X ip link set lo up
  $X ip addr add 10.212.0.2/24 dev "$IF_X"
  $X ip link set "$IF_X" up
  $X ip route add default via 10.212.0.1 mtu lock 1280 advmss 1460
  if [ "$drop" = 1 ]; then
    $R nft add table inet pmtu
    $R nft add chain inet pmtu out '{ type filter hook output priority 0; }'
    $R nft add rule inet pmtu out icmp type destination-unreachable counter drop
  fi
  $X ping -c 3 -i 0.2 -W 1 -q 10.210.0.1 >/dev/null 2>&1 ||
    $X ping -c 3 -i 0.2 -W 1 -q 10.210.0.1 >/dev/null 2>&1 ||
    tp_not_ok "$name: the client reaches dp through the router"
  if [ "${AGW:-0}" = 1 ]; then
    tp_check "$name: kernel UE one router away, an AGW context to a kernel peer: byte-exact both ways" \
      agw_transfer "$name"
  elif [ "${TURN:-0}" = 1 ]; then
    tp_check "$name: kernel client one router away, TURN over TCP (RFC 6062) to an echo peer: byte-exact" \
      $X python3 "$LIB/pmtu_turn_tcp.py" 10.210.0.1 10.211.0.2 5600 "$BYTES"
  else
    tp_check "$name: kernel client one router away, dp echo: byte-exact" \
      $X python3 "$LIB/tcp_echo_client.py" 10.210.0.1 7 "$BYTES" "$TMO"
  fi
  sleep 0.5
  st=$(tcp_sum)
  echo "# $name: $(counters $KEYS)"
  if [ -n "$acc" ]; then
    echo "# $name: router's ICMP dropped: $($R nft list table inet pmtu | grep -o 'packets [0-9]*' | head -n 1)"
    tp_check "$name: the clamp alone: no ICMP needed, no black hole ($(tp_stat "$st" pmtu_blackholes))" \
      test "$(tp_stat "$st" pmtu_blackholes)" -eq 0 -a "$(tp_stat "$st" pmtu_lowered)" -eq 0 \
        -a "$(tp_stat "$st" retransmission_timeouts)" -eq 0
  elif [ "$drop" = 1 ]; then
    echo "# $name: router's ICMP dropped: $($R nft list table inet pmtu | grep -o 'packets [0-9]*' | head -n 1)"
    tp_check "$name: black hole found ($(tp_stat "$st" pmtu_blackholes))" \
      test "$(tp_stat "$st" pmtu_blackholes)" -gt 0
    tp_check "$name: probes confirmed above the base ($(tp_stat "$st" pmtu_probes_ok))" \
      test "$(tp_stat "$st" pmtu_probes_ok)" -gt 0
  else
    tp_check "$name: the router's ICMP lowered the MSS ($(tp_stat "$st" pmtu_lowered))" \
      test "$(tp_stat "$st" pmtu_lowered)" -gt 0
  fi
  [ "${AGW:-0}" = 1 ] && tp_check "$name: cp stops cleanly" tp_cp_stop
  if [ "${TURN:-0}" = 1 ]; then
    touch "$TP_TMP/peer.$name/stop"
    wait "$TP_PEER_PID" 2>/dev/null
    TP_PEER_PID=
    tp_check "$name: cp stops cleanly" tp_cp_stop
  fi
  tp_check "$name: SIGTERM stops dp with status 0" tp_dp_stop
}

for v in ${TP_PMTU_VARIANTS:-icmp noicmp clamp turn_icmp turn_noicmp agw_icmp agw_noicmp}; do
  case $v in
    icmp)   variant icmp 0 ;;
    noicmp) variant noicmp 1 ;;
    # the port's mss_clamp (1200: 1240-byte packets) with the router's
    # ICMP dropped: nothing to find
    clamp)  variant clamp 1 'mss_clamp = 1200;' ;;
    turn_icmp)   TURN=1 variant turn_icmp 0 ;;
    turn_noicmp) TURN=1 variant turn_noicmp 1 ;;
    agw_icmp)    AGW=1 variant agw_icmp 0 ;;
    agw_noicmp)  AGW=1 variant agw_noicmp 1 ;;
    *) tp_die "unknown variant $v" ;;
  esac
done
[ $TP_FAILS -eq 0 ]
