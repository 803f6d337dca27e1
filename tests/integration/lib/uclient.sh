# SPDX-License-Identifier: BSD-3-Clause
# coturn's turnutils_uclient as a check, for the tests that drive a TURN
# server with it (test_turn_udp.sh, test_turn_tcp.sh,
# test_turn_uclient_c2c.sh). Source after dp_env.sh.

# tp_uclient WHAT TIMEOUT ARGS...: run `turnutils_uclient ARGS` in the
# clients' namespace for at most TIMEOUT s (ARGS name the server, the
# peer and the mode); print its summary, then the verdict: ok when it
# sent messages and every one came back (tot_send_msgs = tot_recv_msgs
# > 0 and "Total lost packets 0"). turnutils_uclient prints that summary
# only when it ran to the end: an error that stops it early (e.g. "channel
# bind: error 403 (Forbidden)") leaves none and is quoted instead.
# TP_UCLIENT_ON_FAIL, when set, names a command run after a failure
# (the caller's own diagnostics).
tp_uclient() {
  local what=$1 secs=$2; shift 2
  local out rc t0=$SECONDS
  out=$(ip netns exec "$TP_NS_C" timeout "$secs" turnutils_uclient "$@" 2>&1)
  rc=$?
  tp_uclient_verdict "$what" "$out" "$rc" "$t0"
}

# tp_uclient_verdict WHAT OUTPUT RC T0: tp_uclient's summary and verdict
# for a run's output and exit code (T0: $SECONDS when it started).
tp_uclient_verdict() {
  local what=$1 out=$2 rc=$3 t0=$4
  echo "$out" | grep -E 'Total (transmit|lost)|tot_send_msgs|tot_recv_msgs|Average round trip' |
    sed 's/^/# /' | tail -n 4
  local sent recv lost
  sent=$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  recv=$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)
  if [ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$recv" ] && [ "${lost:-1}" = 0 ]; then
    tp_ok "$what: $sent sent, $recv received, 0 lost ($((SECONDS - t0)) s)"
    return 0
  fi
  if [ -z "$sent" ]; then
    local errs
    errs=$(grep -iE 'error|fail|cannot' <<<"$out" | sed 's/^[0-9]*: : //' | sort | uniq -c |
           sed 's/^ *\([0-9]*\) \(.*\)/\2 (x\1)/' | head -n 3 | paste -sd ';' -)
    tp_not_ok "$what: no summary, turnutils_uclient exited $rc: ${errs:-no error printed}"
  else
    tp_not_ok "$what: sent=$sent recv=${recv:-?} lost=${lost:-?} (exit $rc)"
  fi
  echo "$out" | tail -n 20 | sed 's/^/#   /'
  if [ -n "${TP_UCLIENT_ON_FAIL:-}" ]; then
    $TP_UCLIENT_ON_FAIL
  fi
  return 1
}

# tp_uclient_bg WHAT TIMEOUT ARGS...: the same run, started in the
# background; tp_uclient_judge waits for every one started and judges
# each, in the order started. For small independent batches: a batch
# takes some 6 s of turnutils_uclient's own pacing whatever its size,
# so three at once cost what one does.
TP_UCLIENT_BG=()
tp_uclient_bg() {
  local what=$1 secs=$2; shift 2
  local f="$TP_TMP/uclient.bg.${#TP_UCLIENT_BG[@]}"
  ( ip netns exec "$TP_NS_C" timeout "$secs" turnutils_uclient "$@" >"$f.out" 2>&1
    echo $? >"$f.rc" ) &
  TP_UCLIENT_BG+=("$!|$f|$SECONDS|$what")
}
tp_uclient_judge() {
  local e pid f t0 what rc=0
  for e in "${TP_UCLIENT_BG[@]}"; do
    IFS='|' read -r pid f t0 what <<<"$e"
    wait "$pid"
    tp_uclient_verdict "$what" "$(cat "$f.out")" "$(cat "$f.rc" 2>/dev/null || echo 255)" \
      "$t0" || rc=1
  done
  TP_UCLIENT_BG=()
  return $rc
}
