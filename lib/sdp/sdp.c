/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SDP subset of an H.248 Local/Remote descriptor for the access
 * gateway's TCP bearers: parse, derive a termination's roles, write our
 * answer. See sdp.h and FEATURE.md.
 *
 * RFC 8866 section 5: "<type>=<value>", type one lower-case letter, no
 * space around '='; lines end with CRLF, and a parser "SHOULD" take LF
 * alone. The order is v o s i u e p c b t r z k a at session level, then
 * per m= section i c b k a; a type letter not known makes the description
 * one the parser does not understand (refused here, not guessed at).
 * H.248.1 (its SDP annex and clause 7.1.8) lets o=, s= and t= be left out
 * and gives the CHOOSE wildcard `$` for the fields the gateway fills in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sdp.h"

static const struct {
	const char *name;
	const char *help;
} errs[] = {
	[SDP_OK] = { "ok", "no error" },
#define SDP_ERR(e, n, what) [SDP_E_##e] = { n, what },
#include "sdp_errors.def"
#undef SDP_ERR
};

const char *
sdp_err_name(enum sdp_err e)
{
	return (unsigned int)e < SDP_E_COUNT ? errs[e].name : NULL;
}

const char *
sdp_err_help(enum sdp_err e)
{
	return (unsigned int)e < SDP_E_COUNT ? errs[e].help : NULL;
}

static const char *const setup_names[] = {
	[SDP_SETUP_ACTIVE] = "active",
	[SDP_SETUP_PASSIVE] = "passive",
	[SDP_SETUP_ACTPASS] = "actpass",
	[SDP_SETUP_HOLDCONN] = "holdconn",
	[SDP_SETUP_CHOOSE] = "$",
};

const char *
sdp_setup_name(enum sdp_setup s)
{
	return s > SDP_SETUP_NONE && s <= SDP_SETUP_CHOOSE ? setup_names[s] : NULL;
}

static const char *const proto_names[] = {
	[SDP_PROTO_TCP_MSRP] = "TCP/MSRP",
	[SDP_PROTO_TCP_TLS_MSRP] = "TCP/TLS/MSRP",
	[SDP_PROTO_TCP_BFCP] = "TCP/BFCP",
	[SDP_PROTO_TCP_TLS_BFCP] = "TCP/TLS/BFCP",
};

const char *
sdp_proto_name(enum sdp_proto p)
{
	return p > SDP_PROTO_OTHER && p <= SDP_PROTO_TCP_TLS_BFCP ? proto_names[p] : NULL;
}

bool
sdp_proto_tls(enum sdp_proto p)
{
	return p == SDP_PROTO_TCP_TLS_MSRP || p == SDP_PROTO_TCP_TLS_BFCP;
}

/* The media type each proto belongs under (RFC 4975: MSRP is
 * m=message; RFC 8856: BFCP is m=application). */
static enum sdp_media_type
proto_media(enum sdp_proto p)
{
	switch (p) {
	case SDP_PROTO_TCP_MSRP:
	case SDP_PROTO_TCP_TLS_MSRP:
		return SDP_MEDIA_MESSAGE;
	case SDP_PROTO_TCP_BFCP:
	case SDP_PROTO_TCP_TLS_BFCP:
		return SDP_MEDIA_APPLICATION;
	default:
		return SDP_MEDIA_OTHER;
	}
}

static const char *const media_names[] = {
	[SDP_MEDIA_MESSAGE] = "message",
	[SDP_MEDIA_APPLICATION] = "application",
};

