/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rules every user of OpenSSL's async jobs (SSL_MODE_ASYNC, an
 * offload: dp/tls/FEATURE.md "Offload") on a worker shares: TLS's
 * connections (tls_async.c) and DTLS-SRTP's handshakes (dp/dtls_srtp):
 * the async callback's wake-up onto the worker's ring, a call's verdict,
 * and the end of an orphan's job. Inline: plain OpenSSL and a DPDK ring,
 * nothing of either user's state.
 */
#ifndef DP_TLS_TLS_ASYNC_JOB_H
#define DP_TLS_TLS_ASYNC_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

/*
 * From OpenSSL's async callback (SSL_CTX_set_async_callback(), on any
 * thread: an accelerator's, a provider's timer): s's paused job can go
 * on, so s goes onto ring (multi-producer, lock-free; the worker drains
 * it). Nothing else is done there. 1, or 0 when the ring is full (*full
 * counted, atomically: a wake-up lost leaves its job paused until the
 * owner's deadline frees it as an orphan, and the ring is sized for one
 * wake-up a job so that it does not happen).
 */
static inline int
tls_async_wake(struct rte_ring *ring, uint64_t *full, SSL *s)
{
	if (rte_ring_mp_enqueue_elem(ring, &s, sizeof(s)) != 0) {
		__atomic_fetch_add(full, 1, __ATOMIC_RELAXED);
		return 0;
	}
	return 1;
}

/*
 * OpenSSL's verdict on s's call that returned rc: a job that paused says
 * SSL_ERROR_WANT_ASYNC whatever the thread's error queue holds
 * (SSL_get_error() reads the queue first, and what a job raised before it
 * paused is the thread's): taken for a failure, the SSL and its buffers
 * would be freed while the job still runs on them.
 */
static inline int
tls_ssl_verdict(SSL *s, int rc)
{
	if (rc == 1)
		return SSL_ERROR_NONE;
	if ((SSL_get_mode(s) & SSL_MODE_ASYNC) && SSL_waiting_for_async(s))
		return SSL_ERROR_WANT_ASYNC;
	return SSL_get_error(s, rc);
}

/*
 * An orphan's job was woken (its owner freed it while the job was
 * paused): run it on to its end. Any SSL call that reaches its async
 * branch resumes the job it has (its own arguments kept); SSL_read and
 * SSL_write may return before (a shutdown received or sent),
 * SSL_do_handshake does not in a handshake, nor SSL_shutdown after one.
 * The owner has cut the SSL from its BIO's data and its callbacks'
 * state, so the job fails at its next read or write. True when it paused
 * again (its callback comes again); false: the job ended, the caller
 * frees s.
 */
static inline bool
tls_async_job_finish(SSL *s)
{
	ERR_clear_error();
	if (SSL_in_init(s) || SSL_in_before(s))
		SSL_do_handshake(s);
	else
		SSL_shutdown(s);
	ERR_clear_error();
	return SSL_waiting_for_async(s) != 0;
}

#endif /* DP_TLS_TLS_ASYNC_JOB_H */
