/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN in the worker (RFC 8656): set-up and tear-down. The relay itself is
 * in the files beside this one (FEATURE.md "Files"): the client side
 * (turn_client.c), the peer side (turn_peer.c), relay to relay
 * (turn_hairpin.c), what cp says (turn_cp.c), the table sweeps
 * (turn_sweep.c), the tables (turn_table.c), and the transports (the UDP
 * adapter, turn_udp.c). Relayed payloads are not read at all: the UDP
 * checksum of the datagram that brought one is carried into the datagram
 * that takes it on (net_udp_region_sum(), RFC 1624), so the relay does
 * not verify what it does not look at and damage stays detectable by the
 * receiver; STUN messages, which dp does read, are verified first.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_net_crc.h>

#include "../dp.h"
#include "ipc.h"
#include "nonce.h"
#include "steer.h"
#include "tp_conf.h"
#include "turn.h"
#include "turn_tt.h"
#include "turn_internal.h"

/* ---- set-up ------------------------------------------------------------- */

static void
page_size_str(char *buf, size_t len, uint64_t sz)
{
	if (sz >= (1ull << 30))
		snprintf(buf, len, "%" PRIu64 " GB", sz >> 30);
	else if (sz >= (1ull << 20))
		snprintf(buf, len, "%" PRIu64 " MB", sz >> 20);
	else
		snprintf(buf, len, "%" PRIu64 " kB", sz >> 10);
}

/* Which pages the workers' tables got (their TLB misses at a large cap
 * depend on it): once, at start; each worker's when they differ. */
static void
turn_log_pages(const struct dp_ctx *ctx, size_t all)
{
	const struct turn_worker *t0 = ctx->workers[0]->turn;
	char sz[32];
	bool same = true;

	for (unsigned int i = 1; i < ctx->nworkers; i++)
		same = same && ctx->workers[i]->turn->tables_page_sz == t0->tables_page_sz;
	if (same) {
		page_size_str(sz, sizeof(sz), t0->tables_page_sz);
		tp_log(TP_LOG_INFO, "TURN tables on %s pages (%.1f MiB over %u worker(s)%s)\n",
		       sz, (double)all / (1024.0 * 1024.0), ctx->nworkers,
		       t0->tables_page_sz < (1ull << 30) &&
		       t0->tables_mz->len >= TURN_TABLES_1G_MIN ?
		       ": no 1 GB page was free (tools/bootstrap reserves them)" : "");
		return;
	}
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		page_size_str(sz, sizeof(sz), ctx->workers[i]->turn->tables_page_sz);
		tp_log(TP_LOG_INFO, "TURN tables of worker %u on %s pages\n", i, sz);
	}
}

