#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Whose shared memory. turnpike-dp refuses a segment that
# group or others may use, or that another user owns (someone who made it
# before turnpike started could read relay keys and forge messages), and
# says which file, whose it is and what to do. With cp.user set, dp makes
# the segment that user's, mode 0600; turnpike-cp started as root runs as
# that user from its API socket on, the socket is that user's, turnpikectl
# (root) still talks to it, and cp too refuses a segment not that user's.
# An unknown cp.user is a configuration error naming file and line.
# One null port, no namespaces: dp only needs to get as far as TURN.
set -uo pipefail
b=${TP_BUILD:?TP_BUILD not set}
dp=$b/dp/turnpike-dp cp=$b/cp/turnpike-cp ctl=$b/cp/ctl/turnpikectl
fails=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
check()  { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
[ "$(id -u)" -eq 0 ] || { echo "Bail out! needs root (fchown, hugepages)"; exit 1; }
getent passwd nobody >/dev/null || { echo "Bail out! no user 'nobody'"; exit 1; }

id=tp-trust-$$
shm=/dev/shm/$id
tmp=$(mktemp -d /tmp/tp-test.XXXXXX)
dp_pid='' cp_pid=''
cleanup() {
  for p in $cp_pid $dp_pid; do
    kill -TERM "$p" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  if [ $fails -ne 0 ]; then
    for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "# ---- $f"; sed 's/^/# /' "$f"; }; done
  fi
  rm -f "$shm"
  rm -rf "$tmp"
}
trap cleanup EXIT

# conf FILE [CP_SETTING]
conf() {
  cat > "$1" <<CONF
dp = {
  eal = ["-l", "0", "--no-pci", "--in-memory", "--file-prefix", "$id",
         "--log-level", "lib.eal:warning"];
  workers = [0];
  idle_sleep_max_us = 1000;
  mbufs_per_worker = 2047;
  ports = ({ name = "null"; dev = "net_null0"; roles = ["access", "core"];
             ipv4 = "192.0.2.1/24"; });
};
turn = { realm = "trust.test"; ipc = "/$id"; relay_ports = [50000, 50999]; };
cp = {
  api_socket = "$tmp/cp.sock";
  users = ( { name = "t"; password = "t"; } );
  store = "none";   # not the shared default; cp runs as others here
  ${2:-}
};
CONF
}

# dp_start CONF: start dp and wait until it runs (0) or exits (1).
dp_start() {
  # emptied here, not by the background job's redirection: that runs in
  # the child, maybe after the first grep below, which then found the
  # last start's "running" (a check of the segment before dp made it,
  # seen under load)
  : > "$tmp/dp.log"
  "$dp" --config "$1" > "$tmp/dp.log" 2>&1 &
  dp_pid=$!
  for _ in $(seq 200); do
    grep -q 'turnpike-dp: running' "$tmp/dp.log" && return 0
    kill -0 "$dp_pid" 2>/dev/null || { dp_pid=''; return 1; }
    sleep 0.1
  done
  return 1
}
dp_stop() { kill -TERM "$dp_pid"; wait "$dp_pid"; dp_pid=''; }

# dp_refuses CONF LOG: dp exits non-zero without running (one that runs
# is stopped at once).
dp_refuses() {
  local pid rc
  : > "$2"
  "$dp" --config "$1" > "$2" 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || break
    if grep -q 'turnpike-dp: running' "$2"; then
      kill -TERM "$pid"; wait "$pid"
      return 1
    fi
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"; rc=$?
  [ $rc -ne 0 ] && [ $rc -ne 137 ]
}

owner_mode() { stat -c '%u %a' "$shm"; }

conf "$tmp/root.conf"
conf "$tmp/nobody.conf" 'user = "nobody";'

# 1. dp makes it: root's (no cp.user), 0600; it stays after dp stops.
check "dp starts and makes $shm" dp_start "$tmp/root.conf"
[ -n "$dp_pid" ] && dp_stop
check "the segment dp made is root's, mode 0600" test "$(owner_mode)" = "0 600"

