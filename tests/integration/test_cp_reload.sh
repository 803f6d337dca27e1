#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Reload (turnpikectl reload, SIGHUP): a changed password, REST
# secret and denied-peer list take effect at once while a turnutils_uclient
# session keeps relaying with 0 loss; a setting that needs a restart
# (turn.realm, turn.listen_tcp) is named and not applied; a file that does
# not load changes nothing and says why; SIGHUP does what reload does.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
LIB=$(cd "$(dirname "$0")/lib" && pwd)

conf=$TP_TMP/dp.conf
# groups PASSWORD SECRET DENY REALM [CP_EXTRA]
groups() {
  cat <<CONF
turn = { realm = "$4"; ipc = "/$TP_ID"; relay_ports = [50000, 50999]; channels = "rfc5766";
       ${6:-} };
cp = {
  api_socket = "$TP_TMP/cp.sock";
  users = ( { name = "test"; password = "$1"; }, { name = "other"; password = "other"; } );
  secrets = [ "$2" ];
  peers = { allow = [ "10.211.0.0/24", "fd00:211::/64" ]; deny = [ $3 ]; };
  store = "$TP_TMP/users.db";
  ${5:-}
};
CONF
}
tp_write_conf "$conf" "0" "" "" "" "$(groups test test-secret "" turnpike.test)"
tp_dp_start "$conf"
tp_cp_start "$conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
ip netns exec "$TP_NS_C" ip addr add 10.210.0.70/24 dev "$TP_IF_A"
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

