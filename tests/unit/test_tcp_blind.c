/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp against blind (off-path) senders and hostile sources, one rule
 * a test: RFC 7323 §4.3's order for TS.Recent,
 * RFC 5961 §7 challenge-ACK limits (per connection and a randomised
 * stack budget), ACKs and RSTs from SND.MAX, RTT samples from TSecr
 * bounded, ACKs to invalid segments rate-limited, half-open connections
 * not counted against their source, SYN cookies when the pool is short,
 * malformed options skipped, the out-of-order list's work bounded, and
 * the client's RST ending a TIME_WAIT its SYN could not reuse. On the
 * tcp_fixture harness (a fake peer, a fake clock, the real stack).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "tcp_fixture.h"
#include "tcp_inlines.h"

static const struct tcp_opts_out syn_opts = {
	.opts = TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS,
	.mss = 1460, .wscale = 0, .tsval = 5000,
};

static uint32_t
read_all(struct h *h, uint8_t *buf, uint32_t cap)
{
	uint32_t n = 0;
	struct rte_mbuf *m;
	int r;

	while ((r = tcp_recv(h->ts, h->id, &m, 1u << 20)) > 0) {
		assert_true(n + (uint32_t)r <= cap);
		memcpy(buf + n, rte_pktmbuf_read(m, 0, (uint32_t)r, buf + n), (size_t)r);
		n += (uint32_t)r;
		rte_pktmbuf_free(m);
	}
	return n;
}

/* Segments the stack sent since the last look, and how many were pure
 * ACKs (no SYN, FIN, RST, no payload). */
static unsigned int
count_acks(struct h *h)
{
	unsigned int n = 0;

	while (h_pending(h) > 0) {
		const struct h_out *r = h_pop(h);

		if (r->seg.flags == TCP_ACK && r->seg.len == 0)
			n++;
	}
	return n;
}

/* Close passively to TIME_WAIT (we FIN first, the peer FINs back). */
static void
to_time_wait(struct h *h)
{
	h_open_passive(h);
	tcp_shutdown(h->ts, h->id);
	h_ack(h, h->p_ack + 1, 1000);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	h->p_seq++;
	h_drain(h);
	assert_int_equal(h->ts->ntw, 1);
}

/* ---- item 3: blind attacks -------------------------------------------------- */

/* RFC 7323 §4.3: TS.Recent only from a segment that is acceptable and
 * whose ACK is good. A forged segment at RCV.NXT with a huge TSval and
 * an ACK for data never sent (or far too old) leaves TS.Recent alone:
 * the peer's next segment passes PAWS. */
static void
test_blind_ts_recent_after_ack_check(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_opts_out o = { .opts = TCP_OPT_F_TS };
	uint8_t buf[16];
	uint32_t before;

	(void)state;
	h_open_passive(h);
	before = h_conn(h)->ts_recent;
	o.tsval = h->p_tsval + 0x40000000u;
	o.tsecr = h_last_tsval(h);
	/* ACK beyond SND.MAX */
	h_inject(h, TCP_ACK, h->p_seq, h->p_ack + 100000, 1000, &o, NULL, 0);
	assert_int_equal(h_conn(h)->ts_recent, before);
	/* ACK below SND.UNA - MAX.SND.WND (a challenge) */
	h_inject(h, TCP_ACK, h->p_seq, h->p_ack - 0x20000000u, 1000, &o, "x", 1);
	assert_int_equal(h_conn(h)->ts_recent, before);
	h_drain(h);
	h->p_tsval++;
	h_send_data(h, "real", 4);
	assert_int_equal(h->ts->ctr[TCP_CTR_PAWS_DROP], 0);
	assert_int_equal(read_all(h, buf, sizeof(buf)), 4);
	assert_int_equal(h_conn(h)->ts_recent, h->p_tsval);
	h_free(h);
}

/* RFC 5961 §7, per connection: a burst of in-window RSTs (and SYNs)
 * gets one challenge ACK per conf.invalid_ratelimit, not one each. */
