#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The IMS access gateway's contexts (dp/agw, dp/splice, cp/agw):
# a controller creates contexts with turnpikectl (cp's API), dp splices
# their two TCP legs in one worker, the kernel's TCP (Python sockets, and
# Python's OpenSSL for TLS) at both ends, in the clients' namespace (the
# UE side, dp's server legs on 10.210.0.1) and the peers' (dp's client
# legs to 10.211.0.2). Two workers: contexts spread over both, a server
# leg's connection steered to its context's worker by agw.ports' shares.
#   A. AGW_MB MB (default 20) each way, byte-exact by SHA-256, both ways at
#      once: plain to plain; TLS (dp the server, the UE's certificate
#      checked against its signalled fingerprint) to plain; TLS to TLS
#      (dp also the TLS client of the peer, trusting it by fingerprint).
#      Each ends by a duplex close (FIN answered by FIN) and its event.
#      Then the nine combinations of the legs' TLS roles (none, server,
#      client; each TCP role on each side in turn), 1 MB each way.
#   B. Release causes, each with both legs gone (the kernel's ends see EOF
#      or RST) and the context's released event read with
#      `turnpikectl events`: close_notify, rst, connect_failed, a wrong
#      fingerprint (tls_handshake; also the UE's sha-256 signalled with
#      another certificate's sha-1, that certificate presented: its sha-1
#      is not compared, RFC 8122 section 5), sha-1 alone refused at create
#      (agw.allow_sha1 off), the peer's fatal alert (openssl
#      s_client refusing our certificate), a bad record after the
#      handshake (tls_error), the controller's release, the setup time;
#      and a cp restarted meanwhile takes back what dp holds.
#   C. AGW_MANY (default 1000) contexts at once: every leg up, data
#      through each, all released by FIN.
#   D. dp restarted with 2% loss both ways on both ports (the impairment
#      stage): a context it held is released (dp_restart); plain to plain,
#      TLS to plain and TLS to TLS, AGW_MB / 2 MB each way, byte-exact;
#      the nine combinations of TLS roles, 2 MB each way.
# With TP_ASYNCPROV_SO (tests/tls_asyncprov; in the suite as agw_async_records),
# dp's TLS legs run on the asynchronous test provider, and with
# TP_ASYNCPROV_RECORDS their records too: every leg's reads, writes,
# close_notify and FIN forwarding go through the parked path.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
MB=${AGW_MB:-20}
N=$((MB * 1000000))
MANY=${AGW_MANY:-1000}
S="python3 $HERE/lib/agw_stream.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"

