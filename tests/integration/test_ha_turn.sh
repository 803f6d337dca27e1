#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An active/standby pair takes over a relayed session (issue 69, slice 6).
#
# Two boxes on one host (the topology of `tools/demo --ha`): box A (dp on
# lcore 0) and box B (dp on lcore 1), each a turnpike-dp and turnpike-cp
# with its own segment, API socket and EAL file prefix, both with the same
# service addresses (access 10.210.0.1, core 10.211.0.1). Their tap ports'
# kernel sides are given a MAC of their own (net_tap gives the kernel side
# dp's MAC, which a bridge would take as one of its local addresses and
# never forward) and joined to two Linux bridges (in a namespace of their
# own) with the client's and the peer's namespaces, so both boxes share
# the two L2 segments. One redis-server holds the pair's lease; the two
# cps talk over the TLS-PSK link on 127.0.0.1/127.0.0.2.
#
# A starts active (ha.role "active"), B standby ("auto"). Two runs of
# coturn's turnutils_uclient (one allocation each for the whole run) relay
# through A to the echoing peer, one over a channel, one in Send
# indications (-s), every 20 ms, and go on through B after the SIGKILL
# below: each runs to its end (exit 0, its summary, no error), receives
# what it sent after the kill, loses at most 1 s of messages (the longest
# silence at the peer under 1 s), and sends no Allocate after the kill (a
# capture on the client's link: its Allocates all went to A's MAC before
# it; B holds no allocation from it but A's). What uclient does at the
# takeover, read in its source (coturn 4.6.1, src/apps/uclient):
#   - data needs no nonce: its ChannelData and Send indications go on;
#   - it refreshes every 30 s only, so a run of ~20 s sends no Refresh,
#     CreatePermission or ChannelBind to B (a 438 to a Refresh would be
#     retried: its challenge handler takes the new nonce and sends the
#     Refresh again; one to a CreatePermission or a ChannelBind would
#     not), but its closing Refresh (lifetime 0) goes to B with A's
#     nonce: B answers 438 Stale Nonce (nonces are per box until slice 8)
#     and uclient, the session already closed, never reads it: the
#     allocation stays on B until its lifetime ends (checked: B's table
#     and that answer agree);
#   - it makes a probe allocation before the one it relays on (start_
#     connection()'s "load balancing probe", on a socket it closes at
#     once), left to expire: two allocations a run, both mirrored;
#   - it draws its channel from 0x4000-0x7FFF: a number above 0x4FFF (on a
#     box with turn.channels "rfc5766", as here) was refused by the
#     mirror's record until this test found it, so B held that allocation
#     without its channel and dropped its ChannelData after the kill.
# A client of ours (lib/turnclient.py, which Refreshes on B itself)
# allocates on A too and relays two streams to the echoing peer, one over
# a channel and one in Send indications, every 10 ms each. Then:
#   - A's dp and cp are SIGKILLed mid-stream: both streams resume through
#     B with no new Allocate (B holds A's allocation, same id and relayed
#     address, mirrored); the gap at the peer (the receiver) is printed
#     and must be under 1 s; B's dp announced the addresses;
#   - after the takeover a Refresh succeeds on B (a stale nonce, A's, is
#     answered 438 and the client retries), one with a wrong password is
#     refused (B checks integrity of the mirrored user), and a new
#     CreatePermission and a ChannelBind to a second peer relay; a new
#     client's allocation on B has an id of B's fencing token's space
#     (token << 40), which no allocation A made can have;
#   - A restarted (dp and cp) comes back as the standby, gets B's
#     allocation through the mirror, and answers no ARP for the service
#     addresses (only B's MAC answers the client's ARP requests);
#   - redis-server stopped (SIGSTOP) for 5 s: no box changes role and the
#     stream goes on;
#   - both boxes write usage records (accounting.file): the session's
#     stop record, once the client deletes it on B, is written once
#     across the pair, by B (the standby that mirrors it writes none);
#   - `turnpikectl ha switchover` (slice 9): refused on the standby A; on
#     B, while a new client streams through B, it hands the role back to
#     A: the stream goes on through A with the same allocation, the gap
#     at the peer printed and under 200 ms;
#   - throughout, an SRTP call through the gateway (slice 7: an SRTP-SRTP
#     context made on A at the JSON door, SDES keys, our two made by cp;
#     its ends on Debian's libsrtp2, lib/srtp_call.py, 50 packets a second
#     each way with SRTCP): it goes on through B after the SIGKILL and
#     through A after the switchover, with no signalling; each end
#     decrypts every packet that arrives (no authentication or replay
#     failure, nothing altered), the sequence numbers on the wire only
#     ever jump forward (a new box protects past what the old one may
#     have: RFC 3711 section 9.1), the gaps printed (under 1 s at the
#     takeover, 200 ms at the switchover). Then a second switchover, back
#     to B, which stepped down without a restart: its own contexts must
#     not come back at the positions it left them (they became the
#     peer's mirror when it stepped down).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
. "$(dirname "$0")/lib/ha_pair.sh"
ha_pair_setup

box_conf A active; box_conf B auto
box_start A
tp_check "box A takes the lease and is active" tp_wait_until 10 "A active" is_role A active

