/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth's operator commands (its module's, auth_module.c): users.add,
 * users.del, users.list, users.import (coturn's keys), secrets.add,
 * secrets.del, secrets.list. The configuration file's users and secrets
 * are read-only here; the store's (cp.store, or the cluster's Redis) are
 * written through: the store first, then cp's tables, so that a store
 * that refuses leaves the tables as they were.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "api/api_cmd.h"
#include "tp_conf.h"

static int secret_add(struct cp_ctx *cp, unsigned int t, const char *s,
		      unsigned int alg, const char **error);

/* ---- tenants: every command takes "tenant" (absent: the default one) ---- */

int
cp_auth_tenant_arg(const struct cp_ctx *cp, const char *name)
{
	if (name == NULL || strcmp(name, "default") == 0)
		return 0;
	for (unsigned int i = 0; i < cp->conf->tenants.n; i++)
		if (strcmp(cp->conf->tenants.t[i].name, name) == 0)
			return (int)i + 1;
	return -ENOENT;
}

/* The request's tenant into *t: 0, or -ENOENT with the reason. (In a
 * cluster that shares users, a tenant's go to its own keys in Redis:
 * cp/cluster.) */
static int
req_tenant(struct cp_ctx *cp, struct json_object *req, unsigned int *t, const char **error)
{
	const char *name = cp_api_str(req, "tenant");
	int k = cp_auth_tenant_arg(cp, name);

	if (k < 0) {
		*error = cp_api_err(cp, "no tenant '%.64s' in %s (the tenants list names "
				    "them; \"default\" is the box's own)", name,
				    cp->conf->path);
		return -ENOENT;
	}
	*t = (unsigned int)k;
	return 0;
}

/* The store's rows of tenant t (its realm's) for the next operations;
 * store_unscope() before returning. */
static void
store_scope(struct cp_ctx *cp, unsigned int t)
{
	if (cp->store != NULL && t > 0)
		cp_store_scope(cp->store, cp->conf->tenants.t[t - 1].realm);
}

static void
store_unscope(struct cp_ctx *cp)
{
	if (cp->store != NULL)
		cp_store_scope(cp->store, NULL);
}

/* ---- users and secrets: the file's read-only, the store's written through */

bool
cp_conf_user_in(const struct cp_ctx *cp, unsigned int tenant, const char *name)
{
	const struct tp_conf_user *u = cp->conf->cp.users;
	unsigned int n = cp->conf->cp.nusers;

	if (tenant > cp->conf->tenants.n)
		return false;
	if (tenant > 0) {
		u = cp->conf->tenants.t[tenant - 1].users;
		n = cp->conf->tenants.t[tenant - 1].nusers;
	}
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(u[i].name, name) == 0)
			return true;
	return false;
}

bool
cp_conf_user(const struct cp_ctx *cp, const char *name)
{
	return cp_conf_user_in(cp, 0, name);
}

static bool
conf_secret(const struct cp_ctx *cp, unsigned int tenant, const char *secret)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	const char (*v)[TP_CONF_STR_LEN] = c->secrets;
	unsigned int n = c->nsecrets;

	if (tenant > 0) {
		v = cp->conf->tenants.t[tenant - 1].secrets;
		n = cp->conf->tenants.t[tenant - 1].nsecrets;
	}
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(v[i], secret) == 0)
			return true;
	return false;
}

/* Room in cp's table for n more users (a name there already takes none;
 * the caller counts those out). */
static bool
user_room(const struct cp_ctx *cp, uint32_t n)
{
	uint32_t max = cp_auth_user_max(cp->auth);

	if (cp->conf->cp.max_users < max)
		max = cp->conf->cp.max_users;
	return cp_auth_user_count(cp->auth) + n <= max;
}

/*
 * Put users (keys given) into the store, in one transaction, then into
 * cp's table: a store that refuses leaves cp's table as it was.
 */
static int
users_put(struct cp_ctx *cp, unsigned int t, const struct cp_store_user *u,
	  unsigned int n, const char **error)
{
	uint32_t fresh = 0;
	int rc;

	for (unsigned int i = 0; i < n; i++)
		fresh += !cp_auth_user_exists_in(cp->auth, t, u[i].name);
	if (!user_room(cp, fresh)) {
		*error = cp_api_err(cp, "user table full (cp.max_users %u)",
				    cp->conf->cp.max_users);
		return -ENOSPC;
	}
	store_scope(cp, t);
	rc = cp->store != NULL ? cp_store_user_put(cp->store, u, n) : 0;
	store_unscope(cp);
	if (rc < 0)
		return cp_api_store_failed(cp, rc, error);
	for (unsigned int i = 0; i < n; i++) {
		rc = cp_auth_user_add_keys_in(cp->auth, t, u[i].name, u[i].md5,
					      u[i].has_sha256 ? u[i].sha256 : NULL);
		if (rc < 0) {
			*error = "cannot add the user to cp's table";
			return rc;
		}
	}
	return 0;
}