/* Fill err: "line N: " and the sentence. Returns rc for the caller's return. */
static int fail(struct sdp_error *err, enum sdp_err code, unsigned int line, int rc,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
fail(struct sdp_error *err, enum sdp_err code, unsigned int line, int rc, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (err == NULL)
		return rc;
	err->code = code;
	err->line = line;
	if (line > 0)
		n = snprintf(err->msg, sizeof(err->msg), "line %u: ", line);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- parsing ---------------------------------------------------------------- */

/* A value inside a line: p[0..n). */
struct span {
	const char *p;
	size_t n;
};

static bool
span_is(struct span s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static bool
span_is_nocase(struct span s, const char *lit)
{
	return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

/* Split s at single spaces into at most max fields; the last takes the
 * rest when rest is true. Returns the number of fields, or -1 when a
 * field is empty (two spaces, a space at an end). */
static int
split(struct span s, struct span *f, int max, bool rest)
{
	int k = 0;
	size_t i = 0;

	if (s.n == 0)
		return -1;
	while (i <= s.n) {
		const char *sp;
		size_t len;

		if (k == max - 1 && rest) {
			f[k].p = s.p + i;
			f[k].n = s.n - i;
			if (f[k].n == 0 || f[k].p[0] == ' ' || f[k].p[f[k].n - 1] == ' ')
				return -1;
			return k + 1;
		}
		sp = memchr(s.p + i, ' ', s.n - i);
		len = sp != NULL ? (size_t)(sp - (s.p + i)) : s.n - i;
		if (len == 0 || k == max)
			return -1;
		f[k].p = s.p + i;
		f[k].n = len;
		k++;
		if (sp == NULL)
			break;
		i += len + 1;
		if (i == s.n)
			return -1;      /* a trailing space */
	}
	return k;
}

static void
copy_span(char *dst, struct span s)
{
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
}

/* RFC 3986 scheme names compare case-insensitively. */
static bool
path_ok(struct span v)
{
	size_t i = 0;

	if (v.n == 0)
		return false;
	while (i < v.n) {
		const char *sp = memchr(v.p + i, ' ', v.n - i);
		size_t len = sp != NULL ? (size_t)(sp - (v.p + i)) : v.n - i;
		struct span u = { v.p + i, len };

		if (!((u.n > 7 && strncasecmp(u.p, "msrp://", 7) == 0) ||
		      (u.n > 8 && strncasecmp(u.p, "msrps://", 8) == 0)))
			return false;
		for (size_t j = 0; j < u.n; j++)
			if ((unsigned char)u.p[j] <= ' ' || (unsigned char)u.p[j] >= 0x7f)
				return false;
		if (sp == NULL)
			break;
		i += len + 1;
		if (i == v.n)
			return false;
	}
	return true;
}

/* A format list: tokens of visible ASCII separated by single spaces. */
static bool
fmt_ok(struct span v)
{
	struct span f[SDP_FMT_MAX];

	if (split(v, f, (int)SDP_FMT_MAX, false) < 1)
		return false;
	for (size_t j = 0; j < v.n; j++)
		if (v.p[j] != ' ' && ((unsigned char)v.p[j] < 0x21 || (unsigned char)v.p[j] > 0x7e))
			return false;
	return true;
}

/* What one level (session or media) said; resolved at the end. */
struct level {
	uint16_t setup_line, conn_line, path_line, c_line;
	uint8_t setup, connection, nfp;
	bool fp_choose, has_path;
	struct sdp_addr addr;
	struct span path;
	struct certfp fp[SDP_FP_MAX];
};

struct pstate {
	struct sdp *out;
	struct sdp_error *err;
	bool in_media;
	struct level lv[2];     /* 0 session, 1 media */
};

static int
parse_conn(struct pstate *st, unsigned int no, struct span v, struct sdp_addr *a)
{
	struct span f[3];
	char buf[64];
	int fam;

	if (split(v, f, 3, false) != 3)
		return fail(st->err, SDP_E_CONN, no, -EINVAL,
			    "c=: not \"IN IP4 <address>\" or \"IN IP6 <address>\"");
	if (!span_is(f[0], "IN"))
		return fail(st->err, SDP_E_CONN, no, -EINVAL,
			    "c=: network type \"%.*s\" is not IN", (int)f[0].n, f[0].p);
	if (span_is(f[1], "IP4"))
		fam = AF_INET;
	else if (span_is(f[1], "IP6"))
		fam = AF_INET6;
	else
		return fail(st->err, SDP_E_CONN, no, -EINVAL,
			    "c=: address type \"%.*s\" is not IP4 or IP6", (int)f[1].n, f[1].p);
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)fam;
	a->line = (uint16_t)no;
	if (span_is(f[2], "$")) {
		a->kind = SDP_ADDR_CHOOSE;
		return 0;
	}
	if (memchr(f[2].p, '/', f[2].n) != NULL)
		return fail(st->err, SDP_E_CONN, no, -EINVAL,
			    "c=: \"%.*s\" has a TTL or an address count: multicast, not for TCP",
			    (int)f[2].n, f[2].p);
	if (f[2].n < sizeof(buf)) {
		copy_span(buf, f[2]);
		if (inet_pton(fam, buf, a->ip) == 1) {
			if ((fam == AF_INET && (a->ip[0] & 0xf0) == 0xe0) ||
			    (fam == AF_INET6 && a->ip[0] == 0xff))
				return fail(st->err, SDP_E_CONN, no, -EINVAL,
					    "c=: %s is a multicast address: TCP media is unicast", buf);
			a->kind = SDP_ADDR_IP;
			return 0;
		}
	}
	/* RFC 8866 section 5.7: a fully qualified domain name is allowed;
	 * one at least has a letter, and names are at most 253 octets. */
	if (f[2].n <= 253) {
		bool letter = false, ok = true;

		for (size_t i = 0; i < f[2].n && ok; i++) {
			unsigned char c = (unsigned char)f[2].p[i];

			letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '.';
		}
		if (ok && letter && fam == AF_INET && f[2].p[0] != '.' && f[2].p[0] != '-') {
			a->kind = SDP_ADDR_FQDN;
			return 0;
		}
		if (ok && letter && fam == AF_INET6 && memchr(f[2].p, ':', f[2].n) == NULL &&
		    f[2].p[0] != '.' && f[2].p[0] != '-') {
			a->kind = SDP_ADDR_FQDN;
			return 0;
		}
	}
	return fail(st->err, SDP_E_CONN, no, -EINVAL, "c=: \"%.*s\" is not an %s address",
		    (int)(f[2].n > 64 ? 64 : f[2].n), f[2].p, fam == AF_INET ? "IPv4" : "IPv6");
}

static int
parse_media(struct pstate *st, unsigned int no, struct span v)
{
	struct sdp_media *m = &st->out->media;
	struct span f[4];
	unsigned long port = 0;

	if (split(v, f, 4, true) != 4)
		return fail(st->err, SDP_E_MEDIA, no, -EINVAL,
			    "m=: not \"<media> <port> <proto> <fmt> ...\"");
	if (f[0].n >= SDP_TOKEN_MAX || f[2].n >= SDP_TOKEN_MAX)
		return fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
			    "m=: a media or proto name longer than %u bytes", SDP_TOKEN_MAX - 1);
	if (f[3].n >= SDP_FMT_MAX)
		return fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
			    "m=: the format list is longer than %u bytes", SDP_FMT_MAX - 1);
	m->line = (uint16_t)no;
	copy_span(m->media_str, f[0]);
	copy_span(m->proto_str, f[2]);
	copy_span(m->fmt, f[3]);
	if (!fmt_ok(f[3]))
		return fail(st->err, SDP_E_MEDIA, no, -EINVAL, "m=: the format list is malformed");
	m->type = span_is(f[0], "message") ? SDP_MEDIA_MESSAGE :
		  span_is(f[0], "application") ? SDP_MEDIA_APPLICATION : SDP_MEDIA_OTHER;
	m->proto = SDP_PROTO_OTHER;
	for (unsigned int p = SDP_PROTO_TCP_MSRP; p <= SDP_PROTO_TCP_TLS_BFCP; p++)
		if (span_is(f[2], proto_names[p]))
			m->proto = (uint8_t)p;
	if (span_is(f[1], "$")) {
		m->port_choose = true;
		return 0;
	}
	if (memchr(f[1].p, '/', f[1].n) != NULL)
		return fail(st->err, SDP_E_PORT, no, -EINVAL,
			    "m=: port \"%.*s\" has a count: several ports are for RTP, not TCP",
			    (int)(f[1].n > 16 ? 16 : f[1].n), f[1].p);
	if (f[1].n > 5)
		return fail(st->err, SDP_E_PORT, no, -EINVAL, "m=: port \"%.*s\" is not 0..65535",
			    (int)(f[1].n > 16 ? 16 : f[1].n), f[1].p);
	for (size_t i = 0; i < f[1].n; i++) {
		if (f[1].p[i] < '0' || f[1].p[i] > '9')
			return fail(st->err, SDP_E_PORT, no, -EINVAL,
				    "m=: port \"%.*s\" is not a number or $", (int)f[1].n, f[1].p);
		port = port * 10 + (unsigned long)(f[1].p[i] - '0');
	}
	if (port > 65535)
		return fail(st->err, SDP_E_PORT, no, -EINVAL, "m=: port %lu is not 0..65535", port);
	m->port = (uint16_t)port;
	return 0;
}

/* certfp's sentence, or for a wrong length the two counts ("sha-256
 * needs 32 bytes, 31 given"): the error a controller most likely makes. */
static int
fp_fail(struct pstate *st, unsigned int no, struct span v, int rc, const char *why)
{
	const char *sp = memchr(v.p, ' ', v.n);
	int alg = sp != NULL ? certfp_alg_parse(v.p, (size_t)(sp - v.p)) : -EINVAL;

	if (rc == -ENOTSUP)
		return fail(st->err, SDP_E_FP_HASH, no, -ENOTSUP, "a=fingerprint: %s", why);
	if (alg > 0) {
		size_t rest = v.n - (size_t)(sp + 1 - v.p);
		unsigned int given = rest > 0 ? 1 : 0;
		bool shape = true;

		for (size_t i = 0; i < rest; i++) {
			char c = sp[1 + i];

			if (c == ':')
				given++;
			else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				   (c >= 'A' && c <= 'F')))
				shape = false;
		}
		if (shape && rest > 0 && given != certfp_alg_len((enum certfp_alg)alg))
			return fail(st->err, SDP_E_FINGERPRINT, no, -EINVAL,
				    "a=fingerprint: %s needs %u bytes, %u given",
				    certfp_alg_name((enum certfp_alg)alg),
				    certfp_alg_len((enum certfp_alg)alg), given);
	}
	return fail(st->err, SDP_E_FINGERPRINT, no, -EINVAL, "a=fingerprint: %s", why);
}

