/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/h248: the generic tree of a text message (H.248.1 Annex B.2/B.3).
 *
 * A recursive descent over bytes, bounded by H248_DEPTH_MAX, into the
 * caller's node array. The grammar's productions all reduce to one item
 * shape (see h248.h); what is special is lexical: the octet strings of
 * Local/Remote/DigitMap, the mId of the header and of
 * ServiceChangeAddress/MgcIdToTry ('[' is an address there, a list
 * elsewhere), the observed event's "timestamp :" prefix, the "O-"/"W-"
 * command prefixes. Nothing is trusted: each byte class is checked
 * against Annex B's SafeChar/RestChar, each length bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "h248.h"
#include "h248_internal.h"

struct parser {
	struct h248_tree *t;
	const char *s;
	uint32_t len, pos;
	uint32_t tid;		/* the request being read, 0 outside one */
	struct h248_err *err;
};

/* Annex B.2: SafeChar = DIGIT / ALPHA / "+" / "-" / "&" / "!" / "_" / "/"
 * / "'" / "?" / "@" / "^" / "`" / "~" / "*" / "$" / "\" / "(" / ")" /
 * "%" / "|" / "." */
bool
h248_safe_char(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	switch (c) {
	case '+': case '-': case '&': case '!': case '_': case '/': case '\'':
	case '?': case '@': case '^': case '`': case '~': case '*': case '$':
	case '\\': case '(': case ')': case '%': case '|': case '.':
		return true;
	default:
		return false;
	}
}

/* RestChar = ";" / "[" / "]" / "{" / "}" / ":" / "," / "#" / "<" / ">" / "=" */
bool
h248_rest_char(unsigned char c)
{
	switch (c) {
	case ';': case '[': case ']': case '{': case '}': case ':': case ',':
	case '#': case '<': case '>': case '=':
		return true;
	default:
		return false;
	}
}

static int
fail(struct parser *p, int rc, uint16_t code, const char *why)
{
	p->err->code = p->tid != 0 && code == H248_E_SYNTAX_MSG ? H248_E_SYNTAX_TRANS : code;
	p->err->off = p->pos;
	p->err->tid = p->tid;
	p->err->why = why;
	return rc;
}

#define SYNTAX(p, why) fail((p), -EBADMSG, H248_E_SYNTAX_MSG, (why))
#define TOOBIG(p, why) fail((p), -E2BIG, H248_E_RESOURCES, (why))

static int
peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* LWSP = *(WSP / COMMENT / EOL); COMMENT = ";" *(SafeChar / RestChar /
 * WSP / DQUOTE) EOL. Returns how much it skipped, or -1 on a byte a
 * comment cannot hold. A comment ended by the end of the message is
 * taken (the message's end is its end of line). */
static int
skip_lwsp(struct parser *p)
{
	uint32_t start = p->pos;

	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			p->pos++;
		} else if (c == ';') {
			p->pos++;
			while (p->pos < p->len) {
				c = (unsigned char)p->s[p->pos];
				if (c == '\r' || c == '\n')
					break;
				if (!h248_safe_char(c) && !h248_rest_char(c) && c != ' ' &&
				    c != '\t' && c != '"')
					return -1;
				p->pos++;
			}
		} else {
			break;
		}
	}
	return (int)(p->pos - start);
}

static int
lwsp(struct parser *p)
{
	if (skip_lwsp(p) < 0)
		return SYNTAX(p, "a comment holds a byte Annex B does not allow");
	return 0;
}

static uint32_t
safe_run(const struct parser *p, uint32_t from)
{
	uint32_t i = from;

	while (i < p->len && h248_safe_char((unsigned char)p->s[i]))
		i++;
	return i - from;
}

static struct h248_node *
new_node(struct parser *p, uint32_t *idx)
{
	struct h248_node *n;

	if (p->t->n >= p->t->cap)
		return NULL;
	*idx = p->t->n++;
	n = &p->t->nodes[*idx];
	memset(n, 0, sizeof(*n));
	n->off = p->pos;
	n->child = n->next = n->elem = H248_NONE;
	return n;
}

