/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admission of requests for cp, in the worker, before the ring.
 * Every request dp passes on costs cp a parse, a credential check and an
 * answer; unchecked, a flood of Allocates with wrong credentials fills the
 * ring and makes a well-behaved client's Allocates wait over a second, and
 * a flood from thousands of spoofed sources, each under any per-source
 * budget, keeps the lane for new Allocates full however budgets are set.
 *
 * What tells a spoofed source from a real one is return routability, as
 * a TCP SYN cookie does it: cp's nonces are stateless, bound to the
 * client's transport address under cp's key (lib/nonce), and dp holds a
 * copy of that key. A spoofer never receives the 401 sent to the address
 * it spoofs, so it cannot hold a valid nonce for it. So, per request
 * (turn_admit_lane()):
 *
 *  - No MESSAGE-INTEGRITY(-SHA256): dp answers with the 401 cp would
 *    send (lib/nonce builds both, byte for byte), a fresh nonce of cp's
 *    key for this client's address, within a per-source challenge budget
 *    (cp.challenge_rate, cp.challenge_burst: what a reflection toward a
 *    spoofed victim is bounded by). These never reach cp.
 *  - Requests on an existing allocation (the 5-tuple is known) go ahead:
 *    they may fill the ring to the last slot.
 *  - A nonce that is ours and this client's (valid, or stale by less than
 *    a lifetime: cp answers 438 and the client retries): return-routable.
 *    These may fill the ring to TURN_ADMIT_ROUTABLE_MAX, and are charged
 *    to their source's budget (turn.admit_rate, turn.admit_burst),
 *    enforced only under pressure, when cp has fallen behind (the ring is
 *    TURN_ADMIT_PRESSURE full): a carrier-grade NAT that opens hundreds
 *    of allocations a second from one address is served in full while cp
 *    keeps up. Only return-routable traffic draws on these buckets, so a
 *    spoofed flood cannot spend its victim's budget.
 *  - Anything else (no nonce, a nonce of another cp, of another client,
 *    forged): a small share of the ring (TURN_ADMIT_OTHER_MAX), a budget
 *    per source always (the same rate and burst, buckets of their own).
 *    cp answers these 400, 401 or 438: an honest client whose nonce went
 *    foreign (a cp restart) or stale gets its 438 through here.
 *
 * What is not admitted is dropped (and counted): the client retransmits.
 * Buckets are in fixed tables indexed by a keyed hash of the source
 * prefix (an IPv4 address, an IPv6 /64; the key random at start), so that
 * nobody can aim a flood from other addresses at one victim's bucket.
 * The lane is pure C (no EAL): the unit tests drive it with a fake clock.
 */
#ifndef DP_TURN_ADMIT_H
#define DP_TURN_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_types.h"
#include "nonce_types.h"
#include "stun_types.h"

#define TURN_ADMIT_BUCKETS       16384u          /* per table and worker */
/* Ring fills (IPC_RING_SLOTS = 1024). The other lane's share is small:
 * every request in it is one a return-routable request waits behind (cp
 * takes some 50-200k of those a second), and it stays below the pressure
 * mark, so that a flood in it never turns on the routable budgets. */
#define TURN_ADMIT_OTHER_MAX     (1024u / 16u)
#define TURN_ADMIT_PRESSURE      (1024u / 8u)    /* routable budgets apply */
#define TURN_ADMIT_ROUTABLE_MAX  (1024u * 3u / 4u)

/* Where a request goes (turn_admit_lane()). */
enum turn_lane {
	TURN_LANE_CHALLENGE = 0,      /* no integrity: dp answers 401 */
	TURN_LANE_EXISTING,           /* its 5-tuple has an allocation */
	TURN_LANE_ROUTABLE,           /* a nonce of ours, for this client */
	TURN_LANE_OTHER,              /* anything else */
};

struct turn_admit_bucket {
	uint32_t milli;               /* tokens x 1000 */
	uint32_t last_ms;             /* 0: never charged (full) */
};

struct turn_budget {
	uint32_t rate;                /* tokens per second and source */
	uint32_t burst;               /* bucket depth */
	struct turn_admit_bucket b[TURN_ADMIT_BUCKETS];
};

/* The admission's counters. */
enum turn_admit_stat {
#define TURN_ADMIT_STAT(e, n) TURN_ADMIT_##e,
#include "turn_admit_stats.def"
#undef TURN_ADMIT_STAT
	TURN_ADMIT__COUNT,
};

struct turn_admit_conf {
	uint32_t admit_rate;          /* turn.admit_rate */
	uint32_t admit_burst;         /* turn.admit_burst */
	uint32_t challenge_rate;      /* cp.challenge_rate */
	uint32_t challenge_burst;     /* cp.challenge_burst */
};

struct turn_admit {
	uint64_t k0, k1;              /* hash key */
	uint64_t ctr[TURN_ADMIT__COUNT];
	struct turn_budget routable;  /* per source, under pressure */
	struct turn_budget other;     /* per source, always */
	struct turn_budget challenge; /* dp's 401s per source, always */
};

/* Set up (buckets full); key: 16 random bytes. */
void turn_admit_init(struct turn_admit *ad, const struct turn_admit_conf *c,
		     const uint8_t key[16]);

/*
 * The lane of a parsed request from a client (its transport address and
 * transport, STUN_TRANSPORT_UDP here), existing: its 5-tuple has an
 * allocation. nc: the worker's copy of cp's nonce maker, or NULL while it
 * has none (then nothing is answered in dp and nothing is routable: cp
 * sees what it saw before, in the other lane). now_s: CLOCK_MONOTONIC
 * seconds, what cp's nonces expire by. Counts stale routable nonces.
 */
enum turn_lane turn_admit_lane(struct turn_admit *ad, struct nonce_ctx *nc,
			       const struct stun_msg *msg, bool existing,
			       const struct stun_addr *from, uint8_t transport,
			       uint64_t now_s);

/*
 * Whether a request of lane EXISTING, ROUTABLE or OTHER from src (family
 * 4: ip[0..3], 6: ip[0..15]) goes to cp, with the ring to cp at fill
 * messages. now_ms: any millisecond clock. Counts the verdict.
 */
bool turn_admit(struct turn_admit *ad, enum turn_lane lane, uint8_t family,
		const uint8_t *src, uint32_t fill, uint64_t now_ms);

/* Whether dp may answer src with a 401 now (its challenge budget).
 * Counts the verdict (challenges, challenges_dropped). */
bool turn_admit_challenge(struct turn_admit *ad, uint8_t family,
			  const uint8_t *src, uint64_t now_ms);

/*
 * Key nc from cp's published block (lib/ipc ipc_nonce_copy() took it):
 * the same key, features, lifetime, realm and SOFTWARE, so that nc makes
 * the nonces and challenges cp would. The salt counter is nc's own.
 * Returns 0 or -EINVAL (a block nonce_ctx_set() refuses).
 */
int turn_admit_nonce_load(struct nonce_ctx *nc, const struct ipc_nonce *n);

/*
 * The same for tenant (lib/conf's index, 1..n->ntenants): the key
 * nonce_tenant_key(n->key, tenant), the tenant's realm, the block's
 * features, lifetime and SOFTWARE. Returns 0, -EINVAL (no such tenant in
 * the block, a block nonce_ctx_set() refuses) or -EIO.
 */
int turn_admit_nonce_load_tenant(struct nonce_ctx *nc, const struct ipc_nonce *n,
				 unsigned int tenant);

/* "admit_routable", ... */
const char *turn_admit_stat_name(enum turn_admit_stat s);

#endif /* DP_TURN_ADMIT_H */
