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
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

start=$SECONDS
tw_server_start

# c2c NAME ARGS...: one client-to-client batch; its summary, then the
# verdict. turnutils_uclient prints "tot_send_msgs=N, tot_recv_msgs=N"
# and "Total lost packets N (...)" when it ran to the end; an error that
# stops it early (e.g. "channel bind: error 403 (Forbidden)") leaves no
# summary and is quoted instead.
c2c() {
  local what=$1; shift
  local out t0=$SECONDS
  out=$(ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -y -u test -w test "$@" 10.210.0.1 2>&1)
  local rc=$?
  echo "$out" | grep -E 'Total (transmit|lost)|tot_send_msgs|Average round trip' | sed 's/^/# /' | tail -n 4
  local sent recv lost
  sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  if [ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$recv" ] && [ "${lost:-1}" = 0 ]; then
    tp_ok "$what: $sent sent, $recv received, 0 lost ($((SECONDS - t0)) s)"
  elif [ -z "$sent" ]; then
    local errs
    errs=$(grep -iE 'error|fail|cannot' <<<"$out" | sed 's/^[0-9]*: : //' | sort | uniq -c |
           sed 's/^ *\([0-9]*\) \(.*\)/\2 (x\1)/' | head -n 3 | paste -sd ';' -)
    tp_not_ok "$what: no summary, turnutils_uclient exited $rc: ${errs:-no error printed}"
    echo "$out" | tail -n 10 | sed 's/^/#   /'
  else
    tp_not_ok "$what: sent=$sent recv=${recv:-?} lost=${lost:-?}"
    echo "$out" | tail -n 10 | sed 's/^/#   /'
  fi
}

c2c "client to client over channels (-y -c -m 4 -n 100)" -c -m 4 -n 100
c2c "client to client over send indications (-y -c -s -m 4 -n 100)" -c -s -m 4 -n 100

if [ "$TW_SERVER" = turnpike ]; then
  tp_check "cp stops cleanly" tp_cp_stop
  tp_check "dp stops cleanly" tp_dp_stop
fi
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
