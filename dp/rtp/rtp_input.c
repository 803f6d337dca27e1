/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/rtp's fast path: a datagram to a media port (net's UDP
 * demultiplexer hands it here on the worker that owns the port), from the
 * port table to the other termination's network, in place.
 *
 *   the termination   by (destination address, port): one load each
 *   the class         RFC 7983's first octet; RTCP by the port of a pair
 *                     or, with rtcp-mux, RFC 5761 §4's second octet; STUN
 *                     to ICE (rtp_ice.c), DTLS to DTLS-SRTP's ops
 *   the checks        lib/rtp's rtp_parse() / rtcp_check(): only a valid
 *                     packet is counted, latches or goes on
 *   the source        the latched one (one compare), else gm and the
 *                     termination's latching policy (rtp_src_new(), out
 *                     of line)
 *   statistics        RFC 3550 A.1/A.8 for RTP (lib/rtp), counts for RTCP
 *   mode, tman        the stream mode both ways, the token bucket
 *   the relay         new UDP and IP headers in front of the payload, the
 *                     checksum carried (RFC 1624), the DS byte the other
 *                     termination's DSCP with the ECN bits received
 *   interception      a tapped context's RTP copied in the clear
 *                     (rtp_li.c), one byte's test otherwise
 *   BUNDLE            RTP and RTCP on a group owner's port to the section
 *                     the SSRC, MID or payload type says (RFC 9143 §9.2):
 *                     from there two terminations, the transport (the
 *                     owner: its source, ICE, latching) and the media (the
 *                     section's: SRTP, statistics, mode, tman, its other)
 *
 * The payload is never read past the RTP header and an RTCP compound's
 * packet headers. FEATURE.md has the rules.
 */
#include <string.h>

#include <rte_mbuf.h>

#include "net/net.h"
#include "rtp_dp_private.h"

/* What rtp_src_new() says of a source. */
enum rtp_src {
	RTP_SRC_OK = 0,
	RTP_SRC_STRANGER,
	RTP_SRC_BAD_CKSUM,
	RTP_SRC_SRTP,                /* SRTP's check failed (counted) */
};

/* What t's latching says of a source that is not flow's latched one. */
enum rtp_latch_do {
	RTP_LATCH_REFUSE = 0,        /* a stranger */
	RTP_LATCH_TAKE,              /* taken, nothing learnt (IPC_RTP_LATCH_OFF) */
	RTP_LATCH_FIRST,             /* it latches the flow */
	RTP_LATCH_AGAIN,             /* it latches in place of the latched one */
};

/*
 * t's rules for a source that is not flow's latched one (or a
 * termination that does not latch), without their effects (FEATURE.md
 * "Latching and gates"): gm first; ICE's sources (FEATURE.md "ICE") in
 * place of all that follows; then the signalled remote's address
 * where the latch is bound to it; then the policy: OFF takes it and
 * learns nothing, the first source latches, and one latched moves to
 * another never (STRICT), at once (HANDOVER) or after relatch_ms of
 * silence from it (RELATCH: H.248.37, an established stream is never
 * taken over). RTCP of a pair, while RTP is latched, only from RTP's
 * address.
 */
static enum rtp_latch_do
rtp_latch_rule(const struct dp_worker *w, const struct rtp_term *t, unsigned int flow,
	       const struct dp_udp_meta *meta)
{
	uint8_t bit = flow == 0 ? IPC_RTP_LATCHED_RTP : IPC_RTP_LATCHED_RTCP;
	enum rtp_latch_do d = RTP_LATCH_FIRST;

	if (!rtp_gm_ok(t, meta))
		return RTP_LATCH_REFUSE;
	/* ICE: a source that passed a check is taken, none is learnt (a
	 * check nominates: rtp_ice.c) */
	if (t->ice)
		return rtp_ice_src_ok(w, t, flow, meta) ? RTP_LATCH_TAKE : RTP_LATCH_REFUSE;
	if ((t->latch & IPC_RTP_LATCH_SIGNALLED) && t->cfg.remote.family != 0 &&
	    !rtp_addr_is(&t->cfg.remote, meta->family, meta->src, t->cfg.remote.port))
		return RTP_LATCH_REFUSE;
	switch (t->latch & IPC_RTP_LATCH_POLICY) {
	case IPC_RTP_LATCH_OFF:
		return RTP_LATCH_TAKE;
	case IPC_RTP_LATCH_HANDOVER:
		break;
	case IPC_RTP_LATCH_RELATCH:
		if ((t->latched & bit) && w->now_ms - t->heard_ms < w->rtp->relatch_ms)
			return RTP_LATCH_REFUSE;
		break;
	default:                     /* STRICT */
		if (t->latched & bit)
			return RTP_LATCH_REFUSE;
		break;
	}
	if (t->latched & bit)
		d = RTP_LATCH_AGAIN;
	/* (RTCP of a pair, latching or latching again, only from the host
	 * RTP is latched to: its port differs behind a NAT, its host not) */
	if (flow == 1 && (t->latched & IPC_RTP_LATCHED_RTP) &&
	    !rtp_addr_is(&t->rtp_src, meta->family, meta->src, t->rtp_src.port))
		return RTP_LATCH_REFUSE;
	return d;
}

/*
 * A source that is not the flow's latched one (or a termination that
 * does not latch), by rtp_latch_rule(), with its effects: what latches
 * has its UDP checksum verified first (unless it was: verified), so that
 * the port learnt is the one that was sent; RTP latching (again) lets go
 * of an RTCP latch of a pair taken from elsewhere.
 */
static enum rtp_src __rte_noinline
rtp_src_new(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti, unsigned int flow,
	    struct rte_mbuf *m, const struct dp_udp_meta *meta, bool verified)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_term *t = &c->t[ti];
	uint8_t bit = flow == 0 ? IPC_RTP_LATCHED_RTP : IPC_RTP_LATCHED_RTCP;
	struct ipc_addr *src = flow == 0 ? &t->rtp_src : &t->rtcp_src;
	enum rtp_latch_do d = rtp_latch_rule(w, t, flow, meta);
	bool relatch = d == RTP_LATCH_AGAIN;

	if (d == RTP_LATCH_REFUSE)
		return RTP_SRC_STRANGER;
	if (d == RTP_LATCH_TAKE)
		return RTP_SRC_OK;
	if (!verified && !dp_udp_cksum_verify(m, meta))
		return RTP_SRC_BAD_CKSUM;
	memset(src, 0, sizeof(*src));
	src->family = meta->family;
	src->port = meta->src_port;
	memcpy(src->ip, meta->src, meta->family == NET_AF_IPV4 ? 4 : 16);
	t->latched |= bit;
	c->ev |= (uint16_t)(flow == 0 ? RTP_EV_LATCH_RTP(ti) : RTP_EV_LATCH_RTCP(ti));
	if (flow == 0 && !(t->flags & IPC_RTP_F_MUX) && (t->latched & IPC_RTP_LATCHED_RTCP) &&
	    (relatch || !rtp_addr_is(&t->rtcp_src, meta->family, meta->src, t->rtcp_src.port))) {
		/* RTCP follows its host: it latches again (and one that
		 * latched from another host before RTP did is let go) */
		t->latched &= (uint8_t)~IPC_RTP_LATCHED_RTCP;
		c->ev &= (uint16_t)~RTP_EV_LATCH_RTCP(ti);
	}
	rtp_term_dest(t);
	rtp_ev_queue(rw, c);
	rw->ctr[relatch ? RTP_CTR_RELATCHED : RTP_CTR_LATCHED]++;
	rw->ctr[RTP_CTR_EVENTS]++;
	return RTP_SRC_OK;
}

