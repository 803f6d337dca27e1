#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What an operator and a billing system see of tenants, on a box with two
# (mvno-a on 10.210.0.11, ent-b on 10.210.0.12 with its own relayed
# address 10.211.0.12) beside the default tenant (the access port's own
# 10.210.0.1):
#   A. the configuration check: an iq.tenant that names no tenant is
#      refused with the reason; the box's file is accepted.
#   B. `turnpikectl tenants` (the running configuration through cp's API):
#      the three, default first, their realms, addresses, relayed
#      addresses and quotas; --json parsed.
#   C. default-tenant allocations (turnutils_uclient to 10.210.0.1): each
#      says "tenant": "default"; `allocations` has a TENANT column, its
#      --tenant filter keeps a tenant's only, an unknown name is an error;
#      status (human and --json) and the metrics count allocations by
#      tenant (turnpike_allocations{tenant=...}, every tenant a series).
#   D. AGW contexts: agw.create with tenant=ent-b is ent-b's (the answer,
#      agw list, tenants' agw_contexts); tenant=nosuch is refused, nothing
#      is made and cp serves on; a cp restart takes ent-b's context back
#      from dp with its tenant; released, its usage record names ent-b; a
#      killed allocation's record names the default tenant.
# Allocations through the tenants' own addresses need dp's and cp/auth's
# tenant work: the cross-tenant checks are not here.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
start=$SECONDS
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

