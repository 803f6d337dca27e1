#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A ClientHello flood at the gateway's DTLS-SRTP media ports
(test_agw_dtls_flood.sh, issue 68's "Bad input"): Ethernet frames built
once, sent round-robin through an AF_PACKET socket on the clients' tap,
as fast as this one Python process goes.

  dtls_flood.py hello OUT
    a real DTLS 1.2 ClientHello with use_srtp: OpenSSL's own
    (`openssl s_client -dtls1_2 -use_srtp ...`), its first datagram
    caught on a loopback socket, to OUT.
  dtls_flood.py flood IFACE DST_MAC DST_ADDR --ports P,P,... --hello F
                      --secs S --out F [--srcs N]
                      [--spoof-src ADDR:PORT --spoof-port P --spoof-secs S2]
    for S seconds, to every port of --ports in turn, each kind of
    datagram below, from N made-up sources (10.210.0.100 + i, port 30000
    + i; none answers ARP: what dp sends back goes nowhere); then for S2
    seconds the same to port P from ADDR:PORT (the live call's
    ICE-checked address: a spoofer's burst); the counts by kind (and by
    port:kind), the rate and the wall clock's start and end to --out as
    JSON (the burst's as its "spoof").
  dtls_flood.py judge --flood F --classes F ...
    test_agw_dtls_flood's figures (as `# ` lines) and checks (TAP lines):
    dp's dsrtp_* counters by reason against what the gates must say of
    each datagram sent (EXPECT), the pool, the call's association, its
    media's loss and gaps before and during, cp's answers.

The kinds (each a DTLS-class first octet, RFC 7983: dp's DTLS-SRTP gates
see every one):
  hello12   OpenSSL's ClientHello as it came (DTLS 1.2, use_srtp)
  hello10   the same, its client_version DTLS 1.0 (0xfeff)
  frag      its first 100 octets of body as a fragment (offset 0)
  frag2     the rest as the second fragment (offset 100)
  garbage   a handshake record's header and random octets
"""

import argparse
import json
import os
import random
import socket
import struct
import subprocess
import sys
import time

from rawsend import csum, ip4


def frame(smac, dmac, src, sport, dst, dport, payload):
    """An Ethernet frame of an IPv4 UDP datagram, its checksums right."""
    ulen = 8 + len(payload)
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    udp = udp[:6] + struct.pack("!H", csum(ph + udp) or 0xFFFF) + udp[8:]
    return dmac + smac + b"\x08\x00" + ip4(src, dst, 17, udp)


def kinds(hello):
    """The datagrams by kind, from OpenSSL's ClientHello (one record, one
    whole handshake message: RFC 6347 section 4.3.2)."""
    if len(hello) < 13 + 12 + 2 or hello[0] != 22 or hello[13] != 1:
        sys.exit("not a ClientHello record")
    rec, hs = hello[:13], hello[13:]
    body = hs[12:]
    blen = len(body)

    def record(h):
        return rec[:11] + struct.pack("!H", len(h)) + h

    def fragment(off, n):
        return record(hs[:1] + struct.pack("!I", blen)[1:] + hs[4:6] +
                      struct.pack("!I", off)[1:] + struct.pack("!I", n)[1:] +
                      body[off:off + n])

    v10 = bytearray(hello)
    v10[1:3] = b"\xfe\xff"
    v10[25:27] = b"\xfe\xff"
    rnd = random.Random(68)
    garbage = bytearray(rnd.randrange(256) for _ in range(96))
    # a handshake record of the right length whose message is no
    # ClientHello (14, ServerHelloDone's type) and whose lengths are noise
    garbage[0:3] = b"\x16\xfe\xfd"
    garbage[11:13] = struct.pack("!H", len(garbage) - 13)
    garbage[13] = 14
    return {"hello12": hello, "hello10": bytes(v10), "frag": fragment(0, 100),
            "frag2": fragment(100, blen - 100), "garbage": garbage}


def get_hello(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(10)
    p = subprocess.Popen(["openssl", "s_client", "-dtls1_2", "-use_srtp",
                          "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32",
                          "-connect", "127.0.0.1:%d" % s.getsockname()[1]],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        d, _ = s.recvfrom(4096)
    finally:
        p.kill()
        p.wait()
    with open(a.out, "wb") as f:
        f.write(d)


def frames_for(ks, smac, dmac, srcs, dst, ports):
    """Round-robin: every port, then the next kind, then the next source."""
    out = []
    for src, sport in srcs:
        for k in sorted(ks):
            for p in ports:
                out.append((frame(smac, dmac, src, sport, dst, p, ks[k]), k, p))
    return out


def blast(s, frames, secs):
    """frames in turn for secs: the counts, by kind and by port:kind."""
    sent = {}
    each = [0] * len(frames)
    errors = 0
    n = len(frames)
    i = 0
    send = s.send
    t0 = time.monotonic()
    w0 = time.time()
    end = t0 + secs
    while True:
        # (the clock read once per 256 frames: it would cost as much as
        # a send)
        for _ in range(256):
            try:
                send(frames[i][0])
                each[i] += 1
            except OSError:
                errors += 1
            i += 1
            if i == n:
                i = 0
        if time.monotonic() >= end:
            break
    el = time.monotonic() - t0
    by = {}
    for (_, k, p), c in zip(frames, each):
        key = "%d:%s" % (p, k)
        by[key] = by.get(key, 0) + c
        sent[k] = sent.get(k, 0) + c
    total = sum(each)
    return {"sent": sent, "total": total, "errors": errors, "secs": round(el, 3),
            "pps": round(total / el), "by": by, "t0": w0, "t1": w0 + el}


def flood(a):
    with open(a.hello, "rb") as f:
        ks = kinds(f.read())
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    smac = s.getsockname()[4]
    dmac = bytes.fromhex(a.dst_mac.replace(":", ""))
    ports = [int(p) for p in a.ports.split(",") if p]
    srcs = [("10.210.0.%d" % (100 + i), 30000 + i) for i in range(a.srcs)]
    main = frames_for(ks, smac, dmac, srcs, a.dst, ports)
    spoof = None
    if a.spoof_src:
        h, p = a.spoof_src.rsplit(":", 1)
        spoof = frames_for(ks, smac, dmac, [(h, int(p))], a.dst, [a.spoof_port])
    out = blast(s, main, a.secs)
    out.update(ports=len(ports), sources=len(srcs), sizes={k: len(v) for k, v in ks.items()})
    if spoof:
        out["spoof"] = blast(s, spoof, a.spoof_secs)
    with open(a.out + ".tmp", "w") as f:
        json.dump(out, f)
    os.replace(a.out + ".tmp", a.out)


# ---- the judgement: what the gates must say of each datagram -----------------------------

# dp/dtls_srtp/FEATURE.md "Gates", by the class of the port's termination
# and the kind of datagram: a ClientHello is a handshake record whose
# message is type 1 (all but garbage)
HELLOS = ("hello12", "hello10", "frag", "frag2")
EXPECT = {
    # up, its SSL gone (the first SRTP under the keys freed it): gate 2
    "live": dict({k: "hello_unexpected" for k in HELLOS}, garbage="after_up"),
    # our client's, no ICE check yet: gate 2
    "client": dict({k: "hello_unexpected" for k in HELLOS}, garbage="not_hello"),
    # our server's, ICE: no source passed a check, gate 3
    "server_ice": {k: "stranger" for k in HELLOS + ("garbage",)},
    # our server's without ICE (latching takes a first source): gate 5,
    # then the cookie (gate 6: a HelloVerifyRequest, nothing kept); the
    # fragments refused whole (DTLSv1_listen() takes none)
    "server_cookie": {"hello12": "cookie_sent", "hello10": "hello_dtls10",
                      "frag": "hello_fragment", "frag2": "hello_fragment",
                      "garbage": "not_hello"},
}
# every refusal the gates count (one a datagram)
REFUSALS = ("not_dtls", "hello_unexpected", "after_up", "stranger", "busy", "not_hello",
            "hello_malformed", "hello_fragment", "hello_dtls10", "hello_no_use_srtp",
            "hello_no_profile", "hello_mki", "cookie_sent", "attempts", "pool_full",
            "hs_defer_full")


def dsrtp(path):
    """dp's dsrtp_* counters summed over the workers (turnpikectl status)."""
    out = {}

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k.startswith("dsrtp_") and isinstance(v, int):
                    out[k[6:]] = out.get(k[6:], 0) + v
                else:
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(json.load(open(path))["workers"])
    return out


def tap_dropped(path):
    d = json.load(open(path))[0]["stats64"]
    return d["tx"]["dropped"]


def pct(xs, q):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 1) if xs else None


