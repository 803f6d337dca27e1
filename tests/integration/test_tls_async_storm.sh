#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 11's offload acceptance: with the asynchronous test provider at
# 200 us per operation (tests/tls_asyncprov: every signature and key
# exchange is done by its own thread after that delay, as by an
# accelerator), 500 TLS 1.3 handshakes opened at once on one worker all
# complete, every operation ran inside an async job, parked and resumed
# through the worker's ring: the worker never waited for the provider (an
# operation outside a job waits in the caller's thread: the provider counts
# those as sync_ops, and without SSL_MODE_ASYNC all 1000 would be).
# Pings every 10 ms during the storm, and during the same storm without the
# provider (software on the worker), are printed side by side with dp's own
# account of its loop: turns over 100 us / 1 ms / 10 ms, the longest, and
# its busy time. Measured (dev build, quiet machine): the longest turn
# 16-21 ms (a burst of 32 received packets and up to 32 resumed handshakes,
# each the worker's own part of a handshake: key generation, transcript,
# records), busy ~400 ms for the 500 handshakes in both modes, and pings'
# p99 150-200 ms: a ping waits in the receive queue behind the storm's own
# packets while the worker does that work (a FIFO in front of a saturated
# worker), not for the provider: no operation ran outside a job.
# Needs TP_ASYNCPROV_SO (meson passes the provider's path).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
[ -n "${TP_ASYNCPROV_SO:-}" ] || tp_die "TP_ASYNCPROV_SO is not set"
export TP_ASYNCPROV_DELAY_US=200 TP_ASYNCPROV_STATS=1

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=turn.test" -keyout "$TP_TMP/key.pem" -out "$TP_TMP/cert.pem" \
  >"$TP_TMP/req.out" 2>&1 || tp_die "openssl req failed"
TP_MBUFS=8191 tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" \
  "$(tp_turn_groups "" "listen_tls = [5349]; tcp_per_source = 1000; tcp_first_message = 20;")
tls = { certificate = \"$TP_TMP/cert.pem\"; private_key = \"$TP_TMP/key.pem\";
        offload = { provider = \"$TP_ASYNCPROV_SO\"; properties = \"?provider=tpasync\"; };
};"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

# storm LABEL: pings every 10 ms for the whole storm (and a little before
# and after), 500 handshakes at once from one asyncio client; prints
# "handshakes N of 500 ..." and the pings' figures
storm() {
  ip netns exec "$TP_NS_C" ping -i 0.01 -c 400 -W 1 10.210.0.1 >"$TP_TMP/ping.out" 2>&1 &
  local ping_pid=$!
  sleep 0.5
  ip netns exec "$TP_NS_C" python3 - >"$TP_TMP/storm-$1.out" 2>&1 <<'PY'
import asyncio, ssl, time
N = 500
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3

async def one(i):
    try:
        r, w = await asyncio.wait_for(
            asyncio.open_connection("10.210.0.1", 5349, ssl=ctx,
                                    server_hostname="turn.test"), 30)
        ok = w.get_extra_info("ssl_object").version() == "TLSv1.3"
        w.close()
        return ok
    except Exception as e:
        return repr(e)

async def main():
    t0 = time.monotonic()
    res = await asyncio.gather(*(one(i) for i in range(N)))
    ok = sum(1 for r in res if r is True)
    errs = [r for r in res if r is not True]
    print("handshakes %d of %d in %.2f s" % (ok, N, time.monotonic() - t0))
    if errs:
        print("first error: %s" % errs[0])

asyncio.run(main())
PY
  wait $ping_pid
  python3 - "$TP_TMP/ping.out" "$1" >>"$TP_TMP/storm-$1.out" <<'PY'
import re, sys
rtt = sorted(float(x) for x in re.findall(r"time=([\d.]+) ms", open(sys.argv[1]).read()))
q = lambda f: rtt[min(len(rtt) - 1, int(len(rtt) * f))] if rtt else -1
print("pings %s: %d of 400 answered, round trip p50 %.1f p99 %.1f max %.1f ms"
      % (sys.argv[2], len(rtt), q(0.5), q(0.99), rtt[-1] if rtt else -1))
PY
  local st
  st=$(tp_stats total)
  echo "worker turns $1: over 100 us $(tp_stat "$st" long_turns_100us), over 1 ms $(tp_stat "$st" long_turns_1ms), over 10 ms $(tp_stat "$st" long_turns_10ms), longest $(tp_stat "$st" turn_max_us) us; busy $(( $(tp_stat "$st" busy_cycles) / ($(grep -o 'tsc_hz=[0-9]*' "$TP_DP_LOG" | tail -n 1 | cut -d= -f2) / 1000) )) ms" >>"$TP_TMP/storm-$1.out"
  sed 's/^/# /' "$TP_TMP/storm-$1.out"
}
storm provider
tp_check "500 concurrent TLS 1.3 handshakes complete" grep -q '^handshakes 500 of 500' "$TP_TMP/storm-provider.out"
st=$(tp_stats tls)
echo "# $st" | cut -c1-600
parked=$(tp_stat "$st" async_parked); resumed=$(tp_stat "$st" async_resumed)
tp_check "every operation parked its handshake, and each was resumed from the ring ($parked parked, $resumed resumed)" \
  test "$parked" -ge 1000 -a "$parked" -eq "$resumed"
tp_check "dp stops cleanly" tp_dp_stop
grep -h '^tpasync:' "$TP_DP_LOG" | head -n 1 | sed 's/^/# /'
tp_check "every operation ran inside an async job: none waited in the worker (sync_ops=0, async_ops=1000)" \
  bash -c "grep -h '^tpasync:' '$TP_DP_LOG' | grep -q 'async_ops=1000 sync_ops=0 '"
tp_check "no wake-up went to a freed connection (abandoned=0)" \
  bash -c "grep -h '^tpasync:' '$TP_DP_LOG' | grep -q 'abandoned=0'"

# the same storm in software, for the pings' comparison
sed -i '/offload = {/d' "$TP_TMP/dp.conf"
tp_cp_stop
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
storm software
tp_check "... and in software too" grep -q '^handshakes 500 of 500' "$TP_TMP/storm-software.out"
[ $TP_FAILS -eq 0 ]
