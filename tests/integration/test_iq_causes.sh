#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Iq: the controller hears each release cause test_iq.sh does not provoke,
# as a Notify g/cause per termination (Generalcause, and a Failurecause
# naming the cause), through Erlang/OTP's megaco (iq/tp_mgc.erl) as in
# test_iq.sh; the legs' far ends are the kernel's TCP (Python's OpenSSL for
# TLS) in the clients' namespace (the UE, 10.210.0.2) and the peers' (the
# IMS core, 10.211.0.2). Each context: a termination towards the UE, one
# towards the core (we connect to it), g/cause asked for on both.
#   setup_timeout: a termination nobody connects to within agw.setup_timeout
#     (3 s here): FT, setup_timeout.
#   tls_alert: the UE's OpenSSL refuses a record of ours after the
#     handshake (lib/tls_alert_client.py spoils its tag) and sends its fatal
#     alert: FP, tls_alert naming it; the core's termination FT, other_leg.
#   tls_error: the UE writes a record that fails authentication after the
#     handshake: FP, tls_error; the core's FT, other_leg.
#   controller: a context made over Iq released by the operator
#     (turnpikectl agw release, the JSON door): both terminations NR,
#     controller; both ends saw EOF.
#   timeout: the core's namespace drops every packet (nft) once both legs
#     are up: a quiet leg ends by keepalive (agw.keepalive 1 s, one probe),
#     a leg with data in flight by RFC 5482's user timeout
#     (dp.tcp_user_timeout 2 s): FT, timeout; the UE's FT, other_leg.
#   agw.max_contexts is 4 on the one worker: the timeout contexts take
#     slots of contexts that ended (and were told) before them, so their
#     Notify shows cp tells a slot's new context apart from its last one.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/iq/h248.sh"
tp_env_init
start=$SECONDS
h248_require_megaco
command -v nft >/dev/null || { echo "1..0 # SKIP no nft (the timeout case drops the core's packets)"; exit 77; }
S="python3 $HERE/lib/agw_stream.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
H248_DIR=$TP_TMP

tp_mkcert dp ue
fp() { tp_certfp "$1"; }

# the controller on loopback, cp's Iq beside it (test_iq.sh takes
# 40000-49999, the metrics endpoint 20000-39999; this is above the
# kernel's ephemeral ports, 32768-60999)
base=$((61000 + ($$ % 1900) * 2))
MGCP=$base; IQP=$((base + 1))
h248_start mgc --listen 127.0.0.1:$MGCP --timeout 5000 || tp_die "the MGC did not start: $H248_LINE"
trap 'rc=$?; h248_kill mgc 2>/dev/null; (exit $rc); tp_cleanup' EXIT

