/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICE on an RTP termination (FEATURE.md "ICE"): dp is a lite agent (RFC
 * 8445 §2.5), always controlled, on the termination's own port, on the
 * worker that owns it. A Binding request there is a peer's connectivity
 * check, answered here, no cp round trip, in the request's own mbuf; what
 * it proves decides where the termination's media come from and go:
 *
 *   a valid check     its source passed: media from it are taken while its
 *                     last check is within agw.ice_consent_ms
 *   USE-CANDIDATE     its source is the flow's nominated pair (the
 *                     termination's latched source): where media go, the
 *                     one compare the fast path makes (RFC 8445 §7.3.2)
 *   consent           a valid check from the nominated pair's remote
 *                     renews it (RFC 7675 §5.1); none for
 *                     agw.ice_consent_ms and media to it stop, cp told
 *                     once (the sweep, rtp_ice_scan()); the next renews it
 *
 * A check is judged cheapest first, so that what a stranger can send
 * costs it (and the worker) least: lib/stun's parse, the FINGERPRINT
 * (DPDK's CRC-32), the USERNAME against our ufrag and the peer's (a
 * compare), the termination's budget of HMACs, and only then the
 * MESSAGE-INTEGRITY under our pwd (HMAC-SHA1 with its inner and outer
 * states made once from the pwd, on SRTP's libipsec-mb manager: no
 * allocation, no lock), then what an authentic check must carry. Nothing
 * here allocates or waits.
 *
 * What is answered (RFC 8489 §9.1.3, RFC 8445 §7.3): no USERNAME or
 * MESSAGE-INTEGRITY 400, a USERNAME not ours 401, a failed
 * MESSAGE-INTEGRITY 401, all three without MESSAGE-INTEGRITY; after the
 * integrity passed, no PRIORITY 400, an unknown comprehension-required
 * attribute 420, ICE-CONTROLLED 487 (§7.3.1.1: the lite agent is the
 * controlled one, §6.1.1), each with MESSAGE-INTEGRITY; a success with
 * XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT. A wrong ufrag is
 * answered rather than dropped because RFC 8489 §9.1.3 says so and
 * because a peer whose check raced an ICE restart learns from the 401 that
 * its credentials are stale instead of retransmitting into silence; what
 * bounds a stranger's flood is that an error goes only while the
 * termination's error budget lasts and never longer than the request it
 * answers (a spoofed source gets no amplification), and that no error
 * costs an HMAC. What is not STUN (no FINGERPRINT, a wrong one, lib/stun
 * refuses it), a response (a lite agent sends no request) and a check
 * over its budget are dropped unanswered. Each refusal is counted by
 * reason (rtp_ice_errors.def).
 *
 * The judging and the answer's writing are rtp_ice_check.c's (pure, so
 * that fuzz_ice_responder runs them); what needs the worker (gm, the
 * budgets, the UDP checksum, the HMAC's states, DPDK's CRC) is here, given
 * to it as hooks, and so is what a verdict does to the termination.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_net_crc.h>

#include "rtp_dp_private.h"
#include "rtp_ice_check.h"
#include "stun.h"

/* FINGERPRINT's CRC-32 (RFC 8489 §14.7): DPDK's, which turn's set-up (or
 * DPDK's own) chose for this CPU, the same value as zlib's. */
static uint32_t
ice_crc32(const uint8_t *buf, size_t len)
{
	return rte_net_crc_calc(buf, (uint32_t)len, RTE_NET_CRC32_ETH);
}

/* One of a termination's buckets: rate a second, burst at once, in
 * thousandths on the worker's ms clock; true when it paid for one. */
static bool
ice_take(struct rtp_ice_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ms)
{
	if (now_ms != b->ms) {
		uint64_t dt = now_ms - b->ms, v;

		/* (a bucket idle for a day is full: no overflow) */
		if (dt > 86400000u)
			dt = 86400000u;
		v = b->tokens + dt * rate;
		b->tokens = (uint32_t)(v > burst * 1000ull ? burst * 1000ull : v);
		b->ms = now_ms;
	}
	if (b->tokens < 1000u)
		return false;
	b->tokens -= 1000u;
	return true;
}

/* A check refused for reason e: counted, the worker's and the
 * termination's. */
static void
ice_refused(struct rtp_worker *rw, struct rtp_term *t, enum rtp_ice_err e)
{
	rw->ice_err[e]++;
	rw->ctr[RTP_CTR_ICE_REFUSED]++;
	t->ice_state.refused++;
}

/* A check on termination t (flow's, in m, meta's) as rtp_ice_judge()'s
 * hooks see it. */
struct ice_in {
	struct dp_worker *w;
	struct rtp_term *t;
	struct rte_mbuf *m;
	const struct dp_udp_meta *meta;
	unsigned int flow;
};

/* HMAC-SHA1 under our pwd: its states made once (ice_keys()), on SRTP's
 * libipsec-mb manager (no allocation, no lock). */
static void
ice_hmac(void *arg, uint8_t *p, unsigned int len, uint8_t tag[20])
{
	const struct ice_in *in = arg;
	const struct rtp_worker *rw = in->w->rtp;

	rw->srtp_ops->mac(rw->srtp_ws, in->t->ice_state.ipad, in->t->ice_state.opad, p, len,
			  tag);
}

static bool
ice_heard(void *arg)
{
	const struct ice_in *in = arg;

	return rtp_gm_ok(in->t, in->meta);
}

/* One HMAC a check, within the termination's budget: the peer's own pair
 * has a bucket no one else's checks drain. */
static bool
ice_may_mac(void *arg)
{
	const struct ice_in *in = arg;
	struct rtp_term *t = in->t;
	bool from_pair = (t->latched & IPC_RTP_LATCHED_RTP) && in->flow == 0 &&
			 rtp_addr_is(&t->rtp_src, in->meta->family, in->meta->src,
				     in->meta->src_port);

	return ice_take(&t->ice_state.mac[from_pair ? 0 : 1], RTP_ICE_RATE, RTP_ICE_BURST,
			in->w->now_ms);
}

static bool
ice_cksum_ok(void *arg)
{
	const struct ice_in *in = arg;

	return dp_udp_cksum_verify(in->m, in->meta);
}

/* The error answer v calls for, within the termination's error budget
 * (rtp_ice_answer(): no longer than the request). Consumes m. */
static void
ice_error(struct dp_worker *w, struct rtp_term *t, struct rte_mbuf *m,
	  const struct dp_udp_meta *meta, const struct stun_msg *msg,
	  const struct rtp_ice_verdict *v, const struct rtp_ice_hooks *h)
{
	struct rtp_worker *rw = w->rtp;
	uint8_t buf[RTP_ICE_ANSWER_MAX];
	unsigned int n;

	if (!ice_take(&t->ice_state.err, RTP_ICE_ERR_RATE, RTP_ICE_ERR_BURST, w->now_ms))
		goto unsent;
	n = rtp_ice_answer(v, msg, NULL, h, buf, sizeof(buf));
	if (n == 0)
		goto unsent;
	rtp_reply(w, m, meta, t, buf, (uint16_t)n);
	return;
unsent:
	rw->ctr[RTP_CTR_ICE_UNSENT]++;
	rte_pktmbuf_free(m);
}

/* The source of a valid check (flow's) among those that passed: its time
 * now, in its place or the least recent one's. True when it was not
 * among them (its first valid check, or its first since it was
 * forgotten). */
static bool
ice_src_note(struct rtp_ice *ice, unsigned int flow, const struct dp_udp_meta *meta,
	     uint64_t now_ms)
{
	struct rtp_ice_src *s = &ice->src[0];
	unsigned int alen = meta->family == NET_AF_IPV4 ? 4u : 16u;

	for (unsigned int i = 0; i < RTP_ICE_SRCS; i++) {
		struct rtp_ice_src *x = &ice->src[i];

		if (x->ms != 0 && x->flow == flow && x->family == meta->family &&
		    x->port == meta->src_port && memcmp(x->ip, meta->src, alen) == 0) {
			x->ms = now_ms;
			return false;
		}
		if (x->ms < s->ms)
			s = x;
	}
	memset(s, 0, sizeof(*s));
	s->ms = now_ms;
	s->family = meta->family;
	s->flow = (uint8_t)flow;
	s->port = meta->src_port;
	memcpy(s->ip, meta->src, alen);
	return true;
}

bool
rtp_ice_src_ok(const struct dp_worker *w, const struct rtp_term *t, unsigned int flow,
	       const struct dp_udp_meta *meta)
{
	unsigned int alen = meta->family == NET_AF_IPV4 ? 4u : 16u;

	for (unsigned int i = 0; i < RTP_ICE_SRCS; i++) {
		const struct rtp_ice_src *x = &t->ice_state.src[i];

		if (x->ms != 0 && x->flow == flow && x->family == meta->family &&
		    x->port == meta->src_port && memcmp(x->ip, meta->src, alen) == 0)
			return w->now_ms - x->ms < w->rtp->ice_consent_ms;
	}
	return false;
}

/* Flow's consent is back (a valid check from its nominated pair's remote,
 * or a new pair nominated): media go on, cp told. */
static void
ice_consent_back(struct rtp_worker *rw, struct rtp_ctx *c, unsigned int ti, unsigned int flow)
{
	struct rtp_ice *ice = &c->t[ti].ice_state;

	if (!(ice->lost & (1u << flow)))
		return;
	ice->lost &= (uint8_t)~(1u << flow);
	c->ev |= (uint16_t)RTP_EV_CONSENT(ti, flow, 1);
	rtp_ev_queue(rw, c);
	rw->ctr[RTP_CTR_ICE_CONSENT_BACK]++;
	rw->ctr[RTP_CTR_EVENTS]++;
}

/* What a valid check of flow from meta's source does (RFC 8445 §7.3.2,
 * RFC 7675): its source passed; with USE-CANDIDATE it is the flow's
 * nominated pair (the latest nomination wins: a peer that moves its
 * selected pair, a new network, moves our media with it); from the
 * nominated pair's remote it renews the consent. True when the source
 * passed for the first time on a DTLS-SRTP termination's RTP flow: the
 * caller tells DTLS-SRTP (its client starts there) once our answer to
 * the check is sent, since a browser drops what comes before that
 * answer (Chromium: "before STUN binding is finished"). */
static bool
ice_valid(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti, unsigned int flow,
	  const struct dp_udp_meta *meta, bool nominate)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_term *t = &c->t[ti];
	struct rtp_ice *ice = &t->ice_state;
	uint8_t bit = flow == 0 ? IPC_RTP_LATCHED_RTP : IPC_RTP_LATCHED_RTCP;
	struct ipc_addr *pair = flow == 0 ? &t->rtp_src : &t->rtcp_src;
	bool is_pair = (t->latched & bit) &&
		       rtp_addr_is(pair, meta->family, meta->src, meta->src_port);
	bool dtls_go = ice_src_note(ice, flow, meta, w->now_ms) && flow == 0 &&
		       (t->dtls & RTP_DTLS_ON);

	if (nominate && !is_pair) {
		memset(pair, 0, sizeof(*pair));
		pair->family = meta->family;
		pair->port = meta->src_port;
		memcpy(pair->ip, meta->src, meta->family == NET_AF_IPV4 ? 4 : 16);
		t->latched |= bit;
		rtp_term_dest(t);
		c->ev |= (uint16_t)(flow == 0 ? RTP_EV_LATCH_RTP(ti) : RTP_EV_LATCH_RTCP(ti));
		rtp_ev_queue(rw, c);
		rw->ctr[RTP_CTR_ICE_NOMINATED]++;
		rw->ctr[RTP_CTR_EVENTS]++;
		is_pair = true;
	}
	if (is_pair) {
		ice->consent_ms[flow] = w->now_ms;
		ice_consent_back(rw, c, ti, flow);
	}
	return dtls_go;
}

