#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TURN over TLS (RFC 8656 §3.1, 3GPP TS 33.203 Annex W) terminated in dp's
# workers (dp/tls): OpenSSL over dp's own TCP, two workers. A self-signed
# certificate made here (openssl req). Pass: openssl s_client completes
# TLS 1.3 and TLS 1.2 and sees "stun.turn" echoed when it offers it
# (RFC 7443); coturn's turnutils_uclient -S relays over channels and send
# indications, 50 sessions, 0 lost, on 5349 and on 443; bad input (garbage
# instead of a ClientHello, a truncated record then silence, a flood of
# half-open handshakes from one source while another client completes, a
# corrupted record, a renegotiation attempt) closes only that connection,
# counted by reason (tls_* in dp's statistics and cp's metrics).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
command -v openssl >/dev/null || tp_die "openssl missing"
start=$SECONDS

# A self-signed ECDSA P-256 certificate, as tools/demo makes one.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=turn.test" -keyout "$TP_TMP/key.pem" -out "$TP_TMP/cert.pem" \
  >"$TP_TMP/req.out" 2>&1 || tp_die "openssl req failed"

# TP_ASYNCPROV_SO (the asynchronous test provider, tests/tls_asyncprov):
# every public-key operation waits for it (TP_ASYNCPROV_DELAY_US, 200 µs
# by default) in SSL_MODE_ASYNC: handshakes park and resume through the
# worker's ring, and the same checks must pass. With TP_ASYNCPROV_RECORDS
# set as well, every record's encryption and decryption waits too (an
# accelerator that does the records): established connections' reads and
# writes park, and TURN's frames towards a client whose read is parked wait
# behind it (write_queued_parked) rather than being lost.
offload=
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  export TP_ASYNCPROV_STATS=1      # its counters on stderr when dp unloads it
  # long enough for a client's reset to arrive while its handshake is
  # parked (below), short enough for uclient's 50 handshakes in a row
  export TP_ASYNCPROV_DELAY_US=${TP_ASYNCPROV_DELAY_US:-2000}
  # jobs: OpenSSL's async jobs a worker may hold at once; so few that
  # reads and writes of established connections find none free while
  # handshakes hold them, and wait for one (tls.offload.jobs)
  JOBS=${TP_ASYNC_JOBS:-1}
  offload="offload = { provider = \"$TP_ASYNCPROV_SO\"; properties = \"?provider=tpasync\"; jobs = $JOBS; };"
fi
# tcp_per_source (per worker): uclient's 50 sessions below hold 100
# connections from one source, and the flow hash may put most of them on
# one worker (at 60, one run in ten or so lost SYNs to the limit and
# uclient waited past its 60 s for a connection).
tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups "" "listen_tls = [5349, 443]; tcp_first_message = 2; tcp_per_source = 110;")
tls = { certificate = \"$TP_TMP/cert.pem\"; private_key = \"$TP_TMP/key.pem\"; $offload };"
tp_check "turnpike-dp --check accepts the tls group" \
  "$TP_DP" --config "$TP_TMP/dp.conf" --check
# A key that is not the certificate's: one error naming the file, the
# line and both files, at --check as at start.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TP_TMP/other.pem" 2>/dev/null
sed "s|$TP_TMP/key.pem|$TP_TMP/other.pem|" "$TP_TMP/dp.conf" >"$TP_TMP/bad.conf"
out=$("$TP_DP" --config "$TP_TMP/bad.conf" --check 2>&1); rc=$?
line=$(grep -n "other.pem" "$TP_TMP/bad.conf" | cut -d: -f1)
echo "# $out" | head -n 1 | cut -c1-240
tp_check "--check refuses a key that does not match the certificate (exit $rc, bad.conf:$line)" \
  test $rc -eq 2 -a -n "$(grep -F "$TP_TMP/bad.conf:$line: tls.private_key '$TP_TMP/other.pem' does not match tls.certificate '$TP_TMP/cert.pem'" <<<"$out")"
# tls.record_layer is "dp" or "openssl": anything else names file and line.
sed "s|private_key = |record_layer = \"kernel\"; private_key = |" "$TP_TMP/dp.conf" >"$TP_TMP/bad2.conf"
out=$("$TP_DP" --config "$TP_TMP/bad2.conf" --check 2>&1); rc=$?
line=$(grep -n 'record_layer' "$TP_TMP/bad2.conf" | cut -d: -f1)
tp_check "--check refuses tls.record_layer = \"kernel\" (exit $rc, bad2.conf:$line)" \
  test $rc -eq 2 -a -n "$(grep -F "$TP_TMP/bad2.conf:$line: tls.record_layer must be \"dp\"" <<<"$out")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "dp says it serves TURN on TLS 5349 and 443" grep -q 'TURN on TLS 5349, 443' "$TP_DP_LOG"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
