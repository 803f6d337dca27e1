/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening acct's files (the records' file, the spool, the stream's spool,
 * the journal) in folders cp's user writes, without lending root's rights
 * to whoever writes there. cp/acct is set up before cp drops root
 * (cp_user.c: the privileges module comes last), and cp's user (a cp that
 * was taken over can get itself restarted) could plant a link where one of
 * these files is expected and have root append records to a file of
 * root's, copy it into the records, or cut it. So:
 *
 * - the folder is opened first and checked (a folder, writable by everyone
 *   only if sticky), and the file is opened relative to it with
 *   O_NOFOLLOW: a symbolic link at the name is refused, never followed;
 * - while cp is root with cp.user set, the opening runs with cp.user's
 *   file-system ids (setfsuid(2), setfsgid(2)): root's right to open any
 *   file is not lent to a link in a folder of the path either, and what
 *   is created is cp.user's (root's supplementary groups stay: root's
 *   group, which owns no folder cp's user may point a link at);
 * - what is there must be a regular file of the owner (cp.user, or whom
 *   cp runs as), writable by no one else, with one link (a hard link to
 *   another's file has two); a character device of root's is taken for
 *   the records' file alone (/dev/null, /dev/full: no user can make one);
 * - what is not there is created with O_EXCL, mode 0640: nothing that
 *   appeared meanwhile is opened instead; CP_ACCT_OPEN_NEW removes the
 *   name first (the name, never what a link there points at), so nothing
 *   cp did not create is ever truncated or rewritten.
 *
 * The open is O_NONBLOCK until the checks passed: a FIFO planted at the
 * name cannot hold cp's start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acct.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* What the file found at the name may be: 0 or -errno with why. */
static int
check_file(const struct cp_acct *acct, const char *path, const struct stat *st, int how,
	   char *why, size_t len)
{
	if (S_ISCHR(st->st_mode) && (how & CP_ACCT_OPEN_DEV) && st->st_uid == 0)
		return 0;
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, len, "%s is not a regular file: refused", path);
		return -EINVAL;
	}
	if (st->st_uid != acct->uid) {
		snprintf(why, len, "%s belongs to uid %u, not to uid %u (the user cp writes "
			 "its records as): not cp's, refused (if it is, chown it)", path,
			 (unsigned int)st->st_uid, (unsigned int)acct->uid);
		return -EPERM;
	}
	if (st->st_nlink != 1) {
		snprintf(why, len, "%s has %lu links (a hard link to another file): refused",
			 path, (unsigned long)st->st_nlink);
		return -EMLINK;
	}
	if ((st->st_mode & 022) != 0) {
		snprintf(why, len, "%s is writable by others (mode %04o): refused (chmod 640 %s)",
			 path, (unsigned int)(st->st_mode & 07777), path);
		return -EPERM;
	}
	return 0;
}

int
cp_acct_open(struct cp_acct *acct, const char *path, int flags, int how)
{
	char *why = acct->why;
	size_t len = sizeof(acct->why);
	char dir[CP_ACCT_PATH_MAX];
	const char *base = strrchr(path, '/');
	bool as_user = geteuid() == 0 && acct->uid != 0;
	int dfd = -1, fd = -1, rc = 0, fsuid = 0, fsgid = 0;
	struct stat st;

	why[0] = '\0';
	if (base == NULL || base[1] == '\0' || (size_t)(base - path) >= sizeof(dir))
		return -EINVAL;
	if (base == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	base++;
	if (as_user) {
		fsgid = setfsgid((gid_t)acct->gid);
		fsuid = setfsuid((uid_t)acct->uid);
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, len, "%s's folder %s is writable by everyone (mode %04o): anyone "
			 "could plant a file there; refused (chmod o-w %s)", path, dir,
			 (unsigned int)(st.st_mode & 07777), dir);
		rc = -EPERM;
		goto out;
	}
	if ((how & CP_ACCT_OPEN_NEW) && unlinkat(dfd, base, 0) < 0 && errno != ENOENT) {
		rc = -errno;
		goto out;
	}
	flags |= O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	fd = (how & CP_ACCT_OPEN_NEW) ? -1 : openat(dfd, base, flags);
	if (fd < 0 && ((how & CP_ACCT_OPEN_NEW) || errno == ENOENT))
		fd = openat(dfd, base, flags | O_CREAT | O_EXCL, 0640);
	if (fd < 0) {
		rc = -errno;
		if (errno == ELOOP)
			snprintf(why, len, "%s is a symbolic link: refused (it could point "
				 "anywhere; give the real path)", path);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if ((rc = check_file(acct, path, &st, how, why, len)) < 0)
		goto out;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		rc = -errno;
out:
	if (rc < 0 && fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (as_user) {
		(void)setfsuid((uid_t)fsuid);
		(void)setfsgid((gid_t)fsgid);
	}
	return rc < 0 ? rc : fd;
}
