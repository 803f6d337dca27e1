#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TP_CLUSTER_SHARE (e.g. '"users", "load"') narrows cluster.share: the
# checks of what is then not shared must fail (how the test is checked).
#
# Two turnpike boxes sharing a real redis-server (cp/cluster):
# box 1 (dp on lcore 0, access 10.210.0.1, core 10.211.0.1) and box 2 (dp
# on lcore 1, access 10.220.0.1, core 10.221.0.1), each with its own taps
# and cp, the clients' taps in one namespace and the peers' in another.
#   - a user added on box 1 authenticates a turnutils_uclient session on
#     box 2 (box 2 did not know the name before);
#   - a tenant (mvno, at 10.2N0.0.11 on each box): its user and REST secret
#     added on box 1 with --tenant authenticate at box 2's tenant address
#     (its own keys in redis), the default tenant's same name does not;
#     its quota_user 1 holds across boxes for (mvno, alice) apart from the
#     default tenant's alice; allocations --cluster --tenant names it; an
#     event of a tenant a box lacks is counted; coturn's users imported
#     into the tenant on box 1 allocate on box 2; a tenant user written to
#     redis without an event is there after the cps' resubscription;
#   - cp.quota_user = 2 holds across both: a third allocation of the user
#     on either box gets 486, and one freed on box 1 makes room on box 2
#     (its lease is out of redis before the client hears of the free);
#   - redis stopped (SIGSTOP) past box 1's 3 s link watchdog while 320
#     Allocates wait on it: once the link is dropped their slots are freed
#     (quota_pending 0, quota_lost) and the next Allocate is decided by
#     redis again, not on the local count;
#   - `turnpikectl allocations --cluster` on box 2 lists box 1's;
#   - box 1 drained with no alternate named: a new client gets 300 with
#     ALTERNATE-SERVER 10.220.0.1:3478 (box 2), and following it relays
#     through box 2 (a Send indication echoed back as a Data indication);
#   - box 2 finds redis through redis-sentinel (box 1 is told where);
#   - redis and the sentinel require passwords (requirepass): both cps
#     AUTH with cluster.password_file (and sentinel_password_file); a cp
#     with the wrong one says so and does not join; a password file that
#     others may read is refused at start, naming file and line;
#   - a TLS PSK identity added on box 1 (turnpikectl psk add) is in box 2
#     within 2 s and completes an openssl s_client -psk handshake there;
#     deleted on box 1, box 2 refuses it;
#   - redis-server killed (SIGKILL) and restarted on its append-only file
#     while a uclient session runs on each box: both lose nothing, an
#     Allocate meanwhile is decided on the local count (counted), and
#     afterwards both cps are back and the registry, the boxes and the
#     quota leases are whole again.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
. "$(dirname "$0")/lib/uclient.sh"
tp_env_init
for p in turnutils_uclient turnutils_peer redis-server redis-cli; do
  command -v $p >/dev/null || tp_die "$p missing (tools/bootstrap installs coturn and redis-server)"
done
[ "$(nproc)" -ge 2 ] || tp_die "two boxes need two lcores"
LIB=$(cd "$(dirname "$0")/lib" && pwd)
CTL=$TP_BUILD/cp/ctl/turnpikectl
RPORT=$((20000 + $$ % 20000))
SPORT=$((RPORT + 1))
MPORT=$((RPORT + 2))
RDIR=$TP_TMP/redis
mkdir -p "$RDIR"
declare -A DP_PID CP_PID
REDIS_PID=
PIDS=()

cluster_cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for n in 1 2; do
    [ -n "${CP_PID[$n]:-}" ] && kill -TERM "${CP_PID[$n]}" 2>/dev/null && wait "${CP_PID[$n]}" 2>/dev/null
    if [ -n "${DP_PID[$n]:-}" ]; then
      kill -TERM "${DP_PID[$n]}" 2>/dev/null
      for _ in $(seq 50); do kill -0 "${DP_PID[$n]}" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "${DP_PID[$n]}" 2>/dev/null
    fi
    rm -f "/dev/shm/${TP_ID}$n"
  done
  [ -n "$REDIS_PID" ] && kill -KILL "$REDIS_PID" 2>/dev/null
  [ -n "${SENTINEL_PID:-}" ] && kill -KILL "$SENTINEL_PID" 2>/dev/null
  (exit $rc); tp_cleanup
}
trap cluster_cleanup EXIT

# Redis' and the sentinel's passwords, in files only root may read
RPASS="redis-$RANDOM$RANDOM-pass"; SPASS="sentinel-$RANDOM$RANDOM"
( umask 077; echo "$RPASS" >"$TP_TMP/redis.secret"; echo "$SPASS" >"$TP_TMP/sentinel.secret"
  echo "wrong-$RPASS" >"$TP_TMP/wrong.secret" )
rcli() { REDISCLI_AUTH=$RPASS redis-cli -h 127.0.0.1 -p "$RPORT" "$@"; }
redis_start() {
  redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly yes \
    --requirepass "$RPASS" \
    --appendfsync everysec --dir "$RDIR" --daemonize no >>"$TP_TMP/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do rcli ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  tp_die "redis-server did not start"
}

# Box 2 finds redis through a redis-sentinel that monitors it.
sentinel_start() {
  mkdir -p "$TP_TMP/sentinel"
  cat >"$TP_TMP/sentinel/sentinel.conf" <<CONF
port $SPORT
bind 127.0.0.1
dir $TP_TMP/sentinel
sentinel monitor tp$$ 127.0.0.1 $RPORT 1
sentinel auth-pass tp$$ $RPASS
sentinel down-after-milliseconds tp$$ 60000
requirepass $SPASS
CONF
  redis-sentinel "$TP_TMP/sentinel/sentinel.conf" >>"$TP_TMP/sentinel.log" 2>&1 &
  SENTINEL_PID=$!
  for _ in $(seq 50); do
    REDISCLI_AUTH=$SPASS redis-cli -p "$SPORT" sentinel get-master-addr-by-name "tp$$" 2>/dev/null | grep -q "$RPORT" && return 0
    sleep 0.1
  done
  tp_die "redis-sentinel did not start"
}

