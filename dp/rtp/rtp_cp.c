/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/rtp's link to cp: the events, a termination's figures, a restarted
 * cp's SYNC, and the sweep that finds silent terminations (H.248.40) and
 * ICE flows whose consent expired (RFC 7675).
 *
 * Two kinds of event. LATCHED (ICE's NOMINATED), INACTIVE and ICE's
 * CONSENT_LOST and CONSENT_REGAINED are state: a context's pending
 * ones are bits in its slot, and the slot waits in a FIFO; so does BUNDLE's
 * SSRC_CLASH (the drops since the last told, at most one every
 * RTP_CLASH_TELL_MS a context, raised by the sweep); what goes to cp
 * is the state at the flush (the source latched now), so a full ring or a
 * cp away loses nothing and nothing grows with the traffic. So are SRTP's
 * positions dp tells cp on its own (RTP_STATS of req 0: a new SSRC, a
 * stream protected IPC_SRTP_TELL on). SUBTRACTED,
 * RELEASED and answers (RTP_STATS) carry figures that must arrive as they were:
 * they wait in a backlog, in order; each answers a message of cp's, so
 * only a cp that sends can fill it. Both go while the ring to cp keeps
 * DP_CP_HEADROOM free (what clients' requests need), and only to a cp
 * that serves and takes them (IPC_CAP_RTP).
 */
#include <string.h>

#include "dp_cp.h"
#include "rtp_dp_private.h"

/* Slots the inactivity sweep and a SYNC's step look at, and how often a
 * pass over the table starts. */
#define RTP_SCAN_VISIT 256u
#define RTP_SCAN_MS    100u

/* ---- a termination's figures ----------------------------------------------------- */

void
rtp_stats_fill(const struct dp_worker *w, const struct rtp_term *t, struct ipc_rtp_stats *st)
{
	const struct rtp_rx *rx = &t->rx;
	uint32_t hz = t->cfg.clock_hz != 0 ? t->cfg.clock_hz : 8000u;

	memset(st, 0, sizeof(*st));
	if (!t->on)
		return;
	if (t->srtp) {
		/* where each direction's index stands: what cp gives back to
		 * a restarted dp */
		w->rtp->srtp_ops->position(t->srtp_in, &st->srtp_rx);
		w->rtp->srtp_ops->position(t->srtp_out, &st->srtp_tx);
	}
	st->rtp_in = rtp_rx_packets(rx);
	st->rtp_in_octets = rtp_rx_octets(rx);
	st->rtp_out = rtp_tx_packets(&t->tx);
	st->rtp_out_octets = rtp_tx_octets(&t->tx);
	st->rtcp_in = t->ctr.rtcp_in;
	st->rtcp_in_octets = t->ctr.rtcp_in_octets;
	st->rtcp_out = t->ctr.rtcp_out;
	st->rtcp_out_octets = t->ctr.rtcp_out_octets;
	st->lost = rtp_rx_lost(rx);
	st->expected = rtp_rx_expected(rx);
	st->drop_stranger = t->ctr.stranger;
	st->drop_malformed = t->ctr.malformed;
	st->drop_policed = t->ctr.policed;
	st->drop_mode = t->ctr.mode;
	st->drop_no_dest = t->ctr.no_dest;
	st->srtp_fail = t->ctr.srtp;
	st->heard_ms = t->heard_ms;
	if (t->ice) {
		st->ice = IPC_RTP_ICE_ON | ((t->ice_state.lost & 1u) ? IPC_RTP_ICE_LOST : 0u);
		st->ice_checks = t->ice_state.checks;
		st->ice_refused = t->ice_state.refused;
		st->ice_consent_ms = (t->latched & IPC_RTP_LATCHED_RTP) ?
				     t->ice_state.consent_ms[0] : 0;
	}
	st->jitter = rtp_rx_jitter(rx);
	st->jitter_us = rtp_rx_jitter_us(rx, hz);
	st->ssrc = rx->ssrc;
	st->ext_max_seq = (rx->flags & RTP_RX_F_STARTED) ? rx->cycles + rx->max_seq : 0;
	st->serial = t->cfg.serial;
	st->latched = t->latched;
	st->inactive = t->inactive;
	if (t->latched & IPC_RTP_LATCHED_RTP)
		st->rtp_src = t->rtp_src;
	if (t->latched & IPC_RTP_LATCHED_RTCP)
		st->rtcp_src = t->rtcp_src;
}

/* ---- events ---------------------------------------------------------------------- */

void
rtp_ev_queue(struct rtp_worker *rw, struct rtp_ctx *c)
{
	if (c->queued)
		return;
	if (rw->evq_head - rw->evq_tail > rw->evq_mask) {
		/* (cannot be: twice the slots; the sweep queues it again) */
		rw->ctr[RTP_CTR_EVENTS_LOST]++;
		return;
	}
	rw->evq[rw->evq_head++ & rw->evq_mask] = (uint32_t)(c - rw->ctx);
	c->queued = 1;
}

void
rtp_ev_final(struct dp_worker *w, uint64_t id, const struct rtp_ctx *c, uint8_t type,
	     unsigned int term, uint16_t serial, uint8_t cause, const char *detail)
{
	struct rtp_worker *rw = w->rtp;
	struct ipc_rtp_event *e = ipc_backlog_reserve(&rw->out, IPC_RTP_EVENT, id, NULL,
						      sizeof(*e));

	if (e == NULL) {
		rw->ctr[RTP_CTR_EVENTS_LOST]++;
		return;
	}
	e->type = type;
	e->term = (uint8_t)term;
	e->cause = cause;
	e->serial = serial;
	if (c != NULL)
		for (unsigned int i = 0; i < 2; i++)
			if (term == IPC_RTP_TERM_NONE || term == i)
				rtp_stats_fill(w, &c->t[i], &e->st[i]);
	if (detail != NULL) {
		size_t n = strnlen(detail, IPC_RTP_DETAIL_MAX - 1u);

		memcpy(e->detail, detail, n);
		e->detail_len = (uint16_t)n;
	}
	ipc_backlog_commit(&rw->out);
	rw->ctr[RTP_CTR_EVENTS]++;
}

void
rtp_stats_answer(struct dp_worker *w, uint64_t id, const struct rtp_ctx *c, uint32_t req)
{
	struct rtp_worker *rw = w->rtp;
	struct ipc_rtp_stats_msg *x = ipc_backlog_reserve(&rw->out, IPC_RTP_STATS, id, NULL,
							  sizeof(*x));

	if (x == NULL) {
		rw->ctr[RTP_CTR_EVENTS_LOST]++;
		return;
	}
	x->req = req;
	if (c != NULL) {
		x->found = 1;
		rtp_stats_fill(w, &c->t[0], &x->st[0]);
		rtp_stats_fill(w, &c->t[1], &x->st[1]);
	}
	ipc_backlog_commit(&rw->out);
	rw->ctr[RTP_CTR_STATS_ANSWERED]++;
	rw->ctr[RTP_CTR_EVENTS]++;
}

/* c's SRTP positions told to cp (RTP_EV_SRTP_POS): an RTP_STATS of req 0,
 * both terminations' figures as now, which cp takes as it takes the
 * answers to its own asking (lib/ipc's IPC_SRTP_TELL). false: no room. */
static bool
srtp_tell_send(struct dp_worker *w, struct rtp_ctx *c, struct ipc_msg *msg)
{
	struct ipc_rtp_stats_msg *x = (struct ipc_rtp_stats_msg *)(void *)msg->body;

	memset(&msg->h, 0, sizeof(msg->h));
	memset(x, 0, sizeof(*x));
	msg->h.kind = IPC_RTP_STATS;
	msg->h.alloc_id = c->id;
	msg->h.body_len = sizeof(*x);
	x->found = 1;
	rtp_stats_fill(w, &c->t[0], &x->st[0]);
	rtp_stats_fill(w, &c->t[1], &x->st[1]);
	if (dp_cp_send(w, msg) < 0)
		return false;
	c->ev &= (uint16_t)~RTP_EV_SRTP_POS;
	w->cp.ipc_out++;
	w->rtp->ctr[RTP_CTR_EVENTS_SENT]++;
	return true;
}

/* c's BUNDLE SSRC clashes told to cp (RTP_EV_CLASH): the termination,
 * the SSRC refused last, how many since the last told, as an event of its
 * own; the next not before RTP_CLASH_TELL_MS. false: no room. */
static bool
clash_send(struct dp_worker *w, struct rtp_ctx *c, struct ipc_msg *msg)
{
	struct ipc_rtp_event *e = (struct ipc_rtp_event *)(void *)msg->body;
	const struct rtp_term *t = &c->t[c->clash_term & 1u];

	memset(&msg->h, 0, sizeof(msg->h));
	memset(e, 0, sizeof(*e));
	msg->h.kind = IPC_RTP_EVENT;
	msg->h.alloc_id = c->id;
	msg->h.body_len = sizeof(*e);
	e->type = IPC_RTP_EV_SSRC_CLASH;
	e->term = c->clash_term & 1u;
	e->serial = t->cfg.serial;
	e->ssrc = c->clash_ssrc;
	e->count = c->clashes;
	rtp_stats_fill(w, t, &e->st[e->term]);
	if (dp_cp_send(w, msg) < 0)
		return false;
	c->ev &= (uint16_t)~RTP_EV_CLASH;
	c->clashes = 0;
	c->clash_tell_ms = w->now_ms + RTP_CLASH_TELL_MS;
	w->cp.ipc_out++;
	w->rtp->ctr[RTP_CTR_EVENTS_SENT]++;
	return true;
}

/* The pending events of c (its bits), each as one message, while the ring
 * has room; false when it had none (the rest wait). */
static bool
ev_send(struct dp_worker *w, struct rtp_ctx *c)
{
	static _Thread_local struct ipc_msg msg;
	struct rtp_worker *rw = w->rtp;
	struct ipc_rtp_event *e = (struct ipc_rtp_event *)(void *)msg.body;

	while (c->ev != 0) {
		unsigned int bit = (unsigned int)__builtin_ctz(c->ev);
		unsigned int ti = bit / 3u, what = bit % 3u, flow;
		const struct rtp_term *t;

		if (!dp_cp_room(w, DP_CP_HEADROOM))
			return false;
		if (bit == RTP_EV_SRTP_BIT) {
			if (!srtp_tell_send(w, c, &msg))
				return false;
			continue;
		}
		if (bit == RTP_EV_CLASH_BIT) {
			/* (a termination gone since has nothing to say) */
			if (!c->t[c->clash_term & 1u].on || c->clashes == 0) {
				c->ev &= (uint16_t)~RTP_EV_CLASH;
				c->clashes = 0;
				continue;
			}
			if (!clash_send(w, c, &msg))
				return false;
			continue;
		}
		if (bit >= RTP_EV_CONSENT_BIT) {
			/* an ICE flow's consent: per termination, flow, lost or back */
			ti = (bit - RTP_EV_CONSENT_BIT) / 4u;
			what = (bit - RTP_EV_CONSENT_BIT) % 4u;
		}
		flow = bit >= RTP_EV_CONSENT_BIT ? what / 2u : what;
		t = &c->t[ti];
		memset(&msg.h, 0, sizeof(msg.h));
		memset(e, 0, sizeof(*e));
		msg.h.kind = IPC_RTP_EVENT;
		msg.h.alloc_id = c->id;
		msg.h.body_len = sizeof(*e);
		e->term = (uint8_t)ti;
		e->serial = t->cfg.serial;
		if (bit >= RTP_EV_CONSENT_BIT) {
			e->type = (what & 1u) ? IPC_RTP_EV_CONSENT_REGAINED : IPC_RTP_EV_CONSENT_LOST;
			e->rtcp = (uint8_t)flow;
			e->addr = flow == 0 ? t->rtp_src : t->rtcp_src;
			if (!(what & 1u))
				e->silent_ms = (uint32_t)(w->now_ms - t->ice_state.consent_ms[flow]);
		} else if (what == 2) {
			e->type = IPC_RTP_EV_INACTIVE;
			e->silent_ms = (uint32_t)(w->now_ms - rtp_term_quiet_since(t));
		} else {
			/* (ICE's latch is the pair the peer nominated) */
			e->type = t->ice ? IPC_RTP_EV_NOMINATED : IPC_RTP_EV_LATCHED;
			e->rtcp = (uint8_t)what;
			e->addr = what == 0 ? t->rtp_src : t->rtcp_src;
		}
		rtp_stats_fill(w, t, &e->st[ti]);
		c->ev &= (uint16_t)~(1u << bit);
		/* a latch undone since (a modify) has nothing to say, nor a
		 * consent of a pair no longer nominated */
		if (e->type != IPC_RTP_EV_INACTIVE &&
		    !(t->latched & (flow == 0 ? IPC_RTP_LATCHED_RTP : IPC_RTP_LATCHED_RTCP)))
			continue;
		if (dp_cp_send(w, &msg) < 0) {
			c->ev |= (uint16_t)(1u << bit);
			return false;
		}
		w->cp.ipc_out++;
		rw->ctr[RTP_CTR_EVENTS_SENT]++;
	}
	return true;
}

/* The FIFO's contexts and the backlog into the ring to cp, to a cp that
 * serves and takes them. Returns the messages sent. */
static unsigned int
ev_flush(struct dp_worker *w)
{
	struct rtp_worker *rw = w->rtp;
	const struct ipc_shm *shm = w->ctx->ipc.shm;
	uint32_t before = (uint32_t)rw->ctr[RTP_CTR_EVENTS_SENT];
	unsigned int n;

	if (rw->evq_head == rw->evq_tail && ipc_backlog_count(&rw->out) == 0)
		return 0;
	if (w->cp.rings == NULL || shm == NULL || !ipc_cp_serving(shm, w->now_ms))
		return 0;
	if (!(ipc_peer_caps(shm, true, w->now_ms) & IPC_CAP_RTP)) {
		while (rw->evq_head != rw->evq_tail) {
			struct rtp_ctx *c = &rw->ctx[rw->evq[rw->evq_tail++ & rw->evq_mask]];

			rw->ctr[RTP_CTR_EVENTS_NO_CP] += (uint64_t)__builtin_popcount(c->ev);
			c->ev = 0;
			c->queued = 0;
		}
		rw->ctr[RTP_CTR_EVENTS_NO_CP] += ipc_backlog_drop(&rw->out);
		return 0;
	}
	while (rw->evq_head != rw->evq_tail) {
		struct rtp_ctx *c = &rw->ctx[rw->evq[rw->evq_tail & rw->evq_mask]];

		if (c->id != 0 && !ev_send(w, c))
			break;
		c->queued = 0;
		rw->evq_tail++;
	}
	n = (uint32_t)rw->ctr[RTP_CTR_EVENTS_SENT] - before;
	if (n > 0)
		dp_cp_wake(w);
	{
		unsigned int k = dp_cp_flush(w, &rw->out, DP_CP_HEADROOM, IPC_CAP_RTP,
					     &rw->ctr[RTP_CTR_EVENTS_NO_CP]);

		rw->ctr[RTP_CTR_EVENTS_SENT] += k;
		n += k;
	}
	return n;
}

/* ---- the sweep: silence, ICE's consent ------------------------------------------------- */

/* A slice of the pass over the table: silent terminations found
 * (H.248.40: once, until they are heard again), ICE flows whose consent
 * expired (RFC 7675: once, until a check renews it), and a context with
 * pending events out of the FIFO queued again. */
static unsigned int
scan(struct dp_worker *w)
{
	struct rtp_worker *rw = w->rtp;
	unsigned int n = 0;

	if (w->now_ms < rw->scan_ms || rw->nctx == 0)
		return 0;
	for (unsigned int seen = 0; seen < RTP_SCAN_VISIT; seen++) {
		struct rtp_ctx *c;

		if (rw->scan_next >= rw->max) {
			rw->scan_next = 0;
			rw->scan_ms = w->now_ms + RTP_SCAN_MS;
			break;
		}
		c = &rw->ctx[rw->scan_next++];
		if (c->id == 0)
			continue;
		for (unsigned int i = 0; i < 2; i++) {
			struct rtp_term *t = &c->t[i];

			if (!t->on || t->inact_ms == 0 || t->inactive ||
			    w->now_ms - rtp_term_quiet_since(t) < t->inact_ms)
				continue;
			t->inactive = 1;
			c->ev |= (uint16_t)RTP_EV_INACTIVE(i);
			rw->ctr[RTP_CTR_INACTIVE]++;
			rw->ctr[RTP_CTR_EVENTS]++;
			n++;
		}
		for (unsigned int i = 0; i < 2; i++)
			if (c->t[i].on && c->t[i].ice)
				n += rtp_ice_scan(w, c, i);
		/* BUNDLE's SSRC clashes (rtp_input.c): cp told, not more
		 * often than RTP_CLASH_TELL_MS */
		if (c->clashes != 0 && !(c->ev & RTP_EV_CLASH) && w->now_ms >= c->clash_tell_ms) {
			c->ev |= (uint16_t)RTP_EV_CLASH;
			rw->ctr[RTP_CTR_EVENTS]++;
			n++;
		}
		if (c->ev != 0)
			rtp_ev_queue(rw, c);
	}
	return n;
}

unsigned int
rtp_sweep(struct dp_worker *w, uint64_t tsc)
{
	(void)tsc;
	if (w->rtp == NULL)
		return 0;
	return scan(w) + ev_flush(w);
}

/* ---- a restarted cp ---------------------------------------------------------------- */

void
rtp_sync_start(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)msg;
	if (w->rtp == NULL)
		return;
	w->rtp->sync_on = true;
	w->rtp->sync_next = 0;
}

static void
srtp_pos_put(struct ipc_srtp_key *k, const struct ipc_srtp_pos *pos)
{
	k->nstreams = pos->nstreams;
	memcpy(k->stream, pos->stream, sizeof(k->stream));
	k->srtcp_index = pos->srtcp_index;
}

/* A slot as RTP_STATE: the context as installed (its keys at the position
 * they are at now), its statistics and latches. */
static bool
rtp_state_fill(struct dp_worker *w, uint32_t slot, struct ipc_msg *msg)
{
	const struct rtp_ctx *c = &w->rtp->ctx[slot];
	struct ipc_rtp_state *x = (struct ipc_rtp_state *)(void *)msg->body;

	if (c->id == 0)
		return false;
	memset(x, 0, sizeof(*x));
	msg->h.kind = IPC_RTP_STATE;
	msg->h.alloc_id = c->id;
	msg->h.body_len = sizeof(*x);
	for (unsigned int i = 0; i < 2; i++) {
		struct ipc_rtp_term *t = &x->ctx.term[i];

		if (c->t[i].on)
			*t = c->t[i].cfg;
		rtp_stats_fill(w, &c->t[i], &x->st[i]);
		if (c->t[i].srtp) {
			srtp_pos_put(&t->srtp_rx, &x->st[i].srtp_rx);
			srtp_pos_put(&t->srtp_tx, &x->st[i].srtp_tx);
		}
	}
	return true;
}

bool
rtp_state_step(struct dp_worker *w, unsigned int headroom)
{
	struct rtp_worker *rw = w->rtp;

	if (rw == NULL)
		return true;
	return dp_cp_sync_walk(w, headroom, &rw->sync_on, &rw->sync_next, rw->max, rtp_state_fill);
}
