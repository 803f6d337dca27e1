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

/* Counters of TURN's TCP application, per worker. */
#define DP_TT_LIST \
	DP_TT(ACCEPTED, "accepted") \
	DP_TT(NOT_ACCESS, "refused_not_access") \
	DP_TT(STUN, "stun_frames") \
	DP_TT(CHDATA, "chdata_frames") \
	DP_TT(ZERO_COPY, "frames_zero_copy") \
	DP_TT(GATHERED, "frames_gathered") \
	DP_TT(CLIENT_EOF, "client_eof") \
	DP_TT(CLOSED, "closed") \
	DP_TT(FIRST_TIMEOUT, "reset_silent") \
	DP_TT(FIRST_EVICTED, "reset_silent_evicted") \
	DP_TT(BAD_FRAME, "reset_bad_frame") \
	DP_TT(TOO_BIG, "reset_frame_too_big") \
	DP_TT(NO_MBUF, "reset_no_mbuf") \
	DP_TT(STALLED, "reset_stalled_frame") \
	DP_TT(TRANSPORT, "reset_transport") \
	DP_TT(SEND_FULL, "send_queue_full") \
	DP_TT(POOL_LOW, "dropped_pool_low") \
	DP_TT(SEND_GONE, "send_closed") \
	DP_TT(BOUND, "connection_bound") \
	DP_TT(BIND_UNANSWERED, "reset_bind_unanswered") \
	DP_TT(NO_ALLOC, "reset_no_allocation") \
	DP_TT(BIND_HELD, "bind_held_bytes")   /* read behind a ConnectionBind, held for cp's answer */

enum dp_tt_ctr {
#define DP_TT(n, s) DP_TT_##n,
	DP_TT_LIST
#undef DP_TT
	DP_TT__COUNT
};

/* Listen on turn.listen_tcp and attach TURN's stream transport (after
 * turn_init()); 0 when done or not configured, -errno after one clear
 * error. */
int dp_tcp_turn_init(struct dp_worker *w);
void dp_tcp_turn_free(struct dp_worker *w);
/* Frames gathered for clients in this burst into their send queues
 * (before the worker flushes its transmit queues). */
void dp_tcp_turn_flush(struct dp_worker *w);
/* Connections silent past turn.tcp_first_message, or without an
 * allocation past turn.tcp_allocate_timeout. */
void dp_tcp_turn_poll(struct dp_worker *w, uint64_t now_ms);
/* The worker's "tcp_turn" statistics line (nothing when not in use). */
void dp_tcp_turn_stats(const struct dp_worker *w, FILE *out);
/*
 * RFC 6062 §5.4. cp answered a request on connection id (its RESPONSE was
 * written): a connection that waited on a ConnectionBind (and was not
 * bound: a challenge, an error) is read as TURN again. 0.
 */
int dp_tcp_turn_answered(struct dp_worker *w, uint64_t id);
/* The ConnectionBind's connection id leaves TURN for the relay (cp said
 * yes): its transport in *xp, the bytes that followed the request in
 * *held (a chain, or NULL; the caller owns it). Nothing of TURN's is left
 * of it; its TCP application is the caller's to set, and its session
 * (dp/session) the caller's to take (session_move()) or close. -ENOENT when id is
 * no connection waiting on a ConnectionBind (closed meanwhile). */
int dp_tcp_turn_take(struct dp_worker *w, uint64_t id, const struct dp_xprt_ops **xp,
		     struct rte_mbuf **held);
/* Its counters, for cp (dp_ctrs.h; 0 when not in use). */
extern const struct dp_ctrs_family dp_tcp_turn_ctrs;

#endif /* DP_TURN_TCP_H */
