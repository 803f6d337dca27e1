#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A WebRTC client and a SIP phone through the ng door (issue 68; cp/ng/
# FEATURE.md "DTLS-SRTP"), both ways, as a Kamailio serving WebRTC clients
# drives its rtpengine: Debian's python3-aiortc (1.4) on the access side
# (DTLS-SRTP, full ICE, PCMU), a plain RTP/AVP peer on the core side
# (lib/webrtc/ng_webrtc.py, both ends), requests by lib/ng.py:
#   - WebRTC -> SIP: aiortc's offer (UDP/TLS/RTP/SAVPF, actpass, its
#     fingerprint and ICE) through `offer` (ICE=remove,
#     transport-protocol=RTP/AVP, rtcp-mux-demux) reaches the SIP side as RTP/AVP with no
#     ICE, DTLS or a=crypto line; the SIP side's answer (ICE=force) reaches
#     aiortc as UDP/TLS/RTP/SAVPF with a=setup:active, a fingerprint, ICE
#     and rtcp-mux, aiortc's a=mid; aiortc takes it, ICE and DTLS come up;
#     100 PCMU frames each way: aiortc's payloads byte-exact at the SIP
#     side, the SIP side's received by aiortc byte-exact;
#   - query (turnpike): the WebRTC leg flagged DTLS-SRTP and ICE, its DTLS
#     up as client, the fingerprint verified, its ICE consent fresh; the
#     SIP leg neither;
#   - aiortc closes (its ICE checks stop): agw.ice_consent_ms (3 s) later
#     query says its consent is lost;
#   - SIP -> WebRTC: the SIP side's offer (RTP/AVP, no ICE) with ICE=force
#     DTLS=passive transport-protocol=UDP/TLS/RTP/SAVPF rtcp-mux-offer
#     SDES-off (a Kamailio's flags towards a browser) reaches
#     aiortc as UDP/TLS/RTP/SAVPF with a=setup:actpass, our fingerprint
#     and ICE-lite, no a=crypto; aiortc's answer (active) through `answer`
#     reaches the SIP side as RTP/AVP with none of aiortc's lines; media
#     both ways byte-exact as above; query: DTLS up, us the server;
#   - a wrong fingerprint: aiortc's offer gives a fingerprint that is not
#     its certificate's: the handshake fails, aiortc's connection fails,
#     nothing reaches the SIP side; query (turnpike): DTLS failed, why.
#   - audio and video from one aiortc (PCMU and VP8): its offer groups
#     them (a=group:BUNDLE, the MID extension) with a port a section;
#     without ng's `bundle` flag each section keeps its transport (two of
#     the proxy's ports, as rtpengine 10.5 answers): the SIP side gets two
#     RTP/AVP sections, PCMU byte-exact both ways, every VP8 packet aiortc
#     sent at the SIP side's video port byte-exact, the SIP side's video
#     packets at aiortc byte-exact and in order.
#   - the same bundled: a second aiortc's offer through `offer` with
#     bundle=accept (rtpengine mr14's list ["accept"]; Kamailio 5.6's
#     module passes "bundle=accept" as the string "accept", which the door
#     takes too: test_webrtc_sip's call 3): the SIP side still gets two RTP/AVP sections on
#     two ports, no BUNDLE line; our answer to aiortc has a=group:BUNDLE
#     0 1, both sections on one port with our ICE and DTLS lines in each
#     and no MID a=extmap (we send no MID); aiortc's ICE nominates one 5-tuple for both
#     (one of the proxy's ports); PCMU and VP8 both ways byte-exact as
#     unbundled; query: DTLS up on both sections. Run beside the
#     unbundled call (its media at the same time). Skipped under
#     rtpengine 10.5, which has no BUNDLE.
# TP_NG_PROXY=rtpengine: the same calls through rtpengine-daemon (10.5) in
# a namespace of its own (turnpike's own checks, query's DTLS and ICE,
# left out). rtpengine 10.5 writes a=rtcp:PORT without an address, which
# aiortc's parser refuses: ng_webrtc.py gives it the c= address.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/rtpengine_env.sh"
tp_env_init
start=$SECONDS
PROXY=${TP_NG_PROXY:-turnpike}
UE=10.210.0.2 CORE=10.211.0.2         # aiortc's and the SIP side's ends
ACC=10.210.0.1 COR=10.211.0.1         # the proxy's access and core addresses
N=${NG_WEBRTC_FRAMES:-100}
# Debian's interpreter and its python3-aiortc, whatever python3 comes first
PY=/usr/bin/python3
$PY -c 'import aiortc' 2>/dev/null || tp_die "python3-aiortc missing (tools/bootstrap installs it)"
W="$PY $HERE/lib/webrtc/ng_webrtc.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
NGX=                                  # where the ng client runs (the proxy's namespace)
NG_HOST=127.0.0.1
NG_PORT=$((47000 + $$ % 2000))
NS_R=${TP_ID}r
RTPE_NS=$NS_R

