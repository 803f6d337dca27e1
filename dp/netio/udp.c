/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP on a worker: validation (length, checksum unless the NIC checked
 * it), the demultiplexer that TURN listeners and relayed ports register
 * on (relayed ports hear the relayed addresses, every other listener the
 * port's own address), flow ownership (a datagram is handled by the worker
 * that owns its flow, handed over when it arrived elsewhere), ICMP port
 * unreachable for closed ports (rate limited, RFC 1812 §4.3.2.8 / RFC 4443
 * §2.4(f)), and sending. The diagnostic echo listener lives here too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "../dp.h"
#include "../net/net.h"

int
dp_udp_init(struct dp_ctx *ctx)
{
	ctx->udp = rte_zmalloc("dp_udp", sizeof(*ctx->udp) * 65536,
			       RTE_CACHE_LINE_SIZE);
	return ctx->udp == NULL ? -ENOMEM : 0;
}

void
dp_udp_free(struct dp_ctx *ctx)
{
	rte_free(ctx->udp);
	ctx->udp = NULL;
}

int
dp_udp_register(struct dp_ctx *ctx, uint16_t port, dp_udp_handler_t fn,
		dp_udp_icmp_t icmp, void *arg, uint16_t owner, bool relayed)
{
	unsigned int h;

	if (port == 0 || fn == NULL)
		return -EINVAL;
	if (ctx->udp[port].handler != 0)
		return -EADDRINUSE;
	if (ctx->nudp_fns == 0)
		ctx->nudp_fns = 1;           /* 0 stays "no listener" */
	for (h = 1; h < ctx->nudp_fns; h++)
		if (ctx->udp_fns[h].fn == fn && ctx->udp_fns[h].icmp == icmp &&
		    ctx->udp_fns[h].arg == arg)
			break;
	if (h == ctx->nudp_fns) {
		if (h == DP_UDP_HANDLERS)
			return -ENOSPC;
		ctx->udp_fns[h].fn = fn;
		ctx->udp_fns[h].icmp = icmp;
		ctx->udp_fns[h].arg = arg;
		ctx->nudp_fns++;
	}
	ctx->udp[port].handler = (uint8_t)h;
	ctx->udp[port].owner = owner;
	ctx->udp[port].flags = relayed ? DP_UDP_RELAYED : 0;
	return 0;
}

void
dp_udp_set_flags(struct dp_ctx *ctx, uint16_t port, uint16_t flags)
{
	ctx->udp[port].flags = (uint8_t)((ctx->udp[port].flags & DP_UDP_RELAYED) |
					 (flags & ~DP_UDP_RELAYED));
}

static bool
udp_cksum_good(uint8_t family, const uint8_t *l3, const uint8_t *l4,
	       uint16_t ulen)
{
	uint16_t cks = (uint16_t)((l4[6] << 8) | l4[7]);
	uint16_t v;

	/* RFC 768: checksum 0 means none (IPv4 only; RFC 8200 §8.1 makes it
	 * mandatory over IPv6). A valid packet sums to 0 (or 0xffff). */
	if (family == NET_AF_IPV4 && cks == 0)
		return true;
	if (family == NET_AF_IPV6 && cks == 0)
		return false;
	v = family == NET_AF_IPV4 ?
		ipv4_l4_cksum(l3 + 12, l3 + 16, 17, l4, ulen) :
		ipv6_l4_cksum(l3 + 8, l3 + 24, 17, l4, ulen);
	return v == 0 || v == 0xffff;
}

bool
dp_udp_cksum_verify(const struct rte_mbuf *m, const struct dp_udp_meta *meta)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	const uint8_t *l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						    meta->payload_off - 8);

	return meta->cksum_ok ||
	       udp_cksum_good(meta->family, l3, l4, (uint16_t)(meta->payload_len + 8));
}

static void
send_port_unreach(struct dp_worker *w, struct dp_port *port, uint8_t family,
		  const uint8_t *l3, uint16_t l3_len)
{
	struct rte_mbuf *r;
	uint8_t *p;
	size_t n;
	uint16_t room;

	if (!net_ratelimit_allow(&w->icmp_rl, dp_now())) {
		w->drop[DP_DROP_ICMP_RATE]++;
		return;
	}
	r = dp_alloc(w);
	if (r == NULL) {
		w->drop[DP_DROP_NO_MBUF]++;
		return;
	}
	room = rte_pktmbuf_tailroom(r);
	p = rte_pktmbuf_mtod(r, uint8_t *);
	if (family == NET_AF_IPV4)
		n = icmp4_build_unreach(p, room, port->ip4, 3, l3, l3_len);
	else
		n = icmp6_build_unreach(p, room, port->ip6, 4, l3, l3_len);
	if (n == 0) {
		rte_pktmbuf_free(r);
		return;
	}
	rte_pktmbuf_append(r, (uint16_t)n);
	w->ctr[DP_CTR_ICMP_UNREACH_TX]++;
	/* Back to the offender's source. */
	dp_ip_output(w, r, family, family == NET_AF_IPV4 ? l3 + 12 : l3 + 8);
}

