/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cp_module.c alone, with modules that write down what was called: set-up
 * in the list's order; a failure at module k takes down k-1 .. 0 in that
 * order (not k, which undid itself, nor those after it, never set up); a
 * check walk stops at the first module a check does not set up, and a
 * run carries on from there; dp-restart hooks go to cp_dp in start-up
 * order, once their module is up; the loop's hooks reach the modules that
 * are up and no other; a failed command registration names its module;
 * status's and the metrics' parts by rank, of the modules that are up,
 * a module's several parts of status among the hub's, its part of each
 * worker's;
 * the counter registry (cp_ctrs.c): order, what is shown, what is refused.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cp.h"
#include "cp_dp.h"
#include "cp_module.h"

static struct cp_ctx cp;

/* What ran, in order: "s0" setup of module 0, "f2" fini of module 2, ... */
static char trail[256];
/* the module whose setup fails (-1: none), and how */
static int fail_at = -1;
static int fail_rc = -EIO;
static int fail_says;
static int cmd_fail_at = -1;
static int nap_at = -1;

static void
note(char what, unsigned int k)
{
	size_t n = strlen(trail);

	snprintf(trail + n, sizeof(trail) - n, "%c%u ", what, k);
}

#define MOD_FNS(k) \
static int \
setup_##k(struct cp_ctx *c, char *err, size_t errlen) \
{ \
	assert_ptr_equal(c, &cp); \
	note('s', k); \
	if (fail_at == k) { \
		if (fail_says) \
			snprintf(err, errlen, "module %d says why", k); \
		return fail_rc; \
	} \
	return 0; \
} \
static void \
fini_##k(struct cp_ctx *c) \
{ \
	assert_ptr_equal(c, &cp); \
	note('f', k); \
} \
static void \
restart_##k(struct cp_ctx *c) \
{ \
	(void)c; \
	note('r', k); \
} \
static int \
cmds_##k(struct cp_ctx *c) \
{ \
	(void)c; \
	note('c', k); \
	return cmd_fail_at == k ? -ENOSPC : 0; \
} \
static unsigned int \
step_##k(struct cp_ctx *c) \
{ \
	(void)c; \
	note('t', k); \
	return 1u << k; \
} \
static unsigned int \
held_##k(struct cp_ctx *c) \
{ \
	(void)c; \
	note('h', k); \
	return 1u << k; \
} \
static int \
nap_##k(struct cp_ctx *c, unsigned int us) \
{ \
	(void)c; \
	assert_int_equal(us, 100); \
	note('n', k); \
	return nap_at == k; \
} \
static unsigned int \
serve_##k(struct cp_ctx *c, uint64_t now_ms) \
{ \
	(void)c; \
	assert_int_equal(now_ms, 42); \
	note('v', k); \
	return 1u << k; \
}

MOD_FNS(0)
MOD_FNS(1)
MOD_FNS(2)
MOD_FNS(3)

#define MOD(k, fl) { .name = "mod" #k, .flags = (fl), .setup = setup_##k, \
	.fini = fini_##k, .on_dp_restart = restart_##k, .commands = cmds_##k, \
	.step = step_##k, .held = held_##k, .nap = nap_##k, .serve = serve_##k }

/* 0 and 1 are what a configuration check sets up too */
static const struct cp_module m0 = MOD(0, CP_MODULE_CHECK);
static const struct cp_module m1 = MOD(1, CP_MODULE_CHECK);
static const struct cp_module m2 = MOD(2, 0);
static const struct cp_module m3 = MOD(3, 0);
/* a module with no hooks at all */
static const struct cp_module bare = { .name = "bare" };

static const struct cp_module *const four[] = { &m0, &m1, &m2, &m3 };
static const struct cp_module *const with_bare[] = { &m0, &bare, &m2 };

