#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# turnpikectl drain / undrain: while the box drains, a new
# client's Allocate gets 300 Try Alternate with an ALTERNATE-SERVER of its
# own address family (RFC 8489 §10, §14.15; RFC 8656 §7.2), signed with its
# key; an allocation made before refreshes and relays on, and a
# turnutils_uclient session running across the drain loses nothing;
# without alternates the answer is 508; status shows the drain and what
# is left; undrain serves new clients again. The client that reads the
# 300 is tests/integration/lib/turnclient.py (an independent codec).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
LIB=$(cd "$(dirname "$0")/lib" && pwd)

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
ip netns exec "$TP_NS_C" ip addr add 10.210.0.70/24 dev "$TP_IF_A"
ip netns exec "$TP_NS_C" ip addr add 10.210.0.71/24 dev "$TP_IF_A"
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

# A session that runs across the drain: 300 messages, one every 20 ms.
ip netns exec "$TP_NS_C" timeout 90 turnutils_uclient -e 10.211.0.2 -r 3480 -u test -w test \
  -m 1 -c -n 300 -z 20 10.210.0.1 >"$TP_TMP/long.log" 2>&1 &
long=$!

# client NAME ACTION...: the python client, in the clients' namespace.
client() { ip netns exec "$TP_NS_C" python3 - "$LIB" "$@" <<'PY'
import hashlib, hmac, socket, struct, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
A_ALTERNATE_SERVER = 0x8023

def check_mi(c, m):
    """MESSAGE-INTEGRITY of an answer, with the client's key (RFC 8489 §14.5)."""
    raw, off = m.raw, 20
    while off + 4 <= len(raw):
        t, l = struct.unpack("!HH", raw[off:off + 4])
        if t == tc.A_MI:
            hdr = raw[:2] + struct.pack("!H", off + 24 - 20) + raw[4:20]
            want = hmac.new(c._key(), hdr + raw[20:off], hashlib.sha1).digest()
            return want == raw[off + 4:off + 24]
        off += 4 + l + ((4 - l % 4) % 4)
    return False

def alternate(m):
    v = m.get(A_ALTERNATE_SERVER)
    if v is None:
        return None
    fam = socket.AF_INET if v[1] == 1 else socket.AF_INET6
    ip = socket.inet_ntop(fam, v[4:])
    port = struct.unpack("!H", v[2:4])[0]
    return ("%s:%d" if fam == socket.AF_INET else "[%s]:%d") % (ip, port)

what = sys.argv[2]
if what == "v4":
    c = tc.Client("10.210.0.1", bind=("10.210.0.71", 0))
elif what == "v6":
    c = tc.Client("fd00:210::1", bind=("fd00:210::2", 0))
else:
    c = tc.Client("10.210.0.1", bind=(what, 0))
m = c.allocate()
code = m.error()
print("%s %s %s" % ("ok" if m.cls == 2 else code, alternate(m) or "-",
                    "signed" if check_mi(c, m) else "unsigned"))
PY
}

# An allocation made before the drain, kept open by this process.
ip netns exec "$TP_NS_C" python3 - "$LIB" "$TP_TMP" <<'PY' &
import os, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = sys.argv[2]
c = tc.Client("10.210.0.1", bind=("10.210.0.70", 0))
res = ["before:%s" % (c.allocate().cls == 2)]
open(os.path.join(tmp, "kept.ready"), "w").close()
while not os.path.exists(os.path.join(tmp, "kept.go")):
    time.sleep(0.05)
res.append("refresh:%s" % (c.refresh(600).cls == 2))
res.append("permission:%s" % (c.permission(("10.211.0.2", None)).cls == 2))
open(os.path.join(tmp, "kept.out"), "w").write(" ".join(res) + "\n")
PY
kept=$!
for _ in $(seq 100); do [ -e "$TP_TMP/kept.ready" ] && break; sleep 0.1; done

