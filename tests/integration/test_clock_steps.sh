#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Clocks. Every lifetime in dp and cp runs on
# CLOCK_MONOTONIC; the wall clock only judges what is a wall time (TURN REST
# usernames carry a Unix time).
#   A. cp's wall clock stepped back an hour and forward an hour (libfaketime,
#      the monotonic clock left alone, as an NTP step or an operator's `date`
#      does): the allocation and its channel stay, with the lifetime they
#      had, and relay on; a REST username is judged by the stepped wall clock.
#      (On the wall clock the wheel's unsigned tick count would wrap and
#      every allocation expire at once.)
#   B. dp's TSC taken as running 10% fast (test hook): a 20 s permission
#      still admits a peer's datagram at 18.5 s, when dp alone would have
#      counted 20.3 s (keeping time by the TSC from its start, dp would
#      expire permissions early). After cp's 20 s, it admits none.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$FAKETIME_LIB" ] || tp_die "libfaketime is missing (tools/bootstrap installs faketime)"

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups '
  permission_lifetime = 20;')"
TP_DP_TEST_CLOCK_SKEW_PPM=100000 tp_dp_start "$TP_TMP/dp.conf"
tp_check "dp's clock hook is on (TSC taken as 10% slow: dp alone would run 10% fast)" \
  grep -q 'test hook: the TSC taken as running 100000 ppm slow' "$TP_DP_LOG"
echo "+0" > "$TP_TMP/faketime"
LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$TP_TMP/faketime FAKETIME_NO_CACHE=1 \
  FAKETIME_DONT_FAKE_MONOTONIC=1 ASAN_OPTIONS=verify_asan_link_order=0 \
  tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.211.0.2", 4000))
while True:
    d, a = s.recvfrom(4096)
    s.sendto(d, a)
' &
TP_PEER_PID=$!
tp_need tp_wait_listen "$TP_NS_P" udp 10.211.0.2 4000 "$TP_PEER_PID" "the UDP echo peer"

# B. dp's clock against cp's: a permission of 20 s (cp's lifetime), dp's TSC
# 10% off. At 18.5 s the peer and the client reach each other; at 21.5 s
# (cp expired the permission at 20 s) they do not. Mostly a wait: it runs
# in the background while A steps cp's wall clock (A looks only at its own
# allocation; B's is another client's).
ip netns exec "$TP_NS_C" python3 - "$LIB" >"$TP_TMP/b.out" 2>&1 <<'PY' &
import socket, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
fails = 0

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)),
          flush=True)
    fails += 0 if cond else 1

c = tc.Client("10.210.0.1")
check("allocate", c.allocate().cls == 2)
t0 = time.monotonic()
check("permission for the peer (20 s)", c.permission(("10.211.0.2", None)).cls == 2)
ip, port = c.relayed

def ask_peer_to_send():
    """A Send indication to the echoing peer: it answers our relayed
    address, and dp relays that back as a Data indication. Both ways need
    the permission dp holds."""
    c.send_indication("10.211.0.2", 4000, b"are you there")
    c.sock.settimeout(0.8)
    try:
        while True:
            d = c.recv()
            if d[:2] == b"\x00\x17":       # Data indication
                return True
    except socket.timeout:
        return False

time.sleep(max(0.0, 18.5 - (time.monotonic() - t0)))
at = time.monotonic() - t0
check("at %.1f s of a 20 s permission (dp alone would count %.1f s) the peer reaches the client"
      % (at, at * 1.1), ask_peer_to_send())
time.sleep(max(0.0, 21.5 - (time.monotonic() - t0)))
at = time.monotonic() - t0
check("at %.1f s the permission is gone: nothing reaches the client" % at, not ask_peer_to_send())
sys.exit(1 if fails else 0)
PY
b=$!

export TP_TMP TP_BUILD
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import base64, hashlib, hmac, json, os, socket, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp, build = os.environ["TP_TMP"], os.environ["TP_BUILD"]
fails = 0

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)),
          flush=True)
    fails += 0 if cond else 1

def allocations():
    out = subprocess.run([os.path.join(build, "cp/ctl/turnpikectl"), "--socket",
                          os.path.join(tmp, "cp.sock"), "--json", "allocations"],
                         capture_output=True, text=True).stdout
    if not out:
        return None
    # this client's own (B's allocation runs beside it)
    me = "10.210.0.2:%d" % c.sock.getsockname()[1]
    return [a for a in json.loads(out)["allocations"] if a.get("client") == me]

def relays(c, n=10):
    got = 0
    c.sock.settimeout(0.5)
    for i in range(n):
        c.channel_data(0x4001, b"tick %d" % i)
        try:
            got += c.recv()[:2] == b"\x40\x01"
        except socket.timeout:
            pass
    c.sock.settimeout(2.0)
    return got

def step(spec):
    with open(os.path.join(tmp, "faketime"), "w") as f:
        f.write(spec + "\n")
    time.sleep(1.5)     # cp's loop has run with the new wall clock for a while

c = tc.Client("10.210.0.1")
check("allocate", c.allocate(lifetime=600).cls == 2)
check("channel bind", c.channel_bind(0x4001, "10.211.0.2", 4000).cls == 2)
left0 = allocations()[0]["lifetime_left_s"]
for spec, what in (("-1h", "back an hour"), ("+1h", "forward an hour"), ("+0", "back to true")):
    step(spec)
    a = allocations()
    check("cp's wall clock %s: the allocation is still there" % what, a is not None and len(a) == 1, a)
    if a:
        check("... with the lifetime it had (%s s left, was %s)" % (a[0]["lifetime_left_s"], left0),
              left0 - 10 <= a[0]["lifetime_left_s"] <= left0, a[0])
        check("... and its channel", len(a[0]["channels"]) == 1, a[0])
    got = relays(c)
    check("... and it relays (%d of 10 back)" % got, got >= 9, got)

# REST usernames are judged by the wall clock: one valid for 30 minutes of
# true time is refused once cp's wall clock is an hour ahead.
user = "%d:clock" % (time.time() + 1800)
pw = base64.b64encode(hmac.new(b"test-secret", user.encode(), hashlib.sha1).digest()).decode()
r = tc.Client("10.210.0.1", user=user, password=pw)
check("a REST username valid for 30 min allocates", r.allocate().cls == 2)
step("+1h")
r2 = tc.Client("10.210.0.1", user=user, password=pw)
m = r2.allocate()
check("... and is refused (401) once cp's wall clock is an hour ahead", m.error() == 401, m.error())
step("+0")
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
wait $b; rc=$?
cat "$TP_TMP/b.out"
[ $rc -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
