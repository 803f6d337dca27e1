#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The IP TTL (IPv6 hop limit) of every kind of packet dp sends a client
# and a peer, read as the receiving host sees it (IP_RECVTTL /
# IPV6_RECVHOPLIMIT, and the IPv4 header of a raw ICMP socket): over a
# direct link it is what dp put there. coturn 4.17.0 sent every UDP answer
# with TTL 1 (coturn #2043), which reaches no client behind a router.
#
#   ttl_probe.py peer ADDR PORT SECONDS
#       in the peers' namespace: echo each datagram to ADDR:PORT back,
#       print "relayed-to-peer TTL" for each, until SECONDS have passed.
#   ttl_probe.py client SERVER PEER PEER_PORT
#       in the clients' namespace: a Binding success, an error response
#       (401), an Allocate success, a Data indication and ChannelData
#       (the peer's echo of a Send indication, of ChannelData), an ICMP
#       echo reply and an ICMP port unreachable from dp: "KIND TTL" each,
#       or "KIND none" when it did not come.
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import turnclient as tc  # noqa: E402

IP_RECVTTL, IP_TTL = 12, 2                 # <linux/in.h>
IPV6_RECVHOPLIMIT, IPV6_HOPLIMIT = 51, 52  # <linux/in6.h>


def want_ttl(s, family):
    if family == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)


def recv_ttl(s, timeout=3.0):
    """(data, ttl, source) of one datagram, or (None, None, None)."""
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        return None, None, None
    data, anc, _, src = s.recvmsg(65535, socket.CMSG_SPACE(16))
    ttl = None
    for level, kind, v in anc:
        if (level, kind) in ((socket.IPPROTO_IP, IP_TTL),
                             (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)):
            ttl = struct.unpack("i", v[:4])[0] if len(v) >= 4 else v[0]
    return data, ttl, src


def peer(addr, port, seconds):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    want_ttl(s, fam)     # (before the bind: a waiter takes the bound port as ready)
    s.bind((addr, port))
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        data, ttl, src = recv_ttl(s, until - time.monotonic())
        if data is None:
            break
        print("relayed-to-peer %s" % ttl, flush=True)
        s.sendto(data, src)


class TtlClient(tc.Client):
    """turnclient's UDP client, keeping the TTL of each answer."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        want_ttl(self.sock, self.sock.family)
        self.ttl = None

    def recv(self):
        data, ttl, _ = recv_ttl(self.sock, self.sock.gettimeout() or 3.0)
        if data is None:
            raise socket.timeout("nothing")
        self.ttl = ttl
        return data


def icmp(server):
    """An echo reply (our request) and a port unreachable (a datagram to a
    closed port) from dp: their TTLs."""
    v6 = ":" in server
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    raw = socket.socket(fam, socket.SOCK_RAW, proto)
    if v6:
        want_ttl(raw, fam)
    echo_req, echo_rep, unreach = (128, 129, 1) if v6 else (8, 0, 3)
    ident = os.getpid() & 0xFFFF
    body = struct.pack("!BBHHH", echo_req, 0, 0, ident, 1) + b"ttl-probe"
    if not v6:          # (the kernel sums ICMPv6)
        even = body + b"\0" * (len(body) % 2)
        c = sum(struct.unpack("!%dH" % (len(even) // 2), even))
        c = (c >> 16) + (c & 0xFFFF)
        c = ~(c + (c >> 16)) & 0xFFFF
        body = body[:2] + struct.pack("!H", c) + body[4:]
    raw.sendto(body, (server, 0))
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.sendto(b"nobody listens", (server, 9999))
    got = {}
    until = time.monotonic() + 3
    while len(got) < 2 and time.monotonic() < until:
        data, ttl, _ = recv_ttl(raw, until - time.monotonic())
        if data is None:
            break
        if not v6:      # a raw IPv4 socket gives the header
            ttl, data = data[8], data[(data[0] & 0xF) * 4:]
        if data[0] == echo_rep and struct.unpack("!H", data[4:6])[0] == ident:
            got["icmp-echo-reply"] = ttl
        elif data[0] == unreach:
            got["icmp-port-unreachable"] = ttl
    return got


def client(server, peer_ip, peer_port):
    out = {}
    c = TtlClient(server)
    m = c._exchange(c.build(0x001, [], auth=False))           # Binding
    out["binding-success"] = c.ttl if m.cls == 2 else None
    m = c._exchange(c.build(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, b"\x11\0\0\0")],
                            auth=False))
    out["error-response"] = c.ttl if m.cls == 3 else None
    c.realm, c.nonce = m.get(tc.A_REALM).decode(), m.get(tc.A_NONCE)
    m = c.allocate()
    out["allocate-success"] = c.ttl if m.cls == 2 else None
    c.permission((peer_ip, None))
    c.send_indication(peer_ip, peer_port, b"data indication, please")
    m = tc.Msg(c.recv())
    out["data-indication"] = c.ttl if m.method == tc.DATA else None
    c.channel_bind(0x4001, peer_ip, peer_port)
    c.channel_data(0x4001, b"channel data, please")
    d = c.recv()
    out["channel-data"] = c.ttl if struct.unpack("!H", d[:2])[0] == 0x4001 else None
    out.update(icmp(server))
    for k in ("binding-success", "error-response", "allocate-success", "data-indication",
              "channel-data", "icmp-echo-reply", "icmp-port-unreachable"):
        print("%s %s" % (k, out.get(k)), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "peer":
        peer(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        client(sys.argv[2], sys.argv[3], int(sys.argv[4]))
