/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn/turn_live.h: the dense list of live allocation slots that the
 * table sweeps walk (counters to cp, state to a restarted cp, the expiry
 * guard). The property that matters: an allocation live
 * for the whole of a walk is visited, whatever is added and removed between
 * the walk's slices; a walk over rte_hash's buckets instead skips some
 * 70 of 3,700 such keys per walk when inserts displace them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "turn_live.h"

#define CAP 4096u

static uint32_t slot_mem[CAP], pos_mem[CAP];
static bool live[CAP];

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void
add_random(struct turn_live *l)
{
	uint32_t s = rnd(CAP);

	while (live[s])
		s = (s + 1) % CAP;
	live[s] = true;
	turn_live_add(l, s);
}

/* The list and the set agree: every live slot once, pos[] its index. */
static void
check_list(const struct turn_live *l)
{
	uint32_t n = 0;

	for (uint32_t s = 0; s < CAP; s++)
		n += live[s];
	assert_int_equal(l->n, n);
	for (uint32_t i = 0; i < l->n; i++) {
		assert_true(live[l->slot[i]]);
		assert_int_equal(l->pos[l->slot[i]], i);
	}
}

static void
test_turn_live_walk_visits_every_allocation_live_throughout(void **state)
{
	(void)state;
	for (unsigned int trial = 0; trial < 200; trial++) {
		struct turn_live l = { slot_mem, pos_mem, 0 };
		static bool throughout[CAP], ever[CAP];
		static unsigned int seen[CAP];
		uint32_t cur, s;
		unsigned int steps = 0;

		memset(live, 0, sizeof(live));
		memset(seen, 0, sizeof(seen));
		for (unsigned int i = 0; i < CAP * 9 / 10; i++)
			add_random(&l);
		memcpy(throughout, live, sizeof(live));
		memcpy(ever, live, sizeof(live));
		cur = l.n;
		while ((s = turn_live_next(&l, &cur)) != TURN_LIVE_END) {
			assert_true(live[s]);         /* never a dead slot */
			seen[s]++;
			if (++steps % 32 != 0)
				continue;
			/* between slices: cp removes and installs some, in
			 * either order, more of one or the other */
			for (unsigned int k = 0, nd = rnd(12), na = rnd(12); k < nd + na; k++) {
				bool del = rnd(2) == 0 ? k < nd : k >= na;

				if (del && l.n > 0) {
					uint32_t v = l.slot[rnd(l.n)];

					live[v] = false;
					throughout[v] = false;
					turn_live_del(&l, v);
				} else if (!del && l.n < CAP) {
					add_random(&l);
				}
			}
			for (s = 0; s < CAP; s++)
				ever[s] = ever[s] || live[s];
		}
		for (s = 0; s < CAP; s++) {
			if (throughout[s])
				assert_true(seen[s] >= 1);
			if (!ever[s])
				assert_int_equal(seen[s], 0);
		}
		check_list(&l);
	}
}

static void
test_turn_live_add_del_keep_the_list_dense(void **state)
{
	struct turn_live l = { slot_mem, pos_mem, 0 };
	uint32_t cur, n = 0;

	(void)state;
	memset(live, 0, sizeof(live));
	for (unsigned int i = 0; i < 100000; i++) {
		if (l.n > 0 && (l.n == CAP || rnd(2) == 0)) {
			uint32_t v = l.slot[rnd(l.n)];

			live[v] = false;
			turn_live_del(&l, v);
		} else {
			add_random(&l);
		}
	}
	check_list(&l);
	/* a walk with no change visits each exactly once */
	cur = l.n;
	while (turn_live_next(&l, &cur) != TURN_LIVE_END)
		n++;
	assert_int_equal(n, l.n);
	/* the last one deleted and an empty list */
	while (l.n > 0) {
		live[l.slot[l.n - 1]] = false;
		turn_live_del(&l, l.slot[l.n - 1]);
	}
	cur = 0;
	assert_int_equal(turn_live_next(&l, &cur), TURN_LIVE_END);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turn_live_walk_visits_every_allocation_live_throughout),
		cmocka_unit_test(test_turn_live_add_del_keep_the_list_dense),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
