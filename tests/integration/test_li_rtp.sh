#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# X3 for the gateway's RTP (issue 70 slice 6, docs/design/li.md §3.2, §4):
# a test ADMF (lib/li_admf.py) creates an X3 destination and activates a
# task on the caller's address 10.210.0.2 (IPv4Address); two calls go
# through the access gateway at the same time (the JSON door, Debian's
# libsrtp2 at the ends, lib/srtp_call.py): the target's, SRTP-SRTP (the
# UE on 10.210.0.2, rtcp-mux, the core's end on 10.211.0.2, four keys),
# and another caller's (10.210.0.3), SRTP-RTP. A test mediation function
# (lib/li_mf.py: TLS, chained to li.x2x3.ca) writes each PDU it receives
# as a TCP segment of its own into a pcap that Debian's tshark decodes as
# 5gli. The target's call arrives both ways as X3 PDUs of payload format
# 8 (RTP), the task's XID, direction 3 from the target (its termination's
# network) and 2 to it, the target's leg's addresses and ports, distinct
# sequence numbers, timestamps; each payload byte-exact with the clear
# RTP the end sent (decrypted by dp: the UE's SRTP, the core's SRTP), as
# many of each as the other end received; no RTCP (SRTCP, decrypted) is
# delivered; the other call gives nothing. A call made before the task on
# the target's address is tapped by the activation's pass. A third call, made before the
# task and signalled on another address (10.210.0.9) but spoken from the
# target's (a NAT), is matched when it latches: its RTP both ways from its
# first few packets on. X2 (the task and destination X2andX3): the
# target's call, released while the task is on, is told created, modified
# at its latches and ended with its usage under its X3's correlation ID
# (read by lib/li_x2.py), the calls made before the task ongoing, the other
# call nothing. A BUNDLE call on the target's address (review V3): the
# owner's audio and the member's video each copied under its own context's
# correlation ID. After DeactivateTask nothing more arrives. Nothing
# malformed; dp's and cp's logs and status name no target or XID.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
PY=/usr/bin/python3
LIB=$HERE/lib
CALL="$PY $LIB/srtp_call.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
SUITE=AES_CM_128_HMAC_SHA1_80
command -v tshark >/dev/null || tp_die "tshark missing (tools/bootstrap installs it)"

pki=$TP_TMP/pki; mkdir -p "$pki"
. "$(dirname "$0")/lib/li_pki.sh"
mkca li-ca && mkcert x1 li-ca 'extendedKeyUsage=serverAuth' &&
  mkcert admf li-ca 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:admf-1' &&
  mkcert x2x3 li-ca 'extendedKeyUsage=clientAuth' &&
  mkcert mf li-ca 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1' ||
  tp_die "openssl could not make the test certificates"

port=$((20000 + $$ % 20000)); mfport=$((port + 2))
mkdir -p "$TP_TMP/state"
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "
ipc = { name = \"/$TP_ID\"; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20;
        media_ports = [40000, 40999]; media_contexts = 64; };
