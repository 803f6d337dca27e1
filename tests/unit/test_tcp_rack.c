/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp RACK-TLP (RFC 8985, tcp_rack.c), one scenario per rule, on the
 * wire-level harness (tcp_fixture.c: the real stack, the real wheel, a
 * fake clock). Every connection here first learns a 40 ms RTT (the
 * handshake and one segment), so RACK.min_RTT is 40 and the reordering
 * window min_RTT / 4 = 10 ms; SRTT 40 ms, the RTO 200 ms (rto_min).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <rte_mbuf.h>

#include "tcp_fixture.h"
#include "tcp_private.h"

#define RTT 40u

/* RFC 8985 §7.2's PTO for c now, one segment in flight: 2·SRTT + the
 * worst-case delayed ACK (200 ms), never later than the RTO would fire
 * (RTO = SRTT + max(4·RTTVAR, rto_min), re-armed by the ACK just taken). */
static uint32_t
pto_one_seg(const struct tcp_conn *c)
{
	uint32_t pto = 2 * (c->srtt8 >> 3) + 200;

	return pto < c->rto ? pto : c->rto;
}

static struct h *
open_rack(void)
{
	struct tcp_conf conf;

	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	return h_open_rtt(&conf, RTT);
}

/* RFC 8985 §6.2: segment 0 arrives 5 ms after 1 and 2 (within the 10 ms
 * reordering window): nothing is marked lost or sent again, the
 * reordering timer that was waiting for it comes to nothing, and the
 * reordering is remembered (RACK.reordering_seen). */
static void
test_tcp_rack_reordering_within_window_not_lost(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, S[5];

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 4; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 4; i++)
		h_send_seg(h, (uint8_t)i);
	assert_int_equal(h_pending(h), 4);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[2] });
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[3] });
	assert_int_equal(h_pending(h), 0);
	/* RACK waits: its timer is the RXT deadline, reo_wnd (and a tick of
	 * the clock's truncation) away */
	assert_true(c->cold.rack.flags & TCP_RACK_F_REO);
	assert_int_equal(c->t_due[TCP_T_RXT], (uint32_t)h->now + RTT / 4 + 1);
	h_advance(h, 5);
	h_sack(h, S[3], 0, NULL);             /* 0 came, late */
	assert_true(c->cold.rack.flags & TCP_RACK_F_REORD);
	h_advance(h, 20);                        /* past where the timer was */
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_MARKED_LOST], 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RECOVERY], 0);
	assert_false(c->flags & TCP_CF_RECOVERY);
	h_sack(h, S[4], 0, NULL);
	assert_int_equal(c->snd_queued, 0);
	h_free(h);
}

/* The clock's truncation: on a sub-ms path (min_RTT 0) segment 0 went
 * out in the tick before 1 and 2, a few µs earlier perhaps, and arrives
 * just after them. reo_wnd is at least two ticks, so RACK waits (its
 * timer) and 0's late arrival ends it: nothing sent again. (With one
 * tick, the first SACK marked 0 lost: test_dp_tcp_kernel's reorder2, a
 * packet held under a ms, retransmitted 132 segments.) */
static void
test_tcp_rack_sub_ms_reordering_not_lost(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, S[4];

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	h_send_seg(h, 9);                          /* min_RTT 0 */
	h_drain(h);
	h_ack(h, h->p_ack + mss, 65535);
	assert_int_equal(c->cold.rack.min_rtt, 0);
	for (unsigned int i = 0; i <= 3; i++)
		S[i] = h->p_ack + i * mss;
	h_send_seg(h, 0);
	h_advance(h, 1);
	h_send_seg(h, 1);
	h_send_seg(h, 2);
	h_drain(h);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[2] });
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[3] });
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_MARKED_LOST], 0);
	assert_true(c->cold.rack.flags & TCP_RACK_F_REO);
	h_advance(h, 1);
	h_sack(h, S[3], 0, NULL);             /* 0, reordered */
	h_advance(h, 5);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_MARKED_LOST], 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 0);
	assert_int_equal(c->snd_queued, 0);
	h_free(h);
}

