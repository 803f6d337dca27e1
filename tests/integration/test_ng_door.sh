#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cp/ng's door itself, with real turnpike-dp and turnpike-cp and raw ng
# datagrams (lib/ng.py): what a P-CSCF's module relies on and what an
# attacker tries.
#   - a repeated request (the same cookie from the same source) answered
#     with the same bytes, acted on once (one context);
#   - a source outside ng.allow: no answer, counted; no cookie: no answer;
#     bencode broken, an unknown or out-of-scope command or flag, an SDP
#     too long or broken, a call-id too long: an error reply, a counter,
#     nothing made;
#   - ng.max_rate: past it an error reply, not a queue, and only when it
#     is no longer than the request; a repeat answered from the cache
#     costs its token; a reply larger than three times its request costs
#     more (what the door sends back stays within three times what it
#     was sent: cp_amp.h), the brief's 35-octet list of 10 KB asked
#     3,000 times included;
#   - what the door cannot anchor refused, never passed on (a browser's
#     DTLS-SRTP offer, an answer in UDP/TLS/RTP/SAVPF, a data channel not
#     in ng.pass_through); MSRP, named there, passed on as it came;
#   - an offer for a call that exists with other tags: refused, the call
#     as it was;
#   - forks: a second to-tag's answer moves the call's other side there,
#     the first fork's delete forgets it only; delete-delay; the
#     operator's release of the last context ends the call;
#   - agw list shows door ng and the call-id; the usage record names ng;
#   - the latching each flag asks for (strict-source, media-handover,
#     symmetric, asymmetric, endpoint-learning), as agw show has it, and
#     the JSON door's default beside; SIP-source-address's remote,
#     media-address in our SDP, direction= choosing our addresses;
#   - a call left without a context ends by itself after 60 s.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
PORT=$((23000 + $$ % 1000))
jt() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }
# ng PY: run PY with c (a Client to the door), ng, json; prints what PY prints
ng() { PYTHONPATH="$HERE/lib" python3 -c "
import json, sys, time, socket, ng
c = ng.Client('127.0.0.1', $PORT)
$1"; }
status() { tp_ctl --json status >"$TP_TMP/status.json"; }

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 256; };
accounting = { file = \"$TP_TMP/usage.jsonl\"; };
ng = { listen = \"127.0.0.1:$PORT\"; allow = [\"127.0.0.1\"]; max_rate = 100; timeout = 5;
       reply_cache_time = 2; pass_through = [\"TCP/MSRP\"]; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp and dp ready" bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' ready --wait 20 >/dev/null"

SDPA='v=0\r\no=- 1 1 IN IP4 10.210.0.2\r\ns=-\r\nc=IN IP4 10.210.0.2\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n'
SDPB='v=0\r\no=- 2 2 IN IP4 10.211.0.2\r\ns=-\r\nc=IN IP4 10.211.0.2\r\nt=0 0\r\nm=audio 6004 RTP/AVP 0\r\n'
SDPB2='v=0\r\no=- 3 3 IN IP4 10.211.0.3\r\ns=-\r\nc=IN IP4 10.211.0.3\r\nt=0 0\r\nm=audio 7004 RTP/AVP 0\r\n'
offer() { echo "{'command':'offer','call-id':'$1','from-tag':'$2','sdp':'$SDPA','direction':['access','core']}"; }
answer() { echo "{'command':'answer','call-id':'$1','from-tag':'$2','to-tag':'$3','sdp':'$4','direction':['core','access']}"; }
nctx() { tp_ctl --json agw list | python3 -c "import json,sys; d=json.load(sys.stdin); print(len(d.get('contexts', d) if isinstance(d, dict) else d))"; }

tp_check "ping: pong" test "$(ng "print(c.req({'command':'ping'})['result'])")" = pong

# a repeat: the same cookie from the same source
ng "
m = ng.enc($(offer rep1 fa))
a = c.raw(b'ck1 ' + m); b = c.raw(b'ck1 ' + m)
c.s.settimeout(0.5)
k = c.raw(b'ck1 ')
print(json.dumps({'same': a == b, 'ok': ng.dec(a.split(b' ',1)[1])[0]['result'],
                  'alone': None if k is None else len(k), 'alen': len(a)}))" >"$TP_TMP/rep.json"
tp_check "a repeated offer gets the same reply bytes" jt "$TP_TMP/rep.json" "d['same'] and d['ok']=='ok'"
# (a forger of an allowed source must not have the offer's reply resent
# for its cookie alone: a few octets for hundreds, past ng.max_rate)
tp_check "... its cookie alone does not get that reply" \
  jt "$TP_TMP/rep.json" "d['alone'] is None or d['alone'] < 120 < d['alen']"
tp_check "... and made one context" test "$(nctx)" = 1
status
tp_check "status ng: one repeat, one call" jt "$TP_TMP/status.json" "d['ng']['stats']['repeats']==1 and d['ng']['calls']==1"
tp_ctl --json agw list >"$TP_TMP/list.json"
echo "# agw list: $(head -c 600 "$TP_TMP/list.json")"
tp_check "agw list: door ng, the call-id as the label" \
  bash -c "grep -q '\"door\": *\"ng\"' '$TP_TMP/list.json' && grep -q '\"label\": *\"rep1\"' '$TP_TMP/list.json'"

# strangers, no cookie, broken bencode
ng "
s = ng.Client('127.0.0.1', $PORT, timeout=0.5, src=('127.0.0.2', 0))
print(json.dumps({'stranger': s.raw(b'x1 d7:command4:pinge'),
                  'nocookie': c.raw(b'd7:command4:pinge') if False else None}))" >"$TP_TMP/str.json"
tp_check "a source outside ng.allow gets no answer" jt "$TP_TMP/str.json" "d['stranger'] is None"
ng "
c.s.settimeout(0.5)
print(json.dumps({'nocookie': c.raw(b'd7:command4:pinge'), 'space': c.raw(b' d7:command4:pinge')}))" >"$TP_TMP/nock.json"
tp_check "no cookie: no answer" jt "$TP_TMP/nock.json" "d['nocookie'] is None and d['space'] is None"
ng "
out = {}
for name, body in [('trunc', b'd7:command5:offer7:call-id'), ('deep', b'd1:a' + b'l'*40 + b'e'*40 + b'e'),
                   ('giant', b'd7:command999999999:x'), ('notdict', b'l4:pinge'),
                   ('unknown', ng.enc({'command':'hello'})), ('scope', ng.enc({'command':'start recording','call-id':'x'})),
                   ('flag', ng.enc({'command':'offer','call-id':'f1','from-tag':'a','sdp':'$SDPA','flags':['no-such-flag']})),
                   ('transcode', ng.enc({'command':'offer','call-id':'f2','from-tag':'a','sdp':'$SDPA','codec':{'transcode':['PCMA']}})),
                   ('badsdp', ng.enc({'command':'offer','call-id':'f3','from-tag':'a','sdp':'v=0\r\nthis is not sdp\r\n'})),
                   ('bigsdp', ng.enc({'command':'offer','call-id':'f4','from-tag':'a','sdp':'$SDPA' + 'a=x:' + 'y'*17000 + '\r\n'})),
                   ('longid', ng.enc({'command':'offer','call-id':'z'*300,'from-tag':'a','sdp':'$SDPA'})),
                   ('noanswer', ng.enc({'command':'answer','call-id':'nope','from-tag':'a','to-tag':'b','sdp':'$SDPB'}))]:
    r = c.raw(b'e' + name.encode() + b' ' + body)
    out[name] = ng.dec(r.split(b' ',1)[1])[0] if r else None
print(json.dumps(out))" >"$TP_TMP/bad.json"
echo "# $(cat "$TP_TMP/bad.json" | head -c 1500)"
tp_check "broken bencode (truncated, too deep, a giant string, not a dict): an error reply each" \
  jt "$TP_TMP/bad.json" "all(d[k]['result']=='error' for k in ('trunc','deep','giant','notdict'))"
tp_check "an unknown command, a flag unknown: refused by name" \
  jt "$TP_TMP/bad.json" "'hello' in d['unknown']['error-reason'] and 'no-such-flag' in d['flag']['error-reason']"
tp_check "recording and transcoding: refused as not supported" \
  jt "$TP_TMP/bad.json" "'not supported' in d['scope']['error-reason'] and 'not supported' in d['transcode']['error-reason']"
tp_check "a broken SDP, one too long, a call-id too long, an answer to no call: refused" \
  jt "$TP_TMP/bad.json" "all(d[k]['result']=='error' for k in ('badsdp','bigsdp','longid','noanswer'))"
tp_check "... and nothing made (one context still: the repeat's)" test "$(nctx)" = 1
status
echo "# status ng: $(j "$TP_TMP/status.json" 'd["ng"]')"
tp_check "status ng: malformed, errors and unsupported counted" \
  jt "$TP_TMP/status.json" "d['ng']['stats']['malformed']>=5 and d['ng']['stats']['unsupported']>=2 and d['ng']['stats']['errors']>=9 and d['ng']['calls']==1"

# an offer for the call with other tags: refused, the call as it was
ng "print(json.dumps(c.req($(offer rep1 intruder))))" >"$TP_TMP/other.json"
tp_check "an offer for a call that exists with other tags: refused" \
  jt "$TP_TMP/other.json" "d['result']=='error' and 'other tags' in d['error-reason']"
tp_check "... the call's context as it was" test "$(nctx)" = 1

# forks: the first answer's to-tag, then another's
ng "
r1 = c.req($(answer rep1 fa t1 "$SDPB"))
r2 = c.req($(answer rep1 fa t2 "$SDPB2"))
q = c.req({'command':'query','call-id':'rep1'})
d1 = c.req({'command':'delete','call-id':'rep1','from-tag':'fa','to-tag':'t1'})
q2 = c.req({'command':'query','call-id':'rep1'})
print(json.dumps({'r1': r1['result'], 'r2': r2['result'], 'tags': sorted(q['tags']), 'ep': q['tags']['t2']['medias'][0]['streams'][0]['endpoint'], 'd1': d1['result'], 'q2': q2['result']}))" >"$TP_TMP/fork.json"
echo "# forks: $(cat "$TP_TMP/fork.json")"
tp_check "forks: the second to-tag's answer takes the call's other side (its address)" \
  jt "$TP_TMP/fork.json" "d['r1']=='ok' and d['r2']=='ok' and d['tags']==['fa','t2'] and d['ep']['address']=='10.211.0.3' and d['ep']['port']==7004"
tp_check "forks: the first fork's delete forgets it only (the call stays)" \
  jt "$TP_TMP/fork.json" "d['d1']=='ok' and d['q2']=='ok'"
# answers of a fork that fail (a broken SDP) change nothing, its list of
# forks neither: another branch's answer is still taken
ng "
bad = [c.req($(answer rep1 fa t3 'v=0\r\nthis is not sdp\r\n'))['result'] for _ in range(5)]
r = c.req($(answer rep1 fa t4 "$SDPB"))
print(json.dumps({'bad': bad, 'r': r}))" >"$TP_TMP/fork2.json"
echo "# failed fork answers: $(cat "$TP_TMP/fork2.json")"
tp_check "forks: five failed answers of a branch, then another branch's answer: taken" \
  jt "$TP_TMP/fork2.json" "d['bad']==['error']*5 and d['r']['result']=='ok'"
# a re-offer that adds a section and fails there (SRTP without a=crypto):
# the call keeps its one section, and a re-offer of that one is taken
ng "
r1 = c.req({'command':'offer','call-id':'rep1','from-tag':'fa','sdp':'$SDPA' + 'm=audio 5006 RTP/SAVP 0\r\n'})
r2 = c.req($(offer rep1 fa))
print(json.dumps({'r1': r1, 'r2': r2}))" >"$TP_TMP/reoffer.json"
echo "# failed re-offer: $(head -c 400 "$TP_TMP/reoffer.json")"
tp_check "a re-offer failing at a section it adds, then one without it: taken" \
  jt "$TP_TMP/reoffer.json" "d['r1']['result']=='error' and d['r2']['result']=='ok'"

# What the door cannot anchor is refused, never passed on with its media
# bypassing the gateway: a browser's offer (DTLS-SRTP, its candidates and
# fingerprint) with ICE=remove DTLS=off transport-protocol=RTP/AVP, an
# answer in UDP/TLS/RTP/SAVPF to an RTP/AVP offer, a data channel beside
# audio (UDP/DTLS/SCTP: not in ng.pass_through); MSRP, which the
# operator named in ng.pass_through, goes on as it came (with a c= of
# its own address: the session's c= is ours now)
BROWSER='v=0\r\no=- 7065542345433214611 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 51602 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 198.51.100.7\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=candidate:842163049 1 udp 1677729535 198.51.100.7 51602 typ srflx raddr 192.168.1.20 rport 51602\r\na=ice-ufrag:Wl2e\r\na=ice-pwd:fFcKxCbydXfbQ2pkMJ7kNzk0\r\na=fingerprint:sha-256 9C:A5:0C:4A:8F:57:3F:A8:54:AE:B9:5D:86:B3:62:02:0A:7A:10:53:C7:2C:6B:0E:AA:D6:38:80:4C:EE:A5:F4\r\na=setup:actpass\r\na=mid:0\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n'
SDPB_DTLS='v=0\r\no=- 2 2 IN IP4 10.211.0.2\r\ns=-\r\nc=IN IP4 10.211.0.2\r\nt=0 0\r\nm=audio 6004 UDP/TLS/RTP/SAVPF 0\r\na=fingerprint:sha-256 9C:A5:0C:4A:8F:57:3F:A8:54:AE:B9:5D:86:B3:62:02:0A:7A:10:53:C7:2C:6B:0E:AA:D6:38:80:4C:EE:A5:F4\r\n'
MSRP='m=message 7394 TCP/MSRP *\r\na=path:msrp://10.210.0.2:7394/s111;tcp\r\n'
DC='m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:5000\r\n'
ng "
b = c.req({'command':'offer','call-id':'web1','from-tag':'fa','sdp':'$BROWSER','ICE':'remove','DTLS':'off','transport-protocol':'RTP/AVP','direction':['access','core']})
o = c.req($(offer ans1 fa))
a = c.req($(answer ans1 fa tb "$SDPB_DTLS"))
m = c.req({'command':'offer','call-id':'msrp1','from-tag':'fa','sdp':'$SDPA' + '$MSRP','direction':['access','core']})
d = c.req({'command':'offer','call-id':'dc1','from-tag':'fa','sdp':'$SDPA' + '$DC','direction':['access','core']})
q = c.req({'command':'query','call-id':'ans1'})
print(json.dumps({'browser': b, 'answer': a, 'msrp': m, 'dc': d, 'web1': c.req({'command':'query','call-id':'web1'})['result'], 'dc1': c.req({'command':'query','call-id':'dc1'})['result'], 'ans1': [x['medias'][0]['protocol'] for x in q['tags'].values()]}))" >"$TP_TMP/anchor.json"
echo "# anchoring: $(head -c 1500 "$TP_TMP/anchor.json")"
tp_check "a browser's DTLS-SRTP offer (ICE=remove DTLS=off transport-protocol=RTP/AVP): refused, not passed on" \
  jt "$TP_TMP/anchor.json" "d['browser']['result']=='error' and 'UDP/TLS/RTP/SAVPF' in d['browser']['error-reason'] and 'sdp' not in d['browser'] and d['web1']=='error'"
tp_check "an answer in UDP/TLS/RTP/SAVPF to an RTP/AVP offer: refused, the call's context kept" \
  jt "$TP_TMP/anchor.json" "d['answer']['result']=='error' and 'UDP/TLS/RTP/SAVPF' in d['answer']['error-reason'] and d['ans1']==['RTP/AVP']"
tp_check "a data channel beside audio (not in ng.pass_through): refused, nothing made" \
  jt "$TP_TMP/anchor.json" "d['dc']['result']=='error' and 'ng.pass_through' in d['dc']['error-reason'] and d['dc1']=='error'"
tp_check "MSRP beside audio (in ng.pass_through): the audio anchored, the MSRP section as it came" \
  jt "$TP_TMP/anchor.json" "d['msrp']['result']=='ok' and 'm=message 7394 TCP/MSRP *\r\nc=IN IP4 10.210.0.2\r\na=path:msrp://10.210.0.2:7394/s111;tcp\r\n' in d['msrp']['sdp'] and 'm=audio 5004 ' not in d['msrp']['sdp']"
ng "print(c.req({'command':'delete','call-id':'ans1'})['result'], c.req({'command':'delete','call-id':'msrp1'})['result'])" >/dev/null
tp_check "... and nothing else made (one context still: the forked call's)" test "$(nctx)" = 1

# delete-delay
ng "
print(json.dumps(c.req({'command':'delete','call-id':'rep1','from-tag':'fa','delete-delay':1})))" >"$TP_TMP/dd.json"
tp_check "delete with delete-delay 1: ok, the call still there" \
  bash -c "jt() { python3 -c \"import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if (\$2) else 1)\" \"\$1\"; }; jt '$TP_TMP/dd.json' \"d['result']=='ok'\" && [ \$(PYTHONPATH='$HERE/lib' python3 -c \"import ng; print(len(ng.Client('127.0.0.1', $PORT).req({'command':'list'})['calls']))\") = 1 ]"
sleep 1.6
tp_check "... and gone a second later, its context released" \
  bash -c "[ \$(PYTHONPATH='$HERE/lib' python3 -c \"import ng; print(len(ng.Client('127.0.0.1', $PORT).req({'command':'list'})['calls']))\") = 0 ] && [ \$('$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' agw list | grep -c 'door ng') = 0 ]"
for _ in $(seq 20); do grep -q '"door":"ng"' "$TP_TMP/usage.jsonl" 2>/dev/null && break; sleep 0.1; done
echo "# record: $(grep '"door":"ng"' "$TP_TMP/usage.jsonl" | head -c 700)"
tp_check "the usage record names the door ng and the call-id (its user)" \
  bash -c "grep '\"door\":\"ng\"' '$TP_TMP/usage.jsonl' | grep -q '\"user\":\"rep1\"'"

# the operator releases a call's only context: the call ends
ng "print(c.req($(offer op1 fa))['result'])" >/dev/null
id=$(tp_ctl --json agw list | python3 -c "import json,sys; d=json.load(sys.stdin); l=d.get('contexts', d); print([x['id'] for x in l if x.get('label')=='op1'][0])")
tp_check "the operator releases the call's context" tp_ctl agw release "$id"
sleep 0.5
tp_check "the event log has the ng context's release" \
  bash -c "'$TP_BUILD/cp/ctl/turnpikectl' --socket '$TP_TMP/cp.sock' events --id $id 2>/dev/null | grep -q rtp_released"
tp_check "... and the call is gone" \
  test "$(ng "print(c.req({'command':'query','call-id':'op1'})['result'])")" = error
status
tp_check "status ng: calls_released 1" jt "$TP_TMP/status.json" "d['ng']['stats']['calls_released']==1"

# early media: the 183's answer, then the 200's with the same to-tag
ng "
o = c.req($(offer em1 fa))
a1 = c.req($(answer em1 fa tb "$SDPB"))
a2 = c.req($(answer em1 fa tb "$SDPB2"))
q = c.req({'command':'query','call-id':'em1'})
print(json.dumps({'o': o['result'], 'a1': a1['result'], 'a2': a2['result'], 'same_port': a1['sdp'].split('m=audio ')[1].split()[0] == a2['sdp'].split('m=audio ')[1].split()[0], 'ep': q['tags']['tb']['medias'][0]['streams'][0]['endpoint']}))" >"$TP_TMP/early.json"
echo "# early media: $(cat "$TP_TMP/early.json")"
tp_check "early media: the 200's answer after the 183's (one to-tag) moves the callee's side, our port the same" \
  jt "$TP_TMP/early.json" "d['o']==d['a1']==d['a2']=='ok' and d['same_port'] and d['ep']['address']=='10.211.0.3' and d['ep']['port']==7004"
# a JSON door context beside: ng neither lists nor ends it; agw list has both doors
tp_check "a JSON door RTP context beside the ng call" \
  create api1 --a 'rtp=avp,local=10.210.0.1,remote=10.210.0.2:5010' --b 'rtp=avp,local=10.211.0.1,remote=10.211.0.2:6010' --label api-call
ng "
l = c.req({'command':'list'})
d = c.req({'command':'delete','call-id':'api-call'})
print(json.dumps({'calls': l['calls'], 'del': d}))" >"$TP_TMP/side.json"
# (a delete that finds no call of its own: ok with rtpengine's warning)
tp_check "... ng lists its own calls only and cannot delete the JSON door's context" \
  jt "$TP_TMP/side.json" "d['calls']==['em1'] and d['del']['result']=='ok' and 'not found' in d['del']['warning']"
tp_ctl --json agw list >"$TP_TMP/list2.json"
tp_check "... agw list has both, door api and door ng" \
  jt "$TP_TMP/list2.json" "sorted(x['door'] for x in d['contexts'])==['api','ng']"
ng "print(c.req({'command':'delete','call-id':'em1'})['result'])" >/dev/null

# The latching a call's termination takes from its sender's flags (cp/ng's
# latch_of(): ng has no gm, so a latched source never moves unless
# media-handover asks; dp/rtp applies it), shown by agw show, and the
# JSON door's default (it has gm: the relatch rule)
ng "
out = {}
for name, extra in [('none', {}), ('strict', {'flags': ['strict-source']}),
                    ('handover', {'flags': ['media-handover']}),
                    ('both', {'flags': ['strict-source', 'media-handover']}),
                    ('sym', {'flags': ['symmetric']}), ('asym', {'flags': ['asymmetric']}),
                    ('asymstrict', {'flags': ['asymmetric', 'strict-source']}),
                    ('off', {'endpoint-learning': 'off'}),
                    ('heur', {'flags': ['endpoint-learning-heuristic']}),
                    ('heurhand', {'endpoint-learning': 'heuristic', 'flags': ['media-handover']})]:
    r = $(offer x fa)
    r['call-id'] = 'latch-' + name
    r.update(extra)
    out[name] = c.req(r)['result']
print(json.dumps(out))" >"$TP_TMP/latch_offers.json"
tp_ctl --json agw list >"$TP_TMP/list3.json"
python3 - "$TP_TMP/list3.json" >"$TP_TMP/latch_ids.txt" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1]))['contexts']:
    if (x.get('label') or '').startswith('latch-') or x.get('label') == 'api-call':
        print(x['label'], x['id'])
