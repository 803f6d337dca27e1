/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics: every worker's counters, drops by reason and TSC cycles per
 * packet per stage, printed on SIGUSR1 and at exit. One line per worker
 * and a total, as "key=value" pairs so that people and scripts read the
 * same text (cp will export the same figures as metrics later). Counters
 * are read without locks while workers run: each is a 64-bit word written
 * by one worker, so a reader sees a recent value, never a torn one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>

#include "agw/agw.h"
#include "tcprelay/tcprelay.h"
#include "dp.h"
#include "dp_root.h"
#include "dp_loop_turns.h"
#include "dp_ctrs.h"
#include "net/net.h"
#include "dp_tcp.h"
#include "session.h"
#include "tls.h"
#include "tls_mem.h"
#include "splice.h"
#include "tcp.h"
#include "turn/turn_tcp.h"
#include "turn/turn_types.h"

/* The families of counters dp publishes to cp, in the order of the
 * names cp shows (its metrics' events, status's keys): each module
 * describes its own (names, kinds, help, values), and only this list
 * says in what order. Registered whatever the configuration: a module
 * not configured reads 0, so that the names are the same on every box. */
static const struct dp_ctrs_family *const families[] = {
	&dp_tcp_ctrs,
	&dp_tcp_close_ctrs,
	&turn_tcp_ctrs,
	&tls_keys_ctrs,
	&tls_ctrs,
	&session_ctrs,
	&splice_ctrs,
	&splice_leg_end_ctrs,
	&splice_end_ctrs,
	&agw_ctrs,
	&tcprelay_ctrs,
};

int
dp_stats_register(char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		int rc = dp_ctrs_register(families[i], err, errlen);

		if (rc < 0)
			return rc;
	}
	return 0;
}

uint64_t
dp_stats_values(const struct dp_worker *w, uint64_t *out, unsigned int max)
{
	(void)dp_ctrs_values(w, out, max);
	return dp_tcp_conns(w);
}

static const char *const ctr_names[DP_CTR__COUNT] = {
#define DP_CTR(e, name) [DP_CTR_##e] = name,
#include "dp_counters.def"
#undef DP_CTR
};

static const char *const stage_names[DP_STAGE__COUNT] = {
#define X(e, n) [DP_STAGE_##e] = n,
	DP_STAGES(X)
#undef X
};

static void
print_line(FILE *out, const char *who, const uint64_t *ctr,
	   const uint64_t *drop, const uint64_t *cyc, const uint64_t *pkts,
	   uint64_t busy_cycles, uint64_t busy_pkts, uint64_t stalls,
	   uint64_t stall_cycles, const uint64_t *turns, uint64_t loop_max_us)
{
	uint64_t drops = 0;

	fprintf(out, "%s", who);
	for (unsigned int i = 0; i < DP_CTR__COUNT; i++)
		fprintf(out, " %s=%" PRIu64, ctr_names[i], ctr[i]);
	for (unsigned int i = 0; i < DP_DROP__COUNT; i++)
		drops += drop[i];
	fprintf(out, " drops=%" PRIu64, drops);
	for (unsigned int i = 0; i < DP_DROP__COUNT; i++)
		if (drop[i] != 0)
			fprintf(out, " drop_%s=%" PRIu64, dp_drop_name(i), drop[i]);
	for (unsigned int i = 0; i < DP_STAGE__COUNT; i++)
		if (pkts[i] != 0)
			fprintf(out, " cycles_per_pkt_%s=%" PRIu64, stage_names[i],
				cyc[i] / pkts[i]);
	if (busy_pkts != 0)
		fprintf(out, " cycles_per_pkt=%" PRIu64, busy_cycles / busy_pkts);
	/* The raw sums too, so that a reader can take the difference of two
	 * readings (perf/run measures an interval this way). */
	fprintf(out, " busy_cycles=%" PRIu64 " busy_pkts=%" PRIu64, busy_cycles,
		busy_pkts);
	/* time off the CPU inside receive polls, not in busy_cycles */
	fprintf(out, " stalls=%" PRIu64 " stall_cycles=%" PRIu64, stalls, stall_cycles);
	/* loop iterations that did work and took long (the delay a packet
	 * arriving meanwhile waits), and the longest (of any worker) */
	{
		static const uint32_t us[DP_TURN_BOUNDS] = IPC_DP_TURN_US;

		for (unsigned int i = DP_LONG_LOOP_FIRST; i < DP_TURN_BOUNDS; i++) {
			uint64_t n = dp_turns_over(turns, i);

			if (us[i] < 1000)
				fprintf(out, " long_loops_%uus=%" PRIu64, us[i], n);
			else
				fprintf(out, " long_loops_%ums=%" PRIu64, us[i] / 1000, n);
		}
	}
	fprintf(out, " loop_max_us=%" PRIu64, loop_max_us);
	for (unsigned int i = 0; i < DP_STAGE__COUNT; i++)
		fprintf(out, " stage_%s_cycles=%" PRIu64 " stage_%s_pkts=%" PRIu64,
			stage_names[i], cyc[i], stage_names[i], pkts[i]);
	fputc('\n', out);
}

