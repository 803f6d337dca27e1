#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The ng door (rtpengine's control protocol: a cookie and a bencoded
# dictionary over UDP) driven by rtpengine's own client, rtpengine-ng-client
# (Debian's rtpengine-utils), as a P-CSCF's rtpengine module would drive it:
#   - ping; an offer from the UE (RTP/AVP, ICE candidates; trust-address,
#     replace-origin, replace-session-connection, ICE=remove, direction
#     access -> core) and the core's answer (ICE candidates, direction
#     core -> access): our address and a port of the media range in o=, c=
#     and m= of each side, a=rtcp, no a=candidate or a=ice-*;
#   - a call without ICE the same way: 5 packets of the core's early media
#     sent to the port offered it before the answer all reach the UE (from
#     the port the answer then gives it); RTP both ways through the ports
#     offered and answered (lib/rtp_probe.py in the UE's and the core's
#     namespaces), byte for byte;
#   - query (the call's two tags and their streams), list, delete (gone
#     from list and query), statistics;
#   - strict-source: the UE silent 2.5 s, one packet from another port of
#     its address: the core's next packets still go to the UE; with
#     media-handover such a packet takes the stream at once;
#   - an offer with transport-protocol RTP/SAVP: the core is offered
#     RTP/SAVP with an a=crypto line, its answer's a=crypto taken, the UE
#     answered RTP/AVP without one; RTP from the UE reaches the core as
#     SRTP that libsrtp2 decrypts with the offered key, and the core's SRTP
#     reaches the UE as RTP (lib/srtp_peer.py, lib/rtp_probe.py);
#   - a re-offer on that call (the UE moved its port 5004 -> 5008,
#     port-latching): answered, our ports as before (turnpike); then
#     the core's SRTP reaches the UE at 5008 before the UE
#     sent anything from there, the UE's RTP from 5008 reaches the core
#     decrypted with the re-offered key, both streams past a sequence
#     number wrap (the SRTP contexts kept over the re-offer), and nothing
#     reaches the old port 5004;
#   - another re-offer, the core's answer with a new a=crypto key, then
#     another, the core's answer RTP/SAVPF: each time our key to the core
#     unchanged; the UE's RTP reaches the core decrypted with it at
#     rollover counter 1 (our send context going on, not made anew at
#     index 0 with the same key: RFC 3711 §9.1), and the core's SRTP (its
#     new key) at rollover counter 1 reaches the UE, byte for byte, each
#     direction on its own (lib/srtp_peer.py --after-first);
#   - a re-answer going back to the core's first key (its keystream, not
#     ours: taken), both streams at rollover counter 1 as above;
#   - a re-offer from the core adding rtcp-mux with its key as before:
#     taken (its termination made again, the core's key going on);
#   - cp/agw's SRTP keys rule (RFC 3711 §9.1; turnpike only, rtpengine
#     takes it): the core's answer echoing the key we offered as its own:
#     result error, error-reason "SDES key reused: ..." naming the keys;
#   - a forked SRTP call: the first branch's 183 (its key K1) with early
#     media both ways, the second branch's 183 (K2, another to-tag), the
#     first branch's 200 with K1 again: taken (an answerer's own key of
#     before is its keystream, not ours), and media both ways under K1
#     and our offered key, the branch's stream going on;
#   - SDES with AES-GCM (RFC 7714): the UE's offer with only an
#     AEAD_AES_128_GCM a=crypto, the core offered RTP/AVP; the UE answered
#     RTP/SAVP with our AEAD_AES_128_GCM key under its tag; its SRTP
#     (libsrtp2's GCM) reaches the core as RTP and the core's RTP reaches it
#     as SRTP libsrtp2 opens, byte for byte;
#   - an offer and a delete each sent twice with one cookie
#     (lib/ng_resend.py): the second answered with the first's reply, the
#     delete acted on once;
#   - errors: an unknown command, an offer without SDP, an answer to a call
#     that does not exist: result "error" with an error-reason; an unknown
#     flag: an error from turnpike (rtpengine logs it and goes on).
# The proxy: TP_NG_PROXY=turnpike (the default: turnpike-dp on taps and
# turnpike-cp's ng door) or rtpengine (rtpengine-daemon in a namespace of
# its own with the same two addresses, the reference the checks were
# written against).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/rtpengine_env.sh"
tp_env_init
start=$SECONDS
PROXY=${TP_NG_PROXY:-turnpike}
UE=10.210.0.2 CORE=10.211.0.2         # the UE's and the core's ends
ACC=10.210.0.1 COR=10.211.0.1         # the proxy's access and core addresses
MEDIA_MIN=40000 MEDIA_MAX=40999
N=${NG_RTP_PACKETS:-50}
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
NGX=                                  # what the client runs under (the proxy's namespace)
NG_HOST=127.0.0.1
NG_PORT=$((41000 + $$ % 3000))
NS_R=${TP_ID}r
RTPE_NS=$NS_R

ng_cleanup() {
  local rc=$?
  rtpe_cleanup
  (exit $rc)
  tp_cleanup
}
trap ng_cleanup EXIT

# start_turnpike: turnpike-dp with its access and core ports on taps into
# the UE's and the core's namespaces, turnpike-cp's ng door on loopback.
start_turnpike() {
  tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [$MEDIA_MIN, $MEDIA_MAX]; media_contexts = 64; };
ng = { listen = \"$NG_HOST:$NG_PORT\"; allow = [\"127.0.0.1/32\"];
       access = [\"access\", \"internal\"]; core = [\"core\", \"external\"]; };"
  tp_dp_start "$TP_TMP/dp.conf"
  tp_cp_start "$TP_TMP/dp.conf"
  tp_ctl ready --wait 20 >/dev/null || tp_die "turnpike-cp and dp not ready"
  NG_STRICT=1
}

# start_rtpengine: rtpengine (userspace) in a namespace of its own, veths
# to the UE's and the core's namespaces with the addresses dp's ports have,
# its interfaces named access and core, ng on the namespace's loopback.
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
    --port-min=$MEDIA_MIN --port-max=$MEDIA_MAX
  NGX="ip netns exec $NS_R"
  NG_STRICT=0
}

