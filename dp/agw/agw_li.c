/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lawful interception of the gateway's TCP legs (docs/design/li.md §3.2,
 * §4.2; issue 70 slice 7): cp's AGW_TAP marks a context (its splice's tap
 * byte, beside the bytes every splice run reads) and gives its task
 * (struct agw_tap, a per-worker array by slot taken at the first tap)
 * and which leg is the target's. Each batch the splice relays from
 * either leg to the other, in the clear (a TLS leg's plaintext: MSRP
 * after TLS), is copied as it goes, with the target's leg's TCP
 * addresses, into the worker's ring to tp-li (dp/li), which writes it as
 * an X3 PDU of payload format 13. A batch longer than a slot holds is cut
 * over consecutive slots, each its own PDU with the next sequence number,
 * so the mediation function puts the stream together in order; a full ring costs the copy (counted, the
 * sequence number moves: a gap at the MF), never the relay. Nothing is
 * allocated a read, nothing locked. An untapped context pays the byte's
 * test. Nothing here logs a task.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "agw_private.h"
#include "li_dp.h"

void
agw_li_copy(struct dp_worker *w, struct splice *sp, unsigned int i, const struct rte_mbuf *m,
	    uint32_t off, uint32_t n)
{
	struct agw_worker *a = w->agw;
	struct agw_ctx *c = agw_ctx_of_splice(sp);
	struct agw_tap *tp;
	struct ipc_addr l, r;
	const struct ipc_addr *src, *dst;
	struct timespec ts;
	uint32_t soff = 0;
	uint8_t dir, family;

	if (a->taps == NULL || !(tp = &a->taps[c - a->ctx])->on)
		return;
	/* relative to the target's leg: what its peer sends is from the
	 * target (its peer to our end), what the other's sends is to it
	 * (our end to its peer) */
	dir = i == tp->leg ? (uint8_t)LI_COPY_FROM_TARGET : (uint8_t)LI_COPY_TO_TARGET;
	agw_leg_addrs(w, c, tp->leg, &l, &r);
	src = dir == LI_COPY_FROM_TARGET ? &r : &l;
	dst = dir == LI_COPY_FROM_TARGET ? &l : &r;
	/* (a batch comes from a leg with its connection and goes to one up,
	 * so the target's leg's are known; were they not: its termination's,
	 * an address not signalled 0) */
	family = l.family == 6 || (l.family == 0 && r.family == 6) ? 6 : 4;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* (the chain's first off bytes were given before) */
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	soff = off;
	while (n > 0 && m != NULL) {
		uint32_t k = n < LI_PAYLOAD_MAX ? n : LI_PAYLOAD_MAX, left = k;
		struct li_copy *cp;
		uint8_t *out = NULL;

		/* the sequence moves for every piece, made or not: a gap at
		 * the mediation function is a piece lost */
		tp->seq++;
		cp = w->li != NULL ? li_ring_reserve(w->li, k, LI_COPY_X3) : NULL;
		if (cp != NULL)
			out = (uint8_t *)(cp + 1);
		/* k bytes of the chain from where the last piece ended (past
		 * them even when the copy is dropped) */
		while (left > 0 && m != NULL) {
			uint32_t t = (uint32_t)m->data_len - soff;

			if (t > left)
				t = left;
			if (out != NULL) {
				memcpy(out, rte_pktmbuf_mtod_offset(m, const uint8_t *, soff), t);
				out += t;
			}
			soff += t;
			left -= t;
			if (soff >= m->data_len) {
				m = m->next;
				soff = 0;
			}
		}
		n -= k;
		if (cp == NULL)
			continue;
		memcpy(cp->xid, tp->xid, sizeof(cp->xid));
		cp->correlation = tp->correlation;
		cp->seq = tp->seq;
		cp->ts_sec = (uint32_t)ts.tv_sec;
		cp->ts_nsec = (uint32_t)ts.tv_nsec;
		cp->len = (uint16_t)(k - left);
		cp->dir = dir;
		cp->kind = LI_COPY_X3;
		cp->format = LI_COPY_MSRP;
		cp->family = family;
		cp->sport = src->port;
		cp->dport = dst->port;
		memset(cp->src, 0, sizeof(cp->src));
		memset(cp->dst, 0, sizeof(cp->dst));
		if (src->family == family)
			memcpy(cp->src, src->ip, family == 4 ? 4 : 16);
		if (dst->family == family)
			memcpy(cp->dst, dst->ip, family == 4 ? 4 : 16);
		cp->ndest = tp->ndest;
		memcpy(cp->dest, tp->dest, sizeof(cp->dest));
		li_ring_commit(w->li);
	}
}

void
agw_li_untap(struct agw_worker *a, struct agw_ctx *c)
{
	struct agw_tap *tp;

	c->sp.tap = 0;
	/* what either leg's waiting send was given belongs to the task
	 * leaving: a later tap copies it under its own */
	c->sp.leg[0].tap_given = 0;
	c->sp.leg[1].tap_given = 0;
	if (a->taps == NULL)
		return;
	tp = &a->taps[c - a->ctx];
	if (!tp->on)
		return;
	a->ntaps--;
	explicit_bzero(tp, sizeof(*tp));
}

/* AGW_TAP's body on context c: 0, or -ENOTSUP (no li group in dp),
 * -ENOMEM (the first tap's array). */
static int
tap(struct dp_worker *w, struct agw_ctx *c, const struct ipc_agw_tap *ip)
{
	struct agw_worker *a = w->agw;
	struct agw_tap *tp;

	if (ip->tap.on == 0) {
		agw_li_untap(a, c);
		return 0;
	}
	if (w->li == NULL)
		return -ENOTSUP;
	if (a->taps == NULL) {
		a->taps = rte_zmalloc_socket("agw_taps", (size_t)a->max * sizeof(*a->taps),
					     RTE_CACHE_LINE_SIZE,
					     (int)rte_lcore_to_socket_id(w->lcore));
		if (a->taps == NULL)
			return -ENOMEM;
	}
	tp = &a->taps[c - a->ctx];
	if (!tp->on)
		a->ntaps++;
	/* another task, or the same one again: its sequence starts over
	 * only for another (XID, correlation) */
	if (!tp->on || memcmp(tp->xid, ip->tap.xid, 16) != 0 ||
	    tp->correlation != ip->tap.correlation)
		tp->seq = 0;
	/* another task or target leg: the waiting sends' bytes are copied
	 * under it too (its stream has no gap), not counted as given */
	if (!tp->on || memcmp(tp->xid, ip->tap.xid, 16) != 0 || tp->leg != ip->leg) {
		c->sp.leg[0].tap_given = 0;
		c->sp.leg[1].tap_given = 0;
	}
	memcpy(tp->xid, ip->tap.xid, 16);
	tp->correlation = ip->tap.correlation;
	tp->ndest = ip->tap.ndest;
	memcpy(tp->dest, ip->tap.dest, sizeof(tp->dest));
	tp->leg = ip->leg;
	tp->on = 1;
	c->sp.tap = 1;
	return 0;
}

/* A tap dp cannot apply (no li group, no memory, a context gone: an off
 * for one is nothing to do) is counted in li's tap_refused, as RTP's. */
void
agw_li_apply(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_tap *x = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	uint32_t slot = ipc_conn_slot(id);
	int rc;

	if (a == NULL)
		return;
	if (slot >= a->max || a->ctx[slot].id != id)
		rc = x->tap.on ? -ENOENT : 0;
	else
		rc = tap(w, &a->ctx[slot], x);
	if (rc < 0 && w->li != NULL)
		li_ring_count(w->li, LI_CTR_TAP_REFUSED);
}

void
agw_li_free(struct agw_worker *a)
{
	if (a->taps == NULL)
		return;
	explicit_bzero(a->taps, (size_t)a->max * sizeof(*a->taps));
	rte_free(a->taps);
	a->taps = NULL;
	a->ntaps = 0;
}
