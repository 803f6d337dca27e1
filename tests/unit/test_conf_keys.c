/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/conf's table of settings and their reload classes (tp_conf_keys.c):
 * every name a group's reader accepts has a row, every row names a setting
 * its group accepts, and each row says how a reload treats it (a live one
 * who applies it, one needing a restart how it is compared); a reload's
 * list of what needs a restart (tp_conf_restart_diff(), cp/reload.c) names
 * a changed iq setting and turn.listen_tcp, once each, and nothing for a
 * file that only moved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tp_conf.h"
#include "tp_conf_keys.h"

static bool
accepted(const char *group, const char *name)
{
	const char *const *names = tp_conf_group_names(group);

	if (name[0] == '\0')
		return true;
	for (; names != NULL && *names != NULL; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

static const struct tp_conf_key *
row_of(const char *group, const char *name)
{
	for (unsigned int i = 0; i < tp_conf_nkeys; i++)
		if (strcmp(tp_conf_keys[i].group, group) == 0 &&
		    strcmp(tp_conf_keys[i].name, name) == 0)
			return &tp_conf_keys[i];
	return NULL;
}

static const struct tp_conf_key *
row_labelled(const char *label)
{
	for (unsigned int i = 0; i < tp_conf_nkeys; i++)
		if (tp_conf_keys[i].cmp != TP_CONF_CMP_AS &&
		    strcmp(tp_conf_keys[i].label, label) == 0)
			return &tp_conf_keys[i];
	return NULL;
}

/* Every setting a group accepts has its class in the table. */
static void
test_every_key_has_a_class(void **state)
{
	unsigned int n = 0;

	(void)state;
	for (const char *const *g = tp_conf_groups; *g != NULL; g++) {
		const char *const *names = tp_conf_group_names(*g);

		if (names == NULL)
			fail_msg("group %s: no list of the names it accepts", *g);
		for (; *names != NULL; names++, n++)
			if (row_of(*g, *names) == NULL)
				fail_msg("%s.%s: no reload class in lib/conf/tp_conf_keys.c", *g,
					 *names);
	}
	assert_true(n > 100);
}

/* Every row is a setting its group accepts, and says how it is treated. */
static void
test_every_row_is_a_setting(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < tp_conf_nkeys; i++) {
		const struct tp_conf_key *k = &tp_conf_keys[i], *o;

		if (tp_conf_group_names(k->group) == NULL || !accepted(k->group, k->name))
			fail_msg("row %u: %s.%s is no setting lib/conf reads", i, k->group,
				 k->name);
		assert_non_null(k->label);
		if (k->reload == TP_CONF_LIVE) {
			/* who applies it, and no comparison of the table's */
			if (k->note == NULL || k->cmp != TP_CONF_CMP_NONE)
				fail_msg("%s.%s: live, without what applies it", k->group,
					 k->name);
			continue;
		}
		assert_non_null(tp_conf_reload_who(k->reload));
		switch (k->cmp) {
		case TP_CONF_CMP_NONE:
			fail_msg("%s.%s: needs a restart, compared how?", k->group, k->name);
			break;
		case TP_CONF_CMP_FN:
			assert_non_null(k->same);
			break;
		case TP_CONF_CMP_AS:
			/* read into another's field: that one is compared, and
			 * needs the same restart */
			o = row_labelled(k->as);
			if (o == NULL || o->reload != k->reload)
				fail_msg("%s.%s: as '%s', which is no row of its class", k->group,
					 k->name, k->as);
			break;
		default:
			assert_true(k->size > 0 && k->off + k->size <= sizeof(struct tp_conf));
			break;
		}
		/* a label said once stands for one class */
		o = row_labelled(k->label);
		if (k->cmp != TP_CONF_CMP_AS && o->reload != k->reload)
			fail_msg("'%s': two classes under one label", k->label);
		/* a group's own row comes before its settings */
		if (k->name[0] == '\0')
			for (unsigned int j = 0; j < i; j++)
				if (strcmp(tp_conf_keys[j].group, k->group) == 0)
					fail_msg("%s: the group's row after its settings", k->group);
	}
}

static char dir[64];

static void
load(const char *name, const char *text, struct tp_conf *c)
{
	char path[128], err[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	if (tp_conf_load(path, c, err, sizeof(err)) < 0)
		fail_msg("%s: %s", name, err);
}

struct said {
	char lines[16][400];
	unsigned int n;
};

static void
say(void *arg, const char *line)
{
	struct said *s = arg;

	assert_true(s->n < 16);
	snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s", line);
}

static bool
has(const struct said *s, const char *line)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (strcmp(s->lines[i], line) == 0)
			return true;
	return false;
}

#define DP "dp = { ports = ({ name = \"a\"; dev = \"net_null0\"; roles = [\"access\"]; " \
	   "ipv4 = \"10.0.0.1/24\"; }); };\n"
#define IQ(rate) "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = " \
		 "[\"192.0.2.20:2944\"]; max_rate = " rate "; };\n"

/* A reload that changes iq.* and turn.listen_tcp: each needs a restart
 * and is said so; what did not change is not. */
static void
test_restart_names_iq_and_listen_tcp(void **state)
{
	static struct tp_conf a, b;
	struct said s = { .n = 0 };

	(void)state;
	load("a.conf", DP "turn = { realm = \"r\"; };\n" IQ("500"), &a);
	load("b.conf", DP "turn = { realm = \"r\"; listen_tcp = [3478, 3479]; };\n" IQ("20"),
	     &b);
	tp_conf_restart_diff(&a, &b, say, &s);
	for (unsigned int i = 0; i < s.n; i++)
		printf("# %s\n", s.lines[i]);
	assert_true(has(&s, "turn.listen_tcp (restart turnpike-dp)"));
	assert_true(has(&s, "iq.max_rate 500 -> 20 (restart turnpike-cp)"));
	assert_int_equal(s.n, 2);
	tp_conf_free(&b);

	/* the iq group gone: said once, not each of its settings */
	s.n = 0;
	load("b.conf", DP "turn = { realm = \"r\"; };\nagw = { };\n", &b);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "the iq group 1 -> 0 (restart turnpike-cp)");
	tp_conf_free(&b);

	/* the same settings elsewhere in the file: nothing */
	s.n = 0;
	load("b.conf", "\n\n" IQ("500") "turn = { realm = \"r\"; };\n\n" DP, &b);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 0);
	tp_conf_free(&b);
	tp_conf_free(&a);
}

