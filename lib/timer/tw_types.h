/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/timer: a hierarchical timer wheel, types only (see tw.h for the
 * operations and their guarantees). Timers are intrusive: the caller embeds
 * struct tw_timer in its own object, and the wheel never allocates.
 */
#ifndef TW_TYPES_H
#define TW_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Each level is one 6-bit digit of the tick number: level L holds timers
 * whose expiry first differs from the wheel's time in digit L, in the slot
 * named by that digit. Eleven levels (66 bits) cover every uint64_t tick,
 * so no timer is ever "too far" for the wheel.
 */
#define TW_LEVEL_BITS  6
#define TW_SLOTS       (1u << TW_LEVEL_BITS)   /* slots per level: 64 */
#define TW_LEVELS      11                      /* 11 * 6 >= 64 */

struct tw_timer;

/* A timer's callback: t is the timer that fired (no longer pending). */
typedef void (*tw_fn_t)(struct tw_timer *t, void *arg);

struct tw_timer {
	struct tw_timer *next;     /* in its slot's (or a list's) chain */
	struct tw_timer **pprev;   /* what points at us; NULL: not pending */
	uint64_t expires;          /* tick at which it fires */
	tw_fn_t fn;
	void *arg;
};

/*
 * One wheel per process or worker; not thread-safe. Slots are singly
 * anchored chains (one pointer per slot); a bitmap per level and a map
 * of non-empty levels find the next slot to process in O(1).
 */
struct tw_wheel {
	uint64_t now;              /* ticks processed: every timer <= now fired */
	uint64_t count;            /* pending timers (wheel, due and firing) */
	uint32_t level_map;        /* bit L: level L has a timer */
	uint64_t slot_map[TW_LEVELS];      /* bit s: slot s has a timer */
	struct tw_timer *due;      /* added with expires <= now: next advance */
	struct tw_timer *firing;   /* being fired by tw_advance() right now */
	struct tw_timer *slots[TW_LEVELS][TW_SLOTS];
};

#endif /* TW_TYPES_H */
