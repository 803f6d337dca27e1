/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's tables: the tasks and destinations the ADMF provisioned, read
 * back from li.db at open (li_store.c) and looked up by XID or DID. Bounded
 * (CP_LI_TASKS_MAX, CP_LI_DESTS_MAX) and walked in order: the X1
 * operations touch one entry at a time and the ADMF is one client. The
 * matcher that meets allocations and contexts (slice 4) keeps its own
 * hash tables of targets, built from these. Opening them makes the
 * process undumpable (no core file, no ptrace by the same user): they
 * are the carrier's most secret data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "li.h"
#include "li_internal.h"
#include "li_store.h"

const struct cp_li_task *
cp_li_task_find(const struct cp_li *li, const uint8_t xid[16])
{
	int i = cp_li_task_index(li, xid);

	return i < 0 ? NULL : li->tasks[i];
}

const struct cp_li_dest *
cp_li_dest_find(const struct cp_li *li, const uint8_t did[16])
{
	int i = cp_li_dest_index(li, did);

	return i < 0 ? NULL : &li->dests[i];
}

int
cp_li_task_index(const struct cp_li *li, const uint8_t xid[16])
{
	for (unsigned int i = 0; i < li->ntasks; i++)
		if (memcmp(li->tasks[i]->t.xid, xid, 16) == 0)
			return (int)i;
	return -1;
}

int
cp_li_dest_index(const struct cp_li *li, const uint8_t did[16])
{
	for (unsigned int i = 0; i < li->ndests; i++)
		if (memcmp(li->dests[i].d.did, did, 16) == 0)
			return (int)i;
	return -1;
}

/* A task's copy wiped before it is freed: targets are LI data. */
static void
task_free(struct cp_li_task *t)
{
	if (t == NULL)
		return;
	explicit_bzero(t, sizeof(*t));
	free(t);
}

