#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The ng door as a P-CSCF drives it: Debian's Kamailio (its rtpengine
# module) as the SIP proxy, two baresip user agents, and the media proxy
# that Kamailio's module talks ng to: turnpike (TP_NG_PROXY=turnpike, the
# default: turnpike-dp on tap ports, turnpike-cp's ng listener) or the
# real rtpengine (TP_NG_PROXY=rtpengine: the same test against the
# reference, so that the test itself is known good).
#
#   namespace C: the caller (access side), 10.210.0.2 on the media link to
#                the proxy's access address 10.210.0.1; its SIP to
#                Kamailio over a link of its own, from the same address
#   namespace P: the callee (core side), 10.211.0.2, the proxy's core
#                address 10.211.0.1; its SIP the same way
#   namespace S: Kamailio, SIP on 10.230.0.1, ng to the proxy at
#                10.231.0.1 from 10.231.0.2; it forwards nothing, so media
#                between C and P can only go through the proxy
#   namespace M: the proxy's ng address (rtpengine whole, or turnpike-cp)
#
#   - a call: the INVITE's SDP offered (direction=access direction=core),
#     the 200's answered, both SDPs name the proxy's addresses, RTP flows
#     through the proxy both ways (tshark on both sides);
#   - a re-INVITE (hold, then resume): the SDP's direction sendonly/recvonly
#     then sendrecv, media flows again after the resume;
#   - BYE: the proxy has no call left (ng list; turnpike: agw list empty);
#   - SRTP to RTP: the caller offers RTP/SAVP with a=crypto (SDES),
#     Kamailio's transport-protocol=RTP/AVP towards the callee and
#     RTP/SAVP back: SRTP on the caller's side (UDP 10 bytes longer, the
#     auth tag), plain RTP on the callee's, media both ways; BYE deletes.
# TP_NG_FIXTURES=DIR: the ng requests Kamailio sent, written there as sent
# (tests/integration/ng/ holds those of an rtpengine run).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
. "$HERE/lib/sip_env.sh"
tp_env_init
sip_env_init
start=$SECONDS
MEDIA_S=${NG_MEDIA_SECONDS:-4}      # seconds of media a phase
min=$((MEDIA_S * 50 * 3 / 4))     # 20 ms packets: 50 a second, three quarters of them at least

sip_proxy_start
# captures: all of C's and P's interfaces (SIP and media), and the ng link
sip_capture "$TP_NS_C" any caller
sip_capture "$TP_NS_P" any callee
sip_capture "$NS_S" "${TP_ID}sm" ng    # all of it: a long reply comes in IP fragments
sip_capture_ready 3

# ---- Kamailio: no database; the callee's place is static ($du); a
# P-CSCF's rtpengine flags, the directions from the side the offer came from
cat >"$TP_TMP/kamailio.cfg" <<CFG
#!KAMAILIO
#!define FLT_SRTP 1
debug=2
log_stderror=yes
children=2
disable_tcp=yes
auto_aliases=no
listen=udp:$SIP:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", "udp:$NG:$NG_PORT")

request_route {
  xlog("L_NOTICE", "req \$rm \$ru from \$si\n");
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("CANCEL")) {
    if (t_check_trans()) { rtpengine_delete(); t_relay(); }
    exit;
  }
  if (has_totag()) {
    if (!loose_route()) {
      if (is_method("ACK") && t_check_trans()) t_relay();
      else sl_send_reply("404", "Not Here");
      exit;
    }
    if (is_method("BYE")) rtpengine_delete();
    else if (is_method("INVITE")) route(OFFER);
    t_relay();
    exit;
  }
  if (!is_method("INVITE")) { sl_send_reply("405", "Method Not Allowed"); exit; }
  if (\$rU != "callee") { sl_send_reply("404", "Not Found"); exit; }
  record_route();
  \$du = "sip:10.211.0.2:5060";
  route(OFFER);
  t_relay();
}

