/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp wire-level scenarios, one per test (tcp_<area>_<scenario>, in
 * the spirit of packetdrill): a peer's segments written byte by byte,
 * the stack's answers captured and checked field by field, time moved by
 * a fake clock through the real timer wheel. Every test ends with every
 * mbuf back in the pool and the wheel empty (tcp_fixture.c h_free()).
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

static uint8_t pattern[65536];

static void
fill_pattern(void)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + (i >> 8));
}

/* Read everything readable into buf; returns the byte count. */
static uint32_t
read_all(struct h *h, uint8_t *buf, uint32_t cap)
{
	uint32_t n = 0;
	struct rte_mbuf *m;
	int r;

	while ((r = tcp_recv(h->ts, h->id, &m, 1u << 20)) > 0) {
		assert_int_equal(m->pkt_len, (uint32_t)r);
		assert_true(n + (uint32_t)r <= cap);
		memcpy(buf + n, rte_pktmbuf_read(m, 0, (uint32_t)r, buf + n), (size_t)r);
		n += (uint32_t)r;
		rte_pktmbuf_free(m);
	}
	return n;
}

/* ---- sizes ----------------------------------------------------------------- */

static void
test_tcp_tcb_size(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	printf("TCB: %zu bytes hot (limit 256), %zu bytes in all; idle connection: "
	       "%zu bytes (TCB + table share + free-slot entry)\n",
	       tcp_tcb_hot_bytes(), sizeof(struct tcp_conn), tcp_idle_conn_bytes(h->ts));
	assert_true(tcp_tcb_hot_bytes() <= 256);
	assert_true(tcp_idle_conn_bytes(h->ts) <= 1024);
	h_free(h);
}

/* ---- handshakes ------------------------------------------------------------ */

static void
test_tcp_handshake_passive(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	struct tcp_conn *c;

	(void)state;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq);
	assert_int_equal(r->seg.sport, H_LPORT);
	assert_int_equal(r->seg.dport, H_RPORT);
	/* MSS from the configuration, our window scale for 256 KiB (3),
	 * timestamps echoing the SYN's; SACK-permitted not offered. */
	assert_int_equal(r->seg.opts, TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS);
	assert_int_equal(r->seg.mss, 1460);
	assert_int_equal(r->seg.wscale, 3);
	assert_int_equal(r->seg.tsecr, 5000);
	assert_int_equal(r->seg.wnd, 65535);             /* unscaled in a SYN */
	assert_int_equal(h->ev.accepts, 0);
	h->p_ack = r->seg.seq + 1;
	h_ack(h, h->p_ack, 1000);
	assert_int_equal(h->ev.accepts, 1);
	h->id = h->ev.last_id;
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h_pending(h), 0);                /* nothing to say */
	c = h_conn(h);
	assert_int_equal(c->snd_wnd, 1000);                /* peer's shift 0 */
	assert_int_equal(c->snd_wscale, 0);
	assert_int_equal(c->rcv_wscale, 3);
	assert_int_equal(c->mss, 1460);
	assert_true(c->flags & TCP_CF_TS);
	assert_int_equal(h->ts->ctr[TCP_CTR_PASSIVE_OPEN], 1);
	h_free(h);
}

