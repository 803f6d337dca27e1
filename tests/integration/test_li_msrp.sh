#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# X3 for the gateway's MSRP legs after TLS (issue 70 slice 7,
# docs/design/li.md §3.2, §4.2): a test ADMF (lib/li_admf.py) creates an
# X3 destination and activates a task on the UE's address 10.210.0.2
# (IPv4Address). MSRP sessions go through the access gateway's TCP-leg
# contexts, TLS on both legs (dp the UE's TLS server, its certificate
# checked by fingerprint; dp the core's TLS client, the same), both ends
# sending SEND requests at once (lib/msrp_end.py: bodies of 1 to 7,000
# bytes, so a read of dp's is often longer than a ring slot). Three at a
# time: the target's, made before the task (the activation's pass taps
# it); the target's, made after it (its AGW_ADD's tap); another UE's
# (10.210.0.3), which gives nothing. A test mediation function
# (lib/li_mf.py: TLS, chained to li.x2x3.ca) writes each PDU it receives
# as a TCP segment of its own into a pcap that Debian's tshark decodes as
# 5gli. Each targeted session arrives as X3 PDUs of payload format 13
# (MSRP), the task's XID, one correlation ID a context, sequence numbers
# 1, 2, ... without a gap; put together by sequence number, the PDUs of
# direction 3 (from the target) are byte for byte the clear MSRP the UE
# sent, those of direction 2 what the core's end sent (and the UE got);
# the target's leg's addresses and ports (from it: the UE's to dp's; to
# it: the reverse), protocol 6; nothing malformed or with a warning. After
# DeactivateTask nothing more arrives from a new session of the target.
# X2 (the task and destination X2andX3; docs/design/li.md §3.2): each
# targeted context's events at the MF (read by lib/li_x2.py), under its
# X3's correlation ID, numbered 1..n: the one made before the task
# ongoing first, the other created first, each with its legs (listening
# with TLS for the UE, connecting with TLS to the core), modified when the
# UE's leg came up (its connection's remote), ended last with each leg's
# bytes once released; the other UE's context nothing.
# Secrecy: dp's and cp's logs and status name no target or XID.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/dp_env.sh"
. "$HERE/lib/agw_env.sh"
tp_env_init
PY=/usr/bin/python3
LIB=$HERE/lib
END="$PY $LIB/msrp_end.py"
C="ip netns exec $TP_NS_C"
P="ip netns exec $TP_NS_P"
NMSG=${LI_MSRP_N:-40}
command -v tshark >/dev/null || tp_die "tshark missing (tools/bootstrap installs it)"

pki=$TP_TMP/pki; mkdir -p "$pki"
. "$(dirname "$0")/lib/li_pki.sh"
mkca li-ca && mkcert x1 li-ca 'extendedKeyUsage=serverAuth' &&
  mkcert admf li-ca 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:admf-1' &&
  mkcert x2x3 li-ca 'extendedKeyUsage=clientAuth' &&
  mkcert mf li-ca 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1' ||
  tp_die "openssl could not make the test certificates"
# the gateway's legs: dp's certificate, the ends' (trusted by fingerprint)
tp_mkcert dp ue peer
fp() { tp_certfp "$1"; }