# box_conf N LCORE: box N's file (its taps, ipc segment, API socket, box name)
box_conf() {
  local n=$1 lc=$2
  cat >"$TP_TMP/box$n.conf" <<CONF
dp = {
  eal = ["-l", "$lc", "--no-pci", "--in-memory", "--file-prefix", "${TP_ID}$n",
         "--log-level", "lib.eal:warning"];
  workers = [$lc];
  idle_sleep_max_us = 500;
  mbufs_per_worker = 4095;
  ports = (
    { name = "access"; dev = "net_tap0,iface=${TP_ID}a$n"; roles = ["access"];
      ipv4 = "10.2${n}0.0.1/24"; ipv6 = "fd00:2${n}0::1/64"; },
    { name = "core"; dev = "net_tap1,iface=${TP_ID}k$n"; roles = ["core"];
      ipv4 = "10.2${n}1.0.1/24"; ipv6 = "fd00:2${n}1::1/64"; }
  );
};
turn = { realm = "turnpike.test"; ipc = "/${TP_ID}$n"; relay_ports = [50000, 50999];
         channels = "rfc5766"; listen_tls = [5349]; };
tls = { certificate = "$TP_TMP/tcert.pem"; private_key = "$TP_TMP/tkey.pem"; };
cp = {
  api_socket = "$TP_TMP/cp$n.sock";
  users = ( { name = "test"; password = "test"; }, { name = "long1"; password = "long1"; },
            { name = "long2"; password = "long2"; }, { name = "many"; password = "many"; } );
  peers = { allow = [ "10.211.0.0/24", "10.221.0.0/24" ]; };
  store = "none";
  quota_user = 2;
  $( [ "$n" = 1 ] && echo "quota_total = 4; metrics = \"127.0.0.1:$MPORT\";" )
};
tenants = (
  { name = "mvno"; realm = "mvno.test"; addresses = ["10.2${n}0.0.11"]; quota_user = 1; }
);
cluster = {
  $( [ "$n" = 1 ] && echo "redis = [\"127.0.0.1:$RPORT\"];" ||
     echo "sentinels = [\"127.0.0.1:$SPORT\"]; master = \"tp$$\";
  sentinel_password_file = \"$TP_TMP/sentinel.secret\";" )
  password_file = "${BOX_SECRET:-$TP_TMP/redis.secret}";
  box = "box-$n";
  address = ["10.2${n}0.0.1:3478"];
  lease = 9;                     # renewed every 3 s
  ${TP_CLUSTER_SHARE:+share = [$TP_CLUSTER_SHARE];}
};
CONF
}

box_start() {
  local n=$1 log
  log=$TP_TMP/dp$n.log
  "$TP_DP" --config "$TP_TMP/box$n.conf" >"$log" 2>&1 &
  DP_PID[$n]=$!
  for _ in $(seq 100); do
    grep -q 'turnpike-dp: running' "$log" && break
    kill -0 "${DP_PID[$n]}" 2>/dev/null || { cat "$log"; tp_die "dp $n exited during start"; }
    sleep 0.1
  done
  grep -q 'turnpike-dp: running' "$log" || tp_die "dp $n did not start in 10 s"
  # at nice -20, every thread: the loss checked below is Redis', not that
  # of a worker starved by a CPU hog beside the test (a load generator
  # pinned to the same lcore can cost 29 of 250)
  for t in /proc/"${DP_PID[$n]}"/task/*; do renice -n -20 -p "${t##*/}" >/dev/null; done
  tp_ns_attach "$TP_NS_C" "${TP_ID}a$n" "10.2${n}0.0.2/24" "fd00:2${n}0::2/64"
  tp_ns_attach "$TP_NS_P" "${TP_ID}k$n" "10.2${n}1.0.2/24" "fd00:2${n}1::2/64"
  "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/box$n.conf" >"$TP_TMP/cp$n.log" 2>&1 &
  CP_PID[$n]=$!
  for _ in $(seq 300); do [ -S "$TP_TMP/cp$n.sock" ] && break; sleep 0.1; done
  ctl "$n" ready --wait 20 >/dev/null || tp_die "box $n not ready"
}

ctl() { local n=$1; shift; "$CTL" --socket "$TP_TMP/cp$n.sock" "$@"; }
# cl N KEY: a member of box N's status "cluster" object
cl() { ctl "$1" --json status | python3 -c "import json,sys; print(json.load(sys.stdin)['cluster']['$2'])"; }
# wait_for SECONDS COMMAND...: until it succeeds
wait_for() { local t=$1; shift; for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done; return 1; }
connected() { [ "$(cl "$1" connected)" = True ] && [ "$(cl "$1" subscribed)" = True ]; }

ip netns add "$TP_NS_C"; ip netns add "$TP_NS_P"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=turn.test" -keyout "$TP_TMP/tkey.pem" -out "$TP_TMP/tcert.pem" \
  >"$TP_TMP/req.out" 2>&1 || tp_die "openssl req failed"
