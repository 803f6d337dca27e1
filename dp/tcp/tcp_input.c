/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp input: RFC 9293 §3.10.7 "SEGMENT ARRIVES", state by state, with
 * RFC 5961 (challenge ACKs for in-window RST and SYN, ACK acceptability),
 * RFC 7323 (window scaling, timestamps, PAWS), RFC 6191 (a SYN reusing a
 * TIME_WAIT connection whose timestamps show it is new), RFC 1337 (RST
 * ignored in TIME_WAIT), RFC 5681 / RFC 6582 (duplicate ACKs, fast
 * retransmit, NewReno recovery), RFC 6298 (RTT samples, Karn).
 *
 * Received payload stays in the mbuf it came in: the headers are cut off
 * by moving data_off, the segment goes onto the connection's in-order
 * queue or its out-of-order list (sorted, each mbuf segment tagged with
 * its sequence number in hash.usr, overlaps trimmed: data already held
 * wins). The application reads the in-order queue with tcp_recv().
 *
 * Callbacks to the application run after the segment is processed; the
 * connection is marked busy meanwhile so that a callback closing it
 * cannot free it under our feet.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "tcp_private.h"

/* ---- mbuf chains ---------------------------------------------------------- */

static void
chain_free(struct rte_mbuf *m)
{
	while (m != NULL) {
		struct rte_mbuf *n = m->next;

		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		m = n;
	}
}

