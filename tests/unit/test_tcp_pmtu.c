/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp path MTU (tcp_pmtu.c): ICMP fragmentation-needed / packet-too-big
 * checked as RFC 5927 says and applied as RFC 1191 / 8201 (a floor, never
 * raised, what was in flight sent again in the new size without a cwnd
 * cut), the memory per remote address and port, the port's MSS clamp,
 * RFC 4821's black-hole detection and probing. On the tcp_fixture harness: local
 * 10.0.0.1:3478, peer 10.0.0.2:40000, MSS 1460 both ways with timestamps
 * (segments of 1448 bytes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "tcp_fixture.h"
#include "tcp_private.h"

/* An ICMPv4 "fragmentation needed" (3/4) with next-hop mtu about our
 * segment seq of h's connection (quoted: a 1500-byte IPv4 datagram from
 * us to the peer, ports as the connection's unless sport is not 0). */
static void
icmp4(struct h *h, uint32_t mtu, uint32_t seq, uint16_t sport)
{
	uint8_t q[28] = { 0x45, 0, 1500 >> 8, 1500 & 0xff, 0, 0, 0x40, 0, 64, 6 };

	memcpy(q + 12, h->laddr, 4);
	memcpy(q + 16, h->raddr, 4);
	sport = sport != 0 ? sport : h->lport;
	q[20] = (uint8_t)(sport >> 8);
	q[21] = (uint8_t)sport;
	q[22] = (uint8_t)(h->rport >> 8);
	q[23] = (uint8_t)h->rport;
	q[24] = (uint8_t)(seq >> 24);
	q[25] = (uint8_t)(seq >> 16);
	q[26] = (uint8_t)(seq >> 8);
	q[27] = (uint8_t)seq;
	tcp_icmp_input(h->ts, TCP_AF_IPV4, 3, 4, mtu, q, sizeof(q));
}

/* Pop every segment waiting; the highest sequence they reach, how many
 * there were and the largest payload. */
static uint32_t
pop_all(struct h *h, unsigned int *n, uint32_t *maxlen)
{
	uint32_t end = h->p_ack;

	*n = 0;
	*maxlen = 0;
	while (h_pending(h) > 0) {
		const struct h_out *r = h_pop(h);

		if (tcp_seq_gt(r->seg.seq + r->seg.len, end))
			end = r->seg.seq + r->seg.len;
		if (r->seg.len > *maxlen)
			*maxlen = r->seg.len;
		(*n)++;
	}
	return end;
}

/* Each segment's payload is the pattern h_mbuf() wrote (b + i) from
 * the stream's start iss1. */
static void
check_payload(const struct h_out *r, uint32_t iss1)
{
	for (uint32_t i = 0; i < r->seg.len; i++)
		assert_int_equal(r->payload[i], (uint8_t)(r->seg.seq - iss1 + i));
}

/* What a quote that is too short, has a bad header length or is not TCP
 * says is ignored and counted; each quote is read from a heap copy of
 * its exact size (ASan sees a read past it). */
static void
test_pmtu_icmp_bad_quotes(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_conn *c;
	uint8_t q[28] = { 0x45, 0, 1500 >> 8, 1500 & 0xff, 0, 0, 0x40, 0, 64, 6 };
	static const struct { uint8_t vihl, proto; size_t len; } bad[] = {
		{ 0x45, 6, 0 }, { 0x45, 6, 1 }, { 0x45, 6, 27 }, { 0x44, 6, 28 },
		{ 0x4f, 6, 28 }, { 0x45, 17, 28 },
	};
	uint32_t una;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(1448, 0)), 1448);
	h_drain(h);
	memcpy(q + 12, h->laddr, 4);
	memcpy(q + 16, h->raddr, 4);
	q[20] = (uint8_t)(h->lport >> 8);
	q[21] = (uint8_t)h->lport;
	q[22] = (uint8_t)(h->rport >> 8);
	q[23] = (uint8_t)h->rport;
	q[24] = (uint8_t)(una >> 24);
	q[25] = (uint8_t)(una >> 16);
	q[26] = (uint8_t)(una >> 8);
	q[27] = (uint8_t)una;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* (nothing to read at all: no buffer) */
		uint8_t *d = bad[i].len > 0 ? malloc(bad[i].len) : NULL;

		assert_true(bad[i].len == 0 || d != NULL);
		q[0] = bad[i].vihl;
		q[9] = bad[i].proto;
		if (d != NULL)
			memcpy(d, q, bad[i].len);
		tcp_icmp_input(h->ts, TCP_AF_IPV4, 3, 4, 1280, d, bad[i].len);
		free(d);
	}
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_ICMP_IGNORED], sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_LOWERED], 0);
	assert_int_equal(c->mss, 1460);
	/* ... and the same quote whole is taken */
	q[0] = 0x45;
	q[9] = 6;
	tcp_icmp_input(h->ts, TCP_AF_IPV4, 3, 4, 1280, q, sizeof(q));
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_LOWERED], 1);
	h_free(h);
}

