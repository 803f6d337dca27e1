/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics: the numbers an operator watches, rendered twice: as JSON by
 * `turnpikectl status` (metrics_module.c) and as Prometheus text here,
 * served over HTTP by libmicrohttpd inside cp's loop (cp.metrics =
 * "ADDR:PORT"; off by default). The two hubs name no module: their own
 * figures (cp's, dp's, the allocations', taken once by
 * cp_metrics_collect()), then cp's counter families (cp_ctrs.h) and each
 * module's part through its status and metrics hooks (cp_module_types.h).
 *
 * Names: coturn's where the concept is the same, so that an operator's
 * dashboards keep working (src/apps/relay/prom_server.c: turn_total_
 * allocations{type}, turn_traffic_{rcv,sent}{p,b}{realm} and the _peer_
 * and _total_ variants, finished sessions' traffic); turnpike's own as
 * turnpike_*. coturn's traffic counters have no "_total" suffix, which
 * promtool's lint asks of a counter: they are exposed as "untyped" under
 * coturn's names (a query does not care), and the same numbers as lint-
 * clean counters under turnpike's. Label sets are bounded: realm (one),
 * transport, worker (at most IPC_MAX_WORKERS), error code (cp_err_codes.def
 * and "other"), direction, tenant (the configured ones and "default",
 * at most TP_CONF_MAX_TENANTS + 1); never a label per allocation or user.
 */
#ifndef CP_METRICS_H
#define CP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "ipc_types.h"
#include "policy_types.h"
#include "tp_conf_types.h"

struct cp_ctx;

/* The TSC rates cp takes dp's cycles in as plausible (ipc_shm.dp_tsc_hz):
 * a timer of 1 MHz to 10 GHz */
#define CP_METRICS_TSC_HZ_MIN 1000000ull
#define CP_METRICS_TSC_HZ_MAX 10000000000ull

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
	/* Its busy loop turns by duration (ipc_dp_stats.loop_buckets), as a
	 * Prometheus histogram has them: cumulative (loops_le[i] those up to
	 * bound i of IPC_DP_LOOP_US, the last all of them: the count), summed
	 * saturating, so non-decreasing whatever the segment held; their
	 * total time (busy_cycles at dp_tsc_hz) in seconds and nanoseconds.
	 * loops_ok false: none shown (no copy yet, or a TSC rate outside
	 * CP_METRICS_TSC_HZ_MIN..MAX, which no time can be had from). */
	bool loops_ok;
	uint64_t loops_le[IPC_DP_LOOP_BUCKETS];
	uint64_t loops_sum_s;
	uint32_t loops_sum_ns;
	uint32_t allocations;         /* cp's count of the worker's allocations */
	uint32_t to_cp_pending;
	uint32_t to_dp_pending;
	uint64_t to_cp_full;          /* dp's enqueues refused, ring full */
	uint64_t to_dp_full;          /* cp's */
};

/* A port's own drops and errors (lib/ipc struct ipc_dp_port), its name
 * checked: printable ASCII without a quote or a backslash, else
 * "port<index>" (what a Prometheus label and a terminal take as it is). */
struct cp_metrics_port {
	char name[IPC_DP_PORT_NAME_LEN];
	uint64_t rx_nombuf, imissed, ierrors, oerrors;
};

/* The hub's own figures at one moment: cp's and dp's (the segment),
 * allocations, credentials; the modules' parts and the counter families
 * (cp_ctrs.h) are read as they are rendered, in the same loop turn.
 * Counters are since this cp started, except cp_starts (the segment's). */
struct cp_metrics_snap {
	uint64_t uptime_s;
	bool ready;
	bool dp_alive;
	bool dp_running;
	uint64_t cp_epoch;            /* cp starts on this segment */
	/* dp's ports (worker 0's block), nports 0 until it published them */
	unsigned int nports;
	struct cp_metrics_port port[IPC_DP_PORTS_MAX];
	uint64_t dp_epoch;            /* dp starts on this segment */
	uint32_t allocations;
	uint32_t alloc_udp;           /* client leg over UDP */
	uint32_t alloc_tcp;           /* over TCP (or TLS over TCP) */
	uint32_t alloc_limited;       /* with a bandwidth limit (max_bps) */
	uint32_t max_bps;             /* turn.max_bps */
	/* live allocations by tenant (lib/conf's index: 0 the default
	 * tenant, i + 1 the i-th of the tenants list), ntenants of them (the
	 * list's and the default), and their names */
	unsigned int ntenants;
	uint32_t tenant_allocs[TP_CONF_MAX_TENANTS + 1];
	/* what each tenant's allocations relayed (finished and live), as
	 * traffic_all */
	uint64_t tenant_traffic[TP_CONF_MAX_TENANTS + 1][IPC_ALLOC_STATS_N];
	char tenant_names[TP_CONF_MAX_TENANTS + 1][TP_CONF_TENANT_NAME_MAX + 1];
	uint32_t users;
	uint32_t secrets;
	uint64_t err_by_code[32];     /* cp->err_by_code, CP_ERR__COUNT */
	uint64_t auth_refused[24];    /* cp->auth_refused, CP_AUTH_REASON__COUNT */
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
	/* ... and their families (dp/dp_ctrs.h, lib/ipc struct
	 * ipc_dp_family): only those within the names, with a good name */
	unsigned int nfamilies;
	struct ipc_dp_family families[IPC_DP_FAMILIES_MAX];
	/* ... and their help, each counter's (a family's in families[].help):
	 * copied, then checked (one line of printable ASCII, NUL within
	 * the field); "" where dp gave none, or a bad one, counted in
	 * bad_help */
	char tcp_help[IPC_DP_TCP_MAX][IPC_DP_HELP_LEN];
	unsigned int bad_names;
	unsigned int bad_help;
	uint64_t dp_tsc_hz;
	uint64_t dp_reloads, dp_reloads_failed;   /* since dp started */
	/* connections to the endpoint refused: their source is outside
	 * cp.metrics_allow (since the endpoint opened) */
	uint64_t metrics_refused;
};

