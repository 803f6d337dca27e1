/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/session: per stream connection, {its transport, its owner's ops,
 * the owner's argument}, in a per-worker array by dp/tcp's connection
 * slot (ipc_conn_slot(), as dp/tls's connections are): what lets the
 * transport reach the connection's owner without anyone guessing, and
 * what moves with the connection when it changes owner (RFC 6062's
 * ConnectionBind makes a TURN connection the relay's data connection).
 *
 * Below it: dp/tcp (the connection and its slot) and dp/tls (the
 * transport ops, struct dp_xprt_ops, whose subscribe() the session sets
 * so that a TLS wake-up comes here). Neither includes this header.
 * Above it: TURN's stream adapter, the splice, RFC 6062's relay, the
 * gateway: each opens the sessions of the connections it takes, and the
 * session passes the transport's wake-up on to its owner of the moment.
 *
 * Nothing here is on a packet's path: a session is written when a
 * connection is taken, handed over or ends, and read on a wake-up.
 */
#ifndef DP_SESSION_H
#define DP_SESSION_H

#include <stdint.h>

#include "dp.h"
#include "ipc.h"
#include "session_types.h"
#include "tls.h"

/*
 * w's sessions for max_conns connections (dp/tcp's table), made once:
 * each application of a stream asks (TURN's, the relay's, the
 * gateway's), and a later call finds them made (-EINVAL for more
 * connections than the first). 0, -ENOMEM.
 */
int session_worker_init(struct dp_worker *w, uint32_t max_conns);
void session_worker_free(struct dp_worker *w);

/*
 * Connection id's session from now on: transport xp, owner ops with
 * arg. The transport is told to wake the session (xp->subscribe()). A
 * session still in the slot (its connection ended without a close) is
 * replaced. NULL when w has no sessions or id is not a connection of its
 * table.
 */
struct dp_session *session_open(struct dp_worker *w, uint64_t id,
				const struct dp_xprt_ops *xp,
				const struct dp_session_ops *ops, void *arg);

/* Connection id's session goes to another owner (ops, arg); its
 * transport and its subscription stay. 0, or -ENOTCONN (no session). */
int session_move(struct dp_worker *w, uint64_t id, const struct dp_session_ops *ops,
		 void *arg);

/* Connection id's session ends: the transport wakes nobody from now on.
 * Nothing when it has none. */
void session_close(struct dp_worker *w, uint64_t id);

/* A transport's wake-up of connection id (what session_open() subscribes
 * with; arg is the session): its owner's ready(). Stale ones (the session
 * ended or was reused) are counted and dropped. */
void session_wake(struct dp_worker *w, uint64_t id, void *arg);

/* The worker's session counters for cp (dp_ctrs.h; 0 without sessions). */
struct dp_ctrs_family;
extern const struct dp_ctrs_family session_ctrs;
/* Sessions as one of dp's modules (dp_module.h): their counters. */
struct dp_module;
extern const struct dp_module session_module;

/* Connection id's session, or NULL. */
static inline struct dp_session *
session_of(struct dp_worker *w, uint64_t id)
{
	struct session_worker *sw = w->session;
	uint32_t slot = ipc_conn_slot(id);
	struct dp_session *s;

	if (sw == NULL || id == 0 || slot >= sw->max)
		return NULL;
	s = &sw->s[slot];
	return s->id == id ? s : NULL;
}

#endif /* DP_SESSION_H */