PY
: >"$TP_TMP/latch.txt"
while read -r label id; do
  tp_ctl --json agw show "$id" >"$TP_TMP/show.json" &&
    echo "$label $(j "$TP_TMP/show.json" '"%s%s" % (d["legs"][0]["latch"], "+signalled" if d["legs"][0]["latch_signalled"] else "")')" >>"$TP_TMP/latch.txt"
done <"$TP_TMP/latch_ids.txt"
echo "# latching: $(tr '\n' ' ' <"$TP_TMP/latch.txt")"
latch_is() { grep -qx "$1 $2" "$TP_TMP/latch.txt"; }
tp_check "every latching offer taken" jt "$TP_TMP/latch_offers.json" "set(d.values())=={'ok'}"
tp_check "no flag: strict (the door's default: no gm)" latch_is latch-none strict
tp_check "symmetric: strict" latch_is latch-sym strict
tp_check "strict-source: strict" latch_is latch-strict strict
tp_check "media-handover: handover" latch_is latch-handover handover
tp_check "strict-source with media-handover: strict (the safer)" latch_is latch-both strict
tp_check "asymmetric: off" latch_is latch-asym off
tp_check "asymmetric strict-source: off, the signalled address only" \
  latch_is latch-asymstrict off+signalled
tp_check "endpoint-learning=off: off" latch_is latch-off off
tp_check "endpoint-learning-heuristic: strict, bound to the signalled address" \
  latch_is latch-heur strict+signalled