# a second client address: the flood below comes from 10.210.0.2, the
# clients that must not suffer from it from 10.210.0.3
ip netns exec "$TP_NS_C" ip addr add 10.210.0.3/24 dev "$(ip netns exec "$TP_NS_C" ip -o -4 addr show | awk '/10.210.0.2\// {print $2}')"
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

sclient() {   # sclient ARGS...: one s_client session that sends nothing
  ip netns exec "$TP_NS_C" timeout 10 openssl s_client -connect 10.210.0.1:5349 \
    -servername turn.test "$@" </dev/null 2>&1
}
out=$(sclient -tls1_3 -alpn stun.turn)
tp_check "s_client -tls1_3: TLS 1.3 completes, ALPN stun.turn echoed" \
  grep -q "ALPN protocol: stun.turn" <<<"$out"
grep -E "^(New|Protocol|ALPN)|Cipher is" <<<"$out" | head -n 3 | sed 's/^/# /'
grep -q "TLSv1.3" <<<"$out" || tp_not_ok "s_client -tls1_3 did not say TLSv1.3"
out=$(sclient -tls1_2 -alpn stun.turn)
tp_check "s_client -tls1_2: TLS 1.2 completes, ALPN stun.turn echoed" \
  grep -q "ALPN protocol: stun.turn" <<<"$out"
grep -E "Cipher is|Protocol *:" <<<"$out" | head -n 2 | sed 's/^/# /'
out=$(sclient -tls1_3)
tp_check "s_client without ALPN completes, no ALPN chosen (not required)" \
  grep -q "No ALPN negotiated" <<<"$out"

if [ -n "${TP_TLS_HOLD:-}" ]; then   # by hand: dp and cp stay up
  echo "# held: ns $TP_NS_C, log $TP_DP_LOG, tmp $TP_TMP"; sleep "$TP_TLS_HOLD"; exit 0
fi