li = { ne_id = \"tp-li-test\"; store = \"$TP_TMP/state/li.db\";
       x1 = { listen = \"127.0.0.1:$port\"; cert = \"$pki/x1.crt\"; key = \"$pki/x1.key\";
              client_ca = \"$pki/li-ca.crt\"; admf_id = \"admf-1\"; };
       x2x3 = { cert = \"$pki/x2x3.crt\"; key = \"$pki/x2x3.key\"; ca = \"$pki/li-ca.crt\"; }; };"

$PY "$LIB/li_mf.py" --port "$mfport" --cert "$pki/mf.crt" --key "$pki/mf.key" \
  --ca "$pki/li-ca.crt" --pcap "$TP_TMP/x3.pcap" >"$TP_TMP/mf.log" 2>&1 &
MF_PID=$!
# (the MF and the calls' ends go with the scratch directory)
li_cleanup() {
  local rc=$?
  touch "$TP_TMP/stop" "$TP_TMP/stop2" 2>/dev/null
  kill "$MF_PID" 2>/dev/null
  (exit $rc); tp_cleanup
}
trap li_cleanup EXIT
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" turnpike-cp 10
# the other caller
$C ip addr add 10.210.0.3/24 dev "$TP_IF_A" || tp_die "cannot add the other caller's address"

x1() {
  $PY "$LIB/li_admf.py" --host 127.0.0.1 --port "$port" --ca "$pki/li-ca.crt" \
    --cert "$pki/admf.crt" --key "$pki/admf.key" "$@" >"$TP_TMP/answer" 2>"$TP_TMP/status" &&
    grep -q '<oK>AcknowledgedAndCompleted</oK>' "$TP_TMP/answer" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }
}
TARGET=10.210.0.2
XID=5b1e2c3d-4e5f-4a6b-8c7d-0123456789ab
DID=d3d3d3d3-0000-4000-8000-00000000000c
DEST="<destinationDetails><dId>$DID</dId><deliveryType>X2andX3</deliveryType><deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:IPv4Address>127.0.0.1</etsi280:IPv4Address></etsi280:address><etsi280:port><etsi280:TCPPort>$mfport</etsi280:TCPPort></etsi280:port></ipAddressAndPort></deliveryAddress></destinationDetails>"
TASK="<taskDetails><xId>$XID</xId><targetIdentifiers><targetIdentifier><ipv4Address>$TARGET</ipv4Address></targetIdentifier></targetIdentifiers><deliveryType>X2andX3</deliveryType><listOfDIDs><dId>$DID</dId></listOfDIDs></taskDetails>"
tp_check "CreateDestination (X2andX3, the MF): acknowledged" x1 CreateDestination "$DEST"
# a third call, made before the task, signalled elsewhere (10.210.0.9) but
# spoken from the target's address (a NAT): matched when it latches
tp_check "a call signalled on 10.210.0.9, before the task: RTP-RTP" \
  create call3 --a "rtp=avp,local=10.210.0.1,remote=10.210.0.9:5404,rtcp_mux=true" \
               --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6404"
# a fourth, made before the task, signalled on the target's address: the
# activation's pass over the contexts taps it
tp_check "a call signalled on $TARGET, before the task: RTP-RTP" \
  create call4 --a "rtp=avp,local=10.210.0.1,remote=$TARGET:5604,rtcp_mux=true" \
               --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6604"
tp_check "ActivateTask on the caller's address $TARGET: acknowledged" x1 ActivateTask "$TASK"

key() { $PY -c 'import base64,os; print(base64.b64encode(os.urandom(30)).decode())'; }
KU=$(key) KC=$(key) KU2=$(key)
tp_check "the target's call: SRTP-SRTP, the UE on $TARGET" \
  create call --a "rtp=savp,local=10.210.0.1,remote=$TARGET:5004,rtcp_mux=true,crypto=$SUITE:$KU,our_crypto=$SUITE" \
              --b "rtp=savp,local=10.211.0.1,remote=10.211.0.2:6004,crypto=$SUITE:$KC,our_crypto=$SUITE"
tp_check "another caller's call at the same time: SRTP-RTP, on 10.210.0.3" \
  create call2 --a "rtp=savp,local=10.210.0.1,remote=10.210.0.3:5204,crypto=$SUITE:$KU2,our_crypto=$SUITE" \
               --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6204"
lport() { j "$TP_TMP/$1.json" "d['legs'][$2]['local'].rsplit(':',1)[1]"; }
pa=$(lport call 0); pb=$(lport call 1); pa2=$(lport call2 0); pb2=$(lport call2 1)
pa3=$(lport call3 0); pb3=$(lport call3 1); pa4=$(lport call4 0); pb4=$(lport call4 1)
KA=$(j "$TP_TMP/call.json" 'd["legs"][0]["our_crypto"]["key"]')
KB=$(j "$TP_TMP/call.json" 'd["legs"][1]["our_crypto"]["key"]')
KA2=$(j "$TP_TMP/call2.json" 'd["legs"][0]["our_crypto"]["key"]')
sleep 0.3

# phase 1: 2 s of both calls (50 packets a second each way)
# ends PHASE STOPFILE T: the eight ends, their status in NAME.PHASE.st, the
# senders' tags T..T+3 and T+8..T+11 (a phase's SSRCs its own: the same
# sequence numbers under the same keys again would be replays)
ends() {
  local pids t=$3
  $C $CALL $TARGET 5004 10.210.0.1 "$pa" --mux --tag $t --peer-tag $((t + 1)) --tx-key "$KU" \
    --rx-key "$KA" --status "$TP_TMP/ue.$1.st" --stop "$2" &
  pids=($!)
  $C $CALL 10.210.0.3 5204 10.210.0.1 "$pa2" --tag $((t + 2)) --peer-tag $((t + 3)) --tx-key "$KU2" \
    --rx-key "$KA2" --status "$TP_TMP/ue2.$1.st" --stop "$2" &
  pids+=($!)
  $C $CALL $TARGET 5404 10.210.0.1 "$pa3" --mux --tag $((t + 8)) --peer-tag $((t + 9)) \
    --status "$TP_TMP/ue3.$1.st" --stop "$2" &
  pids+=($!)
  $C $CALL $TARGET 5604 10.210.0.1 "$pa4" --mux --tag $((t + 10)) --peer-tag $((t + 11)) \
    --status "$TP_TMP/ue4.$1.st" --stop "$2" &
  pids+=($!)
  sleep 0.3   # (the UEs latch first: the core's ends send to them then)
  $P $CALL 10.211.0.2 6004 10.211.0.1 "$pb" --tag $((t + 1)) --peer-tag $t --tx-key "$KC" \
    --rx-key "$KB" --status "$TP_TMP/core.$1.st" --stop "$2" &
  pids+=($!)
  $P $CALL 10.211.0.2 6204 10.211.0.1 "$pb2" --tag $((t + 3)) --peer-tag $((t + 2)) \
    --status "$TP_TMP/core2.$1.st" --stop "$2" &
  pids+=($!)
  $P $CALL 10.211.0.2 6404 10.211.0.1 "$pb3" --tag $((t + 9)) --peer-tag $((t + 8)) \
    --status "$TP_TMP/core3.$1.st" --stop "$2" &
  pids+=($!)
  $P $CALL 10.211.0.2 6604 10.211.0.1 "$pb4" --tag $((t + 11)) --peer-tag $((t + 10)) \
    --status "$TP_TMP/core4.$1.st" --stop "$2" &
  pids+=($!)
  sleep 2; touch "$2"; wait "${pids[@]}"
}
ends 1 "$TP_TMP/stop" 1
for w in ue core ue2 core2 ue3 core3 ue4 core4; do echo "# $w: $(cat "$TP_TMP/$w.1.st")" | cut -c1-200; done
sleep 1

# decode NAME: tshark's reading of the pcap, one PDU a line:
# xid|direction|src|dst|sport|dport|seq|format|payload(hex)|timestamp|correlation
decode() {
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" -T fields -E separator='|' \
    -e li5g.xid -e li5g.pd -e li5g.srcip -e li5g.dstip -e li5g.srcport -e li5g.dstport \
    -e li5g.sq -e li5g.pf -e li5g.pld -e li5g.ts -e li5g.cid >"$TP_TMP/$1.txt" 2>"$TP_TMP/$1.err"
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" \
    -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null >"$TP_TMP/$1.bad"
}
decode phase1
sed 's/^/# /' "$TP_TMP/phase1.txt" | cut -c1-160 | head -4
tp_check "tshark: no PDU malformed or with a warning" test ! -s "$TP_TMP/phase1.bad"
judge() {   # judge FILE PHASE WANT: the PDUs against what the ends sent and received
  PYTHONPATH=$LIB $PY - "$@" "$XID" "$TARGET" "$pa" "$TP_TMP" "$pa3" "$pa4" <<'PYEOF'
import json, sys
from srtp_lib import packet
path, phase, want, xid, target, pa, tmp, pa3, pa4 = sys.argv[1:10]
rows = [l.rstrip('\n').split('|') for l in open(path) if l.strip()]
# (tshark gives a field once for each time the PDU is dissected: the first)
rows = [[f.split(',')[0] for f in r] for r in rows]
pdus = [dict(xid=r[0], pd=r[1], src=r[2], dst=r[3], sp=r[4], dp=r[5], sq=r[6], pf=r[7],
             pl=bytes.fromhex(r[8].replace(':', '')), ts=r[9], cid=r[10]) for r in rows]
# (X2, payload format 4, is judged by judge_x2)
pdus = [p for p in pdus if p['pf'] != '4']
st = {w: json.load(open('%s/%s.%s.st' % (tmp, w, phase)))
      for w in ('ue', 'core', 'ue2', 'core2', 'ue3', 'core3', 'ue4', 'core4')}
ok = True
def need(c, what):
    global ok
    if not c:
        print('# FAILED:', what); ok = False
def which(pl):  # (tag, k) of a packet of srtp_call.py's, or None
    if len(pl) < 12:
        return None
    tag = int.from_bytes(pl[8:12], 'big') - 0x7e570000
    k = int.from_bytes(pl[2:4], 'big')
    for kk in range(k, k + 65536 * 4, 65536):
        if packet(tag, kk) == pl:
            return tag, kk
    return None
if want == 'none':
    need(not pdus, 'no PDU (%d)' % len(pdus))
    sys.exit(0 if ok else 1)
frm = [p for p in pdus if p['pd'] == '3']
to = [p for p in pdus if p['pd'] == '2']
need(len(frm) + len(to) == len(pdus), 'every PDU from or to the target')
for p in pdus:
    need(p['xid'].replace('-', '').lower() == xid.replace('-', ''), 'the task XID: %s' % p['xid'])
    need(p['pf'] == '8', 'payload format 8 (RTP): %s' % p['pf'])
    need(p['sq'] != '' and p['ts'] != '', 'a sequence number and a timestamp')
got = {}
# tags: 1 the target's UE (SRTP), 2 its core end; 9 the NATed UE on the
# target's address (RTP), 10 its core end; 11, 12 the call the activation
# tapped; 3, 4 the other caller's call
leg = {1: (target, '5004', '10.210.0.1', pa), 9: (target, '5404', '10.210.0.1', pa3),
       11: (target, '5604', '10.210.0.1', pa4)}
for p in frm:
    w = which(p['pl'])
    need(w is not None and w[0] in leg, 'from the target: the UE\'s clear RTP, byte-exact: %s' % p['pl'][:16].hex())
    if w is None or w[0] not in leg:
        continue
    need((p['src'], p['sp'], p['dst'], p['dp']) == leg[w[0]],
         'from the target: its leg as it came: %s' % {k: p[k] for k in ('src', 'sp', 'dst', 'dp')})
    got.setdefault(w[0], []).append(w)
for p in to:
    w = which(p['pl'])
    need(w is not None and w[0] - 1 in leg, 'to the target: the core\'s clear RTP, byte-exact: %s' % p['pl'][:16].hex())
    if w is None or w[0] - 1 not in leg:
        continue
    l = leg[w[0] - 1]
    need((p['src'], p['sp'], p['dst'], p['dp']) == (l[2], l[3], l[0], l[1]),
         'to the target: its leg as it went: %s' % {k: p[k] for k in ('src', 'sp', 'dst', 'dp')})
    got.setdefault(w[0], []).append(w)
n1, n2 = len(set(got.get(1, ()))), len(set(got.get(2, ())))
n9, n10 = len(set(got.get(9, ()))), len(set(got.get(10, ())))
print('# the call matched at its latch: %d PDUs from the target (UE3 sent %d), %d to it '
      '(core3 sent %d)' % (n9, st['ue3']['sent'], n10, st['core3']['sent']))
need(n9 == len(got.get(9, ())) and n10 == len(got.get(10, ())), 'no packet twice (latched call)')
# (its first packets, before the latch's tap reached dp, are not copied)
need(st['ue3']['sent'] - 5 <= n9 <= st['ue3']['sent'] and n9 > 50,
     'the call matched at its latch: its UE\'s RTP from the first few on')
need(st['core3']['sent'] - 5 <= n10 <= st['core3']['sent'] and n10 > 50,
     'the call matched at its latch: its core\'s RTP to the target')
need(len(got.get(1, ())) == n1 and len(got.get(2, ())) == n2, 'no packet twice')
n11, n12 = len(set(got.get(11, ()))), len(set(got.get(12, ())))
print('# the call the activation tapped: %d PDUs from the target (UE4 sent %d), %d to it '
      '(core4 sent %d)' % (n11, st['ue4']['sent'], n12, st['core4']['sent']))
need(n11 == len(got.get(11, ())) == st['ue4']['sent'] > 50 and
     n12 == len(got.get(12, ())) == st['core4']['sent'] > 50,
     'the call the activation tapped: every packet both ways, once')
print('# the SRTP call: %d PDUs from the target, %d to it; the UE sent %d, the core %d'
      % (n1, n2, st['ue']['sent'], st['core']['sent']))
# (every packet an end sent was relayed, and copied: the other end may
# have missed the first ones, sent before it listened)
need(n1 == st['ue']['sent'] and n1 >= st['core']['recv'] > 50,
     'one from the target for each packet the UE sent')
need(n2 == st['core']['sent'] and n2 >= st['ue']['recv'] > 50,
     'one to the target for each packet the core sent')
# one correlation ID a context (the task has none: the context's id), its
# copies' sequence numbers distinct
cids = {}
for p in pdus:
    w = which(p['pl'])
    cids.setdefault(p['cid'], set()).add({1: 1, 2: 1, 9: 3, 10: 3, 11: 4, 12: 4}.get(w[0]) if w else None)
need(len(cids) == 3 and all(len(v) == 1 for v in cids.values()),
     'one correlation ID a call: %s' % cids)
for c in cids:
    seqs = [int(p['sq']) for p in pdus if p['cid'] == c]
    need(len(seqs) == len(set(seqs)), 'sequence numbers distinct under %s' % c)
for w in st:
    s = st[w]
    need(s['auth_fail'] == 0 and s['bad'] == 0 and s['recv'] > 50, '%s: its call flowed clean' % w)
sys.exit(0 if ok else 1)
PYEOF
}
tp_check "the target's call: format 8 both ways, byte-exact, its leg, XID, sequence; no RTCP; the other call nothing" \
  judge "$TP_TMP/phase1.txt" 1 have

# X2 (docs/design/li.md §3.2): the target's call released while the task
# is on: its events at the MF, read by the tests' own reader (lib/li_x2.py)
tp_ctl agw release "$(ctx_id call)" >/dev/null
sleep 1
decode phase1b
tp_check "tshark: no PDU malformed or with a warning (X2 too)" test ! -s "$TP_TMP/phase1b.bad"
judge_x2() {   # judge_x2 FILE: the X2 events of the calls
  PYTHONPATH=$LIB PYTHONDONTWRITEBYTECODE=1 $PY - "$@" "$XID" "$TARGET" "$TP_TMP" \
    "$(ctx_id call)" "$(ctx_id call2)" "$(ctx_id call3)" "$(ctx_id call4)" <<'PYEOF'
import json, sys
import li_x2
path, xid, target, tmp, c1, c2, c3, c4 = sys.argv[1:9]
ids = {int(c1): 'call', int(c2): 'call2', int(c3): 'call3', int(c4): 'call4'}
rows = [[f.split(',')[0] for f in l.rstrip('\n').split('|')] for l in open(path) if l.strip()]
x2 = [dict(xid=r[0], pd=r[1], sq=int(r[6]), ev=li_x2.event(bytes.fromhex(r[8].replace(':', ''))),
           cid=r[10]) for r in rows if r[7] == '4']
x3 = [dict(src=r[2], sp=r[4], dst=r[3], dp=r[5], cid=r[10]) for r in rows if r[7] == '8']
ok = True
def need(c, what):
    global ok
    if not c:
        print('# FAILED:', what); ok = False
for e in x2:
    print('# X2 %s seq %d cid %s: %s' % (ids.get(e['ev'].get(1), '?'), e['sq'], e['cid'],
                                        li_x2.describe(e['ev']))[:300])
    need(e['xid'].replace('-', '').lower() == xid.replace('-', ''), 'X2: the task XID')
    need(e['pd'] in ('3', '5'), 'X2: direction 3 or 5: %s' % e['pd'])
by = {}
for e in x2:
    by.setdefault(ids.get(e['ev'].get(1)), []).append(e)
need(None not in by, 'X2 only of the calls: %s' % by.get(None))
need('call2' not in by, 'the other caller\'s call: no X2')
ue = json.load(open('%s/ue.1.st' % tmp))
c = by.get('call', [])
ev = [e['ev']['event'] for e in c]
print('# the target\'s call: events %s' % ev)
need(ev[:1] == [16] and ev[-1:] == [19] and ev.count(16) == 1 and ev.count(19) == 1,
     'the target\'s call: created first, ended last')
need(18 in ev, 'the target\'s call: modified (its latches)')
need(sorted(e['sq'] for e in c) == list(range(1, len(c) + 1)), 'its X2 numbered 1..n')
cid = {x['cid'] for x in x3 if x['src'] == target and x['sp'] == '5004'}
need(len(cid) == 1 and {e['cid'] for e in c} == cid,
     'its X2 under its X3\'s correlation ID: %s, %s' % ({e['cid'] for e in c}, cid))
if c and c[0]['ev']['event'] == 16:
    e = c[0]['ev']
    need(e['terms'].get(0, {}).get('srtp') == 'SDES' and e['terms'].get(1, {}).get('srtp') == 'SDES',
         'created: both terminations SRTP (SDES), no key')
    need(e.get(29) == 0 and e['terms'][0].get('remote') == '%s:5004' % target,
         'created: the target on term 0, its signalled remote')
if c and c[-1]['ev']['event'] == 19:
    e = c[-1]['ev']
    need(e.get(17) == 1 and e.get(30) == 1 and e.get(15, 0) > 2000,
         'ended: exact, released, its duration (%s ms)' % e.get(15))
    need(e.get(13, 0) >= ue['sent'] and e.get(14, 0) >= ue['recv'] and e.get(11, 0) > 0,
         'ended: the target\'s packets each way (%s/%s; the UE sent %d, got %d)'
         % (e.get(13), e.get(14), ue['sent'], ue['recv']))
    need(all('usage' in e['terms'].get(i, {}) for i in (0, 1)), 'ended: each termination\'s usage')
for k in ('call3', 'call4'):
    ev = [e['ev']['event'] for e in by.get(k, [])]
    need(ev[:1] == [17], '%s (made before the task): ongoing first: %s' % (k, ev))
sys.exit(0 if ok else 1)
PYEOF
}
tp_check "X2: the target's call created, modified and ended with its usage, its X3's correlation ID; ongoing for the calls made before; nothing of the other call" \
  judge_x2 "$TP_TMP/phase1b.txt"

# BUNDLE (review V3 of li.md §8): a browser on the target's address, its
# audio the owner's section, its video a member of it (no remote or latch
# of its own, its packets on the owner's port): both copied, each under
# its own context's correlation ID, and the member's X2 told
tp_check "a BUNDLE call on $TARGET: the owner (audio)" \
  create bown --a "rtp=avpf,local=10.210.0.1,remote=$TARGET:5804,rtcp_mux=true,bundle_mid=0,bundle_mid_ext=1,bundle_pt=0" \
              --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6804"
tp_check "... and a member of it (video)" \
  create bmem --a "rtp=avpf,rtcp_mux=true,bundle_with=$(ctx_id bown),bundle_mid=1,bundle_pt=96" \
              --b "rtp=avp,local=10.211.0.1,remote=10.211.0.2:6806"
sleep 0.3
decode phase1c
n_c0=$(grep -c . "$TP_TMP/phase1c.txt")
# 40 audio (mid 0, PCMU) and 40 video (mid 1, pt 96) packets from the browser
$C $PY - "$TARGET" "$(lport bown 0)" <<'PYEOF'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 5804))
for k in range(1, 41):
    for pt, ssrc, mid in ((0, 0xb0a0, b'0'), (96, 0xb0b0, b'1')):
        hdr = struct.pack('!BBHII', 0x90, pt, k, k * 160, ssrc)
        ext = b'\xbe\xde\x00\x01' + bytes([0x10]) + mid + b'\x00\x00'
        s.sendto(hdr + ext + bytes([pt ^ k]) * 100, ('10.210.0.1', int(sys.argv[2])))
    time.sleep(0.01)
