/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's files among themselves: what one of them defines and another
 * calls, and the table helpers several run. Nothing here is for another
 * module: cp_agw.h is the C API.
 */
#ifndef CP_AGW_INTERNAL_H
#define CP_AGW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_agw.h"
#include "ipc.h"

struct cp_ctx;
struct json_object;

/* Context id, or NULL (a free slot, or an id of an older generation). */
static inline struct cp_agw_ctx *
agw_ctx_of_id(struct cp_agw *g, uint64_t id)
{
	unsigned int w = ipc_conn_worker(id);
	uint32_t slot = ipc_conn_slot(id);
	struct cp_agw_ctx *c;

	if (id == 0 || w >= g->nworkers || slot >= g->per_worker)
		return NULL;
	c = &g->ctx[(size_t)w * g->per_worker + slot];
	return c->id == id ? c : NULL;
}

/* Server port p of agw.ports is a context's (used) or free. */
static inline void
agw_port_set(struct cp_agw *g, uint16_t p, bool used)
{
	if (used)
		g->ports_used[p / 64] |= 1ull << (p % 64);
	else
		g->ports_used[p / 64] &= ~(1ull << (p % 64));
}

static inline bool
agw_port_used(const struct cp_agw *g, uint16_t p)
{
	return (g->ports_used[p / 64] >> (p % 64)) & 1u;
}

/* Context c holds a slot (d +1) or no longer does (d -1): the live
 * counts by door and tenant the quotas read. The door's row as
 * struct cp_agw's live says; a tenant is bounded by whoever set it
 * (cp_agw_create(), cp_agw_state()). */
static inline void
agw_live_count(struct cp_agw *g, const struct cp_agw_ctx *c, int d)
{
	unsigned int door = c->door < CP_AGW_DOORS ? c->door : CP_AGW_DOORS;
	unsigned int t = c->tenant <= TP_CONF_MAX_TENANTS ? c->tenant : 0;

	g->live[door][t] = (uint32_t)((int64_t)g->live[door][t] + d);
}

/* ---- cp_agw.c: the contexts and the C API ---- */

/* Slot i of c is empty again (its server port free). */
void agw_slot_clear(struct cp_agw *g, struct cp_agw_ctx *c, unsigned int i);

/* ---- agw_rules.c: the rules every door's termination goes through ---- */

/*
 * Termination t for slot i, as a door gave it, checked and completed
 * (a client's source address from the route): the TLS group for TLS,
 * agw.peers for its remote, what each TCP role needs, dp's addresses,
 * the fingerprint rules (RFC 8122's strongest hash; sha-1 alone only
 * with agw.allow_sha1), accept_any's. 0, -EINVAL or -EACCES (agw.peers)
 * with err said.
 */
int agw_term_check(struct cp_ctx *cp, unsigned int i, struct ipc_agw_term *t, bool accept_any,
		   char *err, size_t errlen);
/*
 * A Modify of slot i from termination cur (its leg in state, enum
 * cp_agw_leg_state) to n, n checked by agw_term_check() already: who may
 * take the leg only narrows. Every fingerprint of n is one cur holds
 * (they came from the Add); a TLS leg taken (up, or down since) keeps
 * its remote and fingerprints. 0, or -EPERM with err said.
 */
int agw_mod_check(unsigned int i, const struct ipc_agw_term *cur, uint8_t state,
		  const struct ipc_agw_term *n, char *err, size_t errlen);

/* ---- agw_render.c: contexts and events as the operator reads them ---- */

/* enum cp_agw_state's name. */
const char *agw_state_name(uint8_t s);
/* A context as JSON (agw.show, agw.list, the create's answer); alg: our
 * fingerprints' hash (lib/certfp's, less one). */
struct json_object *agw_ctx_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg);
/* One line of the event log as JSON (agw.events), with its context's
 * door and tenant when known. */
struct json_object *agw_event_json(const struct cp_ctx *cp, const struct cp_agw_event *l);

#endif /* CP_AGW_INTERNAL_H */
