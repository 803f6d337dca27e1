/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp application interface (RFC 9293 §3.10.1-3.10.6 user calls):
 * listen, connect, send, receive, shutdown (half-close), close, abort.
 * The application names connections by id; a stale id gets -ENOTCONN.
 * Data goes both ways as mbufs, by reference: tcp_send() takes the
 * caller's chain into the send queue, tcp_recv() hands over the mbufs the
 * data arrived in.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <rte_mbuf.h>

#include "tcp_private.h"

int
tcp_app_register(struct tcp_stack *ts, const struct tcp_app_ops *ops)
{
	if (ops == NULL || ops->accept == NULL)
		return -EINVAL;
	if (ts->napps >= TCP_MAX_APPS)
		return -ENOSPC;
	ts->apps[ts->napps] = ops;
	return (int)ts->napps++;
}

int
tcp_app_set_use(struct tcp_stack *ts, int app, unsigned int use)
{
	if (app < 0 || (unsigned int)app >= ts->napps || use >= TCP_MAX_USES)
		return -EINVAL;
	ts->app_use[app] = (uint8_t)use;
	return 0;
}

int
tcp_use_reserve(struct tcp_stack *ts, unsigned int use, uint32_t n)
{
	uint64_t sum = n;

	if (use == 0 || use >= TCP_MAX_USES)
		return -EINVAL;
	for (unsigned int u = 1; u < TCP_MAX_USES; u++)
		if (u != use)
			sum += ts->use_reserve[u];
	if (sum >= ts->conf.max_conns)
		return -EINVAL;
	ts->use_reserve[use] = n;
	return 0;
}

uint32_t
tcp_use_count(const struct tcp_stack *ts, unsigned int use)
{
	return use < TCP_MAX_USES ? ts->use_count[use] : 0;
}

int
tcp_listen_range(struct tcp_stack *ts, uint8_t family, uint16_t lo, uint16_t hi, int app,
		 void *arg)
{
	int free_i = -1;

	if (app < 0 || (unsigned int)app >= ts->napps || lo == 0 || lo > hi ||
	    (family != 0 && family != TCP_AF_IPV4 && family != TCP_AF_IPV6))
		return -EINVAL;
	for (int i = 0; i < TCP_MAX_LISTENERS; i++) {
		struct tcp_listener *l = &ts->listeners[i];

		if (!l->used) {
			if (free_i < 0)
				free_i = i;
			continue;
		}
		if (lo <= l->port_hi && hi >= l->port &&
		    (l->family == 0 || family == 0 || l->family == family))
			return -EADDRINUSE;
	}
	if (free_i < 0)
		return -ENOSPC;
	ts->listeners[free_i] = (struct tcp_listener){
		.used = true, .family = family, .app = (uint8_t)app, .port = lo,
		.port_hi = hi, .backlog = ts->conf.syn_backlog, .arg = arg,
	};
	return 0;
}

int
tcp_listen(struct tcp_stack *ts, uint8_t family, uint16_t port, int app, void *arg)
{
	return tcp_listen_range(ts, family, port, port, app, arg);
}

int
tcp_unlisten(struct tcp_stack *ts, uint8_t family, uint16_t port)
{
	for (int i = 0; i < TCP_MAX_LISTENERS; i++) {
		struct tcp_listener *l = &ts->listeners[i];

		if (l->used && l->port == port && l->family == family) {
			l->used = false;
			return 0;
		}
	}
	return -ENOENT;
}

int
tcp_connect(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
	    uint16_t lport, const uint8_t *raddr, uint16_t rport, int app,
	    void *arg, tcp_id_t *id)
{
	return tcp_connect_dscp(ts, family, laddr, lport, raddr, rport, 0, app, arg, id);
}

