/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The journal of records that wait (SPOOL/usage.pending): a record that
 * waits for dp's last counters lives in cp's memory for a few ms (up to
 * a second for RFC 6062, 5 s with dp away), and a cp killed then would
 * lose it. Each such record is appended here as it starts to wait and
 * again as it changes (dp's counters came, a peer connection's bytes),
 * and a mark follows once it is written; the next cp takes what has no
 * mark as records of its own that wait (dp's report of them, ALLOC_END or
 * STATS_FINAL, still comes: dp keeps it for the next cp), and writes them
 * with the same id (cp_acct_stop_id()).
 *
 * Entries are binary, cp's own: a head (magic, type, length, session)
 * and, for a snapshot, the record and its counters as this build lays
 * them out. An entry of another layout (another build) or cut short ends
 * the reading: what is before it counts. The file is emptied whenever
 * nothing waits (most of the time), and rewritten from memory when it
 * grew past JOURNAL_COMPACT while something always waited.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acct.h"
#include "tp_log.h"

#define JOURNAL_NAME    "usage.pending"
#define JOURNAL_MAGIC   0x314a5054u          /* "TPJ1" */
#define JOURNAL_COMPACT (4u << 20)
#define J_SNAPSHOT      1u
#define J_DONE          2u

struct jhead {
	uint32_t magic;
	uint32_t type;
	uint32_t len;                 /* bytes after the head */
	uint32_t pad;
	uint64_t session;
};

struct jsnap {
	uint64_t counters[IPC_ALLOC_STATS_N];
	uint64_t tcp_bytes[4];
	uint8_t final;
	uint8_t pad[7];
	struct cp_acct_rec rec;
};

static void
journal_failed(struct cp_acct *acct, int err, const char *what)
{
	acct->stats[CP_ACCT_STAT_JOURNAL_ERRORS]++;
	if (acct->journal_err != err)
		tp_log(TP_LOG_ERR, "accounting: cannot %s the journal %s: %s (a record that "
		       "waits for dp's counters is lost if cp is killed; the service goes on)\n",
		       what, acct->journal_path, acct->why[0] != '\0' ? acct->why : strerror(err));
	acct->journal_err = err;
}

static int
journal_append(struct cp_acct *acct, const void *buf, size_t n)
{
	ssize_t k;

	if (acct->journal_fd < 0)
		return -EBADF;
	k = write(acct->journal_fd, buf, n);
	if (k != (ssize_t)n) {
		int e = k < 0 ? errno : ENOSPC;

		journal_failed(acct, e, "write to");
		/* (a part entry ends the next reading: drop it) */
		if (k > 0 && ftruncate(acct->journal_fd, (off_t)acct->journal_bytes) < 0)
			(void)0;
		return -e;
	}
	acct->journal_bytes += n;
	acct->journal_err = 0;
	return 0;
}

static int
put_snap(struct cp_acct *acct, const struct cp_acct_pending *p)
{
	struct {
		struct jhead h;
		struct jsnap s;
	} e;

	memset(&e, 0, sizeof(e));
	e.h.magic = JOURNAL_MAGIC;
	e.h.type = J_SNAPSHOT;
	e.h.len = sizeof(e.s);
	e.h.session = p->rec.session;
	memcpy(e.s.counters, p->counters, sizeof(e.s.counters));
	memcpy(e.s.tcp_bytes, p->tcp_bytes, sizeof(e.s.tcp_bytes));
	e.s.final = p->final;
	e.s.rec = p->rec;
	return journal_append(acct, &e, sizeof(e));
}

void
cp_acct_journal_put(struct cp_acct *acct, const struct cp_acct_pending *p)
{
	acct->why[0] = '\0';
	if (acct->journal_fd >= 0)
		(void)put_snap(acct, p);
}

/* The file anew from what waits in memory: written beside it and moved
 * over it, so that a cp killed meanwhile leaves the old one whole. */
static void
journal_rewrite(struct cp_acct *acct)
{
	char tmp[sizeof(acct->journal_path) + 8];
	int fd, old = acct->journal_fd;

	/* (whatever has the name, a cp's leftover or a link, is removed, not
	 * followed: the file is made anew) */
	snprintf(tmp, sizeof(tmp), "%s.new", acct->journal_path);
	fd = cp_acct_open(acct, tmp, O_WRONLY | O_APPEND, CP_ACCT_OPEN_NEW);
	if (fd < 0) {
		journal_failed(acct, -fd, "rewrite");
		return;
	}
	acct->journal_fd = fd;
	acct->journal_bytes = 0;
	for (const struct cp_acct_pending *p = acct->pending; p != NULL; p = p->next)
		if (put_snap(acct, p) < 0)
			goto fail;
	if (rename(tmp, acct->journal_path) < 0) {
		journal_failed(acct, errno, "rewrite");
		goto fail;
	}
	close(old);
	return;
fail:
	close(fd);
	unlink(tmp);
	acct->journal_fd = old;
	{
		struct stat st;

		acct->journal_bytes = fstat(old, &st) == 0 ? (uint64_t)st.st_size : 0;
	}
}

