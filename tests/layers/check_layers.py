#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dp/'s layers (dp/README.md): every #include in dp/ read against the
order net < core (with netio, port) < tcp < {tls, diag, rtp, li} < {session, dtls_srtp} <
{turn, splice} < {tcprelay, agw} < root. An include of a higher layer's header is an error, named by file
and line, unless KNOWN lists it; a KNOWN entry that no longer occurs is an
error too, so that the list only shrinks as the order is restored. A
folder's own headers (*_internal.h, *_private.h, and a header that
includes one of them: own_headers()) are included from that folder only:
another module uses its public header (dp/tcprelay: dp/turn's
turn_tcprelay.h).

Usage: check_layers.py SRC_ROOT [--stamp FILE]
       check_layers.py SRC_ROOT --list

The build runs it (dp/meson.build): with --stamp it writes FILE when the
order holds, so that ninja stops, with this script's message, on a file
that breaks it. --list prints the files it reads (what the build step
depends on).
"""
import os
import re
import sys

# net/ is the pure part (no EAL, no mbuf: its own library, dpnet, under
# core's); netio/ (the network layer on the worker's packets) and port/
# are core's, one library with dp/'s core files (dp/meson.build)
RANK = {'net': 0, 'core': 1, 'netio': 1, 'port': 1, 'tcp': 2, 'tls': 3, 'diag': 3, 'rtp': 3, 'li': 3,
        'session': 4, 'dtls_srtp': 4, 'turn': 5, 'splice': 5, 'tcprelay': 6, 'agw': 6, 'root': 9}

# dp/'s own files by layer (the subdirectories are their own layer)
TOP = {
    'dp.h': 'core', 'dp_types.h': 'core', 'dp_counters.def': 'core',
    'dp_stages.def': 'core', 'dp_long_by.def': 'core',
    'dp_drops.def': 'net',        # the drop reasons: net_types.h's enum dp_drop
    'dp_cp.h': 'core', 'dp_cp.c': 'core',
    'dp_ctrs.h': 'core', 'dp_ctrs.c': 'core', 'dp_handoff.c': 'core',
    'dp_ha.h': 'core', 'dp_ha.c': 'core',
    'dp_module.h': 'core', 'dp_module.c': 'core',
    'dp_tcp.c': 'tcp', 'dp_tcp.h': 'tcp',
}

# Upward includes that remain (dp/README.md, "Where the order is still
# broken"): file -> included file, both relative to dp/. None: each one
# that comes back is an error.
KNOWN = set()


def own_headers(incs):
    """{header: why} of the headers that are their folder's own: one named
    *_internal.h or *_private.h, and one that includes such a header of
    its folder (it hands the internals on: dp/turn's turn_inlines.h)."""
    own = {h: 'its name' for h in incs
           if h.endswith(('_internal.h', '_private.h'))}
    grew = True
    while grew:
        grew = False
        for h, lst in incs.items():
            if h in own or not h.endswith('.h'):
                continue
            for _, t in lst:
                if t in own and os.path.dirname(t) == os.path.dirname(h):
                    own[h] = 'it includes ' + os.path.basename(t)
                    grew = True
                    break
    return own


def layer(rel):
    parts = rel.split('/')
    if len(parts) > 1:
        return parts[0]
    return TOP.get(parts[0], 'root')


def main():
    args = sys.argv[1:]
    stamp = None
    listing = '--list' in args
    if listing:
        args.remove('--list')
    if '--stamp' in args:
        i = args.index('--stamp')
        if i + 1 >= len(args):
            print('check_layers: --stamp needs a file')
            return 2
        stamp = args[i + 1]
        del args[i:i + 2]
    dp = os.path.join(args[0] if args else '.', 'dp')
    if not os.path.isdir(dp):
        print('check_layers: no dp/ under %s' % os.path.dirname(dp))
        return 2
    headers = {}
    files = []
    for d, _, fs in os.walk(dp):
        for f in sorted(fs):
            rel = os.path.relpath(os.path.join(d, f), dp)
            if f.endswith(('.h', '.def')):
                headers.setdefault(f, []).append(rel)
            if f.endswith(('.c', '.h')):
                files.append(rel)
    if listing:
        for rel in sorted(files):
            print(os.path.join(os.path.abspath(dp), rel))
        return 0
    incs = {}                     # file -> [(line, included file)], within dp/
    for rel in sorted(files):
        incs[rel] = []
        with open(os.path.join(dp, rel), encoding='utf-8') as fh:
            for no, line in enumerate(fh, 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                # the path as written from the file's directory, else the
                # one header of that name in dp/ (include directories)
                tgt = os.path.normpath(os.path.join(os.path.dirname(rel), m.group(1)))
                if not os.path.exists(os.path.join(dp, tgt)):
                    cands = headers.get(os.path.basename(m.group(1)), [])
                    if len(cands) != 1:
                        continue          # lib/'s, DPDK's, or ambiguous
                    tgt = cands[0]
                incs[rel].append((no, tgt))
    private = own_headers(incs)
    bad, seen = [], set()
    for rel in sorted(files):
        me = layer(rel)
        if me not in RANK:
            bad.append('%s: directory %s has no place in the layers' % (rel, me))
            continue
        for no, tgt in incs[rel]:
            if tgt in private and os.path.dirname(tgt) != os.path.dirname(rel):
                bad.append('dp/%s:%d: includes %s, dp/%s/\'s own (%s): a module '
                           'outside uses its public header' %
                           (rel, no, tgt, os.path.dirname(tgt), private[tgt]))
            them = layer(tgt)
            if RANK.get(them, 0) <= RANK[me]:
                continue
            if (rel, tgt) in KNOWN:
                seen.add((rel, tgt))
                continue
            bad.append('dp/%s:%d: %s includes %s: %s is above %s' %
                       (rel, no, me, tgt, them, me))
    for k in sorted(KNOWN - seen):
        bad.append('dp/%s no longer includes dp/%s: take it out of KNOWN in %s' %
                   (k[0], k[1], os.path.basename(__file__)))
    for b in bad:
        print(b)
    if bad or stamp is None:
        print('layers: %d upward include(s) known, %d error(s)' % (len(seen), len(bad)))
    if bad:
        if stamp is not None:
            print('layers: dp/README.md "Layers" says which module may include which')
        return 1
    if stamp is not None:
        with open(stamp, 'w', encoding='utf-8') as fh:
            fh.write('/* dp/\'s layers hold (tests/layers/check_layers.py) */\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
