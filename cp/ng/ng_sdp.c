/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ng's SDP: a P-CSCF's whole description, read section by section with
 * lib/sdp and rewritten the way rtpengine rewrites it, through lib/sdp's
 * bounded writer (struct sdp_wbuf). See ng_sdp.h for the contract; the
 * choices it leaves are made here:
 *
 *   - Reading takes the framing lib/sdp takes (CRLF or LF, no control
 *     character but tab, no empty line inside; blank lines after the last
 *     are dropped), every line at most SDP_LINE_MAX octets (lib/sdp's: no
 *     SDP a P-CSCF sends has a longer one, and a line we only copy is held
 *     to it too), and RFC 8866's type letters and order (o s u e p t r z
 *     before the first m=). lib/sdp's CHOOSE `$` is H.248's, not SDP's: it
 *     is refused here as malformed.
 *   - A section is given to lib/sdp with v=0, the session's c= (unless it
 *     has one), the session's direction attribute (which applies to every
 *     medium: RFC 8866 section 6.7), the session's ICE credentials,
 *     options and end-of-candidates (RFC 8839 section 5.4: every medium's
 *     unless it has its own), the session's a=fingerprint and a=setup
 *     (RFC 8122 section 5, RFC 4145 section 4: likewise) and its own
 *     lines but its candidates,
 *     a=remote-candidates and a misplaced a=ice-lite (a lite agent needs
 *     none of the first two, and ice_lite notes the third). A section
 *     past lib/sdp's limits for a section (sdp_parse_section():
 *     16384 octets, 512 lines, 4095 octets of codec lines; a browser's
 *     video section fits) is not relayed, not an error.
 *   - BUNDLE: the session's a=group lines go to lib/sdp as a description of
 *     their own (its grammar and limits), each section's a=mid is the
 *     section's reading or, for one lib/sdp did not read, its first a=mid
 *     line read alone; lib/sdp's sdp_bundle_check() (protocol errors: every
 *     description). turnpike's rules for what it may bundle are
 *     ng_sdp_bundle_check(), asked by cp/ng under bundle=accept only. A
 *     relayed description drops the session's a=group:BUNDLE (its
 *     sections get ports of their own) unless the rewrite gives ours.
 *   - Rewriting: a relayed section always has its c= line rewritten when it
 *     has one; one is added when the session's c= is not written or holds
 *     another address. A kept section is left as it came, ICE and DTLS
 *     lines included (its media is not ours: its candidates and its
 *     certificate are its endpoints').
 *     o= is rewritten only when it has RFC 8866's six fields. Our
 *     a=ice-lite goes after the session's last line (and after a session
 *     c= added there): a= lines come last at that level (RFC 8866
 *     section 5).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ng_sdp.h"

static const char *
line_at(const struct ng_sdp *d, unsigned int k)
{
	return d->text + d->line_off[k];
}

/* The line p[0..n) is a=<name> or a=<name>:<value>. */
static bool
attr_is(const char *p, size_t n, const char *name)
{
	size_t l = strlen(name);

	return n >= 2 + l && p[0] == 'a' && p[1] == '=' && memcmp(p + 2, name, l) == 0 &&
	       (n == 2 + l || p[2 + l] == ':');
}

/* RFC 8839 section 5's attributes (and RFC 5245's ice-mismatch and
 * remote-candidates): what ICE=remove takes away. */
static bool
is_ice(const char *p, size_t n)
{
	static const char *const ice[] = { "candidate", "ice-ufrag", "ice-pwd", "ice-options",
					   "ice-lite", "ice-mismatch", "end-of-candidates",
					   "remote-candidates" };

	for (size_t i = 0; i < sizeof(ice) / sizeof(ice[0]); i++)
		if (attr_is(p, n, ice[i]))
			return true;
	return false;
}

/* A section's candidates and a=remote-candidates (RFC 8839 sections 5.1,
 * 5.2): the peer's addresses, which a lite agent learns from its checks
 * instead, and which lib/sdp is not given (a browser's section has many). */
static bool
is_cand(const char *p, size_t n)
{
	return attr_is(p, n, "candidate") || attr_is(p, n, "remote-candidates");
}

/* The session level's ICE lines that apply to every section (RFC 8839
 * section 5.4, RFC 8840 section 8.2); a=ice-lite is the session's own. */
static bool
is_sess_ice(const char *p, size_t n)
{
	return attr_is(p, n, "ice-ufrag") || attr_is(p, n, "ice-pwd") ||
	       attr_is(p, n, "ice-options") || attr_is(p, n, "end-of-candidates");
}

/* DTLS-SRTP's lines (RFC 8122 a=fingerprint, RFC 4145 and RFC 8842
 * a=setup, RFC 8842 a=tls-id): the sender's certificate and role, at
 * either level (a section's override the session's), never relayed (the
 * other side would be told the sender's certificate, not ours). */
static bool
is_dtls(const char *p, size_t n)
{
	return attr_is(p, n, "fingerprint") || attr_is(p, n, "setup") || attr_is(p, n, "tls-id");
}

/* Those of them the session level may give every section (RFC 8122
 * section 5, RFC 4145 section 4; a=tls-id is a section's only, RFC 8842
 * section 4). */
static bool
is_sess_dtls(const char *p, size_t n)
{
	return attr_is(p, n, "fingerprint") || attr_is(p, n, "setup");
}

/* RFC 8866 section 6.7: a direction attribute (session level: every medium's). */
static bool
is_dir(const char *p, size_t n)
{
	return attr_is(p, n, "sendrecv") || attr_is(p, n, "sendonly") ||
	       attr_is(p, n, "recvonly") || attr_is(p, n, "inactive");
}

static bool
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/* Split o='s value at single spaces into its six fields (RFC 8866
 * section 5.2). Returns false when it is not six non-empty fields. */
