#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The ends of an access-gateway context whose legs change under them
# (test_agw_legs.sh), over the kernel's TCP. Pseudo-random bytes (seeded:
# the other end knows them) in steps; one JSON line at the end.
#
#   agw_legs.py peer ADDR PORT --expect N --seed S [--reply M --rseed R]
#       listen, accept one connection, read N bytes (they must be seed S's),
#       send M bytes of seed R, then read until the end of the stream
#       (more bytes than N are counted as extra). --ready FILE: made once
#       listening.
#   agw_legs.py ue ADDR PORT STEP...
#       connect, then each STEP "SEND:SEED:RECV:RSEED[:WAITFILE]": wait for
#       WAITFILE when given, send SEND bytes of seed SEED, read RECV bytes
#       (they must be seed RSEED's), touch the step's --mark FILE.K; after
#       the last step read until the end of the stream.
#   agw_legs.py connect ADDR PORT: connect, send 10 bytes, and say whether
#       the connection was reset (a refused server leg) or held.
import hashlib, json, random, socket, sys, time


def arg(name, default=None, conv=str):
    if name in sys.argv:
        return conv(sys.argv[sys.argv.index(name) + 1])
    return default


def data(seed, n):
    return random.Random(seed).randbytes(n)


def read_n(s, n, t_end):
    buf = bytearray()
    while len(buf) < n:
        s.settimeout(max(0.1, t_end - time.time()))
        b = s.recv(min(65536, n - len(buf)))
        if not b:
            break
        buf += b
    return bytes(buf)


def read_end(s, t_end):
    n = 0
    try:
        while True:
            s.settimeout(max(0.1, t_end - time.time()))
            b = s.recv(65536)
            if not b:
                return n, "eof"
            n += len(b)
    except (ConnectionResetError, BrokenPipeError):
        return n, "rst"
    except socket.timeout:
        return n, "timeout"


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    timeout = arg("--timeout", 30.0, float)
    t_end = time.time() + timeout
    out = {"mode": mode}
    if mode == "peer":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(4)
        ls.settimeout(timeout)
        if arg("--ready"):
            open(arg("--ready"), "w").close()
        s, peer = ls.accept()
        ls.close()
        n = arg("--expect", 0, int)
        got = read_n(s, n, t_end)
        out["recv"] = len(got)
        out["recv_ok"] = got == data(arg("--seed", 1, int), n)
        m = arg("--reply", 0, int)
        if m:
            s.sendall(data(arg("--rseed", 2, int), m))
        out["sent"] = m
        out["extra"], out["end"] = read_end(s, t_end)
    elif mode == "ue":
        s = socket.create_connection((addr, port), timeout=timeout)
        steps = [a for a in sys.argv[4:] if a.count(":") >= 3 and not a.startswith("-")]
        out["steps"] = []
        for k, st in enumerate(steps):
            f = st.split(":")
            snd, sseed, rcv, rseed = int(f[0]), int(f[1]), int(f[2]), int(f[3])
            if len(f) > 4:
                while not __import__("os").path.exists(f[4]):
                    if time.time() > t_end:
                        raise SystemExit("no " + f[4])
                    time.sleep(0.05)
            if snd:
                s.sendall(data(sseed, snd))
            got = read_n(s, rcv, t_end)
            out["steps"].append({"recv": len(got), "ok": got == data(rseed, rcv)})
            if arg("--mark"):
                open("%s.%d" % (arg("--mark"), k + 1), "w").close()
        out["extra"], out["end"] = read_end(s, t_end)
    else:
        try:
            s = socket.create_connection((addr, port), timeout=timeout)
        except (ConnectionRefusedError, ConnectionResetError) as e:
            # (dp's refusal reached us before connect() returned)
            out["end"] = "refused" if isinstance(e, ConnectionRefusedError) else "rst"
            print(json.dumps(out))
            return
        try:
            s.sendall(b"0123456789")
            n, end = read_end(s, time.time() + arg("--wait", 2.0, float))
            out["end"] = end
        except (ConnectionResetError, BrokenPipeError):
            out["end"] = "rst"
    print(json.dumps(out))


main()
