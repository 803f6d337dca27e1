/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's mirror of the TURN allocations (ha_mirror.c; docs/design/ha.md
 * §1.4, slice 5). On the active box: a dirty set fed by cp_dp_tap() and
 * cp/alloc's observer, drained into batches of records, and the snapshot
 * walk on each new link. On the standby: the batches applied to cp/alloc
 * (cp_alloc_mirror_put()/del()) and, through it, to the passive dp.
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
};

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
