/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's transactions (H.248.1 Annex D.1): a repeat is never executed
 * twice (Pending while it runs, the same reply after), replies go after
 * LONG-TIMER or an ack, the table's eviction, and our own requests'
 * repeats (doubling to a ceiling), Pending and giving up.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "iq/iq_trans.h"

static struct iq_trans t;

static int
setup(void **state)
{
	(void)state;
	return iq_trans_init(&t, 16, 4);
}

static int
teardown(void **state)
{
	(void)state;
	iq_trans_fini(&t);
	return 0;
}

static void
test_iq_trans_repeat_is_pending_then_the_same_reply(void **state)
{
	const uint8_t *r = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(iq_in_seen(&t, 0, 7, 1000, &r, &n), IQ_IN_NEW);
	assert_int_equal(iq_in_begin(&t, 0, 7, 1000), 0);
	assert_int_equal(iq_in_begin(&t, 0, 7, 1000), -EEXIST);
	assert_int_equal(iq_in_seen(&t, 0, 7, 1100, &r, &n), IQ_IN_EXECUTING);
	/* the same id from another controller is another transaction */
	assert_int_equal(iq_in_seen(&t, 1, 7, 1100, &r, &n), IQ_IN_NEW);
	assert_int_equal(iq_in_reply(&t, 0, 7, (const uint8_t *)"Reply=7{}", 9, 1200), 0);
	assert_int_equal(iq_in_seen(&t, 0, 7, 1300, &r, &n), IQ_IN_REPLIED);
	assert_int_equal(n, 9);
	assert_memory_equal(r, "Reply=7{}", 9);
	assert_int_equal(iq_in_reply(&t, 0, 8, (const uint8_t *)"x", 1, 1200), -ENOENT);
	assert_int_equal(t.st.in_new, 1);
	assert_int_equal(t.st.in_repeat_pending, 1);
	assert_int_equal(t.st.in_repeat_replied, 1);
	/* kept LONG-TIMER from the reply, not from the request */
	assert_int_equal(iq_in_seen(&t, 0, 7, 1200 + IQ_LONG_TIMER_MS - 1, &r, &n),
			 IQ_IN_REPLIED);
	assert_int_equal(iq_in_seen(&t, 0, 7, 1200 + IQ_LONG_TIMER_MS, &r, &n), IQ_IN_NEW);
	assert_int_equal(t.in_n, 0);
}

static void
test_iq_trans_executing_is_never_forgotten_by_age(void **state)
{
	const uint8_t *r;
	size_t n;

	(void)state;
	assert_int_equal(iq_in_begin(&t, 0, 1, 0), 0);
	assert_int_equal(iq_in_seen(&t, 0, 1, 10 * IQ_LONG_TIMER_MS, &r, &n), IQ_IN_EXECUTING);
	assert_int_equal(iq_in_reply(&t, 0, 1, (const uint8_t *)"R", 1, 10 * IQ_LONG_TIMER_MS), 0);
}

static void
test_iq_trans_ack_frees_the_reply_and_keeps_the_id(void **state)
{
	const uint8_t *r;
	size_t n;

	(void)state;
	for (uint32_t tid = 10; tid < 15; tid++) {
		assert_int_equal(iq_in_begin(&t, 2, tid, 0), 0);
		assert_int_equal(iq_in_reply(&t, 2, tid, (const uint8_t *)"R", 1, 0), 0);
	}
	/* another controller's ack frees nothing of peer 2's */
	assert_int_equal(iq_in_ack(&t, 1, 0, UINT32_MAX), 0);
	assert_int_equal(iq_in_ack(&t, 2, 11, 13), 3);
	assert_int_equal(iq_in_ack(&t, 2, 11, 13), 0);
	assert_int_equal(iq_in_ack(&t, 2, 13, 11), 0);
	assert_int_equal(iq_in_seen(&t, 2, 12, 1, &r, &n), IQ_IN_REPLIED);
	assert_null(r);
	assert_int_equal(n, 0);
	assert_int_equal(iq_in_seen(&t, 2, 14, 1, &r, &n), IQ_IN_REPLIED);
	assert_int_equal(n, 1);
	assert_int_equal(t.st.in_acked, 3);
}

/* Full: the oldest goes first, the rest are still found (the hash's
 * deletion keeps every probe chain whole). */