static int
setup(void **state)
{
	(void)state;
	memset(&cp, 0, sizeof(cp));
	trail[0] = '\0';
	fail_at = -1;
	fail_rc = -EIO;
	fail_says = 0;
	cmd_fail_at = -1;
	nap_at = -1;
	return 0;
}

static void
test_module_setup_in_order_fini_in_reverse(void **state)
{
	(void)state;
	assert_int_equal(cp_modules_use(&cp, four, 4), 0);
	assert_int_equal(cp_modules_setup(&cp, false), 0);
	assert_string_equal(trail, "s0 s1 s2 s3 ");
	assert_int_equal(cp.mods.up, 0xf);
	trail[0] = '\0';
	cp_modules_fini(&cp);
	assert_string_equal(trail, "f3 f2 f1 f0 ");
	assert_int_equal(cp.mods.up, 0);
	/* twice: nothing is up any more */
	trail[0] = '\0';
	cp_modules_fini(&cp);
	assert_string_equal(trail, "");
}

/* k fails: those before it go down last first; k's fini is not called
 * (it undid itself) and nothing after k is touched. For each k. */
static void
test_module_failure_at_k_takes_down_those_before(void **state)
{
	static const char *const want[] = {
		"s0 ",
		"s0 s1 f0 ",
		"s0 s1 s2 f1 f0 ",
		"s0 s1 s2 s3 f2 f1 f0 ",
	};

	(void)state;
	for (int k = 0; k < 4; k++) {
		setup(NULL);
		fail_at = k;
		fail_rc = -EACCES;
		assert_int_equal(cp_modules_use(&cp, four, 4), 0);
		assert_int_equal(cp_modules_setup(&cp, false), -EACCES);
		assert_string_equal(trail, want[k]);
		assert_int_equal(cp.mods.up, 0);
		/* the hooks of 0 .. k-1 only (cp_dp keeps them: cp stops) */
		assert_int_equal(cp.dp.nrestart, (unsigned int)k);
		/* the exit path's fini finds nothing left */
		trail[0] = '\0';
		cp_modules_fini(&cp);
		assert_string_equal(trail, "");
	}
}

/* The module's sentence, or one naming the module: either way the
 * walker says it (a line on stderr) and returns the module's error. */
static void
test_module_failure_returns_module_error(void **state)
{
	(void)state;
	fail_at = 1;
	fail_says = 1;
	fail_rc = -ENOMEM;
	assert_int_equal(cp_modules_use(&cp, four, 4), 0);
	assert_int_equal(cp_modules_setup(&cp, false), -ENOMEM);
	assert_string_equal(trail, "s0 s1 f0 ");
}

/* --check sets up 0 and 1 and stops at 2; the run carries on with 2 and
 * 3 without setting 0 and 1 up again; shutdown takes all four. */
static void
test_module_check_walk_then_run(void **state)
{
	(void)state;
	assert_int_equal(cp_modules_use(&cp, four, 4), 0);
	assert_int_equal(cp_modules_setup(&cp, true), 0);
	assert_string_equal(trail, "s0 s1 ");
	assert_int_equal(cp.mods.up, 0x3);
	assert_int_equal(cp_modules_setup(&cp, false), 0);
	assert_string_equal(trail, "s0 s1 s2 s3 ");
	trail[0] = '\0';
	cp_modules_fini(&cp);
	assert_string_equal(trail, "f3 f2 f1 f0 ");
}

/* A check walk stops at the first module a check does not set up, even
 * if one after it would be. */
static void
test_module_check_stops_at_first_run_only(void **state)
{
	static const struct cp_module *const mixed[] = { &m0, &m2, &m1 };

	(void)state;
	assert_int_equal(cp_modules_use(&cp, mixed, 3), 0);
	assert_int_equal(cp_modules_setup(&cp, true), 0);
	assert_string_equal(trail, "s0 ");
	cp_modules_fini(&cp);
}

/* dp-restart hooks are cp_dp's, in start-up order, run by
 * cp_dp_restarted(). */