/* Drop the first n bytes of a chain; returns the new head. */
static struct rte_mbuf *
chain_trim_front(struct rte_mbuf *m, uint32_t n)
{
	while (m != NULL && n >= m->data_len) {
		struct rte_mbuf *next = m->next;

		n -= m->data_len;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	if (m != NULL && n > 0) {
		m->data_off = (uint16_t)(m->data_off + n);
		m->data_len = (uint16_t)(m->data_len - n);
	}
	return m;
}

/* Keep the first keep bytes of a chain; returns the head (NULL if 0). */
static struct rte_mbuf *
chain_trim_to(struct rte_mbuf *m, uint32_t keep)
{
	struct rte_mbuf *head = m;

	if (keep == 0) {
		chain_free(m);
		return NULL;
	}
	while (m != NULL && keep > m->data_len) {
		keep -= m->data_len;
		m = m->next;
	}
	if (m != NULL) {
		m->data_len = (uint16_t)keep;
		chain_free(m->next);
		m->next = NULL;
	}
	return head;
}

static void
rcv_append(struct tcp_stack *ts, struct tcp_conn *c, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *last = m;
	uint16_t n = 1;

	while (last->next != NULL) {
		last = last->next;
		n++;
	}
	if (c->rcv_tail != NULL)
		c->rcv_tail->next = m;
	else
		c->rcv_head = m;
	c->rcv_tail = last;
	c->rcv_queued += len;
	ts->held += len;
	c->cold.rcv_segs = (uint16_t)(c->cold.rcv_segs + n);
	tcp_budget_add(ts, c, len, n);
}

/*
 * Collapsing (as Linux's tcp_collapse() does for the same reason): a
 * peer sending tiny segments to an application that does not read would
 * hold an mbuf a byte (up to rcv_max_segs a connection, many connections
 * a pool). Once the in-order queue holds TCP_COLLAPSE_MIN_SEGS mbufs or
 * more with fewer than TCP_COLLAPSE_SMALL bytes an mbuf on average, runs
 * of small segments (two or more, each under TCP_COLLAPSE_SMALL bytes)
 * are copied into full mbufs from the stack's pool and the originals
 * freed. At most TCP_COLLAPSE_MAX mbufs are looked at a call (the work a
 * segment causes is bounded; what is left goes at the next one). An
 * empty pool stops it: nothing is lost, the queue stays as it was.
 * The out-of-order list is not collapsed (ooo_max_segs bounds it).
 */
#define TCP_COLLAPSE_SMALL    512u
#define TCP_COLLAPSE_MIN_SEGS 16u
#define TCP_COLLAPSE_MAX      256u

static inline bool
collapse_wanted(const struct tcp_conn *c)
{
	return c->cold.rcv_segs >= TCP_COLLAPSE_MIN_SEGS &&
	       (uint64_t)c->cold.rcv_segs * TCP_COLLAPSE_SMALL > c->rcv_queued;
}

static void
rcv_collapse(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct rte_mbuf **pp = &c->rcv_head, *m, *dst = NULL, *last = NULL;
	unsigned int seen = 0;
	uint32_t freed = 0, added = 0;

	while ((m = *pp) != NULL && seen++ < TCP_COLLAPSE_MAX) {
		uint16_t len = m->data_len;

		if (len >= TCP_COLLAPSE_SMALL) {
			dst = NULL;                  /* a full one: kept */
			last = m;
			pp = &m->next;
			continue;
		}
		if (dst == NULL || rte_pktmbuf_tailroom(dst) < len) {
			struct rte_mbuf *n;

			/* a run starts only with a small one after it */
			if (m->next == NULL || m->next->data_len >= TCP_COLLAPSE_SMALL) {
				dst = NULL;
				last = m;
				pp = &m->next;
				continue;
			}
			n = rte_pktmbuf_alloc(ts->pool);
			if (n == NULL) {
				ts->ctr[TCP_CTR_NO_MBUF]++;
				break;
			}
			if (rte_pktmbuf_tailroom(n) < len) {
				rte_pktmbuf_free(n);
				break;
			}
			n->next = m;
			*pp = n;
			dst = last = n;
			pp = &n->next;
			added++;
		}
		memcpy(rte_pktmbuf_mtod_offset(dst, uint8_t *, dst->data_len),
		       rte_pktmbuf_mtod(m, const uint8_t *), len);
		dst->data_len = (uint16_t)(dst->data_len + len);
		dst->pkt_len += len;
		*pp = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		freed++;
	}
	if (*pp == NULL)
		c->rcv_tail = last;
	if (freed <= added)
		return;                          /* (a run cut short by the bound) */
	ts->ctr[TCP_CTR_COLLAPSES]++;
	ts->ctr[TCP_CTR_COLLAPSED_MBUFS] += freed - added;
	c->cold.rcv_segs = (uint16_t)(c->cold.rcv_segs - (freed - added));
	tcp_budget_sub(ts, c, 0, freed - added);
}

#define OOO_SEQ(m) ((m)->hash.usr)

/*
 * The work a segment may cause in the out-of-order list (up to
 * conf.ooo_max_segs entries, 256) is bounded: what lands past the last
 * entry (the usual case: the data after a hole) is appended at
 * cold.ooo_tail without a walk; anything else looks for its place among
 * at most TCP_OOO_WALK_MAX entries, else it is dropped (counted; the
 * sender's retransmission comes back when the holes before it are
 * filled). The walk starts at the head, or at cold.ooo_hint (where the
 * last such insert went, as Linux's ooo_last_skb) when the segment lies
 * at or past it: a sender that SACKs fills the holes lowest first (RFC
 * 6675 NextSeg()), so each repair lands a few entries past the one
 * before, however deep in the list; a peer sending anything else gets
 * no more than the bound's work a segment.
 */
#define TCP_OOO_WALK_MAX 64u

/* The mbuf whose ->next pp is (NULL: pp is the list's head). */
static inline struct rte_mbuf *
ooo_prev_of(struct tcp_conn *c, struct rte_mbuf **pp)
{
	return pp == &c->ooo_head ? NULL :
	       (struct rte_mbuf *)(void *)((char *)pp - offsetof(struct rte_mbuf, next));
}

/* RFC 2883: [left, right) of the segment being processed was had
 * already; the ACK it causes reports it first. A second duplicate range
 * of the same segment extends the first when they touch (it rarely has
 * two: one in front of RCV.NXT and one held; the first is kept). */
static void
dsack_note(struct tcp_stack *ts, struct tcp_conn *c, uint32_t left, uint32_t right)
{
	struct tcp_sack_block *d = &ts->dsack;

	if (!(c->flags & TCP_CF_SACK) || left == right)
		return;
	if (ts->dsack_conn != c || d->left == d->right) {
		ts->dsack_conn = c;
		d->left = left;
		d->right = right;
		return;
	}
	if (tcp_seq_leq(left, d->right) && tcp_seq_geq(right, d->left)) {
		if (tcp_seq_lt(left, d->left))
			d->left = left;
		if (tcp_seq_gt(right, d->right))
			d->right = right;
	}
}

/* The walk's view of the entry before the insertion point: the left
 * edge of its contiguous run and its end. */
struct ooo_run {
	uint32_t left, end;
	bool any;
};

static inline void
ooo_run_pass(struct ooo_run *r, const struct rte_mbuf *m)
{
	if (!r->any || OOO_SEQ(m) != r->end)
		r->left = OOO_SEQ(m);
	r->end = OOO_SEQ(m) + m->data_len;
	r->any = true;
}

/* Insert one mbuf segment [seq, seq + data_len) into the sorted
 * out-of-order list, trimming it against what is held. */
static void
ooo_insert_one(struct tcp_stack *ts, struct tcp_conn *c, struct rte_mbuf *m,
	       uint32_t seq)
{
	struct rte_mbuf **pp = &c->ooo_head, *cur, *tail = c->cold.ooo_tail;
	struct rte_mbuf *hint = c->cold.ooo_hint;
	struct ooo_run run = { 0, 0, false };
	uint32_t len = m->data_len, left;
	unsigned int walked = 0;
	bool at_tail = false;

	if (c->ooo_head != NULL && tail != NULL &&
	    tcp_seq_geq(seq, OOO_SEQ(tail) + tail->data_len)) {
		pp = &tail->next;                /* past every entry */
		cur = NULL;
		at_tail = true;
		run.left = c->cold.ooo_tail_left;
		run.end = OOO_SEQ(tail) + tail->data_len;
		run.any = true;
	} else {
		cur = c->ooo_head;
		if (c->ooo_head != NULL && hint != NULL &&
		    tcp_seq_geq(seq, OOO_SEQ(hint))) {
			/* From the hint: pp is unknown until the walk passes
			 * it, which it does (its seq is not above seq: the
			 * walk goes on, or the trim below takes it). */
			ts->ctr[TCP_CTR_OOO_HINT_INSERTS]++;
			cur = hint;
			pp = NULL;
			run.left = c->cold.ooo_hint_left;
			run.end = OOO_SEQ(hint);
			run.any = true;
		}
		while (cur != NULL && tcp_seq_leq(OOO_SEQ(cur) + cur->data_len, seq)) {
			if (++walked > TCP_OOO_WALK_MAX) {
				ts->ctr[TCP_CTR_OOO_WALK_DROP]++;
				rte_pktmbuf_free_seg(m);
				return;
			}
			ooo_run_pass(&run, cur);
			pp = &cur->next;
			cur = *pp;
		}
	}
	if (cur != NULL && tcp_seq_leq(OOO_SEQ(cur), seq)) {
		uint32_t cend = OOO_SEQ(cur) + cur->data_len;

		if (tcp_seq_geq(cend, seq + len)) {
			ts->ctr[TCP_CTR_DUP_DATA] += len;
			dsack_note(ts, c, seq, seq + len);
			rte_pktmbuf_free_seg(m);
			return;
		}
		ts->ctr[TCP_CTR_DUP_DATA] += cend - seq;
		dsack_note(ts, c, seq, cend);
		m->data_off = (uint16_t)(m->data_off + (cend - seq));
		m->data_len = (uint16_t)(m->data_len - (cend - seq));
		len -= cend - seq;
		seq = cend;
		ooo_run_pass(&run, cur);
		pp = &cur->next;
	}
	while ((cur = *pp) != NULL && tcp_seq_lt(OOO_SEQ(cur), seq + len)) {
		uint32_t cend = OOO_SEQ(cur) + cur->data_len;

		if (tcp_seq_leq(cend, seq + len)) {
			/* Wholly inside the new one: the new one replaces it. */
			dsack_note(ts, c, OOO_SEQ(cur), cend);
			*pp = cur->next;
			if (c->cold.ooo_tail == cur)
				c->cold.ooo_tail = ooo_prev_of(c, pp);
			if (c->cold.ooo_hint == cur)
				c->cold.ooo_hint = NULL;
			cur->next = NULL;
			c->cold.ooo_bytes -= cur->data_len;
			ts->held -= cur->data_len;
			c->cold.ooo_segs--;
			tcp_budget_sub(ts, c, cur->data_len, 1);
			rte_pktmbuf_free_seg(cur);
			continue;
		}
		ts->ctr[TCP_CTR_DUP_DATA] += seq + len - OOO_SEQ(cur);
		dsack_note(ts, c, OOO_SEQ(cur), seq + len);
		len = OOO_SEQ(cur) - seq;
		m->data_len = (uint16_t)len;
		break;
	}
	if (len == 0) {
		/* Held already, across two or more segments. */
		rte_pktmbuf_free_seg(m);
		return;
	}
	if (c->cold.ooo_segs >= ts->conf.ooo_max_segs) {
		ts->ctr[TCP_CTR_OOO_DROP]++;
		rte_pktmbuf_free_seg(m);
		return;
	}
	OOO_SEQ(m) = seq;
	m->next = *pp;
	*pp = m;
	/* the left edge of m's run now: its own, or its predecessor's run's */
	left = run.any && run.end == seq ? run.left : seq;
	if (m->next == NULL) {
		c->cold.ooo_tail = m;
		c->cold.ooo_tail_left = left;
	} else if (seq + len == OOO_SEQ(m->next) &&
		   tcp_seq_geq(OOO_SEQ(m->next), c->cold.ooo_tail_left)) {
		c->cold.ooo_tail_left = left;    /* m joined the tail's run */
	}
	if (!at_tail) {
		c->cold.ooo_hint = m;
		c->cold.ooo_hint_left = left;
	}
	c->cold.sack_last = seq;
	c->cold.ooo_bytes += len;
	ts->held += len;
	c->cold.ooo_segs++;
	tcp_budget_add(ts, c, len, 1);
}

static void
ooo_insert(struct tcp_stack *ts, struct tcp_conn *c, struct rte_mbuf *m,
	   uint32_t seq)
{
	while (m != NULL) {
		struct rte_mbuf *n = m->next;
		uint32_t len = m->data_len;

		m->next = NULL;
		if (len == 0)
			rte_pktmbuf_free_seg(m);
		else
			ooo_insert_one(ts, c, m, seq);
		seq += len;
		m = n;
	}
}

/* Move what the out-of-order list now continues onto the in-order
 * queue. Returns true if anything moved. */
static bool
ooo_pull(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct rte_mbuf *m;
	bool moved = false;

	while ((m = c->ooo_head) != NULL && tcp_seq_leq(OOO_SEQ(m), c->rcv_nxt)) {
		uint32_t seq = OOO_SEQ(m), len = m->data_len;

		c->ooo_head = m->next;
		if (c->ooo_head == NULL) {
			c->cold.ooo_tail = NULL;
			/* (blocks an ACK sent long ago, once the sequence
			 * space has wrapped, would look held again) */
			memset(c->cold.sack_rep, 0, sizeof(c->cold.sack_rep));
		}
		if (c->cold.ooo_hint == m)
			c->cold.ooo_hint = NULL;
		m->next = NULL;
		c->cold.ooo_bytes -= len;
		ts->held -= len;
		c->cold.ooo_segs--;
		tcp_budget_sub(ts, c, len, 1);
		if (tcp_seq_leq(seq + len, c->rcv_nxt)) {
			/* what the segment that got here carried again */
			ts->ctr[TCP_CTR_DUP_DATA] += len;
			dsack_note(ts, c, seq, seq + len);
			rte_pktmbuf_free_seg(m);
			continue;
		}
		if (seq != c->rcv_nxt) {
			uint32_t cut = c->rcv_nxt - seq;

			dsack_note(ts, c, seq, c->rcv_nxt);

			m->data_off = (uint16_t)(m->data_off + cut);
			m->data_len = (uint16_t)(m->data_len - cut);
			len -= cut;
		}
		rcv_append(ts, c, m, len);
		c->rcv_nxt += len;
		moved = true;
	}
	return moved;
}

/* ---- helpers ----------------------------------------------------------------- */

uint8_t
tcp_choose_wscale(const struct tcp_stack *ts)
{
	uint8_t s = 0;

	while (s < TCP_MAX_WSCALE && (ts->conf.rcv_buf >> s) > 65535)
		s++;
	return s;
}

static int
listener_find(const struct tcp_stack *ts, uint8_t family, uint16_t port)
{
	for (int i = 0; i < TCP_MAX_LISTENERS; i++) {
		const struct tcp_listener *l = &ts->listeners[i];

		if (l->used && port >= l->port && port <= l->port_hi &&
		    (l->family == 0 || l->family == family))
			return i;
	}
	return -1;
}

/* RFC 5681 §3.1: the initial window. */
static void
cwnd_init(struct tcp_stack *ts, struct tcp_conn *c)
{
	c->cwnd = tcp_initial_window(ts, c);
	c->ssthresh = 0x3fffffffu;
	c->cold.snd_last = tcp_now32(ts);
	ts->cc[c->cc]->init(ts, c);
}

/* Options of a SYN we answer or a SYN-ACK we get (RFC 7323 §1.3, §2.2;
 * RFC 9293 §3.7.1: 536 without MSS on IPv4, 1220 on IPv6). For a
 * SYN-ACK, only what we offered counts. */
static void
syn_options(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg)
{
	bool v6 = (c->flags & TCP_CF_V6) != 0;
	uint32_t peer = (seg->opts & TCP_OPT_F_MSS) ? seg->mss : (v6 ? 1220u : 536u);

	if (peer < 64)
		peer = 64;
	c->cold.peer_mss = peer;
	tcp_pmtu_conn_mss(ts, c, peer, c->state != TCP_ST_SYN_SENT);
	if ((seg->opts & TCP_OPT_F_WS) && ts->conf.wscale) {
		c->flags |= TCP_CF_WS;
		c->snd_wscale = seg->wscale;
		c->rcv_wscale = tcp_choose_wscale(ts);
	} else {
		c->flags &= ~TCP_CF_WS;
		c->snd_wscale = c->rcv_wscale = 0;
	}
	if ((seg->opts & TCP_OPT_F_TS) && ts->conf.timestamps) {
		c->flags |= TCP_CF_TS;
		c->ts_recent = seg->tsval;
		c->ts_recent_age = tcp_now32(ts);
	} else {
		c->flags &= ~TCP_CF_TS;
	}
	if ((seg->opts & TCP_OPT_F_SACKOK) && ts->conf.sack)
		c->flags |= TCP_CF_SACK;
	else
		c->flags &= ~TCP_CF_SACK;
}

/* The largest payload the peer may send us: what we announced, less
 * the timestamp option. */
static uint32_t
rcv_mss_max(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return (uint32_t)((c->flags & TCP_CF_V6) ? ts->conf.mss6 : ts->conf.mss4) -
	       ((c->flags & TCP_CF_TS) ? TCP_OPT_TS_LEN : 0);
}

static void
established(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t rmss = rcv_mss_max(ts, c);

	c->state = TCP_ST_ESTABLISHED;
	ts->ctr[TCP_CTR_ESTABLISHED]++;
	cwnd_init(ts, c);
	c->cold.rcv_mss = (uint16_t)(tcp_smss(c) < rmss ? tcp_smss(c) : rmss);
	c->cold.rcv_lss = 0;
	c->last_rcv = tcp_now32(ts);
	if (tcp_keep_idle(ts, c) != 0)
		tcp_timer_set(ts, c, TCP_T_KEEP, tcp_keep_idle(ts, c));
	/* (a SYN-ACK the cap shut: listed now that it is synchronised) */
	tcp_cap_check(ts, c, tcp_rcv_adv_wnd(c));
}

/* Tell the application about a new connection. Returns false if the
 * connection is gone (refused). */
static bool
app_open(struct tcp_stack *ts, struct tcp_conn *c)
{
	const struct tcp_app_ops *ops = ts->apps[c->app];
	tcp_id_t id = tcp_conn_id(ts, c);

	if (c->flags & TCP_CF_PASSIVE) {
		struct tcp_listener *l = &ts->listeners[c->listener];

		c->flags |= TCP_CF_APP_KNOWS;
		if (ops->accept(ts, id, l->arg, &c->app_arg) < 0) {
			c->flags |= TCP_CF_APP_GONE;
			ts->ctr[TCP_CTR_ACCEPT_REFUSED]++;
			tcp_send_rst(ts, c);
			tcp_conn_end(ts, c, TCP_REASON_ACCEPT_REFUSED);
			return false;
		}
	} else {
		c->flags |= TCP_CF_APP_KNOWS;
		if (ops->connected != NULL)
			ops->connected(ts, id, c->app_arg);
	}
	return !(c->flags & TCP_CF_DEAD);
}

/* The peer's FIN is next in sequence: consume it (RFC 9293 §3.10.7.4
 * eighth step). */
static void
fin_consume(struct tcp_stack *ts, struct tcp_conn *c)
{
	c->rcv_nxt++;
	c->flags = (c->flags | TCP_CF_FIN_RCVD | TCP_CF_ACK_NOW | TCP_CF_READABLE) &
		   ~TCP_CF_FIN_OOO;
	switch (c->state) {
	case TCP_ST_SYN_RCVD:
	case TCP_ST_ESTABLISHED:
		c->state = TCP_ST_CLOSE_WAIT;
		break;
	case TCP_ST_FIN_WAIT_1:
		/* Our FIN not yet acked (else we'd be in FIN_WAIT_2). */
		c->state = TCP_ST_CLOSING;
		break;
	case TCP_ST_FIN_WAIT_2:
		tcp_tw_enter(ts, c);
		break;
	default:
		break;
	}
}

/* The application is done with a connection that is not freed yet
 * (TIME_WAIT): tell it now. */
static void
app_done(struct tcp_stack *ts, struct tcp_conn *c, enum tcp_reason why)
{
	const struct tcp_app_ops *ops = ts->apps[c->app];

	if ((c->flags & (TCP_CF_APP_KNOWS | TCP_CF_APP_GONE)) != TCP_CF_APP_KNOWS)
		return;
	c->flags |= TCP_CF_APP_GONE;
	if (ops->closed != NULL) {
		c->flags |= TCP_CF_KEEP_OK;
		ops->closed(ts, tcp_conn_id(ts, c), c->app_arg, why);
		c->flags &= ~TCP_CF_KEEP_OK;
	}
	if ((c->flags & (TCP_CF_KEPT | TCP_CF_DEAD)) == TCP_CF_KEPT)
		tcp_conn_keep(ts, c);
}

static void
enter_time_wait(struct tcp_stack *ts, struct tcp_conn *c)
{
	tcp_tw_enter(ts, c);
	app_done(ts, c, TCP_REASON_NORMAL);
}

/* ---- passive open ------------------------------------------------------------ */

static void
passive_open(struct tcp_stack *ts, int li, uint8_t family, const uint8_t *laddr,
	     const uint8_t *raddr, const struct tcp_seg *seg)
{
	struct tcp_listener *l = &ts->listeners[li];
	struct tcp_conn *c;

	if (l->nsyn >= l->backlog) {
		ts->ctr[TCP_CTR_SYN_QUEUE_FULL]++;
		if (ts->conf.syn_cookies)
			tcp_syncookie_send(ts, family, laddr, raddr, seg);
		return;
	}
	/* RFC 4987 §3.6: cookies too when the pool is short, so that
	 * half-open connections (spoofed ones cost nothing to send) never
	 * take the last slots: those go to handshakes that completed
	 * (a good cookie's ACK, tcp_syncookie_check()). */
	if (ts->conf.syn_cookies && tcp_conn_pool_short(ts, l->app)) {
		ts->ctr[TCP_CTR_SYNCOOKIE_POOL]++;
		tcp_syncookie_send(ts, family, laddr, raddr, seg);
		return;
	}
	/* Not counted against its source (conf.max_per_source) yet: a SYN
	 * proves nothing about its source address; 256 forged ones would
	 * lock out the real clients behind it (a CGNAT's address). The
	 * source is counted when the handshake completes (ack_input()). */
	c = tcp_conn_alloc(ts, family, laddr, seg->dport, raddr, seg->sport, l->app);
	if (c == NULL)
		return;
	ts->ctr[TCP_CTR_PASSIVE_OPEN]++;
	c->flags |= TCP_CF_PASSIVE | TCP_CF_SYN_QUEUED;
	c->listener = (uint8_t)li;
	c->app = l->app;
	l->nsyn++;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	syn_options(ts, c, seg);
	c->ts_offset = (uint32_t)tcp_tuple_hash(ts->isn_key, c->raddr, c->rport,
						    c->laddr, c->lport);
	c->snd_wnd = seg->wnd;                   /* never scaled in a SYN */
	c->cold.max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->iss = tcp_isn(ts->isn_key, c->laddr, c->lport, c->raddr, c->rport,
			 ts->now * 1000u);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->recover = c->iss;
	c->rto = ts->conf.rto_init;
	c->state = TCP_ST_SYN_RCVD;
	/* Data on the SYN is not kept (no TCP Fast Open): the peer sends
	 * it again once we acknowledge only the SYN. */
	if (tcp_xmit(ts, c, c->iss, 0, TCP_SYN | TCP_ACK) == 0)
		c->snd_nxt = c->iss + 1;
	else
		tcp_timer_set(ts, c, TCP_T_RXT, c->rto);
}

/* RFC 7323 §4.1: an RTT sample from TSecr, an echo of a TSval of ours.
 * One ahead of our clock (forged, or the peer's bug) or older than
 * TCP_RTT_SAMPLE_MAX cannot be an echo of ours on a live connection:
 * ignored (counted), not fed to SRTT, which it would overflow. */
#define TCP_RTT_SAMPLE_MAX (5u * 60u * 1000u)

static void
rtt_from_tsecr(struct tcp_stack *ts, struct tcp_conn *c, uint32_t tsecr)
{
	uint32_t r = tcp_now32(ts) + c->ts_offset - tsecr;

	if (r > TCP_RTT_SAMPLE_MAX) {        /* (ahead of us: r wrapped) */
		ts->ctr[TCP_CTR_RTT_BAD]++;
		return;
	}
	tcp_rtt_sample(ts, c, r);
}

/* ---- SYN_SENT (RFC 9293 §3.10.7.3) ----------------------------------------- */

static void
syn_sent_input(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg,
	       uint8_t family)
{
	bool ack_ok = false;

	if (seg->flags & TCP_ACK) {
		if (tcp_seq_leq(seg->ack, c->iss) || tcp_seq_gt(seg->ack, c->snd_max)) {
			if (!(seg->flags & TCP_RST))
				tcp_send_rst_reply(ts, family, c->laddr, c->raddr, seg);
			return;
		}
		ack_ok = true;
	}
	if (seg->flags & TCP_RST) {
		/* RFC 5961 §3.2: in SYN-SENT a RST counts only if it
		 * acknowledges our SYN. */
		ts->ctr[TCP_CTR_RST_IN]++;
		if (ack_ok)
			tcp_conn_end(ts, c, TCP_REASON_REFUSED);
		else
			ts->ctr[TCP_CTR_RST_IGNORED]++;
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	syn_options(ts, c, seg);
	c->snd_wnd = seg->wnd;
	c->cold.max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	if (ack_ok) {
		/* Our SYN acked: RTT from it unless it was sent again. */
		if ((c->flags & TCP_CF_TS) && seg->tsecr != 0 && c->rxtshift == 0)
			rtt_from_tsecr(ts, c, seg->tsecr);
		else if ((c->flags & TCP_CF_RTT_TIMING) && c->rxtshift == 0)
			tcp_rtt_sample(ts, c, tcp_now32(ts) - c->cold.rtt_start);
		c->flags &= ~TCP_CF_RTT_TIMING;
		c->snd_una = seg->ack;
		c->rxtshift = 0;
		tcp_timer_clear(c, TCP_T_RXT);
		established(ts, c);
		c->flags |= TCP_CF_ACK_NOW;
		if (!app_open(ts, c))
			return;
		tcp_rxt_restart(ts, c);
		return;
	}
	/* Simultaneous open: SYN_RCVD, SYN-ACK with our ISS. */
	c->state = TCP_ST_SYN_RCVD;
	tcp_xmit(ts, c, c->iss, 0, TCP_SYN | TCP_ACK);
}

/* ---- synchronized states and SYN_RCVD (RFC 9293 §3.10.7.4) ----------------- */

/*
 * First check: is the segment acceptable? RFC 9293's test, with the
 * window's right edge itself acceptable, as Linux's tcp_sequence() and
 * FreeBSD's trimming take it: a peer that filled our window while a hole
 * holds RCV.NXT back sends its pure ACKs from SND.NXT, exactly
 * RCV.NXT + RCV.WND. Refused, every ACK it sends for our data while it
 * waits for us to take the hole's repair is lost, and our sending stalls
 * into RTOs (measured: most of 1,918 segments dropped as out of window in
 * one 10 MB echo at 3% loss each way, perf/RESULTS.md T22). A segment
 * with text there loses it to the window's trim; its ACK is taken.
 */
static bool
seq_acceptable(const struct tcp_conn *c, uint32_t seq, uint32_t seglen)
{
	uint32_t wnd = tcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

	if (wnd == 0)
		return seglen == 0 && seq == c->rcv_nxt;
	return tcp_seq_in(seq, c->rcv_nxt, c->rcv_nxt + wnd + 1) ||
	       (seglen > 0 && tcp_seq_in(seq + seglen - 1, c->rcv_nxt, c->rcv_nxt + wnd));
}

/*
 * A RST in TIME_WAIT is ignored (RFC 1337: one answering an old
 * duplicate would end TIME_WAIT early), with one exception, Linux's
 * behaviour: a client reusing the tuple with a SYN we could not take as
 * new (RFC 6191: its timestamp not newer, as behind a CGNAT whose
 * clients' clocks differ) got our ACK (RFC 9293 §3.10.7.4); its SYN_SENT
 * answers that with <SEQ=our ACK's ack><CTL=RST> (§3.10.7.3), and that
 * RST ends TIME_WAIT so that the client's next SYN opens, instead of
 * waiting 2 MSL. Taken only when all hold: we answered such a SYN within
 * TCP_TW_RST_MS, the RST has no ACK bit (a SYN_SENT's reset has none),
 * and its sequence is exactly our RCV.NXT (what that ACK carried). Any
 * other RST is still ignored.
 */
#define TCP_TW_RST_MS 3000u

static bool
tw_rst_ok(const struct tcp_stack *ts, const struct tcp_conn *c, const struct tcp_seg *seg)
{
	return c->cold.tw_syn_ms != 0 && (tcp_now32(ts) | 1u) - c->cold.tw_syn_ms <= TCP_TW_RST_MS &&
	       !(seg->flags & TCP_ACK) && seg->seq == c->rcv_nxt &&
	       !(c->flags & TCP_CF_KEPT);
}

static void
rst_input(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg)
{
	ts->ctr[TCP_CTR_RST_IN]++;
	if (c->state == TCP_ST_TIME_WAIT) {
		if (tw_rst_ok(ts, c, seg)) {
			ts->ctr[TCP_CTR_TW_RST]++;
			tcp_conn_end(ts, c, TCP_REASON_NORMAL);
			return;
		}
		ts->ctr[TCP_CTR_RST_IGNORED]++;  /* RFC 1337 */
		return;
	}
	if (seg->seq != c->rcv_nxt) {
		/* RFC 5961 §3.2: in window but not exact: challenge. */
		tcp_send_challenge_ack(ts, c, false);
		return;
	}
	if (c->state == TCP_ST_SYN_RCVD && (c->flags & TCP_CF_PASSIVE)) {
		/* Back to LISTEN: this TCB simply goes. */
		tcp_conn_end(ts, c, TCP_REASON_RESET);
		return;
	}
	tcp_conn_end(ts, c, c->state == TCP_ST_SYN_RCVD ? TCP_REASON_REFUSED :
		     TCP_REASON_RESET);
}

/* Acknowledged send-queue bytes leave (their mbufs are freed). */
static void
snd_drop(struct tcp_stack *ts, struct tcp_conn *c, uint32_t n)
{
	uint32_t bytes = n, segs = 0;

	c->snd_queued -= n;
	ts->held -= n;
	n += c->snd_head_off;
	while (c->snd_head != NULL && n >= c->snd_head->data_len) {
		struct rte_mbuf *m = c->snd_head;

		n -= m->data_len;
		c->snd_head = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		segs++;
	}
	if (c->snd_head == NULL)
		c->snd_tail = NULL;
	c->snd_head_off = n;
	c->cold.snd_segs -= segs;
	tcp_budget_sub(ts, c, bytes, segs);
}

/* Fast retransmit / partial-ACK retransmission of the first segment. */
static void
rexmit_first(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t data_end = c->snd_una + c->snd_queued;
	uint32_t len = tcp_seq_lt(c->snd_una, data_end) ? data_end - c->snd_una : 0;
	uint8_t flags = TCP_ACK;

	if (len > tcp_smss(c))
		len = tcp_smss(c);
	if ((c->flags & TCP_CF_FIN_QUEUED) && c->snd_una + len == data_end &&
	    tcp_seq_gt(c->snd_max, data_end))
		flags |= TCP_FIN;
	tcp_xmit(ts, c, c->snd_una, len, flags);
}

/* RFC 6675: the first unSACKed segment from SND.UNA (to the first SACKed
 * range, at most SMSS), sent again. */
static void
sack_rexmit_first(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t data_end = c->snd_una + c->snd_queued;
	uint32_t end = c->cold.sb_n > 0 ? c->cold.sb[0].left : data_end;
	uint32_t len = tcp_seq_gt(end, c->snd_una) ? end - c->snd_una : 0;

	if (tcp_seq_gt(c->snd_una + len, data_end))
		len = tcp_seq_gt(data_end, c->snd_una) ? data_end - c->snd_una : 0;
	if (len > tcp_smss(c))
		len = tcp_smss(c);
	tcp_sack_rexmit(ts, c, c->snd_una, len);
}

/* RFC 6675 §5 step (4): recovery by pipe; the fast retransmit (4.3)
 * goes from prr_ack(), which sets cwnd for this ACK first. */
static void
sack_enter_recovery(struct tcp_stack *ts, struct tcp_conn *c)
{
	ts->ctr[TCP_CTR_FAST_RETRANS]++;
	ts->ctr[TCP_CTR_RECOVERY]++;
	ts->ctr[TCP_CTR_SACK_RECOVERY]++;
	c->ssthresh = ts->cc[c->cc]->ssthresh(ts, c);      /* (4.2) */
	c->recover = c->snd_max;                           /* (4.1) RecoveryPoint */
	c->flags |= TCP_CF_RECOVERY | TCP_CF_SACK_RECOV;
	c->cold.high_rxt = c->snd_una;
	/* RFC 6937: prr_delivered = prr_out = 0, RecoverFS = FlightSize */
	c->cold.prr_delivered = 0;
	c->cold.prr_out = 0;
	c->cold.prr_recover_fs = c->snd_max - c->snd_una;
}

/* What the scoreboard holds, in bytes (at most TCP_SACK_SB ranges). */
static uint32_t
sacked_bytes(const struct tcp_conn *c)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < c->cold.sb_n; i++)
		n += c->cold.sb[i].right - c->cold.sb[i].left;
	return n;
}

