/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What cp/iq keeps of a termination, and the names it gives. An H.248
 * context is an AGW context; its ContextID is made from the AGW id
 * (iq_ctx_h248()): the slot's place among all workers' slots and its
 * generation, so that it needs no table and is the same after cp
 * restarts (dp gives cp its contexts back). A termination is one of the
 * context's two: "tcp/<leg>/<serial>" (a TCP leg) or "rtp/<term>/<serial>"
 * (an RTP termination), serial being cp/agw's number for the termination
 * in that slot, so that a name never names a later termination. Kept:
 * the termination's memo in dp (the Events asked for and hangterm's
 * timerx, which dp gives back to a restarted cp), and cp/iq's own entry
 * per context slot and termination, of each kind's table (whether its
 * end was told, when its heartbeat is due, the serial of the one the
 * controller subtracted), tagged with the termination's serial so that a
 * later termination in the slot never inherits it. What differs between
 * the kinds (where a termination's memo and serial are, its name, its
 * ContextID) is asked here only (iq_term_held() and the rest), so that the
 * Notifies (iq_notify.c) are one code for both. The association sees the
 * contexts it made only (the Iq door's, of iq.tenant: q->who): another's
 * ContextID is an unknown one. The commands (iq_cmd.c) and the Notifies
 * both read them; this file calls neither.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "iq_internal.h"

static uint32_t
slots_total(const struct cp_agw *g)
{
	return (uint32_t)g->nworkers * g->tab[CP_AGW_KIND_TCP].per_worker;
}

uint32_t
iq_ctx_h248(const struct cp_agw *g, uint64_t id)
{
	uint32_t total = slots_total(g);
	/* generations told apart (RTP contexts take IQ_RTP_CTX_BASE on) */
	uint32_t k = (IQ_RTP_CTX_BASE - 1u) / total;
	uint32_t idx = ipc_conn_worker(id) * g->tab[CP_AGW_KIND_TCP].per_worker + ipc_conn_slot(id);

	return 1u + idx + total * (ipc_conn_gen(id) % k);
}

struct cp_agw_ctx *
iq_ctx_of_h248(struct cp_iq *q, uint32_t h)
{
	struct cp_agw *g = q->agw;
	uint32_t total = slots_total(g);
	uint32_t k = (IQ_RTP_CTX_BASE - 1u) / total;
	struct cp_agw_ctx *c;

	if (h == 0 || h >= H248_CTX_CHOOSE)
		return NULL;
	h--;
	if (h / total >= k)
		return NULL;
	c = &g->tab[CP_AGW_KIND_TCP].ctx[h % total];
	if (c->id == 0 || c->state == CP_AGW_RELEASING ||
	    ipc_conn_gen(c->id) % k != h / total || !cp_agw_caller_sees(&q->who, c))
		return NULL;
	return c;
}

/*
 * An RTP context's ContextID: IQ_RTP_CTX_BASE + its slot's place among
 * every worker's + the slot count times its generation (cp/agw counts a
 * slot's generations from 1), modulo what fits below CHOOSE. The same
 * after cp restarts (made from the id alone); back, the id is made from
 * it and looked up, else (a slot used more than k times) the id seen last
 * at that slot is.
 */
static uint32_t
rtp_total(const struct cp_ctx *cp)
{
	return (uint32_t)cp->agw->nworkers * cp->conf->agw.media_contexts;
}

/* (the RTP table's slots a worker are agw.media_contexts) */
static uint32_t
rtp_h248(const struct cp_agw *g, uint64_t id)
{
	uint32_t mc = g->tab[CP_AGW_KIND_RTP].per_worker;
	uint32_t total = (uint32_t)g->nworkers * mc;
	uint32_t k = total != 0 ? (H248_CTX_CHOOSE - IQ_RTP_CTX_BASE) / total : 1u;
	uint32_t idx = ipc_conn_worker(id) * mc + ipc_conn_slot(id);
	uint32_t gen = (ipc_conn_gen(id) & ~CP_AGW_RTP_GEN_BIT) - 1u;

	return IQ_RTP_CTX_BASE + idx + total * (gen % k);
}

uint64_t
cp_iq_rtp_ctx_id(struct cp_ctx *cp, uint32_t h)
{
	const struct cp_agw_ctx *c;

	if (cp->iq == NULL)
		return 0;
	c = iq_rtp_ctx_of_h248(cp, cp->iq, h);
	return c != NULL && c->kind == CP_AGW_KIND_RTP ? c->id : 0;
}

uint32_t
iq_rtp_ctx_h248(const struct cp_ctx *cp, uint64_t id)
{
	return rtp_h248(cp->agw, id);
}

struct cp_agw_ctx *
iq_rtp_ctx_of_h248(struct cp_ctx *cp, struct cp_iq *q, uint32_t h)
{
	uint32_t total, k, idx, g, mc = cp->conf->agw.media_contexts;
	struct cp_agw_ctx *c;

	if (cp->agw == NULL || mc == 0 || h < IQ_RTP_CTX_BASE || h >= H248_CTX_CHOOSE)
		return NULL;
	total = rtp_total(cp);
	k = (H248_CTX_CHOOSE - IQ_RTP_CTX_BASE) / total;
	h -= IQ_RTP_CTX_BASE;
	if (h / total >= k)
		return NULL;
	idx = h % total;
	g = h / total;
	c = cp_agw_lookup(cp, &q->who, ipc_conn_make(idx / mc, idx % mc,
							 (g + 1u) | CP_AGW_RTP_GEN_BIT));
	if (c == NULL && q->rtp_ids != NULL && idx < q->nrtp && q->rtp_ids[idx] != 0 &&
	    iq_rtp_ctx_h248(cp, q->rtp_ids[idx]) == h + IQ_RTP_CTX_BASE)
		c = cp_agw_lookup(cp, &q->who, q->rtp_ids[idx]);
	if (c != NULL && c->state != CP_AGW_LIVE)
		return NULL;
	return c;
}

void
iq_rtp_seen(struct cp_iq *q, uint64_t id, bool gone)
{
	size_t idx;

	if (q->rtp_ids == NULL || q->nrtp == 0)
		return;
	idx = (size_t)ipc_conn_worker(id) * (q->nrtp / q->agw->nworkers) + ipc_conn_slot(id);
	if (idx < q->nrtp)
		q->rtp_ids[idx] = gone ? 0 : id;
}

/* ---- a termination of either kind ------------------------------------------ */

bool
iq_term_held(const struct cp_agw_ctx *c, unsigned int t)
{
	if (t > 1)
		return false;
	if (c->kind == CP_AGW_KIND_RTP)
		return c->rtp.term[t].profile != IPC_RTP_NONE;
	return c->tcp.term[t].tcp_role != 0 && c->tcp.leg_state[t] != CP_AGW_LEG_EMPTY;
}

uint16_t
iq_term_serial(const struct cp_agw_ctx *c, unsigned int t)
{
	if (t > 1)
		return 0;
	return c->kind == CP_AGW_KIND_RTP ? c->rtp.term[t].serial : c->tcp.term[t].serial;
}

const uint8_t *
iq_term_memo(const struct cp_agw_ctx *c, unsigned int t)
{
	_Static_assert(IPC_RTP_MEMO_LEN == IPC_AGW_MEMO_LEN, "one memo layout for both kinds");
	return c->kind == CP_AGW_KIND_RTP ? c->rtp.term[t].memo : c->tcp.term[t].memo;
}

void
iq_term_name_of(const struct cp_agw_ctx *c, unsigned int t, uint16_t serial, char *buf,
		size_t size)
{
	snprintf(buf, size, "%s/%u/%u", c->kind == CP_AGW_KIND_RTP ? "rtp" : "tcp", t, serial);
}

void
iq_term_name(const struct cp_agw_ctx *c, unsigned int t, char *buf, size_t size)
{
	iq_term_name_of(c, t, iq_term_serial(c, t), buf, size);
}

uint32_t
iq_h248_of(const struct cp_agw *g, const struct cp_agw_ctx *c)
{
	return c->kind == CP_AGW_KIND_RTP ? rtp_h248(g, c->id) : iq_ctx_h248(g, c->id);
}

static struct iq_ev *
ev_of(struct cp_iq *q, const struct cp_agw_ctx *c, unsigned int t)
{
	unsigned int k = c->kind < CP_AGW_KINDS ? c->kind : CP_AGW_KIND_TCP;
	size_t idx = (size_t)ipc_conn_worker(c->id) * q->agw->tab[k].per_worker +
		     ipc_conn_slot(c->id);

	if (q->ev[k] == NULL || idx >= q->nev[k] / 2 || t > 1)
		return NULL;
	return &q->ev[k][idx * 2 + t];
}

struct iq_ev *
iq_term_entry(struct cp_iq *q, const struct cp_agw_ctx *c, unsigned int t)
{
	struct iq_ev *e = ev_of(q, c, t);
	uint16_t serial = iq_term_serial(c, t);

	if (e == NULL)
		return NULL;
	if (e->id != c->id) {
		memset(e, 0, sizeof(*e));
		e->id = c->id;
		e->serial = serial;
	} else if (e->serial != serial) {
		/* another termination in the slot: its own told and
		 * heartbeat, the quiet one's serial kept (its end may come
		 * yet) */
		e->serial = serial;
		e->told = false;
		e->thb_due_ms = 0;
	}
	return e;
}

/* The memo's bytes: flags (two, little-endian: the second was 0 before
 * the WebRTC events, so a memo dp kept from then reads the same), then
 * the request id and timerx little-endian (a layout of ours: dp only
 * keeps it). */
void
iq_memo_read(const uint8_t *raw, struct iq_memo *m)
{
	m->flags = (uint16_t)(raw[0] | raw[1] << 8);
	m->rid = (uint32_t)raw[4] | (uint32_t)raw[5] << 8 | (uint32_t)raw[6] << 16 |
		 (uint32_t)raw[7] << 24;
	m->timerx_s = (uint32_t)raw[8] | (uint32_t)raw[9] << 8 | (uint32_t)raw[10] << 16 |
		      (uint32_t)raw[11] << 24;
}

void
iq_memo_write(const struct iq_memo *m, uint8_t *raw)
{
	memset(raw, 0, IPC_AGW_MEMO_LEN);
	raw[0] = (uint8_t)m->flags;
	raw[1] = (uint8_t)(m->flags >> 8);
	for (unsigned int i = 0; i < 4; i++) {
		raw[4 + i] = (uint8_t)(m->rid >> (8 * i));
		raw[8 + i] = (uint8_t)(m->timerx_s >> (8 * i));
	}
}

void
iq_events_touch(struct cp_iq *q, const struct cp_agw_ctx *c, unsigned int t)
{
	struct iq_ev *e = iq_term_entry(q, c, t);

	if (e != NULL)
		e->thb_due_ms = 0;
}

void
iq_events_silence(struct cp_iq *q, const struct cp_agw_ctx *c, unsigned int t, uint16_t serial)
{
	struct iq_ev *e = iq_term_entry(q, c, t);

	if (e != NULL)
		e->quiet = serial;
}

int
iq_term_init(struct cp_ctx *cp, struct cp_iq *q)
{
	q->agw = cp->agw;
	q->who.door = CP_AGW_DOOR_IQ;
	q->who.tenant = (uint8_t)cp->conf->iq.tenant_idx;
	q->who.is_operator = false;
	for (unsigned int k = 0; k < CP_AGW_KINDS; k++) {
		q->nev[k] = (size_t)cp->agw->nworkers * cp->agw->tab[k].per_worker * 2;
		q->ev[k] = q->nev[k] > 0 ? calloc(q->nev[k], sizeof(*q->ev[k])) : NULL;
		if (q->nev[k] > 0 && q->ev[k] == NULL)
			return -ENOMEM;
	}
	q->nrtp = (size_t)cp->agw->nworkers * cp->conf->agw.media_contexts;
	q->rtp_ids = q->nrtp > 0 ? calloc(q->nrtp, sizeof(*q->rtp_ids)) : NULL;
	if (q->nrtp > 0 && q->rtp_ids == NULL)
		q->nrtp = 0;
	return 0;
}

void
iq_term_fini(struct cp_iq *q)
{
	for (unsigned int k = 0; k < CP_AGW_KINDS; k++) {
		free(q->ev[k]);
		q->ev[k] = NULL;
		q->nev[k] = 0;
	}
	free(q->rtp_ids);
	q->rtp_ids = NULL;
	q->nrtp = 0;
}
