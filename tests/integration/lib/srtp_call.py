#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# One end of a long call for test_rtp_restart.sh, on Debian's libsrtp2
# (ctypes: the field's library, not dp's SRTP), AES_CM_128_HMAC_SHA1_80,
# or plain RTP without keys:
#   srtp_call.py BIND_IP BIND_PORT DST_IP DST_PORT --tag T --peer-tag Q
#     [--tx-key B64 --rx-key B64] [--mux] --status FILE --stop FILE
#     [--replay FILE] [--pause FILE] [--rtcp-every S] [--rate PPS]
# Sends packet k of sender T (rtp_probe.py's: SSRC 0x7e570000 + T,
# sequence k, a payload of SHA-256("T:k")) every 1/PPS s for as long as it
# runs, whatever happens to the box in between (a send that fails while
# the gateway restarts is counted, its k is not sent again: sequence
# numbers go on as a phone's would); every S s an RTCP compound (SR and
# SDES CNAME; SRTCP with keys) to DST_PORT + 1, or to DST_PORT with --mux,
# and takes RTCP on BIND_PORT + 1 (or BIND_PORT). What arrives is
# unprotected with --rx-key and held to sender Q's packet k byte for byte,
# k its timestamp's (k * 160) and its sequence number k's or shifted: a
# restarted dp shifts what it protects past what the dp before may have
# (dp/rtp/FEATURE.md "SRTP"); each shift seen (SEQ - k mod 2^16) is kept. --replay FILE: when FILE appears holding a number
# k, the SRTP bytes of our packet k are sent again, once, from our socket.
# --pause FILE: nothing is sent while FILE exists (the sequence stands).
# Every 0.2 s and at the end (once --stop FILE appears, after 1 s more)
# FILE --status gets one JSON object: sent, send_err, recv (distinct
# sequence numbers that arrived exact), dup, bad, auth_fail, replay_fail,
# rtcp_sent, rtcp_recv, rtcp_bad, first/last (packet numbers k received),
# gaps (received ranges of k), shifts, gap_max (the longest time between
# two packets that arrived, s), srcs, replayed, done; silences (the last
# 256 times between two packets that arrived over 30 ms: [when the first
# came (time.time()), the silence, s]), heard_at (when the last came),
# shift_log (each change of the shift as it arrived: [time.time(), k,
# shift], the first 64).
import argparse, json, os, socket, struct, time


def rtcp(tag, n, sent):
    ssrc = 0x7e570000 + tag
    now = time.time() + 2208988800
    sr = struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc, int(now), int((now % 1) * 2**32),
                     (sent * 160) & 0xffffffff, sent, sent * 172)
    cname = b"call%d@turnpike.test" % tag
    item = bytes([1, len(cname)]) + cname + b"\0"
    item += b"\0" * (-(4 + len(item)) % 4)
    sdes = struct.pack("!BBHI", 0x81, 202, (4 + len(item)) // 4, ssrc) + item
    return sr + sdes


from srtp_lib import lib, packet, run, session


ap = argparse.ArgumentParser()
ap.add_argument("bind_ip"); ap.add_argument("bind_port", type=int)
ap.add_argument("dst_ip"); ap.add_argument("dst_port", type=int)
ap.add_argument("--tx-key"); ap.add_argument("--rx-key")
ap.add_argument("--tag", type=int, default=1)
ap.add_argument("--peer-tag", type=int, default=2)
ap.add_argument("--mux", action="store_true")
ap.add_argument("--status", required=True)
ap.add_argument("--stop", required=True)
ap.add_argument("--replay")
ap.add_argument("--pause")
ap.add_argument("--rtcp-every", type=float, default=0.5)
ap.add_argument("--rate", type=float, default=50)
a = ap.parse_args()

srtp = a.tx_key is not None
if srtp:
    tx, rx = session(a.tx_key, False), session(a.rx_key, True)
rtp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rtp_sock.bind((a.bind_ip, a.bind_port))
rtp_sock.setblocking(False)
socks = [rtp_sock]
if not a.mux:
    rtcp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtcp_sock.bind((a.bind_ip, a.bind_port + 1))
    rtcp_sock.setblocking(False)
    socks.append(rtcp_sock)
else:
    rtcp_sock = rtp_sock
rtcp_dst = (a.dst_ip, a.dst_port if a.mux else a.dst_port + 1)

st = {"sent": 0, "send_err": 0, "recv": 0, "dup": 0, "bad": 0, "auth_fail": 0,
      "replay_fail": 0, "rtcp_sent": 0, "rtcp_recv": 0, "rtcp_bad": 0, "replayed": [],
      "srcs": [], "shifts": [], "gap_max": 0.0, "done": False, "silences": [],
      "shift_log": []}
wire = {}                     # k -> the bytes sent (for --replay)
seen = set()
srcs = set()
shifts = set()
heard_at = None               # when the last packet arrived
t0 = time.time()
nxt, nrtcp, nstat = t0, t0 + a.rtcp_every, t0
stop_at = None


def send(sock, data, dst):
    try:
        sock.sendto(data, dst)
        return True
    except OSError:
        st["send_err"] += 1
        return False


def status(final=False):
    ks = sorted(seen)
    gaps, lo = [], None
    for i, k in enumerate(ks):
        if lo is None:
            lo = k
        if i + 1 == len(ks) or ks[i + 1] != k + 1:
            gaps.append([lo, k])
            lo = None
    st.update(recv=len(seen), first=ks[0] if ks else None, last=ks[-1] if ks else None,
              ranges=gaps, srcs=sorted(srcs), shifts=sorted(shifts), done=final)
    tmp = a.status + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f)
    os.replace(tmp, a.status)


