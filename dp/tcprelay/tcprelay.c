/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay (tcprelay.h): RFC 6062's peer connections in a worker.
 *
 * A peer connection is a record in the slot of its TCP connection
 * (struct tr_conn, by ipc_conn_slot() of its id), with a splice
 * (dp/splice) whose leg 1 is the peer connection and leg 0 the client's
 * data connection once bound: until then leg 0 waits, and the splice
 * holds what the peer sends (TR_HOLD bytes, then the peer's window
 * closes: RFC 6062 §5.2 "buffer ... and adjust the TCP receive window").
 * Records of an allocation are a list from its turn_alloc (tcp_head), so
 * that its end ends them (§5.5).
 *
 * - Connect (TCP_CONNECT from cp, §5.2): an active open from the
 *   allocation's relayed address of the peer's family and its relayed
 *   port (the source port fixed: the relayed port steers to this worker,
 *   lib/steer). CONNECTED or FAILED goes to cp, which answers the request.
 * - A peer connecting in (§5.3): the relay application listens on this
 *   worker's share of the relayed ports; a connection to a relayed
 *   transport address of a TCP allocation that has a permission for the
 *   peer's IP is taken (INCOMING to cp, which sends ConnectionAttempt),
 *   anything else is reset and counted.
 * - ConnectionBind (TCP_BIND from cp, §5.4): cp's answer goes on the data
 *   connection (taken from TURN's framing: dp_tcp_turn_take(), with any
 *   bytes that followed the request), which becomes leg 0. When the data
 *   connection is another worker's, the peer connection moves there
 *   first (tcp_conn_export()/import() through the hand-off ring, its held
 *   bytes with it), and this worker forwards what still comes for it
 *   (a stub per moved connection, kept 2 MSL after it ended there).
 * - TCP_CLOSE (no bind within 30 s, the allocation gone, cp's word):
 *   the splice is released.
 * - What an allocation's connections hold here is under its budget
 *   (struct tr_group: turn.tcp_alloc_bytes and tcp_alloc_mbufs, dp/tcp's
 *   struct tcp_budget): a client that stops reading closes its own peers'
 *   windows, never the worker's (its tcp_held_max, its pool).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_cp.h"
#include "dp_ctrs.h"
#include "dp_tcp.h"
#include "ipc.h"
#include "session.h"
#include "splice.h"
#include "steer.h"
#include "tcp.h"
#include "tcprelay.h"
#include "tls.h"
#include "turn/turn.h"
#include "turn/turn_inlines.h"
#include "turn/turn_internal.h"

/* What a peer connection may hold unread before its bind (its window
 * and its mbufs: tcp_conn_set_rcv_limit()), lifted at the bind: 64 of
 * them an allocation hold 1 MB and 256 mbufs at most, where the stack's
 * 256 KB and 1024 mbufs a connection let one allocation fill a worker. */
#define TR_UNBOUND_BYTES (16u * 1024u)
#define TR_UNBOUND_SEGS  4u

/* What the splice reads of a peer before its connection is bound: none.
 * RFC 6062 §5.2 wants the data buffered and the window adjusted: it stays
 * in the peer connection's TCP receive queue, whose window then closes
 * (dp.tcp's rcv_buf a connection, and the worker's tcp_held_max over all
 * of them: what a flood of peers can hold is what TCP already bounds),
 * and it moves with the connection when it changes worker. */
#define TR_HOLD        0u
/* Peer connections one allocation holds here (cp keeps as many). */
#define TR_PER_ALLOC   64u
/* A moved connection's stub outlives its splice by this: its TCP may go
 * on after the splice closed it (unacknowledged data, FIN_WAIT_2's 60 s,
 * then TIME_WAIT's 2 MSL). */
#define TR_STUB_LINGER_MS 180000u

enum tr_state {
	TR_FREE = 0,
	TR_CONNECTING,            /* a Connect's SYN is out */
	TR_WAIT_BIND,             /* up; no data connection yet */
	TR_BOUND,
	TR_ENDING,                /* the splice is ending (done() follows) */
};

struct tr_conn {
	uint64_t peer;            /* the peer connection's id; 0: free */
	uint64_t alloc_id;
	uint32_t cid;             /* cp's CONNECTION-ID; 0 until cp said */
	uint32_t alloc_slot1;     /* its allocation's slot + 1 here, 0 when
				   * moved in (not on a list of this worker) */
	uint32_t next1, prev1;    /* the allocation's list (record slot + 1) */
	uint8_t state;            /* enum tr_state */
	uint8_t moved_from;       /* worker it came from + 1, 0: none */
	uint16_t pad;
	uint32_t next_free;       /* the free list (record slot + 1) */
	struct ipc_addr addr;     /* the peer's transport address */
	struct ipc_addr local;    /* ours (relayed), for a moved one's stub */
	uint32_t group1;          /* its allocation's budget here (slot + 1) */
	uint32_t gnext1, gprev1;  /* the budget's records (record slot + 1) */
	struct splice sp;         /* leg 0: the data connection, 1: the peer */
};

/*
 * An allocation's budget on this worker (turn.tcp_alloc_bytes and
 * tcp_alloc_mbufs; dp/tcp's struct tcp_budget): its peer connections here
 * and, once bound, their data connections, so that a client that stops
 * reading (or a peer that does) holds at most twice that much of the
 * worker's tcp_held_max and mbufs, whatever its connections. The splice
 * moves bytes between members (not counted twice: a read leaves the
 * budget, a send enters it); the windows close when it is spent and
 * reopen at three quarters (dp/tcp calls wake(); the worker's poll sends
 * the window updates). A
 * budget lives while it has records or connections (a closed one still
 * sending counts until it is gone); found by allocation id (open
 * addressing over slots, as the stubs are), one per allocation a worker.
 */
struct tr_group {
	struct tcp_budget b;
	uint64_t alloc_id;
	uint32_t refs;            /* records */
	uint32_t head1;           /* its records (record slot + 1) */
	uint32_t next1;           /* the free list or the wake list (slot + 1) */
	uint8_t used;
	uint8_t queued;           /* on the wake list */
	uint16_t pad;
};

/* A moved connection's forwarding stub: segments for its 4-tuple go to
 * worker. Open addressing, linear probing, deletion by backward shift
 * (no tombstones: a lookup stops at the first empty slot). */
struct tr_stub {
	uint8_t used;
	uint8_t family;
	uint8_t worker;
	uint8_t pad;
	uint16_t rport, lport;
	uint8_t raddr[16], laddr[16];
	uint64_t until_ms;        /* 0 while it lives there; then the linger */
};

enum tr_ctr {
#define TR_CTR(n, s, h) TR_CTR_##n,
#include "tcprelay_counters.def"
#undef TR_CTR
	TR_CTR__COUNT
};

static const char *const tr_ctr_names[TR_CTR__COUNT] = {
#define TR_CTR(n, s, h) [TR_CTR_##n] = s,
#include "tcprelay_counters.def"
#undef TR_CTR
};

struct tcprelay_worker {
	struct tr_conn *conns;    /* max records; a connection's is its TCP
				   * application argument */
	uint32_t max;
	uint32_t n;               /* records in use */
	uint32_t free1;           /* the first free record + 1 */
	int app;
	uint16_t port_lo, port_hi;   /* this worker's share of the relayed ports */
	struct tr_stub *stubs;    /* open addressing, stub_mask + 1 */
	uint32_t stub_mask;
	uint32_t nstubs;
	uint32_t stub_cur;        /* the sweep's place */
	struct ipc_backlog ev;    /* events to cp, waiting for room */
	void *ev_mem;
	struct splice_worker own_splice;   /* w->splice when no AGW gave one */
	struct tr_group *groups;  /* max; NULL without a budget */
	uint32_t *gidx;           /* group slot + 1, open addressing, gmask + 1 */
	uint32_t gmask;
	uint32_t gfree1;          /* the first free group + 1 */
	uint32_t gwake1;          /* the wake list's first + 1 */
	uint32_t ngroups;
	uint32_t budget_bytes, budget_mbufs;   /* turn.tcp_alloc_* */
	uint64_t peak_bytes;      /* the most a budget that went held */
	uint32_t peak_mbufs;
	bool sync_on;             /* a restarted cp's pass (TCP_STATE) */
	uint32_t sync_next;
	uint64_t ctr[TR_CTR__COUNT];
};

/* The message a moving connection travels in (DP_HANDOFF_TCPRELAY). */
enum { TR_MOVE_CONN = 1, TR_MOVE_UNSTUB = 2 };
#define TR_MOVE_MAGIC 0x54524d56u     /* "TRMV" */
#define TR_RESP_MAX   512u

struct tr_move {
	uint32_t magic;
	uint8_t kind;
	uint8_t from;             /* the sending worker */
	uint16_t resp_len;
	uint32_t cid;
	uint32_t held_bytes;
	uint64_t alloc_id;
	uint64_t data;            /* the data connection (the receiver's) */
	uint64_t bytes_in;
	struct ipc_addr addr;
	struct rte_mbuf *held;    /* leg 1's pend: bytes not yet delivered */
	struct tr_stub stub;      /* UNSTUB: the 4-tuple */
	struct tcp_conn tcb;
	uint8_t resp[TR_RESP_MAX];
};

static inline struct tcprelay_worker *
tr_of(struct dp_worker *w)
{
	return w->tcprelay;
}

static struct dp_worker *
worker_of(struct tcp_stack *ts)
{
	return (struct dp_worker *)ts->out_arg;
}

static struct tr_conn *
tr_conn_of_splice(struct splice *sp)
{
	return (struct tr_conn *)(void *)((char *)sp - offsetof(struct tr_conn, sp));
}

/* The record of peer connection peer, or NULL (ended, or not ours). */
static struct tr_conn *
tr_by_peer(struct dp_worker *w, uint64_t peer)
{
	struct tcp_conn *c = peer != 0 ? tcp_conn_get(w->tcp, peer) : NULL;
	struct tr_conn *r;

	if (c == NULL || c->app != tr_of(w)->app || (r = c->app_arg) == NULL ||
	    r->peer != peer)
		return NULL;
	return r;
}

/* ---- events to cp -------------------------------------------------------- */

static void
ev_push(struct dp_worker *w, const struct tr_conn *r, uint8_t type, uint8_t reason,
	uint64_t data)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct ipc_tcp_event *e = ipc_backlog_reserve(&tr->ev, IPC_TCP_EVENT, r->alloc_id,
						      NULL, sizeof(*e));

	if (e == NULL) {
		tr->ctr[TR_CTR_EVENTS_LOST]++;
		return;
	}
	e->type = type;
	e->reason = reason;
	e->cid = r->cid;
	e->peer = type == IPC_TCP_EV_FAILED ? 0 : r->peer;
	e->data = data;
	e->addr = r->addr;
	e->bytes_in = r->sp.leg[1].bytes_in;
	e->bytes_out = r->sp.leg[1].bytes_out;
	/* (the data connection's: what the peer's were handed, and what
	 * reached the client, which differ by what either held at an abort) */
	e->client_in = r->sp.leg[0].bytes_in;
	e->client_out = r->sp.leg[0].bytes_out;
	ipc_backlog_commit(&tr->ev);
	tr->ctr[TR_CTR_EVENTS]++;
}