redis_start
sentinel_start
box_conf 1 0; box_conf 2 1
box_start 1; box_start 2
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer1.log" 2>&1 &
PIDS+=($!)
tp_peer_wait "$!" 10.211.0.2
ip netns exec "$TP_NS_P" turnutils_peer -L 10.221.0.2 -p 3480 >"$TP_TMP/peer2.log" 2>&1 &
PIDS+=($!)
tp_peer_wait "$!" 10.221.0.2
tp_check "both cps joined redis (connected, subscribed)" wait_for 10 eval 'connected 1 && connected 2'
tp_check "box 2 found it through sentinel" grep -q "sentinel says master 'tp$$' is 127.0.0.1:$RPORT" "$TP_TMP/cp2.log"
tp_check "redis refuses a client without the password (so the cps AUTHed)" \
  bash -c "redis-cli -h 127.0.0.1 -p $RPORT get x 2>&1 | grep -q NOAUTH"

# A third cp (its own segment and socket, no dp) with the wrong password:
# it says so, naming the setting, and does not join.
sed -e "s|$TP_TMP/redis.secret|$TP_TMP/wrong.secret|" -e "s|/${TP_ID}1\"|/${TP_ID}w\"|" \
    -e "s|cp1.sock|cpw.sock|" -e 's|metrics = "[^"]*";||' "$TP_TMP/box1.conf" >"$TP_TMP/boxw.conf"
"$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/boxw.conf" >"$TP_TMP/cpw.log" 2>&1 &
CPW=$!
PIDS+=($CPW)
tp_check "a cp with the wrong password: 'refused our AUTH ... check cluster.password_file'" \
  wait_for 10 grep -q "refused our AUTH (WRONGPASS.*check cluster.password_file" "$TP_TMP/cpw.log"
tp_check "... and it is not connected (auth_refused counted)" bash -c \
  "$CTL --socket $TP_TMP/cpw.sock --json status | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"cluster\"]; sys.exit(0 if c[\"connected\"] is False and c[\"auth_refused\"] >= 1 else 1)'"
kill -TERM "$CPW"; wait "$CPW" 2>/dev/null
# A password file others may read: refused at start, file and line named
chmod 644 "$TP_TMP/wrong.secret"
out=$("$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/boxw.conf" --check 2>&1)
tp_check "a password file open to everyone: cp refuses to start ($(echo "$out" | grep -o 'boxw.conf:[0-9]*: cluster.password_file.*' | cut -c1-150))" \
  grep -q "boxw.conf:[0-9]*: cluster.password_file $TP_TMP/wrong.secret is open to everyone (mode 0644): refused (chmod 600" <<<"$out"


# ---- a TLS PSK identity added on box 1 is box 2's too -----------------------
PSK=$(openssl rand -hex 32)
psk_s() {   # psk_s BOX ID KEY: an s_client PSK handshake to box BOX's dp
  ip netns exec "$TP_NS_C" timeout 10 openssl s_client -connect "10.2${1}0.0.1:5349" \
    -tls1_3 -psk_identity "$2" -psk "$3" </dev/null 2>&1
}
tp_check "psk add ue-7 on box 1" bash -c "printf '%s\n' $PSK | $CTL --socket $TP_TMP/cp1.sock psk add ue-7 >/dev/null"
tp_check "... redis keeps it as suite:key" bash -c \
  "[ \"\$(REDISCLI_AUTH=$RPASS redis-cli -h 127.0.0.1 -p $RPORT hget turnpike.test:psks ue-7)\" = 1301:$PSK ]"
tp_check "... box 2 lists it within 2 s (pub/sub)" wait_for 2 bash -c \
  "$CTL --socket $TP_TMP/cp2.sock psk list | grep -q '^ue-7 *TLS_AES_128_GCM_SHA256'"
tp_check "... and box 2's dp completes a PSK handshake with it (no certificate)" wait_for 5 bash -c \
  "$(declare -f psk_s); TP_NS_C=$TP_NS_C psk_s 2 ue-7 $PSK | grep -q '^Reused, TLSv1.3'"
tp_check "psk del ue-7 on box 1" ctl 1 psk del ue-7
tp_check "... box 2 refuses it within 2 s" wait_for 2 bash -c \
  "$(declare -f psk_s); ! TP_NS_C=$TP_NS_C psk_s 2 ue-7 $PSK | grep -q '^Reused, TLSv1.3'"

# ---- a REST secret of HMAC-SHA256 added on box 1 is box 2's too --------------
# rest_alloc BOX ALG SECRET: an Allocate on box BOX with a REST credential
# whose password is base64(HMAC-ALG(SECRET, username)): "ok" or the error
rest_alloc() {
  ip netns exec "$TP_NS_C" python3 - "$LIB" "$@" <<'PY'
import base64, hashlib, hmac, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
box, alg, secret = int(sys.argv[2]), sys.argv[3], sys.argv[4]
u = "%d:sam" % (time.time() + 600)
pw = base64.b64encode(hmac.new(secret.encode(), u.encode(), getattr(hashlib, alg)).digest()).decode()
c = tc.Client("10.2%d0.0.1" % box, user=u, password=pw, bind=("10.2%d0.0.2" % box, 0))
m = c.allocate()
if m.cls == 2:
    c.refresh(0)
print("ok" if m.cls == 2 else m.error())
PY
}
tp_check "secrets add --algorithm sha256 on box 1" ctl 1 secrets add --algorithm sha256 sha256-rest
tp_check "... redis keeps it in its own set (turnpike.test:secrets:sha256), not in turnpike.test:secrets" bash -c \
  "rcli() { REDISCLI_AUTH=$RPASS redis-cli -h 127.0.0.1 -p $RPORT \"\$@\"; }; [ \"\$(rcli sismember turnpike.test:secrets:sha256 sha256-rest) \$(rcli sismember turnpike.test:secrets sha256-rest)\" = '1 0' ]"
tp_check "... box 2 lists it as sha256 within 2 s" wait_for 2 bash -c \
  "$CTL --socket $TP_TMP/cp2.sock secrets list | grep -q ' sha256\$'"
