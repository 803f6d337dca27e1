#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Iq: an IMS-ALG drives the access gateway over H.248 (cp/iq). The
# controller is Erlang/OTP's megaco (tests/integration/iq/tp_mgc.erl), a
# complete H.248 stack no one here wrote, on the host's loopback beside
# turnpike-cp; the legs' far ends are the kernel's TCP (Python, and
# Python's OpenSSL for TLS) in the clients' namespace (the UE, 10.210.0.2)
# and the peers' (the IMS core, 10.211.0.2), as in test_agw.sh.
#   A. cp registers (ServiceChange Restart, 901 Cold Boot, version 3) and
#      answers the controller's empty AuditValue on ROOT.
#   B. A context made one termination at a time: Add of a TLS termination
#      towards the UE (its a=setup:active makes us passive, the TLS
#      server; its fingerprint signalled) with Local's `$` filled in the
#      reply (our address, port, a=setup, our certificate's fingerprint),
#      Add of a plain one towards the core (we connect): AGW_MB MB each
#      way byte-exact, the UE seeing the certificate whose fingerprint the
#      reply carried; the same context in `turnpikectl agw list` and its
#      events; released by the ends' FIN: a Notify g/cause (NR) for each.
#   C. Both TCP roles the other way round (we connect to the UE, the core
#      connects to us), TLS client towards the UE: bytes through.
#   C2. TLS on both legs (the UE's server, the core's client, each
#      peer's certificate signalled): bytes through, both ends told.
#   D. Modify: a waiting server termination's Remote changed, the first
#      address refused, the new one taken; Subtract of one termination
#      with its statistics (octets each way), the other held; W-Subtract=*
#      ends the context.
#   D2. H.248.43 gm on a server termination: gm/saf, gm/sam bind it
#      (a connection from elsewhere refused), a Modify of the gate alone
#      with gm/spf, gm/spr; 449 and 472 for what cannot be. ipnapt/latch
#      on a plain one keeps Remote's address (a connection from another
#      refused), any port of it taking the leg.
#   E. A wrong fingerprint: the UE's handshake is refused, Notify g/cause
#      FP with tls_handshake; errors with their H.248.8 codes: an unknown
#      context (411), Move (443), an unknown package (440), a Remote
#      that points back inside (449: agw.peers), SDP without
#      m= (472), RTP, not TCP (515); each counted in `turnpikectl status`.
#   F. cp restarted while a context holds both legs: it registers again
#      (902 Warm Boot), the context has the same ContextID, its bytes
#      still flow, and its end is told (the Events dp kept for cp).
#   G. More causes told: connect_failed, rst. The controller restarted:
#      it refuses our next Notify (504), cp registers with it again
#      (Disconnected) and a waiting context answers under its ContextID;
#      a termination not in it is 435.
#      tshark's H.248 dissector reads every message of the run so far,
#      ours and megaco's, with no malformed mark.
#   H. Iq over TCP (TPKT): cp restarted on it with no controller up: a
#      leg's end waits to be told, and is once cp registers; audits and
#      W-Subtract work.
#   I. dp restarted: the context it held is told released (dp_restart).
#   J. H.248.36 hangterm: timerx and thb give a heartbeat Notify a
#      period; Events without thb stop them; bad values 449, 445.
#   K. H.248.14's inactivity timer on ROOT (its Notify, then off), a
#      request repeated with one id (the same reply, run once), 80
#      requests past iq.max_rate (20 a second here: the excess 511,
#      counted).
#   Malformed messages: 403 for a transaction that does not parse,
#      400 for a message that does not, both counted.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
start=$SECONDS
h248_require_megaco
MB=${AGW_MB:-2}
N=$((MB * 1000000))
S="python3 $HERE/lib/agw_stream.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
H248_DIR=$TP_TMP

