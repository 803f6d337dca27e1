/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's RTP calls: both ends of N calls through a media relay (dp's RTP
 * terminations, or rtpengine on a tap), as perf/run --rtp measures them.
 * Call i's UE is client address i (its port GEN_RTP_PORT_A) and its core
 * side peer address i (GEN_RTP_PORT_B); the relay's two ports of the call
 * come from its control plane (rtpengine's ng answers, cp's contexts) in
 * a file, one line a call:
 *
 *   [IP:]PORT_A [IP:]PORT_B SUITE [TX_KEY RX_KEY]
 *
 * PORT_A is where the UE sends, PORT_B where the core side sends (on the
 * server's address unless an IP is given). SUITE 0 is plain RTP both
 * ways; otherwise the UE's side is SRTP (lib/srtp_ref's suite numbers, RFC
 * 4568's names in srtp_ref.h), TX_KEY the UE's master key and salt in hex
 * (what the UE offered: the relay decrypts with it) and RX_KEY the
 * relay's (what it answered: the UE decrypts with it). The core side is
 * plain RTP.
 *
 * A run sends G.711-sized packets (a 12-byte RTP header, 160 octets of
 * payload, PCMU, the sequence number and timestamp moving on as a 20 ms
 * packetiser's would) from every stream in turns at a set rate in all, the
 * UE's SRTP protected on the fly (one libsrtp session a call: a ring of
 * packets made before could not be sent twice, the tag covers the
 * sequence number and the ROC would not follow). The first 16 octets of a
 * payload are a stamp (magic, call and side, TSC): what arrives plain on
 * the core's side shows the relay decrypted it; what arrives as SRTP at
 * the UE is decrypted, one packet in `verify`, with the relay's key.
 *
 * The frames' UDP checksums are computed whole (the payload is encrypted
 * after the head is written): SRTP writes the payload, so the TX pool is
 * no longer zero after a run and the TURN runs' precomputed sums would be
 * wrong: an RTP generator serves RTP runs only (`run` is refused after).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "srtp_ref.h"
#include "tpgen.h"

#define GEN_RTP_HDR     12u
#define GEN_RTP_PAYLOAD 160u          /* G.711 at 8 kHz, 20 ms */
#define GEN_RTP_LEN     (GEN_RTP_HDR + GEN_RTP_PAYLOAD)
#define GEN_RTP_PORT_A  20000u        /* the UE's RTP port */
#define GEN_RTP_PORT_B  30000u        /* the core side's */
#define GEN_RTP_MAX_CALLS 100000u

/* What one side of a call sends. */
struct gen_rtp_leg {
	uint8_t head[42];             /* Ethernet, IPv4 (its checksum), UDP */
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	struct srtp_ref *tx;          /* the UE's SRTP; NULL: plain */
};

struct gen_rtp_call {
	struct gen_rtp_leg leg[2];    /* 0 the UE's side, 1 the core's */
	struct srtp_ref *rx;          /* what the relay sends the UE; NULL: plain */
	uint32_t checked;             /* packets to the UE since the last verified */
};

struct gen_rtp {
	uint32_t ncalls;
	struct gen_rtp_call *calls;
	size_t trailer;               /* what protect adds (0: no SRTP call) */
	uint32_t verify;              /* decrypt one SRTP packet to the UE in this many */
	bool measuring;               /* inside the run's measured seconds */
	/* a run's counts */
	uint64_t rx[2], rx_all[2];    /* arrived at the UE's side, the core's */
	uint64_t rx_bad;              /* wrong length, or a stamp not ours in plain RTP */
	uint64_t srtp_checked, srtp_failed;
};

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

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
rtp_free_calls(struct gen_rtp *r)
{
	for (uint32_t i = 0; i < r->ncalls; i++) {
		srtp_ref_free(r->calls[i].leg[0].tx);
		srtp_ref_free(r->calls[i].rx);
	}
	free(r->calls);
	r->calls = NULL;
	r->ncalls = 0;
	r->trailer = 0;
}

