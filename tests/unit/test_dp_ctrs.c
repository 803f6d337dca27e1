/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/dp_ctrs.c: the registry of the counters dp publishes to cp. Families
 * keep their registration order and each counter its index; published
 * names are prefix + name; a worker's values land at their family's
 * place; the names and the families reach cp's segment. Registration
 * refuses, without changing the registry, what cp could not show right:
 * a name too long for the segment, outside [a-z0-9_], there twice (across
 * families or within one), a family without help, a help that is not one
 * line of printable ASCII shorter than the segment's field, more counters
 * or families than the segment holds; a family registered again is a
 * no-op. Each counter's help, or "" where its family's says it, and the
 * family's reach the segment.
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

#include "dp_ctrs.h"

/* A worker is opaque to the registry: the families here read a fake. */
struct fake_worker {
	uint64_t a[3];
	uint64_t b[2];
};

static void
a_values(const struct dp_worker *w, uint64_t *out)
{
	const struct fake_worker *f = (const void *)w;

	memcpy(out, f->a, sizeof(f->a));
}

static void
b_values(const struct dp_worker *w, uint64_t *out)
{
	const struct fake_worker *f = (const void *)w;

	memcpy(out, f->b, sizeof(f->b));
}

static const struct dp_ctrs_desc a_desc[] = {
	{ "segments_in", DP_CTRS_COUNTER, NULL },
	{ "segments_out", DP_CTRS_COUNTER, "sent" },
	{ "conns", DP_CTRS_GAUGE, "open now" },
};
static const struct dp_ctrs_family fam_a = {
	.name = "a", .prefix = "", .help = "family a", .desc = a_desc, .n = 3,
	.values = a_values,
};
static const struct dp_ctrs_desc b_desc[] = {
	{ "handshakes", DP_CTRS_COUNTER, NULL },
	{ "conns", DP_CTRS_GAUGE, NULL },       /* b_conns: not a's conns */
};
static const struct dp_ctrs_family fam_b = {
	.name = "b", .prefix = "b_", .help = "family b", .desc = b_desc, .n = 2,
	.values = b_values,
};

static char err[256];

static int
setup(void **state)
{
	(void)state;
	dp_ctrs_reset();
	err[0] = '\0';
	return 0;
}

static void
test_order_names_values(void **state)
{
	struct fake_worker fw = { { 1, 2, 3 }, { 40, 50 } };
	const struct dp_ctrs_family *fam;
	const struct dp_ctrs_desc *d;
	uint64_t v[8];
	unsigned int first = 99;
	char nm[DP_CTRS_NAME_LEN];

	(void)state;
	assert_int_equal(dp_ctrs_register(&fam_a, err, sizeof(err)), 0);
	assert_int_equal(dp_ctrs_register(&fam_b, err, sizeof(err)), 0);
	/* again: a no-op, not a duplicate */
	assert_int_equal(dp_ctrs_register(&fam_a, err, sizeof(err)), 0);
	assert_int_equal(dp_ctrs_count(), 5);
	assert_int_equal(dp_ctrs_nfamilies(), 2);
	assert_ptr_equal(dp_ctrs_family(1, &first), &fam_b);
	assert_int_equal(first, 3);
	assert_null(dp_ctrs_family(2, NULL));

	d = dp_ctrs_get(4, nm, sizeof(nm), &fam);
	assert_non_null(d);
	assert_string_equal(nm, "b_conns");
	assert_ptr_equal(fam, &fam_b);
	assert_int_equal(d->kind, DP_CTRS_GAUGE);
	d = dp_ctrs_get(0, nm, sizeof(nm), NULL);
	assert_string_equal(nm, "segments_in");
	assert_null(d->help);           /* the family's says it */
	assert_null(dp_ctrs_get(5, nm, sizeof(nm), NULL));

	memset(v, 0xff, sizeof(v));
	assert_int_equal(dp_ctrs_values((const struct dp_worker *)(const void *)&fw, v, 8), 5);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[2], 3);
	assert_int_equal(v[3], 40);
	assert_int_equal(v[4], 50);
	assert_true(v[5] == UINT64_MAX);   /* nothing past the count */
	/* a shorter room takes the first ones, and nothing beyond */
	memset(v, 0xff, sizeof(v));
	assert_int_equal(dp_ctrs_values((const struct dp_worker *)(const void *)&fw, v, 4), 4);
	assert_int_equal(v[3], 40);
	assert_true(v[4] == UINT64_MAX);
}

