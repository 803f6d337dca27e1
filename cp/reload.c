/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-cp: reload (SIGHUP, `turnpikectl reload`). The file
 * is read again; what cp can change without dropping anything changes:
 * the file's users and REST secrets (the store's stay), the peer policy
 * (cp.peers), cp.quota_user, the tenants' quotas and peers (tenant_limits_apply()),
 * the lifetimes, cp.metrics and
 * cp.metrics_allow, cp.alternates, cp.log_level.
 * Everything else that differs is named as needing a restart of cp, dp or
 * both, as lib/conf's table of every setting says (tp_conf_keys.h:
 * tp_conf_restart_diff()). In three steps,
 * so that a reload happens whole or not at all: load and check the new
 * file (a file that does not load changes nothing, and says why); prepare
 * what can fail (the new policy, the users' keys and room for them, the
 * new metrics endpoint, the alternates); then apply what cannot fail.
 * Allocations are untouched: a permission granted before a peer became
 * denied runs until it expires (RFC 8656 §9: permissions are not revoked
 * by the server), refreshes are judged by the new rules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cp.h"
#include "acct/acct.h"
#include "api/api_cmd.h"
#include "metrics/metrics.h"
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
		       CP_POLICY_MAX_TENANT_OWN >= TP_CONF_MAX_TENANTS * TP_CONF_TENANT_ADDRS,
		       "the policy holds every address of ours");
	/* Our own addresses are never peers (a relay loop, RFC 8656
	 * §21.1.7), the tenants' TURN addresses among them (dp answers
	 * there as on a port's own); our relayed addresses are refused too
	 * unless cp finds the peer is an allocation's relayed transport
	 * address of the same tenant and allow_relay_to_relay is on
	 * (alloc/requests.c: relay_peer_ok()). */
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
		}
		if (pt->has_ip6) {
			a.family = 6;
			memcpy(a.ip, pt->ip6, 16);
			cp_policy_add_own(p, &a);
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

/* What a reload reports: in resp's arrays and in cp's log. */
struct rl_note {
	struct json_object *changed;
	struct json_object *restart;
	char log[2048];
	size_t loglen;
};

static void
note(struct rl_note *n, bool restart, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
note(struct rl_note *n, bool restart, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	int k;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_object_array_add(restart ? n->restart : n->changed,
			      json_object_new_string(line));
	if (n->loglen < sizeof(n->log)) {
		k = snprintf(n->log + n->loglen, sizeof(n->log) - n->loglen, "%s%s%s",
			     n->loglen > 0 ? "; " : "", restart ? "needs a restart: " : "",
			     line);
		if (k > 0)
			n->loglen += (size_t)k;
	}
}

static const struct tp_conf_user *
conf_user(const struct tp_conf_cp *c, const char *name)
{
	for (unsigned int i = 0; i < c->nusers; i++)
		if (strcmp(c->users[i].name, name) == 0)
			return &c->users[i];
	return NULL;
}

static bool
conf_secret(const struct tp_conf_cp *c, const char *s)
{
	for (unsigned int i = 0; i < c->nsecrets; i++)
		if (strcmp(c->secrets[i], s) == 0)
			return true;
	return false;
}

struct find_secret {
	const char *want;
	bool found;
};

static int
find_secret_cb(void *arg, const char *s)
{
	struct find_secret *f = arg;

	if (strcmp(f->want, s) == 0)
		f->found = true;
	return 0;
}

static bool
store_has_secret(struct cp_ctx *cp, const char *s)
{
	struct find_secret f = { .want = s, .found = false };

	if (cp->store != NULL)
		cp_store_secret_list(cp->store, find_secret_cb, &f);
	return f.found;
}

/* A line of tp_conf_restart_diff(): a setting that needs a restart. */
static void
note_restart(void *arg, const char *line)
{
	note(arg, true, "%s", line);
}

static bool
peers_differ(const struct tp_conf_peers *a, const struct tp_conf_peers *b)
{
	return a->allow_loopback != b->allow_loopback ||
	       a->allow_private != b->allow_private ||
	       a->allow_link_local != b->allow_link_local ||
	       a->allow_multicast != b->allow_multicast ||
	       a->nallow != b->nallow || a->ndeny != b->ndeny ||
	       memcmp(a->allow, b->allow, sizeof(a->allow[0]) * a->nallow) != 0 ||
	       memcmp(a->deny, b->deny, sizeof(a->deny[0]) * a->ndeny) != 0;
}

/*
 * Tenants: what identifies each one (tp_conf_tenants_same(): its index,
 * name, realm, TURN addresses, relayed addresses) changes with a restart
 * only (lib/conf's table says so). When those are the same, a reload
 * applies each tenant's quotas (a lower one refuses new allocations and
 * ends no existing one, as cp.quota_user does) and its peer policy (its
 * own peers group, or cp.peers' for a tenant without one). Its users and
 * secrets are cp/auth's to apply.
 */
static const struct tp_conf_user *
tenant_user(const struct tp_conf_tenant *t, const char *name)
{
	for (unsigned int i = 0; i < t->nusers; i++)
		if (strcmp(t->users[i].name, name) == 0)
			return &t->users[i];
	return NULL;
}

static bool
tenant_secret(const struct tp_conf_tenant *t, const char *s)
{
	for (unsigned int i = 0; i < t->nsecrets; i++)
		if (strcmp(t->secrets[i], s) == 0)
			return true;
	return false;
}

/* Step 2 for the tenants' users: each one's keys can be made. */
static int
tenants_prepare(struct cp_ctx *cp, const struct tp_conf *next, uint32_t *users_after,
		char *err, size_t errlen)
{
	uint8_t md5[16], sha[32];
	int rc = 0;

	if (!tp_conf_tenants_same(cp->conf, next))
		return 0;
	for (unsigned int k = 0; k < next->tenants.n && rc == 0; k++) {
		const struct tp_conf_tenant *t = &next->tenants.t[k];

		for (unsigned int i = 0; i < t->nusers && rc == 0; i++) {
			if (cp_auth_user_keys_in(cp->auth, k + 1, t->users[i].name,
						 t->users[i].password, md5, sha) < 0) {
				snprintf(err, errlen, "%.200s:%d: tenant '%s': user '%.100s' "
					 "refused (bad name or password)", next->path,
					 t->users[i].line, t->name, t->users[i].name);
				rc = -EINVAL;
			}
			*users_after += !cp_auth_user_exists_in(cp->auth, k + 1,
							       t->users[i].name);
		}
	}
	OPENSSL_cleanse(md5, sizeof(md5));
	OPENSSL_cleanse(sha, sizeof(sha));
	return rc;
}

/* Step 3 for the tenants: their users and secrets as the file now says
 * (a user gone from the file falls back to the store's row of its realm,
 * or goes); another set of tenants needs both daemons restarted. */
static void
tenants_apply(struct cp_ctx *cp, struct tp_conf *next, struct rl_note *n)
{
	struct tp_conf *cur = cp->conf;

	if (!tp_conf_tenants_same(cur, next))
		return;               /* (a restart, said by tp_conf_restart_diff()) */
	for (unsigned int k = 0; k < cur->tenants.n; k++) {
		struct tp_conf_tenant *c = &cur->tenants.t[k], *x = &next->tenants.t[k];
		struct cp_store_user su;

		if (cp->store != NULL)
			cp_store_scope(cp->store, c->realm);
		for (unsigned int i = 0; i < c->nusers; i++) {
			const char *name = c->users[i].name;

			if (tenant_user(x, name) != NULL)
				continue;
			if (cp->store != NULL && cp_store_user_get(cp->store, name, &su) == 0) {
				cp_auth_user_add_keys_in(cp->auth, k + 1, name, su.md5,
							 su.has_sha256 ? su.sha256 : NULL);
				OPENSSL_cleanse(&su, sizeof(su));
				note(n, false, "tenant %s: user %s: now the store's", c->name, name);
			} else {
				cp_auth_user_del_in(cp->auth, k + 1, name);
				note(n, false, "tenant %s: user %s: removed", c->name, name);
			}
		}
		for (unsigned int i = 0; i < x->nusers; i++) {
			const struct tp_conf_user *old = tenant_user(c, x->users[i].name);

			if (old != NULL && strcmp(old->password, x->users[i].password) == 0)
				continue;
			cp_auth_user_add_in(cp->auth, k + 1, x->users[i].name,
					    x->users[i].password);
			note(n, false, "tenant %s: user %s: %s", c->name, x->users[i].name,
			     old != NULL ? "new password" : "added");
		}
		for (unsigned int i = 0; i < c->nsecrets; i++) {
			if (tenant_secret(x, c->secrets[i]))
				continue;
			if (!store_has_secret(cp, c->secrets[i]))
				cp_auth_secret_del_in(cp->auth, k + 1, c->secrets[i]);
			note(n, false, "tenant %s: a REST secret removed", c->name);
		}
		for (unsigned int i = 0; i < x->nsecrets; i++) {
			if (tenant_secret(c, x->secrets[i]))
				continue;
			cp_auth_secret_add_in(cp->auth, k + 1, x->secrets[i]);
			note(n, false, "tenant %s: a REST secret added", c->name);
		}
		if (cp->store != NULL)
			cp_store_scope(cp->store, NULL);
		c->nusers = x->nusers;
		memcpy(c->users, x->users, sizeof(c->users));
		c->nsecrets = x->nsecrets;
		memcpy(c->secrets, x->secrets, sizeof(c->secrets));
	}
}

/* Apply the tenants' quotas and peer policies of next (the same shape as
 * cur's), tpol the policies built for them (taken). */
static void
tenant_limits_apply(struct cp_ctx *cp, struct tp_conf_tenants *cur,
	      const struct tp_conf_tenants *next, struct cp_policy *tpol[TP_CONF_MAX_TENANTS],
	      struct rl_note *n)
{
	for (unsigned int i = 0; i < cur->n; i++) {
		struct tp_conf_tenant *c = &cur->t[i];
		const struct tp_conf_tenant *x = &next->t[i];

		if (c->quota_total != x->quota_total)
			note(n, false, "tenant %s: quota_total %u -> %u", c->name, c->quota_total,
			     x->quota_total);
		if (c->quota_user != x->quota_user)
			note(n, false, "tenant %s: quota_user %u -> %u", c->name, c->quota_user,
			     x->quota_user);
		c->quota_total = x->quota_total;
		c->quota_user = x->quota_user;
		if (c->has_peers != x->has_peers || peers_differ(&c->peers, &x->peers) ||
		    c->allow_relay_to_relay != x->allow_relay_to_relay)
			note(n, false, "tenant %s: peers (%s)", c->name, x->has_peers ?
			     "its own" : "cp.peers'");
		c->has_peers = x->has_peers;
		c->peers = x->peers;
		c->allow_relay_to_relay = x->allow_relay_to_relay;
	}
	cp_policy_tenants_free(cp->tenant_policy);
	memcpy(cp->tenant_policy, tpol, sizeof(cp->tenant_policy));
	memset(tpol, 0, sizeof(cp->tenant_policy));
}

int
cp_reload(struct cp_ctx *cp, struct json_object *resp)
{
	static struct tp_conf next;
	struct tp_conf *cur = cp->conf;
	struct tp_conf_cp *c = &cur->cp, *x = &next.cp;
	struct stun_addr alts[CP_MAX_ALTERNATES];
	static struct cp_metrics_allow allow_next, allow_cur;
	struct cp_policy *pol = NULL, *apol = NULL, *tpol[TP_CONF_MAX_TENANTS] = { NULL };
	struct cp_metrics *met = NULL;
	struct rl_note n = { 0 };
	uint8_t md5[16], sha[32];
	uint32_t users_after, secrets_after;
	bool metrics_new, allow_new, loaded = false, limits_same;
	char err[600];
	int rc = -EINVAL;

	n.changed = json_object_new_array();
	n.restart = json_object_new_array();
	/* 1. load and check */
	if (tp_conf_load(cur->path, &next, err, sizeof(err)) < 0)
		goto fail;
	loaded = true;
	if (!next.turn.enabled && !next.agw.enabled) {
		snprintf(err, sizeof(err), "%.200s: no 'turn' group and no 'agw' group",
			 cur->path);
		goto fail;
	}
	/* 2. prepare what can fail */
	pol = cp_policy_build(cp, &next, err, sizeof(err));
	if (pol == NULL)
		goto fail;
	limits_same = tp_conf_tenants_same(cur, &next);
	if (limits_same && cp_policy_build_tenants(cp, &next, tpol, err, sizeof(err)) < 0)
		goto fail;
	if (cp->agw != NULL && next.agw.enabled &&
	    (apol = cp_policy_build_from(cp, &next, &next.agw.peers, "agw.peers", err,
					 sizeof(err))) == NULL)
		goto fail;
	for (unsigned int i = 0; i < x->nalternates; i++)
		if (cp_parse_hostport(x->alternates[i], &alts[i]) < 0) {
			snprintf(err, sizeof(err), "%.200s: cp.alternates: '%s' is not an address "
				 "like \"192.0.2.7:3478\"", cur->path, x->alternates[i]);
			goto fail;
		}
	users_after = cp_auth_user_count(cp->auth);
	for (unsigned int i = 0; i < x->nusers; i++) {
		if (cp_auth_user_keys(cp->auth, x->users[i].name, x->users[i].password,
				      md5, sha) < 0) {
			snprintf(err, sizeof(err), "%.200s:%d: user '%.100s' refused (bad name or "
				 "password)", cur->path, x->users[i].line, x->users[i].name);
			goto fail;
		}
		users_after += !cp_auth_user_exists(cp->auth, x->users[i].name);
	}
	if (tenants_prepare(cp, &next, &users_after, err, sizeof(err)) < 0)
		goto fail;
	if (users_after > c->max_users) {
		snprintf(err, sizeof(err), "more users than cp.max_users (%u)", c->max_users);
		goto fail;
	}
	secrets_after = cp_auth_secret_list(cp->auth, NULL, 0);
	for (unsigned int i = 0; i < x->nsecrets; i++) {
		char v[CP_AUTH_SECRET_MAX + 1];

		secrets_after += cp_auth_secret_lookup(cp->auth, x->secrets[i], v) < 0;
		OPENSSL_cleanse(v, sizeof(v));
	}
	if (secrets_after > TP_CONF_MAX_SECRETS + 16) {
		snprintf(err, sizeof(err), "more REST secrets than cp keeps (%u)",
			 TP_CONF_MAX_SECRETS + 16);
		goto fail;
	}
	metrics_new = strcmp(c->metrics, x->metrics) != 0;
	allow_new = c->nmetrics_allow != x->nmetrics_allow ||
		    memcmp(c->metrics_allow, x->metrics_allow,
			   sizeof(c->metrics_allow[0]) * x->nmetrics_allow) != 0;
	if (cp_metrics_allow_parse(x->metrics_allow, x->nmetrics_allow, &allow_next,
				   err, sizeof(err)) < 0 ||
	    cp_metrics_allow_parse(c->metrics_allow, c->nmetrics_allow, &allow_cur,
				   err, sizeof(err)) < 0)
		goto fail;
	if (metrics_new && x->metrics[0] != '\0') {
		/* the old endpoint holds the port when only the address
		 * changes: close it first, reopen it on failure */
		if (cp->metrics != NULL && strchr(x->metrics, ':') != NULL &&
		    strcmp(strrchr(c->metrics, ':'), strrchr(x->metrics, ':')) == 0) {
			cp_metrics_close(cp->metrics);
			cp->metrics = NULL;
		}
		met = cp_metrics_open(cp, x->metrics, &allow_next, err, sizeof(err));
		if (met == NULL) {
			if (cp->metrics == NULL && c->metrics[0] != '\0')
				cp->metrics = cp_metrics_open(cp, c->metrics, &allow_cur,
							      err + strlen(err), 0);
			goto fail;
		}
	}

	/* 3. apply: nothing below fails */
	tp_conf_restart_diff(cur, &next, note_restart, &n);
	/* the records' file opened again (logrotate moved it), and the
	 * accounting group's settings taken; one that cannot be opened is
	 * logged and counted, records are tried again as they come */
	if (cur->acct.enabled && next.acct.enabled) {
		int k = cp_acct_reload(cp, &next.acct);

		if (k < 0)
			note(&n, false, "accounting.file %s reopened: it cannot be opened (%s); "
			     "records %s until it can", next.acct.file, strerror(-k),
			     next.acct.spool[0] != '\0' ? "wait in the spool" :
			     "are counted as lost");
		else
			note(&n, false, "accounting.file %s reopened", next.acct.file);
		cur->acct = next.acct;
	}
	if (peers_differ(&c->peers, &x->peers) ||
	    c->allow_relay_to_relay != x->allow_relay_to_relay)
		note(&n, false, "cp.peers (the peer policy)");
	cp_policy_free(cp->policy);
	cp->policy = pol;
	pol = NULL;
	c->peers = x->peers;
	c->allow_relay_to_relay = x->allow_relay_to_relay;
	if (limits_same)
		tenant_limits_apply(cp, &cur->tenants, &next.tenants, tpol, &n);
	if (apol != NULL) {
		if (peers_differ(&cur->agw.peers, &next.agw.peers))
			note(&n, false, "agw.peers (what an AGW leg's remote may be)");
		cp_agw_policy_set(cp, apol);
		apol = NULL;
		cur->agw.peers = next.agw.peers;
	}
	/* users of the file: gone ones fall back to the store's (if it has
	 * the name) or go; new and changed ones are (re)keyed */
	for (unsigned int i = 0; i < c->nusers; i++) {
		const char *name = c->users[i].name;
		struct cp_store_user su;

		if (conf_user(x, name) != NULL)
			continue;
		if (cp->store != NULL && cp_store_user_get(cp->store, name, &su) == 0) {
			cp_auth_user_add_keys(cp->auth, name, su.md5,
					      su.has_sha256 ? su.sha256 : NULL);
			OPENSSL_cleanse(&su, sizeof(su));
			note(&n, false, "user %s: now the store's", name);
		} else {
			cp_auth_user_del(cp->auth, name);
			note(&n, false, "user %s: removed", name);
		}
	}
	for (unsigned int i = 0; i < x->nusers; i++) {
		const struct tp_conf_user *old = conf_user(c, x->users[i].name);

		if (old != NULL && strcmp(old->password, x->users[i].password) == 0)
			continue;
		cp_auth_user_add(cp->auth, x->users[i].name, x->users[i].password);
		note(&n, false, "user %s: %s", x->users[i].name, old != NULL ?
		     "new password" : "added");
	}
	c->nusers = x->nusers;
	memcpy(c->users, x->users, sizeof(c->users));
	for (unsigned int i = 0; i < c->nsecrets; i++) {
		if (conf_secret(x, c->secrets[i]))
			continue;
		if (!store_has_secret(cp, c->secrets[i]))
			cp_auth_secret_del(cp->auth, c->secrets[i]);
		note(&n, false, "a REST secret removed");
	}
	for (unsigned int i = 0; i < x->nsecrets; i++) {
		if (conf_secret(c, x->secrets[i]))
			continue;
		cp_auth_secret_add(cp->auth, x->secrets[i]);   /* -EEXIST: the store's */
		note(&n, false, "a REST secret added");
	}
	c->nsecrets = x->nsecrets;
	memcpy(c->secrets, x->secrets, sizeof(c->secrets));
	tenants_apply(cp, &next, &n);
#define LIVE(field, name) \
	if (c->field != x->field) { \
		note(&n, false, "%s %llu -> %llu", name, (unsigned long long)c->field, \
		     (unsigned long long)x->field); \
		c->field = x->field; \
	}
	LIVE(quota_user, "cp.quota_user");
	LIVE(lifetime_default_s, "cp.lifetime_default");
	LIVE(lifetime_max_s, "cp.lifetime_max");
	LIVE(perm_lifetime_s, "cp.permission_lifetime");
	LIVE(chan_lifetime_s, "cp.channel_lifetime");
#undef LIVE
	if (c->log_level != x->log_level) {
		note(&n, false, "cp.log_level %s -> %s", tp_log_level_name((int)c->log_level),
		     tp_log_level_name((int)x->log_level));
		c->log_level = x->log_level;
		tp_log_set_level((enum tp_log_level)c->log_level);
	}
	if (metrics_new) {
		cp_metrics_close(cp->metrics);
		cp->metrics = met;
		met = NULL;
		note(&n, false, "cp.metrics '%s' -> '%s'", c->metrics, x->metrics);
		memcpy(c->metrics, x->metrics, sizeof(c->metrics));
	}
	if (allow_new) {
		/* (a new endpoint above has the new list already) */
		if (cp->metrics != NULL)
			cp_metrics_set_allow(cp->metrics, &allow_next);
		note(&n, false, "cp.metrics_allow (%u prefix%s%s)", x->nmetrics_allow,
		     x->nmetrics_allow == 1 ? "" : "es",
		     x->nmetrics_allow == 0 ? ": any source" : "");
		c->nmetrics_allow = x->nmetrics_allow;
		memcpy(c->metrics_allow, x->metrics_allow, sizeof(c->metrics_allow));
	}
	if ((metrics_new || allow_new) &&
	    cp_metrics_exposed_warning(c->metrics, c->nmetrics_allow, err, sizeof(err)))
		tp_log(TP_LOG_WARNING, "%s\n", err);
	if (c->nalternates != x->nalternates ||
	    memcmp(c->alternates, x->alternates, sizeof(c->alternates)) != 0) {
		note(&n, false, "cp.alternates");
		c->nalternates = x->nalternates;
		memcpy(c->alternates, x->alternates, sizeof(c->alternates));
		memcpy(cp->full_alt, alts, sizeof(alts[0]) * x->nalternates);
		cp->nfull_alt = x->nalternates;
	}
	/* dp reads its certificates itself (renewed files, same paths
	 * included: cp cannot tell): ask it, as SIGHUP to dp would */
	if (cur->tls.enabled && next.tls.enabled) {
		/* (a dp that is not running reads them when it starts; a
		 * message left in its ring would be a stale reload later) */
		int k = cp->tls != NULL && cp->seg.shm != NULL &&
			ipc_dp_running(cp->seg.shm, ipc_monotonic_ms()) ?
			cp_tls_reload_dp(cp->tls) : -ESRCH;

		if (k == -ESRCH)
			note(&n, false, "the tls group's certificates: dp is not running "
			     "(it reads them when it starts)");
		else if (k == 0)
			note(&n, false, "dp asked to read the tls group's certificates again "
			     "(dp's log says which it serves)");
		else
			note(&n, true, "the tls group's certificates: dp could not be asked "
			     "(%s): `systemctl reload turnpike-dp`", strerror(-k));
	}
	tp_conf_free(&next);
	OPENSSL_cleanse(&next, sizeof(next));
	OPENSSL_cleanse(md5, sizeof(md5));
	OPENSSL_cleanse(sha, sizeof(sha));
	cp->stats[CP_STAT_RELOADS]++;
	tp_log(TP_LOG_NOTICE, "reloaded %s: %s\n", cur->path,
	       n.loglen > 0 ? n.log : "nothing changed");
	fflush(stdout);
	if (resp != NULL) {
		json_object_object_add(resp, "changed", n.changed);
		json_object_object_add(resp, "restart_needed", n.restart);
	} else {
		json_object_put(n.changed);
		json_object_put(n.restart);
	}
	return 0;
fail:
	cp_policy_free(pol);
	cp_policy_free(apol);
	cp_policy_tenants_free(tpol);
	cp_metrics_close(met);
	if (loaded)
		tp_conf_free(&next);
	OPENSSL_cleanse(&next, sizeof(next));
	OPENSSL_cleanse(md5, sizeof(md5));
	OPENSSL_cleanse(sha, sizeof(sha));
	json_object_put(n.changed);
	json_object_put(n.restart);
	cp->stats[CP_STAT_RELOADS_REFUSED]++;
	tp_log(TP_LOG_ERR, "reload refused, nothing changed: %s\n", err);
	if (resp != NULL)
		cp_api_err(cp, "reload refused, nothing changed: %s", err);
	return rc;
}
