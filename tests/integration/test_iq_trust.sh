#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Who is a controller at the Iq door (cp/iq/FEATURE.md, "Who is a
# controller", "Authentication"; SECURITY.md's Iq): a bare controller
# (iq/raw_mgc.py, A) on a loopback address of its own, cp's Iq on another.
#   1. A controller is its configured sources, host and port: an
#      AuditValue from another port of A's host is not answered (it was:
#      any port of the host was A, and read every answer), counted
#      (datagrams_wrong_port, in status and the metrics) and logged
#      naming iq.send_from; from a port listed in iq.send_from it is
#      answered, there.
#   2. iq.auth for A (hmac-sha1-96, its key in a file of mode 0600), cp
#      and A restarted: cp registers, every message both ways signed (A
#      checks each of cp's); a signed AuditValue is answered; unsigned,
#      with a wrong check value, with another SPI, and a replay of the
#      signed one: none answered, each counted by reason in status and
#      the metrics, a log line; A's signed requests still answered after.
#   3. turnpike-cp --check: Iq over UDP beyond loopback with a controller
#      without iq.auth is warned of, naming SECURITY.md; with iq.auth
#      for it, not.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
start=$SECONDS
RAW="python3 $HERE/iq/raw_mgc.py"

P=$((40000 + $$ % 20000))
IQ=127.0.0.12:$P; AH=127.0.0.11; A=$AH:$P
LISTED=$((P + 1)); OTHER=$((P + 2))
AUDIT='Transaction = TID { Context = - { AuditValue = ROOT { Audit { } } } }'
APID=
start_a() {
  : >"$TP_TMP/a.log"
  $RAW serve --listen "$A" --gw "$IQ" --ctl "$TP_TMP/a.sock" "$@" >"$TP_TMP/a.log" 2>&1 &
  APID=$!
  for _ in $(seq 50); do grep -q READY "$TP_TMP/a.log" && return 0; sleep 0.1; done
  tp_die "raw_mgc did not start: $(cat "$TP_TMP/a.log")"
}
trap 'rc=$?; [ -n "$APID" ] && kill $APID 2>/dev/null; (exit $rc); tp_cleanup' EXIT
a() { $RAW ctl "$TP_TMP/a.sock" "$@"; }
stat() { tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["iq"]["stats"].get(sys.argv[1], "absent"))' "$1"; }
# wait_registered: status says cp is registered (within 20 s)
wait_registered() { tp_wait_until 20 "cp's Iq association registered" tp_iq_registered; }
why() { tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["iq"].get("unauthenticated_by_reason", {}).get(sys.argv[1], "absent"))' "$1"; }