int
tcp_connect_dscp(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
		 uint16_t lport, const uint8_t *raddr, uint16_t rport, uint8_t dscp, int app,
		 void *arg, tcp_id_t *id)
{
	struct tcp_conn *c;

	if (app < 0 || (unsigned int)app >= ts->napps || lport == 0 || rport == 0 ||
	    (family != TCP_AF_IPV4 && family != TCP_AF_IPV6) || dscp > TCP_DSCP_MAX)
		return -EINVAL;
	if (!tcp_addr_unicast(family, raddr))
		return -EADDRNOTAVAIL;
	if (tcp_conn_lookup(ts, family, laddr, lport, raddr, rport) != NULL)
		return -EADDRINUSE;
	c = tcp_conn_alloc(ts, family, laddr, lport, raddr, rport, (uint8_t)app);
	if (c == NULL)
		return -ENOBUFS;
	ts->ctr[TCP_CTR_ACTIVE_OPEN]++;
	c->app = (uint8_t)app;
	c->app_arg = arg;
	c->ds = (uint8_t)(dscp << 2);
	tcp_pmtu_conn_mss(ts, c, UINT32_MAX, true);
	c->rcv_wscale = ts->conf.wscale ? tcp_choose_wscale(ts) : 0;
	c->ts_offset = (uint32_t)tcp_tuple_hash(ts->isn_key, c->raddr, c->rport,
						    c->laddr, c->lport);
	c->iss = tcp_isn(ts->isn_key, c->laddr, lport, c->raddr, rport, ts->now * 1000u);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->recover = c->iss;
	c->rto = ts->conf.rto_init;
	c->state = TCP_ST_SYN_SENT;
	/* The application has the id from now on: an open that fails (RST,
	 * SYN retries spent) ends with closed(why), as RFC 6062's Connect
	 * needs to answer its request. */
	c->flags |= TCP_CF_APP_KNOWS;
	/* The SYN's window is unscaled; later ones are (RFC 7323 §2.2). */
	if (tcp_xmit(ts, c, c->iss, 0, TCP_SYN) == 0)
		c->snd_nxt = c->iss + 1;
	else
		tcp_timer_set(ts, c, TCP_T_RXT, c->rto);
	*id = tcp_conn_id(ts, c);
	return 0;
}

static struct tcp_conn *
live(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = tcp_conn_get(ts, id);

	return c != NULL && c->state != TCP_ST_CLOSED ? c : NULL;
}

int
tcp_conn_set_dscp(struct tcp_stack *ts, tcp_id_t id, uint8_t dscp)
{
	struct tcp_conn *c = live(ts, id);

	if (c == NULL)
		return -ENOTCONN;
	if (dscp > TCP_DSCP_MAX)
		return -EINVAL;
	c->ds = (uint8_t)(dscp << 2 | (c->ds & 3u));
	return 0;
}

/* (a STUN answer is under 300 bytes, in a TLS record under 350) */
#define TCP_SND_ANSWER 512u

/* A small answer into an empty send queue goes past the worker's cap
 * while the pool keeps half its floor free: the floor is there for ACKs,
 * answers and received packets (dp_tcp.c), and an answer refused is a
 * request a TCP client never sees answered (TURN over TCP has no
 * retransmissions: without this, in test turn_tcp_stall under CPU load
 * a client's Allocate and ChannelBind answers are refused while a flood
 * of stalled frames holds the pool down, and it waits for them until
 * killed). One mbuf of at most TCP_SND_ANSWER bytes a connection
 * (bulk senders still wait for room), that the peer's window takes
 * now, and the pool's count taken down by two until the next tick reads
 * the pool again: what a burst of answers takes stays inside the floor. */
static inline bool
tcp_send_answer(struct tcp_stack *ts, const struct tcp_conn *c, const struct rte_mbuf *m)
{
	/* only where the peer's window takes it now: a peer that holds its
	 * window shut would keep the answer, and its mbuf, for as long as it
	 * answers our probes (an unacknowledged one ends with the connection
	 * when the retransmissions give up) */
	if (c->snd_queued != 0 || m->pkt_len > TCP_SND_ANSWER || m->nb_segs != 1 ||
	    c->snd_wnd < m->pkt_len)
		return false;
	if (ts->conf.pool_low != 0) {
		/* two mbufs: the answer and its segment's header */
		if (ts->pool_free <= ts->conf.pool_low / 2 + 2)
			return false;
		ts->pool_free -= 2;
	}
	ts->ctr[TCP_CTR_HELD_SEND_ANSWERED]++;
	return true;
}

/* Mbuf segments under this many bytes are copied into the send queue's
 * tail when it has room (tcp_send()). */
#define TCP_SND_COALESCE 512u

