/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp's header prediction (tcp_input.c, fast_input()), on the harness
 * of tcp_fixture.c. Each scenario runs twice from a fresh stack: once
 * with the segment under test laid out as peers send it (NOP NOP TS),
 * once with the same segment's timestamp laid out TS NOP NOP (or, without
 * timestamps, four NOPs): the same segment to RFC 9293, but one header
 * prediction leaves to the slow path. The two runs must end alike: the
 * whole TCB (pointers aside), the stack's counters and held bytes, every
 * segment sent, what the application was told and could read.
 * - Segments the fast path takes: it took them (ts->fast_data,
 *   fast_acks), and the slow path's outcome is theirs.
 * - Segments it must leave: it left them (the counters did not move),
 *   and the outcome is the slow path's, checked for what it must be.
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
#include "tcp_private.h"

#define MAX_SNAP_OUT 32

struct snap {
	bool gone;                       /* the connection ended */
	struct tcp_conn c;               /* pointers cleared */
	uint64_t ctr[TCP_CTR__COUNT];    /* counted by the step */
	uint64_t held;
	uint64_t fast_data, fast_acks;   /* taken by the fast path in the step */
	uint32_t cwnd0;                  /* cwnd before the step */
	unsigned int nout;               /* segments sent in the step */
	struct h_out out[MAX_SNAP_OUT];
	struct h_event ev;
	uint32_t nread;                  /* readable bytes after the step */
	uint8_t read[8192];
};

typedef void (*scen_fn)(struct h *h, bool slow);

static uint8_t pay[2048];

static void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * The peer's segment. slow: the same segment with its timestamp laid out
 * TS NOP NOP (without timestamps: four NOPs), which header prediction
 * leaves to the slow path. opts: SACK blocks etc. (the fast layout only).
 */
static void
inj_opts(struct h *h, bool slow, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
	 const struct tcp_opts_out *opts, const void *data, uint32_t len)
{
	uint8_t buf[60 + 2048];
	size_t hl;

	if (!slow || opts != NULL) {
		h_inject(h, flags, seq, ack, wnd, opts, data, len);
		return;
	}
	hl = tcp_seg_build(buf, h->rport, h->lport, seq, ack, flags, wnd, NULL);
	assert_int_equal(hl, TCP_HDR_LEN);
	if (h->p_ts) {
		buf[20] = TCP_OPT_TS;
		buf[21] = 10;
		wr32(buf + 22, h->p_tsval);
		wr32(buf + 26, h_last_tsval(h));
		buf[30] = buf[31] = TCP_OPT_NOP;
		hl += 12;
	} else {
		memset(buf + 20, TCP_OPT_NOP, 4);
		hl += 4;
	}
	buf[12] = (uint8_t)((hl / 4) << 4);
	if (len > 0)
		memcpy(buf + hl, data, len);
	h_inject_raw(h, buf, (uint32_t)(hl + len), false);
}

static void
inj(struct h *h, bool slow, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
    const void *data, uint32_t len)
{
	inj_opts(h, slow, flags, seq, ack, wnd, NULL, data, len);
}

/* The peer's next len bytes in order, acknowledging what it has. */
static void
data(struct h *h, bool slow, uint32_t len)
{
	inj(h, slow, TCP_ACK | TCP_PSH, h->p_seq, h->p_ack, h->p_wnd, pay, len);
	h->p_seq += len;
}

/* The peer acknowledges ack, its window unchanged. */
static void
ack(struct h *h, bool slow, uint32_t a)
{
	h->p_ack = a;
	inj(h, slow, TCP_ACK, h->p_seq, a, h->p_wnd, NULL, 0);
}

