/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TLS transport (tls.h's dp_xprt_tls): a stream connection's reads,
 * writes, shutdown and close through OpenSSL over our BIO (tls_bio.c),
 * and the state of a TLS connection from its first bytes to its end.
 * Around it: tls_async.c (OpenSSL's async jobs: parking, the deferral
 * FIFOs, orphans), tls_linger.c (closed connections that finish
 * sending), tls_leg_conn.c (the AGW legs' start), tls_worker.c (set-up,
 * the worker's poll, statistics); what they share is
 * tls_xprt_private.h. The raw transport is xprt_raw.c.
 *
 * A TLS connection costs nothing until its first bytes arrive (a flood
 * of connections that never speak costs TCBs, which dp/tcp bounds, and
 * meets TURN's first-message deadline); then SSL_new(). OpenSSL's record
 * buffers come with the handshake and stay (no SSL_MODE_RELEASE_BUFFERS:
 * that would be a free and an allocation around every record read); the
 * write buffer is bounded by a 4 KB max_send_fragment (tls_ctx.c).
 *
 * Copies: in, OpenSSL reads ciphertext out of the TCP segments into its
 * record buffer and decrypts into the mbuf TURN gets; out, OpenSSL
 * encrypts TURN's mbuf into its write buffer and our BIO copies that
 * into mbufs for tcp_send(). Nothing else.
 *
 * Bad input closes that connection only, counted by reason
 * (tls_counters.def): garbage instead of a ClientHello, no common
 * version or cipher, a client's fatal alert, a record that fails
 * authentication, a renegotiation attempt (refused), the end of the
 * stream without close_notify.
 *
 * The AGW's legs (tls_conn_start(), tls_leg_conn.c) are the same
 * connections with an SSL of the leg context (either role) made at once,
 * a struct tls_leg beside it (the peer's fingerprints, the callbacks, the
 * verdict), and two differences: the handshake's end is told to the
 * leg's application (ops->handshake, once), and a write before it says
 * -EAGAIN, not -EPIPE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "ipc.h"
#include "tcp.h"
#include "tls.h"
#include "tls_ctx.h"
#include "tls_rec.h"
#include "tls_xprt_private.h"

/* A record's overhead beyond its plaintext: header 5, AEAD tag 16, TLS
 * 1.3's content type 1, TLS 1.2's explicit nonce 8; rounded up. */
#define TLS_RECORD_OVERHEAD 64u

/* A close that waits for its connection's operations (TLS_X_LINGER) is
 * reset past this. */
#define TLS_LINGER_MS 10000u

/* ---- TLS: a connection's state ----------------------------------------- */

/* OpenSSL's reason for the failure of a connection, counted (and kept
 * by a leg whose handshake it ends). Returns true when it is the end of
 * the stream (no close_notify) after the handshake: an EOF for the
 * application, not an error. */
bool
tls_count_failure(struct tls_worker *tw, struct tls_conn *c, int sslerr)
{
	unsigned long e = ERR_peek_last_error();
	int r = ERR_GET_REASON(e);
	bool hs = (c->flags & TLS_F_HS_DONE) != 0;

	ERR_clear_error();
	/* the queue lost it: the alerts say what it was (one they do not
	 * name: "other") */
	r = tls_lost_reason(r, &sslerr, c->alert_recv, c->alert_sent,
			    (c->flags & TLS_F_EOF) != 0);
	if (c->leg != NULL) {
		/* kept after the handshake too: a TLS 1.3 client is up before
		 * the server has judged its certificate, and hears it as an
		 * alert then; the AGW reports the release's cause */
		enum tls_fail f = tls_leg_fail(c->leg, sslerr, r);

		if (!hs && f == TLS_FAIL_FP_MISMATCH) {
			tw->ctr[TLS_CTR_FP_MISMATCH]++;
			return false;
		}
		if (!hs && f == TLS_FAIL_WEAK_FP) {
			tw->ctr[TLS_CTR_WEAK_FP]++;
			return false;
		}
		if (!hs && f == TLS_FAIL_NO_PEER_CERT) {
			tw->ctr[TLS_CTR_NO_PEER_CERT]++;
			return false;
		}
		/* others counted below as for TURN */
	}
	if (sslerr == SSL_ERROR_SYSCALL || r == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		/* our BIO said end of file (TCP's FIN) mid-record */
		tw->ctr[hs ? TLS_CTR_EOF_NO_NOTIFY : TLS_CTR_HS_EOF]++;
		return hs;
	}
	if (r >= SSL_AD_REASON_OFFSET) {
		/* the peer's fatal alert (counted as received already) */
		if (!hs)
			tw->ctr[TLS_CTR_HS_ALERT]++;
		return false;
	}
	switch (r) {
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_HTTP_REQUEST:
	case SSL_R_HTTPS_PROXY_REQUEST:
	case SSL_R_UNKNOWN_PROTOCOL:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
	case SSL_R_RECORD_LENGTH_MISMATCH:
	case SSL_R_LENGTH_MISMATCH:
	case SSL_R_LENGTH_TOO_SHORT:
	case SSL_R_BAD_PACKET_LENGTH:
	case SSL_R_WRONG_SSL_VERSION:
	case SSL_R_UNEXPECTED_MESSAGE:
	case SSL_R_UNEXPECTED_RECORD:
	case SSL_R_BAD_LENGTH:
	case SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC:
	case SSL_R_ENCRYPTED_LENGTH_TOO_LONG:
	case SSL_R_DATA_LENGTH_TOO_LONG:
	case SSL_R_BAD_RECORD_TYPE:
		tw->ctr[hs ? TLS_CTR_BAD_RECORD : TLS_CTR_HS_NOT_TLS]++;
		return false;
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_NO_SHARED_CIPHER:
	case SSL_R_NO_SUITABLE_KEY_SHARE:
	case SSL_R_NO_SHARED_GROUPS:
	case SSL_R_VERSION_TOO_LOW:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
	case SSL_R_NO_CIPHERS_AVAILABLE:
		tw->ctr[hs ? TLS_CTR_ERR_OTHER : TLS_CTR_HS_REFUSED]++;
		return false;
	default:
		tw->ctr[hs ? TLS_CTR_ERR_OTHER : TLS_CTR_HS_OTHER]++;
		return false;
	}
}

/* The handshake just completed: what it was, counted once. */
static void
tls_hs_done(struct tls_worker *tw, struct tls_conn *c)
{
	const unsigned char *alpn;
	unsigned int alpn_len;

	c->flags |= TLS_F_HS_DONE;
	tw->ctr[TLS_CTR_HANDSHAKES]++;
	tw->ctr[SSL_version(c->ssl) == TLS1_3_VERSION ? TLS_CTR_TLS13 : TLS_CTR_TLS12]++;
	if (SSL_session_reused(c->ssl))
		tw->ctr[TLS_CTR_RESUMED]++;
	SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_len);
	if (alpn_len == sizeof(TLS_ALPN_STUN_TURN) - 1)
		tw->ctr[TLS_CTR_ALPN_STUN_TURN]++;
	if (c->leg != NULL)
		tls_leg_up(c->leg, c->ssl);
}

/* Alerts both ways (OpenSSL's info callback, on the worker's thread). */
void
tls_info(const SSL *s, int where, int ret)
{
	const uint8_t *k = SSL_get_app_data(s);
	struct tls_conn *c;
	struct tls_worker *tw;
	int desc = ret & 0xff;

	if (!(where & SSL_CB_ALERT) || k == NULL || *k != TLS_K_CONN)
		return;
	c = (struct tls_conn *)(uintptr_t)k;
	tw = c->w->tls;
	if ((ret >> 8) == SSL3_AL_FATAL) {
		if (where & SSL_CB_READ)
			c->alert_recv = (uint8_t)desc;
		else
			c->alert_sent = (uint8_t)desc;
	}
	if (where & SSL_CB_READ)
		tw->ctr[desc == SSL_AD_CLOSE_NOTIFY ? TLS_CTR_CLOSE_NOTIFY :
			TLS_CTR_ALERT_RECV]++;
	else if (desc == SSL_AD_NO_RENEGOTIATION)
		/* RFC 5246 §7.2.2: a TLS 1.2 ClientHello after the handshake,
		 * refused (SSL_OP_NO_RENEGOTIATION) */
		tw->ctr[TLS_CTR_RENEG_REFUSED]++;
	else if (desc != SSL_AD_CLOSE_NOTIFY)
		tw->ctr[TLS_CTR_ALERT_SENT]++;
}

static bool
tls_open(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_worker *tw = w->tls;
	BIO *b;

	c->ssl = SSL_new(tw->ctx);
	b = tls_bio_new(c);
	if (c->ssl == NULL || b == NULL) {
		BIO_free(b);
		SSL_free(c->ssl);
		c->ssl = NULL;
		tw->ctr[TLS_CTR_NO_MEMORY]++;
		return false;
	}
	SSL_set_bio(c->ssl, b, b);
	SSL_set_app_data(c->ssl, c);
	SSL_set_async_callback_arg(c->ssl, tw);
	SSL_set_accept_state(c->ssl);
	if (tw->rec_dp)
		tls_rec_arm(c->ssl);
	tw->ctr[TLS_CTR_SESSIONS]++;
	return true;
}

/* The state of a connection that ends: freed, or, when OpenSSL's job is
 * still parked, kept as an orphan until the job's callback comes. */
void
tls_release(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_worker *tw = w->tls;

	if (c->leg != NULL) {
		/* the SSL may outlive it (an orphan): it forgets the leg, and
		 * a job that reaches the verification then trusts nothing */
		tls_leg_detach(c->ssl);
		free(c->leg);
		c->leg = NULL;
	}

	/* A paused job (parked, or woken and not yet gone on: TLS_X_JOB)
	 * keeps the SSL: freeing it would lose the job from the worker's
	 * pool for good (SSL_free does not end it) */
	if (c->ssl != NULL && ((c->flags & TLS_F_PARKED) || (c->x & TLS_X_JOB))) {
		struct tls_orphan *o = NULL;

		if (tw->norphan_free > 0)
			o = &tw->orphans[tw->orphan_free[--tw->norphan_free]];
		if (o != NULL) {
			o->ssl = c->ssl;
			o->op = c->op;
			o->rbuf = c->rbuf;
			o->wbuf = c->wbuf;
			o->w = w;
			/* the job's BIO calls now fail; the ring finds it */
			SSL_set_app_data(o->ssl, o);
			BIO_set_data(SSL_get_rbio(o->ssl), o);
			c->ssl = NULL;
			c->rbuf = c->wbuf = NULL;
			tw->ctr[TLS_CTR_ASYNC_ORPHANS]++;
		} else {
			/* No orphan left: cannot be while the thread's pool
			 * has jobs_max jobs (tls_worker_init() sizes the
			 * orphans so). Were it to be, the SSL is given up,
			 * never freed: its wake-up would read freed memory
			 * (the callback gets the SSL) and could hand tls_poll()
			 * a freed pointer. Nothing points back at the
			 * connection (the slot is reused) and its buffers stay
			 * with it (the job may still write into them). */
			SSL_set_app_data(c->ssl, NULL);
			BIO_set_data(SSL_get_rbio(c->ssl), NULL);
			c->ssl = NULL;
			c->rbuf = c->wbuf = NULL;
			tw->ctr[TLS_CTR_ASYNC_ORPHAN_OVERFLOW]++;
		}
		if (c->x & TLS_X_JOB)
			tw->jobs_held--;  /* (the orphan's now) */
		if (c->flags & TLS_F_PARKED)
			tw->nparked--;
		else if (o != NULL)
			/* its wake-up came already: it ends now (or pauses
			 * again, and its next wake-up finds the orphan) */
			tls_orphan_resume(tw, o);
	}
	if (c->x & (TLS_X_LINGER | TLS_X_SHUTPEND))
		tw->nlinger--;
	if (c->flags & TLS_F_DEFERRED) {
		/* (its FIFO entry no longer matches) */
		tw->ndeferred--;
		(c->x & TLS_X_RECQ ? &tw->dq_rec : &tw->dq_hs)->n--;
	}
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	tls_rec_free(c);
	rte_pktmbuf_free(c->rx);
	rte_pktmbuf_free(c->tx);
	rte_pktmbuf_free(c->rbuf);
	rte_pktmbuf_free(c->wbuf);
	rte_pktmbuf_free(c->ready);
	memset(c, 0, sizeof(*c));
}

/* ---- TLS: the operations ---------------------------------------------- */

/* OpenSSL wants the thread's error queue empty before an I/O call (or
 * SSL_get_error() may misread it). ERR_clear_error() costs some 700
 * cycles in OpenSSL 3.0 even when the queue is empty (it resets all 16
 * slots, 32 frees of nothing): once a 2 KB read, 7% of dp's cycles under
 * TLS bulk (perf/RESULTS.md, T7). Peeking costs the thread-state lookup
 * alone; the queue is cleared only when it holds something. */
static inline void
tls_err_clear(void)
{
	if (ERR_peek_error() != 0)
		ERR_clear_error();
}

/* A handshake step took d cycles: the pass's account (the worker's). */
static inline void
tls_hs_spent(struct dp_worker *w, struct tls_worker *tw, uint64_t d)
{
	dp_hs_spent(w, d);
	if (unlikely(d > tw->hs_step_max))
		tw->hs_step_max = d;
	if (unlikely(d > tw->hs_step_long))
		tw->ctr[TLS_CTR_HS_STEPS_OVER_1MS]++;
}

/*
 * The rest of the record's plaintext that the first SSL_read left in
 * OpenSSL's buffer (a 16 KB record fills eight 2 KB mbufs), chained
 * after m, up to room bytes: one rcv_buf a record instead of eight. Only
 * plaintext decrypted already (SSL_pending()): these reads copy and
 * cannot fail or wait; and only on the software path (no SSL_MODE_ASYNC:
 * a read there is an async job that may park with its buffer). Returns
 * the bytes added.
 */
static uint32_t
tls_read_rest(struct dp_worker *w, struct tls_conn *c, struct rte_mbuf *m, uint32_t room)
{
	struct rte_mbuf *last = m;
	uint32_t added = 0;

	while (added < room && SSL_pending(c->ssl) > 0 && m->nb_segs < UINT16_MAX) {
		struct rte_mbuf *x = dp_alloc(w);
		uint32_t want = room - added;
		size_t k = 0;

		if (x == NULL)
			break;            /* the rest next time: it stays in OpenSSL */
		if (want > rte_pktmbuf_tailroom(x))
			want = rte_pktmbuf_tailroom(x);
		if (SSL_read_ex(c->ssl, rte_pktmbuf_mtod(x, void *), want, &k) != 1 || k == 0) {
			rte_pktmbuf_free(x);
			ERR_clear_error();
			break;
		}
		x->data_len = (uint16_t)k;
		last->next = x;
		last = x;
		m->nb_segs++;
		m->pkt_len += (uint32_t)k;
		added += (uint32_t)k;
	}
	return added;
}

/*
 * A handshake step of an SSL armed for dp's record layer (tls_rec.h):
 * SSL_do_handshake(), which stops at the handshake's end (SSL_read would
 * go on into the records that follow it, and those are dp's to open);
 * then the records are read as the application asked. Software path
 * only: nothing parks here.
 */
static int
tls_rcv_handshake(struct dp_worker *w, struct tls_conn *c, struct rte_mbuf **out,
		  uint32_t max, uint64_t t0)
{
	struct tls_worker *tw = w->tls;
	int rc, err;

	tls_err_clear();
	rc = SSL_do_handshake(c->ssl);
	err = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, rc);
	tls_hs_spent(w, tw, rte_rdtsc() - t0);
	if (rc == 1) {
		tls_hs_done(tw, c);
		if (!tls_rec_rx_start(tw, c))
			SSL_set_read_ahead(c->ssl, 1);   /* OpenSSL's records */
		if (!tls_flush(w, c)) {
			tls_leg_report(w, c);
			return -EPROTO;
		}
		return tls_rcv_buf(w, c->id, out, max);
	}
	if (!tls_flush(w, c)) {
		tls_leg_report(w, c);
		return -EPROTO;
	}
	switch (err) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		if (c->rx == NULL && !(c->flags & TLS_F_EOF)) {
			tls_pull(w, c);
			if (c->rx != NULL || (c->flags & TLS_F_EOF))
				return tls_rcv_buf(w, c->id, out, max);
		}
		tls_leg_report(w, c);
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		if (c->leg != NULL) {
			tls_leg_fail(c->leg, SSL_ERROR_SYSCALL, 0);
			c->flags |= TLS_F_FATAL;
			tls_leg_report(w, c);
		}
		return 0;
	default:
		c->flags |= TLS_F_FATAL;
		rc = tls_count_failure(tw, c, err) ? 0 : -EPROTO;
		tls_leg_report(w, c);
		return rc;
	}
}