static unsigned int
ev_flush(struct dp_worker *w)
{
	return dp_cp_flush(w, &tr_of(w)->ev, DP_CP_HEADROOM, 0, NULL);
}

/* The splice's end (enum splice_cause) as cp hears a connection's. */
static uint8_t
reason_of(uint8_t cause)
{
	switch (cause) {
	case SPLICE_CAUSE_FIN:
	case SPLICE_CAUSE_CLOSE_NOTIFY:
	case SPLICE_CAUSE_RELEASED:
		return IPC_CONN_CLOSED;
	case SPLICE_CAUSE_TIMEOUT:
	case SPLICE_CAUSE_CONNECT_FAILED:
		return IPC_CONN_TIMEOUT;
	case SPLICE_CAUSE_RST:
		return IPC_CONN_RESET;
	default:
		return IPC_CONN_ABORTED;
	}
}

/* ---- records and their allocation's list -------------------------------- */

static struct turn_alloc *
alloc_of(struct dp_worker *w, const struct tr_conn *r)
{
	struct turn_alloc *a;

	if (r->alloc_slot1 == 0)
		return NULL;
	a = &w->turn->allocs[r->alloc_slot1 - 1u];
	return a->id == r->alloc_id ? a : NULL;
}

static void
list_add(struct tcprelay_worker *tr, struct turn_alloc *a, struct tr_conn *r,
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

static unsigned int
alloc_count(struct tcprelay_worker *tr, const struct turn_alloc *a)
{
	unsigned int n = 0;

	for (uint32_t s1 = a->tcp_head; s1 != 0 && n <= TR_PER_ALLOC; s1 = tr->conns[s1 - 1u].next1)
		n++;
	return n;
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
static unsigned int
group_wake_run(struct dp_worker *w, struct tcprelay_worker *tr)
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

static struct tcp_budget *
group_of(struct dp_worker *w, const struct tr_conn *r)
{
	return r->group1 != 0 ? &tr_of(w)->groups[r->group1 - 1u].b : NULL;
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

static const struct splice_ops tr_splice_ops;

static void
rec_free(struct dp_worker *w, struct tr_conn *r)
{
	struct tcprelay_worker *tr = tr_of(w);

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

/* A record for peer connection id, or NULL (all taken: as many as the
 * stack has connections, so only while legs of ended splices linger). */
static struct tr_conn *
rec_new(struct dp_worker *w, uint64_t id, uint64_t alloc_id, uint32_t cid,
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
	tr->n++;
	group_join(w, r, id);
	return r;
}

/* ---- forwarding stubs of moved connections ------------------------------- */

static uint32_t
stub_hash(uint8_t family, const uint8_t *raddr, uint16_t rport, const uint8_t *laddr,
	  uint16_t lport)
{
	uint32_t h = (uint32_t)family * 0x9e3779b1u ^ ((uint32_t)rport << 16 | lport);
	unsigned int n = family == 6 ? 16 : 4;

	for (unsigned int i = 0; i < n; i++)
		h = (h ^ raddr[i]) * 0x01000193u ^ laddr[i];
	return h ^ (h >> 15);
}

static uint32_t
stub_home(const struct tcprelay_worker *tr, const struct tr_stub *s)
{
	return stub_hash(s->family, s->raddr, s->rport, s->laddr, s->lport) & tr->stub_mask;
}

/* The stub of the 4-tuple, or (add) the empty slot it goes in; NULL when
 * none (or, adding, the table is full: kept at most half full). */
static struct tr_stub *
stub_find(struct tcprelay_worker *tr, uint8_t family, const uint8_t *raddr, uint16_t rport,
	  const uint8_t *laddr, uint16_t lport, bool add)
{
	unsigned int n = family == 6 ? 16 : 4;
	uint32_t i = stub_hash(family, raddr, rport, laddr, lport) & tr->stub_mask;

	if (add && tr->nstubs >= (tr->stub_mask + 1u) / 2u)
		return NULL;
	for (;; i = (i + 1) & tr->stub_mask) {
		struct tr_stub *s = &tr->stubs[i];

		if (!s->used)
			return add ? s : NULL;
		if (s->family == family && s->rport == rport && s->lport == lport &&
		    memcmp(s->raddr, raddr, n) == 0 && memcmp(s->laddr, laddr, n) == 0)
			return s;
	}
}

/* Backward-shift deletion (Knuth 6.4 Algorithm R), as dp/tcp's table. */
static void
stub_drop(struct tcprelay_worker *tr, struct tr_stub *s)
{
	uint32_t mask = tr->stub_mask, i = (uint32_t)(s - tr->stubs), j = i;

	tr->nstubs--;
	for (;;) {
		uint32_t home;

		tr->stubs[i].used = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!tr->stubs[j].used)
				return;
			home = stub_home(tr, &tr->stubs[j]);
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		tr->stubs[i] = tr->stubs[j];
		i = j;
	}
}

/* A slice of the stub table: those whose connection ended 2 MSL ago go
 * (a stub whose end was never heard of stays: it forwards to an RST). */
#define TR_STUB_SWEEP 64u

static void
stub_sweep(struct dp_worker *w, struct tcprelay_worker *tr)
{
	for (unsigned int k = 0; k < TR_STUB_SWEEP && tr->nstubs > 0; k++) {
		struct tr_stub *s = &tr->stubs[tr->stub_cur];

		if (s->used && s->until_ms != 0 && w->now_ms >= s->until_ms)
			stub_drop(tr, s);         /* (the slot may hold a shifted one now:
						   * looked at again next pass) */
		else
			tr->stub_cur = (tr->stub_cur + 1u) & tr->stub_mask;
	}
}

bool
tcprelay_forward(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
		 const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct tr_stub *s;

	if (tr == NULL || tr->nstubs == 0)
		return false;
	s = stub_find(tr, family, src, sport, dst, dport, false);
	if (s == NULL)
		return false;
	if (s->until_ms != 0 && w->now_ms >= s->until_ms) {
		stub_drop(tr, s);
		return false;
	}
	tr->ctr[TR_CTR_FORWARDED]++;
	dp_handoff(w, s->worker, m, DP_HANDOFF_FLOW);
	return true;
}

/* ---- the splice's owner --------------------------------------------------- */

static void
tr_leg_down(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	(void)w;
	(void)sp;
	(void)i;
}

static void send_unstub(struct dp_worker *w, const struct tr_conn *r);

static void
tr_done(struct dp_worker *w, struct splice *sp)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct tr_conn *r = tr_conn_of_splice(sp);

	if (r->state != TR_CONNECTING)
		ev_push(w, r, IPC_TCP_EV_GONE, reason_of(sp->why), 0);
	if (r->moved_from != 0)
		send_unstub(w, r);
	rec_free(w, r);
	tr->ctr[TR_CTR_ENDED]++;
}

static const struct splice_ops tr_splice_ops = {
	.leg_down = tr_leg_down,
	.done = tr_done,
};

static void tr_ready(struct dp_worker *w, uint64_t id, void *arg);

/* Both legs' connections have a session whose owner is the record (the
 * peer's from its accept, connect or arrival; the data connection's from
 * its bind, handed over by TURN's stream adapter). */
static const struct dp_session_ops tr_session_ops = {
	.name = "tcprelay",
	.ready = tr_ready,
};

/* ---- dp/tcp's application --------------------------------------------------- */

static int
tr_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	struct dp_worker *w = larg;
	struct tcprelay_worker *tr = tr_of(w);
	struct turn_worker *t = w->turn;
	const struct tcp_conn *tc = tcp_conn_get(ts, id);
	struct turn_alloc *a = NULL;
	struct tr_conn *r;
	struct ipc_addr addr;
	uint8_t family;
	int idx;

	if (tc == NULL)
		return -EINVAL;
	family = (tc->flags & TCP_CF_V6) ? 6 : 4;
	idx = turn_relay_index(w->ctx, family, tc->laddr);
	if (idx >= 0 && tc->lport >= t->relay_min &&
	    (uint32_t)(tc->lport - t->relay_min) < t->relay_span)
		a = turn_alloc_by_relay(t, turn_relay_tbl(t, family, (unsigned int)idx), tc->lport);
	if (a == NULL || !a->relay_tcp) {
		tr->ctr[TR_CTR_NO_ALLOCATION]++;
		return -ENOENT;
	}
	/* RFC 6062 §5.3: a permission for the peer's IP, else closed */
	if (!turn_perm_ok(t, a, family, tc->raddr, t->now_ms)) {
		tr->ctr[TR_CTR_NO_PERMISSION]++;
		return -EACCES;
	}
	if (alloc_count(tr, a) >= TR_PER_ALLOC) {
		tr->ctr[TR_CTR_PER_ALLOC]++;
		return -ENOSPC;
	}
	memset(&addr, 0, sizeof(addr));
	addr.family = family;
	addr.port = tc->rport;
	memcpy(addr.ip, tc->raddr, 16);
	r = rec_new(w, id, a->id, 0, &addr);
	if (r == NULL)
		return -ENOBUFS;
	r->local.family = family;
	r->local.port = tc->lport;
	memcpy(r->local.ip, tc->laddr, 16);
	list_add(tr, a, r, (uint32_t)(a - t->allocs));
	r->state = TR_WAIT_BIND;
	*carg = r;
	tcp_conn_set_rcv_limit(ts, id, TR_UNBOUND_BYTES, TR_UNBOUND_SEGS);
	dp_tcp_keepalive(w, id, &w->ctx->conf->turn.tcp_keepalive);
	tr->ctr[TR_CTR_ACCEPTED]++;
	ev_push(w, r, IPC_TCP_EV_INCOMING, 0, 0);
	session_open(w, id, &dp_xprt_raw, &tr_session_ops, r);
	splice_leg_open(w, &r->sp, 1, id, &dp_xprt_raw);
	return 0;
}

static void
tr_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct dp_worker *w = worker_of(ts);
	struct tr_conn *r = arg;

	if (r == NULL || r->peer != id || r->state != TR_CONNECTING)
		return;
	r->state = TR_WAIT_BIND;
	tcp_conn_set_rcv_limit(ts, id, TR_UNBOUND_BYTES, TR_UNBOUND_SEGS);
	tr_of(w)->ctr[TR_CTR_CONNECTED]++;
	ev_push(w, r, IPC_TCP_EV_CONNECTED, 0, 0);
	session_open(w, id, &dp_xprt_raw, &tr_session_ops, r);
	splice_leg_open(w, &r->sp, 1, id, &dp_xprt_raw);
}

