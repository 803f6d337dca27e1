/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/rtp, the gateway's RTP terminations, driven as dp drives them:
 * Ethernet frames through net's input (dp_input_burst(): IPv4/IPv6, the
 * UDP demultiplexer, the media ports' listener), what goes out read from
 * the worker's transmit queues (dp_ip_output(): the route, a neighbour
 * the test made reachable, the Ethernet header); cp's RTP_ADD, RTP_MOD,
 * RTP_DEL and RTP_STATS_REQ through dp_cp.c's dispatch over lib/ipc's real
 * rings in heap memory; the events read back from the ring to cp, each
 * passing cp's checks. The real dpcore library, a real EAL without
 * hugepages for the mbufs; no port is started (nothing is transmitted:
 * the queues are read).
 *
 * What it shows: RTP and RTCP relayed both ways byte-exact, with UDP
 * checksums right by an independent sum (and a damaged one carried
 * damaged: never recomputed), the DS byte and ECN; latching on the first
 * packet (a UE behind a NAT), gm's filters, a stranger dropped and
 * counted and never latching while the stream lives, re-latching after
 * the silence; rtcp-mux against a port pair; short, wrong-version and
 * overlong RTP/RTCP dropped and counted by reason; statistics equal to
 * what was sent; the mode, policing, inactivity; contexts added,
 * modified, subtracted and released through the messages; a full table,
 * a taken port and a foreign address refused; a restarted cp's SYNC;
 * IPv6 on one side and IPv4 on the other. SRTP (rtp_srtp.c) held to
 * lib/srtp_ref (libsrtp2) as the independent reference: SRTP-RTP and
 * SRTP-SRTP both ways for each suite (AES-CM and AES-GCM), RTP and
 * SRTCP (SRTCP of several SSRCs under one key, each its own window);
 * forged, replayed, too old, ROC-jumped, wrong- and giant-MKI and
 * short packets dropped and counted (GCM's too); a restart's positions
 * carried on; re-keying at RTP_MOD; RFC 3711 Appendix B's vectors and
 * RFC 7714 §16 and §17's.
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
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "certfp.h"
#include "dp.h"
#include "dp_cp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "dtls_peer.h"
#include "dtls_srtp.h"
#include "dtls_srtp_module.h"
#include "fake_worker.h"
#include "ipc.h"
#include "li_dp.h"
#include "net/net.h"
#include "rtp_dp.h"
#include "rfc5769.h"
#include "rtp_srtp.h"
#include "stun.h"
#include "tls_leg.h"
#include "tp_conf_types.h"
#include "srtp_ref.h"

/* dp's addresses: the access port's (UE side), the core port's and a
 * relayed one on it, the access port's IPv6 */
static const uint8_t ACC4[4] = { 10, 0, 0, 1 };
static const uint8_t GW4[4] = { 10, 0, 0, 254 };
static const uint8_t CORE4[4] = { 10, 1, 0, 1 };
static const uint8_t RELAY4[4] = { 10, 1, 0, 9 };
static const uint8_t PEER4[4] = { 10, 1, 0, 20 };      /* the core's media */
static const uint8_t UE4[4] = { 192, 0, 2, 10 };        /* as signalled */
static const uint8_t NAT4[4] = { 198, 51, 100, 7 };     /* where it really is */
static const uint8_t STRANGER4[4] = { 203, 0, 113, 66 };
static const uint8_t ACC6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t GW6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe };
static const uint8_t UE6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
static const uint8_t MAC_P0[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t MAC_P1[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t MAC_GW[6] = { 2, 0, 0, 0, 0, 0xfe };
static const uint8_t MAC_PEER[6] = { 2, 0, 0, 0, 0, 0x20 };
static const uint8_t MAC_GW6[6] = { 2, 0, 0, 0, 0, 0x6e };

#define MEDIA_MIN 30000u
#define MEDIA_MAX 30063u
#define MAX_CTX   4u
#define RELATCH   2000u
#define ICE_CONSENT 30000u     /* RFC 7675's, agw.ice_consent_ms' default */

static struct rte_mempool *pool;
static uint32_t max_contexts = MAX_CTX;
/* setup_ports_later: dp's order, the module set up before dp_ports_init()
 * fills ctx->ports (its addresses then only in the configuration) */
static bool ports_later;
/* setup_dtls: DTLS-SRTP's module too (dp/dtls_srtp), set up after dp/rtp's
 * as dp_modules.c lists them, its ops registered as the worker is made */
static bool with_dtls;

struct fix {
	struct dp_ctx *ctx;
	struct tp_conf *conf;
	struct dp_worker *w;
	unsigned int mbufs0;
	bool dtls;
};

static void
eal_once(void)
{
	char pfx[64];
	char *argv[] = {
		"test_dp_rtp", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		"--log-level=lib.eal:error", "--file-prefix", pfx, "-l", "0", NULL,
	};

	if (pool != NULL)
		return;
	snprintf(pfx, sizeof(pfx), "dprtp%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		exit(1);
	}
	pool = rte_pktmbuf_pool_create("dprtp", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "no mbuf pool\n");
		exit(1);
	}
}

static void
neigh_free(void *pkt, void *arg)
{
	(void)arg;
	rte_pktmbuf_free(pkt);
}

static void
port_make(struct dp_port *p, unsigned int i, const uint8_t ip4[4], const uint8_t mac[6])
{
	p->index = (uint8_t)i;
	snprintf(p->name, sizeof(p->name), "p%u", i);
	memcpy(p->mac.addr_bytes, mac, 6);
	p->has_ip4 = true;
	memcpy(p->ip4, ip4, 4);
	p->plen4 = 24;
	p->mtu = 1500;
	p->own_relay4 = -1;
	p->own_relay6 = -1;
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct dp_ctx *ctx;
	struct dp_worker *w;
	struct ipc_shm *shm;
	uint64_t hz;

	assert_non_null(f);
	eal_once();
	f->conf = calloc(1, sizeof(*f->conf));
	assert_non_null(f->conf);
	f->conf->agw.enabled = true;
	f->conf->agw.port_min = 20000;
	f->conf->agw.port_max = 29999;
	f->conf->agw.media_min = MEDIA_MIN;
	f->conf->agw.media_max = MEDIA_MAX;
	f->conf->agw.media_contexts = max_contexts;
	f->conf->agw.media_relatch_ms = RELATCH;
	f->conf->agw.ice_consent_ms = ICE_CONSENT;
	max_contexts = MAX_CTX;
	f->ctx = ctx = calloc(1, sizeof(*ctx));
	assert_non_null(ctx);
	ctx->conf = f->conf;
	ctx->nworkers = 1;
	hz = rte_get_tsc_hz();
	ctx->tsc_hz = hz;
	ctx->clock_hz = hz;
	ctx->nports = 2;
	port_make(&ctx->ports[0], 0, ACC4, MAC_P0);
	ctx->ports[0].has_gw4 = true;
	memcpy(ctx->ports[0].gw4, GW4, 4);
	ctx->ports[0].has_ip6 = true;
	memcpy(ctx->ports[0].ip6, ACC6, 16);
	ctx->ports[0].plen6 = 64;
	ctx->ports[0].has_gw6 = true;
	memcpy(ctx->ports[0].gw6, GW6, 16);
	port_make(&ctx->ports[1], 1, CORE4, MAC_P1);
	ctx->ports[1].nrelay4 = 1;
	memcpy(&ctx->ports[1].relay4[0], RELAY4, 4);
	dp_port_relay_index(&ctx->ports[1]);
	assert_int_equal(dp_udp_init(ctx), 0);

	f->w = w = fw_worker_new(ctx);
	w->pool = pool;
	ctx->workers[0] = w;
	neigh_table_init(&w->neigh, w->neigh_mem, DP_NEIGH_SIZE, 16, 3600u * hz, hz, 3,
			 neigh_free, NULL);
	assert_int_equal(neigh_update(&w->neigh, NET_AF_IPV4, GW4, 0, MAC_GW, dp_now(), true,
				      NULL, 0), 0);
	assert_int_equal(neigh_update(&w->neigh, NET_AF_IPV4, PEER4, 1, MAC_PEER, dp_now(),
				      true, NULL, 0), 0);
	assert_int_equal(neigh_update(&w->neigh, NET_AF_IPV6, GW6, 0, MAC_GW6, dp_now(), true,
				      NULL, 0), 0);
	/* cp serves, and takes RTP's events */
	fw_link_attach(w);
	shm = ctx->ipc.shm;
	shm->cp_epoch = 1;
	ipc_side_publish(&shm->cp_side, IPC_CAP_RTP, 0, 0, 1);
	ipc_cp_set_ready(shm, true);
	w->now_ms = ipc_monotonic_ms();
	f->mbufs0 = rte_mempool_in_use_count(pool);
	if (ports_later) {
		struct tp_conf_port *cp = f->conf->dp.ports;

		f->conf->dp.nports = 2;
		cp[0].has_ip4 = true;
		memcpy(cp[0].ip4, ACC4, 4);
		cp[0].has_ip6 = true;
		memcpy(cp[0].ip6, ACC6, 16);
		cp[1].has_ip4 = true;
		memcpy(cp[1].ip4, CORE4, 4);
		ctx->nports = 0;
	}
	if (with_dtls) {
		snprintf(f->conf->tls.ciphers, sizeof(f->conf->tls.ciphers), "%s",
			 TP_CONF_TLS_CIPHERS);
		snprintf(f->conf->tls.ciphersuites, sizeof(f->conf->tls.ciphersuites), "%s",
			 TP_CONF_TLS_CIPHERSUITES);
		snprintf(f->conf->tls.groups, sizeof(f->conf->tls.groups), "%s",
			 TP_CONF_TLS_GROUPS);
		f->conf->agw.dtls.handshakes = 8;
		f->conf->agw.dtls.handshake_timeout_s = 5;
		assert_int_equal(dtls_srtp_dp_module.create(w), 0);
	}
	assert_int_equal(rtp_dp_module.setup(ctx), 1);
	if (with_dtls) {
		assert_int_equal(dtls_srtp_dp_module.setup(ctx), 1);
		assert_non_null(w->dtls_srtp);
		f->dtls = true;
	}
	with_dtls = false;
	ctx->nports = 2;
	ports_later = false;
	assert_non_null(w->rtp);
	*state = f;
	return 0;
}

static int
setup_ports_later(void **state)
{
	ports_later = true;
	return setup(state);
}

static int
setup_wide(void **state)
{
	max_contexts = 3 * DP_CP_SYNC_VISIT;
	return setup(state);
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;

	for (unsigned int p = 0; p < DP_MAX_PORTS; p++) {
		rte_pktmbuf_free_bulk(w->tx[p].pkts, w->tx[p].n);
		w->tx[p].n = 0;
	}
	if (f->dtls)
		dtls_srtp_dp_module.free(w);
	rtp_dp_module.free(w);
	if (f->dtls)
		dtls_srtp_dp_module.fini(f->ctx);
	assert_null(w->rtp);
	assert_int_equal(rte_mempool_in_use_count(pool), f->mbufs0);
	fw_link_detach(w);
	dp_udp_free(f->ctx);
	fw_worker_free(w);
	free(f->ctx);
	free(f->conf);
	free(f);
	return 0;
}

/* ---- counters ---------------------------------------------------------------------- */

static uint64_t
ctr(const struct fix *f, const char *name)
{
	static const struct dp_ctrs_family *const fams[] = {
		&rtp_dp_ctrs, &rtp_dp_malformed_ctrs, &rtp_dp_srtp_ctrs, &rtp_dp_ice_ctrs,
	};
	uint64_t v[128];

	for (unsigned int i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		size_t plen = strlen(fams[i]->prefix);

		assert_true(fams[i]->n <= 128);
		if (strncmp(name, fams[i]->prefix, plen) != 0)
			continue;
		fams[i]->values(f->w, v);
		for (unsigned int k = 0; k < fams[i]->n; k++)
			if (strcmp(fams[i]->desc[k].name, name + plen) == 0)
				return v[k];
	}
	fail_msg("no counter %s", name);
	return 0;
}

static void
unhex(const char *hex, uint8_t *out)
{
	for (size_t i = 0; hex[2 * i] != '\0'; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void mkkeys(struct ipc_srtp_key *ik, struct srtp_ref_key *tk, unsigned int suite,
		   uint8_t seed, uint8_t mki_len, uint32_t mki);

/* ---- checksums, independently of dp/net ------------------------------------------- */

static uint32_t
sum_bytes(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1u)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

/* RFC 768 / RFC 8200 §8.1: the UDP checksum of u (ulen bytes, its field
 * taken as zero) between src and dst. */
static uint16_t
udp_cksum(uint8_t family, const uint8_t *src, const uint8_t *dst, const uint8_t *u,
	  uint16_t ulen)
{
	size_t alen = family == 4 ? 4 : 16;
	uint32_t s = sum_bytes(src, alen, 0);
	uint16_t c;

	s = sum_bytes(dst, alen, s);
	s += 17u + ulen;
	s = sum_bytes(u, 6, s);
	s = sum_bytes(u + 8, (size_t)ulen - 8, s);
	c = (uint16_t)~fold(s);
	return c == 0 ? 0xffff : c;
}

/* ---- frames in ------------------------------------------------------------------- */

/* A frame from (src, sport) to (dst, dport) with payload to port pi; tos
 * the IPv4 DS byte (or IPv6 traffic class); cksum_delta added to the
 * right UDP checksum (0: right). Handled at once. */
static void
send_in(struct fix *f, unsigned int pi, uint8_t family, const uint8_t *src, uint16_t sport,
	const uint8_t *dst, uint16_t dport, const void *payload, uint16_t len, uint8_t tos,
	uint16_t cksum_delta)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t l3 = family == 4 ? 20 : 40;
	uint8_t *p, *u;
	uint16_t c;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + l3 + 8 + len));
	assert_non_null(p);
	memcpy(p, f->ctx->ports[pi].mac.addr_bytes, 6);
	memcpy(p + 6, pi == 0 ? MAC_GW : MAC_PEER, 6);
	p[12] = family == 4 ? 0x08 : 0x86;
	p[13] = family == 4 ? 0x00 : 0xdd;
	if (family == 4)
		ipv4_build_hdr_ds(p + 14, src, dst, 17, 64, (uint16_t)(l3 + 8 + len), tos);
	else
		ipv6_build_hdr_tc(p + 14, src, dst, 17, 64, (uint16_t)(8 + len), tos);
	u = p + 14 + l3;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = (uint8_t)((8 + len) >> 8);
	u[5] = (uint8_t)(8 + len);
	memcpy(u + 8, payload, len);
	c = (uint16_t)(udp_cksum(family, src, dst, u, (uint16_t)(8 + len)) + cksum_delta);
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	m->port = (uint16_t)pi;
	dp_input_burst(f->w, &f->ctx->ports[pi], &m, 1, false);
}

/* An RTP packet: pt, seq, ts, ssrc, then n payload octets from seed. */
static uint16_t
rtp_pkt(uint8_t *b, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc, uint16_t n,
	uint8_t seed)
{
	b[0] = 0x80;
	b[1] = pt;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = (uint8_t)(ts >> 24);
	b[5] = (uint8_t)(ts >> 16);
	b[6] = (uint8_t)(ts >> 8);
	b[7] = (uint8_t)ts;
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (uint16_t i = 0; i < n; i++)
		b[12 + i] = (uint8_t)(seed + i * 7u + (i >> 8));
	return (uint16_t)(12 + n);
}

/* An RTCP RR without blocks, then an SDES with one empty chunk's worth
 * (a compound of 8 + 8 octets), of ssrc. */
static uint16_t
rtcp_pkt(uint8_t *b, uint32_t ssrc)
{
	static const uint8_t rr[8] = { 0x80, 201, 0, 1 };
	static const uint8_t sdes[8] = { 0x81, 202, 0, 1 };

	memcpy(b, rr, 8);
	b[4] = (uint8_t)(ssrc >> 24);
	b[5] = (uint8_t)(ssrc >> 16);
	b[6] = (uint8_t)(ssrc >> 8);
	b[7] = (uint8_t)ssrc;
	memcpy(b + 8, sdes, 8);
	memcpy(b + 12, b + 4, 4);
	return 16;
}

/* ---- frames out ------------------------------------------------------------------- */

struct out {
	uint8_t family;
	uint8_t mac[6];
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t ttl;
	uint8_t ds;
	uint16_t cksum;
	uint16_t cksum_right;        /* by the test's own sum */
	bool cksum_ok;               /* they agree */
	uint16_t len;                /* payload */
	uint8_t payload[2048];
};

/* How many frames wait on port pi. */
static unsigned int
nout(const struct fix *f, unsigned int pi)
{
	return f->w->tx[pi].n;
}

/* The oldest frame on port pi, parsed and freed; the test fails without
 * one. */
static void
take_out(struct fix *f, unsigned int pi, struct out *o)
{
	struct dp_txq *q = &f->w->tx[pi];
	struct rte_mbuf *m;
	const uint8_t *p, *ip, *u;
	uint16_t l3, ulen;

	assert_true(q->n > 0);
	m = q->pkts[0];
	memmove(q->pkts, q->pkts + 1, (size_t)(q->n - 1) * sizeof(q->pkts[0]));
	q->n--;
	memset(o, 0, sizeof(*o));
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	memcpy(o->mac, p, 6);
	assert_memory_equal(p + 6, f->ctx->ports[pi].mac.addr_bytes, 6);
	ip = p + 14;
	if (p[12] == 0x08) {
		o->family = 4;
		l3 = 20;
		assert_int_equal(ip[0], 0x45);
		assert_int_equal(ip[9], 17);
		/* the IPv4 header's own checksum */
		assert_int_equal(fold(sum_bytes(ip, 20, 0)), 0xffff);
		o->ttl = ip[8];
		o->ds = ip[1];
		memcpy(o->src, ip + 12, 4);
		memcpy(o->dst, ip + 16, 4);
	} else {
		assert_int_equal(p[12], 0x86);
		o->family = 6;
		l3 = 40;
		assert_int_equal(ip[6], 17);
		o->ttl = ip[7];
		o->ds = (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
		memcpy(o->src, ip + 8, 16);
		memcpy(o->dst, ip + 24, 16);
	}
	u = ip + l3;
	o->sport = (uint16_t)(u[0] << 8 | u[1]);
	o->dport = (uint16_t)(u[2] << 8 | u[3]);
	ulen = (uint16_t)(u[4] << 8 | u[5]);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14u + l3 + ulen);
	o->cksum = (uint16_t)(u[6] << 8 | u[7]);
	o->cksum_right = udp_cksum(o->family, o->src, o->dst, u, ulen);
	o->cksum_ok = o->cksum == o->cksum_right;
	o->len = (uint16_t)(ulen - 8);
	memcpy(o->payload, u + 8, o->len);
	rte_pktmbuf_free(m);
}

/* ---- cp's side ----------------------------------------------------------------------- */

static uint64_t
ctx_id(uint32_t slot)
{
	return ipc_conn_make(0, slot, 7);
}

static void
cp_send(struct fix *f, struct ipc_msg *m)
{
	m->h.worker = 0;
	assert_int_equal(ipc_msg_check(m, IPC_CP2DP), 0);
	assert_int_equal(ipc_ring_enqueue(&f->w->cp.rings->to_dp, m), 0);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
}

/* The UE's side: on the access address, RTP port and RTCP port + 1 (or
 * rtcp-mux), latching, its signalled remote UE4:5004. */
static void
term_ue(struct ipc_rtp_term *t, uint16_t port, bool mux)
{
	memset(t, 0, sizeof(*t));
	t->profile = IPC_RTP_AVP;
	t->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	t->flags = mux ? IPC_RTP_F_MUX : 0;
	t->latch = IPC_RTP_LATCH_RELATCH;
	t->serial = 1;
	t->local.family = 4;
	memcpy(t->local.ip, ACC4, 4);
	t->local.port = port;
	t->rtcp_port = mux ? 0 : (uint16_t)(port + 1);
	t->remote.family = 4;
	memcpy(t->remote.ip, UE4, 4);
	t->remote.port = 5004;
}

/* The core's side: on the core address, rtcp-mux, not latching, to
 * PEER4:6000, DSCP 46 (EF). */
static void
term_core(struct ipc_rtp_term *t, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	t->profile = IPC_RTP_AVP;
	t->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	t->flags = IPC_RTP_F_MUX;
	t->dscp = 46;
	t->serial = 1;
	t->local.family = 4;
	memcpy(t->local.ip, CORE4, 4);
	t->local.port = port;
	t->remote.family = 4;
	memcpy(t->remote.ip, PEER4, 4);
	t->remote.port = 6000;
}

static void
cp_add(struct fix *f, uint64_t id, const struct ipc_rtp_term *t0,
       const struct ipc_rtp_term *t1)
{
	static struct ipc_msg m;
	struct ipc_rtp_ctx *x = (struct ipc_rtp_ctx *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_ADD;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	if (t0 != NULL)
		x->term[0] = *t0;
	if (t1 != NULL)
		x->term[1] = *t1;
	cp_send(f, &m);
}

static void
cp_mod(struct fix *f, uint64_t id, uint8_t op, uint8_t term, const struct ipc_rtp_term *t)
{
	static struct ipc_msg m;
	struct ipc_rtp_mod *x = (struct ipc_rtp_mod *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_MOD;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	x->op = op;
	x->term = term;
	if (t != NULL)
		x->t = *t;
	cp_send(f, &m);
}

static void
cp_del(struct fix *f, uint64_t id)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_DEL;
	m.h.alloc_id = id;
	cp_send(f, &m);
}

/* What dp sent cp next (after its sweep, cp beating), passing cp's
 * checks; false: nothing. */
static bool
cp_recv(struct fix *f, struct ipc_msg *m)
{
	__atomic_store_n(&f->ctx->ipc.shm->cp_heartbeat_ms, f->w->now_ms, __ATOMIC_RELAXED);
	rtp_sweep(f->w, 0);
	if (ipc_ring_dequeue(&f->w->cp.rings->to_cp, m) != 1)
		return false;
	assert_int_equal(ipc_msg_check(m, IPC_DP2CP), 0);
	return true;
}

/* The next message to cp is an RTP_EVENT of type about id: its body. */
#define cp_event(f, id, type, e) cp_event_at(f, id, type, e, __LINE__)
static void
cp_event_at(struct fix *f, uint64_t id, uint8_t type, struct ipc_rtp_event *e, int line)
{
	static struct ipc_msg m;

	if (!cp_recv(f, &m))
		fail_msg("line %d: no event %u", line, type);
	assert_int_equal(m.h.kind, IPC_RTP_EVENT);
	assert_int_equal(m.h.alloc_id, id);
	memcpy(e, m.body, sizeof(*e));
	assert_int_equal(e->type, type);
}

static void
cp_nothing(struct fix *f)
{
	static struct ipc_msg m;

	assert_false(cp_recv(f, &m));
}

/* RTP_STATS_REQ and its answer: the context's figures. */
static void
cp_stats(struct fix *f, uint64_t id, struct ipc_rtp_stats_msg *x)
{
	static struct ipc_msg m;
	struct ipc_rtp_stats_req *r = (struct ipc_rtp_stats_req *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_STATS_REQ;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*r);
	r->req = 4242;
	cp_send(f, &m);
	/* (a latch, a silence or SRTP's positions told pending go first:
	 * skipped) */
	do {
		assert_true(cp_recv(f, &m));
	} while ((m.h.kind == IPC_RTP_EVENT &&
		  (((const struct ipc_rtp_event *)(const void *)m.body)->type == IPC_RTP_EV_LATCHED ||
		   ((const struct ipc_rtp_event *)(const void *)m.body)->type ==
		   IPC_RTP_EV_INACTIVE)) ||
		 (m.h.kind == IPC_RTP_STATS &&
		  ((const struct ipc_rtp_stats_msg *)(const void *)m.body)->req == 0));
	assert_int_equal(m.h.kind, IPC_RTP_STATS);
	assert_int_equal(m.h.alloc_id, id);
	memcpy(x, m.body, sizeof(*x));
	assert_int_equal(x->req, 4242);
}

/* A context of term_ue(MEDIA_MIN, pair) and term_core(MEDIA_MIN + 2) in
 * slot 0. */
static uint64_t
ctx_standard(struct fix *f)
{
	struct ipc_rtp_term a, b;

	term_ue(&a, MEDIA_MIN, false);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	return ctx_id(0);
}

/* RTP from the UE's (src, sport) to its termination; what it relayed to
 * the core, if anything: true and *o. */
static bool
ue_rtp(struct fix *f, const uint8_t *src, uint16_t sport, uint16_t seq, uint16_t n,
       struct out *o)
{
	uint8_t b[1500];
	uint16_t len = rtp_pkt(b, 0, seq, seq * 160u, 0x11223344u, n, (uint8_t)seq);

	send_in(f, 0, 4, src, sport, ACC4, MEDIA_MIN, b, len, 0, 0);
	if (nout(f, 1) == 0)
		return false;
	take_out(f, 1, o);
	assert_int_equal(o->len, len);
	assert_memory_equal(o->payload, b, len);
	return true;
}

/* RTP from the core to its termination; what went to the UE's side. */
static bool
core_rtp(struct fix *f, uint16_t seq, uint16_t n, struct out *o)
{
	uint8_t b[1500];
	uint16_t len = rtp_pkt(b, 8, seq, seq * 160u, 0x55667788u, n, (uint8_t)(seq + 3));

	send_in(f, 1, 4, PEER4, 6000, CORE4, MEDIA_MIN + 2, b, len, 0, 0);
	if (nout(f, 0) == 0)
		return false;
	take_out(f, 0, o);
	assert_int_equal(o->len, len);
	assert_memory_equal(o->payload, b, len);
	return true;
}

/* ---- the relay ------------------------------------------------------------------------ */

/* Both ways, byte-exact, sizes odd and even: the headers of the other
 * termination (its address and port, to its remote or latched source),
 * TTL 64, the UDP checksum right by an independent sum, the DS byte the
 * sending termination's DSCP with the received ECN bits. */
static void
test_rtp_relay_both_ways_byte_exact(void **state)
{
	static const uint16_t sizes[] = { 0, 1, 159, 160, 161, 1000, 1399 };
	struct fix *f = *state;
	struct out o;
	uint8_t b[64];
	uint16_t len;

	ctx_standard(f);
	assert_int_equal(ctr(f, "rtp_contexts"), 1);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_true(ue_rtp(f, UE4, 5004, (uint16_t)(100 + i), sizes[i], &o));
		assert_int_equal(o.family, 4);
		assert_memory_equal(o.mac, MAC_PEER, 6);
		assert_memory_equal(o.src, CORE4, 4);
		assert_int_equal(o.sport, MEDIA_MIN + 2);
		assert_memory_equal(o.dst, PEER4, 4);
		assert_int_equal(o.dport, 6000);
		assert_int_equal(o.ttl, 64);
		assert_int_equal(o.ds, 46 << 2);
		assert_true(o.cksum_ok);

		assert_true(core_rtp(f, (uint16_t)(7 + i), sizes[i], &o));
		assert_memory_equal(o.mac, MAC_GW, 6);   /* off-link: the gateway */
		assert_memory_equal(o.src, ACC4, 4);
		assert_int_equal(o.sport, MEDIA_MIN);
		assert_memory_equal(o.dst, UE4, 4);      /* latched, as signalled */
		assert_int_equal(o.dport, 5004);
		assert_int_equal(o.ds, 0);
		assert_true(o.cksum_ok);
	}
	/* ECN passes through (ECT(1) and CE), under the DSCP */
	len = rtp_pkt(b, 0, 200, 0, 0x11223344u, 20, 1);
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN, b, len, 0x01, 0);
	take_out(f, 1, &o);
	assert_int_equal(o.ds, (46 << 2) | 1);
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN, b, len, 0xb8 | 3, 0);
	take_out(f, 1, &o);
	assert_int_equal(o.ds, (46 << 2) | 3);
	assert_int_equal(ctr(f, "rtp_relayed_rtp"), 2 * 7 + 2);
	assert_int_equal(nout(f, 0) + nout(f, 1), 0);
}

/* The checksum is carried, not computed: a datagram damaged on the way
 * in (after it latched) leaves with a checksum its receiver refuses, as
 * it would have the sender's; its payload was never summed. */
static void
test_rtp_relay_carries_a_damaged_checksum(void **state)
{
	struct fix *f = *state;
	struct out o;
	uint8_t b[256];
	uint16_t len;

	ctx_standard(f);
	assert_true(ue_rtp(f, UE4, 5004, 1, 160, &o));
	assert_true(o.cksum_ok);
	len = rtp_pkt(b, 0, 2, 320, 0x11223344u, 161, 9);
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN, b, len, 0, 0x0100);
	take_out(f, 1, &o);
	assert_memory_equal(o.payload, b, len);
	assert_false(o.cksum_ok);
	/* off by what it came in off by (ones' complement) */
	assert_true(o.cksum == fold((uint32_t)o.cksum_right + 0x100u) ||
		    o.cksum == (uint16_t)(o.cksum_right + 0x100u));
}

/* A UE on IPv6 and a core on IPv4 in one context: each side's headers
 * are its own family's, the checksum carried across. */
static void
test_rtp_relay_across_families(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct out o;
	uint8_t pk[400];
	uint16_t len;

	term_ue(&a, MEDIA_MIN + 10, true);
	a.local.family = 6;
	memcpy(a.local.ip, ACC6, 16);
	a.remote.family = 6;
	memcpy(a.remote.ip, UE6, 16);
	a.dscp = 34;
	term_core(&b, MEDIA_MIN + 12);
	cp_add(f, ctx_id(1), &a, &b);
	len = rtp_pkt(pk, 0, 1, 0, 9, 333, 4);
	send_in(f, 0, 6, UE6, 5004, ACC6, MEDIA_MIN + 10, pk, len, 0x02, 0);
	take_out(f, 1, &o);
	assert_int_equal(o.family, 4);
	assert_memory_equal(o.payload, pk, len);
	assert_true(o.cksum_ok);
	assert_int_equal(o.ds, (46 << 2) | 2);
	len = rtp_pkt(pk, 0, 1, 0, 10, 201, 5);
	send_in(f, 1, 4, PEER4, 6000, CORE4, MEDIA_MIN + 12, pk, len, 0, 0);
	take_out(f, 0, &o);
	assert_int_equal(o.family, 6);
	assert_memory_equal(o.mac, MAC_GW6, 6);
	assert_memory_equal(o.src, ACC6, 16);
	assert_memory_equal(o.dst, UE6, 16);
	assert_int_equal(o.dport, 5004);
	assert_int_equal(o.ds, 34 << 2);
	assert_memory_equal(o.payload, pk, len);
	assert_true(o.cksum_ok);
}

/* ---- latching and gates ------------------------------------------------------------------ */

/* H.248.37: until a packet latches, what goes to the UE goes to the
 * signalled remote; the UE's first packet (from its NAT's address and
 * port) latches, LATCHED says where, and from then on it goes there. */
static void
test_rtp_latch_on_the_first_packet(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_event e;
	struct ipc_rtp_stats_msg x;
	struct out o;
	uint64_t id = ctx_standard(f);

	assert_true(core_rtp(f, 1, 160, &o));
	assert_memory_equal(o.dst, UE4, 4);
	assert_int_equal(o.dport, 5004);
	cp_nothing(f);
	assert_true(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.term, 0);
	assert_int_equal(e.rtcp, 0);
	assert_int_equal(e.serial, 1);
	assert_int_equal(e.addr.family, 4);
	assert_memory_equal(e.addr.ip, NAT4, 4);
	assert_int_equal(e.addr.port, 40123);
	assert_int_equal(ctr(f, "rtp_latched"), 1);
	assert_true(core_rtp(f, 2, 160, &o));
	assert_memory_equal(o.dst, NAT4, 4);
	assert_int_equal(o.dport, 40123);
	cp_stats(f, id, &x);
	assert_int_equal(x.found, 1);
	assert_int_equal(x.st[0].latched, IPC_RTP_LATCHED_RTP);
	assert_memory_equal(x.st[0].rtp_src.ip, NAT4, 4);
	assert_int_equal(x.st[0].rtp_src.port, 40123);
	/* the core's side does not latch */
	assert_int_equal(x.st[1].latched, 0);
	cp_nothing(f);
}

/* H.248.43 gm: only a source within the address prefix and port range
 * may be heard, so only such a one latches; the others are strangers. */
