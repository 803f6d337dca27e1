/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's side of dp/tcp (see dp_tcp.h): the stack of each worker, its
 * output (an IP header in front of the segment, then dp_ip_output()),
 * the demultiplexing of segments to the worker that owns their flow, the
 * stream modules' polls, the active opens' source ports, and the stack's
 * counters and statistics line as one of dp's modules.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "dp_tcp.h"
#include "net/flow.h"
#include "net/net.h"
#include "steer.h"
#include "tcp.h"
#include "tp_common.h"
#include "tw.h"

static void
tcp_out(void *arg, struct rte_mbuf *m, uint8_t family, uint8_t ds, const uint8_t *src,
	const uint8_t *dst)
{
	struct dp_worker *w = arg;
	uint16_t seglen = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint8_t *p;

	p = (uint8_t *)rte_pktmbuf_prepend(m, family == TCP_AF_IPV4 ? 20 : 40);
	if (p == NULL) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	if (family == TCP_AF_IPV4)
		ipv4_build_hdr_ds(p, src, dst, 6, 64, (uint16_t)(seglen + 20), ds);
	else
		ipv6_build_hdr_tc(p, src, dst, 6, 64, seglen, ds);
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM) {
		/* left for the NIC (dp_tcp_start()): what DPDK wants beside
		 * the flag; dp_ip_output() finishes it for a port without */
		m->l3_len = family == TCP_AF_IPV4 ? 20 : 40;
		m->ol_flags |= family == TCP_AF_IPV4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
	}
	w->ctr[DP_CTR_TCP_OUT]++;
	/* RFC 6062 relay to relay (a Connect to one of our own relayed
	 * transport addresses, as two relay-only clients of one box do):
	 * looped in to the worker of the destination port, never on the
	 * wire (turn_hairpin.c does the same for UDP) */
	if (unlikely(w->ctx->tcp_relay != NULL) &&
	    w->ctx->tcp_relay->hairpin(w, m, family, dst,
				       tp_rd16(p + (family == TCP_AF_IPV4 ? 20 : 40) + 2))) {
		w->ctr[DP_CTR_TCP_HAIRPIN]++;
		return;
	}
	dp_ip_output(w, m, family, dst);
}

unsigned int
dp_tcp_owner(const struct dp_worker *w, const struct dp_port *port, uint8_t family,
	     const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
	     bool *relayed)
{
	const struct dp_ctx *ctx = w->ctx;
	unsigned int owner;

	*relayed = false;
	/* an AGW server termination's port: its share's worker holds the
	 * context (lib/steer, as for relayed ports) */
	if (ctx->agw_max != 0 && dport >= ctx->agw_min && dport <= ctx->agw_max)
		return steer_relay_owner(ctx->agw_min, ctx->agw_max, ctx->nworkers, dport);
	/* RFC 6062: a relayed transport address's connections live with its
	 * allocation */
	if (ctx->tcp_relay != NULL && ctx->tcp_relay->owner(ctx, family, dst, dport, &owner)) {
		*relayed = true;
		return owner;
	}
	return dp_flow_worker(port->rss, w->id, ctx->nworkers, family, src, dst, sport, dport, 6);
}

static const struct tcp_out_ops dp_tcp_out_ops = { .output = tcp_out };

/* A port's mss_clamp for a connection from laddr (tcp_conf.mss_clamp):
 * the port whose own address it is; a relayed address belongs to the
 * port that lists it, a tenant's TURN address to its access port. */
static uint16_t
mss_clamp_of(void *arg, uint8_t family, const uint8_t *laddr)
{
	const struct dp_ctx *ctx = arg;
	const struct tp_conf *conf = ctx->conf;

	for (unsigned int i = 0; i < conf->dp.nports; i++) {
		const struct tp_conf_port *p = &conf->dp.ports[i];

		if (p->mss_clamp == 0)
			continue;
		if (family == TCP_AF_IPV4 ? p->has_ip4 && memcmp(p->ip4, laddr, 4) == 0 :
		    p->has_ip6 && memcmp(p->ip6, laddr, 16) == 0)
			return p->mss_clamp;
		for (unsigned int j = 0; j < (family == TCP_AF_IPV4 ? p->nrelay4 : p->nrelay6); j++)
			if (memcmp(family == TCP_AF_IPV4 ? p->relay4[j] : p->relay6[j], laddr,
				   family == TCP_AF_IPV4 ? 4 : 16) == 0)
				return p->mss_clamp;
		for (unsigned int t = 0; t < conf->tenants.n; t++) {
			const struct tp_conf_tenant *te = &conf->tenants.t[t];

			for (unsigned int j = 0; j < te->naddrs; j++)
				if (te->addrs[j].port == i && te->addrs[j].family == family &&
				    memcmp(te->addrs[j].ip, laddr, family == TCP_AF_IPV4 ? 4 : 16) == 0)
					return p->mss_clamp;
		}
	}
	return 0;
}

