/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Announcing the box's addresses when it becomes the active one of a pair
 * (dp_ha.h; docs/design/ha.md section 3.3): every address dp answers for
 * on a port (dp_local4()/dp_local6(): the port's own, its relayed ones,
 * the tenants' TURN addresses on it) is said on that port's link, so that
 * the clients, the peers, the gateways and the switches in between send
 * to this box's MAC from now on rather than to the old active's.
 *
 * IPv4: a gratuitous ARP in both forms (RFC 5227 section 3 calls the
 * request form an ARP Announcement; some hosts learn from one form only):
 * a request (op 1) and a reply (op 2), each with sender and target
 * protocol address the address, sender hardware address the port's MAC,
 * target hardware address zero in the request and the port's MAC in the
 * reply, to the broadcast address. Linux updates an existing neighbour
 * entry from either (net/ipv4/arp.c arp_process()).
 *
 * IPv6: an unsolicited neighbour advertisement (RFC 4861 section 7.2.6)
 * to all-nodes (ff02::1), from the address about the address, Solicited
 * clear, Override set (the new MAC replaces the cached one), with the
 * target link-layer address option, hop limit 255 (nd_build_na()).
 *
 * One call is one round; dp_ha.c repeats it (at 0, 100 ms and 1 s: a
 * receiver's locktime, Linux's neigh.locktime of 1 s by default, may make
 * it ignore one that comes too soon after another update). Counted
 * (ha_garp_tx, ha_na_tx): at most 2 x (1 + 64 + tenants') + (1 + 64 +
 * tenants') frames a port. A frame that finds no mbuf is counted
 * (no_mbuf) and the round goes on with the next.
 */
#include <string.h>

#include <rte_mbuf.h>

#include "../dp.h"
#include "../net/net.h"

#define ETH_P_IPV6 0x86DD
#define ETH_P_ARP  0x0806
#define ARP_LEN    28
#define NA_LEN     72

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t all_nodes[16] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

/* One ARP frame (op 1 or 2) about ip on port, to broadcast. */
static unsigned int
garp(struct dp_worker *w, struct dp_port *port, uint16_t op, const uint8_t ip[4])
{
	static const uint8_t zero[6];
	struct rte_mbuf *m = dp_alloc(w);
	uint8_t *p;

	if (m == NULL) {
		dp_drop_pkt(w, NULL, DP_DROP_NO_MBUF);
		return 0;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, ARP_LEN);
	arp_build(p, op, port->mac.addr_bytes, ip, op == 1 ? zero : port->mac.addr_bytes, ip);
	dp_eth_output(w, port, m, bcast, ETH_P_ARP);
	w->ctr[DP_CTR_HA_GARP_TX]++;
	return 1;
}

/* Both forms for ip (4 bytes). */
static unsigned int
announce4(struct dp_worker *w, struct dp_port *port, const uint8_t ip[4])
{
	return garp(w, port, 1, ip) + garp(w, port, 2, ip);
}

/* An unsolicited NA for ip (16 bytes) to all-nodes. */
static unsigned int
announce6(struct dp_worker *w, struct dp_port *port, const uint8_t ip[16])
{
	struct rte_mbuf *m = dp_alloc(w);
	uint8_t mac[6], *p;

	if (m == NULL) {
		dp_drop_pkt(w, NULL, DP_DROP_NO_MBUF);
		return 0;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, NA_LEN);
	if (nd_build_na(p, NA_LEN, ip, all_nodes, port->mac.addr_bytes, ip, false) != NA_LEN) {
		rte_pktmbuf_free(m);
		return 0;
	}
	ipv6_mcast_mac(all_nodes, mac);
	dp_eth_output(w, port, m, mac, ETH_P_IPV6);
	w->ctr[DP_CTR_HA_NA_TX]++;
	return 1;
}

unsigned int
dp_announce(struct dp_worker *w)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < w->ctx->nports; i++) {
		struct dp_port *port = &w->ctx->ports[i];

		if (port->has_ip4) {
			n += announce4(w, port, port->ip4);
			/* (the own address is among the relayed ones when no
			 * relay_ipv4 list was given: said once) */
			for (unsigned int k = 0; k < port->nrelay4; k++)
				if (memcmp(&port->relay4[k], port->ip4, 4) != 0)
					n += announce4(w, port, (const uint8_t *)&port->relay4[k]);
			for (unsigned int k = 0; k < port->nta4; k++)
				n += announce4(w, port, (const uint8_t *)&port->ta4[k]);
		}
		if (port->has_ip6) {
			n += announce6(w, port, port->ip6);
			for (unsigned int k = 0; k < port->nrelay6; k++)
				if (!dp_ip6_eq(port->relay6[k], port->ip6))
					n += announce6(w, port, port->relay6[k]);
			for (unsigned int k = 0; k < port->nta6; k++)
				n += announce6(w, port, port->ta6[k]);
		}
	}
	return n;
}
