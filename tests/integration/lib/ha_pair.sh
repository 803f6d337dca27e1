# SPDX-License-Identifier: BSD-3-Clause
# ha_pair.sh: two turnpike boxes of an active/standby pair on one host
# (issue 69), the topology of tools/demo --ha: sourced after dp_env.sh's
# tp_env_init by tests/integration/test_ha_turn.sh and perf/ha_gap,
# perf/ha_cost (which measure on it).
#
# Box A (dp on lcore 0) and box B (dp on lcore 1), each a turnpike-dp and
# turnpike-cp with its own segment, API socket and EAL file prefix, both
# with the same service addresses (access 10.210.0.1, core 10.211.0.1).
# Their tap ports' kernel sides are given a MAC of their own (net_tap
# gives the kernel side dp's MAC, which a bridge would take as one of its
# local addresses and never forward) and joined to two Linux bridges (in a
# namespace of their own) with the client's (10.210.0.2) and the peer's
# (10.211.0.2, .3) namespaces. One redis-server holds the pair's lease;
# the two cps talk over the TLS-PSK link on 127.0.0.1/127.0.0.2.
#
# Knobs read by box_conf: HA_LEASE_MS (ha.lease_ms, 600 unless set),
# HA_GROUP (0: the box's file has no ha group: a single box, the cluster
# group kept); HA_MEDIA_CONTEXTS (agw.media_contexts, 64 unless set),
# HA_MEDIA_PORTS, HA_RELAY_PORTS, HA_AGW_PORTS ("first, last": agw.media_ports,
# turn.relay_ports, agw.ports; perf/ha_gap --contexts moves them for tens of
# thousands of contexts). By box_start: HA_CP_WRAP_A, HA_CP_WRAP_B, a command box A's
# (B's) cp runs under (perf/ha_cost --instr: valgrind's callgrind).

for p in redis-server redis-cli openssl; do
  command -v $p >/dev/null || tp_die "$p missing (tools/bootstrap installs redis-server)"
done
[ "$(nproc)" -ge 2 ] || tp_die "two boxes need two lcores"
LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CTL=$TP_BUILD/cp/ctl/turnpikectl
RPORT=$((20000 + $$ % 20000))
LPORT=$((RPORT + 1))
NS_S=${TP_ID}s
declare -A DP_PID CP_PID LC
LC[A]=0; LC[B]=1
REDIS_PID=
PIDS=()
T0=$SECONDS

ha_cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  [ -n "$REDIS_PID" ] && kill -CONT "$REDIS_PID" 2>/dev/null
  for n in A B; do
    [ -n "${CP_PID[$n]:-}" ] && kill -TERM "${CP_PID[$n]}" 2>/dev/null && wait "${CP_PID[$n]}" 2>/dev/null
    if [ -n "${DP_PID[$n]:-}" ]; then
      kill -TERM "${DP_PID[$n]}" 2>/dev/null
      for _ in $(seq 50); do kill -0 "${DP_PID[$n]}" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "${DP_PID[$n]}" 2>/dev/null
    fi
    rm -f "/dev/shm/${TP_ID}$n"
  done
  [ -n "$REDIS_PID" ] && kill -KILL "$REDIS_PID" 2>/dev/null
  ip netns del "$NS_S" 2>/dev/null
  (exit $rc); tp_cleanup
}
trap ha_cleanup EXIT

ctl() { local n=$1; shift; "$CTL" --socket "$TP_TMP/cp$n.sock" "$@"; }
# ha N EXPR: a python expression over box N's status "ha" object (as h)
ha() { ctl "$1" --json status 2>/dev/null |
       python3 -c "import json,sys; h=json.load(sys.stdin)['ha']; print($2)" 2>/dev/null; }
