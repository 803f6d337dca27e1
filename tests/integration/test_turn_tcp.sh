#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TURN over TCP (RFC 8656 §3.1) end to end: coturn's turnutils_uclient -t
# in the clients' namespace talks TURN over TCP connections to dp's own
# TCP stack (turn.listen_tcp, here 3478 and 80), turnutils_peer answers
# over UDP in the peers' namespace. Pass: channels and send indications
# with 50 sessions, 0 lost, on 3478 and on 80; an allocation lives as long
# as its connection (cp's and dp's tables empty once the clients have
# gone); bad input (a stream that is not STUN, a frame over the limit, a
# connection that never speaks) is reset and counted while a good client
# on the same box keeps relaying; lengths near 65,535 are not cut to 16
# bits (coturn's CVE-2026-68552): the message a cut would find is never
# answered, and the next client is; dp/tcp's header prediction took some
# of the clients' data segments and ACKs (its counters in cp's metrics).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/uclient.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
start=$SECONDS

maddr=127.0.0.1:$((20000 + $$ % 20000))
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" \
  "$(tp_turn_groups "metrics = \"$maddr\";" "listen_tcp = [3478, 80]; tcp_first_message = 2; tcp_per_source = 120;")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
ip netns exec "$TP_NS_P" turnutils_peer -L fd00:211::2 -p 3480 >"$TP_TMP/peer6.log" 2>&1 &
peer6=$!
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3481 >"$TP_TMP/peer3481.log" 2>&1 &
peer3481=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2
tp_peer_wait "$peer6" fd00:211::2
tp_peer_wait "$peer3481" 10.211.0.2 3481

# uclient NAME ARGS...: one batch over TCP (lib/uclient.sh): its summary,
# then the verdict; after a failure, where the messages went: dp's relay
# counters and TCP's drops.
tcp_diag() {
  tp_stats "turn worker=0" | tr ' ' '\n' |
    grep -E '^(pkts_(from|to)_(client|peer)|drop_no_(permission|channel))=' | paste -sd' ' | sed 's/^/#   dp: /'
  tp_stats tcp_turn | tr ' ' '\n' |
    grep -E '^(chdata_frames|send_queue_full|dropped_pool_low|send_closed|reset_.*)=' | paste -sd' ' | sed 's/^/#   dp: /'
}
TP_UCLIENT_ON_FAIL=tcp_diag
uclient() {
  local what=$1; shift
  tp_uclient "$what" 90 -t -r 3480 "$@"
}

V4="-e 10.211.0.2 10.210.0.1"
# four independent batches at once (lib/uclient.sh), each judged on its
# own: 110 connections from 10.210.0.2, under tcp_per_source
tp_uclient_bg "TCP, 50 sessions over channels" 90 -t -r 3480 \
  -u test -w test -m 50 -c -n 10 -l 120 $V4
tp_uclient_bg "TCP, 50 sessions over send indications" 90 -t -r 3480 \
  -u test -w test -m 50 -c -n 10 -l 120 -s $V4
tp_uclient_bg "TCP on port 80, 10 sessions over channels" 90 -t -r 3480 \
  -u test -w test -m 10 -c -n 10 -p 80 $V4
tp_uclient_bg "TCP over IPv6 (client and relayed address)" 90 -t -r 3480 \
  -u test -w test -m 4 -c -n 10 -x -e fd00:211::2 fd00:210::1
tp_uclient_judge

# Framing, with our own client (lib/turnclient.py): frames cut into
# pieces of 1, 3 and 7 bytes (each its own segment), and many frames in
# one write; ChannelData of every length mod 4 (padding both ways), Send
# indications answered by Data indications. Every payload comes back
# intact from turnutils_peer's echo.
tp_check "frames split across segments and packed into one: all echoed intact" \
  ip netns exec "$TP_NS_C" python3 - "$HERE/lib" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
from turnclient import TcpClient, A_DATA, A_XOR_PEER, unxor_addr
bad = 0
for chop in (1, 3, 7, 0):
    c = TcpClient("10.210.0.1", chop=chop)
    m = c.allocate()
    assert m.cls == 2, ("allocate", chop, m.error())
    assert c.channel_bind(0x4001, "10.211.0.2", 3480).cls == 2
    sent = [bytes([i % 251]) * (1 + (i * 37) % 300) for i in range(24)]
    if chop == 0:     # all frames in one write
        c.chop = 0
        c.send_raw(b"".join(struct.pack("!HH", 0x4001, len(d)) + d +
                            b"\0" * ((4 - len(d) % 4) % 4) for d in sent))
    else:
        for d in sent:
            c.channel_data(0x4001, d)
    got = []
    while len(got) < len(sent):
        f = c.recv()
        if f[0] >= 0x40:
            got.append(f[4:])
    if got != sent:
        bad += 1
        print("# chop %d: %d of %d differ" % (chop, sum(a != b for a, b in zip(got, sent)), len(sent)))
    # a Send indication to a port without a channel comes back as a
    # Data indication (the channel's peer IP has its permission)
    c.send_indication("10.211.0.2", 3481, b"indication-%d" % chop)
    while True:
        f = c.recv()
        if f[0] < 0x40 and struct.unpack("!H", f[0:2])[0] == 0x0017:
            from turnclient import Msg
            if Msg(f).get(A_DATA) != b"indication-%d" % chop:
                bad += 1
            break
    print("# chop %d: %d ChannelData and a Data indication back" % (chop, len(got)))
    c.sock.close()
