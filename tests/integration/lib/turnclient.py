#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# A small TURN client for protocol-level integration tests: builds STUN
# requests with the long-term credential mechanism (RFC 8489 §9.2, MD5
# key), MESSAGE-INTEGRITY and FINGERPRINT, parses responses, and sends
# ChannelData and Send indications. Independent of turnpike's own codec,
# so the tests check the server against a second implementation.
import hashlib
import hmac
import os
import socket
import time
import struct
import zlib

COOKIE = 0x2112A442
ALLOCATE, REFRESH, SEND, DATA, CREATE_PERMISSION, CHANNEL_BIND = 3, 4, 6, 7, 8, 9
A_USERNAME, A_MI, A_ERROR, A_UNKNOWN, A_REALM, A_NONCE = 0x6, 0x8, 0x9, 0xA, 0x14, 0x15
A_XOR_MAPPED, A_CHANNEL, A_LIFETIME, A_XOR_PEER, A_DATA = 0x20, 0xC, 0xD, 0x12, 0x13
A_XOR_RELAYED, A_REQ_TRANSPORT, A_FINGERPRINT = 0x16, 0x19, 0x8028
A_ACCESS_TOKEN, A_MOBILITY_TICKET = 0x001B, 0x8030


def msg_type(method, cls):
    return ((method & 0xF) | ((method & 0x70) << 1) | ((method & 0xF80) << 2)
            | ((cls & 1) << 4) | ((cls & 2) << 7))


def xor_addr(ip, port, tid):
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    raw = socket.inet_pton(fam, ip)
    mask = struct.pack("!I", COOKIE) + tid
    x = bytes(b ^ mask[i] for i, b in enumerate(raw))
    return struct.pack("!BBH", 0, 1 if fam == socket.AF_INET else 2,
                       port ^ (COOKIE >> 16)) + x


def unxor_addr(v, tid):
    fam, xport = v[1], struct.unpack("!H", v[2:4])[0]
    mask = struct.pack("!I", COOKIE) + tid
    raw = bytes(b ^ mask[i] for i, b in enumerate(v[4:]))
    ip = socket.inet_ntop(socket.AF_INET if fam == 1 else socket.AF_INET6, raw)
    return ip, xport ^ (COOKIE >> 16)


def attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)


class Msg:
    def __init__(self, data):
        self.raw = data
        t, ln, cookie = struct.unpack("!HHI", data[:8])
        self.method = (t & 0xF) | ((t >> 1) & 0x70) | ((t >> 2) & 0xF80)
        self.cls = ((t >> 4) & 1) | ((t >> 7) & 2)
        self.tid = data[8:20]
        self.attrs = []
        off = 20
        while off + 4 <= len(data):
            at, al = struct.unpack("!HH", data[off:off + 4])
            self.attrs.append((at, data[off + 4:off + 4 + al]))
            off += 4 + al + ((4 - al % 4) % 4)

    def get(self, t):
        for at, v in self.attrs:
            if at == t:
                return v
        return None

    def error(self):
        v = self.get(A_ERROR)
        return None if v is None else (v[2] & 7) * 100 + v[3]


