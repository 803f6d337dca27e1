/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's side of dp/tcp: a TCP stack per worker (created when something
 * listens on TCP or opens over it: TURN over TCP and TLS, the gateway's
 * legs, the diagnostic echo and its active open, dp/diag),
 * segments in from the network layer, out through dp_ip_output(), timers
 * on the worker's wheel advanced from the worker loop.
 */
#ifndef DP_TCP_GLUE_H
#define DP_TCP_GLUE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "dp_types.h"

struct rte_mbuf;

/* Create w's stack and wheel if the configuration asks for TCP; 0 when
 * created or not needed, -errno after printing one clear error. */
int dp_tcp_create(struct dp_worker *w);
void dp_tcp_free(struct dp_worker *w);

/* Source ports of active opens (IANA's dynamic range, RFC 6335 §6). */
#define DP_TCP_EPH_LO 49152u
#define DP_TCP_EPH_HI 65535u

/*
 * Active open from worker w to raddr:rport (host order) for the
 * application app of w's stack: from the own address (dp_port_src()) of
 * the port the route to raddr leaves by, and a source port whose replies
 * that port's steering brings back to w (dp_flow_pick_sport(), proto 6),
 * so that the connection lives on w (the ports taken are skipped). Then
 * tcp_connect(). Returns 0 with *id, or -ENETUNREACH (no route),
 * -EADDRNOTAVAIL (no free port lands on w), -ENOTSUP (the NIC's
 * steering is unknown), -ENOBUFS, -EINVAL; -ENOTCONN without a stack.
 */
int dp_tcp_connect(struct dp_worker *w, uint8_t family, const uint8_t *raddr,
		   uint16_t rport, int app, void *arg, uint64_t *id);
/* The same from laddr, one of dp's own port addresses (NULL: the route's
 * port's), steered by that port (-EADDRNOTAVAIL when laddr is not ours). */
int dp_tcp_connect_from(struct dp_worker *w, uint8_t family, const uint8_t *laddr,
			const uint8_t *raddr, uint16_t rport, int app, void *arg,
			uint64_t *id);
/* And its segments' DSCP from the SYN on (tcp_connect_dscp()). */
int dp_tcp_connect_dscp(struct dp_worker *w, uint8_t family, const uint8_t *laddr,
			const uint8_t *raddr, uint16_t rport, uint8_t dscp, int app, void *arg,
			uint64_t *id);

/*
 * The worker a TCP segment (src:sport -> dst:dport, one of our addresses)
 * belongs to, the one rule the demux and the active opens' source ports
 * follow: an agw.ports port steers by its worker share, so does a relayed
 * port of one of our relayed addresses when RFC 6062 relays (*relayed is
 * set then), anything else by the flow hash (dp_flow_worker()).
 */
struct dp_port;
unsigned int dp_tcp_owner(const struct dp_worker *w, const struct dp_port *port,
			  uint8_t family, const uint8_t *src, const uint8_t *dst,
			  uint16_t sport, uint16_t dport, bool *relayed);

/* The uses of a worker's connection table (dp/tcp's tcp_app_set_use()),
 * each with its dp.tcp_reserve share. */
enum dp_tcp_use {
	DP_TCP_USE_OTHER = 0,     /* the diagnostics: no share */
	DP_TCP_USE_TURN,          /* TURN's clients over TCP and TLS (their
				   * RFC 6062 data connections too) */
	DP_TCP_USE_RELAY,         /* RFC 6062's peer connections */
	DP_TCP_USE_AGW,           /* the AGW's legs */
};
/* app's connections count against use, which keeps its dp.tcp_reserve
 * share of the table. 0 or -errno after one clear error. */
int dp_tcp_use(struct dp_worker *w, int app, enum dp_tcp_use use);

/* Keepalive k (turn.tcp_keepalive, agw.keepalive; idle 0: none) on
 * connection id: dp/tcp's tcp_set_keepalive(), from the connection's
 * accept() or right after its tcp_connect(). */
