/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lines a WebRTC offer carries beyond an RTP section's, read into
 * struct sdp_media and struct sdp for sdp_parse() and sdp_parse_desc():
 *   - ICE (RFC 8839 section 5): a=ice-ufrag, a=ice-pwd, a=ice-options and
 *     a=end-of-candidates (RFC 8840) at either level, the medium's over the
 *     session's; a=ice-lite (session level only); a=candidate,
 *     a=remote-candidates, a=ice-mismatch (media level only);
 *   - DTLS (RFC 8842 section 4): a=tls-id, media level; a=setup:holdconn
 *     refused on a DTLS-SRTP section (section 5.2);
 *   - BUNDLE (RFC 5888, RFC 9143): a=mid, a=bundle-only (media level),
 *     a=group (session level; BUNDLE's kept, the other semantics counted),
 *     and across a whole description each mid once and each group's mids
 *     those of sections;
 *   - RTP's (RFC 8285 a=extmap at either level and a=extmap-allow-mixed,
 *     RFC 8858 a=rtcp-mux-only, RFC 5506 a=rtcp-rsize, RFC 5576 a=ssrc's
 *     SSRCs): media level; before m= the last four are counted, as
 *     sdp_parse.c counts the other RTP attributes there.
 * Each value is bounded and kept in fixed fields (no allocation); a value
 * past what is kept is refused (-E2BIG), never cut. a=msid, a=msid-semantic,
 * a=ssrc-group and the rest stay the caller's "other" lines. The ICE
 * password never goes into a sentence.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sdp_internal.h"

/* How much of a value a sentence quotes. */
#define QUOTE(s) (int)((s).n > 32 ? 32 : (s).n), (s).p

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
sdp_ice_chars(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(p[i]) && !is_digit(p[i]) && p[i] != '+' && p[i] != '/')
			return false;
	return n > 0;
}

/* RFC 8866 section 9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E /
 * %x30-39 / %x41-5A / %x5E-7E. */
bool
sdp_token(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x21 || c > 0x7e || c == '"' || c == '(' || c == ')' || c == ',' ||
		    c == '/' || (c >= 0x3a && c <= 0x40) || c == '[' || c == '\\' || c == ']')
			return false;
	}
	return n > 0;
}

/* RFC 8842 section 4: tls-id-value = 20*255(tls-id-char),
 * tls-id-char = ALPHA / DIGIT / "+" / "/" / "-" / "_". */
bool
sdp_tls_id_ok(const char *p, size_t n)
{
	if (n < 20 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(p[i]) && !is_digit(p[i]) && p[i] != '+' && p[i] != '/' &&
		    p[i] != '-' && p[i] != '_')
			return false;
	return true;
}

/*
 * A connection-address of RFC 8839 (a=candidate, a=remote-candidates):
 * IPv6 when it has a colon, else IPv4, numeric; or a name (RFC 8866's
 * FQDN: letters, digits, '-' and '.', a letter among them, at most 253),
 * which is kind FQDN (name, when not NULL, takes it: SDP_CAND_NAME_MAX).
 * 0, -EINVAL (neither), -E2BIG (a name longer than name holds).
 */
static int
conn_addr(struct span s, struct sdp_addr *a, char *name)
{
	char buf[INET6_ADDRSTRLEN];
	bool colon = memchr(s.p, ':', s.n) != NULL, letter = false;
	int fam = colon ? AF_INET6 : AF_INET;

	memset(a, 0, sizeof(*a));
	if (s.n > 0 && s.n < sizeof(buf)) {
		span_copy(buf, s);
		if (inet_pton(fam, buf, a->ip) == 1) {
			a->kind = SDP_ADDR_IP;
			a->family = (uint8_t)fam;
			return 0;
		}
	}
	if (colon || s.n == 0 || s.n > 253 || s.p[0] == '.' || s.p[0] == '-')
		return -EINVAL;
	for (size_t i = 0; i < s.n; i++) {
		if (!is_alpha(s.p[i]) && !is_digit(s.p[i]) && s.p[i] != '-' && s.p[i] != '.')
			return -EINVAL;
		letter = letter || is_alpha(s.p[i]);
	}
	if (!letter)
		return -EINVAL;
	if (name != NULL && s.n >= SDP_CAND_NAME_MAX)
		return -E2BIG;
	a->kind = SDP_ADDR_FQDN;
	if (name != NULL)
		span_copy(name, s);
	return 0;
}

