/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's contexts as one table, whatever their kind (agw_internal.h):
 * each kind's slots (its own bound a worker), the ids they give (the
 * connection ids' layout, worker | slot | generation, with the kind's
 * generation bit) and the one place an id says its kind, the free slot a
 * new context takes and the slot a restarted cp's STATE names, the live
 * counts by door and tenant and the quotas that read them, a context's
 * termination serials, the observers, the event log. The kinds fill a
 * context's own part and say what dp told; this file knows none of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cp.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "ipc.h"
#include "tp_conf.h"

/* ---- a kind's table ------------------------------------------------------------------ */

int
agw_table_init(struct cp_agw_table *t, unsigned int nworkers, uint32_t per_worker)
{
	size_t n = (size_t)nworkers * per_worker;

	memset(t, 0, sizeof(*t));
	if (n == 0)
		return 0;
	t->ctx = calloc(n, sizeof(*t->ctx));
	t->gen = calloc(n, sizeof(*t->gen));
	if (t->ctx == NULL || t->gen == NULL) {
		free(t->ctx);
		free(t->gen);
		memset(t, 0, sizeof(*t));
		return -ENOMEM;
	}
	t->per_worker = per_worker;
	return 0;
}

void
agw_table_fini(struct cp_agw_table *t, unsigned int nworkers)
{
	/* (what a context holds of keys goes with it) */
	if (t->ctx != NULL)
		explicit_bzero(t->ctx, (size_t)nworkers * t->per_worker * sizeof(*t->ctx));
	free(t->ctx);
	free(t->gen);
	memset(t, 0, sizeof(*t));
}

/* ---- ids ------------------------------------------------------------------------------ */

struct cp_agw_ctx *
agw_ctx_of_id(struct cp_agw *g, uint64_t id)
{
	const struct cp_agw_table *t = &g->tab[agw_kind_of_id(id)];
	unsigned int w = ipc_conn_worker(id);
	uint32_t slot = ipc_conn_slot(id);
	struct cp_agw_ctx *c;

	if (id == 0 || w >= g->nworkers || slot >= t->per_worker)
		return NULL;
	c = &t->ctx[(size_t)w * t->per_worker + slot];
	return c->id == id ? c : NULL;
}

int
agw_slot_find(const struct cp_agw_table *t, unsigned int w, uint32_t *slot)
{
	for (uint32_t k = 0; k < t->per_worker; k++) {
		uint32_t s = (t->cursor[w] + k) % t->per_worker;

		if (t->ctx[(size_t)w * t->per_worker + s].id == 0) {
			*slot = s;
			return 0;
		}
	}
	return -ENOSPC;
}

uint64_t
agw_id_next(const struct cp_agw *g, unsigned int kind, unsigned int w, uint32_t slot)
{
	const struct cp_agw_table *t = &g->tab[kind];
	uint32_t bit = agw_gen_bit(kind);
	/* (the kind's bit kept apart: a TCP id never equals an RTP one) */
	uint32_t gen = (t->gen[(size_t)w * t->per_worker + slot] + 1u) & ~CP_AGW_RTP_GEN_BIT;

	if (gen == 0)
		gen = 1;
	return ipc_conn_make(w, slot, gen | bit);
}

/* c (of kind, id's slot) counts as live (d +1) or no longer (d -1). */
static void
live_count(struct cp_agw_table *t, const struct cp_agw_ctx *c, int d)
{
	unsigned int door = c->door < CP_AGW_DOORS ? c->door : CP_AGW_DOORS;
	unsigned int tn = c->tenant <= TP_CONF_MAX_TENANTS ? c->tenant : 0;

	t->live[door][tn] = (uint32_t)((int64_t)t->live[door][tn] + d);
}

/* c is context id of door and tenant, made at wall_ms: what every kind
 * has of it, and the counts. */