route[OFFER] {
  if (!has_body("application/sdp")) return;
  if (\$si == "10.210.0.2") \$var(dir) = "direction=access direction=core";
  else \$var(dir) = "direction=core direction=access";
  \$var(tp) = "";
  if (search_body("RTP/SAVP")) { setflag(FLT_SRTP); \$var(tp) = " transport-protocol=RTP/AVP"; }
  rtpengine_offer("replace-origin replace-session-connection ICE=remove trust-address \$var(dir)\$var(tp)");
  t_on_reply("ANSWER");
}

onreply_route[ANSWER] {
  if (has_body("application/sdp") && (\$rs == 183 || (\$rs >= 200 && \$rs < 300))) {
    if (isflagset(FLT_SRTP))
      rtpengine_answer("replace-origin replace-session-connection ICE=remove trust-address transport-protocol=RTP/SAVP");
    else
      rtpengine_answer("replace-origin replace-session-connection ICE=remove trust-address");
  }
}
CFG
kam_start "$TP_TMP/kamailio.cfg"

# ---- the user agents (lib/sip_env.sh's baresip)
sip_ua caller "$TP_NS_C" "$TP_IF_A" 10.210.0.2 \
  "<sip:caller@$SIP>;regint=0" "<sip:scaller@$SIP>;regint=0;mediaenc=srtp-mand"
exec 7>"$TP_TMP/caller/in"
sip_ua callee "$TP_NS_P" "$TP_IF_K" 10.211.0.2 "<sip:callee@$SIP>;regint=0;answermode=auto"
exec 8>"$TP_TMP/callee/in"
cmd_c() { printf '%s\n' "$1" >&7; }

# both_logs PATTERN COUNT: the caller's and the callee's logs have it COUNT times
both_logs() { wait_log "$TP_TMP/caller.log" "$1" "$2" 10 && wait_log "$TP_TMP/callee.log" "$1" "$2" 5; }
established() { both_logs 'Call established' "$1"; }
closed() { both_logs 'terminated\|closed' "$1"; }
tp_check "baresip (caller, callee) ready" \
  both_logs 'baresip is ready' 1
tp_check "Kamailio up (SIP on $SIP:5060)" kam_up
sleep 0.5

# ---- call 1: RTP both ways, hold and resume, BYE
cmd_c "/dial sip:callee@$SIP"
tp_check "call 1 established (caller and callee)" established 1
t1=$(now); sleep "$MEDIA_S"; t2=$(now)
cmd_c "/callstat"
cmd_c "x"          # hold: a re-INVITE with a=sendonly
sleep 2; t_held=$(now)
cmd_c "X"          # resume: a re-INVITE with a=sendrecv
sleep 1; t3=$(now); sleep "$MEDIA_S"; t4=$(now)
n=$(proxy_calls)
echo "# during call 1, the proxy's calls: $n"
tp_check "during call 1, the proxy holds one call (turnpike: one context, its one audio stream)" \
  test "$(echo "$n" | tr ' ' '\n' | sort -u)" = 1
[ "$PROXY" = turnpike ] && tp_ctl --json agw list >"$TP_TMP/agw_call1.json"
cmd_c "/hangup"
tp_check "call 1 closed (caller and callee)" closed 1
sleep 1
n=$(proxy_calls)
echo "# after BYE, the proxy's calls: $n"
tp_check "BYE deleted the call: the proxy holds none" test "$(echo "$n" | tr ' ' '\n' | sort -u)" = 0

# ---- call 2: the caller's SRTP account (RTP/SAVP, SDES) to the callee's RTP
cmd_c "/uafind sip:scaller@$SIP"
sleep 0.5
cmd_c "/dial sip:callee@$SIP"
tp_check "call 2 (SRTP to RTP) established" established 2
t5=$(now); sleep "$MEDIA_S"; t6=$(now)
cmd_c "/hangup"
sleep 1
n=$(proxy_calls)
echo "# after the second BYE, the proxy's calls: $n"
tp_check "call 2 closed (caller and callee)" closed 2
tp_check "BYE deleted call 2: the proxy holds none" test "$(echo "$n" | tr ' ' '\n' | sort -u)" = 0

