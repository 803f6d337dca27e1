#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# A small RTP end (G.711-sized packets, 20 ms apart) for test_iq_rtp.sh:
#   rtp_peer.py BIND_IP BIND_PORT DST_IP DST_PORT --send N [--first] [--expect M]
#     [--ready FILE] [--secs S]
# Binds BIND, sends N RTP packets (PT 0, 160 bytes of payload: 172 octets
# of UDP payload each) to DST, at once with --first, else after the first
# packet it receives (the core answers the UE); counts what arrives until
# M have, or S seconds passed. Prints one JSON line: sent, recv, octets.
import argparse, json, os, socket, struct, time

ap = argparse.ArgumentParser()
ap.add_argument("bind_ip"); ap.add_argument("bind_port", type=int)
ap.add_argument("dst_ip"); ap.add_argument("dst_port", type=int)
ap.add_argument("--send", type=int, default=0)
ap.add_argument("--first", action="store_true")
ap.add_argument("--expect", type=int, default=0)
ap.add_argument("--ready")
ap.add_argument("--secs", type=float, default=15.0)
a = ap.parse_args()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((a.bind_ip, a.bind_port))
if a.ready:
    open(a.ready, "w").close()
ssrc = os.getpid() & 0xffffffff
sent = recv = octets = 0
started = a.first
end = time.time() + a.secs
next_send = time.time()
s.settimeout(0.005)
while time.time() < end:
    if started and sent < a.send and time.time() >= next_send:
        pkt = struct.pack("!BBHII", 0x80, 0, sent & 0xffff, sent * 160, ssrc) + bytes([0xd5]) * 160
        s.sendto(pkt, (a.dst_ip, a.dst_port))
        sent += 1
        next_send += 0.02
    try:
        data, src = s.recvfrom(2048)
    except socket.timeout:
        data = None
    if data is not None and len(data) >= 12 and data[0] >> 6 == 2:
        recv += 1
        octets += len(data)
        started = True
    if sent >= a.send and recv >= a.expect:
        break
print(json.dumps({"sent": sent, "recv": recv, "octets": octets}))
