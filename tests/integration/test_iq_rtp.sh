#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Iq: RTP terminations driven by Erlang/OTP's megaco as the IMS-ALG (cp/iq
# onto cp/agw's RTP contexts onto dp/rtp), real RTP through dp both ways:
#   A. Add of the UE's termination into Context $ (RTP/AVP, our address
#      and port `$`, ipnapt/latch ON, Events adid/ipstop dt 1500 ms), Add of
#      the core's into the same context: each reply's Local has our address
#      and an even port with a=rtcp on the next one; each reply went once
#      dp held its termination (cp/agw's replies_held).
#   B. The UE (10.210.0.2) sends 50 packets from port 40002, not the 40000
#      it signalled (a NAT): dp latches it, the core (10.211.0.2:41000)
#      gets all 50 and answers 40, which reach the UE at 40002, every
#      packet byte for byte as sent; a stranger's 10 packets (the UE's
#      address, port 40004) are dropped and counted (agw show).
#   C. Silence: the adid/ipstop Notify on the UE's termination.
#   D. Subtract of the UE's termination: rtp/pr 50, nt/or 50 x 172,
#      rtp/ps 40; Subtract of the core's: rtp/pr 40, rtp/ps 50; the usage
#      records (cp/acct) of each termination and of the context say so.
#   E. Errors: a key of the wrong length (474), a suite not known (449),
#      a TCP termination into an RTP context (515), Mode Loopback (517);
#      nothing made (agw list unchanged).
#   F. SRTP towards the UE (RTP/SAVP, our key and the test's in a=crypto),
#      RTP towards the core: ffmpeg (its own SRTP) sends 1 s of G.711 from
#      the UE, the core gets it byte for byte; the core's RTP reaches the
#      UE as SRTP that Debian's libsrtp2 decrypts byte for byte; a forged
#      tag and a replayed packet from the UE dropped and counted (agw show
#      srtp_fail), Subtract's rtp/pr what passed.
#      SRTP keys (cp/agw's rule, RFC 3711 §9.1): our key in Local the same as
#      Remote's (in E), our key of before fixed in Local again in an Add after
#      its termination's Subtract: 449 with the keys named; a Modify
#      repeating Local and Remote with the same keys, an Add after the
#      Subtract with the UE's key of before in Remote (its keystream, not
#      ours) and a new key of ours: taken.
#   G. agw.quota.iq 2: a third context is refused (510), an Emergency one
#      made past it (agw.quota.emergency 1), a second Emergency one refused;
#      (TS 23.334 §8) is made all the same.
#   H. What an IMS-ALG asks in every Add: Events { g/cause, hangterm/thb }
#      on RTP terminations taken (it was 451); heartbeats each timerx;
#      H.248.8's codes: nt/netfail 512, g/foo 451, an unknown package 440,
#      g/cause on ROOT 512, adid/ipstop on a TCP termination 512; the
#      operator's release (turnpikectl agw release) heard as g/cause NR,
#      controller, on both terminations.
#   tshark reads every Iq message of the run as H.248, none malformed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
start=$SECONDS
h248_require_megaco
R="python3 $HERE/lib/rtp_probe.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
H248_DIR=$TP_TMP
base=$((40000 + ($$ % 5000) * 2))
MGCP=$base; IQP=$((base + 1))
tshark -q -i lo -f "udp port $MGCP" -w "$TP_TMP/iq.pcap" >"$TP_TMP/tshark.log" 2>&1 &
TSHARK=$!
h248_start mgc --listen 127.0.0.1:$MGCP --timeout 5000 || tp_die "the MGC did not start: $H248_LINE"
trap 'rc=$?; h248_kill mgc 2>/dev/null; kill $TSHARK 2>/dev/null; (exit $rc); tp_cleanup' EXIT
tp_need tp_wait_log "$TP_TMP/tshark.log" 'Capturing on' "$TSHARK" "tshark on lo" 20

TP_MBUFS=16383 tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups)
agw = { ports = [20000, 21999]; max_contexts = 64; media_ports = [30000, 30999]; media_contexts = 64;
        quota = { iq = 2; emergency = 1; }; };
iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$MGCP\"]; };
accounting = { file = \"$TP_TMP/usage.jsonl\"; };"
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
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered
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
# (each Add's reply went once dp held the termination: cp/agw's replies held)
tp_ctl --json status >"$TP_TMP/held.json"
tp_check "both Adds' replies held until dp held their terminations (agw.replies_held 2)" \
  python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['agw']; sys.exit(0 if d['replies_held']==2 and d['replies_held_late']==0 else 1)" "$TP_TMP/held.json"

# ---- B. RTP both ways, the UE behind a NAT, a stranger ------------------------------------
rm -f "$TP_TMP/core.ready"
$P $R $CORE 41000 "$A2" "$P2" --tag 2 --peer-tag 1 --send 40 --expect 50 --linger 1.5 \
  --secs 20 --ready "$TP_TMP/core.ready" >"$TP_TMP/core.out" 2>&1 &
cpid=$!
wait_file "$TP_TMP/core.ready"
$C $R $UE 40002 "$A1" "$P1" --tag 1 --peer-tag 2 --send 50 --first --expect 40 --linger 1.5 \
  --secs 20 >"$TP_TMP/ue.out" 2>&1 &
upid=$!
# the stranger: the UE's address, another port, once the UE's first packets
# latched (cp hears of a latch from dp at once)
rid=$(tp_ctl --json agw list | python3 -c 'import json,sys; print(json.load(sys.stdin)["contexts"][0]["id"])')
ue_latched() { grep -q "latched $UE:40002," <<<"$(tp_ctl agw show "$rid" 2>/dev/null)"; }
tp_need tp_wait_until 10 "the UE's stream latched ($UE:40002)" ue_latched
$C $R $UE 40004 "$A1" "$P1" --tag 3 --send 10 --first --secs 1 >"$TP_TMP/stranger.out" 2>&1
wait $upid; wait $cpid
echo "# UE: $(cat "$TP_TMP/ue.out")  core: $(cat "$TP_TMP/core.out")"
tp_check "the core got the UE's 50 packets byte for byte, and nothing else" \
  test "$(j "$TP_TMP/core.out" '"%d/%d/%d" % (d["recv"], d["exact"], d["bad"])')" = 50/50/0
tp_check "... from our core-side address and port" \
  test "$(j "$TP_TMP/core.out" '" ".join(d["srcs"])')" = "$A2:$P2"
tp_check "the UE got the core's 40 byte for byte at the port it sent from (latched, not 40000)" \
  test "$(j "$TP_TMP/ue.out" '"%d/%d/%d" % (d["recv"], d["exact"], d["bad"])')" = 40/40/0
tp_check "... from our access-side address and port" \
  test "$(j "$TP_TMP/ue.out" '" ".join(d["srcs"])')" = "$A1:$P1"
tp_ctl --json agw show "$rid" >"$TP_TMP/show.json"
ue_leg=$(j "$TP_TMP/show.json" '[i for i, l in enumerate(d["legs"]) if l and l["local"].startswith("'"$A1"':")][0]')
tp_check "agw show: the UE's stream latched $UE:40002" \
  test "$(j "$TP_TMP/show.json" 'd["legs"]['"$ue_leg"']["stats"]["latched_rtp"]')" = "$UE:40002"
tp_check "... the stranger's 10 packets dropped and counted (drop_stranger), not relayed" \
  test "$(j "$TP_TMP/show.json" 'd["legs"]['"$ue_leg"']["stats"]["drop_stranger"]')" = 10

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
# the usage records (cp/acct): one for each termination the MGC subtracted, then the
# context's (none left in it), door iq, what each termination took and sent
for _ in $(seq 20); do [ "$(grep -c "\"session\":\"$rid\"" "$TP_TMP/usage.jsonl" 2>/dev/null)" -ge 3 ] && break; sleep 0.1; done
python3 -c "import json,sys; print(json.dumps([r for r in map(json.loads, open(sys.argv[1])) if r['session']==sys.argv[2]]))" "$TP_TMP/usage.jsonl" "$rid" >"$TP_TMP/rec.json"
echo "# records: $(cat "$TP_TMP/rec.json")"
tp_check "usage records: $T1's and $T2's (door iq), then the context's with none left" \
  test "$(j "$TP_TMP/rec.json" '[(r["door"], r["media"], r["scope"], len(r["legs"]), r["reason"]) for r in d]')" = "[('iq', 'rtp', 'termination', 1, 'controller'), ('iq', 'rtp', 'termination', 1, 'controller'), ('iq', 'rtp', 'context', 0, 'controller')]"
tp_check "... $T1's: 50 packets and $((50 * 172)) octets in, 40 out, latched $UE:40002, the stranger's 10 dropped" \
  test "$(j "$TP_TMP/rec.json" '"%d/%d/%d/%s/%d" % (d[0]["legs"][0]["packets_in"], d[0]["legs"][0]["bytes_in"], d[0]["legs"][0]["packets_out"], d[0]["legs"][0]["remote"], d[0]["legs"][0]["drops"]["stranger"])')" = "50/$((50 * 172))/40/$UE:40002/10"
tp_check "... $T2's: 40 packets in, 50 out, profile RTP/AVP" \
  test "$(j "$TP_TMP/rec.json" '"%d/%d/%s" % (d[1]["legs"][0]["packets_in"], d[1]["legs"][0]["packets_out"], d[1]["legs"][0]["profile"])')" = "40/50/RTP/AVP"

# ---- E. refusals, nothing made -----------------------------------------------------------
n0=$(tp_ctl --json agw list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["contexts"]))')
bad_key=$(sdp "c=IN IP4 $UE" 'm=audio 40000 RTP/SAVP 0' 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVu')
bad_suite=$(sdp "c=IN IP4 $UE" 'm=audio 40000 RTP/SAVP 0' 'a=crypto:1 F8_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz')
# (Local without a=crypto: our suite the peer's; tshark takes H.248's `a=crypto:$` for an
# invalid tag)
sloc=$(sdp 'c=IN IP4 $' 'm=audio $ RTP/SAVP 0')
tp_check "a key of the wrong length: 474" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $sloc }, Remote { $bad_key } } } } }" '^ERROR [0-9]+ 474 '
BADKEY_TID=$(h248_grab '^ERROR ([0-9]+) ')
tp_check "a suite not known: 449" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $sloc }, Remote { $bad_suite } } } } }" '^ERROR [0-9]+ 449 '
# (our key fixed by Local's a=crypto, the same as Remote's: one key for two
# streams, RFC 3711 §9.1: cp/agw's keys rule, H.248.8's 449 with its reason)
KSAME=$(head -c 30 /dev/urandom | base64)
same_loc=$(sdp 'c=IN IP4 $' 'm=audio $ RTP/SAVP 0' "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$KSAME")
same_rem=$(sdp "c=IN IP4 $UE" 'm=audio 40000 RTP/SAVP 0' "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$KSAME")
tp_check "our key in Local the remote's key in Remote: 449, the keys named" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $same_loc }, Remote { $same_rem } } } } }" \
  "^ERROR [0-9]+ 449 .*our key to termination 0 is termination 0's remote key: one key for two streams"
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