# ---- what the captures saw
sip_capture_stop
for c in caller callee ng; do
  tshark -r "$TP_TMP/$c.pcapng" -o rtp.heuristic_rtp:TRUE -T fields -E separator=/t -E aggregator='|' \
    -e frame.time_epoch -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e udp.length -e rtp.ssrc \
    -e sip.Method -e sip.Status-Code -e sip.CSeq.method -e sdp.media -e sdp.media_attr \
    -e sdp.connection_info -e sip.Call-ID -e udp.payload -e rtp.payload >"$TP_TMP/$c.tsv" 2>"$TP_TMP/$c.tshark.err"
done
$T sip "$TP_TMP/caller.tsv" >"$TP_TMP/caller.sip.json"
$T sip "$TP_TMP/callee.tsv" >"$TP_TMP/callee.sip.json"
[ -n "${TP_NG_FIXTURES:-}" ] && mkdir -p "$TP_NG_FIXTURES"
$T requests "$TP_TMP/ng.tsv" ${TP_NG_FIXTURES:+"$TP_NG_FIXTURES"} >"$TP_TMP/ng.requests" 2>"$TP_TMP/ng_trace.log"
[ -n "${TP_NG_FIXTURES:-}" ] && echo "# ng requests written to $TP_NG_FIXTURES"
sed "s/^/# /" "$TP_TMP/ng_trace.log"
sed 's/^/# ng: /' "$TP_TMP/ng.requests" | cut -c1-400
# the SDP bodies of a side's INVITEs and 200s, in order
sdp() {   # SIDE EXPR over m (one SIP message with SDP): prints what EXPR gives for each
  python3 -c "import json,sys; print(json.dumps([($2) for m in json.load(open(sys.argv[1])) if m['media']]))" "$TP_TMP/$1.sip.json"
}
echo "# caller's SDPs: $(sdp caller "(m['method'] or m['status'], m['media'], [a for a in m['attrs'] if a in ('sendrecv','sendonly','recvonly','inactive') or a.startswith('crypto')], m['conn'])" | cut -c1-1500)"
echo "# callee's SDPs: $(sdp callee "(m['method'] or m['status'], m['media'], [a for a in m['attrs'] if a in ('sendrecv','sendonly','recvonly','inactive') or a.startswith('crypto')], m['conn'])" | cut -c1-1500)"

tp_check "caller side: the SDPs it got name the proxy's access address (10.210.0.1)" \
  jt "$TP_TMP/caller.sip.json" "[m for m in d if m['media'] and m['dst']=='10.210.0.2'] and all(c.endswith('10.210.0.1') for m in d if m['media'] and m['dst']=='10.210.0.2' for c in m['conn'])"
tp_check "callee side: the SDPs it got name the proxy's core address (10.211.0.1)" \
  jt "$TP_TMP/callee.sip.json" "[m for m in d if m['media'] and m['dst']=='10.211.0.2'] and all(c.endswith('10.211.0.1') for m in d if m['media'] and m['dst']=='10.211.0.2' for c in m['conn'])"
# one_port SIDE UA: the SDPs the proxy sent to UA in call 1 all name one port
one_port() {
  jt "$TP_TMP/$1.sip.json" "len(set(m['media'][0].split()[1] for m in d if m['media'] and m['dst']=='$2' and m['callid']==[x for x in d if x['method']=='INVITE'][0]['callid']))==1"
}
tp_check "call 1's re-INVITEs keep the proxy's port: the caller's answers" one_port caller 10.210.0.2
tp_check "call 1's re-INVITEs keep the proxy's port: the callee's offers" one_port callee 10.211.0.2
tp_check "the hold re-INVITE: sendonly offered to the callee, recvonly answered to the caller" \
  bash -c "jt() { $(declare -f jt | tail -n +2); }; jt '$TP_TMP/callee.sip.json' \"any(m['method']=='INVITE' and 'sendonly' in m['attrs'] for m in d)\" && jt '$TP_TMP/caller.sip.json' \"any(m['status']==200 and 'recvonly' in m['attrs'] for m in d)\""

