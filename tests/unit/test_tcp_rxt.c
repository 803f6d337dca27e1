/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp RACK (RFC 8985 §6.2, tcp_rack.c): a retransmission is judged by
 * its latest transmission like any segment, and one lost again is sent
 * once more in the same recovery (NextSeg() from the pulled-back HighRxt,
 * tcp_sack.c), not left for the RTO. The wire-level harness
 * (tcp_fixture.c); every connection first learns a 40 ms RTT, so
 * RACK.min_RTT is 40, SRTT 40, the RTO 200 ms (rto_min).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "tcp_fixture.h"
#include "tcp_private.h"

#define RTT 40u

/* A passive open whose handshake takes RTT, then one segment acked
 * after RTT; init_cwnd 10 segments. Nothing in flight on return. */
static struct h *
open_rtt(void)
{
	struct tcp_conf conf;

	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	return h_open_rtt(&conf, RTT);
}

/* The segments sent now, by sequence: how many start at seq. */
static unsigned int
sent_at(struct h *h, uint32_t seq)
{
	unsigned int n = 0;

	while (h_pending(h) > 0)
		if (h_pop(h)->seg.seq == seq)
			n++;
	return n;
}

/*
 * Ten segments out; 0 is lost. The SACK of 1-3 (three above it) begins
 * recovery and 0 goes again at T (its retransmission R0); the SACKs of
 * 4-9 let new data 10 and 11 go, a ms after R0. R0 is lost
 * too. 10 and 11 are SACKed RTT later: R0 was sent before them by more
 * than RACK.rtt + reo_wnd (0 in recovery, no reordering seen): lost
 * again, sent a third time at once. Without this, nothing went until
 * the RTO, 200 ms after R0.
 */
static void
test_tcp_rxt_lost_retransmission_resent(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, S[13];

	(void)state;
	h = open_rtt();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 12; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 10; i++)
		h_send_seg(h, (uint8_t)i);
	assert_int_equal(h_pending(h), 10);
	h_drain(h);
	h_send_seg(h, 10);
	h_send_seg(h, 11);
	assert_int_equal(h_pending(h), 0);        /* cwnd is full */
	h_advance(h, RTT);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[4] });
	assert_true(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(sent_at(h, S[0]), 1);    /* R0 */
	h_advance(h, 1);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[8] });
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[10] });
	h_drain(h);                              /* 10, 11 */
	assert_int_equal(c->snd_max, S[12]);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 1);
	h_advance(h, RTT + 2);
	/* 10 and 11 arrive, R0 does not */
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[12] });
	assert_int_equal(sent_at(h, S[0]), 1);    /* a third time, before any RTO */
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 2);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_RXT_LOST], 1);
	assert_true(c->flags & TCP_CF_RECOVERY);
	/* it arrives: the recovery ends, nothing more goes again */
	h_advance(h, RTT);
	h_sack(h, S[12], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(c->snd_queued, 0);
	h_advance(h, 400);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 2);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_free(h);
}

/* open_rtt(), then a reordering (segment 0 of four arrives after 1 and
 * 2, within the window): RACK.reordering_seen, so reo_wnd stays
 * min_RTT / 4 = 10 ms in recovery. */
static struct h *
open_reord(void)
{
	struct h *h = open_rtt();
	struct tcp_conn *c = h_conn(h);
	uint32_t mss = h_smss(c), a = h->p_ack;

	for (unsigned int i = 0; i < 4; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, a, 1, (const uint32_t[]){ a + mss, a + 3 * mss });
	h_advance(h, 2);
	h_sack(h, a + 4 * mss, 0, NULL);
	assert_true(c->cold.rack.flags & TCP_RACK_F_REORD);
	assert_int_equal(c->snd_queued, 0);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 0);
	return h;
}

/* Ten segments out at t0, 0 lost; the SACK of 1-3 at T = t0 + RTT
 * begins recovery and R0 goes; 5 ms later the SACK of 4-9 lets new
 * segment 10 go. Returns at T + 5 + RTT, as 10's SACK arrives: R0 was
 * sent 5 ms before 10, less than reo_wnd (10 ms), so it is not lost yet:
 * RACK's timer is armed for T + RTT + reo_wnd (and a tick). */
static struct h *
slow_rxt(uint32_t *S)
{
	struct h *h = open_reord();
	struct tcp_conn *c = h_conn(h);
	uint32_t mss = h_smss(c), T;

	for (unsigned int i = 0; i <= 11; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 10; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_advance(h, RTT);
	T = (uint32_t)h->now;
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[4] });
	assert_true(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(sent_at(h, S[0]), 1);    /* R0, at T */
	h_advance(h, 5);
	h_send_seg(h, 10);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[10] });
	assert_int_equal(c->snd_max, S[11]);      /* 10, at T + 5 */
	h_drain(h);
	h_advance(h, RTT);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[10], S[11], S[1], S[10] });
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_RXT_LOST], 0);
	assert_true(c->cold.rack.flags & TCP_RACK_F_REO);
	assert_int_equal(c->t_due[TCP_T_RXT], T + RTT + RTT / 4 + 1);
	assert_true(c->rto > RTT + RTT / 4 + 1);
	return h;
}

