#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TURN over UDP end to end with coturn's own clients: turnutils_peer in the
# peers namespace, turnutils_uclient in the clients namespace through
# turnpike-dp and turnpike-cp: channels and send indications with 50
# sessions and no message lost, a TURN REST API credential, a wrong
# password refused (401, no allocation), and the allocations visible in
# turnpikectl with their peers, channels and counters; the IP TTL of
# every kind of packet dp sends is 64.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
. "$(dirname "$0")/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
ip netns exec "$TP_NS_P" turnutils_peer -L fd00:211::2 -p 3480 >"$TP_TMP/peer6.log" 2>&1 &
peer6=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2
tp_peer_wait "$peer6" fd00:211::2

# uclient NAME ARGS...: run a client batch (lib/uclient.sh): every
# message must come back.
uclient() {
  local what=$1; shift
  tp_uclient "$what" 60 -e 10.211.0.2 -r 3480 "$@" 10.210.0.1
}

# five independent batches at once (lib/uclient.sh): each is judged on
# its own, and together they offer some 300 messages a second (a session
# sends its 10 at a random moment of uclient's first 6 s)
uclient_bg() {
  local what=$1; shift
  tp_uclient_bg "$what" 60 -e 10.211.0.2 -r 3480 "$@" 10.210.0.1
}
uclient_bg "50 sessions over channels" -u test -w test -m 50 -c -n 10 -l 120
uclient_bg "50 sessions over send indications" -u test -w test -m 50 -c -n 10 -l 120 -s
uclient_bg "TURN REST API credential" -W test-secret -u resty -m 4 -c -n 10
uclient_bg "IPv6 relayed address (-x)" -u test -w test -m 4 -c -n 10 -x -e fd00:211::2
uclient_bg "RTP and RTCP allocations per client (no -c)" -u test -w test -m 4 -n 10
tp_uclient_judge

# Operators add and remove users and REST secrets at run time.
tp_check "turnpikectl users add" tp_ctl users add newbie s3cret
tp_check "turnpikectl users list shows the new user" bash -c "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" users list | grep -qx newbie"
tp_check "turnpikectl secrets add" tp_ctl secrets add rotated-secret
# (both at once: lib/uclient.sh)
uclient_bg "a user added at run time can allocate" -u newbie -w s3cret -m 1 -c -n 5
uclient_bg "a REST secret added at run time works" -W rotated-secret -u rot -m 1 -c -n 5
tp_uclient_judge
tp_check "turnpikectl users del" tp_ctl users del newbie
tp_check "turnpikectl users del of an unknown user fails" bash -c "! \"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" users del newbie 2>/dev/null"
tp_check "turnpikectl secrets list shows two secrets" bash -c "test \$(\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" secrets list | wc -l) -eq 2"
# A secret of the configuration file is read-only here (the
# file is a layer above the user store; rotate it in the file and reload).
tp_check "turnpikectl secrets del of the file's secret is refused" bash -c "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" secrets del test-secret 2>&1 | grep -q read-only"
tp_check "turnpikectl secrets del" tp_ctl secrets del rotated-secret
# refused REASON: cp's count of requests its authentication refused
# for REASON (auth_refused_by_reason in turnpikectl status).
refused() {
  tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["auth_refused_by_reason"][sys.argv[1]])' "$1"
}
# refused_with NAME REASON UCLIENT-ARGS...: a client that must not get an
# allocation: it relays nothing, and cp refused it for REASON (not for
# anything else that would also make uclient fail).
refused_with() {
  local what=$1 reason=$2 before out after; shift 2
  before=$(refused "$reason")
  out=$(ip netns exec "$TP_NS_C" timeout 20 turnutils_uclient -e 10.211.0.2 "$@" -m 1 -c -n 2 10.210.0.1 2>&1)
  after=$(refused "$reason")
  tp_check "$what: nothing relayed, refused by cp as $reason ($before -> $after)" \
    bash -c "! grep -q 'tot_recv_msgs=[1-9]' <<<\"\$0\" && [ $after -gt $before ]" "$out"
}
refused_with "a deleted REST secret no longer authenticates" bad-integrity -W rotated-secret -u gone
refused_with "a wrong password does not get an allocation" bad-integrity -u test -w wrong
refused_with "an unknown user does not get an allocation" unknown-user -u nobody -w test
st=$(tp_ctl --json status)
tp_check "cp counted the challenges" python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d['stats']['challenges'] > 0 else 1)" "$st"