static bool
origin_fields(const char *v, size_t n, const char *f[6], size_t fl[6])
{
	size_t i = 0;

	for (unsigned int k = 0; k < 6; k++) {
		const char *sp = k < 5 ? memchr(v + i, ' ', n - i) : NULL;
		size_t l = sp != NULL ? (size_t)(sp - (v + i)) : n - i;

		if ((k < 5 && sp == NULL) || l == 0)
			return false;
		f[k] = v + i;
		fl[k] = l;
		i += l + 1;
	}
	return memchr(f[5], ' ', fl[5]) == NULL;
}

static void
read_origin(const char *p, size_t n, unsigned int no, struct sdp_addr *a)
{
	const char *f[6];
	size_t fl[6];
	char ip[INET6_ADDRSTRLEN];
	int fam;

	memset(a, 0, sizeof(*a));
	if (!origin_fields(p + 2, n - 2, f, fl) || fl[3] != 2 || memcmp(f[3], "IN", 2) != 0 ||
	    fl[4] != 3 || fl[5] >= sizeof(ip))
		return;
	if (memcmp(f[4], "IP4", 3) == 0)
		fam = AF_INET;
	else if (memcmp(f[4], "IP6", 3) == 0)
		fam = AF_INET6;
	else
		return;
	memcpy(ip, f[5], fl[5]);
	ip[fl[5]] = '\0';
	if (inet_pton(fam, ip, a->ip) != 1)
		return;
	a->kind = SDP_ADDR_IP;
	a->family = (uint8_t)fam;
	a->line = (uint16_t)no;
}

/* A field of the m= line's value v[0..n) (split at spaces), copied into
 * out ("" when it is missing or longer than out); its end. */
static size_t
mfield(const char *v, size_t n, size_t at, char *out, size_t size)
{
	size_t l = 0;

	while (at < n && v[at] == ' ')
		at++;
	while (at + l < n && v[at + l] != ' ')
		l++;
	out[0] = '\0';
	if (l > 0 && l < size) {
		memcpy(out, v + at, l);
		out[l] = '\0';
	}
	return at + l;
}

/* RFC 8866 section 5.14: m=<media> <port>[/<number>] <proto> <fmt>...,
 * read on its own (lib/sdp may not read the section: one past its
 * limits): the medium, the proto, a port of 0, RTP's family. */
static void
read_mline(struct ng_sdp_media *md, const char *p, size_t n)
{
	char port[NG_SDP_NAME_MAX];
	size_t at = mfield(p + 2, n - 2, 0, md->media_name, sizeof(md->media_name));

	at = mfield(p + 2, n - 2, at, port, sizeof(port));
	(void)mfield(p + 2, n - 2, at, md->proto, sizeof(md->proto));
	md->off = strcmp(port, "0") == 0 || strncmp(port, "0/", 2) == 0;
	for (const char *q = md->proto; *q != '\0'; ) {
		size_t l = strcspn(q, "/");

		if (l == 3 && strncasecmp(q, "RTP", 3) == 0)
			md->rtp = true;
		q += l + (q[l] == '/');
	}
}

/* A lib/sdp error on the description we made, told about the caller's
 * text: its line number (map: our line -> the caller's index), its
 * sentence without lib/sdp's "line N: ". */
static int
map_error(struct sdp_error *err, const struct sdp_error *e, const uint16_t *map,
	  unsigned int nmap, int rc)
{
	const char *msg = e->msg;
	unsigned int line = 0;

	if (e->line > 0 && e->line <= nmap)
		line = map[e->line - 1] + 1u;
	if (strncmp(msg, "line ", 5) == 0 && strstr(msg, ": ") != NULL)
		msg = strstr(msg, ": ") + 2;
	return sdp_fail(err, e->code, line, rc, "%s", msg);
}

/* lib/sdp's line numbers in m, told about the caller's text. */
static void
map_lines(struct sdp_media *m, const uint16_t *map, unsigned int nmap)
{
	uint16_t *lines[] = { &m->line, &m->setup_line, &m->rtcp_line, &m->addr.line,
			      &m->rtcp_addr.line, &m->ice.ufrag_line, &m->ice.pwd_line,
			      &m->mid_line, &m->tls_id_line };

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (*lines[i] > 0 && *lines[i] <= nmap)
			*lines[i] = (uint16_t)(map[*lines[i] - 1] + 1u);
	for (unsigned int i = 0; i < m->ncrypto; i++)
		if (m->crypto[i].line > 0 && m->crypto[i].line <= nmap)
			m->crypto[i].line = (uint16_t)(map[m->crypto[i].line - 1] + 1u);
}

/* H.248's CHOOSE `$` (lib/sdp takes it for Local descriptors) is no SDP
 * value: the line that has one, 0 if none. */
static unsigned int
choose_line(const struct sdp_media *m)
{
	if (m->port_choose)
		return m->line;
	if (m->addr.kind == SDP_ADDR_CHOOSE)
		return m->addr.line;
	if (m->rtcp_choose)
		return m->rtcp_line;
	if (m->setup == SDP_SETUP_CHOOSE)
		return m->setup_line;
	for (unsigned int i = 0; i < m->ncrypto; i++)
		if (m->crypto[i].tag_choose || m->crypto[i].key_choose)
			return m->crypto[i].line;
	if (m->crypto_choose || m->fp_choose)
		return m->line;
	return 0;
}

/* A description made of some of the caller's lines, for lib/sdp: a
 * section's to sdp_parse_section()'s limits (a browser's video section is
 * past H.248's), the rest to sdp_parse()'s (max_lines). Not zeroed as a
 * whole: synth_init(). */
struct synth {
	char text[SDP_DESC_SIZE_MAX];
	uint16_t map[SDP_DESC_LINES_MAX];
	size_t n;
	unsigned int nlines, max_lines;
	bool big;
};

