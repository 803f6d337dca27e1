/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay: a worker's records of peer connections (struct tr_conn, a
 * free list) and their allocation's list from its turn_alloc (tcp_head),
 * so that the allocation's end ends them (RFC 6062 §5.5,
 * tcprelay_alloc_gone()); and each allocation's budget on this worker
 * (struct tr_group over dp/tcp's struct tcp_budget), which its peer
 * connections join with their record and their data connections at the
 * bind.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dp.h"
#include "splice.h"
#include "tcp.h"
#include "tcprelay.h"
#include "tcprelay_private.h"
#include "tw.h"
#include "turn/turn.h"
#include "turn/turn_tcprelay.h"

/* ---- records and their allocation's list -------------------------------- */

static struct turn_alloc *
alloc_of(struct dp_worker *w, const struct tr_conn *r)
{
	if (r->alloc_slot1 == 0)
		return NULL;
	return turn_alloc_at(w->turn, r->alloc_slot1 - 1u, r->alloc_id);
}

void
tr_list_add(struct tcprelay_worker *tr, struct turn_alloc *a, struct tr_conn *r,
	 uint32_t a_slot)
{
	uint32_t s1 = (uint32_t)(r - tr->conns) + 1u;

	r->alloc_slot1 = a_slot + 1u;
	r->prev1 = 0;
	r->next1 = a->tcp_head;
	if (a->tcp_head != 0)
		tr->conns[a->tcp_head - 1u].prev1 = s1;
	a->tcp_head = s1;
}

static void
list_del(struct dp_worker *w, struct tr_conn *r)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct turn_alloc *a = alloc_of(w, r);

	if (r->alloc_slot1 == 0)
		return;
	if (r->prev1 != 0)
		tr->conns[r->prev1 - 1u].next1 = r->next1;
	else if (a != NULL)
		a->tcp_head = r->next1;
	if (r->next1 != 0)
		tr->conns[r->next1 - 1u].prev1 = r->prev1;
	r->alloc_slot1 = r->next1 = r->prev1 = 0;
}

/* ---- an allocation's budget on this worker ------------------------------ */

static uint32_t
group_hash(const struct tcprelay_worker *tr, uint64_t alloc_id)
{
	uint64_t h = alloc_id * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & tr->gmask;
}

static struct tr_group *
group_find(struct tcprelay_worker *tr, uint64_t alloc_id)
{
	for (uint32_t i = group_hash(tr, alloc_id);; i = (i + 1) & tr->gmask) {
		uint32_t g1 = tr->gidx[i];

		if (g1 == 0)
			return NULL;
		if (tr->groups[g1 - 1u].alloc_id == alloc_id)
			return &tr->groups[g1 - 1u];
	}
}

/* Out of the index: backward-shift deletion, as stub_drop(). */
static void
group_unindex(struct tcprelay_worker *tr, const struct tr_group *g)
{
	uint32_t mask = tr->gmask, i = group_hash(tr, g->alloc_id), j, g1;

	g1 = (uint32_t)(g - tr->groups) + 1u;
	while (tr->gidx[i] != g1)
		i = (i + 1) & mask;
	j = i;
	for (;;) {
		uint32_t home;

		tr->gidx[i] = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (tr->gidx[j] == 0)
				return;
			home = group_hash(tr, tr->groups[tr->gidx[j] - 1u].alloc_id);
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		tr->gidx[i] = tr->gidx[j];
		i = j;
	}
}

/* g has neither records nor connections, and is not waiting for the
 * poll: it goes. */
static void
group_maybe_free(struct tcprelay_worker *tr, struct tr_group *g)
{
	if (g->refs != 0 || g->b.nconns != 0 || g->queued || !g->used)
		return;
	if (g->b.peak_bytes > tr->peak_bytes)
		tr->peak_bytes = g->b.peak_bytes;
	if (g->b.peak_mbufs > tr->peak_mbufs)
		tr->peak_mbufs = g->b.peak_mbufs;
	group_unindex(tr, g);
	g->used = 0;
	g->next1 = tr->gfree1;
	tr->gfree1 = (uint32_t)(g - tr->groups) + 1u;
	tr->ngroups--;
}

