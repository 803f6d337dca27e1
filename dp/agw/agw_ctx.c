/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw's contexts as cp changes them: installed in the slot their id
 * names (AGW_ADD: each termination checked against this worker, a
 * server's port mapped to the context, a client's connect begun), one leg
 * at a time (AGW_MOD: a termination joins an empty slot, one's remote,
 * fingerprints, DSCP and policing change, one is subtracted), released
 * (AGW_DEL); and the owner of each context's splice: a leg's end and the
 * context's as the controller hears them (the splice's causes mapped to
 * AGW's, a sentence), the legs' policing timers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "agw_private.h"
#include "session.h"
#include "splice.h"
#include "tcp.h"
#include "tw.h"

/* ---- the splice's owner ---------------------------------------------------- */

/* The splice's causes as the controller hears them (ipc_agw_causes.def). */
const uint8_t agw_cause_of[SPLICE_CAUSE__COUNT] = {
	[SPLICE_CAUSE_NONE] = IPC_AGW_NONE,
	[SPLICE_CAUSE_FIN] = IPC_AGW_FIN,
	[SPLICE_CAUSE_CLOSE_NOTIFY] = IPC_AGW_CLOSE_NOTIFY,
	[SPLICE_CAUSE_RST] = IPC_AGW_RST,
	[SPLICE_CAUSE_TIMEOUT] = IPC_AGW_TIMEOUT,
	[SPLICE_CAUSE_TLS_ALERT] = IPC_AGW_TLS_ALERT,
	[SPLICE_CAUSE_TLS_HANDSHAKE] = IPC_AGW_TLS_HANDSHAKE,
	[SPLICE_CAUSE_TLS_ERROR] = IPC_AGW_TLS_ERROR,
	[SPLICE_CAUSE_CONNECT_FAILED] = IPC_AGW_CONNECT_FAILED,
	[SPLICE_CAUSE_OTHER_LEG] = IPC_AGW_OTHER_LEG,
	[SPLICE_CAUSE_RELEASED] = IPC_AGW_CONTROLLER,
	[SPLICE_CAUSE_EXPIRED] = IPC_AGW_SETUP_TIMEOUT,
	[SPLICE_CAUSE_START_FAILED] = IPC_AGW_SETUP_FAILED,
	[SPLICE_CAUSE_NO_MEMORY] = IPC_AGW_NO_MEMORY,
};
_Static_assert(SPLICE_LEG_NONE == IPC_AGW_LEG_NONE, "the release's leg goes to cp as is");

static uint8_t
agw_cause(uint8_t why)
{
	return why < SPLICE_CAUSE__COUNT ? agw_cause_of[why] : IPC_AGW_NONE;
}

/* Why the context ended when no leg of its own did (the controller's
 * release, the setup deadline): its sentence in buf, or NULL. */
static const char *
ctx_sentence(const struct agw_ctx *c, const struct splice *sp, char *buf, size_t size)
{
	if (sp->why == SPLICE_CAUSE_RELEASED) {
		/* (a subtract that left no leg, not one whose other leg
		 * could hold nothing more) */
		bool last = c->sub != 0 && c->sub < AGW_SUB_RESTART &&
			    c->term[(c->sub - 1u) ^ 1u].tcp_role == IPC_AGW_TCP_NONE;

		return last ? "its last termination subtracted by the controller" :
		       "released by the controller";
	}
	if (sp->why == SPLICE_CAUSE_EXPIRED) {
		static const char *const legs[2][3] = {
			{ "not 0", "0", "none in 0" }, { "not 1", "1", "none in 1" } };

		snprintf(buf, size, "legs up: %s, %s at the setup deadline%s%.170s",
			 legs[0][c->term[0].tcp_role == IPC_AGW_TCP_NONE ? 2 : c->up[0]],
			 legs[1][c->term[1].tcp_role == IPC_AGW_TCP_NONE ? 2 : c->up[1]],
			 c->refused[0] != '\0' ? "; last " : "", c->refused);
		return buf;
	}
	return NULL;
}