static void
ctx_enter(struct cp_agw_table *t, struct cp_agw_ctx *c, uint64_t id, unsigned int door,
	  unsigned int tenant, uint64_t wall_ms)
{
	c->id = id;
	c->kind = (uint8_t)agw_kind_of_id(id);
	c->worker = (uint8_t)ipc_conn_worker(id);
	c->door = (uint8_t)door;
	c->tenant = (uint8_t)tenant;
	c->created_wall_ms = wall_ms;
	t->nctx[c->worker]++;
	t->total++;
	live_count(t, c, +1);
}

struct cp_agw_ctx *
agw_ctx_take(struct cp_agw *g, uint64_t id, unsigned int door, unsigned int tenant,
	     const char *label, uint64_t wall_ms)
{
	unsigned int kind = agw_kind_of_id(id), w = ipc_conn_worker(id);
	struct cp_agw_table *t = &g->tab[kind];
	uint32_t slot = ipc_conn_slot(id);
	size_t k = (size_t)w * t->per_worker + slot;
	struct cp_agw_ctx *c = &t->ctx[k];

	t->gen[k] = ipc_conn_gen(id) & ~CP_AGW_RTP_GEN_BIT;
	t->cursor[w] = (slot + 1u) % t->per_worker;
	memset(c, 0, sizeof(*c));
	if (label != NULL)
		snprintf(c->label, sizeof(c->label), "%s", label);
	ctx_enter(t, c, id, door, tenant, wall_ms);
	return c;
}

void
agw_ctx_put(struct cp_agw *g, struct cp_agw_ctx *c)
{
	struct cp_agw_table *t = &g->tab[c->kind];

	t->nctx[c->worker]--;
	t->total--;
	live_count(t, c, -1);
	c->id = 0;
	c->state = CP_AGW_FREE;
}

struct cp_agw_ctx *
agw_state_slot(struct cp_agw *g, unsigned int kind, unsigned int w, uint64_t id)
{
	struct cp_agw_table *t = &g->tab[kind];
	uint32_t slot = ipc_conn_slot(id);

	if (w >= g->nworkers || ipc_conn_worker(id) != w || slot >= t->per_worker ||
	    agw_kind_of_id(id) != kind)
		return NULL;
	return &t->ctx[(size_t)w * t->per_worker + slot];
}

void
agw_ctx_restored(struct cp_agw *g, struct cp_agw_ctx *c, uint64_t id, unsigned int door,
		 unsigned int tenant, uint64_t wall_ms)
{
	struct cp_agw_table *t = &g->tab[agw_kind_of_id(id)];
	size_t k = (size_t)ipc_conn_worker(id) * t->per_worker + ipc_conn_slot(id);
	uint32_t gen = ipc_conn_gen(id) & ~CP_AGW_RTP_GEN_BIT;

	if (gen > t->gen[k])
		t->gen[k] = gen;
	ctx_enter(t, c, id, door, tenant, wall_ms);
}

/* ---- the live counts ------------------------------------------------------------------ */

uint32_t
agw_table_live(const struct cp_agw_table *t, unsigned int door, unsigned int tenant)
{
	uint32_t n = 0;

	for (unsigned int d = 0; d <= CP_AGW_DOORS; d++)
		for (unsigned int tn = 0; tn <= TP_CONF_MAX_TENANTS; tn++)
			if ((door == CP_AGW_DOORS || d == door) &&
			    (tenant > TP_CONF_MAX_TENANTS || tn == tenant))
				n += t->live[d][tn];
	return n;
}

uint32_t
cp_agw_live(const struct cp_agw *g, unsigned int door, unsigned int tenant)
{
	uint32_t n = 0;

	for (unsigned int k = 0; k < CP_AGW_KINDS; k++)
		n += agw_table_live(&g->tab[k], door, tenant);
	return n;
}

/* Is a context of door and tenant past a quota? 0, or -ENOSPC with the
 * quota named in err and counted by which: the door's (agw.quota.api,
 * .iq or .ng: the key is the door's name), then the tenant's (a named
 * one's agw_contexts, the default's agw.quota.default_tenant). Each bounds
 * its own contexts alone, so one door or tenant at its quota never stops
 * the others. */
