/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's traffic phase. Every frame is its kind's precomputed head (from
 * Ethernet to the first payload byte) with its flow's fields patched in
 * (struct gen_flow: addresses, the relayed port; the checksums from sums
 * made once), followed by a 16-byte stamp
 * (magic, kind and flow, TSC at send) and zero filler up to the payload
 * size. The TX pool is zeroed once and frames write only their head, the
 * stamp and 48 bytes after it (more than any two heads differ in length),
 * so filler is never written. The UDP checksum is the flow's precomputed
 * head's sum (pseudo-header, UDP header, the TURN bytes before the
 * payload) plus the flow's fields' and the stamp's: valid checksums, as
 * real clients send, at the cost of a dozen additions.
 *
 * Kinds (RFC 8656): chan = ChannelData from the client (§12.4), send =
 * Send indication with XOR-PEER-ADDRESS and DATA (§11.1), peer = a UDP
 * datagram from the peer to the relayed address (§11.3/§12.5), mix =
 * chan and peer alternately. What comes back is told apart by where the
 * stamp sits: at the start of a datagram to a peer, after the 4-byte
 * ChannelData header or the 36-byte Data indication head to a client.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_random.h>

#include "stun.h"
#include "tpgen.h"

#define GEN_DIRTY_AFTER 48u    /* bytes zeroed after the stamp */

static const char *const kind_names[] = { "chan", "send", "peer", "mix" };

static uint64_t meas_start;    /* TSC: stamps older than this are warm-up */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Sum of the UDP pseudo-header, the UDP header (checksum 0) and the
 * bytes from the UDP payload to the stamp. */
static uint32_t
head_sum(const uint8_t *f, uint16_t hdr_len)
{
	const uint8_t *ip = f + 14, *u = f + 34;
	uint16_t ulen = (uint16_t)(u[4] << 8 | u[5]);
	uint32_t s = gen_sum16(ip + 12, 8, 0);   /* source and destination */

	s += 17u + ulen;
	return gen_sum16(u, (size_t)(hdr_len - 34), s);
}

static void
tmpl_chan(struct gen *g, struct gen_tmpl *t, const struct gen_client *c,
	  uint16_t size)
{
	gen_build_udp(g, t->hdr, c->ip, c->port, g->server_ip, g->server_port,
		      (uint16_t)(CHDATA_HDR_LEN + size));
	chdata_encode_hdr(t->hdr + 42, c->channel, size, false);
	t->hdr_len = 42 + CHDATA_HDR_LEN;
	t->frame_len = (uint16_t)(t->hdr_len + size);
}

static void
tmpl_send(struct gen *g, struct gen_tmpl *t, const struct gen_client *c,
	  uint16_t size)
{
	uint16_t pad = (uint16_t)((4u - (size & 3u)) & 3u);
	uint16_t mlen = (uint16_t)(12 + 4 + size + pad);
	uint8_t *s = t->hdr + 42;

	gen_build_udp(g, t->hdr, c->ip, c->port, g->server_ip, g->server_port,
		      (uint16_t)(STUN_HDR_LEN + mlen));
	put16(s, stun_msg_type(STUN_METHOD_SEND, STUN_CLASS_INDICATION));
	put16(s + 2, mlen);
	put32(s + 4, STUN_MAGIC_COOKIE);
	for (unsigned int i = 0; i < STUN_TID_LEN; i++)
		s[8 + i] = (uint8_t)rte_rand();
	/* XOR-PEER-ADDRESS (RFC 8489 §14.2: port and IPv4 XORed with the
	 * cookie), then the DATA header. */
	put16(s + 20, STUN_ATTR_XOR_PEER_ADDRESS);
	put16(s + 22, 8);
	s[24] = 0;
	s[25] = STUN_AF_IPV4;
	put16(s + 26, (uint16_t)(c->peer_port ^ (STUN_MAGIC_COOKIE >> 16)));
	put32(s + 28, c->peer_ip ^ STUN_MAGIC_COOKIE);
	put16(s + 32, STUN_ATTR_DATA);
	put16(s + 34, size);
	t->hdr_len = 42 + 36;
	t->frame_len = (uint16_t)(t->hdr_len + size + pad);
}

static void
tmpl_peer(struct gen *g, struct gen_tmpl *t, const struct gen_client *c,
	  uint16_t size)
{
	gen_build_udp(g, t->hdr, c->peer_ip, c->peer_port, c->relay_ip,
		      c->relay_port, size);
	t->hdr_len = 42;
	t->frame_len = (uint16_t)(42 + size);
}

