#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# X1 (ETSI TS 103 221-1) at turnpike-cp's door, from a test ADMF
# (lib/li_admf.py: Python's ssl and http.client, every request and answer
# validated with python3-xmlschema against ETSI's schemas when they are
# beside the checkout, ../shared/li-xsd or LI_XSD_DIR; never in the tree):
# a destination created, a task activated and read back, a restart of cp
# keeping it, deactivated; a client with no certificate, and one whose
# certificate chains to another CA, get no HTTP answer at all; a client
# with the right certificate naming another admfIdentifier gets a
# top-level error and nothing of what cp holds; cp's log, status and
# metrics name no target, XID or DID. Below HTTP (lib/li_probe.py): the
# client's certificate required by the handshake itself, clientAuth and
# the ADMF's name in it, TLS 1.2/1.3 with AEAD suites only, two
# connections from one address, none kept 2 s without a verified
# request answered. No dp: X1 is cp's alone.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
tp_env_init
PY=/usr/bin/python3
ADMF=$(dirname "$0")/lib/li_admf.py
XSD=${LI_XSD_DIR:-${TP_SRC:-$(dirname "$0")/../..}/../shared/li-xsd}
if [ -d "$XSD" ] && $PY -c 'import xmlschema' 2>/dev/null; then
  echo "# requests and answers validated against ETSI's schemas in $XSD (xmlschema)"
  VAL=(--xsd "$XSD")
else
  echo "# ETSI's schemas not at $XSD, or python3-xmlschema missing (tools/bootstrap):" \
       "requests and answers are NOT validated"
  VAL=()
fi

# Two CAs: the ADMF's (signs our certificate and the ADMF's) and another.
pki=$TP_TMP/pki; mkdir -p "$pki"
. "$(dirname "$0")/lib/li_pki.sh"
# The ADMF's: clientAuth, named admf-1 (li.x1.admf_id) in its subjectAltName;
# then one without clientAuth, one naming another ADMF, and one naming
# admf-1 in its CN alone (no subjectAltName: the CN is its name).
CLIENT='extendedKeyUsage=clientAuth'
mkca admf-ca && mkca other-ca && mkcert x1 admf-ca 'extendedKeyUsage=serverAuth' &&
  mkcert admf admf-ca "$CLIENT\nsubjectAltName=DNS:admf-1" &&
  mkcert intruder other-ca "$CLIENT\nsubjectAltName=DNS:admf-1" &&
  mkcert noclientauth admf-ca 'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:admf-1' &&
  mkcert othername admf-ca "$CLIENT\nsubjectAltName=DNS:admf-2" &&
  mkcert cnonly admf-ca "$CLIENT" admf-1 ||
  tp_die "openssl could not make the test certificates"

