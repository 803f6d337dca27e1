#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Return routability before cp: dp answers requests without
# integrity with cp's own 401 (lib/nonce builds both) and cp never sees
# them; the nonce dp gave authenticates at cp; dp's 401 carries the same
# attributes, in the same order, as the 401 cp sends for a wrong password;
# unknown comprehension-required attributes are judged after authentication
# (RFC 8489 §6.3: dp's 401 first, cp's signed 420 to the authenticated
# retry); a nonce issued to another port
# gets cp's 438 (dp's other lane), a stale one its 438 too (dp's routable
# lane) and the client recovers; dp's challenges keep to cp.challenge_rate
# per source; a restarted cp's key reaches dp before the first client of
# the new cp (no 438 from cp for a nonce dp gave after the restart).
# Driven by lib/turnclient.py, a second STUN implementation.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups '
  nonce_lifetime = 2; challenge_rate = 2; challenge_burst = 5;')"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip -n "$TP_NS_C" addr add 10.210.0.20/24 dev "$TP_IF_A"
export TP_DP_PID TP_DP_LOG TP_BUILD TP_TMP

ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import json, os, re, signal, socket, struct, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
fails = 0
SERVER = "10.210.0.1"
UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))
A_PWALGS, A_SOFTWARE, A_UNKNOWN_ATTRS = 0x8002, 0x8022, 0x000A

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
        text = open(log).read()
        if text.count("turnpike-dp stats:") > before:
            break
    time.sleep(0.1)
    line = [l for l in open(log).read().splitlines() if l.startswith("turn worker=0 ")][-1]
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}

def cp_stats():
    r = subprocess.run([os.environ["TP_BUILD"] + "/cp/ctl/turnpikectl", "--socket",
                        os.environ["TP_TMP"] + "/cp.sock", "--json", "status"],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)["stats"]

def once(c, req, t=2.0):
    """Send req once; the answer with its transaction id, or None."""
    c.sock.settimeout(t)
    c.send_raw(req)
    try:
        while True:
            m = tc.Msg(c.recv())
            if m.tid == req[8:20]:
                return m
    except socket.timeout:
        return None

d0, c0 = dp_stats(), cp_stats()
check("dp holds cp's nonce key (nonce_ok=%d)" % d0.get("nonce_ok", 0), d0.get("nonce_ok") == 1)

# 1. No integrity: dp answers, cp never sees it.
a = tc.Client(SERVER)
d401 = once(a, a.build(tc.ALLOCATE, [UDP], auth=False))
d1, c1 = dp_stats(), cp_stats()
check("an Allocate without integrity gets a 401", d401 is not None and d401.error() == 401,
      d401 and d401.error())
check("... answered by dp (dp challenges %d -> %d, cp requests %d -> %d)" % (
      d0["challenges"], d1["challenges"], c0["requests"], c1["requests"]),
      d1["challenges"] == d0["challenges"] + 1 and c1["requests"] == c0["requests"]
      and c1["challenges"] == c0["challenges"])

# 2. The nonce dp gave authenticates at cp.
a.realm, a.nonce = d401.get(tc.A_REALM).decode(), d401.get(tc.A_NONCE)
m = once(a, a.build(tc.ALLOCATE, [UDP]))
c2 = cp_stats()
check("the authenticated Allocate with dp's nonce succeeds at cp, at the first try",
      m is not None and m.cls == 2, m and m.error())
check("... one request reached cp (%d), no challenge from cp" % (c2["requests"] - c1["requests"]),
      c2["requests"] == c1["requests"] + 1 and c2["challenges"] == c1["challenges"])

# 3. cp's own 401 (a wrong password) against dp's.
b = tc.Client(SERVER, password="wrong")
m = once(b, b.build(tc.ALLOCATE, [UDP], auth=False))
b.realm, b.nonce = m.get(tc.A_REALM).decode(), m.get(tc.A_NONCE)
c401 = once(b, b.build(tc.ALLOCATE, [UDP]))
c3 = cp_stats()
check("a wrong password gets cp's 401 (cp challenges %d -> %d)" % (c2["challenges"],
      c3["challenges"]), c401 is not None and c401.error() == 401 and
      c3["challenges"] == c2["challenges"] + 1, c401 and c401.error())
types_d = [t for t, _ in d401.attrs]
types_c = [t for t, _ in c401.attrs]
check("dp's 401 carries cp's attributes in cp's order: %s" % ["0x%04x" % t for t in types_d],
      types_d == types_c and types_d == [tc.A_ERROR, tc.A_REALM, tc.A_NONCE, A_PWALGS,
                                         A_SOFTWARE, tc.A_FINGERPRINT], types_c)
check("... with the same values (ERROR-CODE, REALM, PASSWORD-ALGORITHMS, SOFTWARE)",
      all(d401.get(t) == c401.get(t) for t in (tc.A_ERROR, tc.A_REALM, A_PWALGS, A_SOFTWARE)),
      [(d401.get(t), c401.get(t)) for t in (tc.A_ERROR, tc.A_REALM, A_PWALGS, A_SOFTWARE)])
nd, nc = d401.get(tc.A_NONCE), c401.get(tc.A_NONCE)
check("... and a nonce of the same shape (%s / %s)" % (nd[:13], nc[:13]),
      len(nd) == len(nc) == 45 and nd[:13] == nc[:13] == b"obMatJos2AAAB" and nd != nc)

