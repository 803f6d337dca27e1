#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cp's Prometheus endpoint (cp.metrics): a scrape from a running
# dp+cp that relayed turnutils_uclient sessions (and refused a wrong
# password) passes Prometheus' own `promtool check metrics`, carries
# coturn's metric names (turn_total_allocations{type}, turn_traffic_*,
# turn_total_traffic_*) and turnpike's, and its values are those of
# `turnpikectl status --json` (one source): taken between two status
# calls, each lies between the two. GET / answers "ok", other paths 404,
# POST 405; two scrapes within a second are the same text, one a second
# later is new; a scraper that connects and says nothing does not hold
# cp's loop; cp.metrics_allow closes other sources (counted), serves its
# own, changes on reload; an address that is not loopback without a list
# warns once at start; a bad address stops cp with the reason; without
# cp.metrics there is no endpoint. Slow clients from an allowed source hold
# two slots each, each for the header deadline at most.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"
command -v promtool >/dev/null || tp_die "promtool missing (tools/bootstrap installs prometheus)"

port=$((20000 + $$ % 20000))
maddr=127.0.0.1:$port
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups "metrics = \"$maddr\";")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2

scrape() { python3 - "http://$maddr${1:-/metrics}" "${2:-GET}" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], method=sys.argv[2])
try:
    r = urllib.request.urlopen(req, timeout=5)
    sys.stdout.write(r.read().decode()); print("HTTP", r.status, file=sys.stderr)
except urllib.error.HTTPError as e:
    print("HTTP", e.code, file=sys.stderr); sys.exit(1)
PY
}

# dp's loop turns by duration (a histogram per worker): its count before
# any traffic, once the worker has copied its counters (every 100 ms)
LE=5e-06,1e-05,2e-05,5e-05,0.0001,0.0002,0.0005,0.001,0.002,0.005,0.01,0.02
hist() {
  python3 "$(dirname "$0")/lib/prom_histogram.py" "$1" turnpike_dp_loop_turn_seconds \
    'worker="0"' "$LE" "${@:2}"
}
for _ in $(seq 50); do
  scrape /metrics >"$TP_TMP/scrape0.txt" 2>/dev/null &&
    grep -q '^turnpike_dp_loop_turn_seconds_count{worker="0"}' "$TP_TMP/scrape0.txt" && break
  sleep 0.2
done
turns0=$(hist "$TP_TMP/scrape0.txt"); rc=$?
tp_check "before traffic: the loop-turn histogram of worker 0 is whole (count $turns0)" test $rc -eq 0

# Traffic: sessions that end, one that runs on (uc0, relaying through
# the step below in which the operator deletes its allocation), and a
# refused password. uc0 is the real uclient (lib/uclient-rerun would run
# it again when it fails, and its allocation is deleted under it).
ip netns exec "$TP_NS_C" timeout 60 "${TP_UCLIENT_REAL:?no turnutils_uclient}" \
  -e 10.211.0.2 -r 3480 -u test -w test -m 1 -c -n 3000 -z 10 10.210.0.1 >"$TP_TMP/uc0.log" 2>&1 &
uc0=$!
ip netns exec "$TP_NS_C" timeout 60 turnutils_uclient -e 10.211.0.2 -r 3480 -u test -w test \
  -m 4 -c -n 20 -l 120 10.210.0.1 >"$TP_TMP/uc1.log" 2>&1
ip netns exec "$TP_NS_C" timeout 20 turnutils_uclient -e 10.211.0.2 -r 3480 -u test -w wrong \
  -m 1 -c -n 2 10.210.0.1 >"$TP_TMP/uc2.log" 2>&1