static void
synth_init(struct synth *y, unsigned int max_lines)
{
	y->n = 0;
	y->nlines = 0;
	y->max_lines = max_lines;
	y->big = false;
}

static void
synth_add(struct synth *y, const char *p, size_t n, unsigned int k)
{
	if (y->big)
		return;
	if (y->nlines == y->max_lines || y->n + n + 2 > sizeof(y->text)) {
		y->big = true;
		return;
	}
	memcpy(y->text + y->n, p, n);
	memcpy(y->text + y->n + n, "\r\n", 2);
	y->n += n + 2;
	y->map[y->nlines++] = (uint16_t)k;
}

/*
 * Section i as a description of its own, read by lib/sdp. sess_c,
 * sess_dir: the session's c= and direction lines (-1: none).
 */
static int
read_section(struct ng_sdp *d, unsigned int i, int sess_c, int sess_dir, struct sdp_error *err)
{
	struct ng_sdp_media *md = &d->media[i];
	struct synth y;
	struct sdp s;
	struct sdp_error e;
	unsigned int no;
	int rc = 0;

	synth_init(&y, SDP_DESC_LINES_MAX);
	synth_add(&y, "v=0", 3, 0);
	if (sess_c >= 0 && !md->has_c)
		synth_add(&y, line_at(d, (unsigned int)sess_c), d->line_len[sess_c],
			  (unsigned int)sess_c);
	if (sess_dir >= 0)
		synth_add(&y, line_at(d, (unsigned int)sess_dir), d->line_len[sess_dir],
			  (unsigned int)sess_dir);
	for (unsigned int k = 1; k < d->nsess; k++)
		if (is_sess_ice(line_at(d, k), d->line_len[k]) ||
		    is_sess_dtls(line_at(d, k), d->line_len[k]))
			synth_add(&y, line_at(d, k), d->line_len[k], k);
	for (unsigned int k = md->first_line; k < md->first_line + md->nlines; k++)
		if (!is_cand(line_at(d, k), d->line_len[k]) &&
		    !attr_is(line_at(d, k), d->line_len[k], "ice-lite"))
			synth_add(&y, line_at(d, k), d->line_len[k], k);
	if (y.big) {
		md->why = "past lib/sdp's limits for one section (16384 octets, 512 lines without "
			  "candidates): not relayed";
		goto out_wipe;
	}
	rc = sdp_parse_section(y.text, y.n, &s, &e);
	if (rc == -EINVAL) {
		rc = map_error(err, &e, y.map, y.nlines, -EINVAL);
		goto out_wipe;
	}
	if (rc == -E2BIG) {
		md->why = "past lib/sdp's limits for one section (a value kept, 8 a=crypto, 4095 "
			  "octets of codec lines, 127 of format list, 32 payload types): not relayed";
		rc = 0;
		goto out_wipe;
	}
	if (rc < 0) {
		md->why = "well-formed, but with a value lib/sdp does not take (a fingerprint's "
			  "hash): not relayed";
		rc = 0;
		goto out_wipe;
	}
	map_lines(&s.media, y.map, y.nlines);
	memcpy(md->mid, s.media.mid, sizeof(md->mid));
	md->mid_line = s.media.mid_line;
	no = choose_line(&s.media);
	if (no != 0) {
		rc = sdp_fail(err, SDP_E_LINE, no, -EINVAL, "`$` is H.248's CHOOSE, not an SDP value");
		goto out_wipe;
	}
	if ((s.media.type == SDP_MEDIA_AUDIO || s.media.type == SDP_MEDIA_VIDEO ||
	     s.media.type == SDP_MEDIA_TEXT) && (sdp_proto_rtp((enum sdp_proto)s.media.proto) ||
						 sdp_proto_dtls((enum sdp_proto)s.media.proto))) {
		md->relay = true;
		md->m = s.media;
	} else {
		md->why = "not audio, video or text over RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF, "
			  "UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF: not relayed";
	}

out_wipe:
	/* keys: the section's a=crypto lines */
	explicit_bzero(&y, sizeof(y));
	explicit_bzero(&s, sizeof(s));
	return rc;
}

/* The a=mid of section i when read_section() did not read it (a section
 * past lib/sdp's limits, or with a value it does not take): its first
 * a=mid line as lib/sdp reads one, "" when there is none or lib/sdp does
 * not take it (such a section is not relayed, and a group naming it then
 * names a mid no section has). */
static void
mid_scan(struct ng_sdp *d, unsigned int i)
{
	struct ng_sdp_media *md = &d->media[i];
	struct synth y;
	struct sdp s;
	unsigned int k;

	for (k = md->first_line + 1u; k < (unsigned int)md->first_line + md->nlines; k++)
		if (attr_is(line_at(d, k), d->line_len[k], "mid"))
			break;
	if (k == (unsigned int)md->first_line + md->nlines)
		return;
	synth_init(&y, SDP_LINES_MAX);
	synth_add(&y, "v=0", 3, 0);
	synth_add(&y, "m=audio 9 RTP/AVP 0", 19, md->first_line);
	synth_add(&y, line_at(d, k), d->line_len[k], k);
	if (sdp_parse(y.text, y.n, &s, NULL) == 0) {
		memcpy(md->mid, s.media.mid, sizeof(md->mid));
		md->mid_line = (uint16_t)(k + 1);
	}
	explicit_bzero(&s, sizeof(s));
}

/* Is p[0..n) a=group:BUNDLE (any case, RFC 5888's semantics token)? */
static bool
is_bundle_group(const char *p, size_t n)
{
	return attr_is(p, n, "group") && n >= 14 && strncasecmp(p + 8, "BUNDLE", 6) == 0 &&
	       (n == 14 || p[14] == ' ');
}

