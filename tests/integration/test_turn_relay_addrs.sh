#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Several relayed addresses per family on the core port (relay_ipv4 = 3
# addresses, relay_ipv6 = 2) over a range of 4 relayed ports, two workers:
# the box holds addresses x ports allocations (12 IPv4, 8 IPv6), more than
# one address could (4), each at its own (address, port); beyond that the
# client gets 508. Peers reach clients through the second address (dp
# answers ARP and neighbour solicitations for the relayed addresses, and
# pings), ICMP errors quoting a relayed address come back to the client,
# the port's own address relays nothing any more, the relayed addresses are
# refused as peers (a loop), a dual allocation takes one port in both
# families, and a restarted cp learns from dp which pairs are taken.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" \
  'relay_ipv4 = ["10.211.0.11", "10.211.0.12", "10.211.0.13"];
      relay_ipv6 = ["fd00:211::11", "fd00:211::12"];' \
  "$(tp_turn_groups 'quota_total = 1000;')"
sed -i 's|relay_ports = \[50000, 50999\]|relay_ports = [50000, 50003]|' "$TP_TMP/dp.conf"
grep -q 'relay_ports = \[50000, 50003\]' "$TP_TMP/dp.conf" || tp_die "could not set relay_ports"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

tp_check "dp names the relayed addresses of the core port" \
  grep -q "port 'core' relays on 10.211.0.11 10.211.0.12 10.211.0.13 fd00:211::11 fd00:211::12" "$TP_DP_LOG"
tp_check "dp sizes its table from cp.quota_total (1000 per worker)" \
  grep -q "TURN table: 1000 allocations per worker" "$TP_DP_LOG"
tp_check "cp counts 3 IPv4 and 2 IPv6 relayed addresses" \
  grep -q "relayed ports 50000-50003 on 3 IPv4 and 2 IPv6 address(es)" "$TP_CP_LOG"

# Peers: UDP echo on 10.211.0.2:4000 and [fd00:211::2]:4000.
ip netns exec "$TP_NS_P" python3 -c '
import select, socket
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s4.bind(("10.211.0.2", 4000))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.bind(("fd00:211::2", 4000))
while True:
    for s in select.select([s4, s6], [], [])[0]:
        d, a = s.recvfrom(4096)
        s.sendto(b"echo " + d, a)
' &
TP_PEER_PID=$!
tp_need tp_wait_listen "$TP_NS_P" udp fd00:211::2 4000 "$TP_PEER_PID" "the UDP echo peer"
# cp answers at most 20 challenges at once per client address (then 10 a
# second): the many clients here come from ten addresses.
for i in $(seq 10 19); do ip -n "$TP_NS_C" addr add "10.210.0.$i/24" dev "$TP_IF_A"; done
export TP_NS_P TP_MAC_K TP_TMP TP_BUILD

ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import collections, json, os, socket, struct, subprocess, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
fails = 0
V4 = ["10.211.0.11", "10.211.0.12", "10.211.0.13"]
V6 = ["fd00:211::11", "fd00:211::12"]
UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))
RAF6 = (0x0017, struct.pack("!BBBB", 2, 0, 0, 0))    # REQUESTED-ADDRESS-FAMILY
AAF6 = (0x8000, struct.pack("!BBBB", 2, 0, 0, 0))    # ADDITIONAL-ADDRESS-FAMILY

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)), flush=True)
    fails += 0 if cond else 1

def peers(*cmd):
    return subprocess.run(["ip", "netns", "exec", os.environ["TP_NS_P"]] + list(cmd),
                          capture_output=True, text=True)

def peer_send(msg, dst, dport, src):
    fam = "AF_INET6" if ":" in dst else "AF_INET"
    peers("python3", "-c", "import socket,sys; s=socket.socket(socket.%s, socket.SOCK_DGRAM);"
          "s.bind(('%s', %d)); s.sendto(sys.argv[1].encode(), ('%s', %d))"
          % (fam, src[0], src[1], dst, dport), msg)

