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
#   - cp killed mid-call and started again: it gets the context back from
#     dp with our tls-id as the create gave it (RFC 8842: what a re-offer
#     keeping the association is answered with), media go on, no handshake;
#   - our certificate reloaded (agw.dtls's files now): a call signalled
#     before the reload handshakes under the generation its SDP named, a
#     context made after it names the new certificate (generation 2);
#   - a second aiortc whose signalled fingerprint is wrong: refused (agw
#     show: failed, fingerprint_mismatch; rtp_dtls_failed in the event
#     log; turnpike_agw_dtls_failures_total), nothing reaches the core;
#   - back to a certificate of dp's making (no files), of 18 s
#     (agw.dtls.lifetime): dp renews it with a third of its life left, as
#     a new generation; a call signalled before the renewal handshakes
#     under the one its SDP named, a context made after names the new one.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
tp_debian_python aiortc python3-aiortc
W="$PY $HERE/lib/webrtc/agw_webrtc.py"
P="ip netns exec $TP_NS_P"
# st FILE EXPR: a figure of a status file
st() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
# at_least FILE KEY N: the status file's KEY is N or more
at_least() { [ "$(st "$1" "d['$2']" || echo 0)" -ge "$3" ] 2>/dev/null; }

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
good0=$(j "$TP_TMP/ue.offer.json" 'd["fingerprints"][0]')
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

# ---- cp killed mid-call: the new cp gets the context back from dp
# (RTP_STATE) with the association's tls-id of ours (RFC 8842 section 5:
# what it answers a re-offer that keeps the association with)
tid0=$(j "$TP_TMP/ue.json" 'd["legs"][0]["dtls"]["tls_id"]')
u1=$(st "$TP_TMP/ue.st" "d['exact']")
c1=$(st "$TP_TMP/core.st" "d['exact']")
kill -KILL "$TP_CP_PID"; wait "$TP_CP_PID" 2>/dev/null; TP_CP_PID=
rm -f "$TP_TMP/cp.sock"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "the new cp is ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"
tp_check "media from aiortc reach the core past cp's restart" \
  tp_wait_until 15 "the core's 50 more" at_least "$TP_TMP/core.st" exact $((c1 + 50))
tp_check "media from the core reach aiortc past cp's restart" \
  tp_wait_until 15 "aiortc's 50 more" at_least "$TP_TMP/ue.st" exact $((u1 + 50))
tp_ctl --json agw show "$id" >"$TP_TMP/show3.json"
hs2=$(( $(dpc dsrtp_handshakes_client) + $(dpc dsrtp_handshakes_server) ))
tp_check "the new cp: our tls-id as the create gave it ($tid0), setup active, the association up as it was, no handshake in dp ($hs2)" \
  bash -c "[ $hs2 -eq 0 ] && $PY -c 'import json,sys; d=json.load(open(sys.argv[1]))[\"legs\"][0][\"dtls\"]; sys.exit(0 if d[\"tls_id\"]==sys.argv[2] and d[\"setup\"]==\"active\" and d[\"state\"]==\"up\" and d[\"assoc\"]==1 and d[\"fingerprint\"].startswith(\"sha-256 \") else 1)' '$TP_TMP/show3.json' '$tid0'"
touch "$TP_TMP/ue.stop" "$TP_TMP/core.stop"
wait "$upid"; wait "$cpid"
tp_check "release" tp_ctl agw release "$id"

# ---- our certificate reloaded (agw.dtls's files now): a call signalled
# before the reload handshakes under the certificate its SDP named (the
# generation before), a context made after it names the new one
ue rl 5 6
rpid=$!
tp_need tp_wait_file "$TP_TMP/rl.offer.json" "$rpid" "aiortc's offer before the reload" 20
o=$TP_TMP/rl.offer.json
tp_check "a context for it before the reload" \
  create rl --a "rtp=savpf,local=10.210.0.1,remote=$(j "$o" 'd["candidates"][0]'),rtcp_mux=true,ice=lite,ice_peer_ufrag=$(j "$o" 'd["ufrag"]'),dtls=$(j "$o" 'd["setup"]'),dtls_fp=$(j "$o" 'd["fingerprints"][0]')" \
    --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6008"
