/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN in the worker: set-up, the two UDP listeners (clients, relayed
 * ports), and the per-loop poll of cp's ring.
 */
#ifndef DP_TURN_H
#define DP_TURN_H

#include "../dp_types.h"
#include "turn_types.h"

struct rte_mbuf;

/* TURN over UDP as one of dp's modules (dp_module.h; turn_module.c). */
struct dp_module;
extern const struct dp_module turn_module;
/* TURN over DTLS (turn_dtls.c): turn.listen_dtls's sessions. */
extern const struct dp_module turn_dtls_module;

/* Per-worker tables, the listeners; ctx->ipc must be open. */
int turn_init(struct dp_ctx *ctx);
void turn_free(struct dp_ctx *ctx);
/* UDP listener of the TURN port. */
void turn_client_input(struct dp_worker *w, struct rte_mbuf *m,
		       const struct dp_udp_meta *meta, void *arg);
/*
 * TURN's two entries for what a client sent, whatever the transport
 * (dp/README.md "How a stream flows"): a STUN message, or a ChannelData
 * message (RFC 8656 §12.4), in->len bytes at in->off in in->m (contiguous
 * in its first segment), from where from says; answers go back the same
 * way.
 * Both consume in->m. A UDP message's checksum must have been verified
 * before turn_client_stun() (dp reads it); ChannelData is relayed with
 * its checksum carried (in->udp), not verified.
 * turn_client_stun() returns true when the message went to cp (a control
 * request, admitted): its answer will come from cp (RFC 6062's
 * ConnectionBind holds its connection until then).
 */
bool turn_client_stun(struct dp_worker *w, const struct turn_from *from,
		      const struct turn_in *in);
void turn_client_chdata(struct dp_worker *w, const struct turn_from *from,
			const struct turn_in *in);
/* An IP packet (at m's data start) to one of our relayed addresses, from
 * one of ours (relay to relay: UDP datagrams, RFC 6062's TCP segments):
 * looped in to worker owner through its hand-off ring, never to the
 * wire. Consumes m. */
void turn_loop_in(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
		  unsigned int owner);
/* UDP listener of every relayed port. */
void turn_peer_input(struct dp_worker *w, struct rte_mbuf *m,
		     const struct dp_udp_meta *meta, void *arg);
/* The relayed ports' taker of ICMP(v6) errors (RFC 8656 §11.5: v4 types
 * 3, 11; v6 types 1, 2, 3) quoting a datagram we sent: report it to the
 * allocation's client in a Data indication with an ICMP attribute. */
void turn_icmp_input(struct dp_worker *w, const struct dp_icmp_error *e, void *arg);
/* Ask the cache for what the TURN packets of a received burst will look
 * up (a hint only: handling checks everything itself). */
void turn_prefetch_burst(struct dp_worker *w, const struct dp_port *port,
			 struct rte_mbuf **pkts, uint16_t n);
/* TURN's kinds of message from cp, its SYNC and its look at cp (the
 * nonce key cp published), with dp_cp.c; 0 or -errno. */
int turn_cp_register(struct dp_ctx *ctx);
/* Move the table sweeps on by a slice (counters to cp, the expiry guard;
 * a restarted cp's state goes by dp_cp_sync_step()) when one is due: at most every few tens
 * of microseconds, a bounded number of allocations, never filling the ring
 * to cp past the room kept for requests. tsc: now. Returns allocations
 * visited (0: nothing was due). */
unsigned int turn_sweep(struct dp_worker *w, uint64_t tsc);

/*
 * TURN over a stream (turn_stream.c). What the stream transport (dp/tcp,
 * TLS above it) gives TURN to answer and relay on a client's connection.
 * Both all or nothing: 0, or -errno (dropped and counted).
 */
struct turn_stream_io {
	/* Write a STUN message (len bytes, copied) to connection conn_id. */
	int (*write)(struct dp_worker *w, uint64_t conn_id, const uint8_t *buf,
		     uint16_t len);
	/* The whole of m's data (one frame) to conn_id; consumes m. */
	int (*write_mbuf)(struct dp_worker *w, uint64_t conn_id, struct rte_mbuf *m);
	/* Whether conn_id is a connection of w's that is open now: cp's
	 * ALLOC_ADD for a stream client is taken only then (the connection
	 * may have closed while cp decided). */
	bool (*live)(struct dp_worker *w, uint64_t conn_id);
	/* cp's answer to a request on conn_id was written (RFC 6062: a
	 * connection holding back after a ConnectionBind reads on when it
	 * was not bound). NULL: nothing to do. */
	int (*answered)(struct dp_worker *w, uint64_t conn_id);
};

/* The stream transport of worker w (io lives as long as w); max_conns:
 * the connections it can hold at once, which sizes the backlog of
 * CONN_DOWN events to cp (one each at most). 0, or -ENOMEM. */
int turn_stream_attach(struct dp_worker *w, const struct turn_stream_io *io,
		       uint32_t max_conns);
/* TURN over DTLS's sessions of worker w (turn_dtls.c): io's operations
 * take a DTLS session's id (IPC_CONN_SLOT_DTLS); max_sessions sizes the
 * CONN_DOWN backlog with the streams'. 0, or -ENOMEM. A session that ends
 * calls turn_stream_gone() as a connection does. */
int turn_dtls_attach(struct dp_worker *w, const struct turn_stream_io *io,
		     uint32_t max_sessions);
/*
 * A stream client's connection closed (from: transport 6, its conn_id and
 * addresses): its allocation, if it has one, goes now (RFC 8656 §3.1: an
 * allocation made over TCP lives as long as its connection), and, when
 * talked is set (it sent cp something), cp hears of it (CONN_DOWN, with
 * reason, an enum ipc_conn_reason) through the worker's backlog: cp frees
 * what it holds for the connection even if dp had nothing.
 */
void turn_stream_gone(struct dp_worker *w, const struct turn_from *from,
		      uint32_t reason, bool talked);
/* Whether the stream connection from holds an allocation (installed by
 * cp, not expired). */
bool turn_stream_has_alloc(struct dp_worker *w, const struct turn_from *from);
/* Move waiting CONN_DOWN events into the ring to cp while it has room
 * beyond the requests' (called from turn_sweep()); returns events moved. */
unsigned int turn_stream_flush(struct dp_worker *w);

#endif /* DP_TURN_H */
