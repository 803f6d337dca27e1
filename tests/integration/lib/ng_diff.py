#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""cp/ng against rtpengine, request for request (test_ng_diff.sh).

The same request sequences (SCENARIOS: every command and flag of
cp/ng/FEATURE.md's table, the error cases included) go to turnpike's ng
door and to rtpengine; each pair of replies is compared key by key: the
result, a warning present, an error-reason present, the set of the other
keys, and the SDP's structure (each section's lines with what either proxy
makes its own, addresses, ports, keys, reduced to what they are). A
difference must be a row of cp/ng/FEATURE.md's "Intended differences
from rtpengine" (scenarios, steps and keys as shell patterns, and the
reason) or of its "not yet fixed" table (printed as such); a row that no
difference needs any more is stale. Prints one line a difference, a line
of counts and a JSON summary last:
  {"steps": N, "differences": D, "unintended": [...], "pending": P,
   "stale": [...], "uncovered": [...]}
uncovered: names of FEATURE.md's flags table that no scenario sends.

  ng_diff.py --turnpike IP:PORT --rtpengine IP:PORT [--netns NS]
             --feature cp/ng/FEATURE.md [--only PATTERN]
--netns: rtpengine's address is in that network namespace: a UDP socket
made there (ip netns exec, passed back over a UNIX socket) reaches it.
"""
import argparse
import fnmatch
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

import ng

UE, CORE = "10.210.0.2", "10.211.0.2"          # the UE's and the core's ends
OURS = {"10.210.0.1", "10.211.0.1", "fd00:210::1", "fd00:211::1", "192.0.2.99"}
KEY_A = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"
KEY_B = "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGC"
KEY_C = "ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+"


# ---- the proxies ---------------------------------------------------------------------

def netns_socket(ns):
    """A UDP socket made in network namespace ns (its fd passed back)."""
    d = tempfile.mkdtemp(prefix="ngdiff.")
    path = os.path.join(d, "fd")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    child = ("import socket; u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); "
             "u.connect(%r); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
             "socket.send_fds(u, [b'x'], [s.fileno()])" % path)
    p = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", child])
    c, _ = srv.accept()
    _, fds, _, _ = socket.recv_fds(c, 16, 1)
    p.wait()
    c.close()
    srv.close()
    os.unlink(path)
    os.rmdir(d)
    return socket.socket(fileno=fds[0])


class Proxy:
    def __init__(self, name, hostport, ns=None):
        host, port = hostport.rsplit(":", 1)
        self.name = name
        self.dst = (host, int(port))
        self.s = netns_socket(ns) if ns else socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.settimeout(3.0)
        self.n = 0

    def req(self, d):
        self.n += 1
        ck = b"%s%d" % (self.name[:2].encode(), self.n)
        self.s.sendto(ck + b" " + ng.enc(d), self.dst)
        while True:
            try:
                r = self.s.recv(65535)
            except socket.timeout:
                return None
            got, body = r.split(b" ", 1)
            if got == ck:
                return ng.dec(body, hexbin=True)[0]


# ---- SDPs ----------------------------------------------------------------------------

def sdp(who="ue", port=None, proto="RTP/AVP", fmt="0 8 101", v=1, lines=(), media=(),
        sess=(), c=True, mux=False, ice=False, crypto=None, direction="a=sendrecv",
        addr=None):
    """A description as a UA sends it: one m=audio (and media: more
    sections, each a list of lines), CRLF."""
    ip = addr or (UE if who == "ue" else CORE)
    port = port if port is not None else (5004 if who == "ue" else 6004)
    fam = "IP6" if ":" in ip else "IP4"
    out = ["v=0", "o=%s %d %d IN %s %s" % (who, 1000 if who == "ue" else 2000, v, fam, ip),
           "s=-"]
    if c:
        out.append("c=IN %s %s" % (fam, ip))
    out.append("t=0 0")
    out += list(sess)
    out.append("m=audio %d %s %s" % (port, proto, fmt))
    for f in fmt.split():
        name = {"0": "PCMU/8000", "8": "PCMA/8000", "9": "G722/8000",
                "101": "telephone-event/8000",
                "111": "opus/48000/2", "96": "AMR-WB/16000"}.get(f)
        if name:
            out.append("a=rtpmap:%s %s" % (f, name))
    out += list(lines)
    if ice:
        # (ice: True, or the (ufrag, pwd) of a restart)
        ufrag, pwd = ice if isinstance(ice, tuple) else ("F7gI", "x9cml/YzichV2+XlhiMu8g")
        out += ["a=ice-ufrag:%s" % ufrag, "a=ice-pwd:%s" % pwd,
                "a=candidate:1 1 UDP 2130706431 %s %d typ host" % (ip, port),
                "a=candidate:1 2 UDP 2130706430 %s %d typ host" % (ip, port + 1)]
    if mux:
        out.append("a=rtcp-mux")
    if crypto:
        out.append("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s" % crypto)
    if direction:
        out.append(direction)
    for m in media:
        out += list(m)
    return "\r\n".join(out) + "\r\n"


KAM = {"replace": ["origin", "session-connection"], "ICE": "remove",
       "flags": ["trust-address"]}


def offer(sdp_text, ft="ft", **kw):
    d = {"command": "offer", "from-tag": ft, "sdp": sdp_text, "direction": ["access", "core"]}
    d.update(KAM)
    d.update(kw)
    return d


def answer(sdp_text, ft="ft", tt="tt", **kw):
    d = {"command": "answer", "from-tag": ft, "to-tag": tt, "sdp": sdp_text}
    d.update(KAM)
    d.update(kw)
    return d


def delete(**kw):
    d = {"command": "delete", "from-tag": "ft"}
    d.update(kw)
    return {k: v for k, v in d.items() if v is not None}


def query(**kw):
    d = {"command": "query"}
    d.update(kw)
    return d


def flagged(*flags, **kw):
    """An offer with flags added to Kamailio's."""
    d = offer(sdp(), **kw)
    d["flags"] = d["flags"] + list(flags)
    return d


