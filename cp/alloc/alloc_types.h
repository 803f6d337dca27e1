/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocations as cp keeps them: types only. cp is the keeper of every
 * allocation's lifetime, permissions and channel bindings (each one a
 * timer in cp's wheel); dp holds a copy of what it needs to relay.
 */
#ifndef CP_ALLOC_TYPES_H
#define CP_ALLOC_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_types.h"
#include "tp_common.h"
#include "tw_types.h"

#define CP_MAX_PERMS     16     /* must not exceed dp's TURN_MAX_PERMS */
#define CP_MAX_CHANNELS  16
#define CP_RING_HEADROOM 128u   /* to_dp slots a reinstall leaves for answers */
#define CP_REINSTALL_SLICE 256u /* allocations a reinstall step sends at most */
#define CP_TID_LEN       12
#define CP_RELAY_NONE    0xffu

/* What cp puts in IPC messages fits them (lib/ipc/ipc_types.h): an
 * allocation carries its username whole (a name cut short fails its own
 * Refresh with 441), and a restarted cp gets an allocation with every
 * permission and channel in one STATE_ALLOC. */
_Static_assert(IPC_USER_MAX >= TP_USERNAME_MAX,
	       "IPC_USER_MAX must hold the longest USERNAME");
_Static_assert(sizeof(struct ipc_alloc) +
	       (CP_MAX_PERMS + CP_MAX_CHANNELS) * sizeof(struct ipc_binding) <=
	       sizeof(((struct ipc_msg *)0)->body),
	       "STATE_ALLOC must hold an allocation and all its bindings");

struct cp_alloc;

/*
 * A username that has allocations, for its quota (RFC 8656 §7.2 step 10:
 * SHOULD be per username). It holds no copy of the name: the name is the
 * one each of the user's allocations keeps whole, read through the first
 * of them. An entry lives exactly as long as its user has an allocation,
 * so with TURN REST credentials (a new username every session) the table
 * holds the users of today's allocations, never every name ever seen.
 */
struct cp_user {
	struct cp_user *next;         /* hash chain; free list */
	struct cp_alloc *allocs;      /* the user's allocations (user_next) */
	uint32_t hash;
	uint32_t n;                   /* allocations; >= 1 while in the table */
};

struct cp_perm {
	struct cp_alloc *owner;
	struct ipc_addr peer;         /* canonical; port ignored */
	uint64_t expires_ms;
	struct tw_timer timer;
	bool used;
};

struct cp_chan {
	struct cp_alloc *owner;
	uint16_t channel;             /* 0 = free */
	struct ipc_addr peer;         /* canonical, with port */
	uint64_t expires_ms;
	struct tw_timer timer;
};

struct cp_alloc {
	uint64_t id;
	uint16_t worker;
	struct ipc_tuple tuple;
	uint8_t tid[CP_TID_LEN];      /* of the Allocate that made it */
	struct ipc_alloc auth;        /* username, key, relayed addresses */
	uint16_t relay_port;          /* the same in every relayed family */
	uint8_t relay_idx[2];         /* address index of auth.relayed[i] in
				       * its family, CP_RELAY_NONE when the
				       * configuration no longer has it */
	uint64_t created_ms;
	uint64_t expires_ms;
	struct tw_timer timer;
	struct cp_perm perms[CP_MAX_PERMS];
	struct cp_chan chans[CP_MAX_CHANNELS];
	/* counters dp last reported (IPC_STATS), for the operator */
	uint64_t counters[IPC_ALLOC_STATS_N];
	uint64_t reported_ms;
	/* hash chains */
	struct cp_alloc *next_tuple;
	struct cp_alloc *next_id;
	struct cp_alloc *next_free;
	/* the quota entry of auth.username, and its other allocations */
	struct cp_user *user;
	struct cp_alloc *user_next;
	struct cp_alloc *user_prev;
	bool live;
};

/*
 * An EVEN-PORT R=1 reservation (RFC 8656 §7.2 step 8: port + 1 of the
 * allocation, at its address, held at least 30 s) for the Allocate that
 * brings its RESERVATION-TOKEN (step 5). A slot is free or held by its
 * state (used), never by its token's value: a token is never 0, and it
 * lives exactly as long as the reservation. Using the token frees the slot
 * (the port goes to the new allocation); expiry, a timer in cp's wheel,
 * frees the slot and the port at once.
 *
 * Reservations live in cp only (dp has nothing to relay for them): a
 * restarted cp starts with none. A client that brings a token from before
 * the restart gets 508, as for any token that is no longer valid, and the
 * reserved port is free again; the allocation that made the reservation
 * comes back from dp's state like any other.
 */
struct cp_reservation {
	uint64_t token;               /* never 0 */
	uint64_t alloc_id;            /* the allocation whose success carried
				       * the token (a retransmission of its
				       * Allocate gets it again) */
	uint64_t expires_ms;
	struct tw_timer timer;
	uint16_t port;
	uint16_t worker;              /* whose share the port lies in */
	uint8_t family;               /* 4 or 6: one family (§7.2 step 8) */
	uint8_t relay_idx;            /* at this address of the family */
	bool used;
};

#endif /* CP_ALLOC_TYPES_H */
