/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/session types: a stream connection's session (session.h). Types
 * only.
 */
#ifndef DP_SESSION_TYPES_H
#define DP_SESSION_TYPES_H

#include <stdint.h>

struct dp_worker;
struct dp_xprt_ops;

/*
 * What a session's owner hears from the session layer (the application
 * that has the connection now: TURN's stream adapter, RFC 6062's relay,
 * the gateway). dp/tcp's own events (readable, writable, closed) still
 * come through the owner's tcp_app_ops; these are the transport's.
 * ready: an operation of the transport that waited (a TLS record on the
 *   offload, a job, an mbuf) may go on: call rcv_buf again, as for
 *   dp/tcp's readable(). On the worker's thread, from the transport's
 *   poll (tls_poll()), never from inside one of its operations.
 */
struct dp_session_ops {
	const char *name;
	void (*ready)(struct dp_worker *w, uint64_t id, void *arg);
};

/* A connection's session, in the worker's array by dp/tcp's slot. */
struct dp_session {
	uint64_t id;                       /* the connection; 0: slot unused */
	const struct dp_xprt_ops *xp;      /* its transport (raw, TLS) */
	const struct dp_session_ops *ops;  /* its owner's */
	void *arg;                         /* for ops */
};

enum session_ctr {
#define SESSION_CTR(e, n, h) SESSION_CTR_##e,
#include "session_counters.def"
#undef SESSION_CTR
	SESSION_CTR__COUNT
};

/* A worker's sessions: one a dp/tcp connection slot. */
struct session_worker {
	struct dp_session *s;     /* max, by ipc_conn_slot() of the id */
	uint32_t max;
	uint64_t ctr[SESSION_CTR__COUNT];
};

#endif /* DP_SESSION_TYPES_H */
