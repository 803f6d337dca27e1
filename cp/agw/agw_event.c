/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What dp says of cp/agw's contexts: an AGW_EVENT (a leg up, a leg down,
 * a termination subtracted, the context released) applied to its context,
 * written to the event log (agw.events reads it by sequence number) and
 * heard by the observers (cp_agw_observe(): cp/acct, cp/iq's Notify), an
 * AGW_STATE taken back as it is (a restarted cp), and dp's restart, which
 * released every context.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../cp.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "ipc.h"
#include "tp_conf.h"

/* Event e of context id (c: it, NULL when this cp does not know it) into
 * the log. */
static void
log_append(struct cp_ctx *cp, uint64_t id, const struct cp_agw_ctx *c,
	   const struct ipc_agw_event *e)
{
	struct cp_agw_event *l = agw_log_line(cp, CP_AGW_KIND_TCP, id, c);

	l->e = *e;
	l->e.detail[IPC_AGW_DETAIL_MAX - 1] = '\0';
}

static void
ctx_free(struct cp_agw *g, struct cp_agw_ctx *c)
{
	for (unsigned int i = 0; i < 2; i++)
		if (c->tcp.term[i].tcp_role == IPC_AGW_TCP_SERVER)
			agw_port_set(g, c->tcp.term[i].local.port, false);
	agw_ctx_put(g, c);
}

void
cp_agw_event(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct cp_agw *g = cp->agw;
	const struct ipc_agw_event *e = (const void *)msg->body;
	struct cp_agw_ctx *c, was;
	struct cp_agw_tcp *x;
	unsigned int leg = e->leg;

	(void)w;
	if (g == NULL)
		return;
	c = agw_kind_of_id(msg->h.alloc_id) == CP_AGW_KIND_TCP ? agw_ctx_of_id(g, msg->h.alloc_id) :
									 NULL;
	log_append(cp, msg->h.alloc_id, c, e);
	if (c == NULL) {
		g->stats[CP_AGW_STAT_EVENTS_UNKNOWN]++;
		return;
	}
	x = &c->tcp;
	if (e->type != IPC_AGW_EV_RELEASED &&
	    (leg > 1 || x->term[leg].tcp_role == IPC_AGW_TCP_NONE ||
	     x->term[leg].serial != e->serial)) {
		/* of a termination subtracted since (cp emptied its slot at
		 * once; another may hold it now): the log has it, and the
		 * observers (its bytes), the slot is not its */
		g->stats[CP_AGW_STAT_EVENTS_STALE]++;
		agw_tell(cp, c, e);
		return;
	}
	for (unsigned int i = 0; i < 2; i++) {
		x->bytes_in[i] = e->bytes_in[i];
		x->bytes_out[i] = e->bytes_out[i];
	}
	switch (e->type) {
	case IPC_AGW_EV_LEG_UP:
		x->leg_state[leg] = CP_AGW_LEG_UP;
		x->leg_local[leg] = e->local;
		x->leg_remote[leg] = e->remote;
		x->tls_version[leg] = e->tls_version;
		if (c->state == CP_AGW_INSTALLING)
			c->state = CP_AGW_ACTIVE;
		g->stats[CP_AGW_STAT_LEGS_UP]++;
		break;
	case IPC_AGW_EV_LEG_DOWN:
		x->leg_state[leg] = CP_AGW_LEG_DOWN;
		x->leg_cause[leg] = e->cause;
		if (e->local.family != 0 && x->leg_local[leg].family == 0) {
			x->leg_local[leg] = e->local;
			x->leg_remote[leg] = e->remote;
		}
		g->stats[CP_AGW_STAT_LEGS_DOWN]++;
		break;
	case IPC_AGW_EV_SUBTRACTED:
		/* (dp could not install a termination added: the slot is
		 * empty again) */
		agw_slot_clear(g, c, leg);
		break;
	case IPC_AGW_EV_RELEASED:
		g->stats[CP_AGW_STAT_RELEASED]++;
		g->released_by[e->cause <= IPC_AGW_CAUSE_MAX ? e->cause : 0]++;
		tp_log(TP_LOG_INFO, "agw: context %" PRIu64 " released: %s%s%s\n", c->id,
		       ipc_agw_cause_name(e->cause), e->detail[0] ? ": " : "", e->detail);
		was = *c;
		ctx_free(g, c);
		agw_tell(cp, &was, e);
		return;
	default:
		break;
	}
	agw_tell(cp, c, e);
}

void
cp_agw_state(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct cp_agw *g = cp->agw;
	const struct ipc_agw_state *s = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	struct cp_agw_ctx *c = g != NULL ? agw_state_slot(g, CP_AGW_KIND_TCP, w, id) : NULL;
	struct cp_agw_tcp *x;
	unsigned int door, tenant;

	if (c == NULL) {
		if (g != NULL)
			g->stats[CP_AGW_STAT_EVENTS_UNKNOWN]++;
		return;
	}
	if (c->id == id)
		return;
	if (c->id != 0)
		ctx_free(g, c);
	memset(c, 0, sizeof(*c));
	x = &c->tcp;
	x->setup_ms = s->ctx.setup_ms;
	memcpy(x->term, s->ctx.term, sizeof(x->term));
	door = x->term[0].tcp_role != IPC_AGW_TCP_NONE ? x->term[0].door : x->term[1].door;
	tenant = x->term[0].tcp_role != IPC_AGW_TCP_NONE ? x->term[0].tenant : x->term[1].tenant;
	/* (a tenant gone from the configuration since: the default's) */
	if (tenant > cp->conf->tenants.n)
		tenant = 0;
	c->state = CP_AGW_INSTALLING;
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_agw_leg_state *l = &s->leg[i];

		if (x->term[i].serial > c->serial_next)
			c->serial_next = x->term[i].serial;
		if (x->term[i].tcp_role == IPC_AGW_TCP_NONE) {
			x->leg_state[i] = CP_AGW_LEG_EMPTY;
			continue;
		}
		x->leg_state[i] = l->state;
		x->tls_version[i] = l->tls_version;
		x->bytes_in[i] = l->bytes_in;
		x->bytes_out[i] = l->bytes_out;
		if (l->state != CP_AGW_LEG_WAITING) {
			x->leg_local[i] = l->local;
			x->leg_remote[i] = l->remote;
		}
		if (l->state == CP_AGW_LEG_UP)
			c->state = CP_AGW_ACTIVE;
		if (x->term[i].tcp_role == IPC_AGW_TCP_SERVER)
			agw_port_set(g, x->term[i].local.port, true);
	}
	/* (created: when this cp learnt of it) */
	agw_ctx_restored(g, c, id, door, tenant, cp->wall_ms);
	g->stats[CP_AGW_STAT_RESTORED]++;
}