/* The one source of the numbers. O(workers): the live allocations' count
 * by transport and their traffic are running sums cp/alloc keeps as dp's
 * reports come in and allocations go (cp_alloc_totals()), not
 * a walk of the allocations (some 7 ms of cp's loop at 100,000 of them:
 * perf/RESULTS.md). */
void cp_metrics_collect(struct cp_ctx *cp, struct cp_metrics_snap *s);

/* The snapshot, with the counter families of cp and the parts of its
 * modules that are up (in the order of enum cp_metrics_rank), in the
 * Prometheus text exposition format (version 0.0.4) into a malloc'd
 * NUL-terminated string (*out, the caller frees). Returns its length or
 * -ENOMEM. */
long cp_metrics_render(const struct cp_ctx *cp, const struct cp_metrics_snap *s,
		       const char *realm, char **out);

/* What dp's counter i (of tcp_names) counts: its own help, else its
 * family's; NULL when neither is there (or i is not a good name). */
const char *cp_metrics_help(const struct cp_metrics_snap *s, unsigned int i);

/* The family of dp's counters called name (NULL: dp has none such). */
const struct ipc_dp_family *cp_metrics_family(const struct cp_metrics_snap *s,
					      const char *name);

/* ---- who may scrape (metrics_access.c) -------------------------------- */

#define CP_METRICS_ALLOW_MAX TP_CONF_MAX_PREFIXES

/* cp.metrics_allow, parsed: n prefixes; 0: any source. */
struct cp_metrics_allow {
	unsigned int n;
	struct cp_prefix p[CP_METRICS_ALLOW_MAX];
};

/* cp.metrics_allow's strings, list[0..n), into out (cp/policy's prefix
 * rules). 0, or -EINVAL with one line in err naming the prefix. */
int cp_metrics_allow_parse(const char (*list)[64], unsigned int n,
			   struct cp_metrics_allow *out, char *err, size_t errlen);

/* May a connection from sa scrape? Any source when allow is NULL or
 * empty; otherwise only IPv4 and IPv6 sources inside one of its
 * prefixes (IPv4-mapped IPv6 taken as IPv4). */
bool cp_metrics_allowed(const struct cp_metrics_allow *allow,
			const struct sockaddr *sa, socklen_t len);

/* The warning for an endpoint reachable from off the box: addr (cp.
 * metrics) is not a loopback address (the wildcards 0.0.0.0 and :: are
 * not) and no prefix restricts it (nallow 0). true with one line in buf;
 * false (buf untouched) when there is nothing to say, addr empty or not
 * an address included. */
bool cp_metrics_exposed_warning(const char *addr, unsigned int nallow,
				char *buf, size_t len);

/* ---- the HTTP endpoint (metrics_http.c) ------------------------------- */

/* A scrape within this long of the text's making is answered with that
 * text: what a scrape costs cp's loop does not grow with the allocations
 * or with the scrapers. */
#define CP_METRICS_CACHE_MS 1000
/* Scrapers at once, and from one source address: a slow or stuck one
 * from an allowed source costs a slot, never all of them. */
#define CP_METRICS_MAX_CONNS 8
#define CP_METRICS_PER_IP 2
/* A connection's request (its line and headers) must be whole this long
 * (cp->now_ms) after it connected or was last answered, however it
 * dribbles them in: libmicrohttpd's own timeout is of silence only. */
#define CP_METRICS_HEADER_MS 5000

/*
 * Listen on addr ("127.0.0.1:9641", "[::1]:9641"): GET /metrics answers
 * the text, GET / "ok" (a health check, as coturn's), anything else 404
 * or 405. No thread: cp polls cp_metrics_fd() and calls
 * cp_metrics_serve(), which runs the handler in cp's own loop. The text
 * is made at most once every CP_METRICS_CACHE_MS (cp->now_ms) and every
 * scrape until then gets the same. allow (copied; NULL: any source)
 * says who may connect: others are closed at once and counted. NULL with
 * errno and err set.
 */
struct cp_metrics *cp_metrics_open(struct cp_ctx *cp, const char *addr,
				   const struct cp_metrics_allow *allow,
				   char *err, size_t errlen);
/* Who may connect from now on (copied; NULL: any source). */
void cp_metrics_set_allow(struct cp_metrics *m, const struct cp_metrics_allow *allow);
/* Connections refused by the allow list since open. */
uint64_t cp_metrics_refused(const struct cp_metrics *m);
/* Texts made since open (each serves the scrapes of up to
 * CP_METRICS_CACHE_MS). */
uint64_t cp_metrics_builds(const struct cp_metrics *m);
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
