/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP contexts (agw_tcp_ops; cp_agw.h): two legs, each a TCP role (client
 * or server on agw.ports) and a TLS role, spliced by dp. The worker, slot
 * and server ports a context gets, its legs through agw_rules.c's rules,
 * the AGW_ADD, AGW_MOD and AGW_DEL that install and change them in dp one
 * leg at a time; what dp says back: an AGW_EVENT (a leg up, a leg down, a
 * termination subtracted, the context released) applied, logged and told
 * to the observers, an AGW_STATE taken back as it is (a restarted cp),
 * dp's restart (every context released). agw_tcp_render.c shows them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "../cp.h"
#include "agw_internal.h"
#include "certfp.h"
#include "cp_agw.h"
#include "ipc.h"
#include "steer.h"
#include "tp_conf.h"

_Static_assert(CP_AGW_FP_STR >= CERTFP_STR_MAX, "a fingerprint's text fits");

#define ERR(rc, ...) do { snprintf(err, errlen, __VA_ARGS__); return (rc); } while (0)

/* ---- set-up ------------------------------------------------------------------------ */

/* Its table (agw.max_contexts a worker), the server ports (agw.ports),
 * our certificates' fingerprints. */
static int
tcp_init(struct cp_ctx *cp)
{
	const struct tp_conf *conf = cp->conf;
	const char *paths[TP_CONF_MAX_AGW_CERTS + 1];
	struct cp_agw *g = cp->agw;

	g->port_min = conf->agw.port_min;
	g->port_max = conf->agw.port_max;
	g->setup_ms = conf->agw.setup_timeout_s * 1000u;
	if (agw_table_init(&g->tab[CP_AGW_KIND_TCP], g->nworkers, conf->agw.max_contexts) < 0)
		return -ENOMEM;
	/* Our certificates' fingerprints, once: what the controller puts in
	 * its SDP (RFC 8122 a=fingerprint). cp reads the certificate only
	 * (never the key); one it cannot read is said in the answer. */
	paths[0] = conf->tls.enabled ? conf->tls.cert.certificate : NULL;
	for (unsigned int k = 0; k < conf->agw.ncerts; k++)
		paths[k + 1] = conf->agw.certs[k].certificate;
	g->ncert = conf->agw.ncerts;
	for (unsigned int k = 0; k <= g->ncert; k++) {
		if (paths[k] == NULL) {
			snprintf(g->fp_err[k], sizeof(g->fp_err[k]), "no tls group");
			continue;
		}
		for (unsigned int a = 0; a < CP_AGW_ALGS; a++) {
			struct certfp fp;

			if (certfp_of_pem_file(paths[k], (enum certfp_alg)(a + 1), &fp, g->fp_err[k],
					       sizeof(g->fp_err[k])) < 0)
				break;
			certfp_format(&fp, g->fp[k][a], sizeof(g->fp[k][a]));
		}
		if (g->fp[k][1][0] == '\0')
			tp_log(TP_LOG_WARNING, "agw: no fingerprint of certificate '%s': %s\n",
			       k == 0 ? "default" : conf->agw.certs[k - 1].name, g->fp_err[k]);
	}
	return 0;
}

static void
tcp_fini(struct cp_ctx *cp)
{
	agw_table_fini(&cp->agw->tab[CP_AGW_KIND_TCP], cp->agw->nworkers);
}

/* No agw group; dp running without one (dp: that asked too). */
static int
tcp_ready(struct cp_ctx *cp, bool dp, char *err, size_t errlen)
{
	if (cp->agw == NULL)
		ERR(-ENODEV, "no agw group in turnpike-cp's configuration");
	if (dp && !(ipc_peer_caps(cp->seg.shm, false, cp->now_ms) & IPC_CAP_AGW))
		ERR(-ENODEV, "turnpike-dp does not run, or runs without an agw group");
	return 0;
}

/* ---- a context's slot and server ports --------------------------------------------- */