# ---- F. SRTP from the UE (ffmpeg's, then libsrtp2's), RTP to the core ----------------------
S="python3 $HERE/lib/srtp_peer.py"
KUE=$(head -c 30 /dev/urandom | base64)
ue_srem=$(sdp "c=IN IP4 $UE" 'm=audio 40020 RTP/SAVP 0' 'a=rtpmap:0 PCMU/8000' \
  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$KUE")
core_rem2=$(sdp "c=IN IP4 $CORE" 'm=audio 41010 RTP/AVP 0' 'a=rtpmap:0 PCMU/8000')
tp_check "Add of the UE's RTP/SAVP termination (the test's key in Remote's a=crypto)" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive, ipnapt/latch = ON }, Local { $sloc }, Remote { $ue_srem } } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ .*RTP/SAVP.*a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:'
CTX3=$(h248_grab 'ctx=([0-9]+)'); T3=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)')
P3=$(h248_grab 'm=audio ([0-9]+) RTP/SAVP'); A3=$(h248_grab 'c=IN IP4 ([0-9.]+)')
KGW=$(h248_grab 'inline:([A-Za-z0-9+/=]+)')
tp_check "... our key is ours: 30 octets, not the test's" \
  test "$(printf %s "$KGW" | base64 -d | wc -c)" = 30 -a "$KGW" != "$KUE"
tp_check "Add of the core's RTP/AVP termination into context $CTX3" \
  mgc "send Context = $CTX3 { Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $core_rem2 } } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
