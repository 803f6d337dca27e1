/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp's timers that give up (tcp_timer.c): the RFC 5482 user timeout
 * (conf.user_timeout) over retransmissions and over unanswered
 * zero-window probes, the orphans' limit (conf.orphan_timeout) that
 * returns what a closed connection held to the worker, the probe after an
 * RTO at a closed window (RFC 9293 §3.8.6.1), and keepalive per
 * connection (tcp_set_keepalive(), RFC 9293 §3.8.4, RFC 1122 §4.2.3.6).
 * On the fake clock of tcp_fixture.c; every test ends with every mbuf
 * back and the wheel empty (h_free()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "tcp_fixture.h"
#include "tcp_inlines.h"

/* Move the clock a ms at a time until a segment comes out or max_ms
 * passed: the ms it took (max_ms + 1: none came). */
static uint64_t
until_out(struct h *h, uint64_t max_ms)
{
	for (uint64_t t = 1; t <= max_ms; t++) {
		h_advance(h, 1);
		if (h_pending(h) > 0)
			return t;
	}
	return max_ms + 1;
}

/* ms of the clock a ms at a time (as dp's loop moves it: one jump would
 * fire every timer on its way late, at its end), dropping what comes out. */
static void
step(struct h *h, uint64_t ms)
{
	while (ms-- > 0) {
		h_advance(h, 1);
		h_drain(h);
	}
}

/* The connection ends (RST out, closed()) at t0 + ms: not a ms before. */
static void
ends_at(struct h *h, uint64_t t0, uint64_t ms, enum tcp_reason why)
{
	uint64_t left = t0 + ms - h->now;

	h_drain(h);
	while (left > 1) {
		h_advance(h, 1);
		left--;
		h_drain(h);
		assert_int_equal(h->ev.closeds, 0);
	}
	h_advance(h, 1);
	assert_int_equal(h->ev.closeds, 1);
	assert_int_equal(h->ev.last_reason, why);
	assert_true(h_pending(h) > 0);
	while (h_pending(h) > 1)
		(void)h_pop(h);
	assert_int_equal(h_pop(h)->seg.flags & TCP_RST, TCP_RST);
}

/* RFC 5482: data never acknowledged ends the connection after the user
 * timeout, counted from when the oldest unacknowledged data went (here
 * long before conf.retries would: the timer is clamped to the deadline). */
static void
test_timers_user_timeout_rto(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	uint64_t t0;

	(void)state;
	h_conf(&conf);
	conf.user_timeout = 3000;
	h = h_new(&conf);
	h_open_passive(h);
	t0 = h->now;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	assert_int_equal(h_pop(h)->seg.len, 100);
	ends_at(h, t0, 3000, TCP_REASON_USER_TIMEOUT);
	assert_int_equal(h->ts->ctr[TCP_CTR_USER_TIMEOUT], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_PERSIST_GAVE_UP], 0);
	assert_int_equal(h->ts->closes[TCP_REASON_USER_TIMEOUT], 1);
	assert_int_equal(h->ts->held, 0);
	h_free(h);
}

/* The persist timer does not probe for ever: unanswered, it gives up at
 * the user timeout (from when the window was found closed). */
static void
test_timers_persist_unanswered_ends(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	uint64_t t0;
	uint32_t una;

	(void)state;
	h_conf(&conf);
	conf.user_timeout = 10000;
	h = h_new(&conf);
	h_open_passive(h);
	una = h->p_ack;
	h_ack(h, una, 0);
	t0 = h->now;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	assert_int_equal(until_out(h, 1000), h_conn(h)->rto);  /* (SRTT + rto_min) */
	assert_int_equal(h_pop(h)->seg.seq, una - 1);          /* a probe */
	ends_at(h, t0, 10000, TCP_REASON_USER_TIMEOUT);
	assert_true(h->ts->ctr[TCP_CTR_PERSIST_PROBE] >= 5);
	assert_int_equal(h->ts->ctr[TCP_CTR_USER_TIMEOUT], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_PERSIST_GAVE_UP], 1);
	assert_int_equal(h->ts->held, 0);
	h_free(h);
}