static int
hex_key(const char *hex, enum srtp_ref_suite suite, struct srtp_ref_key *k)
{
	unsigned int kl = srtp_ref_key_len(suite), sl = srtp_ref_salt_len(suite);
	uint8_t raw[sizeof(k->key) + sizeof(k->salt)];

	if (kl == 0 || strlen(hex) != 2u * (kl + sl))
		return -EINVAL;
	for (unsigned int i = 0; i < kl + sl; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		raw[i] = (uint8_t)b;
	}
	memset(k, 0, sizeof(*k));
	k->suite = (uint8_t)suite;
	memcpy(k->key, raw, kl);
	memcpy(k->salt, raw + kl, sl);
	memset(raw, 0, sizeof(raw));
	return 0;
}

/* "[IP:]PORT" */
static int
parse_dest(const char *s, uint32_t def_ip, uint32_t *ip, uint16_t *port)
{
	const char *colon = strchr(s, ':');
	char addr[16];
	struct in_addr a;
	unsigned long p;

	*ip = def_ip;
	if (colon != NULL) {
		if ((size_t)(colon - s) >= sizeof(addr))
			return -EINVAL;
		memcpy(addr, s, (size_t)(colon - s));
		addr[colon - s] = '\0';
		if (inet_pton(AF_INET, addr, &a) != 1)
			return -EINVAL;
		*ip = ntohl(a.s_addr);
		s = colon + 1;
	}
	p = strtoul(s, NULL, 10);
	if (p == 0 || p > 65535)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

static void
leg_init(struct gen *g, struct gen_rtp_leg *l, uint32_t src, uint16_t sport,
	 uint32_t dst, uint16_t dport)
{
	gen_build_udp(g, l->head, src, sport, dst, dport, GEN_RTP_LEN);
	l->ssrc = (uint32_t)rte_rand();
	l->seq = (uint16_t)rte_rand();
	l->ts = (uint32_t)rte_rand();
}

int
gen_rtp_load(struct gen *g, const char *file, FILE *out)
{
	struct gen_rtp *r = g->rtp;
	char line[512];
	uint32_t n = 0, srtp = 0;
	FILE *f;
	int rc = -EINVAL;

	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		g->rtp = r;
		if (srtp_ref_init() < 0)
			return -EIO;
	}
	rtp_free_calls(r);
	if (!g->dut_mac_known)
		return -EHOSTUNREACH;
	f = fopen(file, "r");
	if (f == NULL)
		return -errno;
	r->calls = calloc(g->nclients, sizeof(*r->calls));
	if (r->calls == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char da[40], db[40], txk[160], rxk[160];
		unsigned int suite;
		int got = sscanf(line, "%39s %39s %u %159s %159s", da, db, &suite, txk, rxk);
		struct gen_rtp_call *c;
		uint32_t ipa, ipb;
		uint16_t pa, pb;

		if (got <= 0 || line[0] == '#')
			continue;
		if (n >= g->nclients || got < 3 || parse_dest(da, g->dut_ip, &ipa, &pa) < 0 ||
		    parse_dest(db, g->dut_ip, &ipb, &pb) < 0 ||
		    (suite != 0 && got != 5) || suite >= SRTP_REF_SUITE_COUNT)
			goto fail;
		c = &r->calls[n];
		r->ncalls = ++n;       /* (freed from here on a failure) */
		leg_init(g, &c->leg[0], g->client_base + n - 1, GEN_RTP_PORT_A, ipa, pa);
		leg_init(g, &c->leg[1], g->peer_base + n - 1, GEN_RTP_PORT_B, ipb, pb);
		if (suite != 0) {
			struct srtp_ref_key k;

			if (hex_key(txk, suite, &k) < 0)
				goto fail;
			c->leg[0].tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
			srtp_ref_key_wipe(&k);
			if (hex_key(rxk, suite, &k) < 0)
				goto fail;
			c->rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
			srtp_ref_key_wipe(&k);
			if (c->leg[0].tx == NULL || c->rx == NULL) {
				rc = -errno;
				goto fail;
			}
			r->trailer = srtp_ref_trailer(c->leg[0].tx, false);
			srtp++;
		}
	}
	fclose(f);
	if (n == 0) {
		rtp_free_calls(r);
		return -ENOENT;
	}
	fprintf(out, "{\"calls\":%u,\"srtp\":%u,\"trailer\":%zu}\n", n, srtp, r->trailer);
	fflush(out);
	return 0;
fail:
	fclose(f);
	fprintf(stderr, "tpgen: rtpcalls: line %u of %s: %s", n + 1, file, line);
	rtp_free_calls(r);
	return rc;
}