static int
cmd_users_add(void *ctx, struct json_object *req, struct json_object *resp,
	      const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *name = cp_api_str(req, "name"), *pw = cp_api_str(req, "password");
	struct cp_store_user u;
	unsigned int t = 0;
	int rc;

	(void)resp;
	if (name == NULL || pw == NULL) {
		*error = "users.add needs \"name\" and \"password\"";
		return -EINVAL;
	}
	if ((rc = req_tenant(cp, req, &t, error)) < 0)
		return rc;
	if (cp_conf_user_in(cp, t, name)) {
		*error = cp_api_err(cp, "user '%.64s' is defined in %s (read-only here): "
				    "change it there", name, cp->conf->path);
		return -EPERM;
	}
	memset(&u, 0, sizeof(u));
	if (strlen(name) > CP_STORE_NAME_MAX ||
	    cp_auth_user_keys_in(cp->auth, t, name, pw, u.md5, u.sha256) < 0) {
		*error = "invalid name or password (SASLprep refused it?)";
		return -EINVAL;
	}
	memcpy(u.name, name, strlen(name) + 1);
	u.has_sha256 = true;
	rc = users_put(cp, t, &u, 1, error);
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

/*
 * users.import: users by their keys, as coturn keeps them (turnpikectl
 * users import-coturn reads turnadmin's database and sends them here in
 * batches): {"realm": R, "users": [{"name": N, "hmackey": HEX}...],
 * "secrets": [S...]}. An MD5 key holds the realm it was made for: keys
 * of another realm could never authenticate here and are refused.
 * Users of the configuration file are left as they are (named in
 * "skipped"). The users go in as one transaction.
 */
#define IMPORT_MAX 512

static int
cmd_users_import(void *ctx, struct json_object *req, struct json_object *resp,
		 const char **error)
{
	static struct cp_store_user u[IMPORT_MAX];
	struct cp_ctx *cp = ctx;
	const char *realm = cp_api_str(req, "realm");
	struct json_object *users = NULL, *secrets = NULL;
	struct json_object *skipped = json_object_new_array();
	unsigned int n = 0, nsec = 0, t = 0;
	const char *ours;
	size_t nu = 0;
	int rc = 0;

	json_object_object_add(resp, "skipped", skipped);
	if ((rc = req_tenant(cp, req, &t, error)) < 0)
		return rc;
	ours = t > 0 ? cp->conf->tenants.t[t - 1].realm : cp->conf->turn.realm;
	if (realm == NULL || strcmp(realm, ours) != 0) {
		*error = cp_api_err(cp, "the keys are for realm '%.128s', this turnpike's "
				    "realm is '%.128s': they cannot authenticate here",
				    realm != NULL ? realm : "?", ours);
		return -EINVAL;
	}
	if (json_object_object_get_ex(req, "users", &users)) {
		if (!json_object_is_type(users, json_type_array) ||
		    (nu = json_object_array_length(users)) > IMPORT_MAX) {
			*error = cp_api_err(cp, "\"users\" must be an array of at most %d",
					    IMPORT_MAX);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < nu; i++) {
		struct json_object *e = json_object_array_get_idx(users, i);
		const char *name = cp_api_str(e, "name"), *key = cp_api_str(e, "hmackey");

		if (name == NULL || key == NULL || name[0] == '\0' ||
		    strlen(name) > CP_STORE_NAME_MAX || strlen(key) != 32 ||
		    cp_store_unhex(key, u[n].md5, 16) < 0) {
			*error = cp_api_err(cp, "\"users\"[%zu] needs a \"name\" and an "
					    "\"hmackey\" of 32 hex digits (MD5)", i);
			rc = -EINVAL;
			goto out;
		}
		if (cp_conf_user_in(cp, t, name)) {
			json_object_array_add(skipped, json_object_new_string(name));
			continue;
		}
		memcpy(u[n].name, name, strlen(name) + 1);
		u[n].has_sha256 = false;
		n++;
	}
	if (n > 0 && (rc = users_put(cp, t, u, n, error)) < 0)
		goto out;
	if (json_object_object_get_ex(req, "secrets", &secrets) &&
	    json_object_is_type(secrets, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(secrets); i++) {
			struct json_object *e = json_object_array_get_idx(secrets, i);
			const char *v = json_object_is_type(e, json_type_string) ?
					json_object_get_string(e) : NULL;

			if (v == NULL || v[0] == '\0' || strlen(v) > CP_AUTH_SECRET_MAX) {
				*error = "\"secrets\" must hold non-empty strings";
				rc = -EINVAL;
				goto out;
			}
			rc = secret_add(cp, t, v, TP_REST_SHA1, error);   /* coturn's */
			if (rc == -EEXIST) {
				rc = 0;
				continue;
			}
			if (rc < 0)
				goto out;
			nsec++;
		}
	}
	json_object_object_add(resp, "users", json_object_new_int((int)n));
	json_object_object_add(resp, "secrets", json_object_new_int((int)nsec));
	json_object_object_add(resp, "stored", json_object_new_boolean(cp->store != NULL));
out:
	OPENSSL_cleanse(u, sizeof(u[0]) * (n < IMPORT_MAX ? n + 1 : n));
	return rc;
}

static int
cmd_users_del(void *ctx, struct json_object *req, struct json_object *resp,
	      const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *name = cp_api_str(req, "name");
	unsigned int t = 0;
	int rc;

	(void)resp;
	if (name == NULL) {
		*error = "users.del needs \"name\"";
		return -EINVAL;
	}
	if ((rc = req_tenant(cp, req, &t, error)) < 0)
		return rc;
	if (cp_conf_user_in(cp, t, name)) {
		*error = cp_api_err(cp, "user '%.64s' is defined in %s (read-only here): "
				    "delete it there", name, cp->conf->path);
		return -EPERM;
	}
	if (!cp_auth_user_exists_in(cp->auth, t, name)) {
		*error = "no such user";
		return -ENOENT;
	}
	store_scope(cp, t);
	rc = cp->store != NULL ? cp_store_user_del(cp->store, name) : 0;
	store_unscope(cp);
	if (rc < 0 && rc != -ENOENT)
		return cp_api_store_failed(cp, rc, error);
	cp_auth_user_del_in(cp->auth, t, name);
	return 0;
}

static int
cmd_users_list(void *ctx, struct json_object *req, struct json_object *resp,
	       const char **error)
{
	struct cp_ctx *cp = ctx;
	struct json_object *list = json_object_new_array();
	struct json_object *ro = json_object_new_array();
	uint32_t cur = 0;
	unsigned int t = 0;
	const char *name;
	int rc;

	if ((rc = req_tenant(cp, req, &t, error)) < 0) {
		json_object_put(list);
		json_object_put(ro);
		return rc;
	}
	while ((name = cp_auth_user_next_in(cp->auth, t, &cur)) != NULL) {
		json_object_array_add(list, json_object_new_string(name));
		if (cp_conf_user_in(cp, t, name))
			json_object_array_add(ro, json_object_new_string(name));
	}
	/* (named only when asked for: the default tenant's answer is as
	 * it was before tenants) */
	if (t > 0)
		json_object_object_add(resp, "tenant",
				       json_object_new_string(tp_conf_tenant_name(cp->conf, t)));
	json_object_object_add(resp, "users", list);
	/* the configuration file's: read-only here */
	json_object_object_add(resp, "read_only", ro);
	json_object_object_add(resp, "store", cp->store != NULL ?
			       json_object_new_string(cp->store->where) : NULL);
	return 0;
}

static int
secret_add(struct cp_ctx *cp, unsigned int t, const char *s, unsigned int alg,
	   const char **error)
{
	char val[CP_AUTH_SECRET_MAX + 1];
	bool there;
	int rc;

	if (strlen(s) > CP_AUTH_SECRET_MAX) {
		*error = "invalid secret";
		return -EINVAL;
	}
	/* (the lookup hands the secret back: wiped here, not left about) */
	there = conf_secret(cp, t, s) || cp_auth_secret_lookup_in(cp->auth, t, s, val) == 0;
	OPENSSL_cleanse(val, sizeof(val));
	if (there) {
		*error = "that secret is already there";
		return -EEXIST;
	}
	if (cp_auth_secret_list_in(cp->auth, t, NULL, 0) >= TP_CONF_MAX_SECRETS + 16) {
		*error = "secret table full: delete an old secret first";
		return -ENOSPC;
	}
	store_scope(cp, t);
	rc = cp->store != NULL ? cp_store_secret_add(cp->store, s, alg) : 0;
	store_unscope(cp);
	if (rc < 0 && rc != -EEXIST)
		return cp_api_store_failed(cp, rc, error);
	rc = cp_auth_secret_add_in(cp->auth, t, s, alg);
	if (rc == -ENOSPC)
		*error = "secret table full: delete an old secret first";
	else if (rc < 0)
		*error = "invalid secret";
	return rc;
}

static int
cmd_secrets_add(void *ctx, struct json_object *req, struct json_object *resp,
		const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *s = cp_api_str(req, "secret");
	const char *an = cp_api_str(req, "algorithm");
	unsigned int t = 0;
	/* (absent: SHA-1, as before there was a choice; present, it must
	 * say one we know: a typo must not make a SHA-1 secret) */
	int rc, alg = json_object_object_get_ex(req, "algorithm", NULL) ?
		      tp_rest_alg_parse(an) : TP_REST_SHA1;

	(void)resp;
	if (s == NULL || s[0] == '\0') {
		*error = "secrets.add needs \"secret\"";
		return -EINVAL;
	}
	if (alg < 0) {
		*error = "\"algorithm\" is \"sha1\" (the default) or \"sha256\"";
		return -EINVAL;
	}
	if ((rc = req_tenant(cp, req, &t, error)) < 0)
		return rc;
	return secret_add(cp, t, s, (unsigned int)alg, error);
}

static int
cmd_secrets_del(void *ctx, struct json_object *req, struct json_object *resp,
		const char **error)
{
	static char val[CP_AUTH_SECRET_MAX + 1];
	struct cp_ctx *cp = ctx;
	const char *s = cp_api_str(req, "secret");
	unsigned int t = 0;
	int rc;

	(void)resp;
	if (s == NULL) {
		*error = "secrets.del needs \"secret\" (the secret or its tag)";
		return -EINVAL;
	}
	if ((rc = req_tenant(cp, req, &t, error)) < 0)
		return rc;
	if (cp_auth_secret_lookup_in(cp->auth, t, s, val) < 0) {
		*error = "no such secret";
		return -ENOENT;
	}
	if (conf_secret(cp, t, val)) {
		OPENSSL_cleanse(val, sizeof(val));
		*error = cp_api_err(cp, "that secret is in %s (read-only here): delete it "
				    "there", cp->conf->path);
		return -EPERM;
	}
	store_scope(cp, t);
	rc = cp->store != NULL ? cp_store_secret_del(cp->store, val) : 0;
	store_unscope(cp);
	if (rc < 0 && rc != -ENOENT) {
		OPENSSL_cleanse(val, sizeof(val));
		return cp_api_store_failed(cp, rc, error);
	}
	cp_auth_secret_del_in(cp->auth, t, val);
	OPENSSL_cleanse(val, sizeof(val));
	return 0;
}

static int
cmd_secrets_list(void *ctx, struct json_object *req, struct json_object *resp,
		 const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_auth_secret_info info[64];
	struct json_object *list;
	unsigned int t = 0;
	uint32_t n;
	int rc;

	if ((rc = req_tenant(cp, req, &t, error)) < 0)
		return rc;
	list = json_object_new_array();
	n = cp_auth_secret_list_in(cp->auth, t, info, 64);
	if (t > 0)
		json_object_object_add(resp, "tenant",
				       json_object_new_string(tp_conf_tenant_name(cp->conf, t)));
	for (uint32_t i = 0; i < n && i < 64; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "tag", json_object_new_string(info[i].tag));
		json_object_object_add(o, "length", json_object_new_int(info[i].len));
		json_object_object_add(o, "algorithm",
				       json_object_new_string(tp_rest_alg_name(info[i].alg)));
		json_object_array_add(list, o);
	}
	json_object_object_add(resp, "secrets", list);
	return 0;
}

int
cp_auth_commands(struct cp_ctx *cp)
{
	static const struct cp_api_cmd_def cmds[] = {
		{ "users.add", cmd_users_add },
		{ "users.del", cmd_users_del },
		{ "users.list", cmd_users_list },
		{ "users.import", cmd_users_import },
		{ "secrets.add", cmd_secrets_add },
		{ "secrets.del", cmd_secrets_del },
		{ "secrets.list", cmd_secrets_list },
	};

	return cp_api_cmds(cp, cmds, sizeof(cmds) / sizeof(cmds[0]));
}