# ---- the peer: echoes, and logs each arrival (port, time) --------------
ip netns exec "$TP_NS_P" python3 - "$TP_TMP/peer.log" <<'PY' &
import select, socket, sys, time
log = open(sys.argv[1], "w", buffering=1)
socks = []
for a in (("10.211.0.2", 4000), ("10.211.0.2", 4001), ("10.211.0.3", 4000), ("10.211.0.2", 3480)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(a)
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        d, frm = s.recvfrom(4096)
        if s.getsockname()[1] == 3480:
            # turnutils_uclient's (binary payload): "uc" and the relayed port
            log.write("%.4f %s:%d uc %d\n" % (time.time(), *s.getsockname(), frm[1]))
        else:
            log.write("%.4f %s:%d %s\n" % (time.time(), *s.getsockname(), d[:12].decode(errors="replace")))
        s.sendto(d, frm)
PY
PIDS+=($!)
tp_need tp_wait_listen "$TP_NS_P" udp 10.211.0.3 4000 "$!" "the echoing peer"

# ---- coturn's turnutils_uclient, two runs across the takeover ------------
# Started as soon as A is active (B gets their allocations by the walk).
# One over a channel (from 10.210.0.31), one in Send indications (-s, from
# 10.210.0.32), the long-term user, 500 messages of 100 bytes every 20 ms
# to the echoing peer's 10.211.0.2:3480; each relays on one allocation
# (-c: no "RTCP" one; uclient makes a probe allocation first, on a socket
# it closes at once, which lives on idle). uclient starts sending 1 to 6 s
# (its own random draw) after its allocation, so the kill waits until both
# flow at the peer. A capture of everything they send the server and it
# answers (in the client's namespace: the Ethernet destination says which
# box a request went to) counts their Allocates.
UC_ADDRS="10.210.0.31 10.210.0.32"
NOT_UC="not a['client'].startswith(('10.210.0.31:', '10.210.0.32:'))"
for a in $UC_ADDRS; do ip -n "$TP_NS_C" addr add "$a/24" dev "${TP_ID}c0"; done
ip netns exec "$TP_NS_C" dumpcap -q -P -i "${TP_ID}c0" -w "$TP_TMP/uc.pcap" \
  -f "udp port 3478 and (host 10.210.0.31 or host 10.210.0.32)" 2>"$TP_TMP/uc.cap.log" &
UC_CAP=$!
PIDS+=($UC_CAP)
tp_need tp_wait_log "$TP_TMP/uc.cap.log" 'Capturing on' "$UC_CAP" "dumpcap on the client's link" 20
declare -A UC_PID
for m in chan send; do
  [ $m = chan ] && { la=10.210.0.31; sm=; } || { la=10.210.0.32; sm=-s; }
  ( ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -u test -w test -c $sm -n 500 -z 20 \
      -e 10.211.0.2 -r 3480 -L $la 10.210.0.1 >"$TP_TMP/uc.$m.out" 2>&1
    echo $? >"$TP_TMP/uc.$m.rc" ) &
  UC_PID[$m]=$!
  PIDS+=($!)
done

box_start B
tp_check "box B is standby, linked to A" tp_wait_until 10 "B linked" eval 'linked B && is_role B standby'
echo "# A's access MAC $MAC_aA, B's $MAC_aB ($((SECONDS - T0)) s)"

# ---- an SRTP call through the gateway on A (slice 7) ----------------------
# SRTP-SRTP, SDES: the UE's and the core's keys ours, cp makes its own two;
# the ends (lib/srtp_call.py, libsrtp2) send 50 packets a second and SRTCP
# every 0.5 s for as long as the test runs.
SUITE=AES_CM_128_HMAC_SHA1_80
CALL="python3 $LIB/srtp_call.py"
key() { python3 -c 'import base64,os; print(base64.b64encode(os.urandom(30)).decode())'; }
KU=$(key) KC=$(key)
tp_check "an SRTP-SRTP context on A (the JSON door, SDES)" eval \
  'ctl A --json agw create --a "rtp=savp,local=10.210.0.1,remote=10.210.0.2:5004,rtcp_mux=true,crypto=$SUITE:$KU,our_crypto=$SUITE" \
     --b "rtp=savp,local=10.211.0.1,remote=10.211.0.2:6004,crypto=$SUITE:$KC,our_crypto=$SUITE" --label ha-srtp >"$TP_TMP/call.json"'
CTX=$(j "$TP_TMP/call.json" 'd["id"]')
PA=$(j "$TP_TMP/call.json" 'd["legs"][0]["local"].rsplit(":",1)[1]')
PB=$(j "$TP_TMP/call.json" 'd["legs"][1]["local"].rsplit(":",1)[1]')
KA=$(j "$TP_TMP/call.json" 'd["legs"][0]["our_crypto"]["key"]')
KB=$(j "$TP_TMP/call.json" 'd["legs"][1]["our_crypto"]["key"]')
echo "# SRTP context $CTX: the UE's termination $PA (rtcp-mux), the core's $PB"
ip netns exec "$TP_NS_C" $CALL 10.210.0.2 5004 10.210.0.1 "$PA" --mux --tag 1 --peer-tag 2 \
  --tx-key "$KU" --rx-key "$KA" --status "$TP_TMP/ue.st" --stop "$TP_TMP/srtp.stop" &
PIDS+=($!)
ip netns exec "$TP_NS_P" $CALL 10.211.0.2 6004 10.211.0.1 "$PB" --tag 2 --peer-tag 1 \
  --tx-key "$KC" --rx-key "$KB" --status "$TP_TMP/core.st" --stop "$TP_TMP/srtp.stop" &
PIDS+=($!)
# sst WHO EXPR: EXPR over the end WHO's (ue, core) status (d)
sst() { j "$TP_TMP/$1.st" "$2" 2>/dev/null; }
srtp_flowing() { [ "$(sst ue 'd["recv"] >= '"$1"' and d["rtcp_recv"] > 1')" = True ] &&
                 [ "$(sst core 'd["recv"] >= '"$1"' and d["rtcp_recv"] > 1')" = True ]; }
tp_check "the SRTP call flows both ways through A (SRTP and SRTCP)" tp_wait_until 10 "SRTP both ways" srtp_flowing 50
ctxs() { ha "$1" "h['mirrored']['contexts']"; }
tp_check "B holds the context (the mirror)" tp_wait_until 5 "B holds 1 context" eval '[ "$(ctxs B)" = 1 ]'
# srtp_clean WHEN: neither end refused a packet (auth, replay, SRTCP) nor
# got one altered or twice, and every change of the shift on the wire
# (SEQ - k) was a jump forward (0 < d < 2^15), never back
srtp_clean() {
  local w
  for w in ue core; do
    tp_check "SRTP $w: every packet decrypted, nothing refused or altered $1 ($(sst $w '"recv %d auth_fail %d replay_fail %d rtcp_bad %d bad %d dup %d" % (d["recv"], d["auth_fail"], d["replay_fail"], d["rtcp_bad"], d["bad"], d["dup"])'))" \
      test "$(sst $w 'd["auth_fail"] == 0 and d["replay_fail"] == 0 and d["rtcp_bad"] == 0 and d["bad"] == 0 and d["dup"] == 0')" = True
    tp_check "SRTP $w: the sequence numbers on the wire only jumped forward $1 (shifts $(sst $w '[s[2] for s in d["shift_log"]]'))" \
      test "$(sst $w 'all(0 < (b[2] - a[2]) % 65536 < 32768 for a, b in zip(d["shift_log"], d["shift_log"][1:]))')" = True
  done
}
srtp_clean "before the takeover"
# srtp_gap WHO T: the longest silence at WHO (over 30 ms) begun from 1 s
# before T to 5 s after, the one still going on included (nothing
# decrypted since)
# (the one going on counts from 1 s: the status file is written every
# 0.2 s, so a call flowing shows up to ~0.2 s since its last packet, which
# is no silence; a call that never decrypted again shows seconds)
srtp_gap() { sst "$1" 'max([g for t, g in d["silences"] if '"$2"' - 1 <= t <= '"$2"' + 5] + [g for g in [round(__import__("time").time() - d["heard_at"], 3)] if d.get("heard_at", 0) >= '"$2"' - 1 and g > 1.0] + [0.0])'; }
# srtp_heard WHO: WHO got packets sent after now (the other's sent now)
srtp_after() { [ "$(sst "$1" 'd["last"] is not None and d["last"] > '"$2")" = True ]; }

# ---- the client ---------------------------------------------------------
# Phase 1 streams for 6 s (the shell kills A a second in); phase 2 the
# transactions after the takeover; phase 3 (after the shell's "go3")
# streams while Redis is stopped. Results as JSON in client.json.
export TP_TMP
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY' >"$TP_TMP/client.out" 2>&1 &
import json, os, socket, struct, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = os.environ["TP_TMP"]
res = {}

def save():
    json.dump(res, open(os.path.join(tmp, "client.json.tmp"), "w"))
    os.rename(os.path.join(tmp, "client.json.tmp"), os.path.join(tmp, "client.json"))

def touch(name):
    open(os.path.join(tmp, name), "w").close()

def stream(c, seconds, tag):
    """Both streams every 10 ms; the echoes' arrival times by stream."""
    got = {"chan": [], "send": []}
    sent = 0
    c.sock.settimeout(0.002)
    end = time.time() + seconds
    nxt = time.time()
    while time.time() < end:
        now = time.time()
        if now >= nxt:
            c.channel_data(0x4001, b"%sc%07d" % (tag, sent))
            c.send_indication("10.211.0.2", 4001, b"%ss%07d" % (tag, sent))
            sent += 1
            nxt += 0.01
        try:
            d = c.recv()
        except socket.timeout:
            continue
        if d[:2] == b"\x40\x01":
            got["chan"].append(time.time())
        elif d[:2] == b"\x00\x17":
            got["send"].append(time.time())
    c.sock.settimeout(2.0)
    return sent, got

def gap(ts):
    return max((b - a for a, b in zip(ts, ts[1:])), default=None)

c = tc.Client("10.210.0.1")
m = c.allocate(lifetime=60)
res["allocate"] = m.cls == 2
res["relayed"] = "%s:%d" % c.relayed if m.cls == 2 else None
res["bind"] = c.channel_bind(0x4001, "10.211.0.2", 4000).cls == 2
res["perm"] = c.permission(("10.211.0.2", None)).cls == 2
save()
touch("ready")
while not os.path.exists(os.path.join(tmp, "go1")):
    time.sleep(0.02)
t0 = time.time()
touch("streaming")
sent, got = stream(c, 6.0, b"1")
res["p1"] = {"sent": sent, "chan": len(got["chan"]), "send": len(got["send"]),
             "gap_chan": gap(got["chan"]), "gap_send": gap(got["send"]),
             "last_chan": got["chan"][-1] if got["chan"] else 0,
             "last_send": got["send"][-1] if got["send"] else 0, "t0": t0}
save()
# Phase 2: after the takeover. The first Refresh with A's nonce, as sent:
req = c.build(tc.REFRESH, [(tc.A_LIFETIME, struct.pack("!I", 60))])
try:
    first = c._exchange(req)
    res["refresh_first"] = first.error() if first.cls == 3 else 200
except socket.timeout:
    res["refresh_first"] = "timeout"
m = c.refresh(60)
res["refresh"] = m.cls == 2
# a wrong password: refused (B checks the mirrored user's integrity)
good = c.password
c.password = "wrong"
try:
    bad = c._exchange(c.build(tc.REFRESH, [(tc.A_LIFETIME, struct.pack("!I", 60))]))
    res["refresh_wrong_pw"] = bad.error() if bad.cls == 3 else 200
except socket.timeout:
    res["refresh_wrong_pw"] = "timeout"
c.password = good
res["perm2"] = c.permission(("10.211.0.3", None)).cls == 2
c.send_indication("10.211.0.3", 4000, b"perm2-hello")
ok = False
c.sock.settimeout(1.0)
try:
    for _ in range(20):
        d = c.recv()
        if d[:2] == b"\x00\x17" and b"perm2-hello" in d:
            ok = True
            break
except socket.timeout:
    pass
c.sock.settimeout(2.0)
res["perm2_relay"] = ok
res["bind2"] = c.channel_bind(0x4002, "10.211.0.3", 4000).cls == 2
res["bind2_relay"] = c.echo_over_channel(0x4002, b"bind2-hello")
# a new client's Allocate on B: its id is B's, apart from any A made
c2 = tc.Client("10.210.0.1")
res["alloc2"] = c2.allocate(lifetime=60).cls == 2
save()
touch("phase2")
while not os.path.exists(os.path.join(tmp, "go3")):
    time.sleep(0.05)
sent, got = stream(c, 7.0, b"3")
res["p3"] = {"sent": sent, "chan": len(got["chan"]), "send": len(got["send"]),
             "gap_chan": gap(got["chan"]), "gap_send": gap(got["send"])}
res["refresh3"] = c.refresh(60).cls == 2
res["deleted"] = c.refresh(0).cls == 2
save()
touch("done")
PY
CLIENT=$!
PIDS+=($CLIENT)
tp_need tp_wait_file "$TP_TMP/ready" "$CLIENT" "the client's allocation"
tp_check "the client allocates on A, with a channel and a permission" \
  python3 -c "import json,sys; r=json.load(open('$TP_TMP/client.json')); sys.exit(0 if r['allocate'] and r['bind'] and r['perm'] else 1)"
# same_tables: A and B hold the same allocations (ids)
same_tables() {
  ctl A --json allocations >"$TP_TMP/sA.json" 2>/dev/null && ctl B --json allocations >"$TP_TMP/sB.json" 2>/dev/null &&
  python3 -c "import json,sys; f=lambda p: sorted(a['id'] for a in json.load(open(p))['allocations']); sys.exit(0 if f('$TP_TMP/sA.json') == f('$TP_TMP/sB.json') else 1)"
}
tp_check "B holds A's allocations, the client's and uclient's (the mirror)" \
  tp_wait_until 5 "the same tables" eval 'held B 1 "$NOT_UC" && same_tables'
# uc_flowing: both uclient runs' messages reach the peer (10 each)
uc_flowing() { awk '$3 == "uc" { n[$4]++ } END { for (p in n) if (n[p] >= 10) k++; exit !(k >= 2) }' "$TP_TMP/peer.log"; }
tp_check "both uclient runs relay through A" tp_wait_until 15 "uclient flowing" uc_flowing
echo "# both uclient runs flowing at $((SECONDS - T0)) s"
ctl A --json allocations >"$TP_TMP/allocsA.json"
ctl B --json allocations >"$TP_TMP/allocsB0.json"
touch "$TP_TMP/go1"


# ---- the takeover --------------------------------------------------------
tp_need tp_wait_until 10 "the client streams" test -f "$TP_TMP/streaming"
sleep 1.5
MAC_A0=$MAC_aA    # (A's MAC before the kill: its restart gives it another)
kill -KILL "${DP_PID[A]}" "${CP_PID[A]}"
T_KILL=$(date +%s.%N)
wait "${DP_PID[A]}" "${CP_PID[A]}" 2>/dev/null
DP_PID[A]=; CP_PID[A]=
rm -f "$TP_TMP/cpA.sock"
tp_check "B takes over (active)" tp_wait_until 5 "B active" is_role B active
echo "# B active $(python3 -c "import time; print('%.2f' % (time.time() - $T_KILL))") s after the kill (A killed at $((SECONDS - T0)) s)"
tp_need tp_wait_until 20 "phase 1" test -f "$TP_TMP/phase2"
ctl B --json allocations >"$TP_TMP/allocsB.json"
tp_check "B relays A's allocation, the same id and relayed address, no new Allocate" python3 - \
  "$TP_TMP/allocsA.json" "$TP_TMP/allocsB.json" <<'PY'
import json, sys
# (the client's: uclient's are judged at the end)
a, b = ([x for x in json.load(open(f))["allocations"] if x["client"].startswith("10.210.0.2:")]
        for f in sys.argv[1:3])
old = [x for x in b if x["id"] == a[0]["id"]]
assert len(a) == 1 and len(b) == 2 and len(old) == 1, (a, b)
assert a[0]["relayed"] == old[0]["relayed"], (a, b)
PY
# the gap at the receiver (the peer): the longest silence per stream
# around the kill, and the client's view of the echoes
python3 - "$TP_TMP/peer.log" "$TP_TMP/client.json" "$T_KILL" >"$TP_TMP/gap.out" <<'PY'
import json, sys
kill = float(sys.argv[3])
r = json.load(open(sys.argv[2]))["p1"]
arr = {"chan": [], "send": []}
for line in open(sys.argv[1]):
    t, where, data = line.split(" ", 2)
    if data.startswith("1c"):
        arr["chan"].append(float(t))
    elif data.startswith("1s"):
        arr["send"].append(float(t))
for k, ts in arr.items():
    gaps = [(b - a, a) for a, b in zip(ts, ts[1:])]
    g, at = max(gaps) if gaps else (None, None)
    after = sum(1 for t in ts if t > kill)
    print("%s %s %.3f %d %.3f" % (k, "gap", g if g else -1, after, (at - kill) if at else 0))
print("client chan %.3f send %.3f sent %d back %d/%d" % (r["gap_chan"] or -1, r["gap_send"] or -1,
      r["sent"], r["chan"], r["send"]))
PY
cat "$TP_TMP/gap.out" | sed 's/^/# /'
GAP_CHAN=$(awk '$1 == "chan" { print $3 }' "$TP_TMP/gap.out")
GAP_SEND=$(awk '$1 == "send" { print $3 }' "$TP_TMP/gap.out")
echo "# takeover gap at the peer: channel ${GAP_CHAN} s, Send indications ${GAP_SEND} s"
tp_check "the channel stream resumes through B (packets after the kill)" \
  awk '$1 == "chan" && $4 > 100 { f = 1 } END { exit !f }' "$TP_TMP/gap.out"
tp_check "the Send indications resume through B" \
  awk '$1 == "send" && $4 > 100 { f = 1 } END { exit !f }' "$TP_TMP/gap.out"
tp_check "the gap at the receiver is under 1 s (channel $GAP_CHAN, Send $GAP_SEND)" \
  awk -v a="$GAP_CHAN" -v b="$GAP_SEND" 'BEGIN { exit !(a > 0 && a < 1 && b > 0 && b < 1) }'
tp_check "B announced the service addresses (gratuitous ARP, unsolicited NA)" \
  grep -q 'ha: announcing the addresses' "$DPLOG_B"
# the SRTP call: through B now, with no signalling
# srtp_resumed WHEN: each end hears the other's packets sent from now on
srtp_resumed() {
  local su sc
  su=$(sst core 'd["sent"]'); sc=$(sst ue 'd["sent"]')
  tp_check "the SRTP call goes on both ways $1, no signalling" \
    tp_wait_until 5 "SRTP both ways" eval "srtp_after ue $su && srtp_after core $sc"
}
srtp_resumed "through B after the SIGKILL"
tp_check "B took the context over from the mirror" grep -q 'took over 1 RTP context' "$TP_TMP/cpB.log"
tp_check "B's status ha.takeover: 1 context, in dp's ring and held by dp ($(ha B "h.get('takeover')"))" \
  test "$(ha B "(lambda t: t['contexts'] == 1 and t['sent_ms'] is not None and t['installed_ms'] is not None and 0 <= t['sent_ms'] <= t['installed_ms'] < 1000)(h['takeover'])")" = True
G_UE=$(srtp_gap ue "$T_KILL"); G_CORE=$(srtp_gap core "$T_KILL")
echo "# SRTP takeover gap at the receivers: the UE ${G_UE} s, the core ${G_CORE} s; shifts on the wire: the UE $(sst ue 'd["shift_log"]'), the core $(sst core 'd["shift_log"]')"
tp_check "the SRTP takeover gap is under 1 s at both ends (UE $G_UE, core $G_CORE)" \
  awk -v a="$G_UE" -v b="$G_CORE" 'BEGIN { exit !(a > 0 && a < 1 && b > 0 && b < 1) }'
tp_check "the sequence numbers jumped forward at the takeover (a shift at both ends)" \
  test "$(sst ue 'len(d["shift_log"]) >= 2')$(sst core 'len(d["shift_log"]) >= 2')" = TrueTrue
srtp_clean "after the takeover"
TOKEN_B=$(ha B "h['token']")
tp_check "a new allocation on B gets an id of B's token's space (token $TOKEN_B << 40), none A could have made" python3 - \
  "$TP_TMP/allocsB.json" "$TOKEN_B" <<'PY'
import json, sys
b = [x for x in json.load(open(sys.argv[1]))["allocations"] if x["client"].startswith("10.210.0.2:")]
t = int(sys.argv[2])
new = [a["id"] for a in b if a["id"] != b[0]["id"]] if len(b) == 2 else None
print("# ids on B after the takeover:", [a["id"] for a in b])
assert new and new[0] >> 40 == t, (new, t)
PY
R() { python3 -c "import json; r=json.load(open('$TP_TMP/client.json')); print($1)"; }
echo "# after the takeover: first Refresh answered $(R "r['refresh_first']"), a wrong password $(R "r['refresh_wrong_pw']")"
tp_check "a Refresh on B with A's nonce: 438 Stale Nonce (or taken), then it succeeds" \
  test "$(R "r['refresh_first'] in (438, 200) and r['refresh']")" = True
tp_check "a Refresh with a wrong password is refused on B (401)" test "$(R "r['refresh_wrong_pw']")" = 401
tp_check "a new CreatePermission on B, and a Send to that peer relayed" \
  test "$(R "r['perm2'] and r['perm2_relay']")" = True
tp_check "a new ChannelBind on B relays" test "$(R "r['bind2'] and r['bind2_relay']")" = True

# ---- A comes back: standby, and no ARP answered ------------------------
rm -f "$TP_TMP/cpA.sock"
box_start A
tp_check "A restarted comes back as the standby, linked to B" \
  tp_wait_until 10 "A standby, linked" eval 'linked A && is_role A standby'
tp_check "... and B is still active" is_role B active
tp_check "A holds B's allocations again (the walk)" tp_wait_until 5 "A holds 2" held A 2 "$NOT_UC"
tp_check "A holds the SRTP context again (the walk)" tp_wait_until 5 "A holds 1 context" eval '[ "$(ctxs A)" = 1 ]'
ip netns exec "$TP_NS_C" python3 - "${TP_ID}c0" >"$TP_TMP/arp.out" 2>&1 <<'PY'
# ARP requests for the service address from the client's side; every
# reply's sender MAC
import fcntl, socket, struct, sys, time
ifn = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((ifn, 0))
mac = s.getsockname()[4]
me = socket.inet_aton("10.210.0.2")
want = socket.inet_aton("10.210.0.1")
s.settimeout(0.1)
seen = []
for i in range(5):
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, me, b"\0" * 6, want)
    s.send(b"\xff" * 6 + mac + b"\x08\x06" + arp)
    end = time.time() + 0.3
    while time.time() < end:
        try:
            f = s.recv(2048)
        except socket.timeout:
            continue
        op, sha, spa = struct.unpack("!H6s4s", f[20:32])
        if op == 2 and spa == want:
            seen.append(":".join("%02x" % b for b in sha))