/* RFC 8985 §6.3: the same two SACKs and segment 0 never comes: the
 * reordering timer fires reo_wnd (10 ms, and a tick) later, marks 0 lost, recovery
 * begins and 0 goes again then, 189 ms before the RTO would have sent
 * it (and three duplicate ACKs never came). */
static void
test_tcp_rack_timer_marks_lost(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[5];

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 4; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 4; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[2] });
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[3] });
	assert_int_equal(h_pending(h), 0);
	h_advance(h, RTT / 4);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);                         /* reo_wnd and a tick */
	assert_int_equal(h_pending(h), 1);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[0]);
	assert_int_equal(r->seg.len, mss);
	assert_int_equal(r->payload[0], 0);
	assert_true(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_MARKED_LOST], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	/* the retransmission arrives: all is acknowledged, recovery ends */
	h_advance(h, RTT);
	h_sack(h, S[4], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(c->snd_queued, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 1);
	h_free(h);
}

/* RFC 8985 §6.2 step 5 on an ACK: segment 0 was sent 20 ms before 1
 * (more than reo_wnd, 10 ms); the first SACK of 1 marks 0 lost at once
 * and it goes again on that ACK, no timer, no duplicate ACK count. */
static void
test_tcp_rack_sent_before_by_more_than_reo_wnd(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[4];

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 3; i++)
		S[i] = h->p_ack + i * mss;
	h_send_seg(h, 0);
	h_advance(h, 20);
	h_send_seg(h, 1);
	h_send_seg(h, 2);
	assert_int_equal(h_pending(h), 3);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[2] });
	assert_int_equal(h_pending(h), 1);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[0]);
	assert_int_equal(r->seg.len, mss);
	assert_true(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_MARKED_LOST], 1);
	assert_int_equal(c->dupacks, 1);
	h_advance(h, RTT);
	h_sack(h, S[3], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(c->snd_queued, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_free(h);
}

/* RFC 8985 §7: the last two of four segments are lost. The probe
 * timeout, 2 * SRTT = 80 ms after the ACK of the first two (the RTO
 * would be 200 ms), sends the last segment again; its SACK shows 2 lost
 * (sent 80 ms before what was delivered), which goes at once: the tail
 * is repaired 120 ms after the ACK, no RTO, cwnd not collapsed. */
static void
test_tcp_rack_tlp_tail_loss_before_rto(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[5];

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 4; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 4; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[2], 0, NULL);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 2 * RTT - 1);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);
	assert_int_equal(h_pending(h), 1);
	r = h_pop(h);                            /* the probe: the last segment */
	assert_int_equal(r->seg.seq, S[3]);
	assert_int_equal(r->seg.len, mss);
	assert_int_equal(r->payload[0], 3);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_advance(h, RTT);
	h_sack(h, S[2], 1, (const uint32_t[]){ S[3], S[4] });
	assert_int_equal(h_pending(h), 1);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[2]);
	assert_int_equal(r->payload[0], 2);
	assert_true(c->flags & TCP_CF_RECOVERY);
	h_advance(h, RTT);
	h_sack(h, S[4], 0, NULL);
	assert_int_equal(c->snd_queued, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	assert_true(c->cwnd >= 2 * mss);
	h_free(h);
}

/* RFC 8985 §7.2-7.4: only the last segment is lost. One segment in
 * flight: PTO = 2 * SRTT + WCDelAckT = 280 ms, capped by the RTO (200
 * ms): the probe goes instead of the RTO (cwnd kept, no go-back-N). It
 * repairs the loss (the ACK covers it; no D-SACK says the original came):
 * once an ACK passes the probe, the episode ends with cwnd brought to
 * the algorithm's ssthresh, counted in tlp_recoveries. */