static void
test_module_dp_restart_hooks_in_order(void **state)
{
	(void)state;
	assert_int_equal(cp_modules_use(&cp, four, 4), 0);
	assert_int_equal(cp_modules_setup(&cp, true), 0);
	assert_int_equal(cp.dp.nrestart, 2);
	assert_int_equal(cp_modules_setup(&cp, false), 0);
	assert_int_equal(cp.dp.nrestart, 4);
	trail[0] = '\0';
	cp_dp_restarted(&cp);
	assert_string_equal(trail, "r0 r1 r2 r3 ");
	cp_modules_fini(&cp);
}

/* A hook that does not fit in cp_dp's table stops the start like a
 * failed setup: that module and those before it go down. */
static void
test_module_dp_restart_table_full(void **state)
{
	(void)state;
	cp.dp.nrestart = CP_DP_RESTART_MAX - 1;
	assert_int_equal(cp_modules_use(&cp, four, 4), 0);
	assert_int_equal(cp_modules_setup(&cp, false), -ENOSPC);
	assert_string_equal(trail, "s0 s1 f1 f0 ");
	assert_int_equal(cp.mods.up, 0);
}

/* The loop's hooks reach the modules that are up, in order; a module
 * without hooks is passed over. */
static void
test_module_loop_hooks_only_up(void **state)
{
	(void)state;
	assert_int_equal(cp_modules_use(&cp, four, 4), 0);
	assert_int_equal(cp_modules_setup(&cp, true), 0);
	trail[0] = '\0';
	assert_int_equal(cp_modules_step(&cp), 0x3);
	assert_int_equal(cp_modules_held(&cp), 0x3);
	assert_int_equal(cp_modules_serve(&cp, 42), 0x3);
	assert_int_equal(cp_modules_nap(&cp, 100), 0);
	assert_string_equal(trail, "t0 t1 h0 h1 v0 v1 n0 n1 ");
	assert_int_equal(cp_modules_setup(&cp, false), 0);
	trail[0] = '\0';
	assert_int_equal(cp_modules_step(&cp), 0xf);
	assert_int_equal(cp_modules_serve(&cp, 42), 0xf);
	assert_string_equal(trail, "t0 t1 t2 t3 v0 v1 v2 v3 ");
	/* the first module that naps ends the walk */
	nap_at = 1;
	trail[0] = '\0';
	assert_int_equal(cp_modules_nap(&cp, 100), 1);
	assert_string_equal(trail, "n0 n1 ");
	cp_modules_fini(&cp);

	setup(NULL);
	assert_int_equal(cp_modules_use(&cp, with_bare, 3), 0);
	assert_int_equal(cp_modules_setup(&cp, false), 0);
	assert_string_equal(trail, "s0 s2 ");
	trail[0] = '\0';
	assert_int_equal(cp_modules_step(&cp), 0x5);
	cp_modules_fini(&cp);
	assert_string_equal(trail, "t0 t2 f2 f0 ");
}

/* Every module's commands in order; the first that fails stops the walk
 * and is named. */
static void
test_module_commands_name_the_failure(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(cp_modules_use(&cp, four, 4), 0);
	assert_int_equal(cp_modules_commands(&cp, err, sizeof(err)), 0);
	assert_string_equal(trail, "c0 c1 c2 c3 ");
	cmd_fail_at = 2;
	trail[0] = '\0';
	assert_int_equal(cp_modules_commands(&cp, err, sizeof(err)), -ENOSPC);
	assert_string_equal(trail, "c0 c1 c2 ");
	assert_non_null(strstr(err, "mod2"));
}

