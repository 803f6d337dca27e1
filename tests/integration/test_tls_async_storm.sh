#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TLS offload under a storm: with the asynchronous test provider at
# 200 us per operation (tests/tls_asyncprov: every signature and key
# exchange is done by its own thread, kept off dp's worker CPU, after that
# delay, as by an accelerator), 500 TLS 1.3 handshakes opened at once on
# one worker all complete; every operation ran inside an async job,
# parked and resumed through the worker's ring: the worker never waited
# for the provider (an operation outside a job waits in the caller's
# thread: the provider counts those as sync_ops; without SSL_MODE_ASYNC
# all 1000 would be). And pings to dp every 5 ms during the storm (ICMP,
# answered by the worker itself; from CPU 1, the worker on CPU 0) are
# answered without delay beyond the provider's and the worker's own work:
# none lost, p99 <= P99_MAX (25 ms, an ASan build on a loaded machine),
# no loop turn of the worker over 20 ms (dp's own histogram; the storm's
# part, the warm-up left out), because dp/tls does at most
# tls.handshake_budget_us (200) of handshake work a loop turn and puts the
# rest off to later turns (hs_deferred).
# Control: the same storm, the same provider, handshake_budget_us = 0: its
# figures are printed, and at least one of the delay checks must fail
# there, or its p99 be over twice the budget's (else they could not fail
# at all). A storm that misses the delays runs once more (below). Measured (ASan build, the
# machine busy with other builds): with the budget p99 7.7-22 ms, none
# lost, longest turn 8.5-10.7 ms; without it p99 150-270 ms, pings lost,
# turns over 20 ms.
# dp runs at nice -20 so that a CPU hog beside the test (CI's stress-ng)
# takes its slices elsewhere rather than from the polling worker; the
# pings and the client run on CPU 1, dp's worker on CPU 0.
# Needs TP_ASYNCPROV_SO (meson passes the provider's path). With
# TP_ASYNCPROV_RECORDS the records are on the provider too (TLS 1.3's
# handshake messages after the ServerHello are records, and the tickets
# after it): more operations, all still in jobs, and the jobs' bound is
# then shared with records as it is meant to be (records may take the
# quarter handshakes leave).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
[ -n "${TP_ASYNCPROV_SO:-}" ] || tp_die "TP_ASYNCPROV_SO is not set"
export TP_ASYNCPROV_DELAY_US=200 TP_ASYNCPROV_STATS=1
RECS=${TP_ASYNCPROV_RECORDS:-}
# every operation inside a job: the provider's own count (sync_ops=0), and
# async_ops the warm-up's and each storm's (STORMS of them, 1 unless
# given): 1002 for one (more with the records)
ops_in_jobs() {
  local l n want=$(( 2 + 1000 * ${1:-1} ))
  l=$(grep -h '^tpasync:' "$TP_DP_LOG" | head -n 1)
  n=$(sed -n 's/.*async_ops=\([0-9]*\) sync_ops=0 .*/\1/p' <<<"$l")
  [ -n "$n" ] || return 1
  if [ -n "$RECS" ]; then [ "$n" -gt "$want" ]; else [ "$n" = "$want" ]; fi
}
# (with the records, the client's close may find our tickets' records on
# the card: those connections' jobs end as orphans, async_closed_parked;
# the last of them may still be under way when the storm ends)
settled() {
  [ "$(tp_stat "$1" async_parked)" -eq \
    $(( $(tp_stat "$1" async_resumed) + $(tp_stat "$1" async_closed_parked) )) ] &&
  { [ -n "$RECS" ] || [ "$(tp_stat "$1" async_closed_parked)" = 0 ]; }
}

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

