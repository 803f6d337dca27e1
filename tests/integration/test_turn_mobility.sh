#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 8016 mobility (turn.mobility = true) end to end, in under 40 s:
# - coturn's turnutils_uclient -M (an empty MOBILITY-TICKET in its
#   Allocates; then, from a new socket (a new local port), a Refresh with
#   the ticket it got, sent twice with one transaction id) relays every
#   message to and from turnutils_peer, and cp counts its moves;
# - lib/mobility.py: an allocation with a permission and a channel moves
#   to a new port and keeps both (data both ways with neither made again);
#   the old address gets 437 and is relayed nothing; the old ticket (from
#   the old and from a third address), a forged and a truncated ticket and
#   another user's Refresh are refused and move nothing;
# - with two dp workers (lib/mobility_workers.py): six moves, some to the
#   other worker's tuples (dp forwards them to the allocation's), some
#   back, each relaying both ways, the old port refused each time.
# TP_TURN_SERVER=coturn runs the uclient part against coturn's turnserver
# (--mobility), a check of what the client expects.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/turn_server_env.sh"
. "$HERE/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

start=$SECONDS
TW_SERVER=${TP_TURN_SERVER:-turnpike}
if [ "$TW_SERVER" = turnpike ]; then
  tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups "" "mobility = true;")"
  tp_dp_start "$TP_TMP/dp.conf"
  tp_cp_start "$TP_TMP/dp.conf"
else
  TW_COTURN_ARGS=--mobility tw_server_start
fi
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

cp_stat() {
  tp_ctl --json status | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['stats'].get('$1', 0))"
}

# uclient -M: four sessions over channels, four over send indications
tp_uclient_bg "uclient -M over channels" 30 -M -u test -w test -e 10.211.0.2 -r 3480 \
  -m 4 -c -n 20 10.210.0.1
tp_uclient_bg "uclient -M over send indications" 30 -M -u test -w test -e 10.211.0.2 -r 3480 \
  -m 4 -c -n 20 -s 10.210.0.1
tp_uclient_judge

if [ "$TW_SERVER" = turnpike ]; then
  moves=$(cp_stat mobility_moves)
  tp_check "cp moved uclient's allocations to their new ports ($moves moves)" test "${moves:-0}" -ge 8
  tp_check "uclient's retransmitted move got the same success (no 437 or 400)" \
    test "$(cp_stat mobility_tickets_stale)" = 0
  out=$(ip netns exec "$TP_NS_C" python3 "$HERE/lib/mobility.py" 10.210.0.1 10.211.0.2 3480 2>&1)
  rc=$?
  echo "$out"
  tp_check "lib/mobility.py: every check passed" test $rc -eq 0
  tp_check "cp counted the refused tickets" \
    bash -c "[ $(cp_stat mobility_tickets_bad) -ge 2 ] && [ $(cp_stat mobility_tickets_stale) -ge 2 ]"
  w=$(tp_stats "turn worker=0")
  tp_check "dp moved the allocations it was told to ($(tp_stat "$w" alloc_moved))" \
    test "$(tp_stat "$w" alloc_moved)" -ge 9
  tp_check "dp refused no move" test "$(tp_stat "$w" alloc_move_refused)" = 0
  tp_check "cp stops cleanly" tp_cp_stop
  tp_check "dp stops cleanly" tp_dp_stop

  # Two workers: the allocation stays on its worker and the other one
  # forwards its client's new tuple there (lib/mobility_workers.py picks
  # the ports by dp's flow hash: some moves cross, some come back).
  t2=$SECONDS
  kill -TERM "$TP_PEER_PID" 2>/dev/null; wait "$TP_PEER_PID" 2>/dev/null
  rm -f "/dev/shm/$TP_ID"
  tp_write_conf "$TP_TMP/dp2.conf" "0, 1" "" "" "" "$(tp_turn_groups "" "mobility = true;")"
  tp_dp_start "$TP_TMP/dp2.conf"
  tp_cp_start "$TP_TMP/dp2.conf"
  ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer2.log" 2>&1 &
  TP_PEER_PID=$!
  tp_peer_wait "$TP_PEER_PID" 10.211.0.2
  out=$(ip netns exec "$TP_NS_C" python3 "$HERE/lib/mobility_workers.py" 10.210.0.1 10.211.0.2 \
        3480 6 2>&1)
  rc=$?
  echo "$out"
  tp_check "lib/mobility_workers.py (two workers): every check passed" test $rc -eq 0
  tp_check "cp moved every time, refused none across workers" \
    bash -c "[ $(cp_stat mobility_moves) -ge 6 ] && [ $(cp_stat mobility_other_worker) = 0 ]"
  added=0 handed=0 taken=0 left=0
  for k in 0 1; do
    w=$(tp_stats "turn worker=$k")
    echo "# worker $k: forwards=$(tp_stat "$w" forwards) fwd_added=$(tp_stat "$w" fwd_added)" \
      "fwd_removed=$(tp_stat "$w" fwd_removed) fwd_handed=$(tp_stat "$w" fwd_handed)" \
      "fwd_taken=$(tp_stat "$w" fwd_taken) fwd_refused=$(tp_stat "$w" fwd_refused)"
    added=$((added + $(tp_stat "$w" fwd_added)))
    handed=$((handed + $(tp_stat "$w" fwd_handed)))
    taken=$((taken + $(tp_stat "$w" fwd_taken)))
    left=$((left + $(tp_stat "$w" forwards)))
  done
  tp_check "moves crossed workers: dp installed forwards ($added)" test "$added" -gt 0
  tp_check "... and handed packets on with them ($handed handed, $taken taken)" \
    bash -c "[ $handed -gt 0 ] && [ $taken -gt 0 ]"
  tp_check "the allocation's end left no forward ($left)" test "$left" = 0
  tp_check "cp stops cleanly (two workers)" tp_cp_stop
  tp_check "dp stops cleanly (two workers)" tp_dp_stop
  echo "# two workers: $((SECONDS - t2)) s"
fi
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
