#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A bare H.248 controller and a flooder of the Iq door, in text written
here (no H.248 stack): what a test needs that a complete controller
(tp_mgc.erl) will not do, such as floods, forged sources and oversized
messages.

  raw_mgc.py serve --listen IP:PORT --gw IP:PORT --ctl SOCK
                   [--spi 0xHEX --key-file FILE [--alg sha1|sha256]]
      the controller: answers the gateway's ServiceChange and Notify, and
      takes commands on the UNIX socket SOCK (one line in, one line out):
        registered SECS      wait for a ServiceChange answered
        burst N SECS         N AuditValue ROOT requests at once (repeated
                             while unanswered), the answers awaited SECS:
                             "OK ran=X busy=Y other=Z none=W"
        send SECS TEXT       TEXT (\\n, \\r and \\xNN escapes: any byte) sent,
                             the first answer to its transaction awaited:
                             "OK code=C" (0: a reply); "reply=" and the
                             reply's bytes as \\xNN escapes past printable
                             ASCII, when it was one
        sendfrom PORT SECS TEXT   the same from PORT of its host (a socket
                             of its own), the answer awaited there
        forged KIND SECS TEXT     with --spi: TEXT sent with a header that is
                             not right (KIND unsigned: none; icv: a wrong
                             check value; spi: another SPI; replay: the last
                             signed message sent again, TEXT unused)
        big SIZE SECS        an Add of SIZE bytes sent: "OK code=C" or TIMEOUT
        notifies             "OK notifies=N ito=M"
        authstat             with --spi: what came from the gateway, "OK
                             signed=N unsigned=M bad=B" (bad: a header whose
                             SPI or check value is wrong)
      With --spi, H.248.1 §10.2's authentication header (cp/iq/FEATURE.md,
      "Authentication"): every message it sends is signed (a sequence number
      of its own from 1), every one from the gateway checked.
  raw_mgc.py ctl SOCK COMMAND...   one command; rc 0 on OK
  raw_mgc.py flood --src IP [--sport PORT] --to IP:PORT --secs S [--rate R] --kind K
      from IP (port PORT, else any) for S seconds, R a second (0: as fast as
      it can): K junk (not H.248), audit (one AuditValue ROOT), multi (32 of
      them a message), tiny (one AuditValue ROOT in H.248's compact form);
      prints {"sent": N, "answers": M, "busy": B, "in": I, "out": O,
      "length": L} (datagrams back to it, those of them with an error 511,
      the octets sent and received, a message's octets)
"""
import argparse
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import threading
import time

ERR511 = re.compile(rb"\b(Error|ER)\s*=\s*511\b")
AUDIT = "Transaction = %d { Context = - { AuditValue = ROOT { Audit { } } } }"


def unesc(text):
    """A command's TEXT: \\n, \\r and \\xNN as those bytes (0x80 and up as
    surrogates, which wire() writes back as the byte)."""
    def one(m):
        if m.group(0) == "\\n":
            return "\n"
        if m.group(0) == "\\r":
            return "\r"
        b = int(m.group(0)[2:], 16)
        return chr(b) if b < 0x80 else chr(0xdc00 + b)
    return re.sub(r"\\(?:n|r|x[0-9A-Fa-f]{2})", one, text)


def addr(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


AU_RE = re.compile(r"\s*(?:Authentication|AU)\s*=\s*0x([0-9A-Fa-f]{8}):0x([0-9A-Fa-f]{8}):"
                   r"0x([0-9A-Fa-f]{24,64})\s+")
# MEGACO/v SEP mId SEP (our messages and the gateway's: no comments)
HEAD_RE = re.compile(r"(?:MEGACO|!)/\d+\s+\S+\s+")


class Auth:
    """H.248.1 §10.2's interim AH, as cp/iq/FEATURE.md defines the bytes:
    HMAC over the synthesized IP header (source IPv4, destination IPv4,
    destination port: 20 upper-case hex digits) and the message from its
    body's first byte, truncated to 96 (sha1) or 128 (sha256) bits."""

    def __init__(self, spi, key, alg):
        self.spi = spi
        self.key = key
        self.alg = hashlib.sha1 if alg == "sha1" else hashlib.sha256
        self.n = 12 if alg == "sha1" else 16
        self.seq = 0

    @staticmethod
    def ip_hdr(src, dst, dport):
        return ("%08X%08X%04X" % (int.from_bytes(socket.inet_aton(src), "big"),
                                  int.from_bytes(socket.inet_aton(dst), "big"),
                                  dport)).encode()

    def icv(self, src, dst, dport, body, key=None):
        return hmac.new(key or self.key, self.ip_hdr(src, dst, dport) + body,
                        self.alg).digest()[:self.n]

    def sign(self, msg, src, dst, dport, spi=None, key=None):
        """msg (bytes, no header) with its header before it."""
        m = HEAD_RE.match(msg.decode(errors="replace"))
        self.seq += 1
        icv = self.icv(src, dst, dport, msg[m.end():], key)
        return ("Authentication = 0x%08X:0x%08X:0x%s\n" % (
            self.spi if spi is None else spi, self.seq, icv.hex().upper())).encode() + msg

    def check(self, data, src, dst, dport):
        """'signed', 'unsigned' or 'bad' for a message received."""
        t = data.decode(errors="replace")
        a = AU_RE.match(t)
        if not a:
            return "unsigned"
        rest = data[a.end():]
        m = HEAD_RE.match(rest.decode(errors="replace"))
        if int(a.group(1), 16) != self.spi or not m:
            return "bad"
        want = self.icv(src, dst, dport, rest[m.end():])
        return "signed" if hmac.compare_digest(bytes.fromhex(a.group(3)), want) else "bad"


class Mgc:
    def __init__(self, listen, gw, auth=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(addr(listen))
        self.listen = addr(listen)
        self.gw = addr(gw)
        self.auth = auth
        self.au = {"signed": 0, "unsigned": 0, "bad": 0}
        self.last_signed = None
        self.mid = "[%s]:%d" % addr(listen)
        self.lock = threading.Lock()
        self.cv = threading.Condition(self.lock)
        self.answers = {}        # tid -> error code (0: a reply)
        self.replies = {}        # tid -> the datagram of its reply
        self.registered = 0
        self.notifies = 0
        self.ito = 0
        self.tid = 100000 + os.getpid() % 1000 * 1000
        threading.Thread(target=self.rx, daemon=True).start()

    def wire(self, body, sock=None, kind=None):
        """The message of body as it goes from sock (default: ours),
        signed with --spi (kind: how it is not right, for a test)."""
        msg = ("MEGACO/3 %s\n%s" % (self.mid, body)).encode("utf-8", "surrogateescape")
        if not self.auth or kind == "unsigned":
            return msg
        src = (sock or self.sock).getsockname()[0]
        with self.lock:
            if kind == "icv":
                return self.auth.sign(msg, src, self.gw[0], self.gw[1], key=b"not the key")
            if kind == "spi":
                return self.auth.sign(msg, src, self.gw[0], self.gw[1], spi=self.auth.spi ^ 1)
            w = self.auth.sign(msg, src, self.gw[0], self.gw[1])
            if body.lstrip().startswith("Transaction"):
                self.last_signed = w
        return w

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
            if self.auth:
                here = sock.getsockname()
                with self.lock:
                    self.au[self.auth.check(data, frm[0], here[0], here[1])] += 1
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
                        self.replies[tid] = data
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
        if w[0] in ("sendfrom", "forged"):
            # sendfrom PORT SECS TEXT / forged KIND SECS TEXT
            v = line.split(" ", 3)
            secs, text = float(v[2]), (v[3] if len(v) > 3 else "")
            t = self.next_tid()
            body = text.replace("\\n", "\n").replace("TID", str(t))
            sock = self.sock
            if w[0] == "sendfrom":
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.bind((self.listen[0], int(v[1])))
                threading.Thread(target=self.rx, args=(sock,), daemon=True).start()
                data = self.wire(body, sock)
            elif v[1] == "replay":
                with self.lock:
                    data = self.last_signed
                m = re.search(rb"Transaction\s*=\s*(\d+)", data or b"")
                if not m:
                    return "ERROR nothing signed to replay"
                t = int(m.group(1))
                with self.lock:
                    self.answers.pop(t, None)
            else:
                data = self.wire(body, kind=v[1])
            sock.sendto(data, self.gw)
            ok = self.wait(lambda: t in self.answers, secs)
            if sock is not self.sock:
                sock.close()
            return ("OK code=%d tid=%d" % (self.answers[t], t)) if ok else "TIMEOUT"
        if w[0] == "authstat":
            with self.lock:
                return "OK signed=%d unsigned=%d bad=%d" % (
                    self.au["signed"], self.au["unsigned"], self.au["bad"])
        if w[0] in ("send", "big"):
            secs = float(w[2].split(" ")[0]) if w[0] == "big" else float(w[1])
            t = self.next_tid()
            if w[0] == "send":
                self.send(unesc(w[2]).replace("TID", str(t)))
            else:
                pad = "y" * max(0, int(w[1]) - 200)
                self.send("Transaction = %d { Context = $ { Add = $ { Media { Stream = 1 { "
                          "Remote { v=0\r\nc=IN IP4 10.0.0.1\r\nm=message 9 TCP/MSRP *\r\n"
                          "a=x-pad:%s\r\n } } } } } }" % (t, pad))
            ok = self.wait(lambda: t in self.answers, secs)
            if not ok:
                return "TIMEOUT"
            with self.lock:
                r = self.replies.get(t)
            more = "" if r is None else " reply=" + "".join(
                chr(b) if 0x20 <= b < 0x7f and b != 0x5c else "\\x%02x" % b for b in r)
            return "OK code=%d tid=%d%s" % (self.answers[t], t, more)
        if w[0] == "notifies":
            with self.lock:
                return "OK notifies=%d ito=%d" % (self.notifies, self.ito)
        return "ERROR unknown command"


def serve(a):
    auth = None
    if a.spi:
        with open(a.key_file) as f:
            auth = Auth(int(a.spi, 16), bytes.fromhex(f.read().strip()), a.alg)
    m = Mgc(a.listen, a.gw, auth)
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
    sent = answers = busy = octets_in = octets_out = 0
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
        elif a.kind == "tiny":
            # the shortest request H.248's compact form allows
            tid += 1
            msg = ("!/3 [%s]:%d T=%d{C=-{AV=ROOT}}" % (a.src, s.getsockname()[1], tid)).encode()
        else:
            msg = (mid + " ".join(AUDIT % (tid + i) for i in range(1, 33))).encode()
            tid += 32
        try:
            s.sendto(msg, to)
            sent += 1
            octets_in += len(msg)
        except (BlockingIOError, ConnectionRefusedError):
            pass
        try:
            while True:
                r = s.recv(65535)
                busy += ERR511.search(r) is not None
                answers += 1
                octets_out += len(r)
        except (BlockingIOError, ConnectionRefusedError):
            pass
        if gap:
            nxt += gap
            if nxt > now:
                time.sleep(nxt - now)
    time.sleep(0.5)
    try:
        while True:
            r = s.recv(65535)
            busy += ERR511.search(r) is not None
            answers += 1
            octets_out += len(r)
    except (BlockingIOError, ConnectionRefusedError):
        pass
    print(json.dumps({"sent": sent, "answers": answers, "busy": busy, "in": octets_in,
                      "out": octets_out, "length": len(msg)}))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--listen", required=True)
    s.add_argument("--gw", required=True)
    s.add_argument("--ctl", required=True)
    s.add_argument("--spi", help="sign and check (H.248.1 §10.2): the SPI, 0x...")
    s.add_argument("--key-file", help="the key, hex")
    s.add_argument("--alg", choices=["sha1", "sha256"], default="sha1")
    c = sub.add_parser("ctl")
    c.add_argument("sock")
    c.add_argument("words", nargs="+")
    f = sub.add_parser("flood")
    f.add_argument("--src", required=True)
    f.add_argument("--sport", type=int, default=0)
    f.add_argument("--to", required=True)
    f.add_argument("--secs", type=float, default=3)
    f.add_argument("--rate", type=float, default=0)
    f.add_argument("--kind", choices=["junk", "audit", "multi", "tiny"], default="junk")
    a = p.parse_args()
    return {"serve": serve, "ctl": ctl, "flood": flood}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
