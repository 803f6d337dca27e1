/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admission of requests for cp, in the worker, before the ring (issue 17).
 * Every request dp passes on costs cp a parse, a credential check and an
 * answer; a flood of Allocates with wrong credentials from one address once
 * filled the ring and made a well-behaved client's Allocates wait over a
 * second. So, per request, in this order:
 *
 *  - Requests on an existing allocation (Refresh, CreatePermission,
 *    ChannelBind, an Allocate retransmitted on its 5-tuple) go ahead: they
 *    may fill the ring to the last slot.
 *  - New Allocates may fill it to half (TURN_ADMIT_NEW_MAX): the other half
 *    is the existing allocations' however many new ones arrive.
 *  - New Allocates are charged to their source's budget, a token bucket per
 *    source prefix (an IPv4 address, an IPv6 /64: what one subscriber or
 *    one NAT has), rate and burst from the configuration. The budget is
 *    enforced only under pressure, when cp has fallen behind (the ring is
 *    an eighth full or more): a carrier-grade NAT or a media server that
 *    opens hundreds of allocations a second from one address is served in
 *    full while cp keeps up, and it is the heaviest sources that wait when
 *    cp does not.
 *
 * What is not admitted is dropped (and counted): the client retransmits.
 * Sources are spoofable, and a flood that spoofs its victim's address uses
 * up the victim's budget; that only matters under pressure, and then
 * existing allocations still go ahead. Buckets are in a fixed table indexed
 * by a keyed hash (the key random at start), so that nobody can aim a
 * flood from other addresses at one victim's bucket.
 */
#ifndef DP_TURN_ADMIT_H
#define DP_TURN_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#define TURN_ADMIT_BUCKETS   16384u             /* per worker; a power of two */
#define TURN_ADMIT_PRESSURE  (1024u / 8u)       /* ring fill: budgets apply */
#define TURN_ADMIT_NEW_MAX   (1024u / 2u)       /* ring fill: no new Allocate */

struct turn_admit_bucket {
	uint32_t milli;               /* tokens x 1000 */
	uint32_t last_ms;             /* 0: never charged (full) */
};

#define TURN_ADMIT_STATS(X) \
	X(EXISTING, "admit_existing") \
	X(NEW, "admit_new") \
	X(NEW_OVER_BUDGET, "admit_new_over_budget") \
	X(DROP_BUDGET, "admit_drop_budget") \
	X(DROP_LANE, "admit_drop_lane")

enum turn_admit_stat {
#define X(e, n) TURN_ADMIT_##e,
	TURN_ADMIT_STATS(X)
#undef X
	TURN_ADMIT__COUNT,
};

struct turn_admit {
	struct turn_admit_bucket b[TURN_ADMIT_BUCKETS];
	uint64_t k0, k1;              /* hash key */
	uint32_t rate;                /* tokens per second and source */
	uint32_t burst;               /* bucket depth */
	uint64_t ctr[TURN_ADMIT__COUNT];
};

/* Set up (buckets full); key: 16 random bytes. */
void turn_admit_init(struct turn_admit *ad, uint32_t rate, uint32_t burst,
		     const uint8_t key[16]);

/*
 * Whether a request from src (family 4: ip[0..3], 6: ip[0..15]) goes to cp,
 * with the ring to cp at fill messages; existing: its 5-tuple has an
 * allocation. now_ms: any millisecond clock. Counts the verdict.
 */
bool turn_admit(struct turn_admit *ad, uint8_t family, const uint8_t *src,
		bool existing, uint32_t fill, uint64_t now_ms);

/* "admit_new", ... */
const char *turn_admit_stat_name(enum turn_admit_stat s);

#endif /* DP_TURN_ADMIT_H */