tp_mkcert dp ue peer other
TP_CERT_DAYS=1 tp_mkcert msrp   # (msrp's expires first)
# RFC 8122 a=fingerprint values, as openssl computes them
fp() { tp_certfp "$1"; }
fp1() { echo "sha-1 $(openssl x509 -in "$TP_TMP/$1.pem" -noout -fingerprint -sha1 | cut -d= -f2)"; }
fphex() { openssl x509 -in "$TP_TMP/$1.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f; }

offload=
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  export TP_ASYNCPROV_STATS=1 TP_ASYNCPROV_DELAY_US=${TP_ASYNCPROV_DELAY_US:-200}
  offload="offload = { provider = \"$TP_ASYNCPROV_SO\"; properties = \"?provider=tpasync\"; };"
fi
maddr=127.0.0.1:$((20000 + $$ % 20000))
write_conf() {
  TP_MBUFS=16383 tp_write_conf "$1" "0, 1" "" "${2:-}" "${2:-}" \
    "$(tp_turn_groups "metrics = \"$maddr\";" "tcp_per_source = 0;")
tls = { certificate = \"$TP_TMP/dp.pem\"; private_key = \"$TP_TMP/dp.key\"; $offload };
agw = { ports = [20000, 21999]; max_contexts = 1100; setup_timeout = 20; hold = 65536;
        certificates = ( { name = \"msrp\"; certificate = \"$TP_TMP/msrp.pem\";
                           private_key = \"$TP_TMP/msrp.key\"; } ); };"
}
write_conf "$TP_TMP/dp.conf"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

# released NAME: wait (10 s) for the context's released event; its line
released() {
  tp_ctl events --id "$(ctx_id "$1")" --follow --until released --timeout 10 \
    >"$TP_TMP/$1.events" 2>&1
  grep ' released ' "$TP_TMP/$1.events"
}
# gone NAME CAUSE [LEG_CAUSE0 LEG_CAUSE1]: released with CAUSE, both legs'
# leg_down seen (with their causes), and cp no longer has the context
gone() {
  local name=$1 cause=$2 line
  line=$(released "$name") || { echo "# no released event:"; sed 's/^/#   /' "$TP_TMP/$name.events"; return 1; }
  echo "#   $line" | cut -c1-300
  grep -q " released cause=$cause" <<<"$line" || return 1
  grep -q " leg=0 leg_down cause=${3:-}" "$TP_TMP/$name.events" || return 1
  grep -q " leg=1 leg_down cause=${4:-}" "$TP_TMP/$name.events" || return 1
  ! tp_ctl agw show "$(ctx_id "$name")" >/dev/null 2>&1
}
# legs_up NAME: wait (10 s) until both legs of the context are up
legs_up() {
  for _ in $(seq 100); do
    tp_ctl --json agw show "$(ctx_id "$1")" >"$TP_TMP/$1.show" 2>/dev/null &&
      [ "$(j "$TP_TMP/$1.show" '[l["state"] for l in d["legs"]]')" = "['up', 'up']" ] && return 0
    sleep 0.1
  done
  return 1
}
released_with() { released "$1" | grep -q " released cause=$2"; }
shaof() { python3 -c "import hashlib,random,sys; print(hashlib.sha256(random.Random(int(sys.argv[1])).randbytes(int(sys.argv[2]))).hexdigest())" "$@"; }
SHA1=$(shaof 1 "$N")      # what the UE sends
SHA2=$(shaof 2 "$N")      # what the peer sends

# transfer NAME PEER_TLS(0|1) ASPEC BSPEC UE_ARGS...: N bytes each way at
# once between a UE client (clients' namespace) and a peer server (peers'
# namespace, port 5000) through a new context; checks both hashes, both
# ends' EOF, the released event (cause fin); says the time.
transfer() {
  local name=$1 ptls=$2 a=$3 b=$4; shift 4
  local pargs=() t0 ok=0
  [ "$ptls" = 1 ] && pargs=(--tls-cert "$TP_TMP/peer.pem" --tls-key "$TP_TMP/peer.key" --tls-ca "$TP_TMP/dp.pem")
  rm -f "$TP_TMP/ready"
  $P $S listen 10.211.0.2 5000 --bytes "$N" --seed 2 --timeout 150 --ready "$TP_TMP/ready" \
    "${pargs[@]}" >"$TP_TMP/$name.peer" 2>&1 &
  local ppid=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
  t0=$(date +%s.%N)
  create "$name" --a "$a" --b "$b" || { kill $ppid; return 1; }
  $C $S connect 10.210.0.1 "$(ctx_port "$name")" --bytes "$N" --seed 1 --timeout 150 "$@" \
    >"$TP_TMP/$name.ue" 2>&1
  wait $ppid
  echo "# $name: $MB MB each way in $(python3 -c "print(round($(date +%s.%N) - $t0, 2))") s"
  echo "#   ue:   $(cut -c1-260 "$TP_TMP/$name.ue")"
  echo "#   peer: $(cut -c1-260 "$TP_TMP/$name.peer")"
  j "$TP_TMP/$name.ue" "d['recv']==$N and d['recv_sha']=='$SHA2' and d['sent']==$N and d['end']=='eof'" |
    grep -q True || ok=1
  j "$TP_TMP/$name.peer" "d['recv']==$N and d['recv_sha']=='$SHA1' and d['sent']==$N and d['end']=='eof'" |
    grep -q True || ok=1
  return $ok
}

# ---- A. bulk, byte-exact ------------------------------------------------------
tp_check "plain to plain: $MB MB each way byte-exact, duplex close" \
  transfer plain 0 'tcp=server,local=10.210.0.1,remote=10.210.0.2' 'tcp=client,remote=10.211.0.2:5000'
tp_check "... released by FIN (duplex close), both legs down" gone plain fin fin fin

tp_check "TLS server leg to plain: $MB MB each way byte-exact" \
  transfer tls 0 "tcp=server,tls=server,local=10.210.0.1,fp=$(fp ue)" \
  'tcp=client,remote=10.211.0.2:5000' --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key"
tp_check "... the UE saw our certificate, whose fingerprint cp answered, over TLS 1.3" \
  test "$(j "$TP_TMP/tls.ue" 'd["peer_fp"], d["tls_version"]')" = "$(fphex dp) TLSv1.3" -a \
  "$(j "$TP_TMP/tls.json" 'd["legs"][0]["fingerprint"]')" = "$(fp dp)"
tp_check "... released by FIN (the peer's stream ended first), both legs down" \
  gone tls fin close_notify fin

tp_check "TLS to TLS (dp a TLS client of the peer too): $MB MB each way byte-exact" \
  transfer tls2 1 "tcp=server,tls=server,local=10.210.0.1,fp=$(fp ue)" \
  "tcp=client,tls=client,remote=10.211.0.2:5000,fp=$(fp peer)" \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" --close-when-received
tp_check "... the peer saw our certificate as client" \
  test "$(j "$TP_TMP/tls2.peer" 'd["peer_fp"]')" = "$(fphex dp)"
tp_check "... released by close_notify or FIN, both legs down" gone tls2 'fin\|close_notify'

# Every combination of the legs' TLS roles (none, server, client), each
# with both TCP roles in turn over the nine: 1 MB each way, byte-exact.
# Leg a faces the clients' namespace (dp 10.210.0.1, the far end
# 10.210.0.2:5100+K), leg b the peers' (dp 10.211.0.1, the far end
# 10.211.0.2:5200+K), K the combination's place: the nine run at once. A far end plays the TLS role opposite dp's, whatever
# its TCP role (a connecting TLS server when dp's leg accepts and is the
# TLS client), and presents its own certificate, checked by fingerprint.
MX=1000000
MXA=$(shaof 1 "$MX"); MXB=$(shaof 2 "$MX")
# end_args NS_CERT TLS: the far end's TLS arguments for dp's leg role TLS
end_args() {
  case $2 in
    server) echo "--tls-cert $TP_TMP/$1.pem --tls-key $TP_TMP/$1.key --tls-role client" ;;
    client) echo "--tls-cert $TP_TMP/$1.pem --tls-key $TP_TMP/$1.key --tls-role server --tls-ca $TP_TMP/dp.pem" ;;
  esac
}
# leg_spec TCP TLS LOCAL REMOTE CERT: dp's leg
leg_spec() {
  local s
  # (a server leg: only the far end's address, from any port)
  if [ "$1" = server ]; then s="tcp=server,local=$3,remote=${4%:*}"; else s="tcp=client,remote=$4"; fi
  [ "$2" = none ] || s="$s,tls=$2,fp=$(fp "$5")"
  echo "$s"
}
# matrix K TA LA TB LB: a context with those roles, MX bytes each way;
# its far ends listen on ports 5100+K (leg a's) and 5200+K (leg b's), so
# that the nine run at once (matrix_all)
matrix() {
  local k=$1; shift
  local ta=$1 la=$2 tb=$3 lb=$4 name="${MXTAG:-mx}-$1-$2-$3-$4" ea eb pids=() port ok=0
  local pa=$((5100 + k)) pb=$((5200 + k))
  ea=$(end_args ue "$la"); eb=$(end_args peer "$lb")
  # both TLS: one end has to end first (close_notify once it has it all)
  [ "$la" != none ] && [ "$lb" != none ] && ea="$ea --close-when-received"
  rm -f "$TP_TMP/$name.ready-a" "$TP_TMP/$name.ready-b"
  [ "$ta" = client ] && { $C $S listen 10.210.0.2 $pa --bytes $MX --seed 1 --timeout 30 \
    --ready "$TP_TMP/$name.ready-a" $ea >"$TP_TMP/$name.a" 2>&1 & pids+=($!); }
  [ "$tb" = client ] && { $P $S listen 10.211.0.2 $pb --bytes $MX --seed 2 --timeout 30 \
    --ready "$TP_TMP/$name.ready-b" $eb >"$TP_TMP/$name.b" 2>&1 & pids+=($!); }
  for _ in $(seq 100); do
    { [ "$ta" = server ] || [ -f "$TP_TMP/$name.ready-a" ]; } &&
      { [ "$tb" = server ] || [ -f "$TP_TMP/$name.ready-b" ]; } && break
    sleep 0.1
  done
  create "$name" --a "$(leg_spec "$ta" "$la" 10.210.0.1 10.210.0.2:$pa ue)" \
    --b "$(leg_spec "$tb" "$lb" 10.211.0.1 10.211.0.2:$pb peer)" || { kill "${pids[@]}" 2>/dev/null; return 1; }
  if [ "$ta" = server ]; then
    port=$(j "$TP_TMP/$name.json" 'd["legs"][0]["local"].rsplit(":",1)[1]')
    $C $S connect 10.210.0.1 "$port" --bytes $MX --seed 1 --timeout 30 $ea >"$TP_TMP/$name.a" 2>&1 &
    pids+=($!)
  fi
  if [ "$tb" = server ]; then
    port=$(j "$TP_TMP/$name.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
    $P $S connect 10.211.0.1 "$port" --bytes $MX --seed 2 --timeout 30 $eb >"$TP_TMP/$name.b" 2>&1 &
    pids+=($!)
  fi
  wait "${pids[@]}"
  echo "#   a: $(cut -c1-200 "$TP_TMP/$name.a")"
  echo "#   b: $(cut -c1-200 "$TP_TMP/$name.b")"
  j "$TP_TMP/$name.a" "d['recv']==$MX and d['recv_sha']=='$MXB' and d['sent']==$MX and d['end']=='eof'" |
    grep -q True || ok=1
  j "$TP_TMP/$name.b" "d['recv']==$MX and d['recv_sha']=='$MXA' and d['sent']==$MX and d['end']=='eof'" |
    grep -q True || ok=1
  # a TLS far end saw dp's certificate
  if [ "$la" != none ]; then [ "$(j "$TP_TMP/$name.a" 'd["peer_fp"]')" = "$(fphex dp)" ] || ok=1; fi
  if [ "$lb" != none ]; then [ "$(j "$TP_TMP/$name.b" 'd["peer_fp"]')" = "$(fphex dp)" ] || ok=1; fi
  [ $ok = 0 ] && gone "$name" 'fin\|close_notify'
}
COMBOS=("client none server none" "server none client server" "server none client client"
        "client server client none" "server server server server" "client server client client"
        "server client server none" "client client server server" "server client server client")
# matrix_all WHAT: the nine at once (each its own context and ports), then
# judged one by one in order: "WHAT, roles: ...: byte-exact, both legs down"
matrix_all() {
  local what=$1 i=0 combo pids=() mb=$((MX / 1000000))
  for combo in "${COMBOS[@]}"; do
    # shellcheck disable=SC2086
    ( matrix $i $combo >"$TP_TMP/matrix.$i.out" 2>&1; echo $? >"$TP_TMP/matrix.$i.rc" ) &
    pids+=($!); i=$((i + 1))
  done
  wait "${pids[@]}"
  i=0
  for combo in "${COMBOS[@]}"; do
    # shellcheck disable=SC2086
    set -- $combo
    cat "$TP_TMP/matrix.$i.out"
    tp_check "${what}roles: leg a TCP $1 TLS $2, leg b TCP $3 TLS $4: $mb MB each way byte-exact, both legs down" \
      test "$(cat "$TP_TMP/matrix.$i.rc" 2>/dev/null)" = 0
    i=$((i + 1))
  done
}
matrix_all ""

# IPv6 on both legs (1 MB each way, plain)
rm -f "$TP_TMP/ready"
$P $S listen fd00:211::2 5000 --bytes 1000000 --seed 2 --timeout 30 --ready "$TP_TMP/ready" >"$TP_TMP/v6.peer" 2>&1 &
ppid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
create v6 --a 'tcp=server,local=fd00:210::1,remote=fd00:210::2' --b 'tcp=client,remote=[fd00:211::2]:5000'
$C $S connect fd00:210::1 "$(ctx_port v6)" --bytes 1000000 --seed 1 --timeout 30 >"$TP_TMP/v6.ue" 2>&1
wait $ppid
tp_check "IPv6 legs: 1 MB each way byte-exact" \
  test "$(j "$TP_TMP/v6.ue" 'd["recv_sha"]') $(j "$TP_TMP/v6.peer" 'd["recv_sha"]')" = "$(shaof 2 1000000) $(shaof 1 1000000)"
tp_check "... released by FIN" gone v6 fin fin fin

# A slow receiver slows its sender: the peer reads nothing for 5 s while
# the UE sends 20 MB; dp stops reading the UE once the peer's receive
# buffer (64 KB, fixed) and dp's send queue to it are full (bytes read
# from legs stand still, well under the 20 MB), then everything arrives
# intact.
rm -f "$TP_TMP/ready"
# (5 s from its accept, which comes when the context is created: with 3,
# a slow machine's two samples reached its first reads, 1.3 MB read by
# the second)
$P $S listen 10.211.0.2 5000 --pause-read 5 --rcvbuf 65536 --timeout 60 --ready "$TP_TMP/ready" >"$TP_TMP/slow.peer" 2>&1 &
ppid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
splice_in() { echo $(( $(tp_stat "$(tp_stats "splice worker=0")" bytes_in) + $(tp_stat "$(tp_stats "splice worker=1")" bytes_in) )); }
b0=$(splice_in)
create slow --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port slow)" --bytes 20000000 --seed 1 --timeout 60 >"$TP_TMP/slow.ue" 2>&1 &
uepid=$!
# Half-second samples until two a second apart agree (the buffers full:
# on a loaded machine the UE may take a while to start), within the
# peer's pause.
b1=-1; b2=$(splice_in); t=0
while [ "$b1" != "$b2" ] && [ $t -lt 8 ]; do
  sleep 0.5; t=$((t + 1))
  [ $((t % 2)) -eq 0 ] && { b1=$b2; b2=$(splice_in); }
done
wait $uepid; wait $ppid
tp_check "a receiver that does not read: dp reads its sender only as far as the receiver takes ($((b2 - b0)) bytes read, still after $((t / 2)) s, of 20 MB)" \
  test "$((b2 - b0))" -lt 1000000 -a "$b1" = "$b2"
tp_check "... the sender was held until the receiver read (its 20 MB took $(j "$TP_TMP/slow.ue" 'd["secs"]') s, the pause 5 s)" \
  python3 -c "import sys; sys.exit(0 if $(j "$TP_TMP/slow.ue" 'd["secs"]') >= 3.0 else 1)"
tp_check "... then all 20 MB arrived intact ($(cut -c1-100 "$TP_TMP/slow.peer"))" \
  test "$(j "$TP_TMP/slow.peer" 'd["recv"], d["recv_sha"]')" = "20000000 $(shaof 1 20000000)"

# ---- B. release causes ---------------------------------------------------------
# one UE + peer pair: legs given, the peer listening, the UE run by the caller
peer_bg() { rm -f "$TP_TMP/ready"; $P $S listen 10.211.0.2 5000 --timeout 20 --ready "$TP_TMP/ready" "$@" >"$TP_TMP/peer.out" 2>&1 & PEER=$!; for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done; }

# close_notify: the UE's TLS stream ends first (after 1000 bytes); our
# certificate for this context is one of agw.certificates
peer_bg --hold
create cn --a "tcp=server,tls=server,local=10.210.0.1,fp=$(fp ue),cert=msrp" --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port cn)" --bytes 1000 --close-first --timeout 20 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/cn.ue" 2>&1
wait $PEER
tp_check "a context's own certificate (agw.certificates 'msrp'): the UE saw it, cp answered its fingerprint" \
  test "$(j "$TP_TMP/cn.ue" 'd["peer_fp"]') $(j "$TP_TMP/cn.json" 'd["legs"][0]["fingerprint"]')" = \
  "$(fphex msrp) $(fp msrp)"
tp_check "close_notify from the UE: released close_notify, the peer got its 1000 bytes and EOF" \
  gone cn close_notify close_notify fin
tp_check "... (peer: $(cut -c1-120 "$TP_TMP/peer.out"))" \
  test "$(j "$TP_TMP/peer.out" 'd["recv"], d["end"]')" = "1000 eof"

# rst: the UE resets once it has some of the peer's bytes
peer_bg --bytes 2000000
create rst --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port rst)" --rst-after 1000 --timeout 20 >"$TP_TMP/rst.ue" 2>&1
wait $PEER
tp_check "RST from the UE: released rst, the other leg reset (other_leg)" gone rst rst rst other_leg
tp_check "... the peer's connection was reset ($(cut -c1-150 "$TP_TMP/peer.out"))" \
  grep -q '"end": "reset"\|"send_error": "reset"' "$TP_TMP/peer.out"