static bool
port_of(struct span s, uint16_t *port)
{
	uint64_t x;

	if (!sdp_span_num(s, 5, &x) || x > 65535)
		return false;
	*port = (uint16_t)x;
	return true;
}

/* A flag attribute: no value, once at its level. */
static int
flag(struct sdp_error *err, unsigned int no, struct span name, bool has_val, bool *seen,
     enum sdp_err code)
{
	if (has_val)
		return sdp_fail(err, code, no, -EINVAL, "a=%.*s has no value", QUOTE(name));
	if (*seen)
		return sdp_fail(err, SDP_E_DUPLICATE, no, -EINVAL, "a=%.*s: a second one", QUOTE(name));
	*seen = true;
	return 0;
}

/* ---- ICE (RFC 8839 section 5) ---------------------------------------------- */

/* a=ice-ufrag, a=ice-pwd: 4..256 and 22..256 ice-chars (section 5.4). */
static int
ice_cred(struct sdp_error *err, unsigned int no, bool pwd, struct span val, bool has_val,
	 struct span *to, uint16_t *line)
{
	size_t min = pwd ? 22 : 4;
	const char *what = pwd ? "ice-pwd" : "ice-ufrag";

	if (*line != 0)
		return sdp_fail(err, SDP_E_DUPLICATE, no, -EINVAL,
				"a=%s: a second one at one level (the first is line %u)", what, *line);
	if (!has_val || !sdp_ice_chars(val.p, val.n))
		return sdp_fail(err, SDP_E_ICE, no, -EINVAL,
				"a=%s: not ice-chars (ALPHA, DIGIT, + and /)", what);
	if (val.n < min || val.n > 256)
		return sdp_fail(err, SDP_E_ICE, no, -EINVAL, "a=%s: %zu characters, not %zu..256", what,
				val.n, min);
	*to = val;
	*line = (uint16_t)no;
	return 0;
}

/* a=ice-options:<tag> *(SP <tag>), tags of ice-chars (section 5.6). */
static int
ice_options(struct sdp_error *err, unsigned int no, struct span val, bool has_val,
	    struct sdp_wlevel *lv)
{
	struct span f[32];
	int n;

	if (lv->options_line != 0)
		return sdp_fail(err, SDP_E_DUPLICATE, no, -EINVAL,
				"a=ice-options: a second one at one level (the first is line %u)",
				lv->options_line);
	n = has_val ? sdp_split(val, f, 32, false) : -1;
	if (n < 1)
		return sdp_fail(err, SDP_E_ICE, no, -EINVAL,
				"a=ice-options: not 1 to 32 tags separated by single spaces");
	for (int i = 0; i < n; i++) {
		if (!sdp_ice_chars(f[i].p, f[i].n))
			return sdp_fail(err, SDP_E_ICE, no, -EINVAL,
					"a=ice-options: \"%.*s\" is not ice-chars", QUOTE(f[i]));
		if (span_is(f[i], "trickle"))
			lv->options |= SDP_ICE_OPT_TRICKLE;
		else if (span_is(f[i], "ice2"))
			lv->options |= SDP_ICE_OPT_ICE2;
		else if (span_is(f[i], "renomination"))
			lv->options |= SDP_ICE_OPT_RENOMINATION;
		else
			lv->options |= SDP_ICE_OPT_OTHER;
	}
	lv->options_line = (uint16_t)no;
	return 0;
}

#define CAND_FIELDS 40  /* 8 named, raddr and rport, 15 extension pairs */

/*
 * a=candidate (section 5.1): <foundation> SP <component-id> SP <transport>
 * SP <priority> SP <connection-address> SP <port> SP "typ" SP <cand-type>
 * [SP "raddr" SP <address>] [SP "rport" SP <port>] *(SP <ext-name> SP
 * <ext-value>). The grammar's quoted words ("typ", "UDP", "host"...) are
 * ABNF's, which compares them without minding case: Chromium writes "udp".
 */
static int
candidate(struct sdp_error *err, unsigned int no, struct span val, bool has_val,
	  struct sdp_media *m)
{
	struct span f[CAND_FIELDS];
	struct sdp_candidate *c;
	uint64_t x;
	bool rport = false;
	int n, rc;

