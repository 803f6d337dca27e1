#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_ng_kamailio's readers: what tshark decoded of a capture, and the ng
control protocol (rtpengine's: a cookie, a space, a bencode dictionary).

  ng_trace.py ng HOST PORT JSON [N]    send JSON (a dict) as an ng request
                                       (N tries, 2 s each; 3), print the
                                       reply as JSON
  ng_trace.py sip TSV                  the SIP messages of a capture (the
                                       fields test_ng_kamailio's tshark
                                       prints): a JSON list
  ng_trace.py rtp TSV T0 T1            the RTP packets sent between T0 and
                                       T1 (epoch seconds): per "src>dst",
                                       count, the UDP lengths seen, and
                                       zc: the median packet's sign
                                       changes in 160 G.711 samples (a
                                       440 Hz tone 18, noise 80); H: the
                                       entropy of the payloads' octets,
                                       bits an octet (ciphertext ~8,
                                       G.711 audio far less); loud: the
                                       packets whose payload, decoded as
                                       PCMU, has an RMS of 1000 or more
                                       (of 32767)
  ng_trace.py requests TSV DIR         the ng requests of a capture (udp
                                       payloads in hex): each decoded, as
                                       JSON lines; with DIR, each also
                                       written there raw, as sent
                                       (kamailio-rtp-offer.bencode, ...),
                                       and the proxy's reply beside it
                                       (kamailio-rtp-offer.reply.bencode)
"""
import collections
import json
import math
import os
import random
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ng as ng_lib  # noqa: E402  (lib/ng.py: bencode)

# the columns test_ng_kamailio asks tshark for (-T fields), in order
FIELDS = ["time", "src", "sport", "dst", "dport", "ulen", "ssrc", "method",
          "status", "cseq", "media", "attrs", "conn", "callid", "payload", "rtpp"]


def bdec(b, i=0):
    return ng_lib.dec(b, i, hexbin=True)


def ng_split(datagram):
    cookie, _, body = datagram.partition(b" ")
    return cookie.decode(errors="replace"), bdec(body)[0]


def ng(host, port, req, tries=3):
    # "tp-": the test's own requests, left out of `requests`
    cookie = b"tp-%08x" % random.getrandbits(32)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for _ in range(tries):
        s.sendto(cookie + b" " + ng_lib.enc(req), (host, int(port)))
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        got, reply = ng_split(data)
        if got == cookie.decode():
            return reply
    raise SystemExit("ng: no reply from %s:%s" % (host, port))


def rows(tsv):
    for line in open(tsv, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        f += [""] * (len(FIELDS) - len(f))
        yield dict(zip(FIELDS, f))


def lst(v):
    return [x for x in v.split("|") if x] if v else []


def sip(tsv):
    out = []
    for r in rows(tsv):
        if not (r["method"] or r["status"]):
            continue
        out.append({"t": float(r["time"]), "src": r["src"], "dst": r["dst"],
                    "method": r["method"], "status": int(r["status"] or 0),
                    "cseq": r["cseq"], "callid": r["callid"],
                    "media": lst(r["media"]), "attrs": lst(r["attrs"]),
                    "conn": lst(r["conn"])})
    return out


def crossings(hexpayload):
    """Sign changes between the first 160 G.711 samples of an RTP payload:
    a 440 Hz tone at 8 kHz has about 18 in 160, noise (or ciphertext) 80."""
    b = bytes.fromhex(hexpayload.replace(":", ""))[:160]
    return sum(1 for x, y in zip(b, b[1:]) if (x ^ y) & 0x80)


def ulaw(o):
    """A G.711 mu-law octet's linear sample (ITU-T G.711's expansion)."""
    o = ~o & 0xff
    v = (((o & 0x0f) << 3) + 0x84) << ((o & 0x70) >> 4)
    return 0x84 - v if o & 0x80 else v - 0x84


def rms(b):
    return math.sqrt(sum(ulaw(x) ** 2 for x in b) / len(b)) if b else 0.0


def entropy(hist, n):
    return -sum(c / n * math.log2(c / n) for c in hist.values()) if n else None


def rtp(tsv, t0, t1):
    out, hist = {}, {}
    for r in rows(tsv):
        if not r["ssrc"] or not (t0 <= float(r["time"]) < t1):
            continue
        k = "%s:%s>%s:%s" % (r["src"], r["sport"], r["dst"], r["dport"])
        e = out.setdefault(k, {"n": 0, "ulen": [], "zc": [], "octets": 0, "loud": 0})
        e["n"] += 1
        if int(r["ulen"]) not in e["ulen"]:
            e["ulen"].append(int(r["ulen"]))
        # (SRTP, which tshark knows from the SDP, has no rtp.payload: past
        # the 12 octets of a header without CSRCs or extension)
        pl = r["rtpp"] or r["payload"].replace(":", "")[24:]
        e["zc"].append(crossings(pl))
        b = bytes.fromhex(pl.replace(":", ""))
        hist.setdefault(k, collections.Counter()).update(b)
        e["octets"] += len(b)
        e["loud"] += rms(b) >= 1000
    for k, e in out.items():   # each flow's median, its octets' entropy
        e["zc"] = sorted(e["zc"])[len(e["zc"]) // 2] if e["zc"] else None
        e["H"] = entropy(hist[k], e["octets"])
    return out


def requests(tsv, outdir):
    calls, count, names, replies = [], {}, {}, {}
    for r in rows(tsv):
        if not r["payload"]:
            continue
        raw = bytes.fromhex(r["payload"].replace(":", ""))
        try:
            cookie, d = ng_split(raw)
        except (ValueError, IndexError) as e:
            print("ng_trace: not ng (%s): %r" % (e, raw[:80]), file=sys.stderr)
            continue
        if not isinstance(d, dict) or cookie.startswith("tp-"):
            continue           # the test's own requests
        if "command" not in d:
            replies.setdefault(cookie, raw)
            continue
        # the test's calls in order: the RTP one, then the SRTP-to-RTP one
        name = "kamailio-" + d["command"]
        if "call-id" in d:
            if d["call-id"] not in calls:
                calls.append(d["call-id"])
            name = "kamailio-%s-%s" % (["rtp", "srtp"][min(calls.index(d["call-id"]), 1)],
                                       d["command"])
        count[name] = count.get(name, 0) + 1
        if count[name] > 1:
            name += str(count[name])
        names.setdefault(cookie, name)
        print(json.dumps({"name": name, "cookie": cookie, "request": d}))
        if outdir:
            with open(os.path.join(outdir, name + ".bencode"), "wb") as f:
                f.write(raw)
    # the proxy's reply to each, as it came (a retransmission's reply once)
    for cookie, raw in replies.items():
        if outdir and cookie in names:
            with open(os.path.join(outdir, names[cookie] + ".reply.bencode"), "wb") as f:
                f.write(raw)


def main(a):
    if a[0] == "ng":
        print(json.dumps(ng(a[1], a[2], json.loads(a[3]), int(a[4]) if len(a) > 4 else 3)))
    elif a[0] == "sip":
        print(json.dumps(sip(a[1])))
    elif a[0] == "rtp":
        print(json.dumps(rtp(a[1], float(a[2]), float(a[3]))))
    elif a[0] == "requests":
        requests(a[1], a[2] if len(a) > 2 else "")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