/*
 * RFC 6937 Proportional Rate Reduction, on every ACK of a SACK recovery
 * (the one that began it too): cwnd = pipe + sndcnt, so that what
 * tcp_output() sends (RFC 6675 (C): while cwnd - pipe >= SMSS) is
 * - while pipe > ssthresh, in proportion to what the peer received,
 *   ssthresh / RecoverFS of it: the window comes down to ssthresh
 *   spread over the recovery's round trip, not by a silence of half an
 *   RTT followed by one segment per ACK (cwnd = ssthresh at once);
 * - once pipe <= ssthresh (more was lost), back up towards ssthresh no
 *   faster than slow start (SSRB: what was delivered and not yet sent
 *   again, or this ACK's delivery, plus one SMSS) or, with
 *   conf.prr_crb, than packet conservation (CRB): not the burst of
 *   cwnd - pipe segments at once that cwnd = ssthresh allowed.
 * entered: this ACK began the recovery; the fast retransmit (RFC 6675
 * (4.3)) goes now, within sndcnt, or as its one segment if sndcnt is
 * less (as Linux: the hole must go, whatever the proportion says).
 */
static void
prr_ack(struct tcp_stack *ts, struct tcp_conn *c, int64_t delivered, bool entered)
{
	struct tcp_conn_cold *k = &c->cold;
	uint32_t pipe = tcp_sack_pipe(c), smss = tcp_smss(c);
	int64_t sndcnt;

	if (delivered > 0)
		k->prr_delivered += (uint32_t)delivered;
	if (pipe > c->ssthresh) {
		uint64_t fs = k->prr_recover_fs != 0 ? k->prr_recover_fs : 1;

		sndcnt = (int64_t)(((uint64_t)k->prr_delivered * c->ssthresh + fs - 1) / fs) -
			 (int64_t)k->prr_out;
	} else {
		int64_t limit = (int64_t)k->prr_delivered - (int64_t)k->prr_out;

		if (!ts->conf.prr_crb)
			limit = (limit > delivered ? limit : delivered) + smss;
		sndcnt = (int64_t)(c->ssthresh - pipe);
		if (limit < sndcnt)
			sndcnt = limit;
	}
	if (sndcnt < 0)
		sndcnt = 0;
	if (entered && sndcnt < smss)
		sndcnt = smss;
	c->cwnd = pipe + (uint32_t)sndcnt;
	if (entered)
		sack_rexmit_first(ts, c);                  /* (4.3) */
}

