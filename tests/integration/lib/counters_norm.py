#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Normalise turnpike's counter outputs for a golden comparison.

What an operator's dashboards and scripts key on is kept as it is: metric
names, label names and values, HELP and TYPE lines, JSON keys and their
nesting, dp's statistics keys. What changes from run to run is replaced:
numbers by N, JSON scalars by their type, durations and dates by
placeholders. Samples and keys that appear only once a counter moved
(cycles per packet after the first packet, dp's nonzero drop reasons) are
left out, so that the same configuration gives the same text every run.

usage: counters_norm.py KIND FILE     (KIND: metrics, json, status, dpstats)
"""
import json
import re
import sys

NUM = re.compile(r'-?\d+(\.\d+)?([eE][-+]?\d+)?')


def metrics(text):
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith('#'):
            out.append(line)
            continue
        name, _ = line.rsplit(' ', 1)
        # only once a worker handled a packet: a kernel's router
        # solicitation may or may not have reached a worker yet
        if name.startswith('turnpike_dp_cycles_per_packet{'):
            continue
        out.append(name + ' N')
    return out


def walk(v, path, out):
    if isinstance(v, dict):
        out.append('%s {}' % (path or '.'))
        for k, x in v.items():
            walk(x, '%s.%s' % (path, k), out)
    elif isinstance(v, list):
        out.append('%s [%d]' % (path or '.', len(v)))
        for i, x in enumerate(v):
            walk(x, '%s[%d]' % (path, i), out)
    elif v is None:
        out.append('%s null' % path)
    elif isinstance(v, bool):
        out.append('%s bool' % path)
    elif isinstance(v, int):
        out.append('%s int' % path)
    elif isinstance(v, float):
        out.append('%s number' % path)
    else:
        out.append('%s string' % path)


def status_json(text):
    out = []
    walk(json.loads(text), '', out)
    return out


def status_text(text):
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        # "1d 2h 3m 4s": how many units depends on when it ran
        line = re.sub(r'\b(\d+[dhms] ?)+\b', 'DUR ', line)
        line = NUM.sub('N', line)
        out.append(' '.join(line.split()))
    return out


def dpstats(text):
    """The block of dp's last SIGUSR1 statistics: each line's leading
    words and its keys, values as N."""
    lines = text.splitlines()
    start = max((i for i, l in enumerate(lines) if l.startswith('turnpike-dp stats:')),
                default=None)
    if start is None:
        return ['no statistics block']
    out = []
    for i, line in enumerate(lines[start:]):
        toks = line.split()
        if i == 0:
            toks = toks[2:]
            head = ['turnpike-dp', 'stats:']
        else:
            head = []
            while toks and '=' not in toks[0]:
                head.append(toks.pop(0))
            # a statistics line is a word or two, then key=value only
            if not toks or len(head) > 1 or any('=' not in t for t in toks):
                continue
        # a worker's line and the total: drops by reason only when
        # nonzero, cycles per packet only after the first packet; the
        # heap per SSL object only while one lives
        loop = head == ['total'] or (not head and toks[0].startswith('worker='))
        keys = []
        for t in toks:
            k, v = t.split('=', 1)
            if (loop and (k.startswith('drop_') or k.startswith('cycles_per_pkt'))) or \
               k == 'heap_per_ssl':
                continue
            keys.append('%s=%s' % (k, NUM.sub('N', v)))
        out.append(' '.join(head + keys))
    return out


def main():
    kind, path = sys.argv[1], sys.argv[2]
    text = open(path).read()
    f = {'metrics': metrics, 'json': status_json, 'status': status_text,
         'dpstats': dpstats}[kind]
    for line in f(text):
        print(line)


if __name__ == '__main__':
    main()
