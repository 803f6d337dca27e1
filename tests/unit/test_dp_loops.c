/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's busy loop turns by duration (dp/dp_loops.h): the bounds in
 * cycles of a TSC, the bucket of a turn (a turn of exactly a bound in
 * that bound's bucket, as Prometheus' le says; past the last, +Inf), and
 * the turns over a bound that SIGUSR1's long_loops_* print.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dp_loops.h"

#define HZ 2500000000ull        /* 2.5 GHz: 2500 cycles a us */

static void
test_limits_are_the_bounds_in_cycles(void **state)
{
	static const uint32_t us[DP_LOOP_BOUNDS] = IPC_DP_LOOP_US;
	uint64_t lim[DP_LOOP_BOUNDS];

	(void)state;
	dp_loop_limits(HZ, lim);
	assert_int_equal(lim[0], 5 * 2500);
	assert_int_equal(lim[DP_LOOP_BOUNDS - 1], 20000ull * 2500);
	for (unsigned int i = 0; i < DP_LOOP_BOUNDS; i++) {
		assert_int_equal(lim[i], us[i] * 2500ull);
		if (i > 0)
			assert_true(lim[i] > lim[i - 1]);
	}
	/* long_loops_* begin at 100 us */
	assert_int_equal(us[DP_LONG_LOOP_FIRST], 100);
	assert_int_equal(DP_LOOP_BOUNDS - DP_LONG_LOOP_FIRST, 8);
}

static void
test_bucket_edges(void **state)
{
	uint64_t lim[DP_LOOP_BOUNDS];

	(void)state;
	dp_loop_limits(HZ, lim);
	assert_int_equal(dp_loop_bucket(lim, 0), 0);
	assert_int_equal(dp_loop_bucket(lim, 1), 0);
	assert_int_equal(dp_loop_bucket(lim, lim[0]), 0);         /* 5 us: le 5e-06 */
	assert_int_equal(dp_loop_bucket(lim, lim[0] + 1), 1);
	for (unsigned int i = 0; i < DP_LOOP_BOUNDS; i++) {
		assert_int_equal(dp_loop_bucket(lim, lim[i]), i);
		assert_int_equal(dp_loop_bucket(lim, lim[i] + 1), i + 1);
		assert_int_equal(dp_loop_bucket(lim, lim[i] - 1), i);
	}
	assert_int_equal(dp_loop_bucket(lim, 37 * 2500), 3);    /* 37 us: (20, 50] */
	assert_int_equal(dp_loop_bucket(lim, lim[DP_LOOP_BOUNDS - 1] + 1), DP_LOOP_BOUNDS);
	assert_int_equal(dp_loop_bucket(lim, UINT64_MAX), DP_LOOP_BOUNDS);
}

/* The turns over a bound are those of the buckets after it: what the
 * cold path counted before, one counter per bound, "> limit". */
static void
test_over_is_as_counted_per_bound(void **state)
{
	static const uint64_t samples_us[] = {
		0, 3, 5, 6, 10, 11, 99, 100, 101, 150, 200, 999, 1000, 1001, 4000, 19999,
		20000, 20001, 500000,
	};
	uint64_t lim[DP_LOOP_BOUNDS], turns[DP_LOOP_BUCKETS] = { 0 };
	uint64_t over[DP_LOOP_BOUNDS] = { 0 }, total = 0;

	(void)state;
	dp_loop_limits(HZ, lim);
	for (size_t k = 0; k < sizeof(samples_us) / sizeof(samples_us[0]); k++) {
		uint64_t c = samples_us[k] * 2500;

		turns[dp_loop_bucket(lim, c)]++;
		for (unsigned int i = 0; i < DP_LOOP_BOUNDS; i++)
			if (c > lim[i])
				over[i]++;
	}
	for (unsigned int i = 0; i < DP_LOOP_BOUNDS; i++)
		assert_int_equal(dp_loops_over(turns, i), over[i]);
	for (unsigned int i = 0; i < DP_LOOP_BUCKETS; i++)
		total += turns[i];
	assert_int_equal(total, sizeof(samples_us) / sizeof(samples_us[0]));
	assert_int_equal(dp_loops_over(turns, DP_LONG_LOOP_FIRST), 11);   /* over 100 us */
	assert_int_equal(turns[DP_LOOP_BOUNDS], 2);                       /* over 20 ms */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_are_the_bounds_in_cycles),
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_over_is_as_counted_per_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