# 4. An unknown comprehension-required attribute is judged once
# authentication is done (RFC 8489 §6.3): without integrity dp's 401, with
# it cp's 420, naming the attribute and signed.
c = tc.Client(SERVER)
d4 = dp_stats()
m = once(c, c.build(tc.ALLOCATE, [UDP, (0x7ABC, b"\0\0\0\1")], auth=False))
d4b = dp_stats()
check("an unknown comprehension-required attribute without integrity gets dp's 401",
      m is not None and m.error() == 401 and d4b["challenges"] == d4["challenges"] + 1,
      m and m.error())
c.realm, c.nonce = m.get(tc.A_REALM).decode(), m.get(tc.A_NONCE)
m = once(c, c.build(tc.ALLOCATE, [UDP, (0x7ABC, b"\0\0\0\1")]))
check("... and, authenticated, cp's 420 naming it, with MESSAGE-INTEGRITY",
      m is not None and m.error() == 420 and m.get(A_UNKNOWN_ATTRS) == b"\x7a\xbc"
      and m.get(tc.A_MI) is not None, m and m.error())

# 5. A nonce issued to another port: cp's 438 (dp's other lane), then in.
d5 = dp_stats()
c = tc.Client(SERVER)
c.realm, c.nonce = a.realm, a.nonce          # a's nonce, bound to a's port
m = once(c, c.build(tc.ALLOCATE, [UDP]))
d6 = dp_stats()
check("a nonce issued to another port gets 438", m is not None and m.error() == 438,
      m and m.error())
check("... through dp's other lane (admit_other %d -> %d)" % (d5["admit_other"],
      d6["admit_other"]), d6["admit_other"] == d5["admit_other"] + 1)
c.nonce = m.get(tc.A_NONCE)
m = once(c, c.build(tc.ALLOCATE, [UDP]))
check("... and the client is in with the 438's nonce", m is not None and m.cls == 2,
      m and m.error())

# 6. A stale nonce (lifetime 2 s): 438 through the routable lane.
c = tc.Client(SERVER)
m = once(c, c.build(tc.ALLOCATE, [UDP], auth=False))
c.realm, c.nonce = m.get(tc.A_REALM).decode(), m.get(tc.A_NONCE)
time.sleep(3.2)
m = once(c, c.build(tc.ALLOCATE, [UDP]))
d7 = dp_stats()
check("a stale nonce gets 438", m is not None and m.error() == 438, m and m.error())
check("... through dp's routable lane (admit_routable_stale %d -> %d)" % (
      d6["admit_routable_stale"], d7["admit_routable_stale"]),
      d7["admit_routable_stale"] == d6["admit_routable_stale"] + 1)
c.nonce = m.get(tc.A_NONCE)
m = once(c, c.build(tc.ALLOCATE, [UDP]))
check("... and the client recovers", m is not None and m.cls == 2, m and m.error())

# 7. dp's challenges per source: a burst of 5, then 2 a second.
flood = tc.Client(SERVER, bind=("10.210.0.20", 0))
reqs = [flood.build(tc.ALLOCATE, [UDP], auth=False) for _ in range(12)]
for r in reqs:
    flood.send_raw(r)
got = 0
flood.sock.settimeout(0.5)
try:
    while True:
        tc.Msg(flood.recv())
        got += 1
except socket.timeout:
    pass
d8 = dp_stats()
check("12 requests at once from one source: %d answered (burst 5)" % got, 5 <= got <= 6, got)
check("... the rest dropped in dp and counted (challenges_dropped %d -> %d)" % (
      d7["challenges_dropped"], d8["challenges_dropped"]),
      d8["challenges_dropped"] - d7["challenges_dropped"] == 12 - got)
sys.exit(1 if fails else 0)
PY
rc=$?
[ $rc -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))

# A restarted cp whose nonces differ (here their lifetime) draws a new key
# (with the same settings it keeps the old one: test cp_start): dp takes it
# before it answers anybody for the new cp, so a client of the new cp is in
# at its second request.
tp_write_conf "$TP_TMP/cp2.conf" "0" "" "" "" "$(tp_turn_groups '
  nonce_lifetime = 3; challenge_rate = 2; challenge_burst = 5;')"
tp_cp_stop
tp_cp_start "$TP_TMP/cp2.conf"
tp_check "... the new cp drew a new key (its nonces differ)" \
  bash -c "! grep -q 'kept the nonce key' '$TP_CP_LOG'"
st0=$(tp_ctl --json status)
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client("10.210.0.1")
m = c.allocate()
ok = m.cls == 2 and c.retransmits == 0
print(("ok - " if ok else "not ok - ") + "after a cp restart, a client allocates with dp's nonce "
      "(%s, %d retransmits)" % (m.error() or "success", c.retransmits))
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
st1=$(tp_ctl --json status)
tp_check "... and cp answered no challenge (no 438 for a nonce of the old key)" python3 -c "
import json, sys
a, b = json.loads(sys.argv[1])['stats'], json.loads(sys.argv[2])['stats']
sys.exit(0 if b['challenges'] == a['challenges'] and b['allocate_ok'] == a['allocate_ok'] + 1 else 1)" "$st0" "$st1"
st=$(tp_stats "turn worker=0")
tp_check "dp keyed from the new cp (nonce_ok=$(tp_stat "$st" nonce_ok), nonce_load_failed=$(tp_stat "$st" nonce_load_failed))" \
  test "$(tp_stat "$st" nonce_ok)" -eq 1
exit $((TP_FAILS > 0))
