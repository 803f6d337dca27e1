/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet input on a worker: Ethernet (and the port's VLAN), ARP, IPv4,
 * IPv6, ICMP/ICMPv6 echo, neighbour discovery, and hand-over of UDP to the
 * demultiplexer. Validation itself is the pure code of net/ (ipv4.c,
 * ipv6.c, arp.c, nd.c, icmp.c); this file applies it to mbufs, counts
 * every drop by reason and frees in one place per packet.
 *
 * A port's addresses are its own, on the core port of a family its
 * relayed addresses (relay_ipv4 / relay_ipv6), and on an access port the
 * tenants' TURN addresses its prefix holds: ARP, neighbour
 * solicitations (to their solicited-node groups too), echo, ICMP errors
 * and UDP are taken for every one of them, and answered from the address
 * asked; UDP learns which one it was (dp_local4/6) for the listeners.
 *
 * ARP and NA packets teach every worker: the one that receives a packet
 * learns from it and shares it (reference counted, read-only) with the
 * others through their hand-off rings, because the reply to a probe sent
 * by one worker may arrive on another's queue.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "../dp.h"
#include "../net/net.h"
#include "tp_common.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_ARP  0x0806
#define ETH_P_VLAN 0x8100

static const uint8_t ip6_all_nodes[16] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

/* Where the L3 header starts and which ethertype it has, after the
 * port's VLAN rule; 0 with *why set when the frame is to be dropped. */
static uint16_t
eth_parse(const struct dp_port *port, const struct rte_mbuf *m,
	  uint16_t *ethertype, enum dp_drop *why)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t len = rte_pktmbuf_data_len(m), type, off = RTE_ETHER_HDR_LEN;

	if (len < RTE_ETHER_HDR_LEN) {
		*why = DP_DROP_ETH_SHORT;
		return 0;
	}
	/* Unicast must be ours; group addresses pass (ARP broadcast,
	 * solicited-node and all-nodes multicast). */
	if ((p[0] & 1u) == 0 && memcmp(p, port->mac.addr_bytes, 6) != 0) {
		*why = DP_DROP_ETH_NOT_FOR_US;
		return 0;
	}
	type = (uint16_t)((p[12] << 8) | p[13]);
	if (type == ETH_P_VLAN) {
		if (len < RTE_ETHER_HDR_LEN + 4) {
			*why = DP_DROP_ETH_SHORT;
			return 0;
		}
		if (port->vlan == 0 ||
		    (((p[14] << 8) | p[15]) & 0x0fff) != port->vlan) {
			*why = DP_DROP_VLAN_MISMATCH;
			return 0;
		}
		type = (uint16_t)((p[16] << 8) | p[17]);
		off += 4;
	} else if (port->vlan != 0 &&
		   !((m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
		     (m->vlan_tci & 0x0fff) == port->vlan)) {
		*why = DP_DROP_VLAN_MISMATCH;
		return 0;
	}
	*ethertype = type;
	return off;
}

/* Other workers learn from the same bytes: m goes to each of them,
 * reference counted and read-only; this worker still owns one reference. */
static void
share_neigh(struct dp_worker *w, struct rte_mbuf *m)
{
	if (w->ctx->nworkers < 2)
		return;
	rte_mbuf_refcnt_update(m, (int16_t)(w->ctx->nworkers - 1));
	for (unsigned int i = 0; i < w->ctx->nworkers; i++)
		if (i != w->id)
			dp_handoff(w, i, m, DP_HANDOFF_NEIGH);
}

static void
arp_input(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m,
	  const uint8_t *p, uint16_t len, bool shared)
{
	struct rte_mbuf *released[NEIGH_QUEUE_MAX];
	struct arp_info a;
	enum dp_drop why = arp_parse(p, len, &a);
	bool for_us, own;
	int relay_idx;
	unsigned int n;

	if (why != DP_DROP_NONE) {
		dp_drop_pkt(w, m, why);
		return;
	}
	if (!shared)
		w->ctr[DP_CTR_ARP_IN]++;
	for_us = dp_local4(port, a.tpa, &own, &relay_idx);
	/* RFC 826 "merge": refresh a known sender; add it when the packet
	 * is addressed to us (it will be talking to us). */
	n = neigh_update(&w->neigh, NET_AF_IPV4, a.spa, port->index, a.sha,
			 dp_now(), for_us, (void **)released, RTE_DIM(released));
	for (unsigned int i = 0; i < n; i++)
		dp_eth_output(w, port, released[i], a.sha, ETH_P_IPV4);
	if (shared) {
		rte_pktmbuf_free(m);
		return;
	}
	share_neigh(w, m);
	if (a.op == 1 && for_us) {
		struct rte_mbuf *r = dp_alloc(w);

		if (r == NULL) {
			dp_drop_pkt(w, NULL, DP_DROP_NO_MBUF);
		} else {
			uint8_t *rp = (uint8_t *)rte_pktmbuf_append(r, 28);

			/* RFC 826: the reply's sender is the address asked
			 * for (the port's own or a relayed one). */
			arp_build(rp, 2, port->mac.addr_bytes, a.tpa, a.sha, a.spa);
			dp_eth_output(w, port, r, a.sha, ETH_P_ARP);
			w->ctr[DP_CTR_ARP_REPLY_TX]++;
		}
	}
	if (!for_us)
		dp_drop_pkt(w, m, DP_DROP_ARP_NOT_FOR_US);
	else
		rte_pktmbuf_free(m);
}

/*
 * An ICMP error about something we sent, to the layer that sent what it
 * quotes: a TCP segment to TCP's hooks (which find the worker holding its
 * connection: path MTU, RFC 1191 / 8201); a datagram to the UDP listener
 * of its source port (one of ours), on the worker that owns the port,
 * when that listener takes errors (TURN's relayed ports, RFC 8656 §11.5).
 * Returns true when m was consumed.
 */
static bool
icmp_error_input(struct dp_worker *w, const struct dp_port *port, struct rte_mbuf *m,
		 uint8_t family, const uint8_t *src, const uint8_t *icmp, size_t len, bool handed)
{
	const struct dp_ctx *ctx = w->ctx;
	const struct dp_udp_handler *h;
	struct dp_icmp_error e;
	unsigned int owner;
	uint16_t sport;
	uint8_t type = icmp[0];

	if (family == NET_AF_IPV4 ? (type != 3 && type != 11) : (type < 1 || type > 3))
		return false;
	if (len < 8 + 20)
		return false;
	e.family = family;
	e.type = type;
	e.code = icmp[1];
	e.word = tp_rd32(icmp + 4);
	e.src = src;
	e.inner = icmp + 8;
	e.inner_len = len - 8;
	e.inner_l3 = family == NET_AF_IPV4 ? (size_t)(e.inner[0] & 0x0fu) * 4u : 40u;
	if (e.inner_l3 < 20 || e.inner_len < e.inner_l3 + 8)
		return false;
	if ((family == NET_AF_IPV4 ? e.inner[9] : e.inner[6]) == 6)
		return ctx->tcp_hooks != NULL &&
		       ctx->tcp_hooks->icmp_error(w, port, m, &e, handed);
	sport = tp_rd16(e.inner + e.inner_l3);
	h = &ctx->udp_fns[ctx->udp[sport].handler];
	if (h->icmp == NULL)
		return false;
	owner = ctx->udp[sport].owner;
	if (owner != w->id && owner != DP_OWNER_FLOW && !handed) {
		dp_handoff(w, owner, m, DP_HANDOFF_FLOW);
		return true;
	}
	h->icmp(w, &e, h->arg);
	rte_pktmbuf_free(m);
	return true;
}

static void
ip4_input(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m,
	  uint8_t *p, uint16_t off, uint16_t len, bool handed)
{
	struct ipv4_info ip;
	bool csum_ok = port->rx_cksum &&
		(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	enum dp_drop why = ipv4_validate(p, len, csum_ok, &ip);
	uint8_t *l4;
	uint16_t l4len;
	bool own;
	int relay_idx;

	if (why != DP_DROP_NONE) {
		dp_drop_pkt(w, m, why);
		return;
	}
	if (!dp_local4(port, ip.dst, &own, &relay_idx)) {
		dp_drop_pkt(w, m, DP_DROP_IP4_NOT_FOR_US);
		return;
	}
	if (!handed)
		w->ctr[DP_CTR_IP4_IN]++;
	l4 = p + ip.hdr_len;
	l4len = (uint16_t)(ip.total_len - ip.hdr_len);
	switch (ip.proto) {
	case 1: /* ICMP */
		if (l4len >= 1 && l4[0] != 8) {
			if (l4len >= 8 && net_fold(net_sum16(l4, l4len, 0)) == 0xffffu &&
			    icmp_error_input(w, port, m, NET_AF_IPV4, ip.src, l4, l4len, handed))
				return;
		}
		why = icmp4_echo_reply(l4, l4len);
		if (why != DP_DROP_NONE) {
			dp_drop_pkt(w, m, why);
			return;
		}
		/* Answer from the address asked, to the asker, trimmed to the
		 * IP total length (Ethernet padding dropped). */
		rte_pktmbuf_adj(m, off);
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - ip.total_len));
		if (ip.hdr_len > 20) {
			/* The reply carries no IP options (RFC 1122 §3.2.2.6
			 * allows dropping them): the ICMP part moves up. */
			rte_pktmbuf_adj(m, (uint16_t)(ip.hdr_len - 20));
			p = rte_pktmbuf_mtod(m, uint8_t *);
		}
		ipv4_build_hdr(p, ip.dst, ip.src, 1, 64,
			       (uint16_t)(ip.total_len - ip.hdr_len + 20));
		w->ctr[DP_CTR_ICMP_ECHO]++;
		dp_ip_output(w, m, NET_AF_IPV4, ip.src);
		return;
	case 17: /* UDP */
		dp_udp_input(w, port, m, NET_AF_IPV4, p, off, l4, l4len, handed,
			     own, relay_idx);
		return;
	case 6:
		if (w->ctx->tcp_hooks == NULL) {
			dp_drop_pkt(w, m, DP_DROP_TCP_UNSUPPORTED);
			return;
		}
		w->ctx->tcp_hooks->input(w, port, m, NET_AF_IPV4, ip.src, ip.dst, l4, l4len,
					 handed);
		return;
	default:
		dp_drop_pkt(w, m, DP_DROP_IP_PROTO);
		return;
	}
}

