#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What clients see while turnpike-cp starts, restarts or is gone.
# dp holds requests for cp back until cp says it is ready (its tables built,
# dp's state taken back); clients that retransmit as RFC 8489 §6.2.1 says
# succeed as soon as it is. Nothing here depends on the machine's speed: cp
# is slowed down on purpose (TP_CP_TEST_START_DELAY_MS), and a thousand
# clients, more than the ring to cp holds, start at once while it is.
#   A. cold start: dp runs, cp starts 3 s late, 1080 clients allocate at
#      once: every one succeeds, by retransmission, none sees a 500.
#   B. restart: cp stops and a new one starts 2 s late; a client with an
#      allocation refreshes it and a new client allocates meanwhile: both
#      succeed, a little late; what they saw is printed.
#   C. gone: cp killed and not back within turn.cp_grace (8 s here): an
#      Allocate is answered 500 at once (the client can go elsewhere); a cp
#      that comes back serves again.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups 'quota_user = 0;')"
sed -i -e 's|^turn = { realm|turn = { cp_grace = 8; realm|' \
  -e 's|relay_ports = \[50000, 50999\]|relay_ports = [50000, 52999]|' "$TP_TMP/dp.conf"
grep -q 'cp_grace = 8.*relay_ports = \[50000, 52999\]' "$TP_TMP/dp.conf" ||
  tp_die "could not set turn.cp_grace and relay_ports"
tp_dp_start "$TP_TMP/dp.conf"
# 60 source addresses for the swarm (the challenge limiter allows each a
# burst of 20), and a few for single clients.
for i in $(seq 10 75); do ip -n "$TP_NS_C" addr add "10.210.0.$i/24" dev "$TP_IF_A"; done

# ---- A. cold start, cp 3 s late ---------------------------------------------
TP_CP_LOG=$TP_TMP/cp.a.log
TP_CP_TEST_START_DELAY_MS=3000 "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/dp.conf" \
  >"$TP_CP_LOG" 2>&1 &
TP_CP_PID=$!
t0=$(date +%s.%N)
out=$(ip netns exec "$TP_NS_C" python3 "$LIB/turnswarm.py" 10.210.0.1 \
        --sources 10.210.0.10-69 --clients 1080)
t1=$(date +%s.%N)
echo "# swarm during a cold start: $out ($(python3 -c "print('%.1f' % ($t1 - $t0))") s)"
echo "# $(grep '^turnpike-cp: ready' "$TP_CP_LOG")"
ready_ms=$(sed -n 's/^turnpike-cp: ready \([0-9]*\) ms after start.*/\1/p' "$TP_CP_LOG")
tp_check "cp said it was ready only after its (delayed) start: ${ready_ms:-never} ms" \
  test "${ready_ms:-0}" -ge 3000
tp_check "1080 clients allocating while cp starts: every one succeeds" \
  python3 -c "import json,sys; r=json.loads(sys.argv[1]); sys.exit(not (r['ok'] == 1080 and r['failed'] == 0))" "$out"
tp_check "... by retransmission (every client sent its first Allocate more than once)" \
  python3 -c "import json,sys; r=json.loads(sys.argv[1]); sys.exit(not (r['retransmits'] >= 1080 and '2' not in r['sends_per_client']))" "$out"
st=$(tp_stats "turn worker=0")
tp_check "dp held requests back while cp was not ready (cp_wait=$(tp_stat "$st" cp_wait)) and answered no 500 (cp_gone=$(tp_stat "$st" cp_gone))" \
  test "$(tp_stat "$st" cp_wait)" -ge 1080 -a "$(tp_stat "$st" cp_gone)" -eq 0
tp_check "dp holds the 1080 allocations" test "$(tp_stat "$st" allocations)" -eq 1080
tp_check "turnpikectl ready: cp serves, dp runs" tp_ctl ready

# One cp a segment: a second one, started by mistake beside a serving one,
# would take the rings from under it and publish its nonce key under the
# first one's epoch. It refuses and names the one that serves.
"$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/dp.conf" >"$TP_TMP/cp2.log" 2>&1 &
cp2=$!
for _ in $(seq 100); do kill -0 "$cp2" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$cp2" 2>/dev/null; then kill -KILL "$cp2"; cp2_rc=running; else wait "$cp2"; cp2_rc=$?; fi
echo "# second cp: exit $cp2_rc: $(grep -m1 another "$TP_TMP/cp2.log")"
tp_check "a second cp beside a serving one exits with an error" \
  test "$cp2_rc" != running -a "$cp2_rc" != 0
tp_check "... naming the cp that serves (pid $TP_CP_PID)" \
  grep -q "another turnpike-cp (pid $TP_CP_PID) serves" "$TP_TMP/cp2.log"
tp_check "... and the first still serves" tp_ctl ready

