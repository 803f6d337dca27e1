#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Iq drives a WebRTC termination (issue 68; TS 23.334 §6.2.10.5, §6.2.17.1):
# Erlang/OTP's megaco as the IMS-ALG, Debian's python3-aiortc as the WebRTC
# client in the clients' namespace (lib/webrtc/agw_webrtc.py's, as
# test_agw_webrtc.sh runs it), a plain RTP peer in the core's:
#   A. aiortc offers (UDP/TLS/RTP/SAVPF, rtcp-mux, ICE, actpass, its
#      fingerprint); the MGC Adds the access termination with that offer as
#      Remote and Local `$` (Events g/cause, ice/ccr, ice/cfl, dtls/est,
#      dtls/fail), then the core's (RTP/AVP); the reply's Local has
#      a=ice-lite, our ufrag, pwd and host candidate, our fingerprint,
#      a=setup:active, a=tls-id; aiortc gets it as its answer (the MGC's
#      SIP side adds t= and the BUNDLE group, as an IMS-ALG would).
#   B. ICE and DTLS-SRTP complete: PCMU byte-exact both ways between aiortc
#      and the core's peer; the Notifies ice/ccr (aiortc's address) and
#      dtls/est (dp the client) reach the MGC.
#   C. A re-offer through Modify with the same fingerprint (RFC 8842 §5),
#      our Local repeated as the Add gave it: the association kept (agw
#      show: assoc 1, one handshake), the same Local back, media on.
#   D. Subtract of the access termination: its statistics; W-Subtract.
#   E. A second aiortc whose signalled fingerprint is wrong: the Notify
#      dtls/fail (fingerprint_mismatch), nothing reaches the core.
#   F. Refusals: a=setup:holdconn 449, our offer with a=setup:active 449,
#      no a=setup 472, nothing made.
#   tshark reads every Iq message of the run as H.248, none malformed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
start=$SECONDS
h248_require_megaco
tp_debian_python aiortc python3-aiortc
W="$PY $HERE/lib/webrtc/agw_webrtc.py"
P="ip netns exec $TP_NS_P"
H248_DIR=$TP_TMP
base=$((40000 + ($$ % 5000) * 2))
MGCP=$base; IQP=$((base + 1))
tshark -q -i lo -f "udp port $MGCP" -w "$TP_TMP/iq.pcap" >"$TP_TMP/tshark.log" 2>&1 &
TSHARK=$!
h248_start mgc --listen 127.0.0.1:$MGCP --timeout 5000 || tp_die "the MGC did not start: $H248_LINE"
trap 'rc=$?; h248_kill mgc 2>/dev/null; kill $TSHARK 2>/dev/null; (exit $rc); tp_cleanup' EXIT
tp_need tp_wait_log "$TP_TMP/tshark.log" 'Capturing on' "$TSHARK" "tshark on lo" 20

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; media_ports = [30000, 30999]; media_contexts = 64; };
iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$MGCP\"]; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
mgc() { h248_expect mgc "$1" "$2" 20; }
st() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
at_least() { [ "$(st "$1" "d['$2']" || echo 0)" -ge "$3" ] 2>/dev/null; }
tp_check "cp registers with the MGC" mgc "wait-registered 15000" '^OK registered n=1'
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered
tp_need tp_wait_log "$TP_CP_LOG" "dp's DTLS-SRTP certificate, generation 1: sha-256 " "$TP_CP_PID" "cp" 10

