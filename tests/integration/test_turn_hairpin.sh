#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Relay to relay inside one box. Two clients of the box are each
# other's peers, as two relayed WebRTC endpoints are: A's datagrams to B's
# relayed address never go to the wire, they reach B as if they had arrived
# on B's relayed port from A's relayed address. Two workers, and A and B on
# different ones (a relayed port's share names its worker): the datagram
# crosses by the hand-off ring. Both ways, Send indication and ChannelData,
# IPv4 and IPv6, a dual allocation reaching an IPv6 peer; B gone: A gets the
# port unreachable the wire would give (RFC 8656 §11.5). Nothing of it on
# the peers' wire.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "$(tp_turn_groups 'quota_user = 0;')"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
# Every UDP datagram dp puts on the peers' wire.
ip netns exec "$TP_NS_P" python3 - "$TP_IF_K" "$TP_TMP/wire.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((sys.argv[1], 0))
out = open(sys.argv[2], "w", buffering=1)
while True:
    try:
        f = s.recv(65535)
    except OSError:           # the tap went with dp
        break
    et = f[12:14]
    if et == b"\x08\x00" and f[14 + 9] == 17:
        out.write("udp4 %s\n" % socket.inet_ntoa(f[14 + 16:14 + 20]))
    elif et == b"\x86\xdd" and f[14 + 6] == 17:
        out.write("udp6 %s\n" % socket.inet_ntop(socket.AF_INET6, f[14 + 24:14 + 40]))
PY
TP_PEER_PID=$!
# (its log is opened once its socket is bound)
tp_need tp_wait_file "$TP_TMP/wire.log" "$TP_PEER_PID" "the peers' wire sniffer"

# The relayed-port shares as dp has them (lib/steer's rule, printed at start).
SHARES=$(sed -n 's/^turnpike-dp: relay port shares: //p' "$TP_DP_LOG")
tp_check "dp prints two relay port shares ($SHARES)" \
  grep -Eq '^worker 0 [0-9]+-[0-9]+, worker 1 [0-9]+-[0-9]+$' <<<"$SHARES"

ip netns exec "$TP_NS_C" python3 - "$LIB" "$SHARES" <<'PY'
import re, socket, struct, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
fails = 0

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)),
          flush=True)
    fails += 0 if cond else 1

# "worker 0 50000-50499, worker 1 50500-50999": dp's own shares
SHARES = [(int(w), int(lo), int(hi))
          for w, lo, hi in re.findall(r"worker (\d+) (\d+)-(\d+)", sys.argv[2])]

def worker(port):
    """The worker whose share (lib/steer, as dp printed it) holds port."""
    return next(w for w, lo, hi in SHARES if lo <= port <= hi)

def recv(c, t=1.0):
    c.sock.settimeout(t)
    try:
        return c.recv()
    except socket.timeout:
        return None
    finally:
        c.sock.settimeout(2.0)

UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))

def allocate(c, fam):
    """An allocation of family fam (REQUESTED-ADDRESS-FAMILY, RFC 8656
    §7.2: IPv4 when absent)."""
    attrs = [UDP] + ([(0x0017, struct.pack("!BBBB", 2, 0, 0, 0))] if fam == "IPv6" else [])
    m = c.transact(tc.ALLOCATE, attrs)
    if m.cls == 2:
        c.relayed = tc.unxor_addr(m.get(tc.A_XOR_RELAYED), m.tid)
    return m

def pair(server, fam):
    """Two allocated clients whose relayed ports lie in the shares of
    different workers (dp picks the worker from the client's 5-tuple)."""
    seen = {}
    for _ in range(40):
        c = tc.Client(server)
        m = allocate(c, fam)
        if m.cls != 2:
            continue
        w = worker(c.relayed[1])
        if w not in seen:
            seen[w] = c
        else:
            c.refresh(0)
        if len(seen) == 2:
            return seen[0], seen[1]
    return None, None

def data_of(d):
    """(peer, payload) of a Data indication, or ('chan', n, payload)."""
    if d is None:
        return None
    if d[0] & 0xC0 == 0x40:
        n, l = struct.unpack("!HH", d[:4])
        return ("chan", n, d[4:4 + l])
    m = tc.Msg(d)
    return (tc.unxor_addr(m.get(tc.A_XOR_PEER), m.tid), m.get(tc.A_DATA), m.get(0x8004))