tp_check "the sessions relayed" grep -q 'tot_recv_msgs=[1-9]' "$TP_TMP/uc1.log"
# One allocation deleted by the operator: uc0's, live, with traffic.
# uc0 is paused (SIGSTOP) once cp's counters of it show packets from its
# client, and the delete waits for them to stand still (two readings
# 1.1 s apart: cp asks dp every second), so that what it relayed is
# known to the packet. Before: status (live allocations, finished and
# all traffic) and that allocation's counters; after, in the scrape: one
# allocation fewer, and the finished sessions' traffic grown by at least
# its traffic. (At least: cp counts it once as it deletes it and, in some
# runs, again from dp's report of its end, ALLOC_END: a double count.)
snap() { # snap [ID]: the allocation with the most packets from its client (or ID) and status
  local st; st=$(tp_ctl --json status)
  tp_ctl --json allocations | python3 -c '
import json, sys
s = json.loads(sys.argv[1])
a = [x for x in json.load(sys.stdin)["allocations"] if x["pkts_from_client"] > 0
     and (sys.argv[2] == "" or x["id"] == int(sys.argv[2]))]
if a:
    x = max(a, key=lambda x: x["pkts_from_client"])
    print(json.dumps({"id": x["id"], "alloc": {k: v for k, v in x.items() if k.startswith(("pkts_", "bytes_"))},
                      "allocations": s["allocations"], "udp": s["allocations_by_transport"]["UDP"],
                      "worker0": s["workers"][0]["allocations"], "traffic": s["traffic"]}))' "$st" "${1:-}"
}
pre=
for _ in $(seq 100); do pre=$(snap); [ -n "$pre" ] && break; sleep 0.1; done
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"] if sys.argv[1] else "")' "$pre")
tp_check "a live allocation with traffic for the operator to delete (uc0's: $id)" test -n "$id"
uc0c=$(pgrep -P "$uc0")
[ -n "$uc0c" ] && kill -STOP "$uc0c"
for _ in $(seq 8); do
  sleep 1.1
  p=$(snap "$id")
  [ -n "$p" ] && [ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["alloc"])' "$p")" = \
    "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["alloc"] if sys.argv[1] else "")' "$pre")" ] && break
  pre=$p
done
echo "# before the operator's delete: ${pre:-no allocation with traffic}"
tp_check "turnpikectl kill $id" bash -c '[ -n "$1" ] && "$0" --socket "$2" kill "$1" >/dev/null' \
  "$TP_BUILD/cp/ctl/turnpikectl" "$id" "$TP_TMP/cp.sock"
[ -n "$uc0c" ] && kill -KILL "$uc0c"
wait "$uc0" 2>/dev/null
sleep 1.5

s1=$(tp_ctl --json status)
m=$(scrape /metrics 2>"$TP_TMP/http.err")
s2=$(tp_ctl --json status)
printf '%s\n' "$m" >"$TP_TMP/scrape.txt"
echo "# $(wc -l <"$TP_TMP/scrape.txt") lines scraped"
tp_check "GET /metrics answers 200" grep -q 'HTTP 200' "$TP_TMP/http.err"
out=$(promtool check metrics <"$TP_TMP/scrape.txt" 2>&1); rc=$?
[ -n "$out" ] && echo "$out" | sed 's/^/# promtool: /'
tp_check "promtool check metrics accepts the scrape" test $rc -eq 0
tp_check "coturn's names are there" python3 - "$TP_TMP/scrape.txt" <<'PY'
import sys
t = open(sys.argv[1]).read()
for n in ['turn_total_allocations{type="UDP"}', 'turn_total_allocations{type="TCP"}',
          'turn_traffic_rcvp{realm="turnpike.test"}', 'turn_traffic_sentb{realm="turnpike.test"}',
          'turn_traffic_peer_rcvp{realm="turnpike.test"}', 'turn_traffic_peer_sentb{realm="turnpike.test"}',
          'turn_total_traffic_rcvp ', 'turn_total_traffic_peer_sentp ']:
    assert n in t, n
PY
tp_check "the scrape's values are turnpikectl status's (between two status calls)" \
  python3 - "$TP_TMP/scrape.txt" "$s1" "$s2" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
s1, s2 = json.loads(sys.argv[2]), json.loads(sys.argv[3])
m = {}
for line in t.splitlines():
    if line.startswith('#') or not line.strip():
        continue
    k, v = line.rsplit(' ', 1)
    m[k] = float(v)
def between(name, f):
    a, b, v = f(s1), f(s2), m[name]
    assert a <= v <= b, (name, a, v, b)
    return v