static void
test_rtp_gm_narrows_who_latches(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_id(0);

	term_ue(&a, MEDIA_MIN, false);
	a.gm_addr.family = 4;
	memcpy(a.gm_addr.ip, NAT4, 4);
	a.gm_plen = 24;
	a.gm_port_lo = 40000;
	a.gm_port_hi = 40999;
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	/* outside the prefix */
	assert_false(ue_rtp(f, STRANGER4, 40123, 1, 160, &o));
	assert_false(ue_rtp(f, UE4, 40123, 2, 160, &o));
	/* inside it, outside the ports */
	assert_false(ue_rtp(f, NAT4, 41000, 3, 160, &o));
	assert_false(ue_rtp(f, NAT4, 39999, 4, 160, &o));
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 4);
	assert_int_equal(ctr(f, "rtp_latched"), 0);
	cp_nothing(f);
	/* within both: latches */
	assert_true(ue_rtp(f, (const uint8_t[4]){ 198, 51, 100, 200 }, 40999, 5, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.addr.port, 40999);
	assert_int_equal(ctr(f, "rtp_latched"), 1);
}

/* A stranger's packets are dropped and counted, never relayed, and
 * never take over a stream that lives, however long they keep coming. */
static void
test_rtp_stranger_dropped_and_never_relatches_a_live_stream(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_event e;
	struct ipc_rtp_stats_msg x;
	struct out o;
	uint64_t id = ctx_standard(f);

	assert_true(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	for (uint16_t i = 0; i < 300; i++) {
		f->w->now_ms += 20;
		assert_false(ue_rtp(f, STRANGER4, 5004, (uint16_t)(1000 + i), 160, &o));
		/* another port of the latched address is a stranger too */
		if (i % 50 == 0)
			assert_false(ue_rtp(f, NAT4, 40124, (uint16_t)(2000 + i), 160, &o));
		assert_true(ue_rtp(f, NAT4, 40123, (uint16_t)(2 + i), 160, &o));
		assert_true(core_rtp(f, (uint16_t)(1 + i), 160, &o));
		assert_memory_equal(o.dst, NAT4, 4);
		assert_int_equal(o.dport, 40123);
	}
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 306);
	assert_int_equal(ctr(f, "rtp_relatched"), 0);
	cp_stats(f, id, &x);
	assert_int_equal(x.st[0].drop_stranger, 306);
	assert_int_equal(x.st[0].rtp_in, 301);
	cp_nothing(f);
}

/* After agw.media_relatch of silence from the latched source another one
 * latches (a UE whose NAT binding changed), not a millisecond before;
 * the old source is then the stranger. */
static void
test_rtp_relatch_after_silence(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_standard(f);

	assert_true(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	f->w->now_ms += RELATCH - 1;
	assert_false(ue_rtp(f, NAT4, 40999, 2, 160, &o));
	assert_int_equal(ctr(f, "rtp_relatched"), 0);
	f->w->now_ms += 1;
	assert_true(ue_rtp(f, NAT4, 40999, 3, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.addr.port, 40999);
	assert_int_equal(ctr(f, "rtp_relatched"), 1);
	assert_true(core_rtp(f, 1, 160, &o));
	assert_int_equal(o.dport, 40999);
	f->w->now_ms += 20;
	assert_false(ue_rtp(f, NAT4, 40123, 4, 160, &o));
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 2);
}

/*
 * The termination's latching policy (lib/ipc's ipc_rtp_term.latch), one
 * context taken through each by RTP_MOD (the same remote: its latch
 * kept). STRICT: after any silence (ten times agw.media_relatch: a hold,
 * a mute), another port of the latched address and a stranger elsewhere
 * are dropped and the core's next packets still go to the latched source;
 * RTCP's latch does not move either. HANDOVER: another source takes the
 * stream at once, with no silence, and the first takes it back at once.
 * RELATCH: the rule as it was, another source only after relatch_ms of
 * silence.
 */
static void
test_rtp_latch_policies(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_id(0);
	uint8_t r[64];
	uint16_t rlen = rtcp_pkt(r, 0x11223344u);

	term_ue(&a, MEDIA_MIN, false);
	a.latch = IPC_RTP_LATCH_STRICT;
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	assert_true(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	send_in(f, 0, 4, NAT4, 40124, ACC4, MEDIA_MIN + 1, r, rlen, 0, 0);
	assert_int_equal(nout(f, 1), 1);
	take_out(f, 1, &o);
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.rtcp, 1);
	f->w->now_ms += 10u * RELATCH;
	assert_false(ue_rtp(f, NAT4, 40999, 2, 160, &o));
	assert_false(ue_rtp(f, STRANGER4, 5004, 3, 160, &o));
	send_in(f, 0, 4, NAT4, 40998, ACC4, MEDIA_MIN + 1, r, rlen, 0, 0);
	assert_int_equal(nout(f, 1), 0);
	for (uint16_t i = 0; i < 5; i++) {
		assert_true(core_rtp(f, (uint16_t)(1 + i), 160, &o));
		assert_memory_equal(o.dst, NAT4, 4);
		assert_int_equal(o.dport, 40123);
	}
	assert_int_equal(ctr(f, "rtp_relatched"), 0);
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 3);
	cp_nothing(f);
	/* the UE back from where it was: taken */
	assert_true(ue_rtp(f, NAT4, 40123, 4, 160, &o));

	a.latch = IPC_RTP_LATCH_HANDOVER;
	cp_mod(f, id, IPC_RTP_MOD_TERM, 0, &a);
	f->w->now_ms += 1;
	assert_true(ue_rtp(f, NAT4, 40999, 5, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.addr.port, 40999);
	assert_int_equal(ctr(f, "rtp_relatched"), 1);
	assert_true(core_rtp(f, 6, 160, &o));
	assert_int_equal(o.dport, 40999);
	f->w->now_ms += 1;
	assert_true(ue_rtp(f, NAT4, 40123, 6, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.addr.port, 40123);
	assert_int_equal(ctr(f, "rtp_relatched"), 2);
	assert_true(core_rtp(f, 7, 160, &o));
	assert_int_equal(o.dport, 40123);

	a.latch = IPC_RTP_LATCH_RELATCH;
	cp_mod(f, id, IPC_RTP_MOD_TERM, 0, &a);
	f->w->now_ms += 20;
	assert_false(ue_rtp(f, NAT4, 40999, 7, 160, &o));
	assert_int_equal(ctr(f, "rtp_relatched"), 2);
	f->w->now_ms += RELATCH;
	assert_true(ue_rtp(f, NAT4, 40999, 8, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.addr.port, 40999);
	assert_int_equal(ctr(f, "rtp_relatched"), 3);
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 4);
}

/*
 * IPC_RTP_LATCH_SIGNALLED: a source latches only from the signalled
 * remote's address (UE4), its port learnt; a source elsewhere (NAT4) is
 * a stranger even before anything latched. With OFF it is taken and
 * nothing learnt, only from that address; a new remote (a modify) is the
 * address then.
 */
static void
test_rtp_latch_bound_to_the_signalled_address(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_id(0);

	term_ue(&a, MEDIA_MIN, false);
	a.latch = IPC_RTP_LATCH_STRICT | IPC_RTP_LATCH_SIGNALLED;
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	assert_false(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	assert_int_equal(ctr(f, "rtp_latched"), 0);
	cp_nothing(f);
	assert_true(ue_rtp(f, UE4, 5010, 2, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_memory_equal(e.addr.ip, UE4, 4);
	assert_int_equal(e.addr.port, 5010);
	f->w->now_ms += 10u * RELATCH;
	assert_false(ue_rtp(f, UE4, 5004, 3, 160, &o));
	assert_true(core_rtp(f, 1, 160, &o));
	assert_memory_equal(o.dst, UE4, 4);
	assert_int_equal(o.dport, 5010);

	/* a re-INVITE: a new remote, nothing learnt, its address only */
	a.latch = IPC_RTP_LATCH_OFF | IPC_RTP_LATCH_SIGNALLED;
	a.remote.port = 5020;
	cp_mod(f, id, IPC_RTP_MOD_TERM, 0, &a);
	assert_false(ue_rtp(f, NAT4, 5020, 4, 160, &o));
	assert_true(ue_rtp(f, UE4, 7000, 5, 160, &o));
	assert_true(ue_rtp(f, UE4, 7002, 6, 160, &o));
	cp_nothing(f);
	assert_true(core_rtp(f, 2, 160, &o));
	assert_memory_equal(o.dst, UE4, 4);
	assert_int_equal(o.dport, 5020);
	assert_int_equal(ctr(f, "rtp_latched"), 1);
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 3);
}

/* ---- RTCP: rtcp-mux against a pair ------------------------------------------------------- */

/* The UE's pair: RTCP on its RTCP port goes to the core's muxed port's
 * remote, from that port; the core's RTCP (octet 1 in 192-223 on its
 * muxed port) goes to the UE's RTCP destination (the signalled remote's
 * port + 1 until RTCP latches, its own source after), from the UE's RTCP
 * port; RTP sent to an RTCP port is taken for RTCP and refused; RTCP's
 * latch on a pair comes only from RTP's latched address. */
static void
test_rtp_rtcp_mux_against_a_pair(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_event e;
	struct ipc_rtp_stats_msg x;
	struct out o;
	uint8_t b[64], r[64];
	uint16_t len, rlen = rtcp_pkt(r, 0x55667788u);
	uint64_t id = ctx_standard(f);

	/* the core's RTCP before the UE sent any: to UE4:5005 */
	send_in(f, 1, 4, PEER4, 6000, CORE4, MEDIA_MIN + 2, r, rlen, 0, 0);
	take_out(f, 0, &o);
	assert_memory_equal(o.dst, UE4, 4);
	assert_int_equal(o.dport, 5005);
	assert_int_equal(o.sport, MEDIA_MIN + 1);
	assert_int_equal(o.len, rlen);
	assert_memory_equal(o.payload, r, rlen);
	assert_true(o.cksum_ok);
	/* the UE's RTP latches RTP; its RTCP from another address is a
	 * stranger, from RTP's address (another port: its NAT's) latches */
	assert_true(ue_rtp(f, NAT4, 40124, 1, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	rlen = rtcp_pkt(r, 0x11223344u);
	send_in(f, 0, 4, STRANGER4, 40125, ACC4, MEDIA_MIN + 1, r, rlen, 0, 0);
	assert_int_equal(nout(f, 1), 0);
	send_in(f, 0, 4, NAT4, 40125, ACC4, MEDIA_MIN + 1, r, rlen, 0, 0);
	take_out(f, 1, &o);
	assert_memory_equal(o.dst, PEER4, 4);
	assert_int_equal(o.dport, 6000);
	assert_int_equal(o.sport, MEDIA_MIN + 2);     /* the muxed port */
	assert_memory_equal(o.payload, r, rlen);
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.rtcp, 1);
	assert_int_equal(e.addr.port, 40125);
	/* now the core's RTCP goes to it */
	rlen = rtcp_pkt(r, 0x55667788u);
	send_in(f, 1, 4, PEER4, 6000, CORE4, MEDIA_MIN + 2, r, rlen, 0, 0);
	take_out(f, 0, &o);
	assert_memory_equal(o.dst, NAT4, 4);
	assert_int_equal(o.dport, 40125);
	/* RTP to the RTCP port: taken for RTCP, and its first packet is no
	 * SR or RR (octet 1 is 0) */
	len = rtp_pkt(b, 0, 2, 320, 0x11223344u, 20, 1);
	send_in(f, 0, 4, NAT4, 40125, ACC4, MEDIA_MIN + 1, b, len, 0, 0);
	assert_int_equal(nout(f, 1), 0);
	assert_int_equal(ctr(f, "rtp_malformed_rtcp_first"), 1);
	assert_int_equal(ctr(f, "rtp_relayed_rtcp"), 3);
	cp_stats(f, id, &x);
	assert_int_equal(x.st[0].rtcp_in, 1);
	assert_int_equal(x.st[0].rtcp_out, 2);
	assert_int_equal(x.st[1].rtcp_in, 2);
	assert_int_equal(x.st[1].rtcp_out, 1);
	assert_int_equal(x.st[0].drop_stranger, 1);
	assert_int_equal(x.st[0].latched, IPC_RTP_LATCHED_RTP | IPC_RTP_LATCHED_RTCP);
}

/* RTCP that latched a pair's RTCP flow from another host before RTP
 * latched lets go when RTP latches: RTCP follows RTP's host, so a
 * stranger spraying RTCP ports ahead of the UE gets nothing kept. */
static void
test_rtp_rtcp_latch_follows_rtp_host(void **state)
{
	struct fix *f = *state;
	struct out o;
	uint8_t r[64];
	uint16_t rlen = rtcp_pkt(r, 0x11223344u);

	(void)ctx_standard(f);
	send_in(f, 0, 4, STRANGER4, 40125, ACC4, MEDIA_MIN + 1, r, rlen, 0, 0);
	assert_int_equal(nout(f, 1), 1);              /* (nothing latched yet: taken) */
	take_out(f, 1, &o);
	assert_true(ue_rtp(f, NAT4, 40124, 1, 160, &o));
	send_in(f, 0, 4, STRANGER4, 40125, ACC4, MEDIA_MIN + 1, r, rlen, 0, 0);
	assert_int_equal(nout(f, 1), 0);
	send_in(f, 0, 4, NAT4, 40125, ACC4, MEDIA_MIN + 1, r, rlen, 0, 0);
	assert_int_equal(nout(f, 1), 1);
	take_out(f, 1, &o);
}

/* With rtcp-mux on the UE's side too: RTP and RTCP on one port, one
 * latch; octet 1 tells them apart. */
static void
test_rtp_rtcp_mux_one_port(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_stats_msg x;
	struct out o;
	uint8_t r[64];
	uint16_t rlen = rtcp_pkt(r, 0x11223344u);
	uint64_t id = ctx_id(2);

	term_ue(&a, MEDIA_MIN + 20, true);
	term_core(&b, MEDIA_MIN + 22);
	cp_add(f, id, &a, &b);
	send_in(f, 0, 4, NAT4, 40200, ACC4, MEDIA_MIN + 20, r, rlen, 0, 0);
	take_out(f, 1, &o);
	assert_memory_equal(o.payload, r, rlen);
	send_in(f, 1, 4, PEER4, 6000, CORE4, MEDIA_MIN + 22, r, rlen, 0, 0);
	take_out(f, 0, &o);
	assert_memory_equal(o.dst, NAT4, 4);     /* RTCP latched the one flow */
	assert_int_equal(o.dport, 40200);
	assert_int_equal(o.sport, MEDIA_MIN + 20);
	cp_stats(f, id, &x);
	assert_int_equal(x.st[0].latched, IPC_RTP_LATCHED_RTP);
	assert_int_equal(x.st[0].rtcp_in, 1);
	assert_int_equal(x.st[0].rtp_in, 0);
}

/* ---- what is not RTP ------------------------------------------------------------------------ */

/* Short RTP, a wrong version (RFC 7983's classes: version 1's octets are
 * TURN's and others', version 3's none), an RTCP compound whose length
 * runs past the datagram or whose second packet is version 1, STUN on a
 * media port: each dropped, counted by its reason and in the
 * termination's drop_malformed, never latched, never relayed. */
static void
test_rtp_malformed_dropped_and_counted(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_stats_msg x;
	struct out o;
	uint8_t b[128];
	uint16_t len;
	uint64_t id = ctx_standard(f);

	len = rtp_pkt(b, 0, 1, 0, 1, 0, 0);
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN, b, 11, 0, 0);      /* short */
	b[0] = 0x40;                                                      /* version 1 */
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN, b, len, 0, 0);
	b[0] = 0xc0;                                                      /* version 3 */
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN, b, len, 0, 0);
	b[0] = 0x00;                                                      /* STUN */
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN, b, len, 0, 0);
	b[0] = 0x80;
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN, b, 1, 0, 0);       /* one octet */
	len = rtcp_pkt(b, 1);
	b[3] = 9;                                                         /* RR past it */
	send_in(f, 0, 4, UE4, 5005, ACC4, MEDIA_MIN + 1, b, len, 0, 0);
	len = rtcp_pkt(b, 1);
	b[8] = 0x41;                                                      /* SDES version 1 */
	send_in(f, 0, 4, UE4, 5005, ACC4, MEDIA_MIN + 1, b, len, 0, 0);
	assert_int_equal(nout(f, 1), 0);
	assert_int_equal(ctr(f, "rtp_malformed_short"), 2);
	assert_int_equal(ctr(f, "rtp_malformed_rtcp_length"), 1);
	assert_int_equal(ctr(f, "rtp_malformed_version"), 1);
	assert_int_equal(ctr(f, "rtp_dropped_malformed"), 4);
	assert_int_equal(ctr(f, "rtp_dropped_chdata"), 1);
	assert_int_equal(ctr(f, "rtp_dropped_not_rtp"), 1);
	assert_int_equal(ctr(f, "rtp_dropped_stun"), 1);
	assert_int_equal(ctr(f, "rtp_latched"), 0);
	cp_nothing(f);
	cp_stats(f, id, &x);
	assert_int_equal(x.st[0].drop_malformed, 7);
	assert_int_equal(x.st[0].rtp_in, 0);
	assert_int_equal(x.st[0].latched, 0);
	/* and the stream is still the first good packet's to latch */
	assert_true(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	assert_int_equal(ctr(f, "rtp_latched"), 1);
	/* a datagram to a media port no termination holds, or on an
	 * address it is not on */
	len = rtp_pkt(b, 0, 1, 0, 1, 10, 0);
	send_in(f, 0, 4, UE4, 5004, ACC4, MEDIA_MIN + 40, b, len, 0, 0);
	send_in(f, 1, 4, PEER4, 6000, RELAY4, MEDIA_MIN + 2, b, len, 0, 0);
	assert_int_equal(ctr(f, "rtp_dropped_no_termination"), 2);
	assert_int_equal(nout(f, 0) + nout(f, 1), 0);
}

/* ---- statistics ---------------------------------------------------------------------------- */

/* RFC 3550's figures equal what was sent: 50 packets with 3 missing and
 * one duplicated, their octets (UDP payloads), the SSRC and the extended
 * highest sequence number across the 16-bit wrap; what the other side
 * sent; they come in RTP_STATS and, last, in RELEASED. */
static void
test_rtp_statistics_equal_to_what_was_sent(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_stats_msg x;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_standard(f), octets = 0, n = 0;
	uint16_t seq = 65530;

	for (unsigned int i = 0; i < 53; i++, seq++) {
		if (i == 10 || i == 11 || i == 40)
			continue;                /* lost on the way */
		assert_true(ue_rtp(f, UE4, 5004, seq, (uint16_t)(100 + i), &o));
		octets += 12u + 100u + i;
		n++;
		if (i == 30) {                   /* a duplicate */
			assert_true(ue_rtp(f, UE4, 5004, seq, (uint16_t)(100 + i), &o));
			octets += 12u + 100u + i;
			n++;
		}
	}
	for (unsigned int i = 0; i < 7; i++)
		assert_true(core_rtp(f, (uint16_t)i, 160, &o));
	cp_stats(f, id, &x);
	assert_int_equal(x.found, 1);
	assert_int_equal(x.st[0].rtp_in, n);
	assert_int_equal(x.st[0].rtp_in_octets, octets);
	assert_int_equal(x.st[0].ssrc, 0x11223344u);
	assert_int_equal(x.st[0].ext_max_seq, 65536u + (uint16_t)(seq - 1));
	/* A.1: the first packet is probation's; 52 expected from the
	 * second on, 49 of them came and a duplicate: lost 2 */
	assert_int_equal(x.st[0].expected, 52);
	assert_int_equal(x.st[0].lost, 52 - 50);
	assert_int_equal(x.st[0].rtp_out, 7);
	assert_int_equal(x.st[0].rtp_out_octets, 7u * 172u);
	assert_int_equal(x.st[1].rtp_in, 7);
	assert_int_equal(x.st[1].rtp_out, n);
	assert_int_equal(x.st[1].rtp_out_octets, octets);
	assert_int_equal(x.st[0].serial, 1);
	assert_true(x.st[0].heard_ms != 0);
	cp_del(f, id);
	cp_event(f, id, IPC_RTP_EV_RELEASED, &e);
	assert_int_equal(e.cause, IPC_AGW_CONTROLLER);
	assert_int_equal(e.term, IPC_RTP_TERM_NONE);
	assert_memory_equal(&e.st[0], &x.st[0], sizeof(x.st[0]));
	assert_memory_equal(&e.st[1], &x.st[1], sizeof(x.st[1]));
	/* a context gone: found 0 */
	cp_stats(f, id, &x);
	assert_int_equal(x.found, 0);
}

/* ---- mode, policing, inactivity ------------------------------------------------------------- */

/* The stream mode: a recvonly core side sends nothing to its network, a
 * sendonly UE side takes nothing from it (the packets still latch). */
static void
test_rtp_mode_gates_each_direction(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_id(0);

	term_ue(&a, MEDIA_MIN, false);
	a.mode = IPC_RTP_MODE_SEND;
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	assert_false(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_true(core_rtp(f, 1, 160, &o));
	assert_memory_equal(o.dst, NAT4, 4);
	a.mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	b.mode = IPC_RTP_MODE_RECV;
	cp_mod(f, id, IPC_RTP_MOD_TERM, 0, &a);
	cp_mod(f, id, IPC_RTP_MOD_TERM, 1, &b);
	assert_false(ue_rtp(f, NAT4, 40123, 2, 160, &o));
	assert_true(core_rtp(f, 2, 160, &o));
	assert_int_equal(ctr(f, "rtp_dropped_mode"), 2);
	assert_int_equal(ctr(f, "rtp_terms_modified"), 2);
	/* one termination: nothing to relay to */
	cp_mod(f, id, IPC_RTP_SUB_TERM, 1, NULL);
	assert_false(ue_rtp(f, NAT4, 40123, 3, 160, &o));
	assert_int_equal(ctr(f, "rtp_dropped_no_peer"), 1);
}

/* tman: 1,000 bytes a second with a 1,000-byte burst takes the burst,
 * then the rate; the excess is dropped and counted. */
static void
test_rtp_policing_drops_over_the_rate(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_stats_msg x;
	struct out o;
	unsigned int through = 0;
	uint64_t id = ctx_id(0);

	term_ue(&a, MEDIA_MIN, false);
	a.pol_rate = 1000;
	a.pol_burst = 1000;
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	/* 188-octet datagrams: five fit the burst */
	for (uint16_t i = 0; i < 10; i++)
		through += ue_rtp(f, UE4, 5004, i, 176, &o);
	assert_int_equal(through, 5);
	/* a second later: 1,000 more octets, five more */
	f->w->now_ms += 1000;
	for (uint16_t i = 10; i < 20; i++)
		through += ue_rtp(f, UE4, 5004, i, 176, &o);
	assert_int_equal(through, 10);
	assert_int_equal(ctr(f, "rtp_dropped_policed"), 10);
	cp_stats(f, id, &x);
	assert_int_equal(x.st[0].drop_policed, 10);
	/* (the received ones are all counted in) */
	assert_int_equal(x.st[0].rtp_in, 20);
}

/* H.248.40: a termination silent for its inact_ms is reported once, with
 * how long; a packet re-arms it. */
static void
test_rtp_inactivity_reported_once(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_id(0);

	term_ue(&a, MEDIA_MIN, false);
	a.inact_ms = 500;
	a.serial = 4;
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	assert_true(ue_rtp(f, UE4, 5004, 1, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	f->w->now_ms += 499;
	cp_nothing(f);
	f->w->now_ms += 200;                  /* (the sweep's 100 ms pass) */
	cp_event(f, id, IPC_RTP_EV_INACTIVE, &e);
	assert_int_equal(e.term, 0);
	assert_int_equal(e.serial, 4);
	assert_true(e.silent_ms >= 500 && e.silent_ms <= 700);
	assert_int_equal(e.st[0].inactive, 1);
	f->w->now_ms += 5000;
	cp_nothing(f);
	assert_int_equal(ctr(f, "rtp_inactive"), 1);
	/* heard again, silent again: once more */
	assert_true(ue_rtp(f, UE4, 5004, 2, 160, &o));
	f->w->now_ms += 700;
	cp_event(f, id, IPC_RTP_EV_INACTIVE, &e);
	assert_int_equal(ctr(f, "rtp_inactive"), 2);
}

/* A termination whose silence watch a modify arms or changes (an answer
 * after a long ring: RFC 3264 §6's answer may come minutes after the
 * offer) counts silence from that modify, not from the context's making
 * or its last packet: a call that rang past its inact_ms is not ended as
 * it is answered. */
static void
test_rtp_inactivity_counted_from_the_modify_that_arms_it(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	uint64_t id = ctx_id(0);

	term_ue(&a, MEDIA_MIN, false);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	/* it rings two minutes, nothing heard, nothing watched */
	f->w->now_ms += 120000;
	cp_nothing(f);
	/* answered: both watched from now, 60 s */
	a.inact_ms = b.inact_ms = 60000;
	cp_mod(f, id, IPC_RTP_MOD_TERM, 0, &a);
	cp_mod(f, id, IPC_RTP_MOD_TERM, 1, &b);
	f->w->now_ms += 200;                  /* (the sweep's 100 ms pass) */
	cp_nothing(f);
	f->w->now_ms += 59000;
	cp_nothing(f);
	assert_int_equal(ctr(f, "rtp_inactive"), 0);
	/* and once its time has passed since the answer, reported */
	f->w->now_ms += 1000;
	cp_event(f, id, IPC_RTP_EV_INACTIVE, &e);
	assert_true(e.silent_ms >= 60000 && e.silent_ms <= 60400);
}

/* ---- cp's messages --------------------------------------------------------------------------- */

/* A context through its life over the messages: one termination, the
 * other added, the remote modified (a re-INVITE: latching starts over),
 * one subtracted (SUBTRACTED, its last figures), the last subtracted
 * (SUBTRACTED, then RELEASED); its ports are free again after. */
static void
test_rtp_add_modify_subtract_release(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_id(3);

	term_ue(&a, MEDIA_MIN, false);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, NULL);
	assert_int_equal(ctr(f, "rtp_contexts_added"), 1);
	assert_false(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	b.serial = 2;
	cp_mod(f, id, IPC_RTP_ADD_TERM, 1, &b);
	assert_int_equal(ctr(f, "rtp_terms_added"), 1);
	assert_true(ue_rtp(f, NAT4, 40123, 2, 160, &o));
	assert_true(core_rtp(f, 1, 160, &o));
	assert_memory_equal(o.dst, NAT4, 4);
	/* a new remote for the UE: sent there until a packet latches */
	memcpy(a.remote.ip, STRANGER4, 4);
	a.remote.port = 7000;
	cp_mod(f, id, IPC_RTP_MOD_TERM, 0, &a);
	assert_true(core_rtp(f, 2, 160, &o));
	assert_memory_equal(o.dst, STRANGER4, 4);
	assert_int_equal(o.dport, 7000);
	assert_true(ue_rtp(f, NAT4, 40123, 3, 160, &o));
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	/* a modify that would move its port: refused, nothing changed */
	a.local.port = MEDIA_MIN + 30;
	cp_mod(f, id, IPC_RTP_MOD_TERM, 0, &a);
	assert_int_equal(ctr(f, "rtp_term_changes_refused"), 1);
	assert_true(ue_rtp(f, NAT4, 40123, 4, 160, &o));
	/* the core's side subtracted */
	cp_mod(f, id, IPC_RTP_SUB_TERM, 1, NULL);
	cp_event(f, id, IPC_RTP_EV_SUBTRACTED, &e);
	assert_int_equal(e.term, 1);
	assert_int_equal(e.serial, 2);
	assert_int_equal(e.cause, IPC_AGW_CONTROLLER);
	assert_int_equal(e.st[1].rtp_in, 2);
	assert_int_equal(e.st[1].rtp_out, 3);
	assert_int_equal(e.st[0].rtp_in, 0);           /* (only its own) */
	assert_false(core_rtp(f, 3, 160, &o));
	/* the last one: SUBTRACTED, RELEASED */
	cp_mod(f, id, IPC_RTP_SUB_TERM, 0, NULL);
	cp_event(f, id, IPC_RTP_EV_SUBTRACTED, &e);
	assert_int_equal(e.term, 0);
	assert_int_equal(e.st[0].rtp_in, 4);
	cp_event(f, id, IPC_RTP_EV_RELEASED, &e);
	assert_int_equal(ctr(f, "rtp_contexts"), 0);
	assert_int_equal(ctr(f, "rtp_contexts_released"), 1);
	assert_false(ue_rtp(f, NAT4, 40123, 5, 160, &o));
	assert_int_equal(ctr(f, "rtp_dropped_no_termination"), 2);
	/* the ports are another's to take */
	cp_add(f, ctx_id(0), &a, NULL);
	assert_int_equal(ctr(f, "rtp_contexts"), 1);
	/* and a release of the context gone says nothing, counted */
	cp_del(f, id);
	assert_int_equal(ctr(f, "rtp_release_unknown"), 1);
	cp_nothing(f);
}

/* What dp cannot install is refused whole, the reason said (RELEASED,
 * setup_failed): a slot past the table (full), a slot in use, a port
 * taken, a port outside the share, an address that is not dp's, two
 * terminations on one port, an SRTP suite dp does not offer; nothing of it
 * is left behind. */
static void
test_rtp_refused_whole_with_a_reason(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b, c;
	struct ipc_rtp_event e;

	term_ue(&a, MEDIA_MIN, false);
	term_core(&b, MEDIA_MIN + 2);
	for (uint32_t s = 0; s < MAX_CTX; s++) {
		term_ue(&c, (uint16_t)(MEDIA_MIN + 4 * s), false);
		term_core(&b, (uint16_t)(MEDIA_MIN + 4 * s + 2));
		cp_add(f, ctx_id(s), &c, &b);
	}
	assert_int_equal(ctr(f, "rtp_contexts"), MAX_CTX);
	/* the table is full: slot MAX_CTX is past it */
	term_ue(&c, MEDIA_MIN + 40, false);
	cp_add(f, ctx_id(MAX_CTX), &c, NULL);
	cp_event(f, ctx_id(MAX_CTX), IPC_RTP_EV_RELEASED, &e);
	assert_int_equal(e.cause, IPC_AGW_SETUP_FAILED);
	assert_non_null(strstr(e.detail, "past agw.media_contexts"));
	/* a slot in use by another context */
	cp_add(f, ipc_conn_make(0, 1, 99), &c, NULL);
	cp_event(f, ipc_conn_make(0, 1, 99), IPC_RTP_EV_RELEASED, &e);
	assert_non_null(strstr(e.detail, "holds another context"));
	/* free one, then: a port taken, a port outside, not our address,
	 * one port twice, SRTP */
	cp_del(f, ctx_id(3));
	cp_event(f, ctx_id(3), IPC_RTP_EV_RELEASED, &e);
	term_ue(&c, MEDIA_MIN + 1, true);            /* context 0's RTCP port */
	cp_add(f, ctx_id(3), &c, NULL);
	cp_event(f, ctx_id(3), IPC_RTP_EV_RELEASED, &e);
	assert_non_null(strstr(e.detail, "port 30001 is taken"));
	term_ue(&c, MEDIA_MAX + 1, true);
	cp_add(f, ctx_id(3), &c, NULL);
	cp_event(f, ctx_id(3), IPC_RTP_EV_RELEASED, &e);
	assert_non_null(strstr(e.detail, "outside worker's share"));
	term_ue(&c, MEDIA_MIN + 50, true);
	memcpy(c.local.ip, UE4, 4);
	cp_add(f, ctx_id(3), &c, NULL);
	cp_event(f, ctx_id(3), IPC_RTP_EV_RELEASED, &e);
	assert_non_null(strstr(e.detail, "not one of dp's"));
	term_ue(&c, MEDIA_MIN + 50, false);
	term_ue(&a, MEDIA_MIN + 51, true);
	cp_add(f, ctx_id(3), &c, &a);
	cp_event(f, ctx_id(3), IPC_RTP_EV_RELEASED, &e);
	assert_non_null(strstr(e.detail, "share a port"));
	term_ue(&c, MEDIA_MIN + 50, true);
	c.profile = IPC_RTP_SAVP;
	{
		struct srtp_ref_key k;

		/* (AES-192: lib/sdp knows it, dp does not offer it) */
		mkkeys(&c.srtp_rx, &k, SRTP_REF_AES_192_CM_HMAC_SHA1_80, 1, 0, 0);
		mkkeys(&c.srtp_tx, &k, SRTP_REF_AES_192_CM_HMAC_SHA1_80, 2, 0, 0);
	}
	cp_add(f, ctx_id(3), &c, NULL);
	cp_event(f, ctx_id(3), IPC_RTP_EV_RELEASED, &e);
	assert_non_null(strstr(e.detail, rtp_srtp_builtin() != NULL ?
				    "SRTP suite is not one this dp offers" :
				    "SRTP is not available in this dp"));
	memset(&c.srtp_rx, 0, sizeof(c.srtp_rx));
	memset(&c.srtp_tx, 0, sizeof(c.srtp_tx));
	assert_int_equal(ctr(f, "rtp_contexts_refused"), 7);
	assert_int_equal(ctr(f, "rtp_contexts"), MAX_CTX - 1);
	/* nothing half-made: the port of the refused pair is free */
	term_ue(&c, MEDIA_MIN + 50, false);
	cp_add(f, ctx_id(3), &c, NULL);
	assert_int_equal(ctr(f, "rtp_contexts"), MAX_CTX);
	/* an ADD_TERM dp cannot install comes back SUBTRACTED */
	term_ue(&c, MEDIA_MIN, true);                /* context 0's UE port */
	cp_mod(f, ctx_id(3), IPC_RTP_ADD_TERM, 1, &c);
	cp_event(f, ctx_id(3), IPC_RTP_EV_SUBTRACTED, &e);
	assert_int_equal(e.cause, IPC_AGW_SETUP_FAILED);
	assert_int_equal(e.term, 1);
	assert_non_null(strstr(e.detail, "port 30000 is taken"));
	/* the same port on another of dp's addresses is another's to take */
	memcpy(c.local.ip, CORE4, 4);
	cp_mod(f, ctx_id(3), IPC_RTP_ADD_TERM, 1, &c);
	assert_int_equal(ctr(f, "rtp_terms_added"), 1);
	cp_nothing(f);
}

/* BUNDLE (lib/ipc's ipc_rtp_bundle) on a termination: an owner's
 * context is installed like any (its group of one), and a modify that
 * would put a termination into a group, or take it out, is refused (a
 * change of its role, owner or mid is a subtract and an add), the
 * termination going on as it was. */
static void
test_rtp_bundle_role_never_modified_in_or_out(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	struct out o;

	term_ue(&a, MEDIA_MIN, true);
	a.bundle.role = IPC_RTP_BUNDLE_OWNER;
	a.bundle.mid_len = 1;
	a.bundle.mid[0] = '0';
	a.bundle.pt[0] = 0x01;      /* (PCMU, what ue_rtp() sends: the group's demultiplexer) */
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	assert_int_equal(ctr(f, "rtp_contexts"), 1);
	assert_true(ue_rtp(f, NAT4, 40000, 1, 20, &o));
	/* out of its group: refused */
	memset(&a.bundle, 0, sizeof(a.bundle));
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &a);
	assert_int_equal(ctr(f, "rtp_term_changes_refused"), 1);
	cp_del(f, ctx_id(0));
	cp_event(f, ctx_id(0), IPC_RTP_EV_RELEASED, &e);
	/* unbundled, then a modify that bundles it: refused */
	cp_add(f, ctx_id(0), &a, &b);
	assert_true(ue_rtp(f, NAT4, 40000, 2, 20, &o));
	a.bundle.role = IPC_RTP_BUNDLE_OWNER;
	a.bundle.mid_len = 1;
	a.bundle.mid[0] = '0';
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &a);
	assert_int_equal(ctr(f, "rtp_term_changes_refused"), 2);
	assert_int_equal(ctr(f, "rtp_terms_modified"), 0);
	assert_true(ue_rtp(f, NAT4, 40000, 3, 20, &o));
}

/* A terminations on a relayed address (a pool address of dp's): the
 * media port's listener takes datagrams to any of dp's addresses, and
 * the termination's table says whose. */
static void
test_rtp_on_a_relayed_address(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct out o;
	uint8_t pk[200];
	uint16_t len;

	term_ue(&a, MEDIA_MIN, false);
	term_core(&b, MEDIA_MIN);                   /* the same port, another address */
	memcpy(b.local.ip, RELAY4, 4);
	cp_add(f, ctx_id(0), &a, &b);
	len = rtp_pkt(pk, 0, 1, 0, 5, 100, 1);
	send_in(f, 1, 4, PEER4, 6000, RELAY4, MEDIA_MIN, pk, len, 0, 0);
	take_out(f, 0, &o);
	assert_memory_equal(o.payload, pk, len);
	assert_int_equal(o.sport, MEDIA_MIN);
	assert_true(ue_rtp(f, UE4, 5004, 1, 100, &o));
	assert_memory_equal(o.src, RELAY4, 4);
	assert_int_equal(o.sport, MEDIA_MIN);
	assert_true(o.cksum_ok);
}

/* A restarted cp's SYNC: every live context comes back as RTP_STATE (as
 * installed, its figures and latches), a step of 256 slots at a time,
 * before STATE_DONE. */
static void
test_rtp_sync_gives_every_context_back(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;
	struct ipc_rtp_term a, b;
	struct out o;
	unsigned int seen = 0;
	uint64_t tsc = 0;
	const uint32_t slots[] = { 0, 255, 256, 3 * DP_CP_SYNC_VISIT - 1 };

	for (unsigned int i = 0; i < 4; i++) {
		term_ue(&a, (uint16_t)(MEDIA_MIN + 4 * i), false);
		term_core(&b, (uint16_t)(MEDIA_MIN + 4 * i + 2));
		a.memo[0] = (uint8_t)(i + 1);
		cp_add(f, ctx_id(slots[i]), &a, i == 2 ? NULL : &b);
	}
	assert_true(ue_rtp(f, NAT4, 40123, 1, 160, &o));
	assert_true(cp_recv(f, &m));                 /* (its LATCHED) */
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_SYNC;
	m.h.alloc_id = 2;
	cp_send(f, &m);
	f->ctx->tsc_hz = 1000000u;
	for (unsigned int step = 0; step < 16; step++) {
		tsc += 1000;
		dp_cp_sync_step(f->w, tsc);
		while (ipc_ring_dequeue(&f->w->cp.rings->to_cp, &m) == 1) {
			assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
			if (m.h.kind == IPC_STATE_DONE) {
				assert_int_equal(m.h.alloc_id, 2);
				assert_int_equal(seen, 4);
				return;
			}
			assert_int_equal(m.h.kind, IPC_RTP_STATE);
			{
				const struct ipc_rtp_state *x = (const void *)m.body;

				assert_int_equal(m.h.alloc_id, ctx_id(slots[seen]));
				assert_int_equal(x->ctx.term[0].memo[0], seen + 1);
				assert_int_equal(x->ctx.term[1].profile,
						 seen == 2 ? IPC_RTP_NONE : IPC_RTP_AVP);
				if (seen == 0) {
					assert_int_equal(x->st[0].latched, IPC_RTP_LATCHED_RTP);
					assert_int_equal(x->st[0].rtp_in, 1);
				}
			}
			seen++;
		}
	}
	fail_msg("no STATE_DONE (%u contexts seen)", seen);
}

/* ---- SRTP (rtp_srtp.c), held to lib/srtp_ref (libsrtp2) ----------------------------------- */

/* The suites dp offers, lib/srtp_ref's (and lib/sdp's) values. */
static const unsigned int srtp_suites[] = {
	SRTP_REF_AES_CM_128_HMAC_SHA1_80, SRTP_REF_AES_CM_128_HMAC_SHA1_32,
	SRTP_REF_AES_256_CM_HMAC_SHA1_80, SRTP_REF_AES_256_CM_HMAC_SHA1_32,
	SRTP_REF_AEAD_AES_128_GCM, SRTP_REF_AEAD_AES_256_GCM,
};
_Static_assert(SRTP_REF_AES_CM_128_HMAC_SHA1_80 == RTP_SRTP_AES_CM_128_SHA1_80 &&
	       SRTP_REF_AES_CM_128_HMAC_SHA1_32 == RTP_SRTP_AES_CM_128_SHA1_32 &&
	       SRTP_REF_AES_256_CM_HMAC_SHA1_80 == RTP_SRTP_AES_256_CM_SHA1_80 &&
	       SRTP_REF_AES_256_CM_HMAC_SHA1_32 == RTP_SRTP_AES_256_CM_SHA1_32 &&
	       SRTP_REF_AEAD_AES_128_GCM == RTP_SRTP_AEAD_AES_128_GCM &&
	       SRTP_REF_AEAD_AES_256_GCM == RTP_SRTP_AEAD_AES_256_GCM,
	       "dp's suite values are lib/srtp_ref's");

/* Our credentials on the UE's termination (ice-chars: RFC 5769's
 * password, a Chromium-sized ufrag) and the peer's ufrag (ICE below) */
#define ICE_UFRAG "uF8+"
#define ICE_PWD   "VOkJxbRl1RmTxUk/WvJxBt"
#define ICE_PEER  "h6vY"
#define ICE_USER  ICE_UFRAG ":" ICE_PEER

#define UE_SSRC   0x11223344u
#define CORE_SSRC 0x55667788u

/* A key of suite from seed, as cp sends it (ik) and as lib/srtp_ref takes it
 * (tk). */
static void
mkkeys(struct ipc_srtp_key *ik, struct srtp_ref_key *tk, unsigned int suite, uint8_t seed,
       uint8_t mki_len, uint32_t mki)
{
	unsigned int kl = srtp_ref_key_len(suite), sl = srtp_ref_salt_len(suite);

	/* (what lib/srtp_ref guarantees, said to gcc -O3, which cannot see it and
	 * warns of a write past salt[]) */
	if (sl > sizeof(tk->salt))
		sl = sizeof(tk->salt);
	memset(ik, 0, sizeof(*ik));
	memset(tk, 0, sizeof(*tk));
	ik->suite = tk->suite = (uint8_t)suite;
	ik->key_len = (uint8_t)(kl + sl);
	ik->mki_len = tk->mki_len = mki_len;
	ik->mki = tk->mki = mki;
	for (unsigned int i = 0; i < kl; i++)
		ik->key[i] = tk->key[i] = (uint8_t)(seed + 7 * i);
	for (unsigned int i = 0; i < sl; i++)
		ik->key[kl + i] = tk->salt[i] = (uint8_t)(seed ^ (0xa5 + 3 * i));
}

/* The far end of an SRTP termination, lib/srtp_ref's: it protects with what
 * dp unprotects (dp's rx key) and unprotects what dp protects (tx). */
struct peer {
	struct srtp_ref *send, *recv;
};

/* t an SRTP termination (SAVP) under suite: dp's rx key from seed, tx
 * from seed + 1; p its far end. */
static void
srtp_term(struct ipc_rtp_term *t, struct peer *p, unsigned int suite, uint8_t seed,
	  uint8_t mki_len)
{
	struct srtp_ref_key rx, tx;

	t->profile = IPC_RTP_SAVP;
	mkkeys(&t->srtp_rx, &rx, suite, seed, mki_len, mki_len != 0 ? 0x2a : 0);
	mkkeys(&t->srtp_tx, &tx, suite, (uint8_t)(seed + 1), mki_len, mki_len != 0 ? 0x17 : 0);
	p->send = srtp_ref_create(SRTP_REF_OUTBOUND, &rx);
	p->recv = srtp_ref_create(SRTP_REF_INBOUND, &tx);
	assert_non_null(p->send);
	assert_non_null(p->recv);
}

static void
peer_free(struct peer *p)
{
	srtp_ref_free(p->send);
	srtp_ref_free(p->recv);
}

/* A packet in from port pi's side (src, sport) to (dst, dport); what dp
 * sent out of port po, if anything (true, *o). */
static bool
relay(struct fix *f, unsigned int pi, const uint8_t *src, uint16_t sport, const uint8_t *dst,
      uint16_t dport, const uint8_t *b, uint16_t len, unsigned int po, struct out *o)
{
	send_in(f, pi, 4, src, sport, dst, dport, b, len, 0, 0);
	if (nout(f, po) == 0)
		return false;
	take_out(f, po, o);
	return true;
}

/* RTP (rtcp false) or an RTCP compound of ssrc into b: clear, then, with
 * s, protected by lib/srtp_ref. Its clear octets in clear[*clen]. */
static uint16_t
mkpkt(struct srtp_ref *s, bool rtcp, uint16_t seq, uint32_t ssrc, uint16_t n, uint8_t *b,
      size_t size, uint8_t *clear, uint16_t *clen)
{
	size_t len = rtcp ? rtcp_pkt(b, ssrc) : rtp_pkt(b, 0, seq, seq * 160u, ssrc, n,
							 (uint8_t)(seq * 13u));

	memcpy(clear, b, len);
	*clen = (uint16_t)len;
	if (s != NULL)
		assert_int_equal(rtcp ? srtp_ref_protect_rtcp(s, b, &len, size) :
				 srtp_ref_protect(s, b, &len, size), SRTP_REF_OK);
	return (uint16_t)len;
}

/* The UE (NAT4:40123) sends seq (RTP or RTCP) protected by its peer
 * session to its termination's port; the core receives it in the clear,
 * octet for octet. */
static void
ue_to_core(struct fix *f, struct peer *p, uint16_t ue_port, uint16_t core_port, bool rtcp,
	   uint16_t seq)
{
	uint8_t b[1500], clear[1500];
	uint16_t clen, len = mkpkt(p->send, rtcp, seq, UE_SSRC, 160, b, sizeof(b), clear, &clen);
	struct out o;

	assert_true(relay(f, 0, NAT4, 40123, ACC4, ue_port, b, len, 1, &o));
	assert_int_equal(o.sport, core_port);
	assert_int_equal(o.len, clen);
	assert_memory_equal(o.payload, clear, clen);
}

/* The core sends seq in the clear; the UE's peer session unprotects
 * what dp sent it, octet for octet. */
static void
core_to_ue(struct fix *f, struct peer *p, uint16_t core_port, bool rtcp, uint16_t seq)
{
	uint8_t b[1500], clear[1500];
	uint16_t clen, len = mkpkt(NULL, rtcp, seq, CORE_SSRC, 160, b, sizeof(b), clear, &clen);
	struct out o;
	size_t olen;

	assert_true(relay(f, 1, PEER4, 6000, CORE4, core_port, b, len, 0, &o));
	assert_int_not_equal(o.len, clen);                 /* protected */
	olen = o.len;
	assert_int_equal(rtcp ? srtp_ref_unprotect_rtcp(p->recv, o.payload, &olen) :
			 srtp_ref_unprotect(p->recv, o.payload, &olen), SRTP_REF_OK);
	assert_int_equal(olen, clen);
	assert_memory_equal(o.payload, clear, clen);
}

/* What dp protected (o), unprotected by lib/srtp's s: the clear packet,
 * octet for octet. */
static void
srtp_clear_is(struct srtp_ref *s, const struct out *o, const uint8_t *clear, uint16_t clen)
{
	uint8_t b[sizeof(o->payload)];
	size_t olen = o->len;

	memcpy(b, o->payload, o->len);
	assert_int_equal(srtp_ref_unprotect(s, b, &olen), SRTP_REF_OK);
	assert_int_equal(olen, clen);
	assert_memory_equal(b, clear, clen);
}

/* RFC 3711 Appendix B.3 (key derivation) and B.2 (AES-CM's keystream),
 * and RFC 6188 §7.2 (AES-256's derivation), by dp's own functions. */
static void
test_srtp_rfc3711_known_answers(void **state)
{
	uint8_t mk[32], ms[14], want[48], got[48], iv[16];

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	(void)state;
	unhex("E1F97A0D3E018BE0D64FA32C06DE4139", mk);
	unhex("0EC675AD498AFEEBB6960B3AABE6", ms);
	assert_int_equal(rtp_srtp_kat(mk, 16, ms, 0x00, NULL, got, 16), 0);
	unhex("C61E7A93744F39EE10734AFE3FF7A087", want);
	assert_memory_equal(got, want, 16);
	assert_int_equal(rtp_srtp_kat(mk, 16, ms, 0x02, NULL, got, 14), 0);
	unhex("30CBBC08863D8C85D49DB34A9AE1", want);
	assert_memory_equal(got, want, 14);
	assert_int_equal(rtp_srtp_kat(mk, 16, ms, 0x01, NULL, got, 20), 0);
	unhex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want);
	assert_memory_equal(got, want, 20);
	unhex("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6", mk);
	unhex("3b04803de51ee7c96423ab5b78d2", ms);
	assert_int_equal(rtp_srtp_kat(mk, 32, ms, 0x00, NULL, got, 32), 0);
	unhex("5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4", want);
	assert_memory_equal(got, want, 32);
	assert_int_equal(rtp_srtp_kat(mk, 32, ms, 0x02, NULL, got, 14), 0);
	unhex("fa31791685ca444a9e07c6c64e93", want);
	assert_memory_equal(got, want, 14);
	assert_int_equal(rtp_srtp_kat(mk, 32, ms, 0x01, NULL, got, 20), 0);
	unhex("fd9c32d39ed5fbb5a9dc96b30818454d1313dc05", want);
	assert_memory_equal(got, want, 20);
	unhex("2B7E151628AED2A6ABF7158809CF4F3C", mk);
	unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", iv);
	assert_int_equal(rtp_srtp_kat(mk, 16, NULL, -1, iv, got, 48), 0);
	unhex("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB"
	      "41E95B3BB0A2E8DD477901E4FCA894C0", want);
	assert_memory_equal(got, want, 48);
}

/* RFC 7714's own vectors (§16.1, §16.2: SRTP under AES-128 and -256;
 * §17.1, §17.2: SRTCP encrypted; §17.3, §17.4: SRTCP with E clear, all of
 * it AAD), the session key and salt given, by dp's own AES-GCM both ways:
 * what dp protects is the vector, the vector unprotects to the clear
 * packet, a flipped bit of its tag, of its header (AAD) and of its E flag
 * is refused; the E-clear one verifies and is then refused as clear.
 * (Each also computed with OpenSSL's AES-GCM, Python's cryptography.) */
static void
test_srtp_rfc7714_vectors(void **state)
{
	static const char *const rtp_out[2] = {
		"8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f"
		"42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce",
		"8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3"
		"b50b2a0276ffae0f1ba63799b87b7aa3db36dfffd6b0f9bb7878d7a76c13",
	};
	static const char *const rtcp_out[2] = {
		"81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1"
		"730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4",
		"81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1"
		"110555be8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4",
	};
	static const char *const rtcp_clear_tag[2] = {
		"841dd9683dd78ec92ae58790125f62b3",
		"91db4afbfeee5a978fab4393ed2615fe",
	};
	uint8_t key[32], salt[12], rtp[64], rtcp[64], want[128], b[128];
	uint16_t rtp_len = 50, rtcp_len = 52, len;

	(void)state;
	if (!rtp_srtp_gcm())
		skip();     /* (no libipsec-mb, no AES-NI, or its GCM keys not dp's layout) */
	unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key);
	unhex("517569642070726f2071756f", salt);
	unhex("8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e6973206469766973612069"
	      "6e207061727465732074726573", rtp);
	unhex("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeef"
	      "deadbeefdeadbeefdeadbeefdeadbeef", rtcp);
	for (unsigned int k = 0; k < 2; k++) {
		unsigned int kl = k == 0 ? 16 : 32;

		/* SRTP, ROC 0, SEQ 0xf17b */
		memcpy(b, rtp, rtp_len);
		len = rtp_len;
		assert_int_equal(rtp_srtp_gcm_kat(key, kl, salt, false, false, 0, b, &len), 0);
		unhex(rtp_out[k], want);
		assert_int_equal(len, rtp_len + 16);
		assert_memory_equal(b, want, len);
		assert_int_equal(rtp_srtp_gcm_kat(key, kl, salt, false, true, 0, b, &len), 0);
		assert_int_equal(len, rtp_len);
		assert_memory_equal(b, rtp, rtp_len);
		for (unsigned int at = 0; at < 2; at++) {
			memcpy(b, want, rtp_len + 16u);
			b[at == 0 ? rtp_len + 15u : 1u] ^= 0x01;   /* the tag; the PT (AAD) */
			len = (uint16_t)(rtp_len + 16u);
			assert_int_equal(rtp_srtp_gcm_kat(key, kl, salt, false, true, 0, b, &len),
					 RTP_SRTP_E_AUTH);
		}
		/* SRTCP, index 0x5d4, E set */
		memcpy(b, rtcp, rtcp_len);
		len = rtcp_len;
		assert_int_equal(rtp_srtp_gcm_kat(key, kl, salt, true, false, 0x5d4, b, &len), 0);
		unhex(rtcp_out[k], want);
		assert_int_equal(len, rtcp_len + 16 + 4);
		assert_memory_equal(b, want, len);
		assert_int_equal(rtp_srtp_gcm_kat(key, kl, salt, true, true, 0, b, &len), 0);
		assert_int_equal(len, rtcp_len);
		assert_memory_equal(b, rtcp, rtcp_len);
		memcpy(b, want, rtcp_len + 20u);
		b[rtcp_len + 16u] ^= 0x80;                        /* E: in the AAD */
		len = (uint16_t)(rtcp_len + 20u);
		assert_int_equal(rtp_srtp_gcm_kat(key, kl, salt, true, true, 0, b, &len),
				 RTP_SRTP_E_AUTH);
		/* SRTCP with E clear: the tag over all of it; verified, then
		 * refused as clear, and a bit of its compound flipped refused
		 * as forged */
		for (unsigned int flip = 0; flip < 2; flip++) {
			memcpy(b, rtcp, rtcp_len);
			unhex(rtcp_clear_tag[k], b + rtcp_len);
			unhex("000005d4", b + rtcp_len + 16);
			b[30] ^= (uint8_t)flip;
			len = (uint16_t)(rtcp_len + 20u);
			assert_int_equal(rtp_srtp_gcm_kat(key, kl, salt, true, true, 0, b, &len),
					 flip ? RTP_SRTP_E_AUTH : RTP_SRTP_E_CLEAR);
		}
	}
}