case "$PROXY" in
  turnpike) start_turnpike ;;
  rtpengine) start_rtpengine ;;
  *) tp_die "TP_NG_PROXY: turnpike or rtpengine, not $PROXY" ;;
esac
echo "# proxy $PROXY, ng at $NG_HOST:$NG_PORT"

# ngc NAME ARGS...: rtpengine-ng-client ARGS against the proxy; what it
# printed in $TP_TMP/NAME.out/.err, read into NAME.json (sdp, reply,
# error: lib/ng_client_out.py); true when the client said result ok.
ngc() {
  local name=$1 rc; shift
  $NGX timeout 10 rtpengine-ng-client --proxy-address=$NG_HOST --proxy-port=$NG_PORT "$@" \
    >"$TP_TMP/$name.out" 2>"$TP_TMP/$name.err"
  rc=$?
  python3 "$HERE/lib/ng_client_out.py" "$TP_TMP/$name.out" "$TP_TMP/$name.err" \
    >"$TP_TMP/$name.json" || { sed 's/^/# /' "$TP_TMP/$name.out" "$TP_TMP/$name.err"; return 1; }
  [ $rc -eq 124 ] && echo "# $name: no answer in 10 s"
  [ $rc -ne 0 ] && sed 's/^/# /' "$TP_TMP/$name.err" | head -n 3
  return $rc
}
# jt NAME EXPR: true when EXPR holds of NAME.json (d; s the SDP's lines)
jt() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=(d['sdp'] or '').split('\n'); sys.exit(0 if ($2) else 1)" \
    "$TP_TMP/$1.json" || { echo "# $1: $(head -c 1500 "$TP_TMP/$1.json")"; return 1; }
}
# jt_file FILE EXPR: true when EXPR holds of FILE's JSON line d
jt_file() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" ||
    { echo "# $1: $(head -c 500 "$1")"; return 1; }
}
# sdp_port NAME: the first m=audio's port in NAME's SDP
sdp_port() { j "$TP_TMP/$1.json" '[l.split()[1] for l in d["sdp"].split("\n") if l.startswith("m=audio ")][0]'; }
# the checks of a rewritten SDP: SDP_OK ADDR PROTO (a python expression over s)
sdp_ok() {
  echo "'c=IN IP4 $1' in s and any(l.startswith('o=') and l.endswith(' IN IP4 $1') for l in s)" \
       "and [l.split()[2] for l in s if l.startswith('m=audio ')]==['$2']" \
       "and $MEDIA_MIN <= int([l.split()[1] for l in s if l.startswith('m=audio ')][0]) <= $MEDIA_MAX" \
       "and any(l.startswith('a=rtcp:') for l in s)" \
       "and not any(l.startswith(('a=candidate', 'a=ice-')) for l in s)"
}
CALL=ngcall-$$ FT=ue-tag-$$ TT=core-tag-$$
FLAGS=(--trust-address --replace-origin --replace-session-connection --ICE=remove)
# mksdp VAR LINE...: VAR gets the lines, each ended by CRLF
mksdp() { local var=$1; shift; printf -v "$var" '%s\r\n' "$@"; }
# (the ICE call's ends are on ports of their own: rtpengine's STUN checks
# go on while the call is up)
mksdp UE_SDP v=0 "o=ue 1001 1 IN IP4 $UE" s=- "c=IN IP4 $UE" "t=0 0" \
  "m=audio 5010 RTP/AVP 0 101" a=rtpmap:0\ PCMU/8000 a=rtpmap:101\ telephone-event/8000 \
  a=ptime:20 a=ice-ufrag:F7gI a=ice-pwd:x9cml/YzichV2+XlhiMu8g \
  "a=candidate:1 1 UDP 2130706431 $UE 5010 typ host" \
  "a=candidate:1 2 UDP 2130706430 $UE 5011 typ host" a=sendrecv
# The calls with media (RTP, then SRTP) do no ICE: rtpengine holds media to
# an end that offered ICE (and sends it STUN checks) until a check is
# answered, ICE=remove or not, and lost a tenth of the packets to the UE
# past a warm-up; ICE's removal is checked on a call of its own.
mksdp UE_SDP_PLAIN v=0 "o=ue 1001 1 IN IP4 $UE" s=- "c=IN IP4 $UE" "t=0 0" \
  "m=audio 5004 RTP/AVP 0 101" a=rtpmap:0\ PCMU/8000 a=rtpmap:101\ telephone-event/8000 \
  a=ptime:20 a=sendrecv
mksdp CORE_SDP_ICE v=0 "o=core 2002 1 IN IP4 $CORE" s=- "c=IN IP4 $CORE" "t=0 0" \
  "m=audio 6010 RTP/AVP 0 101" a=rtpmap:0\ PCMU/8000 a=rtpmap:101\ telephone-event/8000 \
  a=ice-ufrag:8hhY a=ice-pwd:asd88fgpdd777uzjYhagZg \
  "a=candidate:1 1 UDP 2130706431 $CORE 6010 typ host" a=sendrecv
mksdp CORE_SDP v=0 "o=core 2002 1 IN IP4 $CORE" s=- "c=IN IP4 $CORE" "t=0 0" \
  "m=audio 6004 RTP/AVP 0 101" a=rtpmap:0\ PCMU/8000 a=rtpmap:101\ telephone-event/8000 \
  a=sendrecv

# ---- ping, offer, answer ----------------------------------------------------------------
tp_check "ping: pong" ngc ping ping
tp_check "... result pong" jt ping "d['reply'].get('result')=='pong'"
[ "$TP_FAILS" -eq 0 ] || tp_die "no ng door answers at $NG_HOST:$NG_PORT"
ICECALL=ngice-$$
tp_check "offer from the UE (RTP/AVP, ICE candidates), direction access -> core" \
  ngc ioffer offer --call-id="$ICECALL" --from-tag="$FT" "${FLAGS[@]}" --direction=access,core \
  --sdp="$UE_SDP"
