/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/li as a module of turnpike-dp (dp_module.h; issue 70 slice 4): with
 * an li group (its x2x3 pair and CA), a ring of copies a worker
 * (li_dp_types.h, on the worker's socket) and the delivery thread tp-li
 * (li_tp.c) started over them; the counters "li" (li_counters.def), which
 * say what was lost and why, never for whom; a statistics line per
 * worker with the same. Without the group: nothing made, every worker's
 * li NULL.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "../dp.h"
#include "../dp_cp.h"
#include "../dp_ctrs.h"
#include "../dp_module.h"
#include "li_dp.h"
#include "li_st.h"
#include "li_tp.h"
#include "tp_log.h"

static const struct dp_ctrs_desc li_desc[LI_CTR__COUNT] = {
#define LI_CTR(e, n, h) [LI_CTR_##e] = { n, DP_CTRS_COUNTER, h },
#include "li_counters.def"
#undef LI_CTR
};

/* w's: its ring's counters, and on worker 0 tp-li's. */
static void
li_values(const struct dp_worker *w, uint64_t *out)
{
	const struct li_ctx *lc = w->ctx->li;

	memset(out, 0, LI_CTR__COUNT * sizeof(*out));
	if (w->li != NULL)
		for (unsigned int k = 0; k < LI_CTR_WORKER_N; k++)
			out[k] = w->li->ctr[k];
	if (w->id == 0 && lc != NULL)
		for (unsigned int k = LI_CTR_WORKER_N; k < LI_CTR__COUNT; k++)
			out[k] = __atomic_load_n(&lc->ctr[k], __ATOMIC_RELAXED);
}

const struct dp_ctrs_family li_dp_ctrs = {
	.name = "li", .prefix = "li_",
	.help = "Lawful interception's copies lost, by why (li_counters.def); never by task",
	.desc = li_desc, .n = LI_CTR__COUNT, .values = li_values,
};

static const struct dp_ctrs_family *const li_families[] = { &li_dp_ctrs, NULL };

static int
li_check(const struct tp_conf *conf)
{
	if (!conf->li.enabled)
		return 0;
	return li_tp_check(conf->li.x2x3.cert, conf->li.x2x3.key, conf->li.x2x3.ca);
}

static void li_fini(struct dp_ctx *ctx);

/*
 * cp's LI_X2 (an X2 event of a session this worker holds, or held), on
 * the worker's loop: the event into the worker's ring of copies, so that
 * tp-li writes it in order with the session's X3 copies and on the same
 * connections. ipc_msg_check() saw it whole (len within the message,
 * 1..IPC_LI_DESTS destinations). A full ring drops it, counted
 * (dropped_ring_full): the worker never waits. Nothing of it is logged.
 */
_Static_assert(IPC_LI_X2_MAX <= LI_PAYLOAD_MAX, "an X2 event fits a slot of the ring");

static void
li_x2_put(struct dp_worker *w, const struct ipc_msg *msg)
{
	const struct ipc_li_x2 *x = (const struct ipc_li_x2 *)(const void *)msg->body;
	struct li_copy *c;

	if (w->li == NULL || (c = li_ring_reserve(w->li, x->len, LI_COPY_X2)) == NULL)
		return;
	memset(c, 0, sizeof(*c));
	c->kind = LI_COPY_X2;
	memcpy(c->xid, x->xid, sizeof(c->xid));
	c->correlation = x->correlation;
	c->seq = x->seq;
	c->ts_sec = x->ts_sec;
	c->ts_nsec = x->ts_nsec;
	c->len = x->len;
	c->dir = x->dir;
	c->ndest = x->ndest;
	memcpy(c->dest, x->dest, sizeof(c->dest));
	memcpy(c + 1, x->payload, x->len);
	li_ring_commit(w->li);
}

/*
 * Worker 0's turn (each pass while cp is linked): tp-li's delivery
 * figures (li_st.c's outbox) to cp as LI_STATUS, while the ring keeps
 * DP_CP_HEADROOM free and cp serves. Worker 0 sends them because lib/ipc's
 * rings take one producer, and its ring to cp is its own; tp-li never
 * writes there. A new cp (another epoch) is told every destination's
 * state again. Returns messages sent.
 */
static unsigned int
li_sweep(struct dp_worker *w, uint64_t tsc)
{
	struct li_ctx *lc = w->ctx->li;
	const struct ipc_shm *shm = w->ctx->ipc.shm;
	static _Thread_local struct ipc_msg msg;
	unsigned int n = 0;
	uint64_t epoch;

	(void)tsc;
	if (w->id != 0 || lc == NULL || w->cp.rings == NULL || shm == NULL ||
	    !ipc_cp_serving(shm, w->now_ms))
		return 0;
	epoch = __atomic_load_n(&shm->cp_epoch, __ATOMIC_ACQUIRE);
	if (epoch != lc->st.epoch) {
		lc->st.epoch = epoch;
		li_st_resend(lc);
	}
	while (dp_cp_room(w, DP_CP_HEADROOM) && li_st_peek(lc, &msg)) {
		if (dp_cp_send(w, &msg) != 0)
			break;
		li_st_drained(lc);
		n++;
	}
	memset(msg.body, 0, sizeof(struct ipc_li_status));
	if (n > 0) {
		w->cp.ipc_out += n;
		dp_cp_wake(w);
	}
	return n;
}

/* The worker's ring, tp-li stopped first (it reads every ring). */
static void
ring_free(struct dp_worker *w)
{
	if (w->li == NULL)
		return;
	li_fini(w->ctx);
	if (w->li->slots != NULL) {
		explicit_bzero(w->li->slots, (size_t)LI_RING_SLOTS * LI_SLOT_SIZE);
		rte_free(w->li->slots);
	}
	rte_free(w->li);
	w->li = NULL;
}

static int
li_setup(struct dp_ctx *ctx)
{
	const struct tp_conf_li *l = &ctx->conf->li;
	int rc;

	if (!l->enabled)
		return 0;
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];
		int socket = (int)rte_lcore_to_socket_id(w->lcore);

		w->li = rte_zmalloc_socket("li_ring", sizeof(*w->li), RTE_CACHE_LINE_SIZE, socket);
		if (w->li != NULL)
			w->li->slots = rte_zmalloc_socket("li_slots",
				(size_t)LI_RING_SLOTS * LI_SLOT_SIZE, RTE_CACHE_LINE_SIZE, socket);
		if (w->li == NULL || w->li->slots == NULL) {
			tp_log(TP_LOG_ERR, "worker %u: no memory for lawful interception's ring "
			       "(%u KiB)\n", i, LI_RING_SLOTS * LI_SLOT_SIZE / 1024u);
			return -ENOMEM;
		}
	}
	ctx->li = rte_zmalloc("li_ctx", sizeof(*ctx->li), RTE_CACHE_LINE_SIZE);
	if (ctx->li == NULL)
		return -ENOMEM;
	ctx->li->ka_ms = l->x2x3.keepalive_s * 1000u;
	ctx->li->timeout_ms = l->x2x3.timeout_s * 1000u;
	if ((rc = dp_cp_on_kind(ctx, IPC_LI_X2, li_x2_put)) < 0) {
		rte_free(ctx->li);
		ctx->li = NULL;
		return rc;
	}
	rc = li_tp_start(ctx->li, ctx, l->x2x3.cert, l->x2x3.key, l->x2x3.ca);
	if (rc < 0) {
		rte_free(ctx->li);
		ctx->li = NULL;
		return rc;
	}
	tp_log(TP_LOG_INFO, "li: tp-li delivers X2 and X3 with %s (mediation functions checked "
	       "against %s)\n", l->x2x3.cert, l->x2x3.ca);
	return 1;
}

static void
li_print(const struct dp_worker *w, FILE *out)
{
	uint64_t v[LI_CTR__COUNT];

	if (w->li == NULL)
		return;
	li_values(w, v);
	fprintf(out, "li worker=%u", w->id);
	for (unsigned int k = 0; k < LI_CTR__COUNT; k++)
		if (k < LI_CTR_WORKER_N || w->id == 0)
			fprintf(out, " %s=%" PRIu64, li_desc[k].name, v[k]);
	fputc('\n', out);
}

static void
li_fini(struct dp_ctx *ctx)
{
	if (ctx->li == NULL)
		return;
	li_tp_stop(ctx->li);
	rte_free(ctx->li);
	ctx->li = NULL;
}

const struct dp_module li_dp_module = {
	.name = "li",
	.check = li_check,
	.setup = li_setup,
	.ctrs = li_families,
	.sweep = li_sweep,
	.print = li_print,
	.free = ring_free,
	.fini = li_fini,
};
