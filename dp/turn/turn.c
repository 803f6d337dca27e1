/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN in the worker (RFC 8656): the client listener and the relayed
 * ports. Binding requests are answered here (RFC 8489 §7.3.1); the
 * control requests (Allocate, Refresh, CreatePermission, ChannelBind) go
 * to cp over the worker's ring, and what cp decides comes back on the
 * other ring: installs first, then the response to send. Send and Data
 * indications, ChannelData both ways and peer datagrams never leave the
 * worker: the payload stays in its mbuf and only the headers in front of
 * it are rewritten. Relayed payloads are not read at all: the UDP
 * checksum of the datagram that brought one is carried into the datagram
 * that takes it on (net_udp_region_sum(), RFC 1624), so the relay does
 * not verify what it does not look at and damage stays detectable by the
 * receiver; STUN messages, which dp does read, are verified first.
 *
 * Tables, per worker, sized at start: the allocation slots and the client
 * 5-tuple hash (tp_conf_worker_allocs() entries, with an extendable bucket
 * table so that an insert never fails below that), and for the peer side
 * one slot table per relayed address indexed by port. A peer datagram
 * finds its allocation with one table read: the network layer already
 * knows which relayed address it was sent to (the port's own address
 * compared first, then one 32-bit or two 64-bit compares per relayed
 * address), and (address, port) indexes the table.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net_crc.h>

#include "../dp.h"
#include "../net/net.h"
#include "ipc.h"
#include "nonce.h"
#include "stun.h"
#include "tp_conf.h"
#include "turn.h"
#include "turn_inlines.h"

/* ---- set-up ------------------------------------------------------------- */

static uint16_t
relay_owner(const struct dp_ctx *ctx, uint16_t port)
{
	const struct dp_turn_conf *tc = &ctx->turn;
	uint32_t span = (uint32_t)tc->relay_max - tc->relay_min + 1;
	uint32_t chunk = (span + ctx->nworkers - 1) / ctx->nworkers;

	return (uint16_t)((port - tc->relay_min) / chunk);
}

int
turn_init(struct dp_ctx *ctx)
{
	const struct dp_turn_conf *tc = &ctx->turn;
	uint8_t addrs[TP_CONF_MAX_RELAY][16];
	uint32_t cap = tp_conf_worker_allocs(ctx->conf);
	uint32_t n4 = tp_conf_relay_addrs(ctx->conf, 4, addrs, NULL);
	uint32_t n6 = tp_conf_relay_addrs(ctx->conf, 6, addrs, NULL);
	uint32_t span = (uint32_t)tc->relay_max - tc->relay_min + 1;
	size_t bytes = 0;
	int rc;

	if (!tc->enabled)
		return 0;
	/* The fastest CRC-32 this CPU has (AVX-512, else SSE4.2 with
	 * PCLMULQDQ, else a table): FINGERPRINT checks. */
	rte_net_crc_set_alg(RTE_NET_CRC_AVX512);
	if (turn_key_hash_selfcheck() < 0) {
		fprintf(stderr, "turnpike-dp: internal error: the allocation key's "
			"hash differs from rte_hash_crc()\n");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];
		struct turn_worker *t = &w->turn;

		rc = turn_worker_tables(w, cap, n4 + n6, span, &bytes);
		if (rc < 0) {
			fprintf(stderr, "turnpike-dp: worker %u: no memory for %u "
				"allocations (%zu bytes each; cp.quota_total %u over %u "
				"worker(s)): reserve more hugepages or lower "
				"cp.quota_total\n", i, cap,
				sizeof(struct turn_alloc) + sizeof(struct turn_alloc_cold),
				ctx->conf->cp.quota_total, ctx->nworkers);
			return rc;
		}
		t->relay_span = span;
		t->relay_min = tc->relay_min;
		t->relay_base6 = (uint8_t)n4;
		t->rings = ipc_worker(&ctx->ipc, i);
		/* cp has not been seen serving: the grace starts now */
		t->cp_serving = false;
		t->cp_down_since_ms = ipc_monotonic_ms();
		t->cp_grace_ms = (uint64_t)ctx->conf->turn.cp_grace_s * 1000u;
	}
	printf("turnpike-dp: TURN table: %u allocations per worker (cp.quota_total "
	       "%u over %u worker(s)), %.1f MiB per worker (%zu-byte hot and %zu-byte "
	       "cold slots); "
	       "relayed on %u IPv4 and %u IPv6 address(es) x %u port(s)\n", cap,
	       ctx->conf->cp.quota_total, ctx->nworkers,
	       (double)bytes / (1024.0 * 1024.0), sizeof(struct turn_alloc),
	       sizeof(struct turn_alloc_cold), n4, n6,
	       span);
	rc = dp_udp_register(ctx, tc->listen_port, turn_client_input, NULL,
			     DP_OWNER_FLOW, false);
	if (rc < 0) {
		fprintf(stderr, "turnpike-dp: cannot listen for TURN on UDP %u: %s\n",
			tc->listen_port, strerror(-rc));
		return rc;
	}
	dp_udp_set_flags(ctx, tc->listen_port, DP_UDP_DEFER_CKSUM);
	for (uint32_t p = tc->relay_min; p <= tc->relay_max; p++) {
		rc = dp_udp_register(ctx, (uint16_t)p, turn_peer_input, NULL,
				     relay_owner(ctx, (uint16_t)p), true);
		if (rc < 0) {
			fprintf(stderr, "turnpike-dp: relay port %u is taken: %s\n", p,
				strerror(-rc));
			return rc;
		}
		dp_udp_set_flags(ctx, (uint16_t)p, DP_UDP_DEFER_CKSUM);
	}
	return 0;
}

