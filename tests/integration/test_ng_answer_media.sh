#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Media sent in the same millisecond as the ng door's reply to the answer
# (RFC 3264 §6.1: an answerer may send as soon as it has answered): 200
# calls through real turnpike-dp and turnpike-cp (lib/ng_answer_race.py),
# each end's first packet sent at once after the answer's reply, each
# relayed to the other end. A reply the door sends before dp holds the
# answer's change leaves B's termination the offer's inactive placeholder
# for a moment, and those packets are dropped (issue 67's item 7). Each
# offer's and answer's reply is held for dp's FENCE_DONE, none at the
# bound (cp/agw's counters).
#   NG_RACE_CALLS: the calls (200).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
CALLS=${NG_RACE_CALLS:-200}
PORT=$((24000 + $$ % 1000))

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 256; };
ng = { listen = \"127.0.0.1:$PORT\"; allow = [\"127.0.0.1\"]; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_until 20 "cp and dp ready" tp_ctl ready --wait 1

PYTHONPATH="$HERE/lib" python3 "$HERE/lib/ng_answer_race.py" 127.0.0.1 "$PORT" \
  "$TP_NS_C" 10.210.0.2 "$TP_NS_P" 10.211.0.2 "$CALLS" >"$TP_TMP/race.json" ||
  tp_die "ng_answer_race.py failed"
echo "# $(cat "$TP_TMP/race.json")"
jt() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }
tp_check "the warm-up call's media crossed both ways" jt "$TP_TMP/race.json" "d['warm']"
tp_check "every first packet from the core, sent with the answer's reply, reached the UE ($CALLS calls)" \
  jt "$TP_TMP/race.json" "d['to_ue'] == d['calls'] == $CALLS"
tp_check "every first packet from the UE, sent with the answer's reply, reached the core ($CALLS calls)" \
  jt "$TP_TMP/race.json" "d['to_core'] == d['calls'] == $CALLS"
tp_ctl --json status >"$TP_TMP/status.json"
echo "# status ng: $(j "$TP_TMP/status.json" 'd["ng"]["stats"]')"
echo "# agw: replies_held $(j "$TP_TMP/status.json" 'd["agw"]["replies_held"]'), late $(j "$TP_TMP/status.json" 'd["agw"]["replies_held_late"]'), not held $(j "$TP_TMP/status.json" 'd["agw"]["replies_not_held"]')"
tp_check "no call left" jt "$TP_TMP/status.json" "d['ng']['calls'] == 0"
# (each call's offer and answer, and the warm-up's: held until dp said so)
tp_check "every offer's and answer's reply held for dp's word, none sent at the bound" \
  jt "$TP_TMP/status.json" "d['agw']['replies_held'] >= 2 * ($CALLS + 1) and d['agw']['replies_held_late'] == 0"

[ $TP_FAILS -eq 0 ] || exit 1
exit 0