bool
rtp_term_src_ok(struct dp_worker *w, uint32_t idx, const struct ipc_addr *src)
{
	const struct rtp_worker *rw = w->rtp;
	const struct rtp_term *t;
	struct dp_udp_meta meta;

	if (rw == NULL || (idx >> 1) >= rw->max)
		return false;
	t = &rw->ctx[idx >> 1].t[idx & 1u];
	if (!t->on || src->family != t->family)
		return false;
	if ((t->latched & IPC_RTP_LATCHED_RTP) &&
	    rtp_addr_is(&t->rtp_src, src->family, src->ip, src->port))
		return true;
	if (t->open)
		return true;
	memset(&meta, 0, sizeof(meta));
	meta.family = src->family;
	meta.src_port = src->port;
	memcpy(meta.src, src->ip, sizeof(meta.src));
	return rtp_latch_rule(w, t, 0, &meta) != RTP_LATCH_REFUSE;
}

/* Would t take a packet of flow from this source, were it authentic?
 * rtp_latch_rule() without its effects: SRTP's state (its replay
 * window, ROC and streams) must not move for a packet whose source would
 * then be dropped, nor pay for its crypto. */
static bool __rte_noinline
rtp_src_may(const struct dp_worker *w, const struct rtp_term *t, unsigned int flow,
	    const struct dp_udp_meta *meta)
{
	return rtp_latch_rule(w, t, flow, meta) != RTP_LATCH_REFUSE;
}

/* Is this packet's source one t takes on flow (0 RTP or rtcp-mux, 1 RTCP
 * of a pair)? The latched source is one compare, an open termination
 * one test. */
static inline enum rtp_src
rtp_src_check(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti, unsigned int flow,
	      struct rte_mbuf *m, const struct dp_udp_meta *meta, bool verified)
{
	const struct rtp_term *t = &c->t[ti];
	const struct ipc_addr *l = flow == 0 ? &t->rtp_src : &t->rtcp_src;

	if (likely(t->latched & (flow == 0 ? IPC_RTP_LATCHED_RTP : IPC_RTP_LATCHED_RTCP)) &&
	    likely(rtp_addr_is(l, meta->family, meta->src, meta->src_port)))
		return RTP_SRC_OK;
	/* a termination that neither latches nor filters (a core's, often) */
	if (t->open)
		return RTP_SRC_OK;
	return rtp_src_new(w, c, ti, flow, m, meta, verified);
}

/* tman (H.248.53): bytes from t's network against its bucket, in
 * thousandths of a byte on the worker's ms clock (rate bytes a second is
 * rate thousandths a ms). */
