/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/h248: writing the text encoding, one canonical layout: tokens in
 * their long form, "Name = value {", one item a line indented by a tab a
 * level, commas at line ends, transactions one after another without
 * commas (Annex B.2's transactionList). A bounded buffer: the first error
 * sticks, nothing is written beyond the buffer, a short buffer is
 * -ENOSPC and never a silently cut message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "h248.h"
#include "h248_internal.h"

void
h248_w_init(struct h248_w *w, char *buf, size_t size)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->size = size;
	if (size > 0)
		buf[0] = '\0';
	else
		w->err = -ENOSPC;
}

static void
put(struct h248_w *w, const char *s, size_t n)
{
	if (w->err != 0)
		return;
	/* one byte kept for the NUL */
	if (n >= w->size - w->len) {
		w->err = -ENOSPC;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
puts_(struct h248_w *w, const char *s)
{
	put(w, s, strlen(s));
}

static void
bad(struct h248_w *w)
{
	if (w->err == 0)
		w->err = -EINVAL;
}

/* 1*SafeChar */
static bool
is_token(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) > H248_VALUE_MAX)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!h248_safe_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Before an item: the comma after the previous one at this depth, a line
 * end and the indentation. */
static void
item_start(struct h248_w *w)
{
	unsigned int i;

	if (w->depth == 0) {
		if (w->items[0] > 0)
			puts_(w, "\n");
	} else {
		puts_(w, w->items[w->depth] > 0 ? ",\n" : "\n");
		for (i = 0; i < w->depth; i++)
			puts_(w, "\t");
	}
	if (w->items[w->depth] < UINT8_MAX)
		w->items[w->depth]++;
}

static void
open_brace(struct h248_w *w)
{
	if (w->depth >= H248_DEPTH_MAX) {
		bad(w);
		return;
	}
	puts_(w, " {");
	w->depth++;
	w->items[w->depth] = 0;
}

void
h248_w_close(struct h248_w *w)
{
	unsigned int i;

	if (w->depth == 0) {
		bad(w);
		return;
	}
	if (w->items[w->depth] > 0) {
		puts_(w, "\n");
		for (i = 0; i + 1 < w->depth; i++)
			puts_(w, "\t");
	}
	puts_(w, "}");
	w->depth--;
}

static void
name_of(struct h248_w *w, enum h248_tok tok)
{
	const char *s = h248_tok_name(tok);

	if (s == NULL)
		bad(w);
	else
		puts_(w, s);
}

static void
eq_value(struct h248_w *w, const char *value)
{
	if (value == NULL)
		return;
	if (!is_token(value)) {
		bad(w);
		return;
	}
	puts_(w, " = ");
	puts_(w, value);
}

void
h248_w_header(struct h248_w *w, unsigned int version, const char *mid)
{
	char v[16];

	if (version < 1 || version > 99 || mid == NULL || mid[0] == '\0' ||
	    strpbrk(mid, " \t\r\n;") != NULL || w->len != 0) {
		bad(w);
		return;
	}
	snprintf(v, sizeof(v), "MEGACO/%u ", version);
	puts_(w, v);
	puts_(w, mid);
	puts_(w, "\n");
}

void
h248_w_open(struct h248_w *w, enum h248_tok tok, const char *value)
{
	item_start(w);
	name_of(w, tok);
	eq_value(w, value);
	open_brace(w);
}

void
h248_w_open_u32(struct h248_w *w, enum h248_tok tok, uint32_t v)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", (unsigned int)v);
	h248_w_open(w, tok, s);
}

void
h248_w_open_name(struct h248_w *w, const char *name, const char *value)
{
	item_start(w);
	if (!is_token(name))
		bad(w);
	else
		puts_(w, name);
	eq_value(w, value);
	open_brace(w);
}

void
h248_w_item(struct h248_w *w, enum h248_tok tok, const char *value)
{
	item_start(w);
	name_of(w, tok);
	eq_value(w, value);
}

void
h248_w_item_u32(struct h248_w *w, enum h248_tok tok, uint32_t v)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", (unsigned int)v);
	h248_w_item(w, tok, s);
}

void
h248_w_item_name(struct h248_w *w, const char *name, char op, const char *value)
{
	char o[4] = { ' ', op, ' ', '\0' };

	item_start(w);
	if (!is_token(name) || !is_token(value) || strchr("=#<>", op) == NULL || op == '\0') {
		bad(w);
		return;
	}
	puts_(w, name);
	puts_(w, o);
	puts_(w, value);
}

/* quotedString = DQUOTE *(SafeChar / RestChar / WSP) DQUOTE: no escape
 * exists, so what it cannot hold is replaced. */
static void
quoted(struct h248_w *w, const char *text)
{
	size_t i;

	puts_(w, "\"");
	for (i = 0; text != NULL && text[i] != '\0' && i < H248_VALUE_MAX; i++) {
		unsigned char c = (unsigned char)text[i];
		char r = (char)c;

		if (c == '"')
			r = '\'';
		else if (c == '\r' || c == '\n')
			r = ' ';
		else if (!h248_safe_char(c) && !h248_rest_char(c) && c != ' ' && c != '\t')
			r = '?';
		put(w, &r, 1);
	}
	puts_(w, "\"");
}

