#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TLS ticket keys and external PSKs from cp to every dp worker,
# seen through dp's own counters (tlskeys_* in `turnpikectl status`, which
# each worker publishes from its struct tls_keys):
#   A. at start both workers get cp's key set (generation 1);
#   B. with cp.tls_ticket_rotate = 2 s, cp rotates and both workers follow,
#      on the same generation;
#   C. `turnpikectl psk add` (key on stdin) reaches both workers and the
#      store, `psk list` shows no key, `psk del` removes it everywhere;
#   D. a restarted dp gets the current key set and every PSK again;
#   E. a restarted cp makes new keys and sends the store's PSKs again.
#   F. the same through dp's TLS, with openssl s_client: a ticket issued
#      by one worker resumes on the other; after one rotation it still
#      resumes (renewed), after two it does not (a full handshake, no
#      error); -psk_identity/-psk: (EC)DHE, no certificate on the wire; a
#      wrong key fails that handshake only; an unknown identity gets the
#      certificate handshake.
# With TP_ASYNCPROV_SO (and TP_ASYNCPROV_RECORDS) F alone runs, dp's TLS on
# the asynchronous test provider: resumption across workers, rotation and
# PSKs through the parked path.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
command -v sqlite3 >/dev/null || tp_die "sqlite3 missing"

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "$(tp_turn_groups "tls_ticket_rotate = 2;")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

# tk NAME: dp's tlskeys_NAME of each worker, "w0 w1" (-1: not published)
tk() {
  tp_ctl --json status | python3 -c '
import json, sys
s = json.load(sys.stdin)
k = "tlskeys_" + sys.argv[1]
print(" ".join(str(w.get("dp", {}).get("tcp", {}).get(k, -1)) for w in s["workers"]))' "$1"
}
cpstat() {
  tp_ctl --json status | python3 -c 'import json, sys; print(json.load(sys.stdin)["stats"].get(sys.argv[1], -1))' "$1"
}
# until SECONDS CMD...: CMD holds within SECONDS (tried every 0.2 s)
until_true() {
  local n=$(($1 * 5)); shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done
  "$@"
}
same_nonzero() { local a b; read -r a b <<<"$(tk "$1")"; [ "$a" = "$b" ] && [ "$a" -ge "${2:-1}" ]; }
is() { [ "$(tk "$1")" = "$2" ]; }

key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
offload=
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  export TP_ASYNCPROV_STATS=1 TP_ASYNCPROV_DELAY_US=${TP_ASYNCPROV_DELAY_US:-200}
  offload="offload = { provider = \"$TP_ASYNCPROV_SO\"; properties = \"?provider=tpasync\"; };"
  # F's PSKs, as C leaves them
  printf '%s\n' "$key" | tp_ctl psk add ue-0001 >/dev/null
  tp_ctl psk add --key-hex "$key" ue-0002 >/dev/null
else
# ---- A. the first set -----------------------------------------------------------
tp_check "both workers took cp's key set at start" until_true 5 same_nonzero tickets_set
tp_check "... of one generation, the same on both" until_true 5 same_nonzero ticket_generation
g0=$(tk ticket_generation | cut -d' ' -f1)
echo "# generation at start: $g0"

# ---- B. rotation ------------------------------------------------------------------
t0=$SECONDS
tp_check "both workers follow cp's rotations (2 s), on the same generation" \
  until_true 8 same_nonzero ticket_generation $((g0 + 2))
g1=$(tk ticket_generation | cut -d' ' -f1)
r=$(cpstat tls_ticket_rotations)
echo "# generation after $((SECONDS - t0)) s: $g1; cp's rotations: $r; sets taken: $(tk tickets_set)"
tp_check "cp counted its rotations" test "$r" -ge 2
tp_check "no TLS message refused by dp" is refused "0 0"
tp_check "cp's log says it rotates" grep -q 'TLS ticket keys rotated (generation' "$TP_CP_LOG"

