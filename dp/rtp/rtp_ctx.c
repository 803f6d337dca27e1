/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/rtp's tables and its contexts as cp changes them. A worker's tables
 * are made once, at set-up, sized by agw.media_contexts and its share of
 * agw.media_ports: the contexts by slot (the slot cp's id names), the
 * addresses a termination may be on (every port's own and relayed
 * address), and the port table a datagram finds its termination by. cp's
 * RTP_ADD installs a context whole or not at all (RELEASED setup_failed,
 * with the reason); RTP_MOD adds, modifies or subtracts one termination;
 * RTP_DEL releases it, its last figures going back to cp.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "li_dp.h"
#include "rtp_dp_private.h"
#include "rtp_srtp.h"
#include "steer.h"
#include "tp_conf.h"

/* Final events (SUBTRACTED, RELEASED, RTP_STATS) a worker keeps while the
 * ring to cp has no room: each answers a message of cp's, so this bounds
 * what a cp that stopped reading meanwhile can have asked. */
#define RTP_OUT_CAP 4096u

/* ---- the address table ------------------------------------------------------ */

static void
addr_add4(struct rtp_worker *rw, const uint8_t *ip)
{
	uint32_t d;
	uint8_t *e;

	memcpy(&d, ip, 4);
	for (unsigned int i = 0; i < rw->naddr4; i++)
		if (rw->addr4[i] == d)
			return;
	if (rw->naddr4 == RTP_DP_ADDRS)
		return;
	rw->addr4[rw->naddr4++] = d;
	e = &rw->addr4_at[ip[3]];
	*e = *e == 0 ? rw->naddr4 : RTP_DP_ADDR_SCAN;
}

static void
addr_add6(struct rtp_worker *rw, const uint8_t *ip)
{
	uint8_t *e;

	for (unsigned int i = 0; i < rw->naddr6; i++)
		if (dp_ip6_eq(rw->addr6[i], ip))
			return;
	if (rw->naddr6 == RTP_DP_ADDRS)
		return;
	memcpy(rw->addr6[rw->naddr6++], ip, 16);
	e = &rw->addr6_at[ip[15]];
	*e = *e == 0 ? rw->naddr6 : RTP_DP_ADDR_SCAN;
}

/* Every address of dp's a termination may be on: the ports' own and
 * relayed ones (dp answers ARP, ND and echo for them already). The module
 * sets up before the ports start, so they come from the configuration as
 * dp_ports_init() will make them; ports that are up already (a harness
 * that makes them itself) are taken as they are. */
static int
addr_table(struct rtp_worker *rw, const struct dp_ctx *ctx)
{
	unsigned int n = ctx->nports != 0 ? ctx->nports : ctx->conf->dp.nports;
	struct dp_port *tmp = NULL;

	if (ctx->nports == 0 && n != 0 && (tmp = malloc(sizeof(*tmp))) == NULL)
		return -ENOMEM;
	for (unsigned int p = 0; p < n; p++) {
		const struct dp_port *port = &ctx->ports[p];

		if (tmp != NULL) {
			memset(tmp, 0, sizeof(*tmp));
			dp_port_from_conf(tmp, ctx->conf, p);
			port = tmp;
		}
		if (port->has_ip4)
			addr_add4(rw, port->ip4);
		for (unsigned int i = 0; i < port->nrelay4; i++)
			addr_add4(rw, (const uint8_t *)&port->relay4[i]);
		if (port->has_ip6)
			addr_add6(rw, port->ip6);
		for (unsigned int i = 0; i < port->nrelay6; i++)
			addr_add6(rw, port->relay6[i]);
	}
	free(tmp);
	return 0;
}

/* ---- a worker's tables -------------------------------------------------------- */

int
rtp_worker_init(struct dp_worker *w, const struct rtp_srtp_ops *srtp)
{
	const struct tp_conf_agw *ac = &w->ctx->conf->agw;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct rtp_worker *rw;
	uint32_t evq = 64, naddr;

	if (socket < 0)
		socket = SOCKET_ID_ANY;
	rw = rte_zmalloc_socket("rtp", sizeof(*rw), 64, socket);
	if (rw == NULL)
		return -ENOMEM;
	w->rtp = rw;
	rw->srtp_ops = srtp;
	rw->max = ac->media_contexts;
	rw->relatch_ms = ac->media_relatch_ms;
	rw->ice_consent_ms = ac->ice_consent_ms >= TP_CONF_ICE_CONSENT_MIN_MS ?
			     ac->ice_consent_ms : TP_CONF_ICE_CONSENT_MIN_MS;
	rw->tsc_hz = w->ctx->tsc_hz != 0 ? w->ctx->tsc_hz : 1;
	if (steer_relay_share(ac->media_min, ac->media_max, w->ctx->nworkers, w->id,
			      &rw->port_lo, &rw->port_hi))
		rw->nports = (uint32_t)rw->port_hi - rw->port_lo + 1u;
	if (addr_table(rw, w->ctx) < 0)
		return -ENOMEM;
	naddr = (uint32_t)rw->naddr4 + rw->naddr6;
	/* a slot may be in the FIFO twice (freed and reused before its first
	 * entry went): twice the slots */
	while (evq < 2u * rw->max)
		evq <<= 1;
	rw->evq_mask = evq - 1u;
	rw->ctx = rte_zmalloc_socket("rtp_ctx", (size_t)rw->max * sizeof(*rw->ctx), 64, socket);
	rw->bdl = rte_zmalloc_socket("rtp_bundle", (size_t)rw->max * sizeof(*rw->bdl), 64,
				     socket);
	rw->port_tab = rte_zmalloc_socket("rtp_ports", ((size_t)naddr * rw->nports + 1u) *
					  sizeof(*rw->port_tab), 64, socket);
	rw->evq = rte_zmalloc_socket("rtp_evq", (size_t)evq * sizeof(*rw->evq), 64, socket);
	rw->out_mem = rte_zmalloc_socket("rtp_out", ipc_backlog_size(RTP_OUT_CAP,
					 sizeof(struct ipc_rtp_event), false), 64, socket);
	if (rw->ctx == NULL || rw->bdl == NULL || rw->port_tab == NULL || rw->evq == NULL ||
	    rw->out_mem == NULL ||
	    ipc_backlog_setup(&rw->out, rw->out_mem, RTP_OUT_CAP, sizeof(struct ipc_rtp_event),
			      false) < 0)
		return -ENOMEM;
	/* SRTP's contexts: an entry per termination slot, made now */
	if (srtp != NULL && (rw->srtp_ws = srtp->worker_init(2u * rw->max, socket)) == NULL)
		return -ENOMEM;
	return 0;
}

void
rtp_worker_free(struct dp_worker *w)
{
	struct rtp_worker *rw = w->rtp;

	if (rw == NULL)
		return;
	/* the keys (cp's in each termination's cfg, SRTP's session keys)
	 * do not outlive dp */
	if (rw->srtp_ws != NULL)
		rw->srtp_ops->worker_free(rw->srtp_ws);
	rw->srtp_ws = NULL;
	rtp_li_free(rw);
	if (rw->ctx != NULL)
		explicit_bzero(rw->ctx, (size_t)rw->max * sizeof(*rw->ctx));
	rte_free(rw->ctx);
	rte_free(rw->bdl);
	rte_free(rw->port_tab);
	rte_free(rw->evq);
	rte_free(rw->out_mem);
	rte_free(rw);
	w->rtp = NULL;
}

/* ---- a termination ------------------------------------------------------------ */

/* The context id names here, or NULL (gone: another generation, or none). */
static struct rtp_ctx *
ctx_of(const struct rtp_worker *rw, uint64_t id)
{
	uint32_t slot = ipc_conn_slot(id);

	if (slot >= rw->max || rw->ctx[slot].id != id)
		return NULL;
	return &rw->ctx[slot];
}

/* ---- BUNDLE groups (RFC 9143) ----------------------------------------------- */

/* The termination of idx (slot * 2 + term). */
static inline struct rtp_term *
term_at(const struct rtp_worker *rw, uint32_t idx)
{
	return &rw->ctx[idx >> 1].t[idx & 1u];
}

/* Is ssrc bound in g to a section other than place p? */
static bool
bundle_ssrc_other(const struct rtp_bundle *g, uint32_t ssrc, unsigned int p)
{
	for (unsigned int k = 0; k < g->nbind; k++)
		if (g->bind_ssrc[k] == ssrc && g->bind_m[k] != p)
			return true;
	return false;
}

/*
 * The clash rule's table (rtp_input.c's bundle_out(): no SSRC two sections
 * send the peer under the group's key, RFC 3711 §9.1) is what each
 * section's SRTP out context holds: its streams, the SSRCs it protected
 * under the key or was given positions for (a restarted dp's), read anew
 * whenever they change (a new stream protected: the protect's
 * RTP_SRTP_TELL; installed; keyed anew, where a fresh key's contexts hold
 * none). An SSRC dropped before its protect (no consent, no destination,
 * no key yet) holds no place: it was never protected, and the section's
 * context keeps its room for what it will protect.
 */
void
rtp_bundle_out_sync(struct rtp_worker *rw, uint32_t idx)
{
	const struct rtp_term *t = term_at(rw, idx);
	struct ipc_srtp_pos pos;
	struct rtp_bundle *g;
	unsigned int m;

	if (!(t->srtp & RTP_SRTP_OUT) || t->bundle == IPC_RTP_BUNDLE_NONE ||
	    (t->bundle == IPC_RTP_BUNDLE_MEMBER && t->xport == 0))
		return;
	g = &rw->bdl[(t->bundle == IPC_RTP_BUNDLE_OWNER ? idx : t->xport - 1u) >> 1];
	for (m = 0; m < g->n && g->idx[m] != idx; m++)
		;
	if (m == g->n)
		return;
	rw->srtp_ops->position(t->srtp_out, &pos);
	g->nout[m] = pos.nstreams;
	for (unsigned int k = 0; k < pos.nstreams; k++)
		g->out_ssrc[m][k] = pos.stream[k].ssrc;
}

/* g's sections' mids, payload types and signalled SSRCs anew from their
 * cfg (a section joined, left or changed): a payload type two sections
 * have goes by neither (RTP_BUNDLE_SHARED; cp refuses such a group); an
 * SSRC is bound to the first section that signals it (dp refuses a
 * second); the SSRCs learnt (rtp_input.c) stay bound to their sections. */
static void
bundle_rebuild(const struct rtp_worker *rw, struct rtp_bundle *g)
{
	uint32_t lssrc[RTP_BUNDLE_BINDS];
	uint8_t lm[RTP_BUNDLE_BINDS];
	unsigned int nl = 0;

	/* the learnt bindings of sections still here (bundle_leave() marked
	 * those of a section gone), and those of sections released under
	 * SRTP (signalled or learnt: RTP_BUNDLE_RELEASED) */
	for (unsigned int k = 0; k < g->nbind; k++)
		if ((k >= g->nsig && g->bind_m[k] < g->n) ||
		    g->bind_m[k] == RTP_BUNDLE_RELEASED) {
			lssrc[nl] = g->bind_ssrc[k];
			lm[nl++] = g->bind_m[k];
		}
	memset(g->pt_of, 0, sizeof(g->pt_of));
	g->nbind = 0;
	g->mid_ext = term_at(rw, g->idx[0])->cfg.bundle.mid_ext;
	for (unsigned int p = 0; p < g->n; p++) {
		const struct ipc_rtp_bundle *b = &term_at(rw, g->idx[p])->cfg.bundle;

		g->mid_len[p] = b->mid_len;
		memcpy(g->mid[p], b->mid, sizeof(g->mid[p]));
		for (unsigned int pt = 0; pt < 128; pt++)
			if (b->pt[pt / 8] & (1u << (pt % 8)))
				g->pt_of[pt] = g->pt_of[pt] == 0 ? (uint8_t)(p + 1u) :
					       RTP_BUNDLE_SHARED;
		for (unsigned int k = 0; k < b->nssrc && g->nbind < RTP_BUNDLE_BINDS; k++) {
			g->bind_ssrc[g->nbind] = b->ssrc[k];
			g->bind_m[g->nbind++] = (uint8_t)p;
		}
	}
	g->nsig = g->nbind;
	/* (a learnt SSRC now signalled goes by its signalling; a released
	 * one is never signalled: term_check_bundle() and the modifies
	 * refuse it; one that no longer fits drops every unbound SSRC) */
	for (unsigned int i = 0; i < nl; i++) {
		if (bundle_ssrc_other(g, lssrc[i], RTP_BUNDLE_MAX))
			continue;
		if (g->nbind < RTP_BUNDLE_BINDS) {
			g->bind_ssrc[g->nbind] = lssrc[i];
			g->bind_m[g->nbind++] = lm[i];
		} else if (lm[i] == RTP_BUNDLE_RELEASED) {
			g->released_full = 1;
		}
	}
}

/* A new receive key (an owner's new a=crypto, a new DTLS association):
 * what released sections received was under the old one, their SSRCs
 * bind anew. */
static void
bundle_released_forget(struct rtp_bundle *g)
{
	unsigned int n = g->nsig;

	for (unsigned int k = g->nsig; k < g->nbind; k++)
		if (g->bind_m[k] != RTP_BUNDLE_RELEASED) {
			g->bind_ssrc[n] = g->bind_ssrc[k];
			g->bind_m[n++] = g->bind_m[k];
		}
	g->nbind = (uint8_t)n;
	g->released_full = 0;
}

/* A MEMBER t (idx) keyed with its owner ot's keys (the group's one key:
 * one SDES a=crypto or one DTLS association a transport)
 * into its own entry of the SRTP table, at its own positions: cfg's (cp's,
 * for a restarted dp), or those its contexts stand at (pos_from_ctx: the
 * owner re-keyed, RFC 3711 §3.3.1 keeps the ROC), or none (fresh: a new
 * association's keys start over). Nothing while the owner has none (a
 * DTLS-SRTP owner before its handshake: they come with it). */
static void
bundle_member_keys(struct rtp_worker *rw, struct rtp_term *t, uint32_t idx,
		   const struct rtp_term *ot, bool fresh)
{
	struct ipc_srtp_key rx, tx;
	struct ipc_srtp_pos pos;

	if (!t->srtp || ot->srtp_in == NULL)
		return;
	rx = ot->cfg.srtp_rx;
	tx = ot->cfg.srtp_tx;
	rx.nstreams = 0;
	tx.nstreams = 0;
	memset(rx.stream, 0, sizeof(rx.stream));
	memset(tx.stream, 0, sizeof(tx.stream));
	rx.srtcp_index = 0;
	tx.srtcp_index = 0;
	if (!fresh && t->srtp_in != NULL) {
		rw->srtp_ops->position(t->srtp_in, &pos);
		rx.nstreams = pos.nstreams;
		memcpy(rx.stream, pos.stream, sizeof(rx.stream));
		rx.srtcp_index = pos.srtcp_index;
		rw->srtp_ops->position(t->srtp_out, &pos);
		tx.nstreams = pos.nstreams;
		memcpy(tx.stream, pos.stream, sizeof(tx.stream));
		tx.srtcp_index = pos.srtcp_index;
	} else if (!fresh) {
		rx.nstreams = t->cfg.srtp_rx.nstreams;
		memcpy(rx.stream, t->cfg.srtp_rx.stream, sizeof(rx.stream));
		rx.srtcp_index = t->cfg.srtp_rx.srtcp_index;
		tx.nstreams = t->cfg.srtp_tx.nstreams;
		memcpy(tx.stream, t->cfg.srtp_tx.stream, sizeof(tx.stream));
		tx.srtcp_index = t->cfg.srtp_tx.srtcp_index;
	}
	rw->srtp_ops->install(rw->srtp_ws, idx, &rx, &tx, &t->srtp_in, &t->srtp_out);
	rtp_srtp_trailers(&rx, t);
	/* what it holds, as lib/ipc has a member's keys: the suite, no key
	 * octet (RTP_STATE adds the positions: with none of the key's, a
	 * member of a DTLS-SRTP owner would be given back as a key of no
	 * suite with streams) */
	explicit_bzero(rx.key, sizeof(rx.key));
	explicit_bzero(tx.key, sizeof(tx.key));
	t->cfg.srtp_rx = rx;
	t->cfg.srtp_tx = tx;
	explicit_bzero(&rx, sizeof(rx));
	explicit_bzero(&tx, sizeof(tx));
}

/* Owner ot (idx oidx) has new keys: each of its members takes them; with
 * a new key towards the peer (tx_new), the SSRCs sections gone sent under
 * the old one are free again; with a new key from it (rx_new), those
 * released sections received. */
static void
bundle_keys_out(struct rtp_worker *rw, const struct rtp_term *ot, uint32_t oidx, bool fresh,
		bool tx_new, bool rx_new)
{
	struct rtp_bundle *g = &rw->bdl[oidx >> 1];

	for (unsigned int p = 1; p < g->n; p++)
		bundle_member_keys(rw, term_at(rw, g->idx[p]), g->idx[p], ot, fresh);
	if (rx_new)
		bundle_released_forget(g);
	if (tx_new) {
		g->ngone = 0;
		g->gone_full = 0;
	}
	/* (fresh: every section's context starts over, and holds none) */
	for (unsigned int p = 0; p < g->n; p++)
		rtp_bundle_out_sync(rw, g->idx[p]);
}

/*
 * A section installed with send positions under its key (cfg's srtp_tx
 * streams or SRTCP index: a restarted dp's re-add, cp giving back where
 * it last heard, and cp moves a keyed owner's SRTCP index on at every
 * re-add, so no re-add of a keyed group passes unseen): what the dp before
 * protected under that key is not all known here. Each section's own
 * SSRCs come back with its positions (its context refuses their indices
 * up to them plus IPC_SRTP_POS_LAG) and stay its own (the table is read
 * from the contexts); but an SSRC a section began to protect after cp last
 * heard, and every SSRC of a section released before (the gone list is
 * not carried), could be taken by another section from an index already
 * used. So every SSRC no section's context holds is refused (gone_full)
 * until a new key towards the peer: then no two sections ever protect one
 * (SSRC, index) under the group's key.
 */
static void
bundle_restarted(struct rtp_worker *rw, const struct rtp_term *t, uint32_t oidx,
		 const struct ipc_rtp_term *cfg)
{
	if (t->srtp_out != NULL &&
	    (cfg->srtp_tx.nstreams != 0 || cfg->srtp_tx.srtcp_index != 0))
		rw->bdl[oidx >> 1].gone_full = 1;
}

/* Member idx leaves the group of owner oidx. */
static void
bundle_leave(struct rtp_worker *rw, uint32_t oidx, uint32_t idx)
{
	struct rtp_bundle *g = &rw->bdl[oidx >> 1];
	unsigned int p;

	for (p = 1; p < g->n && g->idx[p] != idx; p++)
		;
	if (p == g->n)
		return;
	/* its learnt SSRCs go with it (RTP_BUNDLE_MAX: bundle_rebuild()
	 * drops them); under SRTP its SSRCs, signalled and learnt, stay as
	 * RTP_BUNDLE_RELEASED until a new receive key: its packets were
	 * authenticated under the group's key, and a later section's fresh
	 * replay window would take them again (a captured MID-less packet
	 * routed there by payload type). The places after it move down one */
	for (unsigned int k = 0; k < g->nbind; k++)
		if (g->bind_m[k] == p)
			g->bind_m[k] = term_at(rw, oidx)->srtp ? RTP_BUNDLE_RELEASED :
				       RTP_BUNDLE_MAX;
		else if (g->bind_m[k] > p && g->bind_m[k] < RTP_BUNDLE_MAX)
			g->bind_m[k]--;
	/* what it sent the peer stays refused to the others while the key
	 * lives: its indices under that SSRC were used (RFC 3711 §9.1) */
	for (unsigned int k = 0; k < g->nout[p]; k++)
		if (g->ngone < RTP_BUNDLE_BINDS)
			g->gone_ssrc[g->ngone++] = g->out_ssrc[p][k];
		else
			g->gone_full = 1;
	memmove(&g->idx[p], &g->idx[p + 1], (g->n - p - 1u) * sizeof(g->idx[0]));
	memmove(&g->out_ssrc[p], &g->out_ssrc[p + 1], (g->n - p - 1u) * sizeof(g->out_ssrc[0]));
	memmove(&g->nout[p], &g->nout[p + 1], (g->n - p - 1u) * sizeof(g->nout[0]));
	g->n--;
	g->nout[g->n] = 0;
	bundle_rebuild(rw, g);
}

/* Owner oidx leaves first (cp releases members first; dp defends): its
 * members keep their contexts, with no transport (their packets have
 * nowhere to go). */
static void
bundle_orphan(struct rtp_worker *rw, uint32_t oidx)
{
	struct rtp_bundle *g = &rw->bdl[oidx >> 1];

	for (unsigned int p = 1; p < g->n; p++)
		term_at(rw, g->idx[p])->xport = 0;
	memset(g, 0, sizeof(*g));
}

/*
 * Why cfg's place in a BUNDLE group cannot be taken (NULL: it can, or it
 * has none), other the context's other termination (NULL: none): one
 * bundled termination a context (the access side's); a MEMBER's owner a
 * context of this worker's whose termination owns a group with room, its
 * mid and SSRCs no other section's there, SRTP as its owner has it, its
 * suites the owner's.
 */
static const char *
term_check_bundle(const struct rtp_worker *rw, const struct ipc_rtp_term *cfg,
		  const struct ipc_rtp_term *other)
{
	const struct ipc_rtp_bundle *b = &cfg->bundle;
	const struct rtp_bundle *g;
	const struct rtp_term *ot;
	struct rtp_ctx *oc;

	if (b->role == IPC_RTP_BUNDLE_NONE)
		return NULL;
	if (other != NULL && other->bundle.role != IPC_RTP_BUNDLE_NONE)
		return "both of its terminations would be in BUNDLE";
	if (b->role == IPC_RTP_BUNDLE_OWNER)
		return NULL;
	oc = ctx_of(rw, b->owner);
	if (oc == NULL)
		return "its BUNDLE owner is no context of this worker's";
	ot = &oc->t[b->owner_term];
	if (!ot->on || ot->bundle != IPC_RTP_BUNDLE_OWNER)
		return "its BUNDLE owner's termination owns no group";
	g = &rw->bdl[oc - rw->ctx];
	if (g->n == RTP_BUNDLE_MAX)
		return "its BUNDLE group has 8 sections already";
	for (unsigned int p = 0; p < g->n; p++)
		if (g->mid_len[p] == b->mid_len && memcmp(g->mid[p], b->mid, b->mid_len) == 0)
			return "its mid is another section's of its BUNDLE group";
	for (unsigned int k = 0; k < b->nssrc; k++)
		if (bundle_ssrc_other(g, b->ssrc[k], RTP_BUNDLE_MAX))
			return "its SSRC is another section's of its BUNDLE group";
	if ((cfg->profile == IPC_RTP_SAVP || cfg->profile == IPC_RTP_SAVPF) != (ot->srtp != 0))
		return "SRTP on it and not on its BUNDLE owner, or the reverse";
	if (ot->srtp != 0 && ot->srtp_in != NULL &&
	    ((cfg->srtp_rx.suite != 0 && cfg->srtp_rx.suite != ot->cfg.srtp_rx.suite) ||
	     (cfg->srtp_tx.suite != 0 && cfg->srtp_tx.suite != ot->cfg.srtp_tx.suite)))
		return "its SRTP suite is not its BUNDLE owner's";
	return NULL;
}


void
rtp_term_dest(struct rtp_term *t)
{
	const struct ipc_rtp_term *c = &t->cfg;

	memset(&t->rtp_to, 0, sizeof(t->rtp_to));
	memset(&t->rtcp_to, 0, sizeof(t->rtcp_to));
	if (t->ice) {
		/* ICE: the nominated pairs only, never the signalled remote
		 * (whose consent nothing proved, RFC 7675) */
		if (t->latched & IPC_RTP_LATCHED_RTP)
			t->rtp_to = t->rtp_src;
		if (t->flags & IPC_RTP_F_MUX)
			t->rtcp_to = t->rtp_to;
		else if (t->latched & IPC_RTP_LATCHED_RTCP)
			t->rtcp_to = t->rtcp_src;
		return;
	}
	if (t->latched & IPC_RTP_LATCHED_RTP)
		t->rtp_to = t->rtp_src;
	else if (c->remote.family != 0 && c->remote.port != 0)
		t->rtp_to = c->remote;
	if (t->flags & IPC_RTP_F_MUX) {
		t->rtcp_to = t->rtp_to;
		return;
	}
	if (t->latched & IPC_RTP_LATCHED_RTCP) {
		t->rtcp_to = t->rtcp_src;
	} else if (c->remote.family != 0 && (c->remote_rtcp != 0 || c->remote.port != 0)) {
		/* RFC 3550 §11: RTCP on the next port unless a=rtcp says */
		t->rtcp_to = c->remote;
		t->rtcp_to.port = c->remote_rtcp != 0 ? c->remote_rtcp :
				  (uint16_t)(c->remote.port + 1u);
	}
}

/* What of cfg the fast path reads, from cfg (install and modify). */
static void
term_take(struct rtp_worker *rw, struct rtp_term *t, const struct ipc_rtp_term *cfg)
{
	uint32_t hz = cfg->clock_hz != 0 ? cfg->clock_hz : 8000u;

	t->cfg = *cfg;
	t->mode = cfg->mode;
	t->flags = cfg->flags;
	t->ds = (uint8_t)(cfg->dscp << 2);
	t->gm_family = cfg->gm_addr.family;
	t->gm_plen = cfg->gm_plen;
	memcpy(t->gm_addr, cfg->gm_addr.ip, 16);
	t->gm_port_lo = cfg->gm_port_lo;
	t->gm_port_hi = cfg->gm_port_hi;
	t->latch = cfg->latch;
	t->ice = cfg->ice.mode;
	t->open = cfg->latch == IPC_RTP_LATCH_OFF && cfg->gm_addr.family == 0 &&
		  cfg->gm_port_hi == 0 && cfg->ice.mode == IPC_RTP_ICE_OFF;
	t->clock_mul = (uint64_t)(((unsigned __int128)hz << 32) / rw->tsc_hz);
	if (cfg->pol_rate != t->pol_rate || cfg->pol_burst != t->pol_burst) {
		/* a policing set anew starts full (a change of rate keeps
		 * what the bucket holds, within the new burst) */
		uint64_t cap = (uint64_t)cfg->pol_burst * 1000u;

		if (t->pol_rate == 0 || t->pol_tokens > cap)
			t->pol_tokens = cap;
	}
	t->pol_rate = cfg->pol_rate;
	t->pol_burst = cfg->pol_burst;
	t->inact_ms = cfg->inact_ms;
}

/* Why cfg's DTLS-SRTP cannot be taken (NULL: it can, or it has none):
 * the ops registered, rtcp-mux (DTLS on the RTP flow only: lib/ipc
 * refuses a pair already), what the ops say. */
static const char *
term_check_dtls(const struct rtp_worker *rw, const struct ipc_rtp_term *cfg)
{
	if (cfg->dtls.role == IPC_RTP_DTLS_NONE)
		return NULL;
	if (rw->dtls_ops == NULL)
		return "DTLS-SRTP is not available in this dp";
	if (!(cfg->flags & IPC_RTP_F_MUX))
		return "DTLS-SRTP needs rtcp-mux";
	return rw->dtls_ops->check(cfg);
}

/* Why cfg cannot be termination term of context slot (NULL: it can): its
 * address, its ports in this worker's share and free. */
static const char *
term_check(const struct rtp_worker *rw, const struct ipc_rtp_term *cfg, char *buf,
	   size_t len)
{
	int aidx = rtp_addr_index(rw, cfg->local.family, cfg->local.ip);
	const uint32_t *e;

	/* a MEMBER has no port or address (its owner's: term_check_bundle()
	 * judged that) and its keys' octets are its owner's */
	if (cfg->bundle.role == IPC_RTP_BUNDLE_MEMBER)
		return rw->srtp_ops == NULL && (cfg->profile == IPC_RTP_SAVP ||
						 cfg->profile == IPC_RTP_SAVPF) ?
		       "SRTP is not available in this dp" : NULL;
	if (cfg->profile == IPC_RTP_SAVP || cfg->profile == IPC_RTP_SAVPF) {
		const char *why;

		if (rw->srtp_ops == NULL)
			return "SRTP is not available in this dp";
		why = term_check_dtls(rw, cfg);
		if (why != NULL)
			return why;
		/* (DTLS-SRTP's keys come from its handshake, or with
		 * IPC_RTP_DTLS_F_KEYS from the association's last one) */
		if (cfg->dtls.role == IPC_RTP_DTLS_NONE || (cfg->dtls.flags & IPC_RTP_DTLS_F_KEYS))
			why = rw->srtp_ops->check(rw->srtp_ws, &cfg->srtp_rx, &cfg->srtp_tx);
		if (why != NULL)
			return why;
	}
	/* ICE's MESSAGE-INTEGRITY is HMAC-SHA1 on SRTP's libipsec-mb */
	if (cfg->ice.mode != IPC_RTP_ICE_OFF &&
	    (rw->srtp_ops == NULL || rw->srtp_ops->mac == NULL || rw->srtp_ops->mac_key == NULL))
		return "ICE is not available in this dp (its HMAC-SHA1 is SRTP's, libipsec-mb)";
	if (aidx < 0)
		return "its local address is not one of dp's";
	e = rtp_port_slot(rw, aidx, cfg->local.port);
	if (e == NULL) {
		snprintf(buf, len, "port %u is outside worker's share %u-%u of agw.media_ports",
			 cfg->local.port, rw->port_lo, rw->port_hi);
		return buf;
	}
	if (*e != 0) {
		snprintf(buf, len, "port %u is taken", cfg->local.port);
		return buf;
	}
	if (!(cfg->flags & IPC_RTP_F_MUX)) {
		e = rtp_port_slot(rw, aidx, cfg->rtcp_port);
		if (e == NULL) {
			snprintf(buf, len, "RTCP port %u is outside worker's share %u-%u of "
				 "agw.media_ports", cfg->rtcp_port, rw->port_lo, rw->port_hi);
			return buf;
		}
		if (*e != 0) {
			snprintf(buf, len, "RTCP port %u is taken", cfg->rtcp_port);
			return buf;
		}
	}
	return NULL;
}

/* Install MEMBER cfg as t (idx), checked (term_check_bundle()): the
 * owner's address and port as its own (what goes out of the group goes
 * from there), no entry in the port table (its packets come through the
 * owner's), SRTP under its owner's keys, a section of the owner's group. */
static void
term_install_member(struct dp_worker *w, struct rtp_term *t, uint32_t idx,
		    const struct ipc_rtp_term *cfg)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_ctx *oc = ctx_of(rw, cfg->bundle.owner);
	uint32_t oidx = 2u * (uint32_t)(oc - rw->ctx) + cfg->bundle.owner_term;
	const struct rtp_term *ot = term_at(rw, oidx);
	struct rtp_bundle *g = &rw->bdl[oidx >> 1];

	t->bundle = IPC_RTP_BUNDLE_MEMBER;
	t->xport = oidx + 1u;
	t->family = ot->family;
	memcpy(t->local, ot->local, 16);
	t->port = ot->port;
	t->rtcp_port = ot->port;
	t->srtp = cfg->profile == IPC_RTP_SAVP || cfg->profile == IPC_RTP_SAVPF ?
		  RTP_SRTP_IN | RTP_SRTP_OUT : 0;
	t->heard_ms = w->now_ms;
	t->watched_ms = w->now_ms;
	term_take(rw, t, cfg);
	bundle_member_keys(rw, t, idx, ot, false);
	rtp_term_dest(t);
	g->nout[g->n] = 0;
	g->idx[g->n++] = idx;
	bundle_rebuild(rw, g);
	rtp_bundle_out_sync(rw, idx);
	bundle_restarted(rw, t, oidx, cfg);
}

