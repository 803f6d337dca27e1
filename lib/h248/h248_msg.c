/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/h248: the message layer over the tree (H.248.1 Annex B.2's
 * messageBody: an errorDescriptor or a transactionList) and the helpers
 * that walk the tree and read its values.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "h248.h"

/* ---- walking ---- */

const struct h248_node *
h248_first(const struct h248_tree *t)
{
	return h248_node_at(t, t->body);
}

const struct h248_node *
h248_child(const struct h248_tree *t, const struct h248_node *parent, enum h248_tok tok)
{
	const struct h248_node *n;

	if (parent == NULL)
		return NULL;
	n = h248_node_at(t, parent->child);

	if (n == NULL || tok == H248_TOK_NONE || n->tok == tok)
		return n;
	return h248_next(t, n, tok);
}

const struct h248_node *
h248_next(const struct h248_tree *t, const struct h248_node *n, enum h248_tok tok)
{
	if (n == NULL)
		return NULL;
	for (n = h248_node_at(t, n->next); n != NULL; n = h248_node_at(t, n->next))
		if (tok == H248_TOK_NONE || n->tok == tok)
			return n;
	return NULL;
}

const struct h248_node *
h248_child_named(const struct h248_tree *t, const struct h248_node *parent, const char *name)
{
	const struct h248_node *n = h248_child(t, parent, H248_TOK_NONE);
	size_t len = strlen(name);

	for (; n != NULL; n = h248_next(t, n, H248_TOK_NONE))
		if (n->name.len == len && strncasecmp(t->text + n->name.off, name, len) == 0)
			return n;
	return NULL;
}

const struct h248_node *
h248_elem(const struct h248_tree *t, const struct h248_node *n)
{
	return h248_node_at(t, n->elem);
}

const char *
h248_name(const struct h248_tree *t, const struct h248_node *n, size_t *len)
{
	*len = n->name.len;
	return t->text + n->name.off;
}

const char *
h248_value(const struct h248_tree *t, const struct h248_node *n, size_t *len)
{
	*len = n->value.len;
	return t->text + n->value.off;
}

bool
h248_value_is(const struct h248_tree *t, const struct h248_node *n, const char *str)
{
	size_t len = strlen(str);

	return n->vkind != H248_V_NONE && n->value.len == len &&
	       strncasecmp(t->text + n->value.off, str, len) == 0;
}

enum h248_tok
h248_value_tok(const struct h248_tree *t, const struct h248_node *n)
{
	if (n->vkind != H248_V_TOKEN)
		return H248_TOK_OTHER;
	return h248_tok_lookup(t->text + n->value.off, n->value.len);
}