static void
test_iq_trans_full_table_evicts_the_oldest(void **state)
{
	const uint8_t *r;
	size_t n;

	(void)state;
	for (uint32_t i = 0; i < 16 + 5; i++) {
		/* ids chosen to collide in the hash's low bits as often as not */
		uint32_t tid = 1 + i * 32;

		assert_int_equal(iq_in_begin(&t, i % 2, tid, i), 0);
		assert_int_equal(iq_in_reply(&t, i % 2, tid, (const uint8_t *)&tid, sizeof(tid), i), 0);
	}
	assert_int_equal(t.in_n, 16);
	assert_int_equal(t.st.in_evicted, 5);
	for (uint32_t i = 0; i < 16 + 5; i++) {
		uint32_t tid = 1 + i * 32;
		enum iq_in_state s = iq_in_seen(&t, i % 2, tid, 100, &r, &n);

		if (i < 5) {
			assert_int_equal(s, IQ_IN_NEW);
		} else {
			assert_int_equal(s, IQ_IN_REPLIED);
			assert_memory_equal(r, &tid, sizeof(tid));
		}
	}
	/* and expire drains it in order, every remaining one findable until
	 * its time */
	for (uint32_t i = 5; i < 16 + 5; i++) {
		uint32_t tid = 1 + i * 32;

		assert_int_equal(iq_in_seen(&t, i % 2, tid, i + IQ_LONG_TIMER_MS - 1, &r, &n),
				 IQ_IN_REPLIED);
		iq_in_expire(&t, i + IQ_LONG_TIMER_MS);
	}
	assert_int_equal(t.in_n, 0);
	for (uint32_t i = 0; i <= t.hash_mask; i++)
		assert_int_equal(t.in_hash[i], 0);
}

/* Our requests. */
static unsigned int resent, gaveup;
static uint64_t gaveup_cookie;

static void
on_resend(void *arg, unsigned int peer, const uint8_t *msg, size_t len)
{
	(void)arg;
	(void)peer;
	assert_int_equal(len, 3);
	assert_memory_equal(msg, "SC1", 3);
	resent++;
}

static void
on_gave_up(void *arg, unsigned int peer, uint32_t tid, uint64_t cookie)
{
	(void)arg;
	(void)peer;
	(void)tid;
	gaveup++;
	gaveup_cookie = cookie;
}

static void
test_iq_trans_ours_repeat_doubling_then_give_up(void **state)
{
	uint32_t tid, wait;
	uint64_t now = 0, cookie = 0;
	unsigned int want = 0;

	(void)state;
	resent = gaveup = 0;
	tid = iq_out_tid(&t);
	assert_int_equal(tid, 1);
	assert_int_equal(iq_out_add(&t, 0, tid, (const uint8_t *)"SC1", 3, 42, now), 0);
	wait = iq_out_due(&t, now, on_resend, on_gave_up, NULL);
	assert_int_equal(wait, IQ_OUT_FIRST_MS);
	/* 500, 1000, 2000, 4000, 4000, ... until 30 s */
	for (uint32_t iv = IQ_OUT_FIRST_MS; now + iv < IQ_OUT_GIVE_UP_MS;
	     iv = iv * 2 > IQ_OUT_CEIL_MS ? IQ_OUT_CEIL_MS : iv * 2) {
		now += iv;
		assert_int_equal(iq_out_due(&t, now - 1, on_resend, on_gave_up, NULL), 1);
		assert_int_equal(resent, want);
		iq_out_due(&t, now, on_resend, on_gave_up, NULL);
		assert_int_equal(resent, ++want);
	}
	assert_int_equal(gaveup, 0);
	assert_int_equal(iq_out_due(&t, IQ_OUT_GIVE_UP_MS, on_resend, on_gave_up, NULL),
			 UINT32_MAX);
	assert_int_equal(gaveup, 1);
	assert_int_equal(gaveup_cookie, 42);
	assert_false(iq_out_reply(&t, 0, tid, &cookie));
	assert_int_equal(t.out_n, 0);
}

