#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Tenants in dp (lib/conf's tenants): two tenants' TURN addresses on the
# access port (an IPv4 and an IPv6 each, in the port's prefix) are local
# addresses as the port's own is: ping answers (ARP, neighbour discovery,
# echo); a STUN Binding to each is answered from that address with the
# client's XOR-MAPPED-ADDRESS; an Allocate without integrity over UDP, TCP
# and TLS gets dp's 401 with that tenant's REALM (UDP: from the tenant's
# address and port); the port's own address still answers turn.realm; an
# address of the prefix no tenant has is nobody's. A nonce got at tenant
# A's address is ours at A (dp's routable lane) and foreign at B's and at
# the default's (dp's other lane: cp judges it, and the client gets no
# allocation with it). An allocation made at a tenant's address gets the
# peer's data (Data indication, ChannelData) from that address. Driven by
# lib/turnclient.py and coturn's turnutils_peer.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)
tp_mkcert turn.test

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups '' \
  'listen_tcp = [3478]; listen_tls = [5349]; tcp_first_message = 2;')
tls = { certificate = \"$TP_TMP/turn.test.pem\"; private_key = \"$TP_TMP/turn.test.key\"; };
tenants = (
  { name = \"mvno-a\"; realm = \"a.example\"; addresses = [\"10.210.0.11\", \"fd00:210::11\"];
    users = ({ name = \"test\"; password = \"test\"; }); },
  { name = \"ent-b\"; realm = \"b.example\"; addresses = [\"10.210.0.12\", \"fd00:210::12\"];
    users = ({ name = \"test\"; password = \"test\"; }); }
);"
tp_check "turnpike-dp --check accepts the tenants" "$TP_DP" --config "$TP_TMP/dp.conf" --check
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
export TP_DP_PID TP_DP_LOG
command -v turnutils_peer >/dev/null || tp_die "turnutils_peer missing (tools/bootstrap installs coturn)"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

for a in 10.210.0.11 10.210.0.12 fd00:210::11 fd00:210::12 10.210.0.1; do
  tp_check "ping $a answers" ip netns exec "$TP_NS_C" ping -c 1 -W 2 "$a"
done
tp_check "ping 10.210.0.13 (in the prefix, nobody's) does not" \
  bash -c "! ip netns exec $TP_NS_C ping -c 1 -W 1 10.210.0.13 >/dev/null"
tp_check "ping fd00:210::13 (nobody's) does not" \
  bash -c "! ip netns exec $TP_NS_C ping -c 1 -W 1 fd00:210::13 >/dev/null"
st=$(tp_stats "turn worker=0")
tp_check "dp keyed the tenants' nonces from cp (nonce_ok=$(tp_stat "$st" nonce_ok) tenants=$(tp_stat "$st" tenants) mismatch=$(tp_stat "$st" nonce_tenants_mismatch))" \
  test "$(tp_stat "$st" nonce_ok)" -eq 1 -a "$(tp_stat "$st" tenants)" -eq 2 \
  -a "$(tp_stat "$st" nonce_tenants_mismatch)" -eq 0

ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import os, re, signal, socket, ssl, struct, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
fails = 0
UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))
BINDING = 1
REALMS = {"10.210.0.11": "a.example", "fd00:210::11": "a.example",
          "10.210.0.12": "b.example", "fd00:210::12": "b.example",
          "10.210.0.1": "turnpike.test", "fd00:210::1": "turnpike.test"}

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)))
    fails += 0 if cond else 1

def dp_stats():
    """dp's turn line for worker 0 (SIGUSR1, then the newest line)."""
    log = os.environ["TP_DP_LOG"]
    before = open(log).read().count("turnpike-dp stats:")
    os.kill(int(os.environ["TP_DP_PID"]), signal.SIGUSR1)
    for _ in range(50):
        time.sleep(0.1)
        if open(log).read().count("turnpike-dp stats:") > before:
            break
    time.sleep(0.1)
    line = [l for l in open(log).read().splitlines() if l.startswith("turn worker=0 ")][-1]
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}

def udp_once(c, req, t=2.0):
    """req once; (answer, its source address) or (None, None)."""
    c.sock.settimeout(t)
    c.send_raw(req)
    try:
        while True:
            data, src = c.sock.recvfrom(65535)
            m = tc.Msg(data)
            if m.tid == req[8:20]:
                return m, src
    except socket.timeout:
        return None, None

def norm(ip):
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, ip))

