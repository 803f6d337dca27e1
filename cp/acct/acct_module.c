/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/acct as a module of turnpike-cp: the records' file made from the
 * accounting group, reopened on reload; an observer of cp/alloc's
 * allocations (acct_hooks.c) and of cp/agw's contexts; each loop turn,
 * the records that waited for dp's last counters and, once a second, the
 * interim ones; an AGW context's RELEASED makes one at once (the event
 * has both legs' bytes), and an RTP termination's SUBTRACTED one of its
 * own (cp_acct_rtp_rec()). Its counters as status and the metrics show
 * them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>
#include <unistd.h>

#include "acct.h"
#include "cluster/cluster.h"
#include "cp.h"
#include "cp_module.h"
#include "tp_conf.h"

#define ACCT_SCAN_MS        1000u
#define ACCT_PRUNE_MS       (3600u * 1000u)

/* The counters status and the metrics show (acct_ctrs.def): not every one
 * of cp_acct's, under the names they are published by. */
static const struct cp_ctrs_desc acct_desc[] = {
#define ACCT_CTR(e, n) { n, CP_CTRS_COUNTER, 0, NULL },
#include "acct_ctrs.def"
#undef ACCT_CTR
};

/* (zeros without an accounting group) */
static void
acct_values(const struct cp_ctx *cp, uint64_t *out)
{
	static const enum cp_acct_stat idx[] = {
#define ACCT_CTR(e, n) CP_ACCT_STAT_##e,
#include "acct_ctrs.def"
#undef ACCT_CTR
	};

	for (size_t i = 0; cp->acct != NULL && i < sizeof(idx) / sizeof(idx[0]); i++)
		out[i] = cp->acct->stats[idx[i]];
}

static const struct cp_ctrs_family acct_ctrs = {
	.name = "acct",
	.prefix = "acct_",
	.metric = "turnpike_cp_",
	.rank = CP_METRICS_RELAYED + 1,
	.desc = acct_desc,
	.n = sizeof(acct_desc) / sizeof(acct_desc[0]),
	.values = acct_values,
};

static unsigned int
acct_step(struct cp_ctx *cp)
{
	struct cp_acct *acct = cp->acct;
	unsigned int n = 0;

	if (acct == NULL)
		return 0;
	if (acct->pending != NULL)
		n += cp_acct_flush_due(cp, false);
	if (acct->stream_on)
		n += cp_acct_stream_step(cp);
	if (cp->now_ms >= acct->next_interim_ms) {
		uint64_t last = acct->next_interim_ms - ACCT_SCAN_MS;

		if (acct->interim_s > 0 && acct->next_interim_ms != 0)
			n += cp_acct_interim_scan(cp, last);
		acct->next_interim_ms = cp->now_ms + ACCT_SCAN_MS;
	}
	if (cp->now_ms >= acct->next_prune_ms) {
		cp_acct_prune(acct, time(NULL));
		acct->next_prune_ms = cp->now_ms + ACCT_PRUNE_MS;
	}
	return n;
}

/* An AGW context's end: its RELEASED event has both legs' bytes. */
static void
agw_event(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *ev, void *arg)
{
	const struct ipc_agw_event *e = ev;
	struct cp_acct_rec r;

	(void)arg;
	if (cp->acct == NULL || e->type != IPC_AGW_EV_RELEASED)
		return;
	memset(&r, 0, sizeof(r));
	r.type = CP_ACCT_STOP;
	r.kind = CP_ACCT_AGW;
	r.session = c->id;
	r.reason = CP_ACCT_R_AGW;
	r.exact = true;
	r.door = c->door;
	snprintf(r.user, sizeof(r.user), "%s", c->label);
	snprintf(r.tenant, sizeof(r.tenant), "%s", tp_conf_tenant_name(cp->conf, c->tenant));
	snprintf(r.cause, sizeof(r.cause), "%s", ipc_agw_cause_name(e->cause));
	r.start_ms = c->created_wall_ms;
	r.end_ms = cp->wall_ms;
	for (unsigned int i = 0; i < 2; i++) {
		r.leg_local[i] = c->tcp.leg_local[i];
		r.leg_remote[i] = c->tcp.leg_remote[i];
		r.leg_tls[i] = c->tcp.tls_version[i];
		r.leg_in[i] = e->bytes_in[i];
		r.leg_out[i] = e->bytes_out[i];
	}
	/* leg 0 is the client's side (the UE's) */
	r.bytes_from_client = e->bytes_in[0];
	r.bytes_to_client = e->bytes_out[0];
	(void)cp_acct_write(cp->acct, &r);
}

/* An RTP context's end (RELEASED: its terminations' last figures) or one
 * termination's (SUBTRACTED: the context lives on, or ends next with
 * what is left): a record each, so none is counted twice or lost. */
static void
agw_rtp_event(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *ev, void *arg)
{
	const struct ipc_rtp_event *e = ev;
	const struct cp_agw_ctx *owner = NULL;
	struct cp_acct_rec r;

	(void)arg;
	if (cp->acct == NULL)
		return;
	/* a BUNDLE member's transport is its owner's (cp/ng releases the
	 * members first: the owner is still there) */
	for (unsigned int i = 0; i < 2 && owner == NULL; i++)
		if (c->rtp.term[i].bundle.role == IPC_RTP_BUNDLE_MEMBER) {
			const struct cp_agw_caller who = { .door = c->door, .tenant = c->tenant };

			owner = cp_agw_lookup(cp, &who, c->rtp.term[i].bundle.owner);
		}
	if (!cp_acct_rtp_rec(&r, c, owner, e, tp_conf_tenant_name(cp->conf, c->tenant),
			     cp->wall_ms))
		return;
	(void)cp_acct_write(cp->acct, &r);
}