static void
snap_take(struct h *h, struct snap *s, const uint64_t *ctr0, uint64_t fd0, uint64_t fa0,
	  unsigned int n0)
{
	struct tcp_conn *c = tcp_conn_get(h->ts, h->id);
	struct tcp_stack *ts = h->ts;
	struct rte_mbuf *m;
	int n;

	s->gone = c == NULL;
	if (c != NULL) {
		uint64_t exp = c->timer.expires;

		s->c = *c;
		s->c.snd_head = s->c.snd_tail = NULL;
		s->c.rcv_head = s->c.rcv_tail = s->c.ooo_head = NULL;
		memset(&s->c.timer, 0, sizeof(s->c.timer));
		s->c.timer.expires = exp;
		s->c.app_arg = NULL;
		s->c.cold.snd_cur = NULL;
		s->c.cold.budget = NULL;
		s->c.cold.ooo_tail = NULL;
		s->c.cold.ooo_hint = NULL;
	}
	for (unsigned int i = 0; i < TCP_CTR__COUNT; i++)
		s->ctr[i] = ts->ctr[i] - ctr0[i];
	s->held = ts->held;
	s->fast_data = ts->fast_data - fd0;
	s->fast_acks = ts->fast_acks - fa0;
	s->nout = h->nout - n0;
	assert_true(s->nout <= MAX_SNAP_OUT);
	memcpy(s->out, &h->out[n0], s->nout * sizeof(s->out[0]));
	for (unsigned int i = 0; i < s->nout; i++)       /* (bytes past the payload: not sent) */
		memset(s->out[i].payload + s->out[i].seg.len, 0,
		       sizeof(s->out[i].payload) - s->out[i].seg.len);
	s->ev = h->ev;
	s->ev.send_in_readable = NULL;
	while (c != NULL && (n = tcp_recv(ts, h->id, &m, UINT32_MAX)) > 0) {
		const void *p;

		assert_true(s->nread + (uint32_t)n <= sizeof(s->read));
		p = rte_pktmbuf_read(m, 0, (uint32_t)n, s->read + s->nread);
		assert_non_null(p);
		if (p != s->read + s->nread)
			memcpy(s->read + s->nread, p, (size_t)n);
		s->nread += (uint32_t)n;
		rte_pktmbuf_free(m);
	}
}

/* One run: a fresh stack (conf; nosack: the peer offers no SACK), the
 * setup, then the step under test, its outcome in *s. */
static void
run(const struct tcp_conf *conf, bool nosack, scen_fn setup, scen_fn step, bool slow,
    struct snap *s)
{
	struct h *h = h_new(conf);
	uint64_t ctr0[TCP_CTR__COUNT], fd0, fa0;
	unsigned int n0;

	h->p_nosack = nosack;
	h_open_passive(h);
	if (setup != NULL)
		setup(h, slow);
	h_drain(h);
	memcpy(ctr0, h->ts->ctr, sizeof(ctr0));
	fd0 = h->ts->fast_data;
	fa0 = h->ts->fast_acks;
	n0 = h->nout;
	memset(s, 0, sizeof(*s));
	s->cwnd0 = h_conn(h)->cwnd;
	step(h, slow);
	snap_take(h, s, ctr0, fd0, fa0, n0);
	if (tcp_conn_get(h->ts, h->id) != NULL)
		tcp_abort(h->ts, h->id);
	h_free(h);
}

static void
snap_equal(const struct snap *a, const struct snap *b)
{
	assert_int_equal(a->gone, b->gone);
	if (memcmp(&a->c, &b->c, sizeof(a->c)) != 0) {
		const uint8_t *x = (const uint8_t *)&a->c, *y = (const uint8_t *)&b->c;

		for (size_t i = 0; i < sizeof(a->c); i++)
			if (x[i] != y[i])
				print_error("tcp_conn differs at byte %zu (cold at %zu)\n", i,
					    offsetof(struct tcp_conn, cold));
		fail_msg("the TCBs differ");
	}
	for (unsigned int i = 0; i < TCP_CTR__COUNT; i++)
		if (a->ctr[i] != b->ctr[i])
			fail_msg("counter %u: %llu against %llu", i, (unsigned long long)a->ctr[i],
				 (unsigned long long)b->ctr[i]);
	assert_int_equal(a->held, b->held);
	assert_int_equal(a->nout, b->nout);
	for (unsigned int i = 0; i < a->nout; i++)
		assert_memory_equal(&a->out[i], &b->out[i], sizeof(a->out[i]));
	assert_memory_equal(&a->ev, &b->ev, sizeof(a->ev));
	assert_int_equal(a->nread, b->nread);
	assert_memory_equal(a->read, b->read, a->nread);
}

/*
 * The scenario with the fast layout and with the slow one: the fast path
 * took want_data data segments and want_acks ACKs of the first run (none
 * of the second), and both ended alike. *fast: the first run's outcome.
 */