maddr=127.0.0.1:$((20000 + $$ % 20000))
TP_MBUFS=8191 tp_write_conf "$TP_TMP/dp.conf" "0" "tcp_user_timeout = 2;" "" "" "
ipc = { name = \"/$TP_ID\"; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"$maddr\"; };
tls = { certificate = \"$TP_TMP/dp.pem\"; private_key = \"$TP_TMP/dp.key\"; };
agw = { ports = [20000, 21999]; max_contexts = 4; setup_timeout = 3;
        keepalive = { idle = 1; interval = 1; count = 1; }; };
iq = { listen = \"127.0.0.1:$IQP\"; mgc = [\"127.0.0.1:$MGCP\"]; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

mgc() { h248_expect mgc "$1" "$2" 20; }
sdp() { h248_sdp "$@"; }
UE=10.210.0.2; CORE=10.211.0.2
# add CTX LOCAL REMOTE: one termination, g/cause asked for; then its
# context, termination and (a server's) port in CTX, TERM, PORT
add() {
  mgc "send Context = $1 { Add = \$ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, Local { $2 }, Remote { $3 } } }, Events = 7 { g/cause } } }" \
    '^REPLY [0-9]+ ctx=[0-9]+ ' || return 1
  CTX=$(h248_grab 'ctx=([0-9]+)'); TERM=$(h248_grab 'Add = ([^ ]+) ')
  PORT=$(h248_grab 'm=message ([0-9]+) ') || PORT=
}
ue_tls() { add "$1" "$(sdp 'c=IN IP4 $' 'm=message $ TCP/TLS/MSRP *' 'a=setup:passive')" \
  "$(sdp "c=IN IP4 $UE" 'm=message 9 TCP/TLS/MSRP *' 'a=setup:active' "a=fingerprint:$(fp ue)")"; }
ue_plain() { add "$1" "$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *')" \
  "$(sdp "c=IN IP4 $UE" 'm=message 9 TCP/MSRP *' 'a=setup:active')"; }
core() { add "$1" "$(sdp 'c=IN IP4 $' 'm=message $ TCP/MSRP *' 'a=setup:active')" \
  "$(sdp "c=IN IP4 $CORE" "m=message $2 TCP/MSRP *" 'a=setup:passive')"; }
# ue_core NAME UE_KIND(tls|plain) CORE_PORT: a context, the UE's termination
# then the core's; NAME_CTX, NAME_UE, NAME_CORE, NAME_PORT set
ue_core() {
  "ue_$2" '$' || return 1
  printf -v "$1_CTX" %s "$CTX"; printf -v "$1_UE" %s "$TERM"; printf -v "$1_PORT" %s "$PORT"
  core "$CTX" "$3" || return 1
  printf -v "$1_CORE" %s "$TERM"
}
# peer PORT ARGS...: the core listening (agw_stream.py), its pid in PEER
peer() {
  local port=$1; shift
  rm -f "$TP_TMP/ready.$port"
  $P $S listen $CORE "$port" --timeout 20 --ready "$TP_TMP/ready.$port" "$@" >"$TP_TMP/peer.$port" 2>&1 &
  PEER=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready.$port" ] && break; sleep 0.1; done
}

# Every Notify the controller got, one a line, in arrival order.
NOTES=$TP_TMP/notifies
: >"$NOTES"
# told CTX TERM GC CAUSE [DETAIL_ERE]: a Notify g/cause of TERM in CTX came
# (waiting up to 15 s), Generalcause GC, Failurecause "CAUSE: ..." (its
# detail matching DETAIL_ERE)
told() {
  local ctx=$1 term=$2 gc=$3 cause=$4 detail=${5:-} line end=$((SECONDS + 15))
  while ! line=$(grep -E "Context = $ctx \{ Notify = $term \{" "$NOTES"); do
    if ((SECONDS >= end)); then
      echo "# no Notify of $term in context $ctx; those seen:"; sed 's/^/#   /' "$NOTES" | cut -c1-300
      return 1
    fi
    h248_cmd mgc "wait-notify 1000" 5 && [[ $H248_LINE == "OK notify "* ]] &&
      printf '%s\n' "$H248_LINE" >>"$NOTES"
  done
  echo "#   $(grep -oE 'g/cause.*' <<<"$line" | cut -c1-220)"
  [[ $line =~ generalcause\ *=\ *$gc[^a-z].*failurecause\ *=\ *\"$cause:\ ([^\"]*)\" ]] &&
    [[ ${BASH_REMATCH[1]} =~ $detail ]]
}
# cpid PORT: cp's id (the JSON door's) of the context whose leg has PORT
cpid() {
  tp_ctl --json agw list | python3 -c 'import json,sys
d = json.load(sys.stdin); cs = d["contexts"] if isinstance(d, dict) else d
print(next(c["id"] for c in cs if any(str(l.get("local") or "").endswith(":" + sys.argv[1]) for l in c["legs"])))' "$1"
}
# legs_up ID: both legs of cp's context ID up (5 s)
legs_up() {
  for _ in $(seq 50); do
    tp_ctl --json agw show "$1" 2>/dev/null |
      python3 -c 'import json,sys; sys.exit(0 if [l["state"] for l in json.load(sys.stdin)["legs"]] == ["up", "up"] else 1)' && return 0
    sleep 0.1
  done
  return 1
}

tp_check "cp registers with the controller" mgc "wait-registered 15000" '^OK registered n=1 '
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered   # (H.248.1 §11.2)

# ---- setup_timeout: a termination nobody connects to (told at the end) -----------
tp_check "Add of a termination the UE never connects to (agw.setup_timeout 3 s)" ue_plain '$'
ST_CTX=$CTX ST_TERM=$TERM

# ---- tls_alert: the UE's fatal alert after the handshake ------------------------
peer 5000 --bytes 1000 --hold
tp_check "a context: TLS towards the UE, plain to the core" ue_core al tls 5000
$C python3 "$HERE/lib/tls_alert_client.py" 10.210.0.1 "$al_PORT" --send 10 --timeout 10 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/al.ue" 2>&1
echo "#   ue: $(cut -c1-250 "$TP_TMP/al.ue")"
tp_check "... the UE's OpenSSL refused a record after the handshake and sent its alert" \
  grep -q '"tls_version": "TLSv1.3".*"alert_bytes": [1-9]' "$TP_TMP/al.ue"
tp_check "... Notify of the UE's termination: FP, tls_alert naming the alert" \
  told "$al_CTX" "$al_UE" fp tls_alert 'bad record mac \(20\)'
tp_check "... Notify of the core's termination: FT, other_leg" \
  told "$al_CTX" "$al_CORE" ft other_leg 'tls_alert'
wait $PEER

# ---- tls_error: a bad record after the handshake --------------------------------
peer 5001 --bytes 100000
tp_check "a context: TLS towards the UE, plain to the core" ue_core bad tls 5001
$C $S connect 10.210.0.1 "$bad_PORT" --garbage-after 1000 --timeout 10 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/bad.ue" 2>&1
tp_check "... a bad record from the UE: Notify of its termination FP, tls_error" \
  told "$bad_CTX" "$bad_UE" fp tls_error
tp_check "... Notify of the core's termination: FT, other_leg" \
  told "$bad_CTX" "$bad_CORE" ft other_leg 'tls_error'
wait $PEER

# ---- controller: released through the JSON door ---------------------------------
peer 5002 --hold
tp_check "a context, plain both ways" ue_core ctl plain 5002
$C $S connect 10.210.0.1 "$ctl_PORT" --hold --timeout 10 >"$TP_TMP/ctl.ue" 2>&1 &
ue=$!
id=$(cpid "$ctl_PORT")
tp_check "... the operator sees it (cp's id $id), both legs up" legs_up "$id"
tp_check "... and releases it: turnpikectl agw release" tp_ctl agw release "$id"
tp_check "... Notify of the UE's termination: NR, controller" \
  told "$ctl_CTX" "$ctl_UE" nr controller 'released by the controller'
tp_check "... Notify of the core's termination: NR, controller" \
  told "$ctl_CTX" "$ctl_CORE" nr controller 'released by the controller'
wait $ue $PEER
tp_check "... both ends saw EOF" \
  grep -q '"end": "eof"' "$TP_TMP/ctl.ue" "$TP_TMP/peer.5002"

# ---- timeout: the core goes silent ----------------------------------------------
peer 5003 --hold; kpeer=$PEER
tp_check "a context whose legs stay quiet" ue_core ka plain 5003
$C $S connect 10.210.0.1 "$ka_PORT" --hold --timeout 20 >"$TP_TMP/ka.ue" 2>&1 &
kue=$!
peer 5004 --hold; upeer=$PEER
tp_check "a context whose UE sends once the core is silent" ue_core ut plain 5004
rm -f "$TP_TMP/go"
$C python3 -c 'import os, socket, sys, time
s = socket.create_connection(("10.210.0.1", int(sys.argv[1])), 5)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
s.sendall(b"x" * 20000)
s.settimeout(15)
try:
    s.recv(1)
except OSError:
    pass' "$ut_PORT" "$TP_TMP/go" &
uue=$!
both_up() { legs_up "$(cpid "$ka_PORT")" && legs_up "$(cpid "$ut_PORT")"; }
tp_check "... both contexts' legs up" both_up
$P nft -f - <<'NFT' || tp_die "nft failed"
table inet silent {
  chain in { type filter hook input priority 0; policy drop; }
  chain out { type filter hook output priority 0; policy drop; }
}
NFT
touch "$TP_TMP/go"
tp_check "the quiet leg: Notify of the core's termination FT, timeout (keepalive)" \
  told "$ka_CTX" "$ka_CORE" ft timeout 'keepalive'
tp_check "... of the UE's: FT, other_leg" told "$ka_CTX" "$ka_UE" ft other_leg 'timeout'
tp_check "the leg with data in flight: Notify of the core's termination FT, timeout (user timeout)" \
  told "$ut_CTX" "$ut_CORE" ft timeout 'user_timeout'
tp_check "... of the UE's: FT, other_leg" told "$ut_CTX" "$ut_UE" ft other_leg 'timeout'
kill $kpeer $upeer 2>/dev/null
wait $kue $uue $kpeer $upeer 2>/dev/null

# ---- setup_timeout, told meanwhile ------------------------------------------------
tp_check "the termination nobody connected to: Notify FT, setup_timeout" \
  told "$ST_CTX" "$ST_TERM" ft setup_timeout 'legs up: not 0, none in 1 at the setup deadline'

echo "# test_iq_causes took $((SECONDS - start)) s"
h248_stop mgc
[ "$TP_FAILS" -eq 0 ]
