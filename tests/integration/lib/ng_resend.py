#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Requests sent twice with one cookie, as a P-CSCF's rtpengine module sends
# them again when the answer is late: the proxy must answer the second from
# the first's action (rtpengine keeps its recent replies by cookie), never
# act twice. An offer for CALL-ID (the UE at ADDR:PORT, RTP/AVP) twice with
# one cookie; a delete of it twice with another (acted on twice, the
# second would find no call); a third delete with a cookie of its own
# (it finds none). Prints one JSON line: the cookies sent and echoed,
# whether each second reply is byte for byte the first, the offer's m=
# port, and the three delete replies' result and warning or error-reason.
#   ng_resend.py NG_IP NG_PORT CALL_ID FROM_TAG ADDR PORT
import json, os, re, socket, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ng as ng_lib  # noqa: E402  (lib/ng.py: bencode)

ng = (sys.argv[1], int(sys.argv[2]))
cid, ft, addr, port = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])


sdp = "\r\n".join(["v=0", "o=ue 7 1 IN IP4 " + addr, "s=-", "c=IN IP4 " + addr, "t=0 0",
                   "m=audio %d RTP/AVP 0" % port, "a=rtpmap:0 PCMU/8000", ""])
req = ng_lib.enc({"command": "offer", "call-id": cid, "from-tag": ft, "sdp": sdp,
            "flags": ["trust-address"], "replace": ["origin", "session-connection"],
            "direction": ["access", "core"]})
dreq = ng_lib.enc({"command": "delete", "call-id": cid, "from-tag": ft})
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
pid = os.getpid()
sent = [b"rs%d_o" % pid, b"rs%d_o" % pid, b"rs%d_d" % pid, b"rs%d_d" % pid, b"rs%d_e" % pid]
out = {"sent": [c.decode() for c in sent], "cookies": []}
replies = []
for cookie, r in zip(sent, (req, req, dreq, dreq, dreq)):
    s.sendto(cookie + b" " + r, ng)
    try:
        data, _ = s.recvfrom(65536)
    except socket.timeout:
        data = b""
    c, _, body = data.partition(b" ")
    out["cookies"].append(c.decode(errors="replace"))
    replies.append(body)
m = re.search(rb"m=audio (\d+) ", replies[0])
out["port"] = int(m.group(1)) if m else None
out["offer_same"] = bool(replies[0]) and replies[0] == replies[1]
out["delete_same"] = bool(replies[2]) and replies[2] == replies[3]


def said(body):
    """result, and the warning or error-reason, of a reply (bencoded
    strings read by their lengths: no full reader needed for these)."""
    got = {}
    for key in (b"result", b"warning", b"error-reason"):
        m = re.search(rb"%d:%s(\d+):" % (len(key), key), body)
        if m:
            n = int(m.group(1))
            got[key.decode()] = body[m.end():m.end() + n].decode(errors="replace")
    return got


out["deletes"] = [said(b) for b in replies[2:]]
print(json.dumps(out))