/* SRTP towards the UE, RTP towards the core, for each suite (one CM and
 * one GCM with an MKI): what libsrtp protects dp unprotects, what dp
 * protects libsrtp unprotects, RTP and SRTCP (rtcp-mux), octet for
 * octet, both ways. */
static void
test_srtp_to_rtp_each_suite_against_libsrtp(void **state)
{
	struct fix *f = *state;
	unsigned int n = rtp_srtp_gcm() ? 6 : 4;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	for (unsigned int s = 0; s < n; s++) {
		uint16_t ue = (uint16_t)(MEDIA_MIN + 4 * s), core = (uint16_t)(ue + 2);
		struct ipc_rtp_term a, b;
		struct peer p;

		term_ue(&a, ue, true);
		srtp_term(&a, &p, srtp_suites[s], (uint8_t)(0x40 + s),
			  s == 1 ? 4 : s == 5 ? 2 : 0);
		term_core(&b, core);
		cp_add(f, ctx_id(s % MAX_CTX), &a, &b);
		for (uint16_t seq = 1; seq <= 5; seq++) {
			ue_to_core(f, &p, ue, core, false, seq);
			core_to_ue(f, &p, core, false, seq);
		}
		ue_to_core(f, &p, ue, core, true, 0);
		core_to_ue(f, &p, core, true, 0);
		ue_to_core(f, &p, ue, core, true, 0);
		core_to_ue(f, &p, core, true, 0);
		peer_free(&p);
		cp_del(f, ctx_id(s % MAX_CTX));
	}
	assert_int_equal(ctr(f, "rtp_dropped_srtp"), 0);
	assert_int_equal(ctr(f, "rtp_relayed_rtp"), 10 * n);
	assert_int_equal(ctr(f, "rtp_relayed_rtcp"), 4 * n);
}

/* SRTP both ways, the UE's suite ue_suite, the core's core_suite with an
 * MKI of 2, in context slot: dp unprotects with one termination's keys
 * and protects with the other's, across a sequence wrap (ROC 0 to 1),
 * octet for octet with lib/srtp_ref. */
static void
srtp_to_srtp(struct fix *f, unsigned int slot, unsigned int ue_suite, unsigned int core_suite)
{
	uint16_t port = (uint16_t)(MEDIA_MIN + 4u * slot);
	struct ipc_rtp_term a, b;
	struct peer ue, core;
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;
	struct out o;
	size_t olen;

	term_ue(&a, port, true);
	srtp_term(&a, &ue, ue_suite, 0x10, 0);
	term_core(&b, (uint16_t)(port + 2u));
	srtp_term(&b, &core, core_suite, 0x90, 2);
	cp_add(f, ctx_id(slot), &a, &b);
	for (uint16_t seq = 65530; seq != 6; seq++) {
		for (unsigned int rtcp = 0; rtcp < 2; rtcp++) {
			if (rtcp && seq % 4)
				continue;
			/* UE -> core */
			len = mkpkt(ue.send, rtcp, seq, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
			assert_true(relay(f, 0, NAT4, 40123, ACC4, port, pk, len, 1, &o));
			olen = o.len;
			assert_int_equal(rtcp ? srtp_ref_unprotect_rtcp(core.recv, o.payload, &olen) :
					 srtp_ref_unprotect(core.recv, o.payload, &olen), SRTP_REF_OK);
			assert_int_equal(olen, clen);
			assert_memory_equal(o.payload, clear, clen);
			/* core -> UE */
			len = mkpkt(core.send, rtcp, seq, CORE_SSRC, 160, pk, sizeof(pk), clear,
				    &clen);
			assert_true(relay(f, 1, PEER4, 6000, CORE4, port + 2u, pk, len, 0, &o));
			olen = o.len;
			assert_int_equal(rtcp ? srtp_ref_unprotect_rtcp(ue.recv, o.payload, &olen) :
					 srtp_ref_unprotect(ue.recv, o.payload, &olen), SRTP_REF_OK);
			assert_int_equal(olen, clen);
			assert_memory_equal(o.payload, clear, clen);
		}
	}
	assert_int_equal(ctr(f, "rtp_dropped_srtp"), 0);
	peer_free(&ue);
	peer_free(&core);
}

/* SRTP both ways with other keys on each side (and other suites). */
static void
test_srtp_to_srtp_other_keys(void **state)
{
	struct fix *f = *state;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	srtp_to_srtp(f, 0, SRTP_REF_AES_CM_128_HMAC_SHA1_80, SRTP_REF_AES_256_CM_HMAC_SHA1_32);
}

/* The same with AES-GCM (RFC 7714): GCM-128 to GCM-256 with an MKI, and
 * GCM to AES-CM each way, each across the ROC's wrap. */
static void
test_srtp_gcm_to_srtp_other_keys(void **state)
{
	struct fix *f = *state;

	if (!rtp_srtp_gcm())
		skip();     /* (no libipsec-mb, no AES-NI, or its GCM keys not dp's layout) */
	srtp_to_srtp(f, 0, SRTP_REF_AEAD_AES_128_GCM, SRTP_REF_AEAD_AES_256_GCM);
	srtp_to_srtp(f, 1, SRTP_REF_AEAD_AES_256_GCM, SRTP_REF_AES_CM_128_HMAC_SHA1_80);
	srtp_to_srtp(f, 2, SRTP_REF_AES_CM_128_HMAC_SHA1_32, SRTP_REF_AEAD_AES_128_GCM);
}

/* Send b (len) from the UE to port; was it relayed to the core? */
static bool
ue_in(struct fix *f, uint16_t port, const uint8_t *b, uint16_t len)
{
	struct out o;

	return relay(f, 0, NAT4, 40123, ACC4, port, b, len, 1, &o);
}

/* Sources an attacker has: a packet of the UE's captured and raced in
 * from another address is a stranger before SRTP looks at it (the UE's
 * own copy after it is no replay); the core's side cannot make dp forget
 * an SSRC it protected for (a third SSRC under one key is refused: a
 * forgotten one would start its indices over and reuse their keystream). */
static void
test_srtp_hostile_sources(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct peer p;
	struct out o;
	uint8_t pk[1500], clear[1500], cb[1500];
	uint16_t clen, len, cl;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	term_ue(&a, MEDIA_MIN, true);
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x44, 0);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 1);         /* latches */
	len = mkpkt(p.send, false, 2, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_false(relay(f, 0, STRANGER4, 40123, ACC4, MEDIA_MIN, pk, len, 1, &o));
	assert_int_equal(ctr(f, "rtp_srtp_replay") + ctr(f, "rtp_srtp_auth"), 0);
	assert_true(ue_in(f, MEDIA_MIN, pk, len));
	/* the core's SSRCs: two are followed, a third refused, the first
	 * still protected */
	for (uint32_t k = 0; k < 2; k++) {
		cl = mkpkt(NULL, false, 10, CORE_SSRC + k, 160, cb, sizeof(cb), clear, &clen);
		assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, cb, cl, 0, &o));
	}
	cl = mkpkt(NULL, false, 10, CORE_SSRC + 2, 160, cb, sizeof(cb), clear, &clen);
	assert_false(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, cb, cl, 0, &o));
	assert_int_equal(ctr(f, "rtp_srtp_ssrc_limit"), 1);
	cl = mkpkt(NULL, false, 11, CORE_SSRC, 160, cb, sizeof(cb), clear, &clen);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, cb, cl, 0, &o));
	peer_free(&p);
}

/* The UE's SSRCs (RFC 3711 §3.3.2: a replay list per SSRC, kept while
 * the key lives): after a third SSRC under the key, the first one's
 * captured packets are still replays, refused, none relayed; the third
 * is refused (ssrc_limit), not followed in place of the first. Each
 * packet protected by lib/srtp_ref (libsrtp2), the relayed ones byte-exact. */
static void
test_srtp_third_ssrc_evicts_no_replay_window(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct peer p;
	struct out o;
	uint8_t cap[5][1500], pk[1500], clear[1500];
	uint16_t caplen[5], clen, len;
	unsigned int relayed = 0;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	term_ue(&a, MEDIA_MIN, true);
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x3c, 0);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	/* the first SSRC's packets, captured on the way */
	for (uint16_t k = 0; k < 5; k++) {
		caplen[k] = mkpkt(p.send, false, (uint16_t)(k + 1), UE_SSRC, 160, cap[k],
				  sizeof(cap[k]), clear, &clen);
		assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, cap[k], caplen[k], 1, &o));
		assert_int_equal(o.len, clen);
		assert_memory_equal(o.payload, clear, clen);
	}
	/* a second SSRC is followed beside it */
	len = mkpkt(p.send, false, 1, UE_SSRC + 1, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, pk, len, 1, &o));
	assert_memory_equal(o.payload, clear, clen);
	/* a third: refused, whatever it is (it authenticates) */
	len = mkpkt(p.send, false, 1, UE_SSRC + 2, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_ssrc_limit"), 1);
	/* the first one's captured packets again: replays, every one */
	for (unsigned int k = 0; k < 5; k++)
		relayed += ue_in(f, MEDIA_MIN, cap[k], caplen[k]);
	assert_int_equal(relayed, 0);
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 5);
	/* both streams go on */
	len = mkpkt(p.send, false, 6, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, pk, len, 1, &o));
	assert_memory_equal(o.payload, clear, clen);
	len = mkpkt(p.send, false, 2, UE_SSRC + 1, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, pk, len, 1, &o));
	assert_memory_equal(o.payload, clear, clen);
	peer_free(&p);
}

/* A UE's SRTCP of ssrc, protected by its lib/srtp_ref session s (each SSRC
 * its own index there, as libsrtp2 keeps them), into b; clear[*clen]. */
static uint16_t
srtcp_of(struct srtp_ref *s, uint32_t ssrc, uint8_t *b, uint8_t *clear, uint16_t *clen)
{
	return mkpkt(s, true, 0, ssrc, 0, b, 1500, clear, clen);
}

/* Sent to port: relayed to the core in the clear, octet for octet? */
static bool
srtcp_in_clear(struct fix *f, uint16_t port, const uint8_t *b, uint16_t len,
	       const uint8_t *clear, uint16_t clen)
{
	struct out o;

	if (!relay(f, 0, NAT4, 40123, ACC4, port, b, len, 1, &o))
		return false;
	assert_int_equal(o.len, clen);
	assert_memory_equal(o.payload, clear, clen);
	return true;
}

/*
 * SRTCP from several SSRCs under one key (a browser's audio and video, RFC
 * 4588's retransmission): libsrtp2 keeps an SRTCP index per SSRC, so two
 * SSRCs' compounds interleaved carry index 1, 1, 2, 2...: each taken
 * (before, the second SSRC's were replays of the first's), byte-exact;
 * every one's replay refused; one SSRC 70 ahead leaves the other's
 * window where it was; a forged compound of a new SSRC takes no window;
 * four SSRCs followed, a fifth refused (ssrc_limit) and the first ones go
 * on. Under AES-CM and, where dp has it, AES-GCM (RFC 7714 §9's layout).
 */
