/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit checksums left to the NIC (issue 58): dp/tcp's segments with
 * conf.cksum_offer, and dp's software finish for a port that cannot
 * (dp_l4_cksum_finish(), net_output.c), UDP's offer beside.
 *
 * The real stack on tcp_fixture's harness, its output wrapped as dp's
 * (dp_tcp.c's tcp_out): the IP header put in front, l3_len and the
 * TX_IPV4/IPV6 flag, then either "a port that offloads" (the segment is
 * checked for what DPDK wants and taken, as a NIC would) or "a port that
 * cannot" (finished in software, checked against a checksum computed from
 * scratch, then handed to the harness, which checks it again with its own
 * sum and parses it).
 *
 * What it shows: an offered segment holds the pseudo-header's sum
 * (equal to DPDK's rte_ipv4/ipv6_phdr_cksum() over the IP header put in
 * front), RTE_MBUF_F_TX_TCP_CKSUM and its header's length in l4_len, over
 * IPv4 and IPv6, handshake, data and pure ACKs; the software finish
 * equals the checksum from scratch and clears the request; a segment
 * first sent on a port that offloads and lost is retransmitted right on
 * a port that cannot (each transmission is built afresh); without the
 * offer the checksum is final and nothing is asked; UDP's offer and
 * finish agree with the sum from scratch (0 sent as 0xffff).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "net/net.h"
#include "tcp_fixture.h"
#include "ref_cksum.h"

enum port_kind { PORT_SW, PORT_NIC };

static struct {
	struct dp_worker *w;
	enum port_kind port;
	unsigned int offered, finished, nic_taken;
	uint32_t nic_seq[16];        /* sequence numbers the "NIC" took */
	void *h;                     /* the harness's output argument */
	const struct tcp_out_ops *h_ops;
} wr;

/* The pseudo-header's sum, host order (RFC 9293 §3.1, RFC 8200 §8.1). */
static uint16_t
ref_phdr(uint8_t family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
	 uint32_t len)
{
	size_t n = family == TCP_AF_IPV6 ? 16 : 4;
	uint32_t s = ref_add(src, n, 0);

	s = ref_add(dst, n, s);
	return ref_fold(s + proto + (len & 0xffff) + (len >> 16));
}

/* The checksum from scratch, host order, the field counted as zero. */
static uint16_t
ref_l4(uint8_t family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
       const uint8_t *l4, uint32_t len, unsigned int field)
{
	uint32_t s = ref_phdr(family, src, dst, proto, len);

	s = ref_add(l4, field, s);
	s = ref_add(l4 + field + 2, len - field - 2, s);
	return (uint16_t)~ref_fold(s);
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wrap_output(void *arg, struct rte_mbuf *m, uint8_t family, uint8_t ds, const uint8_t *src,
	    const uint8_t *dst)
{
	uint32_t seglen = rte_pktmbuf_pkt_len(m);
	uint16_t l3 = family == TCP_AF_IPV4 ? 20 : 40, field;
	uint8_t *p, *l4;

	(void)arg;
	l4 = rte_pktmbuf_mtod(m, uint8_t *);
	/* what dp/tcp leaves for the NIC */
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_TCP_CKSUM);
	assert_int_equal(m->l4_len, (l4[12] >> 4) * 4);
	field = rd16(l4 + 16);
	assert_int_equal(field, ref_phdr(family, src, dst, 6, seglen));
	wr.offered++;

	/* dp_tcp.c's tcp_out */
	p = (uint8_t *)rte_pktmbuf_prepend(m, l3);
	assert_non_null(p);
	if (family == TCP_AF_IPV4)
		ipv4_build_hdr_ds(p, src, dst, 6, 64, (uint16_t)(seglen + 20), ds);
	else
		ipv6_build_hdr_tc(p, src, dst, 6, 64, (uint16_t)seglen, ds);
	m->l3_len = l3;
	m->ol_flags |= family == TCP_AF_IPV4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
	/* DPDK's own pseudo-header sum over that header: the same */
	{
		uint16_t d = family == TCP_AF_IPV4 ?
			rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)p, m->ol_flags) :
			rte_ipv6_phdr_cksum((const struct rte_ipv6_hdr *)p, m->ol_flags);
		uint16_t f;

		memcpy(&f, p + l3 + 16, 2);
		assert_int_equal(d, f);
	}

	if (wr.port == PORT_NIC) {
		/* taken by a NIC that makes the rest; as far as the stack
		 * knows, lost on the way */
		if (wr.nic_taken < 16)
			wr.nic_seq[wr.nic_taken] = (uint32_t)rd16(p + l3 + 4) << 16 |
						   rd16(p + l3 + 6);
		wr.nic_taken++;
		rte_pktmbuf_free(m);
		return;
	}
	{
		uint16_t want = ref_l4(family, src, dst, 6, p + l3, seglen, 16);
		uint64_t before = wr.w->ctr[DP_CTR_TX_CKSUM_SW];

		dp_l4_cksum_finish(wr.w, m, family);
		p = rte_pktmbuf_mtod(m, uint8_t *);
		assert_int_equal(rd16(p + l3 + 16), want);
		assert_int_equal(m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IPV4 |
						RTE_MBUF_F_TX_IPV6), 0);
		assert_int_equal(wr.w->ctr[DP_CTR_TX_CKSUM_SW], before + 1);
		wr.finished++;
	}
	rte_pktmbuf_adj(m, l3);
	wr.h_ops->output(wr.h, m, family, ds, src, dst);
}

