#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tp-li's connection to a mediation function (issue 70 slice 8,
# docs/design/li.md §3.3, §3.4; review findings S7, S11): with
# li.x2x3.keepalive_s = 1 and timeout_s = 2, a task on the TURN user
# "test" while its client relays a datagram every 50 ms through an echoing
# peer, the test MF (lib/li_mf.py) acknowledging keepalives:
#  a. keepalives come every second with sequence numbers 0, 1, ... and are
#     acknowledged; the copies arrive (tshark), counted delivered; no fault;
#  b. the MF stops acknowledging: tp-li closes the connection
#     (li_keepalive_late) and makes it again, keepalives from 0 once more;
#  c. the MF down for 10 s: the copies counted dropped
#     (li_dropped_undelivered), the relay unaffected (no datagram lost);
#  d. the MF back: delivery resumes on a new connection;
#  e. an MF whose certificate (same CA) names another address: refused
#     (li_mf_cert_refused), nothing delivered to it;
#  f. an MF offering TLS 1.2 with a CBC suite only: no handshake;
#  g. a listener that never answers the handshake: closed after timeout_s
#     (li_timed_out);
#  h. an MF sending acknowledgements of no keepalive non-stop: closed at
#     the first (li_mf_bad_input), the relay unaffected.
# Over X1 (the delivery figures dp reports to cp, docs/design/li.md §2.4;
# the answers validated against ETSI's schemas when they are beside the
# checkout, by cp and by the test's ADMF): in a, GetTaskDetails gives
# amountOfX3Data > 0 and a timeOfLastIntercept, GetAllDetails the
# destination activeAndWorking; in c (the MF down), the destination
# deliveryFault with its drops counted, the task's X3 losses.
# Nothing in dp's or cp's log names the destination or the task.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
PY=/usr/bin/python3
LIB=$(dirname "$0")/lib
command -v tshark >/dev/null || tp_die "tshark missing (tools/bootstrap installs it)"
command -v turnutils_peer >/dev/null || tp_die "turnutils_peer missing (tools/bootstrap installs coturn)"
XSD=${LI_XSD_DIR:-${TP_SRC:-$(dirname "$0")/../..}/../shared/li-xsd}
if [ -d "$XSD" ] && $PY -c 'import xmlschema' 2>/dev/null; then
  echo "# X1 answers validated against ETSI's schemas in $XSD (cp and xmlschema)"
  VAL=(--xsd "$XSD")
else
  echo "# ETSI's schemas not at $XSD, or python3-xmlschema missing: X1 answers NOT validated"
  VAL=()
fi

pki=$TP_TMP/pki; mkdir -p "$pki"
. "$(dirname "$0")/lib/li_pki.sh"
mkca li-ca && mkcert x1 li-ca 'extendedKeyUsage=serverAuth' &&
  mkcert admf li-ca 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:admf-1' &&
  mkcert x2x3 li-ca 'extendedKeyUsage=clientAuth' &&
  mkcert mf li-ca 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1' &&
  mkcert mf-other li-ca 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.2' ||
  tp_die "openssl could not make the test certificates"