tp_check "endpoint-learning=heuristic media-handover: handover, bound to it" \
  latch_is latch-heurhand handover+signalled
tp_check "the JSON door's leg without latch: relatch (its default: it has gm)" \
  latch_is api-call relatch
ng "
for name in ('none', 'strict', 'handover', 'both', 'sym', 'asym', 'asymstrict', 'off', 'heur', 'heurhand'):
    c.req({'command':'delete','call-id':'latch-' + name})" >/dev/null
# what other flags of FEATURE.md's table ask of a call, where the reply
# alone (test_ng_diff's, addresses reduced to ours and theirs) cannot
# show it: SIP-source-address's remote (received-from's address, the
# SDP's port), media-address in the SDP we send, direction= choosing our
# address (the UE's offer named core first: A's termination on the core
# side's address, B's on the access side's)
ng "
r = $(offer fl-sip fa)
r.update({'flags': ['SIP-source-address'], 'received-from': ['IP4', '10.210.0.9']})
a = c.req(r)
r = $(offer fl-maddr fa)
r['media-address'] = '192.0.2.99'
b = c.req(r)
r = $(offer fl-dir fa)
r['direction'] = ['core', 'access']
d = c.req(r)
print(json.dumps({'r': [a['result'], b['result'], d['result']], 'maddr': b.get('sdp', ''), 'dir': d.get('sdp', '')}))" >"$TP_TMP/flags.json"
tp_ctl --json agw list >"$TP_TMP/list4.json"
legs() { tp_ctl --json agw show "$(python3 -c "import json,sys; print([x['id'] for x in json.load(open(sys.argv[1]))['contexts'] if x.get('label')==sys.argv[2]][0])" "$TP_TMP/list4.json" "$1")" >"$TP_TMP/$1.json"; }
legs fl-sip; legs fl-dir
echo "# SIP-source-address: $(j "$TP_TMP/fl-sip.json" 'd["legs"][0]["remote"]'), direction core,access: $(j "$TP_TMP/fl-dir.json" '[l["local"] for l in d["legs"]]')"
tp_check "SIP-source-address: A's remote is received-from's address with the SDP's port" \
  jt "$TP_TMP/fl-sip.json" "d['legs'][0]['remote']=='10.210.0.9:5004'"
