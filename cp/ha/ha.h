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
 * the lease (ha.role "active": at once; "standby": never). c->heartbeat_ms
 * sets the miss: no active heartbeat for min(3 heartbeats, lease/2) and
 * the standby asks (0: a lease).
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
/*
 * A heartbeat of the peer's, heard at now_ms (ha_link.c). Its token is the
 * peer's word: on an ACTIVE machine one above ours asks Redis at once (a
 * renew) and fences only on the answer naming another holder, or at the
 * deadline (docs/design/ha.md §4 S16).
 */
void ha_role_peer(struct ha_role *r, const struct ha_peer_hb *hb, uint64_t now_ms);
/* Whether this box's heartbeats vouch for the peer (echo its active
 * heartbeats: the promise to ask for no lease until a lease after the
 * last one heard): false once Redis held no lease while the peer said it
 * was active (ha_role.doubt_since_ms), until Redis names a holder again
 * or the role changes. */
bool ha_role_vouches(const struct ha_role *r);
/* Whether this box's heartbeats at now_ms ask the peer for its word
 * (ha_self.ask_vouch): ACTIVE, and no renew answered for lease/4 + lease/16
 * since the last answered one was sent (Redis silent to it). Only the
 * echo of a heartbeat that asked moves the deadline past the renews'
 * (docs/design/ha.md §3.2). */
bool ha_role_asks_vouch(const struct ha_role *r, uint64_t now_ms);
/*
 * A planned switchover (docs/design/ha.md §3.5, ha_switch.c). On the
 * active box: ha_role_yield() holds the role while dp goes passive
 * (HA_YIELD_PASSIVE: the segment says FENCED, the lease is still renewed,
 * so the mirror drains what dp's last requests changed; HA_YIELD_NONE:
 * abandoned, dp active again), then HA_YIELD_RELEASING (no renew: the
 * lease is being let go); 0, or -EINVAL when not ACTIVE.
 * ha_role_released(): the lease let go, the box STANDBY (why said),
 * listening a lease for the peer before it may ask again. On the
 * standby: ha_role_take(), the peer handed its role over, so ask for the
 * lease at once and for a lease (lease_ms) after, an active peer heard or
 * not; 0, -EPERM (ha.role "standby": never), -EALREADY (active).
 */
int ha_role_yield(struct ha_role *r, enum ha_yield y);
void ha_role_released(struct ha_role *r, uint64_t now_ms, const char *why);
int ha_role_take(struct ha_role *r, uint64_t now_ms);
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
/* The release (a switchover): KEYS[1] the lease, ARGV "BOX:TOKEN"; the key
 * deleted only while it is that (1), else 0. */
extern const char ha_lease_release_lua[];
/* The probe (a standby that hears an active peer past the lease it knows
 * of): KEYS[1] the lease; {0, holder}, {0, ""} when none. Reads only. */
extern const char ha_lease_probe_lua[];
/* A script's reply read into a (NULL or an error reply: not answered;
 * anything but {0|1, integer|string|nil}: not answered, -EPROTO). */
int ha_lease_read(const struct redisReply *r, struct ha_lease_ans *a);
/* The machine's turn: what it asks, sent on the cluster's command link
 * (cp_cluster_send()); Redis away: nothing sent, asked again later. The
 * work done. */
unsigned int ha_lease_step(struct cp_ha *ha, uint64_t now_ms);

/* Let this box's lease go (ha_lease_release_lua under its token), the
 * answer to ha_switch_released() with seq: 0 sent, -ENOTCONN (Redis
 * away: nothing sent). */
int ha_lease_release(struct cp_ha *ha, uint32_t seq);

/* ---- a planned switchover (ha_switch.c) ------------------------------ */

/*
 * Begin handing the role over (the operator's `ha.switchover`): refused,
 * -errno and *why a sentence, when this box is not active, has no link
 * or no standby peer, or one is under way; else 0, and the steps run from
 * ha_switch_step() (api_token: the operator's held answer, released with
 * the outcome; 0: none).
 */
int ha_switch_start(struct cp_ha *ha, uint64_t api_token, uint64_t now_ms, const char **why);
/* The switchover's turn (from the module's serve, after the link's). */
void ha_switch_step(struct cp_ha *ha, uint64_t now_ms);
/* The lease's release answered (ha_lease.c): res 1 deleted, 0 not this
 * box's, -1 no answer. */
void ha_switch_released(struct cp_ha *ha, uint32_t seq, int res, uint64_t now_ms);
/* The peer's SWITCH message (ha_link.c): step HA_SWMSG_*, its token, the
 * nonce of the ASK it belongs to, why (NO only, else ""). An OK or NO not
 * of this box's ASK under way, or a GO not of the ASK this box last said
 * OK to (within the switchover's bounds), is dropped (switch_stale). */
void ha_switch_heard(struct cp_ha *ha, unsigned int step, uint64_t token, uint64_t nonce,
		     const char *why, uint64_t now_ms);

#endif /* CP_HA_H */
