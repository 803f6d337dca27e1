/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-dp's systemd watchdog: WATCHDOG=1 only while every
 * worker makes progress. Each worker bumps its heartbeat once a tick
 * (worker_tick(), every 100 ms); a DPDK control thread of its own, off
 * the workers' loops and lcores (the main lcore runs a worker, and a worker cannot
 * vouch for itself), wakes every half of WATCHDOG_USEC and pings only if
 * every worker's heartbeat moved since its last look. A worker stuck in
 * a loop, a PMD call or a lock stops the pings, and systemd restarts dp
 * after WatchdogSec (turnpike-cp then installs the allocations again).
 * The first look that finds a worker stuck says which, once.
 *
 * Test hook: TP_DP_TEST_STALL_WORKER="ID:MS" stalls worker ID MS ms after
 * it starts (it sleeps without ticking until dp stops), as a stuck worker
 * would: tests/integration/test_systemd.sh shows the pings stop.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef TP_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include <rte_lcore.h>

#include "dp.h"
#include "dp_root.h"
#include "ipc.h"

/* Heartbeats move every 100 ms: a look less often than 3 ticks could
 * find a healthy worker still. */
#define DP_WATCHDOG_MIN_US  300000ull

#ifdef TP_HAVE_SYSTEMD
static void *
watchdog_main(void *arg)
{
	struct dp_ctx *ctx = arg;
	uint64_t seen[DP_MAX_WORKERS];
	uint64_t period_us = ctx->watchdog_usec / 2;
	bool stuck_said = false;

	if (period_us < DP_WATCHDOG_MIN_US)
		period_us = DP_WATCHDOG_MIN_US;
	for (unsigned int i = 0; i < ctx->nworkers; i++)
		seen[i] = __atomic_load_n(&ctx->workers[i]->heartbeat, __ATOMIC_RELAXED);
	sd_notify(0, "WATCHDOG=1");
	while (!ctx->stop) {
		int stuck = -1;

		/* a stop is seen within 100 ms */
		for (uint64_t slept = 0; slept < period_us && !ctx->stop;
		     slept += 100000) {
			struct timespec step = { 0, 100000 * 1000L };

			if (period_us - slept < 100000)
				step.tv_nsec = (long)(period_us - slept) * 1000;
			nanosleep(&step, NULL);
		}
		if (ctx->stop)
			break;
		for (unsigned int i = 0; i < ctx->nworkers; i++) {
			uint64_t hb = __atomic_load_n(&ctx->workers[i]->heartbeat,
						      __ATOMIC_RELAXED);

			if (hb == seen[i] && stuck < 0)
				stuck = (int)i;
			seen[i] = hb;
		}
		if (stuck < 0) {
			sd_notify(0, "WATCHDOG=1");
			stuck_said = false;
			continue;
		}
		ctx->watchdog_withheld++;
		if (!stuck_said) {
			tp_log(TP_LOG_WARNING, "worker %d made no progress in %llu "
				"ms: WATCHDOG=1 withheld (systemd restarts dp if it "
				"stays stuck)\n", stuck,
				(unsigned long long)(period_us / 1000));
			stuck_said = true;
		}
	}
	return NULL;
}
#endif

int
dp_watchdog_start(struct dp_ctx *ctx)
{
#ifdef TP_HAVE_SYSTEMD
	uint64_t usec = 0;
	int rc;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	ctx->watchdog_usec = usec;
	/* A control thread: on the CPUs the EAL was given minus the
	 * workers' lcores, so it never takes a polling worker's time. */
	rc = rte_ctrl_thread_create(&ctx->watchdog_thread, "tp-watchdog", NULL,
				    watchdog_main, ctx);
	if (rc != 0) {
		tp_log(TP_LOG_ERR, "cannot start the watchdog thread: %s\n",
			strerror(rc < 0 ? -rc : rc));
		return rc < 0 ? rc : -rc;
	}
	ctx->watchdog_running = true;
	tp_log(TP_LOG_INFO, "systemd watchdog: WATCHDOG=1 every %llu ms while every "
	       "worker makes progress\n", (unsigned long long)(usec / 2000));
#else
	(void)ctx;
#endif
	return 0;
}

void
dp_watchdog_stop(struct dp_ctx *ctx)
{
	if (!ctx->watchdog_running)
		return;
	pthread_join(ctx->watchdog_thread, NULL);
	ctx->watchdog_running = false;
}

/* The stall hook's settings, read once at start. */
void
dp_watchdog_test_hook(struct dp_ctx *ctx)
{
	const char *v;
	unsigned int id;
	unsigned long ms;

	unsigned long at;

	ctx->test_stall_worker = -1;
	ctx->test_poll_worker = -1;
	/* The worker sleeps ms inside one receive poll, at_ms after start:
	 * what a preemption does to it (dp_worker_main()'s stall accounting). */
	v = getenv("TP_DP_TEST_POLL_STALL");
	if (v != NULL && sscanf(v, "%u:%lu:%lu", &id, &at, &ms) == 3) {
		ctx->test_poll_worker = (int)id;
		ctx->test_poll_at_ms = at;
		ctx->test_poll_ms = ms;
		tp_log(TP_LOG_INFO, "test hook: worker %u sleeps %lu ms in a receive "
		       "poll %lu ms after it starts\n", id, ms, at);
	}
	v = getenv("TP_DP_TEST_STALL_WORKER");
	if (v == NULL || sscanf(v, "%u:%lu", &id, &ms) != 2)
		return;
	ctx->test_stall_worker = (int)id;
	ctx->test_stall_ms = ms;
	tp_log(TP_LOG_INFO, "test hook: worker %u stalls %lu ms after it starts\n",
	       id, ms);
}

/* The poll-stall hook, from inside a receive poll when armed (once). */
void
dp_test_poll_stall(struct dp_worker *w)
{
	uint64_t end = ipc_monotonic_ms() + w->ctx->test_poll_ms;

	w->test_poll_armed = false;
	w->ctx->test_poll_worker = -1;
	tp_log(TP_LOG_INFO, "test hook: worker %u sleeps in a receive poll\n", w->id);
	while (ipc_monotonic_ms() < end) {     /* signals cut a nanosleep short */
		struct timespec ts = { 0, 1000 * 1000L };

		nanosleep(&ts, NULL);
	}
}

/* Called from worker_tick(): the hook's stall, when it is due. */
void
dp_watchdog_test_stall(struct dp_worker *w)
{
	struct dp_ctx *ctx = w->ctx;

	if (unlikely(ctx->test_poll_worker == (int)w->id) &&
	    ipc_monotonic_ms() >= ctx->start_ms + ctx->test_poll_at_ms)
		w->test_poll_armed = true;
	if (likely(ctx->test_stall_worker != (int)w->id) ||
	    ipc_monotonic_ms() < ctx->start_ms + ctx->test_stall_ms)
		return;
	tp_log(TP_LOG_INFO, "test hook: worker %u stalls now\n", w->id);
	fflush(stdout);
	while (!ctx->stop) {
		struct timespec ts = { 0, 10 * 1000 * 1000L };

		nanosleep(&ts, NULL);
	}
}