webrtc_cleanup() {
  local rc=$?
  rtpe_cleanup
  (exit $rc)
  tp_cleanup
}
trap webrtc_cleanup EXIT

start_turnpike() {
  tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; ice_consent_ms = 3000; };
ng = { listen = \"$NG_HOST:$NG_PORT\"; allow = [\"127.0.0.1/32\"]; };"
  tp_dp_start "$TP_TMP/dp.conf"
  tp_cp_start "$TP_TMP/dp.conf"
  tp_ctl ready --wait 20 >/dev/null || tp_die "turnpike-cp and dp not ready"
}

start_rtpengine() {
  ip netns add "$NS_R" && ip netns add "$TP_NS_C" && ip netns add "$TP_NS_P" ||
    tp_die "cannot make the namespaces"
  local ns
  for ns in "$NS_R" "$TP_NS_C" "$TP_NS_P"; do ip -n "$ns" link set lo up; done
  ip -n "$NS_R" link add acc0 type veth peer name acc1 netns "$TP_NS_C" &&
    ip -n "$NS_R" link add cor0 type veth peer name cor1 netns "$TP_NS_P" ||
    tp_die "cannot make the veths"
  ip -n "$NS_R" addr add $ACC/24 dev acc0; ip -n "$NS_R" addr add $COR/24 dev cor0
  ip -n "$TP_NS_C" addr add $UE/24 dev acc1; ip -n "$TP_NS_P" addr add $CORE/24 dev cor1
  ip -n "$NS_R" link set acc0 up; ip -n "$NS_R" link set cor0 up
  ip -n "$TP_NS_C" link set acc1 up; ip -n "$TP_NS_P" link set cor1 up
  rtpe_start --interface=access/$ACC --interface=core/$COR --listen-ng=$NG_HOST:$NG_PORT \
    --port-min=40000 --port-max=40999
  NGX="ip netns exec $NS_R"
}

case "$PROXY" in
  turnpike) start_turnpike ;;
  rtpengine) start_rtpengine ;;
  *) tp_die "TP_NG_PROXY: turnpike or rtpengine, not $PROXY" ;;
esac
TP=0; [ "$PROXY" = turnpike ] && TP=1
echo "# proxy $PROXY, ng at $NG_HOST:$NG_PORT, up in $((SECONDS - start)) s"

# ng NAME PY: PY run with c (a client to the door), json and sdp(FILE)
# (a file's text); the JSON it prints into NAME.json
ng() {
  $NGX env PYTHONPATH="$HERE/lib" python3 -c "
import json, sys, ng
c = ng.Client('$NG_HOST', $NG_PORT, timeout=5)
sdp = lambda f: open(f, newline='').read()
$2" >"$TP_TMP/$1.json"
}
# jt NAME EXPR: EXPR holds of NAME.json (d; s its SDP's lines); says why not
jt() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d.get('sdp','').replace('\r\n','\n').split('\n') if isinstance(d, dict) else []; sys.exit(0 if ($2) else 1)" \
    "$TP_TMP/$1.json" || { echo "# $1: $(head -c 2500 "$TP_TMP/$1.json")"; return 1; }
}
# port NAME: the m=audio port of NAME's SDP
port() { j "$TP_TMP/$1.json" '[l.split()[1] for l in d["sdp"].splitlines() if l.startswith("m='"${2:-audio}"' ")][0]'; }
# wait_for FILE SECS
wait_for() { local i; for i in $(seq $(($2 * 20))); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }
# stream NAME TAG: the first medium's first stream of TAG in query NAME (python)
stream() { echo "d['tags']['$2']['medias'][0]"; }
sip_sdp() { printf 'v=0\r\no=sip 2002 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n' "$CORE" "$CORE" "$1"; }
KAM="'replace':['origin','session-connection'],'flags':['trust-address']"
# (no ICE, DTLS or SDES line of aiortc's, or of ours, towards the SIP side)
PLAIN="not any(l.startswith(('a=ice-','a=candidate','a=fingerprint','a=setup','a=tls-id','a=crypto')) for l in s)"

