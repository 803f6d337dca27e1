#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# systemd: the units meson install puts in place pass
# `systemd-analyze verify`; turnpike-dp and turnpike-cp speak sd_notify
# (Type=notify) to the socket systemd would give them: dp READY=1 once its
# ports and workers run, cp READY=1 once it serves, WATCHDOG=1 from cp's
# loop at half of WATCHDOG_USEC, STOPPING=1 when cp stops; dp WATCHDOG=1
# only while every worker makes progress (a worker stalled by the test hook
# TP_DP_TEST_STALL_WORKER stops the pings). No systemd is needed: datagram
# sockets of this test stand in for it.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
command -v systemd-analyze >/dev/null || tp_die "systemd-analyze missing"

dest=$TP_TMP/dest
meson install -C "$TP_BUILD" --no-rebuild --destdir "$dest" >"$TP_TMP/install.log" 2>&1
tp_check "meson install puts both units in place" test -n "$(find "$dest" -name turnpike-cp.service)" -a -n "$(find "$dest" -name turnpike-dp.service)"
# verify looks for ExecStart's binary: point it at the installed one.
mkdir -p "$TP_TMP/units"
for u in $(find "$dest" -name 'turnpike-*.service'); do
  bindir=$(sed -n 's#^ExecStart=\(.*\)/turnpike-[cd]p .*#\1#p' "$u")
  sed "s#^ExecStart=$bindir/#ExecStart=$dest$bindir/#" "$u" >"$TP_TMP/units/$(basename "$u")"
done
out=$(systemd-analyze verify "$TP_TMP/units/turnpike-dp.service" "$TP_TMP/units/turnpike-cp.service" 2>&1); rc=$?
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
tp_check "systemd-analyze verify passes on both units" test $rc -eq 0 -a -z "$out"
tp_check "both are Type=notify" test "$(grep -h '^Type=notify' "$TP_TMP"/units/*.service | wc -l)" = 2

# bash completion, installed beside them.
comp=$(find "$dest" -path '*bash-completion/completions/turnpikectl')
tp_check "meson install puts turnpikectl's bash completion in place" test -n "$comp"
tp_check "... it completes commands, subcommands and options" bash -c '
  source "$0"
  f() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _turnpikectl; echo "${COMPREPLY[*]}"; }
  [ "$(f turnpikectl us)" = users ] && [ "$(f turnpikectl --json users i)" = import-coturn ] &&
  [ "$(f turnpikectl -s /x secrets "")" = "add del list" ] && [ "$(f turnpikectl drain --al)" = --alternate ]' "$comp"

# The notify sockets: one line per datagram, stamped with the time seen.
tp_notify_listen() {
  python3 - "$1" "$2" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " ") + " @%.3f\n" % time.time())
PY
  for _ in $(seq 50); do [ -S "$1" ] && break; sleep 0.1; done
}
# pings in a log between two times (seconds since the epoch)
tp_pings() { awk -v a="$2" -v b="$3" '/^WATCHDOG=1/ { t = substr($NF, 2) + 0; if (t >= a && t < b) n++ } END { print n + 0 }' "$1"; }

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)"