static void
test_tcp_handshake_passive_no_options(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	struct tcp_conn *c;

	(void)state;
	h->p_ts = false;
	h_inject(h, TCP_SYN, h->p_seq, 0, 8192, NULL, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	/* RFC 7323: no WS, no TS in the answer to a SYN without them. */
	assert_int_equal(r->seg.opts, TCP_OPT_F_MSS);
	h->p_ack = r->seg.seq + 1;
	h_ack(h, h->p_ack, 8192);
	h->id = h->ev.last_id;
	c = h_conn(h);
	assert_non_null(c);
	assert_int_equal(c->mss, 536);     /* RFC 9293 §3.7.1 default */
	assert_int_equal(c->rcv_wscale, 0);
	assert_false(c->flags & (TCP_CF_TS | TCP_CF_WS));
	/* Without scaling our window tops out at 65535. */
	{
		struct rte_mbuf *m = h_mbuf(10, 0);

		assert_int_equal(tcp_send(h->ts, h->id, m), 10);
		r = h_pop(h);
		assert_int_equal(r->seg.wnd, 65535);
		assert_int_equal(r->seg.opts, 0);
	}
	h_free(h);
}

static void
test_tcp_handshake_active(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	(void)state;
	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, 5000, h->raddr,
				     H_RPORT, h->app, h, &h->id), 0);
	h->lport = 5000;
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN);
	assert_int_equal(r->seg.opts, TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS);
	assert_int_equal(r->seg.sport, 5000);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_SYN_SENT);
	/* Same tuple again: refused. */
	{
		tcp_id_t id2;

		assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, 5000, h->raddr,
					     H_RPORT, h->app, h, &id2), -EADDRINUSE);
	}
	h->p_ack = r->seg.seq + 1;
	h_inject(h, TCP_SYN | TCP_ACK, h->p_seq, h->p_ack, 65535, &syn_opts, NULL, 0);
	h->p_seq++;
	assert_int_equal(h->ev.connecteds, 1);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.seq, h->p_ack);
	assert_int_equal(r->seg.ack, h->p_seq);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h->ts->ctr[TCP_CTR_ACTIVE_OPEN], 1);
	h_free(h);
}

/* RFC 9293 figure 8: SYNs cross, each side answers SYN-ACK. */
static void
test_tcp_handshake_simultaneous_open(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	uint32_t iss;

	(void)state;
	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, 5000, h->raddr,
				     H_RPORT, h->app, h, &h->id), 0);
	h->lport = 5000;
	r = h_pop(h);
	iss = r->seg.seq;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	h->p_seq++;
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_SYN_RCVD);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r->seg.seq, iss);
	assert_int_equal(r->seg.ack, h->p_seq);
	/* The peer's SYN-ACK (its SYN again, acking ours). */
	h->p_ack = iss + 1;
	h_inject(h, TCP_SYN | TCP_ACK, h->p_seq - 1, h->p_ack, 65535, &syn_opts, NULL, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h->ev.connecteds, 1);
	assert_int_equal(h->ev.accepts, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.seq, iss + 1);
	assert_int_equal(r->seg.ack, h->p_seq);
	h_free(h);
}

static void
test_tcp_handshake_closed_port_rst(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	(void)state;
	h->lport = 9;
	/* SYN: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>. */
	h_inject(h, TCP_SYN, 1000, 0, 65535, &syn_opts, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_RST | TCP_ACK);
	assert_int_equal(r->seg.seq, 0);
	assert_int_equal(r->seg.ack, 1001);
	/* ACK with data: <SEQ=SEG.ACK><CTL=RST>. */
	h_inject(h, TCP_ACK, 1000, 777, 65535, NULL, "abc", 3);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_RST);
	assert_int_equal(r->seg.seq, 777);
	/* RST: never answered. */
	h_inject(h, TCP_RST, 1000, 0, 0, NULL, NULL, 0);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_NO_CONN], 3);   /* the RST too */
	/* An ACK to the listener: RST too (RFC 9293 §3.10.7.2). */
	h->lport = H_LPORT;
	h_inject(h, TCP_ACK, 1000, 555, 65535, NULL, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_RST);
	assert_int_equal(r->seg.seq, 555);
	h_free(h);
}

/* The SYN-ACK is lost: retransmitted on the RTO (1 s, then 2 s...), and
 * at once when the peer's SYN comes again; syn_retries then the end. */
