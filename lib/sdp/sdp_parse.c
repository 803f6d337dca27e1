/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sdp_parse(): one description's text into struct sdp. See sdp.h and
 * FEATURE.md ("Parsing").
 *
 * RFC 8866 section 5: "<type>=<value>", type one lower-case letter, no
 * space around '='; lines end with CRLF, and a parser "SHOULD" take LF
 * alone. The order is v o s i u e p c b t r z k a at session level, then
 * per m= section i c b k a; a type letter not known makes the description
 * one the parser does not understand (refused here, not guessed at).
 * H.248.1 (its SDP annex and clause 7.1.8) lets o=, s= and t= be left out
 * and gives the CHOOSE wildcard `$` for the fields the gateway fills in.
 * The syntax checks the writer holds its text to (sdp_split(),
 * sdp_fmt_ok(), sdp_path_ok(), sdp_parse_pts()) and sdp_span_num() are
 * this file's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sdp_internal.h"

int
sdp_split(struct span s, struct span *f, int max, bool rest)
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

bool
sdp_span_num(struct span s, unsigned int digits, uint64_t *out)
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

/* RFC 3986 scheme names compare case-insensitively. */
bool
sdp_path_ok(struct span v)
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

bool
sdp_fmt_ok(struct span v)
{
	struct span f[SDP_FMT_MAX];

	if (sdp_split(v, f, (int)SDP_FMT_MAX, false) < 1)
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
	struct sdp_wlevel w;
};

/* One parse: sdp_parse()'s (one section, H.248's limits) or
 * sdp_parse_desc()'s (every section, the SDP_DESC_ limits). */
struct pstate {
	struct sdp *out;
	struct sdp_error *err;
	bool in_media;
	struct sdp_media *m;    /* the section being read */
	struct sdp_media *media;/* where the sections go */
	unsigned int max_media, nmedia;
	size_t fmt_max, codec_max;
	struct level lv[2];     /* 0 session, 1 media */
};

static int finish_section(struct pstate *st);