/* One packet of call c's side into m; 0, or -1 (SRTP refused it). */
static int
fill(struct gen_rtp *r, struct rte_mbuf *m, uint32_t ci,
     unsigned int side, uint64_t now)
{
	struct gen_rtp_leg *l = &r->calls[ci].leg[side];
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), *rtp = f + 42;
	size_t len = GEN_RTP_LEN;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(f + 34);

	memcpy(f, l->head, sizeof(l->head));
	rtp[0] = 0x80;
	rtp[1] = 0;                   /* PCMU */
	put16(rtp + 2, l->seq++);
	put32(rtp + 4, l->ts);
	l->ts += GEN_RTP_PAYLOAD;
	put32(rtp + 8, l->ssrc);
	memset(rtp + GEN_RTP_HDR, 0, GEN_RTP_PAYLOAD);
	put32(rtp + GEN_RTP_HDR, GEN_STAMP_MAGIC);
	put32(rtp + GEN_RTP_HDR + 4, ci << 1 | side);
	memcpy(rtp + GEN_RTP_HDR + 8, &now, 8);
	if (l->tx != NULL) {
		if (srtp_ref_protect(l->tx, rtp, &len, m->buf_len - m->data_off - 42u) !=
		    SRTP_REF_OK)
			return -1;
		put16(f + 14 + 2, (uint16_t)(20 + 8 + len));
		f[14 + 10] = 0;
		f[14 + 11] = 0;
		put16(f + 14 + 10, gen_ip_cksum(f + 14));
		put16(f + 34 + 4, (uint16_t)(8 + len));
	}
	m->data_len = (uint16_t)(42 + len);
	m->pkt_len = m->data_len;
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return 0;
}

void
gen_rtp_input(struct gen *g, uint32_t dst, const uint8_t *p, uint16_t len)
{
	struct gen_rtp *r = g->rtp;
	uint32_t ci;
	unsigned int side;

	if (dst - g->client_base < r->ncalls) {
		ci = dst - g->client_base;
		side = 0;
	} else if (dst - g->peer_base < r->ncalls) {
		ci = dst - g->peer_base;
		side = 1;
	} else {
		g->rx_other++;
		return;
	}
	r->rx_all[side]++;
	if (r->measuring)
		r->rx[side]++;
	/* What a side receives was sent by the other side of the call. */
	if (side == 0 && r->calls[ci].rx != NULL) {
		struct gen_rtp_call *c = &r->calls[ci];
		uint8_t copy[GEN_RTP_LEN + SRTP_REF_TRAILER_MAX];
		size_t n = len;

		if (len != GEN_RTP_LEN + r->trailer) {
			r->rx_bad++;
			return;
		}
		if (r->verify == 0 || ++c->checked < r->verify)
			return;
		c->checked = 0;
		memcpy(copy, p, len);
		r->srtp_checked++;
		if (srtp_ref_unprotect(c->rx, copy, &n) != SRTP_REF_OK || n != GEN_RTP_LEN ||
		    get32(copy + GEN_RTP_HDR) != GEN_STAMP_MAGIC ||
		    get32(copy + GEN_RTP_HDR + 4) != (ci << 1 | 1u))
			r->srtp_failed++;
		return;
	}
	if (len != GEN_RTP_LEN || get32(p + GEN_RTP_HDR) != GEN_STAMP_MAGIC ||
	    get32(p + GEN_RTP_HDR + 4) != (ci << 1 | (side ^ 1u)))
		r->rx_bad++;
}

