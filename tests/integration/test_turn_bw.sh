#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bandwidth limits (docs/turn.md "Bandwidth limits", issue 59): user
# "slow" has max_bps 40000 (bytes a second each way, turn.max_bps_burst
# 4000), user "free" none. Four clients at once, each with its peer
# (lib/bw_turn.py), each end sending 160000 B/s for 3 s (four times the
# limit) and counting what arrives from the other end over 3 s: slow's
# UDP allocation (ChannelData both ways) and slow's RFC 6062 allocation
# (a peer connection spliced to its data connection) are held to the
# limit in both directions, free's are not. The limit shows in
# `turnpikectl allocations` and `status`, the metrics count the policed
# datagrams and the limited allocations, and the usage records carry it.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
start=$SECONDS

LIMIT=40000 BURST=4000 RATE=160000 SECS=3 TINY=3000
REC=$TP_TMP/acct/usage.jsonl
D=$TP_TMP/bw
mkdir -p "$TP_TMP/acct" "$D"
maddr=127.0.0.1:$((20000 + $$ % 20000))
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "
turn = { realm = \"turnpike.test\"; ipc = \"/$TP_ID\"; relay_ports = [50000, 50999];
         max_bps_burst = $BURST; channels = \"rfc5766\"; };
cp = {
  api_socket = \"$TP_TMP/cp.sock\";
  users = ( { name = \"slow\"; password = \"slow\"; max_bps = $LIMIT; },
            { name = \"free\"; password = \"free\"; },
            { name = \"tiny\"; password = \"tiny\"; max_bps = $TINY; } );
  peers = { allow = [ \"10.211.0.0/24\" ]; };
  store = \"$TP_TMP/users.db\";
  metrics = \"$maddr\";
};
accounting = { file = \"$REC\"; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

FLOWS="udp_slow:7001 udp_free:7002 tcp_slow:7003 tcp_free:7004"
pids=()
for f in $FLOWS; do
  name=${f%%:*} port=${f#*:}
  ip netns exec "$TP_NS_P" python3 "$HERE/lib/bw_turn.py" peer "${name%%_*}" "$D" "$name" \
    "$port" "$SECS" "$RATE" >"$TP_TMP/peer-$name.log" 2>&1 &
  pids+=($!)
  tp_need tp_wait_listen "$TP_NS_P" "${name%%_*}" 10.211.0.2 "$port" "$!" "the $name peer"
done
for f in $FLOWS; do
  name=${f%%:*} port=${f#*:} user=${f#*_}; user=${user%%:*}
  ip netns exec "$TP_NS_C" python3 "$HERE/lib/bw_turn.py" client "${name%%_*}" 10.210.0.1 "$D" \
    "$name" "$user" "$user" 10.211.0.2 "$port" "$SECS" "$RATE" >"$TP_TMP/client-$name.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 200); do
  n=0
  for f in $FLOWS; do
    name=${f%%:*}
    [ -e "$D/client-$name" ] && [ -e "$D/peer-$name" ] && n=$((n + 1))
  done
  [ $n -eq 4 ] && break
  sleep 0.1
done

# Held to the limit: at most the burst, 3 s of the limit and, on TCP, one
# read over it (the splice takes what a read gives, then owes it: 64 KB
# at most, dp/splice), plus 10 %; at least 3 s of it less 25 % (the
# clock's and the senders' jitter). Not held: at least 80 % of 3 s of
# what was sent.
want=$((LIMIT * SECS))
lo=$((want * 3 / 4)) hi_udp=$(((BURST + want) * 11 / 10)) hi_tcp=$(((BURST + want + 65536) * 11 / 10))
free_lo=$((RATE * SECS * 8 / 10))
echo "# sending $RATE B/s each way for ${SECS}s; slow's limit $LIMIT B/s (burst $BURST): $want B in ${SECS}s"
for f in $FLOWS; do
  name=${f%%:*}
  read -r c_got c_sent <"$D/client-$name" 2>/dev/null || { c_got=-1; c_sent=-1; }
  read -r p_got p_sent <"$D/peer-$name" 2>/dev/null || { p_got=-1; p_sent=-1; }
  echo "# $name: client sent $c_sent, peer received $p_got; peer sent $p_sent, client received $c_got"
  case $name in
    *_slow) hi=$hi_udp; [ "${name%%_*}" = tcp ] && hi=$hi_tcp
      tp_check "$name: client to peer held to the limit ($p_got B in ${SECS}s, $lo..$hi)" \
        test "$p_got" -ge "$lo" -a "$p_got" -le "$hi"
      tp_check "$name: peer to client held to the limit ($c_got B in ${SECS}s, $lo..$hi)" \
        test "$c_got" -ge "$lo" -a "$c_got" -le "$hi" ;;
    *) tp_check "$name: client to peer not limited ($p_got B in ${SECS}s, >= $free_lo)" \
         test "$p_got" -ge "$free_lo"
       tp_check "$name: peer to client not limited ($c_got B in ${SECS}s, >= $free_lo)" \
         test "$c_got" -ge "$free_lo" ;;
  esac
done

# The limit where the operator looks, while the allocations live
tp_ctl --json allocations >"$TP_TMP/allocs.json" 2>&1
tp_check "turnpikectl allocations: slow's two allocations max_bps $LIMIT (burst $BURST), free's two 0" \
  python3 - "$TP_TMP/allocs.json" "$LIMIT" "$BURST" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["allocations"]
lim, burst = int(sys.argv[2]), int(sys.argv[3])
slow = [x for x in a if x["user"] == "slow"]
free = [x for x in a if x["user"] == "free"]
ok = (len(slow) == 2 and len(free) == 2 and
      all(x["max_bps"] == lim and x["max_bps_burst"] == burst for x in slow) and
      all(x["max_bps"] == 0 and x["max_bps_burst"] == 0 for x in free))
if not ok:
    print(json.dumps(a)[:2000])
sys.exit(0 if ok else 1)
PY
tp_ctl allocations >"$TP_TMP/allocs.txt" 2>&1
tp_check "turnpikectl allocations: a MAX(B/s) column, $LIMIT on slow's rows, - on free's" \
  python3 - "$TP_TMP/allocs.txt" "$LIMIT" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
h = lines[0].split()
ok = h[-1] == "MAX(B/s)"
rows = [l.split() for l in lines[1:]]
ok = ok and sorted(r[-1] for r in rows if r[1] == "slow") == [sys.argv[2]] * 2
ok = ok and sorted(r[-1] for r in rows if r[1] == "free") == ["-"] * 2
if not ok:
    print("\n".join(lines))
sys.exit(0 if ok else 1)
PY
tp_ctl status >"$TP_TMP/status.txt" 2>&1
tp_check "turnpikectl status: 2 allocations limited" \
  grep -q '^bandwidth .*2 allocations limited' "$TP_TMP/status.txt"
tp_ctl --json status >"$TP_TMP/status.json" 2>&1
# (a flow failed: how dp's connections and splices ended, what held them)
[ $TP_FAILS -gt 0 ] && python3 - "$TP_TMP/status.json" <<'PY'
import json, re, sys
try:
    ws = json.load(open(sys.argv[1]))["workers"]
except (OSError, ValueError, KeyError) as e:
    sys.exit("# no status: %s" % e)
pat = re.compile(r"rst|close_|abort|splice_ended|timeout|drop|budget|held|no_mbuf|polic")
for w in ws:
    t = w["dp"].get("tcp", {})
    print("# worker %s: %s" % (w["id"], " ".join("%s=%s" % (k, v) for k, v in sorted(t.items())
                                                 if v and pat.search(k))))
PY
drops=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1]))
print(sum(w['dp']['drops'].get('turn_policed', 0) for w in s['workers']), s['allocations_limited'])" \
  "$TP_TMP/status.json" 2>/dev/null)
read -r ndrops nlim <<<"${drops:-0 0}"
tp_check "status --json: policed drops counted ($ndrops), allocations_limited $nlim" \
  test "$ndrops" -gt 0 -a "$nlim" = 2
python3 - "http://$maddr/metrics" >"$TP_TMP/metrics.txt" 2>&1 <<'PY'
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
PY
tp_check "metrics: turnpike_allocations_limited 2, turnpike_dp_drops_total{reason=\"turn_policed\"} > 0" \
  python3 - "$TP_TMP/metrics.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
lim = re.search(r'^turnpike_allocations_limited (\d+)$', t, re.M)
d = sum(int(v) for v in re.findall(r'^turnpike_dp_drops_total\{[^}]*reason="turn_policed"\} (\d+)$', t, re.M))
sys.exit(0 if lim and lim.group(1) == "2" and d > 0 else 1)
PY

# Their ends: the usage records carry the limit
touch "$D/release"
for p in "${pids[@]}"; do wait "$p"; done
for _ in $(seq 60); do
  [ "$(grep -c '"type":"stop"' "$REC" 2>/dev/null)" -ge 4 ] && break
  sleep 0.1
done
tp_check "usage records: slow's two max_bps $LIMIT, free's two 0" \
  python3 - "$REC" "$LIMIT" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = [x for x in r if x.get("type") == "stop" and x.get("kind") == "turn"]
s = sorted((x["user"], x["relayed_transport"], x.get("max_bps")) for x in r)
want = sorted([("slow", "udp", int(sys.argv[2])), ("slow", "tcp", int(sys.argv[2])),
               ("free", "udp", 0), ("free", "tcp", 0)])
if s != want:
    print(s)
sys.exit(0 if s == want else 1)
PY

# coturn's own client beside ours: turnutils_uclient relays through
# turnutils_peer and back (both directions through the allocation) at its
# own pace (about 15 KB a second each way), above tiny's limit: tiny loses
# much of it, free nothing.
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/tpeer.log" 2>&1 &
tpeer=$!
tp_peer_wait "$tpeer" 10.211.0.2
uc() {
  ip netns exec "$TP_NS_C" timeout 25 turnutils_uclient -u "$1" -w "$1" -e 10.211.0.2 -r 3480 \
    -c -n 60 -l 1000 -m 1 10.210.0.1 >"$TP_TMP/uclient-$1.log" 2>&1
}
ucout() { grep -E 'tot_send_msgs|Total lost packets|Total transmit time' "$TP_TMP/uclient-$1.log" | tail -n 3; }
# (the two at once: each allocation is policed on its own, and the two
# together are less than a tenth of what the flows above sent)
uc free & ucf=$!
uc tiny & uct=$!
wait "$ucf" "$uct"
out_free=$(ucout free) out_slow=$(ucout tiny)
echo "$out_free" | sed 's/^/# free: /'
echo "$out_slow" | sed 's/^/# tiny: /'
lost() { sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' <<<"$1" | tail -n 1; }
sent() { sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$1" | tail -n 1; }
lf=$(lost "$out_free") ls=$(lost "$out_slow") sf=$(sent "$out_free") ss=$(sent "$out_slow")
tp_check "turnutils_uclient, free: ${sf:-?} messages of 1000 B relayed both ways, ${lf:-?} lost" \
  test "${sf:-0}" -gt 0 -a "${lf:-1}" = 0
tp_check "turnutils_uclient, tiny (max_bps $TINY): ${ls:-?} of ${ss:-?} lost to the limit" \
  test "${ss:-0}" -gt 0 -a "${ls:-0}" -gt $(( ${ss:-0} / 4 ))
kill "$tpeer" 2>/dev/null; wait "$tpeer" 2>/dev/null
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
