/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's busy loop turns by how long each took (dp_worker.c counts
 * them, dp_stats.c prints the long ones, cp's metrics show all as a
 * histogram): the buckets' limits in TSC cycles, the bucket of a turn and
 * the turns over a bound. The buckets are lib/ipc's (IPC_DP_TURN_US),
 * counted per bucket, not cumulative. Pure functions of their arguments
 * (tests/unit/test_dp_loop_turns.c).
 */
#ifndef DP_LOOP_TURNS_H
#define DP_LOOP_TURNS_H

#include <stdint.h>

#include "ipc_types.h"

#define DP_TURN_BOUNDS  IPC_DP_TURN_BOUNDS
#define DP_TURN_BUCKETS IPC_DP_TURN_BUCKETS
/* SIGUSR1's long_loops_*: the turns over each bound from this one
 * (100 us) on, 100 us .. 20 ms */
#define DP_LONG_LOOP_FIRST 4u

/* Each bound in cycles of a TSC at tsc_hz. */
static inline void
dp_turn_limits(uint64_t tsc_hz, uint64_t limit[DP_TURN_BOUNDS])
{
	static const uint32_t us[DP_TURN_BOUNDS] = IPC_DP_TURN_US;

	for (unsigned int i = 0; i < DP_TURN_BOUNDS; i++)
		limit[i] = tsc_hz * us[i] / 1000000u;
}

/* The bucket of a turn of `cycles`: the first whose bound it does not
 * exceed (a turn of exactly a bound is in that bound's bucket, as
 * Prometheus' le says), DP_TURN_BOUNDS (+Inf) past the last. */
static inline unsigned int
dp_turn_bucket(const uint64_t limit[DP_TURN_BOUNDS], uint64_t cycles)
{
	unsigned int i = 0;

	while (i < DP_TURN_BOUNDS && cycles > limit[i])
		i++;
	return i;
}

/* The turns over bound b (b < DP_TURN_BOUNDS): those of every bucket
 * after b's. */
static inline uint64_t
dp_turns_over(const uint64_t turns[DP_TURN_BUCKETS], unsigned int b)
{
	uint64_t n = 0;

	for (unsigned int i = b + 1; i < DP_TURN_BUCKETS; i++)
		n += turns[i];
	return n;
}

#endif
