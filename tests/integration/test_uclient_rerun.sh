#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# lib/uclient-rerun, the tests' turnutils_uclient: against stand-ins for
# coturn's client (scripts first in PATH), it runs a session again
# only after cp's "Channel Number Bound To Another Peer" or "Channel Number
# Out Of Range", and at most twice more;
# any other error, its exit code and its two output streams are the
# run's own; a signal to it reaches the client.
set -u
LIB=$(cd "$(dirname "$0")/lib" && pwd)
T=$(mktemp -d /tmp/tp-ucr.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
check()  { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

mkdir -p "$T/real" "$T/wrap"
ln -s "$LIB/uclient-rerun" "$T/wrap/turnutils_uclient"
# the stand-in: MODE from $T/mode; counts its runs in $T/runs
cat >"$T/real/turnutils_uclient" <<EOS
#!/bin/bash
n=\$(( \$(cat "$T/runs" 2>/dev/null || echo 0) + 1 )); echo \$n >"$T/runs"
echo "args: \$*"
case \$(cat "$T/mode") in
  once)  [ \$n = 1 ] && { echo "0: : channel bind: error 400 (Channel Number Bound To Another Peer)"; exit 255; }
         echo "tot_send_msgs=4, tot_recv_msgs=4"; echo "to stderr" >&2; exit 0 ;;
  always) echo "0: : channel bind: error 400 (Channel Number Bound To Another Peer)"; exit 255 ;;
  other) echo "0: : channel bind: error 400 (Peer Bound To Another Channel Number)"; exit 254 ;;
  range) [ \$n = 1 ] && { echo "0: : channel bind: error 400 (Channel Number Out Of Range)"; exit 255; }
         echo "tot_send_msgs=4, tot_recv_msgs=4"; exit 0 ;;
  plain) echo "0: : channel bind: error 400 (Bad Request)"; exit 253 ;;
  sleep) echo \$\$ >"$T/pid"; exec sleep 30 ;;
esac
EOS
chmod +x "$T/real/turnutils_uclient"
run() {   # run MODE ARGS...: the wrapper; sets out, err, rc, runs
  echo "$1" >"$T/mode"; rm -f "$T/runs"; shift
  PATH=$T/wrap:$T/real:$PATH turnutils_uclient "$@" >"$T/o" 2>"$T/e"; rc=$?
  out=$(cat "$T/o"); err=$(cat "$T/e"); runs=$(cat "$T/runs" 2>/dev/null || echo 0)
}

run once -u a -w "b c"
check "the collision: run once more (runs=$runs), its exit code 0 and summary" \
  test "$runs" = 2 -a "$rc" = 0
check "the rerun is said, the arguments are kept" \
  grep -q 'uclient-rerun: .*once more' <<<"$out"
check "the second run's arguments are the first's" \
  test "$(grep -c '^args: -u a -w b c$' <<<"$out")" = 1
check "stdout and stderr stay apart" test "$err" = "to stderr"
run always
check "the collision three times: not a fourth time, exit 255 (runs=$runs rc=$rc)" \
  test "$runs" = 3 -a "$rc" = 255
run other
check "the other 400 (peer on another number): not run again (runs=$runs rc=$rc)" \
  test "$runs" = 1 -a "$rc" = 254
run plain
check "a plain 400: not run again (runs=$runs rc=$rc)" test "$runs" = 1 -a "$rc" = 253
run range
reran() { [ "$runs" = 2 ] && [ "$rc" = 0 ] && grep -q 'uclient-rerun: .*0x7FFF' <<<"$out"; }
check "the reserved number 0x7FFF drawn: run once more, said (runs=$runs rc=$rc)" reran
echo sleep >"$T/mode"; rm -f "$T/runs" "$T/pid"
PATH=$T/wrap:$T/real:$PATH turnutils_uclient >/dev/null 2>&1 &
w=$!
for _ in $(seq 50); do [ -s "$T/pid" ] && break; sleep 0.1; done
kill -TERM "$w"; wait "$w"; rc=$?
sleep 0.2
pid=$(cat "$T/pid" 2>/dev/null)
gone() { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }
check "a TERM to it (a test's kill) ends the client too (pid ${pid:-?}, rc $rc)" gone
[ -n "$pid" ] && kill "$pid" 2>/dev/null
echo "1..9"
[ $fails -eq 0 ]
