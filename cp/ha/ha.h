/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha: one box of an active/standby pair (issue 69, docs/design/ha.md
 * §3; FEATURE.md). The role machine (ha_role.c), the lease in Redis
 * (ha_lease.c), the module (ha_module.c). Times are CLOCK_MONOTONIC ms.
 */
#ifndef CP_HA_H
#define CP_HA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ha_types.h"

struct cp_ctx;
struct redisReply;

/* ---- the role machine (ha_role.c) ------------------------------------ */

/*
 * Start the machine from the segment's HA block seg (which it writes from
 * now on): a block that says ACTIVE with its deadline ahead is a cp
 * restarted on the active box, which stays ACTIVE under the block's token
 * and renews at once (not a packet lost); anything else starts STANDBY,
 * dp passive, listening a lease for an active peer before it may ask for
 * the lease (ha.role "active": at once; "standby": never).
 */
void ha_role_start(struct ha_role *r, const struct ha_role_conf *c, struct ipc_ha *seg,
		   uint64_t now_ms);
/*
 * The clock moved to now_ms: an ACTIVE machine past its deadline fences.
 * Then what to ask Redis now (HA_ASK_NONE: nothing; one script is
 * outstanding at a time, and one unanswered for a lease is given up).
 */
enum ha_ask ha_role_due(struct ha_role *r, uint64_t now_ms);
/* ask was sent at now_ms: its seq, which its answer must carry. */
uint32_t ha_role_asked(struct ha_role *r, enum ha_ask ask, uint64_t now_ms);
/* The answer to script seq (a late one, of a seq given up, is ignored). */
void ha_role_answer(struct ha_role *r, uint32_t seq, const struct ha_lease_ans *a,
		    uint64_t now_ms);
/* A heartbeat of the peer's, heard at now_ms (ha_link.c). */
void ha_role_peer(struct ha_role *r, const struct ha_peer_hb *hb, uint64_t now_ms);
/* "active", "standby", "fenced", "starting". */
const char *ha_state_name(enum ha_state s);

/*
 * What the rest of cp follows of the role (ha_module.c), after each
 * change and each loop turn: cp->ha_standby (not active: cp/acct writes
 * no usage records of the mirror), and on becoming active under a token
 * not drawn from yet, cp/alloc's ids moved to that token's space
 * (cp_alloc_id_floor(), token << HA_ID_SHIFT): the new active box's ids
 * are none the old one made, mirrored or not.
 */
void ha_sync(struct cp_ha *ha);

/* ---- the lease in Redis (ha_lease.c) --------------------------------- */

/* The Lua scripts (§3.2): KEYS[1] the lease, KEYS[2] the token counter;
 * acquire's ARGV box, lease_ms; renew's ARGV "BOX:TOKEN", token, lease_ms. */
extern const char ha_lease_acquire_lua[];
extern const char ha_lease_renew_lua[];
/* A script's reply read into a (NULL or an error reply: not answered;
 * anything but {0|1, integer|string|nil}: not answered, -EPROTO). */
int ha_lease_read(const struct redisReply *r, struct ha_lease_ans *a);
/* The machine's turn: what it asks, sent on the cluster's command link
 * (cp_cluster_send()); Redis away: nothing sent, asked again later. The
 * work done. */
unsigned int ha_lease_step(struct cp_ha *ha, uint64_t now_ms);

#endif /* CP_HA_H */