# ---- B. a restart, the new cp 2 s late ---------------------------------------
rm -f "$TP_TMP/b.go" "$TP_TMP/b.ready" "$TP_TMP/b.out"
export TP_TMP
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY' &
import os, sys, threading, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = os.environ["TP_TMP"]
old = tc.Client("10.210.0.1", bind=("10.210.0.70", 0))
ok = old.allocate().cls == 2
open(os.path.join(tmp, "b.ready"), "w").write("%s\n" % ok)
new = tc.Client("10.210.0.1", bind=("10.210.0.71", 0))
# A client that got its nonce (dp's 401) before the restart and sends its
# authenticated Allocate after it: the new cp kept the old one's key.
keep = tc.Client("10.210.0.1", bind=("10.210.0.72", 0))
m = keep._exchange(keep.build(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, b"\x11\0\0\0")], auth=False))
keep.realm, keep.nonce = m.get(tc.A_REALM).decode(), m.get(tc.A_NONCE)
while not os.path.exists(os.path.join(tmp, "b.go")):
    time.sleep(0.02)
res = {}
def alloc():
    t = time.monotonic()
    a = new.allocate()
    res["a"] = (a.cls == 2, new.retransmits, time.monotonic() - t)
th = threading.Thread(target=alloc)
th.start()
t = time.monotonic()
r = old.refresh(600)
refresh = (r.cls == 2, old.retransmits, time.monotonic() - t)
th.join()
m = keep._exchange(keep.build(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, b"\x11\0\0\0")]))
kept = "%d" % (m.error() or 200)
open(os.path.join(tmp, "b.out"), "w").write("%s %d %.2f %s %d %.2f %s\n" % (refresh + res["a"] + (kept,)))
PY
client=$!
for _ in $(seq 100); do [ -f "$TP_TMP/b.ready" ] && break; sleep 0.1; done
tp_check "an allocation before the restart" grep -q True "$TP_TMP/b.ready"
tp_check "cp stops" tp_cp_stop
TP_CP_LOG=$TP_TMP/cp.b.log
TP_CP_TEST_START_DELAY_MS=2000 "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/dp.conf" \
  >"$TP_CP_LOG" 2>&1 &
TP_CP_PID=$!
touch "$TP_TMP/b.go"
wait "$client"
read -r r_ok r_rt r_s a_ok a_rt a_s kept < "$TP_TMP/b.out"
echo "# during the restart: Refresh answered after $r_s s and $r_rt retransmission(s); a new Allocate after $a_s s and $a_rt retransmission(s)"
tp_check "a Refresh sent while cp restarts succeeds, by retransmission ($r_rt, $r_s s)" \
  test "$r_ok" = True -a "$r_rt" -ge 1
tp_check "an Allocate sent while cp restarts succeeds, by retransmission ($a_rt, $a_s s)" \
  test "$a_ok" = True -a "$a_rt" -ge 1
grep -q 'allocation(s) taken back from dp' "$TP_CP_LOG" &&
  tp_ok "the new cp took dp's state back: $(sed -n 's/^turnpike-cp: ready //p' "$TP_CP_LOG")" ||
  tp_not_ok "the new cp took dp's state back"
tp_check "a nonce given before the restart authenticates after it, at once (answer $kept; with a new key it was 438)" \
  test "$kept" = 200
tp_check "... the new cp kept the old one's nonce key" \
  grep -q 'kept the nonce key of the cp before' "$TP_CP_LOG"
tp_check "... all 1081 allocations of before the restart" \
  grep -q 'ready [0-9]* ms after start, 108[12] allocation' "$TP_CP_LOG"

# ---- C. cp gone for longer than turn.cp_grace ------------------------------
kill -KILL "$TP_CP_PID"; wait "$TP_CP_PID" 2>/dev/null; TP_CP_PID=
sleep 9.5    # 1 s until dp takes cp for gone, then 8 s of grace
ip netns exec "$TP_NS_C" python3 - "$LIB" > "$TP_TMP/c.out" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client("10.210.0.1", bind=("10.210.0.72", 0))
t = time.monotonic()
m = c.allocate()
print(m.error(), c.retransmits, "%.2f" % (time.monotonic() - t))
PY
read -r code rt took < "$TP_TMP/c.out"
echo "# cp gone past the grace: Allocate answered $code after $took s ($rt retransmissions)"
tp_check "cp gone past turn.cp_grace: an Allocate gets 500 at once" \
  test "$code" = 500 -a "$rt" -eq 0
st=$(tp_stats "turn worker=0")
tp_check "... counted (cp_gone=$(tp_stat "$st" cp_gone))" test "$(tp_stat "$st" cp_gone)" -ge 1
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_C" python3 - "$LIB" > "$TP_TMP/c2.out" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
print(tc.Client("10.210.0.1", bind=("10.210.0.73", 0)).allocate().cls)
PY
tp_check "a cp that is back serves again" grep -q '^2$' "$TP_TMP/c2.out"
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
