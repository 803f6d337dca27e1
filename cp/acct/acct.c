/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The usage records' file: opened for appending (O_APPEND: a line is one
 * write(2), whole, whoever else appends), reopened on reload so that
 * logrotate's move is followed, and its rotated copies (FILE.1,
 * FILE.2.gz, FILE-20261127, ...: any name that starts with FILE's and goes
 * on with '.' or '-') removed once older than the retention. A file that
 * cannot be written is said once per failure streak (with errno's
 * sentence and the path), counted, and tried again at the next record;
 * cp serves on.
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

static int
open_file(struct cp_acct *acct)
{
	int fd = open(acct->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;
	acct->fd = fd;
	return 0;
}

/* A failure: said when the streak starts (or its cause changes). */
static void
failed(struct cp_acct *acct, int rc, const char *what)
{
	if (acct->err != -rc)
		tp_log(TP_LOG_ERR, "accounting: cannot %s %s: %s (records are counted as "
		       "lost until it can; the service goes on)\n", what, acct->path,
		       strerror(-rc));
	acct->err = -rc;
}

struct cp_acct *
cp_acct_create(const struct tp_conf_acct *c)
{
	struct cp_acct *acct = calloc(1, sizeof(*acct));
	int rc;

	if (acct == NULL)
		return NULL;
	acct->fd = -1;
	snprintf(acct->path, sizeof(acct->path), "%s", c->file);
	acct->interim_s = c->interim_s;
	acct->retention_days = c->retention_days;
	if ((rc = open_file(acct)) < 0)
		failed(acct, rc, "open");
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
	free(acct);
}

int
cp_acct_write(struct cp_acct *acct, struct cp_acct_rec *r)
{
	static char line[CP_ACCT_LINE_MAX];
	int n, rc;
	ssize_t k;

	if (cp_acct_uuid(r->id) < 0) {
		acct->stats[CP_ACCT_STAT_LOST]++;
		return -EIO;
	}
	n = cp_acct_format(r, line, sizeof(line));
	if (n < 0) {
		acct->stats[CP_ACCT_STAT_LOST]++;
		return n;
	}
	if (acct->fd < 0 && (rc = open_file(acct)) < 0) {
		failed(acct, rc, "open");
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
	if ((rc = open_file(acct)) < 0) {
		failed(acct, rc, "open");
		return rc;
	}
	if (acct->err != 0)
		tp_log(TP_LOG_NOTICE, "accounting: %s open again\n", acct->path);
	acct->err = 0;
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

	struct stat self;

	/* (only beside a regular file: a path like /dev/full has no
	 * rotated copies, and what is beside it is not ours) */
	if (acct->retention_days == 0 || lstat(acct->path, &self) < 0 ||
	    !S_ISREG(self.st_mode))
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