# connect_failed: nothing listens where the client leg connects
create cf --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=client,remote=10.211.0.2:5999'
tp_check "a client leg refused: released connect_failed, the waiting server leg down too" \
  gone cf connect_failed other_leg connect_failed
tp_check "... the cause says who refused" grep -q 'connection refused (TCP with 10.211.0.2:5999)' "$TP_TMP/cf.events"

# tls_handshake: the UE's certificate is not the one signalled
peer_bg
create fpbad --a "tcp=server,tls=server,local=10.210.0.1,remote=10.210.0.2,fp=$(fp other)" --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port fpbad)" --bytes 1000 --timeout 20 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/fpbad.ue" 2>&1
wait $PEER
tp_check "a wrong fingerprint from the signalled remote: released tls_handshake, the leg says fingerprint_mismatch" \
  gone fpbad tls_handshake tls_handshake other_leg
tp_check "... naming the certificate the UE presented" \
  grep -qi "fingerprint_mismatch: the peer's certificate is $(fp ue)" "$TP_TMP/fpbad.events"
tp_check "... the UE was refused ($(cut -c1-120 "$TP_TMP/fpbad.ue"))" \
  grep -q 'ssl_error\|handshake\|reset' "$TP_TMP/fpbad.ue"

# the UE's sha-256 and another certificate's sha-1: the other
# certificate presented is refused, its sha-1 beside a sha-256 not compared
peer_bg
create fpmix --a "tcp=server,tls=server,local=10.210.0.1,remote=10.210.0.2,fp=$(fp ue),fp=$(fp1 other)" \
  --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port fpmix)" --bytes 1000 --timeout 20 \
  --tls-cert "$TP_TMP/other.pem" --tls-key "$TP_TMP/other.key" >"$TP_TMP/fpmix.ue" 2>&1