assert between('turnpike_allocations', lambda s: s['allocations']) > 0
between('turn_total_allocations{type="UDP"}', lambda s: s['allocations_by_transport']['UDP'])
assert between('turnpike_cp_requests_total', lambda s: s['stats']['requests']) > 0
assert between('turnpike_cp_challenges_total', lambda s: s['stats']['challenges']) > 0
between('turnpike_cp_allocate_ok_total', lambda s: s['stats']['allocate_ok'])
between('turnpike_cp_error_responses_total', lambda s: s['stats']['error_responses'])
between('turnpike_cp_policy_refused_total', lambda s: s['stats']['policy_refused'])
between('turnpike_cp_quota_refused_total', lambda s: s['stats']['quota_refused'])
between('turnpike_cp_dp_restarts_total', lambda s: s['stats']['dp_restarts'])
assert between('turnpike_cp_error_responses_by_code_total{code="401"}',
               lambda s: s['error_responses_by_code']['401']) > 0
assert between('turnpike_cp_auth_refused_total{reason="bad-integrity"}',
               lambda s: s['auth_refused_by_reason']['bad-integrity']) > 0
between('turnpike_users', lambda s: s['users'])
between('turnpike_rest_secrets', lambda s: s['secrets'])
assert between('turnpike_relayed_packets_total{direction="from_client"}',
               lambda s: s['traffic']['all']['pkts_from_client']) > 0
assert between('turnpike_relayed_bytes_total{direction="to_client"}',
               lambda s: s['traffic']['all']['bytes_to_client']) > 0
assert between('turn_traffic_rcvp{realm="turnpike.test"}',
               lambda s: s['traffic']['finished']['pkts_from_client']) > 0
between('turn_traffic_peer_sentb{realm="turnpike.test"}',
        lambda s: s['traffic']['finished']['bytes_to_peer'])
between('turnpike_worker_allocations{worker="0"}', lambda s: s['workers'][0]['allocations'])
between('turnpike_ring_pending{worker="0",ring="to_cp"}', lambda s: s['workers'][0]['to_cp_pending'])
between('turnpike_ring_full_total{worker="0",ring="to_dp"}', lambda s: s['workers'][0]['to_dp_full'])
assert between('turnpike_cp_starts_total', lambda s: s['cp_starts']) == 1
assert m['turnpike_cp_ready'] == 1 and m['turnpike_dp_alive'] == 1
# dp's own counters per worker (copied by the worker every 100 ms)
assert between('turnpike_dp_packets_total{worker="0",direction="rx"}',
               lambda s: s['workers'][0]['dp']['rx_pkts']) > 0
assert between('turnpike_dp_packets_total{worker="0",direction="tx"}',
               lambda s: s['workers'][0]['dp']['tx_pkts']) > 0
between('turnpike_dp_handoffs_total{worker="0",direction="out"}',
        lambda s: s['workers'][0]['dp']['handoff_out'])
assert between('turnpike_dp_busy_cycles_total{worker="0"}',
               lambda s: s['workers'][0]['dp']['busy_cycles']) > 0
assert between('turnpike_dp_loop_turn_seconds_count{worker="0"}',
               lambda s: s['workers'][0]['dp']['loop_turns']['count']) > 0
between('turnpike_dp_loop_turn_seconds_bucket{worker="0",le="5e-06"}',
        lambda s: s['workers'][0]['dp']['loop_turns']['le_us']['5'])
between('turnpike_dp_loop_turn_seconds_bucket{worker="0",le="+Inf"}',
        lambda s: s['workers'][0]['dp']['loop_turns']['le_us']['+Inf'])
assert m['turnpike_dp_cycles_per_packet{worker="0"}'] > 0
drops = {k: v for k, v in m.items() if k.startswith('turnpike_dp_drops_total{')}
assert len(drops) >= 10, drops          # every reason dp has, per worker
for k, v in drops.items():
    reason = re.search(r'reason="(\w+)"', k).group(1)
    between(k, lambda s, r=reason: s['workers'][0]['dp']['drops'][r])
# dp's TCP (on by default: TURN over TCP on 3478): the connections
# open, and every counter dp/tcp and TURN over TCP have, by name
between('turnpike_dp_tcp_connections{worker="0"}', lambda s: s['workers'][0]['tcp_connections'])
tcp = {re.search(r'event="(\w+)"', k).group(1): v for k, v in m.items()
       if k.startswith('turnpike_dp_tcp_events_total{')}