# uclient NAME ARGS...: one batch over TLS; its summary, then the verdict.
uclient() {
  local what=$1; shift
  local out t0=$SECONDS rc
  for try in 1 2; do
    out=$(ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -t -S -r 3480 "$@" 2>&1)
    rc=$?
    # uclient gives up (exit 255) when its random choice of TLS 1.0 or
    # 1.1 (refused: dp serves 1.2 and up) comes up too often; once more
    [ $rc -eq 255 ] && tail -n 1 <<<"$out" | grep -q "alert protocol version" || break
    echo "# uclient gave up after refused TLS 1.0/1.1 attempts; again"
  done
  echo "$out" >"$TP_TMP/uclient.$BASHPID.log"
  local sent recv lost
  sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  if [ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$recv" ] && [ "${lost:-1}" = 0 ]; then
    tp_ok "$what: $sent sent, $recv received, 0 lost ($((SECONDS - t0)) s)"
  else
    tp_not_ok "$what: sent=${sent:-?} recv=${recv:-?} lost=${lost:-?} (exit $rc)"
    echo "$out" | tail -n 15 | sed 's/^/#   /'
    grep "^tls worker" "$TP_DP_LOG" | tail -n 2 | cut -c1-400 | sed 's/^/#   /'
    return 1
  fi
}
V4="-e 10.211.0.2 10.210.0.1"
# (coturn's uclient picks each session's TLS method at random, TLS 1.0
# and 1.1 among them: those attempts are refused (hs_fail_refused, dp
# serves 1.2 and up) and it tries again.) One batch after the other: two
# at once (100 sessions on this 2-core box beside the ASan build of dp)
# lost a few messages to the client's own timing (dp relayed every one).
uclient "TLS on 5349, 50 sessions over channels" -u test -w test -m 50 -c -n 10 -l 120 -p 5349 $V4
[ -n "${TP_TLS_QUICK:-}" ] && exit 0
# (with the async provider, 5349's batch shows the handshakes parking and
# resuming; the batch on 443 is the same code, not run twice in the suite)
[ -z "${TP_ASYNCPROV_SO:-}" ] &&
uclient "TLS on 443, 50 sessions over send indications" -u test -w test -m 50 -c -n 10 -l 120 -s \
  -p 443 -L 10.210.0.3 $V4

# dp's "tls" lines of both workers, asked for once: tls_now; then
# snap (before) and delta NAME (since the snap, summed over the workers).
tls_now() {
  tp_stats "tls worker=0" >/dev/null; sleep 0.2     # (worker 1's line follows)
  TLS_LINES=$(grep "^tls worker=" "$TP_DP_LOG" | tail -n 2)
  TCP_LINES=$(grep "^tcp worker=" "$TP_DP_LOG" | tail -n 2)
}
tls_sum() {   # tls_sum LINES NAME
  local a b
  a=$(sed -n 1p <<<"$1"); b=$(sed -n 2p <<<"$1")
  echo $(( $(tp_stat "$a" "$2") + $(tp_stat "$b" "$2") ))
}
snap() { tls_now; TLS_BEFORE=$TLS_LINES; TCP_BEFORE=$TCP_LINES; }
delta() { echo $(( $(tls_sum "$TLS_LINES" "$1") - $(tls_sum "$TLS_BEFORE" "$1") )); }
tcp_delta() { echo $(( $(tls_sum "$TCP_LINES" "$1") - $(tls_sum "$TCP_BEFORE" "$1") )); }

# waves JOBS: a good client (4 sessions over channels, 40 messages each,
# from 10.210.0.3) relays while waves of 50 concurrent handshakes (at
# least 8, at most 20) keep the async provider busy, all from one source
# (10.210.0.20): dp's side of each closed connection stays in TIME_WAIT,
# and those no longer count against turn.tcp_per_source (110), so a
# client behind one address may open and close more connections within
# 2 MSL than it may hold at once. Snapshots the counters before; after,
# prints what happened. waves_ok N OP M: the client lost none of 160,
# every handshake completed, no SYN was refused at the per-source limit,
# and N OP M.
waves() {
  local ifc
  ifc=$(ip netns exec "$TP_NS_C" ip -o -4 addr show | awk '/10.210.0.2\// {print $2}')
  for i in 3 20; do
    ip netns exec "$TP_NS_C" ip addr add 10.210.0.$i/24 dev "$ifc" 2>/dev/null
  done
  snap
  ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -t -S -r 3480 -u test -w test -m 4 -c \
    -n 40 -p 5349 -L 10.210.0.3 $V4 >"$TP_TMP/busy.log" 2>&1 &
  local busy=$!
  ip netns exec "$TP_NS_C" python3 - "$busy" >"$TP_TMP/waves.out" 2>&1 <<'PY'
import asyncio, os, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
async def one(src):
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(
            "10.210.0.1", 5349, ssl=ctx, server_hostname="turn.test",
            local_addr=(src, 0)), 20)
        w.close()
        return True
    except Exception as e:
        return repr(e)
async def main():
    ok = n = 0
    errs = []
    for wave in range(20):
        res = await asyncio.gather(*(one("10.210.0.20") for _ in range(50)))
        n += len(res); ok += sum(1 for r in res if r is True)
        errs += [r for r in res if r is not True]
        if wave >= 7 and not os.path.exists("/proc/%s" % sys.argv[1]):
            break
    print("waves: %d of %d handshakes" % (ok, n))
    if errs:
        print("first error: %s" % errs[0])
asyncio.run(main())
PY
  wait $busy
  tls_now
  sed 's/^/# /' "$TP_TMP/waves.out"
  grep -E "tot_send_msgs=.*tot_recv|lost" "$TP_TMP/busy.log" | tail -n 3 | sed 's/^/# /'
}
waves_ok() {
  grep -q "Total lost packets 0 " "$TP_TMP/busy.log" &&
    grep -qE "tot_recv_msgs=160([^0-9]|$)" "$TP_TMP/busy.log" &&
    grep -qE "^waves: ([0-9]+) of \1 handshakes" "$TP_TMP/waves.out" &&
    [ "$(tcp_delta drop_per_source_limit)" -eq 0 ] && [ "$1" "$2" "$3" ]
}