/* dp/tcp: a budget fell to three quarters after holding windows back, or
 * lost its last connection. Only noted here (inside dp/tcp);
 * tcprelay_poll() acts. */
static void
group_wake(struct tcp_budget *b)
{
	struct tr_group *g = (struct tr_group *)(void *)((char *)b - offsetof(struct tr_group, b));
	struct tcprelay_worker *tr = tr_of((struct dp_worker *)b->arg);

	if (g->queued)
		return;
	g->queued = 1;
	g->next1 = tr->gwake1;
	tr->gwake1 = (uint32_t)(g - tr->groups) + 1u;
}

/* The wake list: each budget's members that may wait on a closed window
 * get a window update (dp/tcp sends one only if it grew enough). */
unsigned int
tr_group_wake_run(struct dp_worker *w, struct tcprelay_worker *tr)
{
	unsigned int n = 0;

	while (tr->gwake1 != 0) {
		struct tr_group *g = &tr->groups[tr->gwake1 - 1u];

		tr->gwake1 = g->next1;
		g->next1 = 0;
		g->queued = 0;
		if (g->b.nconns > 0 && g->refs > 0) {
			tr->ctr[TR_CTR_BUDGET_WAKES]++;
			for (uint32_t s1 = g->head1; s1 != 0; s1 = tr->conns[s1 - 1u].gnext1) {
				const struct tr_conn *r = &tr->conns[s1 - 1u];

				tcp_conn_window_update(w->tcp, r->peer);
				if (r->sp.leg[0].id != 0)
					tcp_conn_window_update(w->tcp, r->sp.leg[0].id);
			}
		}
		group_maybe_free(tr, g);
		n++;
	}
	return n;
}

/* r (peer connection id, of alloc_id) joins its allocation's budget here
 * (made on the first). */
static void
group_join(struct dp_worker *w, struct tr_conn *r, uint64_t id)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct tr_group *g;
	uint32_t s1 = (uint32_t)(r - tr->conns) + 1u;

	if (tr->groups == NULL)
		return;
	g = group_find(tr, r->alloc_id);
	if (g == NULL) {
		uint32_t i;

		if (tr->gfree1 == 0)
			return;           /* (as many as records: cannot be) */
		g = &tr->groups[tr->gfree1 - 1u];
		tr->gfree1 = g->next1;
		memset(g, 0, sizeof(*g));
		g->used = 1;
		g->alloc_id = r->alloc_id;
		g->b.max_bytes = tr->budget_bytes;
		g->b.max_mbufs = tr->budget_mbufs;
		g->b.wake = group_wake;
		g->b.arg = w;
		for (i = group_hash(tr, r->alloc_id); tr->gidx[i] != 0; i = (i + 1) & tr->gmask)
			;
		tr->gidx[i] = (uint32_t)(g - tr->groups) + 1u;
		tr->ngroups++;
	}
	g->refs++;
	r->group1 = (uint32_t)(g - tr->groups) + 1u;
	r->gprev1 = 0;
	r->gnext1 = g->head1;
	if (g->head1 != 0)
		tr->conns[g->head1 - 1u].gprev1 = s1;
	g->head1 = s1;
	tcp_conn_set_budget(w->tcp, id, &g->b);
}

/* r leaves its budget's records (its connections stay members until
 * they end: what they still hold counts). */
static void
group_leave(struct dp_worker *w, struct tr_conn *r)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct tr_group *g;

	if (r->group1 == 0)
		return;
	g = &tr->groups[r->group1 - 1u];
	if (r->gprev1 != 0)
		tr->conns[r->gprev1 - 1u].gnext1 = r->gnext1;
	else
		g->head1 = r->gnext1;
	if (r->gnext1 != 0)
		tr->conns[r->gnext1 - 1u].gprev1 = r->gprev1;
	r->group1 = r->gnext1 = r->gprev1 = 0;
	g->refs--;
	group_maybe_free(tr, g);
}