tp_mkcert dp ue other
fp() { tp_certfp "$1"; }
fphex() { openssl x509 -in "$TP_TMP/$1.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f; }
shaof() { python3 -c "import hashlib,random,sys; print(hashlib.sha256(random.Random(int(sys.argv[1])).randbytes(int(sys.argv[2]))).hexdigest())" "$@"; }
SHA1=$(shaof 1 "$N"); SHA2=$(shaof 2 "$N")
# counted CODE...: status says cp sent an H.248 error of each code
counted() {
  python3 -c 'import json,sys; c=json.loads(sys.argv[1])["iq"]["errors_sent_by_code"]; sys.exit(0 if all(c.get(k,0)>=1 for k in sys.argv[2:]) else 1)' \
    "$(tp_ctl --json status)" "$@"
}
# jt FILE EXPR: the python expression over the JSON in FILE is true
jt() { [ "$(j "$1" "$2")" = True ]; }

# the controller on loopback, cp's Iq beside it
base=$((40000 + ($$ % 5000) * 2))   # (the metrics endpoint takes 20000-39999 by pid)
MGCP=$base; IQP=$((base + 1))
tshark -q -i lo -f "udp port $MGCP" -w "$TP_TMP/iq.pcap" >"$TP_TMP/tshark.log" 2>&1 &
TSHARK=$!
h248_start mgc --listen 127.0.0.1:$MGCP --timeout 5000 || tp_die "the MGC did not start: $H248_LINE"
trap 'rc=$?; h248_kill mgc 2>/dev/null; kill $TSHARK 2>/dev/null; (exit $rc); tp_cleanup' EXIT
tp_need tp_wait_log "$TP_TMP/tshark.log" 'Capturing on' "$TSHARK" "tshark on lo" 20

maddr=127.0.0.1:$((20000 + $$ % 20000))
TP_MBUFS=16383 tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"$maddr\"; };
tls = { certificate = \"$TP_TMP/dp.pem\"; private_key = \"$TP_TMP/dp.key\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 90; };
iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$MGCP\"]; max_rate = 20; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

# mgc CMD ERE: one command, its answer matching ERE
mgc() { h248_expect mgc "$1" "$2" 20; }
# SDP lines (the MGC's escapes: \r \n)
sdp() { h248_sdp "$@"; }
UE=10.210.0.2; CORE=10.211.0.2
# Add ACTION_CTX LOCAL REMOTE: one termination, g/cause asked for
add() {
  mgc "send Context = $1 { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local { $2 }, Remote { $3 } } }, Events = 7 { g/cause } } }" \
    '^REPLY [0-9]+ ctx=[0-9]+ '
}
# after add: the context, termination, our port and fingerprint
grab_add() {
  CTX=$(h248_grab 'ctx=([0-9]+)'); TERM=$(h248_grab 'Add = ([^ ]+) ')
  PORT=$(h248_grab 'm=message ([0-9]+) ') || PORT=
  OURFP=$(h248_grab 'a=fingerprint:([^\\]+)\\r') || OURFP=
}
ue_tls_local=$(sdp 'c=IN IP4 $' 'm=message $ TCP/TLS/MSRP *' 'a=setup:passive')
ue_tls_remote() { sdp "c=IN IP4 $UE" 'm=message 9 TCP/TLS/MSRP *' 'a=setup:active' "a=fingerprint:$(fp "${1:-ue}")"; }
core_local=$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *' 'a=setup:active')
core_remote() { sdp "c=IN IP4 $CORE" "m=message $1 TCP/MSRP *" 'a=setup:passive'; }

# ---- A. registration ----------------------------------------------------------
echo "# [$((SECONDS - start)) s] section A"
tp_check "cp registers with the controller: ServiceChange Restart, 901 Cold Boot, version 3" \
  mgc "wait-registered 15000" '^OK registered n=1 peer=[^ ]+ method=restart reason=901.* version=3'
# (a request that overtakes the controller's reply to our ServiceChange is
# answered 505, as H.248.1 §11.2 says: cp has the reply first)
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered
tp_check "... and answers its empty AuditValue on ROOT" mgc audit-root '^REPLY [0-9]+ ctx=- .*AuditValue = root'

# ---- B. one termination at a time, TLS towards the UE, plain to the core --------
echo "# [$((SECONDS - start)) s] section B"
rm -f "$TP_TMP/ready"
$P $S listen $CORE 5000 --bytes "$N" --seed 2 --timeout 60 --ready "$TP_TMP/ready" >"$TP_TMP/b.peer" 2>&1 &
ppid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
tp_check "Add of a TLS termination towards the UE into Context \$: a context is made" \
  add '$' "$ue_tls_local" "$(ue_tls_remote)"
grab_add; CTXB=$CTX; TB1=$TERM; PORTB=$PORT
echo "#   context $CTXB, termination $TB1, our port $PORTB, our $OURFP"
tp_check "... its reply's Local has our address, port, a=setup:passive and our fingerprint" \
  bash -c '[[ $1 =~ c=IN\ IP4\ 10\.210\.0\.1\\r ]] && [[ $1 =~ a=setup:passive ]] && [ -n "$2" ] && [ "$3" = "$4" ]' _ \
  "$H248_LINE" "$PORTB" "$OURFP" "$(fp dp)"
tp_check "Add of a plain termination towards the core into that context (we connect)" \
  add "$CTXB" "$core_local" "$(core_remote 5000)"
grab_add; TB2=$TERM
tp_check "... the reply says a=setup:active" bash -c '[[ $1 =~ a=setup:active ]]' _ "$H248_LINE"
listed() {
  tp_ctl --json agw list | python3 -c 'import json,sys
d = json.load(sys.stdin)
cs = d["contexts"] if isinstance(d, dict) else d
sys.exit(0 if any(c.get("door") == "iq" and c.get("h248", {}).get("context") == int(sys.argv[1])
                  and c["h248"]["terminations"] == [sys.argv[2], sys.argv[3]] for c in cs) else 1)' "$CTXB" "$TB1" "$TB2" &&
    tp_ctl agw list | grep -q "door iq (H.248 context $CTXB: $TB1, $TB2)"
}
tp_check "the context is the operator's to see: turnpikectl agw list, under its H.248 names" listed
$C $S connect 10.210.0.1 "$PORTB" --bytes "$N" --seed 1 --timeout 60 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/b.ue" 2>&1
wait $ppid
echo "#   ue:   $(cut -c1-200 "$TP_TMP/b.ue")"
echo "#   peer: $(cut -c1-200 "$TP_TMP/b.peer")"
bytes_b() {
  jt "$TP_TMP/b.ue" "d['recv_sha']=='$SHA2' and d['sent']==$N and d['peer_fp']=='$(fphex dp)'" &&
    jt "$TP_TMP/b.peer" "d['recv_sha']=='$SHA1' and d['sent']==$N"
}
tp_check "$MB MB each way byte-exact through the context, the UE saw the fingerprint the reply gave" bytes_b
tp_check "released by the ends' FIN: Notify g/cause Generalcause NR for the first termination" \
  mgc "wait-notify 10000" "^OK notify n=1 .*Context = $CTXB .*g/cause.*generalcause *= *nr"
tp_check "... and for the second" mgc "wait-notify 10000" "^OK notify n=2 .*Context = $CTXB .*g/cause"
tp_check "... the context is gone: Modify on it is 411" \
  mgc "send Context = $CTXB { Modify = $TB1 { Events = 8 { g/cause } } }" '^ERROR [0-9]+ 411 '

echo "# A-B done in $((SECONDS - start)) s"

# ---- C. the roles the other way round: we connect to the UE (TLS client) ------------
echo "# [$((SECONDS - start)) s] section C"
rm -f "$TP_TMP/ready"
$C $S listen $UE 5100 --bytes 300000 --seed 1 --timeout 30 --ready "$TP_TMP/ready" \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" --tls-role server --tls-ca "$TP_TMP/dp.pem" \
  --close-when-received >"$TP_TMP/c.ue" 2>&1 &
upid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
tp_check "Add of a TLS termination we open to the UE (its a=setup:passive: we are the TLS client)" \
  add '$' "$(sdp 'c=IN IP4 $' 'm=message $ TCP/TLS/MSRP *')" \
  "$(sdp "c=IN IP4 $UE" 'm=message 5100 TCP/TLS/MSRP *' 'a=setup:passive' "a=fingerprint:$(fp ue)")"
grab_add; CTXC=$CTX
tp_check "... the reply says a=setup:active and port 9 (RFC 4145)" \
  bash -c '[[ $1 =~ a=setup:active ]] && [[ $1 =~ m=message\ 9\  ]]' _ "$H248_LINE"
tp_check "Add of a plain termination the core connects to (its a=setup:active)" \
  add "$CTXC" "$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *')" \
  "$(sdp "c=IN IP4 $CORE" 'm=message 9 TCP/MSRP *' 'a=setup:active')"
grab_add; PORTC=$PORT
$P $S connect 10.211.0.1 "$PORTC" --bytes 300000 --seed 2 --timeout 30 >"$TP_TMP/c.peer" 2>&1
wait $upid
echo "#   ue:   $(cut -c1-200 "$TP_TMP/c.ue")"
echo "#   peer: $(cut -c1-200 "$TP_TMP/c.peer")"
bytes_c() {
  jt "$TP_TMP/c.ue" "d['recv_sha']=='$(shaof 2 300000)' and d['peer_fp']=='$(fphex dp)'" &&
    jt "$TP_TMP/c.peer" "d['recv_sha']=='$(shaof 1 300000)'"
}
tp_check "300 kB each way byte-exact, the UE (a TLS server) saw our certificate" bytes_c
tp_check "... Notify of both terminations' ends" mgc "wait-notify 10000 4" "^OK notify n=4 .*Context = $CTXC "

# ---- C2. TLS on both legs: the UE's (we are its server), the core's (we are its client)
echo "# [$((SECONDS - start)) s] section C2"
rm -f "$TP_TMP/ready"
$P $S listen $CORE 5150 --bytes 200000 --seed 2 --timeout 30 --ready "$TP_TMP/ready" \
  --tls-cert "$TP_TMP/other.pem" --tls-key "$TP_TMP/other.key" --tls-role server --tls-ca "$TP_TMP/dp.pem" \
  --close-when-received >"$TP_TMP/c2.peer" 2>&1 &
c2pid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
add '$' "$ue_tls_local" "$(ue_tls_remote)"; grab_add; CTXT=$CTX; PORTT=$PORT
tp_check "TLS to TLS: Add of a TLS termination towards the core (we connect, its certificate signalled)" \
  add "$CTXT" "$(sdp 'c=IN IP4 $' 'm=message $ TCP/TLS/MSRP *' 'a=setup:active')" \
  "$(sdp "c=IN IP4 $CORE" 'm=message 5150 TCP/TLS/MSRP *' 'a=setup:passive' "a=fingerprint:$(fp other)")"
$C $S connect 10.210.0.1 "$PORTT" --bytes 200000 --seed 1 --timeout 30 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/c2.ue" 2>&1
wait $c2pid
bytes_t() {
  jt "$TP_TMP/c2.ue" "d['recv_sha']=='$(shaof 2 200000)' and d['peer_fp']=='$(fphex dp)'" &&
    jt "$TP_TMP/c2.peer" "d['recv_sha']=='$(shaof 1 200000)' and d['peer_fp']=='$(fphex dp)'"
}
tp_check "... 200 kB each way byte-exact, TLS on both legs, each end saw our certificate" bytes_t
t_told() {
  local i cn=0
  for i in 1 2; do
    mgc "wait-notify 10000" "^OK notify n=[0-9]+ .*Context = $CTXT .*g/cause.*generalcause *= *nr" || return 1
    [[ $H248_LINE =~ failurecause\ *=\ *\"?close_notify ]] && cn=1
  done
  [ "$cn" = 1 ]
}
tp_check "... Notify of both terminations' ends, NR, the core's TLS close_notify among them" t_told

# ---- D. Modify, Subtract with statistics, W-Subtract ------------------------------
echo "# [$((SECONDS - start)) s] section D"
tp_check "Add of a plain server termination bound to the UE at 10.210.0.9 (not where it is)" \
  add '$' "$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *')" \
  "$(sdp "c=IN IP4 10.210.0.9" 'm=message 9 TCP/MSRP *' 'a=setup:active')"
grab_add; CTXD=$CTX; TD1=$TERM; PORTD=$PORT
tp_check "... a connection from 10.210.0.2 is refused" \
  bash -c '! $1 python3 -c "import socket,sys; s=socket.create_connection((\"10.210.0.1\",int(sys.argv[1])),2); s.settimeout(2); sys.exit(0 if s.recv(1) else 1)" "$2" 2>/dev/null' _ "$C" "$PORTD"
tp_check "Modify of its Remote to the UE's real address" \
  mgc "send Context = $CTXD { Modify = $TD1 { Media { Stream = 1 { Remote { $(sdp "c=IN IP4 $UE" 'm=message 9 TCP/MSRP *' 'a=setup:active') } } } } }" \
  "^REPLY [0-9]+ ctx=$CTXD "
rm -f "$TP_TMP/ready"
$P $S listen $CORE 5300 --bytes 200000 --seed 2 --timeout 30 --ready "$TP_TMP/ready" --hold >"$TP_TMP/d.peer" 2>&1 &
dpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
tp_check "Add of the core's termination" add "$CTXD" "$core_local" "$(core_remote 5300)"
grab_add; TD2=$TERM
$C $S connect 10.210.0.1 "$PORTD" --bytes 100000 --seed 1 --timeout 30 --hold >"$TP_TMP/d.ue" 2>&1 &
uepid=$!
sleep 2
tp_check "Subtract of the UE's termination: its statistics, octets each way" \
  mgc "send Context = $CTXD { Subtract = $TD1 }" "^REPLY [0-9]+ ctx=$CTXD .*Statistics.*nt/or *= *100000.*nt/os *= *200000"
tp_check "W-Subtract=* ends the context, both legs' statistics" \
  mgc "send Context = $CTXD { W-Subtract = * }" "^REPLY [0-9]+ ctx=$CTXD .*Subtract"
kill $uepid $dpid 2>/dev/null; wait $uepid $dpid 2>/dev/null

# ---- D2. H.248.43 gm: the gate on the source of what connects to us ------------------
plain_local=$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *')
ue_active=$(sdp "c=IN IP4 $UE" 'm=message 9 TCP/MSRP *' 'a=setup:active')
tp_check "Add with gm/saf ON, gm/sam 10.210.0.9: the gate, not Remote's c=, says who may connect" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive, gm/saf = ON, gm/sam = 10.210.0.9 }, Local { $plain_local }, Remote { $ue_active } } } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
grab_add; CTXG2=$CTX; TG1=$TERM; PORTG=$PORT
# gate_remote EXPECTED: the remote turnpikectl shows for that termination
gate_remote() {
  tp_ctl --json agw list | python3 -c 'import json,sys
d = json.load(sys.stdin); cs = d["contexts"] if isinstance(d, dict) else d
r = [c["legs"][0].get("remote") for c in cs if c.get("h248", {}).get("context") == int(sys.argv[1])]
print("#   remote", r); sys.exit(0 if r == [sys.argv[2]] else 1)' "$CTXG2" "$1"
}
tp_check "... turnpikectl shows the leg bound to 10.210.0.9" gate_remote 10.210.0.9
tp_check "... a connection from the UE (10.210.0.2) is refused" \
  bash -c '! $1 python3 -c "import socket,sys; s=socket.create_connection((\"10.210.0.1\",int(sys.argv[1])),2); s.settimeout(2); sys.exit(0 if s.recv(1) else 1)" "$2" 2>/dev/null' _ "$C" "$PORTG"
tp_check "Modify of the gate alone: gm/sam the UE, gm/spf ON, gm/spr 5555" \
  mgc "send Context = $CTXG2 { Modify = $TG1 { Media { Stream = 1 { LocalControl { gm/saf = ON, gm/sam = 10.210.0.2, gm/spf = ON, gm/spr = 5555 } } } } }" \
  "^REPLY [0-9]+ ctx=$CTXG2 "
tp_check "... bound to 10.210.0.2:5555" gate_remote 10.210.0.2:5555
tp_check "gm/sam that is not an address: 449" \
  mgc "send Context = $CTXG2 { Modify = $TG1 { Media { Stream = 1 { LocalControl { gm/saf = ON, gm/sam = nowhere } } } } }" '^ERROR [0-9]+ 449 '
tp_check "gm/spf ON with no port to filter on (Remote's is 9): 472" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive, gm/spf = ON }, Local { $plain_local }, Remote { $ue_active } } } } }" '^ERROR [0-9]+ 472 '
tp_check "... W-Subtract=* ends the gated context" \
  mgc "send Context = $CTXG2 { W-Subtract = * }" "^REPLY [0-9]+ ctx=$CTXG2 "
