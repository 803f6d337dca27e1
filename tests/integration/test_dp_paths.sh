#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The less travelled paths of dp's network core: an access port tagged
# with VLAN 100 (untagged frames dropped and counted), UDP checksums
# computed in software on a core port told not to offload them (the kernel
# drops a datagram whose checksum is wrong, so an answer proves it right),
# and a reply to a host beyond the core port's default gateway.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
RAW="python3 $(dirname "$0")/lib/rawsend.py"

tp_write_conf "$TP_TMP/dp.conf" "0" "diag_echo_port = 7;" \
  'vlan = 100;' 'gateway4 = "10.211.0.2"; tx_checksum_offload = false;'
tp_dp_start "$TP_TMP/dp.conf"
tp_check "dp reports software checksums on the core port" \
  grep -q "port 'core' up: .*software checksums" "$TP_DP_LOG"

C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
# This kernel has no 8021q module, so the clients' side speaks VLAN 100 in
# raw frames (lib/vlanprobe.py).
ip -n "$TP_NS_C" addr flush dev "$TP_IF_A"
tp_check "tagged ARP and ICMP echo are answered with the same tag" \
  $C python3 "$(dirname "$0")/lib/vlanprobe.py" "$TP_IF_A" "$TP_MAC_A" 100
before=$(tp_stats)
$C $RAW "$TP_IF_A" "$TP_MAC_A" ip4-echo 4
sleep 0.3
after=$(tp_stats)
d=$(( $(tp_stat "$after" drop_vlan_mismatch) - $(tp_stat "$before" drop_vlan_mismatch) ))
tp_check "untagged frames on a tagged port are dropped and counted ($d)" test "$d" -ge 4

echo_from() {  # NS SRC DST: one datagram to the diagnostic echo, answer expected
  ip netns exec "$1" python3 - "$2" "$3" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.settimeout(2)
s.sendto(b"hello", (sys.argv[2], 7))
data, _ = s.recvfrom(100)
sys.exit(0 if data.endswith(b": hello") else 1)
PY
}

# A host beyond the gateway: 10.212.0.2 lives on the peers' loopback and
# is reached through the gateway 10.211.0.2 (the peers' tap address).
ip -n "$TP_NS_P" addr add 10.212.0.2/32 dev lo
ip -n "$TP_NS_P" route add 10.211.0.1/32 dev "$TP_IF_K" 2>/dev/null
tp_check "UDP answer with a software checksum is accepted by the kernel" \
  echo_from "$TP_NS_P" 10.211.0.2 10.211.0.1
tp_check "an answer to a host beyond the default gateway arrives" \
  echo_from "$TP_NS_P" 10.212.0.2 10.211.0.1
tp_check "... after dp resolved the gateway, not the host" \
  bash -c "ip -n $TP_NS_P neigh show 10.211.0.1 | grep -qi '$TP_MAC_K'"

tp_check "SIGTERM stops dp with status 0" tp_dp_stop
[ $TP_FAILS -eq 0 ]