int
tls_rcv_buf(struct dp_worker *w, uint64_t id, struct rte_mbuf **out, uint32_t max)
{
	struct tls_worker *tw = w->tls;
	struct tls_conn *c = tls_conn_of(w, id);
	struct rte_mbuf *m;
	uint64_t t0 = 0;
	uint32_t want;
	size_t n = 0;
	bool hs;
	int rc, err;

	if (c == NULL || c->id != id)
		return -ENOTCONN;
	if (c->flags & TLS_F_FATAL) {
		tls_leg_report(w, c);     /* (a leg whose flush failed) */
		return -EPROTO;
	}
	if ((c->flags & TLS_F_PARKED) && !(c->x & TLS_X_READY))
		return -EAGAIN;           /* tls_poll() resumes it */
	if (c->x & TLS_X_READY) {
		/* (first, even while a write that started after it is parked:
		 * the kept result needs nothing of OpenSSL's) */
		/* what tls_poll() read for it (tls_read_finish) */
		rc = c->ready_rc;
		if (rc > 0 && (uint32_t)rc > max)
			return -EAGAIN;   /* (asked again with room) */
		c->x &= (uint8_t)~TLS_X_READY;
		if (rc > 0)
			*out = c->ready;
		c->ready = NULL;
		return rc;
	}
	if (unlikely(c->x & TLS_X_WPEND) && !(c->x & TLS_X_JOB)) {
		/* a write waited for a read's job, which has ended: it goes
		 * first, and no read starts while it is under way */
		if (!tls_write_pending(w, c))
			return -EPROTO;
		if (c->x & TLS_X_SHUTPEND)
			tls_settle(w, c); /* (a shutdown waited for it) */
		if (c->flags & (TLS_F_PARKED | TLS_F_NOJOB))
			return -EAGAIN;
	}
	if (c->rec != NULL && c->rec->rx.on) {
		/* dp's records (tls_rec.c); what they made us send (an
		 * alert, a KeyUpdate) goes out before the application goes on */
		rc = tls_rec_read(w, c, out, max);
		if (c->tx != NULL && !tls_flush(w, c)) {
			if (rc > 0)
				rte_pktmbuf_free(*out);
			rc = -EPROTO;
		}
		/* a record that waits for an mbuf: asked again from tls_poll()
		 * (TCP says nothing more: it gave what it had) */
		if (rc == -EAGAIN && tls_rec_starved(c) && !(c->flags & TLS_F_DEFERRED))
			tls_defer(w, c);
		tls_leg_report(w, c);
		return rc;
	}
	hs = !(c->flags & TLS_F_HS_DONE);
	if (hs && !(c->x & TLS_X_JOB)) {
		/* A handshake step: within this pass's budget, or later (a
		 * storm of handshakes must not hold up the packets queued
		 * behind it), and within the handshakes' share of the async
		 * jobs. Records of established sessions never wait for the
		 * budget. (A woken job goes on at once: put off, it would
		 * hold its job meanwhile.) */
		if (c->flags & TLS_F_DEFERRED)
			return -EAGAIN;   /* its turn comes (tls_poll) */
		if (!dp_hs_room(w) && tls_defer(w, c)) {
			tw->ctr[TLS_CTR_HS_DEFERRED]++;
			return -EAGAIN;
		}
		if (tls_hs_job_short(tw)) {
			tw->ctr[TLS_CTR_ASYNC_HS_HELD]++;
			return tls_wait_job(w, c, false) ? -EAGAIN : -EPROTO;
		}
	} else if (!hs && (c->flags & TLS_F_NOJOB) && c->wbuf != NULL &&
		   !(c->x & TLS_X_JOB)) {
		/* a write waits for a job: no read starts before it goes on
		 * (one that paused would leave the write where it is) */
		return -EAGAIN;
	}
	if (hs)
		t0 = rte_rdtsc();
	tls_pull(w, c);
	if (c->ssl == NULL) {
		if (c->rx == NULL)
			return (c->flags & TLS_F_EOF) ? 0 : -EAGAIN;
		if (!tls_open(w, c)) {
			c->flags |= TLS_F_FATAL;
			return -EPROTO;
		}
	}
	if (hs && (SSL_get_options(c->ssl) & SSL_OP_ENABLE_KTLS))
		return tls_rcv_handshake(w, c, out, max, t0);
	m = c->rbuf;
	if (m == NULL) {
		m = dp_alloc(w);
		if (m == NULL) {
			/* TCP keeps the data; asked again from tls_poll()
			 * (TCP's readable() comes only with more data, and
			 * not at all after its closed()) */
			tw->ctr[TLS_CTR_NO_MBUF]++;
			if (!(c->flags & TLS_F_DEFERRED))
				tls_defer(w, c);
			return -EAGAIN;
		}
	}
	c->rbuf = NULL;
	want = max < rte_pktmbuf_tailroom(m) ? max : rte_pktmbuf_tailroom(m);
	tls_err_clear();
	rc = SSL_read_ex(c->ssl, rte_pktmbuf_mtod(m, void *), want, &n);
	err = tls_ssl_error(c, rc);
	tls_job_note(tw, c);
	if (hs)
		tls_hs_spent(w, tw, rte_rdtsc() - t0);
	if (!(c->flags & TLS_F_HS_DONE) && SSL_is_init_finished(c->ssl))
		tls_hs_done(tw, c);
	if (err == SSL_ERROR_WANT_ASYNC) {
		c->rbuf = m;              /* OpenSSL goes on with this buffer */
		tls_park(tw, c, TLS_OP_READ);
		return tls_flush(w, c) ? -EAGAIN : -EPROTO;
	}
	if (err == SSL_ERROR_WANT_ASYNC_JOB) {
		c->rbuf = m;              /* (nothing was read into it) */
		return tls_wait_job(w, c, true) ? -EAGAIN : -EPROTO;
	}
	if (!tls_flush(w, c)) {
		rte_pktmbuf_free(m);
		tls_leg_report(w, c);
		return -EPROTO;
	}
	switch (err) {
	case SSL_ERROR_NONE:
		m->data_len = (uint16_t)n;
		m->pkt_len = (uint32_t)n;
		if (!hs && !(SSL_get_mode(c->ssl) & SSL_MODE_ASYNC) && max > n)
			n += tls_read_rest(w, c, m, max - (uint32_t)n);
		*out = m;
		tls_leg_report(w, c);     /* up (with its first data) */
		return (int)n;
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		rte_pktmbuf_free(m);
		if (c->rx == NULL && !(c->flags & TLS_F_EOF)) {
			/* OpenSSL read all we had: more may be in TCP now */
			tls_pull(w, c);
			if (c->rx != NULL || (c->flags & TLS_F_EOF))
				return tls_rcv_buf(w, id, out, max);
		}
		tls_leg_report(w, c);
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		rte_pktmbuf_free(m);      /* close_notify: the end */
		if (c->leg != NULL && !(c->flags & TLS_F_HS_DONE)) {
			/* before the leg was up: a failed handshake */
			tls_leg_fail(c->leg, SSL_ERROR_SYSCALL, 0);
			c->flags |= TLS_F_FATAL;
			tls_leg_report(w, c);
		}
		return 0;
	default:
		rte_pktmbuf_free(m);
		c->flags |= TLS_F_FATAL;
		rc = tls_count_failure(tw, c, err) ? 0 : -EPROTO;
		tls_leg_report(w, c);
		return rc;
	}
}