static int
acct_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_acct *c = &cp->conf->acct;
	uint32_t uid = (uint32_t)geteuid(), gid = (uint32_t)getegid();
	char boot[37];
	int rc;

	if (!c->enabled)
		return 0;
	if (c->spool[0] != '\0') {
		struct stat st;
		int e = stat(c->spool, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

		if (e != 0) {
			snprintf(err, errlen, "%s:%d: accounting.spool '%s': %s (make the "
				 "folder, writable by cp.user)", cp->conf->path, c->spool_line,
				 c->spool, strerror(e));
			return -EINVAL;
		}
	}
	/* (the files are cp.user's: cp is still root here, and cp's user
	 * writes their folders: acct_open.c) */
	if (cp->conf->cp.user[0] != '\0') {
		uid = cp->conf->cp.user_uid;
		gid = cp->conf->cp.user_gid;
	}
	cp->acct = cp_acct_create(c, uid, gid, err, errlen);
	if (cp->acct == NULL)
		return -errno;
	/* (the boot in the records' ids: allocation ids and the monotonic
	 * clock start again at boot) */
	if ((rc = cp_acct_boot_id(boot)) < 0)
		tp_log(TP_LOG_WARNING, "accounting: cannot read the kernel's boot id "
		       "(/proc/sys/kernel/random/boot_id): %s: a record's id may repeat one "
		       "of a boot before\n", strerror(-rc));
	cp_acct_ident(cp->acct->ident, sizeof(cp->acct->ident), boot, cp->conf->ipc.name,
		      cp->conf->cluster.enabled ? cp->conf->cluster.box : "");
	/* what a killed cp left waiting: written once dp's report of it
	 * comes (the rings, dp's backlog), or in 5 s with what it had */
	if (c->spool[0] != '\0' &&
	    (rc = cp_acct_journal_open(cp->acct, c->spool, cp->now_ms + 5000u)) < 0 &&
	    cp->acct->why[0] != '\0') {
		snprintf(err, errlen, "accounting: %s", cp->acct->why);
		cp_acct_free(cp->acct);
		cp->acct = NULL;
		return rc;
	}
	if (c->stream[0] != '\0' &&
	    cp_cluster_key(cp, c->stream, cp->acct->stream_key,
			   sizeof(cp->acct->stream_key)) < 0) {
		snprintf(err, errlen, "%s:%d: accounting.stream needs the cluster (its Redis)",
			 cp->conf->path, c->line);
		cp_acct_free(cp->acct);
		cp->acct = NULL;
		return -EINVAL;
	}
	if (cp->conf->agw.enabled &&
	    (rc = cp_agw_observe(cp, CP_AGW_KIND_TCP, agw_event, NULL)) < 0) {
		snprintf(err, errlen, "accounting: cannot observe AGW contexts: %s",
			 strerror(-rc));
		cp_acct_free(cp->acct);
		cp->acct = NULL;
		return rc;
	}
	/* (-ENODEV: no agw.media_ports, no RTP contexts to follow) */
	if (cp->conf->agw.enabled &&
	    (rc = cp_agw_observe(cp, CP_AGW_KIND_RTP, agw_rtp_event, NULL)) < 0 && rc != -ENODEV) {
		snprintf(err, errlen, "accounting: cannot observe AGW RTP contexts: %s",
			 strerror(-rc));
		cp_acct_free(cp->acct);
		cp->acct = NULL;
		return rc;
	}
	if ((rc = cp_alloc_observe(cp, cp_acct_alloc_event, NULL)) < 0) {
		snprintf(err, errlen, "accounting: cannot observe allocations: %s",
			 strerror(-rc));
		cp_acct_free(cp->acct);
		cp->acct = NULL;
		return rc;
	}
	tp_log(TP_LOG_INFO, "accounting: records to %s (interim %u s, retention %u days)\n",
	       c->file, c->interim_s, c->retention_days);
	return 0;
}

/* What waits is written with what cp has (a record a little short beats
 * none): marked not exact unless dp's last counters came. */
static void
acct_fini(struct cp_ctx *cp)
{
	if (cp->acct == NULL)
		return;
	cp_alloc_unobserve(cp, cp_acct_alloc_event, NULL);
	cp_acct_flush_due(cp, true);
	cp_acct_free(cp->acct);
	cp->acct = NULL;
}

/* A reload: the records' file opened again (logrotate moved it) and the
 * accounting group's settings taken. One that cannot be opened is logged
 * and counted; records are tried again as they come. (A group there in
 * one file and not the other needs a restart: tp_conf_restart_diff().) */
static void
acct_reload_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	int k;

	if (!cp->conf->acct.enabled || !next->acct.enabled)
		return;
	k = cp_acct_reload(cp, &next->acct);
	if (k < 0)
		cp_reload_say(r, false, "accounting.file %s reopened: it cannot be opened (%s); "
			      "records %s until it can", next->acct.file, strerror(-k),
			      next->acct.spool[0] != '\0' ? "wait in the spool" :
			      "are counted as lost");
	else
		cp_reload_say(r, false, "accounting.file %s reopened", next->acct.file);
	cp->conf->acct = next->acct;
}

static const struct cp_module_reload acct_reload = {
	.apply = acct_reload_apply,
};

const struct cp_module cp_acct_module = {
	.name = "acct",
	.setup = acct_setup,
	.fini = acct_fini,
	.step = acct_step,
	.ctrs = &acct_ctrs,
	.reload = &acct_reload,
};
