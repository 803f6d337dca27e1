/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Relay to relay inside the box: a datagram from one of our
 * allocations to one of our own relayed addresses never goes to the wire;
 * it is looped in through the hand-off ring to the worker that owns the
 * destination port, as if it had arrived, and judged there as any peer's
 * datagram. A looped-in datagram that finds no allocation gets the port
 * unreachable the wire would give.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "../dp.h"
#include "../net/net.h"
#include "turn.h"
#include "turn_inlines.h"

/*
 * m holds an IP packet (at its data start) addressed to one of our own
 * relayed addresses: give it to worker owner (the one that owns its
 * destination port) as if it had arrived on the port the relayed
 * addresses live on, through the hand-off ring (this worker's own too). It never goes to the wire, and everything
 * that judges a peer's datagram (the receiving allocation's permission for
 * the sender's relayed address, its channel to it) is what judges it.
 */
void
turn_loop_in(struct dp_worker *w, struct rte_mbuf *m, uint8_t family, unsigned int owner)
{
	struct turn_worker *t = w->turn;
	struct dp_port *port = t->relay_port[family == NET_AF_IPV6];
	struct rte_ether_hdr *eh;

	if (unlikely(port == NULL)) {
		/* found on first use: the ports come up after turn_init() */
		for (unsigned int k = 0; k < w->ctx->nports && port == NULL; k++)
			if (family == NET_AF_IPV4 ? w->ctx->ports[k].nrelay4 > 0 :
						    w->ctx->ports[k].nrelay6 > 0)
				port = &w->ctx->ports[k];
		t->relay_port[family == NET_AF_IPV6] = port;
	}

	if (unlikely(port == NULL || owner >= w->ctx->nworkers)) {
		t->hairpin_refused++;
		rte_pktmbuf_free(m);
		return;
	}
	/* a TCP segment left for a NIC (dp_tcp.c) meets none here: its
	 * input verifies every checksum */
	if (m->ol_flags & RTE_MBUF_F_TX_L4_MASK)
		dp_l4_cksum_finish(w, m, family);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (unlikely(eh == NULL)) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	rte_ether_addr_copy(&port->mac, &eh->dst_addr);
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(family == NET_AF_IPV4 ? RTE_ETHER_TYPE_IPV4 :
					  RTE_ETHER_TYPE_IPV6);
	if (port->vlan != 0) {
		/* the port's input expects its tag */
		struct rte_vlan_hdr *vh;
		uint8_t *q = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(*vh));

		if (unlikely(q == NULL)) {
			dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
			return;
		}
		memmove(q, q + sizeof(*vh), 12);
		eh = (struct rte_ether_hdr *)q;
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh = (struct rte_vlan_hdr *)(eh + 1);
		vh->vlan_tci = rte_cpu_to_be_16(port->vlan);
		vh->eth_proto = rte_cpu_to_be_16(family == NET_AF_IPV4 ?
						 RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	}
	m->port = port->port_id;
	m->ol_flags = 0;             /* nothing verified: input checks all */
	m->packet_type = 0;
	dp_handoff(w, owner, m, DP_HANDOFF_FLOW);
}

/*
 * A datagram from allocation a to peer, which is one of our relayed
 * addresses: the UDP datagram it would have been on the wire, its
 * checksum computed (no NIC will), looped in. Only to a relayed port: a
 * client may not reach dp's other listeners (TURN itself, the diagnostic
 * echo) from inside the relay.
 */
void
turn_hairpin_out(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
	    const struct ipc_addr *rel, const struct ipc_addr *peer,
	    const struct turn_carry *cy)
{
	struct turn_worker *t = w->turn;
	uint16_t plen = (uint16_t)rte_pktmbuf_pkt_len(m), c;
	uint32_t sum;
	uint8_t *p, *u;

	if (unlikely((w->ctx->udp[peer->port].flags & DP_UDP_RELAYED) == 0)) {
		t->hairpin_refused++;
		rte_pktmbuf_free(m);
		return;
	}
	sum = cy != NULL && cy->ok ? cy->sum :
		net_sum16(rte_pktmbuf_mtod(m, const uint8_t *), plen, 0);
	p = turn_udp_ip_hdrs(w, m, peer->family, rel->ip, a->relay_port, peer->ip, peer->port);
	if (p == NULL)
		return;
	u = p + (peer->family == NET_AF_IPV4 ? 20 : 40);
	c = net_udp_cksum_with(peer->family, rel->ip, peer->ip, a->relay_port, peer->port,
			       (uint16_t)(plen + 8), sum);
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	t->hairpin++;
	turn_loop_in(w, m, peer->family, w->ctx->udp[peer->port].owner);
}

/*
 * A looped-in datagram (from one of our relayed addresses) found no
 * allocation on its relayed port: the sender gets what the wire would
 * give it, a port unreachable from the address it sent to (RFC 8656
 * §11.5: relayed to its client as a Data indication with ICMP), looped in
 * to the worker that owns the sender's relayed port. Rate-limited as
 * every ICMP error dp sends.
 */
void
turn_hairpin_unreach(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta)
{
	struct turn_worker *t = w->turn;
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	uint16_t l3_len = (uint16_t)(rte_pktmbuf_pkt_len(m) - meta->l3_off);
	struct rte_mbuf *r;
	size_t n;

	if (!net_ratelimit_allow(&w->icmp_rl, rte_rdtsc())) {
		w->drop[DP_DROP_ICMP_RATE]++;
		return;
	}
	r = dp_alloc(w);
	if (r == NULL) {
		w->drop[DP_DROP_NO_MBUF]++;
		return;
	}
	n = meta->family == NET_AF_IPV4 ?
		icmp4_build_unreach(rte_pktmbuf_mtod(r, uint8_t *), rte_pktmbuf_tailroom(r),
				    meta->dst, 3, l3, l3_len) :
		icmp6_build_unreach(rte_pktmbuf_mtod(r, uint8_t *), rte_pktmbuf_tailroom(r),
				    meta->dst, 4, l3, l3_len);
	if (n == 0) {
		rte_pktmbuf_free(r);
		return;
	}
	rte_pktmbuf_append(r, (uint16_t)n);
	t->hairpin_unreach++;
	/* to the owner of the sender's relayed port, the quoted source */
	turn_loop_in(w, r, meta->family, w->ctx->udp[meta->src_port].owner);
}

