/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/session (session.h): the array of sessions by slot, and the one way
 * a transport's wake-up reaches a connection's owner.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "session.h"
#include "tls.h"

int
session_worker_init(struct dp_worker *w, uint32_t max_conns)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct session_worker *sw;

	if (w->session != NULL)
		return max_conns > w->session->max ? -EINVAL : 0;
	sw = rte_zmalloc_socket("session", sizeof(*sw), 64, socket);
	if (sw == NULL)
		return -ENOMEM;
	sw->s = rte_zmalloc_socket("sessions", (size_t)(max_conns ? max_conns : 1u) *
				   sizeof(*sw->s), 64, socket);
	if (sw->s == NULL) {
		rte_free(sw);
		return -ENOMEM;
	}
	sw->max = max_conns;
	w->session = sw;
	return 0;
}

void
session_worker_free(struct dp_worker *w)
{
	struct session_worker *sw = w->session;

	if (sw == NULL)
		return;
	rte_free(sw->s);
	rte_free(sw);
	w->session = NULL;
}

struct dp_session *
session_open(struct dp_worker *w, uint64_t id, const struct dp_xprt_ops *xp,
	     const struct dp_session_ops *ops, void *arg)
{
	struct session_worker *sw = w->session;
	uint32_t slot = ipc_conn_slot(id);
	struct dp_session *s;

	if (sw == NULL || id == 0 || slot >= sw->max || xp == NULL)
		return NULL;
	s = &sw->s[slot];
	if (s->id != 0 && s->id != id)
		sw->ctr[SESSION_CTR_REPLACED]++;
	s->id = id;
	s->xp = xp;
	s->ops = ops;
	s->arg = arg;
	sw->ctr[SESSION_CTR_OPENED]++;
	xp->subscribe(w, id, session_wake, s);
	return s;
}

int
session_move(struct dp_worker *w, uint64_t id, const struct dp_session_ops *ops, void *arg)
{
	struct dp_session *s = session_of(w, id);

	if (s == NULL)
		return -ENOTCONN;
	s->ops = ops;
	s->arg = arg;
	w->session->ctr[SESSION_CTR_MOVED]++;
	return 0;
}

void
session_close(struct dp_worker *w, uint64_t id)
{
	struct dp_session *s = session_of(w, id);

	if (s == NULL)
		return;
	s->xp->subscribe(w, id, NULL, NULL);
	memset(s, 0, sizeof(*s));
	w->session->ctr[SESSION_CTR_CLOSED]++;
}

void
session_wake(struct dp_worker *w, uint64_t id, void *arg)
{
	struct dp_session *s = arg;
	struct session_worker *sw = w->session;

	if (s == NULL || s->id != id || s->ops == NULL || s->ops->ready == NULL) {
		if (sw != NULL)
			sw->ctr[SESSION_CTR_WAKE_STALE]++;
		return;
	}
	sw->ctr[SESSION_CTR_WOKEN]++;
	s->ops->ready(w, id, s->arg);
}

/* ---- counters for cp (dp_ctrs.h): the worker's sessions, w->session ---- */

static const struct dp_ctrs_desc session_desc[SESSION_CTR__COUNT] = {
#define SESSION_CTR(e, n, h) [SESSION_CTR_##e] = { n, DP_CTRS_COUNTER, h },
#include "session_counters.def"
#undef SESSION_CTR
};

static void
session_values(const struct dp_worker *w, uint64_t *out)
{
	for (unsigned int k = 0; k < SESSION_CTR__COUNT; k++)
		out[k] = w->session != NULL ? w->session->ctr[k] : 0;
}

const struct dp_ctrs_family session_ctrs = {
	.name = "session", .prefix = "session_",
	.help = "Stream connections' sessions (dp/session, session_counters.def): opened, "
		"moved, closed, the transport's wake-ups",
	.desc = session_desc, .n = SESSION_CTR__COUNT, .values = session_values,
};

static const struct dp_ctrs_family *const session_families[] = { &session_ctrs, NULL };

const struct dp_module session_module = {
	.name = "session",
	.ctrs = session_families,
};
