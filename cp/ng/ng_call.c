/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng's calls onto cp/agw's RTP contexts (FEATURE.md "Calls"). A call is
 * its call-id; side A is the first offer's sender (its from-tag), side B
 * the answerer (the answer's to-tag). Each m= section that is RTP is one
 * context: term[0] faces A, term[1] faces B. An offer makes the context
 * with A's termination as A's SDP says and B's holding B's ports until
 * B's answer says who B is (nothing sent there; B's early media taken and
 * relayed to A when B is offered plain RTP: early()); the answer makes
 * B's termination what B's SDP says. A
 * later offer from either side (a re-INVITE) changes the offerer's
 * termination, its answer the other's. What cp/agw cannot change in
 * place (the profile, rtcp-mux, the SRTP keys) is a subtraction and an
 * addition on the same ports, so the SDP already sent stays true.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "bencode.h"
#include "cp.h"
#include "agw/cp_agw.h"
#include "ng_internal.h"
#include "tp_siphash.h"
#include "tp_conf.h"
#include "tp_log.h"
#include "agw/cp_agw_rtp_key.h"

_Static_assert(TP_CONF_NG_PROTO_MAX == NG_SDP_NAME_MAX, "ng.pass_through's names are m= protos");

/* ng.timeout: silence on both sides of every stream before a call ends */
#define NG_TIMEOUT_MS(g) ((uint32_t)(g)->conf->timeout * 1000u)

/* the suites dp's SRTP takes (dp/rtp/FEATURE.md) */
#define NG_SUITES (SDP_SUITE_BIT(SDP_SUITE_AES_CM_128_HMAC_SHA1_80) | \
		   SDP_SUITE_BIT(SDP_SUITE_AES_CM_128_HMAC_SHA1_32) | \
		   SDP_SUITE_BIT(SDP_SUITE_AES_256_CM_HMAC_SHA1_80) | \
		   SDP_SUITE_BIT(SDP_SUITE_AES_256_CM_HMAC_SHA1_32) | \
		   SDP_SUITE_BIT(SDP_SUITE_AEAD_AES_128_GCM) | \
		   SDP_SUITE_BIT(SDP_SUITE_AEAD_AES_256_GCM))

/* ---- the call table ---- */

static uint64_t
call_hash(const struct cp_ng *g, const char *id)
{
	size_t n = strnlen(id, NG_LABEL_MAX - 1);

	return tp_siphash24(g->hkey, id, n);
}

static struct ng_call *
call_find(const struct cp_ng *g, const char *id)
{
	uint64_t h = call_hash(g, id);

	for (struct ng_call *c = g->bucket[h & (g->nbuckets - 1u)]; c != NULL; c = c->hnext)
		if (c->hash == h && strcmp(c->call_id, id) == 0)
			return c;
	return NULL;
}

/* The list of calls to end at their delete_at_ms: a call leaves it in
 * O(1) (an answer, a delete), not by a walk of every call on it. */
static void
dl_add(struct cp_ng *g, struct ng_call *c)
{
	c->dnext = g->dlist;
	if (g->dlist != NULL)
		g->dlist->dprev = &c->dnext;
	g->dlist = c;
	c->dprev = &g->dlist;
}

static void
dl_del(struct ng_call *c)
{
	if (c->dprev == NULL)
		return;
	*c->dprev = c->dnext;
	if (c->dnext != NULL)
		c->dnext->dprev = c->dprev;
	c->dprev = NULL;
	c->dnext = NULL;
}

static void
call_unlink(struct cp_ng *g, struct ng_call *c)
{
	struct ng_call **p = &g->bucket[c->hash & (g->nbuckets - 1u)];

	for (; *p != NULL; p = &(*p)->hnext)
		if (*p == c) {
			*p = c->hnext;
			g->ncalls--;
			break;
		}
	dl_del(c);
}