tp_check "media-address: the offer's reply says it in c=" \
  jt "$TP_TMP/flags.json" "d['r']==['ok']*3 and 'c=IN IP4 192.0.2.99' in d['maddr']"
tp_check "direction=core,access: A's termination on the core side's address, B's on the access side's" \
  jt "$TP_TMP/fl-dir.json" "d['legs'][0]['local'].startswith('10.211.0.') and d['legs'][1]['local'].startswith('10.210.0.')"
ng "
for n in ('fl-sip', 'fl-maddr', 'fl-dir'):
    c.req({'command':'delete','call-id':n})" >/dev/null

# the rate: 100 a second. A burst of 300 pings of 22 octets: 100 or so
# answered, the rest not acted on and not answered at all (the refusal,
# 60 octets, would amplify them towards whoever forged their source); a
# burst of 300 padded to 200 octets (an unknown key, passed over): the
# rest refused at once, not queued
ng "
def burst(pad):
    c.s.settimeout(1.0)
    for i in range(300):
        m = {'command':'ping'}
        if pad:
            m['x-pad'] = 'p' * 150
        c.s.sendto(b'r%d ' % i + ng.enc(m), c.dst)
    res = {'pong': 0, 'limit': 0}
    try:
        while True:
            r = ng.dec(c.s.recv(65535).split(b' ',1)[1])[0]
            res['pong' if r['result']=='pong' else 'limit'] += 1
    except socket.timeout:
        pass
    return res
