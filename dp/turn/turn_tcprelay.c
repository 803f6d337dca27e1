/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What RFC 6062's peer connections (dp/tcprelay) ask of TURN's
 * allocations (turn_tcprelay.h): an allocation by its relayed transport
 * address, by cp's message, by its slot; its permissions, relayed
 * address and bandwidth limit. Out of line over TURN's own inlines, so
 * that dp/tcprelay sees none of TURN's tables; none of it is on TURN's
 * relay path. turn_cp.c finds the allocations of cp's messages with
 * turn_alloc_by_msg() too; turn_relay_index() is turn_table.c's.
 */
#include <stddef.h>
#include <stdint.h>

#include "turn.h"
#include "turn_inlines.h"
#include "turn_tcprelay.h"

struct turn_alloc *
turn_alloc_by_relayed(struct dp_worker *w, uint8_t family, const uint8_t *ip, uint16_t port)
{
	struct turn_worker *t = w->turn;
	int idx = turn_relay_index(w->ctx, family, ip);

	if (idx < 0 || port < t->relay_min || (uint32_t)(port - t->relay_min) >= t->relay_span)
		return NULL;
	return turn_alloc_by_relay(t, turn_relay_tbl(t, family, (unsigned int)idx), port);
}

struct turn_alloc *
turn_alloc_by_msg(struct turn_worker *t, const struct ipc_msg *msg)
{
	const struct ipc_tuple *tu = &msg->h.tuple;
	union turn_keyu k;
	struct turn_alloc *a;

	a = turn_alloc_by_tuple(t, &k, turn_key_from(&k, tu->transport, tu->conn_id,
						       tu->client.family, tu->in_port,
						       tu->client.ip, tu->client.port,
						       tu->server.port));
	return a != NULL && a->id == msg->h.alloc_id ? a : NULL;
}

bool
turn_alloc_permits(const struct turn_worker *t, struct turn_alloc *a, uint8_t family,
		   const uint8_t *ip)
{
	return turn_perm_ok(t, a, family, ip, t->now_ms);
}

const struct ipc_addr *
turn_alloc_relayed(const struct turn_worker *t, const struct turn_alloc *a, uint8_t family)
{
	return turn_relayed_for(t, a, family);
}

uint32_t
turn_alloc_slot(const struct turn_worker *t, const struct turn_alloc *a)
{
	return (uint32_t)(a - t->allocs);
}

struct turn_alloc *
turn_alloc_at(struct turn_worker *t, uint32_t slot, uint64_t id)
{
	struct turn_alloc *a = &t->allocs[slot];

	return a->id == id ? a : NULL;
}

bool
turn_alloc_limit(const struct turn_worker *t, const struct turn_alloc *a, uint32_t *rate,
		 uint32_t *burst)
{
	const struct police *p;

	if (t->bw == NULL)
		return false;
	/* (both directions have the same: turn_bw_set()) */
	p = &t->bw[a - t->allocs].pol[TURN_BW_TO_PEER];
	if (p->rate == 0)
		return false;
	*rate = p->rate;
	*burst = p->burst;
	return true;
}
