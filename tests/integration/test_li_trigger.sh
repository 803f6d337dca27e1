#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The triggered interception (issue 70, docs/design/li.md §2.7): the
# P-CSCF's CC-TF (TS 33.128's LI_T3) names a call's media by the H.248
# ContextID the Iq door gave it. Erlang/OTP's megaco plays the IMS-ALG
# (iq/h248.sh) and makes two calls (two RTP contexts, the UEs 10.210.0.2
# and 10.210.0.3, the core 10.211.0.2); the test ADMF (lib/li_admf.py)
# creates the MF's X3 destination; the test CC-TF (the same client, its
# own certificate and admfIdentifier, li.x1.cctf_id) activates a trigger
# (IMST3TargetIdentifierExtensions: H248ContextID of the first call,
# correlationID 7777). The MF (lib/li_mf.py) gets the first call's RTP as
# X3 PDUs of format 8 with the trigger's XID and correlation ID, both
# ways, and nothing of the second call; the ADMF cannot see or end the
# trigger (301); a trigger for a ContextID no call has is refused (100),
# one from the ADMF 401. After DeactivateTask nothing more arrives. The
# CC-TF cannot remove a destination (100); a second trigger on call 2's
# context is refused (100); call 2 ended, its trigger is disarmed (its
# TaskStatus says so) and the CC-TF ends it.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
h248_require_megaco
PY=/usr/bin/python3
LIB=$HERE/lib
R="$PY $LIB/rtp_probe.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
H248_DIR=$TP_TMP
command -v tshark >/dev/null || tp_die "tshark missing (tools/bootstrap installs it)"

pki=$TP_TMP/pki; mkdir -p "$pki"
. "$HERE/lib/li_pki.sh"
mkca li-ca && mkcert x1 li-ca 'extendedKeyUsage=serverAuth' &&
  mkcert admf li-ca 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:admf-1' &&
  mkcert cctf li-ca 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:pcscf-1' &&
  mkcert x2x3 li-ca 'extendedKeyUsage=clientAuth' &&
  mkcert mf li-ca 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1' ||
  tp_die "openssl could not make the test certificates"

base=$((40000 + ($$ % 5000) * 2))
MGCP=$base; IQP=$((base + 1)); port=$((20000 + $$ % 20000)); mfport=$((port + 2))
h248_start mgc --listen 127.0.0.1:$MGCP --timeout 5000 || tp_die "the MGC did not start: $H248_LINE"
$PY "$LIB/li_mf.py" --port "$mfport" --cert "$pki/mf.crt" --key "$pki/mf.key" \
  --ca "$pki/li-ca.crt" --pcap "$TP_TMP/x3.pcap" >"$TP_TMP/mf.log" 2>&1 &