static inline bool
rtp_police(struct rtp_term *t, uint32_t bytes, uint64_t now_ms)
{
	uint64_t need = (uint64_t)bytes * 1000u;

	if (now_ms != t->pol_ms) {
		uint64_t cap = (uint64_t)t->pol_burst * 1000u;
		uint64_t dt = now_ms - t->pol_ms;

		/* (a bucket idle for a day is full: no overflow) */
		if (dt > 86400000u)
			dt = 86400000u;
		t->pol_tokens += dt * t->pol_rate;
		if (t->pol_tokens > cap)
			t->pol_tokens = cap;
		t->pol_ms = now_ms;
	}
	if (t->pol_tokens < need)
		return false;
	t->pol_tokens -= need;
	return true;
}

/* Datagrams of another class than RTP's on a media port: counted by it. */
static void __rte_noinline __rte_cold
rtp_not_rtp(struct rtp_worker *rw, struct rtp_term *t, const uint8_t *p, uint16_t len)
{
	static const uint8_t ctr_of[RTP_DEMUX_COUNT] = {
		[RTP_DEMUX_UNKNOWN] = RTP_CTR_NOT_RTP_OTHER,
		[RTP_DEMUX_STUN] = RTP_CTR_NOT_RTP_STUN,
		[RTP_DEMUX_ZRTP] = RTP_CTR_NOT_RTP_ZRTP,
		[RTP_DEMUX_DTLS] = RTP_CTR_NOT_RTP_DTLS,
		[RTP_DEMUX_TURN] = RTP_CTR_NOT_RTP_TURN,
		[RTP_DEMUX_RTP] = RTP_CTR_MALFORMED,     /* one octet of RTP's class */
	};
	enum rtp_demux d = rtp_demux(p, len);

	rw->ctr[ctr_of[d]]++;
	if (d == RTP_DEMUX_RTP)
		rw->malformed[RTP_E_SHORT]++;
	t->ctr.malformed++;
}

/* SRTP's refusal rc (-enum rtp_srtp_err) of a packet of t's, counted. */
static void __rte_noinline __rte_cold
rtp_srtp_fail(struct rtp_worker *rw, struct rtp_term *t, int rc)
{
	unsigned int e = (unsigned int)-rc;

	rw->srtp_err[e < RTP_SRTP_E_COUNT ? e : RTP_SRTP_E_CRYPTO]++;
	t->ctr.srtp++;
	rw->ctr[RTP_CTR_SRTP]++;
}

/* SRTP's RTP_SRTP_TELL: c's positions go to cp (a new SSRC, or a stream
 * protected IPC_SRTP_TELL past what cp heard), as a pending event: the
 * state at the flush, one a context whatever happens meanwhile. */
static inline void
srtp_tell_ev(struct rtp_worker *rw, struct rtp_ctx *c)
{
	if (!(c->ev & RTP_EV_SRTP_POS))
		rw->ctr[RTP_CTR_EVENTS]++;
	c->ev |= (uint16_t)RTP_EV_SRTP_POS;
	rtp_ev_queue(rw, c);
}

static void __rte_noinline
rtp_srtp_tell(struct rtp_worker *rw, struct rtp_ctx *c)
{
	srtp_tell_ev(rw, c);
}

/* The first SRTP or SRTCP authenticated under a handshake's keys: the
 * peer has our last flight (DTLS-SRTP's linger ends). */
static void __rte_noinline __rte_cold
rtp_dtls_seen(struct dp_worker *w, struct rtp_ctx *c, struct rtp_term *t)
{
	struct rtp_worker *rw = w->rtp;

	t->dtls &= (uint8_t)~RTP_DTLS_SEEN_WAIT;
	rw->dtls_ops->srtp_seen(w, 2u * (uint32_t)(c - rw->ctx) + (uint32_t)(t - c->t));
}

/*
 * SRTP (FEATURE.md "SRTP"): t's network sends SRTP, unprotected in place
 * before anything acts on it; false when it fails (counted: a failed
 * packet changes nothing, latches nothing). The payload changed: its
 * checksum is not carried.
 */
static inline bool
rtp_srtp_in(struct dp_worker *w, struct rtp_ctx *c, struct rtp_term *t, struct rtp_ctx *xc,
	    struct rtp_term *xt, struct rte_mbuf *m, const struct dp_udp_meta *meta,
	    uint16_t *len, bool rtcp)
{
	struct rtp_worker *rw = w->rtp;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->payload_off);
	int rc = rw->srtp_ops->unprotect(t->srtp_in, p, len, rtcp);

	if (likely(rc == 0) && likely(!(xt->dtls & RTP_DTLS_SEEN_WAIT)))
		return true;
	if (rc < 0) {
		rtp_srtp_fail(rw, t, rc);
		return false;
	}
	if (rc != 0)
		rtp_srtp_tell(rw, c);
	/* (the handshake is the transport's: a section's packet under its
	 * keys ends its linger too) */
	if (xt->dtls & RTP_DTLS_SEEN_WAIT)
		rtp_dtls_seen(w, xc, xt);
	return true;
}

/* RTP_SRTP_TELL of a protect by x's context (o's, c's termination; or
 * for a BUNDLE section's RTCP, x the group's transport): a section's
 * context may hold a new SSRC, the clash rule's from now on
 * (rtp_bundle_out_sync()); cp hears of the context that protected (the
 * owner's SRTCP index, which every section's RTCP moves: review F6.4). */
