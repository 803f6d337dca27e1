/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/dtls_io: a DTLS session's datagrams as OpenSSL sees them, for
 * whoever owns the session (TURN over DTLS, dp/turn/turn_dtls.c;
 * DTLS-SRTP, dp/dtls_srtp): a BIO over one datagram at a time (the one
 * the owner is handling: OpenSSL copies it into its record buffer at its
 * first read) and each datagram OpenSSL writes handed to the owner's send
 * (which copies it into a packet of its own), and a handshake step timed
 * into the worker's handshake budget (dp.h's dp_hs_*(), shared with TLS).
 * A copy in and out is fine off the fast path: only handshakes and their
 * retransmissions come this way.
 */
#ifndef DP_TLS_DTLS_IO_H
#define DP_TLS_DTLS_IO_H

#include <stdint.h>

#include <openssl/ssl.h>

struct dp_worker;

/* The owner's side of a session's BIO, kept by the owner beside its SSL
 * (the BIO points at it). */
struct dtls_io {
	const uint8_t *in;        /* the datagram the next read takes; NULL: none */
	uint16_t in_len;
	/* A datagram OpenSSL wrote (p, len octets), to the peer: 0, or < 0
	 * when it could not go (the owner counts it; DTLS resends a flight
	 * as if it were lost). */
	int (*send)(void *arg, const uint8_t *p, uint16_t len);
	void *arg;
};

/* The BIO method, made by the first user's set-up, freed by the last's
 * end (a count: TURN over DTLS and DTLS-SRTP each hold it). 0, or
 * -ENOMEM. Off the workers. */
int dtls_io_get(void);
void dtls_io_put(void);

/* A BIO over io (both directions: SSL_set_bio(s, b, b)), or NULL. */
BIO *dtls_io_bio(struct dtls_io *io);

/* One datagram for the next read of io's SSL: p, len octets, which stays
 * the caller's (set before, taken back with dtls_io_done() after). */
static inline void
dtls_io_give(struct dtls_io *io, const uint8_t *p, uint16_t len)
{
	io->in = p;
	io->in_len = len;
}

static inline void
dtls_io_done(struct dtls_io *io)
{
	io->in = NULL;
	io->in_len = 0;
}

enum dtls_step {
	DTLS_STEP_WANT = 0,       /* under way: more from the peer, or a timer */
	DTLS_STEP_UP,             /* the handshake ended */
	DTLS_STEP_FAIL,           /* it failed: sslerr and reason say why */
	/* SSL_MODE_ASYNC only (a context with an offload): */
	DTLS_STEP_ASYNC,          /* its job paused: the step again once the
				   * async callback said it can go on */
	DTLS_STEP_NOJOB,          /* no free async job: OpenSSL started nothing
				   * (the datagram given was not read) */
};

/*
 * One handshake step of s (SSL_do_handshake()), its TSC cycles charged to
 * w's handshake budget (dp_hs_spent()). UP, WANT, or FAIL with *sslerr
 * (SSL_get_error()'s) and *reason (the last error's reason, 0 when OpenSSL
 * gave none), for tls_leg_fail(); with SSL_MODE_ASYNC also ASYNC or NOJOB
 * (tls_async_job.h's verdict). The thread's error queue is left empty.
 */
enum dtls_step dtls_io_step(struct dp_worker *w, SSL *s, int *sslerr, int *reason);

/* s's BIO no longer reads or writes for its owner (an SSL left as an
 * orphan, its async job paused: the job fails at its next read or write
 * instead of reaching an owner that has gone). */
void dtls_io_detach(SSL *s);

#endif /* DP_TLS_DTLS_IO_H */