/* quotedString = DQUOTE *(SafeChar / RestChar / WSP) DQUOTE */
static int
parse_quoted(struct parser *p, struct h248_span *v)
{
	uint32_t start;

	p->pos++;		/* the opening quote */
	start = p->pos;
	while (p->pos < p->len && p->s[p->pos] != '"') {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (!h248_safe_char(c) && !h248_rest_char(c) && c != ' ' && c != '\t')
			return SYNTAX(p, "a quoted string holds a byte Annex B does not allow");
		if (p->pos - start >= H248_VALUE_MAX)
			return TOOBIG(p, "a quoted string is longer than this gateway takes");
		p->pos++;
	}
	if (p->pos >= p->len)
		return SYNTAX(p, "the message ends inside a quoted string");
	v->off = start;
	v->len = p->pos - start;
	p->pos++;
	return 0;
}

/* VALUE = quotedString / 1*(SafeChar) */
static int
parse_VALUE(struct parser *p, struct h248_span *v, uint8_t *kind)
{
	uint32_t n;

	if (peek(p) == '"') {
		*kind = H248_V_QUOTED;
		return parse_quoted(p, v);
	}
	n = safe_run(p, p->pos);
	if (n == 0)
		return SYNTAX(p, "a value is missing");
	if (n > H248_VALUE_MAX)
		return TOOBIG(p, "a value is longer than this gateway takes");
	v->off = p->pos;
	v->len = n;
	p->pos += n;
	*kind = H248_V_TOKEN;
	return 0;
}

/* One list element as a node chained behind *prev. */
static int
parse_elem(struct parser *p, uint32_t *head, uint32_t *prev)
{
	struct h248_node *e;
	uint32_t idx;
	int rc;

	e = new_node(p, &idx);
	if (e == NULL)
		return TOOBIG(p, "the message has more items than this gateway takes");
	e->tok = H248_TOK_NONE;
	rc = parse_VALUE(p, &e->value, &e->vkind);
	if (rc < 0)
		return rc;
	if (*prev == H248_NONE)
		*head = idx;
	else
		p->t->nodes[*prev].next = idx;
	*prev = idx;
	return 0;
}

/*
 * alternativeValue's lists: "[" VALUE *(COMMA VALUE) "]" (all of them),
 * "[" VALUE COLON VALUE "]" (a range), "{" VALUE *(COMMA VALUE) "}" (one
 * of them). The opening bracket is at p->pos.
 */
static int
parse_list(struct parser *p, uint32_t ni)
{
	char close = p->s[p->pos] == '[' ? ']' : '}';
	uint32_t start = p->pos, head = H248_NONE, prev = H248_NONE, count = 0;
	uint8_t kind = close == ']' ? H248_V_LIST : H248_V_ALT;
	int rc;

	p->pos++;
	for (;;) {
		if ((rc = lwsp(p)) < 0)
			return rc;
		if ((rc = parse_elem(p, &head, &prev)) < 0)
			return rc;
		count++;
		/* a range's COLON is %x3A alone: no LWSP around it */
		if (peek(p) == ':' && close == ']' && count == 1) {
			kind = H248_V_RANGE;
			p->pos++;
			if ((rc = parse_elem(p, &head, &prev)) < 0)
				return rc;
			count++;
		}
		if ((rc = lwsp(p)) < 0)
			return rc;
		if (peek(p) == ',' && kind != H248_V_RANGE) {
			p->pos++;
			continue;
		}
		if (peek(p) == close)
			break;
		if (peek(p) < 0)
			return SYNTAX(p, "the message ends inside a list of values");
		return SYNTAX(p, "a list of values goes on with neither ',' nor its closing bracket");
	}
	p->pos++;
	p->t->nodes[ni].vkind = kind;
	p->t->nodes[ni].elem = head;
	p->t->nodes[ni].value.off = start;
	p->t->nodes[ni].value.len = p->pos - start;
	return 0;
}

