/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generator's queue of frames made before a run (perf/tpgen_frames.h):
 * frames come out in the order they were made, byte for byte; what a run
 * leaves is kept, first in line, across a reserve that moves it to the
 * front and across one that grows the mapping; a clear drops and counts it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tpgen_frames.h"

/* Frame i: its length and bytes follow from i. */
static uint16_t
frame_len(uint32_t i)
{
	return (uint16_t)(60 + i % (GEN_FRAME_SLOT - 60 + 1));
}

/* Frames from .. from + n - 1 queued, made odd ones first (as the
 * generator makes a stream's frames together, its slots apart). */
static void
make(struct gen_frames *q, uint32_t from, uint32_t n)
{
	assert_true(gen_frames_room(q) >= n);
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t k = pass == 0 ? 1 : 0; k < n; k += 2) {
			uint32_t i = from + k;
			uint8_t *f = gen_frames_slot(q, k);

			memset(f, (int)(i & 0xffu), frame_len(i));
			memcpy(f, &i, sizeof(i));
			gen_frames_set_len(q, k, frame_len(i));
		}
	}
	gen_frames_commit(q, n);
}

static void
take(struct gen_frames *q, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < from + n; i++) {
		uint16_t len;
		const uint8_t *f = gen_frames_front(q, &len);
		uint32_t got;

		assert_int_equal(len, frame_len(i));
		memcpy(&got, f, sizeof(got));
		assert_int_equal(got, i);
		assert_int_equal(f[len - 1], i & 0xffu);
		gen_frames_pop(q);
	}
}

static void
test_frames_come_out_in_order(void **state)
{
	struct gen_frames q = { 0 };

	(void)state;
	assert_int_equal(gen_frames_reserve(&q, 1000), 0);
	make(&q, 0, 1000);
	assert_int_equal(gen_frames_room(&q), 0);
	assert_int_equal(gen_frames_count(&q), 1000);
	take(&q, 0, 1000);
	assert_int_equal(gen_frames_count(&q), 0);
	gen_frames_free(&q);
}

static void
test_frames_left_are_sent_first(void **state)
{
	struct gen_frames q = { 0 };

	(void)state;
	assert_int_equal(gen_frames_reserve(&q, 1000), 0);
	make(&q, 0, 1000);
	take(&q, 0, 700);
	/* room for 1000 again: the 300 left move to the front */
	assert_int_equal(gen_frames_reserve(&q, 1000), 0);
	assert_int_equal(gen_frames_count(&q), 300);
	make(&q, 1000, 700);
	assert_int_equal(gen_frames_room(&q), 0);
	take(&q, 700, 1000);
	/* grown: a new mapping, what was left copied first */
	assert_int_equal(gen_frames_reserve(&q, 500), 0);
	make(&q, 1700, 400);
	take(&q, 1700, 100);
	assert_int_equal(gen_frames_reserve(&q, 100000), 0);
	assert_int_equal(gen_frames_count(&q), 300);
	make(&q, 2100, 99700);
	take(&q, 1800, 100000);
	gen_frames_free(&q);
}

static void
test_frames_clear_counts_what_it_drops(void **state)
{
	struct gen_frames q = { 0 };

	(void)state;
	assert_int_equal(gen_frames_reserve(&q, 64), 0);
	make(&q, 0, 50);
	take(&q, 0, 10);
	assert_int_equal(gen_frames_clear(&q), 40);
	assert_int_equal(gen_frames_count(&q), 0);
	assert_int_equal(gen_frames_reserve(&q, 64), 0);
	make(&q, 0, 64);
	take(&q, 0, 64);
	gen_frames_free(&q);
	assert_int_equal(q.cap, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_come_out_in_order),
		cmocka_unit_test(test_frames_left_are_sent_first),
		cmocka_unit_test(test_frames_clear_counts_what_it_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