tp_check "... box 2 takes its SHA-256 password, refuses its SHA-1 one" \
  test "$(rest_alloc 2 sha256 sha256-rest) $(rest_alloc 2 sha1 sha256-rest)" = "ok 401"
tp_check "secrets del on box 1" ctl 1 secrets del sha256-rest
rest_refused() { [ "$(rest_alloc "$@")" = 401 ]; }
tp_check "... box 2 refuses its SHA-256 password within 2 s" wait_for 2 rest_refused 2 sha256 sha256-rest

# ---- a user added on box 1 authenticates on box 2 ---------------------------
tp_check "box 2 does not know alice before" bash -c "! $CTL --socket $TP_TMP/cp2.sock users list | grep -qw alice"
tp_check "users add alice on box 1" ctl 1 users add alice 'Wonder-land 7' >/dev/null
# (answered once redis has it: no wait here)
tp_check "... redis keeps her key, not her password, when the command returns" bash -c \
  "rcli() { REDISCLI_AUTH=$RPASS redis-cli -h 127.0.0.1 -p $RPORT \"\$@\"; }; v=\$(rcli hget turnpike.test:users alice); [[ \$v =~ ^[0-9a-f]{32}:[0-9a-f]{64}\$ ]]"
tp_check "... box 2 has her within 2 s (pub/sub)" wait_for 2 bash -c "$CTL --socket $TP_TMP/cp2.sock users list | grep -qw alice"
tp_uclient "a uclient session of alice's on box 2" 30 -e 10.221.0.2 -r 3480 -u alice -w 'Wonder-land 7' \
  -m 1 -c -n 20 10.220.0.1

# ---- a tenant's users, secrets and quota across boxes ------------------------
# (the session above may leave its allocation: the default alice's count
# starts at 0 below)
for id in $(ctl 2 --json allocations --user alice | python3 -c \
            'import json,sys; print(" ".join(str(a["id"]) for a in json.load(sys.stdin)["allocations"]))'); do
  ctl 2 kill "$id" >/dev/null
done
tp_check "users add --tenant mvno alice on box 1 (in a cluster)" ctl 1 users add --tenant mvno alice 'Mvno-pw 3'
tp_check "... redis keeps her key under the tenant's own key (turnpike.test:t:mvno:users)" bash -c \
  "v=\$(REDISCLI_AUTH=$RPASS redis-cli -h 127.0.0.1 -p $RPORT hget turnpike.test:t:mvno:users alice); [[ \$v =~ ^[0-9a-f]{32}:[0-9a-f]{64}\$ ]]"
tp_check "... box 2 lists her in tenant mvno within 2 s" wait_for 2 bash -c \
  "$CTL --socket $TP_TMP/cp2.sock users list --tenant mvno | grep -qx alice"
tp_check "secrets add --tenant mvno on box 1" ctl 1 secrets add --tenant mvno mvno-rest-secret
tp_check "... box 2 has the tenant's secret within 2 s" wait_for 2 bash -c \
  "[ \"\$($CTL --socket $TP_TMP/cp2.sock --json secrets list --tenant mvno | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"secrets\"]))')\" = 1 ]"
ip netns exec "$TP_NS_C" python3 - "$LIB" "$TP_TMP" <<'PY' &
import base64, hashlib, hmac, os, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = sys.argv[2]
def cli(box, tenant, user, pw):
    return tc.Client("10.2%d0.0.%d" % (box, 11 if tenant else 1), user=user, password=pw,
                     bind=("10.2%d0.0.2" % box, 0))
def alloc(c):
    m = c.allocate()
    return "ok" if m.cls == 2 else str(m.error())
ru = "%d:rita" % (time.time() + 600)
rpw = base64.b64encode(hmac.new(b"mvno-rest-secret", ru.encode(), hashlib.sha1).digest()).decode()
t2 = cli(2, True, "alice", "Mvno-pw 3")          # the tenant's alice on box 2
t1 = cli(1, True, "alice", "Mvno-pw 3")          # ... and on box 1: her quota is 1
d2 = cli(2, True, "alice", "Wonder-land 7")      # the default alice at the tenant's address
d1a = cli(1, False, "alice", "Wonder-land 7")    # the default alice: her own count (2)
d1b = cli(1, False, "alice", "Wonder-land 7")
rest = cli(2, True, ru, rpw)                     # REST, the tenant's secret, box 2
r = [alloc(t2), alloc(t1), alloc(d2), alloc(d1a), alloc(d1b), alloc(rest)]
open(tmp + "/tenant1", "w").write(" ".join(r) + "\n")
while not os.path.exists(tmp + "/tenant-go"):
    time.sleep(0.1)
for c in (t2, d1a, d1b, rest):
    c.refresh(0)
open(tmp + "/tenant2", "w").write("done\n")
PY
tpid=$!
wait_for 30 test -s "$TP_TMP/tenant1"
tp_check "tenant mvno: alice (mvno) ok on box 2, 486 on box 1 (its quota_user 1 across boxes), the default alice's password 401 at mvno's address, the default alice ok twice on box 1 (her own count), REST with mvno's secret ok on box 2 ($(cat "$TP_TMP/tenant1" 2>/dev/null))" \
  test "$(cat "$TP_TMP/tenant1" 2>/dev/null)" = "ok 486 401 ok ok ok"
tp_check "... her lease under the tenant's key, the default alice's 2 under hers" bash -c \
  "[ \"\$(REDISCLI_AUTH=$RPASS redis-cli -h 127.0.0.1 -p $RPORT zcard turnpike.test:t:mvno:quota:alice) \$(REDISCLI_AUTH=$RPASS redis-cli -h 127.0.0.1 -p $RPORT zcard turnpike.test:quota:alice)\" = '1 2' ]"
