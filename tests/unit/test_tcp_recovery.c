/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp's loss recovery and congestion-window rules for lossy and
 * mobile paths, one wire-level scenario each (the harness of
 * tcp_fixture.c: the real stack, a fake clock): PRR (RFC 6937) during
 * SACK recovery, `recover` pulled up with SND.UNA (no wrap after 2 GiB),
 * the RTO floored as Linux does and Karn's backoff ended only by a
 * sample (RFC 6298), delayed ACKs judged by the peer's segment size,
 * restart after idle (RFC 5681 §4.1), cwnd grown only when it is used
 * (RFC 7661 §4.3), a burst limit per send opportunity, and the ACK of a
 * segment taken at a closed receive window (RFC 9293 §3.10.7.4).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <rte_mbuf.h>

#include "tcp_fixture.h"
#include "tcp_inlines.h"

/* Send len bytes and have the peer acknowledge them rtt ms later
 * (segments and the ACK's answers drained). */
static void
send_acked_after(struct h *h, uint32_t len, uint32_t rtt)
{
	struct tcp_conn *c = h_conn(h);

	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(len, 0)), (int)len);
	h_drain(h);
	h_advance(h, rtt);
	h_ack(h, c->snd_max, 65535);
	h_drain(h);
}

/* Segments the stack sent since the last look (drained). */
static unsigned int
sent_now(struct h *h)
{
	unsigned int n = h_pending(h);

	h_drain(h);
	return n;
}

/* As if n more bytes had been sent and acknowledged, nothing queued
 * (a long transfer without loss, skipped over). */
static void
skip_sent(struct h *h, uint32_t n)
{
	struct tcp_conn *c = h_conn(h);

	assert_int_equal(c->snd_queued, 0);
	assert_int_equal(c->snd_una, c->snd_max);
	c->snd_una += n;
	c->snd_nxt = c->snd_max = c->snd_una;
	c->snd_wl2 = c->snd_una;
	c->cold.snd_cur = NULL;
	h->p_ack = c->snd_una;
}

/* ---- RFC 6937 PRR ----------------------------------------------------------- */

/* 20 segments in flight and 10 more queued; segment 0 is lost. The
 * SACKs of 1-3 start the recovery (ssthresh 10 segments, RecoverFS 20);
 * pipe stays above ssthresh while 4-9 are SACKed one by one: PRR sends
 * ssthresh / RecoverFS of what was delivered, one new segment every
 * second ACK (rounded up: at 6 and 8), where cwnd = ssthresh at once
 * sent nothing until pipe fell under 10 (half a round trip of silence,
 * then one segment per ACK). */
static void
test_tcp_recovery_prr_proportional(void **state)
{
	static const unsigned int want[] = { 0, 0, 1, 0, 1, 0 };   /* SACK 4..9 */
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss, S[31];

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 20;
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 30; i++)
		S[i] = c->snd_una + i * mss;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(30 * mss, 0)), (int)(30 * mss));
	assert_int_equal(sent_now(h), 20);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[2] });
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[3] });
	assert_int_equal(sent_now(h), 2);          /* limited transmit: 20, 21 */
	h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[4] });
	assert_true(c->flags & TCP_CF_SACK_RECOV);
	assert_int_equal(c->ssthresh, 11 * mss);   /* FlightSize 22 / 2 */
	r = h_pop(h);                              /* the fast retransmit only */
	assert_int_equal(r->seg.seq, S[0]);
	assert_int_equal(sent_now(h), 0);
	for (unsigned int i = 0; i < 6; i++) {
		h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[5 + i] });
		assert_int_equal(sent_now(h), want[i]);
	}
	assert_int_equal(c->cold.prr_recover_fs, 22 * mss);
	assert_int_equal(c->cold.prr_out, 3 * mss);
	assert_int_equal(c->cold.prr_delivered, 7 * mss);
	h_free(h);
}

