#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check one series of a Prometheus histogram in a scrape (text format).

usage: prom_histogram.py SCRAPE NAME SELECTOR LE[,LE...] [--more-than N]
       [--sum-is NUMERATOR/DENOMINATOR]

SELECTOR is the series' labels without le, as the text has them
(worker="0"). Checked: HELP and a TYPE of histogram; the _bucket
series of SELECTOR with exactly the le values LE..., then +Inf, in that
order, each once; the buckets cumulative (never decreasing); _count
equal to the +Inf bucket; _sum present, a number >= 0. --more-than N:
the count is more than N. --sum-is A/B: _sum is the sample A of the
scrape over the sample B (both full series names), to within 1e-9 of
it (the sum's unit). Prints the count on stdout; exit 1 with the reason
on stderr when a check fails.
"""
import math
import sys


def fail(why):
    sys.stderr.write('prom_histogram: %s\n' % why)
    sys.exit(1)


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        sys.exit(2)
    path, name, sel, les = argv[1], argv[2], argv[3], argv[4].split(',')
    more_than, sum_is = None, None
    rest = argv[5:]
    while rest:
        if rest[0] == '--more-than' and len(rest) > 1:
            more_than = int(rest[1])
        elif rest[0] == '--sum-is' and len(rest) > 1:
            sum_is = rest[1].split('/', 1)
        else:
            sys.stderr.write(__doc__)
            sys.exit(2)
        rest = rest[2:]
    samples, order, meta = {}, [], {}
    for line in open(path).read().splitlines():
        if line.startswith('# HELP ') or line.startswith('# TYPE '):
            f = line.split(' ', 3)
            meta[(f[1], f[2])] = f[3] if len(f) > 3 else ''
            continue
        if not line.strip() or line.startswith('#'):
            continue
        k, v = line.rsplit(' ', 1)
        if k in samples:
            fail('%s twice' % k)
        samples[k] = v
        order.append(k)
    if meta.get(('TYPE', name)) != 'histogram':
        fail('no "# TYPE %s histogram" (%r)' % (name, meta.get(('TYPE', name))))
    if not meta.get(('HELP', name)):
        fail('no HELP of %s' % name)
    prefix = '%s_bucket{%s,le="' % (name, sel)
    got = [k for k in order if k.startswith(prefix)]
    want = [prefix + le + '"}' for le in les + ['+Inf']]
    if got != want:
        fail('the buckets of %s{%s}: %s, not %s' % (name, sel, [k[len(prefix):-2] for k in got],
                                                    les + ['+Inf']))
    try:
        counts = [int(samples[k]) for k in want]
    except ValueError as e:
        fail('a bucket is not an integer: %s' % e)
    for a, b, le in zip(counts, counts[1:], les[1:] + ['+Inf']):
        if b < a:
            fail('the buckets decrease at le="%s": %d after %d (not cumulative)' % (le, b, a))
    cname, sname = '%s_count{%s}' % (name, sel), '%s_sum{%s}' % (name, sel)
    if cname not in samples:
        fail('no %s' % cname)
    if int(samples[cname]) != counts[-1]:
        fail('%s %s, the +Inf bucket %d' % (cname, samples[cname], counts[-1]))
    if sname not in samples:
        fail('no %s' % sname)
    s = float(samples[sname])
    if not s >= 0 or math.isinf(s):
        fail('%s is %s' % (sname, samples[sname]))
    if more_than is not None and counts[-1] <= more_than:
        fail('count %d, not more than %d' % (counts[-1], more_than))
    if sum_is is not None:
        for k in sum_is:
            if k not in samples:
                fail('no %s for the sum' % k)
        want_s = float(samples[sum_is[0]]) / float(samples[sum_is[1]])
        if abs(s - want_s) > 2e-9 * max(1.0, want_s):
            fail('%s %s, %s/%s %.9f' % (sname, samples[sname], sum_is[0], sum_is[1], want_s))
    print(counts[-1])


if __name__ == '__main__':
    main(sys.argv)