	if (m->ice.ncand == SDP_CAND_MAX)
		return sdp_fail(err, SDP_E_ATTR_COUNT, no, -E2BIG,
				"a=candidate: more than %u in one m= section", SDP_CAND_MAX);
	n = has_val ? sdp_split(val, f, CAND_FIELDS, false) : -1;
	if (n < 8)
		return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
				"a=candidate: not <foundation> <component> <transport> <priority> "
				"<address> <port> typ <type> [...] (at most %u fields)", CAND_FIELDS);
	c = &m->ice.cand[m->ice.ncand];
	memset(c, 0, sizeof(*c));
	c->line = (uint16_t)no;
	if (f[0].n > 32 || !sdp_ice_chars(f[0].p, f[0].n))
		return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
				"a=candidate: the foundation \"%.*s\" is not 1..32 ice-chars", QUOTE(f[0]));
	span_copy(c->foundation, f[0]);
	if (!sdp_span_num(f[1], 3, &x) || x < 1 || x > 256)
		return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
				"a=candidate: the component \"%.*s\" is not 1..256", QUOTE(f[1]));
	c->component = (uint16_t)x;
	if (!sdp_token(f[2].p, f[2].n))
		return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
				"a=candidate: the transport is not a token");
	c->transport = span_is_nocase(f[2], "UDP") ? SDP_TRANSPORT_UDP :
		       span_is_nocase(f[2], "TCP") ? SDP_TRANSPORT_TCP : SDP_TRANSPORT_OTHER;
	if (!sdp_span_num(f[3], 10, &x) || x < 1 || x > 0x7fffffffu)
		return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
				"a=candidate: the priority \"%.*s\" is not 1..2^31-1 (RFC 8445 section "
				"5.1.2)", QUOTE(f[3]));
	c->priority = (uint32_t)x;
	rc = conn_addr(f[4], &c->addr, c->name);
	if (rc == -E2BIG)
		return sdp_fail(err, SDP_E_TOO_LONG, no, -E2BIG,
				"a=candidate: a name longer than %u bytes", SDP_CAND_NAME_MAX - 1);
	if (rc < 0)
		return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
				"a=candidate: \"%.*s\" is not an IPv4 or IPv6 address or a name",
				QUOTE(f[4]));
	if (!port_of(f[5], &c->port))
		return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
				"a=candidate: the port \"%.*s\" is not 0..65535", QUOTE(f[5]));
	if (!span_is_nocase(f[6], "typ") || !sdp_token(f[7].p, f[7].n))
		return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
				"a=candidate: no \"typ <type>\" after the port");
	for (unsigned int t = SDP_CAND_HOST; t <= SDP_CAND_RELAY; t++)
		if (span_is_nocase(f[7], sdp_cand_type_names[t]))
			c->type = (uint8_t)t;
	/* raddr and rport (once each), then extensions: name and value pairs */
	for (int i = 8; i < n; i += 2) {
		if (i + 1 == n)
			return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
					"a=candidate: \"%.*s\" without its value", QUOTE(f[i]));
		if (span_is_nocase(f[i], "raddr") && c->raddr.kind == SDP_ADDR_NONE) {
			if (conn_addr(f[i + 1], &c->raddr, NULL) < 0)
				return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
						"a=candidate: raddr \"%.*s\" is not an address",
						QUOTE(f[i + 1]));
		} else if (span_is_nocase(f[i], "rport") && !rport) {
			if (!port_of(f[i + 1], &c->rport))
				return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
						"a=candidate: rport \"%.*s\" is not 0..65535",
						QUOTE(f[i + 1]));
			rport = true;
		} else if (span_is(f[i], "tcptype") && c->tcptype == SDP_TCPTYPE_NONE) {
			/* RFC 6544 section 4.5 */
			for (unsigned int t = SDP_TCPTYPE_ACTIVE; t <= SDP_TCPTYPE_SO; t++)
				if (span_is(f[i + 1], sdp_tcptype_names[t]))
					c->tcptype = (uint8_t)t;
			if (c->tcptype == SDP_TCPTYPE_NONE)
				return sdp_fail(err, SDP_E_CANDIDATE, no, -EINVAL,
						"a=candidate: tcptype is not active, passive or so");
		} else {
			c->next++;      /* at most (CAND_FIELDS - 8) / 2 */
		}
	}
	m->ice.ncand++;
	return 0;
}

