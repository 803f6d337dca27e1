/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp RACK-TLP (RFC 8985): loss detection by time, beside RFC 6675's
 * duplicate-ACK threshold (as Linux runs both), for connections whose
 * peer does SACK (tcp_rack_on(); without SACK an ACK says nothing of what
 * was delivered above SND.UNA, and Linux too probes only SACK peers):
 * those keep NewReno (RFC 6582) and the RTO.
 *
 * Transmit times. Each mbuf of the send queue carries the time its bytes
 * were last sent and whether any were sent again (TCP_RACK_TS/MARK, set
 * by tcp_output.c as it copies a segment out): RFC 8985's per-segment
 * xmit_ts at the queue's granularity, nothing allocated. dp's mbufs
 * hold one segment or less (TURN relays what it received; the data room
 * is 2 KiB), so a "segment" here is an mbuf's part of one; one that two
 * segments share takes the later's time, which can only make RACK wait
 * longer, never mark early. Ties within a millisecond are broken by
 * sequence (RACK_sent_after()), first transmissions going out in order.
 *
 * Lost marks. What RACK marks lost is a prefix: every unSACKed byte in
 * [SND.UNA, rack.lost_end). tcp_sack.c's IsLost() takes the larger of it
 * and RFC 6675's point, so NextSeg() rule 1 sends RACK's losses and pipe
 * leaves them out; the sending step is RFC 6675's, unchanged. A mark is
 * never taken back (RFC 8985 §6.2: lost until acknowledged).
 *
 * Timers. The reordering timer and the probe timeout take the
 * connection's RXT deadline (as Linux's icsk_pending does): each is armed
 * only earlier than the RTO; rack.t_due remembers which deadline is
 * RACK's, so that one another part of the stack moved (an ACK restarting
 * the RTO) is again the RTO. When it fires, tcp_rack_timeout() runs
 * before rxt_timeout() would, and the RTO is armed again after it.
 *
 * The work an ACK causes is bounded: RACK_update() walks the queue's
 * mbufs up to the highest byte the ACK covers, RACK_detect_loss() those
 * up to the higher of RACK.end_seq and HighRxt, each at most
 * TCP_RACK_WALK_MAX (past it, marks wait for the next ACK or the RTO).
 *
 * Lost retransmissions. RFC 8985 judges every segment by its latest
 * transmission, so a retransmission can be lost again. In a SACK
 * recovery detect_loss() also looks at the unSACKed bytes below HighRxt
 * (what NextSeg() sent again), a tie in the ms counting as not before
 * (sequence orders first transmissions only); the first chain of runs
 * lost again pulls HighRxt back to its start and remembers its end and
 * the old HighRxt (tcp_rack_relost()): NextSeg() rule 1 sends the chain,
 * then resumes where it was, and pipe counts what was sent again above
 * the chain. A chain still to go is not judged again and one sent again
 * has a new time: one piece of evidence, one transmission. A second
 * chain waits for the next ACK (or the RTO) while the first is to go.
 *
 * Not done: bringing the reordering window's D-SACK multiplier back
 * down (RFC 8985: after 16 recoveries without a D-SACK). min_RTT is windowed simply: a sample older than the window is
 * replaced by the next, not by the least of the recent ones.
 */
#include <rte_mbuf.h>

#include "tcp_private.h"

#define TCP_RACK_WALK_MAX 512u   /* mbufs looked at per call */
#define TCP_WCDELACKT     200u   /* RFC 8985 §7.2: worst-case delayed ACK, ms */
#define TCP_PTO_NO_SRTT   1000u  /* RFC 8985 §7.2: PTO before any RTT sample */
/* A PTO never under 10 ms (FreeBSD's rack_tlp_min; Linux adds two ticks):
 * at a sub-millisecond SRTT 2·SRTT is a tick or two, shorter than a busy
 * peer's ACK takes, and a probe the peer does not report as a duplicate
 * (no D-SACK: dp/tcp itself sends none) reads as a repaired loss and cuts
 * cwnd. Measured: the AGW's bulk over a tap, 500-900 such cuts a run,
 * goodput 0.80-0.86 of the build before RACK-TLP (perf/RESULTS.md T21). */
#define TCP_PTO_MIN       10u
/* Times are the ms clock's, truncated: two sends a few µs apart may be a
 * tick apart. The reordering window is at least two ticks (a reordering
 * of under a ms is never taken for a loss), and the reordering timer
 * fires a tick late rather than early (as Linux adds TCP_TIMEOUT_MIN). */