static int
parse_attr(struct pstate *st, unsigned int no, struct span v)
{
	struct level *lv = &st->lv[st->in_media];
	const char *colon = memchr(v.p, ':', v.n);
	struct span name = { v.p, colon != NULL ? (size_t)(colon - v.p) : v.n };
	struct span val = { colon != NULL ? colon + 1 : v.p + v.n,
			    colon != NULL ? v.n - name.n - 1 : 0 };

	if (name.n == 0)
		return fail(st->err, SDP_E_LINE, no, -EINVAL, "a=: no attribute name");
	if (span_is(name, "setup")) {
		static const char *const vals[] = { "active", "passive", "actpass", "holdconn", "$" };

		if (lv->setup_line != 0)
			return fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=setup: a second one (the first is line %u)", lv->setup_line);
		for (unsigned int i = 0; i < 5; i++)
			if (colon != NULL && span_is_nocase(val, vals[i]))
				lv->setup = (uint8_t)(SDP_SETUP_ACTIVE + i);
		if (lv->setup == SDP_SETUP_NONE)
			return fail(st->err, SDP_E_SETUP, no, -EINVAL,
				    "a=setup: \"%.*s\" is not active, passive, actpass or holdconn",
				    (int)(val.n > 32 ? 32 : val.n), val.p);
		lv->setup_line = (uint16_t)no;
		return 0;
	}
	if (span_is(name, "connection")) {
		if (lv->conn_line != 0)
			return fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=connection: a second one (the first is line %u)", lv->conn_line);
		if (colon != NULL && span_is_nocase(val, "new"))
			lv->connection = SDP_CONNECTION_NEW;
		else if (colon != NULL && span_is_nocase(val, "existing"))
			lv->connection = SDP_CONNECTION_EXISTING;
		else
			return fail(st->err, SDP_E_CONNECTION, no, -EINVAL,
				    "a=connection: \"%.*s\" is not new or existing",
				    (int)(val.n > 32 ? 32 : val.n), val.p);
		lv->conn_line = (uint16_t)no;
		return 0;
	}
	if (span_is(name, "fingerprint")) {
		const char *why = "";
		int rc;

		if (colon != NULL && span_is(val, "$")) {
			lv->fp_choose = true;
			return 0;
		}
		if (lv->nfp == SDP_FP_MAX)
			return fail(st->err, SDP_E_FP_COUNT, no, -E2BIG,
				    "a=fingerprint: more than %u at one level", SDP_FP_MAX);
		rc = certfp_parse(val.p, val.n, &lv->fp[lv->nfp], &why);
		if (rc < 0)
			return fp_fail(st, no, val, rc, why);
		lv->nfp++;
		return 0;
	}
	if (span_is(name, "path")) {
		if (lv->has_path)
			return fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=path: a second one (the first is line %u)", lv->path_line);
		if (val.n >= SDP_PATH_MAX)
			return fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
				    "a=path: longer than %u bytes", SDP_PATH_MAX - 1);
		if (colon == NULL || !path_ok(val))
			return fail(st->err, SDP_E_PATH, no, -EINVAL,
				    "a=path: not msrp:// or msrps:// URIs separated by single spaces");
		lv->has_path = true;
		lv->path = val;
		lv->path_line = (uint16_t)no;
		return 0;
	}
	/* RFC 8866 section 5.13: an attribute not understood is ignored
	 * (a=floorctrl, a=confid, a=accept-types... are the peers' business). */
	st->out->nother++;
	return 0;
}

