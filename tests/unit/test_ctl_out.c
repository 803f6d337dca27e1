/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ctl/ctl_out.c: the one rule by which turnpikectl prints text that
 * came from elsewhere. C0 controls (ESC among them), DEL and C1 controls,
 * raw (0x80-0x9f) or UTF-8 encoded (0xc2 0x80-0x9f), never reach the
 * terminal; well-formed UTF-8 text passes byte for byte, including
 * characters whose continuation bytes lie in 0x80-0x9f. Checked through
 * all three ways out: ctl_put_safe(), ctl_safe_dup(), ctl_safe_copy(),
 * and a table's cells.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_out.h"

/* What ctl_put_safe() writes for s between "<" and ">". */
static char *
put(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	ctl_put_safe(f, "<", s, ">");
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* s through every way out, each expected to give want. */
static void
expect_safe(const char *s, const char *want)
{
	char framed[256], out[256], *p;

	snprintf(framed, sizeof(framed), "<%s>", want);
	p = put(s);
	assert_string_equal(p, framed);
	free(p);
	p = ctl_safe_dup(s);
	assert_non_null(p);
	assert_string_equal(p, want);
	free(p);
	assert_string_equal(ctl_safe_copy(s, out, sizeof(out)), want);
}

static void
test_ctl_safe_replaces_esc_and_c0(void **state)
{
	(void)state;
	expect_safe("a\x1b[31mred\x1b[0m", "a?[31mred?[0m");
	expect_safe("bell\a\r\n\ttab", "bell????tab");
	expect_safe("\x01\x1f", "??");
}

static void
test_ctl_safe_replaces_del(void **state)
{
	(void)state;
	expect_safe("x\x7fy", "x?y");
}

/* A raw 0x9b is CSI to a terminal that reads 8-bit controls. */
static void
test_ctl_safe_replaces_raw_c1_bytes(void **state)
{
	(void)state;
	expect_safe("x\x9b" "2Jy", "x?2Jy");
	expect_safe("\x80\x85\x9f", "???");
	expect_safe("\x90" "0;title\x9c", "?0;title?");
}

/* U+0080-U+009F as UTF-8: one '?' for the two bytes. */
static void
test_ctl_safe_replaces_utf8_c1(void **state)
{
	(void)state;
	expect_safe("a\xc2\x9b" "2Jb", "a?2Jb");
	expect_safe("\xc2\x80\xc2\x9f", "??");
	/* U+00A0, the first code point after them, is text */
	expect_safe("\xc2\xa0", "\xc2\xa0");
}

static void
test_ctl_safe_passes_valid_utf8(void **state)
{
	(void)state;
	expect_safe("caf\xc3\xa9", "caf\xc3\xa9");             /* é */
	/* continuation bytes in 0x80-0x9f belong to their character */
	expect_safe("\xc4\x81", "\xc4\x81");                   /* ā, U+0101 */
	expect_safe("\xe2\x82\xac" "5", "\xe2\x82\xac" "5");   /* € */
	expect_safe("\xe4\xb8\x80", "\xe4\xb8\x80");           /* 一 */
	expect_safe("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");   /* U+1F600 */
	expect_safe("alice@example.org", "alice@example.org");
}

/* A C1 byte that is not part of a well-formed sequence is replaced; the
 * other bytes of the broken sequence (not controls) pass. */
static void
test_ctl_safe_replaces_c1_in_malformed_utf8(void **state)
{
	(void)state;
	expect_safe("\xc0\x9b", "\xc0?");                       /* overlong ESC */
	expect_safe("\xe0\x80\x9b", "\xe0??");                  /* overlong ESC */
	expect_safe("\xe2\x82", "\xe2?");                       /* cut short */
	expect_safe("\xed\xa0\x80", "\xed\xa0?");               /* a surrogate */
	expect_safe("\xf4\x90\x80\x80", "\xf4???");             /* above U+10FFFF */
	expect_safe("\xc2" "A", "\xc2" "A");                    /* lone lead byte */
	expect_safe("\xe9t\xe9", "\xe9t\xe9");                  /* Latin-1 */
}

static void
test_ctl_safe_null_is_empty(void **state)
{
	char out[4], *p;

	(void)state;
	p = put(NULL);
	assert_string_equal(p, "<>");
	free(p);
	p = ctl_safe_dup(NULL);
	assert_string_equal(p, "");
	free(p);
	assert_string_equal(ctl_safe_copy(NULL, out, sizeof(out)), "");
}

static void
test_ctl_safe_copy_cuts_to_size(void **state)
{
	char out[4];

	(void)state;
	assert_string_equal(ctl_safe_copy("abcdef", out, sizeof(out)), "abc");
	assert_string_equal(ctl_safe_copy("\x1b\x9b\xc2\x9bzz", out, sizeof(out)), "???");
}

static void
test_ctl_table_cells_are_safe(void **state)
{
	const char *head[2] = { "USER", "N" };
	const char *row[2] = { "ev\x1b[2Jil\xc2\x9b\x9b", "7" };
	const char *row2[2] = { "\xc3\xa9", "12" };
	struct ctl_table t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	ctl_table_init(&t, 2, 0x2);
	assert_int_equal(ctl_table_row(&t, head), 0);
	assert_int_equal(ctl_table_row(&t, row), 0);
	assert_int_equal(ctl_table_row(&t, row2), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	ctl_table_print(&t, f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "USER         N\n"
				 "ev?[2Jil??   7\n"
				 "\xc3\xa9          12\n");
	free(buf);
	ctl_table_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctl_safe_replaces_esc_and_c0),
		cmocka_unit_test(test_ctl_safe_replaces_del),
		cmocka_unit_test(test_ctl_safe_replaces_raw_c1_bytes),
		cmocka_unit_test(test_ctl_safe_replaces_utf8_c1),
		cmocka_unit_test(test_ctl_safe_passes_valid_utf8),
		cmocka_unit_test(test_ctl_safe_replaces_c1_in_malformed_utf8),
		cmocka_unit_test(test_ctl_safe_null_is_empty),
		cmocka_unit_test(test_ctl_safe_copy_cuts_to_size),
		cmocka_unit_test(test_ctl_table_cells_are_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