static void
nd_input(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m,
	 const struct ipv6_info *ip, const uint8_t *icmp, uint16_t len,
	 bool shared)
{
	struct rte_mbuf *released[NEIGH_QUEUE_MAX];
	struct nd_info nd;
	enum dp_drop why = nd_parse(ip, icmp, len, &nd);
	bool target_ours, own;
	int relay_idx;
	unsigned int n = 0;
	const uint8_t *lladdr_ip;

	if (why != DP_DROP_NONE) {
		dp_drop_pkt(w, m, why);
		return;
	}
	if (!shared)
		w->ctr[DP_CTR_ND_IN]++;
	target_ours = dp_local6(port, nd.target, &own, &relay_idx);
	/* NS: the sender's address is ip->src (unless ::, DAD); NA: the
	 * target is the one advertised (RFC 4861 §7.2.5). */
	lladdr_ip = nd.type == 135 ? ip->src : nd.target;
	if (nd.has_lladdr) {
		static const uint8_t unspec[16];
		bool create = nd.type == 135 ? target_ours :
					       (nd.flags & 0x40u) != 0;

		if (memcmp(lladdr_ip, unspec, 16) != 0)
			n = neigh_update(&w->neigh, NET_AF_IPV6, lladdr_ip,
					 port->index, nd.lladdr, dp_now(), create,
					 (void **)released, RTE_DIM(released));
		for (unsigned int i = 0; i < n; i++)
			dp_eth_output(w, port, released[i], nd.lladdr, ETH_P_IPV6);
	}
	if (shared) {
		rte_pktmbuf_free(m);
		return;
	}
	if (nd.has_lladdr)
		share_neigh(w, m);
	if (nd.type == 135 && target_ours) {
		static const uint8_t unspec[16];
		bool dad = memcmp(ip->src, unspec, 16) == 0;
		struct rte_mbuf *r = dp_alloc(w);
		uint8_t mac[6];

		if (r == NULL) {
			dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
			return;
		}
		/* RFC 4861 §7.2.4: to the solicitor, solicited; a DAD probe
		 * gets an unsolicited NA to all-nodes. From the target (an
		 * address of the interface), about the target. */
		uint8_t *rp = (uint8_t *)rte_pktmbuf_append(r, 72);
		size_t rl = nd_build_na(rp, 72, nd.target,
					dad ? ip6_all_nodes : ip->src,
					port->mac.addr_bytes, nd.target, !dad);

		if (rl == 0) {
			rte_pktmbuf_free(r);
			dp_drop_pkt(w, m, DP_DROP_ND_MALFORMED);
			return;
		}
		if (dad || !nd.has_lladdr)
			ipv6_mcast_mac(dad ? ip6_all_nodes : ip->src, mac);
		else
			memcpy(mac, nd.lladdr, 6);
		if (!dad && !nd.has_lladdr) {
			/* No link-layer option: resolve the solicitor normally. */
			rte_pktmbuf_free(m);
			w->ctr[DP_CTR_NA_TX]++;
			dp_ip_output(w, r, NET_AF_IPV6, ip->src);
			return;
		}
		dp_eth_output(w, port, r, mac, ETH_P_IPV6);
		w->ctr[DP_CTR_NA_TX]++;
	}
	rte_pktmbuf_free(m);
}