# ---- the scenarios: (name, [(step, request), ...]) -------------------------------------
# "call-id" is the scenario's own unless the request names one (None: left out).

BROWSER = sdp(port=51602, proto="UDP/TLS/RTP/SAVPF", fmt="111 0", mux=True, ice=True,
              addr="198.51.100.7", lines=[
                  "a=fingerprint:sha-256 9C:A5:0C:4A:8F:57:3F:A8:54:AE:B9:5D:86:B3:62:02:"
                  "0A:7A:10:53:C7:2C:6B:0E:AA:D6:38:80:4C:EE:A5:F4", "a=setup:actpass",
                  "a=mid:0"])
FP_B = ("a=fingerprint:sha-256 9C:A5:0C:4A:8F:57:3F:A8:54:AE:B9:5D:86:B3:62:02:"
        "0A:7A:10:53:C7:2C:6B:0E:AA:D6:38:80:4C:EE:A5:F4")
FP_SHA1 = "a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"


def browser(setup="a=setup:actpass", fp=FP_B, who="ue", **kw):
    """A browser's section (DTLS-SRTP, ICE, rtcp-mux, a mid): its offer,
    or (who "core") its answer."""
    lines = [l for l in (fp, setup, "a=mid:0") if l]
    if who == "ue":
        return sdp(port=51602, proto="UDP/TLS/RTP/SAVPF", fmt="111 0", mux=True, ice=True,
                   addr="198.51.100.7", lines=lines, **kw)
    return sdp("core", port=51604, proto="UDP/TLS/RTP/SAVPF", fmt="0", mux=True,
               ice=("B7gI", "b9cml/YzichV2+XlhiMu8g"), lines=lines, **kw)


def BUNDLED(mids="0 1", vfmt="96"):
    """A UE's audio and video bundled (RFC 9143): the session's group, a
    mid a section, one port."""
    # (a static payload type's a=rtpmap given: rtpengine writes one)
    return sdp(sess=["a=group:BUNDLE " + mids], lines=["a=mid:0"], media=[[
        "m=video 5004 RTP/AVP " + vfmt, "a=rtpmap:96 H264/90000"] +
        (["a=rtpmap:0 PCMU/8000"] if "0" in vfmt.split() else []) + ["a=mid:1", "a=sendrecv"]])


def BUNDLED_WEBRTC(vfmt="96"):
    """A browser's audio and video bundled (RFC 9143): the session's group,
    the MID extension in each section, rtcp-mux, one port, DTLS-SRTP and
    ICE (aiortc's and Chromium's "balanced" offer)."""
    ext = "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid"
    return sdp(port=51602, proto="UDP/TLS/RTP/SAVPF", fmt="111 0", mux=True, ice=True,
               addr="198.51.100.7", sess=["a=group:BUNDLE 0 1"],
               lines=[FP_B, "a=setup:actpass", "a=mid:0", ext], media=[[
                   "m=video 51602 UDP/TLS/RTP/SAVPF " + vfmt,
                   "a=rtpmap:%s VP8/90000" % vfmt, "a=mid:1", ext,
                   "a=ice-ufrag:F7gI", "a=ice-pwd:x9cml/YzichV2+XlhiMu8g", FP_B,
                   "a=setup:actpass", "a=rtcp-mux", "a=sendrecv"]])


VIDEO_CORE = ["m=video 6006 RTP/AVP 96", "a=rtpmap:96 H264/90000", "a=sendrecv"]
VIDEO_CORE_VP8 = ["m=video 6006 RTP/AVP 96", "a=rtpmap:96 VP8/90000", "a=sendrecv"]

MSRP = ["m=message 7394 TCP/MSRP *", "a=accept-types:text/plain",
        "a=path:msrp://10.210.0.2:7394/s111;tcp"]

