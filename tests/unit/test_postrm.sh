#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# debian/turnpike.postrm, the script itself, run in a mount namespace of
# its own whose /var/log, /var/spool, /var/lib and /run are empty tmpfs
# (the box's are not touched): `purge` removes what the package and cp
# made, the usage records and their spool included (they hold client
# addresses, and would be a later user's of the same uid), and nothing
# beside them; `remove` removes nothing. getent, deluser and delgroup are
# stand-ins that say what they were asked (the box's users are not
# touched either). Needs root and unshare(1): skipped (77) without them.
set -euo pipefail
SRC=${1:?usage: test_postrm.sh SOURCE_ROOT}
POSTRM=$SRC/debian/turnpike.postrm
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  echo "skipped: needs root and unshare"
  exit 77
fi

unshare --mount --propagation private bash -euo pipefail -s "$POSTRM" <<'INNER'
POSTRM=$1
for d in /var/log /var/spool /var/lib /run; do mount -t tmpfs tmpfs "$d"; done
STUBS=/run/stubs
mkdir -p "$STUBS"
for c in getent deluser delgroup; do
  printf '#!/bin/sh\necho "%s $*" >>/run/calls\n' "$c" >"$STUBS/$c"
  chmod +x "$STUBS/$c"
done
export PATH=$STUBS:$PATH
plant() {
  mkdir -p /var/lib/turnpike /run/turnpike /var/log/turnpike /var/spool/turnpike /var/log/other
  echo db >/var/lib/turnpike/turnpike.db
  echo '{"client":{"address":"10.0.0.1"}}' >/var/log/turnpike/usage.jsonl
  echo old >/var/log/turnpike/usage.jsonl.1
  for f in usage.spool usage.stream usage.pending; do echo x >"/var/spool/turnpike/$f"; done
  echo theirs >/var/log/other/keep.log
  echo theirs >/var/log/syslog
}
fail=0
check() {   # check WHAT TEST...
  local what=$1; shift
  if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fail=1; fi
}
plant
sh "$POSTRM" remove
check "remove: the records stay" test -s /var/log/turnpike/usage.jsonl
check "remove: the spool stays" test -s /var/spool/turnpike/usage.spool
sh "$POSTRM" purge
check "purge: the user store is gone" test ! -e /var/lib/turnpike
check "purge: the runtime folder is gone" test ! -e /run/turnpike
check "purge: the usage records are gone (rotated ones too)" test ! -e /var/log/turnpike
check "purge: the spool is gone" test ! -e /var/spool/turnpike
check "purge: another's logs stay" test -s /var/log/other/keep.log -a -s /var/log/syslog
check "purge: the user and group removed" grep -q "^deluser --system --quiet turnpike" /run/calls
exit $fail
INNER