static void
test_tcp_rack_tlp_repairs_tail_loss(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[6], cwnd;

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 5; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 4; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[3], 0, NULL);
	cwnd = c->cwnd;
	h_advance(h, pto_one_seg(c) - 1);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[3]);
	assert_int_equal(r->seg.len, mss);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	assert_int_equal(c->cwnd, cwnd);
	h_advance(h, RTT);
	h_sack(h, S[4], 0, NULL);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_RECOVERIES], 0);   /* not yet */
	h_send_seg(h, 4);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[5], 0, NULL);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_RECOVERIES], 1);
	/* ssthresh from the algorithm (2 SMSS for this flight), cwnd down
	 * to it before this ACK's growth */
	assert_int_equal(c->ssthresh, 2 * mss);
	assert_true(c->cwnd < cwnd);
	assert_true(c->cwnd <= c->ssthresh + mss);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_free(h);
}

/* RFC 8985 §7.4.1: the probe duplicated a segment that had arrived (its
 * ACK was what got lost): the peer's D-SACK says so, the episode ends
 * without a cwnd reduction. */
static void
test_tcp_rack_tlp_dsack_no_reduction(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, S[6], cwnd;

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 5; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 4; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[3], 0, NULL);
	cwnd = c->cwnd;
	h_advance(h, pto_one_seg(c));
	assert_int_equal(h_pop(h)->seg.seq, S[3]);
	h_advance(h, RTT);
	h_sack(h, S[4], 1, (const uint32_t[]){ S[3], S[4] });   /* D-SACK */
	h_send_seg(h, 4);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[5], 0, NULL);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_RECOVERIES], 0);
	assert_true(c->cwnd >= cwnd);
	/* RFC 8985 §6.2 step 4: the D-SACK grew the reordering window */
	assert_true(c->cold.rack.flags & TCP_RACK_F_REORD);
	assert_int_equal(c->cold.rack.reo_mult, 1);
	h_free(h);
}

/* RFC 8985 §7.3: with unsent data the window allows, the probe is new
 * data (here: cwnd full, the peer's window open). */
static void
test_tcp_rack_tlp_probe_new_data(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[4];

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 2;
	h = h_open_rtt(&conf, RTT);
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 3; i++)
		S[i] = h->p_ack + i * mss;
	c->cwnd = 2 * mss;                       /* (the warm-up grew it) */
	c->ssthresh = 2 * mss;
	for (unsigned int i = 0; i < 3; i++)
		h_send_seg(h, (uint8_t)i);
	assert_int_equal(h_pending(h), 2);       /* cwnd holds the third */
	h_drain(h);
	h_advance(h, 2 * RTT);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[2]);
	assert_int_equal(r->payload[0], 2);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 0);
	h_advance(h, RTT);
	h_sack(h, S[3], 0, NULL);
	assert_int_equal(c->snd_queued, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_RECOVERIES], 0);
	h_free(h);
}

/* A flight of a full segment and a short one: a receiver that ACKs every
 * second full-sized segment (RFC 5681 §4.2) may hold its ACK for the
 * delay, so the PTO waits for it (2·SRTT + 200 ms, capped by the RTO),
 * as for one segment. */
static void
test_tcp_rack_pto_short_tail_wcdelackt(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss;

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	h_send_seg(h, 1);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 2)), 100);
	assert_int_equal(h_pending(h), 2);
	assert_int_equal(tcp_flight(c), mss + 100);
	h_drain(h);
	h_advance(h, 2 * RTT + 20);               /* 2·SRTT alone would have fired */
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 0);
	h_advance(h, pto_one_seg(c));
	assert_true(h_pending(h) >= 1);           /* the probe (or the RTO) by then */
	h_free(h);
}

/* RFC 8985 §7.2 (c), Linux's rule: a flight held by the peer's window
 * (data queued, cwnd room) is not a tail: no probe at the PTO, the RTO
 * (200 ms) guards it. */
