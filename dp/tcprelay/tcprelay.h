/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay: RFC 6062 (TURN-TCP) in the worker. A TCP allocation's peer
 * connections (a Connect's, opened from the allocation's relayed transport
 * address; or a peer's, accepted on it when the allocation has a
 * permission for the peer) are spliced (dp/splice) with the client's data
 * connection once cp has taken its ConnectionBind. Until then a peer's
 * bytes are held (TR_HOLD, then its TCP window closes). A data connection
 * that lands on another worker than its peer connection gets the peer
 * connection moved to it (the TCB exported and imported through the
 * hand-off ring; the old worker forwards what still arrives there), so
 * that both legs of a splice are one worker's.
 *
 * What happens goes to cp as TCP_EVENTs (lib/ipc), in order, never lost to
 * a full ring (a backlog, as dp/agw's).
 */
#ifndef DP_TCPRELAY_H
#define DP_TCPRELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct dp_worker;
struct ipc_msg;
struct rte_mbuf;
struct turn_alloc;
struct turn_worker;

/* w's relay application on its share of the relayed ports (after
 * turn_tcp_init(), agw_init()); 0 when done or not wanted (no TURN over
 * TCP or TLS), -errno after one clear error. */
int tcprelay_init(struct dp_worker *w);
void tcprelay_free(struct dp_worker *w);

/* Allocation a of t goes (RFC 6062 §5.5): its peer connections on this
 * worker are closed (those moved elsewhere cp closes). */
void tcprelay_alloc_gone(struct turn_worker *t, struct turn_alloc *a);

/*
 * A TCP segment to relayed port dport of one of our relayed addresses:
 * true when it belongs to a peer connection that moved to another worker
 * and was handed there (m consumed). Only looks when w has moved any.
 */
bool tcprelay_forward(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
		      const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport);

/* The hand-off kind of what one worker's tcprelay hands another's (dp.h
 * dp_handoff_on_kind(); tcprelay_init() registers tcprelay_handoff()). */
#define TCPRELAY_HANDOFF DP_HANDOFF_MOD_FIRST

/* A message another worker's tcprelay handed over (TCPRELAY_HANDOFF):
 * a peer connection moving in, or the end of one that moved out. */
void tcprelay_handoff(struct dp_worker *w, struct rte_mbuf *m);

/* cp's TCP_CONNECT, TCP_BIND, TCP_CLOSE, TCP_NAME reach w's peer
 * connections through dp_cp.c (registered by tcprelay_init()). cp's SYNC
 * (a cp that restarted): every live peer connection goes back to it
 * (TCP_STATE), before the worker's STATE_DONE: the SYNC begins the pass,
 * tcprelay_state_step() sends what the ring takes (keeping headroom free
 * slots) and says whether the pass is over (true also without RFC 6062). */
bool tcprelay_state_step(struct dp_worker *w, unsigned int headroom);

/* Events to cp. Returns work done. */
unsigned int tcprelay_poll(struct dp_worker *w, uint64_t now_ms);

/* The worker's "tcprelay" statistics line; its counters for cp
 * (dp_ctrs.h; 0 without it): tcprelay_<name>, the connections and the
 * budgets. */
void tcprelay_stats(const struct dp_worker *w, FILE *out);
struct dp_ctrs_family;
extern const struct dp_ctrs_family tcprelay_ctrs;
/* RFC 6062's relay as one of dp's modules (dp_module.h;
 * tcprelay_module.c). */
struct dp_module;
extern const struct dp_module tcprelay_module;

#endif /* DP_TCPRELAY_H */
