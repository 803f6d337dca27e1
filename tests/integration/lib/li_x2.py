#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""turnpike's X2 event (ETSI TS 103 221-2 payload format 4, proprietary;
docs/design/li.md §3.2), read by an outside reader of its own: not lib/li's
li_x2_decode(), so that the tests do not judge lib/li by itself. Shared by
tests/integration/test_li_turn.sh and tools/demo.

  "TPX2" (4) | version 1 (1) | event (1) | reserved (2) | fields: type (2),
  length (2), value ...   (big-endian)

As a module: event(payload) -> dict (ValueError when the event does not
read), EVENTS, describe(e). As a program, the mediation function's view
for tools/demo:

  li_x2.py [--xid XID]

reads tshark's fields on stdin, one PDU a line, '|' between them
(li5g.type, li5g.xid, li5g.cid, li5g.pf, li5g.pd, li5g.sq, li5g.pld,
li5g.srcip, li5g.srcport, li5g.dstip, li5g.dstport) and prints one line a
PDU (its XID is judged, not printed). With --xid, the interception is judged too (exit 1, each reason on
stderr): every PDU carries XID, X2 and X3 came, X3 both ways, each X3's
correlation ID that of a session whose X2 came, each session's X2 (by
correlation ID) numbered 1..n, every event read.
"""
import argparse
import struct
import sys

EVENTS = {1: 'created', 2: 'refreshed', 3: 'permission', 4: 'channel bound', 5: 'ended',
          6: 'ongoing', 7: 'tcp connection up', 8: 'tcp connection bound',
          9: 'tcp connection closed', 16: 'context created', 17: 'context ongoing',
          18: 'context modified', 19: 'context ended'}
TRANSPORTS = {1: 'UDP', 2: 'TCP', 3: 'TLS', 4: 'DTLS'}
REASONS = {1: 'client', 2: 'expired', 3: 'connection closed', 4: 'connection reset',
           5: 'connection timeout', 6: 'aborted', 7: 'dp restarted', 8: 'killed', 9: 'other'}
CTX_REASONS = {1: 'released', 2: 'setup failed', 3: 'other'}
CHANGES = {1: 'added', 2: 'subtracted', 4: 'remote', 8: 'latched', 16: 'nominated'}
MEDIA = {1: 'audio', 2: 'video'}
SRTP = {0: 'off', 1: 'SDES', 2: 'DTLS-SRTP'}
PDU_TYPES = {'1': 'X2', '2': 'X3', '3': 'keepalive', '4': 'keepalive ack'}
FORMATS = {'4': 'proprietary', '5': 'IPv4 packet', '6': 'IPv6 packet', '8': 'RTP'}
DIRECTIONS = {'1': 'unknown', '2': 'to target', '3': 'from target', '4': 'multiple',
              '5': 'n/a'}


def addr(v):
    """A field's address: family (1: 4 or 6), port (2), address."""
    if (len(v), v[:1]) not in ((7, b'\x04'), (19, b'\x06')):
        raise ValueError('an address field of %d bytes, family %r' % (len(v), v[:1]))
    port = struct.unpack('!H', v[1:3])[0]
    if v[0] == 4:
        return '%s:%d' % ('.'.join(str(b) for b in v[3:7]), port)
    return '[%s]:%d' % (':'.join(v[3 + i:5 + i].hex() for i in range(0, 16, 2)), port)


def term_field(e, t, v):
    """A context's termination's field (21-27, 31): its slot first, once a slot."""
    if len(v) < 1 or v[0] > 1:
        raise ValueError('field %d of slot %r' % (t, v[:1]))
    k = {21: 'term', 22: 'local', 23: 'remote', 24: 'latched', 25: 'media', 26: 'srtp',
         27: 'usage', 31: 'leg'}[t]
    term = e['terms'].setdefault(v[0], {})
    if k in term:
        raise ValueError('field %d twice for slot %d' % (t, v[0]))
    fixed = {21: 3, 25: 2, 26: 2, 27: 33, 31: 3}
    if t in fixed and len(v) != fixed[t]:
        raise ValueError('field %d of %d bytes' % (t, len(v)))
    if t == 21:
        term[k] = struct.unpack('!H', v[1:3])[0]
    elif t in (22, 23, 24):
        term[k] = addr(v[1:])
    elif t == 25:
        term[k] = MEDIA[v[1]] if v[1] in MEDIA else None
    elif t == 26:
        term[k] = SRTP[v[1]] if v[1] in SRTP else None
    elif t == 31:
        # a TCP leg's: its role, TLS on or off
        term[k] = ('%s%s' % ({1: 'connect', 2: 'listen'}[v[1]], '/tls' if v[2] else '')
                   if v[1] in (1, 2) and v[2] <= 1 else None)
    else:
        term[k] = struct.unpack('!QQQQ', v[1:33])   # bytes in, out, packets in, out
    if term[k] is None:
        raise ValueError('field %d out of range: %d' % (t, v[1]))