/* RFC 1122 §4.2.2.17: a peer that answers the probes may keep its window
 * closed as long as it likes; once it stops answering, the user timeout
 * counts from its last answer. */
static void
test_timers_persist_answered_lives(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	uint64_t last;
	uint32_t una;

	(void)state;
	h_conf(&conf);
	conf.user_timeout = 10000;
	conf.retries = 3;
	h = h_new(&conf);
	h_open_passive(h);
	una = h->p_ack;
	h_ack(h, una, 0);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	last = h->now;
	while (h->now - last < 100000) {
		assert_true(until_out(h, 60000) <= 60000);
		assert_int_equal(h_pop(h)->seg.seq, una - 1);
		h_drain(h);
		h_ack(h, una, 0);                    /* alive, still closed */
		last = h->now;
		if (h->ts->ctr[TCP_CTR_PERSIST_PROBE] >= 12)
			break;
	}
	assert_true(h->ts->ctr[TCP_CTR_PERSIST_PROBE] >= 12);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	ends_at(h, last, 10000, TCP_REASON_USER_TIMEOUT);
	assert_int_equal(h->ts->ctr[TCP_CTR_PERSIST_GAVE_UP], 1);
	h_free(h);
}

/* An orphan in FIN_WAIT_1 (closed with data unsent) whose peer keeps its
 * window shut, answering every probe: it ends at the orphan timeout, and
 * what it held goes back to the worker. */
static void
test_timers_orphan_fin_wait_1_zero_window(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	uint64_t t0;
	uint32_t una;
	tcp_id_t id;

	(void)state;
	h_conf(&conf);
	conf.orphan_timeout = 5000;
	h = h_new(&conf);
	h_open_passive(h);
	una = h->p_ack;
	id = h->id;
	h_ack(h, una, 0);
	t0 = h->now;
	assert_int_equal(tcp_send(h->ts, id, h_mbuf(3000, 0)), 3000);
	assert_int_equal(h->ts->held, 3000);
	assert_int_equal(tcp_close(h->ts, id), 0);
	assert_int_equal(tcp_conn_state(h->ts, id), TCP_ST_FIN_WAIT_1);
	for (;;) {
		uint64_t left = 4900 - (h->now - t0);

		if (until_out(h, left) > left)
			break;
		assert_int_equal(h_pop(h)->seg.seq, una - 1);
		h_drain(h);
		h_ack(h, una, 0);                    /* answered: still shut */
	}
	assert_int_equal(tcp_conn_state(h->ts, id), TCP_ST_FIN_WAIT_1);
	assert_int_equal(h->ts->held, 3000);
	h_advance(h, 100);
	assert_int_equal(tcp_conn_state(h->ts, id), -ENOTCONN);
	assert_int_equal(h->ts->held, 0);
	assert_int_equal(h->ts->closes[TCP_REASON_ORPHAN_TIMEOUT], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_ORPHAN_TIMEOUT], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_PERSIST_GAVE_UP], 1);
	assert_int_equal(h->ev.closeds, 0);       /* its application left */
	while (h_pending(h) > 1)
		(void)h_pop(h);
	assert_int_equal(h_pop(h)->seg.flags & TCP_RST, TCP_RST);
	h_free(h);
}

/* A connection stalled behind a closed window for longer than the
 * orphan timeout (its peer answering, the probes backed off to seconds
 * apart) ends as soon as its application closes it, not a backoff later. */
static void
test_timers_orphan_stalled_before_close(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	uint32_t una;
	tcp_id_t id;

	(void)state;
	h_conf(&conf);
	conf.orphan_timeout = 5000;
	h = h_new(&conf);
	h_open_passive(h);
	una = h->p_ack;
	id = h->id;
	h_ack(h, una, 0);
	assert_int_equal(tcp_send(h->ts, id, h_mbuf(3000, 0)), 3000);
	while (h->ts->ctr[TCP_CTR_PERSIST_PROBE] < 6) {
		assert_true(until_out(h, 60000) <= 60000);
		h_drain(h);
		h_ack(h, una, 0);                    /* answered: still shut */
	}
	step(h, 100);                             /* the next probe is seconds away */
	assert_int_equal(tcp_conn_state(h->ts, id), TCP_ST_ESTABLISHED);
	assert_int_equal(tcp_close(h->ts, id), 0);
	step(h, 2);
	assert_int_equal(tcp_conn_state(h->ts, id), -ENOTCONN);
	assert_int_equal(h->ts->ctr[TCP_CTR_ORPHAN_TIMEOUT], 1);
	assert_int_equal(h->ts->held, 0);
	h_free(h);
}