tp_check "... the core is offered our core address and a media port (c=, o=, m=), a=rtcp, no ICE" \
  jt ioffer "$(sdp_ok $COR RTP/AVP) and 'a=rtpmap:0 PCMU/8000' in s"
# (direction names the interfaces of the message's sender, then of its
# receiver: the answer's is the offer's reversed; rtpengine moves the UE to
# the core's interface when an answer says access,core)
tp_check "answer from the core (ICE candidates), direction core -> access" \
  ngc ianswer answer --call-id="$ICECALL" --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" \
  --direction=core,access --sdp="$CORE_SDP_ICE"
tp_check "... the UE is answered our access address and a media port, a=rtcp, no ICE" \
  jt ianswer "$(sdp_ok $ACC RTP/AVP)"
tp_check "offer of the RTP call" \
  ngc offer offer --call-id="$CALL" --from-tag="$FT" "${FLAGS[@]}" --direction=access,core \
  --sdp="$UE_SDP_PLAIN"
tp_check "... the core is offered our core address and a media port, a=rtcp" \
  jt offer "$(sdp_ok $COR RTP/AVP)"
PB=$(sdp_port offer)
RP="python3 $HERE/lib/rtp_probe.py"
# Early media racing its 183: the core sends 5 packets to the port offered
# it before any answer (an announcement, a ringback tone); each reaches the
# UE at the address and port its offer gave, byte for byte (rtpengine
# relays them; turnpike too: cp/ng/FEATURE.md "Early media").
rm -f "$TP_TMP/ready"
$C $RP $UE 5004 $ACC 9 --peer-tag 3 --expect 5 --linger 0.3 --secs 5 --ready "$TP_TMP/ready" \
  >"$TP_TMP/ue-early.rtp" 2>&1 &
epid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
$P $RP $CORE 6004 $COR "$PB" --tag 3 --first --send 5 --secs 1 >"$TP_TMP/core-early.rtp" 2>&1
wait $epid
echo "# early media before the answer: ue $(cat "$TP_TMP/ue-early.rtp")"
tp_check "the core's 5 packets of early media, sent before the answer, all reached the UE byte for byte" \
  jt_file "$TP_TMP/ue-early.rtp" "d['exact']==5 and d['bad']==0 and len(d['srcs'])==1"
tp_check "its answer" \
  ngc answer answer --call-id="$CALL" --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" \
  --direction=core,access --sdp="$CORE_SDP"
tp_check "... the UE is answered our access address and a media port, a=rtcp" \
  jt answer "$(sdp_ok $ACC RTP/AVP)"
PA=$(sdp_port answer)
echo "# the UE sends to $ACC:$PA, the core to $COR:$PB"
tp_check "... the early media came from the port the answer gives the UE ($ACC:$PA)" \
  jt_file "$TP_TMP/ue-early.rtp" "d['srcs']==['$ACC:$PA']"

# ---- media ---------------------------------------------------------------------------
# A few packets each way first, not counted (the streams latch), then N
# each way, the UE first.
W=10
for round in warm main; do
  n=$N; [ $round = warm ] && n=$W
  rm -f "$TP_TMP/ready"
  $P $RP $CORE 6004 $COR "$PB" --tag 2 --peer-tag 1 --send "$n" --expect "$n" --linger 0.3 \
    --secs 8 --ready "$TP_TMP/ready" >"$TP_TMP/core-$round.rtp" 2>&1 &
  cpid=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
  $C $RP $UE 5004 $ACC "$PA" --tag 1 --peer-tag 2 --first --send "$n" --expect "$n" \
    --linger 0.3 --secs 8 >"$TP_TMP/ue-$round.rtp" 2>&1
  wait $cpid
done
cp "$TP_TMP/ue-main.rtp" "$TP_TMP/ue.rtp"; cp "$TP_TMP/core-main.rtp" "$TP_TMP/core.rtp"
echo "# warm-up: ue $(cat "$TP_TMP/ue-warm.rtp")  core $(cat "$TP_TMP/core-warm.rtp")"
echo "# ue: $(cat "$TP_TMP/ue.rtp")  core: $(cat "$TP_TMP/core.rtp")"
rtp_ok() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['sent']==$N and d['exact']==$N and d['bad']==0 and d['srcs']==[sys.argv[2]] else 1)" "$@"; }
tp_check "the core got the UE's $N RTP packets byte for byte, from $COR:$PB" \
  rtp_ok "$TP_TMP/core.rtp" "$COR:$PB"
tp_check "the UE got the core's $N byte for byte, from $ACC:$PA" rtp_ok "$TP_TMP/ue.rtp" "$ACC:$PA"

# ---- query, list, delete, statistics ----------------------------------------------------
tp_check "query" ngc query query --call-id="$CALL"
# (a stream: local address and port, endpoint { address, port }, stats
# { packets, bytes }: rtpengine's 'local port', 'endpoint', 'stats')
tp_check "... both tags, each with its stream's local address and port and its endpoint" \
  jt query "sorted(d['reply']['tags'])==sorted(['$FT','$TT']) and [(x['local address'], int(x['local port']), x['endpoint']['address'], int(x['endpoint']['port'])) for t in ('$FT','$TT') for x in d['reply']['tags'][t]['medias'][0]['streams'][:1]]==[('$ACC',$PA,'$UE',5004),('$COR',$PB,'$CORE',6004)]"
tp_check "... each stream counted the $W + $N packets it received (the core's, 5 of early media more)" \
  jt query "[int(d['reply']['tags'][t]['medias'][0]['streams'][0]['stats']['packets']) for t in ('$FT','$TT')]==[$W+$N, $W+$N+5]"
