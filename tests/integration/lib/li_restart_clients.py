#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_li_restart.sh's TURN clients (lib/turnclient.py), in the clients'
namespace: the target's allocation (user test) and another user's (other),
each with a channel to the echoing peer, then ChannelData every 1/RATE s
from both until DIR/stop appears, whatever happens to dp or cp in between
(a restarted dp gets the allocations back from cp: the same relayed
addresses and channels). Each datagram is marked LI-PHASE-T-n (the
target's) or LI-PHASE-O-n (the other's), PHASE read from DIR/phase at each
send, so that what the MF gets can be told apart by phase. Prints each
allocation's relayed address as NAME=IP:PORT, touches DIR/ready, and keeps
DIR/echoes (the echoes received a phase, JSON) up to date.
Usage: li_restart_clients.py SERVER PEER PORT DIR [RATE]"""
import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import turnclient  # noqa: E402

server, peer, port, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rate = float(sys.argv[5]) if len(sys.argv) > 5 else 25.0


def alloc(user):
    c = turnclient.Client(server, user=user, password=user)
    m = c.allocate()
    assert m.cls == 2, "allocate %s: %s" % (user, m.error())
    assert c.channel_bind(0x4001, peer, port).cls == 2
    c.sock.setblocking(False)
    return c


def phase():
    try:
        with open(os.path.join(d, "phase")) as f:
            return f.read().strip() or "0"
    except OSError:
        return "0"


target, other = alloc("test"), alloc("other")
print("target=%s:%d other=%s:%d" % (target.relayed + other.relayed), flush=True)
open(os.path.join(d, "ready"), "w").close()
echoes, n, last = {}, 0, 0.0
while not os.path.exists(os.path.join(d, "stop")):
    p = phase()
    for c, who in ((target, "T"), (other, "O")):
        try:
            c.channel_data(0x4001, b"LI-%s-%s-%05d" % (p.encode(), who.encode(), n))
        except OSError:
            pass                           # (no route while dp restarts)
        while True:
            try:
                r = c.sock.recv(2048)
            except (BlockingIOError, socket.timeout):
                break
            except OSError:
                break                      # (ICMP while dp restarts)
            if len(r) > 4 and struct.unpack("!H", r[:2])[0] == 0x4001:
                k = r[4:].split(b"-")
                if len(k) > 2:
                    key = "%s-%s" % (k[1].decode(errors="replace"), k[2].decode(errors="replace"))
                    echoes[key] = echoes.get(key, 0) + 1
    n += 1
    if time.time() - last > 0.2:
        with open(os.path.join(d, "echoes.tmp"), "w") as f:
            json.dump(echoes, f)
        os.replace(os.path.join(d, "echoes.tmp"), os.path.join(d, "echoes"))
        last = time.time()
    time.sleep(1.0 / rate)