print(" ".join(seen))
PY
echo "# ARP replies for 10.210.0.1: $(cat "$TP_TMP/arp.out")"
tp_check "ARP for the service address is answered, by B's MAC only (A answers none)" \
  awk -v b="$MAC_aB" '{ for (i = 1; i <= NF; i++) { n++; if ($i != b) bad = 1 } } END { exit !(n > 0 && !bad) }' "$TP_TMP/arp.out"

# ---- Redis away for 5 s: nobody changes role ------------------------------
touch "$TP_TMP/go3"
sleep 0.5
kill -STOP "$REDIS_PID"
flips=0
for _ in $(seq 10); do
  sleep 0.5
  is_role B active && is_role A standby || flips=$((flips + 1))
done
kill -CONT "$REDIS_PID"
tp_check "Redis stopped 5 s: B stays active and A standby throughout ($flips looks otherwise)" test $flips -eq 0
tp_need tp_wait_until 15 "phase 3" test -f "$TP_TMP/done"
echo "# during the Redis outage: $(R "r['p3']")"
tp_check "... and the stream goes on meanwhile (no gap over 0.5 s)" \
  test "$(R "r['p3']['gap_chan'] is not None and r['p3']['gap_chan'] < 0.5 and r['p3']['gap_send'] < 0.5 and r['refresh3']")" = True