int
tcp_send(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf *m)
{
	struct tcp_conn *c = live(ts, id);
	uint32_t len, nseg;

	if (c == NULL)
		return -ENOTCONN;
	if (c->state == TCP_ST_LISTEN || c->state == TCP_ST_TIME_WAIT ||
	    (c->flags & (TCP_CF_FIN_QUEUED | TCP_CF_APP_GONE)))
		return -EPIPE;
	len = m->pkt_len;
	if (len > INT_MAX)
		return -EMSGSIZE;
	if (len > ts->conf.snd_buf - c->snd_queued) {
		c->flags |= TCP_CF_WANT_WRITE;
		return -EAGAIN;
	}
	if (len > tcp_held_room(ts) && !tcp_send_answer(ts, c, m)) {
		/* The worker's cap (conf.max_held): writable() follows when
		 * room opens, found by the timer if nothing else comes. */
		ts->ctr[TCP_CTR_HELD_SEND_REFUSED]++;
		c->flags |= TCP_CF_WANT_WRITE | TCP_CF_HELD_WAIT;
		tcp_timer_set(ts, c, TCP_T_KEEP, TCP_HELD_POLL_MS);
		return -EAGAIN;
	}
	if (len == 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	/* Each mbuf segment of m joins the queue; a small one (a peer's tiny
	 * segments, spliced here by reference) is copied into the tail's
	 * room instead when the tail is ours alone, and freed: a send queue
	 * of 1-byte mbufs would pin the pool as a receive queue would
	 * (tcp_input.c's collapsing). Appending after the tail's bytes moves
	 * nothing already queued (segments are copied out by sequence). */
	nseg = 0;
	while (m != NULL) {
		struct rte_mbuf *next = m->next, *t = c->snd_tail;
		uint16_t n = m->data_len;

		m->next = NULL;
		if (t != NULL && n < TCP_SND_COALESCE && RTE_MBUF_DIRECT(t) &&
		    rte_mbuf_refcnt_read(t) == 1 && rte_pktmbuf_tailroom(t) >= n) {
			memcpy(rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len),
			       rte_pktmbuf_mtod(m, const uint8_t *), n);
			t->data_len = (uint16_t)(t->data_len + n);
			rte_pktmbuf_free_seg(m);
		} else {
			if (t != NULL)
				t->next = m;
			else
				c->snd_head = m;
			c->snd_tail = m;
			nseg++;
		}
		m = next;
	}
	c->snd_queued += len;
	ts->held += len;
	c->cold.snd_segs += nseg;
	tcp_budget_add(ts, c, len, nseg);
	tcp_output(ts, c);
	return (int)len;
}

uint32_t
tcp_send_space(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = live(ts, id);

	uint32_t room;

	if (c == NULL || (c->flags & TCP_CF_FIN_QUEUED))
		return 0;
	room = ts->conf.snd_buf - c->snd_queued;
	if (room > tcp_held_room(ts))
		room = (uint32_t)tcp_held_room(ts);
	/* Under the writable() threshold: the caller will want to know
	 * when it is reached, as if a send had been refused. */
	if (room < ts->conf.snd_buf / 2)
		c->flags |= TCP_CF_WANT_WRITE;
	return room;
}

/* RFC 9293 §3.8.6.2.2: tell the peer when the window grew by
 * tcp_wnd_update_thresh(). A window the worker's cap keeps shut is
 * listed instead, for cap_reopen(). */
static void
window_update(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t old;

	if (!tcp_state_synced(c->state) || (c->flags & TCP_CF_FIN_RCVD))
		return;
	old = tcp_rcv_adv_wnd(c);
	if (tcp_rcv_window(ts, c) >= old + tcp_wnd_update_thresh(ts, c))
		tcp_send_ack(ts, c);
	else
		tcp_cap_check(ts, c, old);
}

/* Windows the worker's cap (conf.max_held) shut (tcp_cap_check() lists
 * them, oldest first): an application reading one connection frees room
 * that every other one's peer would learn of only from its zero-window
 * probes, whose backoff (RFC 9293 §3.8.6.1) grows to a minute. Once a ms
 * while any are listed (tcp_stack_tick(), never from input, a timer or a
 * callback), from the oldest: each whose window grew enough is sent
 * a window update (counted), while what those updates promised and has
 * not arrived (ts->cap_offered, forgotten TCP_CAP_OFFER_MS after the
 * last promise) is short of the room: not every peer at once, whose data
 * together would be the room many times over, dropped by the cap. At most
 * TCP_CAP_WALK_MAX a ms, each once. One the cap still shuts goes to the
 * back; one it no longer shuts leaves (its own buffer, or its
 * application's budget, reopen it as they do); no mbuf for the update:
 * back, and the walk ends. */
