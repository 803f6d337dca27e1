/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li as a module of turnpike-cp (issue 70): with an li group, the
 * tasks and destinations read back from their file (li.store, or li.db in
 * cp.store's folder), checked as cp/store checks the user store's place
 * (cp_store_path_check(): owned by cp.user, writable by no one else), and
 * ETSI's schemas loaded from li.x1.schemas when named, and the X1 door
 * (li_http.c: HTTPS with mutual TLS on li.x1.listen) opened and served
 * from the loop. It logs what the operator configured (the file, the schemas' versions) and
 * never a task: no status part, no metric, no command.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cp.h"
#include "cp_dp.h"
#include "cp_module.h"
#include "ipc_types.h"
#include "iq/iq.h"
#include "li.h"
#include "li_agw_taps.h"
#include "li_http.h"
#include "li_rtp_taps.h"
#include "li_taps.h"
#include "li_x2_cp.h"
#include "x1.h"

/* li.store, or li.db beside cp.store, into out (TP_CONF_PATH_LEN). */
static int
store_path(const struct tp_conf *conf, char *out, size_t outlen)
{
	const char *slash;

	if (conf->li.store[0] != '\0')
		return snprintf(out, outlen, "%s", conf->li.store) < (int)outlen ? 0 : -ENAMETOOLONG;
	slash = strrchr(conf->cp.store, '/');
	if (slash == NULL)
		return -EINVAL;   /* cp.store "none": lib/conf asked for li.store */
	return snprintf(out, outlen, "%.*s/li.db", (int)(slash - conf->cp.store),
			conf->cp.store) < (int)outlen ? 0 : -ENAMETOOLONG;
}

static void
li_fini(struct cp_ctx *cp)
{
	cp_li_x2_close(cp);
	cp_li_taps_close(cp);
	cp_li_rtp_taps_close(cp);
	cp_li_agw_taps_close(cp);
	cp_li_http_close(cp->li_http);
	cp->li_http = NULL;
	cp_li_close(cp->li);
	cp->li = NULL;
	x1_schema_free(cp->li_schema);
	cp->li_schema = NULL;
}

/* dp's delivery figures (LI_STATUS, worker 0's, checked whole by
 * ipc_msg_check()): kept for X1's answers, never logged (li_status.c). */
static void
li_status_msg(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	(void)w;
	if (cp->li != NULL)
		cp_li_status_take(cp->li, (const struct ipc_li_status *)(const void *)msg->body);
}

/* A CC-TF's trigger names a context by the H248ContextID the Iq door
 * gave it (docs/design/li.md §2.7): a live RTP context of the Iq
 * association (its door, iq.tenant: the P-CSCF's own calls, never
 * another door's or tenant's). */
static int
t3_resolve(void *arg, uint32_t h248, uint64_t *ctx)
{
	*ctx = cp_iq_rtp_ctx_id(arg, h248);
	return *ctx != 0 ? 0 : -ENOENT;
}

static int
li_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf *conf = cp->conf;
	struct cp_li_conf lc = { .owner_uid = -1, .owner_gid = -1 };
	struct cp_li_http_conf hc;
	char path[TP_CONF_PATH_LEN], why[CP_LI_ERR_MAX];
	uid_t owner = geteuid();
	gid_t group = getegid();
	int rc;

	if (!conf->li.enabled)
		return 0;
	if ((rc = store_path(conf, path, sizeof(path))) < 0) {
		snprintf(err, errlen, "%s:%d: li: no place for its store (name li.store)",
			 conf->path, conf->li.line);
		return rc;
	}
	if (conf->cp.user[0] != '\0' && geteuid() == 0) {
		owner = (uid_t)conf->cp.user_uid;
		group = (gid_t)conf->cp.user_gid;
		lc.owner_uid = conf->cp.user_uid;
		lc.owner_gid = conf->cp.user_gid;
	}
	rc = cp_store_path_check(path, owner, group, true, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "li: %s (li.store in %s)", why, conf->path);
		return rc;
	}
	if (conf->li.x1.schemas[0] != '\0') {
		cp->li_schema = x1_schema_load(conf->li.x1.schemas);
		if (cp->li_schema == NULL) {
			rc = -errno;
			snprintf(err, errlen, "li.x1.schemas %s: %s (ETSI's TS_103_280.xsd, "
				 "TS_103_221_01_HashedID.xsd and TS_103_221_01.xsd)",
				 conf->li.x1.schemas, rc == -ENOENT ? "a module is missing" :
				 "the modules do not load");
			return rc;
		}
		tp_log(TP_LOG_INFO, "li: schemas %s loaded from %s\n",
		       x1_schema_versions(cp->li_schema), conf->li.x1.schemas);
	} else {
		tp_log(TP_LOG_WARNING, "li: li.x1.schemas is not set: X1 requests are checked "
		       "by turnpike's reader only, not against ETSI's schemas (TS 103 221-1 and "
		       "TS 103 280, published at forge.etsi.org, li/schemas-definitions)\n");
	}
	lc.ne_id = conf->li.ne_id;
	lc.admf_id = conf->li.x1.admf_id;
	lc.cctf_id = conf->li.x1.cctf_id;
	lc.store = path;
	lc.busy_ms = conf->cp.store_busy_ms;
	cp->li = cp_li_open(&lc, why, sizeof(why));
	if (cp->li == NULL) {
		rc = -errno;
		snprintf(err, errlen, "li: %s", why);
		li_fini(cp);
		return rc;
	}
	cp_li_set_schema(cp->li, cp->li_schema);
	cp->li->t3_resolve = t3_resolve;
	cp->li->t3_arg = cp;
	tp_log(TP_LOG_INFO, "li: store %s opened\n", path);
	hc.listen = conf->li.x1.listen;
	hc.cert = conf->li.x1.cert;
	hc.key = conf->li.x1.key;
	hc.client_ca = conf->li.x1.client_ca;
	hc.admf_id = conf->li.x1.admf_id;
	hc.cctf_id = conf->li.x1.cctf_id;
	cp->li_http = cp_li_http_open(cp->li, &hc, why, sizeof(why));
	if (cp->li_http == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s", why);
		li_fini(cp);
		return rc;
	}
	tp_log(TP_LOG_INFO, "li: X1 listening on %s\n", conf->li.x1.listen);
	if ((rc = cp_li_taps_open(cp)) < 0 || (rc = cp_li_x2_open(cp)) < 0) {
		snprintf(err, errlen, "li: cannot follow the allocations: %s", strerror(-rc));
		li_fini(cp);
		return rc;
	}
	if ((rc = cp_li_rtp_taps_open(cp)) < 0) {
		snprintf(err, errlen, "li: cannot follow the RTP contexts: %s", strerror(-rc));
		li_fini(cp);
		return rc;
	}
	if ((rc = cp_dp_on_kind(cp, IPC_LI_STATUS, li_status_msg)) < 0 && rc != -EEXIST) {
		snprintf(err, errlen, "li: cannot hear dp's delivery figures: %s", strerror(-rc));
		li_fini(cp);
		return rc;
	}
	if ((rc = cp_li_agw_taps_open(cp)) < 0) {
		snprintf(err, errlen, "li: cannot follow the gateway's TCP contexts: %s",
			 strerror(-rc));
		li_fini(cp);
		return rc;
	}
	return 0;
}

/* When there is work, and once a second for its connections' timeouts. */
static unsigned int
li_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	struct pollfd p;

	if (cp->li_http == NULL)
		return 0;
	p.fd = cp_li_http_fd(cp->li_http);
	p.events = POLLIN;
	if (poll(&p, 1, 0) > 0 || now_ms >= cp->li_due_ms)
		cp->li_due_ms = now_ms + cp_li_http_serve(cp->li_http);
	/* the taps after the X1 requests this turn answered; the ended
	 * allocations whose X2 waited for dp's last counters */
	return cp_li_taps_step(cp) + cp_li_rtp_taps_step(cp) + cp_li_agw_taps_step(cp) +
	       cp_li_x2_step(cp);
}

const struct cp_module cp_li_module = {
	.name = "li",
	.setup = li_setup,
	.fini = li_fini,
	.serve = li_serve,
};