static int
u32_of(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int
h248_value_u32(const struct h248_tree *t, const struct h248_node *n, uint32_t *out)
{
	if (n->vkind != H248_V_TOKEN)
		return -EINVAL;
	return u32_of(t->text + n->value.off, n->value.len, out);
}

int
h248_value_ctx(const struct h248_tree *t, const struct h248_node *n, uint32_t *out)
{
	uint32_t v;

	if (n->vkind != H248_V_TOKEN)
		return -EINVAL;
	if (n->value.len == 1) {
		switch (t->text[n->value.off]) {
		case '-':
			*out = H248_CTX_NULL;
			return 0;
		case '$':
			*out = H248_CTX_CHOOSE;
			return 0;
		case '*':
			*out = H248_CTX_ALL;
			return 0;
		}
	}
	/* the numbers the reserved ids take are not contexts */
	if (u32_of(t->text + n->value.off, n->value.len, &v) < 0 || v == H248_CTX_NULL ||
	    v >= H248_CTX_CHOOSE)
		return -EINVAL;
	*out = v;
	return 0;
}

int
h248_value_copy(const struct h248_tree *t, const struct h248_node *n, char *buf, size_t size)
{
	if (size > 0)
		buf[0] = '\0';
	if (n->vkind == H248_V_NONE)
		return -ENOENT;
	if (n->value.len >= size)
		return -ENOSPC;
	memcpy(buf, t->text + n->value.off, n->value.len);
	buf[n->value.len] = '\0';
	return (int)n->value.len;
}

int
h248_octets(const struct h248_tree *t, const struct h248_node *n, char *buf, size_t size)
{
	const char *s = t->text + n->raw.off;
	size_t i, o = 0;

	if (size > 0)
		buf[0] = '\0';
	if ((n->flags & H248_F_RAW) == 0)
		return -ENOENT;
	for (i = 0; i < n->raw.len; i++) {
		if (s[i] == '\\' && i + 1 < n->raw.len && s[i + 1] == '}')
			i++;
		if (o + 1 >= size) {
			if (size > 0)
				buf[0] = '\0';
			return -ENOSPC;
		}
		buf[o++] = s[i];
	}
	buf[o] = '\0';
	return (int)o;
}

/* ---- comparing ---- */

static bool
span_eq(const struct h248_tree *a, struct h248_span x, const struct h248_tree *b,
	struct h248_span y)
{
	return x.len == y.len && memcmp(a->text + x.off, b->text + y.off, x.len) == 0;
}

static bool
node_eq(const struct h248_tree *a, uint32_t ia, const struct h248_tree *b, uint32_t ib,
	unsigned int depth)
{
	while (ia != H248_NONE || ib != H248_NONE) {
		const struct h248_node *x = h248_node_at(a, ia), *y = h248_node_at(b, ib);

		if (x == NULL || y == NULL || depth > H248_DEPTH_MAX + 2)
			return false;
		if (x->tok != y->tok || x->op != y->op || x->vkind != y->vkind ||
		    x->flags != y->flags || x->nchild != y->nchild)
			return false;
		/* a token's spelling is free; any other name is as written */
		if (x->tok == H248_TOK_OTHER && !span_eq(a, x->name, b, y->name))
			return false;
		if (!span_eq(a, x->ts, b, y->ts) || !span_eq(a, x->raw, b, y->raw))
			return false;
		if (x->vkind == H248_V_LIST || x->vkind == H248_V_RANGE || x->vkind == H248_V_ALT) {
			if (!node_eq(a, x->elem, b, y->elem, depth + 1))
				return false;
		} else if (!span_eq(a, x->value, b, y->value)) {
			return false;
		}
		if (!node_eq(a, x->child, b, y->child, depth + 1))
			return false;
		ia = x->next;
		ib = y->next;
	}
	return true;
}

bool
h248_tree_equal(const struct h248_tree *a, const struct h248_tree *b)
{
	if (a->version != b->version || a->mid_kind != b->mid_kind || a->port != b->port ||
	    !span_eq(a, a->mid, b, b->mid) || !span_eq(a, a->auth, b, b->auth))
		return false;
	return node_eq(a, a->body, b, b->body, 0);
}

/* ---- the message ---- */

static int
mfail(struct h248_err *err, const struct h248_node *n, uint32_t tid, uint16_t code,
      const char *why)
{
	err->code = code;
	err->off = n != NULL ? n->off : 0;
	err->tid = tid;
	err->why = why;
	return code == H248_E_RESOURCES || code == H248_E_TOO_MANY_TRANS ? -E2BIG : -EBADMSG;
}

/* TransactionID = UINT32, and 0 is not one (H.248.1 §8.2.1) */
static int
tid_of(const char *s, size_t len, uint32_t *tid)
{
	return u32_of(s, len, tid) == 0 && *tid != 0 ? 0 : -EINVAL;
}

/* "tid[/seg[/END]]" of Reply= and Segment= (segmentNumber = UINT16) */
static int
tid_seg(const struct h248_tree *t, const struct h248_node *n, struct h248_trans *tr)
{
	const char *s = t->text + n->value.off, *sl, *sl2;
	size_t len = n->value.len;
	uint32_t seg;

	if (n->op != H248_OP_EQ || n->vkind != H248_V_TOKEN)
		return -EINVAL;
	sl = memchr(s, '/', len);
	if (sl == NULL)
		return tid_of(s, len, &tr->id);
	if (tid_of(s, (size_t)(sl - s), &tr->id) < 0)
		return -EINVAL;
	len -= (size_t)(sl - s) + 1;
	s = sl + 1;
	sl2 = memchr(s, '/', len);
	if (u32_of(s, sl2 != NULL ? (size_t)(sl2 - s) : len, &seg) < 0 || seg == 0 || seg > 65535)
		return -EINVAL;
	tr->seg = (uint16_t)seg;
	if (sl2 != NULL) {
		len -= (size_t)(sl2 - s) + 1;
		if (h248_tok_lookup(sl2 + 1, len) != H248_TOK_SEGMENTCOMPLETE)
			return -EINVAL;
		tr->seg_end = true;
	}
	return 0;
}

int
h248_ack_range(const struct h248_tree *t, const struct h248_node *n, uint32_t *lo, uint32_t *hi)
{
	const char *s = t->text + n->value.off, *dash;
	size_t len = n->value.len;

	/* transactionAck = TransactionID / (TransactionID "-" TransactionID) */
	if (n->op != H248_OP_NONE || n->vkind != H248_V_NONE || n->tok != H248_TOK_OTHER ||
	    (n->flags & (H248_F_BRACES | H248_F_RAW)) != 0 || n->ts.len != 0)
		return -EINVAL;
	s = t->text + n->name.off;
	len = n->name.len;
	dash = memchr(s, '-', len);
	if (dash == NULL) {
		if (tid_of(s, len, lo) < 0)
			return -EINVAL;
		*hi = *lo;
		return 0;
	}
	if (tid_of(s, (size_t)(dash - s), lo) < 0 ||
	    tid_of(dash + 1, len - (size_t)(dash - s) - 1, hi) < 0 || *hi < *lo)
		return -EINVAL;
	return 0;
}

int
h248_error_of(const struct h248_tree *t, const struct h248_node *e, uint16_t *code,
	      const char **text, size_t *len)
{
	const struct h248_node *q;
	uint32_t v;

	/* errorDescriptor = ErrorToken EQUAL ErrorCode LBRKT [quotedString]
	 * RBRKT; ErrorCode = 1*4(DIGIT) */
	if (e->tok != H248_TOK_ERROR || e->op != H248_OP_EQ || e->vkind != H248_V_TOKEN ||
	    e->value.len > 4 || h248_value_u32(t, e, &v) < 0)
		return -EINVAL;
	*code = (uint16_t)v;
	*text = NULL;
	*len = 0;
	q = h248_child(t, e, H248_TOK_NONE);
	if (q != NULL) {
		if (q->tok != H248_TOK_NONE || q->vkind != H248_V_QUOTED || q->next != H248_NONE)
			return -EINVAL;
		*text = t->text + q->value.off;
		*len = q->value.len;
	}
	return 0;
}

static bool
is_ctx_property(enum h248_tok tok)
{
	switch (tok) {
	case H248_TOK_PRIORITY:
	case H248_TOK_EMERGENCY:
	case H248_TOK_EMERGENCYOFF:
	case H248_TOK_TOPOLOGY:
	case H248_TOK_IEPSCALL:
	case H248_TOK_CONTEXTATTR:
	case H248_TOK_CONTEXTAUDIT:
	case H248_TOK_CONTEXTLIST:
	case H248_TOK_DIRECTION:
	case H248_TOK_REQUESTID:
		return true;
	default:
		return false;
	}
}

/* actionRequest = CtxToken EQUAL ContextID LBRKT ((contextRequest [COMMA
 * commandRequestList]) / commandRequestList) RBRKT */
static int
check_action(const struct h248_tree *t, const struct h248_node *a, uint32_t tid, bool request,
	     struct h248_err *err)
{
	const struct h248_node *c;
	uint32_t ctx;

	if (a->tok != H248_TOK_CONTEXT)
		return mfail(err, a, tid, request ? H248_E_SYNTAX_TRANS : H248_E_SYNTAX_MSG,
			     "a transaction holds something other than a Context");
	if (a->op != H248_OP_EQ || h248_value_ctx(t, a, &ctx) < 0)
		return mfail(err, a, tid, request ? H248_E_SYNTAX_ACTION : H248_E_SYNTAX_MSG,
			     "a Context's id is not a number, '-', '$' or '*'");
	if ((a->flags & H248_F_BRACES) == 0)
		return mfail(err, a, tid, request ? H248_E_SYNTAX_ACTION : H248_E_SYNTAX_MSG,
			     "a Context has no { }");
	if (!request)
		return 0;
	if (a->nchild == 0)
		return mfail(err, a, tid, H248_E_SYNTAX_ACTION, "a Context in a request is empty");
	for (c = h248_child(t, a, H248_TOK_NONE); c != NULL; c = h248_next(t, c, H248_TOK_NONE)) {
		if (h248_tok_is_command(c->tok)) {
			/* ammRequest etc.: Token EQUAL TerminationID [LBRKT .. RBRKT] */
			if (c->op != H248_OP_EQ || c->vkind != H248_V_TOKEN || c->ts.len != 0)
				return mfail(err, c, tid, H248_E_SYNTAX_CMD,
					     "a command is not <command> = <terminationID>");
			continue;
		}
		if (is_ctx_property(c->tok))
			continue;
		return mfail(err, c, tid, H248_E_UNKNOWN_CMD,
			     "a Context holds neither a known command nor a context property");
	}
	return 0;
}

static int
check_request(const struct h248_tree *t, const struct h248_node *n, struct h248_trans *tr,
	      struct h248_err *err)
{
	const struct h248_node *a;
	int rc;

	/* transactionRequest = TransToken EQUAL TransactionID LBRKT
	 * actionRequest *(COMMA actionRequest) RBRKT */
	if (n->op != H248_OP_EQ || n->vkind != H248_V_TOKEN ||
	    tid_of(t->text + n->value.off, n->value.len, &tr->id) < 0)
		return mfail(err, n, 0, H248_E_SYNTAX_MSG,
			     "a Transaction's id is not a number from 1 to 4294967295");
	if ((n->flags & H248_F_BRACES) == 0 || n->nchild == 0)
		return mfail(err, n, tr->id, H248_E_SYNTAX_TRANS, "a Transaction has no action");
	for (a = h248_child(t, n, H248_TOK_NONE); a != NULL; a = h248_next(t, a, H248_TOK_NONE))
		if ((rc = check_action(t, a, tr->id, true, err)) < 0)
			return rc;
	return 0;
}

/* transactionReply = ReplyToken EQUAL TransactionID [SLASH SegmentNumber
 * [SLASH SegmentationCompleteToken]] LBRKT [ImmAckRequiredToken COMMA]
 * (errorDescriptor / actionReplyList) RBRKT */
static int
check_reply(const struct h248_tree *t, const struct h248_node *n, struct h248_trans *tr,
	    struct h248_err *err)
{
	const struct h248_node *c = h248_child(t, n, H248_TOK_NONE);
	uint16_t code;
	const char *txt;
	size_t len;
	int rc;

	if (tid_seg(t, n, tr) < 0)
		return mfail(err, n, 0, H248_E_SYNTAX_MSG,
			     "a Reply's id is not a number from 1 to 4294967295 [/segment[/END]]");
	if ((n->flags & H248_F_BRACES) == 0)
		return mfail(err, n, 0, H248_E_SYNTAX_MSG, "a Reply has no { }");
	if (c != NULL && c->tok == H248_TOK_IMMACKREQUIRED && c->op == H248_OP_NONE &&
	    c->nchild == 0) {
		tr->imm_ack = true;
		c = h248_next(t, c, H248_TOK_NONE);
	}
	if (c == NULL)
		return mfail(err, n, 0, H248_E_SYNTAX_MSG, "a Reply has neither an error nor an action");
	if (c->tok == H248_TOK_ERROR) {
		if (h248_error_of(t, c, &code, &txt, &len) < 0 || c->next != H248_NONE)
			return mfail(err, c, 0, H248_E_SYNTAX_MSG, "a Reply's error is malformed");
		tr->error = c;
		return 0;
	}
	for (; c != NULL; c = h248_next(t, c, H248_TOK_NONE))
		if ((rc = check_action(t, c, 0, false, err)) < 0)
			return rc;
	return 0;
}

int
h248_msg_parse(const struct h248_tree *t, struct h248_msg *m, struct h248_err *err)
{
	struct h248_err dummy;
	const struct h248_node *n;
	uint16_t code;
	const char *txt;
	size_t len;
	int rc;

	if (err == NULL)
		err = &dummy;
	memset(m, 0, sizeof(*m));
	err->code = 0;
	err->off = 0;
	err->tid = 0;
	err->why = "";
	m->version = t->version;
	m->auth = t->auth.len != 0;
	n = h248_node_at(t, t->body);
	if (n == NULL)
		return mfail(err, NULL, 0, H248_E_SYNTAX_MSG, "the message has no transaction");
	if (n->tok == H248_TOK_ERROR) {
		/* messageBody = errorDescriptor / transactionList */
		if (h248_error_of(t, n, &code, &txt, &len) < 0)
			return mfail(err, n, 0, H248_E_SYNTAX_MSG, "the message's error is malformed");
		if (n->next != H248_NONE)
			return mfail(err, n, 0, H248_E_SYNTAX_MSG,
				     "the message has an error and something after it");
		m->error = n;
		return 0;
	}
	for (; n != NULL; n = h248_next(t, n, H248_TOK_NONE)) {
		struct h248_trans *tr;

		if (m->ntrans >= H248_TRANS_MAX)
			return mfail(err, n, 0, H248_E_TOO_MANY_TRANS,
				     "the message has more transactions than this gateway takes");
		tr = &m->trans[m->ntrans];
		tr->node = n;
		switch (n->tok) {
		case H248_TOK_TRANSACTION:
			tr->kind = H248_TRANS_REQUEST;
			rc = check_request(t, n, tr, err);
			break;
		case H248_TOK_REPLY:
			tr->kind = H248_TRANS_REPLY;
			rc = check_reply(t, n, tr, err);
			break;
		case H248_TOK_PENDING:
			/* transactionPending = PendingToken EQUAL TransactionID
			 * LBRKT RBRKT */
			tr->kind = H248_TRANS_PENDING;
			rc = 0;
			if (n->op != H248_OP_EQ || n->vkind != H248_V_TOKEN ||
			    tid_of(t->text + n->value.off, n->value.len, &tr->id) < 0 ||
			    (n->flags & H248_F_BRACES) == 0 || n->nchild != 0)
				rc = mfail(err, n, 0, H248_E_SYNTAX_MSG,
					   "a Pending is not Pending = <id> { }");
			break;
		case H248_TOK_RESPONSEACK: {
			/* transactionResponseAck = ResponseAckToken LBRKT
			 * transactionAck *(COMMA transactionAck) RBRKT */
			const struct h248_node *k;
			uint32_t lo, hi;

			tr->kind = H248_TRANS_RESPONSEACK;
			rc = 0;
			if (n->op != H248_OP_NONE || (n->flags & H248_F_BRACES) == 0 || n->nchild == 0)
				rc = mfail(err, n, 0, H248_E_SYNTAX_MSG,
					   "a TransactionResponseAck is not { <id>, <id>-<id>, ... }");
			for (k = h248_child(t, n, H248_TOK_NONE); rc == 0 && k != NULL;
			     k = h248_next(t, k, H248_TOK_NONE))
				if (h248_ack_range(t, k, &lo, &hi) < 0)
					rc = mfail(err, k, 0, H248_E_SYNTAX_MSG,
						   "an acknowledged id or range is malformed");
			break;
		}
		case H248_TOK_SEGMENT:
			/* segmentReply = MessageSegmentToken EQUAL TransactionID
			 * SLASH SegmentNumber [SLASH SegmentationCompleteToken] */
			tr->kind = H248_TRANS_SEGMENTREPLY;
			rc = 0;
			if (tid_seg(t, n, tr) < 0 || tr->seg == 0 ||
			    (n->flags & (H248_F_BRACES | H248_F_RAW)) != 0)
				rc = mfail(err, n, 0, H248_E_SYNTAX_MSG,
					   "a Segment reply is not Segment = <id>/<segment>[/END]");
			break;
		default:
			rc = mfail(err, n, 0, H248_E_SYNTAX_MSG,
				   "the message holds something other than transactions");
			break;
		}
		if (rc < 0)
			return rc;
		m->ntrans++;
	}
	return 0;
}

int
h248_parse(struct h248_tree *t, const char *text, size_t len, struct h248_node *nodes,
	   uint32_t cap, struct h248_msg *m, struct h248_err *err)
{
	int rc = h248_parse_tree(t, text, len, nodes, cap, err);

	if (rc < 0) {
		memset(m, 0, sizeof(*m));
		m->version = t->version;
		return rc;
	}
	return h248_msg_parse(t, m, err);
}
