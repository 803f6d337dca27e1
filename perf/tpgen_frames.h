/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A queue of frames made before a run, to be sent in order during it: the
 * generator's RTP calls protect every SRTP packet a run will offer first
 * (libsrtp costs 0.8-3.8 us a packet, lib/srtp_ref/FEATURE.md: one core
 * protecting on the fly offers at most some 300 kpps), then only copy
 * each frame into an mbuf at the rate (tpgen_rtp.c).
 *
 * The frames live in one anonymous mapping (transparent huge pages asked
 * for: a second at 1 Mpps is some 256 MB), a fixed slot a frame. Frames
 * made and not sent are kept for the next run (they are the next packets
 * of their streams: SRTP's index only goes on). No EAL; not thread-safe.
 */
#ifndef TPGEN_FRAMES_H
#define TPGEN_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define GEN_FRAME_SLOT 256u      /* bytes a frame may take */

struct gen_frames {
	uint8_t *mem;                /* cap slots of GEN_FRAME_SLOT bytes */
	uint16_t *len;               /* each slot's frame length */
	size_t cap;                  /* slots mapped */
	size_t head, tail;           /* the next to send; one past the last made */
};

/* Room for n frames in all, those kept moved to the front (a new mapping
 * when cap is short: the old one unmapped). 0, or -ENOMEM. */
int gen_frames_reserve(struct gen_frames *q, size_t n);

/* Frames made and not sent. */
static inline size_t
gen_frames_count(const struct gen_frames *q)
{
	return q->tail - q->head;
}

/* Frames the reserved room still takes. */
static inline size_t
gen_frames_room(const struct gen_frames *q)
{
	return q->cap - q->tail;
}

/* The slot of the i-th frame to come (i < gen_frames_room(): GEN_FRAME_SLOT
 * bytes), made in any order; its length set by gen_frames_set_len(), and
 * the frames 0 .. n - 1 to come queued together by gen_frames_commit(). */
static inline uint8_t *
gen_frames_slot(struct gen_frames *q, size_t i)
{
	return q->mem + (q->tail + i) * GEN_FRAME_SLOT;
}

static inline void
gen_frames_set_len(struct gen_frames *q, size_t i, uint16_t len)
{
	q->len[q->tail + i] = len;
}

static inline void
gen_frames_commit(struct gen_frames *q, size_t n)
{
	q->tail += n;
}

/* The oldest frame and its length (the queue not empty); gen_frames_pop()
 * drops it. */
static inline const uint8_t *
gen_frames_front(const struct gen_frames *q, uint16_t *len)
{
	*len = q->len[q->head];
	return q->mem + q->head * GEN_FRAME_SLOT;
}

static inline void
gen_frames_pop(struct gen_frames *q)
{
	q->head++;
}

/* Drop every frame (the memory kept); returns how many there were. */
size_t gen_frames_clear(struct gen_frames *q);

/* Unmap; q is empty after and may be reserved again. */
void gen_frames_free(struct gen_frames *q);

#endif /* TPGEN_FRAMES_H */
