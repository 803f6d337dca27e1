/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's reload (cp/reload.c) over cp/cp_module.c's walk, with modules that
 * write down what was called and a real file read again: the modules up
 * prepare in the list's order and then apply in it (one not up is not
 * asked); a prepare that fails has the ones before it that prepared
 * aborted, last first, and nothing applied, the reload refused with its
 * sentence (or one naming it) and counted; a file that does not load, or
 * has neither a turn nor an agw group, asks no module. What the modules
 * say lands in the answer's "changed" and "restart_needed" in order,
 * after what lib/conf's table says needs a restart and cp.log_level.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cp.h"
#include "api/api_cmd.h"
#include "cp_module.h"
#include "tp_conf.h"

static struct cp_ctx cp;
static struct tp_conf running;
static char dir[64], path[128];

/* What ran, in order: "p0" prepare of module 0, "a2" apply of 2, "x1"
 * abort of 1. */
static char trail[256];
static int fail_at = -1;
static int fail_says;
/* quota_user of the file each apply was given */
static uint32_t applied_quota[5];

/* The API's error sentence (api/api_cmd.c keeps it in the API's buffer;
 * this test links no API). */
static char api_err[1024];

const char *
cp_api_err(struct cp_ctx *c, const char *fmt, ...)
{
	va_list ap;

	assert_ptr_equal(c, &cp);
	va_start(ap, fmt);
	vsnprintf(api_err, sizeof(api_err), fmt, ap);
	va_end(ap);
	return api_err;
}

static void
mark(char what, unsigned int k)
{
	size_t n = strlen(trail);

	snprintf(trail + n, sizeof(trail) - n, "%c%u ", what, k);
}

#define PREPARE_FN(k) \
static int \
prepare_##k(struct cp_ctx *c, const struct tp_conf *next, char *err, size_t errlen) \
{ \
	assert_ptr_equal(c, &cp); \
	assert_ptr_not_equal(next, cp.conf); \
	mark('p', k); \
	if (fail_at == k) { \
		if (fail_says) \
			snprintf(err, errlen, "module %d says why", k); \
		return -EIO; \
	} \
	return 0; \
}
#define MOD_FNS(k) \
static void \
apply_##k(struct cp_ctx *c, const struct tp_conf *next, struct cp_reload_notes *r) \
{ \
	assert_ptr_equal(c, &cp); \
	mark('a', k); \
	applied_quota[k] = next->cp.quota_user; \
	cp_reload_say(r, k == 1, "mod%d: quota_user %u", k, next->cp.quota_user); \
} \
static void \
abort_##k(struct cp_ctx *c) \
{ \
	assert_ptr_equal(c, &cp); \
	mark('x', k); \
}

PREPARE_FN(0)
PREPARE_FN(2)
PREPARE_FN(3)
PREPARE_FN(4)
MOD_FNS(0)
MOD_FNS(1)
MOD_FNS(2)
MOD_FNS(3)
MOD_FNS(4)

/* 0, 2 and 4 prepare and abort; 1 has no prepare, so nothing to abort (and
 * says a restart is needed, as a module that could not do something
 * does); 3 has every hook and is not up (a check's walk stops before it). */
static const struct cp_module_reload r0 = { prepare_0, apply_0, abort_0 };
static const struct cp_module_reload r1 = { .apply = apply_1, .abort = abort_1 };
static const struct cp_module_reload r2 = { prepare_2, apply_2, abort_2 };
static const struct cp_module_reload r3 = { prepare_3, apply_3, abort_3 };
static const struct cp_module_reload r4 = { prepare_4, apply_4, abort_4 };
static const struct cp_module m0 = { .name = "mod0", .flags = CP_MODULE_CHECK, .reload = &r0 };
static const struct cp_module m1 = { .name = "mod1", .flags = CP_MODULE_CHECK, .reload = &r1 };
/* a module with no reload part */
static const struct cp_module bare = { .name = "bare", .flags = CP_MODULE_CHECK };
static const struct cp_module m2 = { .name = "mod2", .flags = CP_MODULE_CHECK, .reload = &r2 };
static const struct cp_module m4 = { .name = "mod4", .flags = CP_MODULE_CHECK, .reload = &r4 };
static const struct cp_module m3 = { .name = "mod3", .reload = &r3 };
static const struct cp_module *const list[] = { &m0, &m1, &bare, &m2, &m4, &m3 };