PYEOF
sleep 1
decode phase1d
tp_check "tshark: no PDU malformed or with a warning (BUNDLE)" test ! -s "$TP_TMP/phase1d.bad"
judge_bundle() {
  PYTHONPATH=$LIB PYTHONDONTWRITEBYTECODE=1 $PY - "$@" <<'PYEOF'
import sys
import li_x2
path, n0, own, mem = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [[f.split(',')[0] for f in l.rstrip('\n').split('|')] for l in open(path) if l.strip()]
cid = {'%016x' % own: 'owner', '%016x' % mem: 'member'}
n = {}
x2 = []
for i, r in enumerate(rows):
    pl = bytes.fromhex(r[8].replace(':', ''))
    if r[7] == '4':
        if cid.get(r[10]):
            x2.append((cid.get(r[10]), li_x2.event(pl)))
    elif i >= n0 and r[7] == '8' and r[1] == '3' and len(pl) > 1:
        k = (cid.get(r[10]), pl[1] & 0x7f)
        n[k] = n.get(k, 0) + 1
print('# X3 from the target by (context, payload type): %s; X2: %s'
      % (n, [(w, e['event'], e.get(1)) for w, e in x2]))
ok = n.get(('member', 96)) == 40 and n.get(('owner', 0)) == 40 and len(n) == 2
ok = ok and any(w == 'member' and e['event'] == 16 and e.get(1) == mem for w, e in x2)
sys.exit(0 if ok else 1)
PYEOF
}
tp_check "BUNDLE: the member's video copied from the target (40) under the member's correlation ID, the owner's audio (40) under the owner's; the member's X2 created" \
  judge_bundle "$TP_TMP/phase1d.txt" "$n_c0" "$(ctx_id bown)" "$(ctx_id bmem)"