static int
parse_line(struct pstate *st, unsigned int no, char type, struct span v)
{
	struct sdp *out = st->out;

	if (no == 1) {
		if (type != 'v')
			return fail(st->err, SDP_E_VERSION, no, -EINVAL,
				    "the first line is %c=, not v=0", type);
		if (!span_is(v, "0"))
			return fail(st->err, SDP_E_VERSION, no, -EINVAL,
				    "v=%.*s: only version 0 is defined", (int)(v.n > 16 ? 16 : v.n), v.p);
		return 0;
	}
	switch (type) {
	case 'v':
		return fail(st->err, SDP_E_ALTERNATIVE, no, -ENOTSUP,
			    "v=: a second description (H.248 alternatives are not taken: give one)");
	case 'm':
		if (out->has_media)
			return fail(st->err, SDP_E_MEDIA_COUNT, no, -ENOTSUP,
				    "m=: a second m= line (the first is line %u): one termination "
				    "is one TCP leg", out->media.line);
		out->has_media = true;
		st->in_media = true;
		return parse_media(st, no, v);
	case 'c': {
		struct level *lv = &st->lv[st->in_media];

		if (lv->c_line != 0)
			return fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "c=: a second one at one level (the first is line %u)", lv->c_line);
		lv->c_line = (uint16_t)no;
		return parse_conn(st, no, v, &lv->addr);
	}
	case 'a':
		return parse_attr(st, no, v);
	case 'i': case 'b': case 'k':
		out->nother++;
		return 0;
	case 'o': case 's': case 'u': case 'e': case 'p': case 't': case 'r': case 'z':
		if (st->in_media)
			return fail(st->err, SDP_E_ORDER, no, -EINVAL,
				    "%c=: a session-level line after m= (line %u)", type, out->media.line);
		break;
	default:
		return fail(st->err, SDP_E_LINE, no, -EINVAL,
			    "%c=: a type not defined by RFC 8866", type);
	}
	if (type == 'o') {
		struct span f[6];

		if (out->has_origin)
			return fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "o=: a second one");
		if (split(v, f, 6, false) != 6)
			return fail(st->err, SDP_E_ORIGIN, no, -EINVAL,
				    "o=: not \"<username> <sess-id> <sess-version> IN <addrtype> "
				    "<address>\"");
		if (v.n >= SDP_ORIGIN_MAX)
			return fail(st->err, SDP_E_TOO_LONG, no, -E2BIG, "o=: longer than %u bytes",
				    SDP_ORIGIN_MAX - 1);
		copy_span(out->origin, v);
		out->has_origin = true;
		return 0;
	}
	if (type == 's') {
		if (out->has_name)
			return fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "s=: a second one");
		if (v.n >= SDP_NAME_MAX)
			return fail(st->err, SDP_E_TOO_LONG, no, -E2BIG, "s=: longer than %u bytes",
				    SDP_NAME_MAX - 1);
		copy_span(out->name, v);
		out->has_name = true;
		return 0;
	}
	out->nother++;
	return 0;
}