#define TCP_RACK_REO_MIN  2u
#define TCP_RACK_REO_SLACK 1u
#define TCP_RACK_MULT_MAX 15u    /* reo_wnd_mult at most 16 */
/* RACK.min_RTT is the least RTT of a window this long (Linux's
 * tcp_min_rtt_wlen: 5 minutes): a path that changed (a handover, a new
 * route) does not keep the old one's reordering window for good. */
#define TCP_RACK_MIN_RTT_WIN (300u * 1000u)

/* RFC 8985 §6.2: was (t1, s1) sent after (t2, s2)? */
static inline bool
sent_after(uint32_t t1, uint32_t s1, uint32_t t2, uint32_t s2)
{
	return tcp_seq_gt(t1, t2) || (t1 == t2 && tcp_seq_gt(s1, s2));
}

/* Is [l, r) SACKed already (within one scoreboard range)? */
static bool
sacked(const struct tcp_conn *c, uint32_t l, uint32_t r)
{
	for (unsigned int i = 0; i < c->cold.sb_n; i++)
		if (tcp_seq_leq(c->cold.sb[i].left, l) && tcp_seq_geq(c->cold.sb[i].right, r))
			return true;
	return false;
}

/* The first unSACKed run in [s, e): false when there is none. */
static bool
unsacked_run(const struct tcp_conn *c, uint32_t s, uint32_t e, uint32_t *rs, uint32_t *re)
{
	const struct tcp_conn_cold *k = &c->cold;

	for (unsigned int i = 0; i < k->sb_n; i++)      /* sorted, disjoint */
		if (tcp_seq_leq(k->sb[i].left, s) && tcp_seq_gt(k->sb[i].right, s))
			s = k->sb[i].right;
	if (!tcp_seq_lt(s, e))
		return false;
	for (unsigned int i = 0; i < k->sb_n; i++)
		if (tcp_seq_gt(k->sb[i].left, s) && tcp_seq_lt(k->sb[i].left, e))
			e = k->sb[i].left;
	*rs = s;
	*re = e;
	return true;
}

/* Is the RXT deadline RACK's timer of this kind? */
static bool
timer_ours(const struct tcp_conn *c, uint8_t kind)
{
	return (c->cold.rack.flags & kind) && tcp_timer_armed(c, TCP_T_RXT) &&
	       c->t_due[TCP_T_RXT] == c->cold.rack.t_due;
}

static void
timer_arm(struct tcp_stack *ts, struct tcp_conn *c, uint32_t delta, uint8_t kind)
{
	struct tcp_rack *r = &c->cold.rack;
	uint64_t exp = ts->now + delta;

	/* The same deadline, armed for the same kind (a probe re-armed by a
	 * send in the same millisecond: most sends of a bulk flow), is
	 * left as it is. */
	if ((r->flags & (TCP_RACK_F_REO | TCP_RACK_F_PTO)) == kind &&
	    timer_ours(c, kind) && c->t_due[TCP_T_RXT] == (uint32_t)exp &&
	    tw_pending(&c->timer) && c->timer.expires <= exp)
		return;
	tcp_timer_set(ts, c, TCP_T_RXT, delta);
	r->t_due = c->t_due[TCP_T_RXT];
	r->flags = (uint8_t)((r->flags & ~(TCP_RACK_F_REO | TCP_RACK_F_PTO)) | kind);
}

static void
tlp_end_episode(struct tcp_rack *r)
{
	r->flags &= (uint8_t)~(TCP_RACK_F_TLP | TCP_RACK_F_TLP_RXT);
}

/*
 * RFC 8985 §6.2 steps 2 and 3 for a newly delivered part of an mbuf
 * (its stamp xts and mark, delivered up to end): the reordering seen,
 * then RACK.rtt, min_RTT and the most recently sent delivery, unless it
 * was a retransmission whose ACK may be the original's (TSecr before the
 * retransmission, or an RTT under min_RTT).
 */