static void
compare(const struct tcp_conf *conf, bool nosack, scen_fn setup, scen_fn step,
	uint64_t want_data, uint64_t want_acks, struct snap *fast)
{
	static struct snap slow;

	run(conf, nosack, setup, step, false, fast);
	run(conf, nosack, setup, step, true, &slow);
	assert_int_equal(slow.fast_data, 0);
	assert_int_equal(slow.fast_acks, 0);
	assert_int_equal(fast->fast_data, want_data);
	assert_int_equal(fast->fast_acks, want_acks);
	snap_equal(fast, &slow);
}

static struct snap sa;

/* ---- taken: in-order data, ACK == SND.UNA ------------------------------------ */

static void
step_data(struct h *h, bool slow)
{
	for (uint32_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 7 + 3);
	/* small ones (delayed ACK), then two full-sized (an ACK at once) */
	data(h, slow, 100);
	h->p_tsval++;
	data(h, slow, 200);
	data(h, slow, 1448);
	h->p_tsval++;
	data(h, slow, 1448);
	h->p_tsval++;
	data(h, slow, 10);
}

static void
test_tcp_fast_data_taken(void **state)
{
	(void)state;
	compare(NULL, false, NULL, step_data, 5, 0, &sa);
	assert_int_equal(sa.nread, 100 + 200 + 1448 + 1448 + 10);
	assert_memory_equal(sa.read + 300, pay, 1448);
	assert_int_equal(sa.c.rcv_nxt - sa.c.irs - 1, 100 + 200 + 1448 + 1448 + 10);
	assert_true(sa.ev.readables >= 1);
	/* the second full segment was ACKed at once (RFC 5681 §4.2) */
	assert_int_equal(sa.nout, 1);
	assert_int_equal(sa.out[0].seg.ack, sa.c.rcv_nxt - 10);
	/* RFC 7323 §4.3: the segments behind the delayed ACK (SEG.SEQ past
	 * Last.ACK.sent: 5001, 5002) gave no TS.Recent, the first's (5000)
	 * and the one after the ACK (5003) did */
	assert_int_equal(sa.c.ts_recent, 5003);
}

/* The delayed ACK then goes on its timer, the same in both runs. */
static void
step_data_delack(struct h *h, bool slow)
{
	data(h, slow, 10);
	h->p_tsval += 3;
	data(h, slow, 10);
	h_advance(h, 300);
}

static void
test_tcp_fast_data_delack(void **state)
{
	(void)state;
	compare(NULL, false, NULL, step_data_delack, 2, 0, &sa);
	assert_int_equal(sa.nout, 1);
	assert_int_equal(sa.out[0].seg.ack, sa.c.rcv_nxt);
	assert_int_equal(sa.ctr[TCP_CTR_DELACK], 1);
	assert_int_equal(sa.c.ts_recent, 5000);   /* the second's came behind the first */
}

/* ---- taken: pure ACKs moving SND.UNA ------------------------------------------- */

/* Ten full segments written, the initial window's in flight (four), sent
 * 5 ms ago (the probe timeout, 10 ms at this 1 ms SRTT, not yet due). */
static void
setup_flight(struct h *h, bool slow)
{
	(void)slow;
	for (int i = 0; i < 10; i++)
		h_send_seg(h, (uint8_t)i);
	h_drain(h);
	h_advance(h, 5);
}

static void
step_acks(struct h *h, bool slow)
{
	struct tcp_conn *c = h_conn(h);
	uint32_t smss = h_smss(c), una = c->snd_una;

	ack(h, slow, una + 2 * smss);
	h_advance(h, 2);
	h->p_tsval++;
	ack(h, slow, una + 5 * smss);
	ack(h, slow, una + 10 * smss);
}

static void
test_tcp_fast_acks_taken(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_acks, 0, 3, &sa);
	assert_int_equal(sa.c.snd_una, sa.c.snd_max);
	assert_int_equal(sa.c.snd_queued, 0);       /* the send queue freed */
	assert_int_equal(sa.held, 0);
	assert_true(sa.c.srtt8 > 8);                /* RTT samples from TSecr (5, 7 ms) */
	assert_true(sa.c.cwnd > sa.cwnd0);          /* slow start grew it */
	assert_false(sa.c.t_armed & (1u << TCP_T_RXT));
}

