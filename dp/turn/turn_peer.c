/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The peer side (RFC 8656 §11.3, §12.5, §11.5): datagrams to a relayed
 * port go to the allocation's client, as ChannelData when a channel is
 * bound to the peer, else as a Data indication, once the peer's IP has a
 * permission; ICMP errors about datagrams we relayed are reported to the
 * client in a Data indication with an ICMP attribute. The payload stays
 * in its mbuf; its checksum is carried (RFC 1624), not recomputed.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_random.h>

#include "../dp.h"
#include "../net/net.h"
#include "stun.h"
#include "turn.h"
#include "turn_inlines.h"

static void
to_client_data_indication(struct dp_worker *w, struct turn_alloc *a,
			  struct rte_mbuf *m, const struct dp_udp_meta *meta)
{
	uint16_t dlen = meta->payload_len, pad = (uint16_t)((4 - (dlen & 3u)) & 3u);
	uint8_t head[TURN_DATA_IND_HEAD_MAX], *h, *tail, tid[STUN_TID_LEN];
	uint16_t pre;
	struct turn_carry cy;

	/* Build the head in a small buffer, then place it in front of the
	 * payload: DATA's value is the datagram as it arrived. */
	for (unsigned int i = 0; i < STUN_TID_LEN; i++)
		tid[i] = (uint8_t)rte_rand();
	pre = turn_data_ind_head(head, meta->family, meta->src, meta->src_port, dlen, tid);
	if (pre == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	turn_carry_from(&cy, m, meta, 0, dlen);
	rte_pktmbuf_adj(m, meta->payload_off);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - dlen));
	h = (uint8_t *)rte_pktmbuf_prepend(m, pre);
	tail = pad ? (uint8_t *)rte_pktmbuf_append(m, pad) : NULL;
	if (h == NULL || (pad && tail == NULL)) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	memcpy(h, head, pre);
	if (pad)
		memset(tail, 0, pad);
	cy.sum += net_sum16(h, pre, 0);        /* the head goes in the sum */
	a->stats[TURN_STAT_PKTS_TO_CLIENT]++;
	a->stats[TURN_STAT_BYTES_TO_CLIENT] += rte_pktmbuf_pkt_len(m);
	turn_to_client(w, a, m, &cy);
}

void
turn_peer_input(struct dp_worker *w, struct rte_mbuf *m,
		const struct dp_udp_meta *meta, void *arg)
{
	struct turn_worker *t = w->turn;
	/* dp_udp_input() gives relayed ports only datagrams sent to a
	 * relayed address: meta->relay_idx is its index. */
	struct turn_alloc *a = turn_alloc_by_relay(t, turn_relay_tbl(t, meta->family,
						   (unsigned int)meta->relay_idx),
					      meta->dst_port);
	const struct turn_chan *c;
	uint16_t dlen = meta->payload_len, flen;
	struct turn_carry cy;

	(void)arg;
	if (a == NULL) {
		/* From one of our relayed addresses: a relay-to-relay datagram
		 * to an allocation that is gone. Its sender is told. */
		if (unlikely(turn_relay_index(w->ctx, meta->family, meta->src) >= 0))
			turn_hairpin_unreach(w, m, meta);
		dp_drop_pkt(w, m, DP_DROP_UDP_NO_LISTENER);
		return;
	}
	a->stats[TURN_STAT_PKTS_FROM_PEER]++;
	a->stats[TURN_STAT_BYTES_FROM_PEER] += dlen;
	/* RFC 8656 §10: permissions are by peer IP only. */
	if (!turn_perm_ok(t, a, meta->family, meta->src, t->now_ms)) {
		a->stats[TURN_STAT_DROP_NO_PERMISSION]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(t->bw != NULL) && turn_bw_over(t, a, TURN_BW_TO_CLIENT, dlen)) {
		dp_drop_pkt(w, m, DP_DROP_TURN_POLICED);
		return;
	}
	/* lawful interception: the datagram to the target, as it reached
	 * the relayed address (a TCP allocation relays none of UDP) */
	if (unlikely(a->tap) && !a->relay_tcp)
		turn_li_copy(w, a, m, meta->payload_off, dlen, meta->family, meta->src,
			     meta->src_port, meta->dst, meta->dst_port, TURN_LI_TO_TARGET);
	c = turn_chan_by_peer(t, a, meta->family, meta->src, meta->src_port, t->now_ms);
	if (c == NULL) {
		/* RFC 6062: a TCP allocation relays nothing of UDP (it has
		 * no channel: cp refuses ChannelBind on it) */
		if (unlikely(a->relay_tcp)) {
			a->stats[TURN_STAT_DROP_MALFORMED]++;
			rte_pktmbuf_free(m);
			return;
		}
		to_client_data_indication(w, a, m, meta);
		return;
	}
	/* RFC 8656 §12.5: ChannelData, padded to 4 on a stream; over UDP
	 * no padding (the pad bytes, zeros, would add nothing to the sum). */
	turn_carry_from(&cy, m, meta, 0, dlen);
	cy.sum += (uint32_t)c->channel + dlen;  /* the ChannelData head */
	turn_mbuf_keep(m, meta->payload_off, dlen);
	flen = turn_chdata_wrap(m, c->channel, dlen,
				 turn_alloc_transport(a) == STUN_TRANSPORT_TCP);
	if (unlikely(flen == 0)) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	a->stats[TURN_STAT_PKTS_TO_CLIENT]++;
	a->stats[TURN_STAT_BYTES_TO_CLIENT] += flen;
	turn_to_client(w, a, m, &cy);
}

