#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dp/tcp under a SYN flood: hping3 in the peers' namespace floods SYNs
# from random source addresses at dp's diagnostic echo on the core port
# (whose gateway is that namespace, so every SYN-ACK has a route and a
# neighbour, and is dropped there). The listener's SYN backlog fills and dp
# answers with SYN cookies (RFC 4987 §3.6), counted; meanwhile kernel
# clients in the clients' namespace still connect to the access port and
# echo byte-exact, their connections coming back through cookies.
# TP_FLOOD_S: seconds of flood (default 8).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(dirname "$0")/lib
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
FLOOD_S=${TP_FLOOD_S:-8}
command -v hping3 >/dev/null || tp_die "hping3 missing (tools/bootstrap installs it)"

# The default pool (tcp_max_conns 1024): the half-open connections the
# flood leaves must not take every slot from the cookies' connections
# (they did while the SYN backlog was as large as the pool).
tp_write_conf "$TP_TMP/dp.conf" "0" "diag_tcp_echo_port = 7;" \
  "" 'gateway4 = "10.211.0.2";'
tp_dp_start "$TP_TMP/dp.conf"
$C ping -c 2 -i 0.1 -W 1 -q 10.210.0.1 >/dev/null
$P ping -c 2 -i 0.1 -W 1 -q 10.211.0.1 >/dev/null
st0=$(tp_stats tcp); t0=$(tp_stats)
$P timeout -s INT "$FLOOD_S" hping3 -q -S -p 7 --flood --rand-source 10.211.0.1 \
  >"$TP_TMP/hping.log" 2>&1 &
flood=$!
sleep 1
# Honest clients while the flood runs: 8 rounds of 4 connections.
ok=0 total=0
for round in $(seq 8); do
  pids=()
  for k in 1 2 3 4; do
    $C python3 "$LIB/tcp_echo_client.py" 10.210.0.1 7 200000 20 >>"$TP_TMP/honest.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do total=$((total + 1)); wait "$p" && ok=$((ok + 1)); done
  kill -0 $flood 2>/dev/null || break
done
st1=$(tp_stats tcp)
wait $flood
st2=$(tp_stats tcp); t2=$(tp_stats)
grep -E 'packets|hping' "$TP_TMP/hping.log" | sed 's/^/# hping3: /'
grep 'DIFFERENT' "$TP_TMP/honest.log" | head -3 | sed 's/^/# /'
echo "# dp received $(( $(tp_stat "$t2" rx_pkts) - $(tp_stat "$t0" rx_pkts) )) packets in all," \
  "dropped $(( $(tp_stat "$t2" drops) - $(tp_stat "$t0" drops) )) (bad sources and such)"
segs=$(( $(tp_stat "$st2" segments_in) - $(tp_stat "$st0" segments_in) ))
echo "# flood: $segs segments into dp/tcp in about ${FLOOD_S} s ($((segs / FLOOD_S))/s);" \
  "syn_cookies_sent=$(tp_stat "$st2" syn_cookies_sent) syn_cookies_ok=$(tp_stat "$st2" syn_cookies_ok)" \
  "syn_cookies_bad=$(tp_stat "$st2" syn_cookies_bad) drop_syn_queue_full=$(tp_stat "$st2" drop_syn_queue_full)" \
  "drop_no_connection_slot=$(tp_stat "$st2" drop_no_connection_slot) conns=$(tp_stat "$st2" conns)" \
  "no_mbuf=$(tp_stat "$st2" no_mbuf)"
tp_check "honest kernel clients during the flood: $ok of $total echoed byte-exact" \
  test "$total" -ge 4 -a "$ok" -eq "$total"
tp_check "the flood filled the backlog: SYN cookies sent ($(tp_stat "$st2" syn_cookies_sent))" \
  test "$(tp_stat "$st2" syn_cookies_sent)" -gt 1000
tp_check "honest connections came back through cookies (syn_cookies_ok=$(tp_stat "$st1" syn_cookies_ok))" \
  test "$(tp_stat "$st1" syn_cookies_ok)" -ge 1
tp_check "SIGTERM stops dp with status 0" tp_dp_stop
[ $TP_FAILS -eq 0 ]