static void
test_module_too_many(void **state)
{
	static const struct cp_module *list[CP_MODULE_MAX + 1];

	(void)state;
	for (unsigned int i = 0; i <= CP_MODULE_MAX; i++)
		list[i] = &bare;
	assert_int_equal(cp_modules_use(&cp, list, CP_MODULE_MAX + 1), -EINVAL);
	assert_int_equal(cp_modules_use(&cp, list, CP_MODULE_MAX), 0);
	assert_int_equal(cp_modules_setup(&cp, false), 0);
	assert_int_equal(cp.mods.up, 0xffffffffu);
	cp_modules_fini(&cp);
	assert_int_equal(cp.mods.up, 0);
}

/* ---- status's and the metrics' parts, and the counter families ---- */

static void
part_status(unsigned int k, struct json_object *resp)
{
	char key[8];

	snprintf(key, sizeof(key), "S%u", k);
	json_object_object_add(resp, key, json_object_new_int((int)k));
	note('S', k);
}

#define PART_FNS(k) \
static void \
status_##k(const struct cp_ctx *c, struct json_object *resp) \
{ \
	assert_ptr_equal(c, &cp); \
	part_status(k, resp); \
} \
static void \
metrics_##k(const struct cp_ctx *c, FILE *f) \
{ \
	assert_ptr_equal(c, &cp); \
	fprintf(f, "m%u\n", k); \
	note('M', k); \
}

PART_FNS(0)
PART_FNS(1)
PART_FNS(2)
PART_FNS(3)

static const struct cp_ctrs_desc fam_desc[] = {
	{ "one", CP_CTRS_COUNTER, 0, "The first" },
	{ "level", CP_CTRS_GAUGE, 0, NULL },
	{ "hidden", CP_CTRS_COUNTER, CP_CTRS_NO_METRIC, NULL },
};

static void
fam_values(const struct cp_ctx *c, uint64_t *out)
{
	(void)c;
	out[0] = 7;
	out[1] = 8;
	out[2] = 9;
}

/* shown by the hubs at rank 310 */
static const struct cp_ctrs_family fam = {
	.name = "fam", .prefix = "fam_", .metric = "turnpike_", .rank = 310,
	.desc = fam_desc, .n = 3, .values = fam_values,
};

#define PART(k, sr, mr, c) { .name = "part" #k, .status = status_##k, .status_rank = (sr), \
	.metrics = metrics_##k, .metrics_rank = (mr), .ctrs = (c) }

static const struct cp_module p0 = PART(0, 30, 500, NULL);
static const struct cp_module p1 = PART(1, 10, 300, &fam);
static const struct cp_module p2 = PART(2, 30, 300, NULL);
static const struct cp_module p3 = PART(3, 0, 100, NULL);

/* Status's parts by status_rank, then in the list's order; the metrics'
 * of a range of ranks the same way; a module that is not up has none. */
static void
test_module_parts_by_rank(void **state)
{
	static const struct cp_module *const parts[] = { &p0, &p1, &p2, &p3 };
	struct json_object *resp = json_object_new_object();
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(cp_modules_use(&cp, parts, 4), 0);
	cp.mods.up = 0x7;               /* p3 not up */
	cp_modules_status(&cp, resp, 0, UINT_MAX);
	assert_string_equal(trail, "S1 S0 S2 ");
	assert_string_equal(json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN),
			    "{\"S1\":1,\"S0\":0,\"S2\":2}");
	json_object_put(resp);

	trail[0] = '\0';
	f = open_memstream(&text, &len);
	assert_non_null(f);
	cp_modules_metrics(&cp, f, 0, 400);
	assert_string_equal(trail, "M1 M2 ");
	cp_modules_metrics(&cp, f, 400, 1000);
	assert_string_equal(trail, "M1 M2 M0 ");
	fclose(f);
	assert_string_equal(text, "m1\nm2\nm0\n");
	free(text);
}

/* A module's parts of status at ranks of their own, beside its status
 * hook: each range [lo, hi) the hub asks for gets the parts whose rank
 * is in it, by rank then in the list's order; the worker hooks of the
 * modules that are up, in the list's order. */
static void
status_worker_k(const struct cp_ctx *c, const struct cp_metrics_snap *s, unsigned int w,
		struct json_object *dp)
{
	char key[8];

