/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/li: lawful interception's delivery in dp (docs/design/li.md §3.4,
 * §4; issue 70 slice 4). What the rest of dp sees: the module (a ring a
 * worker, the delivery thread tp-li, the counters), and a worker's two
 * calls to put a copy in its ring. With no li.x2x3 group nothing is made
 * and w->li stays NULL: a tap is then refused (counted).
 */
#ifndef DP_LI_DP_H
#define DP_LI_DP_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#include "li_dp_types.h"

struct dp_module;
struct dp_ctrs_family;

extern const struct dp_module li_dp_module;
extern const struct dp_ctrs_family li_dp_ctrs;

/*
 * A free slot of r for a copy of payload_len bytes, or NULL (the ring
 * full, or the payload longer than a slot: counted, the copy dropped).
 * The worker fills the struct li_copy and the payload after it, then
 * commits. Never waits: tp-li's pace never reaches the worker.
 */
static inline struct li_copy *
li_ring_reserve(struct li_ring *r, uint32_t payload_len)
{
	if (unlikely(payload_len > LI_PAYLOAD_MAX)) {
		r->ctr[LI_CTR_TOO_BIG]++;
		return NULL;
	}
	if (r->head - r->tail_seen >= LI_RING_SLOTS) {
		r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (r->head - r->tail_seen >= LI_RING_SLOTS) {
			r->ctr[LI_CTR_RING_FULL]++;
			return NULL;
		}
	}
	return (struct li_copy *)(void *)(r->slots +
		(size_t)(r->head & (LI_RING_SLOTS - 1)) * LI_SLOT_SIZE);
}

/* The slot li_ring_reserve() gave is tp-li's now. */
static inline void
li_ring_commit(struct li_ring *r)
{
	__atomic_store_n(&r->head, r->head + 1, __ATOMIC_RELEASE);
}

/* A counter of the worker's (a tap it could not apply). */
static inline void
li_ring_count(struct li_ring *r, enum li_ctr c)
{
	r->ctr[c]++;
}

#endif /* DP_LI_DP_H */