tp_check "list" ngc list list
tp_check "... has both calls" jt list "'$CALL' in d['reply'].get('calls', []) and '$ICECALL' in d['reply']['calls']"
tp_check "delete" ngc delete delete --call-id="$CALL" --from-tag="$FT"
tp_check "list again" ngc list2 list
tp_check "... the call is gone" jt list2 "'$CALL' not in d['reply'].get('calls', [])"
ngc query2 query --call-id="$CALL" >/dev/null
tp_check "... query: an error (the call is gone)" jt query2 "d['error']"
tp_check "delete the ICE call" ngc idelete delete --call-id="$ICECALL" --from-tag="$FT"
tp_check "statistics" ngc stats statistics
tp_check "... has statistics" jt stats "isinstance(d['reply'].get('statistics'), dict)"

# ---- latching: strict-source, media-handover -------------------------------------------------
# A call under each flag (on both sides' messages: each flag is its
# sender's stream's), the streams latched both ways, then one RTP packet
# from another port of the UE's address (5006) to the UE's proxy port:
#   strict-source, after the UE was silent 2.5 s (a hold, a mute: past
#   dp's relatch rule's 2 s): dropped; the core's next 5 packets still go
#   to the UE at 5004, none to 5006;
#   media-handover, at once: it takes the stream; the core's next 5 go
#   to 5006, none to 5004.
# (rtpengine commits to a source only 3 s after the last signal: the
# streams latch after that, so both proxies are held to the same.)
latch_call() {
  local name=$1 flag=$2 silence=$3 pa pb
  tp_check "offer with $flag" \
    ngc ${name}o offer --call-id="$name-$$" --from-tag="$FT" "${FLAGS[@]}" $flag \
    --direction=access,core --sdp="$UE_SDP_PLAIN"
  tp_check "... its answer with $flag" \
    ngc ${name}a answer --call-id="$name-$$" --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" $flag \
    --direction=core,access --sdp="$CORE_SDP"
  pb=$(sdp_port ${name}o) pa=$(sdp_port ${name}a)
  sleep 3.2
  rm -f "$TP_TMP/ready"
  $P $RP $CORE 6004 $COR "$pb" --tag 2 --peer-tag 1 --send 10 --expect 10 --linger 0.3 \
    --secs 8 --ready "$TP_TMP/ready" >"$TP_TMP/$name-core-warm.rtp" 2>&1 &
  local cpid=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
  $C $RP $UE 5004 $ACC "$pa" --tag 1 --peer-tag 2 --first --send 10 --expect 10 --linger 0.3 \
    --secs 8 >"$TP_TMP/$name-ue-warm.rtp" 2>&1
  wait $cpid
  echo "# $name warm-up: ue $(cat "$TP_TMP/$name-ue-warm.rtp")  core $(cat "$TP_TMP/$name-core-warm.rtp")"
  tp_check "... latched both ways (10 packets each, byte for byte)" \
    jt_file "$TP_TMP/$name-ue-warm.rtp" "d['exact']==10 and d['bad']==0 and json.load(open('$TP_TMP/$name-core-warm.rtp'))['exact']==10"
  sleep "$silence"
  rm -f "$TP_TMP/ready" "$TP_TMP/ready-s"
  $C $RP $UE 5004 $ACC 9 --peer-tag 2 --send 0 --expect 5 --linger 1 --secs 4 \
    --ready "$TP_TMP/ready" >"$TP_TMP/$name-ue.rtp" 2>&1 &
  local upid=$!
  $C $RP $UE 5006 $ACC "$pa" --tag 3 --peer-tag 2 --first --send 1 --expect 5 --linger 1 \
    --secs 4 --ready "$TP_TMP/ready-s" >"$TP_TMP/$name-stranger.rtp" 2>&1 &
  local spid=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && [ -f "$TP_TMP/ready-s" ] && break; sleep 0.1; done
  sleep 0.3
  $P $RP $CORE 6004 $COR "$pb" --tag 2 --first --send 5 --secs 2 >"$TP_TMP/$name-core.rtp" 2>&1
  wait $upid $spid
  echo "# $name: ue at 5004 $(cat "$TP_TMP/$name-ue.rtp")  at 5006 $(cat "$TP_TMP/$name-stranger.rtp")"
  ngc ${name}d delete --call-id="$name-$$" --from-tag="$FT" >/dev/null
}
latch_call ngstrict --strict-source 2.5
tp_check "strict-source: the UE silent 2.5 s, one packet from its address's port 5006: the core's next 5 still reach the UE at 5004" \
  jt_file "$TP_TMP/ngstrict-ue.rtp" "d['exact']==5 and d['bad']==0"
tp_check "... and none reach 5006" jt_file "$TP_TMP/ngstrict-stranger.rtp" "d['recv']==0"
latch_call nghandover --media-handover 0
tp_check "media-handover: one packet from the UE's port 5006 takes the stream at once: the core's next 5 reach 5006" \
  jt_file "$TP_TMP/nghandover-stranger.rtp" "d['exact']==5 and d['bad']==0"
tp_check "... and none reach 5004" jt_file "$TP_TMP/nghandover-ue.rtp" "d['recv']==0"

# ---- SRTP to the core: transport-protocol RTP/SAVP ------------------------------------------
CALL2=ngsrtp-$$
tp_check "offer with transport-protocol RTP/SAVP" \
  ngc soffer offer --call-id="$CALL2" --from-tag="$FT" "${FLAGS[@]}" --direction=access,core \
  --protocol=RTP/SAVP --sdp="$UE_SDP_PLAIN"
tp_check "... the core is offered RTP/SAVP with an AES_CM_128_HMAC_SHA1_80 a=crypto" \
  jt soffer "$(sdp_ok $COR RTP/SAVP) and any(l.startswith('a=crypto:') and ' AES_CM_128_HMAC_SHA1_80 inline:' in l for l in s)"
