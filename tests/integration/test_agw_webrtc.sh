#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A WebRTC client through the gateway (issue 68, slice 7): DTLS-SRTP on an
# RTP termination driven by the JSON door, real turnpike-dp and
# turnpike-cp, and a client no one here wrote: Debian's python3-aiortc 1.4
# in the clients' namespace (lib/webrtc/agw_webrtc.py), a plain RTP peer
# in the core's.
#   - aiortc offers (actpass, ICE, its fingerprint, PCMU only); the test
#     makes the context through the JSON door (turnpikectl agw create: the
#     access leg UDP/TLS/RTP/SAVPF with rtcp-mux, ICE-lite and DTLS from
#     aiortc's SDP; the core leg plain RTP/AVP to the core's peer) and
#     answers aiortc from the create's answer (our ICE ufrag and pwd, the
#     host candidate, our fingerprint, a=setup:active, a=tls-id);
#   - dp checks aiortc's certificate against the fingerprint signalled and
#     exports the keys: aiortc's PCMU reaches the core's peer byte-exact as
#     RTP payloads, the core's reaches aiortc byte-exact (decoded);
#   - agw show: DTLS-SRTP up, the role, cipher and SRTP profile, the
#     fingerprint verified; the event log's rtp_dtls_up; the metrics'
#     turnpike_agw_dtls_handshakes_total;
#   - dp killed mid-call and started again: cp installs the context with
#     the keys it kept, media resume both ways, no new handshake (dp's
#     handshake counters 0, cp's count 1);
#   - a second aiortc whose signalled fingerprint is wrong: refused (agw
#     show: failed, fingerprint_mismatch; rtp_dtls_failed in the event
#     log; turnpike_agw_dtls_failures_total), nothing reaches the core.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
# Debian's interpreter and its python3-aiortc, whatever python3 comes
# first in PATH
PY=/usr/bin/python3
$PY -c 'import aiortc' 2>/dev/null || tp_die "python3-aiortc missing (tools/bootstrap installs it)"
W="$PY $HERE/lib/webrtc/agw_webrtc.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
jt() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }
# st FILE EXPR: a figure of a status file
st() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
# at_least FILE KEY N: the status file's KEY is N or more
at_least() { [ "$(st "$1" "d['$2']" || echo 0)" -ge "$3" ] 2>/dev/null; }
# dpc NAME: dp's counter NAME summed over the workers (turnpikectl status)
dpc() {
  tp_ctl --json status | python3 -c "import json,sys; d=json.load(sys.stdin); print(sum(w['dp']['tcp'].get('$1', 0) for w in d['workers']))"
}

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"127.0.0.1:$((20000 + $$ % 20000))\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp and dp ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"
tp_check "cp has dp's DTLS-SRTP certificate (DTLS_CERT)" \
  tp_wait_log "$TP_CP_LOG" "dp's DTLS-SRTP certificate, generation 1: sha-256 " "$TP_CP_PID" "cp" 10

# ue NAME SEED SEED_IN: an aiortc client in the clients' namespace sending
# payloads of SEED, taking the core's of SEED_IN; its offer in
# NAME.offer(.json), its figures in NAME.st, stopped by NAME.stop
ue() {
  rm -f "$TP_TMP/$1".*
  $C $W ue 10.210.0.2 --offer "$TP_TMP/$1.offer" --answer "$TP_TMP/$1.answer" \
    --status "$TP_TMP/$1.st" --stop "$TP_TMP/$1.stop" --seed "$2" --seed-in "$3" \
    >"$TP_TMP/$1.out" 2>"$TP_TMP/$1.err" &
}
# call NAME [FP [CORE_PORT]]: the context for NAME's offer (aiortc's
# fingerprint, or FP in its place; the core's peer on CORE_PORT, 6004),
# its answer to aiortc in NAME.answer
call() {
  local o=$TP_TMP/$1.offer.json fp ufrag cand
  fp=${2:-$(j "$o" 'd["fingerprints"][0]')}
  ufrag=$(j "$o" 'd["ufrag"]')
  cand=$(j "$o" 'd["candidates"][0]')
  create "$1" --a "rtp=savpf,local=10.210.0.1,remote=$cand,rtcp_mux=true,ice=lite,ice_peer_ufrag=$ufrag,dtls=$(j "$o" 'd["setup"]'),dtls_fp=$fp" \
              --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:${3:-6004}" || return 1
  $W answer "$TP_TMP/$1.json" "$o" >"$TP_TMP/$1.answer.tmp" && mv "$TP_TMP/$1.answer.tmp" "$TP_TMP/$1.answer"
}

