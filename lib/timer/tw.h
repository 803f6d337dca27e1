/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/timer: one hierarchical timer wheel per process or worker (cp keeps
 * allocation, permission, channel, nonce and RFC 6062 connection timers in
 * it; dp workers will keep TCP timers). Time is the caller's: a tick
 * counter it passes to tw_init() and tw_advance() (cp uses 10 ms ticks;
 * tests use a fake clock).
 *
 * Guarantees:
 * - Intrusive: the caller owns every struct tw_timer (embedded in its own
 *   object) and the struct tw_wheel; the wheel never allocates and never
 *   frees. A pending timer's memory must stay valid until it fires or is
 *   deleted.
 * - tw_add() and tw_del() are O(1). tw_advance() costs O(1) per non-empty
 *   slot it reaches plus O(1) per timer it fires or moves down a level (a
 *   timer moves down at most TW_LEVELS - 1 times), however many ticks
 *   pass: a jump of a minute or of 2^40 ticks costs the same as a step.
 * - Every pending timer fires exactly once, in the first tw_advance()
 *   whose now >= its expiry, never earlier. Within one advance, timers
 *   fire in expiry order, except those that were already overdue when the
 *   advance began (added with an expiry <= the wheel's time), which fire
 *   first, in no particular order.
 * - Any uint64_t expiry works (the levels cover all 64 bits).
 * - Callbacks may call tw_add(), tw_del() and tw_pending() on any timer of
 *   the same wheel, their own included (re-arming it), and tw_next_expiry(),
 *   tw_count(), tw_now(). They must not call tw_advance() or tw_init().
 *
 * Not thread-safe: one wheel belongs to one thread.
 */
#ifndef TW_H
#define TW_H

#include "tw_types.h"

/*
 * Make w an empty wheel whose time is now (nothing at or before now will
 * ever fire late: a timer added with expires <= now fires in the next
 * tw_advance()). w is the caller's memory (under 6 KB); any previous
 * content is forgotten, so pending timers of a re-initialised wheel must
 * be re-initialised with tw_timer_init() too.
 */
void
tw_init(struct tw_wheel *w, uint64_t now);

/*
 * Make t a stopped timer that will call fn(t, arg) when it fires. Call it
 * once before first use, and never on a pending timer. fn may be NULL (the
 * timer then just stops being pending). arg is the caller's; the wheel
 * only passes it back.
 */
void
tw_timer_init(struct tw_timer *t, tw_fn_t fn, void *arg);

/*
 * Arm t (initialised with tw_timer_init()) to fire at tick expires. If t
 * is already pending it is moved (its old expiry is forgotten). An expiry
 * at or before the wheel's time (tw_now()) fires in the next tw_advance()
 * call, whatever now that call is given; re-arming like that from inside
 * a callback therefore fires in the next call, not the current one.
 * O(1). The wheel keeps a pointer to t until it fires or is deleted.
 */
void
tw_add(struct tw_wheel *w, struct tw_timer *t, uint64_t expires);

/*
 * Stop t; a no-op when t is not pending (never armed, fired, deleted).
 * After it returns the wheel holds no pointer to t. O(1). Safe from a
 * callback, on any timer, including one due in the same tick that has
 * not fired yet (it then does not fire).
 */
void
tw_del(struct tw_wheel *w, struct tw_timer *t);

/*
 * Returns true while t is armed and has not yet fired or been deleted.
 * Inside its own callback a timer is no longer pending (unless the
 * callback re-armed it).
 */
bool
tw_pending(const struct tw_timer *t);

/*
 * Move the wheel's time to now and fire, each exactly once, every timer
 * whose expiry is <= now, plus every timer that was overdue when the call
 * began (see tw_add()). now may jump any distance forward; a now at or
 * before the wheel's time fires only the overdue timers and leaves the
 * time alone (the clock must not go backwards; earlier values are
 * ignored). Each timer stops being pending just before its callback runs.
 * Timers armed by callbacks for a tick <= now fire in this same call if
 * their tick is after the tick being processed; see tw_add().
 * Returns the number of timers fired.
 */
unsigned int
tw_advance(struct tw_wheel *w, uint64_t now);

/*
 * When to call tw_advance() next: a tick r that is never later than E,
 * the earliest expiry of any pending timer, and UINT64_MAX when none is
 * pending (a timer at UINT64_MAX also gives UINT64_MAX: use tw_count()).
 * Precisely:
 * - E <= tw_now() (a timer is overdue, or firing inside a callback):
 *   r == E exactly. Costs O(number of such timers).
 * - otherwise r is the first tick of the wheel slot holding E: with
 *   L = floor(log2(E XOR tw_now()) / 6) (the level E is filed in),
 *   r == E with its low 6 * L bits cleared. So tw_now() < r <= E and
 *   E - r < 64^L (one slot of level L), and r == E when E and tw_now()
 *   differ only in their lowest 6 bits (level 0). O(1).
 * Waking at r and calling tw_advance(r) fires nothing early: it moves
 * E's timers down a level, and tw_next_expiry() is then closer. At most
 * TW_LEVELS such wake-ups precede E; in practice (cp's 10 ms ticks, timers
 * under an hour out) at most three.
 */
uint64_t
tw_next_expiry(const struct tw_wheel *w);

/* Returns the number of pending timers. O(1). */
uint64_t
tw_count(const struct tw_wheel *w);

/*
 * Returns the wheel's time: the last now given to tw_init() or
 * tw_advance() (the largest), or inside a callback the tick being fired.
 */
uint64_t
tw_now(const struct tw_wheel *w);

#endif /* TW_H */