/* n free ports of w's share of agw.ports into out (not marked yet). */
static int
free_ports(struct cp_agw *g, unsigned int w, unsigned int n, uint16_t *out)
{
	uint16_t lo, hi;
	uint32_t span, start;
	unsigned int got = 0;

	if (n == 0)
		return 0;
	if (!steer_relay_share(g->port_min, g->port_max, g->nworkers, w, &lo, &hi))
		return -ENOSPC;
	span = (uint32_t)hi - lo + 1u;
	/* (unpredictable: a port guessed is a port a stranger connects to
	 * first; random() was never seeded, the same ports every start) */
	if (getrandom(&start, sizeof(start), 0) != (ssize_t)sizeof(start))
		return -EAGAIN;
	start %= span;
	for (uint32_t k = 0; k < span && got < n; k++) {
		uint16_t p = (uint16_t)(lo + (start + k) % span);

		if (!agw_port_used(g, p) && (got == 0 || out[0] != p))
			out[got++] = p;
	}
	return got == n ? 0 : -ENOSPC;
}

/* Slot i of c now holds t (sent to dp): its state as a new leg's. */
static void
slot_fill(struct cp_agw *g, struct cp_agw_ctx *c, unsigned int i, const struct ipc_agw_term *t,
	  bool port_ours)
{
	struct cp_agw_tcp *x = &c->tcp;

	x->term[i] = *t;
	x->leg_state[i] = t->tcp_role == IPC_AGW_TCP_NONE ? CP_AGW_LEG_EMPTY : CP_AGW_LEG_WAITING;
	x->leg_cause[i] = 0;
	x->tls_version[i] = 0;
	x->port_ours[i] = port_ours;
	memset(&x->leg_local[i], 0, sizeof(x->leg_local[i]));
	memset(&x->leg_remote[i], 0, sizeof(x->leg_remote[i]));
	x->bytes_in[i] = x->bytes_out[i] = 0;
	if (t->tcp_role == IPC_AGW_TCP_SERVER)
		agw_port_set(g, t->local.port, true);
}

/* Slot i of c is empty again (its server port free). */
static void
slot_clear(struct cp_agw *g, struct cp_agw_ctx *c, unsigned int i)
{
	struct ipc_agw_term none;

	if (c->tcp.term[i].tcp_role == IPC_AGW_TCP_SERVER)
		agw_port_set(g, c->tcp.term[i].local.port, false);
	memset(&none, 0, sizeof(none));
	slot_fill(g, c, i, &none, false);
}

static uint32_t
setup_of(const struct cp_agw *g, uint32_t setup_ms)
{
	return setup_ms == CP_AGW_SETUP_DEFAULT ? g->setup_ms : setup_ms;
}

/* ---- the operations ------------------------------------------------------------------ */