/* A multicast group the port listens to: all-nodes, the solicited-node
 * group of its own address, of a relayed one or of a tenant's TURN
 * address (RFC 4861 §7.2.1). */
static bool
ip6_group_ours(const struct dp_port *port, const uint8_t *dst)
{
	if (!port->has_ip6 || dst[0] != 0xff)
		return false;
	if (dp_ip6_eq(dst, port->ip6_snm) || dp_ip6_eq(dst, ip6_all_nodes))
		return true;
	for (unsigned int i = 0; i < port->nrelay6; i++)
		if (dp_ip6_eq(dst, port->relay6_snm[i]))
			return true;
	for (unsigned int i = 0; i < port->nta6; i++)
		if (dp_ip6_eq(dst, port->ta6_snm[i]))
			return true;
	return false;
}

static void
ip6_input(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m,
	  uint8_t *p, uint16_t off, uint16_t len, bool handed, bool shared)
{
	struct ipv6_info ip;
	enum dp_drop why = ipv6_validate(p, len, &ip);
	uint8_t *l4 = p + 40;
	bool unicast, own = false;
	int relay_idx = -1;

	if (why != DP_DROP_NONE) {
		dp_drop_pkt(w, m, why);
		return;
	}
	unicast = dp_local6(port, ip.dst, &own, &relay_idx);
	if (!unicast && !ip6_group_ours(port, ip.dst)) {
		dp_drop_pkt(w, m, DP_DROP_IP6_NOT_FOR_US);
		return;
	}
	if (!handed && !shared)
		w->ctr[DP_CTR_IP6_IN]++;
	switch (ip.next_hdr) {
	case 58: /* ICMPv6 */
		if (ip.payload_len >= 1 && (l4[0] == 135 || l4[0] == 136)) {
			nd_input(w, port, m, &ip, l4, ip.payload_len, shared);
			return;
		}
		if (shared || !unicast) {
			dp_drop_pkt(w, m, DP_DROP_ICMP_TYPE);
			return;
		}
		if (ip.payload_len >= 8 && l4[0] < 128 &&
		    ipv6_l4_cksum(ip.src, ip.dst, 58, l4, ip.payload_len) == 0 &&
		    icmp_error_input(w, port, m, NET_AF_IPV6, ip.src, l4, ip.payload_len,
				     handed))
			return;
		why = icmp6_echo_reply(l4, ip.payload_len, ip.src, ip.dst);
		if (why != DP_DROP_NONE) {
			dp_drop_pkt(w, m, why);
			return;
		}
		rte_pktmbuf_adj(m, off);
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - 40u - ip.payload_len));
		/* The echo reply's checksum covered (src, dst) as they were,
		 * and the pseudo-header sum is symmetric: swapping keeps it. */
		ipv6_build_hdr(p, ip.dst, ip.src, 58, 64, ip.payload_len);
		w->ctr[DP_CTR_ICMP6_ECHO]++;
		dp_ip_output(w, m, NET_AF_IPV6, ip.src);
		return;
	case 17:
		if (!unicast) {
			dp_drop_pkt(w, m, DP_DROP_IP6_NOT_FOR_US);
			return;
		}
		dp_udp_input(w, port, m, NET_AF_IPV6, p, off, l4, ip.payload_len,
			     handed, own, relay_idx);
		return;
	case 6:
		if (w->ctx->tcp_hooks == NULL || !unicast) {
			dp_drop_pkt(w, m, w->ctx->tcp_hooks == NULL ? DP_DROP_TCP_UNSUPPORTED :
				    DP_DROP_IP6_NOT_FOR_US);
			return;
		}
		w->ctx->tcp_hooks->input(w, port, m, NET_AF_IPV6, ip.src, ip.dst, l4,
					 ip.payload_len, handed);
		return;
	default:
		dp_drop_pkt(w, m, DP_DROP_IP_PROTO);
		return;
	}
}

