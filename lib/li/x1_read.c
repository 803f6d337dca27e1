/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The X1 reader (x1.h): an X1Request's bytes through libxml2 into struct
 * x1_req. libxml2 does the XML (well-formedness, character references,
 * namespaces); this file refuses what an X1 peer has no business sending
 * (a DOCTYPE, hence any entity; depth; size), then walks the tree by hand:
 * element names and namespaces, the order of the message header, the
 * required children of each served message, the lexical forms TS 103 280
 * gives (UUID, addresses, CIDRs, ports, timestamps). Without a schema this
 * is the whole check (ETSI's sequence order within taskDetails is not);
 * with one, the schema is judged first.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "x1.h"
#include "x1_internal.h"
#include "tp_common.h"

static const struct {
	const char *name;
	int served;
} ops[X1_OP_COUNT] = {
#define X1_OP(name, text, served) [X1_OP_##name] = { text, served },
#include "x1_ops.def"
#undef X1_OP
};

static const struct {
	const char *element;
	enum x1_target_kind kind;
} targets[] = {
#define X1_TARGET(element, kind) { #element, X1_T_##kind },
#include "x1_targets.def"
#undef X1_TARGET
};

const char *
x1_op_name(enum x1_op op)
{
	return op > X1_OP_NONE && op < X1_OP_COUNT ? ops[op].name : NULL;
}

int
x1_op_served(enum x1_op op)
{
	return op > X1_OP_NONE && op < X1_OP_COUNT ? ops[op].served : 0;
}

const char *
x1_err_text(int code)
{
	switch (code) {
#define X1_ERR(name, c, text) case c: return text;
#include "x1_errors.def"
#undef X1_ERR
	default:
		return NULL;
	}
}

void
x1_set_err(struct x1_err *err, int code, int line, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->code = code;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

/* ---- the guarded parse ---- */

/* SAX: a DOCTYPE stops the parse where it is declared, before any entity
 * of its internal subset is read (libxml2 2.9 has no XML_PARSE_NO_XXE). */
static void
refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *ext_id, const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name;
	(void)ext_id;
	(void)sys_id;
	ctxt->_private = (void *)ctxt;	/* the mark: a DOCTYPE was met */
	xmlStopParser(ctxt);
}

static void
quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* The deepest element nesting under (and counting) `root`, walked without
 * recursion; stops counting past X1_DEPTH_MAX + 1. */
static unsigned int
depth_of(xmlNodePtr root)
{
	unsigned int d = 1, max = 1;
	xmlNodePtr n = root;

	while (n != NULL) {
		if (n->children != NULL && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			if (++d > max)
				max = d;
			if (max > X1_DEPTH_MAX)
				return max;
			continue;
		}
		while (n != root && n->next == NULL) {
			n = n->parent;
			d--;
		}
		if (n == root)
			break;
		n = n->next;
	}
	return max;
}

int
x1_parse_doc(const char *body, size_t len, xmlDocPtr *doc, struct x1_err *err)
{
	xmlParserCtxtPtr ctxt;
	bool dtd;

	*doc = NULL;
	if (len > X1_BODY_MAX) {
		x1_set_err(err, X1_E_SYNTAX, 0, "request over %u bytes", X1_BODY_MAX);
		return -EMSGSIZE;
	}
	if (len == 0) {
		x1_set_err(err, X1_E_SYNTAX, 0, "empty request");
		return -EBADMSG;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return -ENOMEM;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->sax->externalSubset = refuse_dtd;
	ctxt->_private = NULL;
	ctxt->sax->serror = quiet;
	*doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, NULL,
				 XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
				 XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	dtd = ctxt->_private != NULL;
	if (*doc != NULL && (dtd || !ctxt->wellFormed || (*doc)->intSubset != NULL ||
			     (*doc)->extSubset != NULL)) {
		xmlFreeDoc(*doc);
		*doc = NULL;
	}
	if (*doc == NULL) {
		int line = ctxt->input != NULL ? ctxt->input->line : 0;

		xmlFreeParserCtxt(ctxt);
		if (dtd)
			x1_set_err(err, X1_E_SYNTAX, line, "a DOCTYPE is not accepted");
		else
			x1_set_err(err, X1_E_SYNTAX, line, "not well-formed XML");
		return -EBADMSG;
	}
	xmlFreeParserCtxt(ctxt);
	if (xmlDocGetRootElement(*doc) == NULL ||
	    depth_of(xmlDocGetRootElement(*doc)) > X1_DEPTH_MAX) {
		x1_set_err(err, X1_E_SYNTAX, 0, "nested deeper than %u elements", X1_DEPTH_MAX);
		xmlFreeDoc(*doc);
		*doc = NULL;
		return -EBADMSG;
	}
	return 0;
}

/* ---- lexical forms (TS 103 280) ---- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* the patterns are lowercase */
}

int
x1_uuid_parse(const char *s, uint8_t out[16])
{
	static const int dash[] = { 8, 13, 18, 23 };
	int i, o = 0, d = 0;

	if (s == NULL || strlen(s) != 36)
		return -EINVAL;
	for (i = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return -EINVAL;
			d++;
			continue;
		}
		if (hexval(s[i]) < 0 || (o % 2 == 0 && hexval(s[i + 1]) < 0))
			return -EINVAL;
		if (o % 2 == 0)
			out[o / 2] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
		o++;
	}
	return o == 32 ? 0 : -EINVAL;
}

