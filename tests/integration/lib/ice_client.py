#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# A WebRTC client's ICE for test_agw_ice.sh: Debian's python3-aioice (0.8)
# as a full, controlling agent (RFC 8445) against the gateway's ICE-lite
# termination, and raw checks (aioice's STUN codec) for what a stranger or
# a client sends by hand. Prints one JSON line.
#
#   ice_client.py call LOCAL_ADDR REMOTE_ADDR REMOTE_PORT --ufrag U --pwd P
#       --my-ufrag M [--count N --seed S --seed-in S2] [--flood N]
#     gathers LOCAL_ADDR's host candidate, checks the termination (its host
#     candidate), nominates (regular nomination: the gateway is lite), then
#     sends N RTP packets (lib/rtp_peer.py's, seed S) on the nominated pair
#     every 5 ms and takes what comes back (byte-exact against seed S2);
#     meanwhile a stranger's socket floods the termination with N checks
#     under a wrong ufrag and N under our ufrag and a wrong password,
#     counting what is answered; then closes (no more consent checks).
#     Consent checks every second (aioice's 5 s made 1 s here, so that the
#     test's agw.ice_consent_ms of 3 s needs them).
#   ice_client.py ng-ue LOCAL_ADDR --offer F --answer F --done F --close F
#       [--count N --seed S --seed-in S2]
#     a WebRTC-like UE through the ng door (test_ng_ice.sh): gathers its
#     host candidate, writes its offer (RTP/AVP, PCMU, rtcp-mux, its ufrag,
#     pwd and candidates, a=end-of-candidates) to --offer, waits for the
#     answer the door gave (--answer), takes our ICE from it (a=ice-lite,
#     ufrag, pwd, candidates), checks, nominates, sends N RTP packets and
#     takes N back (byte-exact), then writes --done and keeps its consent
#     checks going until --close appears; then closes (no more checks).
#     What it saw of the answer is in its JSON line.
#   ice_client.py check LOCAL_ADDR LOCAL_PORT REMOTE_ADDR REMOTE_PORT
#       --user USERNAME --pwd P [--nominate]
#     one Binding request from LOCAL_ADDR:LOCAL_PORT: the answer's class and
#     error code, and whether its MESSAGE-INTEGRITY is under P.
import argparse, asyncio, json, os, random, socket, struct, sys, time

import aioice
import aioice.ice
from aioice import stun


def rtp(seed, i):
    r = random.Random(seed * 1000003 + i)
    return struct.pack("!BBHII", 0x80, 0, i & 0xffff, i * 160, 0x1000 + seed) + r.randbytes(160)


def check_bytes(user, pwd, nominate=False, controlling=True):
    m = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    m.attributes["USERNAME"] = user
    m.attributes["PRIORITY"] = 1853824767
    if controlling:
        m.attributes["ICE-CONTROLLING"] = 0x1122334455667788
    if nominate:
        m.attributes["USE-CANDIDATE"] = None
    m.add_message_integrity(pwd.encode())
    return bytes(m)


def answer_of(data, pwd):
    """(class, error code or 0, MESSAGE-INTEGRITY under pwd)"""
    try:
        m = stun.parse_message(data)
    except ValueError:
        return ("garbage", 0, False)
    code = m.attributes.get("ERROR-CODE", (0, ""))[0]
    ours = False
    if "MESSAGE-INTEGRITY" in m.attributes:
        try:
            stun.parse_message(data, integrity_key=pwd.encode())
            ours = True
        except ValueError:
            ours = False
    return (m.message_class.name.lower(), code, ours)


