/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rate limit on 401/438 challenges per source. An unauthenticated request
 * costs a spoofer one datagram and us a response at least as large (a
 * reflector aimed at whoever the source claims to be), so challenges to one source are
 * bounded by a token bucket: rl_rate per second, rl_burst deep, buckets in
 * a fixed power-of-two table indexed by a keyed hash (SipHash, key from
 * RAND_bytes) of the source IP, so an attacker cannot aim collisions at a
 * victim's bucket. The port is left out (one host, one bucket), and an
 * IPv6 source counts by its /64, the unit one subscriber gets. Buckets
 * start full; a collision only shares a budget, it never blocks for good.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "auth_priv.h"

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < (1u << 24))
		p <<= 1;
	return p;
}

int
cp_auth_rl_init(struct cp_auth *a, uint32_t buckets, uint32_t rate,
		uint32_t burst)
{
	uint32_t n = pow2_at_least(buckets);

	a->buckets = calloc(n, sizeof(*a->buckets));
	if (a->buckets == NULL)
		return -ENOMEM;
	a->rl_mask = n - 1;
	a->rl_rate = rate;
	a->rl_burst = burst;
	/* Buckets are left as calloc() gave them (last_ms 0: never used,
	 * hence full; see cp_auth_challenge_allowed()): filling 2M of them
	 * here was most of a 1M-allocation cp's start-up. */
	return 0;
}

void
cp_auth_rl_free(struct cp_auth *a)
{
	free(a->buckets);
	a->buckets = NULL;
}

bool
cp_auth_challenge_allowed(struct cp_auth *a, const struct cp_auth_peer *from,
			  uint64_t now_ms)
{
	uint8_t key[1 + 16];
	size_t n;
	struct cp_auth_bucket *b;
	uint64_t cap = (uint64_t)a->rl_burst * 1000u, tokens;

	key[0] = from->addr.family;
	n = from->addr.family == STUN_AF_IPV4 ? 4 : 8;   /* IPv6: the /64 */
	memcpy(key + 1, from->addr.ip, n);
	b = &a->buckets[cp_auth_hash(a, key, 1 + n) & a->rl_mask];

	/* rl_rate tokens per second = rl_rate milli-tokens per ms. A clock
	 * that went backwards refills nothing. */
	tokens = b->milli_tokens;
	if (b->last_ms == 0) {
		tokens = cap;                /* never used: full */
	} else if (now_ms > b->last_ms) {
		uint64_t elapsed = now_ms - b->last_ms;

		if (elapsed >= cap) /* saturates whatever the rate */
			tokens = cap;
		else
			tokens += elapsed * a->rl_rate;
		if (tokens > cap)
			tokens = cap;
	}
	b->last_ms = now_ms > b->last_ms ? now_ms : b->last_ms;
	if (b->last_ms == 0)
		b->last_ms = 1;              /* used now: no longer "never" */
	if (tokens < 1000u) {
		b->milli_tokens = (uint32_t)tokens;
		return false;
	}
	b->milli_tokens = (uint32_t)(tokens - 1000u);
	return true;
}