out=$(ctl 1 --json allocations --cluster --tenant mvno)
tp_check "allocations --cluster --tenant mvno on box 1: box 2's two of tenant mvno (alice, rita), no other" python3 - "$out" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
got = sorted((a["box"], a["tenant"], a["user"].split(":")[-1]) for a in d["allocations"])
assert got == [("box-2", "mvno", "alice"), ("box-2", "mvno", "rita")], got
PY
ctl 1 allocations --cluster | sed 's/^/# /'
touch "$TP_TMP/tenant-go"
wait_for 10 test -s "$TP_TMP/tenant2"
wait "$tpid" 2>/dev/null
tp_check "users del --tenant mvno alice on box 1: gone on box 2 within 2 s" bash -c \
  "$CTL --socket $TP_TMP/cp1.sock users del --tenant mvno alice && for _ in \$(seq 20); do $CTL --socket $TP_TMP/cp2.sock users list --tenant mvno | grep -qx alice || exit 0; sleep 0.1; done; exit 1"
tp_check "... the default alice stays on box 2" bash -c "$CTL --socket $TP_TMP/cp2.sock users list | grep -qx alice"
u0=$(cl 2 unknown_tenant)
rcli publish turnpike.test:events "U nosuch x" >/dev/null
tp_check "an event of a tenant box 2 lacks: ignored, counted, said once" wait_for 2 bash -c \
  "[ \"\$($CTL --socket $TP_TMP/cp2.sock --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"cluster\"][\"unknown_tenant\"])')\" -gt $u0 ] && [ \$(grep -c \"names tenant 'nosuch'\" $TP_TMP/cp2.log) = 1 ]"
# coturn's users of the tenant's realm, imported on box 1 (turnadmin
# leaves a log file per run in /var/log: removed again)
for a in "-u ivan -p ivanpw -r mvno.test" "-u olga -p olgapw -r elsewhere.test"; do
  # shellcheck disable=SC2086
  turnadmin -a $a -b "$TP_TMP/coturn.db" 2>&1 |
    sed -n 's/.*log file opened: \(\/var\/log\/turn_[0-9]*_[0-9-]*\.log\).*/\1/p' | xargs -r rm -f
done
tp_check "users import-coturn --tenant mvno on box 1 (one of its realm)" bash -c \
  "$CTL --socket $TP_TMP/cp1.sock users import-coturn --tenant mvno $TP_TMP/coturn.db | grep -q \"imported 1 user(s) and 0 REST secret(s) of realm 'mvno.test'\""
# (a client of our own: uclient makes a second allocation, which mvno's
# quota_user 1 refuses)
r=$(ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client("10.220.0.11", user="ivan", password="ivanpw", bind=("10.220.0.2", 0))
m = c.allocate()
if m.cls == 2:
    c.refresh(0)
print("ok realm %s" % c.realm if m.cls == 2 else m.error())
PY
)
tp_check "... ivan (imported into mvno on box 1) allocates at mvno's address on box 2 ($r)" \
  test "$r" = "ok realm mvno.test"
# A tenant user written to redis without an event: the boxes read every
# tenant's keys whole when they (re)subscribe (redis' restart below).
rcli hset turnpike.test:t:mvno:users zed "$(printf 'zed:mvno.test:zed' | md5sum | cut -c1-32)" >/dev/null

# A write is answered when redis answered it: redis stopped (SIGSTOP), the
# operator hears that the outcome is unknown, not "ok".
# Meanwhile 320 Allocates of user many on box 1, all at once: 256 wait for
# redis (CL_MAX_PENDING), are decided on the local count after 250 ms, and
# are still waiting for redis' answer when box 1 drops its link (no answer
# in 3 s; redis goes on only after that). That answer cannot come any
# more: before cp freed such a slot, all 256 stayed taken for good and
# every later Allocate was decided on the local count (quota_local), the
# cluster-wide quota no longer asked.
ip netns exec "$TP_NS_C" python3 - "$LIB" "$TP_TMP" >"$TP_TMP/burst.out" 2>&1 <<'PY' &
import os, socket, struct, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = sys.argv[2]
attrs = [(tc.A_REQ_TRANSPORT, struct.pack("!BBBB", 17, 0, 0, 0))]
cs = [tc.Client("10.210.0.1", user="many", password="many", bind=("10.210.0.2", 0))
      for _ in range(320)]
def burst(cs, until):
    """each sends one request, all at once; their answers, None for none"""
    reqs = [c.build(tc.ALLOCATE, attrs) for c in cs]
    for c, q in zip(cs, reqs):
        c.send_raw(q)
    out = []
    for c, q in zip(cs, reqs):
        m = None
        while m is None and time.monotonic() < until:
            c.sock.settimeout(max(until - time.monotonic(), 0.01))
            try:
                a = tc.Msg(c.recv())
                m = a if a.tid == q[8:20] else None
            except socket.timeout:
                break
        out.append(m)
    return out
for c, m in zip(cs, burst(cs, time.monotonic() + 5)):   # the nonces (401)
    if m is not None and m.get(tc.A_NONCE) is not None:
        c.realm, c.nonce = m.get(tc.A_REALM).decode(), m.get(tc.A_NONCE)
open(tmp + "/burst-ready", "w").close()
while not os.path.exists(tmp + "/burst-go"):
    time.sleep(0.02)
ms = burst(cs, time.monotonic() + 6)
ok = [c for c, m in zip(cs, ms) if m is not None and m.cls == 2]
for c in ok:
    c.refresh(0)
