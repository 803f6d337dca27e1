/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's link to cp (dp_cp.h): what cp sends reaches the module that
 * registered its kind, and every module sees the same view of cp's
 * liveness. No DPDK here: unit tests drive it with rings in heap memory.
 */
#include <errno.h>
#include <string.h>

#include "dp.h"
#include "dp_cp.h"
#include "ipc.h"

/* Each kind lib/ipc defines has its slot in the table. */
#define IPC_KIND(e, v, name, dir) \
	_Static_assert((v) < DP_CP_KINDS, "ipc kind " name " past DP_CP_KINDS");
#include "ipc_kinds.def"
#undef IPC_KIND

int
dp_cp_on_kind(struct dp_ctx *ctx, uint16_t kind, dp_cp_apply_fn fn)
{
	struct dp_cp_registry *r = &ctx->cp_reg;

	if (fn == NULL || kind >= DP_CP_KINDS || kind == IPC_SYNC ||
	    ipc_kind_dir(kind) != IPC_CP2DP)
		return -EINVAL;
	if (r->apply[kind] != NULL && r->apply[kind] != fn)
		return -EEXIST;
	r->apply[kind] = fn;
	return 0;
}

int
dp_cp_on_sync(struct dp_ctx *ctx, dp_cp_apply_fn start, dp_cp_step_fn step)
{
	struct dp_cp_registry *r = &ctx->cp_reg;

	if (start == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < r->nsync; i++)
		if (r->sync[i].start == start)
			return r->sync[i].step == step ? 0 : -EEXIST;
	if (r->nsync == DP_CP_HOOKS)
		return -ENOSPC;
	r->sync[r->nsync].start = start;
	r->sync[r->nsync].step = step;
	r->nsync++;
	return 0;
}

int
dp_cp_on_seen(struct dp_ctx *ctx, dp_cp_seen_fn fn)
{
	struct dp_cp_registry *r = &ctx->cp_reg;

	if (fn == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < r->nseen; i++)
		if (r->seen[i] == fn)
			return 0;
	if (r->nseen == DP_CP_HOOKS)
		return -ENOSPC;
	r->seen[r->nseen++] = fn;
	return 0;
}

void
dp_cp_attach(struct dp_ctx *ctx, uint64_t grace_ms)
{
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_cp *c = &ctx->workers[i]->cp;

		c->rings = ipc_worker(&ctx->ipc, i);
		/* cp has not been seen serving: the grace starts now */
		c->serving = false;
		c->down_since_ms = ipc_monotonic_ms();
		c->grace_ms = grace_ms;
	}
}

void
dp_cp_detach(struct dp_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nworkers; i++)
		if (ctx->workers[i] != NULL)
			memset(&ctx->workers[i]->cp, 0, sizeof(ctx->workers[i]->cp));
}

static void
dispatch(struct dp_worker *w, const struct ipc_msg *msg)
{
	const struct dp_cp_registry *r = &w->ctx->cp_reg;

	if (msg->h.kind == IPC_SYNC) {
		/* (Re)start every module's pass: a cp that asks again has
		 * lost what it had been sent. */
		w->cp.sync_on = true;
		w->cp.sync_mod = 0;
		w->cp.sync_id = msg->h.alloc_id;
		for (unsigned int i = 0; i < r->nsync; i++)
			r->sync[i].start(w, msg);
		return;
	}
	if (msg->h.kind == IPC_FENCE) {
		/* Every message before it in the ring is applied by now
		 * (one ring, in order, each applied as it is taken): the
		 * answer goes after this pass's sweeps (dp_cp_fence_step()),
		 * behind the events those messages set off. */
		w->cp.fence = msg->h.alloc_id;
		w->cp.fence_due = true;
		return;
	}
	if (msg->h.kind < DP_CP_KINDS && r->apply[msg->h.kind] != NULL)
		r->apply[msg->h.kind](w, msg);
}

