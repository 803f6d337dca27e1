/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet output on a worker: routing (connected prefixes first, then the
 * port's default gateway for the family), next-hop resolution through the
 * worker's neighbour cache (packets wait, bounded, while ARP/ND runs),
 * the Ethernet header and VLAN tag, and the per-port TX buffers that are
 * flushed once per loop with one tx_burst each.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "../dp.h"
#include "../net/net.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_ARP  0x0806
#define ETH_P_VLAN 0x8100

static const uint8_t eth_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct rte_mbuf *
dp_alloc(struct dp_worker *w)
{
	return rte_pktmbuf_alloc(w->pool);
}

/* IPv6's routes (dp_route()), out of IPv4's way. */
static __rte_noinline int
route6(const struct dp_ctx *ctx, const uint8_t *dst, struct dp_port **port,
       const uint8_t **nexthop)
{
	struct dp_port *gw = NULL;

	for (unsigned int i = 0; i < ctx->nports; i++) {
		struct dp_port *p = (struct dp_port *)(uintptr_t)&ctx->ports[i];

		if (!p->has_ip6)
			continue;
		if (net_prefix_match(NET_AF_IPV6, p->ip6, p->plen6, dst)) {
			*port = p;
			*nexthop = dst;
			return 0;
		}
		if (p->has_gw6 && gw == NULL)
			gw = p;
	}
	if (gw == NULL)
		return -ENETUNREACH;
	*port = gw;
	*nexthop = gw->gw6;
	return 0;
}

/* IPv4's routes: connected prefixes first, then the first port with a
 * gateway. Inline in dp_ip_output(), which every packet dp sends over
 * IPv4 goes through. */
static inline int
route4(const struct dp_ctx *ctx, const uint8_t *dst, struct dp_port **port,
       const uint8_t **nexthop)
{
	struct dp_port *gw = NULL;

	for (unsigned int i = 0; i < ctx->nports; i++) {
		struct dp_port *p = (struct dp_port *)(uintptr_t)&ctx->ports[i];

		if (!p->has_ip4)
			continue;
		if (net_prefix_match4(p->ip4, p->plen4, dst)) {
			*port = p;
			*nexthop = dst;
			return 0;
		}
		if (p->has_gw4 && gw == NULL)
			gw = p;
	}
	if (gw == NULL)
		return -ENETUNREACH;
	*port = gw;
	*nexthop = gw->gw4;
	return 0;
}

int
dp_route(const struct dp_ctx *ctx, uint8_t family, const uint8_t *dst,
	 struct dp_port **port, const uint8_t **nexthop)
{
	/* IPv4 in a loop of its own, IPv6 in a function of its own: every
	 * relayed packet asks, and one loop for both families (its
	 * registers saved and restored) cost a packet some 25 more. */
	if (family == NET_AF_IPV4)
		return route4(ctx, dst, port, nexthop);
	if (family == NET_AF_IPV6)
		return route6(ctx, dst, port, nexthop);
	return -ENETUNREACH;
}

const uint8_t *
dp_port_src(const struct dp_port *port, uint8_t family)
{
	return family == NET_AF_IPV4 ? port->ip4 : port->ip6;
}

/* dp_eth_output()'s too: every packet dp sends is queued here. */
static inline void
tx_enqueue(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m)
{
	struct dp_txq *q = &w->tx[port->index];

	if (unlikely(q->n == DP_TX_BUF))
		dp_tx_flush(w, dp_now());
	q->pkts[q->n++] = m;
}

void
dp_tx_enqueue(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m)
{
	tx_enqueue(w, port, m);
}

/* dp_eth_output(), inline where dp_ip_output() found its neighbour in
 * the memo (nearly every packet). */
static inline void
eth_output(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m,
	   const uint8_t dst_mac[6], uint16_t ethertype)
{
	uint16_t hlen = port->vlan ? RTE_ETHER_HDR_LEN + 4 : RTE_ETHER_HDR_LEN;
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, hlen);

	if (unlikely(p == NULL)) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	memcpy(p, dst_mac, 6);
	memcpy(p + 6, port->mac.addr_bytes, 6);
	if (port->vlan) {
		p[12] = ETH_P_VLAN >> 8;
		p[13] = ETH_P_VLAN & 0xff;
		p[14] = (uint8_t)(port->vlan >> 8);
		p[15] = (uint8_t)port->vlan;
		p += 4;
	}
	p[12] = (uint8_t)(ethertype >> 8);
	p[13] = (uint8_t)ethertype;
	m->l2_len = hlen;
	tx_enqueue(w, port, m);
}

void
dp_eth_output(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m,
	      const uint8_t dst_mac[6], uint16_t ethertype)
{
	eth_output(w, port, m, dst_mac, ethertype);
}

