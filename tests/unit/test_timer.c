/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/timer: every timer fires exactly once, in the first advance whose
 * time has reached its expiry and never earlier, across every level
 * boundary and after large jumps; delete and re-add from callbacks work;
 * a seeded random workload agrees with a brute-force reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tw.h"

static struct tw_wheel wheel;

struct rec {
	struct tw_timer t;
	uint64_t fired_at;
	unsigned int fired;
};

static uint64_t clock_now;

static void
on_fire(struct tw_timer *t, void *arg)
{
	struct rec *r = arg;

	(void)t;
	r->fired++;
	r->fired_at = clock_now;
}

static void
advance_to(uint64_t n)
{
	clock_now = n;
	tw_advance(&wheel, n);
}

static void
test_tw_fires_exactly_at_expiry_across_levels(void **state)
{
	static const uint64_t dist[] = {
		1, 2, 255, 256, 257, 65535, 65536, 65537, (1ull << 24) + 3,
		(1ull << 32) - 1, (1ull << 32) + 5,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(dist) / sizeof(dist[0]); i++) {
		for (uint64_t start = 0; start < 3; start++) {
			struct rec r;
			uint64_t base = start * 0xfffdull;
			uint64_t e = base + dist[i];

			memset(&r, 0, sizeof(r));
			tw_init(&wheel, base);
			tw_timer_init(&r.t, on_fire, &r);
			tw_add(&wheel, &r.t, e);
			assert_int_equal(tw_count(&wheel), 1);
			if (e - 1 > base)
				advance_to(e - 1);   /* big jump, stops one short */
			assert_int_equal(r.fired, 0);
			assert_true(tw_pending(&r.t));
			advance_to(e);
			assert_int_equal(r.fired, 1);
			assert_int_equal(r.fired_at, e);
			assert_false(tw_pending(&r.t));
			assert_int_equal(tw_count(&wheel), 0);
			advance_to(e + 1000);
			assert_int_equal(r.fired, 1);
		}
	}
}

static void
test_tw_tick_by_tick_never_early(void **state)
{
	struct rec r[600];

	(void)state;
	tw_init(&wheel, 100);
	for (unsigned int i = 0; i < 600; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		tw_timer_init(&r[i].t, on_fire, &r[i]);
		tw_add(&wheel, &r[i].t, 100 + 1 + i * 7);
	}
	for (uint64_t n = 101; n <= 100 + 1 + 600 * 7; n++) {
		advance_to(n);
		for (unsigned int i = 0; i < 600; i++) {
			uint64_t e = 100 + 1 + i * 7;

			assert_int_equal(r[i].fired, n >= e ? 1 : 0);
		}
	}
}

static void
test_tw_delete_before_expiry_never_fires(void **state)
{
	struct rec r;

	(void)state;
	memset(&r, 0, sizeof(r));
	tw_init(&wheel, 0);
	tw_timer_init(&r.t, on_fire, &r);
	tw_add(&wheel, &r.t, 70000);
	tw_del(&wheel, &r.t);
	tw_del(&wheel, &r.t);   /* a no-op */
	assert_int_equal(tw_count(&wheel), 0);
	advance_to(200000);
	assert_int_equal(r.fired, 0);
}

static void
test_tw_readd_moves_and_past_fires_next(void **state)
{
	struct rec r;

	(void)state;
	memset(&r, 0, sizeof(r));
	tw_init(&wheel, 0);
	tw_timer_init(&r.t, on_fire, &r);
	tw_add(&wheel, &r.t, 1000);
	tw_add(&wheel, &r.t, 5000);
	assert_int_equal(tw_count(&wheel), 1);
	advance_to(4999);
	assert_int_equal(r.fired, 0);
	advance_to(5000);
	assert_int_equal(r.fired, 1);
	tw_add(&wheel, &r.t, 10);   /* in the past */
	advance_to(5001);
	assert_int_equal(r.fired, 2);
	assert_int_equal(r.fired_at, 5001);
}

static struct rec *victim;
static struct tw_wheel *cb_wheel;

static void
rearm_self(struct tw_timer *t, void *arg)
{
	struct rec *r = arg;

	r->fired++;
	if (r->fired < 3)
		tw_add(cb_wheel, t, clock_now + 300);
}

static void
delete_other(struct tw_timer *t, void *arg)
{
	struct rec *r = arg;

	(void)t;
	r->fired++;
	tw_del(cb_wheel, &victim->t);
}

static void
test_tw_callbacks_rearm_self_and_delete_others(void **state)
{
	struct rec a, b, c;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	tw_init(&wheel, 0);
	cb_wheel = &wheel;
	tw_timer_init(&a.t, rearm_self, &a);
	tw_add(&wheel, &a.t, 10);
	for (uint64_t n = 1; n <= 1000; n++)
		advance_to(n);
	assert_int_equal(a.fired, 3);
	/* b and c due on the same tick: b deletes c first. */
	tw_timer_init(&b.t, delete_other, &b);
	tw_timer_init(&c.t, on_fire, &c);
	tw_add(&wheel, &b.t, 2000);
	tw_add(&wheel, &c.t, 2000);
	victim = &c;
	advance_to(3000);
	assert_int_equal(b.fired, 1);
	assert_int_equal(c.fired, 0);
	assert_int_equal(tw_count(&wheel), 0);
}

#define NRAND 100000

static void
test_tw_random_against_reference(void **state)
{
	struct rec *r = calloc(NRAND, sizeof(*r));
	uint64_t seed = 0x1234567u, n = 0;

	(void)state;
	assert_non_null(r);
	tw_init(&wheel, 0);
	for (unsigned int i = 0; i < NRAND; i++) {
		uint64_t d;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		d = (seed >> 33) % (i % 10 == 0 ? 5000000u : 70000u);
		tw_timer_init(&r[i].t, on_fire, &r[i]);
		tw_add(&wheel, &r[i].t, d);
		r[i].fired_at = UINT64_MAX;
	}
	assert_int_equal(tw_count(&wheel), NRAND);
	while (tw_count(&wheel) > 0) {
		uint64_t prev = n;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		n += 1 + (seed >> 33) % 3000;
		advance_to(n);
		for (unsigned int i = 0; i < NRAND; i += 97) {
			uint64_t e = r[i].t.expires;

			if (e <= prev)
				continue;
			if (e <= n)
				assert_int_equal(r[i].fired_at, n);
			else
				assert_int_equal(r[i].fired, 0);
		}
	}
	for (unsigned int i = 0; i < NRAND; i++) {
		assert_int_equal(r[i].fired, 1);
		assert_true(r[i].fired_at >= r[i].t.expires);
	}
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tw_fires_exactly_at_expiry_across_levels),
		cmocka_unit_test(test_tw_tick_by_tick_never_early),
		cmocka_unit_test(test_tw_delete_before_expiry_never_fires),
		cmocka_unit_test(test_tw_readd_moves_and_past_fires_next),
		cmocka_unit_test(test_tw_callbacks_rearm_self_and_delete_others),
		cmocka_unit_test(test_tw_random_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
