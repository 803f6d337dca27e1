/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/log on real files: a line above the level is not written; a line
 * opens with "<N>" (its syslog priority) only when the stream is the one
 * JOURNAL_STREAM names, as under systemd; errors and warnings go to
 * stderr, the rest to stdout; a line always ends with one newline.
 * What a line's arguments hold cannot make a second line or drive a
 * terminal: tp_esc_log()'s rule byte by byte, tp_log() escaping each
 * line, the Prometheus label escape (tp_esc.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tp_esc.h"
#include "tp_log.h"

static char out_path[64], err_path[64];

/* stdout and stderr to two fresh files; JOURNAL_STREAM as asked. */
static void
redirect(bool journal_out)
{
	struct stat st;
	char js[64];
	int fd;

	snprintf(out_path, sizeof(out_path), "/tmp/tp-log-out.XXXXXX");
	snprintf(err_path, sizeof(err_path), "/tmp/tp-log-err.XXXXXX");
	fd = mkstemp(out_path);
	assert_true(fd >= 0);
	close(fd);
	fd = mkstemp(err_path);
	assert_true(fd >= 0);
	close(fd);
	fflush(stdout);
	fflush(stderr);
	assert_non_null(freopen(out_path, "w", stdout));
	assert_non_null(freopen(err_path, "w", stderr));
	assert_int_equal(stat(out_path, &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	if (journal_out)
		setenv("JOURNAL_STREAM", js, 1);
	else
		setenv("JOURNAL_STREAM", "1:2", 1);   /* some other stream */
	tp_log_init("tp-test");
}

static void
slurp(const char *p, char *buf, size_t len)
{
	FILE *f;
	size_t n;

	fflush(stdout);
	fflush(stderr);
	f = fopen(p, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(p);
}

static void
test_log_level_filters_and_streams(void **state)
{
	char out[512], err[512];

	(void)state;
	redirect(false);
	tp_log_set_level(TP_LOG_INFO);
	tp_log(TP_LOG_DEBUG, "hidden %d", 1);
	tp_log(TP_LOG_INFO, "info %d\n", 2);
	tp_log(TP_LOG_WARNING, "warn");
	tp_log(TP_LOG_ERR, "error");
	tp_log_set_level(TP_LOG_DEBUG);
	tp_log(TP_LOG_DEBUG, "shown");
	tp_log_set_level(TP_LOG_ERR);
	tp_log(TP_LOG_WARNING, "not any more");
	slurp(out_path, out, sizeof(out));
	slurp(err_path, err, sizeof(err));
	assert_string_equal(out, "tp-test: info 2\ntp-test: shown\n");
	assert_string_equal(err, "tp-test: warn\ntp-test: error\n");
	assert_false(tp_log_journal());
}

static void
test_log_journal_stream_gets_priorities(void **state)
{
	char out[512], err[512];

	(void)state;
	redirect(true);
	tp_log_set_level(TP_LOG_DEBUG);
	tp_log(TP_LOG_NOTICE, "ready");
	tp_log(TP_LOG_DEBUG, "detail");
	tp_log(TP_LOG_ERR, "bad");          /* stderr is not the journal's here */
	slurp(out_path, out, sizeof(out));
	slurp(err_path, err, sizeof(err));
	assert_string_equal(out, "<5>tp-test: ready\n<7>tp-test: detail\n");
	assert_string_equal(err, "tp-test: bad\n");
	assert_true(tp_log_journal());
}

static void
test_log_level_names(void **state)
{
	(void)state;
	assert_string_equal(tp_log_level_name(TP_LOG_ERR), "error");
	assert_string_equal(tp_log_level_name(TP_LOG_WARNING), "warning");
	assert_string_equal(tp_log_level_name(TP_LOG_NOTICE), "notice");
	assert_string_equal(tp_log_level_name(TP_LOG_INFO), "info");
	assert_string_equal(tp_log_level_name(TP_LOG_DEBUG), "debug");
	assert_string_equal(tp_log_level_name(9), "?");
}

static void
test_log_long_line_cut_still_ends(void **state)
{
	static char big[5000], out[4096];
	size_t n;

	(void)state;
	redirect(false);
	tp_log_set_level(TP_LOG_INFO);
	memset(big, 'x', sizeof(big) - 1);
	tp_log(TP_LOG_INFO, "%s", big);
	slurp(out_path, out, sizeof(out));
	n = strlen(out);
	assert_true(n > 1000 && n < 2048);
	assert_int_equal(out[n - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + n - 1);   /* one newline */
}

/* tp_esc_log(s) == want */
static void
esc_is(const char *s, size_t len, const char *want)
{
	char out[256];
	size_t n = tp_esc_log(out, sizeof(out), s, len);

	assert_int_equal(n, strlen(want));
	assert_string_equal(out, want);
}

static void
test_esc_log_controls_and_backslash(void **state)
{
	(void)state;
	esc_is("plain text: ok-1.2_3 [x] 'y' \"z\"", 32, "plain text: ok-1.2_3 [x] 'y' \"z\"");
	esc_is("a\nb", 3, "a\\x0ab");
	esc_is("a\r\nturnpike-cp: forged", 22, "a\\x0d\\x0aturnpike-cp: forged");
	esc_is("\x1b[31mred\x1b[0m", 12, "\\x1b[31mred\\x1b[0m");
	esc_is("\t\x01\x7f", 3, "\\x09\\x01\\x7f");
	/* a NUL inside the bytes given is a byte like the others */
	esc_is("a\0b", 3, "a\\x00b");
	/* "\x" in a line is always an escape: a backslash is one too */
	esc_is("\\x0a", 4, "\\x5cx0a");
}

static void
test_esc_log_utf8(void **state)
{
	(void)state;
	/* well-formed UTF-8 as it is: é, €, U+1F600 */
	esc_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
	       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* not UTF-8: each byte escaped (a lone continuation, an overlong
	 * '/', a surrogate, past U+10FFFF, a sequence cut short, 0xff) */
	esc_is("\x80", 1, "\\x80");
	esc_is("\xc0\xaf", 2, "\\xc0\\xaf");
	esc_is("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");
	esc_is("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");
	esc_is("\xe2\x82", 2, "\\xe2\\x82");
	esc_is("\xe2\x82z", 3, "\\xe2\\x82z");
	esc_is("\xff", 1, "\\xff");
	/* well-formed, but acted on: C1 (U+009B, CSI), U+2028, U+2029,
	 * U+202E (RLO), U+2066 (LRI), U+200F (RLM) */
	esc_is("\xc2\x9b" "31m", 5, "\\xc2\\x9b31m");
	esc_is("\xe2\x80\xa8\xe2\x80\xa9", 6, "\\xe2\\x80\\xa8\\xe2\\x80\\xa9");
	esc_is("\xe2\x80\xae", 3, "\\xe2\\x80\\xae");
	esc_is("\xe2\x81\xa6", 3, "\\xe2\\x81\\xa6");
	esc_is("\xe2\x80\x8f", 3, "\\xe2\\x80\\x8f");
	/* their neighbours pass: U+00A0, U+2027, U+202F, U+2065 (unassigned,
	 * still a character), U+206A */
	esc_is("\xc2\xa0\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa", 14,
	       "\xc2\xa0\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
}

static void
test_esc_log_cut_never_inside_an_escape(void **state)
{
	char out[8];
	size_t n;

	(void)state;
	/* "ab\x0a" is 6 bytes; the next escape does not fit in 7 */
	n = tp_esc_log(out, sizeof(out), "ab\n\ncd", 6);
	assert_int_equal(n, 6);
	assert_string_equal(out, "ab\\x0a");
	/* nor a character of 3 bytes into 2 */
	n = tp_esc_log(out, 5, "ab\xe2\x82\xac", 5);
	assert_int_equal(n, 2);
	assert_string_equal(out, "ab");
	assert_int_equal(tp_esc_log(out, 0, "x", 1), 0);
	assert_string_equal(tp_esc_logs(NULL, out, sizeof(out)), "");
	assert_string_equal(tp_esc_logs("a\nb", out, sizeof(out)), "a\\x0ab");
}

static void
test_utf8_len_bounds(void **state)
{
	(void)state;
	assert_int_equal(tp_utf8_len((const unsigned char *)"\xc3\xa9", 2), 2);
	assert_int_equal(tp_utf8_len((const unsigned char *)"\xc3\xa9", 1), 0);
	assert_int_equal(tp_utf8_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(tp_utf8_len((const unsigned char *)"\xf0\x9f\x98\x80", 3), 0);
	assert_int_equal(tp_utf8_len((const unsigned char *)"a", 1), 0);
	assert_int_equal(tp_utf8_len((const unsigned char *)"\xc1\xbf", 2), 0);
}

/* What a door gives reaches the log as one line, its bytes shown:
 * newline, ESC, a C1 CSI, bytes not UTF-8, in an argument and in the
 * format's own text, on both streams and under the journal's prefix. */
static void
test_log_line_escapes_what_it_is_given(void **state)
{
	static const char call_id[] =
		"c1\nturnpike-cp: ng: call forged ends\x1b[2K\r\xc2\x9b" "1A\xff";
	char out[512], err[512];

	(void)state;
	redirect(false);
	tp_log_set_level(TP_LOG_INFO);
	tp_log(TP_LOG_INFO, "ng: call %.64s ends: no media for %u s", call_id, 5u);
	tp_log(TP_LOG_WARNING, "two\nlines? %s\n", "no");
	slurp(out_path, out, sizeof(out));
	slurp(err_path, err, sizeof(err));
	assert_string_equal(out, "tp-test: ng: call c1\\x0aturnpike-cp: ng: call forged "
			    "ends\\x1b[2K\\x0d\\xc2\\x9b1A\\xff ends: no media for 5 s\n");
	assert_string_equal(err, "tp-test: two\\x0alines? no\n");

	redirect(true);
	tp_log(TP_LOG_NOTICE, "label %s", "x\n<3>turnpike-cp: forged");
	slurp(out_path, out, sizeof(out));
	slurp(err_path, err, sizeof(err));
	assert_string_equal(out, "<5>tp-test: label x\\x0a<3>turnpike-cp: forged\n");
}

/* A line of escapes past TP_LOG_LINE_MAX: cut at an escape's end, one
 * newline, at the end. */
static void
test_log_long_escaped_line_cut_still_ends(void **state)
{
	static char nl[1500], out[4096];
	size_t n;

	(void)state;
	redirect(false);
	tp_log_set_level(TP_LOG_INFO);
	memset(nl, '\n', sizeof(nl) - 1);
	tp_log(TP_LOG_INFO, "%s", nl);
	slurp(out_path, out, sizeof(out));
	n = strlen(out);
	assert_true(n > 1000 && n <= TP_LOG_LINE_MAX - 1);
	assert_ptr_equal(strchr(out, '\n'), out + n - 1);   /* one newline */
	/* "tp-test: " then whole escapes */
	assert_int_equal((n - 1 - strlen("tp-test: ")) % 4, 0);
	assert_memory_equal(out + n - 5, "\\x0a", 4);
}

/* prom(v) == want */
static void
prom_is(const char *v, const char *want)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	tp_esc_prom_label(f, v);
	fclose(f);
	assert_string_equal(buf, want);
}

static void
test_esc_prom_label(void **state)
{
	(void)state;
	prom_is("mvno-a", "mvno-a");
	prom_is("a\\b\"c\nd", "a\\\\b\\\"c\\nd");
	/* a forged sample stays inside the value */
	prom_is("x\"} 1\nturnpike_forged 9\n#", "x\\\"} 1\\nturnpike_forged 9\\n#");
	/* UTF-8 as it is, a byte that is not as U+FFFD */
	prom_is("r\xc3\xa9" "alm\xff", "r\xc3\xa9" "alm\xef\xbf\xbd");
	prom_is(NULL, "");
}

/* json-c's text with bytes that are not UTF-8 in a string: each as
 * \u00XX, the rest (UTF-8, json-c's own escapes) as it is. */
static void
test_esc_json_utf8(void **state)
{
	static const char text[] = "{\"u\":\"a\xff\\n\xc3\xa9\xc3\",\"k\":[1,\"\xe2\x82\"]}";
	static const char want[] = "{\"u\":\"a\\u00ff\\n\xc3\xa9\\u00c3\",\"k\":[1,\"\\u00e2\\u0082\"]}";
	char out[128];
	size_t len = sizeof(text) - 1, extra = tp_esc_json_utf8_extra(text, len);

	(void)state;
	assert_int_equal(extra, 4 * 5);
	memset(out, 0, sizeof(out));
	tp_esc_json_utf8(out, text, len);
	assert_int_equal(strlen(out), len + extra);
	assert_string_equal(out, want);
	assert_int_equal(tp_esc_json_utf8_extra("{\"a\":\"\xc3\xa9\"}", 11), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_level_filters_and_streams),
		cmocka_unit_test(test_log_journal_stream_gets_priorities),
		cmocka_unit_test(test_log_level_names),
		cmocka_unit_test(test_log_long_line_cut_still_ends),
		cmocka_unit_test(test_esc_log_controls_and_backslash),
		cmocka_unit_test(test_esc_log_utf8),
		cmocka_unit_test(test_esc_log_cut_never_inside_an_escape),
		cmocka_unit_test(test_utf8_len_bounds),
		cmocka_unit_test(test_log_line_escapes_what_it_is_given),
		cmocka_unit_test(test_log_long_escaped_line_cut_still_ends),
		cmocka_unit_test(test_esc_prom_label),
		cmocka_unit_test(test_esc_json_utf8),
	};

	/* The tests point stdout and stderr at files: cmocka's report of
	 * the later tests lands there, the exit status says the result. */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