/*
 * A TCP segment (net/'s hook): each flow lives in one worker's stack, the
 * owner by dp_tcp_owner(): a SYN to a listener makes its connection there
 * for good, and dp_tcp_connect() picks source ports whose replies come
 * back to the opener. A segment that reached another worker (no RSS, or
 * a NIC without it) goes to the owner through its hand-off ring; the
 * owner takes it as handed.
 */
static void
tcp_hook_input(struct dp_worker *w, const struct dp_port *port, struct rte_mbuf *m,
	       uint8_t family, const uint8_t *src, const uint8_t *dst,
	       const uint8_t *l4, uint16_t l4len, bool handed)
{
	if (l4len >= 4 && w->ctx->nworkers > 1) {
		uint16_t sport = tp_rd16(l4), dport = tp_rd16(l4 + 2);
		bool relayed = false;
		unsigned int owner;

		owner = dp_tcp_owner(w, port, family, src, dst, sport, dport, &relayed);
		if (!handed && owner != w->id) {
			w->ctr[DP_CTR_TCP_HANDOFF]++;
			dp_handoff(w, owner, m, DP_HANDOFF_FLOW);
			return;
		}
		/* RFC 6062: a peer connection that moved to its data
		 * connection's worker is forwarded there */
		if (relayed && w->ctx->tcp_relay->forward(w, m, family, src, dst, sport, dport))
			return;
	}
	w->ctr[DP_CTR_TCP_IN]++;
	dp_tcp_wake(w);
	tcp_stack_set_time(w->tcp, w->now_ms);
	tcp_input(w->tcp, m, family, src, dst,
		  (uint32_t)(l4 - rte_pktmbuf_mtod(m, const uint8_t *)), l4len,
		  port->rx_cksum && (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
		  RTE_MBUF_F_RX_L4_CKSUM_GOOD);
}

/*
 * An ICMP error quoting a TCP segment of ours (net/'s hook; path MTU,
 * RFC 1191 / 8201): to the worker whose stack holds the quoted
 * connection, by the rule that places its segments (the quoted tuple
 * reversed is the one they arrive with).
 */
static bool
tcp_hook_icmp_error(struct dp_worker *w, const struct dp_port *port, struct rte_mbuf *m,
		    const struct dp_icmp_error *e, bool handed)
{
	const uint8_t *inner = e->inner;
	size_t l3 = e->inner_l3;
	uint32_t mtu = e->word;

	if (w->ctx->nworkers > 1 && !handed) {
		const uint8_t *qsrc = inner + (e->family == NET_AF_IPV4 ? 12 : 8);
		const uint8_t *qdst = inner + (e->family == NET_AF_IPV4 ? 16 : 24);
		bool relayed = false;
		unsigned int owner = dp_tcp_owner(w, port, e->family, qdst, qsrc,
						  tp_rd16(inner + l3 + 2), tp_rd16(inner + l3),
						  &relayed);

		if (owner != w->id) {
			dp_handoff(w, owner, m, DP_HANDOFF_FLOW);
			return true;
		}
	}
	if (e->family == NET_AF_IPV4)
		mtu &= 0xffffu;
	tcp_stack_set_time(w->tcp, w->now_ms);
	dp_tcp_wake(w);
	tcp_icmp_input(w->tcp, e->family, e->type, e->code, mtu, inner, e->inner_len);
	rte_pktmbuf_free(m);
	return true;
}

static const struct dp_tcp_hooks dp_tcp_net_hooks = {
	.input = tcp_hook_input,
	.icmp_error = tcp_hook_icmp_error,
};

int
dp_tcp_create(struct dp_worker *w)
{
	const struct tp_conf *conf = w->ctx->conf;
	struct tcp_conf tc;
	uint16_t mtu = 65535;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);

	if (conf->dp.diag_tcp_echo_port == 0 && conf->dp.diag_tcp_connect_family == 0 &&
	    !(conf->turn.enabled && conf->turn.nlisten_tcp + conf->turn.nlisten_tls > 0) &&
	    !conf->agw.enabled)
		return 0;
	/* Workers come before ports: the configuration has the MTUs. */
	for (unsigned int i = 0; i < conf->dp.nports; i++)
		if (conf->dp.ports[i].mtu < mtu)
			mtu = conf->dp.ports[i].mtu;
	tcp_conf_defaults(&tc);
	tc.max_conns = conf->dp.tcp_max_conns;
	tc.max_per_source = conf->turn.enabled ? conf->turn.tcp_per_source : 0;
	tc.invalid_ratelimit = conf->dp.tcp_invalid_ratelimit_ms;
	tc.challenge_acks = conf->dp.tcp_challenge_acks;
	tc.src_prefix6 = (uint8_t)conf->turn.tcp_source_prefix6;
	/* Half-open connections must leave slots for the ones SYN cookies
	 * complete (RFC 4987 §3.6): with the backlog as large as the pool
	 * (1024 each) a SYN flood takes every slot and each honest ACK meets
	 * drop_no_connection_slot (test dp_tcp_flood pins it). A quarter of the
	 * pool per listener. */
	if (tc.syn_backlog > tc.max_conns / 4)
		tc.syn_backlog = tc.max_conns / 4 > 0 ? tc.max_conns / 4 : 1;
	tc.mss4 = (uint16_t)(mtu - 40);      /* RFC 9293 §3.7.1 */
	tc.mss6 = (uint16_t)(mtu - 60);
	for (unsigned int i = 0; i < conf->dp.nports; i++)
		if (conf->dp.ports[i].mss_clamp != 0) {
			tc.mss_clamp = mss_clamp_of;
			tc.mss_clamp_arg = w->ctx;
		}
	/* The worker's cap on held payload (dp.tcp_held_max): by default
	 * what half its mbufs hold in full segments. */
	tc.max_held = conf->dp.tcp_held_max != 0 ? conf->dp.tcp_held_max :
		      (uint64_t)conf->dp.mbufs_per_worker / 2 * 1448u;
	/* ... and a floor of free mbufs under it: the ports' rings hold
	 * some 2048 of the pool whatever TCP does, and segments smaller than
	 * full pin more mbufs than the bytes say. With the pool nearly
	 * empty no ACK, no answer and no received packet finds an mbuf, and
	 * nothing ever reopens a window (a client not reading six flooded
	 * connections stalls every TCP connection of its worker: test
	 * turn_tcp_relay_budget with its budget off). An eighth of the pool
	 * stays free for them: below the quarter at which TURN over TCP
	 * resets the connections that hold stalled frames (turn/turn_tcp.c),
	 * which must act first (at a quarter, this floor would close every
	 * window before them and a client beside them would lose messages:
	 * test turn_tcp_stall under CPU load pins it). */
	tc.pool_low = (uint32_t)(w->pool->size / 8);
	/* RFC 5482 and the orphans' limit (dp.tcp_user_timeout,
	 * dp.tcp_orphan_timeout): without them a peer that vanished behind
	 * a closed window kept its connection, and what it held, for good */
	tc.user_timeout = conf->dp.tcp_user_timeout_s * 1000u;
	tc.orphan_timeout = conf->dp.tcp_orphan_timeout_s * 1000u;
	tc.worker = (uint8_t)w->id;
	tc.socket = socket;
	w->tcp_wheel = rte_zmalloc_socket("tcp_wheel", sizeof(*w->tcp_wheel), 64, socket);
	if (w->tcp_wheel == NULL)
		goto fail;
	tw_init(w->tcp_wheel, w->now_ms);
	w->tcp = tcp_stack_create(&tc, w->tcp_wheel, &dp_tcp_out_ops, w, w->pool,
				  w->now_ms);
	if (w->tcp == NULL)
		goto out_free_wheel;
	w->ctx->tcp_hooks = &dp_tcp_net_hooks;
	if (w->id == 0)
		printf("turnpike-dp: tcp: %u connections per worker, %zu bytes each "
		       "when idle; held at most %llu bytes (dp.tcp_held_max) and down to "
		       "%u free mbufs of %u a worker\n", tc.max_conns,
		       tcp_idle_conn_bytes(w->tcp), (unsigned long long)tc.max_held,
		       tc.pool_low, (unsigned int)w->pool->size);
	return 0;

out_free_wheel:
	rte_free(w->tcp_wheel);
	w->tcp_wheel = NULL;
fail:
	tp_log(TP_LOG_ERR, "worker %u: cannot create its TCP stack\n", w->id);
	return -ENOMEM;
}