/* ICMP with the right tuple and a sequence in flight lowers the MSS and
 * sends what was in flight again, cut in the new size, cwnd unchanged;
 * a wrong port or a sequence outside [SND.UNA, SND.MAX) is counted and
 * ignored; a larger MTU never raises it. */
static void
test_pmtu_icmp_checks_and_resegments(void **state)
{
	struct tcp_conf conf;
	struct h *h;
	struct tcp_conn *c;
	uint32_t una, cwnd, ssthresh, seq;
	unsigned int n = 0;

	(void)state;
	h_conf(&conf);
	conf.max_burst = 16;        /* the four resent at once, not three (the IW) */
	h = h_new(&conf);
	h_open_passive(h);
	c = h_conn(h);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(3 * 1448, 0)), 3 * 1448);
	while (h_pending(h) > 0)
		assert_int_equal(h_pop(h)->seg.len, 1448);
	cwnd = c->cwnd;
	ssthresh = c->ssthresh;

	icmp4(h, 1280, una - 1, 0);                 /* before SND.UNA */
	icmp4(h, 1280, una + 3 * 1448, 0);          /* at SND.MAX */
	icmp4(h, 1280, una + 1448, H_LPORT + 7);    /* not our port */
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_ICMP_IGNORED], 3);
	assert_int_equal(c->mss, 1460);
	assert_int_equal(h_pending(h), 0);

	icmp4(h, 1280, una + 1448, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_LOWERED], 1);
	assert_int_equal(c->mss, 1240);
	/* everything in flight again from SND.UNA, 1228-byte payloads */
	seq = una;
	while (h_pending(h) > 0) {
		const struct h_out *r = h_pop(h);

		assert_int_equal(r->seg.seq, seq);
		assert_true(r->seg.len <= 1228);
		check_payload(r, una);
		seq += r->seg.len;
		n++;
	}
	assert_int_equal(seq, una + 3 * 1448);
	assert_int_equal(n, 4);                     /* 1228 * 3 + 660 */
	assert_int_equal(c->cwnd, cwnd);            /* not congestion */
	assert_int_equal(c->ssthresh, ssthresh);
	assert_false(c->flags & TCP_CF_RECOVERY);

	icmp4(h, 1280, una, 0);                     /* the same again */
	icmp4(h, 1400, una, 0);                     /* larger: not raised */
	assert_int_equal(c->mss, 1240);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_LOWERED], 1);
	assert_int_equal(h_pending(h), 0);

	/* the peer's duplicate ACKs for the copies start no recovery */
	h_ack(h, una + 1448, 65535);
	for (int i = 0; i < 4; i++)
		h_ack(h, una + 1448, 65535);
	assert_int_equal(h->ts->ctr[TCP_CTR_FAST_RETRANS], 0);
	h_drain(h);
	h_ack(h, una + 3 * 1448, 65535);
	h_free(h);
}

/* RFC 1191 / RFC 9293: 536 is the floor whatever the router says; a
 * router that gives no MTU gets the next plateau below the quoted size. */