void
dp_neigh_probe(void *arg, const struct neigh_entry *e)
{
	struct dp_worker *w = arg;
	struct dp_port *port = &w->ctx->ports[e->port];
	struct rte_mbuf *m = dp_alloc(w);
	uint8_t *p;

	if (m == NULL) {
		dp_drop_pkt(w, NULL, DP_DROP_NO_MBUF);
		return;
	}
	if (e->family == NET_AF_IPV4) {
		static const uint8_t zero_mac[6];

		if (!port->has_ip4)
			goto out_free;
		p = (uint8_t *)rte_pktmbuf_append(m, 28);
		arp_build(p, 1, port->mac.addr_bytes, port->ip4, zero_mac, e->ip);
		dp_eth_output(w, port, m, eth_bcast, ETH_P_ARP);
		w->ctr[DP_CTR_ARP_REQUEST_TX]++;
	} else {
		uint8_t snm[16], mac[6];
		size_t n;

		if (!port->has_ip6)
			goto out_free;
		p = (uint8_t *)rte_pktmbuf_append(m, 72);
		n = nd_build_ns(p, 72, port->ip6, port->mac.addr_bytes, e->ip);
		if (n == 0)
			goto out_free;
		rte_pktmbuf_trim(m, (uint16_t)(72 - n));
		ipv6_solicited_node(e->ip, snm);
		ipv6_mcast_mac(snm, mac);
		dp_eth_output(w, port, m, mac, ETH_P_IPV6);
		w->ctr[DP_CTR_NS_TX]++;
	}
	return;
out_free:
	rte_pktmbuf_free(m);
}

void
dp_udp_cksum_offer(struct rte_mbuf *m, uint8_t family)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t l3 = family == NET_AF_IPV4 ? 20 : 40, c;

	m->l3_len = l3;
	/* A received mbuf carries RX flags: keep only what says how its
	 * data is attached. */
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
	m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM |
		(family == NET_AF_IPV4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
	/* The NIC wants the pseudo-header sum in the field (DPDK's
	 * convention); software finishing replaces it. */
	c = family == NET_AF_IPV4 ?
		rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)p, m->ol_flags) :
		rte_ipv6_phdr_cksum((const struct rte_ipv6_hdr *)p, m->ol_flags);
	memcpy(p + l3 + 6, &c, 2);
}

/*
 * The checksum the NIC would have made: the field holds the pseudo-
 * header's sum (dp_udp_cksum_offer(), dp/tcp's emit() with cksum_offer),
 * so the sum over the L4 header and data as they stand is the whole
 * checksum's (RFC 1071); the pseudo-header is not summed again. The
 * other branch sums the pseudo-header and the data from the first
 * segment's bytes, as the UDP finish always did: it is only right for
 * data contiguous there. dp makes no other (receive drops chains,
 * dp/tcp builds a segment in one mbuf, every UDP sender writes the
 * length it appends); a chain would need a walk keeping odd-byte
 * boundaries, as DPDK 22.11's rte_raw_cksum_mbuf() does not.
 */
void
dp_l4_cksum_finish(struct dp_worker *w, struct rte_mbuf *m, uint8_t family)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t l3 = family == NET_AF_IPV4 ? 20 : 40, c;
	bool udp = (m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM;
	uint8_t *l4 = p + l3, *f = l4 + (udp ? 6 : 16);
	uint32_t len = udp ? (uint32_t)((l4[4] << 8) | l4[5]) : rte_pktmbuf_pkt_len(m) - l3;

	RTE_ASSERT(m->nb_segs == 1 && m->data_len >= l3 + len);
	if (likely(m->data_len >= l3 + len)) {
		c = (uint16_t)~rte_raw_cksum(l4, len);
	} else {
		f[0] = f[1] = 0;
		c = family == NET_AF_IPV4 ?
			ipv4_l4_cksum(p + 12, p + 16, udp ? 17 : 6, l4, len) :
			ipv6_l4_cksum(p + 8, p + 24, udp ? 17 : 6, l4, len);
		c = rte_cpu_to_be_16(c);
	}
	/* UDP: 0 would say "no checksum" (RFC 768) */
	if (udp && c == 0)
		c = 0xffff;
	memcpy(f, &c, 2);
	m->ol_flags &= ~(RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6);
	w->ctr[DP_CTR_TX_CKSUM_SW]++;
}

