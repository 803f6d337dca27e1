#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Iq: RTP terminations driven by Erlang/OTP's megaco as the IMS-ALG (cp/iq
# onto cp/agw's RTP contexts onto dp/rtp), real RTP through dp both ways:
#   A. Add of the UE's termination into Context $ (RTP/AVP, our address
#      and port `$`, ipnapt/latch ON, Events adid/ipstop dt 1500 ms), Add of
#      the core's into the same context: each reply's Local has our address
#      and an even port with a=rtcp on the next one.
#   B. The UE (10.210.0.2) sends 50 packets from port 40002, not the 40000
#      it signalled (a NAT): dp latches it, the core (10.211.0.2:41000)
#      gets all 50 and answers 40, which reach the UE at 40002.
#   C. Silence: the adid/ipstop Notify on the UE's termination.
#   D. Subtract of the UE's termination: rtp/pr 50, nt/or 50 x 172,
#      rtp/ps 40; Subtract of the core's: rtp/pr 40, rtp/ps 50.
#   E. Errors: a key of the wrong length (474), a suite not known (449),
#      a TCP termination into an RTP context (515), Mode Loopback (517);
#      nothing made (agw list unchanged).
#   tshark reads every Iq message of the run as H.248, none malformed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
start=$SECONDS
h248_require_megaco
R="python3 $HERE/lib/rtp_peer.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
H248_DIR=$TP_TMP
base=$((40000 + ($$ % 5000) * 2))
MGCP=$base; IQP=$((base + 1))
tshark -q -i lo -f "udp port $MGCP" -w "$TP_TMP/iq.pcap" >"$TP_TMP/tshark.log" 2>&1 &
TSHARK=$!
h248_start mgc --listen 127.0.0.1:$MGCP --timeout 5000 || tp_die "the MGC did not start: $H248_LINE"
trap 'rc=$?; h248_kill mgc 2>/dev/null; kill $TSHARK 2>/dev/null; (exit $rc); tp_cleanup' EXIT

TP_MBUFS=16383 tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups)
agw = { ports = [20000, 21999]; max_contexts = 64; media_ports = [30000, 30999]; media_contexts = 64; };
iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$MGCP\"]; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

mgc() { h248_expect mgc "$1" "$2" 20; }
sdp() { h248_sdp "$@"; }
UE=10.210.0.2; CORE=10.211.0.2
loc=$(sdp 'c=IN IP4 $' 'm=audio $ RTP/AVP 0' 'a=rtpmap:0 PCMU/8000')
ue_rem=$(sdp "c=IN IP4 $UE" 'm=audio 40000 RTP/AVP 0' 'a=rtpmap:0 PCMU/8000')
core_rem=$(sdp "c=IN IP4 $CORE" 'm=audio 41000 RTP/AVP 0' 'a=rtpmap:0 PCMU/8000')
wait_file() { for _ in $(seq 200); do [ -f "$1" ] && return 0; sleep 0.05; done; return 1; }
j() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
stat_of() { [[ $1 =~ $2\ =\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"; }

# ---- A. two RTP terminations in one context ---------------------------------------
tp_check "cp registers with the MGC" mgc "wait-registered 15000" '^OK registered n=1'
sleep 0.3
tp_check "Add of the UE's RTP/AVP termination into Context \$ (latch, adid/ipstop)" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive, ipnapt/latch = ON }, Local { $loc }, Remote { $ue_rem } } }, Events = 9 { adid/ipstop { dt = 1500 } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
CTX=$(h248_grab 'ctx=([0-9]+)'); T1=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)')
P1=$(h248_grab 'm=audio ([0-9]+) RTP/AVP'); A1=$(h248_grab 'c=IN IP4 ([0-9.]+)')
R1=$(h248_grab 'a=rtcp:([0-9]+)')
echo "# context $CTX, UE's termination $T1 on $A1:$P1 (RTCP $R1)"
tp_check "... our address (the access port's), an even port, RTCP the next" \
  test "$A1" = 10.210.0.1 -a $((P1 % 2)) -eq 0 -a "$R1" = $((P1 + 1))
tp_check "Add of the core's termination into context $CTX" \
  mgc "send Context = $CTX { Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $core_rem } } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
T2=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)'); P2=$(h248_grab 'm=audio ([0-9]+) RTP/AVP')
A2=$(h248_grab 'c=IN IP4 ([0-9.]+)')
echo "# core's termination $T2 on $A2:$P2"
tp_check "... on the core's side ($A2)" test "$A2" = 10.211.0.1