/* An orphan in LAST_ACK with data and FIN in flight, its peer gone: the
 * orphan timeout, not conf.retries' many minutes. */
static void
test_timers_orphan_last_ack_silent(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	uint64_t t0;
	tcp_id_t id;

	(void)state;
	h_conf(&conf);
	conf.orphan_timeout = 5000;
	h = h_new(&conf);
	h_open_passive(h);
	id = h->id;
	h_inject(h, TCP_ACK | TCP_FIN, h->p_seq, h->p_ack, 65535, NULL, NULL, 0);
	h->p_seq++;
	h_drain(h);
	assert_int_equal(tcp_conn_state(h->ts, id), TCP_ST_CLOSE_WAIT);
	t0 = h->now;
	assert_int_equal(tcp_send(h->ts, id, h_mbuf(1000, 0)), 1000);
	assert_int_equal(tcp_close(h->ts, id), 0);
	assert_int_equal(tcp_conn_state(h->ts, id), TCP_ST_LAST_ACK);
	assert_int_equal(h->ts->held, 1000);
	step(h, 4990);
	assert_int_equal(tcp_conn_state(h->ts, id), TCP_ST_LAST_ACK);
	step(h, 20);
	assert_int_equal(tcp_conn_state(h->ts, id), -ENOTCONN);
	assert_int_equal(h->ts->held, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_ORPHAN_TIMEOUT], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_PERSIST_GAVE_UP], 0);
	assert_int_equal(h->now - t0, 5010);
	h_free(h);
}

/* RFC 9293 §3.8.6.1: the peer took part of what was in flight and closed
 * its window. At the RTO a probe goes (the first byte again), not
 * go-back-N into a zero window, which sends nothing and ends the
 * connection after conf.retries however alive the peer; the peer's answers
 * keep it alive past the retries, and its window's opening lets the rest
 * go. */
static void
test_timers_rto_zero_window_probes(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;
	uint32_t una, first;
	uint16_t mss;
	int probes = 0;

	(void)state;
	h_conf(&conf);
	conf.retries = 3;
	h = h_new(&conf);
	h_open_passive(h);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(5000, 0)), 5000);
	first = h_pop(h)->seg.len;
	h_drain(h);                               /* three more segments */
	mss = h_conn(h)->mss;
	h_ack(h, una + first, 0);                 /* part taken, window shut */
	h_drain(h);
	for (int i = 0; i < 8; i++) {
		assert_true(until_out(h, 60000) <= 60000);
		r = h_pop(h);
		assert_int_equal(r->seg.seq, una + first);
		assert_true(r->seg.len <= 1);
		probes++;
		h_drain(h);
		h_ack(h, una + first, 0);         /* alive, still shut */
		h_drain(h);
	}
	assert_int_equal(probes, 8);
	/* repeated RTOs at a closed window are no black hole (RFC 4821) */
	assert_int_equal(h_conn(h)->mss, mss);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_BLACKHOLE], 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_true(h->ts->ctr[TCP_CTR_PERSIST_PROBE] >= 8);
	h_ack(h, una + first, 65535);             /* open */
	r = h_pop(h);
	assert_int_equal(r->seg.seq, una + first);
	assert_int_equal(r->seg.len, first);      /* full segments again */
	h_drain(h);
	for (int i = 0; i < 20 && h_conn(h)->snd_una != una + 5000; i++) {
		h_ack(h, h_conn(h)->snd_max, 65535);
		h_drain(h);
	}
	assert_int_equal(h_conn(h)->snd_una, una + 5000);
	assert_int_equal(h->ev.closeds, 0);
	h_drain(h);
	h_free(h);
}

/* tcp_set_keepalive(): a silent peer ends after idle + cnt intervals
 * (the stack's conf has no keepalive). */
