/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN as two of dp's modules (dp_module.h): TURN over UDP (its tables
 * on every worker, the clock its fast path reads, the table sweeps, its
 * statistics line) and TURN over TCP and TLS (its connections' state on
 * every worker, the frames a pass gathered flushed before the transmit,
 * its counters and statistics line). Both only with a turn group.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "tp_esc.h"
#include "turn.h"
#include "turn_admit.h"
#include "turn_tcp.h"
#include "turn_types.h"

static int
turn_setup(struct dp_ctx *ctx)
{
	int rc;

	if (!ctx->conf->turn.enabled)
		return 0;
	rc = turn_init(ctx);
	return rc < 0 ? rc : 1;
}

/* The worker's millisecond clock, where TURN's packets read it (the line
 * they read anyway). */
static void
turn_clock(struct dp_worker *w, uint64_t now_ms)
{
	if (w->turn != NULL)
		w->turn->now_ms = now_ms;
}

static void
turn_print(const struct dp_worker *w, FILE *out)
{
	static const char *const tnames[TURN_STAT__COUNT] = {
#define TURN_STAT(e, n) [TURN_STAT_##e] = n,
#include "turn_stats.def"
#undef TURN_STAT
	};
	const struct turn_worker *t = w->turn;
	uint64_t sum[TURN_STAT__COUNT];

	if (t == NULL || t->allocs == NULL)
		return;
	memcpy(sum, t->ctr, sizeof(sum));
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->allocs[i].id != 0)
			for (unsigned int k = 0; k < TURN_STAT__COUNT; k++)
				sum[k] += t->allocs[i].stats[k];
	fprintf(out, "turn worker=%u allocations=%u capacity=%u"
		" alloc_table_full=%" PRIu64 " alloc_bad_relay=%" PRIu64
		" alloc_bad_transport=%" PRIu64
		" alloc_moved=%" PRIu64 " alloc_move_refused=%" PRIu64
		" ipc_in=%" PRIu64 " ipc_out=%" PRIu64 " ipc_full=%" PRIu64
		" binding_requests=%" PRIu64 " binding_indications=%" PRIu64
		" stun_malformed=%" PRIu64 " swept=%" PRIu64
		" cp_serving=%u cp_wait=%" PRIu64 " cp_gone=%" PRIu64
		" stun_bad_fingerprint=%" PRIu64 " peer_port0=%" PRIu64
		" icmp_forged=%" PRIu64 " ipc_bad=%" PRIu64 " hairpin=%" PRIu64
		" hairpin_refused=%" PRIu64 " hairpin_unreach=%" PRIu64
		" nonce_ok=%u nonce_load_failed=%" PRIu64
		" cp_rung=%" PRIu64 " xport_none=%" PRIu64
		" stream_bad_frame=%" PRIu64 " stream_too_big=%" PRIu64
		" stream_write_failed=%" PRIu64
		" overflow_blocks=%u overflow_nomem=%" PRIu64
		" usernames=%u username_nomem=%" PRIu64
		" final_sent=%" PRIu64 " final_lost=%" PRIu64
		" final_dropped=%" PRIu64 " ends_sent=%" PRIu64
		" ends_lost=%" PRIu64, w->id,
		t->nallocs, t->cap, t->alloc_table_full,
		t->alloc_bad_relay, t->alloc_bad_transport, t->alloc_moved,
		t->alloc_move_refused, w->cp.ipc_in, w->cp.ipc_out,
		w->cp.ipc_full,
		t->binding_requests, t->binding_indications,
		t->stun_malformed, t->swept, w->cp.serving ? 1u : 0u,
		t->cp_wait, t->cp_gone, t->stun_bad_fingerprint,
		t->peer_port0, t->icmp_forged, w->cp.ipc_bad, t->hairpin,
		t->hairpin_refused, t->hairpin_unreach,
		t->nonce_ok ? 1u : 0u, t->nonce_load_failed,
		w->cp.cp_rung, t->xport_none, t->stream_bad_frame,
		t->stream_too_big, t->stream_write_failed,
		t->ovf.used, t->ovf.nomem, t->users.n, t->users.nomem,
		t->final.sent, t->final.lost, t->final_dropped,
		t->ends.sent, t->ends.lost);
	for (unsigned int k = 0; k < TURN_STAT__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, tnames[k], sum[k]);
	for (unsigned int k = 0; k < TURN_ADMIT__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, turn_admit_stat_name(k), t->admit->ctr[k]);
	if (t->ntnonce != 0 || t->nonce_tenants_mismatch != 0)
		fprintf(out, " tenants=%u nonce_tenants_mismatch=%" PRIu64
			" drop_other_address=%" PRIu64,
			t->ntnonce, t->nonce_tenants_mismatch, t->drop_other_address);
	/* (only once a forward came: the line is as it was without) */
	if (t->fwd.added != 0 || t->fwd.full != 0 || t->fwd.refused != 0 || t->fwd.taken != 0)
		fprintf(out, " forwards=%u fwd_added=%" PRIu64 " fwd_removed=%" PRIu64
			" fwd_full=%" PRIu64 " fwd_refused=%" PRIu64 " fwd_handed=%" PRIu64
			" fwd_taken=%" PRIu64, t->fwd.n, t->fwd.added, t->fwd.removed,
			t->fwd.full, t->fwd.refused, t->fwd.handed, t->fwd.taken);
	/* (only once a limit came: the line is as it was without) */
	if (t->bw != NULL || t->bw_nomem != 0)
		fprintf(out, " max_bps_allocs=%u max_bps_nomem=%" PRIu64, t->nbw, t->bw_nomem);
	fputc('\n', out);
}