static void
test_pmtu_icmp_floor_and_plateau(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_conn *c;
	uint32_t una;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(2 * 1448, 0)), 2 * 1448);
	h_drain(h);
	icmp4(h, 0, una, 0);                        /* 1500 quoted: 1492 */
	assert_int_equal(c->mss, 1452);
	h_drain(h);
	icmp4(h, 300, una, 0);
	assert_int_equal(c->mss, 536);
	h_drain(h);
	icmp4(h, 68, una, 0);
	assert_int_equal(c->mss, 536);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_LOWERED], 2);
	h_drain(h);
	h_ack(h, una + 2 * 1448, 65535);
	h_free(h);
}

/* ICMPv6 packet too big (RFC 8201): the MTU less 60, never below 1220
 * (the floor is what 1280, IPv6's minimum link MTU, leaves); only
 * "packet too big" and only a quoted TCP segment are taken. */
static void
icmp6(struct h *h, uint8_t type, uint32_t mtu, uint32_t seq, uint8_t next)
{
	uint8_t q[48] = { 0x60, 0, 0, 0, 1500 >> 8, 1500 & 0xff, 6, 64 };

	q[6] = next;
	memcpy(q + 8, h->laddr, 16);
	memcpy(q + 24, h->raddr, 16);
	q[40] = (uint8_t)(h->lport >> 8);
	q[41] = (uint8_t)h->lport;
	q[42] = (uint8_t)(h->rport >> 8);
	q[43] = (uint8_t)h->rport;
	q[44] = (uint8_t)(seq >> 24);
	q[45] = (uint8_t)(seq >> 16);
	q[46] = (uint8_t)(seq >> 8);
	q[47] = (uint8_t)seq;
	tcp_icmp_input(h->ts, TCP_AF_IPV6, type, 0, mtu, q, sizeof(q));
}

static void
test_pmtu_icmp6_packet_too_big(void **state)
{
	static const struct tcp_opts_out o = {
		.opts = TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS, .mss = 1460, .tsval = 5000,
	};
	struct h *h = h_new(NULL);
	const struct h_out *r;
	struct tcp_conn *c;
	uint32_t una;

	(void)state;
	assert_int_equal(tcp_listen(h->ts, TCP_AF_IPV6, H_LPORT, h->app, h), 0);
	h->family = TCP_AF_IPV6;
	memset(h->laddr, 0, 16);
	memset(h->raddr, 0, 16);
	h->laddr[0] = 0x20, h->laddr[1] = 0x01, h->laddr[15] = 1;
	h->raddr[0] = 0x20, h->raddr[1] = 0x01, h->raddr[15] = 2;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &o, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	h->p_ack = r->seg.seq + 1;
	h_ack(h, h->p_ack, 65535);
	h->id = h->ev.last_id;
	c = h_conn(h);
	assert_int_equal(c->mss, 1440);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(2 * 1428, 0)), 2 * 1428);
	h_drain(h);

	icmp6(h, 1, 1280, una, 6);                  /* unreachable: not ours */
	icmp6(h, 2, 1280, una, 17);                 /* quotes UDP */
	assert_int_equal(c->mss, 1440);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_ICMP_IGNORED], 1);
	icmp6(h, 2, 1400, una + 1428, 6);
	assert_int_equal(c->mss, 1340);
	r = h_pop(h);
	assert_int_equal(r->seg.seq, una);
	assert_int_equal(r->seg.len, 1328);
	h_drain(h);
	icmp6(h, 2, 1000, una, 6);                  /* below IPv6's minimum */
	assert_int_equal(c->mss, 1220);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_LOWERED], 2);
	assert_int_equal(tcp_pmtu_lookup(h->ts, TCP_AF_IPV6, h->raddr, H_RPORT), 1220);
	h_drain(h);
	h_ack(h, una + 2 * 1428, 65535);
	h_free(h);
}

/* What ICMP found is remembered for the remote address and port: a new
 * connection to them sends in that size (announcing its own MSS still),
 * until the entry expires after ten minutes; another destination is not
 * affected. */