/* Part of the flight, then new data sent by the ACK: the RTO and the
 * probe timeout rearmed as the slow path arms them. */
static void
step_ack_partial(struct h *h, bool slow)
{
	struct tcp_conn *c = h_conn(h);
	uint32_t smss = h_smss(c), una = c->snd_una;

	h_send_seg(h, 20);                          /* queued behind the window */
	ack(h, slow, una + 3 * smss);
	h_advance(h, 1);
	ack(h, slow, una + 4 * smss);
	h_advance(h, 100);                          /* the PTO fires */
}

static void
test_tcp_fast_ack_partial(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_ack_partial, 0, 2, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_TLP_PROBES], 1);
}

/* RACK off, a peer without SACK: NewReno's path. */
static void
test_tcp_fast_acks_no_rack(void **state)
{
	struct tcp_conf conf;

	(void)state;
	h_conf(&conf);
	conf.rack = false;
	compare(&conf, true, setup_flight, step_acks, 0, 3, &sa);
	assert_int_equal(sa.c.snd_una, sa.c.snd_max);
}

/* A connection without timestamps (RFC 6298's timed segment, Karn). */
static void
open_no_ts(struct h *h)
{
	struct tcp_opts_out o = { .opts = TCP_OPT_F_MSS | TCP_OPT_F_SACKOK, .mss = 1460 };
	const struct h_out *r;

	h->p_ts = false;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &o, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	h->p_ack = r->seg.seq + 1;
	h_ack(h, h->p_ack, 65535);
	h->id = h->ev.last_id;
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_false(h_conn(h)->flags & TCP_CF_TS);
}

static void
step_no_ts(struct h *h, bool slow)
{
	struct tcp_conn *c;
	uint32_t una;

	h->rport = H_RPORT + 1;              /* (a second connection) */
	open_no_ts(h);
	c = h_conn(h);
	una = c->snd_una;
	for (int i = 0; i < 4; i++)
		h_send_seg(h, (uint8_t)i);
	h_advance(h, 5);                     /* (the PTO at 10 ms: not yet) */
	ack(h, slow, una + 2 * h_smss(c));
	data(h, slow, 300);
	ack(h, slow, una + 4 * h_smss(c));
}

static void
test_tcp_fast_no_timestamps(void **state)
{
	struct tcp_conf conf;

	(void)state;
	h_conf(&conf);
	/* (a second connection on the harness's listener, opened in the step) */
	compare(&conf, false, NULL, step_no_ts, 1, 2, &sa);
	assert_true(sa.c.srtt8 > 8);                /* the timed segment's RTT, 5 ms */
	assert_int_equal(sa.nread, 300);
}

/* ---- left to the slow path ------------------------------------------------------ */

static void
step_fin(struct h *h, bool slow)
{
	inj(h, slow, TCP_ACK | TCP_PSH | TCP_FIN, h->p_seq, h->p_ack, h->p_wnd, pay, 10);
	h->p_seq += 11;
}

static void
test_tcp_fast_slow_fin(void **state)
{
	(void)state;
	compare(NULL, false, NULL, step_fin, 0, 0, &sa);
	assert_int_equal(sa.c.state, TCP_ST_CLOSE_WAIT);
	assert_int_equal(sa.c.rcv_nxt - sa.c.irs - 1, 11);
	assert_int_equal(sa.nread, 10);
}

/* (RST and SYN below: ACKs that would move SND.UNA, as (b) takes) */
static void
step_rst(struct h *h, bool slow)
{
	struct tcp_conn *c = h_conn(h);

	inj(h, slow, TCP_ACK | TCP_RST, h->p_seq, c->snd_una + h_smss(c), h->p_wnd, NULL, 0);
}

static void
test_tcp_fast_slow_rst(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_rst, 0, 0, &sa);
	assert_true(sa.gone);
	assert_int_equal(sa.ev.last_reason, TCP_REASON_RESET);
}

static void
step_urg(struct h *h, bool slow)
{
	inj(h, slow, TCP_ACK | TCP_URG, h->p_seq, h->p_ack, h->p_wnd, pay, 20);
	h->p_seq += 20;
}

