#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The dp <-> cp contract's shared settings: the relayed-port
# range steers peer traffic to the worker cp gave the port to, so a dp and
# a cp that read different turn.relay_ports would install allocations whose
# peers' datagrams land on a worker without them. Each side publishes its
# range and worker count in the segment; the one that comes second refuses
# and names both values. Before, nothing compared them: both ran.
#   A. dp runs 50000-50999; a cp configured 50000-52999 exits with an error
#      naming both ranges; dp runs on; a cp with dp's range serves.
#   B. that cp serves; a dp restarted with 50000-52999 exits the same way.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)"
sed 's|relay_ports = \[50000, 50999\]|relay_ports = [50000, 52999]|' "$TP_TMP/dp.conf" \
  >"$TP_TMP/wide.conf"
grep -q 'relay_ports = \[50000, 52999\]' "$TP_TMP/wide.conf" || tp_die "could not widen relay_ports"
tp_dp_start "$TP_TMP/dp.conf"

# ---- A. cp with another range ------------------------------------------------
"$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/wide.conf" >"$TP_TMP/cp-wide.log" 2>&1 &
pid=$!
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid"; rc=running; else wait "$pid"; rc=$?; fi
echo "# cp (50000-52999) beside dp (50000-50999): exit $rc: $(grep -m1 relay_ports "$TP_TMP/cp-wide.log")"
tp_check "a cp whose relayed ports differ from the running dp's exits with an error" \
  test "$rc" != running -a "$rc" != 0
tp_check "... naming both ranges and its configuration file" \
  grep -q "turn.relay_ports differ: dp relays 50000-50999, cp 50000-52999.*wide.conf" \
  "$TP_TMP/cp-wide.log"
tp_check "dp runs on" kill -0 "$TP_DP_PID"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "a cp with dp's range serves" tp_ctl ready

# ---- B. dp restarted with another range --------------------------------------
tp_dp_stop
log=$TP_TMP/dp-wide.log
"$TP_DP" --config "$TP_TMP/wide.conf" >"$log" 2>&1 &
pid=$!
for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid"; rc=running; else wait "$pid"; rc=$?; fi
echo "# dp (50000-52999) beside cp (50000-50999): exit $rc: $(grep -m1 relay_ports "$log")"
tp_check "a dp whose relayed ports differ from the serving cp's exits with an error" \
  test "$rc" != running -a "$rc" != 0
tp_check "... naming both ranges" \
  grep -q "turn.relay_ports differ: dp relays 50000-52999, cp 50000-50999" "$log"
tp_check "cp still runs" kill -0 "$TP_CP_PID"

[ "$TP_FAILS" -eq 0 ]
