#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The two ends of test_ng_webrtc.sh's calls through an ng door (turnpike's
or rtpengine's): a WebRTC client (Debian's python3-aiortc, 1.4) on the
access side and a SIP phone's plain RTP/AVP (PCMU) on the core side. Each
prints one JSON line.

  ng_webrtc.py aiortc offer|answer --offer F --answer F --done F --close F
               [--count N --seed S --seed-in S2 --bad-fingerprint --timeout T
                --send-after F]
    offer: aiortc offers (UDP/TLS/RTP/SAVPF, PCMU only, actpass, its ICE) into
    --offer, waits for the door's answer in --answer; answer: waits for the
    door's offer in --offer, answers into --answer. Then, once DTLS is up,
    sends N frames of PCMU whose payloads are payload(S, i) (aiortc encodes
    them: the samples are their mu-law values decoded, which encode back to
    the same octets) every 20 ms, and takes the PCMU payloads that come
    (byte-exact against payload(S2, i)); writes --done, keeps its ICE
    (consent checks each second) until --close appears, then closes (its
    checks stop). --timeout: how long DTLS may take to come up (or fail)
    once the SDPs are exchanged. --send-after: its first frame waits for
    that file (the door has taken its answer: before, the gateway cannot
    check its certificate, and drops what it sends). --bad-fingerprint: the fingerprint its SDP gives is not
    its certificate's (a digit changed): the handshake must fail.
    --video M (offer only): a second section, video (VP8 only), M frames
    of 64x48 every 40 ms encoded by aiortc; aiortc's own offer bundles
    the two (a=group:BUNDLE, the MID header extension) but gives each
    section its own port, so it works whether the answer bundles or not.
    The SHA-1s of the VP8 payloads it sends ("video_sent") and of the PT
    --video-pt payloads it gets ("video_got") are in its JSON, with the
    5-tuples its transceivers' ICE nominated ("pairs").
  ng_webrtc.py sip ADDR PORT DEST DPORT [--count N --seed S --seed-in S2
               --wait-first --timeout T --ready F --dport-file F]
    the SIP side: N RTP packets (PT 0, payload(S, i)) to DEST:DPORT every
    20 ms (after the first packet came with --wait-first), the PCMU
    payloads that come counted byte-exact against payload(S2, i).
    --dport-file: DPORT (0) is read from that file once it appears (the
    door's answer gives it), what comes meanwhile taken already.
    --video-pt PT: the video side instead: it sends N VP8-shaped payloads
    (a descriptor octet, S set, then vp8(S, i)) of PT every 40 ms and
    keeps the SHA-1s of the PT payloads that come ("got" in its JSON),
    to be checked against what aiortc says it sent.

The door's SDP is given to aiortc as it came but for one line: an a=rtcp
without an address (RFC 3605 allows it; rtpengine 10.5 writes it), which
aiortc 1.4's parser refuses, gets the section's c= address.
"""
import argparse
import asyncio
import fractions
import hashlib
import json
import os
import random
import re
import socket
import struct
import sys
import time
import warnings

with warnings.catch_warnings():
    # (aiortc's own codecs use it too; Python 3.13 drops it)
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


# how long the test may take to give us the door's SDP, or to say we may
# close: it starts every aiortc at once (its start costs seconds)
FILE_WAIT = 120


def payload(seed, i):
    """160 octets of mu-law, none 0x7f (mu-law's negative zero decodes to
    0, which encodes as 0xff: every other octet comes back the same)."""
    r = random.Random(seed * 1000003 + i)
    return bytes(b if b != 0x7f else 0x7e for b in r.randbytes(160))


def vp8(seed, i):
    """A VP8 RTP payload's shape: the descriptor's first octet (S: a
    partition's start, PID 0), then 200 octets; a decoder refuses it, which
    aiortc survives (it counts no frame)."""
    r = random.Random(seed * 1000033 + i)
    return b"\x10" + r.randbytes(200)


def sha(b):
    return hashlib.sha1(b).hexdigest()


def rtp_payload(d):
    """An RTP packet's payload (after CSRCs and a header extension), or
    None when d is not RTP."""
    if len(d) < 12 or d[0] >> 6 != 2:
        return None
    off = 12 + 4 * (d[0] & 0x0f)
    if d[0] & 0x10:
        if len(d) < off + 4:
            return None
        off += 4 + 4 * struct.unpack("!H", d[off + 2:off + 4])[0]
    pad = d[-1] if d[0] & 0x20 and len(d) > off else 0
    return d[off:len(d) - pad] if off <= len(d) - pad else None


def log(msg):
    sys.stderr.write("ng_webrtc: %s\n" % msg)
    sys.stderr.flush()


async def wait_file(path, secs):
    """path's text once it exists (the test writes each file whole, by a
    rename, or empty to say so), None after secs."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if os.path.exists(path):
            return open(path).read()
        await asyncio.sleep(0.05)
    return None


def for_aiortc(text):
    """The door's SDP for aiortc's parser: CRLF, a=rtcp:PORT given the
    section's (else the session's) c= address (c= comes before a= lines:
    RFC 8866 section 5)."""
    out, sess_c, sec_c, media = [], None, None, False
    for l in text.replace("\r\n", "\n").split("\n"):
        if not l:
            continue
        if l.startswith("m="):
            media, sec_c = True, None
        elif l.startswith("c="):
            if media:
                sec_c = l[2:]
            else:
                sess_c = l[2:]
        m = re.fullmatch(r"a=rtcp:(\d+)", l)
        if m and (sec_c or sess_c):
            l = "a=rtcp:%s %s" % (m.group(1), sec_c or sess_c)
        out.append(l)
    return "\r\n".join(out) + "\r\n"


def bad_fingerprint(text):
    """text with the first a=fingerprint's first hex digit changed."""
    def swap(m):
        d = m.group(2)
        return m.group(1) + ("0" if d[0] != "0" else "1") + d[1:]
    return re.sub(r"(a=fingerprint:\S+ )([0-9A-Fa-f]{2})", swap, text, count=1)


async def aiortc_peer(a):
    import aioice.ice
    from aiortc import RTCPeerConnection, RTCSessionDescription, RTCConfiguration
    from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
    from aiortc.rtcrtpreceiver import RTCRtpReceiver
    from aiortc.rtcrtpsender import RTCRtpSender
    from av import AudioFrame, VideoFrame

    # consent checks each second (aioice's 5 s): the test's
    # agw.ice_consent_ms is 3 s
    aioice.ice.CONSENT_INTERVAL = 1
    want = {payload(a.seed_in, i) for i in range(a.count)}
    got = []
    orig = RTCRtpReceiver._handle_rtp_packet

    video_got, video_sent = [], []

    async def hook(self, packet, arrival_time_ms):
        if packet.payload_type == 0:
            got.append(bytes(packet.payload))
        elif a.video and packet.payload_type == a.video_pt:
            video_got.append(sha(bytes(packet.payload)))
        return await orig(self, packet, arrival_time_ms)
    RTCRtpReceiver._handle_rtp_packet = hook
    if a.video:
        # what aiortc sends, before SRTP: the VP8 payloads' hashes (RTCP,
        # also through _send_rtp, is not RTP of the video's PT)
        from aiortc.rtcdtlstransport import RTCDtlsTransport
        send_orig = RTCDtlsTransport._send_rtp

        async def send_hook(self, data):
            if len(data) >= 12 and data[1] & 0x7f == a.video_pt and not 192 <= data[1] <= 223:
                pl = rtp_payload(bytes(data))
                if pl is not None:
                    video_sent.append(sha(pl))
            return await send_orig(self, data)
        RTCDtlsTransport._send_rtp = send_hook

    class Payloads(MediaStreamTrack):
        kind = "audio"

        def __init__(self):
            super().__init__()
            self.i = 0
            self.t0 = None

        async def recv(self):
            if self.i >= a.count:
                self.stop()
                raise MediaStreamError
            if self.t0 is None:
                if a.send_after:
                    await wait_file(a.send_after, FILE_WAIT)
                self.t0 = time.monotonic()
            await asyncio.sleep(max(0, self.t0 + self.i * 0.02 - time.monotonic()))
            f = AudioFrame(format="s16", layout="mono", samples=160)
            f.planes[0].update(audioop.ulaw2lin(payload(a.seed, self.i), 2))
            f.pts = self.i * 160
            f.sample_rate = 8000
            f.time_base = fractions.Fraction(1, 8000)
            self.i += 1
            return f

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    states = []
    up = asyncio.Event()
    failed = asyncio.Event()

    @pc.on("connectionstatechange")
    def on_state():
        states.append(pc.connectionState)
        log("connection %s" % pc.connectionState)
        if pc.connectionState == "connected":
            up.set()
        if pc.connectionState == "failed":
            failed.set()

    class Frames(MediaStreamTrack):
        """a.video frames of 64x48, every 40 ms once DTLS is up."""
        kind = "video"

        def __init__(self):
            super().__init__()
            self.i = 0
            self.t0 = None
            self.r = random.Random(a.seed)

        async def recv(self):
            if self.i >= a.video:
                self.stop()
                raise MediaStreamError
            if self.t0 is None:
                self.t0 = time.monotonic()
            await asyncio.sleep(max(0, self.t0 + self.i * 0.04 - time.monotonic()))
            f = VideoFrame(width=64, height=48, format="yuv420p")
            for pl in f.planes:
                pl.update(self.r.randbytes(pl.buffer_size))
            f.pts = self.i * 3600
            f.time_base = fractions.Fraction(1, 90000)
            self.i += 1
            return f

    track = Payloads()
    pcmu = [c for c in RTCRtpSender.getCapabilities("audio").codecs
            if c.mimeType.lower() == "audio/pcmu"]
    out = {"mode": a.mode}
    vtrack = None
    if a.mode == "offer":
        t = pc.addTransceiver(track, direction="sendrecv")
        t.setCodecPreferences(pcmu)
        if a.video:
            vtrack = Frames()
            vt = pc.addTransceiver(vtrack, direction="sendrecv")
            vt.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs
                                    if c.mimeType.lower() == "video/vp8"])
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        if a.bad_fingerprint:
            sdp = bad_fingerprint(sdp)
        with open(a.offer + ".tmp", "w") as f:
            f.write(sdp)
        os.rename(a.offer + ".tmp", a.offer)
        text = await wait_file(a.answer, FILE_WAIT)
        if text is None:
            out["error"] = "no answer"
            print(json.dumps(out))
            return
        out["door"] = text
        await pc.setRemoteDescription(RTCSessionDescription(sdp=for_aiortc(text), type="answer"))
    else:
        text = await wait_file(a.offer, FILE_WAIT)
        if text is None:
            out["error"] = "no offer"
            print(json.dumps(out))
            return
        out["door"] = text
        await pc.setRemoteDescription(RTCSessionDescription(sdp=for_aiortc(text), type="offer"))
        for t in pc.getTransceivers():
            if t.kind == "audio":
                t.sender.replaceTrack(track)
                t.direction = "sendrecv"
                t.setCodecPreferences(pcmu)
        await pc.setLocalDescription(await pc.createAnswer())
        sdp = pc.localDescription.sdp
        if a.bad_fingerprint:
            sdp = bad_fingerprint(sdp)
        with open(a.answer + ".tmp", "w") as f:
            f.write(sdp)
        os.rename(a.answer + ".tmp", a.answer)
    # up (DTLS done: media go) or failed
    done = asyncio.ensure_future(up.wait())
    bad = asyncio.ensure_future(failed.wait())
    await asyncio.wait([done, bad], timeout=a.timeout, return_when=asyncio.FIRST_COMPLETED)
    for x in (done, bad):
        x.cancel()
    t0 = time.monotonic()
    if up.is_set():
        out["up_s"] = round(t0, 3)
        end = t0 + max(a.count * 0.02, a.video * 0.04) + 8
        while time.monotonic() < end and (track.i < a.count or len(got) < a.count or
                                          (vtrack is not None and vtrack.i < a.video) or
                                          len(video_got) < a.video):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
    out.update({"states": states, "sent": track.i, "recv": len(got),
                "exact": sum(1 for p in got if p in want), "local": None})
    if a.video:
        out.update({"video_frames": vtrack.i if vtrack else 0, "video_sent": video_sent,
                    "video_got": video_got, "pairs": []})
        for t in pc.getTransceivers():
            conn = getattr(t.receiver.transport.transport, "_connection", None) \
                if t.receiver.transport is not None else None
            pair = getattr(conn, "_nominated", {}).get(1) if conn else None
            if pair:
                out["pairs"].append("%s:%d %s:%d" % (
                    pair.local_candidate.host, pair.local_candidate.port,
                    pair.remote_candidate.host, pair.remote_candidate.port))
    ice = [t.receiver.transport.transport for t in pc.getTransceivers()
           if t.receiver.transport is not None]
    if ice:
        out["ice"] = ice[0].state
        conn = getattr(ice[0], "_connection", None)
        pair = getattr(conn, "_nominated", {}).get(1) if conn else None
        if pair:
            out["local"] = "%s:%d" % (pair.local_candidate.host, pair.local_candidate.port)
            out["remote"] = "%s:%d" % (pair.remote_candidate.host, pair.remote_candidate.port)
    dtls = [t.receiver.transport for t in pc.getTransceivers() if t.receiver.transport is not None]
    if dtls:
        out["dtls"] = dtls[0].state
        out["dtls_role"] = dtls[0]._role
    with open(a.done, "w") as f:
        f.write("done\n")
    # its consent checks go on until the test has looked
    await wait_file(a.close, FILE_WAIT)
    await pc.close()
    print(json.dumps(out))


