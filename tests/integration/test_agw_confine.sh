#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A context answers to its own door and tenant, and each door and tenant
# holds its quota of live contexts: the real dp and cp, Erlang/OTP's megaco
# as the IMS-ALG on Iq (tests/integration/iq), a member of cp.agw_group
# (not an operator) as the JSON door's controller, root as the operator.
# No leg connects: the contexts wait within agw.setup_timeout.
#   A. The Iq controller cannot audit, modify, subtract or W-Subtract a
#      context made over the JSON door, of its own tenant even: 411, as
#      an unknown ContextID; the context is untouched.
#   B. The controller role cannot show, modify, subtract or release a
#      context made over Iq (the words of an id that never was), nor read
#      its events or list it; it reaches another tenant's context only by
#      naming that tenant (--tenant). The operator shows it (door iq) and
#      releases it: the Iq controller is told (Notify g/cause NR).
#   C. Quotas (agw.quota api 4, iq 2; tenant mvno-a's agw_contexts 1):
#      mvno-a's second context refused naming its quota while the default
#      tenant still creates; the JSON door's fifth refused naming
#      agw.quota.api while Iq still adds; Iq's third refused 510 naming
#      agw.quota.iq while the JSON door, one released, creates again;
#      each refusal counted in status and the metrics, the live contexts
#      by door and tenant too.
#   D. The counts stay exact: after a cp restart (the contexts taken back
#      from dp) the quotas still refuse, door and tenant; a reload raises
#      agw.quota.iq at once; after dp's restart every context is gone and
#      both doors create again.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
start=$SECONDS
h248_require_megaco
H248_DIR=$TP_TMP
UE=10.210.0.2 CORE=10.211.0.2

# the controllers' group (the JSON door's controller role), removed at the end
CTLGROUP=tpagw$$
groupadd "$CTLGROUP" || tp_die "groupadd failed"

base=$((40000 + ($$ % 5000) * 2))   # (the metrics endpoint takes 20000-39999 by pid)
MGCP=$base; IQP=$((base + 1))
h248_start mgc --listen 127.0.0.1:$MGCP --timeout 5000 || tp_die "the MGC did not start: $H248_LINE"
trap 'rc=$?; h248_kill mgc 2>/dev/null; groupdel "$CTLGROUP" 2>/dev/null; (exit $rc); tp_cleanup' EXIT

maddr=127.0.0.1:$((20000 + $$ % 20000))
PER_WORKER=16
write_conf() {   # write_conf IQ_QUOTA
  tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" \
    "$(tp_turn_groups "agw_group = \"$CTLGROUP\"; metrics = \"$maddr\";")
agw = { ports = [20000, 20999]; max_contexts = $PER_WORKER; setup_timeout = 600;
        quota = { api = 4; iq = $1; }; };
iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$MGCP\"]; };
tenants = ( { name = \"mvno-a\"; realm = \"a.turnpike.test\"; addresses = [\"10.210.0.11\"];
              agw_contexts = 1; } );"
}
write_conf 2
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

