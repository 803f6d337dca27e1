/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/h248: the text encoding of H.248.1 version 3 (ITU-T H.248.1 Annex B),
 * read and written, with no EAL and no allocation. cp/iq carries its
 * transactions over UDP/TCP (Annex D) and maps its commands onto cp/agw.
 *
 * Three layers:
 *  - h248_parse_tree(): the whole message into a generic tree. Every item
 *    of Annex B's grammar has the form
 *        [timestamp ":"] ["O-"]["W-"] NAME [op VALUE] [ "{" item, ... "}" ]
 *    or is a bare quoted string (an ErrorDescriptor's text). NAME is a
 *    token of Annex B.3 (any spelling, any case: node->tok) or anything
 *    else (a package item, a termination id: H248_TOK_OTHER, the name as
 *    written). The bodies of Local, Remote and DigitMap are octet strings
 *    (SDP, a digit map), kept raw up to the first '}' not escaped as "\}".
 *    Nodes live in the caller's array; the text stays the caller's and
 *    must outlive the tree (nodes point into it by offset).
 *  - h248_msg_parse(): the message's meaning: the header (version, mId),
 *    a message-level ErrorDescriptor or the transactions (requests with
 *    their actions, replies, pendings, response acks), ids checked.
 *  - struct h248_w: a bounded writer of the canonical text (long token
 *    names, one layout), refusing (-ENOSPC) rather than truncating.
 *
 * Every refusal fills a struct h248_err: the H.248.8 error code to answer
 * with (400 when the message cannot be attributed, 403 inside a request
 * whose transaction id was read, 406, 413, 422, 443, 510: FEATURE.md's
 * table), the byte offset where it was found and a static sentence.
 */
#ifndef TP_H248_H
#define TP_H248_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- tokens ---- */

enum h248_tok {
	H248_TOK_NONE = 0,	/* a bare quoted string or a list element */
	H248_TOK_OTHER,		/* a name not in Annex B.3 (package items, ids) */
#define H248_TOKEN(id, l, s, a) H248_TOK_##id,
#include "h248_tokens.def"
#undef H248_TOKEN
	H248_TOK_COUNT
};

/* The token spelled name[0..len) in any of its forms, any case, or
 * H248_TOK_OTHER. */
enum h248_tok h248_tok_lookup(const char *name, size_t len);
/* The long form ("Add"), or NULL for NONE/OTHER/out of range. */
const char *h248_tok_name(enum h248_tok tok);
/* The short form ("A"), or NULL. */
const char *h248_tok_short(enum h248_tok tok);

/* ---- limits ---- */

#define H248_DEPTH_MAX   16u	/* nesting of braces (and lists) */
#define H248_NAME_MAX    160u	/* a name: pkg/item is 2 x 64 in Annex B */
#define H248_VALUE_MAX   1024u	/* a token or quoted value */
#define H248_OCTETS_MAX  16384u	/* a Local/Remote/DigitMap body */
#define H248_MSG_MAX     65535u	/* a message (a UDP datagram at most) */
#define H248_TRANS_MAX   32u	/* transactions in one message */

#define H248_NONE UINT32_MAX	/* no node */

/* Context ids as H.248.1 §6.1.1 reserves them ("-", "$", "*"). */
#define H248_CTX_NULL   0u
#define H248_CTX_CHOOSE 0xfffffffeu
#define H248_CTX_ALL    0xffffffffu

/* ---- errors ---- */

/* H.248.8's codes by name (h248_codes.def: H248_E_SYNTAX_MSG is 400, ...). */
enum h248_code {
#define H248_CODE(name, code, text) H248_E_##name = code,
#include "h248_codes.def"
#undef H248_CODE
};

struct h248_err {
	uint16_t code;		/* enum h248_code (an H.248.8 code) */
	uint32_t off;		/* where in the text */
	uint32_t tid;		/* the request it belongs to; 0: the message */
	const char *why;	/* a static sentence, never NULL after a call */
};

/* The usual sentence of an H.248.8 code ("Syntax error in message"),
 * or NULL for a code this library does not know. */
const char *h248_code_text(unsigned int code);

/* ---- the tree ---- */

struct h248_span {
	uint32_t off, len;
};

enum h248_op {
	H248_OP_NONE = 0,
	H248_OP_EQ,	/* = */
	H248_OP_NE,	/* # */
	H248_OP_GT,	/* > */
	H248_OP_LT,	/* < */
};

enum h248_vkind {
	H248_V_NONE = 0,
	H248_V_TOKEN,	/* 1*SafeChar: a number, a name, a termination id, ... */
	H248_V_QUOTED,	/* "..." (value without the quotes) */
	H248_V_LIST,	/* [a, b]: elements in node->elem */
	H248_V_RANGE,	/* [a : b]: two elements */
	H248_V_ALT,	/* {a, b}: alternatives (or a v3 TerminationIDList) */
	H248_V_MID,	/* [address]:port or <domain>:port (AD=, MG=) */
};

enum h248_flag {
	H248_F_OPTIONAL = 1u << 0,	/* "O-" before a command */
	H248_F_WILDREPLY = 1u << 1,	/* "W-" before a command */
	H248_F_BRACES = 1u << 2,	/* a { } child list (maybe empty) */
	H248_F_RAW = 1u << 3,		/* an octet-string body in node->raw */
};

struct h248_node {
	uint32_t off;		/* where the item starts */
	struct h248_span name;	/* as written, without O-/W-; empty for NONE */
	struct h248_span value;	/* the value (for lists: the whole [..]/{..}) */
	struct h248_span raw;	/* Local/Remote/DigitMap body, escapes kept */
	struct h248_span ts;	/* an observed event's timestamp, or empty */
	uint32_t child;		/* first child, H248_NONE */
	uint32_t next;		/* next sibling (or next list element) */
	uint32_t elem;		/* first element of a list value */
	uint16_t tok;		/* enum h248_tok */
	uint16_t nchild;
	uint8_t op;		/* enum h248_op */
	uint8_t vkind;		/* enum h248_vkind */
	uint8_t flags;		/* enum h248_flag */
};

enum h248_mid_kind {
	H248_MID_IP4 = 1,	/* [1.2.3.4][:port] */
	H248_MID_IP6,		/* [2001:db8::1][:port] */
	H248_MID_DOMAIN,	/* <name.example>[:port] */
	H248_MID_DEVICE,	/* a pathNAME */
	H248_MID_MTP,		/* MTP{hex} */
};

struct h248_tree {
	const char *text;
	uint32_t len;
	struct h248_node *nodes;	/* the caller's array */
	uint32_t cap, n;
	uint32_t body;		/* first top-level item, H248_NONE */
	uint8_t version;	/* MEGACO/<version> */
	uint8_t mid_kind;	/* enum h248_mid_kind */
	uint16_t port;		/* the mId's port, 0 if none */
	struct h248_span mid;	/* the mId as written */
	struct h248_span addr;	/* its address/name without []/<> and port */
	struct h248_span auth;	/* the authentication header, empty if none */
	struct h248_span auth_part[3];	/* its SPI, sequence number and AuthData:
					 * the hex digits after each "0x" */
	uint32_t body_off;	/* the message body's first byte: past the mId's
				 * SEP (its white space, line ends, comments) */
};

/*
 * Parse text[0..len) (no NUL needed) into t, using nodes[0..cap) (about
 * one node per item and list element; 64 bytes each). Returns 0, or
 * -EBADMSG (syntax), -E2BIG (a limit above or the node array exceeded),
 * -EPROTONOSUPPORT (a version above 3: the header is filled, so the
 * reply can be addressed) with *err filled.
 */
int h248_parse_tree(struct h248_tree *t, const char *text, size_t len,
		    struct h248_node *nodes, uint32_t cap, struct h248_err *err);

/*
 * The header alone (LWSP [authenticationHeader SEP] MEGACO/version SEP
 * mId SEP) into t: version, mId, the authentication header's span and
 * body_off; no node is made and the body is not read. 0 or the errors of
 * h248_parse_tree() for the header.
 */
int h248_parse_head(struct h248_tree *t, const char *text, size_t len, struct h248_err *err);

/*
 * The authentication header's fields (H.248.1 §10.2 and Annex B:
 * SecurityParmIndex, SequenceNum, AuthData, each "0x" and hex digits) from
 * a tree whose header had one: the SPI, the sequence number, and the
 * AuthData's bytes into data[0..cap) with their count in *dlen. 0, -ENOENT
 * (no header), -EINVAL (AuthData an odd number of digits, or over cap).
 */
int h248_auth_fields(const struct h248_tree *t, uint32_t *spi, uint32_t *seq, uint8_t *data,
		     size_t cap, size_t *dlen);

/* Two trees say the same (tokens, names, operators, values, bodies,
 * structure; spelling of tokens and layout aside). */
bool h248_tree_equal(const struct h248_tree *a, const struct h248_tree *b);

/* Write t back as canonical text (h248_w's layout; bare words, values and
 * bodies as written). Returns the length (NUL written after it), or
 * -ENOSPC. Parsing what it writes gives an equal tree. */
int h248_tree_write(const struct h248_tree *t, char *buf, size_t size);

/* ---- walking the tree ---- */

static inline const struct h248_node *
h248_node_at(const struct h248_tree *t, uint32_t i)
{
	return i < t->n ? &t->nodes[i] : NULL;
}

/* The first top-level item (transaction or message error), or NULL. */
const struct h248_node *h248_first(const struct h248_tree *t);
/* First child of parent with token tok (H248_TOK_NONE: any), or NULL;
 * NULL for a NULL parent, so lookups chain: h248_child(t, h248_child(t,
 * c, H248_TOK_ADD), H248_TOK_MEDIA). */
const struct h248_node *h248_child(const struct h248_tree *t,
				   const struct h248_node *parent, enum h248_tok tok);
/* The next sibling after n with token tok (H248_TOK_NONE: any), or NULL. */
const struct h248_node *h248_next(const struct h248_tree *t,
				  const struct h248_node *n, enum h248_tok tok);
/* First child of parent whose name is name (case-insensitive; package
 * items such as "ipnapt/latch"), or NULL. */
const struct h248_node *h248_child_named(const struct h248_tree *t,
					 const struct h248_node *parent, const char *name);
/* The first element of a list value (LIST, RANGE, ALT), then h248_next(). */
const struct h248_node *h248_elem(const struct h248_tree *t, const struct h248_node *n);

/* Pointer into the text and length of n's name / value (quotes removed). */
const char *h248_name(const struct h248_tree *t, const struct h248_node *n, size_t *len);
const char *h248_value(const struct h248_tree *t, const struct h248_node *n, size_t *len);
/* n's value is str (case-insensitive; H.248 values are tokens). */
bool h248_value_is(const struct h248_tree *t, const struct h248_node *n, const char *str);
/* n's value read as a token of Annex B.3 (Mode=SR is SENDRECV). */
enum h248_tok h248_value_tok(const struct h248_tree *t, const struct h248_node *n);
/* n's value as a decimal UINT32 (1*10 DIGIT, at most 4294967295): 0 or
 * -EINVAL. */
int h248_value_u32(const struct h248_tree *t, const struct h248_node *n, uint32_t *out);
/* n's value as a ContextID: a number 1..0xfffffffd, "-" (H248_CTX_NULL),
 * "$" (CHOOSE), "*" (ALL). 0 or -EINVAL. */
int h248_value_ctx(const struct h248_tree *t, const struct h248_node *n, uint32_t *out);
/* n's value as a copy with its NUL (quotes removed): the length, or
 * -ENOSPC (nothing copied beyond an empty string) / -ENOENT (no value). */
int h248_value_copy(const struct h248_tree *t, const struct h248_node *n,
		    char *buf, size_t size);
/* n's octet-string body (Local/Remote/DigitMap) unescaped ("\}" is "}")
 * into buf with a NUL: its length, -ENOENT (no body) or -ENOSPC. */
int h248_octets(const struct h248_tree *t, const struct h248_node *n,
		char *buf, size_t size);

/* ---- the message ---- */

enum h248_trans_kind {
	H248_TRANS_REQUEST = 1,	/* Transaction=N{ Context=..{..}, ... } */
	H248_TRANS_REPLY,	/* Reply=N[/seg[/END]]{ [ImmAckRequired,] ... } */
	H248_TRANS_PENDING,	/* Pending=N{} */
	H248_TRANS_RESPONSEACK,	/* TransactionResponseAck{N, N-M, ...} */
	H248_TRANS_SEGMENTREPLY, /* Segment=N/seg[/END] */
};

struct h248_trans {
	uint8_t kind;		/* enum h248_trans_kind */
	bool imm_ack;		/* a reply asks for an immediate ack */
	bool seg_end;		/* Reply/Segment: the last segment */
	uint16_t seg;		/* Reply/Segment: segment number, 0 if none */
	uint32_t id;		/* transaction id (RESPONSEACK: 0) */
	const struct h248_node *node;	/* the item; actions (Context) are
					 * its children, ack ranges too */
	const struct h248_node *error;	/* a reply's ErrorDescriptor */
};

struct h248_msg {
	uint8_t version;
	bool auth;		/* an authentication header was present (read,
				 * not checked) */
	const struct h248_node *error;	/* message-level ErrorDescriptor */
	uint32_t ntrans;
	struct h248_trans trans[H248_TRANS_MAX];
};

/*
 * The message layer over a parsed tree: checks and lists the transactions
 * (ids 1..4294967295; each request's children are Context=<id>{...} whose
 * children are commands or context properties; each reply's are
 * ImmAckRequired, an ErrorDescriptor or Context items). Returns 0 or
 * -EBADMSG / -E2BIG with *err (err->tid: the request to answer, if any).
 */
int h248_msg_parse(const struct h248_tree *t, struct h248_msg *m, struct h248_err *err);

/* Both layers at once. */
int h248_parse(struct h248_tree *t, const char *text, size_t len,
	       struct h248_node *nodes, uint32_t cap, struct h248_msg *m,
	       struct h248_err *err);

/* An ErrorDescriptor node's code and text (text may be NULL/0). 0 or
 * -EINVAL. */
int h248_error_of(const struct h248_tree *t, const struct h248_node *e,
		  uint16_t *code, const char **text, size_t *len);
/* A TransactionResponseAck element: "N" or "N-M" into [lo, hi]. 0 or
 * -EINVAL. */
int h248_ack_range(const struct h248_tree *t, const struct h248_node *n,
		   uint32_t *lo, uint32_t *hi);
/* Is n a command token (Add, Modify, Move, Subtract, AuditValue,
 * AuditCapability, Notify, ServiceChange)? */
bool h248_tok_is_command(enum h248_tok tok);

/* ---- the writer ---- */

/*
 * A message built item by item into the caller's buffer. Commas, braces'
 * layout and indentation are the writer's; the first error sticks
 * (-ENOSPC: the buffer is too small; -EINVAL: a name or value that is not
 * a token, nesting beyond H248_DEPTH_MAX, a close without an open) and
 * h248_w_finish() returns it. Values given as strings must be 1*SafeChar
 * (Annex B); quoted texts have characters a quotedString cannot hold
 * (the double quote, controls, non-ASCII) replaced by '\'' or '?'
 * because Annex B has no escape inside quotes.
 */
struct h248_w {
	char *buf;
	size_t size, len;
	int err;
	uint8_t depth;
	uint8_t items[H248_DEPTH_MAX + 1];	/* items written at each depth */
};

void h248_w_init(struct h248_w *w, char *buf, size_t size);
/* "MEGACO/<version> <mid>" and a line end; mid as written ("[1.2.3.4]:2944"). */
void h248_w_header(struct h248_w *w, unsigned int version, const char *mid);
/* "Name = value {" (value NULL: "Name {"). */
void h248_w_open(struct h248_w *w, enum h248_tok tok, const char *value);
void h248_w_open_u32(struct h248_w *w, enum h248_tok tok, uint32_t v);
void h248_w_open_name(struct h248_w *w, const char *name, const char *value);
/* "}" closing the last open. */
void h248_w_close(struct h248_w *w);
/* A leaf: "Name = value" (value NULL: the bare "Name"). */
void h248_w_item(struct h248_w *w, enum h248_tok tok, const char *value);
void h248_w_item_u32(struct h248_w *w, enum h248_tok tok, uint32_t v);
/* A package item "pkg/name <op> value" (op '=', '#', '>' or '<'). */
void h248_w_item_name(struct h248_w *w, const char *name, char op, const char *value);
/* "Name = \"text\"" (Reason, ...) and the bare "\"text\"". */
void h248_w_item_quoted(struct h248_w *w, enum h248_tok tok, const char *text);
void h248_w_quoted(struct h248_w *w, const char *text);
/* "Local {<data>}" with '}' escaped; data must not end with '\\' (it
 * would escape the closing brace: -EINVAL). */
void h248_w_octets(struct h248_w *w, enum h248_tok tok, const char *data, size_t len);
/* "Context = <id> {" ("-", "$", "*" for the reserved ids). */
void h248_w_context(struct h248_w *w, uint32_t ctx);
/* "Error = <code> {\"text\"}" (text NULL: the code's usual sentence). */
void h248_w_error(struct h248_w *w, unsigned int code, const char *text);
/* "Transaction = N {" / "Reply = N {[ImmAckRequired,]" (seg 0: none;
 * otherwise "N/seg[/END]") / "Pending = N {}". */
void h248_w_request(struct h248_w *w, uint32_t tid);
void h248_w_reply(struct h248_w *w, uint32_t tid, uint16_t seg, bool seg_end, bool imm_ack);
void h248_w_pending(struct h248_w *w, uint32_t tid);
/* "TransactionResponseAck {N, N-M, ...}" from n [lo, hi] pairs. */
void h248_w_response_ack(struct h248_w *w, const uint32_t (*ranges)[2], unsigned int n);
/* An observed event "[timestamp:]pkg/name {" (ts NULL: none; a TimeStamp
 * is Date "T" Time, 8 and 8 digits). */
void h248_w_open_observed(struct h248_w *w, const char *ts, const char *name);
/* The same with no parameters, a leaf: "[timestamp:]pkg/name" (Annex B
 * has no empty braces after an event). */
void h248_w_observed(struct h248_w *w, const char *ts, const char *name);
/* A package item with a quoted value: "pkg/name = \"text\"". */
void h248_w_item_name_quoted(struct h248_w *w, const char *name, const char *text);
/* Closes nothing: returns the length (the text NUL-terminated), or the
 * first error; -EINVAL too when a brace is left open. */
int h248_w_finish(struct h248_w *w);

#endif /* TP_H248_H */