wait $PEER
tp_check "the UE's sha-256 and another's sha-1 signalled, the other presented: tls_handshake" \
  gone fpmix tls_handshake tls_handshake other_leg
tp_check "... the leg says its sha-1 was not compared" \
  grep -qi "fingerprint_mismatch: the peer's certificate is $(fp other), none of the 1 sha-256 signalled; the 1 of a weaker hash not compared" \
  "$TP_TMP/fpmix.events"

# sha-1 alone, agw.allow_sha1 off: refused at create, saying what to do
! create sha1only --a "tcp=server,tls=server,local=10.210.0.1,fp=$(fp1 ue)" \
  --b 'tcp=client,remote=10.211.0.2:5000' >/dev/null
tp_check "only a sha-1 fingerprint: agw.create refused ($(cut -c1-160 "$TP_TMP/sha1only.err"))" \
  grep -q "only sha-1 fingerprints given, and agw.allow_sha1 is off.*set agw.allow_sha1 = true" \
  "$TP_TMP/sha1only.err"

# the peer's fatal alert: openssl s_client does not trust our certificate
peer_bg
create alert --a "tcp=server,tls=server,local=10.210.0.1,remote=10.210.0.2,fp=$(fp ue)" --b 'tcp=client,remote=10.211.0.2:5000'
echo | $C timeout 10 openssl s_client -connect "10.210.0.1:$(ctx_port alert)" -CAfile "$TP_TMP/other.pem" \
  -verify_return_error -cert "$TP_TMP/ue.pem" -key "$TP_TMP/ue.key" >"$TP_TMP/alert.ue" 2>&1
