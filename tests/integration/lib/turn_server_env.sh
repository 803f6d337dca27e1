# SPDX-License-Identifier: BSD-3-Clause
# The TURN server under test, for tests that should also be checkable
# against a reference server. Source after dp_env.sh; call tp_env_init,
# then tw_server_start.
#
# TP_TURN_SERVER=turnpike (default): turnpike-dp and turnpike-cp on the
#   topology of dp_env.sh (tp_write_conf, tp_turn_groups, user test/test,
#   realm turnpike.test).
# TP_TURN_SERVER=coturn: coturn's turnserver with the same addresses, so
#   that a test's own logic can be checked against a server known to do
#   what the test expects: a third namespace tp<pid>s holds turnserver and
#   two veth pairs, 10.210.0.1 / fd00:210::1 towards the clients' namespace
#   (listening, UDP and TCP 3478) and 10.211.0.1 / fd00:211::1 towards the
#   peers' namespace (relayed addresses, ports 50000-50999).
#
# TW_COTURN_ARGS: more of turnserver's options (e.g. --mobility).
# Sets TW_SERVER (turnpike or coturn), TW_TCP (1 when the server has TURN
# over TCP) and TW_SERVER_LOG.

tw_server_start() {
  TW_SERVER=${TP_TURN_SERVER:-turnpike}
  case $TW_SERVER in
  turnpike)
    TW_TCP=1     # TURN over TCP (dp/tcp; RFC 6062 not yet)
    tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)"
    tp_dp_start "$TP_TMP/dp.conf"
    tp_cp_start "$TP_TMP/dp.conf"
    TW_SERVER_LOG=$TP_DP_LOG
    ;;
  coturn)
    TW_TCP=1
    tw_coturn_start
    ;;
  *)
    tp_die "TP_TURN_SERVER=$TW_SERVER: turnpike or coturn"
    ;;
  esac
  echo "# TURN server: $TW_SERVER"
}

tw_coturn_start() {
  command -v turnserver >/dev/null || tp_die "turnserver missing (tools/bootstrap installs coturn)"
  TW_NS_S=${TP_ID}s
  TW_TURNSERVER_PID=
  trap tw_cleanup EXIT
  ip netns add "$TP_NS_C"; ip netns add "$TP_NS_P"; ip netns add "$TW_NS_S"
  ip link add "$TP_IF_A" type veth peer name "${TP_ID}x" || tp_die "cannot create veth"
  ip link add "$TP_IF_K" type veth peer name "${TP_ID}y" || tp_die "cannot create veth"
  tp_ns_attach "$TW_NS_S" "$TP_IF_A" 10.210.0.1/24 fd00:210::1/64
  tp_ns_attach "$TW_NS_S" "$TP_IF_K" 10.211.0.1/24 fd00:211::1/64
  tp_ns_attach "$TP_NS_C" "${TP_ID}x" 10.210.0.2/24 fd00:210::2/64
  tp_ns_attach "$TP_NS_P" "${TP_ID}y" 10.211.0.2/24 fd00:211::2/64
  TW_SERVER_LOG=$TP_TMP/turnserver.log
  ip netns exec "$TW_NS_S" turnserver -n --no-cli --no-tls --no-dtls \
    --listening-ip 10.210.0.1 --listening-ip fd00:210::1 --listening-port 3478 \
    --relay-ip 10.211.0.1 --relay-ip fd00:211::1 --min-port 50000 --max-port 50999 \
    --lt-cred-mech --user test:test --user other:other --realm turnpike.test \
    --db "$TP_TMP/turndb" --pidfile "$TP_TMP/turnserver.pid" \
    --log-file stdout --simple-log ${TW_COTURN_ARGS:-} >"$TW_SERVER_LOG" 2>&1 &
  TW_TURNSERVER_PID=$!
  for _ in $(seq 50); do
    ip netns exec "$TW_NS_S" ss -lun 2>/dev/null | grep -q '10.210.0.1:3478' && return 0
    kill -0 "$TW_TURNSERVER_PID" 2>/dev/null || { cat "$TW_SERVER_LOG"; tp_die "turnserver exited during start"; }
    sleep 0.1
  done
  tp_die "turnserver did not listen in 5 s"
}

tw_cleanup() {
  local rc=$?
  if [ -n "${TW_TURNSERVER_PID:-}" ]; then
    kill -TERM "$TW_TURNSERVER_PID" 2>/dev/null && wait "$TW_TURNSERVER_PID" 2>/dev/null
  fi
  ip netns del "${TW_NS_S:-none}" 2>/dev/null
  (exit $rc)
  tp_cleanup
}
