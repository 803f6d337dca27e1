#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Authentication per tenant (issue 41): two tenants on TURN addresses of
# the access prefix (10.210.0.11, 10.210.0.12), each with its own realm,
# users and REST secret, beside the default tenant (the port's own
# address, turn.realm). coturn's turnutils_uclient relays with a tenant's
# credentials at its address only: another tenant's realm, user (the same
# name and password included) or secret is refused there; users and
# secrets added with turnpikectl --tenant work at that tenant's address
# only and are there after a cp restart (the store, rows by realm); an
# unknown tenant is a clear error; the default tenant's users and
# turnpikectl output are as before. Needs dp listening on the tenants'
# addresses (dp's part of tenants).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
. "$(dirname "$0")/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

A=10.210.0.11
B=10.210.0.12
TENANTS='tenants = (
  { name = "mvno-a"; realm = "a.example.net"; addresses = [ "10.210.0.11" ];
    users = ( { name = "alice"; password = "apw"; }, { name = "sam"; password = "same"; } );
    secrets = [ "secret-a" ]; },
  { name = "mvno-b"; realm = "b.example.net"; addresses = [ "10.210.0.12" ];
    users = ( { name = "bob"; password = "bpw"; }, { name = "sam"; password = "same"; } );
    secrets = [ "secret-b" ]; }
);'
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)
$TENANTS"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

# ok WHAT SERVER ARGS...: a client batch relays through SERVER.
ok() {
  local what=$1 srv=$2; shift 2
  tp_uclient "$what" 60 -e 10.211.0.2 -r 3480 "$@" "$srv"
}
# refused WHAT SERVER ARGS...: the client gets no allocation.
# served|refused WHAT SERVER -u USER -w PASSWORD: an Allocate with these
# credentials succeeds (and is deleted again) or is refused 401 (a client
# of our own: one round trip, where uclient's batches take seconds).
alloc_as() {
  ip netns exec "$TP_NS_C" python3 - "$LIB" "$@" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client(sys.argv[2], user=sys.argv[3], password=sys.argv[4])
m = c.allocate()
if m.cls == 2:
    c.refresh(0)
print("success" if m.cls == 2 else m.error())
PY
}
served() { local got; got=$(alloc_as "$2" "$4" "$6"); tp_check "$1 ($got)" test "$got" = success; }
refused() { local got; got=$(alloc_as "$2" "$4" "$6"); tp_check "$1 ($got)" test "$got" = 401; }
LIB=$(cd "$(dirname "$0")/lib" && pwd)
rest_pw() { printf '%s' "$2" | openssl dgst -sha1 -hmac "$1" -binary | base64; }
exp=$(( $(date +%s) + 600 ))

ok "tenant A's user at A's address (turnutils_uclient)" $A -u alice -w apw -m 1 -n 10
ok "tenant B's user at B's address (turnutils_uclient)" $B -u bob -w bpw -m 1 -n 10
served "the default tenant's user at the port's address, as before" 10.210.0.1 -u test -w test
refused "A's user at B's address" $B -u alice -w apw
refused "A's user at the default address" 10.210.0.1 -u alice -w apw
refused "the default tenant's user at A's address" $A -u test -w test
served "sam (same name and password in A and B) at A" $A -u sam -w same
served "... and at B" $B -u sam -w same
# Credentials of another realm than the address's tenant: a client that
# keeps the realm it was given (uclient takes the 401's) gets 401 again.
ip netns exec "$TP_NS_C" python3 - "$LIB" >"$TP_TMP/realm.out" 2>&1 <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
def try_realm(server, user, pw, realm):
    c = tc.Client(server, user=user, password=pw)
    rt = [(tc.A_REQ_TRANSPORT, b"\x11\x00\x00\x00")]
    m = c._exchange(c.build(tc.ALLOCATE, rt, auth=False))     # the 401: its nonce
    c.nonce = m.get(tc.A_NONCE)
    c.realm = realm                                          # and this realm, kept
    m = c._exchange(c.build(tc.ALLOCATE, rt))
    if m.cls == 2:
        c.refresh(0)
        return "success"
    r = m.get(tc.A_REALM)
    return "%s realm %s" % (m.error(), r.decode() if r else None)
