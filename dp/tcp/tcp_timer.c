/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp timers: each connection has one timer on the worker's wheel
 * (lib/timer, 1 ms ticks) and three deadlines that share it:
 * - RXT: retransmission (RFC 6298, with Karn's rule and exponential
 *   backoff) or, when nothing is in flight and the peer's window is
 *   closed, persist (RFC 9293 §3.8.6.1 zero-window probes); both give
 *   up at the user timeout (RFC 5482, conf.user_timeout) or, for a
 *   connection its application closed, conf.orphan_timeout;
 * - DELACK: a delayed ACK (RFC 9293 §3.8.6.3, RFC 5681 §4.2);
 * - KEEP: keepalive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6), the
 *   FIN_WAIT_2 limit after tcp_close(), and TIME_WAIT (2 MSL).
 * Setting a deadline moves the wheel timer only when it comes earlier;
 * clearing one only clears its bit: when the wheel timer fires, due
 * deadlines run and the timer is re-armed at the earliest left. So a
 * deadline pushed back on every segment (RXT on each ACK) costs no wheel
 * operation at all.
 */
#include <rte_mbuf.h>

#include "tcp_private.h"

void
tcp_timer_set(struct tcp_stack *ts, struct tcp_conn *c, enum tcp_timer t,
	      uint32_t delta_ms)
{
	uint64_t exp = ts->now + delta_ms;

	c->t_due[t] = (uint32_t)exp;
	c->t_armed |= (uint8_t)(1u << t);
	if (!tw_pending(&c->timer) || exp < c->timer.expires)
		tw_add(ts->wheel, &c->timer, exp);
}

/* RFC 6298 §2.2-2.3, in ms: srtt8 = 8 SRTT, rttvar4 = 4 RTTVAR. */
void
tcp_rtt_sample(struct tcp_stack *ts, struct tcp_conn *c, uint32_t r)
{
	uint32_t rto;

	if (r == 0)
		r = 1;                   /* the clock's granularity */
	if (c->srtt8 == 0) {
		c->srtt8 = r << 3;
		c->rttvar4 = r << 1;
	} else {
		uint32_t srtt = c->srtt8 >> 3;
		uint32_t err = srtt > r ? srtt - r : r - srtt;

		c->rttvar4 = c->rttvar4 - (c->rttvar4 >> 2) + err;
		c->srtt8 = c->srtt8 - (c->srtt8 >> 3) + r;
	}
	/* RTO = SRTT + max(4 RTTVAR, rto_min), as Linux floors it (not
	 * RFC 6298 §2.4's max(rto_min, SRTT + 4 RTTVAR)): a receiver that
	 * delays its ACK by up to 200 ms (Windows, macOS) to a path whose
	 * variance has settled would otherwise see a lone segment sent
	 * again at SRTT + 200 ms less a little, before its ACK comes. */
	rto = (c->srtt8 >> 3) + (c->rttvar4 > ts->conf.rto_min ? c->rttvar4 :
				 ts->conf.rto_min);
	if (rto < 1)
		rto = 1;
	if (rto > ts->conf.rto_max)
		rto = ts->conf.rto_max;
	c->rto = rto;
	/* RFC 6298 §5.7 / Karn: only a valid sample ends the backoff; an
	 * ACK for data sent more than once does not. */
	c->rxtshift = 0;
}

void
tcp_rxt_restart(struct tcp_stack *ts, struct tcp_conn *c)
{
	if (c->snd_una != c->snd_max || tcp_snd_waiting(c))
		tcp_timer_set(ts, c, TCP_T_RXT, tcp_rto_backoff(ts, c));
	else
		tcp_timer_clear(c, TCP_T_RXT);
}

/* The RXT timer fired with nothing acked since it was set: the wait
 * began when the interval that just ran out did (the oldest unacked data
 * went, or the window was found closed), unless it had begun already. */
static void
stall_mark(struct tcp_stack *ts, struct tcp_conn *c)
{
	if (!(c->flags & TCP_CF_STALL)) {
		c->flags |= TCP_CF_STALL;
		c->cold.stall_ms = tcp_now32(ts) - tcp_rto_backoff(ts, c);
	}
}