# av_sips DIR SEED PA PV APORT: the SIP side of an audio and video call
# (DIR's), audio on APORT to our PA (payloads of SEED+1, SEED's taken),
# video on APORT+2 to our PV (of SEED+2), 50 of each; their pids in SPID
# and SVPID, both listening when it returns
av_sips() {
  rm -f "$1/ready" "$1/vready"
  $P $W sip $CORE "$5" $COR "$3" --count 50 --seed $(($2 + 1)) --seed-in "$2" --wait-first \
    --timeout 30 --ready "$1/ready" >"$1/sip.out" 2>"$1/sip.err" &
  SPID=$!
  $P $W sip $CORE $(($5 + 2)) $COR "$4" --video-pt 97 --count 50 --seed $(($2 + 2)) \
    --wait-first --timeout 30 --ready "$1/vready" >"$1/sipv.out" 2>"$1/sipv.err" &
  SVPID=$!
  wait_for "$1/ready" 5; wait_for "$1/vready" 5
}
# av_sdp APORT: the SIP side's answer, PCMU on APORT and VP8 (PT 97) on APORT+2
av_sdp() { printf 'v=0\r\no=sip 2005 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\nm=video %s RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\na=sendrecv\r\n' "$CORE" "$CORE" "$1" $(($1 + 2)); }
# av_verdict DIR: the audio and video call of DIR judged into DIR/verdict
av_verdict() {
  python3 - "$1/aiortc.out" "$1/sip.out" "$1/sipv.out" >"$1/verdict" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2])); v = json.load(open(sys.argv[3]))
sent = set(a.get("video_sent", []))
print("# aiortc: %d audio sent, %d got (%d exact); %d video frames, %d VP8 packets sent, %d got; ICE pairs %s" % (
    a.get("sent", 0), a.get("recv", 0), a.get("exact", 0), a.get("video_frames", 0),
    len(a.get("video_sent", [])), len(a.get("video_got", [])), a.get("pairs")))
print("# SIP audio: %s; SIP video: %d sent, %d got from %s" % (
    json.dumps(s), v["sent"], v["recv"], v["from"]))
print("audio_up=%d" % (s["recv"] == 50 and s["exact"] == 50 and a["recv"] == 50 and a["exact"] == 50))
print("video_to_sip=%d" % (len(sent) > 0 and len(v["got"]) == len(a["video_sent"]) and set(v["got"]) <= sent))
print("video_to_ue=%d" % (a.get("video_got", []) == v["sent_sha"] and v["sent"] == 50))
print("pairs=%d" % len(set(p.split()[1] for p in a.get("pairs", []))))
PY
}

# Every aiortc at once (each takes seconds to start: python3-aiortc's
# import, its certificate, its candidates), each waiting for its SDP.
# aio CALL ARGS...: aiortc in TP_TMP/CALL, its pid in APID_<CALL>
aio() {
  local t=$1; shift
  mkdir -p "$TP_TMP/$t"
  $C $W aiortc "$@" --offer "$TP_TMP/$t/offer.sdp" --answer "$TP_TMP/$t/answer.sdp" \
    --done "$TP_TMP/$t/done" --close "$TP_TMP/$t/close" >"$TP_TMP/$t/aiortc.out" \
    2>"$TP_TMP/$t/aiortc.err" &
  printf -v "APID_$t" %s $!
}
aio w2s offer --count "$N" --seed 11 --seed-in 12
aio s2w answer --count "$N" --seed 22 --seed-in 21 --send-after "$TP_TMP/s2w/answered"
aio bad offer --bad-fingerprint --count 20 --seed 31 --seed-in 32 --timeout 8
aio av offer --video 50 --count 50 --seed 41 --seed-in 42
[ $TP = 1 ] && aio avb offer --video 50 --count 50 --seed 51 --seed-in 52

