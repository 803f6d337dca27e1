#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dp/tcp's timers that give up, the kernel's TCP as the
# peer in the clients' namespace, short timeouts in the configuration:
#   - a peer of dp's diagnostic echo fills both windows and stops reading:
#     dp holds what it sent and what it cannot echo back, and probes the
#     closed window; while the kernel answers the probes the connection
#     lives past dp.tcp_user_timeout (RFC 1122 §4.2.2.17); then the peer
#     vanishes (nft drops what goes to and from its port) and the connection
#     ends within the user timeout of its last answer (ended_user_timeout,
#     persist_gave_up), its held bytes back to the worker;
#   - a TURN-over-TCP client that asked one Binding request and stays
#     silent lives while the kernel answers dp's keepalives
#     (turn.tcp_keepalive); once it vanishes, keepalive ends it;
#   - an AGW context whose core peer stops reading is released by the
#     controller: dp closes the peer's leg with data still unsent behind
#     a closed window, an orphan; though the peer answers every probe, it
#     ends at dp.tcp_orphan_timeout and its bytes go back to the worker.
# Without those timers all three connections would stay for good.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
S="python3 $HERE/lib/agw_stream.py"
PEER="python3 $HERE/lib/tcp_timers_peer.py"
UT=5          # dp.tcp_user_timeout, s
KI=2 KN=2     # turn.tcp_keepalive: idle 2 s, interval 1 s, 2 probes
OT=3          # dp.tcp_orphan_timeout, s

tp_write_conf "$TP_TMP/dp.conf" "0" \
  "diag_tcp_echo_port = 7; tcp_user_timeout = $UT; tcp_orphan_timeout = $OT;" "" "" \
  "$(tp_turn_groups "" "tcp_allocate_timeout = 0; tcp_first_message = 30;
       tcp_keepalive = { idle = $KI; interval = 1; count = $KN; };")
agw = { ports = [20000, 20999]; max_contexts = 16; setup_timeout = 20; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
$C ping -c 2 -i 0.1 -W 1 -q 10.210.0.1 >/dev/null
st() { tp_stats "tcp worker=0"; }
# drop_on PORT: the clients' namespace sends nothing to dp's PORT and takes
# nothing from it (the peer on it vanishes; the other one stays)
drop_on() {
  $C nft -f - <<NFT
table inet tptimers$1 {
  chain in { type filter hook input priority 0; tcp sport $1 drop; }
  chain out { type filter hook output priority 0; tcp dport $1 drop; }
}
NFT
}
drop_off() { $C nft delete table inet tptimers$1; }
# wait_for T0 SECONDS KEY MIN: poll dp's tcp line until KEY >= MIN; prints
# the seconds since T0 (date +%s.%N) it took (SECONDS + 1: never)
wait_for() {
  local t0=$1 until=$((SECONDS + $2))
  while [ "$SECONDS" -le "$until" ]; do
    if [ "$(tp_stat "$(st)" "$3")" -ge "$4" ]; then
      python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" \
        "$t0" "$(date +%s.%N)"
      return 0
    fi
    sleep 0.3
  done
  echo $(($2 + 1))
  return 1
}
le() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)" "$1" "$2"; }

# ---- the user timeout: a peer that fills our window, stops reading, vanishes;
# ---- keepalive: a TURN-over-TCP client that goes silent, then vanishes
# (side by side: each is mostly a wait; each vanishes by its own port)
s0=$(st)
rm -f "$TP_TMP/fill.ready"
$C $PEER fill 10.210.0.1 7 "$TP_TMP/fill.ready" >"$TP_TMP/fill.out" 2>&1 &
TP_PEER_PID=$!
for _ in $(seq 150); do [ -f "$TP_TMP/fill.ready" ] && break; sleep 0.1; done
[ -f "$TP_TMP/fill.ready" ] || tp_die "the filling peer did not fill: $(cat "$TP_TMP/fill.out")"
s1=$(st)
held=$(tp_stat "$s1" held)
echo "# filled: $(cat "$TP_TMP/fill.out"); dp holds $held bytes, conns=$(tp_stat "$s1" conns)"
tp_check "the peer filled both windows: dp holds its data (held=$held)" \
  test "$held" -ge 100000 -a "$(tp_stat "$s1" conns)" -eq 1
rm -f "$TP_TMP/turn.ready"
$C $PEER turn 10.210.0.1 3478 "$TP_TMP/turn.ready" >"$TP_TMP/turn.out" 2>&1 &
turnpid=$!
for _ in $(seq 100); do [ -f "$TP_TMP/turn.ready" ] && break; sleep 0.1; done
[ -f "$TP_TMP/turn.ready" ] || tp_die "the TURN client was not answered: $(cat "$TP_TMP/turn.out")"
k0=$(tp_stat "$(st)" keepalive_probes)
sleep $(( UT + 3 > KI + KN + 4 ? UT + 3 : KI + KN + 4 ))
s2=$(st)
tp_check "the peer answers the window probes: alive past the user timeout ($(tp_stat "$s2" window_probes) probes)" \
  test "$(tp_stat "$s2" conns)" -eq $((1 + $(tp_stat "$s2" conns_turn))) \
  -a "$(tp_stat "$s2" ended_user_timeout)" -eq 0 \
  -a "$(tp_stat "$s2" window_probes)" -gt "$(tp_stat "$s0" window_probes)"