if [ "$PROXY" = turnpike ]; then
  callid=$(j "$TP_TMP/caller.sip.json" '[m for m in d if m["method"]=="INVITE"][0]["callid"]')
  echo "# call 1 in agw list: $(head -c 1500 "$TP_TMP/agw_call1.json")"
  tp_check "turnpike: call 1 in agw list, door ng, with its Call-ID ($callid)" \
    jt "$TP_TMP/agw_call1.json" "len(d['contexts'])==1 and d['contexts'][0]['door']=='ng' and '$callid' in json.dumps(d['contexts'][0])"
  # usage records (cp/acct): one a call's context, door ng, each leg's packets
  python3 -c "import json,sys; print(json.dumps([r for r in map(json.loads, open(sys.argv[1])) if r.get('door')=='ng']))" \
    "$TP_TMP/usage.jsonl" >"$TP_TMP/ng_records.json" 2>/dev/null || echo '[]' >"$TP_TMP/ng_records.json"
  echo "# usage records: $(head -c 2000 "$TP_TMP/ng_records.json")"
  tp_check "turnpike: a usage record for each call (door ng, RTP), each leg's packets both ways" \
    jt "$TP_TMP/ng_records.json" "len([r for r in d if r['scope']=='context'])==2 and all(r['media']=='rtp' and len(r['legs'])==2 and all(l['packets_in']>=$min and l['packets_out']>=$min for l in r['legs']) for r in d if r['scope']=='context')"
  tp_check "turnpike: call 2's record has the caller's leg RTP/SAVP, the callee's RTP/AVP" \
    jt "$TP_TMP/ng_records.json" "sorted(l['profile'] for l in [r for r in d if r['scope']=='context'][-1]['legs'])==['RTP/AVP','RTP/SAVP']"
fi

# rtp SIDE T0 T1 EXPR: EXPR over the RTP flows (d: "src:port>dst:port" -> n, ulen) of SIDE's capture
rtp() {
  $T rtp "$TP_TMP/$1.tsv" "$2" "$3" >"$TP_TMP/rtp.json"
  echo "# $1 $(cat "$TP_TMP/rtp.json")"
  jt "$TP_TMP/rtp.json" "$4"
}
# a flow's packets from the UA to the proxy's address, and back
both() {   # UA_IP PROXY_IP MIN [ULEN]
  echo "sum(f['n'] for k,f in d.items() if k.startswith('$1:') and k.split('>')[1].startswith('$2:'))>=$3 and sum(f['n'] for k,f in d.items() if k.startswith('$2:') and k.split('>')[1].startswith('$1:'))>=$3 and all(k.split('>')[1].split(':')[0] in ('$1','$2') for k in d)${4:+ and all(f['ulen']==[$4] for f in d.values())}"
}
tp_check "call 1: RTP both ways between the caller and the proxy (>= $min each way in ${MEDIA_S} s)" \
  rtp caller "$t1" "$t2" "$(both 10.210.0.2 10.210.0.1 $min 180)"
tp_check "call 1: RTP both ways between the callee and the proxy" \
  rtp callee "$t1" "$t2" "$(both 10.211.0.2 10.211.0.1 $min 180)"
tp_check "call 1 after the resume: RTP both ways again, caller side" \
  rtp caller "$t3" "$t4" "$(both 10.210.0.2 10.210.0.1 $min)"
tp_check "call 1 after the resume: RTP both ways again, callee side" \
  rtp callee "$t3" "$t4" "$(both 10.211.0.2 10.211.0.1 $min)"
tp_check "call 1 on hold: no media from the callee reaches the caller" \
  rtp caller "$(python3 -c "print($t_held - 0.5)")" "$t_held" "sum(f['n'] for k,f in d.items() if k.startswith('10.210.0.1:'))==0"

