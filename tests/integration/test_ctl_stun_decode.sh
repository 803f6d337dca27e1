#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# turnpikectl stun decode, end to end: the four RFC 5769 sample messages
# (class, method, transaction id, addresses, SOFTWARE, FINGERPRINT and
# MESSAGE-INTEGRITY with short-term and long-term credentials), messages
# built here to cover the "decoded" members, attributes ignored after
# MESSAGE-INTEGRITY and the long-term key choice of RFC 8489 §9.2.2, hex
# on the command line and on stdin, and the error contract: exit 2 with
# {"error": ...} for bad input, exit 1 with stderr for a bad command line.
#
# Env: TP_BUILD (build root), TP_SRC (source root). Prints one TAP-style
# line per check and exits non-zero if any failed.
set -euo pipefail

: "${TP_BUILD:?TP_BUILD must point at the build root}"
: "${TP_SRC:?TP_SRC must point at the source root}"
BIN=$TP_BUILD/cp/ctl/turnpikectl
# The build may be sanitized: a leak or UB must fail the run, not scroll by.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# python3 as PATH names it, asked once (lib/dp_env.sh: tp_python_pin).
. "$(dirname "$0")/lib/dp_env.sh"
tp_python_pin "$TMP"
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

# ctl [--stdin TEXT] ARGS...: run turnpikectl; sets OUT (stdout) and RC.
ctl() {
	if [[ ${1-} == --stdin ]]; then
		local input=$2
		shift 2
		OUT=$(printf '%s' "$input" | "$BIN" "$@" 2>"$ERRF") && RC=0 || RC=$?
	else
		OUT=$("$BIN" "$@" </dev/null 2>"$ERRF") && RC=0 || RC=$?
	fi
}

