/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's side of dp/tcp: a TCP stack per worker (created when something
 * listens on TCP: for now the diagnostic TCP echo, dp.diag_tcp_echo_port,
 * and its active open, dp.diag_tcp_connect),
 * segments in from the network layer, out through dp_ip_output(), timers
 * on the worker's wheel advanced from the worker loop.
 */
#ifndef DP_TCP_GLUE_H
#define DP_TCP_GLUE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#include "dp_types.h"

struct rte_mbuf;

/* Create w's stack and wheel if the configuration asks for TCP; 0 when
 * created or not needed, -errno after printing one clear error. */
int dp_tcp_create(struct dp_worker *w);
void dp_tcp_free(struct dp_worker *w);

/* Source ports of active opens (IANA's dynamic range, RFC 6335 §6). */
#define DP_TCP_EPH_LO 49152u
#define DP_TCP_EPH_HI 65535u

/*
 * Active open from worker w to raddr:rport (host order) for the
 * application app of w's stack: from the own address (dp_port_src()) of
 * the port the route to raddr leaves by, and a source port whose replies
 * that port's steering brings back to w (dp_flow_pick_sport(), proto 6),
 * so that the connection lives on w (the ports taken are skipped). Then
 * tcp_connect(). Returns 0 with *id, or -ENETUNREACH (no route),
 * -EADDRNOTAVAIL (no free port lands on w), -ENOTSUP (the NIC's
 * steering is unknown), -ENOBUFS, -EINVAL; -ENOTCONN without a stack.
 */
int dp_tcp_connect(struct dp_worker *w, uint8_t family, const uint8_t *raddr,
		   uint16_t rport, int app, void *arg, uint64_t *id);
/* The same from laddr, one of dp's own port addresses (NULL: the route's
 * port's), steered by that port (-EADDRNOTAVAIL when laddr is not ours). */
int dp_tcp_connect_from(struct dp_worker *w, uint8_t family, const uint8_t *laddr,
			const uint8_t *raddr, uint16_t rport, int app, void *arg,
			uint64_t *id);

/*
 * The worker a TCP segment (src:sport -> dst:dport, one of our addresses)
 * belongs to, the one rule the demux and the active opens' source ports
 * follow: an agw.ports port steers by its worker share, so does a relayed
 * port of one of our relayed addresses when RFC 6062 relays (*relayed is
 * set then), anything else by the flow hash (dp_flow_worker()).
 */
struct dp_port;
unsigned int dp_tcp_owner(const struct dp_worker *w, const struct dp_port *port,
			  uint8_t family, const uint8_t *src, const uint8_t *dst,
			  uint16_t sport, uint16_t dport, bool *relayed);

/* The uses of a worker's connection table (dp/tcp's tcp_app_set_use()),
 * each with its dp.tcp_reserve share. */
enum dp_tcp_use {
	DP_TCP_USE_OTHER = 0,     /* the diagnostics: no share */
	DP_TCP_USE_TURN,          /* TURN's clients over TCP and TLS (their
				   * RFC 6062 data connections too) */
	DP_TCP_USE_RELAY,         /* RFC 6062's peer connections */
	DP_TCP_USE_AGW,           /* the AGW's legs */
};
/* app's connections count against use, which keeps its dp.tcp_reserve
 * share of the table. 0 or -errno after one clear error. */
int dp_tcp_use(struct dp_worker *w, int app, enum dp_tcp_use use);

/* Keepalive k (turn.tcp_keepalive, agw.keepalive; idle 0: none) on
 * connection id: dp/tcp's tcp_set_keepalive(), from the connection's
 * accept() or right after its tcp_connect(). */
struct tp_conf_keepalive;
void dp_tcp_keepalive(struct dp_worker *w, uint64_t id, const struct tp_conf_keepalive *k);

/* Move the stack's clock, poll the stream modules registered with it
 * (dp_tcp_mod_add()) and run its timers; returns the work done. */
unsigned int dp_tcp_poll(struct dp_worker *w, uint64_t now_ms);

/*
 * The stream modules' ranks: the order dp_tcp_poll() runs them in (and
 * dp_tcp_free() frees them in, reversed), and each one's bit. TLS first:
 * what it resumes is read by the owners after it in the same turn.
 */
enum dp_tcp_mod_rank {
	DP_TCP_MOD_TLS = 0,
	DP_TCP_MOD_TURN,          /* TURN over TCP and TLS (dp_tcp_turn.c) */
	DP_TCP_MOD_AGW,
	DP_TCP_MOD_TCPRELAY,
	DP_TCP_MOD__COUNT
};

struct dp_tcp_mod {
	const char *name;
	enum dp_tcp_mod_rank rank;
	dp_tcp_mod_poll_fn poll;
	dp_tcp_mod_free_fn free;     /* NULL: nothing to free */
};

