#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A bare H.248 controller and a flooder of the Iq door, in text written
here (no H.248 stack): what a test needs that a complete controller
(tp_mgc.erl) will not do, such as floods, forged sources and oversized
messages.

  raw_mgc.py serve --listen IP:PORT --gw IP:PORT --ctl SOCK
      the controller: answers the gateway's ServiceChange and Notify, and
      takes commands on the UNIX socket SOCK (one line in, one line out):
        registered SECS      wait for a ServiceChange answered
        burst N SECS         N AuditValue ROOT requests at once (repeated
                             while unanswered), the answers awaited SECS:
                             "OK ran=X busy=Y other=Z none=W"
        send SECS TEXT       TEXT (\\n escapes) sent, the first answer to its
                             transaction awaited: "OK code=C" (0: a reply)
        sendfrom PORT SECS TEXT   the same from PORT of its host (a socket
                             of its own), the answer awaited there
        big SIZE SECS        an Add of SIZE bytes sent: "OK code=C" or TIMEOUT
        notifies             "OK notifies=N ito=M"
  raw_mgc.py ctl SOCK COMMAND...   one command; rc 0 on OK
  raw_mgc.py flood --src IP [--sport PORT] --to IP:PORT --secs S [--rate R] --kind K
      from IP (port PORT, else any) for S seconds, R a second (0: as fast as
      it can): K junk (not H.248), audit (one AuditValue ROOT), multi (32 of
      them a message); prints {"sent": N, "answers": M, "busy": B}
      (datagrams back to it, those of them with an error 511)
