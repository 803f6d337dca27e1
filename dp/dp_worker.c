/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workers: per-lcore run-to-completion loops. Each iteration takes a
 * burst from every port's RX queue that the worker owns, runs it through
 * the impairment stage (if configured) and the input path, takes what
 * other workers handed over, and flushes its TX buffers. Cycles are read
 * from the TSC around each stage, once per burst, and accumulated with the
 * packet counts, so that statistics give cycles per packet per stage.
 * A worker that finds nothing to do for a while sleeps in doubling steps
 * up to idle_sleep_max_us (0: never), so a 2-core test box keeps running
 * its kernel-side clients.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_root.h"
#include "dp_loops.h"
#include "dp_cp.h"
#include "dp_ctrs.h"
#include "dp_ha.h"
#include "dp_module.h"
#include "dp_tcp.h"
#include "net/net.h"
#include "ipc.h"

/* Iterations without work before the first sleep. */
#define DP_IDLE_SPIN 256
/* A receive poll that takes longer than this was preempted (dp_worker_main). */
#define DP_STALL_US 10u
#define DP_MBUF_DATA (RTE_MBUF_DEFAULT_BUF_SIZE)

static void
neigh_free_pkt(void *pkt, void *arg)
{
	(void)arg;
	rte_pktmbuf_free(pkt);
}

