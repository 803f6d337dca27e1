/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's mirror of the TURN allocations (ha_mirror.c; docs/design/ha.md
 * §1.4, slice 5). On the active box: a dirty set fed by cp_dp_tap() and
 * cp/alloc's observer, drained into batches of records, and the snapshot
 * walk on each new link. On the standby: the batches applied to cp/alloc
 * (cp_alloc_mirror_put()/del()) and, through it, to the passive dp; and
 * (slice 7) the gateway's RTP contexts, heard through the same tap, held
 * by cp/agw (cp_agw_rtp_mirror_put()/del()) until a takeover gives them
 * to dp.
 */
#ifndef CP_HA_MIRROR_H
#define CP_HA_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cp_ctx;
struct ha_mirror;

/* A batch of records to the peer (the link's ha_link_send_batch() under
 * this box's token): 0, or < 0 not taken (-EAGAIN: try later). */
typedef int (*ha_mirror_send_fn)(void *arg, const void *p, size_t n, uint64_t now_ms);

struct ha_mirror_stats {
	uint64_t records_sent;        /* upserts and tombstones out */
	uint64_t records_applied;     /* upserts and tombstones taken (standby) */
	uint64_t records_refused;     /* a record that did not decode or apply */
	uint64_t binds_refused;       /* bindings this box's peer policy refused: dropped */
	uint64_t walks;               /* snapshot walks started (active) */
	uint64_t stale_removed;       /* held but not in a whole walk (standby) */
	uint64_t overflows;           /* the set overflowed: a walk again */
	uint64_t rtp_taken;           /* mirrored RTP contexts made this box's at a takeover */
};

/*
 * The margin a mirrored SRTP send stream starts past at a takeover
 * (docs/design/ha.md §3.5): what the box before may have protected after
 * its position last reached the mirror, the mirror's bound at
 * HA_SRTP_PPS packets a second (a stream the box before told its cp of
 * every IPC_SRTP_TELL packets, which IPC_SRTP_POS_LAG covers on top),
 * at most HA_SRTP_AHEAD_MAX: the receiver's ROC guess (RFC 3711 §3.3.1)
 * follows a jump of under 2^15 only, so a bound past 3.2 s is not
 * covered at that rate (docs/configuration.md says so).
 */
#define HA_SRTP_PPS       5000u       /* a safe most a stream sends: 20 Mbit/s of 500-byte packets */
#define HA_SRTP_AHEAD_MAX 16384u
uint32_t ha_mirror_srtp_ahead(uint32_t bound_ms);
/* This box took over (its role machine made it active, ha_sync()): the
 * mirrored RTP contexts become its own and go to its dp, each SRTP send
 * stream ha_mirror_srtp_ahead(bound_ms) past its mirrored position
 * (cp_agw_rtp_mirror_takeover()). Contexts taken. */
unsigned int ha_mirror_takeover(struct ha_mirror *m, uint32_t bound_ms);

/* The mirror of cp's allocations (its tap on cp_dp and its observer of
 * cp/alloc registered): NULL with errno (EBUSY: the tap is held; ENOMEM;
 * ENOTSUP: no turn group). */
struct ha_mirror *ha_mirror_create(struct cp_ctx *cp, ha_mirror_send_fn send, void *arg);
void ha_mirror_free(struct ha_mirror *m);
/* A new link is up: everything again, from a WALK_START to a WALK_END. */
void ha_mirror_link_up(struct ha_mirror *m);
/* The active box's turn (each heartbeat): the walk, the ends and what
 * changed since, as batches while the link takes them. Records sent. */
unsigned int ha_mirror_flush(struct ha_mirror *m, uint64_t now_ms);
/* Not active: what changed is not this box's to send (the set emptied). */
void ha_mirror_forget(struct ha_mirror *m);
/* The standby: a batch of the peer's (p, n bytes) applied at now_ms, in
 * order. 0, or -EINVAL: a record refused as malformed or forbidden (one
 * that does not decode, a WALK_START not first, one cp_alloc_mirror_put()
 * refuses with -EINVAL), the rest of the batch with it: the link must not
 * acknowledge it (the caller closes the link; the active box walks again
 * on the next). A record this box has no room for is counted, not a
 * refusal. */
int ha_mirror_batch(struct ha_mirror *m, const uint8_t *p, size_t n, uint64_t now_ms);
/* Nothing waits to be sent: no change marked, no end, no walk, no batch
 * filled or refused by the link (a switchover's drain, ha_switch.c). */
bool ha_mirror_idle(const struct ha_mirror *m);
const struct ha_mirror_stats *ha_mirror_stats(const struct ha_mirror *m);

#endif /* CP_HA_MIRROR_H */
