#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# turnpike-dp's network core with one worker on two net_tap ports whose
# kernel sides live in two namespaces (clients, peers): ARP and ND both
# ways, ICMP and ICMPv6 echo, ICMP port unreachable for a closed UDP port,
# malformed IPv4/IPv6 packets dropped and counted while dp keeps answering,
# statistics on SIGUSR1 and a clean stop on SIGTERM.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
RAW="python3 $(dirname "$0")/lib/rawsend.py"

tp_write_conf "$TP_TMP/dp.conf" "0" "icmp_rate_per_s = 1000; neigh_reachable_s = 1;"
tp_dp_start "$TP_TMP/dp.conf"
C="ip netns exec $TP_NS_C"
mac_seen() { ip -n "$1" neigh show "$2" | grep -qi "lladdr $3"; }
P="ip netns exec $TP_NS_P"

tp_check "ping from clients to dp's access address" $C ping -c 3 -i 0.2 -W 2 -q 10.210.0.1
tp_check "ping -6 from clients to dp's access address" $C ping -6 -c 3 -i 0.2 -W 2 -q fd00:210::1
tp_check "clients learnt dp's MAC ($TP_MAC_A) for 10.210.0.1" mac_seen "$TP_NS_C" 10.210.0.1 "$TP_MAC_A"
tp_check "clients learnt dp's MAC for fd00:210::1" mac_seen "$TP_NS_C" fd00:210::1 "$TP_MAC_A"
# dp resolving by itself: the peers know dp's MAC statically and never ask,
# so dp must resolve them (ARP request / NS) before it can answer.
ip -n "$TP_NS_P" neigh replace 10.211.0.1 lladdr "$TP_MAC_K" dev "$TP_IF_K" nud permanent
ip -n "$TP_NS_P" -6 neigh replace fd00:211::1 lladdr "$TP_MAC_K" dev "$TP_IF_K" nud permanent
before=$(tp_stats)
tp_check "ping from peers that never ARP for dp" $P ping -c 2 -i 0.2 -W 2 -q 10.211.0.1
tp_check "ping -6 from peers that never solicit dp" $P ping -6 -c 2 -i 0.2 -W 2 -q fd00:211::1
after=$(tp_stats)
arp_tx=$(( $(tp_stat "$after" arp_request_tx) - $(tp_stat "$before" arp_request_tx) ))
ns_tx=$(( $(tp_stat "$after" ns_tx) - $(tp_stat "$before" ns_tx) ))
queued=$(( $(tp_stat "$after" neigh_queued) - $(tp_stat "$before" neigh_queued) ))
tp_check "dp sent ARP requests to resolve the peer ($arp_tx)" test "$arp_tx" -ge 1
tp_check "dp sent neighbour solicitations to resolve the peer ($ns_tx)" test "$ns_tx" -ge 1
tp_check "dp held the replies while resolving ($queued)" test "$queued" -ge 2

# The cache ages (neigh_reachable_s = 1 here): a later send re-resolves.
sleep 2.5
before=$(tp_stats)
tp_check "ping from peers after the entry went stale" $P ping -c 2 -i 0.3 -W 2 -q 10.211.0.1
after=$(tp_stats)
arp_tx=$(( $(tp_stat "$after" arp_request_tx) - $(tp_stat "$before" arp_request_tx) ))
tp_check "dp re-resolved the stale neighbour ($arp_tx ARP requests)" test "$arp_tx" -ge 1

# A closed UDP port answers ICMP port unreachable (ECONNREFUSED on a
# connected socket), over IPv4 and IPv6.
refused() {
  $C python3 - "$1" "$2" <<'PY'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((sys.argv[1], int(sys.argv[2])))
s.send(b"anyone there?")
try:
    s.recv(100)
except ConnectionRefusedError:
    sys.exit(0)
except socket.timeout:
    sys.exit("timeout: no ICMP port unreachable")
sys.exit("got an answer")
PY
}
tp_check "UDP to a closed port gets ICMP port unreachable" refused 10.210.0.1 9999
tp_check "UDP to a closed port gets ICMPv6 port unreachable" refused fd00:210::1 9999

