/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth as a module of turnpike-cp: its tables made to the
 * configuration's sizes and filled with the file's users and REST secrets
 * (the store's come after, cp/store/store_module.c); its operator
 * commands are auth_commands.c's, its part of a reload auth_reload.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cp.h"
#include "cp_module.h"

static void
auth_fini(struct cp_ctx *cp)
{
	cp_auth_free(cp->auth);
	cp->auth = NULL;
}

static int
auth_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	const struct tp_conf_tenants *tn = &cp->conf->tenants;
	const char *trealms[TP_CONF_MAX_TENANTS];
	struct cp_auth_conf ac;
	int rc;

	memset(&ac, 0, sizeof(ac));
	/* Without a turn group (an AGW-only box) no client authenticates:
	 * the users and secrets the API manages wait under a realm of no
	 * client's, and cp publishes no nonce key. */
	ac.realm = cp->conf->turn.enabled ? cp->conf->turn.realm : CP_REALM_NO_TURN;
	ac.max_users = c->max_users;
	ac.max_secrets = TP_CONF_MAX_SECRETS + 16;
	ac.software = cp->conf->turn.software;
	ac.nonce_lifetime_s = c->nonce_lifetime_s;
	ac.rl_rate = c->challenge_rate;
	ac.rl_burst = c->challenge_burst;
	/* Challenge rate-limit buckets: twice as many as there may be
	 * allocations, so that clients who all (re)connect at once (after a
	 * failover, say) each find a bucket of their own, not one shared
	 * with two dozen others (at the default 4096 a 100k-client set-up
	 * had clients silenced for good). */
	ac.rl_buckets = c->quota_total > CP_AUTH_DEF_RL_BUCKETS / 2 ?
			2 * c->quota_total : CP_AUTH_DEF_RL_BUCKETS;
	/* the tenants: a realm, nonces, users and secrets each */
	_Static_assert(TP_CONF_MAX_TENANTS == CP_AUTH_TENANTS_MAX, "tenant indices");
	for (unsigned int i = 0; i < tn->n; i++)
		trealms[i] = tn->t[i].realm;
	ac.ntenants = tn->n;
	ac.tenant_realms = trealms;
	cp->auth = cp_auth_init(&ac);
	if (cp->auth == NULL) {
		int e = errno;

		snprintf(err, errlen, "cannot set up authentication: %s", strerror(e));
		return -e;
	}
	for (unsigned int i = 0; i < c->nusers; i++) {
		if (cp_auth_user_add(cp->auth, c->users[i].name, c->users[i].password) < 0) {
			snprintf(err, errlen, "%s:%d: user '%s' refused (bad name or "
				 "password)", cp->conf->path, c->users[i].line,
				 c->users[i].name);
			auth_fini(cp);
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < c->nsecrets; i++) {
		if (cp_auth_secret_add_in(cp->auth, 0, c->secrets[i], c->secret_algs[i]) < 0) {
			snprintf(err, errlen, "%s: REST secret %u refused",
				 cp->conf->path, i + 1);
			auth_fini(cp);
			return -EINVAL;
		}
	}
	for (unsigned int k = 0; k < tn->n; k++) {
		const struct tp_conf_tenant *t = &tn->t[k];

		for (unsigned int i = 0; i < t->nusers; i++) {
			rc = cp_auth_user_add_in(cp->auth, k + 1, t->users[i].name,
						 t->users[i].password);
			if (rc < 0) {
				snprintf(err, errlen, "%s:%d: tenant '%s': user '%s' refused (%s)",
					 cp->conf->path, t->users[i].line, t->name,
					 t->users[i].name, rc == -ENOSPC ?
					 "more users than cp.max_users" :
					 "bad name or password");
				auth_fini(cp);
				return -EINVAL;
			}
		}
		for (unsigned int i = 0; i < t->nsecrets; i++) {
			if (cp_auth_secret_add_in(cp->auth, k + 1, t->secrets[i],
						  t->secret_algs[i]) < 0) {
				snprintf(err, errlen, "%s: tenant '%s': REST secret %u refused",
					 cp->conf->path, t->name, i + 1);
				auth_fini(cp);
				return -EINVAL;
			}
		}
	}
	/* the user store's users and secrets, once its module opened it
	 * (auth_store.c) */
	rc = cp_store_on_open(&cp->store_hooks, cp_auth_store_read);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the user store: %s", strerror(-rc));
		auth_fini(cp);
		return rc;
	}
	return 0;
}

const struct cp_module cp_auth_module = {
	.name = "auth",
	.flags = CP_MODULE_CHECK,
	.setup = auth_setup,
	.fini = auth_fini,
	/* users.* and secrets.* (auth_commands.c) */
	.commands = cp_auth_commands,
	/* the file's users and secrets (auth_reload.c) */
	.reload = &cp_auth_reload,
};
