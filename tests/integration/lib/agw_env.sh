# SPDX-License-Identifier: BSD-3-Clause
# The access gateway's tests (test_agw*.sh): contexts through turnpikectl.
# Source after lib/dp_env.sh.
#   create NAME ARGS...   turnpikectl agw create ARGS: the answer in
#                         $TP_TMP/NAME.json, an error in NAME.err (shown as
#                         TAP comments, rc 1)
#   ctx_id NAME           the context's id
#   ctx_port NAME         the local port of its first leg

create() {
  local name=$1; shift
  tp_ctl --json agw create "$@" >"$TP_TMP/$name.json" 2>"$TP_TMP/$name.err" ||
    { sed 's/^/# /' "$TP_TMP/$name.err"; return 1; }
}
ctx_id() { j "$TP_TMP/$1.json" 'd["id"]'; }
ctx_port() { j "$TP_TMP/$1.json" 'd["legs"][0]["local"].rsplit(":",1)[1]'; }
