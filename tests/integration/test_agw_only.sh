#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An AGW-only box: turnpike-dp and turnpike-cp with an agw group, the
# segment in the ipc group, and no turn group. The gateway works as it does
# beside TURN (test_agw.sh), TURN is really absent, and either process may
# restart.
#   A. Both binaries accept the file (--check) and start; dp says there is
#      no TURN, cp says so and serves (ready). Nothing answers a STUN
#      Binding on TURN's usual port (UDP and TCP 3478) while dp answers
#      pings; `turnpikectl status` says TURN is off, its JSON has
#      "turn": false and no realm; the metrics answer with no allocation.
#   B. Contexts through turnpikectl (cp's API), the kernel's TCP at both
#      ends (Python): plain to plain and a TLS server leg to plain,
#      AGW_ONLY_MB MB (default 5) each way at once, byte-exact by SHA-256,
#      released by FIN.
#   C. cp restarted while a context carries data and holds its legs: the
#      new cp has it back from dp (legs up), releases it, both ends got
#      every byte; a new context through the new cp carries data too.
#   D. dp restarted: the context it held is released (dp_restart) and the
#      contexts made afterwards carry data.
# On a tree whose lib/conf refuses an agw group without turn, A's first
# check fails and neither binary starts.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
MB=${AGW_ONLY_MB:-5}
N=$((MB * 1000000))
S="python3 $HERE/lib/agw_stream.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"

tp_mkcert dp ue
fp() { tp_certfp "$1"; }
fphex() { openssl x509 -in "$TP_TMP/$1.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f; }

maddr=127.0.0.1:$((20000 + $$ % 20000))
# No turn group: the segment's name in the ipc group, a cp group with
# what an AGW-only box needs (its API socket, no user store), the agw and
# tls groups.
TP_MBUFS=16383 tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"$maddr\"; };
tls = { certificate = \"$TP_TMP/dp.pem\"; private_key = \"$TP_TMP/dp.key\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20; };"
grep -q '^turn' "$TP_TMP/dp.conf" && tp_die "the file has a turn group"

# ---- A. it starts, and TURN is absent ----------------------------------------
tp_check "turnpike-dp --check and turnpike-cp --check accept an agw group without turn" \
  bash -c '"$1/dp/turnpike-dp" --config "$2" --check >"$3/dpcheck.log" 2>&1 &&
           "$1/cp/turnpike-cp" --config "$2" --check >"$3/cpcheck.log" 2>&1' _ \
  "$TP_BUILD" "$TP_TMP/dp.conf" "$TP_TMP" ||
  { sed 's/^/# /' "$TP_TMP/dpcheck.log" "$TP_TMP/cpcheck.log"; tp_die "refused"; }
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "dp linked to cp through the ipc group's segment, and says there is no TURN" \
  grep -q "shared memory '/$TP_ID' created (epoch 1); no turn group: no TURN" "$TP_DP_LOG"
tp_check "... and set up no TURN listener" bash -c '! grep -q "TURN on" "$0"' "$TP_DP_LOG"
tp_check "cp says it runs without TURN, and is ready with dp" \
  bash -c 'grep -q "no turn group (no TURN, no allocations)" "$0" && "$1" --socket "$2" ready >/dev/null' \
  "$TP_CP_LOG" "$TP_BUILD/cp/ctl/turnpikectl" "$TP_TMP/cp.sock"
tp_check "no warning about turn.ipc (the file uses the ipc group)" \
  bash -c '! grep -q "moved to the ipc group" "$0" "$1"' "$TP_DP_LOG" "$TP_CP_LOG"

# stun_probe PROTO: a STUN Binding request to dp's access address, port
# 3478, from the clients' namespace; prints what came back: "answer",
# "refused" (ICMP port unreachable or RST), "timeout"
stun_probe() {
  $C python3 - "$1" <<'PY'
import os, socket, struct, sys
req = struct.pack("!HHI12s", 0x0001, 0, 0x2112A442, os.urandom(12))
try:
    if sys.argv[1] == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1.5)
        s.connect(("10.210.0.1", 3478))
        for _ in range(2):
            s.send(req)
            try:
                d = s.recv(2048)
                print("answer" if len(d) >= 20 else "junk")
                sys.exit(0)
            except socket.timeout:
                pass
        print("timeout")
    else:
        s = socket.create_connection(("10.210.0.1", 3478), timeout=3)
        s.sendall(req)
        s.settimeout(2)
        print("answer" if len(s.recv(2048)) > 0 else "closed")
except (ConnectionRefusedError, ConnectionResetError):
    print("refused")
except socket.timeout:
    print("timeout")
PY
}
tp_check "dp answers pings on its access address (the path is there)" \
  bash -c "$C ping -c 2 -W 2 -q 10.210.0.1 >/dev/null"
u=$(stun_probe udp); t=$(stun_probe tcp)
tp_check "a STUN Binding to UDP 3478 gets no answer ($u)" test "$u" != answer -a "$u" != junk
tp_check "TCP 3478 is closed ($t)" test "$t" = refused
st=$(tp_ctl --json status)
tp_check "status --json: \"turn\": false, no realm, no allocation, ready" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d.get("turn") is False and "realm" not in d and d["allocations"] == 0 and d["ready"] and d["dp"]["running"] else 1)' "$st"
out=$(tp_ctl status)
tp_check "turnpikectl status says TURN is off" \
  grep -q '^turn         off (no turn group' <<<"$out"