/* DTLS-SRTP's client starts towards src, a source that passed. */
static void
ice_dtls_go(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti, const struct ipc_addr *src)
{
	struct rtp_worker *rw = w->rtp;

	rw->dtls_ops->checked(w, 2u * (uint32_t)(c - rw->ctx) + ti, src);
}

void
rtp_ice_input(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti, unsigned int flow,
	      struct rte_mbuf *m, const struct dp_udp_meta *meta)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_term *t = &c->t[ti];
	struct rtp_ice *ice = &t->ice_state;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->payload_off);
	struct ice_in in = { .w = w, .t = t, .m = m, .meta = meta, .flow = flow };
	const struct rtp_ice_hooks h = { .crc32 = ice_crc32, .mac = ice_hmac,
					 .heard = ice_heard, .may_mac = ice_may_mac,
					 .cksum_ok = ice_cksum_ok, .arg = &in };
	uint8_t buf[RTP_ICE_ANSWER_MAX];
	struct rtp_ice_verdict v;
	struct stun_addr xa;
	struct stun_msg msg;
	struct ipc_addr src;
	bool dtls_go;
	unsigned int n;

	rtp_ice_judge(&t->cfg.ice, p, meta->payload_len, &h, &msg, &v);
	switch (v.act) {
	case RTP_ICE_DO_KEEPALIVE:
		/* RFC 8445 §11: a keepalive; nothing to answer */
		rw->ctr[RTP_CTR_ICE_INDICATIONS]++;
		goto drop;
	case RTP_ICE_DO_STRANGER:
		rw->ctr[RTP_CTR_STRANGER]++;
		t->ctr.stranger++;
		goto drop;
	case RTP_ICE_DO_DROP:
		ice_refused(rw, t, v.err);
		goto drop;
	case RTP_ICE_DO_ERROR:
		ice_refused(rw, t, v.err);
		ice_error(w, t, m, meta, &msg, &v, &h);
		return;
	case RTP_ICE_DO_SUCCESS:
		break;
	}
	dtls_go = ice_valid(w, c, ti, flow, meta, v.nominate);
	if (dtls_go) {
		memset(&src, 0, sizeof(src));
		src.family = meta->family;
		src.port = meta->src_port;
		memcpy(src.ip, meta->src, meta->family == NET_AF_IPV4 ? 4 : 16);
	}
	ice->checks++;
	rw->ctr[RTP_CTR_ICE_ANSWERED]++;
	memset(&xa, 0, sizeof(xa));
	xa.family = meta->family == NET_AF_IPV4 ? STUN_AF_IPV4 : STUN_AF_IPV6;
	xa.port = meta->src_port;
	memcpy(xa.ip, meta->src, meta->family == NET_AF_IPV4 ? 4 : 16);
	n = rtp_ice_answer(&v, &msg, &xa, &h, buf, sizeof(buf));
	if (n == 0) {
		rte_pktmbuf_free(m);
	} else {
		/* (meta is m's: read before m goes) */
		rtp_reply(w, m, meta, t, buf, (uint16_t)n);
	}
	if (dtls_go)
		ice_dtls_go(w, c, ti, &src);
	return;
