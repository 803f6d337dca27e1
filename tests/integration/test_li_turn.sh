#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# X3 for TURN allocations (issue 70 slice 4, docs/design/li.md §4): a test
# ADMF (lib/li_admf.py) creates an X3 destination and activates a task on
# the TURN user "test" (NAI test@turnpike.test) while that user and
# another ("other") hold allocations with channels to an echoing peer; a
# test mediation function (lib/li_mf.py: TLS, its certificate and dp's
# chained to the LI CA, li.x2x3.ca) writes each PDU it receives into a
# pcap as a TCP segment of its own, which Debian's tshark decodes as 5gli
# (-d tcp.port==PORT,5gli). The target's relayed datagrams arrive both
# ways as X3 PDUs (IPv4 packet format) with the task's XID, direction 3
# from the target and 2 to it, the IP packet's addresses between its
# relayed address and the peer, sequence numbers and timestamps; so do
# those of an allocation the target makes after the activation (matched at
# Allocate); the other user's, relaying at the same time, give nothing;
# after DeactivateTask nothing more arrives. X2 (slice 5, the task and the
# destination X2andX3): the new allocation's created, permission, channel,
# refreshed and ended (with its usage, after the client's Refresh 0), the
# held one's "ongoing" and its renewals, each an X2 PDU of payload format 4
# whose event (lib/li's li_x2.h, read here by lib/li_x2.py, not lib/li)
# names the session, with a sequence number (1, 2, ... a session) and a
# timestamp, and the correlation ID of the same session's X3; nothing of
# the other user's, nothing after the deactivation. Nothing malformed;
# dp's and cp's logs, status and metrics name no target or XID.
set -uo pipefail
. "$(dirname "$0")/lib/dp_env.sh"
. "$(dirname "$0")/lib/uclient.sh"
tp_env_init
PY=/usr/bin/python3
LIB=$(dirname "$0")/lib
command -v tshark >/dev/null || tp_die "tshark missing (tools/bootstrap installs it)"
command -v turnutils_peer >/dev/null || tp_die "turnutils_peer missing (tools/bootstrap installs coturn)"
command -v turnutils_uclient >/dev/null || tp_die "turnutils_uclient missing (tools/bootstrap installs coturn)"

pki=$TP_TMP/pki; mkdir -p "$pki"
. "$(dirname "$0")/lib/li_pki.sh"
mkca li-ca && mkcert x1 li-ca 'extendedKeyUsage=serverAuth' &&
  mkcert admf li-ca 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:admf-1' &&
  mkcert x2x3 li-ca 'extendedKeyUsage=clientAuth' &&
  mkcert mf li-ca 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1' ||
  tp_die "openssl could not make the test certificates"