/* Segments 0-14 of 20 lost, 15-17 SACKed: pipe (18, 19) is far under
 * ssthresh (10). cwnd = ssthresh sent 8 segments at once; PRR's
 * slow-start bound (the default) sends what was delivered plus one,
 * 2 a SACK; its conservative bound (conf.prr_crb), what was delivered,
 * 1 a SACK. */
static void
prr_bounds(bool crb)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, S[21];
	unsigned int n = crb ? 1 : 2;

	h_conf(&conf);
	conf.init_cwnd_segs = 20;
	conf.prr_crb = crb;
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 20; i++)
		S[i] = c->snd_una + i * mss;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(20 * mss, 0)), (int)(20 * mss));
	assert_int_equal(sent_now(h), 20);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[15], S[16] });
	h_sack(h, S[0], 1, (const uint32_t[]){ S[15], S[17] });
	assert_int_equal(sent_now(h), 0);          /* nothing new to send */
	h_sack(h, S[0], 1, (const uint32_t[]){ S[15], S[18] });
	assert_true(c->flags & TCP_CF_SACK_RECOV);
	assert_int_equal(c->ssthresh, 10 * mss);
	assert_int_equal(h_pending(h), n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(h_pop(h)->seg.seq, S[i]);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[15], S[19] });
	assert_int_equal(h_pending(h), n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(h_pop(h)->seg.seq, S[n + i]);
	h_free(h);
}

static void
test_tcp_recovery_prr_ssrb(void **state)
{
	(void)state;
	prr_bounds(false);
}

static void
test_tcp_recovery_prr_crb(void **state)
{
	(void)state;
	prr_bounds(true);
}

/* ---- RFC 6582 `recover` -------------------------------------------------- */

/* 2.25 GiB moved without loss (in three steps, each acknowledged by a
 * real ACK), then segment 0 of 10 lost: recovery still starts, on the
 * third duplicate ACK, with SACK (RFC 6675) and without (RFC 6582). */
static void
recover_after_wrap(bool sack)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, S[11];

	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	h = h_new(&conf);
	h->p_nosack = !sack;
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i < 3; i++) {
		skip_sent(h, 0x30000000u);
		send_acked_after(h, 100, 10);
	}
	assert_true((int32_t)(c->snd_una - c->iss) < 0);   /* past 2^31 */
	for (unsigned int i = 0; i <= 10; i++)
		S[i] = c->snd_una + i * mss;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(10 * mss, 0)), (int)(10 * mss));
	assert_int_equal(h_pending(h), 10);
	h_drain(h);
	for (unsigned int i = 1; i <= 3; i++) {
		if (sack)
			h_sack(h, S[0], 1, (const uint32_t[]){ S[1], S[i + 1] });
		else
			h_ack(h, S[0], 65535);
	}
	assert_true(c->flags & TCP_CF_RECOVERY);
	assert_int_equal(h->ts->ctr[TCP_CTR_FAST_RETRANS], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_SACK_RECOVERY], sack ? 1 : 0);
	h_drain(h);
	h_ack(h, S[10], 65535);
	assert_false(c->flags & TCP_CF_RECOVERY);
	h_drain(h);
	h_free(h);
}

static void
test_tcp_recovery_recover_pulled_up_sack(void **state)
{
	(void)state;
	recover_after_wrap(true);
}

static void
test_tcp_recovery_recover_pulled_up_newreno(void **state)
{
	(void)state;
	recover_after_wrap(false);
}

/* ---- RFC 6298: the RTO's floor, Karn ---------------------------------- */

/* SRTT 100 ms, a variance that has settled: the RTO is SRTT + 200 ms
 * (Linux: SRTT + max(4 RTTVAR, rto_min)), not max(200, SRTT + 4 RTTVAR)
 * = 200 ms; a lone segment whose ACK a receiver delays by 190 ms (ACK at
 * 290 ms) is not sent again. */
