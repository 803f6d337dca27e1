/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The timer wheel (see tw.h). A timer due at tick e, filed when the wheel
 * is at tick n, goes to the lowest level L whose span covers e - n
 * (e - n < 256^(L+1)), in slot (e >> 8L) & 255. Each advance step to tick
 * n+1 first cascades the higher-level slot that tick n+1 opens (when its
 * lower bits are zero), re-filing its timers lower, then fires level 0's
 * slot for n+1. Firing takes the whole slot list off first, so callbacks
 * can add and delete timers freely.
 */
#include <stddef.h>
#include <string.h>

#include "tw.h"

static void
list_init(struct tw_timer *head)
{
	head->next = head;
	head->prev = head;
}

void
tw_init(struct tw_wheel *w, uint64_t now)
{
	w->now = now;
	w->count = 0;
	memset(w->level_count, 0, sizeof(w->level_count));
	for (unsigned int l = 0; l < TW_LEVELS; l++)
		for (unsigned int s = 0; s < TW_SLOTS; s++)
			list_init(&w->slots[l][s]);
}

void
tw_timer_init(struct tw_timer *t, tw_fn fn, void *arg)
{
	t->next = NULL;
	t->prev = NULL;
	t->expires = 0;
	t->fn = fn;
	t->arg = arg;
}

/* File t relative to base, the next tick to be processed. */
static void
file(struct tw_wheel *w, struct tw_timer *t, uint64_t base)
{
	uint64_t e = t->expires, d;
	unsigned int l;
	struct tw_timer *head;

	if (e < base)
		e = base;   /* overdue: fires at the next tick processed */
	d = e - base;
	for (l = 0; l < TW_LEVELS - 1; l++)
		if (d < (1ull << (TW_SLOT_BITS * (l + 1))))
			break;
	if (l == TW_LEVELS - 1 && d >= (1ull << (TW_SLOT_BITS * TW_LEVELS)))
		/* Beyond the top level: park it where the top level will
		 * come round to it, and re-file it from there. */
		e = base + (1ull << (TW_SLOT_BITS * TW_LEVELS)) - 1;
	head = &w->slots[l][(e >> (TW_SLOT_BITS * l)) & (TW_SLOTS - 1)];
	t->level = l;
	w->level_count[l]++;
	t->prev = head->prev;
	t->next = head;
	head->prev->next = t;
	head->prev = t;
}

void
tw_add(struct tw_wheel *w, struct tw_timer *t, uint64_t expires)
{
	tw_del(w, t);
	t->expires = expires;
	file(w, t, w->now + 1);
	w->count++;
}

void
tw_del(struct tw_wheel *w, struct tw_timer *t)
{
	if (t->prev == NULL)
		return;
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->prev = t->next = NULL;
	w->level_count[t->level]--;
	w->count--;
}

/* Move a slot's timers onto the local list head (empty before). */
static void
take(struct tw_timer *slot, struct tw_timer *local)
{
	if (slot->next == slot) {
		list_init(local);
		return;
	}
	local->next = slot->next;
	local->prev = slot->prev;
	local->next->prev = local;
	local->prev->next = local;
	list_init(slot);
}

unsigned int
tw_advance(struct tw_wheel *w, uint64_t now)
{
	unsigned int fired = 0;
	struct tw_timer local;

	while (w->now < now) {
		uint64_t n = w->now + 1;

		if (w->count == 0) {
			w->now = now;   /* nothing pending: jump */
			break;
		}
		if (w->level_count[0] == 0) {
			/* Nothing fires before the next tick that cascades the
			 * lowest non-empty level L (a multiple of 256^L): skip
			 * to just before it. */
			unsigned int l = 1;
			uint64_t span, last;

			while (l < TW_LEVELS - 1 && w->level_count[l] == 0)
				l++;
			span = 1ull << (TW_SLOT_BITS * l);
			last = w->now | (span - 1);
			if (last > now)
				last = now;
			if (last > w->now) {
				w->now = last;
				continue;
			}
		}
		/* Cascade: tick n opens the level-l slot it falls in when
		 * its low 8l bits are zero; those timers move down. */
		for (unsigned int l = 1; l < TW_LEVELS; l++) {
			if ((n & ((1ull << (TW_SLOT_BITS * l)) - 1)) != 0)
				break;
			take(&w->slots[l][(n >> (TW_SLOT_BITS * l)) & (TW_SLOTS - 1)],
			     &local);
			while (local.next != &local) {
				struct tw_timer *t = local.next;

				local.next = t->next;
				t->next->prev = &local;
				w->level_count[t->level]--;
				file(w, t, n);
			}
		}
		w->now = n;
		/* Fire level 0's slot for n. Each timer leaves the local list
		 * before its callback, so callbacks may add or delete any
		 * timer, including others still on the list. */
		take(&w->slots[0][n & (TW_SLOTS - 1)], &local);
		while (local.next != &local) {
			struct tw_timer *t = local.next;

			local.next = t->next;
			t->next->prev = &local;
			t->next = t->prev = NULL;
			w->level_count[0]--;
			w->count--;
			if (t->expires > n) {
				/* cannot happen for a filed timer; be safe */
				w->count++;
				file(w, t, n + 1);
				continue;
			}
			fired++;
			if (t->fn != NULL)
				t->fn(t, t->arg);
		}
	}
	return fired;
}
