/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A termination's DTLS datagrams (dtls_srtp.h's dtls_srtp_input()): the
 * gates, cheapest first, each refusal counted, nothing kept for one
 * refused (dp/dtls_srtp/FEATURE.md "Gates"): the termination's role and
 * state, the source (ICE's check, or latching's rule: the seam's
 * src_ok()), the handshake under way and its peer, the stateless front
 * (dtls_hello_parse(), dtls_hello_srtp()), the cookie where asked, the
 * association's attempts, the pool, the worker's handshake budget. Over
 * the budget a datagram waits in a bounded queue, first in first out,
 * served from the clock while the next millisecond's budget lasts.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "dtls_srtp_private.h"
#include "dtls_srtp_ssl.h"

static inline bool
addr_eq(const struct ipc_addr *a, const struct ipc_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

/* The 5-tuple as the cookie binds it. */
static void
cookie_peer(uint8_t out[DTLS_PEER_LEN], const struct ipc_addr *src,
	    const struct ipc_addr *dst)
{
	dtls_cookie_peer(out, src->family, src->ip, src->port, dst->ip, dst->port);
}

int
dsd_cookie_gen(SSL *s, unsigned char *c, unsigned int *len)
{
	const struct dtls_hs *h = SSL_get_app_data(s);
	uint8_t peer[DTLS_PEER_LEN];

	if (h == NULL)
		return 0;
	cookie_peer(peer, &h->peer, &h->local);
	if (dtls_cookie_make(&h->ds->key, peer, c) < 0)
		return 0;
	*len = DTLS_COOKIE_LEN;
	return 1;
}

int
dsd_cookie_verify(SSL *s, const unsigned char *c, unsigned int len)
{
	const struct dtls_hs *h = SSL_get_app_data(s);
	uint8_t peer[DTLS_PEER_LEN];

	if (h == NULL)
		return 0;
	cookie_peer(peer, &h->peer, &h->local);
	return dtls_cookie_ok(&h->ds->key, peer, c, len) ? 1 : 0;
}

/* ---- the deferral queue --------------------------------------------------- */

bool
dsd_defer(struct dtls_srtp_worker *ds, uint32_t idx, struct rte_mbuf *m, uint16_t off,
	  uint16_t len, const struct ipc_addr *src, const struct ipc_addr *dst)
{
	struct dtls_defer *e;

	if (ds->dq_n > ds->dq_mask)
		return false;
	e = &ds->dq[(ds->dq_head + ds->dq_n) & ds->dq_mask];
	e->m = m;
	e->term = idx;
	e->serial = ds->terms[idx].cfg.serial;
	e->payload_off = off;
	e->payload_len = len;
	e->src = *src;
	e->dst = *dst;
	ds->dq_n++;
	return true;
}

void
dsd_drop_term(struct dtls_srtp_worker *ds, uint32_t idx)
{
	for (uint32_t i = 0; i < ds->dq_n; i++) {
		struct dtls_defer *e = &ds->dq[(ds->dq_head + i) & ds->dq_mask];

		if (e->term != idx)
			continue;
		rte_pktmbuf_free(e->m);
		e->m = NULL;
		e->term = UINT32_MAX;     /* skipped when its turn comes */
	}
}

static bool input_one(struct dtls_srtp_worker *ds, uint32_t idx, struct rte_mbuf *m,
		      uint16_t off, uint16_t len, const struct ipc_addr *src,
		      const struct ipc_addr *dst, bool queued);

void
dsd_serve(struct dtls_srtp_worker *ds)
{
	while (ds->dq_n > 0 && dp_hs_room(ds->w)) {
		struct dtls_defer e = ds->dq[ds->dq_head];
		const struct dtls_term *t;

		ds->dq_head = (ds->dq_head + 1) & ds->dq_mask;
		ds->dq_n--;
		if (e.term == UINT32_MAX)
			continue;
		t = &ds->terms[e.term];
		if (t->cfg.serial != e.serial || t->state == DTLS_SRTP_ST_NONE) {
			ds->ctr[DTLS_SRTP_CTR_DEFER_STALE]++;
			rte_pktmbuf_free(e.m);
			continue;
		}
		if (e.m == NULL) {
			/* a client's start: still one to make? */
			if (t->cfg.role == DTLS_SRTP_ROLE_CLIENT && t->hs == 0 &&
			    t->state == DTLS_SRTP_ST_WAIT)
				dsh_client(ds, e.term, &e.src, true);
			continue;
		}
		if (!input_one(ds, e.term, e.m, e.payload_off, e.payload_len, &e.src, &e.dst,
			       true))
			rte_pktmbuf_free(e.m);
	}
}

/* ---- the gates -------------------------------------------------------------- */

static void
count_hello(struct dtls_srtp_worker *ds, enum dtls_hello_rc rc)
{
	unsigned int c;

	switch (rc) {
	case DTLS_HELLO_NOT_HANDSHAKE:
	case DTLS_HELLO_NOT_CH:
		c = DTLS_SRTP_CTR_NOT_HELLO;
		break;
	case DTLS_HELLO_FRAGMENT:
		c = DTLS_SRTP_CTR_HELLO_FRAGMENT;
		break;
	case DTLS_HELLO_OLD_VERSION:
		c = DTLS_SRTP_CTR_HELLO_DTLS10;
		break;
	case DTLS_HELLO_NO_USE_SRTP:
		c = DTLS_SRTP_CTR_HELLO_NO_USE_SRTP;
		break;
	case DTLS_HELLO_NO_PROFILE:
		c = DTLS_SRTP_CTR_HELLO_NO_PROFILE;
		break;
	case DTLS_HELLO_SRTP_MKI:
		c = DTLS_SRTP_CTR_HELLO_MKI;
		break;
	default:                   /* truncated, lengths, not DTLS */
		c = DTLS_SRTP_CTR_HELLO_MALFORMED;
		break;
	}
	ds->ctr[c]++;
}

/* Over the budget, or behind others that wait (unless it is the queue's
 * turn): m waits (true), or is dropped when the queue is full (false). */
static bool
must_wait(struct dtls_srtp_worker *ds, bool queued)
{
	return !dp_hs_room(ds->w) || (!queued && ds->dq_n > 0);
}

static bool
wait_or_drop(struct dtls_srtp_worker *ds, uint32_t idx, struct rte_mbuf *m, uint16_t off,
	     uint16_t len, const struct ipc_addr *src, const struct ipc_addr *dst)
{
	if (dsd_defer(ds, idx, m, off, len, src, dst)) {
		ds->ctr[DTLS_SRTP_CTR_HS_DEFERRED]++;
		return true;
	}
	ds->ctr[DTLS_SRTP_CTR_HS_DEFER_FULL]++;
	return false;
}

/* Our HelloVerifyRequest for h's ClientHello from src to dst. */
static void
send_hvr(struct dtls_srtp_worker *ds, const struct dtls_hello *h, const struct ipc_addr *src,
	 const struct ipc_addr *dst)
{
	uint8_t peer[DTLS_PEER_LEN], cookie[DTLS_COOKIE_LEN], hvr[DTLS_HVR_LEN];
	size_t n;

	cookie_peer(peer, src, dst);
	if (dtls_cookie_make(&ds->key, peer, cookie) < 0)
		return;
	n = dtls_hvr_build(hvr, sizeof(hvr), h, cookie, sizeof(cookie));
	if (n == 0)
		return;
	ds->ctr[DTLS_SRTP_CTR_COOKIE_SENT]++;
	if (dp_udp_send(ds->w, dst->family, dst->ip, dst->port, src->ip, src->port, hvr,
			(uint16_t)n) < 0)
		ds->ctr[DTLS_SRTP_CTR_SEND_FAILED]++;
}

/* One datagram through the gates. True when m was kept (queued); false:
 * the caller frees it. */
static bool
input_one(struct dtls_srtp_worker *ds, uint32_t idx, struct rte_mbuf *m, uint16_t off,
	  uint16_t len, const struct ipc_addr *src, const struct ipc_addr *dst, bool queued)
{
	struct dtls_term *t = &ds->terms[idx];
	struct dtls_hs *h = dsh_of(ds, t);
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	bool hello = len > DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN && p[0] == DTLS_CT_HANDSHAKE &&
		     p[DTLS_REC_HDR_LEN] == DTLS_HS_CLIENT_HELLO;
	struct dtls_hello hl;
	enum dtls_hello_rc rc;
	bool cookie = false;
	uint8_t whole[DTLS_HELLO_WHOLE_MAX];

	/* 1: a termination with DTLS-SRTP */
	if (t->cfg.role == DTLS_SRTP_ROLE_NONE || t->state == DTLS_SRTP_ST_NONE) {
		ds->ctr[DTLS_SRTP_CTR_NOT_DTLS]++;
		return false;
	}
	/* 2: its state: no SSL of an association up, or of a client's */
	if (h == NULL && (t->state == DTLS_SRTP_ST_UP || t->cfg.role == DTLS_SRTP_ROLE_CLIENT)) {
		ds->ctr[hello ? DTLS_SRTP_CTR_HELLO_UNEXPECTED :
			t->state == DTLS_SRTP_ST_UP ? DTLS_SRTP_CTR_AFTER_UP :
			DTLS_SRTP_CTR_NOT_HELLO]++;
		return false;
	}
	/* 3: the source (a compare with ICE: a stranger costs no more) */
	if (!ds->ops->src_ok(ds->w, idx, src)) {
		ds->ctr[DTLS_SRTP_CTR_STRANGER]++;
		return false;
	}
	/* 4: the handshake under way: its peer's only */
	if (h != NULL) {
		if (!addr_eq(&h->peer, src)) {
			ds->ctr[DTLS_SRTP_CTR_BUSY]++;
			return false;
		}
		if (h->ssl == NULL) {
			ds->ctr[DTLS_SRTP_CTR_AFTER_UP]++;
			return false;
		}
		if (h->state == DTLS_HS_STEP && must_wait(ds, queued))
			return wait_or_drop(ds, idx, m, off, len, src, dst);
		dsh_feed(ds, h, p, len);
		return false;
	}
	/* 5: no SSL: a ClientHello that can make SRTP keys, nothing kept
	 * for any other */
	rc = dtls_hello_parse(p, len, &hl);
	/* one cut into records within its datagram (OpenSSL's own client
	 * over a memory BIO with no MTU: aiortc's, always) is read whole;
	 * OpenSSL's server reassembles it, but not DTLSv1_listen(), which a
	 * cookie needs (step 6): that one stays refused */
	if (rc == DTLS_HELLO_FRAGMENT && !(t->cfg.flags & DTLS_SRTP_F_COOKIE))
		rc = dtls_hello_reassemble(p, len, whole, sizeof(whole), &hl);
	if (rc == DTLS_HELLO_OK)
		rc = dtls_hello_srtp(&hl, t->cfg.profiles & DTLS_SRTP_DP_PROFILES);
	if (rc != DTLS_HELLO_OK) {
		count_hello(ds, rc);
		return false;
	}
	/* 6: a cookie first where a forged source could make state */
	if (t->cfg.flags & DTLS_SRTP_F_COOKIE) {
		uint8_t peer[DTLS_PEER_LEN];

		(void)dtls_cookie_key_tick(&ds->key, dtls_cookie_slot(ds->w->now_ms / 1000u));
		cookie_peer(peer, src, dst);
		if (hl.cookie_len == 0 || !dtls_cookie_ok(&ds->key, peer, hl.cookie,
							  hl.cookie_len)) {
			if (hl.cookie_len != 0)
				ds->ctr[DTLS_SRTP_CTR_COOKIE_BAD]++;
			send_hvr(ds, &hl, src, dst);
			return false;
		}
		cookie = true;
	}
	/* 7: the association's attempts */
	if (t->attempts >= ds->conf.attempts) {
		ds->ctr[DTLS_SRTP_CTR_ATTEMPTS]++;
		return false;
	}
	/* 8: the worker's handshake budget (the pool: dsh_server()) */
	if (must_wait(ds, queued))
		return wait_or_drop(ds, idx, m, off, len, src, dst);
	dsh_server(ds, idx, p, len, src, dst, cookie);
	return false;
}

void
dtls_srtp_input(struct dp_worker *w, uint32_t idx, struct rte_mbuf *m,
		const struct dp_udp_meta *meta)
{
	struct dtls_srtp_worker *ds = w->dtls_srtp;
	struct ipc_addr src, dst;

	if (ds == NULL || idx >= ds->nterms ||
	    rte_pktmbuf_data_len(m) < (uint32_t)meta->payload_off + meta->payload_len) {
		if (ds != NULL)
			ds->ctr[DTLS_SRTP_CTR_NOT_DTLS]++;
		rte_pktmbuf_free(m);
		return;
	}
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.family = dst.family = meta->family;
	src.port = meta->src_port;
	dst.port = meta->dst_port;
	memcpy(src.ip, meta->src, 16);
	memcpy(dst.ip, meta->dst, 16);
	if (!input_one(ds, idx, m, meta->payload_off, meta->payload_len, &src, &dst, false))
		rte_pktmbuf_free(m);
}