print("sent %d answered %d ok %d" % (len(cs), sum(m is not None for m in ms), len(ok)))
PY
burst=$!
wait_for 10 test -e "$TP_TMP/burst-ready" || tp_die "the burst's clients got no nonces"
kill -STOP "$REDIS_PID"
touch "$TP_TMP/burst-go"
out=$(ctl 1 users add carol carol 2>&1); rc=$?
dropped=$(wait_for 8 eval '[ "$(cl 1 connected)" = False ]' && echo dropped || echo "not dropped")
kill -CONT "$REDIS_PID"
wait "$burst"
unknown_said() { [ "$rc" -ne 0 ] && grep -q 'may or may not' <<<"$out"; }
tp_check "redis stopped: users add is not answered ok, but 'may or may not' (exit $rc: $out)" \
  unknown_said
tp_check "... both cps back on redis after it goes on" wait_for 15 eval 'connected 1 && connected 2'
# (cluster.c's pending slots, as status shows them: none left taken. How
# they were freed depends on the timing, which a loaded machine moves:
# by the answers redis gave once it went on (lost 0: the fresh-clone CI
# beside stress-ng at b223057), or as lost when cp's watchdog had dropped
# the link first (lost 256 on a quiet machine); without the fix they stay
# taken, pending 256)
freed() { ctl 1 --json status | python3 -c 'import json,sys; c=json.load(sys.stdin)["cluster"]; print("pending %s lost %s" % (c.get("quota_pending"), c.get("quota_lost"))); sys.exit(0 if c.get("quota_pending") == 0 else 1)'; }
tp_check "Allocates waiting when box 1 dropped its link (redis stopped; link $dropped; $(cat "$TP_TMP/burst.out")): their slots freed ($(freed))" \
  wait_for 3 freed
st() { ctl 1 --json status | python3 -c "import json,sys; c=json.load(sys.stdin)['cluster']; print(c['quota_granted'] + c['quota_refused'], c['quota_local'])"; }
read -r b0 l0 < <(st)
r=$(ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client("10.210.0.1", user="many", password="many", bind=("10.210.0.2", 0))
m = c.allocate()
if m.cls == 2:
    c.refresh(0)
print("ok" if m.cls == 2 else m.error())
PY
)
read -r b1 l1 < <(st)
tp_check "... and the next Allocate on box 1 is decided by redis ($r; granted+refused $b0 -> $b1, quota_local $l0 -> $l1)" \
  test "$b1" -gt "$b0" -a "$l1" = "$l0"

# ---- the quota holds across boxes; allocations --cluster from box 2 ----------
# (the session above may leave its allocation: killed, its lease goes too)
for id in $(ctl 2 --json allocations --user alice | python3 -c \
            'import json,sys; print(" ".join(str(a["id"]) for a in json.load(sys.stdin)["allocations"]))'); do
  ctl 2 kill "$id"
done
# Holds alice's allocations open: 1 on box 1, 1 on box 2, then a third on
# each (486 expected), one deleted on box 1, then one on box 2 (room again).
ip netns exec "$TP_NS_C" python3 - "$LIB" "$TP_TMP" <<'PY' &
import sys, time, socket
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = sys.argv[2]
def cli(box, src):
    return tc.Client("10.2%d0.0.1" % box, user="alice", password="Wonder-land 7",
                     bind=("10.2%d0.0.2" % box, src))
def alloc(c):
    m = c.allocate()
    return "ok" if m.cls == 2 else str(m.error())
a1, b1, a2, b2 = cli(1, 41001), cli(2, 41002), cli(1, 41003), cli(2, 41004)
r = [alloc(a1), alloc(b1), alloc(a2), alloc(b2)]
open(tmp + "/quota1", "w").write(" ".join(r) + "\n")
while not __import__("os").path.exists(tmp + "/quota-go"):
    time.sleep(0.1)
m = a1.refresh(0)
b3 = cli(2, 41005)
r = ["del:" + ("ok" if m.cls == 2 else str(m.error())), alloc(b3)]
open(tmp + "/quota2", "w").write(" ".join(r) + "\n")
time.sleep(120)
PY
PIDS+=($!)
wait_for 30 test -s "$TP_TMP/quota1"
tp_check "quota 2 across boxes: box 1 ok, box 2 ok, then 486 on box 1 and on box 2 ($(cat "$TP_TMP/quota1" 2>/dev/null))" \
  test "$(cat "$TP_TMP/quota1" 2>/dev/null)" = "ok ok 486 486"
out=$(ctl 2 --json allocations --cluster --user alice)
tp_check "allocations --cluster on box 2 lists box 1's allocation of alice (10.211.0.1)" python3 - "$out" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
boxes = {(a["box"], a["relayed"][0].split(":")[0]) for a in d["allocations"]}
assert ("box-1", "10.211.0.1") in boxes and ("box-2", "10.221.0.1") in boxes, d
assert all(a["user"] == "alice" and a["lifetime_left_s"] > 0 for a in d["allocations"]), d
PY
ctl 2 allocations --cluster | sed 's/^/# /'
touch "$TP_TMP/quota-go"
wait_for 30 test -s "$TP_TMP/quota2"
tp_check "one freed on box 1 makes room on box 2 ($(cat "$TP_TMP/quota2" 2>/dev/null))" \
  test "$(cat "$TP_TMP/quota2" 2>/dev/null)" = "del:ok ok"
