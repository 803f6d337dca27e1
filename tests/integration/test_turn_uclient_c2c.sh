#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# coturn's client-to-client mode through the TURN server: turnutils_uclient
# -y in the clients' namespace makes pairs of allocations that send to
# each other's relayed addresses (CreatePermission and ChannelBind to an
# address of the server's own, as two browsers on one TURN server do).
# Pass: every message sent came back, 0 lost, in channel mode and in send
# indication mode. TP_TURN_SERVER=coturn runs it against coturn's
# turnserver instead (lib/turn_server_env.sh), a check of the test itself.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/turn_server_env.sh"
. "$HERE/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

start=$SECONDS
tw_server_start

# (the two batches at once, each judged on its own: lib/uclient.sh)
tp_uclient_bg "client to client over channels (-y -c -m 4 -n 100)" 60 -y -u test -w test \
  -c -m 4 -n 100 10.210.0.1
tp_uclient_bg "client to client over send indications (-y -c -s -m 4 -n 100)" 60 -y -u test -w test \
  -c -s -m 4 -n 100 10.210.0.1
tp_uclient_judge

if [ "$TW_SERVER" = turnpike ]; then
  tp_check "cp stops cleanly" tp_cp_stop
  tp_check "dp stops cleanly" tp_dp_stop
fi
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
