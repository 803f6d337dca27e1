/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's module walker (dp/dp_module.c): the list's order for creation,
 * set-up, the counter families and the statistics; the stop backwards; a
 * module whose set-up says it does not run here gets no pass hooks; the
 * first failure stops a walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"

static char trace[512];

static void
say(const char *what)
{
	strncat(trace, what, sizeof(trace) - strlen(trace) - 1);
	strncat(trace, " ", sizeof(trace) - strlen(trace) - 1);
}

static int a_create(struct dp_worker *w) { (void)w; say("create:a"); return 0; }
static int b_create(struct dp_worker *w) { (void)w; say("create:b"); return 0; }
static int a_setup(struct dp_ctx *c) { (void)c; say("setup:a"); return 1; }
static int b_setup(struct dp_ctx *c) { (void)c; say("setup:b"); return 0; }
static int c_setup_fail(struct dp_ctx *c) { (void)c; say("setup:c"); return -EIO; }
static void a_ready(struct dp_ctx *c) { (void)c; say("ready:a"); }
static void b_ready(struct dp_ctx *c) { (void)c; say("ready:b"); }
static void a_clock(struct dp_worker *w, uint64_t ms) { (void)w; (void)ms; say("clock:a"); }
static void b_clock(struct dp_worker *w, uint64_t ms) { (void)w; (void)ms; say("clock:b"); }
static unsigned int a_sweep(struct dp_worker *w, uint64_t t) { (void)w; (void)t; say("sweep:a"); return 2; }
static void a_flush(struct dp_worker *w) { (void)w; say("flush:a"); }
static void b_flush(struct dp_worker *w) { (void)w; say("flush:b"); }
static void a_free(struct dp_worker *w) { (void)w; say("free:a"); }
static void b_free(struct dp_worker *w) { (void)w; say("free:b"); }
static void a_fini(struct dp_ctx *c) { (void)c; say("fini:a"); }
static void b_fini(struct dp_ctx *c) { (void)c; say("fini:b"); }

static void
a_stream(const struct dp_worker *w, FILE *out)
{
	fprintf(out, "a%u ", w->id);
}

static void
b_stream(const struct dp_worker *w, FILE *out)
{
	fprintf(out, "b%u ", w->id);
}

static void
b_print(const struct dp_worker *w, FILE *out)
{
	fprintf(out, "B%u ", w->id);
}

static void
zero(const struct dp_worker *w, uint64_t *out)
{
	(void)w;
	out[0] = 0;
}

static const struct dp_ctrs_desc one = { "one", DP_CTRS_COUNTER, NULL };
static const struct dp_ctrs_family fa = {
	.name = "fa", .prefix = "fa_", .help = "a's", .desc = &one, .n = 1, .values = zero,
};
static const struct dp_ctrs_family fb1 = {
	.name = "fb1", .prefix = "fb1_", .help = "b's first", .desc = &one, .n = 1, .values = zero,
};
static const struct dp_ctrs_family fb2 = {
	.name = "fb2", .prefix = "fb2_", .help = "b's second", .desc = &one, .n = 1, .values = zero,
};
static const struct dp_ctrs_family *const a_fams[] = { &fa, NULL };
static const struct dp_ctrs_family *const b_fams[] = { &fb1, &fb2, NULL };

static const struct dp_module mod_a = {
	.name = "a", .create = a_create, .setup = a_setup, .ready = a_ready,
	.clock = a_clock, .sweep = a_sweep, .flush = a_flush, .ctrs = a_fams,
	.print_stream = a_stream, .free = a_free, .fini = a_fini,
};
/* b's set-up says it does not run here: its clock and flush stay out */
static const struct dp_module mod_b = {
	.name = "b", .create = b_create, .setup = b_setup, .ready = b_ready,
	.clock = b_clock, .flush = b_flush, .ctrs = b_fams,
	.print_stream = b_stream, .print = b_print, .free = b_free, .fini = b_fini,
};
static const struct dp_module mod_c = { .name = "c", .setup = c_setup_fail };

static struct dp_ctx ctx;
static struct dp_worker w0, w1;

static int
setup(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	memset(&w0, 0, sizeof(w0));
	memset(&w1, 0, sizeof(w1));
	w0.ctx = w1.ctx = &ctx;
	w1.id = 1;
	ctx.nworkers = 2;
	ctx.workers[0] = &w0;
	ctx.workers[1] = &w1;
	trace[0] = '\0';
	dp_ctrs_reset();
	return 0;
}

static void
test_dp_modules_walk_in_order(void **state)
{
	static const struct dp_module *const list[] = { &mod_a, &mod_b };

	(void)state;
	assert_int_equal(dp_modules_use(&ctx, list, 2), 0);
	assert_int_equal(dp_modules_create(&w0), 0);
	assert_int_equal(dp_modules_setup(&ctx), 0);
	assert_string_equal(trace, "create:a create:b setup:a setup:b ready:a ready:b ");
	/* only a runs here: one clock, one sweep, one flush */
	trace[0] = '\0';
	dp_modules_clock(&w0, 5);
	assert_int_equal(dp_modules_sweep(&w0, 9), 2);
	dp_modules_flush(&w0);
	assert_string_equal(trace, "clock:a sweep:a flush:a ");
	assert_int_equal(ctx.mods.runs, 1u);
	trace[0] = '\0';
	dp_modules_free(&w0);
	dp_modules_fini(&ctx);
	assert_string_equal(trace, "free:b free:a fini:b fini:a ");
}

static void
test_dp_modules_ctrs_and_print_in_order(void **state)
{
	static const struct dp_module *const list[] = { &mod_a, &mod_b };
	char err[128], name[64], buf[256];
	FILE *f;

	(void)state;
	assert_int_equal(dp_modules_use(&ctx, list, 2), 0);
	assert_int_equal(dp_modules_ctrs(&ctx, err, sizeof(err)), 0);
	assert_int_equal(dp_ctrs_nfamilies(), 3);
	assert_non_null(dp_ctrs_get(0, name, sizeof(name), NULL));
	assert_string_equal(name, "fa_one");
	assert_non_null(dp_ctrs_get(2, name, sizeof(name), NULL));
	assert_string_equal(name, "fb2_one");
	/* streams worker by worker, then the tables module by module */
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	dp_modules_print(&ctx, f);
	fclose(f);
	assert_string_equal(buf, "a0 b0 a1 b1 B0 B1 ");
}

static void
test_dp_modules_setup_stops_at_a_failure(void **state)
{
	static const struct dp_module *const list[] = { &mod_a, &mod_c, &mod_b };

	(void)state;
	assert_int_equal(dp_modules_use(&ctx, list, 3), 0);
	assert_int_equal(dp_modules_setup(&ctx), -EIO);
	assert_string_equal(trace, "setup:a setup:c ");
}

static void
test_dp_modules_use_refuses_too_many(void **state)
{
	static const struct dp_module *list[DP_MODULES_MAX + 1];

	(void)state;
	for (unsigned int i = 0; i <= DP_MODULES_MAX; i++)
		list[i] = &mod_a;
	assert_int_equal(dp_modules_use(&ctx, list, DP_MODULES_MAX + 1), -E2BIG);
	assert_int_equal(dp_modules_use(&ctx, list, DP_MODULES_MAX), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_dp_modules_walk_in_order, setup),
		cmocka_unit_test_setup(test_dp_modules_ctrs_and_print_in_order, setup),
		cmocka_unit_test_setup(test_dp_modules_setup_stops_at_a_failure, setup),
		cmocka_unit_test_setup(test_dp_modules_use_refuses_too_many, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
