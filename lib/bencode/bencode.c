/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/bencode: BEP 3's bencode read into a flat array of nodes and written
 * into a caller's buffer, for rtpengine's ng protocol (cp/ng).
 *
 * The reader is iterative: an explicit stack of open lists and dicts, at
 * most BC_DEPTH_MAX deep, so the input cannot drive the C stack. Every
 * length is compared with what is left of the buffer before it is used,
 * and a string's length is refused as soon as its digits exceed the buffer,
 * so "99999999999999999999999:" neither overflows size_t nor reads past the
 * end. BEP 3 gives one spelling per integer and per string length: no
 * leading zeros, no "-0"; anything else is refused, so a value that parses
 * writes back to the same octets (the fuzz target holds us to that).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bencode.h"

struct bc_open {
	uint32_t node;            /* the list or dict */
	uint32_t last;            /* its last element so far, or BC_NIL */
	uint32_t kids;            /* elements so far (a dict's keys and values) */
};

struct bc_rd {
	const char *buf;
	size_t len;
	size_t pos;
	struct bc_error *err;
};

static int
fail(struct bc_rd *r, int rc, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (r->err != NULL) {
		r->err->off = off;
		va_start(ap, fmt);
		vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* BEP 3: i<decimal>e, an optional '-', no leading zero, no "-0". */
static int
read_int(struct bc_rd *r, struct bc_node *n)
{
	size_t start = r->pos;
	uint64_t mag = 0, limit = (uint64_t)INT64_MAX;
	bool neg = false;
	size_t digits = 0;

	r->pos++; /* 'i' */
	if (r->pos < r->len && r->buf[r->pos] == '-') {
		neg = true;
		limit = (uint64_t)INT64_MAX + 1u;
		r->pos++;
	}
	while (r->pos < r->len && is_digit(r->buf[r->pos])) {
		unsigned int d = (unsigned int)(r->buf[r->pos] - '0');

		if (digits == 1 && mag == 0)
			return fail(r, -EINVAL, start, "an integer with a leading zero");
		if (mag > (limit - d) / 10u)
			return fail(r, -E2BIG, start, "an integer past 64 bits");
		mag = mag * 10u + d;
		digits++;
		r->pos++;
	}
	if (r->pos >= r->len)
		return fail(r, -EINVAL, r->pos, "truncated: an integer without its 'e'");
	if (r->buf[r->pos] != 'e')
		return fail(r, -EINVAL, r->pos, "an integer holds a byte 0x%02x",
			    (unsigned int)(unsigned char)r->buf[r->pos]);
	if (digits == 0)
		return fail(r, -EINVAL, start, "an integer without digits");
	if (neg && mag == 0)
		return fail(r, -EINVAL, start, "an integer \"-0\"");
	r->pos++; /* 'e' */
	n->type = BC_INT;
	if (neg)
		n->i = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
	else
		n->i = (int64_t)mag;
	return 0;
}

/* <length>:<octets>, the length without leading zeros and never past the
 * buffer's end (checked digit by digit, before it can overflow). */
static int
read_str(struct bc_rd *r, struct bc_node *n)
{
	size_t start = r->pos, l = 0, digits = 0;

	while (r->pos < r->len && is_digit(r->buf[r->pos])) {
		size_t d = (size_t)(r->buf[r->pos] - '0');

		if (digits == 1 && l == 0)
			return fail(r, -EINVAL, start, "a string length with a leading zero");
		/* l * 10 + d > what is left, asked without overflowing */
		if (d > r->len - start || l > (r->len - start - d) / 10u)
			return fail(r, -EINVAL, start, "a string length past the buffer");
		l = l * 10u + d;
		digits++;
		r->pos++;
	}
	if (r->pos >= r->len)
		return fail(r, -EINVAL, r->pos, "truncated: a string length without its ':'");
	if (r->buf[r->pos] != ':')
		return fail(r, -EINVAL, r->pos, "a string length holds a byte 0x%02x",
			    (unsigned int)(unsigned char)r->buf[r->pos]);
	r->pos++; /* ':' */
	if (l > r->len - r->pos)
		return fail(r, -EINVAL, start, "a string of %zu octets, %zu left in the buffer",
			    l, r->len - r->pos);
	n->type = BC_STR;
	n->s = r->buf + r->pos;
	n->len = l;
	r->pos += l;
	return 0;
}

int
bc_parse(const char *buf, size_t len, struct bc_node *nodes, uint32_t cap,
	 unsigned int max_depth, size_t *used, struct bc_error *err)
{
	struct bc_open stack[BC_DEPTH_MAX];
	struct bc_rd r = { .buf = buf, .len = len, .pos = 0, .err = err };
	unsigned int sp = 0;
	uint32_t n = 0;
	int rc;

	if (err != NULL) {
		err->off = 0;
		err->msg[0] = '\0';
	}
	if (max_depth < 1 || max_depth > BC_DEPTH_MAX)
		return fail(&r, -EINVAL, 0, "a depth bound of %u (1..%u)", max_depth,
			    BC_DEPTH_MAX);
	/* indices stay below BC_NIL, the count fits the int returned */
	if (cap > (uint32_t)INT_MAX)
		cap = (uint32_t)INT_MAX;
	if (len == 0)
		return fail(&r, -EINVAL, 0, "empty: no value");

	for (;;) {
		struct bc_open *top = sp > 0 ? &stack[sp - 1] : NULL;
		struct bc_node *nd;
		size_t at = r.pos;
		char c;

		if (r.pos >= len)
			return fail(&r, -EINVAL, r.pos, "truncated: %u list(s) or dict(s) open", sp);
		c = buf[r.pos];

		if (c == 'e' && top == NULL)
			return fail(&r, -EINVAL, at, "an 'e' with nothing open");
		if (c == 'e') {
			struct bc_node *cont = &nodes[top->node];

			if (cont->type == BC_DICT && (top->kids & 1u) != 0)
				return fail(&r, -EINVAL, r.pos, "a dict's key without a value");
			cont->count = cont->type == BC_DICT ? top->kids / 2u : top->kids;
			r.pos++;
			sp--;
			if (sp == 0)
				break;
			continue;
		}
		if (top != NULL && nodes[top->node].type == BC_DICT && (top->kids & 1u) == 0 &&
		    !is_digit(c))
			return fail(&r, -EINVAL, r.pos, "a dict's key is not a string");
		if (n >= cap)
			return fail(&r, -E2BIG, r.pos, "more than %u nodes", (unsigned int)cap);

		nd = &nodes[n];
		*nd = (struct bc_node){ .type = BC_NONE, .first = BC_NIL, .next = BC_NIL };
		if (top != NULL) {
			if (top->last == BC_NIL)
				nodes[top->node].first = n;
			else
				nodes[top->last].next = n;
			top->last = n;
			top->kids++;
		}

		if (c == 'i') {
			rc = read_int(&r, nd);
		} else if (is_digit(c)) {
			rc = read_str(&r, nd);
		} else if (c == 'l' || c == 'd') {
			if (sp >= max_depth)
				return fail(&r, -E2BIG, at, "nested deeper than %u", max_depth);
			nd->type = c == 'l' ? BC_LIST : BC_DICT;
			stack[sp++] = (struct bc_open){ .node = n, .last = BC_NIL, .kids = 0 };
			r.pos++;
			rc = 0;
		} else {
			return fail(&r, -EINVAL, at, "a value cannot start with byte 0x%02x",
				    (unsigned int)(unsigned char)c);
		}
		if (rc < 0)
			return rc;
		n++;
		if (sp == 0)
			break;
	}

	if (used != NULL)
		*used = r.pos;
	else if (r.pos != len)
		return fail(&r, -EINVAL, r.pos, "%zu byte(s) after the value", len - r.pos);
	return (int)n;
}

const struct bc_node *
bc_dict_get(const struct bc_node *nodes, const struct bc_node *dict, const char *key,
	    size_t klen)
{
	uint32_t k;

	if (nodes == NULL || dict == NULL || dict->type != BC_DICT)
		return NULL;
	for (k = dict->first; k != BC_NIL; k = nodes[nodes[k].next].next) {
		const struct bc_node *kn = &nodes[k];

		/* the parser never leaves a key without its value */
		if (kn->next == BC_NIL)
			return NULL;
		if (kn->len == klen && (klen == 0 || memcmp(kn->s, key, klen) == 0))
			return &nodes[kn->next];
	}
	return NULL;
}

const struct bc_node *
bc_dict_gets(const struct bc_node *nodes, const struct bc_node *dict, const char *key)
{
	if (key == NULL)
		return NULL;
	return bc_dict_get(nodes, dict, key, strlen(key));
}

const struct bc_node *
bc_first(const struct bc_node *nodes, const struct bc_node *n)
{
	if (nodes == NULL || n == NULL || (n->type != BC_LIST && n->type != BC_DICT) ||
	    n->first == BC_NIL)
		return NULL;
	return &nodes[n->first];
}

const struct bc_node *
bc_next(const struct bc_node *nodes, const struct bc_node *n)
{
	if (nodes == NULL || n == NULL || n->next == BC_NIL)
		return NULL;
	return &nodes[n->next];
}

bool
bc_is(const struct bc_node *n, const char *s)
{
	if (n == NULL || n->type != BC_STR || s == NULL)
		return false;
	return strlen(s) == n->len && (n->len == 0 || memcmp(n->s, s, n->len) == 0);
}

int
bc_str(const struct bc_node *n, char *out, size_t size)
{
	if (out != NULL && size > 0)
		out[0] = '\0';
	if (n == NULL || n->type != BC_STR || (n->len > 0 && memchr(n->s, '\0', n->len) != NULL))
		return -EINVAL;
	if (out == NULL || n->len >= size)
		return -E2BIG;
	if (n->len > 0)
		memcpy(out, n->s, n->len);
	out[n->len] = '\0';
	return 0;
}

/* ---- the writer ---- */

/* An 'e' with nothing open: the output can never be valid again, and
 * bc_w_end() says -EINVAL as for a list left open. */
#define BC_W_UNBALANCED UINT_MAX

void
bc_w_init(struct bc_w *w, char *buf, size_t size)
{
	w->buf = buf;
	w->size = buf != NULL ? size : 0;
	w->len = 0;
	w->overflow = false;
	w->depth = 0;
}

/* Whole or nothing: after one refusal, nothing more is written, so what
 * the buffer holds is a prefix of the value and never past size. */
static bool
room(struct bc_w *w, size_t n)
{
	if (w->overflow)
		return false;
	if (n > w->size - w->len) {
		w->overflow = true;
		return false;
	}
	return true;
}

static void
put(struct bc_w *w, const char *p, size_t n)
{
	if (!room(w, n) || n == 0)
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

/* v's decimal digits at the end of tmp[0..20); returns where they start. */
static size_t
dec(char tmp[20], uint64_t v)
{
	size_t i = 20;

	do {
		tmp[--i] = (char)('0' + (int)(v % 10u));
		v /= 10u;
	} while (v != 0);
	return i;
}

static void
open_one(struct bc_w *w, char c)
{
	put(w, &c, 1);
	if (w->depth != BC_W_UNBALANCED)
		w->depth++;
}

void
bc_w_dict(struct bc_w *w)
{
	open_one(w, 'd');
}

void
bc_w_list(struct bc_w *w)
{
	open_one(w, 'l');
}

void
bc_w_close(struct bc_w *w)
{
	if (w->depth == 0) {
		w->depth = BC_W_UNBALANCED;
		return;
	}
	put(w, "e", 1);
	if (w->depth != BC_W_UNBALANCED)
		w->depth--;
}

void
bc_w_int(struct bc_w *w, int64_t v)
{
	char tmp[22];
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t i = dec(tmp + 1, mag) + 1, end = 21;

	/* i<digits>e: the 'i' (and '-') before the digits, the 'e' after */
	tmp[end++] = 'e';
	if (v < 0)
		tmp[--i] = '-';
	tmp[--i] = 'i';
	put(w, tmp + i, end - i);
}

void
bc_w_strn(struct bc_w *w, const char *s, size_t n)
{
	char tmp[21];
	size_t i, hl;

	if (s == NULL)
		n = 0; /* a NULL string is the empty one */
	i = dec(tmp, n);
	tmp[20] = ':';
	hl = 21 - i;
	if (n > SIZE_MAX - hl) {
		w->overflow = true;
		return;
	}
	if (!room(w, hl + n))
		return;
	put(w, tmp + i, hl);
	put(w, s, n);
}

void
bc_w_str(struct bc_w *w, const char *s)
{
	bc_w_strn(w, s, s != NULL ? strlen(s) : 0);
}

void
bc_w_kstr(struct bc_w *w, const char *k, const char *v)
{
	bc_w_str(w, k);
	bc_w_str(w, v);
}

void
bc_w_kstrn(struct bc_w *w, const char *k, const char *v, size_t n)
{
	bc_w_str(w, k);
	bc_w_strn(w, v, n);
}

void
bc_w_kint(struct bc_w *w, const char *k, int64_t v)
{
	bc_w_str(w, k);
	bc_w_int(w, v);
}

int
bc_w_end(const struct bc_w *w)
{
	if (w->overflow || w->len > (size_t)INT_MAX)
		return -ENOSPC;
	if (w->depth != 0)
		return -EINVAL;
	return (int)w->len;
}
