#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 7635 third-party authorization end to end: coturn's turnutils_uclient
# -J (its built-in keys north, union and oldempire, configured here as the
# oauth group's keys, one of them from a key_file) relays through
# turnpike over channels and send indications, its CreatePermission and
# ChannelBind signed with the mac_key of the token its Allocate brought;
# dp's 401 names the server (THIRD-PARTY-AUTHORIZATION); tokens made by
# turnutils_oauth -e authenticate our own client (lib/turnclient.py), and
# one sealed with the wrong key, one expired, one from the future and one
# for an unknown kid are each refused 401, counted by reason; one client's
# token meets cp.quota_user while another client's of the same kid does
# not, and an allocation lives no longer than its token. Issue 67
# (lib/oauth_takeover.py, turn.mobility on): another client's token of the
# same authorization server, sent from a victim's 5-tuple, neither moves
# the victim's allocation to itself with the ticket it saw nor deletes it
# nor opens permissions on it.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
. "$(dirname "$0")/lib/uclient.sh"
tp_env_init
LIB=$(cd "$(dirname "$0")/lib" && pwd)
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
command -v turnutils_oauth >/dev/null || tp_die "turnutils_oauth missing (tools/bootstrap installs coturn)"

# turnutils_uclient's keys (src/apps/uclient/mainuclient.c): base64 of 33,
# 17 and 33 bytes, of which coturn uses the first 32, 16, 32 (AES-256-GCM,
# AES-128-GCM, AES-256-GCM): those are the keys.
K_NORTH=$(printf '01234567890123456789012345678901' | base64 -w0)
K_UNION=$(printf '1234567890123456' | base64 -w0)
K_OLD=$(printf '12345678901234567890123456789012' | base64 -w0)
SERVER_NAME=turn.oauth.test
printf '%s\n' "$K_OLD" >"$TP_TMP/oldempire.key"
chmod 0600 "$TP_TMP/oldempire.key"

