/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SDP subset of an H.248 Local/Remote descriptor for the access
 * gateway's TCP bearers and RTP media: parse, derive what a termination
 * needs, write our answer. See sdp.h and FEATURE.md.
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
	[SDP_PROTO_RTP_AVP] = "RTP/AVP",
	[SDP_PROTO_RTP_AVPF] = "RTP/AVPF",
	[SDP_PROTO_RTP_SAVP] = "RTP/SAVP",
	[SDP_PROTO_RTP_SAVPF] = "RTP/SAVPF",
};

const char *
sdp_proto_name(enum sdp_proto p)
{
	return p > SDP_PROTO_OTHER && p <= SDP_PROTO_RTP_SAVPF ? proto_names[p] : NULL;
}

bool
sdp_proto_rtp(enum sdp_proto p)
{
	return p >= SDP_PROTO_RTP_AVP && p <= SDP_PROTO_RTP_SAVPF;
}

bool
sdp_proto_srtp(enum sdp_proto p)
{
	return p == SDP_PROTO_RTP_SAVP || p == SDP_PROTO_RTP_SAVPF;
}

/* The media types RTP is taken under. */
static bool
media_rtp(unsigned int t)
{
	return t == SDP_MEDIA_AUDIO || t == SDP_MEDIA_VIDEO || t == SDP_MEDIA_TEXT;
}

static const char *const dir_names[] = {
	[SDP_DIR_SENDRECV] = "sendrecv",
	[SDP_DIR_SENDONLY] = "sendonly",
	[SDP_DIR_RECVONLY] = "recvonly",
	[SDP_DIR_INACTIVE] = "inactive",
};

const char *
sdp_dir_name(enum sdp_dir d)
{
	return d > SDP_DIR_NONE && d <= SDP_DIR_INACTIVE ? dir_names[d] : NULL;
}

enum sdp_dir
sdp_dir_answer(enum sdp_dir offer)
{
	switch (offer) {
	case SDP_DIR_SENDONLY:
		return SDP_DIR_RECVONLY;
	case SDP_DIR_RECVONLY:
		return SDP_DIR_SENDONLY;
	case SDP_DIR_INACTIVE:
		return SDP_DIR_INACTIVE;
	default:
		return SDP_DIR_SENDRECV;
	}
}

/* The octets of master key || master salt: RFC 4568 section 6.2 (16 +
 * 14), RFC 6188 section 7 (24 or 32 + 14), RFC 7714 section 12 (16 or 32
 * + 12: GCM's salt is 96 bits). */
static const struct {
	const char *name;
	uint8_t len;
} suite_tab[SDP_SUITE_COUNT] = {
	[SDP_SUITE_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 30 },
	[SDP_SUITE_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 30 },
	[SDP_SUITE_AES_192_CM_HMAC_SHA1_80] = { "AES_192_CM_HMAC_SHA1_80", 38 },
	[SDP_SUITE_AES_192_CM_HMAC_SHA1_32] = { "AES_192_CM_HMAC_SHA1_32", 38 },
	[SDP_SUITE_AES_256_CM_HMAC_SHA1_80] = { "AES_256_CM_HMAC_SHA1_80", 46 },
	[SDP_SUITE_AES_256_CM_HMAC_SHA1_32] = { "AES_256_CM_HMAC_SHA1_32", 46 },
	[SDP_SUITE_AEAD_AES_128_GCM] = { "AEAD_AES_128_GCM", 28 },
	[SDP_SUITE_AEAD_AES_256_GCM] = { "AEAD_AES_256_GCM", 44 },
};

const char *
sdp_suite_name(enum sdp_suite s)
{
	return s > SDP_SUITE_OTHER && s < SDP_SUITE_COUNT ? suite_tab[s].name : NULL;
}

unsigned int
sdp_suite_key_len(enum sdp_suite s)
{
	return s > SDP_SUITE_OTHER && s < SDP_SUITE_COUNT ? suite_tab[s].len : 0;
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
	[SDP_MEDIA_AUDIO] = "audio",
	[SDP_MEDIA_VIDEO] = "video",
	[SDP_MEDIA_TEXT] = "text",
};

int
sdp_fail(struct sdp_error *err, enum sdp_err code, unsigned int line, int rc, const char *fmt, ...)
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
	uint16_t setup_line, conn_line, path_line, c_line, dir_line;
	uint8_t setup, connection, nfp, dir;
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
		return sdp_fail(st->err, SDP_E_CONN, no, -EINVAL,
			    "c=: not \"IN IP4 <address>\" or \"IN IP6 <address>\"");
	if (!span_is(f[0], "IN"))
		return sdp_fail(st->err, SDP_E_CONN, no, -EINVAL,
			    "c=: network type \"%.*s\" is not IN", (int)f[0].n, f[0].p);
	if (span_is(f[1], "IP4"))
		fam = AF_INET;
	else if (span_is(f[1], "IP6"))
		fam = AF_INET6;
	else
		return sdp_fail(st->err, SDP_E_CONN, no, -EINVAL,
			    "c=: address type \"%.*s\" is not IP4 or IP6", (int)f[1].n, f[1].p);
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)fam;
	a->line = (uint16_t)no;
	if (span_is(f[2], "$")) {
		a->kind = SDP_ADDR_CHOOSE;
		return 0;
	}
	if (memchr(f[2].p, '/', f[2].n) != NULL)
		return sdp_fail(st->err, SDP_E_CONN, no, -EINVAL,
			    "c=: \"%.*s\" has a TTL or an address count: multicast, not for TCP",
			    (int)f[2].n, f[2].p);
	if (f[2].n < sizeof(buf)) {
		copy_span(buf, f[2]);
		if (inet_pton(fam, buf, a->ip) == 1) {
			if ((fam == AF_INET && (a->ip[0] & 0xf0) == 0xe0) ||
			    (fam == AF_INET6 && a->ip[0] == 0xff))
				return sdp_fail(st->err, SDP_E_CONN, no, -EINVAL,
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
	return sdp_fail(st->err, SDP_E_CONN, no, -EINVAL, "c=: \"%.*s\" is not an %s address",
		    (int)(f[2].n > 64 ? 64 : f[2].n), f[2].p, fam == AF_INET ? "IPv4" : "IPv6");
}

/* An RTP format list: payload types 0..127 (RFC 3551 section 3), at
 * most SDP_PT_MAX. Returns their count, or -1. */
static int
parse_pts(struct span v, uint8_t *pt)
{
	struct span f[SDP_PT_MAX];
	int n = split(v, f, (int)SDP_PT_MAX, false);

	for (int i = 0; i < n; i++) {
		unsigned int x = 0;

		if (f[i].n > 3)
			return -1;
		for (size_t j = 0; j < f[i].n; j++) {
			if (f[i].p[j] < '0' || f[i].p[j] > '9')
				return -1;
			x = x * 10 + (unsigned int)(f[i].p[j] - '0');
		}
		if (x > 127)
			return -1;
		pt[i] = (uint8_t)x;
	}
	return n;
}

static int
parse_media(struct pstate *st, unsigned int no, struct span v)
{
	struct sdp_media *m = &st->out->media;
	struct span f[4];
	unsigned long port = 0;

	if (split(v, f, 4, true) != 4)
		return sdp_fail(st->err, SDP_E_MEDIA, no, -EINVAL,
			    "m=: not \"<media> <port> <proto> <fmt> ...\"");
	if (f[0].n >= SDP_TOKEN_MAX || f[2].n >= SDP_TOKEN_MAX)
		return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
			    "m=: a media or proto name longer than %u bytes", SDP_TOKEN_MAX - 1);
	if (f[3].n >= SDP_FMT_MAX)
		return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
			    "m=: the format list is longer than %u bytes", SDP_FMT_MAX - 1);
	m->line = (uint16_t)no;
	copy_span(m->media_str, f[0]);
	copy_span(m->proto_str, f[2]);
	copy_span(m->fmt, f[3]);
	if (!fmt_ok(f[3]))
		return sdp_fail(st->err, SDP_E_MEDIA, no, -EINVAL, "m=: the format list is malformed");
	m->type = SDP_MEDIA_OTHER;
	for (unsigned int t = SDP_MEDIA_MESSAGE; t <= SDP_MEDIA_TEXT; t++)
		if (span_is(f[0], media_names[t]))
			m->type = (uint8_t)t;
	m->proto = SDP_PROTO_OTHER;
	for (unsigned int p = SDP_PROTO_TCP_MSRP; p <= SDP_PROTO_RTP_SAVPF; p++)
		if (span_is(f[2], proto_names[p]))
			m->proto = (uint8_t)p;
	if (sdp_proto_rtp(m->proto)) {
		int n = parse_pts(f[3], m->pt);

		if (n < 0)
			return sdp_fail(st->err, SDP_E_MEDIA, no, -EINVAL,
				    "m=: %s's formats are not up to %u RTP payload types 0..127 "
				    "(RFC 3551)", m->proto_str, SDP_PT_MAX);
		m->npt = (uint8_t)n;
	}
	if (span_is(f[1], "$")) {
		m->port_choose = true;
		return 0;
	}
	/* RFC 8866 section 5.14: <port>/<number of ports> is for layered
	 * coding over several RTP sessions; one termination is one */
	if (memchr(f[1].p, '/', f[1].n) != NULL)
		return sdp_fail(st->err, SDP_E_PORT, no, -EINVAL,
			    "m=: port \"%.*s\" has a count: several ports (layered coding) are not "
			    "taken", (int)(f[1].n > 16 ? 16 : f[1].n), f[1].p);
	if (f[1].n > 5)
		return sdp_fail(st->err, SDP_E_PORT, no, -EINVAL, "m=: port \"%.*s\" is not 0..65535",
			    (int)(f[1].n > 16 ? 16 : f[1].n), f[1].p);
	for (size_t i = 0; i < f[1].n; i++) {
		if (f[1].p[i] < '0' || f[1].p[i] > '9')
			return sdp_fail(st->err, SDP_E_PORT, no, -EINVAL,
				    "m=: port \"%.*s\" is not a number or $", (int)f[1].n, f[1].p);
		port = port * 10 + (unsigned long)(f[1].p[i] - '0');
	}
	if (port > 65535)
		return sdp_fail(st->err, SDP_E_PORT, no, -EINVAL, "m=: port %lu is not 0..65535", port);
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
		return sdp_fail(st->err, SDP_E_FP_HASH, no, -ENOTSUP, "a=fingerprint: %s", why);
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
			return sdp_fail(st->err, SDP_E_FINGERPRINT, no, -EINVAL,
				    "a=fingerprint: %s needs %u bytes, %u given",
				    certfp_alg_name((enum certfp_alg)alg),
				    certfp_alg_len((enum certfp_alg)alg), given);
	}
	return sdp_fail(st->err, SDP_E_FINGERPRINT, no, -EINVAL, "a=fingerprint: %s", why);
}

