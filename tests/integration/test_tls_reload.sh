#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A renewed certificate without a restart (dp/dp_reload.c): SIGHUP to dp
# (`systemctl reload turnpike-dp`) reads the file again and gives TURN over
# TLS the tls group's certificate, key and lists for the connections it
# accepts from then on, on every worker (two here); connections made
# before keep theirs and go on. Pass:
# - before: s_client sees certificate A; a TLS connection (python's ssl)
#   gets a STUN Binding answered and stays open; s_client saves a ticket;
# - the files replaced by certificate B, and the SNI entry's by SB (renamed
#   into place, as certbot and friends do), SIGHUP: dp says so with B's
#   sha-256 fingerprint, every worker took it (tls_contexts_reloaded), 8
#   new s_client connections all see B (sni.test: SB), the ticket from before resumes ("Reused": the
#   keys are cp's), the connection from before still sees A and gets its
#   second Binding answered, and turnutils_uclient relays over TLS, 0 lost;
# - `turnpikectl reload` (cp's) asks dp for the same, and dp does it;
# - a key that is not B's certificate's, then a file that does not load:
#   each is one error naming the file, the line and why, "nothing
#   changed", reloads_failed counts it, and new connections still see B;
# - SIGHUP never stops dp;
# - when the first certificate served expires (leaf or SNI; here SA's 2
#   days before, B's 4 after): dp warns at start (under 30 days), says it
#   at each reload, and cp shows it per worker (`turnpikectl status`,
#   `turnpike_dp_tls_certificate_expiry_timestamp_seconds`, the same
#   second as `openssl x509 -enddate`), with the reloads and those refused
#   (`turnpike_dp_tls_reloads_total`, `..._failed_total`); promtool
#   accepts the scrape.
# With TP_ASYNCPROV_SO the same with every public-key operation parked on
# the asynchronous test provider: the reloaded context keeps it.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
command -v promtool >/dev/null || tp_die "promtool missing (tools/bootstrap installs prometheus)"

mkcert() {   # mkcert NAME CN DAYS: NAME-cert.pem, NAME-key.pem
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$3" \
    -subj "/CN=$2" -keyout "$TP_TMP/$1-key.pem" -out "$TP_TMP/$1-cert.pem" \
    >"$TP_TMP/req-$1.out" 2>&1 || tp_die "openssl req failed"
}
# fp FILE: the certificate's sha-256 as hex pairs with colons (upper case)
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^.*=//'; }
# (days: the first to expire is SA before the reload, B after it)
mkcert a turn.test 5
mkcert b turn2.test 4
mkcert sa sni.test 2
mkcert sb sni.test 6
# end FILE: the certificate's notAfter, Unix seconds
end() { date -u -d "$(openssl x509 -in "$1" -noout -enddate | sed 's/^notAfter=//')" +%s; }
cp "$TP_TMP/a-cert.pem" "$TP_TMP/cert.pem"
cp "$TP_TMP/a-key.pem" "$TP_TMP/key.pem"
cp "$TP_TMP/sa-cert.pem" "$TP_TMP/sni-cert.pem"
cp "$TP_TMP/sa-key.pem" "$TP_TMP/sni-key.pem"
FPA=$(fp "$TP_TMP/a-cert.pem"); FPB=$(fp "$TP_TMP/b-cert.pem")
FPSA=$(fp "$TP_TMP/sa-cert.pem"); FPSB=$(fp "$TP_TMP/sb-cert.pem")

offload=
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  export TP_ASYNCPROV_STATS=1 TP_ASYNCPROV_DELAY_US=${TP_ASYNCPROV_DELAY_US:-500}
  offload="offload = { provider = \"$TP_ASYNCPROV_SO\"; properties = \"?provider=tpasync\"; };"