async def flood(loop, local, remote, n, user, pwd, out):
    """n checks from a socket of local's to remote, as fast as the loop
    lets them go; what comes back counted by error code."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((local, 0))
    s.setblocking(False)
    answers = {}
    for i in range(n):
        s.sendto(check_bytes(user, pwd, nominate=True), remote)
        if i % 50 == 49:
            await asyncio.sleep(0.001)
    end = time.time() + 1
    while time.time() < end:
        try:
            d, _ = s.recvfrom(2048)
            c = answer_of(d, pwd)
            key = "%s %d" % (c[0], c[1])
            answers[key] = answers.get(key, 0) + 1
        except BlockingIOError:
            await asyncio.sleep(0.01)
    s.close()
    out[user.split(":")[0] + "/" + pwd[:4]] = {"sent": n, "answers": answers}


async def media(conn, a):
    """a.count RTP packets (seed a.seed) sent on the nominated pair every
    5 ms while what comes back is taken (byte-exact against a.seed_in):
    (sent, received, exact)."""
    want = {rtp(a.seed_in, i) for i in range(a.count)}
    got = exact = sent = 0

    async def rx():
        nonlocal got, exact
        while got < a.count:
            d = await conn.recv()
            got += 1
            exact += d in want

    rxt = asyncio.ensure_future(rx())
    for i in range(a.count):
        await conn.send(rtp(a.seed, i))
        sent += 1
        await asyncio.sleep(0.005)
    try:
        await asyncio.wait_for(asyncio.shield(rxt), 5)
    except asyncio.TimeoutError:
        rxt.cancel()
    return sent, got, exact


async def call(a):
    aioice.ice.CONSENT_INTERVAL = 1
    conn = aioice.Connection(ice_controlling=True, components=1, use_ipv6=False)
    conn.local_username = a.my_ufrag
    conn.remote_is_lite = True
    conn.remote_username = a.ufrag
    conn.remote_password = a.pwd
    await conn.gather_candidates()
    await conn.add_remote_candidate(aioice.Candidate(
        foundation="1", component=1, transport="udp", priority=2130706431,
        host=a.remote, port=a.remote_port, type="host"))
    await conn.add_remote_candidate(None)
    t0 = time.time()
    await asyncio.wait_for(conn.connect(), 10)
    pair = conn._nominated[1]
    local = pair.protocol.local_candidate
    res = {"connect_ms": int((time.time() - t0) * 1000),
           "local": "%s:%d" % (local.host, local.port),
           "nominated": "%s:%d" % tuple(pair.remote_addr)}
    floods = {}
    loop = asyncio.get_event_loop()
    tasks = []
    if a.flood:
        tasks.append(asyncio.ensure_future(
            flood(loop, a.local, (a.remote, a.remote_port), a.flood, "xxxx:" + a.my_ufrag,
                  a.pwd, floods)))
        tasks.append(asyncio.ensure_future(
            flood(loop, a.local, (a.remote, a.remote_port), a.flood,
                  a.ufrag + ":" + a.my_ufrag, "wrongwrongwrongwrongwr", floods)))
    sent, got, exact = await media(conn, a)
    for t in tasks:
        await t
    # consent was kept while the media flowed (aioice's checks, each second)
    # and is kept through the linger: the test looks at the gateway then
    if a.done:
        with open(a.done, "w") as f:
            f.write("media done\n")
    await asyncio.sleep(a.linger)
    res.update({"sent": sent, "recv": got, "exact": exact, "floods": floods})
    await conn.close()
    return res


async def wait_file(path, secs):
    end = time.time() + secs
    while not os.path.exists(path):
        if time.time() > end:
            raise TimeoutError("no " + path)
        await asyncio.sleep(0.05)


def answer_ice(text):
    """Our ICE as the answer has it: a=ice-lite, ufrag, pwd, candidates,
    a=end-of-candidates, a=rtcp-mux, the m= port."""
    out = {"lite": False, "ufrag": None, "pwd": None, "cands": [], "eoc": False, "mux": False}
    for l in text.replace("\r\n", "\n").split("\n"):
        if l == "a=ice-lite":
            out["lite"] = True
        elif l.startswith("a=ice-ufrag:"):
            out["ufrag"] = l[12:]
        elif l.startswith("a=ice-pwd:"):
            out["pwd"] = l[10:]
        elif l.startswith("a=candidate:"):
            out["cands"].append(l[12:])
        elif l == "a=end-of-candidates":
            out["eoc"] = True
        elif l == "a=rtcp-mux":
            out["mux"] = True
        elif l.startswith("m=audio "):
            out["port"] = int(l.split()[1])
    return out


async def ng_ue(a):
    aioice.ice.CONSENT_INTERVAL = 1
    conn = aioice.Connection(ice_controlling=True, components=1, use_ipv6=False)
    await conn.gather_candidates()
    mine = [c for c in conn.local_candidates if c.host == a.local]
    offer = ["v=0", "o=ue 1 1 IN IP4 %s" % a.local, "s=-", "c=IN IP4 %s" % a.local, "t=0 0",
             "m=audio %d RTP/AVP 0" % mine[0].port, "a=rtpmap:0 PCMU/8000",
             "a=ice-ufrag:%s" % conn.local_username, "a=ice-pwd:%s" % conn.local_password]
    offer += ["a=candidate:%s" % c.to_sdp() for c in mine]
    offer += ["a=end-of-candidates", "a=rtcp-mux", "a=sendrecv"]
    with open(a.offer + ".tmp", "w") as f:
        f.write("\r\n".join(offer) + "\r\n")
    os.rename(a.offer + ".tmp", a.offer)
    await wait_file(a.answer, 20)
    ans = answer_ice(open(a.answer).read())
    res = {"local": "%s:%d" % (mine[0].host, mine[0].port), "answer": dict(ans, pwd=None),
           "pwd_len": len(ans["pwd"] or "")}
    conn.remote_is_lite = ans["lite"]
    conn.remote_username = ans["ufrag"]
    conn.remote_password = ans["pwd"]
    for c in ans["cands"]:
        await conn.add_remote_candidate(aioice.Candidate.from_sdp(c))
    await conn.add_remote_candidate(None)
    t0 = time.time()
    await asyncio.wait_for(conn.connect(), 10)
    pair = conn._nominated[1]
    res.update({"connect_ms": int((time.time() - t0) * 1000),
                "nominated": "%s:%d" % tuple(pair.remote_addr)})
    sent, got, exact = await media(conn, a)
    res.update({"sent": sent, "recv": got, "exact": exact})
    open(a.done, "w").close()
    # consent kept (aioice's checks each second) until the test has looked
    await wait_file(a.close, 30)
    await conn.close()
    return res


def check(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.local, a.local_port))
    s.settimeout(2)
    s.sendto(check_bytes(a.user, a.pwd, nominate=a.nominate), (a.remote, a.remote_port))
    try:
        d, src = s.recvfrom(2048)
    except socket.timeout:
        return {"answer": None}
    c = answer_of(d, a.pwd)
    return {"answer": c[0], "code": c[1], "ours": c[2], "from": "%s:%d" % src}


ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="mode", required=True)
c = sub.add_parser("call")
c.add_argument("local")
c.add_argument("remote")
c.add_argument("remote_port", type=int)
c.add_argument("--ufrag", required=True)
c.add_argument("--pwd", required=True)
c.add_argument("--my-ufrag", required=True)
c.add_argument("--count", type=int, default=200)
c.add_argument("--seed", type=int, default=1)
c.add_argument("--seed-in", type=int, default=2)
c.add_argument("--flood", type=int, default=0)
c.add_argument("--linger", type=float, default=4)
c.add_argument("--done", default=None,
               help="a file written once media and floods are done, before the linger")
u = sub.add_parser("ng-ue")
u.add_argument("local")
u.add_argument("--offer", required=True)
u.add_argument("--answer", required=True)
u.add_argument("--done", required=True)
u.add_argument("--close", required=True)
u.add_argument("--count", type=int, default=200)
u.add_argument("--seed", type=int, default=1)
u.add_argument("--seed-in", type=int, default=2)
k = sub.add_parser("check")
k.add_argument("local")
k.add_argument("local_port", type=int)
k.add_argument("remote")
k.add_argument("remote_port", type=int)
k.add_argument("--user", required=True)
k.add_argument("--pwd", required=True)
k.add_argument("--nominate", action="store_true")
a = ap.parse_args()
if a.mode in ("call", "ng-ue"):
    try:
        out = asyncio.run(call(a) if a.mode == "call" else ng_ue(a))
    except Exception as e:                     # (the test says what failed)
        out = {"error": "%s: %s" % (type(e).__name__, e)}
else:
    out = check(a)
print(json.dumps(out))
sys.exit(0)
