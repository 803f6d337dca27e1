#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""perf/loss_client.py: the kernel's client of perf/run --loss. Connects to
an echo (dp's diagnostic TCP echo, or perf/tcp_echo on the kernel's TCP),
sends BYTES from one thread while reading them back in another, and prints
one JSON line: when the echoed bytes came back (from the end of the
handshake: a lost SYN costs the client's 1 s SYN timeout, the same for
both servers and no part of the transfer), whether they came back equal,
and the client's own retransmissions (TCP_INFO: the upstream's losses).

usage: loss_client.py HOST PORT BYTES TIMEOUT_S
"""
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time

host, port, total, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
data = os.urandom(total)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(timeout)
c0 = time.monotonic()
s.connect((host, port))
t0 = time.monotonic()
err = []


def writer():
    try:
        view = memoryview(data)
        while view:
            n = s.send(view[:65536])
            view = view[n:]
        s.shutdown(socket.SHUT_WR)
    except Exception as e:     # noqa: BLE001 (reported in the JSON)
        err.append(repr(e))


th = threading.Thread(target=writer)
th.start()
got = hashlib.sha256()
n = 0
marks = {0.5: None, 0.9: None, 0.99: None}
last = t0
try:
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        now = time.monotonic()
        got.update(b)
        n += len(b)
        last = now
        for f in marks:
            if marks[f] is None and n >= f * total:
                marks[f] = now - t0
except Exception as e:         # noqa: BLE001
    err.append(repr(e))
# struct tcp_info: tcpi_total_retrans is the u32 at offset 100
retrans = None
try:
    info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    retrans = struct.unpack_from("I", info, 100)[0]
except OSError:
    pass
th.join(timeout)
s.close()
secs = last - t0
ok = not err and n == total and got.digest() == hashlib.sha256(data).digest()
print(json.dumps({
    "bytes": n, "total": total, "ok": ok, "error": err[0] if err else None,
    "connect_s": t0 - c0, "secs": secs,
    "goodput_mbs": n / secs / 1e6 if secs > 0 and ok else 0.0,
    "t50": marks[0.5], "t90": marks[0.9], "t99": marks[0.99],
    # the last 1% of the bytes: where a stall at the end (an RTO after a
    # lost tail segment or a lost retransmission) shows
    "tail_s": secs - marks[0.99] if marks[0.99] is not None and ok else None,
    "client_retrans": retrans}), flush=True)
sys.exit(0 if ok else 1)