/* Install cfg as termination i of context c (slot), checked. */
static void
term_install(struct dp_worker *w, struct rtp_ctx *c, uint32_t slot, unsigned int i,
	     const struct ipc_rtp_term *cfg)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_term *t = &c->t[i];
	int aidx = rtp_addr_index(rw, cfg->local.family, cfg->local.ip);

	memset(t, 0, sizeof(*t));
	t->on = 1;
	if (cfg->bundle.role == IPC_RTP_BUNDLE_MEMBER) {
		term_install_member(w, t, 2u * slot + i, cfg);
		/* a member added to a tapped context takes its tap as any
		 * termination does (li.md §8, V3: it did not) */
		rtp_li_term_on(rw, c);
		return;
	}
	t->family = cfg->local.family;
	memcpy(t->local, cfg->local.ip, 16);
	t->port = cfg->local.port;
	t->rtcp_port = (cfg->flags & IPC_RTP_F_MUX) ? cfg->local.port : cfg->rtcp_port;
	t->srtp = cfg->profile == IPC_RTP_SAVP || cfg->profile == IPC_RTP_SAVPF ?
		  RTP_SRTP_IN | RTP_SRTP_OUT : 0;
	t->dtls = cfg->dtls.role != IPC_RTP_DTLS_NONE ? RTP_DTLS_ON : 0;
	t->heard_ms = w->now_ms;
	t->watched_ms = w->now_ms;
	term_take(rw, t, cfg);
	if (t->ice)
		rtp_ice_reset(w, t);
	/* (DTLS-SRTP without the association's keys: no context, SRTP
	 * dropped no_key both ways until its handshake gives them) */
	if (t->srtp && (!t->dtls || (cfg->dtls.flags & IPC_RTP_DTLS_F_KEYS))) {
		rw->srtp_ops->install(rw->srtp_ws, 2u * slot + i, &cfg->srtp_rx, &cfg->srtp_tx,
				      &t->srtp_in, &t->srtp_out);
		rtp_srtp_trailers(&cfg->srtp_rx, t);
	}
	rtp_term_dest(t);
	*rtp_port_slot(rw, aidx, t->port) = rtp_entry_make(slot, i, false);
	if (!(t->flags & IPC_RTP_F_MUX))
		*rtp_port_slot(rw, aidx, t->rtcp_port) = rtp_entry_make(slot, i, true);
	if (cfg->bundle.role == IPC_RTP_BUNDLE_OWNER) {
		struct rtp_bundle *g = &rw->bdl[slot];

		memset(g, 0, sizeof(*g));
		t->bundle = IPC_RTP_BUNDLE_OWNER;
		g->idx[0] = 2u * slot + i;
		g->n = 1;
		bundle_rebuild(rw, g);
		rtp_bundle_out_sync(rw, 2u * slot + i);
		bundle_restarted(rw, t, 2u * slot + i, cfg);
	}
	if (t->dtls)
		rw->dtls_ops->set(w, 2u * slot + i, c->id, &t->cfg);
	rtp_li_term_on(rw, c);
}

