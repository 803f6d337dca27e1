/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw (cp_agw.h): the contexts' model and the C API that the doors
 * call (agw_json.c's agw.* commands, cp/iq's H.248): set-up, the worker,
 * slot and server ports a context gets, the AGW_ADD, AGW_MOD and AGW_DEL
 * that install it in dp and change it one leg at a time, each
 * termination through agw_rules.c's rules. What dp says back is
 * agw_event.c's; agw_render.c shows contexts to the operator.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "../cp.h"
#include "../cp_dp.h"
#include "agw_internal.h"
#include "certfp.h"
#include "cp_agw.h"
#include "ipc.h"
#include "steer.h"
#include "tp_conf.h"

_Static_assert(CP_AGW_FP_STR >= CERTFP_STR_MAX, "a fingerprint's text fits");

/* ---- set-up ------------------------------------------------------------------------ */

int
cp_agw_init(struct cp_ctx *cp)
{
	const struct tp_conf *conf = cp->conf;
	const char *paths[TP_CONF_MAX_AGW_CERTS + 1];
	struct cp_agw *g;
	int rc;

	if (!conf->agw.enabled)
		return 0;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->enabled = true;
	g->nworkers = cp->nworkers;
	g->port_min = conf->agw.port_min;
	g->port_max = conf->agw.port_max;
	g->setup_ms = conf->agw.setup_timeout_s * 1000u;
	g->next_seq = 1;
	g->log = calloc(CP_AGW_LOG, sizeof(*g->log));
	if (g->log == NULL ||
	    agw_table_init(&g->tab[CP_AGW_KIND_TCP], g->nworkers, conf->agw.max_contexts) < 0) {
		free(g->log);
		free(g);
		return -ENOMEM;
	}
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
	cp->agw = g;
	/* (Without an agw group, returned above, no module takes AGW_EVENT
	 * or AGW_STATE: cp_handle() drops them.) */
	if ((rc = cp_dp_on_kind(cp, IPC_AGW_EVENT, cp_agw_event)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_AGW_STATE, cp_agw_state)) < 0 ||
	    (rc = cp_agw_rtp_init(cp)) < 0) {
		cp_agw_fini(cp);
		return rc;
	}
	return 0;
}

void
cp_agw_fini(struct cp_ctx *cp)
{
	struct cp_agw *g = cp->agw;

	if (g == NULL)
		return;
	cp_agw_rtp_fini(cp);
	agw_table_fini(&g->tab[CP_AGW_KIND_TCP], g->nworkers);
	free(g->log);
	cp_policy_free(g->policy);
	free(g);
	cp->agw = NULL;
}

