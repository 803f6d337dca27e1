/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp/tcp unit tests' harness (see tcp_fixture.h). The EAL runs with
 * --no-huge --in-memory --no-shconf --no-pci: a 64 MB heap in ordinary
 * memory, no files, no devices, so tests run side by side and as any
 * user.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcp_fixture.h"
#include "ref_cksum.h"

static struct rte_mempool *pool;

void
h_eal_init(void)
{
	char pfx[64];
	char *argv[] = {
		"test_tcp", "--no-huge", "-m", "64", "--no-pci",
		"--no-shconf", "--log-level=lib.eal:error", "--file-prefix", pfx,
		"-l", "0", NULL,
	};

	if (pool != NULL)
		return;
	snprintf(pfx, sizeof(pfx), "tcptest%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		exit(1);
	}
	pool = rte_pktmbuf_pool_create("tcp_test", 8191, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "no mbuf pool\n");
		exit(1);
	}
}

struct rte_mempool *
h_pool(void)
{
	return pool;
}

static uint16_t
ref_cksum(uint8_t family, const uint8_t *src, const uint8_t *dst,
	  const uint8_t *seg, size_t len)
{
	uint32_t s = 0;

	s = ref_add(src, family == TCP_AF_IPV6 ? 16 : 4, s);
	s = ref_add(dst, family == TCP_AF_IPV6 ? 16 : 4, s);
	s += 6 + (uint32_t)len;
	s = ref_add(seg, len, s);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
h_output(void *arg, struct rte_mbuf *m, uint8_t family, uint8_t ds, const uint8_t *src,
	 const uint8_t *dst)
{
	struct h *h = arg;
	struct h_out *o;
	uint8_t buf[2048 + 60];
	uint32_t len = m->pkt_len;

	assert_true(len <= sizeof(buf));
	assert_true(rte_pktmbuf_headroom(m) >= 64);
	assert_int_equal(family, h->family);
	assert_memory_equal(src, h->laddr, family == TCP_AF_IPV6 ? 16 : 4);
	assert_memory_equal(dst, h->raddr, family == TCP_AF_IPV6 ? 16 : 4);
	memcpy(buf, rte_pktmbuf_read(m, 0, len, buf), len);
	rte_pktmbuf_free(m);
	/* A valid checksum sums (with itself) to 0. */
	assert_int_equal(ref_cksum(family, src, dst, buf, len), 0);
	assert_true(h->nout < H_MAX_OUT);
	o = &h->out[h->nout++];
	assert_int_equal(tcp_seg_parse(buf, len, &o->seg), TCP_PARSE_OK);
	memcpy(o->payload, buf + o->seg.hdr_len, o->seg.len);
	o->family = family;
	o->ds = ds;
}

static const struct tcp_out_ops h_out_ops = { .output = h_output };

static struct h *cur;                /* for the app callbacks */

static int
app_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	struct h *h = larg;

	(void)ts;
	h->ev.accepts++;
	h->ev.last_id = id;
	*carg = h;
	return h->ev.refuse ? -1 : 0;
}

static void
app_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct h *h = arg;

	(void)ts;
	h->ev.connecteds++;
	h->ev.last_id = id;
}

static void
app_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct h *h = arg;

	h->ev.readables++;
	if (h->ev.send_in_readable != NULL) {
		struct rte_mbuf *m = h->ev.send_in_readable;

		h->ev.send_in_readable = NULL;
		assert_int_equal(tcp_send(ts, id, m), (int)m->pkt_len);
	}
	if (h->ev.close_in_readable)
		tcp_close(ts, id);
}

static void
app_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct h *h = arg;

	(void)ts;
	(void)id;
	h->ev.writables++;
}

static void
app_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct h *h = arg;

	(void)ts;
	h->ev.closeds++;
	h->ev.last_reason = why;
	h->ev.last_id = id;
	if (h->ev.keep_in_closed)
		h->ev.keep_rc = tcp_keep_readable(ts, id);
	if (h->ev.close_after_keep)
		assert_int_equal(tcp_close(ts, id), 0);
	if (h->ev.read_in_closed) {
		struct rte_mbuf *m;
		int n;

		h->ev.closed_read = 0;
		while ((n = tcp_recv(ts, id, &m, UINT32_MAX)) > 0) {
			h->ev.closed_read += n;
			rte_pktmbuf_free(m);
		}
		if (h->ev.closed_read == 0 && n < 0)
			h->ev.closed_read = n;
		h->ev.closed_read_end = n;
	}
}

