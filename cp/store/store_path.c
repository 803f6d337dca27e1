/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/store: may cp trust the place its store lives? The store holds every
 * user's key and the REST secrets, and its default path
 * (/var/lib/turnpike/turnpike.db) is one any package, script or user of
 * the box may have touched before turnpike-cp first ran. Checked before
 * SQLite opens anything, as OpenSSH checks the paths of its keys:
 *
 * - the path is absolute;
 * - every folder from / down to the store's is owned by root or by the
 *   store's owner (cp.user, or the user cp runs as), and writable by no
 *   one else, except sticky folders above the store's own (/tmp): a
 *   folder another user may write lets them replace the file or plant
 *   SQLite's journal beside it, which SQLite would play back into it;
 * - the store's folder, when missing, is made (mode 0700, the owner's) if
 *   its parent passes: systemd's StateDirectory= makes it under a unit;
 * - the file, and SQLite's -journal and -wal beside it when there, are
 *   regular files (not a symbolic link, which could point anywhere), the
 *   owner's, and writable by no one else.
 *
 * A refusal names the path and what to do; nothing is created or changed
 * then.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "tp_esc.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static bool
owner_ok(const struct stat *st, uid_t owner)
{
	return st->st_uid == 0 || st->st_uid == owner;
}

/* One folder of the chain (resolved: no symbolic links left). */
static int
check_folder(const char *dir, bool is_store_folder, uid_t owner, char *err,
	     size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "user store folder %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "user store: %s is not a folder", dir);
		return -ENOTDIR;
	}
	if (!owner_ok(&st, owner)) {
		snprintf(err, errlen, "user store: folder %s belongs to uid %u, not to "
			 "root or uid %u (the store's owner): another user could "
			 "replace the store; refused (put it in a folder of root's or "
			 "turnpike's)", dir, (unsigned int)st.st_uid, (unsigned int)owner);
		return -EPERM;
	}
	if ((st.st_mode & 022) != 0 && (is_store_folder || !(st.st_mode & S_ISVTX))) {
		snprintf(err, errlen, "user store: folder %s is writable by %s (mode "
			 "%04o): another user could replace the store or plant SQLite's "
			 "journal beside it; refused (chmod go-w %s)", dir,
			 (st.st_mode & 002) ? "everyone" : "its group",
			 (unsigned int)(st.st_mode & 07777), dir);
		return -EPERM;
	}
	return 0;
}

/* Every folder from / down to dir (resolved, absolute); dir is the
 * store's own (no sticky exception) or the parent of one cp is to make. */
static int
check_chain(const char *dir, bool store_folder, uid_t owner, char *err,
	    size_t errlen)
{
	char part[PATH_MAX];
	size_t len = strlen(dir);
	int rc;

	if (len >= sizeof(part)) {
		snprintf(err, errlen, "user store folder %s: path too long", dir);
		return -ENAMETOOLONG;
	}
	if ((rc = check_folder("/", len == 1 && store_folder, owner, err, errlen)) < 0)
		return rc;
	for (size_t i = 2; i <= len; i++) {
		if (i < len && dir[i] != '/')
			continue;
		memcpy(part, dir, i);
		part[i] = '\0';
		if ((rc = check_folder(part, i == len && store_folder, owner, err,
				       errlen)) < 0)
			return rc;
	}
	return 0;
}

/* The store file or a journal of it, if there. */
static int
check_file(const char *path, uid_t owner, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "user store %s: %s", path, strerror(errno));
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "user store %s is a symbolic link: refused (it "
			 "could point anywhere; give the real path in cp.store)", path);
		return -ELOOP;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "user store %s is not a regular file: refused",
			 path);
		return -EINVAL;
	}
	if (st.st_uid != owner) {
		snprintf(err, errlen, "user store %s belongs to uid %u, not to uid %u "
			 "(the user turnpike-cp writes it as): not ours, refused (if "
			 "it is, chown it)", path, (unsigned int)st.st_uid,
			 (unsigned int)owner);
		return -EPERM;
	}
	if ((st.st_mode & 022) != 0) {
		snprintf(err, errlen, "user store %s is writable by others (mode %04o): "
			 "anyone could change the keys in it; refused (chmod 600 %s)",
			 path, (unsigned int)(st.st_mode & 07777), path);
		return -EPERM;
	}
	return 0;
}

int
cp_store_path_check(const char *path, uid_t owner, gid_t group, bool create,
		    char *err, size_t errlen)
{
	static const char *const suffixes[] = { "", "-journal", "-wal", NULL };
	char dir[PATH_MAX], parent[PATH_MAX], real[PATH_MAX], side[PATH_MAX + 16];
	char esc[PATH_MAX];   /* dir in a line, escaped as tp_log() would */
	char *slash;
	struct stat st;
	int rc;

	if (path == NULL || path[0] != '/') {
		snprintf(err, errlen, "user store %s: cp.store must be an absolute path",
			 path != NULL ? path : "(none)");
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(dir)) {
		snprintf(err, errlen, "user store %s: path too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash[1] == '\0') {
		snprintf(err, errlen, "user store %s: a file name is needed, not a "
			 "folder", path);
		return -EINVAL;
	}
	if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';

	if (lstat(dir, &st) < 0 && errno == ENOENT) {
		/* The store's folder: made here if its parent may be trusted. */
		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (slash == parent)
			parent[1] = '\0';
		else
			*slash = '\0';
		if (realpath(parent, real) == NULL) {
			snprintf(err, errlen, "user store %s: its folder's parent %s: %s",
				 path, parent, strerror(errno));
			return -errno;
		}
		if ((rc = check_chain(real, false, owner, err, errlen)) < 0)
			return rc;
		if (!create)
			return 0;
		if (mkdir(dir, 0700) < 0) {
			snprintf(err, errlen, "user store %s: cannot make its folder %s: %s",
				 path, dir, strerror(errno));
			return -errno;
		}
		if (geteuid() == 0 && owner != 0 && chown(dir, owner, group) < 0) {
			snprintf(err, errlen, "user store %s: cannot give its folder %s to "
				 "uid %u: %s", path, dir, (unsigned int)owner, strerror(errno));
			rmdir(dir);
			return -errno;
		}
		printf("turnpike-cp: made the user store's folder %s (mode 0700)\n",
		       tp_esc_logs(dir, esc, sizeof(esc)));
	}
	if (realpath(dir, real) == NULL) {
		snprintf(err, errlen, "user store %s: its folder %s: %s", path, dir,
			 strerror(errno));
		return -errno;
	}
	if ((rc = check_chain(real, true, owner, err, errlen)) < 0)
		return rc;
	for (unsigned int i = 0; suffixes[i] != NULL; i++) {
		snprintf(side, sizeof(side), "%s%s", path, suffixes[i]);
		if ((rc = check_file(side, owner, err, errlen)) < 0)
			return rc;
	}
	return 0;
}