/*
 * The software path's write (no SSL_MODE_ASYNC: nothing parks): the
 * chain's segments gathered into the worker's buffer, up to 16 KB an
 * SSL_write, so a chain of TCP-sized segments (a spliced leg's) becomes
 * records of max_send_fragment, not one record a segment: fewer records
 * (their header, tag, AEAD set-up and SSL_write each), for one copy that
 * OpenSSL's own into its write buffer follows anyway. A chain of one
 * segment is written from the mbuf. False when it failed (TLS_F_FATAL).
 */
static bool
tls_write_gathered(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_worker *tw = w->tls;

	while (c->wseg != NULL) {
		struct rte_mbuf *s = c->wseg;
		const void *p = rte_pktmbuf_mtod(s, const void *);
		size_t len = s->data_len, n = 0;
		int rc, err;

		if (s->next != NULL && len < TLS_GATHER_MAX) {
			len = 0;
			while (s != NULL && len + s->data_len <= TLS_GATHER_MAX) {
				memcpy(tw->gather + len, rte_pktmbuf_mtod(s, const void *),
				       s->data_len);
				len += s->data_len;
				s = s->next;
			}
			p = tw->gather;
			c->wseg = s;
		} else {
			c->wseg = s->next;
		}
		if (len == 0)
			continue;
		tls_err_clear();
		rc = SSL_write_ex(c->ssl, p, len, &n);
		if (rc == 1)
			continue;
		err = SSL_get_error(c->ssl, rc);
		tls_count_failure(tw, c, err);
		c->flags |= TLS_F_FATAL;
		return false;
	}
	rte_pktmbuf_free(c->wbuf);
	c->wbuf = NULL;
	return true;
}

