/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw as a module of turnpike-cp: the contexts' tables, agw.peers
 * with this box's addresses (cp/policy builds policies from the
 * configuration; a reload takes the file's anew), the quotas (a reload
 * takes them at once), dp's restarts, the agw.* commands, status's "agw"
 * and its metrics. Apart from the contexts' own files so that what drives
 * them alone (tests/fuzz's request path) links without the
 * configuration's policy builder.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cp.h"
#include "cp_ctrs.h"
#include "cp_module.h"
#include "agw_internal.h"
#include "cp_agw_rtp.h"
#include "tp_conf.h"
#include "tp_conf_keys.h"
#include "tp_esc.h"

/* The contexts, then agw.peers with this box's addresses. */
static int
agw_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf *conf = cp->conf;
	struct cp_policy *p;
	int rc = cp_agw_init(cp);

	if (rc == -ENOMEM) {
		snprintf(err, errlen, "no memory for %u AGW contexts per worker",
			 conf->agw.max_contexts);
		return rc;
	}
	if (rc < 0) {
		snprintf(err, errlen, "agw: cannot take dp's AGW_EVENT and AGW_STATE "
			 "messages: %s", strerror(-rc));
		return rc;
	}
	if (!conf->agw.enabled)
		return 0;
	p = cp_policy_build_from(cp, conf, &conf->agw.peers, "agw.peers", err, errlen);
	if (p == NULL) {
		cp_agw_fini(cp);
		return -EINVAL;
	}
	cp_agw_policy_set(cp, p);
	return 0;
}

/* status's "agw" (nothing without an agw group). */
static void
agw_status(const struct cp_ctx *cp, struct json_object *resp)
{
	if (cp->agw != NULL)
		json_object_object_add(resp, "agw", cp_agw_status(cp));
}

/* Its counters (struct cp_agw's stats[]), as turnpike_agw_NAME_total
 * (status's "agw" shows them under the same names). */
static const struct cp_ctrs_desc agw_desc[] = {
#define CP_AGW_STAT(e, n, h) { n, CP_CTRS_COUNTER, 0, h },
#include "agw/cp_agw_stats.def"
#undef CP_AGW_STAT
};

static void
agw_values(const struct cp_ctx *cp, uint64_t *out)
{
	if (cp->agw != NULL)
		memcpy(out, cp->agw->stats, sizeof(cp->agw->stats));
}

/* (shown by the module's own metrics hook) */
static const struct cp_ctrs_family agw_ctrs = {
	.name = "agw",
	.prefix = "",
	.metric = "turnpike_agw_",
	.desc = agw_desc,
	.n = sizeof(agw_desc) / sizeof(agw_desc[0]),
	.values = agw_values,
};

_Static_assert(sizeof(agw_desc) / sizeof(agw_desc[0]) == CP_AGW_STAT__COUNT,
	       "a descriptor for each of cp/agw's counters");

/* The counters, and the live contexts by door and tenant (what the quotas
 * bound), every pair a series. */
static void
agw_metrics(const struct cp_ctx *cp, FILE *f)
{
	const struct cp_agw *g = cp->agw;

	if (g == NULL)
		return;
	cp_ctrs_metrics(cp, &agw_ctrs, f);
	cp_ctrs_head(f, "turnpike_agw_contexts", "gauge",
		     "Live access-gateway contexts by the door that made them and their tenant "
		     "(agw.quota, a tenant's agw_contexts)");
	for (unsigned int d = 0; d < CP_AGW_DOORS; d++)
		for (unsigned int t = 0; t <= cp->conf->tenants.n; t++) {
			fprintf(f, "turnpike_agw_contexts{door=\"%s\",tenant=\"", cp_agw_door_name(d));
			tp_esc_prom_label(f, tp_conf_tenant_name(cp->conf, t));
			fprintf(f, "\"} %u\n", cp_agw_live(g, d, t));
		}
	agw_kinds_metrics(cp, f);
}

/* A reload: agw.peers' policy made from the new file first, taken whole
 * after; a termination already up keeps its remote. */
static struct cp_policy *next_policy;

static int
agw_reload_prepare(struct cp_ctx *cp, const struct tp_conf *next, char *err, size_t errlen)
{
	if (cp->agw == NULL || !next->agw.enabled)
		return 0;
	next_policy = cp_policy_build_from(cp, next, &next->agw.peers, "agw.peers", err, errlen);
	return next_policy != NULL ? 0 : -EINVAL;
}

/* agw.quota and the tenants' agw_contexts (the tenants' when they are
 * the same ones: else a restart, said by tp_conf_restart_diff()). A
 * lower quota refuses the next creates and ends no context. */
static void
quotas_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	struct tp_conf_agw_quota *q = &cp->conf->agw.quota;
	const struct tp_conf_agw_quota *x = &next->agw.quota;

#define QUOTA(field) \
	if (q->field != x->field) { \
		cp_reload_say(r, false, "agw.quota." #field " %u -> %u", q->field, x->field); \
		q->field = x->field; \
	}
	QUOTA(api);
	QUOTA(iq);
	QUOTA(ng);
	QUOTA(default_tenant);
#undef QUOTA
	if (!tp_conf_tenants_same(cp->conf, next))
		return;
	for (unsigned int i = 0; i < cp->conf->tenants.n; i++) {
		struct tp_conf_tenant *c = &cp->conf->tenants.t[i];
		uint32_t v = next->tenants.t[i].agw_contexts;

		if (c->agw_contexts != v)
			cp_reload_say(r, false, "tenant %s: agw_contexts %u -> %u", c->name,
				      c->agw_contexts, v);
		c->agw_contexts = v;
	}
}

static void
agw_reload_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	struct tp_conf_agw *c = &cp->conf->agw;

	if (next_policy == NULL)
		return;
	quotas_apply(cp, next, r);
	if (cp_policy_peers_differ(&c->peers, &next->agw.peers))
		cp_reload_say(r, false, "agw.peers (what an AGW leg's remote may be)");
	cp_agw_policy_set(cp, next_policy);
	next_policy = NULL;
	c->peers = next->agw.peers;
}

static void
agw_reload_abort(struct cp_ctx *cp)
{
	(void)cp;
	cp_policy_free(next_policy);
	next_policy = NULL;
}

static const struct cp_module_reload agw_reload = {
	.prepare = agw_reload_prepare,
	.apply = agw_reload_apply,
	.abort = agw_reload_abort,
};

const struct cp_module cp_agw_module = {
	.name = "agw",
	.setup = agw_setup,
	.fini = cp_agw_fini,
	/* (a no-op without an agw group) */
	.on_dp_restart = cp_agw_dp_restart,
	.serve = cp_agw_serve,
	.commands = cp_agw_register,
	.ctrs = &agw_ctrs,
	.status = agw_status,
	.status_rank = 10,
	.metrics = agw_metrics,
	.metrics_rank = CP_METRICS_ALLOCATIONS,
	.reload = &agw_reload,
};
