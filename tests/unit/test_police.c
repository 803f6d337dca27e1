/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net/police.h: the token bucket of a splice leg's policing (H.248.53
 * tman): full at the start, exact accrual at any rate and tick, the burst
 * as its cap, debt after an overshooting read, the wait until a wanted
 * amount, a change of rate that keeps what the bucket holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "police.h"

static void
test_police_full_then_rate(void **state)
{
	struct police p = { 0 };

	(void)state;
	police_set(&p, 1000000, 65536, 5000);
	assert_int_equal(police_allow(&p), 65536);
	police_take(&p, 65536);
	assert_int_equal(police_allow(&p), 0);
	police_refill(&p, 5001);                  /* 1 ms at 1 MB/s */
	assert_int_equal(police_allow(&p), 1000);
	police_refill(&p, 5001);                  /* the same tick: nothing */
	assert_int_equal(police_allow(&p), 1000);
	police_refill(&p, 5000);                  /* a clock gone back: nothing */
	assert_int_equal(police_allow(&p), 1000);
	police_refill(&p, 6000);                  /* a second: capped at the burst */
	assert_int_equal(police_allow(&p), 65536);
	/* over three seconds from empty, 3 MB and one burst at most */
	{
		uint64_t got = 0;

		police_take(&p, police_allow(&p));
		for (uint64_t t = 6001; t <= 9000; t++) {
			police_refill(&p, t);
			got += police_allow(&p);
			police_take(&p, police_allow(&p));
		}
		assert_int_equal(got, 3000000);
	}
}

/* A rate under a byte a millisecond accrues exactly (thousandths kept). */
static void
test_police_slow_rate_exact(void **state)
{
	struct police p = { 0 };

	(void)state;
	police_set(&p, 7, 100, 0);
	police_take(&p, 100);
	for (uint64_t t = 1; t <= 1000; t++)
		police_refill(&p, t);
	assert_int_equal(police_allow(&p), 7);
	police_refill(&p, 1000000);
	assert_int_equal(police_allow(&p), 100);
}

/* A whole-segment read past the tokens: debt, nothing given until paid,
 * and the wait says when. */
static void
test_police_debt_and_wait(void **state)
{
	struct police p = { 0 };

	(void)state;
	police_set(&p, 1000, 2000, 0);
	police_take(&p, 1500);
	assert_int_equal(police_allow(&p), 500);
	police_take(&p, 1448);                    /* one segment over the 500 */
	assert_int_equal(police_allow(&p), 0);
	assert_int_equal(police_wait_ms(&p, 1), 949);   /* 948 of debt, then 1 byte */
	police_refill(&p, 948);
	assert_int_equal(police_allow(&p), 0);
	police_refill(&p, 949);
	assert_int_equal(police_allow(&p), 1);
	/* a want above the burst waits for the burst */
	assert_int_equal(police_wait_ms(&p, 100000), 1999);
	assert_int_equal(police_wait_ms(&p, 1), 1);
}

/* A change of rate keeps the tokens (no new burst, no debt forgiven);
 * a smaller burst caps them; rate 0 ends policing, and policing set
 * again starts full. */
static void
test_police_change(void **state)
{
	struct police p = { 0 };

	(void)state;
	police_set(&p, 1000, 5000, 0);
	police_take(&p, 6000);
	police_set(&p, 2000, 5000, 10);
	assert_int_equal(police_allow(&p), 0);
	police_refill(&p, 510);                   /* 500 ms at 2000 B/s pays the debt */
	assert_int_equal(police_allow(&p), 0);
	police_refill(&p, 511);
	assert_int_equal(police_allow(&p), 2);
	police_refill(&p, 100000);
	police_set(&p, 2000, 300, 100000);
	assert_int_equal(police_allow(&p), 300);
	police_take(&p, 300);
	police_set(&p, 0, 0, 100001);
	assert_int_equal(p.rate, 0);
	police_set(&p, 1000, 4000, 100002);
	assert_int_equal(police_allow(&p), 4000);
}

/* The largest values: no overflow. */
static void
test_police_extremes(void **state)
{
	struct police p = { 0 };

	(void)state;
	police_set(&p, UINT32_MAX, UINT32_MAX, 0);
	assert_int_equal(police_allow(&p), UINT32_MAX);
	police_take(&p, UINT32_MAX);
	police_refill(&p, UINT64_MAX);
	assert_int_equal(police_allow(&p), UINT32_MAX);
	police_set(&p, 1, 1, 0);
	police_take(&p, 1);
	police_refill(&p, UINT64_MAX);
	assert_int_equal(police_allow(&p), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_police_full_then_rate),
		cmocka_unit_test(test_police_slow_rate_exact),
		cmocka_unit_test(test_police_debt_and_wait),
		cmocka_unit_test(test_police_change),
		cmocka_unit_test(test_police_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
