#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cp's user store (cp.store, SQLite): users and REST secrets
# added with turnpikectl are written through to the database and are there
# after a cp restart, where coturn's turnutils_uclient authenticates and
# relays with them; the configuration file's users stay read-only; two
# turnpikectl writing at once lose nothing; a lock held by another process
# is a clear error that changes nothing; a damaged or foreign file stops cp
# with the reason and is left as it was. Then a coturn database made with
# coturn's own turnadmin is imported (turnpikectl users import-coturn): its
# users (their MD5 keys as they are) and secret authenticate, before and
# after a restart.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
. "$(dirname "$0")/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
command -v turnadmin >/dev/null || tp_die "turnadmin missing (tools/bootstrap installs coturn)"

db=$TP_TMP/state/users.db
mkdir -p "$TP_TMP/state"
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups "store = \"$db\";")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp made the store on first start" test -s "$db"
tp_check "... readable by its owner only" test "$(stat -c %a "$db")" = 600
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

# uclient NAME ARGS...: a client batch through turnpike; every message
# back (lib/uclient.sh).
uclient() {
  local what=$1; shift
  tp_uclient "$what" 60 -e 10.211.0.2 -r 3480 "$@" 10.210.0.1
}
# uclient_bg NAME ARGS...: the same in the background, judged (in the
# order started) by tp_uclient_judge
uclient_bg() {
  local what=$1; shift
  tp_uclient_bg "$what" 60 -e 10.211.0.2 -r 3480 "$@" 10.210.0.1
}
# refused NAME ARGS...: the client gets no allocation.
refused() {
  local what=$1; shift
  local out
  out=$(ip netns exec "$TP_NS_C" timeout 20 turnutils_uclient -e 10.211.0.2 -r 3480 "$@" -m 1 -c -n 2 10.210.0.1 2>&1)
  tp_check "$what" bash -c "! grep -q 'tot_recv_msgs=[1-9]' <<<\"\$0\"" "$out"
}
ctl_fails_with() {   # ctl_fails_with WORDS ARGS...: fails, WORDS on stderr
  local words=$1 err; shift
  err=$(tp_ctl "$@" 2>&1 >/dev/null) && return 1
  grep -q -- "$words" <<<"$err" || { echo "# said: $err"; return 1; }
}
users() { tp_ctl users list | sort; }

tp_check "turnpikectl users add" tp_ctl users add newbie s3cret
tp_check "turnpikectl secrets add" tp_ctl secrets add stored-secret
tp_check "the user is in the database as a key, not a password" \
  bash -c "sqlite3 '$db' \"SELECT hmackey FROM turnusers_lt WHERE name='newbie' AND realm='turnpike.test'\" | grep -qx \"\$(printf 'newbie:turnpike.test:s3cret' | md5sum | cut -c1-32)\" && ! grep -qa s3cret '$db'"
tp_check "a user of the configuration file cannot be deleted here" \
  ctl_fails_with "read-only" users del test
tp_check "... nor changed" ctl_fails_with "read-only" users add test newpw
tp_check "a secret of the configuration file cannot be deleted here" \
  ctl_fails_with "read-only" secrets del test-secret

# Two writers at once: every user of both is there.
( for i in $(seq 20); do tp_ctl users add "w1-$i" "pw1-$i" >/dev/null || echo "w1-$i failed"; done ) >"$TP_TMP/w1.out" 2>&1 &
w1=$!
( for i in $(seq 20); do tp_ctl users add "w2-$i" "pw2-$i" >/dev/null || echo "w2-$i failed"; done ) >"$TP_TMP/w2.out" 2>&1 &
w2=$!
wait $w1; wait $w2
tp_check "two turnpikectl writing at once: no write failed" test ! -s "$TP_TMP/w1.out" -a ! -s "$TP_TMP/w2.out"
tp_check "... all 40 users in the database" test "$(sqlite3 "$db" "SELECT count(*) FROM turnusers_lt WHERE name LIKE 'w_-%'")" = 40