def sip_video(a, s, dport):
    """sip()'s video side (--video-pt)."""
    got, other, sent, srcs = [], 0, 0, set()
    end = time.time() + a.timeout
    started = not a.wait_first
    nxt = last = time.time()
    # (aiortc's frames come in one to three packets each: all sent once
    # a second passes without one, after ours)
    while time.time() < end and (sent < a.count or time.time() - last < 1.0):
        if dport == 0 and a.dport_file and os.path.exists(a.dport_file):
            with open(a.dport_file) as f:
                dport = int(f.read().strip() or 0)
        try:
            d, src = s.recvfrom(2048)
            srcs.add("%s:%d" % src)
            started = True
            last = time.time()
            pl = rtp_payload(d)
            if pl is None or d[1] & 0x7f != a.video_pt:
                other += 1
                continue
            got.append(sha(pl))
            continue
        except BlockingIOError:
            pass
        if started and dport != 0 and sent < a.count and time.time() >= nxt:
            hdr = struct.pack("!BBHII", 0x80, a.video_pt | 0x80, sent & 0xffff, sent * 3600,
                              0x3000 + a.seed)
            s.sendto(hdr + vp8(a.seed, sent), (a.dest, dport))
            sent += 1
            nxt = max(nxt + 0.04, time.time() - 0.1)
        time.sleep(0.002)
    print(json.dumps({"sent": sent, "recv": len(got), "got": got, "other": other,
                      "from": sorted(srcs),
                      "sent_sha": [sha(vp8(a.seed, i)) for i in range(sent)]}))


