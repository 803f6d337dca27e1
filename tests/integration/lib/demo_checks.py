#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile and heavy clients against a running demo (`tools/demo --keep`),
each against its target. Run as root on the demo's host:

    python3 tests/integration/lib/demo_checks.py churn [--users 300000]
    python3 tests/integration/lib/demo_checks.py stall
    python3 tests/integration/lib/demo_checks.py flood [--secs 30]

churn: that many distinct TURN REST usernames allocate and release (one
       allocation each, from 60 source addresses, 256 at a time); then a
       fresh one still allocates, and the last thousand took as long as
       the first thousand.
stall: four operator connections that send half a request and wait, and a
       slow drip, while a paced client allocates (5 a second for 10 s):
       every Allocate answered, p99 printed.
flood: Allocates with wrong credentials from 10.200.0.9 (--pps, or as
       fast as two processes send them), while a paced client (5 new allocations a
       second, each with its 401 round trip) allocates from 10.200.0.2:
       success and p99 printed (the target: >= 98%, p99 <= 200 ms).

Each prints one JSON line and exits 0 when its target was met.
"""
import argparse
import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import selectors
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import turnclient as tc  # noqa: E402

NS_C = "turnpike-clients"
SERVER = "10.200.0.1"
SOCK = "/run/turnpike-demo/cp.sock"
SECRET = b"demo-secret"
UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))


def in_clients_ns():
    """Re-run this script inside the clients' namespace (once)."""
    if os.environ.get("TP_IN_NS") == "1":
        return
    os.environ["TP_IN_NS"] = "1"
    os.execvp("ip", ["ip", "netns", "exec", NS_C, sys.executable] + sys.argv)


def add_sources(n):
    for i in range(n):
        subprocess.run(["ip", "addr", "add", "10.200.0.%d/24" % (100 + i), "dev", "tp-access"],
                       stderr=subprocess.DEVNULL)
    return ["10.200.0.%d" % (100 + i) for i in range(n)]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else None


# ---- churn ----------------------------------------------------------------

class Churner:
    """One socket (one 5-tuple); allocates with a fresh REST username, then
    releases (Refresh 0), then again with the next username."""

    def __init__(self, src, names):
        self.c = tc.Client(SERVER, bind=(src, 0))
        self.c.sock.setblocking(False)
        self.names = names
        self.state = None
        self.req = None
        self.deadline = 0
        self.sends = 0
        self.t0 = 0
        self.took = []
        self.failed = 0

    def next_user(self, now):
        user = next(self.names, None)
        if user is None:
            self.state = "done"
            return
        self.c.user = user
        self.c.password = base64.b64encode(hmac.new(SECRET, user.encode(),
                                                    hashlib.sha1).digest()).decode()
        self.c.nonce = None
        self.t0 = now
        self.state = "plain"
        self.send_new(tc.ALLOCATE, [UDP], now, auth=False)

    def send_new(self, method, attrs, now, auth=True):
        self.req = self.c.build(method, attrs, auth=auth)
        self.sends = 0
        self.send(now)

    def send(self, now):
        self.c.send_raw(self.req)
        self.sends += 1
        self.deadline = now + 0.5 * (2 ** (self.sends - 1)) if self.sends < 7 else now + 8

    def timer(self, now):
        if self.state in (None, "done") or now < self.deadline:
            return
        if self.sends >= 7:
            self.failed += 1
            self.next_user(now)
        else:
            self.send(now)

    def input(self, data, now):
        m = tc.Msg(data)
        if self.req is None or m.tid != self.req[8:20]:
            return
        code = m.error()
        if self.state in ("plain", "auth") and code in (401, 438) and m.get(tc.A_NONCE):
            self.c.realm = m.get(tc.A_REALM).decode()
            self.c.nonce = m.get(tc.A_NONCE)
            self.state = "auth"
            self.send_new(tc.ALLOCATE, [UDP], now)
        elif self.state == "auth" and m.cls == 2:
            self.took.append(now - self.t0)
            self.state = "release"
            self.send_new(tc.REFRESH, [(tc.A_LIFETIME, struct.pack("!I", 0))], now)
        elif self.state == "release":
            self.next_user(now)
        else:
            self.failed += 1
            self.next_user(now)


def churn(args):
    in_clients_ns()
    srcs = add_sources(60)
    exp = int(time.time()) + 86400
    names = iter("%d:churn-%07d" % (exp, i) for i in range(args.users))
    ch = [Churner(srcs[i % len(srcs)], names) for i in range(256)]
    sel = selectors.DefaultSelector()
    for c in ch:
        sel.register(c.c.sock, selectors.EVENT_READ, c)
    now = time.monotonic()
    t_start = now
    for c in ch:
        c.next_user(now)
    last_print = now
    while any(c.state != "done" for c in ch):
        for key, _ in sel.select(0.01):
            while True:
                try:
                    d = key.fileobj.recv(65535)
                except BlockingIOError:
                    break
                key.data.input(d, time.monotonic())
        now = time.monotonic()
        for c in ch:
            c.timer(now)
        if now - last_print > 10:
            done = sum(len(c.took) for c in ch)
            print("# %d allocated and released, %.0f/s" % (done, done / (now - t_start)),
                  file=sys.stderr, flush=True)
            last_print = now
    took = []
    for c in ch:
        took += c.took
    # a fresh username still allocates, and quickly
    user = "%d:fresh-after-churn" % exp
    pw = base64.b64encode(hmac.new(SECRET, user.encode(), hashlib.sha1).digest()).decode()
    f = tc.Client(SERVER, bind=(srcs[0], 0), user=user, password=pw)
    t = time.monotonic()
    fresh = f.allocate().cls == 2
    fresh_s = time.monotonic() - t
    f.refresh(0)
    n = len(took)
    first, last = took[:1000], took[-1000:]
    res = {"users": args.users, "allocated_and_released": n,
           "failed": sum(c.failed for c in ch),
           "secs": round(time.monotonic() - t_start, 1),
           "first_1000_p50_ms": round(pct(first, 0.5) * 1000, 2) if first else None,
           "last_1000_p50_ms": round(pct(last, 0.5) * 1000, 2) if last else None,
           "fresh_allocates": fresh, "fresh_ms": round(fresh_s * 1000, 2)}
    print(json.dumps(res))
    return fresh and n >= args.users * 0.999