wait $PEER
tp_check "the UE's fatal alert (s_client: unknown CA): released tls_handshake, peer_alert" \
  gone alert tls_handshake tls_handshake other_leg
tp_check "... the alert named" grep -q 'peer_alert: unknown CA (48)' "$TP_TMP/alert.events"

# tls_error: a record that fails authentication after the handshake
peer_bg --bytes 100000
create badrec --a "tcp=server,tls=server,local=10.210.0.1,fp=$(fp ue)" --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port badrec)" --garbage-after 1000 --timeout 20 \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" >"$TP_TMP/badrec.ue" 2>&1
wait $PEER
tp_check "a bad record after the handshake: released tls_error, the other leg reset" \
  gone badrec tls_error tls_error other_leg

# controller: both legs up and quiet, then released by turnpikectl
peer_bg --hold
create ctl --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port ctl)" --timeout 20 --hold >"$TP_TMP/ctl.ue" 2>&1 &
ue=$!
legs_up ctl
tp_check "the controller's release: turnpikectl agw release" tp_ctl agw release "$(ctx_id ctl)"
wait $ue; wait $PEER
tp_check "... released controller, both legs down" gone ctl controller controller controller
tp_check "... both ends saw EOF (FIN)" test "$(j "$TP_TMP/ctl.ue" 'd["end"]') $(j "$TP_TMP/peer.out" 'd["end"]')" = "eof eof"