static void
tr_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct tr_conn *r = arg;
	int i = r != NULL ? splice_leg_of(&r->sp, id) : -1;

	if (i >= 0)
		splice_readable(worker_of(ts), &r->sp, (unsigned int)i);
}

static void
tr_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct tr_conn *r = arg;
	int i = r != NULL ? splice_leg_of(&r->sp, id) : -1;

	if (i >= 0)
		splice_writable(worker_of(ts), &r->sp, (unsigned int)i);
}

static void
tr_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct dp_worker *w = worker_of(ts);
	struct tr_conn *r = arg;
	int i;

	if (r == NULL)
		return;
	i = splice_leg_of(&r->sp, id);
	if (i < 0)
		return;
	if (r->state == TR_CONNECTING) {
		/* the Connect failed (refused, no answer): cp answers 447 */
		tr_of(w)->ctr[TR_CTR_CONNECT_FAILED]++;
		ev_push(w, r, IPC_TCP_EV_FAILED, why == TCP_REASON_REFUSED ? IPC_CONN_RESET :
			IPC_CONN_TIMEOUT, 0);
	}
	splice_closed(w, &r->sp, (unsigned int)i, why);
}

static const struct tcp_app_ops tr_tcp_ops = {
	.accept = tr_accept,
	.connected = tr_connected,
	.readable = tr_readable,
	.writable = tr_writable,
	.closed = tr_closed,
};

