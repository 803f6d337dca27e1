/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What cp says to TURN (the kinds turn_cp_register() takes from dp_cp.c,
 * which checked each message before handing it over): installs
 * (ALLOC_ADD, ALLOC_DEL, ALLOC_LIFE, ALLOC_MOVE, PERM_*, CHAN_*), lawful
 * interception's taps (ALLOC_TAP, turn_li.c), the
 * forwards of RFC 8016's moves across workers (FWD_ADD, FWD_DEL), the
 * response to send,
 * the start of the table sweeps (SYNC, STATS_REQ); and, at each look at
 * cp, which nonce key the serving cp published.
 */
#include <string.h>

#include "../dp.h"
#include "../dp_cp.h"
#include "ipc.h"
#include "li_dp.h"
#include "steer.h"
#include "turn.h"
#include "turn_inlines.h"
#include "turn_tcprelay.h"

static void
apply_alloc_add(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct turn_worker *t = w->turn;
	const struct ipc_alloc *ia = (const struct ipc_alloc *)msg->body;
	uint8_t tbl[2] = { 0, 0 };

	if (msg->h.body_len < sizeof(*ia) || ia->nrelayed < 1 || ia->nrelayed > 2) {
		t->alloc_bad_relay++;
		return;
	}
	/* A client on a stream (transport 6): its allocation lives as long
	 * as its connection, which must be this worker's and open now (it
	 * may have closed while cp decided: cp hears of that by CONN_DOWN
	 * and frees its side). Anything else is refused, counted. */
	if (msg->h.tuple.transport == STUN_TRANSPORT_UDP && msg->h.tuple.conn_id != 0) {
		/* a DTLS session: the same, of TURN over DTLS */
		if (t->dtls_io == NULL || ipc_conn_worker(msg->h.tuple.conn_id) != w->id ||
		    !t->dtls_io->live(w, msg->h.tuple.conn_id)) {
			t->alloc_bad_transport++;
			return;
		}
	} else if (msg->h.tuple.transport != STUN_TRANSPORT_UDP &&
	    (msg->h.tuple.transport != STUN_TRANSPORT_TCP || t->stream_io == NULL ||
	     t->stream_io->live == NULL ||
	     ipc_conn_worker(msg->h.tuple.conn_id) != w->id ||
	     !t->stream_io->live(w, msg->h.tuple.conn_id))) {
		t->alloc_bad_transport++;
		return;
	}
	/* Every relayed transport address must be ours: a relayed address
	 * of its family, a port of the range, one port for both families
	 * (as cp picks them). Anything else would relay for nobody. */
	for (unsigned int i = 0; i < ia->nrelayed; i++) {
		const struct ipc_addr *ra = &ia->relayed[i];
		int idx = ra->family == NET_AF_IPV4 || ra->family == NET_AF_IPV6 ?
			  turn_relay_index(w->ctx, ra->family, ra->ip) : -1;

		/* ... and of this worker's share: peer traffic to a port
		 * steers to the share's worker (lib/steer), which would
		 * have no allocation for it. */
		if (idx < 0 || ra->port != ia->relayed[0].port ||
		    steer_relay_owner(w->ctx->relay_min, w->ctx->relay_max,
				      w->ctx->nworkers, ra->port) != w->id ||
		    ra->port < t->relay_min ||
		    (uint32_t)(ra->port - t->relay_min) >= t->relay_span ||
		    (i == 1 && ra->family == ia->relayed[0].family)) {
			t->alloc_bad_relay++;
			return;
		}
		tbl[i] = (uint8_t)turn_relay_tbl(t, ra->family, (unsigned int)idx);
	}
	turn_alloc_install(t, msg, tbl);
}