/* n decimal digits (exactly) at s into *v. */
static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* 1 to `max` decimal digits, the whole string, value <= lim. */
static int
small_uint(const char *s, int max, unsigned long lim, unsigned long *v)
{
	int i;

	*v = 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max || s[i] < '0' || s[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (unsigned long)(s[i] - '0');
	}
	return i > 0 && *v <= lim ? 0 : -EINVAL;
}

/* IPv4Address: four dotted parts of 1-3 digits up to 255. */
static int
parse_ipv4(const char *s, uint8_t out[4])
{
	char part[4];
	unsigned long v;
	int i, n;

	for (i = 0; i < 4; i++) {
		for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
			if (n >= 3)
				return -EINVAL;
		if (n == 0 || s[n] != (i < 3 ? '.' : '\0'))
			return -EINVAL;
		memcpy(part, s, (size_t)n);
		part[n] = '\0';
		if (small_uint(part, 3, 255, &v) != 0)
			return -EINVAL;
		out[i] = (uint8_t)v;
		s += n + (i < 3);
	}
	return 0;
}

/* IPv6Address: eight groups of four lowercase hex digits, nothing shorter
 * (TS 103 280's pattern). */
static int
parse_ipv6(const char *s, uint8_t out[16])
{
	int i;

	if (strlen(s) != 39)
		return -EINVAL;
	for (i = 0; i < 8; i++, s += 5) {
		if (hexval(s[0]) < 0 || hexval(s[1]) < 0 || hexval(s[2]) < 0 ||
		    hexval(s[3]) < 0 || s[4] != (i < 7 ? ':' : '\0'))
			return -EINVAL;
		out[2 * i] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
		out[2 * i + 1] = (uint8_t)(hexval(s[2]) << 4 | hexval(s[3]));
	}
	return 0;
}

/* IPv4CIDR (prefix 0-32) or IPv6CIDR (prefix 1-128). */
static int
parse_cidr(const char *s, int family, uint8_t out[16], uint8_t *prefix)
{
	char a[48];
	const char *slash = strchr(s, '/');
	unsigned long p;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (small_uint(slash + 1, 3, family == 4 ? 32 : 128, &p) != 0 ||
	    (slash[1] == '0' && slash[2] != '\0') || (family == 6 && p == 0))
		return -EINVAL;
	*prefix = (uint8_t)p;
	return family == 4 ? parse_ipv4(a, out) : parse_ipv6(a, out);
}

/* QualifiedMicrosecondDateTime: YYYY-MM-DDTHH:MM:SS.uuuuuu then Z or
 * +hh:mm / -hh:mm, into µs since 1970 UTC. */
static int
parse_time(const char *s, int64_t *us)
{
	int y, mo, d, h, mi, sec, frac, oh = 0, om = 0, sign = 0;
	struct tm tm;
	time_t t;

	if (strlen(s) < 27 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || s[10] != 'T' || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec) || s[19] != '.' || digits(s + 20, 6, &frac))
		return -EINVAL;
	if (strcmp(s + 26, "Z") == 0) {
		sign = 0;
	} else if (strlen(s + 26) == 6 && (s[26] == '+' || s[26] == '-') &&
		   !digits(s + 27, 2, &oh) && s[29] == ':' && !digits(s + 30, 2, &om)) {
		sign = s[26] == '+' ? 1 : -1;
	} else {
		return -EINVAL;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    oh > 14 || om > 59)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	t -= sign * (oh * 3600 + om * 60);
	*us = (int64_t)t * 1000000 + frac;
	return 0;
}

/* xs:nonNegativeInteger that fits 64 bits (the PDU's correlation ID). */
static int
parse_u64(const char *s, uint64_t *v)
{
	int i;

	*v = 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || *v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -EINVAL;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return i > 0 ? 0 : -EINVAL;
}

/* ---- the tree ---- */

struct rd {
	struct x1_msg *m;
};

/* The message's first refusal wins: its code and sentence. */
static void
refuse(struct rd *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
refuse(struct rd *r, int code, const char *fmt, ...)
{
	va_list ap;

	if (r->m->code != 0)
		return;
	r->m->code = code;
	va_start(ap, fmt);
	vsnprintf(r->m->text, sizeof(r->m->text), fmt, ap);
	va_end(ap);
}

static bool
in_ns(xmlNodePtr n, const char *ns)
{
	return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

static bool
is_el(xmlNodePtr n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && in_ns(n, ns) &&
	       strcmp((const char *)n->name, name) == 0;
}

/* The element at or after n among its siblings, skipping comments and
 * processing instructions; text there (element-only content) sets *bad. */
static xmlNodePtr
el_from(xmlNodePtr n, bool *bad)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return n;
		if (n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE)
			*bad = true;
	}
	return NULL;
}