# ---- stall ----------------------------------------------------------------

def paced(src, rate, secs, user="demo", password="demo"):
    """rate new allocations a second for secs; returns (ok, failed, times)."""
    ok = failed = 0
    times = []
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < secs:
        due = start + i / rate
        time.sleep(max(0.0, due - time.monotonic()))
        c = tc.Client(SERVER, bind=(src, 0), user=user, password=password)
        t = time.monotonic()
        try:
            m = c.allocate()
            if m.cls == 2:
                ok += 1
                times.append(time.monotonic() - t)
                c.refresh(0)
            else:
                failed += 1
        except socket.timeout:
            failed += 1
        c.sock.close()
        i += 1
    return ok, failed, times


def stall(args):
    conns = []
    for _ in range(4):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(SOCK)
        s.send(b'{"cmd": "sta')
        conns.append(s)
    drip = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    drip.connect(SOCK)
    pid = os.fork()
    if pid == 0:
        for ch in b'{"cmd": "status"}':
            try:
                drip.send(bytes([ch]))
            except OSError:
                break
            time.sleep(0.1)
        os._exit(0)
    env = dict(os.environ, TP_IN_NS="1")
    out = subprocess.run(["ip", "netns", "exec", NS_C, sys.executable, sys.argv[0], "paced"],
                         capture_output=True, text=True, env=env).stdout
    res = json.loads(out)
    os.waitpid(pid, 0)
    for s in conns:
        s.close()
    res["check"] = "four stalled operator connections and a slow drip"
    print(json.dumps(res))
    return res["failed"] == 0 and res["p99_ms"] is not None and res["p99_ms"] <= 200


def paced_cmd(args):
    ok, failed, times = paced("10.200.0.2", 5, 10)
    res = {"ok": ok, "failed": failed,
           "p50_ms": round(pct(times, 0.5) * 1000, 1) if times else None,
           "p99_ms": round(pct(times, 0.99) * 1000, 1) if times else None,
           "max_ms": round(max(times) * 1000, 1) if times else None}
    print(json.dumps(res))


# ---- flood ----------------------------------------------------------------

def flooder(secs, counter, pps=0):
    """Allocates with a made-up nonce and a wrong MESSAGE-INTEGRITY, each
    from its own source port, as fast as this process sends."""
    c = tc.Client(SERVER, bind=("10.200.0.9", 0), user="demo", password="wrong")
    c.realm, c.nonce = "turnpike.demo", b"obMatJos2AAAB" + b"x" * 32
    pkts = [c.build(tc.ALLOCATE, [UDP]) for _ in range(64)]
    socks = []
    for _ in range(64):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("10.200.0.9", 0))
        s.setblocking(False)
        socks.append(s)
    n = 0
    start = time.monotonic()
    end = start + secs
    while time.monotonic() < end:
        for i in range(64):
            try:
                socks[i].sendto(pkts[i], (SERVER, 3478))
                n += 1
            except BlockingIOError:
                pass
        if pps:                       # this process's share of the rate
            ahead = n / pps - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    counter.value += n


def flood(args):
    in_clients_ns()
    subprocess.run(["ip", "addr", "add", "10.200.0.9/24", "dev", "tp-access"],
                   stderr=subprocess.DEVNULL)
    counter = multiprocessing.Value("q", 0)
    procs = [multiprocessing.Process(target=flooder,
                                     args=(args.secs + 2, counter, args.pps / 2))
             for _ in range(2)]
    for p in procs:
        p.start()
    time.sleep(1)
    ok, failed, times = paced("10.200.0.2", 5, args.secs)
    for p in procs:
        p.join()
    res = {"check": "bad-credential flood from another address",
           "flood_pps": round(counter.value / (args.secs + 2)),
           "paced_ok": ok, "paced_failed": failed,
           "success": round(ok / max(1, ok + failed), 4),
           "p50_ms": round(pct(times, 0.5) * 1000, 1) if times else None,
           "p99_ms": round(pct(times, 0.99) * 1000, 1) if times else None,
           "max_ms": round(max(times) * 1000, 1) if times else None}
    print(json.dumps(res))
    return res["success"] >= 0.98 and res["p99_ms"] is not None and res["p99_ms"] <= 200


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["churn", "stall", "flood", "paced"])
    ap.add_argument("--users", type=int, default=300000)
    ap.add_argument("--secs", type=float, default=30)
    ap.add_argument("--pps", type=float, default=0,
                    help="flood rate (0: as fast as two processes send)")
    args = ap.parse_args()
    if args.what == "paced":
        paced_cmd(args)
        return
    ok = {"churn": churn, "stall": stall, "flood": flood}[args.what](args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