assert len(tcp) >= 50 and 'segments_in' in tcp and 'syn_cookies_sent' in tcp \
    and 'close_reset' in tcp and 'turn_reset_bad_frame' in tcp, sorted(tcp)
# the ports' own drops and errors (the drivers' counters), by the
# configuration's names, as status has them
ports = {p['name']: p for p in s2['dp']['ports']}
assert sorted(ports) == ['access', 'core'], ports
for name in ports:
    for series, key in [('turnpike_dp_port_rx_dropped_total{port="%s",reason="nombuf"}', 'rx_nombuf'),
                        ('turnpike_dp_port_rx_dropped_total{port="%s",reason="missed"}', 'imissed'),
                        ('turnpike_dp_port_errors_total{port="%s",direction="rx"}', 'ierrors'),
                        ('turnpike_dp_port_errors_total{port="%s",direction="tx"}', 'oerrors')]:
        between(series % name, lambda s, n=name, k=key: {p['name']: p for p in s['dp']['ports']}[n][k])
# bounded label sets: no label per allocation or user (a port: the
# configuration's, at most 8)
labels = set(re.findall(r'(\w+)="', t))
assert labels <= {'type', 'realm', 'direction', 'code', 'worker', 'ring', 'reason',
                  'event', 'le', 'port'}, labels
PY
tp_check "the operator's delete shows: the allocation gone, one allocation fewer (all, UDP, worker 0), the finished sessions' traffic grown by at least its traffic" \
  python3 - "$TP_TMP/scrape.txt" "$pre" "$(tp_ctl --json allocations)" <<'PY'
import json, sys
m = {l.rsplit(' ', 1)[0]: float(l.rsplit(' ', 1)[1])
     for l in open(sys.argv[1]).read().splitlines() if l and l[0] != '#'}
pre, now = json.loads(sys.argv[2]), json.loads(sys.argv[3])
assert pre['id'] not in [x['id'] for x in now['allocations']], pre['id']
for name, key in [('turnpike_allocations', 'allocations'),
                  ('turn_total_allocations{type="UDP"}', 'udp'),
                  ('turnpike_worker_allocations{worker="0"}', 'worker0')]:
    assert m[name] == pre[key] - 1, (name, pre[key], m[name])
fin, allt, a = pre['traffic']['finished'], pre['traffic']['all'], pre['alloc']
r = 'turn_traffic_%s{realm="turnpike.test"}'
for name, key in [(r % 'rcvp', 'pkts_from_client'), (r % 'rcvb', 'bytes_from_client'),
                  ('turn_total_traffic_rcvp', 'pkts_from_client'),
                  (r % 'peer_sentp', 'pkts_to_peer'), (r % 'sentb', 'bytes_to_client')]:
    assert m[name] >= fin[key] + a[key], (name, fin[key], '+', a[key], m[name])
print("# allocations %d -> %d; finished packets from clients %d + %d -> %d; all %d -> %d"
      % (pre['allocations'], m['turnpike_allocations'], fin['pkts_from_client'],
         a['pkts_from_client'], m[r % 'rcvp'], allt['pkts_from_client'],
         m['turnpike_relayed_packets_total{direction="from_client"}']))
PY
turns=$(hist "$TP_TMP/scrape.txt" --more-than "$((${turns0:-0} + 20))" \
  --sum-is 'turnpike_dp_busy_cycles_total{worker="0"}/turnpike_dp_tsc_hz'); rc=$?
tp_check "the loop-turn histogram: buckets 5 us .. 20 ms and +Inf, cumulative, _count the +Inf bucket, _sum busy cycles over the TSC rate, 20 more turns after the traffic ($turns0 -> $turns)" \
  test $rc -eq 0
