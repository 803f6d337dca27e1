#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The two ends of test_agw_webrtc.sh's call through the gateway, and its
signalling: Debian's python3-aiortc (1.4) as the WebRTC client in the
clients' namespace, a plain RTP peer in the core's.

  agw_webrtc.py ue LOCAL_ADDR --offer F --answer F --status F --stop F
                   [--seed S --seed-in S2]
    aiortc's offer (one audio transceiver, PCMU only, sendrecv; actpass,
    ICE, its fingerprint; gathered on LOCAL_ADDR) to F as SDP and F.json
    (its ufrag, pwd, fingerprint, setup, host candidate); then the answer
    SDP from --answer, and the call: a PCMU frame every 20 ms whose
    payload is payload(S, i) (aiortc's encoder turns the samples back
    into exactly those octets), the frames aiortc decodes counted
    byte-exact against the core's payload(S2, *). Its figures to --status
    (JSON, rewritten every 0.2 s) until --stop appears; the last on stdout.
    --arrivals F: at the end, each frame's wall-clock time and index i of
    payload(S2, i) (-1: none), and the time each of ours went, JSON
    (test_agw_dtls_flood's gaps, loss and delay).
  agw_webrtc.py core ADDR PORT DEST DPORT --status F --stop F
                     [--seed S --seed-in S2]
    waits for the first RTP packet (the UE's, through the gateway), then
    sends RTP (PT 0, 160 octets of payload(S, i)) to DEST every 20 ms and
    counts the RTP it gets byte-exact (payloads) against payload(S2, *),
    RTCP apart; figures to --status as the UE's, --arrivals as the UE's
    (RTP's; read every 2 ms at most while idle: a gap's resolution).
  agw_webrtc.py answer CREATE_JSON OFFER_JSON
    the answer SDP for aiortc from agw.create's answer: our ICE (lite,
    ufrag, pwd, the host candidate: the leg's address and port), our
    fingerprint, a=setup and a=tls-id from the leg's "dtls".
"""

import argparse
import asyncio
import fractions
import json
import os
import random
import socket
import struct
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import audioop  # noqa: E402  (aiortc's own PCMU codec uses it)

NPAY = 4000            # payloads a side may send: 80 s of 20 ms frames


def payload(seed, i):
    """160 octets of PCMU; no 0x7f, whose decoded sample (0) encodes back
    as 0xff: every other octet survives aiortc's decode and encode."""
    b = bytearray(random.Random(seed * 1000003 + i).randbytes(160))
    return bytes(0x7e if x == 0x7f else x for x in b)


def payloads(seed):
    """Each payload of seed's, to its index."""
    return {payload(seed, i): i for i in range(NPAY)}


def write_arrivals(path, arr, sent):
    """--arrivals: "recv", [wall-clock time, index of payload(S2, *) or
    -1] of each packet or frame taken, and "sent", the wall-clock time
    payload(S, i) went, by i: gaps, loss and delay over a window (both
    ends share the machine's clock)."""
    if path:
        write_status(path, {"recv": arr, "sent": sent})


def write_status(path, d):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(d, f)
    os.replace(tmp, path)


# ---- the UE: aiortc -------------------------------------------------------------------

async def ue(a):
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import MediaStreamTrack, MediaStreamError
    from aiortc.rtcrtpsender import RTCRtpSender
    from av import AudioFrame

    class Tone(MediaStreamTrack):
        """PCMU frames of payload(seed, i), one every 20 ms."""
        kind = "audio"

        def __init__(self, seed):
            super().__init__()
            self.seed = seed
            self.i = 0
            self.t0 = None
            self.sent = []

        async def recv(self):
            if self.t0 is None:
                self.t0 = time.monotonic()
            if self.i >= NPAY:
                await asyncio.sleep(3600)
            wait = self.t0 + self.i * 0.02 - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            frame = AudioFrame(format="s16", layout="mono", samples=160)
            frame.planes[0].update(audioop.ulaw2lin(payload(self.seed, self.i), 2))
            frame.pts = self.i * 160
            frame.sample_rate = 8000
            frame.time_base = fractions.Fraction(1, 8000)
            self.sent.append(round(time.time(), 4))
            self.i += 1
            return frame

    want = payloads(a.seed_in)
    arr = []
    st = {"sent": 0, "recv": 0, "exact": 0, "ice": None, "connection": None}
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    tone = Tone(a.seed)
    tr = pc.addTransceiver(tone, direction="sendrecv")
    tr.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("audio").codecs
                            if c.mimeType == "audio/PCMU"])
    tasks = []

    async def consume(track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            data = bytes(frame.planes[0])[:320]
            i = want.get(audioop.lin2ulaw(data, 2), -1)
            arr.append((round(time.time(), 4), i))
            st["recv"] += 1
            st["exact"] += i >= 0

    @pc.on("track")
    def on_track(track):
        tasks.append(asyncio.ensure_future(consume(track)))

    # aiortc gathers on every address it finds: the namespace has one
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    with open(a.offer, "w") as f:
        f.write(sdp)
    parts = {"candidates": []}
    for line in sdp.splitlines():
        if line.startswith("a=ice-ufrag:"):
            parts["ufrag"] = line.split(":", 1)[1]
        elif line.startswith("a=ice-pwd:"):
            parts["pwd"] = line.split(":", 1)[1]
        elif line.startswith("a=fingerprint:"):
            parts.setdefault("fingerprints", []).append(line.split(":", 1)[1])
        elif line.startswith("a=setup:"):
            parts["setup"] = line.split(":", 1)[1]
        elif line.startswith("a=mid:"):
            parts["mid"] = line.split(":", 1)[1]
        elif line.startswith("a=candidate:"):
            f = line.split()
            if f[2].lower() == "udp" and f[7] == "host" and f[4] == a.local:
                parts["candidates"].append("%s:%s" % (f[4], f[5]))
    write_status(a.offer + ".json", parts)
    while not os.path.exists(a.answer):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.05)
    with open(a.answer) as f:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=f.read(), type="answer"))
    end = time.monotonic() + a.timeout
    while not os.path.exists(a.stop) and time.monotonic() < end:
        st["sent"] = tone.i
        st["ice"] = pc.iceConnectionState
        st["connection"] = pc.connectionState
        write_status(a.status, st)
        await asyncio.sleep(0.2)
    st["sent"] = tone.i
    st["ice"] = pc.iceConnectionState
    st["connection"] = pc.connectionState
    write_status(a.status, st)
    for t in tasks:
        t.cancel()
    write_arrivals(a.arrivals, arr, tone.sent)
    await pc.close()
    print(json.dumps(st))


