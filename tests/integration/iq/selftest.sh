#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The test MGC (tp_mgc.erl) against its own stand-in gateway role, on
# 127.0.0.1 with free ports, so that the MGC is known to work before it
# drives turnpike-cp (test_iq.sh). Over UDP, then TCP:
#   registration (ServiceChange Restart, answered), Add with SDP and
#   CHOOSE (the gateway's port and fingerprint read back), Modify, an
#   error reply (411 on an unknown context), Notify from the gateway
#   (printed, answered, waited for), audit of ROOT, Subtract with
#   statistics, an unsolicited reply to raw bytes (UNEXPECTED), the
#   gateway restarting (a second registration, then requests reach the
#   new one), a gateway gone (TIMEOUT in the time asked).
# With tshark present (and the right to capture on lo), the UDP part is
# captured and every message must decode as H.248 without a malformed
# mark. No root needed otherwise; nothing outside /tmp is touched.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TP_FAILS=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; TP_FAILS=$((TP_FAILS + 1)); }
check()  { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
die()    { echo "Bail out! $*"; exit 1; }

# Without Erlang's megaco there is nothing to test: skipped (77), as
# tools/bootstrap installs it.
command -v erlc >/dev/null && erl -noshell -eval \
  'halt(case code:which(megaco) of non_existing -> 1; _ -> 0 end)' ||
  { echo "# skip: erlang-base and erlang-megaco are not installed"; exit 77; }
H248_DIR=$(mktemp -d /tmp/tp-mgc-self.XXXXXX)
. "$HERE/h248.sh"
CAP_PID=
cleanup() {
  local n
  for n in mgc mg mg2 tmgc tmg; do
    local p=H248_PID_$n
    [ -n "${!p:-}" ] && kill "${!p}" 2>/dev/null
  done
  [ -n "$CAP_PID" ] && kill "$CAP_PID" 2>/dev/null
  wait 2>/dev/null
  if [ "$TP_FAILS" -ne 0 ]; then
    for f in "$H248_DIR"/*.log "$H248_DIR"/*.events; do
      [ -s "$f" ] && { echo "# --- $f"; tail -n 20 "$f" | sed 's/^/# /'; }
    done
  fi
  [ -n "${KEEP:-}" ] && echo "# kept $H248_DIR" || rm -rf "$H248_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start=$SECONDS

free_port() {   # a port free for both UDP and TCP on 127.0.0.1
  python3 -c '
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass'
}
P=$(free_port); MGP=$(free_port); TP=$(free_port)
[ "$P" != "$MGP" ] || MGP=$(free_port)

# ---- capture (optional) ------------------------------------------------------
PCAP=$H248_DIR/self.pcap
if command -v tshark >/dev/null && [ -z "${NO_CAPTURE:-}" ]; then
  BADP=$(free_port)
  tshark -q -i lo -f "udp port $P or udp port $BADP or tcp port $TP" -w "$PCAP" >"$H248_DIR/tshark.log" 2>&1 &
  CAP_PID=$!
  for i in $(seq 50); do grep -q 'Capturing on' "$H248_DIR/tshark.log" && break; sleep 0.1; done
  grep -q 'Capturing on' "$H248_DIR/tshark.log" ||
    { echo "# no capture: $(head -n 1 "$H248_DIR/tshark.log")"; kill $CAP_PID; CAP_PID=; }
fi

# The SDP of a TCP bearer with end-to-access-edge TLS, as the IMS-ALG
# writes it (TS 29.334): the UE's side is Remote, our port is CHOOSE.
ADD='Context = $ { Add = $ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local {\nv=0\r\nc=IN IP4 $\r\nm=message $ TCP/TLS/MSRP *\r\na=setup:passive\r\n}, Remote {\nv=0\r\nc=IN IP4 192.0.2.7\r\nm=message 5060 TCP/TLS/MSRP *\r\na=setup:active\r\na=fingerprint:sha-256 11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00\r\n} } } } }'

# ---- UDP ---------------------------------------------------------------------
# The VMs start side by side (a second each on a loaded machine): the
# gateway resends its ServiceChange until the MGC is there, and the TCP
# part's MGC is ready when its turn comes.
check "compiled" h248_build
h248_spawn mgc --listen 127.0.0.1:$P --timeout 3000
h248_spawn mg --mg --mgc 127.0.0.1:$P --listen 127.0.0.1:$MGP --mid "[127.0.0.1]:$MGP"
h248_spawn tmgc --listen 127.0.0.1:$TP --tcp-only --compact --timeout 3000
check "MGC listens on UDP 127.0.0.1:$P" h248_ready mgc
echo "# $H248_LINE"
check "stand-in gateway starts" h248_ready mg
check "gateway: its ServiceChange is answered" h248_read mg 10
[[ $H248_LINE =~ ^REPLY\ [0-9]+\ ctx=-\ .*ServiceChange ]] || not_ok "gateway's registration answer: $H248_LINE"
check "MGC: wait-registered" h248_expect mgc "wait-registered 5000" \
  "^OK registered n=1 peer=\[127\.0\.0\.1\]:$MGP method=restart reason=901 version=3"

check "Add with SDP, CHOOSE context and port: REPLY, context and port chosen, fingerprint for TLS" \
  h248_expect mgc "send $ADD" \
  '^REPLY [0-9]+ ctx=1 Context = 1 \{ Add = tp/1 \{ Media \{ Stream = 1 \{ Local \{ v=0\\r\\nc=IN IP4 127\.0\.0\.1\\r\\nm=message 4000[0-9] TCP/TLS/MSRP \*\\r\\na=fingerprint:sha-256 01:02:[0-9A-F:]+\\r\\na=setup:passive\\r\\n \} \} \} \} \}$'
echo "# $H248_LINE"
FP=$(printf '%02X:' $(seq 32)); FP=${FP%:}   # the stand-in's made-up one
check "h248_grab reads the gateway's port and fingerprint from the reply" \
  test "$(h248_grab 'm=message ([0-9]+) ')" -ge 40000 -a \
       "$(h248_grab 'a=fingerprint:sha-256 ([0-9A-F:]+)\\r')" = "$FP"
check "Modify the termination: REPLY" \
  h248_expect mgc 'send Context = 1 { Modify = tp/1 { Media { Stream = 1 { Remote {\nv=0\r\nc=IN IP4 192.0.2.7\r\nm=message 5061 TCP/TLS/MSRP *\r\n} } } } }' \
  '^REPLY [0-9]+ ctx=1 Context = 1 \{ Modify = tp/1 \}$'
check "an unknown context: ERROR 411" \
  h248_expect mgc 'send Context = 99 { Modify = tp/1 }' '^ERROR [0-9]+ 411 Context = 99 \{ Error = 411 \{ "unknown context" \} \}$'
check "a command the stand-in lacks: ERROR 501" \
  h248_expect mgc 'send Context = 1 { Move = tp/1 }' '^ERROR [0-9]+ 501 '
check "text that does not parse is refused before sending: BAD syntax" \
  h248_expect mgc 'send Context = 1 { Add = }' '^BAD syntax '
check "gateway: Notify sent, answered" \
  h248_expect mg 'send Context = 1 { Notify = tp/1 { ObservedEvents = 1 { 20260101T00000000:g/cause { Generalcause = NR, Failurecause = "tls closed" } } } }' \
  '^REPLY [0-9]+ ctx=1 Context = 1 \{ Notify = tp/1 \}$'
check "MGC: wait-notify gives the Notify's text" \
  h248_expect mgc "wait-notify 3000" '^OK notify n=1 Context = 1 \{ Notify = tp/1 \{ ObservedEvents = 1 \{ 20260101T00000000:g/cause \{ generalcause=nr, failurecause="tls closed" \} \} \} \}$'
check "MGC: the Notify was printed as an event line too" \
  grep -q '^NOTIFY n=1 Context = 1 { Notify = tp/1' "$H248_DIR/mgc.events"
check "MGC: a second wait-notify times out (each Notify is waited for once)" \
  h248_expect mgc "wait-notify 300" '^TIMEOUT wait-notify n=2 have=1$'
check "MGC: told to refuse Notify" h248_expect mgc "notify-error 403" '^OK notify-error=403$'
check "gateway: its Notify gets that error" \
  h248_expect mg 'send Context = 1 { Notify = tp/1 { ObservedEvents = 1 { 20260101T00000001:g/cause { Generalcause = NR } } } }' \
  '^ERROR [0-9]+ 403 Error = 403 \{ "test MGC told to refuse Notify" \}$'
check "MGC: Notifies answered normally again" h248_expect mgc "notify-error off" '^OK notify-error=off$'
check "MGC: the refused Notify was seen" h248_expect mgc "wait-notify 1000" '^OK notify n=2 '
check "audit-root: REPLY" h248_expect mgc "audit-root" '^REPLY [0-9]+ ctx=- Context = - \{ AuditValue = root'
check "Subtract: REPLY with statistics" \
  h248_expect mgc 'send Context = 1 { Subtract = tp/1 { Audit { Statistics } } }' \
  '^REPLY [0-9]+ ctx=1 Context = 1 \{ Subtract = tp/1 \{ Statistics \{ nt/os = 0, nt/or = 0 \} \} \}$'
check "the context is gone with its last termination: ERROR 411" \
  h248_expect mgc 'send Context = 1 { Subtract = tp/1 }' '^ERROR [0-9]+ 411 '
check "raw bytes sent as they are" \
  h248_expect mgc "raw MEGACO/3 [127.0.0.1]:$P\nTransaction = 4000000 { Context = - { AuditValue = ROOT { Audit { } } } }" \
  '^OK sent bytes=[0-9]+$'
check "... and the reply to a transaction megaco did not send arrives as UNEXPECTED" \
  h248_expect mgc "wait-unexpected 3000" '^OK unexpected n=1 Reply = 4000000 \{ Context = - \{ AuditValue = root'
check "status counts" h248_expect mgc status \
  "^OK status peer=\[127\.0\.0\.1\]:$MGP registered=1 notify=2 disconnected=0 unexpected=1 "

# The gateway restarts: same MID, another port, its contexts forgotten,
# transaction ids from elsewhere (from 1 again, megaco would answer the
# ServiceChange with the reply it keeps, unseen here).
h248_kill mg
MGP2=$(free_port)
check "a restarted gateway registers again" \
  h248_start mg2 --mg --mgc 127.0.0.1:$P --listen 127.0.0.1:$MGP2 --mid "[127.0.0.1]:$MGP" \
    --port-base 41000 --first-tid 1000
h248_read mg2 10
check "MGC: wait-registered sees the second registration" \
  h248_expect mgc "wait-registered 5000" '^OK registered n=2 peer='
check "requests reach the restarted gateway, at its new port" \
  h248_expect mgc "send $ADD" '^REPLY [0-9]+ ctx=1 Context = 1 \{ Add = tp/1 .*m=message 4100[0-9] '

# The gateway gone: the request is retransmitted, then given up.
h248_kill mg2
check "timeout set" h248_expect mgc "timeout 1500" "^OK timeout=1500$"
t0=$SECONDS
check "no gateway: TIMEOUT" h248_expect mgc "send Context = 1 { Modify = tp/1 }" '^TIMEOUT [0-9]+ ' 15
check "... within the timeout given (1.5 s, plus a second)" test $((SECONDS - t0)) -le 2
h248_stop mgc

# ---- TCP ---------------------------------------------------------------------
check "MGC listens on TCP 127.0.0.1:$TP (compact text)" h248_ready tmgc
check "gateway over TCP registers" h248_start tmg --mg --tcp-only --mgc 127.0.0.1:$TP
h248_read tmg 10
check "MGC (TCP): wait-registered" h248_expect tmgc "wait-registered 5000" '^OK registered n=1 '
check "MGC (TCP): Add" h248_expect tmgc "send $ADD" '^REPLY [0-9]+ ctx=1 Context = 1 \{ Add = tp/1 .*m=message 4000[0-9] TCP/TLS/MSRP'
check "gateway (TCP): Notify" h248_expect tmg 'send Context = 1 { Notify = tp/1 { ObservedEvents = 2 { 20260101T00000000:g/cause { Generalcause = NR } } } }' '^REPLY '
check "MGC (TCP): wait-notify" h248_expect tmgc "wait-notify 3000" '^OK notify n=1 '
h248_kill tmg
check "MGC (TCP): the gateway's connection closing is an event" \
  h248_expect tmgc "wait-disconnected 3000" '^OK disconnected n=1 '
h248_stop tmgc

# For the check below to show it can fail: what tshark must flag, on
# another port of the same capture.
[ -n "$CAP_PID" ] && python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for m in [b"MEGACO/3 [127.0.0.1]:1\nTransaction = 6 { Context = - { Add = ",
          b"MEGACO/3 [127.0.0.1]:1\nTransaction = 7 { Context = 1 { Add = tp/1 { Media { Stream = 1 { Local { v=0\r\nno equals sign\r\n } } } } } }",
          b"hello"]:
    s.sendto(m, ("127.0.0.1", int(sys.argv[1])))' "$BADP"
[ -n "$CAP_PID" ] && { sleep 0.3; kill "$CAP_PID"; wait "$CAP_PID" 2>/dev/null; CAP_PID=; }

# ---- tshark's reading of both parts ------------------------------------------
if [ -s "$PCAP" ]; then
  h248_pcap_check "$PCAP" "$P" >"$H248_DIR/pcap.txt"
  rc=$?
  sed 's/^/# /' "$H248_DIR/pcap.txt"
  check "tshark decodes every UDP message as H.248, none malformed" test $rc -eq 0
  check "tshark sees Add, Modify, Subtract, Notify, AuditValue, ServiceChange" \
    bash -c 'for c in Add Modify Subtract Notify AuditValue ServiceChange; do
               grep -qi "$c" "$1" || { echo "# missing $c"; exit 1; }; done' _ "$H248_DIR/pcap.txt"
  h248_pcap_check "$PCAP" "$TP" tcp >"$H248_DIR/pcaptcp.txt"
  rc=$?
  sed 's/^/# /' "$H248_DIR/pcaptcp.txt"
  check "tshark decodes every TCP message (TPKT, compact text) as H.248, none malformed" test $rc -eq 0
  h248_pcap_check "$PCAP" "$BADP" >"$H248_DIR/pcapbad.txt"
  rc=$?
  check "the same check fails on a truncated message, an SDP line without '=', plain text" \
    test $rc -ne 0 -a "$(grep -c '^# \(malformed\|neither\)' "$H248_DIR/pcapbad.txt")" -eq 3
else
  echo "# tshark capture skipped"
fi

echo "# selftest took $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