/* a=remote-candidates:<component> SP <address> SP <port> *(SP ...) (section 5.2). */
static int
remote_candidates(struct sdp_error *err, unsigned int no, struct span val, bool has_val,
		  struct sdp_media *m, bool *seen)
{
	struct span f[3 * 16];
	int n;

	if (*seen)
		return sdp_fail(err, SDP_E_DUPLICATE, no, -EINVAL, "a=remote-candidates: a second one");
	n = has_val ? sdp_split(val, f, 3 * 16, false) : -1;
	if (n < 3 || n % 3 != 0)
		return sdp_fail(err, SDP_E_ICE, no, -EINVAL,
				"a=remote-candidates: not 1 to 16 of <component> <address> <port>");
	for (int i = 0; i < n; i += 3) {
		struct sdp_addr a;
		uint64_t x;
		uint16_t port;

		if (!sdp_span_num(f[i], 3, &x) || x < 1 || x > 256 || conn_addr(f[i + 1], &a, NULL) < 0 ||
		    !port_of(f[i + 2], &port))
			return sdp_fail(err, SDP_E_ICE, no, -EINVAL,
					"a=remote-candidates: candidate %d is not <component 1..256> "
					"<address> <port>", i / 3 + 1);
	}
	m->ice.nremote = (uint8_t)(n / 3);
	*seen = true;
	return 0;
}

/* ---- BUNDLE (RFC 5888, RFC 9143) ------------------------------------------- */

#define GROUP_FIELDS 64  /* the semantics and its mids, read before a group is judged */

/* a=group:<semantics> *(SP <identification-tag>) (RFC 5888 section 5). */
static int
group(struct sdp *out, struct sdp_error *err, unsigned int no, struct span val, bool has_val)
{
	struct span f[GROUP_FIELDS];
	struct sdp_group *g;
	int n;

	/* "a=group:BUNDLE " (the semantics, a space, no mid): aiortc 1.4's
	 * answer to an offer it does not bundle (it joins no mids after a
	 * space); RFC 5888's grammar has no such space, but the group is
	 * plain: an empty one, as "a=group:BUNDLE" */
	if (has_val && val.n > 1 && val.p[val.n - 1] == ' ' &&
	    memchr(val.p, ' ', val.n - 1) == NULL)
		val.n--;
	n = has_val ? sdp_split(val, f, GROUP_FIELDS, false) : -1;

	if (n < 1 || !sdp_token(f[0].p, f[0].n))
		return sdp_fail(err, SDP_E_GROUP, no, -EINVAL,
				"a=group: not <semantics> followed by up to %d mids separated by "
				"single spaces", GROUP_FIELDS - 1);
	for (int i = 1; i < n; i++)
		if (!sdp_token(f[i].p, f[i].n))
			return sdp_fail(err, SDP_E_GROUP, no, -EINVAL,
					"a=group: \"%.*s\" is not a token", QUOTE(f[i]));
	if (!span_is_nocase(f[0], "BUNDLE")) {
		/* LS, FID, ANAT...: not ours */
		out->nother++;
		return 0;
	}
	if (n > (int)SDP_SECTIONS_MAX + 1)
		return sdp_fail(err, SDP_E_BUNDLE, no, -E2BIG,
				"a=group:BUNDLE: more than %u mids (SDP_SECTIONS_MAX m= sections)",
				SDP_SECTIONS_MAX);
	if (out->ngroup == SDP_GROUP_MAX)
		return sdp_fail(err, SDP_E_ATTR_COUNT, no, -E2BIG,
				"a=group:BUNDLE: more than %u groups", SDP_GROUP_MAX);
	g = &out->group[out->ngroup];
	memset(g, 0, sizeof(*g));
	for (int i = 1; i < n; i++) {
		if (f[i].n >= SDP_MID_MAX)
			return sdp_fail(err, SDP_E_TOO_LONG, no, -E2BIG,
					"a=group:BUNDLE: a mid longer than %u bytes", SDP_MID_MAX - 1);
		for (int k = 1; k < i; k++)
			if (f[k].n == f[i].n && memcmp(f[k].p, f[i].p, f[i].n) == 0)
				return sdp_fail(err, SDP_E_GROUP, no, -EINVAL,
						"a=group:BUNDLE: mid \"%.*s\" twice", QUOTE(f[i]));
		span_copy(g->tag[g->ntag++], f[i]);
	}
	g->line = (uint16_t)no;
	out->ngroup++;
	return 0;
}