T4=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)'); P4=$(h248_grab 'm=audio ([0-9]+) RTP/AVP')
A4=$(h248_grab 'c=IN IP4 ([0-9.]+)')
head -c 8000 /dev/urandom >"$TP_TMP/g711.raw"
rm -f "$TP_TMP/core.ready"
$P $R $CORE 41010 "$A4" "$P4" --dump "$TP_TMP/g711.got" --expect 75 --linger 1 --secs 15 \
  --ready "$TP_TMP/core.ready" >"$TP_TMP/core3.out" 2>&1 &
cpid=$!
wait_file "$TP_TMP/core.ready"
$C ffmpeg -hide_banner -loglevel error -nostdin -re -f mulaw -ar 8000 -ac 1 -i "$TP_TMP/g711.raw" \
  -c:a copy -f rtp -srtp_out_suite AES_CM_128_HMAC_SHA1_80 -srtp_out_params "$KUE" \
  "srtp://$A3:$P3?localport=40020&pkt_size=182" >"$TP_TMP/ffmpeg.out" 2>&1 ||
  tp_die "ffmpeg failed: $(tail -3 "$TP_TMP/ffmpeg.out")"
wait $cpid
FF=$(j "$TP_TMP/core3.out" 'd["recv"]')
echo "# core from ffmpeg: $(cat "$TP_TMP/core3.out")"
tp_check "ffmpeg's SRTP reached the core as RTP, 8000 octets of G.711 byte for byte ($FF packets)" \
  cmp "$TP_TMP/g711.raw" "$TP_TMP/g711.got"
rm -f "$TP_TMP/core.ready"
$P $R $CORE 41010 "$A4" "$P4" --tag 2 --peer-tag 1 --send 40 --expect 20 --linger 1.5 \
  --secs 20 --ready "$TP_TMP/core.ready" >"$TP_TMP/core4.out" 2>&1 &
cpid=$!
wait_file "$TP_TMP/core.ready"
$C $S $UE 40020 "$A3" "$P3" --tx-key "$KUE" --rx-key "$KGW" --send 20 --forge 3 --replay 3 \
  --peer-tag 2 --expect 40 --linger 1 --secs 20 >"$TP_TMP/ue4.out" 2>&1
wait $cpid
echo "# UE (libsrtp2): $(cat "$TP_TMP/ue4.out")  core: $(cat "$TP_TMP/core4.out")"
tp_check "the core got the UE's 20 SRTP packets as RTP byte for byte, no forged or replayed one" \
  test "$(j "$TP_TMP/core4.out" '"%d/%d/%d" % (d["recv"], d["exact"], d["bad"])')" = 20/20/0
tp_check "the UE got the core's 40 as SRTP, libsrtp2 decrypted them with our key, byte for byte" \
  test "$(j "$TP_TMP/ue4.out" '"%d/%d/%d/%d" % (d["recv"], d["exact"], d["bad"], d["auth_fail"])')" = 40/40/0/0