# ipnapt/latch on a plain termination latches the port its peer comes from,
# never the address: a sweep of agw.ports from elsewhere takes nothing
# leg0 CTX: leg 0's remote and state as turnpikectl shows them
leg0() {
  tp_ctl --json agw list | python3 -c 'import json,sys
d = json.load(sys.stdin); cs = d["contexts"] if isinstance(d, dict) else d
print(" ".join("%s %s" % (c["legs"][0].get("remote"), c["legs"][0].get("state"))
               for c in cs if c.get("h248", {}).get("context") == int(sys.argv[1])))' "$1"
}
# ue_reset PORT: a connection from the UE to PORT is refused or reset (not held)
ue_reset() {
  $C python3 -c 'import socket,sys
try:
    s = socket.create_connection(("10.210.0.1", int(sys.argv[1])), 3); s.settimeout(3); s.recv(1)
except (ConnectionRefusedError, ConnectionResetError):
    sys.exit(0)
sys.exit(1)' "$1"
}
latch_add() {
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive, ipnapt/latch = ON }, Local { $plain_local }, Remote { $(sdp "c=IN IP4 $1" 'm=message 9 TCP/MSRP *' 'a=setup:active') } } } } }" \
    '^REPLY [0-9]+ ctx=[0-9]+ '
}
tp_check "Add with ipnapt/latch ON, Remote's c= 10.210.0.9 (not where the UE is)" latch_add 10.210.0.9
grab_add; CTXL=$CTX; PORTL=$PORT
tp_check "... the address kept: turnpikectl shows the leg bound to 10.210.0.9, waiting" \
  test "$(leg0 "$CTXL")" = "10.210.0.9 waiting"