/* Every context of c released, c gone. */
static void
call_free(struct cp_ng *g, struct ng_call *c)
{
	char err[160];

	call_unlink(g, c);
	for (unsigned int i = 0; i < c->nstreams; i++)
		if (c->s[i].ctx != 0 && cp_agw_release(g->cp, &g->who, c->s[i].ctx, err,
							   sizeof(err)) < 0 &&
		    cp_agw_lookup(g->cp, &g->who, c->s[i].ctx) != NULL)
			tp_log(TP_LOG_WARNING, "ng: call %.64s: context %#llx not released: %s",
			       c->call_id, (unsigned long long)c->s[i].ctx, err);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

static void
delete_at(struct cp_ng *g, struct ng_call *c, uint64_t at_ms)
{
	if (c->dprev == NULL)
		dl_add(g, c);
	c->delete_at_ms = at_ms;
}

static void
delete_cancel(struct cp_ng *g, struct ng_call *c)
{
	(void)g;
	dl_del(c);
	c->delete_at_ms = 0;
}

static bool
has_ctx(const struct ng_call *c)
{
	for (unsigned int i = 0; i < c->nstreams; i++)
		if (c->s[i].ctx != 0)
			return true;
	return false;
}

/* An offer's call not answered within this is dropped, as rtpengine's
 * offer-timeout does. */
#define NG_OFFER_TIMEOUT_MS 3600000u

static struct ng_call *
call_new(struct cp_ng *g, const struct ng_req *r)
{
	struct ng_call *c;

	if (g->ncalls >= g->calls_max)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	snprintf(c->call_id, sizeof(c->call_id), "%s", r->call_id);
	snprintf(c->tag[0], sizeof(c->tag[0]), "%s", r->from_tag);
	snprintf(c->label, sizeof(c->label), "%s", r->label);
	c->hash = call_hash(g, c->call_id);
	c->created_wall_ms = g->cp->wall_ms;
	c->last_ms = g->cp->now_ms;
	c->hnext = g->bucket[c->hash & (g->nbuckets - 1u)];
	g->bucket[c->hash & (g->nbuckets - 1u)] = c;
	g->ncalls++;
	delete_at(g, c, g->cp->now_ms + NG_OFFER_TIMEOUT_MS);
	c->timed = 1;
	return c;
}

/* The call and stream of context x (an event's), or NULL. */
static struct ng_call *
call_of_ctx(const struct cp_ng *g, const struct cp_agw_ctx *x, unsigned int *si)
{
	uint64_t h = tp_siphash24(g->hkey, x->label, strnlen(x->label, sizeof(x->label)));

	for (struct ng_call *c = g->bucket[h & (g->nbuckets - 1u)]; c != NULL; c = c->hnext) {
		if (c->hash != h)
			continue;
		for (unsigned int i = 0; i < c->nstreams; i++)
			if (c->s[i].ctx == x->id) {
				*si = i;
				return c;
			}
	}
	return NULL;
}

/* ---- one termination from a section ---- */

/* dp's profile of an m= proto: DTLS-SRTP's are SRTP's, keyed by the
 * handshake (ng_dtls.c). */
static uint8_t
profile_of(uint8_t proto)
{
	switch (proto) {
	case SDP_PROTO_RTP_AVP: return IPC_RTP_AVP;
	case SDP_PROTO_RTP_AVPF: return IPC_RTP_AVPF;
	case SDP_PROTO_RTP_SAVP: return IPC_RTP_SAVP;
	case SDP_PROTO_RTP_SAVPF: return IPC_RTP_SAVPF;
	case SDP_PROTO_UDP_TLS_RTP_SAVP: return IPC_RTP_SAVP;
	case SDP_PROTO_UDP_TLS_RTP_SAVPF: return IPC_RTP_SAVPF;
	default: return IPC_RTP_NONE;
	}
}

static bool
proto_dtls(uint8_t proto)
{
	return sdp_proto_dtls((enum sdp_proto)proto);
}

/* A side speaks SDES (a=crypto): SRTP not keyed by DTLS. */
static bool
proto_sdes(uint8_t proto)
{
	return proto == SDP_PROTO_RTP_SAVP || proto == SDP_PROTO_RTP_SAVPF;
}

static const char *
profile_name(uint8_t p)
{
	static const char *const n[] = { "", "RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF" };

	return p <= IPC_RTP_PROFILE_MAX ? n[p] : "";
}

static bool
profile_srtp(uint8_t p)
{
	return p == IPC_RTP_SAVP || p == IPC_RTP_SAVPF;
}

static bool
zero(const uint8_t *p, size_t n)
{
	uint8_t o = 0;

	for (size_t i = 0; i < n; i++)
		o |= p[i];
	return o == 0;
}

/* The first a=crypto line of md that dp can take (RFC 4568 section
 * 5.1.2: the answerer takes the first it supports), or NULL. */
static const struct sdp_crypto *
crypto_pick(const struct sdp_media *md, uint32_t want_tag)
{
	for (unsigned int i = 0; i < md->ncrypto; i++) {
		const struct sdp_crypto *c = &md->crypto[i];

		if (c->unusable != NULL || (SDP_SUITE_BIT(c->suite) & NG_SUITES) == 0 ||
		    c->key_len == 0)
			continue;
		if (want_tag != UINT32_MAX && c->tag != want_tag)
			continue;
		return c;
	}
	return NULL;
}

/* Does section md of the request's SDP have the attribute line `line`
 * (exactly, or followed by ':')? */
static bool
section_has(const struct ng_sdp *in, const struct ng_sdp_media *md, const char *line)
{
	size_t n = strlen(line);

	for (unsigned int l = md->first_line; l < (unsigned int)md->first_line + md->nlines &&
	     l < in->nlines; l++)
		if (in->line_len[l] >= n && memcmp(in->text + in->line_off[l], line, n) == 0 &&
		    (in->line_len[l] == n || in->text[in->line_off[l] + n] == ':'))
			return true;
	return false;
}

/*
 * The latching a side's termination takes from the message whose SDP is
 * that side's (rtpengine's flags apply to its sender's stream): ng has no
 * gm, so by default a latched source never moves (IPC_RTP_LATCH_STRICT):
 * dp's relatch rule would give a stream silent for agw.media_relatch (a
 * hold, a mute) to the first packet from anywhere. strict-source says so
 * again (and wins over media-handover given with it: rtpengine calls the
 * two exclusive); media-handover takes a new source at once; asymmetric
 * and endpoint-learning=off learn nothing (with strict-source: only the
 * signalled address is heard); endpoint-learning=heuristic binds the
 * latch to the signalled address.
 */
static uint8_t
latch_of(const struct ng_req *r)
{
	unsigned int l = NG_LATCH_DEFAULT;

	if ((r->flags & NG_F_ASYMMETRIC) || r->learning == NG_LEARN_OFF)
		l = IPC_RTP_LATCH_OFF |
		    ((r->flags & NG_F_STRICT_SOURCE) ? IPC_RTP_LATCH_SIGNALLED : 0);
	else if (r->flags & NG_F_STRICT_SOURCE)
		l = IPC_RTP_LATCH_STRICT;
	else if (r->flags & NG_F_MEDIA_HANDOVER)
		l = IPC_RTP_LATCH_HANDOVER;
	if (r->learning == NG_LEARN_HEURISTIC)
		l |= IPC_RTP_LATCH_SIGNALLED;
	return (uint8_t)l;
}

/* The termination of a side as its own SDP section md says: its profile,
 * remote, RTCP, the key it sends with. side's local address and ports are
 * left to the caller. */
static int
term_from(const struct ng_req *r, const struct ng_sdp *in, const struct ng_sdp_media *md, bool mux,
	  uint32_t want_tag, struct ipc_rtp_term *t, uint32_t *tag, char *err, size_t errlen)
{
	const struct sdp_media *m = &md->m;
	const uint8_t *ip = m->addr.ip;
	uint8_t fam = m->addr.family;

	memset(t, 0, sizeof(*t));
	t->profile = profile_of(m->proto);
	t->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	t->latch = latch_of(r);
	if (mux)
		t->flags |= IPC_RTP_F_MUX;
	/* RFC 5506: a side that offers or answers a=rtcp-rsize sends
	 * reduced-size RTCP, which dp otherwise counts malformed */
	if (in != NULL && section_has(in, md, "a=rtcp-rsize"))
		t->flags |= IPC_RTP_F_RSIZE;
	t->clock_hz = sdp_rtp_clock(m);
	if (r->flags & NG_F_SIP_SOURCE) {
		ip = r->received_addr;
		fam = r->received_family;
	}
	/* c=IN IP4 0.0.0.0 (RFC 2543's hold) or a name: no address to send
	 * to until a packet latches one */
	if (m->addr.kind == SDP_ADDR_IP && !zero(ip, fam == AF_INET6 ? 16 : 4)) {
		t->remote.family = fam == AF_INET6 ? 6 : 4;
		memcpy(t->remote.ip, ip, fam == AF_INET6 ? 16 : 4);
		t->remote.port = m->port;
		if (!mux && m->rtcp_port != 0 && m->rtcp_port != m->port + 1u)
			t->remote_rtcp = m->rtcp_port;
	}
	if (proto_sdes(m->proto)) {
		const struct sdp_crypto *c = crypto_pick(m, want_tag);

		if (c == NULL) {
			snprintf(err, errlen, "No usable a=crypto line in the %s section (%s)",
				 profile_name(t->profile), want_tag != UINT32_MAX ?
				 "none with the tag offered" :
				 "AES_CM_128 or AES_256_CM with HMAC_SHA1_80 or _32, "
				 "AEAD_AES_128_GCM or AEAD_AES_256_GCM");
			return -EINVAL;
		}
		cp_agw_rtp_key_of(&t->srtp_rx, c);
		*tag = c->tag;
	}
	return 0;
}

static void
local_of(const struct cp_agw_ctx *x, unsigned int side, const struct ng_req *r,
	 struct ng_sdp_out_media *o)
{
	const struct ipc_rtp_term *t = &x->rtp.term[side];

	if (r->has_media_addr) {
		o->family = r->media_addr_family;
		memcpy(o->ip, r->media_addr, 16);
	} else {
		o->family = t->local.family == 6 ? AF_INET6 : AF_INET;
		memcpy(o->ip, t->local.ip, 16);
	}
	o->port = t->local.port;
	o->rtcp_port = (t->flags & IPC_RTP_F_MUX) ? t->local.port : t->rtcp_port;
}

/* cp/agw's refusal (rc, its sentence err) as ng's error-reason: what the
 * door was doing, or, for an SRTP key the keys rule refuses (an a=crypto
 * key equal to another of the call's stream, or one it used before: RFC
 * 3711 section 9.1), that the key is one used already, in rtpengine's
 * manner of a short phrase first. */
static int
agw_err(int rc, const char *what, const char *err, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s: %s", rc == -EKEYREJECTED ? "SDES key reused" : what, err);
	return rc;
}

static bool
key_eq(const struct ipc_srtp_key *a, const struct ipc_srtp_key *b)
{
	return a->suite == b->suite && a->key_len == b->key_len && a->mki_len == b->mki_len &&
	       a->mki == b->mki && memcmp(a->key, b->key, a->key_len) == 0;
}

/* Side `side` of stream st becomes want: modified in place when cp/agw
 * can (SRTP or not as before, DTLS-SRTP or not as before, the same
 * rtcp-mux and our key: dp relays
 * RTP/SAVP and RTP/SAVPF alike, and RTP/AVP and RTP/AVPF, so the
 * termination keeps the profile it was made with; a new key of the
 * remote's is a rekey in place), else subtracted and added again on its
 * ports. want's local is ignored (the side's). tx: our key (NULL: cp/agw
 * makes one). A re-add is asked of cp/agw's keys rule first
 * (cp_agw_rtp_keys_check()), so that a refused one leaves the side as it
 * was: it starts our send context over at index 0 (a two-time pad, RFC
 * 3711 §9.1), so our key the side holds (an rtcp-mux change the side
 * already has our key for) may not come back; the remote's key going on
 * may (the sender's keystream: its new receive context starts from
 * where cp/agw last heard it, cp_agw_rtp_key_at()). dtls: the side's
 * DTLS-SRTP as its SDP says it (setup OFF, or NULL: none), passed to
 * cp/agw whole (its rule keeps the association or starts a new one). */
static int
side_apply(struct cp_ng *g, struct ng_stream *st, unsigned int side,
	   const struct ipc_rtp_term *want, const struct ipc_srtp_key *tx,
	   const struct cp_agw_rtp_dtls *dtls, const struct cp_agw_rtp_bundle *bdl, char *err,
	   size_t errlen)
{
	struct cp_agw_ctx *x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	struct cp_agw_spec sp;
	struct cp_agw_rtp_mod m;
	const struct ipc_rtp_term *cur;
	char e[200];
	unsigned int got;
	bool want_dtls;
	int rc;

	if (x == NULL)
		return agw_err(-ENOENT, "Media context gone", "released", err, errlen);
	cur = &x->rtp.term[side];
	/* what every modify carries of want: its mode, reduced-size RTCP,
	 * inactivity, clock and BUNDLE (a section's payload types and SSRCs) */
	memset(&m, 0, sizeof(m));
	m.mode_set = true;
	m.mode = want->mode;
	m.rsize_set = true;
	m.rsize = (want->flags & IPC_RTP_F_RSIZE) != 0;
	m.inact_set = true;
	m.inact_ms = want->inact_ms;
	m.clock_set = true;
	m.clock_hz = want->clock_hz;
	m.bundle = bdl;
	/* a BUNDLE member's transport is its owner's (its remote, latching,
	 * ICE, DTLS-SRTP and keys): only that changes, in place */
	if (st->bdl_role == NG_BDL_MEMBER && st->bdl_side == side) {
		rc = cp_agw_modify(g->cp, &g->who, st->ctx, side,
				   &(struct cp_agw_mod){ .kind = CP_AGW_KIND_RTP, .rtp = m }, e,
				   sizeof(e));
		return rc < 0 ? agw_err(rc, "Media not changed", e, err, errlen) : 0;
	}
	want_dtls = dtls != NULL && dtls->setup != CP_AGW_DTLS_OFF;
	if (profile_srtp(cur->profile) == profile_srtp(want->profile) &&
	    (cur->flags & IPC_RTP_F_MUX) == (want->flags & IPC_RTP_F_MUX) &&
	    (x->rtp.dtls[side].setup != 0) == want_dtls &&
	    (tx == NULL || key_eq(tx, &cur->srtp_tx))) {
		m.remote = &want->remote;
		m.remote_rtcp_set = true;
		m.remote_rtcp = want->remote_rtcp;
		m.latch_set = true;
		m.latch = want->latch;
		/* a new key of the remote's (a rekeying re-INVITE): ours goes
		 * on, the remote's stream too under its new key; DTLS-SRTP's
		 * keys are the handshake's, the association cp/agw's to keep */
		if (want_dtls)
			m.dtls = dtls;
		else if (profile_srtp(want->profile) && key_eq(&want->srtp_rx, &cur->srtp_rx))
			m.srtp_rx = &want->srtp_rx;
		else if (profile_srtp(want->profile))
			m.srtp_rx_new = &want->srtp_rx;
		rc = cp_agw_modify(g->cp, &g->who, st->ctx, side,
				   &(struct cp_agw_mod){ .kind = CP_AGW_KIND_RTP, .rtp = m }, e,
				   sizeof(e));
		return rc < 0 ? agw_err(rc, "Media not changed", e, err, errlen) : 0;
	}
	memset(&sp, 0, sizeof(sp));
	sp.kind = CP_AGW_KIND_RTP;
	sp.rtp.term = *want;
	sp.rtp.side = st->side[side];
	sp.rtp.term.local = cur->local;
	/* its ICE as it is: our credentials the peer holds, its ufrag (the
	 * new termination waits for the peer's next check to send again) */
	sp.rtp.term.ice = cur->ice;
	if (!(want->flags & IPC_RTP_F_MUX))
		sp.rtp.term.rtcp_port = cur->rtcp_port != 0 ? cur->rtcp_port :
				    (uint16_t)(cur->local.port + 1u);
	/* (an owner stays one: cp/agw refuses its subtraction under live
	 * members, and one alone is added again as the group's) */
	if (bdl != NULL)
		sp.rtp.bundle = *bdl;
	if (want_dtls)
		sp.rtp.dtls = *dtls;
	else if (tx != NULL)
		sp.rtp.term.srtp_tx = *tx;
	else if (profile_srtp(want->profile))
		sp.rtp.term.srtp_tx.suite = want->srtp_rx.suite;
	/* (the remote's stream under its new key: the ROC from where it was
	 * last heard, RFC 3711 §3.3.1; SRTCP's index from any) */
	if (profile_srtp(cur->profile) && x->rtp.dtls[side].setup == 0 &&
	    profile_srtp(want->profile) && !want_dtls)
		cp_agw_rtp_key_at(&sp.rtp.term.srtp_rx, &x->rtp.st[side].srtp_rx, false);
	rc = cp_agw_rtp_keys_check(g->cp, &g->who, st->ctx, side, &sp.rtp.term, e, sizeof(e));
	if (rc == 0)
		rc = cp_agw_subtract(g->cp, &g->who, st->ctx, side, e, sizeof(e));
	if (rc == 0)
		rc = cp_agw_add(g->cp, &g->who, st->ctx, side, &sp, CP_AGW_SETUP_DEFAULT, &got, e,
				sizeof(e));
	explicit_bzero(&sp, sizeof(sp));
	return rc < 0 ? agw_err(rc, "Media not changed", e, err, errlen) : 0;
}

/* Our key for a side we offer SRTP to before it answered. */
static int
offer_key(struct ng_stream *st, unsigned int side, uint8_t suite)
{
	struct ipc_srtp_key *k = &st->offer_tx;
	unsigned int n = sdp_suite_key_len((enum sdp_suite)suite);

	memset(k, 0, sizeof(*k));
	if (n == 0 || n > IPC_SRTP_KEY_MAX || getrandom(k->key, n, 0) != (ssize_t)n)
		return -EIO;
	k->suite = suite;
	k->key_len = (uint8_t)n;
	st->offer_tx_side = (uint8_t)side;
	st->has_offer_tx = 1;
	return 0;
}

/* ---- early media: the answerer's termination before its answer ---- */

/*
 * The answerer's termination t before its answer (FEATURE.md "Early
 * media"), its ports held. rtpengine relays what reaches the answerer's
 * port before the answer to the offerer; so does this one, with
 * ng.early_media (the default), when the profile offered to the answerer
 * (pprof) is plain RTP: it takes what its network sends (RECV; never
 * SEND, nothing goes to an answerer no answer named) and latches it as
 * the offerer's termination does (the first source; the answer's remote
 * then starts latching over, dp's rule for a new remote). An answerer
 * offered SRTP sends under a key its answer brings, so nothing it sends
 * before can be authenticated: the termination stays inactive, as one
 * with ng.early_media off (rtpengine drops that SRTP too: no crypto
 * negotiated). of: the offerer's termination as the request made it.
 */
static void
early(const struct cp_ng *g, const struct ng_req *r, uint8_t pprof,
      const struct ipc_rtp_term *of, struct ipc_rtp_term *t)
{
	t->mode = 0;
	t->flags = 0;
	t->latch = IPC_RTP_LATCH_OFF;
	if (!g->conf->early_media || profile_srtp(pprof))
		return;
	t->mode = IPC_RTP_MODE_RECV;
	t->latch = latch_of(r);
	/* (the offer's codecs: what the answerer sends is one of them) */
	t->clock_hz = of->clock_hz;
}

/* A re-offer before the answer: the answerer's termination as early()
 * says for what the re-offer offers it now (the profile may have
 * changed: transport-protocol). */
static int
early_again(struct cp_ng *g, struct ng_stream *st, unsigned int p, const struct ng_req *r,
	    uint8_t pprof, const struct ipc_rtp_term *of, char *err, size_t errlen)
{
	struct ipc_rtp_term t;
	struct cp_agw_rtp_mod m;
	char e[200];
	int rc;

	memset(&t, 0, sizeof(t));
	early(g, r, pprof, of, &t);
	memset(&m, 0, sizeof(m));
	m.mode_set = true;
	m.mode = t.mode;
	m.latch_set = true;
	m.latch = t.latch;
	m.clock_set = true;
	m.clock_hz = t.clock_hz;
	rc = cp_agw_modify(g->cp, &g->who, st->ctx, p,
			   &(struct cp_agw_mod){ .kind = CP_AGW_KIND_RTP, .rtp = m }, e, sizeof(e));
	return rc < 0 ? agw_err(rc, "Media not changed", e, err, errlen) : 0;
}

/* ---- offer and answer ---- */

static uint8_t
rtp_side(uint8_t n)
{
	return n == NG_SIDE_ACCESS ? CP_AGW_RTP_SIDE_ACCESS :
	       n == NG_SIDE_CORE ? CP_AGW_RTP_SIDE_CORE : CP_AGW_RTP_SIDE_ROUTE;
}

/* The rewrite's flags: the sender's ICE lines always removed from what we
 * relay (its candidates passed on would let the media go around the
 * gateway; ours go in their place when ng_ice.c says) */
static unsigned int
rw_flags(const struct ng_req *r)
{
	return NG_SDP_ICE_REMOVE |
	       ((r->flags & NG_F_REPLACE_ORIGIN) ? NG_SDP_REPLACE_ORIGIN : 0) |
	       ((r->flags & NG_F_REPLACE_SESS_C) ? NG_SDP_REPLACE_SESS_C : 0);
}

/* A stream's section passed on as it came, its context (if any) ended. */
static void
stream_end(struct cp_ng *g, struct ng_stream *st, struct ng_sdp_out_media *out)
{
	char e[160];

	if (st->ctx != 0)
		(void)cp_agw_release(g->cp, &g->who, st->ctx, e, sizeof(e));
	st->ctx = 0;
	out->keep = true;
}

/* May our a=crypto to an offer's receiver be of suite k, as r says?
 * SDES-only-<suite> names the suites that may (SDES-no- then passed over,
 * as rtpengine's docs say: only- takes precedence), else SDES-no- those
 * that may not; and dp's SRTP takes it. */
static bool
sdes_may(const struct ng_req *r, uint8_t k)
{
	if ((SDP_SUITE_BIT(k) & NG_SUITES) == 0)
		return false;
	if (r->sdes_only != 0)
		return (r->sdes_only & SDP_SUITE_BIT(k)) != 0;
	return (r->sdes_no & SDP_SUITE_BIT(k)) == 0;
}

/* The suite of our one a=crypto to a receiver offered SDES: the first
 * suite SDES-order: names that may be offered (rtpengine puts order:'s
 * suites at the top of its list: ours is one line, its top), else the
 * offerer's (suite; 0: it speaks no SDES), else the first of dp's suites
 * in this order; each only when sdes_may(). 0: none left. */
static uint8_t
sdes_suite(const struct ng_req *r, uint8_t suite)
{
	static const uint8_t order[] = {
		SDP_SUITE_AES_CM_128_HMAC_SHA1_80, SDP_SUITE_AES_CM_128_HMAC_SHA1_32,
		SDP_SUITE_AES_256_CM_HMAC_SHA1_80, SDP_SUITE_AES_256_CM_HMAC_SHA1_32,
		SDP_SUITE_AEAD_AES_128_GCM, SDP_SUITE_AEAD_AES_256_GCM,
	};

	for (unsigned int q = 0; q < r->sdes_norder; q++)
		if (sdes_may(r, r->sdes_order[q]))
			return r->sdes_order[q];
	if (suite != 0 && sdes_may(r, suite))
		return suite;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		if (sdes_may(r, order[k]))
			return order[k];
	return 0;
}

/* Can an offer's receiver be offered SDES (proto, its m= proto) as r
 * says? Before anything changes: SDES-off leaves it no keying (rtpengine
 * would offer DTLS-SRTP under RTP/SAVP instead: not here), SDES-no- may
 * leave no suite. 0, or -EINVAL with err. */
static int
sdes_ok(const struct ng_req *r, uint8_t proto, uint8_t sender_suite, char *err, size_t errlen)
{
	if (r->sdes_off) {
		snprintf(err, errlen, "SDES-off, and %s has no other keying here (DTLS-SRTP is "
			 "UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF)", sdp_proto_name(proto));
		return -EINVAL;
	}
	if (sdes_suite(r, sender_suite) == 0) {
		snprintf(err, errlen, "The SDES-%s flags leave no crypto suite to offer",
			 r->sdes_only != 0 ? "only-" : "no-");
		return -EINVAL;
	}
	return 0;
}

/* Our a=crypto line to receiver p of an offer (pprof SRTP, keyed by SDES):
 * the key it holds when it answered with the suite offered now, else a new
 * one (st->offer_tx, taken by its answer). sender_suite: the offerer's (0:
 * it speaks no SDES). */
static int
offer_crypto(struct cp_ng *g, struct ng_stream *st, unsigned int p, const struct ng_req *r,
	     uint8_t sender_suite, struct ng_sdp_out_media *out, struct sdp_crypto *cl, char *err,
	     size_t errlen)
{
	const struct cp_agw_ctx *x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	uint8_t suite = sdes_suite(r, sender_suite);

	if (x == NULL)
		return agw_err(-ENOENT, "Media context gone", "released", err, errlen);
	if (suite == 0)
		return -EINVAL;       /* (sdes_ok() said so first) */
	if (st->answered && profile_srtp(x->rtp.term[p].profile) && x->rtp.dtls[p].setup == 0 &&
	    x->rtp.term[p].srtp_tx.suite == suite) {
		cp_agw_rtp_crypto_of(cl, st->tag[p] != 0 ? st->tag[p] : 1, &x->rtp.term[p].srtp_tx);
	} else {
		if (offer_key(st, p, suite) < 0)
			return agw_err(-EIO, "No SRTP key", "getrandom() failed", err, errlen);
		cp_agw_rtp_crypto_of(cl, 1, &st->offer_tx);
	}
	out->crypto = cl;
	out->ncrypto = 1;
	return 0;
}

/*
 * The answerer's termination an offer makes (its ports held until its
 * answer says who it is): early() says its mode. Towards a DTLS-SRTP
 * receiver (pdtls) it is DTLS-SRTP's already, profile pprof with rtcp-mux,
 * our actpass offered (CP_AGW_DTLS_OFFER): the receiver may start its
 * handshake as soon as it has our offer, before its answer reaches the
 * door; dp takes it and verifies it once the answer brings its
 * fingerprints (cp/agw). Under rtcp-mux-require (mux) it is muxed
 * whatever its profile: one port, no RTCP port to fall back to.
 */
static void
placeholder(const struct cp_ng *g, const struct ng_req *r, uint8_t pprof, bool pdtls, bool mux,
	    const struct ipc_rtp_term *of, struct cp_agw_rtp_spec *sp)
{
	sp->term.profile = IPC_RTP_AVP;
	early(g, r, pprof, of, &sp->term);
	if (mux)
		sp->term.flags |= IPC_RTP_F_MUX;
	if (pdtls) {
		sp->term.profile = pprof;
		sp->term.flags |= IPC_RTP_F_MUX;
		sp->dtls.setup = CP_AGW_DTLS_OFFER;
	}
}

/* One section of an offer from side o: o's termination, the other's
 * ports, and what the section becomes for the other side. */
static int
offer_stream(struct cp_ng *g, struct ng_call *c, unsigned int i, unsigned int o,
	     const struct ng_req *r, const struct ng_sdp_media *md, struct ng_sdp_out_media *out,
	     struct sdp_crypto *cl, struct ng_webrtc_lines *il, char *err, size_t errlen)
{
	struct ng_stream *st = &c->s[i];
	unsigned int p = 1u - o;
	struct ipc_rtp_term want;
	struct ng_ice_peer sender;
	struct cp_agw_rtp_dtls sdtls;
	struct cp_agw_rtp_bundle bdl;
	struct cp_agw_ctx *x;
	uint8_t pprof, pproto;
	uint32_t tag = 0;
	bool omux, pmux, pdtls, preq;
	bool member = st->bdl_role == NG_BDL_MEMBER && st->bdl_side == o;
	bool pmember = st->bdl_role == NG_BDL_MEMBER && st->bdl_side == p;
	int rc;

	if (!md->relay || (md->m.port == 0 && !member)) {
		/* a stream refused or ended, or not RTP and named by
		 * ng.pass_through (offer_answer() checked): passed on as it
		 * is; its context (a stream the re-offer ends) ends. (A
		 * BUNDLE member of port 0 is a bundle-only section: offered,
		 * on its owner's transport, RFC 9143 section 7.2) */
		stream_end(g, st, out);
		return 0;
	}
	omux = md->m.rtcp_mux && !(r->flags & NG_F_MUX_REJECT);
	rc = ng_ice_peer_of(g, md, &sender, err, errlen);
	if (rc == 0)
		rc = ng_dtls_peer_of(g, r, md, true, &sdtls, err, errlen);
	if (rc == 0 && st->ctx != 0)
		ng_dtls_renew(st, o, r, &sender, &sdtls);
	if (rc == 0)
		rc = term_from(r, g->sdp, md, omux, UINT32_MAX, &want, &tag, err, errlen);
	if (rc < 0)
		return rc;
	if (want.profile == IPC_RTP_NONE)
		return -EINVAL;
	memset(&bdl, 0, sizeof(bdl));
	if (st->bdl_role != NG_BDL_NONE && st->bdl_side == o)
		ng_bundle_of(c, st, md, &bdl);
	/* a BUNDLE member: its owner's transport carries it (no remote, ICE,
	 * DTLS-SRTP or key of its own: cp/agw fills in the owner's suite);
	 * its sender's ICE is the owner's section's */
	if (member) {
		memset(&want.remote, 0, sizeof(want.remote));
		want.remote_rtcp = 0;
		explicit_bzero(&want.srtp_rx, sizeof(want.srtp_rx));
		sender.on = false;
	}
	/* what the receiver is offered: transport-protocol's, else what it
	 * answered before, else the offerer's own */
	pproto = r->transport != 0 ? r->transport :
		 st->ctx != 0 && st->answered ? st->proto[p] : md->m.proto;
	pprof = profile_of(pproto);
	pdtls = proto_dtls(pproto);
	if (pdtls && r->dtls == NG_DTLS_OFF) {
		snprintf(err, errlen, "DTLS=off, and transport-protocol %s is DTLS-SRTP's",
			 sdp_proto_name(pproto));
		return -EINVAL;
	}
	if (proto_sdes(pproto) &&
	    (rc = sdes_ok(r, pproto, proto_sdes(md->m.proto) ? want.srtp_rx.suite : 0, err,
			  errlen)) < 0)
		return rc;
	/* (cp/agw cannot change that in place, and the receiver heard our
	 * certificate, or none, already) */
	if (st->ctx != 0 && pdtls != proto_dtls(st->proto[p])) {
		snprintf(err, errlen, "%s turns DTLS-SRTP %s towards a side offered %s before: not "
			 "done (its termination would be made anew)", sdp_proto_name(pproto),
			 pdtls ? "on" : "off", sdp_proto_name(st->proto[p]));
		return -EOPNOTSUPP;
	}
	/* rtcp-mux is each leg's own: a side that agreed to it keeps it over
	 * a re-offer from the other side, whatever that side now offers;
	 * DTLS-SRTP here runs on one port: offered with rtcp-mux, and
	 * required (its answer without it is refused, ng_dtls.c), as
	 * rtcp-mux-require requires it of any receiver (answer_stream()) */
	preq = pdtls || (r->flags & NG_F_MUX_REQUIRE);
	if (st->ctx != 0 && st->answered)
		pmux = st->mux[p] || preq;
	else
		/* (as the offerer offered it: reject refuses it to the
		 * offerer only, as rtpengine's does) */
		pmux = (md->m.rtcp_mux && !(r->flags & NG_F_MUX_DEMUX)) ||
		       (r->flags & NG_F_MUX_OFFER) || pdtls;
	if (st->ctx == 0) {
		struct cp_agw_spec sp[2];
		char e[200];

		memset(sp, 0, sizeof(sp));
		sp[0].kind = sp[1].kind = CP_AGW_KIND_RTP;
		st->side[o] = rtp_side(r->dir[0]);
		st->side[p] = rtp_side(r->dir[1]);
		sp[o].rtp.term = want;
		sp[o].rtp.side = st->side[o];
		if (st->bdl_role != NG_BDL_NONE)
			sp[o].rtp.bundle = bdl;
		if (!member)
			sp[o].rtp.dtls = sdtls;
		if (proto_sdes(md->m.proto) && !member)
			sp[o].rtp.term.srtp_tx.suite = want.srtp_rx.suite;
		/* a DTLS-SRTP offerer doing ICE: its termination does ICE from
		 * now on (its checks come only after our answer, which gives it
		 * our credentials), so that dp starts no handshake towards an
		 * address no check has come from (the answer writes ours) */
		if (sdtls.setup != CP_AGW_DTLS_OFF && sender.on && !(r->flags & NG_F_ICE_REJECT)) {
			size_t n = strlen(sender.ufrag);

			sp[o].rtp.term.ice.mode = IPC_RTP_ICE_LITE;
			memcpy(sp[o].rtp.term.ice.peer_ufrag, sender.ufrag, n);
			sp[o].rtp.term.ice.peer_ufrag_len = (uint8_t)n;
		}
		/* the other side's ports, held until its answer names it;
		 * what reaches them meanwhile goes to the offerer when
		 * early() says */
		placeholder(g, r, pprof, pdtls, preq, &want, &sp[p].rtp);
		/* ours to the receiver: its termination does ICE from now on
		 * (cp/agw makes our credentials) */
		if (ng_ice_to(st, NULL, p, r, &sender))
			sp[p].rtp.term.ice.mode = IPC_RTP_ICE_LITE;
		sp[p].rtp.side = st->side[p];
		if (r->family == AF_INET6 || (r->family == 0 && want.remote.family == 6))
			sp[p].rtp.term.local.family = 6;
		else
			sp[p].rtp.term.local.family = 4;
		if (sp[o].rtp.term.remote.family == 0 && r->family == AF_INET6)
			sp[o].rtp.term.local.family = 6;
		/* the context's label is the call-id (its first 63 octets): the
		 * operator's agw list shows it, and an event finds its call by
		 * it (call_of_ctx()) */
		char label[NG_LABEL_MAX];

		snprintf(label, sizeof(label), "%.*s", (int)sizeof(label) - 1, c->call_id);
		rc = cp_agw_create(g->cp, sp, CP_AGW_SETUP_DEFAULT, label, CP_AGW_DOOR_NG,
				   g->who.tenant, &x, e, sizeof(e));
		explicit_bzero(sp, sizeof(sp));
		if (rc < 0)
			return agw_err(rc, "No media context", e, err, errlen);
		st->ctx = x->id;
		st->answered = 0;
		st->media = md->m.type;
		st->fp_alg[0] = st->fp_alg[1] = 0;
	} else {
		x = cp_agw_lookup(g->cp, &g->who, st->ctx);
		if (x == NULL)
			return agw_err(-ENOENT, "Media context gone", "released", err, errlen);
		/* a re-offer keeps the offerer's key when it repeats it (our
		 * answer then repeats ours), its DTLS association when it
		 * repeats its fingerprints and tls-id (cp/agw) */
		rc = side_apply(g, st, o, &want, NULL, &sdtls,
				st->bdl_role != NG_BDL_NONE && st->bdl_side == o ? &bdl : NULL, err,
				errlen);
		if (rc == 0 && !st->answered)
			rc = early_again(g, st, p, r, pprof, &want, err, errlen);
		if (rc < 0)
			return rc;
		x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	}
	st->profile[o] = want.profile;
	st->proto[o] = md->m.proto;
	memcpy(st->mid[o], md->m.mid, sizeof(st->mid[o]));
	st->mux[o] = omux;
	st->tag[o] = tag;
	st->mux_offered = pmux;
	st->mux_required = preq;
	/* what the other side is offered: its ports as held, its profile,
	 * our key or our certificate for it */
	local_of(x, p, r, out);
	out->rtcp_mux = pmux;
	/* (a DTLS-SRTP receiver must take it: its answer without it is
	 * refused, so no a=rtcp for a fallback it cannot have; one under
	 * rtcp-mux-require is told a=rtcp naming the RTP port, as rtpengine
	 * tells it, which RFC 8858 section 4.2 allows beside rtcp-mux: RTCP
	 * goes there whatever it answers) */
	out->rtcp_mux_only = pdtls;
	if ((x->rtp.term[p].flags & IPC_RTP_F_MUX) || preq)
		out->rtcp_port = x->rtp.term[p].local.port;
	out->proto = pproto != md->m.proto ? sdp_proto_name((enum sdp_proto)pproto) : NULL;
	st->proto[p] = pproto;
	rc = ng_ice_offer(g, st, o, r, &sender, out, il, err, errlen);
	/* (a member receiver's lines are its owner's: ng_bundle_out()) */
	if (rc == 0 && pdtls && !pmember)
		rc = ng_dtls_lines(g, st, p, r, true, out, il, err, errlen);
	if (rc < 0)
		return rc;
	/* generate-mid: a section its sender gave no a=mid gets one towards
	 * the receiver (a browser needs one a section: JSEP), the section's
	 * index from 1 as rtpengine writes it; kept for the receiver's later
	 * offers whose sender gives none, as rtpengine keeps it */
	if (r->flags & NG_F_GENERATE_MID)
		st->mid_gen |= (uint8_t)(1u << p);
	if (md->m.mid[0] == '\0' && (st->mid_gen & (1u << p))) {
		snprintf(il->mid, sizeof(il->mid), "%u", i + 1);
		il->ours.mid = il->mid;
		out->webrtc = &il->ours;
	}
	st->has_offer_tx = 0;
	if (proto_sdes(pproto) && !pmember) {
		rc = offer_crypto(g, st, p, r, proto_sdes(md->m.proto) ? want.srtp_rx.suite : 0, out,
				  cl, err, errlen);
		if (rc < 0)
			return rc;
	}
	/* a bundled sender's section goes to a receiver not bundled on its
	 * own port, without BUNDLE's lines (as rtpengine 10.5 relays it) */
	out->unbundle = st->bdl_role != NG_BDL_NONE && st->bdl_side == o;
	st->profile[p] = pprof;
	/* (the receiver is offered the sender's codecs as they came) */
	ng_codecs_offered(&st->offered, &md->m);
	return 0;
}

/* One section of an answer from side p to an offer of side o. */
static int
answer_stream(struct cp_ng *g, struct ng_call *c, unsigned int i, unsigned int o,
	      const struct ng_req *r, const struct ng_sdp_media *md,
	      struct ng_sdp_out_media *out, struct sdp_crypto *cl, struct ng_webrtc_lines *il,
	      char *err, size_t errlen)
{
	struct ng_stream *st = &c->s[i];
	unsigned int p = 1u - o;
	struct ipc_rtp_term want;
	struct ng_ice_peer answerer;
	struct cp_agw_rtp_dtls adtls;
	struct cp_agw_ctx *x;
	const struct ipc_srtp_key *tx = NULL;
	struct cp_agw_rtp_bundle bdl;
	uint32_t tag = 0;
	bool pmux;
	bool omember = st->bdl_role == NG_BDL_MEMBER && st->bdl_side == o;
	bool pbundled = st->bdl_role != NG_BDL_NONE && st->bdl_side == p;
	int rc;

	if (st->ctx == 0 || !md->relay || md->m.port == 0) {
		/* a stream the answerer refused (port 0) ends; one not relayed
		 * goes on as it is when offer_answer() let it */
		stream_end(g, st, out);
		return 0;
	}
	pmux = md->m.rtcp_mux && st->mux_offered;
	/* rtcp-mux-require's (RFC 5761 section 5.1.1: an answer without
	 * a=rtcp-mux has RTCP on a port of its own, and the receiver was
	 * offered none of ours, its termination made on one port; RFC 8858
	 * section 4.4 ends such a stream): refused before anything changes,
	 * the offer's placeholder left as it is. (DTLS-SRTP's own refusal,
	 * ng_dtls_peer_of(), says why in its words.) */
	if (st->mux_required && !md->m.rtcp_mux && !proto_dtls(st->proto[p])) {
		snprintf(err, errlen, "The answer's %s section of line %u has no a=rtcp-mux, "
			 "which rtcp-mux-require offered with no RTCP port (RFC 5761 "
			 "section 5.1.1)", md->m.proto_str, md->m.line);
		return -EINVAL;
	}
	/* (DTLS-SRTP offered or not, the answer must say the same: our
	 * certificate went in the offer, or no certificate did) */
	if (proto_dtls(md->m.proto) != proto_dtls(st->proto[p])) {
		snprintf(err, errlen, "The answer's %s is not the %s offered", md->m.proto_str,
			 sdp_proto_name((enum sdp_proto)st->proto[p]));
		return -EINVAL;
	}
	rc = ng_ice_peer_of(g, md, &answerer, err, errlen);
	if (rc == 0)
		rc = ng_dtls_peer_of(g, r, md, false, &adtls, err, errlen);
	if (rc == 0)
		ng_dtls_renew(st, p, r, &answerer, &adtls);
	if (rc == 0)
		rc = term_from(r, g->sdp, md, pmux, st->has_offer_tx && st->offer_tx_side == p ?
			       1u : UINT32_MAX, &want, &tag, err, errlen);
	if (rc < 0)
		return rc;
	if (want.profile != st->profile[p] &&
	    profile_srtp(want.profile) != profile_srtp(st->profile[p])) {
		snprintf(err, errlen, "The answer's %s is not the %s offered",
			 profile_name(want.profile), profile_name(st->profile[p]));
		return -EINVAL;
	}
	want.inact_ms = NG_TIMEOUT_MS(g);
	if (st->has_offer_tx && st->offer_tx_side == p) {
		if (proto_sdes(md->m.proto))
			tx = &st->offer_tx;
	} else if (proto_sdes(md->m.proto)) {
		x = cp_agw_lookup(g->cp, &g->who, st->ctx);
		if (x != NULL && profile_srtp(x->rtp.term[p].profile) && x->rtp.dtls[p].setup == 0)
			tx = &x->rtp.term[p].srtp_tx;
	}
	if (tx != NULL && tx->suite != want.srtp_rx.suite) {
		snprintf(err, errlen, "The answer's a=crypto suite is not the one offered");
		return -EINVAL;
	}
	{
		struct ipc_srtp_key keep;

		if (tx != NULL)
			keep = *tx;
		if (pbundled)
			ng_bundle_of(c, st, md, &bdl);
		rc = side_apply(g, st, p, &want, tx != NULL ? &keep : NULL, &adtls,
				pbundled ? &bdl : NULL, err, errlen);
		explicit_bzero(&keep, sizeof(keep));
	}
	if (rc < 0)
		return rc;
	explicit_bzero(&st->offer_tx, sizeof(st->offer_tx));
	st->has_offer_tx = 0;
	st->profile[p] = want.profile;
	st->proto[p] = md->m.proto;
	st->mux[p] = pmux;
	st->tag[p] = tag;
	st->answered = 1;
	x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	if (x == NULL)
		return agw_err(-ENOENT, "Media context gone", "released", err, errlen);
	/* the offerer's silence counts from now on too */
	{
		struct cp_agw_rtp_mod m;
		char e[160];

		memset(&m, 0, sizeof(m));
		m.inact_set = true;
		m.inact_ms = NG_TIMEOUT_MS(g);
		(void)cp_agw_modify(g->cp, &g->who, st->ctx, o,
				    &(struct cp_agw_mod){ .kind = CP_AGW_KIND_RTP, .rtp = m }, e,
				    sizeof(e));
	}
	/* what the offerer hears back: its own ports, its profile, our key
	 * or our certificate, our ICE; a bundled answerer's section without
	 * BUNDLE's lines (the offerer is not bundled) */
	local_of(x, o, r, out);
	out->unbundle = pbundled;
	out->rtcp_mux = st->mux[o];
	out->rtcp_mux_only = st->mux[o];
	out->proto = st->proto[o] != md->m.proto ? sdp_proto_name((enum sdp_proto)st->proto[o]) :
		     NULL;
	rc = ng_ice_answer(g, st, o, r, &answerer, out, il, err, errlen);
	/* (a member's lines are its owner's: ng_bundle_out()) */
	if (rc == 0 && proto_dtls(st->proto[o]) && !omember)
		rc = ng_dtls_lines(g, st, o, r, false, out, il, err, errlen);
	if (rc < 0)
		return rc;
	if (md->m.mid[0] == '\0' && st->mid[o][0] != '\0') {
		il->ours.mid = st->mid[o];
		out->webrtc = &il->ours;
	}
	x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	if (x == NULL)
		return agw_err(-ENOENT, "Media context gone", "released", err, errlen);
	if (proto_sdes(st->proto[o]) && !omember) {
		cp_agw_rtp_crypto_of(cl, st->tag[o], &x->rtp.term[o].srtp_tx);
		out->crypto = cl;
		out->ncrypto = 1;
	}
	return 0;
}

static void
w_reset(struct bc_w *w, size_t mark, unsigned int depth)
{
	w->len = mark;
	w->overflow = false;
	w->depth = depth;
}

static void
w_error(struct cp_ng *g, struct bc_w *w, size_t mark, unsigned int depth, const char *why)
{
	w_reset(w, mark, depth);
	bc_w_kstr(w, "result", "error");
	bc_w_kstr(w, "error-reason", why);
	g->stats[NG_STAT_errors]++;
}

/* An offer or an answer. */
static void
offer_answer(struct cp_ng *g, const struct ng_req *r, struct bc_w *w, bool offer)
{
	size_t mark = w->len;
	unsigned int depth = w->depth;
	struct ng_sdp_rewrite rw;
	struct sdp_crypto cl[NG_SDP_MEDIA_MAX];
	struct ng_webrtc_lines il[NG_SDP_MEDIA_MAX];
	struct ng_bundle_plan pl;
	struct sdp_group grp;
	struct sdp_error se;
	struct ng_call *c;
	char err[256];
	unsigned int o;
	bool fresh = false;
	unsigned int had;          /* the call's sections before this offer */
	int rc, len, fork_at = -1;    /* forks[] index the answerer's earlier branch goes to */

	c = call_find(g, r->call_id);
	if (c == NULL && !offer) {
		w_error(g, w, mark, depth, "Unknown call-id");
		return;
	}
	if (c == NULL) {
		c = call_new(g, r);
		if (c == NULL) {
			w_error(g, w, mark, depth, "No room for another call (agw.media_contexts)");
			return;
		}
		fresh = true;
		o = 0;
	} else if (strcmp(c->tag[0], r->from_tag) == 0) {
		o = 0;
	} else if (c->tag[1][0] != '\0' && strcmp(c->tag[1], r->from_tag) == 0) {
		o = 1;
	} else {
		bool fork = false;

		for (unsigned int k = 0; k < c->nforks; k++)
			fork |= strcmp(c->forks[k], r->from_tag) == 0;
		w_error(g, w, mark, depth, fork ? "The from-tag is a fork's that did not win "
			"the call" : "The call exists with other tags");
		return;
	}
	if (!offer) {
		if (o == 1 && strcmp(r->to_tag, c->tag[0]) != 0) {
			w_error(g, w, mark, depth, "The to-tag is not the call's");
			return;
		}
		if (o == 0 && c->tag[1][0] != '\0' && strcmp(c->tag[1], r->to_tag) != 0) {
			/* another fork answers: it becomes the call's other side,
			 * the one before is kept as a fork (its delete is
			 * answered), once the answer is taken */
			for (fork_at = 0; (unsigned int)fork_at < c->nforks; fork_at++)
				if (strcmp(c->forks[fork_at], r->to_tag) == 0)
					break;
			if ((unsigned int)fork_at == c->nforks && c->nforks == NG_FORKS_MAX) {
				w_error(g, w, mark, depth, "Too many forks of this call");
				return;
			}
		}
	}
	had = c->nstreams;
	rc = ng_sdp_read(r->sdp, r->sdp_len, g->sdp, &se);
	if (rc < 0) {
		snprintf(err, sizeof(err), "Failed to parse SDP: %s", se.msg);
		goto fail;
	}
	if (!fresh && g->sdp->nmedia < c->nstreams) {
		snprintf(err, sizeof(err), "The SDP has %u m= sections where the call has %u",
			 g->sdp->nmedia, c->nstreams);
		rc = -EINVAL;
		goto fail;
	}
	if (!offer && g->sdp->nmedia != c->nstreams) {
		snprintf(err, sizeof(err), "The answer has %u m= sections, the offer had %u",
			 g->sdp->nmedia, c->nstreams);
		rc = -EINVAL;
		goto fail;
	}
	/* BUNDLE's plan (bundle=accept), before anything is made */
	memset(&pl, 0, sizeof(pl));
	if (offer && (rc = ng_bundle_plan(g, c, had, o, r, &pl, err, sizeof(err))) < 0)
		goto fail;
	/* nor may either side's offer or answer end the group's transport
	 * (its owner's stream) while the group has members */
	if ((rc = ng_bundle_owner_ends(g, c, had, err, sizeof(err))) < 0)
		goto fail;
	/* a section that would go on as it came (not relayed, or no media)
	 * may: an RTP one we cannot relay would hand the other side its
	 * sender's address, candidates and fingerprint, its media bypassing
	 * the gateway; refused before anything changes (one the plan
	 * refuses goes with port 0: no media) */
	for (unsigned int i = 0; i < g->sdp->nmedia; i++) {
		const struct ng_sdp_media *md = &g->sdp->media[i];

		if (pl.refuse[i])
			continue;
		if ((!offer && (i >= c->nstreams || c->s[i].ctx == 0)) || !md->relay ||
		    md->m.port == 0) {
			rc = ng_sdp_may_pass(g->sdp, i, g->conf->pass_through, g->conf->npass,
					     err, sizeof(err));
			if (rc < 0)
				goto fail;
		} else if (!offer) {
			/* nor is an answer whose codecs none of the offer's are
			 * (FEATURE.md "Codecs": no transcoding here) */
			rc = ng_codecs_answer(&c->s[i].offered, i, &md->m, err, sizeof(err));
			if (rc < 0)
				goto fail;
		}
	}
	memset(&rw, 0, sizeof(rw));
	memset(il, 0, sizeof(il));
	rw.flags = rw_flags(r);
	rw.nmedia = g->sdp->nmedia;
	if (offer) {
		c->nstreams = (uint8_t)g->sdp->nmedia;
		for (unsigned int i = 0; i < g->sdp->nmedia; i++) {
			struct ng_stream *st = &c->s[i];

			if (pl.role[i] != NG_BDL_NONE) {
				st->bdl_role = pl.role[i];
				st->bdl_owner = pl.owner[i];
				st->bdl_side = (uint8_t)o;
				st->bdl_ext = pl.ext[i];
			} else if (st->ctx == 0 || st->bdl_side == o) {
				/* (a stream ended, or a member's section ending) */
				st->bdl_role = st->bdl_owner = st->bdl_side = st->bdl_ext = 0;
			}
		}
	}
	/* a group's owner first: its members are made with its id */
	for (unsigned int pass = 0; pass < 2; pass++)
		for (unsigned int i = 0; i < g->sdp->nmedia; i++) {
			if ((pass == 0) != (offer && pl.role[i] == NG_BDL_OWNER))
				continue;
			if (pl.refuse[i]) {
				stream_end(g, &c->s[i], &rw.media[i]);
				rw.media[i].refuse = true;
				continue;
			}
			rc = offer ? offer_stream(g, c, i, o, r, &g->sdp->media[i], &rw.media[i],
						  &cl[i], &il[i], err, sizeof(err)) :
				     answer_stream(g, c, i, o, r, &g->sdp->media[i], &rw.media[i],
						   &cl[i], &il[i], err, sizeof(err));
			if (rc < 0)
				goto fail;
		}
	/* the SDP's receiver bundled: its sections on its group's transport */
	ng_bundle_out(g, c, offer ? 1u - o : o, &rw, il, &grp);
	len = ng_sdp_rewrite(g->sdp, &rw, g->sdpbuf, NG_SDP_SIZE_MAX * 2u);
	explicit_bzero(cl, sizeof(cl));
	explicit_bzero(il, sizeof(il));
	if (len < 0) {
		snprintf(err, sizeof(err), "The rewritten SDP does not fit (%s)",
			 len == -ENOSPC ? "too long" : "not valid");
		rc = len;
		goto fail;
	}
	if (!offer) {
		if (fork_at >= 0) {
			if ((unsigned int)fork_at == c->nforks)
				c->nforks++;
			snprintf(c->forks[fork_at], sizeof(c->forks[fork_at]), "%s", c->tag[1]);
		}
		if (o == 0)
			snprintf(c->tag[1], sizeof(c->tag[1]), "%s", r->to_tag);
		delete_cancel(g, c);
	}
	/* an answered call left without a context (every section refused,
	 * ended or not RTP) has no media whose silence would end it: it ends
	 * as a silent call does, not held until a delete that may never come */
	if (c->tag[1][0] != '\0' && !has_ctx(c) &&
	    (c->delete_at_ms == 0 || c->delete_at_ms > g->cp->now_ms + NG_TIMEOUT_MS(g))) {
		delete_at(g, c, g->cp->now_ms + NG_TIMEOUT_MS(g));
		c->timed = 1;
	}
	if (fresh)
		g->stats[NG_STAT_calls_created]++;
	if (r->label[0] != '\0' && c->label[0] == '\0')
		snprintf(c->label, sizeof(c->label), "%s", r->label);
	c->last_ms = g->cp->now_ms;
	bc_w_kstr(w, "result", "ok");
	bc_w_kstrn(w, "sdp", g->sdpbuf, (size_t)len);
	explicit_bzero(g->sdpbuf, (size_t)len);
	/* the peers' keys, as read */
	explicit_bzero(g->sdp, sizeof(*g->sdp));
	return;
fail:
	explicit_bzero(cl, sizeof(cl));
	explicit_bzero(il, sizeof(il));
	explicit_bzero(g->sdp, sizeof(*g->sdp));
	/* a new call is not half-made: its contexts go with it; nor are the
	 * sections a re-offer added (the call's m= count is the last offer
	 * taken: a later one without them must still be taken) */
	if (fresh) {
		call_free(g, c);
	} else if (offer && c->nstreams > had) {
		for (unsigned int i = had; i < c->nstreams; i++) {
			char e[160];

			if (c->s[i].ctx != 0)
				(void)cp_agw_release(g->cp, &g->who, c->s[i].ctx, e, sizeof(e));
			explicit_bzero(&c->s[i], sizeof(c->s[i]));
		}
		c->nstreams = had;
	}
	w_error(g, w, mark, depth, err);
}

/* ---- delete, query, list, statistics ---- */

static void
totals(struct cp_ng *g, const struct ng_call *c, struct bc_w *w)
{
	uint64_t rtp = 0, rtpb = 0, rtcp = 0, rtcpb = 0, errs = 0;

	for (unsigned int i = 0; i < c->nstreams; i++) {
		const struct cp_agw_ctx *x;

		if (c->s[i].ctx == 0 ||
		    (x = cp_agw_lookup(g->cp, &g->who, c->s[i].ctx)) == NULL)
			continue;
		for (unsigned int t = 0; t < 2; t++) {
			rtp += x->rtp.st[t].rtp_in;
			rtpb += x->rtp.st[t].rtp_in_octets;
			rtcp += x->rtp.st[t].rtcp_in;
			rtcpb += x->rtp.st[t].rtcp_in_octets;
			errs += x->rtp.st[t].drop_malformed + x->rtp.st[t].srtp_fail;
		}
	}
	bc_w_str(w, "totals");
	bc_w_dict(w);
	bc_w_str(w, "RTP");
	bc_w_dict(w);
	bc_w_kint(w, "packets", (int64_t)rtp);
	bc_w_kint(w, "bytes", (int64_t)rtpb);
	bc_w_kint(w, "errors", (int64_t)errs);
	bc_w_close(w);
	bc_w_str(w, "RTCP");
	bc_w_dict(w);
	bc_w_kint(w, "packets", (int64_t)rtcp);
	bc_w_kint(w, "bytes", (int64_t)rtcpb);
	bc_w_kint(w, "errors", 0);
	bc_w_close(w);
	bc_w_close(w);
}

static void
endpoint(struct bc_w *w, const char *key, const struct ipc_addr *a)
{
	char ip[INET6_ADDRSTRLEN] = "";

	bc_w_str(w, key);
	bc_w_dict(w);
	if (a->family != 0)
		inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip));
	bc_w_kstr(w, "family", a->family == 6 ? "IPv6" : "IPv4");
	bc_w_kstr(w, "address", ip);
	bc_w_kint(w, "port", a->port);
	bc_w_close(w);
}

