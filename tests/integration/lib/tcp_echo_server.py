#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# A kernel TCP server for dp's diagnostic active open (dp.diag_tcp_connect):
# listen, take one connection, send N random bytes from one thread while
# reading the echo in another, compare SHA-256 of what went and what came
# back, close. Exit 0 when equal. Writes "listening" to READY_FILE (if
# given) once it listens.
# usage: tcp_echo_server.py HOST PORT BYTES [TIMEOUT_S [READY_FILE]]
import hashlib, os, socket, sys, threading, time

host, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
ready = sys.argv[5] if len(sys.argv) > 5 else None
data = os.urandom(total)
want = hashlib.sha256(data).digest()
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
ls = socket.socket(fam, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((host, port))
ls.listen(4)
ls.settimeout(timeout)
if ready:
    with open(ready, "w") as f:
        f.write("listening\n")
s, peer = ls.accept()
ls.close()
s.settimeout(timeout)
t0 = time.time()
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
try:
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        got.update(b)
        n += len(b)
except Exception as e:
    err.append(e)
th.join()
s.close()
dt = time.time() - t0
ok = not err and n == total and got.digest() == want
print(f"# server {host}:{port} <- {peer[0]}:{peer[1]}: sent {total}, echoed {n} "
      f"bytes in {dt:.2f} s ({total / dt / 1e6:.1f} MB/s each way), sha256 "
      f"{'equal' if ok else 'DIFFERENT'}{' ' + str(err) if err else ''}")
sys.exit(0 if ok else 1)