ue_refused() { ue_reset "$PORTL" && [ "$(leg0 "$CTXL")" = "10.210.0.9 waiting" ]; }
tp_check "... a connection from the UE (10.210.0.2) is refused, the leg still waiting" ue_refused
tp_check "Add with ipnapt/latch ON, Remote's c= the UE's address" latch_add "$UE"
grab_add; CTXL2=$CTX; PORTL2=$PORT
$C python3 -c 'import socket,sys,time; s=socket.create_connection(("10.210.0.1",int(sys.argv[1])),3); time.sleep(4)' "$PORTL2" &
lpid=$!
latched() {
  local i
  for i in $(seq 30); do [[ $(leg0 "$CTXL2") == "10.210.0.2:"*" up" ]] && return 0; sleep 0.1; done
  echo "#   leg 0: $(leg0 "$CTXL2")"; return 1
}
tp_check "... the UE's connection, from a port of its own, takes the leg" latched
kill $lpid 2>/dev/null; wait $lpid 2>/dev/null
tp_check "... W-Subtract=* ends the first latching context" \
  mgc "send Context = $CTXL { W-Subtract = * }" "^REPLY [0-9]+ ctx=$CTXL "
tp_check "... and the second" mgc "send Context = $CTXL2 { W-Subtract = * }" "^REPLY [0-9]+ ctx=$CTXL2 "