/* "[" 1*(HEXDIG / "." / ":") "]" checked as an IPv4 or IPv6 address. */
static int
parse_bracket_addr(struct parser *p, struct h248_span *addr, uint8_t *kind)
{
	uint32_t start = ++p->pos;
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];
	size_t n;

	while (p->pos < p->len && p->s[p->pos] != ']' && p->pos - start <= INET6_ADDRSTRLEN)
		p->pos++;
	if (p->pos >= p->len || p->s[p->pos] != ']')
		return SYNTAX(p, "an address in brackets is not closed by ']'");
	n = p->pos - start;
	if (n >= sizeof(buf) - 1)
		return SYNTAX(p, "an address in brackets is longer than any IPv6 address");
	for (size_t i = 0; i < n; i++)
		if (strchr("0123456789abcdefABCDEF.:", p->s[start + i]) == NULL || p->s[start + i] == '\0')
			return SYNTAX(p, "an address in brackets holds a character no address has");
	memcpy(buf, p->s + start, n);
	buf[n] = '\0';
	if (n > 0 && strchr(buf, ':') == NULL && inet_pton(AF_INET, buf, bin) == 1)
		*kind = H248_MID_IP4;
	else if (n > 0 && strchr(buf, ':') != NULL && inet_pton(AF_INET6, buf, bin) == 1)
		*kind = H248_MID_IP6;
	else
		return SYNTAX(p, "the address in brackets is neither IPv4 nor IPv6");
	addr->off = start;
	addr->len = (uint32_t)n;
	p->pos++;
	return 0;
}

/* [":" portNumber] after an address; portNumber = UINT16. */
static int
parse_port(struct parser *p, uint16_t *port)
{
	uint32_t v = 0, n = 0;

	*port = 0;
	if (peek(p) != ':')
		return 0;
	p->pos++;
	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9' && n < 6) {
		v = v * 10 + (uint32_t)(p->s[p->pos] - '0');
		p->pos++;
		n++;
	}
	if (n == 0 || n > 5 || v > 65535)
		return SYNTAX(p, "a port is not a number up to 65535");
	*port = (uint16_t)v;
	return 0;
}

/*
 * mId = ((domainAddress / domainName) [":" portNumber]) / mtpAddress /
 * deviceName. domainName = "<" (ALPHA / DIGIT) *63(ALPHA / DIGIT / "-" /
 * ".") ">"; mtpAddress = MTPToken LBRKT 4*8(HEXDIG) RBRKT; deviceName =
 * pathNAME.
 */
static int
parse_mid(struct parser *p, struct h248_span *text, struct h248_span *addr,
	  uint8_t *kind, uint16_t *port)
{
	uint32_t start = p->pos, n;
	int rc, c = peek(p);

	*port = 0;
	if (c == '[') {
		if ((rc = parse_bracket_addr(p, addr, kind)) < 0)
			return rc;
		if ((rc = parse_port(p, port)) < 0)
			return rc;
	} else if (c == '<') {
		uint32_t s0 = ++p->pos;

		while (p->pos < p->len && p->pos - s0 <= 64) {
			char d = p->s[p->pos];

			if (!((d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') ||
			      (d >= 'A' && d <= 'Z') || (p->pos > s0 && (d == '-' || d == '.'))))
				break;
			p->pos++;
		}
		if (p->pos == s0 || p->pos - s0 > 64 || peek(p) != '>')
			return SYNTAX(p, "a domain name is not <name> of up to 64 letters, digits, '-', '.'");
		addr->off = s0;
		addr->len = p->pos - s0;
		p->pos++;
		*kind = H248_MID_DOMAIN;
		if ((rc = parse_port(p, port)) < 0)
			return rc;
	} else {
		n = safe_run(p, p->pos);
		if (n == 3 && strncasecmp(p->s + p->pos, "MTP", 3) == 0) {
			uint32_t s0;

			p->pos += 3;
			if ((rc = lwsp(p)) < 0)
				return rc;
			if (peek(p) != '{')
				return SYNTAX(p, "an MTP address is not MTP{hex}");
			p->pos++;
			if ((rc = lwsp(p)) < 0)
				return rc;
			s0 = p->pos;
			while (p->pos < p->len && strchr("0123456789abcdefABCDEF", p->s[p->pos]) &&
			       p->s[p->pos] != '\0')
				p->pos++;
			n = p->pos - s0;
			if ((rc = lwsp(p)) < 0)
				return rc;
			if (n < 4 || n > 8 || peek(p) != '}')
				return SYNTAX(p, "an MTP address is not MTP{4 to 8 hex digits}");
			addr->off = s0;
			addr->len = n;
			p->pos++;
			*kind = H248_MID_MTP;
		} else {
			/* pathNAME = ["*"] NAME *("/" / "*" / ALPHA / DIGIT / "_" /
			 * "$") ["@" pathDomainName] */
			uint32_t i;
			char c0;

			if (n == 0 || n > H248_NAME_MAX)
				return SYNTAX(p, "the mId is missing or too long");
			c0 = p->s[p->pos];
			if (!(c0 == '*' || (c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z')))
				return SYNTAX(p, "a device name does not start with a letter or '*'");
			for (i = 0; i < n; i++)
				if (strchr("+&!'?^`~\\()%|", p->s[p->pos + i]))
					return SYNTAX(p, "a device name holds a character pathNAME does not allow");
			addr->off = p->pos;
			addr->len = n;
			p->pos += n;
			*kind = H248_MID_DEVICE;
		}
	}
	text->off = start;
	text->len = p->pos - start;
	return 0;
}

/* The body of Local/Remote/DigitMap: octetString = *(nonEscapeChar),
 * nonEscapeChar = ("\}" / %x01-7C / %x7E-FF); the '{' is at p->pos.
 * Leading white space and line ends are skipped. */
static int
parse_octets(struct parser *p, struct h248_span *raw)
{
	uint32_t start;

	/* LBRKT = LWSP "{" LWSP: the line end a writer puts after the brace
	 * is not the body's (the body's own line ends are kept, the last
	 * one too: it may be SDP's) */
	p->pos++;
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) != NULL && p->s[p->pos] != '\0')
		p->pos++;
	start = p->pos;

	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == '}')
			break;
		if (c == '\0')
			return SYNTAX(p, "an octet string holds a NUL byte");
		if (c == '\\' && p->pos + 1 < p->len && p->s[p->pos + 1] == '}')
			p->pos++;
		p->pos++;
		if (p->pos - start > H248_OCTETS_MAX)
			return TOOBIG(p, "a Local/Remote/DigitMap body is larger than this gateway takes");
	}
	if (p->pos >= p->len)
		return SYNTAX(p, "the message ends inside a Local/Remote/DigitMap body");
	raw->off = start;
	raw->len = p->pos - start;
	p->pos++;
	return 0;
}