# ---- the JSON door's refusals, each with its sentence: nothing made
# refused SPEC PATTERN: agw create of an access leg SPEC fails saying PATTERN
refused() {
  ! tp_ctl agw create --a "rtp=savpf,local=10.210.0.1,$1" --b 'rtp=avp,local=10.211.0.1' \
      >"$TP_TMP/refused.out" 2>&1 && grep -q "$2" "$TP_TMP/refused.out"
}
fp1="sha-1 $(printf '11:%.0s' $(seq 19))11"
fp256="sha-256 $(printf 'AB:%.0s' $(seq 31))AB"
tp_check "a=setup:holdconn: refused by the door" \
  refused "rtcp_mux=true,dtls=holdconn,dtls_fp=$fp256" "must be the peer's a=setup"
tp_check "no fingerprint: refused (RFC 8122)" \
  refused "rtcp_mux=true,dtls=actpass" "needs the peer's a=fingerprint"
tp_check "sha-1 alone: refused, agw.allow_sha1 named" \
  refused "rtcp_mux=true,dtls=active,dtls_fp=$fp1" "only sha-1 fingerprints given, and agw.allow_sha1 is off"
tp_check "without rtcp-mux: refused" refused "dtls=active,dtls_fp=$fp256" "needs rtcp-mux"
tp_check "... and nothing was made" \
  bash -c "[ \"\$('$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"agw\"][\"rtp\"][\"contexts\"])')\" = 0 ]"

# ---- the call
ue ue 1 2
upid=$!
tp_need tp_wait_file "$TP_TMP/ue.offer.json" "$upid" "aiortc's offer" 20
sed 's/^/# offer: /' "$TP_TMP/ue.offer"
tp_check "aiortc offers actpass, its sha-256 fingerprint, a host candidate" \
  jt "$TP_TMP/ue.offer.json" "d['setup']=='actpass' and d['fingerprints'][0].startswith('sha-256 ') and len(d['candidates'])==1"