/* A stream's "ICE" in query (FEATURE.md "ICE"; rtpengine shows none):
 * its consent (RFC 7675: "none" before a pair is nominated, "fresh",
 * "lost": media to the peer stopped), the nominated pair's remote, the
 * checks dp answered and refused, as last heard from dp. */
static void
ice_query(struct bc_w *w, const struct ipc_rtp_stats *st)
{
	bool nominated = (st->latched & IPC_RTP_LATCHED_RTP) != 0;

	bc_w_str(w, "ICE");
	bc_w_dict(w);
	bc_w_kstr(w, "role", "lite");
	bc_w_kstr(w, "consent", !nominated ? "none" : (st->ice & IPC_RTP_ICE_LOST) ? "lost" :
		  "fresh");
	if (nominated)
		endpoint(w, "nominated", &st->rtp_src);
	bc_w_kint(w, "checks answered", (int64_t)st->ice_checks);
	bc_w_kint(w, "checks refused", (int64_t)st->ice_refused);
	bc_w_close(w);
}

/* query's "tags": each side's tag, its media, each medium's stream with
 * our port, where it sends and its figures (as last heard from dp). */
static void
tags(struct cp_ng *g, const struct ng_call *c, struct bc_w *w)
{
	static const char *const types[] = { "other", "message", "application", "audio", "video",
					     "text" };

	bc_w_str(w, "tags");
	bc_w_dict(w);
	for (unsigned int side = 0; side < 2; side++) {
		if (c->tag[side][0] == '\0')
			continue;
		bc_w_str(w, c->tag[side]);
		bc_w_dict(w);
		bc_w_kstr(w, "tag", c->tag[side]);
		bc_w_kint(w, "created", (int64_t)(c->created_wall_ms / 1000u));
		if (side == 0 && c->label[0] != '\0')
			bc_w_kstr(w, "label", c->label);
		bc_w_str(w, "medias");
		bc_w_list(w);
		for (unsigned int i = 0; i < c->nstreams; i++) {
			const struct ng_stream *st = &c->s[i];
			const struct cp_agw_ctx *x, *xt;
			const struct ipc_rtp_term *t, *tt;
			unsigned int ts = side;

			if (st->ctx == 0 ||
			    (x = cp_agw_lookup(g->cp, &g->who, st->ctx)) == NULL)
				continue;
			t = &x->rtp.term[side];
			/* a BUNDLE member's transport is its owner's: the owner's
			 * port, remote, ICE and DTLS-SRTP shown on every section of
			 * the group (dp reports them for the owner only) */
			xt = t->bundle.role == IPC_RTP_BUNDLE_MEMBER ?
			     cp_agw_lookup(g->cp, &g->who, t->bundle.owner) : NULL;
			if (xt != NULL)
				ts = t->bundle.owner_term;
			else
				xt = x;
			tt = &xt->rtp.term[ts];
			bc_w_dict(w);
			bc_w_kint(w, "index", (int64_t)i + 1);
			bc_w_kstr(w, "type", st->media < 6 ? types[st->media] : "other");
			bc_w_kstr(w, "protocol", st->proto[side] != 0 ?
				  sdp_proto_name((enum sdp_proto)st->proto[side]) :
				  profile_name(st->profile[side]));
			/* rtpengine's flags of a medium, those that hold here */
			bc_w_str(w, "flags");
			bc_w_list(w);
			if (t->flags & IPC_RTP_F_MUX)
				bc_w_str(w, "rtcp-mux");
			if (xt->rtp.dtls[ts].setup != 0)
				bc_w_str(w, "DTLS-SRTP");
			else if (profile_srtp(t->profile))
				bc_w_str(w, "SDES");
			if (tt->ice.mode != IPC_RTP_ICE_OFF)
				bc_w_str(w, "ICE");
			bc_w_close(w);
			bc_w_str(w, "streams");
			bc_w_list(w);
			bc_w_dict(w);
			bc_w_kint(w, "local port", tt->local.port);
			{
				char ip[INET6_ADDRSTRLEN] = "";

				inet_ntop(tt->local.family == 6 ? AF_INET6 : AF_INET, tt->local.ip, ip,
					  sizeof(ip));
				bc_w_kstr(w, "local address", ip);
				bc_w_kstr(w, "family", tt->local.family == 6 ? "IPv6" : "IPv4");
			}
			endpoint(w, "endpoint", &tt->remote);
			bc_w_str(w, "stats");
			bc_w_dict(w);
			bc_w_kint(w, "packets", (int64_t)x->rtp.st[side].rtp_in);
			bc_w_kint(w, "bytes", (int64_t)x->rtp.st[side].rtp_in_octets);
			bc_w_kint(w, "errors", (int64_t)(x->rtp.st[side].drop_malformed +
							 x->rtp.st[side].srtp_fail));
			bc_w_close(w);
			if (tt->ice.mode != IPC_RTP_ICE_OFF)
				ice_query(w, &xt->rtp.st[ts]);
			if (xt->rtp.dtls[ts].setup != 0)
				ng_dtls_query(w, xt, ts);
			bc_w_close(w);
			bc_w_close(w);
			bc_w_close(w);
		}
		bc_w_close(w);
		bc_w_close(w);
	}
	bc_w_close(w);
}

