/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The usage records' file: opened for appending (O_APPEND: a line is one
 * write(2), whole, whoever else appends), reopened on reload so that
 * logrotate's move is followed, and its rotated copies (FILE.1,
 * FILE.2.gz, FILE-20261127, ...: any name that starts with FILE's and goes
 * on with '.' or '-') removed once older than the retention, as are the
 * spools' records that ended before it. A file that
 * cannot be written is said once per failure streak (with errno's
 * sentence and the path), counted, and tried again at the next record;
 * cp serves on. With a spool (accounting.spool) such a record is appended
 * to SPOOL/usage.spool instead, up to spool_max, and the spool goes into
 * the file, in order, before the next record the file takes (its
 * records' ids let a consumer drop one written twice: a spool copied in
 * part when the file failed again is copied whole the next time). Every
 * file is opened by cp_acct_open() (acct_open.c: in a folder cp's user
 * writes, never through a link).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acct.h"
#include "tp_conf_types.h"
#include "tp_log.h"

#define SPOOL_NAME "usage.spool"
#define STREAM_NAME "usage.stream"

/* (a device of root's may stand for the file: /dev/null, /dev/full) */
static int
open_file(struct cp_acct *acct)
{
	int fd = cp_acct_open(acct, acct->path, O_WRONLY | O_APPEND, CP_ACCT_OPEN_DEV);

	if (fd < 0)
		return fd;
	acct->fd = fd;
	return 0;
}

/* rc is cp_acct_open()'s refusal of a file as unsafe */
static bool
refused(const struct cp_acct *acct, int rc)
{
	return rc < 0 && acct->why[0] != '\0';
}

/* errno's sentence, or why cp_acct_open() refused the file */
static const char *
why(const struct cp_acct *acct, int rc)
{
	return acct->why[0] != '\0' ? acct->why : strerror(-rc);
}

/* A failure: said when the streak starts (or its cause changes). */
static void
failed(struct cp_acct *acct, int rc, const char *what)
{
	if (acct->err != -rc)
		tp_log(TP_LOG_ERR, "accounting: cannot %s %s: %s (records %s%s until it "
		       "can; the service goes on)\n", what, acct->path, why(acct, rc),
		       acct->spool_path[0] != '\0' ? "wait in the spool " :
		       "are counted as lost", acct->spool_path);
	acct->err = -rc;
}

