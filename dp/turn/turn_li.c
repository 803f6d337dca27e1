/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lawful interception in TURN's worker (docs/design/li.md §4; issue 70
 * slice 4): cp's ALLOC_TAP marks an allocation (a->tap, in the line both
 * relaying directions read) and gives its task (the XID, the correlation
 * ID, the X3 destinations: struct turn_tap); each datagram the
 * allocation relays is then copied, with the addresses of the IP packet
 * between its relayed address and the peer, into the worker's ring to
 * tp-li (dp/li), which writes the X3 PDUs. An untapped allocation pays
 * the flag's test; a full ring costs a copy, counted, never the relay.
 * Nothing here logs a task.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "../dp.h"
#include "li_dp.h"
#include "turn.h"
#include "turn_inlines.h"

void
turn_li_copy(struct dp_worker *w, struct turn_alloc *a, const struct rte_mbuf *m,
	     uint16_t off, uint16_t len, uint8_t family, const uint8_t *src, uint16_t sport,
	     const uint8_t *dst, uint16_t dport, unsigned int dir)
{
	struct turn_tap *tp = &w->turn->taps[a - w->turn->allocs];
	struct li_copy *c;
	struct timespec ts;
	const void *p;
	unsigned int n = family == NET_AF_IPV4 ? 4 : 16;

	/* the sequence moves for every copy, made or not: a gap at the
	 * mediation function is a copy lost */
	tp->seq++;
	if (w->li == NULL || (c = li_ring_reserve(w->li, len, LI_COPY_X3)) == NULL)
		return;
	c->kind = LI_COPY_X3;
	c->format = LI_COPY_IP;
	memcpy(c->xid, tp->xid, sizeof(c->xid));
	c->correlation = tp->correlation;
	c->seq = tp->seq;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->ts_sec = (uint32_t)ts.tv_sec;
	c->ts_nsec = (uint32_t)ts.tv_nsec;
	c->len = len;
	c->dir = (uint8_t)dir;
	c->family = family == NET_AF_IPV4 ? 4 : 6;
	c->sport = sport;
	c->dport = dport;
	memset(c->src, 0, sizeof(c->src));
	memset(c->dst, 0, sizeof(c->dst));
	memcpy(c->src, src, n);
	memcpy(c->dst, dst, n);
	c->ndest = tp->ndest;
	memcpy(c->dest, tp->dest, sizeof(c->dest));
	/* (an mbuf of one segment: its bytes as they are; else gathered) */
	p = rte_pktmbuf_read(m, off, len, c + 1);
	if (p != NULL && p != (const void *)(c + 1))
		memcpy(c + 1, p, len);
	li_ring_commit(w->li);
}

int
turn_li_tap(struct dp_worker *w, struct turn_alloc *a, const struct ipc_alloc_tap *ip)
{
	struct turn_worker *t = w->turn;
	struct turn_tap *tp;

	if (ip->on == 0) {
		turn_li_untap(t, a);
		return 0;
	}
	if (w->li == NULL)
		return -ENOTSUP;
	if (t->taps == NULL) {
		t->taps = rte_zmalloc_socket("turn_taps", (size_t)t->cap * sizeof(*t->taps),
					     RTE_CACHE_LINE_SIZE,
					     (int)rte_lcore_to_socket_id(w->lcore));
		if (t->taps == NULL)
			return -ENOMEM;
	}
	tp = &t->taps[a - t->allocs];
	if (!a->tap)
		t->ntaps++;
	/* another task, or the same one again: its sequence starts over
	 * only for another (XID, correlation) */
	if (!a->tap || memcmp(tp->xid, ip->xid, 16) != 0 || tp->correlation != ip->correlation)
		tp->seq = 0;
	memcpy(tp->xid, ip->xid, 16);
	tp->correlation = ip->correlation;
	tp->ndest = ip->ndest;
	memcpy(tp->dest, ip->dest, sizeof(tp->dest));
	a->tap = 1;
	return 0;
}
