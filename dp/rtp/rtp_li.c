/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lawful interception of the gateway's RTP (docs/design/li.md §3.2, §4;
 * issue 70 slice 6): cp's RTP_TAP marks a context (each termination's
 * tap byte, in the line its packets read anyway: the direction of what
 * its network sends, relative to the target's termination) and gives its
 * task (struct rtp_tap, a per-worker array by slot taken at the first
 * tap). Each RTP packet the context relays, after SRTP's unprotect where
 * that termination's network speaks SRTP and before the other's protect,
 * is copied in the clear with the addresses of the target's leg into the
 * worker's ring to tp-li (dp/li), which writes it as an X3 PDU of payload
 * format 8. An untapped context pays the byte's test; a full ring costs
 * a copy, counted, never the relay. RTCP is not copied (format 8 is an
 * RTP packet; li.md §3.2). Nothing here logs a task.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "li_dp.h"
#include "rtp_dp_private.h"

void
rtp_li_copy(struct dp_worker *w, const struct rtp_ctx *c, const struct rtp_term *t,
	    const struct rtp_term *ox, const struct rte_mbuf *m,
	    const struct dp_udp_meta *meta, uint16_t len, const struct ipc_addr *dst,
	    uint16_t sport)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_tap *tp = &rw->taps[c - rw->ctx];
	struct li_copy *cp;
	struct timespec ts;
	const void *p;
	unsigned int n;

	/* the sequence moves for every copy, made or not: a gap at the
	 * mediation function is a copy lost */
	tp->seq++;
	if (w->li == NULL || (cp = li_ring_reserve(w->li, len, LI_COPY_X3)) == NULL)
		return;
	memcpy(cp->xid, tp->xid, sizeof(cp->xid));
	cp->correlation = tp->correlation;
	cp->seq = tp->seq;
	clock_gettime(CLOCK_REALTIME, &ts);
	cp->ts_sec = (uint32_t)ts.tv_sec;
	cp->ts_nsec = (uint32_t)ts.tv_nsec;
	cp->len = len;
	cp->dir = t->tap;
	cp->kind = LI_COPY_X3;
	cp->format = LI_COPY_RTP;
	memset(cp->src, 0, sizeof(cp->src));
	memset(cp->dst, 0, sizeof(cp->dst));
	/* the target's leg: from it, the packet as it came (its network's
	 * source to our local address); to it, as it goes (from the
	 * transport's local address and port to where its media go) */
	if (t->tap == LI_COPY_FROM_TARGET) {
		n = meta->family == NET_AF_IPV4 ? 4 : 16;
		cp->family = meta->family == NET_AF_IPV4 ? 4 : 6;
		memcpy(cp->src, meta->src, n);
		memcpy(cp->dst, meta->dst, n);
		cp->sport = meta->src_port;
		cp->dport = meta->dst_port;
	} else {
		n = ox->family == NET_AF_IPV4 ? 4 : 16;
		cp->family = ox->family == NET_AF_IPV4 ? 4 : 6;
		memcpy(cp->src, ox->local, n);
		memcpy(cp->dst, dst->ip, n);
		cp->sport = sport;
		cp->dport = dst->port;
	}
	cp->ndest = tp->ndest;
	memcpy(cp->dest, tp->dest, sizeof(cp->dest));
	/* (an mbuf of one segment: its bytes as they are; else gathered) */
	p = rte_pktmbuf_read(m, meta->payload_off, len, cp + 1);
	if (p != NULL && p != (const void *)(cp + 1))
		memcpy(cp + 1, p, len);
	li_ring_commit(w->li);
}

/* Context c's terminations told whose they are (tp: its tap, on or off). */
static void
flags_set(struct rtp_ctx *c, const struct rtp_tap *tp)
{
	for (unsigned int i = 0; i < 2; i++)
		c->t[i].tap = !tp->on || !c->t[i].on ? 0 :
			      i == tp->term ? (uint8_t)LI_COPY_FROM_TARGET :
			      (uint8_t)LI_COPY_TO_TARGET;
}

void
rtp_li_term_on(struct rtp_worker *rw, struct rtp_ctx *c)
{
	if (rw->taps != NULL)
		flags_set(c, &rw->taps[c - rw->ctx]);
}

void
rtp_li_untap(struct rtp_worker *rw, struct rtp_ctx *c)
{
	struct rtp_tap *tp;

	c->t[0].tap = 0;
	c->t[1].tap = 0;
	if (rw->taps == NULL)
		return;
	tp = &rw->taps[c - rw->ctx];
	if (!tp->on)
		return;
	rw->ntaps--;
	explicit_bzero(tp, sizeof(*tp));
}

void
rtp_li_term_off(struct rtp_worker *rw, struct rtp_ctx *c, unsigned int i)
{
	const struct rtp_tap *tp;

	c->t[i].tap = 0;
	if (rw->taps == NULL)
		return;
	tp = &rw->taps[c - rw->ctx];
	/* (the target's leaving: whoever comes into its slot next is tapped
	 * only if cp says it is targeted itself, review V5) */
	if (tp->on && tp->term == i)
		rtp_li_untap(rw, c);
}

int
rtp_li_tap(struct dp_worker *w, struct rtp_ctx *c, const struct ipc_rtp_tap *ip)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_tap *tp;

	if (ip->tap.on == 0) {
		rtp_li_untap(rw, c);
		return 0;
	}
	if (w->li == NULL)
		return -ENOTSUP;
	if (rw->taps == NULL) {
		rw->taps = rte_zmalloc_socket("rtp_taps", (size_t)rw->max * sizeof(*rw->taps),
					      RTE_CACHE_LINE_SIZE,
					      (int)rte_lcore_to_socket_id(w->lcore));
		if (rw->taps == NULL)
			return -ENOMEM;
	}
	tp = &rw->taps[c - rw->ctx];
	if (!tp->on)
		rw->ntaps++;
	/* another task, or the same one again: its sequence starts over
	 * only for another (XID, correlation) */
	if (!tp->on || memcmp(tp->xid, ip->tap.xid, 16) != 0 ||
	    tp->correlation != ip->tap.correlation)
		tp->seq = 0;
	memcpy(tp->xid, ip->tap.xid, 16);
	tp->correlation = ip->tap.correlation;
	tp->ndest = ip->tap.ndest;
	memcpy(tp->dest, ip->tap.dest, sizeof(tp->dest));
	tp->term = ip->term;
	tp->on = 1;
	flags_set(c, tp);
	return 0;
}

void
rtp_li_free(struct rtp_worker *rw)
{
	if (rw->taps == NULL)
		return;
	explicit_bzero(rw->taps, (size_t)rw->max * sizeof(*rw->taps));
	rte_free(rw->taps);
	rw->taps = NULL;
	rw->ntaps = 0;
}
