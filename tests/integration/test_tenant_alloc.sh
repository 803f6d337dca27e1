#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Tenants (issue 41 item 1), cp's part: two customers on one box, each
# with its own TURN address on the access port (10.210.0.11, .12), realm,
# users and relayed address on the core port (relay_ipv4: 10.211.0.21 for
# mvno-a, .22 for mvno-b; 10.211.0.11 is the default tenant's, which no
# tenant lists). A client's tenant is the address it reached:
# turnutils_uclient sessions of each tenant relay through that tenant's
# relayed address only (turnpikectl allocations while they run), the
# default tenant (10.210.0.1, user test) keeps its own; each tenant's
# quota_total and quota_user answer 486 to that tenant alone, the same
# username in two tenants counts twice, and a client of one tenant gets
# no permission to the other's relayed address (relay to relay stays in a
# tenant). Needs dp to answer on the tenants' addresses and cp/auth to
# know the tenants' users (their realms).
set -uo pipefail
HERE=$(dirname "$0")
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/uclient.sh"
tp_env_init
LIB=$(cd "$HERE/lib" && pwd)
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

MPORT=$((20000 + $$ % 20000))
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" \
  'relay_ipv4 = ["10.211.0.11", "10.211.0.21", "10.211.0.22"];' \
  "$(tp_turn_groups "quota_total = 100; quota_user = 0; metrics = \"127.0.0.1:$MPORT\";")
