/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/steer: over a grid of relay ranges (one port, fewer ports than
 * workers, the demo's 50000-50999, the whole 1024-65535, the top of the
 * port space) and worker counts, every port of the range is in exactly one
 * worker's share, steer_relay_owner(port) == w exactly when port is in
 * share(w), ports outside the range have no owner, nworkers 0 is refused;
 * and the values are those of the formula dp, cp and tpgen each used
 * before (golden values, and the old cp code run side by side).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "steer.h"

static const struct {
	uint16_t min, max;
} ranges[] = {
	{ 50000, 50999 }, { 1024, 65535 }, { 49152, 65535 }, { 100, 100 },
	{ 100, 102 }, { 60000, 60004 }, { 65535, 65535 }, { 65530, 65535 },
	{ 0, 0 }, { 0, 65535 }, { 3000, 3062 }, { 3000, 3064 },
};
static const uint32_t counts[] = { 1, 2, 3, 4, 5, 7, 8, 16, 63, 64 };

/* cp/alloc/alloc.c's worker_share() and share_of() before lib/steer,
 * verbatim but for the cp context (the reference the rule must keep). */
static void
old_worker_share(uint32_t min, uint32_t max, uint32_t nworkers, unsigned int w,
		 uint32_t *lo, uint32_t *hi)
{
	uint32_t chunk = (max - min + 1 + nworkers - 1) / nworkers;

	*lo = min + w * chunk;
	*hi = *lo + chunk - 1;
	if (*hi > max)
		*hi = max;
}

static uint32_t
old_share_of(uint32_t min, uint32_t max, uint32_t nworkers, uint32_t p)
{
	uint32_t chunk = (max - min + 1 + nworkers - 1) / nworkers;

	return p < min || p > max ? UINT32_MAX : (p - min) / chunk;
}

static void
test_steer_every_port_in_exactly_one_share(void **state)
{
	(void)state;
	for (unsigned int r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		for (unsigned int c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			uint16_t min = ranges[r].min, max = ranges[r].max;
			uint32_t n = counts[c];
			static uint8_t hits[65536];
			uint32_t total = 0, next = min;
			bool ended = false;

			for (uint32_t p = 0; p <= 65535; p++)
				hits[p] = 0;
			for (uint32_t w = 0; w < n; w++) {
				uint16_t lo, hi;

				if (!steer_relay_share(min, max, n, w, &lo, &hi)) {
					/* empty shares only at the end */
					assert_true(lo > hi);
					ended = true;
					continue;
				}
				assert_false(ended);
				assert_true(lo <= hi);
				/* consecutive blocks, worker 0 first */
				assert_int_equal(lo, next);
				next = (uint32_t)hi + 1;
				for (uint32_t p = lo; p <= hi; p++) {
					hits[p]++;
					total++;
					assert_int_equal(steer_relay_owner(min, max, n, (uint16_t)p), w);
				}
			}
			assert_int_equal(total, (uint32_t)max - min + 1);
			for (uint32_t p = 0; p <= 65535; p++) {
				uint32_t o = steer_relay_owner(min, max, n, (uint16_t)p);

				if (p < min || p > max) {
					assert_int_equal(hits[p], 0);
					assert_int_equal(o, STEER_NONE);
				} else {
					uint16_t lo, hi;

					assert_int_equal(hits[p], 1);
					assert_true(o < n);
					assert_true(steer_relay_share(min, max, n, o, &lo, &hi));
					assert_true(p >= lo && p <= hi);
				}
			}
		}
	}
}

/* The formula as cp had it, for every range, count, worker and port. */
static void
test_steer_agrees_with_the_old_formula(void **state)
{
	(void)state;
	for (unsigned int r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		for (unsigned int c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			uint16_t min = ranges[r].min, max = ranges[r].max;
			uint32_t n = counts[c];

			for (uint32_t w = 0; w < n; w++) {
				uint32_t olo, ohi;
				uint16_t lo, hi;
				bool some = steer_relay_share(min, max, n, w, &lo, &hi);

				old_worker_share(min, max, n, w, &olo, &ohi);
				/* old: empty when hi < lo (lo may run past max) */
				assert_int_equal(some, olo <= ohi);
				if (some) {
					assert_int_equal(lo, olo);
					assert_int_equal(hi, ohi);
				}
			}
			for (uint32_t p = 0; p <= 65535; p++)
				assert_int_equal(steer_relay_owner(min, max, n, (uint16_t)p),
						 old_share_of(min, max, n, p));
		}
	}
}