#define DP "dp = { ports = ({ name = \"a\"; dev = \"net_null0\"; roles = [\"access\"]; " \
	   "ipv4 = \"10.0.0.1/24\"; }); };\n"

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	char err[512];

	(void)state;
	memset(&cp, 0, sizeof(cp));
	trail[0] = '\0';
	api_err[0] = '\0';
	fail_at = -1;
	fail_says = 0;
	memset(applied_quota, 0, sizeof(applied_quota));
	write_file(DP "turn = { realm = \"r\"; };\ncp = { quota_user = 10; };\n");
	if (tp_conf_load(path, &running, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	cp.conf = &running;
	assert_int_equal(cp_modules_use(&cp, list, 6), 0);
	assert_int_equal(cp_modules_setup(&cp, true), 0);
	assert_int_equal(cp.mods.up, 0x1f);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_modules_fini(&cp);
	tp_conf_free(&running);
	tp_log_set_level(TP_LOG_INFO);
	return 0;
}

static const char *
item(struct json_object *resp, const char *key, size_t i)
{
	struct json_object *a;

	assert_true(json_object_object_get_ex(resp, key, &a));
	if (i >= json_object_array_length(a))
		return NULL;
	return json_object_get_string(json_object_array_get_idx(a, i));
}

/* Prepare in order over the modules up that have one, then apply in
 * order; what they say after what needs a restart and the log level. */
static void
test_reload_prepares_then_applies_in_order(void **state)
{
	struct json_object *resp = json_object_new_object();

	(void)state;
	write_file(DP "turn = { realm = \"r2\"; };\n"
	           "cp = { quota_user = 12; log_level = \"debug\"; };\n");
	assert_int_equal(cp_reload(&cp, resp), 0);
	assert_string_equal(trail, "p0 p2 p4 a0 a1 a2 a4 ");
	assert_int_equal(applied_quota[0], 12);
	assert_int_equal(applied_quota[2], 12);
	assert_int_equal(applied_quota[4], 12);
	assert_int_equal(applied_quota[3], 0);
	/* the module's own settings are its to copy: the log level is cp's */
	assert_int_equal(running.cp.quota_user, 10);
	assert_int_equal(running.cp.log_level, TP_LOG_DEBUG);
	assert_int_equal(tp_log_level(), TP_LOG_DEBUG);
	assert_string_equal(item(resp, "changed", 0), "cp.log_level info -> debug");
	assert_string_equal(item(resp, "changed", 1), "mod0: quota_user 12");
	assert_string_equal(item(resp, "changed", 2), "mod2: quota_user 12");
	assert_string_equal(item(resp, "changed", 3), "mod4: quota_user 12");
	assert_null(item(resp, "changed", 4));
	assert_string_equal(item(resp, "restart_needed", 0),
			    "turn.realm (restart turnpike-cp and turnpike-dp)");
	assert_string_equal(item(resp, "restart_needed", 1), "mod1: quota_user 12");
	assert_null(item(resp, "restart_needed", 2));
	assert_int_equal(cp.stats[CP_STAT_RELOADS], 1);
	assert_int_equal(cp.stats[CP_STAT_RELOADS_REFUSED], 0);
	assert_string_equal(api_err, "");
	json_object_put(resp);

	/* again with nothing changed but the modules' own: SIGHUP's way */
	trail[0] = '\0';
	assert_int_equal(cp_reload(&cp, NULL), 0);
	assert_string_equal(trail, "p0 p2 p4 a0 a1 a2 a4 ");
	assert_int_equal(cp.stats[CP_STAT_RELOADS], 2);
}

/* A prepare that fails: the ones before it that prepared are aborted,
 * last first (not the one that failed, which dropped its own), nothing
 * applies, and the reload is refused with the module's sentence. */
static void
test_reload_failed_prepare_aborts_those_before(void **state)
{
	struct json_object *resp = json_object_new_object();

	(void)state;
	write_file(DP "turn = { realm = \"r\"; };\n"
	           "cp = { quota_user = 12; log_level = \"debug\"; };\n");
	fail_at = 4;
	fail_says = 1;
	assert_int_equal(cp_reload(&cp, resp), -EIO);
	assert_string_equal(trail, "p0 p2 p4 x2 x0 ");
	assert_string_equal(api_err, "reload refused, nothing changed: module 4 says why");
	assert_false(json_object_object_get_ex(resp, "changed", NULL));
	assert_int_equal(running.cp.log_level, TP_LOG_INFO);
	assert_int_equal(tp_log_level(), TP_LOG_INFO);
	assert_int_equal(cp.stats[CP_STAT_RELOADS], 0);
	assert_int_equal(cp.stats[CP_STAT_RELOADS_REFUSED], 1);

	trail[0] = '\0';
	fail_at = 2;
	assert_int_equal(cp_reload(&cp, resp), -EIO);
	assert_string_equal(trail, "p0 p2 x0 ");
	assert_string_equal(api_err, "reload refused, nothing changed: module 2 says why");

	/* the first fails: none to abort; without a sentence the walker
	 * names the module */
	trail[0] = '\0';
	fail_at = 0;
	fail_says = 0;
	assert_int_equal(cp_reload(&cp, resp), -EIO);
	assert_string_equal(trail, "p0 ");
	assert_string_equal(api_err, "reload refused, nothing changed: mod0 cannot take the "
			    "new file: Input/output error");
	assert_int_equal(cp.stats[CP_STAT_RELOADS_REFUSED], 3);
	json_object_put(resp);

	/* and the next reload, nothing failing, goes through */
	trail[0] = '\0';
	fail_at = -1;
	assert_int_equal(cp_reload(&cp, NULL), 0);
	assert_string_equal(trail, "p0 p2 p4 a0 a1 a2 a4 ");
}

/* A file that does not load, or that has nothing to serve, asks no
 * module. */
static void
test_reload_bad_file_asks_no_module(void **state)
{
	struct json_object *resp = json_object_new_object();

	(void)state;
	write_file(DP "turn = { realm = \"r\"; };\ncp = { quota_user = \"many\"; };\n");
	assert_int_equal(cp_reload(&cp, resp), -EINVAL);
	json_object_put(resp);
	assert_string_equal(trail, "");
	assert_non_null(strstr(api_err, "reload refused, nothing changed: "));
	assert_non_null(strstr(api_err, path));

	resp = json_object_new_object();
	write_file(DP);
	assert_int_equal(cp_reload(&cp, resp), -EINVAL);
	json_object_put(resp);
	assert_string_equal(trail, "");
	assert_non_null(strstr(api_err, "no 'turn' group and no 'agw' group"));
	assert_int_equal(cp.stats[CP_STAT_RELOADS_REFUSED], 2);
	assert_int_equal(cp.stats[CP_STAT_RELOADS], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reload_prepares_then_applies_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_failed_prepare_aborts_those_before,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_bad_file_asks_no_module, setup,
						teardown),
	};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/tp_cp_reload.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/tp.conf", dir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	rmdir(dir);
	return rc;
}