int
rtp_term_srtp_keys(struct dp_worker *w, uint32_t idx, uint16_t serial,
		   const struct ipc_srtp_key *rx, const struct ipc_srtp_key *tx)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_ctx *c;
	struct rtp_term *t;

	if (rw == NULL || (idx >> 1) >= rw->max)
		return -ESTALE;
	c = &rw->ctx[idx >> 1];
	t = &c->t[idx & 1u];
	if (!t->on || !(t->dtls & RTP_DTLS_ON) || t->cfg.serial != serial)
		return -ESTALE;
	if (rw->srtp_ops->check(rw->srtp_ws, rx, tx) != NULL)
		return -EINVAL;
	/* (what the old association's keys protected goes with them: a new
	 * key's streams start over, RFC 3711 §3.3.1) */
	rw->srtp_ops->install(rw->srtp_ws, idx, rx, tx, &t->srtp_in, &t->srtp_out);
	rtp_srtp_trailers(rx, t);
	t->cfg.srtp_rx = *rx;
	t->cfg.srtp_tx = *tx;
	t->cfg.dtls.flags |= IPC_RTP_DTLS_F_KEYS;
	/* a group's owner: its sections take the association's keys too */
	if (t->bundle == IPC_RTP_BUNDLE_OWNER)
		bundle_keys_out(rw, t, idx, true, true, true);
	t->dtls |= RTP_DTLS_SEEN_WAIT;
	/* cp hears where the new keys' streams stand (nowhere yet): the
	 * positions it would give a restarted dp are the new keys' */
	if (!(c->ev & RTP_EV_SRTP_POS))
		rw->ctr[RTP_CTR_EVENTS]++;
	c->ev |= (uint16_t)RTP_EV_SRTP_POS;
	rtp_ev_queue(rw, c);
	return 0;
}

