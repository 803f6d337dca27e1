#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Restarts keep tasks in force (issue 70 slice 9, docs/design/li.md §5): a
# test ADMF (lib/li_admf.py) activates two tasks towards one test MF
# (lib/li_mf.py, TLS; tshark's 5gli reads its pcap): one on the TURN user
# test (NAI test@turnpike.test), whose allocation relays ChannelData to an
# echoing peer (lib/li_restart_clients.py, LI-PHASE-T-n), and one on the
# address 10.210.0.3, an SRTP-SRTP call's through the access gateway (the
# JSON door, libsrtp2 ends: lib/srtp_call.py). The user other's allocation
# (LI-PHASE-O-n) and a call on 10.210.0.2 run all along, untargeted.
#   a. both sessions' X3 arrive at the MF, both ways;
#   b. dp stopped and started: once cp installed the allocation and the
#      context again, the same sessions' X3 arrive again under the same
#      correlation IDs (cp taps each reinstall: li_taps.c's observer, the
#      RTP_ADD's RTP_TAP); the untargeted ones still give nothing;
#   c. cp killed (SIGKILL): X3 goes on without it; a cp started again
#      reads the tasks back from li.db (GetTaskDetails answers them), its
#      first pass tells dp every allocation's and context's tap, and X3
#      goes on under the same correlation IDs; the allocation is told
#      "ongoing" (an X2 event 6 with its X3's correlation ID);
#   d. DeactivateTask of both after cp's restart: no PDU of either task
#      arrives once a second has passed;
#   e. a restarted cp takes back a tap an earlier cp left in dp (review S2,
#      V1): two tasks activated again (new XIDs), cp killed, the tasks'
#      rows removed from li.db with sqlite3 while it is down (the record a
#      deactivation leaves, its untap lost with the crash that followed
#      the store's commit), cp started: its first pass says "off" to both
#      sessions, and their X3 stops.
# Nothing malformed; no log names a task.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
start=$SECONDS
PY=/usr/bin/python3
LIB=$HERE/lib
CALL="$PY $LIB/srtp_call.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
SUITE=AES_CM_128_HMAC_SHA1_80
command -v tshark >/dev/null || tp_die "tshark missing (tools/bootstrap installs it)"
command -v turnutils_peer >/dev/null || tp_die "turnutils_peer missing (tools/bootstrap installs coturn)"
command -v sqlite3 >/dev/null || tp_die "sqlite3 missing (tools/bootstrap installs it)"

pki=$TP_TMP/pki; mkdir -p "$pki"
. "$HERE/lib/li_pki.sh"
mkca li-ca && mkcert x1 li-ca 'extendedKeyUsage=serverAuth' &&
  mkcert admf li-ca 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:admf-1' &&
  mkcert x2x3 li-ca 'extendedKeyUsage=clientAuth' &&
  mkcert mf li-ca 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1' ||
  tp_die "openssl could not make the test certificates"

