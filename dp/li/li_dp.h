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
 * How many of r's slots copies of kind may fill, at most (docs/design/
 * li.md §3.4, review V6): X3 copies (a tap's, TURN's or RTP's, and any
 * copier added later) stop LI_RING_X2_RESERVE slots short of full; X2
 * events (cp's LI_X2) may take those too. A flood of a target's copies
 * then costs its own copies, never its session's or another session's X2,
 * which are few (one an event cp saw). The one place the rule is: every
 * copier goes through li_ring_reserve() with its kind.
 */
static inline uint32_t
li_ring_limit(enum li_copy_kind kind)
{
	return kind == LI_COPY_X2 ? LI_RING_SLOTS : LI_RING_SLOTS - LI_RING_X2_RESERVE;
}

/*
 * A free slot of r for a copy of kind (enum li_copy_kind) of payload_len
 * bytes, or NULL (the ring full for that kind, li_ring_limit(), or the
 * payload longer than a slot: counted, the copy dropped). The worker
 * fills the struct li_copy (its kind and format included) and the payload
 * after it, then commits. Never waits: tp-li's pace never reaches the
 * worker.
 */
static inline struct li_copy *
li_ring_reserve(struct li_ring *r, uint32_t payload_len, enum li_copy_kind kind)
{
	uint32_t limit = li_ring_limit(kind);

	if (unlikely(payload_len > LI_PAYLOAD_MAX)) {
		r->ctr[LI_CTR_TOO_BIG]++;
		return NULL;
	}
	if (r->head - r->tail_seen >= limit) {
		r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (r->head - r->tail_seen >= limit) {
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