/* A data connection's TLS resumed a read (its session's owner is r). */
static void
tr_ready(struct dp_worker *w, uint64_t id, void *arg)
{
	struct tr_conn *r = arg;
	int i = r != NULL ? splice_leg_of(&r->sp, id) : -1;

	if (i >= 0)
		splice_ready(w, &r->sp, (unsigned int)i);
}

/* ---- cp's messages ---------------------------------------------------------- */

static struct turn_alloc *
alloc_by_msg(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct turn_worker *t = w->turn;
	const struct ipc_tuple *tu = &msg->h.tuple;
	union turn_keyu k;
	struct turn_alloc *a;

	a = turn_alloc_by_tuple(t, &k, turn_key_from(&k, tu->transport, tu->conn_id,
					   tu->client.family, tu->in_port, tu->client.ip,
					   tu->client.port, tu->server.port));
	return a != NULL && a->id == msg->h.alloc_id ? a : NULL;
}

/* RFC 6062 §5.2: connect from the allocation's relayed transport address. */
static void
apply_connect(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct tcprelay_worker *tr = tr_of(w);
	const struct ipc_tcp_conn *x = (const void *)msg->body;
	struct turn_alloc *a = alloc_by_msg(w, msg);
	const struct ipc_addr *rel = a != NULL ? turn_relayed_for(w->turn, a, x->addr.family) :
				     NULL;
	struct tr_conn *r, fail;
	uint64_t id;
	int rc = -ENOENT;

	tr->ctr[TR_CTR_CONNECTS]++;
	if (a != NULL && a->relay_tcp && rel != NULL && alloc_count(tr, a) < TR_PER_ALLOC)
		rc = tcp_connect(w->tcp, x->addr.family, rel->ip, a->relay_port, x->addr.ip,
				 x->addr.port, tr->app, NULL, &id);
	if (rc == 0) {
		r = rec_new(w, id, msg->h.alloc_id, x->cid, &x->addr);
		if (r == NULL) {
			tcp_abort(w->tcp, id);
			rc = -ENOBUFS;
		} else {
			r->state = TR_CONNECTING;
			r->local = *rel;
			r->local.port = a->relay_port;
			list_add(tr, a, r, (uint32_t)(a - w->turn->allocs));
			splice_leg_connecting(&r->sp, 1, id);
			tcp_conn_set_app(w->tcp, id, tr->app, r);
			dp_tcp_keepalive(w, id, &w->ctx->conf->turn.tcp_keepalive);
			return;
		}
	}
	tr->ctr[TR_CTR_CONNECT_FAILED]++;
	memset(&fail, 0, sizeof(fail));
	fail.alloc_id = msg->h.alloc_id;
	fail.cid = x->cid;
	fail.addr = x->addr;
	ev_push(w, &fail, IPC_TCP_EV_FAILED,
		rc == -EADDRINUSE ? IPC_CONN_RESET : IPC_CONN_ABORTED, 0);
}

/*
 * r's peer connection and data connection data (this worker's) become one
 * splice: cp's answer goes first on the data connection, then what
 * followed the ConnectionBind there, then the bytes both ways. false when
 * the data connection is gone (r is then ended).
 */
