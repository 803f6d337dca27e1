/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/conf: both example files load; defaults apply; every kind of error
 * names the file and the line and says what is wrong; prefixes parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tp_conf.h"

static struct tp_conf c;
static char path[256], err[512];

static const char *good =
	"dp = {\n"
	"  eal = [\"-l\", \"0\"];\n"
	"  ports = ({ name = \"a\"; dev = \"net_null0\"; roles = [\"access\"];\n"
	"             ipv4 = \"192.0.2.1/24\"; });\n"
	"};\n";

static int
load_text(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/tp-test-conf-%d.conf", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return tp_conf_load(path, &c, err, sizeof(err));
}

static int
teardown(void **state)
{
	(void)state;
	tp_conf_free(&c);
	unlink(path);
	return 0;
}

static void
test_conf_examples_load(void **state)
{
	const char *src = getenv("TP_SRC");
	const char *files[] = { "conf/demo.conf", "conf/carrier.conf" };

	(void)state;
	if (src == NULL)
		fail_msg("TP_SRC is not set: run through meson test");
	for (size_t i = 0; i < 2; i++) {
		char p[512];

		snprintf(p, sizeof(p), "%s/%s", src, files[i]);
		if (tp_conf_load(p, &c, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(c.dp.nports, 2);
		assert_true(c.turn.enabled);
		tp_conf_free(&c);
	}
	snprintf(path, sizeof(path), "%s/conf/demo.conf", src);
	assert_int_equal(tp_conf_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.dp.ports[0].dev, "net_tap0,iface=tp-access");
	assert_int_equal(c.dp.ports[0].ip4[0], 10);
	assert_int_equal(c.dp.ports[1].roles, TP_ROLE_CORE);
	assert_string_equal(c.turn.realm, "turnpike.demo");
	assert_int_equal(c.cp.nusers, 1);
	path[0] = '\0';
}

static void
test_conf_defaults_apply(void **state)
{
	(void)state;
	assert_int_equal(load_text(good), 0);
	assert_int_equal(c.dp.nworkers, 1);
	assert_int_equal(c.dp.mbufs_per_worker, 8191);
	assert_int_equal(c.dp.ports[0].mtu, 1500);
	assert_int_equal(c.dp.ports[0].plen4, 24);
	assert_false(c.dp.ports[0].impair.enabled);
	assert_int_equal(c.dp.eal_argc, 3);
	assert_string_equal(c.dp.eal_argv[0], "turnpike-dp");
	assert_null(c.dp.eal_argv[3]);
	assert_false(c.turn.enabled);
	assert_int_equal(c.cp.lifetime_default_s, 600);
	assert_int_equal(c.turn.relay_min, 49152);
}

struct bad {
	const char *text;
	int line;
	const char *why;
};

static void
test_conf_errors_name_file_line_and_why(void **state)
{
	static const struct bad cases[] = {
		{ "dp = {\n  workers = [0\n};\n", 3, "" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"x\"; roles = [\"access\"];\n"
		  "    ipv4 = \"10.0.0.1/33\"; });\n};\n", 3, "prefix length must be 0..32" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"x\"; roles = [\"edge\"];\n"
		  "    ipv4 = \"10.0.0.1/24\"; });\n};\n", 2, "unknown role 'edge'" },
		{ "dp = {\n  wrokers = [0];\n  ports = ();\n};\n", 2, "unknown setting 'wrokers'" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"x\"; roles = [\"access\"]; });\n};\n",
		  2, "needs an ipv4 or an ipv6 address" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"x\"; roles = [\"access\"];\n"
		  "    ipv4 = \"10.0.0.1/24\"; gateway4 = \"10.0.1.1\"; });\n};\n", 3,
		  "not inside the port's IPv4 prefix" },
		{ "dp = {\n  workers = [0, 0];\n  ports = ();\n};\n", 2, "listed twice" },
		{ "dp = {\n  idle_sleep_max_us = \"x\";\n};\n", 2, "must be an integer" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"x\"; roles = [\"access\"];\n"
		  "    ipv4 = \"10.0.0.1/24\"; mtu = 99999; });\n};\n", 3, "out of range" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"x\"; roles = [\"access\"];\n"
		  "    ipv4 = \"10.0.0.1/24\"; impair = { loss = 2.0; }; });\n};\n", 3,
		  "must lie in 0..1" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"x\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
		  "           { name = \"a\"; dev = \"y\"; roles = [\"core\"]; ipv4 = \"10.0.1.1/24\"; });\n};\n",
		  3, "defined twice" },
	};
	char want[300];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load_text(cases[i].text), -EINVAL);
		snprintf(want, sizeof(want), "%s:%d: ", path, cases[i].line);
		if (strncmp(err, want, strlen(want)) != 0 || strstr(err, cases[i].why) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s...%s\"", i, err, want,
				 cases[i].why);
		tp_conf_free(&c);
	}
	snprintf(path, sizeof(path), "/nonexistent/tp.conf");
	assert_int_equal(tp_conf_load(path, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/tp.conf: cannot open"));
	path[0] = '\0';
}

static void
test_conf_parse_prefix(void **state)
{
	uint8_t a[16], plen = 0;

	(void)state;
	assert_int_equal(tp_conf_parse_prefix("10.200.0.1/24", a, &plen), 4);
	assert_int_equal(plen, 24);
	assert_int_equal(a[1], 200);
	assert_int_equal(tp_conf_parse_prefix("fd00:200::1/64", a, &plen), 6);
	assert_int_equal(plen, 64);
	assert_int_equal(a[0], 0xfd);
	assert_int_equal(tp_conf_parse_prefix("10.0.0.1", a, NULL), 4);
	assert_int_equal(tp_conf_parse_prefix("10.0.0.1/", a, &plen), -EINVAL);
	assert_int_equal(tp_conf_parse_prefix("10.0.0.1/33", a, &plen), -EINVAL);
	assert_int_equal(tp_conf_parse_prefix("::1/129", a, &plen), -EINVAL);
	assert_int_equal(tp_conf_parse_prefix("nonsense/8", a, &plen), -EINVAL);
	assert_int_equal(tp_conf_parse_prefix("10.0.0.1/8", a, NULL), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_conf_examples_load, teardown),
		cmocka_unit_test_teardown(test_conf_defaults_apply, teardown),
		cmocka_unit_test_teardown(test_conf_errors_name_file_line_and_why, teardown),
		cmocka_unit_test(test_conf_parse_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