/* TimeStamp = Date "T" Time; Date = 8(DIGIT); Time = 8(DIGIT) */
static bool
is_timestamp(const char *s, uint32_t n)
{
	uint32_t i;

	if (n != 17 || (s[8] != 'T' && s[8] != 't'))
		return false;
	for (i = 0; i < 17; i++)
		if (i != 8 && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

/* A name before an operator or a brace: letters, digits and the few
 * characters package, item and termination names use. */
static bool
good_name(const char *s, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '/' || c == '*' || c == '-' || c == '.' || c == '$' ||
		      c == '@'))
			return false;
	}
	return true;
}

static bool
raw_body_tok(uint16_t tok)
{
	return tok == H248_TOK_LOCAL || tok == H248_TOK_REMOTE || tok == H248_TOK_DIGITMAP;
}

static bool
mid_value_tok(uint16_t tok)
{
	return tok == H248_TOK_SERVICECHANGEADDRESS || tok == H248_TOK_MGCIDTOTRY;
}

static int parse_items(struct parser *p, uint32_t parent, unsigned int depth);

/* The value after '=' (EQUAL alternativeValue, or what a few tokens put
 * there instead). */
static int
parse_eq_value(struct parser *p, uint32_t ni)
{
	struct h248_node *n = &p->t->nodes[ni];
	int c = peek(p), rc;

	if (mid_value_tok(n->tok) && (c == '[' || c == '<')) {
		struct h248_span addr;
		uint8_t kind;
		uint16_t port;

		n->vkind = H248_V_MID;
		return parse_mid(p, &n->value, &addr, &kind, &port);
	}
	if (c == '{' && n->tok == H248_TOK_DIGITMAP)
		return 0;	/* DigitMap = {body}: the body follows */
	if (c == '[' || c == '{')
		return parse_list(p, ni);
	rc = parse_VALUE(p, &n->value, &n->vkind);
	return rc;
}