/* Termination i of c leaves: its ports free, its state (keys with it)
 * wiped, its pending events forgotten. */
static void
term_remove(struct dp_worker *w, struct rtp_ctx *c, unsigned int i)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_term *t = &c->t[i];
	int aidx;

	if (!t->on)
		return;
	if (t->bundle == IPC_RTP_BUNDLE_MEMBER) {
		/* (no port of its own: the owner's entry stays) */
		if (t->xport != 0)
			bundle_leave(rw, t->xport - 1u, 2u * (uint32_t)(c - rw->ctx) + i);
	} else {
		aidx = rtp_addr_index(rw, t->family, t->local);
		*rtp_port_slot(rw, aidx, t->port) = 0;
		if (!(t->flags & IPC_RTP_F_MUX))
			*rtp_port_slot(rw, aidx, t->rtcp_port) = 0;
		if (t->bundle == IPC_RTP_BUNDLE_OWNER)
			bundle_orphan(rw, 2u * (uint32_t)(c - rw->ctx) + i);
	}
	c->ev &= (uint16_t)~(RTP_EV_LATCH_RTP(i) | RTP_EV_LATCH_RTCP(i) | RTP_EV_INACTIVE(i) |
			     RTP_EV_CONSENT_ALL(i));
	if (t->srtp)
		rw->srtp_ops->wipe(rw->srtp_ws, 2u * (uint32_t)(c - rw->ctx) + i);
	if (t->dtls)
		rw->dtls_ops->gone(w, 2u * (uint32_t)(c - rw->ctx) + i);
	/* (cfg holds cp's keys) */
	explicit_bzero(t, sizeof(*t));
}