PB2=$(sdp_port soffer)
CRYPTO=$(j "$TP_TMP/soffer.json" '[l for l in d["sdp"].split("\n") if " AES_CM_128_HMAC_SHA1_80 inline:" in l][0]')
KPX=$(sed 's/.*inline:\([A-Za-z0-9+/=]*\).*/\1/' <<<"$CRYPTO")
KCORE=$(head -c 30 /dev/urandom | base64)
mksdp CORE_SSDP v=0 "o=core 2003 1 IN IP4 $CORE" s=- "c=IN IP4 $CORE" "t=0 0" \
  "m=audio 6006 RTP/SAVP 0" a=rtpmap:0\ PCMU/8000 \
  "$(sed 's/^\(a=crypto:[0-9]* AES_CM_128_HMAC_SHA1_80 inline:\).*/\1/' <<<"$CRYPTO")$KCORE" a=sendrecv
# An answer whose a=crypto echoes the key we offered as the core's own: our
# key to the core and the core's to us one key, one keystream for two
# streams (RFC 3711 §9.1): refused by cp/agw's keys rule (rtpengine takes
# it), the call as it was, so the right answer below is taken.
if [ "$NG_STRICT" = 1 ]; then
  ngc secho answer --call-id="$CALL2" --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" \
    --sdp="${CORE_SSDP/"inline:$KCORE"/"inline:$KPX"}"
  tp_check "the core's answer echoing our offered key as its own: result error, ng's error-reason" \
    jt secho "d['error'] == \"SDES key reused: our key to termination 1 is termination 1's remote key: one key for two streams (RFC 3711 section 9.1)\""
fi
tp_check "the core's answer, RTP/SAVP with its a=crypto" \
  ngc sanswer answer --call-id="$CALL2" --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" \
  --sdp="$CORE_SSDP"
tp_check "... the UE is answered RTP/AVP, no a=crypto" \
  jt sanswer "$(sdp_ok $ACC RTP/AVP) and not any(l.startswith('a=crypto') for l in s)"
PA2=$(sdp_port sanswer)
S="python3 $HERE/lib/srtp_peer.py"
rm -f "$TP_TMP/ready"
# (each stream's sequence number wraps after 10: it goes on past the
# re-offer below with a rollover counter of 1)
SEQ0=65526
$C $RP $UE 5004 $ACC "$PA2" --tag 1 --peer-tag 2 --seq0 $SEQ0 --send 20 --expect 20 --linger 0.5 \
  --secs 10 --ready "$TP_TMP/ready" >"$TP_TMP/ue2.rtp" 2>&1 &
cpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
$P $S $CORE 6006 $COR "$PB2" --tx-key "$KCORE" --rx-key "$KPX" --tag 2 --peer-tag 1 --seq0 $SEQ0 \
  --send 20 --expect 20 --linger 0.5 --secs 10 >"$TP_TMP/core2.rtp" 2>&1
wait $cpid
echo "# ue (RTP): $(cat "$TP_TMP/ue2.rtp")  core (SRTP): $(cat "$TP_TMP/core2.rtp")"
tp_check "the core's SRTP reached the UE as RTP, byte for byte" \
  test "$(j "$TP_TMP/ue2.rtp" '"%d/%d" % (d["exact"], d["bad"])')" = 20/0
tp_check "the UE's RTP reached the core as SRTP that libsrtp2 decrypted with the offered key" \
  test "$(j "$TP_TMP/core2.rtp" '"%d/%d/%d" % (d["exact"], d["bad"], d["auth_fail"])')" = 20/0/0
UE_SDP2=${UE_SDP_PLAIN/o=ue 1001 1 /o=ue 1001 2 }
UE_SDP2=${UE_SDP2/m=audio 5004 /m=audio 5008 }
tp_check "a re-offer on that call (the UE moved to port 5008), port-latching" \
  ngc reoffer offer --call-id="$CALL2" --from-tag="$FT" "${FLAGS[@]}" --direction=access,core \
  --protocol=RTP/SAVP --port-latching --sdp="$UE_SDP2"
tp_check "... the core is offered RTP/SAVP, a=crypto, our core address" \
  jt reoffer "$(sdp_ok $COR RTP/SAVP) and any(l.startswith('a=crypto:') for l in s)"
tp_check "... and its answer" \
  ngc reanswer answer --call-id="$CALL2" --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" \
  --sdp="$CORE_SSDP"
tp_check "... answered to the UE as RTP/AVP" jt reanswer "$(sdp_ok $ACC RTP/AVP)"
# The media moved: the core sends first (so nothing the UE sends from 5008
# can have shown the proxy where it went), the UE answers from 5008, each
# stream going on where it stopped (the same SSRC, its index from
# SEQ0 + 20 = 65546, past the wrap: the SRTP contexts' rollover counters and
# replay windows kept over the re-offer, both ways; contexts made anew would
# take rollover counter 0 and fail the authentication), while a listener
# on the old port 5004 hears nothing.
# (the ports as answered: turnpike keeps the call's ports over a
# re-offer, rtpengine offers the core a new one)
PB3=$(sdp_port reoffer) PA3=$(sdp_port reanswer)
KPX3=$(j "$TP_TMP/reoffer.json" '[l for l in d["sdp"].split("\n") if " AES_CM_128_HMAC_SHA1_80 inline:" in l][0]' |
  sed 's/.*inline:\([A-Za-z0-9+/=]*\).*/\1/')
echo "# re-offered: the UE (5008) sends to $ACC:$PA3, the core to $COR:$PB3"
if [ "$NG_STRICT" = 1 ]; then
  tp_check "port-latching: our ports to the UE and to the core as before the re-offer" \
    test "$PA3 $PB3" = "$PA2 $PB2"
fi
rm -f "$TP_TMP/ready" "$TP_TMP/ready-old"
$C $RP $UE 5004 $ACC 9 --send 0 --linger 2 --secs 3 --ready "$TP_TMP/ready-old" \
  >"$TP_TMP/ue3-old.rtp" 2>&1 &
opid=$!
$C $RP $UE 5008 $ACC "$PA3" --tag 1 --peer-tag 2 --seq0 $((SEQ0 + 20)) --send 20 --expect 20 --linger 0.5 \
  --secs 4 --ready "$TP_TMP/ready" >"$TP_TMP/ue3.rtp" 2>&1 &
cpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && [ -f "$TP_TMP/ready-old" ] && break; sleep 0.1; done
$P $S $CORE 6006 $COR "$PB3" --tx-key "$KCORE" --rx-key "$KPX3" --tag 2 --peer-tag 1 \
  --seq0 $((SEQ0 + 20)) --roc --send 20 --expect 20 --linger 0.5 --secs 4 >"$TP_TMP/core3.rtp" 2>&1
wait $cpid $opid
echo "# ue at 5008 (RTP): $(cat "$TP_TMP/ue3.rtp")  core (SRTP): $(cat "$TP_TMP/core3.rtp")" \
  " ue at 5004: $(cat "$TP_TMP/ue3-old.rtp")"
tp_check "... the core's SRTP reached the UE at its new port 5008 as RTP, byte for byte, from $ACC:$PA3" \
  jt_file "$TP_TMP/ue3.rtp" "d['exact']==20 and d['bad']==0 and d['srcs']==['$ACC:$PA3']"
tp_check "... the UE's RTP from 5008 reached the core as SRTP decrypted with the re-offered key, from $COR:$PB3" \
  jt_file "$TP_TMP/core3.rtp" "d['exact']==20 and d['bad']==0 and d['auth_fail']==0 and d['srcs']==['$COR:$PB3']"
tp_check "... and nothing reached the UE's old port 5004" jt_file "$TP_TMP/ue3-old.rtp" "d['recv']==0"
# Another re-offer (o= version $2), the core's answer ($1) with key $3 and
# profile $4: both streams go on from packet index SEQ0 + $5 (rollover
# counter 1): the core's SRTP under key $3 reaches the UE as RTP, and the
# UE's RTP reaches the core decrypted with our key, unchanged, each
# direction on its own (the UE first, the core answering its first
# arrival whatever became of it: lib/srtp_peer.py --after-first).
reanswer_round() {
  local n=$1 v=$2 key=$3 proto=$4 at=$5 ue_sdp core_sdp pb pa kpx
  ue_sdp=${UE_SDP2/o=ue 1001 2 /o=ue 1001 $v }
  core_sdp=${CORE_SSDP/o=core 2003 1 /o=core 2003 $v }
  core_sdp=${core_sdp/"inline:$KCORE"/"inline:$key"}
  core_sdp=${core_sdp/m=audio 6006 RTP\/SAVP /m=audio 6006 $proto }
  tp_check "a re-offer again on that call ($n)" \
    ngc reoffer$n offer --call-id="$CALL2" --from-tag="$FT" "${FLAGS[@]}" \
    --direction=access,core --protocol=RTP/SAVP --sdp="$ue_sdp"
  ngc reanswer$n answer --call-id="$CALL2" --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" \
    --sdp="$core_sdp"
  tp_check "... the core's answer taken, answered to the UE as RTP/AVP" \
    jt reanswer$n "$(sdp_ok $ACC RTP/AVP)"
  pb=$(sdp_port reoffer$n) pa=$(sdp_port reanswer$n)
  kpx=$(j "$TP_TMP/reoffer$n.json" '[l for l in d["sdp"].split("\n") if " AES_CM_128_HMAC_SHA1_80 inline:" in l][0]' |
    sed 's/.*inline:\([A-Za-z0-9+/=]*\).*/\1/')
  rm -f "$TP_TMP/ready"
  $P $S $CORE 6006 $COR "$pb" --tx-key "$key" --rx-key "$kpx" --tag 2 --peer-tag 1 \
    --seq0 $((SEQ0 + at)) --roc --send 10 --expect 10 --linger 0.3 --secs 3 --after-first \
    --ready "$TP_TMP/ready" >"$TP_TMP/core$n.rtp" 2>&1 &
  local cpid=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
  $C $RP $UE 5008 $ACC "$pa" --tag 1 --peer-tag 2 --seq0 $((SEQ0 + at)) --first --send 10 \
    --expect 10 --linger 0.3 --secs 3 >"$TP_TMP/ue$n.rtp" 2>&1
  wait $cpid
  echo "# $n: ue (RTP): $(cat "$TP_TMP/ue$n.rtp")  core (SRTP): $(cat "$TP_TMP/core$n.rtp")"
  tp_check "... our key to the core unchanged" test "$kpx" = "$KPX3"
  tp_check "... the core's SRTP reached the UE as RTP, byte for byte" \
    jt_file "$TP_TMP/ue$n.rtp" "d['exact']==10 and d['bad']==0"
  tp_check "... the UE's RTP reached the core as SRTP decrypted with our key at rollover counter 1" \
    jt_file "$TP_TMP/core$n.rtp" "d['exact']==10 and d['bad']==0 and d['auth_fail']==0"
}
# A rekeying re-answer: the core's new a=crypto key (RFC 4568 §7.1.4;
# RFC 3711 §3.3.1: the rollover counter goes on over a rekeying). Our send
# context made anew at index 0 would reuse our key's keystream (RFC 3711
# §9.1) and fail the core's authentication.
KCORE4=$(head -c 30 /dev/urandom | base64)
reanswer_round rekey 3 "$KCORE4" RTP/SAVP 40
# The core's answer RTP/SAVPF (the profile changes, its key as before):
# each key goes on from where it stood.
reanswer_round savpf 4 "$KCORE4" RTP/SAVPF 50
# A re-answer going back to the core's first key (KCORE, replaced by KCORE4
# above): the core's keystream, not ours (we only decrypt under it), so
# taken (RFC 3711 §9.1 forbids our send keys again; cp/agw's keys rule), as
# rtpengine takes it; dp carries the core's stream over at the index it
# stood at, and our key to the core goes on.
reanswer_round back 5 "$KCORE" RTP/SAVPF 60
# A re-offer from the core adding rtcp-mux, its key as before: its
# termination made again on its ports with a new key of ours, the core's
# key going on from where cp/agw last heard its stream (the core's
# keystream: cp/agw's keys rule takes it back to its side).
core_sdp=${CORE_SSDP/o=core 2003 1 /o=core 2003 6 }
core_sdp=${core_sdp/m=audio 6006 RTP\/SAVP /m=audio 6006 RTP/SAVPF }
core_sdp=${core_sdp/a=sendrecv/a=rtcp-mux$'\r\n'a=sendrecv}
tp_check "a re-offer from the core adding rtcp-mux, its key going on: taken" \
  ngc muxoffer offer --call-id="$CALL2" --from-tag="$TT" --to-tag="$FT" "${FLAGS[@]}" \
  --direction=core,access --sdp="$core_sdp"