/*
 * RFC 5682 F-RTO, the ACKs after a first RTO that sent only the first
 * segment again (tcp_timer.c). advanced: this ACK moved SND.UNA.
 * - First ACK (step 2): it acknowledges new data and not all of it,
 *   and there is data never sent: two new segments go (cwnd = FlightSize
 *   + 2 SMSS); else conventional recovery (go-back-N from after the
 *   segment sent again).
 * - Second ACK (step 3): it acknowledges new data: the timeout was
 *   spurious (what was acknowledged had not been sent again): cwnd and
 *   ssthresh from before the RTO come back, as Linux's undo does (the
 *   response is the sender's choice, RFC 5682 §4); a duplicate ACK:
 *   the loss was real, cwnd at most 3 SMSS and go-back-N.
 */
static void
frto_ack(struct tcp_stack *ts, struct tcp_conn *c, bool advanced)
{
	uint32_t data_end = c->snd_una + c->snd_queued, smss = tcp_smss(c);
	bool second = (c->flags & TCP_CF_FRTO2) != 0;

	c->flags &= ~(TCP_CF_FRTO1 | TCP_CF_FRTO2);
	if (advanced && !second && tcp_seq_lt(c->snd_una, c->snd_max) &&
	    tcp_seq_lt(c->snd_max, data_end) && tcp_seq_geq(c->snd_nxt, c->snd_max)) {
		c->flags |= TCP_CF_FRTO2;
		c->cwnd = c->snd_max - c->snd_una + 2 * smss;
		return;
	}
	if (advanced && second) {
		ts->ctr[TCP_CTR_FRTO_SPURIOUS]++;
		if (c->cwnd < c->cold.prr_delivered)
			c->cwnd = c->cold.prr_delivered;
		if (c->ssthresh < c->cold.prr_out)
			c->ssthresh = c->cold.prr_out;
		/* no RTO recovery after all: a loss among what is in flight
		 * may start a fast recovery (RFC 6582's guard undone) */
		c->recover = c->snd_una - 1;
		return;
	}
	if (second && c->cwnd > 3 * smss)
		c->cwnd = 3 * smss;
	c->snd_nxt = tcp_seq_gt(c->cold.high_rxt, c->snd_una) &&
		     tcp_seq_leq(c->cold.high_rxt, c->snd_max) ? c->cold.high_rxt : c->snd_una;
}

/* Window update (RFC 9293 §3.10.7.4 fifth step); wnd: SEG.WND scaled. */
static inline void
snd_wnd_update(struct tcp_conn *c, const struct tcp_seg *seg, uint32_t wnd)
{
	uint32_t ack = seg->ack;

	if (tcp_seq_lt(c->snd_wl1, seg->seq) ||
	    (c->snd_wl1 == seg->seq && tcp_seq_leq(c->snd_wl2, ack))) {
		bool opened = c->snd_wnd == 0 && wnd != 0;

		c->snd_wnd = wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = ack;
		if (wnd > c->cold.max_snd_wnd)
			c->cold.max_snd_wnd = wnd;
		if (opened)
			c->flags &= ~TCP_CF_STALL;
		if (opened && c->snd_una == c->snd_max) {
			c->rxtshift = 0;         /* persist over */
			tcp_timer_clear(c, TCP_T_RXT);
		}
	}
}

