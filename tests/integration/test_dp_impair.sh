#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The impairment stage: with 20% loss on the access port's receive side,
# about 20% of 1000 pings are lost (wide tolerance: 12%..28%), the drops
# are counted as impair_loss, and with the stage off nothing is lost.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init

tp_write_conf "$TP_TMP/dp.conf" "0" "" \
  'impair = { loss = 0.2; seed = 42; direction = "rx"; };'
tp_dp_start "$TP_TMP/dp.conf"
C="ip netns exec $TP_NS_C"
# Resolve first so ARP losses do not skew the count.
$C ping -c 5 -i 0.05 -W 1 -q 10.210.0.1 >/dev/null
before=$(tp_stats)
out=$($C ping -c 1000 -i 0.002 -W 1 -q 10.210.0.1)
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
echo "# $(grep 'packet loss' <<<"$out")"
after=$(tp_stats)
dropped=$(( $(tp_stat "$after" drop_impair_loss) - $(tp_stat "$before" drop_impair_loss) ))
tp_check "about 20% of 1000 pings lost (${loss}%)" \
  python3 -c "import sys; sys.exit(0 if 12 <= float('$loss') <= 28 else 1)"
tp_check "dp counted its impairment drops ($dropped)" test "$dropped" -ge 120 -a "$dropped" -le 280
tp_dp_stop

# Duplication and delay, on the transmit side this time.
tp_write_conf "$TP_TMP/dupdelay.conf" "0" "" \
  'impair = { dup = 1.0; delay_us = 40000; seed = 7; direction = "tx"; };'
ip netns del "$TP_NS_C"; ip netns del "$TP_NS_P"
tp_dp_start "$TP_TMP/dupdelay.conf"
out=$(ip netns exec "$TP_NS_C" ping -c 10 -i 0.1 -W 2 10.210.0.1)
dups=$(grep -c 'DUP!' <<<"$out")
rtt=$(sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p' <<<"$out")
echo "# $(tail -n 1 <<<"$out")"
tp_check "every reply duplicated ($dups DUP! of 10)" test "$dups" -ge 9
tp_check "every reply delayed 40 ms (average RTT ${rtt} ms)" \
  python3 -c "import sys; sys.exit(0 if 40 <= float('$rtt') < 200 else 1)"
st=$(tp_stats)
tp_check "duplicates and delays counted" test "$(tp_stat "$st" impair_dup)" -ge 10 -a "$(tp_stat "$st" impair_delayed)" -ge 20
tp_dp_stop

tp_write_conf "$TP_TMP/clean.conf" "0" ""
ip netns del "$TP_NS_C"; ip netns del "$TP_NS_P"
tp_dp_start "$TP_TMP/clean.conf"
# -w, not -W: after its last request ping waits only two round trips for
# the replies still due (iputils; -W is for when none came), so one reply
# that a loaded machine delays by a few ms read as lost (a CI failure with
# dp's 200 replies all sent). With a deadline it waits for all 200.
out=$(ip netns exec "$TP_NS_C" ping -c 200 -i 0.002 -w 20 -q 10.210.0.1)
echo "# $(grep 'packet loss' <<<"$out")"
tp_check "without impairment no ping is lost" grep -q ' 0% packet loss' <<<"$out"
tp_dp_stop

[ $TP_FAILS -eq 0 ]
