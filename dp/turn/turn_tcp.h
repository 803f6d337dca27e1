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

/* Counters of TURN's TCP application, per worker: TURN_TCP_CTR(enum
 * suffix, published name after "turn_", help). */
#define TURN_TCP_CTR_LIST \
	TURN_TCP_CTR(ACCEPTED, "accepted", "TURN connections accepted over TCP or TLS") \
	TURN_TCP_CTR(NOT_ACCESS, "refused_not_access", \
	      "TURN connections refused: not to an access port's own address") \
	TURN_TCP_CTR(STUN, "stun_frames", "STUN messages cut from TURN connections' streams") \
	TURN_TCP_CTR(CHDATA, "chdata_frames", \
	      "ChannelData messages cut from TURN connections' streams") \
	TURN_TCP_CTR(ZERO_COPY, "frames_zero_copy", \
	      "Frames taken inside one segment, without a copy") \
	TURN_TCP_CTR(GATHERED, "frames_gathered", \
	      "Small frames to clients gathered into one mbuf (TCP only)") \
	TURN_TCP_CTR(CLIENT_EOF, "client_eof", "TURN connections the client ended (FIN)") \
	TURN_TCP_CTR(CLOSED, "closed", "TURN connections closed") \
	TURN_TCP_CTR(FIRST_TIMEOUT, "reset_silent", \
	      "TURN connections reset: no first message by turn.tcp_first_message") \
	TURN_TCP_CTR(FIRST_EVICTED, "reset_silent_evicted", \
	      "Silent TURN connections reset early: the first-message FIFO full") \
	TURN_TCP_CTR(BAD_FRAME, "reset_bad_frame", \
	      "TURN connections reset: a frame neither STUN nor ChannelData") \
	TURN_TCP_CTR(TOO_BIG, "reset_frame_too_big", \
	      "TURN connections reset: a frame longer than allowed") \
	TURN_TCP_CTR(NO_MBUF, "reset_no_mbuf", \
	      "TURN connections reset: no mbuf to keep a partial frame in") \
	TURN_TCP_CTR(STALLED, "reset_stalled_frame", \
	      "TURN connections reset: a frame incomplete for over 2 s") \
	TURN_TCP_CTR(TRANSPORT, "reset_transport", \
	      "TURN connections reset: their transport failed (TLS)") \
	TURN_TCP_CTR(SEND_FULL, "send_queue_full", \
	      "Frames to clients dropped: the send queue full") \
	TURN_TCP_CTR(POOL_LOW, "dropped_pool_low", \
	      "Frames to clients dropped: mbufs low and the queue long") \
	TURN_TCP_CTR(SEND_GONE, "send_closed", "Frames to clients dropped: the connection closed") \
	TURN_TCP_CTR(BOUND, "connection_bound", \
	      "TURN connections bound as RFC 6062 data connections") \
	TURN_TCP_CTR(BIND_UNANSWERED, "reset_bind_unanswered", \
	      "TURN connections reset: cp did not answer a ConnectionBind in time") \
	TURN_TCP_CTR(NO_ALLOC, "reset_no_allocation", \
	      "TURN connections reset: no allocation by turn.tcp_allocate_timeout") \
	TURN_TCP_CTR(BIND_HELD, "bind_held_bytes", \
	      "Bytes read behind a ConnectionBind, held for cp's answer")

enum turn_tcp_ctr {
#define TURN_TCP_CTR(n, s, h) TURN_TCP_CTR_##n,
	TURN_TCP_CTR_LIST
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