# cp restarted: the contexts dp holds come back to it (AGW_STATE, before
# the worker's STATE_DONE), legs up as they are; the controller releases
# one through the new cp
peer_bg --hold
create cpr --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port cpr)" --timeout 20 --hold >"$TP_TMP/cpr.ue" 2>&1 &
ue=$!
legs_up cpr
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp restarted: it has the context back from dp, both legs up" legs_up cpr
tp_check "... and releases it (controller)" tp_ctl agw release "$(ctx_id cpr)"
wait $ue; wait $PEER
tp_check "... released controller, both ends saw EOF" \
  test "$(released cpr | grep -c 'released cause=controller') $(j "$TP_TMP/cpr.ue" 'd["end"]') $(j "$TP_TMP/peer.out" 'd["end"]')" = "1 eof eof"

# setup_timeout: two server legs nobody connects to, 1 s to come up
create st --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=server,local=10.211.0.1,remote=10.211.0.2' --setup-timeout 1
tp_check "no leg up within the setup time: released setup_timeout" gone st setup_timeout setup_timeout setup_timeout

# ---- C. many at once ---------------------------------------------------------------
$P python3 "$HERE/lib/agw_many.py" peer 10.211.0.2 6000 "$MANY" >"$TP_TMP/many.peer" 2>&1 &
mpeer=$!
# the peer listens before the first context's client leg connects (a
# fixed 0.3 s was not enough on a slow machine: 3 of 1000 refused)
tp_need tp_wait_listen "$TP_NS_P" tcp 10.211.0.2 6000 "$mpeer" "the contexts' TCP peer"
tp_check "$MANY contexts created through cp's API" \
  python3 "$HERE/lib/agw_many.py" create "$TP_TMP/cp.sock" "$MANY" 10.211.0.2 6000 "$TP_TMP/many.ports"