static void
agw_leg_down(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	struct agw_ctx *c = agw_ctx_of_splice(sp);
	const struct splice_leg *l = &sp->leg[i];

	if (c->term[i].tcp_role == IPC_AGW_TCP_NONE)
		return;                   /* (an empty slot: no termination to end) */
	if (c->sub == AGW_SUB_RESTART + i)
		return;                   /* (a modify restarts it: it goes on) */
	if (c->sub == i + 1u) {
		agw_ev_push(w, c->id, c, IPC_AGW_EV_SUBTRACTED, i, agw_cause(l->why),
			    "subtracted by the controller");
		return;
	}
	if (c->detail[i][0] == '\0') {
		if (l->why == SPLICE_CAUSE_OTHER_LEG) {
			const struct splice_leg *o = &sp->leg[i ^ 1u];

			snprintf(c->detail[i], sizeof(c->detail[i]), "leg %u ended: %s", i ^ 1u,
				 ipc_agw_cause_name(agw_cause(o->why)));
		} else if ((l->flags & SPLICE_LF_TLS) && l->id != 0 &&
			   (l->why == SPLICE_CAUSE_TLS_ALERT || l->why == SPLICE_CAUSE_TLS_ERROR ||
			    l->why == SPLICE_CAUSE_TLS_HANDSHAKE)) {
			l->xp->why(w, l->id, c->detail[i], sizeof(c->detail[i]));
		} else if (sp->why_leg > 1 && l->why == sp->why) {
			/* ended with the context: the controller hears its
			 * sentence in each termination's Notify too */
			char buf[IPC_AGW_DETAIL_MAX];
			const char *d = ctx_sentence(c, sp, buf, sizeof(buf));

			if (d != NULL)
				snprintf(c->detail[i], sizeof(c->detail[i]), "%s", d);
		}
	}
	agw_ev_push(w, c->id, c, IPC_AGW_EV_LEG_DOWN, i, agw_cause(l->why), c->detail[i]);
}

static void
agw_done(struct dp_worker *w, struct splice *sp)
{
	struct agw_worker *a = w->agw;
	struct agw_ctx *c = agw_ctx_of_splice(sp);
	uint32_t slot = (uint32_t)(c - a->ctx);
	char buf[IPC_AGW_DETAIL_MAX];
	const char *detail = NULL;

	if (sp->why_leg <= 1)
		detail = c->detail[sp->why_leg];
	else
		detail = ctx_sentence(c, sp, buf, sizeof(buf));
	agw_cand_drop_all(w, c);
	tw_del(w->tcp_wheel, &c->pol[0].t);
	tw_del(w->tcp_wheel, &c->pol[1].t);
	agw_ev_push(w, c->id, c, IPC_AGW_EV_RELEASED, sp->why_leg, agw_cause(sp->why), detail);
	for (unsigned int i = 0; i < 2; i++) {
		uint16_t p = c->term[i].local.port;

		if (c->term[i].tcp_role == IPC_AGW_TCP_SERVER && p >= a->port_lo &&
		    p <= a->port_hi && a->port_slot[p - a->port_lo] == slot + 1u)
			a->port_slot[p - a->port_lo] = 0;
	}
	agw_li_untap(a, c);
	c->id = 0;
	a->nctx--;
	a->ctr[AGW_CTR_RELEASED]++;
}

static void
pol_fire(struct tw_timer *t, void *arg)
{
	struct agw_pol_timer *pt = (struct agw_pol_timer *)(void *)t;
	struct agw_ctx *c = pt->c;

	if (c->id != 0)
		splice_police_due(arg, &c->sp, pt->leg);
}

static void
agw_police_wait(struct dp_worker *w, struct splice *sp, unsigned int i, uint64_t due_ms)
{
	struct agw_ctx *c = agw_ctx_of_splice(sp);

	tw_add(w->tcp_wheel, &c->pol[i].t, due_ms);
}

/* Leg i's policing as its termination says (a live leg's at once). */
static void
leg_police(struct dp_worker *w, struct agw_ctx *c, unsigned int i)
{
	splice_leg_police(w, &c->sp, i, c->term[i].pol_rate, c->term[i].pol_burst);
	if (c->term[i].pol_rate == 0)
		tw_del(w->tcp_wheel, &c->pol[i].t);
}

static const struct splice_ops agw_splice_ops = {
	.leg_down = agw_leg_down,
	.done = agw_done,
	.police_wait = agw_police_wait,
	.tap = agw_li_copy,
};

/* ---- a context installed (AGW_ADD), released (AGW_DEL) --------------------- */

