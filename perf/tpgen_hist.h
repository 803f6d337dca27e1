/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A latency histogram for the generator: log-linear buckets (a power of
 * two split into GEN_HIST_SUB linear steps), so any value from 1 to 2^48
 * lands in a bucket at most 1/GEN_HIST_SUB (3%) wider than itself. Adding
 * a sample is a few instructions and no branch on the data; percentiles
 * walk the counts once. Pure C with no DPDK, tested on its own
 * (tests/unit/test_tpgen_hist.c).
 */
#ifndef TPGEN_HIST_H
#define TPGEN_HIST_H

#include <stdint.h>

#define GEN_HIST_SUB_BITS 5
#define GEN_HIST_SUB      (1u << GEN_HIST_SUB_BITS)
#define GEN_HIST_MAX_BITS 48
#define GEN_HIST_BUCKETS  ((GEN_HIST_MAX_BITS + 1) * GEN_HIST_SUB)

struct gen_hist {
	uint64_t n;
	uint64_t min, max;
	long double sum;
	uint64_t b[GEN_HIST_BUCKETS];
};

/* Bucket of v: values below GEN_HIST_SUB have a bucket each; above, the
 * position of the top bit picks the row and the next bits the column. */
static inline unsigned int
gen_hist_bucket(uint64_t v)
{
	unsigned int msb, shift;

	if (v < GEN_HIST_SUB)
		return (unsigned int)v;
	if (v >= (1ull << GEN_HIST_MAX_BITS))
		return GEN_HIST_BUCKETS - 1;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	shift = msb - GEN_HIST_SUB_BITS;
	return ((shift + 1) << GEN_HIST_SUB_BITS) |
	       (unsigned int)((v >> shift) & (GEN_HIST_SUB - 1));
}

/* The smallest value that falls in bucket i. */
static inline uint64_t
gen_hist_lower(unsigned int i)
{
	unsigned int row = i >> GEN_HIST_SUB_BITS, col = i & (GEN_HIST_SUB - 1);

	if (row == 0)
		return col;
	return (uint64_t)(GEN_HIST_SUB | col) << (row - 1);
}

static inline void
gen_hist_add(struct gen_hist *h, uint64_t v)
{
	h->b[gen_hist_bucket(v)]++;
	if (h->n == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->sum += (long double)v;
	h->n++;
}

void gen_hist_reset(struct gen_hist *h);
/* The value below which a fraction q (0..1) of the samples lie: the
 * middle of the bucket that holds it, clamped to [min, max]; 0 when
 * empty. */
uint64_t gen_hist_quantile(const struct gen_hist *h, double q);

#endif /* TPGEN_HIST_H */