static void
deliver(struct tcp_conn *c, const struct tcp_seg *seg, uint32_t xts, uint32_t mark,
	uint32_t end, uint32_t now)
{
	struct tcp_rack *r = &c->cold.rack;
	bool valid = (r->flags & TCP_RACK_F_VALID) != 0;
	bool rexmit = (mark & TCP_RACK_M_REXMIT) != 0;
	uint32_t rtt = now - xts;

	if (!valid || tcp_seq_gt(end, r->fack))
		r->fack = end;
	else if (tcp_seq_lt(end, r->fack) && !rexmit)
		r->flags |= TCP_RACK_F_REORD;
	if (rexmit) {
		if ((c->flags & TCP_CF_TS) && (seg->opts & TCP_OPT_F_TS) && seg->tsecr != 0 &&
		    tcp_seq_lt(seg->tsecr - c->ts_offset, xts))
			return;
		if (valid && rtt < r->min_rtt)
			return;
	}
	if (!valid || rtt <= r->min_rtt || now - r->min_rtt_at > TCP_RACK_MIN_RTT_WIN) {
		r->min_rtt = rtt;
		r->min_rtt_at = now;
	}
	if (!valid || sent_after(xts, end, r->xmit_ts, r->end_seq)) {
		r->xmit_ts = xts;
		r->end_seq = end;
		r->rtt = rtt;
	}
	r->flags |= TCP_RACK_F_VALID;
}

/* RACK_update() over the ranges lr[0..n) (sorted by left; the first may
 * be the cumulative one, [SND.UNA, ack)): each part of an mbuf in them
 * that the scoreboard did not hold yet. Returns true when a SACK block
 * delivered anything new. */
static bool
rack_update(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg,
	    uint32_t (*lr)[2], unsigned int n, uint32_t cum_end)
{
	const struct rte_mbuf *m = c->snd_head;
	uint32_t mseq = c->snd_una - c->snd_head_off, hi = lr[0][1], now = tcp_now32(ts);
	unsigned int walked = 0;
	bool newsack = false;

	for (unsigned int j = 1; j < n; j++)
		if (tcp_seq_gt(lr[j][1], hi))
			hi = lr[j][1];
	for (; m != NULL && tcp_seq_lt(mseq, hi) && walked < TCP_RACK_WALK_MAX;
	     mseq += m->data_len, m = m->next, walked++) {
		uint32_t ms = mseq, me = mseq + m->data_len;

		if (tcp_seq_leq(me, c->snd_una))
			continue;
		if (tcp_seq_lt(ms, c->snd_una))
			ms = c->snd_una;
		if (!tcp_seq_lt(ms, c->snd_max))
			break;                           /* never sent */
		if (tcp_seq_gt(me, c->snd_max))
			me = c->snd_max;
		for (unsigned int j = 0; j < n; j++) {
			uint32_t a = tcp_seq_max(ms, lr[j][0]), b = tcp_seq_min(me, lr[j][1]);

			if (!tcp_seq_lt(a, b) || sacked(c, a, b))
				continue;
			if (tcp_seq_geq(a, cum_end))
				newsack = true;
			deliver(c, seg, TCP_RACK_TS(m), TCP_RACK_MARK(m), b, now);
		}
	}
	return newsack;
}

/* The algorithm's ssthresh, cwnd brought down to it (RFC 8985 §7.4.2:
 * the probe repaired a loss, which recovery never saw). */
static void
tlp_cwnd_reduce(struct tcp_stack *ts, struct tcp_conn *c)
{
	c->ssthresh = ts->cc[c->cc]->ssthresh(ts, c);
	if (c->cwnd > c->ssthresh)
		c->cwnd = c->ssthresh;
}

/* RFC 8985 §7.4: the ACKs of a TLP episode (ack: the ACK's cumulative
 * point, advanced: it moved SND.UNA, newsack: it SACKed new data). */
static void
tlp_ack(struct tcp_stack *ts, struct tcp_conn *c, uint32_t ack, bool advanced, bool dsack,
	bool newsack)
{
	struct tcp_rack *r = &c->cold.rack;

	if (!(r->flags & TCP_RACK_F_TLP))
		return;
	if (c->flags & TCP_CF_RECOVERY) {
		tlp_end_episode(r);              /* recovery reduced cwnd already */
		return;
	}
	if (tcp_seq_lt(ack, r->tlp_end))
		return;
	if (!(r->flags & TCP_RACK_F_TLP_RXT) || dsack) {
		/* new data, or the D-SACK of a probe that duplicated what
		 * arrived: no loss */
		tlp_end_episode(r);
	} else if (tcp_seq_gt(ack, r->tlp_end)) {
		/* past the probe with no D-SACK for it: it repaired a loss */
		tlp_end_episode(r);
		ts->ctr[TCP_CTR_TLP_RECOVERIES]++;
		tlp_cwnd_reduce(ts, c);
	} else if (!advanced && !newsack) {
		tlp_end_episode(r);              /* the probe's duplicate ACK */
	}
}