int
gen_rtp_run(struct gen *g, double rate, double secs, double warm, uint32_t verify,
	    FILE *out)
{
	struct gen_rtp *r = g->rtp;
	struct rte_mbuf *pkts[GEN_BURST];
	uint64_t t0, tw, tend, now, drain_end, offered = 0, tx = 0, tx_all = 0;
	uint64_t refused = 0, protect_failed = 0, late = 0;
	uint32_t s = 0, nstreams;

	if (r == NULL || r->ncalls == 0)
		return -ENOENT;
	g->pool_dirty = true;
	nstreams = r->ncalls * 2;
	r->verify = verify;
	memset(r->rx, 0, sizeof(r->rx));
	memset(r->rx_all, 0, sizeof(r->rx_all));
	r->rx_bad = r->srtp_checked = r->srtp_failed = 0;
	g->rx_other = 0;
	r->measuring = false;
	t0 = rte_rdtsc();
	tw = t0 + (uint64_t)(warm * (double)g->hz);
	tend = tw + (uint64_t)(secs * (double)g->hz);
	now = t0;
	while (now < tend && !gen_stop) {
		uint64_t n = GEN_BURST;
		uint16_t k = 0, sent;

		if (!r->measuring && now >= tw)
			r->measuring = true;
		if (rate > 0) {
			uint64_t due = (uint64_t)((double)(now - t0) * rate / (double)g->hz);

			n = due > offered ? due - offered : 0;
			if (n > 4u * GEN_BURST)
				late++;       /* the generator is behind its rate */
			if (n > GEN_BURST)
				n = GEN_BURST;
		}
		if (n > 0 && rte_pktmbuf_alloc_bulk(g->tx_pool, pkts, (unsigned int)n) == 0) {
			for (unsigned int i = 0; i < n; i++) {
				if (fill(r, pkts[i], s >> 1, s & 1u, now) == 0)
					pkts[k++] = pkts[i];
				else {
					protect_failed++;
					rte_pktmbuf_free(pkts[i]);
				}
				if (++s == nstreams)
					s = 0;
			}
			sent = rte_eth_tx_burst(g->port_id, 0, pkts, k);
			if (sent < k) {
				refused += (uint64_t)(k - sent);
				rte_pktmbuf_free_bulk(pkts + sent, (unsigned int)(k - sent));
			}
			tx_all += sent;
			if (now >= tw)
				tx += sent;
			offered += n;
		}
		gen_rx_poll(g, now);
		now = rte_rdtsc();
	}
	r->measuring = false;
	drain_end = rte_rdtsc() + g->hz / 5;
	while ((now = rte_rdtsc()) < drain_end)
		gen_rx_poll(g, now);
	fprintf(out, "{\"calls\":%u,\"rate\":%.0f,\"secs\":%.3f,\"warm\":%.3f,\"tx\":%" PRIu64
		",\"tx_all\":%" PRIu64 ",\"rx\":%" PRIu64 ",\"rx_all\":%" PRIu64
		",\"rx_ue\":%" PRIu64 ",\"rx_core\":%" PRIu64 ",\"tx_pps\":%.1f,\"rx_pps\":%.1f"
		",\"tx_refused\":%" PRIu64 ",\"protect_failed\":%" PRIu64 ",\"rx_bad\":%" PRIu64
		",\"rx_other\":%" PRIu64 ",\"srtp_checked\":%" PRIu64 ",\"srtp_failed\":%" PRIu64
		",\"gen_late\":%" PRIu64 "}\n",
		r->ncalls, rate, secs, warm, tx, tx_all, r->rx[0] + r->rx[1],
		r->rx_all[0] + r->rx_all[1], r->rx[0], r->rx[1], (double)tx / secs,
		(double)(r->rx[0] + r->rx[1]) / secs, refused, protect_failed, r->rx_bad,
		g->rx_other, r->srtp_checked, r->srtp_failed, late);
	fflush(out);
	return 0;
}