SCENARIOS = [
    ("ping", [("ping", {"command": "ping"})]),
    # a call as Kamailio makes it: offer, answer, query, list, delete
    ("call", [
        ("offer", offer(sdp())),
        ("answer", answer(sdp("core"))),
        ("query", query()),
        ("list", {"command": "list"}),
        ("delete", delete()),
        ("query-gone", query()),
    ]),
    # deletes that find nothing: rtpengine says ok with a warning (an
    # error only under its flag fatal); a P-CSCF deletes on CANCEL and on
    # the 487 after it
    ("delete-unknown-call", [("delete", delete())]),
    ("delete-unknown-call-fatal", [("delete", delete(flags=["fatal"]))]),
    ("delete-twice", [
        ("offer", offer(sdp())),
        ("delete", delete()),
        ("delete-again", delete()),
        ("delete-again-fatal", delete(flags=["fatal"])),
    ]),
    ("delete-unknown-tags", [
        ("offer", offer(sdp())),
        ("answer", answer(sdp("core"))),
        ("delete-unknown-to-tag", delete(**{"to-tag": "nobody"})),
        ("delete-unknown-to-tag-fatal", delete(**{"to-tag": "nobody", "flags": ["fatal"]})),
        ("delete-unknown-from-tag", delete(**{"from-tag": "nobody"})),
        ("delete-unknown-from-tag-fatal", delete(**{"from-tag": "nobody",
                                                    "flags": ["fatal"]})),
        ("delete-both-tags", delete(**{"to-tag": "tt"})),
        ("delete-again", delete(**{"to-tag": "tt"})),
    ]),
    ("delete-call-id-only", [
        ("offer", offer(sdp())),
        ("delete", delete(**{"from-tag": None})),
    ]),
    ("delete-delay", [
        ("offer", offer(sdp())),
        ("delete", delete(**{"delete-delay": 5})),
        ("query", query()),
        ("delete-now", delete(**{"delete-delay": 0})),
    ]),
    # forks: a second to-tag's answer, the first fork's delete
    ("forks", [
        ("offer", offer(sdp())),
        ("answer-1", answer(sdp("core"), tt="t1")),
        ("answer-2", answer(sdp("core", port=7004, v=2), tt="t2")),
        ("delete-fork", delete(**{"to-tag": "t1"})),
        ("query", query()),
        ("delete", delete()),
    ]),
    # early media: the 183's answer, then the 200's
    ("early-media", [
        ("offer", offer(sdp())),
        ("answer-183", answer(sdp("core"))),
        ("answer-200", answer(sdp("core", port=7004, v=2))),
        ("delete", delete()),
    ]),
    # re-INVITEs: hold and resume from the UE, then from the core
    ("reinvite", [
        ("offer", offer(sdp())),
        ("answer", answer(sdp("core"))),
        ("hold", offer(sdp(v=2, direction="a=sendonly"))),
        ("hold-answer", answer(sdp("core", v=2, direction="a=recvonly"))),
        ("core-offer", offer(sdp("core", v=3), ft="tt", **{"to-tag": "ft",
                                                           "direction": ["core", "access"]})),
        ("core-offer-answer", answer(sdp(v=3), ft="tt", tt="ft")),
        ("delete", delete()),
    ]),
    ("offer-other-tags", [
        ("offer", offer(sdp())),
        ("offer-intruder", offer(sdp(), ft="intruder")),
        ("delete", delete()),
    ]),
    # SDES to the core from a plain UE, and back
    ("srtp-to-core", [
        ("offer", offer(sdp(), **{"transport-protocol": "RTP/SAVP"})),
        ("answer", answer(sdp("core", proto="RTP/SAVP", crypto=KEY_B),
                          **{"transport-protocol": "RTP/AVP"})),
        ("delete", delete()),
    ]),
    # a forked SRTP call: the first branch's 183 (KEY_B), the second's
    # (KEY_C), the first branch's 200 with KEY_B again: the answerer's key
    # back to its side is the sender's keystream, not ours, and taken
    # (cp/agw's keys rule refuses only keys we send under used again)
    ("srtp-forks", [
        ("offer", offer(sdp(), **{"transport-protocol": "RTP/SAVP"})),
        ("answer-183-1", answer(sdp("core", proto="RTP/SAVP", crypto=KEY_B), tt="t1",
                                **{"transport-protocol": "RTP/AVP"})),
        ("answer-183-2", answer(sdp("core", port=7004, v=2, proto="RTP/SAVP", crypto=KEY_C),
                                tt="t2", **{"transport-protocol": "RTP/AVP"})),
        # (its 200 repeats its 183's description)
        ("answer-200-1", answer(sdp("core", proto="RTP/SAVP", crypto=KEY_B), tt="t1",
                                **{"transport-protocol": "RTP/AVP"})),
        ("delete", delete()),
    ]),
    # an answer whose a=crypto is the offerer's key: one key for two
    # streams (RFC 3711 section 9.1), refused by cp/agw's keys rule
    ("sdes-key-reused", [
        ("offer", offer(sdp(proto="RTP/SAVP", crypto=KEY_A))),
        ("answer", answer(sdp("core", proto="RTP/SAVP", crypto=KEY_A))),
        ("delete", delete()),
    ]),
    ("srtp-from-ue", [
        ("offer", offer(sdp(proto="RTP/SAVP", crypto=KEY_A),
                        **{"transport-protocol": "RTP/AVP"})),
        ("answer", answer(sdp("core"), **{"transport-protocol": "RTP/SAVP"})),
        ("delete", delete()),
    ]),
    ("proto-flag", [  # Kamailio's bare flag RTP/SAVP
        ("offer", flagged("RTP/SAVP")),
        ("delete", delete()),
    ]),
    ("proto-avpf", [("offer", offer(sdp(), **{"transport-protocol": "RTP/AVPF"})),
                    ("delete", delete())]),
    ("proto-savpf", [("offer", offer(sdp(), **{"transport-protocol": "RTP/SAVPF"})),
                     ("delete", delete())]),
    ("proto-dtls", [("offer", offer(sdp(), **{"transport-protocol": "UDP/TLS/RTP/SAVPF"}))]),
    # rtcp-mux
    ("mux-offered", [("offer", offer(sdp(mux=True))),
                     ("answer", answer(sdp("core", mux=True))), ("delete", delete())]),
    ("mux-demux", [("offer", offer(sdp(mux=True), **{"rtcp-mux": ["demux"]})),
                   ("delete", delete())]),
    ("mux-offer", [("offer", offer(sdp(), **{"rtcp-mux": ["offer"]})),
                   ("answer", answer(sdp("core", mux=True))), ("delete", delete())]),
    ("mux-accept", [("offer", offer(sdp(mux=True), **{"rtcp-mux": ["accept"]})),
                    ("delete", delete())]),
    ("mux-reject", [("offer", offer(sdp(mux=True), **{"rtcp-mux": ["reject"]})),
                    ("delete", delete())]),
    ("mux-flags", [("offer", offer(sdp(mux=True), flags=["trust-address", "rtcp-mux-demux"])),
                   ("delete", delete())]),
    ("mux-flag-offer", [("offer", offer(sdp(), flags=["trust-address", "rtcp-mux-offer"])),
                        ("delete", delete())]),
    ("mux-flag-accept", [("offer", offer(sdp(mux=True),
                                         flags=["trust-address", "rtcp-mux-accept"])),
                         ("delete", delete())]),
    ("mux-flag-reject", [("offer", offer(sdp(mux=True),
                                         flags=["trust-address", "rtcp-mux-reject"])),
                         ("delete", delete())]),
    ("mux-unknown", [("offer", offer(sdp(), **{"rtcp-mux": ["sometimes"]}))]),
    # ICE (our side ICE-lite; rtpengine a full agent)
    ("ice-remove", [("offer", offer(sdp(ice=True))),
                    ("answer", answer(sdp("core", ice=True))), ("delete", delete())]),
    ("ice-force", [("offer", offer(sdp(ice=True), ICE="force")),
                   ("answer", answer(sdp("core", ice=True), ICE="force")),
                   ("delete", delete())]),
    ("ice-force-plain", [("offer", offer(sdp(), ICE="force")),
                         ("answer", answer(sdp("core", ice=True), ICE="force")),
                         ("delete", delete())]),
    ("ice-force-to-core-only", [("offer", offer(sdp(), ICE="force")),
                                ("answer", answer(sdp("core", ice=True), ICE="remove")),
                                ("delete", delete())]),
    ("ice-default", [("offer", offer(sdp(ice=True), ICE=None)),
                     ("answer", answer(sdp("core"), ICE=None)), ("delete", delete())]),
    ("ice-default-key", [("offer", offer(sdp(ice=True), ICE="default")),
                         ("answer", answer(sdp("core", ice=True), ICE="default")),
                         ("delete", delete())]),
    ("ice-default-none", [("offer", offer(sdp(), ICE=None)),
                          ("answer", answer(sdp("core"), ICE=None)), ("delete", delete())]),
    ("ice-optional", [("offer", offer(sdp(ice=True), ICE="optional")),
                      ("answer", answer(sdp("core"), ICE="optional")), ("delete", delete())]),
    ("ice-force-relay", [("offer", offer(sdp(ice=True), ICE="force-relay"))]),
    ("ice-remove-then-force", [("offer", offer(sdp(ice=True), ICE="remove")),
                               ("answer", answer(sdp("core"), ICE="force")),
                               ("delete", delete())]),
    ("ice-reject", [("offer", offer(sdp(ice=True), ICE=None,
                                    flags=["trust-address", "reject-ICE"])),
                    ("answer", answer(sdp("core", ice=True), ICE=None)), ("delete", delete())]),
    ("ice-trickle", [("offer", offer(sdp(ice=True), ICE="force",
                                     flags=["trust-address", "trickle-ICE"])),
                     ("delete", delete())]),
    ("ice-lite-forward", [("offer", offer(sdp(ice=True), ICE=None, **{"ICE-lite": "forward"})),
                          ("answer", answer(sdp("core", ice=True), ICE=None)),
                          ("delete", delete())]),
    ("ice-lite-backward", [("offer", offer(sdp(ice=True), ICE=None,
                                           **{"ICE-lite": "backward"})),
                           ("answer", answer(sdp("core"), ICE=None)), ("delete", delete())]),
    ("ice-lite-both", [("offer", offer(sdp(ice=True), ICE=None, **{"ICE-lite": "both"})),
                       ("delete", delete())]),
    ("ice-lite-off", [("offer", offer(sdp(ice=True), ICE=None, **{"ICE-lite": "off"}))]),
    # a restart from the UE (new ufrag and pwd): the answer to it has our
    # new ones (not told apart here: ufrag and pwd are reduced to names)
    ("ice-restart", [("offer", offer(sdp(ice=True), ICE=None)),
                     ("answer", answer(sdp("core"), ICE=None)),
                     ("reoffer", offer(sdp(v=2, ice=("rEst", "restartrestartrestartr")),
                                       ICE=None)),
                     ("reoffer-answer", answer(sdp("core", v=2), ICE=None)),
                     ("delete", delete())]),
    # the flags, one an offer
    ("flag-trust-address", [("offer", flagged("trust-address")), ("delete", delete())]),
    ("flag-sip-source-address", [
        ("offer", flagged("SIP-source-address", **{"received-from": ["IP4", "10.210.0.9"]})),
        ("delete", delete())]),
    ("flag-symmetric", [("offer", flagged("symmetric")), ("delete", delete())]),
    ("flag-asymmetric", [("offer", flagged("asymmetric")), ("delete", delete())]),
    ("flag-strict-source", [("offer", flagged("strict-source")), ("delete", delete())]),
    ("flag-port-latching", [("offer", flagged("port-latching")), ("delete", delete())]),
    ("flag-media-handover", [("offer", flagged("media-handover")), ("delete", delete())]),
    ("flag-strict-handover", [("offer", flagged("strict-source", "media-handover")),
                              ("delete", delete())]),
    ("endpoint-learning", [("offer", offer(sdp(), **{"endpoint-learning": "heuristic"})),
                           ("answer", answer(sdp("core"), **{"endpoint-learning": "immediate"})),
                           ("delete", delete())]),
    ("endpoint-learning-flag", [("offer", flagged("endpoint-learning-off")),
                                ("delete", delete())]),
    ("learning-unknown", [("offer", offer(sdp(), **{"endpoint-learning": "sometimes"}))]),
    ("flag-original-sendrecv", [("offer", flagged("original-sendrecv")),
                                ("delete", delete())]),
    ("flag-replace-as-flags", [
        ("offer", offer(sdp(), replace=[], flags=["replace-origin",
                                                   "replace-session-connection"])),
        ("delete", delete())]),
    ("no-replace", [("offer", offer(sdp(), replace=[])), ("delete", delete())]),
    ("replace-unknown", [("offer", offer(sdp(), replace=["everything"]))]),
    ("flag-unknown", [("offer", flagged("no-such-flag"))]),
    ("media-address", [("offer", offer(sdp(), **{"media-address": "192.0.2.99"})),
                       ("delete", delete())]),
    ("address-family", [("offer", offer(sdp(), **{"address-family": "IP6"})),
                        ("delete", delete())]),
    ("label", [("offer", offer(sdp(), label="caller")), ("query", query()),
               ("delete", delete())]),
    ("via-branch", [("offer", offer(sdp(), **{"via-branch": "z9hG4bK776asdhds"})),
                    ("delete", delete(**{"via-branch": "z9hG4bK776asdhds"}))]),
    ("direction-unknown", [("offer", offer(sdp(), direction=["access", "elsewhere"]))]),
    # keys rtpengine takes and turnpike passes over
    ("sdes-options", [("offer", offer(sdp(), SDES=["no-AES_CM_128_HMAC_SHA1_32"],
                                      **{"transport-protocol": "RTP/SAVP"})),
                      ("delete", delete())]),
    ("sdes-flags", [("offer", flagged("SDES-no-AES_CM_128_HMAC_SHA1_32",
                                      **{"transport-protocol": "RTP/SAVP"})),
                    ("delete", delete())]),
    # SDES-only-<suite>, SDES-order: (ours one a=crypto of the suite they
    # leave, rtpengine's its list narrowed or ordered)
    ("sdes-only", [("offer", flagged("SDES-only-AES_256_CM_HMAC_SHA1_80",
                                     **{"transport-protocol": "RTP/SAVP"})),
                   ("delete", delete())]),
    ("sdes-order", [("offer", flagged("SDES-order:AEAD_AES_256_GCM;AES_256_CM_HMAC_SHA1_32",
                                      **{"transport-protocol": "RTP/SAVP"})),
                    ("delete", delete())]),
    ("osrtp", [("offer", offer(sdp(), OSRTP=["offer"])), ("delete", delete())]),
    ("osrtp-flag", [("offer", flagged("OSRTP-offer")), ("delete", delete())]),
    ("passed-over", [("offer", offer(sdp(), TOS=184, **{"xmlrpc-callback": "127.0.0.1",
                                                        "metadata": "x=1",
                                                        "x-unknown-key": "y"})),
                     ("delete", delete())]),
    # what turnpike does not do
    ("codec-strip", [("offer", offer(sdp(), codec={"strip": ["PCMA"]}))]),
    ("codec-transcode", [("offer", offer(sdp(), codec={"transcode": ["G722"]}))]),
    ("ptime", [("offer", offer(sdp(), ptime=30))]),
    ("record-call", [("offer", offer(sdp(), **{"record-call": "yes"}))]),
    ("dtls-off", [("offer", offer(sdp(), DTLS="off")), ("delete", delete())]),
    ("dtls-passive", [("offer", offer(sdp(), DTLS="passive"))]),
    ("flag-always-transcode", [("offer", flagged("always-transcode"))]),
    ("flag-inject-dtmf", [("offer", flagged("inject-DTMF"))]),
    ("flag-loop-protect", [("offer", flagged("loop-protect"))]),
    ("flag-strip-extmap", [("offer", flagged("strip-extmap"))]),
    ("flag-pad-crypto", [("offer", flagged("pad-crypto"))]),
    ("flag-t38", [("offer", offer(sdp(), **{"T.38": ["decode"]}))]),
    ("flag-codec-other", [("offer", flagged("codec-strip-PCMA"))]),
    # commands out of scope, each on a call rtpengine has
    ("out-of-scope", [("offer", offer(sdp()))] + [
        (c.replace(" ", "-"), {"command": c, "from-tag": "ft"}) for c in (
            "start recording", "stop recording", "pause recording", "start forwarding",
            "stop forwarding", "block DTMF", "unblock DTMF", "block media", "unblock media",
            "silence media", "unsilence media", "play media", "stop media", "play DTMF",
            "publish", "subscribe request", "subscribe answer", "unsubscribe", "connect")] +
        [("delete", delete())]),
    ("statistics", [("statistics", {"command": "statistics"})]),
    ("list-limit", [("offer", offer(sdp())), ("list", {"command": "list", "limit": 5}),
                    ("delete", delete())]),
    # sections: two media, one refused (port 0), MSRP beside audio, a browser's
    ("audio-video", [("offer", offer(sdp(media=[["m=video 5006 RTP/AVP 96",
                                                 "a=rtpmap:96 H264/90000"]]))),
                     ("answer", answer(sdp("core", media=[["m=video 0 RTP/AVP 96"]]))),
                     ("delete", delete())]),
    # an answer sharing no codec with its offer (G.722 to PCMU, PCMA):
    # refused (cp/ng/FEATURE.md "Codecs"), rtpengine relays it
    ("answer-no-codec", [("offer", offer(sdp())), ("answer", answer(sdp("core", fmt="9"))),
                         ("delete", delete())]),
    ("msrp-beside", [("offer", offer(sdp(media=[MSRP])))]),
    ("browser-offer", [("offer", offer(BROWSER, DTLS="off",
                                       **{"transport-protocol": "RTP/AVP"}))]),
    # DTLS-SRTP (cp/ng/FEATURE.md "DTLS-SRTP"): a browser calling a SIP
    # phone, a SIP phone calling a browser, the flags, what is refused
    ("dtls-browser-to-sip", [
        ("offer", offer(browser(), **{"transport-protocol": "RTP/AVP"})),
        # (PCMU only: the codecs both offered; an answer's others are
        # another matter than DTLS-SRTP's)
        ("answer", answer(sdp("core", fmt="0"), ICE="force")),
        ("delete", delete())]),
    ("dtls-sip-to-browser", [
        ("offer", offer(sdp(), ICE="force", DTLS="passive",
                        flags=["trust-address", "SDES-off"],
                        **{"transport-protocol": "UDP/TLS/RTP/SAVPF"})),
        ("answer", answer(browser(setup="a=setup:active", who="core"), ICE=None)),
        ("delete", delete())]),
    ("dtls-fingerprint", [
        ("offer", offer(sdp(), ICE="force", **{"transport-protocol": "UDP/TLS/RTP/SAVP",
                                               "DTLS-fingerprint": "sha-384"})),
        ("delete", delete())]),
    # no-tls-id: our answer to the browser without our a=tls-id
    ("dtls-no-tls-id", [
        ("offer", offer(browser(), **{"transport-protocol": "RTP/AVP"})),
        ("answer", answer(sdp("core", fmt="0"), ICE="force", flags=["no-tls-id"])),
        ("delete", delete())]),
    # rtcp-mux require: mux offered with no RTCP port of ours (a=rtcp
    # naming the RTP port), as a flag (rtpengine 10.5 passes over it
    # there) and as the list's require; an answer without it refused
    # (turnpike), taken (rtpengine)
    ("mux-require", [("offer", flagged("rtcp-mux-require")),
                     ("answer", answer(sdp("core", mux=True))), ("delete", delete())]),
    ("mux-require-list", [("offer", offer(sdp(), **{"rtcp-mux": ["require"]})),
                          ("answer", answer(sdp("core", mux=True))), ("delete", delete())]),
    ("mux-require-refused", [("offer", offer(sdp(), **{"rtcp-mux": ["require"]})),
                             ("answer", answer(sdp("core"))), ("delete", delete())]),
    # WebRTC, rtpengine's alias, towards a browser (rtpengine 10.5 does
    # not know it: its 12.5 does)
    ("webrtc-flag", [("offer", flagged("WebRTC", ICE=None)), ("delete", delete())]),
    # generate-mid: a=mid:1 towards the receiver of a section without one
    ("generate-mid", [("offer", flagged("generate-mid")), ("answer", answer(sdp("core"))),
                      ("delete", delete())]),
    # bundle (RFC 9143): without bundle=accept a bundled offer taken as
    # 10.5 takes it (the group dropped, a port a section, the mids kept),
    # turnpike's own rules for a group it bundles not asked; the groups
    # lib/sdp refuses (rtpengine 10.5 reads none of it); with
    # bundle=accept (rtpengine mr14's, 10.5 has none) the browser's group
    # on one transport of ours; bundle's other values not supported
    ("bundle-accept", [("offer", offer(sdp(), bundle=["accept"])), ("delete", delete())]),
    ("bundle-plain", [("offer", offer(BUNDLED())),
                      ("answer", answer(sdp("core", media=[VIDEO_CORE]))),
                      ("delete", delete())]),
    ("bundle-unknown-mid", [("offer", offer(BUNDLED("0 2")))]),
    ("bundle-pt-shared", [("offer", offer(BUNDLED(vfmt="96 0"))), ("delete", delete())]),
    ("bundle-accept-browser", [
        ("offer", offer(BUNDLED_WEBRTC(), bundle=["accept"],
                        **{"transport-protocol": "RTP/AVP"})),
        ("answer", answer(sdp("core", fmt="0", media=[VIDEO_CORE_VP8]))),
        ("delete", delete())]),
    ("bundle-accept-pt-shared", [("offer", offer(BUNDLED_WEBRTC(vfmt="0"), bundle=["accept"],
                                                 **{"transport-protocol": "RTP/AVP"}))]),
    ("bundle-offer", [("offer", offer(sdp(), bundle=["offer"]))]),
    ("bundle-16", [("offer", offer(sdp(sess=["a=group:BUNDLE " + " ".join(
        str(i) for i in range(16))], lines=["a=mid:0"], media=[
            ["m=audio %d RTP/AVP 0" % (5006 + 2 * i), "a=rtpmap:0 PCMU/8000",
             "a=mid:%d" % (i + 1), "a=sendrecv"] for i in range(15)])))]),
    ("dtls-active", [("offer", offer(browser(), DTLS="active",
                                     **{"transport-protocol": "RTP/AVP"})),
                     ("delete", delete())]),
    ("sdes-off", [("offer", flagged("SDES-off", **{"transport-protocol": "RTP/SAVP"}))]),
    # DTLS-SRTP under RTP/SAVP (before RFC 5764 section 8's UDP/TLS):
    # rtpengine takes it, turnpike keys RTP/SAVP by a=crypto alone
    ("dtls-savp-offer", [("offer", offer(sdp(proto="RTP/SAVP", mux=True,
                                             lines=[FP_B, "a=setup:actpass"]),
                                         **{"transport-protocol": "RTP/AVP"}))]),
    ("dtls-holdconn", [("offer", offer(browser(setup="a=setup:holdconn"),
                                       **{"transport-protocol": "RTP/AVP"}))]),
    ("dtls-no-setup", [("offer", offer(browser(setup=None),
                                       **{"transport-protocol": "RTP/AVP"}))]),
    ("dtls-sha1", [("offer", offer(browser(fp=FP_SHA1), **{"transport-protocol": "RTP/AVP"}))]),
    ("dtls-answer-actpass", [
        ("offer", offer(sdp(), ICE="force", **{"transport-protocol": "UDP/TLS/RTP/SAVPF"})),
        ("answer", answer(browser(who="core"), ICE=None)),
        ("delete", delete())]),
    # errors
    ("error-unknown-command", [("cmd", {"command": "frobnicate"})]),
    ("error-no-command", [("cmd", {"call-id": "x"})]),
    ("error-offer-no-sdp", [("offer", {k: v for k, v in offer(sdp()).items() if k != "sdp"})]),
    ("error-offer-bad-sdp", [("offer", offer("v=0\r\nthis is not sdp\r\n"))]),
    ("error-offer-no-call-id", [("offer", dict(offer(sdp()), **{"call-id": None}))]),
    ("error-offer-no-from-tag", [("offer", {k: v for k, v in offer(sdp()).items()
                                            if k != "from-tag"})]),
    ("error-answer-unknown-call", [("answer", answer(sdp("core")))]),
    ("error-query-unknown-call", [("query", query())]),
]