/* RFC 8985 §6.2 step 4's D-SACK rounds: a D-SACK (what we sent twice
 * arrived twice: a retransmission was spurious, the original reordered or
 * delayed) grows the reordering window by min_RTT/4, once a round (until
 * SND.UNA passes what was sent when it came). A spurious retransmission
 * hides the reordering from RACK.fack (the late original's mbuf is marked
 * sent again), so a D-SACK also counts as reordering seen, as Linux's
 * reordering detection does. The multiplier is not brought back down
 * (RFC 8985: after 16 recoveries without D-SACK): it only makes RACK wait
 * longer, bounded by SRTT. */
static void
dsack_seen(struct tcp_conn *c, bool dsack)
{
	struct tcp_rack *r = &c->cold.rack;

	if ((r->flags & TCP_RACK_F_DSACK) && tcp_seq_geq(c->snd_una, r->dsack_round))
		r->flags &= (uint8_t)~TCP_RACK_F_DSACK;
	if (!dsack || (r->flags & TCP_RACK_F_DSACK))
		return;
	r->flags |= TCP_RACK_F_DSACK | TCP_RACK_F_REORD;
	r->dsack_round = c->snd_max;
	if (r->reo_mult < TCP_RACK_MULT_MAX)
		r->reo_mult++;
}

/*
 * The common ACK (cum_only()): cumulative only (no SACK blocks, none
 * held), RACK.fack at or below SND.UNA. When no mbuf it covers was sent
 * again, their stamps rise with their sequence (new data goes out in
 * order), so RACK_update() over each in turn comes to what it does for
 * the last alone (cum_deliver()): its end is the highest (fack), its RTT
 * the least (min_RTT), it was sent last (RACK.xmit_ts), and none ends
 * below fack (reordering). An mbuf sent again (a mark) sends the whole
 * ACK to rack_update(), which takes each in turn.
 */
static bool
cum_only(const struct tcp_conn *c, const struct tcp_seg *seg)
{
	const struct tcp_rack *r = &c->cold.rack;

	return (!(seg->opts & TCP_OPT_F_SACK) || seg->nsack == 0) && c->cold.sb_n == 0 &&
	       (!(r->flags & TCP_RACK_F_VALID) || tcp_seq_leq(r->fack, c->snd_una));
}

static void
cum_deliver(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg, uint32_t ack)
{
	const struct rte_mbuf *m = c->snd_head, *last = NULL;
	uint32_t mseq = c->snd_una - c->snd_head_off, end = 0;
	unsigned int walked = 0;

	for (; m != NULL && tcp_seq_lt(mseq, ack) && walked < TCP_RACK_WALK_MAX;
	     mseq += m->data_len, m = m->next, walked++) {
		uint32_t me = mseq + m->data_len;

		if (tcp_seq_leq(me, c->snd_una))
			continue;
		if (!tcp_seq_lt(tcp_seq_max(mseq, c->snd_una), c->snd_max))
			break;                           /* never sent */
		if (TCP_RACK_MARK(m) != 0) {
			uint32_t lr[1][2] = { { c->snd_una, ack } };

			rack_update(ts, c, seg, lr, 1, ack);
			return;
		}
		last = m;
		end = tcp_seq_min(tcp_seq_min(me, c->snd_max), ack);
	}
	if (last != NULL)
		deliver(c, seg, TCP_RACK_TS(last), 0, end, tcp_now32(ts));
}

void
tcp_rack_ack(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t lr[TCP_MAX_SACK + 1][2], ack = seg->ack;
	unsigned int n = 0;
	bool advanced, dsack = false, newsack = false;

	if (!tcp_rack_on(ts, c) || c->snd_una == c->snd_max)
		return;
	advanced = tcp_seq_gt(ack, c->snd_una) && tcp_seq_leq(ack, c->snd_max);
	if (advanced ? cum_only(c, seg) : !(seg->opts & TCP_OPT_F_SACK) || seg->nsack == 0) {
		/* (not advanced, no blocks: nothing delivered) */
		if (advanced)
			cum_deliver(ts, c, seg, ack);
		dsack_seen(c, false);
		tlp_ack(ts, c, advanced ? ack : c->snd_una, advanced, false, false);
		return;
	}
	if (!advanced)
		ack = c->snd_una;
	else {
		lr[0][0] = c->snd_una;
		lr[0][1] = ack;
		n = 1;
	}
	for (unsigned int i = 0; (seg->opts & TCP_OPT_F_SACK) && i < seg->nsack; i++) {
		uint32_t l = seg->sack[i].left, rr = seg->sack[i].right;
		unsigned int j;

		if (!tcp_seq_lt(l, rr) || tcp_seq_gt(rr, c->snd_max))
			continue;
		if (tcp_seq_leq(rr, ack)) {
			/* RFC 2883: a first block below the ACK is a D-SACK */
			if (i == 0 && tcp_seq_geq(l, c->snd_una - c->cold.max_snd_wnd))
				dsack = true;
			continue;
		}
		if (tcp_seq_lt(l, ack))
			l = ack;
		for (j = n; j > 0 && tcp_seq_gt(lr[j - 1][0], l); j--) {
			lr[j][0] = lr[j - 1][0];
			lr[j][1] = lr[j - 1][1];
		}
		lr[j][0] = l;
		lr[j][1] = rr;
		n++;
	}
	if (n > 0)
		newsack = rack_update(ts, c, seg, lr, n, ack);
	dsack_seen(c, dsack);
	tlp_ack(ts, c, ack, advanced, dsack, newsack);
}

