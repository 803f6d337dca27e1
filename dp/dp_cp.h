/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's end of its link to cp (struct dp_cp, w->cp): what every
 * module that sends to cp uses, so that the sequence, the room rule, the
 * doorbell and the counters live in one place. Header-only: the senders
 * are on the request path and inline there.
 */
#ifndef DP_CP_H
#define DP_CP_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "ipc.h"

/*
 * Registration, at start-up (a module's init may run once a worker: the
 * same registration again is accepted and changes nothing).
 * on_kind: fn takes messages of kind (one from cp to dp, not SYNC);
 * -EINVAL for any other kind, -EEXIST when another fn has it.
 * on_sync: a module's answer to a SYNC, after those registered before it:
 * start (the SYNC itself) begins its pass; step (NULL: nothing to send)
 * sends what the ring to cp takes, keeping headroom free slots, and says
 * whether its pass is over. When every pass is over the worker sends
 * STATE_DONE naming the SYNC.
 * on_seen: fn hears each look at cp (once a millisecond).
 * -ENOSPC when the hooks are taken.
 */
int dp_cp_on_kind(struct dp_ctx *ctx, uint16_t kind, dp_cp_apply_fn fn);
int dp_cp_on_sync(struct dp_ctx *ctx, dp_cp_apply_fn start, dp_cp_step_fn step);
int dp_cp_on_seen(struct dp_ctx *ctx, dp_cp_seen_fn fn);

/*
 * w's turn at its link to cp (once a loop pass; nothing without cp's
 * segment): once a millisecond whether cp serves and since when it has
 * not, told to the seen hooks; then up to 64 messages from cp, each
 * checked (ipc_msg_check()) before it is believed and handed to its
 * kind's handler (a kind nobody took is dropped). Returns messages taken.
 */
unsigned int dp_cp_poll(struct dp_worker *w, uint64_t now_ms);

/*
 * A FENCE taken (cp waits for what came before it to be applied: cp/agw's
 * doors hold their replies for it) answered with FENCE_DONE naming it,
 * once the ring to cp keeps DP_CP_HEADROOM free, cp woken; the loop calls
 * it after the modules' sweeps, so that the events what came before set
 * off (a refusal's RELEASED) are in the ring first. Returns 1 when it
 * sent, else 0 (nothing due, or no room yet: the next pass tries again).
 */
unsigned int dp_cp_fence_step(struct dp_worker *w);

/* After cp's segment is open (ctx->ipc): each worker's rings, and cp not
 * seen serving yet, its grace (grace_ms) from now. detach: before the
 * segment closes. */
void dp_cp_attach(struct dp_ctx *ctx, uint64_t grace_ms);
void dp_cp_detach(struct dp_ctx *ctx);

/* Free slots of the ring to cp that only clients' requests may take: what
 * else goes to cp (the sweeps, the events, a SYNC's answer) stops short
 * of them. */
#define DP_CP_HEADROOM 256u
/* A SYNC's answer moves on at most this often (tsc: now), a step of each
 * module at a time: a pass over a carrier's tables is thousands of
 * messages and tens of milliseconds of cache misses, which at once would
 * stall the worker and fill the ring. Returns 1 when it sent anything
 * (work), else 0. */
#define DP_CP_SYNC_GAP_US 50u
/* Slots of a sparse table (RFC 6062's connections, the gateway's
 * contexts) a module's SYNC step looks at, live or not, before it yields:
 * walked whole in one step, 16,384 empty connection slots held the worker
 * 100-200 us (perf/RESULTS.md T32). TURN's pass walks its live list. */
#define DP_CP_SYNC_VISIT 256u
unsigned int dp_cp_sync_step(struct dp_worker *w, uint64_t tsc);
/* A module's SYNC pass over its sparse table of max slots (the body of its
 * step): from *next on, at most DP_CP_SYNC_VISIT slots a call. fill(w,
 * slot, msg) says whether the slot has something for a restarted cp and
 * writes it (msg's header zeroed: it sets kind, alloc_id, body_len and the
 * body); each goes while the ring keeps headroom free slots, and its body
 * is wiped after (a state may hold keys). true when the pass is over (*on cleared), false to be called again. */
typedef bool (*dp_cp_sync_fill_fn)(struct dp_worker *w, uint32_t slot, struct ipc_msg *msg);
bool dp_cp_sync_walk(struct dp_worker *w, unsigned int headroom, bool *on, uint32_t *next,
		     uint32_t max, dp_cp_sync_fill_fn fill);

/* Room in the ring to cp beyond headroom free slots (kept for what must
 * not wait behind the sender: clients' requests). */
static inline bool
dp_cp_room(const struct dp_worker *w, unsigned int headroom)
{
	return ipc_ring_count(&w->cp.rings->to_cp) + headroom < IPC_RING_SLOTS;
}

/* m into the ring to cp from w, with the next sequence number: 0, or
 * -ENOBUFS when the ring is full (nothing counted: the caller knows
 * whether that is a loss). */
static inline int
dp_cp_send(struct dp_worker *w, struct ipc_msg *m)
{
	m->h.worker = (uint16_t)w->id;
	m->h.seq = w->cp.to_cp_seq;
	if (ipc_ring_enqueue(&w->cp.rings->to_cp, m) != 0)
		return -ENOBUFS;
	w->cp.to_cp_seq++;
	return 0;
}

/* cp dozing on its doorbell: wake it (a system call, only then). */
static inline void
dp_cp_wake(struct dp_worker *w)
{
	if (ipc_cp_ring(w->ctx->ipc.shm))
		w->cp.cp_rung++;
}

/*
 * A backlog's waiting events (lib/ipc's ipc_backlog) into the ring to cp
 * while it keeps headroom free slots, and only to a cp that serves; what
 * waits for a cp without need_cap among its capabilities (0: none needed)
 * is dropped and added to *dropped, since that cp would refuse it. Sent
 * events count in ipc_out and wake cp. Returns how many went.
 */
static inline unsigned int
dp_cp_flush(struct dp_worker *w, struct ipc_backlog *b, unsigned int headroom,
	    uint64_t need_cap, uint64_t *dropped)
{
	const struct ipc_shm *shm = w->ctx->ipc.shm;
	unsigned int n;

	if (ipc_backlog_count(b) == 0 || w->cp.rings == NULL || shm == NULL ||
	    !ipc_cp_serving(shm, w->now_ms))
		return 0;
	if (need_cap != 0 && !(ipc_peer_caps(shm, true, w->now_ms) & need_cap)) {
		*dropped += ipc_backlog_drop(b);
		return 0;
	}
	n = ipc_backlog_flush(b, &w->cp.rings->to_cp, headroom, (uint16_t)w->id,
			      &w->cp.to_cp_seq);
	if (n > 0) {
		w->cp.ipc_out += n;
		dp_cp_wake(w);
	}
	return n;
}

#endif /* DP_CP_H */