void
cp_agw_policy_set(struct cp_ctx *cp, struct cp_policy *p)
{
	if (cp->agw == NULL) {
		cp_policy_free(p);
		return;
	}
	cp_policy_free(cp->agw->policy);
	cp->agw->policy = p;
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

/* ---- the C API ------------------------------------------------------------------------ */

#define ERR(rc, ...) do { snprintf(err, errlen, __VA_ARGS__); return (rc); } while (0)

struct cp_agw_ctx *
cp_agw_lookup(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id)
{
	struct cp_agw_ctx *c = cp->agw != NULL && agw_kind_of_id(id) == CP_AGW_KIND_TCP ?
			       agw_ctx_of_id(cp->agw, id) : NULL;

	return c != NULL && cp_agw_caller_sees(who, c) ? c : NULL;
}

static int
send_to_dp(struct cp_ctx *cp, unsigned int w, uint16_t kind, uint64_t id, const void *body,
	   uint16_t len)
{
	static struct ipc_msg m;
	struct ipc_ring *r = &ipc_worker(&cp->seg, w)->to_dp;

	if (ipc_ring_count(r) + CP_RING_HEADROOM >= IPC_RING_SLOTS)
		return -ENOBUFS;
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = kind;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	m.h.body_len = len;
	if (len > 0)
		memcpy(m.body, body, len);
	if (ipc_ring_enqueue(r, &m) != 0) {
		cp->stats[CP_STAT_IPC_FULL]++;
		return -ENOBUFS;
	}
	return 0;
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
void
agw_slot_clear(struct cp_agw *g, struct cp_agw_ctx *c, unsigned int i)
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

static int
agw_ready(struct cp_ctx *cp, char *err, size_t errlen)
{
	if (cp->agw == NULL)
		ERR(-ENODEV, "no agw group in turnpike-cp's configuration");
	if (!(ipc_peer_caps(cp->seg.shm, false, cp->now_ms) & IPC_CAP_AGW))
		ERR(-ENODEV, "turnpike-dp does not run, or runs without an agw group");
	return 0;
}

int
cp_agw_create(struct cp_ctx *cp, const struct cp_agw_leg_spec spec[2], uint32_t setup_ms,
	      const char *label, enum cp_agw_door door, unsigned int tenant,
	      struct cp_agw_ctx **out, char *err, size_t errlen)
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

	if ((rc = agw_ready(cp, err, errlen)) < 0)
		return rc;
	tab = &g->tab[CP_AGW_KIND_TCP];
	if (tenant > cp->conf->tenants.n) {
		g->stats[CP_AGW_STAT_REFUSED]++;
		ERR(-EINVAL, "tenant %u is not one of the %u configured", tenant,
		    cp->conf->tenants.n);
	}
	memset(&x, 0, sizeof(x));
	for (unsigned int i = 0; i < 2 && spec != NULL; i++) {
		if (spec[i].term.tcp_role == IPC_AGW_TCP_NONE)
			continue;
		x.term[i] = spec[i].term;
		rc = agw_term_check(cp, i, &x.term[i], spec[i].accept_any, err, errlen);
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
	rc = send_to_dp(cp, owner, IPC_AGW_ADD, id, &x, sizeof(x));
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

/* Context id for a change: known, who's, not being released. One that
 * is not who's is answered as one that does not exist, before anything
 * else is said of it. */
static int
ctx_for_change(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
	       unsigned int leg, struct cp_agw_ctx **out, char *err, size_t errlen)
{
	struct cp_agw_ctx *c;
	int rc;

	if ((rc = agw_ready(cp, err, errlen)) < 0)
		return rc;
	c = cp_agw_lookup(cp, who, id);
	if (c == NULL)
		ERR(-ENOENT, "no context %" PRIu64 " (released already?)", id);
	if (c->state == CP_AGW_RELEASING)
		ERR(-ESHUTDOWN, "context %" PRIu64 " is being released", id);
	if (leg > 1 && leg != CP_AGW_LEG_ANY)
		ERR(-EINVAL, "leg %u: a context's legs are 0 and 1", leg);
	*out = c;
	return 0;
}

int
cp_agw_add_leg(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
	       unsigned int leg, const struct cp_agw_leg_spec *spec, uint32_t setup_ms,
	       unsigned int *got, char *err, size_t errlen)
{
	struct cp_agw *g;
	struct cp_agw_ctx *c;
	struct ipc_agw_mod x;
	bool ours = false;
	int rc;

	if ((rc = ctx_for_change(cp, who, id, leg, &c, err, errlen)) < 0)
		return rc;
	g = cp->agw;
	if (leg == CP_AGW_LEG_ANY) {
		leg = c->tcp.term[0].tcp_role == IPC_AGW_TCP_NONE ? 0u :
		      c->tcp.term[1].tcp_role == IPC_AGW_TCP_NONE ? 1u : 2u;
		if (leg == 2)
			ERR(-EBUSY, "context %" PRIu64 " has both its terminations: subtract one "
			    "first", id);
	} else if (c->tcp.term[leg].tcp_role != IPC_AGW_TCP_NONE) {
		ERR(-EBUSY, "leg %u of context %" PRIu64 " has a termination: subtract it first",
		    leg, id);
	}
	memset(&x, 0, sizeof(x));
	x.op = IPC_AGW_ADD_LEG;
	x.leg = (uint8_t)leg;
	x.setup_ms = setup_of(g, setup_ms);
	x.term = spec->term;
	x.term.serial = 0;
	x.term.door = c->door;
	x.term.tenant = c->tenant;
	rc = agw_term_check(cp, leg, &x.term, spec->accept_any, err, errlen);
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
	if (send_to_dp(cp, c->worker, IPC_AGW_MOD, c->id, &x, sizeof(x)) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	(void)agw_serial_next(c);
	slot_fill(g, c, leg, &x.term, ours);
	g->stats[CP_AGW_STAT_LEGS_ADDED]++;
	if (got != NULL)
		*got = leg;
	return 0;
}

int
cp_agw_modify_leg(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
		  unsigned int leg, const struct cp_agw_leg_mod *m, char *err, size_t errlen)
{
	const struct ipc_addr *remote = m->remote;
	const struct ipc_agw_fp *fp = m->fp;
	unsigned int nfp = m->nfp;
	struct cp_agw_ctx *c;
	struct ipc_agw_mod x;
	const struct ipc_agw_term *t;
	bool accept_any;
	int rc;

	if ((rc = ctx_for_change(cp, who, id, leg, &c, err, errlen)) < 0)
		return rc;
	if (leg > 1 || c->tcp.term[leg].tcp_role == IPC_AGW_TCP_NONE)
		ERR(-ENOENT, "leg %u of context %" PRIu64 " has no termination", leg, id);
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
	if (send_to_dp(cp, c->worker, IPC_AGW_MOD, c->id, &x, sizeof(x)) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	c->tcp.term[leg] = x.term;
	cp->agw->stats[CP_AGW_STAT_LEGS_MODIFIED]++;
	return 0;
}

int
cp_agw_subtract_leg(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
		    unsigned int leg, char *err, size_t errlen)
{
	struct cp_agw_ctx *c;
	struct ipc_agw_mod x;
	int rc;

	if ((rc = ctx_for_change(cp, who, id, leg, &c, err, errlen)) < 0)
		return rc;
	if (leg > 1 || c->tcp.term[leg].tcp_role == IPC_AGW_TCP_NONE)
		ERR(-ENOENT, "leg %u of context %" PRIu64 " has no termination", leg, id);
	memset(&x, 0, sizeof(x));
	x.op = IPC_AGW_SUB_LEG;
	x.leg = (uint8_t)leg;
	if (send_to_dp(cp, c->worker, IPC_AGW_MOD, c->id, &x, sizeof(x)) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	/* The slot is empty at once: a termination may join it before dp's
	 * SUBTRACTED comes (which then names the old one by its serial). dp
	 * frees the port before it takes anything after this message. */
	agw_slot_clear(cp->agw, c, leg);
	if (c->tcp.term[leg ^ 1u].tcp_role == IPC_AGW_TCP_NONE) {
		c->state = CP_AGW_RELEASING;      /* (dp releases it: its RELEASED comes) */
		cp->agw->stats[CP_AGW_STAT_RELEASE_ASKED]++;
	}
	cp->agw->stats[CP_AGW_STAT_LEGS_SUBTRACTED]++;
	return 0;
}

int
cp_agw_release(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id, char *err,
	       size_t errlen)
{
	struct cp_agw_ctx *c;

	if (cp->agw == NULL)
		ERR(-ENODEV, "no agw group in turnpike-cp's configuration");
	c = cp_agw_lookup(cp, who, id);
	if (c == NULL)
		ERR(-ENOENT, "no context %" PRIu64 " (released already?)", id);
	if (c->state != CP_AGW_RELEASING) {
		if (send_to_dp(cp, c->worker, IPC_AGW_DEL, c->id, NULL, 0) < 0)
			ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
		c->state = CP_AGW_RELEASING;
		cp->agw->stats[CP_AGW_STAT_RELEASE_ASKED]++;
	}
	return 0;
}

#undef ERR
