/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay: what passes between a worker's peer connections and cp.
 * Events (INCOMING, CONNECTED, FAILED, BOUND, GONE) go out in order
 * through a backlog, never lost to a full ring (tr_ev_push(); the poll
 * flushes it, ev_flush()); cp's TCP_CONNECT, TCP_BIND, TCP_CLOSE and
 * TCP_NAME come in by kind (tcprelay_apply(): the Connect is
 * tcprelay_peer.c's, the bind tcprelay_bind.c's); a restarted cp's SYNC
 * gets every live peer connection back (TCP_STATE).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dp.h"
#include "dp_cp.h"
#include "ipc.h"
#include "splice.h"
#include "tcprelay.h"
#include "tcprelay_private.h"

/* ---- events to cp -------------------------------------------------------- */

void
tr_ev_push(struct dp_worker *w, const struct tr_conn *r, uint8_t type, uint8_t reason,
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

/* ---- cp's messages ---------------------------------------------------------- */

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
void
tcprelay_apply(struct dp_worker *w, const struct ipc_msg *msg)
{
	if (tr_of(w) == NULL)
		return;            /* (cp sends only to a dp with IPC_CAP_TCP_RELAY) */
	switch (msg->h.kind) {
	case IPC_TCP_NAME:
		apply_name(w, msg);
		break;
	case IPC_TCP_CONNECT:
		tr_apply_connect(w, msg);
		break;
	case IPC_TCP_BIND:
		tr_apply_bind(w, msg);
		break;
	case IPC_TCP_CLOSE:
		apply_close(w, msg);
		break;
	default:
		break;
	}
}

/* ---- a restarted cp -------------------------------------------------------- */

void
tcprelay_sync_start(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct tcprelay_worker *tr = tr_of(w);

	(void)msg;
	if (tr == NULL)
		return;
	tr->sync_on = true;
	tr->sync_next = 0;
}

/* A slot as TCP_STATE: a connection a restarted cp must know of. */
static bool
tcprelay_state_fill(struct dp_worker *w, uint32_t slot, struct ipc_msg *msg)
{
	const struct tr_conn *r = &tr_of(w)->conns[slot];
	struct ipc_tcp_event *e = (struct ipc_tcp_event *)(void *)msg->body;

	/* up and waiting for its bind, or bound (a Connect's still
	 * under way: cp lost its request, and closes it when dp
	 * says CONNECTED) */
	if (r->peer == 0 || (r->state != TR_WAIT_BIND && r->state != TR_BOUND) ||
	    (r->state == TR_BOUND && r->sp.leg[0].id == 0))
		return false;
	memset(e, 0, sizeof(*e));
	msg->h.kind = IPC_TCP_STATE;
	msg->h.alloc_id = r->alloc_id;
	msg->h.body_len = sizeof(*e);
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
	return true;
}

bool
tcprelay_state_step(struct dp_worker *w, unsigned int headroom)
{
	struct tcprelay_worker *tr = tr_of(w);

	if (tr == NULL)
		return true;
	return dp_cp_sync_walk(w, headroom, &tr->sync_on, &tr->sync_next, tr->max,
			       tcprelay_state_fill);
}