/* The session's a=group lines as lib/sdp reads them (its grammar, its
 * limits: 8 mids a group, 4 BUNDLE groups), BUNDLE's into d->group[]. */
static int
read_groups(struct ng_sdp *d, struct sdp_error *err)
{
	struct synth y;
	struct sdp s;
	struct sdp_error e;
	int rc;

	synth_init(&y, SDP_LINES_MAX);
	synth_add(&y, "v=0", 3, 0);
	for (unsigned int k = 1; k < d->nsess; k++)
		if (attr_is(line_at(d, k), d->line_len[k], "group"))
			synth_add(&y, line_at(d, k), d->line_len[k], k);
	if (y.nlines == 1)
		return 0;
	if (y.big)
		return sdp_fail(err, SDP_E_ATTR_COUNT, 0, -E2BIG,
				"a=group: more than %u lines", SDP_LINES_MAX - 1);
	rc = sdp_parse(y.text, y.n, &s, &e);
	if (rc < 0)
		return map_error(err, &e, y.map, y.nlines, rc);
	d->ngroup = s.ngroup;
	for (unsigned int g = 0; g < s.ngroup; g++) {
		d->group[g] = s.group[g];
		d->group[g].line = (uint16_t)(y.map[s.group[g].line - 1] + 1u);
	}
	return 0;
}

/*
 * BUNDLE's rules across the sections, lib/sdp's (each mid once, a group's
 * mids those of sections, a section in one group): protocol errors,
 * refused on every description. Sections not relayed (not RTP, past
 * lib/sdp's limits) are judged elsewhere (ng_sdp_may_pass()).
 */
static int
bundle_read(struct ng_sdp *d, struct sdp_error *err)
{
	struct sdp_mid_ref sec[NG_SDP_MEDIA_MAX];
	uint8_t bundle[NG_SDP_MEDIA_MAX];
	int rc;

	for (unsigned int i = 0; i < d->nmedia; i++) {
		if (d->media[i].mid[0] == '\0')
			mid_scan(d, i);
		sec[i].mid = d->media[i].mid;
		sec[i].line = d->media[i].mid_line;
	}
	rc = sdp_bundle_check(d->group, d->ngroup, sec, d->nmedia, bundle, err);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < d->nmedia; i++)
		d->media[i].bundle = bundle[i];
	return 0;
}

int
ng_sdp_bundle_check(const struct ng_sdp *d, struct sdp_error *err)
{
	for (unsigned int g = 0; g < d->ngroup; g++) {
		const struct sdp_group *gr = &d->group[g];
		const struct ng_sdp_media *first = NULL;
		unsigned int ext = 0;

		for (unsigned int t = 0; t < gr->ntag; t++)
			if (strlen(gr->tag[t]) > NG_SDP_BUNDLE_MID_MAX)
				return sdp_fail(err, SDP_E_BUNDLE, gr->line, -E2BIG,
						"a=group:BUNDLE: mid %s is %zu octets, more than the "
						"%u a bundled section's may have here (the MID header "
						"extension's one-byte form, RFC 8285 section 4.2)",
						gr->tag[t], strlen(gr->tag[t]), NG_SDP_BUNDLE_MID_MAX);
		for (unsigned int i = 0; i < d->nmedia; i++) {
			const struct ng_sdp_media *md = &d->media[i];
			unsigned int id;

			if (md->bundle != g + 1 || !md->relay)
				continue;
			id = sdp_extmap_id(&md->m, SDP_EXT_MID);
			/* (lib/sdp takes ids past RFC 8285's 255, which dp's one
			 * octet of the id, ipc_rtp_bundle.mid_ext, cannot hold) */
			if (id > 255)
				return sdp_fail(err, SDP_E_BUNDLE, gr->line, -EINVAL,
						"a=group:BUNDLE: the MID header extension's id %u "
						"in mid %s's section (line %u) is past 255, the "
						"most RFC 8285's two-byte form carries", id, md->mid,
						md->m.line);
			if (first == NULL) {
				first = md;
				ext = id;
			} else if (id != ext) {
				return sdp_fail(err, SDP_E_BUNDLE, gr->line, -EINVAL,
						"a=group:BUNDLE: the MID header extension is id %u in "
						"mid %s's section (line %u) and %u in mid %s's (line %u): "
						"one id for the group's one RTP session (RFC 9143)", ext,
						first->mid, first->m.line, id, md->mid, md->m.line);
			}
			for (const struct ng_sdp_media *o = d->media; o < md; o++) {
				if (o->bundle != g + 1 || !o->relay)
					continue;
				for (unsigned int a = 0; a < md->m.npt; a++)
					for (unsigned int b = 0; b < o->m.npt; b++)
						if (md->m.pt[a] == o->m.pt[b])
							return sdp_fail(err, SDP_E_BUNDLE, gr->line,
								-EINVAL, "a=group:BUNDLE: payload "
								"type %u is in mid %s's section (line "
								"%u) and mid %s's (line %u): turnpike "
								"tells a group's media apart by payload "
								"type, one section's each",
								md->m.pt[a], o->mid, o->m.line, md->mid,
								md->m.line);
			}
		}
	}
	return 0;
}

/* The session's c= as lib/sdp reads it. */
static int
read_sess_c(struct ng_sdp *d, unsigned int k, struct sdp_error *err)
{
	struct synth y;
	struct sdp s;
	struct sdp_error e;
	int rc;

	synth_init(&y, SDP_LINES_MAX);
	synth_add(&y, "v=0", 3, 0);
	synth_add(&y, line_at(d, k), d->line_len[k], k);
	rc = sdp_parse(y.text, y.n, &s, &e);
	if (rc < 0)
		return map_error(err, &e, y.map, y.nlines, -EINVAL);
	if (s.addr.kind == SDP_ADDR_CHOOSE)
		return sdp_fail(err, SDP_E_CONN, k + 1, -EINVAL, "`$` is H.248's CHOOSE, not an SDP value");
	d->sess_addr = s.addr;
	d->sess_addr.line = (uint16_t)(k + 1);
	return 0;
}

