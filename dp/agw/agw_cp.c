/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw's link to cp: the events (AGW_EVENT) in the order they happen,
 * through a backlog flushed when the ring to cp has room beyond what
 * requests need (TURN's sweeps' rule); cp's AGW_ADD, AGW_MOD and AGW_DEL
 * to the contexts (agw_ctx.c); and a restarted cp's SYNC, every live
 * context given back as AGW_STATE before the worker's STATE_DONE.
 */
#include <string.h>

#include "agw_private.h"
#include "dp_cp.h"
#include "ipc.h"
#include "splice.h"

/* ---- events to cp ---------------------------------------------------------- */

void
agw_ev_push(struct dp_worker *w, uint64_t id, const struct agw_ctx *c, uint8_t type,
	    unsigned int leg, uint8_t cause, const char *detail)
{
	struct agw_worker *a = w->agw;
	struct ipc_agw_event *e = ipc_backlog_reserve(&a->ev, IPC_AGW_EVENT, id, NULL,
						      sizeof(*e));
	size_t n;

	if (e == NULL) {
		a->ctr[AGW_CTR_EVENTS_LOST]++;
		return;
	}
	e->type = type;
	e->leg = (uint8_t)leg;
	e->cause = cause;
	if (c != NULL) {
		for (unsigned int i = 0; i < 2; i++) {
			e->bytes_in[i] = c->sp.leg[i].bytes_in;
			e->bytes_out[i] = c->sp.leg[i].bytes_out;
		}
		if (leg <= 1 && type != IPC_AGW_EV_RELEASED)
			e->serial = c->term[leg].serial;
		if (leg <= 1) {
			e->tls_version = c->sp.leg[leg].tls_version;
			agw_leg_addrs(w, c, leg, &e->local, &e->remote);
		}
	}
	if (detail != NULL) {
		n = strnlen(detail, IPC_AGW_DETAIL_MAX - 1u);
		memcpy(e->detail, detail, n);
		e->detail_len = (uint16_t)n;
	}
	ipc_backlog_commit(&a->ev);
	a->ctr[AGW_CTR_EVENTS]++;
}

/* Waiting events into the ring to cp, while it has room beyond what
 * requests need, and only to a cp that serves and takes them. */
unsigned int
agw_ev_flush(struct dp_worker *w)
{
	struct agw_worker *a = w->agw;
	unsigned int n = dp_cp_flush(w, &a->ev, DP_CP_HEADROOM, IPC_CAP_AGW,
				     &a->ctr[AGW_CTR_EVENTS_NO_CP]);

	a->ctr[AGW_CTR_EVENTS_SENT] += n;
	return n;
}

/* ---- cp's messages --------------------------------------------------------- */

/* cp's AGW_ADD, AGW_MOD or AGW_DEL for w (checked by ipc_msg_check()). */
void
agw_apply(struct dp_worker *w, const struct ipc_msg *msg)
{
	if (w->agw == NULL)
		return;               /* (cp sends only to a dp with IPC_CAP_AGW) */
	if (msg->h.kind == IPC_AGW_ADD)
		agw_apply_add(w, msg);
	else if (msg->h.kind == IPC_AGW_MOD)
		agw_apply_mod(w, msg);
	else if (msg->h.kind == IPC_AGW_DEL)
		agw_apply_del(w, msg);
}

/* ---- a restarted cp -------------------------------------------------------- */

void
agw_sync_start(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)msg;
	if (w->agw == NULL)
		return;
	w->agw->sync_on = true;
	w->agw->sync_next = 0;
}

/* A slot as AGW_STATE: the context as installed, each leg as it stands. */
static bool
agw_state_fill(struct dp_worker *w, uint32_t slot, struct ipc_msg *msg)
{
	const struct agw_ctx *c = &w->agw->ctx[slot];
	struct ipc_agw_state *x = (struct ipc_agw_state *)(void *)msg->body;

	if (c->id == 0)
		return false;
	memset(x, 0, sizeof(*x));
	msg->h.kind = IPC_AGW_STATE;
	msg->h.alloc_id = c->id;
	msg->h.body_len = sizeof(*x);
	memcpy(x->ctx.term, c->term, sizeof(x->ctx.term));
	for (unsigned int i = 0; i < 2; i++) {
		const struct splice_leg *l = &c->sp.leg[i];
		uint32_t left = c->due_ms[i] > w->now_ms ?
				(uint32_t)(c->due_ms[i] - w->now_ms) : 0;

		/* (the context's: the first deadline still ahead) */
		if (left != 0 && (x->ctx.setup_ms == 0 || left < x->ctx.setup_ms))
			x->ctx.setup_ms = left;
		x->leg[i].setup_ms = left;

		x->leg[i].state = l->state == SPLICE_LEG_DOWN ? 2 : c->up[i] ? 1 : 0;
		x->leg[i].tls_version = l->tls_version;
		x->leg[i].bytes_in = l->bytes_in;
		x->leg[i].bytes_out = l->bytes_out;
		agw_leg_addrs(w, c, i, &x->leg[i].local, &x->leg[i].remote);
	}
	return true;
}

bool
agw_state_step(struct dp_worker *w, unsigned int headroom)
{
	struct agw_worker *a = w->agw;

	if (a == NULL)
		return true;
	return dp_cp_sync_walk(w, headroom, &a->sync_on, &a->sync_next, a->max, agw_state_fill);
}