static void
test_publish(void **state)
{
	struct ipc_shm *shm = calloc(1, sizeof(*shm));

	(void)state;
	assert_non_null(shm);
	assert_int_equal(dp_ctrs_register(&fam_a, err, sizeof(err)), 0);
	assert_int_equal(dp_ctrs_register(&fam_b, err, sizeof(err)), 0);
	dp_ctrs_publish(shm);
	assert_int_equal(shm->dp_ntcp, 5);
	assert_string_equal(shm->dp_tcp_names[0], "segments_in");
	assert_string_equal(shm->dp_tcp_names[2], "conns");
	assert_string_equal(shm->dp_tcp_names[3], "b_handshakes");
	assert_int_equal(shm->dp_nfamilies, 2);
	assert_string_equal(shm->dp_families[1].name, "b");
	assert_int_equal(shm->dp_families[1].first, 3);
	assert_int_equal(shm->dp_families[1].count, 2);
	assert_int_equal(shm->dp_families[1].prefix_len, 2);
	assert_int_equal(shm->dp_families[0].prefix_len, 0);
	/* help: the counter's own, "" where the family's says it */
	assert_string_equal(shm->dp_tcp_help[0], "");
	assert_string_equal(shm->dp_tcp_help[1], "sent");
	assert_string_equal(shm->dp_tcp_help[2], "open now");
	assert_string_equal(shm->dp_tcp_help[3], "");
	assert_string_equal(shm->dp_families[0].help, "family a");
	assert_string_equal(shm->dp_families[1].help, "family b");
	free(shm);
}

/* f refused with rc, err naming what, and the registry as it was */
static void
refused(const struct dp_ctrs_family *f, int rc, const char *what)
{
	unsigned int n = dp_ctrs_count(), nf = dp_ctrs_nfamilies();

	err[0] = '\0';
	if (dp_ctrs_register(f, err, sizeof(err)) != rc)
		fail_msg("%s: not refused with %d (%s)", what, rc, err);
	if (strstr(err, what) == NULL)
		fail_msg("'%s' does not name '%s'", err, what);
	assert_int_equal(dp_ctrs_count(), n);
	assert_int_equal(dp_ctrs_nfamilies(), nf);
}

static void
test_refused(void **state)
{
	static const struct dp_ctrs_desc longn[] = {
		{ "ok", DP_CTRS_COUNTER, NULL },
		{ "a_name_that_is_twenty_nine_ch", DP_CTRS_COUNTER, NULL },  /* 29 + "b_" = 31 */
		{ "a_name_that_is_thirty_chars_xy", DP_CTRS_COUNTER, NULL },
	};
	static const struct dp_ctrs_desc fits[] = {
		{ "a_name_that_is_twenty_nine_ch", DP_CTRS_COUNTER, NULL },
	};
	static const struct dp_ctrs_desc upper[] = { { "Bytes", DP_CTRS_COUNTER, NULL } };
	static const struct dp_ctrs_desc empty[] = { { "", DP_CTRS_COUNTER, NULL } };
	static const struct dp_ctrs_desc twice[] = {
		{ "x", DP_CTRS_COUNTER, NULL }, { "x", DP_CTRS_COUNTER, NULL },
	};
	static const struct dp_ctrs_desc clash[] = { { "handshakes", DP_CTRS_COUNTER, NULL } };
	static const struct dp_ctrs_desc badkind[] = { { "y", (enum dp_ctrs_kind)7, NULL } };
	static const struct dp_ctrs_desc nohelp[] = { { "z", DP_CTRS_COUNTER, "" } };
	static const struct dp_ctrs_desc twolines[] = { { "z", DP_CTRS_COUNTER, "one\ntwo" } };
	static const struct dp_ctrs_desc ctrl[] = { { "z", DP_CTRS_COUNTER, "tab\there" } };
	static const struct dp_ctrs_desc high[] = { { "z", DP_CTRS_COUNTER, "caf\xc3\xa9" } };
	static char longh[DP_CTRS_HELP_LEN + 1], fitsh[DP_CTRS_HELP_LEN];
	struct dp_ctrs_desc longhelp[] = { { "z", DP_CTRS_COUNTER, longh } };
	struct dp_ctrs_desc fitshelp[] = { { "z", DP_CTRS_COUNTER, fitsh } };
	struct dp_ctrs_family f = fam_b, c, e;

	(void)state;
	assert_int_equal(dp_ctrs_register(&fam_a, err, sizeof(err)), 0);
	assert_int_equal(dp_ctrs_register(&fam_b, err, sizeof(err)), 0);

	f.name = "c"; f.prefix = "c_";
	f.desc = longn; f.n = 3;
	refused(&f, -E2BIG, "a_name_that_is_thirty_chars_xy");
	/* (kept by reference: another struct from here on) */
	c = f;
	c.desc = fits; c.n = 1;
	assert_int_equal(dp_ctrs_register(&c, err, sizeof(err)), 0);   /* 31: fits */
	assert_int_equal(dp_ctrs_count(), 6);

	f = fam_b;
	f.name = "d"; f.prefix = "d_";
	f.desc = upper; f.n = 1;
	refused(&f, -EINVAL, "d_Bytes");
	f.prefix = ""; f.desc = empty;
	refused(&f, -EINVAL, "family 'd'");
	f.prefix = "d_"; f.desc = twice; f.n = 2;
	refused(&f, -EEXIST, "d_x");
	/* another family's published name: b_handshakes */
	f.prefix = "b_"; f.desc = clash; f.n = 1;
	refused(&f, -EEXIST, "b_handshakes");
	f.prefix = "d_"; f.desc = badkind;
	refused(&f, -EINVAL, "d_y");
	f.desc = nohelp;
	refused(&f, -EINVAL, "d_z");
	/* a help cp could not show as one line of the metrics' text */
	f.desc = twolines;
	refused(&f, -EINVAL, "d_z");
	f.desc = ctrl;
	refused(&f, -EINVAL, "d_z");
	f.desc = high;
	refused(&f, -EINVAL, "d_z");
	memset(longh, 'h', DP_CTRS_HELP_LEN);
	f.desc = longhelp;
	refused(&f, -EINVAL, "d_z");
	f.desc = clash; f.help = NULL;
	refused(&f, -EINVAL, "family 'd'");
	f.help = "two\nlines";
	refused(&f, -EINVAL, "family 'd'");
	f.help = longh;
	refused(&f, -EINVAL, "family 'd'");
	f.help = "h"; f.name = "Bad";
	refused(&f, -EINVAL, "Bad");
	/* the longest help the segment holds */
	memset(fitsh, 'h', DP_CTRS_HELP_LEN - 1);
	e = fam_b;
	e.name = "e"; e.prefix = "e_"; e.desc = fitshelp; e.n = 1; e.help = fitsh;
	assert_int_equal(dp_ctrs_register(&e, err, sizeof(err)), 0);
	assert_int_equal(dp_ctrs_count(), 7);
}