/* RFC 8985 §6.3: R0's deadline had not come at 10's SACK; the
 * reordering timer fires at it, R0 is lost again and goes a third
 * time, some 150 ms before the RTO. Without this, nothing was armed
 * for R0 but the RTO. */
static void
test_tcp_rxt_timer_fires_for_retransmission(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t S[12];

	(void)state;
	h = slow_rxt(S);
	c = h_conn(h);
	h_advance(h, 3);
	assert_int_equal(h_pending(h), 0);      /* not yet */
	h_advance(h, 3);
	assert_int_equal(sent_at(h, S[0]), 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_RXT_LOST], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 2);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_advance(h, RTT);
	h_sack(h, S[11], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(c->snd_queued, 0);
	h_advance(h, 400);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_free(h);
}

/* A retransmission that was only slow: R0's ACK comes before its
 * deadline; the timer that waited for it comes to nothing, R0 is not
 * sent again (by RACK or the RTO). */
static void
test_tcp_rxt_slow_retransmission_not_resent(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t S[12];

	(void)state;
	h = slow_rxt(S);
	c = h_conn(h);
	h_advance(h, 2);
	h_sack(h, S[10], 1, (const uint32_t[]){ S[10], S[11] });   /* R0 came */
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 20);                        /* past where the timer was */
	assert_int_equal(h_pending(h), 0);
	h_sack(h, S[11], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	h_advance(h, 400);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_RXT_LOST], 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_free(h);
}

/* One piece of evidence, one more transmission: the timer finds R0 lost
 * again and sends it; the SACKs that follow, holding nothing newer than
 * 10, do not send it a fourth time (its latest send is now after 10's). */
static void
test_tcp_rxt_same_evidence_once(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t S[12];

	(void)state;
	h = slow_rxt(S);
	c = h_conn(h);
	h_advance(h, 3);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[10], S[11], S[1], S[10] });
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 3);
	assert_int_equal(sent_at(h, S[0]), 1);   /* the timer */
	h_sack(h, S[0], 2, (const uint32_t[]){ S[10], S[11], S[1], S[10] });
	h_advance(h, 5);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[10], S[11], S[1], S[10] });
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_RXT_LOST], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 2);
	h_advance(h, RTT);
	h_sack(h, S[11], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	h_free(h);
}

/* Two holes, 0 and 2, both retransmissions lost: one chain (the SACKed 1
 * between them), both go again on the same ACK, each once, and pipe
 * counts neither until then: only 10, 11 and what went again are in
 * flight after. */
static void
test_tcp_rxt_two_lost_retransmissions(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[13];

	(void)state;
	h = open_rtt();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 12; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 10; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_send_seg(h, 10);
	h_send_seg(h, 11);
	h_advance(h, RTT);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[3], S[7], S[1], S[2] });
	assert_true(c->flags & TCP_CF_RECOVERY);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[0]);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[2]);
	h_drain(h);
	h_advance(h, 1);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[3], S[10], S[1], S[2] });
	h_drain(h);
	assert_int_equal(c->snd_max, S[12]);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 2);
	h_advance(h, RTT + 2);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[3], S[12], S[1], S[2] });
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[0]);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[2]);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_RXT_LOST], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 4);
	assert_int_equal(tcp_sack_pipe(c), 2 * mss);
	h_advance(h, 2);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[3], S[12], S[1], S[2] });
	assert_int_equal(h_pending(h), 0);
	h_advance(h, RTT);
	h_sack(h, S[12], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_free(h);
}

/* R0 lost again, R5 (sent a ms later, in the tick of new data 10) not
 * known lost: only 0 goes again, NextSeg() then resumes above 5 (not
 * sending it a third time), and pipe still counts R5 in flight. */
static void
test_tcp_rxt_resumes_above_chain(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[12];

	(void)state;
	h = open_rtt();
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 11; i++)
		S[i] = h->p_ack + i * mss;
	for (unsigned int i = 0; i < 10; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_send_seg(h, 10);
	h_advance(h, RTT);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[4] });
	assert_true(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(sent_at(h, S[0]), 1);    /* R0, at T */
	h_advance(h, 1);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[6], S[10], S[1], S[5] });
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[5]);       /* R5, at T + 1 */
	h_drain(h);
	assert_int_equal(c->snd_max, S[11]);      /* 10, at T + 1 */
	h_advance(h, RTT + 2);
	h_sack(h, S[0], 2, (const uint32_t[]){ S[6], S[11], S[1], S[5] });
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[0]);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RACK_RXT_LOST], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 3);
	assert_int_equal(tcp_sack_pipe(c), 2 * mss);   /* R0 again, R5 */
	h_advance(h, RTT);
	h_sack(h, S[11], 0, NULL);
	assert_false(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 3);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_rxt_lost_retransmission_resent),
		cmocka_unit_test(test_tcp_rxt_timer_fires_for_retransmission),
		cmocka_unit_test(test_tcp_rxt_slow_retransmission_not_resent),
		cmocka_unit_test(test_tcp_rxt_same_evidence_once),
		cmocka_unit_test(test_tcp_rxt_two_lost_retransmissions),
		cmocka_unit_test(test_tcp_rxt_resumes_above_chain),
	};

	h_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