dpline=$(tp_stats "worker=0")
tp_check "dp's counters in the scrape (packets, long loop turns) are at most what dp itself prints after (SIGUSR1)" python3 - "$TP_TMP/scrape.txt" "$dpline" <<'PY'
import sys
t = open(sys.argv[1]).read()
dp = dict(kv.split('=', 1) for kv in sys.argv[2].split()[1:] if '=' in kv)
m = {l.rsplit(' ', 1)[0]: int(float(l.rsplit(' ', 1)[1])) for l in t.splitlines() if l and l[0] != '#'}
for name, key in [('turnpike_dp_packets_total{worker="0",direction="rx"}', 'rx_pkts'),
                  ('turnpike_dp_packets_total{worker="0",direction="tx"}', 'tx_pkts'),
                  ('turnpike_dp_bytes_total{worker="0",direction="rx"}', 'rx_bytes')]:
    assert 0 < m[name] <= int(dp[key]), (name, m[name], dp[key])
# the long turns dp prints are the histogram's over each bound (one count)
h = 'turnpike_dp_loop_turn_seconds_bucket{worker="0",le="%s"}'
count = m['turnpike_dp_loop_turn_seconds_count{worker="0"}']
for le, key in [('0.0001', 'long_loops_100us'), ('0.001', 'long_loops_1ms'),
                ('0.02', 'long_loops_20ms')]:
    assert count - m[h % le] <= int(dp[key]), (le, count - m[h % le], key, dp[key])