static void
test_pmtu_cache(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	struct tcp_conn *c;
	tcp_id_t id2;
	uint8_t other[16] = { 10, 0, 0, 3 };
	uint32_t una;


	(void)state;
	h_open_passive(h);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(1448, 0)), 1448);
	h_drain(h);
	icmp4(h, 1400, una, 0);
	assert_int_equal(h_conn(h)->mss, 1360);
	assert_int_equal(tcp_pmtu_lookup(h->ts, TCP_AF_IPV4, h->raddr, H_RPORT), 1360);
	assert_int_equal(tcp_pmtu_lookup(h->ts, TCP_AF_IPV4, other, H_RPORT), 0);
	h_drain(h);
	h_ack(h, una + 1448, 65535);

	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, H_LPORT + 1, h->raddr,
				     H_RPORT, h->app, h, &id2), 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN);
	assert_int_equal(r->seg.mss, 1460);         /* we still receive 1460 */
	c = tcp_conn_get(h->ts, id2);
	assert_int_equal(c->mss, 1360);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_CACHE_HIT], 1);
	tcp_abort(h->ts, id2);
	h_drain(h);


	h_advance(h, 600001);                       /* mtu_expires */
	assert_int_equal(tcp_pmtu_lookup(h->ts, TCP_AF_IPV4, h->raddr, H_RPORT), 0);
	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, H_LPORT + 3, h->raddr,
				     H_RPORT, h->app, h, &id2), 0);
	assert_int_equal(tcp_conn_get(h->ts, id2)->mss, 1460);
	tcp_abort(h->ts, id2);
	h_drain(h);
	h_free(h);
}

/* Behind one address (a carrier-grade NAT's) many subscribers connect,
 * each from a port of its own. An ICMP quoting one connection (which its
 * own subscriber can forge: it knows the sequence) lowers that connection
 * and what is remembered for its address and port, and nothing of its
 * neighbours': a connection from another port of the address, open or
 * new, keeps its MSS. */
static void
test_pmtu_icmp_lowers_only_the_quoted_connection(void **state)
{
	struct h *h = h_new(NULL);
	tcp_id_t other, later;
	uint32_t una;

	(void)state;
	h_open_passive(h);
	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, H_LPORT + 1, h->raddr,
				     H_RPORT + 7, h->app, h, &other), 0);
	h_drain(h);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(1448, 0)), 1448);
	h_drain(h);
	icmp4(h, 1400, una, 0);
	assert_int_equal(h_conn(h)->mss, 1360);            /* RFC 1191: the quoted one */
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_LOWERED], 1);
	assert_int_equal(tcp_conn_get(h->ts, other)->mss, 1460);
	assert_int_equal(tcp_pmtu_lookup(h->ts, TCP_AF_IPV4, h->raddr, H_RPORT), 1360);
	assert_int_equal(tcp_pmtu_lookup(h->ts, TCP_AF_IPV4, h->raddr, H_RPORT + 9), 0);
	h_drain(h);
	h_ack(h, una + 1448, 65535);
	/* a new connection from a neighbour's port: its own size */
	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, H_LPORT + 2, h->raddr,
				     H_RPORT + 9, h->app, h, &later), 0);
	assert_int_equal(tcp_conn_get(h->ts, later)->mss, 1460);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_CACHE_HIT], 0);
	tcp_abort(h->ts, later);
	h_drain(h);
	/* one to the quoted connection's address and port: remembered */
	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, H_LPORT + 3, h->raddr,
				     H_RPORT, h->app, h, &later), 0);
	assert_int_equal(tcp_conn_get(h->ts, later)->mss, 1360);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_CACHE_HIT], 1);
	tcp_abort(h->ts, later);
	tcp_abort(h->ts, other);
	h_drain(h);
	h_free(h);
}

/* A passive connection from a remembered destination sends in that size
 * too (its SYN-ACK announcing ours). */
static void
test_pmtu_cache_passive(void **state)
{
	struct h *h = h_new(NULL);

	(void)state;
	tcp_pmtu_store(h->ts, TCP_AF_IPV4, h->raddr, H_RPORT, 1200);
	h_open_passive(h);
	assert_int_equal(h_conn(h)->mss, 1200);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_CACHE_HIT], 1);
	h_free(h);
}

/* A SYN answered with a cookie (the backlog full): the MSS the cookie
 * keeps is at most the destination's remembered one (1300: the table's
 * 1220), and the connection it makes sends in it. */