static void __rte_noinline
rtp_srtp_tell_out(struct rtp_worker *rw, struct rtp_ctx *c, const struct rtp_term *o,
		  const struct rtp_term *x, bool rtcp)
{
	if (!rtcp && o->bundle)
		rtp_bundle_out_sync(rw, 2u * (uint32_t)(c - rw->ctx) + (uint32_t)(o - c->t));
	srtp_tell_ev(rw, x == o ? c :
		     &rw->ctx[((uintptr_t)x - (uintptr_t)rw->ctx) / sizeof(*rw->ctx)]);
}

/* The same for what goes to o's network by x's context (o's, or for a
 * BUNDLE section's RTCP its transport's), the payload at p (len bytes,
 * room after it in the mbuf); false when it cannot be protected (counted). */
static inline bool
rtp_srtp_out(struct rtp_worker *rw, struct rtp_ctx *c, struct rtp_term *o,
	     const struct rtp_term *x, uint8_t *p, uint16_t *len, uint16_t room, bool rtcp)
{
	int rc = rw->srtp_ops->protect(x->srtp_out, p, len, room, rtcp);

	if (likely(rc == 0))
		return true;
	if (rc < 0) {
		rtp_srtp_fail(rw, o, rc);
		return false;
	}
	if (rc & RTP_SRTP_SHIFTED)
		rw->ctr[RTP_CTR_SRTP_SHIFTED]++;
	if (rc & RTP_SRTP_TELL)
		rtp_srtp_tell_out(rw, c, o, x, rtcp);
	return true;
}

/*
 * A valid packet of flow (0 RTP or rtcp-mux, 1 RTCP of a pair) to
 * termination xti of xc, the transport (the port's: a BUNDLE group's
 * owner), for media termination t of c (xc's own, or a section of the
 * group): SRTP's unprotect first, by t's context, when its network speaks
 * SRTP (authenticated before it may latch or count), then its source, by
 * the transport's rules. The tag covers every octet of the payload, so
 * the UDP checksum adds nothing there; but a packet that may latch has it
 * verified first (the port learnt must be the one sent), before
 * decryption changes the payload (*carry off).
 */
static inline enum rtp_src
rtp_accept(struct dp_worker *w, struct rtp_ctx *xc, unsigned int xti, struct rtp_ctx *c,
	   struct rtp_term *t, unsigned int flow, struct rte_mbuf *m,
	   const struct dp_udp_meta *meta, uint16_t *len, bool rtcp, bool *carry)
{
	struct rtp_term *xt = &xc->t[xti];

	if (unlikely(t->srtp & RTP_SRTP_IN)) {
		const struct ipc_addr *l = flow == 0 ? &xt->rtp_src : &xt->rtcp_src;
		bool known = xt->open ||
			     ((xt->latched & (flow == 0 ? IPC_RTP_LATCHED_RTP :
						  IPC_RTP_LATCHED_RTCP)) &&
			      rtp_addr_is(l, meta->family, meta->src, meta->src_port));

		if (!known && !rtp_src_may(w, xt, flow, meta))
			return RTP_SRC_STRANGER;
		if (!known && !dp_udp_cksum_verify(m, meta))
			return RTP_SRC_BAD_CKSUM;
		if (!rtp_srtp_in(w, c, t, xc, xt, m, meta, len, rtcp))
			return RTP_SRC_SRTP;
		*carry = false;
		return rtp_src_check(w, xc, xti, flow, m, meta, true);
	}
	return rtp_src_check(w, xc, xti, flow, m, meta, false);
}

/* ---- BUNDLE (RFC 9143): the owner's port to its group's sections ------------------ */

/* The place in g of the section whose mid is v (vlen octets), -1 none.
 * (A mid is a few octets, "0" or "audio": compared in line, not by a
 * call to memcmp().) */
static int
bundle_mid_of(const struct rtp_bundle *g, const uint8_t *v, size_t vlen)
{
	for (unsigned int m = 0; m < g->n; m++) {
		unsigned int i;

		if (g->mid_len[m] != vlen)
			continue;
		for (i = 0; i < vlen && (uint8_t)g->mid[m][i] == v[i]; i++)
			;
		if (i == vlen)
			return (int)m;
	}
	return -1;
}

/* bundle_rtp_in()'s place flag: the SSRC is to be bound to it */
#define BUNDLE_LEARN 0x100

/*
 * RTP p (valid: rtp_parse() or srtp_parse() took it; its SSRC ssrc, its
 * payload type pt) on the port of group g's owner: the
 * section it is for, a place in g->idx[] (RFC 9143 §9.2): its SSRC's
 * binding, else its MID (RFC 8285's element of id g->mid_ext), else a
 * payload type one section has. A MID of no section (or an extension
 * that does not hold together) is dropped, never routed by payload type
 * instead; a bound SSRC whose MID names another section is dropped, not
 * moved: its earlier packets would be taken once more by the other
 * section's replay window (so is an SSRC of a section released under
 * SRTP, RTP_BUNDLE_RELEASED, until a new receive key; and every unbound
 * one while such an SSRC found no room). | BUNDLE_LEARN: an SSRC bound to none, to be
 * bound once its packet is taken (bundle_bind(): an SSRC the group has no
 * room for is refused here, before SRTP's state moves). -1: dropped,
 * counted. (What rtp_ext_find() reads of the header is read again here
 * from the valid packet: the caller's struct rtp_hdr stays in its
 * registers, which the unbundled packet's cost is.)
 */