def recv_or_none(c, t=1.0):
    c.sock.settimeout(t)
    try:
        return c.recv()
    except socket.timeout:
        return None
    finally:
        c.sock.settimeout(2.0)

def relayed(m):
    return [tc.unxor_addr(v, m.tid) for t, v in m.attrs if t == tc.A_XOR_RELAYED]

nclients = 0
def client():
    global nclients
    nclients += 1
    return tc.Client("10.210.0.1", bind=("10.210.0.%d" % (10 + nclients % 10), 0))

def allocate(attrs):
    c = client()
    m = c.transact(tc.ALLOCATE, [UDP] + attrs)
    return c, m

def fill(attrs, want, tries):
    """Allocate until want succeed (clients spread over both workers by
    their flow hash); returns the clients that got one and the codes of
    the others."""
    got, codes = [], []
    for _ in range(tries):
        c, m = allocate(attrs)
        if m.cls == 2:
            c.rel = relayed(m)
            got.append(c)
        else:
            codes.append(m.error())
    return got, codes

# IPv4: 3 addresses x 4 ports.
got, codes = fill([], 12, 30)
pairs = [c.rel[0] for c in got]
check("12 IPv4 allocations fit on 4 relayed ports (3 addresses x 4)", len(got) == 12, len(got))
check("... each at its own (address, port)", len(set(pairs)) == len(pairs), pairs)
check("... every address 4 times, on ports 50000-50003",
      collections.Counter(a for a, _ in pairs) == {a: 4 for a in V4}
      and all(50000 <= p <= 50003 for _, p in pairs), pairs)
check("the other 18 get 508 Insufficient Capacity", codes == [508] * 18, codes)

# A peer reaches a client through the second address.
c2 = next(c for c in got if c.rel[0][0] == V4[1])
port2 = c2.rel[0][1]
check("CreatePermission on the second address", c2.permission(("10.211.0.2", 0)).cls == 2)
peer_send("hello second", V4[1], port2, ("10.211.0.2", 4001))
d = recv_or_none(c2)
m = tc.Msg(d) if d else None
check("a peer reaches the client through %s:%d as a Data indication" % (V4[1], port2),
      m is not None and m.method == tc.DATA and m.get(tc.A_DATA) == b"hello second"
      and tc.unxor_addr(m.get(tc.A_XOR_PEER), m.tid) == ("10.211.0.2", 4001), d)
neigh = peers("ip", "neigh", "show", V4[1]).stdout
check("the peer's ARP entry for %s is dp's core port (%s)" % (V4[1], os.environ["TP_MAC_K"]),
      os.environ["TP_MAC_K"] in neigh.lower(), neigh)
c2.send_indication("10.211.0.2", 4000, b"ping second")
d = recv_or_none(c2)
check("a Send indication leaves from the second address and the answer comes back",
      d is not None and b"echo ping second" in d, d)
c2.send_indication("10.211.0.2", 4999, b"to a closed port")
d = recv_or_none(c2, 1.5)
m = tc.Msg(d) if d else None
icmp = m.get(0x8004) if m else None
check("an ICMP port unreachable quoting the second address reaches the client",
      icmp is not None and icmp[2] == 3 and icmp[3] == 3, d)
peer_send("to the own address", "10.211.0.1", port2, ("10.211.0.2", 4001))
check("the core port's own address relays nothing (it is not in relay_ipv4)",
      recv_or_none(c2, 0.7) is None)
check("a permission to the core port's own address, not a relayed one, gets 403",
      c2.permission(("10.211.0.1", 0)).error() == 403)
check("a permission to a relayed address an allocation holds is allowed (relay to relay)",
      c2.permission((c2.rel[0][0], 0)).cls == 2)
check("dp answers pings to the third relayed address",
      peers("ping", "-c", "1", "-W", "2", V4[2]).returncode == 0)

# IPv6: 2 addresses x 4 ports.
got6, codes6 = fill([RAF6], 8, 40)
pairs6 = [c.rel[0] for c in got6]
check("8 IPv6 allocations fit (2 addresses x 4 ports), each at its own pair",
      len(got6) == 8 and len(set(pairs6)) == 8
      and collections.Counter(a for a, _ in pairs6) == {a: 4 for a in V6}, pairs6)