/* ms left before c gives up waiting (UINT32_MAX: never). probing: the
 * peer's window is closed, so what goes are probes, and a peer that
 * answers them may keep it closed as long as it likes (RFC 1122
 * §4.2.2.17: the user timeout counts from its last answer), unless c is
 * an orphan: nobody will read it and what it holds counts against the
 * worker (Linux ends those too, tcp_orphan_retries). *why: the reason. */
static uint32_t
stall_left(const struct tcp_stack *ts, const struct tcp_conn *c, bool probing,
	   enum tcp_reason *why)
{
	uint32_t now = tcp_now32(ts), since = c->cold.stall_ms, left = UINT32_MAX, w;

	*why = TCP_REASON_NONE;
	if ((c->flags & TCP_CF_APP_GONE) && ts->conf.orphan_timeout != 0) {
		w = now - since;
		left = w < ts->conf.orphan_timeout ? ts->conf.orphan_timeout - w : 0;
		*why = TCP_REASON_ORPHAN_TIMEOUT;
	}
	if (ts->conf.user_timeout != 0) {
		if (probing && tcp_seq_gt(c->last_rcv, since))
			since = c->last_rcv;
		w = now - since;
		w = w < ts->conf.user_timeout ? ts->conf.user_timeout - w : 0;
		if (w < left) {
			left = w;
			*why = TCP_REASON_USER_TIMEOUT;
		}
	}
	return left;
}

/* RFC 5482 and the orphans' limit: true when c ended (RST sent). */
static bool
stall_gave_up(struct tcp_stack *ts, struct tcp_conn *c, bool probing)
{
	enum tcp_reason why;

	if (stall_left(ts, c, probing, &why) != 0)
		return false;
	ts->ctr[why == TCP_REASON_ORPHAN_TIMEOUT ? TCP_CTR_ORPHAN_TIMEOUT :
		TCP_CTR_USER_TIMEOUT]++;
	if (probing)
		ts->ctr[TCP_CTR_PERSIST_GAVE_UP]++;
	tcp_send_rst(ts, c);
	tcp_conn_end(ts, c, why);
	return true;
}

/* The next RXT deadline: the backed-off RTO, but no later than the
 * moment c gives up (so that it ends on time, not an rto_max late). */
static void
rxt_rearm(struct tcp_stack *ts, struct tcp_conn *c, bool probing)
{
	enum tcp_reason why;
	uint32_t d = tcp_rto_backoff(ts, c), left = stall_left(ts, c, probing, &why);

	tcp_timer_set(ts, c, TCP_T_RXT, left < d ? (left > 0 ? left : 1) : d);
}

void
tcp_rxt_after_probe(struct tcp_stack *ts, struct tcp_conn *c, uint32_t since)
{
	/* RACK-TLP's probe timeout fired before the RTO: the wait the user
	 * timeout measures began when the oldest unacknowledged data went,
	 * not when the RTO armed now would have begun it (stall_mark()). */
	if (!(c->flags & TCP_CF_STALL)) {
		c->flags |= TCP_CF_STALL;
		c->cold.stall_ms = since;
	}
	rxt_rearm(ts, c, c->snd_wnd == 0);
}

void
tcp_rxt_clamp(struct tcp_stack *ts, struct tcp_conn *c)
{
	enum tcp_reason why;
	uint32_t left;

	if (!(c->flags & TCP_CF_STALL) || !tcp_timer_armed(c, TCP_T_RXT))
		return;
	left = stall_left(ts, c, c->snd_wnd == 0, &why);
	if (left > INT32_MAX)
		return;
	if ((int32_t)(c->t_due[TCP_T_RXT] - tcp_now32(ts)) > (int32_t)(left > 0 ? left : 1))
		tcp_timer_set(ts, c, TCP_T_RXT, left > 0 ? left : 1);
}

