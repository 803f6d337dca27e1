#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Iq under a flood (cp/iq/FEATURE.md, "What a message costs"): a bare
# controller (iq/raw_mgc.py, A) registered with cp, a second controller
# configured (B) that no one runs, and senders of their own on other
# loopback addresses. What comes "from A's host" comes from a port of A's
# listed in iq.send_from (another port of its host is no controller's),
# "from B's host" from B's own address.
#   1. A stranger (an address not in iq.mgc) floods iq.listen: cp's loop
#      stays responsive (turnpikectl status answers within a bound) and
#      A's requests are answered; from A's host, messages of 32 requests
#      are answered once at most each (not one 511 per request), and
#      the log lines about messages that do not parse are paced.
#   2. B's host (B configured, not registered) sends requests at rate:
#      they are refused 505 and spend B's budget alone, A's 50 requests
#      meanwhile all run (none ran when one budget served both).
#   3. H.248.14's it/ito set by A (mit 1 s), A silent while junk comes
#      from A's host and B's host sends requests: A still hears the
#      inactivity Notify (any datagram past the address check hid it).
#   4. A 60 KB Add from A (past 8192 bytes): answered 510 on its
#      transaction, read from its first bytes, and counted in status and
#      the metrics (it got silence, counted nowhere an operator looks).
#   5. What comes from A's host over UDP may be forged (no iq.auth): no
#      answer makes the door an amplifier (cp_amp.h). The shortest
#      AuditValue (46 octets) far past the rate: no 511 for it (longer
#      than it), counted in replies_withheld; junk of 21 octets at
#      iq.max_rate: what is sent back (its 400s) within three times what
#      came.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
tp_env_init
start=$SECONDS
RAW="python3 $HERE/iq/raw_mgc.py"

# cp's Iq, A, B's host and a stranger on loopback addresses of their own
# (ports chosen by pid: the other Iq tests use 127.0.0.1)
P=$((40000 + $$ % 20000))
IQ=127.0.0.5:$P; A=127.0.0.4:$P; B=127.0.0.6:$P; STRANGER=127.0.0.7
AFROM=$((P + 1))   # A's other source (iq.send_from)
$RAW serve --listen "$A" --gw "$IQ" --ctl "$TP_TMP/a.sock" >"$TP_TMP/a.log" 2>&1 &
APID=$!
trap 'rc=$?; kill $APID 2>/dev/null; (exit $rc); tp_cleanup' EXIT
for _ in $(seq 50); do grep -q READY "$TP_TMP/a.log" && break; sleep 0.1; done