/* ---- RTP attributes ----------------------------------------------------------- */

/* A decimal number of at most 'digits' digits, all of s. */
static bool
span_num(struct span s, unsigned int digits, uint64_t *out)
{
	uint64_t x = 0;

	if (s.n == 0 || s.n > digits)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(s.p[i] - '0');
	}
	*out = x;
	return true;
}

static int
b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * RFC 4648 section 4 base64, as RFC 4568's key-salt is: the padding may be
 * left out (some endpoints do), but if given it must be right, and the
 * bits past the last octet must be zero (one text per key). Returns the
 * octets the text holds (nothing written) or -1 when it is not base64.
 */
static int
b64_len(struct span s)
{
	size_t n = s.n, pad = 0;

	while (n > 0 && s.p[n - 1] == '=' && pad < 3) {
		n--;
		pad++;
	}
	if (n == 0 || pad > 2 || (pad > 0 && (n + pad) % 4 != 0) || n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (b64_val(s.p[i]) < 0)
			return -1;
	if (n % 4 != 0) {
		/* the unused low bits of the last character */
		int last = b64_val(s.p[n - 1]);

		if ((n % 4 == 2 && (last & 0xf) != 0) || (n % 4 == 3 && (last & 0x3) != 0))
			return -1;
	}
	return (int)(n / 4 * 3 + (n % 4 == 2 ? 1 : n % 4 == 3 ? 2 : 0));
}

/* Decode what b64_len() accepted into out (b64_len() octets). */
static void
b64_decode(struct span s, uint8_t *out)
{
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < s.n && s.p[i] != '='; i++) {
		acc = (acc << 6) | (uint32_t)b64_val(s.p[i]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
		acc &= (1u << bits) - 1;
	}
}

/* Base64 with padding into out (4 * ceil(n / 3) + 1 octets). */
static void
b64_encode(const uint8_t *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* The first unusable reason stays: the one an error names. */
static void
unusable(struct sdp_crypto *c, const char *why)
{
	if (c->unusable == NULL)
		c->unusable = why;
}

/* RFC 3711 section 9.2: a master key protects at most 2^48 SRTP packets
 * (and 2^31 SRTCP ones); a longer lifetime is not one a key can have. */
#define SDP_LIFETIME_MAX (UINT64_C(1) << 48)

/*
 * key-params (RFC 4568 section 9.2, SRTP's): "inline:" <key||salt base64>
 * ["|" <lifetime>] ["|" <MKI value> ":" <MKI length>]; more than one key
 * (";" between them, each with its MKI) is parsed for the first and left
 * unusable. The key never goes into a sentence.
 */
static int
parse_key_params(struct pstate *st, unsigned int no, struct span kp, struct sdp_crypto *c)
{
	const char *semi = memchr(kp.p, ';', kp.n);
	const char *colon;
	struct span method, info, part[3];
	size_t i = 0;
	int nparts = 0, len;
	bool has_life = false;

	if (semi != NULL) {
		kp.n = (size_t)(semi - kp.p);
		unusable(c, "several master keys with MKIs in one line are not taken");
	}
	colon = memchr(kp.p, ':', kp.n);
	if (colon == NULL)
		return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
			    "a=crypto:%u: key-params is not <key-method>:<key-info>", c->tag);
	method = (struct span){ kp.p, (size_t)(colon - kp.p) };
	info = (struct span){ colon + 1, kp.n - method.n - 1 };
	if (!span_is(method, "inline")) {
		/* RFC 4568 defines "inline" only; another method's info is not ours to read */
		unusable(c, "a key method other than inline");
		return 0;
	}
	if (span_is(info, "$")) {
		c->key_choose = true;
		return 0;
	}
	while (i <= info.n && nparts < 3) {
		const char *bar = memchr(info.p + i, '|', info.n - i);
		size_t n = bar != NULL ? (size_t)(bar - (info.p + i)) : info.n - i;

		part[nparts++] = (struct span){ info.p + i, n };
		if (bar == NULL)
			break;
		i += n + 1;
		if (i == info.n || nparts == 3)
			return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
				    "a=crypto:%u: inline: is not <key>[|<lifetime>][|<MKI>:<length>]",
				    c->tag);
	}
	len = b64_len(part[0]);
	if (len < 0)
		return sdp_fail(st->err, SDP_E_CRYPTO_KEY, no, -EINVAL,
			    "a=crypto:%u: the inline key is not base64", c->tag);
	if ((unsigned int)len != suite_tab[c->suite].len)
		return sdp_fail(st->err, SDP_E_CRYPTO_KEY, no, -EINVAL,
			    "a=crypto:%u: %s needs %u bytes of key and salt, %d given", c->tag,
			    suite_tab[c->suite].name, suite_tab[c->suite].len, len);
	b64_decode(part[0], c->key);
	c->key_len = (uint8_t)len;
	for (int k = 1; k < nparts; k++) {
		const char *mc = memchr(part[k].p, ':', part[k].n);
		uint64_t x, l;

		if (mc == NULL) {
			/* lifetime: "2^" n, or a decimal count; before the MKI */
			bool pow = part[k].n > 2 && part[k].p[0] == '2' && part[k].p[1] == '^';
			struct span d = pow ? (struct span){ part[k].p + 2, part[k].n - 2 } : part[k];

			if (has_life || c->mki_len > 0 || !span_num(d, pow ? 2 : 15, &x) ||
			    (pow ? x > 48 : x == 0 || x > SDP_LIFETIME_MAX))
				return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
					    "a=crypto:%u: the lifetime is not 2^n or a count up to "
					    "2^48 (RFC 3711's limit for a master key)", c->tag);
			c->lifetime = pow ? UINT64_C(1) << x : x;
			has_life = true;
			continue;
		}
		/* MKI: value ":" length in octets (1..128); the value fits the length */
		if (c->mki_len > 0 ||
		    !span_num((struct span){ part[k].p, (size_t)(mc - part[k].p) }, 10, &x) ||
		    !span_num((struct span){ mc + 1, part[k].n - (size_t)(mc + 1 - part[k].p) }, 3, &l) ||
		    l == 0 || l > 128 || x > UINT32_MAX || (l < 4 && x >> (8 * l) != 0))
			return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
				    "a=crypto:%u: the MKI is not <value>:<length> with a length of 1..128 "
				    "bytes that holds the value", c->tag);
		c->mki = (uint32_t)x;
		if (l > 4) {
			/* a valid MKI, but one of more than 4 bytes is not taken */
			unusable(c, "an MKI longer than 4 bytes");
			c->mki_len = 4;
		} else {
			c->mki_len = (uint8_t)l;
		}
	}
	return 0;
}