uc() {   # uc ARGS...: 0 when the client relayed every message
  local out sent recv lost
  out=$(ip netns exec "$TP_NS_C" timeout 30 turnutils_uclient -e 10.211.0.2 -r 3480 "$@" -m 1 -c -n 5 10.210.0.1 2>&1)
  sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  [ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$recv" ]
}
# ucb WHAT relays|refused ARGS...: uc in the background; uc_judge waits
# for those started and checks each (independent clients at once: each
# uclient run is mostly its own pacing, a second or more)
UCB=()
ucb() {
  local what=$1 want=$2; shift 2
  ( uc "$@"; echo $? >"$TP_TMP/ucb.${#UCB[@]}" ) &
  UCB+=("$!|$want|$what")
}
uc_judge() {
  local i=0 e pid want what rc
  for e in "${UCB[@]}"; do
    IFS='|' read -r pid want what <<<"$e"
    wait "$pid"; rc=$(cat "$TP_TMP/ucb.$i" 2>/dev/null || echo 255)
    if [ "$want" = relays ]; then tp_check "$what" test "$rc" = 0
    else tp_check "$what" test "$rc" != 0; fi
    i=$((i + 1))
  done
  UCB=()
}
perm() {   # perm IP: the error code (or ok) of a CreatePermission for IP
  ip netns exec "$TP_NS_C" python3 - "$LIB" "$1" "$2" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client("10.210.0.1", bind=("10.210.0.70", 0), password=sys.argv[3])
a = c.allocate()
if a.cls != 2:
    print("alloc-%s" % a.error()); sys.exit()
m = c.permission((sys.argv[2], None))
print("ok" if m.cls == 2 else m.error())
c.refresh(0)
PY
}

# A session across the reloads: 400 messages, one every 20 ms.
ip netns exec "$TP_NS_C" timeout 90 turnutils_uclient -e 10.211.0.2 -r 3480 -u other -w other \
  -m 1 -c -n 400 -z 20 10.210.0.1 >"$TP_TMP/long.log" 2>&1 &
long=$!
# (under way once cp holds its allocation)
long_up() {
  tp_ctl --json allocations 2>/dev/null |
    python3 -c 'import json,sys; sys.exit(0 if any(a["user"] == "other" for a in json.load(sys.stdin)["allocations"]) else 1)'
}
tp_need tp_wait_until 20 "the long session's allocation" long_up

ctl=$TP_BUILD/cp/ctl/turnpikectl
tp_check "turnpikectl --config FILE finds cp's socket there" bash -c "\"$ctl\" --config \"$conf\" --json status | grep -q '\"ready\":true'"
tp_check "options after the command: status --json --socket S" bash -c "\"$ctl\" status --json --socket \"$TP_TMP/cp.sock\" | grep -q '\"ready\":true'"
tp_check "... and --config=FILE after it" bash -c "\"$ctl\" status --config=\"$conf\" | grep -q '^cp *ready'"
tp_check "after '--' an argument is the command's, not an option" bash -c "! \"$ctl\" --socket \"$TP_TMP/cp.sock\" users del -- --json 2>&1 | grep -q unrecognized"
ucb "before: test/test relays" relays -u test -w test
ucb "before: the REST secret test-secret works" relays -W test-secret -u r1
uc_judge
tp_check "before: 10.211.0.3 may be a peer" test "$(perm 10.211.0.3 test)" = ok

tp_write_conf "$conf" "0" "" "" "" "$(groups test2 new-secret '"10.211.0.3/32"' other.realm "" \
  "tcp_allocate_timeout = 30; tcp_source_prefix6 = 56; listen_tcp = [3478, 3479];")"
out=$(tp_ctl reload); rc=$?
echo "$out" | sed 's/^/# /'
tp_check "turnpikectl reload" test $rc -eq 0
tp_check "... says what changed" bash -c 'grep -q "changed: user test: new password" <<<"$0" && grep -q "changed: a REST secret added" <<<"$0" && grep -q "changed: a REST secret removed" <<<"$0" && grep -q "changed: cp.peers" <<<"$0"' "$out"
tp_check "... and names turn.realm as needing a restart" grep -q "needs a restart: turn.realm" <<<"$out"
tp_check "... and dp's TCP limits (turn.tcp_allocate_timeout, turn.tcp_source_prefix6)" \
  bash -c 'grep -q "turn.tcp_allocate_timeout 60 -> 30 (restart turnpike-dp)" <<<"$0" &&
           grep -q "turn.tcp_source_prefix6 64 -> 56" <<<"$0"' "$out"
tp_check "... and dp's TCP listening ports (turn.listen_tcp)" \
  grep -q "needs a restart: turn.listen_tcp (restart turnpike-dp)" <<<"$out"
ucb "after: test/test is refused" refused -u test -w test
ucb "after: test/test2 relays (realm unchanged: turnpike.test)" relays -u test -w test2
ucb "after: the old secret is refused" refused -W test-secret -u r2
ucb "after: the new secret works" relays -W new-secret -u r3
uc_judge
tp_check "after: 10.211.0.3 is a denied peer (403)" test "$(perm 10.211.0.3 test2)" = 403
tp_check "after: 10.211.0.2 still allowed" test "$(perm 10.211.0.2 test2)" = ok

# A file that does not load: nothing changes, the reason is given.
good=$(cat "$conf")
printf 'cp = { users = ( { name = "x"; ;\n' >>"$conf"
err=$(tp_ctl reload 2>&1); rc=$?
echo "# $err"
tp_check "a broken file: reload fails" test $rc -ne 0
tp_check "... saying nothing changed and where the file is wrong" bash -c 'grep -q "reload refused, nothing changed: .*dp.conf:[0-9]" <<<"$0"' "$err"
tp_check "... and test/test2 still relays" uc -u test -w test2
printf '%s\n' "$good" >"$conf"

# SIGHUP does the same.
tp_write_conf "$conf" "0" "" "" "" "$(groups test3 new-secret '"10.211.0.3/32"' turnpike.test)"
kill -HUP "$TP_CP_PID"
for _ in $(seq 50); do grep -q 'reloaded .*user test: new password' "$TP_CP_LOG" && [ "$(grep -c 'reloaded' "$TP_CP_LOG")" -ge 2 ] && break; sleep 0.1; done
ucb "SIGHUP reloads" relays -u test -w test3
ucb "... the old password refused" refused -u test -w test2
uc_judge

st=$(tp_ctl --json status)
tp_check "status counts 2 reloads and 1 refused" python3 -c 'import json,sys; s=json.loads(sys.argv[1])["stats"]; sys.exit(0 if (s["reloads"], s["reloads_refused"]) == (2, 1) else 1)' "$st"
kill -HUP "$TP_CP_PID"
for _ in $(seq 50); do [ "$(grep -c 'reloaded' "$TP_CP_LOG")" -ge 3 ] && break; sleep 0.1; done
tp_check "a reload with nothing changed says so" grep -q 'reloaded .*: nothing changed' "$TP_CP_LOG"

# cp.log_level: reload changes it, status shows it, debug lines (one per
# allocation granted) appear and go with it.
granted() { grep -c 'turnpike-cp: allocation [0-9]* (worker [0-9]*): granted' "$TP_CP_LOG"; }
tp_check "status shows the log level (info by default)" bash -c "\"$ctl\" --socket \"$TP_TMP/cp.sock\" status | grep -q '^log level *info$'"
n0=$(granted)
tp_check "at info: a client relays" uc -u test -w test3
tp_check "... and no debug line is written" test "$(granted)" -eq "$n0"
tp_write_conf "$conf" "0" "" "" "" "$(groups test3 new-secret '"10.211.0.3/32"' turnpike.test 'log_level = "debug";')"
out=$(tp_ctl reload); rc=$?
echo "$out" | sed 's/^/# /'
tp_check "reload to debug says what changed" bash -c '[ $1 -eq 0 ] && grep -q "changed: cp.log_level info -> debug" <<<"$0"' "$out" $rc
tp_check "... status shows debug" bash -c "\"$ctl\" --socket \"$TP_TMP/cp.sock\" --json status | grep -q '\"log_level\":\"debug\"'"
tp_check "at debug: a client relays" uc -u test -w test3
n1=$(granted)
echo "# debug lines 'allocation ... granted': $n0 before, $n1 after"
tp_check "... and its allocation is a debug line" test "$n1" -gt "$n0"
tp_write_conf "$conf" "0" "" "" "" "$(groups test3 new-secret '"10.211.0.3/32"' turnpike.test 'log_level = "notice";')"
out=$(tp_ctl reload); rc=$?
tp_check "reload to notice says what changed" bash -c '[ $1 -eq 0 ] && grep -q "changed: cp.log_level debug -> notice" <<<"$0"' "$out" $rc
tp_check "at notice: a client relays" uc -u test -w test3
tp_check "... and no debug line is written any more" test "$(granted)" -eq "$n1"
tp_write_conf "$conf" "0" "" "" "" "$(groups test3 new-secret '"10.211.0.3/32"' turnpike.test 'log_level = "loud";')"
err=$(tp_ctl reload 2>&1); rc=$?
tp_check "a log level that is none: reload refused, named" bash -c '[ $1 -ne 0 ] && grep -q "cp.log_level must be" <<<"$0"' "$err" $rc
wait $long
sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' "$TP_TMP/long.log" | tail -n 1)
recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' "$TP_TMP/long.log" | tail -n 1)
lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' "$TP_TMP/long.log" | tail -n 1)
echo "# session across the reloads: sent=${sent:-?} recv=${recv:-?} lost=${lost:-?}"
tp_check "a session running across three reloads lost nothing" \
  test -n "$sent" -a "${sent:-0}" -gt 0 -a "$sent" = "$recv" -a "${lost:-1}" = 0
tp_check "cp stops cleanly" tp_cp_stop
kill "$TP_PEER_PID" 2>/dev/null; wait "$TP_PEER_PID" 2>/dev/null; TP_PEER_PID=
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