def realm(m):
    v = m.get(tc.A_REALM) if m is not None else None
    return v.decode() if v is not None else None

# 1. Binding and a 401 over UDP at every address, from the address asked.
for addr, want in REALMS.items():
    c = tc.Client(addr)
    m, src = udp_once(c, c.build(BINDING, []))
    me = c.sock.getsockname()
    xm = tc.unxor_addr(m.get(tc.A_XOR_MAPPED), m.tid) if m is not None and \
        m.get(tc.A_XOR_MAPPED) is not None else None
    check("Binding to %s: answered from %s with XOR-MAPPED-ADDRESS %s" % (addr, src, xm),
          m is not None and m.cls == 2 and src is not None and
          norm(src[0]) == norm(addr) and src[1] == 3478 and
          xm is not None and norm(xm[0]) == ("fd00:210::2" if ":" in addr else "10.210.0.2")
          and xm[1] == me[1],
          (m and m.cls, src, xm, me))
    m, src = udp_once(c, c.build(tc.ALLOCATE, [UDP], auth=False))
    check("UDP Allocate without integrity to %s: 401, REALM %s, from %s" % (addr, realm(m), src),
          m is not None and m.error() == 401 and realm(m) == want and
          norm(src[0]) == norm(addr) and src[1] == 3478, (m and m.error(), realm(m), src))
    c.sock.close()

# 2. TCP and TLS (IPv4 each address, IPv6 tenant A's over TCP).
def stream(addr, port, tls):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.create_connection((addr, port), timeout=5)
    local = s.getsockname()
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    peer = s.getpeername()
    c = tc.Client(addr)
    c.sock.close()
    req = c.build(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))],
                  auth=False)
    s.sendall(req)
    buf = b""
    while len(buf) < 20 or len(buf) < 20 + struct.unpack("!H", buf[2:4])[0]:
        d = s.recv(4096)
        if not d:
            break
        buf += d
    s.close()
    return (tc.Msg(buf) if len(buf) >= 20 else None), peer, local

for addr, port, tls in (("10.210.0.11", 3478, False), ("10.210.0.12", 3478, False),
                        ("fd00:210::11", 3478, False), ("10.210.0.1", 3478, False),
                        ("10.210.0.11", 5349, True), ("10.210.0.12", 5349, True),
                        ("fd00:210::12", 5349, True), ("10.210.0.1", 5349, True)):
    what = "%s to %s:%d" % ("TLS" if tls else "TCP", addr, port)
    try:
        m, peer, _ = stream(addr, port, tls)
        check("%s: Allocate without integrity gets 401 with REALM %s" % (what, realm(m)),
              m is not None and m.error() == 401 and realm(m) == REALMS[addr] and
              norm(peer[0]) == norm(addr), (m and m.error(), realm(m), peer))
    except Exception as e:
        check(what, False, repr(e))

# 3. A nonce of tenant A's is ours at A, foreign at B and at the default.
# (A user nobody has: cp refuses each request, so no allocation holds the
# client's address, whose requests dp would then take as existing.)
a = tc.Client("10.210.0.11", user="nosuch", password="x")
m, _ = udp_once(a, a.build(tc.ALLOCATE, [UDP], auth=False))
a.realm, a.nonce = realm(m), m.get(tc.A_NONCE)
d0 = dp_stats()
m, _ = udp_once(a, a.build(tc.ALLOCATE, [UDP]))
d1 = dp_stats()
check("A's nonce back at A: dp's routable lane (admit_routable %d -> %d, admit_other %d -> %d)"
      % (d0["admit_routable"], d1["admit_routable"], d0["admit_other"], d1["admit_other"]),
      d1["admit_routable"] == d0["admit_routable"] + 1 and
      d1["admit_other"] == d0["admit_other"])
