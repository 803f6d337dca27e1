/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hierarchical timer wheel: types only. Timers are intrusive (embedded
 * in the caller's objects); the wheel never allocates.
 */
#ifndef TW_TYPES_H
#define TW_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#define TW_LEVELS      5
#define TW_SLOT_BITS   8
#define TW_SLOTS       (1u << TW_SLOT_BITS)

struct tw_timer;
typedef void (*tw_fn)(struct tw_timer *t, void *arg);

struct tw_timer {
	struct tw_timer *next;
	struct tw_timer *prev;   /* NULL when not pending */
	uint64_t expires;        /* tick */
	uint32_t level;          /* where it is filed */
	tw_fn fn;
	void *arg;
};

/* Each slot is a circular list headed by a sentinel. */
struct tw_wheel {
	uint64_t now;            /* last tick advanced to */
	uint64_t count;          /* pending timers */
	uint64_t level_count[TW_LEVELS];
	struct tw_timer slots[TW_LEVELS][TW_SLOTS];
};

#endif /* TW_TYPES_H */
