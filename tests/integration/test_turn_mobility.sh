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
#   another user's Refresh are refused and move nothing.
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
sleep 0.3

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
fi
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
