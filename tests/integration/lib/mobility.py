#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# RFC 8016 mobility, request by request (test_turn_mobility.sh), with
# lib/turnclient.py in the clients' namespace and turnutils_peer (an echo)
# at PEER_IP:PEER_PORT:
#   an Allocate with an empty MOBILITY-TICKET gets a ticket; a permission
#   and a channel; the client's address changes (a new socket, a new
#   port); a Refresh with the ticket from there moves the allocation,
#   with a new ticket; the channel and the permission work from the new
#   address without being made again, at the same relayed address; the
#   old address gets 437 and its ChannelData is not relayed; the old
#   ticket (from the old address and from a third one), a forged ticket,
#   a truncated one and another user's Refresh with the new ticket are
#   refused, and none of them moves the allocation.
# Prints TAP lines ("ok - ...", "not ok - ..."); exits 1 on a failure.
import socket
import struct
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import turnclient as tc  # noqa: E402

A_MOBILITY_TICKET = 0x8030
SERVER, PEER_IP, PEER_PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
fails = 0


def check(what, cond, detail=""):
    global fails
    if cond:
        print("ok - %s" % what)
    else:
        fails += 1
        print("not ok - %s %s" % (what, detail))


def rebind(c):
    """The client's address changes: a new socket, a new local port."""
    c.sock.close()
    c.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.sock.bind(("", 0))
    c.sock.settimeout(2.0)


def refresh_with(c, ticket, lifetime=600):
    return c.transact(tc.REFRESH, [(tc.A_LIFETIME, struct.pack("!I", lifetime)),
                                   (A_MOBILITY_TICKET, ticket)])


def echo_over_send(c, payload, tries=3):
    for _ in range(tries):
        c.send_indication(PEER_IP, PEER_PORT, payload)
        try:
            while True:
                d = c.recv()
                if len(d) >= 20 and d[0] < 2:
                    m = tc.Msg(d)
                    if m.method == tc.DATA and m.get(tc.A_DATA) == payload:
                        return True
                elif len(d) >= 4 and d[4:4 + len(payload)] == payload:
                    return True
        except socket.timeout:
            pass
    return False


c = tc.Client(SERVER)
m = c.transact(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0)),
                             (A_MOBILITY_TICKET, b"")])
check("Allocate with an empty MOBILITY-TICKET succeeds", m.cls == 2, "code %s" % m.error())
t0 = m.get(A_MOBILITY_TICKET) or b""
check("... and its answer carries a ticket of 1-32 bytes without NUL (uclient's limit)",
      0 < len(t0) <= 32 and b"\0" not in t0, repr(t0))
relayed = tc.unxor_addr(m.get(tc.A_XOR_RELAYED), m.tid)
m = c.permission((PEER_IP, None))
check("CreatePermission", m.cls == 2, "code %s" % m.error())
m = c.channel_bind(0x4001, PEER_IP, PEER_PORT)
check("ChannelBind 0x4001", m.cls == 2, "code %s" % m.error())
check("data relayed over the channel before the move", c.echo_over_channel(0x4001, b"before-move"))

old = c.sock
old_port = old.getsockname()[1]
c.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.sock.bind(("", 0))
c.sock.settimeout(2.0)
check("the client has a new port", c.sock.getsockname()[1] != old_port)
m = refresh_with(c, t0)
check("Refresh with the ticket from the new address: success (the allocation moved)",
      m.cls == 2, "code %s" % m.error())
t1 = m.get(A_MOBILITY_TICKET) or b""
check("... with a new ticket", 0 < len(t1) <= 32 and t1 != t0, repr(t1))
check("the channel works from the new address, not bound again",
      c.echo_over_channel(0x4001, b"after-move-channel"))
check("the permission works from the new address (Send indication)",
      echo_over_send(c, b"after-move-send"))
c2 = tc.Client(SERVER)
c2.sock.close()
c2.sock = old
c2.realm, c2.nonce = c.realm, c.nonce
c2.rc = 3
m = c2.refresh(600)
check("the old address's Refresh gets 437", m.error() == 437, "code %s cls %s" % (m.error(), m.cls))
old.settimeout(1.0)
check("the old address's ChannelData is not relayed",
      not c2.echo_over_channel(0x4001, b"from-old-address", tries=2))
m = refresh_with(c2, t0)
check("the old ticket from the old address: 437 (it does not move it back)",
      m.error() == 437, "code %s" % m.error())
c3 = tc.Client(SERVER)
c3.realm, c3.nonce = c.realm, c.nonce
m = refresh_with(c3, t0)
check("the old ticket (replayed) from a third address: 437", m.error() == 437,
      "code %s" % m.error())
forged = bytearray(t1)
forged[len(forged) // 2] = ord("A") if forged[len(forged) // 2] != ord("A") else ord("B")
m = refresh_with(c3, bytes(forged))
check("a forged ticket: 400", m.error() == 400, "code %s" % m.error())
m = refresh_with(c3, t1[:20])
check("a truncated ticket: 400", m.error() == 400, "code %s" % m.error())
c4 = tc.Client(SERVER, user="other", password="other")
c4.realm, c4.nonce = c.realm, c.nonce
m = refresh_with(c4, t1)
check("another user's Refresh with the ticket: 441", m.error() == 441, "code %s" % m.error())
check("after all of that the allocation is still the new address's",
      c.echo_over_channel(0x4001, b"still-here"))
m = c.refresh(600)
check("an ordinary Refresh from the new address succeeds and carries the current ticket",
      m.cls == 2 and m.get(A_MOBILITY_TICKET) == t1,
      "code %s ticket %r" % (m.error(), m.get(A_MOBILITY_TICKET)))
m = c.refresh(0)
check("Refresh 0 from the new address deletes it", m.cls == 2, "code %s" % m.error())
print("# relayed %s:%d" % relayed)
sys.exit(1 if fails else 0)