/* ---- counters (dp_ctrs.h) ---- */

/* tcp_counters.def's, then header prediction's two (fast_input()):
 * struct tcp_stack's fast_data and fast_acks, kept out of ctr[] since
 * tests/unit/test_tcp_fast.c requires ctr[] to end alike whichever path
 * took a segment */
#define TCP_FAST_DATA TCP_CTR__COUNT
#define TCP_FAST_ACKS (TCP_CTR__COUNT + 1)
#define TCP_DESC_N    (TCP_CTR__COUNT + 2)

static const struct dp_ctrs_desc tcp_desc[TCP_DESC_N] = {
#define TCP_CTR(e, n, h) [TCP_CTR_##e] = { n, DP_CTRS_COUNTER, h },
#include "tcp_counters.def"
#undef TCP_CTR
	[TCP_FAST_DATA] = { "fast_path_data", DP_CTRS_COUNTER,
			    "Segments header prediction took: in-order data alone that the "
			    "window takes whole (RFC 9293 3.10.7)" },
	[TCP_FAST_ACKS] = { "fast_path_acks", DP_CTRS_COUNTER,
			    "Segments header prediction took: pure ACKs moving SND.UNA, "
			    "outside recovery (RFC 9293 3.10.7)" },
};

static void
tcp_values(const struct dp_worker *w, uint64_t *out)
{
	const struct tcp_stack *ts = w->tcp;

	for (unsigned int k = 0; k < TCP_CTR__COUNT; k++)
		out[k] = ts != NULL ? ts->ctr[k] : 0;
	out[TCP_FAST_DATA] = ts != NULL ? ts->fast_data : 0;
	out[TCP_FAST_ACKS] = ts != NULL ? ts->fast_acks : 0;
}

