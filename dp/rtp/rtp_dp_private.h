/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/rtp's files among themselves: the tables' lookups a packet makes
 * (inline), and the functions one file defines and another calls.
 * Nothing here is for the rest of dp (rtp_dp.h is).
 *
 * The files by concern: rtp_input.c the fast path; rtp_ctx.c the
 * tables and the contexts as cp changes them; rtp_cp.c the events,
 * statistics, a restarted cp's SYNC and the inactivity sweep;
 * rtp_module.c the module's descriptor, counters and statistics line.
 */
#ifndef DP_RTP_DP_PRIVATE_H
#define DP_RTP_DP_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dp.h"
#include "ipc.h"
#include "net/net.h"
#include "rtp.h"
#include "rtp_dp.h"

/* The index of dp's address dst (family 4: 4 octets, 6: 16) among those
 * a termination may be on (IPv6 after IPv4), -1 when it is none: one
 * load by the last octet and one compare, unless several addresses share
 * that octet. */
static inline int
rtp_addr_index(const struct rtp_worker *rw, uint8_t family, const uint8_t *dst)
{
	unsigned int k;

	if (family == NET_AF_IPV4) {
		uint32_t d;

		memcpy(&d, dst, 4);
		k = rw->addr4_at[dst[3]];
		if (likely(k != RTP_DP_ADDR_SCAN))
			return k != 0 && rw->addr4[k - 1] == d ? (int)k - 1 : -1;
		for (unsigned int i = 0; i < rw->naddr4; i++)
			if (rw->addr4[i] == d)
				return (int)i;
		return -1;
	}
	k = rw->addr6_at[dst[15]];
	if (k != RTP_DP_ADDR_SCAN)
		return k != 0 && dp_ip6_eq(rw->addr6[k - 1], dst) ? rw->naddr4 + (int)k - 1 : -1;
	for (unsigned int i = 0; i < rw->naddr6; i++)
		if (dp_ip6_eq(rw->addr6[i], dst))
			return rw->naddr4 + (int)i;
	return -1;
}

/* The port table's entry of (address index, port), NULL outside this
 * worker's share. */
static inline uint32_t *
rtp_port_slot(const struct rtp_worker *rw, int aidx, uint16_t port)
{
	if (aidx < 0 || port < rw->port_lo || port > rw->port_hi)
		return NULL;
	return &rw->port_tab[(uint32_t)aidx * rw->nports + (uint32_t)(port - rw->port_lo)];
}

/* Entries of the port table. */
static inline uint32_t
rtp_entry_make(uint32_t slot, unsigned int term, bool rtcp)
{
	return (slot << 2 | (uint32_t)term << 1 | (rtcp ? 1u : 0u)) + 1u;
}

/* Is (family, ip, port) the source in a? */
static inline bool
rtp_addr_is(const struct ipc_addr *a, uint8_t family, const uint8_t *ip, uint16_t port)
{
	if (a->port != port)
		return false;
	if (family == NET_AF_IPV4) {
		uint32_t x, y;

		memcpy(&x, a->ip, 4);
		memcpy(&y, ip, 4);
		return x == y;
	}
	return dp_ip6_eq(a->ip, ip);
}

/* gm (H.248.43): does the source pass t's address and port filters? */
static inline bool
rtp_gm_ok(const struct rtp_term *t, const struct dp_udp_meta *meta)
{
	if (t->gm_port_hi != 0 &&
	    (meta->src_port < t->gm_port_lo || meta->src_port > t->gm_port_hi))
		return false;
	if (t->gm_family == 0)
		return true;
	if (meta->family == NET_AF_IPV4)
		return net_prefix_match4(t->gm_addr, t->gm_plen, meta->src);
	return net_prefix_match(NET_AF_IPV6, t->gm_addr, t->gm_plen, meta->src);
}

/* May dp send an ICE termination o's flow (0 RTP or rtcp-mux, 1 RTCP of a
 * pair) to its nominated pair: one nominated, and its consent (RFC 7675
 * §5.1) within agw.ice_consent_ms of its last valid check? */
static inline bool
rtp_ice_may_send(const struct dp_worker *w, const struct rtp_term *o, unsigned int flow)
{
	return (o->latched & (flow == 0 ? IPC_RTP_LATCHED_RTP : IPC_RTP_LATCHED_RTCP)) &&
	       w->now_ms - o->ice_state.consent_ms[flow] < w->rtp->ice_consent_ms;
}

/* ---- rtp_input.c ---- */

/* The answer in buf (len octets) to m's datagram, back to its source from
 * the address and port it reached (t's), in m itself. Consumes m. */
void rtp_reply(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta,
	       const struct rtp_term *t, const uint8_t *buf, uint16_t len);

/* ---- rtp_ice.c ---- */

/* A STUN datagram to ICE termination ti of c, on flow (0 its RTP port, 1
 * the RTCP port of a pair): a connectivity check judged, answered,
 * counted; its source noted, a pair nominated, a consent renewed.
 * Consumes m. */
void rtp_ice_input(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti, unsigned int flow,
		   struct rte_mbuf *m, const struct dp_udp_meta *meta);
/* Has meta's source passed a check of t's flow within
 * agw.ice_consent_ms (its media are taken)? */
bool rtp_ice_src_ok(const struct dp_worker *w, const struct rtp_term *t, unsigned int flow,
		    const struct dp_udp_meta *meta);
