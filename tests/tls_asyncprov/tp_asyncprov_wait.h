/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp_asyncprov_wait: the delay of the test provider and its counters,
 * shared by the provider's two files (tp_asyncprov.c wraps the algorithms,
 * tp_asyncprov_wait.c owns the timer thread). Not for applications.
 */
#ifndef TP_ASYNCPROV_WAIT_H
#define TP_ASYNCPROV_WAIT_H

#include <stdatomic.h>
#include <stdint.h>

struct tpa_counters {
	atomic_uint_fast64_t signs;
	atomic_uint_fast64_t derives;
	atomic_uint_fast64_t records;
	atomic_uint_fast64_t pauses;
	atomic_uint_fast64_t async_ops;
	atomic_uint_fast64_t sync_ops;
	atomic_uint_fast64_t callbacks;
	atomic_uint_fast64_t fd_wakes;
	atomic_uint_fast64_t abandoned;
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
 * Runs work(arg) after the configured delay and returns its result. Inside
 * an ASYNC job: registers a timer entry and pauses the job; when the delay
 * is over the timer thread runs work (the job's thread does not: as with
 * an accelerator, the application's thread only parks and resumes) and
 * wakes the application through the wait ctx's callback, or when none is
 * set, through a wait fd registered in the wait ctx. Outside a job: sleeps,
 * then runs work on the caller's thread.
 */
int tpa_run(int (*work)(void *), void *arg);

#endif /* TP_ASYNCPROV_WAIT_H */