/*
 * One session parameter (RFC 4568 section 6.3). Parsed; those the gateway
 * does not honour leave the line unusable: an answerer picks a line it
 * supports, and the others are then passed over rather than half obeyed.
 */
static int
parse_session_param(struct pstate *st, unsigned int no, struct span p, struct sdp_crypto *c)
{
	uint64_t x;

	if (span_is(p, "UNENCRYPTED_SRTP")) {
		unusable(c, "UNENCRYPTED_SRTP: the gateway carries no RTP in the clear on an SRTP leg");
		return 0;
	}
	if (span_is(p, "UNENCRYPTED_SRTCP")) {
		unusable(c, "UNENCRYPTED_SRTCP: the gateway carries no RTCP in the clear on an SRTP leg");
		return 0;
	}
	if (span_is(p, "UNAUTHENTICATED_SRTP")) {
		unusable(c, "UNAUTHENTICATED_SRTP: SRTP without its authentication tag is not taken");
		return 0;
	}
	if (p.n > 4 && memcmp(p.p, "KDR=", 4) == 0) {
		if (!span_num((struct span){ p.p + 4, p.n - 4 }, 2, &x) || x > 24)
			return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
				    "a=crypto:%u: KDR is not a number 0..24", c->tag);
		unusable(c, "KDR: the gateway's SRTP derives the session keys once, it does not "
			    "re-derive them");
		return 0;
	}
	if (span_is(p, "FEC_ORDER=FEC_SRTP"))
		return 0;       /* the default: FEC packets are SRTP packets like any */
	if (span_is(p, "FEC_ORDER=SRTP_FEC")) {
		unusable(c, "FEC_ORDER=SRTP_FEC: FEC over SRTP packets is not taken");
		return 0;
	}
	if (p.n >= 10 && memcmp(p.p, "FEC_ORDER=", 10) == 0)
		return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
			    "a=crypto:%u: FEC_ORDER is not FEC_SRTP or SRTP_FEC", c->tag);
	if (p.n >= 8 && memcmp(p.p, "FEC_KEY=", 8) == 0) {
		unusable(c, "FEC_KEY: a master key of its own for FEC is not taken");
		return 0;
	}
	if (p.n >= 4 && memcmp(p.p, "WSH=", 4) == 0) {
		/* the window size hint: at least 64 (RFC 4568 section 6.3.6) */
		if (!span_num((struct span){ p.p + 4, p.n - 4 }, 5, &x) || x < 64 || x > 65535)
			return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
				    "a=crypto:%u: WSH is not a number 64..65535", c->tag);
		c->wsh = (uint16_t)x;
		return 0;
	}
	/* an extension not known: the line is not understood */
	unusable(c, "a session parameter not known");
	return 0;
}

/* RFC 4568 section 9.1: a=crypto:<tag> 1*WSP <crypto-suite> 1*WSP
 * <key-params> *(1*WSP <session-param>); media level only. */
static int
parse_crypto(struct pstate *st, unsigned int no, struct span val, bool has_val)
{
	struct sdp_media *m = &st->out->media;
	struct sdp_crypto *c;
	struct span f[3];
	size_t i = 0;
	int nf = 0, rc;
	uint64_t tag;

	if (!st->in_media)
		return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
			    "a=crypto: a media-level attribute before m= (RFC 4568)");
	if (has_val && span_is(val, "$")) {
		if (m->crypto_choose)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "a=crypto:$: a second one");
		m->crypto_choose = true;
		return 0;
	}
	if (m->ncrypto == SDP_CRYPTO_MAX)
		return sdp_fail(st->err, SDP_E_CRYPTO_COUNT, no, -E2BIG,
			    "a=crypto: more than %u lines", SDP_CRYPTO_MAX);
	c = &m->crypto[m->ncrypto];
	memset(c, 0, sizeof(*c));
	c->line = (uint16_t)no;
	/* the three fields, then the session parameters one at a time */
	for (;;) {
		size_t n;

		while (i < val.n && (val.p[i] == ' ' || val.p[i] == '\t'))
			i++;
		if (i == val.n)
			break;
		for (n = 0; i + n < val.n && val.p[i + n] != ' ' && val.p[i + n] != '\t'; n++)
			;
		if (nf < 3) {
			f[nf++] = (struct span){ val.p + i, n };
			if (nf == 3) {
				/* tag, suite, key-params */
				if (span_is(f[0], "$")) {
					c->tag_choose = true;
				} else if (!span_num(f[0], 9, &tag)) {
					return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
						    "a=crypto: the tag \"%.*s\" is not 1 to 9 digits",
						    (int)(f[0].n > 12 ? 12 : f[0].n), f[0].p);
				} else {
					c->tag = (uint32_t)tag;
				}
				for (unsigned int k = 0; k < m->ncrypto; k++)
					if (!c->tag_choose && !m->crypto[k].tag_choose &&
					    m->crypto[k].tag == c->tag)
						return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
							    "a=crypto: tag %u again (the first is line %u)",
							    c->tag, m->crypto[k].line);
				if (f[1].n >= SDP_TOKEN_MAX)
					return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
						    "a=crypto:%u: a suite name longer than %u bytes",
						    c->tag, SDP_TOKEN_MAX - 1);
				for (size_t k = 0; k < f[1].n; k++) {
					char ch = f[1].p[k];

					if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
					      (ch >= '0' && ch <= '9') || ch == '_'))
						return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
							    "a=crypto:%u: the suite is not letters, "
							    "digits and _", c->tag);
				}
				copy_span(c->suite_str, f[1]);
				for (unsigned int k = SDP_SUITE_OTHER + 1; k < SDP_SUITE_COUNT; k++)
					if (span_is(f[1], suite_tab[k].name))
						c->suite = (uint8_t)k;
				if (c->suite == SDP_SUITE_OTHER) {
					/* RFC 4568 section 5.1.2: an answerer passes over
					 * what it does not support; the key's form is the
					 * suite's, not ours to judge */
					unusable(c, "a suite the gateway does not know");
				} else if ((rc = parse_key_params(st, no, f[2], c)) < 0) {
					return rc;
				}
			}
		} else if (c->suite != SDP_SUITE_OTHER) {
			rc = parse_session_param(st, no, (struct span){ val.p + i, n }, c);
			if (rc < 0)
				return rc;
		}
		i += n;
	}
	if (nf < 3)
		return sdp_fail(st->err, SDP_E_CRYPTO, no, -EINVAL,
			    "a=crypto: not <tag> <crypto-suite> <key-params> [<session-param>...]");
	m->ncrypto++;
	return 0;
}

