#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The ends of test_agw_qos.sh's contexts, over the kernel's TCP; one JSON
# line at the end.
#   agw_qos.py echo ADDR PORT --ready FILE
#       listen, accept one connection, send back all it reads until its end.
#   agw_qos.py ue ADDR PORT STEP...   (STEP "N" or "N:WAITFILE")
#       connect; each step: wait for WAITFILE when given, send N bytes of
#       seed k, read N back (they must be the same), touch --mark FILE.k.
#   agw_qos.py sink ADDR PORT --expect N --seed S --ready FILE
#       listen, accept one, read N bytes (must be seed S's), say how long
#       from the first byte to the last.
#   agw_qos.py send ADDR PORT --bytes N --seed S: connect, send, close.
import json, os, random, socket, sys, time


def arg(name, default=None, conv=str):
    return conv(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def data(seed, n):
    return random.Random(seed).randbytes(n)


def listen(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(4)
    ls.settimeout(arg("--timeout", 30.0, float))
    open(arg("--ready"), "w").close()
    s, _ = ls.accept()
    ls.close()
    s.settimeout(arg("--timeout", 30.0, float))
    return s


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = {"mode": mode}
    if mode == "echo":
        s = listen(addr, port)
        n = 0
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                s.sendall(b)
                n += len(b)
        except (socket.timeout, ConnectionResetError) as e:
            out["error"] = str(e)
        out["echoed"] = n
    elif mode == "sink":
        s = listen(addr, port)
        n = arg("--expect", 0, int)
        buf = bytearray()
        t0 = None
        try:
            while len(buf) < n:
                b = s.recv(65536)
                if not b:
                    break
                if t0 is None:
                    t0 = time.time()
                buf += b
        except (socket.timeout, ConnectionResetError) as e:
            out["error"] = str(e)
        out["recv"] = len(buf)
        out["ok"] = bytes(buf) == data(arg("--seed", 1, int), n)
        out["secs"] = round(time.time() - t0, 3) if t0 is not None else -1
    elif mode == "send":
        s = socket.create_connection((addr, port), timeout=30)
        s.sendall(data(arg("--seed", 1, int), arg("--bytes", 0, int)))
        s.shutdown(socket.SHUT_WR)
        s.settimeout(30)
        try:
            while s.recv(65536):
                pass
        except (socket.timeout, ConnectionResetError):
            pass
        out["sent"] = arg("--bytes", 0, int)
    else:
        s = socket.create_connection((addr, port), timeout=30)
        s.settimeout(30)
        out["steps"] = []
        steps = [a for a in sys.argv[4:] if a[:1].isdigit()]
        for k, st in enumerate(steps):
            f = st.split(":", 1)
            if len(f) > 1:
                t_end = time.time() + 30
                while not os.path.exists(f[1]) and time.time() < t_end:
                    time.sleep(0.05)
            n = int(f[0])
            d = data(k + 1, n)
            s.sendall(d)
            buf = bytearray()
            while len(buf) < n:
                b = s.recv(65536)
                if not b:
                    break
                buf += b
            out["steps"].append(bytes(buf) == d)
            if arg("--mark"):
                open("%s.%d" % (arg("--mark"), k + 1), "w").close()
        s.close()
    print(json.dumps(out))


main()