PY
tp_check "GET / answers ok" bash -c "[ \"\$(scrape_() { :; }; python3 -c 'import urllib.request; print(urllib.request.urlopen(\"http://$maddr/\", timeout=5).read().decode().strip())')\" = ok ]"
tp_check "an unknown path is 404" bash -c "python3 -c 'import urllib.request,urllib.error,sys
try: urllib.request.urlopen(\"http://$maddr/nope\", timeout=5)
except urllib.error.HTTPError as e: sys.exit(0 if e.code == 404 else 1)
sys.exit(1)'"
tp_check "POST is 405" bash -c "python3 -c 'import urllib.request,urllib.error,sys
try: urllib.request.urlopen(urllib.request.Request(\"http://$maddr/metrics\", data=b\"x\"), timeout=5)
except urllib.error.HTTPError as e: sys.exit(0 if e.code == 405 else 1)
sys.exit(1)'"
# The text is made at most once a second (CP_METRICS_CACHE_MS) and every
# scrape within it gets that text: two scrapes within a second are the
# same though an API request between them moved a counter; one more than
# a second later shows it.
tp_check "two scrapes within a second are the same text; after a second the changed counter shows" \
  python3 - "$maddr" "$TP_BUILD/cp/ctl/turnpikectl" "$TP_TMP/cp.sock" <<'PY'
import re, subprocess, sys, time, urllib.request
url, ctl, sock = "http://%s/metrics" % sys.argv[1], sys.argv[2], sys.argv[3]
def scrape():
    return urllib.request.urlopen(url, timeout=5).read().decode()
def api(t):
    return int(re.search(r'^turnpike_api_requests_total (\d+)$', t, re.M).group(1))
for _ in range(3):
    time.sleep(1.2)                  # past the last text's second
    t0 = time.monotonic()
    a = scrape()
    subprocess.run([ctl, '--socket', sock, 'status'], check=True, stdout=subprocess.DEVNULL)
    b = scrape()
    if time.monotonic() - t0 < 0.9:  # (a loaded box may take longer: again)
        break
else:
    sys.exit("three tries, each over 0.9 s")
assert a == b, "two scrapes within a second differ"
time.sleep(1.2)
c = scrape()
assert api(c) > api(a), (api(a), api(c))
PY

# A scraper that connects and says nothing: cp answers others at once.
python3 -c "import socket,time; s=socket.create_connection(('127.0.0.1',$port)); time.sleep(10)" &
mute=$!
tp_need tp_wait_until 10 "the silent scraper connected" \
  bash -c "ss -Htn state established '( dport = :$port )' | grep -q ."
t0=$(date +%s%N)
tp_check "with a silent scraper connected, turnpikectl status answers" bash -c "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" status >/dev/null"
t1=$(date +%s%N)
tp_check "... and a scrape too" curl -sf -o /dev/null "http://$maddr/metrics"
t2=$(date +%s%N)
echo "# status in $(( (t1 - t0) / 1000000 )) ms, scrape in $(( (t2 - t1) / 1000000 )) ms"
# A loop held by the silent one would answer only once it is dropped
# (libmicrohttpd's 5 s timeout) or gone (10 s); a loaded 2-core box
# may take a second.
tp_check "... each well before the silent one is dropped (3 s)" test $(( (t1 - t0) / 1000000 )) -lt 3000 -a $(( (t2 - t1) / 1000000 )) -lt 3000
kill $mute 2>/dev/null; wait $mute 2>/dev/null

# turnpikectl top: frames of per-worker rates while a session relays.
# (the real uclient: lib/uclient-rerun would give its output only at its
# end, and the wait below for its first message ran out, so top's frames
# came after the session: 0 packets a second, beside stress-ng)
ip netns exec "$TP_NS_C" timeout 30 stdbuf -oL "${TP_UCLIENT_REAL:?no turnutils_uclient}" \
  -e 10.211.0.2 -r 3480 -u test -w test -m 1 -c -n 400 -z 20 10.210.0.1 >"$TP_TMP/uc3.log" 2>&1 &
uc3=$!
# uclient sends its first message some 4 s after it starts
for _ in $(seq 100); do grep -q 'tot_send_msgs=[1-9]' "$TP_TMP/uc3.log" && break; sleep 0.1; done
top=$(tp_ctl top --count 2 --interval 0.5); rc=$?
echo "$top" | sed 's/^/# /'
tp_check "turnpikectl top --count 2: two frames with a row for worker 0" bash -c '[ $1 -eq 0 ] && [ "$(grep -c "^ *WORKER" <<<"$0")" = 2 ] && [ "$(grep -c "^ *0 " <<<"$0")" = 2 ]' "$top" $rc
tp_check "... packets per second in and out while the session relays" python3 -c '
import sys
rows = [l.split() for l in sys.argv[1].splitlines() if l.split()[:1] == ["0"]]
assert any(float(r[1]) > 0 and float(r[2]) > 0 and int(r[4]) > 0 for r in rows), rows' "$top"
tp_check "top --count 0 is a usage error" bash -c "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" top --count 0 2>/dev/null; [ \$? -eq 1 ]"
wait $uc3
tp_check "cp stops" tp_cp_stop

# cp.metrics_allow: a source outside the list is closed unanswered and
# counted, one inside served; the list changes on reload; a loopback
# address says nothing in cp's log.
# get SRC: a scrape from source address SRC: "200 <refused count in the
# text>", or "closed" when cp closed the connection without an answer.
get() { python3 - "$port" "$1" <<'PY'
import http.client, re, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5,
                               source_address=(sys.argv[2], 0))
try:
    c.request("GET", "/metrics")
    r = c.getresponse()
    t = r.read().decode()
    m = re.search(r'^turnpike_metrics_refused_total (\d+)$', t, re.M)
    print(r.status, m.group(1) if m else "none")
except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
    print("closed")
PY
}
allow_groups() { tp_turn_groups "metrics = \"$maddr\"; metrics_allow = [ $1 ];"; }
tp_write_conf "$TP_TMP/allow.conf" "0" "" "" "" "$(allow_groups '"127.0.0.1/32", "::1/128"')"
tp_cp_start "$TP_TMP/allow.conf"
tp_check "metrics_allow: a scrape from 127.0.0.2 (not listed) is closed unanswered" \
  test "$(get 127.0.0.2)" = closed
tp_check "... one from 127.0.0.1 (listed) is served, the refusal counted" \
  test "$(get 127.0.0.1)" = "200 1"
tp_check "... and status says metrics_refused 1" bash -c \
  "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" --json status | grep -q '\"metrics_refused\":1'"
tp_check "... a loopback address: no warning in cp's log" bash -c "! grep -q 'cp.metrics_allow is not set' \"$TP_CP_LOG\""
tp_write_conf "$TP_TMP/allow.conf" "0" "" "" "" "$(allow_groups '"127.0.0.2/32"')"
out=$(tp_ctl reload 2>&1); rc=$?
echo "$out" | sed 's/^/# reload: /'
tp_check "reload takes a new metrics_allow and says so" bash -c "[ $rc -eq 0 ] && grep -q 'cp.metrics_allow' <<<\"\$0\"" "$out"
r1=$(get 127.0.0.1); r2=$(get 127.0.0.2)
tp_check "... 127.0.0.1 now closed ($r1), 127.0.0.2 served ($r2)" bash -c "[ '$r1' = closed ] && [ '${r2%% *}' = 200 ]"
tp_check "cp stops" tp_cp_stop
# Not loopback, no list: one warning line at start naming what to set.
tp_write_conf "$TP_TMP/open.conf" "0" "" "" "" "$(tp_turn_groups "metrics = \"0.0.0.0:$port\";")"
tp_cp_start "$TP_TMP/open.conf"
tp_check "cp.metrics 0.0.0.0 without metrics_allow: one warning line naming cp.metrics_allow" \
  bash -c "[ \"\$(grep -c 'cp.metrics \"0.0.0.0:$port\" is not a loopback address and cp.metrics_allow is not set' \"$TP_CP_LOG\")\" = 1 ]"
tp_check "... and it serves anyone" test "$(get 127.0.0.2)" = "200 0"
tp_check "cp stops" tp_cp_stop
tp_write_conf "$TP_TMP/open.conf" "0" "" "" "" "$(tp_turn_groups "metrics = \"0.0.0.0:$port\"; metrics_allow = [\"127.0.0.0/8\"];")"
tp_cp_start "$TP_TMP/open.conf"
tp_check "0.0.0.0 with metrics_allow: no warning" bash -c "! grep -q 'cp.metrics_allow is not set' \"$TP_CP_LOG\""
# Slow clients from an allowed source: ten connections from 127.0.0.3,
# each sending a request's first line and then a byte every half second
# (libmicrohttpd's own timeout is of silence). Another source is served
# meanwhile (at most 2 connections a source hold slots), and cp closes
# every one of them by the header deadline (5 s), though they still send.
tp_check "slow clients from one allowed source: another source's scrape is served, and they are closed by the header deadline" \
  python3 - "$port" <<'PY'
