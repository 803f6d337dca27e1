#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 6062 (TURN-TCP) through dp, two workers. coturn's turnutils_uclient
# -T (TCP relaying) client to client (-y: each allocation Connects to the
# other's relayed transport address, so the peer connections run relay to
# relay inside dp and both ConnectionAttempt and ConnectionBind happen),
# plain and over TLS (-S), several sessions: a data connection lands on
# either worker, its peer connection on its allocation's, and moves to the
# data connection's when they differ. Pass: every message sent came back,
# 0 lost; peer connections moved across workers on the way (moved_out in
# dp's statistics). TP_TURN_SERVER=coturn runs the plain batch against
# coturn's turnserver, a check of the test itself. With TP_ASYNCPROV_SO
# (and TP_ASYNCPROV_RECORDS) dp's TLS runs on the asynchronous test
# provider, and only the TLS batch runs: the client's data connections are
# TLS legs of the relay's splices, their records on the "card" (a leg whose
# TCP ends while its last records are there is read on to its end).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/turn_server_env.sh"
. "$HERE/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
start=$SECONDS

tcp_c2c() {
  local what=$1; shift
  tp_uclient "$what" 90 -y -T -u test -w test "$@" 10.210.0.1
}

if [ "${TP_TURN_SERVER:-turnpike}" = coturn ]; then
  tw_server_start
  tcp_c2c "TCP relay, client to client (-T -y -m 8 -n 50)" -t -m 8 -n 50 -l 120
  echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
  [ $TP_FAILS -eq 0 ]
  exit
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=turn.test" -keyout "$TP_TMP/key.pem" -out "$TP_TMP/cert.pem" \
  >"$TP_TMP/req.out" 2>&1 || tp_die "openssl req failed"
offload=
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  export TP_ASYNCPROV_STATS=1 TP_ASYNCPROV_DELAY_US=${TP_ASYNCPROV_DELAY_US:-200}
  offload="offload = { provider = \"$TP_ASYNCPROV_SO\"; properties = \"?provider=tpasync\"; };"