static char many_names[DP_CTRS_MAX + 1][12];
static struct dp_ctrs_desc many_desc[DP_CTRS_MAX + 1];

static void
zero_values(const struct dp_worker *w, uint64_t *out)
{
	(void)w;
	(void)out;
}

static void
test_too_many(void **state)
{
	struct dp_ctrs_family f = {
		.name = "many", .prefix = "m_", .help = "many", .desc = many_desc,
		.values = zero_values,
	};
	static struct dp_ctrs_family fams[DP_CTRS_FAMILIES_MAX + 1];
	static char fnames[DP_CTRS_FAMILIES_MAX + 1][8];

	(void)state;
	for (unsigned int i = 0; i <= DP_CTRS_MAX; i++) {
		snprintf(many_names[i], sizeof(many_names[i]), "c%u", i);
		many_desc[i] = (struct dp_ctrs_desc){ many_names[i], DP_CTRS_COUNTER, NULL };
	}
	assert_int_equal(dp_ctrs_register(&fam_a, err, sizeof(err)), 0);
	/* the segment's room less a's 3, and one more */
	f.n = DP_CTRS_MAX - 3 + 1;
	refused(&f, -E2BIG, "IPC_DP_TCP_MAX");
	f.n = DP_CTRS_MAX - 3;
	assert_int_equal(dp_ctrs_register(&f, err, sizeof(err)), 0);
	assert_int_equal(dp_ctrs_count(), DP_CTRS_MAX);

	dp_ctrs_reset();
	assert_int_equal(dp_ctrs_count(), 0);
	for (unsigned int i = 0; i <= DP_CTRS_FAMILIES_MAX; i++) {
		snprintf(fnames[i], sizeof(fnames[i]), "f%u", i);
		fams[i] = (struct dp_ctrs_family){ .name = fnames[i], .prefix = fnames[i],
			.help = "one", .desc = many_desc, .n = 1, .values = zero_values };
		if (i < DP_CTRS_FAMILIES_MAX)
			assert_int_equal(dp_ctrs_register(&fams[i], err, sizeof(err)), 0);
	}
	refused(&fams[DP_CTRS_FAMILIES_MAX], -E2BIG, "IPC_DP_FAMILIES_MAX");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_order_names_values, setup),
		cmocka_unit_test_setup(test_publish, setup),
		cmocka_unit_test_setup(test_refused, setup),
		cmocka_unit_test_setup(test_too_many, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
