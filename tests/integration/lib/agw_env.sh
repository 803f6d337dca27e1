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