tp_check "still so after Redis is back" eval 'is_role B active && is_role A standby'

# ---- the session's usage record: written once across the pair ----------
SESSION=$(python3 -c "import json; print([a['id'] for a in json.load(open('$TP_TMP/allocsA.json'))['allocations'] if a['client'].startswith('10.210.0.2:')][0])")
tp_check "the client deletes its allocation on B (Refresh 0)" test "$(R "r['deleted']")" = True
records() { cat "$TP_TMP"/usage[AB].jsonl 2>/dev/null | grep -c "\"session\":\"$SESSION\""; }
tp_wait_until 8 "the session's record" eval '[ "$(records)" -ge 1 ]' >/dev/null
sleep 2   # (a second record, if one comes, comes now: the standby hears the end within 0.1 s)
echo "# session $SESSION's records: B $(grep -c "\"session\":\"$SESSION\"" "$TP_TMP/usageB.jsonl" 2>/dev/null), A $(grep -c "\"session\":\"$SESSION\"" "$TP_TMP/usageA.jsonl" 2>/dev/null)"
tp_check "the session's usage record is written once across the pair (by B, the active box)" \
  eval '[ "$(records)" = 1 ] && grep -q "\"session\":\"$SESSION\"" "$TP_TMP/usageB.jsonl"'
