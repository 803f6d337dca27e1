#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Media sent in the same millisecond as the answer's reply (issue 67's
item 7; RFC 3264 §6.1: the answerer may send once it has answered).

    ng_answer_race.py NG_HOST NG_PORT NS_UE UE_IP NS_CORE CORE_IP CALLS [--sdp-file F]

Runs in the namespace of the ng door (cp's); its media sockets are made in
the UE's and the core's namespaces (setns(2) for the making only: a socket
stays in the namespace it was made in). Each call: an offer from the UE
(RTP/AVP at UE_IP), an answer from the core (at CORE_IP); as soon as the
answer's reply is read, the core sends one RTP packet to the port the
offer's reply gave it and the UE one to the port the answer's reply gave
it, each with nothing in between but the send; then each end waits up to
0.5 s for the other's packet; the call is deleted. One call before the
count warms the neighbour caches (the kernels' and dp's) and is not
counted. Prints one JSON line: calls, to_core and to_ue (first packets
relayed each way), both (calls with both), lost (the calls that lost one,
with which way), reply_ms (the answer's round trip: median, 99th, max).
"""
import argparse
import ctypes
import json
import os
import re
import socket
import struct
import time

import ng

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def sock_in(ns, ip):
    """A UDP socket bound to (ip, any port) in network namespace ns."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if _libc.setns(there, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((ip, 0))
    finally:
        if _libc.setns(home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(there)
        os.close(home)
    return s


def sdp(ip, port, sid):
    return ("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" % (sid, ip, ip, port))


def where(reply):
    """The (address, port) an SDP reply says to send to."""
    body = reply["sdp"]
    return (re.search(r"c=IN IP4 (\S+)", body).group(1),
            int(re.search(r"m=audio (\d+) ", body).group(1)))


def rtp(tag, seq):
    return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, 0x7e570000 + tag) + bytes(160)


def heard(s, tag, until):
    """Whether s receives tag's packet before until (time.monotonic())."""
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            d = s.recv(2048)
        except socket.timeout:
            return False
        if len(d) >= 12 and struct.unpack("!I", d[8:12])[0] == 0x7e570000 + tag:
            return True


def call(c, ue, core, n):
    cid = "race-%d-%d" % (os.getpid(), n)
    o = c.req_ok({"command": "offer", "call-id": cid, "from-tag": "ue",
                  "sdp": sdp(ue.getsockname()[0], ue.getsockname()[1], n),
                  "direction": ["access", "core"]})
    assert o["result"] == "ok", o
    to_b = where(o)
    t0 = time.monotonic()
    a = c.req_ok({"command": "answer", "call-id": cid, "from-tag": "ue", "to-tag": "core",
                  "sdp": sdp(core.getsockname()[0], core.getsockname()[1], n),
                  "direction": ["core", "access"]})
    t1 = time.monotonic()
    # the answer's reply is in: both ends send at once (the core first,
    # as an answerer does)
    core.sendto(rtp(2, n & 0xffff), to_b)
    assert a["result"] == "ok", a
    ue.sendto(rtp(1, n & 0xffff), where(a))
    end = time.monotonic() + 0.5
    got_ue = heard(ue, 2, end)
    got_core = heard(core, 1, end)
    d = c.req_ok({"command": "delete", "call-id": cid})
    assert d["result"] == "ok", d
    return got_core, got_ue, (t1 - t0) * 1000.0


ap = argparse.ArgumentParser()
ap.add_argument("ng_host"); ap.add_argument("ng_port", type=int)
ap.add_argument("ns_ue"); ap.add_argument("ue_ip")
ap.add_argument("ns_core"); ap.add_argument("core_ip")
ap.add_argument("calls", type=int)
a = ap.parse_args()

c = ng.Client(a.ng_host, a.ng_port, timeout=2.0)
ue = sock_in(a.ns_ue, a.ue_ip)
core = sock_in(a.ns_core, a.core_ip)
# the warm-up: neighbours learnt both ways, not counted
o = c.req_ok({"command": "offer", "call-id": "race-warm-%d" % os.getpid(), "from-tag": "ue",
              "sdp": sdp(a.ue_ip, ue.getsockname()[1], 0), "direction": ["access", "core"]})
w = c.req_ok({"command": "answer", "call-id": "race-warm-%d" % os.getpid(), "from-tag": "ue",
              "to-tag": "core", "sdp": sdp(a.core_ip, core.getsockname()[1], 0),
              "direction": ["core", "access"]})
for k in range(20):
    ue.sendto(rtp(1, 60000 + k), where(w))
    core.sendto(rtp(2, 60000 + k), where(o))
    time.sleep(0.01)
warm = heard(ue, 2, time.monotonic() + 1.0) and heard(core, 1, time.monotonic() + 1.0)
c.req_ok({"command": "delete", "call-id": "race-warm-%d" % os.getpid()})
time.sleep(0.1)
for s in (ue, core):
    s.setblocking(False)
    try:
        while s.recv(2048):
            pass
    except BlockingIOError:
        pass

to_core = to_ue = both = 0
lost = []
ms = []
for n in range(1, a.calls + 1):
    gc, gu, t = call(c, ue, core, n)
    to_core += gc
    to_ue += gu
    both += gc and gu
    ms.append(t)
    if not (gc and gu):
        lost.append({"call": n, "to_core": gc, "to_ue": gu})
ms.sort()
print(json.dumps({"warm": warm, "calls": a.calls, "to_core": to_core, "to_ue": to_ue,
                  "both": both, "lost": lost[:20],
                  "reply_ms": {"median": round(ms[len(ms) // 2], 3),
                               "p99": round(ms[min(len(ms) - 1, len(ms) * 99 // 100)], 3),
                               "max": round(ms[-1], 3)}}))