static void
test_iq_trans_ours_reply_pending_and_room(void **state)
{
	uint64_t cookie = 0;

	(void)state;
	resent = gaveup = 0;
	for (uint32_t i = 1; i <= 4; i++)
		assert_int_equal(iq_out_add(&t, i % 2, i, (const uint8_t *)"SC1", 3, i, 0), 0);
	assert_int_equal(iq_out_add(&t, 0, 5, (const uint8_t *)"SC1", 3, 5, 0), -ENOSPC);
	/* a reply from the wrong controller is not the reply */
	assert_false(iq_out_reply(&t, 0, 1, &cookie));
	assert_true(iq_out_reply(&t, 1, 1, &cookie));
	assert_int_equal(cookie, 1);
	assert_false(iq_out_reply(&t, 1, 1, &cookie));
	/* Pending: quiet for the ceiling, and the give-up time starts again */
	assert_true(iq_out_pending(&t, 0, 2, 20000));
	assert_false(iq_out_pending(&t, 0, 99, 20000));
	iq_out_due(&t, 20000 + IQ_OUT_CEIL_MS - 1, on_resend, on_gave_up, NULL);
	/* 3 and 4 were due at 500 and went; 2 did not */
	assert_int_equal(resent, 2);
	iq_out_due(&t, IQ_OUT_GIVE_UP_MS, on_resend, on_gave_up, NULL);
	assert_int_equal(gaveup, 2);
	iq_out_due(&t, 20000 + IQ_OUT_GIVE_UP_MS, on_resend, on_gave_up, NULL);
	assert_int_equal(gaveup, 3);
	assert_int_equal(gaveup_cookie, 2);
	/* dropping a controller's requests */
	assert_int_equal(iq_out_add(&t, 3, 6, (const uint8_t *)"SC1", 3, 6, 0), 0);
	assert_int_equal(iq_out_add(&t, 2, 7, (const uint8_t *)"SC1", 3, 7, 0), 0);
	iq_out_drop_peer(&t, 3, on_gave_up, NULL);
	assert_int_equal(gaveup, 4);
	assert_int_equal(gaveup_cookie, 6);
	assert_int_equal(t.out_n, 1);
}

/* iq.request_timeout: given up that long after sent, or after Pending. */
static void
test_iq_trans_ours_give_up_as_configured(void **state)
{
	(void)state;
	resent = gaveup = 0;
	assert_int_equal(t.give_up_ms, IQ_OUT_GIVE_UP_MS);
	t.give_up_ms = 3000;
	assert_int_equal(iq_out_add(&t, 0, 1, (const uint8_t *)"SC1", 3, 1, 0), 0);
	assert_int_equal(iq_out_add(&t, 0, 2, (const uint8_t *)"SC1", 3, 2, 0), 0);
	/* at 500 and 1500 */
	iq_out_due(&t, 500, on_resend, on_gave_up, NULL);
	assert_true(iq_out_pending(&t, 0, 2, 1000));
	iq_out_due(&t, 2999, on_resend, on_gave_up, NULL);
	assert_int_equal(resent, 3);
	assert_int_equal(gaveup, 0);
	iq_out_due(&t, 3000, on_resend, on_gave_up, NULL);
	assert_int_equal(gaveup, 1);
	assert_int_equal(gaveup_cookie, 1);
	iq_out_due(&t, 3999, on_resend, on_gave_up, NULL);
	assert_int_equal(gaveup, 1);
	iq_out_due(&t, 4000, on_resend, on_gave_up, NULL);
	assert_int_equal(gaveup, 2);
	assert_int_equal(gaveup_cookie, 2);
}

static void
test_iq_trans_ids_skip_zero(void **state)
{
	(void)state;
	t.next_tid = UINT32_MAX;
	assert_int_equal(iq_out_tid(&t), UINT32_MAX);
	assert_int_equal(iq_out_tid(&t), 1);
}

/* The hash of (controller, id) is keyed, each table its own key: ids a
 * controller picks cannot be chosen to collide; every id is still found
 * (a run of consecutive ids and their repeats). */
static void
test_iq_trans_hash_keyed(void **state)
{
	struct iq_trans a, b;
	const uint8_t *r = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(iq_trans_init(&a, 64, 4), 0);
	assert_int_equal(iq_trans_init(&b, 64, 4), 0);
	assert_memory_not_equal(a.hash_key, b.hash_key, sizeof(a.hash_key));
	for (uint32_t id = 1; id <= 64; id++)
		assert_int_equal(iq_in_begin(&a, 0, id * 8192u, 1000), 0);
	for (uint32_t id = 1; id <= 64; id++)
		assert_int_equal(iq_in_seen(&a, 0, id * 8192u, 1000, &r, &len), IQ_IN_EXECUTING);
	assert_int_equal(iq_in_seen(&a, 1, 8192u, 1000, &r, &len), IQ_IN_NEW);
	iq_trans_fini(&a);
	iq_trans_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_iq_trans_repeat_is_pending_then_the_same_reply,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_iq_trans_executing_is_never_forgotten_by_age,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_iq_trans_ack_frees_the_reply_and_keeps_the_id,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_iq_trans_full_table_evicts_the_oldest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iq_trans_ours_repeat_doubling_then_give_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_iq_trans_ours_reply_pending_and_room, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iq_trans_ours_give_up_as_configured, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iq_trans_ids_skip_zero, setup, teardown),
		cmocka_unit_test(test_iq_trans_hash_keyed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