static void
test_blind_challenge_ack_per_connection(void **state)
{
	struct h *h = h_new(NULL);
	unsigned int acks;

	(void)state;
	h_open_passive(h);
	for (int i = 0; i < 20; i++)
		h_inject(h, TCP_RST, h->p_seq + 100 + (uint32_t)i, 0, 0, NULL, NULL, 0);
	for (int i = 0; i < 20; i++)
		h_inject(h, TCP_SYN, h->p_seq + 200 + (uint32_t)i, 0, 65535, &syn_opts, NULL, 0);
	acks = count_acks(h);
	assert_int_equal(acks, 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_CHALLENGE_ACK], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_CHACK_LIMITED], 39);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	/* after the interval, one more */
	h_advance(h, 499);
	h_inject(h, TCP_RST, h->p_seq + 100, 0, 0, NULL, NULL, 0);
	assert_int_equal(count_acks(h), 0);
	h_advance(h, 2);
	h_inject(h, TCP_RST, h->p_seq + 100, 0, 0, NULL, NULL, 0);
	assert_int_equal(count_acks(h), 1);
	h_free(h);
}

/* RFC 5961 §7, the stack's budget: drawn each second from [n/2, 3n/2),
 * so that it differs from second to second (CVE-2016-5696: a fixed
 * budget lets an off-path observer count the ones others used). */
static void
test_blind_challenge_ack_budget_random(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	uint64_t per[8];
	bool differ = false;

	(void)state;
	h_conf(&conf);
	conf.challenge_acks = 100;
	conf.invalid_ratelimit = 0;
	h = h_new(&conf);
	h_open_passive(h);
	h_advance(h, 1000 - h->now % 1000);      /* a second's start */
	for (int s = 0; s < 8; s++) {
		uint64_t c0 = h->ts->ctr[TCP_CTR_CHALLENGE_ACK];

		for (int i = 0; i < 300; i++) {
			h_inject(h, TCP_RST, h->p_seq + 100, 0, 0, NULL, NULL, 0);
			h_forget(h);
		}
		per[s] = h->ts->ctr[TCP_CTR_CHALLENGE_ACK] - c0;
		assert_true(per[s] >= 50 && per[s] < 150);
		if (s > 0 && per[s] != per[0])
			differ = true;
		h_advance(h, 1000);
	}
	printf("challenge ACKs per second (n = 100): %llu %llu %llu %llu %llu %llu %llu %llu\n",
	       (unsigned long long)per[0], (unsigned long long)per[1],
	       (unsigned long long)per[2], (unsigned long long)per[3],
	       (unsigned long long)per[4], (unsigned long long)per[5],
	       (unsigned long long)per[6], (unsigned long long)per[7]);
	assert_true(differ);
	h_free(h);
}

/* After an RTO SND.NXT is back at SND.UNA; our ACKs and our RST are
 * numbered from SND.MAX (the peer may hold everything we sent: a RST
 * below its RCV.NXT would be dropped, RFC 5961 §3.2). */
static void
test_blind_ack_rst_from_snd_max(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;
	struct tcp_conn *c;
	uint32_t snd_max;

	(void)state;
	h_conf(&conf);
	conf.rack = false;                       /* the RTO itself, not a tail-loss probe */
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(3000, 1)), 3000);
	h_drain(h);
	snd_max = c->snd_max;
	assert_int_equal(snd_max, h->p_ack + 3000);
	h_advance(h, 1100);                      /* the RTO: the first goes again */
	r = h_pop(h);
	assert_int_equal(r->seg.seq, h->p_ack);
	h_drain(h);
	assert_true(tcp_seq_lt(c->snd_nxt, snd_max));
	/* an out-of-order segment wants an ACK at once */
	h_inject(h, TCP_ACK, h->p_seq + 10, h->p_ack, 1000, NULL, "ooo", 3);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.seq, snd_max);
	h_drain(h);
	assert_int_equal(tcp_abort(h->ts, h->id), 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_RST);
	assert_int_equal(r->seg.seq, snd_max);
	h_free(h);
}

/* RFC 7323 §4.1 samples bounded: a TSecr ahead of our clock, or older
 * than five minutes, is no echo of ours: SRTT stays what it was. */