/* ---- a=extmap (RFC 8285 section 8) ---------------------------------------- */

/* <value>["/"<direction>] SP <URI> [SP <extension attributes>] */
static int
extmap(struct sdp_error *err, unsigned int no, struct span val, bool has_val,
       struct sdp_wlevel *lv)
{
	const char *sp = has_val ? memchr(val.p, ' ', val.n) : NULL;
	struct span idf, uri;
	const char *sl;
	struct sdp_extmap_at *e;
	uint64_t id;
	uint8_t dir = SDP_DIR_NONE;

	if (sp == NULL)
		return sdp_fail(err, SDP_E_EXTMAP, no, -EINVAL,
				"a=extmap: not <id>[/<direction>] <URI> [<attributes>]");
	idf = (struct span){ val.p, (size_t)(sp - val.p) };
	uri = (struct span){ sp + 1, val.n - idf.n - 1 };
	if ((sp = memchr(uri.p, ' ', uri.n)) != NULL)
		uri.n = (size_t)(sp - uri.p);
	if ((sl = memchr(idf.p, '/', idf.n)) != NULL) {
		struct span d = { sl + 1, idf.n - (size_t)(sl + 1 - idf.p) };

		idf.n = (size_t)(sl - idf.p);
		for (unsigned int k = SDP_DIR_SENDRECV; k <= SDP_DIR_INACTIVE; k++)
			if (span_is(d, sdp_dir_names[k]))
				dir = (uint8_t)k;
		if (dir == SDP_DIR_NONE)
			return sdp_fail(err, SDP_E_EXTMAP, no, -EINVAL,
					"a=extmap: the direction \"%.*s\" is not sendrecv, sendonly, "
					"recvonly or inactive", QUOTE(d));
	}
	/* 1-14 (one-byte form), 1-255 (two-byte), 4096-4351 (an offer's,
	 * for the answerer to remap): RFC 8285 sections 4, 5 and 8 */
	if (!sdp_span_num(idf, 4, &id) || id == 0 || (id > 255 && id < 4096) || id > 4351)
		return sdp_fail(err, SDP_E_EXTMAP, no, -EINVAL,
				"a=extmap: the id \"%.*s\" is not 1..255 or 4096..4351", QUOTE(idf));
	for (size_t i = 0; i < uri.n; i++)
		if ((unsigned char)uri.p[i] <= 0x20 || (unsigned char)uri.p[i] >= 0x7f)
			uri.n = 0;
	if (uri.n == 0 || memchr(uri.p, ':', uri.n) == NULL)
		return sdp_fail(err, SDP_E_EXTMAP, no, -EINVAL,
				"a=extmap:%u: the URI is not <scheme>:... of visible characters",
				(unsigned int)id);
	if (uri.n >= SDP_EXTMAP_URI_MAX)
		return sdp_fail(err, SDP_E_TOO_LONG, no, -E2BIG,
				"a=extmap:%u: a URI longer than %u bytes", (unsigned int)id,
				SDP_EXTMAP_URI_MAX - 1);
	for (unsigned int k = 0; k < lv->nextmap; k++)
		if (lv->extmap[k].id == id)
			return sdp_fail(err, SDP_E_EXTMAP, no, -EINVAL,
					"a=extmap:%u: the id again (the first is line %u)",
					(unsigned int)id, lv->extmap[k].line);
	if (lv->nextmap == SDP_EXTMAP_MAX)
		return sdp_fail(err, SDP_E_ATTR_COUNT, no, -E2BIG, "a=extmap: more than %u",
				SDP_EXTMAP_MAX);
	e = &lv->extmap[lv->nextmap++];
	e->id = (uint16_t)id;
	e->dir = dir;
	e->line = (uint16_t)no;
	e->uri = uri;
	return 0;
}

/* ---- a=ssrc (RFC 5576 section 4.1) ----------------------------------------- */

