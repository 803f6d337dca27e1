/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sweeps over a worker's allocation table, a slice at a time: counters
 * to cp (STATS_REQ), every allocation to a restarted cp (SYNC: STATE_ALLOC
 * then STATE_DONE), and the expiry guard. They walk turn_live's list
 * (turn_live.h) and never take the ring to cp below the room kept for
 * clients' requests.
 */
#include <string.h>

#include <rte_prefetch.h>

#include "../dp.h"
#include "../dp_cp.h"
#include "ipc.h"
#include "turn.h"
#include "turn_inlines.h"

/*
 * Three jobs visit every allocation: counters to cp (asked once a second),
 * every allocation to a restarted cp (SYNC), and the expiry guard. At a
 * carrier's allocation counts a whole pass is tens of milliseconds of
 * cache misses and thousands of messages, more than the ring to cp holds:
 * done at once, it stalls the worker (relayed packets wait, then are
 * lost) and fills the ring, so that clients' requests meet 500. So each
 * job keeps a cursor and turn_sweep() moves them a slice at a time, no
 * more often than every TURN_SWEEP_GAP_US, each slice's allocations
 * prefetched together, and never takes the ring to cp below
 * DP_CP_HEADROOM free slots: those are the requests'.
 */
#define TURN_SWEEP_GAP_US    50u
#define TURN_SWEEP_SLICE     32u     /* allocations a job visits per slice */
#define TURN_EXPIRE_EVERY_MS 1000u   /* a new expiry pass at most this often */
#define TURN_EXPIRE_SLICE    512u    /* slots of expires[] a slice reads */

/* The next live allocation of a job's pass, or NULL when the pass is over
 * (the job then stops). The walk is turn_live's: every allocation live for
 * the whole pass is visited, whatever is added or removed meanwhile. */
static struct turn_alloc *
sweep_next(struct turn_worker *t, struct turn_sweep_job *j)
{
	uint32_t slot = turn_live_next(&t->live, &j->next);

	if (slot == TURN_LIVE_END) {
		j->on = false;
		return NULL;
	}
	return &t->allocs[slot];
}

/* Start (or start over) a job's pass. */
void
turn_sweep_start(struct turn_worker *t, struct turn_sweep_job *j)
{
	j->on = true;
	j->next = t->live.n;
}

/* Up to max allocations of the job's pass, their lines asked for at once
 * (a slice's misses overlap instead of queueing). */
static unsigned int
sweep_take(struct turn_worker *t, struct turn_sweep_job *j,
	   struct turn_alloc **out, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && (out[n] = sweep_next(t, j)) != NULL) {
		rte_prefetch0(out[n]);
		rte_prefetch0(&out[n]->stats);
		n++;
	}
	return n;
}


/* One STATE_ALLOC (all but worker and seq, the sender's): allocation a as
 * a restarted cp needs it back. As many bindings as the body holds (all of
 * them: 16 + 16 fit). */
void
turn_state_alloc_fill(struct ipc_msg *out, const struct turn_worker *t,
		      struct turn_alloc *a)
{
	struct ipc_binding *b;
	size_t off = sizeof(struct ipc_alloc);

	memset(&out->h, 0, sizeof(out->h));
	out->h.kind = IPC_STATE_ALLOC;
	out->h.alloc_id = a->id;
	out->h.tuple.transport = turn_alloc_transport(a);
	out->h.tuple.conn_id = a->conn_id;
	out->h.tuple.in_port = turn_alloc_in_port(a);
	out->h.tuple.client = a->client;
	out->h.tuple.server = a->server;
	{
		struct ipc_alloc ia;

		/* the relayed addresses, expiry and username (no key: cp
		 * never needed it back) */
		memset(&ia, 0, sizeof(ia));
		ia.nrelayed = a->nrelayed;
		for (unsigned int i = 0; i < a->nrelayed && i < 2; i++) {
			ia.relayed[i] = t->relay_addr[a->relay_tbl[i]];
			ia.relayed[i].port = a->relay_port;
		}
		ia.expires_ms = t->expires[a - t->allocs];
		ia.created_ms = t->created[a - t->allocs];
		if (t->bw != NULL) {
			ia.max_bps = t->bw[a - t->allocs].pol[0].rate;
			ia.max_bps_burst = t->bw[a - t->allocs].pol[0].burst;
		}
		ia.flags = (uint16_t)((a->relay_tcp ? IPC_ALLOC_F_TCP : 0) |
				      (a->mobile ? IPC_ALLOC_F_MOBILE : 0));
		if (a->user != NULL) {
			ia.user_len = a->user->len;
			memcpy(ia.username, a->user->name, a->user->len);
		}
		memcpy(out->body, &ia, sizeof(ia));
	}
	for (unsigned int i = 0; i < a->nperms &&
	     off + sizeof(*b) <= sizeof(out->body); i++) {
		const struct turn_perm *p = turn_perm_at(t, a, i);

		b = (struct ipc_binding *)(out->body + off);
		memset(b, 0, sizeof(*b));
		b->peer.family = p->family;
		memcpy(b->peer.ip, p->ip, 16);
		b->expires_ms = p->expires_ms;
		off += sizeof(*b);
	}
	for (unsigned int i = 0; i < a->nchans &&
	     off + sizeof(*b) <= sizeof(out->body); i++) {
		const struct turn_chan *c = turn_chan_at(t, a, i);

		b = (struct ipc_binding *)(out->body + off);
		memset(b, 0, sizeof(*b));
		b->peer = c->peer;
		b->channel = c->channel;
		b->expires_ms = c->expires_ms;
		off += sizeof(*b);
	}
	out->h.body_len = (uint16_t)off;
}