# ---- WebRTC -> SIP ------------------------------------------------------------------------
T=$TP_TMP/w2s
apid=$APID_w2s
wait_for "$T/offer.sdp" 30 || { cat "$T/aiortc.err"; tp_die "aiortc wrote no offer"; }
ng o1 "print(json.dumps(c.req({'command':'offer','call-id':'w2s','from-tag':'ue1','sdp':sdp('$T/offer.sdp'),
  'direction':['access','core'],'ICE':'remove','transport-protocol':'RTP/AVP','rtcp-mux':['demux'],$KAM})))"
tp_check "WebRTC -> SIP: aiortc's offer (UDP/TLS/RTP/SAVPF, actpass) through offer: ok" jt o1 "d['result']=='ok'"
tp_check "... the SIP side is offered RTP/AVP on our core address, no ICE, DTLS or SDES line" \
  jt o1 "[l.split()[2] for l in s if l.startswith('m=audio ')]==['RTP/AVP'] and 'c=IN IP4 $COR' in s and $PLAIN"
pb=$(port o1)
rm -f "$T/ready"
$P $W sip $CORE 6004 $COR "$pb" --count "$N" --seed 12 --seed-in 11 --wait-first --timeout 30 \
  --ready "$T/ready" >"$T/sip.out" 2>"$T/sip.err" &
spid=$!
wait_for "$T/ready" 5
ng a1 "print(json.dumps(c.req({'command':'answer','call-id':'w2s','from-tag':'ue1','to-tag':'sip1',
  'sdp':'''$(sip_sdp 6004)''','ICE':'force',$KAM})))"
tp_check "... the SIP side's answer (RTP/AVP) through answer: ok" jt a1 "d['result']=='ok'"
tp_check "... aiortc is answered UDP/TLS/RTP/SAVPF: a=setup:active, a sha-256 fingerprint, ICE, rtcp-mux, its a=mid, no a=crypto" \
  jt a1 "[l.split()[2] for l in s if l.startswith('m=audio ')]==['UDP/TLS/RTP/SAVPF'] and 'a=setup:active' in s and sum(l.startswith('a=fingerprint:sha-256 ') for l in s)==1 and any(l.startswith('a=ice-ufrag:') for l in s) and 'a=rtcp-mux' in s and 'a=mid:0' in s and not any(l.startswith('a=crypto') for l in s) and 'c=IN IP4 $ACC' in s"
[ $TP = 1 ] && tp_check "... with our a=tls-id and a=ice-lite" \
  jt a1 "any(l.startswith('a=tls-id:') and len(l) == 41 for l in s) and 'a=ice-lite' in s"
j "$TP_TMP/a1.json" 'd.get("sdp","")' >"$T/answer.sdp.tmp" && mv "$T/answer.sdp.tmp" "$T/answer.sdp"
wait_for "$T/done" 30
wait $spid
echo "# sip: $(cat "$T/sip.out")"
tp_check "aiortc's connection up" test -f "$T/done"
tp_check "the SIP side got aiortc's $N PCMU payloads, byte-exact" \
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['recv']==$N and d['exact']==$N else 1)" "$T/sip.out"
if [ $TP = 1 ]; then
  ng q1 "print(json.dumps(c.req({'command':'query','call-id':'w2s'})))"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [print('#', t, m['protocol'], m['flags'], m['streams'][0].get('DTLS'), m['streams'][0].get('ICE')) for t, v in d['tags'].items() for m in v['medias']]" "$TP_TMP/q1.json"
  tp_check "query: the WebRTC leg UDP/TLS/RTP/SAVPF, flagged DTLS-SRTP and ICE; DTLS up, us active (client), the fingerprint verified; consent fresh" \
    jt q1 "$(stream q1 ue1)['protocol']=='UDP/TLS/RTP/SAVPF' and 'DTLS-SRTP' in $(stream q1 ue1)['flags'] and 'ICE' in $(stream q1 ue1)['flags'] and $(stream q1 ue1)['streams'][0]['DTLS']['state']=='up' and $(stream q1 ue1)['streams'][0]['DTLS']['setup']=='active' and $(stream q1 ue1)['streams'][0]['DTLS']['role']=='client' and $(stream q1 ue1)['streams'][0]['DTLS']['fingerprint verified']==1 and $(stream q1 ue1)['streams'][0]['ICE']['consent']=='fresh'"
  tp_check "... the SIP leg RTP/AVP, neither" \
    jt q1 "$(stream q1 sip1)['protocol']=='RTP/AVP' and 'DTLS' not in $(stream q1 sip1)['streams'][0] and 'DTLS-SRTP' not in $(stream q1 sip1)['flags']"
