/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li: dp's delivery figures (lib/ipc LI_STATUS; docs/design/li.md
 * §2.4, §3.4; issue 70). dp's tp-li reports, at most once a second, what
 * moved since its last report: per destination address (its connection's
 * state, PDUs delivered, dropped by why) and per task XID (X2 and X3 PDUs
 * delivered and lost, the newest copy's time). cp adds them up here and
 * answers them in GetTaskDetails and GetAllDetails (li_answer.c), over
 * X1 only: no log line, status part or metric names or counts them
 * (§2.6). A task's figures go with it (DeactivateTask wipes it); a
 * destination's are by address, so a DID modified to another address
 * answers that address's.
 */
#include <string.h>

#include "ipc_types.h"
#include "li.h"
#include "li_internal.h"

/* *sum + n, held at INT64_MAX: X1's amounts are xs:integer written from
 * int64 (li_answer.c), and a figure must not wrap to a negative or
 * smaller one however many reports add up (lib/ipc already refuses a
 * count of 2^63 or more in one). */
static void
fig_add(uint64_t *sum, uint64_t n)
{
	*sum = n >= (uint64_t)INT64_MAX - *sum ? (uint64_t)INT64_MAX : *sum + n;
}

static bool
fig_is(const struct cp_li_dest_fig *f, uint8_t family, const uint8_t *ip, uint16_t port)
{
	return f->used && f->family == family && f->port == port &&
	       memcmp(f->addr, ip, family == 4 ? 4 : 16) == 0;
}

/* Whether a provisioned destination names this address. */
static bool
named(const struct cp_li *li, const struct cp_li_dest_fig *f)
{
	for (unsigned int i = 0; i < li->ndests; i++) {
		const struct x1_dest *d = &li->dests[i].d;

		if (d->ip_port && d->tcp && fig_is(f, d->family, d->addr, d->port))
			return true;
	}
	return false;
}

/* The figures of address a (found; else a free entry, or one no
 * destination names any more), or NULL. */
static struct cp_li_dest_fig *
fig_of(struct cp_li *li, const struct ipc_addr *a)
{
	struct cp_li_dest_fig *fr = NULL;

	for (unsigned int i = 0; i < CP_LI_DESTS_MAX; i++) {
		struct cp_li_dest_fig *f = &li->dfig[i];

		if (fig_is(f, a->family, a->ip, a->port))
			return f;
		if (fr == NULL && !f->used)
			fr = f;
	}
	for (unsigned int i = 0; fr == NULL && i < CP_LI_DESTS_MAX; i++)
		if (!named(li, &li->dfig[i]))
			fr = &li->dfig[i];
	if (fr == NULL)
		return NULL;
	memset(fr, 0, sizeof(*fr));
	fr->used = true;
	fr->family = a->family;
	memcpy(fr->addr, a->ip, a->family == 4 ? 4 : 16);
	fr->port = a->port;
	return fr;
}

void
cp_li_status_take(struct cp_li *li, const struct ipc_li_status *x)
{
	for (unsigned int i = 0; i < x->ndest && i < IPC_LI_ST_DESTS; i++) {
		const struct ipc_li_dest_st *d = &x->dest[i];
		struct cp_li_dest_fig *f = fig_of(li, &d->addr);

		if (f == NULL)
			continue;
		f->state = d->state;
		if (d->fault != IPC_LI_FAULT_NONE)
			f->fault = d->fault;
		fig_add(&f->delivered, d->delivered);
		fig_add(&f->dropped_down, d->dropped_down);
		fig_add(&f->dropped_full, d->dropped_full);
		fig_add(&f->dropped_lost, d->dropped_lost);
		fig_add(&f->failures, d->failures);
	}
	for (unsigned int i = 0; i < x->ntask && i < IPC_LI_ST_TASKS; i++) {
		const struct ipc_li_task_st *t = &x->task[i];
		int k = cp_li_task_index(li, t->xid);
		struct cp_li_task_fig *g;

		if (k < 0)
			continue;       /* deactivated since: its figures go with it */
		g = &li->tasks[k]->fig;
		fig_add(&g->x2_delivered, t->x2_delivered);
		fig_add(&g->x2_lost, t->x2_lost);
		fig_add(&g->x3_delivered, t->x3_delivered);
		fig_add(&g->x3_lost, t->x3_lost);
		/* lib/ipc holds last_us to IPC_LI_LAST_US_MAX: an int64 */
		if ((int64_t)t->last_us > g->last_us)
			g->last_us = (int64_t)t->last_us;
	}
}

const struct cp_li_dest_fig *
cp_li_dest_fig(const struct cp_li *li, const struct x1_dest *d)
{
	if (!d->ip_port || !d->tcp)
		return NULL;
	for (unsigned int i = 0; i < CP_LI_DESTS_MAX; i++)
		if (fig_is(&li->dfig[i], d->family, d->addr, d->port))
			return &li->dfig[i];
	return NULL;
}