/* <ssrc-id> SP <attribute>[:<value>]; the distinct SSRCs kept. */
static int
ssrc(struct sdp_error *err, unsigned int no, struct span val, bool has_val, struct sdp_media *m)
{
	const char *sp = has_val ? memchr(val.p, ' ', val.n) : NULL;
	struct span id, att;
	const char *colon;
	uint64_t x;

	if (sp == NULL)
		return sdp_fail(err, SDP_E_RTP_ATTR, no, -EINVAL,
				"a=ssrc: not <ssrc-id> <attribute>[:<value>]");
	id = (struct span){ val.p, (size_t)(sp - val.p) };
	att = (struct span){ sp + 1, val.n - id.n - 1 };
	if ((colon = memchr(att.p, ':', att.n)) != NULL)
		att.n = (size_t)(colon - att.p);
	if (!sdp_span_num(id, 10, &x) || x > UINT32_MAX || !sdp_token(att.p, att.n))
		return sdp_fail(err, SDP_E_RTP_ATTR, no, -EINVAL,
				"a=ssrc: not <ssrc-id 0..4294967295> <attribute>[:<value>]");
	for (unsigned int k = 0; k < m->nssrc; k++)
		if (m->ssrc[k] == x)
			return 0;
	if (m->nssrc == SDP_SSRC_MAX)
		return sdp_fail(err, SDP_E_ATTR_COUNT, no, -E2BIG,
				"a=ssrc: more than %u SSRCs in one m= section", SDP_SSRC_MAX);
	m->ssrc[m->nssrc++] = (uint32_t)x;
	return 0;
}

/* ---- one attribute ------------------------------------------------------------ */

/* The attributes of both levels. 1: not one of them. */
static int
either_level(struct sdp_error *err, unsigned int no, struct span name, struct span val,
	     bool has_val, struct sdp_wlevel *lv)
{
	if (span_is(name, "ice-ufrag"))
		return ice_cred(err, no, false, val, has_val, &lv->ufrag, &lv->ufrag_line);
	if (span_is(name, "ice-pwd"))
		return ice_cred(err, no, true, val, has_val, &lv->pwd, &lv->pwd_line);
	if (span_is(name, "ice-options"))
		return ice_options(err, no, val, has_val, lv);
	if (span_is(name, "extmap"))
		return extmap(err, no, val, has_val, lv);
	if (span_is(name, "end-of-candidates") || span_is(name, "extmap-allow-mixed")) {
		bool eoc = name.n == strlen("end-of-candidates");
		uint16_t *line = eoc ? &lv->eoc_line : &lv->mixed_line;

		if (has_val)
			return sdp_fail(err, eoc ? SDP_E_ICE : SDP_E_RTP_ATTR, no, -EINVAL,
					"a=%.*s has no value", QUOTE(name));
		if (*line != 0)
			return sdp_fail(err, SDP_E_DUPLICATE, no, -EINVAL,
					"a=%.*s: a second one at one level", QUOTE(name));
		*line = (uint16_t)no;
		return 0;
	}
	return 1;
}

