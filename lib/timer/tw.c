/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/timer: the hierarchical timer wheel (see tw.h for the contract).
 *
 * Where a timer lives. Write ticks in base 64: digit L is bits 6L..6L+5.
 * A pending timer with expiry e > now (the wheel's time) sits at level
 * L = the highest digit in which e and now differ, in slot digit_L(e).
 * Since e > now, digit_L(e) > digit_L(now), and above digit L the two
 * agree. Three consequences carry the whole design:
 *
 * 1. A slot's first tick is known: now with digits 0..L replaced by
 *    (0.., digit_L(e), 0..). Call it the slot's start; it is > now, and
 *    every timer in the slot expires in [start, start + 64^L).
 * 2. Every timer at level L expires before every timer at level L + 1
 *    (both agree with now above L + 1, and the higher one has a larger
 *    digit at L + 1). So the earliest timer is in the first non-empty
 *    slot of the lowest non-empty level: two find-first-set operations.
 * 3. Moving now forward to any tick before the earliest slot start moves
 *    no timer: each still differs from the new now first in the same
 *    digit (the new now lies between the old one and the slot's start).
 *
 * So tw_advance() jumps from slot start to slot start, never tick by tick:
 * it takes the earliest slot (level L, start s), sets now = s, fires the
 * timers expiring exactly at s, and files the rest again relative to the
 * new now, which puts each at a level below L (they now agree with now in
 * digit L). A timer is visited at most once per level on its way down.
 *
 * Overdue timers (tw_add() with expiry <= now) wait on the due list and
 * fire at the start of the next tw_advance(). Timers about to fire sit on
 * the firing list until their turn, so a callback may delete any of them.
 * Whether a pending timer is in a slot or on one of those two lists
 * follows from its expiry: in a slot iff expires > now; no field needed.
 *
 * This is the classic hierarchical wheel (Varghese and Lauck, "Hashed and
 * Hierarchical Timing Wheels", 1987) with levels chosen by the highest
 * differing digit rather than by distance, which keeps the levels ordered
 * and lets a caller sleep until the next slot instead of ticking.
 */
#include <string.h>

#include "tw.h"

#define TW_DIGIT_MASK  ((uint64_t)TW_SLOTS - 1)

/* The level a timer due at e > now sits in. */
static inline unsigned int
tw_level(uint64_t e, uint64_t now)
{
	return (63u - (unsigned int)__builtin_clzll(e ^ now)) / TW_LEVEL_BITS;
}

static inline unsigned int
tw_digit(uint64_t e, unsigned int level)
{
	return (unsigned int)((e >> (TW_LEVEL_BITS * level)) & TW_DIGIT_MASK);
}

/* First tick of slot `slot` of `level`, relative to the wheel's time. */
static inline uint64_t
tw_slot_start(uint64_t now, unsigned int level, unsigned int slot)
{
	unsigned int above = TW_LEVEL_BITS * (level + 1);
	uint64_t high = above >= 64 ? 0 : now & ~((UINT64_C(1) << above) - 1);

	return high | ((uint64_t)slot << (TW_LEVEL_BITS * level));
}

static inline void
tw_list_push(struct tw_timer **head, struct tw_timer *t)
{
	t->next = *head;
	if (t->next != NULL)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

static inline void
tw_list_unlink(struct tw_timer *t)
{
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

/* Move the whole list at *from to *to (which must be empty). */
static inline void
tw_list_move(struct tw_timer **from, struct tw_timer **to)
{
	*to = *from;
	*from = NULL;
	if (*to != NULL)
		(*to)->pprev = to;
}

/* Put an unlinked t where its expiry says, relative to w->now. */
static void
tw_file(struct tw_wheel *w, struct tw_timer *t)
{
	unsigned int level, slot;

	if (t->expires <= w->now) {
		tw_list_push(&w->due, t);
		return;
	}
	level = tw_level(t->expires, w->now);
	slot = tw_digit(t->expires, level);
	tw_list_push(&w->slots[level][slot], t);
	w->slot_map[level] |= UINT64_C(1) << slot;
	w->level_map |= UINT32_C(1) << level;
}

static inline void
tw_slot_emptied(struct tw_wheel *w, unsigned int level, unsigned int slot)
{
	w->slot_map[level] &= ~(UINT64_C(1) << slot);
	if (w->slot_map[level] == 0)
		w->level_map &= ~(UINT32_C(1) << level);
}

void
tw_init(struct tw_wheel *w, uint64_t now)
{
	memset(w, 0, sizeof(*w));
	w->now = now;
}

void
tw_timer_init(struct tw_timer *t, tw_fn_t fn, void *arg)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expires = 0;
	t->fn = fn;
	t->arg = arg;
}

void
tw_add(struct tw_wheel *w, struct tw_timer *t, uint64_t expires)
{
	tw_del(w, t);
	t->expires = expires;
	tw_file(w, t);
	w->count++;
}

void
tw_del(struct tw_wheel *w, struct tw_timer *t)
{
	unsigned int level, slot;

	if (t->pprev == NULL)
		return;
	if (t->expires <= w->now) {
		/* on the due or the firing list */
		tw_list_unlink(t);
	} else {
		level = tw_level(t->expires, w->now);
		slot = tw_digit(t->expires, level);
		tw_list_unlink(t);
		if (w->slots[level][slot] == NULL)
			tw_slot_emptied(w, level, slot);
	}
	w->count--;
}

bool
tw_pending(const struct tw_timer *t)
{
	return t->pprev != NULL;
}

/*
 * Fire the firing list. Each timer leaves the list (and stops being
 * pending) before its callback, which may then add or delete any timer,
 * including others still on the list.
 */
static unsigned int
tw_fire(struct tw_wheel *w)
{
	unsigned int n = 0;
	struct tw_timer *t;

	while ((t = w->firing) != NULL) {
		tw_list_unlink(t);
		w->count--;
		n++;
		if (t->fn != NULL)
			t->fn(t, t->arg);
	}
	return n;
}

unsigned int
tw_advance(struct tw_wheel *w, uint64_t now)
{
	unsigned int fired = 0;

	/* Overdue first; what their callbacks make overdue waits a call. */
	if (w->due != NULL) {
		tw_list_move(&w->due, &w->firing);
		fired += tw_fire(w);
	}
	if (now <= w->now)
		return fired;

	while (w->level_map != 0) {
		unsigned int level = (unsigned int)__builtin_ctz(w->level_map);
		unsigned int slot =
			(unsigned int)__builtin_ctzll(w->slot_map[level]);
		uint64_t start = tw_slot_start(w->now, level, slot);
		struct tw_timer *list, *t;

		if (start > now)
			break;
		/* Every other slot starts after start (design note 2), so
		 * the time may move there (note 3). No callback runs until
		 * list is empty: nothing else can see its timers. */
		tw_list_move(&w->slots[level][slot], &list);
		tw_slot_emptied(w, level, slot);
		w->now = start;
		while ((t = list) != NULL) {
			tw_list_unlink(t);
			if (t->expires == start)
				tw_list_push(&w->firing, t);
			else
				tw_file(w, t);   /* lower level, > start */
		}
		fired += tw_fire(w);
	}
	/* Nothing left starts at or before now (note 3). */
	w->now = now;
	return fired;
}

uint64_t
tw_next_expiry(const struct tw_wheel *w)
{
	unsigned int level, slot;

	if (w->due != NULL || w->firing != NULL) {
		/* All <= now, so earlier than anything in the slots. */
		uint64_t min = UINT64_MAX;
		const struct tw_timer *t;

		for (t = w->due; t != NULL; t = t->next)
			if (t->expires < min)
				min = t->expires;
		for (t = w->firing; t != NULL; t = t->next)
			if (t->expires < min)
				min = t->expires;
		return min;
	}
	if (w->level_map == 0)
		return UINT64_MAX;
	level = (unsigned int)__builtin_ctz(w->level_map);
	slot = (unsigned int)__builtin_ctzll(w->slot_map[level]);
	return tw_slot_start(w->now, level, slot);
}

uint64_t
tw_count(const struct tw_wheel *w)
{
	return w->count;
}

uint64_t
tw_now(const struct tw_wheel *w)
{
	return w->now;
}