for fam, server in (("IPv4", "10.210.0.1"), ("IPv6", "fd00:210::1")):
    a, b = pair(server, fam)
    check("%s: A and B allocated on different workers" % fam, a is not None,
          "no pair in 40 allocations")
    if a is None:
        continue
    ra, rb = a.relayed, b.relayed
    check("%s: ... with %s relayed addresses (%s, %s)" % (fam, fam, ra, rb),
          (":" in ra[0]) == (fam == "IPv6"), (ra, rb))
    check("%s: A permits B's relayed address, B A's" % fam,
          a.permission((rb[0], None)).cls == 2 and b.permission((ra[0], None)).cls == 2)
    a.send_indication(rb[0], rb[1], b"A to B by Send")
    got = data_of(recv(b))
    check("%s: A's Send indication reaches B as a Data indication from A's relayed address"
          % fam, got is not None and got[0] == ra and got[1] == b"A to B by Send", got)
    b.send_indication(ra[0], ra[1], b"B to A by Send")
    got = data_of(recv(a))
    check("%s: ... and B's reaches A" % fam,
          got is not None and got[0] == rb and got[1] == b"B to A by Send", got)
    check("%s: channels both ways" % fam,
          a.channel_bind(0x4001, rb[0], rb[1]).cls == 2 and
          b.channel_bind(0x4002, ra[0], ra[1]).cls == 2)
    a.channel_data(0x4001, b"A to B on a channel")
    got = data_of(recv(b))
    check("%s: A's ChannelData reaches B on B's channel to A" % fam,
          got == ("chan", 0x4002, b"A to B on a channel"), got)
    for i in range(50):
        b.channel_data(0x4002, b"burst %d" % i)
    n = 0
    while recv(a, 0.5) is not None:
        n += 1
    check("%s: 50 datagrams B to A, all there (%d)" % (fam, n), n == 50, n)
    # B goes: A's next datagram gets the wire's answer
    check("%s: B releases its allocation" % fam, b.refresh(0).cls == 2)
    a.send_indication(rb[0], rb[1], b"anyone there?")
    got = data_of(recv(a))
    icmp = got[2] if got and got[0] != "chan" else None
    want = (3, 3) if fam == "IPv4" else (1, 4)
    check("%s: B gone: A gets a port unreachable from B's relayed address (ICMP %s)"
          % (fam, "%d/%d" % want),
          got is not None and got[0] == rb and icmp is not None and (icmp[2], icmp[3]) == want,
          got)
    a.refresh(0)

# A dual allocation (IPv4 and IPv6 relayed) reaches an IPv6-only one's
# relayed address; an IPv4-only one cannot (443, RFC 8656 §10.2).
d = tc.Client("10.210.0.1")
m = d.transact(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0)),
                             (0x8000, struct.pack("!BBBB", 2, 0, 0, 0))])
rel = [tc.unxor_addr(v, m.tid) for t, v in m.attrs if t == tc.A_XOR_RELAYED]
v6 = tc.Client("fd00:210::1")
check("a dual allocation and an IPv6 one",
      m.cls == 2 and len(rel) == 2 and allocate(v6, "IPv6").cls == 2)
r6 = v6.relayed
check("the dual one permits the IPv6 one's relayed address, and back",
      d.permission((r6[0], None)).cls == 2 and v6.permission((rel[1][0], None)).cls == 2)
d.send_indication(r6[0], r6[1], b"dual to v6")
got = data_of(recv(v6))
check("... and reaches it from its IPv6 relayed address", got is not None and got[0] == rel[1]
      and got[1] == b"dual to v6", got)
v4 = tc.Client("10.210.0.1")
check("an IPv4-only allocation", v4.allocate().cls == 2)
m = v4.permission((r6[0], None))
check("... cannot permit an IPv6 relayed address (443)", m.error() == 443, m.error())
# Every other address of the box stays refused.
for what, peer, port in (("the TURN listening address", "10.210.0.1", 3478),
                         ("the relayed address at a port nobody holds", v4.relayed[0], 3478)):
    m = v4.channel_bind(0x4010, peer, port)
    check("ChannelBind to %s gets 403" % what, m.error() == 403, m.error())
m = v4.permission(("10.210.0.1", None))
check("CreatePermission to the TURN listening address gets 403", m.error() == 403, m.error())
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
tp_check "not one relay-to-relay datagram on the peers' wire" \
  bash -c "! grep -qE ' (10\\.211\\.0\\.1|fd00:211::1)\$' '$TP_TMP/wire.log'"
st0=$(tp_stats "turn worker=0")
st1=$(tp_stats "turn worker=1")
h=$(( $(tp_stat "$st0" hairpin) + $(tp_stat "$st1" hairpin) ))
u=$(( $(tp_stat "$st0" hairpin_unreach) + $(tp_stat "$st1" hairpin_unreach) ))
tp_check "dp counted the relay-to-relay datagrams ($h) and the port unreachables ($u)" \
  test "$h" -ge 100 -a "$u" -ge 2
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