$C python3 "$HERE/lib/agw_many.py" client 10.210.0.1 "$TP_TMP/many.ports" "$TP_TMP/many.hold" \
  >"$TP_TMP/many.ue" 2>"$TP_TMP/many.ue.err" &
mue=$!
for _ in $(seq 600); do [ -f "$TP_TMP/many.hold.up" ] && break; sleep 0.1; done
st=$(tp_ctl --json status)
sleep 0.3
# when the legs' first certificate expires: agw.certificates' msrp (1 day)
# before the tls group's (2), on both workers; no TURN over TLS here
msrp_end=$(date -u -d "$(openssl x509 -in "$TP_TMP/msrp.pem" -noout -enddate | cut -d= -f2)" +%s)
tp_check "cp shows the legs' first certificate to expire, msrp's, on both workers ($msrp_end)" \
  python3 -c 'import json,sys; w=json.loads(sys.argv[1])["workers"]; t=[x["dp"]["tls"] for x in w]
sys.exit(0 if len(t) == 2 and all(x["leg_certificate_not_after"] == int(sys.argv[2]) and x["certificate_not_after"] == 0 for x in t) else 1)' "$st" "$msrp_end"
msrp_day=$(date -u -d "@$msrp_end" '+%Y-%m-%d %H:%M:%S')
tp_check "... dp warned of it at start, to be renewed with a restart, and said nothing of TURN over TLS" \
  bash -c "grep -qE \"tls: the AGW legs' first certificate to expire \\(tls.certificate or an agw.certificates one, as dp read them at start\\) expires $msrp_day UTC, in (under a day|1 day\\(s\\)); renew it and restart dp\" '$TP_DP_LOG' &&
           ! grep -q \"TURN over TLS's first\" '$TP_DP_LOG'"
out=$(tp_ctl status)
tp_check "... turnpikectl status: agw leg cert, RENEW IT; no tls cert line" \
  bash -c 'grep -q "^agw leg cert expires $1 UTC, in .* (RENEW IT)\$" <<<"$0" && ! grep -q "^tls cert" <<<"$0"' \
  "$out" "$msrp_day"
# (a file: the scrape is past an argument's 128 KiB)
curl -sf "http://$maddr/metrics" >"$TP_TMP/metrics.txt"
tp_check "... and its metrics: use=\"agw\" on both workers, no use=\"turn\"" \
  bash -c 'grep -qx "turnpike_dp_tls_certificate_expiry_timestamp_seconds{worker=\"0\",use=\"agw\"} $1" "$0" &&
           grep -qx "turnpike_dp_tls_certificate_expiry_timestamp_seconds{worker=\"1\",use=\"agw\"} $1" "$0" &&
           ! grep -q "use=\"turn\"" "$0"' "$TP_TMP/metrics.txt" "$msrp_end"
tp_check "... all $MANY at once in cp ($(python3 -c 'import json,sys; a=json.loads(sys.argv[1])["agw"]; print(a["contexts"], "contexts, per worker", a["contexts_per_worker"], "legs up", a["legs_up"])' "$st"))" \
  python3 -c 'import json,sys; a=json.loads(sys.argv[1])["agw"]; sys.exit(0 if a["contexts"] == int(sys.argv[2]) and min(a["contexts_per_worker"]) > 0 else 1)' "$st" "$MANY"