port=$((20000 + $$ % 20000)); mfport=$((port + 2))
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "$(tp_turn_groups)
li = { ne_id = \"tp-li-test\"; store = \"$TP_TMP/state/li.db\";
       x1 = { listen = \"127.0.0.1:$port\"; cert = \"$pki/x1.crt\"; key = \"$pki/x1.key\";
              client_ca = \"$pki/li-ca.crt\"; admf_id = \"admf-1\"; };
       x2x3 = { cert = \"$pki/x2x3.crt\"; key = \"$pki/x2x3.key\"; ca = \"$pki/li-ca.crt\"; }; };"
mkdir -p "$TP_TMP/state" "$TP_TMP/run"

$PY "$LIB/li_mf.py" --port "$mfport" --cert "$pki/mf.crt" --key "$pki/mf.key" \
  --ca "$pki/li-ca.crt" --pcap "$TP_TMP/x3.pcap" >"$TP_TMP/mf.log" 2>&1 &
MF_PID=$!
# (the MF and the clients go with the scratch directory: lib/dp_env.sh's
# cleanup, then ours)
li_cleanup() { local rc=$?; kill "$MF_PID" ${CL_PID:-} ${TCPP_PID:-} 2>/dev/null; (exit $rc); tp_cleanup; }
trap li_cleanup EXIT
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" turnpike-cp 10
ip netns exec "$TP_NS_P" turnutils_peer -L 10.211.0.2 -p 3480 >"$TP_TMP/peer.log" 2>&1 &
TP_PEER_PID=$!
tp_peer_wait "$TP_PEER_PID" 10.211.0.2
# RFC 6062's peer: a TCP echo server (lib/tcprelay_peer.py) on 7000
mkdir -p "$TP_TMP/tcppeer"
ip netns exec "$TP_NS_P" $PY "$LIB/tcprelay_peer.py" "$TP_TMP/tcppeer" 7000 \
  >"$TP_TMP/tcppeer.log" 2>&1 &
TCPP_PID=$!
tp_need tp_wait_listen "$TP_NS_P" tcp 10.211.0.2 7000 "$TCPP_PID" "the TCP echo peer"

x1() {
  $PY "$LIB/li_admf.py" --host 127.0.0.1 --port "$port" --ca "$pki/li-ca.crt" \
    --cert "$pki/admf.crt" --key "$pki/admf.key" "$@" >"$TP_TMP/answer" 2>"$TP_TMP/status" &&
    grep -q '<oK>AcknowledgedAndCompleted</oK>' "$TP_TMP/answer" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }
}
NAI=test@turnpike.test
XID=7a3c5e10-2b4d-4f6a-8c9e-0123456789cd
DID=d2d2d2d2-0000-4000-8000-00000000000b
DEST="<destinationDetails><dId>$DID</dId><deliveryType>X2andX3</deliveryType><deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:IPv4Address>127.0.0.1</etsi280:IPv4Address></etsi280:address><etsi280:port><etsi280:TCPPort>$mfport</etsi280:TCPPort></etsi280:port></ipAddressAndPort></deliveryAddress></destinationDetails>"
TASK="<taskDetails><xId>$XID</xId><targetIdentifiers><targetIdentifier><nai>$NAI</nai></targetIdentifier></targetIdentifiers><deliveryType>X2andX3</deliveryType><listOfDIDs><dId>$DID</dId></listOfDIDs></taskDetails>"

# the clients: allocations first, no task yet
R=$TP_TMP/run
ip netns exec "$TP_NS_C" $PY "$LIB/li_turn_clients.py" 10.210.0.1 10.211.0.2 3480 "$R" 7000 \
  >"$TP_TMP/clients.log" 2>&1 &
CL_PID=$!
waitfile() { for _ in $(seq 1 300); do [ -e "$R/$1" ] && return 0; sleep 0.1; done; return 1; }
tp_need waitfile ready
tp_check "CreateDestination (X2andX3, the MF): acknowledged" x1 CreateDestination "$DEST"
tp_check "ActivateTask on test@turnpike.test, allocations held: acknowledged" \
  x1 ActivateTask "$TASK"
sleep 0.5
touch "$R/go1"
tp_check "phase 1: every datagram echoed (target, other, a new target allocation)" waitfile done1
sleep 1
cat "$TP_TMP/clients.log" | sed 's/^/# /'

# decode NAME: tshark's reading of the pcap so far, one PDU a line:
# xid|direction|src|dst|sport|dport|seq|payload(hex)|format|type|correlation|
# X2 payload(hex)|timestamp
decode() {
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" -T fields -E separator='|' \
    -e li5g.xid -e li5g.pd -e li5g.srcip -e li5g.dstip -e li5g.srcport -e li5g.dstport \
    -e li5g.sq -e data.data -e li5g.pf -e li5g.type -e li5g.cid -e li5g.pld -e li5g.ts \
    >"$TP_TMP/$1.txt" 2>"$TP_TMP/$1.err"
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" \
    -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null >"$TP_TMP/$1.bad"
}
decode phase1
sed 's/^/# /' "$TP_TMP/phase1.txt" | head -8
tp_check "tshark: no PDU malformed or with a warning" test ! -s "$TP_TMP/phase1.bad"
judge() {   # judge FILE: the checks of the PDUs, by python over tshark's fields
  $PY - "$1" "$XID" "$(cat "$TP_TMP/clients.log")" "${@:2}" <<'PYEOF'
import sys
rows = [l.rstrip('\n').split('|') for l in open(sys.argv[1]) if l.strip()]
xid, clients, want = sys.argv[2], sys.argv[3], sys.argv[4:]
addr = dict(kv.split('=') for kv in clients.split() if '=' in kv)
def mark(h):
    try:
        return bytes.fromhex(h.replace(':', '')).decode()
    except ValueError:
        return ''
# (tshark gives a field once for each time the PDU is dissected: the first)
rows = [[f.split(',')[0] for f in r] for r in rows]
pdus = [dict(xid=r[0], pd=r[1], src=r[2], dst=r[3], sp=r[4], dp=r[5], sq=r[6], pl=mark(r[7]),
             pf=r[8]) for r in rows]
ok = True
def need(c, what):
    global ok
    if not c:
        print('# FAILED:', what); ok = False
for w in want:
    kind, m = w.split(':')
    got = [p for p in pdus if ('LI-%s-' % m) in p['pl']]
    if kind == 'none':
        need(not got, 'no PDU carries %s' % m); continue
    rel = addr['target' if m == 'TARGET' or m == 'AFTER' else 'new']
    rip, rport = rel.rsplit(':', 1)
    frm = [p for p in got if p['pd'] == '3']
    to = [p for p in got if p['pd'] == '2']
    n = 10 if m == 'TARGET' else 5
    need(len(set(p['pl'] for p in frm)) == n, '%d datagrams of %s from the target (%d)' % (n, m, len(frm)))
    need(len(set(p['pl'] for p in to)) == n, '%d datagrams of %s to the target (%d)' % (n, m, len(to)))
    for p in got:
        need(p['xid'].replace('-', '').lower() == xid.replace('-', ''), 'the task XID: %s' % p['xid'])
        need(p['pf'] == '5', 'payload format 5 (IPv4 packet): %s' % p['pf'])
        need(p['sq'] != '', 'a sequence number')
    for p in frm:
        need((p['src'], p['sp'], p['dst'], p['dp']) == (rip, rport, '10.211.0.2', '3480'),
             'from the target: relayed -> peer: %s' % p)
    for p in to:
        need((p['src'], p['sp'], p['dst'], p['dp']) == ('10.211.0.2', '3480', rip, rport),
             'to the target: peer -> relayed: %s' % p)
    seqs = sorted(int(p['sq']) for p in frm + to)
    need(len(seqs) == len(set(seqs)), 'sequence numbers distinct')
sys.exit(0 if ok else 1)
PYEOF
}
tp_check "the target's datagrams: X3 both ways, its XID, addresses, sequence" \
  judge "$TP_TMP/phase1.txt" have:TARGET
tp_check "an allocation the target made after the activation: the same" \
  judge "$TP_TMP/phase1.txt" have:NEW
tp_check "the other user, relaying at the same time: nothing" \
  judge "$TP_TMP/phase1.txt" none:OTHER
# X2: the events, read from tshark's payload bytes by lib/li_x2.py (a
# reader of turnpike's X2 event apart from lib/li's, tools/demo's too)
judge_x2() {   # judge_x2 FILE
  $PY - "$1" "$XID" "$(cat "$TP_TMP/clients.log")" "$LIB" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[4])
sys.dont_write_bytecode = True   # (no __pycache__ left in the tree)
import li_x2
rows = [l.rstrip('\n').split('|') for l in open(sys.argv[1]) if l.strip()]
xid, clients = sys.argv[2].replace('-', ''), sys.argv[3]
addr = dict(kv.split('=') for kv in clients.split() if '=' in kv)
rows = [[f.split(',')[0] for f in r] for r in rows]
ok = True
def need(c, what):
    global ok
    if not c:
        print('# FAILED:', what); ok = False
def mark(h):
    try:
        return bytes.fromhex(h.replace(':', '')).decode()
    except ValueError:
        return ''
def event(h):
    try:
        return li_x2.event(bytes.fromhex(h.replace(':', '')))
    except ValueError as err:
        need(False, 'the X2 event reads: %s' % err)
        return {'event': 0, 'relayed': []}
pdus = [dict(xid=r[0].replace('-', '').lower(), pd=r[1], sq=r[6], pl=mark(r[7]), pf=r[8],
             type=r[9], cid=r[10], pld=r[11], ts=r[12]) for r in rows]
x2 = [p for p in pdus if p['type'] == '1']
x3 = [p for p in pdus if p['type'] == '2']
need(len(x2) > 0, 'X2 PDUs arrived')
sess = {}
for p in x2:
    need(p['xid'] == xid, 'X2: the task XID: %s' % p['xid'])
    need(p['pf'] == '4', 'X2: payload format 4 (proprietary): %s' % p['pf'])
    need(p['sq'] != '' and p['ts'] != '', 'X2: a sequence number and a timestamp')
    e = event(p['pld'])
    e['sq'], e['cid'], e['pd'] = int(p['sq'] or 0), p['cid'], p['pd']
    sess.setdefault(e.get(1), []).append(e)
by_rel = {}
for s, evs in sess.items():
    for e in evs:
        for r in e['relayed']:
            by_rel[r] = s
def cid_of(m):
    c = set(p['cid'] for p in x3 if ('LI-%s-' % m) in p['pl'])
    need(len(c) == 1, 'one correlation ID on the X3 of %s: %s' % (m, c))
    return c.pop() if c else None
need(addr['other'] not in by_rel, 'no X2 names the other user\'s allocation')
need(all(e.get('user') != 'other' for evs in sess.values() for e in evs), 'no X2 names user other')
need(len(sess) == 3, 'X2 of three sessions (the held one, the new one, the TCP one): %d' % len(sess))
for name, mk, want in (('new', 'NEW', [1, 3, 4, 2, 5]), ('target', 'TARGET', [6, 3, 4, 3]),
                       ('tcp', None, [1, 3, 7, 8, 9, 5])):
    s = by_rel.get(addr[name])
    evs = sorted(sess.get(s, []), key=lambda e: e['sq'])
    print('# %s: events %s, sequence %s' % (name, [e['event'] for e in evs], [e['sq'] for e in evs]))
    need([e['event'] for e in evs] == want, '%s: events %s' % (name, want))
    need([e['sq'] for e in evs] == list(range(1, len(evs) + 1)), '%s: sequence 1..n' % name)
    # (RFC 6062 relays are not tapped for X3 yet: one correlation ID of its own)
    cid = cid_of(mk) if mk else (evs[0]['cid'] if evs else None)
    need(all(e['cid'] == cid for e in evs), '%s: the X3\'s correlation ID %s on every X2' % (name, cid))
    need(len([s2 for s2, e2 in sess.items() if e2 and e2[0]['cid'] == cid]) == 1,
         '%s: a correlation ID of its own' % name)
    if not evs:
        continue
    c = evs[0]
    need(c.get('user') == 'test' and c.get('realm') == 'turnpike.test', '%s: user and realm' % name)
    need(c.get('client', '').startswith('10.210.0.') and c.get(4) == (2 if name == 'tcp' else 1),
         '%s: client over UDP (TCP)' % name)
    need(c.get(8, 0) > 0, '%s: a lifetime' % name)
    for e in evs:
        if e['event'] in (3, 4):
            need(e.get('peer') == ('10.211.0.2:3480' if e['event'] == 4 else '10.211.0.2:0'),
                 '%s: the peer %s' % (name, e.get('peer')))
        if e['event'] in (7, 8, 9):
            need(e.get('peer') == '10.211.0.2:7000' and e.get(19, 0) != 0,
                 '%s: the peer connection and its id: %s' % (name, e))
            need(e.get(19) == evs[2].get(19), '%s: one CONNECTION-ID' % name)
        if e['event'] == 7:
            need(e.get(20) == 1, '%s: opened by the client\'s Connect' % name)
        if e['event'] == 9:
            need(e.get(11) == 17 and e.get(12) == 17, '%s: closed, 17 bytes each way: %s' % (name, e))
        if e['event'] == 4:
            need(e.get(10) == 0x4001, '%s: channel 0x4001' % name)
            need(e.get(18) == (0 if name == 'new' else 1), '%s: channel renewed flag' % name)
    if name == 'new':
        r, end = evs[3], evs[4]
        need(590 <= r.get(8, 0) <= 600, 'refreshed: lifetime 600: %s' % r.get(8))
        print('# ended: %s' % end)
        need(end.get(16) == 1 and end.get(17) == 1, 'ended: by the client, usage exact')
        need(end.get(13) == 5 and end.get(14) == 5, 'ended: 5 packets each way')
        need(end.get(11) == 5 * 17 and end.get(12) == 5 * 17, 'ended: 85 bytes each way')
        need(end.get(15, 0) > 0, 'ended: a duration')
    if name == 'tcp':
        end = evs[-1]
        print('# tcp ended: %s' % end)
        need(end.get(11) == 17 and end.get(12) == 17 and 13 not in end and 14 not in end,
             'tcp ended: 17 bytes each way, no packets')
        need(end.get(16) == 1, 'tcp ended: by the client')
sys.exit(0 if ok else 1)
PYEOF
}
tp_check "X2: the target's sessions' events, sequence, timestamps, correlation with X3; none of the other's" \
  judge_x2 "$TP_TMP/phase1.txt"
x2_before=$(awk -F'|' '$10 ~ /^1/' "$TP_TMP/phase1.txt" | wc -l)

tp_check "each PDU has a timestamp" bash -c "tshark -r '$TP_TMP/x3.pcap' -d 'tcp.port==$mfport,5gli' -T fields -e li5g.ts 2>/dev/null | grep -c . | grep -qv '^0$'"

# coturn's own client as the target (the issue's "relays with coturn's
# uclient"): 10 messages over a channel to the echoing peer, as user test;
# its allocation's X3 both ways (20 datagrams, the peer's address on
# each) and its X2 (created for user test, its channel), under the XID.
tp_check "turnutils_uclient as the target: every message echoed" \
  tp_uclient "turnutils_uclient -u test" 60 -u test -w test -e 10.211.0.2 -r 3480 \
  -m 1 -n 10 -l 120 -c 10.210.0.1
sleep 1
decode phase1u
judge_uclient() {
  $PY - "$TP_TMP/phase1.txt" "$TP_TMP/phase1u.txt" "$XID" "$LIB" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[4])
import li_x2
def rows(f):
    return [[x.split(',')[0] for x in l.rstrip('\n').split('|')] for l in open(f) if l.strip()]
before, after, xid = rows(sys.argv[1]), rows(sys.argv[2]), sys.argv[3]
new = after[len(before):]
x3 = [r for r in new if r[0] == xid and r[9] == '2']
peer = [r for r in x3 if ('10.211.0.2', '3480') in ((r[2], r[4]), (r[3], r[5]))]
dirs = sorted(set(r[1] for r in peer))
x2 = [li_x2.event(bytes.fromhex(r[11].replace(':', ''))) for r in new
      if r[0] == xid and r[9] == '1' and r[11]]
created = [e for e in x2 if e['event'] == 1 and e.get('user') == 'test']
chans = [e for e in x2 if e['event'] == 4]
print('# uclient: %d X3 (%d with the peer, directions %s), X2 %s' %
      (len(x3), len(peer), dirs, [li_x2.EVENTS.get(e['event']) for e in x2]))
others = [r for r in new if r[0] != xid and r[9] in ('1', '2')]
ok = len(peer) == 20 and len(x3) == 20 and dirs == ['2', '3'] and created and chans and not others
sys.exit(0 if ok else 1)
PYEOF
}
tp_check "uclient's session: 20 X3 both ways with the peer, X2 created (user test) and its channel" \
  judge_uclient