struct tp_conf_keepalive;
void dp_tcp_keepalive(struct dp_worker *w, uint64_t id, const struct tp_conf_keepalive *k);

/* Something may have made work for the stream modules: their polls run
 * in the next dp_tcp_poll() (struct dp_tcp_mods' pending). */
static inline void
dp_tcp_mods_wake(struct dp_tcp_mods *r)
{
	r->pending = r->mask;
}

static inline void
dp_tcp_wake(struct dp_worker *w)
{
	dp_tcp_mods_wake(&w->tcp_mods);
}

/* Whether the stream modules' polls run in this pass at now_ms: once in
 * every millisecond, and after a wake; taking the pass clears the wake. */
static inline bool
dp_tcp_mods_due(struct dp_tcp_mods *r, uint64_t now_ms)
{
	if (now_ms != r->polled_ms) {
		r->polled_ms = now_ms;
		r->pending = r->mask;
	}
	if (r->pending == 0)
		return false;
	r->pending = 0;
	return true;
}

/* After the polls (or the timers) of a pass did work of theirs: work
 * begets work (a resumed read, the rest of a budget, what a timer
 * started), so the polls run again in the next pass. */
static inline void
dp_tcp_mods_done(struct dp_tcp_mods *r, unsigned int work)
{
	if (work > 0)
		dp_tcp_mods_wake(r);
}

/* Move the stack's clock, poll the stream modules registered with it
 * (dp_tcp_mod_add()) and run its timers; returns the work done. */
unsigned int dp_tcp_poll(struct dp_worker *w, uint64_t now_ms);

/*
 * The stream modules' classes, the order dp_tcp_poll() runs them in:
 * transports first (TLS: what a transport resumes is read by the owners
 * after it in the same pass), then the connections' owners (TURN over TCP
 * and TLS, the gateway, RFC 6062's relay), each class in the order its
 * modules registered; dp_tcp_free() frees them in the reverse order.
 */
enum dp_tcp_mod_class {
	DP_TCP_MOD_TRANSPORT = 0,
	DP_TCP_MOD_OWNER,
};

struct dp_tcp_mod {
	const char *name;
	enum dp_tcp_mod_class cls;
	dp_tcp_mod_poll_fn poll;
	dp_tcp_mod_free_fn free;     /* NULL: nothing to free */
};

/* Register m with w's stack, after the modules of its class and before
 * those of a later one (once a worker: m again is refused). 0, -EEXIST,
 * -ENOSPC. Inline: the modules' unit tests link no dp_tcp.c. */
static inline int
dp_tcp_mod_add(struct dp_worker *w, const struct dp_tcp_mod *m)
{
	struct dp_tcp_mods *r = &w->tcp_mods;
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->poll[i] == m->poll)
			return -EEXIST;
	if (r->n >= DP_TCP_MODS)
		return -ENOSPC;
	for (i = r->n; i > 0 && r->cls[i - 1] > m->cls; i--) {
		r->cls[i] = r->cls[i - 1];
		r->poll[i] = r->poll[i - 1];
		r->free[i] = r->free[i - 1];
		r->name[i] = r->name[i - 1];
	}
	r->cls[i] = (uint8_t)m->cls;
	r->poll[i] = m->poll;
	r->free[i] = m->free;
	r->name[i] = m->name;
	r->n++;
	r->mask = (uint32_t)((1ull << r->n) - 1u);
	return 0;
}

/* dp/tcp's counters and its connections' ends by reason, for cp
 * (dp_ctrs.h, through the module below). */
struct dp_ctrs_family;
extern const struct dp_ctrs_family dp_tcp_ctrs, dp_tcp_close_ctrs;

/* The TCP stack as one of dp's modules (dp_module.h): each worker's stack
 * made with it, its counters, its statistics line. */
struct dp_module;
extern const struct dp_module dp_tcp_module;

#endif /* DP_TCP_GLUE_H */
