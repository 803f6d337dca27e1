#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# N kernel TCP connections to dp's diagnostic TCP echo, all open at once:
# connect them all (non-blocking, RLIMIT_NOFILE raised), send each its own
# 16 bytes and read exactly those back, then write "open N" to READY_FILE
# and wait (up to TIMEOUT_S) for GO_FILE to appear; then half-close every
# one, read its EOF, close. Exit 0 when every echo was byte-exact and every
# connection ended cleanly.
# usage: tcp_many_client.py HOST PORT N READY_FILE GO_FILE [TIMEOUT_S]
import os, resource, selectors, socket, sys, time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ready, go = sys.argv[4], sys.argv[5]
timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 120.0
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
need = n + 64
if soft < need:   # root may raise the hard limit too
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard if hard == resource.RLIM_INFINITY
                                                else max(need, hard)))
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
sel = selectors.DefaultSelector()
t0 = time.time()
deadline = t0 + timeout
socks, want, got = [], {}, {}
# Connect in waves so that the kernel's own SYN queue to one destination
# does not need to hold everything at once; every connection stays open.
WAVE = 500
for base in range(0, n, WAVE):
    pending = 0
    for i in range(base, min(n, base + WAVE)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, port))
        socks.append(s)
        sel.register(s, selectors.EVENT_WRITE, i)
        pending += 1
    while pending and time.time() < deadline:
        for key, _ in sel.select(1.0):
            s, i = key.fileobj, key.data
            sel.unregister(s)
            pending -= 1
            e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if e != 0:
                print(f"# connection {i}: connect error {os.strerror(e)}")
                continue
            want[i] = b"%015d\n" % i
            got[i] = b""
    for k in list(sel.get_map().values()):   # never connected in time
        sel.unregister(k.fileobj)
print(f"# {len(want)} of {n} connected in {time.time() - t0:.1f} s")
for i in want:
    socks[i].send(want[i])
    sel.register(socks[i], selectors.EVENT_READ, i)
# Read every echo.
left = len(want)
while left and time.time() < deadline:
    for key, _ in sel.select(1.0):
        s, i = key.fileobj, key.data
        b = s.recv(64)
        got[i] += b
        if not b or len(got[i]) >= len(want[i]):
            sel.unregister(s)
            left -= 1
exact = sum(1 for i in want if got[i] == want[i])
t1 = time.time()
print(f"# {n} connections: {len(want)} connected, {exact} echoed byte-exact in {t1 - t0:.1f} s")
with open(ready, "w") as f:
    f.write(f"open {exact}\n")
while not os.path.exists(go) and time.time() < deadline:
    time.sleep(0.1)
# Close: half-close, read the EOF, close.
for i, s in enumerate(socks):
    if i in want:
        try:
            s.shutdown(socket.SHUT_WR)
            sel.register(s, selectors.EVENT_READ, i)
        except OSError:
            pass
eofs = 0
left = len(sel.get_map())
while left and time.time() < deadline:
    for key, _ in sel.select(1.0):
        s = key.fileobj
        try:
            b = s.recv(64)
        except OSError:
            b = b""
        if not b:
            eofs += 1
            sel.unregister(s)
            left -= 1
for s in socks:
    s.close()
print(f"# {eofs} connections ended with the echo's FIN in {time.time() - t1:.1f} s")
sys.exit(0 if exact == n and eofs == n else 1)
