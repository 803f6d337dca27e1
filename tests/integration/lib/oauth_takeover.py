#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Issue 67: a second holder of a token of the same authorization server
# takes nothing of an allocation another client's token made
# (test_turn_oauth.sh, turn.mobility on), driven request by request with
# lib/turnclient.py in the clients' namespace against turnutils_peer (an
# echo) at PEER_IP:PEER_PORT. Tokens (base64, kid north) in the
# environment: TOK_VICTIM and TOK_VICTIM2 (mac_keys VICTIM_KEY,
# VICTIM2_KEY below), TOK_THIEF (THIEF_KEY).
#   The victim allocates with its token and an empty MOBILITY-TICKET, and
#   relays over a channel. The thief sends a Refresh from the victim's
#   5-tuple (its socket: what a spoofer on the path sends from) with the
#   victim's nonce, its own token and its own key; then, from its own
#   address, a Refresh with the victim's ticket signed with its own key:
#   441, the allocation stays (before the fix: moved to the thief, and the
#   victim's next Refresh got 437). The victim's Refresh, with its token
#   and with its key alone, succeeds, and its channel still relays.
#   A second victim: the thief's CreatePermission, ChannelBind and Refresh
#   LIFETIME 0 from its 5-tuple under the thief's token are each 441 (before
#   the fix: a permission and a channel to the thief's peer, then the
#   allocation deleted); the victim's own Refresh succeeds.
# Prints TAP lines ("ok - ...", "not ok - ..."); exits 1 on a failure.
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import turnclient as tc  # noqa: E402

SERVER, PEER_IP, PEER_PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
VICTIM_KEY, VICTIM2_KEY = b"victim-mac-key-20byt", b"victim2-mac-key-20by"
THIEF_KEY = b"thief--mac-key-20byt"
UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))
fails = 0


def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)))
    fails += 0 if cond else 1


def token(var):
    return base64.b64decode(os.environ[var])


def on_tuple_of(victim):
    """The thief, sending from the victim's 5-tuple with the nonce it saw."""
    t = tc.OAuthClient(SERVER, "north", token("TOK_THIEF"), THIEF_KEY)
    t.sock.close()
    t.sock = victim.sock
    t.realm, t.nonce = victim.realm, victim.nonce
    return t


def lifetime(s):
    return (tc.A_LIFETIME, struct.pack("!I", s))


# the victim, mobile, relaying over a channel
victim = tc.OAuthClient(SERVER, "north", token("TOK_VICTIM"), VICTIM_KEY)
m = victim.transact(tc.ALLOCATE, [UDP, (tc.A_MOBILITY_TICKET, b"")])
check("the victim allocates with its token, mobile", m.cls == 2, m.error())
ticket = m.get(tc.A_MOBILITY_TICKET) or b""
check("... and gets a ticket", len(ticket) > 0)
m = victim.channel_bind(0x4001, PEER_IP, PEER_PORT)
check("... and a channel to its peer", m.cls == 2, m.error())
check("... which relays", victim.echo_over_channel(0x4001, b"before"))

# the thief's token on the victim's 5-tuple (RFC 7635 §9 lets a client
# renew with a new token: a renewal at most)
m = on_tuple_of(victim).transact(tc.REFRESH, [lifetime(600)])
print("# the thief's Refresh from the victim's 5-tuple: %s" % (m.error() or "success"))
# ... then the ticket from its own address, signed with its own key
thief = tc.OAuthClient(SERVER, "north", token("TOK_THIEF"), THIEF_KEY)
m = thief.transact(tc.REFRESH, [lifetime(600), (tc.A_MOBILITY_TICKET, ticket)])
check("the victim's ticket from the thief's address, under the thief's key: 441",
      m.error() == 441, m.error())
m = victim.transact(tc.REFRESH, [lifetime(600)])
check("the victim's next Refresh, with its token, succeeds (not 437)", m.cls == 2, m.error())
victim.token = None
m = victim.transact(tc.REFRESH, [lifetime(600)])
check("... and with its key alone", m.cls == 2, m.error())
check("... and its channel still relays, at its relayed address",
      victim.echo_over_channel(0x4001, b"after"))
victim.transact(tc.REFRESH, [lifetime(0)])

# the thief's requests on another victim's 5-tuple, under its own token
v2 = tc.OAuthClient(SERVER, "north", token("TOK_VICTIM2"), VICTIM2_KEY)
m = v2.allocate()
check("a second victim allocates with its token", m.cls == 2, m.error())
t = on_tuple_of(v2)
m = t.permission((PEER_IP, None))
check("the thief's CreatePermission from its 5-tuple: 441", m.error() == 441, m.error())
m = t.channel_bind(0x4002, PEER_IP, PEER_PORT)
check("the thief's ChannelBind from its 5-tuple: 441", m.error() == 441, m.error())
m = t.transact(tc.REFRESH, [lifetime(0)])
check("the thief's Refresh LIFETIME 0 from its 5-tuple: 441", m.error() == 441, m.error())
v2.nonce = t.nonce
m = v2.transact(tc.REFRESH, [lifetime(600)])
check("the second victim's allocation is still there (its Refresh succeeds)",
      m.cls == 2, m.error())
v2.transact(tc.REFRESH, [lifetime(0)])
sys.exit(1 if fails else 0)
