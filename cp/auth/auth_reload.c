/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth's part of a reload: the users and REST secrets of the file, its
 * own and each tenant's, made what the file now says. Prepare checks that
 * every user's keys can be made and that the tables have room (users
 * against cp.max_users, secrets against what cp keeps); apply cannot
 * fail. A user gone from the file falls back to the store's row of the
 * same name (of its realm, for a tenant's), or goes; a secret gone from
 * the file stays if the store has it. The store's own users and secrets
 * are the store's to change (turnpikectl users.*, secrets.*).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "cp_module.h"
#include "tp_conf_keys.h"

static const struct tp_conf_user *
find_user(const struct tp_conf_user *users, unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(users[i].name, name) == 0)
			return &users[i];
	return NULL;
}

/* The same secret: its value and its algorithm (a secret whose
 * algorithm the file changed goes, and comes back with the new one). */
static bool
has_secret(const char (*secrets)[TP_CONF_STR_LEN], const uint8_t *algs, unsigned int n,
	   const char *s, uint8_t alg)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(secrets[i], s) == 0 && algs[i] == alg)
			return true;
	return false;
}

struct find_secret {
	const char *want;
	bool found;
};

static int
find_secret_cb(void *arg, const char *s, unsigned int alg)
{
	struct find_secret *f = arg;

	(void)alg;
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

/* Every user's keys can be made (a bad name or password refuses the
 * reload), and the users after it fit cp.max_users; the secrets after it
 * fit what cp keeps. Nothing is kept: apply makes the keys again. */
static int
auth_reload_prepare(struct cp_ctx *cp, const struct tp_conf *next, char *err, size_t errlen)
{
	const struct tp_conf_cp *x = &next->cp;
	uint8_t md5[16], sha[32];
	uint32_t users_after, secrets_after;
	bool tenants = tp_conf_tenants_same(cp->conf, next);
	int rc = 0;

	users_after = cp_auth_user_count(cp->auth);
	for (unsigned int i = 0; i < x->nusers && rc == 0; i++) {
		if (cp_auth_user_keys(cp->auth, x->users[i].name, x->users[i].password,
				      md5, sha) < 0) {
			snprintf(err, errlen, "%.200s:%d: user '%.100s' refused (bad name or "
				 "password)", next->path, x->users[i].line, x->users[i].name);
			rc = -EINVAL;
		}
		users_after += !cp_auth_user_exists(cp->auth, x->users[i].name);
	}
	/* the tenants' users, when they are the same tenants (another set
	 * needs a restart, and until then none of theirs changes) */
	for (unsigned int k = 0; tenants && k < next->tenants.n && rc == 0; k++) {
		const struct tp_conf_tenant *t = &next->tenants.t[k];

		for (unsigned int i = 0; i < t->nusers && rc == 0; i++) {
			if (cp_auth_user_keys_in(cp->auth, k + 1, t->users[i].name,
						 t->users[i].password, md5, sha) < 0) {
				snprintf(err, errlen, "%.200s:%d: tenant '%s': user '%.100s' "
					 "refused (bad name or password)", next->path,
					 t->users[i].line, t->name, t->users[i].name);
				rc = -EINVAL;
			}
			users_after += !cp_auth_user_exists_in(cp->auth, k + 1,
							       t->users[i].name);
		}
	}
	OPENSSL_cleanse(md5, sizeof(md5));
	OPENSSL_cleanse(sha, sizeof(sha));
	if (rc < 0)
		return rc;
	if (users_after > cp->conf->cp.max_users) {
		snprintf(err, errlen, "more users than cp.max_users (%u)",
			 cp->conf->cp.max_users);
		return -EINVAL;
	}
	secrets_after = cp_auth_secret_list(cp->auth, NULL, 0);
	for (unsigned int i = 0; i < x->nsecrets; i++) {
		char v[CP_AUTH_SECRET_MAX + 1];

		secrets_after += cp_auth_secret_lookup(cp->auth, x->secrets[i], v) < 0;
		OPENSSL_cleanse(v, sizeof(v));
	}
	if (secrets_after > TP_CONF_MAX_SECRETS + 16) {
		snprintf(err, errlen, "more REST secrets than cp keeps (%u)",
			 TP_CONF_MAX_SECRETS + 16);
		return -EINVAL;
	}
	return 0;
}

/* The file's own users and secrets (the turn realm's). */
static void
file_apply(struct cp_ctx *cp, const struct tp_conf_cp *x, struct cp_reload_notes *r)
{
	struct tp_conf_cp *c = &cp->conf->cp;

	for (unsigned int i = 0; i < c->nusers; i++) {
		const char *name = c->users[i].name;
		struct cp_store_user su;

		if (find_user(x->users, x->nusers, name) != NULL)
			continue;
		if (cp->store != NULL && cp_store_user_get(cp->store, name, &su) == 0) {
			cp_auth_user_add_keys(cp->auth, name, su.md5,
					      su.has_sha256 ? su.sha256 : NULL);
			OPENSSL_cleanse(&su, sizeof(su));
			cp_reload_say(r, false, "user %s: now the store's", name);
		} else {
			cp_auth_user_del(cp->auth, name);
			cp_reload_say(r, false, "user %s: removed", name);
		}
	}
	for (unsigned int i = 0; i < x->nusers; i++) {
		const struct tp_conf_user *old;

		old = find_user(c->users, c->nusers, x->users[i].name);

		if (old != NULL && strcmp(old->password, x->users[i].password) == 0)
			continue;
		cp_auth_user_add(cp->auth, x->users[i].name, x->users[i].password);
		cp_reload_say(r, false, "user %s: %s", x->users[i].name, old != NULL ?
			      "new password" : "added");
	}
	c->nusers = x->nusers;
	memcpy(c->users, x->users, sizeof(c->users));
	for (unsigned int i = 0; i < c->nsecrets; i++) {
		if (has_secret(x->secrets, x->secret_algs, x->nsecrets, c->secrets[i],
			       c->secret_algs[i]))
			continue;
		if (!store_has_secret(cp, c->secrets[i]))
			cp_auth_secret_del(cp->auth, c->secrets[i]);
		cp_reload_say(r, false, "a REST secret removed");
	}
	for (unsigned int i = 0; i < x->nsecrets; i++) {
		if (has_secret(c->secrets, c->secret_algs, c->nsecrets, x->secrets[i],
			       x->secret_algs[i]))
			continue;
		/* -EEXIST: the store's */
		cp_auth_secret_add_in(cp->auth, 0, x->secrets[i], x->secret_algs[i]);
		cp_reload_say(r, false, "a REST secret added (%s)",
			      tp_rest_alg_name(x->secret_algs[i]));
	}
	c->nsecrets = x->nsecrets;
	memcpy(c->secrets, x->secrets, sizeof(c->secrets));
	memcpy(c->secret_algs, x->secret_algs, sizeof(c->secret_algs));
}

/* Tenant k's users and secrets (its realm's). */
static void
tenant_apply(struct cp_ctx *cp, unsigned int k, const struct tp_conf_tenant *x,
	     struct cp_reload_notes *r)
{
	struct tp_conf_tenant *c = &cp->conf->tenants.t[k];
	struct cp_store_user su;

	if (cp->store != NULL)
		cp_store_scope(cp->store, c->realm);
	for (unsigned int i = 0; i < c->nusers; i++) {
		const char *name = c->users[i].name;

		if (find_user(x->users, x->nusers, name) != NULL)
			continue;
		if (cp->store != NULL && cp_store_user_get(cp->store, name, &su) == 0) {
			cp_auth_user_add_keys_in(cp->auth, k + 1, name, su.md5,
						 su.has_sha256 ? su.sha256 : NULL);
			OPENSSL_cleanse(&su, sizeof(su));
			cp_reload_say(r, false, "tenant %s: user %s: now the store's", c->name,
				      name);
		} else {
			cp_auth_user_del_in(cp->auth, k + 1, name);
			cp_reload_say(r, false, "tenant %s: user %s: removed", c->name, name);
		}
	}
	for (unsigned int i = 0; i < x->nusers; i++) {
		const struct tp_conf_user *old;

		old = find_user(c->users, c->nusers, x->users[i].name);

		if (old != NULL && strcmp(old->password, x->users[i].password) == 0)
			continue;
		cp_auth_user_add_in(cp->auth, k + 1, x->users[i].name, x->users[i].password);
		cp_reload_say(r, false, "tenant %s: user %s: %s", c->name, x->users[i].name,
			      old != NULL ? "new password" : "added");
	}
	for (unsigned int i = 0; i < c->nsecrets; i++) {
		if (has_secret(x->secrets, x->secret_algs, x->nsecrets, c->secrets[i],
			       c->secret_algs[i]))
			continue;
		if (!store_has_secret(cp, c->secrets[i]))
			cp_auth_secret_del_in(cp->auth, k + 1, c->secrets[i]);
		cp_reload_say(r, false, "tenant %s: a REST secret removed", c->name);
	}
	for (unsigned int i = 0; i < x->nsecrets; i++) {
		if (has_secret(c->secrets, c->secret_algs, c->nsecrets, x->secrets[i],
			       x->secret_algs[i]))
			continue;
		cp_auth_secret_add_in(cp->auth, k + 1, x->secrets[i], x->secret_algs[i]);
		cp_reload_say(r, false, "tenant %s: a REST secret added (%s)", c->name,
			      tp_rest_alg_name(x->secret_algs[i]));
	}
	if (cp->store != NULL)
		cp_store_scope(cp->store, NULL);
	c->nusers = x->nusers;
	memcpy(c->users, x->users, sizeof(c->users));
	c->nsecrets = x->nsecrets;
	memcpy(c->secrets, x->secrets, sizeof(c->secrets));
	memcpy(c->secret_algs, x->secret_algs, sizeof(c->secret_algs));
}

static void
auth_reload_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	file_apply(cp, &next->cp, r);
	if (!tp_conf_tenants_same(cp->conf, next))
		return;               /* (a restart, said by tp_conf_restart_diff()) */
	for (unsigned int k = 0; k < cp->conf->tenants.n; k++)
		tenant_apply(cp, k, &next->tenants.t[k], r);
}

const struct cp_module_reload cp_auth_reload = {
	.prepare = auth_reload_prepare,
	.apply = auth_reload_apply,
};
