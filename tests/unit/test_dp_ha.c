/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp as one box of an active/standby pair (dp/dp_ha.[ch], issue 69,
 * docs/design/ha.md section 3.4): driven as the worker's loop drives it,
 * a pass at a time (the pass's look at the segment's HA block with the
 * pass's TSC, each port's receive burst freed while passive or else into
 * net's input, cp's ring, the transmit flush), over two real ports of
 * DPDK's ring driver (what dp sends is read off their transmit rings, what
 * they receive is put on their receive rings), a real EAL without
 * hugepages, cp's segment header and rings in heap memory
 * (fake_worker.c). The test writes the HA block as cp will (slice 3).
 *
 * What it shows: with an ha group and a fresh segment, an ARP request for
 * the box's address and a UDP request to 3478 (the test's listener stands
 * where TURN's is: it answers and asks cp) draw nothing, not even a
 * request to cp, and count ha_passive, while cp's messages are still
 * taken; role ACTIVE with its deadline ahead: answered; the pass's clock
 * past the deadline: silent again, and so with role FENCED or STANDBY
 * whatever the deadline; a frame queued by a timer of a passive worker is
 * not sent (ha_passive_tx); without an ha group the same segment changes
 * nothing. Announcements: turning active sends, on each port and for
 * each of its addresses (own, relayed, a tenant's), a gratuitous ARP
 * request and reply and an unsolicited NA, every byte checked, again 100
 * ms and 1 s on and no more; cp's announce_gen starts them again; a
 * passive box never announces, and sends nothing across ARP requests and
 * solicitations for every address it would answer for.
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
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_cp.h"
#include "dp_ha.h"
#include "fake_worker.h"
#include "ipc.h"
#include "net/net.h"
#include "tp_conf_types.h"

/* the access port's own, a tenant's TURN address on it, its IPv6; the
 * core port's own and two relayed ones, its IPv6 and a relayed one */
static const uint8_t ACC4[4] = { 10, 0, 0, 1 };
static const uint8_t TEN4[4] = { 10, 0, 0, 7 };
static const uint8_t ACC6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t TEN6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 };
static const uint8_t CORE4[4] = { 10, 1, 0, 1 };
static const uint8_t RELAY4A[4] = { 10, 1, 0, 9 };
static const uint8_t RELAY4B[4] = { 10, 1, 0, 10 };
static const uint8_t CORE6[16] = { 0xfd, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t RELAY6[16] = { 0xfd, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };
/* a client on the access link, a peer on the core link */
static const uint8_t UE4[4] = { 10, 0, 0, 50 };
static const uint8_t UE6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50 };
static const uint8_t PEER4[4] = { 10, 1, 0, 20 };
static const uint8_t PEER6[16] = { 0xfd, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20 };
static const uint8_t MAC_P0[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t MAC_P1[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t MAC_UE[6] = { 2, 0, 0, 0, 0, 0x50 };
static const uint8_t MAC_PEER[6] = { 2, 0, 0, 0, 0, 0x20 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define TURN_PORT 3478u
#define NPORTS    2u

static struct rte_mempool *pool;
static struct rte_ring *rxr[NPORTS], *txr[NPORTS];
static uint16_t port_ids[NPORTS];

struct fix {
	struct dp_ctx *ctx;
	struct tp_conf *conf;
	struct dp_worker *w;
	uint64_t hz;
	unsigned int mbufs0;
};

/* what the test's listener on 3478 heard and what cp's handler took */
static unsigned int heard, installs;

/* ---- the EAL and two ports of the ring driver, once ----------------------------- */

static void
eal_once(void)
{
	char pfx[64], name[32];
	char *argv[] = {
		"test_dp_ha", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		"--log-level=lib.eal:error", "--log-level=pmd.net.ring:error", "--file-prefix",
		pfx, "-l", "0", NULL,
	};
	struct rte_eth_conf pc;

	if (pool != NULL)
		return;
	snprintf(pfx, sizeof(pfx), "dpha%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		exit(1);
	}
	pool = rte_pktmbuf_pool_create("dpha", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "no mbuf pool\n");
		exit(1);
	}
	memset(&pc, 0, sizeof(pc));
	for (unsigned int i = 0; i < NPORTS; i++) {
		int id;

		snprintf(name, sizeof(name), "harx%u", i);
		rxr[i] = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "hatx%u", i);
		txr[i] = rte_ring_create(name, 2048, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "net_ha%u", i);
		id = rxr[i] != NULL && txr[i] != NULL ?
		     rte_eth_from_rings(name, &rxr[i], 1, &txr[i], 1, SOCKET_ID_ANY) : -1;
		if (id < 0 || rte_eth_dev_configure((uint16_t)id, 1, 1, &pc) != 0 ||
		    rte_eth_rx_queue_setup((uint16_t)id, 0, 1024, SOCKET_ID_ANY, NULL, pool) != 0 ||
		    rte_eth_tx_queue_setup((uint16_t)id, 0, 1024, SOCKET_ID_ANY, NULL) != 0 ||
		    rte_eth_dev_start((uint16_t)id) != 0) {
			fprintf(stderr, "no ring port %u\n", i);
			exit(1);
		}
		port_ids[i] = (uint16_t)id;
	}
}

/* ---- the worker ------------------------------------------------------------------ */

static void
neigh_free(void *pkt, void *arg)
{
	(void)arg;
	rte_pktmbuf_free(pkt);
}

static void
port_make(struct dp_ctx *ctx, unsigned int i, const uint8_t ip4[4], const uint8_t ip6[16],
	  const uint8_t mac[6])
{
	struct dp_port *p = &ctx->ports[i];

	p->port_id = port_ids[i];
	ctx->port_index[port_ids[i]] = (uint8_t)i;
	p->index = (uint8_t)i;
	snprintf(p->name, sizeof(p->name), "p%u", i);
	memcpy(p->mac.addr_bytes, mac, 6);
	p->has_ip4 = true;
	memcpy(p->ip4, ip4, 4);
	p->plen4 = 24;
	p->has_ip6 = true;
	memcpy(p->ip6, ip6, 16);
	p->plen6 = 64;
	ipv6_solicited_node(ip6, p->ip6_snm);
	p->mtu = 1500;
	p->own_relay4 = -1;
	p->own_relay6 = -1;
}

/* The listener on 3478, where TURN's stands: a request is answered (a
 * datagram back) and reported to cp, as TURN does with an Allocate. */
static void
turn_like(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta, void *arg)
{
	struct ipc_msg msg;

	(void)arg;
	heard++;
	memset(&msg.h, 0, sizeof(msg.h));
	msg.h.kind = IPC_REQUEST;
	(void)dp_cp_send(w, &msg);
	(void)dp_udp_send(w, meta->family, meta->dst, meta->dst_port, meta->src, meta->src_port,
			  "answer", 6);
	rte_pktmbuf_free(m);
}

/* what cp installs (ALLOC_DEL stands for every install: taken alike) */
static void
on_install(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)w;
	(void)msg;
	installs++;
}

