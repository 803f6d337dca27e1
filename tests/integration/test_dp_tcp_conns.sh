#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dp/tcp holds many connections at once: TP_TCP_CONNS (default 10,000)
# kernel clients in one namespace connect to dp's diagnostic echo, all
# open together (dp.tcp_max_conns raised), each echoes its own 16 bytes
# byte-exact; dp's tcp line counts them all open; then every one is
# closed (the kernel's FIN first: dp closes passively, no TIME_WAIT on its
# side) and no TCB is left. dp prints what an idle connection costs.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(dirname "$0")/lib
C="ip netns exec $TP_NS_C"
N=${TP_TCP_CONNS:-10000}

TP_MBUFS=16383 tp_write_conf "$TP_TMP/dp.conf" "0" \
  "diag_tcp_echo_port = 7; tcp_max_conns = $((N + 2048));"
tp_dp_start "$TP_TMP/dp.conf"
grep '^turnpike-dp: tcp:' "$TP_DP_LOG" | sed 's/^/# /'
$C ping -c 2 -i 0.1 -W 1 -q 10.210.0.1 >/dev/null
$C python3 "$LIB/tcp_many_client.py" 10.210.0.1 7 "$N" "$TP_TMP/open" "$TP_TMP/go" 150 &
client=$!
for _ in $(seq 1500); do
  [ -s "$TP_TMP/open" ] && break
  kill -0 $client 2>/dev/null || break
  sleep 0.1
done
tp_check "$N kernel connections echoed byte-exact ($(cat "$TP_TMP/open" 2>/dev/null))" \
  test "$(cat "$TP_TMP/open" 2>/dev/null)" = "open $N"
st=$(tp_stats tcp)
echo "# while open: conns=$(tp_stat "$st" conns) established=$(tp_stat "$st" established)" \
  "syn_cookies_sent=$(tp_stat "$st" syn_cookies_sent) syn_cookies_ok=$(tp_stat "$st" syn_cookies_ok)" \
  "drop_no_connection_slot=$(tp_stat "$st" drop_no_connection_slot) no_mbuf=$(tp_stat "$st" no_mbuf)"
tp_check "dp holds all $N at once (conns=$(tp_stat "$st" conns))" \
  test "$(tp_stat "$st" conns)" -ge "$N"
touch "$TP_TMP/go"
tp_check "every connection closed cleanly by both sides" wait $client
for _ in $(seq 50); do
  st=$(tp_stats tcp)
  [ "$(tp_stat "$st" conns)" -eq 0 ] && break
  sleep 0.2
done
echo "# after: conns=$(tp_stat "$st" conns) time_wait=$(tp_stat "$st" time_wait)" \
  "established=$(tp_stat "$st" established) close_normal=$(tp_stat "$st" close_normal)" \
  "rst_out=$(tp_stat "$st" rst_out) retransmitted_segments=$(tp_stat "$st" retransmitted_segments)"
tp_check "no TCB left (conns=$(tp_stat "$st" conns) time_wait=$(tp_stat "$st" time_wait))" \
  test "$(tp_stat "$st" conns)" -eq 0 -a "$(tp_stat "$st" time_wait)" -eq 0 \
    -a "$(tp_stat "$st" close_normal)" -ge "$N"
tp_check "SIGTERM stops dp with status 0" tp_dp_stop
[ $TP_FAILS -eq 0 ]
