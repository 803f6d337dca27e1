/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl's output toolkit (ctl_out.h): terminal-safe text, growing
 * strings, aligned tables, the JSON line of --json and the final flush.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "tp_esc.h"

/* ---- terminal-safe text --------------------------------------------------- */

/*
 * The next piece of s (not at its NUL): *n bytes, and whether they pass
 * as they are (true) or become one '?' (false). The rule is ctl_out.h's.
 */
static bool
ctl_safe_next(const unsigned char *s, size_t *n)
{
	size_t len;

	*n = 1;
	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	len = tp_utf8_len(s, strnlen((const char *)s, 4));
	if (len != 0) {
		*n = len;
		/* U+0080-U+009F, the C1 controls */
		return !(s[0] == 0xc2 && s[1] <= 0x9f);
	}
	return s[0] >= 0xa0;
}

void
ctl_put_safe(FILE *f, const char *prefix, const char *s, const char *suffix)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n;

	fputs(prefix, f);
	while (*p != '\0') {
		if (ctl_safe_next(p, &n))
			fwrite(p, 1, n, f);
		else
			fputc('?', f);
		p += n;
	}
	fputs(suffix, f);
}

/* The terminal-safe form of s into out, cut to size - 1 bytes. */
static void
ctl_safe_fill(const char *s, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t o = 0, n, k;

	while (*p != '\0' && o + 1 < size) {
		if (ctl_safe_next(p, &n)) {
			for (k = 0; k < n && o + 1 < size; k++)
				out[o++] = (char)p[k];
		} else {
			out[o++] = '?';
		}
		p += n;
	}
	out[o] = '\0';
}

const char *
ctl_safe_copy(const char *s, char *out, size_t size)
{
	ctl_safe_fill(s, out, size);
	return out;
}

char *
ctl_safe_dup(const char *s)
{
	size_t size = strlen(s != NULL ? s : "") + 1;
	char *out = malloc(size);

	if (out != NULL)
		ctl_safe_fill(s, out, size);
	return out;
}

/* ---- growing strings ------------------------------------------------------ */

void
ctl_str_add(struct ctl_str *b, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *p;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		cap = b->cap != 0 ? b->cap : 64;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- tables --------------------------------------------------------------- */

void
ctl_table_init(struct ctl_table *t, size_t ncols, uint32_t right)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < CTL_TABLE_MAX_COLS ? ncols : CTL_TABLE_MAX_COLS;
	t->right = right;
}

void
ctl_table_free(struct ctl_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

int
ctl_table_row(struct ctl_table *t, const char *const *cells)
{
	size_t i, len, cap;
	char **p, **row;

	if (t->nrows == t->cap) {
		cap = t->cap != 0 ? 2 * t->cap : 16;
		p = realloc(t->cells, cap * t->ncols * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		t->cells = p;
		t->cap = cap;
	}
	row = t->cells + t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		row[i] = ctl_safe_dup(cells[i]);
		if (row[i] == NULL) {
			while (i-- > 0)
				free(row[i]);
			return -ENOMEM;
		}
	}
	for (i = 0; i < t->ncols; i++) {
		len = strlen(row[i]);
		if (len > t->width[i])
			t->width[i] = len;
	}
	t->nrows++;
	return 0;
}

void
ctl_table_print(const struct ctl_table *t, FILE *f)
{
	const char *cell;
	size_t r, i;
	int w;

	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			cell = t->cells[r * t->ncols + i];
			w = (int)t->width[i];
			if (i > 0)
				fputs("  ", f);
			if (t->right & (1u << i))
				fprintf(f, "%*s", w, cell);
			else if (i + 1 < t->ncols)
				fprintf(f, "%-*s", w, cell);
			else
				fputs(cell, f);   /* no trailing blanks */
		}
		fputc('\n', f);
	}
}

/* ---- writing ---------------------------------------------------------------- */

int
ctl_put_json(struct json_object *o)
{
	const char *text = json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (text == NULL)
		return -ENOMEM;
	puts(text);
	return 0;
}

int
ctl_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write the output: %s\n", CTL_PROG,
			strerror(errno));
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

int
ctl_out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", CTL_PROG);
	return CTL_EXIT_FAIL;
}