static int
tcp_create(struct cp_ctx *cp, const struct cp_agw_spec spec[2], uint32_t setup_ms,
	   const char *label, enum cp_agw_door door, unsigned int tenant, struct cp_agw_ctx **out,
	   char *err, size_t errlen)
{
	struct cp_agw *g = cp->agw;
	struct cp_agw_table *tab;
	struct ipc_agw_ctx x;
	struct cp_agw_ctx *c;
	unsigned int owner = STEER_NONE, nalloc = 0;
	uint16_t ports[2] = { 0, 0 };
	bool ours[2] = { false, false };
	uint32_t slot = 0;
	uint64_t id;
	int rc;

	tab = &g->tab[CP_AGW_KIND_TCP];
	if (tenant > cp->conf->tenants.n) {
		g->stats[CP_AGW_STAT_REFUSED]++;
		ERR(-EINVAL, "tenant %u is not one of the %u configured", tenant,
		    cp->conf->tenants.n);
	}
	memset(&x, 0, sizeof(x));
	for (unsigned int i = 0; i < 2; i++) {
		if (spec[i].tcp.term.tcp_role == IPC_AGW_TCP_NONE)
			continue;
		x.term[i] = spec[i].tcp.term;
		rc = agw_term_check(cp, i, &x.term[i], spec[i].tcp.accept_any, err, errlen);
		if (rc < 0) {
			g->stats[CP_AGW_STAT_REFUSED]++;
			return rc;
		}
	}
	x.setup_ms = setup_of(g, setup_ms);
	if (label != NULL && strlen(label) >= sizeof(c->label)) {
		g->stats[CP_AGW_STAT_REFUSED]++;
		ERR(-EINVAL, "\"label\" is longer than %zu bytes", sizeof(c->label) - 1);
	}
	if ((rc = agw_quota_check(cp, door, tenant, err, errlen)) < 0)
		return rc;
	/* The worker: the one whose share holds a fixed server port. */
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_agw_term *t = &x.term[i];
		unsigned int o;

		if (t->tcp_role != IPC_AGW_TCP_SERVER)
			continue;
		if (t->local.port == 0) {
			nalloc++;
			continue;
		}
		if (agw_port_used(g, t->local.port) ||
		    (i == 1 && x.term[0].tcp_role == IPC_AGW_TCP_SERVER &&
		     x.term[0].local.port == t->local.port))
			ERR(-EBUSY, "leg %u: port %u is taken by another context", i, t->local.port);
		o = steer_relay_owner(g->port_min, g->port_max, g->nworkers, t->local.port);
		if (owner != STEER_NONE && o != owner)
			ERR(-EINVAL, "the fixed ports %u and %u are in different workers' shares of "
			    "agw.ports: one context lives in one worker", x.term[0].local.port,
			    x.term[1].local.port);
		owner = o;
	}
	if (owner == STEER_NONE) {
		/* the least loaded worker that has a slot and the ports */
		for (unsigned int w = 0; w < g->nworkers; w++) {
			uint16_t p[2];

			if (tab->nctx[w] >= tab->per_worker || free_ports(g, w, nalloc, p) < 0)
				continue;
			if (owner == STEER_NONE || tab->nctx[w] < tab->nctx[owner])
				owner = w;
		}
		if (owner == STEER_NONE)
			ERR(-ENOSPC, "no worker has a free context slot%s (agw.max_contexts %u per "
			    "worker)", nalloc > 0 ? " and free ports" : "", tab->per_worker);
	}
	if (agw_slot_find(tab, owner, &slot) < 0)
		ERR(-ENOSPC, "worker %u has no free context slot (agw.max_contexts %u)", owner,
		    tab->per_worker);
	if (free_ports(g, owner, nalloc, ports) < 0)
		ERR(-ENOSPC, "worker %u's share of agw.ports has no free port", owner);
	for (unsigned int i = 0, k = 0; i < 2; i++)
		if (x.term[i].tcp_role == IPC_AGW_TCP_SERVER && x.term[i].local.port == 0) {
			x.term[i].local.port = ports[k++];
			ours[i] = true;
		}
	for (unsigned int i = 0, n = 0; i < 2; i++)
		if (x.term[i].tcp_role != IPC_AGW_TCP_NONE) {
			x.term[i].serial = (uint16_t)++n;
			x.term[i].door = (uint8_t)door;
			x.term[i].tenant = (uint8_t)tenant;
		}
	id = agw_id_next(g, CP_AGW_KIND_TCP, owner, slot);
	rc = agw_send(cp, owner, IPC_AGW_ADD, id, &x, sizeof(x));
	if (rc < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", owner);
	c = agw_ctx_take(g, id, door, tenant, label, cp->wall_ms);
	c->state = CP_AGW_INSTALLING;
	c->tcp.setup_ms = x.setup_ms;
	c->serial_next = (uint16_t)((x.term[0].serial > x.term[1].serial) ? x.term[0].serial :
				    x.term[1].serial);
	for (unsigned int i = 0; i < 2; i++)
		slot_fill(g, c, i, &x.term[i], ours[i]);
	g->stats[CP_AGW_STAT_CREATED]++;
	if (out != NULL)
		*out = c;
	return 0;
}

