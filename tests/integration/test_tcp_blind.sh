#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dp/tcp against blind (off-path) senders, the
# kernel's TCP as the real client in the clients' namespace and a raw
# socket beside it forging segments with the client's address
# (lib/tcp_blind.py: IP_HDRINCL to send, AF_PACKET to watch the wire):
#   - RFC 7323 §4.3's order: a forged segment at dp's RCV.NXT with a TSval
#     2^30 ahead and an ACK for data never sent does not become TS.Recent:
#     the client's next data still passes PAWS and comes back;
#   - RFC 5961 §7 per connection: 50 in-window RSTs in a burst, twice,
#     get at most two challenge ACKs a burst (dp.tcp: 500 ms a
#     connection), not one each;
#   - 300 SYNs with the client's own address as source (a CGNAT address:
#     the SYN-ACKs to them dropped, as the CGNAT would) while
#     turn.tcp_per_source is 8: the real client still connects and echoes
#     (half-open connections do not count against their source).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
C="ip netns exec $TP_NS_C"
B="python3 $HERE/lib/tcp_blind.py"

tp_write_conf "$TP_TMP/dp.conf" "0" "diag_tcp_echo_port = 7;" "" "" \
  "$(tp_turn_groups "" "tcp_per_source = 8;")"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
$C ping -c 2 -i 0.1 -W 1 -q 10.210.0.1 >/dev/null
tcp() { tp_stat "$(tp_stats "tcp worker=0")" "$1"; }

# PAWS injection
$C $B paws "$TP_IF_A" 10.210.0.1 7 >"$TP_TMP/paws.out" 2>&1
echo "# paws: $(cat "$TP_TMP/paws.out")"
tp_check "a forged segment with a TSval far ahead and a bad ACK does not shut the client out (PAWS drops: $(tcp drop_paws))" \
  test "$(j "$TP_TMP/paws.out" 'd["before"], d["after"]')" = "True True"

# challenge ACKs per connection
$C $B chack "$TP_IF_A" 10.210.0.1 7 50 >"$TP_TMP/chack.out" 2>&1
echo "# chack: $(cat "$TP_TMP/chack.out"); challenge_acks=$(tcp challenge_acks) challenge_acks_limited=$(tcp challenge_acks_limited)"
tp_check "50 in-window RSTs a burst: at least one challenge ACK and at most two a burst, the connection alive" \
  test "$(j "$TP_TMP/chack.out" 'all(1 <= b["acks"] <= 2 for b in d["bursts"]), d["before"], d["after"]')" = "True True True"

# SYN flood with the client's address as source; the SYN-ACKs to the
# flood's ports never reach the client's kernel (else it would reset
# them), as behind a CGNAT. The flood's ports are below the kernel's
# ephemeral range (32768-60999): the victim's own port is never one of
# them, so its SYN-ACK is never dropped with theirs.
ip netns exec "$TP_NS_C" nft -f - <<NFT || tp_die "nft failed"
table inet blind {
  chain in { type filter hook input priority 0; tcp dport 20000-20999 drop; }
}
NFT
$C $B flood "$TP_IF_A" 10.210.0.2 10.210.0.1 7 300 >"$TP_TMP/flood.out" 2>&1
echo "# flood: $(cat "$TP_TMP/flood.out"); drop_per_source_limit=$(tcp drop_per_source_limit) syn_cookies_sent=$(tcp syn_cookies_sent)"
tp_check "300 SYNs forged with the client's address (turn.tcp_per_source 8): the client still connects and echoes" \
  test "$(j "$TP_TMP/flood.out" 'd["victim_echo"]')" = "True"

[ $TP_FAILS -eq 0 ]
