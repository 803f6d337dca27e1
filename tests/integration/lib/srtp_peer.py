#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# An SRTP end for test_iq_rtp.sh on Debian's libsrtp2 (ctypes: the field's
# library, not dp's SRTP), suite AES_CM_128_HMAC_SHA1_80:
#   srtp_peer.py BIND_IP BIND_PORT DST_IP DST_PORT --tx-key B64 --rx-key B64
#     [--send N] [--tag T] [--forge F] [--replay P] [--peer-tag Q]
#     [--expect M] [--linger S] [--secs S]
# Binds BIND; protects with --tx-key (RFC 4568's base64 of key||salt) and
# sends rtp_probe.py's packets 0..N-1 of sender T (20 ms apart), then F
# packets N..N+F-1 whose tag is forged (its last octet flipped) and P
# replays of packets already sent (their SRTP bytes again); unprotects
# what arrives with --rx-key and checks each against rtp_probe.py's packet
# of sender Q, byte for byte, until M arrived (and --linger seconds more)
# or S seconds passed. Prints one JSON line: sent, forged, replayed, recv,
# exact, bad, auth_fail (arrivals libsrtp2 refused), srcs.
import argparse, base64, ctypes, hashlib, json, socket, struct, sys, time


def packet(tag, k):
    # rtp_probe.py's packet k of sender tag (kept in step with it)
    payload = hashlib.sha256(b"%d:%d" % (tag, k)).digest() * 5
    return struct.pack("!BBHII", 0x80, 0, k & 0xffff, (k * 160) & 0xffffffff,
                       0x7e570000 + tag) + payload


class Crypto(ctypes.Structure):
    _fields_ = [("cipher_type", ctypes.c_uint32), ("cipher_key_len", ctypes.c_int),
                ("auth_type", ctypes.c_uint32), ("auth_key_len", ctypes.c_int),
                ("auth_tag_len", ctypes.c_int), ("sec_serv", ctypes.c_int)]


class Policy(ctypes.Structure):
    pass


Policy._fields_ = [("ssrc_type", ctypes.c_int), ("ssrc_value", ctypes.c_uint),
                   ("rtp", Crypto), ("rtcp", Crypto), ("key", ctypes.c_char_p),
                   ("keys", ctypes.c_void_p), ("num_master_keys", ctypes.c_ulong),
                   ("deprecated_ekt", ctypes.c_void_p), ("window_size", ctypes.c_ulong),
                   ("allow_repeat_tx", ctypes.c_int), ("enc_xtn_hdr", ctypes.c_void_p),
                   ("enc_xtn_hdr_count", ctypes.c_int), ("next", ctypes.POINTER(Policy))]

lib = ctypes.CDLL("libsrtp2.so.1")
if lib.srtp_init() != 0:
    sys.exit("srtp_init failed")


def session(b64, inbound):
    key = base64.b64decode(b64)
    if len(key) != 30:
        sys.exit("an AES_CM_128 key||salt is 30 octets, not %d" % len(key))
    p = Policy()
    lib.srtp_crypto_policy_set_rtp_default(ctypes.byref(p.rtp))
    lib.srtp_crypto_policy_set_rtcp_default(ctypes.byref(p.rtcp))
    p.ssrc_type = 2 if inbound else 3       # ssrc_any_inbound, ssrc_any_outbound
    kb = ctypes.create_string_buffer(key, len(key))
    p.key = ctypes.cast(kb, ctypes.c_char_p)
    p.window_size = 128
    s = ctypes.c_void_p()
    rc = lib.srtp_create(ctypes.byref(s), ctypes.byref(p))
    if rc != 0:
        sys.exit("srtp_create: %d" % rc)
    return s


def run(fn, s, data):
    buf = ctypes.create_string_buffer(bytes(data), len(data) + 64)
    n = ctypes.c_int(len(data))
    rc = fn(s, buf, ctypes.byref(n))
    return rc, buf.raw[:n.value]


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
a = ap.parse_args()

tx = session(a.tx_key, False)
rx = session(a.rx_key, True)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((a.bind_ip, a.bind_port))
sock.settimeout(0.005)
out = []                      # what went out, in order: (kind, bytes)
for k in range(a.send):
    rc, b = run(lib.srtp_protect, tx, packet(a.tag, k))
    if rc != 0:
        sys.exit("srtp_protect: %d" % rc)
    out.append(b)
for k in range(a.send, a.send + a.forge):
    rc, b = run(lib.srtp_protect, tx, packet(a.tag, k))
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
    if i < len(out) and time.time() >= next_send:
        sock.sendto(out[i], (a.dst_ip, a.dst_port))
        i += 1
        next_send += 0.02
    try:
        data, src = sock.recvfrom(2048)
    except socket.timeout:
        data = None
    if data is not None:
        recv += 1
        srcs.add("%s:%d" % src)
        rc, plain = run(lib.srtp_unprotect, rx, data)
        if rc != 0:
            auth_fail += 1
        elif a.peer_tag is not None and len(plain) >= 12 and \
                plain == packet(a.peer_tag, struct.unpack("!H", plain[2:4])[0]):
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
