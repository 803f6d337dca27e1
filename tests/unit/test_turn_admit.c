/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn/turn_admit.c: what goes to cp (issue 17, admission control).
 * Requests on existing allocations always go ahead; new Allocates stop at
 * half a ring; a source over its budget is served while cp keeps up and
 * dropped when it does not, while another source with budget left goes on;
 * budgets refill at their rate; an IPv6 /64 is one source.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "turn_admit.h"

static struct turn_admit ad;
static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t flood[4] = { 198, 51, 100, 7 }, user[4] = { 203, 0, 113, 9 };

#define PRESSED TURN_ADMIT_PRESSURE       /* the ring an eighth full */

static void
test_turn_admit_existing_always_goes_ahead(void **state)
{
	(void)state;
	turn_admit_init(&ad, 10, 20, key);
	for (int i = 0; i < 1000; i++)
		assert_true(turn_admit(&ad, 4, flood, true, 1023, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_EXISTING], 1000);
}

static void
test_turn_admit_new_stops_at_half_a_ring(void **state)
{
	(void)state;
	turn_admit_init(&ad, 10, 20, key);
	assert_true(turn_admit(&ad, 4, user, false, TURN_ADMIT_NEW_MAX - 1, 1000));
	assert_false(turn_admit(&ad, 4, user, false, TURN_ADMIT_NEW_MAX, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_DROP_LANE], 1);
}

static void
test_turn_admit_budget_only_under_pressure(void **state)
{
	(void)state;
	turn_admit_init(&ad, 10, 20, key);
	/* no pressure: a NAT over its budget is still served */
	for (int i = 0; i < 500; i++)
		assert_true(turn_admit(&ad, 4, flood, false, 0, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_NEW], 20);
	assert_int_equal(ad.ctr[TURN_ADMIT_NEW_OVER_BUDGET], 480);
	/* pressure: the flood waits, the other source goes on */
	for (int i = 0; i < 500; i++)
		assert_false(turn_admit(&ad, 4, flood, false, PRESSED, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_DROP_BUDGET], 500);
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, 4, user, false, PRESSED, 1000));
	assert_false(turn_admit(&ad, 4, user, false, PRESSED, 1000));
}

static void
test_turn_admit_budget_refills_at_its_rate(void **state)
{
	(void)state;
	turn_admit_init(&ad, 10, 20, key);
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, 4, flood, false, PRESSED, 5000));
	assert_false(turn_admit(&ad, 4, flood, false, PRESSED, 5000));
	/* 10 per second: 0.5 s gives 5 */
	for (int i = 0; i < 5; i++)
		assert_true(turn_admit(&ad, 4, flood, false, PRESSED, 5500));
	assert_false(turn_admit(&ad, 4, flood, false, PRESSED, 5500));
	/* a long idle time fills it to the burst, no more */
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, 4, flood, false, PRESSED, 600000));
	assert_false(turn_admit(&ad, 4, flood, false, PRESSED, 600000));
	/* across the 32-bit millisecond wrap */
	turn_admit_init(&ad, 10, 20, key);
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, 4, flood, false, PRESSED, 0xFFFFFF00ull));
	assert_false(turn_admit(&ad, 4, flood, false, PRESSED, 0xFFFFFF00ull));
	assert_true(turn_admit(&ad, 4, flood, false, PRESSED, 0x100000000ull + 0x100));
}

static void
test_turn_admit_ipv6_64_is_one_source(void **state)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2 }, b[16];
	unsigned int other = 0;

	(void)state;
	turn_admit_init(&ad, 10, 20, key);
	for (int i = 0; i < 20; i++) {
		a[15] = (uint8_t)i;                  /* any host of the /64 */
		assert_true(turn_admit(&ad, 6, a, false, PRESSED, 1000));
	}
	a[15] = 99;
	assert_false(turn_admit(&ad, 6, a, false, PRESSED, 1000));
	/* other /64s have budgets of their own (bar a rare shared bucket) */
	memcpy(b, a, 16);
	for (int i = 0; i < 64; i++) {
		b[7] = (uint8_t)(3 + i);
		other += turn_admit(&ad, 6, b, false, PRESSED, 1000);
	}
	assert_true(other >= 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turn_admit_existing_always_goes_ahead),
		cmocka_unit_test(test_turn_admit_new_stops_at_half_a_ring),
		cmocka_unit_test(test_turn_admit_budget_only_under_pressure),
		cmocka_unit_test(test_turn_admit_budget_refills_at_its_rate),
		cmocka_unit_test(test_turn_admit_ipv6_64_is_one_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
