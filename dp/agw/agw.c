/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw (agw.h): the access gateway's contexts in a worker. This file
 * has a worker's set-up, its end and its poll (the setup deadlines, the
 * events' flush); the others, by concern, are listed in agw_private.h.
 *
 * A context lives in the slot its id names (cp chose it: ids have the
 * connection ids' layout, worker | slot | generation), with its two
 * terminations as cp sent them and a splice (dp/splice) of its two legs.
 * dp/tcp's application here ("agw") listens on this worker's share of
 * agw.ports: a connection to a port belongs to the context whose server
 * termination has that port (port_slot[]), on the address it names, from
 * the peer it names if it names one; anything else is refused (RST) and
 * counted. A plain server leg is taken by the first such connection (cp
 * allows one without a peer only when the controller said accept_any). A
 * TLS server leg is taken only by a connection that proved to be the
 * signalled peer: see agw_cand.c. A client termination connects when
 * the context is installed. Each leg's transport is dp/tls's
 * (tls_conn_start(): raw, or TLS in the termination's role with the
 * signalled fingerprints); dp/tcp's and dp/tls's callbacks go to the
 * splice.
 *
 * A slot may be empty (its term's tcp_role 0): a context made with one
 * termination, or one whose termination was subtracted (AGW_MOD SUB_LEG).
 * The splice sees an empty slot as a leg not up: the other leg's bytes are
 * held up to agw.hold, then it is not read; a termination that joins the
 * slot later (ADD_LEG) gets them once it is up. Each leg has its own setup
 * deadline, from when it was installed.
 *
 * Events go to cp in the order they happen, through a backlog that is
 * flushed from the worker loop when the ring to cp has room beyond what
 * requests need (TURN's sweeps' rule). A context sends at most five
 * (two LEG_UP, two LEG_DOWN, RELEASED) plus two (LEG_UP, SUBTRACTED) per
 * termination added later: the backlog holds eight per context slot, so
 * only a cp gone for a long time while contexts churn can fill it (then
 * events_lost counts).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "agw.h"
#include "agw_private.h"
#include "dp.h"
#include "dp_cp.h"
#include "dp_tcp.h"
#include "ipc.h"
#include "session.h"
#include "splice.h"
#include "steer.h"
#include "tcp.h"
#include "tls.h"
#include "tp_conf.h"
#include "tw.h"

/* Events kept per context slot (a context sends at most five). */
#define AGW_EV_PER_CTX 8u
/* Setup deadlines are looked at this often. */
#define AGW_SCAN_MS 50u

/* ---- the worker loop ----------------------------------------------------------- */

unsigned int
agw_poll(struct dp_worker *w, uint64_t now_ms)
{
	struct agw_worker *a = w->agw;
	unsigned int n = 0;

	if (a == NULL)
		return 0;
	if (now_ms >= a->scan_ms + AGW_SCAN_MS && a->nctx > 0) {
		a->scan_ms = now_ms;
		for (uint32_t s = 0; s < a->max; s++) {
			struct agw_ctx *c = &a->ctx[s];
			bool late = false;

			if (c->id == 0)
				continue;
			if (c->ncand[0] + c->ncand[1] > 0)
				agw_cand_expire(w, c, now_ms);
			for (unsigned int i = 0; i < 2; i++)
				if (c->due_ms[i] != 0 && now_ms >= c->due_ms[i]) {
					c->due_ms[i] = 0;
					late = late || !c->up[i];
				}
			if (!late)
				continue;
			a->ctr[AGW_CTR_SETUP_TIMEOUT]++;
			splice_release(w, &c->sp, SPLICE_CAUSE_EXPIRED);
			n++;
		}
	}
	return n + agw_ev_flush(w);
}

/* ---- set-up ------------------------------------------------------------------- */

static const struct dp_tcp_mod agw_mod = {
	.name = "agw", .cls = DP_TCP_MOD_OWNER, .poll = agw_poll, .free = agw_free,
};

int
agw_init(struct dp_worker *w)
{
	const struct tp_conf *conf = w->ctx->conf;
	const struct tp_conf_agw *ca = &conf->agw;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct agw_worker *a;
	uint32_t ev_cap;
	char err[512];
	int rc;

	if (!ca->enabled || w->tcp == NULL)
		return 0;
	if (dp_cp_on_kind(w->ctx, IPC_AGW_ADD, agw_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_AGW_MOD, agw_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_AGW_DEL, agw_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_AGW_TAP, agw_li_apply) < 0 ||
	    dp_cp_on_sync(w->ctx, agw_sync_start, agw_state_step) < 0) {
		tp_log(TP_LOG_ERR, "internal error: the gateway's messages from cp\n");
		return -EINVAL;
	}
	a = rte_zmalloc_socket("agw", sizeof(*a), 64, socket);
	if (a == NULL)
		goto nomem;
	w->agw = a;
	(void)dp_tcp_mod_add(w, &agw_mod);
	w->splice = &a->splice;
	a->max = ca->max_contexts;
	a->hold = ca->hold_bytes;
	a->setup_ms = ca->setup_timeout_s * 1000u;
	if (steer_relay_share(ca->port_min, ca->port_max, w->ctx->nworkers, w->id,
			      &a->port_lo, &a->port_hi))
		a->nports = (uint32_t)a->port_hi - a->port_lo + 1u;
	ev_cap = 64;
	while (ev_cap < AGW_EV_PER_CTX * a->max)
		ev_cap <<= 1;
	a->ctx = rte_zmalloc_socket("agw_ctx", (size_t)a->max * sizeof(*a->ctx), 64, socket);
	a->port_slot = rte_zmalloc_socket("agw_ports", (size_t)(a->nports + 1u) *
					  sizeof(*a->port_slot), 64, socket);
	a->ev_mem = rte_zmalloc_socket("agw_ev", ipc_backlog_size(ev_cap,
					sizeof(struct ipc_agw_event), false), 64, socket);
	if (a->ctx == NULL || a->port_slot == NULL || a->ev_mem == NULL ||
	    ipc_backlog_setup(&a->ev, a->ev_mem, ev_cap, sizeof(struct ipc_agw_event),
			      false) < 0)
		goto nomem;
	if ((rc = session_worker_init(w, conf->dp.tcp_max_conns)) < 0)
		goto nomem;
	if (conf->tls.enabled) {
		rc = tls_worker_init(w, conf, conf->dp.tcp_max_conns);
		if (rc < 0)
			return rc;
		a->tls = true;
		for (unsigned int k = 0; k < ca->ncerts; k++) {
			a->cred[k + 1] = tls_cred_load(ca->certs[k].certificate,
						       ca->certs[k].private_key, err, sizeof(err));
			if (a->cred[k + 1] == NULL) {
				tp_log(TP_LOG_ERR, "%s:%d: agw.certificates '%s': %s\n", conf->path,
				       ca->certs[k].line, ca->certs[k].name, err);
				return -EINVAL;
			}
			a->ncred = k + 1;
			tls_leg_cred_expiry(w, a->cred[k + 1]);
		}
	}
	a->app = tcp_app_register(w->tcp, &agw_tcp_ops);
	if (a->app < 0) {
		tp_log(TP_LOG_ERR, "worker %u: no room for the AGW's TCP application\n", w->id);
		return a->app;
	}
	if ((rc = dp_tcp_use(w, a->app, DP_TCP_USE_AGW)) < 0)
		return rc;
	if (a->nports > 0) {
		rc = tcp_listen_range(w->tcp, 0, a->port_lo, a->port_hi, a->app, w);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "%s:%d: agw.ports: worker %u cannot listen on %u-%u: "
			       "%s\n", conf->path, ca->line, w->id, a->port_lo, a->port_hi,
			       rc == -EADDRINUSE ? "a port is taken" : strerror(-rc));
			return rc;
		}
	}
	return 0;
nomem:
	tp_log(TP_LOG_ERR, "worker %u: no memory for %u AGW contexts (agw.max_contexts)\n",
	       w->id, ca->max_contexts);
	return -ENOMEM;
}

void
agw_free(struct dp_worker *w)
{
	struct agw_worker *a = w->agw;

	if (a == NULL)
		return;
	for (unsigned int k = 1; k <= a->ncred; k++)
		tls_cred_free(a->cred[k]);
	if (a->ctx != NULL)
		for (uint32_t s = 0; s < a->max; s++) {
			if (w->tcp_wheel != NULL) {
				tw_del(w->tcp_wheel, &a->ctx[s].pol[0].t);
				tw_del(w->tcp_wheel, &a->ctx[s].pol[1].t);
			}
			/* (the connections go with the stack; held bytes here) */
			rte_pktmbuf_free(a->ctx[s].sp.leg[0].pend);
			rte_pktmbuf_free(a->ctx[s].sp.leg[1].pend);
		}
	agw_li_free(a);
	rte_free(a->ctx);
	rte_free(a->port_slot);
	rte_free(a->ev_mem);
	rte_free(a);
	w->agw = NULL;
	w->splice = NULL;
}
