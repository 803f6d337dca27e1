#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TURN over TCP against a client that starts frames and never finishes
# them: 3,500 connections from one address (turn.tcp_per_source off), each
# sends a Binding request (so it is a TURN client, past the first-message
# deadline) and then the first bytes of a 1000-byte ChannelData frame, and
# stalls. Each incomplete frame holds an mbuf of the worker's pool (4,095
# here), so together they would take it all and the worker would stop
# receiving. dp resets such connections once the pool runs low (a
# quarter left) and their frame has waited over 2 s, counted
# (reset_stalled_frame); a client beside them then relays with 0 lost
# (beside stress-ng it starts while the pool is still held down: its
# answers pass dp/tcp's cap as answers, tcp_send_answer).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
start=$SECONDS

tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" \
  "$(tp_turn_groups "" "tcp_per_source = 0; tcp_first_message = 30;")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

ip netns exec "$TP_NS_C" python3 - "$TP_TMP/opened" <<'PY' &
import os, resource, socket, struct, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
held = []
for i in range(3500):
    s = socket.socket(); s.settimeout(5)
    try:
        s.connect(("10.210.0.1", 3478))
    except OSError as e:
        print("# connect %d: %s" % (i, e)); break
    binding = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + os.urandom(12)
    s.sendall(binding + struct.pack("!HH", 0x4001, 1000) + b"x" * 10)
    held.append(s)
open(sys.argv[1], "w").write("%d\n" % len(held))
time.sleep(30)
PY
stall=$!
for _ in $(seq 600); do [ -s "$TP_TMP/opened" ] && break; sleep 0.1; done
echo "# $(cat "$TP_TMP/opened" 2>/dev/null) connections opened, each with a frame begun"
sleep 4
st=$(tp_stats tcp_turn)
echo "# $st" | cut -c1-400
tp_check "dp reset the stalled frames' connections once its pool ran low (reset_stalled_frame=$(tp_stat "$st" reset_stalled_frame))" \
  test "$(tp_stat "$st" reset_stalled_frame)" -gt 0
out=$(ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -t -u test -w test -m 4 -c -n 20 \
      -e 10.211.0.2 -r 3480 10.210.0.1 2>&1)
echo "$out" | grep -E 'Total lost|tot_send_msgs' | tail -n 2 | sed 's/^/# /'
# (its answers may have passed the worker's cap: dp/tcp's tcp_send_answer)
echo "# tcp: $(tp_stats tcp | grep -oE '(send_refused|send_past)_worker_held_cap=[0-9]+' | tr '\n' ' ')"
tp_check "a client beside them relays over TCP: 80 messages, 0 lost" \
  bash -c 'grep -q "Total lost packets 0 " <<<"$0" && grep -qE "tot_recv_msgs=80([^0-9]|$)" <<<"$0"' "$out"
grep -q "Total lost packets 0 " <<<"$out" || {
  echo "$out" | tail -n 12 | sed 's/^/#   uclient: /'
  tp_stats tcp_turn | cut -c1-600 | sed 's/^/#   /'
  tp_stats tcp | cut -c1-900 | sed 's/^/#   /'
}
kill "$stall" 2>/dev/null; wait "$stall" 2>/dev/null
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