void
h248_w_item_quoted(struct h248_w *w, enum h248_tok tok, const char *text)
{
	item_start(w);
	name_of(w, tok);
	puts_(w, " = ");
	quoted(w, text);
}

void
h248_w_quoted(struct h248_w *w, const char *text)
{
	item_start(w);
	quoted(w, text);
}

void
h248_w_octets(struct h248_w *w, enum h248_tok tok, const char *data, size_t len)
{
	size_t i, from = 0;

	item_start(w);
	name_of(w, tok);
	if ((len > 0 && data[len - 1] == '\\') || len > H248_OCTETS_MAX ||
	    memchr(data, '\0', len) != NULL) {
		bad(w);
		return;
	}
	/* the line end after the brace is LBRKT's LWSP, not the body's */
	puts_(w, " {\n");
	/* nonEscapeChar = ("\}" / %x01-7C / %x7E-FF) */
	for (i = 0; i < len; i++) {
		if (data[i] != '}')
			continue;
		put(w, data + from, i - from);
		puts_(w, "\\}");
		from = i + 1;
	}
	put(w, data + from, len - from);
	puts_(w, "}");
}

void
h248_w_context(struct h248_w *w, uint32_t ctx)
{
	char s[16];

	if (ctx == H248_CTX_NULL)
		snprintf(s, sizeof(s), "-");
	else if (ctx == H248_CTX_CHOOSE)
		snprintf(s, sizeof(s), "$");
	else if (ctx == H248_CTX_ALL)
		snprintf(s, sizeof(s), "*");
	else
		snprintf(s, sizeof(s), "%u", (unsigned int)ctx);
	h248_w_open(w, H248_TOK_CONTEXT, s);
}

void
h248_w_error(struct h248_w *w, unsigned int code, const char *text)
{
	if (code > 9999) {
		bad(w);
		return;
	}
	h248_w_open_u32(w, H248_TOK_ERROR, code);
	if (text == NULL)
		text = h248_code_text(code);
	if (text != NULL) {
		/* the brace's only content, on the same line: not an item */
		quoted(w, text);
	}
	h248_w_close(w);
}

void
h248_w_request(struct h248_w *w, uint32_t tid)
{
	if (tid == 0)
		bad(w);
	h248_w_open_u32(w, H248_TOK_TRANSACTION, tid);
}

void
h248_w_reply(struct h248_w *w, uint32_t tid, uint16_t seg, bool seg_end, bool imm_ack)
{
	char s[40];

	if (tid == 0 || (seg == 0 && seg_end))
		bad(w);
	if (seg == 0)
		snprintf(s, sizeof(s), "%u", (unsigned int)tid);
	else
		snprintf(s, sizeof(s), "%u/%u%s", (unsigned int)tid, (unsigned int)seg,
			 seg_end ? "/END" : "");
	h248_w_open(w, H248_TOK_REPLY, s);
	if (imm_ack)
		h248_w_item(w, H248_TOK_IMMACKREQUIRED, NULL);
}

void
h248_w_pending(struct h248_w *w, uint32_t tid)
{
	if (tid == 0)
		bad(w);
	h248_w_open_u32(w, H248_TOK_PENDING, tid);
	h248_w_close(w);
}

void
h248_w_response_ack(struct h248_w *w, const uint32_t (*ranges)[2], unsigned int n)
{
	unsigned int i;
	char s[32];

	if (n == 0) {
		bad(w);
		return;
	}
	h248_w_open(w, H248_TOK_RESPONSEACK, NULL);
	for (i = 0; i < n; i++) {
		if (ranges[i][0] == 0 || ranges[i][1] < ranges[i][0]) {
			bad(w);
			break;
		}
		if (ranges[i][0] == ranges[i][1])
			snprintf(s, sizeof(s), "%u", (unsigned int)ranges[i][0]);
		else
			snprintf(s, sizeof(s), "%u-%u", (unsigned int)ranges[i][0],
				 (unsigned int)ranges[i][1]);
		item_start(w);
		puts_(w, s);
	}
	h248_w_close(w);
}

int
h248_w_finish(struct h248_w *w)
{
	if (w->err == 0 && w->depth != 0)
		w->err = -EINVAL;
	if (w->err == 0 && w->len > 0)
		put(w, "\n", 1);
	if (w->err != 0) {
		if (w->size > 0)
			w->buf[0] = '\0';
		return w->err;
	}
	return (int)w->len;
}

/* ---- a parsed tree written back ---- */

static void
span(struct h248_w *w, const struct h248_tree *t, struct h248_span s)
{
	put(w, t->text + s.off, s.len);
}