static bool
bind_here(struct dp_worker *w, struct tr_conn *r, uint64_t data, const uint8_t *resp,
	  uint16_t resp_len)
{
	struct tcprelay_worker *tr = tr_of(w);
	const struct dp_xprt_ops *xp;
	struct rte_mbuf *held = NULL, *m;
	uint32_t held_bytes = 0;
	int ver;

	if (dp_tcp_turn_take(w, data, &xp, &held) < 0) {
		tr->ctr[TR_CTR_BIND_GONE]++;
		splice_release(w, &r->sp, SPLICE_CAUSE_OTHER_LEG);
		return false;
	}
	m = dp_alloc(w);
	if (m == NULL || rte_pktmbuf_append(m, resp_len) == NULL ||
	    (memcpy(rte_pktmbuf_mtod(m, void *), resp, resp_len),
	     xp->snd_buf(w, data, m) < 0)) {
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(held);
		session_close(w, data);
		xp->abort(w, data);
		tr->ctr[TR_CTR_BIND_GONE]++;
		splice_release(w, &r->sp, SPLICE_CAUSE_NO_MEMORY);
		return false;
	}
	tcp_conn_set_app(w->tcp, data, tr->app, r);
	session_move(w, data, &tr_session_ops, r);
	tcp_conn_set_budget(w->tcp, data, group_of(w, r));
	r->state = TR_BOUND;
	tr->ctr[TR_CTR_BOUND]++;
	ev_push(w, r, IPC_TCP_EV_BOUND, 0, data);
	/* the bytes that followed the ConnectionBind come first from leg 0 */
	for (m = held; m != NULL; m = m->next)
		held_bytes += m->data_len;
	if (held != NULL) {
		struct splice_leg *l = &r->sp.leg[0];

		held->pkt_len = held_bytes;
		l->pend = held;
		for (m = held; m->next != NULL; m = m->next)
			;
		l->pend_tail = m;
		l->pend_bytes = held_bytes;
		l->bytes_in = held_bytes;
	}
	ver = xp->version(w, data);
	tcp_conn_set_rcv_limit(w->tcp, r->peer, 0, 0);   /* the stack's, now it is read */
	splice_leg_open(w, &r->sp, 0, data, xp);
	/* (TLS that TURN's adapter ran to its end: up at once; raw is 0) */
	if (ver > 0 && r->peer != 0)
		splice_leg_up(w, &r->sp, 0, (uint8_t)ver);
	return true;
}

static void move_out(struct dp_worker *w, struct tr_conn *r, uint64_t data,
		     const uint8_t *resp, uint16_t resp_len);

/* A ConnectionBind that cannot be carried out: its connection, when it
 * is this worker's, is reset now (another worker's meets its deadline,
 * dp_tcp_turn's TT_BIND_MS), rather than held unanswered. */
static void
data_abort(struct dp_worker *w, uint64_t data)
{
	const struct dp_xprt_ops *xp;
	struct rte_mbuf *held = NULL;

	if (ipc_conn_worker(data) != w->id || dp_tcp_turn_take(w, data, &xp, &held) < 0)
		return;
	rte_pktmbuf_free(held);
	session_close(w, data);
	xp->abort(w, data);
}

static void
apply_bind(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct tcprelay_worker *tr = tr_of(w);
	const struct ipc_tcp_conn *x = (const void *)msg->body;
	struct tr_conn *r = tr_by_peer(w, x->peer);
	uint64_t data = msg->h.tuple.conn_id;

	if (r == NULL || r->state != TR_WAIT_BIND || r->alloc_id != msg->h.alloc_id ||
	    !x->ok || x->resp_len > TR_RESP_MAX) {
		/* ended meanwhile (its GONE is on its way to cp): the client's
		 * ConnectionBind goes unanswered, its connection closed */
		tr->ctr[TR_CTR_BIND_STALE]++;
		data_abort(w, data);
		return;
	}
	r->cid = x->cid;
	if (ipc_conn_worker(data) == w->id)
		bind_here(w, r, data, msg->body + sizeof(*x), x->resp_len);
	else
		move_out(w, r, data, msg->body + sizeof(*x), x->resp_len);
}

static void
apply_close(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct tcprelay_worker *tr = tr_of(w);
	const struct ipc_tcp_conn *x = (const void *)msg->body;
	struct tr_conn *r = tr_by_peer(w, x->peer);

	if (r == NULL || r->alloc_id != msg->h.alloc_id)
		return;
	tr->ctr[TR_CTR_CLOSED_BY_CP]++;
	r->state = TR_ENDING;
	splice_release(w, &r->sp, SPLICE_CAUSE_RELEASED);
}

/* cp named a peer that connected in (its ConnectionAttempt's
 * CONNECTION-ID): a restarted cp gets it back from here. */
static void
apply_name(struct dp_worker *w, const struct ipc_msg *msg)
{
	const struct ipc_tcp_conn *x = (const void *)msg->body;
	struct tr_conn *r = tr_by_peer(w, x->peer);

	if (r != NULL && r->alloc_id == msg->h.alloc_id && r->cid == 0)
		r->cid = x->cid;
}

/* cp's TCP_CONNECT, TCP_BIND, TCP_CLOSE, TCP_NAME for w (checked by
 * ipc_msg_check()). */
static void
tcprelay_apply(struct dp_worker *w, const struct ipc_msg *msg)
{
	if (tr_of(w) == NULL)
		return;            /* (cp sends only to a dp with IPC_CAP_TCP_RELAY) */
	switch (msg->h.kind) {
	case IPC_TCP_NAME:
		apply_name(w, msg);
		break;
	case IPC_TCP_CONNECT:
		apply_connect(w, msg);
		break;
	case IPC_TCP_BIND:
		apply_bind(w, msg);
		break;
	case IPC_TCP_CLOSE:
		apply_close(w, msg);
		break;
	default:
		break;
	}
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
			rec_free(w, r);
			tcp_abort(w->tcp, id);
			continue;
		}
		r->state = TR_ENDING;
		splice_release(w, &r->sp, SPLICE_CAUSE_RELEASED);
	}
}

/* ---- moving a peer connection to its data connection's worker ----------- */

static void
stub_add(struct dp_worker *w, const struct tcp_conn *c, unsigned int to)
{
	struct tcprelay_worker *tr = tr_of(w);
	uint8_t family = (c->flags & TCP_CF_V6) ? 6 : 4;
	struct tr_stub *s;

	s = stub_find(tr, family, c->raddr, c->rport, c->laddr, c->lport, true);
	if (s == NULL) {
		tr->ctr[TR_CTR_STUBS_FULL]++;
		return;                   /* (segments then meet an RST here) */
	}
	if (!s->used)
		tr->nstubs++;
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->family = family;
	s->worker = (uint8_t)to;
	s->rport = c->rport;
	s->lport = c->lport;
	memcpy(s->raddr, c->raddr, 16);
	memcpy(s->laddr, c->laddr, 16);
}