static int
setup_with(void **state, bool ha)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct dp_ctx *ctx;
	struct dp_worker *w;
	struct ipc_shm *shm;
	struct dp_port *p;

	assert_non_null(f);
	eal_once();
	f->conf = calloc(1, sizeof(*f->conf));
	assert_non_null(f->conf);
	f->conf->ha.enabled = ha;
	f->ctx = ctx = calloc(1, sizeof(*ctx));
	assert_non_null(ctx);
	ctx->conf = f->conf;
	ctx->nworkers = 1;
	f->hz = rte_get_tsc_hz();
	ctx->tsc_hz = f->hz;
	ctx->clock_hz = f->hz;
	ctx->nports = NPORTS;
	port_make(ctx, 0, ACC4, ACC6, MAC_P0);
	p = &ctx->ports[0];
	p->nta4 = 1;
	memcpy(&p->ta4[0], TEN4, 4);
	p->ta4_tenant[0] = 1;
	p->nta6 = 1;
	memcpy(p->ta6[0], TEN6, 16);
	ipv6_solicited_node(TEN6, p->ta6_snm[0]);
	p->ta6_tenant[0] = 1;
	dp_port_tenant_index(p);
	port_make(ctx, 1, CORE4, CORE6, MAC_P1);
	p = &ctx->ports[1];
	p->nrelay4 = 2;
	memcpy(&p->relay4[0], RELAY4A, 4);
	memcpy(&p->relay4[1], RELAY4B, 4);
	p->nrelay6 = 1;
	memcpy(p->relay6[0], RELAY6, 16);
	ipv6_solicited_node(RELAY6, p->relay6_snm[0]);
	dp_port_relay_index(p);
	assert_int_equal(dp_udp_init(ctx), 0);
	assert_int_equal(dp_udp_register(ctx, TURN_PORT, turn_like, NULL, NULL, 0, false), 0);
	assert_int_equal(dp_cp_on_kind(ctx, IPC_ALLOC_DEL, on_install), 0);

	f->w = w = fw_worker_new(ctx);
	w->pool = pool;
	ctx->workers[0] = w;
	neigh_table_init(&w->neigh, w->neigh_mem, DP_NEIGH_SIZE, 16, 3600u * f->hz, f->hz, 3,
			 neigh_free, NULL);
	assert_int_equal(neigh_update(&w->neigh, NET_AF_IPV4, UE4, 0, MAC_UE, dp_now(), true,
				      NULL, 0), 0);
	assert_int_equal(neigh_update(&w->neigh, NET_AF_IPV4, PEER4, 1, MAC_PEER, dp_now(),
				      true, NULL, 0), 0);
	/* cp's segment: fresh (the HA block zeroes), cp serving */
	fw_link_attach(w);
	shm = ctx->ipc.shm;
	shm->cp_epoch = 1;
	ipc_cp_set_ready(shm, true);
	w->clock_ms = ipc_monotonic_ms();
	w->clock_tsc = rte_rdtsc();
	w->now_ms = w->clock_ms;
	dp_ha_attach(ctx);
	heard = installs = 0;
	f->mbufs0 = rte_mempool_in_use_count(pool);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_with(state, true);
}

