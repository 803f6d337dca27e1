/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/log on real files: a line above the level is not written; a line
 * opens with "<N>" (its syslog priority) only when the stream is the one
 * JOURNAL_STREAM names, as under systemd; errors and warnings go to
 * stderr, the rest to stdout; a line always ends with one newline.
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_level_filters_and_streams),
		cmocka_unit_test(test_log_journal_stream_gets_priorities),
		cmocka_unit_test(test_log_level_names),
		cmocka_unit_test(test_log_long_line_cut_still_ends),
	};

	/* The tests point stdout and stderr at files: cmocka's report of
	 * the later tests lands there, the exit status says the result. */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
