/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenSSL's async jobs (SSL_MODE_ASYNC, an offload such as QAT): a
 * connection whose operation pauses on the accelerator is parked, and
 * OpenSSL's callback puts its SSL on the worker's ring (tls_async_cb(),
 * any thread); a connection that waits for a later pass (no free job, a
 * handshake past the pass's budget, a record short of an mbuf) goes on
 * a deferral FIFO that tls_poll() serves (tls_fifo_serve()); a
 * connection closed while its job is paused leaves an orphan, its SSL
 * kept until the job ends (tls_orphan_resume()). The jobs' accounting
 * (tls_job_note() and the others the read and write paths inline) is in
 * tls_xprt_private.h.
 */
#include <stdbool.h>
#include <stdint.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp.h"
#include "tls.h"
#include "tls_async_job.h"
#include "tls_xprt_private.h"

/* OpenSSL's async callback: a parked job can go on. It may run on any
 * thread (an accelerator's, a provider's timer): it only enqueues the SSL
 * to its worker's ring (multi-producer, lock-free). */
int
tls_async_cb(SSL *s, void *arg)
{
	struct tls_worker *tw = arg;

	return tls_async_wake(tw->ring, &tw->ring_full, s);
}

void
tls_park(struct tls_worker *tw, struct tls_conn *c, uint8_t op)
{
	if (!(c->flags & TLS_F_PARKED)) {
		c->flags |= TLS_F_PARKED;
		tw->nparked++;
	}
	c->op = op;
	tw->ctr[TLS_CTR_ASYNC_PARKED]++;
	tls_job_note(tw, c);
}

/* c's operation found no free async job (none_free: SSL_ERROR_WANT_ASYNC_JOB,
 * all tls.offload.jobs of the worker are held by paused jobs and OpenSSL
 * started nothing; or a handshake step held back from the jobs kept for
 * records, tls_hs_job_short()): onto its FIFO, tried again by tls_poll()
 * once a job may have ended. What it was doing stays as it is: a read's
 * buffer in rbuf, a write's chain in wbuf/wseg. False when the FIFO is
 * full even of live entries (cannot be: a connection is on it once, and
 * it has room for twice as many): the connection is then failed. */
bool
tls_wait_job(struct dp_worker *w, struct tls_conn *c, bool none_free)
{
	struct tls_worker *tw = w->tls;

	tw->ctr[TLS_CTR_ASYNC_NO_JOB]++;
	if (none_free)
		tw->nojob_turn = true;
	if (c->flags & TLS_F_DEFERRED) {
		c->flags |= TLS_F_NOJOB;
		return true;              /* on a FIFO already */
	}
	if (tls_defer(w, c)) {
		c->flags |= TLS_F_NOJOB;
		return true;
	}
	c->flags |= TLS_F_FATAL;
	tw->ctr[TLS_CTR_NO_MEMORY]++;
	return false;
}

/* Whether id's connection waits on q still (entries of connections closed
 * or served meanwhile are stale, skipped). */
static inline struct tls_conn *
tls_fifo_live(struct dp_worker *w, const struct tls_fifo *q, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c == NULL || c->id != id || !(c->flags & TLS_F_DEFERRED) ||
	    (q == &w->tls->dq_rec) != !!(c->x & TLS_X_RECQ))
		return NULL;
	return c;
}

/* q full: its stale entries dropped, the live ones kept in order. True
 * when that made room (it holds each connection once, live, and has
 * room for twice as many). */
static bool __rte_noinline __rte_cold
tls_fifo_compact(struct dp_worker *w, struct tls_fifo *q)
{
	uint32_t out = q->head;

	for (uint32_t i = q->head; i != q->tail; i++) {
		uint64_t id = q->ids[i & q->mask];

		if (tls_fifo_live(w, q, id) != NULL)
			q->ids[out++ & q->mask] = id;
	}
	q->tail = out;
	return q->tail - q->head <= q->mask;
}

