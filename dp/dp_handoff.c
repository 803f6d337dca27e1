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

void
dp_handoff(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m,
	   uint32_t kind)
{
	struct dp_worker *o = w->ctx->workers[owner];

	m->hash.usr = kind;
	if (unlikely(rte_ring_mp_enqueue(o->handoff, m) != 0)) {
		dp_drop_pkt(w, m, DP_DROP_HANDOFF_FULL);
		return;
	}
	if (kind == DP_HANDOFF_FLOW)
		w->ctr[DP_CTR_HANDOFF_OUT]++;
}

bool
dp_handoff_try(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m, uint32_t kind)
{
	m->hash.usr = kind;
	return rte_ring_mp_enqueue(w->ctx->workers[owner]->handoff, m) == 0;
}

unsigned int
dp_handoff_input(struct dp_worker *w)
{
	const struct dp_ctx *ctx = w->ctx;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts,
						   DP_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t kind = m->hash.usr;

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