# storm LABEL: pings every 5 ms from CPU 1 for the whole storm (and a
# little before and after), 500 handshakes at once from one asyncio client
# (CPU 1 too); prints "handshakes N of 500 ...", the pings' figures (lost:
# sequence numbers up to the last answered that had no answer) and dp's
# loop turns; the figures go to $TP_TMP/storm-LABEL.vals too
storm() {
  local st st0 hz
  st0=$(tp_stats total)
  taskset -c 1 ip netns exec "$TP_NS_C" ping -i 0.005 -c 4000 -W 1 10.210.0.1 \
    >"$TP_TMP/ping-$1.out" 2>&1 &
  local ping_pid=$!
  sleep 0.5
  taskset -c 1 ip netns exec "$TP_NS_C" python3 - >"$TP_TMP/storm-$1.out" 2>&1 <<'PY'
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
  sleep 0.3
  kill -INT $ping_pid 2>/dev/null
  wait $ping_pid
  st=$(tp_stats total)
  hz=$(grep -o 'tsc_hz=[0-9]*' "$TP_DP_LOG" | tail -n 1 | cut -d= -f2)
  python3 - "$TP_TMP/ping-$1.out" "$1" "$st" "$hz" "$TP_TMP/storm-$1.vals" "$st0" \
    >>"$TP_TMP/storm-$1.out" <<'PY'
import re, sys
txt = open(sys.argv[1]).read()
got = {int(s): float(t) for s, t in re.findall(r"icmp_seq=(\d+) ttl=\d+ time=([\d.]+) ms", txt)}
last = max(got) if got else 0
lost = sum(1 for i in range(1, last + 1) if i not in got)
rtt = sorted(got.values())
q = lambda f: rtt[min(len(rtt) - 1, int(len(rtt) * f))] if rtt else -1
st = dict(kv.split("=", 1) for kv in sys.argv[3].split()[1:] if "=" in kv)
st0 = dict(kv.split("=", 1) for kv in sys.argv[6].split()[1:] if "=" in kv)
# the storm's own: differences from before it (the warm-up left out)
lt = {k: int(v) - int(st0.get(k, 0)) for k, v in st.items() if k.startswith("long_loops_")}
busy = (int(st.get("busy_cycles", 0)) - int(st0.get("busy_cycles", 0))) * 1000 // int(sys.argv[4])
print("pings %s: %d answered, %d lost, round trip p50 %.1f p99 %.1f max %.1f ms"
      % (sys.argv[2], len(rtt), lost, q(0.5), q(0.99), rtt[-1] if rtt else -1))
print("worker loops %s: %s; longest (since start) %s us; busy %d ms" % (
    sys.argv[2], " ".join("%s=%d" % (k[11:], v) for k, v in lt.items()),
    st.get("loop_max_us"), busy))
open(sys.argv[5], "w").write("answered=%d lost=%d p99_ms=%.1f over_5ms=%d over_20ms=%d\n" % (
    len(rtt), lost, q(0.99), lt.get("long_loops_5ms", -1), lt.get("long_loops_20ms", -1)))
PY
  sed 's/^/# /' "$TP_TMP/storm-$1.out"
}
# val LABEL KEY: a figure of the storm LABEL
val() { tr ' ' '\n' <"$TP_TMP/storm-$1.vals" | sed -n "s/^$2=//p"; }
# dp at nice -20, all its threads (the worker polls without sleeping)
nice_dp() { for t in /proc/"$TP_DP_PID"/task/*; do renice -n -20 -p "${t##*/}" >/dev/null; done; }
# one handshake first: the worker's first (its lazy set-up) is not the storm's
warm() {
  echo | ip netns exec "$TP_NS_C" timeout 10 openssl s_client -connect 10.210.0.1:5349 \
    -tls1_3 >/dev/null 2>&1
}
# p99 bound for the pings (ms): the worker's own handshake steps (an ASan
# build's run up to a few ms each, one at least a turn) and the kernel's
# work for the taps in dp's sends, on a machine that CI loads too
P99_MAX=25
nice_dp
warm
storm provider
# A storm whose delays miss runs once more, and the checks below read the
# second: this guest's host has taken both vCPUs for tens of ms mid-storm
# (CI, 1 in 6 runs: p99 50 ms, one turn of 32 ms, where the same build
# beside the same stress-ng reads 7-10 ms). A broken budget misses twice:
# the control below (no budget) reads p99 130-270 ms, turns over 20 ms.
storms=1
delays_ok() {
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= $P99_MAX and int(sys.argv[2]) == 0 else 1)" \
    "$(val provider p99_ms)" "$(val provider over_20ms)"
}
if ! delays_ok; then
  echo "# the storm's delays missed (p99 $(val provider p99_ms) ms, turns over 20 ms $(val provider over_20ms)): once more"
  storms=2
  storm provider