static void
test_pmtu_cache_syncookie(void **state)
{
	static const struct tcp_opts_out o = {
		.opts = TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS, .mss = 1460, .tsval = 5000,
	};
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;

	(void)state;
	h_conf(&conf);
	conf.syn_backlog = 1;
	h = h_new(&conf);
	tcp_pmtu_store(h->ts, TCP_AF_IPV4, h->raddr, H_RPORT, 1300);
	h->rport = H_RPORT + 1;
	h_inject(h, TCP_SYN, 7, 0, 65535, &o, NULL, 0);      /* fills it */
	h_drain(h);
	h->rport = H_RPORT;
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &o, NULL, 0);
	h->p_seq++;
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(h->ts->ctr[TCP_CTR_SYNCOOKIE_SENT], 1);
	assert_int_equal(r->seg.mss, 1220);
	h->p_ack = r->seg.seq + 1;
	{
		struct tcp_opts_out a = { .opts = TCP_OPT_F_TS, .tsval = h->p_tsval + 1,
					  .tsecr = r->seg.tsval };

		h_inject(h, TCP_ACK, h->p_seq, h->p_ack, 65535, &a, NULL, 0);
	}
	assert_int_equal(h->ts->ctr[TCP_CTR_SYNCOOKIE_OK], 1);
	h->id = h->ev.last_id;
	assert_int_equal(h_conn(h)->mss, 1220);
	h_drain(h);
	h_free(h);
}

static uint16_t
clamp_1000(void *arg, uint8_t family, const uint8_t *laddr)
{
	const uint8_t *ours = arg;

	return family == TCP_AF_IPV4 && memcmp(laddr, ours, 4) == 0 ? 1000 : 0;
}

/* The port's clamp: announced in the SYN-ACK and the SYN, and the most
 * sent whatever the peer announced; another local address has none. */
static void
test_pmtu_clamp(void **state)
{
	static uint8_t local[4] = { 10, 0, 0, 1 };
	struct tcp_conf conf;
	struct h *h;
	const struct h_out *r;
	struct tcp_opts_out o = {
		.opts = TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_TS | TCP_OPT_F_SACKOK,
		.mss = 1460,
	};
	uint8_t other[16] = { 10, 0, 0, 9 };
	tcp_id_t id2;

	(void)state;
	h_conf(&conf);
	conf.mss_clamp = clamp_1000;
	conf.mss_clamp_arg = local;
	h = h_new(&conf);
	h_inject(h, TCP_SYN, h->p_seq, 0, 65535, &o, NULL, 0);
	r = h_pop(h);
	assert_int_equal(r->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r->seg.mss, 1000);
	h_drain(h);

	assert_int_equal(tcp_connect(h->ts, TCP_AF_IPV4, h->laddr, H_LPORT + 1, h->raddr,
				     H_RPORT + 1, h->app, h, &id2), 0);
	r = h_pop(h);
	assert_int_equal(r->seg.mss, 1000);
	assert_int_equal(tcp_conn_get(h->ts, id2)->mss, 1000);
	tcp_abort(h->ts, id2);
	h_drain(h);
	/* another local address (the harness sends only from its own) */
	assert_int_equal(tcp_mss_ours(h->ts, TCP_AF_IPV4, other), 1460);
	assert_int_equal(tcp_mss_ours(h->ts, TCP_AF_IPV4, h->laddr), 1000);
	h_free(h);
}

/* RFC 4821's RTO counting alone: with RACK-TLP (RFC 8985) the first of
 * these timeouts is a tail loss probe, and the black hole shows one RTO
 * later (test_tcp_rack.c covers the probe). */
/* Move the clock to when the connection's RXT timer is due (the RTO,
 * backed off: SRTT + max(4·RTTVAR, rto_min), doubled per timeout). */
static void
rxt_due(struct h *h)
{
	struct tcp_conn *c = h_conn(h);
	int32_t d = (int32_t)(c->t_due[TCP_T_RXT] - tcp_now32(h->ts));

	assert_true(tcp_timer_armed(c, TCP_T_RXT));
	h_advance(h, d > 0 ? (uint64_t)d : 0);
}

static struct h *
h_new_norack(void)
{
	struct tcp_conf conf;

	h_conf(&conf);
	conf.rack = false;
	return h_new(&conf);
}