void
dp_ip_output(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
	     const uint8_t *dst)
{
	struct dp_port *port;
	const uint8_t *nh;
	uint8_t mac[6];
	bool probe = false;
	enum neigh_result r;

	if (unlikely((family == NET_AF_IPV4 ? route4(w->ctx, dst, &port, &nh) :
		      dp_route(w->ctx, family, dst, &port, &nh)) < 0)) {
		dp_drop_pkt(w, m, DP_DROP_NO_ROUTE);
		return;
	}
	if (unlikely(rte_pktmbuf_pkt_len(m) > port->mtu)) {
		dp_drop_pkt(w, m, DP_DROP_TOO_BIG);
		return;
	}
	/* A checksum left for the NIC: this port's, or software's. */
	if (m->ol_flags & RTE_MBUF_F_TX_L4_MASK) {
		if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM ?
		    port->tx_l4_cksum : port->tx_tcp_cksum)
			w->ctr[DP_CTR_TX_CKSUM_NIC]++;
		else
			dp_l4_cksum_finish(w, m, family);
	}
	{
		const struct neigh_entry *e = w->nh_last[port->index];
		uint32_t a, b;

		/* The entry may since have moved, changed state or gone:
		 * only a REACHABLE entry with this very key is used as is
		 * (neigh_resolve() does no more for one). */
		if (e != NULL && family == NET_AF_IPV4 && e->family == family &&
		    e->state == NEIGH_REACHABLE && e->port == port->index) {
			memcpy(&a, e->ip, 4);
			memcpy(&b, nh, 4);
			if (a == b) {
				eth_output(w, port, m, e->mac, ETH_P_IPV4);
				return;
			}
		}
	}
	r = neigh_resolve(&w->neigh, family, nh, port->index, m, dp_now(), mac,
			  &probe);
	if (r == NEIGH_RES_READY && family == NET_AF_IPV4)
		w->nh_last[port->index] = neigh_lookup(&w->neigh, family, nh);
	if (probe) {
		const struct neigh_entry *e = neigh_lookup(&w->neigh, family, nh);

		if (e != NULL)
			dp_neigh_probe(w, e);
	}
	switch (r) {
	case NEIGH_RES_READY:
		dp_eth_output(w, port, m, mac,
			      family == NET_AF_IPV4 ? ETH_P_IPV4 : ETH_P_IPV6);
		break;
	case NEIGH_RES_QUEUED:
		w->ctr[DP_CTR_NEIGH_QUEUED]++;
		break;
	case NEIGH_RES_DROPPED:
	default:
		dp_drop_pkt(w, m, DP_DROP_NEIGH_QUEUE_FULL);
		break;
	}
}

static void
tx_port(struct dp_worker *w, struct dp_port *port, struct rte_mbuf **pkts,
	uint16_t n)
{
	uint16_t sent = 0;
	uint64_t bytes = 0;

	while (sent < n) {
		uint16_t k = rte_eth_tx_burst(port->port_id, (uint16_t)w->id,
					      pkts + sent, (uint16_t)(n - sent));

		for (uint16_t i = 0; i < k; i++)
			bytes += rte_pktmbuf_pkt_len(pkts[sent + i]);
		sent = (uint16_t)(sent + k);
		if (k == 0)
			break;
	}
	w->ctr[DP_CTR_TX_PKTS] += sent;
	w->ctr[DP_CTR_TX_BYTES] += bytes;
	if (unlikely(sent < n)) {
		w->drop[DP_DROP_TX_FULL] += (uint64_t)(n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, (unsigned int)(n - sent));
	}
}

/* A passive box of a pair (dp_ha.h) sends nothing: what its timers
 * queued (a neighbour probe, a TCP or DTLS resend) would tell its peers
 * that the addresses are here. */
static void __rte_noinline __rte_cold
tx_passive(struct dp_worker *w)
{
	for (unsigned int i = 0; i < w->ctx->nports; i++) {
		struct dp_txq *q = &w->tx[i];

		rte_pktmbuf_free_bulk(q->pkts, q->n);
		w->drop[DP_DROP_HA_PASSIVE_TX] += q->n;
		q->n = 0;
	}
}

void
dp_tx_flush(struct dp_worker *w, uint64_t now)
{
	if (unlikely(w->ha_passive)) {
		tx_passive(w);
		return;
	}
	for (unsigned int i = 0; i < w->ctx->nports; i++) {
		struct dp_port *port = &w->ctx->ports[i];
		struct dp_txq *q = &w->tx[i];
		struct dp_impair *im = w->impair_tx[i];
		struct rte_mbuf *rel[DP_BURST];
		uint16_t n = q->n;

		q->n = 0;
		if (im != NULL) {
			if (n > 0)
				n = dp_impair_burst(w, im, &port->impair, q->pkts, n,
						    DP_TX_BUF, now);
			tx_port(w, port, q->pkts, n);
			n = dp_impair_release(w, im, rel, DP_BURST, now);
			if (n > 0)
				tx_port(w, port, rel, n);
			continue;
		}
		if (n > 0)
			tx_port(w, port, q->pkts, n);
	}
}