/* Media-level values override the session's (RFC 8866 section 5.7 for c=;
 * RFC 8122 section 5 and RFC 4145 for the attributes). */
static void
resolve(struct pstate *st)
{
	struct sdp *out = st->out;
	struct sdp_media *m = &out->media;
	const struct level *s = &st->lv[0], *md = &st->lv[1];
	const struct level *fp = md->nfp > 0 || md->fp_choose ? md : s;
	const struct level *pa = md->has_path ? md : s;

	out->addr = s->addr;
	if (!out->has_media)
		return;
	m->addr = md->c_line != 0 ? md->addr : s->addr;
	m->setup = md->setup_line != 0 ? md->setup : s->setup;
	m->setup_line = md->setup_line != 0 ? md->setup_line : s->setup_line;
	m->connection = md->conn_line != 0 ? md->connection : s->connection;
	m->nfp = fp->nfp;
	m->fp_choose = fp->fp_choose;
	memcpy(m->fp, fp->fp, sizeof(m->fp));
	if (pa->has_path)
		copy_span(m->path, pa->path);
}

static bool
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

int
sdp_parse(const char *s, size_t len, struct sdp *out, struct sdp_error *err)
{
	struct pstate st = { .out = out, .err = err };
	unsigned int no = 0, blank_at = 0;
	size_t i = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (s == NULL)
		len = 0;
	if (len > SDP_SIZE_MAX) {
		rc = fail(err, SDP_E_SIZE, 0, -E2BIG, "%zu bytes, more than the %u taken", len,
			  SDP_SIZE_MAX);
		goto out_zero;
	}
	while (i < len) {
		const char *p = s + i, *lf = memchr(p, '\n', len - i);
		size_t n = lf != NULL ? (size_t)(lf - p) : len - i;

		i += n + (lf != NULL);
		if (n > 0 && p[n - 1] == '\r' && lf != NULL)
			n--;
		if (blank(p, n)) {
			/* before v=: skipped; after a line: an edge or a hole */
			if (no > 0 && blank_at == 0)
				blank_at = no + 1;
			continue;
		}
		if (blank_at != 0) {
			rc = fail(err, SDP_E_LINE, blank_at, -EINVAL,
				  "an empty line inside the description");
			goto out_zero;
		}
		no++;
		if (no > SDP_LINES_MAX) {
			rc = fail(err, SDP_E_LINES, no, -E2BIG, "more than %u lines", SDP_LINES_MAX);
			goto out_zero;
		}
		if (n > SDP_LINE_MAX) {
			rc = fail(err, SDP_E_LINE_LEN, no, -E2BIG, "%zu bytes, more than the %u taken",
				  n, SDP_LINE_MAX);
			goto out_zero;
		}
		for (size_t j = 0; j < n; j++) {
			unsigned char c = (unsigned char)p[j];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				rc = fail(err, SDP_E_CHAR, no, -EINVAL, "%s at byte %zu",
					  c == '\r' ? "a CR not before LF" : c == 0 ? "a NUL" :
					  "a control character", j + 1);
				goto out_zero;
			}
		}
		if (n < 2 || p[0] < 'a' || p[0] > 'z' || p[1] != '=') {
			rc = fail(err, SDP_E_LINE, no, -EINVAL,
				  "not <letter>=<value> (\"%.*s\")", (int)(n > 24 ? 24 : n), p);
			goto out_zero;
		}
		rc = parse_line(&st, no, p[0], (struct span){ p + 2, n - 2 });
		if (rc < 0)
			goto out_zero;
	}
	if (no == 0) {
		rc = fail(err, SDP_E_EMPTY, 0, -EINVAL, "no line: v=0 is needed");
		goto out_zero;
	}
	out->nlines = no;
	resolve(&st);
	return 0;

out_zero:
	memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- one termination ---------------------------------------------------------- */

static const char *const side[2] = { "Local", "Remote" };