/* RFC 4821 black hole: full segments lost to two RTOs in a row: the MSS
 * drops to base_mss (1024) and the search's top is what failed; a
 * second black hole halves it; never below the floor. Small segments
 * lost (a dead peer, not a path) do not lower it. */
static void
test_pmtu_blackhole(void **state)
{
	struct h *h = h_new_norack();
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t una;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(20000, 0)), 20000);
	h_drain(h);
	rxt_due(h);                          /* RTO 1 */
	r = h_pop(h);
	assert_int_equal(r->seg.len, 1448);
	assert_int_equal(c->mss, 1460);
	rxt_due(h);                          /* RTO 2: black hole */
	r = h_pop(h);
	assert_int_equal(r->seg.seq, una);
	assert_int_equal(r->seg.len, 1012);
	check_payload(r, una);
	assert_int_equal(c->mss, 1024);
	assert_int_equal(c->cold.mss_hi, 1460);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_BLACKHOLE], 1);
	rxt_due(h);                          /* RTO 3 */
	assert_int_equal(h_pop(h)->seg.len, 1012);
	rxt_due(h);                         /* RTO 4: halved */
	assert_int_equal(h_pop(h)->seg.len, 536 - 12);
	assert_int_equal(c->mss, 536);              /* 512 < the floor */
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_BLACKHOLE], 2);
	rxt_due(h);
	rxt_due(h);                         /* RTO 6: at the floor */
	assert_int_equal(c->mss, 536);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_BLACKHOLE], 2);
	h_drain(h);
	h_ack(h, una + 20000, 65535);
	h_drain(h);
	h_free(h);

	/* a lone small segment lost again and again: no black hole */
	h = h_new(NULL);
	h_open_passive(h);
	c = h_conn(h);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(100, 0)), 100);
	h_drain(h);
	rxt_due(h);
	rxt_due(h);
	rxt_due(h);
	assert_int_equal(c->mss, 1460);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_BLACKHOLE], 0);
	h_drain(h);
	h_free(h);
}

/* After a black hole the search probes upward: a probe of (MSS + top) / 2
 * goes when data fills it with three segments behind; acknowledged, the
 * MSS rises to it; lost (three duplicate ACKs at it), the top comes down
 * to it and its bytes alone go again in the current size with no
 * recovery and no cwnd cut; the search ends within 32 bytes and is
 * remembered. */