tp_check "delete the SRTP call" ngc sdelete delete --call-id="$CALL2" --from-tag="$FT"

# ---- a forked SRTP call: a branch answers again with its key of before ------------------------
# The INVITE forks: branch 1's 183 (key K1, early media both ways), branch
# 2's 183 (K2, another to-tag), then branch 1's 200 repeating its 183's SDP
# (K1). B is one termination whatever branch answers, so K1 comes back to
# it: the branch's keystream, not ours, and cp/agw's keys rule takes it
# (RFC 3711 §9.1 is about the keys we encrypt under: our key to B, the
# offer's, goes on unchanged). Branch 1's stream then goes on under K1
# where it stopped, both ways.
CALL3=ngfork-$$ TT1=branch1-$$ TT2=branch2-$$
tp_check "a forked call: the offer, transport-protocol RTP/SAVP" \
  ngc foffer offer --call-id="$CALL3" --from-tag="$FT" "${FLAGS[@]}" --direction=access,core \
  --protocol=RTP/SAVP --sdp="$UE_SDP_PLAIN"
PB4=$(sdp_port foffer)
KPX4=$(j "$TP_TMP/foffer.json" '[l for l in d["sdp"].split("\n") if " AES_CM_128_HMAC_SHA1_80 inline:" in l][0]' |
  sed 's/.*inline:\([A-Za-z0-9+/=]*\).*/\1/')
K1=$(head -c 30 /dev/urandom | base64) K2=$(head -c 30 /dev/urandom | base64)
# a branch's answer, RTP/SAVP at the core's address: at port 6006 with K1,
# at 6016 with K2 (variables: a command's output would lose the last LF)
FSDP1=${CORE_SSDP/"inline:$KCORE"/"inline:$K1"}
FSDP2=${CORE_SSDP/"inline:$KCORE"/"inline:$K2"}
FSDP2=${FSDP2/m=audio 6006 /m=audio 6016 }
tp_check "... branch 1's 183: its answer (K1), to-tag $TT1" \
  ngc fans1 answer --call-id="$CALL3" --from-tag="$FT" --to-tag="$TT1" "${FLAGS[@]}" \
  --sdp="$FSDP1"
tp_check "... answered to the UE as RTP/AVP" jt fans1 "$(sdp_ok $ACC RTP/AVP)"
PA4=$(sdp_port fans1)
# fork_media NAME SEQ0: 10 packets each way between the UE and branch 1
# (at 6006, K1 to us, our offered key to it), numbered from SEQ0
fork_media() {
  local name=$1 seq0=$2 cpid
  rm -f "$TP_TMP/ready"
  $C $RP $UE 5004 $ACC "$PA4" --tag 1 --peer-tag 2 --seq0 "$seq0" --send 10 --expect 10 \
    --linger 0.3 --secs 4 --ready "$TP_TMP/ready" >"$TP_TMP/ue-$name.rtp" 2>&1 &
  cpid=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
  $P $S $CORE 6006 $COR "$PB4" --tx-key "$K1" --rx-key "$KPX4" --tag 2 --peer-tag 1 \
    --seq0 "$seq0" --send 10 --expect 10 --linger 0.3 --secs 4 >"$TP_TMP/core-$name.rtp" 2>&1
  wait $cpid
  echo "# $name: ue (RTP): $(cat "$TP_TMP/ue-$name.rtp")  branch 1 (SRTP): $(cat "$TP_TMP/core-$name.rtp")"
  tp_check "... branch 1's SRTP under K1 reached the UE as RTP, byte for byte" \
    jt_file "$TP_TMP/ue-$name.rtp" "d['exact']==10 and d['bad']==0"
  tp_check "... the UE's RTP reached branch 1 as SRTP under our offered key" \
    jt_file "$TP_TMP/core-$name.rtp" "d['exact']==10 and d['bad']==0 and d['auth_fail']==0"
}
fork_media early 0
tp_check "... branch 2's 183: its answer (K2), to-tag $TT2" \
  ngc fans2 answer --call-id="$CALL3" --from-tag="$FT" --to-tag="$TT2" "${FLAGS[@]}" \
  --sdp="$FSDP2"
tp_check "... answered to the UE as RTP/AVP" jt fans2 "$(sdp_ok $ACC RTP/AVP)"
tp_check "... branch 1's 200 with its 183's SDP (K1 again): result ok" \
  ngc fans3 answer --call-id="$CALL3" --from-tag="$FT" --to-tag="$TT1" "${FLAGS[@]}" \
  --sdp="$FSDP1"
tp_check "... answered to the UE as RTP/AVP, no error" \
  jt fans3 "not d['error'] and $(sdp_ok $ACC RTP/AVP)"
PA4=$(sdp_port fans3)
fork_media confirmed 10
tp_check "delete the forked call" ngc fdelete delete --call-id="$CALL3" --from-tag="$FT"

# ---- SDES with AES-GCM (RFC 7714) from the UE --------------------------------------------
# The UE offers RTP/SAVP with one a=crypto, AEAD_AES_128_GCM (28 octets of
# key and salt, RFC 7714 §14.2); the core is offered RTP/AVP. The UE is
# answered RTP/SAVP with our AEAD_AES_128_GCM key under its line's tag;
# its SRTP (libsrtp2's GCM) reaches the core as RTP byte for byte, and the
# core's RTP reaches it as SRTP that libsrtp2 opens with our key.
CALL4=nggcm-$$
KUE=$(head -c 28 /dev/urandom | base64)
mksdp UE_GSDP v=0 "o=ue 1001 1 IN IP4 $UE" s=- "c=IN IP4 $UE" "t=0 0" \
  "m=audio 5030 RTP/SAVP 0" a=rtpmap:0\ PCMU/8000 "a=crypto:3 AEAD_AES_128_GCM inline:$KUE" \
  a=sendrecv
