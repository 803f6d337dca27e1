#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The names of every counter turnpike shows, against golden files
# (tests/integration/golden/counters_*.txt): a Prometheus scrape of cp's
# metrics endpoint, `turnpikectl --json status`, `turnpikectl status` and
# dp's statistics (SIGUSR1), each normalised by lib/counters_norm.py
# (numbers as N, JSON scalars as their type; metric names, labels, HELP
# and TYPE lines, JSON keys and dp's keys as they are). Operators'
# dashboards, alerts and scripts key on these names: a name that changes,
# goes or comes fails here, with the difference shown.
#
# Two configurations, since some families depend on the groups
# configured: "full" (two workers; TURN over UDP, TCP and TLS, so RFC
# 6062's relay; the tls group; the access gateway) and "plain" (one
# worker, TURN over UDP only, no tls or agw group).
#
# A change of names on purpose: TP_GOLDEN_UPDATE=1 writes the files anew;
# commit them with the change, and say why in its message.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
command -v openssl >/dev/null || tp_die "openssl missing"
GOLDEN=$HERE/golden
NORM="python3 $HERE/lib/counters_norm.py"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=turn.test" -keyout "$TP_TMP/key.pem" -out "$TP_TMP/cert.pem" \
  >"$TP_TMP/req.out" 2>&1 || tp_die "openssl req failed"
maddr=127.0.0.1:$((20000 + $$ % 20000))

scrape() { python3 - "http://$maddr/metrics" <<'PY'
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
PY
}

# dpstats: dp's statistics on SIGUSR1, once the block is in its log
dpstats() {
  local before
  before=$(grep -c '^turnpike-dp stats:' "$TP_DP_LOG")
  kill -USR1 "$TP_DP_PID"
  for _ in $(seq 50); do
    [ "$(grep -c '^turnpike-dp stats:' "$TP_DP_LOG")" -gt "$before" ] && break
    sleep 0.1
  done
  sleep 0.3
  cat "$TP_DP_LOG"
}

# run NAME: start dp and cp on $TP_TMP/NAME.conf, take the four outputs,
# stop both; the normalised text in $TP_TMP/NAME.txt
run() {
  local name=$1 out=$TP_TMP/$1.txt
  tp_dp_start "$TP_TMP/$name.conf"
  tp_cp_start "$TP_TMP/$name.conf"
  # every worker has copied its counters (every 100 ms) at least once
  for _ in $(seq 50); do
    tp_ctl --json status >"$TP_TMP/$name.json" 2>/dev/null &&
      python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if all("dp" in w for w in d["workers"]) else 1)' "$TP_TMP/$name.json" &&
      break
    sleep 0.1
  done
  scrape >"$TP_TMP/$name.metrics" || tp_not_ok "$name: the scrape"
  tp_ctl --json status >"$TP_TMP/$name.json" || tp_not_ok "$name: status --json"
  tp_ctl status >"$TP_TMP/$name.status" || tp_not_ok "$name: status"
  dpstats >"$TP_TMP/$name.dplog"
  {
    echo "## metrics"; $NORM metrics "$TP_TMP/$name.metrics"
    echo "## status --json"; $NORM json "$TP_TMP/$name.json"
    echo "## status"; $NORM status "$TP_TMP/$name.status"
    echo "## dp statistics"; $NORM dpstats "$TP_TMP/$name.dplog"
  } >"$out"
  tp_check "$name: cp stops" tp_cp_stop
  tp_check "$name: dp stops cleanly" tp_dp_stop
  rm -f "/dev/shm/$TP_ID"       # (sized for this run's workers)
  if [ -n "${TP_GOLDEN_UPDATE:-}" ]; then
    cp "$out" "$GOLDEN/counters_$name.txt"
    echo "# wrote $GOLDEN/counters_$name.txt"
  fi
  if diff -u "$GOLDEN/counters_$name.txt" "$out" >"$TP_TMP/$name.diff"; then
    tp_ok "$name: every counter's name, label, HELP and key as golden/counters_$name.txt ($(wc -l <"$out") lines)"
  else
    tp_not_ok "$name: the counters' names differ from golden/counters_$name.txt"
    head -n 80 "$TP_TMP/$name.diff" | sed 's/^/# /'
  fi
}

tp_write_conf "$TP_TMP/full.conf" "0, 1" "" "" "" \
  "$(tp_turn_groups "metrics = \"$maddr\";" "listen_tls = [5349];")
tls = { certificate = \"$TP_TMP/cert.pem\"; private_key = \"$TP_TMP/key.pem\"; };
agw = { ports = [20000, 21999]; max_contexts = 16; media_ports = [30000, 30999]; media_contexts = 16; };
ng = { listen = \"127.0.0.1:$((24000 + $$ % 1000))\"; allow = [\"127.0.0.1\"]; };"
run full
tp_check "full: the scrape has the TCP, TLS, TLS keys, splice, agw and tcprelay counters" \
  python3 - "$TP_TMP/full.metrics" <<'PY'
import re, sys
ev = set(re.findall(r'event="(\w+)"', open(sys.argv[1]).read()))
for n in ['segments_in', 'close_reset', 'turn_accepted', 'tlskeys_psk_found', 'tls_handshakes',
          'splice_bytes_in', 'splice_leg_end_fin', 'agw_contexts_added', 'agw_contexts',
          'tcprelay_connects', 'tcprelay_budget_peak_mbufs']:
    assert n in ev, n
PY
tp_check "full: status --json has the TLS counters and certificate expiry, and agw" \
  python3 - "$TP_TMP/full.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d['workers'][1]['dp']['tls']
assert 'handshakes' in t and t['certificate_not_after'] > 0, t
assert 'contexts' in d['agw'], d.get('agw')
PY

tp_write_conf "$TP_TMP/plain.conf" "0" "" "" "" \
  "$(tp_turn_groups "metrics = \"$maddr\";" "listen_tcp = [];")"
run plain
[ $TP_FAILS -eq 0 ]
