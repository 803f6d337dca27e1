/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN over TCP and TLS (turn_tcp.c): the application dp/tcp runs on
 * turn.listen_tcp and turn.listen_tls, between a connection's transport
 * and TURN's stream adapter (turn_stream.c). Its set-up, its per-burst
 * and per-turn work, its counters, and RFC 6062's hand-over of a
 * ConnectionBind's connection to dp/tcprelay.
 */
#ifndef DP_TURN_TCP_H
#define DP_TURN_TCP_H

#include <stdint.h>
#include <stdio.h>

struct dp_ctrs_family;
struct dp_worker;
struct dp_xprt_ops;
struct rte_mbuf;

/* Counters of TURN's TCP application, per worker (turn_tcp_counters.def). */
enum turn_tcp_ctr {
#define TURN_TCP_CTR(n, s, h) TURN_TCP_CTR_##n,
#include "turn_tcp_counters.def"
#undef TURN_TCP_CTR
	TURN_TCP_CTR__COUNT
};

/* Listen on turn.listen_tcp and attach TURN's stream transport (after
 * turn_init()); 0 when done or not configured, -errno after one clear
 * error. */
int turn_tcp_init(struct dp_worker *w);
void turn_tcp_free(struct dp_worker *w);
/* Frames gathered for clients in this burst into their send queues
 * (before the worker flushes its transmit queues). */
void turn_tcp_flush(struct dp_worker *w);
/* Connections silent past turn.tcp_first_message, or without an
 * allocation past turn.tcp_allocate_timeout. */
void turn_tcp_poll(struct dp_worker *w, uint64_t now_ms);
/* The worker's "tcp_turn" statistics line (nothing when not in use). */
void turn_tcp_stats(const struct dp_worker *w, FILE *out);
/*
 * RFC 6062 §5.4. cp answered a request on connection id (its RESPONSE was
 * written): a connection that waited on a ConnectionBind (and was not
 * bound: a challenge, an error) is read as TURN again. 0.
 */
int turn_tcp_answered(struct dp_worker *w, uint64_t id);
/* The ConnectionBind's connection id leaves TURN for the relay (cp said
 * yes): its transport in *xp, the bytes that followed the request in
 * *held (a chain, or NULL; the caller owns it). Nothing of TURN's is left
 * of it; its TCP application is the caller's to set, and its session
 * (dp/session) the caller's to take (session_move()) or close. -ENOENT when id is
 * no connection waiting on a ConnectionBind (closed meanwhile). */
int turn_tcp_take(struct dp_worker *w, uint64_t id, const struct dp_xprt_ops **xp,
		  struct rte_mbuf **held);
/* Its counters, for cp (dp_ctrs.h; 0 when not in use). */
extern const struct dp_ctrs_family turn_tcp_ctrs;
/* TURN over TCP and TLS as one of dp's modules (dp_module.h;
 * turn_module.c). */
struct dp_module;
extern const struct dp_module turn_tcp_module;

#endif /* DP_TURN_TCP_H */