/* Keep a codec line for the answer: "a=" v CRLF. */
static int
keep_codec(struct pstate *st, unsigned int no, struct span v)
{
	char *codec = st->out->media.codec;
	size_t used = strlen(codec);

	if (used + 2 + v.n + 2 >= SDP_CODEC_MAX)
		return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
			    "a=rtpmap, a=fmtp...: more than %u bytes of codec lines in all",
			    SDP_CODEC_MAX - 1);
	memcpy(codec + used, "a=", 2);
	memcpy(codec + used + 2, v.p, v.n);
	memcpy(codec + used + 2 + v.n, "\r\n", 3);
	return 0;
}

/* RFC 8866 section 6.4: a=ptime:<ms>, a fraction allowed ("2.5"); kept in
 * whole ms. */
static bool
parse_ms(struct span val, uint16_t *ms)
{
	const char *dot = memchr(val.p, '.', val.n);
	struct span whole = { val.p, dot != NULL ? (size_t)(dot - val.p) : val.n };
	uint64_t x, f;

	if (!span_num(whole, 5, &x) || x > 65535)
		return false;
	if (dot != NULL && !span_num((struct span){ dot + 1, val.n - whole.n - 1 }, 6, &f))
		return false;
	if (x == 0 && (dot == NULL || f == 0))
		return false;
	*ms = (uint16_t)x;
	return true;
}

/*
 * The RTP attributes: 1 when name is none of them (the caller counts it as
 * other), else 0 or an error. At session level only the direction is
 * taken; a=crypto is refused there, the others are counted as other.
 */
static int
parse_rtp_attr(struct pstate *st, unsigned int no, struct span v, struct span name,
	       struct span val, bool has_val)
{
	struct sdp_media *m = &st->out->media;
	struct level *lv = &st->lv[st->in_media];
	uint64_t x;

	for (unsigned int d = SDP_DIR_SENDRECV; d <= SDP_DIR_INACTIVE; d++) {
		if (!span_is(name, dir_names[d]))
			continue;
		if (has_val)
			return sdp_fail(st->err, SDP_E_RTP_ATTR, no, -EINVAL,
				    "a=%s: a direction has no value", dir_names[d]);
		if (lv->dir_line != 0)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=%s: a second direction (the first is line %u)", dir_names[d],
				    lv->dir_line);
		lv->dir = (uint8_t)d;
		lv->dir_line = (uint16_t)no;
		return 0;
	}
	if (span_is(name, "crypto"))
		return parse_crypto(st, no, val, has_val);
	if (!st->in_media)
		return 1;
	if (span_is(name, "rtcp-mux")) {
		if (has_val)
			return sdp_fail(st->err, SDP_E_RTP_ATTR, no, -EINVAL, "a=rtcp-mux has no value");
		if (m->rtcp_mux)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "a=rtcp-mux: a second one");
		m->rtcp_mux = true;
		return 0;
	}
	if (span_is(name, "rtcp")) {
		/* RFC 3605 section 2.1: a=rtcp:<port> [IN IP4|IP6 <address>] */
		const char *sp = has_val ? memchr(val.p, ' ', val.n) : NULL;
		struct span port = { val.p, sp != NULL ? (size_t)(sp - val.p) : val.n };

		if (m->rtcp_line != 0)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=rtcp: a second one (the first is line %u)", m->rtcp_line);
		m->rtcp_line = (uint16_t)no;
		if (has_val && span_is(val, "$")) {
			m->rtcp_choose = true;
			return 0;
		}
		if (!has_val || !span_num(port, 5, &x) || x == 0 || x > 65535)
			return sdp_fail(st->err, SDP_E_RTCP, no, -EINVAL,
				    "a=rtcp: the port is not a number 1..65535 or $");
		m->rtcp_port = (uint16_t)x;
		if (sp != NULL) {
			struct pstate quiet = { .out = st->out, .err = NULL };
			struct span a = { sp + 1, val.n - port.n - 1 };

			if (parse_conn(&quiet, no, a, &m->rtcp_addr) < 0 ||
			    m->rtcp_addr.kind == SDP_ADDR_CHOOSE)
				return sdp_fail(st->err, SDP_E_RTCP, no, -EINVAL,
					    "a=rtcp: the address is not IN IP4|IP6 <unicast address>");
		}
		return 0;
	}
	if (span_is(name, "ptime") || span_is(name, "maxptime")) {
		uint16_t *ms = name.n == 5 ? &m->ptime : &m->maxptime;

		if (*ms != 0)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "a=%.*s: a second one",
				    (int)name.n, name.p);
		if (!has_val || !parse_ms(val, ms))
			return sdp_fail(st->err, SDP_E_RTP_ATTR, no, -EINVAL,
				    "a=%.*s: not a time in ms above 0", (int)name.n, name.p);
		return keep_codec(st, no, v);
	}
	if (span_is(name, "rtpmap")) {
		/* RFC 8866 section 6.6: <payload type> <encoding name>/<clock rate>[/<parameters>] */
		const char *sp = has_val ? memchr(val.p, ' ', val.n) : NULL;
		const char *sl = sp != NULL ? memchr(sp, '/', val.n - (size_t)(sp - val.p)) : NULL;
		struct span rate = { sl != NULL ? sl + 1 : NULL, 0 };

		if (sl != NULL) {
			const char *sl2 = memchr(sl + 1, '/', val.n - (size_t)(sl + 1 - val.p));

			rate.n = (sl2 != NULL ? (size_t)(sl2 - rate.p) : val.n - (size_t)(rate.p - val.p));
		}
		if (sp == NULL || sl == NULL || sl == sp + 1 ||
		    !span_num((struct span){ val.p, (size_t)(sp - val.p) }, 3, &x) || x > 127 ||
		    !span_num(rate, 10, &x) || x == 0)
			return sdp_fail(st->err, SDP_E_RTP_ATTR, no, -EINVAL,
				    "a=rtpmap: not <payload type> <encoding>/<clock rate>[/<channels>]");
		return keep_codec(st, no, v);
	}
	if (span_is(name, "fmtp")) {
		/* RFC 8866 section 6.15: <format> <format specific parameters> */
		const char *sp = has_val ? memchr(val.p, ' ', val.n) : NULL;

		if (sp == NULL || sp == val.p || (size_t)(sp - val.p) + 1 == val.n)
			return sdp_fail(st->err, SDP_E_RTP_ATTR, no, -EINVAL,
				    "a=fmtp: not <format> <parameters>");
		return keep_codec(st, no, v);
	}
	if (span_is(name, "rtcp-fb") || span_is(name, "framerate")) {
		/* RFC 4585 section 4.2; RFC 8866 section 6.8: passed through */
		if (!has_val || val.n == 0)
			return sdp_fail(st->err, SDP_E_RTP_ATTR, no, -EINVAL, "a=%.*s: no value",
				    (int)name.n, name.p);
		return keep_codec(st, no, v);
	}
	return 1;
}

