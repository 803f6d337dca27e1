/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An AGW leg on a dp connection (tls.h's tls_conn_start(),
 * tls_conn_why()): its SSL of the legs' context in either role, the
 * struct tls_leg beside it, and the handshake's first step. The leg's
 * OpenSSL side (the fingerprint check, the verdict and its sentence) is
 * tls_leg.c, plain OpenSSL and no DPDK, which the unit tests link
 * alone; what runs on dp's connections is here. From its start on, the
 * leg is a TLS connection like TURN's (tls_xprt.c).
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "tcp.h"
#include "tls.h"
#include "tls_rec.h"
#include "tls_xprt_private.h"

/* The handshake's first step, from tls_conn_start(): a client's
 * ClientHello; a server's answer to what arrived already (else nothing).
 * Through SSL_read like every later step (a job parked here is resumed
 * by the application's rcv_buf, which must find the same call). 0, or
 * -errno with the leg's why set. */
static int
tls_kick(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_worker *tw = w->tls;
	struct rte_mbuf *m = dp_alloc(w);
	size_t n = 0;
	int rc, err;

	if (m == NULL) {
		tw->ctr[TLS_CTR_NO_MBUF]++;
		c->leg->why = TLS_FAIL_NO_MEMORY;
		return -ENOBUFS;
	}
	if (tls_hs_job_short(tw)) {
		/* its first step waits for a job (rcv_buf takes it from there) */
		tw->ctr[TLS_CTR_ASYNC_HS_HELD]++;
		c->rbuf = m;
		if (tls_wait_job(w, c, false))
			return 0;
		c->leg->why = TLS_FAIL_NO_MEMORY;
		return -ENOBUFS;
	}
	tls_pull(w, c);
	ERR_clear_error();
	rc = SSL_read_ex(c->ssl, rte_pktmbuf_mtod(m, void *), rte_pktmbuf_tailroom(m), &n);
	err = tls_ssl_error(c, rc);
	tls_job_note(tw, c);
	if (err == SSL_ERROR_WANT_ASYNC || err == SSL_ERROR_WANT_ASYNC_JOB) {
		c->rbuf = m;              /* rcv_buf resumes with it */
		if (err == SSL_ERROR_WANT_ASYNC)
			tls_park(tw, c, TLS_OP_READ);
		else if (!tls_wait_job(w, c, true)) {
			c->leg->why = TLS_FAIL_NO_MEMORY;
			return -ENOBUFS;
		}
		if (tls_flush(w, c))
			return 0;
		c->leg->why = TLS_FAIL_OTHER;
		return -EPROTO;
	}
	rte_pktmbuf_free(m);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		if (tls_flush(w, c))
			return 0;
		c->leg->why = TLS_FAIL_OTHER;     /* (reset_ciphertext_overflow) */
		return -EPROTO;
	}
	/* A handshake cannot be complete before we have sent a flight: data
	 * here would be a bug of OpenSSL's; refused rather than lost. */
	c->flags |= TLS_F_FATAL;
	if (err == SSL_ERROR_NONE || err == SSL_ERROR_ZERO_RETURN) {
		tw->ctr[TLS_CTR_HS_OTHER]++;
		tls_leg_fail(c->leg, SSL_ERROR_SSL, 0);
	} else {
		tls_count_failure(tw, c, err);
	}
	tls_flush(w, c);                  /* our alert, if any */
	return -EPROTO;
}

const struct dp_xprt_ops *
tls_conn_start(struct dp_worker *w, uint64_t id, enum tls_role role,
	       const struct tls_leg_params *p)
{
	struct tls_worker *tw = w->tls;
	struct tls_conn *c;
	BIO *b = NULL;
	int rc;

	if (role == TLS_ROLE_NONE)
		return &dp_xprt_raw;
	if (tls_leg_params_check(role, p, NULL) < 0) {
		errno = EINVAL;
		return NULL;
	}
	if (tw == NULL || tw->leg_ctx == NULL) {
		errno = ENOTSUP;
		return NULL;
	}
	c = tls_conn_of(w, id);
	if (c == NULL || tcp_conn_state(w->tcp, id) < 0) {
		errno = ENOTCONN;
		return NULL;
	}
	if (c->id != 0)
		tls_release(w, c);        /* a slot reused without closed() */
	c->kind = TLS_K_CONN;
	c->id = id;
	c->w = w;
	c->wake = p->ops->ready;
	c->wake_arg = p->arg;
	c->leg = calloc(1, sizeof(*c->leg));
	if (c->leg != NULL)
		c->ssl = tls_leg_ssl_new(tw->leg_ctx, role, p, c->leg);
	if (c->ssl != NULL)
		b = tls_bio_new(c);
	if (b == NULL) {
		ERR_clear_error();
		tw->ctr[TLS_CTR_NO_MEMORY]++;
		tls_release(w, c);        /* (frees the SSL and the leg) */
		errno = ENOMEM;
		return NULL;
	}
	SSL_set_bio(c->ssl, b, b);
	SSL_set_app_data(c->ssl, c);
	SSL_set_async_callback_arg(c->ssl, tw);
	if (tw->rec_dp)
		tls_rec_arm(c->ssl);
	tw->ctr[TLS_CTR_SESSIONS]++;
	tw->ctr[role == TLS_ROLE_CLIENT ? TLS_CTR_LEG_CLIENT : TLS_CTR_LEG_SERVER]++;
	rc = tls_kick(w, c);
	if (rc < 0) {
		/* kept for tls_conn_why() until the caller ends it */
		c->leg->reported = 1;
		c->flags |= TLS_F_FATAL;
		errno = -rc;
		return NULL;
	}
	return &dp_xprt_tls;
}

int
tls_conn_why(struct dp_worker *w, uint64_t id, char *buf, size_t size)
{
	struct tls_conn *c = tls_conn_of(w, id);

	if (c == NULL || c->id != id || c->leg == NULL)
		return -ENOTCONN;
	if (size > 0)
		tls_leg_describe(c->leg, buf, size);
	return c->leg->why;
}
