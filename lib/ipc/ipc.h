/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp <-> cp contract: the segment and its rings.
 *
 * Rings are single producer, single consumer, lock-free (C11 acquire /
 * release on the indices), and never block: a full ring refuses the
 * message (-ENOBUFS) and counts it, and the producer decides what that
 * means (dp answers 500 to a request it cannot pass on; cp retries an
 * install on its next loop).
 */
#ifndef IPC_H
#define IPC_H

#include <stdbool.h>
#include <stddef.h>

#include "ipc_types.h"

/*
 * Open the segment name ("/turnpike-demo"), creating it for nworkers when
 * it does not exist. An existing segment must carry our magic and
 * IPC_VERSION and the same worker count; otherwise -EPROTO (version or
 * magic) or -EINVAL (worker count) — the caller says which and stops.
 * nworkers 0 means "attach only, whatever the count" (cp, turnpikectl).
 * Returns 0 or -errno; *created tells whether this call made it.
 */
int ipc_seg_open(struct ipc_seg *s, const char *name, unsigned int nworkers,
		 bool *created);
/* Unmap (the segment stays). */
void ipc_seg_close(struct ipc_seg *s);
/* Remove the name (the last unmap frees the memory). */
int ipc_seg_unlink(const char *name);

/* The rings of worker w. */
static inline struct ipc_worker_rings *
ipc_worker(const struct ipc_seg *s, unsigned int w)
{
	return &s->shm->w[w];
}

/* Copy msg (header and body_len bytes of body) into the ring.
 * Returns 0 or -ENOBUFS when full. Producer side only. */
int ipc_ring_enqueue(struct ipc_ring *r, const struct ipc_msg *msg);
/* Copy the oldest message out. Returns 1, or 0 when empty. Consumer side. */
int ipc_ring_dequeue(struct ipc_ring *r, struct ipc_msg *msg);
/* Messages waiting (approximate from the other side). */
unsigned int ipc_ring_count(const struct ipc_ring *r);

/* "request", "alloc_add", ...; "?" for an unknown kind. */
const char *ipc_kind_name(uint16_t kind);

/*
 * Readiness, one rule for dp, cp and the operator's tools. cp serves when
 * the cp that published ready is the newest one (cp_ready == cp_epoch)
 * and it beat within IPC_ALIVE_MS of now (CLOCK_MONOTONIC ms); dp runs when
 * dp_ready == dp_epoch and it beat as recently.
 */
bool ipc_cp_serving(const struct ipc_shm *shm, uint64_t now_ms);
bool ipc_dp_running(const struct ipc_shm *shm, uint64_t now_ms);
/* Publish (or, with ready false, withdraw) this process's readiness. */
void ipc_cp_set_ready(struct ipc_shm *shm, bool ready);
void ipc_dp_set_ready(struct ipc_shm *shm, bool ready);

/* Milliseconds of CLOCK_REALTIME (wall times: REST usernames, logs) and
 * of CLOCK_MONOTONIC (every expiry time in messages, heartbeats). */
uint64_t ipc_realtime_ms(void);
uint64_t ipc_monotonic_ms(void);

#endif /* IPC_H */