const struct tcp_app_ops h_app_ops = {
	.accept = app_accept,
	.connected = app_connected,
	.readable = app_readable,
	.writable = app_writable,
	.closed = app_closed,
};

void
h_conf(struct tcp_conf *conf)
{
	tcp_conf_defaults(conf);
	conf->max_conns = 64;
	for (unsigned int i = 0; i < 16; i++)
		conf->isn_key[i] = (uint8_t)(0xa0 + i);
}

struct h *
h_new(const struct tcp_conf *conf)
{
	struct tcp_conf def;
	struct h *h;

	h_eal_init();
	h = calloc(1, sizeof(*h));
	assert_non_null(h);
	if (conf == NULL) {
		h_conf(&def);
		conf = &def;
	}
	h->mbufs_at_start = rte_mempool_in_use_count(pool);
	h->now = 1000;
	tw_init(&h->wheel, h->now);
	h->ts = tcp_stack_create(conf, &h->wheel, &h_out_ops, h, pool, h->now);
	assert_non_null(h->ts);
	h->app = tcp_app_register(h->ts, &h_app_ops);
	assert_true(h->app >= 0);
	assert_int_equal(tcp_listen(h->ts, TCP_AF_IPV4, H_LPORT, h->app, h), 0);
	h->family = TCP_AF_IPV4;
	h->laddr[0] = 10, h->laddr[3] = 1;
	h->raddr[0] = 10, h->raddr[3] = 2;
	h->lport = H_LPORT;
	h->rport = H_RPORT;
	h->p_seq = 0x10000000u;
	h->p_tsval = 5000;
	h->p_wnd = 65535;
	h->p_ts = true;
	cur = h;
	return h;
}

void
h_free(struct h *h)
{
	tcp_stack_free(h->ts);
	assert_int_equal(tw_count(&h->wheel), 0);
	/* Every mbuf is back: nothing leaked, nothing freed twice. */
	assert_int_equal(rte_mempool_in_use_count(pool), h->mbufs_at_start);
	free(h);
	cur = NULL;
}

void
h_advance(struct h *h, uint64_t ms)
{
	h->now += ms;
	tcp_stack_set_time(h->ts, h->now);
	tw_advance(&h->wheel, h->now);
}

uint32_t
h_last_tsval(const struct h *h)
{
	for (unsigned int i = h->nout; i > 0; i--)
		if (h->out[i - 1].seg.opts & TCP_OPT_F_TS)
			return h->out[i - 1].seg.tsval;
	return 0;
}

void
h_inject_raw(struct h *h, const uint8_t *seg, uint32_t len, bool bad_cksum)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	uint16_t ck;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(p);
	memcpy(p, seg, len);
	if (len >= 20) {
		p[16] = p[17] = 0;
		ck = ref_cksum(h->family, h->raddr, h->laddr, p, len);
		if (bad_cksum)
			ck ^= 0x0100;
		p[16] = (uint8_t)(ck >> 8);
		p[17] = (uint8_t)ck;
	}
	tcp_stack_set_time(h->ts, h->now);
	h->last_in = m;
	tcp_input(h->ts, m, h->family, h->raddr, h->laddr, 0, len, false);
}

void
h_inject(struct h *h, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
	 const struct tcp_opts_out *opts, const void *payload, uint32_t len)
{
	uint8_t buf[60 + 2048];
	struct tcp_opts_out o = { 0 };
	size_t hl;

	assert_true(len <= 2048);
	if (opts == NULL && h->p_ts) {
		o.opts = TCP_OPT_F_TS;
		o.tsval = h->p_tsval;
		o.tsecr = h_last_tsval(h);
		opts = &o;
	}
	hl = tcp_seg_build(buf, h->rport, h->lport, seq, ack, flags, wnd, opts);
	if (len > 0)
		memcpy(buf + hl, payload, len);
	h_inject_raw(h, buf, (uint32_t)(hl + len), false);
}

void
h_send_data(struct h *h, const void *data, uint32_t len)
{
	h_inject(h, TCP_ACK | TCP_PSH, h->p_seq, h->p_ack, h->p_wnd, NULL, data, len);
	h->p_seq += len;
}

void
h_ack(struct h *h, uint32_t ack, uint16_t wnd)
{
	h->p_ack = ack;
	h->p_wnd = wnd;
	h_inject(h, TCP_ACK, h->p_seq, ack, wnd, NULL, NULL, 0);
}

unsigned int
h_pending(const struct h *h)
{
	return h->nout - h->head;
}

const struct h_out *
h_pop(struct h *h)
{
	assert_true(h->head < h->nout);
	return &h->out[h->head++];
}