const struct dp_ctrs_family dp_tcp_ctrs = {
	.name = "tcp", .prefix = "",
	.help = "dp/tcp's events (tcp_counters.def): segments, drops by reason, "
		"retransmissions and recovery, SYN cookies, path MTU, moves",
	.desc = tcp_desc, .n = TCP_DESC_N, .values = tcp_values,
};

/* (TCP_REASON_NONE ends no connection: left out) */
static const struct dp_ctrs_desc close_desc[TCP_REASON__COUNT] = {
#define TCP_REASON(e, n, h) [TCP_REASON_##e] = { n, DP_CTRS_COUNTER, h },
#include "tcp_reasons.def"
#undef TCP_REASON
};

static void
close_values(const struct dp_worker *w, uint64_t *out)
{
	for (unsigned int k = 1; k < TCP_REASON__COUNT; k++)
		out[k - 1] = w->tcp != NULL ? w->tcp->closes[k] : 0;
}

const struct dp_ctrs_family dp_tcp_close_ctrs = {
	.name = "tcp_close", .prefix = "close_",
	.help = "TCP connections ended, by reason (tcp_reasons.def)",
	.desc = close_desc + 1, .n = TCP_REASON__COUNT - 1, .values = close_values,
};

/* the connections open now, for cp's segment (the worker's tick) */
static void
tcp_publish(const struct dp_worker *w, struct ipc_dp_stats *st)
{
	st->tcp_conns = w->tcp != NULL ? w->tcp->nconns : 0;
}