static void
test_tcp_rack_no_probe_when_peer_window_holds(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss;

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	h_ack(h, h->p_ack, (uint16_t)(2 * mss));  /* the peer's window: two segments */
	for (unsigned int i = 0; i < 3; i++)
		h_send_seg(h, (uint8_t)i);
	assert_int_equal(h_pending(h), 2);       /* the window holds the third */
	assert_true(c->cwnd > tcp_flight(c));
	h_drain(h);
	h_advance(h, 2 * RTT + 20);              /* past 2·SRTT */
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 0);
	h_advance(h, 200);                       /* the RTO */
	assert_true(h_pending(h) >= 1);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, h->p_ack);  /* go-back-N from SND.UNA */
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 0);
	h_free(h);
}

/* RFC 8985 §7.2: with one segment in flight the PTO waits for a delayed
 * ACK too, 2 * SRTT + WCDelAckT = 280 ms (here under the RTO: rto_min
 * 1 s, RFC 6298's); the RTO comes after the probe, from it. */
static void
test_tcp_rack_pto_one_segment_wcdelackt(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, una;

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	conf.rto_min = 1000;
	h = h_open_rtt(&conf, RTT);
	c = h_conn(h);
	mss = h_smss(c);
	una = h->p_ack;
	h_send_seg(h, 0);
	h_send_seg(h, 1);
	h_drain(h);
	h_advance(h, RTT);
	h_ack(h, una + mss, 65535);              /* one segment left in flight */
	h_advance(h, 2 * RTT + 200 - 1);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);
	assert_int_equal(h_pop(h)->seg.seq, una + mss);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	assert_int_equal(c->t_due[TCP_T_RXT], (uint32_t)h->now + c->rto);
	h_ack(h, una + 2 * mss, 65535);
	assert_int_equal(c->snd_queued, 0);
	h_free(h);
}

/* RFC 8985 §6.2 in recovery (reo_wnd 0 until reordering is seen): the
 * SACK of 8 marks 5 and 7 lost at once, sent before it; RFC 6675 alone
 * (test_tcp_sack_multiple_holes_one_rtt, the same ACKs) sends them one
 * ACK later, when three SMSS lie SACKed above 5. */
static void
test_tcp_rack_recovery_marks_by_time(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[11];

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 10; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 10; i++)
		h_send_seg(h, (uint8_t)i);
	assert_int_equal(h_pending(h), 10);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[2], 1, (const uint32_t[]){ S[3], S[4] });
	h_sack(h, S[2], 1, (const uint32_t[]){ S[3], S[5] });
	/* 2 was sent in the same ms as 3 and 4: the reordering timer */
	assert_int_equal(h_pending(h), 0);
	h_sack(h, S[2], 2, (const uint32_t[]){ S[6], S[7], S[3], S[5] });
	assert_true(c->flags & TCP_CF_RECOVERY);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[2]);
	assert_int_equal(h_pending(h), 0);
	h_sack(h, S[2], 3, (const uint32_t[]){ S[8], S[9], S[6], S[7], S[3], S[5] });
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[5]);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[7]);
	assert_int_equal(h_pending(h), 0);
	assert_true(h->ts->ctr[TCP_CTR_RACK_MARKED_LOST] >= 2);
	h_advance(h, RTT);
	h_sack(h, S[10], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(c->snd_queued, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 3);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_free(h);
}

/* RFC 8985 §6.2: RACK.min_RTT over a window (5 minutes): a longer RTT
 * does not replace it within the window, and does once the least sample
 * is older (the path changed: its reordering window follows). */