# ---- a planned switchover back to A (slice 9): the gap at the receiver --
# A is the standby again: `turnpikectl ha switchover` on it is refused (it
# is not active), on B it hands the role to A while a new client streams
# through B; the stream goes on through A (no new Allocate), the gap at
# the peer under 200 ms.
OUT=$(ctl A ha switchover 2>&1); RC=$?
echo "# switchover on the standby A: exit $RC: $OUT"
tp_check "a switchover on the standby is refused, saying it is not active" \
  eval '[ $RC = 2 ] && echo "$OUT" | grep -q "not active"'
rm -f "$TP_TMP/ready4" "$TP_TMP/streaming4" "$TP_TMP/done4"
ip netns exec "$TP_NS_C" python3 - "$LIB" <<'PY' >"$TP_TMP/client4.out" 2>&1 &
import json, os, socket, struct, sys, time
sys.path.insert(0, sys.argv[1])
import turnclient as tc
tmp = os.environ["TP_TMP"]
res = {}
c = tc.Client("10.210.0.1")
res["allocate"] = c.allocate(lifetime=60).cls == 2
res["bind"] = c.channel_bind(0x4001, "10.211.0.2", 4000).cls == 2
res["perm"] = c.permission(("10.211.0.2", None)).cls == 2
json.dump(res, open(os.path.join(tmp, "client4.json"), "w"))
open(os.path.join(tmp, "ready4"), "w").close()
while not os.path.exists(os.path.join(tmp, "go4")):
    time.sleep(0.02)
