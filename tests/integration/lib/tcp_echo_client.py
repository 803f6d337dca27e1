#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# A kernel TCP client for dp's diagnostic TCP echo: connect, send N random
# bytes from one thread while reading them back in another, compare
# SHA-256 of what went and what came, close. Exit 0 when equal.
# usage: tcp_echo_client.py HOST PORT BYTES [TIMEOUT_S]
import hashlib, os, socket, sys, threading, time

host, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
data = os.urandom(total)
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(timeout)
t0 = time.time()
s.connect((host, port))
err = []

def writer():
    try:
        view = memoryview(data)
        while view:
            n = s.send(view[:65536])
            view = view[n:]
        s.shutdown(socket.SHUT_WR)
    except Exception as e:
        err.append(e)

th = threading.Thread(target=writer)
th.start()
got = hashlib.sha256()
n = 0
while True:
    b = s.recv(1 << 16)
    if not b:
        break
    got.update(b)
    n += len(b)
th.join()
s.close()
dt = time.time() - t0
ok = not err and n == total and got.digest() == hashlib.sha256(data).digest()
print(f"# {host}:{port}: sent {total}, echoed {n} bytes in {dt:.2f} s "
      f"({8 * total / dt / 1e6:.1f} Mbit/s each way), sha256 "
      f"{'equal' if ok else 'DIFFERENT'}{' ' + str(err) if err else ''}")
sys.exit(0 if ok else 1)