static int
check_media(const struct sdp *d, unsigned int who, struct sdp_error *err)
{
	const struct sdp_media *m = &d->media;

	if (!d->has_media)
		return fail(err, SDP_E_NO_MEDIA, 0, -EINVAL, "%s has no m= line", side[who]);
	if (m->proto == SDP_PROTO_OTHER)
		return fail(err, SDP_E_PROTO, m->line, -ENOTSUP,
			    "%s: proto %s is not TCP/MSRP, TCP/TLS/MSRP, TCP/BFCP or TCP/TLS/BFCP",
			    side[who], m->proto_str);
	if (proto_media(m->proto) != m->type)
		return fail(err, SDP_E_PROTO, m->line, -ENOTSUP, "%s: %s under m=%s (it is m=%s)",
			    side[who], m->proto_str, m->media_str, media_names[proto_media(m->proto)]);
	return 0;
}

static bool
ip_zero(const uint8_t *ip, int family)
{
	static const uint8_t z[16];

	return memcmp(ip, z, family == AF_INET ? 4 : 16) == 0;
}

/* RFC 4145 section 4.1: which of Local's explicit roles a Remote's setup
 * allows (active answers passive or actpass, passive answers active or
 * actpass, holdconn answers anything; holdconn is answered by holdconn). */
static bool
setup_fits(uint8_t ours, uint8_t theirs)
{
	switch (theirs) {
	case SDP_SETUP_NONE:
	case SDP_SETUP_ACTPASS:
	case SDP_SETUP_CHOOSE:
		return true;
	case SDP_SETUP_ACTIVE:
		return ours == SDP_SETUP_PASSIVE || ours == SDP_SETUP_HOLDCONN;
	case SDP_SETUP_PASSIVE:
		return ours == SDP_SETUP_ACTIVE || ours == SDP_SETUP_HOLDCONN;
	case SDP_SETUP_HOLDCONN:
		return ours == SDP_SETUP_HOLDCONN;
	default:
		return false;
	}
}

static int
derive_role(const struct sdp_media *lm, const struct sdp_media *rm, unsigned int flags,
	    struct sdp_term *t, struct sdp_error *err)
{
	uint8_t ls = lm != NULL ? lm->setup : SDP_SETUP_NONE;
	uint8_t rs = rm != NULL ? rm->setup : SDP_SETUP_NONE;
	bool prefer_client = (flags & SDP_PREFER_CLIENT) != 0;

	if (ls == SDP_SETUP_ACTIVE || ls == SDP_SETUP_PASSIVE || ls == SDP_SETUP_HOLDCONN) {
		if (!setup_fits(ls, rs))
			return fail(err, SDP_E_ROLE_CONFLICT, 0, -EINVAL,
				    "Local's a=setup:%s (line %u) does not answer Remote's "
				    "a=setup:%s (line %u) (RFC 4145 section 4.1)",
				    setup_names[ls], lm->setup_line, setup_names[rs], rm->setup_line);
		t->role = ls == SDP_SETUP_ACTIVE ? SDP_ROLE_CLIENT :
			  ls == SDP_SETUP_PASSIVE ? SDP_ROLE_SERVER : SDP_ROLE_NONE;
		t->why_role = ls == SDP_SETUP_ACTIVE ? "Local's a=setup:active: the controller has "
						       "us connect" :
			      ls == SDP_SETUP_PASSIVE ? "Local's a=setup:passive: the controller has "
							"us accept" :
			      "Local's a=setup:holdconn: no connection yet";
		return 0;
	}
	switch (rs) {
	case SDP_SETUP_ACTIVE:
		t->role = SDP_ROLE_SERVER;
		t->why_role = "Remote's a=setup:active: the peer connects, we accept (RFC 4145)";
		return 0;
	case SDP_SETUP_PASSIVE:
		t->role = SDP_ROLE_CLIENT;
		t->why_role = "Remote's a=setup:passive: the peer accepts, we connect (RFC 4145)";
		return 0;
	case SDP_SETUP_HOLDCONN:
		t->role = SDP_ROLE_NONE;
		t->why_role = "Remote's a=setup:holdconn: no connection yet (RFC 4145)";
		return 0;
	case SDP_SETUP_ACTPASS:
	case SDP_SETUP_CHOOSE:
		t->role = prefer_client ? SDP_ROLE_CLIENT : SDP_ROLE_SERVER;
		t->why_role = prefer_client ?
			      "Remote's a=setup:actpass leaves it to us: active, as configured" :
			      "Remote's a=setup:actpass leaves it to us: passive, the gateway at the "
			      "access edge is reachable where a UE behind NAT is not";
		return 0;
	default:
		break;
	}
	if (rm == NULL) {
		t->role = prefer_client ? SDP_ROLE_CLIENT : SDP_ROLE_SERVER;
		t->why_role = prefer_client ?
			      "no Remote yet and Local leaves it to us: active, as configured" :
			      "no Remote yet and Local leaves it to us: passive, the gateway at the "
			      "access edge is reachable where a UE behind NAT is not";
		return 0;
	}
	/* RFC 4145 section 4.1: without a=setup the offerer is active and
	 * the answerer passive; only the caller knows which Remote was. */
	if (flags & SDP_REMOTE_OFFER) {
		t->role = SDP_ROLE_SERVER;
		t->why_role = "Remote, the offer, has no a=setup: active by default, we accept "
			      "(RFC 4145)";
		return 0;
	}
	if (flags & SDP_REMOTE_ANSWER) {
		t->role = SDP_ROLE_CLIENT;
		t->why_role = "Remote, the answer, has no a=setup: passive by default, we connect "
			      "(RFC 4145)";
		return 0;
	}
	return fail(err, SDP_E_SETUP_MISSING, 0, -EINVAL,
		    "Remote has no a=setup and Local none that decides: RFC 4145's default "
		    "depends on which was the offer");
}