#define NG(rest) "agw = { media_ports = [30000, 39999]; };\nng = { listen = " \
		  "\"127.0.0.1:2223\"; " rest " };\n"

/* A reload that changes the ng group's lists and numbers: each needs cp
 * restarted and is said so; the same lists elsewhere in the file are not. */
static void
test_restart_names_ng(void **state)
{
	static struct tp_conf a, b;
	struct said s = { .n = 0 };

	(void)state;
	load("a.conf", DP NG("allow = [\"10.0.0.0/8\"];"), &a);
	load("b.conf", DP NG("allow = [\"10.0.0.0/8\", \"::1\"]; max_rate = 20;\n"
			     "access = [\"ue\"]; core = [\"ims\"]; delete_delay = 5;\n"
			     "reply_cache_time = 2; pass_through = [\"TCP/MSRP\"];"), &b);
	tp_conf_restart_diff(&a, &b, say, &s);
	for (unsigned int i = 0; i < s.n; i++)
		printf("# %s\n", s.lines[i]);
	assert_true(has(&s, "ng.allow (restart turnpike-cp)"));
	assert_true(has(&s, "ng.max_rate 1000 -> 20 (restart turnpike-cp)"));
	assert_true(has(&s, "ng.delete_delay 0 -> 5 (restart turnpike-cp)"));
	assert_true(has(&s, "ng.reply_cache_time 30 -> 2 (restart turnpike-cp)"));
	assert_true(has(&s, "ng.access (restart turnpike-cp)"));
	assert_true(has(&s, "ng.core (restart turnpike-cp)"));
	assert_true(has(&s, "ng.pass_through (restart turnpike-cp)"));
	assert_int_equal(s.n, 7);
	tp_conf_free(&b);

	s.n = 0;
	load("b.conf", DP "\n\n" NG("\n allow = [\"10.0.0.0/8\"];"), &b);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 0);
	tp_conf_free(&b);
	tp_conf_free(&a);
}

/* Settings of many fields (a port list, the dp group, tenants) are said
 * once under their label. */