open(os.path.join(tmp, "streaming4"), "w").close()
sent = 0
c.sock.settimeout(0.002)
end = time.time() + 4.0
nxt = time.time()
while time.time() < end:
    if time.time() >= nxt:
        c.channel_data(0x4001, b"4c%07d" % sent)
        c.send_indication("10.211.0.2", 4001, b"4s%07d" % sent)
        sent += 1
        nxt += 0.01
    try:
        c.recv()
    except socket.timeout:
        pass
c.sock.settimeout(2.0)
res["sent"] = sent
m = c.refresh(60)
res["refresh"] = m.cls == 2
json.dump(res, open(os.path.join(tmp, "client4.json"), "w"))
open(os.path.join(tmp, "done4"), "w").close()
PY
CLIENT4=$!
PIDS+=($CLIENT4)
tp_need tp_wait_file "$TP_TMP/ready4" "$CLIENT4" "the fourth client's allocation"
tp_check "a new client allocates on B, with a channel and a permission" \
  python3 -c "import json,sys; r=json.load(open('$TP_TMP/client4.json')); sys.exit(0 if r['allocate'] and r['bind'] and r['perm'] else 1)"
tp_check "A holds B's allocations (the mirror)" tp_wait_until 5 "the same tables" same_tables
ctl B --json allocations >"$TP_TMP/allocsB4.json"
touch "$TP_TMP/go4"
tp_need tp_wait_until 5 "the fourth client streams" test -f "$TP_TMP/streaming4"
sleep 1
T_SW=$(date +%s.%N)
OUT=$(ctl B ha switchover 2>&1); RC=$?
T_SW_DONE=$(date +%s.%N)
echo "# switchover on B: exit $RC in $(python3 -c "print('%.3f' % ($T_SW_DONE - $T_SW))") s: $OUT"
tp_check "turnpikectl ha switchover on the active B succeeds" test "$RC" = 0
tp_check "A is active after the switchover, B standby" eval 'is_role A active && is_role B standby'
tp_check "... and they stay so (a lease later)" eval 'sleep 1; is_role A active && is_role B standby'
tp_need tp_wait_until 10 "the fourth client's stream" test -f "$TP_TMP/done4"
ctl A --json allocations >"$TP_TMP/allocsA4.json"
tp_check "A relays B's allocations: the same ids and relayed addresses, no new Allocate" python3 - \
  "$TP_TMP/allocsB4.json" "$TP_TMP/allocsA4.json" <<'PY'
import json, sys
b, a = (json.load(open(f))["allocations"] for f in sys.argv[1:3])
key = lambda x: (x["id"], json.dumps(x["relayed"], sort_keys=True))
assert sorted(map(key, b)) == sorted(map(key, a)), (b, a)
PY
python3 - "$TP_TMP/peer.log" "$T_SW" >"$TP_TMP/gap4.out" <<'PY'
import sys
sw = float(sys.argv[2])
arr = {"chan": [], "send": []}
for line in open(sys.argv[1]):
    t, where, data = line.split(" ", 2)
    if data.startswith("4c"):
        arr["chan"].append(float(t))
    elif data.startswith("4s"):
        arr["send"].append(float(t))
for k, ts in arr.items():
    gaps = [(b - a, a) for a, b in zip(ts, ts[1:])]
    g, at = max(gaps) if gaps else (None, None)
    after = sum(1 for t in ts if t > sw)
    print("%s gap %.3f %d %.3f %d" % (k, g if g else -1, after, (at - sw) if at else 0, len(ts)))
PY
sed 's/^/# /' "$TP_TMP/gap4.out"
SW_CHAN=$(awk '$1 == "chan" { print $3 }' "$TP_TMP/gap4.out")
SW_SEND=$(awk '$1 == "send" { print $3 }' "$TP_TMP/gap4.out")
echo "# switchover gap at the peer: channel ${SW_CHAN} s, Send indications ${SW_SEND} s (sent $(python3 -c "import json; print(json.load(open('$TP_TMP/client4.json'))['sent'])") each)"
echo "# B's status: $(ha B "h['switchover']")"
tp_check "the streams go on through A after the switchover" \
  awk '$1 ~ /chan|send/ && $4 > 100 { n++ } END { exit n != 2 }' "$TP_TMP/gap4.out"
