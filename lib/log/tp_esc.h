/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/log's escapes: the form a string from outside (a door's, a client's,
 * a file's, Redis's) takes in each text output turnpike writes, one
 * function per output's rule, so that no byte it holds can end a line,
 * start a forged one or drive the terminal that shows it.
 *
 *   - a log line (tp_log() runs every line through tp_esc_log(), so a %s
 *     is safe whatever it holds);
 *   - a Prometheus label value (the text exposition format's own three
 *     escapes);
 *   - well-formed UTF-8 (RFC 3629), which the others, turnpikectl's
 *     terminal-safe text (cp/ctl/ctl_out.c) and the usage records' JSON
 *     (cp/acct/acct_record.c) let through.
 *
 *   - JSON text json-c wrote: json-c escapes quotes, backslashes and
 *     control bytes, but copies a string's other bytes as they are, so
 *     a byte that is not UTF-8 (a REST username's, a call-id's) would
 *     make the text one a strict reader refuses (RFC 8259 §8.1);
 *     tp_esc_json_utf8() writes each such byte as \u00XX, as cp/acct's
 *     records do.
 */
#ifndef TP_ESC_H
#define TP_ESC_H

#include <stddef.h>
#include <stdio.h>

/*
 * The length of the well-formed UTF-8 sequence of two to four bytes at p
 * (RFC 3629 §4's table: no overlong form, no surrogate, nothing past
 * U+10FFFF), or 0 when p does not start one. n: the bytes there are at p
 * (a NUL is never a continuation byte, so a NUL-terminated string may pass
 * its strlen() or more).
 */
size_t tp_utf8_len(const unsigned char *p, size_t n);

/*
 * The log line's form of the len bytes at s into out (size bytes, NUL
 * terminated when size > 0): printable ASCII and well-formed UTF-8 as they
 * are; as \xNN (two lower-case hex digits), each byte of: the C0 controls
 * (newline, carriage return and ESC among them), DEL, the backslash
 * (so that "\x" in a line is always an escape), a byte that is not part of
 * well-formed UTF-8, and the code points a terminal or a log viewer acts
 * on: the C1 controls (U+0080-U+009F), U+2028 and U+2029 (line and
 * paragraph separators), the bidirectional marks, embeddings, overrides
 * and isolates (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069). Cut to
 * what fits, never inside an escape or a character. Returns the bytes
 * written (without the NUL).
 */
size_t tp_esc_log(char *out, size_t size, const char *s, size_t len);

/* tp_esc_log() of the NUL-terminated s (NULL: "") into out; returns out:
 * for a %s that is not tp_log()'s (a line printed by other means). */
const char *tp_esc_logs(const char *s, char *out, size_t size);

/*
 * v (NULL: "") as a label value of Prometheus's text exposition format
 * (0.0.4, "Text format details"), between the quotes, onto f: backslash
 * as \\, double quote as \", line feed as \n; a byte that is not part of
 * well-formed UTF-8 (the format is UTF-8) as U+FFFD; everything else as
 * it is.
 */
void tp_esc_prom_label(FILE *f, const char *v);

/*
 * JSON text (len bytes, json-c's output) as UTF-8: how many bytes
 * tp_esc_json_utf8() adds to it (5 for each byte that is not part of
 * well-formed UTF-8); 0: it is UTF-8 already, nothing to do.
 */
size_t tp_esc_json_utf8_extra(const char *text, size_t len);

/*
 * text (len bytes) into out (len + tp_esc_json_utf8_extra() bytes, no NUL
 * added), each byte that is not part of well-formed UTF-8 as \u00XX, the
 * code point of the byte's value. JSON's syntax outside strings is ASCII,
 * so such a byte is inside a string, where the escape is one character.
 */
void tp_esc_json_utf8(char *out, const char *text, size_t len);

#endif /* TP_ESC_H */