static void
test_restart_says_a_label_once(void **state)
{
	static struct tp_conf a, b;
	struct said s = { .n = 0 };

	(void)state;
	load("a.conf", "dp = { workers = [0]; ports = ({ name = \"a\"; dev = \"net_null0\"; "
	     "roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; }); };\nturn = { realm = \"r\"; };\n",
	     &a);
	load("b.conf", "dp = { workers = [0, 1]; mbufs_per_worker = 4095; ports = ({ name = "
	     "\"a\"; dev = \"net_null0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; }); };\n"
	     "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n", &b);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 3);
	assert_true(has(&s, "the dp group (restart turnpike-dp)"));
	assert_true(has(&s, "turn.relay_ports (first) 49152 -> 50000 "
			"(restart turnpike-cp and turnpike-dp)"));
	assert_true(has(&s, "turn.relay_ports (last) 65535 -> 50999 "
			"(restart turnpike-cp and turnpike-dp)"));
	tp_conf_free(&b);
	tp_conf_free(&a);
}

#define HA_BOX "turn = { realm = \"r\"; };\ncluster = { redis = [\"127.0.0.1:6379\"]; " \
	       "box = \"a\"; share = [\"users\"]; };\n"
#define HA(rest) "ha = { pair = \"p\"; peer = \"192.0.2.2:7400\"; listen = " \
		 "\"192.0.2.1:7400\"; key_file = \"/k\"; " rest " };\n"

/* The pair: the group added or removed needs both restarted (dp holds
 * its addresses back only with it); a setting of it cp; a group that
 * only moved in the file nothing. */
static void
test_restart_names_ha(void **state)
{
	static struct tp_conf a, b;
	struct said s = { .n = 0 };

	(void)state;
	load("a.conf", DP HA_BOX, &a);
	load("b.conf", DP HA_BOX HA(""), &b);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "the ha group added or removed "
			    "(restart turnpike-cp and turnpike-dp)");
	tp_conf_free(&a);

	s.n = 0;
	load("a.conf", DP HA_BOX HA("lease_ms = 500; role = \"standby\";"), &a);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "the ha group (restart turnpike-cp)");
	tp_conf_free(&a);

	s.n = 0;
	load("a.conf", DP HA_BOX "\n\n" HA("\n"), &a);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 0);
	tp_conf_free(&b);
	tp_conf_free(&a);
}

#define LI(rest) "li = { ne_id = \"n\"; x1 = { listen = \"192.0.2.1:4443\"; cert = \"/c\"; " \
	"key = \"/k\"; client_ca = \"/ca\"; admf_id = \"a\"; " rest " }; x2x3 = { cert = " \
	"\"/c2\"; key = \"/k2\"; ca = \"/ca2\"; }; };\n"

/* Lawful interception: the group added or removed needs both restarted
 * (dp delivers with x2x3), an x1 setting cp, an x2x3 one dp. */
static void
test_restart_names_li(void **state)
{
	static struct tp_conf a, b;
	struct said s = { .n = 0 };

	(void)state;
	load("a.conf", DP, &a);
	load("b.conf", DP LI(""), &b);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "the li group added or removed "
			    "(restart turnpike-cp and turnpike-dp)");
	tp_conf_free(&a);

	s.n = 0;
	load("a.conf", DP LI("schemas = \"/xsd\";"), &a);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "the li group (restart turnpike-cp)");
	tp_conf_free(&a);

	s.n = 0;
	load("a.conf", DP "li = { ne_id = \"n\"; x1 = { listen = \"192.0.2.1:4443\"; cert = "
	     "\"/c\"; key = \"/k\"; client_ca = \"/ca\"; admf_id = \"a\"; }; x2x3 = { cert = "
	     "\"/c2\"; key = \"/k2\"; ca = \"/other\"; }; };\n", &a);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "li.x2x3 (restart turnpike-dp)");
	tp_conf_free(&a);

	s.n = 0;
	load("a.conf", DP "\n\n" LI("\n"), &a);
	tp_conf_restart_diff(&a, &b, say, &s);
	assert_int_equal(s.n, 0);
	tp_conf_free(&b);
	tp_conf_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_has_a_class),
		cmocka_unit_test(test_every_row_is_a_setting),
		cmocka_unit_test(test_restart_names_iq_and_listen_tcp),
		cmocka_unit_test(test_restart_names_ng),
		cmocka_unit_test(test_restart_says_a_label_once),
		cmocka_unit_test(test_restart_names_ha),
		cmocka_unit_test(test_restart_names_li),
	};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/tp_conf_keys.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	for (const char *f = "a.conf\0b.conf\0"; *f != '\0'; f += strlen(f) + 1) {
		char p[128];

		snprintf(p, sizeof(p), "%s/%s", dir, f);
		unlink(p);
	}
	rmdir(dir);
	return rc;
}