static void
srtcp_ssrcs(struct fix *f, unsigned int slot, unsigned int suite)
{
	uint16_t port = (uint16_t)(MEDIA_MIN + 4u * slot);
	uint64_t replay0 = ctr(f, "rtp_srtp_replay"), auth0 = ctr(f, "rtp_srtp_auth");
	uint64_t limit0 = ctr(f, "rtp_srtp_ssrc_limit");
	struct ipc_rtp_term a, b;
	struct peer p;
	uint8_t cap[2][5][1500], pk[1500], clear[1500];
	uint16_t caplen[2][5], clen, len;
	unsigned int relayed = 0;

	term_ue(&a, port, true);
	srtp_term(&a, &p, suite, (uint8_t)(0x5e + slot), 0);
	term_core(&b, (uint16_t)(port + 2u));
	cp_add(f, ctx_id(slot), &a, &b);
	ue_to_core(f, &p, port, (uint16_t)(port + 2u), false, 1);
	/* two SSRCs, interleaved, each its own index 1..5 */
	for (unsigned int k = 0; k < 5; k++) {
		for (unsigned int i = 0; i < 2; i++) {
			caplen[i][k] = srtcp_of(p.send, UE_SSRC + i, cap[i][k], clear, &clen);
			assert_true(srtcp_in_clear(f, port, cap[i][k], caplen[i][k], clear, clen));
		}
	}
	/* each one's captured compounds again: replays, every one */
	for (unsigned int i = 0; i < 2; i++)
		for (unsigned int k = 0; k < 5; k++)
			relayed += ue_in(f, port, cap[i][k], caplen[i][k]);
	assert_int_equal(relayed, 0);
	assert_int_equal(ctr(f, "rtp_srtp_replay") - replay0, 10);
	/* the first 70 ahead (past a 64-bit window of the second's index);
	 * the second's next is still taken */
	for (unsigned int k = 0; k < 70; k++) {
		len = srtcp_of(p.send, UE_SSRC, pk, clear, &clen);
		assert_true(srtcp_in_clear(f, port, pk, len, clear, clen));
	}
	len = srtcp_of(p.send, UE_SSRC + 1, pk, clear, &clen);
	assert_true(srtcp_in_clear(f, port, pk, len, clear, clen));
	/* a third SSRC; a forged fourth (its tag flipped) takes no window:
	 * the genuine fourth after it is followed */
	len = srtcp_of(p.send, UE_SSRC + 2, pk, clear, &clen);
	assert_true(srtcp_in_clear(f, port, pk, len, clear, clen));
	len = srtcp_of(p.send, UE_SSRC + 9, pk, clear, &clen);
	pk[len - 1] ^= 0x40;
	pk[len - 2] ^= 0x40;
	assert_false(ue_in(f, port, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth") - auth0, 1);
	len = srtcp_of(p.send, UE_SSRC + 3, pk, clear, &clen);
	assert_true(srtcp_in_clear(f, port, pk, len, clear, clen));
	/* a fifth: refused, whatever it is (it authenticates) */
	len = srtcp_of(p.send, UE_SSRC + 4, pk, clear, &clen);
	assert_false(ue_in(f, port, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_ssrc_limit") - limit0, 1);
	/* the first four go on */
	for (unsigned int i = 0; i < 4; i++) {
		len = srtcp_of(p.send, UE_SSRC + i, pk, clear, &clen);
		assert_true(srtcp_in_clear(f, port, pk, len, clear, clen));
	}
	assert_int_equal(ctr(f, "rtp_srtp_replay") - replay0, 10);
	peer_free(&p);
	cp_del(f, ctx_id(slot));
}

static void
test_srtcp_ssrcs_each_their_window(void **state)
{
	struct fix *f = *state;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	srtcp_ssrcs(f, 0, SRTP_REF_AES_CM_128_HMAC_SHA1_80);
	if (rtp_srtp_gcm())
		srtcp_ssrcs(f, 1, SRTP_REF_AEAD_AES_256_GCM);
	assert_int_equal(ctr(f, "rtp_srtp_old"), 0);
}

/*
 * A restarted dp's SRTCP in: cp carries one index a direction (the
 * highest of any SSRC), so every SSRC's SRTCP up to it is refused as a
 * possible replay of before the restart, and each goes on past it;
 * RTP_STATS gives the highest.
 */
static void
test_srtcp_restart_floor_for_every_ssrc(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct srtp_ref_key rx, tx;
	struct srtp_ref *send;
	struct ipc_rtp_stats_msg st;
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	term_ue(&a, MEDIA_MIN, true);
	mkkeys(&a.srtp_rx, &rx, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x61, 0, 0);
	mkkeys(&a.srtp_tx, &tx, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x62, 0, 0);
	a.profile = IPC_RTP_SAVP;
	a.srtp_rx.srtcp_index = 40;
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	send = srtp_ref_create(SRTP_REF_OUTBOUND, &rx);
	assert_non_null(send);
	len = mkpkt(send, false, 1, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(ue_in(f, MEDIA_MIN, pk, len));
	for (uint32_t i = 0; i < 2; i++) {
		/* indices 1..39 protected and not sent; 40 refused; 41 taken */
		for (unsigned int k = 1; k < 40; k++)
			(void)srtcp_of(send, UE_SSRC + i, pk, clear, &clen);
		len = srtcp_of(send, UE_SSRC + i, pk, clear, &clen);
		assert_false(ue_in(f, MEDIA_MIN, pk, len));
		assert_int_equal(ctr(f, "rtp_srtp_replay"), i + 1);
		len = srtcp_of(send, UE_SSRC + i, pk, clear, &clen);
		assert_true(srtcp_in_clear(f, MEDIA_MIN, pk, len, clear, clen));
	}
	len = srtcp_of(send, UE_SSRC, pk, clear, &clen);
	assert_true(srtcp_in_clear(f, MEDIA_MIN, pk, len, clear, clen));
	cp_stats(f, ctx_id(0), &st);
	assert_int_equal(st.st[0].srtp_rx.srtcp_index, 42);
	srtp_ref_free(send);
}

/* ---- BUNDLE (RFC 9143): a group's owner and its members ----------------------------- */

/* t (rtcp-mux) made the owner of a group: mid "0", the MID extension's
 * id 1, SSRC ssrc, PCMU. */
static void
bundle_owner(struct ipc_rtp_term *t, uint32_t ssrc)
{
	t->bundle.role = IPC_RTP_BUNDLE_OWNER;
	t->bundle.mid_ext = 1;
	t->bundle.mid_len = 1;
	t->bundle.mid[0] = '0';
	t->bundle.nssrc = 1;
	t->bundle.ssrc[0] = ssrc;
	t->bundle.pt[0] = 0x01;
}

/* t a member of context oid's termination 0, plain RTP: mid, SSRC ssrc,
 * payload type pt. */
static void
bundle_member(struct ipc_rtp_term *t, uint64_t oid, const char *mid, uint32_t ssrc, uint8_t pt)
{
	memset(t, 0, sizeof(*t));
	t->profile = IPC_RTP_AVP;
	t->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	t->flags = IPC_RTP_F_MUX;
	t->serial = 1;
	t->bundle.role = IPC_RTP_BUNDLE_MEMBER;
	t->bundle.owner = oid;
	t->bundle.mid_len = (uint8_t)strlen(mid);
	memcpy(t->bundle.mid, mid, strlen(mid));
	t->bundle.nssrc = 1;
	t->bundle.ssrc[0] = ssrc;
	t->bundle.pt[pt / 8] = (uint8_t)(1u << (pt % 8));
}

/* RTP_ADD of (t0, t1) as id: refused whole, its sentence has why. */
#define bundle_refused(f, id, t0, t1, why) bundle_refused_at(f, id, t0, t1, why, __LINE__)
static void
bundle_refused_at(struct fix *f, uint64_t id, const struct ipc_rtp_term *t0,
		  const struct ipc_rtp_term *t1, const char *why, int line)
{
	struct ipc_rtp_event e;

	cp_add(f, id, t0, t1);
	cp_event(f, id, IPC_RTP_EV_RELEASED, &e);
	assert_int_equal(e.cause, IPC_AGW_SETUP_FAILED);
	if (strstr(e.detail, why) == NULL)
		fail_msg("line %d: \"%s\", not \"%s\"", line, e.detail, why);
}

/* A restarted cp's SYNC: the RTP_STATE of id (the others skipped). */
static void
bundle_state(struct fix *f, uint64_t id, struct ipc_rtp_state *out)
{
	static struct ipc_msg m;
	bool found = false;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_SYNC;
	m.h.alloc_id = 5;
	cp_send(f, &m);
	f->ctx->tsc_hz = 1000000u;
	for (uint64_t tsc = 1000; tsc < 40000; tsc += 1000) {
		dp_cp_sync_step(f->w, tsc);
		while (ipc_ring_dequeue(&f->w->cp.rings->to_cp, &m) == 1) {
			assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
			if (m.h.kind == IPC_STATE_DONE) {
				assert_true(found);
				return;
			}
			if (m.h.kind == IPC_RTP_STATE && m.h.alloc_id == id) {
				memcpy(out, m.body, sizeof(*out));
				found = true;
			}
		}
	}
	fail_msg("no STATE_DONE");
}

/*
 * A group as cp installs it (owners first: a restarted dp's re-add
 * too): a member whose owner is not here refused, then taken once its
 * owner is; each refusal with its sentence (a mid or an SSRC another
 * section's, an owner's termination that owns no group, both of a
 * context's terminations bundled, SRTP on a member of a plain owner); the
 * owner's port relays as it did; RTP_STATE gives each its place back; a
 * member modified (its SSRC, not to another section's); the owner
 * released first orphans its member, whose release leaves the port table
 * alone (a new context on the owner's port relays on).
 */
static void
test_bundle_group_installed_refused_orphaned(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term own, core, mem, bad, core2;
	static struct ipc_rtp_state x;
	struct ipc_rtp_event e;
	struct out o;

	term_ue(&own, MEDIA_MIN, true);
	bundle_owner(&own, 0x11111111u);
	term_core(&core, MEDIA_MIN + 2);
	bundle_member(&mem, ctx_id(0), "1", 0x22222222u, 96);
	term_core(&core2, MEDIA_MIN + 6);
	/* the member first: its owner is not here (yet) */
	bundle_refused(f, ctx_id(1), &mem, &core2, "its BUNDLE owner is no context of this worker's");
	cp_add(f, ctx_id(0), &own, &core);
	cp_add(f, ctx_id(1), &mem, &core2);
	assert_int_equal(ctr(f, "rtp_contexts"), 2);
	/* what a group refuses */
	bundle_member(&bad, ctx_id(0), "1", 0x33333333u, 97);
	bundle_refused(f, ctx_id(2), &bad, NULL, "its mid is another section's");
	bundle_member(&bad, ctx_id(0), "2", 0x22222222u, 97);
	bundle_refused(f, ctx_id(2), &bad, NULL, "its SSRC is another section's");
	bundle_member(&bad, ctx_id(0), "2", 0x11111111u, 97);
	bundle_refused(f, ctx_id(2), &bad, NULL, "its SSRC is another section's");
	bundle_member(&bad, ctx_id(1), "2", 0x33333333u, 97);
	bundle_refused(f, ctx_id(2), &bad, NULL, "owns no group");
	bundle_member(&bad, ctx_id(0), "2", 0x33333333u, 97);
	bad.bundle.owner_term = 1;
	bundle_refused(f, ctx_id(2), &bad, NULL, "owns no group");
	bundle_member(&bad, ctx_id(0), "2", 0x33333333u, 97);
	{
		struct ipc_rtp_term o2;

		term_ue(&o2, MEDIA_MIN + 8, true);
		bundle_owner(&o2, 0x44444444u);
		bundle_refused(f, ctx_id(2), &o2, &bad, "both of its terminations");
	}
	bad.profile = IPC_RTP_SAVP;
	bundle_refused(f, ctx_id(2), &bad, NULL, "SRTP on it and not on its BUNDLE owner");
	assert_int_equal(ctr(f, "rtp_contexts_refused"), 8);
	assert_int_equal(ctr(f, "rtp_contexts"), 2);
	/* the owner's port relays to the owner's other side, as before */
	assert_true(ue_rtp(f, NAT4, 40000, 1, 20, &o));
	assert_int_equal(o.sport, MEDIA_MIN + 2);
	/* a restarted cp hears each one's place */
	bundle_state(f, ctx_id(1), &x);
	assert_int_equal(x.ctx.term[0].bundle.role, IPC_RTP_BUNDLE_MEMBER);
	assert_int_equal(x.ctx.term[0].bundle.owner, ctx_id(0));
	assert_memory_equal(x.ctx.term[0].bundle.mid, "1", 2);
	assert_int_equal(x.ctx.term[0].local.port, 0);
	bundle_state(f, ctx_id(0), &x);
	assert_int_equal(x.ctx.term[0].bundle.role, IPC_RTP_BUNDLE_OWNER);
	assert_int_equal(x.ctx.term[0].bundle.mid_ext, 1);
	assert_int_equal(x.ctx.term[0].bundle.ssrc[0], 0x11111111u);
	/* a member's SSRC may change, not to another section's */
	mem.bundle.ssrc[0] = 0x55555555u;
	cp_mod(f, ctx_id(1), IPC_RTP_MOD_TERM, 0, &mem);
	assert_int_equal(ctr(f, "rtp_terms_modified"), 1);
	mem.bundle.ssrc[0] = 0x11111111u;
	cp_mod(f, ctx_id(1), IPC_RTP_MOD_TERM, 0, &mem);
	assert_int_equal(ctr(f, "rtp_term_changes_refused"), 1);
	/* and the owner's, not to its member's; a mid never */
	own.bundle.ssrc[0] = 0x55555555u;
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &own);
	assert_int_equal(ctr(f, "rtp_term_changes_refused"), 2);
	own.bundle.ssrc[0] = 0x11111111u;
	own.bundle.mid[0] = 'a';
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &own);
	assert_int_equal(ctr(f, "rtp_term_changes_refused"), 3);
	own.bundle.mid[0] = '0';
	/* the owner released first: its member stays, with no transport; a
	 * new context takes the owner's port, and the member's release
	 * leaves it be */
	cp_del(f, ctx_id(0));
	cp_event(f, ctx_id(0), IPC_RTP_EV_RELEASED, &e);
	assert_int_equal(ctr(f, "rtp_contexts"), 1);
	memset(&own.bundle, 0, sizeof(own.bundle));
	cp_add(f, ctx_id(2), &own, &core);
	cp_del(f, ctx_id(1));
	cp_event(f, ctx_id(1), IPC_RTP_EV_RELEASED, &e);
	assert_true(ue_rtp(f, NAT4, 40000, 2, 20, &o));
	assert_int_equal(o.sport, MEDIA_MIN + 2);
	cp_event(f, ctx_id(2), IPC_RTP_EV_LATCHED, &e);
	/* a member of the new owner's context: its termination owns none */
	bundle_member(&bad, ctx_id(2), "1", 0x22222222u, 96);
	bundle_refused(f, ctx_id(1), &bad, NULL, "owns no group");
	cp_nothing(f);
}

/*
 * A group under SDES SRTP (RFC 4568 on the owner, as a restarted dp's
 * DTLS-SRTP owner's keys come): a member keyed with the owner's key at
 * its own positions (RTP_STATS says where its streams stand: what cp
 * gave); one of another suite refused; the owner re-keyed (a new
 * a=crypto), its member keyed anew, its positions kept.
 */
static void
test_bundle_member_srtp_is_its_owners(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term own, core, mem, bad;
	struct ipc_rtp_stats_msg st;
	struct srtp_ref_key k;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	term_ue(&own, MEDIA_MIN, true);
	srtp_term(&own, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x71, 0);
	bundle_owner(&own, UE_SSRC);
	term_core(&core, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &own, &core);
	bundle_member(&mem, ctx_id(0), "1", UE_SSRC + 1, 96);
	mem.profile = IPC_RTP_SAVPF;
	mem.srtp_rx.suite = mem.srtp_tx.suite = SRTP_REF_AES_CM_128_HMAC_SHA1_80;
	mem.srtp_rx.key_len = mem.srtp_tx.key_len = 30;
	mem.srtp_rx.nstreams = 1;
	mem.srtp_rx.stream[0].ssrc = UE_SSRC + 1;
	mem.srtp_rx.stream[0].roc = 5;
	mem.srtp_rx.stream[0].seq = 100;
	term_core(&core, MEDIA_MIN + 6);
	cp_add(f, ctx_id(1), &mem, &core);
	assert_int_equal(ctr(f, "rtp_contexts"), 2);
	cp_stats(f, ctx_id(1), &st);
	assert_int_equal(st.st[0].srtp_rx.nstreams, 1);
	assert_int_equal(st.st[0].srtp_rx.stream[0].ssrc, UE_SSRC + 1);
	assert_int_equal(st.st[0].srtp_rx.stream[0].roc, 5);
	assert_int_equal(st.st[0].srtp_rx.stream[0].seq, 100);
	/* another suite than the owner's */
	bad = mem;
	bad.bundle.mid[0] = '2';
	bad.bundle.ssrc[0] = UE_SSRC + 2;
	bad.srtp_rx.suite = SRTP_REF_AES_256_CM_HMAC_SHA1_80;
	bad.srtp_rx.key_len = 46;
	bad.srtp_rx.nstreams = 0;
	memset(bad.srtp_rx.stream, 0, sizeof(bad.srtp_rx.stream));
	bundle_refused(f, ctx_id(2), &bad, NULL, "its SRTP suite is not its BUNDLE owner's");
	/* a member of no key octets nor suite (as one of a DTLS-SRTP
	 * owner's): keyed with the owner's, and what dp holds of it (a
	 * restarted cp's RTP_STATE) has the suite, no key octet */
	bad = mem;
	bad.bundle.mid[0] = '3';
	bad.bundle.ssrc[0] = UE_SSRC + 3;
	memset(&bad.srtp_rx, 0, sizeof(bad.srtp_rx));
	memset(&bad.srtp_tx, 0, sizeof(bad.srtp_tx));
	cp_add(f, ctx_id(2), &bad, NULL);
	assert_int_equal(ctr(f, "rtp_contexts"), 3);
	{
		static struct ipc_rtp_state x;
		static const uint8_t zero[IPC_SRTP_KEY_MAX];

		bundle_state(f, ctx_id(2), &x);
		assert_int_equal(x.ctx.term[0].srtp_rx.suite, SRTP_REF_AES_CM_128_HMAC_SHA1_80);
		assert_int_equal(x.ctx.term[0].srtp_tx.suite, SRTP_REF_AES_CM_128_HMAC_SHA1_80);
		assert_int_equal(x.ctx.term[0].srtp_rx.key_len, 30);
		assert_memory_equal(x.ctx.term[0].srtp_rx.key, zero, IPC_SRTP_KEY_MAX);
		assert_memory_equal(x.ctx.term[0].srtp_tx.key, zero, IPC_SRTP_KEY_MAX);
	}
	/* the owner re-keyed: its member keyed anew where it stood */
	mkkeys(&own.srtp_rx, &k, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x7a, 0, 0);
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &own);
	assert_int_equal(ctr(f, "rtp_terms_modified"), 1);
	cp_stats(f, ctx_id(1), &st);
	assert_int_equal(st.st[0].srtp_rx.nstreams, 1);
	assert_int_equal(st.st[0].srtp_rx.stream[0].roc, 5);
	assert_int_equal(st.st[0].srtp_rx.stream[0].seq, 100);
	peer_free(&p);
}

/* ---- BUNDLE's demultiplexer (RFC 9143 §9.2): the owner's port to its sections ---------- */

#define A_SSRC UE_SSRC            /* the browser's audio (signalled on the owner) */
#define V_SSRC (UE_SSRC + 1u)     /* its video (learnt) */

/* An RTP packet of the browser's (pt, seq, ssrc) with, unless mid is NULL,
 * RFC 8285's one-byte header extension carrying mid as element id 1 (the
 * group's MID extension), then n payload octets: into clear[], and into
 * b protected by s (NULL: in the clear). Its protected length. */
static uint16_t
bdl_rtp(struct srtp_ref *s, uint8_t pt, uint16_t seq, uint32_t ssrc, const char *mid,
	uint16_t n, uint8_t *b, uint8_t *clear, uint16_t *clen)
{
	size_t len = rtp_pkt(b, pt, seq, seq * 160u, ssrc, 0, 0);

	if (mid != NULL) {
		size_t ml = strlen(mid), words = (1u + ml + 3u) / 4u;

		b[0] |= 0x10;
		b[12] = 0xbe;
		b[13] = 0xde;
		b[14] = 0;
		b[15] = (uint8_t)words;
		memset(b + 16, 0, words * 4u);
		b[16] = (uint8_t)(1u << 4 | (ml - 1u));
		memcpy(b + 17, mid, ml);
		len = 16u + words * 4u;
	}
	for (uint16_t i = 0; i < n; i++)
		b[len + i] = (uint8_t)(seq * 13u + i * 7u + pt);
	len += n;
	memcpy(clear, b, len);
	*clen = (uint16_t)len;
	if (s != NULL)
		assert_int_equal(srtp_ref_protect(s, b, &len, 1500), SRTP_REF_OK);
	return (uint16_t)len;
}

/* The browser (NAT4:40123) sends b (len) to the owner's port (MEDIA_MIN +
 * 4 slot): the core port it came out of (0: none), the payload there the
 * clear packet octet for octet. */
static uint16_t
bdl_in(struct fix *f, unsigned int slot, const uint8_t *b, uint16_t len, const uint8_t *clear,
       uint16_t clen)
{
	struct out o;

	if (!relay(f, 0, NAT4, 40123, ACC4, (uint16_t)(MEDIA_MIN + 4u * slot), b, len, 1, &o))
		return 0;
	assert_int_equal(o.len, clen);
	assert_memory_equal(o.payload, clear, clen);
	return o.sport;
}

/* RTP of the browser's through bdl_rtp() and bdl_in(). */
static uint16_t
bdl_send(struct fix *f, unsigned int slot, struct srtp_ref *s, uint8_t pt, uint16_t seq,
	 uint32_t ssrc, const char *mid)
{
	uint8_t b[1500], clear[1500];
	uint16_t clen, len = bdl_rtp(s, pt, seq, ssrc, mid, 120, b, clear, &clen);

	return bdl_in(f, slot, b, len, clear, clen);
}

/* A group of two sections as a browser's audio and video: context
 * (slot) the owner's (audio, mid "0", PCMU, its SSRC A_SSRC signalled,
 * the MID extension id 1), context slot + 1 a member (video, mid "1",
 * payload type 96, no SSRC signalled), each with a core side of its own
 * (MEDIA_MIN + 4 slot + 2 and + 6); SRTP under one key with p its far
 * end, or plain RTP (p NULL). */
static void ice_creds(struct ipc_rtp_ice *x, const char *ufrag, const char *pwd,
		      const char *peer);

static void
bdl_group_ice(struct fix *f, unsigned int slot, struct peer *p, bool ice)
{
	uint16_t port = (uint16_t)(MEDIA_MIN + 4u * slot);
	struct ipc_rtp_term own, core, mem;

	term_ue(&own, port, true);
	if (ice)
		ice_creds(&own.ice, ICE_UFRAG, ICE_PWD, ICE_PEER);
	if (p != NULL)
		srtp_term(&own, p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x33, 0);
	else
		own.flags |= IPC_RTP_F_RSIZE;       /* (RFC 5506) */
	bundle_owner(&own, A_SSRC);
	term_core(&core, (uint16_t)(port + 2u));
	cp_add(f, ctx_id(slot), &own, &core);
	bundle_member(&mem, ctx_id(slot), "1", 0, 96);
	mem.bundle.nssrc = 0;
	mem.dscp = 34;              /* (video's AF41 beside audio's best effort) */
	if (p != NULL) {
		mem.profile = IPC_RTP_SAVPF;
		mem.srtp_rx.suite = mem.srtp_tx.suite = SRTP_REF_AES_CM_128_HMAC_SHA1_80;
		mem.srtp_rx.key_len = mem.srtp_tx.key_len = 30;
	}
	term_core(&core, (uint16_t)(port + 6u));
	cp_add(f, ctx_id(slot + 1u), &mem, &core);
	assert_int_equal(ctr(f, "rtp_contexts"), slot + 2u);
}

static void
bdl_group(struct fix *f, unsigned int slot, struct peer *p)
{
	bdl_group_ice(f, slot, p, false);
}

/*
 * A browser's audio and video on one transport (lib/srtp_ref: one key,
 * each SSRC its own stream there), MID in the header extension: each
 * reaches its own core port, octet for octet in the clear. Then RFC 9143
 * §9.2's order: a bound SSRC goes by its binding without MID (whatever
 * its payload type says), an unbound one without MID by a payload type
 * one section has; a MID of no section is dropped (never routed by
 * payload type), a MID naming another section than the SSRC's is dropped
 * (no rebinding); a forged packet's MID binds nothing (the genuine
 * packet of that SSRC goes by its payload type after it). SRTCP,
 * unprotected by the owner's context (one SRTCP window a sender SSRC),
 * goes whole to the section its sender SSRC is bound to, else the
 * owner's.
 */
static void
test_bundle_demux_in_by_ssrc_mid_pt(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6;
	uint8_t b[1500], clear[1500];
	uint16_t clen, len;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	bdl_group(f, 0, &p);
	/* MID: audio and video interleaved, each at its own core port */
	for (uint16_t s = 1; s <= 4; s++) {
		assert_int_equal(bdl_send(f, 0, p.send, 0, s, A_SSRC, "0"), audio);
		assert_int_equal(bdl_send(f, 0, p.send, 96, s, V_SSRC, "1"), video);
	}
	/* the binding: video without MID, even with audio's payload type */
	assert_int_equal(bdl_send(f, 0, p.send, 96, 5, V_SSRC, NULL), video);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 6, V_SSRC, NULL), video);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 5, A_SSRC, NULL), audio);
	/* a forged packet (its tag flipped) of a new SSRC with video's MID:
	 * refused by video's SRTP, it binds nothing; that SSRC's genuine
	 * packet without MID goes by its payload type to audio */
	len = bdl_rtp(p.send, 96, 1, UE_SSRC + 3u, "1", 120, b, clear, &clen);
	b[len - 1] ^= 0x01;
	assert_int_equal(bdl_in(f, 0, b, len, clear, clen), 0);
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 1);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 2, UE_SSRC + 3u, NULL), audio);
	assert_int_equal(bdl_send(f, 0, p.send, 96, 3, UE_SSRC + 3u, NULL), audio);
	/* the payload type: a new SSRC (RFC 4588's retransmission, say)
	 * without MID, then bound: its binding, not its payload type */
	assert_int_equal(bdl_send(f, 0, p.send, 96, 1, V_SSRC + 1u, NULL), video);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 2, V_SSRC + 1u, NULL), video);
	/* a MID of no section: dropped, though its payload type is audio's */
	assert_int_equal(bdl_send(f, 0, p.send, 0, 1, UE_SSRC + 7u, "7"), 0);
	assert_int_equal(ctr(f, "rtp_bundle_unknown_mid"), 1);
	/* a bound SSRC whose MID names another section: dropped, not moved */
	assert_int_equal(bdl_send(f, 0, p.send, 0, 7, A_SSRC, "1"), 0);
	assert_int_equal(ctr(f, "rtp_bundle_mid_moved"), 1);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 8, A_SSRC, "0"), audio);
	/* an unbound SSRC without MID and a payload type no section has */
	assert_int_equal(bdl_send(f, 0, p.send, 8, 1, UE_SSRC + 8u, NULL), 0);
	assert_int_equal(ctr(f, "rtp_bundle_unknown"), 1);
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_bound"), 3);
	/* SRTCP: by its sender's binding; an SSRC bound to none (a receive-
	 * only SSRC's RR, say) to the owner's section; each its own window
	 * in the owner's context (index 1 of each taken) */
	len = srtcp_of(p.send, V_SSRC, b, clear, &clen);
	assert_int_equal(bdl_in(f, 0, b, len, clear, clen), video);
	len = srtcp_of(p.send, A_SSRC, b, clear, &clen);
	assert_int_equal(bdl_in(f, 0, b, len, clear, clen), audio);
	len = srtcp_of(p.send, 1u, b, clear, &clen);
	assert_int_equal(bdl_in(f, 0, b, len, clear, clen), audio);
	assert_int_equal(ctr(f, "rtp_bundle_rtcp_sender"), 2);
	assert_int_equal(ctr(f, "rtp_bundle_rtcp_owner"), 1);
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 0);
	peer_free(&p);
}

/*
 * A group's bindings are 16 (RFC 9143 §9.2's table, dp's): a 17th SSRC is
 * refused, whatever it carries, and none bound is evicted for it; plain
 * RTP, where the source's acceptance is what binds.
 */
static void
test_bundle_17th_ssrc_refused(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6;

	bdl_group(f, 0, NULL);
	/* the signalled one, then 15 learnt by payload type or MID */
	assert_int_equal(bdl_send(f, 0, NULL, 0, 1, A_SSRC, NULL), audio);
	for (uint32_t k = 1; k <= 15; k++)
		assert_int_equal(bdl_send(f, 0, NULL, 96, 1, A_SSRC + k, (k & 1u) ? "1" : NULL),
				 video);
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_bound"), 15);
	assert_int_equal(bdl_send(f, 0, NULL, 96, 1, A_SSRC + 16u, "1"), 0);
	assert_int_equal(bdl_send(f, 0, NULL, 0, 1, A_SSRC + 17u, NULL), 0);
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_full"), 2);
	/* a modify of the member (its mode again) keeps what it learnt;
	 * every bound one goes on as bound */
	{
		struct ipc_rtp_term mem;

		bundle_member(&mem, ctx_id(0), "1", 0, 96);
		mem.bundle.nssrc = 0;
		cp_mod(f, ctx_id(1), IPC_RTP_MOD_TERM, 0, &mem);
		assert_int_equal(ctr(f, "rtp_terms_modified"), 1);
	}
	assert_int_equal(bdl_send(f, 0, NULL, 96, 2, A_SSRC, NULL), audio);
	for (uint32_t k = 1; k <= 15; k++)
		assert_int_equal(bdl_send(f, 0, NULL, 0, 2, A_SSRC + k, NULL), video);
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_bound"), 15);
	/* a reduced-size compound of a header alone (a BYE of no SSRC, RFC
	 * 5506): no sender to go by, the owner's section's */
	{
		static const uint8_t bye[4] = { 0x80, 203, 0, 0 };

		assert_int_equal(bdl_in(f, 0, bye, 4, bye, 4), audio);
		assert_int_equal(ctr(f, "rtp_bundle_rtcp_owner"), 1);
	}
}

/* What SRTP refuses is dropped, counted by reason and in the
 * termination's srtp_fail, and changes nothing: a forged tag (the genuine
 * packet still goes after it), a replay, an index older than the window,
 * a ROC jump, another MKI, a giant MKI, a short packet, SRTCP in the
 * clear; another context's stream goes on untouched. */
static void
test_srtp_bad_packets_dropped_and_counted(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b, c, d;
	struct peer p, q, jump;
	struct srtp_ref_key k;
	struct ipc_rtp_stats_msg st;
	uint8_t pk[1500], old[1500], clear[1500], bad[1500];
	uint16_t clen, len, oldlen;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	term_ue(&a, MEDIA_MIN, true);
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x21, 0);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	/* another context, with an MKI */
	term_ue(&c, MEDIA_MIN + 4, true);
	srtp_term(&c, &q, SRTP_REF_AES_CM_128_HMAC_SHA1_32, 0x33, 2);
	term_core(&d, MEDIA_MIN + 6);
	cp_add(f, ctx_id(1), &c, &d);
	for (uint16_t seq = 1; seq <= 3; seq++) {
		ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, seq);
		ue_to_core(f, &q, MEDIA_MIN + 4, MEDIA_MIN + 6, false, seq);
	}
	/* a forged tag: dropped; the genuine packet after it goes */
	len = mkpkt(p.send, false, 4, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	memcpy(bad, pk, len);
	bad[len - 1] ^= 0x01;
	assert_false(ue_in(f, MEDIA_MIN, bad, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 1);
	memcpy(bad, pk, len);
	bad[20] ^= 0x80;                                  /* the payload */
	assert_false(ue_in(f, MEDIA_MIN, bad, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 2);
	assert_true(ue_in(f, MEDIA_MIN, pk, len));
	/* a replay */
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 1);
	/* an index older than the window (128): protected now, sent later */
	oldlen = mkpkt(p.send, false, 5, UE_SSRC, 160, old, sizeof(old), clear, &clen);
	for (uint16_t seq = 6; seq < 6 + 130; seq++) {
		len = mkpkt(p.send, false, seq, UE_SSRC, 40, pk, sizeof(pk), clear, &clen);
		assert_true(ue_in(f, MEDIA_MIN, pk, len));
	}
	assert_false(ue_in(f, MEDIA_MIN, old, oldlen));
	assert_int_equal(ctr(f, "rtp_srtp_old"), 1);
	/* a ROC jump: a sender whose ROC is 2 ahead; its tag cannot verify
	 * under the ROC dp estimates */
	mkkeys(&a.srtp_rx, &k, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x21, 0, 0);
	jump.send = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
	assert_non_null(jump.send);
	assert_int_equal(srtp_ref_set_roc(jump.send, UE_SSRC, 2), 0);
	len = mkpkt(jump.send, false, 200, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 3);
	srtp_ref_free(jump.send);
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 201);
	/* another MKI; a giant one (200 octets where 2 go): counted, the
	 * context goes on */
	len = mkpkt(q.send, false, 4, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	memcpy(bad, pk, len);
	bad[len - 4 - 2] ^= 0xff;
	assert_false(ue_in(f, MEDIA_MIN + 4, bad, len));
	assert_int_equal(ctr(f, "rtp_srtp_mki"), 1);
	memcpy(bad, pk, len - 6);
	memset(bad + len - 6, 0x2a, 200);
	memcpy(bad + len - 6 + 200, pk + len - 6, 6);
	assert_false(ue_in(f, MEDIA_MIN + 4, bad, (uint16_t)(len + 200)));
	assert_int_equal(ctr(f, "rtp_srtp_auth") + ctr(f, "rtp_srtp_mki"), 3 + 2);
	assert_true(ue_in(f, MEDIA_MIN + 4, pk, len));
	/* short: no room for the tag (lib/rtp's check), and SRTCP likewise */
	len = rtp_pkt(pk, 0, 300, 0, UE_SSRC, 5, 1);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_malformed_trailer"), 1);
	len = rtcp_pkt(pk, UE_SSRC);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_dropped_malformed"), 2);
	/* SRTCP: a forged tag, then a replay */
	len = mkpkt(p.send, true, 0, UE_SSRC, 0, pk, sizeof(pk), clear, &clen);
	memcpy(bad, pk, len);
	bad[len - 3] ^= 0x10;
	assert_false(ue_in(f, MEDIA_MIN, bad, len));
	assert_true(ue_in(f, MEDIA_MIN, pk, len));
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 5);
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 2);
	/* SRTCP whose tag verifies but whose compound, decrypted, does not
	 * hold together (its second packet of version 1): lib/rtp's refusal */
	len = rtcp_pkt(pk, UE_SSRC);
	pk[8] = 0x41;
	{
		size_t n = len;

		assert_int_equal(srtp_ref_protect_rtcp(p.send, pk, &n, sizeof(pk)), SRTP_REF_OK);
		len = (uint16_t)n;
	}
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_malformed_version"), 1);
	assert_int_equal(ctr(f, "rtp_dropped_malformed"), 3);
	/* each termination's own count; the other context goes on */
	cp_stats(f, ctx_id(0), &st);
	assert_int_equal(st.st[0].srtp_fail, 7);
	assert_int_equal(st.st[0].srtp_rx.nstreams, 1);
	assert_int_equal(st.st[0].srtp_rx.stream[0].ssrc, UE_SSRC);
	assert_int_equal(st.st[0].srtp_rx.stream[0].seq, 201);
	cp_stats(f, ctx_id(1), &st);
	assert_int_equal(st.st[0].srtp_fail, 2);
	for (uint16_t seq = 5; seq <= 7; seq++)
		ue_to_core(f, &q, MEDIA_MIN + 4, MEDIA_MIN + 6, false, seq);
	assert_int_equal(ctr(f, "rtp_dropped_srtp"), 9);
	peer_free(&p);
	peer_free(&q);
}