static xmlNodePtr
el_next(xmlNodePtr n, bool *bad)
{
	return n != NULL ? el_from(n->next, bad) : NULL;
}

/*
 * The text of a simple element into buf (NUL-terminated): its text nodes
 * joined, leading and trailing white space dropped when `token` (xs:token
 * and the enumerations). -EINVAL for an element child or a NUL, -E2BIG when
 * it does not fit.
 */
static int
text_of(xmlNodePtr el, char *buf, size_t size, bool token)
{
	size_t len = 0, l;
	xmlNodePtr c;
	char *p;

	for (c = el->children; c != NULL; c = c->next) {
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
			continue;
		if (c->type != XML_TEXT_NODE || c->content == NULL)
			return -EINVAL;
		l = strlen((const char *)c->content);
		if (l >= size - len)
			return -E2BIG;
		memcpy(buf + len, c->content, l);
		len += l;
	}
	buf[len] = '\0';
	if (!token)
		return 0;
	for (p = buf; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
		;
	l = strlen(p);
	while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t' || p[l - 1] == '\n' ||
			 p[l - 1] == '\r'))
		l--;
	memmove(buf, p, l);
	buf[l] = '\0';
	return 0;
}

/* A simple element's token into buf, or a 101 naming it. */
static int
token_of(struct rd *r, xmlNodePtr el, char *buf, size_t size)
{
	int rc = text_of(el, buf, size, true);

	if (rc == -E2BIG)
		refuse(r, X1_E_SYNTAX, "%s too long", (const char *)el->name);
	else if (rc != 0)
		refuse(r, X1_E_SYNTAX, "%s is not a simple value", (const char *)el->name);
	return rc;
}

static int
uuid_of(struct rd *r, xmlNodePtr el, uint8_t out[16])
{
	char s[64];

	if (token_of(r, el, s, sizeof(s)) != 0)
		return -EINVAL;
	if (x1_uuid_parse(s, out) != 0) {
		refuse(r, X1_E_SYNTAX, "%s is not a UUID", (const char *)el->name);
		return -EINVAL;
	}
	return 0;
}

static enum x1_delivery
delivery_of(struct rd *r, xmlNodePtr el)
{
	char s[16];

	if (token_of(r, el, s, sizeof(s)) != 0)
		return X1_DELIVERY_NONE;
	if (strcmp(s, "X2Only") == 0)
		return X1_DELIVERY_X2_ONLY;
	if (strcmp(s, "X3Only") == 0)
		return X1_DELIVERY_X3_ONLY;
	if (strcmp(s, "X2andX3") == 0)
		return X1_DELIVERY_X2_AND_X3;
	refuse(r, X1_E_SYNTAX, "deliveryType is not X2Only, X3Only or X2andX3");
	return X1_DELIVERY_NONE;
}

/* The one element child of a choice (IPCIDR, IPAddress, Port...). */
static xmlNodePtr
only_child(struct rd *r, xmlNodePtr el)
{
	bool bad = false;
	xmlNodePtr c = el_from(el->children, &bad);

	if (c == NULL || bad || el_next(c, &bad) != NULL || bad) {
		refuse(r, X1_E_SYNTAX, "%s must hold one element", (const char *)el->name);
		return NULL;
	}
	return c;
}

/* The element's namespace is 3GPP's X1 extensions (any release). */
static bool
in_3gpp(xmlNodePtr n)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL && n->ns->href != NULL &&
	       strncmp((const char *)n->ns->href, X1_NS_3GPP_PREFIX,
		       sizeof(X1_NS_3GPP_PREFIX) - 1) == 0;
}

/* Whether a and b are in one namespace: by its name (href), not by the
 * declaration (an element redeclaring it, under another prefix or as the
 * default, has a namespace of its own that is the same one; review L2). */
static bool
same_ns(xmlNodePtr a, xmlNodePtr b)
{
	return a->ns != NULL && b->ns != NULL && a->ns->href != NULL && b->ns->href != NULL &&
	       strcmp((const char *)a->ns->href, (const char *)b->ns->href) == 0;
}

/*
 * A targetIdentifierExtension (TS 103 221-1's Extension: an Owner, then
 * any element of another namespace). The one turnpike serves is 3GPP's
 * LI_T3 trigger for an IMS media function (TS 33.128; its X1 extensions
 * schema's IMST3TargetIdentifierExtensions: a sequence of
 * IMST3TargetIdentifierExtension, each a choice of H248ContextID,
 * PayloadDirectionAssignment, TriggerScope): the H248ContextID once
 * (required), the other two at most once. Another owner or another
 * extension: OTHER (401); the trigger malformed: 101 (docs/design/li.md
 * §2.7).
 */