drop:
	rte_pktmbuf_free(m);
}

/* ---- the termination's ICE as cp installs and changes it ---------------------------- */

/* The checks' key: HMAC-SHA1's states under our pwd, cfg's. */
static void
ice_keys(struct dp_worker *w, struct rtp_term *t)
{
	struct rtp_worker *rw = w->rtp;

	rw->srtp_ops->mac_key(rw->srtp_ws, (const uint8_t *)t->cfg.ice.pwd, t->cfg.ice.pwd_len,
			      t->ice_state.ipad, t->ice_state.opad);
}

void
rtp_ice_reset(struct dp_worker *w, struct rtp_term *t)
{
	struct rtp_ice *ice = &t->ice_state;
	const struct ipc_addr *nom = &t->cfg.ice.nominated;

	explicit_bzero(ice, sizeof(*ice));
	for (unsigned int i = 0; i < 2; i++) {
		ice->mac[i].tokens = RTP_ICE_BURST * 1000u;
		ice->mac[i].ms = w->now_ms;
	}
	ice->err.tokens = RTP_ICE_ERR_BURST * 1000u;
	ice->err.ms = w->now_ms;
	/* a restarted dp's termination: the pair nominated before, its
	 * consent from now (the peer's next check, within seconds, renews
	 * it; none, and it lapses as any) */
	if (nom->family != 0) {
		t->rtp_src = *nom;
		t->latched |= IPC_RTP_LATCHED_RTP;
		ice->consent_ms[0] = w->now_ms;
	}
	ice_keys(w, t);
}

void
rtp_ice_restart(struct dp_worker *w, struct rtp_term *t)
{
	memset(t->ice_state.src, 0, sizeof(t->ice_state.src));
	ice_keys(w, t);
}

unsigned int
rtp_ice_scan(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_term *t = &c->t[ti];
	struct rtp_ice *ice = &t->ice_state;
	unsigned int n = 0;

	for (unsigned int flow = 0; flow < 2; flow++) {
		uint8_t bit = flow == 0 ? IPC_RTP_LATCHED_RTP : IPC_RTP_LATCHED_RTCP;

		if (!(t->latched & bit) || (ice->lost & (1u << flow)) ||
		    w->now_ms - ice->consent_ms[flow] < rw->ice_consent_ms)
			continue;
		/* RFC 7675 §5.1: consent expired; sending stopped already
		 * (rtp_ice_may_send()), this tells cp, once */
		ice->lost |= (uint8_t)(1u << flow);
		c->ev |= (uint16_t)RTP_EV_CONSENT(ti, flow, 0);
		rw->ctr[RTP_CTR_ICE_CONSENT_LOST]++;
		rw->ctr[RTP_CTR_EVENTS]++;
		n++;
	}
	return n;
}