static int
tcp_add(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int leg, const struct cp_agw_spec *spec,
	uint32_t setup_ms, unsigned int *got, char *err, size_t errlen)
{
	struct cp_agw *g = cp->agw;
	uint64_t id = c->id;
	struct ipc_agw_mod x;
	bool ours = false;
	int rc;

	memset(&x, 0, sizeof(x));
	x.op = IPC_AGW_ADD_LEG;
	x.leg = (uint8_t)leg;
	x.setup_ms = setup_of(g, setup_ms);
	x.term = spec->tcp.term;
	x.term.serial = 0;
	x.term.door = c->door;
	x.term.tenant = c->tenant;
	rc = agw_term_check(cp, leg, &x.term, spec->tcp.accept_any, err, errlen);
	if (rc < 0)
		return rc;
	if (x.term.tcp_role == IPC_AGW_TCP_SERVER) {
		uint16_t p = x.term.local.port;

		if (p == 0) {
			if (free_ports(g, c->worker, 1, &p) < 0)
				ERR(-ENOSPC, "worker %u's share of agw.ports has no free port",
				    c->worker);
			x.term.local.port = p;
			ours = true;
		} else if (agw_port_used(g, p)) {
			ERR(-EBUSY, "leg %u: port %u is taken by another context", leg, p);
		} else if (steer_relay_owner(g->port_min, g->port_max, g->nworkers, p) !=
			   c->worker) {
			ERR(-EINVAL, "leg %u: port %u is not in worker %u's share of agw.ports, "
			    "where context %" PRIu64 " lives", leg, p, c->worker, id);
		}
	}
	x.term.serial = agw_serial_peek(c);
	if (agw_send(cp, c->worker, IPC_AGW_MOD, c->id, &x, sizeof(x)) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	(void)agw_serial_next(c);
	slot_fill(g, c, leg, &x.term, ours);
	g->stats[CP_AGW_STAT_LEGS_ADDED]++;
	if (got != NULL)
		*got = leg;
	return 0;
}

static int
tcp_modify(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int leg, const struct cp_agw_mod *mod,
	   char *err, size_t errlen)
{
	const struct cp_agw_leg_mod *m = &mod->tcp;
	const struct ipc_addr *remote = m->remote;
	const struct ipc_agw_fp *fp = m->fp;
	unsigned int nfp = m->nfp;
	struct ipc_agw_mod x;
	const struct ipc_agw_term *t;
	bool accept_any;
	int rc;

	if (nfp > IPC_AGW_FP_MAX)
		ERR(-EINVAL, "leg %u: %u fingerprints, at most %u", leg, nfp, IPC_AGW_FP_MAX);
	t = &c->tcp.term[leg];
	/* (a plain server leg without a remote was made with accept_any) */
	accept_any = t->tcp_role == IPC_AGW_TCP_SERVER && t->tls_role == IPC_AGW_TLS_NONE &&
		     t->remote.family == 0;
	memset(&x, 0, sizeof(x));
	x.op = IPC_AGW_MOD_LEG;
	x.leg = (uint8_t)leg;
	x.term = *t;
	if (remote != NULL) {
		x.term.remote = *remote;
		accept_any = accept_any && remote->family == 0;
	}
	if (nfp > 0) {
		memset(x.term.fp, 0, sizeof(x.term.fp));
		memcpy(x.term.fp, fp, nfp * sizeof(fp[0]));
		x.term.nfp = (uint8_t)nfp;
	}
	if (m->dscp_set)
		x.term.dscp = m->dscp;
	if (m->pol_set) {
		x.term.pol_rate = m->pol_rate;
		x.term.pol_burst = m->pol_burst;
	}
	if (m->memo != NULL)
		memcpy(x.term.memo, m->memo, sizeof(x.term.memo));
	rc = agw_term_check(cp, leg, &x.term, accept_any, err, errlen);
	if (rc < 0)
		return rc;
	if ((rc = agw_mod_check(leg, t, c->tcp.leg_state[leg], &x.term, err, errlen)) < 0)
		return rc;
	if (agw_send(cp, c->worker, IPC_AGW_MOD, c->id, &x, sizeof(x)) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	c->tcp.term[leg] = x.term;
	cp->agw->stats[CP_AGW_STAT_LEGS_MODIFIED]++;
	return 0;
}

static int
tcp_subtract(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int leg, char *err, size_t errlen)
{
	struct ipc_agw_mod x;

	memset(&x, 0, sizeof(x));
	x.op = IPC_AGW_SUB_LEG;
	x.leg = (uint8_t)leg;
	if (agw_send(cp, c->worker, IPC_AGW_MOD, c->id, &x, sizeof(x)) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	/* The slot is empty at once: a termination may join it before dp's
	 * SUBTRACTED comes (which then names the old one by its serial). dp
	 * frees the port before it takes anything after this message. */
	slot_clear(cp->agw, c, leg);
	if (c->tcp.term[leg ^ 1u].tcp_role == IPC_AGW_TCP_NONE) {
		c->state = CP_AGW_RELEASING;      /* (dp releases it: its RELEASED comes) */
		cp->agw->stats[CP_AGW_STAT_RELEASE_ASKED]++;
	}
	cp->agw->stats[CP_AGW_STAT_LEGS_SUBTRACTED]++;
	return 0;
}

static int
tcp_release(struct cp_ctx *cp, struct cp_agw_ctx *c, char *err, size_t errlen)
{
	if (agw_send(cp, c->worker, IPC_AGW_DEL, c->id, NULL, 0) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	c->state = CP_AGW_RELEASING;
	cp->agw->stats[CP_AGW_STAT_RELEASE_ASKED]++;
	return 0;
}

/* ---- what dp says -------------------------------------------------------------------- */

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

/* An AGW_EVENT from worker w: applied to its context (the termination of
 * that serial only), logged, told to the observers. */
static void
tcp_dp_event(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
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
		slot_clear(g, c, leg);
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

/* An AGW_STATE from worker w (this cp's SYNC): a context dp holds, taken
 * back as it is (a cp that restarted), with its door and tenant. */
static void
tcp_dp_state(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
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

/* dp restarted: its connections are gone; each context is released
 * (cause dp_restart), logged and told as any. */
static void
tcp_dp_restart(struct cp_ctx *cp)
{
	struct cp_agw *g = cp->agw;
	struct cp_agw_table *t;
	size_t n;

	if (g->tab[CP_AGW_KIND_TCP].total == 0)
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


#undef ERR

static bool
tcp_slot_empty(const struct cp_agw_ctx *c, unsigned int leg)
{
	return c->tcp.term[leg].tcp_role == IPC_AGW_TCP_NONE;
}

const struct agw_kind_ops agw_tcp_ops = {
	.name = "tcp",
	.slot = "leg",
	.slot_taken = "leg %u of context %" PRIu64 " has a termination: subtract it first",
	.slot_none = "leg %u of context %" PRIu64 " has no termination",
	.ipc_event = IPC_AGW_EVENT,
	.ipc_state = IPC_AGW_STATE,
	.init = tcp_init,
	.fini = tcp_fini,
	.ready = tcp_ready,
	.slot_empty = tcp_slot_empty,
	.create = tcp_create,
	.add = tcp_add,
	.modify = tcp_modify,
	.subtract = tcp_subtract,
	.release = tcp_release,
	.dp_event = tcp_dp_event,
	.dp_state = tcp_dp_state,
	.dp_restart = tcp_dp_restart,
	/* (its legs need nothing of the loop: dp times their set-up) */
	.serve = agw_no_serve,
	.json = agw_tcp_json,
	.ev_name = agw_tcp_ev_name,
	.event_json = agw_tcp_event_json,
	.status = agw_tcp_status,
	/* (cp/agw's counters are its module's: turnpike_agw_*) */
	.metrics = agw_no_metrics,
};
