#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The three binaries answer --help and --version, and turnpike-dp brings
# the EAL up from its arguments (one lcore, a null vdev, hugepages from
# tools/bootstrap, a private file prefix) and exits cleanly; a bad EAL
# argument makes it fail with one clear message.
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

prefix=tp-smoke-$$
out=$("$dp" -l 0 --no-pci --in-memory --file-prefix "$prefix" \
      --vdev net_null0 --log-level lib.eal:warning 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q 'EAL up, 1 lcore(s), 1 port(s)' <<<"$out"; then
  ok "turnpike-dp initialises the EAL with a null port and exits 0"
else
  not_ok "turnpike-dp EAL bring-up (rc=$rc): $out"
fi

out=$("$dp" -l 0 --no-pci --in-memory --file-prefix "$prefix" \
      --no-such-eal-option 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q 'cannot initialise the EAL' <<<"$out"; then
  ok "turnpike-dp rejects a bad EAL argument with one clear error"
else
  not_ok "turnpike-dp bad EAL argument (rc=$rc): $out"
fi

check "turnpike-cp refuses an unknown option" \
  bash -c "! '$cp' --bogus 2>/dev/null"

[ $fails -eq 0 ]