# A good client over TLS relays meanwhile (4 sessions over channels on
# 443, 40 messages each).
ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -t -S -r 3480 -u test -w test -m 4 -c -n 40 \
  -p 443 -L 10.210.0.3 $V4 >"$TP_TMP/good.log" 2>&1 &
good=$!

# badtls KIND: one hostile connection from the clients' namespace; it
# must be closed by dp (reset, alert, or FIN) within 6 s.
badtls() {
  ip netns exec "$TP_NS_C" python3 - "$@" <<'PY'
import socket, ssl, struct, sys, time
kind = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def hello():
    """A real ClientHello's bytes (from an in-memory handshake)."""
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(i, o, server_hostname="turn.test")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return o.read()
s = socket.create_connection(("10.210.0.1", 5349), timeout=5)
if kind == "garbage":
    s.sendall(b"\x00\x01\x00\x00\x21\x12\xa4\x42" + b"\x00" * 12)  # STUN, not TLS
elif kind == "http":
    s.sendall(b"GET / HTTP/1.1\r\nHost: turn.test\r\n\r\n")
elif kind == "truncated":
    s.sendall(hello()[:40])                # a record cut short, then silence
elif kind == "corrupt":
    # a completed TLS 1.3 handshake, then a record whose ciphertext is
    # altered: AEAD authentication fails (RFC 8446 §5.2: bad_record_mac)
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(i, o, server_hostname="turn.test")
    while True:
        try:
            obj.do_handshake(); break
        except ssl.SSLWantReadError:
            s.sendall(o.read())
            d = s.recv(65536)
            if not d:
                print("corrupt: closed mid-handshake"); sys.exit(1)
            i.write(d)
    s.sendall(o.read())
    obj.write(struct.pack("!HHI", 1, 0, 0x2112A442) + b"\x00" * 12)   # a Binding request
    rec = bytearray(o.read())
    rec[-3] ^= 0x55
    s.sendall(bytes(rec))
t0 = time.time()
s.settimeout(6)
closed = False
try:
    while True:
        d = s.recv(4096)
        if not d:
            closed = True; break
except (ConnectionResetError, BrokenPipeError):
    closed = True
except socket.timeout:
    pass
print("# %s: closed=%s after %.1f s" % (kind, closed, time.time() - t0))
sys.exit(0 if closed else 1)
PY
}
snap
tp_check "a STUN message instead of a ClientHello: closed" badtls garbage
tp_check "an HTTP request instead of a ClientHello: closed" badtls http
tp_check "a truncated ClientHello record, then silence: closed by tcp_first_message (2 s)" badtls truncated
tp_check "a TLS 1.3 record with altered ciphertext: closed" badtls corrupt
tls_now
tp_check "counted: hs_fail_not_tls=$(delta hs_fail_not_tls) (2), hs_timeout=$(delta hs_timeout) (1), bad_record=$(delta bad_record) (1)" \
  test "$(delta hs_fail_not_tls)" -eq 2 -a "$(delta hs_timeout)" -eq 1 -a "$(delta bad_record)" -eq 1

# TLS 1.2 renegotiation ("R" to s_client): refused, counted.
snap
(sleep 0.5; echo R; sleep 1) | ip netns exec "$TP_NS_C" timeout 10 openssl s_client -tls1_2 \
  -connect 10.210.0.1:5349 >"$TP_TMP/reneg.out" 2>&1
tls_now
tp_check "a TLS 1.2 renegotiation is refused and counted (renegotiation_refused=$(delta renegotiation_refused))" \
  test "$(delta renegotiation_refused)" -eq 1
grep -iE "RENEGOTIATING|alert|no renegotiation" "$TP_TMP/reneg.out" | head -n 3 | sed 's/^/# /'

# A client that refuses our certificate sends a fatal alert mid-handshake.
snap
ip netns exec "$TP_NS_C" timeout 10 openssl s_client -verify_return_error -CAfile /etc/ssl/certs/ca-certificates.crt \
  -connect 10.210.0.1:5349 </dev/null >"$TP_TMP/alert.out" 2>&1
tls_now
tp_check "a client's fatal alert (unknown CA) is counted (hs_fail_alert=$(delta hs_fail_alert), alert_received=$(delta alert_received))" \
  test "$(delta hs_fail_alert)" -eq 1 -a "$(delta alert_received)" -eq 1

