/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/store as a module of turnpike-cp: the user store (cp.store, or the
 * cluster's Redis) opened, made on first start, and read into cp/auth's
 * tables under the configuration file's users. cp/tls reads its PSKs
 * from it next (tls/tls_module.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp.h"
#include "cluster/cluster.h"
#include "cp_module.h"
#include "tp_conf.h"

static void
store_fini(struct cp_ctx *cp)
{
	cp_store_close(cp->store);
	cp->store = NULL;
}

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
store_load_secret(void *arg, const char *secret)
{
	const struct store_load *l = arg;
	struct cp_ctx *cp = l->cp;
	int rc = cp_auth_secret_add_in(cp->auth, l->tenant, secret);

	if (rc == -ENOSPC)
		tp_log(TP_LOG_ERR, "%s holds more REST secrets than cp keeps "
			"(%u)\n", cp->conf->cp.store, TP_CONF_MAX_SECRETS + 16);
	return rc == -EEXIST ? 0 : rc;
}

/*
 * The default store's folder (/var/lib/turnpike) and what is in it, when
 * root's: systemd's StateDirectory=turnpike makes the folder, and gives
 * it and its files to the unit's user at each start, root (cp starts as
 * root to bind its socket). They are turnpike's own, so cp.user's: given
 * back to it, in a folder only root could write to (so root's doing).
 * Not for a store elsewhere: cp does not take over an operator's folder.
 */
static void
store_default_to_user(const struct tp_conf_cp *c)
{
	static const char *const names[] = { "", "-journal", "-wal", "-shm", NULL };
	char dir[sizeof(c->store)], f[sizeof(c->store) + 16];
	struct stat st;

	if (strcmp(c->store, TP_CONF_STORE_DEFAULT) != 0)
		return;
	snprintf(dir, sizeof(dir), "%s", c->store);
	*strrchr(dir, '/') = '\0';
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022) != 0)
		return;
	if (chown(dir, (uid_t)c->user_uid, (gid_t)c->user_gid) == 0)
		tp_log(TP_LOG_NOTICE, "gave %s (the user store's folder) to cp.user '%s'",
		       dir, c->user);
	for (unsigned int i = 0; names[i] != NULL; i++) {
		snprintf(f, sizeof(f), "%s%s", c->store, names[i]);
		if (lstat(f, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
		    chown(f, (uid_t)c->user_uid, (gid_t)c->user_gid) == 0 && i == 0)
			tp_log(TP_LOG_NOTICE, "gave %s to cp.user '%s'", f, c->user);
	}
}

/*
 * The user store (cp.store): opened, made on first start, and read into
 * cp's tables under the configuration file's users, which win a name
 * both have. A store cp cannot open (locked past the busy timeout,
 * damaged, not a turnpike store, from a newer turnpike) stops the start
 * with the reason: running without the users it holds would refuse them
 * all, and writing to it could lose them.
 */
static int
store_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	bool check_only = cp->check_only;
	struct cp_store_conf sc;
	char why[CP_STORE_ERR_MAX];
	uid_t owner = geteuid();
	gid_t group = getegid();
	struct stat st;
	int rc;

	/* Many boxes sharing their users (cp/cluster): Redis is the store,
	 * read once connected and kept up to date from its events. */
	if (cp->cluster != NULL && (cp->conf->cluster.share & TP_CLUSTER_SHARE_USERS)) {
		cp->store = cp_store_redis_open(cp->cluster);
		if (cp->store == NULL) {
			snprintf(err, errlen, "no memory for the cluster store");
			return -ENOMEM;
		}
		tp_log(TP_LOG_INFO, "user store: the cluster's (redis, namespace '%s'); "
		       "cp.store is not used\n", cp->conf->cluster.ns);
		return 0;
	}
	if (c->store[0] == '\0') {
		tp_log(TP_LOG_NOTICE, "no user store (cp.store = \"none\"): users and "
		       "secrets added at run time live in memory only\n");
		return 0;
	}
	/* Whose place it is, before SQLite opens or makes anything there. */
	if (c->user[0] != '\0' && geteuid() == 0) {
		owner = (uid_t)c->user_uid;
		group = (gid_t)c->user_gid;
	}
	if (owner != geteuid() && !check_only)
		store_default_to_user(c);
	rc = cp_store_path_check(c->store, owner, group, !check_only, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s (cp.store in %s; cp.store = \"none\" "
			 "runs without a store)", why, cp->conf->path);
		return rc;
	}
	/* --check reads a store that is there; it makes none */
	if (check_only && stat(c->store, &st) < 0 && errno == ENOENT) {
		tp_log(TP_LOG_INFO, "user store %s does not exist yet: the first start "
		       "makes it\n", c->store);
		return 0;
	}
	memset(&sc, 0, sizeof(sc));
	sc.path = c->store;
	sc.realm = cp->conf->turn.enabled ? cp->conf->turn.realm : CP_REALM_NO_TURN;
	sc.busy_ms = c->store_busy_ms;
	sc.owner_uid = -1;
	sc.owner_gid = -1;
	if (c->user[0] != '\0' && geteuid() == 0) {
		sc.owner_uid = c->user_uid;
		sc.owner_gid = c->user_gid;
	}
	/* SQLite writes its journal beside the file: once cp is cp.user, the
	 * folder must let that user in and write, or every write would fail
	 * after the start (seen as that user, now, rather than then). */
	if (c->user[0] != '\0' && geteuid() == 0) {
		char dir[sizeof(c->store)];
		char *slash;
		bool ok;

		snprintf(dir, sizeof(dir), "%s", c->store);
		slash = strrchr(dir, '/');
		if (slash == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (setegid((gid_t)c->user_gid) < 0 || seteuid((uid_t)c->user_uid) < 0) {
			snprintf(err, errlen, "cannot check %s as '%s': %s", dir,
				 c->user, strerror(errno));
			return -EPERM;
		}
		ok = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
		if (seteuid(0) < 0 || setegid(0) < 0) {
			snprintf(err, errlen, "cannot become root again: %s",
				 strerror(errno));
			return -EPERM;
		}
		if (!ok) {
			snprintf(err, errlen, "cp.store: the folder %s is not writable "
				 "by cp.user '%s' (SQLite writes its journal there): give it to "
				 "that user (chown %s %s)", dir, c->user, c->user, dir);
			return -EACCES;
		}
	}
	cp->store = cp_store_sqlite_open(&sc, why, sizeof(why));
	if (cp->store == NULL) {
		snprintf(err, errlen, "%s (cp.store in %s)", why, cp->conf->path);
		return -EIO;
	}
	/* the default tenant's rows (turn.realm's), then each tenant's (its
	 * realm's) */
	for (unsigned int k = 0; k <= cp->conf->tenants.n; k++) {
		struct store_load l = { .cp = cp, .tenant = k };

		if (k > 0)
			cp_store_scope(cp->store, cp->conf->tenants.t[k - 1].realm);
		rc = cp_store_user_list(cp->store, store_load_user, &l);
		if (rc == 0)
			rc = cp_store_secret_list(cp->store, store_load_secret, &l);
		cp_store_scope(cp->store, NULL);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", c->store,
			 rc == -ENOSPC || rc == -EINVAL ? "cannot load it" : cp->store->err);
		store_fini(cp);
		return rc;
	}
	if (cp->store->bad_rows > 0)
		tp_log(TP_LOG_WARNING, "%s: %llu malformed row(s) skipped\n",
			c->store, (unsigned long long)cp->store->bad_rows);
	cp->stats[CP_STAT_STORE_ERRORS] += cp->store->bad_rows;
	tp_log(TP_LOG_INFO, "user store %s: %u user(s) in all, %u REST secret(s)\n",
	       c->store, cp_auth_user_count(cp->auth),
	       cp_auth_secret_list(cp->auth, NULL, 0));
	return 0;
}

const struct cp_module cp_store_module = {
	.name = "store",
	.flags = CP_MODULE_CHECK,
	.setup = store_setup,
	.fini = store_fini,
};