static int64_t
del_delay(const struct cp_ng *g, const struct ng_req *r)
{
	return r->has_delete_delay ? r->delete_delay : (int64_t)g->conf->delete_delay;
}

/* Does delete r end the whole call c now (not a fork's, not delayed, its
 * tags the call's)? */
static bool
del_now(const struct cp_ng *g, const struct ng_call *c, const struct ng_req *r)
{
	if (r->from_tag[0] != '\0' && strcmp(r->from_tag, c->tag[0]) != 0 &&
	    strcmp(r->from_tag, c->tag[1]) != 0)
		return false;
	if (r->to_tag[0] != '\0' && strcmp(r->to_tag, c->tag[0]) != 0 &&
	    strcmp(r->to_tag, c->tag[1]) != 0)
		return false;
	return del_delay(g, r) == 0;
}

/* A call's figures, as rtpengine's query and delete replies give them:
 * when it was made and last signalled, each side's tag and streams, the
 * totals. */
static void
figures(struct cp_ng *g, const struct ng_call *c, struct bc_w *w)
{
	bc_w_kint(w, "created", (int64_t)(c->created_wall_ms / 1000u));
	bc_w_kint(w, "created_us", (int64_t)(c->created_wall_ms % 1000u) * 1000);
	bc_w_kint(w, "last signal", (int64_t)((g->cp->wall_ms - (g->cp->now_ms - c->last_ms)) /
					     1000u));
	tags(g, c, w);
	totals(g, c, w);
}