MF_PID=$!
trap 'rc=$?; h248_kill mgc 2>/dev/null; kill $MF_PID 2>/dev/null; (exit $rc); tp_cleanup' EXIT
mkdir -p "$TP_TMP/state"
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "
ipc = { name = \"/$TP_ID\"; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; media_ports = [30000, 30999]; media_contexts = 64; };
iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$MGCP\"]; };
li = { ne_id = \"tp-li-test\"; store = \"$TP_TMP/state/li.db\";
       x1 = { listen = \"127.0.0.1:$port\"; cert = \"$pki/x1.crt\"; key = \"$pki/x1.key\";
              client_ca = \"$pki/li-ca.crt\"; admf_id = \"admf-1\"; cctf_id = \"pcscf-1\"; };
       x2x3 = { cert = \"$pki/x2x3.crt\"; key = \"$pki/x2x3.key\"; ca = \"$pki/li-ca.crt\"; }; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" turnpike-cp 10
$C ip addr add 10.210.0.3/24 dev "$TP_IF_A" || tp_die "cannot add the second UE's address"

# x1 WHO OP INNER: WHO admf or cctf; the answer in $TP_TMP/answer
x1_as() {
  local who=$1 id=admf-1; shift
  [ "$who" = cctf ] && id=pcscf-1
  $PY "$LIB/li_admf.py" --host 127.0.0.1 --port "$port" --ca "$pki/li-ca.crt" \
    --cert "$pki/$who.crt" --key "$pki/$who.key" --admf "$id" "$@" >"$TP_TMP/answer" 2>"$TP_TMP/status"
}
acked() { x1_as "$@" && grep -q '<oK>AcknowledgedAndCompleted</oK>' "$TP_TMP/answer" ||
  { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }; }
code() { local c=$1; shift; x1_as "$@"; grep -q "<errorCode>$c</errorCode>" "$TP_TMP/answer" ||
  { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }; }

mgc() { h248_expect mgc "$1" "$2" 20; }
loc=$(h248_sdp 'c=IN IP4 $' 'm=audio $ RTP/AVP 0' 'a=rtpmap:0 PCMU/8000')
core_rem() { h248_sdp "c=IN IP4 10.211.0.2" "m=audio $1 RTP/AVP 0" 'a=rtpmap:0 PCMU/8000'; }
ue_rem() { h248_sdp "c=IN IP4 $1" "m=audio $2 RTP/AVP 0" 'a=rtpmap:0 PCMU/8000'; }
tp_check "cp registers with the MGC" mgc "wait-registered 15000" '^OK registered n=1'
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered
# call N UE UEPORT COREPORT: CTXn, An (the UE side's port), Bn (the core side's)
call() {
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local { $loc }, Remote { $(ue_rem "$2" "$3") } } } } }" \
    '^REPLY [0-9]+ ctx=[0-9]+ ' || return 1
  eval "CTX$1=$(h248_grab 'ctx=([0-9]+)') A$1=$(h248_grab 'm=audio ([0-9]+) RTP/AVP')"
  mgc "send Context = $(eval echo \$CTX$1) { Add = \$ { Media { Stream = 1 { Local { $loc }, Remote { $(core_rem "$4") } } } } }" \
    '^REPLY [0-9]+ ctx=[0-9]+ ' || return 1
  eval "B$1=$(h248_grab 'm=audio ([0-9]+) RTP/AVP')"
}
tp_check "call 1 (the UE 10.210.0.2) over Iq" call 1 10.210.0.2 40000 41000
tp_check "call 2 (the UE 10.210.0.3) over Iq" call 2 10.210.0.3 40010 41010
echo "# call 1: ContextID $CTX1, ports $A1/$B1; call 2: ContextID $CTX2, ports $A2/$B2"

XID=7a1e2c3d-4e5f-4a6b-8c7d-0123456789ab
XID_ADMF=7b1e2c3d-4e5f-4a6b-8c7d-0123456789ab
DID=d3d3d3d3-0000-4000-8000-00000000000c
DEST="<destinationDetails><dId>$DID</dId><deliveryType>X3Only</deliveryType><deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:IPv4Address>127.0.0.1</etsi280:IPv4Address></etsi280:address><etsi280:port><etsi280:TCPPort>$mfport</etsi280:TCPPort></etsi280:port></ipAddressAndPort></deliveryAddress></destinationDetails>"
trigger() {  # trigger XID CONTEXTID
  echo "<taskDetails><xId>$1</xId><targetIdentifiers><targetIdentifier><targetIdentifierExtension><Owner>3GPP</Owner><t3:IMST3TargetIdentifierExtensions xmlns:t3=\"urn:3GPP:ns:li:3GPPX1Extensions:r19:v2\"><t3:IMST3TargetIdentifierExtension><t3:H248ContextID>$2</t3:H248ContextID></t3:IMST3TargetIdentifierExtension><t3:IMST3TargetIdentifierExtension><t3:TriggerScope>Bidirectional</t3:TriggerScope></t3:IMST3TargetIdentifierExtension></t3:IMST3TargetIdentifierExtensions></targetIdentifierExtension></targetIdentifier></targetIdentifiers><deliveryType>X3Only</deliveryType><listOfDIDs><dId>$DID</dId></listOfDIDs><correlationID>7777</correlationID></taskDetails>"
}
tp_check "the ADMF: CreateDestination (X3Only, the MF)" acked admf CreateDestination "$DEST"
tp_check "the ADMF's trigger: 401 (a trigger is the CC-TF's)" code 401 admf ActivateTask "$(trigger $XID_ADMF $CTX1)"
tp_check "the CC-TF's trigger for a ContextID no call has: 100" code 100 cctf ActivateTask "$(trigger $XID 4000000000)"
tp_check "the CC-TF's trigger for call 1 (ContextID $CTX1, correlationID 7777): acknowledged" \
  acked cctf ActivateTask "$(trigger $XID $CTX1)"
tp_check "the ADMF cannot see the trigger (GetTaskDetails 301)" code 301 admf GetTaskDetails "<xId>$XID</xId>"
tp_check "... nor end it (DeactivateTask 301)" code 301 admf DeactivateTask "<xId>$XID</xId>"
sees() { x1_as cctf GetTaskDetails "<xId>$XID</xId>" && grep -q "H248ContextID>$CTX1<" "$TP_TMP/answer"; }
tp_check "the CC-TF sees it (GetTaskDetails, its ContextID)" sees

