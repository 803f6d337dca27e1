/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay: dp/tcp's application on a worker's share of the relayed
 * ports, and the peer connections it opens and takes. A peer connecting
 * to a relayed transport address (RFC 6062 §5.3) is taken when its TCP
 * allocation has a permission for the peer's IP (INCOMING: cp sends the
 * ConnectionAttempt), else reset and counted; a Connect (§5.2, cp's
 * TCP_CONNECT) opens from the allocation's relayed address and port
 * (CONNECTED or FAILED to cp). Until its bind a peer connection's bytes
 * wait in its receive queue (TR_UNBOUND_*). dp/tcp's callbacks for both
 * legs (the data connection joins this application at its bind) go on to
 * the splice.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dp.h"
#include "dp_tcp.h"
#include "ipc.h"
#include "session.h"
#include "splice.h"
#include "tcp.h"
#include "tcprelay.h"
#include "tcprelay_private.h"
#include "tls.h"
#include "turn/turn.h"
#include "turn/turn_tcprelay.h"

static struct dp_worker *
worker_of(struct tcp_stack *ts)
{
	return (struct dp_worker *)ts->out_arg;
}

static unsigned int
alloc_count(struct tcprelay_worker *tr, const struct turn_alloc *a)
{
	unsigned int n = 0;

	for (uint32_t s1 = a->tcp_head; s1 != 0 && n <= TR_PER_ALLOC; s1 = tr->conns[s1 - 1u].next1)
		n++;
	return n;
}

/* ---- dp/tcp's application --------------------------------------------------- */

static int
tr_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	struct dp_worker *w = larg;
	struct tcprelay_worker *tr = tr_of(w);
	struct turn_worker *t = w->turn;
	const struct tcp_conn *tc = tcp_conn_get(ts, id);
	struct turn_alloc *a;
	struct tr_conn *r;
	struct ipc_addr addr;
	uint8_t family;

	if (tc == NULL)
		return -EINVAL;
	family = (tc->flags & TCP_CF_V6) ? 6 : 4;
	a = turn_alloc_by_relayed(w, family, tc->laddr, tc->lport);
	if (a == NULL || !a->relay_tcp) {
		tr->ctr[TR_CTR_NO_ALLOCATION]++;
		return -ENOENT;
	}
	/* RFC 6062 §5.3: a permission for the peer's IP, else closed */
	if (!turn_alloc_permits(t, a, family, tc->raddr)) {
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
	r = tr_rec_new(w, id, a->id, 0, &addr);
	if (r == NULL)
		return -ENOBUFS;
	r->local.family = family;
	r->local.port = tc->lport;
	memcpy(r->local.ip, tc->laddr, 16);
	tr_list_add(tr, a, r, turn_alloc_slot(t, a));
	tr_rec_police_of(w, r, a);
	r->state = TR_WAIT_BIND;
	*carg = r;
	tcp_conn_set_rcv_limit(ts, id, TR_UNBOUND_BYTES, TR_UNBOUND_SEGS);
	dp_tcp_keepalive(w, id, &w->ctx->conf->turn.tcp_keepalive);
	tr->ctr[TR_CTR_ACCEPTED]++;
	tr_ev_push(w, r, IPC_TCP_EV_INCOMING, 0, 0);
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
	tr_ev_push(w, r, IPC_TCP_EV_CONNECTED, 0, 0);
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
		tr_ev_push(w, r, IPC_TCP_EV_FAILED, why == TCP_REASON_REFUSED ? IPC_CONN_RESET :
			IPC_CONN_TIMEOUT, 0);
	}
	splice_closed(w, &r->sp, (unsigned int)i, why);
}

const struct tcp_app_ops tr_tcp_ops = {
	.accept = tr_accept,
	.connected = tr_connected,
	.readable = tr_readable,
	.writable = tr_writable,
	.closed = tr_closed,
};

/* ---- the Connect (cp's TCP_CONNECT) ------------------------------------- */

/* RFC 6062 §5.2: connect from the allocation's relayed transport address. */
void
tr_apply_connect(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct tcprelay_worker *tr = tr_of(w);
	const struct ipc_tcp_conn *x = (const void *)msg->body;
	struct turn_alloc *a = turn_alloc_by_msg(w->turn, msg);
	const struct ipc_addr *rel = a != NULL ? turn_alloc_relayed(w->turn, a, x->addr.family) :
				     NULL;
	struct tr_conn *r, fail;
	uint64_t id;
	int rc = -ENOENT;

	tr->ctr[TR_CTR_CONNECTS]++;
	if (a != NULL && a->relay_tcp && rel != NULL && alloc_count(tr, a) < TR_PER_ALLOC)
		rc = tcp_connect(w->tcp, x->addr.family, rel->ip, a->relay_port, x->addr.ip,
				 x->addr.port, tr->app, NULL, &id);
	if (rc == 0) {
		r = tr_rec_new(w, id, msg->h.alloc_id, x->cid, &x->addr);
		if (r == NULL) {
			tcp_abort(w->tcp, id);
			rc = -ENOBUFS;
		} else {
			r->state = TR_CONNECTING;
			r->local = *rel;
			r->local.port = a->relay_port;
			tr_list_add(tr, a, r, turn_alloc_slot(w->turn, a));
			tr_rec_police_of(w, r, a);
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
	tr_ev_push(w, &fail, IPC_TCP_EV_FAILED,
		rc == -EADDRINUSE ? IPC_CONN_RESET : IPC_CONN_ABORTED, 0);
}