static void
ctx_free(struct dp_worker *w, struct rtp_ctx *c)
{
	struct rtp_worker *rw = w->rtp;

	rtp_li_untap(rw, c);
	term_remove(w, c, 0);
	term_remove(w, c, 1);
	c->id = 0;
	c->ev = 0;
	c->queued = 0;
	rw->nctx--;
}

/* ---- cp's messages ------------------------------------------------------------ */

static void
apply_add(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct rtp_worker *rw = w->rtp;
	const struct ipc_rtp_ctx *x = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	uint32_t slot = ipc_conn_slot(id);
	const char *why = NULL;
	char buf[IPC_RTP_DETAIL_MAX];
	struct rtp_ctx *c;

	if (slot >= rw->max) {
		snprintf(buf, sizeof(buf), "slot %u is past agw.media_contexts (%u)", slot,
			 rw->max);
		why = buf;
	} else if (rw->ctx[slot].id != 0) {
		if (rw->ctx[slot].id == id)
			return;                  /* (the same again: installed) */
		why = "its slot holds another context";
	}
	for (unsigned int i = 0; i < 2 && why == NULL; i++)
		if (x->term[i].profile != IPC_RTP_NONE)
			why = term_check_bundle(rw, &x->term[i],
						x->term[i ^ 1u].profile != IPC_RTP_NONE ?
						&x->term[i ^ 1u] : NULL);
	if (why == NULL && x->term[0].profile != IPC_RTP_NONE)
		why = term_check(rw, &x->term[0], buf, sizeof(buf));
	if (why == NULL && x->term[1].profile != IPC_RTP_NONE) {
		why = term_check(rw, &x->term[1], buf, sizeof(buf));
		/* the two on one port */
		if (why == NULL && x->term[0].profile != IPC_RTP_NONE &&
		    x->term[0].local.family == x->term[1].local.family &&
		    memcmp(x->term[0].local.ip, x->term[1].local.ip, 16) == 0) {
			const struct ipc_rtp_term *a = &x->term[0], *b = &x->term[1];
			uint16_t ar = (a->flags & IPC_RTP_F_MUX) ? a->local.port : a->rtcp_port;
			uint16_t br = (b->flags & IPC_RTP_F_MUX) ? b->local.port : b->rtcp_port;

			if (a->local.port == b->local.port || a->local.port == br ||
			    ar == b->local.port || ar == br)
				why = "its two terminations share a port";
		}
	}
	if (why != NULL) {
		rw->ctr[RTP_CTR_CTX_REFUSED]++;
		rtp_ev_final(w, id, NULL, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0,
			     IPC_AGW_SETUP_FAILED, why);
		return;
	}
	c = &rw->ctx[slot];
	memset(c, 0, sizeof(*c));
	c->id = id;
	rw->nctx++;
	for (unsigned int i = 0; i < 2; i++)
		if (x->term[i].profile != IPC_RTP_NONE)
			term_install(w, c, slot, i, &x->term[i]);
	rw->ctr[RTP_CTR_CTX_ADDED]++;
}