port=$((20000 + $$ % 20000)); mfport=$((port + 2))
mkdir -p "$TP_TMP/state"
tp_write_conf "$TP_TMP/dp.conf" "0" "" "" "" "
ipc = { name = \"/$TP_ID\"; };
cp = { api_socket = \"$TP_TMP/cp.sock\"; store = \"none\"; };
tls = { certificate = \"$TP_TMP/dp.pem\"; private_key = \"$TP_TMP/dp.key\"; };
agw = { ports = [20000, 21999]; max_contexts = 64; setup_timeout = 20; };
li = { ne_id = \"tp-li-test\"; store = \"$TP_TMP/state/li.db\";
       x1 = { listen = \"127.0.0.1:$port\"; cert = \"$pki/x1.crt\"; key = \"$pki/x1.key\";
              client_ca = \"$pki/li-ca.crt\"; admf_id = \"admf-1\"; };
       x2x3 = { cert = \"$pki/x2x3.crt\"; key = \"$pki/x2x3.key\"; ca = \"$pki/li-ca.crt\"; }; };"

$PY "$LIB/li_mf.py" --port "$mfport" --cert "$pki/mf.crt" --key "$pki/mf.key" \
  --ca "$pki/li-ca.crt" --pcap "$TP_TMP/x3.pcap" >"$TP_TMP/mf.log" 2>&1 &
MF_PID=$!
li_cleanup() {
  local rc=$?
  kill "$MF_PID" 2>/dev/null
  (exit $rc); tp_cleanup
}
trap li_cleanup EXIT
tp_dp_start "$TP_TMP/dp.conf"
tp_cp_start "$TP_TMP/dp.conf"
tp_need tp_wait_log "$TP_CP_LOG" "li: X1 listening on 127.0.0.1:$port" "$TP_CP_PID" turnpike-cp 10
# the other UE
$C ip addr add 10.210.0.3/24 dev "$TP_IF_A" || tp_die "cannot add the other UE's address"

x1() {
  $PY "$LIB/li_admf.py" --host 127.0.0.1 --port "$port" --ca "$pki/li-ca.crt" \
    --cert "$pki/admf.crt" --key "$pki/admf.key" "$@" >"$TP_TMP/answer" 2>"$TP_TMP/status" &&
    grep -q '<oK>AcknowledgedAndCompleted</oK>' "$TP_TMP/answer" ||
    { echo "# $(cat "$TP_TMP/status" "$TP_TMP/answer")"; return 1; }
}
TARGET=10.210.0.2
XID=7c2e3d4f-5a6b-4c7d-8e9f-0123456789cd
DID=d4d4d4d4-0000-4000-8000-00000000000d
DEST="<destinationDetails><dId>$DID</dId><deliveryType>X2andX3</deliveryType><deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:IPv4Address>127.0.0.1</etsi280:IPv4Address></etsi280:address><etsi280:port><etsi280:TCPPort>$mfport</etsi280:TCPPort></etsi280:port></ipAddressAndPort></deliveryAddress></destinationDetails>"
TASK="<taskDetails><xId>$XID</xId><targetIdentifiers><targetIdentifier><ipv4Address>$TARGET</ipv4Address></targetIdentifier></targetIdentifiers><deliveryType>X2andX3</deliveryType><listOfDIDs><dId>$DID</dId></listOfDIDs></taskDetails>"

# ctx NAME UE PEERPORT: a context, TLS both legs: leg a dp's TLS server
# for the UE (from UE's address), leg b dp's TLS client of the core's end
# on 10.211.0.2:PEERPORT
ctx() {
  create "$1" --a "tcp=server,tls=server,local=10.210.0.1,remote=$2,fp=$(fp ue)" \
              --b "tcp=client,tls=client,remote=10.211.0.2:$3,fp=$(fp peer)"
}
# core_end NAME PEERPORT TAG: the core's end of session NAME listens on
# PEERPORT (a TLS server, dp its client: listening before the context is
# made, whose client leg connects at once); ue_end NAME UE TAG: the UE on UE
# connects to the context NAME's port. NMSG SENDs each way at once (the
# UE's tag TAG, the core's TAG+1); what each sent and got in
# NAME.{ue,core}.{sent,recv}, their JSON lines in NAME.{ue,core}; their
# pids in SESS
core_end() {
  local name=$1 pp=$2 t=$3
  rm -f "$TP_TMP/$name".*.done "$TP_TMP/$name.ready"
  $P $END listen 10.211.0.2 "$pp" --tag $((t + 1)) --peer-tag "$t" --n "$NMSG" \
    --tls-cert "$TP_TMP/peer.pem" --tls-key "$TP_TMP/peer.key" --tls-ca "$TP_TMP/dp.pem" \
    --sent "$TP_TMP/$name.core.sent" --recv "$TP_TMP/$name.core.recv" \
    --done "$TP_TMP/$name.core.done" --wait "$TP_TMP/$name.ue.done" \
    --ready "$TP_TMP/$name.ready" >"$TP_TMP/$name.core" 2>&1 &
  SESS+=($!)
  for _ in $(seq 50); do [ -f "$TP_TMP/$name.ready" ] && break; sleep 0.1; done
}
ue_end() {
  local name=$1 ue=$2 t=$3
  $C $END connect 10.210.0.1 "$(ctx_port "$name")" --bind "$ue" --tag "$t" --peer-tag $((t + 1)) \
    --n "$NMSG" --tls-cert "$TP_TMP/ue.pem" --tls-key "$TP_TMP/ue.key" \
    --sent "$TP_TMP/$name.ue.sent" --recv "$TP_TMP/$name.ue.recv" \
    --done "$TP_TMP/$name.ue.done" --wait "$TP_TMP/$name.core.done" >"$TP_TMP/$name.ue" 2>&1 &
  SESS+=($!)
}

SESS=()
tp_check "CreateDestination (X2andX3, the MF): acknowledged" x1 CreateDestination "$DEST"
core_end early 5300 100
tp_check "a context for the target's UE, made before the task: TLS-TLS" ctx early $TARGET 5300
tp_check "ActivateTask on the UE's address $TARGET: acknowledged" x1 ActivateTask "$TASK"
core_end late 5301 200
tp_check "a context for the target's UE, made after it: TLS-TLS" ctx late $TARGET 5301
core_end other 5302 300
tp_check "another UE's context at the same time (10.210.0.3): TLS-TLS" ctx other 10.210.0.3 5302
sleep 0.3
ue_end early $TARGET 100
ue_end late $TARGET 200
ue_end other 10.210.0.3 300
wait "${SESS[@]}"
for s in early late other; do
  echo "# $s: ue $(cut -c1-200 "$TP_TMP/$s.ue"); core $(cut -c1-200 "$TP_TMP/$s.core")"
done
tp_check "the three sessions: every SEND both ways, byte-exact at the ends" \
  bash -c "for s in early late other; do grep -q '\"recv_ok\": true' $TP_TMP/\$s.ue &&
           grep -q '\"recv_ok\": true' $TP_TMP/\$s.core || exit 1; done"
sleep 1
# (the contexts released while the task is on: their X2 end; one its
# legs' close released already refuses, which is as good)
for s in early late other; do tp_ctl agw release "$(ctx_id $s)" >/dev/null 2>&1; done
sleep 1

# decode NAME: tshark's reading of the pcap, one PDU a line:
# xid|direction|src|dst|sport|dport|seq|format|payload(hex)|timestamp|correlation|proto
# (each segment holds one PDU, as the MF wrote it: read a segment at a time,
# without TCP's reassembly, which repeats the PDUs before in each frame's
# fields)
decode() {
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" -o tcp.desegment_tcp_streams:FALSE \
    -T fields -E separator='|' \
    -e li5g.xid -e li5g.pd -e li5g.srcip -e li5g.dstip -e li5g.srcport -e li5g.dstport \
    -e li5g.sq -e li5g.pf -e li5g.pld -e li5g.ts -e li5g.cid -e li5g.ipproto \
    >"$TP_TMP/$1.txt" 2>"$TP_TMP/$1.err"
  tshark -r "$TP_TMP/x3.pcap" -d "tcp.port==$mfport,5gli" \
    -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null >"$TP_TMP/$1.bad"
}
decode phase1
sed 's/^/# /' "$TP_TMP/phase1.txt" | cut -c1-160 | head -3
tp_check "tshark: PDUs decoded, none malformed or with a warning" \
  test -s "$TP_TMP/phase1.txt" -a ! -s "$TP_TMP/phase1.bad"

judge() {   # judge FILE: the PDUs against what the ends sent and received
  $PY - "$@" "$XID" "$TP_TMP" <<'PYEOF'
import json, sys
path, xid, tmp = sys.argv[1:4]
rows = [l.rstrip('\n').split('|') for l in open(path) if l.strip()]
# (tshark gives a field once for each time the PDU is dissected: the first)
rows = [[f.split(',')[0] for f in r] for r in rows]
pdus = [dict(xid=r[0], pd=r[1], src=r[2], dst=r[3], sp=r[4], dp=r[5], sq=int(r[6] or -1),
             pf=r[7], pl=bytes.fromhex(r[8].replace(':', '')), ts=r[9], cid=r[10],
             proto=r[11]) for r in rows]
# (X2, payload format 4, is judged by judge_x2)
pdus = [p for p in pdus if p['pf'] != '4']
ok = True
def need(c, what):
    global ok
    if not c:
        print('# FAILED:', what); ok = False
for p in pdus:
    need(p['xid'].replace('-', '').lower() == xid.replace('-', ''), 'the task XID: %s' % p['xid'])
    need(p['pf'] == '13', 'payload format 13 (MSRP): %s' % p['pf'])
    need(p['pd'] in ('2', '3'), 'direction 2 or 3: %s' % p['pd'])
    need(p['proto'] == '6', 'IP protocol 6: %s' % p['proto'])
    need(p['ts'] != '', 'a timestamp')
by = {}
for p in pdus:
    by.setdefault(p['cid'], []).append(p)
need(len(by) == 2, 'two correlation IDs (the two targeted contexts): %s' % sorted(by))
def rd(name):
    return open('%s/%s' % (tmp, name), 'rb').read()
seen = set()
for cid, ps in by.items():
    ps.sort(key=lambda p: p['sq'])
    need([p['sq'] for p in ps] == list(range(1, len(ps) + 1)),
         'sequence numbers 1..%d without a gap or a repeat under %s' % (len(ps), cid))
    frm = b''.join(p['pl'] for p in ps if p['pd'] == '3')
    to = b''.join(p['pl'] for p in ps if p['pd'] == '2')
    name = None
    for s in ('early', 'late', 'other'):
        if frm == rd(s + '.ue.sent'):
            name = s
    need(name in ('early', 'late'), 'from the target (3), by sequence: what a target\'s UE sent, '
         'byte-exact (%d bytes, %d PDUs)' % (len(frm), len(ps)))
    if name is None:
        continue
    seen.add(name)
    need(to == rd(name + '.core.sent') == rd(name + '.ue.recv'),
         '%s: to the target (2), by sequence: what the core\'s end sent and the UE got, '
         'byte-exact (%d bytes)' % (name, len(to)))
    ue, core = json.load(open('%s/%s.ue' % (tmp, name))), None
    ua, up = ue['local'].rsplit(':', 1)
    da, dport = ue['remote'].rsplit(':', 1)
    for p in ps:
        want = (ua, up, da, dport) if p['pd'] == '3' else (da, dport, ua, up)
        if (p['src'], p['sp'], p['dst'], p['dp']) != want:
            need(False, '%s: the target\'s leg\'s addresses (%s): %s' % (name, p['pd'],
                 (p['src'], p['sp'], p['dst'], p['dp'])))
            break
    big = max(len(p['pl']) for p in ps)
    print('# %s: %d PDUs (the largest payload %d), %d bytes from the target, %d to it'
          % (name, len(ps), big, len(frm), len(to)))
    # (a slot's room: LI_SLOT_SIZE 2,048 less struct li_copy's 160)
    need(big == 1888 and len(frm) > 1888 * 10, '%s: batches cut at a slot\'s room (1,888): %d' % (name, big))
need(seen == {'early', 'late'}, 'both targeted contexts: %s; the other UE\'s nothing' % sorted(seen))
sys.exit(0 if ok else 1)
PYEOF
}
tp_check "both targeted sessions: format 13, by sequence byte-exact both ways with the right direction, their leg's addresses, XID; the other session nothing" \
  judge "$TP_TMP/phase1.txt"

judge_x2() {   # judge_x2 FILE: the X2 events of the contexts
  PYTHONPATH=$LIB PYTHONDONTWRITEBYTECODE=1 $PY - "$@" "$XID" "$TP_TMP" \
    "$(ctx_id early)" "$(ctx_id late)" "$(ctx_id other)" <<'PYEOF'
import json, sys
import li_x2
path, xid, tmp, c1, c2, c3 = sys.argv[1:7]
ids = {int(c1): 'early', int(c2): 'late', int(c3): 'other'}
rows = [[f.split(',')[0] for f in l.rstrip('\n').split('|')] for l in open(path) if l.strip()]
x2 = [dict(xid=r[0], pd=r[1], sq=int(r[6]), ev=li_x2.event(bytes.fromhex(r[8].replace(':', ''))),
           cid=r[10]) for r in rows if r[7] == '4']
x3 = [dict(pd=r[1], sp=r[4], dp=r[5], cid=r[10]) for r in rows if r[7] == '13']
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
need(None not in by, 'X2 only of the contexts: %s' % by.get(None))
need('other' not in by, 'the other UE\'s context: no X2')
for name, first in (('early', 17), ('late', 16)):
    c = by.get(name, [])
    ev = [e['ev']['event'] for e in c]
    ue = json.load(open('%s/%s.ue' % (tmp, name)))
    ua, up = ue['local'].rsplit(':', 1)
    need(ev[:1] == [first] and ev[-1:] == [19] and ev.count(first) == 1 and ev.count(19) == 1,
         '%s: %s first, ended last: %s' % (name, 'ongoing' if first == 17 else 'created', ev))
    need(sorted(e['sq'] for e in c) == list(range(1, len(c) + 1)), '%s: X2 numbered 1..n' % name)
    cid = {x['cid'] for x in x3 if x['pd'] == '3' and x['sp'] == up}
    need(len(cid) == 1 and {e['cid'] for e in c} == cid,
         '%s: its X2 under its X3\'s correlation ID: %s, %s' % (name, {e['cid'] for e in c}, cid))
    if c and c[0]['ev']['event'] == first:
        t = c[0]['ev']['terms']
        need(c[0]['ev'].get(29) == 0 and t.get(0, {}).get('leg') == 'listen/tls' and
             t.get(1, {}).get('leg') == 'connect/tls',
             '%s: the target on leg 0 (listening, TLS), leg 1 connecting with TLS: %s' % (name, t))
    need(any(e['ev']['event'] == 18 and e['ev'].get(28, 0) & 0x08 and
             e['ev']['terms'].get(0, {}).get('latched') == '%s:%s' % (ua, up) for e in c),
         '%s: modified when the UE\'s leg came up, its connection\'s remote %s:%s' % (name, ua, up))
    if c and c[-1]['ev']['event'] == 19:
        e = c[-1]['ev']
        sent, recv = len(open('%s/%s.ue.sent' % (tmp, name), 'rb').read()), \
            len(open('%s/%s.ue.recv' % (tmp, name), 'rb').read())
        need(e.get(17) == 1 and 30 in e and e.get(15, 0) > 0 and 13 not in e,
             '%s: ended: exact, why, its duration (%s ms), no packets' % (name, e.get(15)))
        need(e.get(11, 0) >= sent and e.get(12, 0) >= recv and
             all('usage' in e['terms'].get(i, {}) for i in (0, 1)),
             '%s: ended: the target\'s bytes each way (%s/%s; the UE sent %d, got %d), each leg\'s'
             % (name, e.get(11), e.get(12), sent, recv))
sys.exit(0 if ok else 1)
PYEOF
}
tp_check "X2: each targeted context ongoing (made before the task) or created, modified at the UE's leg up, ended with each leg's bytes; its X3's correlation ID, numbered 1..n; the other UE's context nothing" \
  judge_x2 "$TP_TMP/phase1.txt"

tp_check "DeactivateTask: acknowledged" x1 DeactivateTask "<xId>$XID</xId>"
sleep 0.5
decode phase2a
n_before=$(grep -c . "$TP_TMP/phase2a.txt")
SESS=()
core_end after 5303 400
tp_check "after it, a new context for the target's UE: TLS-TLS" ctx after $TARGET 5303
sleep 0.3
ue_end after $TARGET 400
wait "${SESS[@]}"
sleep 1
decode phase2
n_after=$(grep -c . "$TP_TMP/phase2.txt")
tp_check "after DeactivateTask: nothing more ($n_before PDUs, then $n_after)" \
  test "$n_after" = "$n_before" -a "$n_before" -gt 20
tp_check "... while the session flowed" grep -q '"recv_ok": true' "$TP_TMP/after.ue"

# Secrecy (docs/design/li.md §2.6): nobody but the MF learns of the task.
tp_ctl --json status >"$TP_TMP/status.json" 2>&1
for s in "$XID" "$DID" "127.0.0.1:$mfport"; do
  tp_check "dp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_DP_LOG'"
  tp_check "cp's log does not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP'/cp.*.log"
  tp_check "status does not name $s" bash -c "! grep -qF -- '$s' '$TP_TMP/status.json'"
done
tp_check "li counters: nothing dropped" bash -c "! grep -qE '\"li_dropped_[a-z_]+\": *[1-9]' '$TP_TMP/status.json'"
tp_check "cp stops cleanly" tp_cp_stop
tp_check "dp stops cleanly" tp_dp_stop
[ $TP_FAILS -eq 0 ]
