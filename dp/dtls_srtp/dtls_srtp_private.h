/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What dp/dtls_srtp's files share: dtls_srtp.c (the tables, the
 * configuration, the counters), dtls_srtp_input.c (the gates, the
 * deferral queue), dtls_srtp_hs.c (a handshake's life: the pool, its
 * steps, its end, its timer).
 */
#ifndef DP_DTLS_SRTP_PRIVATE_H
#define DP_DTLS_SRTP_PRIVATE_H

#include "dtls_srtp.h"

static inline struct dtls_hs *
dsh_of(struct dtls_srtp_worker *ds, const struct dtls_term *t)
{
	return t->hs != 0 ? &ds->pool[t->hs - 1] : NULL;
}

static inline uint32_t
dsh_index(const struct dtls_srtp_worker *ds, const struct dtls_hs *h)
{
	return (uint32_t)(h - ds->pool);
}

/* ---- dtls_srtp_hs.c ---- */

/* A server's handshake on termination idx from the ClientHello p (len
 * octets) that src sent to dst, which passed the front; with cookie, one
 * our cookie checked (DTLSv1_listen() takes it). */
void dsh_server(struct dtls_srtp_worker *ds, uint32_t idx, const uint8_t *p, uint16_t len,
		const struct ipc_addr *src, const struct ipc_addr *dst, bool cookie);
/* A client's handshake on termination idx towards peer: its ClientHello
 * (put off while the budget is spent or others wait, unless queued: the
 * queue's turn). */
void dsh_client(struct dtls_srtp_worker *ds, uint32_t idx, const struct ipc_addr *peer,
		bool queued);
/* A datagram (p, len) to h's SSL: a handshake step, or a lingering SSL's
 * read (a retransmitted flight, a renegotiation refused). */
void dsh_feed(struct dtls_srtp_worker *ds, struct dtls_hs *h, const uint8_t *p, uint16_t len);
/* The answer's fingerprints for termination idx's held handshake. */
void dsh_verify(struct dtls_srtp_worker *ds, uint32_t idx);
/* Termination idx's handshake fails with why (the event said). */
void dsh_fail(struct dtls_srtp_worker *ds, uint32_t idx, enum tls_fail why);
/* h goes back to the pool: its SSL freed, held keys wiped; its
 * termination forgets it. */
void dsh_free(struct dtls_srtp_worker *ds, struct dtls_hs *h);
/* A free entry (a lingering one freed for it when none is), or NULL. */
struct dtls_hs *dsh_take(struct dtls_srtp_worker *ds);
/* ops->event of termination idx in its state now (keys: UP's). */
void dsh_emit(struct dtls_srtp_worker *ds, uint32_t idx, const struct ipc_srtp_key *rx,
	      const struct ipc_srtp_key *tx);

/* With an offload: the handshakes OpenSSL's async callback woke (their
 * steps again; orphans' jobs run to their end and their SSLs freed), then
 * those that waited for a job, first in first out, while jobs are free.
 * From the clock. */
void dsh_async_poll(struct dtls_srtp_worker *ds);

/* ---- dtls_srtp.c ---- */

/* Termination idx's client start found the pool full: it waits (once)
 * for an entry, tried again from the clock (dsd_pool_serve()) while its
 * termination still wants one. false: the ring is full (not waited). */
bool dsd_pool_wait(struct dtls_srtp_worker *ds, uint32_t idx);

/* The context of our certificate's generation gen (0: the current one;
 * one offered and not yet taken is taken now), or NULL: gen is older
 * than the one before the current (the termination's SDP gave a
 * fingerprint this worker no longer serves: `replaced`). */
SSL_CTX *dsd_ctx_of(struct dtls_srtp_worker *ds, uint16_t gen);

/* ---- dtls_srtp_input.c ---- */

/* Put a datagram (m, NULL for a client's start to dst) off until the
 * budget has room: false when the queue is full (m stays the caller's). */
bool dsd_defer(struct dtls_srtp_worker *ds, uint32_t idx, struct rte_mbuf *m, uint16_t off,
	       uint16_t len, const struct ipc_addr *src, const struct ipc_addr *dst);
/* The queue, first in first out, while the budget lasts. */
void dsd_serve(struct dtls_srtp_worker *ds);
/* Forget what is queued of termination idx (it went, or changed). */
void dsd_drop_term(struct dtls_srtp_worker *ds, uint32_t idx);
/* OpenSSL's cookie callbacks (the context's): our cookie of the SSL's
 * 5-tuple (dtls_hello.h). */
int dsd_cookie_gen(SSL *s, unsigned char *c, unsigned int *len);
int dsd_cookie_verify(SSL *s, const unsigned char *c, unsigned int len);

#endif /* DP_DTLS_SRTP_PRIVATE_H */