small = burst(False)
time.sleep(1.2)
print(json.dumps({'small': small, 'padded': burst(True)}))" >"$TP_TMP/rate.json"
echo "# bursts: $(cat "$TP_TMP/rate.json")"
# (a burst past the socket's buffer loses some datagrams: UDP)
tp_check "past ng.max_rate, 22-octet pings: ~100 answered, no refusal (longer than them)" \
  jt "$TP_TMP/rate.json" "90<=d['small']['pong']<=140 and d['small']['limit']==0"
tp_check "past ng.max_rate, 200-octet pings: ~100 answered, refusals at once, not a queue" \
  jt "$TP_TMP/rate.json" "d['padded']['pong']+d['padded']['limit']>=200 and 90<=d['padded']['pong']<=140 and d['padded']['limit']>=100"
status
tp_check "status ng: rate_limited counted" jt "$TP_TMP/status.json" "d['ng']['stats']['rate_limited']>=300"
sleep 1.2
# A repeat costs its token: a ping sent 3,000 times with one cookie (the
# cache holds its reply) gets no more replies than the rate allows
ng "
c.s.settimeout(1.0)
m = b'same1 ' + ng.enc({'command':'ping'})
t0 = time.monotonic()
for i in range(3000):
    c.s.sendto(m, c.dst)
