/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay (tcprelay.h): RFC 6062's peer connections in a worker.
 *
 * A peer connection is a record in the slot of its TCP connection
 * (struct tr_conn, by ipc_conn_slot() of its id), with a splice
 * (dp/splice) whose leg 1 is the peer connection and leg 0 the client's
 * data connection once bound: until then leg 0 waits, and the splice
 * holds what the peer sends (TR_HOLD bytes, then the peer's window
 * closes: RFC 6062 §5.2 "buffer ... and adjust the TCP receive window").
 * Records of an allocation are a list from its turn_alloc (tcp_head), so
 * that its end ends them (§5.5).
 *
 * - Connect (TCP_CONNECT from cp, §5.2): an active open from the
 *   allocation's relayed address of the peer's family and its relayed
 *   port (the source port fixed: the relayed port steers to this worker,
 *   lib/steer). CONNECTED or FAILED goes to cp, which answers the request.
 * - A peer connecting in (§5.3): the relay application listens on this
 *   worker's share of the relayed ports; a connection to a relayed
 *   transport address of a TCP allocation that has a permission for the
 *   peer's IP is taken (INCOMING to cp, which sends ConnectionAttempt),
 *   anything else is reset and counted.
 * - ConnectionBind (TCP_BIND from cp, §5.4): cp's answer goes on the data
 *   connection (taken from TURN's framing: turn_tcp_take(), with any
 *   bytes that followed the request), which becomes leg 0. When the data
 *   connection is another worker's, the peer connection moves there
 *   first (tcp_conn_export()/import() through the hand-off ring, its held
 *   bytes with it), and this worker forwards what still comes for it
 *   (a stub per moved connection, kept 2 MSL after it ended there).
 * - TCP_CLOSE (no bind within 30 s, the allocation gone, cp's word):
 *   the splice is released.
 * - What an allocation's connections hold here is under its budget
 *   (struct tr_group: turn.tcp_alloc_bytes and tcp_alloc_mbufs, dp/tcp's
 *   struct tcp_budget): a client that stops reading closes its own peers'
 *   windows, never the worker's (its tcp_held_max, its pool).
 *
 * This file: a worker's set-up and end, its poll, what TCP's glue asks of
 * RFC 6062 (ctx->tcp_relay), the counters and the statistics line. The
 * other files, by concern: tcprelay_private.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_cp.h"
#include "dp_ctrs.h"
#include "dp_tcp.h"
#include "ipc.h"
#include "session.h"
#include "splice.h"
#include "steer.h"
#include "tcp.h"
#include "tcprelay.h"
#include "tcprelay_private.h"
#include "turn/turn.h"
#include "turn/turn_tcprelay.h"

static const char *const tr_ctr_names[TR_CTR__COUNT] = {
#define TR_CTR(n, s, h) [TR_CTR_##n] = s,
#include "tcprelay_counters.def"
#undef TR_CTR
};

/* ---- the worker loop, set-up, statistics ---------------------------------- */

/* Groups a poll looks at for the live budgets' peak (the whole table in
 * tcp_max_conns / this polls, a millisecond or less apart). */
#define TR_PEAK_SLICE 256u

static void
tr_peak_sweep(struct tcprelay_worker *tr)
{
	for (uint32_t k = 0; k < TR_PEAK_SLICE && tr->groups != NULL; k++) {
		const struct tr_group *g = &tr->groups[tr->peak_cur];

		if (g->used) {
			if (g->b.peak_bytes > tr->live_peak_bytes)
				tr->live_peak_bytes = g->b.peak_bytes;
			if (g->b.peak_mbufs > tr->live_peak_mbufs)
				tr->live_peak_mbufs = g->b.peak_mbufs;
		}
		if (++tr->peak_cur >= tr->max)
			tr->peak_cur = 0;
	}
}

unsigned int
tcprelay_poll(struct dp_worker *w, uint64_t now_ms)
{
	struct tcprelay_worker *tr = tr_of(w);

	(void)now_ms;
	if (tr == NULL)
		return 0;
	if (tr->nstubs > 0)
		tr_stub_sweep(w, tr);
	if (tr->ngroups > 0)
		tr_peak_sweep(tr);
	return (tr->gwake1 != 0 ? tr_group_wake_run(w, tr) : 0) + ev_flush(w);
}

/* ---- what TCP's glue asks of RFC 6062 (ctx->tcp_relay) ---- */

/* A relayed transport address's connections live with its allocation. */
static bool
tr_owner(const struct dp_ctx *ctx, uint8_t family, const uint8_t *dst, uint16_t dport,
	 unsigned int *owner)
{
	if (dport < ctx->relay_min || dport > ctx->relay_max ||
	    turn_relay_index(ctx, family, dst) < 0)
		return false;
	*owner = steer_relay_owner(ctx->relay_min, ctx->relay_max, ctx->nworkers, dport);
	return true;
}

/* A segment to one of our relayed addresses (a Connect to our own relayed
 * transport address): looped in to the worker of the destination port. */
static bool
tr_hairpin(struct dp_worker *w, struct rte_mbuf *m, uint8_t family, const uint8_t *dst,
	   uint16_t dport)
{
	const struct dp_ctx *ctx = w->ctx;

	if (turn_relay_index(ctx, family, dst) < 0)
		return false;
	turn_loop_in(w, m, family, dport >= ctx->relay_min && dport <= ctx->relay_max ?
		     steer_relay_owner(ctx->relay_min, ctx->relay_max, ctx->nworkers, dport) :
		     w->id);
	return true;
}

static const struct dp_tcp_relay_ops tr_relay_ops = {
	.owner = tr_owner,
	.hairpin = tr_hairpin,
	.forward = tcprelay_forward,
};

static const struct dp_tcp_mod tr_mod = {
	.name = "tcprelay", .cls = DP_TCP_MOD_OWNER, .poll = tcprelay_poll,
	.free = tcprelay_free,
};

int
tcprelay_init(struct dp_worker *w)
{
	const struct tp_conf *conf = w->ctx->conf;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct tcprelay_worker *tr;
	uint32_t ev_cap;
	int rc;

	if (w->tcp == NULL || !conf->turn.enabled ||
	    conf->turn.nlisten_tcp + conf->turn.nlisten_tls == 0)
		return 0;
	if (dp_cp_on_kind(w->ctx, IPC_TCP_CONNECT, tcprelay_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_TCP_BIND, tcprelay_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_TCP_CLOSE, tcprelay_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_TCP_NAME, tcprelay_apply) < 0 ||
	    dp_cp_on_sync(w->ctx, tcprelay_sync_start, tcprelay_state_step) < 0 ||
	    dp_handoff_on_kind(w->ctx, TCPRELAY_HANDOFF, tcprelay_handoff) < 0) {
		tp_log(TP_LOG_ERR, "internal error: RFC 6062's messages from cp or its "
		       "hand-off kind\n");
		return -EINVAL;
	}
	tr = rte_zmalloc_socket("tcprelay", sizeof(*tr), 64, socket);
	if (tr == NULL)
		goto nomem;
	w->tcprelay = tr;
	(void)dp_tcp_mod_add(w, &tr_mod);
	w->ctx->tcp_relay = &tr_relay_ops;
	if (w->splice == NULL)
		w->splice = &tr->own_splice;
	tr->max = conf->dp.tcp_max_conns;
	ev_cap = 64;
	while (ev_cap < 4u * tr->max)
		ev_cap <<= 1;
	tr->stub_mask = 63;
	while (tr->stub_mask + 1u < 2u * tr->max)
		tr->stub_mask = tr->stub_mask * 2u + 1u;
	tr->conns = rte_zmalloc_socket("tcprelay_conns", (size_t)tr->max * sizeof(*tr->conns),
				       64, socket);
	tr->ev_mem = rte_zmalloc_socket("tcprelay_ev", ipc_backlog_size(ev_cap,
					sizeof(struct ipc_tcp_event), false), 64, socket);
	tr->stubs = rte_zmalloc_socket("tcprelay_stubs",
				       (size_t)(tr->stub_mask + 1u) * sizeof(*tr->stubs), 64,
				       socket);
	if (tr->conns == NULL || tr->ev_mem == NULL || tr->stubs == NULL ||
	    ipc_backlog_setup(&tr->ev, tr->ev_mem, ev_cap, sizeof(struct ipc_tcp_event),
			      false) < 0 || session_worker_init(w, tr->max) < 0)
		goto nomem;
	for (uint32_t i = tr->max; i > 0; i--) {
		tr->conns[i - 1u].next_free = tr->free1;
		tr->free1 = i;
	}
	tr->budget_bytes = conf->turn.tcp_alloc_bytes;
	tr->budget_mbufs = conf->turn.tcp_alloc_mbufs;
	if (tr->budget_bytes != 0 || tr->budget_mbufs != 0) {
		/* a budget a record at most; the index at most half full */
		tr->gmask = 63;
		while (tr->gmask + 1u < 2u * tr->max)
			tr->gmask = tr->gmask * 2u + 1u;
		tr->groups = rte_zmalloc_socket("tcprelay_budgets",
						(size_t)tr->max * sizeof(*tr->groups), 64, socket);
		tr->gidx = rte_zmalloc_socket("tcprelay_budget_index",
					      (size_t)(tr->gmask + 1u) * sizeof(*tr->gidx), 64,
					      socket);
		if (tr->groups == NULL || tr->gidx == NULL)
			goto nomem;
		for (uint32_t i = tr->max; i > 0; i--) {
			tr->groups[i - 1u].next1 = tr->gfree1;
			tr->gfree1 = i;
		}
	}
	w->turn->tcp_gone = tcprelay_alloc_gone;
	w->turn->tcp_gone_arg = w;
	tr->app = tcp_app_register(w->tcp, &tr_tcp_ops);
	if (tr->app < 0) {
		tp_log(TP_LOG_ERR, "worker %u: no room for RFC 6062's TCP application\n", w->id);
		return tr->app;
	}
	if ((rc = dp_tcp_use(w, tr->app, DP_TCP_USE_RELAY)) < 0)
		return rc;
	tr->port_lo = w->turn->relay_min;
	tr->port_hi = (uint16_t)(w->turn->relay_min + w->turn->relay_span - 1u);
	if (w->turn->relay_span == 0)
		return 0;
	rc = tcp_listen_range(w->tcp, 0, tr->port_lo, tr->port_hi, tr->app, w);
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "%s: turn.relay_ports: worker %u cannot listen on TCP %u-%u "
		       "for RFC 6062: %s\n", conf->path, w->id, tr->port_lo, tr->port_hi,
		       rc == -EADDRINUSE ? "a port is taken (agw.ports, dp.diag_tcp_echo_port?)" :
		       strerror(-rc));
		return rc;
	}
	return 0;
