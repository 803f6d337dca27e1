#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A real browser through turnpike: headless Chromium (Debian's chromium,
# chromium-driver, python3-selenium) in the clients' namespace, relay-only
# (iceTransportPolicy "relay"), so that all of its media and data go
# through the TURN server. lib/webrtc/browser.py drives each case and
# prints what getStats() saw.
#  1. Chromium calls an aiortc peer (python3-aiortc, host candidates only)
#     in the peers' namespace: a canvas video track and 200 data-channel
#     messages; the selected pair's local candidate is a relay one, every
#     message comes back, aiortc decodes >= 30 frames.
#  2. Two relay-only peer connections in one page on the same TURN server:
#     the relay-relay pair is selected, media and data flow (the server
#     relays between two of its own relayed addresses).
#  3. Both over TURN/TCP (?transport=tcp): skipped, with the reason, while
#     the server has no TURN over TCP.
# TP_TURN_SERVER=coturn runs the same cases against coturn's turnserver
# (lib/turn_server_env.sh): a check of the test itself.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/turn_server_env.sh"
tp_env_init
# Debian's interpreter: its python3-selenium and python3-aiortc, whatever
# python3 comes first in PATH.
PY=/usr/bin/python3
[ -x /usr/lib/chromium/chromium ] || tp_die "chromium missing (tools/bootstrap installs it)"
[ -x /usr/bin/chromedriver ] || tp_die "chromedriver missing (tools/bootstrap installs chromium-driver)"
$PY -c 'import selenium' 2>/dev/null || tp_die "python3-selenium missing (tools/bootstrap installs it)"
$PY -c 'import aiortc' 2>/dev/null || tp_die "python3-aiortc missing (tools/bootstrap installs it)"

start=$SECONDS
tw_server_start
echo "# [$((SECONDS - start)) s] TURN server up"

# webrtc_case NAME ARGS...: one browser.py run in the clients' namespace;
# it prints its own "ok"/"not ok" line.
n=0
webrtc_case() {
  local name=$1; shift
  n=$((n + 1))
  ip netns exec "$TP_NS_C" timeout 60 $PY "$HERE/lib/webrtc/browser.py" \
    --name "$name" --logdir "$TP_TMP/case$n" "$@"
  local rc=$?
  [ $rc -eq 0 ] || TP_FAILS=$((TP_FAILS + 1))
  [ $rc -eq 0 ] || [ $rc -eq 1 ] || echo "not ok - $name: browser.py exited with $rc"
  echo "# [$((SECONDS - start)) s] done: $name"
}

for transport in udp tcp; do
  url="turn:10.210.0.1:3478?transport=$transport"
  c1="relay-only Chromium calls aiortc through TURN/${transport^^}: video and data"
  c2="two relay-only peer connections on one TURN server (TURN/${transport^^}): relay-relay pair"
  if [ "$transport" = tcp ] && [ "$TW_TCP" != 1 ]; then
    echo "ok - $c1 # SKIP TURN over TCP not implemented yet"
    echo "ok - $c2 # SKIP TURN over TCP not implemented yet"
    continue
  fi
  webrtc_case "$c1" --case aiortc --turn "$url" --peer-ns "$TP_NS_P" --messages 200 --frames 30
  if [ "$TW_SERVER" = turnpike ] && [ "$transport" = udp ]; then
    # The call's packets were turnpike-dp's to relay: its own counters.
    st=$(tp_stats "turn worker=0")
    to_peer=$(tp_stat "$st" bytes_to_peer); to_client=$(tp_stat "$st" bytes_to_client)
    tp_check "turnpike-dp relayed the call: $to_peer bytes to the peer, $to_client to the client" \
      test "$to_peer" -gt 50000 -a "$to_client" -gt 40000
  fi
  if [ "$TW_SERVER" = turnpike ] && [ "$transport" = tcp ]; then
    # ... and over TCP, through dp's own TCP stack.
    st=$(tp_stats "tcp_turn worker=0")
    tp_check "turnpike-dp took the call over TCP: $(tp_stat "$st" accepted) connection(s), $(tp_stat "$st" chdata_frames) ChannelData frames" \
      test "$(tp_stat "$st" accepted)" -ge 1 -a "$(tp_stat "$st" chdata_frames)" -gt 100
  fi
  webrtc_case "$c2" --case loopback --turn "$url" --messages 200 --frames 30
done

if [ "$TW_SERVER" = turnpike ]; then
  tp_check "cp stops cleanly" tp_cp_stop
  tp_check "dp stops cleanly" tp_dp_stop
fi
echo "# [$((SECONDS - start)) s] all cases run, $TP_FAILS failed"
[ $TP_FAILS -eq 0 ]
