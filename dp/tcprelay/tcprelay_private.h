/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay's internals, shared by its files (the rest of dp sees
 * tcprelay.h only): the defaults, a peer connection's record, an
 * allocation's budget, a moved connection's stub and the message it moves
 * in, the worker's state; the functions the files call across, by file;
 * and, as inlines, the helpers that more than one file uses on the way to
 * a peer connection (tr_of(), tr_by_peer(), group_of()) or that the
 * worker's poll runs every turn (ev_flush()), so that those paths make no
 * call they did not make before. Which file has what: FEATURE.md "Files".
 */
#ifndef DP_TCPRELAY_PRIVATE_H
#define DP_TCPRELAY_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "dp_cp.h"
#include "ipc.h"
#include "splice.h"
#include "tcp.h"
#include "tw_types.h"

struct rte_mbuf;
struct turn_alloc;

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
	/* the legs' policing (the allocation's max_bps, splice_leg_police()):
	 * a leg its bucket stopped is read again when this fires */
	struct tr_pol_timer {
		struct tw_timer t;
		struct tr_conn *r;
		uint8_t leg;
		uint8_t pad[7];
	} pol[2];
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
	/* The most a live budget held, a running maximum over a sweep of
	 * the groups a slice at a time (tcprelay_poll()): each budget's peak
	 * only grows and a gone one's is kept above, so it never has to come
	 * down; the statistics read it instead of walking every group (some
	 * megabytes at tcp_max_conns, 100+ us of the worker's tick). */
	uint64_t live_peak_bytes;
	uint32_t live_peak_mbufs;
	uint32_t peak_cur;        /* the sweep's place */
	bool sync_on;             /* a restarted cp's pass (TCP_STATE) */
	uint32_t sync_next;
	uint64_t ctr[TR_CTR__COUNT];
};

/* The message a moving connection travels in (TCPRELAY_HANDOFF). */
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
	uint32_t pol_rate, pol_burst; /* its legs' policing (max_bps) */
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

/* The record of peer connection peer, or NULL (ended, or not ours). */
static inline struct tr_conn *
tr_by_peer(struct dp_worker *w, uint64_t peer)
{
	struct tcp_conn *c = peer != 0 ? tcp_conn_get(w->tcp, peer) : NULL;
	struct tr_conn *r;

	if (c == NULL || c->app != tr_of(w)->app || (r = c->app_arg) == NULL ||
	    r->peer != peer)
		return NULL;
	return r;
}

static inline struct tcp_budget *
group_of(struct dp_worker *w, const struct tr_conn *r)
{
	return r->group1 != 0 ? &tr_of(w)->groups[r->group1 - 1u].b : NULL;
}

/* ---- tcprelay_cp.c: cp's messages, the events to cp, a restarted cp ---- */

/* An event about r to cp (its backlog: counted events_lost when full). */
void tr_ev_push(struct dp_worker *w, const struct tr_conn *r, uint8_t type, uint8_t reason,
	     uint64_t data);

static inline unsigned int
ev_flush(struct dp_worker *w)
{
	return dp_cp_flush(w, &tr_of(w)->ev, DP_CP_HEADROOM, 0, NULL);
}

/* cp's TCP_CONNECT, TCP_BIND, TCP_CLOSE, TCP_NAME (dp_cp_on_kind()). */
void tcprelay_apply(struct dp_worker *w, const struct ipc_msg *msg);
/* cp's SYNC: the pass over the live peer connections begins (dp_cp_on_sync()). */
void tcprelay_sync_start(struct dp_worker *w, const struct ipc_msg *msg);

/* ---- tcprelay_rec.c: the records, their allocation's list, its budget ---- */

/* r on the list of a (a_slot: a's slot in w->turn->allocs). */
void tr_list_add(struct tcprelay_worker *tr, struct turn_alloc *a, struct tr_conn *r,
	      uint32_t a_slot);
/* The budgets that dp/tcp woke get their window updates; how many. */
unsigned int tr_group_wake_run(struct dp_worker *w, struct tcprelay_worker *tr);
/* r off its list and its budget, back on the free list. */
void tr_rec_free(struct dp_worker *w, struct tr_conn *r);
/* A record for peer connection id, or NULL when all are taken. */
/* r's legs policed at rate bytes a second, burst bytes (its
 * allocation's max_bps; rate 0: none), and from a's limit on this
 * worker. */
void tr_pol_fire(struct tw_timer *t, void *arg);
void tr_police_wait(struct dp_worker *w, struct splice *sp, unsigned int i, uint64_t due_ms);
void tr_rec_police(struct dp_worker *w, struct tr_conn *r, uint32_t rate, uint32_t burst);
void tr_rec_police_of(struct dp_worker *w, struct tr_conn *r, const struct turn_alloc *a);
struct tr_conn *tr_rec_new(struct dp_worker *w, uint64_t id, uint64_t alloc_id, uint32_t cid,
			const struct ipc_addr *addr);

/* ---- tcprelay_owner.c: the owner of the splice and of the sessions ---- */

extern const struct splice_ops tr_splice_ops;
extern const struct dp_session_ops tr_session_ops;

/* ---- tcprelay_peer.c: dp/tcp's application, the Connect ---- */

extern const struct tcp_app_ops tr_tcp_ops;
/* RFC 6062 §5.2: cp's TCP_CONNECT. */
void tr_apply_connect(struct dp_worker *w, const struct ipc_msg *msg);

/* ---- tcprelay_bind.c: the ConnectionBind ---- */

/* cp's TCP_BIND: r bound here, or moved to its data connection's worker. */
void tr_apply_bind(struct dp_worker *w, const struct ipc_msg *msg);
/* r spliced with data, this worker's; false when data is gone (r ended). */
bool tr_bind_here(struct dp_worker *w, struct tr_conn *r, uint64_t data, const uint8_t *resp,
	       uint16_t resp_len);
/* A bind that cannot be carried out: data, when this worker's, reset. */
void tr_data_abort(struct dp_worker *w, uint64_t data);

/* ---- tcprelay_move.c: a peer connection moving, its stub ---- */

/* A slice of the stub table swept of stubs past their linger. */
void tr_stub_sweep(struct dp_worker *w, struct tcprelay_worker *tr);
/* r moves to data's worker, cp's answer with it (r ends here). */
void tr_move_out(struct dp_worker *w, struct tr_conn *r, uint64_t data, const uint8_t *resp,
	      uint16_t resp_len);
/* r, moved in, ended: the worker it came from lets its stub linger. */
void tr_send_unstub(struct dp_worker *w, const struct tr_conn *r);

#endif /* DP_TCPRELAY_PRIVATE_H */