#define NG_DEL_NONE "Call-ID not found or tags didn't match"

/* A delete that finds nothing to end (an unknown call-id, tags that are
 * not the call's nor a fork's, a call deleted already): answered as
 * rtpengine answers it, ok with a warning, an error only under the flag
 * fatal. A P-CSCF deletes on a CANCEL and again on the 487 after it:
 * an error there fails its script (Kamailio's module logs "proxy replied
 * with error") on every cancelled call. */
static void
del_none(struct cp_ng *g, const struct ng_req *r, struct bc_w *w, size_t mark,
	 unsigned int depth)
{
	g->stats[NG_STAT_deletes_unmatched]++;
	if (r->flags & NG_F_FATAL) {
		w_error(g, w, mark, depth, NG_DEL_NONE);
		return;
	}
	bc_w_kstr(w, "result", "ok");
	bc_w_kstr(w, "warning", NG_DEL_NONE);
}

static void
del(struct cp_ng *g, const struct ng_req *r, struct bc_w *w)
{
	size_t mark = w->len;
	unsigned int depth = w->depth;
	struct ng_call *c = call_find(g, r->call_id);
	int64_t delay;

	if (c == NULL) {
		del_none(g, r, w, mark, depth);
		return;
	}
	/* the tags must be the call's (either order), or a fork's: a fork's
	 * delete forgets that fork only */
	if (r->from_tag[0] != '\0' && strcmp(r->from_tag, c->tag[0]) != 0 &&
	    strcmp(r->from_tag, c->tag[1]) != 0) {
		del_none(g, r, w, mark, depth);
		return;
	}
	if (r->to_tag[0] != '\0' && strcmp(r->to_tag, c->tag[0]) != 0 &&
	    strcmp(r->to_tag, c->tag[1]) != 0) {
		for (unsigned int k = 0; k < c->nforks; k++)
			if (strcmp(c->forks[k], r->to_tag) == 0) {
				memmove(c->forks[k], c->forks[k + 1],
					(c->nforks - k - 1u) * sizeof(c->forks[0]));
				c->nforks--;
				bc_w_kstr(w, "result", "ok");
				figures(g, c, w);
				return;
			}
		del_none(g, r, w, mark, depth);
		return;
	}
	bc_w_kstr(w, "result", "ok");
	/* (rtpengine gives a call's figures to a delete that names a tag; one
	 * by call-id alone gets none) */
	if (r->from_tag[0] != '\0')
		figures(g, c, w);
	/* a repeat while the first waits for dp's figures: the first ends it */
	if (c->deleting)
		return;
	delay = del_delay(g, r);
	if (delay > 0) {
		delete_at(g, c, g->cp->now_ms + (uint64_t)delay * 1000u);
		c->timed = 0;
		return;
	}
	g->stats[NG_STAT_calls_deleted]++;
	call_free(g, c);
}