static void
test_tcp_handshake_synack_retransmit(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;
	uint32_t iss;

	(void)state;
	h_conf(&conf);
	conf.syn_retries = 2;
	h = h_new(&conf);
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	iss = h_pop(h)->seg.seq;
	h_advance(h, 999);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r->seg.seq, iss);
	/* The peer's SYN again: the SYN-ACK again, now. */
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r->seg.seq, iss);
	h_advance(h, 1999);
	assert_int_equal(h_pending(h), 0);
	h_advance(h, 1);
	assert_int_equal(h_pop(h)->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(h->ts->nconns, 1);
	h_advance(h, 4000);                      /* third RTO: give up */
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->nconns, 0);
	assert_int_equal(h->ts->closes[TCP_REASON_SYN_TIMEOUT], 1);
	assert_int_equal(h->ts->listeners[0].nsyn, 0);
	assert_int_equal(h->ev.accepts + h->ev.closeds, 0);
	h_free(h);
}

static void
test_tcp_handshake_syn_sent_bad_ack(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	uint32_t iss;

	(void)state;
	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, 5000, h->raddr,
				     H_RPORT, h->app, h, &h->id), 0);
	h->lport = 5000;
	iss = h_pop(h)->seg.seq;
	/* RFC 9293 §3.10.7.3: unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>. */
	h_inject(h, TCP_SYN | TCP_ACK, h->p_seq, iss + 100, 65535, &syn_opts, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_RST);
	assert_int_equal(r->seg.seq, iss + 100);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_SYN_SENT);
	/* A RST that does not ack our SYN is ignored (RFC 5961 §3.2)... */
	h_inject(h, TCP_RST, h->p_seq, 0, 0, NULL, NULL, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_SYN_SENT);
	/* ...one that does refuses the connection. */
	h_inject(h, TCP_RST | TCP_ACK, h->p_seq, iss + 1, 0, NULL, NULL, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), -ENOTCONN);
	assert_int_equal(h->ev.closeds, 0);      /* the app never had it */
	assert_int_equal(h->ts->closes[TCP_REASON_REFUSED], 1);
	assert_int_equal(h_pending(h), 0);
	h_free(h);
}

static void
test_tcp_handshake_backlog_full(void **state)
{
	struct tcp_conf conf;
	struct h *h;

	(void)state;
	h_conf(&conf);
	conf.syn_backlog = 2;
	h = h_new(&conf);
	for (unsigned int i = 0; i < 3; i++) {
		h->rport = (uint16_t)(H_RPORT + i);
		h_inject(h, TCP_SYN, 1000, 0, 65535, &syn_opts, NULL, 0);
	}
	assert_int_equal(h_pending(h), 2);
	assert_int_equal(h->ts->ctr[TCP_CTR_SYN_QUEUE_FULL], 1);
	assert_int_equal(h->ts->nconns, 2);
	h_free(h);
}

static void
test_tcp_handshake_accept_refused(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	(void)state;
	h->ev.refuse = true;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	h_ack(h, r->seg.seq + 1, 1000);
	assert_int_equal(h->ev.accepts, 1);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_RST);
	assert_int_equal(h->ts->nconns, 0);
	assert_int_equal(h->ev.closeds, 0);
	assert_int_equal(h->ts->closes[TCP_REASON_ACCEPT_REFUSED], 1);
	h_free(h);
}

/* The pool is full: a SYN is dropped, counted; a freed slot serves the
 * next one, and an id of the old connection is stale. */
