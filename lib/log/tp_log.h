/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/log: a process's log lines, each at a level (error, warning,
 * notice, info, debug: syslog's priorities 3-7). Lines above the current
 * level are not written; error and warning go to stderr, the rest to
 * stdout. Under systemd, when stderr or stdout is the journal's stream
 * (JOURNAL_STREAM names its device and inode, systemd.exec(5)), each line
 * opens with "<N>" (sd-daemon(3)), which the journal takes as the line's
 * priority: `journalctl -p warning` shows warnings and errors only.
 * One thread writes (cp's loop); the level is a plain variable.
 *
 * A line is one line whatever its arguments hold: tp_log() runs the text
 * it formatted through tp_esc_log() (tp_esc.h), so a call-id, a label, an
 * error text or a configuration value with a newline, an ESC or bytes
 * that are not UTF-8 shows them as \xNN and cannot write a line of its
 * own. The price: a format's own newline, tab or backslash is escaped
 * too, save the one that ends it; two lines are two calls.
 */
#ifndef TP_LOG_H
#define TP_LOG_H

#include <stdbool.h>

enum tp_log_level {
#define TP_LOG_LEVEL(n, v, s) TP_LOG_##n = v,
#include "tp_log_levels.def"
#undef TP_LOG_LEVEL
};

/* prog opens every line ("turnpike-cp: "); JOURNAL_STREAM is read here. */
void tp_log_init(const char *prog);
void tp_log_set_level(enum tp_log_level level);
enum tp_log_level tp_log_level(void);
/* "error" ... "debug"; "?" for a number that is none. */
const char *tp_log_level_name(int level);
/* Is a line at this level written now? (to skip building one) */
bool tp_log_on(enum tp_log_level level);
/* Whether stdout / stderr are the journal's (for tests and status). */
bool tp_log_journal(void);

/* The most a line holds, prefix and newline included; longer text is cut
 * (never inside an escape) and the line still ends. */
#define TP_LOG_LINE_MAX 2048

/* One line (fmt ends with or without "\n"), escaped (above). */
void tp_log(enum tp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* TP_LOG_H */
