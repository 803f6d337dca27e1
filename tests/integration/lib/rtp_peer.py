#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# An RTP endpoint for the gateway's tests: binds ADDR:PORT, sends COUNT
# RTP packets (version 2, PT 0, 160 octets of payload, a sequence and
# timestamp, SSRC) to DEST every 20 ms / SPEED, and takes what comes
# back; prints one JSON line: what it sent and received, and whether each
# packet received is byte-exact one the other side sends (seed SEED_IN).
#   rtp_peer.py ADDR PORT DEST_ADDR DEST_PORT --count N --seed S --seed-in S2
#               [--wait-first] [--timeout T]
# --wait-first: send only once a packet came (the other side latched).
import argparse, json, random, socket, struct, time

def packet(seed, i):
    r = random.Random(seed * 1000003 + i)
    return struct.pack("!BBHII", 0x80, 0, i & 0xffff, i * 160, 0x1000 + seed) + r.randbytes(160)

ap = argparse.ArgumentParser()
ap.add_argument("addr"); ap.add_argument("port", type=int)
ap.add_argument("dest"); ap.add_argument("dport", type=int)
ap.add_argument("--count", type=int, default=100)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--seed-in", type=int, default=2)
ap.add_argument("--wait-first", action="store_true")
ap.add_argument("--timeout", type=float, default=20)
ap.add_argument("--ready")
a = ap.parse_args()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((a.addr, a.port))
s.setblocking(False)
if a.ready:
    open(a.ready, "w").close()
want = {packet(a.seed_in, i) for i in range(a.count)}
got, exact, sent, srcs = 0, 0, 0, set()
end = time.time() + a.timeout
started = not a.wait_first
nxt = time.time()
while time.time() < end and (sent < a.count or got < a.count):
    try:
        d, src = s.recvfrom(2048)
        got += 1
        exact += d in want
        srcs.add("%s:%d" % src)
        started = True
        continue
    except BlockingIOError:
        pass
    if started and sent < a.count and time.time() >= nxt:
        s.sendto(packet(a.seed, sent), (a.dest, a.dport))
        sent += 1
        nxt += 0.005
    time.sleep(0.001)
print(json.dumps({"sent": sent, "sent_octets": sent * 172, "recv": got, "exact": exact,
                  "from": sorted(srcs)}))