void
dp_stats_print(const struct dp_ctx *ctx, FILE *out)
{
	uint64_t ctr[DP_CTR__COUNT] = { 0 }, drop[DP_DROP__COUNT] = { 0 };
	uint64_t cyc[DP_STAGE__COUNT] = { 0 }, pkts[DP_STAGE__COUNT] = { 0 };
	uint64_t busy_c = 0, busy_p = 0, stalls = 0, stall_c = 0;
	uint64_t turns[DP_TURN_BUCKETS] = { 0 }, loop_max = 0;
	double up = (double)(rte_rdtsc() - ctx->start_tsc) / (double)ctx->tsc_hz;

	fprintf(out, "turnpike-dp stats: uptime=%.1fs workers=%u ports=%u tsc_hz=%" PRIu64
		" reloads=%" PRIu64 " reloads_failed=%" PRIu64,
		up, ctx->nworkers, ctx->nports, ctx->tsc_hz,
		__atomic_load_n(&ctx->reloads, __ATOMIC_RELAXED),
		__atomic_load_n(&ctx->reloads_failed, __ATOMIC_RELAXED));
	/* dp's C heap, mostly OpenSSL's (dp/tls/tls_mem.h): now, once dp
	 * was up, the live SSL objects and what each holds beyond the
	 * start's on average */
	{
		int64_t now = tls_mem_bytes(), start = tls_mem_marked(), n = tls_mem_ssl_live();

		fprintf(out, " heap_bytes=%" PRId64 " heap_at_start=%" PRId64 " ssl_live=%" PRId64,
			now, start, n);
		if (n > 0)
			fprintf(out, " heap_per_ssl=%" PRId64, (now - start) / n);
	}
	fputc('\n', out);
	for (unsigned int wi = 0; wi < ctx->nworkers; wi++) {
		const struct dp_worker *w = ctx->workers[wi];
		char who[32];

		if (w == NULL)
			continue;
		snprintf(who, sizeof(who), "worker=%u lcore=%u", w->id, w->lcore);
		print_line(out, who, w->ctr, w->drop, w->stage_cycles,
			   w->stage_pkts, w->busy_cycles, w->busy_pkts, w->stalls,
			   w->stall_cycles, w->turns,
			   w->loop_max_cycles * 1000000u / ctx->tsc_hz);
		for (unsigned int i = 0; i < DP_TURN_BUCKETS; i++)
			turns[i] += w->turns[i];
		if (w->loop_max_cycles > loop_max)
			loop_max = w->loop_max_cycles;
		for (unsigned int i = 0; i < DP_CTR__COUNT; i++)
			ctr[i] += w->ctr[i];
		for (unsigned int i = 0; i < DP_DROP__COUNT; i++)
			drop[i] += w->drop[i];
		for (unsigned int i = 0; i < DP_STAGE__COUNT; i++) {
			cyc[i] += w->stage_cycles[i];
			pkts[i] += w->stage_pkts[i];
		}
		busy_c += w->busy_cycles;
		busy_p += w->busy_pkts;
		stalls += w->stalls;
		stall_c += w->stall_cycles;
	}
	print_line(out, "total", ctr, drop, cyc, pkts, busy_c, busy_p, stalls, stall_c,
		   turns, loop_max * 1000000u / ctx->tsc_hz);
	for (unsigned int i = 0; i < ctx->nports; i++) {
		const struct dp_port *p = &ctx->ports[i];

		fprintf(out, "port=%s rss=%u reta_size=%u flow_rules=%u "
			"flow_rules_wanted=%u flow_refused=%u\n", p->name, p->rss ? 1u : 0u,
			p->steer.reta_size, p->flow_rules, p->flow_rules_wanted,
			p->flow_refused);
	}
	for (unsigned int wi = 0; wi < ctx->nworkers; wi++) {
		const struct dp_worker *w = ctx->workers[wi];

		static const char *const by[DP_LONG_BY__COUNT] = {
#define X(e, n) n,
			DP_LONG_BY(X)
#undef X
		};

		if (w == NULL)
			continue;
		fprintf(out, "loop worker=%u loops=%" PRIu64 " tsc=%" PRIu64, w->id,
			__atomic_load_n(&w->loops, __ATOMIC_RELAXED), rte_rdtsc());
		/* the busy turns per bucket (IPC_DP_TURN_US, then +Inf), and
		 * the long ones (over 20 us) by what took most of them */
		fprintf(out, " turns=");
		for (unsigned int i = 0; i < DP_TURN_BUCKETS; i++)
			fprintf(out, "%s%" PRIu64, i > 0 ? "," : "", w->turns[i]);
		for (unsigned int i = 0; i < DP_LONG_BY__COUNT; i++)
			fprintf(out, " long_%s=%" PRIu64, by[i], w->long_by[i]);
		fprintf(out, " long_pkts=%" PRIu64 " long_ticks=%" PRIu64 " ticks=%" PRIu64
			" tick_cycles=%" PRIu64 " tick_max_us=%" PRIu64 "\n", w->long_pkts,
			w->long_ticks, w->ticks, w->tick_cycles,
			w->tick_max_cycles * 1000000u / ctx->tsc_hz);
	}
	for (unsigned int wi = 0; wi < ctx->nworkers; wi++) {
		const struct dp_worker *w = ctx->workers[wi];
		const struct tcp_stack *ts;

		if (w == NULL || w->tcp == NULL)
			continue;
		ts = w->tcp;
		fprintf(out, "tcp worker=%u conns=%u time_wait=%u held=%" PRIu64
			" mbufs_in_use=%u conns_turn=%u conns_relay=%u conns_agw=%u", w->id,
			ts->nconns, ts->ntw, ts->held,
			w->pool != NULL ? rte_mempool_in_use_count(w->pool) : 0u,
			tcp_use_count(ts, DP_TCP_USE_TURN), tcp_use_count(ts, DP_TCP_USE_RELAY),
			tcp_use_count(ts, DP_TCP_USE_AGW));
		for (unsigned int k = 0; k < TCP_CTR__COUNT; k++)
			fprintf(out, " %s=%" PRIu64, tcp_ctr_name(k), ts->ctr[k]);
		for (unsigned int k = 1; k < TCP_REASON__COUNT; k++)
			fprintf(out, " close_%s=%" PRIu64, tcp_reason_name(k), ts->closes[k]);
		fputc('\n', out);
		turn_tcp_stats(w, out);
		tls_stats(w, out);
		agw_stats(w, out);
		tcprelay_stats(w, out);
	}
	if (ctx->turn != NULL) {
		static const char *const tnames[TURN_STAT__COUNT] = {
#define X(e, n) [TURN_STAT_##e] = n,
			TURN_STATS(X)
#undef X
		};

		for (unsigned int wi = 0; wi < ctx->nworkers; wi++) {
			const struct dp_worker *w = ctx->workers[wi];
			const struct turn_worker *t;
			uint64_t sum[TURN_STAT__COUNT];

			if (w == NULL || w->turn == NULL || w->turn->allocs == NULL)
				continue;
			t = w->turn;
			memcpy(sum, t->ctr, sizeof(sum));
			for (uint32_t i = 0; i < t->cap; i++)
				if (t->allocs[i].id != 0)
					for (unsigned int k = 0; k < TURN_STAT__COUNT; k++)
						sum[k] += t->allocs[i].stats[k];
			fprintf(out, "turn worker=%u allocations=%u capacity=%u"
				" alloc_table_full=%" PRIu64 " alloc_bad_relay=%" PRIu64
				" alloc_bad_transport=%" PRIu64
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
				t->alloc_bad_relay, t->alloc_bad_transport, w->cp.ipc_in, w->cp.ipc_out,
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
				fprintf(out, " %s=%" PRIu64, turn_admit_stat_name(k),
					t->admit->ctr[k]);
			if (t->ntnonce != 0 || t->nonce_tenants_mismatch != 0)
				fprintf(out, " tenants=%u nonce_tenants_mismatch=%" PRIu64
					" drop_other_address=%" PRIu64,
					t->ntnonce, t->nonce_tenants_mismatch,
					t->drop_other_address);
			fputc('\n', out);
		}
	}
	fflush(out);
}