static struct rte_mbuf *
move_msg(struct dp_worker *w, struct tr_move **mv)
{
	struct rte_mbuf *m = dp_alloc(w);

	_Static_assert(sizeof(struct tr_move) <= RTE_MBUF_DEFAULT_DATAROOM,
		       "a move fits an mbuf");
	if (m == NULL)
		return NULL;
	*mv = (struct tr_move *)rte_pktmbuf_append(m, sizeof(**mv));
	if (*mv == NULL || ((uintptr_t)*mv & 63u) != 0) {
		/* the TCB inside wants its alignment */
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(*mv, 0, sizeof(**mv));
	(*mv)->magic = TR_MOVE_MAGIC;
	(*mv)->from = (uint8_t)w->id;
	return m;
}

static void
move_out(struct dp_worker *w, struct tr_conn *r, uint64_t data, const uint8_t *resp,
	 uint16_t resp_len)
{
	struct tcprelay_worker *tr = tr_of(w);
	unsigned int to = ipc_conn_worker(data);
	struct splice_leg *l = &r->sp.leg[1];
	struct tr_move *mv;
	struct rte_mbuf *m;

	/* no room for its stub: it does not move (moved without one, its
	 * segments would meet an RST here) */
	if (to >= w->ctx->nworkers || tr->nstubs >= (tr->stub_mask + 1u) / 2u) {
		tr->ctr[TR_CTR_STUBS_FULL]++;
		goto fail;
	}
	if ((m = move_msg(w, &mv)) == NULL)
		goto fail;
	if (tcp_conn_export(w->tcp, r->peer, &mv->tcb) < 0) {
		rte_pktmbuf_free(m);
		goto fail;
	}
	session_close(w, r->peer);        /* (the receiver opens it again) */
	stub_add(w, &mv->tcb, to);
	mv->kind = TR_MOVE_CONN;
	mv->cid = r->cid;
	mv->alloc_id = r->alloc_id;
	mv->data = data;
	mv->addr = r->addr;
	mv->held = l->pend;
	mv->held_bytes = l->pend_bytes;
	mv->bytes_in = l->bytes_in;
	mv->resp_len = resp_len;
	memcpy(mv->resp, resp, resp_len);
	/* the record goes here without a word to cp: the receiver reports
	 * the connection (BOUND, or GONE) */
	if (!dp_handoff_try(w, to, m, DP_HANDOFF_TCPRELAY)) {
		/* the other worker's ring is full: the connection is lost
		 * (its bytes, its stub; cp hears GONE, the client's bind
		 * goes unanswered) */
		struct tr_stub *st = stub_find(tr, r->local.family, r->addr.ip, r->addr.port,
					       r->local.ip, r->local.port, false);

		if (st != NULL)
			stub_drop(tr, st);
		tcp_conn_export_free(&mv->tcb);
		rte_pktmbuf_free(mv->held);
		rte_pktmbuf_free(m);
		l->pend = l->pend_tail = NULL;
		l->pend_bytes = 0;
		tr->ctr[TR_CTR_MOVE_FAILED]++;
		ev_push(w, r, IPC_TCP_EV_GONE, IPC_CONN_ABORTED, 0);
		rec_free(w, r);
		return;
	}
	rec_free(w, r);
	tr->ctr[TR_CTR_MOVED_OUT]++;
	return;
fail:
	tr->ctr[TR_CTR_MOVE_FAILED]++;
	r->state = TR_ENDING;
	splice_release(w, &r->sp, SPLICE_CAUSE_NO_MEMORY);
}

static void
move_in(struct dp_worker *w, struct tr_move *mv)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct tr_conn *r;
	uint64_t id;

	if (tcp_conn_import(w->tcp, &mv->tcb, tr->app, NULL, &id) < 0) {
		struct tr_conn gone;

		/* nowhere to put it: its bytes go, and so does it (the peer
		 * sees an RST from whoever gets its next segment), and the
		 * data connection waiting for it */
		rte_pktmbuf_free(mv->held);
		tcp_conn_export_free(&mv->tcb);
		data_abort(w, mv->data);
		tr->ctr[TR_CTR_MOVE_FAILED]++;
		memset(&gone, 0, sizeof(gone));
		gone.alloc_id = mv->alloc_id;
		gone.cid = mv->cid;
		gone.peer = ipc_conn_make(mv->from, 0, 1);
		gone.addr = mv->addr;
		ev_push(w, &gone, IPC_TCP_EV_GONE, IPC_CONN_ABORTED, 0);
		return;
	}
	r = rec_new(w, id, mv->alloc_id, mv->cid, &mv->addr);
	if (r == NULL) {
		rte_pktmbuf_free(mv->held);
		tcp_abort(w->tcp, id);
		data_abort(w, mv->data);
		tr->ctr[TR_CTR_MOVE_FAILED]++;
		return;
	}
	tcp_conn_set_app(w->tcp, id, tr->app, r);
	r->moved_from = (uint8_t)(mv->from + 1u);
	r->local.family = (mv->tcb.flags & TCP_CF_V6) ? 6 : 4;
	r->local.port = mv->tcb.lport;
	memcpy(r->local.ip, mv->tcb.laddr, 16);
	r->state = TR_WAIT_BIND;
	tr->ctr[TR_CTR_MOVED_IN]++;
	/* leg 1 as it was: up, with what it held */
	r->sp.leg[1].pend = mv->held;
	r->sp.leg[1].pend_bytes = mv->held_bytes;
	r->sp.leg[1].bytes_in = mv->bytes_in;
	if (mv->held != NULL) {
		struct rte_mbuf *t = mv->held;

		while (t->next != NULL)
			t = t->next;
		r->sp.leg[1].pend_tail = t;
	}
	r->sp.leg[1].id = id;
	r->sp.leg[1].xp = &dp_xprt_raw;
	r->sp.leg[1].state = SPLICE_LEG_UP;
	session_open(w, id, &dp_xprt_raw, &tr_session_ops, r);
	bind_here(w, r, mv->data, mv->resp, mv->resp_len);
}

/* This worker's connection that came from another ended: its stub there
 * lingers, then goes. */
static void
send_unstub(struct dp_worker *w, const struct tr_conn *r)
{
	struct tr_move *mv;
	struct rte_mbuf *m = move_msg(w, &mv);

	if (m == NULL)
		return;                   /* (the stub stays: it forwards to RSTs) */
	mv->kind = TR_MOVE_UNSTUB;
	mv->stub.family = r->local.family;
	mv->stub.rport = r->addr.port;
	mv->stub.lport = r->local.port;
	memcpy(mv->stub.raddr, r->addr.ip, 16);
	memcpy(mv->stub.laddr, r->local.ip, 16);
	dp_handoff(w, r->moved_from - 1u, m, DP_HANDOFF_TCPRELAY);
}

void
tcprelay_handoff(struct dp_worker *w, struct rte_mbuf *m)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct tr_move *mv = rte_pktmbuf_mtod(m, struct tr_move *);

	if (tr == NULL || rte_pktmbuf_data_len(m) != sizeof(*mv) || mv->magic != TR_MOVE_MAGIC) {
		rte_pktmbuf_free(m);
		return;
	}
	if (mv->kind == TR_MOVE_CONN) {
		move_in(w, mv);
	} else if (mv->kind == TR_MOVE_UNSTUB) {
		struct tr_stub *s = stub_find(tr, mv->stub.family, mv->stub.raddr,
					      mv->stub.rport, mv->stub.laddr, mv->stub.lport,
					      false);

		if (s != NULL)
			s->until_ms = w->now_ms + TR_STUB_LINGER_MS;
	}
	rte_pktmbuf_free(m);
}