/* Split s into lines: the framing and the limits. */
static int
split_lines(struct ng_sdp *d, const char *s, size_t len, struct sdp_error *err)
{
	unsigned int nl = 0, blank_at = 0;
	size_t i = 0;

	while (i < len) {
		const char *p = s + i, *lf = memchr(p, '\n', len - i);
		size_t n = lf != NULL ? (size_t)(lf - p) : len - i, off = i;

		i += n + (lf != NULL);
		if (n > 0 && p[n - 1] == '\r' && lf != NULL)
			n--;
		if (blank(p, n)) {
			if (blank_at == 0)
				blank_at = nl + 1;
			continue;
		}
		if (blank_at == 1)
			return sdp_fail(err, SDP_E_VERSION, 1, -EINVAL, "an empty line, not v=0");
		if (blank_at != 0)
			return sdp_fail(err, SDP_E_LINE, blank_at, -EINVAL,
				    "an empty line inside the description");
		if (nl == NG_SDP_LINES_MAX)
			return sdp_fail(err, SDP_E_LINES, nl + 1, -E2BIG, "more than %u lines",
				    NG_SDP_LINES_MAX);
		if (n > SDP_LINE_MAX)
			return sdp_fail(err, SDP_E_LINE_LEN, nl + 1, -E2BIG,
				    "%zu bytes, more than the %u taken", n, SDP_LINE_MAX);
		for (size_t j = 0; j < n; j++) {
			unsigned char c = (unsigned char)p[j];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return sdp_fail(err, SDP_E_CHAR, nl + 1, -EINVAL, "%s at byte %zu",
					    c == '\r' ? "a CR not before LF" : c == 0 ? "a NUL" :
					    "a control character", j + 1);
		}
		if (n < 2 || p[0] < 'a' || p[0] > 'z' || p[1] != '=')
			return sdp_fail(err, SDP_E_LINE, nl + 1, -EINVAL, "not <letter>=<value> (\"%.*s\")",
				    (int)(n > 24 ? 24 : n), p);
		if (strchr("vosiuepcbtrzkam", p[0]) == NULL)
			return sdp_fail(err, SDP_E_LINE, nl + 1, -EINVAL,
				    "%c=: a type not defined by RFC 8866", p[0]);
		d->line_off[nl] = (uint16_t)off;
		d->line_len[nl] = (uint16_t)n;
		nl++;
	}
	if (nl == 0)
		return sdp_fail(err, SDP_E_EMPTY, 0, -EINVAL, "no line: v=0 is needed");
	d->nlines = (uint16_t)nl;
	if (d->line_len[0] != 3 || memcmp(s + d->line_off[0], "v=0", 3) != 0)
		return sdp_fail(err, SDP_E_VERSION, 1, -EINVAL, "the first line is not v=0");
	return 0;
}

int
ng_sdp_read(const char *s, size_t len, struct ng_sdp *out, struct sdp_error *err)
{
	int sess_c = -1, sess_dir = -1, origin = -1, rc;
	bool sess_lite = false;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		len = 0;
	if (len > NG_SDP_SIZE_MAX) {
		rc = sdp_fail(err, SDP_E_SIZE, 0, -E2BIG, "%zu bytes, more than the %u taken", len,
			  NG_SDP_SIZE_MAX);
		goto out_zero;
	}
	out->text = s;
	out->len = len;
	rc = split_lines(out, s, len, err);
	if (rc < 0)
		goto out_zero;
	out->nsess = out->nlines;
	for (unsigned int k = 1; k < out->nlines; k++) {
		const char *p = line_at(out, k);
		size_t n = out->line_len[k];
		struct ng_sdp_media *md;

		if (p[0] == 'v') {
			rc = sdp_fail(err, SDP_E_ALTERNATIVE, k + 1, -EINVAL, "v=: a second description");
			goto out_zero;
		}
		if (p[0] == 'm') {
			if (out->nmedia == NG_SDP_MEDIA_MAX) {
				rc = sdp_fail(err, SDP_E_MEDIA_COUNT, k + 1, -E2BIG,
					  "m=: more than %u m= sections", NG_SDP_MEDIA_MAX);
				goto out_zero;
			}
			if (out->nmedia == 0)
				out->nsess = (uint16_t)k;
			md = &out->media[out->nmedia++];
			md->first_line = (uint16_t)k;
			md->nlines = 1;
			read_mline(md, p, n);
			continue;
		}
		if (out->nmedia > 0) {
			/* RFC 8866 section 5: a section is m= i c b k a */
			md = &out->media[out->nmedia - 1];
			if (strchr("icbka", p[0]) == NULL) {
				rc = sdp_fail(err, SDP_E_ORDER, k + 1, -EINVAL,
					  "%c=: a session-level line after m= (line %u)", p[0],
					  md->first_line + 1u);
				goto out_zero;
			}
			md->nlines++;
			md->has_c = md->has_c || p[0] == 'c';
			md->ice = md->ice || is_ice(p, n);
			md->ice_lite = md->ice_lite || attr_is(p, n, "ice-lite");
			continue;
		}
		if (p[0] == 'c') {
			if (sess_c >= 0) {
				rc = sdp_fail(err, SDP_E_DUPLICATE, k + 1, -EINVAL,
					  "c=: a second one at session level (the first is line %d)",
					  sess_c + 1);
				goto out_zero;
			}
			sess_c = (int)k;
		} else if (p[0] == 'o') {
			if (origin >= 0) {
				rc = sdp_fail(err, SDP_E_DUPLICATE, k + 1, -EINVAL,
					  "o=: a second one (the first is line %d)", origin + 1);
				goto out_zero;
			}
			origin = (int)k;
			read_origin(p, n, k + 1, &out->origin_addr);
		} else if (is_dir(p, n)) {
			if (sess_dir >= 0) {
				rc = sdp_fail(err, SDP_E_DUPLICATE, k + 1, -EINVAL,
					  "a second direction at session level (the first is line %d)",
					  sess_dir + 1);
				goto out_zero;
			}
			sess_dir = (int)k;
		} else if (is_ice(p, n)) {
			out->ice = true;
			sess_lite = sess_lite || attr_is(p, n, "ice-lite");
		}
	}
	if (sess_c >= 0) {
		out->has_sess_c = true;
		rc = read_sess_c(out, (unsigned int)sess_c, err);
		if (rc < 0)
			goto out_zero;
	}
	for (unsigned int i = 0; i < out->nmedia; i++) {
		out->media[i].ice = out->media[i].ice || out->ice;
		out->media[i].ice_lite = out->media[i].ice_lite || sess_lite;
		rc = read_section(out, i, sess_c, sess_dir, err);
		if (rc < 0)
			goto out_zero;
	}
	rc = read_groups(out, err);
	if (rc == 0)
		rc = bundle_read(out, err);
	if (rc < 0)
		goto out_zero;
	return 0;

out_zero:
	explicit_bzero(out, sizeof(*out));
	return rc;
}