n = 0
try:
    while True:
        c.s.recv(65535)
        n += 1
except socket.timeout:
    pass
print(json.dumps({'replies': n, 'secs': time.monotonic() - t0 - 1.0}))" >"$TP_TMP/repeat.json"
echo "# a ping 3,000 times with one cookie: $(cat "$TP_TMP/repeat.json")"
tp_check "a request repeated 3,000 times with one cookie: its replies within ng.max_rate" \
  jt "$TP_TMP/repeat.json" "1 <= d['replies'] <= 100 + 100 * d['secs'] + 10"
tp_check "cp still answers the operator" tp_ctl status

# a call with no context (its one section refused, port 0, on both sides)
# ends by itself as one with media does, not held until a delete that a
# P-CSCF may never send
SDP0='v=0\r\no=- 1 1 IN IP4 10.210.0.2\r\ns=-\r\nc=IN IP4 10.210.0.2\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n'
sleep 1
ng "
r1 = c.req({'command':'offer','call-id':'noctx','from-tag':'fa','sdp':'$SDP0'})
r2 = c.req({'command':'answer','call-id':'noctx','from-tag':'fa','to-tag':'tb','sdp':'$SDP0'})
l = c.req({'command':'list'})['calls']
print(json.dumps({'r': [r1['result'], r2['result']], 'calls': l}))" >"$TP_TMP/noctx.json"
tp_check "a call without a context: offered and answered" \
  jt "$TP_TMP/noctx.json" "d['r']==['ok','ok'] and d['calls']==['noctx']"