touch "$TP_TMP/many.hold"
wait $mue; wait $mpeer
cat "$TP_TMP/many.ue.err" | sed 's/^/# /'
tp_check "... every context carried its data both ways ($(cat "$TP_TMP/many.ue"))" \
  test "$(j "$TP_TMP/many.ue" 'd["ok"], d["bad"], d["eof"]')" = "$MANY 0 $MANY"
for _ in $(seq 100); do
  [ "$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["agw"]["contexts"])')" = 0 ] && break
  sleep 0.1
done
st=$(tp_ctl --json status)
tp_check "... and all released by FIN ($(python3 -c 'import json,sys; a=json.loads(sys.argv[1])["agw"]; print(a["contexts"], "left; released_by", {k: v for k, v in a["released_by"].items() if v})' "$st"))" \
  python3 -c 'import json,sys; a=json.loads(sys.argv[1])["agw"]; sys.exit(0 if a["contexts"] == 0 and a["released_by"]["fin"] >= int(sys.argv[2]) else 1)' "$st" "$MANY"

# ---- D. dp restarted, 2% loss --------------------------------------------------------
create held --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=server,local=10.211.0.1,remote=10.211.0.2' --setup-timeout 0
tp_dp_stop
ip netns del "$TP_NS_C"; ip netns del "$TP_NS_P"
write_conf "$TP_TMP/loss.conf" 'impair = { loss = 0.02; seed = 7; direction = "both"; };'
tp_dp_start "$TP_TMP/loss.conf"
tp_ctl ready --wait 20 >/dev/null
tp_check "dp restarted: the context it held released dp_restart" released_with held dp_restart
s0=$(tp_stats)
# through the loss, half as much (each lost segment costs a recovery)
MB=$((MB / 2 > 0 ? MB / 2 : 1)); N=$((MB * 1000000))
SHA1=$(shaof 1 "$N"); SHA2=$(shaof 2 "$N")
tp_check "2% loss both ways, plain to plain: $MB MB each way byte-exact" \
  transfer lplain 0 'tcp=server,local=10.210.0.1,remote=10.210.0.2' 'tcp=client,remote=10.211.0.2:5000'
tp_check "2% loss both ways, TLS to plain: $MB MB each way byte-exact" \
  transfer ltls 0 "tcp=server,tls=server,local=10.210.0.1,fp=$(fp ue)" \
  'tcp=client,remote=10.211.0.2:5000' --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key"
tp_check "2% loss both ways, TLS to TLS: $MB MB each way byte-exact" \
  transfer ltls2 1 "tcp=server,tls=server,local=10.210.0.1,fp=$(fp ue)" \
  "tcp=client,tls=client,remote=10.211.0.2:5000,fp=$(fp peer)" \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" --close-when-received
# the nine combinations of TLS roles again, through the loss, 2 MB each way
MX=2000000 MXTAG=lmx
MXA=$(shaof 1 "$MX"); MXB=$(shaof 2 "$MX")
matrix_all "2% loss, "
s1=$(tp_stats)
lost=$(( $(tp_stat "$s1" drop_impair_loss) - $(tp_stat "$s0" drop_impair_loss) ))
sw=$(tp_stats "splice worker=0"; tp_stats "splice worker=1")
tp_check "... the impairment stage lost $lost packets (retransmitted: $(tp_stats 'tcp worker=0' | tr ' ' '\n' | grep -E '^(retransmitted_segments|sack_recoveries|retransmission_timeouts)=' | paste -sd' '))" \
  test "$lost" -gt $((MB * 20))
echo "# splice: $(echo "$sw" | tr ' ' '\n' | grep -E '^(bytes_in|stalls_send_queue|held_bytes|dropped_bytes|duplex_closes|read_after_close)=' | paste -sd' ')"
read -r kr ke <<<"$(tp_tcp_kept)"
tp_check "every leg dp/tcp kept after its TCP ended (read on: $kr) was freed by the splice ($ke)" \
  test "$kr" = "$ke"
tp_check "no AGW event lost or dropped" \
  test "$( (tp_stats 'agw worker=0'; tp_stats 'agw worker=1') | tr ' ' '\n' | grep -cE '^events_(lost|dropped_no_cp_agw)=[1-9]')" = 0

echo "# test_agw: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