int
ng_sdp_may_pass(const struct ng_sdp *in, unsigned int i, const char (*pass)[NG_SDP_NAME_MAX],
		unsigned int npass, char *err, size_t errlen)
{
	const struct ng_sdp_media *md;

	if (in == NULL || i >= in->nmedia)
		return -EINVAL;
	md = &in->media[i];
	if (md->off)
		return 0;
	if (md->rtp) {
		snprintf(err, errlen, "m=%s section %u (%s): not relayed by turnpike (%s), and "
			 "an RTP section is never passed on unanchored", md->media_name, i + 1,
			 md->proto, md->relay ? "no context for it: the offer's section was not" :
			 "audio, video or text over RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF, "
			 "UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF as lib/sdp takes it only");
		return -EPROTONOSUPPORT;
	}
	for (unsigned int k = 0; k < npass; k++)
		if (md->proto[0] != '\0' && strcasecmp(pass[k], md->proto) == 0)
			return 0;
	snprintf(err, errlen, "m=%s section %u (%s): not relayed by turnpike, and ng.pass_through "
		 "does not name it (its media would bypass the gateway)", md->media_name, i + 1,
		 md->proto[0] != '\0' ? md->proto : "no proto");
	return -EPROTONOSUPPORT;
}

/* ---- the rewrite ---------------------------------------------------------------- */

static void
put_line(struct sdp_wbuf *w, const struct ng_sdp *d, unsigned int k)
{
	sdp_put_mem(w, line_at(d, k), d->line_len[k]);
	sdp_put_mem(w, "\r\n", 2);
}

static size_t
ip_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static bool
same_addr(const struct ng_sdp_out_media *a, const struct ng_sdp_out_media *b)
{
	return a->family == b->family && memcmp(a->ip, b->ip, ip_len(a->family)) == 0;
}

/* "IN IP4 192.0.2.1" (checked by the caller: the family is one of two). */
static void
put_addr(struct sdp_wbuf *w, const struct ng_sdp_out_media *o)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(o->family, o->ip, ip, sizeof(ip));
	sdp_put(w, "IN %s %s", o->family == AF_INET ? "IP4" : "IP6", ip);
}

static void
put_c(struct sdp_wbuf *w, const struct ng_sdp_out_media *o)
{
	sdp_put_mem(w, "c=", 2);
	put_addr(w, o);
	sdp_put_mem(w, "\r\n", 2);
}

/* o=<username> <sess-id> <sess-version> IN IP4|IP6 <ours>; false (nothing
 * written) when o= is not six fields. */
static bool
put_origin(struct sdp_wbuf *w, const char *p, size_t n, const struct ng_sdp_out_media *o)
{
	const char *f[6];
	size_t fl[6];

	if (!origin_fields(p + 2, n - 2, f, fl))
		return false;
	sdp_put_mem(w, p, (size_t)(f[3] - p));
	put_addr(w, o);
	sdp_put_mem(w, "\r\n", 2);
	return true;
}

/* m=<media> <port> <proto> <fmt>...: lib/sdp read it (single spaces, four
 * fields, no port count), so the fields are there. */
static void
put_m(struct sdp_wbuf *w, const char *p, size_t n, const struct ng_sdp_out_media *o)
{
	const char *port = memchr(p, ' ', n);
	const char *proto = port != NULL ? memchr(port + 1, ' ', n - (size_t)(port + 1 - p)) : NULL;
	const char *fmt = proto != NULL ? memchr(proto + 1, ' ', n - (size_t)(proto + 1 - p)) : NULL;

	if (fmt == NULL) {
		sdp_put_mem(w, p, n);
		sdp_put_mem(w, "\r\n", 2);
		return;
	}
	sdp_put_mem(w, p, (size_t)(port - p));
	sdp_put(w, " %u ", o->port);
	if (o->proto != NULL)
		sdp_put_mem(w, o->proto, strlen(o->proto));
	else
		sdp_put_mem(w, proto + 1, (size_t)(fmt - proto - 1));
	sdp_put_mem(w, fmt, n - (size_t)(fmt - p));
	sdp_put_mem(w, "\r\n", 2);
}