fi
touch "$T/close"
wait $apid
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d.pop('door', None); print('# aiortc:', json.dumps(d))" "$T/aiortc.out"
tp_check "aiortc got the SIP side's $N PCMU payloads, byte-exact (DTLS $(j "$T/aiortc.out" 'd.get("dtls_role")'))" \
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['recv']==$N and d['exact']==$N and d['sent']==$N and d.get('dtls_role')=='server' else 1)" "$T/aiortc.out"
if [ $TP = 1 ]; then
  # aiortc closed: no more checks; lost agw.ice_consent_ms after the last
  lost=0
  for _ in $(seq 60); do
    ng q2 "print(json.dumps(c.req({'command':'query','call-id':'w2s'})))"
    jt q2 "$(stream q2 ue1)['streams'][0]['ICE']['consent']=='lost'" >/dev/null && { lost=1; break; }
    sleep 0.2
  done
  tp_check "aiortc's ICE stopped: query says the WebRTC leg's consent is lost" test $lost -eq 1
fi
ng d1 "print(json.dumps(c.req({'command':'delete','call-id':'w2s','from-tag':'ue1'})))"
tp_check "delete" jt d1 "d['result']=='ok'"

# ---- SIP -> WebRTC ------------------------------------------------------------------------
T=$TP_TMP/s2w
apid=$APID_s2w
ng o2 "print(json.dumps(c.req({'command':'offer','call-id':'s2w','from-tag':'sip2','sdp':'''$(sip_sdp 6006)''',
  'direction':['core','access'],'ICE':'force','DTLS':'passive','transport-protocol':'UDP/TLS/RTP/SAVPF','rtcp-mux':['offer'],
  'replace':['origin','session-connection'],'flags':['trust-address','SDES-off']})))"
tp_check "SIP -> WebRTC: the SIP side's offer (RTP/AVP) with ICE=force DTLS=passive transport-protocol=UDP/TLS/RTP/SAVPF: ok" \
  jt o2 "d['result']=='ok'"
tp_check "... aiortc is offered UDP/TLS/RTP/SAVPF: a=setup:actpass, a fingerprint, ICE, rtcp-mux, no a=crypto" \
  jt o2 "[l.split()[2] for l in s if l.startswith('m=audio ')]==['UDP/TLS/RTP/SAVPF'] and 'a=setup:actpass' in s and sum(l.startswith('a=fingerprint:sha-256 ') for l in s)==1 and any(l.startswith('a=ice-ufrag:') for l in s) and 'a=rtcp-mux' in s and not any(l.startswith('a=crypto') for l in s) and 'c=IN IP4 $ACC' in s"
j "$TP_TMP/o2.json" 'd.get("sdp","")' >"$T/offer.sdp.tmp"
# the SIP side listens before aiortc can send (it sends once DTLS is up,
# which may be before the answer's reply names our port to the SIP side)
rm -f "$T/ready"
$P $W sip $CORE 6006 $COR 0 --dport-file "$T/dport" --count "$N" --seed 21 --seed-in 22 \
  --wait-first --timeout 30 --ready "$T/ready" >"$T/sip.out" 2>"$T/sip.err" &
spid=$!
wait_for "$T/ready" 5
mv "$T/offer.sdp.tmp" "$T/offer.sdp"
wait_for "$T/answer.sdp" 20 || { cat "$T/aiortc.err"; tp_die "aiortc wrote no answer"; }
ng a2 "print(json.dumps(c.req({'command':'answer','call-id':'s2w','from-tag':'sip2','to-tag':'ue2',
  'sdp':sdp('$T/answer.sdp'),'replace':['origin','session-connection'],'flags':['trust-address']})))"