fi
tp_check "500 concurrent TLS 1.3 handshakes complete" grep -q '^handshakes 500 of 500' "$TP_TMP/storm-provider.out"
tp_check "pings during the storm: none lost ($(val provider lost) of $(val provider answered))" \
  test "$(val provider lost)" = 0 -a "$(val provider answered)" -gt 100
tp_check "... answered within $P99_MAX ms (p99 $(val provider p99_ms) ms)" \
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= $P99_MAX else 1)" "$(val provider p99_ms)"
tp_check "... no loop turn of the worker over 20 ms (over 5 ms: $(val provider over_5ms))" \
  test "$(val provider over_20ms)" = 0
st=$(tp_stats tls)
echo "# $st" | cut -c1-600
for _ in $(seq 30); do settled "$st" && break; sleep 0.1; st=$(tp_stats tls); done
parked=$(tp_stat "$st" async_parked); resumed=$(tp_stat "$st" async_resumed)
tp_check "every operation parked its handshake, and each was resumed from the ring ($parked parked, $resumed resumed${RECS:+, $(tp_stat "$st" async_closed_parked) closed while parked})" \
  bash -c "$(declare -f settled tp_stat); RECS='$RECS'; test '$parked' -ge 1000 && settled '$st'"
tp_check "the storm's handshakes waited their turns: hs_deferred $(tp_stat "$st" hs_deferred), longest step $(tp_stat "$st" hs_step_max_us) us" \
  test "$(tp_stat "$st" hs_deferred)" -gt 0
# (what the bounded run below is held against: unbounded, the storm held
# more jobs at once than its bound, each a 32 KB stack OpenSSL keeps)
peak_free=$(tp_stat "$st" async_jobs_peak)
sd=$(tp_stats turnpike-dp)
heap_free=$(( $(tp_stat "$sd" heap_bytes) - $(tp_stat "$sd" heap_at_start) ))
tp_check "the default pool is tls.offload.jobs' default (async_jobs_max $(tp_stat "$st" async_jobs_max)); none waited for a job (async_job_waits $(tp_stat "$st" async_job_waits))" \
  test "$(tp_stat "$st" async_jobs_max)" = 1024 -a "$(tp_stat "$st" async_job_waits)" = 0
tp_check "dp stops cleanly" tp_dp_stop
grep -h '^tpasync:' "$TP_DP_LOG" | head -n 1 | sed 's/^/# /'
tp_check "every operation ran inside an async job: none waited in the worker (sync_ops=0, async_ops=$(( 2 + 1000 * storms )): the warm-up's and the storm's${RECS:+, more with the records})" \
  ops_in_jobs "$storms"
tp_check "no wake-up went to a freed connection (abandoned=0)" \
  bash -c "grep -h '^tpasync:' '$TP_DP_LOG' | grep -q 'abandoned=0'"

# the control: the same storm, the same provider, no handshake budget
sed -i -e 's/^tls = { /tls = { handshake_budget_us = 0; /' "$TP_TMP/dp.conf"
grep -q 'handshake_budget_us = 0' "$TP_TMP/dp.conf" || tp_die "control: the budget was not set"
tp_cp_stop
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
nice_dp
warm
storm nobudget
tp_check "... and with no budget too" grep -q '^handshakes 500 of 500' "$TP_TMP/storm-nobudget.out"
# (with the records on the provider too, the handshakes' own records park
# and spread a storm over turns even without the budget: on a quiet machine
# its p99 is then 14-21 ms, under the bound, though 4x the budget's; such
# a control still shows the budget is what the delays depend on)
tp_check "the control (no budget) fails a delay check, or is over twice the budget's p99 and 10 ms: the checks can fail (lost $(val nobudget lost), p99 $(val nobudget p99_ms) ms against $(val provider p99_ms), turns over 20 ms $(val nobudget over_20ms))" \
  python3 -c "import sys; l, p, t, b = sys.argv[1:]; sys.exit(0 if int(l) > 0 or float(p) > $P99_MAX or int(t) > 0 or (float(p) > 2 * float(b) and float(p) > 10) else 1)" \
  "$(val nobudget lost)" "$(val nobudget p99_ms)" "$(val nobudget over_20ms)" "$(val provider p99_ms)"