static int
parse_item(struct parser *p, uint32_t *out, unsigned int depth)
{
	struct h248_node *n;
	uint32_t ni, len;
	int rc, c;

	if (depth > H248_DEPTH_MAX)
		return SYNTAX(p, "items are nested deeper than this gateway takes");
	n = new_node(p, &ni);
	if (n == NULL)
		return TOOBIG(p, "the message has more items than this gateway takes");
	*out = ni;
	c = peek(p);
	if (c == '"') {
		n->tok = H248_TOK_NONE;
		n->vkind = H248_V_QUOTED;
		return parse_quoted(p, &n->value);
	}
	len = safe_run(p, p->pos);
	if (len == 0) {
		if (c < 0)
			return SYNTAX(p, "the message ends where an item was expected");
		return SYNTAX(p, "an item starts with neither a name nor a quoted string");
	}
	if (len > H248_NAME_MAX)
		return SYNTAX(p, "a name is longer than Annex B allows");
	n->name.off = p->pos;
	n->name.len = len;
	p->pos += len;
	if ((rc = lwsp(p)) < 0)
		return rc;
	if (peek(p) == ':') {
		/* observedEvent = [TimeStamp LWSP COLON] LWSP pkgdName ... */
		if (!is_timestamp(p->s + n->name.off, n->name.len))
			return SYNTAX(p, "a ':' follows something that is not a timestamp");
		n->ts = n->name;
		p->pos++;
		if ((rc = lwsp(p)) < 0)
			return rc;
		len = safe_run(p, p->pos);
		if (len == 0 || len > H248_NAME_MAX)
			return SYNTAX(p, "an observed event's name is missing after its timestamp");
		n->name.off = p->pos;
		n->name.len = len;
		p->pos += len;
		if ((rc = lwsp(p)) < 0)
			return rc;
	}
	n->tok = (uint16_t)h248_tok_lookup(p->s + n->name.off, n->name.len);
	if (n->tok == H248_TOK_OTHER && n->ts.len == 0) {
		/* commandRequestList: ["O-"] ["W-"] commandRequest */
		struct h248_span nm = n->name;
		uint8_t fl = 0;
		enum h248_tok tk;

		if (nm.len > 2 && strncasecmp(p->s + nm.off, "O-", 2) == 0) {
			fl |= H248_F_OPTIONAL;
			nm.off += 2;
			nm.len -= 2;
		}
		if (nm.len > 2 && strncasecmp(p->s + nm.off, "W-", 2) == 0) {
			fl |= H248_F_WILDREPLY;
			nm.off += 2;
			nm.len -= 2;
		}
		tk = h248_tok_lookup(p->s + nm.off, nm.len);
		if (fl != 0 && h248_tok_is_command(tk)) {
			n->flags |= fl;
			n->name = nm;
			n->tok = (uint16_t)tk;
		}
	}
	c = peek(p);
	if (c == '=' || c == '#' || c == '>' || c == '<') {
		n->op = c == '=' ? H248_OP_EQ : c == '#' ? H248_OP_NE :
			c == '>' ? H248_OP_GT : H248_OP_LT;
		p->pos++;
		if ((rc = lwsp(p)) < 0)
			return rc;
		if (n->op == H248_OP_EQ)
			rc = parse_eq_value(p, ni);
		else	/* INEQUAL VALUE */
			rc = parse_VALUE(p, &p->t->nodes[ni].value, &p->t->nodes[ni].vkind);
		if (rc < 0)
			return rc;
		n = &p->t->nodes[ni];
		if ((rc = lwsp(p)) < 0)
			return rc;
	}
	if (peek(p) == '{') {
		if (raw_body_tok(n->tok)) {
			n->flags |= H248_F_RAW;
			if ((rc = parse_octets(p, &n->raw)) < 0)
				return rc;
		} else {
			uint32_t save = p->tid;

			/* a request's transaction id: its errors are answered on it */
			if (depth == 1 && n->tok == H248_TOK_TRANSACTION) {
				uint32_t tid;

				if (h248_value_u32(p->t, n, &tid) == 0 && tid != 0)
					p->tid = tid;
			}
			n->flags |= H248_F_BRACES;
			p->pos++;
			rc = parse_items(p, ni, depth + 1);
			if (rc < 0)
				return rc;
			p->tid = save;
		}
	} else if (n->op == H248_OP_EQ && n->vkind == H248_V_NONE) {
		return SYNTAX(p, "DigitMap = is followed by neither a name nor a body");
	}
	if ((n->op != H248_OP_NONE || (n->flags & (H248_F_BRACES | H248_F_RAW)) != 0) &&
	    !good_name(p->s + n->name.off, n->name.len))
		return SYNTAX(p, "a name holds a character Annex B does not allow there");
	return 0;
}