unsigned int
dp_cp_poll(struct dp_worker *w, uint64_t now_ms)
{
	const struct dp_cp_registry *r = &w->ctx->cp_reg;
	static _Thread_local struct ipc_msg msg;
	unsigned int n = 0;

	if (w->cp.rings == NULL)
		return 0;
	if (now_ms != w->cp.checked_ms) {
		const struct ipc_shm *shm = w->ctx->ipc.shm;
		uint64_t epoch = __atomic_load_n(&shm->cp_epoch, __ATOMIC_ACQUIRE);
		bool up = ipc_cp_serving(shm, now_ms);

		/* The grace runs from when cp was last seen serving, or from
		 * when a new one started: a cp that is starting is not gone. */
		if (!up && (w->cp.serving || epoch != w->cp.epoch_seen))
			w->cp.down_since_ms = now_ms;
		w->cp.epoch_seen = epoch;
		w->cp.serving = up;
		w->cp.checked_ms = now_ms;
		for (unsigned int i = 0; i < r->nseen; i++)
			r->seen[i](w, epoch, up);
	}
	/* Whatever is in the ring is checked before it is believed (lib/ipc:
	 * ipc_msg_check()): the segment is cp's, but a ring is memory that a
	 * bug or a corruption can fill with anything, and dp acts on it as
	 * root. A bad message is counted and skipped; it still counts toward
	 * the bound, so a ring full of garbage costs no more than a full one. */
	while (n < 64) {
		int rc = ipc_ring_dequeue(&w->cp.rings->to_dp, &msg);

		if (rc == 0)
			break;
		n++;
		if (rc < 0 || ipc_msg_check(&msg, IPC_CP2DP) != 0) {
			w->cp.ipc_bad++;
			continue;
		}
		dispatch(w, &msg);
	}
	w->cp.ipc_in += n;
	return n;
}

unsigned int
dp_cp_fence_step(struct dp_worker *w)
{
	static _Thread_local struct ipc_msg done;

	if (!w->cp.fence_due || w->cp.rings == NULL || !dp_cp_room(w, DP_CP_HEADROOM))
		return 0;
	memset(&done.h, 0, sizeof(done.h));
	done.h.kind = IPC_FENCE_DONE;
	done.h.alloc_id = w->cp.fence;
	if (dp_cp_send(w, &done) < 0)
		return 0;
	w->cp.fence_due = false;
	w->cp.ipc_out++;
	/* (cp may doze: a door's reply waits for this) */
	dp_cp_wake(w);
	return 1;
}

unsigned int
dp_cp_sync_step(struct dp_worker *w, uint64_t tsc)
{
	const struct dp_cp_registry *r = &w->ctx->cp_reg;
	static _Thread_local struct ipc_msg done;
	/* (every message sent takes the next sequence number: a step that
	 * sent nothing, for a full ring, is no work, and the worker may
	 * doze) */
	uint32_t seq = w->cp.to_cp_seq;

	if (!w->cp.sync_on || w->cp.rings == NULL || tsc < w->cp.sync_tsc)
		return 0;
	w->cp.sync_tsc = tsc + w->ctx->tsc_hz * DP_CP_SYNC_GAP_US / 1000000u;
	for (; w->cp.sync_mod < r->nsync; w->cp.sync_mod++) {
		dp_cp_step_fn step = r->sync[w->cp.sync_mod].step;

		if (step != NULL && !step(w, DP_CP_HEADROOM))
			return w->cp.to_cp_seq != seq;
	}
	/* Every pass is over: cp learns that it has all of this worker's
	 * state (it waits for every worker's STATE_DONE naming its SYNC). */
	if (dp_cp_room(w, DP_CP_HEADROOM)) {
		memset(&done.h, 0, sizeof(done.h));
		done.h.kind = IPC_STATE_DONE;
		done.h.alloc_id = w->cp.sync_id;
		if (dp_cp_send(w, &done) == 0)
			w->cp.sync_on = false;
	}
	return w->cp.to_cp_seq != seq;
}

bool
dp_cp_sync_walk(struct dp_worker *w, unsigned int headroom, bool *on, uint32_t *next,
		uint32_t max, dp_cp_sync_fill_fn fill)
{
	static _Thread_local struct ipc_msg msg;
	bool sent;

	if (!*on)
		return true;
	if (w->cp.rings == NULL)
		return false;
	for (unsigned int seen = 0; *next < max; (*next)++, seen++) {
		if (seen == DP_CP_SYNC_VISIT)
			return false;
		memset(&msg.h, 0, sizeof(msg.h));
		if (!fill(w, *next, &msg))
			continue;
		sent = dp_cp_room(w, headroom) && dp_cp_send(w, &msg) == 0;
		/* (a state may hold secrets: SRTP keys) */
		explicit_bzero(msg.body, msg.h.body_len);
		if (!sent)
			return false;
		w->cp.ipc_out++;
	}
	*on = false;
	return true;
}