static void
test_blind_rtt_sample_bounded(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_opts_out o = { .opts = TCP_OPT_F_TS };
	struct tcp_conn *c;
	uint32_t srtt8, rto;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	srtt8 = c->srtt8;
	rto = c->rto;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 1)), 100);
	h_drain(h);
	h_advance(h, 10);
	o.tsval = ++h->p_tsval;
	o.tsecr = h_last_tsval(h) + 0x10000000u;        /* ahead */
	h_inject(h, TCP_ACK, h->p_seq, h->p_ack + 50, 1000, &o, NULL, 0);
	assert_int_equal(c->srtt8, srtt8);
	assert_int_equal(c->rto, rto);
	o.tsval = ++h->p_tsval;
	o.tsecr = h_last_tsval(h) - 6u * 60u * 1000u;   /* six minutes old */
	h_inject(h, TCP_ACK, h->p_seq, h->p_ack + 100, 1000, &o, NULL, 0);
	assert_int_equal(c->srtt8, srtt8);
	assert_int_equal(c->rto, rto);
	assert_int_equal(h->ts->ctr[TCP_CTR_RTT_BAD], 2);
	assert_int_equal(c->snd_una, h->p_ack + 100);   /* the ACKs themselves count */
	h_free(h);
}

/* Out-of-window and PAWS-failed segments without data get at most one
 * ACK per conf.invalid_ratelimit (no ACK loop between two ends that
 * disagree); one with data is answered each time (its ACK was lost). */
static void
test_blind_invalid_ack_ratelimit(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_opts_out o = { .opts = TCP_OPT_F_TS };

	(void)state;
	h_open_passive(h);
	for (int i = 0; i < 10; i++)
		h_inject(h, TCP_ACK, h->p_seq + 10000000, h->p_ack, 1000, NULL, NULL, 0);
	o.tsval = h->p_tsval - 100;                      /* PAWS fails */
	o.tsecr = h_last_tsval(h);
	for (int i = 0; i < 10; i++)
		h_inject(h, TCP_ACK, h->p_seq, h->p_ack, 1000, &o, NULL, 0);
	assert_int_equal(count_acks(h), 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_OOW_ACK_LIMITED], 19);
	/* data already had: answered each time */
	for (int i = 0; i < 3; i++)
		h_inject(h, TCP_ACK, h->p_seq - 4, h->p_ack, 1000, NULL, "dup!", 4);
	assert_int_equal(count_acks(h), 3);
	h_advance(h, 501);
	h_inject(h, TCP_ACK, h->p_seq + 10000000, h->p_ack, 1000, NULL, NULL, 0);
	assert_int_equal(count_acks(h), 1);
	h_free(h);
}

/* ---- item 4: per-source accounting, cookies when the pool is short --------- */

/* SYN_RCVD does not count against conf.max_per_source: forged SYNs with
 * a (CGNAT) address as source do not lock out its real clients; the
 * source counts once a handshake completes, and a completed handshake
 * past the limit is refused with a RST. */
static void
test_blind_syn_rcvd_not_per_source(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;

	(void)state;
	h_conf(&conf);
	conf.max_per_source = 2;
	h = h_new(&conf);
	for (int i = 0; i < 20; i++) {               /* forged: never answered */
		h->rport = (uint16_t)(50000 + i);
		h_inject(h, TCP_SYN, 1000u * (uint32_t)i, 0, 65535, &syn_opts, NULL, 0);
	}
	assert_int_equal(h->ts->ctr[TCP_CTR_SRC_LIMIT], 0);
	assert_int_equal(tcp_src_count(h->ts, TCP_AF_IPV4, h->raddr), 0);
	h_drain(h);
	/* the real clients get in */
	h->rport = H_RPORT;
	h_open_passive(h);
	h->rport = H_RPORT + 1;
	h->ev.accepts = 0;
	h_open_passive(h);
	assert_int_equal(tcp_src_count(h->ts, TCP_AF_IPV4, h->raddr), 2);
	/* a third completes its handshake: refused now */
	h->rport = H_RPORT + 2;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	h_inject(h, TCP_ACK, h->p_seq + 1, r->seg.seq + 1, 65535, NULL, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_RST);
	assert_int_equal(h->ts->ctr[TCP_CTR_SRC_LIMIT], 1);
	assert_int_equal(h->ts->closes[TCP_REASON_SOURCE_LIMIT], 1);
	assert_int_equal(h->ev.accepts, 1);
	assert_int_equal(tcp_src_count(h->ts, TCP_AF_IPV4, h->raddr), 2);
	h_free(h);
}

