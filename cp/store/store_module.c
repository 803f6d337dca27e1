/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/store as a module of turnpike-cp: the user store (cp.store, or the
 * backend a module gave: the cluster's Redis) opened, made on first
 * start, and given to the readers modules registered (cp/auth: its users
 * and secrets under the configuration file's; auth/auth_store.c). cp/tls
 * reads its PSKs from it next (tls/tls_module.c). It names no other
 * module: they register with it (store_types.h struct cp_store_hooks).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp.h"
#include "cp_module.h"
#include "tp_conf.h"

static void
store_fini(struct cp_ctx *cp)
{
	cp_store_close(cp->store);
	cp->store = NULL;
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
 * The user store (cp.store): opened, made on first start, and read by
 * the modules that keep what it holds (cp/auth: under the configuration
 * file's users, which win a name both have). A store cp cannot open (locked past the busy timeout,
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

	/* Many boxes sharing their users (cp/cluster gave its Redis): that is
	 * the store, read once connected and kept up to date from its
	 * events. */
	if (cp->store_hooks.backend != NULL) {
		cp->store = cp->store_hooks.backend(cp->store_hooks.backend_arg);
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
	/* what it holds, to those that keep it (cp/auth's users and
	 * secrets) */
	rc = 0;
	for (unsigned int i = 0; rc == 0 && i < cp->store_hooks.nreaders; i++)
		rc = cp->store_hooks.reader[i](cp, cp->store);
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
	return 0;
}

const struct cp_module cp_store_module = {
	.name = "store",
	.flags = CP_MODULE_CHECK,
	.setup = store_setup,
	.fini = store_fini,
};
