#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# An SRTP end for test_iq_rtp.sh on Debian's libsrtp2 (ctypes: the field's
# library, not dp's SRTP), suite AES_CM_128_HMAC_SHA1_80:
#   srtp_peer.py BIND_IP BIND_PORT DST_IP DST_PORT --tx-key B64 --rx-key B64
#     [--send N] [--tag T] [--forge F] [--replay P] [--peer-tag Q]
#     [--expect M] [--linger S] [--secs S] [--seq0 K [--roc]]
#     [--ready FILE] [--after-first]
# Binds BIND; protects with --tx-key (RFC 4568's base64 of key||salt) and
# sends rtp_probe.py's packets 0..N-1 of sender T (20 ms apart), then F
# packets N..N+F-1 whose tag is forged (its last octet flipped) and P
# replays of packets already sent (their SRTP bytes again); unprotects
# what arrives with --rx-key and checks each against rtp_probe.py's packet
# of sender Q, byte for byte, until M arrived (and --linger seconds more)
# or S seconds passed. Prints one JSON line: sent, forged, replayed, recv,
# exact, bad, auth_fail (arrivals libsrtp2 refused), srcs. --seq0 K
# numbers the packets from K (K..K+N-1, then the forged ones): a stream
# that goes on where an earlier run of the same tag and key stopped (the
# peer's taken as numbered from K too).
# With --roc the packet index is K..K+N-1 (the rollover counter K >> 16,
# not 0, at the start: a stream that wrapped in the earlier run), and the
# peer's stream (tag Q, numbered the same) is expected to be where ours is.
# --ready FILE: FILE made once bound. --after-first: nothing sent before
# the first arrival (authenticated or not), so that what the peer sends
# first is heard whatever becomes of ours.
import argparse, json, socket, struct, sys, time


from srtp_lib import lib, packet, run, session


ap = argparse.ArgumentParser()
ap.add_argument("bind_ip"); ap.add_argument("bind_port", type=int)
ap.add_argument("dst_ip"); ap.add_argument("dst_port", type=int)
ap.add_argument("--tx-key", required=True); ap.add_argument("--rx-key", required=True)
ap.add_argument("--send", type=int, default=0)
ap.add_argument("--tag", type=int, default=1)
ap.add_argument("--forge", type=int, default=0)
ap.add_argument("--replay", type=int, default=0)
ap.add_argument("--peer-tag", type=int)
ap.add_argument("--expect", type=int, default=0)
ap.add_argument("--linger", type=float, default=0.0)
ap.add_argument("--secs", type=float, default=15.0)
ap.add_argument("--seq0", type=int, default=0)
ap.add_argument("--roc", action="store_true")
ap.add_argument("--ready")
ap.add_argument("--after-first", action="store_true")
a = ap.parse_args()

if a.roc:
    if a.peer_tag is None:
        sys.exit("--roc needs --peer-tag")
    tx = session(a.tx_key, False, 0x7e570000 + a.tag, a.seq0 >> 16)
    rx = session(a.rx_key, True, 0x7e570000 + a.peer_tag, a.seq0 >> 16)
else:
    tx = session(a.tx_key, False)
    rx = session(a.rx_key, True)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((a.bind_ip, a.bind_port))
sock.settimeout(0.005)
if a.ready:
    open(a.ready, "w").close()
started = not a.after_first
out = []                      # what went out, in order: (kind, bytes)
for k in range(a.seq0, a.seq0 + a.send):
    rc, b = run(lib().srtp_protect, tx, packet(a.tag, k))
    if rc != 0:
        sys.exit("srtp_protect: %d" % rc)
    out.append(b)
for k in range(a.seq0 + a.send, a.seq0 + a.send + a.forge):
    rc, b = run(lib().srtp_protect, tx, packet(a.tag, k))
    out.append(b[:-1] + bytes([b[-1] ^ 0x01]))
sent_ok = out[:a.send]
for k in range(a.replay):
    out.append(sent_ok[k % len(sent_ok)])
recv = exact = bad = auth_fail = 0
srcs = set()
i = 0
end = time.time() + a.secs
next_send = time.time()
done_at = None
while time.time() < end:
    if started and i < len(out) and time.time() >= next_send:
        sock.sendto(out[i], (a.dst_ip, a.dst_port))
        i += 1
        next_send += 0.02
    try:
        data, src = sock.recvfrom(2048)
    except socket.timeout:
        data = None
    if data is not None:
        if not started:
            started = True
            next_send = time.time()
        recv += 1
        srcs.add("%s:%d" % src)
        rc, plain = run(lib().srtp_unprotect, rx, data)
        if rc != 0:
            auth_fail += 1
        elif a.peer_tag is not None and len(plain) >= 12 and \
                plain == packet(a.peer_tag, a.seq0 + (struct.unpack("!H", plain[2:4])[0] - a.seq0) % 65536):
            exact += 1
        else:
            bad += 1
    if i >= len(out) and recv >= a.expect:
        if done_at is None:
            done_at = time.time()
        if time.time() - done_at >= a.linger:
            break
print(json.dumps({"sent": a.send, "forged": a.forge, "replayed": a.replay, "recv": recv,
                  "exact": exact, "bad": bad, "auth_fail": auth_fail, "srcs": sorted(srcs)}))