static int
parse_conn(struct pstate *st, unsigned int no, struct span v, struct sdp_addr *a)
{
	struct span f[3];
	char buf[64];
	int fam;

	if (sdp_split(v, f, 3, false) != 3)
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
		span_copy(buf, f[2]);
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

int
sdp_parse_pts(struct span v, uint8_t *pt)
{
	struct span f[SDP_PT_MAX];
	int n = sdp_split(v, f, (int)SDP_PT_MAX, false);

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

/* How many times c is in p[0..n). */
static size_t
memchr_count(const char *p, char c, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == c;
	return k;
}

static int
parse_media(struct pstate *st, unsigned int no, struct span v)
{
	struct sdp_media *m = st->m;
	struct span f[4];
	unsigned long port = 0;

	if (sdp_split(v, f, 4, true) != 4)
		return sdp_fail(st->err, SDP_E_MEDIA, no, -EINVAL,
			    "m=: not \"<media> <port> <proto> <fmt> ...\"");
	if (f[0].n >= SDP_TOKEN_MAX || f[2].n >= SDP_TOKEN_MAX)
		return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
			    "m=: a media or proto name longer than %u bytes", SDP_TOKEN_MAX - 1);
	if (f[3].n >= st->fmt_max)
		return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
			    "m=: the format list is longer than %zu bytes", st->fmt_max - 1);
	m->line = (uint16_t)no;
	span_copy(m->media_str, f[0]);
	span_copy(m->proto_str, f[2]);
	span_copy(m->fmt, f[3]);
	if (!sdp_fmt_ok(f[3]))
		return sdp_fail(st->err, SDP_E_MEDIA, no, -EINVAL, "m=: the format list is malformed");
	m->type = SDP_MEDIA_OTHER;
	for (unsigned int t = SDP_MEDIA_MESSAGE; t <= SDP_MEDIA_TEXT; t++)
		if (span_is(f[0], sdp_media_names[t]))
			m->type = (uint8_t)t;
	m->proto = SDP_PROTO_OTHER;
	for (unsigned int p = SDP_PROTO_TCP_MSRP; p < SDP_PROTO_COUNT; p++)
		if (span_is(f[2], sdp_proto_names[p]))
			m->proto = (uint8_t)p;
	if (sdp_proto_rtp(m->proto) || sdp_proto_dtls(m->proto)) {
		int n;

		/* more payload types than kept is a limit, not a malformed
		 * line (a caller leaves such a section unrelayed): under
		 * sdp_parse()'s 63 octets of list it cannot happen */
		if (memchr_count(f[3].p, ' ', f[3].n) >= SDP_PT_MAX)
			return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
				    "m=: more than %u RTP payload types", SDP_PT_MAX);
		n = sdp_parse_pts(f[3], m->pt);

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

/* The first unusable reason stays: the one an error names. */
static void
unusable(struct sdp_crypto *c, const char *why)
{
	if (c->unusable == NULL)
		c->unusable = why;
}

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
	if ((unsigned int)len != sdp_suite_tab[c->suite].len)
		return sdp_fail(st->err, SDP_E_CRYPTO_KEY, no, -EINVAL,
			    "a=crypto:%u: %s needs %u bytes of key and salt, %d given", c->tag,
			    sdp_suite_tab[c->suite].name, sdp_suite_tab[c->suite].len, len);
	b64_decode(part[0], c->key);
	c->key_len = (uint8_t)len;
	for (int k = 1; k < nparts; k++) {
		const char *mc = memchr(part[k].p, ':', part[k].n);
		uint64_t x, l;

		if (mc == NULL) {
			/* lifetime: "2^" n, or a decimal count; before the MKI */
			bool pow = part[k].n > 2 && part[k].p[0] == '2' && part[k].p[1] == '^';
			struct span d = pow ? (struct span){ part[k].p + 2, part[k].n - 2 } : part[k];

			if (has_life || c->mki_len > 0 || !sdp_span_num(d, pow ? 2 : 15, &x) ||
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
		    !sdp_span_num((struct span){ part[k].p, (size_t)(mc - part[k].p) }, 10, &x) ||
		    !sdp_span_num((struct span){ mc + 1, part[k].n - (size_t)(mc + 1 - part[k].p) }, 3, &l) ||
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
		if (!sdp_span_num((struct span){ p.p + 4, p.n - 4 }, 2, &x) || x > 24)
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
		if (!sdp_span_num((struct span){ p.p + 4, p.n - 4 }, 5, &x) || x < 64 || x > 65535)
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
	struct sdp_media *m = st->m;
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
				} else if (!sdp_span_num(f[0], 9, &tag)) {
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
				span_copy(c->suite_str, f[1]);
				for (unsigned int k = SDP_SUITE_OTHER + 1; k < SDP_SUITE_COUNT; k++)
					if (span_is(f[1], sdp_suite_tab[k].name))
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
	char *codec = st->m->codec;
	size_t used = strlen(codec);

	if (used + 2 + v.n + 2 >= st->codec_max)
		return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG,
			    "a=rtpmap, a=fmtp...: more than %zu bytes of codec lines in all",
			    st->codec_max - 1);
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

	if (!sdp_span_num(whole, 5, &x) || x > 65535)
		return false;
	if (dot != NULL && !sdp_span_num((struct span){ dot + 1, val.n - whole.n - 1 }, 6, &f))
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
	struct sdp_media *m = st->m;
	struct level *lv = &st->lv[st->in_media];
	uint64_t x;

	for (unsigned int d = SDP_DIR_SENDRECV; d <= SDP_DIR_INACTIVE; d++) {
		if (!span_is(name, sdp_dir_names[d]))
			continue;
		if (has_val)
			return sdp_fail(st->err, SDP_E_RTP_ATTR, no, -EINVAL,
				    "a=%s: a direction has no value", sdp_dir_names[d]);
		if (lv->dir_line != 0)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL,
				    "a=%s: a second direction (the first is line %u)", sdp_dir_names[d],
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
		if (!has_val || !sdp_span_num(port, 5, &x) || x == 0 || x > 65535)
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
		    !sdp_span_num((struct span){ val.p, (size_t)(sp - val.p) }, 3, &x) || x > 127 ||
		    !sdp_span_num(rate, 10, &x) || x == 0)
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
		if (colon == NULL || !sdp_path_ok(val))
			return sdp_fail(st->err, SDP_E_PATH, no, -EINVAL,
				    "a=path: not msrp:// or msrps:// URIs separated by single spaces");
		lv->has_path = true;
		lv->path = val;
		lv->path_line = (uint16_t)no;
		return 0;
	}
	rc = sdp_webrtc_attr(st->out, st->in_media ? st->m : NULL, &lv->w, st->err, no, name, val,
			     colon != NULL);
	if (rc != 1)
		return rc;
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
	case 'm': {
		int rc;

		if (st->nmedia == st->max_media && st->max_media == 1)
			return sdp_fail(st->err, SDP_E_MEDIA_COUNT, no, -ENOTSUP,
				    "m=: a second m= line (the first is line %u): one termination "
				    "is one TCP leg", st->m->line);
		if (st->nmedia == st->max_media)
			return sdp_fail(st->err, SDP_E_MEDIA_COUNT, no, -E2BIG,
				    "m=: more than %u m= sections", st->max_media);
		if (st->in_media && (rc = finish_section(st)) < 0)
			return rc;
		st->m = &st->media[st->nmedia++];
		memset(&st->lv[1], 0, sizeof(st->lv[1]));
		out->has_media = st->max_media == 1;
		st->in_media = true;
		return parse_media(st, no, v);
	}
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
				    "%c=: a session-level line after m= (line %u)", type, st->m->line);
		break;
	default:
		return sdp_fail(st->err, SDP_E_LINE, no, -EINVAL,
			    "%c=: a type not defined by RFC 8866", type);
	}
	if (type == 'o') {
		struct span f[6];

		if (out->has_origin)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "o=: a second one");
		if (sdp_split(v, f, 6, false) != 6)
			return sdp_fail(st->err, SDP_E_ORIGIN, no, -EINVAL,
				    "o=: not \"<username> <sess-id> <sess-version> IN <addrtype> "
				    "<address>\"");
		if (v.n >= SDP_ORIGIN_MAX)
			return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG, "o=: longer than %u bytes",
				    SDP_ORIGIN_MAX - 1);
		span_copy(out->origin, v);
		out->has_origin = true;
		return 0;
	}
	if (type == 's') {
		if (out->has_name)
			return sdp_fail(st->err, SDP_E_DUPLICATE, no, -EINVAL, "s=: a second one");
		if (v.n >= SDP_NAME_MAX)
			return sdp_fail(st->err, SDP_E_TOO_LONG, no, -E2BIG, "s=: longer than %u bytes",
				    SDP_NAME_MAX - 1);
		span_copy(out->name, v);
		out->has_name = true;
		return 0;
	}
	out->nother++;
	return 0;
}