/* AES-GCM's refusals (RFC 7714 §8, §9), each dropped and counted, the
 * genuine packet going after: a flipped bit of the tag, of the payload,
 * of the header (the AAD), a replay, an index older than the window, a
 * ROC jump, another MKI (after the tag here); SRTCP with a flipped tag,
 * a flipped index (in the AAD and the IV), a replay. Packets by
 * lib/srtp_ref (libsrtp2). */
static void
test_srtp_gcm_bad_packets_dropped_and_counted(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct peer p;
	struct srtp_ref_key k;
	struct srtp_ref *jump;
	uint8_t pk[1500], old[1500], clear[1500], bad[1500];
	uint16_t clen, len, oldlen;

	if (!rtp_srtp_gcm())
		skip();     /* (no libipsec-mb, no AES-NI, or its GCM keys not dp's layout) */
	term_ue(&a, MEDIA_MIN, true);
	srtp_term(&a, &p, SRTP_REF_AEAD_AES_256_GCM, 0x5e, 3);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	for (uint16_t seq = 1; seq <= 3; seq++)
		ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, seq);
	len = mkpkt(p.send, false, 4, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	/* the tag's last octet (before the 3-octet MKI), the payload, the
	 * header's marker bit */
	for (unsigned int i = 0; i < 3; i++) {
		unsigned int at = i == 0 ? len - 3u - 1u : i == 1 ? 20u : 1u;

		memcpy(bad, pk, len);
		bad[at] ^= 0x80;
		assert_false(ue_in(f, MEDIA_MIN, bad, len));
		assert_int_equal(ctr(f, "rtp_srtp_auth"), i + 1);
	}
	/* another MKI: the last octets under GCM */
	memcpy(bad, pk, len);
	bad[len - 1] ^= 0xff;
	assert_false(ue_in(f, MEDIA_MIN, bad, len));
	assert_int_equal(ctr(f, "rtp_srtp_mki"), 1);
	assert_true(ue_in(f, MEDIA_MIN, pk, len));
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 1);
	/* older than the window */
	oldlen = mkpkt(p.send, false, 5, UE_SSRC, 160, old, sizeof(old), clear, &clen);
	for (uint16_t seq = 6; seq < 6 + 130; seq++) {
		len = mkpkt(p.send, false, seq, UE_SSRC, 40, pk, sizeof(pk), clear, &clen);
		assert_true(ue_in(f, MEDIA_MIN, pk, len));
	}
	assert_false(ue_in(f, MEDIA_MIN, old, oldlen));
	assert_int_equal(ctr(f, "rtp_srtp_old"), 1);
	/* a ROC jump: the IV dp takes is not the sender's */
	mkkeys(&a.srtp_rx, &k, SRTP_REF_AEAD_AES_256_GCM, 0x5e, 3, 0x2a);
	jump = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
	assert_non_null(jump);
	assert_int_equal(srtp_ref_set_roc(jump, UE_SSRC, 2), 0);
	len = mkpkt(jump, false, 200, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 4);
	srtp_ref_free(jump);
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 201);
	/* SRTCP: a flipped tag, a flipped index, then the genuine one, then
	 * its replay */
	len = mkpkt(p.send, true, 0, UE_SSRC, 0, pk, sizeof(pk), clear, &clen);
	memcpy(bad, pk, len);
	bad[len - 3u - 4u - 1u] ^= 0x10;                  /* the tag's last octet */
	assert_false(ue_in(f, MEDIA_MIN, bad, len));
	memcpy(bad, pk, len);
	bad[len - 3u - 1u] ^= 0x01;                       /* the index: AAD and IV */
	assert_false(ue_in(f, MEDIA_MIN, bad, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 6);
	assert_true(ue_in(f, MEDIA_MIN, pk, len));
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 2);
	/* and the core's way goes on */
	for (uint16_t seq = 1; seq <= 3; seq++)
		core_to_ue(f, &p, MEDIA_MIN + 2, false, seq);
	core_to_ue(f, &p, MEDIA_MIN + 2, true, 0);
	assert_int_equal(ctr(f, "rtp_dropped_srtp"), 6 + 1 + 2 + 1);
	peer_free(&p);
}

/*
 * A dp restart: cp sends the keys again with where each stream stood
 * (RTP_STATS' positions): the UE's stream goes on across its ROC's wrap,
 * a packet of before the restart is refused, what dp protects goes on
 * with the ROC given past the position plus IPC_SRTP_POS_LAG (what the
 * dp before may have protected since cp heard is never protected again)
 * and an SRTCP index past the one given; RTP_STATS and a restarted cp's
 * RTP_STATE say where each stands now.
 */
static void
test_srtp_restart_carries_the_index_on(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;
	struct ipc_rtp_term a, b;
	struct srtp_ref_key rx, tx;
	struct srtp_ref *send, *recv, *before;
	struct ipc_rtp_stats_msg st;
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;
	struct out o;
	size_t olen;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	term_ue(&a, MEDIA_MIN, true);
	a.profile = IPC_RTP_SAVPF;
	mkkeys(&a.srtp_rx, &rx, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x51, 0, 0);
	mkkeys(&a.srtp_tx, &tx, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x52, 0, 0);
	a.srtp_rx.nstreams = 1;
	a.srtp_rx.stream[0].ssrc = UE_SSRC;
	a.srtp_rx.stream[0].roc = 3;
	a.srtp_rx.stream[0].seq = 65533;
	a.srtp_tx.nstreams = 1;
	a.srtp_tx.stream[0].ssrc = CORE_SSRC;
	a.srtp_tx.stream[0].roc = 7;
	a.srtp_tx.stream[0].seq = 100;
	a.srtp_tx.srtcp_index = 50;
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	/* the UE's side as it was: ROC 3 */
	send = srtp_ref_create(SRTP_REF_OUTBOUND, &rx);
	before = srtp_ref_create(SRTP_REF_OUTBOUND, &rx);
	recv = srtp_ref_create(SRTP_REF_INBOUND, &tx);
	assert_int_equal(srtp_ref_set_roc(send, UE_SSRC, 3), 0);
	assert_int_equal(srtp_ref_set_roc(before, UE_SSRC, 3), 0);
	assert_int_equal(srtp_ref_set_roc(recv, CORE_SSRC, 7), 0);
	/* a packet of before the restart: refused */
	len = mkpkt(before, false, 65532, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 1);
	/* on, across the wrap (ROC 4) */
	for (uint16_t seq = 65534; seq != 3; seq++) {
		len = mkpkt(send, false, seq, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
		assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, pk, len, 1, &o));
		assert_memory_equal(o.payload, clear, clen);
	}
	/* dp's side: the core's next packets (101 on, indices the dp before
	 * may have protected: never again) go out at once, shifted past 100
	 * + IPC_SRTP_POS_LAG, ROC 7 on; SRTCP past 50 */
	for (uint16_t seq = 101; seq < 104; seq++) {
		len = mkpkt(NULL, false, seq, CORE_SSRC, 160, pk, sizeof(pk), clear, &clen);
		assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
		olen = o.len;
		assert_int_equal(srtp_ref_unprotect(recv, o.payload, &olen), SRTP_REF_OK);
		clear[2] = (uint8_t)((seq + IPC_SRTP_POS_LAG) >> 8);
		clear[3] = (uint8_t)(seq + IPC_SRTP_POS_LAG);
		assert_memory_equal(o.payload, clear, clen);
	}
	assert_int_equal(ctr(f, "rtp_srtp_restart_gap"), 1);
	len = mkpkt(NULL, true, 0, CORE_SSRC, 0, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	assert_int_equal(o.payload[clen] & 0x80, 0x80);    /* E */
	assert_true(((uint32_t)o.payload[clen + 2] << 8 | o.payload[clen + 3]) > 50);
	olen = o.len;
	assert_int_equal(srtp_ref_unprotect_rtcp(recv, o.payload, &olen), SRTP_REF_OK);
	assert_memory_equal(o.payload, clear, clen);
	/* where each stands */
	cp_stats(f, ctx_id(0), &st);
	assert_int_equal(st.st[0].srtp_rx.nstreams, 1);
	assert_int_equal(st.st[0].srtp_rx.stream[0].ssrc, UE_SSRC);
	assert_int_equal(st.st[0].srtp_rx.stream[0].roc, 4);
	assert_int_equal(st.st[0].srtp_rx.stream[0].seq, 2);
	assert_int_equal(st.st[0].srtp_tx.nstreams, 1);
	assert_int_equal(st.st[0].srtp_tx.stream[0].ssrc, CORE_SSRC);
	assert_int_equal(st.st[0].srtp_tx.stream[0].roc, 7);
	assert_int_equal(st.st[0].srtp_tx.stream[0].seq, 103 + IPC_SRTP_POS_LAG);
	assert_int_equal(st.st[0].srtp_tx.srtcp_index, 50 + 128 + 1);
	assert_int_equal(st.st[1].srtp_rx.nstreams, 0);
	/* a restarted cp's SYNC: the keys as installed, the positions now */
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_SYNC;
	m.h.alloc_id = 3;
	cp_send(f, &m);
	f->ctx->tsc_hz = 1000000u;
	m.h.kind = 0;
	for (uint64_t tsc = 1000; tsc < 20000 && m.h.kind != IPC_RTP_STATE; tsc += 1000) {
		dp_cp_sync_step(f->w, tsc);
		while (ipc_ring_dequeue(&f->w->cp.rings->to_cp, &m) == 1) {
			assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
			if (m.h.kind == IPC_RTP_STATE)
				break;
		}
	}
	assert_int_equal(m.h.kind, IPC_RTP_STATE);
	{
		const struct ipc_rtp_state *x = (const void *)m.body;

		assert_memory_equal(x->ctx.term[0].srtp_rx.key, a.srtp_rx.key, 30);
		assert_int_equal(x->ctx.term[0].srtp_rx.stream[0].roc, 4);
		assert_int_equal(x->ctx.term[0].srtp_rx.stream[0].seq, 2);
		assert_int_equal(x->ctx.term[0].srtp_tx.stream[0].seq, 103 + IPC_SRTP_POS_LAG);
		assert_int_equal(x->ctx.term[0].srtp_tx.srtcp_index, 179);
		assert_int_equal(x->ctx.term[1].srtp_rx.suite, 0);
	}
	srtp_ref_free(send);
	srtp_ref_free(before);
	srtp_ref_free(recv);
}

/*
 * A dp restart with two SSRCs each way: every SSRC's position is carried.
 * The UE's: each one's packets of before the restart are replays, each
 * one's next goes on (lib/srtp protects them), a third SSRC is refused.
 * Ours: each goes on at once past its position plus IPC_SRTP_POS_LAG (one
 * across a ROC wrap), its sequence numbers shifted there; lib/srtp
 * unprotects what dp protects; one below is refused, and a third SSRC.
 * RTP_STATS gives both positions each way.
 */
static void
test_srtp_restart_carries_every_ssrc(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct srtp_ref_key rx, tx;
	struct srtp_ref *send, *recv;
	struct ipc_rtp_stats_msg st;
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;
	struct out o;
	/* (the second send stream's position plus the bound: ROC 2, 476) */
	const uint16_t b_next = (uint16_t)(65500u + IPC_SRTP_POS_LAG + 1u);

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	term_ue(&a, MEDIA_MIN, true);
	a.profile = IPC_RTP_SAVP;
	mkkeys(&a.srtp_rx, &rx, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x5a, 0, 0);
	mkkeys(&a.srtp_tx, &tx, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x5b, 0, 0);
	a.srtp_rx.nstreams = 2;
	a.srtp_rx.stream[0] = (struct ipc_srtp_stream){ .ssrc = UE_SSRC, .seq = 1000 };
	a.srtp_rx.stream[1] = (struct ipc_srtp_stream){ .ssrc = UE_SSRC + 1, .roc = 2, .seq = 50 };
	a.srtp_tx.nstreams = 2;
	a.srtp_tx.stream[0] = (struct ipc_srtp_stream){ .ssrc = CORE_SSRC, .seq = 300 };
	a.srtp_tx.stream[1] = (struct ipc_srtp_stream){ .ssrc = CORE_SSRC + 1, .roc = 1,
							 .seq = 65500 };
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	send = srtp_ref_create(SRTP_REF_OUTBOUND, &rx);
	recv = srtp_ref_create(SRTP_REF_INBOUND, &tx);
	assert_non_null(send);
	assert_non_null(recv);
	assert_int_equal(srtp_ref_set_roc(send, UE_SSRC + 1, 2), 0);
	assert_int_equal(srtp_ref_set_roc(recv, CORE_SSRC + 1, 2), 0);
	/* the UE's: each SSRC's packet of before the restart (its last one
	 * heard) refused, its next relayed; a third SSRC refused */
	len = mkpkt(send, false, 1000, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	len = mkpkt(send, false, 50, UE_SSRC + 1, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 2);
	len = mkpkt(send, false, 1001, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, pk, len, 1, &o));
	assert_memory_equal(o.payload, clear, clen);
	len = mkpkt(send, false, 51, UE_SSRC + 1, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, pk, len, 1, &o));
	assert_memory_equal(o.payload, clear, clen);
	len = mkpkt(send, false, 1, UE_SSRC + 2, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_ssrc_limit"), 1);
	/* ours: each SSRC's next packet after its position (an index the dp
	 * before may have used) protected at once, past the bound: lib/srtp
	 * unprotects them (the second at ROC 2), their SEQ shifted */
	len = mkpkt(NULL, false, 301, CORE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	clear[2] = (uint8_t)((301 + IPC_SRTP_POS_LAG) >> 8);
	clear[3] = (uint8_t)(301 + IPC_SRTP_POS_LAG);
	srtp_clear_is(recv, &o, clear, clen);
	len = mkpkt(NULL, false, 65501, CORE_SSRC + 1, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	clear[2] = (uint8_t)(b_next >> 8);
	clear[3] = (uint8_t)b_next;
	srtp_clear_is(recv, &o, clear, clen);
	assert_int_equal(ctr(f, "rtp_srtp_restart_gap"), 2);
	/* the core's packet before its first, shifted: below the floor, not
	 * protected (the dp before may have used that index) */
	len = mkpkt(NULL, false, 300, CORE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_false(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	assert_int_equal(ctr(f, "rtp_srtp_old"), 1);
	len = mkpkt(NULL, false, 1, CORE_SSRC + 2, 160, pk, sizeof(pk), clear, &clen);
	assert_false(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	assert_int_equal(ctr(f, "rtp_srtp_ssrc_limit"), 2);
	/* where each stands, both SSRCs each way */
	cp_stats(f, ctx_id(0), &st);
	assert_int_equal(st.st[0].srtp_rx.nstreams, 2);
	assert_int_equal(st.st[0].srtp_rx.stream[0].ssrc, UE_SSRC);
	assert_int_equal(st.st[0].srtp_rx.stream[0].seq, 1001);
	assert_int_equal(st.st[0].srtp_rx.stream[1].ssrc, UE_SSRC + 1);
	assert_int_equal(st.st[0].srtp_rx.stream[1].roc, 2);
	assert_int_equal(st.st[0].srtp_rx.stream[1].seq, 51);
	assert_int_equal(st.st[0].srtp_tx.nstreams, 2);
	assert_int_equal(st.st[0].srtp_tx.stream[0].ssrc, CORE_SSRC);
	assert_int_equal(st.st[0].srtp_tx.stream[0].roc, 0);
	assert_int_equal(st.st[0].srtp_tx.stream[0].seq, 301 + IPC_SRTP_POS_LAG);
	assert_int_equal(st.st[0].srtp_tx.stream[1].ssrc, CORE_SSRC + 1);
	assert_int_equal(st.st[0].srtp_tx.stream[1].roc, 2);
	assert_int_equal(st.st[0].srtp_tx.stream[1].seq, b_next);
	srtp_ref_free(send);
	srtp_ref_free(recv);
}

/* Every (SSRC, index) a test saw dp protect: RFC 3711 §9.1's "never twice
 * under a key" held over all of them. */
struct used_idx {
	unsigned int n;
	uint32_t ssrc[4096];
	uint64_t idx[4096];
};

/* o, protected by dp, unprotected by s (its clear packet clear[clen] but
 * for the SEQ, which is want_seq), its (SSRC, index) noted in u: none
 * twice. */
static void
srtp_out_note(struct srtp_ref *s, const struct out *o, uint8_t *clear, uint16_t clen,
	      uint16_t want_seq, struct used_idx *u)
{
	uint32_t ssrc = (uint32_t)o->payload[8] << 24 | (uint32_t)o->payload[9] << 16 |
			(uint32_t)o->payload[10] << 8 | o->payload[11], roc;
	uint64_t idx;

	assert_int_equal((uint16_t)(o->payload[2] << 8 | o->payload[3]), want_seq);
	clear[2] = (uint8_t)(want_seq >> 8);
	clear[3] = (uint8_t)want_seq;
	srtp_clear_is(s, o, clear, clen);
	/* (in order: the receiver's ROC is this packet's) */
	assert_int_equal(srtp_ref_get_roc(s, ssrc, &roc), 0);
	idx = (uint64_t)roc << 16 | want_seq;
	for (unsigned int i = 0; i < u->n; i++)
		if (u->ssrc[i] == ssrc && u->idx[i] == idx)
			fail_msg("SSRC %08x index %llu protected twice", ssrc, (unsigned long long)idx);
	assert_true(u->n < 4096);
	u->ssrc[u->n] = ssrc;
	u->idx[u->n++] = idx;
}

/* dp "restarts" context 0: released (its RELEASED taken), installed again
 * from a and b. */
static void
restart_like(struct fix *f, const struct ipc_rtp_term *a, const struct ipc_rtp_term *b)
{
	static struct ipc_msg m;

	cp_del(f, ctx_id(0));
	for (;;) {
		assert_true(cp_recv(f, &m));
		if (m.h.kind == IPC_RTP_EVENT &&
		    ((const struct ipc_rtp_event *)(const void *)m.body)->type == IPC_RTP_EV_RELEASED)
			break;
	}
	cp_add(f, ctx_id(0), a, b);
}

/* The core sends 20 packets from seq on, after a restart: each goes out
 * at once, at index floor + k (lib/srtp's s takes them, u notes them);
 * the core's next SEQ. */
static uint16_t
core_on_shifted(struct fix *f, struct srtp_ref *s, uint16_t seq, uint64_t floor,
		struct used_idx *u)
{
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;
	struct out o;

	for (unsigned int k = 0; k < 20; k++, seq++) {
		len = mkpkt(NULL, false, seq, CORE_SSRC, 160, pk, sizeof(pk), clear, &clen);
		assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
		srtp_out_note(s, &o, clear, clen, (uint16_t)(floor + k), u);
		assert_int_equal(u->idx[u->n - 1], floor + k);
	}
	return seq;
}

/*
 * A dp restart shifts what dp protects, it does not refuse it: cp gives
 * the new dp the key with a position it heard some packets before dp's
 * end; the plain core goes on with its next SEQ, and its very next
 * packet goes out towards the SRTP side (at the position plus
 * IPC_SRTP_POS_LAG plus one: a jump lib/srtp, the reference, takes),
 * the later ones contiguous after it; a packet the core sent before the
 * restart, sent again after it, is not protected (below the floor);
 * counted once a start (rtp_srtp_restart_gap). A second restart from the
 * position dp reports (the shifted index) shifts again past it. Over
 * everything dp protected, across the ROC's wrap and both restarts, no
 * (SSRC, index) twice (RFC 3711 §9.1).
 */
static void
srtp_restart_shifts(struct fix *f, unsigned int suite)
{
	struct ipc_rtp_term a, b;
	struct srtp_ref_key rx, tx;
	struct srtp_ref *recv;
	struct ipc_rtp_stats_msg st;
	struct ipc_srtp_stream heard;
	static struct used_idx u;
	uint8_t pk[1500], clear[1500], old[1500];
	uint16_t clen, len, oldlen = 0, seq;
	uint64_t floor;
	struct out o;

	memset(&u, 0, sizeof(u));
	term_ue(&a, MEDIA_MIN, true);
	a.profile = IPC_RTP_SAVPF;
	mkkeys(&a.srtp_rx, &rx, suite, 0x61, 0, 0);
	mkkeys(&a.srtp_tx, &tx, suite, 0x62, 0, 0);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	recv = srtp_ref_create(SRTP_REF_INBOUND, &tx);
	assert_non_null(recv);
	/* before: the core's 65300 on, across the wrap; cp hears the
	 * position after the 200th, dp protects 100 more before its end */
	seq = 65300;
	for (unsigned int k = 0; k < 300; k++, seq++) {
		if (k == 200) {
			cp_stats(f, ctx_id(0), &st);
			assert_int_equal(st.st[0].srtp_tx.nstreams, 1);
			heard = st.st[0].srtp_tx.stream[0];
			assert_int_equal(heard.roc, 0);
			assert_int_equal(heard.seq, 65499);
		}
		len = mkpkt(NULL, false, seq, CORE_SSRC, 160, pk, sizeof(pk), clear, &clen);
		if (k == 290) {
			memcpy(old, pk, len);
			oldlen = len;
		}
		assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
		srtp_out_note(recv, &o, clear, clen, seq, &u);
	}
	/* the restart: the key again with what cp heard */
	a.srtp_tx.nstreams = 1;
	a.srtp_tx.stream[0] = heard;
	restart_like(f, &a, &b);
	/* the core's next packet goes out at once, at the floor: 65499 +
	 * IPC_SRTP_POS_LAG + 1 (ROC 1), lib/srtp takes the jump */
	floor = 65499u + IPC_SRTP_POS_LAG + 1u;
	seq = core_on_shifted(f, recv, seq, floor, &u);
	assert_int_equal(ctr(f, "rtp_srtp_restart_gap"), 1);
	/* the core's packet of before, sent again: below the floor, not
	 * protected again */
	assert_false(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, old, oldlen, 0, &o));
	assert_int_equal(ctr(f, "rtp_srtp_old"), 1);
	/* dp says where the stream stands: the index used under the key */
	cp_stats(f, ctx_id(0), &st);
	heard = st.st[0].srtp_tx.stream[0];
	assert_int_equal((uint64_t)heard.roc << 16 | heard.seq, floor + 19u);
	/* a second restart, from that position: on at once past it plus the
	 * bound */
	a.srtp_tx.stream[0] = heard;
	restart_like(f, &a, &b);
	floor = floor + 19u + IPC_SRTP_POS_LAG + 1u;
	(void)core_on_shifted(f, recv, seq, floor, &u);
	assert_int_equal(ctr(f, "rtp_srtp_restart_gap"), 2);
	assert_int_equal(u.n, 340);
	srtp_ref_free(recv);
}

static void
test_srtp_restart_shifts_not_refuses(void **state)
{
	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	srtp_restart_shifts(*state, SRTP_REF_AES_CM_128_HMAC_SHA1_80);
}

/* The same under AES-GCM (RFC 7714): the shifted SEQ in the AAD. */
static void
test_srtp_gcm_restart_shifts_not_refuses(void **state)
{
	if (!rtp_srtp_gcm())
		skip();     /* (no libipsec-mb, no AES-NI, or its GCM keys not dp's layout) */
	srtp_restart_shifts(*state, SRTP_REF_AEAD_AES_128_GCM);
}

/* Who may take an SSRC's place: a packet that fails its tag takes none
 * (two forged ones of new SSRCs, then the UE's two SSRCs both followed);
 * on a plain termination that latches, a sender that did not latch
 * (a stranger) takes none of what dp protects towards the other side
 * (its SSRCs dropped before SRTP, then the latched UE's second SSRC is
 * protected), lib/srtp unprotecting what dp sent. */
static void
test_srtp_only_the_authentic_or_latched_take_an_ssrc(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b, c, d;
	struct peer p, core;
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;
	struct out o;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	/* SRTP from the UE: forged packets of new SSRCs */
	term_ue(&a, MEDIA_MIN, true);
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x6c, 0);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	for (uint32_t k = 0; k < 2; k++) {
		len = mkpkt(p.send, false, 7, UE_SSRC + 10 + k, 160, pk, sizeof(pk), clear, &clen);
		pk[len - 1] ^= 0x40;
		assert_false(ue_in(f, MEDIA_MIN, pk, len));
	}
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 2);
	for (uint32_t k = 0; k < 2; k++) {
		len = mkpkt(p.send, false, 1, UE_SSRC + k, 160, pk, sizeof(pk), clear, &clen);
		assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, pk, len, 1, &o));
		assert_memory_equal(o.payload, clear, clen);
	}
	assert_int_equal(ctr(f, "rtp_srtp_ssrc_limit"), 0);
	/* RTP from a UE that latches, SRTP to the core */
	term_ue(&c, MEDIA_MIN + 4, true);
	term_core(&d, MEDIA_MIN + 6);
	srtp_term(&d, &core, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x7c, 0);
	cp_add(f, ctx_id(1), &c, &d);
	len = mkpkt(NULL, false, 1, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN + 4, pk, len, 1, &o));   /* latches */
	srtp_clear_is(core.recv, &o, clear, clen);
	for (uint32_t k = 0; k < 2; k++) {
		len = mkpkt(NULL, false, 1, UE_SSRC + 20 + k, 160, pk, sizeof(pk), clear, &clen);
		assert_false(relay(f, 0, STRANGER4, 40123, ACC4, MEDIA_MIN + 4, pk, len, 1, &o));
	}
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 2);
	len = mkpkt(NULL, false, 1, UE_SSRC + 1, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN + 4, pk, len, 1, &o));
	srtp_clear_is(core.recv, &o, clear, clen);
	assert_int_equal(ctr(f, "rtp_srtp_ssrc_limit"), 0);
	assert_int_equal(ctr(f, "rtp_dropped_srtp"), 2);
	peer_free(&p);
	peer_free(&core);
}

/* dp tells cp where SRTP stands on its own (an RTP_STATS of req 0): a new
 * SSRC either way at once, then a stream it protects each IPC_SRTP_TELL
 * packets, so that the position a restarted dp is given is never more
 * than the bound behind (lib/ipc's IPC_SRTP_POS_LAG). */
static void
test_srtp_tells_cp_where_streams_stand(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;
	const struct ipc_rtp_stats_msg *x = (const void *)m.body;
	struct ipc_rtp_term a, b;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	term_ue(&a, MEDIA_MIN, true);
	a.latch = IPC_RTP_LATCH_OFF;                 /* (no LATCHED to skip) */
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x2e, 0);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	cp_nothing(f);
	/* the UE's first SSRC */
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 9);
	assert_true(cp_recv(f, &m));
	assert_int_equal(m.h.kind, IPC_RTP_STATS);
	assert_int_equal(m.h.alloc_id, ctx_id(0));
	assert_int_equal(x->req, 0);
	assert_int_equal(x->found, 1);
	assert_int_equal(x->st[0].srtp_rx.nstreams, 1);
	assert_int_equal(x->st[0].srtp_rx.stream[0].ssrc, UE_SSRC);
	assert_int_equal(x->st[0].srtp_rx.stream[0].seq, 9);
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 10);
	cp_nothing(f);
	/* ours: at once, then not until IPC_SRTP_TELL past what was told */
	core_to_ue(f, &p, MEDIA_MIN + 2, false, 1);
	assert_true(cp_recv(f, &m));
	assert_int_equal(m.h.kind, IPC_RTP_STATS);
	assert_int_equal(x->req, 0);
	assert_int_equal(x->st[0].srtp_tx.nstreams, 1);
	assert_int_equal(x->st[0].srtp_tx.stream[0].ssrc, CORE_SSRC);
	assert_int_equal(x->st[0].srtp_tx.stream[0].seq, 1);
	for (uint16_t seq = 2; seq <= IPC_SRTP_TELL; seq++)
		core_to_ue(f, &p, MEDIA_MIN + 2, false, seq);
	cp_nothing(f);
	core_to_ue(f, &p, MEDIA_MIN + 2, false, IPC_SRTP_TELL + 1);
	assert_true(cp_recv(f, &m));
	assert_int_equal(m.h.kind, IPC_RTP_STATS);
	assert_int_equal(x->st[0].srtp_tx.stream[0].seq, IPC_SRTP_TELL + 1);
	assert_int_equal(x->st[0].srtp_rx.stream[0].seq, 10);
	cp_nothing(f);
	peer_free(&p);
}

/* A new key at RTP_MOD (a re-INVITE's a=crypto) makes that direction
 * anew; the same key keeps the stream (no replay let in). A release
 * leaves nothing: the slot's next context with other keys is its own. */
static void
test_srtp_modify_rekeys_and_release_wipes(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct peer p, p2;
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	term_ue(&a, MEDIA_MIN, true);
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x61, 0);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	len = mkpkt(p.send, false, 1, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(ue_in(f, MEDIA_MIN, pk, len));
	/* the same keys, another mode: the replay is still one */
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &a);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_replay"), 1);
	/* new keys: the old stream's packets fail, the new ones go */
	srtp_term(&a, &p2, SRTP_REF_AES_256_CM_HMAC_SHA1_80, 0x71, 0);
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &a);
	len = mkpkt(p.send, false, 2, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 1);
	ue_to_core(f, &p2, MEDIA_MIN, MEDIA_MIN + 2, false, 3);
	core_to_ue(f, &p2, MEDIA_MIN + 2, false, 1);
	/* released; the slot again, another key: p2's packets fail there */
	cp_del(f, ctx_id(0));
	peer_free(&p);
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_32, 0x81, 0);
	cp_add(f, ctx_id(0), &a, &b);
	len = mkpkt(p2.send, false, 4, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_false(ue_in(f, MEDIA_MIN, pk, len));
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 2);
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 1);
	peer_free(&p);
	peer_free(&p2);
}

/* A new receive key alone at RTP_MOD, without a position (a rekeying
 * re-answer): the remote's stream goes on under it from where it stood,
 * past a wrap (RFC 3711 §3.3.1: the ROC is not reset), and our send
 * context, its key unchanged, goes on at its ROC. */
