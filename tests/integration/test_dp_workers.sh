#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# With two workers, every UDP flow is handled by the worker that owns it:
# the diagnostic echo answers "worker N: ..." and all datagrams of one flow
# must name the same worker, both workers must own some flows, and the
# counters must show datagrams handed over between them (net_tap spreads
# packets over its queues by the kernel's own hash, not by ours).
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init

tp_write_conf "$TP_TMP/dp.conf" "0, 1" "diag_echo_port = 7;"
tp_dp_start "$TP_TMP/dp.conf"
tp_check "dp reports 2 workers" grep -q 'running 2 worker(s)' "$TP_DP_LOG"

flows() {
  ip netns exec "$TP_NS_C" python3 - "$1" <<'PY'
import socket, sys, collections
dst = sys.argv[1]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
owners = collections.defaultdict(set)
lost = 0
for flow in range(48):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.bind(("", 20000 + flow))
    for i in range(4):
        s.sendto(b"flow %d msg %d" % (flow, i), (dst, 7))
        try:
            data, _ = s.recvfrom(2048)
        except socket.timeout:
            lost += 1
            continue
        head, _, body = data.partition(b": ")
        if body != b"flow %d msg %d" % (flow, i):
            sys.exit("flow %d: echo carried the wrong payload: %r" % (flow, data))
        owners[flow].add(head.decode())
    s.close()
split = [f for f, w in owners.items() if len(w) > 1]
workers = set().union(*owners.values()) if owners else set()
print("flows=%d lost=%d split=%d workers=%s" % (len(owners), lost, len(split), sorted(workers)))
sys.exit(0 if lost == 0 and not split and len(workers) == 2 else 1)
PY
}
tp_check "IPv4 flows: each handled by one worker, both workers used" flows 10.210.0.1
tp_check "IPv6 flows: each handled by one worker, both workers used" flows fd00:210::1

w0=$(tp_stats worker=0)
w1=$(tp_stats worker=1)
ho=$(( $(tp_stat "$w0" handoff_out) + $(tp_stat "$w1" handoff_out) ))
hi=$(( $(tp_stat "$w0" handoff_in) + $(tp_stat "$w1" handoff_in) ))
u0=$(tp_stat "$w0" udp_in); u1=$(tp_stat "$w1" udp_in)
echo "# worker0 udp_in=$u0 worker1 udp_in=$u1 handoff_out=$ho handoff_in=$hi"
tp_check "both workers delivered datagrams ($u0, $u1)" test "$u0" -gt 0 -a "$u1" -gt 0
tp_check "all 384 datagrams delivered once" test $((u0 + u1)) -eq 384
tp_check "datagrams were handed to their owner ($ho out, $hi in)" test "$ho" -gt 0 -a "$ho" -eq "$hi"
tp_check "SIGTERM stops dp with status 0" tp_dp_stop

[ $TP_FAILS -eq 0 ]