id3=$(tp_ctl --json agw list | python3 -c 'import json,sys
for c in json.load(sys.stdin)["contexts"]:
    if c.get("kind") == "rtp" and any(l and l["rtp"] == "RTP/SAVP" for l in c["legs"]): print(c["id"])')
tp_ctl --json agw show "$id3" >"$TP_TMP/show3.json"
sl=$(j "$TP_TMP/show3.json" '[i for i, l in enumerate(d["legs"]) if l and l["rtp"] == "RTP/SAVP"][0]')
tp_check "agw show: the forged tags and the replays dropped and counted (srtp_fail 6)" \
  test "$(j "$TP_TMP/show3.json" 'd["legs"]['"$sl"']["stats"]["srtp_fail"]')" = 6
# the IMS-ALG's Modify repeating $T3's Local and Remote, the same keys: the key
# a termination holds, for its own direction, is no new use (taken)
tp_check "Modify of $T3 repeating its Local and Remote (the same a=crypto): taken" \
  mgc "send Context = $CTX3 { Modify = $T3 { Media { Stream = 1 { LocalControl { Mode = SendReceive, ipnapt/latch = ON }, Local { $sloc }, Remote { $ue_srem } } } } }" \
  '^REPLY [0-9]+ '
tp_check "... its Local repeats our key" eval '[[ $H248_LINE == *"inline:$KGW"* ]]'
tp_check "Subtract $T3: Statistics" \
  mgc "send Context = $CTX3 { Subtract = $T3 { Audit { Statistics } } }" '^REPLY .*Statistics'
line=$H248_LINE
tp_check "... rtp/pr $((FF + 20)) (what passed: no forged or replayed one), rtp/ps 40" \
  test "$(stat_of "$line" 'rtp/pr')/$(stat_of "$line" 'rtp/ps')" = "$((FF + 20))/40"
# a termination added again after the subtraction with our key of before
# fixed in its Local: we would encrypt under that keystream again from index
# 0 (RFC 3711 §9.1): 449
kgw_loc=$(sdp 'c=IN IP4 $' 'm=audio $ RTP/SAVP 0' "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$KGW")
tp_check "Add into $CTX3 with $T3's Local key (ours) again: 449, used before" \
  mgc "send Context = $CTX3 { Add = \$ { Media { Stream = 1 { Local { $kgw_loc }, Remote { $ue_srem } } } } }" \
  "^ERROR [0-9]+ 449 .*our key to termination 0 was used before in context [0-9]+ as our key to termination 0: one key for two streams"
# ... with the UE's key of before in Remote (the UE's keystream, which we only
# decrypt: the IMS-ALG's Subtract and Add for a re-INVITE going back to it)
# and a key of ours made anew: taken
tp_check "Add into $CTX3 with $T3's Remote key again, our key new: taken" \
  mgc "send Context = $CTX3 { Add = \$ { Media { Stream = 1 { Local { $sloc }, Remote { $ue_srem } } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ .*RTP/SAVP.*a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:'
T5=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)'); KGW5=$(h248_grab 'inline:([A-Za-z0-9+/=]+)')
tp_check "... its Local a key of ours other than $T3's" test -n "$KGW5" -a "$KGW5" != "$KGW" -a "$KGW5" != "$KUE"
tp_check "Subtract $T5" mgc "send Context = $CTX3 { Subtract = $T5 { Audit { } } }" '^REPLY '
tp_check "Subtract $T4" mgc "send Context = $CTX3 { Subtract = $T4 { Audit { } } }" '^REPLY '

# ---- G. TS 23.334 §8: agw.quota.iq 2 refuses a normal third context, never an emergency one
sleep 0.5
tp_check "context F1 (1 of agw.quota.iq 2)" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $ue_rem } } } } }" '^REPLY [0-9]+ ctx=[0-9]+ '
F1=$(h248_grab 'ctx=([0-9]+)')
tp_check "context F2 (2 of 2)" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $ue_rem } } } } }" '^REPLY [0-9]+ ctx=[0-9]+ '
F2=$(h248_grab 'ctx=([0-9]+)')
tp_check "a third, normal: 510 (the quota)" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $ue_rem } } } } }" '^ERROR [0-9]+ 510 .*quota'
tp_check "a third, Emergency: made all the same" \
  mgc "send Context = \$ { Emergency, Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $ue_rem } } } } }" '^REPLY [0-9]+ ctx=[0-9]+ '
F3=$(h248_grab 'ctx=([0-9]+)')
tp_check "a fourth, Emergency too: 510 (agw.quota.emergency 1 past the quota held already)" \
  mgc "send Context = \$ { Emergency, Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $ue_rem } } } } }" '^ERROR [0-9]+ 510 .*quota'
for c in $F1 $F2 $F3; do
  mgc "send Context = $c { Subtract = * { Audit { } } }" '^REPLY ' || tp_die "Subtract of context $c failed: $H248_LINE"
done

# ---- H. what an IMS-ALG asks in every Add: g/cause and hangterm/thb on RTP terminations ---
echo "# [$((SECONDS - start)) s] section H"
tp_check "Add of the UE's termination with Events { g/cause, hangterm/thb }, hangterm/timerx 1 s: taken" \
  mgc "send Context = \$ { Add = \$ { Media { TerminationState { hangterm/timerx = 1 }, Stream = 1 { Local { $loc }, Remote { $ue_rem } } }, Events = 21 { g/cause, hangterm/thb } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
CTXH=$(h248_grab 'ctx=([0-9]+)'); TH1=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)')
tp_check "Add of the core's termination with Events { g/cause }" \
  mgc "send Context = $CTXH { Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $core_rem } } }, Events = 22 { g/cause } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