/* RFC 8985 §6.2 step 4: the reordering window. */
static uint32_t
reo_wnd(const struct tcp_conn *c)
{
	const struct tcp_rack *r = &c->cold.rack;
	uint32_t w, srtt = c->srtt8 >> 3;

	if (!(r->flags & TCP_RACK_F_REORD)) {
		uint32_t sacked_bytes = 0;

		if ((c->flags & TCP_CF_RECOVERY) || c->rxtshift > 0)
			return 0;
		for (unsigned int i = 0; i < c->cold.sb_n; i++)
			sacked_bytes += c->cold.sb[i].right - c->cold.sb[i].left;
		if (sacked_bytes >= 3 * tcp_smss(c))      /* RACK.segs_sacked >= DupThresh */
			return 0;
	}
	w = (r->reo_mult + 1u) * (r->min_rtt / 4);
	if (srtt != 0 && w > srtt)
		w = srtt;
	return w < TCP_RACK_REO_MIN ? TCP_RACK_REO_MIN : w;
}

/* Retransmissions found lost again by one detect_loss(): the first
 * unSACKed run of them and the end of the unbroken chain that follows
 * (a run not lost again ends it; later ones wait for the next ACK). */
struct relost {
	uint32_t start, end;
	bool found, open;
};

/* RFC 8985 §6.2 step 5 for one unSACKed run [rs, re) of an mbuf last
 * sent at xts: true when it was sent before RACK's most recent delivery
 * by more than RACK.rtt + reo_wnd (lost); else the time until it would
 * be, when it was sent before, kept in *timeout if the longest. rxt: the
 * run was sent again, so a tie in the ms says nothing of the order
 * (sequence order is first transmissions' only): only an earlier tick
 * is before. */
static bool
judge(const struct tcp_rack *r, uint32_t xts, uint32_t re, uint32_t reo, uint32_t now,
      uint32_t *timeout, bool rxt)
{
	int32_t left;

	if (rxt ? !tcp_seq_gt(r->xmit_ts, xts) : !sent_after(r->xmit_ts, r->end_seq, xts, re))
		return false;
	left = (int32_t)(xts + r->rtt + reo - now);
	if (left <= 0)
		return true;
	if ((uint32_t)left > *timeout)
		*timeout = (uint32_t)left;
	return false;
}

/* RFC 8985 §6.2: the retransmissions of this SACK recovery (the unSACKed
 * bytes below HighRxt, judged by their latest transmission): [s, e) of
 * an mbuf. skip_s..skip_e: lost again already and not yet sent again. */
static void
judge_rxt(const struct tcp_conn *c, const struct rte_mbuf *m, uint32_t s, uint32_t e,
	  uint32_t skip_s, uint32_t skip_e, uint32_t reo, uint32_t now, uint32_t *timeout,
	  struct relost *rl)
{
	const struct tcp_rack *r = &c->cold.rack;
	uint32_t rs, re, xts = TCP_RACK_TS(m);

	if (!(TCP_RACK_MARK(m) & TCP_RACK_M_REXMIT))
		return;
	while (tcp_seq_lt(s, e) && unsacked_run(c, s, e, &rs, &re)) {
		s = re;
		if (skip_s != skip_e && tcp_seq_lt(rs, skip_e) && tcp_seq_gt(re, skip_s)) {
			rl->open = false;
			continue;
		}
		if (!judge(r, xts, re, reo, now, timeout, true)) {
			rl->open = false;
			continue;
		}
		if (!rl->found) {
			rl->found = rl->open = true;
			rl->start = rs;
		} else if (!rl->open) {
			continue;
		}
		rl->end = re;
	}
}