/* Are a and b the same key (the stream's position aside)? */
static bool
srtp_key_same(const struct ipc_srtp_key *a, const struct ipc_srtp_key *b)
{
	return a->suite == b->suite && a->key_len == b->key_len && a->mki_len == b->mki_len &&
	       a->mki == b->mki && a->window == b->window &&
	       memcmp(a->key, b->key, sizeof(a->key)) == 0;
}

/* Is a termination's place in a BUNDLE group the same in a and b (its
 * role, owner and mid: what the group's demultiplexer is built on; its
 * SSRCs and payload types may change)? */
static bool
bundle_same(const struct ipc_rtp_bundle *a, const struct ipc_rtp_bundle *b)
{
	return a->role == b->role && a->owner == b->owner && a->owner_term == b->owner_term &&
	       a->mid_ext == b->mid_ext && a->mid_len == b->mid_len &&
	       memcmp(a->mid, b->mid, sizeof(a->mid)) == 0;
}

/* MOD_TERM of a MEMBER t (idx): its mode, DSCP, tman, it, clock, memo,
 * RSIZE, SSRCs and payload types (none of another section's SSRCs); its
 * keys stay its owner's, as dp keyed it. */
static const char *
term_modify_member(struct dp_worker *w, struct rtp_term *t, uint32_t idx,
		   const struct ipc_rtp_term *cfg)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_bundle *g = t->xport != 0 ? &rw->bdl[(t->xport - 1u) >> 1] : NULL;
	struct ipc_srtp_key rx, tx;
	unsigned int p = 0;

	if (g != NULL) {
		for (p = 1; p < g->n && g->idx[p] != idx; p++)
			;
		for (unsigned int k = 0; k < cfg->bundle.nssrc; k++)
			if (bundle_ssrc_other(g, cfg->bundle.ssrc[k], p))
				return "its SSRC is another section's of its BUNDLE group";
	}
	if (cfg->inact_ms != t->cfg.inact_ms)
		t->watched_ms = w->now_ms;
	/* its keys as dp keyed it stay (the owner's suite, no octet,
	 * bundle_member_keys()), as term_modify() keeps a DTLS-SRTP
	 * termination's: cp's are those of the member's create (all zero
	 * under a DTLS-SRTP owner's), and RTP_STATE would carry its streams
	 * under them (suite 0 with streams: lib/ipc refuses it, and a
	 * restarted cp would never know the member) */
	rx = t->cfg.srtp_rx;
	tx = t->cfg.srtp_tx;
	term_take(rw, t, cfg);
	t->cfg.srtp_rx = rx;
	t->cfg.srtp_tx = tx;
	explicit_bzero(&rx, sizeof(rx));
	explicit_bzero(&tx, sizeof(tx));
	if (g != NULL)
		bundle_rebuild(rw, g);
	return NULL;
}