/* ---- a restarted cp -------------------------------------------------------- */

static void
tcprelay_sync_start(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct tcprelay_worker *tr = tr_of(w);

	(void)msg;
	if (tr == NULL)
		return;
	tr->sync_on = true;
	tr->sync_next = 0;
}

bool
tcprelay_state_step(struct dp_worker *w, unsigned int headroom)
{
	static _Thread_local struct ipc_msg msg;
	struct tcprelay_worker *tr = tr_of(w);

	if (tr == NULL || !tr->sync_on)
		return true;
	if (w->cp.rings == NULL)
		return false;
	for (; tr->sync_next < tr->max; tr->sync_next++) {
		const struct tr_conn *r = &tr->conns[tr->sync_next];
		struct ipc_tcp_event *e = (struct ipc_tcp_event *)(void *)msg.body;

		/* up and waiting for its bind, or bound (a Connect's still
		 * under way: cp lost its request, and closes it when dp
		 * says CONNECTED) */
		if (r->peer == 0 || (r->state != TR_WAIT_BIND && r->state != TR_BOUND) ||
		    (r->state == TR_BOUND && r->sp.leg[0].id == 0))
			continue;
		if (!dp_cp_room(w, headroom))
			return false;
		memset(&msg.h, 0, sizeof(msg.h));
		memset(e, 0, sizeof(*e));
		msg.h.kind = IPC_TCP_STATE;
		msg.h.alloc_id = r->alloc_id;
		msg.h.body_len = sizeof(*e);
		e->type = r->state == TR_BOUND ? IPC_TCP_EV_BOUND :
			  r->cid != 0 ? IPC_TCP_EV_CONNECTED : IPC_TCP_EV_INCOMING;
		e->cid = r->cid;
		e->peer = r->peer;
		e->data = r->state == TR_BOUND ? r->sp.leg[0].id : 0;
		e->addr = r->addr;
		e->bytes_in = r->sp.leg[1].bytes_in;
		e->bytes_out = r->sp.leg[1].bytes_out;
		e->client_in = r->sp.leg[0].bytes_in;
		e->client_out = r->sp.leg[0].bytes_out;
		if (dp_cp_send(w, &msg) < 0)
			return false;
		w->cp.ipc_out++;
	}
	tr->sync_on = false;
	return true;
}

/* ---- the worker loop, set-up, statistics ---------------------------------- */

unsigned int
tcprelay_poll(struct dp_worker *w, uint64_t now_ms)
{
	struct tcprelay_worker *tr = tr_of(w);

	(void)now_ms;
	if (tr == NULL)
		return 0;
	if (tr->nstubs > 0)
		stub_sweep(w, tr);
	return (tr->gwake1 != 0 ? group_wake_run(w, tr) : 0) + ev_flush(w);
}

/* ---- what TCP's glue asks of RFC 6062 (ctx->tcp_relay) ---- */

/* A relayed transport address's connections live with its allocation. */
static bool
tr_owner(const struct dp_ctx *ctx, uint8_t family, const uint8_t *dst, uint16_t dport,
	 unsigned int *owner)
{
	if (dport < ctx->relay_min || dport > ctx->relay_max ||
	    turn_relay_index(ctx, family, dst) < 0)
		return false;
	*owner = steer_relay_owner(ctx->relay_min, ctx->relay_max, ctx->nworkers, dport);
	return true;
}

/* A segment to one of our relayed addresses (a Connect to our own relayed
 * transport address): looped in to the worker of the destination port. */
static bool
tr_hairpin(struct dp_worker *w, struct rte_mbuf *m, uint8_t family, const uint8_t *dst,
	   uint16_t dport)
{
	const struct dp_ctx *ctx = w->ctx;

	if (turn_relay_index(ctx, family, dst) < 0)
		return false;
	turn_loop_in(w, m, family, dport >= ctx->relay_min && dport <= ctx->relay_max ?
		     steer_relay_owner(ctx->relay_min, ctx->relay_max, ctx->nworkers, dport) :
		     w->id);
	return true;
}

static const struct dp_tcp_relay_ops tr_relay_ops = {
	.owner = tr_owner,
	.hairpin = tr_hairpin,
	.forward = tcprelay_forward,
};

static const struct dp_tcp_mod tr_mod = {
	.name = "tcprelay", .rank = DP_TCP_MOD_TCPRELAY, .poll = tcprelay_poll,
	.free = tcprelay_free,
};