# A lock held by another process: a clear error, nothing changed, and
# the same command works once the lock is gone.
python3 - "$db" "$TP_TMP/locked" <<'PY' &
import sqlite3, sys, time, os
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(3)
c.execute("ROLLBACK")
PY
locker=$!
for _ in $(seq 50); do [ -e "$TP_TMP/locked" ] && break; sleep 0.1; done
tp_check "a locked store: turnpikectl users add says so" ctl_fails_with "locked by another process" users add locked lockedpw
tp_check "... and the user is not there" bash -c "! \"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" users list | grep -qx locked"
refused "... and cannot authenticate" -u locked -w lockedpw
wait $locker
tp_check "the lock gone, the same add works" tp_ctl users add locked lockedpw

# cp restarts: what turnpikectl added is there and authenticates.
tp_check "cp stops" tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
tp_check "after a cp restart the users are back" bash -c "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" users list | grep -c -e '^newbie\$' -e '^locked\$' -e '^w[12]-' | grep -qx 42"
tp_check "... and the secret" test "$(tp_ctl secrets list | wc -l)" = 2
# (two clients at once: lib/uclient.sh)
uclient_bg "a user added with turnpikectl relays after a cp restart" -u newbie -w s3cret -m 2 -c -n 10
uclient_bg "a REST secret added with turnpikectl works after a cp restart" -W stored-secret -u resty -m 1 -c -n 10
tp_uclient_judge
refused "a wrong password for a stored user is refused" -u newbie -w wrong
tp_check "turnpikectl users del" tp_ctl users del w1-1
tp_check "... gone from the database" test "$(sqlite3 "$db" "SELECT count(*) FROM turnusers_lt WHERE name='w1-1'")" = 0
tp_check "turnpikectl secrets del" tp_ctl secrets del stored-secret
tp_check "... gone from the database" test "$(sqlite3 "$db" "SELECT count(*) FROM turn_secret")" = 0

# coturn's database, made by coturn's turnadmin: imported, authenticates.
cdb=$TP_TMP/coturn.db
# turnadmin leaves a log file per run in /var/log (turn_<pid>_<date>.log,
# no option to say otherwise): its runs' files are removed again.
turnadmin_() {
  local out
  out=$(turnadmin "$@" 2>&1)
  sed -n 's/.*log file opened: \(\/var\/log\/turn_[0-9]*_[0-9-]*\.log\).*/\1/p' <<<"$out" | xargs -r rm -f
}
turnadmin_ -a -b "$cdb" -u alice -r turnpike.test -p alicepw
turnadmin_ -a -b "$cdb" -u bert -r turnpike.test -p bertpw
turnadmin_ -a -b "$cdb" -u zed -r elsewhere.test -p zedpw
turnadmin_ -s coturn-secret -b "$cdb" -r turnpike.test
tp_check "turnadmin made a coturn database" test "$(sqlite3 "$cdb" 'SELECT count(*) FROM turnusers_lt')" = 3
before=$(md5sum <"$cdb")
out=$(tp_ctl users import-coturn "$cdb" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
tp_check "turnpikectl users import-coturn" test $rc -eq 0
tp_check "... 2 users and 1 secret of this realm, 1 of another realm skipped" \
  bash -c "grep -q 'imported 2 user(s) and 1 REST secret(s)' <<<\"\$0\" && grep -q 'skipped 1 user(s) of other realms' <<<\"\$0\"" "$out"
tp_check "... coturn's file untouched" test "$(md5sum <"$cdb")" = "$before"
tp_check "... the keys stored as coturn had them" test \
  "$(sqlite3 "$db" "SELECT hmackey FROM turnusers_lt WHERE name='alice'")" = \
  "$(sqlite3 "$cdb" "SELECT hmackey FROM turnusers_lt WHERE name='alice'")"
uclient_bg "an imported coturn user relays" -u alice -w alicepw -m 2 -c -n 10
uclient_bg "an imported coturn REST secret works" -W coturn-secret -u imported -m 1 -c -n 10
tp_uclient_judge
refused "an imported user with a wrong password is refused" -u bert -w alicepw
tp_check "a file that is not coturn's database is refused" \
  ctl_fails_with "not a coturn user database" users import-coturn /dev/null
tp_check "cp refuses keys made for another realm (users.import)" python3 - "$TP_TMP/cp.sock" <<'PY2'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(json.dumps({"cmd": "users.import", "realm": "elsewhere.test",
    "users": [{"name": "zed", "hmackey": "00" * 16}]}).encode())
s.shutdown(socket.SHUT_WR)
d = json.loads(b"".join(iter(lambda: s.recv(65536), b"")))
assert d["ok"] is False and "realm" in d["error"], d
PY2
tp_check "... and zed is not a user" bash -c "! \"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" users list | grep -qx zed"
tp_check "cp stops" tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
uclient "an imported user relays after a cp restart" -u bert -w bertpw -m 1 -c -n 10

# What cp refuses to start on, naming the reason, leaving the file.
tp_check "cp stops" tp_cp_stop
start_fails() {   # start_fails FILE WORDS: cp with store = FILE exits, says WORDS
  local conf=$TP_TMP/bad.conf log=$TP_TMP/bad.log sum
  tp_write_conf "$conf" "0" "" "" "" "$(tp_turn_groups "store = \"$1\";")"
  sum=$(md5sum <"$1")
  timeout 20 "$TP_BUILD/cp/turnpike-cp" --config "$conf" >"$log" 2>&1 && return 1
  grep -q -- "$2" "$log" || { sed 's/^/# /' "$log"; return 1; }
  test "$(md5sum <"$1")" = "$sum" || { echo "# the file changed"; return 1; }
}
printf 'not a database at all, a note someone left here\n' >"$TP_TMP/junk.db"
tp_check "a store that is not a database: cp does not start, says why, file untouched" \
  start_fails "$TP_TMP/junk.db" "not a database"