int
cp_li_task_set(struct cp_li *li, const struct cp_li_task *t)
{
	li->gen++;
	int i = cp_li_task_index(li, t->t.xid);
	struct cp_li_task *n;

	if (i >= 0) {
		/* (a ModifyTask: dp's figures for the XID go on) */
		struct cp_li_task_fig fig = li->tasks[i]->fig;

		*li->tasks[i] = *t;
		li->tasks[i]->fig = fig;
		return 0;
	}
	if (li->ntasks >= CP_LI_TABLE_MAX)
		return -ENOSPC;
	n = malloc(sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	*n = *t;
	li->tasks[li->ntasks++] = n;
	return 0;
}

void
cp_li_task_drop(struct cp_li *li, unsigned int i)
{
	li->gen++;
	task_free(li->tasks[i]);
	memmove(&li->tasks[i], &li->tasks[i + 1], (li->ntasks - i - 1) * sizeof(li->tasks[0]));
	li->tasks[--li->ntasks] = NULL;
}

int
cp_li_dest_set(struct cp_li *li, const struct cp_li_dest *d)
{
	li->gen++;
	int i = cp_li_dest_index(li, d->d.did);

	if (i >= 0) {
		li->dests[i] = *d;
		return 0;
	}
	if (li->ndests >= CP_LI_DESTS_MAX)
		return -ENOSPC;
	li->dests[li->ndests++] = *d;
	return 0;
}

void
cp_li_dest_drop(struct cp_li *li, unsigned int i)
{
	li->gen++;
	memmove(&li->dests[i], &li->dests[i + 1], (li->ndests - i - 1) * sizeof(li->dests[0]));
	explicit_bzero(&li->dests[--li->ndests], sizeof(li->dests[0]));
}

/* Trigger i disarmed: its context's id 0 (it names, and matches, nothing
 * again), written to li.db with an audit row of the NE's own (the ne_id as
 * the party, a zero x1TransactionId, "TriggerDisarmed") before the table
 * changes. A table without a store (the tests') changes alone. */
static int
disarm(struct cp_li *li, unsigned int i, int64_t now_us)
{
	static const uint8_t none[16];
	struct cp_li_task n = *li->tasks[i];
	struct cp_li_audit au = { .at_us = now_us, .txid = none, .admf = li->ne_id,
				  .op = "TriggerDisarmed", .id = n.t.xid, .result = 0 };
	int rc = 0;

	n.t.targets[0].t3_ctx = 0;
	if (li->store != NULL && (rc = cp_li_store_task_put(li->store, &n, &au)) < 0) {
		li->store_errors++;
		/* (armed in memory, the file's row the old one: disarmed in
		 * memory all the same, the stranger's call is not tapped; the
		 * next start's sweep disarms the row) */
	}
	li->tasks[i]->t.targets[0].t3_ctx = 0;
	li->gen++;                    /* the matcher's pass: untapped */
	explicit_bzero(&n, sizeof(n));
	return rc;
}

int
cp_li_trigger_release(struct cp_li *li, uint64_t ctx, int64_t now_us)
{
	int n = 0, rc, err = 0;

	for (unsigned int i = 0; ctx != 0 && i < li->ntasks; i++) {
		if (!cp_li_task_is_trigger(li->tasks[i]) ||
		    li->tasks[i]->t.targets[0].t3_ctx != ctx)
			continue;
		if ((rc = disarm(li, i, now_us)) < 0 && err == 0)
			err = rc;
		n++;
	}
	return err < 0 ? err : n;
}

int
cp_li_trigger_sweep(struct cp_li *li, bool (*live)(void *arg, uint64_t ctx), void *arg,
		    int64_t now_us)
{
	int n = 0, rc, err = 0;

	for (unsigned int i = 0; i < li->ntasks; i++) {
		const struct cp_li_task *t = li->tasks[i];

		if (!cp_li_task_is_trigger(t) || t->t.targets[0].t3_ctx == 0 ||
		    live(arg, t->t.targets[0].t3_ctx))
			continue;
		if ((rc = disarm(li, i, now_us)) < 0 && err == 0)
			err = rc;
		n++;
	}
	return err < 0 ? err : n;
}

static int
load_task(void *arg, const struct cp_li_task *t)
{
	struct cp_li *li = arg;

	return cp_li_task_index(li, t->t.xid) >= 0 ? -EINVAL : cp_li_task_set(li, t);
}

static int
load_dest(void *arg, const struct cp_li_dest *d)
{
	struct cp_li *li = arg;

	return cp_li_dest_index(li, d->d.did) >= 0 ? -EINVAL : cp_li_dest_set(li, d);
}

int
cp_li_reload(void *arg)
{
	struct cp_li *li = arg;

	while (li->ntasks > 0)
		cp_li_task_drop(li, li->ntasks - 1);
	while (li->ndests > 0)
		cp_li_dest_drop(li, li->ndests - 1);
	return cp_li_store_load(li->store, load_task, load_dest, li);
}

/* Whether each party's tasks are within its bound. */
static bool
within_bounds(const struct cp_li *li)
{
	unsigned int ntrig = 0;

	for (unsigned int i = 0; i < li->ntasks; i++)
		ntrig += cp_li_task_is_trigger(li->tasks[i]);
	return ntrig <= CP_LI_TRIGGERS_MAX && li->ntasks - ntrig <= CP_LI_TASKS_MAX;
}

struct cp_li *
cp_li_open(const struct cp_li_conf *conf, char *err, size_t errlen)
{
	struct cp_li *li;
	int rc;

	if (conf == NULL || conf->ne_id == NULL || conf->admf_id == NULL ||
	    strlen(conf->ne_id) >= X1_ID_MAX || strlen(conf->admf_id) >= X1_ID_MAX) {
		snprintf(err, errlen, "li: no or too long ne_id or admf_id");
		errno = EINVAL;
		return NULL;
	}
	/* Targets are about to be in memory: no core file holds them, and
	 * no process of the same user may ptrace or read /proc/PID/mem (cp's
	 * privileges module sets it again after setuid, which resets it). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "li: cannot make the process undumpable: %s",
			 strerror(errno));
		return NULL;
	}
	li = calloc(1, sizeof(*li));
	if (li == NULL) {
		snprintf(err, errlen, "li: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	snprintf(li->ne_id, sizeof(li->ne_id), "%s", conf->ne_id);
	snprintf(li->admf_id, sizeof(li->admf_id), "%s", conf->admf_id);
	if (conf->cctf_id != NULL && strlen(conf->cctf_id) < X1_ID_MAX)
		snprintf(li->cctf_id, sizeof(li->cctf_id), "%s", conf->cctf_id);
	li->store = cp_li_store_open(conf, err, errlen);
	if (li->store == NULL) {
		rc = -errno;
		goto fail_store;
	}
	rc = cp_li_store_load(li->store, load_task, load_dest, li);
	if (rc < 0) {
		if (rc == -ENOSPC)
			snprintf(err, errlen, "li store %s holds more tasks or destinations than "
				 "this turnpike serves (%u, %u): refused rather than serve fewer",
				 conf->store, CP_LI_TASKS_MAX, CP_LI_DESTS_MAX);
		else if (rc == -ENOMEM)
			snprintf(err, errlen, "li store %s: out of memory", conf->store);
		else
			snprintf(err, errlen, "%s", cp_li_store_err(li->store));
		rc = rc == -ENOMEM ? rc : -EIO;
		goto fail_load;
	}
	/* each party's bound (CP_LI_TRIGGERS_MAX apart from CP_LI_TASKS_MAX):
	 * a file past either refused as past the table */
	if (!within_bounds(li)) {
		snprintf(err, errlen, "li store %s holds more tasks or triggers than this "
			 "turnpike serves (%u, %u): refused rather than serve fewer", conf->store,
			 CP_LI_TASKS_MAX, CP_LI_TRIGGERS_MAX);
		rc = -EIO;
		goto fail_load;
	}
	/* triggers no party can see or end (review M3): they would match
	 * on, answered to nobody. Refused rather than dropped: they were
	 * acknowledged (as a file past the bounds is refused above), and the
	 * operator chooses (li.x1.cctf_id set again: the CC-TF ends them) */
	for (unsigned int i = 0; li->cctf_id[0] == '\0' && i < li->ntasks; i++) {
		if (cp_li_task_is_trigger(li->tasks[i])) {
			snprintf(err, errlen, "li store %s holds the CC-TF's triggers and "
				 "li.x1.cctf_id is not set: set it again (the CC-TF sees and "
				 "deactivates them) rather than keep triggers no one answers for",
				 conf->store);
			rc = -EINVAL;
			goto fail_load;
		}
	}
	return li;
fail_load:
	cp_li_close(li);
	errno = -rc;
	return NULL;
fail_store:
	free(li);
	errno = -rc;
	return NULL;
}

void
cp_li_close(struct cp_li *li)
{
	if (li == NULL)
		return;
	while (li->ntasks > 0)
		cp_li_task_drop(li, li->ntasks - 1);
	cp_li_store_close(li->store);
	cp_li_index_free(li);
	explicit_bzero(li, sizeof(*li));
	free(li);
}

void
cp_li_set_schema(struct cp_li *li, const struct x1_schema *schema)
{
	li->schema = schema;
}