const struct dp_module turn_module = {
	.name = "turn",
	.setup = turn_setup,
	.clock = turn_clock,
	.sweep = turn_sweep,
	.print = turn_print,
	.fini = turn_free,
};

/* TURN over TCP and TLS on every worker (after TURN's tables), and what
 * it listens on said once. */
static int
turn_tcp_setup(struct dp_ctx *ctx)
{
	const struct tp_conf_turn *tc = &ctx->conf->turn;
	bool runs = false;

	if (!tc->enabled)
		return 0;
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		int rc = turn_tcp_init(ctx->workers[i]);

		if (rc < 0)
			return rc;
		runs |= ctx->workers[i]->turn_tcp != NULL;
	}
	if (tc->nlisten_tcp > 0) {
		printf("turnpike-dp: TURN on TCP");
		for (unsigned int i = 0; i < tc->nlisten_tcp; i++)
			printf("%s%u", i ? ", " : " ", tc->listen_tcp[i]);
		printf(" (%u connections per worker, %u per source; first message "
		       "within %u s)\n", ctx->conf->dp.tcp_max_conns, tc->tcp_per_source,
		       tc->tcp_first_message_s);
	}
	if (tc->nlisten_tls > 0) {
		char e[2][512];   /* the configuration's strings, escaped as tp_log() would */

		printf("turnpike-dp: TURN on TLS");
		for (unsigned int i = 0; i < tc->nlisten_tls; i++)
			printf("%s%u", i ? ", " : " ", tc->listen_tls[i]);
		printf(" (certificate %s, %u SNI name(s), TLS %s and up, session cache "
		       "%u per worker, offload %s)\n",
		       tp_esc_logs(ctx->conf->tls.cert.certificate, e[0], sizeof(e[0])),
		       ctx->conf->tls.nsni, ctx->conf->tls.min_version == 0x0304 ? "1.3" : "1.2",
		       ctx->conf->tls.session_cache,
		       tp_esc_logs(ctx->conf->tls.offload == TP_TLS_OFFLOAD_PROVIDER ?
				   ctx->conf->tls.offload_provider :
				   ctx->conf->tls.offload == TP_TLS_OFFLOAD_ENGINE ?
				   ctx->conf->tls.offload_engine : "none (software)",
				   e[1], sizeof(e[1])));
	}
	return runs ? 1 : 0;
}

static const struct dp_ctrs_family *const turn_tcp_families[] = { &turn_tcp_ctrs, NULL };

const struct dp_module turn_tcp_module = {
	.name = "turn_tcp",
	.setup = turn_tcp_setup,
	.flush = turn_tcp_flush,
	.ctrs = turn_tcp_families,
	.print_stream = turn_tcp_stats,
};