import http.client, socket, sys, time
port = int(sys.argv[1])
slow = []
for _ in range(10):
    s = socket.socket()
    s.bind(("127.0.0.3", 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    except OSError:
        pass
    slow.append(s)
time.sleep(0.5)
t0 = time.time()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=4, source_address=("127.0.0.4", 0))
try:
    c.request("GET", "/metrics")
    r = c.getresponse()
    r.read()
    other = r.status
except Exception as e:
    other = repr(e)
t_other = time.time() - t0
left = set(range(len(slow)))
for s in slow:
    s.setblocking(False)
while left and time.time() - t0 < 12:
    for i in list(left):
        try:
            slow[i].send(b"X")
            if slow[i].recv(100) == b"":
                left.discard(i)
        except BlockingIOError:
            pass
        except OSError:
            left.discard(i)
    time.sleep(0.5)
print("# the other source: %s in %.1f s; slow ones still open after %.1f s: %d"
      % (other, t_other, time.time() - t0, len(left)))
sys.exit(0 if other == 200 and not left else 1)
PY
tp_check "cp stops" tp_cp_stop

tp_write_conf "$TP_TMP/bad.conf" "0" "" "" "" "$(tp_turn_groups "metrics = \"127.0.0.1:notaport\";")"
out=$(timeout 20 "$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/bad.conf" 2>&1); rc=$?
tp_check "a bad cp.metrics stops cp and says why" bash -c "[ $rc -ne 0 ] && grep -q 'cp.metrics' <<<\"\$0\"" "$out"
tp_write_conf "$TP_TMP/off.conf" "0" "" "" "" "$(tp_turn_groups)"
tp_cp_start "$TP_TMP/off.conf"
tp_check "without cp.metrics: no endpoint" bash -c "! python3 -c 'import urllib.request; urllib.request.urlopen(\"http://$maddr/metrics\", timeout=2)' 2>/dev/null"
tp_check "... and status says metrics null" bash -c "\"$TP_BUILD/cp/ctl/turnpikectl\" --socket \"$TP_TMP/cp.sock\" --json status | grep -q '\"metrics\":null'"
tp_check "cp stops" tp_cp_stop
kill "$TP_PEER_PID" 2>/dev/null; wait "$TP_PEER_PID" 2>/dev/null; TP_PEER_PID=
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