# Memory bounded (tls.offload.jobs): OpenSSL keeps every async job it
# made (a 32 KB stack each) for the thread's life; with 4 at most, the
# storm's operations past the 3rd wait on the worker's FIFO for one to
# end (the 4th is kept for records), and all 500 handshakes complete.
JOBS=4
sed -i -e 's/^tls = { handshake_budget_us = 0; /tls = { /' \
  -e "s/offload = { provider/offload = { jobs = $JOBS; provider/" "$TP_TMP/dp.conf"
grep -q "offload = { jobs = $JOBS;" "$TP_TMP/dp.conf" || tp_die "bounded: jobs was not set"
tp_cp_stop
tp_dp_stop
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
nice_dp
warm
storm bounded
tp_check "with $JOBS async jobs: 500 concurrent handshakes complete" \
  grep -q '^handshakes 500 of 500' "$TP_TMP/storm-bounded.out"
st=$(tp_stats tls)
echo "# $st" | cut -c1-600
sd=$(tp_stats turnpike-dp)
heap_jobs=$(( $(tp_stat "$sd" heap_bytes) - $(tp_stat "$sd" heap_at_start) ))
# handshakes hold three quarters of the jobs at most: the rest are the
# records' of connections that are up (none here: a storm of handshakes)
HS_JOBS=$((JOBS - JOBS / 4))
WAITS_OK="-eq"
if [ -n "$RECS" ]; then
  # the records' operations (tickets, the encrypted handshake records of
  # connections just up) take the quarter left, and wait for it too
  HS_JOBS=$JOBS WAITS_OK="-ge"
fi
tp_check "... handshake steps waited for a job, held back at their share (async_job_waits_handshake $(tp_stat "$st" async_job_waits_handshake)), none found OpenSSL's pool empty (async_job_waits $(tp_stat "$st" async_job_waits), the same), at most $HS_JOBS of the $JOBS held at once by handshakes (async_jobs_peak $(tp_stat "$st" async_jobs_peak); $peak_free without the bound)" \
  test "$(tp_stat "$st" async_job_waits_handshake)" -gt 0 -a "$(tp_stat "$st" async_jobs_peak)" -le $HS_JOBS \
  -a "$(tp_stat "$st" async_job_waits)" $WAITS_OK "$(tp_stat "$st" async_job_waits_handshake)" \
  -a "$(tp_stat "$st" async_jobs_max)" = $JOBS -a "$peak_free" -gt $JOBS
for _ in $(seq 30); do settled "$st" && break; sleep 0.1; st=$(tp_stats tls); done
tp_check "... and every parked operation resumed, none left waiting (parked $(tp_stat "$st" async_parked), resumed $(tp_stat "$st" async_resumed), closed while parked $(tp_stat "$st" async_closed_parked), deferred now $(tp_stat "$st" deferred))" \
  bash -c "$(declare -f settled tp_stat); RECS='$RECS'; settled '$st' && test '$(tp_stat "$st" deferred)' = 0"
tp_check "... dp's heap grew less than without the bound ($heap_jobs against $heap_free bytes over the start)" \
  test "$heap_jobs" -lt "$heap_free"
tp_check "dp stops cleanly" tp_dp_stop
tp_check "... every operation still inside an async job (sync_ops=0)" ops_in_jobs
[ $TP_FAILS -eq 0 ]