static int
spool_open(struct cp_acct *acct)
{
	struct stat st;
	int fd;

	fd = cp_acct_open(acct, acct->spool_path, O_RDWR | O_APPEND, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	acct->spool_fd = fd;
	acct->spool_bytes = (uint64_t)st.st_size;
	return 0;
}

/* After a short write to a spool (a disk that filled mid-line): the part
 * line cut off, so that the next line is not glued to it; the spool's
 * length. (One that cannot be cut ends with a newline: a line of its own,
 * skipped as no record.) */
static uint64_t
cut_part(int fd, uint64_t before)
{
	struct stat st;

	if (ftruncate(fd, (off_t)before) == 0)
		return before;
	if (write(fd, "\n", 1) < 0)
		(void)0;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : before;
}

/* The spool into the file, whole: 0 (the spool is empty then), or -errno
 * (it stays as it is). */
static int
spool_drain(struct cp_acct *acct)
{
	static char buf[65536];
	uint64_t lines = 0;
	off_t off = 0;

	if (acct->spool_fd < 0 || acct->spool_bytes == 0 || acct->fd < 0)
		return 0;
	for (;;) {
		ssize_t n = pread(acct->spool_fd, buf, sizeof(buf), off), k;

		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		k = write(acct->fd, buf, (size_t)n);
		if (k != n) {
			/* (a part line ends here: the next one starts afresh) */
			if (k > 0 && write(acct->fd, "\n", 1) < 0)
				(void)0;
			return k < 0 ? -errno : -ENOSPC;
		}
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		off += n;
	}
	if (ftruncate(acct->spool_fd, 0) < 0)
		return -errno;
	tp_log(TP_LOG_NOTICE, "accounting: %llu spooled records written to %s\n",
	       (unsigned long long)lines, acct->path);
	acct->stats[CP_ACCT_STAT_UNSPOOLED] += lines;
	acct->spool_bytes = 0;
	return 0;
}

/* A line the file did not take, into the spool: 0, or -errno (full, or
 * the spool cannot be written either; said once per streak). */
static int
spool_put(struct cp_acct *acct, const char *line, size_t n)
{
	ssize_t k;
	int rc;

	if (acct->spool_path[0] == '\0')
		return -ENOENT;
	if (acct->spool_fd < 0 && (rc = spool_open(acct)) < 0)
		goto fail;
	if (acct->spool_bytes + n > acct->spool_max) {
		acct->stats[CP_ACCT_STAT_SPOOL_DROPPED]++;
		if (acct->spool_err != EFBIG)
			tp_log(TP_LOG_ERR, "accounting: the spool %s is full (%llu bytes, "
			       "spool_max): records are dropped, counted\n", acct->spool_path,
			       (unsigned long long)acct->spool_bytes);
		acct->spool_err = EFBIG;
		return -EFBIG;
	}
	k = write(acct->spool_fd, line, n);
	if (k != (ssize_t)n) {
		rc = k < 0 ? -errno : -ENOSPC;
		if (k > 0)
			acct->spool_bytes = cut_part(acct->spool_fd, acct->spool_bytes);
		goto fail;
	}
	acct->spool_bytes += n;
	acct->spool_err = 0;
	acct->stats[CP_ACCT_STAT_SPOOLED]++;
	return 0;
fail:
	if (acct->spool_err != -rc)
		tp_log(TP_LOG_ERR, "accounting: cannot write to the spool %s: %s (records "
		       "are lost, counted)\n", acct->spool_path, why(acct, rc));
	acct->spool_err = -rc;
	return rc;
}

/* The spool as c says (the same one stays open): 0, or the -errno of
 * its open (logged; tried again when a record needs it). */
static int
spool_set(struct cp_acct *acct, const struct tp_conf_acct *c)
{
	char want[sizeof(acct->spool_path)];
	int rc;

	want[0] = '\0';
	if (c->spool[0] != '\0')
		snprintf(want, sizeof(want), "%.256s/" SPOOL_NAME, c->spool);
	acct->spool_max = (uint64_t)c->spool_max_mb << 20;
	if (strcmp(want, acct->spool_path) == 0)
		return 0;
	if (acct->spool_fd >= 0)
		close(acct->spool_fd);
	acct->spool_fd = -1;
	acct->spool_bytes = 0;
	acct->spool_err = 0;
	snprintf(acct->spool_path, sizeof(acct->spool_path), "%s", want);
	if (want[0] == '\0')
		return 0;
	if ((rc = spool_open(acct)) < 0) {
		tp_log(TP_LOG_ERR, "accounting: cannot open the spool %s: %s (tried again "
		       "when a record needs it)\n", acct->spool_path, why(acct, rc));
		acct->spool_err = -rc;
		return rc;
	} else if (acct->spool_bytes > 0) {
		tp_log(TP_LOG_NOTICE, "accounting: the spool %s holds %llu bytes of records "
		       "for %s\n", acct->spool_path, (unsigned long long)acct->spool_bytes,
		       acct->path);
	}
	return 0;
}

/* The Redis Stream's spool as c says (accounting.stream): opened once.
 * 0, or the -errno of its open (logged: no record goes to Redis). */
static int
stream_set(struct cp_acct *acct, const struct tp_conf_acct *c)
{
	struct stat st;
	int fd, rc;

	snprintf(acct->stream_maxlen, sizeof(acct->stream_maxlen), "%u", c->stream_maxlen);
	if (acct->stream_on || c->stream[0] == '\0' || c->spool[0] == '\0')
		return 0;
	acct->stream_on = true;
	snprintf(acct->stream_path, sizeof(acct->stream_path), "%.256s/" STREAM_NAME, c->spool);
	fd = cp_acct_open(acct, acct->stream_path, O_RDWR | O_APPEND, 0);
	rc = fd < 0 ? fd : fstat(fd, &st) < 0 ? -errno : 0;
	if (rc < 0) {
		acct->stream_err = -rc;
		tp_log(TP_LOG_ERR, "accounting: cannot open the stream's spool %s: %s (no "
		       "record goes to Redis)\n", acct->stream_path, why(acct, rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	acct->stream_fd = fd;
	acct->stream_bytes = (uint64_t)st.st_size;
	if (st.st_size > 0)
		tp_log(TP_LOG_NOTICE, "accounting: %llu bytes of records wait for Redis in %s\n",
		       (unsigned long long)st.st_size, acct->stream_path);
	return 0;
}

/* A record for the Redis Stream: into its spool, whence cp's loop sends
 * it (cp_acct_stream_step()). Only a full spool drops it, counted. */
static void
stream_put(struct cp_acct *acct, const char *line, size_t n)
{
	ssize_t k;

	if (acct->stream_fd < 0)
		return;
	if (acct->stream_bytes + n > acct->spool_max) {
		if (acct->stream_err != EFBIG)
			tp_log(TP_LOG_ERR, "accounting: the stream's spool %s is full (%llu "
			       "bytes, spool_max): records for Redis are dropped, counted\n",
			       acct->stream_path, (unsigned long long)acct->stream_bytes);
		acct->stream_err = EFBIG;
		acct->stats[CP_ACCT_STAT_STREAM_DROPPED]++;
		return;
	}
	k = write(acct->stream_fd, line, n);
	if (k != (ssize_t)n) {
		int e = k < 0 ? errno : ENOSPC;

		if (acct->stream_err != e)
			tp_log(TP_LOG_ERR, "accounting: cannot write to the stream's spool %s: "
			       "%s (the record does not go to Redis, counted)\n",
			       acct->stream_path, strerror(e));
		acct->stream_err = e;
		acct->stats[CP_ACCT_STAT_STREAM_DROPPED]++;
		if (k > 0)
			acct->stream_bytes = cut_part(acct->stream_fd, acct->stream_bytes);
		return;
	}
	acct->stream_err = 0;
	acct->stream_bytes += n;
}

struct cp_acct *
cp_acct_create(const struct tp_conf_acct *c, uint32_t uid, uint32_t gid, char *err,
	       size_t errlen)
{
	struct cp_acct *acct = calloc(1, sizeof(*acct));
	int rc;

	if (acct == NULL) {
		snprintf(err, errlen, "accounting: out of memory");
		return NULL;
	}
	acct->uid = uid;
	acct->gid = gid;
	acct->fd = -1;
	acct->spool_fd = -1;
	acct->stream_fd = -1;
	acct->journal_fd = -1;
	snprintf(acct->path, sizeof(acct->path), "%s", c->file);
	acct->interim_s = c->interim_s;
	acct->retention_days = c->retention_days;
	/* a file refused as unsafe (a link, another's file) stops the start:
	 * what the operator must look at, not a failure to wait out */
	if (refused(acct, rc = spool_set(acct, c)) || refused(acct, rc = stream_set(acct, c)) ||
	    refused(acct, rc = open_file(acct))) {
		snprintf(err, errlen, "accounting: %s", acct->why);
		cp_acct_free(acct);
		errno = -rc;
		return NULL;
	}
	if (rc < 0)
		failed(acct, rc, "open");
	else if ((rc = spool_drain(acct)) < 0)
		failed(acct, rc, "write to");
	return acct;
}

void
cp_acct_free(struct cp_acct *acct)
{
	if (acct == NULL)
		return;
	while (acct->pending != NULL) {
		struct cp_acct_pending *p = acct->pending;

		acct->pending = p->next;
		free(p);
	}
	if (acct->fd >= 0)
		close(acct->fd);
	if (acct->spool_fd >= 0)
		close(acct->spool_fd);
	if (acct->stream_fd >= 0)
		close(acct->stream_fd);
	if (acct->journal_fd >= 0)
		close(acct->journal_fd);
	free(acct);
}

int
cp_acct_write(struct cp_acct *acct, struct cp_acct_rec *r)
{
	static char line[CP_ACCT_LINE_MAX];
	int n, rc;
	ssize_t k;

	acct->why[0] = '\0';
	if (r->id[0] == '\0' && cp_acct_uuid(r->id) < 0) {
		acct->stats[CP_ACCT_STAT_LOST]++;
		return -EIO;
	}
	n = cp_acct_format(r, line, sizeof(line));
	if (n < 0) {
		acct->stats[CP_ACCT_STAT_LOST]++;
		return n;
	}
	if (acct->stream_on)
		stream_put(acct, line, (size_t)n);
	if (acct->fd < 0 && (rc = open_file(acct)) < 0) {
		failed(acct, rc, "open");
		goto lost;
	}
	/* what waits goes first, in order */
	if (acct->spool_bytes > 0 && (rc = spool_drain(acct)) < 0) {
		failed(acct, rc, "write to");
		goto lost;
	}
	k = write(acct->fd, line, (size_t)n);
	if (k != n) {
		/* a short write (a full disk mid-line) leaves a part line:
		 * the next record starts on a line of its own */
		rc = k < 0 ? -errno : -ENOSPC;
		if (k > 0 && write(acct->fd, "\n", 1) < 0)
			(void)0;
		failed(acct, rc, "write to");
		goto lost;
	}
	if (acct->err != 0)
		tp_log(TP_LOG_NOTICE, "accounting: writing %s again\n", acct->path);
	acct->err = 0;
	acct->stats[r->type == CP_ACCT_INTERIM ? CP_ACCT_STAT_INTERIM : CP_ACCT_STAT_RECORDS]++;
	if (!r->exact && r->type == CP_ACCT_STOP)
		acct->stats[CP_ACCT_STAT_INEXACT]++;
	return 0;
lost:
	acct->stats[CP_ACCT_STAT_WRITE_ERRORS]++;
	if (spool_put(acct, line, (size_t)n) == 0)
		return 0;
	acct->stats[CP_ACCT_STAT_LOST]++;
	return rc;
}

int
cp_acct_reopen(struct cp_acct *acct, const struct tp_conf_acct *c)
{
	int rc;

	if (acct->fd >= 0)
		close(acct->fd);
	acct->fd = -1;
	snprintf(acct->path, sizeof(acct->path), "%s", c->file);
	acct->interim_s = c->interim_s;
	acct->retention_days = c->retention_days;
	acct->stats[CP_ACCT_STAT_REOPENS]++;
	spool_set(acct, c);
	stream_set(acct, c);
	if ((rc = open_file(acct)) < 0) {
		failed(acct, rc, "open");
		return rc;
	}
	if ((rc = spool_drain(acct)) < 0) {
		failed(acct, rc, "write to");
		return rc;
	}
	if (acct->err != 0)
		tp_log(TP_LOG_NOTICE, "accounting: %s open again\n", acct->path);
	acct->err = 0;
	return 0;
}

/* When the record on line (n bytes, NUL after it) ended: its "end", an
 * interim's "time" (unix s); -1 without one. (A username's quotes are
 * escaped: the first ,"end":" is the field.) */
static time_t
line_time(const char *line, size_t n)
{
	static const char *const keys[] = { ",\"end\":\"", ",\"time\":\"" };

	for (unsigned int i = 0; i < 2; i++) {
		const char *p = memmem(line, n, keys[i], strlen(keys[i]));
		struct tm tm;

		if (p == NULL)
			continue;
		memset(&tm, 0, sizeof(tm));
		if (sscanf(p + strlen(keys[i]), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
			   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
			return -1;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		return timegm(&tm);
	}
	return -1;
}

/*
 * Retention in a spool (path, open as *fd, *bytes long): the records at
 * its start that ended before cutoff removed (the spool is in the order
 * records came; the first newer one, or one without a time, ends the
 * cut). The rest is written to PATH.new (cp_acct_open(): made anew) and
 * moved over the spool, so a cp killed meanwhile leaves it whole; *fd and
 * *bytes are then the new file's. The bytes cut, 0 when none or on a
 * failure (said; the spool stays as it was).
 */
static uint64_t
spool_expire(struct cp_acct *acct, const char *path, int *fd, uint64_t *bytes, time_t cutoff)
{
	static char buf[CP_ACCT_LINE_MAX + 1];
	char tmp[CP_ACCT_PATH_MAX];
	uint64_t cut = 0, lines = 0, off;
	int nfd = -1, rc = 0;

	for (;;) {
		ssize_t k = pread(*fd, buf, sizeof(buf) - 1, (off_t)cut);
		const char *nl;
		time_t t;

		if (k <= 0)
			break;
		buf[k] = '\0';
		nl = memchr(buf, '\n', (size_t)k);
		if (nl == NULL)
			break;
		t = line_time(buf, (size_t)(nl - buf));
		if (t < 0 || t >= cutoff)
			break;
		cut += (uint64_t)(nl - buf) + 1;
		lines++;
	}
	if (cut == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	nfd = cp_acct_open(acct, tmp, O_RDWR | O_APPEND, CP_ACCT_OPEN_NEW);
	if (nfd < 0) {
		rc = nfd;
		goto fail;
	}
	for (off = cut;;) {
		ssize_t k = pread(*fd, buf, sizeof(buf), (off_t)off);

		if (k < 0 || (k > 0 && write(nfd, buf, (size_t)k) != k)) {
			rc = k < 0 ? -errno : -ENOSPC;
			goto fail;
		}
		if (k == 0)
			break;
		off += (uint64_t)k;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		goto fail;
	}
	close(*fd);
	*fd = nfd;
	*bytes = off - cut;
	acct->stats[CP_ACCT_STAT_EXPIRED] += lines;
	tp_log(TP_LOG_NOTICE, "accounting: %llu records that ended more than %u days ago "
	       "removed from %s (the retention)\n", (unsigned long long)lines,
	       acct->retention_days, path);
	return cut;
fail:
	tp_log(TP_LOG_WARNING, "accounting: cannot remove the records older than the "
	       "retention from %s: %s\n", path, why(acct, rc));
	if (nfd >= 0) {
		close(nfd);
		unlink(tmp);
	}
	return 0;
}

unsigned int
cp_acct_prune(struct cp_acct *acct, time_t now)
{
	char dir[sizeof(acct->path)], full[sizeof(acct->path) + 256];
	const char *base;
	size_t blen;
	unsigned int n = 0;
	struct dirent *de;
	DIR *d;
	time_t cutoff = now - (time_t)acct->retention_days * 86400;
	struct stat self;

	if (acct->retention_days == 0)
		return 0;
	/* what waits in the spools: the file's, and Redis's once nothing
	 * is unanswered (its marks are offsets into it) */
	acct->why[0] = '\0';
	if (acct->spool_fd >= 0)
		(void)spool_expire(acct, acct->spool_path, &acct->spool_fd, &acct->spool_bytes,
				   cutoff);
	if (acct->stream_fd >= 0 && acct->stream_inflight == 0) {
		uint64_t cut = spool_expire(acct, acct->stream_path, &acct->stream_fd,
					    &acct->stream_bytes, cutoff);

		acct->stream_acked = acct->stream_acked > cut ? acct->stream_acked - cut : 0;
		acct->stream_sent = acct->stream_acked;
	}
	/* (rotated copies only beside a regular file: a path like /dev/full
	 * has none, and what is beside it is not ours) */
	if (lstat(acct->path, &self) < 0 || !S_ISREG(self.st_mode))
		return 0;
	snprintf(dir, sizeof(dir), "%s", acct->path);
	base = strrchr(acct->path, '/');
	if (base == NULL)
		return 0;
	base++;
	dir[base - acct->path] = '\0';
	blen = strlen(base);
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		/* FILE itself never; FILE.x and FILE-x only */
		if (strncmp(de->d_name, base, blen) != 0 ||
		    (de->d_name[blen] != '.' && de->d_name[blen] != '-'))
			continue;
		snprintf(full, sizeof(full), "%s%s", dir, de->d_name);
		if (lstat(full, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (now - st.st_mtime < (time_t)acct->retention_days * 86400)
			continue;
		if (unlink(full) == 0) {
			n++;
			tp_log(TP_LOG_NOTICE, "accounting: removed %s (older than the "
			       "retention, %u days)\n", full, acct->retention_days);
		} else {
			tp_log(TP_LOG_WARNING, "accounting: cannot remove %s: %s\n", full,
			       strerror(errno));
		}
	}
	closedir(d);
	acct->stats[CP_ACCT_STAT_PRUNED] += n;
	return n;
}