tp_check "tshark: nothing malformed in uclient's session" test ! -s "$TP_TMP/phase1u.bad"
x2_before=$(awk -F'|' '$10 ~ /^1/' "$TP_TMP/phase1u.txt" | wc -l)

tp_check "DeactivateTask: acknowledged" x1 DeactivateTask "<xId>$XID</xId>"
sleep 0.5
touch "$R/go2"
tp_check "phase 2: every datagram echoed" waitfile done2
sleep 1
decode phase2
tp_check "after DeactivateTask: nothing of the target's" judge "$TP_TMP/phase2.txt" none:AFTER
tp_check "... nor of the other's" judge "$TP_TMP/phase2.txt" none:OTHER2
tp_check "after DeactivateTask: no X2 (the target bound its channel again)" \
  test "$(awk -F'|' '$10 ~ /^1/' "$TP_TMP/phase2.txt" | wc -l)" = "$x2_before"
tp_check "tshark: nothing malformed after the deactivation either" test ! -s "$TP_TMP/phase2.bad"
wait $CL_PID

# Secrecy (docs/design/li.md §2.6): nobody but the MF learns of the task.
tp_ctl --json status >"$TP_TMP/status.json" 2>&1
for s in "$NAI" "$XID" "$DID" "127.0.0.1:$mfport"; do
  tp_check "dp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_DP_LOG'"
  tp_check "cp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP'/cp.*.log"
  tp_check "status does not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP/status.json'"
done
tp_check "li counters: nothing dropped" bash -c "! grep -qE '\"li_dropped_[a-z_]+\": *[1-9]' '$TP_TMP/status.json'"
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