static void
rxt_timeout(struct tcp_stack *ts, struct tcp_conn *c)
{
	bool syn = c->state == TCP_ST_SYN_SENT || c->state == TCP_ST_SYN_RCVD, frto;
	uint32_t limit = syn ? ts->conf.syn_retries : ts->conf.retries, nxt;
	bool probing;

	/* RFC 8985: the deadline may be RACK's reordering timer or probe
	 * timeout (tcp_rack.c), which run instead of the RTO. */
	if (tcp_rack_timeout(ts, c))
		return;
	if (c->snd_una == c->snd_max) {
		if (!tcp_snd_waiting(c) || !tcp_state_synced(c->state))
			return;
		if (c->snd_wnd != 0) {
			/* The window is open but small, or an mbuf was
			 * missing: send what it allows now. */
			tcp_output_force(ts, c);
			if (c->snd_una == c->snd_max)
				tcp_timer_set(ts, c, TCP_T_RXT, tcp_rto_backoff(ts, c));
			return;
		}
		stall_mark(ts, c);
		if (stall_gave_up(ts, c, true))
			return;
		/* Persist: a zero-window probe, <SEQ=SND.UNA-1> with no data,
		 * which the peer must answer with an ACK carrying its window
		 * (RFC 9293 §3.10.7.4); backed off like the RTO, kept up
		 * while the peer answers (RFC 1122 §4.2.2.17), given up
		 * after the user timeout without an answer. */
		ts->ctr[TCP_CTR_PERSIST_PROBE]++;
		tcp_xmit(ts, c, c->snd_una - 1, 0, TCP_ACK);
		if (c->rxtshift < 16)
			c->rxtshift++;
		rxt_rearm(ts, c, true);
		return;
	}
	/* A closed window with data in flight: the peer shrank it, or took
	 * part of what was sent and dropped the rest. What goes now are
	 * probes (below), not retransmissions the peer cannot take: the
	 * retry count does not end a peer that answers them. */
	probing = !syn && c->snd_wnd == 0;
	if (!syn) {
		stall_mark(ts, c);
		if (stall_gave_up(ts, c, probing))
			return;
	}
	if (c->rxtshift >= limit &&
	    (!probing || !tcp_seq_gt(c->last_rcv, c->cold.stall_ms))) {
		if (!syn)
			tcp_send_rst(ts, c);
		tcp_conn_end(ts, c, syn ? TCP_REASON_SYN_TIMEOUT : TCP_REASON_TIMEOUT);
		return;
	}
	ts->ctr[TCP_CTR_RTO]++;
	if (c->rxtshift < 16 || !probing)
		c->rxtshift++;
	c->flags &= ~TCP_CF_RTT_TIMING;          /* Karn */
	if (syn) {
		/* RFC 6298 §5.7: after a lost SYN the RTO once data flows is
		 * 3 s; we keep the backed-off value until a sample. */
		tcp_xmit(ts, c, c->iss, 0,
			 c->state == TCP_ST_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK);
		tcp_timer_set(ts, c, TCP_T_RXT, tcp_rto_backoff(ts, c));
		return;
	}
	/* RFC 5682 F-RTO: after a first RTO outside a recovery, only the
	 * first segment goes again; the next two ACKs tell a spurious
	 * timeout (a delay: they acknowledge what was not sent again) from
	 * a loss (tcp_input.c: frto_ack()). cwnd and ssthresh from before
	 * are kept for the undo. Not when the peer SACKed data above
	 * SND.UNA: it is receiving, the first segment was lost (the basic
	 * algorithm would take the cumulative ACK that the retransmission
	 * moves past what the peer held for a sign of a delay). */
	frto = ts->conf.frto && c->rxtshift == 1 && c->cold.sb_n == 0 &&
	       !(c->flags & (TCP_CF_RECOVERY | TCP_CF_FRTO1 | TCP_CF_FRTO2)) &&
	       tcp_seq_geq(c->snd_una, c->recover);
	c->flags &= ~(TCP_CF_FRTO1 | TCP_CF_FRTO2);
	if (frto) {
		c->cold.prr_delivered = c->cwnd;
		c->cold.prr_out = c->ssthresh;
	}
	/* RFC 5681 §3.1 eq. 4 and the loss window; RFC 6582 §3.2 step 4
	 * (recover after an RTO); go back to SND.UNA (RFC 6298 §5.4). */
	/* RFC 4821: a lost probe, or a black hole (the MSS drops before
	 * the go-back below sends in it); not while the window is closed:
	 * the peer took nothing, nothing was lost to the path */
	if (!probing)
		tcp_pmtu_rto(ts, c);
	if (c->rxtshift == 1)            /* held for later backoffs (§3.1) */
		c->ssthresh = ts->cc[c->cc]->ssthresh(ts, c);
	c->cwnd = tcp_smss(c);
	c->recover = c->snd_max;
	c->flags &= ~(TCP_CF_RECOVERY | TCP_CF_SACK_RECOV);
	c->dupacks = 0;
	/* RFC 6675 §5.1: the scoreboard goes (a peer may have reneged,
	 * RFC 2018 §8); go-back-N from SND.UNA resends what it held. */
	tcp_sack_clear(c);
	nxt = c->snd_nxt;
	c->snd_nxt = c->snd_una;
	tcp_timer_clear(c, TCP_T_RXT);
	tcp_output(ts, c);
	if (probing && c->snd_nxt == c->snd_una) {
		/* RFC 9293 §3.8.6.1: a closed window must still be
		 * retransmitted to, or it stays stuck: the first byte again
		 * (a peer whose window did open takes it; either way it
		 * answers with its window). */
		ts->ctr[TCP_CTR_PERSIST_PROBE]++;
		if (c->snd_queued > 0)
			tcp_xmit(ts, c, c->snd_una, 1, TCP_ACK);
		else
			tcp_xmit(ts, c, c->snd_una - 1, 0, TCP_ACK);
	}
	if (frto && c->snd_una != c->snd_max) {
		/* (F-RTO step 1: that one segment, its end kept in high_rxt,
		 * unused outside a SACK recovery; the rest waits for the
		 * first ACK) */
		c->flags |= TCP_CF_FRTO1;
		c->cold.high_rxt = c->snd_nxt;
		if (tcp_seq_gt(nxt, c->snd_nxt))
			c->snd_nxt = nxt;
	}
	rxt_rearm(ts, c, probing);
}