# remote NAME [FP]: NAME's offer as the MGC writes a Remote (\r\n escapes),
# its fingerprint replaced by FP when given; the lines an IMS-ALG keeps for
# the gateway (a=ssrc and a=msid carry braces H.248 text would need escaped,
# and are not the gateway's)
remote() {
  python3 - "$TP_TMP/$1.offer" "${2:-}" <<'EOF'
import sys
lines = [l for l in open(sys.argv[1], newline="").read().splitlines() if l]
out = []
for l in lines:
    if l.startswith(("a=ssrc", "a=msid")) or "{" in l or "}" in l:
        continue
    if sys.argv[2] and l.startswith("a=fingerprint:"):
        l = "a=fingerprint:" + sys.argv[2]
    out.append(l)
sys.stdout.write("\\n" + "".join(l + "\\r\\n" for l in out))
EOF
}
# local_of: the reply's Local (in $H248_LINE) as the MGC writes a Local (a
# controller repeating what it was given)
local_of() {
  python3 - "$H248_LINE" <<'EOF'
import re, sys
sdp = re.search(r"Local \{ (.*?)\}", sys.argv[1]).group(1)
lines = [l.strip() for l in sdp.replace("\\t", "").split("\\r\\n") if l.strip()]
sys.stdout.write("\\n" + "".join(l + "\\r\\n" for l in lines))
EOF
}
# answer NAME: the reply's Local (in $H248_LINE) as aiortc's answer, with
# t= and the BUNDLE group of its offer's mid (the MGC's SIP side's)
answer() {
  python3 - "$H248_LINE" "$TP_TMP/$1.offer" >"$TP_TMP/$1.answer.tmp" <<'EOF' &&
import re, sys
m = re.search(r"Local \{ (.*?)\}", sys.argv[1])
sdp = m.group(1).replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\t", "")
lines = [l.strip() for l in sdp.split("\n") if l.strip()]
mid = [l[6:] for l in open(sys.argv[2]).read().splitlines() if l.startswith("a=mid:")]
out = []
for l in lines:
    out.append(l)
    if l.startswith("s="):
        out.append("t=0 0")
        if mid:
            out.append("a=group:BUNDLE " + mid[0])
sys.stdout.write("\r\n".join(out) + "\r\n")
EOF
  mv "$TP_TMP/$1.answer.tmp" "$TP_TMP/$1.answer"
}
EV='Events = 7 { g/cause, ice/ccr, ice/cfl, dtls/est, dtls/fail }'
LOC=$(h248_sdp 'c=IN IP4 $' 'm=audio $ UDP/TLS/RTP/SAVPF 0' 'a=rtpmap:0 PCMU/8000' 'a=rtcp-mux')
core_loc=$(h248_sdp 'c=IN IP4 $' 'm=audio $ RTP/AVP 0' 'a=rtpmap:0 PCMU/8000')
# notified ERE: one of the Notifies heard so far (each wait-notify's line
# kept in notifies.txt) matches ERE, else wait for the next ones
touch "$TP_TMP/notifies.txt"
notified() {
  local i
  for i in 1 2 3 4; do
    grep -Eq "$1" "$TP_TMP/notifies.txt" && return 0
    h248_cmd mgc "wait-notify 5000" 10 && [[ $H248_LINE == "OK notify"* ]] &&
      printf '%s\n' "$H248_LINE" >>"$TP_TMP/notifies.txt"
  done
  grep -Eq "$1" "$TP_TMP/notifies.txt"
}

# ---- A. the access termination from aiortc's offer, the core's
ue ue 1 2
upid=$!
tp_need tp_wait_file "$TP_TMP/ue.offer.json" "$upid" "aiortc's offer" 20
sed 's/^/# offer: /' "$TP_TMP/ue.offer"
tp_check "Add of the access termination: aiortc's offer as Remote, Local \$ (UDP/TLS/RTP/SAVPF)" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local { $LOC }, Remote { $(remote ue) } } }, $EV } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
CTX=$(h248_grab 'ctx=([0-9]+)'); T1=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)')
PA=$(h248_grab 'm=audio ([0-9]+) UDP/TLS/RTP/SAVPF')
echo "# reply: $H248_LINE"
[ -n "$T1" ] && [ -n "$PA" ] || tp_die "no access termination made"
echo "# context $CTX, access termination $T1 on port $PA"
tp_check "our Local: a=ice-lite, ufrag and pwd, a host candidate on 10.210.0.1:$PA, end-of-candidates" \
  bash -c "grep -q 'a=ice-lite' <<<\"\$1\" && grep -q 'a=ice-ufrag:' <<<\"\$1\" && grep -q 'a=ice-pwd:' <<<\"\$1\" && grep -Eq 'a=candidate:[0-9]+ 1 UDP [0-9]+ 10\.210\.0\.1 $PA typ host' <<<\"\$1\" && grep -q 'a=end-of-candidates' <<<\"\$1\"" _ "$H248_LINE"
tp_check "... our sha-256 fingerprint, a=setup:active (RFC 5763 section 5), a tls-id, rtcp-mux, no a=crypto" \
  bash -c "grep -Eq 'a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}' <<<\"\$1\" && grep -q 'a=setup:active' <<<\"\$1\" && grep -Eq 'a=tls-id:[A-Za-z0-9+/]{32}' <<<\"\$1\" && grep -q 'a=rtcp-mux' <<<\"\$1\" && ! grep -q 'a=crypto' <<<\"\$1\"" _ "$H248_LINE"
