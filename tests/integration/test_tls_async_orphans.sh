#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# More async jobs than connections. A connection closed
# while its handshake's job is paused on the accelerator becomes an orphan
# (dp/tls/tls_async.c): its SSL lives on until the job's wake-up comes and
# the job ends. The orphans a worker may hold are bounded by the jobs of
# its thread's pool (tls.offload.jobs), not by its connections
# (dp.tcp_max_conns): a slot is free again at the close, and the next
# connection in it can leave an orphan of its own. Here 8 connections and
# 64 jobs, the test provider at 100 ms an operation, and clients that send
# a ClientHello and reset the connection some 10 ms later, on 6 lanes, for
# 2 s: some 50 orphans at once. None may be freed with its job paused
# (the provider counts a wake-up for a freed SSL as abandoned; with an
# accelerator the callback would read the freed SSL, and the ring would
# hand one to tls_poll()), no wake-up may be lost, and a handshake after
# the storm must still complete (a job leaked with its SSL never returns
# to the thread's pool: 64 of them and no handshake starts again).
# Needs TP_ASYNCPROV_SO (meson passes the provider's path).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
[ -n "${TP_ASYNCPROV_SO:-}" ] || tp_die "TP_ASYNCPROV_SO is not set"
export TP_ASYNCPROV_DELAY_US=100000 TP_ASYNCPROV_STATS=1
CONNS=8 JOBS=64

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=turn.test" -keyout "$TP_TMP/key.pem" -out "$TP_TMP/cert.pem" \
  >"$TP_TMP/req.out" 2>&1 || tp_die "openssl req failed"
tp_write_conf "$TP_TMP/dp.conf" "0" "tcp_max_conns = $CONNS;" "" "" \
  "$(tp_turn_groups "" "listen_tls = [5349]; tcp_per_source = 1000; tcp_first_message = 20;")
tls = { certificate = \"$TP_TMP/cert.pem\"; private_key = \"$TP_TMP/key.pem\";
        offload = { jobs = $JOBS; provider = \"$TP_ASYNCPROV_SO\";
                    properties = \"?provider=tpasync\"; };
};"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

# one full handshake (s_client, TLS 1.3): true when it completed
handshake() {
  echo | ip netns exec "$TP_NS_C" timeout 5 openssl s_client -connect 10.210.0.1:5349 \
    -tls1_3 >"$TP_TMP/s_client.out" 2>&1
  grep -q '^New, TLSv1.3' "$TP_TMP/s_client.out"
}
tp_check "a handshake before the storm" handshake

ip netns exec "$TP_NS_C" python3 - >"$TP_TMP/storm.out" 2>&1 <<'PY'
import asyncio, socket, ssl, struct, time

# one ClientHello, sent on every connection (the server makes a new key
# share and pauses in the key exchange each time)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname="turn.test")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
LINGER0 = struct.pack("ii", 1, 0)
sent = refused = 0

async def lane(until):
    global sent, refused
    while time.monotonic() < until:
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection("10.210.0.1", 5349), 0.5)
        except (OSError, asyncio.TimeoutError):
            refused += 1          # the table full for a moment: a slot frees at the reset
            await asyncio.sleep(0.005)
            continue
        w.write(hello)
        await w.drain()
        sent += 1
        await asyncio.sleep(0.01)
        w.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
        w.transport.abort()       # RST

async def main():
    until = time.monotonic() + 2.0
    await asyncio.gather(*(lane(until) for _ in range(6)))
    print("client hellos %d, then a reset; connects refused %d" % (sent, refused))

asyncio.run(main())
PY
sed 's/^/# /' "$TP_TMP/storm.out"
# the orphans' jobs end (100 ms each, one at a time a loop turn at most)
settled() {
  [ "$(tp_stat "$1" async_parked)" -eq \
    $(( $(tp_stat "$1" async_resumed) + $(tp_stat "$1" async_closed_parked) )) ]
}
st=$(tp_stats tls)
for _ in $(seq 50); do settled "$st" && break; sleep 0.1; st=$(tp_stats tls); done
echo "# $st" | cut -c1-900
sent=$(sed -n 's/^client hellos \([0-9]*\),.*/\1/p' "$TP_TMP/storm.out")
tp_check "the storm ran: ${sent:-0} ClientHellos, each reset" test "${sent:-0}" -gt 100
orph=$(tp_stat "$st" async_closed_parked); peak=$(tp_stat "$st" async_jobs_peak)
tp_check "more jobs in use at once than connections: closed while parked $orph, async_jobs_peak $peak > $CONNS" \
  test "$peak" -gt "$CONNS"
tp_check "dp is alive (no sanitizer report)" kill -0 "$TP_DP_PID"
tp_check "every parked operation ended (parked $(tp_stat "$st" async_parked), resumed $(tp_stat "$st" async_resumed), closed while parked $orph)" \
  settled "$st"
tp_check "no SSL kept for want of an orphan (async_orphans_overflow $(tp_stat "$st" async_orphans_overflow)), no wake-up lost to a full ring (async_ring_full $(tp_stat "$st" async_ring_full))" \
  test "$(tp_stat "$st" async_orphans_overflow)" = 0 -a "$(tp_stat "$st" async_ring_full)" = 0
tp_check "a handshake after the storm (every job back in the pool)" handshake
tp_check "dp stops cleanly" tp_dp_stop
grep -h '^tpasync: ops=' "$TP_DP_LOG" | head -n 1 | sed 's/^/# /'
tp_check "no wake-up went to a freed SSL (tpasync abandoned=0)" \
  bash -c "grep -h '^tpasync:' '$TP_DP_LOG' | grep -q 'abandoned=0'"
tp_check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$TP_DP_LOG'"
[ $TP_FAILS -eq 0 ]