tp_check "... aiortc's answer (active) through answer: ok" jt a2 "d['result']=='ok'"
tp_check "... the SIP side is answered RTP/AVP on our core address, none of aiortc's ICE or DTLS lines" \
  jt a2 "[l.split()[2] for l in s if l.startswith('m=audio ')]==['RTP/AVP'] and 'c=IN IP4 $COR' in s and $PLAIN"
echo "$(port a2)" >"$T/dport.tmp" && mv "$T/dport.tmp" "$T/dport"
# (a browser's media may come before its answer reaches the door: our
# side cannot check its certificate before, and drops them; here aiortc
# sends once the answer is taken, for an exact count)
touch "$T/answered"
wait_for "$T/done" 30
wait $spid
echo "# sip: $(cat "$T/sip.out")"
tp_check "aiortc's connection up" test -f "$T/done"
tp_check "the SIP side got aiortc's $N PCMU payloads, byte-exact" \
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['recv']==$N and d['exact']==$N else 1)" "$T/sip.out"
if [ $TP = 1 ]; then
  ng q3 "print(json.dumps(c.req({'command':'query','call-id':'s2w'})))"
  tp_check "query: the WebRTC leg's DTLS up, us passive (server), the fingerprint verified" \
    jt q3 "$(stream q3 ue2)['streams'][0]['DTLS']['state']=='up' and $(stream q3 ue2)['streams'][0]['DTLS']['role']=='server' and $(stream q3 ue2)['streams'][0]['DTLS']['fingerprint verified']==1"
fi
touch "$T/close"
wait $apid
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d.pop('door', None); print('# aiortc:', json.dumps(d))" "$T/aiortc.out"
tp_check "aiortc got the SIP side's $N PCMU payloads, byte-exact (DTLS $(j "$T/aiortc.out" 'd.get("dtls_role")'))" \
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['recv']==$N and d['exact']==$N and d['sent']==$N and d.get('dtls_role')=='client' else 1)" "$T/aiortc.out"
ng d2 "print(json.dumps(c.req({'command':'delete','call-id':'s2w','from-tag':'sip2'})))"
tp_check "delete" jt d2 "d['result']=='ok'"

# ---- a wrong fingerprint ------------------------------------------------------------------
T=$TP_TMP/bad
apid=$APID_bad
wait_for "$T/offer.sdp" 30 || { cat "$T/aiortc.err"; tp_die "aiortc wrote no offer"; }
ng o4 "print(json.dumps(c.req({'command':'offer','call-id':'bad','from-tag':'ue4','sdp':sdp('$T/offer.sdp'),
  'direction':['access','core'],'ICE':'remove','transport-protocol':'RTP/AVP','rtcp-mux':['demux'],$KAM})))"
tp_check "a wrong fingerprint: the offer taken (no certificate to judge yet)" jt o4 "d['result']=='ok'"
pb=$(port o4)
$P $W sip $CORE 6008 $COR "$pb" --count 20 --seed 32 --seed-in 31 --timeout 4 >"$T/sip.out" 2>"$T/sip.err" &
spid=$!
ng a4 "print(json.dumps(c.req({'command':'answer','call-id':'bad','from-tag':'ue4','to-tag':'sip4',
  'sdp':'''$(sip_sdp 6008)''','ICE':'force',$KAM})))"
j "$TP_TMP/a4.json" 'd.get("sdp","")' >"$T/answer.sdp.tmp" && mv "$T/answer.sdp.tmp" "$T/answer.sdp"
wait_for "$T/done" 30
touch "$T/close"
wait $apid
wait $spid
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d.pop('door', None); print('# aiortc:', json.dumps(d))" "$T/aiortc.out"
echo "# sip: $(cat "$T/sip.out")"
tp_check "... the handshake refused: aiortc's connection never up, nothing of it reached the SIP side" \
  python3 -c "import json,sys; a=json.load(open(sys.argv[1])); s=json.load(open(sys.argv[2])); sys.exit(0 if 'connected' not in a['states'] and s['recv']==0 else 1)" "$T/aiortc.out" "$T/sip.out"