role() { ha "$1" "h['role']"; }
is_role() { [ "$(role "$1")" = "$2" ]; }
linked() { [ "$(ha "$1" "h['peer']['connected']")" = True ]; }
# held N COUNT [PRED]: box N holds COUNT allocations (those for which PRED,
# a python expression over one allocation of the JSON list (a), is true)
held() { [ "$(ctl "$1" --json allocations 2>/dev/null |
              python3 -c 'import json,sys; print(len([a for a in json.load(sys.stdin)["allocations"] if eval(sys.argv[1])]))' \
                "${3:-True}" 2>/dev/null)" = "$2" ]; }

# join NS IF ADDR4 ADDR6 BRIDGE: a veth from NS (IF, addressed) to BRIDGE
join() {
  ip link add "$2" type veth peer name "$2b" || tp_die "cannot create veth"
  tp_ns_attach "$1" "$2" "$3" "$4"
  ip link set "$2b" netns "$NS_S"
  ip -n "$NS_S" link set "$2b" master "$5" up
}

# ha_pair_setup: the two bridges with the client's and the peer's
# namespaces on them, a redis-server, the pair's key
ha_pair_setup() {
  # ---- the L2 segments: two bridges in a namespace of their own ----------
  ip netns add "$TP_NS_C"; ip netns add "$TP_NS_P"; ip netns add "$NS_S"
  ip netns exec "$NS_S" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS_S" link set lo up
  for br in bra brk; do
    ip -n "$NS_S" link add $br type bridge stp_state 0 mcast_snooping 0 || tp_die "cannot make a bridge"
    ip -n "$NS_S" link set $br up
  done
  join "$TP_NS_C" "${TP_ID}c0" 10.210.0.2/24 fd00:210::2/64 bra
  join "$TP_NS_P" "${TP_ID}p0" 10.211.0.2/24 fd00:211::2/64 brk
  ip -n "$TP_NS_P" addr add 10.211.0.3/24 dev "${TP_ID}p0"

  # ---- redis, the key -----------------------------------------------------
  redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize no >"$TP_TMP/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do redis-cli -p "$RPORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  redis-cli -p "$RPORT" ping 2>/dev/null | grep -q PONG || tp_die "redis-server did not start"
  ( umask 077; openssl rand -hex 32 >"$TP_TMP/ha.key" )
}

# box_conf N ROLE: box N's file (its lcore, taps, segment, socket, name, link ends)
box_conf() {
  local n=$1 role=$2 me other
  if [ "$n" = A ]; then me=127.0.0.1; other=127.0.0.2; else me=127.0.0.2; other=127.0.0.1; fi
  cat >"$TP_TMP/box$n.conf" <<CONF
dp = {
  eal = ["-l", "${LC[$n]}", "--no-pci", "--in-memory", "--file-prefix", "${TP_ID}$n",
         "--log-level", "lib.eal:warning"];
  workers = [${LC[$n]}];
  idle_sleep_max_us = 500;
  mbufs_per_worker = 4095;
  ports = (
    { name = "access"; dev = "net_tap0,iface=${TP_ID}a$n"; roles = ["access"];
      ipv4 = "10.210.0.1/24"; ipv6 = "fd00:210::1/64"; },
    { name = "core"; dev = "net_tap1,iface=${TP_ID}k$n"; roles = ["core"];
      ipv4 = "10.211.0.1/24"; ipv6 = "fd00:211::1/64"; }
  );
};
ipc = { name = "/${TP_ID}$n"; };
turn = { realm = "turnpike.test"; relay_ports = [${HA_RELAY_PORTS:-50000, 50999}]; channels = "rfc5766"; };
cp = {
  api_socket = "$TP_TMP/cp$n.sock";
  users = ( { name = "test"; password = "test"; } );
  peers = { allow = [ "10.211.0.0/24", "fd00:211::/64" ]; };
  store = "none";
};
cluster = { redis = ["127.0.0.1:$RPORT"]; box = "box-$n"; share = ["users"]; };
accounting = { file = "$TP_TMP/usage$n.jsonl"; };
agw = { ports = [${HA_AGW_PORTS:-20000, 21999}]; max_contexts = 64; setup_timeout = 20;
        media_ports = [${HA_MEDIA_PORTS:-40000, 40999}]; media_contexts = ${HA_MEDIA_CONTEXTS:-64}; };
$([ "${HA_GROUP:-1}" = 1 ] && echo "ha = { pair = \"tp$$\"; role = \"$role\"; lease_ms = ${HA_LEASE_MS:-600}; heartbeat_ms = 100;
       listen = \"$me:$LPORT\"; peer = \"$other:$LPORT\"; key_file = \"$TP_TMP/ha.key\"; };")
CONF
  chmod 0640 "$TP_TMP/box$n.conf"
}

# box_start N: dp (its taps' kernel sides re-addressed and bridged), then cp
box_start() {
  local n=$1 log
  log=$TP_TMP/dp$n.$RANDOM.log
  "$TP_DP" --config "$TP_TMP/box$n.conf" >"$log" 2>&1 &
  DP_PID[$n]=$!
  local until=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$until" ]; do
    grep -q 'turnpike-dp: running' "$log" && break
    kill -0 "${DP_PID[$n]}" 2>/dev/null || { cat "$log"; tp_die "dp $n exited during start"; }
    sleep 0.1
  done
  grep -q 'turnpike-dp: running' "$log" || tp_die "dp $n did not start in 30 s"
  printf -v "DPLOG_$n" '%s' "$log"
  for t in /proc/"${DP_PID[$n]}"/task/*; do renice -n -10 -p "${t##*/}" >/dev/null; done
  local side br pname
  for side in a k; do
    [ $side = a ] && { br=bra; pname=access; } || { br=brk; pname=core; }
    printf -v "MAC_$side$n" '%s' "$(sed -n "s/.*port '$pname' up: .*mac \([0-9A-Fa-f:]*\),.*/\1/p" "$log" | tr 'A-F' 'a-f')"
    # the kernel side apart from dp's MAC, so that the bridge forwards to it
    ip link set "${TP_ID}$side$n" address "02:$(od -An -N5 -tx1 /dev/urandom | tr -s ' ' ':' | cut -c2-)" ||
      tp_die "cannot re-address ${TP_ID}$side$n"
    ip link set "${TP_ID}$side$n" netns "$NS_S" || tp_die "cannot move ${TP_ID}$side$n"
    ip -n "$NS_S" link set "${TP_ID}$side$n" master $br up
  done
  local wrap=HA_CP_WRAP_$n
  # (split into words: a command and its options)
  ${!wrap:-} "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/box$n.conf" >>"$TP_TMP/cp$n.log" 2>&1 &
  CP_PID[$n]=$!
  for _ in $(seq 300); do [ -S "$TP_TMP/cp$n.sock" ] && break; sleep 0.1; done
  [ -S "$TP_TMP/cp$n.sock" ] || tp_die "cp $n did not open its socket"
}

# box_kill N: box N's dp and cp SIGKILLed together (a box that dies)
box_kill() {
  local n=$1
  kill -KILL "${DP_PID[$n]}" "${CP_PID[$n]}" 2>/dev/null
  wait "${DP_PID[$n]}" "${CP_PID[$n]}" 2>/dev/null
  DP_PID[$n]=; CP_PID[$n]=
  rm -f "$TP_TMP/cp$n.sock"
}
