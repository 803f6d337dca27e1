#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Usage records to a Redis Stream (cp/acct, accounting.stream with a
# cluster group): a real redis-server, a consumer group made with
# `redis-cli XGROUP CREATE`, read with `redis-cli XREADGROUP`.
#   - a uclient session's stop record reaches the stream (XADD with
#     MAXLEN ~), the consumer group reads it, its bytes exact;
#   - redis-server killed (SIGKILL): a session that ends meanwhile has its
#     record in the file and waiting in the stream's spool on disk;
#     redis-server started again (its append-only file): the group reads
#     that record, once, and the spool empties.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/uclient.sh"
tp_env_init
for p in turnutils_uclient turnutils_peer redis-server redis-cli; do
  command -v $p >/dev/null || tp_die "$p missing (tools/bootstrap installs coturn and redis-server)"
done
start=$SECONDS
RPORT=$((16000 + $$ % 20000)); RDIR=$TP_TMP/redis; REDIS_PID=
mkdir -p "$RDIR" "$TP_TMP/spool"
stream_cleanup() {
  local rc=$?
  [ -n "$REDIS_PID" ] && kill -KILL "$REDIS_PID" 2>/dev/null
  (exit $rc); tp_cleanup
}
trap stream_cleanup EXIT
rcli() { redis-cli -h 127.0.0.1 -p "$RPORT" "$@"; }
redis_start() {
  redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly yes \
    --appendfsync always --dir "$RDIR" --daemonize no >>"$TP_TMP/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do rcli ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  tp_die "redis-server did not start"
}
KEY=turnpike.test:usage
REC=$TP_TMP/usage.jsonl

redis_start
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups 'store = "none";')
cluster = { redis = [\"127.0.0.1:$RPORT\"]; box = \"a\"; share = [\"users\"]; };
accounting = { file = \"$REC\"; spool = \"$TP_TMP/spool\"; stream = \"usage\";
               stream_maxlen = 10000; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2
tp_check "the billing system's consumer group (XGROUP CREATE ... MKSTREAM)" \
  bash -c "[ \"\$(redis-cli -h 127.0.0.1 -p $RPORT XGROUP CREATE $KEY billing '\$' MKSTREAM)\" = OK ]"

# session USER: a uclient session of 10 messages of 100 bytes; its summary
session() {
  local out
  out=$(ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -u "$1" -w "$1" -m 1 -c -n 10 \
    -l 100 -e 10.211.0.2 -r 3480 10.210.0.1 2>&1)
  tp_uclient_verdict "a session as $1" "$out" 0 $SECONDS
  sed -n 's/.*tot_send_msgs=\([0-9]*\), tot_recv_msgs=\([0-9]*\).*/\1 \2/p' <<<"$out" | tail -n 1 \
    >"$TP_TMP/$1.counts"
}
# read_group USER: XREADGROUP (what the group has not read yet), waiting
# up to 15 s for a stop record of USER; the records read go to USER.read
read_group() {
  : >"$TP_TMP/$1.read"
  for _ in $(seq 150); do
    rcli --raw XREADGROUP GROUP billing c1 COUNT 100 STREAMS "$KEY" '>' 2>/dev/null |
      grep '^{' >>"$TP_TMP/$1.read"
    grep -q "\"type\":\"stop\".*\"user\":\"$1\"" "$TP_TMP/$1.read" && return 0
    sleep 0.1
  done
  return 1
}
# one_stop USER: the records read hold one stop record of USER with the
# session's bytes, exactly
one_stop() {
  python3 - "$TP_TMP/$1.read" "$1" $(cat "$TP_TMP/$1.counts") <<'PY'
import json, sys
path, user, sent, recv = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
recs = [json.loads(x) for x in open(path) if x.startswith("{")]
st = [r for r in recs if r["user"] == user and r["type"] == "stop" and r["bytes_from_client"]]
ids = [r["id"] for r in recs]
print("# read %d records; %s's stop records with bytes: %s" % (len(recs), user,
      [(r["bytes_from_client"], r["bytes_to_client"]) for r in st]))
sys.exit(0 if len(st) == 1 and st[0]["bytes_from_client"] == sent * 100 and
         st[0]["bytes_to_client"] == recv * 100 and len(ids) == len(set(ids)) else 1)
PY
}

session test
tp_check "XREADGROUP reads the session's stop record from $KEY" read_group test
tp_check "... once, its bytes exact" one_stop test

# Redis away: the record waits on disk, then reaches the group once.
kill -KILL "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=
session other
for _ in $(seq 50); do grep -q '"user":"other"' "$REC" && break; sleep 0.1; done
tp_check "Redis away: the record is in the file and waits in the stream's spool" \
  bash -c "grep -q '\"user\":\"other\"' '$REC' && grep -q '\"user\":\"other\"' '$TP_TMP/spool/usage.stream'"
redis_start
tp_check "Redis back: XREADGROUP reads the record that waited" read_group other
tp_check "... once, its bytes exact, and nothing read twice" one_stop other
for _ in $(seq 50); do [ -s "$TP_TMP/spool/usage.stream" ] || break; sleep 0.1; done
tp_check "the stream's spool is empty again" test ! -s "$TP_TMP/spool/usage.stream"
st=$(tp_ctl --json status | python3 -c 'import json,sys; s=json.load(sys.stdin)["stats"]; print(s["acct_stream_added"], s["acct_stream_dropped_spool_full"])')
tp_check "counted: acct_stream_added, acct_stream_dropped_spool_full ($st)" \
  bash -c 'read -r a d <<<"$0"; [ "$a" -ge 2 ] && [ "$d" -eq 0 ]' "$st"

tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