print("sam_b_realm_a", try_realm("10.210.0.12", "sam", "same", "a.example.net"))
print("alice_b_realm_a", try_realm("10.210.0.12", "alice", "apw", "a.example.net"))
print("sam_a_realm_a", try_realm("10.210.0.11", "sam", "same", "a.example.net"))
PY
tp_check "sam at B with A's realm: 401 naming B's realm ($(grep sam_b "$TP_TMP/realm.out"))" \
  grep -qx "sam_b_realm_a 401 realm b.example.net" "$TP_TMP/realm.out"
tp_check "alice (A's) at B with A's realm: 401 ($(grep alice_b "$TP_TMP/realm.out"))" \
  grep -qx "alice_b_realm_a 401 realm b.example.net" "$TP_TMP/realm.out"
tp_check "... while sam at A with A's realm is served ($(grep sam_a "$TP_TMP/realm.out"))" \
  grep -qx "sam_a_realm_a success" "$TP_TMP/realm.out"
served "REST credentials of A's secret at A" $A -u "$exp:rita" -w "$(rest_pw secret-a "$exp:rita")"
refused "... not at B" $B -u "$exp:rita" -w "$(rest_pw secret-a "$exp:rita")"
refused "... not at the default address" 10.210.0.1 -u "$exp:rita" -w "$(rest_pw secret-a "$exp:rita")"
ok "REST with uclient's -W at B (B's secret)" $B -u rita -W secret-b -m 1 -n 10

# turnpikectl --tenant
tp_check "users add --tenant mvno-a" tp_ctl users add --tenant mvno-a carol cpw
tp_check "users list --tenant mvno-a shows the tenant and carol" \
  bash -c "out=\$(\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" users list --tenant mvno-a); grep -qx 'tenant: mvno-a' <<<\"\$out\" && grep -qx carol <<<\"\$out\""
tp_check "users list (default) does not show carol, and is as before" \
  bash -c "[ \"\$(\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" users list | sort | tr '\n' ' ')\" = 'other test ' ]"
tp_check "the store keeps carol under A's realm" \
  bash -c "sqlite3 '$TP_TMP/users.db' \"SELECT hmackey FROM turnusers_lt WHERE name='carol' AND realm='a.example.net'\" | grep -qx \"\$(printf 'carol:a.example.net:cpw' | md5sum | cut -c1-32)\""
served "carol (added for A) at A" $A -u carol -w cpw
refused "carol at B" $B -u carol -w cpw
out=$(tp_ctl users add --tenant nosuch x y 2>&1); rc=$?
tp_check "an unknown tenant: a clear error, exit status non-zero" \
  bash -c "[ $rc -ne 0 ] && grep -q \"no tenant 'nosuch'\" <<<\"\$0\"" "$out"
tp_check "secrets add --tenant mvno-b" tp_ctl secrets add --tenant mvno-b stored-b
tp_check "secrets list --tenant mvno-b: two" test "$(tp_ctl secrets list --tenant mvno-b | grep -c bytes)" = 2
tp_check "secrets list (default): one, as before" test "$(tp_ctl secrets list | wc -l)" = 1
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
served "after a cp restart carol is A's" $A -u carol -w cpw
served "... and B's stored secret works at B" $B -u "$exp:st" -w "$(rest_pw stored-b "$exp:st")"
tp_check "users del --tenant mvno-a carol" tp_ctl users del --tenant mvno-a carol
refused "carol deleted: refused at A" $A -u carol -w cpw

kill "$TP_PEER_PID" 2>/dev/null; wait "$TP_PEER_PID" 2>/dev/null; TP_PEER_PID=
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