/* Write the plaintext of c->wbuf from c->wseg on; false when it parked
 * again or failed (TLS_F_FATAL). */
bool
tls_write_chain(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_worker *tw = w->tls;

	if (!(SSL_get_mode(c->ssl) & SSL_MODE_ASYNC))
		return tls_write_gathered(w, c);
	while (c->wseg != NULL) {
		struct rte_mbuf *s = c->wseg;
		size_t n = 0;
		int rc, err;

		if (s->data_len == 0) {
			c->wseg = s->next;
			continue;
		}
		tls_err_clear();
		rc = SSL_write_ex(c->ssl, rte_pktmbuf_mtod(s, const void *), s->data_len, &n);
		tls_job_note(tw, c);
		if (rc == 1) {
			c->wseg = s->next;
			continue;
		}
		err = tls_ssl_error(c, rc);
		if (err == SSL_ERROR_WANT_ASYNC) {
			tls_park(tw, c, TLS_OP_WRITE);
			return false;
		}
		if (err == SSL_ERROR_WANT_ASYNC_JOB) {
			/* wseg is where it goes on (tls_poll) */
			tw->ctr[TLS_CTR_ASYNC_NO_JOB_WRITE]++;
			tls_wait_job(w, c, true);
			return false;
		}
		tls_count_failure(tw, c, err);
		c->flags |= TLS_F_FATAL;
		return false;
	}
	rte_pktmbuf_free(c->wbuf);
	c->wbuf = NULL;
	return true;
}

