/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lib/sdp over what an H.248 controller puts in a Local
 * or Remote descriptor (the text from a heap copy of exactly its size, no
 * NUL, so a read past it is caught).
 *
 * Besides memory errors and undefined behaviour, the target aborts on a
 * broken promise of sdp.h:
 *   - a refusal has a code, a sentence naming its line, the right errno
 *     class, and leaves *out zeroed;
 *   - an accepted description derives (as Local, as Remote, as both)
 *     without a crash, each result either a role or a coded sentence;
 *   - parse -> write -> parse is stable: an answer built from what was
 *     parsed (its proto, port, address, setup, fingerprints, path), once
 *     written, parses back to the same values, and writing what was read
 *     back gives the same bytes;
 *   - the same for RTP media (sdp_rtp_derive(), sdp_rtp_write(); with
 *     sdp_rtp_derive_flags()' SDP_RTP_TAKE_DTLS, DTLS-SRTP's protos
 *     taken, dtls said, no SDES key): a key
 *     kept has its suite's length, a line taken is usable and its tag is
 *     the answer's, RTCP's port is set, an answer from the parsed values
 *     (payload types, codec lines, RTCP, direction, the keys) is written,
 *     read back the same, and written again byte for byte;
 *   - a whole description (sdp_parse_desc(), a WebRTC offer's sections):
 *     its bounds hold (sections, candidates, extmaps, SSRCs, the lengths
 *     of ufrag, pwd, tls-id and mid), each BUNDLE group names sections
 *     that exist and are marked so, each mid names one section; and each
 *     section's WebRTC lines, written back as ours (sdp_webrtc_put(), the
 *     candidates the writer takes), read back to the same values;
 *   - each payload type's a=rtpmap as offer/answer compares codecs
 *     (sdp_codec.c: sdp_rtpmap_of(), sdp_codec_key(), sdp_rtpmap_put()).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz_check.h"
