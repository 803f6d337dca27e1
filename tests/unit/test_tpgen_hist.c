/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generator's latency histogram (perf/tpgen_hist.h): every value
 * lands in a bucket that contains it, buckets are at most 1/32 of their
 * value wide, and percentiles come out where the samples are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tpgen_hist.h"

static void
test_hist_bucket_contains_value(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < 100000; v++) {
		unsigned int b = gen_hist_bucket(v);

		assert_true(gen_hist_lower(b) <= v);
		assert_true(v < gen_hist_lower(b + 1));
	}
	for (uint64_t v = 1; v < (1ull << 47); v = v * 3 + 1) {
		unsigned int b = gen_hist_bucket(v);

		assert_true(gen_hist_lower(b) <= v);
		assert_true(v < gen_hist_lower(b + 1));
	}
}

static void
test_hist_bucket_width_bounded(void **state)
{
	(void)state;
	for (unsigned int b = GEN_HIST_SUB; b + 1 < GEN_HIST_BUCKETS; b++) {
		uint64_t lo = gen_hist_lower(b), hi = gen_hist_lower(b + 1);

		assert_true(hi > lo);
		assert_true((hi - lo) * GEN_HIST_SUB <= lo);
	}
}

static void
test_hist_buckets_ordered(void **state)
{
	(void)state;
	for (unsigned int b = 0; b + 1 < GEN_HIST_BUCKETS; b++)
		assert_true(gen_hist_lower(b) < gen_hist_lower(b + 1));
	assert_int_equal(gen_hist_bucket(1ull << 60), GEN_HIST_BUCKETS - 1);
}

static void
test_hist_quantiles_of_uniform_samples(void **state)
{
	static struct gen_hist h;

	(void)state;
	gen_hist_reset(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		gen_hist_add(&h, v * 10);      /* 10 ns .. 1 ms */
	assert_int_equal(h.n, 100000);
	assert_int_equal(h.min, 10);
	assert_int_equal(h.max, 1000000);
	/* Within the bucket width (about 3%) of the true quantile. */
	assert_in_range(gen_hist_quantile(&h, 0.5), 485000, 515000);
	assert_in_range(gen_hist_quantile(&h, 0.99), 960000, 1000000);
	assert_in_range(gen_hist_quantile(&h, 0.999), 969000, 1000000);
	assert_int_equal(gen_hist_quantile(&h, 0), 10);
	assert_int_equal(gen_hist_quantile(&h, 1), 1000000);
}

static void
test_hist_quantile_finds_the_tail(void **state)
{
	static struct gen_hist h;

	(void)state;
	gen_hist_reset(&h);
	for (int i = 0; i < 990; i++)
		gen_hist_add(&h, 1000);
	for (int i = 0; i < 10; i++)
		gen_hist_add(&h, 500000);
	assert_in_range(gen_hist_quantile(&h, 0.5), 1000, 1000);
	assert_in_range(gen_hist_quantile(&h, 0.99), 1000, 1031);
	assert_in_range(gen_hist_quantile(&h, 0.995), 485000, 500000);
	assert_int_equal(gen_hist_quantile(&h, 0.999), 500000);
}

static void
test_hist_empty_is_zero(void **state)
{
	static struct gen_hist h;

	(void)state;
	gen_hist_reset(&h);
	assert_int_equal(gen_hist_quantile(&h, 0.5), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_bucket_contains_value),
		cmocka_unit_test(test_hist_bucket_width_bounded),
		cmocka_unit_test(test_hist_buckets_ordered),
		cmocka_unit_test(test_hist_quantiles_of_uniform_samples),
		cmocka_unit_test(test_hist_quantile_finds_the_tail),
		cmocka_unit_test(test_hist_empty_is_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
