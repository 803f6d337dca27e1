/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp: a TCP stack per worker (RFC 9293), nothing shared between
 * workers, no locks, no allocation per segment. Connections come from a
 * pool sized at creation; received payload is kept in the mbufs it came
 * in (by reference), data to send is a queue of the application's mbufs;
 * every connection has one timer on the worker's wheel (lib/timer, ticks
 * of one millisecond). Segments leave through struct tcp_out_ops.
 *
 * Conventions: constructors return NULL and set errno; operations return
 * 0 (or a count) or -errno. The application names connections by id
 * (tcp_id_t): a stale id gives -ENOTCONN, never another connection.
 *
 * Time: the caller sets the stack's clock (tcp_stack_set_time(), ms) once
 * per burst and advances the wheel itself (tw_advance(wheel, now_ms)).
 */
#ifndef DP_TCP_H
#define DP_TCP_H

#include <rte_mbuf.h>

#include "tcp_types.h"

/* ---- names --------------------------------------------------------------- */
const char *tcp_state_name(unsigned int st);
const char *tcp_ctr_name(unsigned int c);
const char *tcp_reason_name(unsigned int r);

/* A connection that ended because a timer gave up on its peer (no answer
 * to data, probes or a FIN in time): what an application reports as a
 * timeout, not a reset. The SYN's own is its owner's (a connect that
 * failed or one that timed out). */
static inline bool
tcp_reason_gave_up(enum tcp_reason r)
{
	return r == TCP_REASON_TIMEOUT || r == TCP_REASON_KEEPALIVE ||
	       r == TCP_REASON_FIN_WAIT2_TIMEOUT || r == TCP_REASON_USER_TIMEOUT ||
	       r == TCP_REASON_ORPHAN_TIMEOUT;
}

/* ---- segments (tcp_seg.c) -------------------------------------------------- */

/* Parse the header at p (len bytes: header and payload). Fills s. */
enum tcp_parse_err tcp_seg_parse(const uint8_t *p, size_t len, struct tcp_seg *s);
/* Bytes the options in o take (a multiple of 4, at most 40). */
size_t tcp_opts_len(const struct tcp_opts_out *o);
/* Write a header with o's options (o may be NULL) at p, checksum zero.
 * Returns the header length (20 + tcp_opts_len(o)). */
size_t tcp_seg_build(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq,
		     uint32_t ack, uint8_t flags, uint16_t wnd,
		     const struct tcp_opts_out *o);

/* ---- keyed hashes (tcp_isn.c, over lib/siphash's) ------------------------ */

/* SipHash-2-4 of the 4-tuple (addresses 16 bytes each, ports host order). */
uint64_t tcp_tuple_hash(const uint8_t key[16], const uint8_t laddr[16],
			uint16_t lport, const uint8_t raddr[16], uint16_t rport);
/* RFC 6528 ISN at now_us (microseconds). */
uint32_t tcp_isn(const uint8_t key[16], const uint8_t laddr[16], uint16_t lport,
		 const uint8_t raddr[16], uint16_t rport, uint64_t now_us);

/* ---- the stack (tcp_conn.c) ------------------------------------------------ */

/* Fill conf with the defaults (see FEATURE.md for the values). */
void tcp_conf_defaults(struct tcp_conf *conf);

/*
 * Create a stack: conf is copied; wheel is the worker's (its ticks are
 * milliseconds; the stack keeps a pointer); out and out_arg receive every
 * segment; pool gives the mbufs segments are built in. The clock starts
 * at now_ms. Returns NULL with errno (EINVAL, ENOMEM).
 */
struct tcp_stack *tcp_stack_create(const struct tcp_conf *conf,
				   struct tw_wheel *wheel,
				   const struct tcp_out_ops *out, void *out_arg,
				   struct rte_mempool *pool, uint64_t now_ms);
/* Free every connection (no segment sent, no callback) and the stack.
 * The wheel must still be valid (timers are deleted from it). */
void tcp_stack_free(struct tcp_stack *ts);

/* Whether the output finishes segments' checksums (conf.cksum_offer):
 * set once the ports say what they offload. */
void tcp_stack_cksum_offer(struct tcp_stack *ts, bool on);

/* (once a ms: the pool's free mbufs read, windows the worker's cap shut
 * reopened when it has room: tcp_api.c) */
void tcp_stack_tick(struct tcp_stack *ts);

static inline void
tcp_stack_set_time(struct tcp_stack *ts, uint64_t now_ms)
{
	if (now_ms > ts->now)
		ts->now = now_ms;
	if (__builtin_expect(ts->now != ts->tick_ms, 0))
		tcp_stack_tick(ts);
}