static void
test_tcp_fast_slow_urg(void **state)
{
	(void)state;
	compare(NULL, false, NULL, step_urg, 0, 0, &sa);
	assert_int_equal(sa.nread, 20);
}

static void
step_syn(struct h *h, bool slow)
{
	struct tcp_conn *c = h_conn(h);

	inj(h, slow, TCP_SYN | TCP_ACK, h->p_seq, c->snd_una + h_smss(c), h->p_wnd, NULL, 0);
}

static void
test_tcp_fast_slow_syn(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_syn, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_CHALLENGE_ACK], 1);   /* RFC 5961 §4.2 */
	assert_int_equal(sa.c.state, TCP_ST_ESTABLISHED);
	assert_int_equal(sa.c.snd_una, sa.c.iss + 1);         /* its ACK not taken */
}

/* A hole: held out of order, SACKed at once. */
static void
step_ahead(struct h *h, bool slow)
{
	inj(h, slow, TCP_ACK, h->p_seq + 100, h->p_ack, h->p_wnd, pay, 50);
}

static void
test_tcp_fast_slow_seq_ahead(void **state)
{
	(void)state;
	compare(NULL, false, NULL, step_ahead, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_OOO_SEGS], 1);
	assert_int_equal(sa.nout, 1);
	assert_int_equal(sa.out[0].seg.nsack, 1);
	assert_int_equal(sa.nread, 0);
}

/* Data had already: a duplicate, reported by D-SACK. */
static void
setup_100(struct h *h, bool slow)
{
	(void)slow;
	data(h, false, 100);
}

static void
step_behind(struct h *h, bool slow)
{
	inj(h, slow, TCP_ACK, h->p_seq - 100, h->p_ack, h->p_wnd, pay, 100);
}

static void
test_tcp_fast_slow_seq_behind(void **state)
{
	(void)state;
	compare(NULL, false, setup_100, step_behind, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_OUT_OF_WINDOW], 1);   /* (below RCV.NXT whole) */
	assert_int_equal(sa.ctr[TCP_CTR_DSACK_SENT], 1);
	assert_int_equal(sa.nread, 100);
}

/* Out of the window altogether (RFC 9293 §3.10.7.4: an ACK, dropped). */
static void
step_oow(struct h *h, bool slow)
{
	inj(h, slow, TCP_ACK, h->p_seq + 0x40000000u, h->p_ack, h->p_wnd, pay, 10);
}

static void
test_tcp_fast_slow_out_of_window(void **state)
{
	(void)state;
	compare(NULL, false, NULL, step_oow, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_OUT_OF_WINDOW], 1);
	assert_int_equal(sa.nread, 0);
}

/* RFC 7323 §5.3: an older timestamp fails PAWS. */
static void
step_paws(struct h *h, bool slow)
{
	h->p_tsval -= 10;
	data(h, slow, 10);
}

static void
test_tcp_fast_slow_paws(void **state)
{
	(void)state;
	compare(NULL, false, NULL, step_paws, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_PAWS_DROP], 1);
	assert_int_equal(sa.nread, 0);
}

/* A segment of a timestamp connection without its timestamp. */
static void
step_no_ts_opt(struct h *h, bool slow)
{
	struct tcp_opts_out none = { 0 };

	(void)slow;
	inj_opts(h, false, TCP_ACK | TCP_PSH, h->p_seq, h->p_ack, h->p_wnd, &none, pay, 10);
}

static void
test_tcp_fast_slow_ts_missing(void **state)
{
	(void)state;
	/* (one layout only: compared with itself, it shows the path) */
	compare(NULL, false, NULL, step_no_ts_opt, 0, 0, &sa);
}

/* SACK blocks beside the timestamp: options beyond it. */
static void
step_sack_opt(struct h *h, bool slow)
{
	struct tcp_conn *c = h_conn(h);
	uint32_t una = c->snd_una, smss = h_smss(c);
	uint32_t lr[2] = { una + 2 * smss, una + 3 * smss };

	(void)slow;
	h_sack(h, una + smss, 1, lr);
}

static void
test_tcp_fast_slow_sack_option(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_sack_opt, 0, 0, &sa);
	assert_int_equal(sa.c.cold.sb_n, 1);
	assert_int_equal(sa.c.snd_una, sa.c.iss + 1 + 1448);
}