/* AGW_ADD that cannot be installed: cp hears it as the context's end. */
static void
refuse(struct dp_worker *w, uint64_t id, const char *fmt, ...)
{
	char buf[IPC_AGW_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w->agw->ctr[AGW_CTR_ADD_REFUSED]++;
	agw_ev_push(w, id, NULL, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, IPC_AGW_SETUP_FAILED, buf);
}

/* addr (family 4 or 6) is one of dp's port addresses (a port's own, or
 * a tenant's TURN address on one). */
static bool
addr_is_ours(const struct dp_ctx *ctx, uint8_t family, const uint8_t *ip)
{
	for (unsigned int i = 0; i < ctx->nports; i++)
		if (dp_port_turn_addr(&ctx->ports[i], family == 4 ? NET_AF_IPV4 : NET_AF_IPV6,
				      ip))
			return true;
	return false;
}

/* Termination t for leg i can be installed here (other: the other
 * termination of the same AGW_ADD, whose port is not in port_slot yet, or
 * NULL): 0, or -1 with why said in buf. */
static int
term_refusal(struct dp_worker *w, unsigned int i, const struct ipc_agw_term *t,
	     const struct ipc_agw_term *other, char *buf, size_t size)
{
	struct agw_worker *a = w->agw;
	char s[64];

	if (t->tcp_role == IPC_AGW_TCP_NONE)
		return 0;
	if (t->tls_role != IPC_AGW_TLS_NONE && !a->tls) {
		snprintf(buf, size, "leg %u: TLS needs the tls group in dp's configuration", i);
		return -1;
	}
	if (t->cred > a->ncred) {
		snprintf(buf, size, "leg %u: certificate %u is not in agw.certificates", i, t->cred);
		return -1;
	}
	if (t->tcp_role == IPC_AGW_TCP_SERVER) {
		uint16_t p = t->local.port;

		if (a->nports == 0 || p < a->port_lo || p > a->port_hi) {
			snprintf(buf, size, "leg %u: port %u is not in worker %u's share of "
				 "agw.ports", i, p, w->id);
			return -1;
		}
		if (a->port_slot[p - a->port_lo] != 0 ||
		    (other != NULL && other->tcp_role == IPC_AGW_TCP_SERVER &&
		     other->local.port == p)) {
			snprintf(buf, size, "leg %u: port %u is taken", i, p);
			return -1;
		}
		if (!addr_is_ours(w->ctx, t->local.family, t->local.ip)) {
			agw_addr_str(&t->local, s, sizeof(s));
			snprintf(buf, size, "leg %u: %s is not an address of dp's", i, s);
			return -1;
		}
	} else if (!agw_ip_zero(t->local.ip) &&
		   !addr_is_ours(w->ctx, t->local.family, t->local.ip)) {
		agw_addr_str(&t->local, s, sizeof(s));
		snprintf(buf, size, "leg %u: %s is not an address of dp's", i, s);
		return -1;
	}
	return 0;
}

void
agw_apply_add(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_ctx *x = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	uint32_t slot = ipc_conn_slot(id);
	struct agw_ctx *c;
	char why[IPC_AGW_DETAIL_MAX];

	if (slot >= a->max) {
		refuse(w, id, "context slot %u is beyond agw.max_contexts (%u)", slot, a->max);
		return;
	}
	c = &a->ctx[slot];
	if (c->id == id)
		return;                   /* (a repeat) */
	if (c->id != 0) {
		refuse(w, id, "context slot %u of worker %u holds context %" PRIu64, slot, w->id,
		       c->id);
		return;
	}
	for (unsigned int i = 0; i < 2; i++)
		if (term_refusal(w, i, &x->term[i], i == 1 ? &x->term[0] : NULL, why,
				 sizeof(why)) < 0) {
			refuse(w, id, "%s", why);
			return;
		}
	memset(c, 0, sizeof(*c));
	c->id = id;
	memcpy(c->term, x->term, sizeof(c->term));
	splice_init(&c->sp, &agw_splice_ops, a->hold);
	for (unsigned int i = 0; i < 2; i++) {
		tw_timer_init(&c->pol[i].t, pol_fire, w);
		c->pol[i].c = c;
		c->pol[i].leg = (uint8_t)i;
		if (c->term[i].tcp_role == IPC_AGW_TCP_NONE)
			continue;
		leg_police(w, c, i);
		c->due_ms[i] = x->setup_ms != 0 ? w->now_ms + x->setup_ms : 0;
		if (c->term[i].tcp_role == IPC_AGW_TCP_SERVER)
			a->port_slot[c->term[i].local.port - a->port_lo] = slot + 1u;
	}
	a->nctx++;
	a->ctr[AGW_CTR_ADDED]++;
	for (unsigned int i = 0; i < 2 && c->id == id; i++)
		if (c->term[i].tcp_role == IPC_AGW_TCP_CLIENT && !agw_leg_connect(w, c, i))
			return;
}

void
agw_apply_del(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct agw_worker *a = w->agw;
	uint64_t id = msg->h.alloc_id;
	uint32_t slot = ipc_conn_slot(id);

	if (slot >= a->max || a->ctx[slot].id != id) {
		a->ctr[AGW_CTR_DEL_UNKNOWN]++;
		return;
	}
	a->ctr[AGW_CTR_CONTROLLER]++;
	splice_release(w, &a->ctx[slot].sp, SPLICE_CAUSE_RELEASED);
}

/* ---- one leg at a time (AGW_MOD) ------------------------------------------- */

/* ADD_LEG: a termination joins c's empty slot i; one dp cannot install
 * comes back as SUBTRACTED setup_failed (the context lives on). */
static void
leg_add(struct dp_worker *w, struct agw_ctx *c, unsigned int i, const struct ipc_agw_mod *x)
{
	struct agw_worker *a = w->agw;
	uint32_t slot = (uint32_t)(c - a->ctx);
	const struct splice_leg *l = &c->sp.leg[i];
	char why[IPC_AGW_DETAIL_MAX];

	if (c->term[i].tcp_role != IPC_AGW_TCP_NONE || l->state != SPLICE_LEG_WAIT || l->id != 0) {
		a->ctr[AGW_CTR_MOD_REFUSED]++;        /* (cp's view of the slot is not dp's) */
		return;
	}
	if (c->sp.leg[i ^ 1u].state == SPLICE_LEG_DOWN)
		snprintf(why, sizeof(why), "leg %u: the context is ending", i);
	else if (term_refusal(w, i, &x->term, NULL, why, sizeof(why)) == 0)
		why[0] = '\0';
	if (why[0] != '\0') {
		a->ctr[AGW_CTR_MOD_REFUSED]++;
		c->term[i].serial = x->term.serial;       /* (the event names it) */
		agw_ev_push(w, c->id, c, IPC_AGW_EV_SUBTRACTED, i, IPC_AGW_SETUP_FAILED, why);
		c->term[i].serial = 0;
		return;
	}
	c->term[i] = x->term;
	c->up[i] = 0;
	c->detail[i][0] = '\0';
	leg_police(w, c, i);
	c->due_ms[i] = x->setup_ms != 0 ? w->now_ms + x->setup_ms : 0;
	if (c->term[i].tcp_role == IPC_AGW_TCP_SERVER)
		a->port_slot[c->term[i].local.port - a->port_lo] = slot + 1u;
	a->ctr[AGW_CTR_LEG_ADDED]++;
	if (c->term[i].tcp_role == IPC_AGW_TCP_CLIENT)
		(void)agw_leg_connect(w, c, i);
}

static bool
addr_eq(const struct ipc_addr *p, const struct ipc_addr *q)
{
	return p->family == q->family && p->port == q->port && memcmp(p->ip, q->ip, 16) == 0;
}

/* MOD_LEG: slot i's DSCP, policing and memo become x's at once; its
 * remote and fingerprints too, and then a leg not up
 * takes them: a server leg's candidates (judged by the old ones) are
 * reset, a client leg's open (or handshake) begins anew towards the new
 * remote. A leg up only records them: its connection stays (H.248's
 * Modify of a live stream's Remote does not move the stream); they show
 * in AGW_STATE and apply to no connection of it. */
static void
leg_mod(struct dp_worker *w, struct agw_ctx *c, unsigned int i, const struct ipc_agw_mod *x)
{
	struct agw_worker *a = w->agw;
	struct ipc_agw_term *t = &c->term[i];
	const struct ipc_agw_term *n = &x->term;
	struct splice_leg *l = &c->sp.leg[i];
	uint64_t id = c->id;
	bool changed;

	if (t->tcp_role == IPC_AGW_TCP_NONE || t->tcp_role != n->tcp_role ||
	    t->tls_role != n->tls_role || t->cred != n->cred ||
	    (t->tcp_role == IPC_AGW_TCP_SERVER && !addr_eq(&t->local, &n->local)) ||
	    t->local.family != n->local.family) {
		a->ctr[AGW_CTR_MOD_REFUSED]++;
		return;
	}
	a->ctr[AGW_CTR_LEG_MODIFIED]++;
	t->dscp = n->dscp;
	t->pol_rate = n->pol_rate;
	t->pol_burst = n->pol_burst;
	memcpy(t->memo, n->memo, sizeof(t->memo));
	/* the leg's connection (or its candidates) sends with the new DSCP
	 * from its next segment; its policing changes at once */
	if (l->id != 0)
		(void)tcp_conn_set_dscp(w->tcp, l->id, t->dscp);
	for (unsigned int k = 0; k < c->ncand[i]; k++)
		(void)tcp_conn_set_dscp(w->tcp, c->cand[i][k].id, t->dscp);
	leg_police(w, c, i);
	if (c->id != id)
		return;                   /* (cannot be: a kick ends no leg; safe) */
	changed = !addr_eq(&t->remote, &n->remote) || t->nfp != n->nfp ||
		  memcmp(t->fp, n->fp, sizeof(t->fp)) != 0 ||
		  (t->tcp_role == IPC_AGW_TCP_CLIENT && !addr_eq(&t->local, &n->local));
	if (!changed)
		return;
	if (c->up[i] || l->state == SPLICE_LEG_UP || l->state == SPLICE_LEG_DOWN) {
		t->remote = n->remote;
		t->nfp = n->nfp;
		memcpy(t->fp, n->fp, sizeof(t->fp));
		return;
	}
	/* a leg not up takes another remote: if it is the target's (matched
	 * on the remote it had), its next peer is nobody's target until cp,
	 * which matches the new one, says so (as leg_sub's rule) */
	if (c->sp.tap && a->taps != NULL && a->taps[c - a->ctx].leg == i)
		agw_li_untap(a, c);
	if (t->tcp_role == IPC_AGW_TCP_SERVER) {
		while (c->ncand[i] > 0)
			agw_cand_drop(w, c, i, 0, AGW_CTR_CAND_DROPPED);
		*t = *n;
		return;
	}
	/* a client leg on its way up: its connection goes (no event: the leg
	 * itself goes on), and a new one starts to the new remote */
	if (l->id != 0) {
		c->sub = (uint8_t)(AGW_SUB_RESTART + i);
		splice_leg_sub(w, &c->sp, i, SPLICE_CAUSE_RELEASED);
		if (c->id != id)
			return;           /* (the context could hold nothing: released) */
		c->sub = 0;
		a->ctr[AGW_CTR_LEG_RECONNECTS]++;
	}
	*t = *n;
	c->detail[i][0] = '\0';
	leg_police(w, c, i);              /* (the slot was emptied) */
	(void)agw_leg_connect(w, c, i);
}

/* SUB_LEG: slot i's termination ends (SUBTRACTED, cause controller); the
 * other leg is held for a termination that joins later. The last one's
 * subtraction releases the context. */
static void
leg_sub(struct dp_worker *w, struct agw_ctx *c, unsigned int i)
{
	struct agw_worker *a = w->agw;
	uint32_t slot = (uint32_t)(c - a->ctx);
	struct ipc_agw_term *t = &c->term[i];
	uint64_t id = c->id;

	if (t->tcp_role == IPC_AGW_TCP_NONE) {
		a->ctr[AGW_CTR_MOD_REFUSED]++;
		return;
	}
	a->ctr[AGW_CTR_LEG_SUBTRACTED]++;
	while (c->ncand[i] > 0)
		agw_cand_drop(w, c, i, 0, AGW_CTR_CAND_DROPPED);
	c->sub = (uint8_t)(i + 1u);
	if (c->term[i ^ 1u].tcp_role == IPC_AGW_TCP_NONE) {
		a->ctr[AGW_CTR_CONTROLLER]++;
		splice_release(w, &c->sp, SPLICE_CAUSE_RELEASED);
		return;
	}
	splice_leg_sub(w, &c->sp, i, SPLICE_CAUSE_RELEASED);
	if (c->id != id)
		return;                   /* (the other leg had ended: released) */
	c->sub = 0;
	/* the target's leg gone (what it had read went across, copied):
	 * nothing of a later one in its slot is copied under its task before
	 * cp, which matches the new one, says so */
	if (c->sp.tap && a->taps != NULL && a->taps[slot].leg == i)
		agw_li_untap(a, c);
	if (t->tcp_role == IPC_AGW_TCP_SERVER) {
		uint16_t p = t->local.port;

		if (p >= a->port_lo && p <= a->port_hi && a->port_slot[p - a->port_lo] == slot + 1u)
			a->port_slot[p - a->port_lo] = 0;
	}
	memset(t, 0, sizeof(*t));
	c->up[i] = 0;
	c->due_ms[i] = 0;
	c->detail[i][0] = '\0';
}

void
agw_apply_mod(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_mod *x = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	uint32_t slot = ipc_conn_slot(id);
	struct agw_ctx *c;

	if (slot >= a->max || a->ctx[slot].id != id) {
		a->ctr[AGW_CTR_MOD_REFUSED]++;        /* (ended already) */
		return;
	}
	c = &a->ctx[slot];
	switch (x->op) {
	case IPC_AGW_ADD_LEG:
		leg_add(w, c, x->leg, x);
		break;
	case IPC_AGW_MOD_LEG:
		leg_mod(w, c, x->leg, x);
		break;
	case IPC_AGW_SUB_LEG:
		leg_sub(w, c, x->leg);
		break;
	default:
		break;
	}
}