port=$((20000 + $$ % 20000)); mfport=$((port + 2))
DB=$TP_TMP/state/li.db
mkdir -p "$TP_TMP/state" "$TP_TMP/run"
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; };
li = { ne_id = \"tp-li-test\"; store = \"$DB\";
       x1 = { listen = \"127.0.0.1:$port\"; cert = \"$pki/x1.crt\"; key = \"$pki/x1.key\";
              client_ca = \"$pki/li-ca.crt\"; admf_id = \"admf-1\"; };
       x2x3 = { cert = \"$pki/x2x3.crt\"; key = \"$pki/x2x3.key\"; ca = \"$pki/li-ca.crt\"; }; };"

$PY "$LIB/li_mf.py" --port "$mfport" --cert "$pki/mf.crt" --key "$pki/mf.key" \
  --ca "$pki/li-ca.crt" --pcap "$TP_TMP/x3.pcap" >"$TP_TMP/mf.log" 2>&1 &
MF_PID=$!
R=$TP_TMP/run
# (the MF, the clients and the calls' ends go with the scratch directory)
li_cleanup() {
  local rc=$?
  touch "$R/stop" "$TP_TMP/stop" 2>/dev/null
  kill "$MF_PID" ${CL_PID:-} 2>/dev/null
  (exit $rc); tp_cleanup
}
trap li_cleanup EXIT
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" turnpike-cp 10
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2
# the target caller's address (the TURN clients keep 10.210.0.2, the
# namespace's first: the address task never meets them)
$C ip addr add 10.210.0.3/24 dev "$TP_IF_A" || tp_die "cannot add the caller's address"

x1() {
  $PY "$LIB/li_admf.py" --host 127.0.0.1 --port "$port" --ca "$pki/li-ca.crt" \
    --cert "$pki/admf.crt" --key "$pki/admf.key" "$@" >"$TP_TMP/answer" 2>"$TP_TMP/status" &&
    grep -q '<oK>AcknowledgedAndCompleted</oK>' "$TP_TMP/answer" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }
}
# details XID: GetTaskDetails answers the task
details() {
  $PY "$LIB/li_admf.py" --host 127.0.0.1 --port "$port" --ca "$pki/li-ca.crt" \
    --cert "$pki/admf.crt" --key "$pki/admf.key" GetTaskDetails "<xId>$1</xId>" \
    >"$TP_TMP/answer" 2>"$TP_TMP/status" && grep -qi "<xId>$1</xId>" "$TP_TMP/answer" &&
    grep -q '<taskDetails>' "$TP_TMP/answer" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer" | head -c 600)"; return 1; }
}
NAI=test@turnpike.test
TARGET=10.210.0.3
XT=7a3c5e10-2b4d-4f6a-8c9e-0123456789c1     # the TURN user's task
XR=7a3c5e10-2b4d-4f6a-8c9e-0123456789c2     # the caller's address task
XT2=7a3c5e10-2b4d-4f6a-8c9e-0123456789c3    # phase e's
XR2=7a3c5e10-2b4d-4f6a-8c9e-0123456789c4
DID=d2d2d2d2-0000-4000-8000-00000000000b
DEST="<destinationDetails><dId>$DID</dId><deliveryType>X2andX3</deliveryType><deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:IPv4Address>127.0.0.1</etsi280:IPv4Address></etsi280:address><etsi280:port><etsi280:TCPPort>$mfport</etsi280:TCPPort></etsi280:port></ipAddressAndPort></deliveryAddress></destinationDetails>"
task() {   # task XID TARGET-IDENTIFIER
  echo "<taskDetails><xId>$1</xId><targetIdentifiers><targetIdentifier>$2</targetIdentifier></targetIdentifiers><deliveryType>X2andX3</deliveryType><listOfDIDs><dId>$DID</dId></listOfDIDs></taskDetails>"
}
tp_check "CreateDestination (X2andX3, the MF): acknowledged" x1 CreateDestination "$DEST"
tp_check "ActivateTask on $NAI: acknowledged" x1 ActivateTask "$(task $XT "<nai>$NAI</nai>")"
tp_check "ActivateTask on the caller's address $TARGET: acknowledged" \
  x1 ActivateTask "$(task $XR "<ipv4Address>$TARGET</ipv4Address>")"

# the TURN clients: the target's allocation and the other's, relaying all along
echo A >"$R/phase"
$C $PY "$LIB/li_restart_clients.py" 10.210.0.1 10.211.0.2 3480 "$R" \
  >"$TP_TMP/clients.log" 2>&1 &
CL_PID=$!
# wait_for SECS CMD...: until CMD holds, up to SECS
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; "$@"; }
waitfile() { for _ in $(seq 300); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
tp_need waitfile "$R/ready"
sed 's/^/# /' "$TP_TMP/clients.log"
# the calls: the target's SRTP-SRTP (the UE on $TARGET), the other's RTP-RTP
# (on 10.210.0.2), each end on until $TP_TMP/stop
key() { $PY -c 'import base64,os; print(base64.b64encode(os.urandom(30)).decode())'; }
KU=$(key) KC=$(key)
tp_check "the target's call: SRTP-SRTP, the UE on $TARGET" \
  create call --a "rtp=savp,local=10.210.0.1,remote=$TARGET:5004,rtcp_mux=true,crypto=$SUITE:$KU,our_crypto=$SUITE" \
              --b "rtp=savp,local=10.211.0.1,remote=10.211.0.2:6004,crypto=$SUITE:$KC,our_crypto=$SUITE"
tp_check "the other call: RTP-RTP, on 10.210.0.2" \
  create call2 --a "rtp=avp,local=10.210.0.1,remote=10.210.0.2:5204,rtcp_mux=true" \
               --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6204"
lport() { j "$TP_TMP/$1.json" "d['legs'][$2]['local'].rsplit(':',1)[1]"; }
pa=$(lport call 0); pb=$(lport call 1); pa2=$(lport call2 0); pb2=$(lport call2 1)
KA=$(j "$TP_TMP/call.json" 'd["legs"][0]["our_crypto"]["key"]')
KB=$(j "$TP_TMP/call.json" 'd["legs"][1]["our_crypto"]["key"]')
# tags: 1 the UE, 2 its core end (the target's call); 3, 4 the other call
$C $CALL $TARGET 5004 10.210.0.1 "$pa" --mux --tag 1 --peer-tag 2 --tx-key "$KU" \
  --rx-key "$KA" --status "$TP_TMP/ue.st" --stop "$TP_TMP/stop" &
$C $CALL 10.210.0.2 5204 10.210.0.1 "$pa2" --mux --tag 3 --peer-tag 4 \
  --status "$TP_TMP/ue2.st" --stop "$TP_TMP/stop" &
sleep 0.3   # (the UEs latch first)
$P $CALL 10.211.0.2 6004 10.211.0.1 "$pb" --tag 2 --peer-tag 1 --tx-key "$KC" \
  --rx-key "$KB" --status "$TP_TMP/core.st" --stop "$TP_TMP/stop" &
$P $CALL 10.211.0.2 6204 10.211.0.1 "$pb2" --tag 4 --peer-tag 3 \
  --status "$TP_TMP/core2.st" --stop "$TP_TMP/stop" &

# decode: tshark's reading of the pcap so far into pdus.txt, one PDU a
# line (xid|direction|payload format|PDU type|correlation|payload), and
# anything malformed into bad.txt; prints the count
decode() {
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" -T fields -E separator='|' \
    -e li5g.xid -e li5g.pd -e li5g.pf -e li5g.type -e li5g.cid -e li5g.pld -e data.data -e li5g.sq \
    >"$TP_TMP/pdus.txt" 2>"$TP_TMP/pdus.err"
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" \
    -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null >>"$TP_TMP/bad.txt"
  grep -c . "$TP_TMP/pdus.txt"
}
# tally FROM OUT: the PDUs from line FROM on, as JSON in OUT:
#   turn: {"PHASE-T|O": {"XID|CID|DIR": n}} (format 5, the clients' marks)
#   rtp:  {"TAG": {"XID|CID|DIR": n}} (format 8, srtp_call.py's SSRCs)
#   x2:   [[XID, CID, event]]; xids: {XID: n}; n: PDUs; sq: {CID: [least,
#   greatest]} (X3's sequence numbers)
tally() {
  PYTHONPATH=$LIB $PY - "$TP_TMP/pdus.txt" "$1" >"$2" <<'PYEOF'
import json, re, sys
sys.dont_write_bytecode = True
import li_x2
rows = [l.rstrip('\n').split('|') for l in open(sys.argv[1]) if l.strip()][int(sys.argv[2]):]
out = {'turn': {}, 'rtp': {}, 'x2': [], 'xids': {}, 'n': len(rows), 'other': [], 'sq': {}}
for r in rows:
    # (tshark gives a field once for each time the PDU is dissected: the first)
    xid, pd, pf, typ, cid, pld, data, sq = [f.split(',')[0] for f in (r + [''] * 8)[:8]]
    if typ == '3':
        continue                           # (a keepalive)
    xid = xid.replace('-', '').lower()
    out['xids'][xid] = out['xids'].get(xid, 0) + 1
    b = bytes.fromhex((pld or data).replace(':', ''))
    key = '%s|%s|%s' % (xid, cid, pd)
    if typ == '2' and sq:
        lo, hi = out['sq'].get(cid, [1 << 32, 0])
        out['sq'][cid] = [min(lo, int(sq)), max(hi, int(sq))]
    if typ == '1':
        try:
            out['x2'].append([xid, cid, li_x2.event(b)['event']])
        except ValueError as err:
            out['other'].append('X2 unread: %s' % err)
    elif pf == '5':
        m = re.search(rb'LI-([A-Z0-9]+)-([TO])-', b + bytes.fromhex(data.replace(':', '')))
        k = '%s-%s' % (m.group(1).decode(), m.group(2).decode()) if m else '?'
        out['turn'].setdefault(k, {})
        out['turn'][k][key] = out['turn'][k].get(key, 0) + 1
    elif pf == '8' and len(b) >= 12:
        k = str(int.from_bytes(b[8:12], 'big') - 0x7e570000)
        out['rtp'].setdefault(k, {})
        out['rtp'][k][key] = out['rtp'][k].get(key, 0) + 1
    else:
        out['other'].append('format %s type %s' % (pf, typ))
json.dump(out, sys.stdout)
PYEOF
}
x() { echo "$1" | tr -d '-'; }
# cids FILE WHAT: the correlation IDs of the target's TURN (turn) or RTP
# (rtp) X3 in FILE's tally, one a line
cids() {
  $PY - "$1" "$2" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
print('\n'.join(sorted(set(k.split('|')[1] for v in d[sys.argv[2]].values() for k in v))))
PYEOF
}
# x3 FILE WHAT KEY XID CID MIN [DIRS]: WHAT's KEY (a TURN phase's target
# mark, an RTP tag) carried at least MIN PDUs in each of DIRS (default
# both: direction 3 from the target, 2 to it), every one with XID and CID
x3() {
  $PY - "$@" <<'PYEOF'
import json, sys
f, what, key, xid, cid, mn = sys.argv[1:7]
dirs = (sys.argv[7] if len(sys.argv) > 7 else '3 2').split()
d = json.load(open(f))
got = d[what].get(key, {})
want = {'%s|%s|%s' % (xid, cid, p) for p in dirs}
n = {k: got.get(k, 0) for k in want}
ok = set(got) == want and all(v >= int(mn) for v in n.values())
print('# %s %s: %s' % (what, key, got))
sys.exit(0 if ok else 1)
PYEOF
}
# none FILE XID...: no PDU in FILE's tally carries any of the XIDs, nor the
# other user's marks or the other call's tags
none() {
  $PY - "$@" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
bad = {x: d['xids'][x] for x in sys.argv[2:] if x in d['xids']}
bad.update({k: v for k, v in d['turn'].items() if k.endswith('-O')})
bad.update({'tag ' + k: v for k, v in d['rtp'].items() if k in ('3', '4')})
if bad or d['other']:
    print('# found: %s %s' % (bad, d['other'][:3]))
sys.exit(1 if bad or d['other'] else 0)
PYEOF
}

# ---- a. both sessions' X3 at the MF
sleep 2
n0=$(decode); tally 0 "$TP_TMP/a.json"
tp_check "a: the TURN user's relaying: X3 both ways, its task's XID" \
  x3 "$TP_TMP/a.json" turn A-T "$(x $XT)" "$(cids "$TP_TMP/a.json" turn)" 10
tp_check "a: the target's call: X3 (format 8) from the target, its task's XID" \
  x3 "$TP_TMP/a.json" rtp 1 "$(x $XR)" "$(cids "$TP_TMP/a.json" rtp | tail -1)" 30 3
tp_check "a: ... and its core end's to the target" \
  x3 "$TP_TMP/a.json" rtp 2 "$(x $XR)" "$(cids "$TP_TMP/a.json" rtp | tail -1)" 30 2
CT=$(cids "$TP_TMP/a.json" turn); CR=$(cids "$TP_TMP/a.json" rtp)
tp_check "a: one correlation ID a session (TURN $CT, RTP $CR)" \
  test "$(echo "$CT" | wc -l)" = 1 -a "$(echo "$CR" | wc -l)" = 1 -a "$CT" != "$CR"
tp_check "a: the other user and the other call: nothing" none "$TP_TMP/a.json"

# ---- b. dp stopped and started: cp installs and taps again
restarted() { grep -q 'dp restarted' "$TP_CP_LOG"; }
tp_check "b: dp stops" tp_dp_stop
echo B0 >"$R/phase"
tp_dp_start "$TP_TMP/dp.conf"
# (the new dp's tap interface: the caller's address again)
$C ip addr add 10.210.0.3/24 dev "$TP_IF_A" || tp_die "cannot add the caller's address again"
tp_check "b: cp saw dp's restart" wait_for 10 restarted
sleep 1
echo B >"$R/phase"
nb=$(decode)
sleep 2
decode >/dev/null; tally "$nb" "$TP_TMP/b.json"
tp_check "b: after dp's restart, the TURN user's X3 again both ways, the same correlation ID" \
  x3 "$TP_TMP/b.json" turn B-T "$(x $XT)" "$CT" 10
tp_check "b: the target's call's X3 again (from the target), the same correlation ID" \
  x3 "$TP_TMP/b.json" rtp 1 "$(x $XR)" "$CR" 30 3
tp_check "b: ... its core end's too" x3 "$TP_TMP/b.json" rtp 2 "$(x $XR)" "$CR" 30 2
tp_check "b: the other user and the other call: still nothing" none "$TP_TMP/b.json"
# (a restarted dp's taps number their copies from 0 again: docs/design/li.md §5)
echo "# X3 sequence numbers by correlation ID, before dp's restart $(j "$TP_TMP/a.json" 'd["sq"]'), after $(j "$TP_TMP/b.json" 'd["sq"]')"
tp_check "b: the clients' relaying went on (echoes of B)" \
  jt "$R/echoes" 'd.get("B-T", 0) > 10 and d.get("B-O", 0) > 10'

# ---- c. cp killed and started again
nk=$(decode)
kill -KILL "$TP_CP_PID"; wait "$TP_CP_PID" 2>/dev/null; TP_CP_PID=
echo C0 >"$R/phase"
sleep 1
decode >/dev/null; tally "$nk" "$TP_TMP/c0.json"
tp_check "c: cp down: the TURN user's X3 goes on (dp's tap)" \
  x3 "$TP_TMP/c0.json" turn C0-T "$(x $XT)" "$CT" 5
rm -f "$TP_TMP/cp.sock"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" turnpike-cp 10
tp_check "c: the restarted cp has the TURN task back from li.db (GetTaskDetails)" details $XT
tp_check "c: ... and the address task" details $XR
sleep 1   # (its first pass, once ready)
echo C >"$R/phase"
nc=$(decode)
sleep 2
decode >/dev/null; tally "$nc" "$TP_TMP/c.json"; tally "$nk" "$TP_TMP/ck.json"
tp_check "c: after cp's restart and its first pass, the TURN user's X3 both ways, the same correlation ID" \
  x3 "$TP_TMP/c.json" turn C-T "$(x $XT)" "$CT" 10
tp_check "c: the target's call's X3 from it, the same correlation ID" \
  x3 "$TP_TMP/c.json" rtp 1 "$(x $XR)" "$CR" 30 3
tp_check "c: ... its core end's too" x3 "$TP_TMP/c.json" rtp 2 "$(x $XR)" "$CR" 30 2
tp_check "c: the other user and the other call: still nothing" none "$TP_TMP/ck.json"
tp_check "c: the restarted cp told the allocation \"ongoing\" (X2 event 6, the X3's correlation ID)" \
  jt "$TP_TMP/ck.json" "['$(x $XT)', '$CT', 6] in d['x2']"

# ---- d. DeactivateTask after cp's restart: nothing more within a second
echo D >"$R/phase"
tp_check "d: DeactivateTask (the TURN user's): acknowledged" x1 DeactivateTask "<xId>$XT</xId>"
tp_check "d: DeactivateTask (the caller's): acknowledged" x1 DeactivateTask "<xId>$XR</xId>"
sleep 1
nd=$(decode)
sleep 1.5
decode >/dev/null; tally "$nd" "$TP_TMP/d.json"
tp_check "d: a second after the deactivations, no PDU of either task" \
  none "$TP_TMP/d.json" "$(x $XT)" "$(x $XR)"
tp_check "d: ... while both sessions went on (echoes of D, the call's core end hears the UE)" \
  jt "$R/echoes" 'd.get("D-T", 0) > 10'

# ---- e. a tap an earlier cp left in dp: the restarted cp's first pass says "off"
tp_check "e: ActivateTask again (a new XID) on $NAI: acknowledged" \
  x1 ActivateTask "$(task $XT2 "<nai>$NAI</nai>")"
tp_check "e: ... and on $TARGET" x1 ActivateTask "$(task $XR2 "<ipv4Address>$TARGET</ipv4Address>")"
echo E >"$R/phase"
ne=$(decode)
sleep 1.5
decode >/dev/null; tally "$ne" "$TP_TMP/e.json"
CT2=$(cids "$TP_TMP/e.json" turn); CR2=$(cids "$TP_TMP/e.json" rtp)
tp_check "e: the TURN user's X3 under the new task" x3 "$TP_TMP/e.json" turn E-T "$(x $XT2)" "$CT2" 10
tp_check "e: the call's under the new task" x3 "$TP_TMP/e.json" rtp 1 "$(x $XR2)" "$CR2" 20 3
kill -KILL "$TP_CP_PID"; wait "$TP_CP_PID" 2>/dev/null; TP_CP_PID=
# what a DeactivateTask of both commits to li.db (li_store.c's
# del_task_rows(), in one transaction), its untaps lost with cp
in="'$XT2', '$XR2'"
tp_check "e: li.db holds both tasks, a target and a destination each" \
  test "$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM task WHERE lower(xid) IN ($in)) || ' ' ||
    (SELECT count(*) FROM task_target WHERE lower(xid) IN ($in)) || ' ' ||
    (SELECT count(*) FROM task_did WHERE lower(xid) IN ($in))")" = "2 2 2"
tp_check "e: both tasks' rows removed from li.db while cp is down" sqlite3 "$DB" \
  "BEGIN EXCLUSIVE; DELETE FROM task WHERE lower(xid) IN ($in);
   DELETE FROM task_target WHERE lower(xid) IN ($in); DELETE FROM task_did WHERE lower(xid) IN ($in);
   COMMIT;"
echo E0 >"$R/phase"
sleep 0.5
nk=$(decode)
sleep 1
decode >/dev/null; tally "$nk" "$TP_TMP/e0.json"
tp_check "e: cp down: dp's taps still copy (the TURN user's, the call's)" \
  jt "$TP_TMP/e0.json" "d['xids'].get('$(x $XT2)', 0) > 5 and d['xids'].get('$(x $XR2)', 0) > 20"
rm -f "$TP_TMP/cp.sock"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" turnpike-cp 10
sleep 1
echo E2 >"$R/phase"
nf=$(decode)
sleep 1.5
decode >/dev/null; tally "$nf" "$TP_TMP/f.json"
tp_check "e: a second after the restarted cp was ready, no PDU of the tasks it does not hold" \
  none "$TP_TMP/f.json" "$(x $XT2)" "$(x $XR2)"
tp_check "e: ... while both sessions went on (echoes of E2)" jt "$R/echoes" 'd.get("E2-T", 0) > 10'
tp_check "tshark: no PDU malformed or with a warning" test ! -s "$TP_TMP/bad.txt"
touch "$R/stop" "$TP_TMP/stop"
sleep 1.2
for w in ue core ue2 core2; do echo "# $w: $(cut -c1-160 "$TP_TMP/$w.st")"; done
tp_check "the target's call flowed to its end (its UE heard the core after every restart)" \
  jt "$TP_TMP/ue.st" 'd["recv"] > 500 and d["auth_fail"] == 0'

# Secrecy (docs/design/li.md §2.6): no log names a task.
for s in "$NAI" "$XT" "$XR" "$XT2" "$XR2" "$DID"; do
  tp_check "no log of dp's or cp's names $s" bash -c "! grep -qiF -- '$s' '$TP_TMP'/dp.*.log '$TP_TMP'/cp.*.log"
done
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
echo "# test_li_restart: $((SECONDS - start)) s"
[ $TP_FAILS -eq 0 ]
