/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/dtls_srtp: DTLS-SRTP (RFC 5763, RFC 5764; RFC 8842's associations)
 * on the gateway's RTP terminations, on the worker that owns the port. A
 * termination's DTLS-class datagrams (RFC 7983: first octet 20..63) come
 * here; its handshake runs on OpenSSL through dp/tls's pieces (the
 * stateless front, dtls_hello.c; the context, the leg's fingerprint check,
 * the exporter, dtls_srtp_ssl.c; the BIO and the budgeted step,
 * dtls_io.c), one SSL a termination at most, from a bounded pool, alive
 * only through its handshake and a linger; the keys (RFC 5705, split by
 * role) go to the termination's SRTP through the seam's keys(), and to cp
 * in the event. Established media never come here.
 *
 * Until the seam into dp/rtp and lib/ipc's fields exist (issue 68's slice
 * 4), the configuration and the keys' destination are this C API's: a
 * struct dtls_srtp_term_cfg a termination, the struct dtls_srtp_ops given
 * at set-up. Every function runs on the worker's thread.
 */
#ifndef DP_DTLS_SRTP_H
#define DP_DTLS_SRTP_H

#include <stdio.h>

#include "dtls_srtp_types.h"

struct dp_ctrs_family;

/*
 * w's DTLS-SRTP: its context (dtls_srtp_ctx_create() with conf's
 * certificate and every profile, each SSL narrowed to its termination's),
 * the cookie's key, conf->terms terminations, a pool of conf->handshakes
 * (zero settings take the defaults above), the deferral queue (twice the
 * pool), the timer wheel on w->now_ms, the handshake budget
 * (dp_hs_budget_set()). The BIO method is held (dtls_io_get()). 0, or
 * -EINVAL / -ENOMEM with err.
 */
int dtls_srtp_worker_init(struct dp_worker *w, const struct dtls_srtp_conf *conf,
			  const struct dtls_srtp_ops *ops, char *err, size_t errlen);
/*
 * Our certificate anew (a reload of agw.dtls's files), all workers or
 * none: dtls_srtp_gen_make() makes w's context of generation gen for cred
 * in the caller's thread (the reload's, not w's; cred is referenced by
 * the context, not kept), NULL with err; dtls_srtp_gen_offer() gives it
 * to w (o is w's then; one offered before and not taken is freed), which
 * takes it at its next clock or when a termination names gen. w then
 * serves gen and the generation before it (a termination whose SDP gave
 * the old fingerprint still handshakes under it); a termination of an
 * older one fails `replaced`. dtls_srtp_gen_free(): one not offered.
 */
struct dtls_srtp_gen_offer *dtls_srtp_gen_make(const struct dp_worker *w,
					       const struct tls_cred *cred, uint16_t gen,
					       char *err, size_t errlen);
void dtls_srtp_gen_offer(struct dp_worker *w, struct dtls_srtp_gen_offer *o);
void dtls_srtp_gen_free(struct dtls_srtp_gen_offer *o);
/* Everything w's DTLS-SRTP holds: SSLs freed, held keys wiped, deferred
 * datagrams freed. */
void dtls_srtp_worker_free(struct dp_worker *w);

/*
 * Termination idx's DTLS-SRTP as cp now says (cfg copied): role NONE
 * ends it (as dtls_srtp_term_gone()). Another association (assoc, or the
 * termination had none) starts over: what was under way goes, a client
 * without ICE sends its ClientHello to cfg->remote now. The same
 * association keeps its state and keys; an answer's fingerprints decide a
 * held handshake (installed, or FAILED fingerprint_mismatch); an answer
 * that makes us the client of an association we served fails it
 * (role_conflict) and starts as client. 0, -EINVAL (cfg unusable: a role
 * past EITHER, fingerprints not 1..4 valid ones or 0 with EITHER, no
 * profile dp's SRTP keys, flags unknown), -ERANGE (idx).
 */
int dtls_srtp_term_set(struct dp_worker *w, uint32_t idx, const struct dtls_srtp_term_cfg *cfg);
/* Termination idx went (SUB, DEL): its handshake ends, held keys wiped,
 * its state NONE. */
void dtls_srtp_term_gone(struct dp_worker *w, uint32_t idx);

/*
 * A DTLS-class datagram to termination idx (dp/rtp's dispatch by first
 * octet, slice 4): the gates (FEATURE.md), then the handshake. m is
 * consumed (freed, or kept while deferred); meta is the UDP demux's.
 */
void dtls_srtp_input(struct dp_worker *w, uint32_t idx, struct rte_mbuf *m,
		     const struct dp_udp_meta *meta);

/* ICE's hook: src passed a check on termination idx (the first valid
 * check, or USE-CANDIDATE): a client's ClientHello goes there now. */
void dtls_srtp_checked(struct dp_worker *w, uint32_t idx, const struct ipc_addr *src);

/* SRTP or SRTCP from the peer authenticated under the new keys (dp/rtp's
 * first tell of the termination): the peer has our last flight, the
 * lingering SSL goes. */
void dtls_srtp_srtp_seen(struct dp_worker *w, uint32_t idx);

/* The worker's clock (once a millisecond, after dp_hs_reset()): the
 * timers (retransmissions, deadlines, lingers), then the deferred
 * datagrams and starts while the budget lasts. */
void dtls_srtp_clock(struct dp_worker *w, uint64_t now_ms);

/* The name of a state; a termination's line for the operator ("up, role
 * server, DTLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256, SRTP_AES128_CM_SHA1_80,
 * fingerprint 1 of 1 matched, assoc 2"); snprintf()'s count. */
const char *dtls_srtp_state_name(unsigned int state);
int dtls_srtp_term_describe(const struct dp_worker *w, uint32_t idx, char *buf, size_t len);

/* The statistics line ("dtls_srtp worker=0 terms=... in_flight=...
 * lingering=... held=... deferred=... <counter>=..."), and the counter
 * family (dsrtp_fail_<why> by tls_fails.def, then dsrtp_<name>: made
 * whole at build time, registered before any worker's set-up). */
void dtls_srtp_print(const struct dp_worker *w, FILE *out);
extern const struct dp_ctrs_family dtls_srtp_ctrs;

#endif /* DP_DTLS_SRTP_H */