static void
test_tcp_recovery_rto_floor_linux(void **state)
{
	struct h *h;
	struct tcp_conn *c;

	(void)state;
	h = h_new(NULL);
	h_open_passive(h);
	c = h_conn(h);
	for (unsigned int i = 0; i < 48; i++)
		send_acked_after(h, 100, 100);
	assert_int_equal(c->srtt8 >> 3, 100);
	assert_true(c->rttvar4 < 20);
	assert_int_equal(c->rto, 100 + 200);
	/* the lone segment, its ACK delayed */
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	assert_int_equal(h_pop(h)->seg.len, 100);
	h_advance(h, 290);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 0);
	h_ack(h, c->snd_max, 65535);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 0);
	h_free(h);
}

/* Karn (RFC 6298 §5.7, Karn and Partridge): without timestamps, the ACK
 * of data that was sent twice gives no sample, so it does not end the
 * backoff either: the next segment's timer still runs at 2 RTO; the
 * ACK of a segment timed once does end it. */
static void
test_tcp_recovery_karn_backoff_kept_without_sample(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_conn *c;
	uint32_t base, rto;

	(void)state;
	h->p_ts = false;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, NULL, NULL, 0);
	h->p_seq++;
	h->p_ack = h_pop(h)->seg.seq + 1;
	h_advance(h, 20);
	h_ack(h, h->p_ack, 65535);
	h->id = h->ev.last_id;
	c = h_conn(h);
	assert_false(c->flags & TCP_CF_TS);
	rto = c->rto;
	base = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	h_pop(h);
	h_advance(h, rto);
	assert_int_equal(h_pop(h)->seg.seq, base);   /* the RTO */
	assert_int_equal(c->rxtshift, 1);
	h_advance(h, 5);
	h_ack(h, base + 100, 65535);                /* ambiguous: no sample */
	assert_int_equal(c->rxtshift, 1);
	/* the next segment waits 2 RTO for its ACK */
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	h_pop(h);
	h_advance(h, 2 * rto - 1);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);
	assert_int_equal(h_pop(h)->seg.seq, base + 100);
	assert_int_equal(c->rxtshift, 2);
	h_ack(h, base + 200, 65535);
	assert_int_equal(c->rxtshift, 2);
	/* a segment sent once and acknowledged: a sample, the backoff ends */
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	h_pop(h);
	h_advance(h, 30);
	h_ack(h, base + 300, 65535);
	assert_int_equal(c->rxtshift, 0);
	h_free(h);
}

/* ---- restart after idle, cwnd validation, the burst limit ------------------ */

/* Grow cwnd with a bulk transfer (cwnd-limited): 100 segments, each ACK
 * covering two. Returns cwnd. */
static uint32_t
grow_cwnd(struct h *h)
{
	struct tcp_conn *c = h_conn(h);
	uint32_t mss = h_smss(c);

	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100 * mss, 0)), (int)(100 * mss));
	while (c->snd_una != c->snd_max) {
		h_drain(h);
		h_advance(h, 10);
		h_ack(h, c->snd_una + 2 * mss < c->snd_max ? c->snd_una + 2 * mss :
		      c->snd_max, 65535);
	}
	h_drain(h);
	return c->cwnd;
}

/* RFC 5681 §4.1 (as Linux): idle 1.5 RTO with nothing in flight halves
 * cwnd (ssthresh keeps 3/4 of it); idle 5 RTO brings it down to the
 * initial window, and no more than that goes at once. */
static void
test_tcp_recovery_restart_after_idle(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, cwnd, iw;

	(void)state;
	h = h_new(NULL);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	iw = c->cwnd;
	assert_int_equal(iw, 3 * mss);
	cwnd = grow_cwnd(h);
	assert_true(cwnd >= 20 * mss);
	h_advance(h, c->rto + c->rto / 2);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	assert_int_equal(c->cwnd, cwnd / 2);
	assert_true(c->ssthresh >= cwnd - cwnd / 4);
	assert_int_equal(h->ts->ctr[TCP_CTR_CWND_RESTART], 1);
	h_drain(h);
	h_ack(h, c->snd_max, 65535);
	h_advance(h, 5 * c->rto);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(20 * mss, 0)), (int)(20 * mss));
	assert_int_equal(c->cwnd, iw);
	assert_int_equal(h_pending(h), 3);
	h_free(h);
}

