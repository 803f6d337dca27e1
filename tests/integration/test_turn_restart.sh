#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Either process may restart. cp killed mid-stream (SIGKILL): not one relayed
# packet is lost; a new cp learns the allocation back from dp (turnpikectl
# shows it with its channel) and its lifetime still expires on time. dp
# restarted: cp installs the allocation into the new dp and the client keeps
# its relayed address and its channel.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups '
  lifetime_default = 8; lifetime_max = 8;')"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
export TP_NS_P TP_TMP TP_CP_PID TP_BUILD
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

# Phase 1: cp dies in the middle of a stream and comes back.
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import json, os, signal, socket, subprocess, sys, threading, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp, build = os.environ["TP_TMP"], os.environ["TP_BUILD"]
sock = os.path.join(tmp, "cp.sock")
fails = 0

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)), flush=True)
    fails += 0 if cond else 1

def stream(c, seconds, gap=0.01):
    """ChannelData to the echoing peer; returns (sent, received)."""
    sent = got = 0
    end = time.time() + seconds
    c.sock.settimeout(0.5)
    while time.time() < end:
        c.channel_data(0x4001, b"m%06d" % sent)
        sent += 1
        try:
            d = c.recv()
            got += d[:2] == b"\x40\x01"
        except socket.timeout:
            pass
        time.sleep(gap)
    c.sock.settimeout(2.0)
    return sent, got

def allocations():
    out = subprocess.run([os.path.join(build, "cp/ctl/turnpikectl"), "--socket", sock,
                          "--json", "allocations"], capture_output=True, text=True).stdout
    return json.loads(out)["allocations"] if out else None

c = tc.Client("10.210.0.1")
check("allocate", c.allocate().cls == 2)
t_alloc = time.time()
check("channel bind", c.channel_bind(0x4001, "10.211.0.2", 4000).cls == 2)

result = {}
def run():
    result["v"] = stream(c, 3.0)
t = threading.Thread(target=run)
t.start()
time.sleep(1.0)
os.kill(int(os.environ["TP_CP_PID"]), signal.SIGKILL)
t.join()
sent, got = result["v"]
check("cp killed mid-stream: %d sent, %d relayed back, none lost" % (sent, got),
      sent > 100 and got == sent, (sent, got))

log = open(os.path.join(tmp, "cp2.log"), "w")
cp = subprocess.Popen([os.path.join(build, "cp/turnpike-cp"), "--config",
                       os.path.join(tmp, "dp.conf")], stdout=log, stderr=log)
open(os.path.join(tmp, "cp2.pid"), "w").write(str(cp.pid))
for _ in range(100):
    time.sleep(0.1)
    if os.path.exists(sock):
        try:
            a = allocations()
            if a:
                break
        except Exception:
            pass
a = allocations()
check("the new cp learnt the allocation back from dp", a is not None and len(a) == 1, a)
if a:
    a = a[0]
    check("... with its channel and peer", a["channels"] and a["channels"][0]["channel"] == "0x4001"
          and a["peers"][0]["peer"] == "10.211.0.2", a)
    left = a["lifetime_left_s"]
    want = 8 - (time.time() - t_alloc)
    check("... and the lifetime it had (%s s left, about %.1f expected)" % (left, want),
          abs(left - want) <= 1.5, left)
sent, got = stream(c, 0.5)
check("relaying goes on under the new cp", got == sent and sent > 10, (sent, got))

# Lifetimes still expire: the allocation goes 8 s after it was made.
gone = None
while time.time() < t_alloc + 11:
    if allocations() == []:
        gone = time.time() - t_alloc
        break
    time.sleep(0.1)
check("the restored allocation expired on time (%s s after Allocate, 8 expected)" %
      ("%.2f" % gone if gone else "never"), gone is not None and 7.0 <= gone <= 9.2)
cp.send_signal(signal.SIGTERM)
check("the new cp stops cleanly", cp.wait(10) == 0)
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
TP_CP_PID=

# Phase 2: dp restarts under a live allocation.
tp_cp_start "$TP_TMP/dp.conf"
rm -f "$TP_TMP/ready" "$TP_TMP/go"
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY' &
import os, socket, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = os.environ["TP_TMP"]
c = tc.Client("10.210.0.1")
ok = c.allocate().cls == 2 and c.channel_bind(0x4002, "10.211.0.2", 4000).cls == 2
relayed = c.relayed
open(os.path.join(tmp, "ready"), "w").write("%s %s:%d\n" % (ok, *relayed))
while not os.path.exists(os.path.join(tmp, "go")):
    time.sleep(0.1)
got = 0
for i in range(50):
    c.channel_data(0x4002, b"after restart %d" % i)
    try:
        d = c.recv()
        got += d[:2] == b"\x40\x02"
    except socket.timeout:
        pass
m = c.refresh(8)
open(os.path.join(tmp, "result"), "w").write("%d %s\n" % (got, m.cls == 2))
PY
client=$!
for _ in $(seq 100); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
tp_check "an allocation with a channel before dp restarts" grep -q '^True ' "$TP_TMP/ready"
before=$(tp_ctl --json allocations)
tp_check "dp stops" tp_dp_stop
# The taps went with dp; the namespaces and the client's socket stay. The
# new dp makes new taps, which go into the same namespaces.
tp_dp_start "$TP_TMP/dp.conf" 2>/dev/null
for _ in $(seq 50); do grep -q 'dp restarted' "$TP_CP_LOG" && break; sleep 0.1; done
tp_check "cp saw dp restart and installed the allocation again" grep -q 'dp restarted (epoch 2): installing 1 allocation' "$TP_CP_LOG"
touch "$TP_TMP/go"
for _ in $(seq 100); do [ -f "$TP_TMP/result" ] && break; sleep 0.1; done
wait "$client"
tp_check "the client's channel relays through the new dp ($(cut -d' ' -f1 "$TP_TMP/result" 2>/dev/null)/50 back)" \
  grep -Eq '^(4[5-9]|50) ' "$TP_TMP/result"
tp_check "the client refreshes its allocation with the new dp" grep -q ' True$' "$TP_TMP/result"
after=$(tp_ctl --json allocations)
tp_check "turnpikectl shows the same allocation and relayed address after dp restarted" python3 - "$before" "$after" <<'PY'
import json, sys
b, a = json.loads(sys.argv[1])["allocations"], json.loads(sys.argv[2])["allocations"]
assert len(b) == 1 and len(a) == 1, (b, a)
assert a[0]["id"] == b[0]["id"] and a[0]["relayed"] == b[0]["relayed"], (b, a)
PY
st=$(tp_stats "turn worker=0")
tp_check "the new dp holds the allocation" test "$(tp_stat "$st" allocations)" -eq 1
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