static int
parse_attr(struct pstate *st, unsigned int no, struct span v)
{
	struct level *lv = &st->lv[st->in_media];
	const char *colon = memchr(v.p, ':', v.n);
	struct span name = { v.p, colon != NULL ? (size_t)(colon - v.p) : v.n };
	struct span val = { colon != NULL ? colon + 1 : v.p + v.n,
			    colon != NULL ? v.n - name.n - 1 : 0 };
	int rc;

	if (name.n == 0)
		return sdp_fail(st->err, SDP_E_LINE, no, -EINVAL, "a=: no attribute name");
	if (span_is(name, "setup")) {
		static const char *const vals[] = { "active", "passive", "actpass", "holdconn", "$" };

		if (lv->setup_line != 0)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=setup: a second one (the first is line %u)", lv->setup_line);
		for (unsigned int i = 0; i < 5; i++)
			if (colon != NULL && span_is_nocase(val, vals[i]))
				lv->setup = (uint8_t)(SDP_SETUP_ACTIVE + i);
		if (lv->setup == SDP_SETUP_NONE)
			return sdp_fail(st->err, SDP_E_SETUP, no, -EINVAL,
				    "a=setup: \"%.*s\" is not active, passive, actpass or holdconn",
				    (int)(val.n > 32 ? 32 : val.n), val.p);
		lv->setup_line = (uint16_t)no;
		return 0;
	}
	if (span_is(name, "connection")) {
		if (lv->conn_line != 0)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=connection: a second one (the first is line %u)", lv->conn_line);
		if (colon != NULL && span_is_nocase(val, "new"))
			lv->connection = SDP_CONNECTION_NEW;
		else if (colon != NULL && span_is_nocase(val, "existing"))
			lv->connection = SDP_CONNECTION_EXISTING;
		else
			return sdp_fail(st->err, SDP_E_CONNECTION, no, -EINVAL,
				    "a=connection: \"%.*s\" is not new or existing",
				    (int)(val.n > 32 ? 32 : val.n), val.p);
		lv->conn_line = (uint16_t)no;
		return 0;
	}
	if (span_is(name, "fingerprint")) {
		const char *why = "";

		if (colon != NULL && span_is(val, "$")) {
			lv->fp_choose = true;
			return 0;
		}
		if (lv->nfp == SDP_FP_MAX)
			return sdp_fail(st->err, SDP_E_FP_COUNT, no, -E2BIG,
				    "a=fingerprint: more than %u at one level", SDP_FP_MAX);
		rc = certfp_parse(val.p, val.n, &lv->fp[lv->nfp], &why);
		if (rc < 0)
			return fp_fail(st, no, val, rc, why);
		lv->nfp++;
		return 0;
	}
	if (span_is(name, "path")) {
		if (lv->has_path)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=path: a second one (the first is line %u)", lv->path_line);
		if (val.n >= SDP_PATH_MAX)
			return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
				    "a=path: longer than %u bytes", SDP_PATH_MAX - 1);
		if (colon == NULL || !path_ok(val))
			return sdp_fail(st->err, SDP_E_PATH, no, -EINVAL,
				    "a=path: not msrp:// or msrps:// URIs separated by single spaces");
		lv->has_path = true;
		lv->path = val;
		lv->path_line = (uint16_t)no;
		return 0;
	}
	rc = parse_rtp_attr(st, no, v, name, val, colon != NULL);
	if (rc != 1)
		return rc;
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
			return sdp_fail(st->err, SDP_E_VERSION, no, -EINVAL,
				    "the first line is %c=, not v=0", type);
		if (!span_is(v, "0"))
			return sdp_fail(st->err, SDP_E_VERSION, no, -EINVAL,
				    "v=%.*s: only version 0 is defined", (int)(v.n > 16 ? 16 : v.n), v.p);
		return 0;
	}
	switch (type) {
	case 'v':
		return sdp_fail(st->err, SDP_E_ALTERNATIVE, no, -ENOTSUP,
			    "v=: a second description (H.248 alternatives are not taken: give one)");
	case 'm':
		if (out->has_media)
			return sdp_fail(st->err, SDP_E_MEDIA_COUNT, no, -ENOTSUP,
				    "m=: a second m= line (the first is line %u): one termination "
				    "is one TCP leg", out->media.line);
		out->has_media = true;
		st->in_media = true;
		return parse_media(st, no, v);
	case 'c': {
		struct level *lv = &st->lv[st->in_media];

		if (lv->c_line != 0)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
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
			return sdp_fail(st->err, SDP_E_ORDER, no, -EINVAL,
				    "%c=: a session-level line after m= (line %u)", type, out->media.line);
		break;
	default:
		return sdp_fail(st->err, SDP_E_LINE, no, -EINVAL,
			    "%c=: a type not defined by RFC 8866", type);
	}
	if (type == 'o') {
		struct span f[6];

		if (out->has_origin)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "o=: a second one");
		if (split(v, f, 6, false) != 6)
			return sdp_fail(st->err, SDP_E_ORIGIN, no, -EINVAL,
				    "o=: not \"<username> <sess-id> <sess-version> IN <addrtype> "
				    "<address>\"");
		if (v.n >= SDP_ORIGIN_MAX)
			return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG, "o=: longer than %u bytes",
				    SDP_ORIGIN_MAX - 1);
		copy_span(out->origin, v);
		out->has_origin = true;
		return 0;
	}
	if (type == 's') {
		if (out->has_name)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "s=: a second one");
		if (v.n >= SDP_NAME_MAX)
			return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG, "s=: longer than %u bytes",
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
	m->dir = md->dir_line != 0 ? md->dir : s->dir;
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
		rc = sdp_fail(err, SDP_E_SIZE, 0, -E2BIG, "%zu bytes, more than the %u taken", len,
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
			rc = sdp_fail(err, SDP_E_LINE, blank_at, -EINVAL,
				  "an empty line inside the description");
			goto out_zero;
		}
		no++;
		if (no > SDP_LINES_MAX) {
			rc = sdp_fail(err, SDP_E_LINES, no, -E2BIG, "more than %u lines", SDP_LINES_MAX);
			goto out_zero;
		}
		if (n > SDP_LINE_MAX) {
			rc = sdp_fail(err, SDP_E_LINE_LEN, no, -E2BIG, "%zu bytes, more than the %u taken",
				  n, SDP_LINE_MAX);
			goto out_zero;
		}
		for (size_t j = 0; j < n; j++) {
			unsigned char c = (unsigned char)p[j];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				rc = sdp_fail(err, SDP_E_CHAR, no, -EINVAL, "%s at byte %zu",
					  c == '\r' ? "a CR not before LF" : c == 0 ? "a NUL" :
					  "a control character", j + 1);
				goto out_zero;
			}
		}
		if (n < 2 || p[0] < 'a' || p[0] > 'z' || p[1] != '=') {
			rc = sdp_fail(err, SDP_E_LINE, no, -EINVAL,
				  "not <letter>=<value> (\"%.*s\")", (int)(n > 24 ? 24 : n), p);
			goto out_zero;
		}
		rc = parse_line(&st, no, p[0], (struct span){ p + 2, n - 2 });
		if (rc < 0)
			goto out_zero;
	}
	if (no == 0) {
		rc = sdp_fail(err, SDP_E_EMPTY, 0, -EINVAL, "no line: v=0 is needed");
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
		return sdp_fail(err, SDP_E_NO_MEDIA, 0, -EINVAL, "%s has no m= line", side[who]);
	if (m->proto == SDP_PROTO_OTHER || sdp_proto_rtp(m->proto))
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP,
			    "%s: proto %s is not TCP/MSRP, TCP/TLS/MSRP, TCP/BFCP or TCP/TLS/BFCP",
			    side[who], m->proto_str);
	if (proto_media(m->proto) != m->type)
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP, "%s: %s under m=%s (it is m=%s)",
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
			return sdp_fail(err, SDP_E_ROLE_CONFLICT, 0, -EINVAL,
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
	return sdp_fail(err, SDP_E_SETUP_MISSING, 0, -EINVAL,
		    "Remote has no a=setup and Local none that decides: RFC 4145's default "
		    "depends on which was the offer");
}

/* One side's address and port, as both derivers read them. */
struct side {
	bool addr_choose, port_choose;
	uint8_t family;
	uint16_t port;
	uint8_t ip[16];
};

/* Local: `$` or no c= means our address is ours to pick (with the family
 * `$` gave), `$` as port our port; a number is the controller's; port 0
 * and an unspecified address or a name are refused. No Local: all ours. */
static int
local_side(const struct sdp_media *lm, struct side *o, struct sdp_error *err)
{
	memset(o, 0, sizeof(*o));
	if (lm == NULL) {
		o->addr_choose = o->port_choose = true;
		return 0;
	}
	if (lm->port_choose)
		o->port_choose = true;
	else if (lm->port == 0)
		return sdp_fail(err, SDP_E_PORT_ZERO, lm->line, -EINVAL,
			    "Local's port is 0: the controller refuses the stream");
	else
		o->port = lm->port;
	switch (lm->addr.kind) {
	case SDP_ADDR_NONE:
		o->addr_choose = true;
		return 0;
	case SDP_ADDR_CHOOSE:
		o->addr_choose = true;
		o->family = lm->addr.family;
		return 0;
	case SDP_ADDR_IP:
		if (ip_zero(lm->addr.ip, lm->addr.family))
			return sdp_fail(err, SDP_E_ADDRESS, lm->addr.line, -EINVAL,
				    "Local's c= address is unspecified: give ours or $");
		o->family = lm->addr.family;
		memcpy(o->ip, lm->addr.ip, 16);
		return 0;
	default:
		return sdp_fail(err, SDP_E_ADDRESS, lm->addr.line, -ENOTSUP,
			    "Local's c= is a name: the gateway resolves none; give an address or $");
	}
}