/* The scoreboard holds a range: the next plain ACK is the slow path's. */
static void
setup_sacked(struct h *h, bool slow)
{
	struct tcp_conn *c;
	uint32_t lr[2];

	setup_flight(h, slow);
	c = h_conn(h);
	lr[0] = c->snd_una + 2 * h_smss(c);
	lr[1] = c->snd_una + 3 * h_smss(c);
	h_sack(h, c->snd_una, 1, lr);
	assert_int_equal(c->cold.sb_n, 1);
}

static void
step_ack_one(struct h *h, bool slow)
{
	ack(h, slow, h_conn(h)->snd_una + h_smss(h_conn(h)));
}

/* (RACK off: its state would send the ACK to the slow path anyway) */
static void
step_ack_past_block(struct h *h, bool slow)
{
	ack(h, slow, h_conn(h)->snd_una + 3 * h_smss(h_conn(h)));
}

static void
test_tcp_fast_slow_scoreboard(void **state)
{
	struct tcp_conf conf;

	(void)state;
	h_conf(&conf);
	conf.rack = false;
	compare(&conf, false, setup_sacked, step_ack_one, 0, 0, &sa);
	assert_int_equal(sa.c.cold.sb_n, 1);
	compare(&conf, false, setup_sacked, step_ack_past_block, 0, 0, &sa);
	assert_int_equal(sa.c.cold.sb_n, 0);              /* trimmed */
}

/* The advertised window changed: data, then an ACK. */
static void
step_wnd(struct h *h, bool slow)
{
	struct tcp_conn *c = h_conn(h);

	h->p_wnd = 30000;
	data(h, slow, 10);
	h->p_wnd = 20000;
	ack(h, slow, c->snd_una + h_smss(c));
}

static void
test_tcp_fast_slow_window_changed(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_wnd, 0, 0, &sa);
	assert_int_equal(sa.c.snd_wnd, 20000);
	assert_int_equal(sa.nread, 10);
}

/* Data that also acknowledges: neither (a) nor (b). */
static void
step_data_ack(struct h *h, bool slow)
{
	struct tcp_conn *c = h_conn(h);

	h->p_ack = c->snd_una + 3 * h_smss(c);
	data(h, slow, 50);
}

static void
test_tcp_fast_slow_data_with_ack(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_data_ack, 0, 0, &sa);
	assert_int_equal(sa.c.snd_una, sa.c.iss + 1 + 3 * 1448);
	assert_int_equal(sa.nread, 50);
}

/* Data past the receive window's right edge: trimmed. */
static void
step_past_edge(struct h *h, bool slow)
{
	data(h, slow, 1448);
	data(h, slow, 1448);
	data(h, slow, 1448);                 /* (4096: only 1200 of it fit) */
}

static void
test_tcp_fast_slow_past_window(void **state)
{
	struct tcp_conf conf;

	(void)state;
	h_conf(&conf);
	conf.rcv_buf = 4096;
	compare(&conf, false, NULL, step_past_edge, 2, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_RCV_WND_DROP], 1);
	assert_int_equal(sa.nread, 4096);
}

/* Data at a closed receive window (a zero-window probe). */
static void
setup_full(struct h *h, bool slow)
{
	(void)slow;
	data(h, false, 1448);
	data(h, false, 1448);
	data(h, false, 1200);                /* (the window is full) */
}

static void
step_zero_wnd(struct h *h, bool slow)
{
	inj(h, slow, TCP_ACK, h->p_seq, h->p_ack, h->p_wnd, pay, 1);
}

static void
test_tcp_fast_slow_zero_window(void **state)
{
	struct tcp_conf conf;

	(void)state;
	h_conf(&conf);
	conf.rcv_buf = 4096;
	compare(&conf, false, setup_full, step_zero_wnd, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_ZERO_WND_ACK_TAKEN], 1);
	assert_int_equal(sa.nread, 4096);
}

/* A duplicate ACK (nothing moves). */
static void
step_dupack(struct h *h, bool slow)
{
	ack(h, slow, h_conn(h)->snd_una);
}