/* A proto for m=: a token of visible ASCII as lib/sdp keeps it. */
static bool
proto_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SDP_TOKEN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* rw fits in; *first: the first relayed section, -1 if none. */
static bool
rewrite_ok(const struct ng_sdp *in, const struct ng_sdp_rewrite *rw, int *first)
{
	*first = -1;
	if (rw->group != NULL) {
		struct sdp_wbuf none;

		sdp_wbuf_init(&none, NULL, 0);
		if (sdp_session_webrtc_put(&none, false, rw->group) < 0)
			return false;
	}
	if (in->nlines == 0 || in->text == NULL || rw->nmedia != in->nmedia ||
	    rw->nmedia > NG_SDP_MEDIA_MAX ||
	    (rw->flags & ~(NG_SDP_ICE_REMOVE | NG_SDP_REPLACE_ORIGIN | NG_SDP_REPLACE_SESS_C)) != 0)
		return false;
	for (unsigned int i = 0; i < rw->nmedia; i++) {
		const struct ng_sdp_out_media *o = &rw->media[i];

		if (o->keep)
			continue;
		if (!in->media[i].relay || (o->family != AF_INET && o->family != AF_INET6) ||
		    (o->proto != NULL && !proto_ok(o->proto)) || o->ncrypto > SDP_CRYPTO_MAX ||
		    (o->ncrypto > 0 && o->crypto == NULL))
			return false;
		if (o->webrtc != NULL) {
			struct sdp_wbuf none;

			/* (judged before anything is written: a wbuf of no room) */
			sdp_wbuf_init(&none, NULL, 0);
			if (sdp_webrtc_put(&none, o->webrtc) < 0)
				return false;
		}
		for (unsigned int c = 0; c < o->ncrypto; c++) {
			/* checked before any size: -EINVAL is about the line alone */
			if (sdp_crypto_write(&o->crypto[c], NULL, 0) == -EINVAL)
				return false;
			for (unsigned int j = 0; j < c; j++)
				if (o->crypto[j].tag == o->crypto[c].tag)
					return false;     /* would not read back */
		}
		if (*first < 0)
			*first = (int)i;
	}
	return true;
}

/* Do our lines in o carry ICE (credentials: a=ice-lite goes with them)? */
static bool
ours_ice(const struct ng_sdp_out_media *o)
{
	return !o->keep && o->webrtc != NULL && o->webrtc->ufrag != NULL;
}

/* Is p[0..n) an a=extmap of the MID header extension (RFC 9143 section
 * 14.1's URI, as the line's last or followed by its attributes)? */
static bool
is_mid_extmap(const char *p, size_t n)
{
	const size_t u = sizeof(SDP_EXT_MID) - 1;

	if (!attr_is(p, n, "extmap"))
		return false;
	for (size_t k = 9; k + u <= n; k++)
		if (p[k - 1] == ' ' && memcmp(p + k, SDP_EXT_MID, u) == 0 &&
		    (k + u == n || p[k + u] == ' '))
			return true;
	return false;
}

/* A relayed section: its m=, its c=, what it had but ICE's (with
 * ice_remove, or when ours go in) and DTLS-SRTP's, then ours (a=rtcp,
 * a=rtcp-mux, a=crypto, ICE's and DTLS-SRTP's). */
static void
put_relayed(struct sdp_wbuf *w, const struct ng_sdp *in, unsigned int i,
	    const struct ng_sdp_out_media *o, bool own_c, bool ice_remove)
{
	const struct ng_sdp_media *md = &in->media[i];
	unsigned int first = md->first_line, end = first + md->nlines;
	bool add_c = own_c && !md->has_c;
	char line[SDP_CRYPTO_LINE_MAX];

	ice_remove = ice_remove || ours_ice(o);
	put_m(w, line_at(in, first), in->line_len[first], o);
	for (unsigned int k = first + 1; k < end; k++) {
		const char *p = line_at(in, k);
		size_t n = in->line_len[k];

		/* RFC 8866 section 5: m= i c b k a */
		if (add_c && p[0] != 'i') {
			put_c(w, o);
			add_c = false;
		}
		if ((ice_remove && is_ice(p, n)) || is_dtls(p, n) || attr_is(p, n, "rtcp") ||
		    attr_is(p, n, "rtcp-mux") || attr_is(p, n, "crypto"))
			continue;
		/* the MID a=extmap: none towards either peer (bundled: see
		 * struct ng_sdp_out_media; unbundle: the peer has no group) */
		if ((o->bundled || o->unbundle) && is_mid_extmap(p, n))
			continue;
		if (o->unbundle && (attr_is(p, n, "bundle-only") || attr_is(p, n, "rtcp-mux-only")))
			continue;
		if (p[0] == 'c')
			put_c(w, o);
		else
			put_line(w, in, k);
	}
	if (add_c)
		put_c(w, o);
	if (o->rtcp_port != 0 && !o->rtcp_mux_only)
		sdp_put(w, "a=rtcp:%u\r\n", o->rtcp_port);
	if (o->rtcp_mux)
		sdp_put_mem(w, "a=rtcp-mux\r\n", 12);
	for (unsigned int c = 0; c < o->ncrypto && !w->over; c++) {
		int n = sdp_crypto_write(&o->crypto[c], line, sizeof(line));

		if (n < 0)
			w->over = true;     /* checked: only a line longer than its bound */
		else
			sdp_put_mem(w, line, (size_t)n);
	}
	explicit_bzero(line, sizeof(line));
	/* (rewrite_ok() judged them: only room may lack) */
	if (o->webrtc != NULL && sdp_webrtc_put(w, o->webrtc) < 0)
		w->over = true;
}

/* Does section md have an attribute of the name line p[0..n) has? */
static bool
has_attr_of(const struct ng_sdp *in, const struct ng_sdp_media *md, const char *p, size_t n)
{
	size_t l = 2;

	while (l < n && p[l] != ':')
		l++;
	for (unsigned int k = md->first_line + 1u; k < (unsigned int)md->first_line + md->nlines;
	     k++) {
		const char *q = line_at(in, k);
		size_t m = in->line_len[k];

		if (m >= l && memcmp(q, p, l) == 0 && (m == l || q[l] == ':'))
			return true;
	}
	return false;
}