sys.exit(1 if bad else 0)
PY

# Clients that stop reading while their peers send: their send queues
# fill and what does not fit is dropped and counted (as for a datagram),
# and the worker's mbufs last: a client beside them relays with 0 lost.
# (Were each small datagram to hold an mbuf in the queue until acked,
# four such clients would take the worker's pool.)
ip netns exec "$TP_NS_C" python3 - "$HERE/lib" "$TP_TMP/slow" <<'PY' &
import os, socket, struct, sys, time
sys.path.insert(0, sys.argv[1])
from turnclient import TcpClient
cs = []
for i in range(4):
    c = TcpClient("10.210.0.1")
    assert c.allocate().cls == 2 and c.permission(("10.211.0.2", None)).cls == 2
    assert c.channel_bind(0x4001, "10.211.0.2", 5000 + i).cls == 2
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    cs.append(c)
open(sys.argv[2], "w").write(" ".join("%s:%d" % c.relayed for c in cs))
time.sleep(25)                  # never reads
PY
slow=$!
for _ in $(seq 50); do [ -s "$TP_TMP/slow" ] && break; sleep 0.1; done
st0=$(tp_stats tcp_turn); w0=$(tp_stats "worker=0")
ip netns exec "$TP_NS_P" python3 - $(cat "$TP_TMP/slow") <<'PY' &
import socket, sys, time
targets = [(a.split(":")[0], int(a.split(":")[1])) for a in sys.argv[1:]]
socks = []
for i, t in enumerate(targets):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.211.0.2", 5000 + i))
    socks.append((s, t))
end = time.time() + 8        # some 20k datagrams a second in all
payload = b"m" * 100
while time.time() < end:
    for s, t in socks:
        for _ in range(5):
            try:
                s.sendto(payload, t)
            except OSError:
                pass
    time.sleep(0.001)
PY
flood=$!
sleep 1
uclient "beside four clients that do not read: 4 sessions over channels" \
  -u test -w test -m 4 -c -n 20 -e 10.211.0.2 10.210.0.1
wait $flood
st=$(tp_stats tcp_turn); wst=$(tp_stats "worker=0")
tp_check "turnpikectl status shows the worker's TCP connections, allocations shows TCP ones" \
  python3 - "$(tp_ctl --json status)" "$(tp_ctl --json allocations)" <<'PY'
import json, sys
st, al = json.loads(sys.argv[1]), json.loads(sys.argv[2])
tcp = [a for a in al["allocations"] if a.get("transport") == "TCP"]
print("# tcp_connections=%s, TCP allocations %d (%s), by transport %s" % (
    st["workers"][0]["tcp_connections"], len(tcp), tcp[0].get("connection") if tcp else "-",
    st["allocations_by_transport"]))
sys.exit(0 if st["workers"][0]["tcp_connections"] >= 4 and len(tcp) >= 4
         and all(a.get("connection", "").startswith("0:") for a in tcp)
         and st["allocations_by_transport"]["TCP"] >= 4 else 1)
PY
dd() { echo $(( $(tp_stat "$2" "$1") - $(tp_stat "$3" "$1") )); }
tp_check "the slow clients' frames were dropped at their full send queues (send_queue_full=$(dd send_queue_full "$st" "$st0"), gathered=$(dd frames_gathered "$st" "$st0")), no mbuf ran out (drop_no_mbuf=$(dd drop_no_mbuf "$wst" "$w0"))" \
  test "$(dd send_queue_full "$st" "$st0")" -gt 0 -a "$(dd drop_no_mbuf "$wst" "$w0")" -eq 0
kill "$slow" 2>/dev/null; wait "$slow" 2>/dev/null