static void
test_tcp_fast_slow_dupack(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_dupack, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_DUP_ACK_IN], 1);
}

/* An ACK of data never sent (RFC 5961 §5.2). */
static void
step_ack_unsent(struct h *h, bool slow)
{
	ack(h, slow, h_conn(h)->snd_max + 1000);
}

static void
test_tcp_fast_slow_ack_unsent(void **state)
{
	(void)state;
	compare(NULL, false, setup_flight, step_ack_unsent, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_ACK_TOO_NEW], 1);
	assert_int_equal(sa.c.snd_una, sa.c.iss + 1);
}

/* NewReno recovery (a peer without SACK): its partial ACK. */
static void
setup_recovery(struct h *h, bool slow)
{
	struct tcp_conn *c;

	setup_flight(h, slow);
	c = h_conn(h);
	for (int i = 0; i < 3; i++)
		h_ack(h, c->snd_una, 65535);
	assert_true(c->flags & TCP_CF_RECOVERY);
	h_drain(h);
}

static void
test_tcp_fast_slow_recovery(void **state)
{
	(void)state;
	compare(NULL, true, setup_recovery, step_ack_one, 0, 0, &sa);
	assert_int_equal(sa.ctr[TCP_CTR_PARTIAL_ACK], 1);
	assert_true(sa.c.flags & TCP_CF_RECOVERY);
}

/* A tail loss probe's episode (RFC 8985 §7.4) under way. */
static void
setup_tlp(struct h *h, bool slow)
{
	setup_flight(h, slow);
	h_advance(h, 20);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 1);
	assert_true(h_conn(h)->cold.rack.flags & TCP_RACK_F_TLP);
}

static void
test_tcp_fast_slow_tlp_episode(void **state)
{
	(void)state;
	compare(NULL, false, setup_tlp, step_ack_one, 0, 0, &sa);
}

/* F-RTO (RFC 5682) after an RTO: its first ACK. */
static void
setup_frto(struct h *h, bool slow)
{
	setup_flight(h, slow);
	h_advance(h, 250);
	assert_true(h->ts->ctr[TCP_CTR_RTO] >= 1);
	assert_true(h_conn(h)->flags & TCP_CF_FRTO1);
	h_drain(h);
}

static void
test_tcp_fast_slow_frto(void **state)
{
	struct tcp_conf conf;

	(void)state;
	h_conf(&conf);
	conf.frto = true;
	conf.rack = false;
	compare(&conf, true, setup_frto, step_ack_one, 0, 0, &sa);
	assert_false(sa.c.flags & TCP_CF_FRTO1);
}

/* In-order data while the out-of-order queue holds some. */
static void
setup_ooo(struct h *h, bool slow)
{
	(void)slow;
	inj(h, false, TCP_ACK, h->p_seq + 100, h->p_ack, h->p_wnd, pay, 50);
}

static void
step_fill(struct h *h, bool slow)
{
	data(h, slow, 40);                    /* (a hole of 60 left) */
}

static void
test_tcp_fast_slow_ooo_queue(void **state)
{
	(void)state;
	compare(NULL, false, setup_ooo, step_fill, 0, 0, &sa);
	assert_int_equal(sa.nread, 40);
	assert_int_equal(sa.c.cold.ooo_segs, 1);
	assert_int_equal(sa.nout, 1);                  /* at once (RFC 5681 §4.2) */
}

/* Not ESTABLISHED: data after our FIN went (FIN_WAIT_1). */
static void
step_fin_wait(struct h *h, bool slow)
{
	assert_int_equal(tcp_shutdown(h->ts, h->id), 0);
	h_drain(h);
	data(h, slow, 30);
}

static void
test_tcp_fast_slow_fin_wait(void **state)
{
	(void)state;
	compare(NULL, false, NULL, step_fin_wait, 0, 0, &sa);
	assert_int_equal(sa.c.state, TCP_ST_FIN_WAIT_1);
	assert_int_equal(sa.nread, 30);
}

/* CLOSE_WAIT: text after the peer's FIN is ignored (RFC 9293 §3.10.7.4). */
static void
setup_fin(struct h *h, bool slow)
{
	(void)slow;
	h_inject(h, TCP_ACK | TCP_FIN, h->p_seq, h->p_ack, h->p_wnd, NULL, NULL, 0);
	h->p_seq++;
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_CLOSE_WAIT);
}