# check DESC RC PYEXPR: the last run exited RC, its stdout is one JSON
# object j, and PYEXPR holds. A(name) lists the attributes called name,
# a(name) is the first of them.
check() {
	local desc=$1 want_rc=$2 expr=$3
	if [[ $RC -eq $want_rc ]] && printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
A = lambda n: [x for x in j.get("attributes", []) if x["name"] == n]
a = lambda n: A(n)[0]
sys.exit(0 if eval(sys.argv[1]) else 1)
' "$expr" 2>>"$ERRF"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

# check_usage DESC: the last run was a usage error (exit 1, message on
# stderr, nothing on stdout).
check_usage() {
	if [[ $RC -eq 1 && -z $OUT && -s $ERRF ]]; then
		ok "$1"
	else
		not_ok "$1"
	fi
}

# check_help DESC: exit 0 and a usage text on stdout.
check_help() {
	if [[ $RC -eq 0 && $OUT == *Usage:* ]]; then
		ok "$1"
	else
		not_ok "$1"
	fi
}

# ---- RFC 5769 sample messages (§2.1-§2.4) -----------------------------------

# §2.1 Sample Request (short-term credentials, ICE-style).
REQ='
00010058 2112a442 b7e7a701 bc34d686 fa87dfae
80220010 5354554e 20746573 7420636c 69656e74
00240004 6e0001ff
80290008 932ff9b1 51263b36
00060009 6576746a 3a683676 59202020
00080014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2
80280004 e57a3bcf'
# §2.2 Sample IPv4 Response.
RESP4='
0101003c 2112a442 b7e7a701 bc34d686 fa87dfae
8022000b 74657374 20766563 746f7220
00200008 0001a147 e112a643
00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
80280004 c07d4c96'
# §2.3 Sample IPv6 Response.
RESP6='
01010048 2112a442 b7e7a701 bc34d686 fa87dfae
8022000b 74657374 20766563 746f7220
00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41
80280004 c8fb0b4c'
# §2.4 Sample Request with Long-Term Authentication (no FINGERPRINT).
REQLTC='
00010060 2112a442 78ad3433 c6ad72c0 29da412e
00060012 e3839ee3 8388e383 aae38383 e382afe3 82b90000
0015001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341
0014000b 6578616d 706c652e 6f726700
00080014 f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666'

# The RFC 5769 §2 short-term password. (Not "VOkJxbRl1RmTxUk/WvB".)
PW_ST='VOkJxbRl1RmTxUk/WvJxBt'
# §2.4: username U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9, password
# "The<U+00AD>M<U+00AA>tr<U+2168>" ("TheMatrIX" after SASLprep).
LTC_USER=$'\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9'
LTC_REALM='example.org'
LTC_PW=$'The\xc2\xadM\xc2\xaatr\xe2\x85\xa8'

ctl stun decode --password "$PW_ST" "$REQ"
check "2.1 request: class, method, transaction id" 0 \
	'j["class"] == "request" and j["method"] == "binding" and j["transaction_id"] == "b7e7a701bc34d686fa87dfae"'
check "2.1 request: SOFTWARE and USERNAME as strings" 0 \
	'a("SOFTWARE")["value"] == "STUN test client" and a("SOFTWARE")["type"] == 0x8022 and a("USERNAME")["value"] == "evtj:h6vY"'
check "2.1 request: PRIORITY hex and decoded, ICE-CONTROLLED hex" 0 \
	'a("PRIORITY")["value"] == "6e0001ff" and a("PRIORITY")["decoded"] == 0x6e0001ff and a("ICE-CONTROLLED")["value"] == "932ff9b151263b36"'
check "2.1 request: attributes in wire order" 0 \
	'[x["name"] for x in j["attributes"]] == ["SOFTWARE", "PRIORITY", "ICE-CONTROLLED", "USERNAME", "MESSAGE-INTEGRITY", "FINGERPRINT"]'
check "2.1 request: fingerprint valid, integrity valid (short-term)" 0 \
	'j["fingerprint"] == "valid" and j["message_integrity"] == "valid" and j["message_integrity_sha256"] == "absent"'
check "2.1 request: FINGERPRINT value and decoded" 0 \
	'a("FINGERPRINT")["value"] == "e57a3bcf" and a("FINGERPRINT")["decoded"] == {"received": "0xe57a3bcf", "computed": "0xe57a3bcf"}'
check "2.1 request: no ignored attributes, no unknown list" 0 \
	'not any("ignored" in x for x in j["attributes"]) and "unknown_comprehension_required" not in j'

ctl stun decode --password 'VOkJxbRl1RmTxUk/WvJxBX' "$REQ"
check "2.1 request, wrong password: integrity invalid, fingerprint valid" 0 \
	'j["message_integrity"] == "invalid" and j["fingerprint"] == "valid"'

ctl stun decode "$REQ"
check "2.1 request, no password: integrity unchecked" 0 \
	'j["message_integrity"] == "unchecked" and j["message_integrity_sha256"] == "absent" and j["fingerprint"] == "valid"'

ctl --stdin "$REQ" stun decode --password "$PW_ST"
check "2.1 request on stdin (newlines): integrity valid" 0 \
	'j["transaction_id"] == "b7e7a701bc34d686fa87dfae" and j["message_integrity"] == "valid"'

SPACED=$(printf '%s' "$REQ" | tr -d ' \n' | sed 's/../& /g; s/\(.\{48\}\)/\1\n\t/g')
ctl --stdin "$SPACED" stun decode -p "$PW_ST"
check "2.1 request on stdin (per-byte spaces, tabs, short -p)" 0 \
	'j["message_integrity"] == "valid" and j["fingerprint"] == "valid"'

UPPER=$(printf '%s' "$REQ" | tr 'a-f' 'A-F')
# Unquoted on purpose: the words arrive as separate arguments.
# shellcheck disable=SC2086
ctl stun decode $UPPER
check "2.1 request as uppercase hex in several arguments" 0 \
	'j["method"] == "binding" and a("USERNAME")["value"] == "evtj:h6vY"'

ctl --stdin "$RESP4" stun decode --password "$PW_ST"
check "2.2 IPv4 response: class, method, transaction id" 0 \
	'j["class"] == "success" and j["method"] == "binding" and j["transaction_id"] == "b7e7a701bc34d686fa87dfae"'
check "2.2 IPv4 response: XOR-MAPPED-ADDRESS decoded" 0 \
	'a("XOR-MAPPED-ADDRESS")["value"] == "192.0.2.1:32853" and a("XOR-MAPPED-ADDRESS")["type"] == 32'
check "2.2 IPv4 response: SOFTWARE, fingerprint, integrity" 0 \
	'a("SOFTWARE")["value"] == "test vector" and j["fingerprint"] == "valid" and j["message_integrity"] == "valid"'

ctl stun decode --password "$PW_ST" "$RESP6"
check "2.3 IPv6 response: XOR-MAPPED-ADDRESS decoded" 0 \
	'a("XOR-MAPPED-ADDRESS")["value"] == "[2001:db8:1234:5678:11:2233:4455:6677]:32853"'
check "2.3 IPv6 response: SOFTWARE, fingerprint, integrity" 0 \
	'j["class"] == "success" and a("SOFTWARE")["value"] == "test vector" and j["fingerprint"] == "valid" and j["message_integrity"] == "valid"'

ctl stun decode --username "$LTC_USER" --realm "$LTC_REALM" --password "$LTC_PW" "$REQLTC"
check "2.4 long-term request: class, method, transaction id" 0 \
	'j["class"] == "request" and j["method"] == "binding" and j["transaction_id"] == "78ad3433c6ad72c029da412e"'
check "2.4 long-term request: USERNAME, REALM, NONCE as strings" 0 \
	'a("USERNAME")["value"] == "\u30de\u30c8\u30ea\u30c3\u30af\u30b9" and a("REALM")["value"] == "example.org" and a("NONCE")["value"] == "f//499k954d6OL34oL9FSTvy64sA"'
check "2.4 long-term request: integrity valid (SASLprep'd password), no fingerprint" 0 \
	'j["message_integrity"] == "valid" and j["fingerprint"] == "absent" and j["message_integrity_sha256"] == "absent"'

ctl stun decode -u "$LTC_USER" -r "$LTC_REALM" -p TheMatrIX "$REQLTC"
check "2.4 long-term request, password already prepared: valid" 0 \
	'j["message_integrity"] == "valid"'

ctl stun decode -u "$LTC_USER" -r "$LTC_REALM" -p TheMatrIx "$REQLTC"
check "2.4 long-term request, wrong password: invalid" 0 \
	'j["message_integrity"] == "invalid"'

ctl stun decode -p "$LTC_PW" "$REQLTC"
check "2.4 long-term request checked as short-term: invalid" 0 \
	'j["message_integrity"] == "invalid"'

ctl stun decode "$REQLTC"
check "2.4 long-term request, no password: unchecked" 0 \
	'j["message_integrity"] == "unchecked"'

# ---- messages built here ------------------------------------------------------

# One "NAME=hex" line per message, built with Python's hmac/hashlib/zlib so
# that integrity and fingerprint are independent of the codec under test.
BUILT=$(python3 - <<'EOF'
import hashlib, hmac, struct, zlib

class Msg:
    def __init__(self, mtype, tid):
        self.mtype, self.tid, self.body = mtype, bytes(tid), b""
    def hdr(self, extra):
        return struct.pack(">HHI", self.mtype, len(self.body) + extra,
                           0x2112A442) + self.tid
    def add(self, t, v):
        self.body += struct.pack(">HH", t, len(v)) + v + b"\0" * (-len(v) % 4)
        return self
    def mi(self, key, sha256=False):
        n, h, t = (32, hashlib.sha256, 0x001C) if sha256 else (20, hashlib.sha1, 0x0008)
        mac = hmac.new(key, self.hdr(4 + n) + self.body, h).digest()
        return self.add(t, mac)
    def fp(self):
        crc = (zlib.crc32(self.hdr(8) + self.body) ^ 0x5354554E) & 0xFFFFFFFF
        return self.add(0x8028, struct.pack(">I", crc))
    def hex(self):
        return (self.hdr(0) + self.body).hex()

tid = range(1, 13)
# An Allocate error response (0x0113) carrying every structured kind.
turn = (Msg(0x0113, tid)
    .add(0x0009, b"\0\0\x04\x01" + b"Unauthenticated")        # ERROR-CODE 401
    .add(0x8001, b"\x02\0\x04\x28" + b"Address Family not Supported")
    .add(0x000D, struct.pack(">I", 600))                      # LIFETIME
    .add(0x0019, b"\x11\0\0\0")                               # REQUESTED-TRANSPORT udp
    .add(0x0018, b"\x80")                                     # EVEN-PORT R=1
    .add(0x000C, b"\x40\x01\0\0")                             # CHANNEL-NUMBER
    .add(0x0017, b"\x02\0\0\0")                               # REQUESTED-ADDRESS-FAMILY
    .add(0x8000, b"\x01\0\0\0")                               # ADDITIONAL-ADDRESS-FAMILY
    .add(0x002A, struct.pack(">I", 0x12345678))               # CONNECTION-ID
    .add(0x8004, b"\0\0\x03\x01" + struct.pack(">I", 1280))   # ICMP
    .add(0x8002, b"\0\x02\0\0\0\x01\0\0")                     # PASSWORD-ALGORITHMS
    .add(0x001D, b"\0\x02\0\0")                               # PASSWORD-ALGORITHM
    .add(0x000A, b"\x7f\xff\0\x20")                           # UNKNOWN-ATTRIBUTES
    .add(0x7FFF, b"\xde\xad\xbe\xef")                         # unknown, required
    .add(0xC001, b"\x01\x02\x03")                             # unknown, optional
    .add(0x0012, b"\0\x01" + struct.pack(">H", 5000 ^ 0x2112)
         + bytes(a ^ b for a, b in zip(bytes([198, 51, 100, 7]),
                                       struct.pack(">I", 0x2112A442))))
    .add(0x0013, b"hi!")                                      # DATA
    .fp())
print("TURN=" + turn.hex())

# RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY are ignored.
late = (Msg(0x0001, tid).add(0x0006, b"alice").mi(b"secret")
        .add(0x8022, b"after-mi").fp())
print("LATE=" + late.hex())

# Long-term keys, RFC 8489 §9.2.2: MD5 / SHA-256 of "user:realm:pass".
md5 = hashlib.md5(b"user:realm:pass").digest()
sha = hashlib.sha256(b"user:realm:pass").digest()
base = lambda: (Msg(0x0003, tid).add(0x0006, b"user").add(0x0014, b"realm")
                .add(0x0015, b"n0nce"))
print("LT_BOTH=" + base().mi(md5).mi(sha, True).fp().hex())
print("LT_ALG256=" + base().add(0x001D, b"\0\x02\0\0").mi(sha).mi(sha, True).hex())
print("LT_ALGMD5=" + base().add(0x001D, b"\0\x01\0\0").mi(md5, True).hex())
# Header says 12 bytes of attributes; SOFTWARE claims 16 of them.
print("OVERRUN=" + Msg(0x0001, tid).hdr(0)[:2].hex() + "000c"
      + Msg(0x0001, tid).hdr(0)[4:].hex() + "80220010" + "41424344" * 2)
# Invalid UTF-8 in SOFTWARE.
print("BADTEXT=" + Msg(0x0001, tid).add(0x8022, b"ok\xffok").hex())
EOF
)
while IFS='=' read -r name value; do
	printf -v "$name" '%s' "$value"
done <<<"$BUILT"

ctl stun decode "$TURN"
check "TURN error response: class, method, fingerprint" 0 \
	'j["class"] == "error" and j["method"] == "allocate" and j["transaction_id"] == "0102030405060708090a0b0c" and j["fingerprint"] == "valid" and j["message_integrity"] == "absent"'
check "ERROR-CODE decoded, hex value kept" 0 \
	'a("ERROR-CODE")["decoded"] == {"code": 401, "reason": "Unauthenticated"} and a("ERROR-CODE")["value"].startswith("00000401")'
check "ADDRESS-ERROR-CODE decoded" 0 \
	'a("ADDRESS-ERROR-CODE")["decoded"] == {"family": "ipv6", "code": 440, "reason": "Address Family not Supported"}'
check "LIFETIME, CONNECTION-ID decoded as numbers" 0 \
	'a("LIFETIME")["decoded"] == 600 and a("LIFETIME")["value"] == "00000258" and a("CONNECTION-ID")["decoded"] == 0x12345678'
check "REQUESTED-TRANSPORT, EVEN-PORT, CHANNEL-NUMBER decoded" 0 \
	'a("REQUESTED-TRANSPORT")["decoded"] == {"protocol": 17, "name": "udp"} and a("EVEN-PORT")["decoded"] == {"reserve": True} and a("CHANNEL-NUMBER")["decoded"] == "0x4001"'
check "address families decoded" 0 \
	'a("REQUESTED-ADDRESS-FAMILY")["decoded"] == "ipv6" and a("ADDITIONAL-ADDRESS-FAMILY")["decoded"] == "ipv4"'
check "ICMP decoded" 0 \
	'a("ICMP")["decoded"] == {"type": 3, "code": 1, "error_data": 1280}'
check "PASSWORD-ALGORITHM(S) decoded" 0 \
	'a("PASSWORD-ALGORITHMS")["decoded"] == [{"algorithm": 2, "name": "SHA-256"}, {"algorithm": 1, "name": "MD5"}] and a("PASSWORD-ALGORITHM")["decoded"] == {"algorithm": 2, "name": "SHA-256"}'
check "UNKNOWN-ATTRIBUTES decoded" 0 \
	'a("UNKNOWN-ATTRIBUTES")["decoded"] == [{"type": 0x7fff, "name": "0x7fff"}, {"type": 32, "name": "XOR-MAPPED-ADDRESS"}]'
check "unknown types: 0xNNNN names, hex values, required ones listed" 0 \
	'a("0x7fff")["value"] == "deadbeef" and a("0x7fff")["type"] == 0x7fff and a("0xc001")["value"] == "010203" and j["unknown_comprehension_required"] == [0x7fff]'
check "XOR-PEER-ADDRESS decoded, DATA as hex without decoded" 0 \
	'a("XOR-PEER-ADDRESS")["value"] == "198.51.100.7:5000" and a("DATA")["value"] == "686921" and "decoded" not in a("DATA")'

ctl stun decode -p secret "$LATE"
check "attribute after MESSAGE-INTEGRITY printed with ignored: true" 0 \
	'a("SOFTWARE")["value"] == "after-mi" and a("SOFTWARE").get("ignored") is True and "ignored" not in a("USERNAME") and "ignored" not in a("FINGERPRINT")'
check "integrity still valid with an ignored attribute after it" 0 \
	'j["message_integrity"] == "valid" and j["fingerprint"] == "valid"'

ctl stun decode -u user -r realm -p pass "$LT_BOTH"
check "long-term, no PASSWORD-ALGORITHM: MD5 key for MI, SHA-256 key for MI-SHA256" 0 \
	'j["message_integrity"] == "valid" and j["message_integrity_sha256"] == "valid" and j["fingerprint"] == "valid"'
ctl stun decode -u user -r realm -p wrong "$LT_BOTH"
check "long-term, wrong password: both invalid" 0 \
	'j["message_integrity"] == "invalid" and j["message_integrity_sha256"] == "invalid"'
ctl stun decode "$LT_BOTH"
check "no password: both unchecked" 0 \
	'j["message_integrity"] == "unchecked" and j["message_integrity_sha256"] == "unchecked"'

ctl stun decode -u user -r realm -p pass "$LT_ALG256"
check "PASSWORD-ALGORITHM SHA-256: its key for both checks" 0 \
	'j["message_integrity"] == "valid" and j["message_integrity_sha256"] == "valid" and j["fingerprint"] == "absent"'
ctl stun decode -u user -r realm -p pass "$LT_ALGMD5"
check "PASSWORD-ALGORITHM MD5: its key for MESSAGE-INTEGRITY-SHA256" 0 \
	'j["message_integrity"] == "absent" and j["message_integrity_sha256"] == "valid"'

ctl stun decode "$BADTEXT"
check "invalid UTF-8 text: U+FFFD in value, hex alongside" 0 \
	'a("SOFTWARE")["value"] == "ok\ufffdok" and a("SOFTWARE")["invalid_utf8"] is True and a("SOFTWARE")["value_hex"] == "6f6bff6f6b"'

# ---- errors: exit 2 with {"error": ...} ---------------------------------------

TRUNC=$(printf '%s' "$RESP4" | tr -d ' \n')
ctl stun decode "${TRUNC:0:${#TRUNC}-8}"
check "truncated message: exit 2, error with offset" 2 \
	'list(j) == ["error"] and "offset" in j["error"]'

ctl stun decode "$OVERRUN"
check "attribute running past the end: exit 2, error with offset" 2 \
	'list(j) == ["error"] and "offset" in j["error"]'

ctl stun decode 000100002112a442
check "message shorter than a header: exit 2, error" 2 \
	'list(j) == ["error"] and "offset" in j["error"]'

ctl stun decode '0001 0000 2112a442 zz'
check "bad hex character: exit 2, error" 2 \
	'list(j) == ["error"] and "hex" in j["error"]'

ctl stun decode '0x00010000'
check "0x prefix is not hex: exit 2" 2 'list(j) == ["error"]'

ctl stun decode '000100002112a442b7e7a701bc34d686fa87dfa'
check "odd number of hex digits: exit 2, error" 2 \
	'list(j) == ["error"] and "odd" in j["error"]'

ctl --stdin $' \n\t' stun decode
check "empty input: exit 2, error" 2 'list(j) == ["error"]'

# ---- usage: exit 1 on stderr; --help and --version exit 0 ---------------------

ctl stun decode --bogus "$REQ"
check_usage "unknown decode option: exit 1"
ctl --bogus stun decode "$REQ"
check_usage "unknown global option: exit 1"
ctl stun --bogus
check_usage "unknown stun option: exit 1"
ctl
check_usage "missing command: exit 1"
ctl frobnicate
check_usage "unknown command: exit 1"
ctl stun
check_usage "missing stun subcommand: exit 1"
ctl stun encode
check_usage "unknown stun subcommand: exit 1"
ctl stun decode --password
check_usage "--password without a value: exit 1"
ctl stun decode --username u --password p "$REQ"
check_usage "--username without --realm: exit 1"
ctl stun decode --username u --realm r "$REQ"
check_usage "--username and --realm without --password: exit 1"
ctl stun decode --realm r "$REQ"
check_usage "--realm alone: exit 1"

ctl --help
check_help "turnpikectl --help"
ctl stun --help
check_help "turnpikectl stun --help"
ctl stun decode --help
check_help "turnpikectl stun decode --help"
ctl --json stun decode "$REQ"
check "global --json accepted before the command" 0 'j["method"] == "binding"'

VERSION=$(sed -n "s/^[[:space:]]*version: '\([^']*\)',.*/\1/p" "$TP_SRC/meson.build" | head -n1)
ctl --version
if [[ $RC -eq 0 && $OUT == "turnpikectl $VERSION" ]]; then
	ok "turnpikectl --version prints 'turnpikectl $VERSION'"
else
	not_ok "turnpikectl --version prints 'turnpikectl $VERSION'"
fi

echo "# $npass passed, $nfail failed"
[[ $nfail -eq 0 ]]