/* RFC 8985 §6.2 step 5, RACK_detect_loss(): marks and counts; returns
 * the time until the next unSACKed segment sent before RACK's would be
 * lost (0: none). In a SACK recovery, the retransmissions below HighRxt
 * too: a chain of them lost again pulls HighRxt back to its start
 * (tcp_rack_relost()), so that NextSeg() sends them once more. */
static uint32_t
detect_loss(struct tcp_stack *ts, struct tcp_conn *c, bool *marked)
{
	struct tcp_rack *r = &c->cold.rack;
	struct tcp_conn_cold *k = &c->cold;
	const struct rte_mbuf *m = c->snd_head;
	uint32_t mseq = c->snd_una - c->snd_head_off, now = tcp_now32(ts);
	uint32_t start = tcp_rack_lost_end(c), stop = tcp_seq_min(r->end_seq, c->snd_max);
	uint32_t reo = reo_wnd(c), timeout = 0, hx = c->snd_una, skip_s = 0, skip_e = 0;
	uint32_t top;
	bool relost = tcp_rack_relost(c);
	struct relost rl = { 0, 0, false, false };
	unsigned int walked = 0;

	*marked = false;
	if (!relost)
		r->flags &= (uint8_t)~TCP_RACK_F_RELOST;
	if (c->flags & TCP_CF_SACK_RECOV) {
		/* what this recovery sent again: below HighRxt, or below what
		 * it was before a pull-back */
		hx = relost ? r->rxt_hi : k->high_rxt;
		if (tcp_seq_lt(hx, c->snd_una))
			hx = c->snd_una;
		hx = tcp_seq_min(hx, c->snd_max);
		/* the last chain, while some of it is still to go again */
		if (relost && tcp_seq_lt(k->high_rxt, r->rl_end) &&
		    unsacked_run(c, tcp_seq_max(k->high_rxt, c->snd_una), r->rl_end, &skip_s,
				 &skip_e))
			skip_e = r->rl_end;
		else
			skip_s = skip_e = 0;
	}
	top = tcp_seq_lt(start, stop) ? tcp_seq_max(stop, hx) : hx;
	for (; m != NULL && tcp_seq_lt(mseq, top) && walked < TCP_RACK_WALK_MAX;
	     mseq += m->data_len, m = m->next, walked++) {
		uint32_t s = tcp_seq_max(mseq, start), e = tcp_seq_min(mseq + m->data_len, stop);
		uint32_t rs, re, xts = TCP_RACK_TS(m);

		if (tcp_seq_lt(mseq, hx))
			judge_rxt(c, m, tcp_seq_max(mseq, c->snd_una),
				  tcp_seq_min(mseq + m->data_len, hx), skip_s, skip_e, reo, now,
				  &timeout, &rl);
		while (tcp_seq_lt(s, e) && unsacked_run(c, s, e, &rs, &re)) {
			if (judge(r, xts, re, reo, now, &timeout, false)) {
				r->lost_end = re;
				*marked = true;
				ts->ctr[TCP_CTR_RACK_MARKED_LOST]++;
			}
			s = re;
		}
	}
	/* one chain at a time: a new one waits until the last went again */
	if (rl.found && skip_s == skip_e) {
		/* the chain goes again from its start; what was sent again
		 * above it stays in flight (pipe, NextSeg(): [rl_end, rxt_hi)) */
		if (!relost)
			r->rxt_hi = tcp_seq_max(k->high_rxt, hx);
		r->rl_end = rl.end;
		r->flags |= TCP_RACK_F_RELOST;
		k->high_rxt = rl.start;
		if (tcp_seq_lt(tcp_rack_lost_end(c), rl.end))
			r->lost_end = rl.end;
		*marked = true;
		ts->ctr[TCP_CTR_RACK_RXT_LOST]++;
	}
	return timeout;
}

bool
tcp_rack_detect_walk(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t timeout;
	bool marked;

	timeout = detect_loss(ts, c, &marked);
	/* the reordering timer, where it comes before the RTO */
	if (timeout > 0 && (!tcp_timer_armed(c, TCP_T_RXT) ||
			    (int32_t)(c->t_due[TCP_T_RXT] - (tcp_now32(ts) + timeout)) > 0))
		timer_arm(ts, c, timeout + TCP_RACK_REO_SLACK, TCP_RACK_F_REO);
	return marked;
}

