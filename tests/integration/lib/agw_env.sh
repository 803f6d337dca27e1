# SPDX-License-Identifier: BSD-3-Clause
# The access gateway's tests (test_agw*.sh): contexts through turnpikectl.
# Source after lib/dp_env.sh.
#   create NAME ARGS...   turnpikectl agw create ARGS: the answer in
#                         $TP_TMP/NAME.json, an error in NAME.err (shown as
#                         TAP comments, rc 1)
#   ctx_id NAME           the context's id
#   ctx_port NAME         the local port of its first leg
#   jt FILE EXPR          true when the JSON in FILE (d) makes EXPR true
#   dpc NAME              dp's counter NAME summed over the workers
#                         (turnpikectl status)
#   tp_debian_python MODULE PACKAGE
#                         PY: Debian's interpreter, whatever python3 comes
#                         first in PATH, which has MODULE (PACKAGE): else
#                         the test bails out
#   ue NAME SEED SEED_IN  a WebRTC client (Debian's aiortc, lib/webrtc/
#                         agw_webrtc.py's ue, run by $PY) on 10.210.0.2 in
#                         the clients' namespace, in the background ($! its
#                         pid): sending payloads of SEED, taking the core's
#                         of SEED_IN; its offer in NAME.offer(.json), its
#                         answer read from NAME.answer, its figures in
#                         NAME.st, each frame's arrival in NAME.arr at
#                         its end, stopped by NAME.stop (test_agw_webrtc,
#                         test_iq_webrtc, test_agw_dtls_flood)

create() {
  local name=$1; shift
  tp_ctl --json agw create "$@" >"$TP_TMP/$name.json" 2>"$TP_TMP/$name.err" ||
    { sed 's/^/# /' "$TP_TMP/$name.err"; return 1; }
}
ctx_id() { j "$TP_TMP/$1.json" 'd["id"]'; }
ctx_port() { j "$TP_TMP/$1.json" 'd["legs"][0]["local"].rsplit(":",1)[1]'; }
jt() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }
dpc() {
  tp_ctl --json status | python3 -c "import json,sys; d=json.load(sys.stdin); print(sum(w['dp']['tcp'].get('$1', 0) for w in d['workers']))"
}
tp_debian_python() {
  PY=/usr/bin/python3
  $PY -c "import $1" 2>/dev/null || tp_die "$2 missing (tools/bootstrap installs it)"
}
ue() {
  rm -f "$TP_TMP/$1".*
  ip netns exec "$TP_NS_C" $PY "$(dirname "${BASH_SOURCE[0]}")/webrtc/agw_webrtc.py" ue 10.210.0.2 \
    --offer "$TP_TMP/$1.offer" --answer "$TP_TMP/$1.answer" --status "$TP_TMP/$1.st" \
    --arrivals "$TP_TMP/$1.arr" --stop "$TP_TMP/$1.stop" --seed "$2" --seed-in "$3" >"$TP_TMP/$1.out" 2>"$TP_TMP/$1.err" &
}
