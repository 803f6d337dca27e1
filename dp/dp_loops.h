/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's busy loop passes by how long each took (dp_worker.c counts
 * them, dp_stats.c prints the long ones, cp's metrics show all as a
 * histogram): the buckets' limits in TSC cycles, the bucket of a pass and
 * the passes over a bound. The buckets are lib/ipc's (IPC_DP_LOOP_US),
 * counted per bucket, not cumulative. Pure functions of their arguments
 * (tests/unit/test_dp_loops.c).
 */
#ifndef DP_LOOPS_H
#define DP_LOOPS_H

#include <stdint.h>

#include "ipc_types.h"

#define DP_LOOP_BOUNDS  IPC_DP_LOOP_BOUNDS
#define DP_LOOP_BUCKETS IPC_DP_LOOP_BUCKETS
/* SIGUSR1's long_loops_*: the passes over each bound from this one
 * (100 us) on, 100 us .. 20 ms */
#define DP_LONG_LOOP_FIRST 4u

/* Each bound in cycles of a TSC at tsc_hz. */
static inline void
dp_loop_limits(uint64_t tsc_hz, uint64_t limit[DP_LOOP_BOUNDS])
{
	static const uint32_t us[DP_LOOP_BOUNDS] = IPC_DP_LOOP_US;

	for (unsigned int i = 0; i < DP_LOOP_BOUNDS; i++)
		limit[i] = tsc_hz * us[i] / 1000000u;
}

/* The bucket of a pass of `cycles`: the first whose bound it does not
 * exceed (a pass of exactly a bound is in that bound's bucket, as
 * Prometheus' le says), DP_LOOP_BOUNDS (+Inf) past the last. */
static inline unsigned int
dp_loop_bucket(const uint64_t limit[DP_LOOP_BOUNDS], uint64_t cycles)
{
	unsigned int i = 0;

	while (i < DP_LOOP_BOUNDS && cycles > limit[i])
		i++;
	return i;
}

/* The loops over bound b (b < DP_LOOP_BOUNDS): those of every bucket
 * after b's. */
static inline uint64_t
dp_loops_over(const uint64_t loops[DP_LOOP_BUCKETS], unsigned int b)
{
	uint64_t n = 0;

	for (unsigned int i = b + 1; i < DP_LOOP_BUCKETS; i++)
		n += loops[i];
	return n;
}

#endif