/* The stack's statistics line (SIGUSR1), first of the worker's streams. */
static void
tcp_print(const struct dp_worker *w, FILE *out)
{
	const struct tcp_stack *ts = w->tcp;

	if (ts == NULL)
		return;
	fprintf(out, "tcp worker=%u conns=%u time_wait=%u held=%" PRIu64
		" mbufs_in_use=%u conns_turn=%u conns_relay=%u conns_agw=%u", w->id,
		ts->nconns, ts->ntw, ts->held,
		w->pool != NULL ? rte_mempool_in_use_count(w->pool) : 0u,
		tcp_use_count(ts, DP_TCP_USE_TURN), tcp_use_count(ts, DP_TCP_USE_RELAY),
		tcp_use_count(ts, DP_TCP_USE_AGW));
	for (unsigned int k = 0; k < TCP_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, tcp_ctr_name(k), ts->ctr[k]);
	fprintf(out, " %s=%" PRIu64 " %s=%" PRIu64, tcp_desc[TCP_FAST_DATA].name, ts->fast_data,
		tcp_desc[TCP_FAST_ACKS].name, ts->fast_acks);
	for (unsigned int k = 1; k < TCP_REASON__COUNT; k++)
		fprintf(out, " close_%s=%" PRIu64, tcp_reason_name(k), ts->closes[k]);
	fputc('\n', out);
}

void
dp_tcp_free(struct dp_worker *w)
{
	struct dp_tcp_mods *r = &w->tcp_mods;

	for (unsigned int i = r->n; i > 0; i--)
		if (r->free[i - 1] != NULL)
			r->free[i - 1](w);
	memset(r, 0, sizeof(*r));
	if (w->tcp != NULL)
		tcp_stack_free(w->tcp);
	rte_free(w->tcp_wheel);
	w->tcp = NULL;
	w->tcp_wheel = NULL;
}

unsigned int
dp_tcp_poll(struct dp_worker *w, uint64_t now_ms)
{
	struct dp_tcp_mods *r = &w->tcp_mods;
	unsigned int k = 0, fired;

	tcp_stack_set_time(w->tcp, now_ms);
	if (dp_tcp_mods_due(r, now_ms)) {
		unsigned int n = r->n;

		for (unsigned int i = 0; i < n; i++)
			k += r->poll[i](w, now_ms);
		dp_tcp_mods_done(r, k);
	}
	fired = tw_advance(w->tcp_wheel, now_ms);
	dp_tcp_mods_done(r, fired);
	return k + fired;
}

/* ---- active open ---- */

/* The port whose own address (or tenant's TURN address) is addr
 * (family's), or NULL. */
static struct dp_port *
port_of_addr(struct dp_ctx *ctx, uint8_t family, const uint8_t *addr)
{
	for (unsigned int i = 0; i < ctx->nports; i++) {
		struct dp_port *p = &ctx->ports[i];

		if (dp_port_turn_addr(p, family, addr))
			return p;
	}
	return NULL;
}

int
dp_tcp_use(struct dp_worker *w, int app, enum dp_tcp_use use)
{
	const struct tp_conf_dp *d = &w->ctx->conf->dp;
	uint32_t pct = use == DP_TCP_USE_TURN ? d->tcp_reserve_turn :
		       use == DP_TCP_USE_RELAY ? d->tcp_reserve_relay :
		       use == DP_TCP_USE_AGW ? d->tcp_reserve_agw : 0;
	int rc;

	rc = tcp_app_set_use(w->tcp, app, use);
	if (rc == 0 && use != DP_TCP_USE_OTHER)
		rc = tcp_use_reserve(w->tcp, use, (uint32_t)((uint64_t)d->tcp_max_conns * pct / 100u));
	if (rc < 0)
		tp_log(TP_LOG_ERR, "worker %u: dp.tcp_reserve: cannot keep %u%% of %u TCP "
		       "connections for use %u\n", w->id, pct, d->tcp_max_conns, use);
	return rc;
}

int
dp_tcp_connect_from(struct dp_worker *w, uint8_t family, const uint8_t *laddr,
		    const uint8_t *raddr, uint16_t rport, int app, void *arg, uint64_t *id)
{
	return dp_tcp_connect_dscp(w, family, laddr, raddr, rport, 0, app, arg, id);
}