tp_mkcert dp
maddr=127.0.0.1:$((20000 + $$ % 20000))
REC=$TP_TMP/usage.jsonl
TENANTS='tenants = (
  { name = "mvno-a"; realm = "a.turnpike.test"; addresses = ["10.210.0.11"];
    quota_total = 50; quota_user = 5;
    users = ( { name = "alice"; password = "alice-pw"; } ); },
  { name = "ent-b"; realm = "b.turnpike.test"; addresses = ["10.210.0.12"];
    relay = ["10.211.0.12"]; secrets = [ "b-secret" ]; }
);'
MORE="$(tp_turn_groups "metrics = \"$maddr\";")
tls = { certificate = \"$TP_TMP/dp.pem\"; private_key = \"$TP_TMP/dp.key\"; };
agw = { ports = [20000, 20999]; max_contexts = 16; setup_timeout = 20; };
accounting = { file = \"$REC\"; };
$TENANTS"
RELAY='relay_ipv4 = ["10.211.0.11", "10.211.0.12"];'
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "$RELAY" "$MORE"

# ---- A. the file ------------------------------------------------------------
tp_write_conf "$TP_TMP/badiq.conf" "0" "" "" "$RELAY" "$MORE
iq = { listen = \"127.0.0.1:29440\"; mgc = [\"127.0.0.1:29441\"]; tenant = \"nosuch\"; };"
"$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/badiq.conf" --check >"$TP_TMP/badiq.log" 2>&1
rc=$?
sed 's/^/# /' "$TP_TMP/badiq.log" | head -3
tp_check "an iq.tenant that names no tenant: refused, the line and the name said" \
  bash -c '[ "$0" -ne 0 ] && grep -q "badiq.conf:[0-9]*: iq.tenant .nosuch. is not a tenant" "$1"' \
  "$rc" "$TP_TMP/badiq.log"
tp_check "the box's file: turnpike-cp --check accepts it" \
  "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/dp.conf" --check
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

# ---- B. turnpikectl tenants -------------------------------------------------
out=$(tp_ctl tenants); rc=$?
echo "$out" | sed 's/^/#   /'
tp_check "tenants: exit 0, a header and the three, default first" \
  python3 - "$rc" "$out" <<'PY'
import sys
rc, lines = int(sys.argv[1]), sys.argv[2].splitlines()
assert rc == 0, rc
assert lines[0].split() == ['TENANT', 'REALM', 'ADDRESSES', 'RELAYED', 'QUOTA', 'PER-USER',
                            'ALLOCATIONS', 'AGW'], lines[0]
rows = [l.split() for l in lines[1:]]
assert [r[0] for r in rows] == ['default', 'mvno-a', 'ent-b'], rows
# (the core port's IPv6 address relays too: no tenant claims it)
assert rows[0][1:4] == ['turnpike.test', '10.210.0.1,fd00:210::1', '10.211.0.11,fd00:211::1'], rows[0]
assert rows[1][1:6] == ['a.turnpike.test', '10.210.0.11', '10.211.0.11,fd00:211::1', '50', '5'], rows[1]
assert rows[2][1:4] == ['b.turnpike.test', '10.210.0.12', '10.211.0.12,fd00:211::1'], rows[2]
PY
js=$(tp_ctl --json tenants)
tp_check "tenants --json: names, realms, addresses, relayed, quotas, counts" \
  python3 - "$js" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is True
t = {x["name"]: x for x in d["tenants"]}
assert list(t) == ["default", "mvno-a", "ent-b"], list(t)
assert t["mvno-a"]["realm"] == "a.turnpike.test" and t["mvno-a"]["addresses"] == ["10.210.0.11"]
assert t["mvno-a"]["quota_total"] == 50 and t["mvno-a"]["quota_user"] == 5
assert t["ent-b"]["relayed"] == ["10.211.0.12", "fd00:211::1"], t["ent-b"]
assert t["default"]["relayed"] == ["10.211.0.11", "fd00:211::1"], t["default"]
for x in t.values():
    assert x["allocations"] == 0 and x["agw_contexts"] == 0, x
PY

# ---- C. default-tenant allocations --------------------------------------------
ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -e 10.211.0.2 -r 3480 -u test -w test \
  -m 3 -c -n 10 -l 120 10.210.0.1 >"$TP_TMP/uc.log" 2>&1
tp_check "uclient's sessions relayed" grep -q 'tot_recv_msgs=[1-9]' "$TP_TMP/uc.log"
aj=$(tp_ctl --json allocations)
n=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["allocations"]))' "$aj")
echo "# $n allocations"
tp_check "allocations --json: each says tenant \"default\", and the box has 2 tenants" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a=d["allocations"]; sys.exit(0 if a and d["tenants"] == 2 and all(x["tenant"] == "default" for x in a) else 1)' "$aj"
out=$(tp_ctl allocations)
tp_check "allocations: a TENANT column after USER, 'default' in it" \
  python3 -c 'import sys; l=sys.argv[1].splitlines(); h=l[0].split(); sys.exit(0 if h[:3] == ["ID", "USER", "TENANT"] and all(r.split()[2] == "default" for r in l[1:]) and len(l) > 1 else 1)' "$out"
tp_check "allocations --tenant default: all of them" \
  test "$(tp_ctl allocations --tenant default | tail -n +2 | wc -l)" = "$n"
tp_check "allocations --tenant mvno-a: none" test "$(tp_ctl allocations --tenant mvno-a)" = "no allocations"
err=$(tp_ctl allocations --tenant nosuch 2>&1); rc=$?
echo "#   $err"
tp_check "allocations --tenant nosuch: an error naming it (rc $rc)" \
  bash -c '[ "$0" -ne 0 ] && grep -q "no tenant .nosuch." <<<"$1"' "$rc" "$err"
sj=$(tp_ctl --json status)
tp_check "status --json: allocations_by_tenant, every tenant, the default's all of them" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); b=d["allocations_by_tenant"]; sys.exit(0 if b == {"default": d["allocations"], "mvno-a": 0, "ent-b": 0} and d["allocations"] > 0 else 1)' "$sj"
tp_check "status: a tenants line" \
  bash -c 'grep -qE "^tenants +default [1-9][0-9]*, mvno-a 0, ent-b 0$" <<<"$0"' "$(tp_ctl status)"
m=$(curl -sf "http://$maddr/metrics")
printf '%s\n' "$m" >"$TP_TMP/scrape.txt"
grep -E '^turnpike_allocations[{ ]' "$TP_TMP/scrape.txt" | sed 's/^/#   /'
tp_check "metrics: turnpike_allocations by tenant, each tenant a series" \
  python3 - "$TP_TMP/scrape.txt" "$n" <<'PY'
import sys
v = {}
for l in open(sys.argv[1]):
    # (the family turnpike_allocations itself, not others it begins,
    # such as turnpike_allocations_limited)
    if l.startswith(('turnpike_allocations{', 'turnpike_allocations ')):
        k, x = l.rsplit(' ', 1)
        v[k] = int(x)