# media: both calls, both ways
media() {  # media PHASE: 40 packets each way on each call
  local pids
  $P $R 10.211.0.2 41000 10.211.0.1 "$B1" --tag 2 --peer-tag 1 --send 40 --secs 6 --linger 1 >"$TP_TMP/c1.$1" 2>&1 & pids=($!)
  $P $R 10.211.0.2 41010 10.211.0.1 "$B2" --tag 4 --peer-tag 3 --send 40 --secs 6 --linger 1 >"$TP_TMP/c2.$1" 2>&1 & pids+=($!)
  sleep 0.3
  $C $R 10.210.0.2 40000 10.210.0.1 "$A1" --tag 1 --peer-tag 2 --send 40 --first --secs 6 --linger 1 >"$TP_TMP/u1.$1" 2>&1 & pids+=($!)
  $C $R 10.210.0.3 40010 10.210.0.1 "$A2" --tag 3 --peer-tag 4 --send 40 --first --secs 6 --linger 1 >"$TP_TMP/u2.$1" 2>&1 & pids+=($!)
  wait "${pids[@]}"
}
media 1
sleep 1
decode() {  # xid|direction|srcport|dstport|format|correlation, one PDU a line
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" -T fields -E separator='|' \
    -e li5g.xid -e li5g.pd -e li5g.srcport -e li5g.dstport -e li5g.pf -e li5g.cid \
    2>/dev/null | sed 's/,[^|]*//g' >"$TP_TMP/$1.txt"
}
decode phase1
sed 's/^/# /' "$TP_TMP/phase1.txt" | head -3
n1=$(wc -l <"$TP_TMP/phase1.txt")
tp_check "the MF got call 1's RTP as X3 ($n1 PDUs)" test "$n1" -ge 40
# (tshark shows the correlation ID as 16 hex digits: 7777 is 1e61)
tp_check "... every PDU the trigger's XID, format 8, correlation ID 7777" \
  test "$(awk -F'|' -v x="$XID" '$1 != x || $5 != 8 || $6 != "0000000000001e61"' "$TP_TMP/phase1.txt" | wc -l)" = 0
tp_check "... both ways (from and to the target)" \
  test "$(cut -d'|' -f2 "$TP_TMP/phase1.txt" | sort -u | tr '\n' ' ')" = "2 3 "
tp_check "... none of call 2's (its ports $A2, $B2 nowhere)" \
  test "$(awk -F'|' -v a="$A2" -v b="$B2" '$3 == a || $4 == a || $3 == b || $4 == b' "$TP_TMP/phase1.txt" | wc -l)" = 0
tp_check "the CC-TF: DeactivateTask" acked cctf DeactivateTask "<xId>$XID</xId>"
sleep 0.5
media 2
sleep 1
decode phase2
tp_check "after DeactivateTask nothing more arrives" test "$(wc -l <"$TP_TMP/phase2.txt")" = "$n1"
# review of li.md §8 (2026-11-30): destinations are the ADMF's (H2); one
# trigger a context (M2); a trigger lives as long as its context (H1)
XID2=7c1e2c3d-4e5f-4a6b-8c7d-0123456789ab
XID3=7d1e2c3d-4e5f-4a6b-8c7d-0123456789ab
tp_check "the CC-TF cannot remove the ADMF's destination (100)" code 100 cctf RemoveDestination "<dId>$DID</dId>"
tp_check "the CC-TF's trigger for call 2 (ContextID $CTX2): acknowledged" \
  acked cctf ActivateTask "$(trigger $XID2 $CTX2)"
tp_check "... a second trigger on that context: 100" code 100 cctf ActivateTask "$(trigger $XID3 $CTX2)"
tp_check "call 2 ended (Subtract *)" mgc "send Context = $CTX2 { W-Subtract = * }" "^REPLY [0-9]+ ctx=$CTX2 "
disarmed() { x1_as cctf GetTaskDetails "<xId>$XID2</xId>" && grep -q "its context was released" "$TP_TMP/answer"; }
tp_check "... its trigger disarmed (GetTaskDetails: a fault, its context released)" tp_wait_until 5 "disarmed" disarmed
tp_check "... and ended by the CC-TF (DeactivateTask)" acked cctf DeactivateTask "<xId>$XID2</xId>"
tp_check "cp's log names no XID" bash -c "! grep -q '$XID' '$TP_CP_LOG'"
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
