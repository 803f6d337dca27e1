#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dp/'s layers by what the code calls (dp/README.md "Layers"): each
layer is a static library (dp/meson.build), the root the executable's own
objects. A symbol a layer's objects use (nm's U: a call, or a function or
variable whose address is taken) must be defined in the same layer or a
lower one: a use of a higher layer's symbol, of a sibling's (turn and
splice, tcprelay and agw see nothing of each other) or of the root's is an
error, named by the object, the symbol and where it is defined. The
include check (check_layers.py) cannot see a call through a prototype
declared in a lower header; this one can.

Usage: check_calls.py [--stamp FILE] LAYER=PATH ...
       check_calls.py --self-test

Each PATH is a static library or a directory of objects (*.o); LAYER is
one of RANK's names. A layer may be given several PATHs. --self-test
compiles a planted upward call with cc and checks that it is refused
(the unit suite runs it).
"""
import os
import re
import subprocess
import sys
import tempfile

RANK = {'net': 0, 'core': 1, 'tcp': 2, 'tls': 3, 'diag': 3, 'rtp': 3, 'li': 3, 'session': 4, 'dtls_srtp': 4, 'turn': 5,
        'splice': 5, 'tcprelay': 6, 'agw': 6, 'root': 9}
NM_LINE = re.compile(r'^(.*?\.o):\s*[0-9a-fA-F]*\s+(\S)\s+(\S+)$')


def objects(path):
    if os.path.isdir(path):
        return sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith('.o'))
    return [path]


def symbols(paths):
    """{object: (defined set, undefined set)} over paths (nm -A)."""
    out = {}
    files = [o for p in paths for o in objects(p)]
    if not files:
        return out
    res = subprocess.run(['nm', '-A', '--no-sort'] + files, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError('nm failed: %s' % res.stderr.strip())
    for line in res.stdout.splitlines():
        # "lib.a:member.o:0000000000000000 T name", "file.o:                 U name"
        m = NM_LINE.match(line)
        if not m:
            continue
        obj, kind, name = m.group(1), m.group(2), m.group(3)
        d, u = out.setdefault(obj, (set(), set()))
        if kind == 'U':
            u.add(name)
        elif kind.isupper() and kind not in ('W', 'V'):
            d.add(name)
    return out


def compile_c(d, name, text):
    """name.c in folder d compiled with cc: its object's path (name.o)."""
    src = os.path.join(d, name + '.c')
    with open(src, 'w', encoding='utf-8') as fh:
        fh.write(text)
    subprocess.run(['cc', '-c', '-o', os.path.join(d, name + '.o'), src], check=True)
    return os.path.join(d, name + '.o')


def check(layers):
    """layers: [(layer, [paths])]. Returns the error lines."""
    defined = {}           # symbol -> (layer, object)
    uses = []              # (layer, object, undefined set)
    for layer, paths in layers:
        for obj, (d, u) in symbols(paths).items():
            for s in d:
                defined.setdefault(s, (layer, obj))
            uses.append((layer, obj, u))
    bad = []
    for layer, obj, u in uses:
        for s in sorted(u):
            if s not in defined:
                continue                  # lib/'s, DPDK's, libc's
            them, where = defined[s]
            if them == layer:
                continue
            if RANK[them] < RANK[layer]:
                continue
            bad.append('%s (%s) uses %s, defined in %s (%s): %s' %
                       (os.path.basename(obj), layer, s, os.path.basename(where), them,
                        'the root' if them == 'root' else
                        'a sibling' if RANK[them] == RANK[layer] else 'a higher layer'))
    return bad


def self_test():
    with tempfile.TemporaryDirectory() as d:
        def cc(name, text):
            return compile_c(d, name, text)
        core = cc('core', 'void up(void);\nvoid core_fn(void) { up(); }\n')
        turn = cc('turn', 'void core_fn(void);\nvoid turn_fn(void) { core_fn(); }\n')
        root = cc('root', 'void turn_fn(void);\nvoid up(void) { turn_fn(); }\n')
        bad = check([('core', [core]), ('turn', [turn]), ('root', [root])])
        if len(bad) != 1 or 'uses up' not in bad[0] or 'the root' not in bad[0]:
            print('check_calls self-test: a planted call from core into the root '
                  'gave %r' % bad)
            return 1
        if check([('core', [turn]), ('root', [root])]) != []:
            print('check_calls self-test: downward calls refused')
            return 1
    print('check_calls self-test: a planted upward call is refused, downward ones pass')
    return 0


def main():
    args = sys.argv[1:]
    if args == ['--self-test']:
        return self_test()
    stamp = None
    if '--stamp' in args:
        i = args.index('--stamp')
        stamp = args[i + 1]
        del args[i:i + 2]
    layers = {}
    order = []
    for a in args:
        layer, _, path = a.partition('=')
        if layer not in RANK or not path:
            print('check_calls: %s: LAYER=PATH, LAYER one of %s' % (a, ', '.join(RANK)))
            return 2
        if layer not in layers:
            order.append(layer)
        layers.setdefault(layer, []).append(path)
    bad = check([(l, layers[l]) for l in order])
    for b in bad:
        print('dp layers: ' + b)
    if bad:
        print('layers: %d call(s) against the order; dp/README.md "Layers" says '
              'how a lower layer reaches a higher one (registration)' % len(bad))
        return 1
    if stamp is not None:
        with open(stamp, 'w', encoding='utf-8') as fh:
            fh.write('/* dp/\'s layers hold by calls (tests/layers/check_calls.py) */\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
