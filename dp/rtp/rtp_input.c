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
static void __rte_noinline
rtp_srtp_tell(struct rtp_worker *rw, struct rtp_ctx *c)
{
	if (!(c->ev & RTP_EV_SRTP_POS))
		rw->ctr[RTP_CTR_EVENTS]++;
	c->ev |= (uint16_t)RTP_EV_SRTP_POS;
	rtp_ev_queue(rw, c);
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
rtp_srtp_in(struct dp_worker *w, struct rtp_ctx *c, struct rtp_term *t, struct rte_mbuf *m,
	    const struct dp_udp_meta *meta, uint16_t *len, bool rtcp)
{
	struct rtp_worker *rw = w->rtp;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->payload_off);
	int rc = rw->srtp_ops->unprotect(t->srtp_in, p, len, rtcp);

	if (likely(rc == 0) && likely(!(t->dtls & RTP_DTLS_SEEN_WAIT)))
		return true;
	if (rc < 0) {
		rtp_srtp_fail(rw, t, rc);
		return false;
	}
	if (rc != 0)
		rtp_srtp_tell(rw, c);
	if (t->dtls & RTP_DTLS_SEEN_WAIT)
		rtp_dtls_seen(w, c, t);
	return true;
}

/* The same for what goes to o's network, the payload at p (len bytes,
 * room after it in the mbuf); false when it cannot be protected (counted). */
static inline bool
rtp_srtp_out(struct rtp_worker *rw, struct rtp_ctx *c, struct rtp_term *o, uint8_t *p,
	     uint16_t *len, uint16_t room, bool rtcp)
{
	int rc = rw->srtp_ops->protect(o->srtp_out, p, len, room, rtcp);

	if (likely(rc == 0))
		return true;
	if (rc < 0) {
		rtp_srtp_fail(rw, o, rc);
		return false;
	}
	rtp_srtp_tell(rw, c);
	return true;
}

/*
 * A valid packet of flow (0 RTP or rtcp-mux, 1 RTCP of a pair) to
 * termination ti of c: SRTP's unprotect first when its network speaks
 * SRTP (authenticated before it may latch or count), then its source.
 * The tag covers every octet of the payload, so the UDP checksum adds
 * nothing there; but a packet that may latch has it verified first (the
 * port learnt must be the one sent), before decryption changes the
 * payload (*carry off).
 */
static inline enum rtp_src
rtp_accept(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti, unsigned int flow,
	   struct rte_mbuf *m, const struct dp_udp_meta *meta, uint16_t *len, bool rtcp,
	   bool *carry)
{
	struct rtp_term *t = &c->t[ti];

	if (unlikely(t->srtp & RTP_SRTP_IN)) {
		const struct ipc_addr *l = flow == 0 ? &t->rtp_src : &t->rtcp_src;
		bool known = t->open ||
			     ((t->latched & (flow == 0 ? IPC_RTP_LATCHED_RTP :
						 IPC_RTP_LATCHED_RTCP)) &&
			      rtp_addr_is(l, meta->family, meta->src, meta->src_port));

		if (!known && !rtp_src_may(w, t, flow, meta))
			return RTP_SRC_STRANGER;
		if (!known && !dp_udp_cksum_verify(m, meta))
			return RTP_SRC_BAD_CKSUM;
		if (!rtp_srtp_in(w, c, t, m, meta, len, rtcp))
			return RTP_SRC_SRTP;
		*carry = false;
		return rtp_src_check(w, c, ti, flow, m, meta, true);
	}
	return rtp_src_check(w, c, ti, flow, m, meta, false);
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
	struct rtp_term *t, *o;
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

		err = likely(!(t->srtp & RTP_SRTP_IN)) ? rtp_parse(p, len, &h) :
			srtp_parse(p, len, t->srtp_trailer, &h);
		if (unlikely(err != RTP_OK))
			goto malformed;
		src = rtp_accept(w, c, ti, 0, m, meta, &len, false, &carry);
		if (unlikely(src != RTP_SRC_OK))
			goto bad_src;
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
		src = rtp_accept(w, c, ti, (t->flags & IPC_RTP_F_MUX) ? 0u : 1u, m, meta, &len,
				 true, &carry);
		if (unlikely(src != RTP_SRC_OK))
			goto bad_src;
		/* SRTCP's compound, decrypted, is held to what plain RTCP is */
		if (unlikely(t->srtp & RTP_SRTP_IN) &&
		    (err = rtcp_check(p, len, (t->flags & IPC_RTP_F_RSIZE) ? RTCP_REDUCED_SIZE : 0,
				      NULL)) != RTP_OK)
			goto malformed;
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
	dst = rtcp ? &o->rtcp_to : &o->rtp_to;
	/* ICE: only to the nominated pair, while its consent lasts */
	if (unlikely(o->ice) &&
	    !rtp_ice_may_send(w, o, rtcp && !(o->flags & IPC_RTP_F_MUX) ? 1u : 0u)) {
		rw->ctr[RTP_CTR_NO_CONSENT]++;
		o->ctr.no_dest++;
		goto free;
	}
	if (unlikely(dst->port == 0)) {
		rw->ctr[RTP_CTR_NO_DEST]++;
		o->ctr.no_dest++;
		goto free;
	}
	sport = rtcp ? o->rtcp_port : o->port;
	if (unlikely(o->srtp & RTP_SRTP_OUT)) {
		uint8_t *q = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->payload_off);
		uint16_t room = (uint16_t)(rte_pktmbuf_tailroom(m) +
					   (rte_pktmbuf_pkt_len(m) - meta->payload_off - len));

		if (!rtp_srtp_out(rw, c, o, q, &len, room, rtcp))
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