tp_check "the switchover's gap at the receiver is under 200 ms (channel $SW_CHAN, Send $SW_SEND)" \
  awk -v a="$SW_CHAN" -v b="$SW_SEND" 'BEGIN { exit !(a > 0 && a < 0.2 && b > 0 && b < 0.2) }'
srtp_resumed "through A after the switchover"
G_UE=$(srtp_gap ue "$T_SW"); G_CORE=$(srtp_gap core "$T_SW")
echo "# SRTP switchover gap at the receivers (0: none over 30 ms): the UE ${G_UE} s, the core ${G_CORE} s; shifts: the UE $(sst ue '[s[2] for s in d["shift_log"]]'), the core $(sst core '[s[2] for s in d["shift_log"]]')"
tp_check "the SRTP switchover gap is under 200 ms at both ends (UE $G_UE, core $G_CORE)" \
  awk -v a="$G_UE" -v b="$G_CORE" 'BEGIN { exit !(a < 0.2 && b < 0.2) }'
srtp_clean "after the switchover to A"
tp_check "a Refresh on A after the switchover succeeds" \
  python3 -c "import json,sys; sys.exit(0 if json.load(open('$TP_TMP/client4.json'))['refresh'] else 1)"
tp_check "A announced the addresses on taking over" grep -q 'ha: announcing the addresses' "$DPLOG_A"
tp_check "the counters say it: B switch_out 1, A switch_in 1" \
  eval '[ "$(ha B "h[\"switch_out\"]")" = 1 ] && [ "$(ha A "h[\"switch_in\"]")" = 1 ]'


# ---- a second switchover, back to B, which stepped down without a restart --
# B's cp and dp kept running as the standby; the context went on through A
# meanwhile, its send positions past B's. B takes it back where A left it
# (the mirror's, moved past the bound), not where B left it.
tp_check "B, stepped down, holds the SRTP context" \
  tp_wait_until 5 "B holds 1 context" eval '[ "$(ctxs B)" = 1 ]'
sleep 1
T_SW2=$(date +%s.%N)
OUT=$(ctl A ha switchover 2>&1); RC=$?
echo "# switchover on A: exit $RC: $OUT"
tp_check "turnpikectl ha switchover on A hands the role back to B" \
  eval '[ $RC = 0 ] && is_role B active && is_role A standby'
srtp_resumed "through B after the second switchover"
sleep 1
G_UE=$(srtp_gap ue "$T_SW2"); G_CORE=$(srtp_gap core "$T_SW2")
echo "# SRTP second switchover gap: the UE ${G_UE} s, the core ${G_CORE} s; shifts: the UE $(sst ue '[s[2] for s in d["shift_log"]]'), the core $(sst core '[s[2] for s in d["shift_log"]]')"
tp_check "the second switchover's SRTP gap is under 200 ms at both ends (UE $G_UE, core $G_CORE)" \
  awk -v a="$G_UE" -v b="$G_CORE" 'BEGIN { exit !(a < 0.2 && b < 0.2) }'
srtp_clean "after the switchover back to B"
touch "$TP_TMP/srtp.stop"
sleep 1.5
for w in ue core; do echo "# SRTP $w: $(cat "$TP_TMP/$w.st")"; done

# ---- uclient's two runs: one allocation each, through the takeover -------
# (500 messages from 1-6 s after the allocation, then uclient's 10 s wait
# for what it lost: long done by now)
T_UCW=$SECONDS
for m in chan send; do wait "${UC_PID[$m]}"; done
echo "# uclient's runs waited for: $((SECONDS - T_UCW)) s (at $((SECONDS - T0)) s)"
kill -TERM "$UC_CAP"; wait "$UC_CAP" 2>/dev/null
ctl B --json allocations >"$TP_TMP/allocsB_end.json"
python3 - "$TP_TMP" "$T_KILL" "$MAC_A0" "$MAC_aB" <<'PY' >"$TP_TMP/uc.json"
# For each run: its summary; its allocation on A (by its address, the one
# whose relayed port the peer heard); the peer's arrivals from that relayed
# port before and after the kill and the longest silence between two; from
# the capture, its requests by STUN method and the box (the Ethernet
# destination, A's MAC before the kill or B's) before and after the kill,
# and the answer to its last Refresh; and what B holds from its address now.
import json, re, struct, sys
tmp, kill, mac_a, mac_b = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
allocs_a = json.load(open(tmp + "/allocsA.json"))["allocations"]
allocs_b = json.load(open(tmp + "/allocsB_end.json"))["allocations"]
peer = {}
for line in open(tmp + "/peer.log", errors="replace"):
    f = line.split()
    if len(f) == 4 and f[2] == "uc":
        peer.setdefault(int(f[3]), []).append(float(f[0]))