# ---- E. a wrong fingerprint, and errors -------------------------------------------
echo "# [$((SECONDS - start)) s] section E"
tp_check "Add of a TLS termination signalling another certificate than the UE's" \
  add '$' "$ue_tls_local" "$(ue_tls_remote other)"
grab_add; CTXE=$CTX; PORTE=$PORT
$C $S connect 10.210.0.1 "$PORTE" --bytes 1000 --seed 1 --timeout 10 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/e.ue" 2>&1
tp_check "... the handshake refused: Notify g/cause FP with tls_handshake" \
  mgc "wait-notify 10000 7" "^OK notify n=7 .*Context = $CTXE .*generalcause *= *fp.*tls_handshake"
tp_check "an unknown context: 411" mgc "send Context = 4242 { Modify = tcp/0/1 { Events = 8 { g/cause } } }" '^ERROR [0-9]+ 411 '
tp_check "Move: 443" mgc "send Context = \$ { Move = tcp/0/1 }" '^ERROR [0-9]+ 443 '
tp_check "an unknown package in Events: 440" \
  mgc "send Context = \$ { Add = \$ { Media { Local { $ue_tls_local }, Remote { $(ue_tls_remote) } }, Events = 3 { xyz/boom } } }" '^ERROR [0-9]+ 440 '
tp_check "SDP without m=: 472" \
  mgc "send Context = \$ { Add = \$ { Media { Remote { $(sdp "c=IN IP4 $UE" 'a=setup:active') } } } }" '^ERROR [0-9]+ 472 '
tp_check "a Remote pointing back inside (dp's own core address): 449, agw.peers refuses it" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $core_local }, Remote { $(core_remote 5000 | sed 's/10\.211\.0\.2/10.211.0.1/') } } } } }" '^ERROR [0-9]+ 449 .*agw.peers'
tp_check "RTP, not TCP: 515" \
  mgc "send Context = \$ { Add = \$ { Media { Remote { $(sdp "c=IN IP4 $UE" 'm=audio 4000 RTP/AVP 0') } } } }" '^ERROR [0-9]+ 515 '

tp_check "each error counted by code in turnpikectl status" counted 411 440 443 472 515

# ---- F. cp restarted while a context holds both legs ---------------------------------
echo "# [$((SECONDS - start)) s] section F"
rm -f "$TP_TMP/ready"
$P $S listen $CORE 5400 --bytes 400000 --seed 2 --timeout 60 --ready "$TP_TMP/ready" >"$TP_TMP/f.peer" 2>&1 &
fpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
add '$' "$ue_tls_local" "$(ue_tls_remote)"; grab_add; CTXF=$CTX; TF1=$TERM; PORTF=$PORT
add "$CTXF" "$core_local" "$(core_remote 5400)"; grab_add; TF2=$TERM
$C $S connect 10.210.0.1 "$PORTF" --bytes 400000 --seed 1 --timeout 60 --pause-read 4 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/f.ue" 2>&1 &
fupid=$!
sleep 1
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp restarted registers again: ServiceChange Restart 902 Warm Boot" \
  mgc "wait-registered 15000" '^OK registered n=2 .*method=restart reason=902'
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered   # (H.248.1 §11.2)
tp_check "... the context has the same ContextID: AuditValue of its termination" \
  mgc "send Context = $CTXF { AuditValue = $TF1 { Audit { Statistics } } }" "^REPLY [0-9]+ ctx=$CTXF "
