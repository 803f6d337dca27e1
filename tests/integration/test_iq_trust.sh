#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Who is a controller at the Iq door (cp/iq/FEATURE.md, "Who is a
# controller"; SECURITY.md's Iq): a bare controller (iq/raw_mgc.py, A) on
# a loopback address of its own, cp's Iq on another.
#   1. A controller is its configured sources, host and port: an
#      AuditValue from another port of A's host is not answered (it was:
#      any port of the host was A, and read every answer), counted
#      (datagrams_wrong_port, in status and the metrics) and logged
#      naming iq.send_from; from a port listed in iq.send_from it is
#      answered, there.
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
wait_registered() {
  for _ in $(seq 200); do
    [ "$(tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["iq"]["association"])')" = registered ] && return 0
    sleep 0.1
  done
  return 1
}

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
sleep 0.3
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

echo "# test_iq_trust took $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