if [ $TP = 1 ]; then
  ng q4 "print(json.dumps(c.req({'command':'query','call-id':'bad'})))"
  echo "# $(j "$TP_TMP/q4.json" "$(stream q4 ue4)['streams'][0].get('DTLS')")"
  tp_check "... query: the WebRTC leg's DTLS failed, its reason the fingerprint" \
    jt q4 "$(stream q4 ue4)['streams'][0]['DTLS']['state']=='failed' and 'fingerprint' in $(stream q4 ue4)['streams'][0]['DTLS']['reason']"
fi
ng d4 "print(json.dumps(c.req({'command':'delete','call-id':'bad','from-tag':'ue4'})))"

# ---- audio and video from one WebRTC client ----------------------------------------------
# aiortc's offer groups its two sections (a=group:BUNDLE, the MID header
# extension) with a port each: answered without the group (as rtpengine
# 10.5 does: the `bundle` flag is not given), each section keeps its own
# transport; the SIP side gets two RTP/AVP sections.
T=$TP_TMP/av
apid=$APID_av
wait_for "$T/offer.sdp" 30 || { cat "$T/aiortc.err"; tp_die "aiortc wrote no offer"; }
tp_check "audio and video: aiortc's offer bundles them (a=group:BUNDLE 0 1, the MID extension)" \
  grep -q '^a=group:BUNDLE 0 1' "$T/offer.sdp"
ng o5 "print(json.dumps(c.req({'command':'offer','call-id':'av','from-tag':'ue5','sdp':sdp('$T/offer.sdp'),
  'direction':['access','core'],'ICE':'remove','transport-protocol':'RTP/AVP','rtcp-mux':['demux'],$KAM})))"
tp_check "... through offer: ok; the SIP side offered m=audio and m=video RTP/AVP, no ICE, DTLS, SDES or a=group line" \
  jt o5 "d['result']=='ok' and [l.split()[0][2:] + ' ' + l.split()[2] for l in s if l.startswith('m=')]==['audio RTP/AVP','video RTP/AVP'] and $PLAIN and not any(l.startswith('a=group') for l in s)"
av_sips "$T" 41 "$(port o5 audio)" "$(port o5 video)" 6024
spid=$SPID svpid=$SVPID
ng a5 "print(json.dumps(c.req({'command':'answer','call-id':'av','from-tag':'ue5','to-tag':'sip5',
  'sdp':'''$(av_sdp 6024)''','ICE':'force',$KAM})))"
tp_check "... the SIP side's answer (audio and video) through answer: ok; aiortc answered UDP/TLS/RTP/SAVPF for both, a fingerprint, ICE and a=mid in each" \
  jt a5 "d['result']=='ok' and [l.split()[2] for l in s if l.startswith('m=')]==['UDP/TLS/RTP/SAVPF']*2 and sum(l.startswith('a=fingerprint:sha-256 ') for l in s)==2 and sum(l.startswith('a=ice-ufrag:') for l in s)==2 and 'a=mid:0' in s and 'a=mid:1' in s"
j "$TP_TMP/a5.json" 'd.get("sdp","")' >"$T/answer.sdp.tmp" && mv "$T/answer.sdp.tmp" "$T/answer.sdp"