/* Remote: a numeric address (not unspecified, not of the other family
 * than Local's) and a port other than 0 and `$`. */
static int
remote_side(const struct sdp_media *rm, uint8_t local_family, struct side *o,
	    struct sdp_error *err)
{
	memset(o, 0, sizeof(*o));
	if (rm->port_choose)
		return sdp_fail(err, SDP_E_REMOTE_PORT, rm->line, -EINVAL,
			    "Remote's port is $: CHOOSE is for the gateway's own side");
	if (rm->port == 0)
		return sdp_fail(err, SDP_E_PORT_ZERO, rm->line, -EINVAL,
			    "Remote's port is 0: the peer refused or disabled the stream");
	switch (rm->addr.kind) {
	case SDP_ADDR_IP:
		break;
	case SDP_ADDR_NONE:
		return sdp_fail(err, SDP_E_ADDRESS, rm->line, -EINVAL, "Remote has no c= line");
	case SDP_ADDR_CHOOSE:
		return sdp_fail(err, SDP_E_ADDRESS, rm->addr.line, -EINVAL,
			    "Remote's c= is $: CHOOSE is for the gateway's own side");
	default:
		return sdp_fail(err, SDP_E_ADDRESS, rm->addr.line, -ENOTSUP,
			    "Remote's c= is a name: the gateway resolves none");
	}
	if (ip_zero(rm->addr.ip, rm->addr.family))
		return sdp_fail(err, SDP_E_ADDRESS, rm->addr.line, -EINVAL,
			    "Remote's c= address is unspecified: no peer to reach or to take");
	if (local_family != 0 && local_family != rm->addr.family)
		return sdp_fail(err, SDP_E_ADDRESS, rm->addr.line, -EINVAL,
			    "Remote is IP%c, Local IP%c: one leg has one family",
			    rm->addr.family == AF_INET ? '4' : '6', local_family == AF_INET ? '4' : '6');
	o->family = rm->addr.family;
	o->port = rm->port;
	memcpy(o->ip, rm->addr.ip, 16);
	return 0;
}