static void
test_tcp_conn_pool_and_stale_id(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	tcp_id_t first;

	(void)state;
	h_conf(&conf);
	conf.max_conns = 1;
	h = h_new(&conf);
	h_open_passive(h);
	first = h->id;
	h->rport = H_RPORT + 1;
	h_inject(h, TCP_SYN, 1000, 0, 65535, &syn_opts, NULL, 0);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_POOL_FULL], 1);
	assert_int_equal(tcp_abort(h->ts, first), 0);
	assert_int_equal(h_pop(h)->seg.flags, TCP_RST);
	assert_int_equal(tcp_conn_state(h->ts, first), -ENOTCONN);
	assert_int_equal(tcp_abort(h->ts, first), -ENOTCONN);
	h_inject(h, TCP_SYN, 1000, 0, 65535, &syn_opts, NULL, 0);
	assert_int_equal(h_pop(h)->seg.flags, TCP_SYN | TCP_ACK);
	/* Same slot, new generation. */
	assert_int_equal(h->ts->nconns, 1);
	assert_int_equal(TCP_ID_SLOT(first), 0);
	assert_int_equal(tcp_conn_state(h->ts, first), -ENOTCONN);
	assert_int_equal(tcp_conn_state(h->ts, TCP_ID(0, 0, TCP_ID_GEN(first) + 2)),
			 TCP_ST_SYN_RCVD);
	h_free(h);
}

/* ---- bad input ----------------------------------------------------------- */

static void
test_tcp_input_bad_segments_counted(void **state)
{
	struct h *h = h_new(NULL);
	uint8_t b[60];
	size_t hl;

	(void)state;
	hl = tcp_seg_build(b, H_RPORT, H_LPORT, 1, 0, TCP_SYN, 65535, &syn_opts);
	h_inject_raw(h, b, (uint32_t)hl, true);
	assert_int_equal(h->ts->ctr[TCP_CTR_BAD_CKSUM], 1);
	h_inject_raw(h, b, 19, false);
	assert_int_equal(h->ts->ctr[TCP_CTR_BAD_SHORT], 1);
	b[12] = 0x40;
	h_inject_raw(h, b, (uint32_t)hl, false);
	assert_int_equal(h->ts->ctr[TCP_CTR_BAD_OFF], 1);
	b[12] = (uint8_t)((hl / 4) << 4);
	b[21] = 5;                               /* MSS option, length 5 */
	h_inject_raw(h, b, (uint32_t)hl, false);
	assert_int_equal(h->ts->ctr[TCP_CTR_BAD_OPT], 1);
	b[21] = 4;
	b[13] = TCP_SYN | TCP_FIN;
	h_inject_raw(h, b, (uint32_t)hl, false);
	assert_int_equal(h->ts->ctr[TCP_CTR_BAD_FLAGS], 1);
	/* Nothing answered, nothing created, and still working. */
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(h->ts->nconns, 0);
	h_open_passive(h);
	h_free(h);
}

/* ---- close ------------------------------------------------------------------ */

static void
test_tcp_close_active(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	(void)state;
	h_open_passive(h);
	assert_int_equal(tcp_shutdown(h->ts, h->id), 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_FIN | TCP_ACK);
	assert_int_equal(r->seg.seq, h->p_ack);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_FIN_WAIT_1);
	assert_int_equal(tcp_send(h->ts, h->id, NULL), -EPIPE);
	h_ack(h, h->p_ack + 1, 1000);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_FIN_WAIT_2);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq);
	assert_int_equal(h->ev.closeds, 1);
	assert_int_equal(h->ev.last_reason, TCP_REASON_NORMAL);
	assert_int_equal(h->ts->ntw, 1);
	assert_int_equal(h->ts->nconns, 1);      /* TIME_WAIT holds the tuple */
	h_advance(h, 59999);
	assert_int_equal(h->ts->nconns, 1);
	h_advance(h, 1);
	assert_int_equal(h->ts->nconns, 0);
	assert_int_equal(h->ts->ntw, 0);
	assert_int_equal(h->ts->closes[TCP_REASON_NORMAL], 1);
	assert_int_equal(h->ev.closeds, 1);
	h_free(h);
}