static uint32_t
gcd32(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/*
 * Flows are visited in a scattered order, every one once a round: f steps
 * by a stride near n / golden ratio that is coprime with n. Visited in
 * order 0, 1, 2, ... the server's per-flow state would be walked in the
 * order it was created, which a hardware prefetcher follows and no real
 * traffic does; scattered, each packet finds its flow where a real one
 * would: wherever it happens to be.
 */
static uint32_t
scatter_stride(uint32_t n)
{
	uint32_t s;

	if (n <= 2)
		return n == 2 ? 1 : 0;
	s = (uint32_t)((double)n * 0.6180339887);
	while (gcd32(s, n) != 1)
		s++;
	return s % n;
}

/* A kind's template from client c0 with the fields flows differ in
 * zero: its IP header's sum and its UDP sum without them. */
static void
tmpl_kind(struct gen *g, unsigned int k, const struct gen_client *c0, uint16_t size)
{
	struct gen_client z = *c0;
	struct gen_tmpl *t = &g->tmpl[k];

	z.ip = 0;
	z.peer_ip = STUN_MAGIC_COOKIE;     /* XOR-PEER-ADDRESS's address: 0 */
	z.relay_ip = 0;
	z.relay_port = 0;
	memset(t, 0, sizeof(*t));
	if (k == GK_CHAN) {
		tmpl_chan(g, t, &z, size);
	} else if (k == GK_SEND) {
		tmpl_send(g, t, &z, size);
	} else {
		z.peer_ip = 0;
		tmpl_peer(g, t, &z, size);
	}
	t->hdr[24] = 0;
	t->hdr[25] = 0;
	t->ip_sum = gen_sum16(t->hdr + 14, 20, 0);
	t->csum_base = head_sum(t->hdr, t->hdr_len);
}

static int fill_check(const struct gen *g, uint32_t f);

int
gen_traffic_prepare(struct gen *g, uint16_t size, uint32_t flows)
{
	const struct gen_client *c0 = NULL;
	uint32_t nready = 0;

	for (uint32_t i = 0; i < g->nclients; i++)
		if (g->c[i].state == CS_READY)
			nready++;
	if (flows == 0 || flows > nready)
		flows = nready;
	if (g->flows == NULL || g->tmpl_flows != flows) {
		free(g->flows);
		free(g->flow_client);
		g->flows = aligned_alloc(64, ((size_t)(flows ? flows : 1) *
					      sizeof(struct gen_flow) + 63) / 64 * 64);
		g->flow_client = calloc(flows ? flows : 1, sizeof(uint32_t));
		if (g->flows == NULL || g->flow_client == NULL)
			return -ENOMEM;
	}
	g->tmpl_flows = 0;
	for (uint32_t i = 0; i < g->nclients && g->tmpl_flows < flows; i++) {
		const struct gen_client *c = &g->c[i];
		struct gen_flow *fl = &g->flows[g->tmpl_flows];

		if (c->state != CS_READY)
			continue;
		if (c0 == NULL) {
			c0 = c;
		} else if (c->port != c0->port || c->peer_port != c0->peer_port ||
			   c->channel != c0->channel) {
			/* (tpgen's clients share them; a template a kind
			 * patches addresses only) */
			return -EINVAL;
		}
		fl->ip = c->ip;
		fl->peer_ip = c->peer_ip;
		fl->relay_ip = c->relay_ip;
		fl->relay_port = c->relay_port;
		fl->txq = c->txq;
		fl->relay_txq = c->relay_txq;
		g->flow_client[g->tmpl_flows] = i;
		g->tmpl_flows++;
	}
	if (c0 != NULL)
		for (unsigned int k = 0; k < GK__COUNT; k++)
			tmpl_kind(g, k, c0, size);
	g->tmpl_size = size;
	g->tmpl_stride = scatter_stride(g->tmpl_flows);
	/* the patched sums, checked whole on the first and the last flow */
	if (g->tmpl_flows > 0 &&
	    (fill_check(g, 0) < 0 || fill_check(g, g->tmpl_flows - 1) < 0))
		return -EINVAL;
	return 0;
}

/* ChannelData on a TCP stream (--tcp-turn): the message alone in m (the
 * stack frames it), padded to 4 bytes (RFC 8656 §12.5); the pool is
 * zeroed, so only the header, the stamp and what follows are written. */
static inline void
fill_stream(struct gen *g, struct rte_mbuf *m, const struct gen_client *c,
	    uint32_t f, uint64_t now)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t size = g->tmpl_size;
	uint16_t len = (uint16_t)(CHDATA_HDR_LEN + (size + 3u) / 4u * 4u);
	uint16_t dirty = CHDATA_HDR_LEN + GEN_STAMP_LEN + GEN_DIRTY_AFTER;

	chdata_encode_hdr(p, c->channel, size, false);
	put32(p + 4, GEN_STAMP_MAGIC);
	put32(p + 8, (uint32_t)GK_CHAN << 24 | f);
	memcpy(p + 12, &now, 8);
	if (dirty > len)
		dirty = len;
	memset(p + 20, 0, (size_t)(dirty - 20));
	m->data_len = len;
	m->pkt_len = len;
	m->next = NULL;
	m->nb_segs = 1;
}