def window(arr, t0, t1, sent):
    """The arrivals in [t0, t1): their gaps (ms: p99, max), their loss
    (indices missing between the first and the last) and their delay,
    the sender's time for each index (sent) to its arrival (both ends
    on this machine's clock: p50, p99, max, ms)."""
    w = sorted((t, i) for t, i in arr if t0 <= t < t1)
    if len(w) < 2:
        return {"n": len(w), "lost": None, "gap_p99": None, "gap_max": None,
                "delay_p50": None, "delay_p99": None, "delay_max": None}
    gaps = [(b[0] - a[0]) * 1000 for a, b in zip(w, w[1:])]
    idx = sorted({i for _, i in w if i >= 0})
    dl = [(t - sent[i]) * 1000 for t, i in w if 0 <= i < len(sent)]
    return {"n": len(w), "lost": (idx[-1] - idx[0] + 1 - len(idx)) if idx else None,
            "gap_p99": pct(gaps, 0.99), "gap_max": round(max(gaps), 1),
            "delay_p50": pct(dl, 0.5), "delay_p99": pct(dl, 0.99), "delay_max": pct(dl, 1)}


def judge(a):
    fails = 0

    def check(what, ok):
        nonlocal fails
        print("%s - %s" % ("ok" if ok else "not ok", what))
        fails += not ok

    fl = json.load(open(a.flood))
    sp = fl["spoof"]
    classes = {}
    for line in open(a.classes):
        p, c = line.split()
        classes[int(p)] = c
    c0, c1 = dsrtp(a.status0), dsrtp(a.status1)
    got = {k: c1.get(k, 0) - c0.get(k, 0) for k in c1}
    want = {}
    for src in (fl, sp):
        for key, n in src["by"].items():
            p, k = key.split(":")
            r = EXPECT[classes[int(p)]][k]
            want[r] = want.get(r, 0) + n
    sent = fl["total"] + sp["total"]
    dropped = tap_dropped(a.link1) - tap_dropped(a.link0) + a.qdisc_dropped
    refused = sum(got.get(k, 0) for k in REFUSALS)

    # what each port dropped before a worker saw it (dp's port= lines)
    def port_drops(path):
        out = {}
        for line in open(path):
            f = dict(x.split("=", 1) for x in line.split() if "=" in x)
            out[f["port"]] = {k: int(f.get(k, 0)) for k in ("rx_nombuf", "imissed", "ierrors")}
        return out
    p0, p1 = port_drops(a.ports0), port_drops(a.ports1)
    pd = {n: {k: p1[n][k] - p0.get(n, {}).get(k, 0) for k in p1[n]} for n in p1}
    print("# dp's ports dropped before its workers: %s" % json.dumps(pd, sort_keys=True))
    print("# flood: %d datagrams in %.2f s, %d/s (one Python process, AF_PACKET), to %d ports "
          "from %d sources; by kind %s; send errors %d" %
          (fl["total"], fl["secs"], fl["pps"], fl["ports"], fl["sources"],
           json.dumps(fl["sent"], sort_keys=True), fl["errors"]))
    print("# spoofer's burst from the call's checked address %s: %d in %.2f s, %d/s" %
          (a.spoof_src or "?", sp["total"], sp["secs"], sp["pps"]))
    print("# the tap and its FIFO (kernel to dp) dropped %d; dp's gates refused %d" %
          (dropped, refused))
    for r in sorted(set(want) | {k for k in REFUSALS if got.get(k)}):
        print("#   dsrtp_%-18s want %8d got %8d" % (r, want.get(r, 0), got.get(r, 0)))
    # dp's stages (dp.h's stage_*: rx, the tap PMD's read, apart from
    # input, where the gates are), TSC cycles a packet over the flood
    def stages(path):
        out = []
        for line in open(path):
            f = dict(x.split("=", 1) for x in line.split() if "=" in x)
            out.append({k: int(v) for k, v in f.items() if k.startswith("stage_")})
        return out
    for wi, (x, y) in enumerate(zip(stages(a.stats0), stages(a.stats1))):
        d = {k: y[k] - x.get(k, 0) for k in y}
        print("# dp worker %d's stages over the flood: %s" % (wi, ", ".join(
            "%s %d pkts %d cycles each" % (st, d["stage_%s_pkts" % st],
                                            d["stage_%s_cycles" % st] // max(1, d["stage_%s_pkts" % st]))
            for st in ("rx", "input", "handoff", "tx") if "stage_%s_pkts" % st in d)))
    w0 = json.load(open(a.status0))["workers"]
    w1 = json.load(open(a.status1))["workers"]
    for x, y in zip(w0, w1):
        dx, dy = x["dp"], y["dp"]
        pk = dy["busy_pkts"] - dx["busy_pkts"]
        dr = {k: v - dx.get("drops", {}).get(k, 0) for k, v in dy.get("drops", {}).items()
              if v != dx.get("drops", {}).get(k, 0)}
        print("# dp worker %d: %d packets, %d cycles each while busy (TSC; the flood's "
              "and the call's, ASan build, a shared machine), %d sent, drops %s" %
              (w1.index(y), pk, (dy["busy_cycles"] - dx["busy_cycles"]) // max(pk, 1),
               dy.get("tx_pkts", 0) - dx.get("tx_pkts", 0),
               json.dumps(dr, sort_keys=True)))
    other = {k: v for k, v in got.items() if v and k not in REFUSALS}
    print("# other dsrtp counters that moved: %s" % json.dumps(other, sort_keys=True))
    hfull = sum(y["dp"]["drops"].get("handoff_full", 0) - x["dp"]["drops"].get("handoff_full", 0)
                for x, y in zip(w0, w1))
    nombuf = pd.get("access", {}).get("rx_nombuf", 0)
    print("# dropped by dp before its gates: %d at the access port (rx_nombuf), %d at a hand-off "
          "(handoff_full: the giver's share of its pool parked in the owner's ring)" %
          (nombuf, hfull))
    check("no worker's pool ran dry: the ports received every packet (rx_nombuf 0: %s)" %
          json.dumps({n: v["rx_nombuf"] for n, v in pd.items()}, sort_keys=True),
          all(v["rx_nombuf"] == 0 for v in pd.values()))
    dropped += nombuf + hfull
    check("every flood datagram that reached dp refused and counted once: %d refused, "
          "%d sent, %d dropped before the gates" % (refused, sent, dropped),
          sent - dropped <= refused <= sent)
    if dropped == 0:
        check("each by the reason its gate must give", all(got.get(r, 0) == n for r, n in want.items()))
    else:
        check("each by the reason its gate must give (within the %d dropped before the gates)" % dropped,
              all(0 <= n - got.get(r, 0) <= dropped for r, n in want.items()))
    check("no handshake started, none ended, no SSL made (handshakes_*, up, nomem 0)",
          all(got.get(k, 0) == 0 for k in ("handshakes_server", "handshakes_client", "up",
                                           "nomem", "hs_deferred", "pool_evicted")))
    pool = open(a.pool).read().split("\n")
    pool = [l for l in pool if l.strip()]
    print("# " + "\n# ".join(" ".join(w for w in l.split() if w.split("=")[0] in
                                        ("dtls_srtp", "worker", "terms", "pool", "in_flight",
                                         "lingering", "held", "deferred")) for l in pool))
    check("the pool after the flood: nothing in flight, held or deferred on any worker",
          len(pool) == 2 and all(" in_flight=0 " in l and " held=0 " in l and " deferred=0" in l
                                 for l in pool))
    leg = json.load(open(a.show))["legs"][0]["dtls"]
    check("the call's association untouched: up, one handshake, association 1 (agw show)",
          leg["state"] == "up" and leg["handshakes"] == 1 and leg["assoc"] == 1)
    # cp: `turnpikectl status`, timed (ms) every 0.2 s, before and during
    before, during, failed = [], [], 0
    for line in open(a.ctl):
        f = line.split()
        if len(f) != 2:
            continue
        if f[1] == "fail":
            failed += 1
            continue
        t = int(f[0]) / 1000
        if fl["t0"] <= t < sp["t1"]:
            during.append(int(f[1]))
        elif t < fl["t0"]:
            before.append(int(f[1]))
    print("# cp: turnpikectl status before the flood %d times, p50 %s ms, slowest %s ms; during "
          "%d times, p50 %s ms, slowest %s ms; %d unanswered" %
          (len(before), pct(before, 0.5), max(before, default=None), len(during),
           pct(during, 0.5), max(during, default=None), failed))
    # (nothing of the flood reaches cp: what slows its answers here is
    # this machine's load, which the figures before the flood show)
    check("cp's loop answered throughout (within 5 s each), its median within a second or as "
          "before's", during and not failed and
          pct(during, 0.5) < max(1000, 2 * (pct(before, 0.5) or 0)))
    ends = {"core": json.load(open(a.core)), "aiortc": json.load(open(a.ue))}
    for side, other in (("core", "aiortc"), ("aiortc", "core")):
        arr, sent = ends[side]["recv"], ends[other]["sent"]
        b = window(arr, a.before, a.before + (fl["t1"] - fl["t0"]), sent)
        d = window(arr, fl["t0"], fl["t1"], sent)
        s = window(arr, sp["t0"], sp["t1"], sent)
        for what, x in (("before", b), ("during the flood", d), ("during the spoofer's burst", s)):
            print("# %-7s %-26s %4d packets, lost %s; gaps p99 %s max %s ms; delay p50 %s p99 %s "
                  "max %s ms" %
                  (side, what, x["n"], x["lost"], x["gap_p99"], x["gap_max"], x["delay_p50"],
                   x["delay_p99"], x["delay_max"]))
        for what, x in (("the flood", d), ("the spoofer's burst", s)):
            bound = 1 + x["n"] // 100
            check("%s's media during %s: %d packets, lost %s (at most %d)" %
                  (side, what, x["n"], x["lost"], bound),
                  x["lost"] is not None and x["lost"] <= bound)
        # (at the core's end only: a plain socket, timed as it reads;
        # aiortc's frames come out of its jitter buffer, whose delay
        # grows after this machine held aiortc up, whatever dp did)
        if side == "core":
            check("%s's media not held up by the flood: their median delay %s ms, before %s ms "
                  "(within 200 ms)" % (side, d["delay_p50"], b["delay_p50"]),
                  d["delay_p50"] is not None and b["delay_p50"] is not None and
                  d["delay_p50"] <= b["delay_p50"] + 200)
    return fails


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("hello")
    h.add_argument("out")
    f = sub.add_parser("flood")
    f.add_argument("iface")
    f.add_argument("dst_mac")
    f.add_argument("dst")
    f.add_argument("--ports", required=True)
    f.add_argument("--hello", required=True)
    f.add_argument("--secs", type=float, default=5)
    f.add_argument("--out", required=True)
    f.add_argument("--srcs", type=int, default=8)
    f.add_argument("--spoof-src")
    f.add_argument("--spoof-port", type=int)
    f.add_argument("--spoof-secs", type=float, default=1)
    j = sub.add_parser("judge")
    for k in ("flood", "classes", "status0", "status1", "link0", "link1", "pool",
              "core", "ue", "ctl", "show"):
        j.add_argument("--" + k, required=True)
    j.add_argument("--before", type=float, required=True)
    for k in ("stats0", "stats1", "ports0", "ports1"):
        j.add_argument("--" + k, required=True)
    r = sub.add_parser("refused")
    r.add_argument("--status0", required=True)
    r.add_argument("--status1", required=True)
    j.add_argument("--spoof-src")
    j.add_argument("--qdisc-dropped", type=int, default=0)
    a = ap.parse_args()
    if a.cmd == "hello":
        get_hello(a)
    elif a.cmd == "refused":
        c0, c1 = dsrtp(a.status0), dsrtp(a.status1)
        print(sum(c1.get(k, 0) - c0.get(k, 0) for k in REFUSALS))
    elif a.cmd == "judge":
        judge(a)
    else:
        flood(a)


if __name__ == "__main__":
    main()