static void
test_srtp_rekey_rx_goes_on(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct srtp_ref_key nk;
	struct peer p, p2;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	term_ue(&a, MEDIA_MIN, true);
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x91, 0);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	/* both streams wrap: ROC 1 */
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 65535);
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 0);
	core_to_ue(f, &p, MEDIA_MIN + 2, false, 65535);
	core_to_ue(f, &p, MEDIA_MIN + 2, false, 0);
	/* the UE's new key, its stream at ROC 1; ours as it was */
	mkkeys(&a.srtp_rx, &nk, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0xb1, 0, 0);
	p2.send = srtp_ref_create(SRTP_REF_OUTBOUND, &nk);
	p2.recv = NULL;
	assert_non_null(p2.send);
	assert_int_equal(srtp_ref_set_roc(p2.send, UE_SSRC, 1), 0);
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &a);
	ue_to_core(f, &p2, MEDIA_MIN, MEDIA_MIN + 2, false, 1);
	ue_to_core(f, &p2, MEDIA_MIN, MEDIA_MIN + 2, false, 2);
	core_to_ue(f, &p, MEDIA_MIN + 2, false, 1);
	core_to_ue(f, &p, MEDIA_MIN + 2, false, 2);
	assert_int_equal(ctr(f, "rtp_srtp_auth"), 0);
	explicit_bzero(&nk, sizeof(nk));
	srtp_ref_free(p2.send);
	peer_free(&p);
}

/* ---- early media: the answerer's termination before its answer ---------------------- */

/* What cp/ng makes for the answerer's side of an offer (cp/ng/FEATURE.md
 * "Early media"): its port pair held on the core address, plain, no
 * remote (no answer named one), taking what its network sends (RECV, not
 * SEND) and latching it as any termination does. */
static void
term_early(struct ipc_rtp_term *t, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	t->profile = IPC_RTP_AVP;
	t->mode = IPC_RTP_MODE_RECV;
	t->latch = IPC_RTP_LATCH_STRICT;       /* (ng's default) */
	t->serial = 2;
	t->local.family = 4;
	memcpy(t->local.ip, CORE4, 4);
	t->local.port = port;
	t->rtcp_port = (uint16_t)(port + 1);
}

/* The answer, as cp/ng sends it: the answerer's remote PEER4:6000,
 * both ways, on the termination held (its profile and ports as made). */
static void
answer_early(struct fix *f, uint64_t id, uint16_t port)
{
	struct ipc_rtp_term b;

	term_early(&b, port);
	b.mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	b.remote.family = 4;
	memcpy(b.remote.ip, PEER4, 4);
	b.remote.port = 6000;
	cp_mod(f, id, IPC_RTP_MOD_TERM, 1, &b);
}

/* Early media racing its 183: the callee (an MRF, from PEER4:6002) sends
 * to the answerer's port after the offer, before any answer: all 5
 * packets reach the offerer (its signalled remote, from its port), the
 * source latched (LATCHED); a stranger then is dropped, the offerer's
 * media goes nowhere (no SEND before the answer), an RTCP compound sent
 * to the RTP port (rtcp-mux not yet agreed) is not taken as RTP. The
 * answer (the callee at PEER4:6000) takes over: the early latch gone, the
 * offerer's media to the answered remote, the answerer latched again
 * from its first packet, the early source now a stranger. */
static void
test_rtp_early_media_before_the_answer(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	uint8_t pk[1500];
	uint16_t len;
	struct out o;
	uint64_t id = ctx_id(0);

	term_ue(&a, MEDIA_MIN, false);
	term_early(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	for (uint16_t seq = 1; seq <= 5; seq++) {
		len = rtp_pkt(pk, 0, seq, seq * 160u, CORE_SSRC, 160, (uint8_t)seq);
		assert_true(relay(f, 1, PEER4, 6002, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
		assert_memory_equal(o.dst, UE4, 4);
		assert_int_equal(o.dport, 5004);
		assert_memory_equal(o.src, ACC4, 4);
		assert_int_equal(o.sport, MEDIA_MIN);
		assert_int_equal(o.len, len);
		assert_memory_equal(o.payload, pk, len);
		assert_true(o.cksum_ok);
	}
	cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	assert_int_equal(e.term, 1);
	assert_memory_equal(e.addr.ip, PEER4, 4);
	assert_int_equal(e.addr.port, 6002);
	/* a stranger, racing the early stream: dropped */
	len = rtp_pkt(pk, 0, 6, 960, 0x0badcafeu, 160, 6);
	assert_false(relay(f, 1, STRANGER4, 6002, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 1);
	/* an RTCP compound (RR first) on the RTP port: RTP's check refuses
	 * it (RFC 3550 A.1: not SR or RR), nothing relayed as RTP */
	len = rtcp_pkt(pk, CORE_SSRC);
	assert_false(relay(f, 1, PEER4, 6002, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	/* RTCP on the RTCP port: to the offerer's RTCP */
	assert_true(relay(f, 1, PEER4, 6003, CORE4, MEDIA_MIN + 3, pk, len, 0, &o));
	assert_int_equal(o.dport, 5005);
	assert_int_equal(o.sport, MEDIA_MIN + 1);
	/* the offerer's media: to no one before the answer */
	assert_false(ue_rtp(f, UE4, 5004, 1, 160, &o));
	assert_int_equal(ctr(f, "rtp_dropped_mode"), 1);
	/* the answer */
	answer_early(f, id, MEDIA_MIN + 2);
	assert_true(ue_rtp(f, UE4, 5004, 2, 160, &o));
	assert_memory_equal(o.dst, PEER4, 4);
	assert_int_equal(o.dport, 6000);
	assert_memory_equal(o.src, CORE4, 4);
	assert_int_equal(o.sport, MEDIA_MIN + 2);
	len = rtp_pkt(pk, 0, 7, 7 * 160u, CORE_SSRC, 160, 7);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	assert_memory_equal(o.dst, UE4, 4);
	do
		cp_event(f, id, IPC_RTP_EV_LATCHED, &e);
	while (e.term != 1 || e.rtcp != 0);
	assert_int_equal(e.addr.port, 6000);
	len = rtp_pkt(pk, 0, 8, 8 * 160u, CORE_SSRC, 160, 8);
	assert_false(relay(f, 1, PEER4, 6002, CORE4, MEDIA_MIN + 2, pk, len, 0, &o));
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 2);
	assert_int_equal(ctr(f, "rtp_relayed_rtp"), 7);
}

/* The offerer speaks SRTP, the answerer was offered plain RTP: its early
 * media reaches the offerer protected under our key to it (the one our
 * answer to it carries), and the stream goes on under that key after the
 * answer without a gap (one SRTP stream, its index from the sequence
 * numbers), what libsrtp unprotects octet for octet. */
static void
test_rtp_early_media_to_an_srtp_offerer(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;
	struct peer p;
	struct out o;
	uint64_t id = ctx_id(0);

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */

	term_ue(&a, MEDIA_MIN, true);
	srtp_term(&a, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x61, 0);
	term_early(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	for (uint16_t seq = 65533; seq != 3; seq++) {
		if (seq == 0)
			answer_early(f, id, MEDIA_MIN + 2);
		len = mkpkt(NULL, false, seq, CORE_SSRC, 160, pk, sizeof(pk), clear, &clen);
		/* (before the answer from where the early media came, after
		 * it from the answered remote) */
		assert_true(relay(f, 1, PEER4, seq >= 65533 ? 6002 : 6000, CORE4, MEDIA_MIN + 2,
				  pk, len, 0, &o));
		assert_memory_equal(o.dst, UE4, 4);
		srtp_clear_is(p.recv, &o, clear, clen);
	}
	assert_int_equal(ctr(f, "rtp_dropped_srtp"), 0);
	assert_int_equal(ctr(f, "rtp_relayed_rtp"), 6);
	peer_free(&p);
}

/* ---- ICE (rtp_ice.c) ------------------------------------------------------------------ */


/* What a check carries beside USERNAME, PRIORITY, ICE-CONTROLLING,
 * MESSAGE-INTEGRITY and FINGERPRINT (each CK_NO_*: without it). */
#define CK_USE          0x001u   /* USE-CANDIDATE */
#define CK_NO_PRIORITY  0x002u
#define CK_CONTROLLED   0x004u   /* ICE-CONTROLLED too */
#define CK_NO_CONTROLLING 0x008u
#define CK_NO_FP        0x010u
#define CK_BAD_FP       0x020u
#define CK_NO_MI        0x040u
#define CK_UNKNOWN      0x080u   /* a comprehension-required attribute no one knows */
#define CK_NO_USER      0x100u
#define CK_INDICATION   0x200u   /* a Binding indication (a keepalive) */
#define CK_RESPONSE     0x400u   /* a success response (no one asked) */
#define CK_UNKNOWN_TYPE 0x0031u

static void
ice_creds(struct ipc_rtp_ice *x, const char *ufrag, const char *pwd, const char *peer)
{
	memset(x, 0, sizeof(*x));
	x->mode = IPC_RTP_ICE_LITE;
	x->ufrag_len = (uint8_t)strlen(ufrag);
	memcpy(x->ufrag, ufrag, x->ufrag_len);
	x->pwd_len = (uint8_t)strlen(pwd);
	memcpy(x->pwd, pwd, x->pwd_len);
	x->peer_ufrag_len = (uint8_t)strlen(peer);
	memcpy(x->peer_ufrag, peer, x->peer_ufrag_len);
}

/* The UE's termination with ICE-lite (rtcp-mux), as a browser's leg. */
static void
term_ice(struct ipc_rtp_term *t, uint16_t port)
{
	term_ue(t, port, true);
	ice_creds(&t->ice, ICE_UFRAG, ICE_PWD, ICE_PEER);
}

/* A context of term_ice(MEDIA_MIN) and term_core(MEDIA_MIN + 2) in slot 0. */
static uint64_t
ctx_ice(struct fix *f)
{
	struct ipc_rtp_term a, b;

	term_ice(&a, MEDIA_MIN);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	return ctx_id(0);
}

/* A Binding request as a controlling agent sends it (RFC 8445 §7.2.4),
 * built by lib/stun (its MESSAGE-INTEGRITY on OpenSSL, its FINGERPRINT
 * on zlib: not dp's), changed as how says; a SOFTWARE makes it long
 * enough for any error answer. Its length. */
static uint16_t
ice_check(uint8_t *b, size_t cap, const char *user, const char *pwd, unsigned int how,
	  uint8_t seed)
{
	static const uint8_t tie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t tid[STUN_TID_LEN];
	struct stun_builder sb;
	int n;

	for (unsigned int i = 0; i < STUN_TID_LEN; i++)
		tid[i] = (uint8_t)(seed * 13u + i);
	stun_build_init(&sb, b, cap, stun_msg_type(STUN_METHOD_BINDING,
						    (how & CK_INDICATION) ? STUN_CLASS_INDICATION :
						    (how & CK_RESPONSE) ? STUN_CLASS_SUCCESS :
						    STUN_CLASS_REQUEST), tid);
	stun_build_str(&sb, STUN_ATTR_SOFTWARE, "test_dp_rtp's controlling agent");
	if (!(how & CK_NO_USER))
		stun_build_str(&sb, STUN_ATTR_USERNAME, user);
	if (!(how & CK_NO_PRIORITY))
		stun_build_u32(&sb, STUN_ATTR_PRIORITY, 0x6e0001ffu);
	if (!(how & CK_NO_CONTROLLING))
		stun_build_attr(&sb, STUN_ATTR_ICE_CONTROLLING, tie, sizeof(tie));
	if (how & CK_CONTROLLED)
		stun_build_attr(&sb, STUN_ATTR_ICE_CONTROLLED, tie, sizeof(tie));
	if (how & CK_USE)
		stun_build_attr(&sb, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	if (how & CK_UNKNOWN)
		stun_build_u32(&sb, CK_UNKNOWN_TYPE, 1);
	if (!(how & CK_NO_MI))
		stun_build_integrity(&sb, (const uint8_t *)pwd, strlen(pwd));
	if (!(how & CK_NO_FP))
		stun_build_fingerprint(&sb);
	n = stun_build_finish(&sb);
	assert_true(n > 0);
	if (how & CK_BAD_FP)
		b[n - 1] ^= 1;
	return (uint16_t)n;
}

/* What dp answered a check: the message as lib/stun reads it. */
struct ice_ans {
	struct out o;
	struct stun_msg msg;
	uint16_t code;               /* an error's */
};

/* The check b (n octets) from (src, sport) to the UE's termination
 * (cksum_delta: a UDP checksum that much wrong): true and *a when dp
 * answered, from the port it reached to the check's source, the same
 * transaction, with a right FINGERPRINT (zlib's, not dp's). */
static bool
ice_send(struct fix *f, const uint8_t *src, uint16_t sport, const uint8_t *b, uint16_t n,
	 uint16_t cksum_delta, struct ice_ans *a)
{
	const struct stun_attr *ec;
	const char *reason;
	uint16_t rlen;

	send_in(f, 0, 4, src, sport, ACC4, MEDIA_MIN, b, n, 0, cksum_delta);
	if (nout(f, 0) == 0)
		return false;
	take_out(f, 0, &a->o);
	assert_int_equal(nout(f, 0), 0);
	assert_memory_equal(a->o.src, ACC4, 4);
	assert_memory_equal(a->o.dst, src, 4);
	assert_int_equal(a->o.sport, MEDIA_MIN);
	assert_int_equal(a->o.dport, sport);
	assert_int_equal(stun_msg_parse(&a->msg, a->o.payload, a->o.len, NULL), 0);
	assert_int_equal(a->msg.method, STUN_METHOD_BINDING);
	assert_memory_equal(a->msg.tid, b + 8, STUN_TID_LEN);
	assert_int_equal(stun_check_fingerprint(&a->msg), STUN_CHECK_VALID);
	a->code = 0;
	if (a->msg.cls == STUN_CLASS_ERROR) {
		ec = stun_msg_find(&a->msg, STUN_ATTR_ERROR_CODE);
		assert_non_null(ec);
		assert_int_equal(stun_attr_get_error(ec, &a->code, &reason, &rlen), 0);
	}
	return true;
}

/* Is a's MESSAGE-INTEGRITY ours (under pwd, by lib/stun's own HMAC)? */
static bool
ice_ans_ours(const struct ice_ans *a, const char *pwd)
{
	return stun_check_integrity(&a->msg, (const uint8_t *)pwd, strlen(pwd)) ==
	       STUN_CHECK_VALID;
}

/* A check (how) from (src, sport) answered with a success whose
 * XOR-MAPPED-ADDRESS is that source, under ICE_PWD. */
static void
ice_ok(struct fix *f, const uint8_t *src, uint16_t sport, unsigned int how, uint8_t seed)
{
	uint8_t b[512];
	struct ice_ans a;
	struct stun_addr xa;
	const struct stun_attr *x;
	uint16_t n = ice_check(b, sizeof(b), ICE_USER, ICE_PWD, how, seed);

	assert_true(ice_send(f, src, sport, b, n, 0, &a));
	assert_int_equal(a.msg.cls, STUN_CLASS_SUCCESS);
	x = stun_msg_find(&a.msg, STUN_ATTR_XOR_MAPPED_ADDRESS);
	assert_non_null(x);
	assert_int_equal(stun_attr_get_addr(&a.msg, x, &xa), 0);
	assert_int_equal(xa.family, STUN_AF_IPV4);
	assert_int_equal(xa.port, sport);
	assert_memory_equal(xa.ip, src, 4);
	assert_true(ice_ans_ours(&a, ICE_PWD));
	assert_false(ice_ans_ours(&a, ICE_PWD "x"));
}

/* RTP from the core: where it went to the UE's side (false: nowhere). */
static bool
core_to(struct fix *f, uint16_t seq, const uint8_t *ip, uint16_t port)
{
	struct out o;

	if (!core_rtp(f, seq, 160, &o))
		return false;
	assert_memory_equal(o.dst, ip, 4);
	assert_int_equal(o.dport, port);
	assert_memory_equal(o.src, ACC4, 4);
	assert_int_equal(o.sport, MEDIA_MIN);
	return true;
}

/* A check answered, its source's media taken, a USE-CANDIDATE nominating
 * where media go (NOMINATED to cp), a later nomination moving them (a
 * browser's new selected pair); nothing before a nomination, not even to
 * the signalled remote, and no media from a source no check passed. */
static void
test_ice_check_answered_nominates_and_moves_media(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_stats_msg x;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_ice(f);

	/* nothing nominated: the core's media go nowhere (the signalled
	 * remote's consent nothing proved), media from anywhere refused */
	assert_false(core_to(f, 1, UE4, 5004));
	assert_int_equal(ctr(f, "rtp_dropped_no_consent"), 1);
	assert_false(ue_rtp(f, UE4, 5004, 1, 160, &o));
	assert_false(ue_rtp(f, NAT4, 7000, 2, 160, &o));
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 2);
	/* a check from where the client is: answered; its media taken */
	ice_ok(f, NAT4, 7000, 0, 1);
	assert_true(ue_rtp(f, NAT4, 7000, 3, 160, &o));
	assert_false(core_to(f, 2, NAT4, 7000));
	cp_nothing(f);
	/* nominated: where the core's media go */
	ice_ok(f, NAT4, 7000, CK_USE, 2);
	cp_event(f, id, IPC_RTP_EV_NOMINATED, &e);
	assert_int_equal(e.term, 0);
	assert_int_equal(e.rtcp, 0);
	assert_int_equal(e.addr.port, 7000);
	assert_memory_equal(e.addr.ip, NAT4, 4);
	assert_int_equal(e.st[0].ice, IPC_RTP_ICE_ON);
	assert_true(core_to(f, 3, NAT4, 7000));
	assert_true(ue_rtp(f, NAT4, 7000, 4, 160, &o));
	/* the same nominated again: nothing new to say */
	ice_ok(f, NAT4, 7000, CK_USE, 3);
	cp_nothing(f);
	/* the peer nominates another pair: media follow */
	ice_ok(f, NAT4, 7002, CK_USE, 4);
	cp_event(f, id, IPC_RTP_EV_NOMINATED, &e);
	assert_int_equal(e.addr.port, 7002);
	assert_true(core_to(f, 4, NAT4, 7002));
	assert_int_equal(ctr(f, "rtp_ice_checks_answered"), 4);
	assert_int_equal(ctr(f, "rtp_ice_nominations"), 2);
	assert_int_equal(ctr(f, "rtp_ice_checks_refused"), 0);
	assert_int_equal(ctr(f, "rtp_latched"), 0);
	cp_stats(f, id, &x);
	assert_int_equal(x.st[0].ice, IPC_RTP_ICE_ON);
	assert_int_equal(x.st[0].ice_checks, 4);
	assert_int_equal(x.st[0].ice_consent_ms, f->w->now_ms);
	assert_int_equal(x.st[0].latched, IPC_RTP_LATCHED_RTP);
	assert_int_equal(x.st[0].rtp_src.port, 7002);
	assert_int_equal(x.st[1].ice, 0);
}

/* RFC 5769 §2.1's request (ICE-CONTROLLED: as a lite agent's peer that
 * takes itself for the controlled one) under its short-term credential:
 * its MESSAGE-INTEGRITY verifies under dp's HMAC (the 487 comes only
 * after), the 487 under the same password; one octet of it changed, 401. */
static void
test_ice_rfc5769_request_known_answer(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	uint8_t req[sizeof(rfc5769_request)];
	struct ice_ans ans;

	term_ue(&a, MEDIA_MIN, true);
	ice_creds(&a.ice, "evtj", "VOkJxbRl1RmTxUk/WvJxBt", "h6vY");
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	memcpy(req, rfc5769_request, sizeof(req));
	assert_true(ice_send(f, NAT4, 7000, req, sizeof(req), 0, &ans));
	assert_int_equal(ans.msg.cls, STUN_CLASS_ERROR);
	assert_int_equal(ans.code, STUN_ERR_ROLE_CONFLICT);
	assert_true(ice_ans_ours(&ans, "VOkJxbRl1RmTxUk/WvJxBt"));
	assert_int_equal(ctr(f, "rtp_ice_refused_role_conflict"), 1);
	assert_int_equal(ctr(f, "rtp_ice_refused_bad_integrity"), 0);
	req[80] ^= 1;                         /* (in MESSAGE-INTEGRITY) */
	/* (FINGERPRINT over the changed octet, so that only the HMAC fails) */
	{
		uint32_t fp = stun_fingerprint(req, 100);

		req[104] = (uint8_t)(fp >> 24);
		req[105] = (uint8_t)(fp >> 16);
		req[106] = (uint8_t)(fp >> 8);
		req[107] = (uint8_t)fp;
	}
	assert_true(ice_send(f, NAT4, 7000, req, sizeof(req), 0, &ans));
	assert_int_equal(ans.code, STUN_ERR_UNAUTHENTICATED);
	assert_null(stun_msg_find(&ans.msg, STUN_ATTR_MESSAGE_INTEGRITY));
	assert_int_equal(ctr(f, "rtp_ice_refused_bad_integrity"), 1);
}

/* Each refusal as RFC 8489 §9.1.3 and RFC 8445 §7.3 say: answered (with
 * MESSAGE-INTEGRITY only once the check proved it knows our password) or
 * dropped, counted by its reason; none takes the source's media. */
static void
test_ice_refusals_each_answered_and_counted(void **state)
{
	static const struct {
		const char *user, *pwd;
		unsigned int how;
		uint16_t cksum_delta;
		uint16_t code;           /* 0: dropped unanswered */
		bool mi;                 /* the answer under our password */
		const char *counter;
	} cases[] = {
		{ ICE_USER, ICE_PWD, CK_NO_USER, 0, 400, false, "rtp_ice_refused_no_username" },
		{ ICE_USER, ICE_PWD, CK_NO_MI, 0, 400, false, "rtp_ice_refused_no_username" },
		{ "zzzz:" ICE_PEER, ICE_PWD, 0, 0, 401, false, "rtp_ice_refused_unknown_ufrag" },
		{ ICE_UFRAG ":abcd", ICE_PWD, 0, 0, 401, false, "rtp_ice_refused_unknown_ufrag" },
		{ ICE_UFRAG "x:" ICE_PEER, ICE_PWD, 0, 0, 401, false,
		  "rtp_ice_refused_unknown_ufrag" },
		{ ICE_UFRAG ":", ICE_PWD, 0, 0, 401, false, "rtp_ice_refused_unknown_ufrag" },
		{ ICE_UFRAG, ICE_PWD, 0, 0, 401, false, "rtp_ice_refused_unknown_ufrag" },
		{ ICE_USER, ICE_PWD "x", 0, 0, 401, false, "rtp_ice_refused_bad_integrity" },
		{ ICE_USER, ICE_PWD, 0, 1, 0, false, "rtp_ice_refused_bad_checksum" },
		{ ICE_USER, ICE_PWD, CK_NO_PRIORITY, 0, 400, true, "rtp_ice_refused_no_priority" },
		{ ICE_USER, ICE_PWD, CK_UNKNOWN, 0, 420, true, "rtp_ice_refused_unknown_attr" },
		{ ICE_USER, ICE_PWD, CK_CONTROLLED, 0, 487, true, "rtp_ice_refused_role_conflict" },
		{ ICE_USER, ICE_PWD, CK_CONTROLLED | CK_NO_CONTROLLING, 0, 487, true,
		  "rtp_ice_refused_role_conflict" },
		{ ICE_USER, ICE_PWD, CK_NO_FP, 0, 0, false, "rtp_ice_refused_no_fingerprint" },
		{ ICE_USER, ICE_PWD, CK_BAD_FP, 0, 0, false, "rtp_ice_refused_bad_fingerprint" },
		{ ICE_USER, ICE_PWD, CK_RESPONSE, 0, 0, false, "rtp_ice_refused_malformed" },
		{ ICE_USER, ICE_PWD, CK_INDICATION | CK_USE, 0, 0, false, "rtp_ice_indications" },
	};
	struct fix *f = *state;
	uint8_t b[512];
	struct ice_ans a;
	struct out o;

	(void)ctx_ice(f);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t before = ctr(f, cases[i].counter);
		uint16_t n = ice_check(b, sizeof(b), cases[i].user, cases[i].pwd,
				       cases[i].how | CK_USE, (uint8_t)i);
		bool got = ice_send(f, NAT4, (uint16_t)(7000 + i), b, n, cases[i].cksum_delta, &a);

		if (got != (cases[i].code != 0))
			fail_msg("case %u (%s): %s", i, cases[i].counter,
				 got ? "answered" : "not answered");
		if (got) {
			assert_int_equal(a.msg.cls, STUN_CLASS_ERROR);
			assert_int_equal(a.code, cases[i].code);
			assert_int_equal(stun_msg_find(&a.msg, STUN_ATTR_MESSAGE_INTEGRITY) != NULL,
					 cases[i].mi);
			if (cases[i].mi)
				assert_true(ice_ans_ours(&a, ICE_PWD));
			if (cases[i].code == 420) {
				uint16_t types[4];
				size_t nt = 0;

				assert_int_equal(stun_attr_get_u16list(
					stun_msg_find(&a.msg, STUN_ATTR_UNKNOWN_ATTRIBUTES), types, 4,
					&nt), 0);
				assert_int_equal(nt, 1);
				assert_int_equal(types[0], CK_UNKNOWN_TYPE);
			}
		}
		if (ctr(f, cases[i].counter) != before + 1)
			fail_msg("case %u: %s not counted", i, cases[i].counter);
		/* nothing nominated, the source's media not taken */
		assert_false(ue_rtp(f, NAT4, (uint16_t)(7000 + i), 1, 160, &o));
	}
	assert_int_equal(ctr(f, "rtp_ice_checks_refused"), 16);
	assert_int_equal(ctr(f, "rtp_ice_checks_answered"), 0);
	assert_int_equal(ctr(f, "rtp_ice_nominations"), 0);
	assert_int_equal(ctr(f, "rtp_dropped_stranger"), 17);
	cp_nothing(f);
	/* and a check with none of it: answered */
	ice_ok(f, NAT4, 7100, 0, 99);
}

/* A stranger's flood: 1,000 checks under a wrong ufrag cost no HMAC and
 * get 20 answers (the termination's error budget), a flood under our
 * ufrag and a wrong password one HMAC each within its budget (100 less
 * the peer's first check), none after; the peer's own checks from its nominated pair keep their own
 * budget, its call's media flow throughout, and a second of quiet
 * refills the budget. */
static void
test_ice_floods_bounded_and_the_call_goes_on(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_event e;
	uint8_t b[512];
	struct ice_ans a;
	struct out o;
	unsigned int answered = 0;
	uint64_t id = ctx_ice(f);

	ice_ok(f, NAT4, 7000, CK_USE, 1);
	cp_event(f, id, IPC_RTP_EV_NOMINATED, &e);
	for (unsigned int i = 0; i < 1000; i++) {
		uint16_t n = ice_check(b, sizeof(b), "xxxx:" ICE_PEER, ICE_PWD, CK_USE, (uint8_t)i);

		answered += ice_send(f, STRANGER4, 9999, b, n, 0, &a);
		if (i % 50 == 0) {
			assert_true(ue_rtp(f, NAT4, 7000, (uint16_t)i, 160, &o));
			assert_true(core_to(f, (uint16_t)i, NAT4, 7000));
		}
	}
	assert_int_equal(answered, RTP_ICE_ERR_BURST);
	assert_int_equal(ctr(f, "rtp_ice_refused_unknown_ufrag"), 1000);
	assert_int_equal(ctr(f, "rtp_ice_errors_unsent"), 1000 - RTP_ICE_ERR_BURST);
	/* our ufrag, a wrong password: an HMAC each while the budget lasts */
	answered = 0;
	for (unsigned int i = 0; i < 1000; i++) {
		uint16_t n = ice_check(b, sizeof(b), ICE_USER, "wrongwrongwrongwrongwr", CK_USE,
				       (uint8_t)i);

		answered += ice_send(f, STRANGER4, 9998, b, n, 0, &a);
		if (i % 50 == 0)
			assert_true(core_to(f, (uint16_t)(1000 + i), NAT4, 7000));
	}
	/* (the error budget was spent; the budget of others' HMACs paid for
	 * the peer's first check too, from a pair not nominated yet) */
	assert_int_equal(answered, 0);
	assert_int_equal(ctr(f, "rtp_ice_refused_bad_integrity"), RTP_ICE_BURST - 1);
	assert_int_equal(ctr(f, "rtp_ice_refused_flood"), 1000 - (RTP_ICE_BURST - 1));
	/* the peer's consent checks from its pair: answered all the same */
	ice_ok(f, NAT4, 7000, 0, 7);
	assert_int_equal(ctr(f, "rtp_ice_nominations"), 1);
	cp_nothing(f);
	/* a second later the budgets have refilled */
	f->w->now_ms += 1000;
	{
		uint16_t n = ice_check(b, sizeof(b), ICE_USER, "wrongwrongwrongwrongwr", 0, 3);

		assert_true(ice_send(f, STRANGER4, 9998, b, n, 0, &a));
		assert_int_equal(a.code, STUN_ERR_UNAUTHENTICATED);
	}
	assert_int_equal(ctr(f, "rtp_ice_refused_bad_integrity"), RTP_ICE_BURST);
}

/* RFC 7675: media to the peer stop agw.ice_consent_ms after its last
 * valid check from the nominated pair, cp told once; what it sends is
 * still taken; its next check brings them back (cp told). */
static void
test_ice_consent_lost_then_regained(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_stats_msg x;
	struct ipc_rtp_event e;
	struct out o;
	uint64_t id = ctx_ice(f);

	ice_ok(f, NAT4, 7000, CK_USE, 1);
	cp_event(f, id, IPC_RTP_EV_NOMINATED, &e);
	/* checks from another source renew nothing of the pair's */
	f->w->now_ms += 20000;
	ice_ok(f, NAT4, 7002, 0, 2);
	f->w->now_ms += ICE_CONSENT - 20000 - 1;
	assert_true(core_to(f, 1, NAT4, 7000));
	cp_nothing(f);
	f->w->now_ms += 1;
	assert_false(core_to(f, 2, NAT4, 7000));
	assert_int_equal(ctr(f, "rtp_dropped_no_consent"), 1);
	f->w->now_ms += 200;                  /* (the sweep's 100 ms pass) */
	cp_event(f, id, IPC_RTP_EV_CONSENT_LOST, &e);
	assert_int_equal(e.term, 0);
	assert_int_equal(e.addr.port, 7000);
	assert_true(e.silent_ms >= ICE_CONSENT && e.silent_ms <= ICE_CONSENT + 400);
	assert_int_equal(e.st[0].ice, IPC_RTP_ICE_ON | IPC_RTP_ICE_LOST);
	f->w->now_ms += 60000;
	cp_nothing(f);
	assert_int_equal(ctr(f, "rtp_ice_consent_lost"), 1);
	assert_false(core_to(f, 3, NAT4, 7000));
	/* the peer's media are still taken (consent is ours to send) */
	assert_true(ue_rtp(f, NAT4, 7000, 1, 160, &o));
	cp_stats(f, id, &x);
	assert_int_equal(x.st[0].ice, IPC_RTP_ICE_ON | IPC_RTP_ICE_LOST);
	/* a valid check from the pair: consent again */
	ice_ok(f, NAT4, 7000, 0, 3);
	cp_event(f, id, IPC_RTP_EV_CONSENT_REGAINED, &e);
	assert_int_equal(e.addr.port, 7000);
	assert_int_equal(e.st[0].ice, IPC_RTP_ICE_ON);
	assert_true(core_to(f, 4, NAT4, 7000));
	assert_int_equal(ctr(f, "rtp_ice_consent_regained"), 1);
}

/* An ICE restart (RFC 8445 §9: new ufrag and password by a modify): the
 * old credentials refused, the nominated pair kept (media go on) until a
 * check under the new ones nominates; a new signalled remote moves
 * nothing; a dp restart's pair (RTP_ADD's nominated) taken at once. */
static void
test_ice_restart_keeps_the_pair_until_new_checks_nominate(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	uint8_t m[512];
	struct ice_ans ans;
	uint16_t n;
	uint64_t id = ctx_ice(f);

	ice_ok(f, NAT4, 7000, CK_USE, 1);
	cp_event(f, id, IPC_RTP_EV_NOMINATED, &e);
	term_ice(&a, MEDIA_MIN);
	ice_creds(&a.ice, "nEw1", "0123456789abcdefABCDEF+/", "");
	a.remote.port = 5008;                 /* (a re-offer's default candidate) */
	cp_mod(f, id, IPC_RTP_MOD_TERM, 0, &a);
	assert_int_equal(ctr(f, "rtp_terms_modified"), 1);
	assert_true(core_to(f, 1, NAT4, 7000));
	/* the old credentials: refused */
	n = ice_check(m, sizeof(m), ICE_USER, ICE_PWD, CK_USE, 2);
	assert_true(ice_send(f, NAT4, 7002, m, n, 0, &ans));
	assert_int_equal(ans.code, STUN_ERR_UNAUTHENTICATED);
	assert_true(core_to(f, 2, NAT4, 7000));
	/* the new ones (the peer's ufrag not known yet: any taken) */
	n = ice_check(m, sizeof(m), "nEw1:whatever", "0123456789abcdefABCDEF+/", 0, 3);
	assert_true(ice_send(f, NAT4, 7000, m, n, 0, &ans));
	assert_int_equal(ans.msg.cls, STUN_CLASS_SUCCESS);
	assert_true(ice_ans_ours(&ans, "0123456789abcdefABCDEF+/"));
	cp_nothing(f);
	n = ice_check(m, sizeof(m), "nEw1:wHat", "0123456789abcdefABCDEF+/", CK_USE, 4);
	assert_true(ice_send(f, NAT4, 7004, m, n, 0, &ans));
	assert_int_equal(ans.msg.cls, STUN_CLASS_SUCCESS);
	cp_event(f, id, IPC_RTP_EV_NOMINATED, &e);
	assert_int_equal(e.addr.port, 7004);
	assert_true(core_to(f, 3, NAT4, 7004));
	cp_del(f, id);
	cp_event(f, id, IPC_RTP_EV_RELEASED, &e);
	/* a restarted dp given the pair nominated before: media at once */
	term_ice(&a, MEDIA_MIN);
	a.ice.nominated.family = 4;
	a.ice.nominated.port = 7004;
	memcpy(a.ice.nominated.ip, NAT4, 4);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(1), &a, &b);
	assert_true(core_to(f, 4, NAT4, 7004));
	f->w->now_ms += ICE_CONSENT;
	assert_false(core_to(f, 5, NAT4, 7004));
}

/* RTCP of a pair is ICE's component 2 (RFC 8445 §2.1): checks on the RTCP
 * port answered from it, its own nomination (NOMINATED of the RTCP flow)
 * and its own consent; RTCP to it goes nowhere before. */
static void
test_ice_rtcp_of_a_pair_is_its_own_component(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_event e;
	struct stun_msg msg;
	uint8_t m[512], r[64];
	struct out o;
	uint16_t n, rn = rtcp_pkt(r, 0x55667788u);
	uint64_t id = ctx_id(0);

	term_ue(&a, MEDIA_MIN, false);
	ice_creds(&a.ice, ICE_UFRAG, ICE_PWD, ICE_PEER);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, id, &a, &b);
	ice_ok(f, NAT4, 7000, CK_USE, 1);
	cp_event(f, id, IPC_RTP_EV_NOMINATED, &e);
	assert_int_equal(e.rtcp, 0);
	assert_true(core_to(f, 1, NAT4, 7000));
	/* the core's RTCP: component 2 not nominated, nowhere */
	send_in(f, 1, 4, PEER4, 6000, CORE4, MEDIA_MIN + 2, r, rn, 0, 0);
	assert_int_equal(nout(f, 0), 0);
	assert_int_equal(ctr(f, "rtp_dropped_no_consent"), 1);
	/* a check on the RTCP port, answered from it, nominating */
	n = ice_check(m, sizeof(m), ICE_USER, ICE_PWD, CK_USE, 2);
	send_in(f, 0, 4, NAT4, 7001, ACC4, MEDIA_MIN + 1, m, n, 0, 0);
	take_out(f, 0, &o);
	assert_int_equal(o.sport, MEDIA_MIN + 1);
	assert_int_equal(o.dport, 7001);
	assert_int_equal(stun_msg_parse(&msg, o.payload, o.len, NULL), 0);
	assert_int_equal(msg.cls, STUN_CLASS_SUCCESS);
	assert_int_equal(stun_check_integrity(&msg, (const uint8_t *)ICE_PWD, strlen(ICE_PWD)),
			 STUN_CHECK_VALID);
	cp_event(f, id, IPC_RTP_EV_NOMINATED, &e);
	assert_int_equal(e.rtcp, 1);
	assert_int_equal(e.addr.port, 7001);
	send_in(f, 1, 4, PEER4, 6000, CORE4, MEDIA_MIN + 2, r, rn, 0, 0);
	take_out(f, 0, &o);
	assert_memory_equal(o.dst, NAT4, 4);
	assert_int_equal(o.dport, 7001);
	assert_int_equal(o.sport, MEDIA_MIN + 1);
	assert_memory_equal(o.payload, r, rn);
	/* each component's consent its own: RTP's renewed, RTCP's lapses */
	f->w->now_ms += ICE_CONSENT - 1000;
	ice_ok(f, NAT4, 7000, 0, 3);
	f->w->now_ms += 1000;
	assert_true(core_to(f, 2, NAT4, 7000));
	send_in(f, 1, 4, PEER4, 6000, CORE4, MEDIA_MIN + 2, r, rn, 0, 0);
	assert_int_equal(nout(f, 0), 0);
	f->w->now_ms += 200;
	cp_event(f, id, IPC_RTP_EV_CONSENT_LOST, &e);
	assert_int_equal(e.rtcp, 1);
	assert_int_equal(e.addr.port, 7001);
	/* (RTP's consent is fresh: its figures say so) */
	assert_int_equal(e.st[0].ice, IPC_RTP_ICE_ON);
}

/* ---- BUNDLE's way out: a section's other side to the group's transport ---------------- */

static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* An RTCP RR of ssrc with one report block on media (RFC 3550 §6.4.2),
 * then an SDES of ssrc: 32 + 8 octets. */
static uint16_t
rr_block_pkt(uint8_t *b, uint32_t ssrc, uint32_t media)
{
	memset(b, 0, 40);
	b[0] = 0x81;
	b[1] = 201;
	b[3] = 7;
	put32(b + 4, ssrc);
	put32(b + 8, media);
	b[32] = 0x81;
	b[33] = 202;
	b[35] = 1;
	put32(b + 36, ssrc);
	return 40;
}

/* What the browser received, protected (the wire): RTP's (SSRC,
 * sequence number) and SRTCP's (SSRC, index), each never twice under the
 * group's one key (RFC 3711 §9.1). */
struct wire {
	unsigned int n;
	uint32_t ssrc[64];
	uint32_t index[64];
	bool rtcp[64];
};

static void
wire_add(struct wire *wr, bool rtcp, uint32_t ssrc, uint32_t index)
{
	for (unsigned int i = 0; i < wr->n; i++)
		if (wr->rtcp[i] == rtcp && wr->ssrc[i] == ssrc && wr->index[i] == index)
			fail_msg("(SSRC %08x, %s index %u) twice on the wire", ssrc,
				 rtcp ? "SRTCP" : "SRTP", index);
	assert_true(wr->n < 64);
	wr->rtcp[wr->n] = rtcp;
	wr->ssrc[wr->n] = ssrc;
	wr->index[wr->n++] = index;
}

/* The core side on core port cport sends seq of ssrc (RTP, or an RR and
 * SDES of ssrc): true when it reached the browser (NAT4:40123, from the
 * owner's ACC4:MEDIA_MIN, DS ds), where lib/srtp_ref's r unprotects it
 * octet for octet; the wire noted. */
static bool
bdl_core(struct fix *f, struct srtp_ref *r, struct wire *wr, uint16_t cport, bool rtcp,
	 uint16_t seq, uint32_t ssrc, uint8_t ds)
{
	uint8_t b[1500], clear[1500];
	uint16_t clen, len = mkpkt(NULL, rtcp, seq, ssrc, 100, b, sizeof(b), clear, &clen);
	struct out o;
	size_t olen;

	if (!relay(f, 1, PEER4, 6000, CORE4, cport, b, len, 0, &o))
		return false;
	assert_memory_equal(o.src, ACC4, 4);
	assert_int_equal(o.sport, MEDIA_MIN);
	assert_memory_equal(o.dst, NAT4, 4);
	assert_int_equal(o.dport, 40123);
	assert_int_equal(o.ds, ds);
	assert_true(o.cksum_ok || o.cksum == 0);
	/* (AES-CM, no MKI: SRTCP's E flag and index before the 10-octet tag) */
	wire_add(wr, rtcp, get32(o.payload + (rtcp ? 4 : 8)),
		 rtcp ? get32(o.payload + o.len - 14) & 0x7fffffffu :
		 (uint32_t)(o.payload[2] << 8 | o.payload[3]));
	olen = o.len;
	assert_int_equal(rtcp ? srtp_ref_unprotect_rtcp(r, o.payload, &olen) :
			 srtp_ref_unprotect(r, o.payload, &olen), SRTP_REF_OK);
	assert_int_equal(olen, clen);
	assert_memory_equal(o.payload, clear, clen);
	return true;
}

/*
 * A group's sections send to its one transport (RFC 9143): each core
 * side's RTP reaches the browser's nominated pair from the owner's
 * address and port, with its own section's DSCP, under its own section's
 * SRTP context (the group's key), libsrtp2 unprotecting every packet;
 * their SRTCP under the owner's context (one SRTCP index for the
 * 5-tuple), so two core sides' RTCP of one SSRC never share an index.
 * The browser's RTCP about video's SSRC (from an SSRC bound to no
 * section) goes to video's side. Consent lost on the owner stops every
 * section, and comes back for all. The owner released first: its
 * member's packets have nowhere to go (bundle_orphaned).
 */
static void
test_bundle_out_to_the_owners_transport(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6;
	struct wire wr = { 0 };
	struct ipc_rtp_event e;
	uint8_t b[1500], clear[1500];
	uint16_t clen;
	size_t len;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	bdl_group_ice(f, 0, &p, true);
	ice_ok(f, NAT4, 40123, CK_USE, 1);
	cp_event(f, ctx_id(0), IPC_RTP_EV_NOMINATED, &e);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 1, A_SSRC, "0"), audio);
	assert_int_equal(bdl_send(f, 0, p.send, 96, 1, V_SSRC, "1"), video);
	/* RTP both ways to the one 5-tuple, each section's DSCP */
	for (uint16_t s = 1; s <= 3; s++) {
		assert_true(bdl_core(f, p.recv, &wr, audio, false, s, CORE_SSRC, 0));
		assert_true(bdl_core(f, p.recv, &wr, video, false, s, CORE_SSRC + 1u, 34 << 2));
	}
	/* RTCP of one SSRC from both core sides: one index sequence */
	assert_true(bdl_core(f, p.recv, &wr, audio, true, 0, 0x7777u, 0));
	assert_true(bdl_core(f, p.recv, &wr, video, true, 0, 0x7777u, 34 << 2));
	assert_true(bdl_core(f, p.recv, &wr, audio, true, 0, 0x7777u, 0));
	/* the browser's receiver report on video's SSRC from an SSRC bound
	 * to none (a receive-only one's): to video's side */
	len = rr_block_pkt(b, 1u, CORE_SSRC + 1u);
	memcpy(clear, b, len);
	clen = (uint16_t)len;
	assert_int_equal(srtp_ref_protect_rtcp(p.send, b, &len, sizeof(b)), SRTP_REF_OK);
	assert_int_equal(bdl_in(f, 0, b, (uint16_t)len, clear, clen), video);
	assert_int_equal(ctr(f, "rtp_bundle_rtcp_report"), 1);
	/* consent lost on the owner: neither section sends; a check from the
	 * pair, and both do again */
	f->w->now_ms += ICE_CONSENT;
	assert_false(bdl_core(f, p.recv, &wr, audio, false, 4, CORE_SSRC, 0));
	assert_false(bdl_core(f, p.recv, &wr, video, false, 4, CORE_SSRC + 1u, 34 << 2));
	assert_int_equal(ctr(f, "rtp_dropped_no_consent"), 2);
	ice_ok(f, NAT4, 40123, 0, 2);
	assert_true(bdl_core(f, p.recv, &wr, audio, false, 5, CORE_SSRC, 0));
	assert_true(bdl_core(f, p.recv, &wr, video, false, 5, CORE_SSRC + 1u, 34 << 2));
	/* the owner released first: video's side has no transport */
	cp_del(f, ctx_id(0));
	assert_false(bdl_core(f, p.recv, &wr, video, false, 6, CORE_SSRC + 1u, 34 << 2));
	assert_int_equal(ctr(f, "rtp_bundle_orphaned"), 1);
	peer_free(&p);
}

/* An SSRC_CLASH of context id to cp within some 6 s of dp's sweeps
 * (each turn's messages taken, 101 ms on between): its body in e. */
static bool
clash_heard(struct fix *f, uint64_t id, struct ipc_rtp_event *e)
{
	static struct ipc_msg m;

	for (unsigned int k = 0; k < 64; k++) {
		if (!cp_recv(f, &m)) {
			f->w->now_ms += 101;
			continue;
		}
		memcpy(e, m.body, sizeof(*e));
		if (m.h.kind == IPC_RTP_EVENT && m.h.alloc_id == id &&
		    e->type == IPC_RTP_EV_SSRC_CLASH)
			return true;
	}
	return false;
}

/*
 * The group's one key makes an SSRC two sections send a two-time pad
 * (RFC 3711 §9.1): each section's SRTP context would protect the same
 * (SSRC, index) under the same keystream. Two SIP phones on the core
 * sides choose their SSRCs apart, so they may choose one: the second
 * section to send an SSRC another already sends has it dropped
 * (bundle_ssrc_clash) and the first goes on, and an SSRC of a section
 * released stays refused to the others under that key: no (SSRC, index)
 * reaches the wire twice (without the rule, audio's and video's index 1
 * of one SSRC would: their ciphertexts' XOR their clear texts').
 */
static void
test_bundle_out_ssrc_clash_dropped(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6;
	struct wire wr = { 0 };
	struct ipc_rtp_event e;
	unsigned int sent = 0;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	bdl_group(f, 0, &p);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 1, A_SSRC, "0"), audio);
	/* both core sides with one SSRC, the same sequence numbers: audio's
	 * first, video's then refused, whatever comes after */
	for (uint16_t s = 1; s <= 4; s++) {
		assert_true(bdl_core(f, p.recv, &wr, audio, false, s, CORE_SSRC, 0));
		sent += bdl_core(f, p.recv, &wr, video, false, s, CORE_SSRC, 34 << 2);
	}
	assert_int_equal(sent, 0);
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_clash"), 4);
	/* cp hears of it: video's context, its access termination, the SSRC,
	 * the four refused; more within RTP_CLASH_TELL_MS wait for it, then
	 * go as one */
	assert_true(clash_heard(f, ctx_id(1), &e));
	assert_int_equal(e.term, 0);
	assert_int_equal(e.ssrc, CORE_SSRC);
	assert_int_equal(e.count, 4);
	assert_false(bdl_core(f, p.recv, &wr, video, false, 5, CORE_SSRC, 34 << 2));
	assert_false(bdl_core(f, p.recv, &wr, video, false, 6, CORE_SSRC, 34 << 2));
	assert_false(clash_heard(f, ctx_id(1), &e));
	f->w->now_ms += RTP_CLASH_TELL_MS;
	assert_true(clash_heard(f, ctx_id(1), &e));
	assert_int_equal(e.count, 2);
	assert_false(clash_heard(f, ctx_id(1), &e));
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_clash"), 6);
	/* video with an SSRC of its own goes */
	assert_true(bdl_core(f, p.recv, &wr, video, false, 5, CORE_SSRC + 1u, 34 << 2));
	/* a third section (mid "2"); video's released: its SSRC stays
	 * refused to the others while the key it was protected under lives */
	{
		struct ipc_rtp_term mem, core;

		bundle_member(&mem, ctx_id(0), "2", 0, 97);
		mem.bundle.nssrc = 0;
		mem.dscp = 34;
		mem.profile = IPC_RTP_SAVPF;
		mem.srtp_rx.suite = mem.srtp_tx.suite = SRTP_REF_AES_CM_128_HMAC_SHA1_80;
		mem.srtp_rx.key_len = mem.srtp_tx.key_len = 30;
		term_core(&core, MEDIA_MIN + 10);
		cp_add(f, ctx_id(2), &mem, &core);
		cp_del(f, ctx_id(1));
	}
	assert_false(bdl_core(f, p.recv, &wr, MEDIA_MIN + 10, false, 6, CORE_SSRC + 1u, 34 << 2));
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_clash"), 7);
	assert_true(bdl_core(f, p.recv, &wr, MEDIA_MIN + 10, false, 6, CORE_SSRC + 2u, 34 << 2));
	assert_int_equal(wr.n, 6);
	peer_free(&p);
}