void
turn_free(struct dp_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];

		if (w == NULL)
			continue;
		rte_hash_free(w->turn.by_tuple);
		rte_free(w->turn.allocs);
		rte_free(w->turn.cold);
		rte_free(w->turn.by_relay);
		rte_free(w->turn.live.slot);
		rte_free(w->turn.live.pos);
		rte_free(w->turn.admit);
		nonce_ctx_fini(&w->turn.nonce);
		memset(&w->turn, 0, sizeof(w->turn));
	}
}

/* ---- ahead of a burst ---------------------------------------------------- */

/* Allocations per worker from which turn_prefetch_burst() pays: 4096
 * hot parts are 1.25 MiB, most of an L2 that also holds the packets. */
#define TURN_PREFETCH_MIN_ALLOCS 4096u

/*
 * With many allocations every relayed packet misses the cache several
 * times (the hash bucket, its key, the allocation's lines), and handled
 * one packet after another those misses queue. So before a burst is
 * handled, find what its TURN packets will look up and ask for it: the
 * client tuples of ChannelData in one bulk lookup (which overlaps its own
 * misses), the allocations behind relayed ports from their slots, and
 * every allocation's lines. Only plain IPv4/UDP is looked at; anything
 * else (and anything malformed) is left to the normal path, which checks
 * everything again: a hint is never trusted.
 */
void
turn_prefetch_burst(struct dp_worker *w, const struct dp_port *port,
		    struct rte_mbuf **pkts, uint16_t n)
{
	struct turn_worker *t = &w->turn;
	const struct dp_ctx *ctx = w->ctx;
	union turn_keyu keys[DP_BURST * 2];
	const void *kp[DP_BURST * 2];
	hash_sig_t sig[DP_BURST * 2];
	int32_t pos[DP_BURST * 2];
	unsigned int nk = 0;

	/* Measured (perf/RESULTS.md): with 1000 allocations, all in L2,
	 * the pass costs some 15 cycles a packet and saves nothing; at 100k
	 * it saves hundreds. It starts where the hot parts outgrow L2. */
	if (t->rings == NULL || t->nallocs < TURN_PREFETCH_MIN_ALLOCS)
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
			struct turn_alloc *a;

			if (l->owner != w->id || !dp_local4(port, ip + 16, &own, &idx) ||
			    idx < 0)
				continue;
			a = turn_alloc_by_relay(t, turn_relay_tbl(t, NET_AF_IPV4, (unsigned int)idx),
					   dport);
			if (a != NULL)
				turn_alloc_prefetch(a);
		} else if (dport == ctx->turn.listen_port && (u[8] & 0xc0u) == 0x40u) {
			uint16_t sport = (uint16_t)(u[0] << 8 | u[1]);

			if (!port->rss && dp_flow_owner(ctx, NET_AF_IPV4, ip + 12, ip + 16,
							sport, dport, 17) != w->id)
				continue;
			sig[nk] = turn_key_from(&keys[nk], NET_AF_IPV4, port->index, ip + 12,
					   sport, dport);
			kp[nk] = &keys[nk];
			nk++;
		}
	}
	if (nk == 0)
		return;
	if (rte_hash_lookup_with_hash_bulk(t->by_tuple, kp, sig, nk, pos) < 0)
		return;
	for (unsigned int i = 0; i < nk; i++)
		if (pos[i] >= 0)
			turn_alloc_prefetch(&t->allocs[pos[i]]);
}

void
turn_client_input(struct dp_worker *w, struct rte_mbuf *m,
		  const struct dp_udp_meta *meta, void *arg)
{
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						   meta->payload_off);

	(void)arg;
	if (meta->payload_len >= 1 && (p[0] & 0xc0u) == 0x40u) {
		turn_client_chdata(w, m, meta, p);
		return;
	}
	/* What dp reads and acts on must be what the client sent. */
	if (!dp_udp_cksum_verify(m, meta)) {
		dp_drop_pkt(w, m, DP_DROP_UDP_MALFORMED);
		return;
	}
	turn_client_stun(w, m, meta, p);
}