static int
send_state_alloc(struct dp_worker *w, struct turn_alloc *a)
{
	struct turn_worker *t = w->turn;
	static _Thread_local struct ipc_msg out;

	turn_state_alloc_fill(&out, t, a);
	return dp_cp_send(w, &out);
}

/* SYNC: (re)start the pass of every allocation to cp (a cp that asks
 * again has lost what it had been sent). */
void
turn_state_start(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)msg;
	turn_sweep_start(w->turn, &w->turn->state);
}

/* SYNC (dp_cp.c's step for TURN): a slice of STATE_ALLOCs while the ring
 * keeps headroom free slots; true when every allocation went. Where the
 * ring has no room the cursor steps back and the allocation goes on a
 * later slice. */
bool
turn_state_step(struct dp_worker *w, unsigned int headroom)
{
	struct turn_worker *t = w->turn;
	unsigned int n = 0;
	bool over = false;

	while (n < TURN_SWEEP_SLICE && dp_cp_room(w, headroom)) {
		uint32_t at = t->state.next;
		struct turn_alloc *a = sweep_next(t, &t->state);

		if (a == NULL) {
			over = true;
			break;
		}
		if (send_state_alloc(w, a) < 0) {
			t->state.next = at;
			break;
		}
		n++;
	}
	t->swept += n;
	return over;
}

/* STATS_REQ: one STATS message's worth of allocations' counters. */
static unsigned int
sweep_stats(struct dp_worker *w)
{
	struct turn_worker *t = w->turn;
	static _Thread_local struct ipc_msg out;
	enum { PER_MSG = sizeof(out.body) / sizeof(struct ipc_alloc_stats) };
	struct turn_alloc *batch[PER_MSG];
	unsigned int n;

	if (!dp_cp_room(w, DP_CP_HEADROOM))
		return 0;
	n = sweep_take(t, &t->stats_job, batch, PER_MSG);
	if (n == 0)
		return 0;
	memset(&out.h, 0, sizeof(out.h));
	out.h.kind = IPC_STATS;
	for (unsigned int i = 0; i < n; i++) {
		struct ipc_alloc_stats *st =
			(struct ipc_alloc_stats *)(out.body + i * sizeof(*st));

		st->alloc_id = batch[i]->id;
		memcpy(st->c, batch[i]->stats, sizeof(st->c));
	}
	out.h.body_len = (uint16_t)(n * sizeof(struct ipc_alloc_stats));
	/* Room was checked, and this worker is the ring's only producer. */
	if (dp_cp_send(w, &out) < 0)
		w->cp.ipc_full++;
	return n;
}

/*
 * The expiry guard: cp removes what expires; this only catches what a cp
 * that has been down for longer than a lifetime left (60 s of grace). It
 * reads expires[] alone, in slot order (8 bytes a slot, 0 for a free one:
 * a pass over a million is 8 MB read in order, which the hardware
 * prefetches), and touches an allocation only to remove it. It walked the
 * live list and asked for two lines of every allocation: at a million,
 * 1.3 million cache misses a second, all the time, for nothing.
 */
static unsigned int
sweep_expire(struct dp_worker *w)
{
	struct turn_worker *t = w->turn;
	uint32_t s = t->expire_job.next, end = s + TURN_EXPIRE_SLICE;
	unsigned int n = 0;

	if (end > t->cap)
		end = t->cap;
	for (; s < end; s++) {
		uint64_t e = t->expires[s];

		if (e == 0)
			continue;
		n++;
		if (e + t->expire_grace_ms < t->now_ms && t->allocs[s].id != 0)
			turn_alloc_remove(t, &t->allocs[s], IPC_END_EXPIRED);
	}
	t->expire_job.next = s;
	if (s >= t->cap)
		t->expire_job.on = false;
	return n;
}

/* CONN_DOWN events waiting in the worker's backlog (turn_stream_gone()),
 * moved under the same rule as the sweeps: never into the requests' room. */
unsigned int
turn_stream_flush(struct dp_worker *w)
{
	struct turn_worker *t = w->turn;

	/* Only a cp that serves takes events; one that does not know
	 * CONN_DOWN (an older one) would refuse them: they are dropped,
	 * counted, and it frees the allocations when they expire. */
	return dp_cp_flush(w, &t->final, DP_CP_HEADROOM, IPC_CAP_CONN_DOWN,
			   &t->final_dropped) +
	       dp_cp_flush(w, &t->ends, DP_CP_HEADROOM, IPC_CAP_CONN_DOWN,
			   &t->ends_dropped) +
	       dp_cp_flush(w, &t->conn_events, DP_CP_HEADROOM, IPC_CAP_CONN_DOWN,
			   &t->conn_events_dropped);
}

unsigned int
turn_sweep(struct dp_worker *w, uint64_t tsc)
{
	struct turn_worker *t = w->turn;
	unsigned int n = 0;

	if (w->cp.rings == NULL || tsc < t->sweep_tsc)
		return 0;
	t->sweep_tsc = tsc + w->ctx->tsc_hz * TURN_SWEEP_GAP_US / 1000000u;
	if (!t->expire_job.on && t->now_ms >= t->expire_next_ms) {
		t->expire_job.on = true;
		t->expire_job.next = 0;      /* a slot, not a live-list cursor */
		t->expire_next_ms = t->now_ms + TURN_EXPIRE_EVERY_MS;
	}
	if (t->stats_job.on)
		n += sweep_stats(w);
	if (t->expire_job.on)
		n += sweep_expire(w);
	turn_stream_flush(w);
	t->swept += n;
	return n;
}

