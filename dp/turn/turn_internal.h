/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn's own declarations, shared by its files and by nobody outside
 * (dp/ sees turn.h): the allocation key, the checksum carried into a
 * relayed datagram, the layout checks of an allocation, and the functions
 * that cross from one file of dp/turn to another. The fast-path helpers
 * themselves are in turn_inlines.h.
 */
#ifndef DP_TURN_INTERNAL_H
#define DP_TURN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "turn_types.h"

/* Key of the client 5-tuple (transport is UDP here). 32 bytes: rte_hash
 * compares keys of that size with vector instructions, other sizes with
 * memcmp(). */
struct turn_key {
	uint8_t family;
	uint8_t in_port;
	uint16_t client_port;
	uint16_t server_port;
	uint16_t pad;
	uint8_t client_ip[16];
	uint64_t pad2;
};

typedef uint64_t turn_u64x2 __attribute__((vector_size(16), aligned(16)));

/* The key as the words the hash and the compare read. */
union turn_keyu {
	struct turn_key k;
	uint64_t q[4];
	turn_u64x2 v[2];
};

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "turn_key_from() lays the key out for a little-endian machine"
#endif

_Static_assert(sizeof(struct turn_key) == 32, "turn_key must stay 32 bytes");

/* Where a relayed payload's checksum comes from: the sum of the
 * payload, recovered from the datagram that brought it, plus that of
 * any head the new datagram puts before it (ChannelData, Data
 * indication). */
struct turn_carry {
	bool ok;                     /* false: sum the datagram at output */
	uint32_t sum;
};

_Static_assert(sizeof(struct turn_alloc) == 5 * RTE_CACHE_LINE_SIZE,
	       "the hot part of an allocation is five cache lines");
_Static_assert(offsetof(struct turn_alloc, stats) == RTE_CACHE_LINE_SIZE,
	       "counters start the second line");

#endif /* DP_TURN_INTERNAL_H */