static void
keep_timeout(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t idle, keep_idle = tcp_keep_idle(ts, c);
	uint64_t due;

	switch (c->state) {
	case TCP_ST_TIME_WAIT:
		if (c->flags & TCP_CF_KEPT) {
			/* its application still reads it: out of the table
			 * only (tcp_conn_keep()) */
			c->state = TCP_ST_CLOSED;
			tcp_conn_unhash(ts, c);
			return;
		}
		tcp_conn_end(ts, c, TCP_REASON_NORMAL);
		return;
	case TCP_ST_FIN_WAIT_2:
		if (c->flags & TCP_CF_APP_GONE) {
			tcp_conn_end(ts, c, TCP_REASON_FIN_WAIT2_TIMEOUT);
			return;
		}
		break;
	default:
		break;
	}
	if (keep_idle == 0 || !tcp_state_synced(c->state))
		return;
	/* Data in flight or waiting for a window: the RXT timer watches the
	 * peer (retries, the user timeout), as in Linux. */
	if (c->snd_una != c->snd_max || tcp_snd_waiting(c)) {
		c->cold.keep_probes = 0;
		tcp_timer_set(ts, c, TCP_T_KEEP, keep_idle);
		return;
	}
	/* The next probe (or the end) is due idle + probes x interval after
	 * the peer's last segment: the KEEP deadline also serves a send
	 * waiting for the worker's cap (held_wait(), every few ms), which
	 * must not bring probes forward. */
	idle = tcp_now32(ts) - c->last_rcv;
	due = keep_idle + (uint64_t)c->cold.keep_probes * tcp_keep_intvl(ts, c);
	if (idle < due) {
		tcp_timer_set(ts, c, TCP_T_KEEP, (uint32_t)(due - idle < INT32_MAX ?
							    due - idle : INT32_MAX));
		return;
	}
	if (c->cold.keep_probes >= tcp_keep_cnt(ts, c)) {
		ts->ctr[TCP_CTR_KEEPALIVE_END]++;
		tcp_send_rst(ts, c);
		tcp_conn_end(ts, c, TCP_REASON_KEEPALIVE);
		return;
	}
	/* RFC 9293 §3.8.4: <SEQ=SND.NXT-1> with no data. */
	ts->ctr[TCP_CTR_KEEPALIVE_PROBE]++;
	c->cold.keep_probes++;
	tcp_xmit(ts, c, c->snd_una - 1, 0, TCP_ACK);
	tcp_timer_set(ts, c, TCP_T_KEEP, tcp_keep_intvl(ts, c));
}

