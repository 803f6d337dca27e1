/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_rtp_relay: what dp spends on a relayed packet from its receive
 * burst on (dp_input_burst(): Ethernet, IP, net's UDP demultiplexer, the
 * module, the new headers, the route and the neighbour, the transmit
 * queue), for the gateway's RTP terminations (dp/rtp, RTP-RTP) and, in the
 * same harness, TURN's ChannelData relay (dp/turn: a client's ChannelData
 * to its peer, the peer's datagram back as ChannelData), so that the two
 * are held against each other by one method: issue 56 asks RTP-RTP within
 * 10% of TURN's ChannelData relay in instructions a packet. With SRTP
 * towards the UE (dp/rtp's rtp_srtp.c, AES_CM_128_HMAC_SHA1_80 or
 * --suite's: AEAD_AES_128_GCM, AEAD_AES_256_GCM, ...): srtp-rtp
 * relays only the UE's SRTP to the core (unprotect), rtp-srtp only the
 * core's RTP to the UE (protect), srtp both in turns. The UE's SRTP is
 * protected by lib/srtp_ref (libsrtp2) for each packet, outside what is
 * measured. early and early-srtp: the core's termination as cp/ng makes it
 * for an answerer before its answer (a port pair, latching, no remote,
 * taking and not sending: cp/ng/FEATURE.md "Early media"), only its RTP
 * to the UE relayed (early media), to a plain or an SRTP UE (protect).
 * bundle and bundle-srtp: a browser's BUNDLE group of two sections (RFC
 * 9143), the member's RTP with MID both ways through the owner's port.
 *
 * One worker, no port started (a real EAL without hugepages): each packet
 * is copied into an mbuf from a template (its sequence number and UDP
 * checksum moved on, as a sender's would), handed to dp_input_burst() in
 * bursts of --burst, and what lands in the worker's transmit queues is
 * freed, outside what is measured. The configuration is a real file read
 * by lib/conf (TURN's relayed port 50000 on 10.1.0.9, agw.media_ports);
 * the allocation, its permission and channel, and the RTP context are
 * installed by cp's messages through dp_cp.c, as cp would.
 *
 * Under callgrind, collect only dp_input_burst and divide by the packets:
 *
 *   valgrind --tool=callgrind --collect-atstart=no \
 *     --toggle-collect=dp_input_burst build-perf/perf/bench_rtp_relay \
 *     --mode rtp --pkts 20000 --burst 1
 *   callgrind_annotate --inclusive=yes callgrind.out.PID | head
 *
 * Natively it prints TSC cycles a packet (this host's noise included).
 *
 * --tap (issue 70, perf/RESULTS.md T48): lawful interception's copy on the
 * worker: a ring of copies as dp/li's set-up makes it (512 slots of 2 KiB)
 * and the flow tapped as cp taps it (ALLOC_TAP on the allocation, RTP_TAP
 * on the UE's termination: every relayed packet copied, both ways); the
 * ring emptied after each burst, outside what is measured, as tp-li would
 * (its own work, the PDU and TLS, is tp-li's thread's, not measured here).
 * --tap-ab: the same flow tapped and untapped in turns, 1,024 packets a
 * turn, each turn's cycles counted apart: both figures and their ratio
 * from the same seconds (this guest's cycles swing 2x within minutes).
 *
 *   bench_rtp_relay [--mode rtp|srtp|srtp-rtp|rtp-srtp|early|early-srtp|bundle|
 *                    bundle-srtp|turn] [--pkts N]
 *                   [--burst B]
 *                   [--size S] [--suite NAME] [--tap|--tap-ab]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_cp.h"
#include "dp_module.h"
#include "ipc.h"
#include "net/net.h"
#include "rtp_dp.h"
#include "tp_conf.h"
#include "srtp_ref.h"
#include "turn.h"
#include "li_dp_types.h"

static const uint8_t ACC4[4] = { 10, 0, 0, 1 };
static const uint8_t GW4[4] = { 10, 0, 0, 254 };
static const uint8_t CORE4[4] = { 10, 1, 0, 1 };
static const uint8_t RELAY4[4] = { 10, 1, 0, 9 };
static const uint8_t PEER4[4] = { 10, 1, 0, 20 };
static const uint8_t UE4[4] = { 192, 0, 2, 10 };
static const uint8_t MAC_P0[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t MAC_P1[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t MAC_GW[6] = { 2, 0, 0, 0, 0, 0xfe };
static const uint8_t MAC_PEER[6] = { 2, 0, 0, 0, 0, 0x20 };

#define MEDIA_PORT 30000u
#define CORE_PORT  30002u
#define RELAY_PORT 50000u
#define CHANNEL    0x4000u

static const char conf_text[] =
	"dp = {\n"
	"  workers = [0];\n"
	"  ports = (\n"
	"    { name = \"access\"; dev = \"net_null0\"; roles = [\"access\"];\n"
	"      ipv4 = \"10.0.0.1/24\"; gateway4 = \"10.0.0.254\"; },\n"
	"    { name = \"core\"; dev = \"net_null1\"; roles = [\"core\"];\n"
	"      ipv4 = \"10.1.0.1/24\"; relay_ipv4 = [\"10.1.0.9\"]; }\n"
	"  );\n"
	"};\n"
	"ipc = { name = \"/bench_rtp_relay\"; };\n"
	"turn = { realm = \"bench\"; relay_ports = [50000, 50999]; };\n"
	"cp = { quota_total = 1024; };\n"
	"agw = { media_ports = [30000, 30999]; media_contexts = 64; };\n";

struct tmpl {
	unsigned int port;           /* the dp port it arrives on */
	uint16_t len;                /* the frame */
	uint16_t seq_off;            /* an RTP sequence number's offset, 0: none */
	uint16_t udp_off;
	uint8_t frame[1600];
	/* SRTP: the clear packet (clen octets) each one is protected from */
	struct srtp_ref *srtp;
	uint16_t clen;
	uint8_t clear[1500];
};

static struct rte_mempool *pool;
static struct dp_ctx ctx;
static struct tp_conf conf;
static struct dp_worker *w;

static void
die(const char *what)
{
	fprintf(stderr, "bench_rtp_relay: %s\n", what);
	exit(1);
}

static void
neigh_free(void *pkt, void *arg)
{
	(void)arg;
	rte_pktmbuf_free(pkt);
}

static uint16_t
udp_cksum4(const uint8_t *src, const uint8_t *dst, const uint8_t *u, uint16_t ulen)
{
	uint32_t s = net_sum16(src, 4, 0);
	uint16_t c;

	s = net_sum16(dst, 4, s);
	s += 17u + ulen;
	s = net_sum16(u, 6, s);
	s = net_sum16(u + 8, (size_t)ulen - 8, s);
	c = (uint16_t)~net_fold(s);
	return c == 0 ? 0xffff : c;
}

/* A frame on port pi from src:sport to dst:dport carrying payload. */
static void
tmpl_make(struct tmpl *t, unsigned int pi, const uint8_t *src, uint16_t sport,
	  const uint8_t *dst, uint16_t dport, const uint8_t *payload, uint16_t len,
	  uint16_t seq_off)
{
	uint8_t *p = t->frame, *u;
	uint16_t c;

	t->port = pi;
	memcpy(p, pi == 0 ? MAC_P0 : MAC_P1, 6);
	memcpy(p + 6, pi == 0 ? MAC_GW : MAC_PEER, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	ipv4_build_hdr(p + 14, src, dst, 17, 64, (uint16_t)(28 + len));
	u = p + 34;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = (uint8_t)((8 + len) >> 8);
	u[5] = (uint8_t)(8 + len);
	memcpy(u + 8, payload, len);
	c = udp_cksum4(src, dst, u, (uint16_t)(8 + len));
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	t->len = (uint16_t)(42 + len);
	t->udp_off = 34;
	t->seq_off = seq_off != 0 ? (uint16_t)(42 + seq_off) : 0;
}

/* The next packet of t: its RTP sequence number (and timestamp) one on,
 * its UDP checksum right again. */
static void
tmpl_next(struct tmpl *t)
{
	uint8_t *u = t->frame + t->udp_off, *q;
	uint16_t seq, ulen = (uint16_t)(u[4] << 8 | u[5]), c;
	uint32_t ts;

	if (t->seq_off == 0)
		return;
	q = t->srtp != NULL ? t->clear + 2 : t->frame + t->seq_off;
	seq = (uint16_t)((q[0] << 8 | q[1]) + 1);
	q[0] = (uint8_t)(seq >> 8);
	q[1] = (uint8_t)seq;
	ts = ((uint32_t)q[2] << 24 | (uint32_t)q[3] << 16 | (uint32_t)q[4] << 8 | q[5]) + 160u;
	q[2] = (uint8_t)(ts >> 24);
	q[3] = (uint8_t)(ts >> 16);
	q[4] = (uint8_t)(ts >> 8);
	q[5] = (uint8_t)ts;
	if (t->srtp != NULL) {
		size_t len = t->clen;

		memcpy(u + 8, t->clear, len);
		if (srtp_ref_protect(t->srtp, u + 8, &len, ulen - 8u) != SRTP_REF_OK ||
		    len != ulen - 8u)
			die("lib/srtp_ref's protect");
	}
	u[6] = u[7] = 0;
	c = udp_cksum4(t->frame + 26, t->frame + 30, u, ulen);
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
}

static void
cp_send(struct ipc_msg *m)
{
	m->h.worker = 0;
	if (ipc_msg_check(m, IPC_CP2DP) != 0 || ipc_ring_enqueue(&w->cp.rings->to_dp, m) != 0)
		die("a message of cp's refused");
	if (dp_cp_poll(w, w->now_ms) != 1)
		die("a message of cp's not taken");
}

static void
setup(void)
{
	char path[] = "/tmp/bench_rtp_relay.XXXXXX", err[512], pfx[64];
	char *argv[] = {
		"bench_rtp_relay", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--log-level=lib.eal:error", "--file-prefix", pfx, "-l", "0", NULL,
	};
	int fd = mkstemp(path);
	uint64_t hz;

	snprintf(pfx, sizeof(pfx), "bench_rtp%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		die("rte_eal_init failed");
	if (fd < 0 || write(fd, conf_text, sizeof(conf_text) - 1) != (ssize_t)sizeof(conf_text) - 1)
		die("cannot write the configuration");
	close(fd);
	if (tp_conf_load(path, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		die("the configuration");
	}
	unlink(path);
	pool = rte_pktmbuf_pool_create("bench", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		die("no mbuf pool");
	hz = rte_get_tsc_hz();
	ctx.conf = &conf;
	ctx.nworkers = 1;
	ctx.tsc_hz = hz;
	ctx.clock_hz = hz;
	ctx.nports = 2;
	for (unsigned int i = 0; i < 2; i++) {
		struct dp_port *p = &ctx.ports[i];

		p->index = (uint8_t)i;
		memcpy(p->mac.addr_bytes, i == 0 ? MAC_P0 : MAC_P1, 6);
		p->has_ip4 = true;
		memcpy(p->ip4, i == 0 ? ACC4 : CORE4, 4);
		p->plen4 = 24;
		p->mtu = 1500;
		p->own_relay4 = -1;
		p->own_relay6 = -1;
	}
	ctx.ports[0].has_gw4 = true;
	memcpy(ctx.ports[0].gw4, GW4, 4);
	ctx.ports[1].nrelay4 = 1;
	memcpy(&ctx.ports[1].relay4[0], RELAY4, 4);
	dp_port_relay_index(&ctx.ports[1]);
	if (dp_udp_init(&ctx) < 0)
		die("no UDP table");
	w = rte_zmalloc("bench_w", sizeof(*w), 64);
	if (w == NULL)
		die("no worker");
	w->ctx = &ctx;
	w->pool = pool;
	ctx.workers[0] = w;
	neigh_table_init(&w->neigh, w->neigh_mem, DP_NEIGH_SIZE, 16, 3600u * hz, hz, 3,
			 neigh_free, NULL);
	neigh_update(&w->neigh, NET_AF_IPV4, GW4, 0, MAC_GW, dp_now(), true, NULL, 0);
	neigh_update(&w->neigh, NET_AF_IPV4, PEER4, 1, MAC_PEER, dp_now(), true, NULL, 0);
	/* cp's end: rings and a segment header in heap memory, cp serving */
	w->cp.rings = rte_zmalloc("bench_rings", sizeof(*w->cp.rings), 64);
	ctx.ipc.shm = rte_zmalloc("bench_shm", sizeof(*ctx.ipc.shm), 64);
	if (w->cp.rings == NULL || ctx.ipc.shm == NULL)
		die("no rings");
	ctx.ipc.shm->cp_epoch = 1;
	ipc_side_publish(&ctx.ipc.shm->cp_side, IPC_CAP_RTP | IPC_CAP_CONN_DOWN, 0, 0, 1);
	ipc_cp_set_ready(ctx.ipc.shm, true);
	w->now_ms = ipc_monotonic_ms();
}

/* The UE's SRTP keys on a (rx what the UE sends, tx what it gets), of
 * suite; lib/srtp_ref's session that protects what the UE sends. */
static struct srtp_ref *
ue_keys(struct ipc_rtp_term *a, unsigned int suite)
{
	unsigned int kl = srtp_ref_key_len(suite), sl = srtp_ref_salt_len(suite);
	struct srtp_ref_key k;
	struct srtp_ref *r;

	memset(&k, 0, sizeof(k));
	k.suite = (uint8_t)suite;
	if (kl + sl > IPC_SRTP_KEY_MAX || sl > sizeof(k.salt))
		die("--suite");
	for (unsigned int i = 0; i < kl + sl; i++) {
		a->srtp_rx.key[i] = (uint8_t)(0x31 + 5 * i);
		a->srtp_tx.key[i] = (uint8_t)(0x97 + 3 * i);
		if (i < kl)
			k.key[i] = a->srtp_rx.key[i];
		else
			k.salt[i - kl] = a->srtp_rx.key[i];
	}
	a->srtp_rx.suite = a->srtp_tx.suite = (uint8_t)suite;
	a->srtp_rx.key_len = a->srtp_tx.key_len = (uint8_t)(kl + sl);
	if (srtp_ref_init() < 0 || (r = srtp_ref_create(SRTP_REF_OUTBOUND, &k)) == NULL)
		die("lib/srtp_ref");
	return r;
}

/* t, the UE's packets to its termination, from pk (size octets, clear):
 * protected by t->srtp (unless NULL) as each one will be. */
static void
ue_tmpl(struct tmpl *t, uint8_t *pk, uint16_t size)
{
	size_t len = size;

	if (t->srtp != NULL) {
		memcpy(t->clear, pk, size);
		t->clen = size;
		if (srtp_ref_protect(t->srtp, pk, &len, 1500) != SRTP_REF_OK)
			die("lib/srtp_ref's protect");
	}
	tmpl_make(t, 0, UE4, 5004, ACC4, MEDIA_PORT, pk, (uint16_t)len, 2);
}

/* RTP-RTP: a context of the UE's termination (a port pair, latching) and
 * the core's (rtcp-mux); G.711-sized packets both ways. With srtp the
 * UE's termination is SRTP (RTP/SAVP, suite: AES_CM_128_HMAC_SHA1_80 by
 * default): what the UE sends is protected by lib/srtp_ref. With early
 * the core's is an answerer's before its answer (a port pair, latching,
 * no remote, RECV). */
static unsigned int
setup_rtp(struct tmpl *t, uint16_t size, bool srtp, bool early, unsigned int suite)
{
	static struct ipc_msg m;
	struct ipc_rtp_ctx *x = (struct ipc_rtp_ctx *)m.body;
	uint8_t pk[1500];

	if (rtp_dp_module.setup(&ctx) != 1)
		die("dp/rtp's set-up");
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_ADD;
	m.h.alloc_id = ipc_conn_make(0, 0, 1);
	m.h.body_len = sizeof(*x);
	for (unsigned int i = 0; i < 2; i++) {
		struct ipc_rtp_term *a = &x->term[i];

		a->profile = IPC_RTP_AVP;
		a->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
		a->local.family = 4;
		a->remote.family = 4;
	}
	x->term[0].latch = IPC_RTP_LATCH_RELATCH;
	memcpy(x->term[0].local.ip, ACC4, 4);
	x->term[0].local.port = MEDIA_PORT;
	x->term[0].rtcp_port = MEDIA_PORT + 1;
	memcpy(x->term[0].remote.ip, UE4, 4);
	x->term[0].remote.port = 5004;
	x->term[1].flags = IPC_RTP_F_MUX;
	x->term[1].dscp = 46;
	memcpy(x->term[1].local.ip, CORE4, 4);
	x->term[1].local.port = CORE_PORT;
	memcpy(x->term[1].remote.ip, PEER4, 4);
	x->term[1].remote.port = 6000;
	if (early) {
		/* (as cp/ng makes it: ng's default latching, strict) */
		x->term[1].flags = 0;
		x->term[1].latch = IPC_RTP_LATCH_STRICT;
		x->term[1].mode = IPC_RTP_MODE_RECV;
		x->term[1].dscp = 0;
		x->term[1].rtcp_port = CORE_PORT + 1;
		memset(&x->term[1].remote, 0, sizeof(x->term[1].remote));
	}
	if (srtp) {
		x->term[0].profile = IPC_RTP_SAVP;
		t[0].srtp = ue_keys(&x->term[0], suite);
	}
	cp_send(&m);
	memset(pk, 0, sizeof(pk));
	pk[0] = 0x80;
	pk[8] = 0x11;                 /* SSRC */
	for (uint16_t i = 12; i < size; i++)
		pk[i] = (uint8_t)(i * 7u);
	ue_tmpl(&t[0], pk, size);
	pk[1] = 8;
	pk[8] = 0x22;
	tmpl_make(&t[1], 1, PEER4, 6000, CORE4, CORE_PORT, pk, size, 2);
	return 2;
}

/* BUNDLE (RFC 9143): a browser's group of two sections on one transport,
 * as cp/ng makes it for bundle=accept: context 0's access termination the
 * owner (mid "0", PCMU, the MID extension's id 1, rtcp-mux), context 1's
 * a member (mid "1", payload type 96) with a core side of its own
 * (CORE_PORT + 4). The browser sends the member's SSRC with MID in every
 * packet (aiortc does, Chromium until it knows the SSRC is bound): its
 * binding found, its MID read and compared; the core's side relays to the
 * owner's transport through the SSRC clash rule's compare. With srtp the
 * group's one key (AES_CM_128_HMAC_SHA1_80 or --suite's). */
static unsigned int
setup_bundle(struct tmpl *t, uint16_t size, bool srtp, unsigned int suite)
{
	static struct ipc_msg m;
	struct ipc_rtp_ctx *x = (struct ipc_rtp_ctx *)m.body;
	struct ipc_rtp_term *a;
	uint8_t pk[1500];
	uint16_t hl = 20;             /* the header and a one-element block */

	(void)setup_rtp(t, size, srtp, false, suite);
	/* context 0's access termination made the owner: rtcp-mux */
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_DEL;
	m.h.alloc_id = ipc_conn_make(0, 0, 1);
	cp_send(&m);
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_ADD;
	m.h.alloc_id = ipc_conn_make(0, 0, 2);
	m.h.body_len = sizeof(*x);
	for (unsigned int i = 0; i < 2; i++) {
		a = &x->term[i];
		a->profile = IPC_RTP_AVP;
		a->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
		a->flags = IPC_RTP_F_MUX;
		a->local.family = 4;
		a->remote.family = 4;
	}
	a = &x->term[0];
	a->latch = IPC_RTP_LATCH_RELATCH;
	memcpy(a->local.ip, ACC4, 4);
	a->local.port = MEDIA_PORT;
	memcpy(a->remote.ip, UE4, 4);
	a->remote.port = 5004;
	a->bundle.role = IPC_RTP_BUNDLE_OWNER;
	a->bundle.mid_ext = 1;
	a->bundle.mid_len = 1;
	a->bundle.mid[0] = '0';
	a->bundle.pt[0] = 0x01;
	if (srtp) {
		a->profile = IPC_RTP_SAVPF;
		srtp_ref_free(t[0].srtp);
		t[0].srtp = ue_keys(a, suite);
	}
	x->term[1].dscp = 46;
	memcpy(x->term[1].local.ip, CORE4, 4);
	x->term[1].local.port = CORE_PORT;
	memcpy(x->term[1].remote.ip, PEER4, 4);
	x->term[1].remote.port = 6000;
	cp_send(&m);
	/* context 1: the member and its core side */
	x->term[1].local.port = CORE_PORT + 4;
	a = &x->term[0];
	memset(a, 0, sizeof(*a));
	a->profile = srtp ? IPC_RTP_SAVPF : IPC_RTP_AVP;
	a->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	a->flags = IPC_RTP_F_MUX;
	a->dscp = 34;
	a->bundle.role = IPC_RTP_BUNDLE_MEMBER;
	a->bundle.owner = ipc_conn_make(0, 0, 2);
	a->bundle.mid_len = 1;
	a->bundle.mid[0] = '1';
	a->bundle.pt[96 / 8] = 1u << (96 % 8);
	if (srtp) {
		a->srtp_rx.suite = a->srtp_tx.suite = (uint8_t)suite;
		a->srtp_rx.key_len = a->srtp_tx.key_len =
			(uint8_t)(srtp_ref_key_len(suite) + srtp_ref_salt_len(suite));
	}
	m.h.alloc_id = ipc_conn_make(0, 1, 1);
	cp_send(&m);
	if (size < hl)
		die("--size below 20 with --mode bundle");
	memset(pk, 0, sizeof(pk));
	pk[0] = 0x90;                 /* X */
	pk[1] = 96;
	pk[8] = 0x33;                 /* SSRC */
	pk[12] = 0xbe;
	pk[13] = 0xde;
	pk[15] = 1;
	pk[16] = 0x10;                /* id 1, one octet */
	pk[17] = '1';
	for (uint16_t i = hl; i < size; i++)
		pk[i] = (uint8_t)(i * 7u);
	ue_tmpl(&t[0], pk, size);
	memset(pk, 0, 20);
	pk[0] = 0x80;
	pk[1] = 96;
	pk[8] = 0x22;
	tmpl_make(&t[1], 1, PEER4, 6000, CORE4, CORE_PORT + 4, pk, size, 2);
	return 2;
}

/* TURN over UDP: one allocation (relayed 10.1.0.9:50000), a permission
 * and channel 0x4000 for the peer; ChannelData of size octets of data
 * from the client, the same data from the peer. */
static unsigned int
setup_turn(struct tmpl *t, uint16_t size)
{
	static struct ipc_msg m;
	struct ipc_alloc *a = (struct ipc_alloc *)m.body;
	struct ipc_binding *b = (struct ipc_binding *)m.body;
	struct ipc_tuple tu;
	uint8_t pk[1500];

	if (turn_init(&ctx) < 0)
		die("dp/turn's set-up");
	memset(&tu, 0, sizeof(tu));
	tu.transport = 17;
	tu.client.family = 4;
	memcpy(tu.client.ip, UE4, 4);
	tu.client.port = 40000;
	tu.server.family = 4;
	memcpy(tu.server.ip, ACC4, 4);
	tu.server.port = conf.turn.listen_port;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_ALLOC_ADD;
	m.h.alloc_id = 1;
	m.h.tuple = tu;
	m.h.body_len = sizeof(*a);
	a->nrelayed = 1;
	a->relayed[0].family = 4;
	memcpy(a->relayed[0].ip, RELAY4, 4);
	a->relayed[0].port = RELAY_PORT;
	a->expires_ms = w->now_ms + 3600000u;
	cp_send(&m);
	for (unsigned int k = 0; k < 2; k++) {
		memset(&m, 0, sizeof(m));
		m.h.kind = k == 0 ? IPC_PERM_ADD : IPC_CHAN_ADD;
		m.h.alloc_id = 1;
		m.h.tuple = tu;
		m.h.body_len = sizeof(*b);
		b->peer.family = 4;
		memcpy(b->peer.ip, PEER4, 4);
		b->peer.port = 6000;
		b->channel = k == 0 ? 0 : CHANNEL;
		b->expires_ms = w->now_ms + 3600000u;
		cp_send(&m);
	}
	w->turn->now_ms = w->now_ms;
	memset(pk, 0, sizeof(pk));
	pk[0] = CHANNEL >> 8;
	pk[1] = CHANNEL & 0xff;
	pk[2] = (uint8_t)(size >> 8);
	pk[3] = (uint8_t)size;
	for (uint16_t i = 0; i < size; i++)
		pk[4 + i] = (uint8_t)(i * 7u);
	tmpl_make(&t[0], 0, UE4, 40000, ACC4, conf.turn.listen_port, pk, (uint16_t)(4 + size),
		  0);
	tmpl_make(&t[1], 1, PEER4, 6000, RELAY4, RELAY_PORT, pk + 4, size, 0);
	return 2;
}

/* --tap: the worker's ring of copies, as dp/li's li_setup() makes it. */
static void
tap_ring(void)
{
	w->li = rte_zmalloc("li_ring", sizeof(*w->li), RTE_CACHE_LINE_SIZE);
	if (w->li != NULL)
		w->li->slots = rte_zmalloc("li_slots", (size_t)LI_RING_SLOTS * LI_SLOT_SIZE,
					   RTE_CACHE_LINE_SIZE);
	if (w->li == NULL || w->li->slots == NULL)
		die("no memory for the ring of copies");
}

/* --tap: the flow tapped as cp does it: ALLOC_TAP on TURN's allocation,
 * RTP_TAP on the context's UE termination (term 0); on false: untapped
 * (the body all zero, as cp's untap). */
static void
tap_flow(bool turn, bool on)
{
	static struct ipc_msg m;
	struct ipc_rtp_tap *rt = (struct ipc_rtp_tap *)m.body;
	struct ipc_alloc_tap *at = turn ? (struct ipc_alloc_tap *)m.body : &rt->tap;

	memset(&m, 0, sizeof(m));
	at->on = 1;
	at->ndest = 1;
	at->correlation = 42;
	memset(at->xid, 0x5a, sizeof(at->xid));
	at->dest[0].family = 4;
	memcpy(at->dest[0].ip, GW4, 4);
	at->dest[0].port = 9000;
	if (turn) {
		m.h.kind = IPC_ALLOC_TAP;
		m.h.alloc_id = 1;
		m.h.tuple.transport = 17;
		m.h.tuple.client.family = 4;
		memcpy(m.h.tuple.client.ip, UE4, 4);
		m.h.tuple.client.port = 40000;
		m.h.tuple.server.family = 4;
		memcpy(m.h.tuple.server.ip, ACC4, 4);
		m.h.tuple.server.port = conf.turn.listen_port;
		m.h.body_len = sizeof(*at);
	} else {
		m.h.kind = IPC_RTP_TAP;
		m.h.alloc_id = ipc_conn_make(0, 0, 1);
		rt->term = 0;
		m.h.body_len = sizeof(*rt);
	}
	if (!on)
		memset(m.body, 0, m.h.body_len);
	cp_send(&m);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* What the worker queued for the ports: counted and freed; and with
 * --tap, the copies taken off the ring (tp-li's part, not measured). */
static uint64_t
drain(void)
{
	uint64_t n = 0;

	if (w->li != NULL)
		__atomic_store_n(&w->li->tail, w->li->head, __ATOMIC_RELEASE);

	for (unsigned int p = 0; p < ctx.nports; p++) {
		n += w->tx[p].n;
		rte_pktmbuf_free_bulk(w->tx[p].pkts, w->tx[p].n);
		w->tx[p].n = 0;
	}
	return n;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' }, { "pkts", required_argument, NULL, 'n' },
		{ "burst", required_argument, NULL, 'b' }, { "size", required_argument, NULL, 's' },
		{ "suite", required_argument, NULL, 'u' }, { "tap", no_argument, NULL, 't' },
		{ "tap-ab", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode = "rtp";
	unsigned int suite = SRTP_REF_AES_CM_128_HMAC_SHA1_80;
	unsigned int npkts = 20000, burst = 1, size = 172, ntmpl, first = 0, nturn, wfirst = 0;
	struct tmpl *t = calloc(2, sizeof(*t));
	struct rte_mbuf *b[DP_BURST];
	uint64_t cycles = 0, out = 0, done = 0;
	int c;
	bool tap = false, tap_ab = false;
	uint64_t ab_cycles[2] = { 0, 0 }, ab_done[2] = { 0, 0 }, turn_cyc = 0;
	/* --tap-ab: each turn's cycles, tapped and untapped apart: their
	 * medians (a turn the guest preempted is an outlier, not a figure) */
	static uint64_t ab_turns[2][4096];
	unsigned int ab_n[2] = { 0, 0 };

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': tap = true; break;
		case 'a': tap = tap_ab = true; break;
		case 'm': mode = optarg; break;
		case 'n': npkts = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'b': burst = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 's': size = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'u':
			for (suite = SRTP_REF_SUITE_COUNT - 1u; suite > 0; suite--)
				if (strcmp(srtp_ref_suite_name(suite), optarg) == 0)
					break;
			if (suite == 0)
				die("--suite: AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM, ...");
			break;
		default: die("usage: [--mode rtp|srtp|srtp-rtp|rtp-srtp|early|early-srtp|bundle|"
			     "bundle-srtp|turn] "
			     "[--pkts N] [--burst B] [--size S] [--suite NAME] [--tap|--tap-ab]");
		}
	}
	if (t == NULL || burst < 1 || burst > DP_BURST || size < 12 || size > 1400)
		die("bad arguments");
	setup();
	if (tap)
		tap_ring();
	if (strcmp(mode, "rtp") == 0 || strcmp(mode, "early") == 0)
		ntmpl = setup_rtp(t, (uint16_t)size, false, strcmp(mode, "early") == 0, suite);
	else if (strncmp(mode, "srtp", 4) == 0 || strcmp(mode, "rtp-srtp") == 0 ||
		 strcmp(mode, "early-srtp") == 0)
		ntmpl = setup_rtp(t, (uint16_t)size, true, strcmp(mode, "early-srtp") == 0,
				  suite);
	else if (strcmp(mode, "turn") == 0)
		ntmpl = setup_turn(t, (uint16_t)size);
	else if (strcmp(mode, "bundle") == 0 || strcmp(mode, "bundle-srtp") == 0)
		ntmpl = setup_bundle(t, (uint16_t)size, strcmp(mode, "bundle-srtp") == 0, suite);
	else
		die("--mode rtp, srtp, srtp-rtp, rtp-srtp, early, early-srtp, bundle, "
		    "bundle-srtp or turn");
	if (tap) {
		if (strncmp(mode, "bundle", 6) == 0)
			die("--tap: not with bundle (a member is not tapped: li.md §8 V3)");
		tap_flow(strcmp(mode, "turn") == 0, true);
	}
	/* which templates are measured: one direction or both in turns */
	nturn = ntmpl;
	if (strcmp(mode, "srtp-rtp") == 0 || strcmp(mode, "rtp-srtp") == 0 ||
	    strncmp(mode, "early", 5) == 0) {
		first = strcmp(mode, "srtp-rtp") == 0 ? 0 : 1;
		nturn = 1;
	}
	/* one packet each way first: the UE's latches (its checksum is
	 * verified then, once), out of the count; with early media the
	 * core's only (the UE has no one to send to yet) */
	if (strncmp(mode, "early", 5) == 0) {
		wfirst = 1;
		ntmpl = 1;
	}
	for (unsigned int i = wfirst; i < wfirst + ntmpl; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		memcpy(rte_pktmbuf_append(m, t[i].len), t[i].frame, t[i].len);
		dp_input_burst(w, &ctx.ports[t[i].port], &m, 1, false);
		tmpl_next(&t[i]);
	}
	if (drain() != ntmpl)
		die("the first packets were not relayed");
	while (done < npkts) {
		/* a burst from one side (as a port's queue gives it), the
		 * sides in turns */
		struct tmpl *s = &t[first + (done / burst) % nturn];
		uint64_t t0, dt;
		bool on = true;

		if (tap_ab) {
			/* a turn of 1,024 packets tapped, the next untapped */
			on = (done / 1024u) % 2 == 0;
			if (done % 1024u == 0 && done > 0) {
				if (ab_n[!on] < 4096)
					ab_turns[!on][ab_n[!on]++] = turn_cyc;
				turn_cyc = 0;
				tap_flow(strcmp(mode, "turn") == 0, on);
			}
		}

		for (unsigned int i = 0; i < burst; i++) {
			b[i] = rte_pktmbuf_alloc(pool);
			if (b[i] == NULL)
				die("no mbuf");
			memcpy(rte_pktmbuf_append(b[i], s->len), s->frame, s->len);
			tmpl_next(s);
		}
		t0 = rte_rdtsc();
		dp_input_burst(w, &ctx.ports[s->port], b, (uint16_t)burst, false);
		dt = rte_rdtsc() - t0;
		cycles += dt;
		ab_cycles[on] += dt;
		turn_cyc += dt;
		ab_done[on] += burst;
		out += drain();
		done += burst;
	}
	printf("bench_rtp_relay mode=%s size=%u burst=%u packets=%" PRIu64 " relayed=%" PRIu64
	       " cycles_per_packet=%.1f ns_per_packet=%.1f (dp_input_burst, TSC at %.3f GHz)\n",
	       mode, size, burst, done, out, (double)cycles / (double)done,
	       (double)cycles / (double)done * 1e9 / (double)rte_get_tsc_hz(),
	       (double)rte_get_tsc_hz() / 1e9);
	if (tap) {
		printf("bench_rtp_relay tap: copies=%" PRIu32 " ring_full=%" PRIu64
		       " too_big=%" PRIu64 " tap_refused=%" PRIu64 "\n", w->li->head,
		       w->li->ctr[LI_CTR_RING_FULL], w->li->ctr[LI_CTR_TOO_BIG],
		       w->li->ctr[LI_CTR_TAP_REFUSED]);
		if (tap_ab && ab_n[0] > 0 && ab_n[1] > 0) {
			double med[2];

			for (unsigned int k = 0; k < 2; k++) {
				qsort(ab_turns[k], ab_n[k], sizeof(uint64_t), cmp_u64);
				med[k] = (double)ab_turns[k][ab_n[k] / 2] / 1024.0;
			}
			printf("bench_rtp_relay tap-ab: untapped cycles_per_packet=%.1f (median of "
			       "%u turns of 1024; mean %.1f) tapped cycles_per_packet=%.1f (%u; mean "
			       "%.1f) ratio=%.3f\n", med[0], ab_n[0],
			       (double)ab_cycles[0] / (double)ab_done[0], med[1], ab_n[1],
			       (double)ab_cycles[1] / (double)ab_done[1], med[1] / med[0]);
		}
		if (w->li->head < (tap_ab ? ab_done[1] : done) || w->li->ctr[LI_CTR_RING_FULL] > 0)
			die("--tap: not every relayed packet was copied");
	}
	if (out != done)
		die("not every packet was relayed");
	free(t);
	return 0;
}