maddr=127.0.0.1:$((20000 + $$ % 20000))
conf() {
  TP_MBUFS=8191 tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "
ipc = { name = \"/$TP_ID\"; cp_grace = 20; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"$maddr\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 90; };
iq = { listen = \"$IQ\"; mgc = [\"$A\"]; max_rate = 100; $1 };"
}

# ---- 1. a controller is its configured sources -----------------------------------
echo "# [$((SECONDS - start)) s] section 1"
start_a
conf ""
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp registers with A" bash -c "$RAW ctl $TP_TMP/a.sock registered 20 | grep -q '^OK'"
tp_need wait_registered
out=$(a send 5 "$AUDIT")
tp_check "A's AuditValue from its own address: answered" bash -c '[[ $1 == "OK code=0 "* ]]' _ "$out"
out=$(a sendfrom $OTHER 3 "$AUDIT")
echo "#   from $AH:$OTHER: $out"
tp_check "an AuditValue from another port of A's host: not answered" \
  bash -c '[ "$1" = TIMEOUT ]' _ "$out"
tp_check "... counted (iq.stats.datagrams_wrong_port)" test "$(stat datagrams_wrong_port)" = 1
tp_check "... and in the metrics (turnpike_iq_datagrams_wrong_port_total)" \
  bash -c "curl -sf http://$maddr/metrics | grep -q '^turnpike_iq_datagrams_wrong_port_total 1\$'"
tp_check "... and logged, naming iq.send_from" \
  grep -q "iq: a datagram from $AH:$OTHER, .*add \"$AH:$OTHER\" to iq.send_from" "$TP_CP_LOG"
# that port listed in iq.send_from
tp_cp_stop
conf "send_from = [\"$AH:$LISTED\"];"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp registers with A again" wait_registered
out=$(a sendfrom $LISTED 5 "$AUDIT")
echo "#   from $AH:$LISTED (iq.send_from): $out"
tp_check "an AuditValue from A's port listed in iq.send_from: answered there" \
  bash -c '[[ $1 == "OK code=0 "* ]]' _ "$out"

# ---- 2. iq.auth ----------------------------------------------------------------------
echo "# [$((SECONDS - start)) s] section 2"
tp_cp_stop
kill $APID; wait $APID 2>/dev/null; APID=
KEY=$(python3 -c 'import os; print(os.urandom(20).hex())')
( umask 077; echo "$KEY" >"$TP_TMP/iq-a.key" )
start_a --spi 0x0000abcd --key-file "$TP_TMP/iq-a.key"
conf "auth = ( { mgc = \"$A\"; spi = \"0x0000abcd\"; algorithm = \"hmac-sha1-96\";
  key_file = \"$TP_TMP/iq-a.key\"; } );"
tp_cp_start "$TP_TMP/dp.conf"
tp_check "cp registers with A, signed" wait_registered
out=$(a send 5 "$AUDIT")
tp_check "A's signed AuditValue: answered" bash -c '[[ $1 == "OK code=0 "* ]]' _ "$out"
for k in unsigned icv spi replay; do
  out=$(a forged $k 3 "$AUDIT")
  echo "#   $k: $out"
  tp_check "an AuditValue $k: not answered" bash -c '[ "$1" = TIMEOUT ]' _ "$out"
done
reasons="$(why no_header)/$(why icv)/$(why spi)/$(why replay)"
echo "#   no_header/icv/spi/replay: $reasons"
tp_check "... counted by reason (status: no_header, icv, spi, replay 1 each)" test "$reasons" = 1/1/1/1
tp_check "... datagrams_unauthenticated 4" test "$(stat datagrams_unauthenticated)" = 4
tp_check "... in the metrics (turnpike_iq_unauthenticated_by_reason_total{reason=\"icv\"} 1)" \
  bash -c "curl -sf http://$maddr/metrics | grep -q '^turnpike_iq_unauthenticated_by_reason_total{reason=\"icv\"} 1\$'"
tp_check "... and logged" grep -q "iq: a message from $AH:$P (controller $A) failed iq.auth (icv)" "$TP_CP_LOG"
out=$(a send 5 "$AUDIT")
tp_check "A's next signed AuditValue: answered" bash -c '[[ $1 == "OK code=0 "* ]]' _ "$out"
st=$(a authstat)
echo "#   what came from cp: $st"
tp_check "every message from cp carried a header whose check value A verified" \
  bash -c '[[ $1 =~ ^OK\ signed=([0-9]+)\ unsigned=0\ bad=0$ ]] && [ "${BASH_REMATCH[1]}" -ge 3 ]' _ "$st"

# ---- 3. the warning ------------------------------------------------------------------------
echo "# [$((SECONDS - start)) s] section 3"
sed "s|^iq = .*|iq = { listen = \"192.0.2.10:2944\"; mgc = [\"192.0.2.20:2944\"]; };|; /^  key_file/d" \
  "$TP_TMP/dp.conf" >"$TP_TMP/warn.conf"
"$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/warn.conf" --check >"$TP_TMP/check.out" 2>&1
echo "#   $(grep 'iq:' "$TP_TMP/check.out")"
tp_check "--check: Iq over UDP beyond loopback without iq.auth is warned of, naming SECURITY.md" \
  grep -q "iq: H.248 over UDP on 192.0.2.10:2944 .*192.0.2.20:2944.*SECURITY.md" "$TP_TMP/check.out"
sed "s|^iq = .*|iq = { listen = \"192.0.2.10:2944\"; mgc = [\"192.0.2.20:2944\"]; auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; key_file = \"$TP_TMP/iq-a.key\"; } ); };|; /^  key_file/d" \
  "$TP_TMP/dp.conf" >"$TP_TMP/nowarn.conf"
"$TP_BUILD/cp/turnpike-cp" --config "$TP_TMP/nowarn.conf" --check >"$TP_TMP/check2.out" 2>&1
tp_check "... with iq.auth for it, none" bash -c "! grep -q 'iq: H.248 over UDP' $TP_TMP/check2.out"
echo "# test_iq_trust took $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