rid=$(ctx_id rl)
pb3=$(j "$TP_TMP/rl.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
old_fp=$(j "$TP_TMP/rl.json" 'd["legs"][0]["dtls"]["fingerprint"]')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=agw-dtls \
  -keyout "$TP_TMP/dtls.key" -out "$TP_TMP/dtls.pem" >/dev/null 2>&1
new_fp="sha-256 $(openssl x509 -in "$TP_TMP/dtls.pem" -noout -fingerprint -sha256 | cut -d= -f2)"
tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"127.0.0.1:$((20000 + $$ % 20000))\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64;
        dtls = { certificate = \"$TP_TMP/dtls.pem\"; private_key = \"$TP_TMP/dtls.key\"; }; };"
kill -HUP "$TP_DP_PID"
tp_check "dp reloaded: DTLS-SRTP serves the files' certificate as generation 2" \
  tp_wait_log "$TP_DP_LOG" "DTLS-SRTP serves '$TP_TMP/dtls.pem' ($new_fp) as generation 2" "$TP_DP_PID" "dp" 10
tp_check "cp heard it (DTLS_CERT)" \
  tp_wait_log "$TP_CP_LOG" "dp's DTLS-SRTP certificate, generation 2: $new_fp" "$TP_CP_PID" "cp" 10
$W answer "$TP_TMP/rl.json" "$o" >"$TP_TMP/rl.answer.tmp" && mv "$TP_TMP/rl.answer.tmp" "$TP_TMP/rl.answer"
rm -f "$TP_TMP/core3.stop"
$P $W core 10.211.0.2 6008 10.211.0.1 "$pb3" --status "$TP_TMP/core3.st" --stop "$TP_TMP/core3.stop" \
  --seed 6 --seed-in 5 >"$TP_TMP/core3.out" 2>&1 &
c3pid=$!
tp_check "the call signalled before the reload: aiortc's media reach the core (the old certificate, as its SDP said)" \
  tp_wait_until 20 "the core's 25 packets" at_least "$TP_TMP/core3.st" exact 25
tp_check "... and the core's reach aiortc" \
  tp_wait_until 10 "aiortc's 25 frames" at_least "$TP_TMP/rl.st" exact 25
tp_ctl --json agw show "$rid" >"$TP_TMP/show4.json"
tp_check "agw show: up, under the generation before (1)" \
  jt "$TP_TMP/show4.json" "d['legs'][0]['dtls']['state']=='up' and d['legs'][0]['dtls']['cert_gen']==1"
touch "$TP_TMP/rl.stop" "$TP_TMP/core3.stop"
wait "$rpid"; wait "$c3pid"
# new_named: a context made now answers with the new certificate's
new_named() {
  create rl2 --a "rtp=savpf,local=10.210.0.1,remote=10.210.0.2:5000,rtcp_mux=true,ice=lite,dtls=actpass,dtls_fp=$good0" \
    --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6010" &&
    [ "$(j "$TP_TMP/rl2.json" 'd["legs"][0]["dtls"]["fingerprint"]')" = "$new_fp" ] &&
    jt "$TP_TMP/rl2.json" "d['legs'][0]['dtls']['cert_gen']==2"
}
tp_check "a context made after the reload names the new certificate, generation 2 ($new_fp; before: $old_fp)" new_named
tp_ctl agw release "$(ctx_id rl2)" >/dev/null
tp_check "release" tp_ctl agw release "$rid"

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

# ---- a certificate of dp's own again, of 18 s: renewed at 12 s (a
# third left) as a new generation; a call signalled under the one before
# still handshakes under it
ue rn 7 8
npid=$!
tp_need tp_wait_file "$TP_TMP/rn.offer.json" "$npid" "aiortc's offer before the renewal" 20
o=$TP_TMP/rn.offer.json
tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"127.0.0.1:$((20000 + $$ % 20000))\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; dtls = { lifetime = 18; }; };"
kill -HUP "$TP_DP_PID"
tp_check "dp reloaded: a certificate of its making, generation 3" \
  tp_wait_log "$TP_DP_LOG" "reload: DTLS-SRTP serves 'made now, ECDSA P-256' (sha-256 .*) as generation 3" "$TP_DP_PID" "dp" 10
tp_check "cp heard it" tp_wait_log "$TP_CP_LOG" "dp's DTLS-SRTP certificate, generation 3: " "$TP_CP_PID" "cp" 10
tp_check "a context for aiortc's offer under generation 3" \
  create rn --a "rtp=savpf,local=10.210.0.1,remote=$(j "$o" 'd["candidates"][0]'),rtcp_mux=true,ice=lite,ice_peer_ufrag=$(j "$o" 'd["ufrag"]'),dtls=$(j "$o" 'd["setup"]'),dtls_fp=$(j "$o" 'd["fingerprints"][0]')" \
    --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6012"
nid=$(ctx_id rn)
pb4=$(j "$TP_TMP/rn.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
fp3=$(j "$TP_TMP/rn.json" 'd["legs"][0]["dtls"]["fingerprint"]')
tp_check "dp renewed it with a third of its life left: generation 4" \
  tp_wait_log "$TP_DP_LOG" "renewal: DTLS-SRTP serves 'made now, ECDSA P-256' (sha-256 .*) as generation 4" "$TP_DP_PID" "dp" 16
tp_check "cp heard the renewal" tp_wait_log "$TP_CP_LOG" "dp's DTLS-SRTP certificate, generation 4: " "$TP_CP_PID" "cp" 10
$W answer "$TP_TMP/rn.json" "$o" >"$TP_TMP/rn.answer.tmp" && mv "$TP_TMP/rn.answer.tmp" "$TP_TMP/rn.answer"
rm -f "$TP_TMP/core4.stop"
$P $W core 10.211.0.2 6012 10.211.0.1 "$pb4" --status "$TP_TMP/core4.st" --stop "$TP_TMP/core4.stop" \
  --seed 8 --seed-in 7 >"$TP_TMP/core4.out" 2>&1 &
c4pid=$!
tp_check "the call signalled before the renewal: aiortc's media reach the core" \
  tp_wait_until 10 "the core's 25 packets" at_least "$TP_TMP/core4.st" exact 25
tp_ctl --json agw show "$nid" >"$TP_TMP/show5.json"
tp_check "agw show: up, under generation 3, as its SDP said" \
  jt "$TP_TMP/show5.json" "d['legs'][0]['dtls']['state']=='up' and d['legs'][0]['dtls']['cert_gen']==3"
touch "$TP_TMP/rn.stop" "$TP_TMP/core4.stop"
wait "$npid"; wait "$c4pid"
renewed_named() {
  create rn2 --a "rtp=savpf,local=10.210.0.1,remote=10.210.0.2:5000,rtcp_mux=true,ice=lite,dtls=actpass,dtls_fp=$good0" \
    --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6014" &&
    [ "$(j "$TP_TMP/rn2.json" 'd["legs"][0]["dtls"]["fingerprint"]')" != "$fp3" ] &&
    jt "$TP_TMP/rn2.json" "d['legs'][0]['dtls']['cert_gen']>=4"
}
tp_check "a context made after the renewal names the renewed certificate (not $fp3)" renewed_named
tp_ctl agw release "$(ctx_id rn2)" >/dev/null
tp_check "release" tp_ctl agw release "$nid"
echo "# test_agw_webrtc: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