/* An application-limited flow: one segment each round trip, 30 times.
 * cwnd stays at the initial window (RFC 7661 §4.3: not grown while
 * less than half of it is used), where it grew by an SMSS with every
 * ACK; a backlog written then leaves as the initial window, not as 33
 * segments at line rate. */
static void
test_tcp_recovery_app_limited_no_growth(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, iw;

	(void)state;
	h = h_new(NULL);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	iw = c->cwnd;
	for (unsigned int i = 0; i < 30; i++)
		send_acked_after(h, mss, 20);
	assert_int_equal(c->cwnd, iw);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(40 * mss, 0)), (int)(40 * mss));
	assert_int_equal(h_pending(h), 3);
	h_free(h);
}

/* RFC 7661's pipeACK test, per window (as Linux's is_cwnd_limited and its
 * slow-start rule): a send that used half of cwnd or more validates its
 * whole window, so each of its ACKs grows cwnd in slow start (10
 * segments, each ACKed alone: 10 to 20; then a burst of 12: 20 to 32),
 * not only those that still find half of cwnd in flight (which stopped
 * at 14). */
static void
test_tcp_recovery_cwnd_limited_window_grows(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, base;

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	c->ssthresh = 1000u * mss;
	assert_int_equal(c->cwnd, 10 * mss);
	base = c->snd_una;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(10 * mss, 0)), (int)(10 * mss));
	assert_int_equal(sent_now(h), 10);
	assert_true(c->flags & TCP_CF_CWND_LIM);
	for (unsigned int i = 1; i <= 10; i++)
		h_ack(h, base + i * mss, 65535);
	assert_int_equal(c->cwnd, 20 * mss);
	assert_false(c->flags & TCP_CF_CWND_LIM);   /* its window is over */
	/* a burst of 12 (over half of cwnd 20), then nothing: each of its
	 * ACKs grows cwnd, though the flight drains below half of it */
	base = c->snd_una;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(12 * mss, 0)), (int)(12 * mss));
	assert_int_equal(sent_now(h), 10);        /* (the burst limit, then an ACK's credit) */
	for (unsigned int i = 1; i <= 12; i++) {
		h_ack(h, base + i * mss, 65535);
		sent_now(h);
	}
	assert_int_equal(c->cwnd, 32 * mss);
	/* an application-limited window (two segments, cwnd 32) does not */
	base = c->snd_una;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(2 * mss, 0)), (int)(2 * mss));
	assert_int_equal(sent_now(h), 2);
	assert_false(c->flags & TCP_CF_CWND_LIM);
	h_ack(h, base + mss, 65535);
	h_ack(h, base + 2 * mss, 65535);
	assert_int_equal(c->cwnd, 32 * mss);
	h_free(h);
}

/* conf.max_burst 4 with an initial window of 20: 4 segments go at once;
 * an ACK of 2 lets 4 more go (its delivery plus one is less); a stretch
 * ACK of 6 lets 7 go (the ACK clock is not cut). */
static void
test_tcp_recovery_burst_limit(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, base;

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 20;
	conf.max_burst = 4;
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	base = c->snd_una;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(40 * mss, 0)), (int)(40 * mss));
	assert_int_equal(sent_now(h), 4);
	assert_int_equal(h->ts->ctr[TCP_CTR_BURST_LIMITED], 1);
	h_ack(h, base + 2 * mss, 65535);
	assert_int_equal(sent_now(h), 4);
	h_ack(h, base + 8 * mss, 65535);           /* 2-7: 6 segments */
	assert_int_equal(sent_now(h), 7);
	h_free(h);
}

/* An echo: what the application sends from readable(), after the ACK
 * that came with the peer's data emptied the send queue, has the ACK's
 * credit too: 8 segments acknowledged, 9 go, not conf.max_burst (2). */
