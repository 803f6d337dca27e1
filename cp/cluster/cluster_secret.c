/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: the password for Redis' AUTH, from its file (turnpike-cp at
 * start, turnpikectl for allocations --cluster). No hiredis here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cluster_secret.h"

/*
 * A password's file (cluster.password_file), read as OpenSSH reads a key:
 * not through a symbolic link (O_NOFOLLOW), a regular file, root's or
 * owner's (cp.user's), neither readable nor writable by group or others
 * (a secret that others can read is not one; one they can write lets
 * them send cp to a Redis of theirs), at most CL_SECRET_MAX bytes, one
 * line (a final newline, or CR LF, dropped), no NUL. The checks are of
 * the open file (fstat), not of the name. owner (uid_t)-1: any owner
 * (turnpikectl, reading the file cp checked at its start). 0 and
 * out[0..*len), or -errno with err saying which rule and what to do.
 */
int
cl_read_secret(const char *path, uid_t owner, char *out, size_t *len, char *err,
	       size_t errlen)
{
	char buf[CL_SECRET_MAX + 3];
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, e;

	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s%s", path, strerror(e),
			 e == ELOOP ? " (a symbolic link: give the file itself)" : "");
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (owner != (uid_t)-1 && st.st_uid != 0 && st.st_uid != owner) {
		snprintf(err, errlen, "%s belongs to uid %u, not to root or uid %u "
			 "(turnpike-cp's): refused (chown it)", path,
			 (unsigned int)st.st_uid, (unsigned int)owner);
		close(fd);
		return -EPERM;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s is open to %s (mode %04o): refused (chmod 600 %s)",
			 path, (st.st_mode & 007) ? "everyone" : "its group",
			 (unsigned int)(st.st_mode & 07777), path);
		close(fd);
		return -EPERM;
	}
	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got > 0 && buf[got - 1] == '\n')
		got--;
	if (got > 0 && buf[got - 1] == '\r')
		got--;
	if (got == 0 || got > CL_SECRET_MAX || memchr(buf, '\0', got) != NULL ||
	    memchr(buf, '\n', got) != NULL) {
		snprintf(err, errlen, "%s must hold one line of 1 to %u bytes, no NUL "
			 "(it holds %s)", path, CL_SECRET_MAX,
			 got == 0 ? "nothing" : got > CL_SECRET_MAX ? "more" :
			 "a NUL or more than one line");
		OPENSSL_cleanse(buf, sizeof(buf));
		return -EINVAL;
	}
	memcpy(out, buf, got);
	*len = got;
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}
