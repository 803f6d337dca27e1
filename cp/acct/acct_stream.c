/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Usage records to a Redis Stream (accounting.stream, with a cluster):
 * "XADD NS:STREAM MAXLEN ~ N * record LINE", one entry a record, which a
 * billing system reads with a consumer group (XREADGROUP). Every record
 * is in the stream's spool on disk first (acct.c stream_put()); from here
 * cp's loop sends the spool's lines in order on the cluster's command
 * link, at most STREAM_WINDOW unanswered, and moves its mark as Redis
 * answers each (one link: answers come in the order sent). Redis away,
 * the link lost, an error answer: the unanswered lines are sent again
 * from the first of them once the link is back (a line Redis took just
 * before the link went is then in the stream twice: the record's id tells
 * a consumer so). Once every line is acknowledged the spool is emptied.
 * The spool is a file: what cp had not sent when it stopped is sent by
 * the next cp.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "acct.h"
#include "cluster/cluster.h"
#include "cp.h"

#define STREAM_WINDOW 32u

/* priv of an XADD: the gen it went under (high half) and its line's
 * length with the '\n' (low half) */
static void *
priv_of(uint32_t gen, uint32_t len)
{
	return (void *)(uintptr_t)(((uint64_t)gen << 32) | len);
}

static void
on_xadd(redisAsyncContext *ac, void *reply, void *priv)
{
	const redisReply *r = reply;
	uint64_t p = (uint64_t)(uintptr_t)priv;
	bool ok;
	struct cp_ctx *cp = cp_cluster_answer(ac, r, &ok);
	struct cp_acct *acct = cp != NULL ? cp->acct : NULL;

	if (acct == NULL || (uint32_t)(p >> 32) != acct->stream_gen)
		return;           /* (sent before a failure: sent again since) */
	if (acct->stream_inflight > 0)
		acct->stream_inflight--;
	if (!ok || r->type == REDIS_REPLY_ERROR) {
		if (ok && acct->stream_err != EPROTO)
			tp_log(TP_LOG_ERR, "accounting: redis refused XADD to %s: %.200s (sent "
			       "again)\n", acct->stream_key, r->str);
		acct->stream_err = ok ? EPROTO : ECONNRESET;
		acct->stats[CP_ACCT_STAT_STREAM_ERRORS]++;
		/* everything unanswered goes again, from the first of it */
		acct->stream_gen++;
		acct->stream_inflight = 0;
		acct->stream_sent = acct->stream_acked;
		return;
	}
	acct->stream_err = 0;
	acct->stream_acked += (uint32_t)p;
	acct->stats[CP_ACCT_STAT_STREAM_ADDED]++;
}

unsigned int
cp_acct_stream_step(struct cp_ctx *cp)
{
	static char buf[CP_ACCT_LINE_MAX];
	struct cp_acct *acct = cp->acct;
	unsigned int n = 0;

	if (acct->stream_fd < 0)
		return 0;
	/* the link went with commands unanswered: their answers never come
	 * (a closed link's callbacks are not called), they go again */
	if (acct->stream_inflight > 0 && cp_cluster_link_gen(cp) != acct->stream_link_gen) {
		acct->stats[CP_ACCT_STAT_STREAM_ERRORS]++;
		acct->stream_gen++;
		acct->stream_inflight = 0;
		acct->stream_sent = acct->stream_acked;
	}
	if (acct->stream_inflight == 0 && acct->stream_bytes > 0 &&
	    acct->stream_acked == acct->stream_bytes) {
		/* all of it in Redis: the spool starts again empty */
		if (ftruncate(acct->stream_fd, 0) == 0) {
			acct->stream_bytes = acct->stream_sent = acct->stream_acked = 0;
		}
		return 1;
	}
	while (acct->stream_inflight < STREAM_WINDOW && acct->stream_sent < acct->stream_bytes) {
		ssize_t k = pread(acct->stream_fd, buf, sizeof(buf), (off_t)acct->stream_sent);
		const char *nl;
		const char *av[8];
		size_t al[8];

		if (k <= 0)
			break;
		nl = memchr(buf, '\n', (size_t)k);
		if (nl == NULL) {
			/* a part line (a write to the spool that failed half-way,
			 * or longer than a record): skipped, once what was sent
			 * before it is answered (the mark moves in order) */
			if (acct->stream_inflight == 0) {
				acct->stream_sent += (uint64_t)k;
				acct->stream_acked = acct->stream_sent;
			}
			break;
		}
		/* XADD key MAXLEN ~ n * record LINE */
		av[0] = "XADD", al[0] = 4;
		av[1] = acct->stream_key, al[1] = strlen(acct->stream_key);
		av[2] = "MAXLEN", al[2] = 6;
		av[3] = "~", al[3] = 1;
		av[4] = acct->stream_maxlen, al[4] = strlen(acct->stream_maxlen);
		av[5] = "*", al[5] = 1;
		av[6] = "record", al[6] = 6;
		av[7] = buf, al[7] = (size_t)(nl - buf);
		if (!cp_cluster_send(cp, on_xadd,
				     priv_of(acct->stream_gen, (uint32_t)(al[7] + 1)), 8, av, al))
			break;            /* Redis away: the spool keeps it */
		if (acct->stream_inflight == 0)
			acct->stream_link_gen = cp_cluster_link_gen(cp);
		acct->stream_sent += al[7] + 1;
		acct->stream_inflight++;
		n++;
	}
	return n;
}