answer ue
OURS=$(local_of)
tp_check "Add of the core's termination (RTP/AVP to 10.211.0.2:6004)" \
  mgc "send Context = $CTX { Add = \$ { Media { Stream = 1 { Local { $core_loc }, Remote { $(h248_sdp 'c=IN IP4 10.211.0.2' 'm=audio 6004 RTP/AVP 0' 'a=rtpmap:0 PCMU/8000') } } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
T2=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)'); PB=$(h248_grab 'm=audio ([0-9]+) RTP/AVP')
[ -n "$PB" ] || tp_die "no core termination made: $H248_LINE"
rid=$(tp_ctl --json agw list | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin)["contexts"] if c.get("h248", {}).get("context") == '"$CTX"'][0])')
echo "# core's termination $T2 on port $PB; agw context $rid"

# ---- B. ICE, DTLS-SRTP, media both ways, the Notifies
rm -f "$TP_TMP/core.stop"
$P $W core 10.211.0.2 6004 10.211.0.1 "$PB" --status "$TP_TMP/core.st" --stop "$TP_TMP/core.stop" \
  --seed 2 --seed-in 1 >"$TP_TMP/core.out" 2>&1 &
cpid=$!
tp_check "aiortc's PCMU reaches the core (ICE, DTLS-SRTP, SRTP to RTP)" \
  tp_wait_until 20 "the core's 50 packets" at_least "$TP_TMP/core.st" exact 50
tp_check "the core's reaches aiortc (RTP to SRTP, decoded by aiortc)" \
  tp_wait_until 10 "aiortc's 50 frames" at_least "$TP_TMP/ue.st" exact 50
echo "# ue: $(cat "$TP_TMP/ue.st"); core: $(cat "$TP_TMP/core.st")"
tp_check "byte-exact both ways, from our core address and port" \
  bash -c "[ \"\$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print(a[\"recv\"]==a[\"exact\"] and b[\"recv\"]==b[\"exact\"] and b[\"from\"]==[\"10.211.0.1:$PB\"])' "$TP_TMP/ue.st" "$TP_TMP/core.st")\" = True ]"
tp_check "Notify ice/ccr: the pair aiortc nominated (its address)" \
  notified "$T1.*ice/ccr.*addr.*10\\.210\\.0\\.2:[0-9]+"
tp_check "Notify dtls/est: dp the DTLS client, an SRTP profile" \
  notified "$T1.*dtls/est.*role.*client.*profile.*SRTP_"
sed 's/^/# /' "$TP_TMP/notifies.txt"
tp_ctl --json agw show "$rid" >"$TP_TMP/show.json"
tp_check "agw show: DTLS-SRTP up, the fingerprint verified, association 1, door iq" \
  jt "$TP_TMP/show.json" "d['door']=='iq' and d['legs'][0]['dtls']['state']=='up' and d['legs'][0]['dtls']['verified'] and d['legs'][0]['dtls']['assoc']==1 and d['legs'][0]['dtls']['handshakes']==1"

# ---- C. a re-offer with the same fingerprint: the association kept
c0=$(st "$TP_TMP/core.st" "d['exact']"); u0=$(st "$TP_TMP/ue.st" "d['exact']")
tp_check "Modify: aiortc's offer again as Remote (a re-offer), our Local repeated as the Add gave it" \
  mgc "send Context = $CTX { Modify = $T1 { Media { Stream = 1 { Local { $OURS }, Remote { $(remote ue) } } } } }" \
  "^REPLY [0-9]+ ctx=$CTX .*a=setup:active"
tp_check "... the reply's Local the Add's (our credentials, fingerprint, tls-id kept)" \
  test "$(local_of)" = "$OURS"
tp_check "... media go on both ways" \
  tp_wait_until 10 "25 more each way" bash -c "at_least() { [ \"\$(python3 -c \"import json,sys; print(json.load(open(sys.argv[1]))['exact'])\" \"\$1\" 2>/dev/null || echo 0)\" -ge \"\$2\" ]; }; at_least '$TP_TMP/core.st' $((c0 + 25)) && at_least '$TP_TMP/ue.st' $((u0 + 25))"
tp_ctl --json agw show "$rid" >"$TP_TMP/show2.json"
tp_check "... the same association (RFC 8842 section 5): assoc 1, one handshake, up" \
  jt "$TP_TMP/show2.json" "d['legs'][0]['dtls']['state']=='up' and d['legs'][0]['dtls']['assoc']==1 and d['legs'][0]['dtls']['handshakes']==1"
touch "$TP_TMP/ue.stop" "$TP_TMP/core.stop"
wait "$upid"; wait "$cpid"