/* A kept section, as it came; with the old session c= when it relied on
 * that one and the session's c= now holds ours (sess_c: its line, -1),
 * unless its port is 0 (no media: no address to give, as rtpengine gives
 * none); with the session's ICE credentials and options it relied on
 * when those are removed (sess_ice) and it has ICE lines of its own (its
 * ICE is its endpoints', as it came: a ufrag left without its pwd would
 * not even read); with the session's DTLS lines it does not override
 * when those are removed (sess_dtls), unless its port is 0 (a data
 * channel passed on keeps its endpoints' certificate and role); refuse:
 * its m= port written 0, and so none of those. */
static void
put_kept(struct sdp_wbuf *w, const struct ng_sdp *in, unsigned int i, int sess_c, bool sess_ice,
	 bool sess_dtls, bool refuse)
{
	static const struct ng_sdp_out_media port0 = { .port = 0 };
	const struct ng_sdp_media *md = &in->media[i];
	unsigned int first = md->first_line, end = first + md->nlines;
	bool off = md->off || refuse;
	bool add_c = sess_c >= 0 && !md->has_c && !off, own_ice = false;

	if (refuse)
		put_m(w, line_at(in, first), in->line_len[first], &port0);
	else
		put_line(w, in, first);
	for (unsigned int k = first + 1; k < end; k++) {
		if (add_c && line_at(in, k)[0] != 'i') {
			put_line(w, in, (unsigned int)sess_c);
			add_c = false;
		}
		put_line(w, in, k);
		own_ice = own_ice || is_ice(line_at(in, k), in->line_len[k]);
	}
	if (add_c)
		put_line(w, in, (unsigned int)sess_c);
	for (unsigned int k = 1; sess_ice && own_ice && k < in->nsess; k++)
		if (is_sess_ice(line_at(in, k), in->line_len[k]) &&
		    !has_attr_of(in, md, line_at(in, k), in->line_len[k]))
			put_line(w, in, k);
	for (unsigned int k = 1; sess_dtls && !off && k < in->nsess; k++)
		if (is_sess_dtls(line_at(in, k), in->line_len[k]) &&
		    !has_attr_of(in, md, line_at(in, k), in->line_len[k]))
			put_line(w, in, k);
}

int
ng_sdp_rewrite(const struct ng_sdp *in, const struct ng_sdp_rewrite *rw, char *buf,
	       size_t size)
{
	struct sdp_wbuf w;
	const struct ng_sdp_out_media *ours = NULL;
	bool ice_remove, ice_lite = false, sess_c, c_done;
	int first, old_c = -1;

	if (in == NULL || rw == NULL || buf == NULL)
		return -EINVAL;
	sdp_wbuf_init(&w, buf, size);
	if (!rewrite_ok(in, rw, &first))
		return -EINVAL;
	ice_remove = (rw->flags & NG_SDP_ICE_REMOVE) != 0;
	for (unsigned int i = 0; i < rw->nmedia; i++)
		ice_lite = ice_lite || ours_ice(&rw->media[i]);
	if (first >= 0)
		ours = &rw->media[first];
	/* the session's c= is ours when there is one, or when asked for */
	sess_c = ours != NULL && (in->has_sess_c || (rw->flags & NG_SDP_REPLACE_SESS_C));
	c_done = !sess_c || in->has_sess_c;
	if (sess_c && in->has_sess_c) {
		const struct sdp_addr *a = &in->sess_addr;

		if (a->kind != SDP_ADDR_IP || a->family != ours->family ||
		    memcmp(a->ip, ours->ip, ip_len(a->family)) != 0)
			old_c = a->line - 1;    /* kept sections that relied on it get it */
	}

	for (unsigned int k = 0; k < in->nsess; k++) {
		const char *p = line_at(in, k);
		size_t n = in->line_len[k];

		/* RFC 8866 section 5: v o s i u e p c b t r z k a */
		if (!c_done && strchr("btrzka", p[0]) != NULL) {
			put_c(&w, ours);
			c_done = true;
		}
		/* (the session's DTLS lines are the sender's: gone with a
		 * section relayed, kept sections given them back; its BUNDLE
		 * groups name sections that now have ports of their own) */
		if (((ice_remove || ice_lite) && is_ice(p, n)) ||
		    (ours != NULL && (is_sess_dtls(p, n) || is_bundle_group(p, n))))
			continue;
		if (p[0] == 'o' && ours != NULL && (rw->flags & NG_SDP_REPLACE_ORIGIN) &&
		    put_origin(&w, p, n, ours))
			continue;
		if (p[0] == 'c' && sess_c)
			put_c(&w, ours);
		else
			put_line(&w, in, k);
	}
	if (!c_done)
		put_c(&w, ours);
	/* RFC 8839 section 5.3: ours is a lite agent's ICE; our BUNDLE group
	 * (rewrite_ok() judged it) */
	if ((ice_lite || rw->group != NULL) &&
	    sdp_session_webrtc_put(&w, ice_lite, rw->group) < 0)
		w.over = true;

	for (unsigned int i = 0; i < in->nmedia; i++) {
		const struct ng_sdp_out_media *o = &rw->media[i];

		if (o->keep)
			put_kept(&w, in, i, old_c, ice_remove || ice_lite, ours != NULL, o->refuse);
		else
			put_relayed(&w, in, i, o, !sess_c || !same_addr(o, ours), ice_remove);
	}
	if (w.over) {
		/* what was written may hold our keys */
		if (size > 0) {
			explicit_bzero(buf, size);
			buf[0] = '\0';
		}
		return -ENOSPC;
	}
	return (int)w.n;
}
