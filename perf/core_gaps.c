/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core_gaps: what a busy-polling thread loses on this core with nothing
 * of its own to do. A tight loop reads the TSC; a gap between two reads
 * longer than a loop turn is time the thread was off its CPU (an
 * interrupt, the kernel's tick, the hypervisor). perf/run runs it on dp's
 * core beside the latency phase: whatever dp does, a packet that arrives
 * in such a gap waits for its end, so the gaps are the floor of dp's
 * latency tail on this machine.
 *
 *   core_gaps SECONDS     (pinned by the caller: taskset -c CORE)
 *
 * Prints one JSON line: the TSC rate, the seconds, and per bucket of gap
 * length over 2 us (upper bounds in us, the last "+Inf") the gaps a second and their
 * mean length; the share of the time lost to gaps over 20 us; the
 * longest gap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <x86intrin.h>

static const double bound_us[] = { 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
#define NB (sizeof(bound_us) / sizeof(bound_us[0]))

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0, t0, t1, hz;
	uint64_t c0, lim[NB], n[NB + 1] = { 0 }, sum[NB + 1] = { 0 }, longest = 0;
	uint64_t prev, end, over20 = 0;

	if (!(secs > 0 && secs <= 600)) {
		fprintf(stderr, "core_gaps: SECONDS must be in (0, 600]\n");
		return 2;
	}
	/* the TSC's rate against the monotonic clock over 200 ms */
	t0 = mono_s();
	c0 = __rdtsc();
	do
		t1 = mono_s();
	while (t1 - t0 < 0.2);
	hz = (double)(__rdtsc() - c0) / (t1 - t0);
	for (unsigned int i = 0; i < NB; i++)
		lim[i] = (uint64_t)(bound_us[i] * hz / 1e6);
	prev = __rdtsc();
	end = prev + (uint64_t)(secs * hz);
	while (prev < end) {
		uint64_t now = __rdtsc(), g = now - prev;
		unsigned int i = 0;

		prev = now;
		if (__builtin_expect(g <= lim[0], 1))
			continue;
		while (i < NB && g > lim[i])
			i++;
		n[i]++;
		sum[i] += g;
		if (g > lim[3])
			over20 += g;
		if (g > longest)
			longest = g;
	}
	printf("{\"tsc_hz\":%.0f,\"secs\":%.3f,\"buckets\":[", hz, secs);
	for (unsigned int i = 1; i <= NB; i++) {
		char le[16];

		if (i < NB)
			snprintf(le, sizeof(le), "%.0f", bound_us[i]);
		else
			snprintf(le, sizeof(le), "\"+Inf\"");
		printf("%s{\"le_us\":%s,\"per_s\":%.1f,\"mean_us\":%.1f}", i > 1 ? "," : "", le,
		       (double)n[i] / secs, n[i] ? (double)sum[i] / (double)n[i] * 1e6 / hz : 0.0);
	}
	printf("],\"over_20us_per_s\":%.1f,\"over_20us_share\":%.5f,\"longest_us\":%.1f}\n",
	       (double)(n[4] + n[5] + n[6] + n[7] + n[8] + n[9]) / secs,
	       (double)over20 / hz / secs, (double)longest * 1e6 / hz);
	return 0;
}