# Why that can hold at once: box 1 has its lease out of Redis before the
# client hears of the free. 20 times an allocation of test's on box 1,
# its lease read, a Refresh of 0, and the lease read again the moment
# the answer is in, over a link to redis opened outside the namespace
# (fd 7). Before cp wrote the ZREM at once it sat in cp's buffer until
# the loop's next look (up to a 2 ms doze), and a client that freed on
# box 1 and allocated on box 2 got 486 there.
exec 7<>"/dev/tcp/127.0.0.1/$RPORT"
r=$(ip netns exec "$TP_NS_C" python3 - "$LIB" "$TP_TMP/redis.secret" <<'PY'
import socket, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
rs = socket.socket(fileno=7)
rbuf = b""
def line():
    global rbuf
    while b"\r\n" not in rbuf:
        rbuf += rs.recv(4096)
    l, rbuf = rbuf.split(b"\r\n", 1)
    return l
def redis(*args):
    rs.sendall(b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args)))
    l = line()
    if l.startswith(b"$"):
        return None if l == b"$-1" else line()
    return l
redis("AUTH", open(sys.argv[2]).read().strip())
c = tc.Client("10.210.0.1", bind=("10.210.0.2", 0))
member = "box-1/U/10.210.0.2:%d/3478" % c.sock.getsockname()[1]
held = left = 0
for _ in range(20):
    if c.allocate().cls != 2:
        print("allocate failed"); sys.exit(0)
    held += redis("ZSCORE", "turnpike.test:quota:test", member) is not None
    c.refresh(0)
    left += redis("ZSCORE", "turnpike.test:quota:test", member) is not None
print("held %d left %d" % (held, left))
PY
)
exec 7<&-
# (cp writes the ZREM before it answers; redis may still read the test's
# question first when the machine delays it: 1 of 20 in the fresh-clone CI
# beside stress-ng; without the fix 11 of 20 on a quiet machine)
left=$(sed -n 's/^held 20 left \([0-9]*\)$/\1/p' <<<"$r")
tp_check "box 1's lease of a freed allocation is out of redis when the client hears of it (of 20: $r; at most 5 left)" \
  test -n "$left" -a "${left:-99}" -le 5

# ---- drain box 1: ALTERNATE-SERVER names box 2, and the client follows -------
tp_check "drain box 1 (no alternate named)" ctl 1 drain >/dev/null
r=$(ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import socket, struct, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
m = tc.Client("10.210.0.1", bind=("10.210.0.2", 0)).allocate()
v = m.get(0x8023)
if m.error() != 300 or v is None:
    print("answer %s" % m.error()); sys.exit(0)
ip, port = socket.inet_ntop(socket.AF_INET, v[4:8]), struct.unpack("!H", v[2:4])[0]
c = tc.Client(ip, port, bind=("10.220.0.2", 0))
m = c.allocate()
if m.cls != 2:
    print("300 %s:%d then %s" % (ip, port, m.error())); sys.exit(0)
c.permission(("10.221.0.2", None))
c.send_indication("10.221.0.2", 3480, b"through box 2")
got = tc.Msg(c.recv())
data = got.get(tc.A_DATA)
print("300 %s:%d relayed %s via %s:%d" % (ip, port, data == b"through box 2", *c.relayed))
PY
)
echo "# $r"
tp_check "a new client of box 1 gets 300 ALTERNATE-SERVER 10.220.0.1:3478 and relays through box 2" \
  grep -qE '^300 10\.220\.0\.1:3478 relayed True via 10\.221\.0\.1:' <<<"$r"
tp_check "undrain box 1" ctl 1 undrain >/dev/null

# ---- box 1 full (cp.quota_total 4, no cp.alternates): 300 to box 2 ----------
r=$(ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import socket, struct, sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
cs = [tc.Client("10.210.0.1", user=u, password=u, bind=("10.210.0.2", 0))
      for u in ("long1", "long1", "long2", "long2", "test")]
out = []
for c in cs:
    m = c.allocate()
    v = m.get(0x8023)
    out.append("ok" if m.cls == 2 else "%s:%s:%d" % (m.error(), socket.inet_ntop(
        socket.AF_INET, v[4:8]), struct.unpack("!H", v[2:4])[0]) if v else str(m.error()))
for c in cs[:4]:
    c.refresh(0)
print(" ".join(out))
PY
)
tp_check "box 1 full: the fifth Allocate gets 300 ALTERNATE-SERVER box 2 ($r)" \
  test "$r" = "ok ok ok ok 300:10.220.0.1:3478"

# ---- redis-server killed and restarted: relaying goes on, state comes back ---
for n in 1 2; do
  ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -e 10.2${n}1.0.2 -r 3480 -u long$n -w long$n \
    -m 1 -c -n 250 -z 20 10.2${n}0.0.1 >"$TP_TMP/long$n.log" 2>&1 &
  eval "long$n=\$!"
done
# (both under way before redis goes: each box holds its session's allocation)
long_up() {
  ctl "$1" --json allocations 2>/dev/null |
    python3 -c 'import json,sys; sys.exit(0 if any(a["user"] == sys.argv[1] for a in json.load(sys.stdin)["allocations"]) else 1)' "long$1"
}
tp_need tp_wait_until 20 "the long sessions' allocations" eval 'long_up 1 && long_up 2'
kill -KILL "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=
tp_check "both cps saw redis go" wait_for 8 eval '[ "$(cl 1 connected)" = False ] && [ "$(cl 2 connected)" = False ]'
q0=$(cl 1 quota_local)
r=$(ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
m = tc.Client("10.210.0.1", bind=("10.210.0.2", 0)).allocate()
print("ok" if m.cls == 2 else m.error())
PY
)
tp_check "redis away: an Allocate on box 1 still succeeds ($r), decided on the local count" \
  test "$r" = ok -a "$(cl 1 quota_local)" -gt "$q0"
python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
  "http://127.0.0.1:$MPORT/metrics" >"$TP_TMP/metrics.txt"