tp_check "an offer from the UE, RTP/SAVP with an AEAD_AES_128_GCM a=crypto, transport-protocol RTP/AVP" \
  ngc goffer offer --call-id="$CALL4" --from-tag="$FT" "${FLAGS[@]}" --direction=access,core \
  --protocol=RTP/AVP --sdp="$UE_GSDP"
tp_check "... the core is offered RTP/AVP, no a=crypto" \
  jt goffer "$(sdp_ok $COR RTP/AVP) and not any(l.startswith('a=crypto') for l in s)"
PB5=$(sdp_port goffer)
mksdp CORE_GSDP v=0 "o=core 2004 1 IN IP4 $CORE" s=- "c=IN IP4 $CORE" "t=0 0" \
  "m=audio 6034 RTP/AVP 0" a=rtpmap:0\ PCMU/8000 a=sendrecv
tp_check "the core's answer, RTP/AVP" \
  ngc ganswer answer --call-id="$CALL4" --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" \
  --sdp="$CORE_GSDP"
tp_check "... the UE is answered RTP/SAVP, one a=crypto: tag 3, AEAD_AES_128_GCM, 28 octets of key" \
  jt ganswer "$(sdp_ok $ACC RTP/SAVP) and [l.split()[:2] for l in s if l.startswith('a=crypto')]==[['a=crypto:3', 'AEAD_AES_128_GCM']] and (lambda k: len(__import__('base64').b64decode(k + '=' * (-len(k) % 4))))([l for l in s if l.startswith('a=crypto')][0].split('inline:')[1].split('|')[0].strip())==28"
PA5=$(sdp_port ganswer)
KGX=$(j "$TP_TMP/ganswer.json" '[l for l in d["sdp"].split("\n") if " AEAD_AES_128_GCM inline:" in l][0]' |
  sed 's/.*inline:\([A-Za-z0-9+/=]*\).*/\1/')
rm -f "$TP_TMP/ready"
$P $RP $CORE 6034 $COR "$PB5" --tag 2 --peer-tag 1 --send 20 --expect 20 --linger 0.5 \
  --secs 10 --ready "$TP_TMP/ready" >"$TP_TMP/core-gcm.rtp" 2>&1 &
cpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
$C $S $UE 5030 $ACC "$PA5" --tx-key "$KUE" --rx-key "$KGX" --tag 1 --peer-tag 2 --send 20 \
  --expect 20 --linger 0.5 --secs 10 >"$TP_TMP/ue-gcm.rtp" 2>&1
wait $cpid
echo "# gcm: ue (SRTP, AEAD_AES_128_GCM): $(cat "$TP_TMP/ue-gcm.rtp")  core (RTP): $(cat "$TP_TMP/core-gcm.rtp")"
tp_check "the UE's SRTP under AEAD_AES_128_GCM reached the core as RTP, byte for byte" \
  jt_file "$TP_TMP/core-gcm.rtp" "d['exact']==20 and d['bad']==0"
tp_check "... the core's RTP reached the UE as SRTP that libsrtp2 opened with our GCM key" \
  jt_file "$TP_TMP/ue-gcm.rtp" "d['exact']==20 and d['bad']==0 and d['auth_fail']==0"
tp_check "delete the GCM call" ngc gdelete delete --call-id="$CALL4" --from-tag="$FT"

# ---- a request sent again with its cookie -------------------------------------------------
$NGX python3 "$HERE/lib/ng_resend.py" $NG_HOST $NG_PORT ngresend-$$ "$FT" $UE 5020 \
  >"$TP_TMP/resend.json" 2>&1
echo "# resend: $(cat "$TP_TMP/resend.json")"
rs() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$TP_TMP/resend.json"; }
tp_check "an offer sent twice with one cookie: both answered with it, the second reply the first's" \
  rs "d['cookies']==d['sent'] and d['offer_same'] and d['port']"
tp_check "a delete sent twice with one cookie: the second reply the first's (result ok, no warning)" \
  rs "d['delete_same'] and d['deletes'][0].get('result')=='ok' and 'warning' not in d['deletes'][0]"
tp_check "... acted on once: a delete with a cookie of its own finds no call (a warning or an error)" \
  rs "d['deletes'][2].get('result')=='error' or 'warning' in d['deletes'][2]"

# ---- errors ---------------------------------------------------------------------------
ngc unknown frobnicate --call-id="$CALL"
tp_check "an unknown command: result error, an error-reason" jt unknown "d['error']"
ngc nosdp offer --call-id=ngbad-$$ --from-tag="$FT" "${FLAGS[@]}"
tp_check "an offer without SDP: result error, an error-reason" jt nosdp "d['error']"
ngc noanswer answer --call-id=ngnone-$$ --from-tag="$FT" --to-tag="$TT" "${FLAGS[@]}" \
  --sdp="$CORE_SDP"
tp_check "an answer to a call that does not exist: result error, an error-reason" \
  jt noanswer "d['error']"
ngc badflag offer --call-id=ngflag-$$ --from-tag="$FT" "${FLAGS[@]}" --flags=no-such-flag \
  --sdp="$UE_SDP"
if [ "$NG_STRICT" = 1 ]; then
  tp_check "an unknown flag: result error, an error-reason" jt badflag "d['error']"
else
  # rtpengine: "Unknown flag encountered" in its log, and the offer made
  tp_check "an unknown flag: rtpengine takes the offer" jt badflag "not d['error'] and d['sdp']"
  tp_check "... and logs the flag" \
    grep -q "Unknown flag encountered: 'no-such-flag'" "$TP_TMP/rtpengine.log"
fi
tp_check "ping after the errors" ngc ping2 ping

echo "# test_ng_client ($PROXY): $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
