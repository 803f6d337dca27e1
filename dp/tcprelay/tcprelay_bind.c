/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay: the ConnectionBind (RFC 6062 §5.4, cp's TCP_BIND). cp's
 * answer goes first on the client's data connection, which TURN's framing
 * hands over (turn_tcp_take(): raw or TLS, with what followed the
 * request) and which becomes leg 0 of the peer connection's splice; a
 * data connection on another worker gets the peer connection moved to it
 * first (tcprelay_move.c), and bound there. A bind that cannot be carried
 * out resets the data connection rather than leave it unanswered.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "dp_tcp.h"
#include "ipc.h"
#include "session.h"
#include "splice.h"
#include "tcp.h"
#include "tcprelay.h"
#include "tcprelay_private.h"
#include "tls.h"
#include "turn/turn_tcp.h"

/*
 * r's peer connection and data connection data (this worker's) become one
 * splice: cp's answer goes first on the data connection, then what
 * followed the ConnectionBind there, then the bytes both ways. false when
 * the data connection is gone (r is then ended).
 */
bool
tr_bind_here(struct dp_worker *w, struct tr_conn *r, uint64_t data, const uint8_t *resp,
	  uint16_t resp_len)
{
	struct tcprelay_worker *tr = tr_of(w);
	const struct dp_xprt_ops *xp;
	struct rte_mbuf *held = NULL, *m;
	uint32_t held_bytes = 0;
	int ver;

	if (turn_tcp_take(w, data, &xp, &held) < 0) {
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
	tr_ev_push(w, r, IPC_TCP_EV_BOUND, 0, data);
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

/* A ConnectionBind that cannot be carried out: its connection, when it
 * is this worker's, is reset now (another worker's meets its deadline,
 * turn_tcp.c's TURN_TCP_BIND_MS), rather than held unanswered. */
void
tr_data_abort(struct dp_worker *w, uint64_t data)
{
	const struct dp_xprt_ops *xp;
	struct rte_mbuf *held = NULL;

	if (ipc_conn_worker(data) != w->id || turn_tcp_take(w, data, &xp, &held) < 0)
		return;
	rte_pktmbuf_free(held);
	session_close(w, data);
	xp->abort(w, data);
}

void
tr_apply_bind(struct dp_worker *w, const struct ipc_msg *msg)
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
		tr_data_abort(w, data);
		return;
	}
	r->cid = x->cid;
	if (ipc_conn_worker(data) == w->id)
		tr_bind_here(w, r, data, msg->body + sizeof(*x), x->resp_len);
	else
		tr_move_out(w, r, data, msg->body + sizeof(*x), x->resp_len);
}
