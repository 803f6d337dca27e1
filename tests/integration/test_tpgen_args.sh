#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The load generator's --steer (dp's worker count, for the queue of each
# frame): a worker count it cannot share the relay ports among (0, -1,
# more than dp can have, not a number) is refused with one clear message
# naming the option and exit status 2, never a crash (--steer -1 would
# divide by zero); a good one starts (null port, raw mode) and quits.
set -uo pipefail
b=${TP_BUILD:?TP_BUILD not set}
fails=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
check()  { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
[ "$(id -u)" -eq 0 ] || { echo "Bail out! needs root (hugepages)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen() {
  echo quit | timeout 30 "$b/perf/tpgen" -l 0 --no-pci --in-memory \
    --file-prefix "tpgen-args-$$" --log-level lib.eal:error --vdev net_null0 \
    -- --raw --relay-ports 50000-50999 "$@" >"$tmp/out" 2>&1
}
refused() {
  gen --steer "$1"
  local rc=$?
  [ $rc -eq 2 ] && grep -q -- "--steer wants dp's worker count" "$tmp/out" ||
    { echo "# --steer $1: exit $rc"; sed 's/^/#   /' "$tmp/out" | head -5; return 1; }
}
for v in 0 -1 65 4294967297 two ""; do
  check "--steer '$v' is refused with a clear message" refused "$v"
done
started() {
  gen --steer "$1" --queues 2
  local rc=$?
  [ $rc -eq 0 ] && grep -q '"ready":true' "$tmp/out" ||
    { echo "# --steer $1: exit $rc"; sed 's/^/#   /' "$tmp/out" | head -5; return 1; }
}
for v in 1 2 64; do
  check "--steer $v starts and quits" started "$v"
done
[ $fails -eq 0 ]