TH2=$(h248_grab 'Add = (rtp/[0-9]+/[0-9]+)')
echo "# context $CTXH: $TH1, $TH2"
# (H.248.36: the heartbeat says the gateway still holds a termination the
# controller has not named for timerx; media or none)
tp_check "... Notify hangterm/thb of $TH1 within 3 s" \
  mgc "wait-notify 3000" "^OK notify n=[0-9]+ .*Context = $CTXH .*Notify = $TH1 .*hangterm/thb"
tp_check "... and again a period later" \
  mgc "wait-notify 3000" "^OK notify n=[0-9]+ .*Context = $CTXH .*Notify = $TH1 .*hangterm/thb"
tp_check "... Events without hangterm/thb stops them" \
  mgc "send Context = $CTXH { Modify = $TH1 { Events = 23 { g/cause } } }" "^REPLY [0-9]+ ctx=$CTXH "
mgc "wait-notify 1500" '' >/dev/null 2>&1   # (one may be on its way)
# what no termination detects, what no package has, a package not taken (H.248.8)
tp_check "Events nt/netfail on an RTP termination: 512 (unequipped to detect)" \
  mgc "send Context = $CTXH { Modify = $TH2 { Events = 24 { nt/netfail } } }" '^ERROR [0-9]+ 512 '
tp_check "Events g/foo: 451 (no such event in g)" \
  mgc "send Context = $CTXH { Modify = $TH2 { Events = 25 { g/foo } } }" '^ERROR [0-9]+ 451 '
tp_check "Events of a package not taken: 440" \
  mgc "send Context = $CTXH { Modify = $TH2 { Events = 26 { xyz/abc } } }" '^ERROR [0-9]+ 440 '
tp_check "Events g/cause on ROOT: 512" \
  mgc "send Context = - { Modify = ROOT { Events = 27 { g/cause } } }" '^ERROR [0-9]+ 512 '
tp_check "Events adid/ipstop on a TCP termination: 512, nothing made" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $tcp_loc }, Remote { $tcp_rem } } }, Events = 28 { g/cause, adid/ipstop } } }" '^ERROR [0-9]+ 512 '
# the operator ends the call: the controller hears both terminations' end
idh=$(tp_ctl --json agw list | python3 -c 'import json,sys
for c in json.load(sys.stdin)["contexts"]:
    if (c.get("h248") or {}).get("context") == int(sys.argv[1]): print(c["id"])' "$CTXH")
tp_check "agw list names context $CTXH's terminations as the controller does ($idh)" \
  test -n "$idh"
tp_check "turnpikectl agw release $idh" tp_ctl agw release "$idh"
# causes TERM: the Notify g/cause of TERM (collected in arrival order)
: >"$TP_TMP/notes"
causes() {
  local line end=$((SECONDS + 10))
  while ! line=$(grep -E "Notify = $1 \{.*g/cause" "$TP_TMP/notes"); do
    ((SECONDS < end)) || { echo "# no g/cause of $1:"; sed 's/^/#   /' "$TP_TMP/notes" | cut -c1-300; return 1; }
    h248_cmd mgc "wait-notify 1000" 5 && [[ $H248_LINE == "OK notify "* ]] &&
      printf '%s\n' "$H248_LINE" >>"$TP_TMP/notes"
  done
  echo "#   $(grep -oE 'g/cause.*' <<<"$line" | cut -c1-200)"
  # (megaco writes a one-word string unquoted)
  [[ $line =~ generalcause\ *=\ *nr[^a-z].*failurecause\ *=\ *\"?controller\"?[\ }] ]]
}
tp_check "... Notify g/cause of $TH1: NR, controller" causes "$TH1"
tp_check "... Notify g/cause of $TH2: NR, controller" causes "$TH2"

h248_stop mgc
sleep 0.5; kill -INT $TSHARK 2>/dev/null; wait $TSHARK 2>/dev/null
# the request with the key of the wrong length is malformed SDP on purpose: left out
tshark -r "$TP_TMP/iq.pcap" -d "udp.port==$MGCP,megaco" -Y "!(megaco.transid == $BADKEY_TID)" \
  -w "$TP_TMP/iq-ok.pcap" 2>/dev/null
tp_check "tshark reads every Iq message as H.248, none malformed (but the bad key's request)" \
  h248_pcap_check "$TP_TMP/iq-ok.pcap" $MGCP
echo "# test_iq_rtp: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