static void
test_tcp_close_passive(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	struct rte_mbuf *m;

	(void)state;
	h_open_passive(h);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	h->p_seq++;
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_CLOSE_WAIT);
	r = h_pop(h);                            /* the FIN is acked at once */
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq);
	assert_int_equal(h->ev.readables, 1);
	assert_int_equal(tcp_recv(h->ts, h->id, &m, 100), 0);   /* EOF */
	/* We may still send in CLOSE_WAIT. */
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(5, 1)), 5);
	r = h_pop(h);
	assert_int_equal(r->seg.len, 5);
	assert_int_equal(tcp_close(h->ts, h->id), 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_FIN | TCP_ACK);
	assert_int_equal(r->seg.seq, h->p_ack + 5);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_LAST_ACK);
	h_ack(h, h->p_ack + 6, 1000);
	assert_int_equal(h->ts->nconns, 0);
	assert_int_equal(h->ev.closeds, 0);      /* the app closed it */
	assert_int_equal(h->ts->closes[TCP_REASON_NORMAL], 1);
	h_free(h);
}

static void
test_tcp_close_simultaneous(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	uint32_t fin;

	(void)state;
	h_open_passive(h);
	assert_int_equal(tcp_shutdown(h->ts, h->id), 0);
	fin = h_pop(h)->seg.seq;
	/* The peer's FIN crosses ours (it has not seen ours). */
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	h->p_seq++;
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_CLOSING);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq);
	h_ack(h, fin + 1, 1000);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_TIME_WAIT);
	assert_int_equal(h->ev.closeds, 1);
	assert_int_equal(h->ev.last_reason, TCP_REASON_NORMAL);
	h_free(h);
}

/* Half-close: after our FIN the peer goes on sending, we go on reading. */
static void
test_tcp_close_half_close(void **state)
{
	struct h *h = h_new(NULL);
	uint8_t buf[64];

	(void)state;
	h_open_passive(h);
	assert_int_equal(tcp_shutdown(h->ts, h->id), 0);
	h_pop(h);
	h_ack(h, h->p_ack + 1, 1000);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_FIN_WAIT_2);
	h_send_data(h, "still talking", 13);
	assert_int_equal(read_all(h, buf, sizeof(buf)), 13);
	assert_memory_equal(buf, "still talking", 13);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_TIME_WAIT);
	h_free(h);
}

/* TIME_WAIT is bounded: past max_time_wait the oldest goes. */
static void
test_tcp_close_time_wait_bounded(void **state)
{
	struct tcp_conf conf;
	struct h *h;

	(void)state;
	h_conf(&conf);
	conf.max_time_wait = 2;
	h = h_new(&conf);
	for (unsigned int i = 0; i < 3; i++) {
		h->rport = (uint16_t)(H_RPORT + i);
		h->ev.accepts = 0;
		h_open_passive(h);
		tcp_shutdown(h->ts, h->id);
		h_ack(h, h->p_ack + 1, 1000);
		h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
		h->p_seq += 1;
		h_drain(h);
	}
	assert_int_equal(h->ts->ntw, 2);
	assert_int_equal(h->ts->nconns, 2);
	assert_int_equal(h->ts->ctr[TCP_CTR_TW_RECYCLED], 1);
	assert_int_equal(h->ts->closes[TCP_REASON_TIME_WAIT_RECYCLED], 1);
	h_free(h);
}

/* RFC 6191: a SYN with a newer timestamp reuses the TIME_WAIT tuple; an
 * older one gets an ACK (RFC 9293 §3.10.7.4) and nothing else. */
static void
test_tcp_close_time_wait_reuse(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_opts_out o = syn_opts;
	const struct h_out *r;

	(void)state;
	h_open_passive(h);
	tcp_shutdown(h->ts, h->id);
	h_ack(h, h->p_ack + 1, 1000);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	h_drain(h);
	assert_int_equal(h->ts->ntw, 1);
	o.tsval = h->p_tsval - 1;                /* older */
	h_inject(h, TCP_SYN, h->p_seq + 100000, 0, 65535, &o, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(h->ts->ntw, 1);
	o.tsval = h->p_tsval + 1;                /* newer */
	h_inject(h, TCP_SYN, h->p_seq + 100000, 0, 65535, &o, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq + 100001);
	assert_int_equal(h->ts->ntw, 0);
	assert_int_equal(h->ts->nconns, 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_TW_REUSED], 1);
	h_free(h);
}