maddr=127.0.0.1:$((20000 + $$ % 20000))
TP_MBUFS=8191 tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "
ipc = { name = \"/$TP_ID\"; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; metrics = \"$maddr\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 90; };
iq = { listen = \"$IQ\"; mgc = [\"$A\", \"$B\"]; send_from = [\"127.0.0.4:$AFROM\"];
  max_rate = 100; };"
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"

a() { $RAW ctl "$TP_TMP/a.sock" "$@"; }
# stat NAME: status's iq.stats.NAME
stat() { tp_ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["iq"]["stats"].get(sys.argv[1], "absent"))' "$1"; }
# flood OUT ARGS...: a sender of its own in the background ($FPID)
flood() { local out=$1; shift; $RAW flood --to "$IQ" "$@" >"$TP_TMP/$out" 2>&1 & FPID=$!; }
fj() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TP_TMP/$1" "$2"; }

tp_check "cp registers with A" bash -c "$RAW ctl $TP_TMP/a.sock registered 20 | grep -q '^OK'"
tp_need tp_wait_until 10 "cp's Iq association registered" tp_iq_registered
tp_check "A's AuditValue on ROOT answered" bash -c "$RAW ctl $TP_TMP/a.sock burst 1 5 | grep -q 'ran=1 '"

# ---- 1. a flood: the loop stays responsive, messages answered once at most -----------
echo "# [$((SECONDS - start)) s] section 1"
flood f1.json --src "$STRANGER" --kind junk --secs 4
sleep 0.5
worst=0
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  tp_ctl status >/dev/null
  t=$(( ($(date +%s%N) - t0) / 1000000 ))
  ((t > worst)) && worst=$t
  sleep 0.2
done
burst1=$(a burst 10 3)
wait $FPID
echo "#   stranger's flood: $(cat "$TP_TMP/f1.json"), worst status $worst ms, A's burst: $burst1"
echo "#   datagrams_from_strangers $(stat datagrams_from_strangers)"
tp_check "under a stranger's flood turnpikectl status answers within 1 s (worst: $worst ms)" \
  test "$worst" -lt 1000
tp_check "... and A's 10 requests run" bash -c '[[ $1 == *"ran=10 "* ]]' _ "$burst1"
tp_check "... the stranger's datagrams counted, none answered" \
  bash -c '[ "$1" -ge 1 ] && [ "$2" = 0 ]' _ "$(stat datagrams_from_strangers)" "$(fj f1.json answers)"
flood f2.json --src 127.0.0.4 --sport $AFROM --kind multi --rate 200 --secs 2
wait $FPID
echo "#   32 requests a message from A's host: $(cat "$TP_TMP/f2.json"), requests_overload $(stat requests_overload)"
# (a reply too long for one datagram goes in two: a message answered in
# part before its budget ran out can carry a 511 in each, so up to two a
# message; one a request would be 32)
tp_check "messages of 32 requests from A's host past iq.max_rate: a 511 a reply datagram at most, not one a request" \
  bash -c '[ "$2" -ge 100 ] && [ "$1" -le "$(( 2 * $2 ))" ]' _ "$(fj f2.json busy)" "$(fj f2.json sent)"
sleep 1.2   # (A's budget back)
flood f2b.json --src 127.0.0.4 --sport $AFROM --kind junk --rate 20 --secs 2
wait $FPID
lines=$(grep -c 'iq: from .* 400 ' "$TP_CP_LOG")
echo "#   40 messages that do not parse from A's host: $lines log lines"
tp_check "40 messages that do not parse in 2 s: their log lines paced (5, then 1 a second)" \
  test "$lines" -le 10

# ---- 2. B's host floods: A's budget is A's ---------------------------------------------
echo "# [$((SECONDS - start)) s] section 2"
flood f3.json --src 127.0.0.6 --sport $P --kind audit --secs 4
sleep 0.5
burst3=$(a burst 50 3)
wait $FPID
echo "#   B's host: $(cat "$TP_TMP/f3.json"); A's 50 requests meanwhile: $burst3"
tp_check "B's host (not registered) sending at rate: every one of A's 50 requests runs" \
  bash -c '[[ $1 == *"ran=50 "* ]]' _ "$burst3"
tp_check "... B's host hears 505 (requests_before_registration), not A's 511" \
  bash -c '[ "$1" -ge 1 ]' _ "$(stat requests_before_registration)"
sleep 1.2

# ---- 3. inactivity (H.248.14 it/ito) refreshed by A's well-formed messages alone -----------
echo "# [$((SECONDS - start)) s] section 3"
tp_check "A sets it/ito on ROOT (mit 1 s)" \
  a send 5 'Transaction = TID { Context = - { Modify = ROOT { Events = 9 { it/ito { mit = 100 } } } } }'
n0=$(a notifies | sed 's/.*ito=//')
flood f4.json --src 127.0.0.4 --sport $AFROM --kind junk --rate 5 --secs 3
f4=$FPID
flood f5.json --src 127.0.0.6 --sport $P --kind audit --rate 5 --secs 3
wait $f4 $FPID
ito=$(( $(a notifies | sed 's/.*ito=//') - n0 ))
echo "#   it/ito Notifies while junk came from A's host and B's host sent requests: $ito"
tp_check "3 s of junk from A's host and requests from B's: A (silent) still hears it/ito" \
  test "$ito" -ge 1
tp_check "... Events without a request id turns it off" \
  a send 5 'Transaction = TID { Context = - { Modify = ROOT { Events } } }'

# ---- 4. a message over 8192 bytes ----------------------------------------------------------
echo "# [$((SECONDS - start)) s] section 4"
big=$(a big 60000 3)
echo "#   a 60 KB Add from A: $big; datagrams_oversize $(stat datagrams_oversize)"
tp_check "a 60 KB Add from A: answered on its transaction (510)" \
  bash -c '[[ $1 == "OK code=510 "* ]]' _ "$big"
tp_check "... counted in status (iq.stats.datagrams_oversize)" test "$(stat datagrams_oversize)" = 1
tp_check "... and in the metrics (turnpike_iq_datagrams_oversize_total)" \
  bash -c "curl -sf http://$maddr/metrics | grep -q '^turnpike_iq_datagrams_oversize_total 1\$'"

# ---- 5. no amplifier towards a forged source --------------------------------------------
# (the shortest AuditValue first: far past the rate, it leaves A's budget
# empty, so that the junk after it is answered from the rate alone)
echo "# [$((SECONDS - start)) s] section 5"
sleep 1.2
flood f7.json --src 127.0.0.4 --sport $AFROM --kind tiny --rate 1000 --secs 2
wait $FPID
flood f6.json --src 127.0.0.4 --sport $AFROM --kind junk --rate 100 --secs 4
wait $FPID
echo "#   the shortest AuditValue at 10 times iq.max_rate: $(cat "$TP_TMP/f7.json"), replies_withheld $(stat replies_withheld)"
echo "#   then junk at iq.max_rate from A's host: $(cat "$TP_TMP/f6.json")"
tp_check "the shortest AuditValue past iq.max_rate: answered within the rate, no 511 (longer than it)" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["answers"] >= 100 and d["busy"] == 0 and d["out"] <= 3 * d["in"] else 1)' "$TP_TMP/f7.json"
tp_check "... the 511s not sent counted (replies_withheld)" \
  bash -c '[ "$1" -ge 100 ]' _ "$(stat replies_withheld)"
tp_check "junk at iq.max_rate (a 400 of 92 octets for 21): the octets answered within three times those sent" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["answers"] >= 10 and d["out"] <= 3 * d["in"] else 1)' "$TP_TMP/f6.json"
echo "# test_iq_flood took $((SECONDS - start)) s"
[ "$TP_FAILS" -eq 0 ]
