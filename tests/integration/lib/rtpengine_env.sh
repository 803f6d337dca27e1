# SPDX-License-Identifier: BSD-3-Clause
# rtpengine (Debian's rtpengine-daemon, userspace: --table=-1), the
# reference cp/ng is held to, in a network namespace of the test's own
# (test_ng_client.sh, test_ng_diff.sh). Source after dp_env.sh.
#   RTPE_NS=NAME before anything: the namespace (the caller makes it and
#     its links; rtpe_cleanup deletes it, made or not)
#   rtpe_start ARGS...: rtpengine in $RTPE_NS with ARGS (its interfaces,
#     --listen-ng, its ports) beside ours (no kernel table, two threads,
#     deletes at once, foreground, its log in $TP_TMP/rtpengine.log);
#     back once it says "Startup complete" (10 s at most, else the test
#     bails out); sets RTPE_PID
#   rtpe_cleanup: rtpengine ended, its namespace deleted (the test's EXIT
#     trap calls it before tp_cleanup)
RTPE_PID=
RTPE_NS=${RTPE_NS:-}

rtpe_start() {
  command -v rtpengine >/dev/null || tp_die "rtpengine (rtpengine-daemon) is not installed"
  : >"$TP_TMP/rtpengine.log"
  ip netns exec "$RTPE_NS" rtpengine --config-file=none --table=-1 --num-threads=2 \
    --delete-delay=0 --foreground --log-stderr --log-level=6 "$@" \
    >"$TP_TMP/rtpengine.log" 2>&1 &
  RTPE_PID=$!
  for _ in $(seq 100); do
    grep -q "Startup complete" "$TP_TMP/rtpengine.log" && return 0
    kill -0 "$RTPE_PID" 2>/dev/null || { cat "$TP_TMP/rtpengine.log"; tp_die "rtpengine exited"; }
    sleep 0.1
  done
  tp_die "rtpengine did not start in 10 s"
}

rtpe_cleanup() {
  if [ -n "$RTPE_PID" ]; then
    kill -TERM "$RTPE_PID" 2>/dev/null && wait "$RTPE_PID" 2>/dev/null
  fi
  [ -n "$RTPE_NS" ] && ip netns del "$RTPE_NS" 2>/dev/null
  return 0
}