void
cp_agw_dp_restart(struct cp_ctx *cp)
{
	struct cp_agw *g = cp->agw;
	struct cp_agw_table *t;
	size_t n;

	/* (RTP contexts outlive it: cp installs them again) */
	cp_agw_rtp_dp_restart(cp);
	if (g == NULL || g->tab[CP_AGW_KIND_TCP].total == 0)
		return;
	t = &g->tab[CP_AGW_KIND_TCP];
	n = (size_t)g->nworkers * t->per_worker;
	for (size_t k = 0; k < n; k++) {
		struct cp_agw_ctx *c = &t->ctx[k];
		struct ipc_agw_event e;

		if (c->id == 0)
			continue;
		memset(&e, 0, sizeof(e));
		e.type = IPC_AGW_EV_RELEASED;
		e.leg = IPC_AGW_LEG_NONE;
		e.cause = IPC_AGW_DP_RESTART;
		for (unsigned int i = 0; i < 2; i++) {
			e.bytes_in[i] = c->tcp.bytes_in[i];
			e.bytes_out[i] = c->tcp.bytes_out[i];
		}
		e.detail_len = (uint16_t)snprintf(e.detail, sizeof(e.detail),
						  "turnpike-dp restarted (epoch %" PRIu64 ")",
						  cp->seg.shm->dp_epoch);
		log_append(cp, c->id, c, &e);
		g->stats[CP_AGW_STAT_DP_RESTART]++;
		g->stats[CP_AGW_STAT_RELEASED]++;
		g->released_by[IPC_AGW_DP_RESTART]++;
		{
			struct cp_agw_ctx was = *c;

			ctx_free(g, c);
			agw_tell(cp, &was, &e);
		}
	}
}