/* A send refused by the stack's cap (conf.max_held): writable() once
 * there is room, else look again soon. */
static void
held_wait(struct tcp_stack *ts, struct tcp_conn *c)
{
	const struct tcp_app_ops *ops = ts->apps[c->app];

	if ((c->flags & (TCP_CF_APP_KNOWS | TCP_CF_APP_GONE)) != TCP_CF_APP_KNOWS ||
	    !(c->flags & TCP_CF_WANT_WRITE)) {
		c->flags &= ~TCP_CF_HELD_WAIT;
		return;
	}
	if (tcp_held_room(ts) < tcp_held_wake(ts)) {
		tcp_timer_set(ts, c, TCP_T_KEEP, TCP_HELD_POLL_MS);
		return;
	}
	c->flags &= ~(TCP_CF_HELD_WAIT | TCP_CF_WANT_WRITE);
	if (ops->writable != NULL)
		ops->writable(ts, tcp_conn_id(ts, c), c->app_arg);
}

void
tcp_timer_fn(struct tw_timer *t, void *arg)
{
	struct tcp_stack *ts = arg;
	struct tcp_conn *c = (struct tcp_conn *)((char *)t - offsetof(struct tcp_conn, timer));
	uint32_t now;
	uint64_t next = UINT64_MAX;

	/* The clock never goes back, not even to the tick being fired:
	 * timestamps must not (RFC 7323 §5.4). After a jump, deadlines set
	 * here count from the new time: the caller advances often (dp:
	 * every loop), so that is at most a tick late. */
	if (tw_now(ts->wheel) > ts->now)
		ts->now = tw_now(ts->wheel);
	now = tcp_now32(ts);
	c->flags |= TCP_CF_BUSY;
	for (unsigned int i = 0; i < TCP_T__COUNT && !(c->flags & TCP_CF_DEAD); i++) {
		if (!tcp_timer_armed(c, (enum tcp_timer)i) ||
		    (int32_t)(c->t_due[i] - now) > 0)
			continue;
		tcp_timer_clear(c, (enum tcp_timer)i);
		switch (i) {
		case TCP_T_RXT:
			rxt_timeout(ts, c);
			break;
		case TCP_T_DELACK:
			if (c->flags & TCP_CF_DELACK) {
				ts->ctr[TCP_CTR_DELACK]++;
				tcp_send_ack(ts, c);
			}
			break;
		case TCP_T_KEEP:
			keep_timeout(ts, c);
			break;
		}
	}
	if ((c->flags & (TCP_CF_HELD_WAIT | TCP_CF_DEAD)) == TCP_CF_HELD_WAIT)
		held_wait(ts, c);
	if (!(c->flags & TCP_CF_DEAD)) {
		for (unsigned int i = 0; i < TCP_T__COUNT; i++) {
			uint64_t e;

			if (!tcp_timer_armed(c, (enum tcp_timer)i))
				continue;
			e = ts->now + (uint64_t)(int64_t)(int32_t)(c->t_due[i] - now);
			if (e < next)
				next = e;
		}
		if (next != UINT64_MAX && (!tw_pending(&c->timer) || next < c->timer.expires))
			tw_add(ts->wheel, &c->timer, next);
	}
	tcp_conn_unbusy(ts, c);
}