	assert_ptr_equal(c, &cp);
	assert_null(s);
	snprintf(key, sizeof(key), "W%u", w);
	json_object_object_add(dp, key, json_object_new_int((int)w));
	note('W', w);
}

static const struct cp_status_part q0_parts[] = {
	{ 5, status_2 },
	{ 1, status_0 },
};
static const struct cp_status_part q1_parts[] = {
	{ 1, status_1 },
};
static const struct cp_module q0 = { .name = "q0", .status = status_3, .status_rank = 30,
	.status_parts = q0_parts, .nstatus_parts = 2, .status_worker = status_worker_k };
static const struct cp_module q1 = { .name = "q1", .status_parts = q1_parts,
	.nstatus_parts = 1 };
static const struct cp_module q2 = { .name = "q2", .status = status_3, .status_rank = 1,
	.status_worker = status_worker_k };

static void
test_module_status_parts_among_hub(void **state)
{
	static const struct cp_module *const mods[] = { &q0, &q1, &q2 };
	struct json_object *resp = json_object_new_object();
	struct json_object *dp = json_object_new_object();

	(void)state;
	assert_int_equal(cp_modules_use(&cp, mods, 3), 0);
	cp.mods.up = 0x3;               /* q2 not up */
	/* the hub's parts at 0, 2 and 6 (say): what lies between each */
	cp_modules_status(&cp, resp, 0, 0);
	assert_string_equal(trail, "");
	cp_modules_status(&cp, resp, 0, 2);
	assert_string_equal(trail, "S0 S1 ");
	cp_modules_status(&cp, resp, 2, 6);
	assert_string_equal(trail, "S0 S1 S2 ");
	cp_modules_status(&cp, resp, 6, UINT_MAX);
	assert_string_equal(trail, "S0 S1 S2 S3 ");
	assert_string_equal(json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN),
			    "{\"S0\":0,\"S1\":1,\"S2\":2,\"S3\":3}");
	trail[0] = '\0';
	cp_modules_status_worker(&cp, NULL, 4, dp);
	assert_string_equal(trail, "W4 ");
	cp.mods.up = 0x7;
	cp_modules_status_worker(&cp, NULL, 4, dp);
	assert_string_equal(trail, "W4 W4 W4 ");
	assert_string_equal(json_object_to_json_string_ext(dp, JSON_C_TO_STRING_PLAIN),
			    "{\"W4\":4}");
	json_object_put(resp);
	json_object_put(dp);
}

/* The registry: cp's own family first, then the modules' in the list's
 * order; one read of the values shown as status keys (prefix and name)
 * and as metrics (HELP, TYPE, "_total" for a counter, a counter without
 * help of its own "cp counter ...", one in status only left out); a
 * family again is a no-op; a name taken, or not well formed, refused
 * with the registry unchanged. */
