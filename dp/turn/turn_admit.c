/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admission of requests for cp (turn_admit.h): lanes by ring fill, and a
 * token bucket per source prefix enforced under pressure. Pure C (no EAL):
 * the unit tests drive it with a fake clock.
 */
#include <string.h>

#include "turn_admit.h"

void
turn_admit_init(struct turn_admit *ad, uint32_t rate, uint32_t burst,
		const uint8_t key[16])
{
	memset(ad, 0, sizeof(*ad));
	memcpy(&ad->k0, key, 8);
	memcpy(&ad->k1, key + 8, 8);
	ad->rate = rate;
	ad->burst = burst > 0 ? burst : 1;
}

/* A keyed mix of the source prefix (not a MAC; enough that nobody without
 * the key can pick addresses that share a victim's bucket). */
static inline uint32_t
prefix_bucket(const struct turn_admit *ad, uint8_t family, const uint8_t *src)
{
	uint64_t a = 0, h;

	if (family == 4)
		memcpy(&a, src, 4);
	else
		memcpy(&a, src, 8);              /* the /64 */
	h = (a ^ ad->k0) * 0x9E3779B97F4A7C15ull;
	h ^= h >> 29;
	h = (h ^ ad->k1 ^ family) * 0xBF58476D1CE4E5B9ull;
	h ^= h >> 32;
	return (uint32_t)h & (TURN_ADMIT_BUCKETS - 1);
}

bool
turn_admit(struct turn_admit *ad, uint8_t family, const uint8_t *src,
	   bool existing, uint32_t fill, uint64_t now_ms)
{
	struct turn_admit_bucket *b;
	uint32_t now = (uint32_t)now_ms | 1u;   /* 0 means "never charged" */
	uint64_t cap = (uint64_t)ad->burst * 1000u, tokens;

	if (existing) {
		ad->ctr[TURN_ADMIT_EXISTING]++;
		return true;
	}
	if (fill >= TURN_ADMIT_NEW_MAX) {
		ad->ctr[TURN_ADMIT_DROP_LANE]++;
		return false;
	}
	b = &ad->b[prefix_bucket(ad, family, src)];
	if (b->last_ms == 0) {
		tokens = cap;
	} else {
		/* 32-bit ms: the difference is right across a wrap (49 days);
		 * a bucket idle for longer than that is full anyway. */
		uint64_t elapsed = (uint32_t)(now - b->last_ms);

		tokens = b->milli + elapsed * ad->rate;
		if (tokens > cap)
			tokens = cap;
	}
	b->last_ms = now;
	if (tokens >= 1000u) {
		b->milli = (uint32_t)(tokens - 1000u);
		ad->ctr[TURN_ADMIT_NEW]++;
		return true;
	}
	b->milli = (uint32_t)tokens;
	/* Over its budget: served while cp keeps up, dropped when not. */
	if (fill < TURN_ADMIT_PRESSURE) {
		ad->ctr[TURN_ADMIT_NEW_OVER_BUDGET]++;
		return true;
	}
	ad->ctr[TURN_ADMIT_DROP_BUDGET]++;
	return false;
}

const char *
turn_admit_stat_name(enum turn_admit_stat s)
{
	static const char *const names[TURN_ADMIT__COUNT] = {
#define X(e, n) [TURN_ADMIT_##e] = n,
		TURN_ADMIT_STATS(X)
#undef X
	};

	return s < TURN_ADMIT__COUNT ? names[s] : "?";
}