class Client:
    def __init__(self, server, port=3478, user="test", password="test",
                 realm=None, bind=("", 0), timeout=2.0, rto=0.5, rc=7, rm=16):
        fam = socket.AF_INET6 if ":" in server else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.bind(bind)
        self.sock.settimeout(timeout)
        self.server = (server, port)
        self.user, self.password = user, password
        self.realm, self.nonce, self.key = realm, None, None
        # RFC 8489 §6.2.1 over UDP: RTO, Rc sends, Rm x RTO after the last
        self.rto, self.rc, self.rm = rto, rc, rm
        self.retransmits = 0      # resends over every transaction
        self.last_sends = 0       # sends of the last one

    def _user(self):
        """USERNAME's bytes: user as given when bytes (a test's username
        that is not UTF-8), else its UTF-8."""
        return self.user if isinstance(self.user, bytes) else self.user.encode()

    def _key(self):
        return hashlib.md5(self._user() + (":%s:%s" % (self.realm, self.password))
                           .encode()).digest()

    def build(self, method, attrs, cls=0, auth=True, fingerprint=True, tid=None):
        tid = tid or os.urandom(12)
        body = b"".join(attr(t, v) if not isinstance(v, tuple) else attr(t, xor_addr(*v, tid))
                        for t, v in attrs)
        if auth and self.nonce is not None:
            body += attr(A_USERNAME, self._user())
            body += attr(A_REALM, self.realm.encode()) + attr(A_NONCE, self.nonce)
            hdr = struct.pack("!HHI", msg_type(method, cls), len(body) + 24, COOKIE) + tid
            mac = hmac.new(self._key(), hdr + body, hashlib.sha1).digest()
            body += attr(A_MI, mac)
        if fingerprint:
            hdr = struct.pack("!HHI", msg_type(method, cls), len(body) + 8, COOKIE) + tid
            crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
            body += attr(A_FINGERPRINT, struct.pack("!I", crc))
        return struct.pack("!HHI", msg_type(method, cls), len(body), COOKIE) + tid + body

    def send_raw(self, data):
        self.sock.sendto(data, self.server)

    def recv(self):
        data, _ = self.sock.recvfrom(65535)
        return data

    def _exchange(self, req):
        """One STUN transaction over UDP (RFC 8489 §6.2.1): req sent, and
        sent again unchanged after RTO, 2 RTO, 4 RTO ... (Rc sends in all),
        then Rm x RTO of waiting after the last one. Returns the answer with
        req's transaction id; raises socket.timeout when none came."""
        old = self.sock.gettimeout()
        wait = self.rto
        self.last_sends = 0
        try:
            for n in range(self.rc):
                self.send_raw(req)
                self.last_sends += 1
                if n > 0:
                    self.retransmits += 1
                until = time.monotonic() + (wait if n < self.rc - 1 else self.rm * self.rto)
                while True:
                    left = until - time.monotonic()
                    if left <= 0:
                        break
                    self.sock.settimeout(left)
                    try:
                        m = Msg(self.recv())
                    except socket.timeout:
                        break
                    if m.tid == req[8:20]:
                        return m
                wait *= 2
            raise socket.timeout("no answer to %d sends over %.1f s" %
                                 (self.last_sends, self.rto * (2 ** (self.rc - 1) - 1 + self.rm)))
        finally:
            self.sock.settimeout(old)

    def transact(self, method, attrs, auth=True):
        """Send a request, retransmitted as RFC 8489 says (_exchange), and
        again with the new nonce after a 401/438."""
        for _ in range(3):
            req = self.build(method, attrs, auth=auth)
            m = self._exchange(req)
            code = m.error()
            if code in (401, 438) and auth and m.get(A_NONCE) is not None:
                fresh = self.nonce is None or code == 438
                self.realm = m.get(A_REALM).decode()
                self.nonce = m.get(A_NONCE)
                if fresh:
                    continue
            return m
        return m

    def allocate(self, lifetime=None):
        attrs = [(A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))]
        if lifetime is not None:
            attrs.append((A_LIFETIME, struct.pack("!I", lifetime)))
        m = self.transact(ALLOCATE, attrs)
        if m.cls == 2:
            self.relayed = unxor_addr(m.get(A_XOR_RELAYED), m.tid)
        return m

    def refresh(self, lifetime):
        return self.transact(REFRESH, [(A_LIFETIME, struct.pack("!I", lifetime))])

    def permission(self, *peers):
        return self.transact(CREATE_PERMISSION, [(A_XOR_PEER, (ip, 0 if p is None else p))
                                                 for ip, p in peers])

    def channel_bind(self, ch, ip, port):
        return self.transact(CHANNEL_BIND, [(A_CHANNEL, struct.pack("!HH", ch, 0)),
                                            (A_XOR_PEER, (ip, port))])

    def send_indication(self, ip, port, data):
        self.send_raw(self.build(SEND, [(A_XOR_PEER, (ip, port)), (A_DATA, data)],
                                 cls=1, auth=False))

    def channel_data(self, ch, data):
        self.send_raw(struct.pack("!HH", ch, len(data)) + data)

    def echo_over_channel(self, ch, payload, tries=3):
        """ChannelData to a peer that echoes: the same bytes back on ch
        (sent again up to tries times, each waiting out recv's timeout)?"""
        for _ in range(tries):
            self.channel_data(ch, payload)
            try:
                while True:
                    d = self.recv()
                    if len(d) >= 4 and struct.unpack("!H", d[:2])[0] == ch and d[4:] == payload:
                        return True
            except socket.timeout:
                pass
        return False


