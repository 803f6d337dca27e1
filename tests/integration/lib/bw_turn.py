#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The two ends of test_turn_bw.sh: a TURN client (lib/turnclient.py) and
# its peer, each sending to the other at a fixed rate for a while and
# counting what arrives from the other, so that an allocation's bandwidth
# limit is measured where it matters: in bytes received at the far end.
# The ends meet through files in DIR (they live in two namespaces).
#   bw_turn.py peer udp|tcp DIR NAME PORT SECONDS RATE
#   bw_turn.py client udp|tcp SERVER DIR NAME USER PASSWORD PEER_IP PORT SECONDS RATE
# Each sends RATE bytes a second (1000-byte datagrams, or 4000-byte
# writes) for SECONDS + 1 and counts the bytes that arrive in the SECONDS
# from the first one (payload: what the application sent). The client
# writes DIR/relayed-NAME once its allocation, permission and channel (or
# its TCP peer connection) are there, DIR/client-NAME "received sent" at
# the end, and waits for DIR/release (at most 60 s) before it deletes its
# allocation (Refresh 0; TCP: the connections close); the peer writes
# DIR/peer-NAME "received sent" (over TCP it too keeps its connection
# until DIR/release). TP_BW_PEER_IP: the address the peer
# binds (10.211.0.2, the peers' namespace; 127.0.0.1 against a turnserver
# on loopback, a check of the measurement itself).
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import turnclient as tc  # noqa: E402
from tcprelay_client import bind, connect, tcp_allocate  # noqa: E402

CHAN = 0x4000
PEER_IP = os.environ.get("TP_BW_PEER_IP", "10.211.0.2")   # the peer's own address


