/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A door's reply held until dp holds what it promises (cp_agw.h,
 * cp_agw_when_held()). A change of a context (AGW_ADD, AGW_MOD, RTP_ADD,
 * RTP_MOD: what a reply hands its peer, a port to send to or connect to)
 * is in the worker's ring when the C API returns, and the worker applies
 * it at its next turn at the ring: a dp that dozed (dp.idle_sleep_max_us)
 * reads its ports first when it wakes, and a worker off its core reads
 * nothing at all meanwhile. So a door that replied at once let its peer's
 * first packet reach dp before the change (issue 67: an answerer sending
 * with the answer's reply, RFC 3264 §6.1, lost 23 calls' first packets of
 * 200, the ring taking 81 us at the median, 299 us at the 90th
 * percentile and 11 ms at worst to reach dp's apply).
 *
 * cp/agw counts the changes it sends (agw_send(): the one sender of every
 * kind), each worker's last. A door's hold sends a FENCE (lib/ipc) to
 * each worker its request changed, numbered with the count; the worker
 * applies its ring in order and answers FENCE_DONE with the number once
 * it took the FENCE (dp_cp.c), so a FENCE_DONE at or past a hold's count
 * from each of its workers says dp holds every change it waits for. The
 * count starts at this cp's epoch << 32, so that a FENCE_DONE a worker
 * gives for a FENCE of the cp before (in its ring when that cp went)
 * names less than anything this cp waits for. Nothing here waits: the
 * replies go from the FENCE_DONE's handler, or from the loop's share past
 * CP_AGW_HOLD_MS, or at dp's restart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../cp.h"
#include "../cp_dp.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "ipc.h"

int
agw_held_init(struct cp_ctx *cp)
{
	struct agw_held *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return -ENOMEM;
	h->changes = (uint64_t)(uint32_t)cp->epoch << 32;
	cp->agw->held = h;
	return 0;
}

void
agw_held_fini(struct cp_ctx *cp)
{
	/* (replies still held are the doors', whose own fini dropped them) */
	free(cp->agw->held);
	cp->agw->held = NULL;
}

void
agw_held_changed(struct cp_agw *g, unsigned int w)
{
	struct agw_held *h = g->held;

	if (h == NULL || w >= IPC_MAX_WORKERS)
		return;
	h->changed[w] = ++h->changes;
}

uint64_t
cp_agw_changes(const struct cp_ctx *cp)
{
	return cp->agw != NULL && cp->agw->held != NULL ? cp->agw->held->changes : 0;
}

/* A FENCE to worker w carrying the count now; one the ring has no room
 * for is sent again from the loop (unsent). */
static void
fence(struct cp_ctx *cp, struct agw_held *h, unsigned int w)
{
	static struct ipc_msg m;

	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_FENCE;
	m.h.alloc_id = h->changes;
	if (cp_dp_send(cp, w, &m, CP_RING_HEADROOM) == 0) {
		h->fenced[w] = h->changes;
		h->unsent &= ~(1ull << w);
	} else {
		h->unsent |= 1ull << w;
	}
}

/* Hold i's reply goes: its slot free before fn runs (fn may hold another). */
static void
release(struct cp_ctx *cp, struct agw_held *h, unsigned int i, int rc)
{
	struct agw_hold x = h->wait[i];

	memset(&h->wait[i], 0, sizeof(h->wait[i]));
	h->n--;
	cp->agw->stats[rc == 0 ? CP_AGW_STAT_HELD : CP_AGW_STAT_HELD_LATE]++;
	x.fn(cp, x.arg, rc);
}

int
cp_agw_when_held(struct cp_ctx *cp, uint64_t since, cp_agw_held_fn fn, void *arg)
{
	struct cp_agw *g = cp->agw;
	struct agw_held *h = g != NULL ? g->held : NULL;
	uint64_t workers = 0;
	unsigned int i;

	if (h == NULL || fn == NULL || h->changes == since ||
	    !(ipc_peer_caps(cp->seg.shm, false, cp->now_ms) & IPC_CAP_FENCE))
		return 0;
	/* the workers this request changed whose changes dp has not said
	 * it holds */
	for (unsigned int w = 0; w < g->nworkers && w < IPC_MAX_WORKERS; w++)
		if (h->changed[w] > since && h->done[w] < h->changed[w])
			workers |= 1ull << w;
	if (workers == 0)
		return 0;
	if (h->n >= CP_AGW_HOLD_MAX) {
		g->stats[CP_AGW_STAT_NOT_HELD]++;
		return -ENOSPC;
	}
	for (i = 0; h->wait[i].fn != NULL; i++)
		;
	h->wait[i] = (struct agw_hold){ .fn = fn, .arg = arg, .workers = workers,
					.need = h->changes, .due_ms = cp->now_ms + CP_AGW_HOLD_MS };
	h->n++;
	/* one FENCE a worker, unless one carrying this count went already
	 * (another hold of this turn's) */
	for (unsigned int w = 0; w < IPC_MAX_WORKERS; w++)
		if ((workers >> w) & 1u && h->fenced[w] < h->changes)
			fence(cp, h, w);
	return 1;
}

/* dp's FENCE_DONE from worker w: the holds it completes go. */
static void
fence_done(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct agw_held *h = cp->agw != NULL ? cp->agw->held : NULL;
	uint64_t v = msg->h.alloc_id;

	/* (one of the cp before, or one this cp never sent: nothing) */
	if (h == NULL || w >= IPC_MAX_WORKERS || v <= h->done[w] || v > h->fenced[w])
		return;
	h->done[w] = v;
	for (unsigned int i = 0, seen = 0; i < CP_AGW_HOLD_MAX && seen < h->n; i++) {
		const struct agw_hold *x = &h->wait[i];
		bool all = true;

		if (x->fn == NULL)
			continue;
		seen++;
		if (!((x->workers >> w) & 1u))
			continue;
		for (unsigned int k = 0; k < IPC_MAX_WORKERS && all; k++)
			all = !((x->workers >> k) & 1u) || h->done[k] >= x->need;
		if (all) {
			release(cp, h, i, 0);
			seen--;        /* (n went down with it) */
		}
	}
}

int
agw_held_register(struct cp_ctx *cp)
{
	return cp_dp_on_kind(cp, IPC_FENCE_DONE, fence_done);
}

unsigned int
agw_held_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	struct agw_held *h = cp->agw->held;
	unsigned int done = 0;

	if (h == NULL || h->n == 0)
		return 0;
	for (unsigned int w = 0; w < IPC_MAX_WORKERS && h->unsent != 0; w++)
		if ((h->unsent >> w) & 1u)
			fence(cp, h, w);
	for (unsigned int i = 0; i < CP_AGW_HOLD_MAX && h->n > 0; i++)
		if (h->wait[i].fn != NULL && now_ms >= h->wait[i].due_ms) {
			release(cp, h, i, -ETIMEDOUT);
			done++;
		}
	return done;
}

void
agw_held_dp_restart(struct cp_ctx *cp)
{
	struct agw_held *h = cp->agw->held;

	if (h == NULL)
		return;
	/* the FENCEs in flight went with the dp that had them; what the
	 * held replies promise the new dp gets from the restart's installs
	 * (RTP contexts) or never (TCP ones end, cause dp_restart) */
	for (unsigned int i = 0; i < CP_AGW_HOLD_MAX && h->n > 0; i++)
		if (h->wait[i].fn != NULL)
			release(cp, h, i, -ECONNRESET);
	memset(h->fenced, 0, sizeof(h->fenced));
	memset(h->done, 0, sizeof(h->done));
	h->unsent = 0;
}
