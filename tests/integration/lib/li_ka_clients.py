#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_li_keepalive.sh's TURN client (lib/turnclient.py), in the clients'
namespace: the target's allocation (user test) with a channel to the
echoing peer; DIR/ready says it is made. Then, until DIR/stop appears, one
datagram every 50 ms marked LI-<phase>-<n>, <phase> the content of
DIR/phase, each waited for once (no resend: a datagram not echoed within
the client's timeout is lost). Each phase's count is printed as
"PHASE sent=N lost=M" when the phase changes and at the end; DIR/done
says it ended. Prints the relayed address as target=IP:PORT."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import turnclient  # noqa: E402

server, peer, port, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

c = turnclient.Client(server, user="test", password="test")
m = c.allocate()
assert m.cls == 2, "allocate: %s" % m.error()
assert c.channel_bind(0x4001, peer, port).cls == 2
print("target=%s:%d" % c.relayed, flush=True)
open(os.path.join(d, "ready"), "w").close()


def phase():
    try:
        with open(os.path.join(d, "phase")) as f:
            return f.read().strip() or "idle"
    except OSError:
        return "idle"


cur, sent, lost, n = None, 0, 0, 0
while not os.path.exists(os.path.join(d, "stop")):
    p = phase()
    if p != cur:
        if cur is not None and sent:
            print("%s sent=%d lost=%d" % (cur, sent, lost), flush=True)
        cur, sent, lost = p, 0, 0
    if p != "idle":
        sent += 1
        if not c.echo_over_channel(0x4001, b"LI-%s-%04d" % (p.encode(), n), tries=1):
            lost += 1
        n += 1
    time.sleep(0.05)
if sent:
    print("%s sent=%d lost=%d" % (cur, sent, lost), flush=True)
open(os.path.join(d, "done"), "w").close()