#define X1_T3_ITEMS_MAX 8u
static void
read_ext(struct rd *r, xmlNodePtr el, struct x1_target *t)
{
	bool bad = false, ctx = false;
	char s[32];
	unsigned int n = 0;
	uint64_t v;
	xmlNodePtr o = el_from(el->children, &bad), x, c, k;

	if (o == NULL || !is_el(o, X1_NS, "Owner")) {
		refuse(r, X1_E_SYNTAX, "targetIdentifierExtension lacks its Owner");
		return;
	}
	if (token_of(r, o, s, sizeof(s)) != 0)
		return;
	x = el_next(o, &bad);
	if (strcmp(s, "3GPP") != 0 || x == NULL || !in_3gpp(x) ||
	    strcmp((const char *)x->name, "IMST3TargetIdentifierExtensions") != 0 ||
	    el_next(x, &bad) != NULL) {
		t->kind = X1_T_OTHER;   /* an extension turnpike does not serve */
		return;
	}
	for (c = el_from(x->children, &bad); c != NULL; c = el_next(c, &bad)) {
		if (!in_3gpp(c) || !same_ns(c, x) ||
		    strcmp((const char *)c->name, "IMST3TargetIdentifierExtension") != 0) {
			refuse(r, X1_E_SYNTAX, "IMST3TargetIdentifierExtensions holds an "
			       "element other than IMST3TargetIdentifierExtension");
			return;
		}
		if (++n > X1_T3_ITEMS_MAX) {
			refuse(r, X1_E_SYNTAX, "more than %u IMST3TargetIdentifierExtension",
			       X1_T3_ITEMS_MAX);
			return;
		}
		if ((k = only_child(r, c)) == NULL)
			return;
		if (!same_ns(k, x)) {
			refuse(r, X1_E_SYNTAX, "IMST3TargetIdentifierExtension holds an "
			       "element of another namespace");
			return;
		}
		if (token_of(r, k, s, sizeof(s)) != 0)
			return;
		if (strcmp((const char *)k->name, "H248ContextID") == 0 && !ctx) {
			ctx = true;
			if (parse_u64(s, &v) != 0 || v < X1_T3_CTX_MIN || v > X1_T3_CTX_MAX) {
				refuse(r, X1_E_SYNTAX, "H248ContextID is not an integer of "
				       "%u to %u", X1_T3_CTX_MIN, X1_T3_CTX_MAX);
				return;
			}
			t->h248_ctx = (uint32_t)v;
		} else if (strcmp((const char *)k->name, "PayloadDirectionAssignment") == 0 &&
			   t->t3_dir == X1_T3_DIR_NONE) {
			if (strcmp(s, "ToTarget") == 0)
				t->t3_dir = X1_T3_DIR_TO_TARGET;
			else if (strcmp(s, "FromTarget") == 0)
				t->t3_dir = X1_T3_DIR_FROM_TARGET;
			else if (strcmp(s, "NotDetermined") == 0)
				t->t3_dir = X1_T3_DIR_NOT_DETERMINED;
			else {
				refuse(r, X1_E_SYNTAX, "PayloadDirectionAssignment is not "
				       "ToTarget, FromTarget or NotDetermined");
				return;
			}
		} else if (strcmp((const char *)k->name, "TriggerScope") == 0 &&
			   t->t3_scope == X1_T3_SCOPE_NONE) {
			if (strcmp(s, "Unidirectional") == 0)
				t->t3_scope = X1_T3_SCOPE_UNI;
			else if (strcmp(s, "Bidirectional") == 0)
				t->t3_scope = X1_T3_SCOPE_BI;
			else {
				refuse(r, X1_E_SYNTAX, "TriggerScope is not Unidirectional or "
				       "Bidirectional");
				return;
			}
		} else {
			refuse(r, X1_E_SYNTAX, "IMST3TargetIdentifierExtension holds %s, or "
			       "one given twice", (const char *)k->name);
			return;
		}
	}
	if (bad)
		refuse(r, X1_E_SYNTAX, "text inside targetIdentifierExtension");
	else if (!ctx)
		refuse(r, X1_E_SYNTAX, "IMST3TargetIdentifierExtensions names no H248ContextID");
}

