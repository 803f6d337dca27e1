/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A box of an active/standby pair (dp_ha.h; docs/design/ha.md section
 * 3.4): each worker's look at the segment's HA block once a loop pass,
 * with an ha group only. The block is cp's (lib/ipc struct ipc_ha): dp
 * is active while its role is ACTIVE and the pass's clock is before
 * fence_at_ms, the deadline cp moves on each time it renews the lease.
 * The deadline is what fences a dp whose cp died or was partitioned: it
 * goes passive by itself, at its first pass past it, and a dp that was
 * stopped (SIGSTOP, a debugger) looks before its next receive burst.
 *
 * The pass's clock is its TSC: the deadline is converted once onto the
 * worker's clock anchor (CLOCK_MONOTONIC ms at a TSC, taken afresh from
 * the kernel every tick: the clock cp's deadline is on), again only when
 * cp moves it or the anchor moves, so that a pass reads the block and
 * compares, with no division.
 */
#include <stdatomic.h>
#include <string.h>

#include "dp_ha.h"
#include "ipc.h"

/* A deadline further than this from the anchor is taken as this far
 * (keeps the conversion within 64 bits whatever the segment says). */
#define DP_HA_FAR_MS 0xffffffffull

void
dp_ha_attach(struct dp_ctx *ctx)
{
	const struct ipc_ha *ha;
	uint32_t role;

	if (!ctx->conf->ha.enabled || ctx->ipc.shm == NULL)
		return;
	ha = &ctx->ipc.shm->ha;
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];

		w->ha = ha;
		w->ha_passive = true;
		memset(&w->ha_st, 0, sizeof(w->ha_st));
		w->ha_st.rounds = DP_HA_ROUNDS;
	}
	role = atomic_load_explicit(&ha->role, memory_order_acquire);
	tp_log(TP_LOG_INFO, "ha: pair %s, passive until the segment says active (role %s, "
	       "token %llu)\n", ctx->conf->ha.pair,
	       role == IPC_HA_ACTIVE ? "active" : role == IPC_HA_FENCED ? "fenced" :
	       role == IPC_HA_STANDBY ? "standby" : "unknown",
	       (unsigned long long)atomic_load_explicit(&ha->token, memory_order_relaxed));
}

/* fence_ms as a TSC on w's anchor: 0 when it is not after the anchor. */
static uint64_t
fence_tsc(const struct dp_worker *w, uint64_t fence_ms)
{
	uint64_t ahead;

	if (fence_ms <= w->clock_ms)
		return 0;
	ahead = fence_ms - w->clock_ms;
	if (ahead > DP_HA_FAR_MS)
		ahead = DP_HA_FAR_MS;
	return w->clock_tsc + ahead * w->ctx->clock_hz / 1000u;
}

/* Worker 0 turned active, or cp asked again while it is: the rounds
 * from this pass on. */
static void
announce_start(struct dp_worker *w, uint64_t tsc, uint32_t gen)
{
	w->ha_st.gen = gen;
	w->ha_st.rounds = 0;
	w->ha_st.start_tsc = tsc;
	w->ha_st.next_tsc = tsc;
}

/* The round that is due, if one is, and when the next is. */
static void
announce_step(struct dp_worker *w, uint64_t tsc)
{
	static const uint32_t at_ms[DP_HA_ROUNDS] = DP_HA_ROUND_MS;
	unsigned int n;

	if (tsc < w->ha_st.next_tsc)
		return;
	n = dp_announce(w);
	if (w->ha_st.rounds == 0)
		tp_log(TP_LOG_INFO, "ha: announcing the addresses (%u frames a round, %u "
		       "rounds)\n", n, DP_HA_ROUNDS);
	if (++w->ha_st.rounds < DP_HA_ROUNDS)
		w->ha_st.next_tsc = w->ha_st.start_tsc +
				    (uint64_t)at_ms[w->ha_st.rounds] * w->ctx->clock_hz / 1000u;
}

bool
dp_ha_refresh(struct dp_worker *w, uint64_t tsc)
{
	const struct ipc_ha *ha = w->ha;
	uint64_t fence_ms = atomic_load_explicit(&ha->fence_at_ms, memory_order_acquire);
	bool was = w->ha_passive, passive;

	if (fence_ms != w->ha_st.fence_ms || w->clock_tsc != w->ha_st.anchor_tsc) {
		w->ha_st.fence_ms = fence_ms;
		w->ha_st.anchor_tsc = w->clock_tsc;
		w->ha_st.fence_tsc = fence_tsc(w, fence_ms);
	}
	passive = atomic_load_explicit(&ha->role, memory_order_acquire) != IPC_HA_ACTIVE ||
		  tsc >= w->ha_st.fence_tsc;
	w->ha_passive = passive;
	if (w->id != 0)
		return passive;
	if (passive != was)
		tp_log(TP_LOG_INFO, "ha: %s (token %llu)\n", passive ? "passive" : "active",
		       (unsigned long long)atomic_load_explicit(&ha->token,
								 memory_order_relaxed));
	if (passive) {
		/* a box that is not active never announces: what was due
		 * is dropped, and turning active starts afresh */
		w->ha_st.rounds = DP_HA_ROUNDS;
		return passive;
	}
	{
		uint32_t gen = atomic_load_explicit(&ha->announce_gen, memory_order_acquire);

		if (was || gen != w->ha_st.gen)
			announce_start(w, tsc, gen);
	}
	if (w->ha_st.rounds < DP_HA_ROUNDS)
		announce_step(w, tsc);
	return passive;
}
