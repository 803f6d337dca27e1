/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls: TLS termination over dp's own TCP (dp/tcp), per worker, with
 * OpenSSL 3 through a BIO of our own (tls_bio.c), and the transport
 * operations table (raw | TLS) the stream applications use for every
 * read, write, shutdown, close and abort (HAProxy's xprt_ops), so that
 * TURN and the splice never ask which they have.
 *
 * SSL_MODE_ASYNC always: an operation that waits on an offload returns
 * WANT_ASYNC and parks its connection; OpenSSL's async callback (which
 * may run on the accelerator's or a provider's thread) only puts the SSL
 * on the worker's multi-producer ring; tls_poll(), from the worker loop,
 * takes them off and resumes them. Without an offload nothing ever parks.
 */
#ifndef DP_TLS_H
#define DP_TLS_H

#include <stdint.h>
#include <stdio.h>

#include "tls_types.h"

struct tp_conf;

/*
 * The transport of one stream connection (by its tcp_id_t). Semantics are
 * dp/tcp's (tcp.h): rcv_buf like tcp_recv() (a chain the caller owns and
 * its length; 0 at the end of the stream; -EAGAIN; and -EPROTO when the
 * transport failed, counted by it: the caller resets the connection);
 * snd_buf like tcp_send() (all or nothing: its length and m is owned, or
 * -errno and the caller keeps m); writable() when dp/tcp says the send
 * queue has room again; close/abort end the connection (no callback
 * follows); gone() when dp/tcp ended it (closed()).
 */
struct dp_xprt_ops {
	const char *name;
	int (*rcv_buf)(struct dp_worker *w, uint64_t id, struct rte_mbuf **out,
		       uint32_t max);
	int (*snd_buf)(struct dp_worker *w, uint64_t id, struct rte_mbuf *m);
	void (*writable)(struct dp_worker *w, uint64_t id);
	int (*shutdown)(struct dp_worker *w, uint64_t id);
	int (*close)(struct dp_worker *w, uint64_t id);
	int (*abort)(struct dp_worker *w, uint64_t id);
	void (*gone)(struct dp_worker *w, uint64_t id);
	/* the application's first-message deadline passed (counted when
	 * the handshake had not completed) */
	void (*first_timeout)(struct dp_worker *w, uint64_t id);
};

extern const struct dp_xprt_ops dp_xprt_raw;
extern const struct dp_xprt_ops dp_xprt_tls;

/*
 * w's TLS (after dp_tcp_create(), before workers run): its library
 * context (and offload provider), SSL_CTX (tls_ctx_create()), async ring,
 * connection array of max_conns. on_ready(w, id) is called from
 * tls_poll() for a connection whose parked read may go on. 0, or -errno
 * after one clear error naming the configuration's file and line.
 */
int tls_worker_init(struct dp_worker *w, const struct tp_conf *conf,
		    uint32_t max_conns,
		    void (*on_ready)(struct dp_worker *w, uint64_t id));
void tls_worker_free(struct dp_worker *w);

/* A new TCP connection (id) on a TLS port: its TLS slot, set up; no SSL
 * until its first bytes. 0 or -EINVAL. */
int tls_conn_attach(struct dp_worker *w, uint64_t id);

/* From the worker loop: resume what the ring names, poll the engine while
 * anything is parked, expire cached sessions now and then. Returns the
 * connections resumed. */
unsigned int tls_poll(struct dp_worker *w, uint64_t now_ms);

/* The counters (TLS_CTR__COUNT; 0 when w has no TLS) and their names. */
void tls_values(const struct dp_worker *w, uint64_t *out);
const char *tls_ctr_name(unsigned int i);
/* The worker's "tls" statistics line (nothing when not in use). */
void tls_stats(const struct dp_worker *w, FILE *out);

/* What tls_bio.c gives tls_xprt.c: a BIO over conn (BIO_set_data), and
 * the method's release at exit. */
BIO *tls_bio_new(struct tls_conn *conn);
void tls_bio_method_free(void);

#endif /* DP_TLS_H */