sleep 5.5
tp_check "... and gone after ng.timeout (5 s), as a silent call is" \
  test "$(ng "print('noctx' in c.req({'command':'list','limit':100})['calls'])")" = False
status
tp_check "... counted as timed out" jt "$TP_TMP/status.json" "d['ng']['stats']['calls_timed_out']==1"

# Large replies to small requests: 240 calls of 250-octet call-ids (no
# context: port 0; ng's calls are bounded by agw.media_contexts); a
# 35-octet list of 40 of them (a 10 KB reply) sent 3,000 times with one
# cookie, and 300 times with cookies of their own: what the door sends
# back stays within three times what it was sent (RFC 9000 §8.1's bound
# for a source not proven, cp_amp.h), one reply's worth aside (its cost
# is repaid after it went)
ng "
for i in range(240):
    c.req_ok({'command':'offer','call-id':'%03d' % i + 'L'*247,'from-tag':'fa','sdp':'$SDP0'})
# (room for every reply the door might send, read as they come)
c.s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)   # SO_RCVBUFFORCE (root)
def flood(same):
    time.sleep(1.2)
    sent = got = n = big = 0
    def drain(t):
        nonlocal got, n, big
        c.s.settimeout(t)
        try:
            while True:
                r = c.s.recv(65535)
                got += len(r)
                big = max(big, len(r))
                n += 1
                c.s.settimeout(t if t > 0 else 0.0001)
        except (socket.timeout, BlockingIOError):
            pass
    for i in range(3000 if same else 300):
        m = (b'amp1' if same else b'amp%d' % i) + b' ' + ng.enc({'command':'list','limit':40})
        c.s.sendto(m, c.dst)
        sent += len(m)
        if i % 50 == 49:
            time.sleep(0.02)
            drain(0)
    drain(1.0)
    return {'in': sent, 'out': got, 'replies': n, 'largest': big, 'request': len(m)}