# (a file: the scrape is past an argument's 128 KiB)
curl -sf "http://$maddr/metrics" >"$TP_TMP/metrics.txt"
tp_check "the metrics answer: cp ready, dp alive, no allocation" \
  bash -c 'grep -qx "turnpike_cp_ready 1" "$0" && grep -qx "turnpike_dp_alive 1" "$0" &&
           grep -q "^turnpike_allocations 0$" "$0"' "$TP_TMP/metrics.txt"

# ---- B. the gateway, end to end ------------------------------------------------
quiet() { "$@" >/dev/null; }
released() {
  tp_ctl events --id "$(ctx_id "$1")" --follow --until released --timeout 10 \
    >"$TP_TMP/$1.events" 2>&1
  grep ' released ' "$TP_TMP/$1.events"
}
released_with() { released "$1" | grep -q " released cause=$2"; }
legs_up() {
  for _ in $(seq 100); do
    tp_ctl --json agw show "$(ctx_id "$1")" >"$TP_TMP/$1.show" 2>/dev/null &&
      [ "$(j "$TP_TMP/$1.show" '[l["state"] for l in d["legs"]]')" = "['up', 'up']" ] && return 0
    sleep 0.1
  done
  return 1
}
shaof() { python3 -c "import hashlib,random,sys; print(hashlib.sha256(random.Random(int(sys.argv[1])).randbytes(int(sys.argv[2]))).hexdigest())" "$@"; }
SHA1=$(shaof 1 "$N"); SHA2=$(shaof 2 "$N")

# transfer NAME ASPEC UE_ARGS...: N bytes each way at once between a UE
# client and a peer server (10.211.0.2:5000) through a new context, both
# hashes checked, both ends' EOF
transfer() {
  local name=$1 a=$2 ok=0; shift 2
  rm -f "$TP_TMP/ready"
  $P $S listen 10.211.0.2 5000 --bytes "$N" --seed 2 --timeout 120 --ready "$TP_TMP/ready" \
    >"$TP_TMP/$name.peer" 2>&1 &
  local ppid=$!
  for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
  create "$name" --a "$a" --b 'tcp=client,remote=10.211.0.2:5000' || { kill $ppid; return 1; }
  $C $S connect 10.210.0.1 "$(ctx_port "$name")" --bytes "$N" --seed 1 --timeout 120 "$@" \
    >"$TP_TMP/$name.ue" 2>&1
  wait $ppid
  echo "#   ue:   $(cut -c1-200 "$TP_TMP/$name.ue")"
  echo "#   peer: $(cut -c1-200 "$TP_TMP/$name.peer")"
  j "$TP_TMP/$name.ue" "d['recv']==$N and d['recv_sha']=='$SHA2' and d['sent']==$N and d['end']=='eof'" |
    grep -q True || ok=1
  j "$TP_TMP/$name.peer" "d['recv']==$N and d['recv_sha']=='$SHA1' and d['sent']==$N and d['end']=='eof'" |
    grep -q True || ok=1
  return $ok
}

