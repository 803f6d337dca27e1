#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# turnpikectl fingerprint and aka-token, end to end, against the openssl
# command as the reference: the RFC 8122 fingerprint of an EC and an RSA
# certificate with each hash (openssl x509 -fingerprint), and the
# AKA-asserted server-certificate token, HMAC-SHA1-96 keyed with IK over
# the certificate's DER (openssl dgst -sha1 -mac HMAC -macopt hexkey:IK,
# its first 24 hex digits); --verify's exit 0/1 for the token, a token one
# bit off, another IK, another certificate; IK from standard input; the
# JSON forms; the error contract (1 usage, 2 not a certificate); bash
# completion offers the commands and their options.
#
# Env: TP_BUILD (build root), TP_SRC (source root). TAP-style lines; exits
# non-zero if any check failed.
set -euo pipefail

: "${TP_BUILD:?TP_BUILD must point at the build root}"
: "${TP_SRC:?TP_SRC must point at the source root}"
BIN=$TP_BUILD/cp/ctl/turnpikectl
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ERRF=$TMP/stderr

npass=0
nfail=0
ok() { echo "ok - $1"; npass=$((npass + 1)); }
not_ok() {
	echo "not ok - $1"
	nfail=$((nfail + 1))
	echo "#   rc=$RC stdout: $OUT"
	sed 's/^/#   stderr: /' "$ERRF"
}
# ctl [--stdin TEXT] ARGS...: sets OUT and RC.
ctl() {
	if [[ ${1-} == --stdin ]]; then
		local input=$2
		shift 2
		OUT=$(printf '%s\n' "$input" | "$BIN" "$@" 2>"$ERRF") && RC=0 || RC=$?
	else
		OUT=$("$BIN" "$@" </dev/null 2>"$ERRF") && RC=0 || RC=$?
	fi
}
# expect DESC RC [STDOUT]: the last run exited RC (and printed STDOUT).
expect() {
	if [[ $RC -eq $2 && ( $# -lt 3 || $OUT == "$3" ) ]]; then
		ok "$1"
	else
		not_ok "$1${3:+ (want '$3')}"
	fi
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=pcscf.test -keyout "$TMP/ec.key" -out "$TMP/ec.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pcscf.test \
	-keyout "$TMP/rsa.key" -out "$TMP/rsa.pem" 2>/dev/null
# a chain file: the end-entity certificate first, then another
cat "$TMP/ec.pem" "$TMP/rsa.pem" >"$TMP/chain.pem"

# ---- fingerprint ----
for cert in ec rsa; do
	for md in sha1 sha256 sha384 sha512; do
		alg=sha-${md#sha}
		want="$alg $(openssl x509 -in "$TMP/$cert.pem" -noout -fingerprint -"$md" | cut -d= -f2)"
		ctl fingerprint --cert "$TMP/$cert.pem" --alg "$alg"
		expect "fingerprint $cert $alg is openssl x509 -fingerprint -$md's" 0 "$want"
	done
done
want="sha-256 $(openssl x509 -in "$TMP/ec.pem" -noout -fingerprint -sha256 | cut -d= -f2)"
ctl fingerprint --cert "$TMP/ec.pem"
expect "fingerprint: sha-256 by default" 0 "$want"
ctl fingerprint --cert "$TMP/chain.pem" --alg SHA-256
expect "fingerprint of a chain file: its first certificate (hash name in any case)" 0 "$want"
ctl fingerprint --cert "$TMP/ec.pem" --json
expect "fingerprint --json" 0 "{\"fingerprint\":\"$want\",\"algorithm\":\"sha-256\",\"certificate\":\"$TMP/ec.pem\"}"
ctl --json fingerprint --cert "$TMP/ec.pem"
expect "fingerprint with --json before the command" 0 "{\"fingerprint\":\"$want\",\"algorithm\":\"sha-256\",\"certificate\":\"$TMP/ec.pem\"}"
ctl fingerprint --cert "$TMP/ec.pem" --alg md5
expect "fingerprint --alg md5: usage error (RFC 8122 forbids it)" 1
grep -q "forbids md2 and md5" "$ERRF" && ok "md5's refusal says why" || not_ok "md5's refusal says why"
ctl fingerprint --cert "$TMP/ec.pem" --alg sha-224
expect "fingerprint --alg sha-224: usage error" 1
ctl fingerprint
expect "fingerprint without --cert: usage error" 1
ctl fingerprint --cert "$TMP/ec.key"
expect "fingerprint of a key file: exit 2" 2
grep -q "no PEM certificate" "$ERRF" && ok "... saying there is no certificate" || not_ok "... saying there is no certificate"
ctl fingerprint --cert "$TMP/nonexistent.pem"
expect "fingerprint of a missing file: exit 2" 2

# ---- aka-token ----
for ik in 000102030405060708090a0b0c0d0e0f F0E1D2C3B4A5968778695A4B3C2D1E0F \
	  ffffffffffffffffffffffffffffffff; do
	for cert in ec rsa; do
		ref=$(openssl x509 -in "$TMP/$cert.pem" -outform DER |
		      openssl dgst -sha1 -mac HMAC -macopt hexkey:"$ik" | sed 's/.*= //')
		ctl aka-token --ik "$ik" --cert "$TMP/$cert.pem"
		expect "aka-token $cert IK ${ik:0:8}...: HMAC-SHA1's first 96 bits over the DER" 0 "${ref:0:24}"
		tok=$OUT
		ctl aka-token --ik "$ik" --cert "$TMP/$cert.pem" --verify "$tok"
		expect "aka-token --verify its own token: exit 0" 0 "match"
		ctl aka-token --ik "$ik" --cert "$TMP/$cert.pem" --verify "${tok^^}"
		expect "aka-token --verify in upper case: exit 0" 0 "match"
	done
done
IK=000102030405060708090a0b0c0d0e0f
tok=$("$BIN" aka-token --ik $IK --cert "$TMP/ec.pem")
last=${tok:23:1}
flip=$(printf '%x' $(( 0x$last ^ 1 )))
ctl aka-token --ik $IK --cert "$TMP/ec.pem" --verify "${tok:0:23}$flip"
expect "aka-token --verify a token one bit off: exit 1" 1 ""
grep -q "does not match" "$ERRF" && ok "... saying it does not match" || not_ok "... saying it does not match"
ctl aka-token --ik 100102030405060708090a0b0c0d0e0f --cert "$TMP/ec.pem" --verify "$tok"
expect "aka-token --verify with another IK: exit 1" 1
ctl aka-token --ik $IK --cert "$TMP/rsa.pem" --verify "$tok"
expect "aka-token --verify with another certificate: exit 1" 1
ctl aka-token --ik $IK --cert "$TMP/ec.pem" --verify "$tok" --json
expect "aka-token --verify --json" 0 '{"match":true}'
ctl aka-token --ik $IK --cert "$TMP/rsa.pem" --verify "$tok" --json
expect "aka-token --verify --json, no match: exit 1" 1 '{"match":false}'
ctl --stdin $IK aka-token --ik - --cert "$TMP/ec.pem"
expect "aka-token --ik - reads IK from standard input" 0 "$tok"
ctl aka-token --ik $IK --cert "$TMP/ec.pem" --json
der=$(openssl x509 -in "$TMP/ec.pem" -outform DER | wc -c)
expect "aka-token --json" 0 "{\"token\":\"$tok\",\"certificate\":\"$TMP/ec.pem\",\"der_bytes\":$der}"
ctl aka-token --ik $IK --cert "$TMP/chain.pem"
expect "aka-token of a chain file: its first certificate" 0 "$tok"
for bad in 00 000102030405060708090a0b0c0d0e0 000102030405060708090a0b0c0d0e0f00 \
	   000102030405060708090a0b0c0d0e0g "0x0102030405060708090a0b0c0d0e0f"; do
	ctl aka-token --ik "$bad" --cert "$TMP/ec.pem"
	expect "aka-token --ik '$bad': usage error" 1
done
ctl aka-token --ik $IK --cert "$TMP/ec.pem" --verify 00112233
expect "aka-token --verify with 8 hex digits: usage error" 1
ctl aka-token --cert "$TMP/ec.pem"
expect "aka-token without --ik: usage error" 1
ctl aka-token --ik $IK
expect "aka-token without --cert: usage error" 1
ctl aka-token --ik $IK --cert "$TMP/ec.key"
expect "aka-token of a key file: exit 2" 2
ctl aka-token --help
[[ $RC -eq 0 && $OUT == *"DER encoding"* && $OUT == *"HMAC-SHA1"* ]] &&
	ok "aka-token --help says HMAC-SHA1-96 over the DER encoding" ||
	not_ok "aka-token --help says HMAC-SHA1-96 over the DER encoding"
ctl --help
[[ $OUT == *"fingerprint "* && $OUT == *"aka-token "* ]] &&
	ok "turnpikectl --help lists both commands" || not_ok "turnpikectl --help lists both commands"

# ---- bash completion ----
comp() {
	# shellcheck disable=SC1091
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
		 _turnpikectl; echo "${COMPREPLY[*]}"' _ "$TP_SRC/tools/completion/turnpikectl.bash" "$@"
}
OUT=$(comp turnpikectl ak); RC=0
expect "completion: 'ak' -> aka-token" 0 "aka-token"
OUT=$(comp turnpikectl fingerprint --); RC=0
[[ $OUT == *--cert* && $OUT == *--alg* ]] && ok "completion: fingerprint's options" ||
	not_ok "completion: fingerprint's options"
OUT=$(comp turnpikectl fingerprint --alg sha-3); RC=0
expect "completion: --alg's values" 0 "sha-384"
OUT=$(comp turnpikectl aka-token --v); RC=0
expect "completion: aka-token --verify" 0 "--verify"

echo "# $npass passed, $nfail failed"
[[ $nfail -eq 0 ]]
