#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The far peer of test_webrtc_browser.sh: an aiortc (Debian's
python3-aiortc) peer connection with host candidates only, run in the
peers' namespace behind the TURN server's relayed addresses.

Signalling is one JSON object a line on stdin/stdout, driven by browser.py:
  <- {"offer": SDP}   -> {"answer": SDP}      (ICE gathering complete)
  <- {"stats": true}  -> {"frames": N, "messages": N, ...}
  <- {"bye": true} or end of input: close and exit.
It echoes every data-channel message and decodes every video frame it
receives (aiortc's own VP8/H.264 decoders), counting both."""

import asyncio
import json
import sys
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def log(msg):
    sys.stderr.write("aiortc_peer: %s\n" % msg)
    sys.stderr.flush()


class Peer:
    def __init__(self):
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.frames = 0
        self.frame_size = None
        self.first_frame_at = None
        self.messages = 0
        self.bytes = 0
        self.tasks = []
        self.pc.on("datachannel", self.on_datachannel)
        self.pc.on("track", self.on_track)
        self.pc.on("iceconnectionstatechange",
                   lambda: log("ice %s" % self.pc.iceConnectionState))

    def on_datachannel(self, channel):
        log("data channel %r" % channel.label)

        @channel.on("message")
        def on_message(message):
            self.messages += 1
            self.bytes += len(message)
            channel.send(message)

    def on_track(self, track):
        log("track %s" % track.kind)
        if track.kind == "video":
            self.tasks.append(asyncio.ensure_future(self.consume(track)))

    async def consume(self, track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.frames += 1
            if self.first_frame_at is None:
                self.first_frame_at = time.monotonic()
            self.frame_size = [frame.width, frame.height]

    async def answer(self, sdp):
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        # aiortc gathers every candidate before setLocalDescription returns.
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    def selected(self):
        # aioice's nominated pair, for the log: aiortc has no getStats pairs.
        out = {}
        for t in self.pc.getTransceivers():
            ice = t.receiver.transport.transport if t.receiver.transport else None
            conn = getattr(ice, "_connection", None)
            pair = getattr(conn, "_nominated", {}).get(1) if conn else None
            if pair:
                out = {"local": "%s:%d %s" % (pair.local_candidate.host,
                                              pair.local_candidate.port,
                                              pair.local_candidate.type),
                       "remote": "%s:%d %s" % (pair.remote_candidate.host,
                                               pair.remote_candidate.port,
                                               pair.remote_candidate.type)}
        return out

    def stats(self):
        return {"frames": self.frames, "frame_size": self.frame_size,
                "messages": self.messages, "bytes": self.bytes,
                "ice": self.pc.iceConnectionState,
                "connection": self.pc.connectionState,
                "selected": self.selected()}


async def main():
    peer = Peer()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            req = json.loads(line)
            if "offer" in req:
                say({"answer": await peer.answer(req["offer"])})
            elif "stats" in req:
                say(peer.stats())
            elif "bye" in req:
                break
    finally:
        for t in peer.tasks:
            t.cancel()
        await peer.pc.close()


if __name__ == "__main__":
    asyncio.run(main())