class OAuthClient(Client):
    """RFC 7635: USERNAME the kid, ACCESS-TOKEN (token, its bytes; None: the
    request goes without, signed with the key alone) beside it, and
    MESSAGE-INTEGRITY keyed with the token's mac_key (the whole key, as the
    RFC says)."""

    def __init__(self, server, kid, token, mac_key, **kw):
        super().__init__(server, user=kid, **kw)
        self.token, self.mac_key = token, mac_key

    def _key(self):
        return self.mac_key

    def build(self, method, attrs, **kw):
        if self.token is not None and kw.get("auth", True) and self.nonce is not None:
            attrs = [(A_ACCESS_TOKEN, self.token)] + list(attrs)
        return super().build(method, attrs, **kw)


class TcpClient(Client):
    """The same client over a TCP connection (RFC 8656 §3.1): requests are
    sent once (RFC 8489 §6.2.2: no retransmission on a reliable transport),
    ChannelData is padded to 4 bytes both ways (RFC 8656 §12.5), and what
    arrives is cut into frames from the stream. chop: write every frame in
    pieces of that many bytes, each its own segment (TCP_NODELAY), so that
    the server has to gather frames across segments."""

    def __init__(self, server, port=3478, timeout=5.0, chop=0, **kw):
        super().__init__(server, port=port, timeout=timeout, **kw)
        self.sock.close()
        fam = socket.AF_INET6 if ":" in server else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.sock.connect((server, port))
        self.chop = chop
        self.buf = b""
        self.frames = []          # frames read while waiting for another

    def send_raw(self, data):
        if self.chop <= 0:
            self.sock.sendall(data)
            return
        for i in range(0, len(data), self.chop):
            self.sock.sendall(data[i:i + self.chop])
            time.sleep(0.0005)

    def _frame(self):
        """The next whole frame from the stream (padding dropped)."""
        while True:
            if len(self.buf) >= 4:
                first, n = self.buf[0], struct.unpack("!H", self.buf[2:4])[0]
                if first < 0x40:
                    need, keep = 20 + n, 20 + n
                elif first < 0x80:
                    need, keep = 4 + ((n + 3) & ~3), 4 + n
                else:
                    raise ValueError("stream lost its framing: first byte %#x" % first)
                if len(self.buf) >= need:
                    f, self.buf = self.buf[:keep], self.buf[need:]
                    return f
            d = self.sock.recv(65536)
            if not d:
                raise ConnectionError("the server closed the connection")
            self.buf += d

    def recv(self):
        if self.frames:
            return self.frames.pop(0)
        return self._frame()

    def _exchange(self, req):
        self.send_raw(req)
        self.last_sends = 1
        while True:
            f = self._frame()
            if f[0] < 0x40 and f[8:20] == req[8:20]:
                return Msg(f)
            self.frames.append(f)

    def channel_data(self, ch, data):
        pad = b"\0" * ((4 - len(data) % 4) % 4)
        self.send_raw(struct.pack("!HH", ch, len(data)) + data + pad)