static void
test_tcp_close_data_after_close_resets(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	(void)state;
	h_open_passive(h);
	assert_int_equal(tcp_close(h->ts, h->id), 0);
	assert_int_equal(h_pop(h)->seg.flags, TCP_FIN | TCP_ACK);
	h_send_data(h, "late", 4);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_RST);
	assert_int_equal(h->ts->nconns, 0);
	assert_int_equal(h->ts->closes[TCP_REASON_DATA_AFTER_CLOSE], 1);
	assert_int_equal(h->ev.closeds, 0);
	h_free(h);
}

/* After tcp_close() a peer that never sends FIN cannot hold FIN_WAIT_2. */
static void
test_tcp_close_fin_wait2_timeout(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_open_passive(h);
	tcp_close(h->ts, h->id);
	h_pop(h);
	h_ack(h, h->p_ack + 1, 1000);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_FIN_WAIT_2);
	h_advance(h, 60000);
	assert_int_equal(h->ts->nconns, 0);
	assert_int_equal(h->ts->closes[TCP_REASON_FIN_WAIT2_TIMEOUT], 1);
	h_free(h);
}

/* ---- FIN in every state ----------------------------------------------------- */

static void
test_tcp_fin_syn_rcvd(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	(void)state;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	h->p_seq++;
	h->p_ack = h_pop(h)->seg.seq + 1;
	/* The handshake's ACK carries a FIN: established, then CLOSE_WAIT. */
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	h->p_seq++;
	h->id = h->ev.last_id;
	assert_int_equal(h->ev.accepts, 1);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_CLOSE_WAIT);
	r = h_pop(h);
	assert_int_equal(r->seg.ack, h->p_seq);
	h_free(h);
}

static void
test_tcp_fin_syn_sent_ignored(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, 5000, h->raddr,
				     H_RPORT, h->app, h, &h->id), 0);
	h->lport = 5000;
	h_pop(h);
	h_inject(h, TCP_FIN, h->p_seq, 0, 1000, NULL, NULL, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_SYN_SENT);
	assert_int_equal(h_pending(h), 0);
	h_free(h);
}

static void
test_tcp_fin_established(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_open_passive(h);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_CLOSE_WAIT);
	assert_int_equal(h_pop(h)->seg.ack, h->p_seq + 1);
	h_free(h);
}

static void
test_tcp_fin_fin_wait_1(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_open_passive(h);
	tcp_shutdown(h->ts, h->id);
	h_pop(h);
	/* FIN that acks our FIN too: straight to TIME_WAIT. */
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack + 1, 1000, NULL, NULL, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_TIME_WAIT);
	assert_int_equal(h_pop(h)->seg.ack, h->p_seq + 1);
	h_free(h);
}

static void
test_tcp_fin_fin_wait_2(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_open_passive(h);
	tcp_shutdown(h->ts, h->id);
	h_pop(h);
	h_ack(h, h->p_ack + 1, 1000);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_TIME_WAIT);
	assert_int_equal(h_pop(h)->seg.ack, h->p_seq + 1);
	h_free(h);
}

/* A FIN again in CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT: acknowledged,
 * nothing else changes. */
static void
fin_again(uint8_t want_state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	h_open_passive(h);
	if (want_state == TCP_ST_CLOSING || want_state == TCP_ST_TIME_WAIT) {
		tcp_shutdown(h->ts, h->id);
		h_pop(h);
	}
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	h_drain(h);
	if (want_state == TCP_ST_LAST_ACK) {
		tcp_shutdown(h->ts, h->id);
		h_pop(h);
	}
	if (want_state == TCP_ST_TIME_WAIT)     /* acks our FIN, after its own */
		h_inject(h, TCP_ACK, h->p_seq + 1, h->p_ack + 1, 1000, NULL, NULL, 0);
	assert_int_equal(tcp_conn_get(h->ts, h->id) != NULL ? h_conn(h)->state :
			 h->ts->conns[TCP_ID_SLOT(h->id)].state, want_state);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags & (TCP_ACK | TCP_RST | TCP_SYN), TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq + 1);
	assert_int_equal(h->ts->conns[TCP_ID_SLOT(h->id)].state, want_state);
	assert_int_equal(h->ts->nconns, 1);
	h_free(h);
}