#define TCP_CAP_WALK_MAX 64u
#define TCP_CAP_OFFER_MS 200u

static void
cap_reopen(struct tcp_stack *ts)
{
	uint64_t room = tcp_held_room(ts);
	uint32_t last = ts->cap_tail;

	if (ts->cap_offered != 0 && ts->now - ts->cap_offered_ms >= TCP_CAP_OFFER_MS)
		ts->cap_offered = 0;
	for (unsigned int n = 0; n < TCP_CAP_WALK_MAX && ts->cap_head != 0; n++) {
		uint32_t s1 = ts->cap_head, old, wnd, thresh;
		struct tcp_conn *c = &ts->conns[s1 - 1];

		/* (536: RFC 9293's default MSS; less is not worth a segment) */
		if (ts->cap_offered + 536u > room)
			break;
		tcp_cap_shut_del(ts, c);
		if ((c->flags & (TCP_CF_DEAD | TCP_CF_FIN_RCVD | TCP_CF_APP_GONE)) ||
		    !tcp_state_synced(c->state))
			goto next;
		if (c->flags & TCP_CF_BUSY) {
			tcp_cap_shut_add(ts, c);
			goto next;
		}
		old = tcp_rcv_adv_wnd(c);
		thresh = tcp_wnd_update_thresh(ts, c);
		if (old >= thresh)
			goto next;                /* told since */
		wnd = tcp_rcv_window(ts, c);
		if (wnd < old + thresh) {
			if (tcp_cap_binds(ts, c))
				tcp_cap_shut_add(ts, c);
			goto next;
		}
		tcp_send_ack(ts, c);
		if (tcp_rcv_adv_wnd(c) < old + thresh) {
			tcp_cap_shut_add(ts, c);  /* not sent (no mbuf) */
			break;
		}
		ts->ctr[TCP_CTR_HELD_WINDOW_REOPENED]++;
		ts->cap_offered += wnd - old;
		ts->cap_offered_ms = ts->now;
next:
		if (s1 == last)
			break;
	}
}

void
tcp_stack_tick(struct tcp_stack *ts)
{
	ts->tick_ms = ts->now;
	if (ts->conf.pool_low != 0)
		ts->pool_free = rte_mempool_avail_count(ts->pool);
	if (ts->cap_head != 0)
		cap_reopen(ts);
}

int
tcp_recv(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf **out, uint32_t max)
{
	struct tcp_conn *c = tcp_conn_get(ts, id);
	struct rte_mbuf *head;
	uint32_t total = 0;
	uint16_t nseg = 0;

	/* A connection that ended normally (its peer's FIN came, and ours
	 * was acknowledged: LAST_ACK to CLOSED) is still readable inside its
	 * closed() callback: what the peer sent before its FIN, then 0. Its
	 * state is CLOSED there already, so live() would refuse it, and a
	 * splice shut on that leg lost the tail of the stream (reset instead
	 * of a duplex close: test_agw's role matrix, 7 in 120). */
	if (c == NULL || (c->state == TCP_ST_CLOSED && !(c->flags & TCP_CF_FIN_RCVD)))
		return -ENOTCONN;
	if (c->rcv_head == NULL)
		return (c->flags & TCP_CF_FIN_RCVD) ? 0 : -EAGAIN;
	if (max > INT_MAX)
		max = INT_MAX;
	/* Whole mbuf segments: at least the first, then while they fit. */
	head = tcp_chain_take(&c->rcv_head, max, &total, &nseg);
	if (c->rcv_head == NULL)
		c->rcv_tail = NULL;
	c->rcv_queued -= total;
	ts->held -= total;
	c->cold.rcv_segs = (uint16_t)(c->cold.rcv_segs - nseg);
	tcp_budget_sub(ts, c, total, nseg);
	*out = head;
	window_update(ts, c);
	return (int)total;
}