static int
worker_create(struct dp_ctx *ctx, unsigned int id, unsigned int lcore)
{
	const struct tp_conf_dp *cd = &ctx->conf->dp;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct dp_worker *w;
	int socket = (int)rte_lcore_to_socket_id(lcore);
	uint32_t data = DP_MBUF_DATA;

	for (unsigned int i = 0; i < cd->nports; i++) {
		uint32_t need = (uint32_t)cd->ports[i].mtu + RTE_ETHER_HDR_LEN + 4 +
				RTE_PKTMBUF_HEADROOM;

		if (need > data)
			data = need;
	}
	w = rte_zmalloc_socket("dp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL)
		return -ENOMEM;
	w->id = id;
	w->lcore = lcore;
	w->ctx = ctx;
	snprintf(name, sizeof(name), "tp_pool_%u", id);
	w->pool = rte_pktmbuf_pool_create(name, cd->mbufs_per_worker, 256, 0,
					  (uint16_t)data, socket);
	if (w->pool == NULL) {
		tp_log(TP_LOG_ERR, "worker %u: cannot create a pool of %u "
			"mbufs: %s (are enough hugepages reserved?)\n", id,
			cd->mbufs_per_worker, rte_strerror(rte_errno));
		rte_free(w);
		return -ENOMEM;
	}
	w->handoff_park_max = cd->mbufs_per_worker / 4u;
	snprintf(name, sizeof(name), "tp_handoff_%u", id);
	w->handoff = rte_ring_create(name, DP_HANDOFF_SIZE, socket, RING_F_SC_DEQ);
	if (w->handoff == NULL) {
		rte_mempool_free(w->pool);
		rte_free(w);
		return -ENOMEM;
	}
	neigh_table_init(&w->neigh, w->neigh_mem, DP_NEIGH_SIZE,
			 cd->neigh_queue_max,
			 (uint64_t)cd->neigh_reachable_s * ctx->tsc_hz,
			 (uint64_t)cd->neigh_retry_ms * ctx->tsc_hz / 1000u, 3,
			 neigh_free_pkt, NULL);
	net_ratelimit_init(&w->icmp_rl, cd->icmp_rate_per_s,
			   cd->icmp_rate_per_s > 10 ? cd->icmp_rate_per_s / 10 : 1,
			   ctx->tsc_hz, rte_rdtsc());
	w->tick_interval = ctx->tsc_hz / 10 / DP_TICK_STEPS;
	w->stall_limit = ctx->tsc_hz / (1000000u / DP_STALL_US);
	dp_loop_limits(ctx->tsc_hz, w->loop_limit);
	ctx->workers[id] = w;
	return dp_modules_create(w);
}

int
dp_workers_create(struct dp_ctx *ctx)
{
	const struct tp_conf_dp *cd = &ctx->conf->dp;
	int rc;

	ctx->nworkers = cd->nworkers;
	for (unsigned int i = 0; i < cd->nworkers; i++) {
		unsigned int lcore = cd->workers[i];

		if (!rte_lcore_is_enabled(lcore)) {
			tp_log(TP_LOG_ERR, "%s: worker lcore %u is not in the "
				"EAL core list (dp.eal '-l ...')\n", ctx->conf->path, lcore);
			return -EINVAL;
		}
		rc = worker_create(ctx, i, lcore);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
dp_workers_free(struct dp_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];
		struct rte_mbuf *m;

		if (w == NULL)
			continue;
		while (rte_ring_dequeue(w->handoff, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		for (unsigned int p = 0; p < DP_MAX_PORTS; p++) {
			rte_pktmbuf_free_bulk(w->tx[p].pkts, w->tx[p].n);
			w->tx[p].n = 0;
		}
		/* Packets still waiting for a neighbour. */
		for (uint32_t e = 0; e < w->neigh.size; e++) {
			struct neigh_entry *ne = &w->neigh.e[e];

			for (unsigned int q = 0; q < ne->nqueued; q++)
				rte_pktmbuf_free(ne->queue[q]);
			ne->nqueued = 0;
		}
		dp_impair_free(w);
		dp_modules_free(w);
		rte_ring_free(w->handoff);
		ctx->workers[i] = NULL;
		/* The pool goes with the EAL: ports may still hold its mbufs. */
		rte_free(w);
	}
}

/* CLOCK_MONOTONIC milliseconds from the TSC, since the last anchor. */
static inline uint64_t
worker_now_ms(const struct dp_worker *w, uint64_t tsc)
{
	return w->clock_ms + (tsc - w->clock_tsc) * 1000u / w->ctx->clock_hz;
}

/* Take the clock's anchor afresh from the kernel (CLOCK_MONOTONIC, what cp
 * keeps lifetimes by): the TSC only interpolates between anchors. Without
 * this, a TSC rate measured 0.1% wrong put dp 86 s off cp after a day, and
 * permissions expired early in dp. */
static void
worker_clock_anchor(struct dp_worker *w)
{
	w->clock_tsc = rte_rdtsc();
	w->clock_ms = ipc_monotonic_ms();
}

/* This worker's counters into the segment for cp's metrics (lib/ipc
 * struct ipc_dp_stats): plain stores of words only this worker writes,
 * in two steps (worker_tick()): its own counters, then the modules'
 * families and the time of the copy. */
static struct ipc_dp_stats *
worker_stats_block(struct dp_worker *w)
{
	if (w->ctx->ipc.shm == NULL || w->id >= w->ctx->ipc.nworkers)
		return NULL;
	return &ipc_worker(&w->ctx->ipc, w->id)->dp_stats;
}

/* The ports' own drops and errors, by their drivers' counters (what
 * dp_stats.c prints on SIGUSR1): worker 0's, for cp's status and metrics. */
static void
worker_publish_ports(struct dp_worker *w, struct ipc_dp_stats *st)
{
	const struct dp_ctx *ctx = w->ctx;
	unsigned int n = ctx->nports < IPC_DP_PORTS_MAX ? ctx->nports : IPC_DP_PORTS_MAX;

	RTE_BUILD_BUG_ON(DP_MAX_PORTS > IPC_DP_PORTS_MAX);
	RTE_BUILD_BUG_ON(TP_CONF_NAME_LEN > IPC_DP_PORT_NAME_LEN);
	for (unsigned int i = 0; i < n; i++) {
		const struct dp_port *p = &ctx->ports[i];
		struct ipc_dp_port *o = &st->port[i];
		struct rte_eth_stats es;

		/* (each time: the block outlives a dp of other ports; the
		 * same bytes again are no torn name for cp) */
		snprintf(o->name, sizeof(o->name), "%s", p->name);
		if (rte_eth_stats_get(p->port_id, &es) != 0)
			continue;
		o->rx_nombuf = es.rx_nombuf;
		o->imissed = es.imissed;
		o->ierrors = es.ierrors;
		o->oerrors = es.oerrors;
	}
	st->nports = n;
}

static void
worker_publish_own(struct dp_worker *w)
{
	struct ipc_dp_stats *st = worker_stats_block(w);
	unsigned int n = DP_DROP__COUNT < IPC_DP_DROPS_MAX ? DP_DROP__COUNT :
							      IPC_DP_DROPS_MAX;

	if (st == NULL)
		return;
	st->rx_pkts = w->ctr[DP_CTR_RX_PKTS];
	st->rx_bytes = w->ctr[DP_CTR_RX_BYTES];
	st->tx_pkts = w->ctr[DP_CTR_TX_PKTS];
	st->tx_bytes = w->ctr[DP_CTR_TX_BYTES];
	st->handoff_out = w->ctr[DP_CTR_HANDOFF_OUT];
	st->handoff_in = w->ctr[DP_CTR_HANDOFF_IN];
	st->busy_cycles = w->busy_cycles;
	st->busy_pkts = w->busy_pkts;
	for (unsigned int i = 0; i < DP_LOOP_BUCKETS; i++)
		st->loop_buckets[i] = w->loop_buckets[i];
	for (unsigned int i = 0; i < n; i++)
		st->drop[i] = w->drop[i];
	if (w->id == 0)
		worker_publish_ports(w, st);
}

static void
worker_publish_modules(struct dp_worker *w)
{
	struct ipc_dp_stats *st = worker_stats_block(w);

	if (st == NULL)
		return;
	(void)dp_ctrs_values(w, st->tcp, IPC_DP_TCP_MAX);
	dp_modules_publish(w, st);
	__atomic_store_n(&st->updated_ms, ipc_monotonic_ms(), __ATOMIC_RELEASE);
}

/*
 * The worker's periodic work, a step every DP_TICK_STEPS-th of 100 ms, so
 * that each step is short: each touches lines and pages the packets never
 * do, and on a virtual machine those misses cost tens of microseconds a
 * step (perf/RESULTS.md T31) that the packets arriving meanwhile wait.
 * Returns whether it printed the statistics (SIGUSR1: the reader's cost,
 * left out of the tick's).
 */
static bool
worker_tick(struct dp_worker *w, uint64_t now)
{
	switch (w->tick_step) {
	case 0:
		worker_clock_anchor(w);
		/* progress, for the watchdog thread */
		__atomic_store_n(&w->heartbeat, w->heartbeat + 1, __ATOMIC_RELAXED);
		dp_watchdog_test_stall(w);
		neigh_tick(&w->neigh, now, dp_neigh_probe, w);
		if (w->neigh.failed) {
			w->drop[DP_DROP_NEIGH_FAILED] += w->neigh.failed;
			w->neigh.failed = 0;
		}
		break;
	case 1:
		worker_publish_own(w);
		break;
	default:
		worker_publish_modules(w);
		break;
	}
	/* dp's heartbeat every step, not every third: a worker back from a
	 * stall (a stop, a debugger) beats on its first turn, rather than up
	 * to two steps later while cp, seeing a beat more than IPC_ALIVE_MS
	 * old, refuses work as if dp did not run (perf_run_dtls_quick's
	 * paused dp did, for 66 ms). */
	if (w->ctx->ipc.shm != NULL && w->id == 0)
		__atomic_store_n(&w->ctx->ipc.shm->dp_heartbeat_ms, ipc_monotonic_ms(),
				 __ATOMIC_RELAXED);
	w->tick_step = (uint8_t)((w->tick_step + 1u) % DP_TICK_STEPS);
	if (rte_lcore_id() == rte_get_main_lcore() && w->ctx->dump_stats) {
		w->ctx->dump_stats = 0;
		dp_stats_print(w->ctx, stdout);
		return true;
	}
	return false;
}

static void
idle_backoff(struct dp_worker *w, uint32_t max_us)
{
	struct timespec ts;

	if (max_us == 0 || ++w->idle_loops < DP_IDLE_SPIN)
		return;
	w->sleep_us = w->sleep_us == 0 ? 1 : w->sleep_us * 2;
	if (w->sleep_us > max_us)
		w->sleep_us = max_us;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)w->sleep_us * 1000;
	nanosleep(&ts, NULL);
	w->ctr[DP_CTR_IDLE_SLEEPS]++;
}

/* A busy loop iteration over the first bound (5 us): counted by how
 * long (cold path); past DP_LONG_LOOP_BOUND, by what took most of it
 * (ctl: cp's messages, a SYNC's answer and the sweeps; tcp: dp/tcp's
 * poll; pkt: the rest, the packets' stages). */
static void __rte_noinline __rte_cold
long_loop(struct dp_worker *w, uint64_t cycles, uint64_t ctl, uint64_t tcp,
	  unsigned int work)
{
	w->loop_buckets[dp_loop_bucket(w->loop_limit, cycles)]++;
	if (cycles > w->loop_max_cycles)
		w->loop_max_cycles = cycles;
	if (cycles > w->loop_limit[DP_LONG_LOOP_BOUND]) {
		uint64_t pkt = ctl + tcp < cycles ? cycles - ctl - tcp : 0;

		if (ctl >= pkt && ctl >= tcp)
			w->long_by[DP_LONG_BY_CTL]++;
		else if (tcp >= pkt)
			w->long_by[DP_LONG_BY_TCP]++;
		else
			w->long_by[DP_LONG_BY_PKT]++;
		w->long_pkts += work;
	}
}

int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp_ctx *ctx = w->ctx;
	uint32_t max_sleep = ctx->conf->dp.idle_sleep_max_us;
	struct rte_mbuf *pkts[DP_BURST * 2];

	if (dp_impair_init(w) < 0) {
		tp_log(TP_LOG_ERR, "worker %u: no memory for the "
			"impairment stage\n", w->id);
		ctx->stop = 1;
		return -ENOMEM;
	}
	if (dp_modules_thread_init(w) < 0) {
		ctx->stop = 1;
		return -ENOMEM;
	}
	w->next_tick = rte_rdtsc() + w->tick_interval;
	worker_clock_anchor(w);
	w->now_ms = w->clock_ms;
	tp_log(TP_LOG_INFO, "worker %u running on lcore %u\n", w->id, w->lcore);
	fflush(stdout);

	while (!ctx->stop) {
		uint64_t start = rte_rdtsc(), t0 = start, t1, t2, t3;
		uint64_t c_ctl = 0, c_tcp = 0;  /* (for long_loop() only) */
		unsigned int work = 0;
		bool swept = false;
		/* a box of a pair that is not the active one: its bursts
		 * freed as they come, nothing sent (dp_ha.h); one branch a
		 * pass without an ha group */
		bool passive = dp_ha_pass(w, start);

		w->loops++;
		for (unsigned int i = 0; i < ctx->nports; i++) {
			struct dp_port *port = &ctx->ports[i];
			struct dp_impair *im = w->impair_rx[i];
			uint16_t n;

			if (unlikely(w->test_poll_armed) && i == 0)
				dp_test_poll_stall(w);
			n = rte_eth_rx_burst(port->port_id, (uint16_t)w->id, pkts, DP_BURST);
			if (unlikely(passive)) {
				dp_ha_rx_drop(w, pkts, n);
				continue;
			}

			/* The clock is read only where a stage did work: a
			 * TSC read costs some 40 cycles, an empty poll less. */
			t1 = n > 0 || im != NULL ? rte_rdtsc() : t0;
			if (n > 0) {
				uint64_t bytes = 0;

				/* A poll (this one, or an empty one of an
				 * earlier port in this pass: t0 has not moved
				 * since) that took longer than any receive
				 * burst does was preempted, and, at low rates,
				 * returns packets because it was: the time off
				 * the CPU is not the worker's work. */
				if (unlikely(t1 - t0 > w->stall_limit)) {
					uint64_t over = t1 - t0 - w->stall_limit;

					w->stalls++;
					w->stall_cycles += over;
					start += over;
					t0 += over;
				}
				for (uint16_t k = 0; k < n; k++)
					bytes += rte_pktmbuf_pkt_len(pkts[k]);
				w->ctr[DP_CTR_RX_PKTS] += n;
				w->ctr[DP_CTR_RX_BYTES] += bytes;
				w->stage_cycles[DP_STAGE_RX] += t1 - t0;
				w->stage_pkts[DP_STAGE_RX] += n;
			}
			if (im != NULL) {
				if (n > 0)
					n = dp_impair_burst(w, im, &port->impair, pkts,
							    n, RTE_DIM(pkts), t1);
				n = (uint16_t)(n + dp_impair_release(w, im, pkts + n,
						(uint16_t)(RTE_DIM(pkts) - n), t1));
			}
			if (n > 0) {
				dp_input_burst(w, port, pkts, n, false);
				t2 = rte_rdtsc();
				w->stage_cycles[DP_STAGE_INPUT] += t2 - t1;
				w->stage_pkts[DP_STAGE_INPUT] += n;
				work += n;
				t0 = t2;
			} else {
				t0 = t1;
			}
		}
		/* (one worker hands off to itself too: relay-to-relay
		 * datagrams come back in through its ring) */
		if (!rte_ring_empty(w->handoff)) {
			unsigned int k = dp_handoff_input(w);

			t2 = rte_rdtsc();
			w->stage_cycles[DP_STAGE_HANDOFF] += t2 - t0;
			w->stage_pkts[DP_STAGE_HANDOFF] += k;
			work += k;
			t0 = t2;
		}
		/* Wall-clock ms by division once per millisecond. */
		if (t0 >= w->ms_next_tsc) {
			uint64_t ms = worker_now_ms(w, t0);

			/* never backwards across a new anchor */
			if (ms > w->now_ms)
				w->now_ms = ms;
			w->ms_next_tsc = t0 + ctx->tsc_hz / 1000u;
			/* a new millisecond's handshake budget (tls_poll()
			 * starts one too, when it runs) */
			dp_hs_reset(w);
			dp_modules_clock(w, w->now_ms);
		}
		if (w->tcp != NULL) {
			unsigned int k = dp_tcp_poll(w, w->now_ms);

			if (k > 0) {
				work += k;
				t2 = rte_rdtsc();
				c_tcp = t2 - t0;
				t0 = t2;
			}
		}
		if (w->cp.rings != NULL) {
			unsigned int k = dp_cp_poll(w, w->now_ms);

			if (k > 0) {
				/* (what cp asked may be a stream module's) */
				if (w->tcp != NULL)
					dp_tcp_wake(w);
				work += k;
				t2 = rte_rdtsc();
				c_ctl = t2 - t0;
				t0 = t2;
			}
			/* Table sweeps are the worker's work too: their cycles
			 * count as busy, though they relay no packet. A SYNC's
			 * answer first, then the modules' sweeps. */
			k = dp_cp_sync_step(w, t0);
			k += dp_modules_sweep(w, t0);
			k += dp_cp_fence_step(w);
			if (k > 0) {
				if (w->tcp != NULL)
					dp_tcp_wake(w);
				swept = true;
				t2 = rte_rdtsc();
				c_ctl += t2 - t0;
				t0 = t2;
			}
		}
		/* What the modules gathered in this pass (TURN-over-TCP
		 * frames) goes to their connections now, so that their
		 * segments leave with the burst. */
		dp_modules_flush(w);
		{
			uint64_t txn = 0;

			for (unsigned int i = 0; i < ctx->nports; i++)
				txn += w->tx[i].n;
			dp_tx_flush(w, t0);
			t3 = txn > 0 || work > 0 || swept ? rte_rdtsc() : t0;
			if (txn > 0) {
				w->stage_cycles[DP_STAGE_TX] += t3 - t0;
				w->stage_pkts[DP_STAGE_TX] += txn;
			}
		}
		if (work > 0 || swept) {
			if (likely(t3 - start <= w->loop_limit[0]))
				w->loop_buckets[0]++;
			else
				long_loop(w, t3 - start, c_ctl, c_tcp, work);
			w->busy_cycles += t3 - start;
			w->busy_pkts += work;
			w->idle_loops = 0;
			w->sleep_us = 0;
		}
		if (t3 >= w->next_tick) {
			bool dumped = worker_tick(w, t3);
			uint64_t t4 = rte_rdtsc();

			w->next_tick = t3 + w->tick_interval;
			/* packets that arrive meanwhile wait for it too */
			if (!dumped) {
				if (t4 - t3 > w->loop_limit[DP_LONG_LOOP_BOUND])
					w->long_ticks++;
				w->ticks++;
				w->tick_cycles += t4 - t3;
				if (t4 - t3 > w->tick_max_cycles)
					w->tick_max_cycles = t4 - t3;
			}
		}
		if (work == 0 && !swept)
			idle_backoff(w, max_sleep);
	}
	dp_tx_flush(w, rte_rdtsc());
	return 0;
}