/* RFC 4987: a SYN gets a cookie, not a TCB, once the pool is short (the
 * backlog is not full), and the cookie's ACK takes one of the slots
 * kept: a flood of SYNs does not shut out a client that completes. */
static void
test_blind_cookie_when_pool_short(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;
	uint32_t cookie = 0;

	(void)state;
	h_conf(&conf);                               /* max_conns 64 */
	h = h_new(&conf);
	for (int i = 0; i < 100; i++) {
		h->rport = (uint16_t)(50000 + i);
		h_inject(h, TCP_SYN, 1000u * (uint32_t)i, 0, 65535, &syn_opts, NULL, 0);
		r = h_pop(h);
		assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);   /* each answered */
		h_forget(h);
	}
	assert_true(h->ts->ctr[TCP_CTR_SYNCOOKIE_POOL] >= 36);
	assert_true(h->ts->nconns <= 64 - 64 / 16);
	assert_int_equal(h->ts->ctr[TCP_CTR_SYN_QUEUE_FULL], 0);
	/* a real client behind the flood: its SYN gets a cookie ... */
	h->rport = H_RPORT;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	cookie = r->seg.seq;
	{
		struct tcp_opts_out a = { .opts = TCP_OPT_F_TS, .tsval = 5001,
					  .tsecr = r->seg.tsval };

		h_inject(h, TCP_ACK, h->p_seq, cookie + 1, 65535, &a, NULL, 0);
	}
	/* ... and its ACK makes the connection */
	assert_int_equal(h->ts->ctr[TCP_CTR_SYNCOOKIE_OK], 1);
	assert_int_equal(h->ev.accepts, 1);
	assert_int_equal(tcp_conn_state(h->ts, h->ev.last_id), TCP_ST_ESTABLISHED);
	h_drain(h);
	h_free(h);
}

/* A good cookie with no slot at all is dropped without a RST (the
 * client sends again); a bad one still gets its RST. */
static void
test_blind_cookie_no_slot_silent(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;
	struct tcp_opts_out a = { .opts = TCP_OPT_F_TS, .tsval = 5001 };
	uint32_t cookie;

	(void)state;
	h_conf(&conf);
	conf.max_conns = 16;                         /* short at one slot left */
	h = h_new(&conf);
	h->rport = 40999;                            /* one half-open */
	h_inject(h, TCP_SYN, 77, 0, 65535, &syn_opts, NULL, 0);
	h_drain(h);
	for (int i = 0; i < 15; i++) {               /* 15 complete: the pool full */
		h->rport = (uint16_t)(50000 + i);
		h_inject(h, TCP_SYN, 1000u * (uint32_t)i, 0, 65535, &syn_opts, NULL, 0);
		r = h_pop(h);
		a.tsecr = r->seg.tsval;
		h_inject(h, TCP_ACK, 1000u * (uint32_t)i + 1, r->seg.seq + 1, 65535, &a, NULL, 0);
		h_drain(h);
	}
	assert_int_equal(h->ev.accepts, 15);
	assert_int_equal(h->ts->nfree, 0);
	h->rport = 60000;
	h_inject(h, TCP_SYN, 5, 0, 65535, &syn_opts, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	cookie = r->seg.seq;
	a.tsecr = r->seg.tsval;
	h_inject(h, TCP_ACK, 6, cookie + 1, 65535, &a, NULL, 0);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_SYNCOOKIE_NO_SLOT], 1);
	h_inject(h, TCP_ACK, 6, cookie + 2, 65535, &a, NULL, 0);   /* forged */
	assert_int_equal(h_pop(h)->seg.flags, TCP_RST);
	h_drain(h);
	h_free(h);
}

/* The per-use reserves hold with cookies: a use that floods gets
 * cookies once what it may take is short, and the ACKs of those cookies
 * do not take another use's reserve (dropped, counted); the other use
 * still gets its slots. */