out=$(tp_ctl drain --alternate 10.210.0.9:3478 --alternate "[fd00:210::9]:3478")
echo "# $out"
tp_check "turnpikectl drain" grep -q "ON for .* new ones get 300 Try Alternate: 10.210.0.9:3478 \[fd00:210::9\]:3478" <<<"$out"
r=$(client v4); echo "# IPv4 client while draining: $r"
tp_check "a new IPv4 client gets 300 with the IPv4 alternate, signed" test "$r" = "300 10.210.0.9:3478 signed"
r=$(client v6); echo "# IPv6 client while draining: $r"
tp_check "a new IPv6 client gets 300 with the IPv6 alternate, signed" test "$r" = "300 [fd00:210::9]:3478 signed"
touch "$TP_TMP/kept.go"; wait $kept
tp_check "an allocation made before the drain refreshes and gets permissions" \
  grep -qx "before:True refresh:True permission:True" "$TP_TMP/kept.out"
st=$(tp_ctl --json status)
tp_check "status shows the drain, what is left and the redirects" python3 - "$st" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["drain"]["active"] is True, d["drain"]
assert d["drain"]["alternates"] == ["10.210.0.9:3478", "[fd00:210::9]:3478"], d["drain"]
assert d["drain"]["allocations_left"] >= 2, d["drain"]
assert d["stats"]["redirected"] == 2, d["stats"]
assert d["error_responses_by_code"]["300"] == 2, d["error_responses_by_code"]
PY
tp_check "status (text) shows the drain" bash -c "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" status | grep -q '^drain        ON'"
tp_check "drain without alternates" tp_ctl drain
r=$(client v4); echo "# IPv4 client, no alternate: $r"
tp_check "... a new client gets 508" test "${r%% *}" = 508
tp_check "turnpikectl undrain" tp_ctl undrain
ip netns exec "$TP_NS_C" ip addr add 10.210.0.72/24 dev "$TP_IF_A"
r=$(client 10.210.0.72); echo "# after undrain: $r"
tp_check "after undrain a new client allocates" test "${r%% *}" = ok
tp_check "... and status says no drain" bash -c "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" --json status | grep -q '\"drain\":{\"active\":false'"

wait $long
sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' "$TP_TMP/long.log" | tail -n 1)
recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' "$TP_TMP/long.log" | tail -n 1)
lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' "$TP_TMP/long.log" | tail -n 1)
echo "# session across the drain: sent=${sent:-?} recv=${recv:-?} lost=${lost:-?}"
tp_check "a session running across drain and undrain lost nothing" \
  test -n "$sent" -a "${sent:-0}" -gt 0 -a "$sent" = "$recv" -a "${lost:-1}" = 0
# A full box with cp.alternates: 300 to an alternate instead of 486/508.
n=$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["allocations"])')
tp_check "cp stops" tp_cp_stop
tp_write_conf "$TP_TMP/full.conf" "0" "" "" "" "$(tp_turn_groups "quota_total = $((n + 1)); quota_user = 0; alternates = [\"10.210.0.8:3478\"];")"
tp_cp_start "$TP_TMP/full.conf"
ip netns exec "$TP_NS_C" ip addr add 10.210.0.73/24 dev "$TP_IF_A"
ip netns exec "$TP_NS_C" ip addr add 10.210.0.74/24 dev "$TP_IF_A"
r=$(client 10.210.0.73); echo "# $n allocations of $((n + 1)): $r"
tp_check "cp.alternates: the last free allocation is served" test "${r%% *}" = ok
r=$(client 10.210.0.74); echo "# box full: $r"
tp_check "... then the box is full: 300 to the configured alternate, signed" test "$r" = "300 10.210.0.8:3478 signed"
r=$(client v6); echo "# box full, IPv6 client: $r"
tp_check "... an IPv6 client (no IPv6 alternate) gets 486 as before" test "${r%% *}" = 486
tp_write_conf "$TP_TMP/bad.conf" "0" "" "" "" "$(tp_turn_groups "alternates = [\"nowhere:x\"];")"
out=$(timeout 20 "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/bad.conf" 2>&1); rc=$?
tp_check "a bad cp.alternates stops cp and says why" bash -c "[ $rc -ne 0 ] && grep -q 'cp.alternates' <<<\"\$0\"" "$out"
tp_check "cp stops cleanly" tp_cp_stop
kill "$TP_PEER_PID" 2>/dev/null; wait "$TP_PEER_PID" 2>/dev/null; TP_PEER_PID=
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
