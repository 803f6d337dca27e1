/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What only dp's root (main.c and the files beside it that put the
 * process together) shares between its files: the workers and their
 * loop, the statistics, systemd's watchdog, the reload thread and their
 * test hooks. No layer below includes it (tests/layers).
 */
#ifndef DP_ROOT_H
#define DP_ROOT_H

#include <stdint.h>
#include <stdio.h>

#include "dp_types.h"

/* ---- the modules (dp_modules.c) ------------------------------------------ */

/* Give ctx every module of turnpike-dp (dp_module.h), in order. */
int dp_modules_use_all(struct dp_ctx *ctx);

/* ---- workers (dp_worker.c) ---------------------------------------------- */

/* Make every configured worker (its pool, rings, neighbour cache) and
 * each module's part of it (dp_module.h). 0 or -errno, said. */
int dp_workers_create(struct dp_ctx *ctx);
void dp_workers_free(struct dp_ctx *ctx);
/* lcore entry point (rte_eal_remote_launch). */
int dp_worker_main(void *arg);

/* ---- statistics (dp_stats.c) -------------------------------------------- */

void dp_stats_print(const struct dp_ctx *ctx, FILE *out);

/* ---- systemd's watchdog (dp_watchdog.c) ---------------------------------- */

/* Under a WatchdogSec (WATCHDOG_USEC set): a thread that sends WATCHDOG=1
 * every half period while every worker's heartbeat moves. 0 or -errno. */
int dp_watchdog_start(struct dp_ctx *ctx);
void dp_watchdog_stop(struct dp_ctx *ctx);
/* SIGHUP: TURN over TLS takes the certificates of the file as it is now
 * (dp_reload.c). init: its semaphore, before the handler is installed;
 * start: the thread; signal: from the handler (or a worker); stop: joins. */
int dp_reload_init(void);
int dp_reload_start(struct dp_ctx *ctx);
/* cp's TLS_RELOAD, taken from dp_cp.c (dp_reload_cp.c) */
int dp_reload_cp_register(struct dp_ctx *ctx);
void dp_reload_signal(void);
void dp_reload_stop(struct dp_ctx *ctx);
/* TP_DP_TEST_STALL_WORKER, read once at start; the stall, from a tick. */
void dp_watchdog_test_hook(struct dp_ctx *ctx);
void dp_watchdog_test_stall(struct dp_worker *w);
void dp_test_poll_stall(struct dp_worker *w);

#endif /* DP_ROOT_H */