void
tr_rec_free(struct dp_worker *w, struct tr_conn *r)
{
	struct tcprelay_worker *tr = tr_of(w);
	tw_del(w->tcp_wheel, &r->pol[0].t);
	tw_del(w->tcp_wheel, &r->pol[1].t);

	list_del(w, r);
	group_leave(w, r);
	/* (what the legs held is gone or moved with the connection) */
	r->sp.leg[0].pend = r->sp.leg[1].pend = NULL;
	r->peer = 0;
	r->state = TR_FREE;
	r->next_free = tr->free1;
	tr->free1 = (uint32_t)(r - tr->conns) + 1u;
	tr->n--;
}

/* ---- the legs' policing (the allocation's max_bps) ------------------------ */

void
tr_pol_fire(struct tw_timer *t, void *arg)
{
	struct tr_pol_timer *pt = (struct tr_pol_timer *)(void *)t;

	if (pt->r->peer != 0)
		splice_police_due(arg, &pt->r->sp, pt->leg);
}

void
tr_police_wait(struct dp_worker *w, struct splice *sp, unsigned int i, uint64_t due_ms)
{
	struct tr_conn *r = (struct tr_conn *)(void *)((char *)sp - offsetof(struct tr_conn, sp));

	tw_add(w->tcp_wheel, &r->pol[i].t, due_ms);
}

/* Each leg polices what its own peer sends: leg 0 the client's bytes for
 * the peer, leg 1 the peer's for the client, each at the allocation's
 * rate (RFC 6062 relays each peer connection on its own splice: the
 * limit holds for each of them). */
void
tr_rec_police(struct dp_worker *w, struct tr_conn *r, uint32_t rate, uint32_t burst)
{
	if (rate != 0 && burst == 0)
		burst = rate;
	for (unsigned int i = 0; i < 2; i++) {
		splice_leg_police(w, &r->sp, i, rate, burst);
		if (rate == 0)
			tw_del(w->tcp_wheel, &r->pol[i].t);
	}
}

void
tr_rec_police_of(struct dp_worker *w, struct tr_conn *r, const struct turn_alloc *a)
{
	uint32_t rate, burst;

	if (turn_alloc_limit(w->turn, a, &rate, &burst))
		tr_rec_police(w, r, rate, burst);
}

/* A record for peer connection id, or NULL (all taken: as many as the
 * stack has connections, so only while legs of ended splices linger). */
struct tr_conn *
tr_rec_new(struct dp_worker *w, uint64_t id, uint64_t alloc_id, uint32_t cid,
	const struct ipc_addr *addr)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct tr_conn *r;

	if (tr->free1 == 0)
		return NULL;
	r = &tr->conns[tr->free1 - 1u];
	tr->free1 = r->next_free;
	memset(r, 0, sizeof(*r));
	r->peer = id;
	r->alloc_id = alloc_id;
	r->cid = cid;
	r->addr = *addr;
	splice_init(&r->sp, &tr_splice_ops, TR_HOLD);
	for (unsigned int i = 0; i < 2; i++) {
		tw_timer_init(&r->pol[i].t, tr_pol_fire, w);
		r->pol[i].r = r;
		r->pol[i].leg = (uint8_t)i;
	}
	tr->n++;
	group_join(w, r, id);
	return r;
}

void
tcprelay_alloc_gone(struct turn_worker *t, struct turn_alloc *a)
{
	struct dp_worker *w = t->tcp_gone_arg;
	struct tcprelay_worker *tr = tr_of(w);

	if (tr == NULL)
		return;
	while (a->tcp_head != 0) {
		struct tr_conn *r = &tr->conns[a->tcp_head - 1u];

		list_del(w, r);
		tr->ctr[TR_CTR_ALLOC_GONE]++;
		if (r->state == TR_CONNECTING) {
			uint64_t id = r->peer;

			/* no callback follows an abort: end the record here
			 * (cp answers the Connect) */
			tr_rec_free(w, r);
			tcp_abort(w->tcp, id);
			continue;
		}
		r->state = TR_ENDING;
		splice_release(w, &r->sp, SPLICE_CAUSE_RELEASED);
	}
}
