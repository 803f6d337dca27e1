/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's traffic phase. Every frame is one flow's precomputed head (from
 * Ethernet to the first payload byte) followed by a 16-byte stamp
 * (magic, kind and flow, TSC at send) and zero filler up to the payload
 * size. The TX pool is zeroed once and frames write only their head, the
 * stamp and 48 bytes after it (more than any two heads differ in length),
 * so filler is never written. The UDP checksum is the flow's precomputed
 * sum (pseudo-header, UDP header, the TURN bytes before the payload) plus
 * the stamp's: valid checksums, as real clients send, at the cost of
 * eight additions.
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
	t->txq = c->txq;
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
	t->txq = c->txq;
}

static void
tmpl_peer(struct gen *g, struct gen_tmpl *t, const struct gen_client *c,
	  uint16_t size)
{
	gen_build_udp(g, t->hdr, c->peer_ip, c->peer_port, c->relay_ip,
		      c->relay_port, size);
	t->hdr_len = 42;
	t->frame_len = (uint16_t)(42 + size);
	t->txq = c->relay_txq;
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

int
gen_traffic_prepare(struct gen *g, uint16_t size, uint32_t flows)
{
	uint32_t nready = 0;

	for (uint32_t i = 0; i < g->nclients; i++)
		if (g->c[i].state == CS_READY)
			nready++;
	if (flows == 0 || flows > nready)
		flows = nready;
	for (unsigned int k = 0; k < GK__COUNT; k++) {
		free(g->tmpl[k]);
		g->tmpl[k] = calloc(flows ? flows : 1, sizeof(struct gen_tmpl));
		if (g->tmpl[k] == NULL)
			return -ENOMEM;
	}
	g->tmpl_flows = 0;
	for (uint32_t i = 0; i < g->nclients && g->tmpl_flows < flows; i++) {
		const struct gen_client *c = &g->c[i];
		uint32_t f = g->tmpl_flows;

		if (c->state != CS_READY)
			continue;
		tmpl_chan(g, &g->tmpl[GK_CHAN][f], c, size);
		tmpl_send(g, &g->tmpl[GK_SEND][f], c, size);
		tmpl_peer(g, &g->tmpl[GK_PEER][f], c, size);
		for (unsigned int k = 0; k < GK__COUNT; k++) {
			g->tmpl[k][f].csum_base = head_sum(g->tmpl[k][f].hdr,
							   g->tmpl[k][f].hdr_len);
			g->tmpl[k][f].client = i;
		}
		g->tmpl_flows++;
	}
	g->tmpl_size = size;
	g->tmpl_stride = scatter_stride(g->tmpl_flows);
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

/* Write flow f's frame of kind k into m, stamped now. */
static inline void
fill(struct gen *g, struct rte_mbuf *m, const struct gen_tmpl *t,
     unsigned int k, uint32_t f, uint64_t now)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *s = p + t->hdr_len;
	uint32_t word = (uint32_t)k << 24 | f;
	uint32_t sum;
	uint16_t ck, dirty = t->hdr_len + GEN_STAMP_LEN + GEN_DIRTY_AFTER;

	memcpy(p, t->hdr, t->hdr_len);
	put32(s, GEN_STAMP_MAGIC);
	put32(s + 4, word);
	memcpy(s + 8, &now, 8);
	if (dirty > t->frame_len)
		dirty = t->frame_len;
	if (dirty > t->hdr_len + GEN_STAMP_LEN)
		memset(s + GEN_STAMP_LEN, 0,
		       (size_t)(dirty - t->hdr_len - GEN_STAMP_LEN));
	sum = t->csum_base + gen_sum16(s, GEN_STAMP_LEN, 0);
	ck = (uint16_t)~gen_fold(sum);
	if (ck == 0)
		ck = 0xffff;
	put16(p + 40, ck);
	m->data_len = t->frame_len;
	m->pkt_len = t->frame_len;
	(void)g;
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
	/* The flow GEN_PREFETCH frames ahead, whose template is asked for
	 * now: at a million flows the templates (224 MB, visited scattered)
	 * are a DRAM miss each, and one after another they held the
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
				const struct gen_tmpl *t = &g->tmpl[k][f];

				if (skip_peer && k == GK_PEER) {
					/* its ChannelData was refused: the mix
					 * stays even at what the streams take */
					skip_peer = false;
					rte_pktmbuf_free(pkts[i]);
					goto next_flow;
				}
				if (k == GK_CHAN && g->tcp_turn) {
					fill_stream(g, pkts[i], &g->c[t->client], f, now);
					if (gen_tcp_send_chan(g, t->client, pkts[i]) < 0) {
						g->tx_fail++;
						skip_peer = kind == GK_MIX;
					} else if (now >= tw) {
						counted_tx[k]++;
					}
					goto next_flow;
				}
				fill(g, pkts[i], t, k, f, now);
				qp[t->txq][qn[t->txq]++] = pkts[i];
				pkts[i]->hash.usr = k;
				if (now >= tw) {
					counted_tx[k]++;
					pkts[i]->hash.usr |= 0x100u;
				}
next_flow:
				f += g->tmpl_stride;
				if (f >= g->tmpl_flows)
					f -= g->tmpl_flows;
				{
					/* (alt counts the frames made, this one's too) */
					unsigned int ka = kind == GK_MIX ?
						(((alt + GEN_PREFETCH - 1u) & 1u) ? GK_PEER :
						 GK_CHAN) : kind;
					const uint8_t *pt = (const uint8_t *)&g->tmpl[ka][fpf];

					rte_prefetch0(pt);
					rte_prefetch0(pt + sizeof(struct gen_tmpl) - 1);
					fpf += g->tmpl_stride;
					if (fpf >= g->tmpl_flows)
						fpf -= g->tmpl_flows;
				}
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