def sip(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.addr, a.port))
    s.setblocking(False)
    if a.ready:
        open(a.ready, "w").close()
    if a.video_pt:
        sip_video(a, s, a.dport)
        return
    want = {payload(a.seed_in, i) for i in range(a.count)}
    got, exact, other, sent, srcs = 0, 0, 0, 0, set()
    end = time.time() + a.timeout
    started = not a.wait_first
    nxt = time.time()
    dport = a.dport
    while time.time() < end and (sent < a.count or got < a.count):
        if dport == 0 and a.dport_file and os.path.exists(a.dport_file):
            with open(a.dport_file) as f:
                dport = int(f.read().strip() or 0)
        try:
            d, src = s.recvfrom(2048)
            srcs.add("%s:%d" % src)
            started = True
            # RTP, PT 0 (a marker allowed), a 12-octet header and CSRCs
            if len(d) < 12 or d[0] >> 6 != 2 or d[1] & 0x7f != 0:
                other += 1
                continue
            off = 12 + 4 * (d[0] & 0x0f)
            if d[0] & 0x10 and len(d) >= off + 4:
                off += 4 + 4 * struct.unpack("!H", d[off + 2:off + 4])[0]
            got += 1
            exact += d[off:] in want
            continue
        except BlockingIOError:
            pass
        if started and dport != 0 and sent < a.count and time.time() >= nxt:
            hdr = struct.pack("!BBHII", 0x80, 0, sent & 0xffff, sent * 160, 0x2000 + a.seed)
            s.sendto(hdr + payload(a.seed, sent), (a.dest, dport))
            sent += 1
            nxt = max(nxt + 0.02, time.time() - 0.1)
        time.sleep(0.002)
    print(json.dumps({"sent": sent, "recv": got, "exact": exact, "other": other,
                      "from": sorted(srcs)}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("aiortc")
    w.add_argument("mode", choices=["offer", "answer"])
    w.add_argument("--offer", required=True)
    w.add_argument("--answer", required=True)
    w.add_argument("--done", required=True)
    w.add_argument("--close", required=True)
    w.add_argument("--count", type=int, default=100)
    w.add_argument("--seed", type=int, default=1)
    w.add_argument("--seed-in", type=int, default=2)
    w.add_argument("--timeout", type=float, default=15)
    w.add_argument("--bad-fingerprint", action="store_true")
    w.add_argument("--send-after")
    w.add_argument("--video", type=int, default=0)
    w.add_argument("--video-pt", type=int, default=97)
    p = sub.add_parser("sip")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("dest")
    p.add_argument("dport", type=int)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--seed-in", type=int, default=1)
    p.add_argument("--wait-first", action="store_true")
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--ready")
    p.add_argument("--dport-file")
    p.add_argument("--video-pt", type=int, default=0)
    a = ap.parse_args()
    if a.cmd == "sip":
        sip(a)
    else:
        asyncio.run(aiortc_peer(a))


if __name__ == "__main__":
    main()
