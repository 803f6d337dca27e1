/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drops and hand-offs: what every layer does with a packet it will not
 * handle itself. A drop is counted by reason and freed here. A hand-off
 * gives a packet to the worker that owns it, through that worker's ring
 * (multi-producer, single consumer); the owner's loop takes its ring once
 * a pass (dp_handoff_input()) and gives each packet to what its kind
 * names: net's input for a flow, net's neighbour learning, or the handler
 * a module registered for a kind of its own (RFC 6062's moving peer
 * connections). Core names no module: modules register, as they register
 * the kinds of cp's messages they take.
 */
#include <errno.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"

void
dp_drop_pkt(struct dp_worker *w, struct rte_mbuf *m, enum dp_drop why)
{
	w->drop[why]++;
	if (m != NULL)
		rte_pktmbuf_free(m);
}

int
dp_handoff_on_kind(struct dp_ctx *ctx, uint32_t kind, dp_handoff_fn fn)
{
	if (kind < DP_HANDOFF_MOD_FIRST || kind >= DP_HANDOFF_KINDS || fn == NULL)
		return -EINVAL;
	if (ctx->handoff_fns[kind] != NULL && ctx->handoff_fns[kind] != fn)
		return -EEXIST;
	ctx->handoff_fns[kind] = fn;
	return 0;
}

/* m's kind and its giver (hash.usr: the kind below, the giver's id
 * above), into owner's ring within w's share (dp_types.h's
 * handoff_parked: counted before the enqueue, so that the owner's
 * decrement never comes first). False: the ring or w's share full, m
 * still the caller's. */
static bool
handoff_put(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m, uint32_t kind)
{
	if (unlikely(__atomic_load_n(&w->handoff_parked, __ATOMIC_RELAXED) >=
		     w->handoff_park_max))
		return false;
	__atomic_fetch_add(&w->handoff_parked, 1u, __ATOMIC_RELAXED);
	m->hash.usr = kind | (uint32_t)w->id << DP_HANDOFF_GIVER_SHIFT;
	if (unlikely(rte_ring_mp_enqueue(w->ctx->workers[owner]->handoff, m) != 0)) {
		__atomic_fetch_sub(&w->handoff_parked, 1u, __ATOMIC_RELAXED);
		return false;
	}
	return true;
}

void
dp_handoff(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m,
	   uint32_t kind)
{
	if (unlikely(!handoff_put(w, owner, m, kind))) {
		dp_drop_pkt(w, m, DP_DROP_HANDOFF_FULL);
		return;
	}
	if (kind == DP_HANDOFF_FLOW)
		w->ctr[DP_CTR_HANDOFF_OUT]++;
}

bool
dp_handoff_try(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m, uint32_t kind)
{
	return handoff_put(w, owner, m, kind);
}

unsigned int
dp_handoff_input(struct dp_worker *w)
{
	const struct dp_ctx *ctx = w->ctx;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts,
						   DP_BURST, NULL);
	unsigned int giver = 0, run = 0;

	/* each giver's share given back, a run of its mbufs at a time */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int g = pkts[i]->hash.usr >> DP_HANDOFF_GIVER_SHIFT;

		if (run > 0 && g != giver) {
			__atomic_fetch_sub(&ctx->workers[giver]->handoff_parked, run,
					   __ATOMIC_RELAXED);
			run = 0;
		}
		giver = g;
		run++;
	}
	if (run > 0)
		__atomic_fetch_sub(&ctx->workers[giver]->handoff_parked, run, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t kind = m->hash.usr & DP_HANDOFF_KIND_MASK;

		if (unlikely(kind != DP_HANDOFF_FLOW)) {
			if (kind == DP_HANDOFF_NEIGH) {
				dp_input_neigh_shared(w, m);
				continue;
			}
			if (kind < DP_HANDOFF_KINDS && ctx->handoff_fns[kind] != NULL) {
				ctx->handoff_fns[kind](w, m);
				continue;
			}
		}
		w->ctr[DP_CTR_HANDOFF_IN]++;
		dp_input_burst(w, &w->ctx->ports[ctx->port_index[m->port]], &m, 1, true);
	}
	return n;
}
