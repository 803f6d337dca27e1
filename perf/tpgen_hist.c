/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Percentiles of the generator's latency histogram (tpgen_hist.h).
 */
#include <string.h>

#include "tpgen_hist.h"

void
gen_hist_reset(struct gen_hist *h)
{
	memset(h, 0, sizeof(*h));
}

uint64_t
gen_hist_quantile(const struct gen_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->n == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* The sample of rank ceil(q * n), counting from 1. */
	rank = (uint64_t)(q * (double)h->n);
	if ((double)rank < q * (double)h->n)
		rank++;
	if (rank == 0)
		rank = 1;
	for (unsigned int i = 0; i < GEN_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t lo = gen_hist_lower(i);
			uint64_t hi = i + 1 < GEN_HIST_BUCKETS ?
				gen_hist_lower(i + 1) - 1 : lo;
			uint64_t mid = lo + (hi - lo) / 2;

			if (mid < h->min)
				mid = h->min;
			if (mid > h->max)
				mid = h->max;
			return mid;
		}
	}
	return h->max;
}