static int
tls_snd_buf(struct dp_worker *w, uint64_t id, struct rte_mbuf *m)
{
	struct tls_worker *tw = w->tls;
	struct tls_conn *c = tls_conn_of(w, id);
	uint32_t len = m->pkt_len, need;

	if (c == NULL || c->id != id)
		return -ENOTCONN;
	/* a leg's handshake under way: ops->handshake says when to write */
	if (c->leg != NULL && c->ssl != NULL && !(c->flags & (TLS_F_HS_DONE | TLS_F_FATAL)))
		return -EAGAIN;
	if (c->ssl == NULL || !(c->flags & TLS_F_HS_DONE) || (c->flags & TLS_F_FATAL))
		return -EPIPE;
	if (unlikely(c->x & TLS_X_SHUT))
		return -EPIPE;            /* (its application shut it down) */
	if (c->wbuf != NULL) {
		/* A write under way (parked on the offload, or waiting for
		 * a free job): m joins its chain, to be written after it (the
		 * job holds only its own segment's bytes), all or nothing as
		 * below with the chain's bytes counted as well; else it is
		 * refused (the application drops it, as at a full queue). */
		need = c->wbuf->pkt_len + len +
			TLS_RECORD_OVERHEAD * (c->wbuf->nb_segs + m->nb_segs +
					       (c->wbuf->pkt_len + len) / 4096u);
		if (c->tx_len + need > tcp_send_space(w->tcp, id) ||
		    rte_pktmbuf_chain(c->wbuf, m) != 0) {
			tw->ctr[TLS_CTR_WRITE_PARKED]++;
			return -EAGAIN;
		}
		tw->ctr[TLS_CTR_WRITE_QUEUED]++;
		return (int)len;
	}
	if ((c->flags & TLS_F_PARKED) || (c->x & TLS_X_JOB)) {
		/* A read's job, parked on the offload or woken: no SSL_write
		 * until it ends (the call would go on with the read's job,
		 * not write). m waits as the pending write, started when the
		 * read's job ends (tls_write_pending); more writes join its
		 * chain as above. A TURN client's read and the frames the
		 * relay sends it overlap all the time when an accelerator
		 * does the records: refused, each would be a lost frame. */
		if (c->op == TLS_OP_SHUTDOWN && (c->flags & TLS_F_PARKED)) {
			tw->ctr[TLS_CTR_WRITE_PARKED]++;
			return -EPIPE;    /* (its close_notify under way) */
		}
		need = len + TLS_RECORD_OVERHEAD * (m->nb_segs + len / 4096u);
		if (c->tx_len + need > tcp_send_space(w->tcp, id))
			return -EAGAIN;
		c->wbuf = m;
		c->wseg = m;
		c->x |= TLS_X_WPEND;
		tw->ctr[TLS_CTR_WRITE_QUEUED]++;
		return (int)len;
	}
	if (tls_rec_tx_on(c)) {
		/* dp's records: sealed from m straight into mbufs for TCP */
		if (c->tx_len + len + tls_rec_overhead(len) > tcp_send_space(w->tcp, id))
			return -EAGAIN;
		if (!tls_rec_write(w, c, m)) {
			/* the caller keeps m; the connection is broken */
			c->flags |= TLS_F_FATAL;
			rte_pktmbuf_free(c->tx);
			c->tx = c->tx_tail = NULL;
			c->tx_len = 0;
			return -EPIPE;
		}
		tls_flush(w, c);
		return (int)len;
	}
	if (c->rec != NULL)
		c->rec->update_sent = 0;  /* (receiving dp's: §4.6.3's answer) */
	/* All or nothing, as tcp_send(): the records must fit in the send
	 * queue beside what is held already. */
	need = len + TLS_RECORD_OVERHEAD * (m->nb_segs + len / 4096u);
	if (c->tx_len + need > tcp_send_space(w->tcp, id))
		return -EAGAIN;
	c->wbuf = m;
	c->wseg = m;
	if (!tls_write_chain(w, c) && (c->flags & TLS_F_FATAL)) {
		/* OpenSSL failed: the caller keeps m (what of it became
		 * records goes out first) */
		c->wbuf = c->wseg = NULL;
		tls_flush(w, c);
		return -EPIPE;
	}
	/* m is consumed (written and freed, or kept by the parked write);
	 * a failed flush marks the connection (TLS_F_FATAL) and its next
	 * read resets it */
	tls_flush(w, c);
	return (int)len;
}