void
cp_acct_journal_done(struct cp_acct *acct, uint64_t session)
{
	struct jhead h;

	if (acct->journal_fd < 0)
		return;
	acct->why[0] = '\0';
	if (acct->npending == 0) {
		/* nothing waits: nothing for a next cp */
		if (ftruncate(acct->journal_fd, 0) < 0)
			journal_failed(acct, errno, "empty");
		else
			acct->journal_bytes = 0;
		return;
	}
	memset(&h, 0, sizeof(h));
	h.magic = JOURNAL_MAGIC;
	h.type = J_DONE;
	h.session = session;
	(void)journal_append(acct, &h, sizeof(h));
	if (acct->journal_bytes > JOURNAL_COMPACT)
		journal_rewrite(acct);
}

static struct cp_acct_pending *
find(struct cp_acct_pending *list, uint64_t session)
{
	for (; list != NULL; list = list->next)
		if (list->rec.session == session)
			return list;
	return NULL;
}

/* The file's entries: each session's last snapshot, unless a mark
 * followed it, onto *list. The entries read whole (the rest is cut
 * short or of another layout). */
static uint64_t
journal_read(int fd, struct cp_acct_pending **list, unsigned int *n, bool *bad)
{
	struct jhead h;
	off_t off = 0;

	*bad = false;
	for (;;) {
		struct cp_acct_pending *p, **pp;
		struct jsnap s;
		ssize_t k = pread(fd, &h, sizeof(h), off);

		if (k == 0)
			break;
		if (k != (ssize_t)sizeof(h) || h.magic != JOURNAL_MAGIC ||
		    (h.type == J_SNAPSHOT && h.len != sizeof(s)) ||
		    (h.type == J_DONE && h.len != 0) ||
		    (h.type != J_SNAPSHOT && h.type != J_DONE)) {
			*bad = true;
			break;
		}
		if (h.type == J_DONE) {
			for (pp = list; *pp != NULL; pp = &(*pp)->next)
				if ((*pp)->rec.session == h.session) {
					p = *pp;
					*pp = p->next;
					free(p);
					(*n)--;
					break;
				}
			off += (off_t)sizeof(h);
			continue;
		}
		if (pread(fd, &s, sizeof(s), off + (off_t)sizeof(h)) != (ssize_t)sizeof(s) ||
		    s.rec.session != h.session) {
			*bad = true;
			break;
		}
		off += (off_t)(sizeof(h) + sizeof(s));
		p = find(*list, h.session);
		if (p == NULL) {
			p = calloc(1, sizeof(*p));
			if (p == NULL)
				break;
			p->next = *list;
			*list = p;
			(*n)++;
		}
		memcpy(p->counters, s.counters, sizeof(p->counters));
		memcpy(p->tcp_bytes, s.tcp_bytes, sizeof(p->tcp_bytes));
		p->final = s.final != 0;
		p->rec = s.rec;
		/* (the file is ours, but bounded as if it were not) */
		p->rec.id[sizeof(p->rec.id) - 1] = '\0';
		p->rec.user[sizeof(p->rec.user) - 1] = '\0';
		p->rec.cause[sizeof(p->rec.cause) - 1] = '\0';
		if (p->rec.nrelayed > 2)
			p->rec.nrelayed = 2;
		if (p->rec.npeers > CP_ACCT_PEERS_MAX)
			p->rec.npeers = CP_ACCT_PEERS_MAX;
	}
	return (uint64_t)off;
}

int
cp_acct_journal_open(struct cp_acct *acct, const char *dir, uint64_t due_ms)
{
	struct cp_acct_pending *list = NULL;
	unsigned int n = 0;
	bool bad;
	int fd;

	snprintf(acct->journal_path, sizeof(acct->journal_path), "%.256s/" JOURNAL_NAME, dir);
	fd = cp_acct_open(acct, acct->journal_path, O_RDWR | O_APPEND, 0);
	if (fd < 0) {
		journal_failed(acct, -fd, "open");
		return fd;
	}
	(void)journal_read(fd, &list, &n, &bad);
	if (bad)
		tp_log(TP_LOG_WARNING, "accounting: the journal %s ends in an entry cut short or "
		       "of another build: what is before it is taken\n", acct->journal_path);
	/* what a cp before left waiting: this one's now */
	while (list != NULL) {
		struct cp_acct_pending *p = list;

		list = p->next;
		p->restored = true;
		p->due_ms = due_ms;
		p->next = acct->pending;
		acct->pending = p;
		acct->npending++;
		acct->stats[CP_ACCT_STAT_RESTORED]++;
	}
	acct->journal_fd = fd;
	if (n > 0)
		tp_log(TP_LOG_NOTICE, "accounting: %u record(s) a cp before left waiting for "
		       "dp's last counters (%s): written once they come, or in 5 s\n", n,
		       acct->journal_path);
	/* the file now holds just those */
	journal_rewrite(acct);
	return 0;
}