def pcap(path):
    """(time, eth dst, eth src, ip src, ip dst, udp payload) of each frame"""
    b = open(path, "rb").read()
    end = "<" if b[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    off, out = 24, []
    while off + 16 <= len(b):
        sec, usec, incl, _ = struct.unpack(end + "IIII", b[off:off + 16])
        fr = b[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(fr) < 42 or fr[12:14] != b"\x08\x00":
            continue
        ihl = (fr[14] & 15) * 4
        mac = lambda x: ":".join("%02x" % c for c in x)
        out.append((sec + usec / 1e6, mac(fr[0:6]), mac(fr[6:12]),
                    ".".join(map(str, fr[26:30])), ".".join(map(str, fr[30:34])),
                    fr[14 + ihl + 8:]))
    return out

frames = pcap(tmp + "/uc.pcap")
# (methods: the type less its class bits, RFC 8489 section 5)
NAMES = {0x003: "Allocate", 0x004: "Refresh", 0x006: "Send", 0x008: "CreatePermission",
         0x009: "ChannelBind"}

def error_code(p):
    o = 20
    while o + 4 <= len(p):
        t, l = struct.unpack("!HH", p[o:o + 4])
        if t == 0x0009 and l >= 4:
            return (p[o + 6] & 7) * 100 + p[o + 7]
        o += 4 + l + (-l % 4)
    return None

res = {}
for m, addr in (("chan", "10.210.0.31"), ("send", "10.210.0.32")):
    r = {}
    out = open("%s/uc.%s.out" % (tmp, m), errors="replace").read()
    r["rc"] = int(open("%s/uc.%s.rc" % (tmp, m)).read().strip() or 255)
    g = lambda pat: [int(x) for x in re.findall(pat, out)]
    r["sent"] = (g(r"tot_send_msgs=(\d+)") or [None])[-1]
    r["recv"] = (g(r"tot_recv_msgs=(\d+)") or [None])[-1]
    r["lost"] = (g(r"Total lost packets (\d+)") or [None])[-1]
    r["errors"] = [l.strip() for l in out.splitlines() if re.search(r"error|fail|cannot", l, re.I)][:3]
    # (two: uclient's probe, an Allocate on a socket it closes at once,
    # left to expire, and the one it relays on, whose port the peer heard)
    r["alloc_a_all"] = [(a["id"], a["relayed"]) for a in allocs_a if a["client"].startswith(addr + ":")]
    mine = [a for a in allocs_a if a["client"].startswith(addr + ":")
            and int(a["relayed"][0].rsplit(":", 1)[1]) in peer]
    r["alloc_a"] = [(a["id"], a["relayed"]) for a in mine]
    ts = peer.get(int(mine[0]["relayed"][0].rsplit(":", 1)[1]), []) if len(mine) == 1 else []
    r["peer_before"] = sum(1 for t in ts if t <= kill)
    r["peer_after"] = sum(1 for t in ts if t > kill)
    r["peer_gap"] = round(max((b - a for a, b in zip(ts, ts[1:])), default=-1), 3)
    req, tids = {}, {}
    for t, dst, src, ips, ipd, p in frames:
        if ips != addr or len(p) < 4:
            continue
        if 0x40 <= p[0] <= 0x7f:
            meth = "ChannelData"
        else:
            ty = struct.unpack("!H", p[:2])[0]
            meth = NAMES.get(ty & 0x3eef, "0x%04x" % ty)
            if ty & 0x0110 == 0 and meth == "Refresh":
                tids[p[8:20]] = t
                r["last_refresh_t"] = t
                r["last_refresh_tid"] = p[8:20].hex()
        box = "A" if dst == mac_a else "B" if dst == mac_b else dst
        k = "%s %s %s" % (meth, box, "before" if t <= kill else "after")
        req[k] = req.get(k, 0) + 1
    r["requests"] = req
    tid = bytes.fromhex(r.get("last_refresh_tid", ""))
    for t, dst, src, ips, ipd, p in frames:
        if ipd == addr and len(p) >= 20 and p[8:20] == tid and p[0] < 0x40:
            ty = struct.unpack("!H", p[:2])[0]
            r["last_refresh_answer"] = 200 if ty & 0x0110 == 0x0100 else error_code(p)
    r["last_refresh_after_kill"] = r.get("last_refresh_t", 0) > kill
    r["held_b"] = [(a["id"], a["relayed"]) for a in allocs_b if a["client"].startswith(addr + ":")]
    res[m] = r
json.dump(res, open(tmp + "/uc.json", "w"))
PY
U() { python3 -c "import json; r=json.load(open('$TP_TMP/uc.json'))['$1']; print($2)"; }
for m in chan send; do
  [ $m = chan ] && { what="uclient over a channel"; dk=ChannelData; } ||
                   { what="uclient in Send indications"; dk=Send; }
  echo "# $what: $(U $m '"exit %s, sent %s, received %s, lost %s; at the peer %d before the kill, %d after, the longest silence %.3f s" % (r["rc"], r["sent"], r["recv"], r["lost"], r["peer_before"], r["peer_after"], r["peer_gap"])')"
  echo "# $what, its requests by box (A $MAC_A0, B $MAC_aB): $(U $m 'r["requests"]'); its last Refresh answered $(U $m 'r.get("last_refresh_answer")'); A made $(U $m 'r["alloc_a_all"]') (relaying on $(U $m 'r["alloc_a"][0][0] if r["alloc_a"] else None')), B holds $(U $m 'r["held_b"]')"
  tp_check "$what ran to its end through the takeover: exit 0, all 500 sent, no error ($(U $m 'r["errors"]'))" \
    test "$(U $m 'r["rc"] == 0 and r["sent"] == 500 and r["recv"] is not None and r["lost"] is not None and not r["errors"]')" = True
  tp_check "$what received what it sent after the kill (received - arrived at the peer before the kill >= 50; 50 arrived after)" \
    test "$(U $m 'r["recv"] - r["peer_before"] >= 50 and r["peer_after"] >= 50')" = True
  tp_check "$what lost at most 1 s of its messages (<= 50 at 20 ms; the longest silence at the peer under 1 s)" \
    test "$(U $m 'r["lost"] <= 50 and 0 < r["peer_gap"] < 1')" = True
  tp_check "$what sent no Allocate after the kill (its Allocates all to A before it; its messages to B after it), and B holds no allocation from it but A's" \
    test "$(U $m 'len(r["alloc_a"]) == 1 and r["requests"].get("Allocate A before", 0) >= 1 and not [k for k in r["requests"] if k.startswith("Allocate") and k != "Allocate A before"] and r["requests"].get("'"$dk"' B after", 0) >= 50 and all(h in r["alloc_a_all"] for h in r["held_b"])')" = True
  # Its closing Refresh (lifetime 0) goes to B with A's nonce: B answers
  # 438 Stale Nonce (nonces are per box until slice 8), and uclient, its
  # session already closed, neither reads nor retries it: the allocation
  # stays on B until its lifetime ends. Either way B's table must agree.
  tp_check "$what's closing Refresh, sent to B, and B's table agree (438: the allocation, A's, still held; 200: gone)" \
    test "$(U $m 'r["last_refresh_after_kill"] and ((r.get("last_refresh_answer") == 438 and r["alloc_a"][0] in r["held_b"]) or (r.get("last_refresh_answer") == 200 and r["alloc_a"][0] not in r["held_b"]))')" = True
done

echo "# wall time $((SECONDS - T0)) s"
[ $TP_FAILS -eq 0 ]