# dp's watchdog: its one worker (on the main lcore) stalls 4 s after it
# starts; the pings must stop with it.
wsock=$TP_TMP/notify-dp.sock
tp_notify_listen "$wsock" "$TP_TMP/notify-dp.log"
wlistener=$!
NOTIFY_SOCKET=$wsock WATCHDOG_USEC=1000000 TP_DP_TEST_STALL_WORKER=0:4000 TP_DP_JOURNAL=1 tp_dp_start "$TP_TMP/dp.conf"
t0=$(date +%s.%N)
sleep 2.2
t1=$(date +%s.%N)
n=$(tp_pings "$TP_TMP/notify-dp.log" "$t0" "$t1")
echo "# dp: WATCHDOG=1 in 2.2 s while its worker runs: $n"
tp_check "dp: WATCHDOG=1 every half second while its worker runs (WATCHDOG_USEC=1 s)" test "$n" -ge 3 -a "$n" -le 6
for _ in $(seq 60); do grep -q 'worker 0 stalls now' "$TP_DP_LOG" && break; sleep 0.1; done
tp_check "dp: the test hook stalls worker 0" grep -q 'worker 0 stalls now' "$TP_DP_LOG"
# One look may still find the heartbeat moved since the look before the stall.
sleep 0.6
t2=$(date +%s.%N)
sleep 2.5
t3=$(date +%s.%N)
n=$(tp_pings "$TP_TMP/notify-dp.log" "$t2" "$t3")
echo "# dp: WATCHDOG=1 in 2.5 s with worker 0 stalled: $n"
tp_check "dp: no WATCHDOG=1 while a worker is stuck" test "$n" -eq 0
tp_check "dp: says which worker is stuck (a warning, <4>, in the journal)" grep -q '^<4>turnpike-dp: worker 0 made no progress .*WATCHDOG=1 withheld' "$TP_DP_LOG"
tp_check "journal: dp's info lines carry <6>" grep -q '^<6>turnpike-dp: running 1 worker' "$TP_DP_LOG"
tp_check "dp with a stalled worker still stops" tp_dp_stop
kill $wlistener 2>/dev/null; wait $wlistener 2>/dev/null

sock=$TP_TMP/notify.sock
tp_notify_listen "$sock" "$TP_TMP/notify.log"
listener=$!
NOTIFY_SOCKET=$sock tp_dp_start "$TP_TMP/dp.conf"
for _ in $(seq 50); do grep -q 'READY=1 STATUS=running' "$TP_TMP/notify.log" 2>/dev/null && break; sleep 0.1; done
tp_check "dp: READY=1 once its workers run" grep -q 'READY=1 STATUS=running 1 worker(s), 2 port(s)' "$TP_TMP/notify.log"
NOTIFY_SOCKET=$sock WATCHDOG_USEC=1000000 TP_CP_JOURNAL=1 tp_cp_start "$TP_TMP/dp.conf"
for _ in $(seq 50); do grep -q 'READY=1 STATUS=serving' "$TP_TMP/notify.log" && break; sleep 0.1; done
tp_check "cp: READY=1 once it serves" grep -q 'READY=1 STATUS=serving' "$TP_TMP/notify.log"
before=$(grep -c '^WATCHDOG=1' "$TP_TMP/notify.log")
sleep 2.2
after=$(grep -c '^WATCHDOG=1' "$TP_TMP/notify.log")
echo "# WATCHDOG=1 in 2.2 s: $((after - before))"
tp_check "cp: WATCHDOG=1 from its loop every half second (WATCHDOG_USEC=1 s)" test $((after - before)) -ge 3 -a $((after - before)) -le 6
# The journal (JOURNAL_STREAM is cp's stdout and stderr): each line opens
# with its syslog priority, "<N>" (sd-daemon(3)).
good=$(cat "$TP_TMP/dp.conf")
printf 'cp = { users = ( { name = "x"; ;\n' >>"$TP_TMP/dp.conf"
tp_ctl reload >/dev/null 2>&1
printf '%s\n' "$good" >"$TP_TMP/dp.conf"
sed 's/^/# /' "$TP_CP_LOG" | grep '<[0-7]>' | head -n 5
tp_check "journal: cp's lines carry their priority (notice: ready; info; error: a refused reload)" \
  bash -c 'grep -q "^<5>turnpike-cp: ready" "$0" && grep -q "^<6>turnpike-cp: shared memory" "$0" && grep -q "^<3>turnpike-cp: reload refused" "$0"' "$TP_CP_LOG"
tp_check "cp stops" tp_cp_stop
tp_check "cp: STOPPING=1" grep -q '^STOPPING=1' "$TP_TMP/notify.log"
kill $listener 2>/dev/null; wait $listener 2>/dev/null
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