/*
 * Review F6.4: every section's SRTCP to the browser goes under the
 * owner's context's one index (RFC 9143: one SRTCP index a 5-tuple), so
 * cp must hear where it stands however quiet the owner's own section is:
 * video's core side sends 300 RTCP, audio's none; dp tells cp the
 * owner's positions on its own (an RTP_STATS of req 0 of the owner's
 * context), its SRTCP index out IPC_SRTP_TELL or past. Before, cp heard
 * only at its own asking, paced by the owner's own traffic (up to a
 * minute apart), while a restarted dp resumes CP_AGW_RTP_SRTCP_AHEAD past
 * what cp heard: busy members' feedback could have had indices protected
 * twice under the group's key.
 */
static void
test_bundle_rtcp_tells_owner_index(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6;
	static struct ipc_msg m;
	const struct ipc_rtp_stats_msg *sm = (const void *)m.body;
	uint8_t b[1500], clear[1500];
	uint16_t clen, len;
	unsigned int sent = 0, tells = 0;
	uint32_t told = 0;
	struct peer p;
	struct out o;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	bdl_group(f, 0, &p);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 1, A_SSRC, "0"), audio);
	/* (what is pending goes first: the state at a flush is the state
	 * then) */
	while (cp_recv(f, &m))
		;
	for (uint16_t s = 1; s <= 300; s++) {
		len = mkpkt(NULL, true, s, CORE_SSRC, 100, b, sizeof(b), clear, &clen);
		sent += relay(f, 1, PEER4, 6000, CORE4, video, b, len, 0, &o);
	}
	assert_int_equal(sent, 300);
	while (cp_recv(f, &m))
		if (m.h.kind == IPC_RTP_STATS && m.h.alloc_id == ctx_id(0) && sm->req == 0) {
			told = sm->st[0].srtp_tx.srtcp_index;
			tells++;
		}
	assert_int_equal(tells, 1);
	assert_true(told >= IPC_SRTP_TELL && told <= 300);
	peer_free(&p);
}

/* Member t of the group bdl_group() makes (context 0's), mid, payload type
 * pt, no SSRC signalled, SRTP under the owner's key (no octets of its
 * own), video's DSCP. */
static void
bdl_member_srtp(struct ipc_rtp_term *t, const char *mid, uint8_t pt)
{
	bundle_member(t, ctx_id(0), mid, 0, pt);
	t->bundle.nssrc = 0;
	t->dscp = 34;
	t->profile = IPC_RTP_SAVPF;
	t->srtp_rx.suite = t->srtp_tx.suite = SRTP_REF_AES_CM_128_HMAC_SHA1_80;
	t->srtp_rx.key_len = t->srtp_tx.key_len = 30;
}

/*
 * The clash rule's table is what each section's SRTP context protects:
 * SSRCs dropped before their protect (here no consent: the browser's ICE
 * has nominated no pair yet) hold no place of audio's. Once it has,
 * audio's S is audio's (its context protects it) and video's S the
 * clash, whatever audio's side sent before: no (SSRC, index) twice on
 * the wire (before: the two dropped SSRCs took audio's two places, S was
 * protected unrecorded by audio's context, and video's S recorded and
 * protected too, at the same indices).
 */
static void
test_bundle_out_unprotected_ssrcs_hold_nothing(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6;
	struct wire wr = { 0 };
	unsigned int sent_a = 0, sent_v = 0;
	struct ipc_rtp_event e;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	bdl_group_ice(f, 0, &p, true);
	assert_false(bdl_core(f, p.recv, &wr, audio, false, 1, 0x0a0a0a0au, 0));
	assert_false(bdl_core(f, p.recv, &wr, audio, false, 1, 0x0b0b0b0bu, 0));
	assert_int_equal(ctr(f, "rtp_dropped_no_consent"), 2);
	ice_ok(f, NAT4, 40123, CK_USE, 1);
	cp_event(f, ctx_id(0), IPC_RTP_EV_NOMINATED, &e);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 1, A_SSRC, "0"), audio);
	for (uint16_t s = 1; s <= 4; s++) {
		sent_a += bdl_core(f, p.recv, &wr, audio, false, s, CORE_SSRC, 0);
		sent_v += bdl_core(f, p.recv, &wr, video, false, s, CORE_SSRC, 34 << 2);
	}
	assert_int_equal(sent_a, 4);
	assert_int_equal(sent_v, 0);
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_clash"), 4);
	/* audio's second SSRC goes; its third is its context's refusal */
	assert_true(bdl_core(f, p.recv, &wr, audio, false, 5, CORE_SSRC + 1u, 0));
	assert_false(bdl_core(f, p.recv, &wr, audio, false, 5, CORE_SSRC + 2u, 0));
	assert_int_equal(ctr(f, "rtp_srtp_ssrc_limit"), 1);
	/* which video may send then (audio's context never protected it) */
	assert_true(bdl_core(f, p.recv, &wr, video, false, 6, CORE_SSRC + 2u, 34 << 2));
	assert_int_equal(wr.n, 6);
	peer_free(&p);
}

/*
 * The clash rule across a dp restart (cp installs each context again as
 * it holds it: its RTP_STATE, the send positions it heard, a keyed
 * owner's SRTCP index moved on as cp/agw's keys_carry() does): video's S
 * stays video's, so a third section's S, first after the restart, is
 * dropped, not protected from indices video used under the key; T, which
 * a released section sent (cp carries no gone list), is refused to a new
 * section; video's S goes on past its floor. No (SSRC, index) twice on
 * the wire (before: the third section's S and the new section's T were
 * protected from index 1 again).
 */
static void
test_bundle_out_clash_survives_dp_restart(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6, third = MEDIA_MIN + 10,
		       fourth = MEDIA_MIN + 14;
	static struct ipc_rtp_state x0, x1, x2;
	struct ipc_rtp_term mem, core;
	struct wire wr = { 0 };
	unsigned int sent = 0;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	bdl_group(f, 0, &p);
	bdl_member_srtp(&mem, "2", 97);
	term_core(&core, third);
	cp_add(f, ctx_id(2), &mem, &core);
	bdl_member_srtp(&mem, "3", 98);
	term_core(&core, fourth);
	cp_add(f, ctx_id(3), &mem, &core);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 1, A_SSRC, "0"), audio);
	for (uint16_t s = 1; s <= 4; s++) {
		assert_true(bdl_core(f, p.recv, &wr, video, false, s, CORE_SSRC, 34 << 2));
		sent += bdl_core(f, p.recv, &wr, third, false, s, CORE_SSRC, 34 << 2);
		assert_true(bdl_core(f, p.recv, &wr, fourth, false, s, CORE_SSRC + 3u, 34 << 2));
	}
	assert_int_equal(sent, 0);
	cp_del(f, ctx_id(3));
	bundle_state(f, ctx_id(0), &x0);
	bundle_state(f, ctx_id(1), &x1);
	bundle_state(f, ctx_id(2), &x2);
	assert_int_equal(x1.ctx.term[0].srtp_tx.nstreams, 1);
	assert_int_equal(x1.ctx.term[0].srtp_tx.stream[0].ssrc, CORE_SSRC);
	assert_int_equal(x2.ctx.term[0].srtp_tx.nstreams, 0);
	/* dp restarted: the members first gone, then the owner; installed
	 * again owner first */
	cp_del(f, ctx_id(2));
	cp_del(f, ctx_id(1));
	cp_del(f, ctx_id(0));
	assert_int_equal(ctr(f, "rtp_contexts"), 0);
	x0.ctx.term[0].srtp_tx.srtcp_index += 4096u;
	cp_add(f, ctx_id(0), &x0.ctx.term[0], &x0.ctx.term[1]);
	cp_add(f, ctx_id(1), &x1.ctx.term[0], &x1.ctx.term[1]);
	cp_add(f, ctx_id(2), &x2.ctx.term[0], &x2.ctx.term[1]);
	bdl_member_srtp(&mem, "4", 98);
	term_core(&core, fourth);
	cp_add(f, ctx_id(3), &mem, &core);
	assert_int_equal(ctr(f, "rtp_contexts"), 4);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 2, A_SSRC, "0"), audio);
	for (uint16_t s = 1; s <= 4; s++) {
		sent += bdl_core(f, p.recv, &wr, third, false, s, CORE_SSRC, 34 << 2);
		sent += bdl_core(f, p.recv, &wr, fourth, false, s, CORE_SSRC + 3u, 34 << 2);
	}
	assert_int_equal(sent, 0);
	assert_true(bdl_core(f, p.recv, &wr, video, false, 5 + IPC_SRTP_POS_LAG, CORE_SSRC,
			     34 << 2));
	peer_free(&p);
}

/*
 * A member's modify (a re-offer's mode) keeps the key shape dp gave it:
 * the owner's suite with no octet (bundle_member_keys()), whatever cp's
 * modify carries (all zero, as cp makes a DTLS-SRTP owner's member at its
 * create); so a restarted cp's RTP_STATE of it passes lib/ipc's checks
 * (before: cp's suite 0 with dp's stream, refused by ipc_msg_check(), and
 * the new cp never knew the member).
 */
static void
test_bundle_member_modify_keeps_its_key_shape(void **state)
{
	struct fix *f = *state;
	static struct ipc_rtp_state x;
	struct ipc_rtp_term own, core, mem;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	term_ue(&own, MEDIA_MIN, true);
	srtp_term(&own, &p, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x33, 0);
	bundle_owner(&own, A_SSRC);
	term_core(&core, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &own, &core);
	bundle_member(&mem, ctx_id(0), "1", 0, 96);
	mem.bundle.nssrc = 0;
	mem.profile = IPC_RTP_SAVPF;
	term_core(&core, MEDIA_MIN + 6);
	cp_add(f, ctx_id(1), &mem, &core);
	assert_int_equal(ctr(f, "rtp_contexts"), 2);
	assert_int_equal(bdl_send(f, 0, p.send, 96, 1, V_SSRC, "1"), MEDIA_MIN + 6);
	mem.mode = IPC_RTP_MODE_RECV;
	cp_mod(f, ctx_id(1), IPC_RTP_MOD_TERM, 0, &mem);
	assert_int_equal(ctr(f, "rtp_terms_modified"), 1);
	bundle_state(f, ctx_id(1), &x);
	assert_int_equal(x.ctx.term[0].srtp_rx.suite, SRTP_REF_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(x.ctx.term[0].srtp_rx.nstreams, 1);
	assert_int_equal(x.ctx.term[0].srtp_rx.stream[0].ssrc, V_SSRC);
	assert_int_equal(x.ctx.term[0].mode, IPC_RTP_MODE_RECV);
	peer_free(&p);
}

/*
 * A released section's SSRCs are not replayed into a new one under the
 * same key: the browser's video (SSRC X, MID then none) released, a new
 * section of video's payload type added (a re-offer's new transceiver);
 * a captured MID-less packet of X is dropped (bundle_ssrc_released), not
 * taken by the new section's fresh replay window (before: it reached the
 * new section's core side); a new SSRC of that payload type goes to the
 * new section.
 */
static void
test_bundle_in_released_ssrc_not_replayed(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6, third = MEDIA_MIN + 10;
	struct ipc_rtp_term mem, core;
	uint8_t b[1500], clear[1500], k[1500];
	uint16_t clen, len;
	struct out o;
	struct peer p;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	bdl_group(f, 0, &p);
	assert_int_equal(bdl_send(f, 0, p.send, 0, 1, A_SSRC, "0"), audio);
	assert_int_equal(bdl_send(f, 0, p.send, 96, 1, V_SSRC, "1"), video);
	assert_int_equal(bdl_send(f, 0, p.send, 96, 2, V_SSRC, NULL), video);
	len = bdl_rtp(p.send, 96, 3, V_SSRC, NULL, 120, b, clear, &clen);
	memcpy(k, b, len);
	assert_int_equal(bdl_in(f, 0, b, len, clear, clen), video);
	cp_del(f, ctx_id(1));
	bdl_member_srtp(&mem, "2", 96);
	term_core(&core, third);
	cp_add(f, ctx_id(2), &mem, &core);
	assert_false(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, k, len, 1, &o));
	assert_int_equal(ctr(f, "rtp_bundle_ssrc_released"), 1);
	assert_int_equal(bdl_send(f, 0, p.send, 96, 1, V_SSRC + 7u, NULL), third);
	peer_free(&p);
}

/* ---- DTLS-SRTP: dp/dtls_srtp's module through dp/rtp's seam ------------------------------ */

static struct tls_cred *browser;     /* the OpenSSL client's certificate */
static struct dgq b_in, b_out;       /* what dp sent it, what it sends */

static int
setup_dtls(void **state)
{
	char err[256];

	if (browser == NULL) {
		browser = tls_cred_generate(NULL, "browser", 2u * 86400u, err, sizeof(err));
		assert_non_null(browser);
		dgq_setup();
	}
	with_dtls = true;
	return setup(state);
}

/* The UE's side a WebRTC client's: rtcp-mux, SAVPF, our DTLS server for
 * its ClientHello, its certificate's sha-256 fingerprint, association 1;
 * no keys (its handshake's). */
static void
term_webrtc(struct ipc_rtp_term *t, uint16_t port)
{
	struct certfp fp;

	term_ue(t, port, true);
	t->profile = IPC_RTP_SAVPF;
	t->dtls.role = IPC_RTP_DTLS_SERVER;
	t->dtls.nfp = 1;
	t->dtls.profiles = IPC_RTP_DTLS_P_AES128_CM_80;
	t->dtls.cert_gen = 1;
	t->dtls.assoc = 1;
	assert_int_equal(certfp_of_x509(browser->cert, CERTFP_SHA256, &fp), 0);
	t->dtls.fp[0].alg = fp.alg;
	t->dtls.fp[0].len = fp.len;
	memcpy(t->dtls.fp[0].md, fp.md, fp.len);
}

/* The browser: OpenSSL's DTLS client offering SRTP_AES128_CM_SHA1_80. */
static SSL *
browser_new(SSL_CTX **cx)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80", .cert = browser->cert,
			       .key = browser->key };

	memset(&b_in, 0, sizeof(b_in));
	memset(&b_out, 0, sizeof(b_out));
	*cx = peer_ctx(true, &o);
	assert_non_null(*cx);
	return peer_ssl(*cx, true, &o, &b_in, &b_out);
}

/* The handshake through dp's input: the browser's datagrams from
 * NAT4:40123 to the termination's port, what dp sent back out of the
 * access port (from that port) to the browser, the worker's clock a ms a
 * round. True when the browser is done and nothing moves. */
static bool
dtls_run(struct fix *f, SSL *s, uint16_t port)
{
	static uint8_t d[2048];
	struct out o;
	size_t n;

	for (unsigned int round = 0; round < 64; round++) {
		int rc = SSL_do_handshake(s);
		bool moved = false;

		while ((n = dgq_pop(&b_out, d, sizeof(d))) > 0) {
			send_in(f, 0, 4, NAT4, 40123, ACC4, port, d, (uint16_t)n, 0, 0);
			moved = true;
		}
		f->w->now_ms++;
		dtls_srtp_clock(f->w, f->w->now_ms);
		while (nout(f, 0) > 0) {
			take_out(f, 0, &o);
			assert_int_equal(o.sport, port);
			assert_int_equal(o.dport, 40123);
			assert_memory_equal(o.dst, NAT4, 4);
			dgq_push(&b_in, o.payload, o.len);
			moved = true;
		}
		if (rc == 1 && !moved)
			return true;
	}
	return false;
}

/* The next RTP_DTLS to cp (both modules' sweeps; SRTP's positions and
 * latches told meanwhile skipped): its body. */
static void
cp_dtls(struct fix *f, uint64_t id, struct ipc_rtp_dtls_ev *e)
{
	static struct ipc_msg m;

	__atomic_store_n(&f->ctx->ipc.shm->cp_heartbeat_ms, f->w->now_ms, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < 8; i++) {
		rtp_sweep(f->w, 0);
		dtls_srtp_dp_module.sweep(f->w, 0);
		while (ipc_ring_dequeue(&f->w->cp.rings->to_cp, &m) == 1) {
			assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
			if (m.h.kind != IPC_RTP_DTLS)
				continue;
			assert_int_equal(m.h.alloc_id, id);
			memcpy(e, m.body, sizeof(*e));
			return;
		}
	}
	fail_msg("no RTP_DTLS");
}

/* The browser's SRTP sessions from its own export (RFC 5764 §4.2): it
 * protects with its tx (dp's rx), unprotects with its rx (dp's tx). */
static void
browser_srtp(SSL *s, struct peer *p, uint8_t tx[30], uint8_t rx[30])
{
	struct srtp_ref_key k;

	peer_keys(s, true, 16, 14, tx, rx);
	memset(&k, 0, sizeof(k));
	k.suite = SRTP_REF_AES_CM_128_HMAC_SHA1_80;
	memcpy(k.key, tx, 16);
	memcpy(k.salt, tx + 16, 14);
	p->send = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
	memcpy(k.key, rx, 16);
	memcpy(k.salt, rx + 16, 14);
	p->recv = srtp_ref_create(SRTP_REF_INBOUND, &k);
	srtp_ref_key_wipe(&k);
	assert_non_null(p->send);
	assert_non_null(p->recv);
}