static void
test_blind_cookie_keeps_use_reserves(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;
	struct tcp_opts_out a = { .opts = TCP_OPT_F_TS, .tsval = 5001 };
	int other;

	(void)state;
	h_conf(&conf);
	conf.max_conns = 10;
	h = h_new(&conf);
	other = tcp_app_register(h->ts, &h_app_ops);
	assert_true(other >= 0);
	assert_int_equal(tcp_listen(h->ts, TCP_AF_IPV4, H_LPORT + 1, other, h), 0);
	assert_int_equal(tcp_app_set_use(h->ts, h->app, 1), 0);
	assert_int_equal(tcp_app_set_use(h->ts, other, 3), 0);
	assert_int_equal(tcp_use_reserve(h->ts, 3, 4), 0);
	/* use 1: 9 handshakes; 6 slots are its to take */
	for (unsigned int i = 0; i < 9; i++) {
		h->raddr[3] = (uint8_t)(20 + i);
		h_inject(h, TCP_SYN, 1000, 0, 65535, &syn_opts, NULL, 0);
		r = h_pop(h);
		assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
		a.tsecr = r->seg.tsval;
		h_inject(h, TCP_ACK, 1001, r->seg.seq + 1, 65535, &a, NULL, 0);
		h_drain(h);
	}
	assert_int_equal(tcp_use_count(h->ts, 1), 6);
	assert_true(h->ts->ctr[TCP_CTR_SYNCOOKIE_POOL] >= 3);
	assert_int_equal(h->ts->ctr[TCP_CTR_USE_FULL], 3);
	assert_int_equal(h->ts->ctr[TCP_CTR_SYNCOOKIE_NO_SLOT], 3);
	/* use 3 still gets its 4 */
	h->lport = H_LPORT + 1;
	for (unsigned int i = 0; i < 4; i++) {
		h->raddr[3] = (uint8_t)(40 + i);
		h_inject(h, TCP_SYN, 1000, 0, 65535, &syn_opts, NULL, 0);
		r = h_pop(h);
		assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
		a.tsecr = r->seg.tsval;
		h_inject(h, TCP_ACK, 1001, r->seg.seq + 1, 65535, &a, NULL, 0);
		h_drain(h);
	}
	assert_int_equal(tcp_use_count(h->ts, 3), 4);
	assert_int_equal(h->ev.accepts, 10);
	h_free(h);
}

/* ---- item 6: options, the out-of-order list, TIME_WAIT ------------------- */

/* RFC 9293 §3.2 (MUST-64): an option of a kind we know but a length it
 * cannot have is skipped by its length, the segment kept (a SYN with a
 * five-byte MSS opens, at the default MSS); lengths that cannot be walked
 * (0, 1, past the header) still drop the segment. */
static void
test_blind_options_skipped(void **state)
{
	struct h *h = h_new(NULL);
	uint8_t seg[60];
	const struct h_out *r;

	(void)state;
	memset(seg, 0, sizeof(seg));
	tcp_seg_build(seg, H_RPORT, H_LPORT, 1000, 0, TCP_SYN, 65535, NULL);
	/* MSS, length 5; SACK-permitted, length 3; TS, length 10 */
	{
		uint8_t o[] = { 2, 5, 0x05, 0xb4, 0, 4, 3, 0, 8, 10, 0, 0, 0x13, 0x88, 0, 0,
				0, 0, 1, 0 };
		memcpy(seg + 20, o, sizeof(o));
		seg[12] = (uint8_t)(((20 + sizeof(o)) / 4) << 4);
		h_inject_raw(h, seg, 20 + sizeof(o), false);
	}
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_true(r->seg.opts & TCP_OPT_F_TS);
	assert_false(r->seg.opts & TCP_OPT_F_SACKOK);
	assert_int_equal(h->ts->ctr[TCP_CTR_OPT_SKIPPED], 2);
	assert_int_equal(h->ts->ctr[TCP_CTR_BAD_OPT], 0);
	assert_int_equal(h->ts->nconns, 1);
	h_drain(h);
	/* length 0: refused */
	h->rport = H_RPORT + 1;
	memset(seg, 0, sizeof(seg));
	tcp_seg_build(seg, H_RPORT + 1, H_LPORT, 1000, 0, TCP_SYN, 65535, NULL);
	seg[20] = 30;
	seg[21] = 0;
	seg[12] = 6 << 4;
	h_inject_raw(h, seg, 24, false);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_BAD_OPT], 1);
	/* past the header: refused */
	seg[21] = 8;
	h_inject_raw(h, seg, 24, false);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_BAD_OPT], 2);
	assert_int_equal(h->ts->nconns, 1);
	h_free(h);
}

