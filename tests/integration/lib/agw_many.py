#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Many access-gateway contexts at once.
#
#   agw_many.py create SOCKET N REMOTE_ADDR REMOTE_PORT OUT
#       N contexts through cp's API (agw.create, JSON over its socket):
#       leg 0 a TCP server on 10.210.0.1 (cp picks the port), leg 1 a TCP
#       client to REMOTE; OUT gets "id port" lines. Prints the time taken.
#   agw_many.py peer ADDR PORT N
#       accept N connections; on each read "C%06d" and 1000 bytes, answer
#       "P%06d" and 1000 bytes of its own, read to the end, close.
#   agw_many.py client ADDR PORTS_FILE HOLD_FILE
#       open a connection to every port of PORTS_FILE at once, send each its
#       index and 1000 bytes, read every answer and check it, then (once
#       HOLD_FILE exists, or at once without one) close them all, read to
#       the end. Prints one JSON line: connections, answers right, wrong.
import json, os, resource, selectors, socket, sys, time

PAY = 1000


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(hard, 65536)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def payload(tag, i):
    b = (b"%s%06d" % (tag, i))
    return b + bytes(((i * 7 + k) & 0xff for k in range(PAY)))


def api(sock_path, req):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    s.sendall(json.dumps(req).encode())
    s.shutdown(socket.SHUT_WR)
    buf = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    s.close()
    return json.loads(buf)


def create(sock_path, n, raddr, rport, out):
    t0 = time.time()
    lines = []
    for i in range(n):
        a = api(sock_path, {"cmd": "agw.create", "label": "many-%d" % i, "legs": [
            {"tcp": "server", "local": "10.210.0.1", "remote": "10.210.0.2"},
            {"tcp": "client", "remote": "%s:%d" % (raddr, rport)}]})
        if not a.get("ok"):
            print("create %d: %s" % (i, a.get("error")), file=sys.stderr)
            return 1
        lines.append("%d %s" % (a["id"], a["legs"][0]["local"].rsplit(":", 1)[1]))
    open(out, "w").write("\n".join(lines) + "\n")
    print("# %d contexts created in %.2f s" % (n, time.time() - t0))
    return 0


def peer(addr, port, n):
    raise_nofile()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(2048)
    ls.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    conns = {}
    done = 0
    accepted = 0
    end = time.time() + 120
    while done < n and time.time() < end:
        for key, _ in sel.select(0.5):
            if key.data is None:
                try:
                    c, _ = ls.accept()
                except BlockingIOError:
                    continue
                c.setblocking(False)
                st = {"buf": b"", "answered": False}
                conns[c] = st
                sel.register(c, selectors.EVENT_READ, st)
                accepted += 1
                continue
            c, st = key.fileobj, key.data
            try:
                b = c.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                b = b""
            if b:
                st["buf"] += b
                if not st["answered"] and len(st["buf"]) >= 7 + PAY:
                    i = int(st["buf"][1:7])
                    c.setblocking(True)
                    c.sendall(payload(b"P", i))
                    c.setblocking(False)
                    st["answered"] = True
                continue
            sel.unregister(c)
            c.close()
            done += 1
    print(json.dumps({"accepted": accepted, "closed": done}))
    return 0 if done == n else 1


def client(addr, ports_file, hold_file):
    raise_nofile()
    ports = [int(l.split()[1]) for l in open(ports_file) if l.strip()]
    sel = selectors.DefaultSelector()
    socks = []
    t0 = time.time()
    for i, p in enumerate(ports):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((addr, p))
        st = {"i": i, "buf": b"", "sent": False}
        socks.append((s, st))
        sel.register(s, selectors.EVENT_WRITE, st)
    ok = bad = 0
    pending = len(socks)
    end = time.time() + 120
    while pending and time.time() < end:
        for key, ev in sel.select(0.5):
            s, st = key.fileobj, key.data
            if ev & selectors.EVENT_WRITE and not st["sent"]:
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    bad += 1
                    pending -= 1
                    sel.unregister(s)
                    continue
                s.setblocking(True)
                s.sendall(payload(b"C", st["i"]))
                s.setblocking(False)
                st["sent"] = True
                sel.modify(s, selectors.EVENT_READ, st)
                continue
            try:
                b = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                b = b""
            st["buf"] += b
            if len(st["buf"]) >= 7 + PAY or not b:
                if st["buf"] == payload(b"P", st["i"]):
                    ok += 1
                else:
                    bad += 1
                pending -= 1
                sel.unregister(s)
    all_up = time.time() - t0
    print("# all %d answered in %.2f s" % (len(socks), all_up), file=sys.stderr)
    if hold_file:
        open(hold_file + ".up", "w").close()
        while not os.path.exists(hold_file) and time.time() < end:
            time.sleep(0.1)
    eof = 0
    for s, st in socks:
        try:
            s.setblocking(True)
            s.settimeout(10)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    for s, st in socks:
        try:
            while s.recv(65536):
                pass
            eof += 1
        except OSError:
            pass
        s.close()
    print(json.dumps({"connections": len(socks), "ok": ok, "bad": bad, "eof": eof,
                      "secs": round(time.time() - t0, 2)}))
    return 0 if ok == len(socks) else 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "create":
        sys.exit(create(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]),
                        sys.argv[6]))
    if cmd == "peer":
        sys.exit(peer(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    if cmd == "client":
        sys.exit(client(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else ""))
    sys.exit(2)