static void
test_tcp_recovery_burst_credit_in_callback(void **state)
{
	static uint8_t data[100];
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss;

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 20;
	conf.max_burst = 2;
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(2 * mss, 0)), (int)(2 * mss));
	assert_int_equal(sent_now(h), 8);
	h->ev.send_in_readable = h_mbuf(20 * mss, 0);
	h->p_ack = c->snd_max;
	h_send_data(h, data, sizeof(data));
	assert_null(h->ev.send_in_readable);
	assert_int_equal(sent_now(h), 9);
	h_free(h);
}

/* ---- RFC 5682 F-RTO ---------------------------------------------------------- */

/* F-RTO on (conf.frto); 10 segments in flight, 4 more queued; their
 * ACKs are late, the RTO fires: only segment 0 goes again. */
static void
frto_setup(struct h **hp, uint32_t *S)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t mss;

	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	conf.frto = true;
	conf.rack = false;              /* the RTO itself, not a tail-loss probe first */
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 14; i++)
		S[i] = c->snd_una + i * mss;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(14 * mss, 0)), (int)(14 * mss));
	assert_int_equal(sent_now(h), 10);
	h_advance(h, c->rto);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 1);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[0]);
	assert_int_equal(h_pending(h), 0);
	*hp = h;
}

/* Spurious: the late ACKs acknowledge segments that were not sent
 * again: on the first, two new segments (10, 11) go, not 1 and 2 again;
 * on the second the timeout is declared spurious and cwnd and ssthresh
 * come back. One segment was sent again in all. */
static void
test_tcp_recovery_frto_spurious_rto_undone(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t S[15];

	(void)state;
	frto_setup(&h, S);
	c = h_conn(h);
	h_ack(h, S[2], 65535);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[10]);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, S[11]);
	assert_int_equal(h_pending(h), 0);
	h_ack(h, S[4], 65535);
	assert_int_equal(h->ts->ctr[TCP_CTR_FRTO_SPURIOUS], 1);
	assert_true(c->cwnd >= 10 * h_smss(c));
	assert_int_equal(c->ssthresh, 0x3fffffffu);
	assert_false(c->flags & (TCP_CF_FRTO1 | TCP_CF_FRTO2));
	assert_int_equal(c->recover, c->snd_una - 1);  /* fast recovery may start */
	h_drain(h);
	assert_int_equal(h->ts->ctr[TCP_CTR_RETRANS_SEGS], 1);
	h_free(h);
}

/* Real loss: segment 0 sent again is acknowledged, two new segments go;
 * the next ACK is a duplicate (1 was lost too): conventional recovery,
 * cwnd 3 SMSS, go-back-N from 1 (0 is not sent a third time), and the
 * duplicate's limited transmit (RFC 3042) one more. */
static void
test_tcp_recovery_frto_real_loss(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t S[15];

	(void)state;
	frto_setup(&h, S);
	c = h_conn(h);
	h_ack(h, S[1], 65535);
	assert_int_equal(h_pop(h)->seg.seq, S[10]);
	assert_int_equal(h_pop(h)->seg.seq, S[11]);
	assert_int_equal(h_pending(h), 0);
	h_ack(h, S[1], 65535);                    /* duplicate */
	assert_int_equal(h->ts->ctr[TCP_CTR_FRTO_SPURIOUS], 0);
	assert_int_equal(c->cwnd, 3 * h_smss(c));
	assert_int_equal(h_pop(h)->seg.seq, S[1]);
	assert_int_equal(h_pop(h)->seg.seq, S[2]);
	assert_int_equal(h_pop(h)->seg.seq, S[3]);
	assert_int_equal(h_pop(h)->seg.seq, S[4]);   /* RFC 3042, the duplicate's */
	assert_int_equal(h_pending(h), 0);
	h_free(h);
}

/* The peer SACKed data above SND.UNA before the RTO: it is receiving,
 * segment 0 was lost, no F-RTO (conventional go-back-N). */