# 2. Others may use it: refused, the message names the file and the fix.
chmod 0666 "$shm"
check "dp refuses $shm with mode 0666" dp_refuses "$tmp/root.conf" "$tmp/dp666.log"
check "... naming the file, its mode and how to remove it" \
  grep -q "$shm is not turnpike's: owned by uid 0 (root), mode 0666 .*rm $shm" "$tmp/dp666.log"

# 3. Another user's (mode 0600): refused, naming the owner.
chmod 0600 "$shm"
chown 65534:65534 "$shm"
check "dp refuses $shm owned by nobody" dp_refuses "$tmp/root.conf" "$tmp/dpother.log"
check "... naming the owner it has and the one it wants" \
  grep -q "$shm is not turnpike's: owned by uid 65534 (nobody), mode 0600; turnpike uses only a segment owned by uid 0 (root)" \
  "$tmp/dpother.log"

# 4. cp.user = nobody: dp gives the segment it makes to nobody; cp started
#    as root runs as nobody, its socket nobody's; turnpikectl (root) works.
rm -f "$shm"
check "dp starts with cp.user = nobody" dp_start "$tmp/nobody.conf"
check "the segment is nobody's, mode 0600" test "$(owner_mode)" = "65534 600"
: > "$tmp/cp.log"
"$cp" --config "$tmp/nobody.conf" > "$tmp/cp.log" 2>&1 &
cp_pid=$!
for _ in $(seq 300); do
  grep -q '^turnpike-cp: ready' "$tmp/cp.log" && break
  kill -0 "$cp_pid" 2>/dev/null || break
  sleep 0.1
done
check "cp started as root gets ready" grep -q '^turnpike-cp: ready' "$tmp/cp.log"
check "cp says it runs as nobody" grep -q "^turnpike-cp: running as 'nobody' (uid 65534, gid 65534)" "$tmp/cp.log"
check "cp's real, effective, saved uid and gid are nobody's" \
  bash -c "grep -Eq '^Uid:\s+65534\s+65534\s+65534\s+65534$' /proc/$cp_pid/status &&
           grep -Eq '^Gid:\s+65534\s+65534\s+65534\s+65534$' /proc/$cp_pid/status &&
           grep -Eq '^Groups:\s*65534\s*$' /proc/$cp_pid/status"
check "the API socket is nobody's" test "$(stat -c '%u' "$tmp/cp.sock")" = 65534
check "turnpikectl (root) is answered" "$ctl" --socket "$tmp/cp.sock" ready --wait 10
check "the segment is still nobody's, 0600" test "$(owner_mode)" = "65534 600"
kill -TERM "$cp_pid"; wait "$cp_pid"; rc=$?; cp_pid=''
check "cp stops with status 0" test $rc -eq 0

# 5. cp refuses a segment that is not cp.user's (here: root's).
chown 0:0 "$shm"
timeout 30 "$cp" --config "$tmp/nobody.conf" > "$tmp/cpother.log" 2>&1
check "cp (cp.user nobody) refuses $shm owned by root" test $? -ne 0
check "... naming the file and the owner it wants" \
  grep -q "$shm is not turnpike's: owned by uid 0 (root), mode 0600; turnpike uses only a segment owned by uid 65534 (nobody)" \
  "$tmp/cpother.log"
dp_stop

# 6. An unknown cp.user is a configuration error with file and line.
conf "$tmp/nosuch.conf" "user = \"tp-no-such-user\";"
out=$("$cp" --config "$tmp/nosuch.conf" --check 2>&1); rc=$?
line=$(grep -n 'user = "tp-no-such-user"' "$tmp/nosuch.conf" | cut -d: -f1)
want="$tmp/nosuch.conf:$line: cp.user 'tp-no-such-user': no such user on this system"
check "cp --check refuses an unknown cp.user naming file and line" \
  test $rc -ne 0 -a "${out#*"$want"}" != "$out"

[ $fails -eq 0 ]