# ---- what a reply is made of -----------------------------------------------------------

def addr_class(a):
    if a in OURS:
        return "OURS"
    if a in ("0.0.0.0", "::"):
        return a
    return "THEIRS"


def norm_line(l):
    """A line with what a proxy chooses (ports, keys, its addresses) as
    what it is."""
    t, v = l[:2], l[2:]
    if t == "o=":
        f = v.split(" ")
        return "o=%d fields %s %s" % (len(f), " ".join(f[3:5]), addr_class(f[5]) if
                                      len(f) > 5 else "")
    if t == "c=":
        f = v.split(" ")
        return "c=%s %s" % (" ".join(f[:2]), addr_class(f[2]) if len(f) > 2 else "")
    if t == "m=":
        f = v.split(" ")
        if len(f) > 1:
            f[1] = "0" if f[1] == "0" else "PORT"
        return "m=" + " ".join(f)
    if t == "a=":
        name, _, val = v.partition(":")
        if name == "rtcp":
            f = val.split(" ")
            return "a=rtcp:PORT" + (" %s %s %s" % (f[1], f[2], addr_class(f[3]))
                                    if len(f) > 3 else "")
        if name == "crypto":
            f = val.split(" ")
            return "a=crypto:%s %s inline:KEY%s" % (f[0], f[1] if len(f) > 1 else "",
                                                    " " + " ".join(f[3:]) if len(f) > 3 else "")
        if name in ("candidate", "ice-ufrag", "ice-pwd", "ssrc", "fingerprint", "tls-id",
                    "remote-candidates", "label"):
            return "a=" + name
        return l
    return l