# Bad input while a good client relays: each bad connection is reset and
# counted, the good one loses nothing.
badpy() {
  ip netns exec "$TP_NS_C" python3 - "$@" <<'PY'
import socket, sys, time
kind = sys.argv[1]
s = socket.create_connection(("10.210.0.1", 3478), timeout=5)
if kind == "silent":
    pass                                        # never speaks
elif kind == "notstun":
    s.sendall(b"\x80\x01\x00\x00" + b"\x00" * 16)   # first bits 10
elif kind == "cookie":
    s.sendall(b"\x00\x01\x00\x00" + b"\xde\xad\xbe\xef" + b"\x00" * 12)
elif kind == "http":
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # 'GE': 0x4745, length 0x5420
# Lengths near 65,535 whose frame, cut at 16 bits (CVE-2026-68552 in
# coturn), would end where a whole Binding request begins: a deframer
# that truncates answers it; dp's resets the connection (too big).
elif kind == "stun65532":   # 20 + 0xfffc = 0x10010: 16 at 16 bits
    s.sendall(b"\x00\x01\xff\xfc\x21\x12\xa4\x42" + b"\x07" * 8 + b"\x00\x01\x00\x00"
              + b"\x21\x12\xa4\x42" + b"\x09" * 12 + b"\x00" * 64)
elif kind == "chd65535":    # 4 + 0xffff padded = 0x10004: 4 at 16 bits
    s.sendall(b"\x40\x00\xff\xff" + b"\x00\x01\x00\x00\x21\x12\xa4\x42"
              + b"\x09" * 12 + b"\x00" * 64)
elif kind == "binding":     # a client after them: answered
    s.sendall(b"\x00\x01\x00\x00\x21\x12\xa4\x42" + b"\x05" * 12)
    d = s.recv(100)
    print("binding: answered %s" % d[:2].hex())
    sys.exit(0 if d[:2] == b"\x01\x01" and d[8:20] == b"\x05" * 12 else 1)
t0 = time.time()
s.settimeout(6)
try:
    d = s.recv(100)
    ok = d == b""
except ConnectionResetError:
    ok = True
except socket.timeout:
    ok = False
print("%s: closed=%s after %.1f s" % (kind, ok, time.time() - t0))
sys.exit(0 if ok else 1)
PY
}
st0=$(tp_stats tcp_turn)
ip netns exec "$TP_NS_C" timeout 90 turnutils_uclient -t -r 3480 -u test -w test -m 4 -c -n 40 \
  -e 10.211.0.2 10.210.0.1 >"$TP_TMP/good.log" 2>&1 &
good=$!
tp_check "a connection that never speaks is reset after tcp_first_message (2 s)" badpy silent
tp_check "a stream that is neither STUN nor ChannelData is reset" badpy notstun
tp_check "a STUN header with a wrong magic cookie is reset" badpy cookie
tp_check "an HTTP request (a ChannelData frame over the limit) is reset" badpy http
wait $good
tp_check "meanwhile a good client relayed 160 messages, 0 lost" \
  bash -c 'grep -q "Total lost packets 0 " "$0" && grep -qE "tot_recv_msgs=160([^0-9]|$)" "$0"' "$TP_TMP/good.log"
grep -E "tot_send_msgs=.*tot_recv" "$TP_TMP/good.log" | tail -n 1 | sed 's/^/# /'
st=$(tp_stats tcp_turn)
d() { echo $(( $(tp_stat "$st" "$1") - $(tp_stat "$st0" "$1") )); }
tp_check "counted: silent=$(d reset_silent) bad_frame=$(d reset_bad_frame) too_big=$(d reset_frame_too_big)" \
  test "$(d reset_silent)" -eq 1 -a "$(d reset_bad_frame)" -eq 2 \
  -a "$(d reset_frame_too_big)" -eq 1
st0=$(tp_stats tcp_turn)
tp_check "a STUN length of 0xfffc with a Binding request at byte 16 (a 16-bit cut's frame end) is reset unanswered" badpy stun65532
tp_check "a ChannelData length of 0xffff with a Binding request at byte 4 is reset unanswered" badpy chd65535
tp_check "a client after them is answered" badpy binding
st=$(tp_stats tcp_turn)
tp_check "counted as too big: $(d reset_frame_too_big), bad_frame $(d reset_bad_frame)" \
  test "$(d reset_frame_too_big)" -eq 2 -a "$(d reset_bad_frame)" -eq 0

# A flood of connections from one source: past turn.tcp_per_source (120
# here) its SYNs are dropped, counted; another source still connects.
ip netns exec "$TP_NS_C" ip addr add 10.210.0.3/24 dev "$(ip netns exec "$TP_NS_C" ip -o -4 addr show | awk '/10.210.0.2\// {print $2}')"
tp_check "one source gets 120 connections of 200 at once; another source connects meanwhile" \
  ip netns exec "$TP_NS_C" python3 - <<'PY'
import select, socket, sys, time
socks = []
for i in range(200):
    s = socket.socket(); s.setblocking(False)
    s.connect_ex(("10.210.0.1", 3478)); socks.append(s)
