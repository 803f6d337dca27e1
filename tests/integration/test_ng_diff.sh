#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cp/ng against rtpengine, request for request: the same sequences (every
# command and flag of cp/ng/FEATURE.md's table, the error cases included:
# lib/ng_diff.py's SCENARIOS) go to turnpike's ng door and to Debian's
# rtpengine-daemon, and each pair of replies is compared key by key (the
# result, a warning present, an error-reason present, the other keys, the
# SDP's structure). Every difference must be a row of FEATURE.md's
# "Intended differences from rtpengine", with its reason; a row no
# difference needs is stale; a name of FEATURE.md's table that no scenario
# sends is uncovered. Each fails the test.
#   turnpike: turnpike-dp on taps, turnpike-cp's ng door on loopback;
#   rtpengine: in a namespace of its own, its interfaces access and core
#   on links of it (veth pairs within it) with dp's addresses (no media
#   is sent), ng on that
#   namespace's loopback (lib/ng_diff.py sends from a socket made there).
# NG_DIFF_ONLY=PATTERN: those scenarios only; NG_DIFF_DUMP=1: every reply.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/rtpengine_env.sh"
tp_env_init
start=$SECONDS
NG_PORT=$((44000 + $$ % 3000))
RTPE_NS=${TP_ID}r
diff_cleanup() {
  local rc=$?
  rtpe_cleanup
  (exit $rc)
  tp_cleanup
}
trap diff_cleanup EXIT

# rtpengine first (it starts in a second, dp in several)
ip netns add "$RTPE_NS" || tp_die "cannot make the namespace"
ip -n "$RTPE_NS" link set lo up
ip -n "$RTPE_NS" link add acc0 type veth peer name acc1 &&
  ip -n "$RTPE_NS" link add cor0 type veth peer name cor1 || tp_die "cannot make the links"
ip -n "$RTPE_NS" addr add 10.210.0.1/24 dev acc0
ip -n "$RTPE_NS" addr add fd00:210::1/64 dev acc0 nodad
ip -n "$RTPE_NS" addr add 10.211.0.1/24 dev cor0
ip -n "$RTPE_NS" addr add fd00:211::1/64 dev cor0 nodad
for l in acc0 acc1 cor0 cor1; do ip -n "$RTPE_NS" link set $l up; done
rtpe_start --interface=access/10.210.0.1 --interface=access/fd00:210::1 \
  --interface=core/10.211.0.1 --interface=core/fd00:211::1 \
  --listen-ng=127.0.0.1:$NG_PORT --port-min=40000 --port-max=40999

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 256; };
ng = { listen = \"127.0.0.1:$NG_PORT\"; allow = [\"127.0.0.1/32\"]; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_ctl ready --wait 20 >/dev/null || tp_die "turnpike-cp and dp not ready"
echo "# turnpike and rtpengine up in $((SECONDS - start)) s"

python3 "$HERE/lib/ng_diff.py" --turnpike 127.0.0.1:$NG_PORT --rtpengine 127.0.0.1:$NG_PORT \
  --netns "$RTPE_NS" --feature "$TP_SRC/cp/ng/FEATURE.md" --only "${NG_DIFF_ONLY:-*}" \
  ${NG_DIFF_DUMP:+--dump} >"$TP_TMP/diff.out" 2>&1
grep '^#' "$TP_TMP/diff.out"
tail -n 1 "$TP_TMP/diff.out" >"$TP_TMP/diff.json"
dj() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$TP_TMP/diff.json" ||
  { grep -v '^#' "$TP_TMP/diff.out" | head -c 3000; echo; return 1; }; }
tp_check "every scenario's steps answered by both (more than 150 requests)" dj "d['steps'] > 150"
tp_check "no difference from rtpengine that FEATURE.md does not list" dj "d['unintended'] == []"
tp_check "no row of FEATURE.md's intended differences stale" dj "d['stale'] == []"
tp_check "every name of FEATURE.md's table sent by a scenario" dj "d['uncovered'] == []"
echo "# test_ng_diff: $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
