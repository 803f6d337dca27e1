#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Send hand-made (and deliberately broken) Ethernet frames from inside a
# namespace, for dp's input-validation tests:
#   rawsend.py IFACE DST_MAC KIND [COUNT]
# KIND: ip4-echo, ip4-bad-csum, ip4-bad-len, ip4-short-len, ip6-bad-len, udp-bad-csum
import socket
import struct
import sys


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, total=None, bad_csum=False):
    total = 20 + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(hdr)
    if bad_csum:
        c ^= 0x5A5A
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def icmp_echo():
    body = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"turnpike"
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def ip6(src, dst, nh, payload, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 6 << 28, plen, nh, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def main():
    ifc, dst_mac, kind = sys.argv[1], sys.argv[2], sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifc, 0))
    src_mac = s.getsockname()[4]
    dmac = bytes.fromhex(dst_mac.replace(":", ""))
    if kind == "ip4-bad-csum":
        etype, pkt = 0x0800, ip4("10.210.0.2", "10.210.0.1", 1, icmp_echo(), bad_csum=True)
    elif kind == "ip4-bad-len":       # total length beyond the frame
        etype, pkt = 0x0800, ip4("10.210.0.2", "10.210.0.1", 1, icmp_echo(), total=1400)
    elif kind == "ip4-short-len":     # total length below the header length
        etype, pkt = 0x0800, ip4("10.210.0.2", "10.210.0.1", 1, icmp_echo(), total=12)
    elif kind == "ip6-bad-len":       # payload length beyond the frame
        etype, pkt = 0x86DD, ip6("fd00:210::2", "fd00:210::1", 58, icmp_echo(), plen=900)
    elif kind == "ip4-echo":          # a good echo request
        etype, pkt = 0x0800, ip4("10.210.0.2", "10.210.0.1", 1, icmp_echo())
    elif kind == "udp-bad-csum":
        udp = struct.pack("!HHHH", 40000, 9, 12, 0xBEEF) + b"bad!"
        etype, pkt = 0x0800, ip4("10.210.0.2", "10.210.0.1", 17, udp)
    else:
        sys.exit("unknown kind " + kind)
    frame = dmac + src_mac + struct.pack("!H", etype) + pkt
    for _ in range(count):
        s.send(frame)


if __name__ == "__main__":
    main()
