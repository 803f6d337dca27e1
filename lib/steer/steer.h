/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relayed-port steering rule, in one place: the relay port range
 * [min, max] is cut into nworkers consecutive shares of
 * ceil(span / nworkers) ports, worker 0 first; the last shares may be
 * shorter or empty (span < nworkers). cp picks an allocation's relayed
 * port from the share of the worker that owns the allocation (cp/alloc),
 * dp gives each relayed port's listener to the worker whose share holds it
 * (dp/turn) and asks the NIC to steer it there (dp/port), the load
 * generator puts peer traffic on that worker's queue (perf/tpgen). They
 * agree by construction because they all call these two functions.
 *
 * Header-only, no DPDK: cp, dp, tpgen and the tests include it alike.
 */
#ifndef STEER_H
#define STEER_H

#include <stdbool.h>
#include <stdint.h>

#define STEER_NONE UINT32_MAX

/* Ports per share: ceil(span / nworkers); 0 when nothing can be shared
 * (nworkers 0, or min > max). */
static inline uint32_t
steer_relay_chunk(uint16_t min, uint16_t max, uint32_t nworkers)
{
	uint32_t span;

	if (nworkers == 0 || min > max)
		return 0;
	span = (uint32_t)max - min + 1;
	return (span + nworkers - 1) / nworkers;
}

/*
 * The worker whose share of [min, max] holds port: a number below
 * nworkers, or STEER_NONE when port is outside the range, the range is
 * empty (min > max) or nworkers is 0.
 */
static inline uint32_t
steer_relay_owner(uint16_t min, uint16_t max, uint32_t nworkers, uint16_t port)
{
	uint32_t chunk = steer_relay_chunk(min, max, nworkers);

	if (chunk == 0 || port < min || port > max)
		return STEER_NONE;
	return ((uint32_t)port - min) / chunk;
}

/*
 * Worker w's share of [min, max]: true with [*lo, *hi] (inclusive, lo <=
 * hi) when it holds at least one port; false when it is empty (w beyond
 * the ports, w >= nworkers, nworkers 0, min > max), with *lo = 1, *hi = 0
 * so that a caller who looks anyway sees an empty range.
 */
static inline bool
steer_relay_share(uint16_t min, uint16_t max, uint32_t nworkers, uint32_t w,
		  uint16_t *lo, uint16_t *hi)
{
	uint32_t chunk = steer_relay_chunk(min, max, nworkers);
	uint64_t l, h;

	*lo = 1;
	*hi = 0;
	if (chunk == 0 || w >= nworkers)
		return false;
	l = (uint64_t)min + (uint64_t)w * chunk;
	if (l > max)
		return false;
	h = l + chunk - 1;
	if (h > max)
		h = max;
	*lo = (uint16_t)l;
	*hi = (uint16_t)h;
	return true;
}

/* A block of ports: those p with (p & mask) == base. */
struct steer_block {
	uint16_t base;
	uint16_t mask;
};

/*
 * [lo, hi] as the fewest aligned power-of-two blocks (what a NIC's flow
 * rule can match with a value and a mask where it takes no range), in
 * port order: at most 2 * 16 - 2 = 30 blocks for any range. Fills up to
 * max blocks of out and returns how many the range needs (more than max:
 * out holds only the first max); 0 when lo > hi.
 */
static inline unsigned int
steer_port_blocks(uint16_t lo, uint16_t hi, struct steer_block *out, unsigned int max)
{
	uint32_t p = lo, end = (uint32_t)hi + 1;
	unsigned int n = 0;

	while (lo <= hi && p < end) {
		uint32_t size = p == 0 ? 65536u : p & -p;   /* largest alignment of p */

		while (p + size > end)
			size >>= 1;
		if (n < max) {
			out[n].base = (uint16_t)p;
			out[n].mask = (uint16_t)~(size - 1);
		}
		n++;
		p += size;
	}
	return n;
}

#endif /* STEER_H */