"""
import argparse
import json
import os
import re
import socket
import sys
import threading
import time

AUDIT = "Transaction = %d { Context = - { AuditValue = ROOT { Audit { } } } }"


def addr(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


class Mgc:
    def __init__(self, listen, gw):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(addr(listen))
        self.listen = addr(listen)
        self.gw = addr(gw)
        self.mid = "[%s]:%d" % addr(listen)
        self.lock = threading.Lock()
        self.cv = threading.Condition(self.lock)
        self.answers = {}        # tid -> error code (0: a reply)
        self.registered = 0
        self.notifies = 0
        self.ito = 0
        self.tid = 100000 + os.getpid() % 1000 * 1000
        threading.Thread(target=self.rx, daemon=True).start()

    def wire(self, body):
        """The message of body as it goes."""
        return ("MEGACO/3 %s\n%s" % (self.mid, body)).encode()

    def send(self, body):
        self.sock.sendto(self.wire(body), self.gw)

    def next_tid(self):
        with self.lock:
            self.tid += 1
            return self.tid

    def rx(self, sock=None):
        sock = sock or self.sock
        while True:
            try:
                data, frm = sock.recvfrom(65535)
            except OSError:
                return              # (a sendfrom socket closed)
            text = data.decode(errors="replace")
            for m in re.finditer(r"(Transaction|Reply|Pending)\s*=\s*(\d+)\s*\{", text):
                kind, tid = m.group(1), int(m.group(2))
                rest = text[m.end():]
                nxt = re.search(r"(Transaction|Reply|Pending)\s*=\s*\d+\s*\{", rest)
                body = rest[:nxt.start()] if nxt else rest
                if kind == "Transaction":
                    self.request(tid, body)
                elif kind == "Reply":
                    e = re.search(r"Error\s*=\s*(\d+)", body)
                    with self.lock:
                        self.answers[tid] = int(e.group(1)) if e else 0
                        self.cv.notify_all()
            if not re.search(r"(Transaction|Reply|Pending)\s*=", text):
                e = re.search(r"Error\s*=\s*(\d+)", text)
                with self.lock:
                    self.answers[0] = int(e.group(1)) if e else -1
                    self.cv.notify_all()

    def request(self, tid, body):
        if "ServiceChange" in body:
            self.send("Reply = %d { Context = - { ServiceChange = ROOT { Services { "
                      "ServiceChangeVersion = 3 } } } }" % tid)
            with self.lock:
                self.registered += 1
                self.cv.notify_all()
        elif "Notify" in body:
            self.send("Reply = %d { Context = - { Notify = ROOT } }" % tid)
            with self.lock:
                self.notifies += 1
                self.ito += "it/ito" in body
                self.cv.notify_all()

    def wait(self, pred, secs):
        end = time.monotonic() + secs
        with self.lock:
            while not pred():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cv.wait(left)
            return True

    def command(self, line):
        w = line.split(" ", 2)
        if w[0] == "registered":
            ok = self.wait(lambda: self.registered > 0, float(w[1]))
            return ("OK registered n=%d" % self.registered) if ok else "TIMEOUT"
        if w[0] == "burst":
            n, secs = int(w[1]), float(w[2])
            tids = [self.next_tid() for _ in range(n)]
            end = time.monotonic() + secs
            # (repeated every half second while unanswered, as a
            # controller does over UDP: Annex D.1)
            while True:
                with self.lock:
                    left = [t for t in tids if t not in self.answers]
                for t in left:
                    self.send(AUDIT % t)
                if not left or not self.wait(lambda: all(t in self.answers for t in tids),
                                             min(0.5, max(0, end - time.monotonic()))):
                    if not left or time.monotonic() >= end:
                        break
            with self.lock:
                got = [self.answers.get(t) for t in tids]
            return "OK ran=%d busy=%d other=%d none=%d" % (
                got.count(0), got.count(511), sum(1 for c in got if c not in (None, 0, 511)),
                got.count(None))
        if w[0] == "sendfrom":
            # sendfrom PORT SECS TEXT
            v = line.split(" ", 3)
            secs, text = float(v[2]), (v[3] if len(v) > 3 else "")
            t = self.next_tid()
            body = text.replace("\\n", "\n").replace("TID", str(t))
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((self.listen[0], int(v[1])))
            threading.Thread(target=self.rx, args=(sock,), daemon=True).start()
            sock.sendto(self.wire(body), self.gw)
            ok = self.wait(lambda: t in self.answers, secs)
            sock.close()
            return ("OK code=%d tid=%d" % (self.answers[t], t)) if ok else "TIMEOUT"
        if w[0] in ("send", "big"):
            secs = float(w[2].split(" ")[0]) if w[0] == "big" else float(w[1])
            t = self.next_tid()
            if w[0] == "send":
                self.send(w[2].replace("\\n", "\n").replace("TID", str(t)))
            else:
                pad = "y" * max(0, int(w[1]) - 200)
                self.send("Transaction = %d { Context = $ { Add = $ { Media { Stream = 1 { "
                          "Remote { v=0\r\nc=IN IP4 10.0.0.1\r\nm=message 9 TCP/MSRP *\r\n"
                          "a=x-pad:%s\r\n } } } } } }" % (t, pad))
            ok = self.wait(lambda: t in self.answers, secs)
            return ("OK code=%d tid=%d" % (self.answers[t], t)) if ok else "TIMEOUT"
        if w[0] == "notifies":
            with self.lock:
                return "OK notifies=%d ito=%d" % (self.notifies, self.ito)
        return "ERROR unknown command"


def serve(a):
    m = Mgc(a.listen, a.gw)
    try:
        os.unlink(a.ctl)
    except FileNotFoundError:
        pass
    ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ctl.bind(a.ctl)
    ctl.listen(4)
    print("READY", flush=True)
    while True:
        c, _ = ctl.accept()
        with c:
            line = c.makefile().readline().strip()
            if line == "quit":
                return 0
            c.sendall((m.command(line) + "\n").encode())


def ctl(a):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(a.sock)
    c.sendall((" ".join(a.words) + "\n").encode())
    out = c.makefile().readline().strip()
    print(out)
    return 0 if out.startswith("OK") else 1


def flood(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.src, a.sport))
    s.setblocking(False)
    to = addr(a.to)
    mid = "MEGACO/3 [%s]:%d\n" % (a.src, s.getsockname()[1])
    sent = answers = busy = 0
    tid = 1000000 + os.getpid() % 1000 * 100000
    end = time.monotonic() + a.secs
    gap = 1.0 / a.rate if a.rate > 0 else 0
    nxt = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if a.kind == "junk":
            msg = b"\x00not H.248 at all {{{"
        elif a.kind == "audit":
            tid += 1
            msg = (mid + AUDIT % tid).encode()
        else:
            msg = (mid + " ".join(AUDIT % (tid + i) for i in range(1, 33))).encode()
            tid += 32
        try:
            s.sendto(msg, to)
            sent += 1
        except (BlockingIOError, ConnectionRefusedError):
            pass
        try:
            while True:
                busy += b"511" in s.recv(65535)
                answers += 1
        except (BlockingIOError, ConnectionRefusedError):
            pass
        if gap:
            nxt += gap
            if nxt > now:
                time.sleep(nxt - now)
    time.sleep(0.5)
    try:
        while True:
            busy += b"511" in s.recv(65535)
            answers += 1
    except (BlockingIOError, ConnectionRefusedError):
        pass
    print(json.dumps({"sent": sent, "answers": answers, "busy": busy}))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--listen", required=True)
    s.add_argument("--gw", required=True)
    s.add_argument("--ctl", required=True)
    c = sub.add_parser("ctl")
    c.add_argument("sock")
    c.add_argument("words", nargs="+")
    f = sub.add_parser("flood")
    f.add_argument("--src", required=True)
    f.add_argument("--sport", type=int, default=0)
    f.add_argument("--to", required=True)
    f.add_argument("--secs", type=float, default=3)
    f.add_argument("--rate", type=float, default=0)
    f.add_argument("--kind", choices=["junk", "audit", "multi"], default="junk")
    a = p.parse_args()
    return {"serve": serve, "ctl": ctl, "flood": flood}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