def norm_sdp(text):
    """[session lines, section lines...], each sorted."""
    secs = [[]]
    for l in text.replace("\r\n", "\n").split("\n"):
        if not l:
            continue
        if l.startswith("m="):
            secs.append([])
        secs[-1].append(norm_line(l))
    return [sorted(s) for s in secs]


def compare(a, b):
    """The keys where turnpike's reply a and rtpengine's b differ, each
    with what each said."""
    if a is None or b is None:
        return [("reply", "none" if a is None else "sent", "none" if b is None else "sent")] \
            if (a is None) != (b is None) else []
    out = []
    for k in ("result", "warning", "error-reason"):
        x = a.get(k) if k == "result" else (k in a)
        y = b.get(k) if k == "result" else (k in b)
        if x != y:
            out.append((k, x, y))
    ka = set(a) - {"result", "warning", "error-reason", "sdp"}
    kb = set(b) - {"result", "warning", "error-reason", "sdp"}
    for k in sorted(ka ^ kb):
        out.append(("key " + k, k in a, k in b))
    if ("sdp" in a) != ("sdp" in b):
        out.append(("sdp", "sdp" in a, "sdp" in b))
    elif "sdp" in a:
        sa, sb = norm_sdp(a["sdp"]), norm_sdp(b["sdp"])
        if len(sa) != len(sb):
            out.append(("sdp.sections", len(sa), len(sb)))
        for i, (x, y) in enumerate(zip(sa, sb)):
            if x != y:
                where = "sdp.session" if i == 0 else "sdp.m%d" % i
                out.append((where, sorted(set(x) - set(y)), sorted(set(y) - set(x))))
    return out