static void
step_after_fin(struct h *h, bool slow)
{
	data(h, slow, 30);
}

static void
test_tcp_fast_slow_close_wait(void **state)
{
	(void)state;
	compare(NULL, false, setup_fin, step_after_fin, 0, 0, &sa);
	assert_int_equal(sa.c.state, TCP_ST_CLOSE_WAIT);
	assert_int_equal(sa.nread, 0);
}

/* ---- the probe timeout on every send (tcp_rack_schedule()) ------------------------ */

/*
 * RFC 8985 §7.2: each send of new data arms the PTO from now. A send in
 * a later millisecond moves the deadline; one in the same millisecond
 * (most sends of a bulk flow) finds it where it would set it, and it
 * stays; an output that sends nothing leaves it. The probe goes at the
 * last deadline, not an earlier one.
 */
static void
test_tcp_fast_pto_moves_with_sends(void **state)
{
	struct h *h = h_open_rtt(NULL, 40);
	struct tcp_conn *c = h_conn(h);
	uint32_t due;

	(void)state;
	h_send_seg(h, 1);
	h_send_seg(h, 2);                     /* two in flight: PTO = 2 SRTT */
	assert_true(c->cold.rack.flags & TCP_RACK_F_PTO);
	assert_int_equal(c->t_due[TCP_T_RXT], (uint32_t)h->now + 80);
	h_advance(h, 5);
	h_send_seg(h, 3);
	due = (uint32_t)h->now + 80;
	assert_int_equal(c->t_due[TCP_T_RXT], due);          /* moved */
	h_send_seg(h, 4);                                    /* same ms */
	assert_int_equal(c->t_due[TCP_T_RXT], due);
	assert_int_equal(c->cold.rack.t_max, c->snd_max);
	tcp_output(h->ts, c);                                /* nothing to send */
	assert_int_equal(c->t_due[TCP_T_RXT], due);
	h_drain(h);
	h_advance(h, 79);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 0);
	h_advance(h, 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_TLP_PROBES], 1);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_fast_data_taken),
		cmocka_unit_test(test_tcp_fast_data_delack),
		cmocka_unit_test(test_tcp_fast_acks_taken),
		cmocka_unit_test(test_tcp_fast_ack_partial),
		cmocka_unit_test(test_tcp_fast_acks_no_rack),
		cmocka_unit_test(test_tcp_fast_no_timestamps),
		cmocka_unit_test(test_tcp_fast_slow_fin),
		cmocka_unit_test(test_tcp_fast_slow_rst),
		cmocka_unit_test(test_tcp_fast_slow_urg),
		cmocka_unit_test(test_tcp_fast_slow_syn),
		cmocka_unit_test(test_tcp_fast_slow_seq_ahead),
		cmocka_unit_test(test_tcp_fast_slow_seq_behind),
		cmocka_unit_test(test_tcp_fast_slow_out_of_window),
		cmocka_unit_test(test_tcp_fast_slow_paws),
		cmocka_unit_test(test_tcp_fast_slow_ts_missing),
		cmocka_unit_test(test_tcp_fast_slow_sack_option),
		cmocka_unit_test(test_tcp_fast_slow_scoreboard),
		cmocka_unit_test(test_tcp_fast_slow_window_changed),
		cmocka_unit_test(test_tcp_fast_slow_data_with_ack),
		cmocka_unit_test(test_tcp_fast_slow_past_window),
		cmocka_unit_test(test_tcp_fast_slow_zero_window),
		cmocka_unit_test(test_tcp_fast_slow_dupack),
		cmocka_unit_test(test_tcp_fast_slow_ack_unsent),
		cmocka_unit_test(test_tcp_fast_slow_recovery),
		cmocka_unit_test(test_tcp_fast_slow_tlp_episode),
		cmocka_unit_test(test_tcp_fast_slow_frto),
		cmocka_unit_test(test_tcp_fast_slow_ooo_queue),
		cmocka_unit_test(test_tcp_fast_slow_fin_wait),
		cmocka_unit_test(test_tcp_fast_slow_close_wait),
		cmocka_unit_test(test_tcp_fast_pto_moves_with_sends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