tp_check "a context from aiortc's offer (the JSON door: savpf, rtcp-mux, ICE-lite, DTLS actpass)" call ue
id=$(ctx_id ue)
pa=$(j "$TP_TMP/ue.json" 'd["legs"][0]["local"].rsplit(":",1)[1]')
pb=$(j "$TP_TMP/ue.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
echo "# context $id: aiortc's side port $pa, the core's port $pb"
sed 's/^/# answer: /' "$TP_TMP/ue.answer"
tp_check "the create's answer: a=setup:active (RFC 5763 section 5), our sha-256 fingerprint, a tls-id of 32, no keys" \
  jt "$TP_TMP/ue.json" "d['legs'][0]['dtls']['setup']=='active' and d['legs'][0]['dtls']['fingerprint'].startswith('sha-256 ') and len(d['legs'][0]['dtls']['tls_id'])==32 and d['legs'][0]['our_crypto'] is None and d['legs'][0]['dtls']['role']=='client' and d['legs'][0]['dtls']['assoc']==1"
rm -f "$TP_TMP/core.stop"
$P $W core 10.211.0.2 6004 10.211.0.1 "$pb" --status "$TP_TMP/core.st" --stop "$TP_TMP/core.stop" \
  --seed 2 --seed-in 1 >"$TP_TMP/core.out" 2>&1 &
cpid=$!
tp_check "aiortc's PCMU reaches the core (through ICE, DTLS-SRTP, SRTP to RTP)" \
  tp_wait_until 20 "the core's 50 packets" at_least "$TP_TMP/core.st" exact 50
tp_check "the core's reaches aiortc (RTP to SRTP, decoded by aiortc)" \
  tp_wait_until 10 "aiortc's 50 frames" at_least "$TP_TMP/ue.st" exact 50
echo "# ue: $(cat "$TP_TMP/ue.st"); core: $(cat "$TP_TMP/core.st")"
tp_check "byte-exact both ways: every payload the core got is one aiortc sent, every frame aiortc decoded one the core sent" \
  bash -c "[ \"\$($PY -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print(a[\"recv\"]==a[\"exact\"] and b[\"recv\"]==b[\"exact\"] and b[\"from\"]==[\"10.211.0.1:$pb\"])' "$TP_TMP/ue.st" "$TP_TMP/core.st")\" = True ]"
tp_ctl --json agw show "$id" >"$TP_TMP/show.json"
tp_ctl agw show "$id" >"$TP_TMP/show.txt" 2>&1
sed 's/^/# /' "$TP_TMP/show.txt"
tp_check "agw show: DTLS-SRTP up, dp the client, DTLS 1.2, an SRTP profile of aiortc's, the fingerprint verified, no key" \
  jt "$TP_TMP/show.json" "d['legs'][0]['dtls']['state']=='up' and d['legs'][0]['dtls']['role']=='client' and d['legs'][0]['dtls']['version']=='DTLSv1.2' and d['legs'][0]['dtls']['srtp_profile'] in ('SRTP_AES128_CM_SHA1_80','SRTP_AES128_CM_SHA1_32') and d['legs'][0]['dtls']['cipher'] and d['legs'][0]['dtls']['verified'] and d['legs'][0]['dtls']['matched']==1 and d['legs'][0]['dtls']['alg']=='sha-256' and d['legs'][0]['dtls']['handshakes']==1 and d['legs'][0]['our_crypto'] is None and d['legs'][0]['crypto'] is None"
tp_check "turnpikectl agw show prints it" grep -q "dtls up, role client, DTLSv1.2 .*, SRTP_AES128_CM_SHA1_[38]0, fingerprint sha-256 1 of 1 verified" "$TP_TMP/show.txt"
tp_ctl --json events --id "$id" >"$TP_TMP/events1.json"
tp_check "the event log: rtp_dtls_up, aiortc's address" \
  python3 -c "import json,sys; e=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; n=[x for x in e if x['type']=='rtp_dtls_up']; sys.exit(0 if len(n)==1 and n[0]['peer'].startswith('10.210.0.2:') else 1)" "$TP_TMP/events1.json"
curl -sf "http://127.0.0.1:$((20000 + $$ % 20000))/metrics" >"$TP_TMP/metrics1.txt"
tp_check "the metrics: one handshake of the JSON door's, dp the client" \
  grep -q '^turnpike_agw_dtls_handshakes_total{door="api",tenant="default",role="client"} 1$' "$TP_TMP/metrics1.txt"

# ---- dp killed mid-call: cp installs the context with the keys it kept
hs0=$(( $(dpc dsrtp_handshakes_client) + $(dpc dsrtp_handshakes_server) ))
u0=$(st "$TP_TMP/ue.st" "d['exact']")
c0=$(st "$TP_TMP/core.st" "d['exact']")
n0=$(grep -c 'dp restarted' "$TP_CP_LOG")
kill -KILL "$TP_DP_PID"; wait "$TP_DP_PID" 2>/dev/null; TP_DP_PID=
tp_dp_start "$TP_TMP/dp.conf"
tp_check "cp saw dp's restart" tp_wait_until 10 "cp's word" bash -c "[ \$(grep -c 'dp restarted' '$TP_CP_LOG') -gt $n0 ]"
tp_check "media from aiortc reach the core again (cp's keys, no handshake)" \
  tp_wait_until 25 "the core's 50 more" at_least "$TP_TMP/core.st" exact $((c0 + 50))
tp_check "media from the core reach aiortc again" \
  tp_wait_until 15 "aiortc's 50 more" at_least "$TP_TMP/ue.st" exact $((u0 + 50))
echo "# before: ue $u0 core $c0; ue: $(cat "$TP_TMP/ue.st"); core: $(cat "$TP_TMP/core.st")"
tp_ctl --json agw show "$id" >"$TP_TMP/show2.json"
hs1=$(( $(dpc dsrtp_handshakes_client) + $(dpc dsrtp_handshakes_server) ))
tp_check "no new handshake: the new dp started none ($hs1; the old one $hs0), cp heard none, the association as it was" \
  bash -c "[ $hs1 -eq 0 ] && $PY -c 'import json,sys; d=json.load(open(sys.argv[1]))[\"legs\"][0][\"dtls\"]; sys.exit(0 if d[\"state\"]==\"up\" and d[\"handshakes\"]==1 and d[\"assoc\"]==1 else 1)' '$TP_TMP/show2.json'"
tp_check "still byte-exact both ways" \
  bash -c "[ \"\$($PY -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print(a[\"recv\"]==a[\"exact\"] and b[\"recv\"]==b[\"exact\"])' "$TP_TMP/ue.st" "$TP_TMP/core.st")\" = True ]"
touch "$TP_TMP/ue.stop" "$TP_TMP/core.stop"
wait "$upid"; wait "$cpid"
tp_check "release" tp_ctl agw release "$id"

# ---- a wrong fingerprint signalled: refused, nothing reaches the core
ue bad 3 4
bpid=$!
tp_need tp_wait_file "$TP_TMP/bad.offer.json" "$bpid" "aiortc's second offer" 20
good=$(j "$TP_TMP/bad.offer.json" 'd["fingerprints"][0]')
# (its last octet changed)
wrong="${good%??}$( [ "${good: -2}" = "00" ] && echo 01 || echo 00)"
tp_check "a context for it, the fingerprint signalled not its" call bad "$wrong" 6006
bid=$(ctx_id bad)
pb2=$(j "$TP_TMP/bad.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
rm -f "$TP_TMP/core2.stop"
$P $W core 10.211.0.2 6006 10.211.0.1 "$pb2" --status "$TP_TMP/core2.st" --stop "$TP_TMP/core2.stop" \
  --seed 4 --seed-in 3 >"$TP_TMP/core2.out" 2>&1 &
c2pid=$!
failed() { tp_ctl --json agw show "$bid" >"$TP_TMP/show3.json" && jt "$TP_TMP/show3.json" "d['legs'][0]['dtls']['state']=='failed'"; }
tp_check "dp refused aiortc's certificate" tp_wait_until 20 "the handshake's end" failed
tp_ctl agw show "$bid" 2>&1 | sed 's/^/# /'
tp_check "agw show says why: fingerprint_mismatch, dp's sentence, nothing verified" \
  jt "$TP_TMP/show3.json" "d['legs'][0]['dtls']['why']=='fingerprint_mismatch' and 'fingerprint_mismatch' in d['legs'][0]['dtls']['detail'] and not d['legs'][0]['dtls']['verified']"
sleep 1
touch "$TP_TMP/bad.stop" "$TP_TMP/core2.stop"
wait "$bpid"; wait "$c2pid"
echo "# bad ue: $(cat "$TP_TMP/bad.st"); its core: $(cat "$TP_TMP/core2.st")"
tp_check "no media reached the core" jt "$TP_TMP/core2.st" "d['recv']==0"
tp_ctl --json events --id "$bid" >"$TP_TMP/events2.json"
tp_check "the event log: rtp_dtls_failed, reason fingerprint_mismatch" \
  python3 -c "import json,sys; e=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; n=[x for x in e if x['type']=='rtp_dtls_failed']; sys.exit(0 if len(n)>=1 and n[0]['reason']=='fingerprint_mismatch' else 1)" "$TP_TMP/events2.json"
curl -sf "http://127.0.0.1:$((20000 + $$ % 20000))/metrics" >"$TP_TMP/metrics2.txt"
tp_check "the metrics: the failure by its reason" \
  grep -q '^turnpike_agw_dtls_failures_total{door="api",tenant="default",reason="fingerprint_mismatch"} [1-9]' "$TP_TMP/metrics2.txt"
tp_check "release" tp_ctl agw release "$bid"
echo "# test_agw_webrtc: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