# ---- FEATURE.md: the intended differences, the flags ---------------------------------------

def intended(feature):
    """The rows of FEATURE.md's "Intended differences" and "not yet
    fixed" tables: (scenario patterns, step patterns, key patterns,
    "intended" or "pending"); a cell's patterns are its `quoted` words,
    any of them matching."""
    rows, on = [], None
    for l in open(feature):
        if l.startswith("## "):
            on = {"## Intended differences from rtpengine": "intended",
                  "## Differences from rtpengine not yet fixed": "pending"}.get(l.strip())
            continue
        if not on or not l.startswith("| `"):
            continue
        cells = [c.strip() for c in l.strip().strip("|").split("|")]
        pats = [re.findall(r"`([^`]+)`", c) for c in cells[:3]]
        rows.append((pats[0], pats[1], pats[2], on))
    return rows


def table_names(feature):
    """The names FEATURE.md's "Commands and flags" table lists (its first
    column's `quoted` words, a `name=VALUE` as name)."""
    names, on = [], False
    for l in open(feature):
        if l.startswith("## "):
            on = l.strip() == "## Commands and flags: what is done"
            continue
        if on and l.startswith("| `"):
            first = l.strip().strip("|").split("|")[0]
            for n in re.findall(r"`([^`]+)`", first):
                n = n.split("=")[0].strip()
                w = n.split(" ")
                # "start/stop/pause recording", "subscribe request/answer"
                if len(w) > 1 and "/" in w[0]:
                    names += [x + " " + " ".join(w[1:]) for x in w[0].split("/")]
                elif len(w) > 1 and "/" in w[-1]:
                    names += [" ".join(w[:-1]) + " " + x for x in w[-1].split("/")]
                else:
                    names.append(n)
    return names