/* ICMP errors about relayed datagrams (RFC 8656 §11.5). */
void
turn_icmp_input(struct dp_worker *w, const struct dp_icmp_error *e, void *arg __rte_unused)
{
	struct turn_worker *t = w->turn;
	uint8_t family = e->family, type = e->type, code = e->code;
	const uint8_t *outer_src = e->src, *inner = e->inner;
	size_t inner_len = e->inner_len;
	/* §18.13: the MTU for "fragmentation needed" / "packet too big",
	 * else 0 */
	uint32_t error_data =
		(family == NET_AF_IPV4 && type == 3 && code == 4) ||
		(family == NET_AF_IPV6 && type == 2) ?
		e->word & (family == NET_AF_IPV4 ? 0xffffu : 0xffffffffu) : 0;
	const uint8_t *src, *dst;
	const struct ipc_addr *rel;
	struct turn_alloc *a;
	struct stun_builder b;
	struct stun_addr pa;
	uint8_t buf[128], tid[STUN_TID_LEN];
	uint16_t sport, dport;
	int n, idx;

	if (turn_icmp_quote(family, inner, inner_len, &src, &dst, &sport, &dport) < 0)
		return;
	/* The quoted source is one of our relayed transport addresses. */
	idx = turn_relay_index(w->ctx, family, src);
	if (idx < 0 || sport < t->relay_min ||
	    (uint32_t)(sport - t->relay_min) >= t->relay_span)
		return;
	a = turn_alloc_by_relay(t, turn_relay_tbl(t, family, (unsigned int)idx), sport);
	if (a == NULL)
		return;
	rel = turn_relayed_for(t, a, family);
	/* Ours, and (§11.5) the permission is checked on the inner
	 * destination, the peer the datagram went to. */
	if (rel == NULL || memcmp(rel->ip, src, family == NET_AF_IPV4 ? 4 : 16) != 0 ||
	    !turn_perm_ok(t, a, family, dst, t->now_ms))
		return;
	/*
	 * Who may say so. "Port unreachable" (ICMPv4 3/3, ICMPv6 1/4) comes
	 * from the host the datagram went to, and only from it: one from
	 * another source is forged (it would make the client drop a working
	 * peer, an ICE candidate pair say) and is dropped, counted. Errors
	 * that routers on the path send (time exceeded, fragmentation
	 * needed / packet too big, net or host unreachable) come from other
	 * addresses by nature and are relayed whoever sent them.
	 */
	if (((family == NET_AF_IPV4 && type == 3 && code == 3) ||
	     (family == NET_AF_IPV6 && type == 1 && code == 4)) &&
	    !turn_ip_eq(family, outer_src, dst)) {
		t->icmp_forged++;
		return;
	}
	for (unsigned int i = 0; i < STUN_TID_LEN; i++)
		tid[i] = (uint8_t)rte_rand();
	memset(&pa, 0, sizeof(pa));
	pa.family = turn_stun_af(family);
	pa.port = dport;
	memcpy(pa.ip, dst, family == NET_AF_IPV4 ? 4 : 16);
	stun_build_init(&b, buf, sizeof(buf),
			stun_msg_type(STUN_METHOD_DATA, STUN_CLASS_INDICATION), tid);
	stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &pa);
	stun_build_icmp(&b, type, code, error_data);
	n = stun_build_finish(&b);
	if (n > 0) {
		a->stats[TURN_STAT_PKTS_TO_CLIENT]++;
		a->stats[TURN_STAT_BYTES_TO_CLIENT] += (uint64_t)n;
		struct turn_from to;

		turn_from_alloc(&to, a);
		turn_reply(w, &to, buf, (uint16_t)n);
	}
}