static void
test_pmtu_probe_confirm_and_lose(void **state)
{
	struct h *h;
	struct tcp_conn *c;
	uint32_t una, end, maxlen, cwnd, probe_seq = 0;
	unsigned int n, round;
	bool lost_one = false;

	(void)state;
	h = h_new(NULL);
	h->p_nosack = true;                         /* NewReno's duplicate ACKs */
	h_open_passive(h);
	c = h_conn(h);
	una = h->p_ack;
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(200000, 0)), 200000);
	h_drain(h);
	rxt_due(h);
	rxt_due(h);                          /* black hole: 1024 */
	assert_int_equal(c->mss, 1024);
	h_drain(h);

	for (round = 0; round < 200 && c->cold.mss_hi != 0; round++) {
		/* resend whatever the RTOs left behind: ack what went */
		end = pop_all(h, &n, &maxlen);
		if (n == 0) {
			h_advance(h, c->rto);
			continue;
		}
		if (c->cold.probe_mss != 0 && !lost_one &&
		    h->ts->ctr[TCP_CTR_PMTU_PROBES_OK] >= 1) {
			/* lose this probe: ACK up to it, then three duplicates */
			uint32_t hi_before = c->cold.mss_hi, p = c->cold.probe_mss, mss = c->mss;

			probe_seq = c->cold.probe_seq;
			assert_int_equal(maxlen, p - 12);
			if (tcp_seq_gt(probe_seq, h->p_ack)) {
				h_ack(h, probe_seq, 65535);
				h_drain(h);
			}
			cwnd = c->cwnd;
			h_ack(h, probe_seq, 65535);
			h_ack(h, probe_seq, 65535);
			h_drain(h);                     /* limited transmit's */
			assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_PROBES_LOST], 0);
			h_ack(h, probe_seq, 65535);
			assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_PROBES_LOST], 1);
			assert_true(c->cold.mss_hi == p || c->cold.mss_hi == 0);
			assert_true(c->cold.mss_hi < hi_before);
			assert_int_equal(c->mss, mss);
			assert_false(c->flags & TCP_CF_RECOVERY);
			assert_int_equal(h->ts->ctr[TCP_CTR_FAST_RETRANS], 0);
			assert_int_equal(c->cwnd, cwnd);
			/* the probe's bytes alone went again, in the MSS */
			{
				const struct h_out *r = h_pop(h);

				assert_int_equal(r->seg.seq, probe_seq);
				assert_int_equal(r->seg.len, mss - 12u);
				check_payload(r, una);
				r = h_pop(h);
				assert_int_equal(r->seg.seq, probe_seq + mss - 12u);
				assert_int_equal(r->seg.seq + r->seg.len, probe_seq + p - 12u);
				check_payload(r, una);
				assert_int_equal(h_pending(h), 0);
			}
			lost_one = true;
			continue;
		}
		h_ack(h, end, 65535);
	}
	assert_int_equal(c->cold.mss_hi, 0);        /* the search ended */
	assert_true(lost_one);
	assert_true(h->ts->ctr[TCP_CTR_PMTU_PROBES] >= 3);
	assert_true(h->ts->ctr[TCP_CTR_PMTU_PROBES_OK] >= 2);
	/* every probe went: the peer here passes any size, the lost one was
	 * made up; the MSS is within 32 bytes below the one it lost */
	assert_true(c->mss > 1024);
	assert_true(c->mss < 1460);
	assert_int_equal(tcp_pmtu_lookup(h->ts, TCP_AF_IPV4, h->raddr, H_RPORT), c->mss);
	printf("search: %u rounds, %lu probes (%lu ok, %lu lost), MSS %u\n", round,
	       (unsigned long)h->ts->ctr[TCP_CTR_PMTU_PROBES],
	       (unsigned long)h->ts->ctr[TCP_CTR_PMTU_PROBES_OK],
	       (unsigned long)h->ts->ctr[TCP_CTR_PMTU_PROBES_LOST], c->mss);
	tcp_abort(h->ts, h->id);
	h_drain(h);
	h_free(h);
}

/* With SACK: the probe is lost only when the peer holds what followed
 * it (SACK blocks above it). Duplicate ACKs that SACK nothing above it
 * (the peer's answers to copies of data it had) give no verdict: the
 * probe is forgotten, the top stays. */
static void
probe_in_flight(struct h *h, struct tcp_conn *c)
{
	unsigned int n, round;
	uint32_t end, maxlen;

	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(200000, 0)), 200000);
	h_drain(h);
	rxt_due(h);
	rxt_due(h);                          /* black hole: 1024 */
	h_drain(h);
	for (round = 0; round < 100 && c->cold.probe_mss == 0; round++) {
		end = pop_all(h, &n, &maxlen);
		if (n == 0)
			h_advance(h, c->rto);
		else
			h_ack(h, end, 65535);
	}
	assert_int_not_equal(c->cold.probe_mss, 0);
}

static void
sack_dup(struct h *h, uint32_t ack, uint32_t left, uint32_t right)
{
	struct tcp_opts_out o = {
		.opts = TCP_OPT_F_TS | TCP_OPT_F_SACK, .nsack = 1,
		.tsval = h->p_tsval, .tsecr = h_last_tsval(h),
	};

	o.sack[0].left = left;
	o.sack[0].right = right;
	h_inject(h, TCP_ACK, h->p_seq, ack, 65535, &o, NULL, 0);
}

