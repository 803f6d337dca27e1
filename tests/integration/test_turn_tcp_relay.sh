#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 6062 (TURN-TCP) through dp: coturn's turnutils_uclient -T (TCP
# relaying) client to client (-y: each allocation Connects to the other's
# relayed transport address, so the peer connections run relay to relay
# inside dp, and each side's ConnectionAttempt and ConnectionBind happen
# too), plain and over TLS (-S). Pass: every message sent came back, 0 lost.
# TP_TURN_SERVER=coturn runs it against coturn's turnserver (no TLS there),
# a check of the test itself.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/turn_server_env.sh"
. "$HERE/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

start=$SECONDS
tw_server_start

tcp_c2c() {
  local what=$1; shift
  tp_uclient "$what" 60 -y -T -u test -w test "$@" 10.210.0.1
}

tcp_c2c "TCP relay, client to client (-T -y -m 4 -n 50)" -t -m 4 -n 50 -l 120

if [ "$TW_SERVER" = turnpike ]; then
  [ -n "${TP_DEBUG:-}" ] && tp_ctl --json status | python3 -c 'import json,sys; d=json.load(sys.stdin); print({k:v for k,v in d.items() if "err" in k or "tcp" in k or "auth" in k})'
  tp_check "cp stops cleanly" tp_cp_stop
  tp_check "dp stops cleanly" tp_dp_stop
fi
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