static void
test_timers_keepalive_silent_peer_ends(void **state)
{
	struct h *h = h_new(NULL);
	uint64_t t0;

	(void)state;
	h_open_passive(h);
	assert_int_equal(tcp_set_keepalive(h->ts, h->id, 10000, 1000, 3), 0);
	t0 = h->now;
	h_advance(h, 9999);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);
	assert_int_equal(h_pop(h)->seg.seq, h->p_ack - 1);
	h_advance(h, 1000);
	assert_int_equal(h_pop(h)->seg.seq, h->p_ack - 1);
	h_advance(h, 1000);
	assert_int_equal(h_pop(h)->seg.seq, h->p_ack - 1);
	ends_at(h, t0, 13000, TCP_REASON_KEEPALIVE);
	assert_int_equal(h->ts->ctr[TCP_CTR_KEEPALIVE_PROBE], 3);
	assert_int_equal(h->ts->ctr[TCP_CTR_KEEPALIVE_END], 1);
	assert_int_equal(h->ts->closes[TCP_REASON_KEEPALIVE], 1);
	h_free(h);
}

/* A peer that answers keepalives lives; one of them lost is forgiven by
 * the next answer. */
static void
test_timers_keepalive_answered_lives(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_open_passive(h);
	assert_int_equal(tcp_set_keepalive(h->ts, h->id, 10000, 1000, 2), 0);
	for (int i = 0; i < 20; i++) {
		assert_true(until_out(h, 11000) <= 10000);
		assert_int_equal(h_pop(h)->seg.seq, h->p_ack - 1);
		if (i % 3 == 0) {                 /* this one unanswered */
			assert_true(until_out(h, 1000) == 1000);
			assert_int_equal(h_pop(h)->seg.seq, h->p_ack - 1);
		}
		h_ack(h, h->p_ack, 65535);
	}
	assert_int_equal(h->ev.closeds, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h->ts->ctr[TCP_CTR_KEEPALIVE_END], 0);
	h_free(h);
}

/* A connection's own setting wins over the stack's: idle 0 turns it off;
 * set before the handshake ends, it starts with the connection. */
static void
test_timers_keepalive_per_connection(void **state)
{
	struct tcp_conf conf;
	struct h *h;

	(void)state;
	h_conf(&conf);
	conf.keep_idle = 5000;
	conf.keep_intvl = 1000;
	conf.keep_cnt = 1;
	h = h_new(&conf);
	h_open_passive(h);
	assert_int_equal(tcp_set_keepalive(h->ts, h->id, 0, 0, 0), 0);
	h_advance(h, 60000);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ev.closeds, 0);
	assert_int_equal(tcp_set_keepalive(h->ts, h->id, 1000, 0, 3), -EINVAL);
	assert_int_equal(tcp_set_keepalive(h->ts, h->id, 1000, 100, 256), -EINVAL);
	assert_int_equal(tcp_abort(h->ts, h->id), 0);
	h_drain(h);
	h_free(h);
}

/* A second connection from rport, established; *ack: what its peer
 * acknowledges. */
static tcp_id_t
second_conn(struct h *h, uint16_t rport, uint32_t *ack)
{
	struct tcp_opts_out o = {
		.opts = TCP_OPT_F_MSS | TCP_OPT_F_TS | TCP_OPT_F_SACKOK,
		.mss = 1460, .tsval = h->p_tsval,
	};
	const struct h_out *r;
	tcp_id_t id;

	h->rport = rport;
	h->p_seq = 0x20000000u + rport;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &o, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	*ack = r->seg.seq + 1;
	h_ack(h, *ack, 65535);
	id = h->ev.last_id;
	assert_int_equal(tcp_conn_state(h->ts, id), TCP_ST_ESTABLISHED);
	return id;
}

/* The KEEP deadline also polls for a send the worker's cap refused
 * (every TCP_HELD_POLL_MS): a silent peer still gets its probes an
 * interval apart, and its end after idle + count intervals, not after a
 * few polls. */