static const struct tcp_out_ops wrap_ops = { .output = wrap_output };

static struct h *
wrapped(uint8_t family, bool offer)
{
	struct tcp_conf conf;
	struct h *h;

	h_conf(&conf);
	conf.cksum_offer = offer;
	h = h_new(&conf);
	if (family == TCP_AF_IPV6) {
		static const uint8_t l6[16] = { 0xfd, 0, 0, 0x58, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
		static const uint8_t r6[16] = { 0xfd, 0, 0, 0x58, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 2 };

		assert_int_equal(tcp_listen(h->ts, TCP_AF_IPV6, H_LPORT, h->app, h), 0);
		h->family = TCP_AF_IPV6;
		memcpy(h->laddr, l6, 16);
		memcpy(h->raddr, r6, 16);
	}
	memset(&wr, 0, sizeof(wr));
	wr.w = aligned_alloc(64, (sizeof(struct dp_worker) + 63) / 64 * 64);
	assert_non_null(wr.w);
	memset(wr.w, 0, sizeof(struct dp_worker));
	if (offer) {
		wr.h = h->ts->out_arg;
		wr.h_ops = h->ts->out;
		h->ts->out = &wrap_ops;
	}
	return h;
}

static void
unwrap(struct h *h)
{
	free(wr.w);
	wr.w = NULL;
	h_free(h);
}

/* Handshake, data both ways, ACKs: every segment offered, finished in
 * software equal to the sum from scratch (the harness checks it again). */
static void
offer_and_finish(uint8_t family)
{
	struct h *h = wrapped(family, true);
	const struct h_out *o;
	static uint8_t odd[1001];

	h_open_passive(h);
	for (size_t i = 0; i < sizeof(odd); i++)
		odd[i] = (uint8_t)(i * 7 + 3);
	/* an odd length: the last byte's half word */
	h_send_data(h, odd, sizeof(odd));
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(777, 0x5a)), 777);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(1200, 0xff)), 1200);
	h_advance(h, 50);
	while (h_pending(h) > 0) {
		o = h_pop(h);
		(void)o;
	}
	assert_true(wr.offered >= 3);   /* SYN-ACK, 777 B (the ACK with it), 1200 B */
	assert_int_equal(wr.finished, wr.offered);
	unwrap(h);
}

static void
test_tcp_offer_v4(void **state)
{
	(void)state;
	offer_and_finish(TCP_AF_IPV4);
}

static void
test_tcp_offer_v6(void **state)
{
	(void)state;
	offer_and_finish(TCP_AF_IPV6);
}

/* A segment sent on a port that offloads and lost, then retransmitted on
 * one that cannot (a route that changed): right, because the
 * retransmission is a new mbuf offered afresh, never the first one. */
static void
retransmit_elsewhere(uint8_t family)
{
	struct h *h = wrapped(family, true);
	const struct h_out *o = NULL;
	uint32_t seq;

	h_open_passive(h);
	h_drain(h);
	wr.port = PORT_NIC;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(600, 0x11)), 600);
	assert_int_equal(wr.nic_taken, 1);
	seq = wr.nic_seq[0];
	wr.port = PORT_SW;
	for (int i = 0; i < 40 && h_pending(h) == 0; i++)
		h_advance(h, 100);
	assert_true(h_pending(h) > 0);
	o = h_pop(h);
	assert_int_equal(o->seg.seq, seq);
	assert_int_equal(o->seg.len, 600);
	assert_int_equal(o->payload[0], 0x11);
	assert_true(h->ts->ctr[TCP_CTR_RETRANS_SEGS] > 0);
	assert_true(wr.finished > 0);
	unwrap(h);
}

static void
test_tcp_rexmit_v4(void **state)
{
	(void)state;
	retransmit_elsewhere(TCP_AF_IPV4);
}