static void
test_tcp_fin_close_wait(void **state)
{
	(void)state;
	fin_again(TCP_ST_CLOSE_WAIT);
}

static void
test_tcp_fin_closing(void **state)
{
	(void)state;
	fin_again(TCP_ST_CLOSING);
}

static void
test_tcp_fin_last_ack(void **state)
{
	(void)state;
	fin_again(TCP_ST_LAST_ACK);
}

static void
test_tcp_fin_time_wait(void **state)
{
	(void)state;
	fin_again(TCP_ST_TIME_WAIT);
}

/* A FIN beyond a hole waits for the hole. */
static void
test_tcp_fin_out_of_order(void **state)
{
	struct h *h = h_new(NULL);
	uint8_t buf[16];

	(void)state;
	h_open_passive(h);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq + 4, h->p_ack, 1000, NULL, "efgh", 4);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h_pop(h)->seg.ack, h->p_seq);   /* duplicate ACK */
	h_send_data(h, "abcd", 4);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_CLOSE_WAIT);
	assert_int_equal(h_pop(h)->seg.ack, h->p_seq + 4 + 1);
	assert_int_equal(read_all(h, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "abcdefgh", 8);
	h_free(h);
}

/* ---- RST and SYN (RFC 5961) ------------------------------------------------ */

static void
test_tcp_rst_exact_resets(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_open_passive(h);
	h_inject(h, TCP_RST, h->p_seq, 0, 0, NULL, NULL, 0);
	assert_int_equal(h->ev.closeds, 1);
	assert_int_equal(h->ev.last_reason, TCP_REASON_RESET);
	assert_int_equal(tcp_conn_state(h->ts, h->id), -ENOTCONN);
	assert_int_equal(h_pending(h), 0);
	h_free(h);
}

static void
test_tcp_rst_in_window_challenge_ack(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	(void)state;
	h_open_passive(h);
	h_inject(h, TCP_RST, h->p_seq + 100, 0, 0, NULL, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.seq, h->p_ack);
	assert_int_equal(r->seg.ack, h->p_seq);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h->ts->ctr[TCP_CTR_CHALLENGE_ACK], 1);
	h_free(h);
}

static void
test_tcp_rst_out_of_window_ignored(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_open_passive(h);
	h_inject(h, TCP_RST, h->p_seq + 10000000, 0, 0, NULL, NULL, 0);
	h_inject(h, TCP_RST, h->p_seq - 1, 0, 0, NULL, NULL, 0);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h->ts->ctr[TCP_CTR_RST_IGNORED], 2);
	h_free(h);
}

static void
test_tcp_rst_syn_rcvd(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &syn_opts, NULL, 0);
	h->p_seq++;
	h_pop(h);
	h_inject(h, TCP_RST, h->p_seq, 0, 0, NULL, NULL, 0);
	assert_int_equal(h->ts->nconns, 0);
	assert_int_equal(h->ts->listeners[0].nsyn, 0);
	assert_int_equal(h->ev.accepts + h->ev.closeds, 0);
	h_free(h);
}

