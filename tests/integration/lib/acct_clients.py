#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The clients of test_acct.sh's cp-down cases, each with a byte count the
# usage record must match (turnclient.py: a TURN client of its own).
#   acct_clients.py down SERVER PEER_IP PEER_PORT N OUT READY GO
#     a UDP allocation (u_down_udp) and one over TCP (u_down_tcp), N Send
#     indications of 100 bytes each to the echoing peer, the echoes
#     counted; then READY is written (the caller kills cp), and once GO
#     exists the TCP connection is closed; the UDP allocation is left to
#     expire. OUT gets one JSON line per client: user, client address
#     and port, relayed address, bytes sent and received.
#   acct_clients.py kill SERVER CP_PID OUT
#     an RFC 6062 allocation over TCP (u_kill), Refresh with LIFETIME 0,
#     and cp killed (SIGKILL) as soon as it answers: its record waits for
#     its peer connections' grace then (a second), in the journal only.
import json
import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import turnclient as tc  # noqa: E402

L = 100


def exchange(c, peer_ip, peer_port, n):
    """n Send indications of L bytes; the Data indications that come back."""
    got = 0
    for i in range(n):
        c.send_indication(peer_ip, peer_port, bytes([i % 256]) * L)
        time.sleep(0.005)
    until = time.monotonic() + 3
    while got < n and time.monotonic() < until:
        try:
            m = tc.Msg(c.recv())
        except (socket.timeout, OSError):
            break
        if m.get(tc.A_DATA) is not None:
            got += 1
    return got


def down(server, peer_ip, peer_port, n, out, ready, go):
    res = []
    u = tc.Client(server, user="u_down_udp", password="pw", timeout=1.0,
                  bind=("10.210.0.2", 0))
    t = tc.TcpClient(server, user="u_down_tcp", password="pw", timeout=1.0)
    for c in (u, t):
        m = c.allocate()
        if m.cls != 2:
            sys.exit("allocate failed: %s" % m.error())
        if c.permission((peer_ip, None)).cls != 2:
            sys.exit("permission failed")
        got = exchange(c, peer_ip, peer_port, n)
        ip, port = c.sock.getsockname()[:2]
        res.append({"user": c.user, "client": ip, "port": port,
                    "relayed": "%s:%d" % tuple(c.relayed), "sent": n * L, "recv": got * L})
    with open(out, "w") as f:
        for r in res:
            f.write(json.dumps(r) + "\n")
    open(ready, "w").close()
    until = time.monotonic() + 30
    while not os.path.exists(go) and time.monotonic() < until:
        time.sleep(0.05)
    t.sock.close()


def kill(server, cp_pid, out):
    c = tc.TcpClient(server, user="u_kill", password="pw", timeout=2.0)
    m = c.transact(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 6, 0, 0, 0))])
    if m.cls != 2:
        sys.exit("RFC 6062 allocate failed: %s" % m.error())
    relayed = tc.unxor_addr(m.get(tc.A_XOR_RELAYED), m.tid)
    time.sleep(0.2)
    m = c.refresh(0)
    os.kill(cp_pid, signal.SIGKILL)
    if m.cls != 2:
        sys.exit("Refresh 0 failed: %s" % m.error())
    ip, port = c.sock.getsockname()[:2]
    with open(out, "w") as f:
        f.write(json.dumps({"user": "u_kill", "client": ip, "port": port,
                            "relayed": "%s:%d" % tuple(relayed)}) + "\n")
    time.sleep(0.5)
    c.sock.close()


if __name__ == "__main__":
    if sys.argv[1] == "down":
        down(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), *sys.argv[6:9])
    else:
        kill(sys.argv[2], int(sys.argv[3]), sys.argv[4])