int
tcp_unread(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf *m)
{
	struct tcp_conn *c = tcp_conn_get(ts, id);
	struct rte_mbuf *t;
	uint32_t total = 0;
	uint16_t nseg = 0;

	if (m == NULL)
		return -EINVAL;
	if (c == NULL || c->state == TCP_ST_CLOSED)
		return -ENOTCONN;
	/* (the queue holds single segments linked by next) */
	for (t = m;; t = t->next) {
		t->pkt_len = t->data_len;
		t->nb_segs = 1;
		total += t->data_len;
		nseg++;
		if (t->next == NULL)
			break;
	}
	t->next = c->rcv_head;
	c->rcv_head = m;
	if (c->rcv_tail == NULL)
		c->rcv_tail = t;
	c->rcv_queued += total;
	ts->held += total;
	c->cold.rcv_segs = (uint16_t)(c->cold.rcv_segs + nseg);
	tcp_budget_add(ts, c, total, nseg);
	return 0;
}

int
tcp_shutdown(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = live(ts, id);

	if (c == NULL)
		return -ENOTCONN;
	switch (c->state) {
	case TCP_ST_SYN_SENT:
	case TCP_ST_SYN_RCVD:
		/* Nothing was said yet: the attempt just ends. */
		c->flags |= TCP_CF_APP_GONE;
		tcp_conn_end(ts, c, TCP_REASON_LOCAL_CLOSE);
		return 0;
	case TCP_ST_ESTABLISHED:
		c->state = TCP_ST_FIN_WAIT_1;
		break;
	case TCP_ST_CLOSE_WAIT:
		c->state = TCP_ST_LAST_ACK;
		break;
	default:
		return 0;                /* already shut */
	}
	c->flags |= TCP_CF_FIN_QUEUED;
	tcp_output(ts, c);
	return 0;
}

/* A connection kept readable after closed() (tcp_keep_readable()): its
 * application's close or abort ends it (no segment: its peer is done). */
static struct tcp_conn *
kept(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = tcp_conn_get(ts, id);

	return c != NULL && (c->flags & (TCP_CF_KEPT | TCP_CF_DEAD)) == TCP_CF_KEPT ? c : NULL;
}

int
tcp_close(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = kept(ts, id);

	if (c != NULL) {
		tcp_conn_kept_end(ts, c);
		return 0;
	}
	c = live(ts, id);
	if (c == NULL)
		return -ENOTCONN;
	c->flags |= TCP_CF_APP_GONE;
	if (c->rcv_queued > 0 && tcp_state_synced(c->state)) {
		/* RFC 2525 §2.17: closing with unread data resets. */
		tcp_send_rst(ts, c);
		tcp_conn_end(ts, c, TCP_REASON_LOCAL_CLOSE);
		return 0;
	}
	switch (c->state) {
	case TCP_ST_SYN_SENT:
	case TCP_ST_SYN_RCVD:
		tcp_conn_end(ts, c, TCP_REASON_LOCAL_CLOSE);
		return 0;
	case TCP_ST_FIN_WAIT_2:
		tcp_timer_set(ts, c, TCP_T_KEEP, ts->conf.fin_wait2);
		return 0;
	default:
		break;
	}
	/* an orphan stalled already ends by orphan_timeout, not a backoff
	 * later */
	tcp_rxt_clamp(ts, c);
	/* Flags say the app left; tcp_shutdown() checks only the state. */
	return tcp_shutdown(ts, id);
}

int
tcp_abort(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = kept(ts, id);

	if (c != NULL) {
		tcp_conn_kept_end(ts, c);
		return 0;
	}
	c = live(ts, id);
	if (c == NULL)
		return -ENOTCONN;
	c->flags |= TCP_CF_APP_GONE;
	if (c->state != TCP_ST_SYN_SENT && c->state != TCP_ST_TIME_WAIT)
		tcp_send_rst(ts, c);
	tcp_conn_end(ts, c, TCP_REASON_LOCAL_ABORT);
	return 0;
}

int
tcp_keep_readable(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = tcp_conn_get(ts, id);

	if (c == NULL || (c->flags & TCP_CF_DEAD) || !(c->flags & TCP_CF_KEEP_OK))
		return -ENOTCONN;
	if (c->flags & TCP_CF_KEPT)
		return 0;
	/* Bounded as TIME_WAIT is (a kept one is off its FIFO), and counted
	 * against its remote address again (TIME_WAIT gave it back): kept,
	 * it holds a slot as an open connection does. */
	if (ts->ctr[TCP_CTR_KEPT_READABLE] - ts->ctr[TCP_CTR_KEPT_ENDED] >=
	    ts->conf.max_time_wait) {
		ts->ctr[TCP_CTR_KEPT_REFUSED]++;
		return -ENOSPC;
	}
	if (ts->src != NULL && !(c->flags & TCP_CF_SRC_COUNTED) && !tcp_src_take(ts, c)) {
		ts->ctr[TCP_CTR_KEPT_REFUSED]++;
		return -ENOSPC;
	}
	c->flags |= TCP_CF_KEPT;
	ts->ctr[TCP_CTR_KEPT_READABLE]++;
	return 0;
}