for other in ("10.210.0.12", "10.210.0.1"):
    b = tc.Client(other)
    b.sock.close()
    b.sock = a.sock                    # the same client transport address
    b.server = (other, 3478)
    b.realm, b.nonce = a.realm, a.nonce
    m, _ = udp_once(b, b.build(tc.ALLOCATE, [UDP]))
    d2 = dp_stats()
    check("A's nonce at %s: dp's other lane, not routable (admit_routable %d -> %d, "
          "admit_other %d -> %d)" % (other, d1["admit_routable"], d2["admit_routable"],
                                     d1["admit_other"], d2["admit_other"]),
          d2["admit_routable"] == d1["admit_routable"] and
          d2["admit_other"] == d1["admit_other"] + 1)
    check("... and no allocation with it (%s)" % (m and m.error()),
          m is None or (m.cls == 3 and m.error() in (401, 438)), m and (m.cls, m.error()))
    d1 = d2

# 4. An allocation made at a tenant's address: what dp relays to the
# client (a Data indication, ChannelData) leaves from that address. (The
# retries take whichever realm and nonce the answers give: the 401's is
# the tenant's, and cp decides whose credentials these are.)
for addr in ("10.210.0.12", "fd00:210::11"):
    c = tc.Client(addr)
    for _ in range(3):
        m = c.allocate()
        if m.error() not in (401, 438):
            break
    check("Allocate at %s (as %s): %s" % (addr, c.realm, m.error() or "success"),
          m.cls == 2, m.error())
    if m.cls != 2:
        continue
    m = c.permission(("10.211.0.2", None))
    check("... CreatePermission for the peer: %s" % (m.error() or "success"), m.cls == 2)
    got = {}
    c.sock.settimeout(2.0)
    for kind in ("data", "chdata"):
        if kind == "data":
            c.send_indication("10.211.0.2", 3480, b"tenant-" + kind.encode())
        else:
            m = c.channel_bind(0x4001, "10.211.0.2", 3480)
            if m.cls != 2:
                check("... ChannelBind: %s" % m.error(), False)
                break
            c.channel_data(0x4001, b"tenant-" + kind.encode())
        try:
            while kind not in got:
                data, src = c.sock.recvfrom(65535)
                if kind == "data" and data[0] < 0x40 and tc.Msg(data).method == tc.DATA:
                    got[kind] = src
                elif kind == "chdata" and data[:2] == b"\x40\x01":
                    got[kind] = src
        except socket.timeout:
            pass
        src = got.get(kind)
        check("... the peer's echo as %s came from %s" % (
              "a Data indication" if kind == "data" else "ChannelData", src),
              src is not None and norm(src[0]) == norm(addr) and src[1] == 3478, src)
    # The same source sends to another of the port's addresses (the other
    # tenant's, the default's): not this allocation's to relay, so no echo.
    if addr == "10.210.0.12" and "chdata" in got:
        echoed = []
        for other in ("10.210.0.11", "10.210.0.1"):
            c.sock.sendto(struct.pack("!HH", 0x4001, 12) + b"other-tenant", (other, 3478))
            c.sock.sendto(c.build(tc.SEND, [(tc.A_XOR_PEER, ("10.211.0.2", 3480)),
                                            (tc.A_DATA, b"other-send")], cls=1, auth=False),
                          (other, 3478))
        c.sock.settimeout(1.0)
        try:
            while True:
                data, src = c.sock.recvfrom(65535)
                echoed.append(src)
        except socket.timeout:
            pass
        check("... its source's ChannelData and Send to the other addresses are not "
              "relayed (echoes: %s)" % echoed, not echoed, echoed)
    c.sock.close()
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))

st=$(tp_stats "turn worker=0")
tp_check "dp counted the four datagrams at the wrong address (drop_other_address=$(tp_stat "$st" drop_other_address))" \
  test "$(tp_stat "$st" drop_other_address)" = 4
st=$(tp_stats "tcp_turn worker=0")
tp_check "TURN over TCP and TLS took the 8 connections (accepted=$(tp_stat "$st" accepted), refused_not_access=$(tp_stat "$st" refused_not_access))" \
  test "$(tp_stat "$st" accepted)" -eq 8 -a "$(tp_stat "$st" refused_not_access)" -eq 0
exit $((TP_FAILS > 0))
