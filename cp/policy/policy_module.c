/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/policy as a module of turnpike-cp: the peer policies built from the
 * configuration with this box's own addresses (cp.peers', agw.peers' for
 * cp/agw, and one for each tenant with a peers group of its own: the
 * others are judged by cp.peers'), made at start and rebuilt whole by a
 * reload.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cp.h"
#include "cp_module.h"
#include "tp_conf.h"
#include "tp_conf_keys.h"

/*
 * A peer policy from c (conf's cp.peers or agw.peers: what names it), with
 * this box's own and relayed addresses from the running configuration
 * (cp->conf: the dp group is dp's, a change there needs dp restarted).
 * NULL with the reason in err.
 */
struct cp_policy *
cp_policy_build_from(const struct cp_ctx *cp, const struct tp_conf *conf,
		     const struct tp_conf_peers *c, const char *what, char *err, size_t errlen)
{
	const struct tp_conf_dp *d = &cp->conf->dp;
	struct cp_policy *p;
	char why[256];

	p = cp_policy_create();
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->allow_loopback = c->allow_loopback;
	p->allow_private = c->allow_private;
	p->allow_link_local = c->allow_link_local;
	p->allow_multicast = c->allow_multicast;
	for (unsigned int i = 0; i < c->nallow; i++)
		if (cp_policy_add_allow(p, c->allow[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s allow list: %s", conf->path, what, why);
			goto fail;
		}
	for (unsigned int i = 0; i < c->ndeny; i++)
		if (cp_policy_add_deny(p, c->deny[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s deny list: %s", conf->path, what, why);
			goto fail;
		}
	_Static_assert(CP_POLICY_MAX_OWN >= 2 * TP_CONF_MAX_PORTS + 2 * TP_CONF_MAX_RELAY &&
		       CP_POLICY_MAX_TENANT_OWN >= TP_CONF_MAX_TENANTS * TP_CONF_TENANT_ADDRS &&
		       CP_POLICY_MAX_SUBNETS >= 2 * TP_CONF_MAX_PORTS,
		       "the policy holds every address and subnet of ours");
	/* Our own addresses are never peers (a relay loop, RFC 8656
	 * §21.1.7), the tenants' TURN addresses among them (dp answers
	 * there as on a port's own); our relayed addresses are refused too
	 * unless cp finds the peer is an allocation's relayed transport
	 * address of the same tenant and allow_relay_to_relay is on
	 * (alloc/requests.c: relay_peer_ok()). Nor are the broadcast and
	 * anycast addresses of the subnets our ports are on, where the
	 * relayed and the tenants' addresses live too (lib/conf keeps them
	 * inside a port's prefix). */
	for (unsigned int i = 0; i < cp->conf->tenants.n; i++) {
		const struct tp_conf_tenant *t = &cp->conf->tenants.t[i];

		for (unsigned int j = 0; j < t->naddrs; j++) {
			struct cp_addr a;

			memset(&a, 0, sizeof(a));
			a.family = t->addrs[j].family;
			memcpy(a.ip, t->addrs[j].ip, a.family == 4 ? 4 : 16);
			cp_policy_add_own_tenant(p, &a);
		}
	}
	for (unsigned int i = 0; i < d->nports; i++) {
		const struct tp_conf_port *pt = &d->ports[i];
		struct cp_addr a;

		memset(&a, 0, sizeof(a));
		if (pt->has_ip4) {
			a.family = 4;
			memcpy(a.ip, pt->ip4, 4);
			cp_policy_add_own(p, &a);
			cp_policy_add_own_subnet(p, &a, pt->plen4);
		}
		if (pt->has_ip6) {
			a.family = 6;
			memcpy(a.ip, pt->ip6, 16);
			cp_policy_add_own(p, &a);
			cp_policy_add_own_subnet(p, &a, pt->plen6);
		}
	}
	for (unsigned int fi = 0; fi < 2; fi++) {
		uint8_t ips[TP_CONF_MAX_RELAY][16];
		unsigned int n = tp_conf_relay_addrs(cp->conf, fi == 0 ? 4 : 6, ips, NULL);

		for (unsigned int k = 0; k < n; k++) {
			struct cp_addr a;

			memset(&a, 0, sizeof(a));
			a.family = fi == 0 ? 4 : 6;
			memcpy(a.ip, ips[k], fi == 0 ? 4 : 16);
			cp_policy_add_own_relayed(p, &a);
		}
	}
	return p;
fail:
	cp_policy_free(p);
	return NULL;
}

struct cp_policy *
cp_policy_build(const struct cp_ctx *cp, const struct tp_conf *conf, char *err,
		size_t errlen)
{
	return cp_policy_build_from(cp, conf, &conf->cp.peers, "peer", err, errlen);
}

void
cp_policy_tenants_free(struct cp_policy *p[TP_CONF_MAX_TENANTS])
{
	for (unsigned int i = 0; i < TP_CONF_MAX_TENANTS; i++) {
		cp_policy_free(p[i]);
		p[i] = NULL;
	}
}

int
cp_policy_build_tenants(const struct cp_ctx *cp, const struct tp_conf *conf,
			struct cp_policy *out[TP_CONF_MAX_TENANTS], char *err, size_t errlen)
{
	for (unsigned int i = 0; i < TP_CONF_MAX_TENANTS; i++)
		out[i] = NULL;
	for (unsigned int i = 0; i < conf->tenants.n && i < TP_CONF_MAX_TENANTS; i++) {
		const struct tp_conf_tenant *t = &conf->tenants.t[i];
		char what[TP_CONF_TENANT_NAME_MAX + 32];

		if (!t->has_peers)
			continue;
		snprintf(what, sizeof(what), "tenant '%s' peers", t->name);
		out[i] = cp_policy_build_from(cp, conf, &t->peers, what, err, errlen);
		if (out[i] == NULL) {
			cp_policy_tenants_free(out);
			return -EINVAL;
		}
	}
	return 0;
}

bool
cp_policy_peers_differ(const struct tp_conf_peers *a, const struct tp_conf_peers *b)
{
	return a->allow_loopback != b->allow_loopback ||
	       a->allow_private != b->allow_private ||
	       a->allow_link_local != b->allow_link_local ||
	       a->allow_multicast != b->allow_multicast ||
	       a->nallow != b->nallow || a->ndeny != b->ndeny ||
	       memcmp(a->allow, b->allow, sizeof(a->allow[0]) * a->nallow) != 0 ||
	       memcmp(a->deny, b->deny, sizeof(a->deny[0]) * a->ndeny) != 0;
}

static void
policy_fini(struct cp_ctx *cp)
{
	cp_policy_free(cp->policy);
	cp->policy = NULL;
	cp_policy_tenants_free(cp->tenant_policy);
}

static int
policy_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	struct cp_policy *agw = NULL;

	cp->policy = cp_policy_build(cp, cp->conf, err, errlen);
	/* (agw.peers is cp/agw's, built with its contexts: checked here
	 * so that --check says what is wrong with it) */
	if (cp->policy == NULL ||
	    cp_policy_build_tenants(cp, cp->conf, cp->tenant_policy, err, errlen) < 0 ||
	    (cp->conf->agw.enabled &&
	     (agw = cp_policy_build_from(cp, cp->conf, &cp->conf->agw.peers, "agw.peers", err,
					 errlen)) == NULL)) {
		policy_fini(cp);
		return -EINVAL;
	}
	cp_policy_free(agw);
	return 0;
}

/*
 * A reload: the new file's policies, made whole before any is taken. The
 * tenants' are rebuilt only when they are the same tenants
 * (tp_conf_tenants_same(): another set needs both daemons restarted, and
 * until then none of theirs changes); a tenant without a peers group of
 * its own is judged by cp.peers'. Allocations keep the permissions they
 * were granted (RFC 8656 §9: they are not revoked), refreshes are judged
 * by the new rules.
 */
static struct cp_policy *next_policy;
static struct cp_policy *next_tenant_policy[TP_CONF_MAX_TENANTS];

static void
policy_reload_abort(struct cp_ctx *cp)
{
	(void)cp;
	cp_policy_free(next_policy);
	next_policy = NULL;
	cp_policy_tenants_free(next_tenant_policy);
}

static int
policy_reload_prepare(struct cp_ctx *cp, const struct tp_conf *next, char *err,
		      size_t errlen)
{
	next_policy = cp_policy_build(cp, next, err, errlen);
	if (next_policy == NULL)
		return -EINVAL;
	if (tp_conf_tenants_same(cp->conf, next) &&
	    cp_policy_build_tenants(cp, next, next_tenant_policy, err, errlen) < 0) {
		policy_reload_abort(cp);
		return -EINVAL;
	}
	return 0;
}

static void
policy_reload_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	struct tp_conf_cp *c = &cp->conf->cp;
	struct tp_conf_tenants *cur = &cp->conf->tenants;

	if (cp_policy_peers_differ(&c->peers, &next->cp.peers) ||
	    c->allow_relay_to_relay != next->cp.allow_relay_to_relay)
		cp_reload_say(r, false, "cp.peers (the peer policy)");
	cp_policy_free(cp->policy);
	cp->policy = next_policy;
	next_policy = NULL;
	c->peers = next->cp.peers;
	c->allow_relay_to_relay = next->cp.allow_relay_to_relay;
	if (!tp_conf_tenants_same(cp->conf, next))
		return;               /* (a restart, said by tp_conf_restart_diff()) */
	for (unsigned int i = 0; i < cur->n; i++) {
		struct tp_conf_tenant *t = &cur->t[i];
		const struct tp_conf_tenant *x = &next->tenants.t[i];

		if (t->has_peers != x->has_peers ||
		    cp_policy_peers_differ(&t->peers, &x->peers) ||
		    t->allow_relay_to_relay != x->allow_relay_to_relay)
			cp_reload_say(r, false, "tenant %s: peers (%s)", t->name, x->has_peers ?
				      "its own" : "cp.peers'");
		t->has_peers = x->has_peers;
		t->peers = x->peers;
		t->allow_relay_to_relay = x->allow_relay_to_relay;
	}
	cp_policy_tenants_free(cp->tenant_policy);
	memcpy(cp->tenant_policy, next_tenant_policy, sizeof(cp->tenant_policy));
	memset(next_tenant_policy, 0, sizeof(next_tenant_policy));
}

static const struct cp_module_reload policy_reload = {
	.prepare = policy_reload_prepare,
	.apply = policy_reload_apply,
	.abort = policy_reload_abort,
};

const struct cp_module cp_policy_module = {
	.name = "policy",
	.flags = CP_MODULE_CHECK,
	.setup = policy_setup,
	.fini = policy_fini,
	.reload = &policy_reload,
};