static void
query(struct cp_ng *g, const struct ng_req *r, struct bc_w *w)
{
	size_t mark = w->len;
	unsigned int depth = w->depth;
	struct ng_call *c = call_find(g, r->call_id);

	if (c == NULL) {
		w_error(g, w, mark, depth, "Unknown call-id");
		return;
	}
	bc_w_kstr(w, "result", "ok");
	figures(g, c, w);
}

static void
list(struct cp_ng *g, const struct ng_req *r, struct bc_w *w)
{
	uint32_t n = 0;

	bc_w_kstr(w, "result", "ok");
	bc_w_str(w, "calls");
	bc_w_list(w);
	for (uint32_t b = 0; b < g->nbuckets && n < r->limit; b++)
		for (const struct ng_call *c = g->bucket[b]; c != NULL && n < r->limit;
		     c = c->hnext, n++)
			bc_w_str(w, c->call_id);
	bc_w_close(w);
}

static void
statistics(struct cp_ng *g, const struct ng_req *r, struct bc_w *w)
{
	(void)r;
	bc_w_kstr(w, "result", "ok");
	bc_w_str(w, "statistics");
	bc_w_dict(w);
	bc_w_str(w, "currentstatistics");
	bc_w_dict(w);
	bc_w_kint(w, "sessionsown", g->ncalls);
	bc_w_kint(w, "sessionsforeign", 0);
	bc_w_kint(w, "sessionstotal", g->ncalls);
	bc_w_kint(w, "transcodedmedia", 0);
	bc_w_close(w);
	bc_w_str(w, "totalstatistics");
	bc_w_dict(w);
	bc_w_kint(w, "managedsessions", (int64_t)g->stats[NG_STAT_calls_created]);
	bc_w_kint(w, "timeoutsessions", (int64_t)g->stats[NG_STAT_calls_timed_out]);
	bc_w_kint(w, "deletedsessions", (int64_t)g->stats[NG_STAT_calls_deleted]);
	bc_w_close(w);
	bc_w_close(w);
}

