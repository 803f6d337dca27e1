/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp_asyncprov: the asynchronous test provider "tpasync" (tests only).
 *
 * What an application (a test) needs to know: the names of the provider's
 * parameters, read with OSSL_PROVIDER_get_params() as OSSL_PARAM_uint64,
 * and of its environment variables. README.md says how to load and select
 * the provider.
 */
#ifndef TP_ASYNCPROV_H
#define TP_ASYNCPROV_H

/* Provider parameters (all OSSL_PARAM unsigned integers, read-only). */
#define TPA_PARAM_OPS        "tpasync-ops"        /* signatures + derivations done */
#define TPA_PARAM_SIGNS      "tpasync-signs"      /* of which signatures */
#define TPA_PARAM_DERIVES    "tpasync-derives"    /* of which key exchanges */
#define TPA_PARAM_RECORDS    "tpasync-records"    /* records encrypted or decrypted
						    * (TP_ASYNCPROV_RECORDS; not in ops) */
#define TPA_PARAM_PAUSES     "tpasync-pauses"     /* ASYNC_pause_job() calls */
#define TPA_PARAM_ASYNC_OPS  "tpasync-async-ops"  /* operations that ran in a job */
#define TPA_PARAM_SYNC_OPS   "tpasync-sync-ops"   /* operations that slept instead */
#define TPA_PARAM_CALLBACKS  "tpasync-callbacks"  /* wake-ups through the wait ctx callback */
#define TPA_PARAM_FD_WAKES   "tpasync-fd-wakes"   /* wake-ups through the wait fd */
#define TPA_PARAM_ABANDONED  "tpasync-abandoned"  /* wait ctx freed with an operation
						    * queued: the application freed a
						    * parked SSL (a bug, see README) */
#define TPA_PARAM_DELAY_US   "tpasync-delay-us"   /* the configured delay */

/* Environment: the delay in microseconds, read once at provider init
 * (0: no delay and no pause). */
#define TPA_ENV_DELAY        "TP_ASYNCPROV_DELAY_US"
#define TPA_DELAY_DEFAULT_US 200
/* Environment: when set (not empty), the provider offers AES-128-GCM,
 * AES-256-GCM and ChaCha20-Poly1305 too, read once at provider init: each
 * record's encryption or decryption then waits the delay, as a signature
 * does. */
#define TPA_ENV_RECORDS      "TP_ASYNCPROV_RECORDS"
/* Environment: when set (any value), the counters are printed to stderr
 * as one line "tpasync: ops=... " when the provider is unloaded. */
#define TPA_ENV_STATS        "TP_ASYNCPROV_STATS"

#endif /* TP_ASYNCPROV_H */