# (Not with the records on the provider too: the flood is of handshakes,
# as in turn_tls_async; the suite's time goes to what that variant adds.)
if [ -z "${TP_ASYNCPROV_RECORDS:-}" ]; then
# A flood of half-open handshakes from one source (a ClientHello's first
# bytes on each of 300 connections, more than turn.tcp_per_source = 110
# per worker on both workers):
# another source completes a handshake and an Allocate over TLS meanwhile;
# the flood's connections end at the first-message deadline.
snap
tp_check "300 half-open handshakes from one source; another source completes TLS and an Allocate" \
  ip netns exec "$TP_NS_C" python3 - "$HERE/lib" <<'PY'
import select, socket, ssl, sys, time
sys.path.insert(0, sys.argv[1])
from turnclient import Client, TcpClient
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
try:
    ctx.wrap_bio(i, o).do_handshake()
except ssl.SSLWantReadError:
    pass
part = o.read()[:60]
socks = []
for n in range(300):
    s = socket.socket(); s.setblocking(False)
    s.connect_ex(("10.210.0.1", 5349)); socks.append(s)
time.sleep(0.5)
sent = 0
half = []
for s in socks:
    try:
        s.send(part); sent += 1; half.append(s)
    except OSError:
        pass
t0 = time.time()
class TlsClient(TcpClient):
    """lib/turnclient.py's TCP client over TLS, from another source."""
    def __init__(self, server, port, src):
        Client.__init__(self, server, port=port, timeout=5.0)
        self.sock.close()
        raw = socket.socket(); raw.bind((src, 0)); raw.settimeout(5)
        raw.connect((server, port))
        self.sock = ctx.wrap_socket(raw, server_hostname="turn.test")
        self.chop, self.buf, self.frames = 0, b"", []
c = TlsClient("10.210.0.1", 5349, "10.210.0.3")
m = c.allocate()
print("# %d half-open sent their first bytes; the other source's Allocate: class %d in %.2f s (%s)"
      % (sent, m.cls, time.time() - t0, c.sock.version()))
# the half-open ones stay open past the deadline: until dp has ended
# each (EOF or reset), 6 s at most
until = time.time() + 6
while half and time.time() < until:
    for s in select.select(half, [], [], 0.2)[0]:
        try:
            if s.recv(4096):
                continue
        except BlockingIOError:
            continue
        except OSError:
            pass
        half.remove(s)
print("# %d of them still open as the client leaves" % len(half))
sys.exit(0 if m.cls in (1, 2) and sent >= 200 else 1)
PY
tls_now
tp_check "the half-open handshakes ended at the deadline (hs_timeout=$(delta hs_timeout), >= 200), the rest refused at the per-source limit" \
  test "$(delta hs_timeout)" -ge 200
fi
wait $good
tp_check "meanwhile a good TLS client relayed 160 messages, 0 lost" \
  bash -c 'grep -q "Total lost packets 0 " "$0" && grep -qE "tot_recv_msgs=160([^0-9]|$)" "$0"' "$TP_TMP/good.log"
grep -E "tot_send_msgs=.*tot_recv" "$TP_TMP/good.log" | tail -n 1 | sed 's/^/# /'

# dp's own TLS 1.3 records (dp/tls/tls_rec.h) with each suite, once the
# good client above is done (its sessions' records and close_notify
# would count in these deltas): a STUN
# Binding request, then "K" (s_client's KeyUpdate asking for ours, RFC 8446
# §4.6.3), a second request under the peer's next key, both answered under
# ours; then s_client's close_notify. With the asynchronous provider
# (an offload) records stay OpenSSL's: the same session must pass, and
# dp's record counters stay 0.
binding() { python3 -c 'import os,sys; sys.stdout.buffer.write(bytes.fromhex("000100002112a442")+os.urandom(12))'; }
answered() {   # answered FILE: Binding success responses in s_client's output
  python3 -c 'import re,sys; print(len(re.findall(rb"\x01\x01..\x21\x12\xa4\x42", open(sys.argv[1],"rb").read(), re.S)))' "$1"
}
keyupdate_session() {   # keyupdate_session SUITE OUT
  (sleep 0.4; binding; sleep 0.3; echo K; sleep 0.3; binding; sleep 0.5) |
    ip netns exec "$TP_NS_C" timeout 10 openssl s_client -tls1_3 -ciphersuites "$1" \
      -connect 10.210.0.1:5349 >"$2" 2>&1
}
ours=1; suites="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"
# (with the offload: OpenSSL's records, one suite is enough)
[ -n "$offload" ] && ours=0 && suites=TLS_AES_128_GCM_SHA256
# dp's AEAD is libipsec-mb's (tls.record_crypto "auto": this machine's
# and CI's CPUs have AES-NI) on both directions, for every suite.
[ -z "$offload" ] && tp_check "dp says its records' AEAD is libipsec-mb's ($(grep -o 'AEAD by .*' "$TP_DP_LOG" | head -n 1))" \
  grep -q "TLS 1.3 records: dp's, AEAD by ipsec-mb" "$TP_DP_LOG"