shown_f() { tp_ctl agw list | grep -q "door iq (H.248 context $CTXF: $TF1"; }
tp_check "... and turnpikectl still shows it as Iq's, under that ContextID (dp kept its door)" shown_f
wait $fupid $fpid
bytes_f() {
  jt "$TP_TMP/f.ue" "d['recv_sha']=='$(shaof 2 400000)'" && jt "$TP_TMP/f.peer" "d['recv_sha']=='$(shaof 1 400000)'"
}
tp_check "... its bytes went on flowing: 400 kB each way byte-exact" bytes_f
f_told() {
  local i
  for i in 1 2; do
    mgc "wait-notify 10000" "^OK notify n=[0-9]+ .*Context = $CTXF .*generalcause *= *nr" || return 1
  done
}
tp_check "... its ends closed: each termination's Notify g/cause NR, its Events kept by dp across cp's restart (no Modify)" f_told

# ---- G. more release causes, and a controller that restarted --------------------------
echo "# [$((SECONDS - start)) s] section G"
tp_check "Add of a termination we open to a core port nobody listens on" \
  add '$' "$core_local" "$(core_remote 5999)"
grab_add; CTXG=$CTX
tp_check "... Notify g/cause FT with connect_failed" \
  mgc "wait-notify 10000" "^OK notify n=[0-9]+ .*Context = $CTXG .*generalcause *= *ft.*connect_failed"