void
h_drain(struct h *h)
{
	h->head = h->nout;
}

void
h_forget(struct h *h)
{
	h->head = h->nout = 0;
}

struct tcp_conn *
h_conn(struct h *h)
{
	return tcp_conn_get(h->ts, h->id);
}

void
h_open_passive(struct h *h)
{
	struct tcp_opts_out o = {
		.opts = TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS | TCP_OPT_F_SACKOK,
		.mss = 1460, .wscale = 0, .tsval = h->p_tsval, .tsecr = 0,
	};
	const struct h_out *r;

	if (h->p_nosack)
		o.opts &= (uint8_t)~TCP_OPT_F_SACKOK;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &o, NULL, 0);
	h->p_seq++;
	assert_int_equal(h_pending(h), 1);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq);
	h->p_ack = r->seg.seq + 1;
	h_ack(h, h->p_ack, 65535);
	assert_int_equal(h->ev.accepts, 1);
	h->id = h->ev.last_id;
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(h_pending(h), 0);
}

void
h_open_active(struct h *h)
{
	struct tcp_opts_out o = {
		.opts = TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS,
		.mss = 1460, .wscale = 0,
	};
	const struct h_out *r;

	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, H_LPORT + 1,
				     h->raddr, H_RPORT, h->app, h, &h->id), 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN);
	o.tsval = h->p_tsval;
	o.tsecr = r->seg.tsval;
	h->p_ack = r->seg.seq + 1;
	h->lport = H_LPORT + 1;
	h_inject(h, TCP_SYN | TCP_ACK, h->p_seq, h->p_ack, 65535, &o, NULL, 0);
	h->p_seq++;
	assert_int_equal(h->ev.connecteds, 1);
	assert_int_equal(tcp_conn_state(h->ts, h->id), TCP_ST_ESTABLISHED);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_ACK);
	assert_int_equal(r->seg.ack, h->p_seq);
}

struct rte_mbuf *
h_mbuf(uint32_t len, uint8_t b)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *last = m;
	uint32_t left = len;

	assert_non_null(m);
	while (left > 0) {
		uint32_t n = left > 1024 ? 1024 : left;
		uint8_t *p;

		if (rte_pktmbuf_tailroom(last) < n) {
			struct rte_mbuf *x = rte_pktmbuf_alloc(pool);

			assert_non_null(x);
			assert_int_equal(rte_pktmbuf_chain(m, x), 0);
			last = x;
		}
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		assert_non_null(p);
		for (uint32_t i = 0; i < n; i++)
			p[i] = (uint8_t)(b + (len - left) + i);
		left -= n;
	}
	return m;
}

void
h_sack(struct h *h, uint32_t ack, unsigned int n, const uint32_t *lr)
{
	struct tcp_opts_out o = {
		.opts = TCP_OPT_F_TS | (n > 0 ? TCP_OPT_F_SACK : 0),
		.tsval = h->p_tsval, .tsecr = h_last_tsval(h), .nsack = (uint8_t)n,
	};

	for (unsigned int i = 0; i < n; i++) {
		o.sack[i].left = lr[2 * i];
		o.sack[i].right = lr[2 * i + 1];
	}
	h->p_ack = ack;
	h_inject(h, TCP_ACK, h->p_seq, ack, h->p_wnd, &o, NULL, 0);
}

uint32_t
h_smss(const struct tcp_conn *c)
{
	return c->mss - ((c->flags & TCP_CF_TS) ? TCP_OPT_TS_LEN : 0);
}

void
h_send_seg(struct h *h, uint8_t b)
{
	uint32_t mss = h_smss(h_conn(h));

	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(mss, b)), (int)mss);
}

struct h *
h_open_rtt(const struct tcp_conf *conf, uint32_t rtt)
{
	struct tcp_opts_out o = {
		.opts = TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS | TCP_OPT_F_SACKOK,
		.mss = 1460, .wscale = 0, .tsval = 5000, .tsecr = 0,
	};
	struct h *h = h_new(conf);
	const struct h_out *r;
	struct tcp_conn *c;

	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &o, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	h->p_ack = r->seg.seq + 1;
	h_advance(h, rtt);
	h_ack(h, h->p_ack, 65535);
	assert_int_equal(h->ev.accepts, 1);
	h->id = h->ev.last_id;
	c = h_conn(h);
	h_send_seg(h, 0);
	h_drain(h);
	h_advance(h, rtt);
	h_ack(h, h->p_ack + h_smss(c), 65535);
	assert_int_equal(h_pending(h), 0);
	assert_int_equal(c->srtt8 >> 3, rtt);
	return h;
}