/* MOD_TERM: what may change of a termination, changed. A new SRTP key
 * (a re-INVITE's a=crypto) makes that direction's context anew, from the
 * position cp gives with it; a new receive key without one (no streams)
 * carries on from where the context it replaces stood (RFC 3711 §3.3.1:
 * a rekeying does not reset the ROC). The same key keeps the stream
 * where it is. */
static const char *
term_modify(struct dp_worker *w, struct rtp_ctx *c, unsigned int i,
	    const struct ipc_rtp_term *cfg)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_term *t = &c->t[i];
	const struct ipc_rtp_term *old = &t->cfg;
	const struct ipc_srtp_key *rx = NULL, *tx = NULL;
	struct ipc_srtp_key rx_at, dtls_rx = { 0 }, dtls_tx = { 0 };
	uint8_t dtls_keys = 0;
	bool ice_flip, ice_new;

	if (cfg->profile != old->profile || cfg->local.family != old->local.family ||
	    memcmp(cfg->local.ip, old->local.ip, 16) != 0 || cfg->local.port != old->local.port ||
	    cfg->rtcp_port != old->rtcp_port ||
	    ((cfg->flags ^ old->flags) & IPC_RTP_F_MUX) != 0)
		return "its profile, local address, ports or rtcp-mux would change";
	if (!bundle_same(&cfg->bundle, &old->bundle))
		return "its BUNDLE role, owner or mid would change";
	if (t->bundle == IPC_RTP_BUNDLE_MEMBER)
		return term_modify_member(w, t, 2u * (uint32_t)(c - rw->ctx) + i, cfg);
	if (t->bundle == IPC_RTP_BUNDLE_OWNER)
		for (unsigned int k = 0; k < cfg->bundle.nssrc; k++)
			if (bundle_ssrc_other(&rw->bdl[c - rw->ctx], cfg->bundle.ssrc[k], 0))
				return "its SSRC is another section's of its BUNDLE group";
	if ((cfg->dtls.role == IPC_RTP_DTLS_NONE) != !t->dtls)
		return "its DTLS-SRTP would be turned on or off";
	if (cfg->ice.mode != IPC_RTP_ICE_OFF &&
	    (rw->srtp_ops == NULL || rw->srtp_ops->mac == NULL || rw->srtp_ops->mac_key == NULL))
		return "ICE is not available in this dp (its HMAC-SHA1 is SRTP's, libipsec-mb)";
	if (t->dtls) {
		const char *why = term_check_dtls(rw, cfg);

		if (why != NULL)
			return why;
		/* DTLS-SRTP's keys are dp's, from the association's handshake
		 * (or a restarted dp's RTP_ADD): a modify's are not taken,
		 * whatever it carries, and those dp holds stay (RFC 8842: the
		 * same association keeps its keys; a new one's handshake
		 * replaces them when it ends, the old serving meanwhile) */
		dtls_rx = old->srtp_rx;
		dtls_tx = old->srtp_tx;
		dtls_keys = old->dtls.flags & IPC_RTP_DTLS_F_KEYS;
	} else if (t->srtp) {
		const char *why = rw->srtp_ops->check(rw->srtp_ws, &cfg->srtp_rx, &cfg->srtp_tx);

		if (why != NULL)
			return why;
		if (!srtp_key_same(&cfg->srtp_rx, &old->srtp_rx)) {
			rx = &cfg->srtp_rx;
			if (cfg->srtp_rx.nstreams == 0) {
				struct ipc_srtp_pos pos;

				/* (SRTCP's index is in each packet: the new
				 * key's taken from any) */
				rw->srtp_ops->position(t->srtp_in, &pos);
				rx_at = cfg->srtp_rx;
				rx_at.nstreams = pos.nstreams;
				memcpy(rx_at.stream, pos.stream, sizeof(rx_at.stream));
				rx = &rx_at;
			}
		}
		if (!srtp_key_same(&cfg->srtp_tx, &old->srtp_tx))
			tx = &cfg->srtp_tx;
	}
	ice_flip = cfg->ice.mode != old->ice.mode;
	ice_new = !ice_flip && cfg->ice.mode != IPC_RTP_ICE_OFF &&
		  (cfg->ice.ufrag_len != old->ice.ufrag_len ||
		   memcmp(cfg->ice.ufrag, old->ice.ufrag, sizeof(cfg->ice.ufrag)) != 0 ||
		   cfg->ice.pwd_len != old->ice.pwd_len ||
		   memcmp(cfg->ice.pwd, old->ice.pwd, sizeof(cfg->ice.pwd)) != 0);
	if (ice_flip || (cfg->ice.mode == IPC_RTP_ICE_OFF &&
			 (cfg->remote.family != old->remote.family ||
			  cfg->remote.port != old->remote.port ||
			  memcmp(cfg->remote.ip, old->remote.ip, 16) != 0 ||
			  cfg->remote_rtcp != old->remote_rtcp))) {
		/* a new remote (a re-INVITE): latching starts over, the new
		 * one is used until a packet latches; ICE turned on or off
		 * starts over too. ICE's nominated pair is no latch: a new
		 * signalled remote (its default candidate) leaves it */
		t->latched = 0;
		memset(&t->rtp_src, 0, sizeof(t->rtp_src));
		memset(&t->rtcp_src, 0, sizeof(t->rtcp_src));
	}
	/* (a watch armed or changed now counts silence from now: t->cfg,
	 * which old points to, is still the old one here) */
	if (cfg->inact_ms != old->inact_ms)
		t->watched_ms = w->now_ms;
	term_take(rw, t, cfg);
	if (t->dtls) {
		t->cfg.srtp_rx = dtls_rx;
		t->cfg.srtp_tx = dtls_tx;
		t->cfg.dtls.flags = (uint8_t)((cfg->dtls.flags & ~IPC_RTP_DTLS_F_KEYS) | dtls_keys);
		explicit_bzero(&dtls_rx, sizeof(dtls_rx));
		explicit_bzero(&dtls_tx, sizeof(dtls_tx));
	}
	if (ice_flip)
		rtp_ice_reset(w, t);
	else if (ice_new)
		rtp_ice_restart(w, t);
	if (!t->ice)
		explicit_bzero(&t->ice_state, sizeof(t->ice_state));
	if (rx != NULL || tx != NULL) {
		rw->srtp_ops->install(rw->srtp_ws, 2u * (uint32_t)(c - rw->ctx) + i, rx, tx,
				      &t->srtp_in, &t->srtp_out);
		rtp_srtp_trailers(&cfg->srtp_rx, t);
		if (rx == &rx_at)
			explicit_bzero(&rx_at, sizeof(rx_at));
	}
	rtp_term_dest(t);
	if (t->bundle == IPC_RTP_BUNDLE_OWNER) {
		bundle_rebuild(rw, &rw->bdl[c - rw->ctx]);
		if (rx != NULL || tx != NULL)
			bundle_keys_out(rw, t, 2u * (uint32_t)(c - rw->ctx) + i, false,
					tx != NULL, rx != NULL);
	}
	if (t->dtls)
		rw->dtls_ops->set(w, 2u * (uint32_t)(c - rw->ctx) + i, c->id, &t->cfg);
	return NULL;
}

