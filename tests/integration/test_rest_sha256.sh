#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TURN REST API credentials signed with HMAC-SHA256 (issue 59): a secret
# of the configuration file marked { algorithm = "sha256"; } takes the
# password base64(HMAC-SHA256(secret, "expiry:user")) (what Kamailio's
# auth_ephemeral makes with sha_algorithm 1; computed here with openssl,
# since coturn's turnutils_uclient -W knows SHA-1 only) and coturn's
# turnutils_uclient relays with it; the SHA-1 password of the same
# username and secret (uclient -W's) is refused, 401, counted as
# bad-integrity; the file's SHA-1 secret still works with uclient -W. A
# secret added with turnpikectl secrets add --algorithm sha256 is listed
# as such, written to the store as such, and after a cp restart still
# takes the SHA-256 password and refuses the SHA-1 one. A reload that
# makes the file's secret sha1 makes its SHA-1 password the good one.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
. "$(dirname "$0")/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

db=$TP_TMP/state/users.db
mkdir -p "$TP_TMP/state"
TP_SECRETS='( "test-secret", { secret = "file-sha256"; algorithm = "sha256"; } )'
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups "store = \"$db\";")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

LIB=$(cd "$(dirname "$0")/lib" && pwd)
# pw ALG SECRET USERNAME: the REST password, base64(HMAC-ALG(SECRET, USERNAME))
pw() { printf '%s' "$3" | openssl dgst "-$1" -hmac "$2" -binary | base64; }
exp=$(( $(date +%s) + 600 ))
u="$exp:alice"

# uclient_bg NAME ARGS...: a client batch through turnpike, in the
# background; tp_uclient_judge judges each (every message back).
uclient_bg() {
  local what=$1; shift
  tp_uclient_bg "$what" 60 -e 10.211.0.2 -r 3480 "$@" 10.210.0.1
}
# alloc_as USER PASSWORD: "success" (the allocation deleted again) or the
# error code of the answer to an authenticated Allocate (one round trip).
alloc_as() {
  ip netns exec "$TP_NS_C" python3 - "$LIB" "$@" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client("10.210.0.1", user=sys.argv[2], password=sys.argv[3])
m = c.allocate()
if m.cls == 2:
    c.refresh(0)
print("success" if m.cls == 2 else m.error())
PY
}
served() { local got; got=$(alloc_as "$2" "$3"); tp_check "$1 ($got)" test "$got" = success; }
refused() { local got; got=$(alloc_as "$2" "$3"); tp_check "$1 ($got)" test "$got" = 401; }
# bad_integrity: cp's count of REST and other passwords refused as wrong
bad_integrity() {
  tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["auth_refused_by_reason"]["bad-integrity"])'
}

p256=$(pw sha256 file-sha256 "$u")
p1=$(pw sha1 file-sha256 "$u")
tp_check "the SHA-256 password is 44 characters, '=' padded ($p256)" \
  bash -c '[ ${#0} = 44 ] && [ "${0: -1}" = = ]' "$p256"
tp_check "... python's hmac makes the same" test "$(python3 -c '
import base64, hashlib, hmac, sys
print(base64.b64encode(hmac.new(b"file-sha256", sys.argv[1].encode(), hashlib.sha256).digest()).decode())' "$u")" = "$p256"

before=$(bad_integrity)
# (three batches at once: lib/uclient.sh)
uclient_bg "the file's sha256 secret: the SHA-256 password relays (turnutils_uclient -u -w)" \
  -u "$u" -w "$p256" -m 2 -c -n 10
uclient_bg "the file's sha1 secret still relays with turnutils_uclient -W" \
  -W test-secret -u bob -m 2 -c -n 10
out=$(ip netns exec "$TP_NS_C" timeout 20 turnutils_uclient -e 10.211.0.2 -r 3480 -W file-sha256 \
      -u carol -m 1 -c -n 2 10.210.0.1 2>&1)
tp_check "turnutils_uclient -W (a SHA-1 password) against the sha256 secret relays nothing" \
  bash -c "! grep -q 'tot_recv_msgs=[1-9]' <<<\"\$0\"" "$out"
tp_uclient_judge
refused "the SHA-1 password of the same username against the sha256 secret: 401" "$u" "$p1"
served "... the SHA-256 one: an allocation" "$u" "$p256"
refused "the SHA-256 password against the sha1 secret: 401" "$u" "$(pw sha256 test-secret "$u")"
after=$(bad_integrity)
tp_check "the refusals are counted as bad-integrity ($before -> $after)" \
  test "$after" -ge $((before + 3))

# Added at run time, kept in the store with its algorithm.
tp_check "turnpikectl secrets add --algorithm sha256" tp_ctl secrets add --algorithm sha256 ctl-sha256
tp_check "turnpikectl secrets add --algorithm md5 is a usage error" \
  bash -c "! \"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" secrets add --algorithm md5 x 2>/dev/null"
tp_check "secrets list: sha1, sha256, sha256" \
  test "$(tp_ctl secrets list | awk '{print $4}' | sort | paste -sd,)" = sha1,sha256,sha256
tp_check "the store holds it as sha256" \
  test "$(sqlite3 "$db" "SELECT algorithm FROM turn_secret WHERE value = 'ctl-sha256'")" = sha256
served "the added sha256 secret: the SHA-256 password" "$u" "$(pw sha256 ctl-sha256 "$u")"
refused "... the SHA-1 one: 401" "$u" "$(pw sha1 ctl-sha256 "$u")"
tp_check "cp stops" tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
served "after a cp restart: the SHA-256 password of the stored secret" "$u" "$(pw sha256 ctl-sha256 "$u")"
refused "... and its SHA-1 one: 401" "$u" "$(pw sha1 ctl-sha256 "$u")"
tp_check "turnpikectl secrets del" tp_ctl secrets del ctl-sha256
refused "a deleted sha256 secret no longer authenticates" "$u" "$(pw sha256 ctl-sha256 "$u")"

# A reload that changes the file's secret to sha1: from then on its SHA-1
# password is the one taken.
sed -i 's/secret = "file-sha256"; algorithm = "sha256";/secret = "file-sha256"; algorithm = "sha1";/' "$TP_TMP/dp.conf"
out=$(tp_ctl reload 2>&1)
tp_check "reload: the secret goes and comes back as sha1" \
  bash -c 'grep -q "a REST secret removed" <<<"$0" && grep -q "a REST secret added (sha1)" <<<"$0"' "$out"
served "after the reload: the file's secret takes the SHA-1 password" "$u" "$p1"
refused "... and refuses the SHA-256 one: 401" "$u" "$p256"

# bash completion offers the option and its values
comp() {
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
           _turnpikectl; echo "${COMPREPLY[*]}"' _ "$TP_SRC/tools/completion/turnpikectl.bash" "$@"
}
tp_check "completion: secrets add --al -> --algorithm" \
  test "$(comp turnpikectl secrets add --al)" = --algorithm
tp_check "completion: --algorithm's values" \
  test "$(comp turnpikectl secrets add --algorithm sha)" = "sha1 sha256"

kill "$TP_PEER_PID" 2>/dev/null; wait "$TP_PEER_PID" 2>/dev/null; TP_PEER_PID=
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
