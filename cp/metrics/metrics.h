/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics: the numbers an operator watches, taken once
 * (cp_metrics_collect(), the one source) and rendered twice: as JSON by
 * `turnpikectl status` (cp/api/commands.c) and as Prometheus text here,
 * served over HTTP by libmicrohttpd inside cp's loop (cp.metrics =
 * "ADDR:PORT"; off by default).
 *
 * Names: coturn's where the concept is the same, so that an operator's
 * dashboards keep working (src/apps/relay/prom_server.c: turn_total_
 * allocations{type}, turn_traffic_{rcv,sent}{p,b}{realm} and the _peer_
 * and _total_ variants, finished sessions' traffic); turnpike's own as
 * turnpike_*. coturn's traffic counters have no "_total" suffix, which
 * promtool's lint asks of a counter: they are exposed as "untyped" under
 * coturn's names (a query does not care), and the same numbers as lint-
 * clean counters under turnpike's. Label sets are bounded: realm (one),
 * transport, worker (at most IPC_MAX_WORKERS), error code (CP_ERR_CODES
 * and "other"), direction; never a label per allocation or user.
 */
#ifndef CP_METRICS_H
#define CP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster_types.h"
#include "ipc_types.h"

struct cp_ctx;

/* What one worker's ring pair holds and refused, and dp's own counters
 * of the worker (lib/ipc struct ipc_dp_stats, copied by the worker every
 * 100 ms; dp_valid false when it never did). */
struct cp_metrics_worker {
	bool dp_valid;
	uint64_t dp_age_ms;
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes;
	uint64_t handoff_out, handoff_in;
	uint64_t busy_cycles, busy_pkts;
	uint64_t drop[IPC_DP_DROPS_MAX];
	uint64_t tcp_conns;           /* dp's TCP connections open */
	uint64_t tcp[IPC_DP_TCP_MAX];
	/* when the first certificate the worker serves expires (Unix
	 * seconds; 0: none): TURN over TLS's, the AGW legs' */
	uint64_t tls_not_after, tls_leg_not_after;
	uint32_t allocations;         /* cp's count of the worker's allocations */
	uint32_t to_cp_pending;
	uint32_t to_dp_pending;
	uint64_t to_cp_full;          /* dp's enqueues refused, ring full */
	uint64_t to_dp_full;          /* cp's */
};

/* Everything, at one moment. Counters are since this cp started, except
 * cp_starts (the segment's). */
struct cp_metrics_snap {
	uint64_t uptime_s;
	bool ready;
	bool dp_alive;
	bool dp_running;
	uint64_t cp_epoch;            /* cp starts on this segment */
	uint64_t dp_epoch;            /* dp starts on this segment */
	uint32_t allocations;
	uint32_t alloc_udp;           /* client leg over UDP */
	uint32_t alloc_tcp;           /* over TCP (or TLS over TCP) */
	uint32_t users;
	uint32_t secrets;
	uint64_t stats[64];           /* cp->stats, CP_STAT__COUNT of them */
	uint64_t err_by_code[32];     /* cp->err_by_code, CP_ERR__COUNT */
	uint64_t auth_refused[16];    /* cp->auth_refused, CP_AUTH_REASON__COUNT */
	uint64_t api_requests, api_errors, api_accepted, api_refused;
	uint64_t api_timed_out, api_too_many;
	/* relayed traffic, IPC_ALLOC_STATS_N order (pkts/bytes from client,
	 * to peer, from peer, to client): finished allocations, and all
	 * (finished + live, as dp last reported, at most a second old) */
	uint64_t traffic_done[IPC_ALLOC_STATS_N];
	uint64_t traffic_all[IPC_ALLOC_STATS_N];
	unsigned int nworkers;
	struct cp_metrics_worker w[IPC_MAX_WORKERS];
	/* dp's drop reasons (checked names: [a-z0-9_], NUL within the
	 * field; a bad one is left out and counted in bad_names) */
	unsigned int ndrops;
	char drop_names[IPC_DP_DROPS_MAX][IPC_DP_NAME_LEN];
	bool drop_ok[IPC_DP_DROPS_MAX];
	/* dp's TCP counters, the same way */
	unsigned int ntcp;
	char tcp_names[IPC_DP_TCP_MAX][IPC_DP_NAME_LEN];
	bool tcp_ok[IPC_DP_TCP_MAX];
	unsigned int bad_names;
	uint64_t dp_tsc_hz;
	uint64_t dp_reloads, dp_reloads_failed;   /* since dp started */
	/* many boxes (cp/cluster): in a cluster at all, linked to Redis now,
	 * and its counters */
	bool cluster_on;
	bool cluster_connected;
	struct cl_stats cluster;
};

/* The one source of the numbers. O(workers): the live allocations' count
 * by transport and their traffic are running sums cp/alloc keeps as dp's
 * reports come in and allocations go (cp->nallocs_tcp, traffic_live), not
 * a walk of the allocations (some 7 ms of cp's loop at 100,000 of them:
 * perf/RESULTS.md). */
void cp_metrics_collect(struct cp_ctx *cp, struct cp_metrics_snap *s);

/* The snapshot in the Prometheus text exposition format (version 0.0.4)
 * into a malloc'd NUL-terminated string (*out, the caller frees).
 * Returns its length or -ENOMEM. */
long cp_metrics_render(const struct cp_metrics_snap *s, const char *realm,
		       char **out);

/* Names of the error-code labels, CP_ERR__COUNT of them ("400", ...,
 * "other"); and of the traffic counters, IPC_ALLOC_STATS_N. */
const char *cp_metrics_code_name(unsigned int i);
const char *cp_metrics_traffic_name(unsigned int i);

/* ---- the HTTP endpoint (metrics_http.c) ------------------------------- */

/*
 * Listen on addr ("127.0.0.1:9641", "[::1]:9641"): GET /metrics answers
 * the text, GET / "ok" (a health check, as coturn's), anything else 404
 * or 405. No thread: cp polls cp_metrics_fd() and calls
 * cp_metrics_serve(), which runs the handler in cp's own loop. NULL with
 * errno and err set.
 */
struct cp_metrics *cp_metrics_open(struct cp_ctx *cp, const char *addr,
				   char *err, size_t errlen);
/* A descriptor that turns readable when there is work. */
int cp_metrics_fd(const struct cp_metrics *m);
/* Do what is ready (accept, read, answer), never waiting. Returns in
 * how many ms it wants to be called again even if cp_metrics_fd() stays
 * quiet (0: at once; at most 1000, for its connections' timeouts). */
uint64_t cp_metrics_serve(struct cp_metrics *m);
void cp_metrics_close(struct cp_metrics *m);
/* Scrapes answered since open. */
uint64_t cp_metrics_scrapes(const struct cp_metrics *m);

#endif /* CP_METRICS_H */