static int __rte_noinline
bundle_rtp_in(struct rtp_worker *rw, const struct rtp_bundle *g, const uint8_t *p,
	      uint32_t ssrc, uint8_t pt)
{
	struct rtp_hdr hh, *h = &hh;
	const uint8_t *v;
	size_t vlen;
	int m = -1, mid = -1;
	uint8_t x;

	/* (what rtp_ext_find() reads: ext, ext_profile, ext_len, hdr_len) */
	h->ext_profile = 0;
	h->ext_len = 0;
	h->hdr_len = 0;
	h->ssrc = ssrc;
	h->pt = pt;
	h->cc = p[0] & 0x0fu;
	h->ext = (p[0] & 0x10u) != 0;
	if (h->ext && g->mid_ext != 0) {
		const uint8_t *b = p + RTP_HDR_LEN + 4u * h->cc;

		h->ext_profile = (uint16_t)(b[0] << 8 | b[1]);
		h->ext_len = (uint16_t)(4u * (unsigned int)(b[2] << 8 | b[3]));
		h->hdr_len = (uint16_t)(RTP_HDR_LEN + 4u * h->cc + 4u + h->ext_len);
	}
	for (unsigned int k = 0; k < g->nbind; k++)
		if (g->bind_ssrc[k] == h->ssrc) {
			m = g->bind_m[k];
			break;
		}
	if (h->ext && g->mid_ext != 0) {
		int rc = rtp_ext_find(p, h, g->mid_ext, &v, &vlen);

		if (rc == 1)
			mid = bundle_mid_of(g, v, vlen);
		if (rc < 0 || (rc == 1 && mid < 0)) {
			rw->ctr[RTP_CTR_BDL_UNKNOWN_MID]++;
			return -1;
		}
	}
	if (m >= 0) {
		if (m == RTP_BUNDLE_RELEASED) {
			rw->ctr[RTP_CTR_BDL_SSRC_RELEASED]++;
			return -1;
		}
		if (mid >= 0 && mid != m) {
			rw->ctr[RTP_CTR_BDL_MID_MOVED]++;
			return -1;
		}
		return m;
	}
	if (mid < 0) {
		x = g->pt_of[h->pt];
		if (x == 0 || x == RTP_BUNDLE_SHARED) {
			rw->ctr[RTP_CTR_BDL_UNKNOWN]++;
			return -1;
		}
		mid = x - 1;
	}
	if (g->nbind == RTP_BUNDLE_BINDS) {
		rw->ctr[RTP_CTR_BDL_SSRC_FULL]++;
		return -1;
	}
	if (g->released_full) {
		rw->ctr[RTP_CTR_BDL_SSRC_RELEASED]++;
		return -1;
	}
	return mid | BUNDLE_LEARN;
}

/* ssrc's packet to section m of g was taken (authenticated, under SRTP):
 * it is m's from now on. */