/* One targetIdentifier (a choice of x1_targets.def). */
static void
read_target(struct rd *r, xmlNodePtr el, struct x1_target *t)
{
	char s[X1_TEXT_MAX];
	xmlNodePtr c = only_child(r, el), v;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (c == NULL)
		return;
	for (i = 0; i < TP_ARRAY_SIZE(targets); i++)
		if (is_el(c, X1_NS, targets[i].element))
			break;
	if (i == TP_ARRAY_SIZE(targets)) {
		refuse(r, X1_E_SYNTAX, "targetIdentifier holds an element TS 103 221-1 "
		       "does not define");
		return;
	}
	t->kind = targets[i].kind;
	snprintf(t->element, sizeof(t->element), "%s", targets[i].element);
	switch (t->kind) {
	case X1_T_NAI:
		/* xs:string: kept as written */
		if (text_of(c, t->nai, sizeof(t->nai), false) != 0 || t->nai[0] == '\0')
			refuse(r, X1_E_SYNTAX, "nai is not a simple value of 1 to %u bytes",
			       X1_TEXT_MAX - 1);
		break;
	case X1_T_IPV4:
		t->family = 4;
		t->prefix = 32;
		if (token_of(r, c, s, sizeof(s)) == 0 && parse_ipv4(s, t->addr) != 0)
			refuse(r, X1_E_SYNTAX, "ipv4Address is not an IPv4 address");
		break;
	case X1_T_IPV6:
		t->family = 6;
		t->prefix = 128;
		if (token_of(r, c, s, sizeof(s)) == 0 && parse_ipv6(s, t->addr) != 0)
			refuse(r, X1_E_SYNTAX, "ipv6Address is not eight groups of four "
			       "lowercase hex digits");
		break;
	case X1_T_IPV4_CIDR:
		/* TS 103 280's IPCIDR: a choice of IPv4CIDR and IPv6CIDR */
		v = only_child(r, c);
		if (v == NULL)
			break;
		if (is_el(v, X1_NS_280, "IPv4CIDR"))
			t->family = 4;
		else if (is_el(v, X1_NS_280, "IPv6CIDR"))
			t->family = 6;
		else {
			refuse(r, X1_E_SYNTAX, "ipv4Cidr holds neither IPv4CIDR nor IPv6CIDR");
			break;
		}
		if (token_of(r, v, s, sizeof(s)) == 0 &&
		    parse_cidr(s, t->family, t->addr, &t->prefix) != 0)
			refuse(r, X1_E_SYNTAX, "ipv4Cidr is not an address and a prefix length");
		if (t->family == 6)
			t->kind = X1_T_IPV6_CIDR;
		break;
	case X1_T_IPV6_CIDR:
		t->family = 6;
		if (token_of(r, c, s, sizeof(s)) == 0 && parse_cidr(s, 6, t->addr, &t->prefix) != 0)
			refuse(r, X1_E_SYNTAX, "ipv6Cidr is not an address and a prefix length");
		break;
	case X1_T_IMS_T3:
		read_ext(r, c, t);
		break;
	case X1_T_OTHER:
		break;
	}
}

/* listOfDIDs: dId* then dSId* (destination sets: not served). */
static void
read_dids(struct rd *r, xmlNodePtr el, uint8_t dids[][16], uint8_t *n)
{
	bool bad = false;
	xmlNodePtr c;

	for (c = el_from(el->children, &bad); c != NULL; c = el_next(c, &bad)) {
		if (is_el(c, X1_NS, "dId")) {
			if (*n >= X1_DIDS_MAX) {
				refuse(r, X1_E_GENERIC, "more than %u destinations", X1_DIDS_MAX);
				return;
			}
			uuid_of(r, c, dids[(*n)++]);
		} else if (is_el(c, X1_NS, "dSId")) {
			refuse(r, X1_E_GENERIC, "destination sets are not supported");
		} else {
			refuse(r, X1_E_SYNTAX, "listOfDIDs holds an element other than dId");
		}
	}
	if (bad)
		refuse(r, X1_E_SYNTAX, "text inside listOfDIDs");
}