int
turn_init(struct dp_ctx *ctx)
{
	const struct tp_conf_turn *ct = &ctx->conf->turn;
	struct turn_ctx *tc;
	uint8_t addrs4[TP_CONF_MAX_RELAY][16], addrs6[TP_CONF_MAX_RELAY][16];
	uint32_t cap = tp_conf_worker_allocs(ctx->conf);
	uint32_t n4 = tp_conf_relay_addrs(ctx->conf, 4, addrs4, NULL);
	uint32_t n6 = tp_conf_relay_addrs(ctx->conf, 6, addrs6, NULL);
	uint32_t span = 0;
	size_t bytes = 0, all = 0;
	int rc;

	if (!ct->enabled)
		return 0;
	/* TURN's own settings behind ctx->turn; the relayed ports are the
	 * process's (port/ steers each worker's share to it) */
	tc = rte_zmalloc("turn_ctx", sizeof(*tc), RTE_CACHE_LINE_SIZE);
	if (tc == NULL) {
		tp_log(TP_LOG_ERR, "no memory for TURN's settings\n");
		return -ENOMEM;
	}
	tc->listen_port = ct->listen_port;
	snprintf(tc->software, sizeof(tc->software), "%s", ct->software);
	ctx->turn = tc;
	ctx->relay_min = ct->relay_min;
	ctx->relay_max = ct->relay_max;
	/* The fastest CRC-32 this CPU has (AVX-512, else SSE4.2 with
	 * PCLMULQDQ, else a table): FINGERPRINT checks. */
	rte_net_crc_set_alg(RTE_NET_CRC_AVX512);
	if (turn_key_hash_selfcheck() < 0) {
		tp_log(TP_LOG_ERR, "internal error: the allocation key's "
			"hash differs from rte_hash_crc()\n");
		return -EINVAL;
	}
	rc = turn_cp_register(ctx);
	if (rc == 0)
		rc = dp_handoff_on_kind(ctx, TURN_HANDOFF_FWD, turn_fwd_taken);
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "internal error: TURN's messages from cp: %s\n",
		       strerror(-rc));
		return rc;
	}
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];
		struct turn_worker *t;
		uint16_t slo = ctx->relay_min, shi = ctx->relay_min;

		/* the worker's TURN state, on its socket, behind its own
		 * pointer: what is not TURN sees none of it */
		t = rte_zmalloc_socket("turn_worker", sizeof(*t), RTE_CACHE_LINE_SIZE,
				       (int)rte_lcore_to_socket_id(w->lcore));
		if (t == NULL) {
			tp_log(TP_LOG_ERR, "worker %u: no memory for its TURN state\n", i);
			return -ENOMEM;
		}
		w->turn = t;
		t->fwd.e = rte_zmalloc_socket("turn_fwd", TURN_FWD_SLOTS * sizeof(*t->fwd.e),
					      RTE_CACHE_LINE_SIZE,
					      (int)rte_lcore_to_socket_id(w->lcore));
		if (t->fwd.e == NULL) {
			tp_log(TP_LOG_ERR, "worker %u: no memory for its forwards\n", i);
			return -ENOMEM;
		}
		turn_fwd_init(&t->fwd);

		/* by_relay holds this worker's share of the ports only: peer
		 * traffic to the others steers to their workers (lib/steer) */
		if (!steer_relay_share(ctx->relay_min, ctx->relay_max, ctx->nworkers, i,
				       &slo, &shi))
			shi = slo;
		span = (uint32_t)shi - slo + 1u;
		rc = turn_worker_tables(w, cap, n4 + n6, span, &bytes);
		all += bytes;
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "worker %u: no memory for %u "
				"allocations (%zu bytes each; cp.quota_total %u over %u "
				"worker(s)): reserve more hugepages or lower "
				"cp.quota_total\n", i, cap,
				sizeof(struct turn_alloc) + 2 * sizeof(uint64_t),
				ctx->conf->cp.quota_total, ctx->nworkers);
			return rc;
		}
		t->relay_span = span;
		t->relay_min = slo;
		t->relay_base6 = (uint8_t)n4;
		t->nrelay_tbl = (uint8_t)(n4 + n6);
		memset(t->relay_addr, 0, sizeof(t->relay_addr));
		for (unsigned int k = 0; k < n4 + n6 && k < TURN_MAX_RELAY_TBL; k++) {
			t->relay_addr[k].family = k < n4 ? NET_AF_IPV4 : NET_AF_IPV6;
			memcpy(t->relay_addr[k].ip, k < n4 ? addrs4[k] : addrs6[k - n4],
			       k < n4 ? 4 : 16);
		}
	}
	turn_log_pages(ctx, all);
	tp_log(TP_LOG_INFO, "TURN table: %u allocations per worker (cp.quota_total "
	       "%u over %u worker(s)), %.1f MiB per worker (%zu-byte slots, "
	       "%.0f bytes an allocation with the tuple hash and the peer tables; "
	       "bindings beyond %u and usernames taken as used); "
	       "relayed on %u IPv4 and %u IPv6 address(es) x %u port(s) a worker\n", cap,
	       ctx->conf->cp.quota_total, ctx->nworkers,
	       (double)all / ctx->nworkers / (1024.0 * 1024.0), sizeof(struct turn_alloc),
	       (double)all / ctx->nworkers / cap, TURN_HOT_BINDINGS, n4, n6, span);
	rc = dp_udp_register(ctx, tc->listen_port, turn_client_input, NULL, NULL,
			     DP_OWNER_FLOW, false);
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "cannot listen for TURN on UDP %u: %s\n",
			tc->listen_port, strerror(-rc));
		return rc;
	}
	dp_udp_set_flags(ctx, tc->listen_port, DP_UDP_DEFER_CKSUM);
	for (uint32_t p = ctx->relay_min; p <= ctx->relay_max; p++) {
		rc = dp_udp_register(ctx, (uint16_t)p, turn_peer_input, turn_icmp_input, NULL,
				     (uint16_t)steer_relay_owner(ctx->relay_min, ctx->relay_max,
								 ctx->nworkers, (uint16_t)p),
				     true);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "relay port %u is taken: %s\n", p,
				strerror(-rc));
			return rc;
		}
		dp_udp_set_flags(ctx, (uint16_t)p, DP_UDP_DEFER_CKSUM);
	}
	ctx->rx_prefetch = turn_prefetch_burst;
	return 0;
}

void
turn_free(struct dp_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];

		struct turn_worker *t;

		if (w == NULL || w->turn == NULL)
			continue;
		t = w->turn;
		turn_worker_tables_free(t);
		turn_bindings_free(t);
		rte_free(t->final_mem);
		rte_free(t->ends_mem);
		rte_free(t->admit);
		rte_free(t->conn_events_mem);
		rte_free(t->fwd.e);
		nonce_ctx_fini(&t->nonce);
		for (unsigned int k = 0; k < t->ntnonce; k++)
			nonce_ctx_fini(&t->tnonce[k]);
		rte_free(t->tnonce);
		rte_free(t);
		w->turn = NULL;
	}
	rte_free(ctx->turn);
	ctx->turn = NULL;
}