/* Register congestion control; returns its index or -ENOSPC. NewReno
 * and CUBIC are registered at creation (TCP_CC_NEWRENO, TCP_CC_CUBIC);
 * conf.cc picks the one new connections use. */
int tcp_cc_register(struct tcp_stack *ts, const struct tcp_cc_ops *ops);
extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/* Memory one connection costs with no data queued: the TCB and its share
 * of the connection table. */
size_t tcp_idle_conn_bytes(const struct tcp_stack *ts);
/* Bytes of the TCB that the fast path touches (its first cache lines). */
size_t tcp_tcb_hot_bytes(void);

/* ---- input (tcp_input.c) ---------------------------------------------------- */

/*
 * One received segment: the TCP header at l4_off in m, l4_len bytes of
 * header and payload (IP padding excluded); src/dst its IP addresses (4
 * or 16 bytes by family). cksum_ok: the NIC verified the checksum
 * (otherwise it is checked here). Consumes m (kept as received data or
 * freed), always.
 */
void tcp_input(struct tcp_stack *ts, struct rte_mbuf *m, uint8_t family,
	       const uint8_t *src, const uint8_t *dst, uint32_t l4_off,
	       uint32_t l4_len, bool cksum_ok);

/*
 * An ICMP error about a segment we sent (tcp_pmtu.c): type and code as
 * on the wire (ICMPv4 3/4 "fragmentation needed", ICMPv6 2 "packet too
 * big" are used, the others ignored), mtu the next-hop MTU it carries
 * (0: none), inner the quoted IP header and at least 8 bytes of the TCP
 * header after it (ilen bytes). A segment of a connection in flight
 * lowers its MSS (never below 536 / 1220) and what is in flight goes
 * again in that size; anything else is counted and ignored.
 */
void tcp_icmp_input(struct tcp_stack *ts, uint8_t family, uint8_t type, uint8_t code,
		    uint32_t mtu, const uint8_t *inner, size_t ilen);
/* The MSS remembered for the remote end raddr:rport (a lowered path MTU,
 * for conf.pmtu_expires), 0 when none. */
uint16_t tcp_pmtu_lookup(struct tcp_stack *ts, uint8_t family, const uint8_t *raddr,
			 uint16_t rport);

/* ---- the application interface (tcp_api.c) -------------------------------- */

/* Register an application's callbacks; returns its index or -ENOSPC. */
int tcp_app_register(struct tcp_stack *ts, const struct tcp_app_ops *ops);

/*
 * The connection table's uses (TURN's clients, RFC 6062's peers, the
 * AGW's legs, ...): app's connections count against use (1 ..
 * TCP_MAX_USES - 1; all start in use 0), and use keeps n slots that no
 * other use may take (a flood of one cannot starve another). The
 * reserves together must leave the table at least one slot. 0 or
 * -EINVAL (a bad app or use, reserves beyond the table).
 */
int tcp_app_set_use(struct tcp_stack *ts, int app, unsigned int use);
int tcp_use_reserve(struct tcp_stack *ts, unsigned int use, uint32_t n);
/* Slots use holds now (connections not in TIME_WAIT). */
uint32_t tcp_use_count(const struct tcp_stack *ts, unsigned int use);

/* Accept connections to port (host order) on any local address of the
 * family (0: both), for the application app; arg goes to its accept().
 * Returns 0, -EADDRINUSE, -ENOSPC or -EINVAL. */
int tcp_listen(struct tcp_stack *ts, uint8_t family, uint16_t port, int app,
	       void *arg);
/* The same for every port of [lo, hi] (one listener: the application
 * tells them apart by the connection's local port, and refuses in
 * accept() what it does not want). -EADDRINUSE when the range meets
 * another listener's. tcp_unlisten() takes lo. */
int tcp_listen_range(struct tcp_stack *ts, uint8_t family, uint16_t lo, uint16_t hi,
		     int app, void *arg);
int tcp_unlisten(struct tcp_stack *ts, uint8_t family, uint16_t port);

/*
 * Active open from laddr:lport to raddr:rport (the caller chose lport so
 * that replies reach this worker). Sends the SYN. Returns the id in *id,
 * 0; or -EADDRINUSE (that 4-tuple exists), -ENOBUFS (no slot), -EINVAL.
 * Then connected() once established, or closed(REFUSED, SYN_TIMEOUT, ...)
 * if it never is (never both, and nothing after the caller's own
 * tcp_close()/tcp_abort()).
 */