def event(b):
    """The event in payload b: {'event': n, 'relayed': [...], 'client',
    'server', 'peer', 'user', 'realm', 'terms' (a context's: {slot: {'term'
    (serial), 'local', 'remote', 'latched', 'media', 'srtp', 'usage' (bytes
    in, out, packets in, out), 'leg' (a TCP leg's role, '/tls')}}) and every
    integer field by its type}."""
    if len(b) < 8 or b[:4] != b'TPX2' or b[4] != 1:
        raise ValueError('not a TPX2 version 1 event: %r' % b[:8])
    e = {'event': b[5], 'relayed': [], 'terms': {}}
    off = 8
    while off < len(b):
        if off + 4 > len(b):
            raise ValueError('a field header cut at %d' % off)
        t, n = struct.unpack('!HH', b[off:off + 4])
        v = b[off + 4:off + 4 + n]
        if len(v) != n:
            raise ValueError('field %d cut: %d of %d bytes' % (t, len(v), n))
        off += 4 + n
        if t in (2, 3, 9):
            e[{2: 'client', 3: 'server', 9: 'peer'}[t]] = addr(v)
        elif t == 5:
            e['relayed'].append(addr(v))
        elif t in (6, 7):
            e[{6: 'user', 7: 'realm'}[t]] = v.decode()
        elif 21 <= t <= 27 or t == 31:
            term_field(e, t, v)
        elif n in (1, 2, 4, 8):
            e[t] = int.from_bytes(v, 'big')
    return e


def describe(e):
    """One line: the event's name and what it says."""
    out = [EVENTS.get(e['event'], 'event %d' % e['event'])]
    if 'user' in e:
        out.append('user %s (realm %s)' % (e['user'], e.get('realm', '')))
    if 'client' in e:
        out.append('client %s%s' % (e['client'], '/' + TRANSPORTS.get(e[4], '?') if 4 in e else ''))
    if e['relayed']:
        out.append('relayed ' + ' '.join(e['relayed']))
    if 8 in e:
        out.append('lifetime %d s' % e[8])
    if 'peer' in e:
        out.append('peer ' + e['peer'])
    if 10 in e:
        out.append('channel 0x%04x' % e[10])
    if 11 in e:
        out.append('bytes %d/%d' % (e[11], e.get(12, 0)))
    if 13 in e:
        out.append('packets %d/%d' % (e[13], e.get(14, 0)))
    if 16 in e:
        out.append('reason %s%s' % (REASONS.get(e[16], e[16]),
                                    ', usage exact' if e.get(17) else ''))
    if 28 in e:
        out.append('change ' + '+'.join(n for b, n in CHANGES.items() if e[28] & b))
    if 29 in e:
        out.append('target on %d' % e[29])
    for slot, t in sorted(e['terms'].items()):
        d = ['slot %d' % slot] + ['%s %s' % ('serial' if k == 'term' else k, t[k]) for k in
                                  ('term', 'leg', 'local', 'remote', 'latched', 'media', 'srtp',
                                   'usage')
                                  if k in t]
        out.append('(' + ' '.join(d) + ')')
    if 30 in e:
        out.append('reason %s%s' % (CTX_REASONS.get(e[30], e[30]),
                                    ', usage exact' if e.get(17) else ''))
    return ', '.join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--xid')
    a = ap.parse_args()
    bad = []
    x2seq, x3dirs, x3cids, n = {}, set(), set(), {'1': 0, '2': 0}
    for line in sys.stdin:
        if not line.strip():
            continue
        # (tshark gives a field once for each time the PDU is dissected: the first)
        f = [x.split(',')[0] for x in line.rstrip('\n').split('|')]
        f += [''] * (11 - len(f))
        typ, xid, cid, pf, pd, sq, pld = f[:7]
        head = '%-3s seq %-3s cid %s fmt %s (%s), %s' % (
            PDU_TYPES.get(typ, typ), sq, cid, pf, FORMATS.get(pf, '?'), DIRECTIONS.get(pd, pd))
        if typ in ('3', '4'):
            print(head)   # (keepalives: no task's, not judged)
            continue
        if typ == '1':
            try:
                what = describe(event(bytes.fromhex(pld.replace(':', ''))))
            except ValueError as err:
                what = 'unreadable: %s' % err
                bad.append('an X2 event does not read: %s' % err)
            x2seq.setdefault(cid, []).append(int(sq or 0))
        else:
            what = '%s:%s -> %s:%s' % tuple(f[7:11])
            x3dirs.add(pd)
            x3cids.add(cid)
        print('%s: %s' % (head, what))
        n[typ] = n.get(typ, 0) + 1
        if a.xid and xid.lower() != a.xid.lower():
            bad.append('a PDU of another XID: %s' % xid)
    if a.xid:
        if not n['1'] or not n['2']:
            bad.append('%d X2 and %d X3 PDUs: both wanted' % (n['1'], n['2']))
        if n['2'] and x3dirs != {'2', '3'}:
            bad.append('X3 not both ways: directions %s' % sorted(x3dirs))
        if not x3cids <= set(x2seq):
            bad.append('X3 of correlation IDs without X2: %s' % sorted(x3cids - set(x2seq)))
        for cid, sqs in sorted(x2seq.items()):
            if sorted(sqs) != list(range(1, len(sqs) + 1)):
                bad.append('the X2 of correlation ID %s not numbered 1..n: %s' % (cid, sqs))
    for b in bad:
        print(b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