# ---- D. Subtract: the access termination's statistics, then the context
tp_check "Subtract $T1: its statistics (rtp/pr, rtp/ps of aiortc's and the core's packets)" \
  mgc "send Context = $CTX { Subtract = $T1 { Audit { Statistics } } }" '^REPLY .*rtp/pr'
line=$H248_LINE
pr=$([[ $line =~ rtp/pr\ =\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}")
ps=$([[ $line =~ rtp/ps\ =\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}")
echo "# Subtract: rtp/pr $pr, rtp/ps $ps"
tp_check "... rtp/pr and rtp/ps at least what each side counted (75)" test "${pr:-0}" -ge 75 -a "${ps:-0}" -ge 75
tp_check "W-Subtract of the context" mgc "send Context = $CTX { Subtract = * { Audit { } } }" '^REPLY '

# ---- E. a wrong fingerprint: dtls/fail, nothing to the core
ue bad 3 4
bpid=$!
tp_need tp_wait_file "$TP_TMP/bad.offer.json" "$bpid" "aiortc's second offer" 20
good=$(j "$TP_TMP/bad.offer.json" 'd["fingerprints"][0]')
wrong="${good%??}$( [ "${good: -2}" = "00" ] && echo 01 || echo 00)"
tp_check "Add of its access termination, the fingerprint signalled not its" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $LOC }, Remote { $(remote bad "$wrong") } } }, $EV } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
CTX2=$(h248_grab 'ctx=([0-9]+)'); T3=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)')
answer bad
mgc "send Context = $CTX2 { Add = \$ { Media { Stream = 1 { Local { $core_loc }, Remote { $(h248_sdp 'c=IN IP4 10.211.0.2' 'm=audio 6006 RTP/AVP 0') } } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
PB2=$(h248_grab 'm=audio ([0-9]+) RTP/AVP')
rm -f "$TP_TMP/core2.stop"
$P $W core 10.211.0.2 6006 10.211.0.1 "$PB2" --status "$TP_TMP/core2.st" --stop "$TP_TMP/core2.stop" \
  --seed 4 --seed-in 3 >"$TP_TMP/core2.out" 2>&1 &
c2pid=$!
tp_check "Notify dtls/fail on $T3: fingerprint_mismatch, dp's sentence" \
  notified "$CTX2.*$T3.*dtls/fail.*fingerprint_mismatch"
sleep 1
touch "$TP_TMP/bad.stop" "$TP_TMP/core2.stop"
wait "$bpid"; wait "$c2pid"
echo "# bad ue: $(cat "$TP_TMP/bad.st"); its core: $(cat "$TP_TMP/core2.st")"
tp_check "no media reached the core" jt "$TP_TMP/core2.st" "d['recv']==0"
tp_check "W-Subtract of it" mgc "send Context = $CTX2 { Subtract = * { Audit { } } }" '^REPLY '

# ---- F. refusals, nothing made
n0=$(tp_ctl --json agw list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["contexts"]))')
fp="sha-256 $(printf 'AB:%.0s' $(seq 31))AB"
hold=$(h248_sdp 'c=IN IP4 10.210.0.2' 'm=audio 5000 UDP/TLS/RTP/SAVPF 0' 'a=rtcp-mux' "a=fingerprint:$fp" 'a=setup:holdconn')
nosetup=$(h248_sdp 'c=IN IP4 10.210.0.2' 'm=audio 5000 UDP/TLS/RTP/SAVPF 0' 'a=rtcp-mux' "a=fingerprint:$fp")
tp_check "a=setup:holdconn on DTLS-SRTP: 449 (RFC 8842 section 5.2)" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $LOC }, Remote { $hold } } } } }" '^ERROR [0-9]+ 449 '
tp_check "our offer (no Remote) with Local's a=setup:active: 449 (RFC 5763 section 5: actpass)" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $(h248_sdp 'c=IN IP4 $' 'm=audio $ UDP/TLS/RTP/SAVPF 0' 'a=rtcp-mux' 'a=setup:active') } } } } }" \
  '^ERROR [0-9]+ 449 .*actpass'
tp_check "no a=setup: 472" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $LOC }, Remote { $nosetup } } } } }" '^ERROR [0-9]+ 472 '
sleep 0.5
n1=$(tp_ctl --json agw list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["contexts"]))')
tp_check "... nothing made ($n0 -> $n1 contexts)" test "$n1" -le "$n0"

h248_stop mgc
sleep 0.5
kill $TSHARK 2>/dev/null; wait $TSHARK 2>/dev/null
tp_check "tshark reads every Iq message as H.248, none malformed" h248_pcap_check "$TP_TMP/iq.pcap" "$MGCP"
echo "# test_iq_webrtc: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