check("the other 32 get 508", codes6 == [508] * 32, codes6)
c6 = next(c for c in got6 if c.rel[0][0] == V6[1])
check("CreatePermission on the second IPv6 address", c6.permission(("fd00:211::2", 0)).cls == 2)
peer_send("hello v6", V6[1], c6.rel[0][1], ("fd00:211::2", 4001))
d = recv_or_none(c6)
m = tc.Msg(d) if d else None
check("a peer reaches the client through [%s]:%d" % (V6[1], c6.rel[0][1]),
      m is not None and m.get(tc.A_DATA) == b"hello v6", d)
neigh = peers("ip", "-6", "neigh", "show", V6[1]).stdout
check("the peer's neighbour entry for %s is dp's core port" % V6[1],
      os.environ["TP_MAC_K"] in neigh.lower(), neigh)

# A dual allocation: free one IPv4 and one IPv6 pair on the same port;
# it gets that port in both families, each at the freed address.
c4 = next(c for c in got if c.rel[0][1] == c6.rel[0][1] and c is not c2)
free4, free6 = c4.rel[0], c6.rel[0]
check("Refresh 0 frees %s:%d" % free4, c4.refresh(0).cls == 2)
check("Refresh 0 frees [%s]:%d" % free6, c6.refresh(0).cls == 2)
dual, dcodes = fill([AAF6], 1, 20)
dual = dual[:1]
check("a dual allocation takes the freed port in both families",
      len(dual) == 1 and dual[0].rel == [free4, free6] and set(dcodes) <= {508},
      (dual[0].rel if dual else None, dcodes))
json.dump({"c2": list(c2.rel[0])}, open(os.path.join(os.environ["TP_TMP"], "state.json"), "w"))
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))

# cp restarts: it learns from dp which (address, port) pairs are taken.
tp_check "cp stops" tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import json, os, struct, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
fails = 0
UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))
ctl = [os.path.join(os.environ["TP_BUILD"], "cp/ctl/turnpikectl"), "--socket",
       os.path.join(os.environ["TP_TMP"], "cp.sock")]

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)), flush=True)
    fails += 0 if cond else 1

def allocations():
    out = subprocess.run(ctl + ["--json", "allocations"], capture_output=True, text=True).stdout
    return json.loads(out)["allocations"] if out else []

nclients = 0
def client():
    global nclients
    nclients += 1
    return tc.Client("10.210.0.1", bind=("10.210.0.%d" % (10 + nclients % 10), 0))

a = []
for _ in range(50):
    a = allocations()
    if len(a) >= 19:
        break
    time.sleep(0.1)
check("the new cp learnt the 19 allocations back from dp", len(a) == 19, len(a))
m = client().transact(tc.ALLOCATE, [UDP])
check("... so every IPv4 pair is still taken: 508", m.error() == 508, m.error())
c2 = json.load(open(os.path.join(os.environ["TP_TMP"], "state.json")))["c2"]
victim = next(x for x in a if x["relayed"] == ["%s:%d" % tuple(c2)])
check("turnpikectl kill frees the allocation on %s:%d" % tuple(c2),
      subprocess.run(ctl + ["kill", str(victim["id"])]).returncode == 0)
got = None
for _ in range(20):
    c = client()
    m = c.transact(tc.ALLOCATE, [UDP])
    if m.cls == 2:
        got = tc.unxor_addr(m.get(tc.A_XOR_RELAYED), m.tid)
        break
    if m.error() != 508:
        break
check("the next allocation gets exactly that pair", got == tuple(c2), (got, c2))
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))

for w in 0 1; do
  line=$(tp_stats "turn worker=$w")
  echo "# $line" | cut -c1-200
  tp_check "worker $w: capacity 1000, no ALLOC_ADD refused" \
    test "$(tp_stat "$line" capacity)" = 1000 -a "$(tp_stat "$line" alloc_table_full)" = 0 \
         -a "$(tp_stat "$line" alloc_bad_relay)" = 0
done
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