static void
tls_writable(struct dp_worker *w, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	/* a failed flush marks the connection fatal: the application's read
	 * then gets -EPROTO and resets it (and forgets it) */
	if (c == NULL || c->id != id)
		return;
	if (c->tx != NULL && !tls_flush(w, c))
		tls_ready(w, c);
	else if (c->x & TLS_X_SHUTPEND)
		tls_settle(w, c);         /* (its FIN waited for room) */
}

/* Whether c's close_notify is still to send: up, not failed, not sent
 * (nor begun: SSL_shutdown() marks it sent before its alert's record,
 * which may pause). Sent only when nothing is under way (tls_busy()). */
static inline bool
tls_notify_due(const struct tls_conn *c)
{
	return c->ssl != NULL && (c->flags & TLS_F_HS_DONE) && !(c->flags & TLS_F_FATAL) &&
	       !(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN);
}

/* Whether an operation of c's is under way: parked on the offload, its job
 * held (woken), waiting for a job, or a write not yet all written. A
 * failed connection has nothing under way (nothing more will be done). */
static inline bool
tls_busy(const struct tls_conn *c)
{
	return !(c->flags & TLS_F_FATAL) &&
	       ((c->flags & (TLS_F_PARKED | TLS_F_NOJOB)) ||
		(c->x & (TLS_X_JOB | TLS_X_WPEND)) || c->wbuf != NULL);
}