/* The out-of-order list: arrivals past its last entry append without a
 * walk (200 of them, all held); one whose place is deeper than
 * TCP_OOO_WALK_MAX entries is dropped (counted), one near the head is
 * held. The latest arrival's SACK block comes first wherever it is. */
static void
test_blind_ooo_walk_bounded(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_conn *c;
	const struct h_out *r = NULL;
	uint32_t base;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	base = h->p_seq;
	for (uint32_t i = 1; i <= 200; i++) {
		h_inject(h, TCP_ACK, base + 2 * i, h->p_ack, 1000, NULL, "o", 1);
		h_forget(h);
	}
	assert_int_equal(c->cold.ooo_segs, 200);
	/* deep: the gap after entry 150 */
	h_inject(h, TCP_ACK, base + 2 * 150 + 1, h->p_ack, 1000, NULL, "d", 1);
	assert_int_equal(c->cold.ooo_segs, 200);
	assert_int_equal(h->ts->ctr[TCP_CTR_OOO_WALK_DROP], 1);
	h_drain(h);
	/* near the head: held */
	h_inject(h, TCP_ACK, base + 2 * 10 + 1, h->p_ack, 1000, NULL, "n", 1);
	assert_int_equal(c->cold.ooo_segs, 201);
	while (h_pending(h) > 0)
		r = h_pop(h);
	assert_non_null(r);
	assert_true(r->seg.opts & TCP_OPT_F_SACK);
	/* the latest (2*10+1 .. 2*11+1) merges with its neighbours */
	assert_int_equal(r->seg.sack[0].left, base + 2 * 10);
	/* the latest arrival past the walk: still first (RFC 2018 §4, its
	 * run is the tail's), then the block the last ACK reported first */
	h_inject(h, TCP_ACK, base + 2 * 201, h->p_ack, 1000, NULL, "t", 1);
	r = NULL;
	while (h_pending(h) > 0)
		r = h_pop(h);
	assert_non_null(r);
	assert_int_equal(r->seg.sack[0].left, base + 2 * 201);
	assert_int_equal(r->seg.sack[0].right, base + 2 * 201 + 1);
	assert_int_equal(r->seg.sack[1].left, base + 2 * 10);
	assert_int_equal(r->seg.sack[1].right, base + 2 * 11 + 1);
	assert_int_equal(c->cold.ooo_segs, 202);
	assert_null(c->cold.ooo_tail->next);
	h_drain(h);
	h_free(h);
}

/* The tail kept right when an arrival replaces the last entry (it covers
 * it wholly), when the head is pulled, and when the list empties: what
 * comes past it appends there, and the bytes come out in order. */
static void
test_blind_ooo_tail_kept(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_conn *c;
	uint8_t buf[64];
	uint32_t base;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	base = h->p_seq;
	h_inject(h, TCP_ACK, base + 2, h->p_ack, 1000, NULL, "c", 1);
	h_inject(h, TCP_ACK, base + 4, h->p_ack, 1000, NULL, "e", 1);
	assert_int_equal(c->cold.ooo_segs, 2);
	h_inject(h, TCP_ACK, base + 3, h->p_ack, 1000, NULL, "DEF", 3);  /* covers the tail */
	assert_int_equal(c->cold.ooo_segs, 2);
	assert_non_null(c->cold.ooo_tail);
	assert_int_equal(c->cold.ooo_tail->hash.usr, base + 3);
	assert_null(c->cold.ooo_tail->next);
	h_inject(h, TCP_ACK, base + 8, h->p_ack, 1000, NULL, "xy", 2);   /* past it */
	assert_int_equal(c->cold.ooo_segs, 3);
	assert_int_equal(c->cold.ooo_tail->hash.usr, base + 8);
	h_inject(h, TCP_ACK, base, h->p_ack, 1000, NULL, "ab", 2);       /* pulls to 6 */
	assert_int_equal(c->cold.ooo_segs, 1);
	assert_true(c->cold.ooo_tail == c->ooo_head);
	h_inject(h, TCP_ACK, base + 6, h->p_ack, 1000, NULL, "gh", 2);   /* pulls all */
	assert_int_equal(c->cold.ooo_segs, 0);
	assert_null(c->cold.ooo_tail);
	h_inject(h, TCP_ACK, base + 12, h->p_ack, 1000, NULL, "q", 1);   /* a new list */
	assert_true(c->cold.ooo_tail == c->ooo_head);
	h->p_seq = base + 10;
	h_send_data(h, "zz", 2);
	assert_int_equal(read_all(h, buf, sizeof(buf)), 13);
	assert_memory_equal(buf, "abcDEFghxyzzq", 13);
	h_drain(h);
	h_free(h);
}