tp_ctl agw release "$(ctx_id bmem)" >/dev/null
tp_ctl agw release "$(ctx_id bown)" >/dev/null
sleep 0.5

tp_check "DeactivateTask: acknowledged" x1 DeactivateTask "<xId>$XID</xId>"
sleep 0.5
decode phase2a
n_before=$(grep -c . "$TP_TMP/phase2a.txt")
ends 2 "$TP_TMP/stop2" 5
sleep 1
decode phase2
n_after=$(grep -c . "$TP_TMP/phase2.txt")
tp_check "after DeactivateTask: nothing more ($n_before PDUs, then $n_after)" \
  test "$n_after" = "$n_before" -a "$n_before" -gt 100
tp_check "... while the calls flowed again" \
  jt "$TP_TMP/core4.2.st" 'd["recv"] > 50 and d["auth_fail"] == 0'

# Secrecy (docs/design/li.md §2.6): nobody but the MF learns of the task.
tp_ctl --json status >"$TP_TMP/status.json" 2>&1
for s in "$XID" "$DID" "127.0.0.1:$mfport"; do
  tp_check "dp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_DP_LOG'"
  tp_check "cp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP'/cp.*.log"
  tp_check "status does not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP/status.json'"
done
tp_check "li counters: nothing dropped" bash -c "! grep -qE '\"li_dropped_[a-z_]+\": *[1-9]' '$TP_TMP/status.json'"
tp_ctl agw release "$(ctx_id call2)" >/dev/null
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
