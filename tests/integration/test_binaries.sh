#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The three binaries answer --help and --version; turnpike-dp brings the
# EAL and a null port up from a configuration file (one lcore, hugepages
# from tools/bootstrap, a private file prefix), stops cleanly on SIGTERM,
# and a bad EAL argument makes it fail with one clear message.
set -uo pipefail
b=${TP_BUILD:?TP_BUILD not set}
fails=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
check()  { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

dp=$b/dp/turnpike-dp cp=$b/cp/turnpike-cp ctl=$b/cp/ctl/turnpikectl
for bin in "$dp" "$cp" "$ctl"; do
  name=$(basename "$bin")
  check "$name --help exits 0 and prints usage" \
    bash -c "'$bin' --help | grep -qi usage"
  check "$name --version prints '$name <version>'" \
    bash -c "'$bin' --version | grep -Eq '^$name [0-9]+\.[0-9]+\.[0-9]+'"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/null.conf" <<CONF
dp = {
  eal = ["-l", "0", "--no-pci", "--in-memory", "--file-prefix", "tp-smoke-$$",
         "--log-level", "lib.eal:warning"];
  workers = [0];
  idle_sleep_max_us = 1000;
  mbufs_per_worker = 2047;
  ports = ({ name = "null"; dev = "net_null0"; roles = ["access", "core"];
             ipv4 = "192.0.2.1/24"; });
};
CONF
"$dp" --config "$tmp/null.conf" > "$tmp/dp.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'turnpike-dp: running' "$tmp/dp.log" && break; sleep 0.1; done
if grep -q "port 'null' up" "$tmp/dp.log" && grep -q 'running 1 worker' "$tmp/dp.log"; then
  ok "turnpike-dp brings the EAL and a null port up from its configuration"
else
  not_ok "turnpike-dp start: $(cat "$tmp/dp.log")"
fi
kill -TERM $pid; wait $pid; rc=$?
if [ $rc -eq 0 ] && grep -q '^total ' "$tmp/dp.log"; then
  ok "turnpike-dp stops on SIGTERM with status 0 and prints statistics"
else
  not_ok "turnpike-dp stop (rc=$rc): $(tail -5 "$tmp/dp.log")"
fi

out=$("$dp" --config "$tmp/null.conf" -- --no-such-eal-option 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q 'cannot initialise the EAL' <<<"$out"; then
  ok "turnpike-dp rejects a bad EAL argument with one clear error"
else
  not_ok "turnpike-dp bad EAL argument (rc=$rc): $out"
fi

check "turnpike-cp refuses an unknown option" \
  bash -c "! '$cp' --bogus 2>/dev/null"

[ $fails -eq 0 ]
