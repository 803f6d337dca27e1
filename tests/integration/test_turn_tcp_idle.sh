#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Idle TURN-over-TCP connections and one subscriber's many addresses,
# against the real dp and cp, the kernel's TCP in
# the clients' namespace:
#   - from 64 addresses of one IPv6 /64, connections that send a Binding
#     request and nothing more: past turn.tcp_per_source (8 here) they are
#     refused (the /64 is one source), and those let in are closed once
#     turn.tcp_allocate_timeout (4 s here) passes without an allocation;
#   - meanwhile a client from elsewhere allocates over TCP and keeps its
#     allocation and connection past that deadline (refreshing);
#   - IPv4 sources that fill TURN's share of the connection table
#     (dp.tcp_reserve, a table of 96 here) do not keep an AGW context
#     from connecting both its legs: the AGW's share is its own.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
I="python3 $HERE/lib/turn_tcp_idle.py"
S="python3 $HERE/lib/agw_stream.py"

tp_write_conf "$TP_TMP/dp.conf" "0" \
  "tcp_max_conns = 96; tcp_reserve = { turn = 25; relay = 25; agw = 25; };" "" "" \
  "$(tp_turn_groups "" "tcp_per_source = 8; tcp_allocate_timeout = 4; tcp_first_message = 3;")
agw = { ports = [20000, 20999]; max_contexts = 16; setup_timeout = 20; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
turn_tcp() { tp_stat "$(tp_stats "tcp_turn worker=0")" "$1"; }

# 64 addresses of fd00:210::/64 (dp's access prefix) beside the namespace's own
srcs6=()
for i in $(seq 1 64); do
  a=$(printf 'fd00:210::a:%x' "$i")
  ip -n "$TP_NS_C" -6 addr add "$a/64" dev "$TP_IF_A" nodad || tp_die "cannot add $a"
  srcs6+=("$a")
done

$C $I alloc 10.210.0.1 3478 9 "$TP_TMP/alloc.ready" >"$TP_TMP/alloc.out" 2>&1 &
apid=$!
tp_need tp_wait_file "$TP_TMP/alloc.ready" "$apid" "the TCP client's Allocate"
$C $I flood fd00:210::1 3478 8 "${srcs6[@]}" >"$TP_TMP/flood6.out" 2>&1
echo "# /64 flood: $(cat "$TP_TMP/flood6.out")"
tp_check "64 addresses of one /64: 8 let in (turn.tcp_per_source counts the /64), 56 refused" \
  test "$(j "$TP_TMP/flood6.out" 'd["connected"]')" = 8
tp_check "... each answered (its Binding request), then closed for want of an allocation after 4 s (reset_no_allocation $(turn_tcp reset_no_allocation))" \
  test "$(j "$TP_TMP/flood6.out" 'd["answered"], d["closed"], d["closed_after_s"][0] >= 3.5, d["closed_after_s"][-1] <= 6.5')" = "8 8 True True" \
  -a "$(turn_tcp reset_no_allocation)" -ge 8
wait $apid
echo "# client: $(cat "$TP_TMP/alloc.out")"
tp_check "a client from elsewhere allocated over TCP meanwhile and kept its allocation and connection past the deadline" \
  test "$(j "$TP_TMP/alloc.out" 'd["allocated"], d["alive"]')" = "True True"

# TURN's share: a table of 96, 24 kept for RFC 6062's peers and 24 for the
# AGW; IPv4 sources (8 each) take what TURN may hold, and the AGW's legs
# still come up.
srcs4=()
for i in $(seq 100 111); do
  ip -n "$TP_NS_C" addr add "10.210.0.$i/24" dev "$TP_IF_A" || tp_die "cannot add 10.210.0.$i"
  for _ in 1 2 3 4 5 6 7 8; do srcs4+=("10.210.0.$i"); done
done
uf0=$(tp_stat "$(tp_stats "tcp worker=0")" drop_use_share_taken)
$C $I flood 10.210.0.1 3478 4 "${srcs4[@]}" >"$TP_TMP/flood4.out" 2>&1 &
fpid=$!
sleep 2
# what dp holds for TURN (a client may count a connection its SYN cookie
# made that dp then refused: the share is dp's count)
turn_held=$(tp_stat "$(tp_stats "tcp worker=0")" conns_turn)
rm -f "$TP_TMP/ready"
$P $S listen 10.211.0.2 5000 --bytes 10000 --seed 2 --timeout 20 --ready "$TP_TMP/ready" \
  >"$TP_TMP/peer.out" 2>&1 &
ppid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
tp_ctl --json agw create --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' \
  --b 'tcp=client,remote=10.211.0.2:5000' >"$TP_TMP/agw.json" || tp_die "agw create failed"
$C $S connect 10.210.0.1 "$(j "$TP_TMP/agw.json" 'd["legs"][0]["local"].rsplit(":",1)[1]')" \
  --bytes 10000 --seed 1 --timeout 20 >"$TP_TMP/ue.out" 2>&1
wait $ppid; wait $fpid
echo "# IPv4 flood: $(cat "$TP_TMP/flood4.out"); dp held $turn_held for TURN; drop_use_share_taken +$(( $(tp_stat "$(tp_stats "tcp worker=0")" drop_use_share_taken) - uf0 ))"
tp_check "96 connections from 12 IPv4 sources: TURN held at most its 48 ($turn_held; the rest kept for the others' shares)" \
  test "$turn_held" -le 48 -a "$turn_held" -ge 40 \
  -a "$(tp_stat "$(tp_stats "tcp worker=0")" drop_use_share_taken)" -gt "$uf0"
tp_check "... while an AGW context connected both legs and carried its bytes" \
  test "$(j "$TP_TMP/ue.out" 'd["recv"]') $(j "$TP_TMP/peer.out" 'd["recv"]')" = "10000 10000"

[ $TP_FAILS -eq 0 ]
