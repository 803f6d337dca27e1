/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls internals shared by the transport's files (not for the
 * applications: theirs is tls.h): tls_xprt.c (the TLS operations),
 * tls_async.c (async jobs, deferral FIFOs, orphans), tls_linger.c,
 * tls_leg_conn.c, tls_worker.c; and the helpers that the record read
 * and write paths inline, defined here so that those paths make no call
 * across the files.
 */
#ifndef DP_TLS_XPRT_PRIVATE_H
#define DP_TLS_XPRT_PRIVATE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "ipc.h"
#include "tcp.h"
#include "tls.h"
#include "tls_async_job.h"

/* ---- tls_xprt.c ---- */

/* OpenSSL's reason for the failure of c, counted; true when it is the end
 * of the stream after the handshake (an EOF for the application). */
bool tls_count_failure(struct tls_worker *tw, struct tls_conn *c, int sslerr);
/* OpenSSL's info callback (alerts both ways), set on every context. */
void tls_info(const SSL *s, int where, int ret);
/* c's state freed, or its SSL kept as an orphan while its job is paused. */
void tls_release(struct dp_worker *w, struct tls_conn *c);
/* dp_xprt_tls.rcv_buf (tls_poll() runs a woken read through it). */
int tls_rcv_buf(struct dp_worker *w, uint64_t id, struct rte_mbuf **out, uint32_t max);
/* c->wbuf's plaintext written from c->wseg on; false when it parked or
 * failed (TLS_F_FATAL). */
bool tls_write_chain(struct dp_worker *w, struct tls_conn *c);
/* c's close_notify, or its SSL_shutdown() going on after a wake-up. */
void tls_notify(struct dp_worker *w, struct tls_conn *c);
/* A shutdown or close that waited for c's operations goes on if it may;
 * false when c is gone. */
bool tls_settle(struct dp_worker *w, struct tls_conn *c);

/* ---- tls_async.c ---- */

/* OpenSSL's async callback (any thread): the SSL onto its worker's ring. */
int tls_async_cb(SSL *s, void *arg);
/* c's operation op paused on the offload: parked until its wake-up. */
void tls_park(struct tls_worker *tw, struct tls_conn *c, uint8_t op);
/* c's operation found no async job: onto its FIFO; false when failed. */
bool tls_wait_job(struct dp_worker *w, struct tls_conn *c, bool none_free);
/* c waits for a later pass on its FIFO; false when it is full. */
bool tls_defer(struct dp_worker *w, struct tls_conn *c);
/* An orphan's job may go on: run to its end, the orphan freed. */
void tls_orphan_resume(struct tls_worker *tw, struct tls_orphan *o);
/* q's connections that may go on now, in order; how many. */
unsigned int tls_fifo_serve(struct dp_worker *w, struct tls_fifo *q);

/* ---- tls_linger.c ---- */

/* dp/tcp's application for closed connections that finish sending
 * (TLS_X_LINGER), registered by tls_worker_init(). */
extern const struct tcp_app_ops tls_linger_ops;
/* Closes and shutdowns that waited past TLS_LINGER_MS: reset, or failed. */
void __rte_noinline __rte_cold tls_linger_expire(struct dp_worker *w);

/* ---- the inlines the read and write paths share with the files around them ---- */

/* Ciphertext a connection may hold unsent (its send queue full) before
 * it is reset: TURN writes only while the queue has room, so this is a
 * handshake flight or a few records at most. */
#define TLS_TX_HELD_MAX (256u * 1024u)

static inline struct tls_conn *
tls_conn_of(struct dp_worker *w, uint64_t id)
{
	struct tls_worker *tw = w->tls;
	uint32_t slot = ipc_conn_slot(id);

	if (tw == NULL || slot >= tw->max_conns)
		return NULL;
	return &tw->conns[slot];
}

/* The connection's ciphertext to dp/tcp: all of it, or kept for
 * writable() when the send queue is full (reset past TLS_TX_HELD_MAX).
 * Returns false when the connection was reset. */
static inline bool
tls_flush(struct dp_worker *w, struct tls_conn *c)
{
	struct rte_mbuf *m = c->tx;
	int rc;

	if (m == NULL)
		return true;
	rc = tcp_send(w->tcp, c->id, m);
	if (rc >= 0) {
		c->tx = c->tx_tail = NULL;
		c->tx_len = 0;
		return true;
	}
	if (rc == -EAGAIN && c->tx_len <= TLS_TX_HELD_MAX) {
		w->tls->ctr[TLS_CTR_TX_HELD]++;
		return true;
	}
	if (rc == -EAGAIN)
		w->tls->ctr[TLS_CTR_TX_OVERFLOW]++;
	rte_pktmbuf_free(m);
	c->tx = c->tx_tail = NULL;
	c->tx_len = 0;
	c->flags |= TLS_F_FATAL;
	return false;
}

/* A leg's handshake ended (up, or failed: TLS_F_FATAL): its application
 * hears it, once. The caller touches c no more after this (the callback
 * may write to it, not end it). */
