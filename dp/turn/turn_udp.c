/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN over UDP, the adapter between dp's UDP layer and TURN: the
 * listener of the TURN port (ChannelData straight on; STUN only once its
 * checksum is verified, since dp reads and acts on it), the sender of the
 * STUN messages dp and cp answer with, and the look-ahead over a received
 * burst that asks the cache for what its TURN packets will need.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "../dp.h"
#include "../net/net.h"
#include "stun.h"
#include "turn.h"
#include "turn_inlines.h"

/* A STUN message (dp's or cp's, built in buf) to a client. */
void
turn_udp_reply(struct dp_worker *w, const struct turn_from *to,
	       const uint8_t *buf, uint16_t len)
{
	dp_udp_send(w, to->family, to->dst, to->dst_port, to->src, to->src_port,
		    buf, len);
}

/* Relayed data to a's client: m's data is the ChannelData or Data
 * indication, cy the sum carried. */
static void
udp_to_client(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
	      const struct turn_carry *cy)
{
	turn_udp_out(w, m, a->client.family, a->server.ip, a->server.port,
		     a->client.ip, a->client.port, cy);
}

/* What the cold paths call through turn_xport(); the relayed data and
 * replies of UDP take the direct calls in turn_inlines.h. */
const struct turn_xport_ops turn_udp_ops = {
	.name = "udp",
	.chdata_pad = false,
	.reply = turn_udp_reply,
	.to_client = udp_to_client,
};

/* Allocations per worker from which turn_prefetch_burst() pays: 4096
 * hot parts are 1.25 MiB, most of an L2 that also holds the packets. */
#define TURN_PREFETCH_MIN_ALLOCS 4096u

/*
 * With many allocations every relayed packet misses the cache several
 * times (the tuple table's bucket, the allocation's lines), and handled
 * one packet after another those misses queue. So before a burst is
 * handled, find what its TURN packets will look up and ask for it: the
 * tuple table's buckets of its ChannelData (asked for together, their
 * tags read after), the allocations behind relayed ports from their
 * slots, and every allocation a tag or a slot names. Only plain IPv4/UDP is looked at; anything
 * else (and anything malformed) is left to the normal path, which checks
 * everything again: a hint is never trusted.
 */
void
turn_prefetch_burst(struct dp_worker *w, const struct dp_port *port,
		    struct rte_mbuf **pkts, uint16_t n)
{
	struct turn_worker *t = w->turn;
	const struct dp_ctx *ctx = w->ctx;
	const uint16_t listen_port = ctx->turn->listen_port;
	union turn_keyu keys[DP_BURST * 2];
	uint32_t sig[DP_BURST * 2];
	uint32_t *slots[DP_BURST * 2];
	unsigned int nk = 0, ns = 0;

	/* Measured (perf/RESULTS.md): with 1000 allocations, all in L2,
	 * the pass costs some 15 cycles a packet and saves nothing; at 100k
	 * it saves hundreds. It starts where the hot parts outgrow L2. */
	if (w->cp.rings == NULL || t->nallocs < TURN_PREFETCH_MIN_ALLOCS)
		return;
	/* Every head at once: another core wrote them. */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], const uint8_t *));
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		const uint8_t *ip = f + RTE_ETHER_HDR_LEN, *u;
		const struct dp_udp_listener *l;
		uint16_t dport;

		if (unlikely(rte_pktmbuf_data_len(pkts[i]) < RTE_ETHER_HDR_LEN + 20 + 8 + 4))
			continue;
		if (f[12] == 0x81 && f[13] == 0x00)
			ip += 4;
		if (ip[-2] != 0x08 || ip[-1] != 0x00 || ip[0] != 0x45 || ip[9] != 17)
			continue;
		u = ip + 20;
		dport = (uint16_t)(u[2] << 8 | u[3]);
		l = &ctx->udp[dport];
		if (l->flags & DP_UDP_RELAYED) {
			bool own;
			int idx;

			if (l->owner != w->id || !dp_local4(port, ip + 16, &own, &idx) ||
			    idx < 0)
				continue;
			/* the slot now, the allocation once the buckets'
			 * misses have overlapped its own */
			slots[ns] = turn_relay_slot(t, turn_relay_tbl(t, NET_AF_IPV4,
								   (unsigned int)idx), dport);
			rte_prefetch0(slots[ns]);
			ns++;
		} else if (dport == listen_port &&
			   stun_demux_first_byte(u[8]) == STUN_FRAME_CHDATA) {
			uint16_t sport = (uint16_t)(u[0] << 8 | u[1]);

			if (dp_flow_worker(port->rss, w->id, ctx->nworkers, NET_AF_IPV4,
					   ip + 12, ip + 16, sport, dport, 17) != w->id)
				continue;
			sig[nk] = turn_key_from(&keys[nk], STUN_TRANSPORT_UDP, 0,
						NET_AF_IPV4, port->index, ip + 12,
					   sport, dport);
			rte_prefetch0(&t->tt.b[sig[nk] & t->tt.mask]);
			nk++;
		}
	}
	/* (the buckets were asked for as the keys were built) their tags
	 * once the relayed slots below have overlapped their misses; every
	 * allocation a tag names (a hint: its key is compared when the
	 * datagram is handled) */
	for (unsigned int i = 0; i < ns; i++)
		if (*slots[i] != 0)
			turn_alloc_prefetch(&t->allocs[*slots[i] - 1]);
	for (unsigned int i = 0; i < nk; i++) {
		const struct turn_tt_bucket *b = &t->tt.b[sig[i] & t->tt.mask];

		for (unsigned int m = turn_tt_match(b, turn_tt_tag(sig[i])); m != 0; m &= m - 1)
			turn_alloc_prefetch(&t->allocs[b->slot[__builtin_ctz(m)]]);
	}
}

/* Where a datagram to the TURN port came from. */
static inline void
turn_from_udp(struct turn_from *f, const struct dp_udp_meta *meta)
{
	f->transport = 17;
	f->family = meta->family;
	f->in_port = meta->in_port;
	f->pad = 0;
	f->src_port = meta->src_port;
	f->dst_port = meta->dst_port;
	f->conn_id = 0;
	memcpy(f->src, meta->src, 16);
	memcpy(f->dst, meta->dst, 16);
}

void
turn_client_input(struct dp_worker *w, struct rte_mbuf *m,
		  const struct dp_udp_meta *meta, void *arg)
{
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						   meta->payload_off);
	struct turn_from from;
	struct turn_in in;

	(void)arg;
	if (meta->payload_len >= 1 && stun_demux_first_byte(p[0]) == STUN_FRAME_CHDATA) {
		/* the meta's fields as they are: no turn_from, no turn_in */
		turn_chdata_relay(w, m, STUN_TRANSPORT_UDP, 0, meta->family, meta->in_port,
				  meta->src, meta->dst, meta->src_port, meta->dst_port, p - 8,
				  meta->payload_off, meta->payload_len);
		return;
	}
	/* A tuple with a forward has no allocation here (RFC 8016 across
	 * workers): its STUN goes to the worker that holds it, which checks
	 * it as its own. */
	if (unlikely(w->turn->fwd.n != 0) && turn_fwd_udp(w, m, meta))
		return;
	/* What dp reads and acts on must be what the client sent. */
	if (!dp_udp_cksum_verify(m, meta)) {
		dp_drop_pkt(w, m, DP_DROP_UDP_MALFORMED);
		return;
	}
	turn_from_udp(&from, meta);
	in.m = m;
	in.udp = p - 8;
	in.off = meta->payload_off;
	in.len = meta->payload_len;
	turn_client_stun(w, &from, &in);
}