static void
test_tcp_rack_min_rtt_windowed(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss;

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	assert_int_equal(c->cold.rack.min_rtt, RTT);
	h_send_seg(h, 1);
	h_drain(h);
	h_advance(h, 100);
	h_ack(h, h->p_ack + mss, 65535);
	assert_int_equal(c->cold.rack.min_rtt, RTT);
	h_advance(h, 300u * 1000u);
	h_send_seg(h, 2);
	h_drain(h);
	h_advance(h, 100);
	h_ack(h, h->p_ack + mss, 65535);
	assert_int_equal(c->cold.rack.min_rtt, 100);
	h_free(h);
}

/* Without SACK (the peer did not offer it) RACK-TLP stays off, as in
 * Linux: no probe, the RTO repairs a tail loss. */
static void
test_tcp_rack_off_without_sack(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, una;

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	h = h_new(&conf);
	h->p_nosack = true;
	h_open_passive(h);
	c = h_conn(h);
	assert_false(c->flags & TCP_CF_SACK);
	mss = h_smss(c);
	una = h->p_ack;
	for (unsigned int i = 0; i < 4; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_advance(h, RTT);
	h_ack(h, una + 2 * mss, 65535);
	h_advance(h, c->rto - 1);                /* the RTO, no probe before it */
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);
	assert_int_equal(h_pop(h)->seg.seq, una + 2 * mss);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 0);
	h_drain(h);
	h_ack(h, una + 4 * mss, 65535);
	h_free(h);
}

/* Nothing is allocated for RACK: a loss found by RACK, its recovery and
 * a probe leave the pool holding exactly the send queue's mbufs (each
 * segment built is freed by the harness once captured). */
static void
test_tcp_rack_no_alloc_per_segment(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, S[9];
	unsigned int base;

	(void)state;
	h = open_rack();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 8; i++)
		S[i] = h->p_ack + i * mss;
	base = rte_mempool_in_use_count(h_pool());
	for (unsigned int i = 0; i < 8; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	assert_int_equal(c->cold.snd_segs, 8);
	assert_int_equal(rte_mempool_in_use_count(h_pool()), base + 8);
	h_advance(h, RTT);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[3] });
	h_advance(h, RTT / 4 + 1);               /* the reordering timer */
	assert_true(h->ts->ctr[TCP_CTR_RACK_MARKED_LOST] >= 1);
	assert_true(h_pending(h) >= 1);
	h_drain(h);
	assert_int_equal(rte_mempool_in_use_count(h_pool()), base + 8);
	h_advance(h, RTT);
	h_sack(h, S[6], 0, NULL);
	h_advance(h, 300);                       /* a probe or an RTO */
	h_drain(h);
	assert_int_equal(rte_mempool_in_use_count(h_pool()), base + c->cold.snd_segs);
	h_sack(h, S[8], 0, NULL);
	assert_int_equal(rte_mempool_in_use_count(h_pool()), base);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_rack_reordering_within_window_not_lost),
		cmocka_unit_test(test_tcp_rack_sub_ms_reordering_not_lost),
		cmocka_unit_test(test_tcp_rack_timer_marks_lost),
		cmocka_unit_test(test_tcp_rack_sent_before_by_more_than_reo_wnd),
		cmocka_unit_test(test_tcp_rack_tlp_tail_loss_before_rto),
		cmocka_unit_test(test_tcp_rack_tlp_repairs_tail_loss),
		cmocka_unit_test(test_tcp_rack_tlp_dsack_no_reduction),
		cmocka_unit_test(test_tcp_rack_tlp_probe_new_data),
		cmocka_unit_test(test_tcp_rack_no_probe_when_peer_window_holds),
		cmocka_unit_test(test_tcp_rack_pto_short_tail_wcdelackt),
		cmocka_unit_test(test_tcp_rack_pto_one_segment_wcdelackt),
		cmocka_unit_test(test_tcp_rack_recovery_marks_by_time),
		cmocka_unit_test(test_tcp_rack_min_rtt_windowed),
		cmocka_unit_test(test_tcp_rack_off_without_sack),
		cmocka_unit_test(test_tcp_rack_no_alloc_per_segment),
	};

	h_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