mgc() { h248_expect mgc "$1" "$2" 20; }
sdp() { h248_sdp "$@"; }
# iq_add: an Iq context of one plain termination towards the UE (we
# accept, g/cause asked for); CTX and TERM are its names
iq_add() {
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local { $(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *' 'a=setup:passive') }, Remote { $(sdp "c=IN IP4 $UE" 'm=message 9 TCP/MSRP *' 'a=setup:active') } } }, Events = 7 { g/cause } } }" \
    "${1:-^REPLY [0-9]+ ctx=[0-9]+ }"
}
grab_add() { CTX=$(h248_grab 'ctx=([0-9]+)'); TERM=$(h248_grab 'Add = ([^ ]+) '); }
# the AGW id of H.248 context $1 (agw list's "h248")
id_of_h248() {
  tp_ctl --json agw list | python3 -c 'import json,sys
for c in json.load(sys.stdin)["contexts"]:
    if c.get("h248", {}).get("context") == int(sys.argv[1]): print(c["id"])' "$1"
}
# the H.248 ContextID cp/iq would give AGW id $1 (cp/iq/iq_term.c
# iq_ctx_h248(): its slot among every worker's, its generation): one worker
h248_of_id() {
  python3 -c 'import sys
i, per = int(sys.argv[1]), int(sys.argv[2])
w, slot, gen = i >> 56, (i >> 32) & 0xffffff, i & 0xffffffff
total = 1 * per
print(1 + w * per + slot + total * (gen % ((0xfffffffe - 1) // total)))' "$1" "$PER_WORKER"
}
J2='--a tcp=server,local=10.210.0.1,remote=10.210.0.2 --b tcp=server,local=10.211.0.1,remote=10.211.0.2'
chmod 755 "$TP_TMP"   # (the socket's folder: the controller reaches the socket's ACL)
asctl() { setpriv --reuid=nobody --regid=nogroup --groups="$(getent group "$CTLGROUP" | cut -d: -f3)" \
            "$TP_BUILD/cp/ctl/turnpikectl" --socket "$TP_TMP/cp.sock" "$@"; }
# as_create NAME ARGS...: the controller's agw create, as create does
as_create() {
  local name=$1; shift
  asctl --json agw create "$@" >"$TP_TMP/$name.json" 2>"$TP_TMP/$name.err" ||
    { sed 's/^/# /' "$TP_TMP/$name.err"; return 1; }
}
# refused_as ID OUTFILE: OUTFILE says "no context ID (released already?)"
refused_as() { grep -q "no context $1 (released already?)" "$2"; }
released() {   # released ID: its released event (waits 10 s)
  tp_ctl events --id "$1" --follow --until released --timeout 10 >/dev/null 2>&1
}
# untouched ID: installing, its first leg's remote as made, no event
untouched() {
  [ "$(tp_ctl --json agw show "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["state"], d["legs"][0]["remote"], d["door"])')" = "installing 10.210.0.2 api" ] &&
    [ -z "$(tp_ctl events --id "$1")" ]
}
# refused_words RC OUT ID: a failure answered "no context ID (released already?)"
refused_words() { [ "$1" -ne 0 ] && refused_as "$3" "$2"; }
# has_lines FILE LINE...: each LINE is a whole line of FILE
has_lines() {
  local f=$1 l; shift
  for l in "$@"; do grep -qxF "$l" "$f" || { echo "#   no line '$l'"; return 1; }; done
}
# no_events_of ID: the controller's events hold none of context ID's
no_events_of() {
  local rc
  asctl events >"$TP_TMP/asev.out" 2>&1; rc=$?
  [ "$rc" -eq 0 ] && ! grep -q " ctx=$1 " "$TP_TMP/asev.out"
}
st() { tp_ctl --json status | python3 -c 'import json,sys; d=json.load(sys.stdin)["agw"]; print(eval(sys.argv[1]))' "$1"; }
scrape() { python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://$maddr/metrics"; }

tp_check "cp registers with the controller" \
  mgc "wait-registered 15000" '^OK registered n=1 peer=[^ ]+ method=restart reason=901'
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered

# ---- A. the Iq controller and a JSON context --------------------------------------
echo "# [$((SECONDS - start)) s] section A"
# shellcheck disable=SC2086
create j $J2 || tp_die "create: $(cat "$TP_TMP/j.err")"
J=$(ctx_id j); HJ=$(h248_of_id "$J")
echo "# JSON context $J is H.248 context $HJ to cp/iq's numbering"
tp_check "the Iq controller's AuditValue of the JSON door's context (of its own tenant): 411" \
  mgc "send Context = $HJ { AuditValue = tcp/0/1 { Audit { Statistics } } }" '^ERROR [0-9]+ 411 '
tp_check "... its Modify: 411" \
  mgc "send Context = $HJ { Modify = tcp/0/1 { Events = 8 { g/cause } } }" '^ERROR [0-9]+ 411 '
tp_check "... its Modify of the Remote: 411" \
  mgc "send Context = $HJ { Modify = tcp/0/1 { Media { Stream = 1 { Remote { $(sdp 'c=IN IP4 10.210.0.3' 'm=message 9 TCP/MSRP *' 'a=setup:active') } } } } }" '^ERROR [0-9]+ 411 '
tp_check "... its Subtract: 411" mgc "send Context = $HJ { Subtract = tcp/0/1 }" '^ERROR [0-9]+ 411 '
tp_check "... its W-Subtract=*: 411" mgc "send Context = $HJ { W-Subtract = * }" '^ERROR [0-9]+ 411 '
tp_check "... answered as an unknown ContextID is" \
  grep -q 'unknown ContextId' <<<"$H248_LINE"
tp_check "... and the context is untouched: installing, its remote as made, no event" \
  untouched "$J"

# ---- B. the JSON controller role and an Iq context -----------------------------------
echo "# [$((SECONDS - start)) s] section B"
tp_check "an Iq Add makes a context" iq_add
grab_add; Q=$(id_of_h248 "$CTX"); CTXQ=$CTX
echo "# Iq context $CTXQ is AGW context $Q"
NEVER=$((Q + 1000))
asctl agw show "$NEVER" >"$TP_TMP/never.out" 2>&1
tp_check "the controller role: an id never given is 'no context N (released already?)'" \
  refused_as "$NEVER" "$TP_TMP/never.out"
for v in "show" "release" "modify-leg --leg a --remote 10.210.0.3:5000" "subtract-leg --leg a" \
         "add-leg --term tcp=client,remote=10.211.0.2:5000"; do
  # shellcheck disable=SC2086
  asctl agw $v "$Q" >"$TP_TMP/b.out" 2>&1; rc=$?
  tp_check "... agw $v of the Iq context: refused in the same words ($(head -1 "$TP_TMP/b.out" | cut -c1-80))" \
    refused_words "$rc" "$TP_TMP/b.out" "$Q"
done
tp_ctl agw show "$Q" >"$TP_TMP/q.show" 2>&1
tp_check "... the Iq context is still there: the operator shows it (door iq, its H.248 name)" \
  grep -q "door iq (H.248 context $CTXQ" "$TP_TMP/q.show"
tp_check "the controller creates a context of its own" as_create jc $J2
JC=$(ctx_id jc)
asctl --json agw list >"$TP_TMP/aslist.json" 2>"$TP_TMP/aslist.err"
got=$(j "$TP_TMP/aslist.json" '(sorted(c["id"] for c in d["contexts"]), d["count"])' 2>&1)
want=$(python3 -c 'import sys; print((sorted([int(sys.argv[1]), int(sys.argv[2])]), 2))' "$J" "$JC")
tp_check "... its list: the JSON door's default-tenant contexts $want, not the Iq one (got $got $(cut -c1-100 "$TP_TMP/aslist.err"))" \
  test "$got" = "$want"
tp_check "the controller creates a context of tenant mvno-a (--tenant)" \
  as_create ta $J2 --tenant mvno-a
TA=$(ctx_id ta)
asctl agw show "$TA" >"$TP_TMP/ta.out" 2>&1
tp_check "... without --tenant it does not reach it (the default tenant's view)" refused_as "$TA" "$TP_TMP/ta.out"
asctl agw show "$TA" --tenant mvno-a >"$TP_TMP/ta2.out" 2>&1
tp_check "... with --tenant mvno-a it does (tenant mvno-a)" grep -q "tenant mvno-a" "$TP_TMP/ta2.out"
asctl agw show "$J" --tenant mvno-a >"$TP_TMP/jm.out" 2>&1
tp_check "... and naming mvno-a it does not reach the default tenant's" refused_as "$J" "$TP_TMP/jm.out"
tp_check "the operator's list: all four, each with its door and tenant" \
  test "$(tp_ctl --json agw list | python3 -c 'import json,sys; print(sorted((c["door"], c["tenant"]) for c in json.load(sys.stdin)["contexts"]))')" = \
       "[('api', 'default'), ('api', 'default'), ('api', 'mvno-a'), ('iq', 'default')]"
tp_check "the operator releases the Iq context" tp_ctl agw release "$Q"
tp_check "... and the Iq controller is told: Notify g/cause NR, controller" \
  mgc "wait-notify 10000" "^OK notify n=[0-9]+ .*Context = $CTXQ .*generalcause *= *nr.*\"controller: "
released "$Q"
tp_ctl events --id "$Q" >"$TP_TMP/qev.out" 2>&1
tp_check "... its released event is the operator's to read" grep -q " released cause=controller" "$TP_TMP/qev.out"
tp_check "... not the controller role's: its events hold none of the Iq context's" no_events_of "$Q"

# ---- C. quotas per door and per tenant --------------------------------------------------
echo "# [$((SECONDS - start)) s] section C"
# now: api 3 (j, jc: default; ta: mvno-a), iq 0
as_create tb $J2 --tenant mvno-a
tp_check "mvno-a's second context: refused naming its quota ($(cut -c1-120 "$TP_TMP/tb.err"))" \
  grep -q "tenant 'mvno-a' holds 1 live contexts, its quota (its agw_contexts 1)" "$TP_TMP/tb.err"
tp_check "... the default tenant still creates (the JSON door's fourth)" as_create jd $J2
JD=$(ctx_id jd)
create je $J2
tp_check "the JSON door's fifth: refused naming agw.quota.api ($(cut -c1-120 "$TP_TMP/je.err"))" \
  grep -q "the JSON API door holds 4 live contexts, its quota (agw.quota.api 4)" "$TP_TMP/je.err"
tp_check "... the Iq door still adds (one)" iq_add
grab_add; CTX1=$CTX
tp_check "... (two)" iq_add
grab_add; CTX2=$CTX
tp_check "Iq's third: 510 naming agw.quota.iq" iq_add '^ERROR [0-9]+ 510 .*agw.quota.iq 2'
tp_ctl agw release "$JD" >/dev/null; released "$JD"
tp_check "... while the JSON door, one of its contexts released, creates again" create jf $J2
tp_check "each refusal counted by quota in status (api, iq, tenant)" \
  test "$(st 'd["refused_quota_api"], d["refused_quota_iq"], d["refused_quota_tenant"], d["contexts_by_door"]')" = \
       "(1, 1, 1, {'api': 4, 'iq': 2, 'ng': 0})"
scrape >"$TP_TMP/metrics.txt"
tp_check "... and in the metrics, with the live contexts by door and tenant" \
  has_lines "$TP_TMP/metrics.txt" 'turnpike_agw_refused_quota_api_total 1' \
    'turnpike_agw_refused_quota_iq_total 1' 'turnpike_agw_refused_quota_tenant_total 1' \
    'turnpike_agw_contexts{door="api",tenant="default"} 3' \
    'turnpike_agw_contexts{door="api",tenant="mvno-a"} 1' \
    'turnpike_agw_contexts{door="iq",tenant="default"} 2' \
    'turnpike_agw_contexts{door="iq",tenant="mvno-a"} 0'

# ---- D. the counts through restarts and a reload ------------------------------------------
echo "# [$((SECONDS - start)) s] section D"
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp restarted: it registers again (902 Warm Boot: contexts outlived it)" \
  mgc "wait-registered 15000" '^OK registered n=2 .*reason=902'
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered
tp_check "... it took the contexts back with their doors and tenants (api 4, iq 2)" \
  test "$(st 'd["restored_from_dp"], d["contexts_by_door"]')" = "(6, {'api': 4, 'iq': 2, 'ng': 0})"
create jg $J2
tp_check "... the JSON door's quota still refuses" grep -q "agw.quota.api 4" "$TP_TMP/jg.err"
JF=$(ctx_id jf)
tp_ctl agw release "$JF" >/dev/null; released "$JF"
as_create th $J2 --tenant mvno-a
tp_check "... mvno-a's still refuses, the door below its quota" \
  grep -q "tenant 'mvno-a' holds 1" "$TP_TMP/th.err"
tp_check "... Iq's still refuses (510)" iq_add '^ERROR [0-9]+ 510 .*agw.quota.iq'
tp_check "... the Iq controller still audits its own context (its ContextID the same)" \
  mgc "send Context = $CTX1 { AuditValue = tcp/0/1 { Audit { Statistics } } }" "^REPLY [0-9]+ ctx=$CTX1 "
write_conf 3
tp_ctl reload >"$TP_TMP/reload.out" 2>&1
tp_check "a reload raises agw.quota.iq at once ($(grep -o 'agw.quota.iq[^"]*' "$TP_TMP/reload.out" | head -1))" \
  grep -q 'agw.quota.iq 2 -> 3' "$TP_TMP/reload.out"
tp_check "... Iq adds its third" iq_add
tp_dp_stop >/dev/null
tp_dp_start "$TP_TMP/dp.conf"
tp_ctl ready --wait 20 >/dev/null 2>&1
for _ in $(seq 100); do
  [ "$(st 'd["contexts_by_door"]')" = "{'api': 0, 'iq': 0, 'ng': 0}" ] && break
  sleep 0.2
done
tp_check "dp restarted: every context released, no door or tenant counts any" \
  test "$(st 'd["contexts_by_door"], d["contexts"]')" = "({'api': 0, 'iq': 0, 'ng': 0}, 0)"
tp_check "... mvno-a creates again" as_create ti $J2 --tenant mvno-a
tp_check "... the Iq door adds again" iq_add

echo "# [$((SECONDS - start)) s] done"
[ $TP_FAILS -eq 0 ]