fi
tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups "" "listen_tls = [5349];")
tls = { certificate = \"$TP_TMP/cert.pem\"; private_key = \"$TP_TMP/key.pem\"; $offload };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

# dp's tcprelay counter NAME, summed over the two workers
relay_ctr() {
  local a b
  a=$(tp_stat "$(tp_stats 'tcprelay worker=0')" "$1")
  b=$(tp_stat "$(grep '^tcprelay worker=1 ' "$TP_DP_LOG" | tail -n 1)" "$1")
  echo $((a + b))
}

if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  tcp_c2c "TCP relay over TLS on the async provider${TP_ASYNCPROV_RECORDS:+ (records too)}, client to client (-T -S -y -m 8 -n 50)" \
    -S -m 8 -n 50 -l 120 -p 5349
  read -r kr ke <<<"$(tp_tcp_kept)"
  tp_check "every data connection kept after its TCP ended (read on: $kr) was freed ($ke)" \
    test "$kr" = "$ke"
  tp_check "no event to cp lost" test "$(relay_ctr events_lost)" -eq 0
  tp_check "cp stops cleanly" tp_cp_stop
  tp_check "dp stops cleanly" tp_dp_stop
  grep -h '^tpasync:' "$TP_DP_LOG" | head -n 1 | sed 's/^/# /'
  tp_check "the provider did the TLS work (tpasync ops > 0)" \
    bash -c "grep -h '^tpasync:' '$TP_DP_LOG' | grep -qE 'pauses=[1-9]'"
  echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
  [ $TP_FAILS -eq 0 ]
  exit
fi

# Request by request, with a peer in the peers' namespace (an echo server,
# and peers that connect in): lib/tcprelay_client.py, lib/tcprelay_peer.py.
mkdir -p "$TP_TMP/peer"
ip netns exec "$TP_NS_P" python3 "$HERE/lib/tcprelay_peer.py" "$TP_TMP/peer" 7000 \
  >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_need tp_wait_listen "$TP_NS_P" tcp 10.211.0.2 7000 "$TP_PEER_PID" "the TCP echo peer"
ip netns exec "$TP_NS_C" python3 "$HERE/lib/tcprelay_client.py" 10.210.0.1 "$TP_TMP/peer" \
  10.211.0.2 7000 >"$TP_TMP/client.out" 2>&1
sed 's/^/  /' "$TP_TMP/client.out" | sed 's/^  \(ok\|not ok\)/\1/'
n=$(grep -c '^not ok' "$TP_TMP/client.out"); TP_FAILS=$((TP_FAILS + n))
grep -q '^ok' "$TP_TMP/client.out" || tp_not_ok "tcprelay_client.py ran no check"
# what followed the ConnectionBinds stayed in dp's TCP for cp's answer
# (the window, then the allocation's budget): none read out and held
held=0
for wk in 0 1; do
  v=$(tp_stat "$(tp_stats "tcp_turn worker=$wk")" bind_held_bytes 2>/dev/null)
  held=$((held + ${v:-0}))
done
tp_check "no byte behind a ConnectionBind was held outside TCP for cp's answer (bind_held_bytes $held)" \
  test "$held" = 0

# cp restarts with a connection bound and one waiting for its bind
ip netns exec "$TP_NS_C" python3 "$HERE/lib/tcprelay_client.py" 10.210.0.1 "$TP_TMP/peer" \
  10.211.0.2 7000 restart >"$TP_TMP/restart.out" 2>&1 &
rpid=$!
for _ in $(seq 300); do [ -e "$TP_TMP/peer/ready" ] && break; sleep 0.1; done
tp_check "cp stops (RFC 6062 connections live)" tp_cp_stop
tp_cp_start "$TP_TMP/dp.conf"
touch "$TP_TMP/peer/restarted"
wait $rpid
sed 's/^/  /' "$TP_TMP/restart.out" | sed 's/^  \(ok\|not ok\)/\1/'
n=$(grep -c '^not ok' "$TP_TMP/restart.out"); TP_FAILS=$((TP_FAILS + n))
grep -q '^ok - after: Refresh' "$TP_TMP/restart.out" || tp_not_ok "the restart checks did not run to the end"

# The bind that never comes (30 s): started here, after cp's restart (a
# restarted cp gives a waiting connection a fresh 30 s), it waits while
# the batches below run; looked at last. (Its peer connection ends some
# 30 s on, after the byte count below: the peer's 1000 bytes sent before
# the bind are not relayed, whatever cp counts for them.)
ip netns exec "$TP_NS_C" python3 "$HERE/lib/tcprelay_client.py" 10.210.0.1 "$TP_TMP/peer" \
  10.211.0.2 7000 lazy >"$TP_TMP/lazy.out" 2>&1 &
lpid=$!
for _ in $(seq 300); do [ -e "$TP_TMP/peer/lazy-ready" ] && break; sleep 0.1; done

# traffic KIND: cp's relayed bytes "to_peer from_peer from_client
# to_client" (KIND finished or all), from turnpikectl status
traffic() {
  tp_ctl --json status | python3 -c "import json,sys; t=json.load(sys.stdin)['traffic']['$1']
print(t['bytes_to_peer'], t['bytes_from_peer'], t['bytes_from_client'], t['bytes_to_client'])"
}
read -r tp0 fp0 fc0 tc0 <<<"$(traffic all)"
t0=$SECONDS
out=$(ip netns exec "$TP_NS_C" timeout 90 turnutils_uclient -y -T -u test -w test -t -m 8 -n 50 \
  -l 120 10.210.0.1 2>&1); rc=$?
tp_uclient_verdict "TCP relay, client to client (-T -y -m 8 -n 50)" "$out" "$rc" "$t0"
# What the peer connections relayed reaches cp's traffic counters (their
# GONE events, after the allocations end or before): every message, 120
# bytes, went to a peer once and came from one once
sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
want=$(( ${sent:-0} * 120 ))
for _ in $(seq 100); do
  read -r tp1 fp1 fc1 tc1 <<<"$(traffic all)"
  [ $((tp1 - tp0)) -ge $want ] && [ $((fp1 - fp0)) -ge $want ] && break
  sleep 0.1
done
[ -n "$sent" ] && tp_check "cp counts the TCP relay's bytes (all allocations, live and ended): to peers $((tp1 - tp0)), from peers $((fp1 - fp0)), from and to clients $((fc1 - fc0)), $((tc1 - tc0)) ($sent messages of 120 B: $want)" \
  test "$want" -gt 0 -a $((tp1 - tp0)) = "$want" -a $((fp1 - fp0)) = "$want" \
    -a $((fc1 - fc0)) = "$want" -a $((tc1 - tc0)) = "$want"
tcp_c2c "TCP relay over TLS, client to client (-T -S -y -m 8 -n 50)" -S -m 8 -n 50 -l 120 -p 5349
moved=$(relay_ctr moved_out); bound=$(relay_ctr bound)
opened=$(( $(relay_ctr connected) + $(relay_ctr accepted) ))
echo "# peer connections: $opened opened (Connect and in), $bound bound, $moved moved to their data connection's worker"
tp_check "some data connections met their peer connection on the other worker" \
  test "${moved:-0}" -gt 0
tp_check "no event to cp lost" test "$(relay_ctr events_lost)" -eq 0
# the last of dp's TCP counters reaches cp (they all fit IPC_DP_TCP_MAX:
# at 192 the tcprelay ones were cut off)
tp_check "turnpikectl status shows dp's tcprelay counters, the last one too" \
  eval 'tp_ctl --json status | grep -q "tcprelay_connections"'

wait $lpid
sed 's/^/  /' "$TP_TMP/lazy.out" | sed 's/^  \(ok\|not ok\)/\1/'
n=$(grep -c '^not ok' "$TP_TMP/lazy.out"); TP_FAILS=$((TP_FAILS + n))
grep -qE '^(not )?ok - \.\.\. not before 30 s' "$TP_TMP/lazy.out" ||
  tp_not_ok "the bind that never comes: its checks did not run to the end"
touch "$TP_TMP/peer/stop"

tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
# (the peers' side, for whoever reads a failure)
[ $TP_FAILS -gt 0 ] && [ -s "$TP_TMP/peer.log" ] && sed 's/^/# peer: /' "$TP_TMP/peer.log"
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