# ---- C. PSKs ----------------------------------------------------------------------
printf '%s\n' "$key" | tp_ctl psk add ue-0001 >"$TP_TMP/ctl.out" 2>&1
tp_check "psk add (key on stdin) is taken" grep -q 'added PSK ue-0001' "$TP_TMP/ctl.out"
tp_check "both workers hold it" until_true 3 is psk_count "1 1"
tp_ctl psk list >"$TP_TMP/list.out"
tp_check "psk list names it and its suite" grep -q '^ue-0001 *TLS_AES_128_GCM_SHA256$' "$TP_TMP/list.out"
tp_ctl --json psk list >>"$TP_TMP/list.out"
tp_check "... and shows no key, nor does --json" test "$(grep -ci "$key" "$TP_TMP/list.out")" -eq 0
tp_check "the store has it" test "$(sqlite3 "$TP_TMP/users.db" 'SELECT identity FROM tls_psk')" = ue-0001
tp_check "cp's log does not hold the key" test "$(grep -ci "$key" "$TP_CP_LOG")" -eq 0
tp_ctl psk add --key-hex "$key" --cipher TLS_AES_256_GCM_SHA384 ue-0002 >/dev/null
tp_ctl psk add --key-hex 0011 ue-0003 >"$TP_TMP/short.out" 2>&1; rc=$?
tp_check "a key shorter than 16 bytes is refused" test "$rc" -ne 0
tp_check "... with the reason" grep -q '16 to 64 bytes' "$TP_TMP/short.out"
tp_check "both workers hold two" until_true 3 is psk_count "2 2"
tp_ctl psk del ue-0002 >/dev/null
tp_check "psk del removes it from both" until_true 3 is psk_count "1 1"
tp_ctl psk del ue-0002 >/dev/null 2>&1; rc=$?
tp_check "psk del of an unknown identity fails" test "$rc" -ne 0
tp_ctl psk add --key-hex "$key" ue-0002 >/dev/null

# ---- D. dp restarts -----------------------------------------------------------------
gc=$(tk ticket_generation | cut -d' ' -f1)
tp_dp_stop
tp_dp_start "$TP_TMP/dp.conf"
tp_ctl ready --wait 10 >/dev/null
tp_check "a restarted dp's workers get cp's key set" until_true 5 same_nonzero tickets_set
tp_check "... the current generation, not a new start" until_true 3 same_nonzero ticket_generation "$gc"
tp_check "... and every PSK" until_true 3 is psk_count "2 2"

# ---- E. cp restarts -----------------------------------------------------------------
sets=$(tk tickets_set | cut -d' ' -f1)
gb=$(tk ticket_generation | cut -d' ' -f1)
sets_above() { local a b; read -r a b <<<"$(tk tickets_set)"; [ "$a" -gt "$1" ] && [ "$b" -gt "$1" ]; }
gen_below() { local a b; read -r a b <<<"$(tk ticket_generation)"; [ "$a" = "$b" ] && [ "$a" -lt "$1" ]; }
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
tp_check "a restarted cp sends its new keys to both workers" until_true 5 sets_above "$sets"
echo "# generation after cp's restart: $(tk ticket_generation) (before: $gb)"
tp_check "... of its own (its generations start again)" until_true 3 gen_below "$gb"
tp_check "... and the store's PSKs again (a resync keeps both)" until_true 3 is psk_count "2 2"
tp_ctl psk list >"$TP_TMP/list2.out"
tp_check "both PSKs are listed after cp's restart" test "$(grep -c '^ue-000[12] ' "$TP_TMP/list2.out")" -eq 2
tp_check "no TLS message refused by dp after both restarts" is refused "0 0"
fi

# ---- F. handshakes through dp's TLS ------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=turn.test" -keyout "$TP_TMP/tkey.pem" -out "$TP_TMP/tcert.pem" \
  >"$TP_TMP/req.out" 2>&1 || tp_die "openssl req failed"
tp_cp_stop
tp_dp_stop
tp_write_conf "$TP_TMP/dp-tls.conf" "0, 1" "" "" "" "$(tp_turn_groups "tls_ticket_rotate = 6;" \
  "listen_tls = [5349];")