tenants = (
  { name = \"mvno-a\"; realm = \"a.turnpike.test\"; addresses = [\"10.210.0.11\"];
    relay = [\"10.211.0.21\"]; quota_total = 5; quota_user = 3;
    users = ( { name = \"ua\"; password = \"pa\"; }, { name = \"same\"; password = \"pa\"; } ); },
  { name = \"mvno-b\"; realm = \"b.turnpike.test\"; addresses = [\"10.210.0.12\"];
    relay = [\"10.211.0.22\"]; quota_total = 4; quota_user = 2;
    users = ( { name = \"ub\"; password = \"pb\"; }, { name = \"same\"; password = \"pb\"; } ); }
);"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

# 1. turnutils_uclient, one batch per tenant and one of the default
# tenant's, at once; while they run, every allocation's relayed address
# is its tenant's. mvno-a's and the default's with RTCP (uclient's
# second allocation takes the RESERVATION-TOKEN of the first's EVEN-PORT,
# within the tenant), mvno-b's without (-c: one allocation, as its
# quota_user 2 is spent in part 2).
tp_uclient_bg "mvno-a (ua at 10.210.0.11) relays" 90 -u ua -w pa -e 10.211.0.2 -r 3480 \
  -m 1 -n 300 -l 100 -z 20 10.210.0.11
tp_uclient_bg "mvno-b (ub at 10.210.0.12) relays" 90 -u ub -w pb -e 10.211.0.2 -r 3480 \
  -c -m 1 -n 300 -l 100 -z 20 10.210.0.12
tp_uclient_bg "the default tenant (test at 10.210.0.1) relays" 90 -u test -w test \
  -e 10.211.0.2 -r 3480 -m 1 -n 300 -l 100 -z 20 10.210.0.1
seen=
for _ in $(seq 100); do
  tp_ctl --json allocations >"$TP_TMP/allocs.json" 2>/dev/null || true
  n=$(j "$TP_TMP/allocs.json" 'len(set(a["user"] for a in d["allocations"]))' 2>/dev/null)
  [ "${n:-0}" -ge 3 ] && { seen=1; break; }
  sleep 0.2
done
tp_check "allocations of all three tenants are live at once" test -n "$seen"
rel() {   # rel USER: the relayed addresses (IP only) of USER's allocations, sorted, unique
  j "$TP_TMP/allocs.json" \
    '" ".join(sorted(set(r.rsplit(":", 1)[0] for a in d["allocations"] if a["user"] == "'"$1"'" for r in a["relayed"])))'
}
echo "# relayed: ua [$(rel ua)] ub [$(rel ub)] test [$(rel test)]"
tp_check "mvno-a's allocations relay on 10.211.0.21 only" test "$(rel ua)" = "10.211.0.21"
tp_check "mvno-b's allocations relay on 10.211.0.22 only" test "$(rel ub)" = "10.211.0.22"
tp_check "the default tenant's relay on 10.211.0.11 only (no tenant lists it)" \
  test "$(rel test)" = "10.211.0.11"
tp_uclient_judge
# (their allocations go with them; any left would count against the
# quotas below: removed)
tp_ctl --json allocations >"$TP_TMP/allocs.json"
for id in $(j "$TP_TMP/allocs.json" '" ".join(str(a["id"]) for a in d["allocations"])'); do
  tp_ctl kill "$id" >/dev/null
done
tp_ctl --json allocations >"$TP_TMP/allocs.json"
tp_check "no allocation left before the quota checks" \
  test "$(j "$TP_TMP/allocs.json" 'len(d["allocations"])')" = 0

refused0=$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["quota_refused"])')

# 2. Quotas, allocation by allocation (the protocol-level client): each
# tenant's quota_user and quota_total give 486 in that tenant only.
export TP_TMP
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import socket, struct, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
fails = 0
UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))
keep = []

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)), flush=True)
    fails += 0 if cond else 1

def alloc(server, user, pw):
    c = tc.Client(server, user=user, password=pw)
    m = c.transact(tc.ALLOCATE, [UDP])
    keep.append(c)
    if m.cls == 2:
        rel = [tc.unxor_addr(v, m.tid) for t, v in m.attrs if t == tc.A_XOR_RELAYED]
        return 0, rel[0][0], c
    return m.error(), None, c

def codes(server, user, pw, n):
    out = []
    for _ in range(n):
        code, ip, _c = alloc(server, user, pw)
        out.append((code, ip))
    return out

# mvno-a: quota_user 3, quota_total 5
got = codes("10.210.0.11", "ua", "pa", 4)
check("mvno-a: ua gets 3 allocations, all on 10.211.0.21, then 486 (quota_user 3)",
      got == [(0, "10.211.0.21")] * 3 + [(486, None)], got)
got = codes("10.210.0.11", "same", "pa", 3)
check("mvno-a: 'same' gets 2 more, then 486 (quota_total 5)",
      got == [(0, "10.211.0.21")] * 2 + [(486, None)], got)
# mvno-b: quota_user 2, quota_total 4; 'same' is another user there
got = codes("10.210.0.12", "same", "pb", 3)
check("mvno-b: 'same' (another user than mvno-a's) gets 2 on 10.211.0.22, then 486",
      got == [(0, "10.211.0.22")] * 2 + [(486, None)], got)
got = codes("10.210.0.12", "ub", "pb", 3)
check("mvno-b: ub gets 2, then 486 (quota_total 4 reached too)",
      got == [(0, "10.211.0.22")] * 2 + [(486, None)], got)
# the default tenant: untouched by both
got = codes("10.210.0.1", "test", "test", 3)
check("the default tenant allocates on 10.211.0.11 while both tenants are full",
      got == [(0, "10.211.0.11")] * 3, got)
# credentials of one tenant at the other's address: refused (cp/auth)
code, ip, _c = alloc("10.210.0.12", "ua", "pa")
check("mvno-a's user at mvno-b's address is refused", code in (401, 441), code)

# relay to relay stays in a tenant: an mvno-b client may not permit mvno-a's
# relayed address, the default tenant's neither
code, ip, cb = alloc("10.210.0.1", "test", "test")
if code == 0:
    m = cb.permission(("10.211.0.21", 0))
    check("the default tenant's client gets 403 for mvno-a's relayed address",
          m.cls == 3 and m.error() == 403, (m.cls, m.error() if m.cls == 3 else None))
    m = cb.permission(("10.211.0.11", 0))
    check("... and may permit its own tenant's relayed address (relay to relay)",
          m.cls == 2, m.error() if m.cls == 3 else None)
else:
    check("a default tenant allocation for the relay-to-relay checks", False, code)
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))

# 3. A reload applies a tenant's quota (the allocations of part 2 are
# still live: UDP allocations outlive their client's process).
sed -i 's/quota_total = 5; quota_user = 3;/quota_total = 6; quota_user = 3;/' "$TP_TMP/dp.conf"
tp_ctl reload >"$TP_TMP/reload.out" 2>&1
tp_check "reload applies mvno-a's quota_total 5 -> 6" \
  grep -q "tenant mvno-a: quota_total 5 -> 6" "$TP_TMP/reload.out"
