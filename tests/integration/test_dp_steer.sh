#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Steering on the NIC, what this machine can show of it.
# Each port's start line says which steering it got, and the statistics
# agree with it (rules installed + refused = rules wanted).
# - net_tap, 2 workers, relayed addresses on 'core': no RSS (dp leaves
#   net_tap's eBPF RSS alone); the relay rte_flow rules are tried: where
#   the PMD takes them every one is installed and no peer datagram to a
#   relayed port is handed between workers; where it refuses (this
#   machine's kernel has no multiq qdisc, flower or skbedit; net_tap takes
#   neither item ranges (refused at validate) nor partial port masks
#   (validated, refused at create)) the refusal is counted and peer
#   datagrams that
#   the kernel put on the other worker's queue are handed over, counted as
#   relay_handoff. The shares dp prints are lib/steer's.
# - net_null, 2 workers: a PMD with RSS and a RETA: dp programs the RETA
#   evenly over the 2 queues and reads it back; net_null has no rte_flow,
#   so the relay rules are refused and counted.
# What needs a real multi-queue NIC (rules accepted, traffic on them) is
# not here.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init

steer_line() { sed -n "s/^turnpike-dp: port '$1' steering: //p" "$TP_DP_LOG"; }
consistent() {  # port line: installed + refused == wanted, wanted as expected
  local l=$1 want=$2
  local r w f
  r=$(tp_stat "$l" flow_rules); w=$(tp_stat "$l" flow_rules_wanted); f=$(tp_stat "$l" flow_refused)
  echo "# $l"
  [ $((r + f)) -eq "$w" ] && [ "$w" -eq "$want" ] && { [ "$r" -eq 0 ] || [ "$f" -eq 0 ]; }
}

# ---- net_tap ----
tp_write_conf "$TP_TMP/dp.conf" "0, 1" "" "" "" "$(tp_turn_groups)"
tp_dp_start "$TP_TMP/dp.conf"
acc=$(steer_line access); core=$(steer_line core)
echo "# access: $acc"; echo "# core: $core"
tp_check "access port (no relayed addresses): 'no rss, software flow hand-off', no rules" \
  test "$acc" = "no rss, software flow hand-off"
all_or_none() {
  local n m
  n=$(sed -n 's/.*rte_flow relay rules \([0-9]*\)\/\([0-9]*\) .*/\1/p' <<<"$1")
  m=$(sed -n 's/.*rte_flow relay rules \([0-9]*\)\/\([0-9]*\) .*/\2/p' <<<"$1")
  [ -n "$n" ] && [ "$m" -gt 0 ] || return 1
  case $1 in
    "no rss, software flow hand-off, rte_flow relay rules $m/$m (udp dst port "*) return 0 ;;
    "no rss, software flow hand-off, rte_flow relay rules 0/$m ("*"), relayed ports by software hand-off") return 0 ;;
  esac
  return 1
}
tp_check "core port: relay rules all installed or all refused (and the hand-off said)" \
  all_or_none "$core"
shares=$(sed -n 's/^turnpike-dp: relay port shares: //p' "$TP_DP_LOG")
tp_check "shares of 50000-50999 over 2 workers ($shares)" \
  test "$shares" = "worker 0 50000-50499, worker 1 50500-50999"
pc=$(tp_stats port=core)
# two shares x two families: 4 ranges, or 15 prefix blocks x 2
if grep -q "ranges)" <<<"$core"; then want=4; else want=30; fi
tp_check "core port statistics agree with the start line" consistent "$pc" "$want"
tp_check "access port wants no rules" consistent "$(tp_stats port=access)" 0

# Peer datagrams to relayed ports of both shares, 64 flows (no allocation:
# dp drops them after steering; what counts here is where they went).
before=$(( $(tp_stat "$(tp_stats worker=0)" relay_handoff) + $(tp_stat "$(tp_stats worker=1)" relay_handoff) ))
ip netns exec "$TP_NS_P" python3 - <<'PY'
import socket
for i in range(64):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", 30000 + i))
    s.sendto(b"peer", ("10.211.0.1", 50000 + 15 * i))
    s.close()
PY
sleep 0.5
w0=$(tp_stats worker=0); w1=$(tp_stats worker=1)
rh=$(( $(tp_stat "$w0" relay_handoff) + $(tp_stat "$w1" relay_handoff) - before ))
echo "# relay_handoff=$rh of 64"
if [ "$(tp_stat "$pc" flow_rules)" -gt 0 ]; then
  tp_check "rules installed: no peer datagram handed over ($rh)" test "$rh" -eq 0
else
  tp_check "rules refused: peer datagrams on the wrong queue handed over and counted ($rh)" \
    test "$rh" -gt 0 -a "$rh" -le 64
fi
tp_check "SIGTERM stops dp with status 0" tp_dp_stop

# ---- net_null: RSS with a RETA ----
cat > "$TP_TMP/null.conf" <<CONF
dp = {
  eal = ["-l", "0,1", "--no-pci", "--in-memory", "--file-prefix", "${TP_ID}n",
         "--log-level", "lib.eal:warning"];
  workers = [0, 1];
  idle_sleep_max_us = 1000;
  mbufs_per_worker = 2047;
  ports = ({ name = "null"; dev = "net_null0"; roles = ["access", "core"];
             ipv4 = "192.0.2.1/24"; ipv6 = "2001:db8::1/64"; });
};
$(tp_turn_groups)
CONF
TP_DP_LOG=$TP_TMP/dp-null.log
"$TP_DP" --config "$TP_TMP/null.conf" >"$TP_DP_LOG" 2>&1 &
TP_DP_PID=$!
for _ in $(seq 100); do grep -q 'turnpike-dp: running' "$TP_DP_LOG" && break; sleep 0.1; done
nl=$(steer_line null)
echo "# null: $nl"
tp_check "net_null: RETA programmed evenly over 2 queues and read back" \
  grep -Eq "^rss reta [0-9]+ entries over 2 queues, programmed and verified," <<<"$nl"
tp_check "net_null: no rte_flow, relay rules refused, software hand-off" \
  grep -Eq ", rte_flow relay rules 0/30 \(.*\), relayed ports by software hand-off$" <<<"$nl"
np=$(tp_stats port=null)
tp_check "net_null statistics: rss=1, the RETA's size, 30 refused" \
  eval 'consistent "$np" 30 && [ "$(tp_stat "$np" rss)" -eq 1 ] &&
        [ "$(tp_stat "$np" reta_size)" -gt 0 ] && [ "$(tp_stat "$np" flow_refused)" -eq 30 ]'
tp_check "SIGTERM stops dp with status 0" tp_dp_stop

[ $TP_FAILS -eq 0 ]