for suite in $suites; do
  snap
  keyupdate_session $suite "$TP_TMP/ku.$suite.out"
  tls_now
  n=$(answered "$TP_TMP/ku.$suite.out")
  imb=$((ours * 2))
  tp_check "$suite on $([ $ours = 1 ] && echo "dp's" || echo "OpenSSL's (offload)") records: 2 of 2 Binding requests answered around a KeyUpdate both ways (key_updates_received=$(delta key_updates_received), key_updates_sent=$(delta key_updates_sent), close_notify_received=$(delta close_notify_received), records opened $(delta records_opened_dp), sealed $(delta records_sealed_dp), directions on libipsec-mb $(delta record_layer_ipsec_mb))" \
    test "$n" -eq 2 -a "$(delta key_updates_received)" -eq $ours -a "$(delta key_updates_sent)" -eq $ours \
      -a "$(delta close_notify_received)" -eq 1 -a "$(delta record_layer_dp_receive)" -eq $ours \
      -a "$(delta record_layer_dp_send)" -eq $ours -a "$(delta record_layer_ipsec_mb)" -eq $imb
  grep -q "KEYUPDATE" "$TP_TMP/ku.$suite.out" || tp_not_ok "s_client did not say KEYUPDATE ($suite)"
done

tp_check "turnpikectl status shows the tls counters (handshakes over both workers)" \
  python3 - "$(tp_ctl --json status)" <<'PY'
import json, sys
st = json.loads(sys.argv[1])
hs = [w["dp"]["tls"]["handshakes"] for w in st["workers"]]
print("# handshakes by worker %s" % hs)
sys.exit(0 if sum(hs) > 100 and all(h > 0 for h in hs) else 1)
PY

st=$(tp_stats tls)
echo "# $st" | cut -c1-900
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  # Clients that send a ClientHello and reset at once: their handshakes
  # are parked on the provider when the reset comes; the connection goes,
  # its SSL waits for the provider's wake-up (an orphan), then is freed.
  snap
  ip netns exec "$TP_NS_C" python3 - <<'PY'
import socket, ssl, struct, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
for n in range(10):
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    try:
        ctx.wrap_bio(i, o).do_handshake()
    except ssl.SSLWantReadError:
        pass
    s = socket.create_connection(("10.210.0.1", 5349), timeout=5)
    s.sendall(o.read())
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()                                   # RST
PY
  sleep 0.5
  tls_now
  tp_check "connections reset while their handshake was parked: kept until the provider woke them, then freed (async_closed_parked=$(delta async_closed_parked))" \
    test "$(delta async_closed_parked)" -ge 1
  # Reads and writes of established connections while handshakes hold
  # every async job (tls.offload.jobs = $JOBS a worker): a good client
  # relays over TLS while waves of 50 concurrent handshakes keep the
  # provider busy; its records wait for a free job (async_job_waits,
  # _write for dp's writes towards it) and none is lost.
  # (not with the records on the provider too: its first uclient batch
  # had every record wait for the one job already)
  if [ -z "${TP_ASYNCPROV_RECORDS:-}" ]; then
  waves "$JOBS"
  # (whether one of dp's writes meets a busy job is a matter of timing:
  # the reads and writes together are what must have waited; the pending
  # writes themselves are turn_tls_async_records')
  tp_check "with $JOBS async job(s) a worker: a client relayed 160 messages, 0 lost, during waves of handshakes (all completed); reads and writes waited for a job (async_job_waits=$(delta async_job_waits), of them handshakes $(delta async_job_waits_handshake), writes $(delta async_job_waits_write); writes queued behind them $(delta write_queued_parked), refused $(delta write_dropped_parked))" \
    waves_ok "$(( $(delta async_job_waits) - $(delta async_job_waits_handshake) ))" -gt 0
  tp_check "one source opened and closed $(sed -n 's/^waves: [0-9]* of \([0-9]*\).*/\1/p' "$TP_TMP/waves.out") connections within 2 MSL, more than turn.tcp_per_source (110 a worker) holds; dp held their TIME_WAITs (time_wait $(tls_sum "$TCP_LINES" time_wait)) and refused none (drop_per_source_limit +$(tcp_delta drop_per_source_limit))" \
    test "$(tls_sum "$TCP_LINES" time_wait)" -gt 220 -a "$(tcp_delta drop_per_source_limit)" -eq 0
  fi
  # (parked now: a close_notify's record on the provider while the
  # counters were read; with the records there, their alerts park too)
  tp_check "with the async provider: handshakes parked and every one resumed, orphaned or parked now (async_parked=$(tls_sum "$TLS_LINES" async_parked), async_resumed=$(tls_sum "$TLS_LINES" async_resumed), closed while parked=$(tls_sum "$TLS_LINES" async_closed_parked), parked now=$(tls_sum "$TLS_LINES" parked))" \
    test "$(tls_sum "$TLS_LINES" async_parked)" -gt 100 -a \
    "$(tls_sum "$TLS_LINES" async_parked)" -eq \
    "$(( $(tls_sum "$TLS_LINES" async_resumed) + $(tls_sum "$TLS_LINES" async_closed_parked) + $(tls_sum "$TLS_LINES" parked) ))"