# (one authorization server, coturn's client: it renews with a token of
# another of its kids, picked at random: as names the server they share)
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups "quota_user = 2;" "mobility = true;")
oauth = {
  server_name = \"$SERVER_NAME\";
  tolerance = 5;
  keys = (
    { kid = \"north\"; as = \"coturn\"; algorithm = \"A256GCM\"; key = \"$K_NORTH\"; },
    { kid = \"union\"; as = \"coturn\"; algorithm = \"A128GCM\"; key = \"$K_UNION\"; },
    { kid = \"oldempire\"; as = \"coturn\"; algorithm = \"A256GCM\";
      key_file = \"$TP_TMP/oldempire.key\"; }
  );
};"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

# coturn's client with -J: a token per Allocate and Refresh, a kid picked
# at random each time, the other requests signed with the last token's key
tp_uclient_bg "turnutils_uclient -J over channels" 30 -J -m 4 -c -n 10 -e 10.211.0.2 -r 3480 10.210.0.1
tp_uclient_bg "turnutils_uclient -J over send indications" 30 -J -m 4 -c -n 10 -s -e 10.211.0.2 -r 3480 10.210.0.1
tp_uclient_judge
# uclient's allocations live on (their lifetime is 600 s): a socket of ours
# that the kernel gave one of their client ports would find its 5-tuple
# taken (437, then 441; seen once in CI). Our clients take their ports
# from a range uclient's never came from.
ip netns exec "$TP_NS_C" sysctl -qw net.ipv4.ip_local_port_range="20000 29999" ||
  tp_die "cannot set the client namespace's port range"

# tokens from coturn's tool (the AS's side), for our own client
tok() {   # tok KID KEY ALG TIMESTAMP LIFETIME [MAC_KEY]: a token, base64
  turnutils_oauth -e -i "$SERVER_NAME" -j "$1" -k "$2" -n "$3" -l 1 -m 999999999 \
    -o "$(printf 'test-nonce-1' | base64 -w0)" \
    -p "$(printf '%s' "${6:-abcdefghijklmnopqrst}" | base64 -w0)" \
    -q $(( $4 << 16 )) -r "$5" 2>/dev/null | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
NOW=$(date +%s)
export TOK_GOOD=$(tok north "$K_NORTH" A256GCM "$NOW" 600)
export TOK_UNION=$(tok union "$K_UNION" A128GCM "$NOW" 600)
export TOK_WRONGKEY=$(tok north "$(printf 'x1234567890123456789012345678901' | base64 -w0)" A256GCM "$NOW" 600)
export TOK_EXPIRED=$(tok north "$K_NORTH" A256GCM $((NOW - 700)) 600)
export TOK_FUTURE=$(tok north "$K_NORTH" A256GCM $((NOW + 600)) 600)
# issue 67's: two victims and a thief, each its own mac_key (lib/oauth_takeover.py's)
export TOK_VICTIM=$(tok north "$K_NORTH" A256GCM "$NOW" 600 victim-mac-key-20byt)
export TOK_VICTIM2=$(tok north "$K_NORTH" A256GCM "$NOW" 600 victim2-mac-key-20by)
export TOK_THIEF=$(tok north "$K_NORTH" A256GCM "$NOW" 600 thief--mac-key-20byt)
# what a token gets (RFC 7635 §6.2, §9): two clients' quotas (cp.quota_user 2), and a
# lifetime of 30 s
export TOK_QA=$(tok north "$K_NORTH" A256GCM "$NOW" 600 quota-a-mac-key-20by)
export TOK_QB=$(tok north "$K_NORTH" A256GCM "$NOW" 600 quota-b-mac-key-20by)
export TOK_SHORT=$(tok north "$K_NORTH" A256GCM "$NOW" 30 short-lived-key-20by)
for t in TOK_GOOD TOK_UNION TOK_WRONGKEY TOK_EXPIRED TOK_FUTURE TOK_VICTIM TOK_VICTIM2 TOK_THIEF \
         TOK_QA TOK_QB TOK_SHORT; do
  [ -n "${!t}" ] || tp_die "turnutils_oauth made no $t"
done
export TP_BUILD TP_TMP SERVER_NAME

ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import base64, hashlib, hmac, json, os, socket, struct, subprocess, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
A_TPA = 0x802E
SERVER, fails = "10.210.0.1", 0
UDP = (tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))
MAC_KEY = b"abcdefghijklmnopqrst"

def check(what, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + what + ("" if cond else " " + str(detail)))
    fails += 0 if cond else 1

def refused():
    r = subprocess.run([os.environ["TP_BUILD"] + "/cp/ctl/turnpikectl", "--socket",
                        os.environ["TP_TMP"] + "/cp.sock", "--json", "status"],
                       capture_output=True, text=True)
    try:
        return json.loads(r.stdout).get("auth_refused_by_reason", {})
    except ValueError:
        return {}

def OAuthClient(kid, token, mac_key=MAC_KEY):
    return tc.OAuthClient(SERVER, kid, base64.b64decode(token), mac_key)

# dp's 401 (no integrity) says where tokens come from
c = OAuthClient("north", os.environ["TOK_GOOD"])
m = c._exchange(c.build(tc.ALLOCATE, [UDP], auth=False))
tpa = m.get(A_TPA)
check("a 401 carries THIRD-PARTY-AUTHORIZATION %r" % tpa,
      m.error() == 401 and tpa == os.environ["SERVER_NAME"].encode(), (m.error(), tpa))
c.realm, c.nonce = m.get(tc.A_REALM).decode(), m.get(tc.A_NONCE)
m = c._exchange(c.build(tc.ALLOCATE, [UDP]))
check("an Allocate with turnutils_oauth's token (north, A256GCM) succeeds", m.cls == 2, m.error())
mi = m.get(tc.A_MI)
check("... its answer signed with the mac_key", mi is not None)
m = c.transact(tc.CREATE_PERMISSION, [(tc.A_XOR_PEER, ("10.211.0.2", 0))])
check("... a CreatePermission with the token too", m.cls == 2, m.error())
c.token = None
m = c.transact(tc.REFRESH, [(tc.A_LIFETIME, struct.pack("!I", 0))])
check("... a Refresh without it, signed with its key, ends the allocation", m.cls == 2, m.error())

c = OAuthClient("union", os.environ["TOK_UNION"])
m = c.allocate()
check("an Allocate with union's token (A128GCM) succeeds", m.cls == 2, m.error())

before = refused()
cases = [("north", "TOK_WRONGKEY", "oauth-bad-token", "sealed with another key"),
         ("north", "TOK_EXPIRED", "oauth-expired", "expired"),
         ("north", "TOK_FUTURE", "oauth-future", "from 10 minutes ahead"),
         ("nobody", "TOK_GOOD", "oauth-unknown-kid", "for an unknown kid"),
         ("union", "TOK_GOOD", "oauth-bad-token", "under another kid's key")]
for kid, var, reason, what in cases:
    c = OAuthClient(kid, os.environ[var])
    m = c.allocate()
    check("a token %s is refused 401, with THIRD-PARTY-AUTHORIZATION" % what,
          m.error() == 401 and m.get(A_TPA) is not None, m.error())
after = refused()
for reason in sorted(set(r for _, _, r, _ in cases)):
    n = sum(1 for _, _, r, _ in cases if r == reason)
    check("... counted %s (+%d)" % (reason, after.get(reason, 0) - before.get(reason, 0)),
          after.get(reason, 0) - before.get(reason, 0) >= n, (before, after))

# the per-user quota counts a token's client (its mac_key), not its kid
qa = [OAuthClient("north", os.environ["TOK_QA"], b"quota-a-mac-key-20by") for _ in range(3)]
codes = [c.allocate().error() for c in qa]
check("one client's token: two allocations, the third 486 (cp.quota_user 2) %r" % codes,
      codes == [None, None, 486], codes)
m = OAuthClient("north", os.environ["TOK_QB"], b"quota-b-mac-key-20by").allocate()
check("another client of the same kid still allocates", m.cls == 2, m.error())
for c in qa[:2]:
    c.refresh(0)
# the lifetime is at most the token's (30 s, and oauth.tolerance 5)
c = OAuthClient("north", os.environ["TOK_SHORT"], b"short-lived-key-20by")
m = c.allocate(lifetime=600)
life = struct.unpack("!I", m.get(tc.A_LIFETIME))[0] if m.cls == 2 else None
check("a token of 30 s: an allocation of at most 35 s (%s)" % life,
      life is not None and life <= 35, m.error())
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))

# issue 67: a second token holder, on the victim's 5-tuple and with its ticket
ip netns exec "$TP_NS_C" python3 "$LIB/oauth_takeover.py" 10.210.0.1 10.211.0.2 3480
[ $? -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
exit $((TP_FAILS > 0))