static void
apply_mod(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct rtp_worker *rw = w->rtp;
	const struct ipc_rtp_mod *x = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	struct rtp_ctx *c = ctx_of(rw, id);
	char buf[IPC_RTP_DETAIL_MAX];
	const char *why = NULL;
	struct rtp_term *t;

	if (c == NULL) {
		rw->ctr[RTP_CTR_MOD_REFUSED]++;
		if (x->op == IPC_RTP_ADD_TERM)
			rtp_ev_final(w, id, NULL, IPC_RTP_EV_SUBTRACTED, x->term, x->t.serial,
				     IPC_AGW_SETUP_FAILED, "no such context");
		return;
	}
	t = &c->t[x->term];
	switch (x->op) {
	case IPC_RTP_ADD_TERM:
		if (t->on)
			why = "its slot holds a termination";
		/* (the other termination's ports are in the table already:
		 * term_check() finds them taken) */
		if (why == NULL)
			why = term_check_bundle(rw, &x->t, c->t[x->term ^ 1u].on ?
						&c->t[x->term ^ 1u].cfg : NULL);
		if (why == NULL)
			why = term_check(rw, &x->t, buf, sizeof(buf));
		if (why != NULL) {
			rw->ctr[RTP_CTR_MOD_REFUSED]++;
			rtp_ev_final(w, id, NULL, IPC_RTP_EV_SUBTRACTED, x->term, x->t.serial,
				     IPC_AGW_SETUP_FAILED, why);
			return;
		}
		term_install(w, c, ipc_conn_slot(id), x->term, &x->t);
		rw->ctr[RTP_CTR_TERM_ADDED]++;
		return;
	case IPC_RTP_MOD_TERM:
		why = t->on ? term_modify(w, c, x->term, &x->t) : "its slot is empty";
		if (why != NULL) {
			rw->ctr[RTP_CTR_MOD_REFUSED]++;
			return;
		}
		rw->ctr[RTP_CTR_TERM_MODIFIED]++;
		return;
	default:                           /* IPC_RTP_SUB_TERM */
		if (!t->on) {
			rw->ctr[RTP_CTR_MOD_REFUSED]++;
			return;
		}
		rtp_ev_final(w, id, c, IPC_RTP_EV_SUBTRACTED, x->term, t->cfg.serial,
			     IPC_AGW_CONTROLLER, NULL);
		rtp_li_term_off(rw, c, x->term);
		term_remove(w, c, x->term);
		rw->ctr[RTP_CTR_TERM_SUBTRACTED]++;
		if (!c->t[0].on && !c->t[1].on) {
			rtp_ev_final(w, id, NULL, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0,
				     IPC_AGW_CONTROLLER, "its last termination subtracted");
			ctx_free(w, c);
			rw->ctr[RTP_CTR_CTX_RELEASED]++;
		}
		return;
	}
}

static void
apply_del(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct rtp_worker *rw = w->rtp;
	struct rtp_ctx *c = ctx_of(rw, msg->h.alloc_id);

	if (c == NULL) {
		rw->ctr[RTP_CTR_DEL_UNKNOWN]++;
		return;
	}
	rtp_ev_final(w, c->id, c, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, IPC_AGW_CONTROLLER,
		     NULL);
	ctx_free(w, c);
	rw->ctr[RTP_CTR_CTX_RELEASED]++;
}

/* Lawful interception (rtp_li.c): ipc_msg_check() saw the body whole; a
 * tap dp cannot apply (no li group, no memory, a context gone) is counted
 * by dp/li, never logged. */
static void
apply_tap(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct rtp_ctx *c = ctx_of(w->rtp, msg->h.alloc_id);
	const struct ipc_rtp_tap *x = (const void *)msg->body;

	if ((c == NULL ? (x->tap.on ? -ENOENT : 0) : rtp_li_tap(w, c, x)) < 0 && w->li != NULL)
		li_ring_count(w->li, LI_CTR_TAP_REFUSED);
}

void
rtp_apply(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct rtp_worker *rw = w->rtp;

	if (rw == NULL)
		return;               /* (cp sends only to a dp with IPC_CAP_RTP) */
	switch (msg->h.kind) {
	case IPC_RTP_ADD:
		apply_add(w, msg);
		break;
	case IPC_RTP_MOD:
		apply_mod(w, msg);
		break;
	case IPC_RTP_DEL:
		apply_del(w, msg);
		break;
	case IPC_RTP_STATS_REQ:
		rtp_stats_answer(w, msg->h.alloc_id, ctx_of(rw, msg->h.alloc_id),
				 ((const struct ipc_rtp_stats_req *)(const void *)msg->body)->req);
		break;
	case IPC_RTP_TAP:
		apply_tap(w, msg);
		break;
	default:
		break;
	}
}