/* §6.2.1.2 TaskDetails. */
static void
read_task(struct rd *r, xmlNodePtr el, struct x1_task *t)
{
	static const char *const optional[] = {
		"listOfMediationDetails", "listOfServiceTypes", "taskDetailsExtensions",
		"listOfTrafficPolicyReferences",
	};
	bool bad = false, xid = false, tids = false, dids = false, unserved = false;
	char s[32];
	xmlNodePtr c, tc;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->implicit_deactivation = -1;
	for (c = el_from(el->children, &bad); c != NULL; c = el_next(c, &bad)) {
		if (is_el(c, X1_NS, "xId") && !xid) {
			xid = true;
			uuid_of(r, c, t->xid);
		} else if (is_el(c, X1_NS, "targetIdentifiers") && !tids) {
			tids = true;
			for (tc = el_from(c->children, &bad); tc != NULL; tc = el_next(tc, &bad)) {
				if (!is_el(tc, X1_NS, "targetIdentifier")) {
					refuse(r, X1_E_SYNTAX, "targetIdentifiers holds an element "
					       "other than targetIdentifier");
					continue;
				}
				if (t->n_targets >= X1_TARGETS_MAX) {
					refuse(r, X1_E_GENERIC, "more than %u targets", X1_TARGETS_MAX);
					break;
				}
				read_target(r, tc, &t->targets[t->n_targets]);
				if (t->targets[t->n_targets].kind == X1_T_OTHER)
					unserved = true;
				t->n_targets++;
			}
			if (t->n_targets == 0)
				refuse(r, X1_E_SYNTAX, "targetIdentifiers is empty");
		} else if (is_el(c, X1_NS, "deliveryType") && t->delivery == X1_DELIVERY_NONE) {
			t->delivery = delivery_of(r, c);
		} else if (is_el(c, X1_NS, "listOfDIDs") && !dids) {
			dids = true;
			read_dids(r, c, t->dids, &t->n_dids);
		} else if (is_el(c, X1_NS, "correlationID") && !t->has_corr) {
			t->has_corr = true;
			if (token_of(r, c, s, sizeof(s)) == 0 && parse_u64(s, &t->corr) != 0)
				refuse(r, X1_E_SYNTAX, "correlationID is not an integer of 64 bits");
		} else if (is_el(c, X1_NS, "implicitDeactivationAllowed") &&
			   t->implicit_deactivation < 0) {
			if (token_of(r, c, s, sizeof(s)) != 0)
				continue;
			if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
				t->implicit_deactivation = 1;
			else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
				t->implicit_deactivation = 0;
			else
				refuse(r, X1_E_SYNTAX, "implicitDeactivationAllowed is not a boolean");
		} else if (is_el(c, X1_NS, "productID") && !t->has_product) {
			t->has_product = true;
			uuid_of(r, c, t->product);
		} else {
			for (i = 0; i < TP_ARRAY_SIZE(optional); i++)
				if (is_el(c, X1_NS, optional[i]))
					break;
			if (i < TP_ARRAY_SIZE(optional))
				t->extras = true;
			else
				refuse(r, X1_E_SYNTAX, "taskDetails holds an unexpected %s",
				       (const char *)c->name);
		}
	}
	if (bad)
		refuse(r, X1_E_SYNTAX, "text inside taskDetails");
	if (!xid || !tids || t->delivery == X1_DELIVERY_NONE || !dids)
		refuse(r, X1_E_SYNTAX, "taskDetails lacks xId, targetIdentifiers, deliveryType "
		       "or listOfDIDs");
	if (unserved)
		refuse(r, X1_E_TARGET_NOT_SUPPORTED, "a target type this NE does not serve");
}

/* deliveryAddress/ipAddressAndPort (TS 103 280 IPAddressPort). */
static void
read_address(struct rd *r, xmlNodePtr el, struct x1_dest *d)
{
	bool bad = false;
	char s[64];
	unsigned long port = 0;
	xmlNodePtr c = only_child(r, el), a, p, v;

	if (c == NULL)
		return;
	if (!is_el(c, X1_NS, "ipAddressAndPort")) {
		if (is_el(c, X1_NS, "e164Number") || is_el(c, X1_NS, "uri") ||
		    is_el(c, X1_NS, "emailAddress"))
			refuse(r, X1_E_DELIVERY_NOT_POSSIBLE, "only an IP address and TCP port");
		else
			refuse(r, X1_E_SYNTAX, "deliveryAddress holds an unexpected element");
		return;
	}
	d->ip_port = true;
	a = el_from(c->children, &bad);
	p = el_next(a, &bad);
	if (!is_el(a, X1_NS_280, "address") || !is_el(p, X1_NS_280, "port") ||
	    el_next(p, &bad) != NULL || bad) {
		refuse(r, X1_E_SYNTAX, "ipAddressAndPort is not an address and a port");
		return;
	}
	v = only_child(r, a);
	if (v != NULL && is_el(v, X1_NS_280, "IPv4Address")) {
		d->family = 4;
		if (token_of(r, v, s, sizeof(s)) == 0 && parse_ipv4(s, d->addr) != 0)
			refuse(r, X1_E_SYNTAX, "IPv4Address is not an IPv4 address");
	} else if (v != NULL && is_el(v, X1_NS_280, "IPv6Address")) {
		d->family = 6;
		if (token_of(r, v, s, sizeof(s)) == 0 && parse_ipv6(s, d->addr) != 0)
			refuse(r, X1_E_SYNTAX, "IPv6Address is not eight groups of four "
			       "lowercase hex digits");
	} else if (v != NULL) {
		refuse(r, X1_E_SYNTAX, "address is neither IPv4Address nor IPv6Address");
	}
	v = only_child(r, p);
	if (v == NULL)
		return;
	if (is_el(v, X1_NS_280, "TCPPort")) {
		d->tcp = true;
	} else if (!is_el(v, X1_NS_280, "UDPPort")) {
		refuse(r, X1_E_SYNTAX, "port is neither TCPPort nor UDPPort");
		return;
	}
	/* TCPPort: 2..65535 (minExclusive 1); UDPPort 0..65535 */
	if (token_of(r, v, s, sizeof(s)) == 0 &&
	    (small_uint(s, 5, 65535, &port) != 0 || (d->tcp && port < 2)))
		refuse(r, X1_E_SYNTAX, "port is not a port number");
	d->port = (uint16_t)port;
	if (!d->tcp)
		refuse(r, X1_E_DELIVERY_NOT_POSSIBLE, "only an IP address and TCP port");
}