# Malformed packets are dropped and counted, by reason, and dp goes on.
before=$(tp_stats)
for kind in ip4-bad-csum ip4-bad-len ip4-short-len ip6-bad-len udp-bad-csum; do
  $C $RAW "$TP_IF_A" "$TP_MAC_A" "$kind" 3
done
sleep 0.5
after=$(tp_stats)
delta() { echo $(( $(tp_stat "$after" "$1") - $(tp_stat "$before" "$1") )); }
tp_check "bad IPv4 checksums counted ($(delta drop_ip4_checksum))" test "$(delta drop_ip4_checksum)" -eq 3
tp_check "IPv4 total length beyond the frame counted ($(delta drop_ip4_total_len))" test "$(delta drop_ip4_total_len)" -ge 3
tp_check "IPv4 total length below the header counted" test "$(delta drop_ip4_total_len)" -eq 6
tp_check "IPv6 payload length beyond the frame counted ($(delta drop_ip6_payload_len))" test "$(delta drop_ip6_payload_len)" -eq 3
tp_check "bad UDP checksums counted ($(delta drop_udp_malformed))" test "$(delta drop_udp_malformed)" -eq 3
tp_check "no ICMP echo answered for the broken requests" test "$(delta icmp_echo)" -eq 0
tp_check "dp still answers ping after malformed input" $C ping -c 2 -i 0.2 -W 2 -q 10.210.0.1
tp_check "dp still answers ping -6 after malformed input" $C ping -6 -c 2 -i 0.2 -W 2 -q fd00:210::1

tot=$(tp_stats)
tp_check "statistics carry cycles per packet per stage" grep -q 'cycles_per_pkt_input=' <<<"$tot"
tp_check "SIGTERM stops dp with status 0" tp_dp_stop
tp_check "dp printed final statistics on exit" grep -q 'turnpike-dp: stopping' "$TP_DP_LOG"
tp_check "dp released its tap ports" bash -c "! ip -n $TP_NS_C link show $TP_IF_A >/dev/null 2>&1"

# dp's own accounting of its work (busy cycles) leaves out time its thread
# was off the CPU inside a receive poll: a poll preempted for milliseconds
# returns the packets that queued meanwhile, and its turn is a busy one, but
# those milliseconds were not work (on a loaded machine they were 92% of
# the busy cycles at 20,000 pps). The test hook sleeps 300 ms inside one
# poll 2.5 s after start, while pings arrive every 10 ms; busy polling, as
# on a carrier box.
TP_IDLE_SLEEP=0 tp_write_conf "$TP_TMP/dp-busy.conf" "0"
TP_DP_TEST_POLL_STALL=0:2500:300 tp_dp_start "$TP_TMP/dp-busy.conf"
before=$(tp_stats)
$C ping -c 300 -i 0.01 -W 2 -q 10.210.0.1 >/dev/null
after=$(tp_stats)
hz=$(sed -n 's/.*tsc_hz=\([0-9]*\).*/\1/p' "$TP_DP_LOG" | tail -n 1)
stalls=$(delta stalls); stall_ms=$(( $(delta stall_cycles) * 1000 / hz ))
busy_ms=$(( $(delta busy_cycles) * 1000 / hz ))
tp_check "the hook slept in a receive poll" grep -q 'sleeps in a receive poll' "$TP_DP_LOG"
tp_check "that poll was counted as a stall ($stalls, $stall_ms ms)" \
  test "$stalls" -ge 1 -a "$stall_ms" -ge 250
tp_check "and not as busy time ($busy_ms ms busy)" test "$busy_ms" -lt 100
tp_check "SIGTERM stops the busy-polling dp" tp_dp_stop

[ $TP_FAILS -eq 0 ]