# ---- the core's end: plain RTP ------------------------------------------------------------

def core(a):
    want = payloads(a.seed_in)
    arr = []
    sent = []
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # (4 MB: what comes while this process waits for a core on a
        # loaded machine is kept, not lost in the socket; SO_RCVBUFFORCE,
        # 33: root's, past rmem_max)
        s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)
    except OSError:
        pass
    s.bind((a.addr, a.port))
    s.setblocking(False)
    st = {"sent": 0, "recv": 0, "exact": 0, "rtcp": 0, "from": []}
    srcs = set()
    started = False
    nxt = t_status = time.monotonic()
    end = nxt + a.timeout
    write_status(a.status, st)
    while not os.path.exists(a.stop) and time.monotonic() < end:
        try:
            d, src = s.recvfrom(2048)
            srcs.add("%s:%d" % src)
            if len(d) >= 2 and 200 <= d[1] <= 204:
                st["rtcp"] += 1
            elif len(d) >= 12 and d[0] >> 6 == 2:
                # the payload past the header, its CSRCs and extension
                off = 12 + 4 * (d[0] & 0x0f)
                if d[0] & 0x10 and len(d) >= off + 4:
                    off += 4 + 4 * struct.unpack("!H", d[off + 2:off + 4])[0]
                i = want.get(d[off:], -1)
                arr.append((round(time.time(), 4), i))
                st["recv"] += 1
                st["exact"] += i >= 0
            started = True
            continue
        except BlockingIOError:
            pass
        except OSError:
            # (an ICMP error's, while dp restarts)
            pass
        now = time.monotonic()
        if started and st["sent"] < NPAY and now >= nxt:
            i = st["sent"]
            sent.append(round(time.time(), 4))
            try:
                s.sendto(struct.pack("!BBHII", 0x80, 0, i & 0xffff, i * 160, 0x4242) +
                         payload(a.seed, i), (a.dest, a.dport))
            except OSError:
                # (the network is gone while dp restarts: the packet is
                # lost, as on a wire, and the stream goes on)
                st["send_errors"] = st.get("send_errors", 0) + 1
            st["sent"] += 1
            nxt += 0.02
            if nxt < now - 0.2:
                nxt = now
        if now >= t_status:
            st["from"] = sorted(srcs)
            write_status(a.status, st)
            t_status = now + 0.2
        time.sleep(0.002)
    st["from"] = sorted(srcs)
    write_status(a.status, st)
    write_arrivals(a.arrivals, arr, sent)
    print(json.dumps(st))


# ---- signalling: the answer for aiortc ------------------------------------------------------

def answer(a):
    c = json.load(open(a.create))
    o = json.load(open(a.offer))
    leg = c["legs"][0]
    addr, port = leg["local"].rsplit(":", 1)
    d = leg["dtls"]
    lines = [
        "v=0",
        "o=- %d 1 IN IP4 %s" % (c["id"] & 0x7fffffff, addr),
        "s=-",
        "t=0 0",
        "a=group:BUNDLE %s" % o.get("mid", "0"),
        "a=ice-lite",
        "m=audio %s UDP/TLS/RTP/SAVPF 0" % port,
        "c=IN IP4 %s" % addr,
        "a=mid:%s" % o.get("mid", "0"),
        "a=sendrecv",
        "a=rtcp-mux",
        "a=rtpmap:0 PCMU/8000",
        "a=ice-ufrag:%s" % leg["ice"]["ufrag"],
        "a=ice-pwd:%s" % leg["ice"]["pwd"],
        "a=candidate:1 1 udp 2130706431 %s %s typ host" % (addr, port),
        "a=end-of-candidates",
        "a=fingerprint:%s" % d["fingerprint"],
        "a=setup:%s" % d["setup"],
        "a=tls-id:%s" % d["tls_id"],
    ]
    sys.stdout.write("\r\n".join(lines) + "\r\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("ue")
    u.add_argument("local")
    for k in ("offer", "answer", "status", "stop"):
        u.add_argument("--" + k, required=True)
    c = sub.add_parser("core")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("dest")
    c.add_argument("dport", type=int)
    for k in ("status", "stop"):
        c.add_argument("--" + k, required=True)
    for p in (u, c):
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--seed-in", type=int, default=2)
        p.add_argument("--timeout", type=float, default=120)
        p.add_argument("--arrivals")
    w = sub.add_parser("answer")
    w.add_argument("create")
    w.add_argument("offer")
    a = ap.parse_args()
    if a.cmd == "ue":
        asyncio.run(ue(a))
    elif a.cmd == "core":
        core(a)
    else:
        answer(a)


if __name__ == "__main__":
    main()