# A session left running so that its allocation can be inspected.
ip netns exec "$TP_NS_C" turnutils_uclient -e 10.211.0.2 -r 3480 -u other -w other \
  -m 1 -c -n 200 -z 50 10.210.0.1 >"$TP_TMP/long.log" 2>&1 &
long=$!
# Counters reach cp once a second: wait for the session's to show.
for _ in $(seq 10); do
  sleep 1
  al=$(tp_ctl --json allocations --user other)
  grep -q '"pkts_to_client":[1-9]' <<<"$al" && break
done
echo "# $al" | cut -c1-300
tp_check "turnpikectl shows the running allocation with a channel and counters" python3 - "$al" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
allocs = d["allocations"]
assert allocs and all(a["user"] == "other" for a in allocs), allocs
# turnutils_uclient makes a second, idle allocation of its own; the one
# carrying the session has the channel and the counters.
a = [a for a in allocs if a["channels"]]
assert len(a) == 1, allocs
a = a[0]
assert a["client"].startswith("10.210.0.2:")
assert a["relayed"][0].startswith("10.211.0.1:")
assert any(p["peer"] == "10.211.0.2" for p in a["peers"]), a["peers"]
assert all(int(c["channel"], 16) >= 0x4000 for c in a["channels"]), a["channels"]
assert 0 < a["lifetime_left_s"] <= 3600
assert a["pkts_to_peer"] > 0 and a["pkts_to_client"] > 0, a
PY
tp_check "turnpikectl status shows dp alive" bash -c "tp() { \"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" --json status; }; tp | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d[\"dp\"][\"alive\"] else 1)'"
kill "$long" 2>/dev/null; wait "$long" 2>/dev/null
id=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['allocations'][0]['id'])" "$al")
tp_check "turnpikectl kill removes an allocation" tp_ctl kill "$id"
tp_check "... and it is gone" bash -c "! \"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" --json allocations | grep -q '\"id\":$id,'"
tp_check "turnpikectl kill of an unknown id fails" bash -c "! \"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" kill 999999 2>/dev/null"

# The IP TTL (hop limit) of every kind of packet dp sends (coturn 4.17.0
# sent its UDP answers with TTL 1, coturn #2043): 64 for each, seen by
# the client over IPv4 and IPv6 and by the peer (lib/ttl_probe.py).
for fam in 4 6; do
  if [ $fam = 4 ]; then srv=10.210.0.1; else srv=fd00:210::1; fi
  ip netns exec "$TP_NS_P" python3 "$(dirname "$0")/lib/ttl_probe.py" peer 10.211.0.2 3482 15 \
    >"$TP_TMP/ttl_peer$fam.log" 2>&1 &
  ttlpeer=$!
  tp_need tp_wait_listen "$TP_NS_P" udp 10.211.0.2 3482 "$ttlpeer" "the TTL probe's peer"
  ip netns exec "$TP_NS_C" timeout 30 python3 "$(dirname "$0")/lib/ttl_probe.py" client "$srv" \
    10.211.0.2 3482 >"$TP_TMP/ttl$fam.log" 2>&1
  kill "$ttlpeer" 2>/dev/null; wait "$ttlpeer" 2>/dev/null
  sed "s/^/# IPv$fam: /" "$TP_TMP/ttl$fam.log" "$TP_TMP/ttl_peer$fam.log"
  for k in binding-success error-response allocate-success data-indication channel-data \
           icmp-echo-reply icmp-port-unreachable; do
    tp_check "IPv$fam: dp's $k has TTL 64" grep -qx "$k 64" "$TP_TMP/ttl$fam.log"
  done
  tp_check "IPv$fam: what dp relays to the peer has TTL 64 (a Send indication's, ChannelData's)" \
    test "$(grep -cx 'relayed-to-peer 64' "$TP_TMP/ttl_peer$fam.log")" -eq 2
done

kill "$peer6" 2>/dev/null; wait "$peer6" 2>/dev/null
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
