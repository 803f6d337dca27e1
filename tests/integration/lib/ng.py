# SPDX-License-Identifier: BSD-3-Clause
"""rtpengine's ng protocol for the tests: bencode, and a UDP client that
sends "<cookie> <dict>" and reads the reply with the same cookie.

    import ng
    c = ng.Client("127.0.0.1", 22222)
    r = c.req({"command": "ping"})          # {'result': 'pong'}
    c.raw(b"x1 d7:command4:pinge")          # the reply's bytes, or None
"""
import os
import socket
import time


def enc(v):
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, (bytes, bytearray)):
        return b"%d:%s" % (len(v), bytes(v))
    if isinstance(v, (list, tuple)):
        return b"l" + b"".join(enc(x) for x in v) + b"e"
    if isinstance(v, dict):
        return b"d" + b"".join(enc(k) + enc(x) for k, x in v.items()) + b"e"
    raise TypeError(type(v))


def dec(b, i=0, hexbin=False):
    """(value, next index); strings as str when UTF-8, else bytes (hexbin:
    their hex, for JSON)."""
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c == b"l":
        i += 1
        out = []
        while b[i:i + 1] != b"e":
            v, i = dec(b, i, hexbin)
            out.append(v)
        return out, i + 1
    if c == b"d":
        i += 1
        out = {}
        while b[i:i + 1] != b"e":
            k, i = dec(b, i, hexbin)
            v, i = dec(b, i, hexbin)
            out[k] = v
        return out, i + 1
    j = b.index(b":", i)
    n = int(b[i:j])
    s = b[j + 1:j + 1 + n]
    try:
        s = s.decode()
    except UnicodeDecodeError:
        if hexbin:
            s = s.hex()
    return s, j + 1 + n


class Client:
    def __init__(self, host, port, timeout=2.0, src=None):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_DGRAM)
        if src:
            self.s.bind(src)
        self.s.settimeout(timeout)
        self.dst = (host, port)

    def cookie(self):
        return os.urandom(6).hex().encode()

    def raw(self, data, want=True):
        self.s.sendto(data, self.dst)
        if not want:
            return None
        try:
            return self.s.recv(65535)
        except socket.timeout:
            return None

    def req(self, d, cookie=None):
        ck = cookie or self.cookie()
        r = self.raw(ck + b" " + enc(d))
        if r is None:
            return None
        got, body = r.split(b" ", 1)
        assert got == ck, (got, ck)
        return dec(body)[0]

    def req_ok(self, d):
        """d's reply once it is not a refusal of the rate (none, or "Rate
        limit exceeded"): asked again 50 ms apart until then."""
        while True:
            r = self.req(d)
            if r is not None and "Rate limit" not in r.get("error-reason", ""):
                return r
            time.sleep(0.05)
