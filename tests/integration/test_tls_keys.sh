#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TLS ticket keys and external PSKs from cp to every dp worker (issue 11),
# seen through dp's own counters (tlskeys_* in `turnpikectl status`, which
# each worker publishes from its struct tls_keys):
#   A. at start both workers get cp's key set (generation 1);
#   B. with cp.tls_ticket_rotate = 2 s, cp rotates and both workers follow,
#      on the same generation;
#   C. `turnpikectl psk add` (key on stdin) reaches both workers and the
#      store, `psk list` shows no key, `psk del` removes it everywhere;
#   D. a restarted dp gets the current key set and every PSK again;
#   E. a restarted cp makes new keys and sends the store's PSKs again.
# The handshakes themselves (a ticket resumes across workers, -psk) are
# tests/unit/test_tls_keys.c's; over dp's TCP they come with dp's TLS.
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

# ---- A. the first set -----------------------------------------------------------
tp_check "both workers took cp's key set at start" until_true 5 same_nonzero tickets_set
tp_check "... of one generation, the same on both" until_true 5 same_nonzero ticket_generation
g0=$(tk ticket_generation | cut -d' ' -f1)
echo "# generation at start: $g0"

# ---- B. rotation ------------------------------------------------------------------
sleep 5
tp_check "both workers follow cp's rotations (2 s), on the same generation" \
  until_true 3 same_nonzero ticket_generation $((g0 + 2))
g1=$(tk ticket_generation | cut -d' ' -f1)
r=$(cpstat tls_ticket_rotations)
echo "# generation after 5 s: $g1; cp's rotations: $r; sets taken: $(tk tickets_set)"
tp_check "cp counted its rotations" test "$r" -ge 2
tp_check "no TLS message refused by dp" is refused "0 0"
tp_check "cp's log says it rotates" grep -q 'TLS ticket keys rotated (generation' "$TP_CP_LOG"

# ---- C. PSKs ----------------------------------------------------------------------
key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
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

[ "$TP_FAILS" -eq 0 ]