metrics_ok() {
  grep -q '^turnpike_cluster_connected 0$' "$TP_TMP/metrics.txt" &&
    [ "$(sed -n 's/^turnpike_cluster_quota_local_total //p' "$TP_TMP/metrics.txt")" -gt 0 ] &&
    promtool check metrics <"$TP_TMP/metrics.txt"
}
tp_check "... counted in the metrics too, which promtool accepts" metrics_ok
out=$(ctl 2 users add bob bob 2>&1)
tp_check "redis away: users add is refused whole, not kept on one box ($out)" \
  bash -c "! $CTL --socket $TP_TMP/cp2.sock users list | grep -qw bob && grep -q 'not reachable' <<<'$out'"
redis_start
for n in 1 2; do
  eval "wait \$long$n"
  out=$(cat "$TP_TMP/long$n.log")
  sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  tp_check "box $n relayed across redis' death and restart: sent ${sent:-?} received ${recv:-?} lost ${lost:-?}" \
    test -n "$sent" -a "${sent:-0}" -gt 0 -a "${sent:-0}" = "${recv:-x}" -a "${lost:-1}" = 0
done
tp_check "both cps back on redis" wait_for 15 eval 'connected 1 && connected 2'
tp_check "... and box 2 read tenant mvno's users again: zed, written without an event, is there" \
  wait_for 5 bash -c "$CTL --socket $TP_TMP/cp2.sock users list --tenant mvno | grep -qx zed"
whole() {
  local nb na1 na2 nq live
  nb=$(rcli scard turnpike.test:boxes)
  na1=$(rcli hlen turnpike.test:allocs:box-1)
  na2=$(rcli hlen turnpike.test:allocs:box-2)
  nq=$(rcli zcard turnpike.test:quota:alice)
  live=$(( $(ctl 1 --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["allocations"])') +
           $(ctl 2 --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["allocations"])') ))
  echo "boxes=$nb allocs=$na1+$na2 live=$live alice_leases=$nq alice=$(rcli hexists turnpike.test:users alice)"
  [ "$nb" = 2 ] && [ $((na1 + na2)) = "$live" ] && [ "$live" -gt 0 ] && [ "$nq" = 2 ] &&
    [ "$(rcli hexists turnpike.test:users alice)" = 1 ]
}
# The append-only file kept everything; what a Redis that came back
# without the volatile part (a lagging replica promoted) lacks comes back
# from the boxes within a renewal (lease / 3).
rcli del turnpike.test:allocs:box-1 turnpike.test:allocs:box-2 turnpike.test:quota:alice \
  turnpike.test:box:box-1 turnpike.test:box:box-2 turnpike.test:boxes >/dev/null
tp_check "shared state whole again: both boxes, every live allocation, alice's 2 leases, alice" wait_for 10 whole
whole | sed 's/^/# /'

# What the quota's round trip to Redis costs an Allocate (information,
# not a check): 20 in a row on box 2, each deleted again.
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import statistics, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
c = tc.Client("10.220.0.1", user="long2", password="long2", bind=("10.220.0.2", 0))
c.allocate(); c.refresh(0)          # the nonce
t = []
for _ in range(20):
    t0 = time.monotonic(); m = c.allocate(); t.append((time.monotonic() - t0) * 1000)
    c.refresh(0)
print("# Allocate on box 2 (quota asked of redis): median %.2f ms, max %.2f ms over 20" %
      (statistics.median(t), max(t)))
PY

# A cluster group that only moved in the file (its password_file's line
# with it) is no change; a changed one needs a restart, and reload says so.
sed -i '1i # moved down a line' "$TP_TMP/box2.conf"
out=$(ctl 2 reload 2>&1)
tp_check "a cluster group that only moved: reload names nothing to restart for it" \
  bash -c '! grep -q "cluster group" <<<"$0"' "$out"
sed -i 's/lease = 9; /lease = 10; /' "$TP_TMP/box2.conf"
out=$(ctl 2 reload 2>&1)
tp_check "reload names the cluster group as needing a restart" grep -q "cluster group (restart turnpike-cp)" <<<"$out"

# Box 2's dp gone: within the box entry's 5 s it is no longer named, and
# a drained box 1 with nowhere to send answers 508 instead.
# gone2: box 1's list of boxes, read from redis (box 1 is in it), has no
# box 2. Asked from 7 s after the stop on (the entry's 5 s after box 2's
# cp last saw its dp beat, 1 s, and box 1's next read, 1 s): earlier, a
# list without box 2 may be one where box 2's own link to redis was down
# long enough for its entry to lapse (a loaded machine: box 2 came back
# before the drain below, and the drain sent clients there, 300).
kill -TERM "${DP_PID[2]}"; wait "${DP_PID[2]}" 2>/dev/null; DP_PID[2]=
stopped=$SECONDS
gone2() { ctl 1 --json status | python3 -c 'import json,sys; n=[b["name"] for b in json.load(sys.stdin)["cluster"]["boxes"]]; sys.exit(0 if "box-1" in n and "box-2" not in n else 1)' 2>/dev/null; }
sleep $((7 - (SECONDS - stopped) > 0 ? 7 - (SECONDS - stopped) : 0))
tp_check "box 2's dp stopped: 7 s on, box 1 no longer lists box 2 (its entry lapsed)" wait_for 8 gone2
ctl 1 drain >/dev/null
r=$(ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import turnclient as tc
m = tc.Client("10.210.0.1", bind=("10.210.0.2", 0)).allocate()
print(m.error(), "alternate" if m.get(0x8023) else "none")
PY
)
tp_check "... and box 1 drained sends nobody there: 508, no ALTERNATE-SERVER ($r)" test "$r" = "508 none"

echo "# cluster status of box 2: $(ctl 2 --json status | python3 -c 'import json,sys; c=json.load(sys.stdin)["cluster"]; c.pop("boxes"); print(c)')"
[ $TP_FAILS -eq 0 ] || exit 1
echo "# all cluster checks passed"