int
sdp_derive(const struct sdp *local, const struct sdp *remote, unsigned int flags,
	   struct sdp_term *out, struct sdp_error *err)
{
	const struct sdp_media *lm = local != NULL ? &local->media : NULL;
	const struct sdp_media *rm = remote != NULL ? &remote->media : NULL;
	struct side ls, rs;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (local == NULL && remote == NULL) {
		rc = sdp_fail(err, SDP_E_NO_MEDIA, 0, -EINVAL, "neither Local nor Remote given");
		goto out_zero;
	}
	if ((flags & ~(SDP_PREFER_CLIENT | SDP_REMOTE_OFFER | SDP_REMOTE_ANSWER)) != 0 ||
	    ((flags & SDP_REMOTE_OFFER) && (flags & SDP_REMOTE_ANSWER))) {
		rc = sdp_fail(err, SDP_E_SETUP_MISSING, 0, -EINVAL, "flags 0x%x are not valid", flags);
		goto out_zero;
	}
	if ((local != NULL && (rc = check_media(local, 0, err)) < 0) ||
	    (remote != NULL && (rc = check_media(remote, 1, err)) < 0))
		goto out_zero;
	if (lm != NULL && rm != NULL && lm->proto != rm->proto) {
		rc = sdp_fail(err, SDP_E_PROTO_MISMATCH, 0, -EINVAL,
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
	if (lm != NULL)
		out->fp_asked = lm->fp_choose;
	rc = local_side(lm, &ls, err);
	if (rc < 0)
		goto out_zero;
	out->local_addr_choose = ls.addr_choose;
	out->local_port_choose = ls.port_choose;
	out->local_family = ls.family;
	out->local_port = ls.port;
	memcpy(out->local_ip, ls.ip, 16);

	if (rm == NULL)
		return 0;
	out->remote_known = true;
	rc = remote_side(rm, ls.family, &rs, err);
	if (rc < 0)
		goto out_zero;
	out->remote_family = rs.family;
	memcpy(out->remote_ip, rs.ip, 16);
	/* the peer's port is where we connect; an active peer's (port 9 by
	 * RFC 4145's advice) is not the port it connects from */
	out->remote_port = out->role == SDP_ROLE_SERVER ? 0 : rm->port;
	if (out->tls) {
		if (rm->nfp == 0) {
			rc = sdp_fail(err, SDP_E_NO_FINGERPRINT, rm->line, -EINVAL,
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

/* ---- one RTP termination ------------------------------------------------------- */

static int
check_rtp_media(const struct sdp *d, unsigned int who, struct sdp_error *err)
{
	const struct sdp_media *m = &d->media;

	if (!d->has_media)
		return sdp_fail(err, SDP_E_NO_MEDIA, 0, -EINVAL, "%s has no m= line", side[who]);
	if (!sdp_proto_rtp(m->proto))
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP,
			    "%s: proto %s is not RTP/AVP, RTP/AVPF, RTP/SAVP or RTP/SAVPF",
			    side[who], m->proto_str);
	if (!media_rtp(m->type))
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP,
			    "%s: m=%s over %s: audio, video or text is taken", side[who],
			    m->media_str, m->proto_str);
	return 0;
}

/* RFC 5761 section 4: on one port, RTCP's packet types 192..223 sit where
 * an RTP packet with the marker bit and payload type 64..95 would. */
static bool
pt_collides(const struct sdp_media *m)
{
	for (unsigned int i = 0; m != NULL && i < m->npt; i++)
		if (m->pt[i] >= 64 && m->pt[i] <= 95)
			return true;
	return false;
}

/* A Local line of suite s the gateway can use (NULL if none). */
static const struct sdp_crypto *
local_line(const struct sdp_media *lm, unsigned int s)
{
	for (unsigned int i = 0; i < lm->ncrypto; i++)
		if (lm->crypto[i].suite == s && lm->crypto[i].unusable == NULL)
			return &lm->crypto[i];
	return NULL;
}

/* Why Remote's line c is not taken: its own reason, the gateway's SRTP,
 * or Local's choice. NULL: taken. */
static const char *
refusal(const struct sdp_crypto *c, const struct sdp_media *lm, unsigned int suites)
{
	if (c->unusable != NULL)
		return c->unusable;
	if (!(suites & SDP_SUITE_BIT(c->suite)))
		return "a suite the gateway's SRTP does not offer";
	if (lm != NULL && !lm->crypto_choose && lm->ncrypto > 0 && local_line(lm, c->suite) == NULL)
		return "a suite Local does not allow";
	return NULL;
}

/* Remote's $ anywhere in a=crypto: CHOOSE is ours. */
static int
remote_crypto_choose(const struct sdp_media *rm, struct sdp_error *err)
{
	if (rm->crypto_choose)
		return sdp_fail(err, SDP_E_CRYPTO, rm->line, -EINVAL,
			    "Remote's a=crypto:$: CHOOSE is for the gateway's own side");
	for (unsigned int i = 0; i < rm->ncrypto; i++)
		if (rm->crypto[i].tag_choose || rm->crypto[i].key_choose)
			return sdp_fail(err, SDP_E_CRYPTO, rm->crypto[i].line, -EINVAL,
				    "Remote's a=crypto has $: CHOOSE is for the gateway's own side");
	return 0;
}

static int
derive_srtp(const struct sdp_media *lm, const struct sdp_media *rm, unsigned int suites,
	    struct sdp_rtp_term *t, struct sdp_error *err)
{
	const struct sdp_crypto *mine = NULL;
	int rc;

	if (lm != NULL && !lm->crypto_choose && lm->ncrypto > 0) {
		/* Local names its suites: one at least must be of use */
		unsigned int ok = 0;

		for (unsigned int i = 0; i < lm->ncrypto; i++)
			ok += lm->crypto[i].unusable == NULL &&
			      (suites & SDP_SUITE_BIT(lm->crypto[i].suite));
		if (ok == 0)
			return sdp_fail(err, SDP_E_CRYPTO_SUITE, lm->crypto[0].line, -ENOTSUP,
				    "none of Local's %u a=crypto lines is taken; the first (a=crypto:"
				    "%u %s): %s", lm->ncrypto, lm->crypto[0].tag,
				    lm->crypto[0].suite_str,
				    lm->crypto[0].unusable != NULL ? lm->crypto[0].unusable :
				    "a suite the gateway's SRTP does not offer");
	}
	if (rm == NULL) {
		/* we offer: Local's first line with a key gives ours */
		for (unsigned int i = 0; lm != NULL && i < lm->ncrypto && mine == NULL; i++)
			if (lm->crypto[i].unusable == NULL && lm->crypto[i].key_len > 0 &&
			    (suites & SDP_SUITE_BIT(lm->crypto[i].suite)))
				mine = &lm->crypto[i];
		t->key_choose = mine == NULL;
		if (mine != NULL)
			t->ours = *mine;
		t->why_crypto = mine != NULL ? "no Remote yet: Local's first line with a key is ours" :
			 "no Remote yet: our offer's keys are ours to make";
		return 0;
	}
	if ((rc = remote_crypto_choose(rm, err)) < 0)
		return rc;
	if (rm->ncrypto == 0)
		return sdp_fail(err, SDP_E_NO_CRYPTO, rm->line, -EINVAL,
			    "Remote is %s without a=crypto: no key to decrypt with (RFC 4568)",
			    rm->proto_str);
	/* RFC 4568 section 5.1.2: the answerer takes one line it supports,
	 * in the offer's order of preference, and answers with its tag */
	for (unsigned int i = 0; i < rm->ncrypto; i++) {
		const struct sdp_crypto *c = &rm->crypto[i];

		if (refusal(c, lm, suites) != NULL)
			continue;
		t->peer = *c;
		t->ours.tag = c->tag;
		t->ours.suite = c->suite;
		memcpy(t->ours.suite_str, c->suite_str, sizeof(t->ours.suite_str));
		mine = lm != NULL ? local_line(lm, c->suite) : NULL;
		if (mine != NULL && mine->key_len > 0) {
			memcpy(t->ours.key, mine->key, sizeof(t->ours.key));
			t->ours.key_len = mine->key_len;
			t->ours.lifetime = mine->lifetime;
			t->ours.mki = mine->mki;
			t->ours.mki_len = mine->mki_len;
			t->ours.wsh = mine->wsh;
		}
		t->key_choose = t->ours.key_len == 0;
		t->why_crypto = i == 0 ? "Remote's first a=crypto line" :
			 "the first of Remote's a=crypto lines the gateway takes (RFC 4568 "
			 "section 5.1.2)";
		return 0;
	}
	return sdp_fail(err, SDP_E_CRYPTO_SUITE, rm->crypto[0].line, -ENOTSUP,
		    "none of Remote's %u a=crypto lines is taken; the first (a=crypto:%u %s): %s",
		    rm->ncrypto, rm->crypto[0].tag, rm->crypto[0].suite_str,
		    refusal(&rm->crypto[0], lm, suites));
}

int
sdp_rtp_derive(const struct sdp *local, const struct sdp *remote, unsigned int suites,
	       struct sdp_rtp_term *out, struct sdp_error *err)
{
	const struct sdp_media *lm = local != NULL ? &local->media : NULL;
	const struct sdp_media *rm = remote != NULL ? &remote->media : NULL;
	struct side ls, rs;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (local == NULL && remote == NULL) {
		rc = sdp_fail(err, SDP_E_NO_MEDIA, 0, -EINVAL, "neither Local nor Remote given");
		goto out_zero;
	}
	if (suites == 0)
		suites = SDP_SUITES_ALL;
	if ((local != NULL && (rc = check_rtp_media(local, 0, err)) < 0) ||
	    (remote != NULL && (rc = check_rtp_media(remote, 1, err)) < 0))
		goto out_zero;
	if (lm != NULL && rm != NULL && (lm->proto != rm->proto || lm->type != rm->type)) {
		rc = sdp_fail(err, SDP_E_PROTO_MISMATCH, 0, -EINVAL,
			  "Local is m=%s %s, Remote m=%s %s: one termination carries one stream",
			  lm->media_str, lm->proto_str, rm->media_str, rm->proto_str);
		goto out_zero;
	}
	out->proto = (rm != NULL ? rm : lm)->proto;
	out->media = (rm != NULL ? rm : lm)->type;
	out->srtp = sdp_proto_srtp(out->proto);
	out->local_dir = lm != NULL ? lm->dir : SDP_DIR_NONE;
	out->remote_dir = rm != NULL ? rm->dir : SDP_DIR_NONE;

	/* RFC 5761 section 5.1.1: muxed when both ends say so; the one side
	 * given says it alone (Local: what we offer; Remote: we take it) */
	out->rtcp_mux = (lm == NULL || lm->rtcp_mux) && (rm == NULL || rm->rtcp_mux);
	if (out->rtcp_mux && (pt_collides(lm) || pt_collides(rm))) {
		out->rtcp_mux = false;
		out->why_mux = "a payload type in 64..95 would collide with RTCP on one port (RFC 5761 "
			   "section 4): RTCP keeps its own port";
	}

	rc = local_side(lm, &ls, err);
	if (rc < 0)
		goto out_zero;
	out->local_addr_choose = ls.addr_choose;
	out->local_port_choose = ls.port_choose;
	out->local_family = ls.family;
	out->local_port = ls.port;
	memcpy(out->local_ip, ls.ip, 16);
	if (lm != NULL && !lm->rtcp_choose)
		out->local_rtcp_port = lm->rtcp_port;
	if (!out->rtcp_mux && out->local_port == 65535 && out->local_rtcp_port == 0) {
		rc = sdp_fail(err, SDP_E_PORT, lm->line, -EINVAL,
			  "Local's port 65535 leaves no port + 1 for RTCP: give a=rtcp or a=rtcp-mux");
		goto out_zero;
	}

	if (rm != NULL) {
		out->remote_known = true;
		rc = remote_side(rm, ls.family, &rs, err);
		if (rc < 0)
			goto out_zero;
		out->remote_family = rs.family;
		out->remote_port = rs.port;
		memcpy(out->remote_ip, rs.ip, 16);
		memcpy(out->remote_rtcp_ip, rs.ip, 16);
		/* RFC 3605 section 2.1: a=rtcp's port (and address), else RTP's + 1 */
		if (out->rtcp_mux) {
			out->remote_rtcp_port = rs.port;
		} else if (rm->rtcp_choose) {
			rc = sdp_fail(err, SDP_E_REMOTE_PORT, rm->rtcp_line, -EINVAL,
				  "Remote's a=rtcp:$: CHOOSE is for the gateway's own side");
			goto out_zero;
		} else if (rm->rtcp_port != 0) {
			out->remote_rtcp_port = rm->rtcp_port;
		} else if (rs.port == 65535) {
			rc = sdp_fail(err, SDP_E_REMOTE_PORT, rm->line, -EINVAL,
				  "Remote's port 65535 leaves no port + 1 for RTCP and there is no "
				  "a=rtcp");
			goto out_zero;
		} else {
			out->remote_rtcp_port = (uint16_t)(rs.port + 1);
		}
		if (!out->rtcp_mux && rm->rtcp_addr.kind != SDP_ADDR_NONE) {
			const struct sdp_addr *a = &rm->rtcp_addr;

			if (a->kind != SDP_ADDR_IP) {
				rc = sdp_fail(err, SDP_E_ADDRESS, rm->rtcp_line, -ENOTSUP,
					  "Remote's a=rtcp address is a name: the gateway resolves none");
				goto out_zero;
			}
			if (a->family != rs.family || ip_zero(a->ip, a->family)) {
				rc = sdp_fail(err, SDP_E_ADDRESS, rm->rtcp_line, -EINVAL,
					  "Remote's a=rtcp address is unspecified or of the other "
					  "family: one leg has one family");
				goto out_zero;
			}
			memcpy(out->remote_rtcp_ip, a->ip, 16);
		}
	}
	if (out->srtp && (rc = derive_srtp(lm, rm, suites, out, err)) < 0)
		goto out_zero;
	return 0;

out_zero:
	explicit_bzero(out, sizeof(*out));
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
	    sdp_proto_rtp((enum sdp_proto)a->proto) ||
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

/* ---- our RTP answer ------------------------------------------------------------- */

/* The attributes sdp_rtp_write() writes itself: not in attrs. */
static bool
own_attr(struct span name)
{
	static const char *const own[] = { "rtcp", "rtcp-mux", "crypto", "sendrecv", "sendonly",
					   "recvonly", "inactive" };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (span_is(name, own[i]))
			return true;
	return false;
}

/* attrs: lines "a=<name>[:<value>]" CRLF, no control character (the
 * octets sdp_parse() takes: UTF-8 too), none of our own attributes. */
static bool
attrs_ok(const char *s)
{
	size_t n = strlen(s), i = 0;

	if (n >= SDP_CODEC_MAX)
		return false;
	while (i < n) {
		const char *crlf = strstr(s + i, "\r\n");
		size_t len, nl;

		if (crlf == NULL)
			return false;
		len = (size_t)(crlf - (s + i));
		if (len < 3 || s[i] != 'a' || s[i + 1] != '=')
			return false;
		/* what sdp_parse() takes in a line: no control character but tab */
		for (size_t j = i + 2; j < i + len; j++)
			if (((unsigned char)s[j] < 0x20 && s[j] != '\t') || s[j] == 0x7f)
				return false;
		for (nl = 0; nl < len - 2 && s[i + 2 + nl] != ':'; nl++)
			;
		if (nl == 0 || own_attr((struct span){ s + i + 2, nl }))
			return false;
		i += len + 2;
	}
	return true;
}

static bool
crypto_writable(const struct sdp_crypto *c)
{
	return c->suite > SDP_SUITE_OTHER && c->suite < SDP_SUITE_COUNT && c->unusable == NULL &&
	       !c->tag_choose && !c->key_choose && c->tag <= 999999999u &&
	       c->key_len == suite_tab[c->suite].len && c->lifetime <= SDP_LIFETIME_MAX &&
	       c->mki_len <= 4 && (c->mki_len == 4 || c->mki_len == 0 || c->mki >> (8 * c->mki_len) == 0) &&
	       (c->mki_len > 0 || c->mki == 0) && (c->wsh == 0 || c->wsh >= 64);
}

/* One a=crypto line, CRLF included (c checked by crypto_writable()). */
static void
put_crypto(struct wbuf *w, const struct sdp_crypto *c)
{
	char key[(SDP_KEY_MAX + 2) / 3 * 4 + 1];

	b64_encode(c->key, c->key_len, key);
	put(w, "a=crypto:%u %s inline:%s", c->tag, suite_tab[c->suite].name, key);
	explicit_bzero(key, sizeof(key));
	if (c->lifetime != 0 && (c->lifetime & (c->lifetime - 1)) == 0)
		put(w, "|2^%d", __builtin_ctzll(c->lifetime));
	else if (c->lifetime != 0)
		put(w, "|%" PRIu64, c->lifetime);
	if (c->mki_len > 0)
		put(w, "|%" PRIu32 ":%u", c->mki, c->mki_len);
	if (c->wsh != 0)
		put(w, " WSH=%u", c->wsh);
	put(w, "\r\n");
}

int
sdp_crypto_write(const struct sdp_crypto *c, char *buf, size_t size)
{
	struct wbuf w = { buf, size, 0, false };

	if (c == NULL || (buf == NULL && size > 0) || !crypto_writable(c))
		return -EINVAL;
	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	put_crypto(&w, c);
	if (w.over) {
		explicit_bzero(buf, size);
		buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)w.n;
}

int
sdp_rtp_write(const struct sdp_rtp_answer *a, char *buf, size_t size)
{
	struct wbuf w = { buf, size, 0, false };
	char addr[INET6_ADDRSTRLEN];
	uint8_t pts[SDP_PT_MAX];
	struct sdp back;
	const char *at;
	int rc = -EINVAL;

	if (a == NULL || buf == NULL)
		return -EINVAL;
	if (size > 0)
		buf[0] = '\0';
	if ((a->family != AF_INET && a->family != AF_INET6) || !media_rtp(a->media) ||
	    !sdp_proto_rtp((enum sdp_proto)a->proto) || a->dir > SDP_DIR_INACTIVE ||
	    a->ncrypto > SDP_CRYPTO_MAX || (a->ncrypto > 0 && a->crypto == NULL) ||
	    sdp_proto_srtp((enum sdp_proto)a->proto) != (a->ncrypto > 0) || a->fmt == NULL ||
	    strlen(a->fmt) >= SDP_FMT_MAX || !fmt_ok((struct span){ a->fmt, strlen(a->fmt) }) ||
	    parse_pts((struct span){ a->fmt, strlen(a->fmt) }, pts) < 1 ||
	    (a->attrs != NULL && !attrs_ok(a->attrs)))
		return -EINVAL;
	for (unsigned int i = 0; i < a->ncrypto; i++) {
		if (!crypto_writable(&a->crypto[i]))
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++)
			if (a->crypto[j].tag == a->crypto[i].tag)
				return -EINVAL;
	}
	if (inet_ntop(a->family, a->ip, addr, sizeof(addr)) == NULL)
		return -EINVAL;
	at = a->family == AF_INET ? "IP4" : "IP6";

	put(&w, "v=0\r\n");
	put(&w, "o=- %" PRIu64 " %" PRIu64 " IN %s %s\r\n", a->sess_id, a->sess_version, at, addr);
	put(&w, "s=-\r\n");
	put(&w, "c=IN %s %s\r\n", at, addr);
	put(&w, "m=%s %u %s %s\r\n", media_names[a->media], a->port, proto_names[a->proto], a->fmt);
	if (a->attrs != NULL)
		put(&w, "%s", a->attrs);
	if (a->rtcp_mux)
		put(&w, "a=rtcp-mux\r\n");
	else if (a->rtcp_port != 0)
		put(&w, "a=rtcp:%u\r\n", a->rtcp_port);
	if (a->dir != SDP_DIR_NONE)
		put(&w, "a=%s\r\n", dir_names[a->dir]);
	for (unsigned int i = 0; i < a->ncrypto; i++)
		put_crypto(&w, &a->crypto[i]);
	if (w.over) {
		rc = -ENOSPC;
		goto out_wipe;
	}
	/* What is written reads back: attrs (the peers' lines) included. */
	rc = sdp_parse(buf, w.n, &back, NULL) == 0 && back.media.ncrypto == a->ncrypto ? 0 : -EINVAL;
	explicit_bzero(&back, sizeof(back));
	if (rc == 0)
		return (int)w.n;

out_wipe:
	explicit_bzero(buf, size);
	if (size > 0)
		buf[0] = '\0';
	return rc;
}

/* The media clock of the first payload type (jitter's units): its
 * a=rtpmap's rate, else RFC 3551's for the static ones that are not 8000
 * (0: 8000, dp's default). */
uint32_t
sdp_rtp_clock(const struct sdp_media *md)
{
	const char *s = md->codec;
	unsigned int pt;

	if (md->npt == 0)
		return 0;
	pt = md->pt[0];
	while (s != NULL && *s != '\0') {
		unsigned int p, rate;
		char name[64];

		if (sscanf(s, "a=rtpmap:%u %63[^/]/%u", &p, name, &rate) == 3 && p == pt &&
		    rate >= 1000u && rate <= 192000u)
			return rate == 8000u ? 0 : rate;
		s = strstr(s, "\r\n");
		if (s != NULL)
			s += 2;
	}
	/* RFC 3551 table 4/5: L16 (10, 11) 44100, MPA (14) and the video ones
	 * 90000; G722 (9) is 8000 by its RTP clock */
	if (pt == 10 || pt == 11)
		return 44100u;
	if (pt == 14 || (pt >= 25 && pt <= 34))
		return 90000u;
	return 0;
}