# ---- B. RTP both ways, the UE behind a NAT ----------------------------------------------
rm -f "$TP_TMP/core.ready"
$P $R $CORE 41000 "$A2" "$P2" --send 40 --expect 50 --secs 20 --ready "$TP_TMP/core.ready" \
  >"$TP_TMP/core.out" 2>&1 &
cpid=$!
wait_file "$TP_TMP/core.ready"
$C $R $UE 40002 "$A1" "$P1" --send 50 --first --expect 40 --secs 20 >"$TP_TMP/ue.out" 2>&1
wait $cpid
echo "# UE: $(cat "$TP_TMP/ue.out")  core: $(cat "$TP_TMP/core.out")"
tp_check "the core got the UE's 50 packets" test "$(j "$TP_TMP/core.out" 'd["recv"]')" = 50
tp_check "the UE got the core's 40 at the port it sent from (latched, not 40000)" \
  test "$(j "$TP_TMP/ue.out" 'd["recv"]')" = 40

# ---- C. silence: the inactivity Notify ---------------------------------------------------
tp_check "silence on $T1: Notify adid/ipstop" \
  mgc "wait-notify 10000" "^OK notify n=1 .*$T1.*adid/ipstop"

# ---- D. Subtract with the statistics of what was sent ------------------------------------
tp_check "Subtract $T1: Statistics" \
  mgc "send Context = $CTX { Subtract = $T1 { Audit { Statistics } } }" '^REPLY .*Statistics'
line=$H248_LINE
echo "# $line"
tp_check "... rtp/pr 50, nt/or $((50 * 172)), rtp/ps 40" \
  test "$(stat_of "$line" 'rtp/pr')/$(stat_of "$line" 'nt/or')/$(stat_of "$line" 'rtp/ps')" = "50/$((50 * 172))/40"
tp_check "Subtract $T2: rtp/pr 40, rtp/ps 50" \
  mgc "send Context = $CTX { Subtract = $T2 { Audit { Statistics } } }" '^REPLY .*rtp/pr = 40.*rtp/ps = 50'

# ---- E. refusals, nothing made -----------------------------------------------------------
n0=$(tp_ctl --json agw list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["contexts"]))')
bad_key=$(sdp "c=IN IP4 $UE" 'm=audio 40000 RTP/SAVP 0' 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVu')
bad_suite=$(sdp "c=IN IP4 $UE" 'm=audio 40000 RTP/SAVP 0' 'a=crypto:1 F8_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz')
sloc=$(sdp 'c=IN IP4 $' 'm=audio $ RTP/SAVP 0' 'a=crypto:$')
tp_check "a key of the wrong length: 474" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $sloc }, Remote { $bad_key } } } } }" '^ERROR [0-9]+ 474 '
tp_check "a suite not known: 449" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $sloc }, Remote { $bad_suite } } } } }" '^ERROR [0-9]+ 449 '
tp_check "Mode Loopback: 517" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = Loopback }, Local { $loc }, Remote { $ue_rem } } } } }" '^ERROR [0-9]+ 517 '
mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $ue_rem } } } } }" '^REPLY [0-9]+ ctx=[0-9]+ '
CTX2=$(h248_grab 'ctx=([0-9]+)')
tcp_loc=$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *' 'a=setup:passive')
tcp_rem=$(sdp "c=IN IP4 $UE" 'm=message 9 TCP/MSRP *' 'a=setup:active')
tp_check "a TCP termination into an RTP context: 515" \
  mgc "send Context = $CTX2 { Add = \$ { Media { Stream = 1 { Local { $tcp_loc }, Remote { $tcp_rem } } } } }" '^ERROR [0-9]+ 515 '
tp_check "W-Subtract=* of it" mgc "send Context = $CTX2 { Subtract = * { Audit { Statistics } } }" '^REPLY '
sleep 0.5
n1=$(tp_ctl --json agw list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["contexts"]))')
tp_check "... nothing left made by the refusals ($n0 -> $n1 contexts)" test "$n1" -le "$n0"

h248_stop mgc
sleep 0.5; kill -INT $TSHARK 2>/dev/null; wait $TSHARK 2>/dev/null
tp_check "tshark reads every Iq message as H.248, none malformed" h248_pcap_check "$TP_TMP/iq.pcap" $MGCP
echo "# test_iq_rtp: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