/* t's ICE anew from t->cfg (an install, ICE turned on): no source
 * checked, buckets full, the checks' key made; cfg's nominated pair (a
 * restarted dp's) taken, its consent from now. */
void rtp_ice_reset(struct dp_worker *w, struct rtp_term *t);
/* t's new credentials from t->cfg (an ICE restart, RFC 8445 §9): no
 * source has passed a check under them; the nominated pairs and their
 * consent stay until a check under them nominates. */
void rtp_ice_restart(struct dp_worker *w, struct rtp_term *t);
/* The sweep's look at ICE termination ti of c: a flow whose consent
 * expired is marked and its CONSENT_LOST queued (once). The events. */
unsigned int rtp_ice_scan(struct dp_worker *w, struct rtp_ctx *c, unsigned int ti);

/* ---- rtp_ctx.c ---- */

/* The worker's tables (agw.media_contexts slots, the address and port
 * tables, the events' FIFO and backlog; SRTP's contexts with srtp): 0 or
 * -ENOMEM. */
int rtp_worker_init(struct dp_worker *w, const struct rtp_srtp_ops *srtp);
void rtp_worker_free(struct dp_worker *w);
/* cp's RTP_ADD, RTP_MOD, RTP_DEL and RTP_STATS_REQ (dp_cp_on_kind()). */
void rtp_apply(struct dp_worker *w, const struct ipc_msg *msg);
/* t's destinations from its latches and its signalled remote. */
void rtp_term_dest(struct rtp_term *t);
/* BUNDLE section idx (slot * 2 + term, an SRTP group's owner or member):
 * the SSRCs it sends the peer (struct rtp_bundle.out_ssrc) read anew from
 * what its SRTP out context protects (a new stream, a new key). */
void rtp_bundle_out_sync(struct rtp_worker *rw, uint32_t idx);

/* Where t's silence (H.248.40's it/ito, ng's timeout) counts from: its last
 * packet, or the modify that armed or changed its watch, whichever came
 * later (ms on the worker's clock). */
static inline uint64_t
rtp_term_quiet_since(const struct rtp_term *t)
{
	return t->heard_ms > t->watched_ms ? t->heard_ms : t->watched_ms;
}

/* ---- rtp_cp.c ---- */

/* Context c (slot) has new pending events: its slot joins the FIFO. */
void rtp_ev_queue(struct rtp_worker *rw, struct rtp_ctx *c);
/* A SUBTRACTED (term) or RELEASED (term IPC_RTP_TERM_NONE) of context id
 * into the backlog, with the figures of c's terminations (c NULL: none)
 * and a sentence (NULL: none). */
void rtp_ev_final(struct dp_worker *w, uint64_t id, const struct rtp_ctx *c, uint8_t type,
		  unsigned int term, uint16_t serial, uint8_t cause, const char *detail);
/* t's figures for cp. */
void rtp_stats_fill(const struct dp_worker *w, const struct rtp_term *t,
		    struct ipc_rtp_stats *st);
/* The statistics of context id now (RTP_STATS_REQ's answer) into the
 * backlog. */
void rtp_stats_answer(struct dp_worker *w, uint64_t id, const struct rtp_ctx *c, uint32_t req);
/* cp's SYNC: every live context to it (RTP_STATE), a step at a time. */
void rtp_sync_start(struct dp_worker *w, const struct ipc_msg *msg);
bool rtp_state_step(struct dp_worker *w, unsigned int headroom);

/* ---- rtp_li.c: lawful interception (docs/design/li.md §4) ---- */

/* RTP_TAP's body applied to context c: its task kept, its terminations'
 * tap bytes set (on) or cleared and the task wiped (off). 0, -ENOTSUP (no
 * li group: no ring), -ENOMEM (the first tap's table). */
int rtp_li_tap(struct dp_worker *w, struct rtp_ctx *c, const struct ipc_rtp_tap *ip);
/* c's tap gone (RTP_TAP off, its release): flags cleared, task wiped. */
void rtp_li_untap(struct rtp_worker *rw, struct rtp_ctx *c);
/* Termination i of c subtracted (SUB_TERM, before it goes): its tap byte
 * cleared, and c's tap with it when i is the target's (a transfer: the
 * party that comes into the slot is another; cp taps it again if a task
 * targets it). The other's leaving keeps c's tap: the target is there. */
void rtp_li_term_off(struct rtp_worker *rw, struct rtp_ctx *c, unsigned int i);
/* A termination of c installed: its tap byte as c's tap says. */
void rtp_li_term_on(struct rtp_worker *rw, struct rtp_ctx *c);
/* The taps' table wiped and freed (the worker's end). */
void rtp_li_free(struct rtp_worker *rw);
/*
 * An RTP packet t received (t->tap set), len octets in the clear at
 * meta->payload_off of m, that goes on to ox's network (the transport of
 * the other termination) at dst from sport: copied with the target's
 * leg's addresses into the worker's ring to tp-li (dp/li), or counted
 * dropped there. The mbuf is not changed.
 */
void rtp_li_copy(struct dp_worker *w, const struct rtp_ctx *c, const struct rtp_term *t,
		 const struct rtp_term *ox, const struct rte_mbuf *m,
		 const struct dp_udp_meta *meta, uint16_t len, const struct ipc_addr *dst,
		 uint16_t sport);

#endif /* DP_RTP_DP_PRIVATE_H */