int
dp_tcp_connect_dscp(struct dp_worker *w, uint8_t family, const uint8_t *laddr,
		    const uint8_t *raddr, uint16_t rport, uint8_t dscp, int app, void *arg,
		    uint64_t *id)
{
	const uint32_t span = DP_TCP_EPH_HI - DP_TCP_EPH_LO + 1;
	struct dp_port *port;
	const uint8_t *nh;
	uint16_t start, lport;
	int rc;

	if (w->tcp == NULL)
		return -ENOTCONN;
	if (family != TCP_AF_IPV4 && family != TCP_AF_IPV6)
		return -EINVAL;
	if (dp_route(w->ctx, family, raddr, &port, &nh) < 0)
		return -ENETUNREACH;
	if (family == TCP_AF_IPV4 ? !port->has_ip4 : !port->has_ip6)
		return -ENETUNREACH;
	if (laddr == NULL) {
		laddr = dp_port_src(port, family);
	} else {
		/* replies to laddr come in on its own port: its steering */
		port = port_of_addr(w->ctx, family, laddr);
		if (port == NULL)
			return -EADDRNOTAVAIL;
	}
	start = w->tcp_eph_next;
	if (start < DP_TCP_EPH_LO)       /* first use: spread the workers */
		start = (uint16_t)(DP_TCP_EPH_LO + (w->id * 7919u + rte_rdtsc()) % span);
	/* A port taken by another connection to the same peer: the next
	 * one that lands here, 64 times at most. Ports whose replies another
	 * worker owns are passed over without counting: the ephemeral range
	 * holds the relayed ports (and may hold agw.ports), whose shares are
	 * hundreds of ports wide, and 64 tries spent crossing another
	 * worker's share failed a few connects in a row (test_agw's 1000
	 * contexts: 3 connect_failed, depending on where the cursor
	 * started). The whole range once at most. */
	for (unsigned int tries = 0, scanned = 0; tries < 64 && scanned < span; scanned++) {
		bool relayed;

		rc = dp_flow_pick_sport(&port->steer, family, laddr, raddr, rport, 6,
					DP_TCP_EPH_LO, DP_TCP_EPH_HI, start, w->id, &lport);
		if (rc < 0)
			return rc;
		start = lport == DP_TCP_EPH_HI ? DP_TCP_EPH_LO : (uint16_t)(lport + 1);
		w->tcp_eph_next = start;
		/* the replies' owner by the demux's rule: a source port in
		 * agw.ports or (from a relayed address) the relayed ports
		 * steers by its share, not by the hash */
		if (w->ctx->nworkers > 1 &&
		    dp_tcp_owner(w, port, family, raddr, laddr, rport, lport, &relayed) != w->id)
			continue;
		rc = tcp_connect_dscp(w->tcp, family, laddr, lport, raddr, rport, dscp, app, arg,
				      id);
		if (rc != -EADDRINUSE)
			return rc;
		tries++;
	}
	return -EADDRNOTAVAIL;
}

void
dp_tcp_keepalive(struct dp_worker *w, uint64_t id, const struct tp_conf_keepalive *k)
{
	if (k->idle_s != 0)
		(void)tcp_set_keepalive(w->tcp, id, k->idle_s * 1000u, k->interval_s * 1000u,
					k->count);
}

int
dp_tcp_connect(struct dp_worker *w, uint8_t family, const uint8_t *raddr,
	       uint16_t rport, int app, void *arg, uint64_t *id)
{
	return dp_tcp_connect_from(w, family, NULL, raddr, rport, app, arg, id);
}

static const struct dp_ctrs_family *const tcp_families[] = {
	&dp_tcp_ctrs, &dp_tcp_close_ctrs, NULL,
};

/*
 * The ports are up: when one of them checksums TCP on transmit, segments
 * leave the stacks with only the pseudo-header's sum and the NIC makes
 * the rest (dp_ip_output() finishes those routed to a port that cannot).
 * When none can, the stacks finish them as they build them, as before:
 * a software-only box (memif) pays nothing for the choice.
 */
static void
dp_tcp_start(struct dp_ctx *ctx)
{
	bool offer = false;

	for (unsigned int i = 0; i < ctx->nports; i++)
		offer |= ctx->ports[i].tx_tcp_cksum;
	for (unsigned int i = 0; i < ctx->nworkers; i++)
		if (ctx->workers[i]->tcp != NULL)
			tcp_stack_cksum_offer(ctx->workers[i]->tcp, offer);
}

const struct dp_module dp_tcp_module = {
	.name = "tcp",
	.create = dp_tcp_create,
	.start = dp_tcp_start,
	.ctrs = tcp_families,
	.publish = tcp_publish,
	.print_stream = tcp_print,
	.free = dp_tcp_free,
};