assert v == {'turnpike_allocations{tenant="default"}': int(sys.argv[2]),
             'turnpike_allocations{tenant="mvno-a"}': 0,
             'turnpike_allocations{tenant="ent-b"}': 0}, v
PY
if command -v promtool >/dev/null; then
  tp_check "promtool check metrics accepts the scrape" \
    bash -c 'promtool check metrics <"$0" >/dev/null 2>&1' "$TP_TMP/scrape.txt"
fi

# ---- D. AGW contexts ---------------------------------------------------------
contexts() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["agw"]["contexts"])' "$(tp_ctl --json status)"; }
tp_ctl --json agw create --a 'tcp=server,local=10.210.0.1,accept_any=true' --setup-timeout 0 \
  tenant=ent-b >"$TP_TMP/b.json" 2>"$TP_TMP/b.err"
rc=$?
sed 's/^/# /' "$TP_TMP/b.err"
tp_check "agw create tenant=ent-b: made, the answer names ent-b" \
  bash -c '[ "$0" -eq 0 ] && python3 -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))[\"tenant\"] == \"ent-b\" else 1)" "$1"' \
  "$rc" "$TP_TMP/b.json"
bid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$TP_TMP/b.json")
tp_check "agw list shows it as ent-b's" \
  bash -c 'grep -q "^context $0 .* tenant ent-b door api" <<<"$1"' "$bid" "$(tp_ctl agw list)"
before=$(contexts)
err=$(tp_ctl agw create --a 'tcp=server,local=10.210.0.1,accept_any=true' --tenant nosuch 2>&1); rc=$?
echo "#   $err"
tp_check "agw create --tenant nosuch: refused, the name and the tenants there are said" \
  bash -c '[ "$0" -ne 0 ] && grep -q "no tenant .nosuch. in the configuration (tenants: default, mvno-a, ent-b)" <<<"$1"' \
  "$rc" "$err"
tp_check "... nothing was made ($before contexts before and after)" test "$(contexts)" = "$before"
tp_check "... and cp serves on: a create without a tenant is the default's" \
  bash -c '"$0" --socket "$1" --json agw create --a "tcp=server,local=10.210.0.1,accept_any=true" --setup-timeout 0 |
           python3 -c "import json,sys; sys.exit(0 if json.load(sys.stdin)[\"tenant\"] == \"default\" else 1)"' \
  "$TP_BUILD/cp/ctl/turnpikectl" "$TP_TMP/cp.sock"
tp_check "tenants --json: ent-b has its AGW context, the default its one" \
  python3 -c 'import json,sys; t={x["name"]: x for x in json.loads(sys.argv[1])["tenants"]}; sys.exit(0 if t["ent-b"]["agw_contexts"] == 1 and t["default"]["agw_contexts"] == 1 else 1)' \
  "$(tp_ctl --json tenants)"

# cp restarted: the context's tenant comes back from dp (AGW_STATE)
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
tp_check "after cp's restart: agw list still shows the context as ent-b's" \
  bash -c 'grep -q "^context $0 .* tenant ent-b door api" <<<"$1"' "$bid" "$(tp_ctl agw list)"

# usage records: the context's and an allocation's
tp_ctl agw release "$bid" >/dev/null
aid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["allocations"][0]["id"])' "$(tp_ctl --json allocations)")
tp_ctl kill "$aid" >/dev/null
for _ in $(seq 100); do
  [ "$(grep -c '"kind":"agw"' "$REC" 2>/dev/null)" -ge 1 ] &&
    grep -q "\"session\":\"$aid\"" "$REC" 2>/dev/null && break
  sleep 0.1
done
tp_check "the released context's usage record names ent-b" \
  python3 - "$REC" "$bid" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
a = [x for x in r if x["kind"] == "agw" and x["session"] == sys.argv[2]]
assert len(a) == 1 and a[0]["tenant"] == "ent-b", a
PY
tp_check "the killed allocation's usage record names the default tenant" \
  python3 - "$REC" "$aid" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
a = [x for x in r if x["kind"] == "turn" and x["session"] == sys.argv[2] and x["type"] == "stop"]
assert len(a) == 1 and a[0]["tenant"] == "default", a
PY
tp_check "cp handled every message dp sent (ipc_unhandled 0)" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["stats"]["ipc_unhandled"] == 0 else 1)' "$(tp_ctl --json status)"

echo "# test_tenant_ops: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