int
tcprelay_init(struct dp_worker *w)
{
	const struct tp_conf *conf = w->ctx->conf;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct tcprelay_worker *tr;
	uint32_t ev_cap;
	int rc;

	if (w->tcp == NULL || !conf->turn.enabled ||
	    conf->turn.nlisten_tcp + conf->turn.nlisten_tls == 0)
		return 0;
	if (dp_cp_on_kind(w->ctx, IPC_TCP_CONNECT, tcprelay_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_TCP_BIND, tcprelay_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_TCP_CLOSE, tcprelay_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_TCP_NAME, tcprelay_apply) < 0 ||
	    dp_cp_on_sync(w->ctx, tcprelay_sync_start, tcprelay_state_step) < 0) {
		tp_log(TP_LOG_ERR, "internal error: RFC 6062's messages from cp\n");
		return -EINVAL;
	}
	tr = rte_zmalloc_socket("tcprelay", sizeof(*tr), 64, socket);
	if (tr == NULL)
		goto nomem;
	w->tcprelay = tr;
	(void)dp_tcp_mod_add(w, &tr_mod);
	w->ctx->tcp_relay = &tr_relay_ops;
	if (w->splice == NULL)
		w->splice = &tr->own_splice;
	tr->max = conf->dp.tcp_max_conns;
	ev_cap = 64;
	while (ev_cap < 4u * tr->max)
		ev_cap <<= 1;
	tr->stub_mask = 63;
	while (tr->stub_mask + 1u < 2u * tr->max)
		tr->stub_mask = tr->stub_mask * 2u + 1u;
	tr->conns = rte_zmalloc_socket("tcprelay_conns", (size_t)tr->max * sizeof(*tr->conns),
				       64, socket);
	tr->ev_mem = rte_zmalloc_socket("tcprelay_ev", ipc_backlog_size(ev_cap,
					sizeof(struct ipc_tcp_event), false), 64, socket);
	tr->stubs = rte_zmalloc_socket("tcprelay_stubs",
				       (size_t)(tr->stub_mask + 1u) * sizeof(*tr->stubs), 64,
				       socket);
	if (tr->conns == NULL || tr->ev_mem == NULL || tr->stubs == NULL ||
	    ipc_backlog_setup(&tr->ev, tr->ev_mem, ev_cap, sizeof(struct ipc_tcp_event),
			      false) < 0 || session_worker_init(w, tr->max) < 0)
		goto nomem;
	for (uint32_t i = tr->max; i > 0; i--) {
		tr->conns[i - 1u].next_free = tr->free1;
		tr->free1 = i;
	}
	tr->budget_bytes = conf->turn.tcp_alloc_bytes;
	tr->budget_mbufs = conf->turn.tcp_alloc_mbufs;
	if (tr->budget_bytes != 0 || tr->budget_mbufs != 0) {
		/* a budget a record at most; the index at most half full */
		tr->gmask = 63;
		while (tr->gmask + 1u < 2u * tr->max)
			tr->gmask = tr->gmask * 2u + 1u;
		tr->groups = rte_zmalloc_socket("tcprelay_budgets",
						(size_t)tr->max * sizeof(*tr->groups), 64, socket);
		tr->gidx = rte_zmalloc_socket("tcprelay_budget_index",
					      (size_t)(tr->gmask + 1u) * sizeof(*tr->gidx), 64,
					      socket);
		if (tr->groups == NULL || tr->gidx == NULL)
			goto nomem;
		for (uint32_t i = tr->max; i > 0; i--) {
			tr->groups[i - 1u].next1 = tr->gfree1;
			tr->gfree1 = i;
		}
	}
	w->turn->tcp_gone = tcprelay_alloc_gone;
	w->turn->tcp_gone_arg = w;
	tr->app = tcp_app_register(w->tcp, &tr_tcp_ops);
	if (tr->app < 0) {
		tp_log(TP_LOG_ERR, "worker %u: no room for RFC 6062's TCP application\n", w->id);
		return tr->app;
	}
	if ((rc = dp_tcp_use(w, tr->app, DP_TCP_USE_RELAY)) < 0)
		return rc;
	tr->port_lo = w->turn->relay_min;
	tr->port_hi = (uint16_t)(w->turn->relay_min + w->turn->relay_span - 1u);
	if (w->turn->relay_span == 0)
		return 0;
	rc = tcp_listen_range(w->tcp, 0, tr->port_lo, tr->port_hi, tr->app, w);
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "%s: turn.relay_ports: worker %u cannot listen on TCP %u-%u "
		       "for RFC 6062: %s\n", conf->path, w->id, tr->port_lo, tr->port_hi,
		       rc == -EADDRINUSE ? "a port is taken (agw.ports, dp.diag_tcp_echo_port?)" :
		       strerror(-rc));
		return rc;
	}
	return 0;
nomem:
	tp_log(TP_LOG_ERR, "worker %u: no memory for RFC 6062's %u connections "
	       "(dp.tcp_max_conns)\n", w->id, conf->dp.tcp_max_conns);
	return -ENOMEM;
}

void
tcprelay_free(struct dp_worker *w)
{
	struct tcprelay_worker *tr = w->tcprelay;

	if (tr == NULL)
		return;
	if (tr->conns != NULL)
		for (uint32_t s = 0; s < tr->max; s++) {
			rte_pktmbuf_free(tr->conns[s].sp.leg[0].pend);
			rte_pktmbuf_free(tr->conns[s].sp.leg[1].pend);
		}
	if (w->splice == &tr->own_splice)
		w->splice = NULL;
	if (tr->groups != NULL && w->tcp != NULL)
		tcp_stack_forget_budgets(w->tcp);
	rte_free(tr->groups);
	rte_free(tr->gidx);
	rte_free(tr->conns);
	rte_free(tr->ev_mem);
	rte_free(tr->stubs);
	rte_free(tr);
	w->tcprelay = NULL;
}

/* The most one allocation's budget held here (live or gone): bytes or
 * mbufs. */
static uint64_t
budget_peak(const struct tcprelay_worker *tr, bool mbufs)
{
	uint64_t p = mbufs ? tr->peak_mbufs : tr->peak_bytes;

	for (uint32_t i = 0; tr->groups != NULL && i < tr->max; i++) {
		const struct tr_group *g = &tr->groups[i];
		uint64_t v = mbufs ? g->b.peak_mbufs : g->b.peak_bytes;

		if (g->used && v > p)
			p = v;
	}
	return p;
}

static const struct dp_ctrs_desc tr_desc[TR_CTR__COUNT + 4] = {
#define TR_CTR(n, s, h) [TR_CTR_##n] = { s, DP_CTRS_COUNTER, h },
#include "tcprelay_counters.def"
#undef TR_CTR
	[TR_CTR__COUNT] = { "connections", DP_CTRS_GAUGE, "Peer connections now (a level)" },
	[TR_CTR__COUNT + 1] = { "budgets", DP_CTRS_GAUGE,
				"Allocations' budgets of held bytes in use now (a level)" },
	[TR_CTR__COUNT + 2] = { "budget_peak_bytes", DP_CTRS_GAUGE,
				"The most bytes one allocation's budget held here, live or gone" },
	[TR_CTR__COUNT + 3] = { "budget_peak_mbufs", DP_CTRS_GAUGE,
				"The most mbufs one allocation's budget held here, live or gone" },
};

static void
tr_values(const struct dp_worker *w, uint64_t *out)
{
	const struct tcprelay_worker *tr = w->tcprelay;

	for (unsigned int k = 0; k < TR_CTR__COUNT; k++)
		out[k] = tr != NULL ? tr->ctr[k] : 0;
	out[TR_CTR__COUNT] = tr != NULL ? tr->n : 0;
	out[TR_CTR__COUNT + 1] = tr != NULL ? tr->ngroups : 0;
	out[TR_CTR__COUNT + 2] = tr != NULL ? budget_peak(tr, false) : 0;
	out[TR_CTR__COUNT + 3] = tr != NULL ? budget_peak(tr, true) : 0;
}

const struct dp_ctrs_family tcprelay_ctrs = {
	.name = "tcprelay", .prefix = "tcprelay_",
	.help = "RFC 6062's peer connections (tcprelay_counters.def) and their budgets",
	.desc = tr_desc, .n = TR_CTR__COUNT + 4, .values = tr_values,
};

void
tcprelay_stats(const struct dp_worker *w, FILE *out)
{
	const struct tcprelay_worker *tr = w->tcprelay;

	if (tr == NULL)
		return;
	fprintf(out, "tcprelay worker=%u connections=%u ports=%u-%u stubs=%u events_waiting=%u "
		"budgets=%u budget_peak_bytes=%" PRIu64 " budget_peak_mbufs=%" PRIu64,
		w->id, tr->n, tr->port_lo, tr->port_hi, tr->nstubs, ipc_backlog_count(&tr->ev),
		tr->ngroups, budget_peak(tr, false), budget_peak(tr, true));
	for (unsigned int k = 0; k < TR_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, tr_ctr_names[k], tr->ctr[k]);
	fputc('\n', out);
}