static void
test_timers_keepalive_beside_held_wait(void **state)
{
	struct tcp_conf conf;
	struct rte_mbuf *m;
	struct h *h;
	tcp_id_t a, b;
	uint32_t b_ack;
	uint64_t t0;

	(void)state;
	h_conf(&conf);
	conf.max_held = 8000;
	h = h_new(&conf);
	h_open_passive(h);
	a = h->id;
	assert_int_equal(tcp_send(h->ts, a, h_mbuf(7000, 0)), 7000);
	h_drain(h);
	b = second_conn(h, H_RPORT + 1, &b_ack);
	assert_int_equal(tcp_set_keepalive(h->ts, b, 1000, 1000, 3), 0);
	t0 = h->now;
	m = h_mbuf(3000, 0);
	assert_int_equal(tcp_send(h->ts, b, m), -EAGAIN);   /* the cap: b waits */
	rte_pktmbuf_free(m);
	assert_true(tcp_conn_get(h->ts, b)->flags & TCP_CF_HELD_WAIT);
	(void)b_ack;
	while (h->now - t0 < 3990 && h->ev.closeds == 0)
		step(h, 1);
	assert_int_equal(h->ev.closeds, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_KEEPALIVE_PROBE], 3);
	step(h, 20);
	assert_int_equal(h->ev.closeds, 1);
	assert_int_equal(h->ev.last_reason, TCP_REASON_KEEPALIVE);
	assert_int_equal(tcp_conn_state(h->ts, b), -ENOTCONN);
	assert_int_equal(tcp_abort(h->ts, a), 0);
	h_drain(h);
	h_free(h);
}

/* Keepalive stays out of the way while data waits for its ACK: the
 * retransmission timer and the user timeout watch the peer then. */
static void
test_timers_keepalive_not_with_data_in_flight(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	uint64_t t0;

	(void)state;
	h_conf(&conf);
	conf.user_timeout = 8000;
	h = h_new(&conf);
	h_open_passive(h);
	assert_int_equal(tcp_set_keepalive(h->ts, h->id, 1000, 100, 2), 0);
	t0 = h->now;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	ends_at(h, t0, 8000, TCP_REASON_USER_TIMEOUT);
	assert_int_equal(h->ts->ctr[TCP_CTR_KEEPALIVE_PROBE], 0);
	h_free(h);
}

/* Every timer that gives up on a peer is reported as a timeout by the
 * applications (splice's causes, TURN's connection events), and only
 * those: a reset, a refusal, a normal end or the SYN's own are not. */
static void
test_timers_reasons_that_gave_up(void **state)
{
	static const enum tcp_reason yes[] = { TCP_REASON_TIMEOUT, TCP_REASON_KEEPALIVE,
		TCP_REASON_FIN_WAIT2_TIMEOUT, TCP_REASON_USER_TIMEOUT, TCP_REASON_ORPHAN_TIMEOUT };
	static const enum tcp_reason no[] = { TCP_REASON_NONE, TCP_REASON_NORMAL,
		TCP_REASON_LOCAL_CLOSE, TCP_REASON_LOCAL_ABORT, TCP_REASON_RESET,
		TCP_REASON_REFUSED, TCP_REASON_SYN_TIMEOUT, TCP_REASON_SOURCE_LIMIT };

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(tcp_reason_gave_up(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(tcp_reason_gave_up(no[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_user_timeout_rto),
		cmocka_unit_test(test_timers_persist_unanswered_ends),
		cmocka_unit_test(test_timers_persist_answered_lives),
		cmocka_unit_test(test_timers_orphan_fin_wait_1_zero_window),
		cmocka_unit_test(test_timers_orphan_last_ack_silent),
		cmocka_unit_test(test_timers_orphan_stalled_before_close),
		cmocka_unit_test(test_timers_rto_zero_window_probes),
		cmocka_unit_test(test_timers_keepalive_silent_peer_ends),
		cmocka_unit_test(test_timers_keepalive_answered_lives),
		cmocka_unit_test(test_timers_keepalive_per_connection),
		cmocka_unit_test(test_timers_keepalive_not_with_data_in_flight),
		cmocka_unit_test(test_timers_keepalive_beside_held_wait),
		cmocka_unit_test(test_timers_reasons_that_gave_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