static void
turn_cp_apply(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct turn_worker *t = w->turn;
	const struct ipc_tuple *tu = &msg->h.tuple;
	struct turn_alloc *a;

	switch (msg->h.kind) {
	case IPC_RESPONSE: {
		struct turn_from to;

		turn_from_tuple(&to, tu);
		turn_reply(w, &to, msg->body, msg->h.body_len);
		if (tu->transport == STUN_TRANSPORT_TCP && t->stream_io != NULL &&
		    t->stream_io->answered != NULL)
			t->stream_io->answered(w, tu->conn_id);
		break;
	}
	case IPC_ALLOC_ADD:
		apply_alloc_add(w, msg);
		break;
	case IPC_ALLOC_DEL:
		a = turn_alloc_by_msg(t, msg);
		if (a != NULL)
			turn_alloc_remove(t, a, IPC_END_DELETED);
		break;
	case IPC_ALLOC_MOVE:
		/* RFC 8016: ipc_msg_check() saw two UDP tuples of this ring;
		 * the new one must be this worker's too, which it is when the
		 * Refresh that moved it came in here (cp refuses others). */
		a = turn_alloc_by_msg(t, msg);
		if (a != NULL && turn_alloc_move(t, a, (const struct ipc_tuple *)msg->body) == 0)
			t->alloc_moved++;
		else
			t->alloc_move_refused++;
		break;
	case IPC_FWD_ADD:
	case IPC_FWD_DEL: {
		/* ipc_msg_check() saw a plain UDP tuple and, for an add, an
		 * owner that is another worker of the contract's; it must be
		 * one of dp's too (a hand-off names its ring) */
		const struct ipc_fwd *f = (const struct ipc_fwd *)msg->body;
		union turn_keyu k;
		uint32_t h = turn_key_from(&k, STUN_TRANSPORT_UDP, 0, tu->client.family,
					   tu->in_port, tu->client.ip, tu->client.port,
					   tu->server.port);

		if (msg->h.kind == IPC_FWD_DEL)
			(void)turn_fwd_del(&t->fwd, &k, h, msg->h.alloc_id);
		else if (f->owner >= w->ctx->nworkers || f->owner == w->id)
			t->fwd.refused++;
		else
			(void)turn_fwd_add(&t->fwd, &k, h, msg->h.alloc_id, f->owner);
		break;
	}
	case IPC_ALLOC_LIFE:
		a = turn_alloc_by_msg(t, msg);
		if (a != NULL && msg->h.body_len >= sizeof(uint64_t))
			memcpy(&t->expires[a - t->allocs], msg->body, sizeof(uint64_t));
		break;
	case IPC_ALLOC_TAP:
		/* lawful interception (turn_li.c): ipc_msg_check() saw the
		 * body whole; a tap dp cannot apply is counted by dp/li, never
		 * logged (it would say a task exists) */
		a = turn_alloc_by_msg(t, msg);
		if ((a == NULL ||
		     turn_li_tap(w, a, (const struct ipc_alloc_tap *)(const void *)msg->body) < 0) &&
		    w->li != NULL)
			li_ring_count(w->li, LI_CTR_TAP_REFUSED);
		break;
	case IPC_PERM_ADD:
	case IPC_PERM_DEL:
	case IPC_CHAN_ADD:
	case IPC_CHAN_DEL:
		a = turn_alloc_by_msg(t, msg);
		if (a != NULL && msg->h.body_len >= sizeof(struct ipc_binding)) {
			const struct ipc_binding *b = (const struct ipc_binding *)msg->body;

			/* A permission to one of our relayed addresses: a
			 * relay-to-relay call (cp decided it may be). */
			turn_apply_binding(t, a, msg->h.kind, b,
				      (b->peer.family == NET_AF_IPV4 ||
				       b->peer.family == NET_AF_IPV6) &&
				      turn_relay_index(w->ctx, b->peer.family, b->peer.ip) >= 0);
		}
		break;
	case IPC_STATS_REQ:
		/* A pass still under way carries on (each allocation is
		 * reported once a pass, whenever the pass began). */
		if (!t->stats_job.on)
			turn_sweep_start(t, &t->stats_job);
		break;
	default:
		break;
	}
}

/* The block's nonce makers: the default tenant's and each tenant's. A
 * block whose count of tenants is not dp's (a cp with another file: the
 * side's tenants_sig tells the operator too) keys none, so that no
 * request is judged with another tenant's key or an index past dp's. */
static int
nonce_load_all(struct dp_worker *w, struct turn_worker *t, const struct ipc_nonce *n)
{
	int rc;

	if (n->ntenants != t->ntnonce) {
		if (t->nonce_tenants_mismatch++ == 0 && w->id == 0)
			tp_log(TP_LOG_ERR, "cp published nonces for %u tenants, dp has %u: "
			       "dp answers no 401 and judges no nonce until both read the same "
			       "tenants\n", n->ntenants, t->ntnonce);
		return -EPROTO;
	}
	rc = turn_admit_nonce_load(&t->nonce, n);
	for (unsigned int i = 0; rc == 0 && i < t->ntnonce; i++)
		rc = turn_admit_nonce_load_tenant(&t->tnonce[i], n, i + 1);
	return rc;
}

static void
nonce_take(struct dp_worker *w, struct turn_worker *t, const struct ipc_shm *shm,
	   uint64_t epoch)
{
	static _Thread_local struct ipc_nonce n;
	int rc = ipc_nonce_copy(shm, epoch, &n);

	if (rc == 0)
		rc = nonce_load_all(w, t, &n);
	memset(n.key, 0, sizeof(n.key));
	if (rc < 0) {
		t->nonce_ok = false;
		t->nonce_load_failed++;
		return;
	}
	t->nonce_ok = true;
	t->nonce_epoch = epoch;
}


/* A cp serves that this worker has no nonce key of: take a copy of what
 * it published (before it said it was ready), once per cp, never per
 * request. Until then (a copy torn by a cp starting meanwhile, a corrupt
 * block) nothing is answered here and every request goes to cp as
 * before. */
static void
turn_cp_seen(struct dp_worker *w, uint64_t epoch, bool serving)
{
	struct turn_worker *t = w->turn;

	if (serving && epoch != t->nonce_epoch)
		nonce_take(w, t, w->ctx->ipc.shm, epoch);
}

int
turn_cp_register(struct dp_ctx *ctx)
{
	static const uint16_t kinds[] = {
		IPC_RESPONSE, IPC_ALLOC_ADD, IPC_ALLOC_DEL, IPC_ALLOC_LIFE, IPC_ALLOC_MOVE,
		IPC_ALLOC_TAP,
		IPC_PERM_ADD, IPC_PERM_DEL, IPC_CHAN_ADD, IPC_CHAN_DEL, IPC_STATS_REQ,
		IPC_FWD_ADD, IPC_FWD_DEL,
	};
	int rc = 0;

	for (unsigned int i = 0; rc == 0 && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		rc = dp_cp_on_kind(ctx, kinds[i], turn_cp_apply);
	if (rc == 0)
		rc = dp_cp_on_sync(ctx, turn_state_start, turn_state_step);
	if (rc == 0)
		rc = dp_cp_on_seen(ctx, turn_cp_seen);
	return rc;
}
