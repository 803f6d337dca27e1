#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# A small RTP end (G.711-sized packets, 20 ms apart) for test_iq_rtp.sh (rtp_peer.py
# is test_agw_rtp.sh's: symmetric counts, no --dump or --linger):
#   rtp_probe.py BIND_IP BIND_PORT DST_IP DST_PORT --send N [--tag T]
#     [--peer-tag P] [--first] [--expect M] [--linger S] [--ready FILE]
#     [--secs S] [--seq0 K]
# Binds BIND, sends N RTP packets (PT 0, 160 bytes of payload: 172 octets
# of UDP payload each) to DST, at once with --first, else after the first
# packet it receives (the core answers the UE); counts what arrives until
# M have (and --linger seconds more, to see what should not come), or S
# seconds passed. Packet k of sender T is a function of (T, k) alone
# (SSRC 0x7e570000 + T, sequence k, timestamp 160 k, a payload of
# SHA-256("T:k")), so the receiver told --peer-tag P checks every packet
# byte for byte against the one P sent: "exact" counts those equal, "bad"
# any other (a stranger's, or one changed on the way). Prints one JSON
# line: sent, recv, octets, exact, bad, srcs (the sources heard).
# --seq0 K sends packets K..K+N-1 instead (a stream that goes on where
# an earlier run of the same tag stopped; K may pass 65535: the sequence
# number wraps) and takes the peer's as numbered from K too.
# --dump FILE writes the payloads of what arrived, in sequence number order
# (another sender's: ffmpeg's), to be compared with what it sent.
import argparse, hashlib, json, socket, struct, time


def packet(tag, k):
    payload = hashlib.sha256(b"%d:%d" % (tag, k)).digest() * 5
    return struct.pack("!BBHII", 0x80, 0, k & 0xffff, (k * 160) & 0xffffffff,
                       0x7e570000 + tag) + payload


ap = argparse.ArgumentParser()
ap.add_argument("bind_ip"); ap.add_argument("bind_port", type=int)
ap.add_argument("dst_ip"); ap.add_argument("dst_port", type=int)
ap.add_argument("--send", type=int, default=0)
ap.add_argument("--tag", type=int, default=1)
ap.add_argument("--peer-tag", type=int)
ap.add_argument("--first", action="store_true")
ap.add_argument("--expect", type=int, default=0)
ap.add_argument("--linger", type=float, default=0.0)
ap.add_argument("--ready")
ap.add_argument("--dump")
ap.add_argument("--secs", type=float, default=15.0)
ap.add_argument("--seq0", type=int, default=0)
a = ap.parse_args()

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((a.bind_ip, a.bind_port))
if a.ready:
    open(a.ready, "w").close()
sent = recv = octets = exact = bad = 0
srcs = set()
got = {}                      # extended sequence number -> payload (--dump)
first_seq = None
started = a.first
end = time.time() + a.secs
next_send = time.time()
done_at = None
s.settimeout(0.005)
while time.time() < end:
    if started and sent < a.send and time.time() >= next_send:
        s.sendto(packet(a.tag, a.seq0 + sent), (a.dst_ip, a.dst_port))
        sent += 1
        next_send += 0.02
    try:
        data, src = s.recvfrom(2048)
    except socket.timeout:
        data = None
    if data is not None:
        recv += 1
        octets += len(data)
        srcs.add("%s:%d" % src)
        started = True
        if a.dump and len(data) >= 12 and data[0] >> 6 == 2:
            seq = struct.unpack("!H", data[2:4])[0]
            if first_seq is None:
                first_seq = seq
            ext = first_seq + ((seq - first_seq + 32768) % 65536) - 32768
            hl = 12 + 4 * (data[0] & 0x0f)
            if data[0] & 0x10 and len(data) >= hl + 4:
                hl += 4 + 4 * struct.unpack("!H", data[hl + 2:hl + 4])[0]
            end_p = len(data) - (data[-1] if data[0] & 0x20 and len(data) > hl else 0)
            got[ext] = data[hl:end_p]
        if a.peer_tag is not None and len(data) >= 12 and \
                data == packet(a.peer_tag, a.seq0 + (struct.unpack("!H", data[2:4])[0] - a.seq0) % 65536):
            exact += 1
        else:
            bad += 1
    if sent >= a.send and recv >= a.expect:
        if done_at is None:
            done_at = time.time()
        if time.time() - done_at >= a.linger:
            break
if a.dump:
    with open(a.dump, "wb") as f:
        for k in sorted(got):
            f.write(got[k])
print(json.dumps({"sent": sent, "recv": recv, "octets": octets, "exact": exact, "bad": bad,
                  "srcs": sorted(srcs)}))