time.sleep(1.5)
_, w, _ = select.select([], socks, [], 0)
done = sum(1 for s in w if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0)
other = socket.socket(); other.bind(("10.210.0.3", 0)); other.settimeout(3)
other.connect(("10.210.0.1", 3478))
print("# connected %d of 200, the other source connected" % done)
sys.exit(0 if done == 120 else 1)
PY
st=$(tp_stats tcp)
tp_check "dp/tcp counted the refused SYNs (drop_per_source_limit=$(tp_stat "$st" drop_per_source_limit))" \
  test "$(tp_stat "$st" drop_per_source_limit)" -ge 80

# The clients are gone once cp holds no allocation: wait for that (at
# most 3 s), then look at what dp and cp counted.
for _ in $(seq 30); do
  tp_ctl --json status | grep -q '"allocations":0[,}]' && break
  sleep 0.1
done
st=$(tp_stats tcp_turn)
echo "# $st" | cut -c1-600
tp_check "dp's TURN-over-TCP accepted the clients (accepted=$(tp_stat "$st" accepted))" \
  test "$(tp_stat "$st" accepted)" -ge 114
tp_check "every allocation went with its connection (allocs_closed=$(tp_stat "$st" allocs_closed))" \
  test "$(tp_stat "$st" allocs_closed)" -ge 114
tp_check "cp heard every close (conn_events_sent=$(tp_stat "$st" conn_events_sent), none lost)" \
  test "$(tp_stat "$st" conn_events_sent)" -ge 114 -a "$(tp_stat "$st" conn_events_lost)" -eq 0
n=$(tp_ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("allocations", -1))')
tp_check "cp holds no allocation once the clients are gone ($n)" test "$n" = 0

# dp/tcp's header prediction (fast_input()) took some of those clients'
# segments: in-order data, pure ACKs; its two counters in cp's metrics,
# summed over the workers (each copies its counters every 100 ms)
fastpath() { python3 - "http://$maddr/metrics" <<'PY'
import re, sys, urllib.request
t = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
v = {"fast_path_data": 0, "fast_path_acks": 0}
for m in re.finditer(r'^turnpike_dp_tcp_events_total\{worker="\d+",event="(fast_path_\w+)"\} (\d+)$', t, re.M):
    v[m.group(1)] = v.get(m.group(1), 0) + int(m.group(2))
print(v["fast_path_data"], v["fast_path_acks"])
PY
}
for _ in $(seq 20); do
  read -r fdata facks < <(fastpath 2>/dev/null)
  [ "${fdata:-0}" -gt 0 ] && [ "${facks:-0}" -gt 0 ] && break
  sleep 0.1
done
tp_check "cp's metrics show dp/tcp's fast path took data and ACKs (fast_path_data=${fdata:-?}, fast_path_acks=${facks:-?})" \
  test "${fdata:-0}" -gt 0 -a "${facks:-0}" -gt 0

# dp restarts: its TCP connections die with it, and cp frees their
# allocations rather than installing them in the new dp (UDP ones it does).
ip netns exec "$TP_NS_C" python3 - "$HERE/lib" "$TP_TMP/held" <<'PY' &
import sys, time
sys.path.insert(0, sys.argv[1])
from turnclient import TcpClient
c = TcpClient("10.210.0.1")
assert c.allocate().cls == 2
open(sys.argv[2], "w").write("1")
time.sleep(20)
PY
held=$!
for _ in $(seq 50); do [ -s "$TP_TMP/held" ] && break; sleep 0.1; done
tcp_before=$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["allocations_by_transport"]["TCP"])')
tp_dp_stop >/dev/null
tp_dp_start "$TP_TMP/dp.conf"
# (cp's loop says so, then acts on it before it answers turnpikectl again)
tp_need tp_wait_log "$TP_CP_LOG" 'dp restarted' "$TP_CP_PID" "cp, told of dp's restart"
tp_ctl ready --wait 10 >/dev/null || tp_die "cp and the restarted dp not ready"
tp_check "after a dp restart cp holds no TCP allocation (before: $tcp_before), counted" python3 - "$(tp_ctl --json status)" <<'PY'
import json, sys
st = json.loads(sys.argv[1])
print("# TCP allocations %s, allocations_closed_with_dp %s" % (
    st["allocations_by_transport"]["TCP"], st["stats"].get("allocations_closed_with_dp")))
sys.exit(0 if st["allocations_by_transport"]["TCP"] == 0 and st["stats"]["allocations_closed_with_dp"] >= 1 else 1)
PY
kill "$held" 2>/dev/null; wait "$held" 2>/dev/null

kill "$peer6" "$peer3481" 2>/dev/null
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