static void __rte_noinline
bundle_bind(struct rtp_worker *rw, struct rtp_bundle *g, uint32_t ssrc, int m)
{
	g->bind_ssrc[g->nbind] = ssrc;
	g->bind_m[g->nbind++] = (uint8_t)m;
	rw->ctr[RTP_CTR_BDL_BOUND]++;
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The place in g of the section that sends the peer ssrc, -1 none. */
static int
bundle_sender_of(const struct rtp_bundle *g, uint32_t ssrc)
{
	for (unsigned int m = 0; m < g->n; m++)
		for (unsigned int k = 0; k < g->nout[m]; k++)
			if (g->out_ssrc[m][k] == ssrc)
				return (int)m;
	return -1;
}

/* How many of a compound's packets the routing looks at for a report
 * block or a feedback message naming a section's SSRC */
#define BUNDLE_RTCP_LOOK 4u

/*
 * A compound (clear, len octets) on the port of group g's owner, taken:
 * the section it goes to whole (not split: RFC 3550 §6.4.1's receiver
 * ignores blocks about SSRCs it does not know): the one its sender SSRC
 * is bound to; else the one that sends the SSRC its first packets' report
 * block or feedback (RFC 4585 §6.1's media source) is about (a receive-
 * only section's reports come from an SSRC that sends no RTP); else the
 * owner's.
 */
static unsigned int __rte_noinline
bundle_rtcp_in(struct rtp_worker *rw, const struct rtp_bundle *g, const uint8_t *p,
	       uint16_t len)
{
	struct rtcp_iter it;
	struct rtcp_pkt pk;
	struct rtcp_block b;
	int m;

	/* (a reduced-size compound's first packet may be its header alone:
	 * no sender SSRC) */
	for (unsigned int k = 0; len >= 8 && k < g->nbind; k++)
		if (g->bind_ssrc[k] == rd32(p + 4) && g->bind_m[k] != RTP_BUNDLE_RELEASED) {
			rw->ctr[RTP_CTR_BDL_RTCP_SENDER]++;
			return g->bind_m[k];
		}
	rtcp_iter_init(&it, p, len);
	for (unsigned int n = 0; n < BUNDLE_RTCP_LOOK && rtcp_iter_next(&it, &pk); n++) {
		m = -1;
		if ((pk.pt == RTCP_PT_SR || pk.pt == RTCP_PT_RR) && rtcp_block_read(&pk, 0, &b))
			m = bundle_sender_of(g, b.ssrc);
		else if ((pk.pt == RTCP_PT_RTPFB || pk.pt == RTCP_PT_PSFB) && pk.len >= 12)
			m = bundle_sender_of(g, rd32(pk.p + 8));
		if (m >= 0) {
			rw->ctr[RTP_CTR_BDL_RTCP_REPORT]++;
			return (unsigned int)m;
		}
	}
	rw->ctr[RTP_CTR_BDL_RTCP_OWNER]++;
	return 0;
}

/*
 * What goes to BUNDLE section o (of c) goes by its group's transport: the
 * owner's termination, returned (o itself for the owner's section), or
 * NULL (dropped, counted): a member whose owner is gone; RTP of an SSRC
 * another section of the group sends (or one gone sent) under the
 * group's key, which would be protected with the same keystream twice
 * (RFC 3711 §9.1: the two core sides are two RTP sessions of a SIP UA's,
 * their SSRCs chosen apart). Under SRTP a section's new SSRC becomes its
 * own only once its context protected it (the protect's RTP_SRTP_TELL,
 * rtp_bundle_out_sync(): the table is what the contexts hold, so an SSRC
 * dropped after this, before its protect, holds no place); in the clear,
 * here (the first IPC_SRTP_SSRCS: RTCP's routing by report block).
 */
/* RTP of o's (c's termination) to the peer refused for its SSRC: counted,
 * and kept for cp (the sweep tells it, at most every RTP_CLASH_TELL_MS
 * a context: rtp_cp.c). NULL. */
static struct rtp_term *
bundle_clash(struct rtp_worker *rw, struct rtp_ctx *c, const struct rtp_term *o, uint32_t ssrc)
{
	rw->ctr[RTP_CTR_BDL_SSRC_CLASH]++;
	c->clash_term = (uint8_t)(o - c->t);
	c->clash_ssrc = ssrc;
	if (c->clashes != UINT32_MAX)
		c->clashes++;
	return NULL;
}

static struct rtp_term * __rte_noinline
bundle_out(struct rtp_worker *rw, struct rtp_ctx *c, struct rtp_term *o, const uint8_t *p,
	   bool rtcp)
{
	uint32_t idx = 2u * (uint32_t)(c - rw->ctx) + (uint32_t)(o - c->t), oidx = idx;
	struct rtp_bundle *g;
	struct rtp_term *ox;
	uint32_t ssrc;
	unsigned int m;

	if (o->bundle == IPC_RTP_BUNDLE_MEMBER) {
		if (o->xport == 0) {
			rw->ctr[RTP_CTR_BDL_ORPHANED]++;
			o->ctr.no_dest++;
			return NULL;
		}
		oidx = o->xport - 1u;
	}
	ox = &rw->ctx[oidx >> 1].t[oidx & 1u];
	if (rtcp)
		return ox;
	g = &rw->bdl[oidx >> 1];
	ssrc = rd32(p + 8);
	for (m = 0; m < g->n && g->idx[m] != idx; m++)
		;
	for (unsigned int k = 0; m < g->n && k < g->nout[m]; k++)
		if (g->out_ssrc[m][k] == ssrc)
			return ox;
	if (m == g->n || bundle_sender_of(g, ssrc) >= 0 || g->gone_full)
		return bundle_clash(rw, c, o, ssrc);
	for (unsigned int k = 0; k < g->ngone; k++)
		if (g->gone_ssrc[k] == ssrc)
			return bundle_clash(rw, c, o, ssrc);
	if (!(o->srtp & RTP_SRTP_OUT) && g->nout[m] < IPC_SRTP_SSRCS)
		g->out_ssrc[m][g->nout[m]++] = ssrc;
	return ox;
}

/*
 * m's payload (len bytes at meta->payload_off) from o's local address
 * and sport to dst: the UDP and IP headers rebuilt in front of it (in the
 * room the received ones leave), the checksum carried when the payload is
 * what was received, and out. Consumes m.
 */
static inline void
rtp_out(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta,
	const struct rtp_term *o, const struct ipc_addr *dst, uint16_t sport, uint16_t len,
	bool carry, uint8_t ecn)
{
	const uint8_t *udp = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->payload_off - 8);
	uint16_t l3 = o->family == NET_AF_IPV4 ? 20 : 40;
	uint32_t sum = 0;
	uint8_t *h, *u;

	/* the payload's sum from the received checksum, before the new
	 * headers overwrite the old ones */
	carry = carry && net_udp_region_sum(meta->family, meta->src, meta->dst, udp, 8, len,
					    &sum);
	rte_pktmbuf_adj(m, meta->payload_off);
	if (rte_pktmbuf_pkt_len(m) != len)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - len));
	h = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)(l3 + 8));
	if (unlikely(h == NULL)) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	u = h + l3;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dst->port >> 8);
	u[3] = (uint8_t)dst->port;
	u[4] = (uint8_t)((len + 8) >> 8);
	u[5] = (uint8_t)(len + 8);
	if (o->family == NET_AF_IPV4)
		ipv4_build_hdr_ds(h, o->local, dst->ip, 17, 64, (uint16_t)(l3 + 8 + len),
				  (uint8_t)(o->ds | ecn));
	else
		ipv6_build_hdr_tc(h, o->local, dst->ip, 17, 64, (uint16_t)(len + 8),
				  (uint8_t)(o->ds | ecn));
	if (likely(carry)) {
		uint16_t ck = net_udp_cksum_with(o->family, o->local, dst->ip, sport, dst->port,
						 (uint16_t)(len + 8), sum);

		u[6] = (uint8_t)(ck >> 8);
		u[7] = (uint8_t)ck;
		dp_udp_cksum_done(m, o->family);
	} else {
		u[6] = 0;
		u[7] = 0;
		dp_udp_cksum_offer(m, o->family);
	}
	dp_ip_output(w, m, o->family, dst->ip);
}