static void
elem_list(struct h248_w *w, const struct h248_tree *t, const struct h248_node *n)
{
	const struct h248_node *e;
	const char *sepr = n->vkind == H248_V_RANGE ? ":" : ", ";

	puts_(w, n->vkind == H248_V_ALT ? "{" : "[");
	for (e = h248_elem(t, n); e != NULL; e = h248_node_at(t, e->next)) {
		if (e != h248_elem(t, n))
			puts_(w, sepr);
		if (e->vkind == H248_V_QUOTED) {
			puts_(w, "\"");
			span(w, t, e->value);
			puts_(w, "\"");
		} else {
			span(w, t, e->value);
		}
	}
	puts_(w, n->vkind == H248_V_ALT ? "}" : "]");
}

static void
write_nodes(struct h248_w *w, const struct h248_tree *t, uint32_t first)
{
	static const char *const ops[] = { "", " = ", " # ", " > ", " < " };
	const struct h248_node *n;

	for (n = h248_node_at(t, first); n != NULL && w->err == 0; n = h248_node_at(t, n->next)) {
		bool keyword = n->op != H248_OP_NONE ||
			       (n->flags & (H248_F_BRACES | H248_F_RAW)) != 0;

		item_start(w);
		if (n->tok == H248_TOK_NONE) {	/* a bare quoted string */
			puts_(w, "\"");
			span(w, t, n->value);
			puts_(w, "\"");
			continue;
		}
		if (n->ts.len != 0) {
			span(w, t, n->ts);
			puts_(w, ":");
		}
		if (n->flags & H248_F_OPTIONAL)
			puts_(w, "O-");
		if (n->flags & H248_F_WILDREPLY)
			puts_(w, "W-");
		/* a bare word may be a termination id that spells a token
		 * ("A" in a topology triple): only keywords are respelled */
		if (keyword && n->tok != H248_TOK_OTHER)
			name_of(w, (enum h248_tok)n->tok);
		else
			span(w, t, n->name);
		if (n->op < sizeof(ops) / sizeof(ops[0]))
			puts_(w, ops[n->op]);
		switch (n->vkind) {
		case H248_V_TOKEN:
		case H248_V_MID:
			span(w, t, n->value);
			break;
		case H248_V_QUOTED:
			puts_(w, "\"");
			span(w, t, n->value);
			puts_(w, "\"");
			break;
		case H248_V_LIST:
		case H248_V_RANGE:
		case H248_V_ALT:
			elem_list(w, t, n);
			break;
		default:
			break;
		}
		if (n->flags & H248_F_RAW) {
			puts_(w, n->op == H248_OP_EQ && n->vkind == H248_V_NONE ? "{\n" : " {\n");
			span(w, t, n->raw);
			puts_(w, "}");
		} else if ((n->flags & H248_F_BRACES) && n->nchild == 1 &&
			   t->nodes[n->child].tok == H248_TOK_NONE) {
			/* an error's text: on the brace's line, as h248_w_error() */
			puts_(w, " {\"");
			span(w, t, t->nodes[n->child].value);
			puts_(w, "\"}");
		} else if (n->flags & H248_F_BRACES) {
			open_brace(w);
			write_nodes(w, t, n->child);
			h248_w_close(w);
		}
	}
}

int
h248_tree_write(const struct h248_tree *t, char *buf, size_t size)
{
	struct h248_w w;
	char v[16];

	h248_w_init(&w, buf, size);
	if (t->auth.len != 0) {
		span(&w, t, t->auth);
		puts_(&w, "\n");
	}
	snprintf(v, sizeof(v), "MEGACO/%u ", (unsigned int)t->version);
	puts_(&w, v);
	span(&w, t, t->mid);
	puts_(&w, "\n");
	write_nodes(&w, t, t->body);
	return h248_w_finish(&w);
}

/* Date "T" Time: 8 digits, T, 8 digits (H.248.1 Annex B TimeStamp). */
static bool
is_timestamp(const char *ts)
{
	if (strlen(ts) != 17 || (ts[8] != 'T' && ts[8] != 't'))
		return false;
	for (unsigned int i = 0; i < 17; i++)
		if (i != 8 && (ts[i] < '0' || ts[i] > '9'))
			return false;
	return true;
}

/* "[ts:]pkg/name", true when written. */
static bool
observed(struct h248_w *w, const char *ts, const char *name)
{
	item_start(w);
	if ((ts != NULL && !is_timestamp(ts)) || !is_token(name)) {
		bad(w);
		return false;
	}
	if (ts != NULL) {
		puts_(w, ts);
		puts_(w, ":");
	}
	puts_(w, name);
	return true;
}

void
h248_w_open_observed(struct h248_w *w, const char *ts, const char *name)
{
	if (observed(w, ts, name))
		open_brace(w);
}

void
h248_w_observed(struct h248_w *w, const char *ts, const char *name)
{
	(void)observed(w, ts, name);
}

void
h248_w_item_name_quoted(struct h248_w *w, const char *name, const char *text)
{
	item_start(w);
	if (!is_token(name)) {
		bad(w);
		return;
	}
	puts_(w, name);
	puts_(w, " = ");
	quoted(w, text);
}