int tcp_connect(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
		uint16_t lport, const uint8_t *raddr, uint16_t rport, int app,
		void *arg, tcp_id_t *id);
/* The same with the connection's DSCP (tcp_conn_set_dscp()) from its SYN
 * on; -EINVAL for one over TCP_DSCP_MAX. */
int tcp_connect_dscp(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
		     uint16_t lport, const uint8_t *raddr, uint16_t rport, uint8_t dscp,
		     int app, void *arg, tcp_id_t *id);

/*
 * The DSCP (RFC 2474, 0..TCP_DSCP_MAX) of every segment connection id
 * sends from now on (its retransmissions included): the IP header's DS
 * field (IPv4 TOS, IPv6 traffic class) above its ECN bits, which stay as
 * they are. A connection starts with 0 (an accepted one's SYN-ACK went
 * before its application heard of it: 0). 0, -ENOTCONN, -EINVAL.
 */
#define TCP_DSCP_MAX 63u
int tcp_conn_set_dscp(struct tcp_stack *ts, tcp_id_t id, uint8_t dscp);

/*
 * Queue m (a chain; the payload is its data) to send. All or nothing:
 * returns its length and owns m, or -EAGAIN when the connection's send
 * queue is full (the caller keeps m; writable() follows when room
 * opens), -EPIPE after shutdown, -ENOTCONN for a stale id. Owning m
 * means its buffers too: a later small send may be copied into the
 * tailroom of the queue's last direct, unshared mbuf (so a buffer given
 * here comes back to its pool written past its data).
 */
int tcp_send(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf *m);

/* Room in the send queue, in bytes (0 when closed). Under half the
 * queue's size, writable() follows when half is free again. */
uint32_t tcp_send_space(struct tcp_stack *ts, tcp_id_t id);

/*
 * Take up to max bytes of in-order data: *out gets a chain (the caller
 * owns it; at least one byte), the return value is its length. 0: the
 * peer sent FIN and everything was read. -EAGAIN: nothing yet.
 * -ENOTCONN: stale id. Reading opens the receive window.
 */
int tcp_recv(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf **out,
	     uint32_t max);

/*
 * tcp_recv()'s rule for what one read takes, for any list of segments
 * (nb_segs 1 each, linked by next; dp/tls holds its opened records so):
 * whole segments from *list while they fit in max, at least the first,
 * at most UINT16_MAX. Returns them as a chain (pkt_len, nb_segs set),
 * its length in *len and segments in *nseg; *list is left at the rest.
 * *list must not be NULL.
 */
static inline struct rte_mbuf *
tcp_chain_take(struct rte_mbuf **list, uint32_t max, uint32_t *len, uint16_t *nseg)
{
	struct rte_mbuf *head = *list, *m = head, *last = NULL;
	uint32_t total = 0;
	uint16_t n = 0;

	while (m != NULL && n < UINT16_MAX && (total == 0 || total + m->data_len <= max)) {
		total += m->data_len;
		last = m;
		m = m->next;
		n++;
	}
	*list = m;
	last->next = NULL;
	head->pkt_len = total;
	head->nb_segs = n;
	*len = total;
	*nseg = n;
	return head;
}

/*
 * Give back bytes read from connection id that its application will not
 * take now (m: what tcp_recv() gave, or its tail, in order; owned by the
 * stack again): they are the first of its receive queue again, counted
 * as queued (its window, the stack's held bytes, its budget). RFC 6062:
 * data written behind a ConnectionBind waits there for cp's answer. 0,
 * -ENOTCONN, -EINVAL (m NULL).
 */
int tcp_unread(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf *m);

/* Send FIN after the queued data; receiving goes on (half-close). */
int tcp_shutdown(struct tcp_stack *ts, tcp_id_t id);
/* Shut down and detach: no more callbacks; unread or later data resets
 * the connection (RFC 9293 §3.10.4 with RFC 1122's reset on data after
 * close, as BSD and Linux do). */
int tcp_close(struct tcp_stack *ts, tcp_id_t id);
/* Send RST and free now. */
int tcp_abort(struct tcp_stack *ts, tcp_id_t id);

/*
 * Inside closed(NORMAL) only: keep id after the callback, for an
 * application that took the peer's last bytes but cannot say yet where
 * its stream ends (TLS whose last records are on an accelerator: the
 * splice would otherwise end the leg as reset). tcp_recv() gives what is
 * left, then 0; no callback comes again; the application ends it with
 * tcp_close() or tcp_abort() (no segment: its peer is done), and nothing
 * else does: it is neither recycled nor taken by a new SYN (its TIME_WAIT,
 * when it has one, still acknowledges a FIN again for 2 MSL), so its id
 * stays the application's. Bounded: at most conf.max_time_wait kept at
 * once, and each counts against its remote address (conf.max_per_source)
 * as an open connection does. 0; -ENOTCONN outside a closed(NORMAL)
 * callback; -ENOSPC past a bound (kept_refused).
 */