static void
ping(struct cp_ng *g, const struct ng_req *r, struct bc_w *w)
{
	(void)g;
	(void)r;
	bc_w_kstr(w, "result", "pong");
}

static void
offer(struct cp_ng *g, const struct ng_req *r, struct bc_w *w)
{
	offer_answer(g, r, w, true);
}

static void
answer(struct cp_ng *g, const struct ng_req *r, struct bc_w *w)
{
	offer_answer(g, r, w, false);
}

/* A command out of turnpike's scope: ng_req_read() refuses it before it
 * comes here; the table still has a handler for every command, and this
 * one says no in the same words. */
static void
refused(struct cp_ng *g, const struct ng_req *r, struct bc_w *w)
{
	char err[160];

	(void)ng_cmd_refuse(ng_cmd_name(r->cmd), err, sizeof(err));
	g->stats[NG_STAT_unsupported]++;
	w_error(g, w, w->len, w->depth, err);
}

/* Each command's handler (ng_cmds.def): the members of its reply. */
typedef void ng_cmd_fn(struct cp_ng *g, const struct ng_req *r, struct bc_w *w);

static ng_cmd_fn *const handlers[NG_CMD__COUNT] = {
#define NG_CMD(e, name, handler) [NG_CMD_##e] = handler,
#include "ng_cmds.def"
#undef NG_CMD
};