static int
setup_no_ha(void **state)
{
	return setup_with(state, false);
}

static void
tx_drain(unsigned int pi)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(txr[pi], (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;
	struct rte_mbuf *m;

	for (unsigned int p = 0; p < DP_MAX_PORTS; p++) {
		rte_pktmbuf_free_bulk(w->tx[p].pkts, w->tx[p].n);
		w->tx[p].n = 0;
	}
	for (unsigned int i = 0; i < NPORTS; i++) {
		tx_drain(i);
		while (rte_ring_dequeue(rxr[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
	}
	for (uint32_t e = 0; e < w->neigh.size; e++) {
		for (unsigned int q = 0; q < w->neigh.e[e].nqueued; q++)
			rte_pktmbuf_free(w->neigh.e[e].queue[q]);
		w->neigh.e[e].nqueued = 0;
	}
	assert_int_equal(rte_mempool_in_use_count(pool), f->mbufs0);
	fw_link_detach(w);
	dp_udp_free(f->ctx);
	fw_worker_free(w);
	free(f->ctx);
	free(f->conf);
	free(f);
	return 0;
}

/* ---- the loop's pass, as dp_worker.c runs it -------------------------------------- */

/* One pass at tsc: the look, each port's burst (freed when passive), cp's
 * messages, the transmit flush. */
static void
pass(struct fix *f, uint64_t tsc)
{
	struct dp_worker *w = f->w;
	struct rte_mbuf *pkts[DP_BURST];
	bool passive = dp_ha_pass(w, tsc);

	for (unsigned int i = 0; i < f->ctx->nports; i++) {
		struct dp_port *port = &f->ctx->ports[i];
		uint16_t n = rte_eth_rx_burst(port->port_id, (uint16_t)w->id, pkts, DP_BURST);

		if (passive) {
			dp_ha_rx_drop(w, pkts, n);
			continue;
		}
		if (n > 0)
			dp_input_burst(w, port, pkts, n, false);
	}
	(void)dp_cp_poll(w, w->now_ms);
	dp_tx_flush(w, tsc);
}

/* ---- frames in ------------------------------------------------------------------- */

static uint8_t *
frame(struct rte_mbuf **mp, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	assert_non_null(p);
	*mp = m;
	return p;
}

static void
rx(unsigned int pi, struct rte_mbuf *m)
{
	m->port = port_ids[pi];
	assert_int_equal(rte_ring_enqueue(rxr[pi], m), 0);
}

/* An ARP request (RFC 826) from (mac, spa) for tpa on port pi. */
static void
arp_ask(unsigned int pi, const uint8_t mac[6], const uint8_t spa[4], const uint8_t tpa[4])
{
	static const uint8_t zero[6];
	struct rte_mbuf *m;
	uint8_t *p = frame(&m, 14 + 28);

	memcpy(p, BCAST, 6);
	memcpy(p + 6, mac, 6);
	p[12] = 0x08;
	p[13] = 0x06;
	arp_build(p + 14, 1, mac, spa, zero, tpa);
	rx(pi, m);
}

/* A neighbour solicitation (RFC 4861 section 7.2.2) from (mac, src) for
 * target on port pi, to target's solicited-node group. */
static void
ns_ask(unsigned int pi, const uint8_t mac[6], const uint8_t src[16], const uint8_t target[16])
{
	struct rte_mbuf *m;
	uint8_t *p = frame(&m, 14 + 72), snm[16];

	ipv6_solicited_node(target, snm);
	ipv6_mcast_mac(snm, p);
	memcpy(p + 6, mac, 6);
	p[12] = 0x86;
	p[13] = 0xdd;
	assert_int_equal(nd_build_ns(p + 14, 72, src, mac, target), 72);
	rx(pi, m);
}

/* A UDP datagram from UE4:40000 to dst:TURN_PORT on the access port (no
 * checksum: RFC 768 allows it over IPv4). */
static void
udp_ask(const uint8_t dst[4])
{
	struct rte_mbuf *m;
	uint8_t *p = frame(&m, 14 + 20 + 8 + 20);

	memcpy(p, MAC_P0, 6);
	memcpy(p + 6, MAC_UE, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	ipv4_build_hdr(p + 14, UE4, dst, 17, 64, 20 + 8 + 20);
	p[34] = 40000 >> 8;
	p[35] = 40000 & 0xff;
	p[36] = TURN_PORT >> 8;
	p[37] = TURN_PORT & 0xff;
	p[38] = 0;
	p[39] = 28;
	p[40] = p[41] = 0;
	memset(p + 42, 0x11, 20);             /* (a Binding request's size) */
	rx(0, m);
}

/* cp's install (an ALLOC_DEL of allocation 1 on worker 0's UDP tuple). */
static void
cp_installs(struct fix *f)
{
	struct ipc_msg msg;

	memset(&msg.h, 0, sizeof(msg.h));
	msg.h.kind = IPC_ALLOC_DEL;
	msg.h.alloc_id = 1;
	msg.h.tuple.transport = 17;
	msg.h.tuple.client.family = 4;
	msg.h.tuple.server.family = 4;
	assert_int_equal(ipc_ring_enqueue(&f->w->cp.rings->to_dp, &msg), 0);
}

/* ---- what went out --------------------------------------------------------------- */

/* Frames on port pi's transmit ring (taken off it). */
static unsigned int
tx_count(unsigned int pi)
{
	unsigned int n = rte_ring_count(txr[pi]);

	tx_drain(pi);
	return n;
}

static unsigned int
to_cp_count(struct fix *f)
{
	unsigned int n = ipc_ring_count(&f->w->cp.rings->to_cp);
	struct ipc_msg msg;

	while (ipc_ring_dequeue(&f->w->cp.rings->to_cp, &msg) > 0)
		;
	return n;
}

/* What dp answers while it may: an ARP reply for its address, the
 * listener's datagram back and its request to cp. */
static void
ask_both(void)
{
	arp_ask(0, MAC_UE, UE4, ACC4);
	udp_ask(ACC4);
}

static void
set_role(struct fix *f, enum ipc_ha_role role, uint64_t token, uint64_t fence_at_ms)
{
	ipc_ha_set(&f->ctx->ipc.shm->ha, role, token, fence_at_ms);
}

/* ---- passive, active, fenced ----------------------------------------------------- */

/* A fresh segment: dp starts passive. An ARP request for its address,
 * neighbour solicitations for its IPv6 ones and a request to 3478 draw
 * nothing (no frame, no request to cp, the listener never runs) and count
 * ha_passive; cp's install is taken all the same. */
static void
test_ha_fresh_segment_is_passive(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;

	assert_true(w->ha_passive);
	ask_both();
	ns_ask(0, MAC_UE, UE6, ACC6);
	ns_ask(1, MAC_PEER, PEER6, CORE6);
	cp_installs(f);
	pass(f, rte_rdtsc());
	assert_true(w->ha_passive);
	assert_int_equal(tx_count(0), 0);
	assert_int_equal(tx_count(1), 0);
	assert_int_equal(to_cp_count(f), 0);
	assert_int_equal(heard, 0);
	assert_int_equal(w->drop[DP_DROP_HA_PASSIVE], 4);
	assert_int_equal(w->ctr[DP_CTR_ARP_IN], 0);
	assert_int_equal(w->ctr[DP_CTR_ND_IN], 0);
	assert_int_equal(w->ctr[DP_CTR_TX_PKTS], 0);
	assert_int_equal(installs, 1);               /* cp's messages still taken */
}

/* Role ACTIVE with the deadline ahead: the same frames are answered (the
 * ARP reply from the address asked, the datagram back, the request to
 * cp); then the pass's clock past the deadline: silent again. */
static void
test_ha_active_until_the_deadline(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;
	uint64_t now = ipc_monotonic_ms(), t0 = rte_rdtsc();

	set_role(f, IPC_HA_ACTIVE, 3, now + 500);
	pass(f, t0);                                  /* (its announcements) */
	assert_false(w->ha_passive);
	tx_count(0);
	tx_count(1);
	ask_both();
	pass(f, t0);
	assert_false(w->ha_passive);
	assert_int_equal(tx_count(0), 2);             /* the ARP reply, the answer */
	assert_int_equal(to_cp_count(f), 1);
	assert_int_equal(heard, 1);
	assert_int_equal(w->ctr[DP_CTR_ARP_REPLY_TX], 1);
	assert_int_equal(w->drop[DP_DROP_HA_PASSIVE], 0);

	/* a pass a second later: cp has not moved the deadline on */
	ask_both();
	pass(f, t0 + f->hz);
	assert_true(w->ha_passive);
	assert_int_equal(tx_count(0), 0);
	assert_int_equal(to_cp_count(f), 0);
	assert_int_equal(heard, 1);
	assert_int_equal(w->drop[DP_DROP_HA_PASSIVE], 2);

	/* cp renewed: a deadline ahead of that clock, active again */
	set_role(f, IPC_HA_ACTIVE, 3, now + 60000);
	pass(f, t0 + f->hz);
	assert_false(w->ha_passive);
	tx_count(0);
	tx_count(1);
	ask_both();
	pass(f, t0 + f->hz);
	assert_int_equal(tx_count(0), 2);
	assert_int_equal(heard, 2);
}

/* FENCED (a foreign holder) or STANDBY: passive at once, whatever the
 * deadline says. */
static void
test_ha_fenced_and_standby_are_passive(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;
	uint64_t now = ipc_monotonic_ms();

	set_role(f, IPC_HA_ACTIVE, 4, now + 60000);
	pass(f, rte_rdtsc());
	assert_false(w->ha_passive);
	tx_count(0);
	tx_count(1);
	set_role(f, IPC_HA_FENCED, 4, now + 60000);
	ask_both();
	pass(f, rte_rdtsc());
	assert_true(w->ha_passive);
	assert_int_equal(tx_count(0), 0);
	assert_int_equal(heard, 0);
	f->ctx->ipc.shm->ha.role = IPC_HA_STANDBY;
	ask_both();
	pass(f, rte_rdtsc());
	assert_true(w->ha_passive);
	assert_int_equal(tx_count(0), 0);
	assert_int_equal(w->drop[DP_DROP_HA_PASSIVE], 4);
}

/* What a passive worker's timers queue (a neighbour probe, a TCP
 * retransmission, a DTLS resend) is not sent either: a fenced box must
 * not refresh its peers' caches with the service addresses. */
static void
test_ha_passive_sends_nothing_queued(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;
	struct neigh_entry e;

	memset(&e, 0, sizeof(e));
	e.family = NET_AF_IPV4;
	e.port = 1;
	memcpy(e.ip, PEER4, 4);
	pass(f, rte_rdtsc());
	assert_true(w->ha_passive);
	dp_neigh_probe(w, &e);                     /* as neigh_tick() would */
	assert_int_equal(w->tx[1].n, 1);
	dp_tx_flush(w, rte_rdtsc());
	assert_int_equal(w->tx[1].n, 0);
	assert_int_equal(tx_count(1), 0);
	assert_int_equal(w->drop[DP_DROP_HA_PASSIVE_TX], 1);
	assert_int_equal(w->ctr[DP_CTR_TX_PKTS], 0);
}

/* Without an ha group the segment's role is not read: a fresh segment
 * (role STANDBY) changes nothing, dp answers. */
static void
test_ha_without_the_group_nothing_changes(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;

	assert_null(w->ha);
	assert_false(w->ha_passive);
	ask_both();
	pass(f, rte_rdtsc());
	assert_false(w->ha_passive);
	assert_int_equal(tx_count(0), 2);
	assert_int_equal(to_cp_count(f), 1);
	assert_int_equal(w->drop[DP_DROP_HA_PASSIVE], 0);
}

/* ---- announcements (netio/net_announce.c) ---------------------------------------- */

/* What a round says on each port: its IPv4 and IPv6 addresses. */
struct said {
	unsigned int n4, n6, req, rep, na;
	uint8_t ip4[8][4];
	uint8_t ip6[8][16];
};

/* Take port pi's transmit ring and check every frame as an announcement
 * from mac: a gratuitous ARP (request or reply, spa = tpa, to broadcast,
 * sha our MAC, tha zero in the request and ours in the reply) or an
 * unsolicited NA to ff02::1 (hop limit 255, R and S clear, O set, target
 * = source, our target link-layer option, a checksum nd_parse() takes). */
static void
take_said(unsigned int pi, const uint8_t mac[6], struct said *sd)
{
	static const uint8_t zero[6];
	static const uint8_t all_nodes[16] = { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t mac_all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct rte_mbuf *m;

	memset(sd, 0, sizeof(*sd));
	while (rte_ring_dequeue(txr[pi], (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint16_t len = rte_pktmbuf_data_len(m);

		assert_true(len >= 14);
		assert_memory_equal(p + 6, mac, 6);
		if (p[12] == 0x08 && p[13] == 0x06) {
			struct arp_info a;

			assert_memory_equal(p, BCAST, 6);
			assert_int_equal(arp_parse(p + 14, (size_t)(len - 14), &a), DP_DROP_NONE);
			assert_memory_equal(a.sha, mac, 6);
			assert_memory_equal(a.spa, a.tpa, 4);
			if (a.op == 1) {
				assert_memory_equal(a.tha, zero, 6);
				sd->req++;
				assert_true(sd->n4 < 8);
				memcpy(sd->ip4[sd->n4++], a.spa, 4);
			} else {
				assert_int_equal(a.op, 2);
				assert_memory_equal(a.tha, mac, 6);
				sd->rep++;
				/* the reply follows its request, for the same address */
				assert_true(sd->n4 > 0);
				assert_memory_equal(a.spa, sd->ip4[sd->n4 - 1], 4);
			}
		} else {
			struct ipv6_info ip;
			struct nd_info nd;
			const uint8_t *h = p + 14;

			assert_true(p[12] == 0x86 && p[13] == 0xdd);
			assert_memory_equal(p, mac_all_nodes, 6);
			assert_int_equal(len, 14 + 72);
			memset(&ip, 0, sizeof(ip));
			ip.next_hdr = h[6];
			ip.hop_limit = h[7];
			ip.payload_len = (uint16_t)(h[4] << 8 | h[5]);
			memcpy(ip.src, h + 8, 16);
			memcpy(ip.dst, h + 24, 16);
			assert_int_equal(ip.next_hdr, 58);
			assert_int_equal(ip.hop_limit, 255);
			assert_int_equal(ip.payload_len, 32);
			assert_memory_equal(ip.dst, all_nodes, 16);
			assert_int_equal(nd_parse(&ip, h + 40, 32, &nd), DP_DROP_NONE);
			assert_int_equal(nd.type, 136);
			assert_int_equal(nd.flags & 0xe0u, 0x20u);     /* R 0, S 0, O 1 */
			assert_memory_equal(nd.target, ip.src, 16);
			assert_true(nd.has_lladdr);
			assert_memory_equal(nd.lladdr, mac, 6);
			sd->na++;
			assert_true(sd->n6 < 8);
			memcpy(sd->ip6[sd->n6++], nd.target, 16);
		}
		rte_pktmbuf_free(m);
	}
}

static bool
said4(const struct said *sd, const uint8_t ip[4])
{
	for (unsigned int i = 0; i < sd->n4; i++)
		if (memcmp(sd->ip4[i], ip, 4) == 0)
			return true;
	return false;
}

static bool
said6(const struct said *sd, const uint8_t ip[16])
{
	for (unsigned int i = 0; i < sd->n6; i++)
		if (memcmp(sd->ip6[i], ip, 16) == 0)
			return true;
	return false;
}

/* A whole round on both ports: the access port's own and tenant
 * addresses, the core port's own and relayed ones, each once in each
 * form, nothing else. */
static void
expect_round(void)
{
	struct said a, c;

	take_said(0, MAC_P0, &a);
	take_said(1, MAC_P1, &c);
	assert_int_equal(a.req, 2);
	assert_int_equal(a.rep, 2);
	assert_int_equal(a.na, 2);
	assert_true(said4(&a, ACC4) && said4(&a, TEN4));
	assert_true(said6(&a, ACC6) && said6(&a, TEN6));
	assert_int_equal(c.req, 3);
	assert_int_equal(c.rep, 3);
	assert_int_equal(c.na, 2);
	assert_true(said4(&c, CORE4) && said4(&c, RELAY4A) && said4(&c, RELAY4B));
	assert_true(said6(&c, CORE6) && said6(&c, RELAY6));
}

static void
expect_silence(void)
{
	assert_int_equal(tx_count(0), 0);
	assert_int_equal(tx_count(1), 0);
}

/* Turning active announces every address at once, again 100 ms and 1 s
 * later, then no more; a new announce_gen from cp while active starts the
 * rounds again. Counted. */
static void
test_ha_announces_when_it_turns_active(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;
	uint64_t t0 = rte_rdtsc(), ms = f->hz / 1000u;

	set_role(f, IPC_HA_ACTIVE, 5, ipc_monotonic_ms() + 60000);
	pass(f, t0);
	expect_round();
	assert_int_equal(w->ctr[DP_CTR_HA_GARP_TX], 10);
	assert_int_equal(w->ctr[DP_CTR_HA_NA_TX], 4);
	pass(f, t0 + 50 * ms);
	expect_silence();
	pass(f, t0 + 100 * ms);
	expect_round();
	pass(f, t0 + 500 * ms);
	expect_silence();
	pass(f, t0 + 1000 * ms);
	expect_round();
	pass(f, t0 + 2000 * ms);
	pass(f, t0 + 5000 * ms);
	expect_silence();
	assert_int_equal(w->ctr[DP_CTR_HA_GARP_TX], 30);
	assert_int_equal(w->ctr[DP_CTR_HA_NA_TX], 12);
	assert_int_equal(w->ctr[DP_CTR_TX_PKTS], 3 * 14);

	/* cp asks again (a switch that lost its table, a link back up) */
	ipc_ha_announce(&f->ctx->ipc.shm->ha);
	pass(f, t0 + 6000 * ms);
	expect_round();
	pass(f, t0 + 6100 * ms);
	expect_round();
}

/* A passive box never announces: not when cp moves announce_gen, and
 * the rounds still due when it turns passive are dropped; turning active
 * again starts them afresh. */
static void
test_ha_passive_never_announces(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;
	uint64_t t0 = rte_rdtsc(), ms = f->hz / 1000u, now = ipc_monotonic_ms();

	ipc_ha_announce(&f->ctx->ipc.shm->ha);
	pass(f, t0);
	expect_silence();
	set_role(f, IPC_HA_ACTIVE, 6, now + 50);
	pass(f, t0);
	expect_round();
	/* the deadline passes before the second round */
	pass(f, t0 + 100 * ms);
	assert_true(w->ha_passive);
	pass(f, t0 + 1000 * ms);
	expect_silence();
	ipc_ha_announce(&f->ctx->ipc.shm->ha);
	pass(f, t0 + 1100 * ms);
	expect_silence();
	assert_int_equal(w->ctr[DP_CTR_HA_GARP_TX], 10);
	/* renewed: active again, the rounds from the first */
	set_role(f, IPC_HA_ACTIVE, 6, now + 60000);
	pass(f, t0 + 1200 * ms);
	expect_round();
	pass(f, t0 + 1250 * ms);
	expect_silence();
	pass(f, t0 + 1300 * ms);
	expect_round();
}

/* ARP requests and neighbour solicitations for every address dp answers
 * for: a passive box sends nothing at all (its transmit count stays 0);
 * the same questions to the active box are each answered. */
static void
test_ha_passive_transmits_nothing_for_arp_and_ns(void **state)
{
	struct fix *f = *state;
	struct dp_worker *w = f->w;
	const uint8_t *v4[] = { ACC4, TEN4, CORE4, RELAY4A, RELAY4B };
	const uint8_t *v6[] = { ACC6, TEN6, CORE6, RELAY6 };
	uint64_t t0 = rte_rdtsc(), ms = f->hz / 1000u;

	for (int round = 0; round < 2; round++) {
		for (unsigned int i = 0; i < 5; i++)
			arp_ask(i < 2 ? 0 : 1, i < 2 ? MAC_UE : MAC_PEER, i < 2 ? UE4 : PEER4,
				v4[i]);
		for (unsigned int i = 0; i < 4; i++)
			ns_ask(i < 2 ? 0 : 1, i < 2 ? MAC_UE : MAC_PEER, i < 2 ? UE6 : PEER6,
			       v6[i]);
		if (round == 0) {
			pass(f, t0);
			expect_silence();
			assert_int_equal(w->ctr[DP_CTR_TX_PKTS], 0);
			assert_int_equal(w->drop[DP_DROP_HA_PASSIVE], 9);
			continue;
		}
		set_role(f, IPC_HA_ACTIVE, 7, ipc_monotonic_ms() + 60000);
		pass(f, t0 + ms);
		/* the round of announcements, then the nine answers */
		assert_int_equal(w->ctr[DP_CTR_ARP_REPLY_TX], 5);
		assert_int_equal(w->ctr[DP_CTR_NA_TX], 4);
		assert_int_equal(w->ctr[DP_CTR_TX_PKTS], 14 + 9);
		tx_count(0);
		tx_count(1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ha_fresh_segment_is_passive, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_active_until_the_deadline, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_fenced_and_standby_are_passive, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_passive_sends_nothing_queued, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_without_the_group_nothing_changes,
						setup_no_ha, teardown),
		cmocka_unit_test_setup_teardown(test_ha_announces_when_it_turns_active, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_passive_never_announces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ha_passive_transmits_nothing_for_arp_and_ns,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