/* Golden values: the formula worked by hand. */
static void
test_steer_golden_values(void **state)
{
	static const struct {
		uint16_t min, max;
		uint32_t n;
		uint16_t port;
		uint32_t owner;
	} g[] = {
		{ 50000, 50999, 2, 50000, 0 }, { 50000, 50999, 2, 50499, 0 },
		{ 50000, 50999, 2, 50500, 1 }, { 50000, 50999, 2, 50999, 1 },
		{ 50000, 50999, 2, 49999, STEER_NONE }, { 50000, 50999, 2, 51000, STEER_NONE },
		{ 50000, 50999, 3, 50333, 0 }, { 50000, 50999, 3, 50334, 1 },
		{ 50000, 50999, 3, 50667, 1 }, { 50000, 50999, 3, 50668, 2 },
		{ 1024, 65535, 16, 1024, 0 }, { 1024, 65535, 16, 5055, 0 },
		{ 1024, 65535, 16, 5056, 1 }, { 1024, 65535, 16, 65535, 15 },
		{ 1024, 65535, 64, 2031, 0 }, { 1024, 65535, 64, 2032, 1 },
		{ 1024, 65535, 64, 65535, 63 },
		{ 100, 102, 4, 100, 0 }, { 100, 102, 4, 101, 1 }, { 100, 102, 4, 102, 2 },
		{ 100, 100, 8, 100, 0 }, { 65535, 65535, 2, 65535, 0 },
		{ 60000, 60004, 2, 60002, 0 }, { 60000, 60004, 2, 60003, 1 },
		{ 50000, 50999, 1, 50999, 0 },
	};
	static const struct {
		uint16_t min, max;
		uint32_t n, w;
		bool some;
		uint16_t lo, hi;
	} s[] = {
		{ 50000, 50999, 2, 0, true, 50000, 50499 },
		{ 50000, 50999, 2, 1, true, 50500, 50999 },
		{ 50000, 50999, 3, 2, true, 50668, 50999 },
		{ 100, 102, 4, 2, true, 102, 102 },
		{ 100, 102, 4, 3, false, 1, 0 },
		{ 60000, 60004, 4, 2, true, 60004, 60004 },
		{ 60000, 60004, 4, 3, false, 1, 0 },
		{ 1024, 65535, 64, 63, true, 64528, 65535 },
		{ 50000, 50999, 2, 2, false, 1, 0 },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		assert_int_equal(steer_relay_owner(g[i].min, g[i].max, g[i].n, g[i].port),
				 g[i].owner);
	for (unsigned int i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		uint16_t lo, hi;

		assert_int_equal(steer_relay_share(s[i].min, s[i].max, s[i].n, s[i].w,
						   &lo, &hi), s[i].some);
		assert_int_equal(lo, s[i].lo);
		assert_int_equal(hi, s[i].hi);
	}
}

static void
test_steer_one_worker_owns_everything(void **state)
{
	uint16_t lo, hi;

	(void)state;
	assert_true(steer_relay_share(1024, 65535, 1, 0, &lo, &hi));
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 65535);
	for (uint32_t p = 1024; p <= 65535; p++)
		assert_int_equal(steer_relay_owner(1024, 65535, 1, (uint16_t)p), 0);
	assert_false(steer_relay_share(1024, 65535, 1, 1, &lo, &hi));
}

static void
test_steer_zero_workers_refused(void **state)
{
	uint16_t lo = 7, hi = 7;

	(void)state;
	assert_int_equal(steer_relay_chunk(50000, 50999, 0), 0);
	assert_int_equal(steer_relay_owner(50000, 50999, 0, 50000), STEER_NONE);
	assert_false(steer_relay_share(50000, 50999, 0, 0, &lo, &hi));
	assert_true(lo > hi);
	/* an inverted range shares nothing either */
	assert_int_equal(steer_relay_owner(50999, 50000, 2, 50500), STEER_NONE);
	assert_false(steer_relay_share(50999, 50000, 2, 0, &lo, &hi));
}

/* Prefix blocks: cover [lo, hi] exactly, each port once, aligned, the
 * fewest (no two neighbours could merge), at most 30. */
static void
test_steer_port_blocks_cover_the_range_exactly(void **state)
{
	static const struct {
		uint16_t lo, hi;
		unsigned int n;
	} r[] = {
		{ 50000, 50499, 6 }, { 50500, 50999, 9 }, { 0, 65535, 1 }, { 1, 65534, 30 },
		{ 1024, 2047, 1 }, { 7, 7, 1 }, { 65535, 65535, 1 }, { 49152, 65535, 1 },
	};
	struct steer_block b[32];

	(void)state;
	for (unsigned int i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		assert_int_equal(steer_port_blocks(r[i].lo, r[i].hi, b, 32), r[i].n);
	srand(8656);
	for (unsigned int t = 0; t < 3000; t++) {
		uint16_t lo = (uint16_t)rand(), hi = (uint16_t)rand(), tmp;
		unsigned int n;
		uint32_t next;

		if (lo > hi) {
			tmp = lo;
			lo = hi;
			hi = tmp;
		}
		if (t < 64) {    /* the shares of real ranges */
			assert_true(steer_relay_share(1024, 65535, 64, t, &lo, &hi));
		}
		n = steer_port_blocks(lo, hi, b, 32);
		assert_true(n >= 1 && n <= 30);
		next = lo;
		for (unsigned int k = 0; k < n; k++) {
			uint32_t size = (uint32_t)(uint16_t)~b[k].mask + 1;

			assert_int_equal(b[k].base, next);
			assert_int_equal(b[k].base & ~b[k].mask & 0xffff, 0);
			assert_int_equal(b[k].base & b[k].mask, b[k].base);
			next += size;
			/* fewest: a block and the next of the same size do not
			 * form one aligned block of twice the size */
			if (k + 1 < n && b[k + 1].mask == b[k].mask)
				assert_int_not_equal(b[k].base & (size * 2 - 1), 0);
		}
		assert_int_equal(next, (uint32_t)hi + 1);
		/* a short out[] still says how many are needed */
		assert_int_equal(steer_port_blocks(lo, hi, b, 1), n);
	}
	assert_int_equal(steer_port_blocks(5, 4, b, 32), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steer_every_port_in_exactly_one_share),
		cmocka_unit_test(test_steer_agrees_with_the_old_formula),
		cmocka_unit_test(test_steer_golden_values),
		cmocka_unit_test(test_steer_one_worker_owns_everything),
		cmocka_unit_test(test_steer_zero_workers_refused),
		cmocka_unit_test(test_steer_port_blocks_cover_the_range_exactly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
