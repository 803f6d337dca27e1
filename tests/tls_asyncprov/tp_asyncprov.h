/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp_asyncprov: the asynchronous test provider "tpasync" (tests only).
 *
 * Shared between the provider's two files: the algorithm wrapping
 * (tp_asyncprov.c) and the delay with its timer thread
 * (tp_asyncprov_wait.c). The parameter names are what a test reads with
 * OSSL_PROVIDER_get_params(); they are repeated in README.md.
 */
#ifndef TP_ASYNCPROV_H
#define TP_ASYNCPROV_H

#include <stdint.h>
#include <stdatomic.h>

/* Provider parameters (all OSSL_PARAM unsigned integers, read-only). */
#define TPA_PARAM_OPS        "tpasync-ops"        /* signatures + derivations done */
#define TPA_PARAM_SIGNS      "tpasync-signs"      /* of which signatures */
#define TPA_PARAM_DERIVES    "tpasync-derives"    /* of which key exchanges */
#define TPA_PARAM_PAUSES     "tpasync-pauses"     /* ASYNC_pause_job() calls */
#define TPA_PARAM_ASYNC_OPS  "tpasync-async-ops"  /* operations that ran in a job */
#define TPA_PARAM_SYNC_OPS   "tpasync-sync-ops"   /* operations that slept instead */
#define TPA_PARAM_CALLBACKS  "tpasync-callbacks"  /* wake-ups through the wait ctx callback */
#define TPA_PARAM_FD_WAKES   "tpasync-fd-wakes"   /* wake-ups through the wait fd */
#define TPA_PARAM_DELAY_US   "tpasync-delay-us"   /* the configured delay */

/* Environment: the delay in microseconds, read once at provider init. */
#define TPA_ENV_DELAY        "TP_ASYNCPROV_DELAY_US"
#define TPA_DELAY_DEFAULT_US 200
/* Environment: when set (any value), the counters are printed to stderr
 * as one line "tpasync: ops=... " when the provider is unloaded. */
#define TPA_ENV_STATS        "TP_ASYNCPROV_STATS"

struct tpa_counters {
	atomic_uint_fast64_t signs;
	atomic_uint_fast64_t derives;
	atomic_uint_fast64_t pauses;
	atomic_uint_fast64_t async_ops;
	atomic_uint_fast64_t sync_ops;
	atomic_uint_fast64_t callbacks;
	atomic_uint_fast64_t fd_wakes;
};

extern struct tpa_counters tpa_cnt;

/* Starts the timer thread; 0 or -errno. */
int tpa_wait_start(uint64_t delay_us);
/* Stops and joins it; entries still pending are dropped (their jobs are
 * never resumed: unloading the provider under a paused job is a bug of
 * the caller). */
void tpa_wait_stop(void);
uint64_t tpa_wait_delay_us(void);
/*
 * Waits the configured delay. Inside an ASYNC job: registers a timer entry
 * and pauses the job until the timer thread has marked the delay as over,
 * waking the application through the wait ctx's callback, or when none is
 * set, through a wait fd registered in the wait ctx. Outside a job: sleeps.
 */
void tpa_wait(void);

#endif /* TP_ASYNCPROV_H */