port=$((20000 + $$ % 20000))
mport=$((port + 1))
tp_write_conf "$TP_TMP/cp.conf" "0" "" "" "" "$(tp_turn_groups "metrics = \"127.0.0.1:$mport\";")
li = { ne_id = \"tp-li-test\"; store = \"$TP_TMP/state/li.db\";
       x1 = { listen = \"127.0.0.1:$port\"; cert = \"$pki/x1.crt\"; key = \"$pki/x1.key\";
              client_ca = \"$pki/admf-ca.crt\"; admf_id = \"admf-1\";
              $([ ${#VAL[@]} -gt 0 ] && echo "schemas = \"$XSD\";") };
       x2x3 = { cert = \"$pki/x1.crt\"; key = \"$pki/x1.key\"; ca = \"$pki/admf-ca.crt\"; }; };"
mkdir -p "$TP_TMP/state"

start_cp() {
  tp_cp_start "$TP_TMP/cp.conf"
  tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" \
    turnpike-cp 10
}
# x1 [ADMF-ARGS...] OP [INNER]: the ADMF's request with the right
# certificate; the answer in $TP_TMP/answer, HTTP status in $TP_TMP/status
x1_as() {
  local rc
  $PY "$ADMF" --host 127.0.0.1 --port "$port" --ca "$pki/admf-ca.crt" "${VAL[@]}" "$@" \
    >"$TP_TMP/answer" 2>"$TP_TMP/status"; rc=$?
  [ $rc -eq 4 ] && { echo "# $(cat "$TP_TMP/status")"; }
  return $rc
}
x1() { x1_as --cert "$pki/admf.crt" --key "$pki/admf.key" "$@"; }
acked() {   # acked OP [INNER]
  x1 "$@" && head -n 1 "$TP_TMP/status" | grep -qx 200 &&
    grep -q '<oK>AcknowledgedAndCompleted</oK>' "$TP_TMP/answer" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }
}
answered() {   # answered WORDS OP [INNER]
  local words=$1; shift
  x1 "$@" && grep -q -- "$words" "$TP_TMP/answer" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }
}
silent() {   # silent ADMF-ARGS...: no HTTP answer, not a byte
  x1_as "$@" GetAllDetails; [ $? -eq 3 ] && [ ! -s "$TP_TMP/answer" ]
}

NAI=li-target-user@turnpike.test
XID=5c1e0d2a-7d4b-4e8a-9f3c-0123456789ab
DID=d1d1d1d1-0000-4000-8000-00000000000a
DEST="<destinationDetails><dId>$DID</dId><deliveryType>X2andX3</deliveryType>
<deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:IPv4Address>192.0.2.77
</etsi280:IPv4Address></etsi280:address><etsi280:port><etsi280:TCPPort>7000</etsi280:TCPPort>
</etsi280:port></ipAddressAndPort></deliveryAddress></destinationDetails>"
DEST=$(tr -d '\n' <<<"$DEST")
TASK="<taskDetails><xId>$XID</xId><targetIdentifiers><targetIdentifier><nai>$NAI</nai>
</targetIdentifier></targetIdentifiers><deliveryType>X2andX3</deliveryType>
<listOfDIDs><dId>$DID</dId></listOfDIDs></taskDetails>"
TASK=$(tr -d '\n' <<<"$TASK")

# Secrecy: nothing an operator reads (cp's log, turnpikectl status, the
# metrics) names a target, an XID, a DID or a destination's address.
nothing_named() {   # nothing_named WHEN
  tp_ctl --json status >"$TP_TMP/status.json" 2>&1
  tp_check "turnpikectl status answers ($1)" test -s "$TP_TMP/status.json"
  curl -sf "http://127.0.0.1:$mport/metrics" >"$TP_TMP/metrics.txt"
  tp_check "the metrics answer ($1)" grep -q '^turnpike_' "$TP_TMP/metrics.txt"
  for s in "$NAI" li-target-user "$XID" "$DID" 192.0.2.77; do
    tp_check "$1: cp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP'/cp.*.log"
    tp_check "$1: status does not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP/status.json'"
    tp_check "$1: the metrics do not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP/metrics.txt'"
  done
}

start_cp
tp_check "cp made li's store on first start, its owner's only" \
  test "$(stat -c %a "$TP_TMP/state/li.db" 2>/dev/null)" = 600
tp_check "Keepalive: acknowledged" acked Keepalive
tp_check "CreateDestination: acknowledged" acked CreateDestination "$DEST"
tp_check "ActivateTask (a NAI): acknowledged" acked ActivateTask "$TASK"
tp_check "ActivateTask again: 300, XID already exists" \
  answered '<errorCode>300</errorCode>' ActivateTask "$TASK"
tp_check "GetTaskDetails: the task as provisioned" \
  answered "<nai>$NAI</nai>" GetTaskDetails "<xId>$XID</xId>"
tp_check "RemoveDestination of the task's: 304, in use" \
  answered '<errorCode>304</errorCode>' RemoveDestination "<dId>$DID</dId>"
nothing_named "the task active"

tp_check "a client with no certificate: no HTTP answer" silent
tp_check "a client whose certificate chains to another CA: no HTTP answer" \
  silent --cert "$pki/intruder.crt" --key "$pki/intruder.key"

# Below HTTP (lib/li_probe.py): the handshake, the suites, the connections.
PROBE=$(dirname "$0")/lib/li_probe.py
probe() { $PY "$PROBE" --host 127.0.0.1 --port "$port" "$@" 2>&1; }
admf_probe() { probe --cert "$pki/admf.crt" --key "$pki/admf.key" "$@"; }
says() {   # says REGEX CMD...: CMD's output matches
  local want=$1 got; shift
  got=$("$@"); [[ $got =~ $want ]] || { echo "# got: $got"; return 1; }
}
# R8: the certificate is required by the handshake itself, not judged
# after it: a client without one never gets to say a word (libmicrohttpd
# closes a failed handshake without an alert; in TLS 1.3 the client's side
# is done before the server judges its certificate, so it sees the close)
tp_check "no certificate, TLS 1.2: the handshake fails" \
  says '^(refused|closed_in_handshake)' probe --tls 1.2 handshake
tp_check "no certificate, TLS 1.3: closed right after the handshake, no HTTP" \
  says '^(refused|closed)' probe --tls 1.3 handshake
tp_check "the ADMF's certificate: the handshake is taken" says '^ok$' admf_probe handshake
# R3: clientAuth, and the name li.x1.admf_id in the subjectAltName (or the
# CN when there is none)
tp_check "a certificate of the ADMF's CA without clientAuth: no HTTP answer" \
  silent --cert "$pki/noclientauth.crt" --key "$pki/noclientauth.key"
tp_check "a certificate of the ADMF's CA naming another ADMF: no HTTP answer" \
  silent --cert "$pki/othername.crt" --key "$pki/othername.key"
cn_acked() {
  x1_as --cert "$pki/cnonly.crt" --key "$pki/cnonly.key" Keepalive &&
    grep -q '<oK>AcknowledgedAndCompleted</oK>' "$TP_TMP/answer"
}
tp_check "a certificate naming admf-1 in its CN, no subjectAltName: answered" cn_acked
# R14: TLS 1.2 and 1.3 only, AEAD suites only
tp_check "TLS 1.1: refused" \
  says '^(refused|closed_in_handshake)' admf_probe --tls 1.1 --ciphers 'DEFAULT:@SECLEVEL=0' handshake
tp_check "TLS 1.2 with CBC suites only: refused" \
  says '^(refused|closed_in_handshake)' admf_probe --tls 1.2 --ciphers \
  'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384' \
  handshake
tp_check "TLS 1.2 with an AEAD suite: taken" \
  says '^ok$' admf_probe --tls 1.2 --ciphers 'ECDHE-ECDSA-AES128-GCM-SHA256' handshake
tp_check "TLS 1.3: taken" says '^ok$' admf_probe --tls 1.3 handshake
# R2: two connections from one address at most; none kept more than 2 s
# without a verified request answered, silent or dribbling
probe conns >"$TP_TMP/conns"
cat "$TP_TMP/conns" | sed 's/^/# /'
tp_check "a third connection from one address: cut at once" grep -qx 'third closed' "$TP_TMP/conns"
tp_check "a silent connection: cut within 2-3 s" \
  grep -qE '^first_closed_after (1\.[5-9]|2\.[0-9]|3\.0)$' "$TP_TMP/conns"
tp_check "a handshake dribbled a byte at a time: cut within 2-3.5 s" \
  says '^closed_after (1\.[5-9]|2\.[0-9]|3\.[0-5])$' probe dribble
other_admf() {
  x1 --admf admf-2 GetAllDetails && grep -q X1TopLevelErrorResponse "$TP_TMP/answer" &&
    ! grep -qF -- "$XID" "$TP_TMP/answer" && ! grep -qF -- "$DID" "$TP_TMP/answer"
}
tp_check "the right certificate, another admfIdentifier: a top-level error, nothing held said" \
  other_admf

tp_check "cp stops cleanly" tp_cp_stop
start_cp
tp_check "after a restart of cp: the task is there" \
  answered "<nai>$NAI</nai>" GetTaskDetails "<xId>$XID</xId>"
tp_check "... and its destination" answered "$DID" GetAllDetails
tp_check "DeactivateTask: acknowledged" acked DeactivateTask "<xId>$XID</xId>"
tp_check "GetTaskDetails then: 301, XID not found" \
  answered '<errorCode>301</errorCode>' GetTaskDetails "<xId>$XID</xId>"
tp_check "RemoveDestination then: acknowledged" acked RemoveDestination "<dId>$DID</dId>"
tp_check "the deactivated task's target is gone from the store file" \
  bash -c "! grep -qa '$NAI' '$TP_TMP/state/li.db'"

nothing_named "after deactivation"
tp_check "cp stops cleanly" tp_cp_stop
[ $TP_FAILS -eq 0 ]