/* RFC 1337: a RST does not cut TIME_WAIT short. */
static void
test_tcp_rst_time_wait_ignored(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	h_open_passive(h);
	tcp_shutdown(h->ts, h->id);
	h_ack(h, h->p_ack + 1, 1000);
	h_inject(h, TCP_FIN | TCP_ACK, h->p_seq, h->p_ack, 1000, NULL, NULL, 0);
	h->p_seq++;
	h_drain(h);
	h_inject(h, TCP_RST, h->p_seq, 0, 0, NULL, NULL, 0);
	assert_int_equal(h->ts->ntw, 1);
	assert_int_equal(h->ts->nconns, 1);
	h_free(h);
}

static void
test_tcp_syn_in_window_challenge_ack(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;

	(void)state;
	h_open_passive(h);
	h_inject(h, TCP_SYN, h->p_seq + 5, 0, 65535, &syn_opts, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h->ts->ctr[TCP_CTR_CHALLENGE_ACK], 1);
	h_free(h);
}

/* RFC 5961 §5.2: an ACK for data never sent is answered and dropped. */
static void
test_tcp_ack_unsent_data_dropped(void **state)
{
	struct h *h = h_new(NULL);
	uint8_t buf[8];

	(void)state;
	h_open_passive(h);
	h_inject(h, TCP_ACK, h->p_seq, h->p_ack + 1000, 1000, NULL, "xyz", 3);
	assert_int_equal(h_pop(h)->seg.ack, h->p_seq);
	assert_int_equal(read_all(h, buf, sizeof(buf)), 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_ACK_TOO_NEW], 1);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_tcb_size),
		cmocka_unit_test(test_tcp_handshake_passive),
		cmocka_unit_test(test_tcp_handshake_passive_no_options),
		cmocka_unit_test(test_tcp_handshake_active),
		cmocka_unit_test(test_tcp_handshake_simultaneous_open),
		cmocka_unit_test(test_tcp_handshake_closed_port_rst),
		cmocka_unit_test(test_tcp_handshake_synack_retransmit),
		cmocka_unit_test(test_tcp_handshake_syn_sent_bad_ack),
		cmocka_unit_test(test_tcp_handshake_backlog_full),
		cmocka_unit_test(test_tcp_handshake_accept_refused),
		cmocka_unit_test(test_tcp_conn_pool_and_stale_id),
		cmocka_unit_test(test_tcp_input_bad_segments_counted),
		cmocka_unit_test(test_tcp_close_active),
		cmocka_unit_test(test_tcp_close_passive),
		cmocka_unit_test(test_tcp_close_simultaneous),
		cmocka_unit_test(test_tcp_close_half_close),
		cmocka_unit_test(test_tcp_close_time_wait_bounded),
		cmocka_unit_test(test_tcp_close_time_wait_reuse),
		cmocka_unit_test(test_tcp_close_data_after_close_resets),
		cmocka_unit_test(test_tcp_close_fin_wait2_timeout),
		cmocka_unit_test(test_tcp_fin_syn_rcvd),
		cmocka_unit_test(test_tcp_fin_syn_sent_ignored),
		cmocka_unit_test(test_tcp_fin_established),
		cmocka_unit_test(test_tcp_fin_fin_wait_1),
		cmocka_unit_test(test_tcp_fin_fin_wait_2),
		cmocka_unit_test(test_tcp_fin_close_wait),
		cmocka_unit_test(test_tcp_fin_closing),
		cmocka_unit_test(test_tcp_fin_last_ack),
		cmocka_unit_test(test_tcp_fin_time_wait),
		cmocka_unit_test(test_tcp_fin_out_of_order),
		cmocka_unit_test(test_tcp_rst_exact_resets),
		cmocka_unit_test(test_tcp_rst_in_window_challenge_ack),
		cmocka_unit_test(test_tcp_rst_out_of_window_ignored),
		cmocka_unit_test(test_tcp_rst_syn_rcvd),
		cmocka_unit_test(test_tcp_rst_time_wait_ignored),
		cmocka_unit_test(test_tcp_syn_in_window_challenge_ack),
		cmocka_unit_test(test_tcp_ack_unsent_data_dropped),
	};

	fill_pattern();
	h_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
