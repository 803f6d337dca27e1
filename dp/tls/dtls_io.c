/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DTLS session's BIO and handshake step (dtls_io.h): one datagram in,
 * each write a datagram out through the owner, the step's cycles charged
 * to the worker's handshake budget.
 */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>

#include "dp.h"
#include "dtls_io.h"
#include "tls_async_job.h"

static BIO_METHOD *method;
static unsigned int users;

static int
io_read(BIO *b, char *buf, int len)
{
	struct dtls_io *io = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (io == NULL || io->in == NULL) {
		BIO_set_retry_read(b);
		return -1;
	}
	/* one datagram a read; OpenSSL's buffer takes a whole record */
	if (len > io->in_len)
		len = io->in_len;
	memcpy(buf, io->in, (size_t)len);
	io->in = NULL;
	return len;
}

static int
io_write(BIO *b, const char *buf, int len)
{
	struct dtls_io *io = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (io == NULL || len < 0 || len > 65507)
		return -1;
	/* lost, it is resent as any datagram would be (DTLS retransmits its
	 * handshake; the owner counts it) */
	(void)io->send(io->arg, (const uint8_t *)buf, (uint16_t)len);
	return len;
}

static long
io_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return 28;
	default:                   /* no peer, no MTU queries, nothing pending */
		return 0;
	}
}

static int
io_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

int
dtls_io_get(void)
{
	if (method != NULL) {
		users++;
		return 0;
	}
	method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "turnpike dtls");
	if (method == NULL || !BIO_meth_set_read(method, io_read) ||
	    !BIO_meth_set_write(method, io_write) || !BIO_meth_set_ctrl(method, io_ctrl) ||
	    !BIO_meth_set_create(method, io_create)) {
		BIO_meth_free(method);
		method = NULL;
		return -ENOMEM;
	}
	users = 1;
	return 0;
}

void
dtls_io_put(void)
{
	if (users == 0 || --users > 0)
		return;
	BIO_meth_free(method);
	method = NULL;
}

BIO *
dtls_io_bio(struct dtls_io *io)
{
	BIO *b = method != NULL ? BIO_new(method) : NULL;

	if (b != NULL)
		BIO_set_data(b, io);
	return b;
}

enum dtls_step
dtls_io_step(struct dp_worker *w, SSL *s, int *sslerr, int *reason)
{
	uint64_t t0;
	int r, e;

	/* (SSL_get_error() reads the queue: empty before the call) */
	if (ERR_peek_error() != 0)
		ERR_clear_error();
	t0 = rte_rdtsc();
	r = SSL_do_handshake(s);
	dp_hs_spent(w, rte_rdtsc() - t0);
	if (r == 1)
		return DTLS_STEP_UP;
	e = tls_ssl_verdict(s, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return DTLS_STEP_WANT;
	if (e == SSL_ERROR_WANT_ASYNC || e == SSL_ERROR_WANT_ASYNC_JOB) {
		/* (what a paused job raised is its own: not a failure) */
		ERR_clear_error();
		return e == SSL_ERROR_WANT_ASYNC ? DTLS_STEP_ASYNC : DTLS_STEP_NOJOB;
	}
	*sslerr = e;
	*reason = ERR_GET_REASON(ERR_peek_last_error());
	ERR_clear_error();
	return DTLS_STEP_FAIL;
}

void
dtls_io_detach(SSL *s)
{
	BIO *b = s != NULL ? SSL_get_rbio(s) : NULL;

	if (b != NULL)
		BIO_set_data(b, NULL);
}