/*
 * RFC 8985 §7.2 (c): a probe is for a tail, a flight limited by cwnd or
 * by the application (nothing left to send). With data queued and cwnd
 * room, what holds it is the peer's window or the burst limit: the next
 * ACK sends it, and a stall there is the receiver's (the RTO and the
 * persist timer handle it). Linux's tcp_schedule_loss_probe() asks the
 * same (cwnd above what is in flight and a send head: no probe), also
 * where the peer's window shuts the queue (the RFC's wording would allow
 * it). Measured: the AGW's plain bulk over a tap, legs limited by a busy
 * generator's window, sent 842 probes in 2 s, each a duplicate the
 * receiver dropped as out of window, 19 read as repaired losses that cut
 * cwnd (perf/RESULTS.md T22).
 */
static bool
tlp_tail(const struct tcp_conn *c)
{
	uint32_t data_end = c->snd_una + c->snd_queued;

	return !tcp_seq_lt(c->snd_nxt, data_end) || tcp_flight(c) >= c->cwnd;
}

void
tcp_rack_schedule(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct tcp_rack *r = &c->cold.rack;
	uint32_t srtt = c->srtt8 >> 3, pto, left;
	uint8_t mine = r->flags & (TCP_RACK_F_REO | TCP_RACK_F_PTO);
	uint64_t exp;

	/* The probe armed, nothing sent or acknowledged since, still a tail
	 * (an output that sent nothing: most of them): whatever the checks
	 * below find, they return with nothing changed. */
	if (mine == TCP_RACK_F_PTO && r->t_max == c->snd_max && timer_ours(c, mine) &&
	    tlp_tail(c))
		return;
	/* a deadline another part of the stack moved is no longer RACK's
	 * (below, mine is RACK's kind of the RXT deadline, if it is one) */
	if (mine != 0 && !timer_ours(c, mine)) {
		r->flags &= (uint8_t)~(TCP_RACK_F_REO | TCP_RACK_F_PTO);
		mine = 0;
	}
	/* RFC 8985 §7.2: not in recovery or after an RTO, not while a
	 * probe's episode lasts, something in flight, a window to probe. */
	if (!tcp_rack_on(ts, c) || !tcp_can_send_data(c->state) ||
	    (c->flags & (TCP_CF_RECOVERY | TCP_CF_DEAD)) || c->rxtshift > 0 ||
	    c->snd_una == c->snd_max || c->snd_wnd == 0 || (r->flags & TCP_RACK_F_TLP) ||
	    (mine & TCP_RACK_F_REO))
		return;
	if (!tlp_tail(c)) {
		/* not a tail (above): a probe armed for one gives way to
		 * the RTO */
		if (mine & TCP_RACK_F_PTO) {
			tcp_timer_set(ts, c, TCP_T_RXT, tcp_rto_backoff(ts, c));
			r->flags &= (uint8_t)~TCP_RACK_F_PTO;
		}
		return;
	}
	if (mine & TCP_RACK_F_PTO) {
		/* armed already, and nothing new sent or acknowledged since */
		if (r->t_max == c->snd_max)
			return;
		left = tcp_rto_backoff(ts, c);
	} else if (tcp_timer_armed(c, TCP_T_RXT)) {
		/* never later than the RTO would fire */
		int32_t d = (int32_t)(c->t_due[TCP_T_RXT] - tcp_now32(ts));

		left = d > 0 ? (uint32_t)d : 0;
	} else {
		left = tcp_rto_backoff(ts, c);
	}
	pto = srtt != 0 ? 2 * srtt : TCP_PTO_NO_SRTT;
	/* RFC 8985 §7.2 adds the worst-case delayed ACK for a flight of one
	 * segment; a receiver that ACKs every second FULL-sized segment
	 * (RFC 5681 §4.2, dp/tcp's own, Windows') holds the ACK of a full
	 * one and a short one as long: a splice's flight often ends short.
	 * So: less than two full segments in flight. */
	if (srtt != 0 && tcp_flight(c) < 2 * tcp_smss(c))
		pto += TCP_WCDELACKT;
	if (pto < TCP_PTO_MIN)
		pto = TCP_PTO_MIN;
	if (pto > left)
		pto = left;
	if (pto == 0)
		return;                          /* the RTO is due: it goes */
	exp = ts->now + pto;
	/* New data went (or SND.UNA moved) within the millisecond the probe
	 * was armed in, with the same SRTT, RTO and flight class: the same
	 * deadline, which stands as it is (most sends of a bulk flow); the
	 * timer is set only when the deadline changes. */
	if ((mine & TCP_RACK_F_PTO) && c->t_due[TCP_T_RXT] == (uint32_t)exp &&
	    tw_pending(&c->timer) && c->timer.expires <= exp) {
		r->t_max = c->snd_max;
		return;
	}
	tcp_timer_set(ts, c, TCP_T_RXT, pto);
	r->t_due = c->t_due[TCP_T_RXT];
	r->flags = (uint8_t)((r->flags & ~(TCP_RACK_F_REO | TCP_RACK_F_PTO)) | TCP_RACK_F_PTO);
	r->t_max = c->snd_max;
}

