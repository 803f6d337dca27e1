#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# RFC 8016 mobility across dp workers (test_turn_mobility.sh, dp with two
# workers), with lib/turnclient.py in the clients' namespace and
# turnutils_peer (an echo) at PEER_IP:PEER_PORT:
#   an allocation with a permission and a channel moves MOVES times, each
#   to a new local port chosen by dp's own rule (dp/net/flow.h
#   dp_flow_owner_n(): the tap ports have no RSS, so software decides) so
#   that the moves go to the other worker, back to the allocation's own,
#   to the other again and to another port of it, ending on the other; after each, data both ways over the
#   channel (the peer echoes) from the new port, and the old port's
#   Refresh gets 437; at the end, ChannelData from every old port is
#   relayed nowhere.
# Prints TAP lines and "# crossed N" (moves predicted to another worker
# than the allocation's); exits 1 on a failure.
import random
import socket
import struct
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
import turnclient as tc  # noqa: E402

A_MOBILITY_TICKET = 0x8030
SERVER, PEER_IP, PEER_PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
MOVES = int(sys.argv[4]) if len(sys.argv) > 4 else 6
NWORKERS = 2
TURN_PORT = 3478
fails = 0


def check(what, cond, detail=""):
    global fails
    if cond:
        print("ok - %s" % what)
    else:
        fails += 1
        print("not ok - %s %s" % (what, detail))


def crc32c(data, crc):
    """The CRC32-C instruction's update (rte_hash_crc()): no inversion."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc


def owner(cip, sip, cport, sport):
    """dp_flow_owner_n() for IPv4/UDP."""
    x = bytes(a ^ b for a, b in zip(socket.inet_aton(cip), socket.inet_aton(sip)))
    return crc32c(x + bytes(12), ((cport ^ sport) << 8) | 17) % NWORKERS


def local_ip():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((SERVER, TURN_PORT))
    ip = s.getsockname()[0]
    s.close()
    return ip


CIP = local_ip()


def socket_on(worker):
    """A new socket whose tuple dp's flow hash gives worker."""
    while True:
        port = random.randint(20000, 60000)
        if owner(CIP, SERVER, port, TURN_PORT) != worker:
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("", port))
        except OSError:
            s.close()
            continue
        s.settimeout(2.0)
        return s


c = tc.Client(SERVER)
c.sock.close()
home = random.randrange(NWORKERS)
c.sock = socket_on(home)
m = c.transact(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0)),
                             (A_MOBILITY_TICKET, b"")])
check("Allocate with an empty MOBILITY-TICKET (from worker %d's tuple)" % home, m.cls == 2,
      "code %s" % m.error())
ticket = m.get(A_MOBILITY_TICKET) or b""
m = c.permission((PEER_IP, None))
check("CreatePermission", m.cls == 2, "code %s" % m.error())
m = c.channel_bind(0x4002, PEER_IP, PEER_PORT)
check("ChannelBind 0x4002", m.cls == 2, "code %s" % m.error())
check("data both ways before the moves", c.echo_over_channel(0x4002, b"before"))

# other worker, home (the forward goes), other, other again (its forward
# replaced), home, other: the last forward goes with the allocation
plan = [home if i % 3 == 1 else (home + 1) % NWORKERS for i in range(MOVES)]
olds = []
crossed = 0
t_start = time.time()
for i, w in enumerate(plan):
    old = c.sock
    c.sock = socket_on(w)
    crossed += w != home
    m = c.transact(tc.REFRESH, [(tc.A_LIFETIME, struct.pack("!I", 600)),
                                (A_MOBILITY_TICKET, ticket)])
    check("move %d to port %d (worker %d, the allocation's is %d): success" %
          (i + 1, c.sock.getsockname()[1], w, home), m.cls == 2, "code %s" % m.error())
    t = m.get(A_MOBILITY_TICKET) or b""
    check("... with a new ticket", t and t != ticket, repr(t))
    ticket = t or ticket
    check("... data both ways from the new port",
          c.echo_over_channel(0x4002, b"move-%d" % (i + 1)))
    c2 = tc.Client(SERVER)
    c2.sock.close()
    c2.sock = old
    c2.realm, c2.nonce = c.realm, c.nonce
    m = c2.refresh(600)
    check("... the old port's Refresh gets 437", m.error() == 437,
          "code %s cls %s" % (m.error(), m.cls))
    olds.append(c2)

# Nothing from an old port reaches the peer (it would echo).
for j, o in enumerate(olds):
    o.channel_data(0x4002, b"old-%d" % j)
deadline = time.time() + 0.8
echoed = 0
for s in [o.sock for o in olds] + [c.sock]:
    s.settimeout(max(0.05, deadline - time.time()))
    try:
        while True:
            d = s.recv(65535)
            if b"old-" in d:
                echoed += 1
    except socket.timeout:
        pass
check("ChannelData from the %d old ports is relayed nowhere" % len(olds), echoed == 0,
      "%d echoed" % echoed)
check("still the new port's", c.echo_over_channel(0x4002, b"still-here"))
m = c.refresh(0)
check("Refresh 0 from the last port deletes it", m.cls == 2, "code %s" % m.error())
print("# crossed %d of %d moves in %.1f s" % (crossed, MOVES, time.time() - t_start))
sys.exit(1 if fails else 0)
