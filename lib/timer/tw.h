/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hierarchical timer wheel (in the manner of Varghese & Lauck): five
 * levels of 256 slots, level L holding timers due within 256^(L+1) ticks,
 * cascading down as time reaches them; timers further out than 2^40 ticks
 * wait in the top level and are re-filed when it comes round. Ticks are
 * the caller's unit (cp uses 10 ms). O(1) add and delete; advance costs
 * one slot per tick plus the timers that fire or cascade.
 *
 * Guarantees: a timer fires exactly once, in the first tw_advance() whose
 * now >= its expiry (never earlier), however far now jumps; a timer added
 * with an expiry in the past fires in the next advance. Callbacks may add
 * or delete any timer, their own included.
 */
#ifndef TW_H
#define TW_H

#include "tw_types.h"

/* Empty wheel whose time is now. */
void tw_init(struct tw_wheel *w, uint64_t now);
/* Make t a stopped timer calling fn(t, arg) when it fires. */
void tw_timer_init(struct tw_timer *t, tw_fn fn, void *arg);
/* Arm t to fire at tick expires (re-arms when pending). */
void tw_add(struct tw_wheel *w, struct tw_timer *t, uint64_t expires);
/* Stop t; nothing when it is not pending. */
void tw_del(struct tw_wheel *w, struct tw_timer *t);
static inline bool
tw_pending(const struct tw_timer *t)
{
	return t->prev != NULL;
}
/* Fire every timer due at or before now. Returns how many fired. */
unsigned int tw_advance(struct tw_wheel *w, uint64_t now);
/* Pending timers. */
static inline uint64_t
tw_count(const struct tw_wheel *w)
{
	return w->count;
}

#endif /* TW_H */