one() {   # one SERVER USER PASSWORD: an Allocate's outcome, 0 or the error code
  ip netns exec "$TP_NS_C" python3 - "$LIB" "$@" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client(sys.argv[2], user=sys.argv[3], password=sys.argv[4])
m = c.transact(tc.ALLOCATE, [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))])
print(0 if m.cls == 2 else m.error())
PY
}
tp_check "mvno-a's 'same' gets a 6th allocation of the tenant after the reload" \
  test "$(one 10.210.0.11 same pa)" = 0
tp_check "... and the 7th is 486" test "$(one 10.210.0.11 same pa)" = 486
# 4. What the operator sees of both tenants (the allocations of parts 2
# and 3 live: mvno-a 6, mvno-b 4, the default tenant's 4).
curl -s "http://127.0.0.1:$MPORT/metrics" >"$TP_TMP/metrics.txt"
series() { grep -o "^turnpike_allocations{tenant=\"$1\"} [0-9]*" "$TP_TMP/metrics.txt" | awk '{print $2}'; }
tp_check "the metrics show both tenants' allocations (mvno-a $(series mvno-a), mvno-b $(series mvno-b), default $(series default))" \
  test "$(series mvno-a) $(series mvno-b) $(series default)" = "6 4 4"
tp_ctl --json tenants >"$TP_TMP/tenants.json"
got=$(j "$TP_TMP/tenants.json" '" ".join("%s/%s/%s/%d" % (t["name"], t["realm"], ",".join(r for r in t["relayed"] if ":" not in r), t["allocations"]) for t in d["tenants"])')
tp_check "turnpikectl tenants: each one's realm, relayed IPv4 address and allocations ($got)" \
  test "$got" = "default/turnpike.test/10.211.0.11/4 mvno-a/a.turnpike.test/10.211.0.21/6 mvno-b/b.turnpike.test/10.211.0.22/4"
# 5. Bad input: two tenants on one address. Both daemons' check refuses
# the file naming the line; a reload onto it is refused, counted, and the
# box serves on as it was.
sed 's/addresses = \["10.210.0.12"\]/addresses = ["10.210.0.11"]/' "$TP_TMP/dp.conf" >"$TP_TMP/overlap.conf"
cp "$TP_TMP/dp.conf" "$TP_TMP/good.conf"
out=$("$TP_BUILD/dp/turnpike-dp" --config "$TP_TMP/overlap.conf" --check 2>&1); rc=$?
tp_check "turnpike-dp --check refuses overlapping tenants (rc $rc): $(head -c 160 <<<"$out")" \
  bash -c '[ "$1" -ne 0 ] && grep -q "overlap.conf:[0-9]*: tenant .mvno-b.: address .10.210.0.11. is also tenant .mvno-a..s" <<<"$0"' "$out" "$rc"
out=$("$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/overlap.conf" --check 2>&1); rc=$?
tp_check "turnpike-cp --check too (rc $rc)" \
  bash -c '[ "$1" -ne 0 ] && grep -q "is also tenant" <<<"$0"' "$out" "$rc"
rr0=$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["reloads_refused"])')
cp "$TP_TMP/overlap.conf" "$TP_TMP/dp.conf"
out=$(tp_ctl reload 2>&1); rc=$?
cp "$TP_TMP/good.conf" "$TP_TMP/dp.conf"
rr1=$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["reloads_refused"])')
tp_check "a reload onto it is refused, nothing changed, counted (rc $rc, reloads_refused $rr0 -> $rr1)" \
  bash -c '[ "$1" -ne 0 ] && grep -q "reload refused, nothing changed: .*is also tenant" <<<"$0" && [ "$3" -eq $(( $2 + 1 )) ]' "$out" "$rc" "$rr0" "$rr1"
tp_check "... and mvno-b is served at its address as before" test "$(one 10.210.0.12 ub pb)" = 486
tp_ctl --json status >"$TP_TMP/status.json"
tp_check "cp counted the six quota refusals of parts 2, 3 and 5" \
  test "$(j "$TP_TMP/status.json" 'd["stats"]["quota_refused"]' 2>/dev/null)" = $((refused0 + 6))
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
