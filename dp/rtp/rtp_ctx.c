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
	rw->port_tab = rte_zmalloc_socket("rtp_ports", ((size_t)naddr * rw->nports + 1u) *
					  sizeof(*rw->port_tab), 64, socket);
	rw->evq = rte_zmalloc_socket("rtp_evq", (size_t)evq * sizeof(*rw->evq), 64, socket);
	rw->out_mem = rte_zmalloc_socket("rtp_out", ipc_backlog_size(RTP_OUT_CAP,
					 sizeof(struct ipc_rtp_event), false), 64, socket);
	if (rw->ctx == NULL || rw->port_tab == NULL || rw->evq == NULL || rw->out_mem == NULL ||
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
	if (rw->ctx != NULL)
		explicit_bzero(rw->ctx, (size_t)rw->max * sizeof(*rw->ctx));
	rte_free(rw->ctx);
	rte_free(rw->port_tab);
	rte_free(rw->evq);
	rte_free(rw->out_mem);
	rte_free(rw);
	w->rtp = NULL;
}

/* ---- a termination ------------------------------------------------------------ */

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
	if (t->dtls)
		rw->dtls_ops->set(w, 2u * slot + i, c->id, &t->cfg);
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
	aidx = rtp_addr_index(rw, t->family, t->local);
	*rtp_port_slot(rw, aidx, t->port) = 0;
	if (!(t->flags & IPC_RTP_F_MUX))
		*rtp_port_slot(rw, aidx, t->rtcp_port) = 0;
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

	term_remove(w, c, 0);
	term_remove(w, c, 1);
	c->id = 0;
	c->ev = 0;
	c->queued = 0;
	rw->nctx--;
}

/* The context id names here, or NULL (gone: another generation, or none). */
static struct rtp_ctx *
ctx_of(struct rtp_worker *rw, uint64_t id)
{
	uint32_t slot = ipc_conn_slot(id);

	if (slot >= rw->max || rw->ctx[slot].id != id)
		return NULL;
	return &rw->ctx[slot];
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
	default:
		break;
	}
}