rm -f "$TP_TMP/ready"
$P $S listen $CORE 5600 --bytes 100000 --seed 2 --timeout 30 --ready "$TP_TMP/ready" --hold >"$TP_TMP/g.peer" 2>&1 &
gpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
add '$' "$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *')" "$(sdp "c=IN IP4 $UE" 'm=message 9 TCP/MSRP *' 'a=setup:active')"
grab_add; CTXR=$CTX; PORTR=$PORT
add "$CTXR" "$core_local" "$(core_remote 5600)"
$C $S connect 10.210.0.1 "$PORTR" --bytes 0 --hold --timeout 10 --rst-after 10 >"$TP_TMP/g.ue" 2>&1
wait $gpid
# (each termination is told; the UE's says rst)
rst_told() {
  local i
  for i in 1 2; do
    mgc "wait-notify 10000" "^OK notify n=[0-9]+ .*Context = $CTXR " || return 1
    [[ $H248_LINE =~ generalcause\ *=\ *ft.*failurecause\ *=\ *\"?rst ]] && return 0
  done
  return 1
}
tp_check "a UE that resets its connection: Notify g/cause FT with rst" rst_told
# a context that waits through the controller's restart (its UE never comes)
add '$' "$ue_tls_local" "$(ue_tls_remote)"; grab_add; CTXH=$CTX; TH1=$TERM
add '$' "$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *')" "$(sdp "c=IN IP4 $UE" 'm=message 9 TCP/MSRP *' 'a=setup:active')"
grab_add; CTXK=$CTX; PORTK=$PORT
# (one more that waits for its UE: it ends while cp has no controller, in H)
add '$' "$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *')" "$(sdp "c=IN IP4 $UE" 'm=message 9 TCP/MSRP *' 'a=setup:active')"
grab_add; CTXQ=$CTX; PORTQ=$PORT
h248_kill mgc
h248_start mgc --listen 127.0.0.1:$MGCP --tcp --timeout 5000 || tp_die "the MGC did not start again: $H248_LINE"
mgc "notify-error 504" '^OK'
# ue_reset PORT: the UE connects and resets: the termination's end
ue_reset() {
  $C python3 -c 'import socket, struct, sys, time
s = socket.create_connection(("10.210.0.1", int(sys.argv[1])), 5)
time.sleep(0.3)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' "$1"
}
ue_reset "$PORTK"
# (a context's end makes a Notify, which the controller refuses: 504)
tp_check "the controller restarted, refusing our Notify (it does not know us): cp registers with it again, Disconnected, contexts kept" \
  mgc "wait-registered 15000" '^OK registered n=1 .*method=disconnected'
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered   # (H.248.1 §11.2)
mgc "notify-error off" '^OK'
tp_check "... the waiting context is there under its ContextID" \
  mgc "send Context = $CTXH { AuditValue = $TH1 { Audit { Statistics } } }" "^REPLY [0-9]+ ctx=$CTXH "
tp_check "... a termination not in it: 435" \
  mgc "send Context = $CTXH { Modify = tcp/1/7 { Events = 8 { g/cause } } }" '^ERROR [0-9]+ 435 '
tp_check "an optional command that fails answers with its error, and the next one runs" \
  mgc "send Context = $CTXH { O-Modify = tcp/1/7 { Events = 8 { g/cause } }, AuditValue = $TH1 { Audit { Statistics } } }" \
  "^REPLY [0-9]+ ctx=$CTXH .*435.*nt/or"
tp_check "Events twice in one command: 448" \
  mgc "send Context = $CTXH { Modify = $TH1 { Events = 8 { g/cause }, Events = 9 { g/cause } } }" '^ERROR [0-9]+ 448 '

kill $TSHARK 2>/dev/null; wait $TSHARK 2>/dev/null
tp_check "tshark reads every Iq message as H.248, none malformed" h248_pcap_check "$TP_TMP/iq.pcap" $MGCP
# ---- H. over TCP (H.248.1 Annex D.2, TPKT) ----------------------------------------------
echo "# [$((SECONDS - start)) s] section H"
sed -i 's/^iq = { listen = "127.0.0.1:'"$IQP"'";/iq = { transport = "tcp"; listen = "127.0.0.1:'"$IQP"'";/' "$TP_TMP/dp.conf"
# (a fresh controller: megaco keeps the UDP one's handle for our mId)
h248_kill mgc
# cp restarted with no controller to register with: a context's end then
# waits to be told
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
ue_reset "$PORTQ"
queued() {
  local i
  for i in $(seq 30); do
    python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["iq"]["stats"]["notifies_queued"] >= 1 else 1)' \
      "$(tp_ctl --json status)" && return 0
    sleep 0.1
  done
  return 1
}
tp_check "a leg ends while cp has no controller: its Notify waits (notifies_queued)" queued
h248_start mgc --listen 127.0.0.1:$MGCP --tcp-only --timeout 5000 || tp_die "the MGC did not start on TCP: $H248_LINE"
tp_check "cp over TCP registers (902 Warm Boot: a context is held)" \
  mgc "wait-registered 15000" '^OK registered n=1 .*method=restart reason=902'
tp_check "... and the Notify that waited goes: g/cause FT, rst" \
  mgc "wait-notify 10000" "^OK notify n=[0-9]+ .*Context = $CTXQ .*generalcause *= *ft.*rst"
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered   # (H.248.1 §11.2)
tp_check "... the held context's termination answers AuditValue over TCP" \
  mgc "send Context = $CTXH { AuditValue = $TH1 { Audit { Statistics } } }" "^REPLY [0-9]+ ctx=$CTXH "
tp_check "... W-Subtract=* over TCP ends it" \
  mgc "send Context = $CTXH { W-Subtract = * }" "^REPLY [0-9]+ ctx=$CTXH "

# ---- I. dp restarted: what it held is gone, and the controller is told ---------------
echo "# [$((SECONDS - start)) s] section I"
add '$' "$ue_tls_local" "$(ue_tls_remote)"; grab_add; CTXI=$CTX
tp_dp_stop >/dev/null
tp_dp_start "$TP_TMP/dp.conf"
tp_check "dp restarted: Notify g/cause FT with dp_restart for the context it held" \
  mgc "wait-notify 30000" "^OK notify n=[0-9]+ .*Context = $CTXI .*generalcause *= *ft.*dp_restart"

# ---- J. H.248.36 hangterm: the heartbeat of a termination -----------------------------
echo "# [$((SECONDS - start)) s] section J"
tp_check "Add with TerminationState hangterm/timerx = 1 and Events hangterm/thb" \
  mgc "send Context = \$ { Add = \$ { Media { TerminationState { hangterm/timerx = 1 }, Stream = 1 { LocalControl { Mode = SendReceive }, Local { $ue_tls_local }, Remote { $(ue_tls_remote) } } }, Events = 11 { g/cause, hangterm/thb } } }" \
  '^REPLY [0-9]+ ctx=[0-9]+ '
grab_add; CTXJ=$CTX; TJ=$TERM
tp_check "... Notify hangterm/thb within 3 s" \
  mgc "wait-notify 3000" "^OK notify n=[0-9]+ .*Context = $CTXJ .*Notify = $TJ .*hangterm/thb"
tp_check "... and again a period later" \
  mgc "wait-notify 3000" "^OK notify n=[0-9]+ .*Context = $CTXJ .*hangterm/thb"
tp_check "... timerx past a day: 449" \
  mgc "send Context = $CTXJ { Modify = $TJ { Media { TerminationState { hangterm/timerx = 99999999 } } } }" '^ERROR [0-9]+ 449 '
tp_check "... a TerminationState property of another package: 445" \
  mgc "send Context = $CTXJ { Modify = $TJ { Media { TerminationState { foo/bar = 1 } } } }" '^ERROR [0-9]+ 445 '
tp_check "... Events without hangterm/thb stops the heartbeats" \
  mgc "send Context = $CTXJ { Modify = $TJ { Events = 12 { g/cause } } }" "^REPLY [0-9]+ ctx=$CTXJ "
mgc "wait-notify 1500" '' >/dev/null 2>&1   # (one may be on its way)
tp_check "... none in the next 2.5 s" mgc "wait-notify 2500" '^TIMEOUT '
tp_check "... W-Subtract=* ends it" mgc "send Context = $CTXJ { W-Subtract = * }" "^REPLY [0-9]+ ctx=$CTXJ "
hb_counted() {
  python3 -c 'import json,sys; d=json.loads(sys.argv[1])["iq"]["stats"]; print("#  heartbeats_sent", d["heartbeats_sent"]); sys.exit(0 if d["heartbeats_sent"] >= 2 else 1)' "$(tp_ctl --json status)"
}
tp_check "... counted (heartbeats_sent)" hb_counted

# ---- K. the inactivity timer, a repeated request, the rate limit ----------------------
echo "# [$((SECONDS - start)) s] section K"
tp_check "Modify ROOT: H.248.14's inactivity timer (it/ito, mit 1 s)" \
  mgc "send Context = - { Modify = ROOT { Events = 9 { it/ito { mit = 100 } } } }" '^REPLY [0-9]+ ctx=- '
tp_check "... a second without a message from the controller: Notify ROOT it/ito" \
  mgc "wait-notify 5000" '^OK notify n=[0-9]+ .*Notify = root .*it/ito'
tp_check "... mit under 100 ms: 449" \
  mgc "send Context = - { Modify = ROOT { Events = 9 { it/ito { mit = 1 } } } }" '^ERROR [0-9]+ 449 '
tp_check "... Events without a request id turns it off" \
  mgc "send Context = - { Modify = ROOT { Events } }" '^REPLY [0-9]+ ctx=- '
mgc "wait-notify 300" '' >/dev/null 2>&1   # (one already on its way)
tp_check "... no Notify after that" mgc "wait-notify 2500" '^TIMEOUT '
AV='MEGACO/3 [127.0.0.1]:'"$MGCP"'\nTransaction = 3000000000 { Context = - { AuditValue = ROOT { Audit { } } } }'
repeated() {
  local a b
  mgc "raw $AV" '^OK' && mgc "wait-unexpected 5000" '^OK unexpected ' || return 1
  a=${H248_LINE#* n=* }
  mgc "raw $AV" '^OK' && mgc "wait-unexpected 5000" '^OK unexpected ' || return 1
  b=${H248_LINE#* n=* }
  [ "$a" = "$b" ] && python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["iq"]["stats"]["requests_repeated"] >= 1 else 1)' "$(tp_ctl --json status)"
}
tp_check "a request sent twice with one id: the same reply, run once (requests_repeated)" repeated
burst() {
  local i t0=$SECONDS
  for i in $(seq 80); do
    h248_cmd mgc 'raw MEGACO/3 [127.0.0.1]:'"$MGCP"'\nTransaction = '$((3000000100 + i))' { Context = - { AuditValue = ROOT { Audit { } } } }' || return 1
  done
  echo "#   80 requests in $((SECONDS - t0)) s"
  python3 -c 'import json,sys; d=json.loads(sys.argv[1])["iq"]; print("#  ", d["stats"]["requests_overload"], "refused 511 (requests_overload),", d["errors_sent_by_code"].get("511", 0), "counted"); sys.exit(0 if d["stats"]["requests_overload"] >= 1 and d["errors_sent_by_code"].get("511", 0) >= 1 else 1)' "$(tp_ctl --json status)"
}
tp_check "80 requests at once past iq.max_rate (20/s): the excess answered 511, counted" burst

# ---- malformed messages (after the capture: they are malformed on purpose) ----------
tp_check "a message whose transaction cannot be read: 403 for that transaction" \
  mgc 'raw MEGACO/3 [127.0.0.1]:'"$MGCP"'\nTransaction = 77 { Context = 1 { Add = ' '^OK'
tp_check "... answered with the transaction's error (megaco: a reply to nothing it sent)" \
  mgc "wait-unexpected 5000 $((2 + 80 + 1))" '^OK unexpected n=[0-9]+ .*(77|403)'
tp_check "a message that cannot be read at all: 400 at the message's level" \
  mgc 'raw MEGACO/3 [127.0.0.1]:'"$MGCP"'\n{{{' '^OK'
tp_check "... answered (megaco hears a message-level error)" mgc "wait-msgerror 5000" '^OK msgerror n=1 .*400'
tp_check "... both counted by code in turnpikectl status" counted 400 403
tp_check "a transaction id of 0 (H.248.1: 1 to 4294967295): refused" \
  mgc 'raw MEGACO/3 [127.0.0.1]:'"$MGCP"'\nTransaction = 0 { Context = - { AuditValue = ROOT { Audit { } } } }' '^OK'
tp_check "... answered with a message-level error 400 (no transaction to charge it to)" \
  mgc "wait-msgerror 5000 2" '^OK msgerror n=2 .*400'
replies_unknown() {
  python3 -c 'import json,sys; d=json.loads(sys.argv[1])["iq"]["stats"]; print("#  replies_unknown", d["replies_unknown"]); sys.exit(0 if d["replies_unknown"] >= 1 else 1)' "$(tp_ctl --json status)"
}
sleep 1   # (the controller's iq.max_rate back after the burst: a message over it is not read)
tp_check "a reply to a transaction we never sent" \
  mgc 'raw MEGACO/3 [127.0.0.1]:'"$MGCP"'\nReply = 4000000000 { Context = - { AuditValue = ROOT } }' '^OK'
sleep 0.3
tp_check "... is counted (replies_unknown), not answered" replies_unknown
big=$(python3 -c 'print("\\nv=0\\r\\nc=IN IP4 10.210.0.2\\r\\nm=message 9 TCP/MSRP *\\r\\na=setup:active\\r\\n" + "a=x-pad:" + "y" * 4200 + "\\r\\n")')
tp_check "an SDP past 4096 octets in Remote: 449, counted" \
  mgc "send Context = \$ { Add = \$ { Media { Stream = 1 { Local { $core_local }, Remote { $big } } } } }" '^ERROR [0-9]+ 449 .*longer'
echo "# test_iq took $((SECONDS - start)) s"
h248_stop mgc
[ "$TP_FAILS" -eq 0 ]
