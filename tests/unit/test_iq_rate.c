/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's rate limits: a message costs a token before it is read, a
 * request past a message's first one more; past the rate a message is
 * refused (answered once) while the refusals' own budget lasts, then
 * dropped; each controller's budget its own; the buckets fill again with
 * time; log lines a burst then one a
 * second, with the count of those not written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cp_amp.h"
#include "iq/iq_rate.h"

static void
test_iq_rate_a_token_per_message(void **state)
{
	struct iq_rate r;

	(void)state;
	iq_rate_init(&r, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(iq_rate_admit(&r, 0, 1000), IQ_ADMIT_OK);
	/* over the rate: refused (one answer each) while the refusals'
	 * budget lasts, then dropped unanswered */
	for (unsigned int i = 0; i < 10 * IQ_REFUSALS_PER_TOKEN; i++)
		assert_int_equal(iq_rate_admit(&r, 0, 1000), IQ_ADMIT_REFUSE);
	assert_int_equal(iq_rate_admit(&r, 0, 1000), IQ_ADMIT_DROP);
	/* a tenth of a second later: one message's token */
	assert_int_equal(iq_rate_admit(&r, 0, 1100), IQ_ADMIT_OK);
	assert_int_equal(iq_rate_admit(&r, 0, 1100), IQ_ADMIT_REFUSE);
	/* a quiet second fills it, to one second's worth and no more */
	for (int i = 0; i < 10; i++)
		assert_int_equal(iq_rate_admit(&r, 0, 5000), IQ_ADMIT_OK);
	assert_int_equal(iq_rate_admit(&r, 0, 5000), IQ_ADMIT_REFUSE);
}

static void
test_iq_rate_requests_past_the_first(void **state)
{
	struct iq_rate r;
	int ran = 1;

	(void)state;
	iq_rate_init(&r, 10);
	/* a message of 32 requests: its token and 9 more, not 32 */
	assert_int_equal(iq_rate_admit(&r, 0, 1000), IQ_ADMIT_OK);
	for (int i = 1; i < 32; i++)
		ran += iq_rate_more(&r, 0, 1000);
	assert_int_equal(ran, 10);
	assert_int_not_equal(iq_rate_admit(&r, 0, 1000), IQ_ADMIT_OK);
}

/* A controller's budget is spent by what comes from its address alone:
 * another's host at rate does not starve it. */
static void
test_iq_rate_a_budget_per_controller(void **state)
{
	struct iq_rate r;

	(void)state;
	iq_rate_init(&r, 10);
	for (unsigned int i = 0; i < 10 + 10 * IQ_REFUSALS_PER_TOKEN; i++)
		iq_rate_admit(&r, 1, 1000);
	assert_int_equal(iq_rate_admit(&r, 1, 1000), IQ_ADMIT_DROP);
	for (int i = 0; i < 10; i++)
		assert_int_equal(iq_rate_admit(&r, 0, 1000), IQ_ADMIT_OK);
	assert_int_equal(iq_rate_admit(&r, 0, 1000), IQ_ADMIT_REFUSE);
	assert_false(iq_rate_more(&r, 1, 1000));
}

static void
test_iq_rate_log_lines(void **state)
{
	struct iq_rate r;
	uint64_t quiet = 99;
	int written = 0;

	(void)state;
	iq_rate_init(&r, 500);
	for (int i = 0; i < 100; i++)
		written += iq_rate_log(&r, IQ_LOG_MALFORMED, 1000, &quiet);
	assert_int_equal(written, IQ_LOG_BURST);
	assert_int_equal(quiet, 0);
	/* a second later one more, telling of the 95 not written */
	assert_false(iq_rate_log(&r, IQ_LOG_MALFORMED, 1500, &quiet));
	assert_true(iq_rate_log(&r, IQ_LOG_MALFORMED, 2000, &quiet));
	assert_int_equal(quiet, 96);
	/* each kind paced on its own: a flood of one silences no other */
	assert_true(iq_rate_log(&r, IQ_LOG_WRONG_PORT, 2000, &quiet));
	assert_int_equal(quiet, 0);
	assert_true(iq_rate_log(&r, IQ_LOG_UNAUTH, 2000, &quiet));
}

/* cp_amp.h: a reply up to three times its request costs the request's
 * token alone; each further share of three times costs one more. */
static void
test_cp_amp_cost_by_the_request_length(void **state)
{
	(void)state;
	assert_int_equal(cp_amp_cost(0, 35), 1);
	assert_int_equal(cp_amp_cost(105, 35), 1);
	assert_int_equal(cp_amp_cost(106, 35), 2);
	/* the brief's list: 35 octets asked, 10 KB answered */
	assert_int_equal(cp_amp_cost(10188, 35), 98);
	assert_int_equal(cp_amp_cost(100, 0), 100);
	/* past the rate a refusal goes only when it amplifies nothing */
	assert_true(cp_amp_refusal_ok(52, 52));
	assert_false(cp_amp_refusal_ok(53, 52));
}

/* A reply's cost past its message's token is taken into debt: the
 * controller's next messages wait until it is repaid, another's do not. */
static void
test_iq_rate_charge_into_debt(void **state)
{
	struct iq_rate r;

	(void)state;
	iq_rate_init(&r, 10);
	assert_int_equal(iq_rate_admit(&r, 0, 1000), IQ_ADMIT_OK);
	iq_rate_charge(&r, 0, 29, 1000);
	/* 10 - 1 - 29 = -20: two seconds to repay, then one message */
	assert_int_not_equal(iq_rate_admit(&r, 0, 2000), IQ_ADMIT_OK);
	assert_int_not_equal(iq_rate_admit(&r, 0, 2999), IQ_ADMIT_OK);
	assert_int_equal(iq_rate_admit(&r, 1, 2999), IQ_ADMIT_OK);
	assert_int_equal(iq_rate_admit(&r, 0, 3100), IQ_ADMIT_OK);
	assert_int_not_equal(iq_rate_admit(&r, 0, 3100), IQ_ADMIT_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iq_rate_a_token_per_message),
		cmocka_unit_test(test_iq_rate_requests_past_the_first),
		cmocka_unit_test(test_iq_rate_a_budget_per_controller),
		cmocka_unit_test(test_iq_rate_log_lines),
		cmocka_unit_test(test_cp_amp_cost_by_the_request_length),
		cmocka_unit_test(test_iq_rate_charge_into_debt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