static void
link_child(struct parser *p, uint32_t parent, uint32_t *prev, uint32_t ci)
{
	if (*prev == H248_NONE) {
		if (parent == H248_NONE)
			p->t->body = ci;
		else
			p->t->nodes[parent].child = ci;
	} else {
		p->t->nodes[*prev].next = ci;
	}
	if (parent != H248_NONE)
		p->t->nodes[parent].nchild++;
	*prev = ci;
}

/* "item *(COMMA item) RBRKT" or an empty "RBRKT"; the '{' is read. */
static int
parse_items(struct parser *p, uint32_t parent, unsigned int depth)
{
	uint32_t prev = H248_NONE, ci;
	int rc;

	if ((rc = lwsp(p)) < 0)
		return rc;
	if (peek(p) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		if ((rc = parse_item(p, &ci, depth)) < 0)
			return rc;
		link_child(p, parent, &prev, ci);
		if ((rc = lwsp(p)) < 0)
			return rc;
		if (peek(p) == ',') {
			p->pos++;
			if ((rc = lwsp(p)) < 0)
				return rc;
			continue;
		}
		if (peek(p) == '}') {
			p->pos++;
			return 0;
		}
		if (peek(p) < 0)
			return SYNTAX(p, "the message ends before a '}'");
		return SYNTAX(p, "an item goes on with neither ',' nor '}'");
	}
}

/* SEP = (WSP / EOL / COMMENT) LWSP */
static int
sep(struct parser *p, const char *why)
{
	int n = skip_lwsp(p);

	if (n < 0)
		return SYNTAX(p, "a comment holds a byte Annex B does not allow");
	if (n == 0)
		return SYNTAX(p, why);
	return 0;
}

/* authenticationHeader = AuthToken EQUAL SecurityParmIndex COLON
 * SequenceNum COLON AuthData; "0x" 8 HEXDIG, "0x" 8 HEXDIG, "0x" 24*64
 * HEXDIG. */
static int
parse_auth(struct parser *p)
{
	static const uint8_t lo[3] = { 8, 8, 24 }, hi[3] = { 8, 8, 64 };
	uint32_t start = p->pos, n;
	int i, rc;

	p->pos += safe_run(p, p->pos);
	if ((rc = lwsp(p)) < 0)
		return rc;
	if (peek(p) != '=')
		return SYNTAX(p, "an authentication header has no '='");
	p->pos++;
	if ((rc = lwsp(p)) < 0)
		return rc;
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (peek(p) != ':')
				return SYNTAX(p, "an authentication header's parts are not joined by ':'");
			p->pos++;
		}
		if (p->len - p->pos < 2 || p->s[p->pos] != '0' ||
		    (p->s[p->pos + 1] != 'x' && p->s[p->pos + 1] != 'X'))
			return SYNTAX(p, "an authentication header's part does not start with 0x");
		p->pos += 2;
		n = 0;
		while (p->pos < p->len && p->s[p->pos] != '\0' &&
		       strchr("0123456789abcdefABCDEF", p->s[p->pos]) != NULL) {
			p->pos++;
			n++;
		}
		if (n < lo[i] || n > hi[i])
			return SYNTAX(p, "an authentication header's part has the wrong number of hex digits");
		p->t->auth_part[i].off = p->pos - n;
		p->t->auth_part[i].len = n;
	}
	p->t->auth.off = start;
	p->t->auth.len = p->pos - start;
	return sep(p, "the authentication header runs into the message");
}

/* LWSP [authenticationHeader SEP] MegacopToken SLASH Version SEP mId SEP */
static int
parse_header(struct parser *p)
{
	struct h248_tree *t = p->t;
	uint32_t n, v = 0, i;
	enum h248_tok tk;
	int rc;

	if ((rc = lwsp(p)) < 0)
		return rc;
	n = safe_run(p, p->pos);
	tk = h248_tok_lookup(p->s + p->pos, n);
	if (tk == H248_TOK_AUTH) {
		if ((rc = parse_auth(p)) < 0)
			return rc;
		n = safe_run(p, p->pos);
	}
	/* "!/3" is one safe run; "MEGACO/3" too */
	if (n >= 3 && p->s[p->pos] == '!' && p->s[p->pos + 1] == '/')
		i = 2;
	else if (n >= 8 && strncasecmp(p->s + p->pos, "MEGACO/", 7) == 0)
		i = 7;
	else
		return SYNTAX(p, "the message does not start with MEGACO/<version>");
	if (n - i > 2)
		return SYNTAX(p, "the version has more than two digits");
	for (; i < n; i++) {
		char c = p->s[p->pos + i];

		if (c < '0' || c > '9')
			return SYNTAX(p, "the version is not a number");
		v = v * 10 + (uint32_t)(c - '0');
	}
	p->pos += n;
	t->version = (uint8_t)v;
	if ((rc = sep(p, "no space between the version and the mId")) < 0)
		return rc;
	if ((rc = parse_mid(p, &t->mid, &t->addr, &t->mid_kind, &t->port)) < 0)
		return rc;
	if ((rc = sep(p, "no space after the mId")) < 0)
		return rc;
	t->body_off = p->pos;
	/* the rest may be another version's grammar: refuse it before reading */
	if (v < 1 || v > 3)
		return fail(p, -EPROTONOSUPPORT, H248_E_VERSION,
			    "this gateway speaks H.248 versions 1 to 3");
	return 0;
}

