/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stream modules' pending-work rule (dp_tcp.h): their polls run once
 * in every millisecond and after a wake, a turn with neither skips them,
 * and work (the polls' or the timers') brings them back the next turn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "dp_tcp.h"

static struct dp_tcp_mods
mods(void)
{
	struct dp_tcp_mods r;

	memset(&r, 0, sizeof(r));
	r.n = 2;
	r.mask = 1u << 0 | 1u << 1;
	return r;
}

/* The first turn of a millisecond polls; the rest of it does not. */
static void
test_once_a_ms(void **state)
{
	struct dp_tcp_mods r = mods();

	(void)state;
	assert_true(dp_tcp_mods_due(&r, 5));
	dp_tcp_mods_done(&r, 0);
	for (int i = 0; i < 1000; i++)
		assert_false(dp_tcp_mods_due(&r, 5));
	assert_true(dp_tcp_mods_due(&r, 6));
	assert_false(dp_tcp_mods_due(&r, 6));
	/* a clock that jumps (a new anchor) is a new millisecond too */
	assert_true(dp_tcp_mods_due(&r, 100));
}

/* A wake (a segment, an ICMP error, a cp message, a sweep) brings the
 * polls to the next turn, once. */
static void
test_wake(void **state)
{
	struct dp_tcp_mods r = mods();

	(void)state;
	assert_true(dp_tcp_mods_due(&r, 7));
	assert_false(dp_tcp_mods_due(&r, 7));
	dp_tcp_mods_wake(&r);
	assert_int_equal(r.pending, r.mask);
	assert_true(dp_tcp_mods_due(&r, 7));
	dp_tcp_mods_done(&r, 0);
	assert_false(dp_tcp_mods_due(&r, 7));
	/* two wakes before a turn are one turn */
	dp_tcp_mods_wake(&r);
	dp_tcp_mods_wake(&r);
	assert_true(dp_tcp_mods_due(&r, 7));
	assert_false(dp_tcp_mods_due(&r, 7));
}

/* Work done keeps the polls coming, turn after turn, until a turn does
 * none; so does a timer that fired. */
static void
test_work_begets_work(void **state)
{
	struct dp_tcp_mods r = mods();

	(void)state;
	assert_true(dp_tcp_mods_due(&r, 9));
	for (int i = 0; i < 10; i++) {
		dp_tcp_mods_done(&r, 3);
		assert_true(dp_tcp_mods_due(&r, 9));
	}
	dp_tcp_mods_done(&r, 0);
	assert_false(dp_tcp_mods_due(&r, 9));
	/* the timers' work, after a turn whose polls were skipped */
	dp_tcp_mods_done(&r, 1);
	assert_true(dp_tcp_mods_due(&r, 9));
}

/* Without stream modules nothing is ever due (the branch is all a turn
 * pays), and a wake does not make it so. */
static void
test_no_modules(void **state)
{
	struct dp_tcp_mods r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_false(dp_tcp_mods_due(&r, 1));
	dp_tcp_mods_wake(&r);
	assert_false(dp_tcp_mods_due(&r, 2));
	dp_tcp_mods_done(&r, 5);
	assert_false(dp_tcp_mods_due(&r, 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once_a_ms),
		cmocka_unit_test(test_wake),
		cmocka_unit_test(test_work_begets_work),
		cmocka_unit_test(test_no_modules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