tp_check "call 2: the caller offered RTP/SAVP with a=crypto; its answer RTP/SAVP with a=crypto" \
  jt "$TP_TMP/caller.sip.json" "[m for m in d if m['media'] and m['method']=='INVITE'][-1]['media'][0].split()[2]=='RTP/SAVP' and any(a.startswith('crypto:') for a in [m for m in d if m['media'] and m['method']=='INVITE'][-1]['attrs']) and [m for m in d if m['media'] and m['status']==200][-1]['media'][0].split()[2]=='RTP/SAVP' and any(a.startswith('crypto:') for a in [m for m in d if m['media'] and m['status']==200][-1]['attrs'])"
tp_check "call 2: the callee was offered RTP/AVP without a=crypto, and answered RTP/AVP" \
  jt "$TP_TMP/callee.sip.json" "[m for m in d if m['media'] and m['method']=='INVITE'][-1]['media'][0].split()[2]=='RTP/AVP' and not any(a.startswith('crypto:') for a in [m for m in d if m['media'] and m['method']=='INVITE'][-1]['attrs']) and [m for m in d if m['media'] and m['status']==200][-1]['media'][0].split()[2]=='RTP/AVP'"
tp_check "call 2: SRTP both ways on the caller's side (UDP 190 bytes: 160 of PCMU, RTP's 12, the auth tag's 10)" \
  rtp caller "$t5" "$t6" "$(both 10.210.0.2 10.210.0.1 $min 190)"
tp_check "call 2: plain RTP both ways on the callee's side (UDP 180 bytes)" \
  rtp callee "$t5" "$t6" "$(both 10.211.0.2 10.211.0.1 $min 180)"
# both UAs send a 440 Hz sine: in the clear it changes sign about 18 times a
# packet, ciphertext about 80 times
tp_check "call 2: the callee gets the caller's tone in the clear (the proxy decrypts SRTP right)" \
  rtp callee "$t5" "$t6" "all(10 <= f['zc'] <= 30 for f in d.values())"
tp_check "call 2: the caller's side carries ciphertext both ways (the proxy encrypts towards it)" \
  rtp caller "$t5" "$t6" "all(f['zc'] >= 60 for f in d.values())"

# baresip's own count at a call's end ("packets: SENT RECEIVED"), the Nth call's
ua_rx() { awk '/^packets:/ { n++; if (n == '"$2"') print $3 }' "$TP_TMP/$1.log"; }
for c in 1 2; do
  echo "# call $c: the caller received $(ua_rx caller $c) RTP packets, the callee $(ua_rx callee $c) (baresip)"
  tp_check "call $c: each UA's baresip counted >= $min RTP packets received" \
    test "$(ua_rx caller $c)" -ge "$min" -a "$(ua_rx callee $c)" -ge "$min"
done

tp_check "Kamailio's rtpengine module: every command answered, none refused" \
  bash -c "! grep 'ERROR: rtpengine' '$TP_TMP/kamailio.log'"
tp_check "Kamailio's offers: a P-CSCF's flags (replace, ICE=remove, trust-address, directions)" \
  python3 -c "
import json,sys
r=[json.loads(l) for l in open('$TP_TMP/ng.requests')]
o=[x['request'] for x in r if x['request']['command']=='offer']
a=[x['request'] for x in r if x['request']['command']=='answer']
dl=[x['request'] for x in r if x['request']['command']=='delete']
ok=(len(o)>=4 and len(a)>=4 and len(dl)>=2
    and all(sorted(x.get('replace',[]))==['origin','session-connection'] and x.get('ICE')=='remove' and 'trust-address' in x.get('flags',[]) for x in o+a)
    and o[0]['direction']==['access','core'] and o[-1].get('transport-protocol')=='RTP/AVP'
    and a[-1].get('transport-protocol')=='RTP/SAVP')
sys.exit(0 if ok else 1)"

echo "# test_ng_kamailio ($PROXY): $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
