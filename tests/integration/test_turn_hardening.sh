#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hostile and careless clients against the real binaries. Each check
# fails against code without the guard it checks:
#   1. RESERVATION-TOKEN: a token of eight zero bytes, and a token already
#      used, get 508; neither hands out the port its rightful owner holds.
#   3. REST usernames of 300 and 500 bytes allocate and refresh (no 441 at
#      the first Refresh); 509 bytes (RFC 8489 §14.3: fewer than 509) is
#      refused 400 by dp before anything else.
#   4. Port 0 is never a destination: a Send indication to it puts nothing on
#      the peers' wire (dp counts it), ChannelBind to it is 400.
#   8. Channel numbers above 0x4FFF are 400 by default (RFC 8656 §12).
#      A Binding request with a bad FINGERPRINT gets no answer (RFC 8489
#      §14.7); with a good one, or none, it does.
#   9. An ICMP port unreachable about a relayed datagram reaches the client
#      only when the peer itself sent it: one forged from another address
#      is dropped and counted.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)"
# This test wants the default channel range (RFC 8656), not coturn's.
sed -i 's|channels = "rfc5766";||' "$TP_TMP/dp.conf"
grep -q rfc5766 "$TP_TMP/dp.conf" && tp_die "could not drop turn.channels"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
# Peers' side: an echo on 4000, and a sniffer of every UDP datagram that dp
# puts on the peers' wire (from 10.211.0.1), with its destination port.
ip netns exec "$TP_NS_P" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.211.0.2", 4000))
while True:
    d, a = s.recvfrom(4096)
    s.sendto(d, a)
' &
TP_PEER_PID=$!
ip netns exec "$TP_NS_P" python3 - "$TP_IF_K" "$TP_TMP/wire.log" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((sys.argv[1], 0))
out = open(sys.argv[2], "w", buffering=1)
while True:
    f = s.recv(65535)
    ip = f[14:]
    if len(ip) < 28 or ip[9] != 17 or ip[12:16] != bytes([10, 211, 0, 1]):
        continue
    ihl = (ip[0] & 15) * 4
    sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
    out.write("%d %d %s\n" % (sport, dport, ip[ihl + 8:ihl + 40].hex()))
PY
SNIFF_PID=$!
# (the script's status survives the kill: tp_cleanup exits with $?)
trap 'rc=$?; kill $SNIFF_PID 2>/dev/null; (exit $rc); tp_cleanup' EXIT
# (its log is opened once its socket is bound)
tp_need tp_wait_file "$TP_TMP/wire.log" "$SNIFF_PID" "the peers' wire sniffer"

export TP_TMP
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY' &
import base64, hashlib, hmac, os, socket, struct, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = os.environ["TP_TMP"]
fails = 0

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)),
          flush=True)
    fails += 0 if cond else 1

UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))
A_EVEN_PORT, A_TOKEN = 0x0018, 0x0022

def wire():
    try:
        return open(os.path.join(tmp, "wire.log")).read().split("\n")
    except FileNotFoundError:
        return []

# 1. RESERVATION-TOKEN
owner = tc.Client("10.210.0.1")
m = owner.transact(tc.ALLOCATE, [UDP, (A_EVEN_PORT, b"\x80")])
token = m.get(A_TOKEN)
p = tc.unxor_addr(m.get(tc.A_XOR_RELAYED), m.tid)[1] if m.cls == 2 else None
check("EVEN-PORT R=1: an even port and a token", m.cls == 2 and p % 2 == 0 and token, m.error())
second = tc.Client("10.210.0.1")
m = second.transact(tc.ALLOCATE, [UDP, (A_TOKEN, token)])
p1 = tc.unxor_addr(m.get(tc.A_XOR_RELAYED), m.tid)[1] if m.cls == 2 else None
check("the token gets port P+1 (%s, %s)" % (p, p1), m.cls == 2 and p1 == p + 1, m.error())
for what, t in (("all-zero", b"\0" * 8), ("consumed", token), ("unknown", os.urandom(8))):
    m = tc.Client("10.210.0.1").transact(tc.ALLOCATE, [UDP, (A_TOKEN, t)])
    check("a %s RESERVATION-TOKEN gets 508, not a port" % what, m.error() == 508,
          (m.error(), tc.unxor_addr(m.get(tc.A_XOR_RELAYED), m.tid) if m.cls == 2 else None))

# 3. long REST usernames
def rest(n):
    ts = "%d:" % (time.time() + 3600)
    user = ts + "u" * (n - len(ts))
    pw = base64.b64encode(hmac.new(b"test-secret", user.encode(), hashlib.sha1).digest())
    return tc.Client("10.210.0.1", user=user, password=pw.decode())
for n in (300, 500, 508):
    c = rest(n)
    a = c.allocate()
    r = c.refresh(600) if a.cls == 2 else a
    check("a %d-byte REST username allocates and refreshes" % n, a.cls == 2 and r.cls == 2,
          (a.error(), r.error()))
    c.refresh(0)
c = rest(509)
m = c.transact(tc.ALLOCATE, [UDP], auth=False)      # get the realm and nonce
c.realm, c.nonce = (m.get(tc.A_REALM) or b"").decode(), m.get(tc.A_NONCE)
m = c.transact(tc.ALLOCATE, [UDP])
check("a 509-byte USERNAME gets 400", m.error() == 400, m.error())