# ---- the same bundled (bundle=accept), its media beside the unbundled call's ----------------
if [ $TP = 1 ]; then
  B=$TP_TMP/avb
  wait_for "$B/offer.sdp" 30 || { cat "$B/aiortc.err"; tp_die "aiortc wrote no offer"; }
  ng o6 "print(json.dumps(c.req({'command':'offer','call-id':'avb','from-tag':'ue6','sdp':sdp('$B/offer.sdp'),
  'direction':['access','core'],'ICE':'remove','transport-protocol':'RTP/AVP','bundle':['accept'],$KAM})))"
  tp_check "bundled (bundle=accept): aiortc's offer through offer: ok; the SIP side offered m=audio and m=video RTP/AVP on two ports, no ICE, DTLS, SDES, a=group or MID a=extmap line" \
    jt o6 "d['result']=='ok' and [l.split()[0][2:] + ' ' + l.split()[2] for l in s if l.startswith('m=')]==['audio RTP/AVP','video RTP/AVP'] and len(set(l.split()[1] for l in s if l.startswith('m=')))==2 and $PLAIN and not any(l.startswith('a=group') or 'sdes:mid' in l for l in s)"
  av_sips "$B" 51 "$(port o6 audio)" "$(port o6 video)" 6034
  bspid=$SPID bsvpid=$SVPID
  ng a6 "print(json.dumps(c.req({'command':'answer','call-id':'avb','from-tag':'ue6','to-tag':'sip6',
  'sdp':'''$(av_sdp 6034)''','ICE':'force',$KAM})))"
  tp_check "... the SIP side's answer through answer: ok; aiortc answered a=group:BUNDLE 0 1, both sections UDP/TLS/RTP/SAVPF on one port, no MID a=extmap, a=rtcp-mux, a fingerprint and ICE in each" \
    jt a6 "d['result']=='ok' and 'a=group:BUNDLE 0 1' in s and [l.split()[2] for l in s if l.startswith('m=')]==['UDP/TLS/RTP/SAVPF']*2 and len(set(l.split()[1] for l in s if l.startswith('m=')))==1 and not any('sdes:mid' in l for l in s) and s.count('a=rtcp-mux')==2 and sum(l.startswith('a=fingerprint:sha-256 ') for l in s)==2 and sum(l.startswith('a=ice-ufrag:') for l in s)==2 and 'a=mid:0' in s and 'a=mid:1' in s"
  j "$TP_TMP/a6.json" 'd.get("sdp","")' >"$B/answer.sdp.tmp" && mv "$B/answer.sdp.tmp" "$B/answer.sdp"
else
  echo "# the bundled call (bundle=accept): skipped, rtpengine 10.5 has no BUNDLE"
fi

wait_for "$T/done" 30
wait $spid; wait $svpid
touch "$T/close"
wait $apid
av_verdict "$T"
grep '^#' "$T/verdict"
tp_check "... PCMU both ways, 50 payloads each, byte-exact" grep -q '^audio_up=1' "$T/verdict"
tp_check "... aiortc's VP8 packets all at the SIP side's video port, byte-exact" grep -q '^video_to_sip=1' "$T/verdict"
tp_check "... the SIP side's 50 video packets all at aiortc, byte-exact, in order" grep -q '^video_to_ue=1' "$T/verdict"
tp_check "... unbundled: aiortc's two sections on two of the proxy's ports" grep -q '^pairs=2' "$T/verdict"
ng d5 "print(json.dumps(c.req({'command':'delete','call-id':'av','from-tag':'ue5'})))"

if [ $TP = 1 ]; then
  T=$TP_TMP/avb
  wait_for "$T/done" 30
  wait $bspid; wait $bsvpid
  ng q6 "print(json.dumps(c.req({'command':'query','call-id':'avb'})))"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [print('# bundled:', m['type'], m['streams'][0]['local port'], m['streams'][0].get('DTLS', {}).get('state')) for m in d['tags']['ue6']['medias']]" "$TP_TMP/q6.json"
  tp_check "... query: DTLS up on both of aiortc's sections, one port" \
    jt q6 "[m['streams'][0]['DTLS']['state'] for m in d['tags']['ue6']['medias']]==['up','up'] and len(set(m['streams'][0]['local port'] for m in d['tags']['ue6']['medias']))==1"
  touch "$T/close"
  wait $APID_avb
  av_verdict "$T"
  grep '^#' "$T/verdict"
  tp_check "... PCMU both ways, 50 payloads each, byte-exact" grep -q '^audio_up=1' "$T/verdict"
  tp_check "... aiortc's VP8 packets all at the SIP side's video port, byte-exact" grep -q '^video_to_sip=1' "$T/verdict"
  tp_check "... the SIP side's 50 video packets all at aiortc, byte-exact, in order" grep -q '^video_to_ue=1' "$T/verdict"
  tp_check "... bundled: aiortc's ICE nominated one 5-tuple (one of the proxy's ports) for both sections" grep -q '^pairs=1' "$T/verdict"
  ng d6 "print(json.dumps(c.req({'command':'delete','call-id':'avb','from-tag':'ue6'})))"
fi

echo "# test_ng_webrtc ($PROXY): $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