static void
test_tcp_rexmit_v6(void **state)
{
	(void)state;
	retransmit_elsewhere(TCP_AF_IPV6);
}

/* The offer turned off (no port offloads: memif): final checksums, no
 * flags, as before (the harness's output checks every one). */
static void
test_tcp_no_offer(void **state)
{
	struct h *h = wrapped(TCP_AF_IPV4, false);

	(void)state;
	h_open_passive(h);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(321, 0x33)), 321);
	assert_true(h_pending(h) > 0);
	/* and switched on later: the next segment is offered */
	wr.h = h->ts->out_arg;
	wr.h_ops = h->ts->out;
	h->ts->out = &wrap_ops;
	tcp_stack_cksum_offer(h->ts, true);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(123, 0x44)), 123);
	assert_int_equal(wr.offered, 1);
	assert_int_equal(wr.finished, 1);
	unwrap(h);
}

/* UDP: dp_udp_cksum_offer(), then the software finish. */
static void
udp_one(uint8_t family, const uint8_t *payload, uint16_t plen, uint16_t want)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h_pool());
	uint16_t l3 = family == NET_AF_IPV4 ? 20 : 40;
	static const uint8_t s4[4] = { 10, 0, 0, 1 }, d4[4] = { 10, 1, 0, 20 };
	static const uint8_t s6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t d6[16] = { 0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20 };
	const uint8_t *src = family == NET_AF_IPV4 ? s4 : s6, *dst = family == NET_AF_IPV4 ? d4 : d6;
	uint8_t *p, *u;
	uint16_t ref;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l3 + 8 + plen));
	assert_non_null(p);
	u = p + l3;
	u[0] = 0xc3; u[1] = 0x50; u[2] = 0x13; u[3] = 0x88;
	u[4] = (uint8_t)((8 + plen) >> 8); u[5] = (uint8_t)(8 + plen);
	u[6] = u[7] = 0;
	memcpy(u + 8, payload, plen);
	if (family == NET_AF_IPV4)
		ipv4_build_hdr(p, src, dst, 17, 64, (uint16_t)(l3 + 8 + plen));
	else
		ipv6_build_hdr(p, src, dst, 17, 64, (uint16_t)(8 + plen));
	dp_udp_cksum_offer(m, family);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_UDP_CKSUM);
	assert_int_equal(rd16(u + 6), ref_phdr(family, src, dst, 17, 8u + plen));
	ref = ref_l4(family, src, dst, 17, u, 8u + plen, 6);
	if (ref == 0)
		ref = 0xffff;
	dp_l4_cksum_finish(wr.w, m, family);
	assert_int_equal(rd16(u + 6), ref);
	if (want != 0)
		assert_int_equal(rd16(u + 6), want);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
	rte_pktmbuf_free(m);
}

static void
test_udp_offer_finish(void **state)
{
	static uint8_t buf[1473];
	struct h *h = wrapped(TCP_AF_IPV4, false);  /* (the EAL, the pool, wr.w) */

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	for (uint16_t n = 0; n < 9; n++) {
		udp_one(NET_AF_IPV4, buf, n, 0);
		udp_one(NET_AF_IPV6, buf, n, 0);
	}
	udp_one(NET_AF_IPV4, buf, sizeof(buf), 0);
	udp_one(NET_AF_IPV6, buf, sizeof(buf), 0);
	/* a datagram whose sum is 0 is sent as 0xffff: find one by its
	 * last two bytes */
	{
		uint8_t z[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 0, 0 };
		uint16_t c = ref_l4(NET_AF_IPV4, (const uint8_t[4]){ 10, 0, 0, 1 },
				    (const uint8_t[4]){ 10, 1, 0, 20 }, 17,
				    (const uint8_t[18]){ 0xc3, 0x50, 0x13, 0x88, 0, 18, 0, 0,
							 1, 2, 3, 4, 5, 6, 7, 8, 0, 0 }, 18, 6);

		/* c in the last word makes the sum all ones (~c + c), the
		 * checksum 0 */
		z[8] = (uint8_t)(c >> 8);
		z[9] = (uint8_t)c;
		udp_one(NET_AF_IPV4, z, sizeof(z), 0xffff);
	}
	assert_int_equal(wr.w->ctr[DP_CTR_TX_CKSUM_SW], 2 * 9 + 2 + 1);
	unwrap(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_offer_v4),
		cmocka_unit_test(test_tcp_offer_v6),
		cmocka_unit_test(test_tcp_rexmit_v4),
		cmocka_unit_test(test_tcp_rexmit_v6),
		cmocka_unit_test(test_tcp_no_offer),
		cmocka_unit_test(test_udp_offer_finish),
	};

	h_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