void
rtp_reply(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta,
	  const struct rtp_term *t, const uint8_t *buf, uint16_t len)
{
	struct ipc_addr dst;
	uint32_t end = (uint32_t)meta->payload_off + len;

	if (rte_pktmbuf_pkt_len(m) < end &&
	    rte_pktmbuf_append(m, (uint16_t)(end - rte_pktmbuf_pkt_len(m))) == NULL) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, meta->payload_off), buf, len);
	memset(&dst, 0, sizeof(dst));
	dst.family = meta->family;
	dst.port = meta->src_port;
	memcpy(dst.ip, meta->src, meta->family == NET_AF_IPV4 ? 4 : 16);
	rtp_out(w, m, meta, t, &dst, meta->dst_port, len, false, 0);
}

void
rtp_udp_input(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta,
	      void *arg)
{
	struct rtp_worker *rw = w->rtp;
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->payload_off);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	uint16_t len = meta->payload_len;
	const uint32_t *slot = rtp_port_slot(rw, rtp_addr_index(rw, meta->family, meta->dst),
					     meta->dst_port);
	struct rtp_ctx *c;
	struct rtp_term *t, *o, *ox;
	const struct ipc_addr *dst;
	unsigned int ti;
	uint32_t e;
	uint16_t sport;
	enum rtp_err err;
	enum rtp_src src;
	bool rtcp, carry = true;
	uint8_t ecn;

	(void)arg;
	if (unlikely(slot == NULL || *slot == 0)) {
		rw->ctr[RTP_CTR_NO_TERM]++;
		rte_pktmbuf_free(m);
		return;
	}
	e = *slot - 1u;
	c = &rw->ctx[e >> 2];
	ti = (e >> 1) & 1u;
	t = &c->t[ti];
	if (unlikely(len < 2 || (p[0] & 0xc0) != 0x80)) {
		/* RFC 7983: 0-3 is STUN, an ICE termination's checks */
		if (t->ice && len >= 20 && p[0] < 4) {
			rtp_ice_input(w, c, ti, e & 1u, m, meta);
			return;
		}
		/* 20-63 is DTLS: a DTLS-SRTP termination's handshake, on its
		 * RTP port (rtcp-mux) */
		if (t->dtls && p[0] >= 20 && p[0] <= 63) {
			rw->dtls_ops->input(w, 2u * (e >> 2) + ti, m, meta);
			return;
		}
		rtp_not_rtp(rw, t, p, len);
		rte_pktmbuf_free(m);
		return;
	}
	/* RFC 5761 §4: on a muxed port RTCP's types 192-223 in octet 1 */
	rtcp = (e & 1u) != 0 || ((t->flags & IPC_RTP_F_MUX) && p[1] >= RTCP_PT_MIN &&
				 p[1] <= RTCP_PT_MAX);
	if (likely(!rtcp)) {
		struct rtp_hdr h;
		int bm = 0;

		err = likely(!(t->srtp & RTP_SRTP_IN)) ? rtp_parse(p, len, &h) :
			srtp_parse(p, len, t->srtp_trailer, &h);
		if (unlikely(err != RTP_OK))
			goto malformed;
		/* a BUNDLE owner's port: the section's termination is the
		 * media's from here (the port's stays the transport) */
		if (unlikely(t->bundle)) {
			uint32_t idx;

			bm = bundle_rtp_in(rw, &rw->bdl[e >> 2], p, h.ssrc, h.pt);
			if (bm < 0)
				goto free;
			idx = rw->bdl[e >> 2].idx[bm & 0xff];
			c = &rw->ctx[idx >> 1];
			ti = idx & 1u;
			t = &c->t[ti];
		}
		src = rtp_accept(w, &rw->ctx[e >> 2], (e >> 1) & 1u, c, t, 0, m, meta, &len, false,
				 &carry);
		if (unlikely(src != RTP_SRC_OK))
			goto bad_src;
		if (unlikely(bm & BUNDLE_LEARN))
			bundle_bind(rw, &rw->bdl[e >> 2], h.ssrc, bm & 0xff);
		rtp_rx_update(&t->rx, &h, len,
			      (uint32_t)(((unsigned __int128)dp_now() * t->clock_mul) >> 32));
	} else {
		err = likely(!(t->srtp & RTP_SRTP_IN)) ?
			rtcp_check(p, len, (t->flags & IPC_RTP_F_RSIZE) ? RTCP_REDUCED_SIZE : 0,
				   NULL) :
			srtcp_check(p, len, t->srtcp_trailer, t->srtcp_mki,
				    ((t->flags & IPC_RTP_F_RSIZE) ? RTCP_REDUCED_SIZE : 0) |
				    ((t->srtp & RTP_SRTP_AEAD) ? SRTCP_AEAD : 0), NULL);
		if (unlikely(err != RTP_OK))
			goto malformed;
		src = rtp_accept(w, c, ti, c, t, (t->flags & IPC_RTP_F_MUX) ? 0u : 1u, m, meta,
				 &len, true, &carry);
		if (unlikely(src != RTP_SRC_OK))
			goto bad_src;
		/* SRTCP's compound, decrypted, is held to what plain RTCP is */
		if (unlikely(t->srtp & RTP_SRTP_IN) &&
		    (err = rtcp_check(p, len, (t->flags & IPC_RTP_F_RSIZE) ? RTCP_REDUCED_SIZE : 0,
				      NULL)) != RTP_OK)
			goto malformed;
		/* a BUNDLE owner's: SRTCP unprotected by its context (one
		 * SRTCP window a sender SSRC for the transport), the compound
		 * then a section's */
		if (unlikely(t->bundle)) {
			uint32_t idx = rw->bdl[e >> 2].idx[bundle_rtcp_in(rw, &rw->bdl[e >> 2], p,
									  len)];

			c = &rw->ctx[idx >> 1];
			ti = idx & 1u;
			t = &c->t[ti];
		}
		t->ctr.rtcp_in++;
		t->ctr.rtcp_in_octets += len;
	}
	t->heard_ms = w->now_ms;
	t->inactive = 0;
	o = &c->t[ti ^ 1u];
	if (unlikely(!o->on)) {
		rw->ctr[RTP_CTR_NO_PEER]++;
		t->ctr.mode++;
		goto free;
	}
	if (unlikely(!(t->mode & IPC_RTP_MODE_RECV) || !(o->mode & IPC_RTP_MODE_SEND))) {
		rw->ctr[RTP_CTR_MODE]++;
		t->ctr.mode++;
		goto free;
	}
	if (unlikely(t->pol_rate != 0) && !rtp_police(t, len, w->now_ms)) {
		rw->ctr[RTP_CTR_POLICED]++;
		t->ctr.policed++;
		goto free;
	}
	/* a BUNDLE section's: by its group's transport (ox: the owner's
	 * destination, consent and port; o's DSCP, counts and SRTP) */
	ox = o;
	if (unlikely(o->bundle) && (ox = bundle_out(rw, c, o, p, rtcp)) == NULL)
		goto free;
	dst = rtcp ? &ox->rtcp_to : &ox->rtp_to;
	/* ICE: only to the nominated pair, while its consent lasts */
	if (unlikely(ox->ice) &&
	    !rtp_ice_may_send(w, ox, rtcp && !(ox->flags & IPC_RTP_F_MUX) ? 1u : 0u)) {
		rw->ctr[RTP_CTR_NO_CONSENT]++;
		o->ctr.no_dest++;
		goto free;
	}
	if (unlikely(dst->port == 0)) {
		rw->ctr[RTP_CTR_NO_DEST]++;
		o->ctr.no_dest++;
		goto free;
	}
	sport = rtcp ? ox->rtcp_port : ox->port;
	/* lawful interception (rtp_li.c): the RTP in the clear, before the
	 * other side's protect */
	if (unlikely(t->tap) && !rtcp)
		rtp_li_copy(w, c, t, ox, m, meta, len, dst, sport);
	if (unlikely(o->srtp & RTP_SRTP_OUT)) {
		uint8_t *q = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->payload_off);
		uint16_t room = (uint16_t)(rte_pktmbuf_tailroom(m) +
					   (rte_pktmbuf_pkt_len(m) - meta->payload_off - len));

		/* (SRTCP by the transport's context: one SRTCP index a
		 * 5-tuple, whatever SSRC each section's RTCP carries) */
		if (!rtp_srtp_out(rw, c, o, rtcp ? ox : o, q, &len, room,
				  rtcp))
			goto free;
		/* the tag grew the datagram within the mbuf's room */
		if (rte_pktmbuf_pkt_len(m) < (uint32_t)meta->payload_off + len)
			rte_pktmbuf_append(m, (uint16_t)(meta->payload_off + len -
							 rte_pktmbuf_pkt_len(m)));
		carry = false;
	}
	/* TS 23.334 §6.2.13: ECN passes through (the low two bits of the
	 * received DS byte or traffic class) */
	ecn = meta->family == NET_AF_IPV4 ? (uint8_t)(l3[1] & 3u) : (uint8_t)((l3[1] >> 4) & 3u);
	if (rtcp) {
		o->ctr.rtcp_out++;
		o->ctr.rtcp_out_octets += len;
		rw->ctr[RTP_CTR_RTCP_RELAYED]++;
	} else {
		rtp_tx_count(&o->tx, len);
		rw->ctr[RTP_CTR_RTP_RELAYED]++;
	}
	rtp_out(w, m, meta, o, dst, sport, len, carry, ecn);
	return;
malformed:
	rw->ctr[RTP_CTR_MALFORMED]++;
	rw->malformed[err]++;
	t->ctr.malformed++;
	goto free;
bad_src:
	if (src == RTP_SRC_SRTP) {
		/* (counted by the seam's call) */
	} else if (src == RTP_SRC_BAD_CKSUM) {
		rw->ctr[RTP_CTR_LATCH_CKSUM]++;
		t->ctr.malformed++;
	} else {
		rw->ctr[RTP_CTR_STRANGER]++;
		t->ctr.stranger++;
	}
free:
	rte_pktmbuf_free(m);
}