/* A SYN reusing a TIME_WAIT tuple without a newer timestamp gets an ACK;
 * the client's SYN_SENT answers it with <SEQ=that ACK's ack><CTL=RST>,
 * which ends TIME_WAIT (as Linux), and its next SYN opens. Other RSTs
 * are ignored (RFC 1337): one with the ACK bit, one at another sequence,
 * one with no SYN answered lately. */
static void
test_blind_time_wait_client_rst(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_opts_out o = syn_opts;
	const struct h_out *r;
	uint32_t ack;

	(void)state;
	to_time_wait(h);
	/* no SYN answered: RFC 1337 */
	h_inject(h, TCP_RST, h->p_seq, 0, 0, NULL, NULL, 0);
	assert_int_equal(h->ts->ntw, 1);
	o.tsval = h->p_tsval - 1;                    /* not newer */
	h_inject(h, TCP_SYN, h->p_seq + 100000, 0, 65535, &o, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	ack = r->seg.ack;
	h_inject(h, TCP_RST | TCP_ACK, ack, r->seg.seq, 0, NULL, NULL, 0);
	h_inject(h, TCP_RST, ack + 1, 0, 0, NULL, NULL, 0);
	assert_int_equal(h->ts->ntw, 1);
	h_inject(h, TCP_RST, ack, 0, 0, NULL, NULL, 0);  /* the client's */
	assert_int_equal(h->ts->ntw, 0);
	assert_int_equal(h->ts->nconns, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_TW_RST], 1);
	h_inject(h, TCP_SYN, h->p_seq + 100000, 0, 65535, &o, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(h->ts->nconns, 1);
	h_free(h);
}

/* ... and only soon after the ACK (TCP_TW_RST_MS): later, ignored. */
static void
test_blind_time_wait_rst_late(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_opts_out o = syn_opts;
	const struct h_out *r;

	(void)state;
	to_time_wait(h);
	o.tsval = h->p_tsval - 1;
	h_inject(h, TCP_SYN, h->p_seq + 100000, 0, 65535, &o, NULL, 0);
	r = h_pop(h);
	h_advance(h, 3100);
	h_inject(h, TCP_RST, r->seg.ack, 0, 0, NULL, NULL, 0);
	assert_int_equal(h->ts->ntw, 1);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blind_ts_recent_after_ack_check),
		cmocka_unit_test(test_blind_challenge_ack_per_connection),
		cmocka_unit_test(test_blind_challenge_ack_budget_random),
		cmocka_unit_test(test_blind_ack_rst_from_snd_max),
		cmocka_unit_test(test_blind_rtt_sample_bounded),
		cmocka_unit_test(test_blind_invalid_ack_ratelimit),
		cmocka_unit_test(test_blind_syn_rcvd_not_per_source),
		cmocka_unit_test(test_blind_cookie_when_pool_short),
		cmocka_unit_test(test_blind_cookie_no_slot_silent),
		cmocka_unit_test(test_blind_cookie_keeps_use_reserves),
		cmocka_unit_test(test_blind_options_skipped),
		cmocka_unit_test(test_blind_ooo_walk_bounded),
		cmocka_unit_test(test_blind_ooo_tail_kept),
		cmocka_unit_test(test_blind_time_wait_client_rst),
		cmocka_unit_test(test_blind_time_wait_rst_late),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
