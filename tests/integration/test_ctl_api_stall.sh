#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Stalled operator connections must not stall the control plane.
# dp + cp on taps; a TURN client (lib/turnclient.py) times 40
# Allocates with the operator API idle, then 40 more while four operator
# connections sit on half a request (each reconnects when cp closes it at
# its deadline) and a fifth drips a status request one byte per 100 ms.
# Every Allocate must be answered within 200 ms in both phases (the old
# cp read each request with a 1 s timeout inside its loop: 4 s), the
# dripped requests are answered, turnpikectl status answers meanwhile,
# and cp's status counts the connections it timed out.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
export TP_TMP TP_BUILD

ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import json, os, socket, subprocess, sys, threading, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp, build = os.environ["TP_TMP"], os.environ["TP_BUILD"]
sock_path = os.path.join(tmp, "cp.sock")
ctl = os.path.join(build, "cp/ctl/turnpikectl")
LIMIT_MS = 200.0
fails = 0

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)),
          flush=True)
    fails += 0 if cond else 1

clients = []   # kept open: a reused port would be an allocation mismatch (437)

def allocate_ms():
    """One Allocate (the 401 challenge and the authenticated request) from
    a fresh client port; its time in ms, or None if it was not granted."""
    c = tc.Client("10.210.0.1", timeout=3.0)
    clients.append(c)
    t0 = time.monotonic()
    try:
        m = c.allocate()
    except socket.timeout:
        return None
    ms = (time.monotonic() - t0) * 1000.0
    if m.cls != 2:
        print("# Allocate refused: %s" % m.error(), flush=True)
        return None
    return ms

def phase(n=40, gap=0.1, budget_s=20.0):
    """n Allocates, gap apart; stops early past budget_s (a stalled cp
    takes seconds each: the test should fail, not time out)."""
    out = []
    end = time.monotonic() + budget_s
    for _ in range(n):
        out.append(allocate_ms())
        if time.monotonic() > end:
            break
        time.sleep(gap)
    return out

def summary(lat):
    ok = sorted(x for x in lat if x is not None)
    if not ok:
        return "none granted"
    return "granted %d/%d, median %.1f ms, max %.1f ms" % (
        len(ok), len(lat), ok[len(ok) // 2], ok[-1])

stop = threading.Event()
stalls = {"connections": 0}
drips = {"answered": 0, "failed": 0}

def stalled(i):
    """Half a request, then wait; reconnect when cp closes it."""
    while not stop.is_set():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sock_path)
            s.sendall(b'{"cmd": "sta')
            stalls["connections"] += 1
            s.settimeout(0.1)
            while not stop.is_set():
                try:
                    if s.recv(4096) == b"":
                        break
                except socket.timeout:
                    continue
        except OSError:
            time.sleep(0.05)
        finally:
            s.close()

def slow_drip():
    """A status request one byte per 100 ms (1.6 s: inside cp's 2 s)."""
    req = b'{"cmd":"status"}'
    while not stop.is_set():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sock_path)
            for b in req:
                s.send(bytes([b]))
                time.sleep(0.1)
            s.shutdown(socket.SHUT_WR)
            s.settimeout(3.0)
            data = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                data += d
            ok = json.loads(data).get("ok") is True
            drips["answered" if ok else "failed"] += 1
        except (OSError, ValueError):
            drips["failed"] += 1
        finally:
            s.close()

# Phase 1: the operator API idle.
base = phase()
print("# idle API:    " + summary(base), flush=True)
check("idle API: every Allocate granted within %d ms" % LIMIT_MS,
      len(base) == 40 and all(x is not None and x < LIMIT_MS for x in base), base)

# Phase 2: four stalled operator connections and a slow drip.
threads = [threading.Thread(target=stalled, args=(i,)) for i in range(4)]
threads.append(threading.Thread(target=slow_drip))
for t in threads:
    t.start()
time.sleep(0.3)
t0 = time.monotonic()
st = subprocess.run([ctl, "--socket", sock_path, "status"], capture_output=True, text=True)
ctl_ms = (time.monotonic() - t0) * 1000.0
check("turnpikectl status answers beside the stalled connections (%.0f ms)" % ctl_ms,
      st.returncode == 0 and ctl_ms < 1000, (st.returncode, st.stderr))
stalled_lat = phase()
print("# stalled API: " + summary(stalled_lat), flush=True)
check("stalled API: every Allocate granted within %d ms" % LIMIT_MS,
      len(stalled_lat) == 40 and all(x is not None and x < LIMIT_MS for x in stalled_lat),
      stalled_lat)
def median(lat):
    ok = sorted(x for x in lat if x is not None)
    return ok[len(ok) // 2] if ok else float("inf")
check("stalled API: median Allocate time as with the API idle (%.1f vs %.1f ms, +10 ms allowed)"
      % (median(stalled_lat), median(base)),
      median(stalled_lat) <= 2 * median(base) + 10.0)
stop.set()
for t in threads:
    t.join()
print("# %d stalled connections opened, %d dripped requests answered, %d failed" % (
    stalls["connections"], drips["answered"], drips["failed"]), flush=True)
check("the stalled connections were closed at their deadline and came back",
      stalls["connections"] >= 8, stalls)
check("every slow-drip request was answered", drips["answered"] >= 2 and drips["failed"] == 0,
      drips)

st = subprocess.run([ctl, "--socket", sock_path, "--json", "status"], capture_output=True,
                    text=True)
check("turnpikectl status answers afterwards", st.returncode == 0, st.stderr)
try:
    stats = json.loads(st.stdout)["stats"]
except (ValueError, KeyError):
    stats = {}
check("status counts the timed-out connections (api_timed_out %s)" %
      stats.get("api_timed_out"), stats.get("api_timed_out", 0) >= 4, stats)
check("status counts nothing refused (api_refused %s)" % stats.get("api_refused"),
      stats.get("api_refused") == 0, stats)

# The allocations list (built a piece at a time) has every one of them,
# and --user filters it.
def allocations(*args):
    out = subprocess.run([ctl, "--socket", sock_path, "--json", "allocations"] + list(args),
                         capture_output=True, text=True).stdout
    try:
        return json.loads(out)["allocations"]
    except (ValueError, KeyError):
        return None
granted = sum(1 for x in base + stalled_lat if x is not None)
got = allocations()
check("allocations lists all %d allocations, ids unique" % granted,
      got is not None and len(got) == granted and len({a["id"] for a in got}) == granted,
      None if got is None else len(got))
got = allocations("--user", "test")
check("allocations --user test lists them all", got is not None and len(got) == granted)
got = allocations("--user", "other")
check("allocations --user other lists none", got == [], got)
sys.exit(1 if fails else 0)
PY
rc=$?
[ $rc -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
kill -0 "$TP_CP_PID" 2>/dev/null
tp_check "turnpike-cp still running" test $? -eq 0
tp_check "turnpike-cp stops cleanly" tp_cp_stop
echo "# $TP_FAILS failure(s)"
[ $TP_FAILS -eq 0 ]
