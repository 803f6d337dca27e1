#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The peers' side of test_turn_tcp_relay.sh (RFC 6062), in the peers'
# namespace: an echo server on PORT (what a Connect reaches), and peers
# that connect to a relayed transport address when the client side asks
# (a file DIR/connect-NAME holding "ip port nbytes mode"), sending nbytes
# of a pattern first, then, by mode:
#   reply   read the client's answer (nbytes, the pattern reversed) and
#           compare it;
#   wait    read until the server ends the connection (a bind that never
#           came, an allocation that went), and say how it ended;
#   flood   (the pattern is the whole test) then wait for the end;
#   tiny    send the pattern a byte a send() (TCP_NODELAY, 0.1 ms apart:
#           segments of a byte), then wait for the end;
# and write DIR/result-NAME: "ok ..." or "fail ...".
import hashlib
import os
import socket
import sys
import threading
import time


def pattern(n, seed):
    out = bytearray()
    block = hashlib.sha256(seed.encode()).digest()
    while len(out) < n:
        out += block
        block = hashlib.sha256(block).digest()
    return bytes(out[:n])


def echo_server(port, stop):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(64)
    srv.settimeout(0.2)
    while not stop.is_set():
        try:
            c, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=echo_one, args=(c,), daemon=True).start()


def echo_one(c):
    with c:
        while True:
            try:
                d = c.recv(65536)
            except OSError:
                return
            if not d:
                return
            c.sendall(d)


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        d = s.recv(min(65536, n - len(buf)))
        if not d:
            raise ConnectionError("closed after %d of %d bytes" % (len(buf), n))
        buf += d
    return bytes(buf)


def peer(dirname, name, ip, port, nbytes, mode):
    t0 = time.monotonic()
    res = "fail nothing happened"
    try:
        s = socket.create_connection((ip, port), timeout=10)
        s.settimeout(60)
        data = pattern(nbytes, name)
        if mode == "tiny":
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(nbytes):
                s.sendall(data[i:i + 1])
                time.sleep(0.0001)   # (a segment each: no coalescing)
        else:
            s.sendall(data)
        t_sent = time.monotonic() - t0
        if mode == "reply":
            got = recv_exact(s, nbytes)
            res = ("ok %d bytes each way, byte-exact" % nbytes if got == data[::-1]
                   else "fail the answer differs (sha256 %s)" % hashlib.sha256(got).hexdigest()[:16])
        else:
            try:
                while s.recv(65536):
                    pass
                how = "fin"
            except ConnectionResetError:
                how = "reset"
            except socket.timeout:
                how = "still open"
            res = "ok ended by %s after %.1f s" % (how, time.monotonic() - t0)
            if mode in ("flood", "tiny"):
                res = "ok sent %d bytes in %.1f s, then ended by %s" % (nbytes, t_sent, how)
        s.close()
    except ConnectionResetError as e:
        res = "ok ended by reset before the end (%s) after %.1f s" % (e, time.monotonic() - t0)
    except Exception as e:  # noqa: BLE001 (the result says what)
        res = "fail %s: %s" % (type(e).__name__, e)
    with open(os.path.join(dirname, "result-" + name + ".tmp"), "w") as f:
        f.write(res + "\n")
    os.rename(os.path.join(dirname, "result-" + name + ".tmp"),
              os.path.join(dirname, "result-" + name))


def main():
    dirname, port = sys.argv[1], int(sys.argv[2])
    stop = threading.Event()
    threading.Thread(target=echo_server, args=(port, stop), daemon=True).start()
    seen = set()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not os.path.exists(os.path.join(dirname, "stop")):
        for f in os.listdir(dirname):
            # (the client writes NAME.tmp, then renames it: a .tmp is a
            # request half written, and a second peer for the same name)
            if f.startswith("connect-") and not f.endswith(".tmp") and f not in seen:
                seen.add(f)
                ip, p, n, mode = open(os.path.join(dirname, f)).read().split()
                threading.Thread(target=peer, args=(dirname, f[8:], ip, int(p), int(n), mode),
                                 daemon=True).start()
        time.sleep(0.05)
    stop.set()


if __name__ == "__main__":
    main()