tp_check "a silent TURN client whose kernel answers keepalives lives ($(( $(tp_stat "$s2" keepalive_probes) - k0 )) probes)" \
  test "$(tp_stat "$s2" conns_turn)" -eq 1 -a "$(tp_stat "$s2" ended_keepalive)" -eq 0 \
  -a "$(tp_stat "$s2" keepalive_probes)" -ge $((k0 + 2))
drop_on 7 || tp_die "nft"
t_fill=$(date +%s.%N)
drop_on 3478 || tp_die "nft"
t_turn=$(date +%s.%N)
took=$(wait_for "$t_fill" $((UT * 3)) ended_user_timeout 1)
took_k=$(wait_for "$t_turn" $(( (KI + KN) * 4 + 5)) ended_keepalive 1)
s3=$(st)
echo "# vanished peer: ended after ${took} s; $s3" | cut -c1-300
tp_check "the vanished peer's connection ended by the user timeout ($UT s) in ${took} s" \
  le "$took" $((UT + 5))
tp_check "... counted (ended_user_timeout, persist_gave_up, close_user_timeout)" \
  test "$(tp_stat "$s3" ended_user_timeout)" -eq 1 -a "$(tp_stat "$s3" persist_gave_up)" -eq 1 \
  -a "$(tp_stat "$s3" close_user_timeout)" -eq 1
tp_check "... and its held bytes went back to the worker (held=$(tp_stat "$s3" held), conns=$(tp_stat "$s3" conns))" \
  test "$(tp_stat "$s3" held)" -eq 0 -a "$(tp_stat "$s3" conns)" -eq 0
tp_check "once it vanished, keepalive ended the TURN client (idle $KI s + $KN probes) within ${took_k} s" \
  le "$took_k" $((KI + KN + 6))
tp_check "... counted (ended_keepalive, close_keepalive), its slot free (conns_turn=$(tp_stat "$s3" conns_turn))" \
  test "$(tp_stat "$s3" ended_keepalive)" -eq 1 -a "$(tp_stat "$s3" close_keepalive)" -eq 1 \
  -a "$(tp_stat "$s3" conns_turn)" -eq 0
kill "$TP_PEER_PID" "$turnpid" 2>/dev/null; wait "$TP_PEER_PID" "$turnpid" 2>/dev/null; TP_PEER_PID=
drop_off 7; drop_off 3478

# ---- orphans: an AGW leg closed with data unsent to a peer that reads nothing
rm -f "$TP_TMP/ready"
$P $S listen 10.211.0.2 5000 --pause-read 60 --rcvbuf 16384 --timeout 60 \
  --ready "$TP_TMP/ready" >"$TP_TMP/core.out" 2>&1 &
cpid=$!
for _ in $(seq 50); do [ -f "$TP_TMP/ready" ] && break; sleep 0.1; done
tp_ctl --json agw create --a 'tcp=server,local=10.210.0.1,remote=10.210.0.2' \
  --b 'tcp=client,remote=10.211.0.2:5000' >"$TP_TMP/agw.json" || tp_die "agw create failed"
$C $S connect 10.210.0.1 "$(j "$TP_TMP/agw.json" 'd["legs"][0]["local"].rsplit(":",1)[1]')" \
  --bytes 3000000 --seed 1 --timeout 30 >"$TP_TMP/ue.out" 2>&1 &
uepid=$!
sleep 3
s6=$(st)
tp_check "the core peer reads nothing: dp holds what the UE sent ($(tp_stat "$s6" held) bytes, conns_agw=$(tp_stat "$s6" conns_agw))" \
  test "$(tp_stat "$s6" held)" -ge 50000 -a "$(tp_stat "$s6" conns_agw)" -eq 2
tp_ctl agw release "$(j "$TP_TMP/agw.json" 'd["id"]')" >/dev/null || tp_die "agw release failed"
sleep 0.5
s7=$(st)
took=$(wait_for "$(date +%s.%N)" $((OT * 4 + 5)) ended_orphan_timeout 1)
s8=$(st)
echo "# orphan: conns_agw $(tp_stat "$s7" conns_agw) after the release, held $(tp_stat "$s7" held); ended after ${took} s more"
tp_check "the released context's core leg (closed, data unsent, the peer answering probes) ended by the orphan timeout ($OT s without progress, from when its window closed) ${took} s after the release" \
  le "$took" $((OT + 5))
tp_check "... counted (ended_orphan_timeout, close_orphan_timeout), its held bytes back (held=$(tp_stat "$s8" held), conns_agw=$(tp_stat "$s8" conns_agw))" \
  test "$(tp_stat "$s8" ended_orphan_timeout)" -eq 1 -a "$(tp_stat "$s8" close_orphan_timeout)" -eq 1 \
  -a "$(tp_stat "$s8" held)" -eq 0 -a "$(tp_stat "$s8" conns_agw)" -eq 0
kill "$cpid" "$uepid" 2>/dev/null; wait "$cpid" "$uepid" 2>/dev/null

tp_check "SIGTERM stops dp with status 0" tp_dp_stop
[ $TP_FAILS -eq 0 ]
