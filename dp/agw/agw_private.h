/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw's files among themselves: the functions one file defines and
 * another calls, and as inlines the small helpers several run. Nothing
 * here is for the rest of dp (agw.h is).
 *
 * The files by concern: agw.c a worker's set-up, end and poll;
 * agw_ctx.c the contexts as cp changes them and the owner of their
 * splice; agw_tcp.c the TCP legs (dp/tcp's application, a leg's
 * transport, dp/tls's callbacks); agw_cand.c a TLS server leg's
 * candidates; agw_cp.c the link to cp (events, messages, SYNC);
 * agw_stats.c the counters and the statistics lines.
 */
#ifndef DP_AGW_PRIVATE_H
#define DP_AGW_PRIVATE_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "agw.h"
#include "dp.h"
#include "ipc.h"
#include "splice.h"

struct dp_session_ops;
struct rte_mbuf;
struct dp_xprt_ops;
struct tcp_app_ops;

static inline bool
agw_ip_zero(const uint8_t *ip)
{
	for (unsigned int i = 0; i < 16; i++)
		if (ip[i] != 0)
			return false;
	return true;
}

/* a as "ADDR:PORT" ("[ADDR]:PORT" for IPv6). */
static inline void
agw_addr_str(const struct ipc_addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, size, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, a->port);
}

/* ---- agw_cp.c: events to cp, cp's messages, a restarted cp ---- */

/* An event about context id (c: its bytes, its leg's serial and
 * addresses; NULL for a context never installed) to cp, through the
 * backlog (counted events_lost when full). */
void agw_ev_push(struct dp_worker *w, uint64_t id, const struct agw_ctx *c, uint8_t type,
		 unsigned int leg, uint8_t cause, const char *detail);
/* Waiting events into the ring to cp, while it has room beyond what
 * requests need, and only to a cp that serves and takes them. */
unsigned int agw_ev_flush(struct dp_worker *w);
/* cp's AGW_ADD, AGW_MOD or AGW_DEL for w (dp_cp_on_kind()). */
void agw_apply(struct dp_worker *w, const struct ipc_msg *msg);
/* cp's SYNC: the pass over the live contexts begins (dp_cp_on_sync()). */
void agw_sync_start(struct dp_worker *w, const struct ipc_msg *msg);

/* ---- agw_ctx.c: the contexts as cp changes them, their splice's owner ---- */

void agw_apply_add(struct dp_worker *w, const struct ipc_msg *msg);
void agw_apply_mod(struct dp_worker *w, const struct ipc_msg *msg);
void agw_apply_del(struct dp_worker *w, const struct ipc_msg *msg);
/* The splice's causes as the controller hears them (ipc_agw_causes.def). */
extern const uint8_t agw_cause_of[SPLICE_CAUSE__COUNT];

/* ---- agw_tcp.c: the TCP legs ---- */

extern const struct tcp_app_ops agw_tcp_ops;
/* Every connection of a context (a leg's, a candidate's) has a session
 * whose owner is the context. */
extern const struct dp_session_ops agw_session_ops;
/* A leg's TCP addresses: its connection's, else its termination's. */
void agw_leg_addrs(struct dp_worker *w, const struct agw_ctx *c, unsigned int i,
		   struct ipc_addr *l, struct ipc_addr *r);
/* Leg i of c is up: LEG_UP to cp, its setup deadline gone. */
void agw_leg_up_event(struct dp_worker *w, struct agw_ctx *c, unsigned int i);
/* Leg i's TLS on connection id, in its termination's role, checked
 * against the signalled fingerprints (tls_conn_start()). */
const struct dp_xprt_ops *agw_leg_tls_start(struct dp_worker *w, struct agw_ctx *c,
					    unsigned int i, uint64_t id);
/* Client leg i of c connects to its remote. false when the open could not
 * start (the leg failed, and with it the context: c may be free now). */
bool agw_leg_connect(struct dp_worker *w, struct agw_ctx *c, unsigned int i);
/* The connection's peer as "ADDR:PORT". */
void agw_conn_peer_str(struct dp_worker *w, uint64_t id, char *buf, size_t size);

/* ---- agw_li.c: lawful interception's tap on a context ---- */

/* cp's AGW_TAP (checked by ipc_msg_check()) on w's context. */
void agw_li_apply(struct dp_worker *w, const struct ipc_msg *msg);
/* The splice's tap (struct splice_ops): bytes [off, off + n) of m, which
 * leg i of the context that owns sp relays, copied into the worker's ring
 * of copies. */
void agw_li_copy(struct dp_worker *w, struct splice *sp, unsigned int i,
		 const struct rte_mbuf *m, uint32_t off, uint32_t n);
/* c's tap gone (AGW_TAP off, the target's leg subtracted, the context
 * released): the splice's byte cleared, the task wiped. */
void agw_li_untap(struct agw_worker *a, struct agw_ctx *c);
/* The taps' array freed (wiped). */
void agw_li_free(struct agw_worker *a);
/* The context whose splice is sp. */
static inline struct agw_ctx *
agw_ctx_of_splice(struct splice *sp)
{
	return (struct agw_ctx *)(void *)((char *)sp - offsetof(struct agw_ctx, sp));
}

/* ---- agw_cand.c: a TLS server leg's candidates ---- */

/* Candidate k of leg i for connection id, or -1. */
int agw_cand_of(const struct agw_ctx *c, uint64_t id, unsigned int *leg);
void agw_cand_remove(struct agw_ctx *c, unsigned int i, unsigned int k);
/* A connection refused for leg i of c: why, for the controller. */
void agw_refused_note(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id,
		      const char *why);
/* Candidate k of leg i is reset (counted as ctr). */
void agw_cand_drop(struct dp_worker *w, struct agw_ctx *c, unsigned int i, unsigned int k,
		   enum agw_ctr ctr);
void agw_cand_drop_all(struct dp_worker *w, struct agw_ctx *c);
/* A connection accepted for TLS server leg i: a candidate. 0, or -errno
 * for dp/tcp to reset it. */
int agw_cand_start(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id);
/* Read candidate connection id (leg i): its handshake goes on; what it
 * ended with is acted on here, out of the read that ran it. */
void agw_cand_read(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id);
/* Candidates whose handshake is overdue are reset. */
void agw_cand_expire(struct dp_worker *w, struct agw_ctx *c, uint64_t now_ms);

#endif /* DP_AGW_PRIVATE_H */
