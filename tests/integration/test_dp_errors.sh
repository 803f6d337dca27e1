#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# turnpike-dp fails with one clear error for each thing an operator can
# get wrong: a bad configuration line (file:line: why), a port whose
# device cannot be opened, a worker lcore outside the EAL core list, and
# two instances on one file prefix; --check validates without starting.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init

expect_fail() {  # WHAT PATTERN CONF
  local out rc
  out=$("$TP_DP" --config "$3" 2>&1); rc=$?
  if [ $rc -ne 0 ] && grep -Eq "$2" <<<"$out"; then
    tp_ok "$1"
  else
    tp_not_ok "$1 (rc=$rc): $out"
  fi
}

tp_write_conf "$TP_TMP/good.conf" "0" ""
tp_check "--check accepts a good file" "$TP_DP" --config "$TP_TMP/good.conf" --check

sed 's|ipv4 = "10.210.0.1/24"|ipv4 = "10.210.0.1/33"|' "$TP_TMP/good.conf" > "$TP_TMP/badprefix.conf"
line=$(grep -n '10.210.0.1/33' "$TP_TMP/badprefix.conf" | cut -d: -f1)
expect_fail "a bad prefix names file and line" "badprefix.conf:$line: .*10.210.0.1/33" "$TP_TMP/badprefix.conf"

printf 'dp = {\n  workers = [0\n};\n' > "$TP_TMP/syntax.conf"
expect_fail "a syntax error names file and line" "syntax.conf:[0-9]+: " "$TP_TMP/syntax.conf"

expect_fail "a missing file is named" "nonexistent.conf" "$TP_TMP/nonexistent.conf"

sed 's|dev = "net_tap1,iface=[^"]*"|dev = "net_nosuchdriver0"|' "$TP_TMP/good.conf" > "$TP_TMP/badport.conf"
expect_fail "a port that cannot be opened is named" "port 'core'.*net_nosuchdriver0" "$TP_TMP/badport.conf"

sed 's|workers = \[0\];|workers = [0, 1];|' "$TP_TMP/good.conf" > "$TP_TMP/badlcore.conf"
expect_fail "a worker lcore outside the EAL list is named" "worker lcore 1 is not in the EAL core list" "$TP_TMP/badlcore.conf"

tp_dp_start "$TP_TMP/good.conf"
sed -e 's|"--in-memory", ||' -e "s|iface=$TP_IF_A|iface=${TP_ID}x|" -e "s|iface=$TP_IF_K|iface=${TP_ID}y|" \
  "$TP_TMP/good.conf" > "$TP_TMP/second.conf"
# A second instance with its own prefix and taps runs side by side.
sed -i "s|\"$TP_ID\"|\"${TP_ID}b\"|" "$TP_TMP/second.conf"
"$TP_DP" --config "$TP_TMP/second.conf" > "$TP_TMP/second.log" 2>&1 &
second=$!
for _ in $(seq 100); do grep -q 'turnpike-dp: running' "$TP_TMP/second.log" && break; sleep 0.1; done
tp_check "a second dp instance runs beside the first" grep -q 'turnpike-dp: running' "$TP_TMP/second.log"
# A third on the second's prefix collides.
sed -e "s|iface=${TP_ID}x|iface=${TP_ID}v|" -e "s|iface=${TP_ID}y|iface=${TP_ID}w|" \
  "$TP_TMP/second.conf" > "$TP_TMP/third.conf"
expect_fail "a prefix already in use is reported" "file prefix '${TP_ID}b'" "$TP_TMP/third.conf"
kill -TERM "$second"; wait "$second"
tp_check "both instances stop cleanly" tp_dp_stop

[ $TP_FAILS -eq 0 ]