def put(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def wait_file(path, timeout):
    until = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() >= until:
            raise SystemExit("no %s in %d s" % (path, timeout))
        time.sleep(0.05)
    return open(path).read().split()


def run(sock, send, recv, seconds, rate, size):
    """send(n) sends n bytes and returns those taken; recv() returns the
    payload bytes of what came (0: nothing more now). Sends rate bytes a
    second for seconds + 1; counts what came in the seconds after the
    first byte. Returns (received, sent)."""
    start = time.monotonic()
    stop = start + seconds + 1.0
    first = None
    got = sent = 0
    nxt = start
    while True:
        now = time.monotonic()
        if first is not None and now >= first + seconds:
            break
        if now >= stop + 2.0:
            break
        if now >= nxt and now < stop:
            sent += send(size)
            nxt += size / rate
            continue
        wait = max(0.0, min(nxt, stop + 2.0) - now) if now < stop else 0.05
        r, _, _ = select.select([sock], [], [], wait)
        if r:
            while True:
                n = recv()
                if n <= 0:
                    break
                t = time.monotonic()
                if first is None:
                    first = t
                if t < first + seconds:
                    got += n
    return got, sent


def peer(kind, d, name, port, seconds, rate):
    if kind == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((PEER_IP, port))
        ip, rport = wait_file(os.path.join(d, "relayed-" + name), 30)
        to = (ip, int(rport))
        s.setblocking(False)
        data = os.urandom(1000)

        def send(n):
            try:
                return s.sendto(data[:n], to)
            except BlockingIOError:
                return 0

        def recv():
            try:
                x, src = s.recvfrom(65535)
            except BlockingIOError:
                return 0
            return len(x) if src == to else 0
        got, sent = run(s, send, recv, seconds, rate, 1000)
    else:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((PEER_IP, port))
        ls.listen(4)
        put(os.path.join(d, "listening-" + name), "1\n")
        ls.settimeout(30)
        s, _ = ls.accept()
        wait_file(os.path.join(d, "relayed-" + name), 30)
        s.setblocking(False)
        data = os.urandom(4000)

        def send(n):
            try:
                return s.send(data[:n])
            except BlockingIOError:
                return 0

        def recv():
            try:
                x = s.recv(65536)
            except BlockingIOError:
                return 0
            return len(x) if x else -1
        got, sent = run(s, send, recv, seconds, rate, 4000)
        put(os.path.join(d, "peer-" + name), "%d %d\n" % (got, sent))
        # Open until the client is done too: closed with bytes unread
        # (the client's, still coming) it is reset, and the relay passes
        # the reset on to the client's data connection (RFC 6062's
        # splice, dp/splice), whose 3 s began a little later than ours
        # and may still be counting: ECONNRESET there.
        wait_file(os.path.join(d, "release"), 60)
        s.close()
        return
    put(os.path.join(d, "peer-" + name), "%d %d\n" % (got, sent))


def client(kind, server, d, name, user, password, peer_ip, port, seconds, rate):
    if kind == "udp":
        c = tc.Client(server, user=user, password=password)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for what, m in (("Allocate", c.allocate(600)),
                        ("ChannelBind", c.channel_bind(CHAN, peer_ip, port))):
            if m.cls != 2:
                raise SystemExit("%s: %s refused (%s)" % (name, what, m.error()))
        put(os.path.join(d, "relayed-" + name), "%s %d\n" % c.relayed)
        s = c.sock
        s.setblocking(False)
        data = os.urandom(1000)

        def send(n):
            try:
                s.sendto(struct.pack("!HH", CHAN, n) + data[:n], c.server)
                return n
            except BlockingIOError:
                return 0

        def recv():
            try:
                x = s.recv(65535)
            except BlockingIOError:
                return 0
            if len(x) >= 4 and x[0] & 0xC0 == 0x40:
                return struct.unpack("!H", x[2:4])[0]
            return 0
        got, sent = run(s, send, recv, seconds, rate, 1000)
        put(os.path.join(d, "client-" + name), "%d %d\n" % (got, sent))
        wait_file(os.path.join(d, "release"), 60)
        s.setblocking(True)
        c.refresh(0)
        return
    wait_file(os.path.join(d, "listening-" + name), 30)
    c = tc.TcpClient(server, user=user, password=password, timeout=10)
    m = tcp_allocate(c)
    if m.cls != 2:
        raise SystemExit("%s: TCP Allocate refused (%s)" % (name, m.error()))
    m = c.permission((peer_ip, None))
    if m.cls != 2:
        raise SystemExit("%s: CreatePermission refused (%s)" % (name, m.error()))
    m, cid = connect(c, peer_ip, port)
    if cid is None:
        raise SystemExit("%s: Connect refused (%s)" % (name, m.error()))
    dc, m = bind(server, cid, user=user, password=password, nonce_from=c)
    if m.cls != 2:
        raise SystemExit("%s: ConnectionBind refused (%s)" % (name, m.error()))
    put(os.path.join(d, "relayed-" + name), "%s %d\n" % c.relayed)
    s = dc.sock
    s.setblocking(False)
    data = os.urandom(4000)
    early = len(dc.buf)                # (bytes that came with the answer)

    def send(n):
        try:
            return s.send(data[:n])
        except BlockingIOError:
            return 0

    def recv():
        try:
            x = s.recv(65536)
        except BlockingIOError:
            return 0
        return len(x) if x else -1
    got, sent = run(s, send, recv, seconds, rate, 4000)
    put(os.path.join(d, "client-" + name), "%d %d\n" % (got + early, sent))
    wait_file(os.path.join(d, "release"), 60)
    s.close()
    c.sock.close()


def main():
    a = sys.argv[1:]
    if len(a) == 7 and a[0] == "peer":
        peer(a[1], a[2], a[3], int(a[4]), float(a[5]), float(a[6]))
    elif len(a) == 11 and a[0] == "client":
        client(a[1], a[2], a[3], a[4], a[5], a[6], a[7], int(a[8]), float(a[9]), float(a[10]))
    else:
        sys.exit(__doc__ if __doc__ else "usage: see the head of bw_turn.py")


if __name__ == "__main__":
    main()
