/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A token bucket (H.248.53 tman's sustainable data rate and maximum burst
 * size) for what a stream may take: rate bytes a second, at most burst
 * bytes at once. Pure arithmetic on the caller's millisecond clock, in
 * thousandths of a byte, so that any rate accrues exactly at any tick
 * (rate * ms thousandths a tick; nothing rounds away at low rates).
 *
 * A stream read in whole segments may take more than the bucket holds
 * (police_take() with n over police_allow()): the bucket goes into debt
 * and gives nothing until it is paid, so over any time the bytes taken
 * are at most burst + rate * t, plus one read's overshoot.
 */
#ifndef DP_NET_POLICE_H
#define DP_NET_POLICE_H

#include <stdbool.h>
#include <stdint.h>

struct police {
	uint32_t rate;            /* bytes a second; 0: no policing */
	uint32_t burst;           /* bytes */
	int64_t tokens;           /* thousandths of a byte; < 0: debt */
	uint64_t last_ms;         /* the clock of the last refill */
};

/* A bucket of rate and burst (rate 0: none), full at now_ms. A bucket
 * that polices already keeps what it holds (within the new burst): a
 * change of rate neither grants a new burst nor forgives a debt. */
static inline void
police_set(struct police *p, uint32_t rate, uint32_t burst, uint64_t now_ms)
{
	bool was = p->rate != 0;

	p->rate = rate;
	p->burst = burst;
	if (!was || rate == 0)
		p->tokens = (int64_t)burst * 1000;
	else if (p->tokens > (int64_t)burst * 1000)
		p->tokens = (int64_t)burst * 1000;
	p->last_ms = now_ms;
}

/* Tokens accrued since the last refill (a clock that went back adds
 * nothing). */
static inline void
police_refill(struct police *p, uint64_t now_ms)
{
	int64_t cap = (int64_t)p->burst * 1000;
	uint64_t dt, gap;

	if (p->rate == 0 || now_ms <= p->last_ms)
		return;
	dt = now_ms - p->last_ms;
	p->last_ms = now_ms;
	if (p->tokens >= cap)
		return;
	/* (the time that fills it, or more: full, with no product that
	 * could overflow) */
	gap = (uint64_t)(cap - p->tokens);
	if (dt >= gap / p->rate + 1u) {
		p->tokens = cap;
		return;
	}
	p->tokens += (int64_t)(dt * p->rate);
	if (p->tokens > cap)
		p->tokens = cap;
}

/* Whole bytes the stream may take now (after police_refill()); 0: none
 * (empty or in debt). */
static inline uint32_t
police_allow(const struct police *p)
{
	int64_t b = p->tokens / 1000;

	return b <= 0 ? 0u : b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
}

/* The stream took n bytes. */
static inline void
police_take(struct police *p, uint32_t n)
{
	p->tokens -= (int64_t)n * 1000;
}

/* Milliseconds from the last refill until the bucket holds want bytes
 * (at least 1; want is capped at the burst). */
static inline uint64_t
police_wait_ms(const struct police *p, uint32_t want)
{
	int64_t need;

	if (want > p->burst)
		want = p->burst;
	need = (int64_t)want * 1000 - p->tokens;
	if (need <= 0)
		return 1;
	return ((uint64_t)need + p->rate - 1u) / p->rate;
}

#endif /* DP_NET_POLICE_H */
