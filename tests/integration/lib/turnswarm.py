# SPDX-License-Identifier: BSD-3-Clause
"""Many TURN clients at once, each on its own UDP socket (its own 5-tuple),
each allocating with long-term credentials as RFC 8656 §7 and RFC 8489 §9.2
have it (Allocate, 401 with REALM and NONCE, Allocate with MESSAGE-INTEGRITY)
and retransmitting as RFC 8489 §6.2.1 says over UDP: a request unanswered
after RTO is sent again unchanged, the wait doubling, Rc sends in all, and
the last one waited on for Rm x RTO. One epoll loop drives them all, so a
thousand clients start within milliseconds of each other, as after a
server restart.

    python3 turnswarm.py SERVER --sources 10.210.0.10-69 --clients 1080 \\
        [--user test --password test] [--rto 0.5] [--rc 7] [--rm 16]

prints one JSON object: ok, failed, answers by code, sends per client,
retransmissions, and the time each client took (p50, p99, max).
"""
import argparse
import json
import os
import selectors
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import turnclient as tc  # noqa: E402


class Swarmer:
    def __init__(self, server, src, user, password, rto, rc, rm):
        self.c = tc.Client(server, bind=(src, 0), user=user, password=password,
                           rto=rto, rc=rc, rm=rm)
        self.c.sock.setblocking(False)
        self.state = "plain"          # plain -> auth -> done | failed
        self.sends = 0                # every send, over both transactions
        self.tx_sends = 0             # sends of the current transaction
        self.deadline = 0.0
        self.req = None
        self.code = None              # the last error code seen
        self.t0 = self.t1 = None

    def start(self, now):
        self.t0 = now
        self.new_request(now)

    def new_request(self, now):
        attrs = [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))]
        self.req = self.c.build(tc.ALLOCATE, attrs, auth=self.state == "auth")
        self.tx_sends = 0
        self.send(now)

    def send(self, now):
        self.c.send_raw(self.req)
        self.sends += 1
        self.tx_sends += 1
        rto = self.c.rto
        self.deadline = now + (rto * 2 ** (self.tx_sends - 1) if self.tx_sends < self.c.rc
                               else rto * self.c.rm)

    def timer(self, now):
        if self.state in ("done", "failed") or now < self.deadline:
            return
        if self.tx_sends >= self.c.rc:
            self.state, self.code, self.t1 = "failed", 408, now
        else:
            self.send(now)

    def input(self, data, now):
        if self.state in ("done", "failed"):
            return
        m = tc.Msg(data)
        if m.tid != self.req[8:20]:
            return                    # an answer to nothing we wait for
        code = m.error()
        if m.cls == 2:
            self.state, self.t1 = "done", now
            return
        self.code = code
        if code in (401, 438) and m.get(tc.A_NONCE) is not None and self.state == "plain" \
                or code == 438:
            self.c.realm = m.get(tc.A_REALM).decode()
            self.c.nonce = m.get(tc.A_NONCE)
            self.state = "auth"
            self.new_request(now)
            return
        self.state, self.t1 = "failed", now


def sources(spec):
    """'10.210.0.10-69' -> ['10.210.0.10', ..., '10.210.0.69']."""
    base, _, last = spec.rpartition(".")
    lo, _, hi = last.partition("-")
    return ["%s.%d" % (base, i) for i in range(int(lo), int(hi or lo) + 1)]


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--sources", required=True)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--user", default="test")
    ap.add_argument("--password", default="test")
    ap.add_argument("--rto", type=float, default=0.5)
    ap.add_argument("--rc", type=int, default=7)
    ap.add_argument("--rm", type=int, default=16)
    a = ap.parse_args()
    srcs = sources(a.sources)
    sw = [Swarmer(a.server, srcs[i % len(srcs)], a.user, a.password, a.rto, a.rc, a.rm)
          for i in range(a.clients)]
    sel = selectors.DefaultSelector()     # epoll: more than 1024 sockets
    for s in sw:
        sel.register(s.c.sock, selectors.EVENT_READ, s)
    now = time.monotonic()
    for s in sw:
        s.start(now)
    live = len(sw)
    while live:
        ready = sel.select(0.01)
        now = time.monotonic()
        for key, _ in ready:
            s = key.data
            while True:
                try:
                    data = s.c.sock.recv(65535)
                except BlockingIOError:
                    break
                s.input(data, now)
        live = 0
        for s in sw:
            s.timer(now)
            live += s.state not in ("done", "failed")
    codes = {}
    for s in sw:
        if s.state == "failed":
            codes[str(s.code)] = codes.get(str(s.code), 0) + 1
    took = [s.t1 - s.t0 for s in sw if s.state == "done"]
    sends = {}
    for s in sw:
        sends[str(s.sends)] = sends.get(str(s.sends), 0) + 1
    print(json.dumps({
        "clients": len(sw), "ok": sum(s.state == "done" for s in sw),
        "failed": sum(s.state == "failed" for s in sw), "failed_codes": codes,
        "retransmits": sum(max(0, s.sends - (2 if s.state == "done" else 1)) for s in sw),
        "sends_per_client": sends,
        "took_s": {"p50": pct(took, 0.5), "p99": pct(took, 0.99),
                   "max": max(took) if took else None}}))
    for s in sw:
        s.c.sock.close()


if __name__ == "__main__":
    main()