/* c waits for a later pass (a handshake step this pass's budget has no
 * room for, one that waits for an async job, a record that waits for an
 * mbuf or a job): onto its FIFO (the handshakes', or established
 * connections'), served by tls_poll(). False when it is full (the step is
 * then done at once: correct, only not bounded). */
bool
tls_defer(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_worker *tw = w->tls;
	bool rec = (c->flags & TLS_F_HS_DONE) != 0;
	struct tls_fifo *q = rec ? &tw->dq_rec : &tw->dq_hs;

	if (q->tail - q->head > q->mask && !tls_fifo_compact(w, q)) {
		tw->ctr[TLS_CTR_HS_DEFER_FULL]++;
		return false;
	}
	q->ids[q->tail++ & q->mask] = c->id;
	q->n++;
	c->flags |= TLS_F_DEFERRED;
	c->x = (uint8_t)((c->x & ~TLS_X_RECQ) | (rec ? TLS_X_RECQ : 0));
	tw->ndeferred++;
	return true;
}

/* An orphan's job can go on: run it to its end (its BIO fails), free. */
void
tls_orphan_resume(struct tls_worker *tw, struct tls_orphan *o)
{
	if (tls_async_job_finish(o->ssl))
		return;                   /* paused again: its callback comes */
	SSL_free(o->ssl);
	rte_pktmbuf_free(o->rbuf);
	rte_pktmbuf_free(o->wbuf);
	o->ssl = NULL;
	o->rbuf = o->wbuf = NULL;
	tw->orphan_free[tw->norphan_free++] = o->index;
}

/* Whether q's next connection may go on now. */
static inline bool
tls_fifo_may(const struct dp_worker *w, const struct tls_worker *tw,
	     const struct tls_fifo *q)
{
	if (tw->nojob_turn)
		return false;
	if (q == &tw->dq_rec)
		return tw->jobs_max == 0 || tls_jobs_used(tw) < tw->jobs_max;
	return dp_hs_room(w) && !tls_hs_job_short(tw);
}

/* q's connections, in order, while they may go on: each asked to go on
 * where it was (a write that waited for a job first, then the read).
 * Returns how many. */
unsigned int
tls_fifo_serve(struct dp_worker *w, struct tls_fifo *q)
{
	struct tls_worker *tw = w->tls;
	unsigned int done = 0;
	/* the entries there now: one served may wait again (a record
	 * starved of mbufs is put back at once), for the next pass */
	uint32_t left = q->tail - q->head;

	while (left > 0 && q->n > 0 && tls_fifo_may(w, tw, q)) {
		uint64_t id = q->ids[q->head++ & q->mask];
		struct tls_conn *c = tls_fifo_live(w, q, id);

		left--;
		if (c == NULL)
			continue;     /* closed or served meanwhile (slot reused) */
		c->flags &= (uint8_t)~(TLS_F_DEFERRED | TLS_F_NOJOB);
		q->n--;
		tw->ndeferred--;
		done++;
		if (c->wbuf != NULL && !(c->flags & (TLS_F_PARKED | TLS_F_FATAL)) &&
		    !(c->x & TLS_X_JOB)) {
			/* a write that found no job: it goes on where it was
			 * (or starts: one that waited for a read's job) */
			if (c->x & TLS_X_WPEND) {
				tls_write_pending(w, c);
			} else {
				tls_write_chain(w, c);
				tls_flush(w, c);  /* (failed: fatal, the read resets it) */
			}
		}
		if ((c->x & (TLS_X_SHUTPEND | TLS_X_LINGER)) && !tls_settle(w, c))
			continue;         /* (a close that waited: it ended) */
		if (!(c->x & TLS_X_LINGER))
			tls_ready(w, c);
	}
	if (q->n == 0)
		q->head = q->tail;        /* (only stale entries left) */
	return done;
}
