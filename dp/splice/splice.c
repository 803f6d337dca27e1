/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/splice (splice.h): two legs, each direction moved by pump(): what a
 * leg read and its partner has not taken yet waits in the leg's pend
 * chain (one read's worth while the partner's send queue is full; at most
 * hold_max while the partner is not up), and the leg is read again only
 * when that went. Nothing grows: a direction holds at most the partner's
 * send queue (dp/tcp's snd_buf), one pend and the leg's receive window.
 *
 * Every entry point marks what to do (kick: a direction to move;
 * SPLICE_LF_WRITABLE: a transport to flush) and calls run(), which does
 * it unless a run is already under way below it on the stack (a TLS
 * handshake callback from inside rcv_buf, say): then the outer run picks
 * the marks up. The owner's done() is called by the outermost run only,
 * after which the splice touches nothing of sp.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "session.h"
#include "splice.h"
#include "tcp.h"
#include "tls.h"

/* Below this room in the partner's send queue a leg is not read: its
 * writable() comes (dp/tcp arms it under half the queue). */
#define SPLICE_MIN_ROOM 2048u
/* What one read asks for, and one send takes of a pend, at most. */
#define SPLICE_READ_MAX (128u * 1024u)
/* TLS records cost bytes beyond their plaintext (tls_snd_buf()'s
 * estimate: 64 a record, a record per mbuf): room kept for them. */
#define SPLICE_TLS_MARGIN(r) ((r) / 16u + 1024u)
/* A leg paused by its policing is read again once its bucket holds this
 * (or its burst, if smaller): a few segments a wake-up, not one. */
#define SPLICE_POLICE_RESUME 4096u
/* Rounds of one run, at most (each moves data or ends): a bound, not
 * an expectation. */
#define SPLICE_KICKS_MAX 1024u

static const char *const splice_ctr_names[SPLICE_CTR__COUNT] = {
#define SPLICE_CTR(n, s, h) [SPLICE_CTR_##n] = s,
#include "splice_counters.def"
#undef SPLICE_CTR
};

const char *
splice_ctr_name(unsigned int i)
{
	return i < SPLICE_CTR__COUNT ? splice_ctr_names[i] : "?";
}

/* ---- counters for cp (dp_ctrs.h): the worker's splice, w->splice ---- */

static const struct dp_ctrs_desc splice_desc[SPLICE_CTR__COUNT] = {
#define SPLICE_CTR(n, s, h) [SPLICE_CTR_##n] = { s, DP_CTRS_COUNTER, h },
#include "splice_counters.def"
#undef SPLICE_CTR
};

static void
splice_values(const struct dp_worker *w, uint64_t *out)
{
	for (unsigned int k = 0; k < SPLICE_CTR__COUNT; k++)
		out[k] = w->splice != NULL ? w->splice->ctr[k] : 0;
}

const struct dp_ctrs_family splice_ctrs = {
	.name = "splice", .prefix = "splice_",
	.help = "The splices of the gateway's legs and RFC 6062's connections "
		"(splice_counters.def): bytes, stalls, ends",
	.desc = splice_desc, .n = SPLICE_CTR__COUNT, .values = splice_values,
};

/* The legs ended, by the splice's own cause, of every owner that counts
 * in the worker's splice (splice_leg_end_* show the same ends by the
 * controller's causes, and only with a gateway: without one, RFC 6062's
 * are here only). SPLICE_CAUSE_NONE ends no leg: left out. */
static const struct dp_ctrs_desc end_desc[SPLICE_CAUSE__COUNT] = {
#define SPLICE_CAUSE(n, s, h) [SPLICE_CAUSE_##n] = { s, DP_CTRS_COUNTER, h },
#include "splice_causes.def"
#undef SPLICE_CAUSE
};

static void
end_values(const struct dp_worker *w, uint64_t *out)
{
	for (unsigned int k = 1; k < SPLICE_CAUSE__COUNT; k++)
		out[k - 1] = w->splice != NULL ? w->splice->leg_end[k] : 0;
}

const struct dp_ctrs_family splice_end_ctrs = {
	.name = "splice_end", .prefix = "splice_ended_",
	.help = "Spliced legs ended, by the splice's cause (splice_causes.def): the gateway's "
		"and RFC 6062's",
	.desc = end_desc + 1, .n = SPLICE_CAUSE__COUNT - 1, .values = end_values,
};

void
splice_init(struct splice *sp, const struct splice_ops *ops, uint32_t hold_max)
{
	memset(sp, 0, sizeof(*sp));
	sp->ops = ops;
	sp->hold_max = hold_max;
	sp->why_leg = SPLICE_LEG_NONE;
	sp->eof_first = 0xff;
}

static void
pend_append(struct splice_leg *l, struct rte_mbuf *m, uint32_t n)
{
	struct rte_mbuf *t = m;

	while (t->next != NULL)
		t = t->next;
	if (l->pend_tail != NULL)
		l->pend_tail->next = m;
	else
		l->pend = m;
	l->pend_tail = t;
	l->pend_bytes += n;
}

static void
pend_free(struct dp_worker *w, struct splice_leg *l)
{
	if (l->pend == NULL)
		return;
	w->splice->ctr[SPLICE_CTR_DROPPED_BYTES] += l->pend_bytes;
	rte_pktmbuf_free(l->pend);
	l->tap_given = 0;
	l->pend = l->pend_tail = NULL;
	l->pend_bytes = 0;
}

/* What the partner b's send path takes now (its TCP send queue's room,
 * less what TLS records add). */
static uint32_t
room_of(struct dp_worker *w, const struct splice_leg *b)
{
	uint32_t r = tcp_send_space(w->tcp, b->id);

	if (b->flags & SPLICE_LF_TLS)
		r = r > SPLICE_TLS_MARGIN(r) ? r - SPLICE_TLS_MARGIN(r) : 0;
	return r;
}

/*
 * End leg i with cause, then: END_GONE, dp/tcp ended it (closed()): the
 * transport forgets it; END_CLOSE: close it (its TCP finishes on its
 * own); END_ABORT: reset it. The owner hears it first (leg_down), with
 * the connection still there.
 */
enum leg_end_how { END_GONE, END_CLOSE, END_ABORT };

static void
leg_end(struct dp_worker *w, struct splice *sp, unsigned int i, enum splice_cause why,
	enum leg_end_how how)
{
	struct splice_leg *l = &sp->leg[i];
	uint64_t id = l->id;

	if (l->state == SPLICE_LEG_DOWN)
		return;
	l->state = SPLICE_LEG_DOWN;
	l->why = (uint8_t)why;
	if (sp->why == SPLICE_CAUSE_NONE) {
		/* A duplex close is named by the stream that ended first
		 * (whichever leg's TCP finished first) */
		if ((why == SPLICE_CAUSE_FIN || why == SPLICE_CAUSE_CLOSE_NOTIFY) && sp->eof_first <= 1) {
			sp->why = (sp->leg[sp->eof_first].flags & SPLICE_LF_NOTIFY) ?
				  SPLICE_CAUSE_CLOSE_NOTIFY : SPLICE_CAUSE_FIN;
			sp->why_leg = sp->eof_first;
		} else {
			sp->why = (uint8_t)why;
			sp->why_leg = (uint8_t)i;
		}
	}
	if (why < SPLICE_CAUSE__COUNT)
		w->splice->leg_end[why]++;
	sp->ops->leg_down(w, sp, i);
	if (id == 0)
		return;
	session_close(w, id);             /* (its transport wakes nobody now) */
	if (l->flags & SPLICE_LF_GONE) {
		/* its TCP ended already, kept for us: TLS forgets it, and
		 * dp/tcp frees it (no segment) */
		if (l->xp != NULL)
			l->xp->gone(w, id);
		tcp_close(w->tcp, id);
		return;
	}
	switch (how) {
	case END_GONE:
		if (l->xp != NULL)
			l->xp->gone(w, id);
		break;
	case END_CLOSE:
		if (l->xp != NULL)
			l->xp->close(w, id);
		else
			tcp_close(w->tcp, id);
		break;
	case END_ABORT:
		if (l->xp != NULL)
			l->xp->abort(w, id);
		else
			tcp_abort(w->tcp, id);
		break;
	}
}

/* Leg i ended abnormally (cause): the other is reset, and what either
 * held is dropped. */
static void
end_both(struct dp_worker *w, struct splice *sp, unsigned int i, enum splice_cause cause,
	 enum leg_end_how how)
{
	unsigned int o = i ^ 1u;

	leg_end(w, sp, i, cause, how);
	if (sp->leg[o].state != SPLICE_LEG_DOWN) {
		if (sp->leg[o].id != 0)
			w->splice->ctr[SPLICE_CTR_ABORTS]++;
		leg_end(w, sp, o, SPLICE_CAUSE_OTHER_LEG, END_ABORT);
	}
	pend_free(w, &sp->leg[0]);
	pend_free(w, &sp->leg[1]);
}

/* Leg i's transport failed (rcv_buf said -EPROTO, or snd_buf refused for
 * good): why it did, as the controller hears it. */
static enum splice_cause
tls_cause(struct dp_worker *w, const struct splice_leg *l, bool was_up)
{
	if (!(l->flags & SPLICE_LF_TLS))
		return SPLICE_CAUSE_RST;
	if (!was_up)
		return SPLICE_CAUSE_TLS_HANDSHAKE;
	return l->xp->why(w, l->id, NULL, 0) == TLS_FAIL_PEER_ALERT ? SPLICE_CAUSE_TLS_ALERT :
	       SPLICE_CAUSE_TLS_ERROR;
}

/* Leg s's pend to its partner (up), a batch at a time: 0 when all went,
 * -EAGAIN when the partner's send path is full, another -errno when it
 * failed. A tapped splice gives each batch to its owner's tap as it goes
 * (what is relayed, once, whatever reads it came from). */
static int
flush_pend(struct dp_worker *w, struct splice *sp, unsigned int s)
{
	struct splice_leg *a = &sp->leg[s], *b = &sp->leg[s ^ 1u];

	while (a->pend != NULL) {
		struct rte_mbuf *head = a->pend, *m = head, *last = NULL, *rest;
		uint32_t room = room_of(w, b), lim, take = 0;
		uint16_t nseg = 0;
		int rc;

		lim = room < SPLICE_READ_MAX ? room : SPLICE_READ_MAX;
		while (m != NULL && nseg < UINT16_MAX - 1u &&
		       (take == 0 || take + m->data_len <= lim)) {
			take += m->data_len;
			last = m;
			m = m->next;
			nseg++;
		}
		if (take > room)
			return -EAGAIN;       /* (room under half: writable() comes) */
		rest = m;
		last->next = NULL;
		head->pkt_len = take;
		head->nb_segs = nseg;
		if (sp->tap && a->tap_given < take) {
			sp->ops->tap(w, sp, s, head, a->tap_given, take - a->tap_given);
			a->tap_given = take;
		}
		rc = b->xp->snd_buf(w, b->id, head);
		if (rc < 0) {
			last->next = rest;
			return rc;
		}
		a->tap_given = a->tap_given > take ? a->tap_given - take : 0;
		a->pend = rest;
		if (rest == NULL)
			a->pend_tail = NULL;
		a->pend_bytes -= take;
		b->bytes_out += take;
		w->splice->ctr[SPLICE_CTR_BYTES_OUT] += take;
		w->splice->ctr[SPLICE_CTR_MBUFS_BY_REF] += nseg;
	}
	return 0;
}

static void
stall(struct dp_worker *w, struct splice_leg *a, enum splice_ctr why)
{
	if (!(a->flags & SPLICE_LF_STALLED)) {
		a->flags |= SPLICE_LF_STALLED;
		w->splice->ctr[why]++;
	}
}

/* Leg s (a's) bucket is empty: not read until it refills enough; its
 * owner wakes it. */
static void
police_pause(struct dp_worker *w, struct splice *sp, unsigned int s)
{
	struct splice_leg *a = &sp->leg[s];

	if (!(a->flags & SPLICE_LF_POLICED)) {
		a->flags |= SPLICE_LF_POLICED;
		w->splice->ctr[SPLICE_CTR_POLICED]++;
	}
	if (sp->ops->police_wait != NULL)
		sp->ops->police_wait(w, sp, s,
				     w->now_ms + police_wait_ms(&a->pol, SPLICE_POLICE_RESUME));
}

/* Leg s's stream has ended (its rcv_buf said 0): how, and which came
 * first. */
static void
leg_eof(struct dp_worker *w, struct splice *sp, unsigned int s)
{
	struct splice_leg *a = &sp->leg[s];

	a->flags |= SPLICE_LF_EOF;
	if (a->xp->eof_clean(w, a->id))
		a->flags |= SPLICE_LF_NOTIFY;
	if (sp->eof_first == 0xff)
		sp->eof_first = (uint8_t)s;
}

/* Leg i's TCP ended normally (both FINs, ours acknowledged) and its
 * stream has been read to its end: it ends (FIN or close_notify); what it
 * read goes on to its partner, then its end. */
static void
leg_gone_eof(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	struct splice_leg *l = &sp->leg[i];

	l->flags |= SPLICE_LF_SHUT;
	leg_end(w, sp, i, (l->flags & SPLICE_LF_NOTIFY) ? SPLICE_CAUSE_CLOSE_NOTIFY : SPLICE_CAUSE_FIN,
		END_GONE);
	sp->kick |= (uint8_t)(1u << i);    /* its bytes, then its FIN */
}

/*
 * Move leg s's bytes to its partner: first what s holds, then what s's
 * transport has, while the partner takes it (or, when the partner is not
 * up, up to hold_max); then, once s's stream has ended and all of it
 * went, end the partner's (FIN after the data).
 */
static void
pump(struct dp_worker *w, struct splice *sp, unsigned int s)
{
	struct splice_leg *a = &sp->leg[s], *b = &sp->leg[s ^ 1u];
	struct splice_worker *sw = w->splice;

	for (;;) {
		struct rte_mbuf *m;
		uint32_t limit;
		bool b_up = b->state == SPLICE_LEG_UP;
		int n;

		if (b->state == SPLICE_LEG_DOWN || a->id == 0)
			return;
		if (a->pend != NULL && b_up) {
			n = flush_pend(w, sp, s);
			if (n == -EAGAIN) {
				stall(w, a, SPLICE_CTR_STALL_ROOM);
				return;
			}
			if (n < 0) {
				sw->ctr[SPLICE_CTR_SEND_FAILED]++;
				end_both(w, sp, s ^ 1u, tls_cause(w, b, true), END_ABORT);
				return;
			}
		}
		if (a->flags & SPLICE_LF_EOF) {
			if (a->pend == NULL && b_up && !(b->flags & SPLICE_LF_SHUT)) {
				b->flags |= SPLICE_LF_SHUT;
				sw->ctr[SPLICE_CTR_FIN_FORWARDED]++;
				b->xp->shutdown(w, b->id);
			}
			return;
		}
		if (a->state != SPLICE_LEG_UP && a->state != SPLICE_LEG_HANDSHAKE)
			return;
		/* A leg in its handshake is always read: that is what drives
		 * the handshake (one byte over a bound at most). */
		if (b_up) {
			limit = room_of(w, b);
			if (limit < SPLICE_MIN_ROOM && a->state == SPLICE_LEG_UP) {
				stall(w, a, SPLICE_CTR_STALL_ROOM);
				return;
			}
		} else {
			if (a->pend_bytes >= sp->hold_max && a->state == SPLICE_LEG_UP) {
				stall(w, a, SPLICE_CTR_STALL_HOLD);
				return;
			}
			limit = a->pend_bytes < sp->hold_max ? sp->hold_max - a->pend_bytes : 0;
		}
		if (limit == 0)
			limit = 1;
		if (limit > SPLICE_READ_MAX)
			limit = SPLICE_READ_MAX;
		if (a->pol.rate != 0 && a->state == SPLICE_LEG_UP) {
			uint32_t allow;

			police_refill(&a->pol, w->now_ms);
			allow = police_allow(&a->pol);
			if (allow == 0 || ((a->flags & SPLICE_LF_POLICED) &&
					   allow < SPLICE_POLICE_RESUME && allow < a->pol.burst)) {
				police_pause(w, sp, s);
				return;
			}
			if (a->flags & SPLICE_LF_POLICED) {
				a->flags &= (uint8_t)~SPLICE_LF_POLICED;
				sw->ctr[SPLICE_CTR_POLICED_RESUMED]++;
			}
			if (limit > allow)
				limit = allow;
		}
		if (a->flags & SPLICE_LF_STALLED) {
			a->flags &= (uint8_t)~SPLICE_LF_STALLED;
			sw->ctr[SPLICE_CTR_RESUMED]++;
		}
		{
			bool was_up = a->state == SPLICE_LEG_UP;

			n = a->xp->rcv_buf(w, a->id, &m, limit);
			if (n == -EAGAIN) {
				/* (a leg kept after its TCP ended has only its
				 * transport to wake it: nothing will, it ends) */
				if ((a->flags & SPLICE_LF_GONE) && !a->xp->wakes(w, a->id))
					end_both(w, sp, s, SPLICE_CAUSE_RST, END_GONE);
				return;
			}
			if (n == -EPROTO) {
				/* (a handshake that fails ends it; one that
				 * completes inside this read made it up) */
				end_both(w, sp, s, tls_cause(w, a, was_up), END_ABORT);
				return;
			}
		}
		if (n < 0) {
			/* gone: its closed() comes; one kept after it has
			 * nothing more to say (cannot be: dp/tcp keeps it
			 * until leg_end) */
			if (a->flags & SPLICE_LF_GONE)
				end_both(w, sp, s, SPLICE_CAUSE_RST, END_GONE);
			return;
		}
		if (n == 0) {
			leg_eof(w, sp, s);
			if (a->flags & SPLICE_LF_GONE)
				leg_gone_eof(w, sp, s);
			continue;
		}
		pend_append(a, m, (uint32_t)n);
		a->bytes_in += (uint64_t)n;
		if (a->pol.rate != 0)
			police_take(&a->pol, (uint32_t)n);
		sw->ctr[SPLICE_CTR_BYTES_IN] += (uint64_t)n;
		if (!b_up)
			sw->ctr[SPLICE_CTR_HELD_BYTES] += (uint64_t)n;
	}
}

/* Both streams ended and went across: the legs are closed (FIN sent
 * both ways already; their TCP finishes the exchange), the stream that
 * ended first first, which names the splice's end. */
static void
fin_check(struct dp_worker *w, struct splice *sp)
{
	unsigned int first = sp->eof_first == 1 ? 1u : 0u;

	for (unsigned int i = 0; i < 2; i++) {
		const struct splice_leg *l = &sp->leg[i];

		if (!(l->flags & SPLICE_LF_EOF) || l->pend != NULL ||
		    (l->state != SPLICE_LEG_DOWN && !(l->flags & SPLICE_LF_SHUT)))
			return;
	}
	w->splice->ctr[SPLICE_CTR_DUPLEX_CLOSES]++;
	for (unsigned int k = 0; k < 2; k++) {
		unsigned int i = k == 0 ? first : first ^ 1u;
		struct splice_leg *l = &sp->leg[i];

		leg_end(w, sp, i, (l->flags & SPLICE_LF_NOTIFY) ? SPLICE_CAUSE_CLOSE_NOTIFY :
			SPLICE_CAUSE_FIN, END_CLOSE);
	}
}

/* Do what is marked (unless a run is under way below), then, once both
 * legs have ended, tell the owner (once). */
static void
run(struct dp_worker *w, struct splice *sp)
{
	unsigned int rounds = 0;

	if (sp->busy || sp->ended)
		return;
	sp->busy = 1;
	for (;;) {
		bool wr = false;
		uint8_t k;

		for (unsigned int i = 0; i < 2; i++) {
			struct splice_leg *l = &sp->leg[i];

			if (!(l->flags & SPLICE_LF_WRITABLE))
				continue;
			l->flags &= (uint8_t)~SPLICE_LF_WRITABLE;
			wr = true;
			if (l->state == SPLICE_LEG_UP || l->state == SPLICE_LEG_HANDSHAKE) {
				l->xp->writable(w, l->id);      /* (TLS: held ciphertext) */
				sp->kick |= (uint8_t)(1u << (i ^ 1u));
			}
		}
		k = sp->kick;
		sp->kick = 0;
		if (k == 0 && !wr)
			break;
		if (++rounds > SPLICE_KICKS_MAX) {
			w->splice->ctr[SPLICE_CTR_KICK_LIMIT]++;
			break;
		}
		for (unsigned int i = 0; i < 2; i++)
			if (k & (1u << i))
				pump(w, sp, i);
		if (sp->leg[0].state != SPLICE_LEG_DOWN || sp->leg[1].state != SPLICE_LEG_DOWN)
			fin_check(w, sp);
	}
	sp->busy = 0;
	if (sp->leg[0].state == SPLICE_LEG_DOWN && sp->leg[1].state == SPLICE_LEG_DOWN) {
		sp->ended = 1;
		pend_free(w, &sp->leg[0]);
		pend_free(w, &sp->leg[1]);
		sp->ops->done(w, sp);
	}
}

void
splice_leg_connecting(struct splice *sp, unsigned int i, uint64_t id)
{
	sp->leg[i].id = id;
	sp->leg[i].state = SPLICE_LEG_CONNECTING;
}

void
splice_leg_open(struct dp_worker *w, struct splice *sp, unsigned int i, uint64_t id,
		const struct dp_xprt_ops *xp)
{
	struct splice_leg *l = &sp->leg[i];

	l->id = id;
	l->xp = xp;
	if (xp->flags & (DP_XPRT_F_HANDSHAKE | DP_XPRT_F_RECORDS))
		l->flags |= SPLICE_LF_TLS;
	l->state = (xp->flags & DP_XPRT_F_HANDSHAKE) ? SPLICE_LEG_HANDSHAKE : SPLICE_LEG_UP;
	sp->kick |= 3u;
	run(w, sp);
}

void
splice_leg_adopt(struct dp_worker *w, struct splice *sp, unsigned int i, uint64_t id,
		 const struct dp_xprt_ops *xp, uint8_t tls_version, struct rte_mbuf *m, int n)
{
	struct splice_leg *l = &sp->leg[i];

	l->id = id;
	l->xp = xp;
	if (xp->flags & (DP_XPRT_F_HANDSHAKE | DP_XPRT_F_RECORDS))
		l->flags |= SPLICE_LF_TLS;
	l->state = SPLICE_LEG_UP;
	l->tls_version = tls_version;
	if (n > 0) {
		pend_append(l, m, (uint32_t)n);
		l->bytes_in += (uint64_t)n;
		w->splice->ctr[SPLICE_CTR_BYTES_IN] += (uint64_t)n;
		if (sp->leg[i ^ 1u].state != SPLICE_LEG_UP)
			w->splice->ctr[SPLICE_CTR_HELD_BYTES] += (uint64_t)n;
	} else if (n == 0) {
		leg_eof(w, sp, i);
	}
	sp->kick |= 3u;
	run(w, sp);
}

void
splice_leg_up(struct dp_worker *w, struct splice *sp, unsigned int i, uint8_t tls_version)
{
	struct splice_leg *l = &sp->leg[i];

	if (l->state != SPLICE_LEG_HANDSHAKE)
		return;
	l->state = SPLICE_LEG_UP;
	l->tls_version = tls_version;
	sp->kick |= 3u;
	run(w, sp);
}

void
splice_leg_hs_failed(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	sp->kick |= (uint8_t)(1u << i);
	run(w, sp);
}

void
splice_readable(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	sp->kick |= (uint8_t)(1u << i);
	run(w, sp);
}

void
splice_writable(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	sp->leg[i].flags |= SPLICE_LF_WRITABLE;
	run(w, sp);
}

void
splice_ready(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	(void)i;
	sp->kick |= 3u;
	run(w, sp);
}

void
splice_leg_police(struct dp_worker *w, struct splice *sp, unsigned int i, uint32_t rate,
		  uint32_t burst)
{
	struct splice_leg *l = &sp->leg[i];

	police_set(&l->pol, rate, burst, w->now_ms);
	if (rate == 0 && (l->flags & SPLICE_LF_POLICED)) {
		l->flags &= (uint8_t)~SPLICE_LF_POLICED;
		w->splice->ctr[SPLICE_CTR_POLICED_RESUMED]++;
	}
	if (l->state == SPLICE_LEG_UP) {
		sp->kick |= (uint8_t)(1u << i);
		run(w, sp);
	}
}

void
splice_police_due(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	if (!(sp->leg[i].flags & SPLICE_LF_POLICED))
		return;
	sp->kick |= (uint8_t)(1u << i);
	run(w, sp);
}

void
splice_closed(struct dp_worker *w, struct splice *sp, unsigned int i, enum tcp_reason why)
{
	struct splice_leg *l = &sp->leg[i];
	enum splice_cause cause;

	if (l->state == SPLICE_LEG_DOWN)
		return;
	switch (why) {
	case TCP_REASON_NORMAL:
		/* Both FINs went and ours was acknowledged (we shut this leg
		 * after its partner's stream ended): what it sent before its
		 * FIN may still be unread (dp/tcp keeps it for this call). */
		if (l->xp != NULL && !(l->flags & SPLICE_LF_EOF) &&
		    (l->state == SPLICE_LEG_UP || l->state == SPLICE_LEG_HANDSHAKE)) {
			for (;;) {
				struct rte_mbuf *m;
				int n = l->xp->rcv_buf(w, l->id, &m, UINT32_MAX);

				if (n > 0) {
					pend_append(l, m, (uint32_t)n);
					l->bytes_in += (uint64_t)n;
					w->splice->ctr[SPLICE_CTR_BYTES_IN] += (uint64_t)n;
					continue;
				}
				if (n == 0) {
					leg_eof(w, sp, i);
				} else if (n == -EAGAIN && l->xp->wakes(w, l->id) &&
					   tcp_keep_readable(w->tcp, l->id) == 0) {
					/* TLS has its last records on the
					 * accelerator (or waits for a job, an
					 * mbuf): dp/tcp keeps the connection
					 * for us, and the leg is read on as its
					 * transport says ready (leg_end frees
					 * it) */
					l->flags |= SPLICE_LF_GONE;
					w->splice->ctr[SPLICE_CTR_READ_AFTER_CLOSE]++;
					sp->kick |= (uint8_t)(1u << i); /* (what it read) */
					run(w, sp);
					return;
				}
				break;
			}
		}
		if (l->flags & SPLICE_LF_EOF) {
			leg_gone_eof(w, sp, i);
			run(w, sp);
			return;
		}
		cause = SPLICE_CAUSE_RST;          /* (its stream could not be read to its end) */
		break;
	case TCP_REASON_REFUSED:
	case TCP_REASON_SYN_TIMEOUT:
		cause = SPLICE_CAUSE_CONNECT_FAILED;
		break;
	default:
		cause = tcp_reason_gave_up(why) ? SPLICE_CAUSE_TIMEOUT : SPLICE_CAUSE_RST;
		break;
	}
	end_both(w, sp, i, cause, END_GONE);
	run(w, sp);
}

void
splice_leg_fail(struct dp_worker *w, struct splice *sp, unsigned int i,
		enum splice_cause cause)
{
	end_both(w, sp, i, cause, END_ABORT);
	run(w, sp);
}

/*
 * The owner takes leg i out of the splice (its controller subtracted the
 * termination) and keeps the other: what leg i read goes to the other
 * while its send path takes it (the rest is dropped), leg i is closed when
 * it is up (close_notify, FIN) and reset otherwise, then the slot is empty
 * (WAIT, no connection) for a leg that joins later. The other leg's pend
 * and its reads are then held as for a partner not up yet (hold_max); its
 * stream's end, if it came, goes to the leg that joins. The splice's own
 * end (why) is not set by it. A splice whose other leg has ended, or whose
 * other leg's sending side is shut already (leg i's stream end went
 * across), cannot hold anything: it is released instead (cause).
 */
void
splice_leg_sub(struct dp_worker *w, struct splice *sp, unsigned int i, enum splice_cause cause)
{
	struct splice_leg *l = &sp->leg[i], *o = &sp->leg[i ^ 1u];
	uint8_t why = sp->why, why_leg = sp->why_leg;

	if (sp->ended || sp->busy)
		return;
	if (l->state == SPLICE_LEG_DOWN || o->state == SPLICE_LEG_DOWN ||
	    (o->flags & SPLICE_LF_SHUT)) {
		splice_release(w, sp, cause);
		return;
	}
	if (l->pend != NULL && o->state == SPLICE_LEG_UP)
		(void)flush_pend(w, sp, i);     /* (what does not fit is dropped) */
	pend_free(w, l);
	leg_end(w, sp, i, cause, l->state == SPLICE_LEG_UP ? END_CLOSE : END_ABORT);
	sp->why = why;
	sp->why_leg = why_leg;
	if (sp->eof_first == i)
		sp->eof_first = 0xff;
	memset(l, 0, sizeof(*l));
	l->state = SPLICE_LEG_WAIT;
	w->splice->ctr[SPLICE_CTR_SUBTRACTED]++;
	/* the other leg may have waited for leg i's room: it is read on
	 * now up to hold_max */
	sp->kick |= (uint8_t)(1u << (i ^ 1u));
	run(w, sp);
}

void
splice_release(struct dp_worker *w, struct splice *sp, enum splice_cause cause)
{
	if (sp->why == SPLICE_CAUSE_NONE) {
		sp->why = (uint8_t)cause;
		sp->why_leg = SPLICE_LEG_NONE;
	}
	for (unsigned int i = 0; i < 2; i++)
		leg_end(w, sp, i, cause, sp->leg[i].state == SPLICE_LEG_UP ? END_CLOSE :
			END_ABORT);
	pend_free(w, &sp->leg[0]);
	pend_free(w, &sp->leg[1]);
	run(w, sp);
}

static const struct dp_ctrs_family *const splice_families[] = { &splice_ctrs, NULL };

const struct dp_module splice_module = {
	.name = "splice",
	.ctrs = splice_families,
};