/* Register m with w's stack, in its rank's place (once a module a worker:
 * a second registration of a rank is refused). 0, -EEXIST, -ENOSPC.
 * Inline: the modules' unit tests link no dp_tcp.c. */
static inline int
dp_tcp_mod_add(struct dp_worker *w, const struct dp_tcp_mod *m)
{
	struct dp_tcp_mods *r = &w->tcp_mods;
	unsigned int i;

	_Static_assert(DP_TCP_MOD__COUNT <= DP_TCP_MODS, "DP_TCP_MODS is too small");
	if (r->mask & (1u << m->rank))
		return -EEXIST;
	if (r->n >= DP_TCP_MODS)
		return -ENOSPC;
	for (i = r->n; i > 0 && r->rank[i - 1] > m->rank; i--) {
		r->rank[i] = r->rank[i - 1];
		r->poll[i] = r->poll[i - 1];
		r->free[i] = r->free[i - 1];
		r->name[i] = r->name[i - 1];
	}
	r->rank[i] = (uint8_t)m->rank;
	r->poll[i] = m->poll;
	r->free[i] = m->free;
	r->name[i] = m->name;
	r->n++;
	r->mask |= 1u << m->rank;
	return 0;
}

/* dp/tcp's counters and its connections' ends by reason, for cp
 * (dp_ctrs.h; the root registers them); the connections open now. */
struct dp_ctrs_family;
extern const struct dp_ctrs_family dp_tcp_ctrs, dp_tcp_close_ctrs;
uint64_t dp_tcp_conns(const struct dp_worker *w);

/* ---- TURN over TCP (dp_tcp_turn.c) ---- */

/* Counters of TURN's TCP application, per worker: DP_TT(enum suffix,
 * published name after "turn_", help). */
#define DP_TT_LIST \
	DP_TT(ACCEPTED, "accepted", "TURN connections accepted over TCP or TLS") \
	DP_TT(NOT_ACCESS, "refused_not_access", "TURN connections refused: not to an access port's own address") \
	DP_TT(STUN, "stun_frames", "STUN messages cut from TURN connections' streams") \
	DP_TT(CHDATA, "chdata_frames", "ChannelData messages cut from TURN connections' streams") \
	DP_TT(ZERO_COPY, "frames_zero_copy", "Frames taken inside one segment, without a copy") \
	DP_TT(GATHERED, "frames_gathered", "Small frames to clients gathered into one mbuf (TCP only)") \
	DP_TT(CLIENT_EOF, "client_eof", "TURN connections the client ended (FIN)") \
	DP_TT(CLOSED, "closed", "TURN connections closed") \
	DP_TT(FIRST_TIMEOUT, "reset_silent", \
	      "TURN connections reset: no first message by turn.tcp_first_message") \
	DP_TT(FIRST_EVICTED, "reset_silent_evicted", \
	      "Silent TURN connections reset early: the first-message FIFO full") \
	DP_TT(BAD_FRAME, "reset_bad_frame", "TURN connections reset: a frame neither STUN nor ChannelData") \
	DP_TT(TOO_BIG, "reset_frame_too_big", "TURN connections reset: a frame longer than allowed") \
	DP_TT(NO_MBUF, "reset_no_mbuf", "TURN connections reset: no mbuf to keep a partial frame in") \
	DP_TT(STALLED, "reset_stalled_frame", "TURN connections reset: a frame incomplete for over 2 s") \
	DP_TT(TRANSPORT, "reset_transport", "TURN connections reset: their transport failed (TLS)") \
	DP_TT(SEND_FULL, "send_queue_full", "Frames to clients dropped: the send queue full") \
	DP_TT(POOL_LOW, "dropped_pool_low", "Frames to clients dropped: mbufs low and the queue long") \
	DP_TT(SEND_GONE, "send_closed", "Frames to clients dropped: the connection closed") \
	DP_TT(BOUND, "connection_bound", "TURN connections bound as RFC 6062 data connections") \
	DP_TT(BIND_UNANSWERED, "reset_bind_unanswered", \
	      "TURN connections reset: cp did not answer a ConnectionBind in time") \
	DP_TT(NO_ALLOC, "reset_no_allocation", \
	      "TURN connections reset: no allocation by turn.tcp_allocate_timeout") \
	DP_TT(BIND_HELD, "bind_held_bytes", \
	      "Bytes read behind a ConnectionBind, held for cp's answer")

enum dp_tt_ctr {
#define DP_TT(n, s, h) DP_TT_##n,
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
struct dp_xprt_ops;
int dp_tcp_turn_take(struct dp_worker *w, uint64_t id, const struct dp_xprt_ops **xp,
		     struct rte_mbuf **held);
/* Its counters, for cp (dp_ctrs.h; 0 when not in use). */
extern const struct dp_ctrs_family dp_tcp_turn_ctrs;

#endif /* DP_TCP_GLUE_H */
