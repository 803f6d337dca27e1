#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A browser calls a SIP phone (issue 68), with clients no one here wrote:
# headless Chromium (its fake microphone) runs a SIP-over-WebSocket phone
# on JsSIP (the npm registry's, installed and bundled by tools/bootstrap;
# lib/webrtc/sip_page.html loads it), registered to Debian's Kamailio
# (its websocket module, SIP over WS on $SIP:$WS_PORT; its rtpengine
# module pointed at the media proxy's ng address); baresip in the core's
# namespace, registered too, speaks plain RTP/AVP. The topology is
# test_ng_kamailio's (lib/sip_env.sh): the browser in C (the access side,
# 10.210.0.2), baresip in P (the core side, 10.211.0.2), Kamailio in S,
# the proxy's ng door in M; the proxy is turnpike (TP_NG_PROXY=turnpike,
# the default) or the real rtpengine (TP_NG_PROXY=rtpengine: the test
# itself held to the reference).
#
# Kamailio's flags, by the side an offer comes from: from the browser
# (WS) ICE=remove transport-protocol=RTP/AVP rtcp-mux-demux towards the
# phone, and ICE=force transport-protocol=UDP/TLS/RTP/SAVPF on the answer
# back (the proxy picks its DTLS role for the browser's actpass: active,
# a=setup:active); from the phone (UDP) ICE=force DTLS=passive
# transport-protocol=UDP/TLS/RTP/SAVPF rtcp-mux-offer towards the browser
# (which answers active), ICE=remove RTP/AVP on the answer back. So the
# proxy is the DTLS client in case 1 and the server in case 2.
#   1. The browser calls baresip: DTLS up and audio arriving within 10 s
#      of the call's confirmation, then audio both ways (Chromium's getStats:
#      inbound packets and audio energy growing, DTLS connected with an
#      SRTP cipher, the selected pair to the proxy's access address;
#      baresip's RTP counters); hold (JsSIP's re-INVITE with a=sendonly:
#      no audio comes back) and resume (audio again); the browser's BYE,
#      after which the proxy holds no call.
#   2. baresip calls the browser (the offer from the SIP side), which
#      answers at once: audio both ways, as above; baresip's BYE.
#   3. (turnpike: rtpengine 10.5 has no BUNDLE) The browser calls a second
#      baresip with video (VP8, fakevideo's test card; SIP on port 5062)
#      with audio and video bundled, max-bundle: its INVITE's X-Bundle
#      header makes Kamailio's offer carry bundle=accept (the rtpengine
#      module passes it on as "bundle": "accept"). Our answer groups both
#      on one port; audio and video both ways at the browser (getStats,
#      one transport), on one 5-tuple on the access side and on two pairs
#      of ports on the phone's (the capture); the browser's BYE.
# turnpike's own (TP_NG_PROXY=turnpike): ng query's WebRTC leg (DTLS up,
# our role, the fingerprint verified, ICE consent fresh), agw list, the
# usage records (the browser's leg secured by DTLS-SRTP, the phone's not;
# call 3's two sections each on the one transport).
# The captures: tshark reads the core side as RTP (PCMU both ways, the
# browser's audio in the clear: its octets' entropy, its beeps decoded), the access side as STUN, DTLS (the
# handshake each way round) and SRTP (ciphertext) both ways and nothing
# else on the media ports, and neither with a malformed mark; the SDPs:
# the browser's name the proxy's access address with ICE, a sha-256
# fingerprint and rtcp-mux, the phone's the core address with no ICE, DTLS
# or SDES.
# rtpengine 10.5 with Chromium 156, met here: DTLS=passive on the answer to
# the browser's actpass offer hangs the handshake (rtpengine sends its
# ClientHello right after the offer's ICE check, before the answer, then
# answers passive: Chromium, told it is the client, drops that ClientHello
# and sends none of its own; both wait), so case 1 lets the proxy choose;
# and DTLS=passive on an offer still gives a=setup:actpass.
# WEBRTC_MEDIA_SECONDS: seconds of media a phase (4).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/sip_env.sh"
. "$HERE/lib/browser_env.sh"
tp_env_init
sip_env_init
start=$SECONDS
br_need
NPM_DIR=${TP_NPM_PREFIX:-/var/lib/turnpike-test/npm}
[ -s "$NPM_DIR/jssip.js" ] || tp_die "no JsSIP bundle at $NPM_DIR/jssip.js (tools/bootstrap makes it)"
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so ] ||
  ls /usr/lib/*/kamailio/modules/websocket.so >/dev/null 2>&1 ||
  tp_die "Kamailio's websocket module missing (tools/bootstrap installs kamailio-websocket-modules)"
WS_PORT=8080
MEDIA_S=${WEBRTC_MEDIA_SECONDS:-4}
min=$((MEDIA_S * 50 * 3 / 4))     # 20 ms packets: 50 a second, three quarters of them at least
M3=$(((MEDIA_S + 1) / 2))         # call 3's seconds of media (half)
min3=$((M3 * 50 * 3 / 4))
vmin=$((M3 * 10))                 # its video: 15 frames a second from the phone, more from Chromium
step() { echo "# [$((SECONDS - start)) s] $*"; }

sip_proxy_start
step "the proxy ($PROXY) up"
sip_capture "$TP_NS_C" any access   # the browser's side: its WebSocket and its media
sip_capture "$TP_NS_P" any core     # the phone's: SIP and RTP
sip_capture "$NS_S" "${TP_ID}sm" ng
sip_capture_ready 3

# ---- Kamailio: a registrar in memory (usrloc), SIP over UDP for the phone
# and over WebSocket for the browser (xhttp takes the HTTP upgrade); the
# WebSocket client's unroutable Contact and Via (RFC 7118's .invalid host)
# handled with nathelper as the websocket module's documentation shows:
# the REGISTER's source address kept as its received, an alias parameter
# on other Contacts, followed back by handle_ruri_alias. No authentication.
cat >"$TP_TMP/kamailio.cfg" <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=2
tcp_children=2
auto_aliases=no
listen=udp:$SIP:5060
listen=tcp:$SIP:$WS_PORT
tcp_accept_no_cl=yes
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
loadmodule "rtpengine.so"
modparam("nathelper|registrar", "received_avp", "\$avp(RECEIVED)")
modparam("websocket", "keepalive_mechanism", 0)
modparam("rtpengine", "rtpengine_sock", "udp:$NG:$NG_PORT")

event_route[xhttp:request] {
  set_reply_close();
  set_reply_no_connect();
  if (\$Rp == $WS_PORT && \$hdr(Upgrade) =~ "websocket" && \$hdr(Connection) =~ "Upgrade" && \$rm == "GET") {
    xlog("L_NOTICE", "WebSocket upgrade from \$si:\$sp\n");
    if (ws_handle_handshake()) exit;
  }
  xhttp_reply("404", "Not Found", "", "");
}

request_route {
  xlog("L_NOTICE", "req \$rm \$ru from \$si:\$sp (\$proto)\n");
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (nat_uac_test("64")) {
    force_rport();
    if (is_method("REGISTER")) fix_nated_register();
    else if (!add_contact_alias()) { sl_send_reply("400", "Bad Contact"); exit; }
  }
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
    if (\$du == "" && \$ru =~ ";alias=") handle_ruri_alias();
    if (is_method("BYE")) rtpengine_delete();
    else if (is_method("INVITE")) route(OFFER);
    t_relay();
    exit;
  }
  if (is_method("REGISTER")) {
    if (!save("location")) sl_reply_error();
    exit;
  }
  if (!is_method("INVITE")) { sl_send_reply("405", "Method Not Allowed"); exit; }
  if (!lookup("location")) { sl_send_reply("404", "Not Registered"); exit; }
  record_route();
  route(OFFER);
  t_relay();
}

# The browser is on WebSocket, the phone on UDP: the flags by the side the
# offer comes from, towards the other.
# An offer the proxy refuses is refused (503): its media never goes around it.
route[OFFER] {
  if (!has_body("application/sdp")) return;
  if (proto == WS) {
    # (a browser's INVITE with X-Bundle: bundled on the access side)
    \$var(bundle) = "";
    if (is_present_hf("X-Bundle")) \$var(bundle) = " bundle=accept";
    if (!rtpengine_offer("replace-origin replace-session-connection trust-address direction=access direction=core ICE=remove transport-protocol=RTP/AVP rtcp-mux-demux\$var(bundle)"))
      route(REFUSED);
  } else {
    if (!rtpengine_offer("replace-origin replace-session-connection trust-address direction=core direction=access ICE=force DTLS=passive transport-protocol=UDP/TLS/RTP/SAVPF rtcp-mux-offer"))
      route(REFUSED);
  }
  t_on_reply("ANSWER");
}

route[REFUSED] {
  sl_send_reply("503", "Media Proxy Refused the Offer");
  exit;
}

onreply_route[ANSWER] {
  if (nat_uac_test("64")) add_contact_alias();
  if (has_body("application/sdp") && (\$rs == 183 || (\$rs >= 200 && \$rs < 300))) {
    if (proto == WS)
      rtpengine_answer("replace-origin replace-session-connection trust-address ICE=remove transport-protocol=RTP/AVP rtcp-mux-demux");
    else
      rtpengine_answer("replace-origin replace-session-connection trust-address ICE=force transport-protocol=UDP/TLS/RTP/SAVPF");
  }
}
CFG
kam_start "$TP_TMP/kamailio.cfg"
tp_check "Kamailio up (SIP on $SIP:5060)" kam_up
tp_check "Kamailio's WebSocket listener up ($SIP:$WS_PORT)" \
  tp_wait_listen "$NS_S" tcp "$SIP" "$WS_PORT" "$KAM_PID" kamailio

# ---- the phone: baresip (lib/sip_env.sh), registered, answering at once
sip_ua phone "$TP_NS_P" "$TP_IF_K" 10.211.0.2 "<sip:phone@$SIP>;regint=600;answermode=auto"
exec 8>"$TP_TMP/phone/in"
cmd_p() { printf '%s\n' "$1" >&8; }
tp_check "baresip registered (sip:phone@$SIP)" wait_log "$TP_TMP/phone.log" '200 OK' 1 10
# ... and a video phone for call 3 (turnpike's: BUNDLE), another baresip
# on port 5062 sending VP8 too
if [ "$PROXY" = turnpike ]; then
  SIP_UA_PORT=5062 SIP_UA_VIDEO=1 sip_ua phonev "$TP_NS_P" "$TP_IF_K" 10.211.0.2 \
    "<sip:phonev@$SIP>;regint=600;answermode=auto"
  exec 9>"$TP_TMP/phonev/in"
  tp_check "baresip with video registered (sip:phonev@$SIP)" wait_log "$TP_TMP/phonev.log" '200 OK' 1 10
fi

# ---- the browser: lib/webrtc/sip_browser.py in C (lib/browser_env.sh)
br_start "$TP_NS_C" "$NPM_DIR/jssip.js"
tp_check "the browser registered over WebSocket (JsSIP, sip:browser@$SIP)" \
  br "tp.start('ws://$SIP:$WS_PORT', 'sip:browser@$SIP', 15000)" 20
step "the browser registered"

# media_both A B [MIN]: between stats A and B, >= MIN (min) packets each way; energy A
# B: the received audio's energy grew, its level is not 0
media_both() {
  echo "# getStats $2: $(cut -c1-900 "$TP_TMP/stats.$2.json")"
  grew "$1" "$2" "b['inbound']['packetsReceived'] - a['inbound']['packetsReceived'] >= ${3:-$min} and b['outbound']['packetsSent'] - a['outbound']['packetsSent'] >= ${3:-$min}"
}
energy() {
  grew "$1" "$2" "b['inbound']['totalAudioEnergy'] > a['inbound']['totalAudioEnergy'] and b['inbound']['audioLevel'] > 0"
}
secure() {   # the transport of stats A: DTLS up, SRTP keyed, the pair to the proxy
  jt "$TP_TMP/stats.$1.json" "d['transport']['dtlsState']=='connected' and d['transport'].get('srtpCipher') and d['pair']['remote']['address']=='10.210.0.1'"
}
# baresip's own count at a call's end ("packets: SENT RECEIVED"), its Nth
# such line (0: none)
ua_rx() { awk '/^packets:/ { n++; if (n == '"$1"') print $3 }' "$TP_TMP/phone.log"; }
ua_tx() { awk '/^packets:/ { n++; if (n == '"$1"') print $2 }' "$TP_TMP/phone.log"; }
calls_are() {   # N: the proxy holds N calls (turnpike: N contexts too)
  local n
  n=$(proxy_calls)
  echo "# the proxy's calls: $n"
  test "$(echo "$n" | tr ' ' '\n' | sort -u)" = "$1"
}

# ng_query NAME: the proxy's ng query of the call it holds (its Call-ID from
# ng list), in $TP_TMP/NAME.json
ng_query() {
  local id
  id=$(timeout 10 ip netns exec "$NS_S" $T ng "$NG" "$NG_PORT" '{"command": "list"}' |
       python3 -c 'import json,sys; print((json.load(sys.stdin).get("calls") or [""])[0])')
  timeout 10 ip netns exec "$NS_S" $T ng "$NG" "$NG_PORT" "{\"command\": \"query\", \"call-id\": \"$id\"}" \
    >"$TP_TMP/$1.json" 2>/dev/null || echo '{}' >"$TP_TMP/$1.json"
}
# webrtc_leg NAME EXPR: EXPR over w, the stream of query NAME's
# UDP/TLS/RTP/SAVPF medium (python: None when there is none)
webrtc_leg() {
  python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
m=[m for t in d.get('tags', {}).values() for m in t.get('medias', []) if m.get('protocol')=='UDP/TLS/RTP/SAVPF']
w=m[0]['streams'][0] if m and m[0].get('streams') else None
print('# %s: the WebRTC leg %s' % (sys.argv[2], json.dumps({k: w.get(k) for k in ('DTLS', 'ICE')} if w else None)))
sys.exit(0 if w and ($2) else 1)" "$TP_TMP/$1.json" "$1"
}

# phone_mark at a call's start; then phone_up, phone_down: baresip's log
# says one more call established, closed; pk: the call's line of RTP counts
phone_mark() {
  est0=$(grep -c 'Call established' "$TP_TMP/phone.log")
  end0=$(grep -c 'terminated\|closed' "$TP_TMP/phone.log")
  pk=$(($(grep -c '^packets:' "$TP_TMP/phone.log") + 1))
}
phone_up() { wait_log "$TP_TMP/phone.log" 'Call established' $((est0 + 1)) 10; }
phone_down() { wait_log "$TP_TMP/phone.log" 'terminated\|closed' $((end0 + 1)) 10; }
t1=0 t2=0 t3=0 t4=0 t5=0 t6=0 pk1=0 pk2=0
echo '{"contexts": []}' >"$TP_TMP/agw_call1.json"

# ---- case 1: the browser calls the phone
phone_mark; pk1=$pk
if br "tp.call('sip:phone@$SIP', 15000)" 20 && phone_up; then
  tp_ok "call 1: the browser's INVITE to the phone confirmed, baresip says the call is established"
  step "call 1 up"
  br "tp.sdp()" && cp "$TP_TMP/br.json" "$TP_TMP/sdp1.json"
  tp_check "call 1: DTLS up and the phone's audio arriving at the browser within 10 s" \
    br "tp.mediaUp(10000)" 15
  stats c1a; t1=$(now); sleep "$MEDIA_S"; t2=$(now); stats c1b
  tp_check "call 1: audio both ways at the browser (getStats: >= $min packets in and out in $MEDIA_S s)" \
    media_both c1a c1b
  tp_check "call 1: the phone's audio has energy at the browser (totalAudioEnergy grows, audioLevel > 0)" \
    energy c1a c1b
  tp_check "call 1: DTLS connected, SRTP keyed, the selected pair to the proxy's 10.210.0.1" secure c1b
  if [ "$PROXY" = turnpike ]; then
    tp_ctl --json agw list >"$TP_TMP/agw_call1.json"
    ng_query q1
    tp_check "turnpike: query's WebRTC leg: DTLS up, us the client (a=setup:active), the browser's fingerprint verified, ICE consent fresh" \
      webrtc_leg q1 "w['DTLS']['state']=='up' and w['DTLS']['role']=='client' and w['DTLS']['fingerprint verified']==1 and w['ICE']['consent']=='fresh'"
  fi
  tp_check "call 1: the proxy holds one call" calls_are 1
  tp_check "call 1: hold (the browser's re-INVITE, a=sendonly) answered" br "tp.hold(10000)" 15
  sleep 1; stats h1; sleep 1.5; stats h2
  tp_check "call 1 on hold: no audio comes to the browser" \
    grew h1 h2 "b['inbound']['packetsReceived'] - a['inbound']['packetsReceived'] <= 2"
  tp_check "call 1: resume (the browser's re-INVITE, a=sendrecv) answered" br "tp.unhold(10000)" 15
  sleep 1; stats c1c; t3=$(now); sleep "$MEDIA_S"; t4=$(now); stats c1d
  tp_check "call 1 after the resume: audio both ways at the browser again" media_both c1c c1d
  tp_check "call 1 after the resume: the phone's audio has energy" energy c1c c1d
  tp_check "call 1: the browser's BYE ends it (JsSIP's session ended)" br "tp.hangup(10000)" 15
  tp_check "call 1: baresip says the call closed" phone_down
else
  tp_not_ok "call 1: the browser's INVITE to the phone confirmed, baresip says the call is established (its media, hold and BYE not tried)"
  br "tp.hangup(2000)" 5; cmd_p "/hangup"
fi
sleep 1
tp_check "after call 1 the proxy holds no call" calls_are 0
step "call 1 done"

# ---- case 2: the phone calls the browser
phone_mark; pk2=$pk
cmd_p "/dial sip:browser@$SIP"
if br "tp.answered(15000)" 20 && phone_up; then
  tp_ok "call 2: the browser answered the phone's INVITE, confirmed; baresip says the call is established"
  step "call 2 up"
  br "tp.sdp()" && cp "$TP_TMP/br.json" "$TP_TMP/sdp2.json"
  tp_check "call 2: DTLS up and the phone's audio arriving at the browser within 10 s" \
    br "tp.mediaUp(10000)" 15
  stats c2a; t5=$(now); sleep "$MEDIA_S"; t6=$(now); stats c2b
  tp_check "call 2: audio both ways at the browser (getStats)" media_both c2a c2b
  tp_check "call 2: the phone's audio has energy at the browser" energy c2a c2b
  tp_check "call 2: DTLS connected, SRTP keyed, the selected pair to the proxy's 10.210.0.1" secure c2b
  if [ "$PROXY" = turnpike ]; then
    ng_query q2
    tp_check "turnpike: query's WebRTC leg: DTLS up, us the server (DTLS=passive), the fingerprint verified, ICE consent fresh" \
      webrtc_leg q2 "w['DTLS']['state']=='up' and w['DTLS']['role']=='server' and w['DTLS']['fingerprint verified']==1 and w['ICE']['consent']=='fresh'"
  fi
  tp_check "call 2: the proxy holds one call" calls_are 1
  cmd_p "/hangup"
  tp_check "call 2: the phone's BYE reaches the browser" br "tp.ended(10000)" 15
  tp_check "call 2: baresip says the call closed" phone_down
else
  tp_not_ok "call 2: the browser answered the phone's INVITE, confirmed; baresip says the call is established (its media and BYE not tried)"
  cmd_p "/hangup"
fi
sleep 1
tp_check "after call 2 the proxy holds no call" calls_are 0
step "call 2 done"

# ---- case 3 (turnpike): the browser calls the video phone, audio and
# video bundled (max-bundle; its X-Bundle header makes Kamailio's offer
# bundle=accept)
t7=0 t8=0
if [ "$PROXY" = turnpike ]; then
  v0=$(grep -c 'Call established' "$TP_TMP/phonev.log")
  br "tp.media(true, 'max-bundle')"
  if br "tp.call('sip:phonev@$SIP', 15000, ['X-Bundle: accept'])" 20 &&
     wait_log "$TP_TMP/phonev.log" 'Call established' $((v0 + 1)) 10; then
    tp_ok "call 3: the browser's INVITE (audio and video, max-bundle) to the video phone confirmed, baresip says the call is established"
    step "call 3 up"
    br "tp.sdp()" && cp "$TP_TMP/br.json" "$TP_TMP/sdp3.json"
    tp_check "call 3: DTLS up and the phone's audio arriving at the browser within 10 s" \
      br "tp.mediaUp(10000)" 15
    stats c3a; t7=$(now); sleep "$M3"; t8=$(now); stats c3b
    tp_check "call 3: audio both ways at the browser (getStats: >= $min3 packets in and out in $M3 s)" \
      media_both c3a c3b "$min3"
    tp_check "call 3: video both ways at the browser (getStats: >= $vmin VP8 packets in and out)" \
      grew c3a c3b "b['inboundVideo']['packetsReceived'] - (a['inboundVideo'] or {}).get('packetsReceived', 0) >= $vmin and b['outboundVideo']['packetsSent'] - (a['outboundVideo'] or {}).get('packetsSent', 0) >= $vmin and b['inboundVideo']['codec']=='video/VP8'"
    tp_check "call 3: one transport (getStats), DTLS connected, SRTP keyed, the pair to the proxy's 10.210.0.1" \
      eval 'grew c3b c3b "b[\"transports\"]==1" && secure c3b'
    tp_check "call 3: the proxy holds one call of two contexts (audio, video)" test "$(proxy_calls)" = "1 2"
    tp_check "call 3: the browser's BYE ends it" br "tp.hangup(10000)" 15
    tp_check "call 3: baresip says the call closed" \
      wait_log "$TP_TMP/phonev.log" 'terminated\|closed' 1 10
  else
    tp_not_ok "call 3: the browser's INVITE (audio and video, max-bundle) to the video phone confirmed, baresip says the call is established (its media and BYE not tried)"
    br "tp.hangup(2000)" 5; printf '/hangup\n' >&9
  fi
  br "tp.media(false)"
  sleep 1
  tp_check "after call 3 the proxy holds no call" calls_are 0
  step "call 3 done"
else
  echo "ok - call 3: the browser's audio and video bundled to the video phone # SKIP rtpengine 10.5 has no BUNDLE"
fi
br_stop

# ---- the SDPs the browser got (from the page) and the phone got (its capture)
sdp_has() {   # FILE EXPR over r (the remote SDP's lines) and l (the local's)
  [ -s "$TP_TMP/$1" ] && python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))['value']; r=d['remote'].splitlines(); l=d['local'].splitlines()
sys.exit(0 if ($2) else 1)" "$TP_TMP/$1"
}
webrtc_sdp="any(x.startswith('m=audio ') and ' UDP/TLS/RTP/SAVPF ' in x for x in r) and 'c=IN IP4 10.210.0.1' in r and any(x.startswith('a=fingerprint:sha-256 ') for x in r) and any(x.startswith('a=ice-ufrag:') for x in r) and any(x.startswith('a=candidate:') and ' 10.210.0.1 ' in x for x in r) and 'a=rtcp-mux' in r"
for c in 1 2 3; do
  [ -s "$TP_TMP/sdp$c.json" ] &&
    echo "# call $c's SDP from the proxy to the browser: $(j "$TP_TMP/sdp$c.json" 'd["value"]["remote"]' | tr '\r\n' ' ' | cut -c1-1200)"
done
tp_check "call 1: the proxy's answer to the browser's actpass: UDP/TLS/RTP/SAVPF at 10.210.0.1, ICE, sha-256 fingerprint, rtcp-mux, a=setup:active" \
  sdp_has sdp1.json "$webrtc_sdp and 'a=setup:active' in r and 'a=setup:actpass' in l"
# (rtpengine 10.5 offers actpass whatever DTLS= says: "we always must offer actpass")
tp_check "call 2: the proxy's offer to the browser: the same, a=setup:passive (DTLS=passive) or actpass; the browser answered active" \
  sdp_has sdp2.json "$webrtc_sdp and ('a=setup:passive' in r or 'a=setup:actpass' in r) and 'a=setup:active' in l"
[ "$PROXY" = turnpike ] &&
  tp_check "call 3: the proxy's answer to the browser's max-bundle offer (its video on no port of its own): a=group:BUNDLE 0 1, audio and video on one port, no MID a=extmap, as the others" \
    sdp_has sdp3.json "$webrtc_sdp and [x.split()[1] for x in l if x.startswith('m=video ')] in (['0'], ['9']) and 'a=group:BUNDLE 0 1' in r and [x.split()[0] for x in r if x.startswith('m=')]==['m=audio','m=video'] and len(set(x.split()[1] for x in r if x.startswith('m=')))==1 and not any('sdes:mid' in x for x in r)"

sip_capture_stop
fields=(-e frame.time_epoch -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e udp.length -e rtp.ssrc
  -e sip.Method -e sip.Status-Code -e sip.CSeq.method -e sdp.media -e sdp.media_attr
  -e sdp.connection_info -e sip.Call-ID -e udp.payload -e rtp.payload)
for c in core ng; do
  tshark -r "$TP_TMP/$c.pcapng" -o rtp.heuristic_rtp:TRUE -T fields -E separator=/t -E aggregator='|' \
    "${fields[@]}" >"$TP_TMP/$c.tsv" 2>"$TP_TMP/$c.tshark.err"
done
$T sip "$TP_TMP/core.tsv" >"$TP_TMP/core.sip.json"
$T requests "$TP_TMP/ng.tsv" >"$TP_TMP/ng.requests" 2>"$TP_TMP/ng_trace.log"
sed 's/^/# ng: /' "$TP_TMP/ng.requests" | cut -c1-300
echo "# the phone's SDPs: $(python3 -c "import json,sys; print(json.dumps([(m['method'] or m['status'], m['media'], [a for a in m['attrs'] if a.split(':')[0] in ('sendrecv','sendonly','recvonly','inactive','ice-ufrag','fingerprint','setup','crypto','rtcp-mux')], m['conn']) for m in json.load(open(sys.argv[1])) if m['media']]))" "$TP_TMP/core.sip.json" | cut -c1-1500)"
tp_check "the phone's side: every SDP it got is RTP/AVP at the proxy's 10.211.0.1, without ICE, DTLS or SDES" \
  jt "$TP_TMP/core.sip.json" "[m for m in d if m['media'] and m['dst']=='10.211.0.2'] and all(c.endswith('10.211.0.1') for m in d if m['media'] and m['dst']=='10.211.0.2' for c in m['conn']) and all(x.split()[2]=='RTP/AVP' for m in d if m['media'] and m['dst']=='10.211.0.2' for x in m['media']) and not [a for m in d if m['media'] and m['dst']=='10.211.0.2' for a in m['attrs'] if a.split(':')[0] in ('ice-ufrag','candidate','fingerprint','setup','crypto')]"
tp_check "the hold re-INVITE: sendonly offered to the phone" \
  jt "$TP_TMP/core.sip.json" "any(m['method']=='INVITE' and 'sendonly' in m['attrs'] for m in d)"

# rtp T0 T1 EXPR: EXPR over the core side's RTP flows in [T0, T1)
rtp() {
  $T rtp "$TP_TMP/core.tsv" "$1" "$2" >"$TP_TMP/rtp.json"
  echo "# core side $(cat "$TP_TMP/rtp.json")"
  jt "$TP_TMP/rtp.json" "$3"
}
core_both="sum(f['n'] for k,f in d.items() if k.startswith('10.211.0.2:') and k.split('>')[1].startswith('10.211.0.1:'))>=$min and sum(f['n'] for k,f in d.items() if k.startswith('10.211.0.1:') and k.split('>')[1].startswith('10.211.0.2:'))>=$min and all(f['ulen']==[180] for f in d.values())"
tp_check "call 1: plain RTP (PCMU, UDP 180 bytes) both ways between the phone and the proxy" rtp "$t1" "$t2" "$core_both"
tp_check "call 1 after the resume: RTP both ways on the phone's side again" rtp "$t3" "$t4" "$core_both"
tp_check "call 2: plain RTP both ways on the phone's side" rtp "$t5" "$t6" "$core_both"
# call 3: the bundled sections apart again, each on its own pair of ports
# (the proxy's, the video phone's), PCMU on one, VP8 on the other
[ "$PROXY" = turnpike ] &&
  tp_check "call 3: the browser's audio and video to the video phone from two of the proxy's ports to two of its own, both ways, PCMU on one" \
    rtp "$t7" "$t8" "sorted(f['n']>=$vmin for k,f in d.items() if k.startswith('10.211.0.1:'))==[True,True] and len(set(k.split('>')[0] for k in d if k.startswith('10.211.0.1:')))==2 and len(set(k.split('>')[1] for k in d if k.startswith('10.211.0.1:')))==2 and sorted(f['n']>=$vmin for k,f in d.items() if k.startswith('10.211.0.2:'))==[True,True] and sum(f['ulen']==[180] and f['n']>=$min3 for k,f in d.items() if k.startswith('10.211.0.1:'))==1"
# the browser's audio reaches the phone decrypted, and it is the
# browser's: its payloads' octets far from ciphertext's 8 bits of entropy
# an octet (PCMU of Chromium's fake microphone: 1.6 to 3.5; the phone's
# sine 5.8; measured over every octet of the window, so no load moves
# it), yet not a constant (a payload of zeros: 0); decoded as PCMU most
# packets quiet (RMS under 1000: its beeps, about twice a second, and
# not in every window, are the loud ones), where ciphertext or a
# continuous tone is loud in every packet. (Sign changes a packet, the
# measure before, went over ciphertext's bound under load: Chromium's
# near-silence flips sign often.)
clear="[k for k in d if k.startswith('10.211.0.1:')] and all(f['n'] >= $min and 0.5 <= f['H'] <= 6.5 and f['loud'] < f['n'] / 2 for k,f in d.items() if k.startswith('10.211.0.1:'))"
tp_check "call 1: the phone gets the browser's audio in the clear (the proxy decrypts SRTP: the octets' entropy 0.5 to 6.5 bits, most packets quiet decoded)" rtp "$t1" "$t2" "$clear"
tp_check "call 2: the phone gets the browser's audio in the clear" rtp "$t5" "$t6" "$clear"
for c in 1 2; do
  eval "k=\$pk$c"
  echo "# call $c: baresip sent $(ua_tx "$k") RTP packets, received $(ua_rx "$k")"
  tp_check "call $c: baresip counted >= $min RTP packets sent and received" \
    test "$(ua_rx "$k")" -ge "$min" -a "$(ua_tx "$k")" -ge "$min" 2>/dev/null
done

# The access side's media: what tshark makes of every UDP datagram between
# the browser and the proxy's access address (RFC 7983's three on one
# port), by direction and by phase.
tshark -r "$TP_TMP/access.pcapng" -o rtp.heuristic_rtp:TRUE -Y "udp and not icmp and ip.addr == 10.210.0.1" \
  -T fields -E separator=/t -e frame.time_epoch -e ip.src -e udp.srcport -e ip.dst -e udp.dstport \
  -e frame.protocols -e udp.length -e dtls.handshake.type -e stun.type -e srtp.enc_payload -e udp.payload \
  >"$TP_TMP/access.tsv" 2>"$TP_TMP/access.tshark.err"
# access T0 T1 EXPR: EXPR over d, {"src>dst": {"stun": N, "dtls": N, "srtp":
# N (what tshark decodes as SRTP: it knows the port from the SDP it read in
# the WebSocket), "srtcp": N (RTCP's packet types, RFC 5761 §4: tshark names
# only some of them), "hs": DTLS handshake types, "zc": the SRTP payloads'
# median sign changes in 160 octets (lib/ng_trace.py's measure: a tone in
# the clear about 18, ciphertext about 80), "other": anything else}}, for
# datagrams sent in [T0, T1)
access() {
  python3 - "$TP_TMP/access.tsv" "$1" "$2" "$3" <<'PY'
import collections, json, sys
tsv, t0, t1, expr = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
d = collections.defaultdict(lambda: {"stun": 0, "dtls": 0, "srtp": 0, "srtcp": 0, "hs": [],
                                     "zc": [], "other": []})
for line in open(tsv):
    f = line.rstrip("\n").split("\t") + [""] * 11
    if not (t0 <= float(f[0]) < t1):
        continue
    e = d["%s>%s" % (f[1], f[3])]
    p = f[5].split(":")
    if "stun" in p:
        e["stun"] += 1
    elif "dtls" in p:
        e["dtls"] += 1
        e["hs"] += [h for h in f[7].split(",") if h and h not in e["hs"]]
    elif f[9]:
        e["srtp"] += 1
        b = bytes.fromhex(f[9].replace(":", ""))[:160]
        e["zc"].append(sum(1 for x, y in zip(b, b[1:]) if (x ^ y) & 0x80))
    elif len(f[10]) >= 4 and int(f[10][:2], 16) >> 6 == 2 and 192 <= int(f[10][2:4], 16) <= 223:
        e["srtcp"] += 1
    elif f[5] not in e["other"]:
        e["other"].append(f[5])
for e in d.values():
    e["zc"] = sorted(e["zc"])[len(e["zc"]) // 2] if e["zc"] else None
print("# access side %s" % json.dumps(d))
sys.exit(0 if eval(expr) else 1)
PY
}
B=10.210.0.2 A=10.210.0.1
only_srtp="d['$B>$A']['srtp']>=$min and d['$A>$B']['srtp']>=$min and not d['$B>$A']['other'] and not d['$A>$B']['other'] and d['$A>$B']['zc']>=60"
tp_check "call 1: SRTP both ways between the browser and the proxy (>= $min each way, the phone's tone as ciphertext), nothing else" \
  access "$t1" "$t2" "$only_srtp"
tp_check "call 1 after the resume: SRTP both ways again" access "$t3" "$t4" "$only_srtp"
tp_check "call 2: SRTP both ways between the browser and the proxy" access "$t5" "$t6" "$only_srtp"
tp_check "call 1: ICE checks both ways; the proxy (active) sent the DTLS ClientHello (1), the browser the ServerHello (2)" \
  access 0 "$t2" "d['$B>$A']['stun']>0 and d['$A>$B']['stun']>0 and '1' in d['$A>$B']['hs'] and '2' in d['$B>$A']['hs']"
tp_check "call 2: ICE checks both ways; the browser (active) sent the DTLS ClientHello, the proxy (passive) the ServerHello" \
  access "$t4" "$t6" "d['$B>$A']['stun']>0 and d['$A>$B']['stun']>0 and '1' in d['$B>$A']['hs'] and '2' in d['$A>$B']['hs']"
tp_check "the access side: STUN, DTLS and SRTP only, no other protocol" \
  access 0 9e12 "not d['$B>$A']['other'] and not d['$A>$B']['other']"
[ "$PROXY" = turnpike ] &&
  tp_check "call 3: the browser's audio and video on one 5-tuple, SRTP both ways (the bundled transport)" \
    python3 -c "
import sys
t = set()
for line in open(sys.argv[1]):
    f = line.rstrip('\n').split('\t')
    if $t7 <= float(f[0]) < $t8:
        t.add(tuple(sorted([(f[1], f[2]), (f[3], f[4])])))
print('# call 3: the access side\'s 5-tuples', sorted(t))
sys.exit(0 if len(t) == 1 else 1)" "$TP_TMP/access.tsv" && access "$t7" "$t8" "$only_srtp"
# Two marks of tshark's that say nothing of the packet, counted apart: a
# retransmitted fragment of a DTLS handshake message ("New fragment
# overlaps old data (retransmission?)": Chromium cuts its ClientHello over
# two datagrams and sends it again after 50 ms without an answer), and an
# SRTCP packet (all but its first 8 octets encrypted, which tshark reads as
# RTCP all the same: now and then an exception). And one of the video
# phone's: tshark's VP8 dissector marks baresip 1.0's own VP8 (as baresip
# sent it, before the proxy) malformed.
other='(dtls and _ws.malformed.reassembly) or srtcp or (vp8 and ip.src == 10.211.0.2)'
for c in access core; do
  n=$(tshark -r "$TP_TMP/$c.pcapng" -o rtp.heuristic_rtp:TRUE \
        -Y "_ws.malformed and not ($other)" 2>/dev/null | wc -l)
  r=$(tshark -r "$TP_TMP/$c.pcapng" -o rtp.heuristic_rtp:TRUE \
        -Y "_ws.malformed and ($other)" 2>/dev/null | wc -l)
  tp_check "the $c side's capture: no packet tshark marks malformed ($n; $r resent DTLS fragment(s), SRTCP or the video phone's VP8)" test "$n" -eq 0
done

tp_check "Kamailio's rtpengine module: every command answered, none refused" \
  bash -c "! grep 'ERROR: rtpengine' '$TP_TMP/kamailio.log'"
# (call 3's: Kamailio 5.6's module passes bundle=accept as the string
# "accept", which the door takes as mr14's list)
tp_check "Kamailio's offers: towards the phone ICE=remove RTP/AVP, towards the browser ICE=force DTLS=passive UDP/TLS/RTP/SAVPF$([ "$PROXY" = turnpike ] && echo "; call 3's with bundle=accept, the others without")" \
  python3 -c "
import json,sys
r=[json.loads(l)['request'] for l in open('$TP_TMP/ng.requests')]
o=[x for x in r if x['command']=='offer']
n=5 if '$PROXY'=='turnpike' else 4
ok=(len(o)==n and [x['direction'] for x in o]==[['access','core']]*3+[['core','access']]+[['access','core']]*(n-4)
    and all(x.get('ICE')=='remove' and x.get('transport-protocol')=='RTP/AVP' for x in o[:3]+o[4:])
    and o[3].get('ICE')=='force' and o[3].get('DTLS')=='passive' and o[3].get('transport-protocol')=='UDP/TLS/RTP/SAVPF'
    and [x.get('bundle') for x in o[:4]]==[None]*4 and all(x.get('bundle') in ('accept', ['accept']) for x in o[4:]))
sys.exit(0 if ok else 1)"

if [ "$PROXY" = turnpike ]; then
  echo "# call 1 in agw list: $(head -c 2000 "$TP_TMP/agw_call1.json")"
  tp_check "turnpike: call 1 in agw list, door ng" \
    jt "$TP_TMP/agw_call1.json" "len(d['contexts'])==1 and d['contexts'][0]['door']=='ng'"
  # usage records (cp/acct): one a call's context, how each leg was secured
  python3 -c "import json,sys; print(json.dumps([r for r in map(json.loads, open(sys.argv[1])) if r.get('door')=='ng' and r.get('scope')=='context']))" \
    "$TP_TMP/usage.jsonl" >"$TP_TMP/ng_records.json" 2>/dev/null || echo '[]' >"$TP_TMP/ng_records.json"
  echo "# usage records: $(head -c 2000 "$TP_TMP/ng_records.json")"
  # (by call: calls 1 and 2 a context each, call 3 two, its sections')
  secured="sorted(l.get('secured') for l in r['legs'])==['dtls-srtp','none'] and all(l.get('srtp_profile') for l in r['legs'] if l.get('secured')=='dtls-srtp')"
  tp_check "turnpike: a usage record for calls 1 and 2: the browser's leg secured by DTLS-SRTP (its SRTP profile named), the phone's not, >= $min packets each way on each" \
    jt "$TP_TMP/ng_records.json" "[r for r in d if [x['user'] for x in d].count(r['user'])==1]==d[:2] and all($secured and all(l['packets_in']>=$min and l['packets_out']>=$min for l in r['legs']) for r in d[:2])"
  tp_check "turnpike: call 3's two records (audio, video), each the browser's leg on the one transport secured by DTLS-SRTP, the phone's not, >= $vmin packets each way on each" \
    jt "$TP_TMP/ng_records.json" "len(d)==4 and d[2]['user']==d[3]['user'] and all($secured and all(l['packets_in']>=$vmin and l['packets_out']>=$vmin for l in r['legs']) for r in d[2:]) and d[2]['legs'][0]['local']==d[3]['legs'][0]['local']!=None"
fi

step "test_webrtc_sip ($PROXY): done"
[ "$TP_FAILS" -eq 0 ]