/* The parser over text[0..len) into t, and its header read: 0 or the
 * header's error. */
static int
begin(struct parser *p, struct h248_tree *t, const char *text, size_t len,
      struct h248_node *nodes, uint32_t cap, struct h248_err *err, struct h248_err *dummy)
{
	*p = (struct parser){ .t = t, .s = text, .err = err != NULL ? err : dummy };
	if (text == NULL) {	/* no pointer arithmetic on NULL below */
		text = "";
		len = 0;
		p->s = text;
	}
	memset(t, 0, sizeof(*t));
	t->text = text;
	t->nodes = nodes;
	t->cap = cap;
	t->body = H248_NONE;
	p->err->code = 0;
	p->err->off = 0;
	p->err->tid = 0;
	p->err->why = "";
	if (len > H248_MSG_MAX) {
		p->len = 0;
		return TOOBIG(p, "the message is larger than this gateway takes");
	}
	t->len = p->len = (uint32_t)len;
	return parse_header(p);
}

int
h248_parse_head(struct h248_tree *t, const char *text, size_t len, struct h248_err *err)
{
	struct h248_err dummy;
	struct parser p;

	return begin(&p, t, text, len, NULL, 0, err, &dummy);
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
h248_auth_fields(const struct h248_tree *t, uint32_t *spi, uint32_t *seq, uint8_t *data,
		 size_t cap, size_t *dlen)
{
	const char *d = t->text + t->auth_part[2].off;
	uint32_t v[2] = { 0, 0 };

	if (t->auth.len == 0)
		return -ENOENT;
	/* (parse_auth() checked the digits: 8, 8 and 24..64) */
	for (int i = 0; i < 2; i++)
		for (uint32_t k = 0; k < t->auth_part[i].len; k++)
			v[i] = v[i] << 4 |
			       (uint32_t)hex_nibble(t->text[t->auth_part[i].off + k]);
	if (t->auth_part[2].len % 2 != 0 || t->auth_part[2].len / 2 > cap)
		return -EINVAL;
	for (uint32_t k = 0; k < t->auth_part[2].len / 2; k++)
		data[k] = (uint8_t)(hex_nibble(d[2 * k]) << 4 | hex_nibble(d[2 * k + 1]));
	*spi = v[0];
	*seq = v[1];
	*dlen = t->auth_part[2].len / 2;
	return 0;
}

int
h248_parse_tree(struct h248_tree *t, const char *text, size_t len,
		struct h248_node *nodes, uint32_t cap, struct h248_err *err)
{
	struct h248_err dummy;
	struct parser p;
	uint32_t prev = H248_NONE, ci;
	int rc;

	if ((rc = begin(&p, t, text, len, nodes, cap, err, &dummy)) < 0)
		return rc;
	/* transactionList = 1*(transactionRequest / transactionReply /
	 * transactionPending / transactionResponseAck / segmentReply): no
	 * commas between them */
	while (p.pos < p.len) {
		if ((rc = parse_item(&p, &ci, 1)) < 0)
			return rc;
		link_child(&p, H248_NONE, &prev, ci);
		if ((rc = lwsp(&p)) < 0)
			return rc;
		if (peek(&p) == ',' || peek(&p) == '}')
			return SYNTAX(&p, "a ',' or '}' between transactions");
	}
	if (t->body == H248_NONE)
		return SYNTAX(&p, "the message has no transaction or error");
	return 0;
}
