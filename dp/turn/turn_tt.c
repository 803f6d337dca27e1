/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client 5-tuple table of our own (struct turn_tt in
 * turn_types.h, the lookup inline in turn_inlines.h): building it and its
 * control-path changes. Open addressing over buckets of one cache line,
 * seven entries each; an entry goes in the first bucket from its own
 * with room, and every full bucket it passed counts it in lane 7, so that
 * a lookup stops at the first bucket whose count is 0 and a removal can
 * take the counts back. The slots themselves come from a stack of free
 * ones, as rte_hash's key index gives them.
 */
#include <errno.h>
#include <stdbool.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "turn_types.h"
#include "turn_tt.h"

/* at most 5/7 full: a power of two of buckets, cap / 5 at least */
static uint32_t
tt_buckets(uint32_t cap)
{
	return rte_align32pow2(cap / 5 + 1);
}

static void
tt_setup(struct turn_tt *tt, uint32_t cap, uint32_t nb)
{
	tt->mask = nb - 1;
	for (uint32_t i = 0; i < cap; i++)
		tt->free[i] = cap - 1 - i;     /* slot 0 first */
	tt->nfree = cap;
}

int
turn_tt_init(struct turn_tt *tt, uint32_t cap, int socket)
{
	uint32_t nb = tt_buckets(cap);

	tt->own = true;
	tt->b = rte_zmalloc_socket("turn_tt", sizeof(*tt->b) * nb, RTE_CACHE_LINE_SIZE, socket);
	tt->free = rte_malloc_socket("turn_tt_free", sizeof(uint32_t) * (cap ? cap : 1),
				     RTE_CACHE_LINE_SIZE, socket);
	if (tt->b == NULL || tt->free == NULL)
		return -ENOMEM;
	tt_setup(tt, cap, nb);
	return 0;
}

size_t
turn_tt_bytes(uint32_t cap)
{
	return sizeof(struct turn_tt_bucket) * tt_buckets(cap) +
	       RTE_ALIGN_CEIL(sizeof(uint32_t) * (cap ? cap : 1), RTE_CACHE_LINE_SIZE);
}

void
turn_tt_init_at(struct turn_tt *tt, uint32_t cap, void *mem)
{
	uint32_t nb = tt_buckets(cap);

	tt->own = false;
	tt->b = mem;
	tt->free = (uint32_t *)(tt->b + nb);
	tt_setup(tt, cap, nb);
}

void
turn_tt_free(struct turn_tt *tt)
{
	if (tt->own) {
		rte_free(tt->b);
		rte_free(tt->free);
	}
	tt->b = NULL;
	tt->free = NULL;
}

int
turn_tt_slot_get(struct turn_tt *tt, uint32_t *slot)
{
	if (tt->nfree == 0)
		return -ENOSPC;
	*slot = tt->free[--tt->nfree];
	return 0;
}

void
turn_tt_insert(struct turn_tt *tt, uint32_t hash, uint32_t slot)
{
	uint32_t tag = hash != 0 ? hash : 1u;

	/* (the table is never full: 7 x cap / 5 entries for cap slots) */
	for (uint32_t bi = hash & tt->mask;; bi = (bi + 1) & tt->mask) {
		struct turn_tt_bucket *b = &tt->b[bi];

		for (unsigned int i = 0; i < TURN_TT_LANES; i++)
			if (b->tag[i] == 0) {
				b->tag[i] = tag;
				b->slot[i] = slot;
				return;
			}
		b->tag[TURN_TT_LANES]++;
	}
}

/* Take (hash, slot)'s entry out; false when it is not there. The slot
 * stays taken. */
static bool
tt_unlink(struct turn_tt *tt, uint32_t hash, uint32_t slot)
{
	uint32_t tag = hash != 0 ? hash : 1u, home = hash & tt->mask, bi = home;
	uint32_t left = tt->mask + 1;

	for (;; bi = (bi + 1) & tt->mask) {
		struct turn_tt_bucket *b = &tt->b[bi];
		unsigned int i;

		for (i = 0; i < TURN_TT_LANES; i++)
			if (b->tag[i] == tag && b->slot[i] == slot)
				break;
		if (i < TURN_TT_LANES) {
			b->tag[i] = 0;
			b->slot[i] = 0;
			break;
		}
		if (b->tag[TURN_TT_LANES] == 0 || --left == 0)
			return false;        /* not there */
	}
	for (uint32_t x = home; x != bi; x = (x + 1) & tt->mask)
		tt->b[x].tag[TURN_TT_LANES]--;
	return true;
}

void
turn_tt_remove(struct turn_tt *tt, uint32_t hash, uint32_t slot)
{
	if (tt_unlink(tt, hash, slot))
		tt->free[tt->nfree++] = slot;
}

void
turn_tt_rekey(struct turn_tt *tt, uint32_t old_hash, uint32_t new_hash, uint32_t slot)
{
	if (tt_unlink(tt, old_hash, slot))
		turn_tt_insert(tt, new_hash, slot);
}