static void
fill(struct cp_ng *g, struct bc_w *w, void *arg)
{
	const struct ng_req *r = arg;

	if (r->cmd > NG_CMD_NONE && r->cmd < NG_CMD__COUNT)
		handlers[r->cmd](g, r, w);
	else
		w_error(g, w, w->len, w->depth, "Unrecognized command");
}

/* dp's figures of one of a waiting request's contexts: the reply once the
 * last is in (cp/agw calls each within CP_AGW_RTP_STATS_MS). */
static void
stats_in(struct cp_ctx *cp, uint64_t id, int rc, const struct ipc_rtp_stats st[2], void *arg)
{
	struct ng_pending *p = arg;
	struct ng_call *c;

	(void)cp;
	(void)id;
	(void)rc;
	(void)st;
	if (!p->used || p->left == 0 || --p->left > 0)
		return;
	p->used = false;
	c = call_find(p->g, p->r.call_id);
	if (c != NULL && p->r.cmd == NG_CMD_DELETE)
		c->deleting = 0;
	ng_net_reply(p->g, &p->src, fill, &p->r);
	explicit_bzero(&p->r, sizeof(p->r));
}

/* A query, or a delete that ends its call now, asks dp for its contexts'
 * figures first and answers with them (what cp holds may be minutes
 * old; rtpengine's delete reply has the call's last figures). Without a
 * free slot, or when dp is not asked, it is answered at once from the
 * last known. */
static bool
defer(struct cp_ng *g, const struct ng_src *src, const struct ng_req *r)
{
	struct ng_call *c = call_find(g, r->call_id);
	struct ng_pending *p = NULL;
	char err[160];

	if (c == NULL || c->deleting ||
	    (r->cmd == NG_CMD_DELETE && !del_now(g, c, r)))
		return false;
	for (unsigned int i = 0; i < NG_PENDING_MAX && p == NULL; i++)
		if (!g->pending[i].used)
			p = &g->pending[i];
	if (p == NULL)
		return false;
	memset(p, 0, sizeof(*p));
	p->g = g;
	p->src = *src;
	p->r = *r;
	p->r.sdp = NULL;
	p->r.sdp_len = 0;
	for (unsigned int i = 0; i < c->nstreams; i++)
		if (c->s[i].ctx != 0 &&
		    cp_agw_rtp_stats(g->cp, &g->who, c->s[i].ctx, stats_in, p, &p->req[p->n], err,
				     sizeof(err)) == 0)
			p->n++;
	if (p->n == 0)
		return false;
	p->used = true;
	p->left = p->n;
	if (r->cmd == NG_CMD_DELETE)
		c->deleting = 1;
	return true;
}

void
ng_call_do(struct cp_ng *g, const struct ng_src *src, const struct ng_req *r)
{
	if ((r->cmd == NG_CMD_QUERY || r->cmd == NG_CMD_DELETE) && defer(g, src, r))
		return;
	ng_net_reply(g, src, fill, (void *)(uintptr_t)r);
}

/* ---- cp/agw's events ---- */

static void
observe(struct cp_ctx *cp, const struct cp_agw_ctx *x, const void *ev, void *arg)
{
	const struct ipc_rtp_event *e = ev;
	struct cp_ng *g = arg;
	struct ng_call *c;
	unsigned int si;

	(void)cp;
	if (x->door != CP_AGW_DOOR_NG || x->tenant != g->who.tenant)
		return;
	c = call_of_ctx(g, x, &si);
	if (e->type == IPC_RTP_EV_RELEASED) {
		bool any = false;

		if (c == NULL)
			return;
		c->s[si].ctx = 0;
		for (unsigned int i = 0; i < c->nstreams; i++)
			any |= c->s[i].ctx != 0;
		if (!any) {
			g->stats[NG_STAT_calls_released]++;
			call_free(g, c);
		}
		return;
	}
	if (e->type == IPC_RTP_EV_INACTIVE && x->rtp.inactive[0] && x->rtp.inactive[1]) {
		char err[160];

		if (c == NULL) {
			/* a context whose call this cp does not know (made before
			 * a cp restart): it ends when silent, as a call would */
			(void)cp_agw_release(g->cp, &g->who, x->id, err, sizeof(err));
			return;
		}
		for (unsigned int i = 0; i < c->nstreams; i++) {
			const struct cp_agw_ctx *y;

			if (c->s[i].ctx == 0 || c->s[i].ctx == x->id)
				continue;
			y = cp_agw_lookup(g->cp, &g->who, c->s[i].ctx);
			if (y != NULL && !(y->rtp.inactive[0] && y->rtp.inactive[1]))
				return;
		}
		tp_log(TP_LOG_INFO, "ng: call %.64s ends: no media for %u s", c->call_id,
		       g->conf->timeout);
		g->stats[NG_STAT_calls_timed_out]++;
		call_free(g, c);
	}
}

int
ng_call_init(struct cp_ng *g)
{
	uint32_t want = g->cp->conf->agw.media_contexts;

	if (want == 0)
		want = 1024;
	g->calls_max = want;
	g->nbuckets = 1024;
	while (g->nbuckets < want && g->nbuckets < (1u << 22))
		g->nbuckets <<= 1;
	g->bucket = calloc(g->nbuckets, sizeof(*g->bucket));
	g->sdp = calloc(1, sizeof(*g->sdp));
	g->sdpbuf = malloc(NG_SDP_SIZE_MAX * 2u);
	if (g->bucket == NULL || g->sdp == NULL || g->sdpbuf == NULL)
		return -ENOMEM;
	return cp_agw_observe(g->cp, CP_AGW_KIND_RTP, observe, g);
}

void
ng_call_fini(struct cp_ng *g)
{
	for (unsigned int i = 0; i < NG_PENDING_MAX; i++)
		if (g->pending[i].used) {
			for (unsigned int k = 0; k < g->pending[i].n; k++)
				cp_agw_rtp_stats_cancel(g->cp, g->pending[i].req[k]);
			g->pending[i].used = false;
		}
	if (g->bucket != NULL)
		for (uint32_t b = 0; b < g->nbuckets; b++)
			while (g->bucket[b] != NULL) {
				struct ng_call *c = g->bucket[b];

				call_unlink(g, c);
				explicit_bzero(c, sizeof(*c));
				free(c);
			}
	free(g->bucket);
	free(g->sdp);
	if (g->sdpbuf != NULL)
		explicit_bzero(g->sdpbuf, NG_SDP_SIZE_MAX * 2u);
	free(g->sdpbuf);
	g->bucket = NULL;
	g->sdp = NULL;
	g->sdpbuf = NULL;
}

/* Delayed deletes and offers never answered, four times a second. */
unsigned int
ng_call_serve(struct cp_ng *g, uint64_t now_ms)
{
	unsigned int n = 0;

	if (now_ms - g->dwalk_ms < 250u)
		return 0;
	g->dwalk_ms = now_ms;
	for (struct ng_call *c = g->dlist, *next; c != NULL; c = next) {
		next = c->dnext;
		if (c->delete_at_ms > now_ms)
			continue;
		dl_del(c);
		c->delete_at_ms = 0;
		g->stats[c->timed ? NG_STAT_calls_timed_out : NG_STAT_calls_deleted]++;
		call_free(g, c);
		n++;
	}
	return n;
}