/* The 16-bit sum of 16 bytes (the stamp), unrolled. */
static inline uint32_t
sum16_stamp(const uint8_t *p)
{
	uint32_t s = 0;

	for (unsigned int i = 0; i < GEN_STAMP_LEN; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	return s;
}

static inline uint32_t
sum32(uint32_t v)
{
	return (v >> 16) + (v & 0xffffu);
}

/* Write flow f's frame of kind k at p (the rest of the frame zero),
 * stamped now: the kind's head, the flow's fields patched in and summed
 * into both checksums. Returns its length. */
static inline uint16_t
fill_frame(const struct gen *g, uint8_t *p, unsigned int k, const struct gen_flow *fl,
	   uint32_t f, uint64_t now)
{
	const struct gen_tmpl *t = &g->tmpl[k];
	uint8_t *s = p + t->hdr_len;
	uint32_t word = (uint32_t)k << 24 | f;
	uint32_t sum, ipsum, fsum;
	uint16_t ck, dirty = t->hdr_len + GEN_STAMP_LEN + GEN_DIRTY_AFTER;

	memcpy(p, t->hdr, t->hdr_len);
	if (k == GK_PEER) {
		put32(p + 26, fl->peer_ip);
		put32(p + 30, fl->relay_ip);
		put16(p + 36, fl->relay_port);
		fsum = sum32(fl->peer_ip) + sum32(fl->relay_ip);
		ipsum = t->ip_sum + fsum;
		fsum += fl->relay_port;
	} else {
		put32(p + 26, fl->ip);
		fsum = sum32(fl->ip);
		ipsum = t->ip_sum + fsum;
		if (k == GK_SEND) {
			uint32_t x = fl->peer_ip ^ STUN_MAGIC_COOKIE;

			put32(p + 42 + 28, x);
			fsum += sum32(x);
		}
	}
	put16(p + 24, (uint16_t)~gen_fold(ipsum));
	put32(s, GEN_STAMP_MAGIC);
	put32(s + 4, word);
	memcpy(s + 8, &now, 8);
	if (dirty > t->frame_len)
		dirty = t->frame_len;
	if (dirty > t->hdr_len + GEN_STAMP_LEN)
		memset(s + GEN_STAMP_LEN, 0,
		       (size_t)(dirty - t->hdr_len - GEN_STAMP_LEN));
	sum = t->csum_base + fsum + sum16_stamp(s);
	ck = (uint16_t)~gen_fold(sum);
	if (ck == 0)
		ck = 0xffff;
	put16(p + 40, ck);
	return t->frame_len;
}

static inline void
fill(struct gen *g, struct rte_mbuf *m, unsigned int k, const struct gen_flow *fl,
     uint32_t f, uint64_t now)
{
	uint16_t len = fill_frame(g, rte_pktmbuf_mtod(m, uint8_t *), k, fl, f, now);

	m->data_len = len;
	m->pkt_len = len;
}

/* Every kind's frame of flow f built and its checksums summed whole:
 * 0, or -EINVAL when a patched sum is wrong. */
static int
fill_check(const struct gen *g, uint32_t f)
{
	static uint8_t buf[1600];

	for (unsigned int k = 0; k < GK__COUNT; k++) {
		uint16_t len, ulen;

		memset(buf, 0, sizeof(buf));
		len = fill_frame(g, buf, k, &g->flows[f], f, 0x0123456789abcdefull);
		ulen = (uint16_t)(buf[38] << 8 | buf[39]);
		if (len > sizeof(buf) || ulen != len - 34 ||
		    gen_fold(gen_sum16(buf + 14, 20, 0)) != 0xffffu ||
		    gen_fold(gen_sum16(buf + 34, ulen, gen_sum16(buf + 26, 8, 17u + ulen))) !=
		    0xffffu)
			return -EINVAL;
	}
	return 0;
}

void
gen_traffic_input(struct gen *g, bool to_client, const uint8_t *p,
		  uint16_t len, uint64_t now)
{
	static const uint16_t offs[] = { 0, 4, 36 };
	const uint8_t *s = NULL;
	uint32_t word;
	uint64_t tsc;
	unsigned int k;

	if (to_client) {
		uint16_t off = (p[0] & 0xc0u) == 0x40u ? 4 : 36;

		if (len >= off + GEN_STAMP_LEN && p[off] == 0x74 &&
		    (uint32_t)(p[off] << 24 | p[off + 1] << 16 | p[off + 2] << 8 |
			       p[off + 3]) == GEN_STAMP_MAGIC)
			s = p + off;
	} else {
		for (unsigned int i = 0; i < RTE_DIM(offs) && s == NULL; i++) {
			uint16_t off = offs[i];

			if (len >= off + GEN_STAMP_LEN &&
			    (uint32_t)(p[off] << 24 | p[off + 1] << 16 |
				       p[off + 2] << 8 | p[off + 3]) == GEN_STAMP_MAGIC)
				s = p + off;
			if (!g->raw)
				break;
		}
	}
	if (s == NULL) {
		g->rx_other++;
		return;
	}
	word = (uint32_t)(s[4] << 24 | s[5] << 16 | s[6] << 8 | s[7]);
	memcpy(&tsc, s + 8, 8);
	k = word >> 24;
	if (k >= GK__COUNT || tsc < meas_start || tsc > now)
		return;      /* warm-up traffic, or not ours */
	g->rx[k]++;
	gen_hist_add(&g->lat, (uint64_t)((double)(now - tsc) * 1e9 / (double)g->hz));
}

/* Send a queue's frames; what the link refuses is freed and taken off
 * the measured count (each mbuf's hash.usr holds its kind, +0x100 when
 * it was counted). */
static void
tx_queue(struct gen *g, uint16_t q, struct rte_mbuf **pkts, uint16_t n,
	 uint64_t *counted)
{
	uint16_t sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(g->port_id, q, pkts, n);
	if (sent < n) {
		g->tx_fail += (uint64_t)(n - sent);
		for (uint16_t i = sent; i < n; i++)
			if (pkts[i]->hash.usr & 0x100u)
				counted[pkts[i]->hash.usr & 0xffu]--;
		rte_pktmbuf_free_bulk(pkts + sent, (unsigned int)(n - sent));
	}
}

int
gen_traffic_run(struct gen *g, enum gen_kind kind, double rate, double secs,
		double warm, FILE *out)
{
	struct rte_mbuf *pkts[GEN_BURST], *qp[GEN_MAX_QUEUES][GEN_BURST];
	uint16_t qn[GEN_MAX_QUEUES];
	uint64_t t0, tw, tend, offered = 0, counted_tx[GK__COUNT] = { 0 };
	uint64_t now, tx_total = 0, rx_total = 0, drain_end;
	uint32_t f = 0, fpf;
	unsigned int alt = 0;
	bool skip_peer = false;
	double dur;

	if (g->tmpl_flows == 0) {
		fprintf(out, "{\"error\":\"run: no client is ready (setup first)\"}\n");
		fflush(out);
		return -EINVAL;
	}
	memset(g->tx, 0, sizeof(g->tx));
	memset(g->rx, 0, sizeof(g->rx));
	g->tx_fail = 0;
	g->rx_other = 0;
	gen_hist_reset(&g->lat);
	t0 = rte_rdtsc();
	tw = t0 + (uint64_t)(warm * (double)g->hz);
	tend = tw + (uint64_t)(secs * (double)g->hz);
	meas_start = tw;
	now = t0;
	/* The flow GEN_PREFETCH frames ahead, whose record is asked for
	 * now: at a million flows the records (16 MB, visited scattered)
	 * miss the cache, and one after another such misses held the
	 * generator to 1.8 Mpps, below what dp relays. */
	fpf = g->tmpl_flows > 0 ?
	      (uint32_t)((uint64_t)GEN_PREFETCH * g->tmpl_stride % g->tmpl_flows) : 0;
	while (now < tend && !gen_stop) {
		uint64_t n = GEN_BURST;

		if (rate > 0) {
			uint64_t due = (uint64_t)((double)(now - t0) * rate /
						  (double)g->hz);

			n = due > offered ? due - offered : 0;
			if (n > GEN_BURST)
				n = GEN_BURST;
		}
		if (n > 0 && rte_pktmbuf_alloc_bulk(g->tx_pool, pkts,
						    (unsigned int)n) == 0) {
			memset(qn, 0, sizeof(qn));
			for (unsigned int i = 0; i < n; i++) {
				unsigned int k = kind == GK_MIX ?
					((alt++ & 1u) ? GK_PEER : GK_CHAN) : kind;
				const struct gen_flow *fl = &g->flows[f];
				uint8_t q;

				if (skip_peer && k == GK_PEER) {
					/* its ChannelData was refused: the mix
					 * stays even at what the streams take */
					skip_peer = false;
					rte_pktmbuf_free(pkts[i]);
					goto next_flow;
				}
				if (k == GK_CHAN && g->tcp_turn) {
					uint32_t ci = g->flow_client[f];

					fill_stream(g, pkts[i], &g->c[ci], f, now);
					if (gen_tcp_send_chan(g, ci, pkts[i]) < 0) {
						g->tx_fail++;
						skip_peer = kind == GK_MIX;
					} else if (now >= tw) {
						counted_tx[k]++;
					}
					goto next_flow;
				}
				fill(g, pkts[i], k, fl, f, now);
				q = k == GK_PEER ? fl->relay_txq : fl->txq;
				qp[q][qn[q]++] = pkts[i];
				pkts[i]->hash.usr = k;
				if (now >= tw) {
					counted_tx[k]++;
					pkts[i]->hash.usr |= 0x100u;
				}
next_flow:
				f += g->tmpl_stride;
				if (f >= g->tmpl_flows)
					f -= g->tmpl_flows;
				rte_prefetch0(&g->flows[fpf]);
				fpf += g->tmpl_stride;
				if (fpf >= g->tmpl_flows)
					fpf -= g->tmpl_flows;
			}
			/* the streams' segments first: they are held, not
			 * dropped, when the link is full (tpgen_tcp.c) */
			if (g->tcp != NULL)
				gen_tcp_flush(g);
			for (uint16_t q = 0; q < g->nq; q++)
				tx_queue(g, q, qp[q], qn[q], counted_tx);
			offered += n;
		}
		gen_rx_poll(g, now);
		now = rte_rdtsc();
	}
	/* ChannelData gathered for a TLS record goes now; then let the
	 * last frames come back. */
	gen_tcp_tls_flush(g);
	drain_end = rte_rdtsc() + g->hz / 5;
	while ((now = rte_rdtsc()) < drain_end)
		gen_rx_poll(g, now);
	dur = secs;
	for (unsigned int k = 0; k < GK__COUNT; k++) {
		g->tx[k] = counted_tx[k];
		tx_total += g->tx[k];
		rx_total += g->rx[k];
	}
	/* tx_refused counts frames the link refused, warm-up included; the
	 * measured tx is what it took. */
	fprintf(out, "{\"kind\":\"%s\",\"size\":%u,\"rate\":%.0f,\"secs\":%.3f,"
		"\"flows\":%u,\"tx\":%" PRIu64 ",\"rx\":%" PRIu64 ",\"tx_pps\":%.1f,"
		"\"rx_pps\":%.1f,\"tx_refused\":%" PRIu64 ",\"rx_other\":%" PRIu64 ","
		"\"rx_by_kind\":{\"chan\":%" PRIu64 ",\"send\":%" PRIu64 ",\"peer\":%"
		PRIu64 "},\"lat_ns\":{\"n\":%" PRIu64 ",\"min\":%" PRIu64 ",\"p50\":%"
		PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"max\":%" PRIu64
		",\"mean\":%.0f}}\n",
		kind_names[kind], g->tmpl_size, rate, dur, g->tmpl_flows, tx_total,
		rx_total, (double)tx_total / dur, (double)rx_total / dur, g->tx_fail,
		g->rx_other, g->rx[GK_CHAN], g->rx[GK_SEND], g->rx[GK_PEER],
		g->lat.n, g->lat.min, gen_hist_quantile(&g->lat, 0.5),
		gen_hist_quantile(&g->lat, 0.99), gen_hist_quantile(&g->lat, 0.999),
		g->lat.max, g->lat.n ? (double)(g->lat.sum / g->lat.n) : 0.0);
	fflush(out);
	return 0;
}