int
sdp_derive(const struct sdp *local, const struct sdp *remote, unsigned int flags,
	   struct sdp_term *out, struct sdp_error *err)
{
	const struct sdp_media *lm = local != NULL ? &local->media : NULL;
	const struct sdp_media *rm = remote != NULL ? &remote->media : NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (local == NULL && remote == NULL) {
		rc = fail(err, SDP_E_NO_MEDIA, 0, -EINVAL, "neither Local nor Remote given");
		goto out_zero;
	}
	if ((flags & ~(SDP_PREFER_CLIENT | SDP_REMOTE_OFFER | SDP_REMOTE_ANSWER)) != 0 ||
	    ((flags & SDP_REMOTE_OFFER) && (flags & SDP_REMOTE_ANSWER))) {
		rc = fail(err, SDP_E_SETUP_MISSING, 0, -EINVAL, "flags 0x%x are not valid", flags);
		goto out_zero;
	}
	if ((local != NULL && (rc = check_media(local, 0, err)) < 0) ||
	    (remote != NULL && (rc = check_media(remote, 1, err)) < 0))
		goto out_zero;
	if (lm != NULL && rm != NULL && lm->proto != rm->proto) {
		rc = fail(err, SDP_E_PROTO_MISMATCH, 0, -EINVAL,
			  "Local is %s, Remote %s: one leg has one transport", lm->proto_str,
			  rm->proto_str);
		goto out_zero;
	}
	out->proto = (rm != NULL ? rm : lm)->proto;
	out->media = proto_media(out->proto);
	out->tls = sdp_proto_tls(out->proto);
	rc = derive_role(lm, rm, flags, out, err);
	if (rc < 0)
		goto out_zero;
	out->connection = rm != NULL && rm->connection != SDP_CONNECTION_NONE ? rm->connection :
			  lm != NULL && lm->connection != SDP_CONNECTION_NONE ? lm->connection :
			  SDP_CONNECTION_NEW;

	/* our side: `$` or nothing is ours to pick */
	if (lm == NULL) {
		out->local_addr_choose = out->local_port_choose = true;
	} else {
		out->fp_asked = lm->fp_choose;
		if (lm->port_choose) {
			out->local_port_choose = true;
		} else if (lm->port == 0) {
			rc = fail(err, SDP_E_PORT_ZERO, lm->line, -EINVAL,
				  "Local's port is 0: the controller refuses the stream");
			goto out_zero;
		} else {
			out->local_port = lm->port;
		}
		switch (lm->addr.kind) {
		case SDP_ADDR_NONE:
			out->local_addr_choose = true;
			break;
		case SDP_ADDR_CHOOSE:
			out->local_addr_choose = true;
			out->local_family = lm->addr.family;
			break;
		case SDP_ADDR_IP:
			if (ip_zero(lm->addr.ip, lm->addr.family)) {
				rc = fail(err, SDP_E_ADDRESS, lm->addr.line, -EINVAL,
					  "Local's c= address is unspecified: give ours or $");
				goto out_zero;
			}
			out->local_family = lm->addr.family;
			memcpy(out->local_ip, lm->addr.ip, 16);
			break;
		default:
			rc = fail(err, SDP_E_ADDRESS, lm->addr.line, -ENOTSUP,
				  "Local's c= is a name: the gateway resolves none; give an address "
				  "or $");
			goto out_zero;
		}
	}