/* A section's end: media-level values override the session's (RFC 8866
 * section 5.7 for c=; RFC 8122 section 5 and RFC 4145 for the
 * attributes; RFC 8839 for ICE's). */
static int
finish_section(struct pstate *st)
{
	struct sdp_media *m = st->m;
	const struct level *s = &st->lv[0], *md = &st->lv[1];
	const struct level *fp = md->nfp > 0 || md->fp_choose ? md : s;
	const struct level *pa = md->has_path ? md : s;

	m->addr = md->c_line != 0 ? md->addr : s->addr;
	m->setup = md->setup_line != 0 ? md->setup : s->setup;
	m->setup_line = md->setup_line != 0 ? md->setup_line : s->setup_line;
	m->connection = md->conn_line != 0 ? md->connection : s->connection;
	m->dir = md->dir_line != 0 ? md->dir : s->dir;
	m->nfp = fp->nfp;
	m->fp_choose = fp->fp_choose;
	memcpy(m->fp, fp->fp, sizeof(m->fp));
	if (pa->has_path)
		span_copy(m->path, pa->path);
	return sdp_webrtc_resolve(st->out, &s->w, &md->w, m, st->err);
}

static bool
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/* The framing, each line, then the last section's end. 0 or an error. */
static int
parse_text(struct pstate *st, const char *s, size_t len, size_t size_max, unsigned int lines_max)
{
	struct sdp_error *err = st->err;
	unsigned int no = 0, blank_at = 0;
	size_t i = 0;
	int rc;

	if (s == NULL)
		len = 0;
	if (len > size_max)
		return sdp_fail(err, SDP_E_SIZE, 0, -E2BIG, "%zu bytes, more than the %zu taken", len,
				size_max);
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
		if (blank_at != 0)
			return sdp_fail(err, SDP_E_LINE, blank_at, -EINVAL,
					"an empty line inside the description");
		no++;
		if (no > lines_max)
			return sdp_fail(err, SDP_E_LINES, no, -E2BIG, "more than %u lines", lines_max);
		if (n > SDP_LINE_MAX)
			return sdp_fail(err, SDP_E_LINE_LEN, no, -E2BIG,
					"%zu bytes, more than the %u taken", n, SDP_LINE_MAX);
		for (size_t j = 0; j < n; j++) {
			unsigned char c = (unsigned char)p[j];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return sdp_fail(err, SDP_E_CHAR, no, -EINVAL, "%s at byte %zu",
						c == '\r' ? "a CR not before LF" : c == 0 ? "a NUL" :
						"a control character", j + 1);
		}
		if (n < 2 || p[0] < 'a' || p[0] > 'z' || p[1] != '=')
			return sdp_fail(err, SDP_E_LINE, no, -EINVAL,
					"not <letter>=<value> (\"%.*s\")", (int)(n > 24 ? 24 : n), p);
		rc = parse_line(st, no, p[0], (struct span){ p + 2, n - 2 });
		if (rc < 0)
			return rc;
	}
	if (no == 0)
		return sdp_fail(err, SDP_E_EMPTY, 0, -EINVAL, "no line: v=0 is needed");
	st->out->nlines = no;
	st->out->addr = st->lv[0].addr;
	return st->in_media ? finish_section(st) : 0;
}