def sent_names(scenarios):
    """Every command, flag, key and value the scenarios send."""
    seen = set()

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                seen.add(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and len(v) < 64:
            seen.add(v)
    for _, steps in scenarios:
        for _, r in steps:
            walk(r)
    return {s.lower().replace("_", "-").replace(" ", "-") for s in seen}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--turnpike", required=True)
    p.add_argument("--rtpengine", required=True)
    p.add_argument("--netns")
    p.add_argument("--feature", required=True)
    p.add_argument("--only", default="*")
    p.add_argument("--dump", action="store_true", help="print both replies of each step")
    a = p.parse_args()
    tp = Proxy("turnpike", a.turnpike)
    re_ = Proxy("rtpengine", a.rtpengine, a.netns)
    rows = intended(a.feature)
    used = set()
    diffs, unintended, pending, steps = [], [], [], 0
    tag = "%x" % (os.getpid() & 0xffff)
    for name, seq in SCENARIOS:
        if not fnmatch.fnmatchcase(name, a.only):
            continue
        for step, r in seq:
            r = dict(r)
            if "call-id" not in r and r.get("command") not in ("ping", "list", "statistics"):
                r["call-id"] = "%s-%s" % (name, tag)
            r = {k: v for k, v in r.items() if v is not None}
            x, y = tp.req(r), re_.req(r)
            steps += 1
            if a.dump:
                print("# %s/%s\n#   turnpike:  %s\n#   rtpengine: %s" % (
                    name, step, json.dumps(x)[:3000], json.dumps(y)[:3000]))
            for key, tx, rx in compare(x, y):
                d = {"scenario": name, "step": step, "key": key, "turnpike": tx,
                     "rtpengine": rx}
                why = None
                for i, (sp, st, kp, reason) in enumerate(rows):
                    if any(fnmatch.fnmatchcase(name, x) for x in sp) and \
                            any(fnmatch.fnmatchcase(step, x) for x in st) and \
                            any(fnmatch.fnmatchcase(key, x) for x in kp):
                        why = reason
                        used.add(i)
                        break
                d["intended"] = why
                diffs.append(d)
                if why == "pending":
                    pending.append(d)
                print("# %s %s/%s %s: turnpike %s, rtpengine %s%s" % (
                    {"intended": "  ", "pending": "..", None: "!!"}[why], name, step, key,
                    json.dumps(tx), json.dumps(rx), {"intended": "", "pending": "  (not yet fixed)",
                                                     None: "  (not intended)"}[why]))
                if why is None:
                    unintended.append(d)
    stale = [" ".join(" ".join(c) for c in r[:3]) for i, r in enumerate(rows) if i not in used] \
        if a.only == "*" else []
    have = sent_names(SCENARIOS)
    uncovered = sorted({n for n in table_names(a.feature)
                        if not fnmatch.filter(have, n.lower().replace("_", "-").replace(" ", "-"))})
    print("# %d steps, %d differences (%d not intended, %d not yet fixed), stale rows %s, "
          "uncovered names %s" % (steps, len(diffs), len(unintended), len(pending), stale,
                                  uncovered))
    print(json.dumps({"steps": steps, "differences": len(diffs), "unintended": unintended,
                      "pending": len(pending),
                      "stale": stale, "uncovered": uncovered}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