int
sdp_webrtc_attr(struct sdp *out, struct sdp_media *m, struct sdp_wlevel *lv,
		struct sdp_error *err, unsigned int no, struct span name, struct span val,
		bool has_val)
{
	static const char *const media_only[] = { "candidate", "remote-candidates", "ice-mismatch",
						  "mid", "tls-id" };
	int rc = either_level(err, no, name, val, has_val, lv);

	if (rc != 1)
		return rc;
	if (m == NULL) {
		if (span_is(name, "ice-lite"))
			return flag(err, no, name, has_val, &out->ice_lite, SDP_E_ICE);
		if (span_is(name, "group"))
			return group(out, err, no, val, has_val);
		for (size_t i = 0; i < sizeof(media_only) / sizeof(media_only[0]); i++)
			if (span_is(name, media_only[i]))
				return sdp_fail(err, i == 0 ? SDP_E_CANDIDATE : i < 3 ? SDP_E_ICE :
						i == 3 ? SDP_E_MID : SDP_E_TLS_ID, no, -EINVAL,
						"a=%s: a media-level attribute before m=", media_only[i]);
		return 1;
	}
	if (span_is(name, "ice-lite"))
		return sdp_fail(err, SDP_E_ICE, no, -EINVAL,
				"a=ice-lite: a session-level attribute after m= (RFC 8839 section 5.3)");
	if (span_is(name, "group"))
		return sdp_fail(err, SDP_E_GROUP, no, -EINVAL,
				"a=group: a session-level attribute after m= (RFC 5888 section 5)");
	if (span_is(name, "candidate"))
		return candidate(err, no, val, has_val, m);
	if (span_is(name, "remote-candidates")) {
		bool seen = m->ice.nremote > 0;

		return remote_candidates(err, no, val, has_val, m, &seen);
	}
	if (span_is(name, "ice-mismatch"))
		return flag(err, no, name, has_val, &m->ice.mismatch, SDP_E_ICE);
	if (span_is(name, "mid")) {
		if (m->mid_line != 0)
			return sdp_fail(err, SDP_E_DUPLICATE, no, -EINVAL,
					"a=mid: a second one (the first is line %u)", m->mid_line);
		if (!has_val || !sdp_token(val.p, val.n))
			return sdp_fail(err, SDP_E_MID, no, -EINVAL, "a=mid: not a token");
		if (val.n >= SDP_MID_MAX)
			return sdp_fail(err, SDP_E_MID, no, -E2BIG, "a=mid: longer than %u bytes",
					SDP_MID_MAX - 1);
		span_copy(m->mid, val);
		m->mid_line = (uint16_t)no;
		return 0;
	}
	if (span_is(name, "tls-id")) {
		if (m->tls_id_line != 0)
			return sdp_fail(err, SDP_E_DUPLICATE, no, -EINVAL,
					"a=tls-id: a second one (the first is line %u)", m->tls_id_line);
		if (!has_val || !sdp_tls_id_ok(val.p, val.n))
			return sdp_fail(err, SDP_E_TLS_ID, no, val.n > 255 ? -E2BIG : -EINVAL,
					"a=tls-id: %zu characters, not 20..255 of ALPHA, DIGIT, + / - _",
					has_val ? val.n : 0);
		span_copy(m->tls_id, val);
		m->tls_id_line = (uint16_t)no;
		return 0;
	}
	if (span_is(name, "bundle-only"))
		return flag(err, no, name, has_val, &m->bundle_only, SDP_E_RTP_ATTR);
	if (span_is(name, "rtcp-mux-only"))
		return flag(err, no, name, has_val, &m->rtcp_mux_only, SDP_E_RTP_ATTR);
	if (span_is(name, "rtcp-rsize"))
		return flag(err, no, name, has_val, &m->rtcp_rsize, SDP_E_RTP_ATTR);
	if (span_is(name, "ssrc"))
		return ssrc(err, no, val, has_val, m);
	return 1;
}

/* ---- a section's end, a description's --------------------------------------- */

int
sdp_webrtc_resolve(const struct sdp *out, const struct sdp_wlevel *sess,
		   const struct sdp_wlevel *med, struct sdp_media *m, struct sdp_error *err)
{
	const struct sdp_wlevel *u = med->ufrag_line != 0 ? med : sess;
	const struct sdp_wlevel *p = med->pwd_line != 0 ? med : sess;
	struct sdp_ice *ice = &m->ice;

	if (u->ufrag_line != 0) {
		span_copy(ice->ufrag, u->ufrag);
		ice->ufrag_line = u->ufrag_line;
	}
	if (p->pwd_line != 0) {
		span_copy(ice->pwd, p->pwd);
		ice->pwd_line = p->pwd_line;
	}
	if ((ice->ufrag_line != 0) != (ice->pwd_line != 0))
		return sdp_fail(err, SDP_E_ICE, ice->ufrag_line + ice->pwd_line, -EINVAL,
				"a=%s without a=%s: ICE's checks need both (RFC 8839 section 5.4)",
				ice->ufrag_line != 0 ? "ice-ufrag" : "ice-pwd",
				ice->ufrag_line != 0 ? "ice-pwd" : "ice-ufrag");
	ice->options = med->options_line != 0 ? med->options : sess->options;
	ice->end_of_candidates = med->eoc_line != 0 || sess->eoc_line != 0;
	m->extmap_allow_mixed = med->mixed_line != 0 || sess->mixed_line != 0;
	/* the medium's extmaps, then the session's for the ids it does not map */
	for (unsigned int l = 0; l < 2; l++) {
		const struct sdp_wlevel *lv = l == 0 ? med : sess;

		for (unsigned int k = 0; k < lv->nextmap; k++) {
			const struct sdp_extmap_at *e = &lv->extmap[k];
			bool have = false;

			for (unsigned int j = 0; j < m->nextmap; j++)
				have = have || m->extmap[j].id == e->id;
			if (have)
				continue;
			if (m->nextmap == SDP_EXTMAP_MAX)
				return sdp_fail(err, SDP_E_ATTR_COUNT, e->line, -E2BIG,
						"a=extmap: more than %u for the m= section of line %u",
						SDP_EXTMAP_MAX, m->line);
			m->extmap[m->nextmap].id = e->id;
			m->extmap[m->nextmap].dir = e->dir;
			m->extmap[m->nextmap].line = e->line;
			span_copy(m->extmap[m->nextmap].uri, e->uri);
			m->nextmap++;
		}
	}
	if (sdp_proto_dtls((enum sdp_proto)m->proto) && m->setup == SDP_SETUP_HOLDCONN)
		return sdp_fail(err, SDP_E_DTLS_SETUP, m->setup_line, -EINVAL,
				"a=setup:holdconn on a %s section: RFC 8842 section 5.2 has no holdconn "
				"for DTLS", m->proto_str);
	for (unsigned int g = 0; g < out->ngroup && m->mid[0] != '\0'; g++)
		for (unsigned int t = 0; t < out->group[g].ntag; t++)
			if (m->bundle == 0 && strcmp(out->group[g].tag[t], m->mid) == 0)
				m->bundle = (uint8_t)(g + 1);
	return 0;
}