int
sdp_parse(const char *s, size_t len, struct sdp *out, struct sdp_error *err)
{
	struct pstate st = { .out = out, .err = err, .media = &out->media, .max_media = 1,
			     .fmt_max = SDP_H248_FMT_MAX, .codec_max = SDP_H248_CODEC_MAX };
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	rc = parse_text(&st, s, len, SDP_SIZE_MAX, SDP_LINES_MAX);
	if (rc < 0)
		explicit_bzero(out, sizeof(*out));
	return rc;
}

int
sdp_parse_section(const char *s, size_t len, struct sdp *out, struct sdp_error *err)
{
	struct pstate st = { .out = out, .err = err, .media = &out->media, .max_media = 1,
			     .fmt_max = SDP_FMT_MAX, .codec_max = SDP_CODEC_MAX };
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	rc = parse_text(&st, s, len, SDP_DESC_SIZE_MAX, SDP_DESC_LINES_MAX);
	if (rc < 0)
		explicit_bzero(out, sizeof(*out));
	return rc;
}

int
sdp_parse_desc(const char *s, size_t len, struct sdp_desc *out, struct sdp_error *err)
{
	struct pstate st = { .out = &out->s, .err = err, .media = out->media,
			     .max_media = SDP_SECTIONS_MAX, .fmt_max = SDP_FMT_MAX,
			     .codec_max = SDP_CODEC_MAX };
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	rc = parse_text(&st, s, len, SDP_DESC_SIZE_MAX, SDP_DESC_LINES_MAX);
	out->nmedia = st.nmedia;
	if (rc == 0)
		rc = sdp_webrtc_desc_check(out, err);
	if (rc < 0)
		explicit_bzero(out, sizeof(*out));
	return rc;
}
