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

/* One line (fmt ends with or without "\n"). */
void tp_log(enum tp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* TP_LOG_H */