fi
maddr=127.0.0.1:$((20000 + $$ % 20000))
tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups "metrics = \"$maddr\";" "listen_tls = [5349]; tcp_first_message = 2;")
tls = { certificate = \"$TP_TMP/cert.pem\"; private_key = \"$TP_TMP/key.pem\"; $offload
        sni = ( { name = \"sni.test\"; certificate = \"$TP_TMP/sni-cert.pem\";
                  private_key = \"$TP_TMP/sni-key.pem\"; } ); };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

# expiry W: worker W's certificate_not_after as `turnpikectl status` has
# it (dp publishes every 100 ms); reloads: "RELOADS FAILED"
expiry() {
  tp_ctl --json status | python3 -c "import json,sys; d=json.load(sys.stdin)
print(d['workers'][$1]['dp'].get('tls', {}).get('certificate_not_after', 'none'))"
}
reloads() {
  tp_ctl --json status | python3 -c "import json,sys; r=json.load(sys.stdin)['dp_tls_reloads']
print(r['reloads'], r['failed'])"
}
scrape() { curl -sf "http://$maddr/metrics"; }
# day FILE: its notAfter as dp writes it
day() { date -u -d "@$(end "$1")" '+%Y-%m-%d %H:%M:%S'; }
tp_check "at start dp warns of the first certificate to expire (SA: 2 days, a second less or not)" \
  grep -qE "tls: TURN over TLS's first certificate to expire \(tls.certificate, an SNI one or a CA sent with one\) expires $(day "$TP_TMP/sa-cert.pem") UTC, in [12] day\(s\); renew it and reload" "$TP_DP_LOG"
tp_check "... and no word of the AGW legs (no agw group)" bash -c "! grep -q \"AGW legs' first\" '$TP_DP_LOG'"
# turnpike-dp --check says the same of the file; an expired certificate
# is an error there (and no refusal: clients decide)
out=$("$TP_BUILD/dp/turnpike-dp" --config "$TP_TMP/dp.conf" --check 2>&1); rc=$?
tp_check "--check: OK, and SA's expiry" bash -c '[ $1 = 0 ] && grep -qF "tls: a certificate of the tls group (the first to expire) expires $2 UTC" <<<"$0"' \
  "$out" $rc "$(day "$TP_TMP/sa-cert.pem")"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=old.test \
  -keyout "$TP_TMP/old-key.pem" -out "$TP_TMP/old.csr" >/dev/null 2>&1 &&
  openssl x509 -req -in "$TP_TMP/old.csr" -signkey "$TP_TMP/old-key.pem" -days -1 \
    -out "$TP_TMP/old-cert.pem" >/dev/null 2>&1 || tp_die "openssl: no expired certificate"
sed "s|$TP_TMP/cert.pem|$TP_TMP/old-cert.pem|; s|$TP_TMP/key.pem|$TP_TMP/old-key.pem|" \
  "$TP_TMP/dp.conf" >"$TP_TMP/old.conf"
out=$("$TP_BUILD/dp/turnpike-dp" --config "$TP_TMP/old.conf" --check 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
tp_check "--check: a certificate that expired yesterday is an error that says so" \
  bash -c '[ $1 = 0 ] && grep -qF "tls: a certificate of the tls group (the first to expire) expired $2 UTC, 1 day(s) ago: clients that check dates may refuse it" <<<"$0"' \
  "$out" $rc "$(day "$TP_TMP/old-cert.pem")"
for _ in $(seq 50); do
  [ "$(expiry 0)" = "$(end "$TP_TMP/sa-cert.pem")" ] && [ "$(expiry 1)" = "$(end "$TP_TMP/sa-cert.pem")" ] && break
  sleep 0.1
done
tp_check "before: both workers show SA's notAfter, the first to expire ($(expiry 0), $(expiry 1); SA $(end "$TP_TMP/sa-cert.pem"), A $(end "$TP_TMP/a-cert.pem"))" \
  test "$(expiry 0)" = "$(end "$TP_TMP/sa-cert.pem")" -a "$(expiry 1)" = "$(end "$TP_TMP/sa-cert.pem")"

# the sha-256 of the certificate an s_client connection was shown
seen() {
  ip netns exec "$TP_NS_C" timeout 10 openssl s_client -connect 10.210.0.1:5349 \
    -servername turn.test "$@" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 2>/dev/null | sed 's/^.*=//'
}
tp_check "before: s_client sees certificate A" test "$(seen -tls1_3)" = "$FPA"
tp_check "before: s_client asking for sni.test sees its certificate (SA)" \
  test "$(seen -tls1_3 -servername sni.test)" = "$FPSA"
# (stdin open a second: the ticket follows the handshake, later still
# when the provider parks it)
sleep 1 | ip netns exec "$TP_NS_C" timeout 10 openssl s_client -connect 10.210.0.1:5349 \
  -servername turn.test -tls1_3 -sess_out "$TP_TMP/sess.pem" >"$TP_TMP/sess-out.log" 2>&1
tp_check "before: s_client saved a session ticket" test -s "$TP_TMP/sess.pem"

# One connection open across the reload: a STUN Binding before, then it
# waits for $TP_TMP/go and sends another; says the certificate it saw.
ip netns exec "$TP_NS_C" python3 - "$TP_TMP" >"$TP_TMP/held.log" 2>&1 <<'PY' &
import hashlib, os, socket, ssl, struct, sys, time
tmp = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("10.210.0.1", 5349), 10),
                    server_hostname="turn.test")
fp = ":".join("%02X" % b for b in hashlib.sha256(s.getpeercert(True)).digest())
def binding():
    tid = os.urandom(12)
    s.sendall(struct.pack("!HHI", 1, 0, 0x2112A442) + tid)
    got = b""
    while len(got) < 20:
        d = s.recv(2048)
        if not d:
            return "closed"
        got += d
    t, n = struct.unpack("!HH", got[:4])
    return "ok" if t == 0x0101 and got[8:20] == tid else "bad 0x%04x" % t
print("before %s %s" % (binding(), fp), flush=True)
for _ in range(600):
    if os.path.exists(os.path.join(tmp, "go")):
        break
    time.sleep(0.05)
print("after %s %s" % (binding(), fp), flush=True)
PY
HELD=$!
for _ in $(seq 100); do grep -q '^before' "$TP_TMP/held.log" && break; sleep 0.1; done
tp_check "before: a held TLS connection's Binding answered ($(head -c 60 "$TP_TMP/held.log"))" \
  grep -q "^before ok $FPA" "$TP_TMP/held.log"

# The heap at run time (dp/tls/tls_mem.h: mallinfo2, mostly OpenSSL's):
# with the held connection up, dp's statistics count it live and tell
# what it holds beyond the start's heap (the handshakes before it left
# only their cached sessions)
st=$(tp_stats "turnpike-dp stats:")
echo "# $(tr ' ' '\n' <<<"$st" | grep -E '^(heap|ssl_live)' | tr '\n' ' ')"
per=$(tp_stat "$st" heap_per_ssl)
if [ -z "${TP_ASYNCPROV_SO:-}" ]; then
  tp_check "dp reports the heap: $(tp_stat "$st" ssl_live) live SSL, $per bytes each beyond the start's (8-80 KB)" \
    test "$(tp_stat "$st" ssl_live)" -ge 1 -a "$per" -gt 8000 -a "$per" -lt 80000
else
  # (with an offload OpenSSL keeps the async jobs it made, a 32 KB stack
  # each, in each worker's pool: they count beside the connection)
  tp_check "dp reports the heap: $(tp_stat "$st" ssl_live) live SSL, $per bytes beyond the start's (its async jobs' stacks with it)" \
    test "$(tp_stat "$st" ssl_live)" -ge 1 -a "$per" -gt 8000
fi

# reload LABEL: SIGHUP, then wait for dp's line about it (ok or error)
reload() {
  local n0
  n0=$(grep -c '^turnpike-dp.*reload:' "$TP_DP_LOG")
  kill -HUP "$TP_DP_PID"
  for _ in $(seq 100); do
    [ "$(grep -c '^turnpike-dp.*reload:' "$TP_DP_LOG")" -gt "$n0" ] && break
    sleep 0.1
  done
  sleep 0.2
  grep '^turnpike-dp.*reload:' "$TP_DP_LOG" | tail -n +$((n0 + 1)) | sed 's/^/# /' | cut -c1-300
}
# parked: async_parked over both workers
parked() { echo $(( $(tp_stat "$(tp_stats "tls worker=0")" async_parked) + $(tp_stat "$(tp_stats "tls worker=1")" async_parked) )); }
p0=$(parked)
# renewed: B's files renamed into place
cp "$TP_TMP/b-cert.pem" "$TP_TMP/cert.new" && mv "$TP_TMP/cert.new" "$TP_TMP/cert.pem"
cp "$TP_TMP/b-key.pem" "$TP_TMP/key.new" && mv "$TP_TMP/key.new" "$TP_TMP/key.pem"
cp "$TP_TMP/sb-cert.pem" "$TP_TMP/sni.new" && mv "$TP_TMP/sni.new" "$TP_TMP/sni-cert.pem"
cp "$TP_TMP/sb-key.pem" "$TP_TMP/sni.new" && mv "$TP_TMP/sni.new" "$TP_TMP/sni-key.pem"
reload
fpb_rfc=$(tr -d '\n' <<<"sha-256 $FPB")
tp_check "dp says TURN over TLS serves the new certificate, with its sha-256" \
  grep -qF "reload: TURN over TLS serves tls.certificate '$TP_TMP/cert.pem' ($fpb_rfc)" "$TP_DP_LOG"
tp_check "SIGHUP did not stop dp" kill -0 "$TP_DP_PID"
tp_check "... and when the first of them expires (B's)" \
  grep -qF "worker(s) from now on (the first of them expires $(day "$TP_TMP/b-cert.pem") UTC, in " "$TP_DP_LOG"
for _ in $(seq 50); do
  [ "$(expiry 0)" = "$(end "$TP_TMP/b-cert.pem")" ] && [ "$(expiry 1)" = "$(end "$TP_TMP/b-cert.pem")" ] && break
  sleep 0.1
done
tp_check "after: both workers show B's notAfter ($(expiry 0), $(expiry 1); B $(end "$TP_TMP/b-cert.pem"))" \
  test "$(expiry 0)" = "$(end "$TP_TMP/b-cert.pem")" -a "$(expiry 1)" = "$(end "$TP_TMP/b-cert.pem")"
w0=$(tp_stats "tls worker=0"); w1=$(tp_stats "tls worker=1")
tp_check "both workers took the new context (contexts_reloaded $(tp_stat "$w0" contexts_reloaded), $(tp_stat "$w1" contexts_reloaded))" \
  test "$(tp_stat "$w0" contexts_reloaded)" = 1 -a "$(tp_stat "$w1" contexts_reloaded)" = 1
okb=0
for i in $(seq 8); do [ "$(seen -tls1_3)" = "$FPB" ] && okb=$((okb + 1)); done
tp_check "after: 8 new s_client connections see certificate B ($okb of 8)" test $okb = 8
tp_check "after: asking for sni.test sees its new certificate (SB)" \
  test "$(seen -tls1_3 -servername sni.test)" = "$FPSB"
out=$(ip netns exec "$TP_NS_C" timeout 10 openssl s_client -connect 10.210.0.1:5349 \
  -servername turn.test -tls1_3 -sess_in "$TP_TMP/sess.pem" </dev/null 2>&1)
tp_check "after: the ticket from before resumes (Reused: cp's ticket keys stay)" \
  grep -q "^Reused, TLSv1.3" <<<"$out"
touch "$TP_TMP/go"
wait $HELD
tp_check "after: the held connection still has A and its second Binding answered ($(tail -n 1 "$TP_TMP/held.log" | head -c 60))" \
  grep -q "^after ok $FPA" "$TP_TMP/held.log"
out=$(ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -t -S -r 3480 -u test -w test \
  -m 4 -c -n 10 -l 120 -p 5349 -e 10.211.0.2 10.210.0.1 2>&1)
sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
tp_check "after: turnutils_uclient over TLS, 4 sessions: ${sent:-?} sent, ${recv:-?} received, ${lost:-?} lost" \
  test -n "$sent" -a "${sent:-0}" -gt 0 -a "$sent" = "$recv" -a "${lost:-1}" = 0

# refused: a key that is not the certificate's
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TP_TMP/other.pem" 2>/dev/null
cp "$TP_TMP/other.pem" "$TP_TMP/key.pem"
reload
line=$(grep -n 'private_key' "$TP_TMP/dp.conf" | cut -d: -f1)
tp_check "a key that is not the certificate's: one error with file:line, nothing changed" \
  grep -qF "reload: $TP_TMP/dp.conf:$line: tls.private_key '$TP_TMP/key.pem' does not match tls.certificate '$TP_TMP/cert.pem'" "$TP_DP_LOG"
tp_check "... and new connections still see B" test "$(seen -tls1_3)" = "$FPB"
cp "$TP_TMP/b-key.pem" "$TP_TMP/key.pem"
# refused: a file that does not load
cp "$TP_TMP/dp.conf" "$TP_TMP/dp.conf.good"
echo "tls = { certificate = ; };" >>"$TP_TMP/dp.conf"
reload
tp_check "a file that does not load: one error naming it, nothing changed" \
  bash -c "grep 'reload:' '$TP_DP_LOG' | tail -n 1 | grep -F '$TP_TMP/dp.conf:' | grep -q 'nothing changed'"
cp "$TP_TMP/dp.conf.good" "$TP_TMP/dp.conf"
tp_check "... and new connections still see B" test "$(seen -tls1_3)" = "$FPB"
# cp's reload (turnpikectl reload) asks dp to do the same (IPC TLS_RELOAD
# to worker 0, which wakes the reload thread): here with the tls group's
# files moved to B's own paths
sed -i "s|$TP_TMP/cert.pem|$TP_TMP/b-cert.pem|; s|$TP_TMP/key.pem|$TP_TMP/b-key.pem|" "$TP_TMP/dp.conf"
n0=$(grep -c '^turnpike-dp.*reload:' "$TP_DP_LOG")
out=$(tp_ctl reload 2>&1)
echo "$out" | sed 's/^/# /'
tp_check "turnpikectl reload says it asked dp" \
  grep -q "changed: dp asked to read the tls group's certificates again" <<<"$out"
for _ in $(seq 100); do
  [ "$(grep -c '^turnpike-dp.*reload:' "$TP_DP_LOG")" -gt "$n0" ] && break
  sleep 0.1
done
tp_check "... and dp took the new paths (B)" \
  grep -qF "reload: TURN over TLS serves tls.certificate '$TP_TMP/b-cert.pem' ($fpb_rfc)" "$TP_DP_LOG"
st=$(tp_stats "turnpike-dp stats:")
tp_check "dp counted 4 reloads, 2 refused ($(tp_stat "$st" reloads), $(tp_stat "$st" reloads_failed))" \
  test "$(tp_stat "$st" reloads)" = 4 -a "$(tp_stat "$st" reloads_failed)" = 2
tp_check "cp shows them: turnpikectl status ($(reloads))" test "$(reloads)" = "4 2"
out=$(tp_ctl status)
grep -E '^(tls|agw)' <<<"$out" | sed 's/^/# /'
tp_check "... its text: B's expiry, to renew (under 30 days), and the reloads" \
  bash -c 'grep -q "^tls cert     expires $1 UTC, in 3d .* (RENEW IT)\$" <<<"$0" &&
           grep -qx "tls reloads  4, 2 refused (nothing changed)" <<<"$0"' \
  "$out" "$(day "$TP_TMP/b-cert.pem")"
# the scrape in a file: with every module's counters it is past what one
# argument may hold (128 KiB: 'Argument list too long')
m=$TP_TMP/scrape.txt
scrape >"$m"
tp_check "... and its metrics: reloads 4, refused 2, B's notAfter on both workers" \
  bash -c 'grep -qx "turnpike_dp_tls_reloads_total 4" "$0" &&
           grep -qx "turnpike_dp_tls_reloads_failed_total 2" "$0" &&
           grep -qx "turnpike_dp_tls_certificate_expiry_timestamp_seconds{worker=\"0\",use=\"turn\"} $1" "$0" &&
           grep -qx "turnpike_dp_tls_certificate_expiry_timestamp_seconds{worker=\"1\",use=\"turn\"} $1" "$0"' \
  "$m" "$(end "$TP_TMP/b-cert.pem")"
tp_check "promtool check metrics accepts the scrape" \
  bash -c 'promtool check metrics <"$0"' "$m"
if [ -n "${TP_ASYNCPROV_SO:-}" ]; then
  p1=$(parked)
  tp_check "with the provider: handshakes after the reload parked too ($p0 -> $p1)" test "$p1" -gt "$p0"
  # the offload is the worker's: a file without it is named, not applied
  # (the contexts keep SSL_MODE_ASYNC for the provider dp runs with)
  sed -i "s|offload = {[^}]*};||" "$TP_TMP/dp.conf"
  reload
  tp_check "a file without the offload: named as applied at the next start" \
    grep -q "reload: tls.offload changed: applied at the next start" "$TP_DP_LOG"
  p1=$(parked)
  tp_check "... and new connections still see B" test "$(seen -tls1_3)" = "$FPB"
  p2=$(parked)
  tp_check "... their handshakes still park on the provider ($p1 -> $p2 parked)" test "$p2" -gt "$p1"
fi
sleep 0.5
st=$(tp_stats "turnpike-dp stats:")
tp_check "every connection gone, no SSL left (ssl_live $(tp_stat "$st" ssl_live))" \
  test "$(tp_stat "$st" ssl_live)" = 0
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