void
dp_udp_input(struct dp_worker *w, struct dp_port *port, struct rte_mbuf *m,
	     uint8_t family, const uint8_t *l3, uint16_t l3_off,
	     const uint8_t *l4, uint16_t l4_len, bool handed, bool to_own,
	     int relay_idx)
{
	const struct dp_udp_listener *l;
	struct dp_udp_meta meta;
	uint16_t ulen;
	unsigned int owner;
	bool csum_ok = port->rx_cksum &&
		(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD;

	if (unlikely(l4_len < 8)) {
		dp_drop_pkt(w, m, DP_DROP_UDP_MALFORMED);
		return;
	}
	ulen = (uint16_t)((l4[4] << 8) | l4[5]);
	if (unlikely(ulen < 8 || ulen > l4_len)) {
		dp_drop_pkt(w, m, DP_DROP_UDP_MALFORMED);
		return;
	}
	meta.family = family;
	meta.in_port = port->index;
	meta.src_port = (uint16_t)((l4[0] << 8) | l4[1]);
	meta.dst_port = (uint16_t)((l4[2] << 8) | l4[3]);
	l = &w->ctx->udp[meta.dst_port];
	/* Verify here unless the listener defers it (a relay carries the
	 * checksum instead of reading the payload twice); a handed packet
	 * was verified by the worker that handed it, unless deferred. */
	meta.cksum_ok = csum_ok || (handed && (l->flags & DP_UDP_DEFER_CKSUM) == 0);
	if (unlikely(family == NET_AF_IPV6 && l4[6] == 0 && l4[7] == 0)) {
		/* RFC 8200 §8.1: never valid, and a deferring listener's
		 * relay would otherwise give it a checksum. */
		dp_drop_pkt(w, m, DP_DROP_UDP_MALFORMED);
		return;
	}
	if (!meta.cksum_ok && (l->flags & DP_UDP_DEFER_CKSUM) == 0) {
		if (unlikely(!udp_cksum_good(family, l3, l4, ulen))) {
			dp_drop_pkt(w, m, DP_DROP_UDP_MALFORMED);
			return;
		}
		meta.cksum_ok = true;
	}
	/* Relayed ports answer on the relayed addresses, media ports on
	 * any of ours, every other listener (TURN, diagnostic echo) on the
	 * port's own address only. */
	if (l->handler == 0 ||
	    ((l->flags & DP_UDP_RELAYED) ? relay_idx < 0 :
	     !to_own && !(l->flags & DP_UDP_ANY_ADDR))) {
		send_port_unreach(w, port, family, l3,
				  (uint16_t)((l4 - l3) + l4_len));
		dp_drop_pkt(w, m, DP_DROP_UDP_NO_LISTENER);
		return;
	}
	if (l->owner != DP_OWNER_FLOW)
		owner = l->owner;
	else
		owner = dp_flow_worker(port->rss, w->id, w->ctx->nworkers, family,
				       family == NET_AF_IPV4 ? l3 + 12 : l3 + 8,
				       family == NET_AF_IPV4 ? l3 + 16 : l3 + 24,
				       meta.src_port, meta.dst_port, 17);
	if (owner != w->id && !handed) {
		if (l->flags & DP_UDP_RELAYED)
			w->ctr[DP_CTR_RELAY_HANDOFF]++;
		dp_handoff(w, owner, m, DP_HANDOFF_FLOW);
		return;
	}
	if (family == NET_AF_IPV4) {
		memset(meta.src, 0, sizeof(meta.src));
		memset(meta.dst, 0, sizeof(meta.dst));
		memcpy(meta.src, l3 + 12, 4);
		memcpy(meta.dst, l3 + 16, 4);
	} else {
		memcpy(meta.src, l3 + 8, 16);
		memcpy(meta.dst, l3 + 24, 16);
	}
	meta.l3_off = l3_off;
	meta.payload_off = (uint16_t)(l3_off + (l4 - l3) + 8);
	meta.payload_len = (uint16_t)(ulen - 8);
	meta.relay_idx = (int8_t)relay_idx;
	w->ctr[DP_CTR_UDP_IN]++;
	w->ctx->udp_fns[l->handler].fn(w, m, &meta, w->ctx->udp_fns[l->handler].arg);
}

int
dp_udp_send(struct dp_worker *w, uint8_t family, const uint8_t *src,
	    uint16_t sport, const uint8_t *dst, uint16_t dport,
	    const void *payload, uint16_t len)
{
	uint16_t l3 = family == NET_AF_IPV4 ? 20 : 40;
	struct rte_mbuf *m = dp_alloc(w);
	uint8_t *p, *u;

	if (m == NULL) {
		w->drop[DP_DROP_NO_MBUF]++;
		return -ENOBUFS;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l3 + 8 + len));
	if (p == NULL) {
		dp_drop_pkt(w, m, DP_DROP_TOO_BIG);
		return -EMSGSIZE;
	}
	u = p + l3;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = (uint8_t)((8 + len) >> 8);
	u[5] = (uint8_t)(8 + len);
	u[6] = u[7] = 0;
	memcpy(u + 8, payload, len);
	if (family == NET_AF_IPV4)
		ipv4_build_hdr(p, src, dst, 17, 64, (uint16_t)(l3 + 8 + len));
	else
		ipv6_build_hdr(p, src, dst, 17, 64, (uint16_t)(8 + len));
	dp_udp_cksum_offer(m, family);
	dp_ip_output(w, m, family, dst);
	return 0;
}