int
tcp_conn_set_rcv_limit(struct tcp_stack *ts, tcp_id_t id, uint32_t bytes, uint16_t segs)
{
	struct tcp_conn *c = live(ts, id);

	if (c == NULL)
		return -ENOTCONN;
	c->cold.rcv_lim = bytes;
	c->cold.rcv_seg_lim = segs;
	/* the window opens: say so (a peer waiting on a closed window
	 * would only probe) */
	if (bytes == 0 && segs == 0 && tcp_state_synced(c->state) &&
	    !(c->flags & TCP_CF_FIN_RCVD))
		tcp_send_ack(ts, c);
	return 0;
}

int
tcp_set_keepalive(struct tcp_stack *ts, tcp_id_t id, uint32_t idle_ms, uint32_t intvl_ms,
		  uint32_t cnt)
{
	struct tcp_conn *c = live(ts, id);
	uint32_t due;

	if (c == NULL)
		return -ENOTCONN;
	if (idle_ms != 0 && (intvl_ms == 0 || cnt == 0 || cnt > UINT8_MAX ||
			     idle_ms > INT32_MAX || intvl_ms > INT32_MAX))
		return -EINVAL;
	c->flags |= TCP_CF_KEEP_OWN;
	c->cold.keep_idle = idle_ms;
	c->cold.keep_intvl = intvl_ms;
	c->cold.keep_cnt = (uint8_t)cnt;
	c->cold.keep_probes = 0;
	/* The KEEP deadline is the FIN_WAIT_2 limit, TIME_WAIT's, or a
	 * send's wait for the worker's cap too: only an earlier one moves
	 * it; keep_timeout() finds what is due. Not synchronised yet:
	 * established() arms it. */
	if (idle_ms == 0 || !tcp_state_synced(c->state) || c->state == TCP_ST_TIME_WAIT ||
	    (c->state == TCP_ST_FIN_WAIT_2 && (c->flags & TCP_CF_APP_GONE)))
		return 0;
	due = tcp_now32(ts) + idle_ms;
	if (!tcp_timer_armed(c, TCP_T_KEEP) || tcp_seq_gt(c->t_due[TCP_T_KEEP], due))
		tcp_timer_set(ts, c, TCP_T_KEEP, idle_ms);
	return 0;
}

void
tcp_budget_wake(struct tcp_budget *b)
{
	b->limited = 0;
	if (b->wake != NULL)
		b->wake(b);
}

int
tcp_conn_set_budget(struct tcp_stack *ts, tcp_id_t id, struct tcp_budget *b)
{
	struct tcp_conn *c = tcp_conn_get(ts, id);
	uint32_t bytes, segs;

	if (c == NULL)
		return -ENOTCONN;
	if (c->cold.budget == b)
		return 0;
	bytes = c->snd_queued + c->rcv_queued + c->cold.ooo_bytes;
	segs = c->cold.snd_segs + c->cold.rcv_segs + c->cold.ooo_segs;
	tcp_budget_leave(ts, c);
	c->cold.budget = b;
	if (b != NULL) {
		b->nconns++;
		tcp_budget_add(ts, c, bytes, segs);
	}
	return 0;
}

int
tcp_conn_window_update(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = live(ts, id);

	if (c == NULL)
		return -ENOTCONN;
	if (!(c->flags & TCP_CF_BUSY))
		window_update(ts, c);
	return 0;
}

int
tcp_conn_set_app(struct tcp_stack *ts, tcp_id_t id, int app, void *arg)
{
	struct tcp_conn *c = live(ts, id);

	if (c == NULL || (c->flags & TCP_CF_APP_GONE))
		return -ENOTCONN;
	if (app < 0 || (unsigned int)app >= ts->napps)
		return -EINVAL;
	c->app = (uint8_t)app;
	c->app_arg = arg;
	return 0;
}

int
tcp_conn_state(struct tcp_stack *ts, tcp_id_t id)
{
	struct tcp_conn *c = tcp_conn_get(ts, id);

	return c == NULL ? -ENOTCONN : c->state;
}