nomem:
	tp_log(TP_LOG_ERR, "worker %u: no memory for RFC 6062's %u connections "
	       "(dp.tcp_max_conns)\n", w->id, conf->dp.tcp_max_conns);
	return -ENOMEM;
}

void
tcprelay_free(struct dp_worker *w)
{
	struct tcprelay_worker *tr = w->tcprelay;

	if (tr == NULL)
		return;
	if (tr->conns != NULL)
		for (uint32_t s = 0; s < tr->max; s++) {
			rte_pktmbuf_free(tr->conns[s].sp.leg[0].pend);
			rte_pktmbuf_free(tr->conns[s].sp.leg[1].pend);
		}
	if (w->splice == &tr->own_splice)
		w->splice = NULL;
	if (tr->groups != NULL && w->tcp != NULL)
		tcp_stack_forget_budgets(w->tcp);
	rte_free(tr->groups);
	rte_free(tr->gidx);
	rte_free(tr->conns);
	rte_free(tr->ev_mem);
	rte_free(tr->stubs);
	rte_free(tr);
	w->tcprelay = NULL;
}

/* The most one allocation's budget held here (live or gone): bytes or
 * mbufs. */
static uint64_t
budget_peak(const struct tcprelay_worker *tr, bool mbufs)
{
	uint64_t gone = mbufs ? tr->peak_mbufs : tr->peak_bytes;
	uint64_t live = mbufs ? tr->live_peak_mbufs : tr->live_peak_bytes;

	return gone > live ? gone : live;
}