cp "$db" "$TP_TMP/damaged.db"
size=$(stat -c %s "$TP_TMP/damaged.db")
dd if=/dev/urandom of="$TP_TMP/damaged.db" bs=1 seek=$((size / 2)) count=2048 conv=notrunc 2>/dev/null
tp_check "a damaged store: cp does not start, says why, file untouched" \
  start_fails "$TP_TMP/damaged.db" "damaged"
tp_check "coturn's own database as the store: refused, import-coturn named" \
  start_fails "$cdb" "import-coturn"

# Where the store lives must be ours: a symbolic link planted where the
# store goes, or a folder another user made, stops cp, named, untouched.
cp "$db" "$TP_TMP/target.db"
ln -s "$TP_TMP/target.db" "$TP_TMP/link.db"
tp_check "a symbolic link as the store: cp does not start, says why, target untouched" \
  start_fails "$TP_TMP/link.db" "is a symbolic link"
mkdir -p "$TP_TMP/theirs"; cp "$db" "$TP_TMP/theirs/users.db"; chown -R nobody "$TP_TMP/theirs"
tp_check "a store folder of another user's: cp does not start, says whose" \
  start_fails "$TP_TMP/theirs/users.db" "folder $TP_TMP/theirs belongs to uid $(id -u nobody)"

tp_write_conf "$TP_TMP/check.conf" "0" "" "" "" "$(tp_turn_groups "store = \"$TP_TMP/state/new.db\";")"
tp_check "turnpike-cp --check with a store not there yet: OK, and makes none" bash -c "\"$TP_BUILD/cp/turnpike-cp\" --config \"$TP_TMP/check.conf\" --check | grep -q 'does not exist yet' && [ ! -e \"$TP_TMP/state/new.db\" ]"

# cp.user: the store's folder must be writable by that user (SQLite's
# journal): a root-only folder stops cp at start, with the fix named.
mkdir -p "$TP_TMP/rootonly"; chmod 0755 "$TP_TMP/rootonly"
chmod 0755 "$TP_TMP"
tp_write_conf "$TP_TMP/nobody.conf" "0" "" "" "" "$(tp_turn_groups "store = \"$TP_TMP/rootonly/users.db\"; user = \"nobody\";")"
out=$(timeout 20 "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/nobody.conf" 2>&1); rc=$?
echo "# $out" | head -n 2
tp_check "cp.user with a store folder it cannot write: cp does not start, names the fix" \
  bash -c "[ $rc -ne 0 ] && grep -q 'not writable by cp.user .nobody.*chown nobody' <<<\"\$0\" && [ ! -e '$TP_TMP/rootonly/users.db' ]" "$out"
chmod 0700 "$TP_TMP"

kill "$TP_PEER_PID" 2>/dev/null; wait "$TP_PEER_PID" 2>/dev/null; TP_PEER_PID=
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
