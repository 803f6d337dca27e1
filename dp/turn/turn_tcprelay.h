/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What RFC 6062's peer connections (dp/tcprelay) ask of TURN's
 * allocations, and all they ask: TURN's tables, keys and bindings stay
 * behind these functions (turn_internal.h and turn_inlines.h are dp/turn's
 * own). Beside them dp/tcprelay reads an allocation's plain fields
 * (turn_types.h: id, relay_tcp, relay_port, and tcp_head, the head of its
 * own list of the allocation's peer connections), the worker's relayed
 * ports (relay_min, relay_span), and sets the worker's tcp_gone hook (an
 * allocation with peer connections goes). None of this is on TURN's relay
 * path: each is called when a connection comes in or ends, on cp's
 * Connect, or when a peer connection's record is made or freed.
 */
#ifndef DP_TURN_TCPRELAY_H
#define DP_TURN_TCPRELAY_H

#include <stdbool.h>
#include <stdint.h>

struct dp_ctx;
struct dp_worker;
struct ipc_addr;
struct ipc_msg;
struct turn_alloc;
struct turn_worker;

/* The index of ip among the relayed addresses of family (NET_AF_IPV4 or
 * NET_AF_IPV6), -1 when ip is none of them. */
int turn_relay_index(const struct dp_ctx *ctx, uint8_t family, const uint8_t *ip);

/* RFC 6062 §5.3: the allocation of worker w whose relayed transport
 * address is ip (of family) and port, NULL when none is. */
struct turn_alloc *turn_alloc_by_relayed(struct dp_worker *w, uint8_t family,
					 const uint8_t *ip, uint16_t port);

/* The allocation a message of cp's is about (its tuple, its alloc_id):
 * NULL when the tuple has none, or one that is not alloc_id (the one cp
 * meant went, and another came). */
struct turn_alloc *turn_alloc_by_msg(struct turn_worker *t, const struct ipc_msg *msg);

/* RFC 8656 §9, RFC 6062 §5.3: whether a holds a permission for the peer
 * address ip (of family) that has not expired by the worker's clock. */
bool turn_alloc_permits(const struct turn_worker *t, struct turn_alloc *a, uint8_t family,
			const uint8_t *ip);

/* RFC 6062 §5.2: a's relayed address of family (its port: a->relay_port),
 * NULL when it has none of that family. Points into t's tables. */
const struct ipc_addr *turn_alloc_relayed(const struct turn_worker *t,
					  const struct turn_alloc *a, uint8_t family);

/* a's slot in t's table: what a record keeps to find a again without a
 * lookup (turn_alloc_at()). */
uint32_t turn_alloc_slot(const struct turn_worker *t, const struct turn_alloc *a);
/* The allocation in slot when it is still allocation id; NULL when that
 * one went (the slot may hold another since). */
struct turn_alloc *turn_alloc_at(struct turn_worker *t, uint32_t slot, uint64_t id);

/* a's bandwidth limit (cp's max_bps and max_bps_burst, as installed):
 * true with its rate (bytes a second) and burst (bytes), false when it
 * has none. */
bool turn_alloc_limit(const struct turn_worker *t, const struct turn_alloc *a,
		      uint32_t *rate, uint32_t *burst);

#endif /* DP_TURN_TCPRELAY_H */