/* The browser gone: its sessions, its keys wiped, its SSL; the context
 * released. */
static void
browser_end(struct fix *f, struct peer *p, uint8_t tx[30], uint8_t rx[30], SSL *s, SSL_CTX *cx)
{
	peer_free(p);
	OPENSSL_cleanse(tx, 30);
	OPENSSL_cleanse(rx, 30);
	SSL_free(s);
	SSL_CTX_free(cx);
	cp_del(f, ctx_id(0));
}

/* A browser's context up: term_webrtc(MEDIA_MIN) and term_core(MEDIA_MIN
 * + 2) as context 0 (a, b), its handshake through dp's input, the
 * browser's SRTP sessions (p, tx, rx), RTP_DTLS up to cp (e). */
static void
webrtc_up(struct fix *f, struct ipc_rtp_term *a, struct ipc_rtp_term *b, SSL **s, SSL_CTX **cx,
	  struct peer *p, uint8_t tx[30], uint8_t rx[30], struct ipc_rtp_dtls_ev *e)
{
	term_webrtc(a, MEDIA_MIN);
	term_core(b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), a, b);
	*s = browser_new(cx);
	assert_true(dtls_run(f, *s, MEDIA_MIN));
	browser_srtp(*s, p, tx, rx);
	cp_dtls(f, ctx_id(0), e);
	assert_int_equal(e->state, IPC_RTP_DTLS_UP);
}

/*
 * A WebRTC termination whose keys come from DTLS-SRTP: before its
 * handshake SRTP is dropped both ways (no_key); the browser's ClientHello
 * through dp's input reaches dp/dtls_srtp (our server), the handshake
 * ends with the keys in the termination's SRTP and in RTP_DTLS (up, the
 * browser's exported keys as dp's rx and tx); then the browser's SRTP
 * and SRTCP relay to the core in the clear and the core's RTP to it
 * protected, byte-exact against lib/srtp_ref (libsrtp2) keyed by the
 * browser's own export; the first SRTP ends the SSL's linger.
 */
static void
test_dtls_srtp_keys_from_the_handshake(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_dtls_ev e;
	struct peer early, p;
	struct out o;
	uint8_t tx[30], rx[30], pkt[1500], clear[1500];
	uint16_t clen, len;
	SSL_CTX *cx;
	SSL *s;

	term_webrtc(&a, MEDIA_MIN);
	term_core(&b, MEDIA_MIN + 2);
	cp_add(f, ctx_id(0), &a, &b);
	/* no keys yet: SRTP from the browser and RTP to it go nowhere */
	srtp_term(&a, &early, 1, 0x31, 0);
	len = mkpkt(early.send, false, 1, UE_SSRC, 160, pkt, sizeof(pkt), clear, &clen);
	assert_false(relay(f, 0, NAT4, 40123, ACC4, MEDIA_MIN, pkt, len, 1, &o));
	assert_int_equal(ctr(f, "rtp_srtp_no_key"), 1);
	len = mkpkt(NULL, false, 1, CORE_SSRC, 160, pkt, sizeof(pkt), clear, &clen);
	assert_false(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pkt, len, 0, &o));
	assert_int_equal(ctr(f, "rtp_srtp_no_key"), 2);
	peer_free(&early);
	/* the handshake through dp's input */
	s = browser_new(&cx);
	assert_true(dtls_run(f, s, MEDIA_MIN));
	assert_int_equal(ctr(f, "rtp_dropped_dtls"), 0);
	assert_int_equal(f->w->dtls_srtp->ctr[DTLS_SRTP_CTR_HANDSHAKES_SERVER], 1);
	assert_int_equal(f->w->dtls_srtp->ctr[DTLS_SRTP_CTR_KEYS_INSTALLED], 1);
	browser_srtp(s, &p, tx, rx);
	cp_dtls(f, ctx_id(0), &e);
	assert_int_equal(e.term, 0);
	assert_int_equal(e.state, IPC_RTP_DTLS_UP);
	assert_int_equal(e.role, IPC_RTP_DTLS_SERVER);
	assert_int_equal(e.profile, 1);
	assert_int_equal(e.matched, 0);
	assert_int_equal(e.serial, 1);
	assert_int_equal(e.assoc, 1);
	assert_int_equal(e.rx.suite, 1);
	assert_int_equal(e.rx.key_len, 30);
	assert_memory_equal(e.rx.key, tx, 30);
	assert_memory_equal(e.tx.key, rx, 30);
	/* SRTP both ways, RTCP too (rtcp-mux) */
	for (uint16_t seq = 1; seq <= 3; seq++) {
		ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, seq);
		core_to_ue(f, &p, MEDIA_MIN + 2, false, seq);
	}
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, true, 0);
	core_to_ue(f, &p, MEDIA_MIN + 2, true, 0);
	assert_int_equal(f->w->dtls_srtp->ctr[DTLS_SRTP_CTR_LINGER_SRTP], 1);
	assert_int_equal(ctr(f, "rtp_srtp_no_key"), 2);
	browser_end(f, &p, tx, rx, s, cx);
}

/*
 * The association's keys are dp's: a modify of the same association
 * (another DSCP, no keys) changes what it says and keeps dp's keys (the
 * browser's SRTP still relays both ways); a restarted cp's SYNC gets them
 * in RTP_STATE, flagged the association's.
 */
static void
test_dtls_srtp_same_association_keeps_keys(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_dtls_ev e;
	struct peer p;
	struct out o;
	uint8_t tx[30], rx[30], pkt[1500], clear[1500];
	uint16_t clen, len;
	uint64_t tsc = 0;
	bool done = false;
	SSL_CTX *cx;
	SSL *s;

	webrtc_up(f, &a, &b, &s, &cx, &p, tx, rx, &e);
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 1);
	/* the same association, modified: another DSCP, no keys */
	a.dscp = 34;
	cp_mod(f, ctx_id(0), IPC_RTP_MOD_TERM, 0, &a);
	assert_int_equal(ctr(f, "rtp_term_changes_refused"), 0);
	ue_to_core(f, &p, MEDIA_MIN, MEDIA_MIN + 2, false, 2);
	len = mkpkt(NULL, false, 2, CORE_SSRC, 160, pkt, sizeof(pkt), clear, &clen);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, MEDIA_MIN + 2, pkt, len, 0, &o));
	assert_int_equal(o.ds >> 2, 34);
	srtp_clear_is(p.recv, &o, clear, clen);
	assert_int_equal(f->w->dtls_srtp->ctr[DTLS_SRTP_CTR_HANDSHAKES_SERVER], 1);
	/* a restarted cp hears the keys in the context's state */
	while (ipc_ring_dequeue(&f->w->cp.rings->to_cp, &m) == 1)
		;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_SYNC;
	m.h.alloc_id = 3;
	cp_send(f, &m);
	f->ctx->tsc_hz = 1000000u;
	for (unsigned int step = 0; step < 16 && !done; step++) {
		tsc += 1000;
		dp_cp_sync_step(f->w, tsc);
		while (ipc_ring_dequeue(&f->w->cp.rings->to_cp, &m) == 1) {
			const struct ipc_rtp_state *x = (const void *)m.body;

			assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
			if (m.h.kind != IPC_RTP_STATE)
				continue;
			assert_int_equal(m.h.alloc_id, ctx_id(0));
			assert_int_equal(x->ctx.term[0].dtls.role, IPC_RTP_DTLS_SERVER);
			assert_int_equal(x->ctx.term[0].dtls.assoc, 1);
			assert_int_equal(x->ctx.term[0].dscp, 34);
			assert_true(x->ctx.term[0].dtls.flags & IPC_RTP_DTLS_F_KEYS);
			assert_memory_equal(x->ctx.term[0].srtp_rx.key, tx, 30);
			assert_memory_equal(x->ctx.term[0].srtp_tx.key, rx, 30);
			done = true;
		}
	}
	assert_true(done);
	browser_end(f, &p, tx, rx, s, cx);
}

/*
 * A restarted dp's termination: cp's RTP_ADD brings the association's keys
 * (IPC_RTP_DTLS_F_KEYS, what RTP_DTLS UP gave cp). It is up at its
 * install: the browser's SRTP relays under them both ways, and no
 * handshake starts (the browser's ClientHello is hello_unexpected): the
 * browser's association goes on (RFC 8842).
 */
static void
test_dtls_srtp_restored_keys_no_handshake(void **state)
{
	struct fix *f = *state;
	struct ipc_rtp_term a, b;
	struct ipc_rtp_dtls_ev e;
	struct peer p;
	uint8_t tx[30], rx[30], d[2048];
	uint64_t hs, hu;
	SSL_CTX *cx, *cx2;
	SSL *s, *s2;
	size_t n;

	webrtc_up(f, &a, &b, &s, &cx, &p, tx, rx, &e);
	/* as cp installs it in a restarted dp: the keys it kept, flagged */
	term_webrtc(&a, MEDIA_MIN + 4);
	term_core(&b, MEDIA_MIN + 6);
	a.srtp_rx = e.rx;
	a.srtp_tx = e.tx;
	a.dtls.flags |= IPC_RTP_DTLS_F_KEYS;
	hs = f->w->dtls_srtp->ctr[DTLS_SRTP_CTR_HANDSHAKES_SERVER];
	cp_add(f, ctx_id(1), &a, &b);
	assert_int_equal(ctr(f, "rtp_term_changes_refused"), 0);
	ue_to_core(f, &p, MEDIA_MIN + 4, MEDIA_MIN + 6, false, 1);
	core_to_ue(f, &p, MEDIA_MIN + 6, false, 1);
	ue_to_core(f, &p, MEDIA_MIN + 4, MEDIA_MIN + 6, true, 0);
	/* the browser's ClientHello (a new SSL): not taken, nothing started */
	s2 = browser_new(&cx2);
	assert_int_equal(SSL_do_handshake(s2), -1);
	n = dgq_pop(&b_out, d, sizeof(d));
	assert_true(n > 0);
	hu = f->w->dtls_srtp->ctr[DTLS_SRTP_CTR_HELLO_UNEXPECTED];
	send_in(f, 0, 4, NAT4, 40123, ACC4, MEDIA_MIN + 4, d, (uint16_t)n, 0, 0);
	assert_int_equal(f->w->dtls_srtp->ctr[DTLS_SRTP_CTR_HELLO_UNEXPECTED], hu + 1);
	assert_int_equal(f->w->dtls_srtp->ctr[DTLS_SRTP_CTR_HANDSHAKES_SERVER], hs);
	SSL_free(s2);
	SSL_CTX_free(cx2);
	explicit_bzero(&e, sizeof(e));
	explicit_bzero(&a, sizeof(a));
	cp_del(f, ctx_id(1));
	browser_end(f, &p, tx, rx, s, cx);
}

/* ---- lawful interception (rtp_li.c, docs/design/li.md §4) ------------------------------- */

/* w's ring of copies to tp-li (dp/li), as li_setup() makes it. */
static struct li_ring *
li_ring_new(struct dp_worker *w)
{
	struct li_ring *r = rte_zmalloc("li_ring", sizeof(*r), RTE_CACHE_LINE_SIZE);

	assert_non_null(r);
	r->slots = rte_zmalloc("li_slots", (size_t)LI_RING_SLOTS * LI_SLOT_SIZE,
			       RTE_CACHE_LINE_SIZE);
	assert_non_null(r->slots);
	w->li = r;
	return r;
}

static void
li_ring_gone(struct dp_worker *w)
{
	rte_free(w->li->slots);
	rte_free(w->li);
	w->li = NULL;
}

/* The copy in slot k of r. */
static const struct li_copy *
li_slot(const struct li_ring *r, uint32_t k)
{
	return (const struct li_copy *)(const void *)(r->slots +
		(size_t)(k & (LI_RING_SLOTS - 1)) * LI_SLOT_SIZE);
}

/* RTP_TAP of context id: on (target's termination term, XID xid0..., the
 * correlation, one destination) or off. */
static void
cp_tap(struct fix *f, uint64_t id, bool on, uint8_t term, uint8_t xid0, uint64_t corr)
{
	static struct ipc_msg m;
	struct ipc_rtp_tap *x = (struct ipc_rtp_tap *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_TAP;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	if (on) {
		x->tap.on = 1;
		x->tap.ndest = 1;
		x->tap.correlation = corr;
		x->tap.xid[0] = xid0;
		x->tap.dest[0].family = 4;
		x->tap.dest[0].ip[0] = 127;
		x->tap.dest[0].ip[3] = 1;
		x->tap.dest[0].port = 7443;
		x->term = term;
	}
	cp_send(f, &m);
}

/* The copy's addresses and ports (IPv4) are these. */
static void
li_leg_is(const struct li_copy *c, const uint8_t *src, uint16_t sport, const uint8_t *dst,
	  uint16_t dport)
{
	assert_int_equal(c->family, 4);
	assert_memory_equal(c->src, src, 4);
	assert_int_equal(c->sport, sport);
	assert_memory_equal(c->dst, dst, 4);
	assert_int_equal(c->dport, dport);
}

/* A tapped SRTP-SRTP context: each RTP packet relayed either way is
 * copied once, in the clear (after the unprotect, before the other
 * side's protect), format 8, from the target's side direction 3 and to
 * it 2, the target's leg's addresses either way, the sequence one a copy,
 * the task's XID and correlation; RTCP is not copied; an untapped
 * context beside it never is; RTP_TAP off stops the copies and a
 * termination added later takes the context's tap. Copies need an li
 * group (a ring): without one the tap is refused. */
static void
test_rtp_li_tap_copies_the_clear_rtp_both_ways(void **state)
{
	struct fix *f = *state;
	uint16_t port = MEDIA_MIN, port2 = (uint16_t)(MEDIA_MIN + 8);
	struct ipc_rtp_term a, b, a2, b2;
	struct peer ue, core;
	uint8_t pk[1500], clear[1500];
	uint16_t clen, len;
	struct li_ring *r;
	const struct li_copy *c;
	struct out o;
	uint32_t head;

	if (rtp_srtp_builtin() == NULL)
		skip();     /* (built without libipsec-mb, or no AES-NI) */
	term_ue(&a, port, true);
	srtp_term(&a, &ue, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 0x10, 0);
	term_core(&b, (uint16_t)(port + 2u));
	srtp_term(&b, &core, SRTP_REF_AES_256_CM_HMAC_SHA1_32, 0x90, 0);
	cp_add(f, ctx_id(0), &a, &b);
	/* another context, in the clear, untapped */
	term_ue(&a2, port2, true);
	term_core(&b2, (uint16_t)(port2 + 2u));
	cp_add(f, ctx_id(1), &a2, &b2);
	/* no li group: refused, nothing marked */
	cp_tap(f, ctx_id(0), true, 0, 0x5a, 77);
	r = li_ring_new(f->w);
	len = mkpkt(ue.send, false, 1, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, port, pk, len, 1, &o));
	assert_int_equal(r->head, 0);
	cp_tap(f, ctx_id(0), true, 0, 0x5a, 77);
	for (uint16_t seq = 2; seq < 6; seq++) {
		size_t olen;

		/* from the target (the UE's termination) */
		head = r->head;
		len = mkpkt(ue.send, false, seq, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
		assert_true(relay(f, 0, NAT4, 40123, ACC4, port, pk, len, 1, &o));
		assert_int_equal(r->head, head + 1);
		c = li_slot(r, head);
		assert_int_equal(c->format, LI_COPY_RTP);
		assert_int_equal(c->dir, LI_COPY_FROM_TARGET);
		assert_int_equal(c->len, clen);
		assert_memory_equal(c + 1, clear, clen);
		li_leg_is(c, NAT4, 40123, ACC4, port);
		assert_int_equal(c->seq, 2u * (seq - 2u) + 1u);
		assert_int_equal(c->xid[0], 0x5a);
		assert_int_equal(c->correlation, 77);
		assert_int_equal(c->ndest, 1);
		assert_int_equal(c->dest[0].port, 7443);
		/* what went on is the core's SRTP all the same */
		olen = o.len;
		assert_int_equal(srtp_ref_unprotect(core.recv, o.payload, &olen), SRTP_REF_OK);
		assert_int_equal(olen, clen);
		/* to the target: the core's SRTP, copied in the clear, the
		 * leg from our UE-side address to the latched source */
		len = mkpkt(core.send, false, seq, CORE_SSRC, 160, pk, sizeof(pk), clear, &clen);
		assert_true(relay(f, 1, PEER4, 6000, CORE4, port + 2u, pk, len, 0, &o));
		assert_int_equal(r->head, head + 2);
		c = li_slot(r, head + 1);
		assert_int_equal(c->dir, LI_COPY_TO_TARGET);
		assert_int_equal(c->len, clen);
		assert_memory_equal(c + 1, clear, clen);
		li_leg_is(c, ACC4, port, NAT4, 40123);
		assert_int_equal(c->seq, 2u * (seq - 2u) + 2u);
		srtp_clear_is(ue.recv, &o, clear, clen);
	}
	/* RTCP (SRTCP here) relayed, not copied */
	head = r->head;
	len = mkpkt(ue.send, true, 0, UE_SSRC, 0, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, port, pk, len, 1, &o));
	assert_int_equal(r->head, head);
	/* the untapped context relays and copies nothing */
	len = rtp_pkt(pk, 0, 1, 160u, UE_SSRC, 20, 1);
	assert_true(relay(f, 0, UE4, 5004, ACC4, port2, pk, len, 1, &o));
	assert_int_equal(r->head, head);
	/* a full ring: the copy dropped and counted, the packet relayed */
	r->head = r->tail + LI_RING_SLOTS;
	r->tail_seen = r->tail;
	len = mkpkt(ue.send, false, 9, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, port, pk, len, 1, &o));
	assert_int_equal(r->ctr[LI_CTR_RING_FULL], 1);
	r->head = r->tail = r->tail_seen = 0;
	/* the target on the other side now: directions swap */
	cp_tap(f, ctx_id(0), true, 1, 0x5b, 78);
	len = mkpkt(ue.send, false, 10, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, port, pk, len, 1, &o));
	c = li_slot(r, 0);
	assert_int_equal(c->dir, LI_COPY_TO_TARGET);
	li_leg_is(c, CORE4, port + 2u, PEER4, 6000);
	assert_int_equal(c->seq, 1);                  /* another task: from 1 */
	/* off: no more copies */
	cp_tap(f, ctx_id(0), false, 0, 0, 0);
	len = mkpkt(ue.send, false, 11, UE_SSRC, 160, pk, sizeof(pk), clear, &clen);
	assert_true(relay(f, 0, NAT4, 40123, ACC4, port, pk, len, 1, &o));
	assert_int_equal(r->head, 1);
	/* a tap of the untapped context before its core side came: the
	 * termination added takes it */
	cp_mod(f, ctx_id(1), IPC_RTP_SUB_TERM, 1, NULL);
	cp_tap(f, ctx_id(1), true, 0, 0x5c, 79);
	b2.serial = 2;
	cp_mod(f, ctx_id(1), IPC_RTP_ADD_TERM, 1, &b2);
	len = rtp_pkt(pk, 8, 40, 40 * 160u, CORE_SSRC, 20, 3);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, port2 + 2u, pk, len, 0, &o));
	assert_int_equal(r->head, 2);
	c = li_slot(r, 1);
	assert_int_equal(c->dir, LI_COPY_TO_TARGET);
	assert_int_equal(c->len, len);
	assert_memory_equal(c + 1, pk, len);
	/* its release wipes the tap */
	cp_del(f, ctx_id(1));
	assert_int_equal(f->w->rtp->ntaps, 0);
	assert_int_equal(ctr(f, "rtp_dropped_srtp"), 0);
	li_ring_gone(f->w);
	peer_free(&ue);
	peer_free(&core);
}

/* A transfer (review V5): the target's termination subtracted and
 * another party's added in its slot. dp's tap leaves with the target at
 * SUB_TERM: the new party is not copied (either way) until cp's RTP_TAP
 * says it is targeted itself, which cp sends after the ADD_TERM. The
 * other side's termination replaced under a target still there: the tap
 * stays, the new one's packets copied as going to the target. */
static void
test_rtp_li_transfer_leaves_the_new_party_untapped(void **state)
{
	struct fix *f = *state;
	uint16_t port = MEDIA_MIN;
	struct ipc_rtp_term a, b;
	uint8_t pk[1500];
	struct li_ring *r;
	const struct li_copy *c;
	struct out o;
	uint16_t len;

	r = li_ring_new(f->w);
	term_ue(&a, port, true);
	term_core(&b, (uint16_t)(port + 2u));
	cp_add(f, ctx_id(0), &a, &b);
	cp_tap(f, ctx_id(0), true, 0, 0x5a, 77);
	len = rtp_pkt(pk, 0, 1, 160u, UE_SSRC, 20, 1);
	assert_true(relay(f, 0, UE4, 5004, ACC4, port, pk, len, 1, &o));
	assert_int_equal(r->head, 1);
	/* the core's side replaced: the target still here, still tapped */
	cp_mod(f, ctx_id(0), IPC_RTP_SUB_TERM, 1, NULL);
	b.serial = 2;
	cp_mod(f, ctx_id(0), IPC_RTP_ADD_TERM, 1, &b);
	assert_int_equal(f->w->rtp->ntaps, 1);
	len = rtp_pkt(pk, 8, 1, 160u, CORE_SSRC, 20, 2);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, port + 2u, pk, len, 0, &o));
	assert_int_equal(r->head, 2);
	c = li_slot(r, 1);
	assert_int_equal(c->dir, LI_COPY_TO_TARGET);
	assert_int_equal(c->seq, 2);
	/* the target's termination subtracted: the tap goes with it */
	cp_mod(f, ctx_id(0), IPC_RTP_SUB_TERM, 0, NULL);
	a.serial = 2;
	cp_mod(f, ctx_id(0), IPC_RTP_ADD_TERM, 0, &a);
	len = rtp_pkt(pk, 0, 2, 320u, UE_SSRC, 20, 3);
	assert_true(relay(f, 0, UE4, 5004, ACC4, port, pk, len, 1, &o));
	len = rtp_pkt(pk, 8, 2, 320u, CORE_SSRC, 20, 4);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, port + 2u, pk, len, 0, &o));
	assert_int_equal(r->head, 2);
	assert_int_equal(f->w->rtp->ntaps, 0);
	/* the new party targeted itself: cp's tap, its sequence from 1 */
	cp_tap(f, ctx_id(0), true, 0, 0x5b, 78);
	len = rtp_pkt(pk, 0, 3, 480u, UE_SSRC, 20, 5);
	assert_true(relay(f, 0, UE4, 5004, ACC4, port, pk, len, 1, &o));
	assert_int_equal(r->head, 3);
	c = li_slot(r, 2);
	assert_int_equal(c->dir, LI_COPY_FROM_TARGET);
	assert_int_equal(c->xid[0], 0x5b);
	assert_int_equal(c->seq, 1);
	cp_del(f, ctx_id(0));
	assert_int_equal(f->w->rtp->ntaps, 0);
	li_ring_gone(f->w);
}

/* The ring keeps its last LI_RING_X2_RESERVE slots for X2 (review V6):
 * X3 copies, a tap's RTP among them, stop short of them, counted
 * dropped_ring_full; an X2 event still finds a slot there, and X2 fills
 * the ring to its end. */
static void
test_li_ring_keeps_room_for_x2(void **state)
{
	struct fix *f = *state;
	uint16_t port = MEDIA_MIN;
	struct ipc_rtp_term a, b;
	uint8_t pk[1500];
	struct li_ring *r;
	struct li_copy *c;
	struct out o;
	uint16_t len;
	uint32_t n;

	r = li_ring_new(f->w);
	/* X3 copies as many as they may */
	for (n = 0; (c = li_ring_reserve(r, 100, LI_COPY_X3)) != NULL; n++) {
		assert_true(n < LI_RING_SLOTS);
		li_ring_commit(r);
	}
	assert_int_equal(n, LI_RING_SLOTS - LI_RING_X2_RESERVE);
	assert_int_equal(r->ctr[LI_CTR_RING_FULL], 1);
	/* a tapped context's RTP copy: X3's rule too, the packet relayed */
	term_ue(&a, port, true);
	term_core(&b, (uint16_t)(port + 2u));
	cp_add(f, ctx_id(0), &a, &b);
	cp_tap(f, ctx_id(0), true, 0, 0x5a, 77);
	len = rtp_pkt(pk, 0, 1, 160u, UE_SSRC, 20, 1);
	assert_true(relay(f, 0, UE4, 5004, ACC4, port, pk, len, 1, &o));
	assert_int_equal(r->head, n);
	assert_int_equal(r->ctr[LI_CTR_RING_FULL], 2);
	/* X2 takes the reserve, to the ring's end */
	for (; (c = li_ring_reserve(r, IPC_LI_X2_MAX, LI_COPY_X2)) != NULL; n++) {
		assert_true(n < LI_RING_SLOTS);
		li_ring_commit(r);
	}
	assert_int_equal(n, LI_RING_SLOTS);
	assert_int_equal(r->ctr[LI_CTR_RING_FULL], 3);
	/* tp-li took one: X2 fits again, X3 not before the reserve is free */
	__atomic_store_n(&r->tail, 1, __ATOMIC_RELEASE);
	assert_null(li_ring_reserve(r, 100, LI_COPY_X3));
	assert_non_null(li_ring_reserve(r, 100, LI_COPY_X2));
	__atomic_store_n(&r->tail, LI_RING_X2_RESERVE + 1u, __ATOMIC_RELEASE);
	assert_non_null(li_ring_reserve(r, 100, LI_COPY_X3));
	cp_del(f, ctx_id(0));
	li_ring_gone(f->w);
}

/*
 * BUNDLE (review V3 of li.md §8): a member's context tapped (its member
 * the target's termination): the browser's video, demultiplexed from the
 * owner's transport, copied from the target with the transport's leg;
 * the core's video to it copied to the target, the leg the owner's
 * transport (our address and port to the latched browser); the owner's
 * audio, its context untapped, not. A member added to a context tapped
 * before takes the tap (dp's member install skipped rtp_li_term_on()).
 */
static void
test_rtp_li_tap_copies_a_bundled_members_rtp(void **state)
{
	struct fix *f = *state;
	const uint16_t audio = MEDIA_MIN + 2, video = MEDIA_MIN + 6;
	struct ipc_rtp_term mem;
	const struct li_copy *c;
	struct li_ring *r;
	uint8_t pk[1500], clear[1500];
	uint16_t len, clen;
	struct out o;

	bdl_group(f, 0, NULL);
	r = li_ring_new(f->w);
	/* (the browser latches the group's transport) */
	assert_int_equal(bdl_send(f, 0, NULL, 0, 1, A_SSRC, "0"), audio);
	cp_tap(f, ctx_id(1), true, 0, 0x6a, 91);
	len = bdl_rtp(NULL, 96, 1, V_SSRC, "1", 120, pk, clear, &clen);
	assert_int_equal(bdl_in(f, 0, pk, len, clear, clen), video);
	assert_int_equal(r->head, 1);
	c = li_slot(r, 0);
	assert_int_equal(c->dir, LI_COPY_FROM_TARGET);
	assert_int_equal(c->correlation, 91);
	assert_int_equal(c->len, clen);
	assert_memory_equal(c + 1, clear, clen);
	li_leg_is(c, NAT4, 40123, ACC4, MEDIA_MIN);
	/* the owner's audio: its context is not tapped */
	assert_int_equal(bdl_send(f, 0, NULL, 0, 2, A_SSRC, "0"), audio);
	assert_int_equal(r->head, 1);
	/* the core's video to the browser, by the owner's transport */
	len = (uint16_t)rtp_pkt(pk, 96, 5, 5 * 160u, CORE_SSRC + 1u, 20, 3);
	assert_true(relay(f, 1, PEER4, 6000, CORE4, video, pk, len, 0, &o));
	assert_int_equal(r->head, 2);
	c = li_slot(r, 1);
	assert_int_equal(c->dir, LI_COPY_TO_TARGET);
	assert_int_equal(c->len, len);
	li_leg_is(c, ACC4, MEDIA_MIN, NAT4, 40123);
	/* the member subtracted; the context tapped; a member added again */
	cp_mod(f, ctx_id(1), IPC_RTP_SUB_TERM, 0, NULL);
	cp_tap(f, ctx_id(1), true, 0, 0x6b, 92);
	bundle_member(&mem, ctx_id(0), "1", 0, 96);
	mem.bundle.nssrc = 0;
	mem.serial = 2;
	cp_mod(f, ctx_id(1), IPC_RTP_ADD_TERM, 0, &mem);
	len = bdl_rtp(NULL, 96, 1, V_SSRC + 5u, "1", 120, pk, clear, &clen);
	assert_int_equal(bdl_in(f, 0, pk, len, clear, clen), video);
	assert_int_equal(r->head, 3);
	c = li_slot(r, 2);
	assert_int_equal(c->dir, LI_COPY_FROM_TARGET);
	assert_int_equal(c->xid[0], 0x6b);
	li_leg_is(c, NAT4, 40123, ACC4, MEDIA_MIN);
	li_ring_gone(f->w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtp_relay_both_ways_byte_exact, setup, teardown),
		/* as turnpike-dp orders it: a context on an address of the
		 * configuration is taken before the ports are filled */
		cmocka_unit_test_setup_teardown(test_rtp_relay_both_ways_byte_exact,
						setup_ports_later, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_relay_carries_a_damaged_checksum, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_relay_across_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_latch_on_the_first_packet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_gm_narrows_who_latches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_stranger_dropped_and_never_relatches_a_live_stream,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_relatch_after_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_latch_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_latch_bound_to_the_signalled_address,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_rtcp_mux_against_a_pair, setup, teardown),
cmocka_unit_test_setup_teardown(test_rtp_rtcp_latch_follows_rtp_host, setup, teardown),
				cmocka_unit_test_setup_teardown(test_rtp_rtcp_mux_one_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_malformed_dropped_and_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_statistics_equal_to_what_was_sent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_mode_gates_each_direction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_policing_drops_over_the_rate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_inactivity_reported_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_inactivity_counted_from_the_modify_that_arms_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_add_modify_subtract_release, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_refused_whole_with_a_reason, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_bundle_role_never_modified_in_or_out,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_on_a_relayed_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_sync_gives_every_context_back, setup_wide,
						teardown),
		cmocka_unit_test(test_srtp_rfc3711_known_answers),
		cmocka_unit_test_setup_teardown(test_srtp_to_rtp_each_suite_against_libsrtp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_srtp_to_srtp_other_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_li_tap_copies_the_clear_rtp_both_ways, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_li_transfer_leaves_the_new_party_untapped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_li_ring_keeps_room_for_x2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_li_tap_copies_a_bundled_members_rtp, setup,
						teardown),
		cmocka_unit_test(test_srtp_rfc7714_vectors),
		cmocka_unit_test_setup_teardown(test_srtp_gcm_to_srtp_other_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srtp_gcm_bad_packets_dropped_and_counted, setup,
						teardown),
cmocka_unit_test_setup_teardown(test_srtp_hostile_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srtp_third_ssrc_evicts_no_replay_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_srtcp_ssrcs_each_their_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srtcp_restart_floor_for_every_ssrc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_group_installed_refused_orphaned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_member_srtp_is_its_owners, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_demux_in_by_ssrc_mid_pt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_17th_ssrc_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_out_to_the_owners_transport, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_out_ssrc_clash_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_rtcp_tells_owner_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_out_unprotected_ssrcs_hold_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_out_clash_survives_dp_restart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_member_modify_keeps_its_key_shape, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_in_released_ssrc_not_replayed, setup,
						teardown),
				cmocka_unit_test_setup_teardown(test_srtp_bad_packets_dropped_and_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_srtp_restart_carries_the_index_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_srtp_restart_carries_every_ssrc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srtp_restart_shifts_not_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srtp_gcm_restart_shifts_not_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_srtp_only_the_authentic_or_latched_take_an_ssrc,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_srtp_tells_cp_where_streams_stand, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_srtp_modify_rekeys_and_release_wipes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_srtp_rekey_rx_goes_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_early_media_before_the_answer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_early_media_to_an_srtp_offerer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ice_check_answered_nominates_and_moves_media,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ice_rfc5769_request_known_answer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ice_refusals_each_answered_and_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ice_floods_bounded_and_the_call_goes_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ice_consent_lost_then_regained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ice_restart_keeps_the_pair_until_new_checks_nominate,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ice_rtcp_of_a_pair_is_its_own_component, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dtls_srtp_keys_from_the_handshake, setup_dtls,
						teardown),
		cmocka_unit_test_setup_teardown(test_dtls_srtp_same_association_keeps_keys,
						setup_dtls, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_srtp_restored_keys_no_handshake,
						setup_dtls, teardown),
	};

	if (srtp_ref_init() < 0) {
		fprintf(stderr, "lib/srtp_ref: no libsrtp2\n");
		return 1;
	}

	return cmocka_run_group_tests(tests, NULL, NULL);
}