static const struct dp_ctrs_desc tr_desc[TR_CTR__COUNT + 4] = {
#define TR_CTR(n, s, h) [TR_CTR_##n] = { s, DP_CTRS_COUNTER, h },
#include "tcprelay_counters.def"
#undef TR_CTR
	[TR_CTR__COUNT] = { "connections", DP_CTRS_GAUGE, "Peer connections now (a level)" },
	[TR_CTR__COUNT + 1] = { "budgets", DP_CTRS_GAUGE,
				"Allocations' budgets of held bytes in use now (a level)" },
	[TR_CTR__COUNT + 2] = { "budget_peak_bytes", DP_CTRS_GAUGE,
				"The most bytes one allocation's budget held here, live or gone" },
	[TR_CTR__COUNT + 3] = { "budget_peak_mbufs", DP_CTRS_GAUGE,
				"The most mbufs one allocation's budget held here, live or gone" },
};

static void
tr_values(const struct dp_worker *w, uint64_t *out)
{
	const struct tcprelay_worker *tr = w->tcprelay;

	for (unsigned int k = 0; k < TR_CTR__COUNT; k++)
		out[k] = tr != NULL ? tr->ctr[k] : 0;
	out[TR_CTR__COUNT] = tr != NULL ? tr->n : 0;
	out[TR_CTR__COUNT + 1] = tr != NULL ? tr->ngroups : 0;
	out[TR_CTR__COUNT + 2] = tr != NULL ? budget_peak(tr, false) : 0;
	out[TR_CTR__COUNT + 3] = tr != NULL ? budget_peak(tr, true) : 0;
}

const struct dp_ctrs_family tcprelay_ctrs = {
	.name = "tcprelay", .prefix = "tcprelay_",
	.help = "RFC 6062's peer connections (tcprelay_counters.def) and their budgets",
	.desc = tr_desc, .n = TR_CTR__COUNT + 4, .values = tr_values,
};

void
tcprelay_stats(const struct dp_worker *w, FILE *out)
{
	const struct tcprelay_worker *tr = w->tcprelay;

	if (tr == NULL)
		return;
	fprintf(out, "tcprelay worker=%u connections=%u ports=%u-%u stubs=%u events_waiting=%u "
		"budgets=%u budget_peak_bytes=%" PRIu64 " budget_peak_mbufs=%" PRIu64,
		w->id, tr->n, tr->port_lo, tr->port_hi, tr->nstubs, ipc_backlog_count(&tr->ev),
		tr->ngroups, budget_peak(tr, false), budget_peak(tr, true));
	for (unsigned int k = 0; k < TR_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, tr_ctr_names[k], tr->ctr[k]);
	fputc('\n', out);
}