	if (rm == NULL)
		return 0;
	out->remote_known = true;
	if (rm->port_choose) {
		rc = fail(err, SDP_E_REMOTE_PORT, rm->line, -EINVAL,
			  "Remote's port is $: CHOOSE is for the gateway's own side");
		goto out_zero;
	}
	if (rm->port == 0) {
		rc = fail(err, SDP_E_PORT_ZERO, rm->line, -EINVAL,
			  "Remote's port is 0: the peer refused or disabled the stream");
		goto out_zero;
	}
	switch (rm->addr.kind) {
	case SDP_ADDR_IP:
		break;
	case SDP_ADDR_NONE:
		rc = fail(err, SDP_E_ADDRESS, rm->line, -EINVAL, "Remote has no c= line");
		goto out_zero;
	case SDP_ADDR_CHOOSE:
		rc = fail(err, SDP_E_ADDRESS, rm->addr.line, -EINVAL,
			  "Remote's c= is $: CHOOSE is for the gateway's own side");
		goto out_zero;
	default:
		rc = fail(err, SDP_E_ADDRESS, rm->addr.line, -ENOTSUP,
			  "Remote's c= is a name: the gateway resolves none");
		goto out_zero;
	}
	if (ip_zero(rm->addr.ip, rm->addr.family)) {
		rc = fail(err, SDP_E_ADDRESS, rm->addr.line, -EINVAL,
			  "Remote's c= address is unspecified: no peer to reach or to take");
		goto out_zero;
	}
	if (out->local_family != 0 && out->local_family != rm->addr.family) {
		rc = fail(err, SDP_E_ADDRESS, rm->addr.line, -EINVAL,
			  "Remote is IP%c, Local IP%c: one leg has one family",
			  rm->addr.family == AF_INET ? '4' : '6',
			  out->local_family == AF_INET ? '4' : '6');
		goto out_zero;
	}
	out->remote_family = rm->addr.family;
	memcpy(out->remote_ip, rm->addr.ip, 16);
	/* the peer's port is where we connect; an active peer's (port 9 by
	 * RFC 4145's advice) is not the port it connects from */
	out->remote_port = out->role == SDP_ROLE_SERVER ? 0 : rm->port;
	if (out->tls) {
		if (rm->nfp == 0) {
			rc = fail(err, SDP_E_NO_FINGERPRINT, rm->line, -EINVAL,
				  "Remote is %s without a=fingerprint: the peer's certificate could "
				  "not be checked (RFC 8122)", rm->proto_str);
			goto out_zero;
		}
		out->nfp = rm->nfp;
		memcpy(out->fp, rm->fp, sizeof(out->fp));
	}
	return 0;

out_zero:
	memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- our answer ---------------------------------------------------------------- */

struct wbuf {
	char *p;
	size_t size, n;
	bool over;
};

static void put(struct wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (w->over)
		return;
	va_start(ap, fmt);
	k = vsnprintf(w->p + w->n, w->size - w->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= w->size - w->n)
		w->over = true;
	else
		w->n += (size_t)k;
}

int
sdp_write(const struct sdp_answer *a, char *buf, size_t size)
{
	struct wbuf w = { buf, size, 0, false };
	const char *fmt, *at;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;

	if (a == NULL || buf == NULL)
		return -EINVAL;
	if (size > 0)
		buf[0] = '\0';
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    sdp_proto_name((enum sdp_proto)a->proto) == NULL ||
	    proto_media((enum sdp_proto)a->proto) != a->media ||
	    (a->setup != SDP_SETUP_ACTIVE && a->setup != SDP_SETUP_PASSIVE &&
	     a->setup != SDP_SETUP_HOLDCONN) ||
	    a->connection > SDP_CONNECTION_EXISTING || a->nfp > SDP_FP_MAX ||
	    (a->nfp > 0 && a->fp == NULL) ||
	    sdp_proto_tls((enum sdp_proto)a->proto) != (a->nfp > 0) ||
	    (a->port == 0 && a->setup == SDP_SETUP_PASSIVE))
		return -EINVAL;
	fmt = a->fmt != NULL ? a->fmt : "*";
	if (strlen(fmt) >= SDP_FMT_MAX || !fmt_ok((struct span){ fmt, strlen(fmt) }))
		return -EINVAL;
	if (a->path != NULL && (a->media != SDP_MEDIA_MESSAGE || strlen(a->path) >= SDP_PATH_MAX ||
				!path_ok((struct span){ a->path, strlen(a->path) })))
		return -EINVAL;
	if (inet_ntop(a->family, a->ip, addr, sizeof(addr)) == NULL)
		return -EINVAL;
	at = a->family == AF_INET ? "IP4" : "IP6";
	/* RFC 4145: an active end's port is not listened on; 9
	 * (discard) says so */
	port = a->port == 0 ? 9 : a->port;

	put(&w, "v=0\r\n");
	put(&w, "o=- %" PRIu64 " %" PRIu64 " IN %s %s\r\n", a->sess_id, a->sess_version, at, addr);
	put(&w, "s=-\r\n");
	put(&w, "c=IN %s %s\r\n", at, addr);
	put(&w, "m=%s %u %s %s\r\n", media_names[a->media], port,
	    proto_names[a->proto], fmt);
	put(&w, "a=setup:%s\r\n", setup_names[a->setup]);
	put(&w, "a=connection:%s\r\n",
	    a->connection == SDP_CONNECTION_EXISTING ? "existing" : "new");
	for (unsigned int i = 0; i < a->nfp; i++) {
		char fp[CERTFP_STR_MAX];

		if (certfp_format(&a->fp[i], fp, sizeof(fp)) < 0) {
			if (size > 0)
				buf[0] = '\0';
			return -EINVAL;
		}
		put(&w, "a=fingerprint:%s\r\n", fp);
	}
	if (a->path != NULL)
		put(&w, "a=path:%s\r\n", a->path);
	if (w.over) {
		if (size > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)w.n;
}