/* Fifth step: the ACK field. Returns false when processing stops. */
static bool
ack_input(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t ack = seg->ack;
	uint32_t wnd = (uint32_t)seg->wnd << c->snd_wscale;
	uint32_t sacked = 0, sb_before = 0, una_before;
	bool advanced = false, entered = false;
	int64_t delivered = 0;

	if (c->state == TCP_ST_SYN_RCVD) {
		if (!tcp_seq_gt(ack, c->snd_una) || tcp_seq_gt(ack, c->snd_max)) {
			tcp_send_rst_reply(ts, (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4,
					   c->laddr, c->raddr, seg);
			return false;
		}
		if (c->flags & TCP_CF_SYN_QUEUED) {
			ts->listeners[c->listener].nsyn--;
			c->flags &= ~TCP_CF_SYN_QUEUED;
		}
		/* The source answered our SYN-ACK (it is real): now it counts
		 * against conf.max_per_source; at its limit, refused. */
		if ((c->flags & TCP_CF_PASSIVE) && !(c->flags & TCP_CF_SRC_COUNTED) &&
		    !tcp_src_take(ts, c)) {
			tcp_send_rst_reply(ts, (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4,
					   c->laddr, c->raddr, seg);
			tcp_conn_end(ts, c, TCP_REASON_SOURCE_LIMIT);
			return false;
		}
		if ((c->flags & TCP_CF_TS) && seg->tsecr != 0 && c->rxtshift == 0)
			rtt_from_tsecr(ts, c, seg->tsecr);
		else if ((c->flags & TCP_CF_RTT_TIMING) && c->rxtshift == 0)
			tcp_rtt_sample(ts, c, tcp_now32(ts) - c->cold.rtt_start);
		c->flags &= ~TCP_CF_RTT_TIMING;
		c->snd_una = c->iss + 1;
		c->rxtshift = 0;
		c->snd_wnd = wnd;
		c->cold.max_snd_wnd = wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = ack;
		tcp_timer_clear(c, TCP_T_RXT);
		established(ts, c);
		if (!app_open(ts, c))
			return false;
	}

	/* RFC 5961 §5.2: SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT. */
	if (tcp_seq_gt(ack, c->snd_max)) {
		ts->ctr[TCP_CTR_ACK_TOO_NEW]++;
		tcp_send_oow_ack(ts, c, seg->len > 0);
		return false;
	}
	if (tcp_seq_lt(ack, c->snd_una - c->cold.max_snd_wnd)) {
		ts->ctr[TCP_CTR_ACK_TOO_OLD]++;
		tcp_send_challenge_ack(ts, c, seg->len > 0);
		return false;
	}

	/* RFC 7323 §4.3: TS.Recent from a segment covering Last.ACK.sent,
	 * only now that it is acceptable and its ACK valid (the RFC's
	 * order; Linux's since 2013, in tcp_ack() after the same checks, so
	 * that what this ACK makes us send echoes it): a forged segment
	 * near RCV.NXT whose ACK is not good cannot set a TS.Recent that
	 * makes the peer's own segments fail PAWS. seg->seq is where the
	 * segment began, before any trimming. */
	if ((c->flags & TCP_CF_TS) && (seg->opts & TCP_OPT_F_TS) &&
	    tcp_seq_leq(seg->seq, c->last_ack_sent) && tcp_seq_geq(seg->tsval, c->ts_recent)) {
		c->ts_recent = seg->tsval;
		c->ts_recent_age = tcp_now32(ts);
	}
	/* RFC 8985 (tcp_rack.c): what this ACK delivers, while it is queued. */
	tcp_rack_ack(ts, c, seg);

	una_before = c->snd_una;
	/* RFC 6675 §5: the scoreboard takes every ACK's SACK blocks.
	 * RFC 6937 DeliveredData: the change in SND.UNA and in what the
	 * scoreboard holds. */
	if (c->flags & TCP_CF_SACK)
		sb_before = sacked_bytes(c);
	if ((c->flags & TCP_CF_SACK) && (seg->opts & TCP_OPT_F_SACK))
		sacked = tcp_sack_update(ts, c, seg);

	if (tcp_seq_gt(ack, c->snd_una)) {
		uint32_t acked = ack - c->snd_una;
		uint32_t data_end = c->snd_una + c->snd_queued;
		bool fin_acked = (c->flags & TCP_CF_FIN_QUEUED) && tcp_seq_gt(ack, data_end);
		uint32_t data_acked = fin_acked ? acked - 1 : acked;

		/* RTT: RFC 7323 §4.1 from TSecr, else the timed segment. */
		if ((c->flags & TCP_CF_TS) && (seg->opts & TCP_OPT_F_TS) && seg->tsecr != 0)
			rtt_from_tsecr(ts, c, seg->tsecr);
		else if ((c->flags & TCP_CF_RTT_TIMING) && tcp_seq_gt(ack, c->cold.rtt_seq)) {
			tcp_rtt_sample(ts, c, tcp_now32(ts) - c->cold.rtt_start);
			c->flags &= ~TCP_CF_RTT_TIMING;
		}
		snd_drop(ts, c, data_acked);
		c->snd_una = ack;
		if (tcp_seq_lt(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		/* (the backoff ends with a valid RTT sample: tcp_rtt_sample()) */
		c->flags &= ~TCP_CF_STALL;       /* progress: the user timeout starts again */
		advanced = true;
		if (c->cold.sb_n > 0)
			tcp_sack_trim(c);
		tcp_pmtu_acked(ts, c);
		if (c->flags & (TCP_CF_FRTO1 | TCP_CF_FRTO2))
			frto_ack(ts, c, true);

		if (c->flags & TCP_CF_RECOVERY) {
			if (tcp_seq_geq(ack, c->recover)) {
				/* RFC 6582 §3.2 step 6, RFC 6675 §5 (A): full
				 * acknowledgment. */
				c->flags &= ~(TCP_CF_RECOVERY | TCP_CF_SACK_RECOV);
				ts->cc[c->cc]->recovered(ts, c);
			} else if (c->flags & TCP_CF_SACK_RECOV) {
				/* RFC 6675 §5 (B), (C): no deflation; what
				 * goes now is pipe's business (tcp_output()).
				 * A peer that stopped sending blocks gets the
				 * next segment as NewReno would send it. */
				ts->ctr[TCP_CTR_PARTIAL_ACK]++;
				if (c->cold.sb_n == 0 && tcp_seq_geq(c->snd_una, c->cold.high_rxt))
					sack_rexmit_first(ts, c);
			} else {
				/* Step 5: partial ACK: the next hole goes now;
				 * deflate by what was acked, add back one SMSS. */
				ts->ctr[TCP_CTR_PARTIAL_ACK]++;
				rexmit_first(ts, c);
				c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
				if (acked >= tcp_smss(c))
					c->cwnd += tcp_smss(c);
				if (c->cwnd < tcp_smss(c))
					c->cwnd = tcp_smss(c);
			}
		} else if ((c->flags & TCP_CF_CWND_LIM) ||
			   2 * (uint64_t)(c->snd_max - una_before) >= c->cwnd) {
			/* RFC 7661 §4.3: cwnd grows only while it is used:
			 * new data waited for it in this window (as Linux's
			 * is_cwnd_limited), or what was in flight when this
			 * ACK came is at least half of it (its pipeACK test).
			 * An application-limited flow does not stay in slow
			 * start, its cwnd growing with every ACK, and then
			 * send a backlog at line rate; a bursty one (a
			 * splice forwarding what another leg's burst
			 * brought) grows by the whole window it used, not by
			 * the ACKs of its first half only (measured: the
			 * AGW's plain bulk at 0.84 of d2db5b6's goodput with
			 * the second test alone, perf/RESULTS.md T22). */
			ts->cc[c->cc]->cong_avoid(ts, c, acked);
		}
		if ((c->flags & TCP_CF_CWND_LIM) && tcp_seq_geq(c->snd_una, c->cold.cwnd_usage_seq))
			c->flags &= ~TCP_CF_CWND_LIM;
		/* RFC 6582's `recover` trails SND.UNA by one outside recovery
		 * (what "SEG.ACK > recover" asks is then unchanged): left at
		 * the ISS or an old recovery's end, 2 GiB later the modular
		 * comparison would say it is ahead, and fast recovery would
		 * not start again on this connection. */
		if (!(c->flags & TCP_CF_RECOVERY) && tcp_seq_gt(c->snd_una - 1, c->recover))
			c->recover = c->snd_una - 1;
		c->dupacks = 0;
		tcp_rxt_restart(ts, c);

		if (fin_acked) {
			switch (c->state) {
			case TCP_ST_FIN_WAIT_1:
				c->state = TCP_ST_FIN_WAIT_2;
				if (c->flags & TCP_CF_APP_GONE)
					tcp_timer_set(ts, c, TCP_T_KEEP, ts->conf.fin_wait2);
				break;
			case TCP_ST_CLOSING:
				enter_time_wait(ts, c);
				break;
			case TCP_ST_LAST_ACK:
				tcp_conn_end(ts, c, TCP_REASON_NORMAL);
				return false;
			default:
				break;
			}
		}
	} else if (!(c->flags & TCP_CF_SACK) && ack == c->snd_una && seg->len == 0 &&
		   !(seg->flags & (TCP_SYN | TCP_FIN)) && c->snd_max != c->snd_una &&
		   wnd == c->snd_wnd) {
		/* RFC 5681 §2 duplicate ACK. */
		ts->ctr[TCP_CTR_DUP_ACK_IN]++;
		if (c->flags & TCP_CF_RECOVERY) {
			c->cwnd += tcp_smss(c);  /* RFC 6582 §3.2 step 4 */
		} else if (++c->dupacks == 3 && tcp_seq_gt(ack, c->recover) &&
			   !tcp_pmtu_probe_lost(ts, c)) {
			/* RFC 6582 §3.2 steps 2-3. */
			ts->ctr[TCP_CTR_FAST_RETRANS]++;
			ts->ctr[TCP_CTR_RECOVERY]++;
			c->ssthresh = ts->cc[c->cc]->ssthresh(ts, c);
			c->recover = c->snd_max;
			c->flags |= TCP_CF_RECOVERY;
			rexmit_first(ts, c);
			c->cwnd = c->ssthresh + 3u * tcp_smss(c);
		}
	}

	if ((c->flags & (TCP_CF_FRTO1 | TCP_CF_FRTO2)) && !advanced && ack == c->snd_una &&
	    seg->len == 0 && !(seg->flags & (TCP_SYN | TCP_FIN)) && c->snd_max != c->snd_una)
		frto_ack(ts, c, false);               /* a duplicate ACK */

	/* RFC 6675 §5: a duplicate ACK (one that SACKs new data counts even
	 * when it also moves SND.UNA), loss recovery on the third or when
	 * IsLost(HighACK + 1). After an RTO, not before SND.UNA passes the
	 * data sent before it (RFC 6582 §3.2 step 2's guard). */
	if ((c->flags & TCP_CF_SACK) && c->snd_max != c->snd_una &&
	    (sacked > 0 || (!advanced && ack == c->snd_una && seg->len == 0 &&
			    !(seg->flags & (TCP_SYN | TCP_FIN)) && wnd == c->snd_wnd))) {
		ts->ctr[TCP_CTR_DUP_ACK_IN]++;
		if (!(c->flags & TCP_CF_RECOVERY)) {
			if (c->dupacks < 255)
				c->dupacks++;
			if ((c->dupacks >= 3 || tcp_sack_is_lost(c, c->snd_una)) &&
			    tcp_seq_geq(c->snd_una, c->recover) && !tcp_pmtu_probe_lost(ts, c)) {
				sack_enter_recovery(ts, c);
				entered = true;
			}
		}
	}
	/* RFC 8985 §6.2 (tcp_rack.c): a loss RACK marks by time enters the
	 * same recovery, under the same guards, and PRR paces it as any. */
	if (tcp_rack_detect(ts, c) && !(c->flags & TCP_CF_RECOVERY) &&
	    tcp_seq_geq(c->snd_una, c->recover) && !tcp_pmtu_probe_lost(ts, c)) {
		sack_enter_recovery(ts, c);
		entered = true;
	}
	if (c->flags & TCP_CF_SACK)
		delivered = (int64_t)(c->snd_una - una_before) +
			    (int64_t)sacked_bytes(c) - (int64_t)sb_before;
	else
		delivered = (int64_t)(c->snd_una - una_before);
	if (delivered > 0) {
		ts->ack_delivered = (uint32_t)delivered;
		ts->ack_conn = c;
	}
	if (c->flags & TCP_CF_SACK_RECOV)
		prr_ack(ts, c, delivered, entered);


	snd_wnd_update(c, seg, wnd);
	return true;
}

/*
 * The peer's segment size, for "every second full-sized segment" (RFC
 * 9293 §3.8.6.3, RFC 5681 §4.2): a peer whose segments are smaller than
 * our SMSS (its MTU, its own MSS setting, a clamp on its side) would
 * otherwise get every ACK only after the delay. As Linux's
 * tcp_measure_rcv_mss(): a larger segment raises the estimate at once; a
 * smaller one lowers it when two in a row have the same size and either
 * are at least 536 bytes or come without PSH (not the tail of a write),
 * so that small messages are not mistaken for full segments.
 */
static void
rcv_mss_measure(const struct tcp_stack *ts, struct tcp_conn *c, uint32_t len,
		uint8_t flags)
{
	uint32_t max = rcv_mss_max(ts, c);

	if (len >= c->cold.rcv_mss) {
		c->cold.rcv_mss = (uint16_t)(len < max ? len : max);
		return;
	}
	if (len >= 536 || (len >= 88 && !(flags & TCP_PSH))) {
		if (len == c->cold.rcv_lss)
			c->cold.rcv_mss = (uint16_t)len;
		c->cold.rcv_lss = (uint16_t)len;
	}
}

/* Seventh step: segment text. m is the payload (seg->len bytes from
 * seq, already trimmed to the window; flags the segment's). Consumes m. */
static void
data_input(struct tcp_stack *ts, struct tcp_conn *c, struct rte_mbuf *m,
	   uint32_t seq, uint32_t len, uint8_t flags)
{
	if (len > tcp_held_room(ts)) {
		/* The worker holds its cap (conf.max_held) over all its
		 * connections: the window said less (tcp_rcv_window()),
		 * what an older, larger one let in is dropped; the peer
		 * sends it again. */
		ts->ctr[TCP_CTR_HELD_DROP]++;
		chain_free(m);
		c->flags |= TCP_CF_ACK_NOW;
		return;
	}
	if (c->cold.budget != NULL && len > tcp_budget_hard_room(c)) {
		/* The application's budget over this connection's group
		 * (struct tcp_budget) is spent twice over (its windows offer
		 * shares of one budget: a peer beyond it did not heed them):
		 * the same; tiny segments queued here are collapsed first. */
		if (collapse_wanted(c))
			rcv_collapse(ts, c);
		if (len > tcp_budget_hard_room(c)) {
			ts->ctr[TCP_CTR_BUDGET_DROP]++;
			tcp_budget_limit(ts, c);
			chain_free(m);
			c->flags |= TCP_CF_ACK_NOW;
			return;
		}
	}
	if (__builtin_expect(ts->cap_offered != 0, 0))   /* (cap_reopen()'s promise) */
		ts->cap_offered -= len < ts->cap_offered ? len : ts->cap_offered;
	if (ts->conf.pool_low != 0)       /* (the mbufs it pins, until the next read) */
		ts->pool_free -= m->nb_segs < ts->pool_free ? m->nb_segs : ts->pool_free;
	if (seq == c->rcv_nxt) {
		bool had_ooo = c->ooo_head != NULL;

		if (c->cold.rcv_segs >= tcp_rcv_segs_of(ts, c) && collapse_wanted(c))
			rcv_collapse(ts, c);
		if (c->cold.rcv_segs >= tcp_rcv_segs_of(ts, c)) {
			/* The window counts bytes; this counts mbufs: a peer
			 * sending tiny segments to an application that does
			 * not read stops here (the window said so). */
			ts->ctr[TCP_CTR_RCV_SEGS_DROP]++;
			chain_free(m);
			c->flags |= TCP_CF_ACK_NOW;
			return;
		}

		rcv_append(ts, c, m, len);
		c->rcv_nxt += len;
		if (collapse_wanted(c))
			rcv_collapse(ts, c);
		if (had_ooo) {
			ooo_pull(ts, c);
			c->flags |= TCP_CF_ACK_NOW;   /* RFC 5681 §4.2: a hole filled */
		}
		c->flags |= TCP_CF_READABLE;
		/* RFC 9293 §3.8.6.3 / RFC 5681 §4.2: ACK at least every
		 * second full-sized segment (the peer's size), else within
		 * the delay. */
		rcv_mss_measure(ts, c, len, flags);
		if (len >= c->cold.rcv_mss && ++c->ack_segs >= 2)
			c->flags |= TCP_CF_ACK_NOW;
		if (!(c->flags & TCP_CF_ACK_NOW)) {
			c->flags |= TCP_CF_DELACK;
			if (!tcp_timer_armed(c, TCP_T_DELACK))
				tcp_timer_set(ts, c, TCP_T_DELACK, ts->conf.delack);
		}
	} else {
		ts->ctr[TCP_CTR_OOO_SEGS]++;
		ooo_insert(ts, c, m, seq);
		c->flags |= TCP_CF_ACK_NOW;           /* duplicate ACK at once */
	}
}

/* ---- header prediction ------------------------------------------------------ */

/* Connection states the fast path leaves to the slow one: loss recovery
 * (RFC 6582, 6675) and F-RTO (RFC 5682) act on ACKs; a FIN beyond a hole,
 * a FIN queued (its ACK changes the state), a closed application (data
 * after close is answered with a RST). */
#define FAST_NOT (TCP_CF_RECOVERY | TCP_CF_SACK_RECOV | TCP_CF_FRTO1 | TCP_CF_FRTO2 | \
		  TCP_CF_FIN_OOO | TCP_CF_FIN_QUEUED | TCP_CF_FIN_RCVD | TCP_CF_APP_GONE)

/*
 * RACK-TLP (tcp_rack.c) has nothing under way: no probe's episode, no
 * D-SACK round, no retransmissions found lost again, no reordering timer,
 * nothing marked lost, and nothing delivered above SND.UNA (RACK.fack).
 * Then tcp_rack_ack() of an ACK that moves nothing is a no-op, and
 * tcp_rack_detect() after any cumulative ACK is one too: RACK.end_seq is
 * at most RACK.fack, so at most the new SND.UNA, the lowest the lost mark
 * can be; there is nothing between them to judge.
 */
static inline bool
rack_quiet(const struct tcp_conn *c)
{
	const struct tcp_rack *r = &c->cold.rack;

	return !(r->flags & (TCP_RACK_F_TLP | TCP_RACK_F_DSACK | TCP_RACK_F_RELOST |
			     TCP_RACK_F_REO)) &&
	       tcp_rack_lost_end(c) == c->snd_una &&
	       (!(r->flags & TCP_RACK_F_VALID) || tcp_seq_leq(r->fack, c->snd_una));
}

/*
 * Header prediction, as BSD's tcp_input() and Linux's
 * tcp_rcv_established() have it (RFC 9293 leaves it to the
 * implementation): the two segments an ESTABLISHED connection mostly
 * gets, done with what they need of SEGMENT ARRIVES and nothing else.
 * Taken only when every step tcp_input() skips here would have done
 * nothing to it:
 * - flags ACK or ACK|PSH, SEG.SEQ == RCV.NXT (acceptable, nothing to
 *   trim), no option but the timestamp (hp: the header was 20 bytes, or
 *   32 with NOP NOP TS), the timestamp there exactly when negotiated and
 *   passing PAWS (SEG.TSval >= TS.Recent); TS.Recent takes it under RFC
 *   7323 §4.3's own rule (SEG.SEQ <= Last.ACK.sent), as BSD's header
 *   prediction does: requiring that rule to hold would leave every
 *   segment behind a delayed ACK (most of a bulk flow's) to the slow
 *   path, which would not take its timestamp either;
 * - the advertised window unchanged, no recovery, F-RTO, scoreboard,
 *   out-of-order queue or RACK state (above);
 * - (a) data the receive window takes whole, SEG.ACK == SND.UNA: no
 *   acknowledgment, no duplicate ACK (it carries data); or
 * - (b) no data, SND.UNA < SEG.ACK <= SND.NXT: an ACK that moves SND.UNA
 *   (RFC 5961 §5.2's acceptability holds), never a duplicate.
 * What it does is ack_input()'s and data_input()'s own steps for such a
 * segment, in their order; tests/unit/test_tcp_fast.c compares each
 * outcome with the slow path's. m: the payload (plen bytes), consumed
 * when taken.
 */
static bool
fast_input(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg,
	   struct rte_mbuf *m, uint32_t plen)
{
	uint32_t ack = seg->ack, wnd = (uint32_t)seg->wnd << c->snd_wscale;
	uint32_t now = tcp_now32(ts), una_before, acked;

	if ((seg->flags & (uint8_t)~TCP_PSH) != TCP_ACK || seg->seq != c->rcv_nxt ||
	    wnd != c->snd_wnd || (c->flags & FAST_NOT) || c->ooo_head != NULL ||
	    c->cold.sb_n != 0)
		return false;
	if (c->flags & TCP_CF_TS) {
		if (!(seg->opts & TCP_OPT_F_TS) || tcp_seq_lt(seg->tsval, c->ts_recent))
			return false;
	} else if (seg->opts != 0) {
		return false;
	}
	if (plen > 0) {
		if (ack != c->snd_una || tcp_seq_gt(seg->seq + plen, c->rcv_adv))
			return false;
	} else if (!tcp_seq_gt(ack, c->snd_una) || tcp_seq_gt(ack, c->snd_nxt)) {
		return false;
	}
	if (tcp_rack_on(ts, c) && !rack_quiet(c))
		return false;

	c->last_rcv = now;
	c->cold.keep_probes = 0;
	/* RFC 7323 §4.3, as ack_input() takes it: from a segment covering
	 * Last.ACK.sent (one behind a delayed ACK does not; PAWS passed) */
	if ((c->flags & TCP_CF_TS) && tcp_seq_leq(seg->seq, c->last_ack_sent)) {
		c->ts_recent = seg->tsval;
		c->ts_recent_age = now;
	}
	if (plen > 0) {
		/* (a): ack_input() would only update the window */
		ts->fast_data++;
		snd_wnd_update(c, seg, wnd);
		data_input(ts, c, m, seg->seq, plen, seg->flags);
		return true;
	}

	/* (b): ack_input()'s steps for an ACK that moves SND.UNA, outside
	 * recovery, with no FIN of ours to acknowledge */
	ts->fast_acks++;
	if (tcp_rack_on(ts, c))
		tcp_rack_ack(ts, c, seg);
	una_before = c->snd_una;
	acked = ack - una_before;
	if ((c->flags & TCP_CF_TS) && seg->tsecr != 0) {
		rtt_from_tsecr(ts, c, seg->tsecr);
	} else if ((c->flags & TCP_CF_RTT_TIMING) && tcp_seq_gt(ack, c->cold.rtt_seq)) {
		tcp_rtt_sample(ts, c, now - c->cold.rtt_start);
		c->flags &= ~TCP_CF_RTT_TIMING;
	}
	snd_drop(ts, c, acked);
	c->snd_una = ack;
	c->flags &= ~TCP_CF_STALL;
	tcp_pmtu_acked(ts, c);
	if ((c->flags & TCP_CF_CWND_LIM) || 2 * (uint64_t)(c->snd_max - una_before) >= c->cwnd)
		ts->cc[c->cc]->cong_avoid(ts, c, acked);    /* RFC 7661 §4.3 (ack_input()) */
	if ((c->flags & TCP_CF_CWND_LIM) && tcp_seq_geq(c->snd_una, c->cold.cwnd_usage_seq))
		c->flags &= ~TCP_CF_CWND_LIM;
	if (tcp_seq_gt(c->snd_una - 1, c->recover))
		c->recover = c->snd_una - 1;
	c->dupacks = 0;
	tcp_rxt_restart(ts, c);
	/* (tcp_rack_detect() has nothing to judge: rack_quiet()) */
	ts->ack_delivered = acked;
	ts->ack_conn = c;
	snd_wnd_update(c, seg, wnd);
	return true;
}

void
tcp_input(struct tcp_stack *ts, struct rte_mbuf *m, uint8_t family,
	  const uint8_t *src, const uint8_t *dst, uint32_t l4_off,
	  uint32_t l4_len, bool cksum_ok)
{
	struct tcp_seg seg;
	struct tcp_conn *c;
	enum tcp_parse_err pe;
	const uint8_t *p;
	uint32_t seq, seglen, plen, hl;
	int li;
	bool hp;

	ts->ctr[TCP_CTR_SEG_IN]++;
	if (m->data_len < l4_off + TCP_HDR_LEN || m->pkt_len < l4_off + l4_len) {
		ts->ctr[TCP_CTR_BAD_SHORT]++;
		goto drop;
	}
	p = rte_pktmbuf_mtod_offset(m, const uint8_t *, l4_off);
	hl = (uint32_t)(p[12] >> 4) * 4u;
	if (hl >= TCP_HDR_LEN && m->data_len < l4_off + hl) {
		ts->ctr[TCP_CTR_BAD_SHORT]++;    /* header not contiguous */
		goto drop;
	}
	pe = tcp_seg_parse(p, l4_len, &seg);
	if (pe != TCP_PARSE_OK) {
		ts->ctr[pe == TCP_PARSE_SHORT ? TCP_CTR_BAD_SHORT :
			pe == TCP_PARSE_BAD_OFF ? TCP_CTR_BAD_OFF : TCP_CTR_BAD_OPT]++;
		goto drop;
	}
	if (!cksum_ok) {
		uint8_t ph[40];
		uint16_t sum = 0;
		uint32_t s;

		if (family == TCP_AF_IPV6) {
			memcpy(ph, src, 16);
			memcpy(ph + 16, dst, 16);
			ph[32] = (uint8_t)(l4_len >> 24);
			ph[33] = (uint8_t)(l4_len >> 16);
			ph[34] = (uint8_t)(l4_len >> 8);
			ph[35] = (uint8_t)l4_len;
			ph[36] = ph[37] = ph[38] = 0;
			ph[39] = 6;
		} else {
			memcpy(ph, src, 4);
			memcpy(ph + 4, dst, 4);
			ph[8] = 0;
			ph[9] = 6;
			ph[10] = (uint8_t)(l4_len >> 8);
			ph[11] = (uint8_t)l4_len;
		}
		rte_raw_cksum_mbuf(m, l4_off, l4_len, &sum);
		s = (uint32_t)sum + rte_raw_cksum(ph, family == TCP_AF_IPV6 ? 40 : 12);
		s = (s & 0xffff) + (s >> 16);
		s = (s & 0xffff) + (s >> 16);
		if (s != 0xffff) {
			ts->ctr[TCP_CTR_BAD_CKSUM]++;
			goto drop;
		}
	}
	if (__builtin_expect(seg.bad_opts != 0, 0))
		ts->ctr[TCP_CTR_OPT_SKIPPED] += seg.bad_opts;
	/* header prediction's layouts (fast_input()): no options, or the
	 * timestamp alone as RFC 7323 appendix A lays it (NOP NOP TS 10) */
	hp = seg.hdr_len == TCP_HDR_LEN ||
	     (seg.hdr_len == TCP_HDR_LEN + TCP_OPT_TS_LEN &&
	      p[TCP_HDR_LEN] == TCP_OPT_NOP && p[TCP_HDR_LEN + 1] == TCP_OPT_NOP &&
	      p[TCP_HDR_LEN + 2] == TCP_OPT_TS && p[TCP_HDR_LEN + 3] == 10);
	if ((seg.flags & TCP_SYN) && (seg.flags & (TCP_RST | TCP_FIN))) {
		ts->ctr[TCP_CTR_BAD_FLAGS]++;
		goto drop;
	}
	/* Keep only the payload in m. */
	plen = seg.len;
	if (plen == 0) {
		rte_pktmbuf_free(m);
		m = NULL;
	} else {
		m->data_off = (uint16_t)(m->data_off + l4_off + seg.hdr_len);
		m->data_len = (uint16_t)(m->data_len - l4_off - seg.hdr_len);
		m = chain_trim_to(m, plen);
	}

	c = tcp_conn_lookup(ts, family, dst, seg.dport, src, seg.sport);
	li = -1;
	if (c != NULL && c->state == TCP_ST_TIME_WAIT && !(c->flags & TCP_CF_KEPT) &&
	    (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    (li = listener_find(ts, family, seg.dport)) >= 0) {
		/* RFC 6191 §2: a new SYN may end TIME_WAIT when its
		 * timestamp (or, without timestamps, its sequence number)
		 * shows it belongs to a new incarnation. */
		bool newer = (c->flags & TCP_CF_TS) && (seg.opts & TCP_OPT_F_TS) ?
			tcp_seq_gt(seg.tsval, c->ts_recent) :
			!(c->flags & TCP_CF_TS) && tcp_seq_gt(seg.seq, c->rcv_nxt);

		if (newer) {
			ts->ctr[TCP_CTR_TW_REUSED]++;
			tcp_conn_end(ts, c, TCP_REASON_NORMAL);
			c = NULL;
		} else {
			c->cold.tw_syn_ms = tcp_now32(ts) | 1u;   /* (tw_rst_ok()) */
		}
	}
	if (c == NULL) {
		if (li < 0)
			li = listener_find(ts, family, seg.dport);
		if (li >= 0 && (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_ACK) {
			bool good = false;

			c = tcp_syncookie_check(ts, li, family, dst, src, &seg, &good);
			/* A good cookie: the TCB is back in SYN_RCVD, and this
			 * ACK goes through the usual processing. */
			if (c != NULL)
				goto have_conn;
			/* Good but no slot: dropped without a RST, the
			 * client sends again (data, or its ACK). */
			if (good)
				goto drop;
		}
		if (li >= 0 && (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
			passive_open(ts, li, family, dst, src, &seg);
		} else if (li >= 0 && !(seg.flags & TCP_ACK)) {
			/* LISTEN: RST ignored, anything else without ACK
			 * dropped (RFC 9293 §3.10.7.2). */
			if (seg.flags & TCP_RST)
				ts->ctr[TCP_CTR_RST_IN]++;
		} else {
			ts->ctr[TCP_CTR_NO_CONN]++;
			tcp_send_rst_reply(ts, family, dst, src, &seg);
		}
		goto drop;
	}

have_conn:
	c->flags |= TCP_CF_BUSY;
	ts->ack_delivered = 0;
	ts->ack_conn = NULL;
	ts->dsack_conn = NULL;
	if (hp && c->state == TCP_ST_ESTABLISHED && fast_input(ts, c, &seg, m, plen)) {
		m = NULL;                        /* (consumed) */
		goto out;
	}
	if (c->state == TCP_ST_SYN_SENT) {
		syn_sent_input(ts, c, &seg, family);
		goto out;
	}

	seq = seg.seq;
	seglen = plen + ((seg.flags & TCP_SYN) ? 1 : 0) + ((seg.flags & TCP_FIN) ? 1 : 0);

	/* SYN_RCVD and a copy of the peer's SYN: our SYN-ACK was lost. */
	if (c->state == TCP_ST_SYN_RCVD && (seg.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
	    seg.seq == c->irs) {
		tcp_xmit(ts, c, c->iss, 0, TCP_SYN | TCP_ACK);
		goto out;
	}

	/* Simultaneous open (RFC 9293 figure 8): the peer's SYN-ACK in
	 * SYN_RCVD acknowledges our SYN; its SYN is the one we have. */
	if (c->state == TCP_ST_SYN_RCVD && (seg.flags & (TCP_SYN | TCP_ACK)) ==
	    (TCP_SYN | TCP_ACK) && seg.seq == c->irs) {
		seg.flags &= (uint8_t)~TCP_SYN;
		seg.seq++;
		seq++;
		seglen--;
		c->flags |= TCP_CF_ACK_NOW;
	}

	/* RFC 7323 §5.3 PAWS, before the sequence check. */
	if ((c->flags & TCP_CF_TS) && (seg.opts & TCP_OPT_F_TS) && !(seg.flags & TCP_RST) &&
	    tcp_seq_lt(seg.tsval, c->ts_recent)) {
		if (tcp_now32(ts) - c->ts_recent_age > TCP_PAWS_IDLE) {
			c->ts_recent = seg.tsval;        /* §5.5: too old to trust */
		} else {
			ts->ctr[TCP_CTR_PAWS_DROP]++;
			tcp_send_oow_ack(ts, c, plen > 0 && !(seg.flags & TCP_SYN));
			goto out;
		}
	}

	/* First: sequence number. RFC 9293 §3.10.7.4: at a closed receive
	 * window no segment is acceptable, "but special allowance should be
	 * made to accept valid ACKs, URGs, and RSTs": a segment at RCV.NXT
	 * (a peer's zero-window probe carries a byte there) loses its text
	 * and FIN and goes on for its ACK (or RST) field; our ACK follows. */
	if (seglen > 0 && seq == c->rcv_nxt && !tcp_seq_gt(c->rcv_adv, c->rcv_nxt) &&
	    (seg.flags & (TCP_ACK | TCP_RST)) && !(seg.flags & TCP_SYN)) {
		ts->ctr[TCP_CTR_ZERO_WND_ACK_TAKEN]++;
		if (plen > 0)
			ts->ctr[TCP_CTR_RCV_WND_DROP]++;
		chain_free(m);
		m = NULL;
		plen = 0;
		seglen = 0;
		seg.flags &= (uint8_t)~TCP_FIN;
		c->flags |= TCP_CF_ACK_NOW;
	}
	if (!seq_acceptable(c, seq, seglen)) {
		ts->ctr[(seg.flags & TCP_RST) ? TCP_CTR_RST_IGNORED : TCP_CTR_OUT_OF_WINDOW]++;
		/* RFC 2883: text wholly below RCV.NXT was had already (the
		 * usual case here: a retransmission whose ACK was lost) */
		if (!(seg.flags & (TCP_RST | TCP_SYN)) && plen > 0 &&
		    tcp_seq_leq(seq + plen, c->rcv_nxt))
			dsack_note(ts, c, seq, seq + plen);
		if (!(seg.flags & TCP_RST))
			tcp_send_oow_ack(ts, c, plen > 0 && !(seg.flags & TCP_SYN));
		goto out;
	}
	c->last_rcv = tcp_now32(ts);
	c->cold.keep_probes = 0;

	/* Second: RST (RFC 5961 §3.2). */
	if (seg.flags & TCP_RST) {
		rst_input(ts, c, &seg);
		goto out;
	}
	/* Fourth: SYN in a synchronized state (RFC 5961 §4.2). */
	if (seg.flags & TCP_SYN) {
		tcp_send_challenge_ack(ts, c, false);
		goto out;
	}
	if (!(seg.flags & TCP_ACK))
		goto out;

	/* Trim to the window: before RCV.NXT, then past the right edge. */
	if (tcp_seq_lt(seq, c->rcv_nxt)) {
		uint32_t cut = c->rcv_nxt - seq;

		/* RFC 2883: the part had already (the FIN's place not) */
		dsack_note(ts, c, seq, cut >= plen ? seq + plen : c->rcv_nxt);
		if (cut >= plen) {
			if (plen > 0)
				ts->ctr[TCP_CTR_DUP_DATA] += plen;
			if ((seg.flags & TCP_FIN) && cut > plen)
				seg.flags &= (uint8_t)~TCP_FIN;  /* FIN already had */
			chain_free(m);
			m = NULL;
			cut = plen;
		} else {
			ts->ctr[TCP_CTR_DUP_DATA] += cut;
			m = chain_trim_front(m, cut);
		}
		plen -= cut;
		seq += cut;
		if (plen > 0 || cut > 0)
			c->flags |= TCP_CF_ACK_NOW;
	}
	{
		uint32_t wnd_end = tcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv :
				   c->rcv_nxt;

		if (plen > 0 && tcp_seq_gt(seq + plen, wnd_end)) {
			uint32_t keep = wnd_end - seq;

			ts->ctr[TCP_CTR_RCV_WND_DROP]++;
			m = chain_trim_to(m, keep);
			plen = keep;
			seg.flags &= (uint8_t)~TCP_FIN;
			c->flags |= TCP_CF_ACK_NOW;
		}
	}

	/* Fifth: ACK. */
	if (!ack_input(ts, c, &seg))
		goto out;

	/* Seventh: text. */
	if (plen > 0) {
		if (c->state == TCP_ST_ESTABLISHED || c->state == TCP_ST_FIN_WAIT_1 ||
		    c->state == TCP_ST_FIN_WAIT_2) {
			if ((c->flags & TCP_CF_APP_GONE) && (c->flags & TCP_CF_APP_KNOWS)) {
				/* Data after tcp_close(): nobody will read it. */
				ts->ctr[TCP_CTR_DATA_AFTER_CLOSE]++;
				chain_free(m);
				m = NULL;
				tcp_send_rst(ts, c);
				tcp_conn_end(ts, c, TCP_REASON_DATA_AFTER_CLOSE);
				goto out;
			}
			data_input(ts, c, m, seq, plen, seg.flags);
			m = NULL;
		}
	}

	/* Eighth: FIN. */
	if (seg.flags & TCP_FIN) {
		uint32_t fseq = seq + plen;

		if (c->state == TCP_ST_TIME_WAIT) {
			c->flags |= TCP_CF_ACK_NOW;
			tcp_timer_set(ts, c, TCP_T_KEEP, 2 * ts->conf.msl);
		} else if (!(c->flags & TCP_CF_FIN_RCVD)) {
			if (fseq == c->rcv_nxt) {
				fin_consume(ts, c);
			} else if (tcp_seq_gt(fseq, c->rcv_nxt)) {
				c->flags |= TCP_CF_FIN_OOO;
				c->cold.fin_seq = fseq;
			}
		}
	}
	if ((c->flags & TCP_CF_FIN_OOO) && c->rcv_nxt == c->cold.fin_seq)
		fin_consume(ts, c);
	if (c->state == TCP_ST_TIME_WAIT && (c->flags & TCP_CF_APP_KNOWS) &&
	    !(c->flags & TCP_CF_APP_GONE))
		app_done(ts, c, TCP_REASON_NORMAL);

out:
	chain_free(m);
	if (!(c->flags & TCP_CF_DEAD)) {
		const struct tcp_app_ops *ops = ts->apps[c->app];
		bool app = (c->flags & (TCP_CF_APP_KNOWS | TCP_CF_APP_GONE)) == TCP_CF_APP_KNOWS;

		tcp_output(ts, c);
		ts->dsack_conn = NULL;           /* reported once, by that ACK */
		if (app && (c->flags & TCP_CF_READABLE) && ops->readable != NULL) {
			c->flags &= ~TCP_CF_READABLE;
			ops->readable(ts, tcp_conn_id(ts, c), c->app_arg);
		}
		c->flags &= ~TCP_CF_READABLE;
		app = (c->flags & (TCP_CF_APP_KNOWS | TCP_CF_APP_GONE | TCP_CF_DEAD)) ==
		      TCP_CF_APP_KNOWS;
		if (app && (c->flags & TCP_CF_WANT_WRITE) &&
		    ts->conf.snd_buf - c->snd_queued >= ts->conf.snd_buf / 2 &&
		    tcp_held_room(ts) >= tcp_held_wake(ts) && ops->writable != NULL) {
			c->flags &= ~(TCP_CF_WANT_WRITE | TCP_CF_HELD_WAIT);
			ops->writable(ts, tcp_conn_id(ts, c), c->app_arg);
		}
	}
	ts->ack_delivered = 0;
	ts->ack_conn = NULL;
	ts->dsack_conn = NULL;
	tcp_conn_unbusy(ts, c);
	return;
drop:
	chain_free(m);
}

/* RFC 8985: RACK's reordering timer enters recovery as an ACK would
 * (a lost path MTU probe is no congestion: tcp_pmtu.c resends it). */
void
tcp_rack_enter_recovery(struct tcp_stack *ts, struct tcp_conn *c)
{
	if (!tcp_pmtu_probe_lost(ts, c)) {
		sack_enter_recovery(ts, c);
		prr_ack(ts, c, 0, true);                /* RFC 6937's first step */
	}
}