int
agw_quota_check(struct cp_ctx *cp, enum cp_agw_door door, unsigned int tenant, char *err,
		size_t errlen)
{
	static const struct {
		const char *what;         /* the door, for an operator */
		enum cp_agw_stat stat;
	} doors[CP_AGW_DOORS] = {
		[CP_AGW_DOOR_API] = { "JSON API", CP_AGW_STAT_QUOTA_API },
		[CP_AGW_DOOR_IQ] = { "Iq (H.248)", CP_AGW_STAT_QUOTA_IQ },
		[CP_AGW_DOOR_NG] = { "ng (rtpengine's protocol)", CP_AGW_STAT_QUOTA_NG },
	};
	struct cp_agw *g = cp->agw;
	const struct tp_conf *conf = cp->conf;
	const uint32_t quota[CP_AGW_DOORS] = {
		[CP_AGW_DOOR_API] = conf->agw.quota.api,
		[CP_AGW_DOOR_IQ] = conf->agw.quota.iq,
		[CP_AGW_DOOR_NG] = conf->agw.quota.ng,
	};
	uint32_t q = (unsigned int)door < CP_AGW_DOORS ? quota[door] : 0;
	uint32_t n = cp_agw_live(g, door, TP_CONF_MAX_TENANTS + 1);

	if (q != 0 && n >= q) {
		g->stats[doors[door].stat]++;
		snprintf(err, errlen, "the %s door holds %u live contexts, its quota "
			 "(agw.quota.%s %u): one must end first", doors[door].what, n,
			 cp_agw_door_name(door), q);
		return -ENOSPC;
	}
	q = tenant == 0 ? conf->agw.quota.default_tenant : conf->tenants.t[tenant - 1].agw_contexts;
	n = cp_agw_live(g, CP_AGW_DOORS, tenant);
	if (q != 0 && n >= q) {
		g->stats[CP_AGW_STAT_QUOTA_TENANT]++;
		if (tenant == 0)
			snprintf(err, errlen, "the default tenant holds %u live contexts, its quota "
				 "(agw.quota.default_tenant %u): one must end first", n, q);
		else
			snprintf(err, errlen, "tenant '%s' holds %u live contexts, its quota "
				 "(its agw_contexts %u): one must end first",
				 conf->tenants.t[tenant - 1].name, n, q);
		return -ENOSPC;
	}
	return 0;
}

void
cp_agw_by_tenant(const struct cp_ctx *cp, uint32_t *counts, unsigned int n)
{
	const struct cp_agw *g = cp->agw;
	const struct cp_agw_table *t;

	memset(counts, 0, n * sizeof(*counts));
	if (g == NULL || n == 0)
		return;
	/* (TCP contexts only: what turnpikectl tenants' agw_contexts
	 * counts; cp_agw_live(), the quotas' counts, has every kind's) */
	t = &g->tab[CP_AGW_KIND_TCP];
	for (size_t k = 0; k < (size_t)g->nworkers * t->per_worker; k++)
		if (t->ctx[k].id != 0)
			counts[t->ctx[k].tenant < n ? t->ctx[k].tenant : 0]++;
}

/* ---- serials --------------------------------------------------------------------------- */

uint16_t
agw_serial_peek(const struct cp_agw_ctx *c)
{
	return (uint16_t)(c->serial_next + 1u != 0 ? c->serial_next + 1u : 1u);
}

uint16_t
agw_serial_next(struct cp_agw_ctx *c)
{
	if (++c->serial_next == 0)
		c->serial_next = 1;
	return c->serial_next;
}

/* ---- observers and the event log ----------------------------------------------------- */

int
cp_agw_observe(struct cp_ctx *cp, enum cp_agw_kind kind, cp_agw_observer_fn fn, void *arg)
{
	struct cp_agw *g = cp->agw;
	unsigned int n = 0;

	if (g == NULL || (unsigned int)kind >= CP_AGW_KINDS || g->tab[kind].per_worker == 0)
		return -ENODEV;
	for (unsigned int k = 0; k < g->nobs; k++)
		n += g->obs[k].kind == kind;
	if (fn == NULL || n == CP_AGW_OBSERVERS)
		return -ENOSPC;
	g->obs[g->nobs].kind = (uint8_t)kind;
	g->obs[g->nobs].fn = fn;
	g->obs[g->nobs].arg = arg;
	g->nobs++;
	return 0;
}

