/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client 5-tuple table of our own (turn_tt.c): building it and its
 * control-path changes; the lookup is turn_tt_lookup() (turn_inlines.h).
 */
#ifndef DP_TURN_TT_H
#define DP_TURN_TT_H

#include <stddef.h>
#include <stdint.h>

struct turn_tt;

/* A table for cap slots on socket: 0, or -ENOMEM. */
int turn_tt_init(struct turn_tt *tt, uint32_t cap, int socket);
/* The bytes of a table for cap slots (buckets, then the free slots), and
 * one in mem: that many zeroed bytes, cache-line aligned, the caller's
 * (turn_tt_free() leaves them to it). */
size_t turn_tt_bytes(uint32_t cap);
void turn_tt_init_at(struct turn_tt *tt, uint32_t cap, void *mem);
void turn_tt_free(struct turn_tt *tt);
/* A free slot into *slot: 0, or -ENOSPC when all cap are in use. */
int turn_tt_slot_get(struct turn_tt *tt, uint32_t *slot);
/* slot under hash (turn_key_from()'s; the caller looked the key up
 * first: a key is in the table once). */
void turn_tt_insert(struct turn_tt *tt, uint32_t hash, uint32_t slot);
/* slot's entry under hash out, and the slot free again. */
void turn_tt_remove(struct turn_tt *tt, uint32_t hash, uint32_t slot);
/* RFC 8016's move: slot's entry from old_hash to new_hash (the caller has
 * changed, or is about to change, what the slot's key is); the slot stays
 * taken. */
void turn_tt_rekey(struct turn_tt *tt, uint32_t old_hash, uint32_t new_hash, uint32_t slot);

#endif /* DP_TURN_TT_H */