static inline void
tls_leg_report(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_leg *leg = c->leg;
	enum tls_fail why;

	/* (a read tls_poll() runs to its end tells it after, with the read's
	 * result kept: the callback may read, and must get that first) */
	if (leg == NULL || leg->reported || (c->x & TLS_X_FINISHING))
		return;
	if (c->flags & TLS_F_FATAL) {
		if (leg->why == TLS_FAIL_NONE)
			leg->why = TLS_FAIL_OTHER;   /* e.g. the send queue overflowed */
		why = (enum tls_fail)leg->why;
	} else if (c->flags & TLS_F_HS_DONE) {
		why = TLS_FAIL_NONE;
	} else {
		return;
	}
	leg->reported = 1;
	leg->ops->handshake(w, c->id, leg->arg, why);
}

/* A parked operation of c may go on: its subscriber (the connection's
 * session) reads again. */
static inline void
tls_ready(struct dp_worker *w, struct tls_conn *c)
{
	if (c->wake != NULL)
		c->wake(w, c->id, c->wake_arg);
}

/* TCP's received segments onto rx (only when OpenSSL has read what it
 * had: what it has not asked for yet stays in TCP's window). */
static inline void
tls_pull(struct dp_worker *w, struct tls_conn *c)
{
	struct rte_mbuf *m, *t;
	int n;

	if (c->rx != NULL || (c->flags & TLS_F_EOF))
		return;
	n = tcp_recv(w->tcp, c->id, &m, UINT32_MAX);
	if (n == 0) {
		c->flags |= TLS_F_EOF;
		return;
	}
	if (n < 0)
		return;
	c->rx = m;
	c->rx_len = (uint32_t)n;
	for (t = m; t != NULL; t = t->next)
		t->nb_segs = 1;
}

/* The async jobs held now: one by each connection whose SSL has a paused
 * job, and each orphan (a closed connection's). */
static inline uint32_t
tls_jobs_used(const struct tls_worker *tw)
{
	return tw->jobs_held + (tw->orphans_max - tw->norphan_free);
}

/* After an SSL call on c (with an offload): whether its SSL holds a paused
 * job now, from the call that paused it to the one that ends it (a woken
 * job goes on from tls_poll(): tls_read_finish(), a write's chain, a
 * shutdown). */
static inline void
tls_job_note(struct tls_worker *tw, struct tls_conn *c)
{
	uint8_t held;

	if (tw->jobs_max == 0)
		return;
	held = c->ssl != NULL && SSL_waiting_for_async(c->ssl) ? TLS_X_JOB : 0;
	if (held == (c->x & TLS_X_JOB))
		return;
	c->x = (uint8_t)((c->x & ~TLS_X_JOB) | held);
	if (held) {
		uint32_t used;

		tw->jobs_held++;
		used = tls_jobs_used(tw);
		if (used > tw->jobs_peak)
			tw->jobs_peak = used;
	} else {
		tw->jobs_held--;
	}
}

/* A handshake step may not take a job now: handshakes hold their share
 * (jobs_hs_max, three quarters) already, and the rest are kept for the
 * records of connections that are up, so that a storm of handshakes
 * (a flood) cannot make established media wait behind it. */
static inline bool
tls_hs_job_short(const struct tls_worker *tw)
{
	return tw->jobs_max != 0 && tls_jobs_used(tw) >= tw->jobs_hs_max;
}

/* OpenSSL's verdict on c's call that returned rc (tls_ssl_verdict(): a
 * job that paused says WANT_ASYNC; taken for a failure, its buffer would
 * be freed while the job still writes into it). */
static inline int
tls_ssl_error(const struct tls_conn *c, int rc)
{
	return tls_ssl_verdict(c->ssl, rc);
}

/* The write that waited for a read's job (TLS_X_WPEND) starts, now that
 * the job has ended: it may park on the offload or wait for a job in turn,
 * as any write. False when the connection failed (TLS_F_FATAL: its next
 * read resets it). */
static inline bool
tls_write_pending(struct dp_worker *w, struct tls_conn *c)
{
	c->x &= (uint8_t)~TLS_X_WPEND;
	if (c->flags & TLS_F_FATAL) {
		/* (told it was taken: it is lost with the connection) */
		w->tls->ctr[TLS_CTR_WRITE_LOST_FAILED]++;
		return false;
	}
	tls_write_chain(w, c);
	return tls_flush(w, c) && !(c->flags & TLS_F_FATAL);
}

/* What the peer sends to a connection its application closed: read by
 * nobody, dropped (left unread at tcp_close(), it would reset the
 * connection, and the reset would lose what is still to go out). */
static inline void
tls_drain(struct tcp_stack *ts, tcp_id_t id)
{
	struct rte_mbuf *m;

	while (tcp_recv(ts, id, &m, UINT32_MAX) > 0)
		rte_pktmbuf_free(m);
}

#endif /* DP_TLS_XPRT_PRIVATE_H */
