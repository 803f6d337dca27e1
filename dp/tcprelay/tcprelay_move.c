/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay: a peer connection that moves to its data connection's
 * worker (the TCB exported, handed over with its held bytes and cp's
 * answer through the hand-off ring, imported and bound there), and the
 * forwarding stub it leaves behind for its 4-tuple: what still arrives at
 * the old worker goes on to the new one (tcprelay_forward()), until the
 * connection has ended there and its last segments had their time
 * (TR_STUB_LINGER_MS).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "ipc.h"
#include "session.h"
#include "splice.h"
#include "tcp.h"
#include "tcprelay.h"
#include "tcprelay_private.h"
#include "tls.h"

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

void
tr_stub_sweep(struct dp_worker *w, struct tcprelay_worker *tr)
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

void
tr_move_out(struct dp_worker *w, struct tr_conn *r, uint64_t data, const uint8_t *resp,
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
	mv->pol_rate = l->pol.rate;
	mv->pol_burst = l->pol.burst;
	mv->resp_len = resp_len;
	memcpy(mv->resp, resp, resp_len);
	/* the record goes here without a word to cp: the receiver reports
	 * the connection (BOUND, or GONE) */
	if (!dp_handoff_try(w, to, m, TCPRELAY_HANDOFF)) {
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
		tr_ev_push(w, r, IPC_TCP_EV_GONE, IPC_CONN_ABORTED, 0);
		tr_rec_free(w, r);
		return;
	}
	tr_rec_free(w, r);
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
		tr_data_abort(w, mv->data);
		tr->ctr[TR_CTR_MOVE_FAILED]++;
		memset(&gone, 0, sizeof(gone));
		gone.alloc_id = mv->alloc_id;
		gone.cid = mv->cid;
		gone.peer = ipc_conn_make(mv->from, 0, 1);
		gone.addr = mv->addr;
		tr_ev_push(w, &gone, IPC_TCP_EV_GONE, IPC_CONN_ABORTED, 0);
		return;
	}
	r = tr_rec_new(w, id, mv->alloc_id, mv->cid, &mv->addr);
	if (r == NULL) {
		rte_pktmbuf_free(mv->held);
		tcp_abort(w->tcp, id);
		tr_data_abort(w, mv->data);
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
	/* (its allocation is another worker's: the limit came with it) */
	tr_rec_police(w, r, mv->pol_rate, mv->pol_burst);
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
	tr_bind_here(w, r, mv->data, mv->resp, mv->resp_len);
}

/* This worker's connection that came from another ended: its stub there
 * lingers, then goes. */
void
tr_send_unstub(struct dp_worker *w, const struct tr_conn *r)
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
	dp_handoff(w, r->moved_from - 1u, m, TCPRELAY_HANDOFF);
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