static void
eth_input(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m,
	  bool handed, bool shared)
{
	enum dp_drop why = DP_DROP_NONE;
	uint16_t type = 0;
	uint16_t off = eth_parse(port, m, &type, &why);
	uint8_t *p;
	uint16_t len;

	if (off == 0) {
		dp_drop_pkt(w, m, why);
		return;
	}
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	len = (uint16_t)(rte_pktmbuf_data_len(m) - off);
	switch (type) {
	case ETH_P_ARP:
		arp_input(w, port, m, p, len, shared);
		return;
	case ETH_P_IPV4:
		ip4_input(w, port, m, p, off, len, handed);
		return;
	case ETH_P_IPV6:
		ip6_input(w, port, m, p, off, len, handed, shared);
		return;
	default:
		dp_drop_pkt(w, m, DP_DROP_ETH_TYPE);
		return;
	}
}

void
dp_input_burst(struct dp_worker *w, struct dp_port *port,
	       struct rte_mbuf **pkts, uint16_t n, bool handed)
{
	if (w->ctx->rx_prefetch != NULL && !handed && n > 1)
		w->ctx->rx_prefetch(w, port, pkts, n);
	for (uint16_t i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(pkts[i]->nb_segs > 1)) {
			/* Our pools hold a whole frame per mbuf; a chained
			 * one came from elsewhere and is not worth a copy. */
			dp_drop_pkt(w, pkts[i], DP_DROP_TOO_BIG);
			continue;
		}
		eth_input(w, port, pkts[i], handed, false);
	}
}

void
dp_input_neigh_shared(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_port *port = &w->ctx->ports[w->ctx->port_index[m->port]];

	w->ctr[DP_CTR_NEIGH_SHARED]++;
	eth_input(w, port, m, false, true);
}
