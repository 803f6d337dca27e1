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
#include <rte_ethdev.h>

#include "dp.h"
#include "dp_root.h"
#include "dp_loops.h"
#include "dp_module.h"
#include "net/net.h"

static const char *const ctr_names[DP_CTR__COUNT] = {
#define DP_CTR(e, name) [DP_CTR_##e] = name,
#include "dp_counters.def"
#undef DP_CTR
};

static const char *const stage_names[DP_STAGE__COUNT] = {
#define DP_STAGE(e, n) [DP_STAGE_##e] = n,
#include "dp_stages.def"
#undef DP_STAGE
};

static void
print_line(FILE *out, const char *who, const uint64_t *ctr,
	   const uint64_t *drop, const uint64_t *cyc, const uint64_t *pkts,
	   uint64_t busy_cycles, uint64_t busy_pkts, uint64_t stalls,
	   uint64_t stall_cycles, const uint64_t *loops, uint64_t loop_max_us)
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
		static const uint32_t us[DP_LOOP_BOUNDS] = IPC_DP_LOOP_US;

		for (unsigned int i = DP_LONG_LOOP_FIRST; i < DP_LOOP_BOUNDS; i++) {
			uint64_t n = dp_loops_over(loops, i);

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
	uint64_t loops[DP_LOOP_BUCKETS] = { 0 }, loop_max = 0;
	double up = (double)(rte_rdtsc() - ctx->start_tsc) / (double)ctx->tsc_hz;

	fprintf(out, "turnpike-dp stats: uptime=%.1fs workers=%u ports=%u tsc_hz=%" PRIu64
		" reloads=%" PRIu64 " reloads_failed=%" PRIu64,
		up, ctx->nworkers, ctx->nports, ctx->tsc_hz,
		__atomic_load_n(&ctx->reloads, __ATOMIC_RELAXED),
		__atomic_load_n(&ctx->reloads_failed, __ATOMIC_RELAXED));
	dp_modules_print_head(ctx, out);
	fputc('\n', out);
	for (unsigned int wi = 0; wi < ctx->nworkers; wi++) {
		const struct dp_worker *w = ctx->workers[wi];
		char who[32];

		if (w == NULL)
			continue;
		snprintf(who, sizeof(who), "worker=%u lcore=%u", w->id, w->lcore);
		print_line(out, who, w->ctr, w->drop, w->stage_cycles,
			   w->stage_pkts, w->busy_cycles, w->busy_pkts, w->stalls,
			   w->stall_cycles, w->loop_buckets,
			   w->loop_max_cycles * 1000000u / ctx->tsc_hz);
		for (unsigned int i = 0; i < DP_LOOP_BUCKETS; i++)
			loops[i] += w->loop_buckets[i];
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
		   loops, loop_max * 1000000u / ctx->tsc_hz);
	for (unsigned int i = 0; i < ctx->nports; i++) {
		const struct dp_port *p = &ctx->ports[i];
		struct rte_eth_stats es;

		/* what the port dropped before any worker saw it: no mbuf
		 * for a packet received (rx_nombuf: a worker's pool empty),
		 * its ring full (imissed), bad frames (ierrors); 0 where the
		 * port says nothing */
		if (rte_eth_stats_get(p->port_id, &es) != 0)
			memset(&es, 0, sizeof(es));
		fprintf(out, "port=%s rss=%u reta_size=%u flow_rules=%u "
			"flow_rules_wanted=%u flow_refused=%u rx_nombuf=%" PRIu64
			" imissed=%" PRIu64 " ierrors=%" PRIu64 "\n", p->name, p->rss ? 1u : 0u,
			p->steer.reta_size, p->flow_rules, p->flow_rules_wanted,
			p->flow_refused, es.rx_nombuf, es.imissed, es.ierrors);
	}
	for (unsigned int wi = 0; wi < ctx->nworkers; wi++) {
		const struct dp_worker *w = ctx->workers[wi];

		static const char *const by[DP_LONG_BY__COUNT] = {
#define DP_LONG_BY(e, n) n,
#include "dp_long_by.def"
#undef DP_LONG_BY
		};

		if (w == NULL)
			continue;
		fprintf(out, "loop worker=%u loops=%" PRIu64 " tsc=%" PRIu64, w->id,
			__atomic_load_n(&w->loops, __ATOMIC_RELAXED), rte_rdtsc());
		/* the busy loops per bucket (IPC_DP_LOOP_US, then +Inf), and
		 * the long ones (over 20 us) by what took most of them */
		fprintf(out, " turns=");
		for (unsigned int i = 0; i < DP_LOOP_BUCKETS; i++)
			fprintf(out, "%s%" PRIu64, i > 0 ? "," : "", w->loop_buckets[i]);
		for (unsigned int i = 0; i < DP_LONG_BY__COUNT; i++)
			fprintf(out, " long_%s=%" PRIu64, by[i], w->long_by[i]);
		fprintf(out, " long_pkts=%" PRIu64 " long_ticks=%" PRIu64 " ticks=%" PRIu64
			" tick_cycles=%" PRIu64 " tick_max_us=%" PRIu64 "\n", w->long_pkts,
			w->long_ticks, w->ticks, w->tick_cycles,
			w->tick_max_cycles * 1000000u / ctx->tsc_hz);
	}
	dp_modules_print(ctx, out);
	fflush(out);
}