static void
test_tcp_recovery_frto_not_with_sacked_data(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t mss, S[11];

	(void)state;
	h_conf(&conf);
	conf.init_cwnd_segs = 10;
	conf.frto = true;
	conf.rack = false;              /* the RTO itself, not a tail-loss probe first */
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	mss = h_smss(c);
	for (unsigned int i = 0; i <= 10; i++)
		S[i] = c->snd_una + i * mss;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(10 * mss, 0)), (int)(10 * mss));
	assert_int_equal(sent_now(h), 10);
	h_sack(h, S[0], 1, (const uint32_t[]){ S[9], S[10] });
	h_drain(h);
	h_advance(h, c->rto);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTO], 1);
	assert_false(c->flags & (TCP_CF_FRTO1 | TCP_CF_FRTO2));
	assert_int_equal(h_pop(h)->seg.seq, S[0]);
	h_ack(h, S[1], 65535);
	assert_int_equal(h_pop(h)->seg.seq, S[1]);   /* go-back-N */
	h_free(h);
}

/* ---- delayed ACKs by the peer's segment size ------------------------------- */

/* The peer announced MSS 1460 (our SMSS 1448) but sends 1000-byte
 * segments: from the second on they are its full size, and every second
 * one is acknowledged at once (RFC 5681 §4.2), not after the delay.
 * Small writes (100 bytes with PSH) are not taken for full segments. */
static void
test_tcp_recovery_delack_by_peer_segment_size(void **state)
{
	static uint8_t data[1000];
	struct h *h;
	struct tcp_conn *c;
	unsigned int acks = 0;

	(void)state;
	h = h_new(NULL);
	h_open_passive(h);
	c = h_conn(h);
	assert_int_equal(h_smss(c), 1448);
	for (unsigned int i = 0; i < 8; i++) {
		h_send_data(h, data, 100);
		acks += h_pending(h);
		h_drain(h);
	}
	assert_int_equal(acks, 0);                /* all left to the delay */
	h_advance(h, 50);
	assert_int_equal(h_pending(h), 1);
	h_drain(h);
	for (unsigned int i = 0; i < 8; i++) {
		h_send_data(h, data, sizeof(data));
		acks += h_pending(h);
		if (h_pending(h) > 0)
			assert_int_equal(h_pop(h)->seg.ack, h->p_seq);
		h_drain(h);
	}
	assert_true(acks >= 3);                   /* 2 (or 3), 4 (or 5), 6, 8 */
	assert_int_equal(c->cold.rcv_mss, 1000);
	h_free(h);
}

/* ---- RFC 9293 §3.10.7.4: ACKs at a closed window --------------------------- */

/* Our receive window is closed (the application does not read); the
 * peer's zero-window probe, a byte at RCV.NXT, acknowledges what we sent
 * meanwhile: its ACK field is taken (SND.UNA moves, the retransmission
 * timer stops), its byte is not, and our ACK says RCV.NXT, window 0. */
static void
test_tcp_recovery_zero_window_probe_ack_taken(void **state)
{
	static uint8_t data[4096];
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t rcv_nxt;

	(void)state;
	h_conf(&conf);
	conf.rcv_buf = 4096;
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	h_send_data(h, data, 1448);
	h_send_data(h, data, 1448);
	h_send_data(h, data, 1200);
	h_advance(h, 50);                         /* the delayed ACK */
	do
		r = h_pop(h);
	while (h_pending(h) > 0);
	assert_int_equal(r->seg.wnd, 0);
	rcv_nxt = c->rcv_nxt;
	assert_int_equal(r->seg.ack, rcv_nxt);
	/* we send; the peer probes our window, acknowledging it */
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	assert_int_equal(h_pop(h)->seg.len, 100);
	h_advance(h, 5);
	h_inject(h, TCP_ACK, h->p_seq, c->snd_max, 65535, NULL, data, 1);
	assert_int_equal(c->snd_una, c->snd_max);
	assert_false(c->t_armed & (1u << TCP_T_RXT));
	assert_int_equal(c->rcv_nxt, rcv_nxt);    /* its byte is not taken */
	assert_int_equal(c->rcv_queued, 4096);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.ack, rcv_nxt);
	assert_int_equal(r->seg.wnd, 0);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_ZERO_WND_ACK_TAKEN], 1);
	/* a probe below RCV.NXT is not acceptable: answered, nothing taken */
	h_inject(h, TCP_ACK, h->p_seq - 1, c->snd_max, 65535, NULL, data, 1);
	assert_int_equal(h_pop(h)->seg.ack, rcv_nxt);
	assert_int_equal(h->ts->ctr[TCP_CTR_ZERO_WND_ACK_TAKEN], 1);
	h_free(h);
}