void
agw_tell(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *e)
{
	struct cp_agw *g = cp->agw;

	for (unsigned int k = 0; k < g->nobs; k++)
		if (g->obs[k].kind == c->kind)
			g->obs[k].fn(cp, c, e, g->obs[k].arg);
}

struct cp_agw_event *
agw_log_line(struct cp_ctx *cp, unsigned int kind, uint64_t id, const struct cp_agw_ctx *c)
{
	struct cp_agw *g = cp->agw;
	struct cp_agw_event *l = &g->log[g->next_seq & (CP_AGW_LOG - 1u)];

	memset(l, 0, sizeof(*l));
	l->seq = g->next_seq++;
	l->wall_ms = cp->wall_ms;
	l->id = id;
	l->known = c != NULL;
	l->door = c != NULL ? c->door : CP_AGW_DOORS;
	l->tenant = c != NULL ? c->tenant : 0;
	l->kind = (uint8_t)kind;
	g->stats[CP_AGW_STAT_EVENTS]++;
	return l;
}

/* ---- what a kind has nothing to do for ----------------------------------------------- */

unsigned int
agw_no_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	(void)cp;
	(void)now_ms;
	return 0;
}

void
agw_no_metrics(const struct cp_ctx *cp, FILE *f)
{
	(void)cp;
	(void)f;
}

int
agw_send(struct cp_ctx *cp, unsigned int w, uint16_t kind, uint64_t id, const void *body,
	 uint16_t len)
{
	/* a step-down's RTP_DELs that waited for room go first: nothing of
	 * this worker's passes them (an RTP_ADD of the same context, or of
	 * another on its ports, would reach dp while it still holds the
	 * stale one; docs/design/ha.md §4 S3) */
	if (agw_rtp_yield_flush(cp, w) > 0)
		return -ENOBUFS;
	return agw_send_now(cp, w, kind, id, body, len);
}

int
agw_send_now(struct cp_ctx *cp, unsigned int w, uint16_t kind, uint64_t id, const void *body,
	     uint16_t len)
{
	static struct ipc_msg m;
	int rc;

	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = kind;
	m.h.alloc_id = id;
	m.h.body_len = len;
	if (len > 0)
		memcpy(m.body, body, len);
	/* (checked as dp checks it; the body, which holds keys, wiped) */
	rc = cp_dp_send(cp, w, &m, CP_RING_HEADROOM);
	/* what a door's reply may hand out (a port to send to, to connect
	 * to) waits for dp to hold it: agw_held.c */
	if (rc == 0 && (kind == IPC_AGW_ADD || kind == IPC_AGW_MOD || kind == IPC_RTP_ADD ||
			kind == IPC_RTP_MOD))
		agw_held_changed(cp->agw, w);
	if (rc == 0 && (kind == IPC_RTP_ADD || kind == IPC_RTP_MOD) && cp->agw->rtp_sent != NULL)
		cp->agw->rtp_sent(cp, id, kind, cp->agw->rtp_sent_arg);
	if (rc == 0 && (kind == IPC_AGW_ADD || kind == IPC_AGW_MOD) && cp->agw->tcp_sent != NULL)
		cp->agw->tcp_sent(cp, id, kind, cp->agw->tcp_sent_arg);
	return rc;
}

void
cp_agw_on_rtp_sent(struct cp_ctx *cp, cp_agw_rtp_sent_fn fn, void *arg)
{
	if (cp->agw == NULL)
		return;
	cp->agw->rtp_sent = fn;
	cp->agw->rtp_sent_arg = arg;
}

void
cp_agw_on_tcp_sent(struct cp_ctx *cp, cp_agw_rtp_sent_fn fn, void *arg)
{
	if (cp->agw == NULL)
		return;
	cp->agw->tcp_sent = fn;
	cp->agw->tcp_sent_arg = arg;
}