/* RFC 8985 §7.3: new data if the window allows, else the last segment
 * sent again; the episode starts; the RTO is armed again. */
static void
tlp_send_probe(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct tcp_rack *r = &c->cold.rack;
	uint32_t data_end = c->snd_una + c->snd_queued, smss = tcp_smss(c);
	uint32_t wnd_end = c->snd_una + c->snd_wnd;
	uint32_t avail = tcp_seq_lt(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
	uint32_t usable = tcp_seq_lt(c->snd_nxt, wnd_end) ? wnd_end - c->snd_nxt : 0;
	/* when the oldest unacknowledged data went (the probe may stamp
	 * its mbuf again) */
	uint32_t since = c->snd_head != NULL ? (uint32_t)TCP_RACK_TS(c->snd_head) :
			 tcp_now32(ts);
	bool rxt = false;
	int rc;

	ts->ctr[TCP_CTR_TLP_PROBES]++;
	if (c->snd_nxt == c->snd_max && avail > 0 && usable > 0) {
		uint32_t len = avail < usable ? avail : usable;

		if (len > smss)
			len = smss;
		rc = tcp_xmit(ts, c, c->snd_nxt, len, (uint8_t)(TCP_ACK | (len == avail ? TCP_PSH : 0)));
		if (rc == 0)
			c->snd_nxt += len;
	} else {
		uint32_t top = tcp_seq_lt(c->snd_max, data_end) ? c->snd_max : data_end;
		uint32_t len = tcp_seq_gt(top, c->snd_una) ? top - c->snd_una : 0;
		uint8_t flags = TCP_ACK;

		if (len > smss)
			len = smss;
		if ((c->flags & TCP_CF_FIN_QUEUED) && tcp_seq_gt(c->snd_max, data_end))
			flags |= TCP_FIN;
		rc = len > 0 || (flags & TCP_FIN) ? tcp_xmit(ts, c, top - len, len, flags) : -1;
		rxt = true;
	}
	if (rc == 0) {
		r->flags |= TCP_RACK_F_TLP;
		if (rxt)
			r->flags |= TCP_RACK_F_TLP_RXT;
		else
			r->flags &= (uint8_t)~TCP_RACK_F_TLP_RXT;
		r->tlp_end = c->snd_max;
	}
	tcp_rxt_after_probe(ts, c, since);
}

bool
tcp_rack_timeout(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct tcp_rack *r = &c->cold.rack;
	bool reo = (r->flags & TCP_RACK_F_REO) && c->t_due[TCP_T_RXT] == r->t_due;
	bool pto = (r->flags & TCP_RACK_F_PTO) && c->t_due[TCP_T_RXT] == r->t_due;

	r->flags &= (uint8_t)~(TCP_RACK_F_REO | TCP_RACK_F_PTO);
	if (!tcp_rack_on(ts, c) || c->snd_una == c->snd_max || !tcp_can_send_data(c->state) ||
	    (!reo && !pto)) {
		/* an RTO (or persist): go-back-N resends everything; the
		 * marks and the episode go with the scoreboard */
		if (c->snd_una != c->snd_max) {
			r->lost_end = c->snd_una;
			tlp_end_episode(r);
		}
		r->flags &= (uint8_t)~TCP_RACK_F_RELOST;
		return false;
	}
	if (pto && tlp_tail(c)) {
		tlp_send_probe(ts, c);
		return true;
	}
	if (pto) {
		/* no longer a tail: what can go goes, the RTO guards it */
		tcp_output(ts, c);
		if (!tcp_timer_armed(c, TCP_T_RXT))
			tcp_rxt_restart(ts, c);
		return true;
	}
	/* RFC 8985 §6.3: the reordering timer, RACK_detect_loss() again */
	if (tcp_rack_detect(ts, c) && !(c->flags & TCP_CF_RECOVERY) &&
	    tcp_seq_geq(c->snd_una, c->recover))
		tcp_rack_enter_recovery(ts, c);
	tcp_output(ts, c);
	if (!tcp_timer_armed(c, TCP_T_RXT))
		tcp_rxt_restart(ts, c);
	return true;
}
