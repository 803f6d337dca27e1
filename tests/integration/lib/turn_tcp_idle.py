#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Idle TURN-over-TCP connections, over the kernel's
# TCP: what test_turn_tcp_idle drives.
#
#   turn_tcp_idle.py flood DST PORT SECS SRC...   one connection from each
#       SRC (all at once), each sends a STUN Binding request and then
#       nothing; SECS later prints one JSON line: how many connected, how
#       many were answered, and how many the server had closed by then,
#       and when (seconds after connecting)
#   turn_tcp_idle.py alloc DST PORT SECS [READY]  a TURN client over TCP
#       (user test) that allocates (then makes the file READY, if given),
#       then refreshes every second for SECS; prints whether its
#       allocation and connection lived through it
import json, os, select, socket, struct, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import turnclient  # noqa: E402


def binding():
    return struct.pack("!HHI", 0x0001, 0, turnclient.COOKIE) + os.urandom(12)


def flood(dst, port, secs, srcs):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    socks = {}
    t0 = time.time()
    for src in srcs:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.bind((src, 0))
        s.setblocking(False)
        try:
            s.connect((dst, port))
        except BlockingIOError:
            pass
        socks[s] = {"src": src}
    # connected: writable within 3 s (a SYN dropped gets no answer)
    pending = set(socks)
    end = t0 + 3.0
    while pending and time.time() < end:
        _, w, _ = select.select([], list(pending), [], 0.2)
        for s in w:
            pending.discard(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                socks[s]["up"] = time.time()
                # dp's reset of a source past its limit answers the
                # handshake's ACK: it may be here before our request
                # (then it is a refusal, seen below as a close within a
                # second), not an error of the test
                try:
                    s.send(binding())
                except (ConnectionResetError, BrokenPipeError):
                    pass
    up = [s for s in socks if "up" in socks[s]]
    answered, closed = set(), {}
    end = t0 + secs
    while time.time() < end and len(closed) < len(up):
        r, _, _ = select.select([s for s in up if s not in closed], [], [], 0.2)
        for s in r:
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if d:
                answered.add(s)
            else:
                closed[s] = time.time() - socks[s]["up"]
    # refused: dp counts a source once the handshake completes and
    # resets one past turn.tcp_per_source at once (unanswered, closed
    # within a second); the others are what it let in
    refused = {s for s in closed if s not in answered and closed[s] < 1.0}
    kept = {s: v for s, v in closed.items() if s not in refused}
    out = {"tried": len(srcs), "connected": len(up) - len(refused), "answered": len(answered),
           "refused_reset": len(refused), "closed": len(kept),
           "closed_after_s": sorted(round(v, 1) for v in kept.values())[:1] +
           sorted(round(v, 1) for v in kept.values())[-1:]}
    for s in socks:
        s.close()
    print(json.dumps(out))
    return 0


def alloc(dst, port, secs, ready=None):
    c = turnclient.TcpClient(dst, port=port, timeout=5.0)
    out = {"allocated": False}
    r = c.allocate(lifetime=600)
    out["allocated"] = r.cls == 2
    if ready:
        open(ready, "w").close()
    t0 = time.time()
    refreshed = 0
    try:
        while time.time() - t0 < secs:
            time.sleep(1.0)
            if c.refresh(600).cls != 2:
                raise ValueError("refresh refused")
            refreshed += 1
        out["alive"] = True
    except (OSError, ConnectionError, ValueError) as e:
        out["alive"] = False
        out["error"] = str(e)[:80]
    out["refreshes"] = refreshed
    print(json.dumps(out))
    return 0


def main():
    mode, dst, port, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    if mode == "flood":
        return flood(dst, port, secs, sys.argv[5:])
    return alloc(dst, port, secs, sys.argv[5] if len(sys.argv) > 5 else None)


if __name__ == "__main__":
    sys.exit(main())
