#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ICE through the ng door (issue 68; cp/ng/FEATURE.md "ICE"): a WebRTC-
# like UE as Kamailio's rtpengine module would hand it to the door, real
# turnpike-dp and turnpike-cp, and a client no one here wrote: Debian's
# python3-aioice 0.8 as the access side's full, controlling agent
# (lib/ice_client.py ng-ue) offering RTP/AVP with its ufrag, pwd, host
# candidate and rtcp-mux; a plain RTP peer on the core side
# (lib/rtp_peer.py) answering:
#   - the offer under ICE=remove (towards a SIP phone): the core's SDP has
#     no ICE line, nothing of the UE's candidates;
#   - the answer under ICE=force: our ICE-lite lines to the UE (a=ice-lite,
#     our ufrag and pwd, one host candidate on the access address and
#     port, muxed, a=end-of-candidates), which aioice takes;
#   - aioice's checks answered, its nomination of our candidate; 200 RTP
#     packets each way over the pair, byte-exact at both ends;
#   - query: the UE's medium flagged ICE, its stream's ICE consent fresh
#     with the nominated pair (aioice's) and the checks answered; the core's
#     stream without ICE;
#   - aioice closes (no more checks): agw.ice_consent_ms (3 s here) later
#     the consent is lost, and query says so (ICE consent "lost"), dp
#     counted it once, the core's media stop reaching the UE;
#   - delete.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
start=$SECONDS
# Debian's interpreter and its python3-aioice, whatever python3 comes
# first in PATH
PY=/usr/bin/python3
$PY -c 'import aioice' 2>/dev/null || tp_die "python3-aioice missing (tools/bootstrap installs it)"
ICE="$PY $HERE/lib/ice_client.py"
R="python3 $HERE/lib/rtp_peer.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
N=${NG_ICE_PACKETS:-200}
PORT=$((26000 + $$ % 1000))
jt() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }
# ng PY: run PY with c (a Client to the door), ng, json; prints what PY prints
ng() { PYTHONPATH="$HERE/lib" python3 -c "
import json, sys, ng
c = ng.Client('127.0.0.1', $PORT)
$1"; }
# dpc NAME: dp's counter NAME summed over the workers (turnpikectl status)
dpc() {
  tp_ctl --json status | python3 -c "import json,sys; d=json.load(sys.stdin); print(sum(w['dp']['tcp'].get('$1', 0) for w in d['workers']))"
}
# query OUT: the call's query reply into OUT (JSON)
query() { ng "print(json.dumps(c.req({'command':'query','call-id':'ice1'})))" >"$1"; }

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; ice_consent_ms = 3000; };
ng = { listen = \"127.0.0.1:$PORT\"; allow = [\"127.0.0.1\"]; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp and dp ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"

# the UE: its offer written, our answer awaited
$C $ICE ng-ue 10.210.0.2 --offer "$TP_TMP/offer.sdp" --answer "$TP_TMP/answer.sdp" \
  --done "$TP_TMP/done" --close "$TP_TMP/close" --count "$N" --seed 1 --seed-in 2 \
  >"$TP_TMP/ue.out" 2>&1 &
upid=$!
for _ in $(seq 100); do [ -f "$TP_TMP/offer.sdp" ] && break; sleep 0.1; done
[ -f "$TP_TMP/offer.sdp" ] || { cat "$TP_TMP/ue.out"; tp_die "aioice wrote no offer"; }
sed 's/^/# offer: /' "$TP_TMP/offer.sdp" | tr -d '\r'

ng "
o = c.req({'command':'offer','call-id':'ice1','from-tag':'ue','sdp':open('$TP_TMP/offer.sdp').read(),
           'direction':['access','core'],'ICE':'remove','replace':['origin','session-connection'],
           'flags':['trust-address']})
print(json.dumps(o))" >"$TP_TMP/o.json"
tp_check "the offer: ok" jt "$TP_TMP/o.json" "d['result']=='ok'"
j "$TP_TMP/o.json" 'd.get("sdp","")' | tr -d '\r' | sed 's/^/# to the core: /'
tp_check "... the core's SDP under ICE=remove: no ICE line, none of the UE's candidates" \
  jt "$TP_TMP/o.json" "'a=ice' not in d['sdp'] and 'a=candidate' not in d['sdp'] and '10.210.0.2' not in d['sdp'] and 'c=IN IP4 10.211.0.1' in d['sdp']"
pb=$(j "$TP_TMP/o.json" '[l.split()[1] for l in d["sdp"].split("\r\n") if l.startswith("m=audio")][0]')

# the core: a plain RTP peer, sending once the UE's first packet came
rm -f "$TP_TMP/ready"
$P $R 10.211.0.2 6004 10.211.0.1 "$pb" --count "$N" --seed 2 --seed-in 1 --wait-first \
  --timeout 40 --ready "$TP_TMP/ready" >"$TP_TMP/core.out" 2>&1 &
cpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done

ng "
sdp = 'v=0\r\no=core 2 1 IN IP4 10.211.0.2\r\ns=-\r\nc=IN IP4 10.211.0.2\r\nt=0 0\r\nm=audio 6004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n'
a = c.req({'command':'answer','call-id':'ice1','from-tag':'ue','to-tag':'core','sdp':sdp,
           'ICE':'force','replace':['origin','session-connection'],'flags':['trust-address']})
print(json.dumps(a))" >"$TP_TMP/a.json"
tp_check "the answer: ok" jt "$TP_TMP/a.json" "d['result']=='ok'"
j "$TP_TMP/a.json" 'd.get("sdp","")' | tr -d '\r' | sed 's/^/# to the UE: /'
pa=$(j "$TP_TMP/a.json" '[l.split()[1] for l in d["sdp"].split("\r\n") if l.startswith("m=audio")][0]')
tp_check "... our ICE-lite to the UE: a=ice-lite, ufrag, pwd, one host candidate on our access port (muxed), a=end-of-candidates" \
  jt "$TP_TMP/a.json" "d['sdp'].count('a=ice-lite\r\n')==1 and d['sdp'].count('a=ice-ufrag:')==1 and d['sdp'].count('a=ice-pwd:')==1 and d['sdp'].count('a=candidate:')==1 and ' 1 UDP 2130706431 10.210.0.1 $pa typ host\r\n' in d['sdp'] and 'a=end-of-candidates\r\n' in d['sdp'] and 'a=rtcp-mux\r\n' in d['sdp'] and '10.211.0.2' not in d['sdp']"
j "$TP_TMP/a.json" 'd["sdp"]' >"$TP_TMP/answer.sdp.tmp" && mv "$TP_TMP/answer.sdp.tmp" "$TP_TMP/answer.sdp"

# aioice checks, nominates, media both ways; then it keeps its consent
for _ in $(seq 300); do [ -f "$TP_TMP/done" ] && break; kill -0 $upid 2>/dev/null || break; sleep 0.1; done
wait $cpid
echo "# core: $(cat "$TP_TMP/core.out")"
tp_check "aioice's media done" test -f "$TP_TMP/done"
query "$TP_TMP/q1.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [print('#', t, m['flags'], [s.get('ICE') for s in m['streams']]) for t, v in d['tags'].items() for m in v['medias']]" "$TP_TMP/q1.json"
tp_check "query: the UE's medium flagged ICE, its stream's consent fresh, checks answered" \
  jt "$TP_TMP/q1.json" "'ICE' in d['tags']['ue']['medias'][0]['flags'] and d['tags']['ue']['medias'][0]['streams'][0]['ICE']['consent']=='fresh' and d['tags']['ue']['medias'][0]['streams'][0]['ICE']['checks answered']>=1"
tp_check "... the core's stream without ICE" \
  jt "$TP_TMP/q1.json" "'ICE' not in d['tags']['core']['medias'][0]['flags'] and 'ICE' not in d['tags']['core']['medias'][0]['streams'][0]"
touch "$TP_TMP/close"
wait $upid
echo "# ue (aioice): $(cat "$TP_TMP/ue.out")"
tp_check "aioice took our answer as a lite agent's (ice-lite, 8-character ufrag, 24-character pwd, end-of-candidates)" \
  jt "$TP_TMP/ue.out" "'error' not in d and d['answer']['lite'] and len(d['answer']['ufrag'])==8 and d['pwd_len']==24 and d['answer']['eoc'] and len(d['answer']['cands'])==1"
tp_check "aioice's checks answered, its pair nominated (our host candidate)" \
  jt "$TP_TMP/ue.out" "d['nominated']=='10.210.0.1:$pa'"
ue_src=$(j "$TP_TMP/ue.out" 'd["local"]')
tp_check "the nominated pair in query is aioice's ($ue_src)" \
  jt "$TP_TMP/q1.json" "'%s:%d' % (d['tags']['ue']['medias'][0]['streams'][0]['ICE']['nominated']['address'], d['tags']['ue']['medias'][0]['streams'][0]['ICE']['nominated']['port'])=='$ue_src'"
tp_check "the core got every packet aioice sent over the pair, byte-exact" \
  jt "$TP_TMP/core.out" "d['recv']==$N and d['exact']==$N and d['from']==['10.211.0.1:$pb']"
tp_check "aioice got every core packet over the nominated pair, byte-exact" \
  jt "$TP_TMP/ue.out" "d['recv']==$N and d['exact']==$N"

# aioice closed: no more consent checks; lost 3 s after the last
for _ in $(seq 80); do [ "$(dpc rtp_ice_consent_lost)" -ge 1 ] && break; sleep 0.1; done
sleep 0.3
query "$TP_TMP/q2.json"
tp_check "consent lost after the UE stopped checking (dp: rtp_ice_consent_lost 1)" \
  test "$(dpc rtp_ice_consent_lost)" -eq 1
tp_check "... query says so: the UE's stream's ICE consent lost" \
  jt "$TP_TMP/q2.json" "d['tags']['ue']['medias'][0]['streams'][0]['ICE']['consent']=='lost'"
drop0=$(dpc rtp_dropped_no_consent)
$P $R 10.211.0.2 6004 10.211.0.1 "$pb" --count 10 --seed 3 --timeout 1 >/dev/null 2>&1
tp_check "the core's media no longer reach the UE (rtp_dropped_no_consent)" \
  test "$(dpc rtp_dropped_no_consent)" -ge "$((drop0 + 10))"

ng "print(json.dumps(c.req({'command':'delete','call-id':'ice1','from-tag':'ue'})))" >"$TP_TMP/d.json"
tp_check "delete" jt "$TP_TMP/d.json" "d['result']=='ok'"
echo "# test_ng_ice: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