/* c's close_notify (RFC 8446 §6.1), or its SSL_shutdown() going on after
 * its wake-up: one that paused on the offload (the alert's record) is
 * parked, so that its wake-up finds the connection (or its orphan) and
 * goes on here; one that found no free job waits for one on the records'
 * FIFO (TLS_F_NOJOB), whose turn asks tls_settle() again. */
void
tls_notify(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_worker *tw = w->tls;
	int rc;

	ERR_clear_error();
	rc = SSL_shutdown(c->ssl);
	if (tw->jobs_max != 0 && SSL_waiting_for_async(c->ssl))
		tls_park(tw, c, TLS_OP_SHUTDOWN);
	else if (tw->jobs_max != 0 && rc < 0 &&
		 SSL_get_error(c->ssl, rc) == SSL_ERROR_WANT_ASYNC_JOB)
		tls_wait_job(w, c, true); /* (false: fatal, nothing is sent) */
	else
		tls_job_note(tw, c);
	ERR_clear_error();
	tls_flush(w, c);
}

/*
 * What the application asked for and waits for c's operations under way:
 * a shutdown (TLS_X_SHUTPEND: the close_notify, then TCP's FIN) or a close
 * (TLS_X_LINGER: the close_notify, then tcp_close()). Asked wherever an
 * operation of c's may have ended (a wake-up and a FIFO's turn in
 * tls_poll(), writable(), a pending write's start). With the records on an
 * accelerator, a write or the alert's record may be on the card when the
 * application asks: done at once, the FIN went out before them (the write
 * then failed on a shut connection) or the close lost them. False when c
 * is gone (its close ended).
 */
bool
tls_settle(struct dp_worker *w, struct tls_conn *c)
{
	uint64_t id = c->id;

	if (!(c->x & (TLS_X_SHUTPEND | TLS_X_LINGER)) || tls_busy(c))
		return true;
	if (tls_notify_due(c)) {
		tls_notify(w, c);
		if (tls_busy(c))
			return true;      /* its wake-up (or a free job) comes */
	}
	if (c->tx != NULL && !(c->flags & TLS_F_FATAL)) {
		tls_flush(w, c);
		if (c->tx != NULL && !(c->flags & TLS_F_FATAL))
			return true;      /* TCP's queue is full: writable() */
	}
	if (c->x & TLS_X_LINGER) {
		tls_release(w, c);
		tls_drain(w->tcp, id);
		tcp_close(w->tcp, id);
		return false;
	}
	c->x &= (uint8_t)~TLS_X_SHUTPEND;
	w->tls->nlinger--;
	tcp_shutdown(w->tcp, id);
	return true;
}

/* c starts to wait for its operations (a shutdown's or a close's): counted
 * in nlinger, and bounded (TLS_LINGER_MS, tls_linger_expire()). */