print(json.dumps({'same': flood(True), 'own': flood(False)}))" >"$TP_TMP/amp.json"
echo "# 35-octet lists, 10 KB replies: $(cat "$TP_TMP/amp.json")"
tp_check "a list of 10 KB asked 3,000 times with one cookie: at most 3 times the octets sent, and one reply" \
  jt "$TP_TMP/amp.json" "d['same']['largest'] > 9000 and d['same']['request'] <= 40 and d['same']['out'] <= 3 * d['same']['in'] + d['same']['largest']"
tp_check "... 300 times with cookies of their own: the same" \
  jt "$TP_TMP/amp.json" "d['own']['replies'] >= 1 and d['own']['out'] <= 3 * d['own']['in'] + d['own']['largest']"

# the cache of replies at its bound (32 MiB): large replies (lists of
# 230 of those call-ids, ~57 KiB each, their requests padded to a third
# of that with a key the door passes over: a reply costs a token of the
# rate for each three times its request's length) fill it;
# ng.reply_cache_time (2 s) later they are stale, and a new reply is kept
# again (a stale one, our keys maybe in it, goes), so a repeat is still
# answered from it (a list of 240, larger than what room the fill left)
ng "
time.sleep(1.2)
n = octets = 0
while n < 720:
    r = c.raw(c.cookie() + b' ' + ng.enc({'command':'list','limit':230,'x-pad':'p'*19500}))
    if r is None or ng.dec(r.split(b' ',1)[1])[0].get('result') != 'ok':
        time.sleep(0.05)
        continue
    n += 1
    octets += len(r)
print(json.dumps({'calls': len(c.req_ok({'command':'list','limit':1000,'x-pad':'p'*25000})['calls']), 'lists': n, 'octets': octets}))" >"$TP_TMP/fill.json"
status
echo "# fill: $(cat "$TP_TMP/fill.json"), cache: $(j "$TP_TMP/status.json" 'd["ng"]["replies_cached_octets"]')"
tp_check "the fill: 240 calls, replies past the cache's 32 MiB" \
  jt "$TP_TMP/fill.json" "d['calls']==240 and d['octets']>(32<<20)"
# (the first lists may be stale, and dropped, by the fill's end; all of
# them are ng.reply_cache_time after it)
sleep 3
status
ng "
m = ng.enc({'command':'list','limit':1000,'x-pad':'p'*25000})
a = c.raw(b'stale1 ' + m); b = c.raw(b'stale1 ' + m)
print(json.dumps({'same': a == b}))" >"$TP_TMP/stale.json"
cp "$TP_TMP/status.json" "$TP_TMP/status0.json"
status
tp_check "a full cache of stale replies: a repeat is answered from the cache again" \
  python3 -c "import json; a=json.load(open('$TP_TMP/status0.json'))['ng']['stats']; b=json.load(open('$TP_TMP/status.json'))['ng']['stats']; import sys; sys.exit(0 if (b['repeats']-a['repeats'], b['requests']-a['requests']) == (1, 1) else 1)"

echo "# test_ng_door: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
