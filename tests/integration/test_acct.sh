#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Usage records (cp/acct, the accounting group): coturn's turnutils_uclient
# sessions over UDP, TCP, TLS and RFC 6062 (TCP relaying, client to
# client), each as its own user, and the records' bytes equal what the
# clients sent and received at the relayed payload's layer (uclient's own
# count of messages times their length), exactly, with UDP's packets;
# interim records (accounting.interim = 1) for the sessions that run
# longer than a second; an AGW context's record with both legs' bytes; cp
# killed (SIGKILL) mid-session and started again:
# the stop record comes once, with the start from before the kill and
# exact bytes. Allocations that end while cp is down (killed): a UDP one
# expiring in dp (its expiry guard, made quick for the test), one over TCP
# whose client closes its connection: the next cp writes each one's record
# from dp's report, once, exact. cp killed just after it answered a
# Refresh 0 of an RFC 6062 allocation (its record waits a second for the
# peer connections' bytes): the next cp writes it from the journal, once.
# Bad input: a records file that cannot be written (/dev/full:
# a full disk) is said in cp's log and counted, the service goes on, the
# records wait in the spool, and a reload back to a good file writes them
# there first; a rotated file past the retention is removed on reload.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/uclient.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
start=$SECONDS

REC=$TP_TMP/acct/usage.jsonl
mkdir -p "$TP_TMP/acct" "$TP_TMP/spool"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=turn.test" -keyout "$TP_TMP/key.pem" -out "$TP_TMP/cert.pem" \
  >"$TP_TMP/req.out" 2>&1 || tp_die "openssl req failed"
