#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""cp's modules call each other in one direction (cp/README.md "Who
observes whom"): by the symbols of turnpike-cp's objects and its modules'
libraries (nm), no two modules reach each other through calls, directly
or through others. A module is a folder of cp/ (modules(): every folder
with C sources, read from the tree, so that a new one is in the graph
without a list to remember); cp/'s own files (main.c, cp_dp.c,
cp_module.c, reload.c, ...) are the core every module may use, and are
left out of the graph. A module that follows another registers with it
(an observer, a hook): the followed one calls through a pointer, which nm
does not see as a call, and no circle forms.

Usage: check_cp_modules.py [--stamp FILE] OBJDIR [LIB ...]
       check_cp_modules.py --self-test

OBJDIR holds turnpike-cp's objects, named by meson after their path
(alloc_alloc.c.o: cp/alloc/alloc.c); each LIB is a module's static
library (cp/auth/libtpcpauth.a: auth). The build runs it (cp/meson.build):
with --stamp it writes FILE when there is no circle, so that ninja stops,
with this script's message, on a circle. --self-test plants circles in
objects of its own, compiled with cc (one through ng, the folder the
hand-kept list of modules once left out), and checks that they are found
(the unit suite runs it).
"""
import itertools
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_calls import compile_c, symbols  # noqa: E402  (nm and cc, once)

CP = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'cp')


def modules(cp=CP):
    """cp/'s folders that hold C sources: its modules (and turnpikectl's
    ctl, whose objects are never turnpike-cp's)."""
    out = []
    for d in sorted(os.listdir(cp)):
        p = os.path.join(cp, d)
        if os.path.isdir(p) and any(f.endswith('.c') for f in os.listdir(p)):
            out.append(d)
    return tuple(out)


MODULES = modules()


def module_of_object(path):
    b = os.path.basename(path)
    for m in MODULES:
        if b.startswith(m + '_'):
            return m
    return None


def module_of_lib(path):
    m = re.match(r'libtpcp(\w+)\.a$', os.path.basename(path))
    return m.group(1) if m and m.group(1) in MODULES else None


def graph(objdir, libs):
    """{(a, b): symbols} of calls from module a to module b."""
    defs, uses = {}, []
    parts = [(symbols([objdir]), module_of_object)]
    parts += [(symbols([l]), lambda o, l=l: module_of_lib(l)) for l in libs]
    for syms, mod_of in parts:
        for obj, (d, u) in syms.items():
            mod = mod_of(obj)
            for sym in d:
                defs.setdefault(sym, mod)
            uses += [(mod, sym) for sym in u]
    edges = {}
    for mod, sym in uses:
        d = defs.get(sym)
        if mod is not None and d is not None and d != mod:
            edges.setdefault((mod, d), set()).add(sym)
    return edges


def circles(edges):
    g = {}
    for a, b in edges:
        g.setdefault(a, set()).add(b)

    def path(a, b):
        seen, todo = {a}, [[a]]
        while todo:
            p = todo.pop()
            for n in sorted(g.get(p[-1], ())):
                if n == b:
                    return p + [n]
                if n not in seen:
                    seen.add(n)
                    todo.append(p + [n])
        return None
    out = []
    nodes = sorted(set(x for e in edges for x in e))
    for a, b in itertools.combinations(nodes, 2):
        there, back = path(a, b), path(b, a)
        if there and back:
            out.append(' -> '.join(there) + ' -> ' + ' -> '.join(back[1:]))
    return out


def self_test():
    if 'ng' not in MODULES:
        print('check_cp_modules self-test: cp/ng is not among the modules %r' % (MODULES,))
        return 1
    with tempfile.TemporaryDirectory() as d:
        def cc(name, text):
            compile_c(d, name + '.c', text)
        cc('alloc_alloc', 'void acct_fn(void);\nvoid alloc_fn(void) { acct_fn(); }\n')
        cc('acct_acct', 'void store_fn(void);\nvoid acct_fn(void) { store_fn(); }\n')
        cc('store_store', 'void alloc_fn(void);\nvoid store_fn(void) { alloc_fn(); }\n')
        found = circles(graph(d, []))
        if len(found) != 3 or not any('alloc -> acct -> store -> alloc' in c
                                      for c in found):
            print('check_cp_modules self-test: a planted circle gave %r' % found)
            return 1
        os.remove(os.path.join(d, 'store_store.c.o'))
        cc('store_store', 'void store_fn(void) { }\n')
        if circles(graph(d, [])):
            print('check_cp_modules self-test: a chain was taken for a circle')
            return 1
    # a circle through ng, its objects named as meson names them
    # (ng_ng_call.c.o: cp/ng/ng_call.c), with one of core's beside
    # (cp_dp.c.o: no module's), which adds no edge
    with tempfile.TemporaryDirectory() as d:
        def cc(name, text):
            compile_c(d, name + '.c', text)
        cc('ng_ng_call', 'void cp_agw_fn(void);\nvoid ng_fn(void) { cp_agw_fn(); }\n')
        cc('agw_cp_agw', 'void ng_fn(void);\nvoid cp_core_fn(void);\n'
           'void cp_agw_fn(void) { ng_fn(); cp_core_fn(); }\n')
        cc('cp_dp', 'void ng_fn(void);\nvoid cp_core_fn(void) { ng_fn(); }\n')
        found = circles(graph(d, []))
        if found != ['agw -> ng -> agw']:
            print('check_cp_modules self-test: a planted circle through ng gave %r' % found)
            return 1
    print('check_cp_modules self-test: planted circles (one through ng) are found, '
          'a chain is not')
    return 0


def main():
    args = sys.argv[1:]
    if args == ['--self-test']:
        return self_test()
    stamp = None
    if '--stamp' in args:
        i = args.index('--stamp')
        if i + 1 >= len(args):
            print('check_cp_modules: --stamp needs a file')
            return 2
        stamp = args[i + 1]
        del args[i:i + 2]
    if not args:
        print(__doc__)
        return 2
    edges = graph(args[0], args[1:])
    found = circles(edges)
    for c in found:
        print('cp modules: a circle of calls: ' + c)
    for (a, b), syms in sorted(edges.items()):
        if any(a in c and b in c for c in found):
            print('  %s -> %s: %s' % (a, b, ', '.join(sorted(syms)[:8])))
    if found:
        print('cp modules: %d circle(s); a module that follows another registers '
              'with it (cp/README.md "Who observes whom")' % len(found))
        return 1
    if stamp is not None:
        with open(stamp, 'w', encoding='utf-8') as fh:
            fh.write("/* cp's modules call without a circle "
                     "(tests/layers/check_cp_modules.py) */\n")
        return 0
    print('cp modules: %d calls between modules (%s), no circle' %
          (len(edges), ', '.join(MODULES)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