while True:
    now = time.time()
    if not os.path.isdir(os.path.dirname(os.path.abspath(a.status))):
        break                 # (the test's folder is gone: it ended)
    if stop_at is None and os.path.exists(a.stop):
        stop_at = now + 1.0
    if stop_at is not None and now >= stop_at:
        break
    if a.pause and os.path.exists(a.pause):
        nxt, nrtcp = now + 1.0 / a.rate, now + a.rtcp_every
    if stop_at is None and now >= nxt:
        k = st["sent"]
        p = packet(a.tag, k)
        if srtp:
            rc, p = run(lib().srtp_protect, tx, p)
            assert rc == 0, "srtp_protect: %d" % rc
        wire[k] = p
        send(rtp_sock, p, (a.dst_ip, a.dst_port))
        st["sent"] += 1
        nxt += 1.0 / a.rate
    if stop_at is None and now >= nrtcp:
        p = rtcp(a.tag, st["rtcp_sent"], st["sent"])
        if srtp:
            rc, p = run(lib().srtp_protect_rtcp, tx, p)
            assert rc == 0, "srtp_protect_rtcp: %d" % rc
        send(rtcp_sock, p, rtcp_dst)
        st["rtcp_sent"] += 1
        nrtcp += a.rtcp_every
    if a.replay and os.path.exists(a.replay):
        try:
            k = int(open(a.replay).read().strip())
        except ValueError:
            k = None
        if k is not None:
            os.unlink(a.replay)
            send(rtp_sock, wire[k], (a.dst_ip, a.dst_port))
            st["replayed"].append(k)
    for s in socks:
        while True:
            try:
                d, src = s.recvfrom(2048)
            except BlockingIOError:
                break
            srcs.add("%s:%d" % src)
            is_rtcp = s is not rtp_sock or (len(d) > 1 and 192 <= d[1] <= 223)
            if is_rtcp:
                if srtp:
                    rc, d = run(lib().srtp_unprotect_rtcp, rx, d)
                    if rc != 0:
                        st["rtcp_bad"] += 1
                        continue
                ok = len(d) >= 8 and d[0] >> 6 == 2 and d[1] in (200, 201) and \
                    struct.unpack("!I", d[4:8])[0] == 0x7e570000 + a.peer_tag
                st["rtcp_recv" if ok else "rtcp_bad"] += 1
                continue
            if srtp:
                rc, d = run(lib().srtp_unprotect, rx, d)
                if rc == 9:                      # srtp_err_status_replay_fail
                    st["replay_fail"] += 1
                    continue
                if rc != 0:
                    st["auth_fail"] += 1
                    continue
            # (k from the timestamp, which dp never changes; sequence
            # numbers do not wrap in a test's few minutes at 50 a second)
            k = struct.unpack("!I", d[4:8])[0] // 160 if len(d) >= 12 else -1
            want = packet(a.peer_tag, k) if k >= 0 else b""
            if k >= 0 and d[:2] == want[:2] and d[4:] == want[4:]:
                if k in seen:
                    st["dup"] += 1
                seen.add(k)
                shift = (struct.unpack("!H", d[2:4])[0] - k) & 0xffff
                shifts.add(shift)
                if (not st["shift_log"] or st["shift_log"][-1][2] != shift) and \
                        len(st["shift_log"]) < 64:
                    st["shift_log"].append([round(now, 4), k, shift])
                if heard_at is not None:
                    st["gap_max"] = max(st["gap_max"], round(now - heard_at, 3))
                    if now - heard_at > 0.03:
                        st["silences"] = (st["silences"] +
                                          [[round(heard_at, 4), round(now - heard_at, 3)]])[-256:]
                heard_at = now
                st["heard_at"] = round(now, 4)
            else:
                st["bad"] += 1
    if now >= nstat:
        status()
        nstat = now + 0.2
    time.sleep(0.002)
if os.path.isdir(os.path.dirname(os.path.abspath(a.status))):
    status(True)
