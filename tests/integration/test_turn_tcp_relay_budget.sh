#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 6062 (TURN-TCP): what a client that stops reading may hold in dp
# (dp/tcprelay's budget an allocation, turn.tcp_alloc_bytes and
# tcp_alloc_mbufs; dp/tcp's struct tcp_budget and collapsing). One worker
# (every allocation on it), 4095 mbufs (dp.tcp_held_max about 2.9 MB).
# Allocation A binds 6 peers that each send 1 MB and reads nothing:
# meanwhile allocation B relays 1 MB through and back, byte-exact and in
# time, and a plain TURN-over-TCP client allocates; the worker holds about
# A's budget, not its cap; then A reads all 6 MB, byte-exact. Then a peer
# sending a byte a send() (TCP_NODELAY) to allocation C, which reads
# nothing: the worker's mbufs in use stay bounded; C then reads it all.
# TP_BUDGET="bytes mbufs" sets the budget (TP_BUDGET="0 0": none, to see
# the checks fail).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
start=$SECONDS
read -r bbytes bmbufs <<<"${TP_BUDGET:-524288 256}"
nflood=6 nbytes=1048576 ntiny=15000
# TP_ONLY_TINY=1: the 1-byte step alone
[ -n "${TP_ONLY_TINY:-}" ] && nflood=0

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" \
  "$(tp_turn_groups "" "tcp_alloc_bytes = $bbytes; tcp_alloc_mbufs = $bmbufs;")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

tcp_line() { tp_stats 'tcp worker=0'; }
relay_line() { grep '^tcprelay worker=0 ' "$TP_DP_LOG" | tail -n 1; }
mbufs0=$(tp_stat "$(tcp_line)" mbufs_in_use)

mkdir -p "$TP_TMP/peer"
ip netns exec "$TP_NS_P" python3 "$HERE/lib/tcprelay_peer.py" "$TP_TMP/peer" 7000 \
  >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_need tp_wait_listen "$TP_NS_P" tcp 10.211.0.2 7000 "$TP_PEER_PID" "the TCP echo peer"
ip netns exec "$TP_NS_C" python3 "$HERE/lib/tcprelay_budget.py" 10.210.0.1 "$TP_TMP/peer" \
  10.211.0.2 7000 $nflood $nbytes $ntiny >"$TP_TMP/client.out" 2>&1 &
cpid=$!

wait_for() { for _ in $(seq 600); do [ -e "$1" ] && return 0; kill -0 $cpid 2>/dev/null || return 1; sleep 0.1; done; return 1; }

if [ $nflood -eq 0 ]; then
  :
elif wait_for "$TP_TMP/peer/flooded"; then
  line=$(tcp_line); rline=$(relay_line)
  held=$(tp_stat "$line" held); peak=$(tp_stat "$rline" budget_peak_bytes)
  echo "# A's peers flooding, A not reading: worker holds $held bytes (cap $((4095 / 2 * 1448))), A's budget held at most $peak; $(tp_stat "$line" drop_budget) segments over a budget dropped, $(tp_stat "$line" drop_worker_held_cap) over the worker's cap"
  # A's budget, B's exchange (its queues), a little beside
  tp_check "the worker holds about one allocation's budget, not its cap (held $held)" \
    test "$held" -lt $((bbytes + 512 * 1024))
  # (its windows offer shares of what is left: twice it at most)
  tp_check "A's budget held no more than twice it: $peak <= 2 x $bbytes" \
    test "$peak" -le $((2 * bbytes))
  tp_check "no connection met the worker's cap" test "$(tp_stat "$line" drop_worker_held_cap)" -eq 0
  touch "$TP_TMP/peer/measured"
else
  tp_not_ok "the flood step did not finish"
  # (dp's side of it, for whoever reads a failure)
  echo "# $(tcp_line)"; echo "# $(relay_line)"
fi

if wait_for "$TP_TMP/peer/tiny"; then
  line=$(tcp_line); rline=$(relay_line)
  used=$(( $(tp_stat "$line" mbufs_in_use) - mbufs0 ))
  pm=$(tp_stat "$rline" budget_peak_mbufs)
  echo "# a peer of 1-byte segments, its client not reading: $used mbufs in use beyond the start, C's budget held at most $pm mbufs; collapsed $(tp_stat "$line" receive_collapsed_mbufs) mbufs"
  # (the default budget's 256 mbufs, twice at most, and some beside)
  tp_check "mbufs in use stay bounded (+$used, at most 640)" test "$used" -le 640
  touch "$TP_TMP/peer/measured2"
else
  tp_not_ok "the tiny step did not finish"
fi
wait $cpid
sed 's/^/  /' "$TP_TMP/client.out" | sed 's/^  \(ok\|not ok\)/\1/'
n=$(grep -c '^not ok' "$TP_TMP/client.out"); TP_FAILS=$((TP_FAILS + n))
grep -q '^ok - C reads' "$TP_TMP/client.out" || tp_not_ok "tcprelay_budget.py did not run to its end"
touch "$TP_TMP/peer/stop"

rline=$(tp_stats 'tcprelay worker=0')
echo "# $(tr ' ' '\n' <<<"$rline" | grep -E '^budget' | tr '\n' ' ')"
tp_check "turnpikectl status shows the budget's counters and gauges" \
  eval 'tp_ctl --json status | grep -q "tcprelay_budget_peak_mbufs"'
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
# (the peers' side, for whoever reads a failure)
[ $TP_FAILS -gt 0 ] && [ -s "$TP_TMP/peer.log" ] && sed 's/^/# peer: /' "$TP_TMP/peer.log"
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
