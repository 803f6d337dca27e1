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

/* ---- workers (dp_worker.c) ---------------------------------------------- */

/* Make every configured worker (its pool, rings, neighbour cache) and
 * each module's part of it (dp_module.h). 0 or -errno, said. */
int dp_workers_create(struct dp_ctx *ctx);
void dp_workers_free(struct dp_ctx *ctx);
/* lcore entry point (rte_eal_remote_launch). */
int dp_worker_main(void *arg);

/* ---- statistics (dp_stats.c) -------------------------------------------- */

void dp_stats_print(const struct dp_ctx *ctx, FILE *out);
/* Register every module's counters with dp_ctrs.h in the order cp shows
 * them; once, before the workers start. 0, or -errno with one line in
 * err naming the counter that does not fit cp's segment. */
int dp_stats_register(char *err, size_t errlen);
/* w's connections open now and its values of every registered counter
 * (at most max), for cp's segment: copied on the worker's tick. */
uint64_t dp_stats_values(const struct dp_worker *w, uint64_t *out, unsigned int max);

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
/* Logs a warning when a certificate (what) expires within
 * TLS_EXPIRY_WARN_DAYS, an error when it has expired, each with what to
 * do (then); nothing otherwise (or not_after 0). What and then for TURN
 * over TLS's first certificate to expire, and the AGW legs': */
void dp_tls_expiry_warn(const char *what, int64_t not_after, const char *then);
#define DP_TLS_TURN_FIRST "TURN over TLS's first certificate to expire " \
	"(tls.certificate, an SNI one or a CA sent with one)"
#define DP_TLS_TURN_RENEW "renew it and reload (`systemctl reload turnpike-dp`)"
#define DP_TLS_LEGS_FIRST "the AGW legs' first certificate to expire " \
	"(tls.certificate or an agw.certificates one, as dp read them at start)"
#define DP_TLS_LEGS_RENEW "renew it and restart dp: the legs take theirs at start only"
/* TP_DP_TEST_STALL_WORKER, read once at start; the stall, from a tick. */
void dp_watchdog_test_hook(struct dp_ctx *ctx);
void dp_watchdog_test_stall(struct dp_worker *w);
void dp_test_poll_stall(struct dp_worker *w);

#endif /* DP_ROOT_H */