/* A peer that filled our window while a hole holds RCV.NXT back sends
 * its pure ACKs from its SND.NXT, our window's right edge: their ACK
 * field is taken (SND.UNA moves), as Linux's and FreeBSD's acceptance
 * tests take it; one past the edge is still out of window. */
static void
test_tcp_recovery_ack_at_window_edge_taken(void **state)
{
	static uint8_t data[1448];
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t hole, edge, una;

	(void)state;
	h_conf(&conf);
	conf.rcv_buf = 8 * 1448;
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	edge = c->rcv_adv;
	assert_int_equal(edge - c->rcv_nxt, 8 * 1448);
	/* the first segment is lost; the other seven fill the window */
	hole = h->p_seq;
	h->p_seq += 1448;
	for (unsigned int i = 0; i < 7; i++)
		h_send_data(h, data, 1448);
	assert_int_equal(h->p_seq, edge);
	assert_int_equal(c->rcv_nxt, hole);
	assert_int_equal(c->rcv_adv, edge);
	h_drain(h);
	/* we send; the peer's ACK for it comes from the edge */
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	assert_int_equal(h_pop(h)->seg.len, 100);
	una = c->snd_una;
	h_advance(h, 5);
	h_inject(h, TCP_ACK, edge + 1, una + 100, 65535, NULL, NULL, 0);
	assert_int_equal(c->snd_una, una);        /* past the edge: not taken */
	h_drain(h);
	h_inject(h, TCP_ACK, edge, una + 100, 65535, NULL, NULL, 0);
	assert_int_equal(c->snd_una, una + 100);
	assert_false(c->t_armed & (1u << TCP_T_RXT));
	/* a segment with text at the edge: its ACK is taken, its text not */
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(50, 0)), 50);
	h_drain(h);
	h_inject(h, TCP_ACK, edge, una + 150, 65535, NULL, data, 100);
	assert_int_equal(c->snd_una, una + 150);
	assert_int_equal(c->rcv_nxt, hole);
	assert_int_equal(c->cold.ooo_bytes, 7u * 1448);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_recovery_rto_floor_linux),
		cmocka_unit_test(test_tcp_recovery_karn_backoff_kept_without_sample),
		cmocka_unit_test(test_tcp_recovery_prr_proportional),
		cmocka_unit_test(test_tcp_recovery_prr_ssrb),
		cmocka_unit_test(test_tcp_recovery_prr_crb),
		cmocka_unit_test(test_tcp_recovery_recover_pulled_up_sack),
		cmocka_unit_test(test_tcp_recovery_recover_pulled_up_newreno),
		cmocka_unit_test(test_tcp_recovery_zero_window_probe_ack_taken),
		cmocka_unit_test(test_tcp_recovery_ack_at_window_edge_taken),
		cmocka_unit_test(test_tcp_recovery_delack_by_peer_segment_size),
		cmocka_unit_test(test_tcp_recovery_restart_after_idle),
		cmocka_unit_test(test_tcp_recovery_app_limited_no_growth),
		cmocka_unit_test(test_tcp_recovery_cwnd_limited_window_grows),
		cmocka_unit_test(test_tcp_recovery_burst_limit),
		cmocka_unit_test(test_tcp_recovery_burst_credit_in_callback),
		cmocka_unit_test(test_tcp_recovery_frto_spurious_rto_undone),
		cmocka_unit_test(test_tcp_recovery_frto_real_loss),
		cmocka_unit_test(test_tcp_recovery_frto_not_with_sacked_data),
	};

	h_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
