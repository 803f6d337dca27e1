/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admission of requests for cp (turn_admit.h): which lane a request takes
 * (answered here, existing allocation, return-routable, other), the
 * lanes' shares of the ring, and token buckets per source prefix. Pure C
 * (no EAL): the unit tests drive it with a fake clock.
 */
#include <errno.h>
#include <string.h>

#include "nonce.h"
#include "stun.h"
#include "turn_admit.h"

static void
budget_init(struct turn_budget *bd, uint32_t rate, uint32_t burst)
{
	memset(bd->b, 0, sizeof(bd->b));
	bd->rate = rate;
	bd->burst = burst > 0 ? burst : 1;
}

void
turn_admit_init(struct turn_admit *ad, const struct turn_admit_conf *c,
		const uint8_t key[16])
{
	memset(ad->ctr, 0, sizeof(ad->ctr));
	memcpy(&ad->k0, key, 8);
	memcpy(&ad->k1, key + 8, 8);
	budget_init(&ad->routable, c->admit_rate, c->admit_burst);
	budget_init(&ad->other, c->admit_rate, c->admit_burst);
	budget_init(&ad->challenge, c->challenge_rate, c->challenge_burst);
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

/* Take a token from src's bucket: true when there was one. */
static bool
budget_take(struct turn_budget *bd, uint32_t bucket, uint64_t now_ms)
{
	struct turn_admit_bucket *b = &bd->b[bucket];
	uint32_t now = (uint32_t)now_ms | 1u;   /* 0 means "never charged" */
	uint64_t cap = (uint64_t)bd->burst * 1000u, tokens;

	if (b->last_ms == 0) {
		tokens = cap;
	} else {
		/* 32-bit ms: the difference is right across a wrap (49 days);
		 * a bucket idle for longer than that is full anyway. */
		uint64_t elapsed = (uint32_t)(now - b->last_ms);

		tokens = b->milli + elapsed * bd->rate;
		if (tokens > cap)
			tokens = cap;
	}
	b->last_ms = now;
	if (tokens >= 1000u) {
		b->milli = (uint32_t)(tokens - 1000u);
		return true;
	}
	b->milli = (uint32_t)tokens;
	return false;
}

enum turn_lane
turn_admit_lane(struct turn_admit *ad, struct nonce_ctx *nc,
		const struct stun_msg *msg, bool existing,
		const struct stun_addr *from, uint8_t transport, uint64_t now_s)
{
	const struct stun_attr *na;
	uint32_t expiry;

	/* RFC 8489 §9.2.4, the first check: no integrity, 401 with a nonce.
	 * Unknown comprehension-required attributes are looked at only once
	 * authentication is done (§6.3): cp answers those 420 to the
	 * authenticated retry. */
	if (nc != NULL &&
	    stun_msg_find(msg, STUN_ATTR_MESSAGE_INTEGRITY) == NULL &&
	    stun_msg_find(msg, STUN_ATTR_MESSAGE_INTEGRITY_SHA256) == NULL)
		return TURN_LANE_CHALLENGE;
	if (existing)
		return TURN_LANE_EXISTING;
	if (nc == NULL)
		return TURN_LANE_OTHER;
	na = stun_msg_find(msg, STUN_ATTR_NONCE);
	if (na == NULL)
		return TURN_LANE_OTHER;
	switch (nonce_check(nc, na->value, na->len, from, transport, now_s, NULL,
			    &expiry)) {
	case NONCE_VALID:
		return TURN_LANE_ROUTABLE;
	case NONCE_EXPIRED:
		/* It still proves the client received it at this address;
		 * not long ago, though, or a nonce seen once would open the
		 * lane for as long as cp lives. cp answers it 438. */
		if ((uint64_t)expiry + nc->lifetime_s >= now_s) {
			ad->ctr[TURN_ADMIT_ROUTABLE_STALE]++;
			return TURN_LANE_ROUTABLE;
		}
		return TURN_LANE_OTHER;
	default:
		return TURN_LANE_OTHER;
	}
}

bool
turn_admit(struct turn_admit *ad, enum turn_lane lane, uint8_t family,
	   const uint8_t *src, uint32_t fill, uint64_t now_ms)
{
	switch (lane) {
	case TURN_LANE_EXISTING:
		ad->ctr[TURN_ADMIT_EXISTING]++;
		return true;
	case TURN_LANE_ROUTABLE:
		if (fill >= TURN_ADMIT_ROUTABLE_MAX) {
			ad->ctr[TURN_ADMIT_DROP_ROUTABLE_LANE]++;
			return false;
		}
		if (budget_take(&ad->routable, prefix_bucket(ad, family, src),
				now_ms)) {
			ad->ctr[TURN_ADMIT_ROUTABLE]++;
			return true;
		}
		/* Over its budget: served while cp keeps up, dropped when
		 * not. */
		if (fill < TURN_ADMIT_PRESSURE) {
			ad->ctr[TURN_ADMIT_ROUTABLE_OVER_BUDGET]++;
			return true;
		}
		ad->ctr[TURN_ADMIT_DROP_ROUTABLE_BUDGET]++;
		return false;
	default:
		if (fill >= TURN_ADMIT_OTHER_MAX) {
			ad->ctr[TURN_ADMIT_DROP_OTHER_LANE]++;
			return false;
		}
		if (!budget_take(&ad->other, prefix_bucket(ad, family, src), now_ms)) {
			ad->ctr[TURN_ADMIT_DROP_OTHER_BUDGET]++;
			return false;
		}
		ad->ctr[TURN_ADMIT_OTHER]++;
		return true;
	}
}

bool
turn_admit_challenge(struct turn_admit *ad, uint8_t family, const uint8_t *src,
		     uint64_t now_ms)
{
	if (!budget_take(&ad->challenge, prefix_bucket(ad, family, src), now_ms)) {
		ad->ctr[TURN_ADMIT_CHALLENGES_DROPPED]++;
		return false;
	}
	ad->ctr[TURN_ADMIT_CHALLENGES]++;
	return true;
}

int
turn_admit_nonce_load(struct nonce_ctx *nc, const struct ipc_nonce *n)
{
	_Static_assert(IPC_NONCE_KEY_LEN == NONCE_KEY_LEN, "nonce key length");

	int rc;

	if (n->realm_len >= IPC_NONCE_STR_MAX || n->software_len >= IPC_NONCE_STR_MAX)
		return -EINVAL;
	rc = nonce_ctx_set(nc, n->key, n->features, n->lifetime_s, n->realm,
			   n->realm_len, n->has_software ? n->software : NULL,
			   n->software_len);
	/* RFC 7635: the default tenant's 401s name the server (the
	 * tenants' never: third-party authorization is the default's) */
	if (rc == 0)
		rc = nonce_ctx_set_server_name(nc, n->oauth_name, n->oauth_name_len);
	return rc;
}

int
turn_admit_nonce_load_tenant(struct nonce_ctx *nc, const struct ipc_nonce *n,
			     unsigned int tenant)
{
	uint8_t key[NONCE_KEY_LEN];
	int rc;

	nc->keyed = false;           /* as nonce_ctx_set() on a refusal */
	if (tenant == 0 || tenant > n->ntenants || tenant > IPC_TENANTS_MAX ||
	    n->tenant[tenant - 1].len == 0 || n->tenant[tenant - 1].len >= IPC_NONCE_STR_MAX ||
	    n->software_len >= IPC_NONCE_STR_MAX)
		return -EINVAL;
	rc = nonce_tenant_key(n->key, tenant, key);
	if (rc == 0)
		rc = nonce_ctx_set(nc, key, n->features, n->lifetime_s, n->tenant[tenant - 1].realm,
				   n->tenant[tenant - 1].len, n->has_software ? n->software : NULL,
				   n->software_len);
	memset(key, 0, sizeof(key));
	return rc;
}

const char *
turn_admit_stat_name(enum turn_admit_stat s)
{
	static const char *const names[TURN_ADMIT__COUNT] = {
#define TURN_ADMIT_STAT(e, n) [TURN_ADMIT_##e] = n,
#include "turn_admit_stats.def"
#undef TURN_ADMIT_STAT
	};

	return s < TURN_ADMIT__COUNT ? names[s] : "?";
}