static void
tls_wait_start(struct tls_worker *tw, struct tls_conn *c)
{
	if (c->x & (TLS_X_SHUTPEND | TLS_X_LINGER))
		return;                   /* (counted already) */
	tw->nlinger++;
	c->linger_until = (uint32_t)(tw->now_ms + TLS_LINGER_MS);
}

static int
tls_shutdown(struct dp_worker *w, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c == NULL || c->id != id || c->ssl == NULL)
		return tcp_shutdown(w->tcp, id);
	if (c->x & (TLS_X_SHUT | TLS_X_LINGER))
		return 0;                 /* (asked already) */
	/* the close_notify and the FIN after what is under way */
	tls_wait_start(w->tls, c);
	c->x |= TLS_X_SHUTPEND | TLS_X_SHUT;
	tls_settle(w, c);
	return 0;
}

static int
tls_close(struct dp_worker *w, uint64_t id)
{
	struct tls_worker *tw = w->tls;
	struct tls_conn *c = tls_conn_of(w, id);

	if (c != NULL && c->id == id) {
		if (!tls_busy(c) && tls_notify_due(c))
			tls_notify(w, c);
		/* under way: an operation, or ciphertext TCP's queue had no
		 * room for (a close_notify among it) */
		if ((tls_busy(c) || (c->tx != NULL && !(c->flags & TLS_F_FATAL))) &&
		    c->ssl != NULL && (c->flags & TLS_F_HS_DONE) && tw->app_linger >= 0 &&
		    tcp_conn_set_app(w->tcp, id, tw->app_linger, w) == 0) {
			if (c->leg != NULL) {
				/* the application forgets the leg now */
				tls_leg_detach(c->ssl);
				free(c->leg);
				c->leg = NULL;
			}
			tls_wait_start(tw, c);
			c->x |= TLS_X_LINGER;
			c->x &= (uint8_t)~TLS_X_SHUTPEND;
			tw->ctr[TLS_CTR_CLOSE_LINGER]++;
			tls_drain(w->tcp, id);
			return 0;
		}
		tls_release(w, c);
	}
	return tcp_close(w->tcp, id);
}

static int
tls_abort(struct dp_worker *w, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c != NULL && c->id == id)
		tls_release(w, c);
	return tcp_abort(w->tcp, id);
}

static void
tls_gone(struct dp_worker *w, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c != NULL && c->id == id)
		tls_release(w, c);
}

static void
tls_first_timeout(struct dp_worker *w, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c == NULL || c->id != id || (c->flags & TLS_F_HS_DONE))
		return;
	w->tls->ctr[TLS_CTR_HS_TIMEOUT]++;
	if (c->leg != NULL && !c->leg->reported) {
		/* the caller's deadline: it ends the leg (no callback) */
		c->leg->why = TLS_FAIL_TIMEOUT;
		c->leg->reported = 1;
		c->flags |= TLS_F_FATAL | TLS_F_TIMEOUT;
	}
}

static void
tls_subscribe(struct dp_worker *w, uint64_t id, dp_xprt_wake_fn wake, void *arg)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c == NULL || c->id != id)
		return;
	c->wake = wake;
	c->wake_arg = wake != NULL ? arg : NULL;
}

const struct dp_xprt_ops dp_xprt_tls = {
	.name = "tls",
	.flags = DP_XPRT_F_HANDSHAKE | DP_XPRT_F_RECORDS,
	.rcv_buf = tls_rcv_buf,
	.snd_buf = tls_snd_buf,
	.writable = tls_writable,
	.shutdown = tls_shutdown,
	.close = tls_close,
	.abort = tls_abort,
	.gone = tls_gone,
	.first_timeout = tls_first_timeout,
	.why = tls_conn_why,
	.eof_clean = tls_conn_close_notified,
	.wakes = tls_conn_wakes,
	.version = tls_conn_version,
	.subscribe = tls_subscribe,
};

int
tls_conn_attach(struct dp_worker *w, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c == NULL)
		return -EINVAL;
	if (c->id != 0)
		tls_release(w, c);        /* a slot reused without closed() */
	c->kind = TLS_K_CONN;
	c->id = id;
	c->w = w;
	return 0;
}

bool
tls_conn_close_notified(struct dp_worker *w, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	return c != NULL && c->id == id && c->ssl != NULL &&
	       ((c->flags & TLS_F_NOTIFIED) ||
		(SSL_get_shutdown(c->ssl) & SSL_RECEIVED_SHUTDOWN) != 0);
}

bool
tls_conn_wakes(struct dp_worker *w, uint64_t id)
{
	const struct tls_conn *c = tls_conn_of(w, id);

	return c != NULL && c->id == id && !(c->flags & TLS_F_FATAL) &&
	       ((c->flags & (TLS_F_PARKED | TLS_F_NOJOB | TLS_F_DEFERRED)) ||
		(c->x & (TLS_X_JOB | TLS_X_READY)));
}

int
tls_conn_version(struct dp_worker *w, uint64_t id)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c == NULL || c->id != id || c->ssl == NULL || !(c->flags & TLS_F_HS_DONE))
		return 0;
	switch (SSL_version(c->ssl)) {
	case TLS1_3_VERSION:
		return 13;
	case TLS1_2_VERSION:
		return 12;
	default:
		return 0;
	}
}