static void
test_pmtu_probe_lost_sack(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_conn *c;
	uint32_t pseq, pend, end, maxlen, hi;
	unsigned int n;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	probe_in_flight(h, c);
	pseq = c->cold.probe_seq;
	pend = pseq + c->cold.probe_mss - 12u;
	hi = c->cold.mss_hi;
	end = pop_all(h, &n, &maxlen);
	assert_true(tcp_seq_geq(end, pend));
	/* three duplicate ACKs, the second and third SACKing nothing new
	 * and nothing above the probe (D-SACK-like answers): no verdict */
	sack_dup(h, pseq, pseq - 1000, pseq - 500);
	h_ack(h, pseq, 65535);
	h_ack(h, pseq, 65535);
	h_ack(h, pseq, 65535);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_PROBES_LOST], 0);
	assert_int_equal(c->cold.probe_mss, 0);
	assert_int_equal(c->cold.mss_hi, hi);
	tcp_abort(h->ts, h->id);
	h_drain(h);
	h_free(h);

	h = h_new(NULL);
	h_open_passive(h);
	c = h_conn(h);
	probe_in_flight(h, c);
	pseq = c->cold.probe_seq;
	pend = pseq + c->cold.probe_mss - 12u;
	end = pop_all(h, &n, &maxlen);
	assert_true(tcp_seq_gt(end, pend));
	/* what went behind it SACKed, three times */
	sack_dup(h, pseq, pend, end);
	sack_dup(h, pseq, pend, end);
	h_drain(h);                                 /* limited transmit's */
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_PROBES_LOST], 0);
	sack_dup(h, pseq, pend, end);
	assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_PROBES_LOST], 1);
	assert_int_equal(h->ts->ctr[TCP_CTR_SACK_RECOVERY], 0);
	assert_false(c->flags & TCP_CF_RECOVERY);
	/* only the probe's bytes again */
	{
		const struct h_out *r = h_pop(h);

		assert_int_equal(r->seg.seq, pseq);
		assert_int_equal(r->seg.len, 1012);
		r = h_pop(h);
		assert_int_equal(r->seg.seq, pseq + 1012);
		assert_int_equal(r->seg.seq + r->seg.len, pend);
		/* nothing SACKed goes again */
		while (h_pending(h) > 0)
			assert_true(tcp_seq_geq(h_pop(h)->seg.seq, end));
	}
	tcp_abort(h->ts, h->id);
	h_drain(h);
	h_free(h);
}

/* A probe lost to an RTO (nothing behind it came back either): the top
 * comes down to it, and the RTO is not taken for a black hole. */
static void
test_pmtu_probe_lost_rto(void **state)
{
	struct h *h = h_new_norack();
	struct tcp_conn *c;
	unsigned int n, round;
	uint32_t end, maxlen;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	assert_int_equal(tcp_send(h->ts, h->id, h_mbuf(200000, 0)), 200000);
	h_drain(h);
	rxt_due(h);
	rxt_due(h);
	h_drain(h);
	for (round = 0; round < 100 && c->cold.probe_mss == 0; round++) {
		end = pop_all(h, &n, &maxlen);
		if (n == 0)
			h_advance(h, c->rto);
		else
			h_ack(h, end, 65535);
	}
	assert_int_not_equal(c->cold.probe_mss, 0);
	{
		uint16_t p = c->cold.probe_mss;

		h_drain(h);
		h_advance(h, c->rto);                   /* nothing answered */
		assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_PROBES_LOST], 1);
		assert_int_equal(c->cold.mss_hi, p);
		assert_int_equal(c->mss, 1024);
		assert_int_equal(h->ts->ctr[TCP_CTR_PMTU_BLACKHOLE], 1);
	}
	tcp_abort(h->ts, h->id);
	h_drain(h);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmtu_icmp_checks_and_resegments),
		cmocka_unit_test(test_pmtu_icmp_bad_quotes),
		cmocka_unit_test(test_pmtu_icmp_floor_and_plateau),
		cmocka_unit_test(test_pmtu_icmp6_packet_too_big),
		cmocka_unit_test(test_pmtu_cache),
		cmocka_unit_test(test_pmtu_icmp_lowers_only_the_quoted_connection),
		cmocka_unit_test(test_pmtu_cache_passive),
		cmocka_unit_test(test_pmtu_cache_syncookie),
		cmocka_unit_test(test_pmtu_clamp),
		cmocka_unit_test(test_pmtu_blackhole),
		cmocka_unit_test(test_pmtu_probe_confirm_and_lose),
		cmocka_unit_test(test_pmtu_probe_lost_sack),
		cmocka_unit_test(test_pmtu_probe_lost_rto),
	};

	h_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