static void
test_module_ctrs_registry(void **state)
{
	static const struct cp_module *const one[] = { &p1 };
	static const struct cp_ctrs_desc clash_desc[] = {
		{ "one", CP_CTRS_COUNTER, 0, NULL },
	};
	static const struct cp_ctrs_desc bad_desc[] = {
		{ "Bad-name", CP_CTRS_COUNTER, 0, NULL },
	};
	/* the same metric under another family's name */
	static const struct cp_ctrs_family clash = {
		.name = "clash", .prefix = "fam_", .metric = "turnpike_",
		.desc = clash_desc, .n = 1, .values = fam_values,
	};
	/* another metric, but the same status key among the ranked */
	static const struct cp_ctrs_family clash_key = {
		.name = "clash_key", .prefix = "fam_", .metric = "turnpike_x_", .rank = 1,
		.desc = clash_desc, .n = 1, .values = fam_values,
	};
	/* the same key, not ranked: its own module shows it */
	static const struct cp_ctrs_family own_key = {
		.name = "own_key", .prefix = "fam_", .metric = "turnpike_y_",
		.desc = clash_desc, .n = 1, .values = fam_values,
	};
	static const struct cp_ctrs_family bad = {
		.name = "bad", .prefix = "", .metric = "turnpike_",
		.desc = bad_desc, .n = 1, .values = fam_values,
	};
	struct json_object *o = json_object_new_object();
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(cp_modules_use(&cp, one, 1), 0);
	assert_int_equal(cp.ctrs.n, 2);
	assert_ptr_equal(cp.ctrs.fam[0], &cp_ctrs_cp);
	assert_ptr_equal(cp.ctrs.fam[1], &fam);
	assert_int_equal(cp_ctrs_register(&cp, &fam, err, sizeof(err)), 0);
	assert_int_equal(cp.ctrs.n, 2);
	assert_int_equal(cp_ctrs_register(&cp, &clash, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "fam_one"));
	assert_int_equal(cp_ctrs_register(&cp, &clash_key, err, sizeof(err)), -EEXIST);
	assert_int_equal(cp_ctrs_register(&cp, &bad, err, sizeof(err)), -EINVAL);
	assert_int_equal(cp.ctrs.n, 2);
	assert_int_equal(cp_ctrs_register(&cp, &own_key, err, sizeof(err)), 0);
	assert_int_equal(cp.ctrs.n, 3);

	cp_ctrs_json(&cp, &fam, o);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"fam_one\":7,\"fam_level\":8,\"fam_hidden\":9}");
	json_object_put(o);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	cp_ctrs_metrics(&cp, &fam, f);
	fclose(f);
	assert_string_equal(text,
			    "# HELP turnpike_fam_one_total The first\n"
			    "# TYPE turnpike_fam_one_total counter\n"
			    "turnpike_fam_one_total 7\n"
			    "# HELP turnpike_fam_level cp counter fam_level (turnpikectl status)\n"
			    "# TYPE turnpike_fam_level gauge\n"
			    "turnpike_fam_level 8\n");
	free(text);

	/* the hubs': cp's own (rank CP_METRICS_RELAYED + 1) and fam (310)
	 * by rank; own_key has none */
	cp.stats[CP_STAT_REQUESTS] = 5;
	text = NULL;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	cp_ctrs_metrics_ranked(&cp, f, 0, UINT32_MAX);
	fclose(f);
	assert_non_null(strstr(text, "turnpike_fam_level 8\n# HELP turnpike_cp_requests_total "
				     "cp counter requests (turnpikectl status)\n"
				     "# TYPE turnpike_cp_requests_total counter\n"
				     "turnpike_cp_requests_total 5\n"));
	assert_null(strstr(text, "turnpike_y_"));
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	cp_ctrs_metrics_ranked(&cp, f, 311, CP_METRICS_RELAYED + 1);
	fclose(f);
	assert_string_equal(text, "");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_module_setup_in_order_fini_in_reverse, setup),
		cmocka_unit_test_setup(test_module_failure_at_k_takes_down_those_before, setup),
		cmocka_unit_test_setup(test_module_failure_returns_module_error, setup),
		cmocka_unit_test_setup(test_module_check_walk_then_run, setup),
		cmocka_unit_test_setup(test_module_check_stops_at_first_run_only, setup),
		cmocka_unit_test_setup(test_module_dp_restart_hooks_in_order, setup),
		cmocka_unit_test_setup(test_module_dp_restart_table_full, setup),
		cmocka_unit_test_setup(test_module_loop_hooks_only_up, setup),
		cmocka_unit_test_setup(test_module_commands_name_the_failure, setup),
		cmocka_unit_test_setup(test_module_too_many, setup),
		cmocka_unit_test_setup(test_module_parts_by_rank, setup),
		cmocka_unit_test_setup(test_module_status_parts_among_hub, setup),
		cmocka_unit_test_setup(test_module_ctrs_registry, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
