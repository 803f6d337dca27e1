/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth's reader of the user store (cp/store's struct cp_store_hooks):
 * once the store's module opened cp.store, its users and REST secrets
 * come into auth's tables, the default tenant's rows (turn.realm's) and
 * then each tenant's (its realm's), under the configuration file's users,
 * which win a name both have.
 */
#include <errno.h>

#include "cp.h"
#include "tp_conf.h"

/* Whose rows a load reads: cp and a tenant (0: the default tenant). */
struct store_load {
	struct cp_ctx *cp;
	unsigned int tenant;
};

/* A user of the store, into cp's table under the file's users. */
static int
store_load_user(void *arg, const struct cp_store_user *u)
{
	const struct store_load *l = arg;
	struct cp_ctx *cp = l->cp;
	int rc;

	if (cp_conf_user_in(cp, l->tenant, u->name)) {
		tp_log(TP_LOG_NOTICE, "user '%s'%s%s of %s is also in %s: the file's is used\n",
		       u->name, l->tenant > 0 ? " of tenant " : "",
		       l->tenant > 0 ? tp_conf_tenant_name(cp->conf, l->tenant) : "",
		       cp->conf->cp.store, cp->conf->path);
		return 0;
	}
	rc = cp_auth_user_add_keys_in(cp->auth, l->tenant, u->name, u->md5,
				      u->has_sha256 ? u->sha256 : NULL);
	if (rc == -ENOSPC)
		tp_log(TP_LOG_ERR, "%s holds more users than cp.max_users "
			"(%u) allows: raise it\n", cp->conf->cp.store,
			cp->conf->cp.max_users);
	return rc;
}

static int
store_load_secret(void *arg, const char *secret, unsigned int alg)
{
	const struct store_load *l = arg;
	struct cp_ctx *cp = l->cp;
	int rc = cp_auth_secret_add_in(cp->auth, l->tenant, secret, alg);

	if (rc == -ENOSPC)
		tp_log(TP_LOG_ERR, "%s holds more REST secrets than cp keeps "
			"(%u)\n", cp->conf->cp.store, TP_CONF_MAX_SECRETS + 16);
	return rc == -EEXIST ? 0 : rc;
}

int
cp_auth_store_read(struct cp_ctx *cp, struct cp_store *s)
{
	int rc = 0;

	for (unsigned int k = 0; k <= cp->conf->tenants.n; k++) {
		struct store_load l = { .cp = cp, .tenant = k };

		if (k > 0)
			cp_store_scope(s, cp->conf->tenants.t[k - 1].realm);
		rc = cp_store_user_list(s, store_load_user, &l);
		if (rc == 0)
			rc = cp_store_secret_list(s, store_load_secret, &l);
		cp_store_scope(s, NULL);
		if (rc < 0)
			return rc;
	}
	tp_log(TP_LOG_INFO, "user store %s: %u user(s) in all, %u REST secret(s)\n",
	       cp->conf->cp.store, cp_auth_user_count(cp->auth),
	       cp_auth_secret_list(cp->auth, NULL, 0));
	return 0;
}
