#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_li_turn.sh's TURN clients (lib/turnclient.py), in the clients'
namespace, driven by files in DIR: the target's allocation (user test) and
another user's (other) are made, each with a channel to the echoing peer,
before any task; then, each phase when DIR/goN appears, they relay marked
datagrams (TARGET-n, OTHER-n; a new allocation of the target's, NEW-n, in
phase 1; AFTER-n in phase 2) and wait for every echo; DIR/doneN says so.
For X2 (slice 5), in phase 1 the target's first allocation and the other's
bind their channel again (a renewal) and CreatePermission, the new one is
refreshed (Refresh 600) and deleted (Refresh 0) once it relayed, and an
RFC 6062 allocation of the target's (over TCP: a Connect to the TCP echo
peer on TCP_PORT, its ConnectionBind, bytes through, the data connection
closed, Refresh 0) comes and goes; in phase 2
the target binds its channel again (after the task's deactivation).
Prints each allocation's relayed address as NAME=IP:PORT."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import turnclient  # noqa: E402
import tcprelay_client as trc  # noqa: E402

server, peer, port, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tcp_port = int(sys.argv[5])


def alloc(user):
    c = turnclient.Client(server, user=user, password=user)
    m = c.allocate()
    assert m.cls == 2, "allocate %s: %s" % (user, m.error())
    assert c.channel_bind(0x4001, peer, port).cls == 2
    return c


def wait(name):
    for _ in range(600):
        if os.path.exists(os.path.join(d, name)):
            return
        time.sleep(0.05)
    sys.exit("no %s" % name)


def relay(c, mark, n, first=0):
    for i in range(first, first + n):
        if not c.echo_over_channel(0x4001, b"LI-%s-%02d-payload" % (mark, i)):
            sys.exit("no echo of %s-%d" % (mark.decode(), i))


target, other = alloc("test"), alloc("other")
print("target=%s:%d other=%s:%d" % (target.relayed + other.relayed), flush=True)
open(os.path.join(d, "ready"), "w").close()
wait("go1")
new = alloc("test")
print("new=%s:%d" % new.relayed, flush=True)
for c in (target, other):           # X2: a renewal and a permission
    assert c.channel_bind(0x4001, peer, port).cls == 2
    assert c.permission((peer, None)).cls == 2
for i in range(10):                 # both relaying at the same time
    relay(target, b"TARGET", 1, i)
    relay(other, b"OTHER", 1, i)
relay(new, b"NEW", 5)
assert new.refresh(600).cls == 2
time.sleep(0.3)
assert new.refresh(0).cls == 2      # deleted: X2's ended
tcpc = turnclient.TcpClient(server, user="test", password="test", timeout=10)
m = trc.tcp_allocate(tcpc)
assert m.cls == 2, "TCP allocate: %s" % m.error()
print("tcp=%s:%d" % tcpc.relayed, flush=True)
assert tcpc.permission((peer, None)).cls == 2
m, cid = trc.connect(tcpc, peer, tcp_port)
assert m.cls == 2 and cid, "Connect: %s" % m.error()
dc, m = trc.bind(server, cid, nonce_from=tcpc)
assert m.cls == 2, "ConnectionBind: %s" % m.error()
data = b"LI-TCP-0123456789"
assert trc.raw_exchange(dc, data) == data
dc.sock.close()
time.sleep(0.5)
assert tcpc.refresh(0).cls == 2     # its ended waits for its connections' grace
time.sleep(1.5)
open(os.path.join(d, "done1"), "w").close()
wait("go2")
assert target.channel_bind(0x4001, peer, port).cls == 2
relay(target, b"AFTER", 10)
relay(other, b"OTHER2", 5)
open(os.path.join(d, "done2"), "w").close()
