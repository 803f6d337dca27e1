/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/log: levels, the journal's priority prefix and each line escaped
 * (tp_log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tp_esc.h"
#include "tp_log.h"

static enum tp_log_level cur_level = TP_LOG_INFO;
static const char *prog_name = "";
static bool journal_out, journal_err;

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected; the fd
 * is the journal's only if it still is that one (a redirect in a script
 * started by the unit keeps the variable but not the stream). */
static bool
is_journal(FILE *f, const char *js)
{
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(fileno(f), &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void
tp_log_init(const char *prog)
{
	const char *js = getenv("JOURNAL_STREAM");

	prog_name = prog != NULL ? prog : "";
	journal_out = is_journal(stdout, js);
	journal_err = is_journal(stderr, js);
}

void
tp_log_set_level(enum tp_log_level level)
{
	cur_level = level;
}

enum tp_log_level
tp_log_level(void)
{
	return cur_level;
}

const char *
tp_log_level_name(int level)
{
	switch (level) {
#define TP_LOG_LEVEL(n, v, s) case v: return s;
#include "tp_log_levels.def"
#undef TP_LOG_LEVEL
	default:
		return "?";
	}
}

bool
tp_log_on(enum tp_log_level level)
{
	return level <= cur_level;
}

bool
tp_log_journal(void)
{
	return journal_out || journal_err;
}

void
tp_log(enum tp_log_level level, const char *fmt, ...)
{
	FILE *f = level <= TP_LOG_WARNING ? stderr : stdout;
	bool journal = level <= TP_LOG_WARNING ? journal_err : journal_out;
	char body[TP_LOG_LINE_MAX], line[TP_LOG_LINE_MAX];
	size_t n = 0, blen = 0;
	va_list ap;
	int k;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	k = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (k > 0)
		blen = (size_t)k < sizeof(body) ? (size_t)k : sizeof(body) - 1;
	/* the line's own end is ours to write; any other newline is the
	 * text's, escaped with the rest (tp_esc_log()) */
	if (blen > 0 && body[blen - 1] == '\n')
		blen--;
	/* One write a line: stderr is unbuffered, and a line written in
	 * pieces could meet another thread's. */
	if (journal)
		k = snprintf(line, sizeof(line), "<%d>%s%s", (int)level, prog_name,
			     prog_name[0] != '\0' ? ": " : "");
	else
		k = snprintf(line, sizeof(line), "%s%s", prog_name,
			     prog_name[0] != '\0' ? ": " : "");
	if (k > 0)
		n = (size_t)k < sizeof(line) / 2 ? (size_t)k : sizeof(line) / 2;
	/* (room kept for the newline: a line cut short still ends) */
	n += tp_esc_log(line + n, sizeof(line) - n - 1, body, blen);
	line[n++] = '\n';
	line[n] = '\0';
	fputs(line, f);
}