int
sdp_bundle_check(const struct sdp_group *groups, unsigned int ngroup,
		 const struct sdp_mid_ref *sec, unsigned int nsec, uint8_t *bundle,
		 struct sdp_error *err)
{
	uint8_t in[SDP_SECTIONS_MAX];

	if ((groups == NULL && ngroup > 0) || (sec == NULL && nsec > 0) ||
	    nsec > SDP_SECTIONS_MAX || ngroup > SDP_GROUP_MAX)
		return sdp_fail(err, SDP_E_BUNDLE, 0, -EINVAL,
				"sdp_bundle_check(): more than %u sections or %u groups, or NULL",
				SDP_SECTIONS_MAX, SDP_GROUP_MAX);
	memset(in, 0, sizeof(in));
	for (unsigned int i = 0; i < nsec; i++)
		for (unsigned int j = 0; j < i && sec[i].mid != NULL && sec[i].mid[0] != '\0'; j++)
			if (sec[j].mid != NULL && strcmp(sec[i].mid, sec[j].mid) == 0)
				return sdp_fail(err, SDP_E_MID, sec[i].line, -EINVAL,
						"a=mid:%s again (the first is line %u): a mid names one "
						"m= section (RFC 5888 section 4)", sec[i].mid,
						sec[j].line);
	for (unsigned int g = 0; g < ngroup; g++) {
		const struct sdp_group *gr = &groups[g];

		for (unsigned int t = 0; t < gr->ntag && t < SDP_SECTIONS_MAX; t++) {
			unsigned int i;

			for (i = 0; i < nsec; i++)
				if (sec[i].mid != NULL && strcmp(sec[i].mid, gr->tag[t]) == 0)
					break;
			if (i == nsec)
				return sdp_fail(err, SDP_E_BUNDLE, gr->line, -EINVAL,
						"a=group:BUNDLE names mid %s, which no m= section has "
						"(RFC 9143 section 7)", gr->tag[t]);
			if (in[i] == g + 1)
				return sdp_fail(err, SDP_E_GROUP, gr->line, -EINVAL,
						"a=group:BUNDLE: mid \"%s\" twice", gr->tag[t]);
			if (in[i] != 0)
				return sdp_fail(err, SDP_E_BUNDLE, gr->line, -EINVAL,
						"a=group:BUNDLE names mid %s, which the group of line %u "
						"has: a section is in one BUNDLE group (RFC 9143 section 7)",
						gr->tag[t], groups[in[i] - 1].line);
			in[i] = (uint8_t)(g + 1);
		}
	}
	if (bundle != NULL)
		memcpy(bundle, in, nsec);
	return 0;
}

int
sdp_webrtc_desc_check(const struct sdp_desc *d, struct sdp_error *err)
{
	struct sdp_mid_ref sec[SDP_SECTIONS_MAX];

	for (unsigned int i = 0; i < d->nmedia && i < SDP_SECTIONS_MAX; i++) {
		sec[i].mid = d->media[i].mid;
		sec[i].line = d->media[i].mid_line;
	}
	return sdp_bundle_check(d->s.group, d->s.ngroup, sec, d->nmedia, NULL, err);
}
