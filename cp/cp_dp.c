/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's side of its link to dp. From dp: the kind -> handler table and the
 * dp-restart hooks, both filled at start-up in the modules' order (alloc
 * and agw register their kinds from their inits; the module walk hooks
 * each descriptor's on_dp_restart, cp_module.h), and the resync every
 * module takes part in (a new cp's SYNC, each worker's STATE_DONE),
 * whichever modules the box has. What reaches cp_handle() passed
 * ipc_msg_check(IPC_DP2CP), so its kind is one of lib/ipc's, travels
 * this way, and indexes the table. To dp: cp_dp_send(), the one writer
 * of the rings to dp, which holds what dp will check to the same check
 * before it leaves.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "cp.h"
#include "cp_dp.h"
#include "ipc.h"

/* Each kind lib/ipc defines has its slot in the table. */
#define IPC_KIND(e, v, name, dir) \
	_Static_assert((v) < CP_DP_KINDS, "ipc kind " name " past CP_DP_KINDS");
#include "ipc_kinds.def"
#undef IPC_KIND

int
cp_dp_on_kind(struct cp_ctx *cp, uint16_t kind, cp_dp_fn fn)
{
	if (fn == NULL || kind >= CP_DP_KINDS || ipc_kind_dir(kind) != IPC_DP2CP)
		return -EINVAL;
	if (cp->dp.handler[kind] != NULL)
		return -EEXIST;
	cp->dp.handler[kind] = fn;
	return 0;
}

int
cp_dp_on_dp_restart(struct cp_ctx *cp, cp_dp_restart_fn fn)
{
	if (fn == NULL)
		return -EINVAL;
	if (cp->dp.nrestart >= CP_DP_RESTART_MAX)
		return -ENOSPC;
	cp->dp.restart[cp->dp.nrestart++] = fn;
	return 0;
}

int
cp_dp_tap(struct cp_ctx *cp, cp_dp_tap_fn sent, cp_dp_tap_fn seen, void *arg)
{
	if (sent == NULL && seen == NULL) {
		cp->dp.sent = cp->dp.seen = NULL;
		cp->dp.tap_arg = NULL;
		return 0;
	}
	if (cp->dp.sent != NULL || cp->dp.seen != NULL)
		return -EBUSY;
	cp->dp.sent = sent;
	cp->dp.seen = seen;
	cp->dp.tap_arg = arg;
	return 0;
}

void
cp_dp_restarted(struct cp_ctx *cp)
{
	for (unsigned int i = 0; i < cp->dp.nrestart; i++)
		cp->dp.restart[i](cp);
}

bool
cp_dp_room(const struct cp_ctx *cp, unsigned int w, unsigned int n, unsigned int headroom)
{
	return ipc_ring_count(&ipc_worker(&cp->seg, w)->to_dp) + n + headroom <=
	       IPC_RING_SLOTS;
}

int
cp_dp_send(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m, unsigned int headroom)
{
	int rc = 0;

	m->h.worker = (uint16_t)w;
	/* (what dp would refuse never leaves: lib/ipc's rules are dp's) */
	if (w >= cp->seg.nworkers || ipc_msg_check(m, IPC_CP2DP) != 0) {
		/* A fault of cp's, not of anything outside: said in the log (the
		 * first of each second), counted apart from the operator's
		 * counters, which stay what they were */
		if (cp->dp.refused++ == 0 || cp->now_ms >= cp->dp.refused_said_ms + 1000) {
			cp->dp.refused_said_ms = cp->now_ms;
			tp_log(TP_LOG_ERR, "turnpike-cp: a message of kind %u to dp worker %u "
			       "refused by lib/ipc's check before it left (%llu so far): a "
			       "fault of cp's\n", (unsigned int)m->h.kind, w,
			       (unsigned long long)cp->dp.refused);
		}
		rc = -EINVAL;
	} else if (headroom > 0 && !cp_dp_room(cp, w, 1, headroom)) {
		rc = -ENOBUFS;
	} else if (ipc_ring_enqueue(&ipc_worker(&cp->seg, w)->to_dp, m) != 0) {
		cp->stats[CP_STAT_IPC_FULL]++;
		rc = -ENOBUFS;
	} else if (cp->dp.sent != NULL) {
		cp->dp.sent(cp, cp->dp.tap_arg, w, m);
	}
	/* (keys: the ring holds its copy, ours goes) */
	explicit_bzero(m->body, m->h.body_len < sizeof(m->body) ? m->h.body_len : sizeof(m->body));
	return rc;
}

void
cp_request_state(struct cp_ctx *cp)
{
	static struct ipc_msg m;

	for (unsigned int w = 0; w < cp->nworkers && w < 64; w++) {
		if (!(cp->sync_unsent & (1ULL << w)))
			continue;
		memset(&m.h, 0, sizeof(m.h));
		m.h.kind = IPC_SYNC;
		/* dp puts it in its STATE_DONE: the answer names the question */
		m.h.alloc_id = cp->seg.shm->cp_epoch;
		if (cp_dp_send(cp, w, &m, 0) == 0)
			cp->sync_unsent &= ~(1ULL << w);
	}
}

/* The end of the pass this cp asked for (cp_request_state(): the SYNC
 * carried its epoch); one from a pass an earlier cp asked for says
 * nothing. */
static void
state_done(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	if (w < 64 && msg->h.alloc_id == cp->seg.shm->cp_epoch)
		cp->state_wait &= ~(1ULL << w);
}

void
cp_handle(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	cp_dp_fn fn = msg->h.kind < CP_DP_KINDS ? cp->dp.handler[msg->h.kind] : NULL;

	/* The end of a worker's answer, whatever modules answered: cp_dp's
	 * own (a module may look at it too) */
	if (msg->h.kind == IPC_STATE_DONE) {
		state_done(cp, w, msg);
		if (fn == NULL)
			return;
	}
	if (fn == NULL) {
		cp->stats[CP_STAT_IPC_UNHANDLED]++;
		return;
	}
	fn(cp, w, msg);
	if (cp->dp.seen != NULL)
		cp->dp.seen(cp, cp->dp.tap_arg, w, msg);
}