#include "sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_error(int rc, const struct sdp_error *e)
{
	CHECK(rc == -EINVAL || rc == -ENOTSUP || rc == -E2BIG);
	CHECK(e->code > SDP_OK && e->code < SDP_E_COUNT);
	CHECK(e->msg[0] != '\0' && memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
	if (e->line > 0) {
		char pre[32];

		snprintf(pre, sizeof(pre), "line %u: ", e->line);
		CHECK(strncmp(e->msg, pre, strlen(pre)) == 0);
	}
}

static void
derive(const struct sdp *l, const struct sdp *r, unsigned int flags)
{
	struct sdp_term t;
	struct sdp_error e;
	int rc = sdp_derive(l, r, flags, &t, &e);

	if (rc < 0) {
		check_error(rc, &e);
		CHECK(t.role == 0 && t.nfp == 0 && !t.remote_known);
		return;
	}
	CHECK(e.code == SDP_OK);
	CHECK(t.role <= SDP_ROLE_SERVER && t.why_role != NULL);
	CHECK(t.nfp <= SDP_FP_MAX && (t.tls || t.nfp == 0));
	CHECK(r == NULL || !t.tls || t.nfp > 0);
	CHECK(t.remote_known == (r != NULL));
	CHECK(t.role != SDP_ROLE_SERVER || t.remote_port == 0);
	CHECK(r == NULL || t.role == SDP_ROLE_SERVER || t.remote_port != 0);
	CHECK(t.local_addr_choose || t.local_family != 0 || l == NULL);
}

static void
derive_rtp(const struct sdp *l, const struct sdp *r, unsigned int suites, unsigned int flags)
{
	struct sdp_rtp_term t;
	struct sdp_error e;
	int rc = flags != 0 ? sdp_rtp_derive_flags(l, r, suites, flags, &t, &e) :
		 sdp_rtp_derive(l, r, suites, &t, &e);

	if (rc < 0) {
		check_error(rc, &e);
		CHECK(t.proto == 0 && !t.remote_known && t.peer.key_len == 0 && t.ours.key_len == 0);
		return;
	}
	CHECK(e.code == SDP_OK);
	CHECK(sdp_proto_rtp((enum sdp_proto)t.proto) ||
	      ((flags & SDP_RTP_TAKE_DTLS) && sdp_proto_dtls((enum sdp_proto)t.proto)));
	CHECK(t.dtls == sdp_proto_dtls((enum sdp_proto)t.proto) && !(t.dtls && t.srtp));
	CHECK(t.media == SDP_MEDIA_AUDIO || t.media == SDP_MEDIA_VIDEO || t.media == SDP_MEDIA_TEXT);
	CHECK(t.srtp == sdp_proto_srtp((enum sdp_proto)t.proto));
	CHECK(t.remote_known == (r != NULL));
	CHECK(!t.remote_known || (t.remote_port != 0 && t.remote_rtcp_port != 0));
	CHECK(!t.remote_known || !t.rtcp_mux || t.remote_rtcp_port == t.remote_port);
	if (t.srtp && t.remote_known) {
		CHECK(t.peer.unusable == NULL && t.peer.key_len > 0);
		CHECK(t.peer.key_len == sdp_suite_key_len((enum sdp_suite)t.peer.suite));
		CHECK(suites == 0 || (suites & SDP_SUITE_BIT(t.peer.suite)));
		CHECK(t.ours.tag == t.peer.tag && t.ours.suite == t.peer.suite);
		CHECK(t.key_choose == (t.ours.key_len == 0));
	}
	if (!t.srtp)
		CHECK(t.peer.key_len == 0 && t.ours.key_len == 0 && !t.key_choose);
}

/* Our RTP answer from d's values (the usable lines with a key as ours). */
static bool
rtp_answer_of(const struct sdp *d, struct sdp_rtp_answer *a, struct sdp_crypto *c)
{
	const struct sdp_media *m = &d->media;

	memset(a, 0, sizeof(*a));
	if (!d->has_media || !sdp_proto_rtp((enum sdp_proto)m->proto) ||
	    (m->type != SDP_MEDIA_AUDIO && m->type != SDP_MEDIA_VIDEO && m->type != SDP_MEDIA_TEXT))
		return false;
	a->proto = m->proto;
	a->media = m->type;
	a->family = m->addr.kind == SDP_ADDR_IP ? m->addr.family : AF_INET;
	if (m->addr.kind == SDP_ADDR_IP)
		memcpy(a->ip, m->addr.ip, 16);
	else
		memcpy(a->ip, "\xc0\x00\x02\x01", 4);
	a->port = m->port_choose ? 20000 : m->port;
	a->rtcp_port = m->rtcp_port;
	a->rtcp_mux = m->rtcp_mux;
	a->dir = m->dir;
	a->fmt = m->fmt;
	a->attrs = m->codec[0] != '\0' ? m->codec : NULL;
	a->sess_id = m->port;
	a->sess_version = d->nlines;
	a->crypto = c;
	if (sdp_proto_srtp((enum sdp_proto)m->proto)) {
		for (unsigned int i = 0; i < m->ncrypto; i++)
			if (m->crypto[i].unusable == NULL && m->crypto[i].key_len > 0 &&
			    !m->crypto[i].tag_choose)
				c[a->ncrypto++] = m->crypto[i];
		if (a->ncrypto == 0)
			return false;
	}
	return true;
}

static void
rtp_round_trip(const struct sdp *d)
{
	static char out1[8192], out2[8192];
	struct sdp_crypto c[SDP_CRYPTO_MAX], c2[SDP_CRYPTO_MAX];
	struct sdp_rtp_answer a, b;
	struct sdp back, again;
	struct sdp_error e;
	int n1, n2, rc;

	if (!rtp_answer_of(d, &a, c))
		return;
	n1 = sdp_rtp_write(&a, out1, sizeof(out1));
	if (n1 == -EINVAL) {
		/* only an answer longer than sdp_parse() takes back: v o s c m,
		 * the codec lines, a=rtcp, the direction, the keys */
		unsigned int lines = 7 + a.ncrypto;

		for (const char *p = a.attrs; p != NULL && (p = strchr(p, '\n')) != NULL; p++)
			lines++;
		CHECK(lines > SDP_LINES_MAX);
		return;
	}
	CHECK(n1 > 0 && (size_t)n1 == strlen(out1));
	rc = sdp_parse(out1, (size_t)n1, &back, &e);
	if (rc < 0)
		fprintf(stderr, "written:\n%s\nrefused: %s\n", out1, e.msg);
	CHECK(rc == 0);
	CHECK(back.media.proto == a.proto && back.media.type == a.media);
	CHECK(back.media.port == a.port && back.media.dir == a.dir);
	CHECK(back.media.rtcp_mux == a.rtcp_mux);
	CHECK(back.media.rtcp_port == (a.rtcp_mux ? 0 : a.rtcp_port));
	CHECK(strcmp(back.media.fmt, a.fmt) == 0);
	CHECK(strcmp(back.media.codec, a.attrs != NULL ? a.attrs : "") == 0);
	CHECK(back.media.ncrypto == a.ncrypto);
	for (unsigned int i = 0; i < a.ncrypto; i++) {
		const struct sdp_crypto *x = &back.media.crypto[i], *y = &c[i];

		CHECK(x->tag == y->tag && x->suite == y->suite && x->key_len == y->key_len);
		CHECK(memcmp(x->key, y->key, y->key_len) == 0);
		CHECK(x->lifetime == y->lifetime && x->mki == y->mki && x->mki_len == y->mki_len);
		CHECK(x->wsh == y->wsh && x->unusable == NULL);
	}
	CHECK(rtp_answer_of(&back, &b, c2));
	b.sess_id = a.sess_id;
	b.sess_version = a.sess_version;
	b.port = a.port;
	n2 = sdp_rtp_write(&b, out2, sizeof(out2));
	CHECK(n2 == n1 && memcmp(out1, out2, (size_t)n1) == 0);
	CHECK(sdp_parse(out2, (size_t)n2, &again, NULL) == 0);
	CHECK(memcmp(&again.media, &back.media, sizeof(back.media)) == 0);
}

/* The answer a gateway could write from d: its values, ours where the
 * writer needs one. false when d has none the writer takes. */
static bool
answer_of(const struct sdp *d, struct sdp_answer *a)
{
	const struct sdp_media *m = &d->media;

	memset(a, 0, sizeof(*a));
	if (!d->has_media || sdp_proto_name((enum sdp_proto)m->proto) == NULL ||
	    sdp_proto_rtp((enum sdp_proto)m->proto))
		return false;
	a->proto = m->proto;
	if (sdp_proto_dtls((enum sdp_proto)m->proto))
		return false;   /* DTLS-SRTP: an RTP proto, not sdp_write()'s */
	a->media = m->proto <= SDP_PROTO_TCP_TLS_MSRP ? SDP_MEDIA_MESSAGE : SDP_MEDIA_APPLICATION;
	a->family = m->addr.kind == SDP_ADDR_IP ? m->addr.family : AF_INET;
	if (m->addr.kind == SDP_ADDR_IP)
		memcpy(a->ip, m->addr.ip, 16);
	else
		memcpy(a->ip, "\xc0\x00\x02\x01", 4);
	a->setup = m->setup == SDP_SETUP_ACTIVE || m->setup == SDP_SETUP_HOLDCONN ? m->setup :
		   SDP_SETUP_PASSIVE;
	a->port = m->port_choose || m->port == 0 ? 20000 : m->port;
	a->connection = m->connection;
	a->sess_id = m->port;
	a->sess_version = d->nlines;
	a->fmt = m->fmt;
	a->path = m->path[0] != '\0' && a->media == SDP_MEDIA_MESSAGE ? m->path : NULL;
	if (sdp_proto_tls((enum sdp_proto)m->proto)) {
		if (m->nfp == 0)
			return false;
		a->fp = m->fp;
		a->nfp = m->nfp;
	}
	return true;
}

/* One section's WebRTC lines as ours: its values the writer takes,
 * written after a section's head, read back the same. */
static void
webrtc_round_trip(const struct sdp_media *m)
{
	static char out[SDP_SIZE_MAX + 1024];
	static struct sdp back;
	struct sdp_candidate cand[SDP_CAND_MAX];
	struct sdp_webrtc_ours o;
	struct sdp_wbuf w;
	unsigned int fps;
	int rc;

	memset(&o, 0, sizeof(o));
	if (m->ice.ufrag[0] != '\0') {
		o.ufrag = m->ice.ufrag;
		o.pwd = m->ice.pwd;
		o.ice_options = m->ice.options & ~SDP_ICE_OPT_OTHER;
		o.end_of_candidates = m->ice.end_of_candidates;
		for (unsigned int i = 0; i < m->ice.ncand; i++) {
			struct sdp_candidate c = m->ice.cand[i];

			c.line = 0;
			if (c.type == SDP_CAND_OTHER || c.transport == SDP_TRANSPORT_OTHER ||
			    c.addr.kind != SDP_ADDR_IP || c.raddr.kind == SDP_ADDR_FQDN ||
			    (c.tcptype != SDP_TCPTYPE_NONE && c.transport != SDP_TRANSPORT_TCP))
				continue;
			if (c.raddr.kind == SDP_ADDR_NONE)
				c.rport = 0;
			c.next = 0;
			cand[o.ncand++] = c;
		}
		o.cand = cand;
	}
	fps = m->nfp;
	o.fp = m->fp;
	o.nfp = fps;
	if (m->setup == SDP_SETUP_ACTIVE || m->setup == SDP_SETUP_PASSIVE ||
	    m->setup == SDP_SETUP_ACTPASS)
		o.setup = m->setup;
	o.tls_id = m->tls_id[0] != '\0' ? m->tls_id : NULL;
	o.mid = m->mid[0] != '\0' ? m->mid : NULL;
	sdp_wbuf_init(&w, out, sizeof(out));
	sdp_put(&w, "v=0\r\nm=audio 9 RTP/AVP 0\r\n");
	CHECK(sdp_webrtc_put(&w, &o) == 0);
	if (w.over || w.n > SDP_SIZE_MAX)
		return;
	rc = sdp_parse(out, w.n, &back, NULL);
	if (rc == -E2BIG)
		return;         /* more lines than sdp_parse() takes */
	if (rc != 0)
		fprintf(stderr, "written:\n%s\n", out);
	CHECK(rc == 0);
	CHECK(strcmp(back.media.ice.ufrag, m->ice.ufrag) == 0);
	CHECK(strcmp(back.media.ice.pwd, m->ice.pwd) == 0);
	CHECK(back.media.ice.options == o.ice_options);
	CHECK(back.media.ice.end_of_candidates == (o.ufrag != NULL && o.end_of_candidates));
	CHECK(back.media.ice.ncand == o.ncand);
	for (unsigned int i = 0; i < o.ncand; i++) {
		struct sdp_candidate x;

		memcpy(&x, &back.media.ice.cand[i], sizeof(x));
		x.line = 0;
		CHECK(memcmp(&x, &cand[i], sizeof(x)) == 0);
	}
	CHECK(back.media.nfp == fps);
	for (unsigned int i = 0; i < fps; i++)
		CHECK(certfp_equal(&back.media.fp[i], &m->fp[i]));
	CHECK(back.media.setup == o.setup);
	CHECK(strcmp(back.media.tls_id, m->tls_id) == 0 && strcmp(back.media.mid, m->mid) == 0);
	explicit_bzero(out, sizeof(out));
	explicit_bzero(&back, sizeof(back));
}

/* Each payload type's a=rtpmap as sdp_codec.c reads it from the codec
 * lines kept (RFC 8866 section 6.6): a name read NUL-terminated with its
 * rate and channels above 0, none read "" with channels 1; its key a
 * number only for a payload type that has no name to go by (its own
 * number), else the top bit set; one codec, and as supplemental, whatever
 * the case of its name; its words within any buffer (a heap one of
 * exactly its size, so ASan sees a write past it). */
static void
codecs(const struct sdp_media *m)
{
	for (unsigned int i = 0; i < m->npt; i++) {
		struct sdp_rtpmap c, u;
		struct sdp_wbuf w;
		size_t size = m->pt[i] % 24u;
		char *buf = malloc(size > 0 ? size : 1);
		int rc = sdp_rtpmap_of(m, m->pt[i], &c);
		uint32_t key = sdp_codec_key(&c);

		CHECK(buf != NULL);
		CHECK(rc == 0 || rc == -ENOENT || rc == -EINVAL);
		CHECK(c.pt == m->pt[i] && memchr(c.name, '\0', sizeof(c.name)) != NULL);
		if (rc == 0)
			CHECK(c.name[0] != '\0' && c.rate > 0 && c.channels > 0);
		else
			CHECK(c.name[0] == '\0' && c.rate == 0 && c.channels == 1);
		CHECK(key == c.pt || (key & 0x80000000u));
		u = c;
		for (char *q = u.name; *q != '\0'; q++)
			if (*q >= 'a' && *q <= 'z')
				*q = (char)(*q - 'a' + 'A');
		CHECK(sdp_codec_key(&u) == key);
		CHECK(sdp_codec_supplemental(&u) == sdp_codec_supplemental(&c));
		sdp_wbuf_init(&w, buf, size);
		sdp_rtpmap_put(&w, &c);
		CHECK(w.over || (w.n < size && strlen(buf) == w.n));
		free(buf);
	}
}

static void
media_bounds(const struct sdp_media *m)
{
	size_t u = strlen(m->ice.ufrag), p = strlen(m->ice.pwd), t = strlen(m->tls_id);

	CHECK((u == 0) == (p == 0));
	CHECK(u == 0 || (u >= 4 && u <= 256 && p >= 22 && p <= 256));
	CHECK(t == 0 || (t >= 20 && t <= 255));
	CHECK(strlen(m->mid) < SDP_MID_MAX);
	CHECK(m->ice.ncand <= SDP_CAND_MAX && m->nextmap <= SDP_EXTMAP_MAX &&
	      m->nssrc <= SDP_SSRC_MAX);
	for (unsigned int i = 0; i < m->ice.ncand; i++) {
		const struct sdp_candidate *c = &m->ice.cand[i];

		CHECK(c->component >= 1 && c->component <= 256);
		CHECK(c->priority >= 1 && c->priority <= 0x7fffffffu);
		CHECK(c->foundation[0] != '\0' && strlen(c->foundation) <= 32);
		CHECK(c->addr.kind == SDP_ADDR_IP || c->addr.kind == SDP_ADDR_FQDN);
		CHECK((c->addr.kind == SDP_ADDR_FQDN) == (c->name[0] != '\0'));
	}
	for (unsigned int i = 0; i < m->nextmap; i++) {
		CHECK(m->extmap[i].id >= 1 && m->extmap[i].id <= 4351);
		CHECK(m->extmap[i].id <= 255 || m->extmap[i].id >= 4096);
		for (unsigned int k = 0; k < i; k++)
			CHECK(m->extmap[k].id != m->extmap[i].id);
	}
	CHECK(!sdp_proto_dtls((enum sdp_proto)m->proto) || m->setup != SDP_SETUP_HOLDCONN);
	if (sdp_proto_dtls((enum sdp_proto)m->proto)) {
		struct sdp_error e;
		int rc = sdp_dtls_fp(m, false, &e);

		CHECK(rc > 0 || e.code == SDP_E_NO_FINGERPRINT || e.code == SDP_E_FP_WEAK);
	}
	codecs(m);
}

/* The whole description, every section (a browser's offer). */
static void
whole(const char *s, size_t size)
{
	static struct sdp_desc d;
	struct sdp_error e;
	int rc = sdp_parse_desc(s, size, &d, &e);

	if (rc < 0) {
		check_error(rc, &e);
		CHECK(d.nmedia == 0 && d.s.nlines == 0 && d.s.ngroup == 0);
		return;
	}
	CHECK(d.nmedia <= SDP_SECTIONS_MAX && !d.s.has_media && d.s.ngroup <= SDP_GROUP_MAX);
	for (unsigned int i = 0; i < d.nmedia; i++) {
		const struct sdp_media *m = &d.media[i];

		media_bounds(m);
		CHECK(m->bundle <= d.s.ngroup);
		if (m->bundle > 0) {
			const struct sdp_group *g = &d.s.group[m->bundle - 1];
			bool named = false;

			for (unsigned int t = 0; t < g->ntag; t++)
				named = named || strcmp(g->tag[t], m->mid) == 0;
			CHECK(named);
		}
		for (unsigned int k = 0; k < i; k++)
			CHECK(m->mid[0] == '\0' || strcmp(m->mid, d.media[k].mid) != 0);
		webrtc_round_trip(m);
	}
	for (unsigned int g = 0; g < d.s.ngroup; g++)
		for (unsigned int t = 0; t < d.s.group[g].ntag; t++) {
			bool found = false;

			for (unsigned int i = 0; i < d.nmedia; i++)
				found = found || (strcmp(d.media[i].mid, d.s.group[g].tag[t]) == 0 &&
						  d.media[i].bundle == g + 1);
			CHECK(found);
		}
	explicit_bzero(&d, sizeof(d));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out1[8192], out2[8192];
	char *s = malloc(size > 0 ? size : 1);
	struct sdp d, back, again;
	struct sdp_answer a, b;
	struct sdp_error e;
	int rc, n1, n2;

	CHECK(s != NULL);
	memcpy(s, data, size);
	whole(s, size);
	rc = sdp_parse(s, size, &d, &e);
	free(s);
	if (rc < 0) {
		static const struct sdp zero;

		check_error(rc, &e);
		CHECK(memcmp(&d, &zero, sizeof(d)) == 0);
		return 0;
	}
	media_bounds(&d.media);
	CHECK(e.code == SDP_OK && e.msg[0] == '\0');
	CHECK(d.nlines >= 1 && d.nlines <= SDP_LINES_MAX);
	CHECK(d.media.nfp <= SDP_FP_MAX);
	for (unsigned int i = 0; i < d.media.nfp; i++)
		CHECK(d.media.fp[i].len == certfp_alg_len((enum certfp_alg)d.media.fp[i].alg) &&
		      d.media.fp[i].len > 0);

	CHECK(d.media.ncrypto <= SDP_CRYPTO_MAX && d.media.npt <= SDP_PT_MAX);
	CHECK(strlen(d.media.codec) < SDP_CODEC_MAX);
	for (unsigned int i = 0; i < d.media.ncrypto; i++) {
		const struct sdp_crypto *c = &d.media.crypto[i];

		CHECK(c->key_len == 0 || c->key_len == sdp_suite_key_len((enum sdp_suite)c->suite));
		CHECK(c->suite != SDP_SUITE_OTHER || c->unusable != NULL);
		CHECK(c->mki_len <= 4 && c->lifetime <= (UINT64_C(1) << 48));
	}

	derive(&d, NULL, 0);
	derive(NULL, &d, 0);
	derive(NULL, &d, SDP_REMOTE_OFFER | SDP_PREFER_CLIENT);
	derive(&d, &d, SDP_REMOTE_ANSWER);
	derive_rtp(&d, NULL, 0, 0);
	derive_rtp(NULL, &d, 0, 0);
	derive_rtp(&d, &d, 0, 0);
	derive_rtp(NULL, &d, SDP_SUITE_BIT(SDP_SUITE_AES_CM_128_HMAC_SHA1_80) |
			     SDP_SUITE_BIT(SDP_SUITE_AEAD_AES_128_GCM), 0);
	derive_rtp(NULL, &d, 0, SDP_RTP_TAKE_DTLS);
	derive_rtp(&d, &d, 0, SDP_RTP_TAKE_DTLS);
	rtp_round_trip(&d);

	if (!answer_of(&d, &a))
		return 0;
	n1 = sdp_write(&a, out1, sizeof(out1));
	if (n1 < 0) {
		/* only a value the writer cannot take back is refused */
		CHECK(n1 == -EINVAL);
		return 0;
	}
	CHECK((size_t)n1 == strlen(out1));
	rc = sdp_parse(out1, (size_t)n1, &back, &e);
	if (rc < 0)
		fprintf(stderr, "written:\n%s\nrefused: %s\n", out1, e.msg);
	CHECK(rc == 0);
	CHECK(back.media.proto == a.proto && back.media.type == a.media);
	CHECK(back.media.port == a.port);
	CHECK(back.media.setup == a.setup);
	CHECK(back.media.addr.kind == SDP_ADDR_IP && back.media.addr.family == a.family);
	CHECK(memcmp(back.media.addr.ip, a.ip, 16) == 0);
	CHECK(strcmp(back.media.fmt, a.fmt) == 0);
	CHECK(strcmp(back.media.path, a.path != NULL ? a.path : "") == 0);
	CHECK(back.media.nfp == a.nfp);
	for (unsigned int i = 0; i < a.nfp; i++)
		CHECK(certfp_equal(&back.media.fp[i], &a.fp[i]));
	/* what was read back writes the same bytes */
	CHECK(answer_of(&back, &b));
	b.sess_id = a.sess_id;
	b.sess_version = a.sess_version;
	b.connection = a.connection == SDP_CONNECTION_NONE ? SDP_CONNECTION_NEW : a.connection;
	n2 = sdp_write(&b, out2, sizeof(out2));
	CHECK(n2 == n1 && memcmp(out1, out2, (size_t)n1) == 0);
	CHECK(sdp_parse(out2, (size_t)n2, &again, NULL) == 0);
	CHECK(memcmp(&again.media, &back.media, sizeof(back.media)) == 0);
	return 0;
}