int tcp_keep_readable(struct tcp_stack *ts, tcp_id_t id);

/* Passive connections from addr now counted (conf.max_per_source: from
 * the handshake's end, SYN_RCVD is not counted; an IPv6 addr counts with
 * its conf.src_prefix6 prefix). */
uint32_t tcp_src_count(struct tcp_stack *ts, uint8_t family, const uint8_t *addr);

/* Hand connection id to application app (its callbacks get arg from now
 * on; RFC 6062's ConnectionBind moves a client's data connection from
 * TURN's framing to the relay's splice). 0, -ENOTCONN, -EINVAL. */
int tcp_conn_set_app(struct tcp_stack *ts, tcp_id_t id, int app, void *arg);

/*
 * Move an ESTABLISHED (or CLOSE_WAIT) connection to another worker's
 * stack (RFC 6062: a peer connection joins its data connection's worker).
 * export takes id out of ts without a segment or a callback: *out gets its
 * TCB, queued data included (the mbufs go with it); -ENOTCONN, or -EBUSY
 * when it is in another state or input or a timer is inside it. import puts such a TCB
 * into ts for app (arg its callbacks' argument), its timers armed again
 * on ts's wheel: 0 with *id, -EADDRINUSE (that 4-tuple is ts's already),
 * -ENOBUFS, -EINVAL. Segments for it must be brought to ts from now on.
 */
int tcp_conn_export(struct tcp_stack *ts, tcp_id_t id, struct tcp_conn *out);
int tcp_conn_import(struct tcp_stack *ts, const struct tcp_conn *in, int app, void *arg,
		    tcp_id_t *id);
/* An exported TCB that will not be imported: its queued mbufs freed. */
void tcp_conn_export_free(struct tcp_conn *c);

/* What connection id may hold unread, below the stack's rcv_buf and
 * rcv_max_segs: bytes, mbufs (0, 0: the stack's again, and a window
 * update goes out). Its window says so from the next segment on (what it
 * advertised already stays: RFC 9293 does not shrink a window). RFC 6062:
 * a peer connection before its bind holds little. 0 or -ENOTCONN. */
int tcp_conn_set_rcv_limit(struct tcp_stack *ts, tcp_id_t id, uint32_t bytes, uint16_t segs);

/*
 * Keepalive for connection id (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6),
 * instead of the stack's conf.keep_*: after idle_ms without a segment
 * from the peer, and nothing of ours unacknowledged or waiting (the
 * retransmission timer and conf.user_timeout watch those), a probe every
 * intvl_ms; cnt unanswered in a row end it with an RST
 * (closed(KEEPALIVE), ended_keepalive). idle_ms 0: none for id, whatever
 * the stack's. Before the connection is established it waits for it. 0,
 * -ENOTCONN, -EINVAL (intvl_ms or cnt 0, cnt over 255, a time over
 * 2^31 ms).
 */
int tcp_set_keepalive(struct tcp_stack *ts, tcp_id_t id, uint32_t idle_ms, uint32_t intvl_ms,
		      uint32_t cnt);

/* Put connection id under budget b (struct tcp_budget: what it holds
 * now counts there from now on), or under none (b NULL; what it held
 * leaves its old one, which may wake). The connection's end (or its
 * export) detaches it; the last member leaving calls b's wake too (with
 * b->nconns 0: the application may free b). 0 or -ENOTCONN. */
int tcp_conn_set_budget(struct tcp_stack *ts, tcp_id_t id, struct tcp_budget *b);
/* Every connection forgets its budget, nothing counted (an application
 * freeing its budgets before the stack, at the end). */
void tcp_stack_forget_budgets(struct tcp_stack *ts);
/* Send a window update on id if its window grew enough since it last
 * advertised one (after a budget's wake: its peer may wait on a closed
 * window). 0 or -ENOTCONN. */
int tcp_conn_window_update(struct tcp_stack *ts, tcp_id_t id);

/* State of a connection, or -ENOTCONN. */
int tcp_conn_state(struct tcp_stack *ts, tcp_id_t id);
/* The TCB behind id, or NULL if stale (for statistics and tests). */
struct tcp_conn *tcp_conn_get(struct tcp_stack *ts, tcp_id_t id);

#endif /* DP_TCP_H */
