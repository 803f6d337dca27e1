/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/tls as a module of turnpike-cp: TLS in dp gets its ticket keys (made
 * now, a new one each period) and the store's external PSKs from cp, to
 * every worker from the loop (cp_tls_send()), and all of it again when
 * dp restarts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cp.h"
#include "cp_module.h"

static int
store_load_psk(void *arg, const struct cp_store_psk *p)
{
	struct cp_ctx *cp = arg;

	if (cp_tls_psk_set(&cp->tls, p->id, p->key, p->key_len, p->cipher) < 0)
		cp->store->bad_rows++;
	return 0;
}

/* dp restarted: its workers' ticket keys and PSKs went with it. */
static void
tls_dp_restart(struct cp_ctx *cp)
{
	cp_tls_resend(&cp->tls);
}

static int
tls_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	struct ipc_ring *rings[IPC_MAX_WORKERS];
	int rc;

	for (unsigned int w = 0; w < cp->nworkers; w++)
		rings[w] = &ipc_worker(&cp->seg, w)->to_dp;
	rc = cp_tls_init(&cp->tls, cp->conf->cp.tls_ticket_rotate_s, rings, cp->nworkers,
			 CP_RING_HEADROOM, ipc_monotonic_ms());
	if (rc < 0) {
		snprintf(err, errlen, "cannot make TLS ticket keys: %s", strerror(-rc));
		return rc;
	}
	if (cp->store != NULL) {
		uint64_t bad = cp->store->bad_rows;

		rc = cp_store_psk_list(cp->store, store_load_psk, cp);
		if (rc < 0) {
			snprintf(err, errlen, "%s", cp->store->err);
			cp_tls_fini(&cp->tls);
			return rc;
		}
		if (cp->store->bad_rows != bad)
			tp_log(TP_LOG_WARNING, "user store %s: %llu TLS PSK row(s) skipped "
			       "(malformed, or past %u)\n", cp->conf->cp.store,
			       (unsigned long long)(cp->store->bad_rows - bad), IPC_TLS_PSK_MAX);
	}
	tp_log(TP_LOG_INFO, "TLS: ticket keys rotate every %u s, %u external PSK(s)\n",
	       cp->conf->cp.tls_ticket_rotate_s, cp->tls.npsk);
	return 0;
}

/* Ticket keys: a new one each period, the set to every worker. */
static unsigned int
tls_step(struct cp_ctx *cp)
{
	unsigned int sent;

	if (cp_tls_tick(&cp->tls, cp->now_ms)) {
		cp->stats[CP_STAT_TLS_ROTATIONS]++;
		tp_log(TP_LOG_INFO, "TLS ticket keys rotated (generation %llu)\n",
		       (unsigned long long)cp->tls.set.generation);
	}
	sent = cp_tls_send(&cp->tls);
	cp->stats[CP_STAT_TLS_SENT] += sent;
	return sent;
}

static void
tls_fini(struct cp_ctx *cp)
{
	cp_tls_fini(&cp->tls);
}

const struct cp_module cp_tls_module = {
	.name = "tls",
	.setup = tls_setup,
	.fini = tls_fini,
	.on_dp_restart = tls_dp_restart,
	.step = tls_step,
};