/* §6.3.1.2 DestinationDetails. */
static void
read_dest(struct rd *r, xmlNodePtr el, struct x1_dest *d)
{
	bool bad = false, did = false, addr = false;
	xmlNodePtr c;

	memset(d, 0, sizeof(*d));
	for (c = el_from(el->children, &bad); c != NULL; c = el_next(c, &bad)) {
		if (is_el(c, X1_NS, "dId") && !did) {
			did = true;
			uuid_of(r, c, d->did);
		} else if (is_el(c, X1_NS, "friendlyName") && !d->has_friendly) {
			d->has_friendly = true;
			if (text_of(c, d->friendly, sizeof(d->friendly), false) != 0)
				refuse(r, X1_E_SYNTAX, "friendlyName is not a simple value of at "
				       "most %u bytes", X1_TEXT_MAX - 1);
		} else if (is_el(c, X1_NS, "deliveryType") && d->delivery == X1_DELIVERY_NONE) {
			d->delivery = delivery_of(r, c);
		} else if (is_el(c, X1_NS, "deliveryAddress") && !addr) {
			addr = true;
			read_address(r, c, d);
		} else if (is_el(c, X1_NS, "destinationDetailsExtensions")) {
			d->extras = true;
		} else {
			refuse(r, X1_E_SYNTAX, "destinationDetails holds an unexpected %s",
			       (const char *)c->name);
		}
	}
	if (bad)
		refuse(r, X1_E_SYNTAX, "text inside destinationDetails");
	if (!did || d->delivery == X1_DELIVERY_NONE || !addr)
		refuse(r, X1_E_SYNTAX, "destinationDetails lacks dId, deliveryType or "
		       "deliveryAddress");
}

/* The xsi:type of a message, resolved against its namespaces, as an op:
 * X1_OP_NONE unless it is "<op>Request" in the X1 namespace. */
static enum x1_op
op_of(xmlDocPtr doc, xmlNodePtr el)
{
	xmlChar *qn = xmlGetNsProp(el, BAD_CAST "type", BAD_CAST X1_NS_XSI);
	const char *local, *colon;
	char prefix[64];
	xmlNsPtr ns;
	enum x1_op op = X1_OP_NONE;
	int i;

	if (qn == NULL)
		return X1_OP_NONE;
	colon = strchr((const char *)qn, ':');
	if (colon != NULL) {
		if ((size_t)(colon - (const char *)qn) >= sizeof(prefix))
			goto out_free_qn;
		memcpy(prefix, qn, (size_t)(colon - (const char *)qn));
		prefix[colon - (const char *)qn] = '\0';
		ns = xmlSearchNs(doc, el, BAD_CAST prefix);
		local = colon + 1;
	} else {
		ns = xmlSearchNs(doc, el, NULL);
		local = (const char *)qn;
	}
	if (ns == NULL || ns->href == NULL || strcmp((const char *)ns->href, X1_NS) != 0)
		goto out_free_qn;
	for (i = X1_OP_NONE + 1; i < X1_OP_COUNT; i++) {
		size_t l = strlen(ops[i].name);

		if (strncmp(local, ops[i].name, l) == 0 && strcmp(local + l, "Request") == 0) {
			op = (enum x1_op)i;
			break;
		}
	}
out_free_qn:
	xmlFree(qn);
	return op;
}

/* §6.1: the five header elements, in order; the first body element into
 * *body. 0, or -EBADMSG with *err. */
static int
read_hdr(xmlNodePtr el, struct x1_hdr *h, xmlNodePtr *body, struct x1_err *err, unsigned int i)
{
	static const char *const names[5] = {
		"admfIdentifier", "neIdentifier", "messageTimestamp", "version", "x1TransactionId",
	};
	bool bad = false;
	char s[64];
	xmlNodePtr c = el_from(el->children, &bad);
	int k;

	for (k = 0; k < 5; k++, c = el_next(c, &bad)) {
		int rc;

		if (!is_el(c, X1_NS, names[k]) || bad)
			goto out_bad;
		if (k == 0)
			rc = text_of(c, h->admf, sizeof(h->admf), true);
		else if (k == 1)
			rc = text_of(c, h->ne, sizeof(h->ne), true);
		else if (k == 3)
			rc = text_of(c, h->version, sizeof(h->version), true);
		else
			rc = text_of(c, s, sizeof(s), true);
		if (rc != 0)
			goto out_bad;
		if ((k == 0 && h->admf[0] == '\0') || (k == 1 && h->ne[0] == '\0') ||
		    (k == 2 && parse_time(s, &h->timestamp_us) != 0) ||
		    (k == 3 && (strncmp(h->version, "v1.", 3) != 0)) ||
		    (k == 4 && x1_uuid_parse(s, h->txid) != 0))
			goto out_bad;
	}
	*body = c;
	if (!bad)
		return 0;
out_bad:
	x1_set_err(err, X1_E_SYNTAX, c != NULL ? (int)xmlGetLineNo(c) : 0,
		   "message %u: its header (%s) does not read", i + 1, k < 5 ? names[k] : "text");
	return -EBADMSG;
}