conf() {   # conf FILE RECORDS_FILE [CP_SETTINGS]
  tp_write_conf "$1" "0" "" "" "" \
    "$(tp_turn_groups "${3:-}" "listen_tcp = [3478]; listen_tls = [5349];")
tls = { certificate = \"$TP_TMP/cert.pem\"; private_key = \"$TP_TMP/key.pem\"; };
agw = { ports = [20000, 21999]; max_contexts = 16; setup_timeout = 20; };
accounting = { file = \"$2\"; interim = 1; retention = 30; spool = \"$TP_TMP/spool\"; };"
}
conf "$TP_TMP/dp.conf" "$REC"
# (the expiry guard after a second past a lifetime, not a minute)
TP_DP_TEST_EXPIRE_GRACE_MS=1000 tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
for u in u_udp u_tcp u_tls u_rfc6062 u_restart u_full u_locked u_down_udp u_down_tcp u_kill; do
  tp_ctl users add "$u" pw >/dev/null || tp_die "users add $u"
done
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

# bg USER ARGS...: one uclient batch as USER in the background, its output
# kept for judge (and for its counts: what the records must say).
L=100
bg() {
  local u=$1; shift
  tp_uclient_bg "$u" 60 -u "$u" -w pw -l $L "$@" 10.210.0.1
  echo "$u $TP_TMP/uclient.bg.$((${#TP_UCLIENT_BG[@]} - 1)).out" >>"$TP_TMP/bg.map"
}
bg u_udp -e 10.211.0.2 -r 3480 -m 1 -c -n 25
bg u_tcp -t -e 10.211.0.2 -r 3480 -m 1 -c -n 30
bg u_tls -t -S -p 5349 -e 10.211.0.2 -r 3480 -m 1 -c -n 35
bg u_rfc6062 -t -T -y -m 2 -n 20
tp_uclient_judge

# counts USER: "sent recv" messages of its batch (uclient's summary)
counts() {
  local f
  f=$(awk -v u="$1" '$1 == u {print $2}' "$TP_TMP/bg.map")
  echo "$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' "$f" | tail -n 1)" \
       "$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' "$f" | tail -n 1)"
}

# wait_stops USER N: until the file has N stop records of USER (10 s)
wait_stops() {
  for _ in $(seq 100); do
    [ "$(grep -c "\"type\":\"stop\".*\"user\":\"$1\"" "$REC" 2>/dev/null)" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
# check_user USER TRANSPORT PACKETS(1/0) [MORE]: the user's stop records
# (every allocation uclient made, an idle one included) sum to its
# batch's bytes, each direction, exactly
check_user() {
  local u=$1 xp=$2 pk=$3 sent recv
  read -r sent recv <<<"$(counts "$u")"
  wait_stops "$u" 1
  tp_check "$u: stop records' bytes = uclient's $sent sent and $recv received x $L bytes, exactly${pk:+ (and packets)}" \
    python3 - "$REC" "$u" "$xp" "$pk" "$sent" "$recv" "$L" <<'PY'
import json, sys, time
path, user, xp, pk, sent, recv, l = sys.argv[1:]
sent, recv, l, pk = int(sent), int(recv), int(l), pk == "1"
# (the batch has ended: its records are written within a second or so;
# an idle allocation's may come first)
for _ in range(30):
    recs = [json.loads(x) for x in open(path)]
    stops = [r for r in recs if r["user"] == user and r["type"] == "stop"]
    fc = sum(r["bytes_from_client"] for r in stops)
    tc = sum(r["bytes_to_client"] for r in stops)
    if fc >= sent * l and tc >= recv * l:
        break
    time.sleep(0.1)
print("# %s: %d stop records (%s), bytes from client %d, to client %d (want %d, %d)%s" % (
    user, len(stops), ",".join(r["reason"] for r in stops), fc, tc, sent * l, recv * l,
    ", packets %d/%d" % (sum(r.get("packets_from_client", 0) for r in stops),
                         sum(r.get("packets_to_client", 0) for r in stops)) if pk else ""))
ok = stops and fc == sent * l and tc == recv * l and sent > 0
ok = ok and all(r["client"]["transport"] == xp and r["exact"] for r in stops)
ok = ok and len({r["session"] for r in stops}) == len(stops)
ok = ok and all(r["tenant"] == "default" and r["start"] <= r["end"] and
                r["client"]["address"] == "10.210.0.2" and r["relayed"] for r in stops)
if pk:
    ok = ok and sum(r["packets_from_client"] for r in stops) == sent and \
         sum(r["packets_to_client"] for r in stops) == recv
if xp == "tcp" and user == "u_rfc6062":
    ok = ok and all(r["relayed_transport"] == "tcp" and "packets_from_client" not in r
                    for r in stops)
else:
    ok = ok and any("10.211.0.2" in r["peers"] for r in stops if r["bytes_from_client"])
sys.exit(0 if ok else 1)
PY
}
check_user u_udp udp 1
check_user u_tcp tcp 1
check_user u_tls tls 1
check_user u_rfc6062 tcp ""

# (uclient's idle second allocation over UDP lives on, with interim
# records and no stop yet)
tp_check "interim records for the sessions past a second: the session of a stop, a time, no reason" \
  python3 - "$REC" <<'PY'
import json, sys
recs = [json.loads(x) for x in open(sys.argv[1])]
inter = [r for r in recs if r["type"] == "interim"]
stops = {r["session"] for r in recs if r["type"] == "stop"}
done = [r for r in inter if r["session"] in stops]
print("# %d interim records of %d sessions, %d of them of sessions that stopped" % (
    len(inter), len({r["session"] for r in inter}), len(done)))
sys.exit(0 if done and all("time" in r and "end" not in r and "reason" not in r and
                           r["start"] <= r["time"] for r in inter) else 1)
PY

# An AGW context: a UE's TCP leg spliced to a peer's, 2000 bytes from the
# UE and 3000 back, both ends closing: its record has both legs' bytes.
S="python3 $HERE/lib/agw_stream.py"
rm -f "$TP_TMP/ready"
ip netns exec "$TP_NS_P" $S listen 10.211.0.2 5000 --bytes 3000 --seed 2 --timeout 30 \
  --ready "$TP_TMP/ready" >"$TP_TMP/agw.peer" 2>&1 &
apid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
if create ctx --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' \
     --b 'tcp=client,remote=10.211.0.2:5000' --label billing-test; then
  ip netns exec "$TP_NS_C" $S connect 10.210.0.1 "$(ctx_port ctx)" --bytes 2000 --seed 1 \
    --timeout 30 >"$TP_TMP/agw.ue" 2>&1
fi
wait $apid
tp_check "an AGW context's record: both legs' bytes (UE 2000 in, 3000 out), its release cause" \
  python3 - "$REC" "$(ctx_id ctx 2>/dev/null)" <<'PY'
import json, sys, time
for _ in range(50):
    recs = [json.loads(x) for x in open(sys.argv[1])]
    a = [r for r in recs if r["kind"] == "agw" and r["session"] == sys.argv[2]]
    if a:
        break
    time.sleep(0.1)
print("# %s" % json.dumps(a)[:400])
r = a[0] if len(a) == 1 else None
sys.exit(0 if r and r["type"] == "stop" and r["user"] == "billing-test" and
         r["bytes_from_client"] == 2000 and r["bytes_to_client"] == 3000 and
         [(l["bytes_in"], l["bytes_out"]) for l in r["legs"]] == [(2000, 3000), (3000, 2000)] and
         r["start"] <= r["end"] and r["reason"] else 1)
PY

# cp killed mid-session (SIGKILL) and started again: dp keeps relaying, the
# new cp learns the allocation back from dp with its start, and the stop
# record comes once, exact.
t0=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
ip netns exec "$TP_NS_C" timeout 60 "$TP_UCLIENT_REAL" -u u_restart -w pw -l $L -m 1 -c \
  -n 60 -z 50 -e 10.211.0.2 -r 3480 10.210.0.1 >"$TP_TMP/restart.out" 2>&1 &
uc=$!
# (the session must have started before the kill: cp holds its allocation)
restart_up() {
  tp_ctl --json allocations 2>/dev/null |
    python3 -c 'import json,sys; sys.exit(0 if any(a["user"] == "u_restart" for a in json.load(sys.stdin)["allocations"]) else 1)'
}
tp_need tp_wait_until 20 "u_restart's allocation" restart_up
kill -KILL "$TP_CP_PID"; wait "$TP_CP_PID" 2>/dev/null
tkill=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
sleep 0.5
tp_cp_start "$TP_TMP/dp.conf"
wait $uc
tp_uclient_verdict "a session across cp's restart" "$(cat "$TP_TMP/restart.out")" 0 $SECONDS
echo "u_restart $TP_TMP/restart.out" >>"$TP_TMP/bg.map"
check_user u_restart udp 1
tp_check "its stop record came once, and started before the kill ($t0 .. $tkill)" \
  python3 - "$REC" "$t0" "$tkill" <<'PY'
import json, sys
recs = [json.loads(x) for x in open(sys.argv[1])]
st = [r for r in recs if r["user"] == "u_restart" and r["type"] == "stop" and r["bytes_from_client"]]
ids = [r["id"] for r in recs]
print("# %s" % ["%s start %s end %s" % (r["session"], r["start"], r["end"]) for r in st])
sys.exit(0 if len(st) == 1 and sys.argv[2] <= st[0]["start"] <= sys.argv[3]
         and len(ids) == len(set(ids)) else 1)
PY

# Allocations that end while cp is down. A cp that grants 3 s lifetimes
# makes them; it is killed once the clients relayed their bytes; the UDP
# allocation expires in dp (3 s, then the guard's second), the TCP one's
# client closes its connection; then a cp starts.
tp_check "cp stops for one of short lifetimes" tp_cp_stop
conf "$TP_TMP/short.conf" "$REC" "lifetime_default = 3; lifetime_max = 3;"
tp_cp_start "$TP_TMP/short.conf"
rm -f "$TP_TMP/down.ready" "$TP_TMP/down.go"
ip netns exec "$TP_NS_C" python3 "$HERE/lib/acct_clients.py" down 10.210.0.1 10.211.0.2 3480 20 \
  "$TP_TMP/down.json" "$TP_TMP/down.ready" "$TP_TMP/down.go" >"$TP_TMP/down.out" 2>&1 &
dpid=$!
for _ in $(seq 100); do [ -f "$TP_TMP/down.ready" ] && break; sleep 0.1; done
kill -KILL "$TP_CP_PID"; wait "$TP_CP_PID" 2>/dev/null
touch "$TP_TMP/down.go"
wait $dpid
tp_check "the clients relayed their bytes before cp was killed ($(tr '\n' ' ' <"$TP_TMP/down.json" 2>/dev/null; cat "$TP_TMP/down.out"))" \
  test -s "$TP_TMP/down.json"
sleep 6
tp_cp_start "$TP_TMP/dp.conf"
tp_check "each allocation that ended while cp was down has one record: its user, client, relayed address, bytes exact, why it ended" \
  python3 - "$REC" "$TP_TMP/down.json" <<'PY'
import json, sys, time
want = [json.loads(x) for x in open(sys.argv[2])]
reason = {"u_down_udp": ("expired", "udp"), "u_down_tcp": ("connection_closed", "tcp")}
for _ in range(50):
    recs = [json.loads(x) for x in open(sys.argv[1])]
    st = {w["user"]: [r for r in recs if r["user"] == w["user"] and r["type"] == "stop"]
          for w in want}
    if all(st.values()):
        break
    time.sleep(0.1)
ok = len(want) == 2
for w in want:
    s = st[w["user"]]
    print("# %s: want %s; %d record(s): %s" % (w["user"], json.dumps(w), len(s), json.dumps(s)[:700]))
    r = s[0] if len(s) == 1 else None
    ok = ok and r is not None and w["sent"] > 0 and w["recv"] > 0 and \
        r["bytes_from_client"] == w["sent"] and r["bytes_to_client"] == w["recv"] and \
        r["packets_from_client"] == w["sent"] // 100 and r["packets_to_client"] == w["recv"] // 100 and \
        r["client"]["address"] == w["client"] and r["client"]["port"] == w["port"] and \
        r["client"]["transport"] == reason[w["user"]][1] and r["relayed"] == [w["relayed"]] and \
        r["reason"] == reason[w["user"]][0] and r["exact"] and r["start"] < r["end"]
sys.exit(0 if ok else 1)
PY

# cp killed just after it answered a Refresh 0 (SIGKILL by the client as
# the answer comes): the record of the RFC 6062 allocation waited (a
# second, for its peer connections' bytes) in memory and in the journal.
ip netns exec "$TP_NS_C" python3 "$HERE/lib/acct_clients.py" kill 10.210.0.1 "$TP_CP_PID" \
  "$TP_TMP/kill.json" >"$TP_TMP/kill.out" 2>&1
wait "$TP_CP_PID" 2>/dev/null
tp_check "cp was killed right after its answer to the Refresh 0 ($(cat "$TP_TMP/kill.out"))" \
  bash -c '! kill -0 "$0" 2>/dev/null && test -s "$1"' "$TP_CP_PID" "$TP_TMP/kill.json"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "the next cp writes its record from the journal, once: client_deleted, exact" \
  python3 - "$REC" "$TP_TMP/kill.json" <<'PY'
import json, sys, time
w = json.loads(open(sys.argv[2]).read())
for _ in range(100):
    recs = [json.loads(x) for x in open(sys.argv[1])]
    s = [r for r in recs if r["user"] == "u_kill" and r["type"] == "stop"]
    if s:
        break
    time.sleep(0.1)
time.sleep(1)
recs = [json.loads(x) for x in open(sys.argv[1])]
s = [r for r in recs if r["user"] == "u_kill" and r["type"] == "stop"]
print("# want %s; %d record(s): %s" % (json.dumps(w), len(s), json.dumps(s)[:500]))
r = s[0] if len(s) == 1 else None
sys.exit(0 if r and r["reason"] == "client_deleted" and r["exact"] and
         r["relayed_transport"] == "tcp" and r["relayed"] == [w["relayed"]] and
         r["client"]["address"] == w["client"] and r["client"]["port"] == w["port"] and
         r["client"]["transport"] == "tcp" else 1)
PY
tp_check "no record id twice in the file" \
  python3 -c 'import json,sys; i=[json.loads(x)["id"] for x in open(sys.argv[1])]; print("# %d records" % len(i)); sys.exit(0 if len(i) == len(set(i)) else 1)' "$REC"

# Bad input: a file that cannot be written (a full disk), then rotation.
touch -d '40 days ago' "$REC.old.1"; touch "$REC.recent.1"
conf "$TP_TMP/dp.conf" /dev/full
tp_check "reload onto a full disk (/dev/full) is taken" tp_ctl reload
tp_uclient "the service goes on while records cannot be written" 60 -u u_full -w pw -m 1 -c \
  -n 10 -e 10.211.0.2 -r 3480 10.210.0.1
for _ in $(seq 50); do grep -q 'accounting: cannot write to /dev/full' "$TP_CP_LOG" && break; sleep 0.1; done
# spooled_stop USER: wait (10 s at most) for USER's stop record in the
# spool. uclient's end is not its record's: the stop comes once cp hears
# dp's last counters, and before it only the session's interim records
# (one a second) are spooled; a file made writable meanwhile would take
# the stop (and the spool drained before it) instead of the file the
# test looks in (CI's failure).
spooled_stop() {
  for _ in $(seq 100); do
    grep -q "\"type\":\"stop\".*\"user\":\"$1\"" "$TP_TMP/spool/usage.spool" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
spooled_stop u_full
tp_check "cp said why: $(grep -m1 -o 'accounting: cannot write to /dev/full: [^(]*' "$TP_CP_LOG")" \
  grep -q 'accounting: cannot write to /dev/full: No space left on device' "$TP_CP_LOG"
errs=$(tp_ctl --json status | python3 -c 'import json,sys; s=json.load(sys.stdin)["stats"]; print(s["acct_write_errors"], s["acct_records_spooled"], s["acct_records_lost"])')
tp_check "counted in status (acct_write_errors, acct_records_spooled, acct_records_lost: $errs), the stop record in the spool" \
  bash -c 'read -r e s l <<<"$0"; [ "$e" -gt 0 ] && [ "$s" -gt 0 ] && [ "$l" -eq 0 ] && grep -q "\"type\":\"stop\".*\"user\":\"u_full\"" "$1"' "$errs" "$TP_TMP/spool/usage.spool"
# A file cp may not write (its permissions: root too is refused an
# immutable file; where the file system has no such attribute, a read-only
# mount): the records wait in the spool, said and counted, and the
# service goes on.
mkdir -p "$TP_TMP/locked"; LOCKED=$TP_TMP/locked/usage.jsonl; : >"$LOCKED"
if chattr +i "$LOCKED" 2>/dev/null; then how=immutable; else
  mount --bind -o ro "$TP_TMP/locked" "$TP_TMP/locked"; how=read-only; fi
e0=$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["acct_write_errors"])')
conf "$TP_TMP/dp.conf" "$LOCKED"
tp_check "reload onto a file cp may not write ($how) is taken" tp_ctl reload
tp_uclient "the service goes on while the file refuses records" 60 -u u_locked -w pw -m 1 -c \
  -n 10 -e 10.211.0.2 -r 3480 10.210.0.1
for _ in $(seq 50); do grep -q "accounting: cannot [a-z ]*$LOCKED" "$TP_CP_LOG" && break; sleep 0.1; done
spooled_stop u_locked
tp_check "cp said why: $(grep -m1 -o "accounting: cannot [a-z ]*$LOCKED: [^(]*" "$TP_CP_LOG")" \
  grep -q -E "accounting: cannot [a-z ]*$LOCKED: (Operation not permitted|Read-only file system|Permission denied)" "$TP_CP_LOG"
e1=$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["acct_write_errors"])')
tp_check "counted (acct_write_errors $e0 -> $e1), the stop record in the spool" \
  bash -c '[ "$1" -gt "$0" ] && grep -q "\"type\":\"stop\".*\"user\":\"u_locked\"" "$2"' "$e0" "$e1" "$TP_TMP/spool/usage.spool"
if [ $how = immutable ]; then chattr -i "$LOCKED"; else umount "$TP_TMP/locked"; fi
mv "$REC" "$REC.1"
conf "$TP_TMP/dp.conf" "$REC"
tp_check "reload back to the file (rotated away meanwhile: made anew)" tp_ctl reload
tp_uclient "a session after the reload" 60 -u u_full -w pw -m 1 -c -n 10 -e 10.211.0.2 -r 3480 10.210.0.1
tp_check "its record is in the new file, after the spooled ones of the sessions before (nothing lost)" \
  bash -c 'for _ in $(seq 300); do [ "$(grep -c "\"type\":\"stop\".*\"user\":\"u_full\"" "$0")" -ge 2 ] && grep -q "\"type\":\"stop\".*\"user\":\"u_locked\"" "$0" && exit 0; sleep 0.1; done; exit 1' "$REC"
tp_check "the spool is empty again" test ! -s "$TP_TMP/spool/usage.spool"
tp_check "the rotated file past the retention (30 days) is removed, a recent one kept" \
  bash -c "[ ! -e '$REC.old.1' ] && [ -e '$REC.recent.1' ] && [ -e '$REC.1' ]"

tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