port=$((20000 + $$ % 20000)); mfport=$((port + 2))
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)
li = { ne_id = \"tp-li-test\"; store = \"$TP_TMP/state/li.db\";
       x1 = { listen = \"127.0.0.1:$port\"; cert = \"$pki/x1.crt\"; key = \"$pki/x1.key\";
              client_ca = \"$pki/li-ca.crt\"; admf_id = \"admf-1\";
              $([ ${#VAL[@]} -gt 0 ] && echo "schemas = \"$XSD\";") };
       x2x3 = { cert = \"$pki/x2x3.crt\"; key = \"$pki/x2x3.key\"; ca = \"$pki/li-ca.crt\";
                keepalive_s = 1; timeout_s = 2; }; };"
mkdir -p "$TP_TMP/state" "$TP_TMP/run" "$TP_TMP/ctl"
CTL=$TP_TMP/ctl R=$TP_TMP/run

MF_PID=
mf_start() {   # mf_start NAME CERT [li_mf.py options]: the MF, its log NAME.log
  $PY "$LIB/li_mf.py" --port "$mfport" --cert "$pki/$2.crt" --key "$pki/$2.key" \
    --ca "$pki/li-ca.crt" --pcap "$TP_TMP/$1.pcap" --ctl "$CTL" "${@:3}" \
    >"$TP_TMP/$1.log" 2>&1 &
  MF_PID=$!
  tp_need tp_wait_log "$TP_TMP/$1.log" listening "$MF_PID" li_mf.py 10
}
mf_stop() { kill "$MF_PID" 2>/dev/null; wait "$MF_PID" 2>/dev/null; MF_PID=; }
li_cleanup() { local rc=$?; kill ${MF_PID:-} ${CL_PID:-} 2>/dev/null; (exit $rc); tp_cleanup; }
trap li_cleanup EXIT

mf_start mf1 mf
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" turnpike-cp 10
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

x1() {
  $PY "$LIB/li_admf.py" --host 127.0.0.1 --port "$port" --ca "$pki/li-ca.crt" \
    --cert "$pki/admf.crt" --key "$pki/admf.key" "$@" >"$TP_TMP/answer" 2>"$TP_TMP/status" &&
    grep -q '<oK>AcknowledgedAndCompleted</oK>' "$TP_TMP/answer" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }
}
# x1q OP [INNER]: the answer in $TP_TMP/answer (validated when VAL), whatever it says
x1q() {
  $PY "$LIB/li_admf.py" --host 127.0.0.1 --port "$port" --ca "$pki/li-ca.crt" \
    --cert "$pki/admf.crt" --key "$pki/admf.key" "${VAL[@]}" "$@" >"$TP_TMP/answer" 2>"$TP_TMP/status" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }
}
# num ELEMENT: the number in the answer's first <ELEMENT> (0 when none)
num() { grep -oE "<$1>[0-9]+" "$TP_TMP/answer" | head -1 | grep -oE '[0-9]+$' || echo 0; }
x3_delivered_gt() { x1q GetTaskDetails "<xId>$XID</xId>" && [ "$(num amountOfX3Data)" -gt "$1" ]; }
task_lost() {
  x1q GetTaskDetails "<xId>$XID</xId>" &&
    grep -qE 'PDUs lost in delivery: 0 X2, [1-9][0-9]* X3' "$TP_TMP/answer"
}
dest_is() { x1q GetAllDetails && grep -q "<destinationDeliveryStatus>$1</destinationDeliveryStatus>" "$TP_TMP/answer"; }
XID=7a3c5e10-2b4d-4f6a-8c9e-0123456789ce
DID=d2d2d2d2-0000-4000-8000-00000000000c
DEST="<destinationDetails><dId>$DID</dId><deliveryType>X3Only</deliveryType><deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:IPv4Address>127.0.0.1</etsi280:IPv4Address></etsi280:address><etsi280:port><etsi280:TCPPort>$mfport</etsi280:TCPPort></etsi280:port></ipAddressAndPort></deliveryAddress></destinationDetails>"
TASK="<taskDetails><xId>$XID</xId><targetIdentifiers><targetIdentifier><nai>test@turnpike.test</nai></targetIdentifier></targetIdentifiers><deliveryType>X3Only</deliveryType><listOfDIDs><dId>$DID</dId></listOfDIDs></taskDetails>"

ip netns exec "$TP_NS_C" $PY "$LIB/li_ka_clients.py" 10.210.0.1 10.211.0.2 3480 "$R" \
  >"$TP_TMP/clients.log" 2>&1 &
CL_PID=$!
tp_need tp_wait_file "$R/ready" "$CL_PID" li_ka_clients.py 15
tp_check "CreateDestination (X3Only, the MF): acknowledged" x1 CreateDestination "$DEST"
tp_check "ActivateTask on test@turnpike.test: acknowledged" x1 ActivateTask "$TASK"
sleep 0.5

# ctr NAME: dp's li_NAME, summed over the workers (tp-li's on worker 0)
ctr() {
  tp_ctl --json status 2>/dev/null | grep -oE "\"li_$1\": *[0-9]+" | grep -oE '[0-9]+$' |
    awk '{ s += $1 } END { print s + 0 }'
}
ctr_ge() { [ "$(ctr "$1")" -ge "$2" ]; }
phase() { echo "$1" >"$R/phase"; }
# marks FILE MARK: how many PDUs of the pcap carry a datagram of phase MARK
marks() {
  tshark -r "$TP_TMP/$1.pcap" -d "tcp.port==$mfport,5gli" -T fields -e data.data 2>/dev/null |
    $PY -c 'import sys
m = ("LI-%s-" % sys.argv[1]).encode()
print(sum(1 for l in sys.stdin if m in bytes.fromhex(l.split(",")[0].strip().replace(":", ""))))' "$2"
}

# a. keepalives acknowledged, copies delivered
phase a
sleep 4
grep -E 'keepalive|connected|closed|refused' "$TP_TMP/mf1.log" | head -6 | sed 's/^/# mf: /'
tp_check "a: the MF acknowledged keepalives 0, 1, 2 (one a second)" \
  bash -c "grep -q 'keepalive 0 acked' '$TP_TMP/mf1.log' && grep -q 'keepalive 2 acked' '$TP_TMP/mf1.log'"
tp_check "a: one connection" test "$(grep -c '^connected' "$TP_TMP/mf1.log")" -eq 1
tp_check "a: the copies arrive (tshark)" test "$(marks mf1 a)" -gt 10
tp_check "a: counted delivered" ctr_ge delivered 10
tp_check "a: GetTaskDetails: amountOfX3Data > 10 (dp's figures over X1)" \
  tp_wait_until 3 amountOfX3Data x3_delivered_gt 10
tp_check "a: GetTaskDetails: a timeOfLastIntercept, no fault" bash -c \
  "grep -q '<timeOfLastIntercept>20' '$TP_TMP/answer' && grep -q '<listOfFaults></listOfFaults>' '$TP_TMP/answer'"
sed -n 's/.*\(<taskStatus>.*<\/taskStatus>\).*/# \1/p' "$TP_TMP/answer"
tp_check "a: GetAllDetails: the destination activeAndWorking" \
  tp_wait_until 3 activeAndWorking dest_is activeAndWorking
for c in keepalive_late timed_out mf_bad_input connect_failed mf_cert_refused dropped_undelivered; do
  tp_check "a: li_$c 0" test "$(ctr $c)" -eq 0
done
tp_check "a: tshark reads the keepalives (no PDU malformed or with a warning)" bash -c \
  "[ -z \"\$(tshark -r '$TP_TMP/mf1.pcap' -d 'tcp.port==$mfport,5gli' -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null)\" ]"

# b. no acknowledgement: the connection closed, made again
phase b
touch "$CTL/noack"
tp_check "b: the MF stops acknowledging: li_keepalive_late moves within 5 s" \
  tp_wait_until 5 li_keepalive_late ctr_ge keepalive_late 1
rm -f "$CTL/noack"
tp_check "b: the connection made again (a second 'connected', keepalives acknowledged)" \
  tp_wait_until 5 "a new connection" bash -c \
  "[ \$(grep -c '^connected' '$TP_TMP/mf1.log') -ge 2 ] && [ \$(grep -c 'keepalive 0 acked' '$TP_TMP/mf1.log') -ge 2 ]"
tp_check "b: the MF saw the first one closed" grep -q '^closed' "$TP_TMP/mf1.log"
sleep 1
nb=$(marks mf1 b)
tp_check "b: copies delivered on the new connection ($nb)" test "$nb" -gt 0

# c. the MF down for 10 s
mf_stop
sleep 0.2
und=$(ctr dropped_undelivered); cf=$(ctr connect_failed)
phase c
sleep 10
und2=$(ctr dropped_undelivered); cf2=$(ctr connect_failed)
tp_check "c: MF down 10 s: the copies counted dropped ($und -> $und2)" test "$und2" -ge $((und + 100))
tp_check "c: reconnections tried and failed ($cf -> $cf2)" test "$cf2" -ge $((cf + 5))
tp_check "c: GetAllDetails: the destination deliveryFault" dest_is deliveryFault
sed -n 's/.*\(<destinationStatus>.*<\/destinationStatus>\).*/# \1/p' "$TP_TMP/answer"
tp_check "c: its fault says why (400), its drops counted (200)" bash -c \
  "grep -qE '<errorCode>400</errorCode><errorDescription>(connection failed|connecting)' '$TP_TMP/answer' &&
   grep -qE 'PDUs dropped: [1-9][0-9]* not connected' '$TP_TMP/answer'"
tp_check "c: GetTaskDetails: the task's X3 losses (200)" task_lost
sed -n 's/.*\(<taskStatus>.*<\/taskStatus>\).*/# \1/p' "$TP_TMP/answer"

# d. back: delivery resumes (the phase changed first: no copy of c can
# reach it)
phase d
mf_start mf2 mf
sleep 3
tp_check "d: the MF back: a connection, keepalives acknowledged" \
  bash -c "grep -q '^connected' '$TP_TMP/mf2.log' && grep -q 'keepalive 0 acked' '$TP_TMP/mf2.log'"
nd=$(marks mf2 d)
tp_check "d: delivery resumes ($nd copies)" test "$nd" -gt 10
tp_check "d: nothing of the phase it missed arrives late" test "$(marks mf2 c)" -eq 0

# e. a certificate for another address
mf_stop
mf_start mf3 mf-other
ref=$(ctr mf_cert_refused)
phase e
tp_check "e: an MF certified for 127.0.0.2 at 127.0.0.1: refused (li_mf_cert_refused)" \
  tp_wait_until 5 li_mf_cert_refused ctr_ge mf_cert_refused $((ref + 1))
sleep 1
tp_check "e: nothing delivered to it" test "$(marks mf3 e)" -eq 0
tp_check "e: it never had a connection" bash -c "! grep -q '^connected' '$TP_TMP/mf3.log'"

# f. TLS 1.2 with a CBC suite only
mf_stop
mf_start mf4 mf --tls12-ciphers ECDHE-ECDSA-AES128-SHA
cf=$(ctr connect_failed)
phase f
tp_check "f: an MF offering TLS 1.2 CBC only: no handshake (li_connect_failed moves)" \
  tp_wait_until 5 li_connect_failed ctr_ge connect_failed $((cf + 1))
tp_check "f: it never had a connection" bash -c "! grep -q '^connected' '$TP_TMP/mf4.log'"
grep -m2 refused "$TP_TMP/mf4.log" | sed 's/^/# mf: /'
mf_stop

# g. a listener that never answers the handshake
$PY -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); print("listening", flush=True)
held = []
while True:
    held.append(s.accept()[0])' "$mfport" >"$TP_TMP/silent.log" 2>&1 &
MF_PID=$!
tp_need tp_wait_log "$TP_TMP/silent.log" listening "$MF_PID" silent-listener 10
to=$(ctr timed_out)
phase g
tp_check "g: a handshake not done in li.x2x3.timeout_s: closed (li_timed_out moves)" \
  tp_wait_until 5 li_timed_out ctr_ge timed_out $((to + 1))
mf_stop

# h. an MF sending non-stop what it has no business sending
mf_start mf5 mf --chatty
bad=$(ctr mf_bad_input)
phase h
tp_check "h: an MF sending acknowledgements of no keepalive non-stop: closed (li_mf_bad_input)" \
  tp_wait_until 5 li_mf_bad_input ctr_ge mf_bad_input $((bad + 1))
sleep 2
grep -m2 -E 'chatted|connected' "$TP_TMP/mf5.log" | sed 's/^/# mf: /'
tp_check "h: each connection it had was closed by tp-li" grep -q '^chatted' "$TP_TMP/mf5.log"
mf_stop

touch "$R/stop"
tp_need tp_wait_file "$R/done" "$CL_PID" li_ka_clients.py 10
sed 's/^/# client: /' "$TP_TMP/clients.log"
for p in a b c d e f g h; do
  tp_check "phase $p: the relay lost nothing" grep -qE "^$p sent=[1-9][0-9]* lost=0$" "$TP_TMP/clients.log"
done
for s in "127.0.0.1:$mfport" "$XID" "$DID" "PDUs"; do
  tp_check "dp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_DP_LOG'"
  tp_check "cp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_CP_LOG'"
done
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