# 4. port 0
c = tc.Client("10.210.0.1")
check("allocate", c.allocate().cls == 2)
check("permission for the peer (any port)", c.permission(("10.211.0.2", 0)).cls == 2)
c.send_indication("10.211.0.2", 0, b"to port zero")
c.send_indication("10.211.0.2", 4000, b"to port 4000")
time.sleep(1.0)
w = wire()
check("a Send indication to port 4000 is on the peers' wire",
      any(l.split(" ")[1:2] == ["4000"] for l in w if l), w[-3:])
check("... one to port 0 is not", not any(l.split(" ")[1:2] == ["0"] for l in w if l), w)
m = c.channel_bind(0x4001, "10.211.0.2", 0)
check("ChannelBind to port 0 gets 400", m.error() == 400, m.error())

# 8. channel range, FINGERPRINT
m = c.channel_bind(0x5000, "10.211.0.2", 4000)
check("ChannelBind 0x5000 gets 400 (RFC 8656 §12: 0x4000-0x4FFF)", m.error() == 400, m.error())
check("ChannelBind 0x4FFF succeeds", c.channel_bind(0x4FFF, "10.211.0.2", 4000).cls == 2)
b = bytearray(c.build(1, [], auth=False))            # Binding request, FINGERPRINT last
b[-1] ^= 0xFF
c.send_raw(bytes(b))
c.sock.settimeout(1.0)
try:
    ans = c.recv()
except socket.timeout:
    ans = None
check("a Binding request with a bad FINGERPRINT gets no answer", ans is None, ans)
c.send_raw(c.build(1, [], auth=False))
try:
    ans = tc.Msg(c.recv())
except socket.timeout:
    ans = None
check("... with a good one it does", ans is not None and ans.cls == 2, ans)
c.send_raw(c.build(1, [], auth=False, fingerprint=False))
try:
    ans = tc.Msg(c.recv())
except socket.timeout:
    ans = None
check("... and without one too", ans is not None and ans.cls == 2, ans)
c.sock.settimeout(2.0)
open(os.path.join(tmp, "relayed"), "w").write("%s %d\n" % c.relayed)
c.send_indication("10.211.0.2", 4999, b"a datagram to a closed port")
c.sock.settimeout(1.5)
got = []
try:
    while True:
        d = tc.Msg(c.recv())
        if d.get(0x8004):
            got.append(tc.unxor_addr(d.get(tc.A_XOR_PEER), d.tid))
except socket.timeout:
    pass
check("the peer's own port unreachable reaches the client", got == [("10.211.0.2", 4999)], got)
open(os.path.join(tmp, "icmp.go"), "w").write("go\n")
# 9. the forged one comes from the shell below; wait for it
for _ in range(50):
    if os.path.exists(os.path.join(tmp, "icmp.sent")):
        break
    time.sleep(0.1)
got = []
try:
    while True:
        d = tc.Msg(c.recv())
        if d.get(0x8004):
            got.append(tc.unxor_addr(d.get(tc.A_XOR_PEER), d.tid))
except socket.timeout:
    pass
check("a port unreachable forged from another address does not", got == [], got)
sys.exit(1 if fails else 0)
PY
CLIENT=$!
for _ in $(seq 300); do [ -f "$TP_TMP/icmp.go" ] && break; sleep 0.1; done
if [ -f "$TP_TMP/icmp.go" ]; then
  read -r rip rport < "$TP_TMP/relayed"
  # A port unreachable "from" 10.211.0.3 quoting a datagram dp sent from
  # the relayed address to 10.211.0.2:4999.
  ip netns exec "$TP_NS_P" python3 - "$rip" "$rport" <<'PY'
import socket, struct, sys
def csum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
rip, rport = sys.argv[1], int(sys.argv[2])
inner_udp = struct.pack("!HHHH", rport, 4999, 8 + 27, 0)
inner = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + 27, 1, 0x4000, 64, 17, 0,
                    socket.inet_aton(rip), socket.inet_aton("10.211.0.2"))
inner = inner[:10] + struct.pack("!H", csum(inner)) + inner[12:] + inner_udp
icmp = struct.pack("!BBHI", 3, 3, 0, 0) + inner
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 7, 0, 64, 1, 0,
                 socket.inet_aton("10.211.0.3"), socket.inet_aton("10.211.0.1"))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + icmp
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip, ("10.211.0.1", 0))
PY
  touch "$TP_TMP/icmp.sent"
fi
wait $CLIENT; rc=$?
[ $rc -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
st=$(tp_stats "turn worker=0")
tp_check "dp counted the Send to port 0 (peer_port0=$(tp_stat "$st" peer_port0))" \
  test "$(tp_stat "$st" peer_port0)" -ge 1
tp_check "dp counted the bad FINGERPRINT (stun_bad_fingerprint=$(tp_stat "$st" stun_bad_fingerprint))" \
  test "$(tp_stat "$st" stun_bad_fingerprint)" -ge 1
tp_check "dp counted the forged ICMP (icmp_forged=$(tp_stat "$st" icmp_forged))" \
  test "$(tp_stat "$st" icmp_forged)" -ge 1
kill $SNIFF_PID 2>/dev/null
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
