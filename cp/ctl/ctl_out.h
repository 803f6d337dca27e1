/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl's output toolkit: what every command that prints uses.
 *
 * Text that came from elsewhere (turnpike-cp's answers, another box's
 * registry entry in Redis, a coturn database) is printed only through
 * ctl_put_safe(), ctl_safe_dup() or ctl_safe_copy(), so that nothing it
 * holds can drive the operator's terminal. The rule, one for all:
 *
 *   - printable ASCII passes;
 *   - C0 controls (0x00-0x1f, ESC among them) and DEL (0x7f) become '?';
 *   - a well-formed UTF-8 sequence (RFC 3629 §4: shortest form, no
 *     surrogates, at most U+10FFFF) passes whole, unless it encodes a C1
 *     control (U+0080-U+009F, 0xc2 0x80-0x9f), which becomes one '?';
 *   - a byte that is not part of a well-formed sequence becomes '?' when
 *     it is 0x80-0x9f (a C1 control to a terminal that reads 8-bit
 *     controls, e.g. 0x9b as CSI) and passes otherwise (0xa0-0xff: a
 *     Latin-1 letter, or a replacement glyph to a UTF-8 terminal).
 *
 * The result is never longer than the input.
 *
 * Tables, growing strings and the JSON line of --json are here too, so
 * that each command renders its answer in a few lines of its own.
 */
#ifndef CTL_OUT_H
#define CTL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

/* ---- terminal-safe text --------------------------------------------------- */

/* prefix, s made terminal-safe, suffix, on f. prefix and suffix are ours
 * and printed as they are; s NULL prints as "". */
void ctl_put_safe(FILE *f, const char *prefix, const char *s, const char *suffix);

/* A malloc'd terminal-safe copy of s (NULL: ""), or NULL when memory ran
 * out. */
char *ctl_safe_dup(const char *s);

/* The terminal-safe form of s (NULL: "") into out, cut to size - 1 bytes
 * and NUL-terminated (size > 0). Returns out. */
const char *ctl_safe_copy(const char *s, char *out, size_t size);

/* ---- growing strings ------------------------------------------------------ */

struct ctl_str {
	char *s;
	size_t len;
	size_t cap;
	bool failed;          /* an allocation failed: s is incomplete */
};

/* Append printf-style; on failure b->failed is set and later calls do
 * nothing. The caller frees b->s. */
void ctl_str_add(struct ctl_str *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- tables --------------------------------------------------------------- */

#define CTL_TABLE_MAX_COLS 12u

/* Rows of cells printed in aligned columns, two spaces apart. */
struct ctl_table {
	size_t ncols;
	uint32_t right;       /* bit i set: column i aligned right */
	size_t nrows;
	size_t cap;           /* rows allocated */
	char **cells;         /* nrows * ncols terminal-safe copies */
	size_t width[CTL_TABLE_MAX_COLS];
};

void ctl_table_init(struct ctl_table *t, size_t ncols, uint32_t right);
void ctl_table_free(struct ctl_table *t);

/* Append one row of t->ncols cells, each copied terminal-safe (NULL: "").
 * Returns 0 or -ENOMEM. */
int ctl_table_row(struct ctl_table *t, const char *const *cells);

/* Every row; the last column unpadded, so that no line ends in blanks. */
void ctl_table_print(const struct ctl_table *t, FILE *f);

/* ---- writing ---------------------------------------------------------------- */

/* o on stdout as one line, the way turnpike-cp writes its answers
 * (cp/api/api.c: plain, '/' unescaped), so that an answer is passed on
 * byte for byte. Returns 0, or -ENOMEM (nothing printed). */
int ctl_put_json(struct json_object *o);

/* Flush stdout; a failed write (full disk, closed pipe) is reported on
 * stderr. Returns CTL_EXIT_OK or CTL_EXIT_FAIL. */
int ctl_flush(void);

/* "turnpikectl: out of memory" on stderr. Returns CTL_EXIT_FAIL. */
int ctl_out_of_memory(void);

#endif /* CTL_OUT_H */