tp_check "plain to plain: $MB MB each way byte-exact" \
  transfer plain 'tcp=server,local=10.210.0.1,remote=10.210.0.2'
tp_check "... released by FIN" released_with plain fin
tp_check "TLS server leg to plain: $MB MB each way byte-exact" \
  transfer tls "tcp=server,tls=server,local=10.210.0.1,fp=$(fp ue)" \
  --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key"
tp_check "... the UE saw dp's certificate" test "$(j "$TP_TMP/tls.ue" 'd["peer_fp"]')" = "$(fphex dp)"
tp_check "... released" released_with tls 'fin\|close_notify'

# ---- C. cp restarted under a live context ------------------------------------
# Both ends send MX bytes and hold their stream until the other's ends: the
# context stays up across the restart, and the new cp ends it.
MX=1000000
$P $S listen 10.211.0.2 5000 --bytes "$MX" --seed 2 --hold --timeout 60 --ready "$TP_TMP/ready.c" \
  >"$TP_TMP/cpr.peer" 2>&1 &
peer=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready.c" ] && break; sleep 0.1; done
create cpr --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' --b 'tcp=client,remote=10.211.0.2:5000'
$C $S connect 10.210.0.1 "$(ctx_port cpr)" --bytes "$MX" --seed 1 --hold --timeout 60 \
  >"$TP_TMP/cpr.ue" 2>&1 &
ue=$!
tp_check "a context with both legs up before cp's restart" legs_up cpr
old_epoch=$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["cp_starts"])')
tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
st=$(tp_ctl --json status)
tp_check "cp restarted (start $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["cp_starts"])' "$st") after $old_epoch) and ready, still without TURN" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["ready"] and d.get("turn") is False and d["cp_starts"] > int(sys.argv[2]) else 1)' "$st" "$old_epoch"
tp_check "... it has the context back from dp, both legs up" legs_up cpr
tp_check "... and releases it (controller)" quiet tp_ctl agw release "$(ctx_id cpr)"
wait $ue; wait $peer
echo "#   ue:   $(cut -c1-200 "$TP_TMP/cpr.ue")"
echo "#   peer: $(cut -c1-200 "$TP_TMP/cpr.peer")"
MXA=$(shaof 1 "$MX"); MXB=$(shaof 2 "$MX")
tp_check "... both ends got every byte of the other, then EOF" \
  test "$(j "$TP_TMP/cpr.ue" "d['recv']==$MX and d['recv_sha']=='$MXB' and d['end']=='eof'") $(j "$TP_TMP/cpr.peer" "d['recv']==$MX and d['recv_sha']=='$MXA' and d['end']=='eof'")" = "True True"
tp_check "... released controller" released_with cpr controller
tp_check "the new cp's context: $MB MB each way byte-exact" \
  transfer after_cp 'tcp=server,local=10.210.0.1,remote=10.210.0.2'

# ---- D. dp restarted ---------------------------------------------------------
create held --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' \
  --b 'tcp=server,local=10.211.0.1,remote=10.211.0.2' --setup-timeout 0
tp_dp_stop
ip netns del "$TP_NS_C"; ip netns del "$TP_NS_P"
tp_dp_start "$TP_TMP/dp.conf"
tp_check "dp restarted: cp and dp ready again" quiet tp_ctl ready --wait 20
tp_check "... the context the old dp held released dp_restart" released_with held dp_restart
tp_check "after dp's restart: $MB MB each way byte-exact" \
  transfer after_dp 'tcp=server,local=10.210.0.1,remote=10.210.0.2'
tp_check "no AGW event lost or dropped" \
  test "$( (tp_stats 'agw worker=0'; tp_stats 'agw worker=1') | tr ' ' '\n' | grep -cE '^events_(lost|dropped_no_cp_agw)=[1-9]')" = 0
tp_check "cp handled every message dp sent (ipc_unhandled 0)" \
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["stats"]["ipc_unhandled"] == 0 else 1)' "$(tp_ctl --json status)"

echo "# test_agw_only: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