fi
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  grep -h "^tpasync:" "$TP_DP_LOG" | head -n 2 | sed 's/^/# /'
  tp_check "no wake-up of the provider went to a freed connection (abandoned=0)" \
    bash -c "grep -h '^tpasync:' '$TP_DP_LOG' | grep -q . && ! grep -h '^tpasync:' '$TP_DP_LOG' | grep -qv 'abandoned=0'"
  if [ -n "${TP_ASYNCPROV_RECORDS:-}" ]; then
    recs=$(grep -h '^tpasync:' "$TP_DP_LOG" | head -n 1 | tr ' ' '\n' | sed -n 's/^records=//p')
    tp_check "the records went through the provider (records=${recs:-none}), and no TURN frame towards a client whose read was parked was refused: write_queued_parked=$(tls_sum "$TLS_LINES" write_queued_parked), write_dropped_parked=$(tls_sum "$TLS_LINES" write_dropped_parked)" \
      test "${recs:-0}" -gt 1000 -a "$(tls_sum "$TLS_LINES" write_queued_parked)" -gt 0 \
      -a "$(tls_sum "$TLS_LINES" write_dropped_parked)" -eq 0
  fi

  # With 4 jobs a worker, handshakes hold 3 at most: the fourth is the
  # records' (established connections'), so the same waves make them
  # wait no more; only handshake steps wait (held back at their share).
  # (Not with the records on the provider: there every record holds a
  # job too; the suite's time goes to what that variant adds.)
  [ -n "${TP_ASYNCPROV_RECORDS:-}" ] && { echo "# [$((SECONDS - start)) s] $TP_FAILS failed"; [ $TP_FAILS -eq 0 ]; exit; }
  sed -i "s/jobs = $JOBS; }/jobs = 4; }/" "$TP_TMP/dp.conf"
  grep -q "jobs = 4; }" "$TP_TMP/dp.conf" || tp_die "jobs = 4 was not set"
  tp_dp_start "$TP_TMP/dp.conf"
  tp_cp_start "$TP_TMP/dp.conf"
  waves 4
  tp_check "with 4 async jobs a worker: 160 messages, 0 lost, every handshake completed; handshake steps held back at their share of 3 ($(delta async_job_waits_handshake)), no record waited for a job (async_job_waits $(delta async_job_waits) = those)" \
    waves_ok "$(delta async_job_waits)" -eq "$(delta async_job_waits_handshake)"
  tp_check "... and the handshakes did wait (the check above could fail): async_job_waits_handshake $(delta async_job_waits_handshake) > 0" \
    test "$(delta async_job_waits_handshake)" -gt 0
  tp_check "cp stops cleanly (4 jobs)" tp_cp_stop
  tp_check "dp stops cleanly (4 jobs)" tp_dp_stop
fi
echo "# [$((SECONDS - start)) s] $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