tls = { certificate = \"$TP_TMP/tcert.pem\"; private_key = \"$TP_TMP/tkey.pem\"; $offload };"
tp_dp_start "$TP_TMP/dp-tls.conf"
tp_cp_start "$TP_TMP/dp-tls.conf"
tp_check "both workers took cp's key set" until_true 5 same_nonzero tickets_set
S() {   # S ARGS...: one s_client session (TLS 1.3) that sends nothing
  ip netns exec "$TP_NS_C" timeout 10 openssl s_client -connect 10.210.0.1:5349 \
    -servername turn.test -tls1_3 "$@" </dev/null 2>&1
}
# a session out of a ticket: TLS 1.3's NewSessionTicket comes after the
# handshake, so s_client stays half a second (its stdin open) to read it
Sout() { sleep 0.5 | ip netns exec "$TP_NS_C" timeout 10 openssl s_client \
  -connect 10.210.0.1:5349 -servername turn.test -tls1_3 -sess_out "$1" 2>&1; }
reused() { S -sess_in "$1" | grep -q '^Reused, TLSv1.3'; }
sum() { local a b; read -r a b <<<"$(tk "$1")"; echo $((a + b)); }
both() { local a b; read -r a b <<<"$1"; [ "$a" -ge 1 ] && [ "$b" -ge 1 ]; }
Sout "$TP_TMP/t.pem" >"$TP_TMP/s0.out"
tp_check "a first session is a full handshake and leaves a ticket" \
  grep -q '^New, TLSv1.3' "$TP_TMP/s0.out"
issued=$(tk tickets_issued)
r0=$(tk tickets_resumed); n=0; ok=0
# twelve connections from random source ports: each worker serves some
# (a worker's flows are its by a hash of the 4-tuple; all twelve on one
# worker: 1 in 2048)
for _ in $(seq 12); do n=$((n + 1)); reused "$TP_TMP/t.pem" && ok=$((ok + 1)); done
sleep 0.3; r1=$(tk tickets_resumed)
echo "# tickets issued by worker (0 1): $issued; resumed before: $r0, after: $r1"
tp_check "every later session resumed from the ticket ($ok of $n)" test "$ok" -eq "$n"
d0=$(( $(cut -d' ' -f1 <<<"$r1") - $(cut -d' ' -f1 <<<"$r0") ))
d1=$(( $(cut -d' ' -f2 <<<"$r1") - $(cut -d' ' -f2 <<<"$r0") ))
tp_check "... on both workers: the ticket one issued resumed on the other ($d0, $d1)" \
  both "$d0 $d1"
# rotation: a ticket under the previous key still resumes (and is renewed
# under the new one); once that key is dropped, a full handshake
# (the ticket is taken just after a rotation, so that it is under the key
# of generation g for sure)
gen_at_least() { local a b; read -r a b <<<"$(tk ticket_generation)"; [ "$a" -ge "$1" ] && [ "$b" -ge "$1" ]; }
g=$(( $(tk ticket_generation | cut -d' ' -f1) + 1 ))
until_true 10 gen_at_least "$g" >/dev/null
Sout "$TP_TMP/r.pem" >/dev/null
until_true 10 gen_at_least $((g + 1)) >/dev/null
ren=$(sum tickets_renewed)
tp_check "after a rotation the ticket still resumes" reused "$TP_TMP/r.pem"
sum_above() { [ "$(sum "$1")" -gt "$2" ]; }
# (dp publishes its counters every 100 ms: wait for them)
tp_check "... renewed under the new key" until_true 3 sum_above tickets_renewed "$ren"
until_true 10 gen_at_least $((g + 2)) >/dev/null
unk=$(sum tickets_unknown)
S -sess_in "$TP_TMP/r.pem" >"$TP_TMP/s2.out"
tp_check "after two rotations: a full handshake, no failure" grep -q '^New, TLSv1.3' "$TP_TMP/s2.out"
tp_check "... the ticket counted unknown" until_true 3 sum_above tickets_unknown "$unk"
# external PSK (the store's ue-0001 and ue-0002 came back with cp)
tp_check "both workers hold the store's PSKs" until_true 3 is psk_count "2 2"
S -psk_identity ue-0001 -psk "$key" >"$TP_TMP/p.out"
tp_check "-psk_identity/-psk: the PSK handshake completes" grep -q '^Reused, TLSv1.3' "$TP_TMP/p.out"
tp_check "... with no certificate on the wire" grep -q 'no peer certificate available' "$TP_TMP/p.out"
tp_check "... and (EC)DHE" grep -q 'Server Temp Key' "$TP_TMP/p.out"
grep -E '^(New|Reused)|Server Temp Key|Cipher is' "$TP_TMP/p.out" | sed 's/^/# /'
S -psk_identity ue-0001 -psk "ff${key:2}" >"$TP_TMP/pw.out"
tp_check "a wrong PSK fails that handshake" bash -c "! grep -q '^Reused' '$TP_TMP/pw.out'"
S -psk_identity nobody -psk "$key" >"$TP_TMP/pu.out"
tp_check "an unknown identity gets the certificate handshake" \
  bash -c "grep -q '^New, TLSv1.3' '$TP_TMP/pu.out' && grep -q 'CN *= *turn.test' '$TP_TMP/pu.out'"
tp_check "and a PSK client after them still completes" \
  bash -c "ip netns exec $TP_NS_C timeout 10 openssl s_client -connect 10.210.0.1:5349 -tls1_3 -psk_identity ue-0002 -psk $key </dev/null 2>&1 | grep -q '^Reused, TLSv1.3'"
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  tp_check "dp stops cleanly" tp_dp_stop
  grep -h '^tpasync:' "$TP_DP_LOG" | head -n 1 | sed 's/^/# /'
  tp_check "the provider did dp's TLS work (its operations paused: parked)" \
    bash -c "grep -h '^tpasync:' '$TP_DP_LOG' | grep -qE 'pauses=[1-9][0-9]* async_ops=[1-9][0-9]* sync_ops=0 '"
fi

[ "$TP_FAILS" -eq 0 ]