/* The body of a served message, after its header. */
static void
read_body(struct rd *r, xmlNodePtr c)
{
	struct x1_msg *m = r->m;
	bool bad = false;

	switch (m->op) {
	case X1_OP_ACTIVATE_TASK:
	case X1_OP_MODIFY_TASK:
		if (is_el(c, X1_NS, "taskDetails"))
			read_task(r, c, &m->u.task);
		else
			refuse(r, X1_E_SYNTAX, "%s without taskDetails", x1_op_name(m->op));
		break;
	case X1_OP_DEACTIVATE_TASK:
	case X1_OP_GET_TASK_DETAILS:
		if (is_el(c, X1_NS, "xId"))
			uuid_of(r, c, m->u.xid);
		else
			refuse(r, X1_E_SYNTAX, "%s without xId", x1_op_name(m->op));
		break;
	case X1_OP_CREATE_DESTINATION:
	case X1_OP_MODIFY_DESTINATION:
		if (is_el(c, X1_NS, "destinationDetails"))
			read_dest(r, c, &m->u.dest);
		else
			refuse(r, X1_E_SYNTAX, "%s without destinationDetails", x1_op_name(m->op));
		break;
	case X1_OP_REMOVE_DESTINATION:
		if (is_el(c, X1_NS, "dId"))
			uuid_of(r, c, m->u.did);
		else
			refuse(r, X1_E_SYNTAX, "%s without dId", x1_op_name(m->op));
		break;
	case X1_OP_GET_ALL_DETAILS:
	case X1_OP_KEEPALIVE:
		if (c != NULL)
			refuse(r, X1_E_SYNTAX, "%s holds an unexpected %s", x1_op_name(m->op),
			       (const char *)c->name);
		return;
	default:
		return;
	}
	if (c != NULL && (el_next(c, &bad) != NULL || bad))
		refuse(r, X1_E_SYNTAX, "%s holds more than its body", x1_op_name(m->op));
}

int
x1_read(const char *body, size_t len, const struct x1_schema *schema,
	struct x1_req *req, struct x1_err *err)
{
	struct x1_err serr = { 0 };
	bool bad = false, invalid = false;
	xmlNodePtr root, el, first;
	xmlDocPtr doc;
	int rc;

	if (body == NULL || req == NULL)
		return -EINVAL;
	req->n = 0;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	rc = x1_parse_doc(body, len, &doc, err);
	if (rc < 0)
		return rc;
	root = xmlDocGetRootElement(doc);
	if (!is_el(root, X1_NS, "X1Request")) {
		x1_set_err(err, X1_E_SYNTAX, (int)xmlGetLineNo(root), "not an X1Request");
		rc = -EBADMSG;
		goto out_free_doc;
	}
	if (schema != NULL) {
		rc = x1_schema_check_doc(schema, doc, &serr);
		if (rc == -ENOMEM)
			goto out_free_doc;
		invalid = rc != 0;
	}
	for (el = el_from(root->children, &bad); el != NULL; el = el_next(el, &bad)) {
		struct rd r;
		struct x1_msg *m;

		if (!is_el(el, X1_NS, "x1RequestMessage") || req->n >= X1_MSG_MAX) {
			x1_set_err(err, X1_E_SYNTAX, (int)xmlGetLineNo(el), req->n >= X1_MSG_MAX
				   ? "more than %u messages" : "X1Request holds an element other "
				   "than x1RequestMessage (at most %u)", X1_MSG_MAX);
			rc = -EBADMSG;
			goto out_free_doc;
		}
		m = &req->msgs[req->n];
		memset(m, 0, sizeof(*m));
		m->op = op_of(doc, el);
		if (m->op == X1_OP_NONE) {
			x1_set_err(err, X1_E_SYNTAX, (int)xmlGetLineNo(el),
				   "message %u: its xsi:type is not an X1 request", req->n + 1);
			rc = -EBADMSG;
			goto out_free_doc;
		}
		rc = read_hdr(el, &m->hdr, &first, err, req->n);
		if (rc < 0)
			goto out_free_doc;
		r.m = m;
		if (invalid)
			refuse(&r, X1_E_SYNTAX, "line %d: %s", serr.line, serr.text);
		if (x1_op_served(m->op))
			read_body(&r, first);
		else
			refuse(&r, X1_E_GENERIC, "%s is not served by this NE", x1_op_name(m->op));
		req->n++;
	}
	if (bad || req->n == 0) {
		x1_set_err(err, X1_E_SYNTAX, 0, bad ? "text inside X1Request" : "no message");
		rc = -EBADMSG;
		goto out_free_doc;
	}
	rc = 0;
out_free_doc:
	xmlFreeDoc(doc);
	if (rc < 0)
		req->n = 0;
	return rc;
}
