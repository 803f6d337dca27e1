/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics as a module of turnpike-cp: the Prometheus endpoint
 * (cp.metrics) opened before cp drops its privileges (a port below 1024 is
 * the operator's choice), served from the loop, closed last but one. A
 * reload may close it or open another in its place (its reload hook):
 * every hook here takes cp->metrics as it is then. The operator's status
 * command is here too: the hub's numbers (cp_metrics_collect(), cp's
 * counter families) as JSON, and between them each module's parts (its
 * status hooks, by rank).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "api/api_cmd.h"
#include "cp_module.h"
#include "metrics.h"
#include "tp_conf.h"
#include "tp_version.h"

/* ---- status: the hub's parts, and the modules' between them ------------ */

/* version, uptime, ready */
static void
s_process(const struct cp_ctx *cp, const struct cp_metrics_snap *s, struct json_object *resp)
{
	(void)cp;
	json_object_object_add(resp, "version", json_object_new_string(TP_VERSION));
	json_object_object_add(resp, "uptime_s", json_object_new_int64((int64_t)s->uptime_s));
	json_object_object_add(resp, "ready", json_object_new_boolean(s->ready));
}

/* cp's starts on the segment, the log level, dp */
static void
s_dp(const struct cp_ctx *cp, const struct cp_metrics_snap *s, struct json_object *resp)
{
	struct json_object *dp = json_object_new_object();

	json_object_object_add(resp, "cp_starts", json_object_new_int64((int64_t)s->cp_epoch));
	json_object_object_add(resp, "log_level",
			       json_object_new_string(tp_log_level_name((int)tp_log_level())));
	json_object_object_add(dp, "alive", json_object_new_boolean(s->dp_alive));
	json_object_object_add(dp, "running", json_object_new_boolean(s->dp_running));
	json_object_object_add(dp, "pid", json_object_new_int(cp->seg.shm->dp_pid));
	json_object_object_add(dp, "epoch", json_object_new_int64((int64_t)s->dp_epoch));
	json_object_object_add(dp, "workers", json_object_new_int((int)s->nworkers));
	if (s->nports > 0) {
		struct json_object *ports = json_object_new_array();

		for (unsigned int i = 0; i < s->nports; i++) {
			const struct cp_metrics_port *p = &s->port[i];
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "name", json_object_new_string(p->name));
			json_object_object_add(o, "rx_nombuf",
					       json_object_new_int64((int64_t)p->rx_nombuf));
			json_object_object_add(o, "imissed",
					       json_object_new_int64((int64_t)p->imissed));
			json_object_object_add(o, "ierrors",
					       json_object_new_int64((int64_t)p->ierrors));
			json_object_object_add(o, "oerrors",
					       json_object_new_int64((int64_t)p->oerrors));
			json_object_array_add(ports, o);
		}
		json_object_object_add(dp, "ports", ports);
	}
	json_object_object_add(resp, "dp", dp);
}

/* cp's counter families with a rank */
static void
s_stats(const struct cp_ctx *cp, const struct cp_metrics_snap *s, struct json_object *resp)
{
	struct json_object *stats = json_object_new_object();

	(void)s;
	cp_ctrs_json_ranked(cp, stats);
	json_object_object_add(resp, "stats", stats);
}

/* Worker w's busy loop turns by duration, as the metrics' histogram:
 * cumulative, by bound in us (the name status publishes:
 * docs/metrics.md). */
static struct json_object *
loop_turns_json(const struct cp_metrics_worker *mw)
{
	static const uint32_t us[IPC_DP_LOOP_BOUNDS] = IPC_DP_LOOP_US;
	struct json_object *lt = json_object_new_object();
	struct json_object *le = json_object_new_object();

	for (unsigned int i = 0; i < IPC_DP_LOOP_BOUNDS; i++) {
		char k[16];

		snprintf(k, sizeof(k), "%u", us[i]);
		json_object_object_add(le, k, json_object_new_int64((int64_t)mw->loops_le[i]));
	}
	json_object_object_add(le, "+Inf",
			       json_object_new_int64((int64_t)mw->loops_le[IPC_DP_LOOP_BOUNDS]));
	json_object_object_add(lt, "le_us", le);
	json_object_object_add(lt, "count",
			       json_object_new_int64((int64_t)mw->loops_le[IPC_DP_LOOP_BOUNDS]));
	json_object_object_add(lt, "sum_s", json_object_new_double((double)mw->loops_sum_s +
								    mw->loops_sum_ns / 1e9));
	return lt;
}

/* dp's own counters of worker w (its "dp"), then the modules' parts of
 * it (their status_worker hooks) */
static struct json_object *
worker_dp_json(const struct cp_ctx *cp, const struct cp_metrics_snap *s, unsigned int w)
{
	const struct cp_metrics_worker *mw = &s->w[w];
	struct json_object *d = json_object_new_object();
	struct json_object *drops = json_object_new_object();
	struct json_object *tcp = json_object_new_object();

	json_object_object_add(d, "age_ms", json_object_new_int64((int64_t)mw->dp_age_ms));
	json_object_object_add(d, "rx_pkts", json_object_new_int64((int64_t)mw->rx_pkts));
	json_object_object_add(d, "rx_bytes", json_object_new_int64((int64_t)mw->rx_bytes));
	json_object_object_add(d, "tx_pkts", json_object_new_int64((int64_t)mw->tx_pkts));
	json_object_object_add(d, "tx_bytes", json_object_new_int64((int64_t)mw->tx_bytes));
	json_object_object_add(d, "handoff_out", json_object_new_int64((int64_t)mw->handoff_out));
	json_object_object_add(d, "handoff_in", json_object_new_int64((int64_t)mw->handoff_in));
	json_object_object_add(d, "busy_cycles", json_object_new_int64((int64_t)mw->busy_cycles));
	json_object_object_add(d, "busy_pkts", json_object_new_int64((int64_t)mw->busy_pkts));
	if (mw->loops_ok)
		json_object_object_add(d, "loop_turns", loop_turns_json(mw));
	for (unsigned int i = 0; i < s->ndrops; i++)
		if (s->drop_ok[i])
			json_object_object_add(drops, s->drop_names[i],
					       json_object_new_int64((int64_t)mw->drop[i]));
	json_object_object_add(d, "drops", drops);
	/* dp's TCP counters and the other families' (TURN over TCP, TLS's,
	 * ...), by the names dp published (as the metrics' events) */
	for (unsigned int i = 0; i < s->ntcp; i++)
		if (s->tcp_ok[i])
			json_object_object_add(tcp, s->tcp_names[i],
					       json_object_new_int64((int64_t)mw->tcp[i]));
	json_object_object_add(d, "tcp", tcp);
	cp_modules_status_worker(cp, s, w, d);
	return d;
}

/* per worker: cp's count of its allocations, its ring pair, and dp's
 * counters of it once dp copied them */
static void
s_workers(const struct cp_ctx *cp, const struct cp_metrics_snap *s, struct json_object *resp)
{
	struct json_object *workers = json_object_new_array();

	for (unsigned int w = 0; w < s->nworkers; w++) {
		const struct cp_metrics_worker *mw = &s->w[w];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int((int)w));
		json_object_object_add(o, "allocations", json_object_new_int64(mw->allocations));
		json_object_object_add(o, "to_cp_pending",
				       json_object_new_int((int)mw->to_cp_pending));
		json_object_object_add(o, "to_dp_pending",
				       json_object_new_int((int)mw->to_dp_pending));
		/* dp's TCP connections on the worker (TURN over TCP) */
		json_object_object_add(o, "tcp_connections",
				       json_object_new_int64((int64_t)mw->tcp_conns));
		json_object_object_add(o, "to_cp_full", json_object_new_int64((int64_t)mw->to_cp_full));
		json_object_object_add(o, "to_dp_full", json_object_new_int64((int64_t)mw->to_dp_full));
		if (mw->dp_valid)
			json_object_object_add(o, "dp", worker_dp_json(cp, s, w));
		json_object_array_add(workers, o);
	}
	json_object_object_add(resp, "workers", workers);
}

/* the metrics endpoint, and the connections it refused */
static void
s_endpoint(const struct cp_ctx *cp, const struct cp_metrics_snap *s, struct json_object *resp)
{
	json_object_object_add(resp, "metrics", cp->metrics != NULL ?
			       json_object_new_string(cp->conf->cp.metrics) : NULL);
	json_object_object_add(resp, "metrics_refused",
			       json_object_new_int64((int64_t)s->metrics_refused));
}

/* The hub's own parts, in status's order (enum cp_status_rank). */
static const struct {
	unsigned int rank;
	void (*write)(const struct cp_ctx *cp, const struct cp_metrics_snap *s,
		      struct json_object *resp);
} hub[] = {
	{ CP_STATUS_PROCESS, s_process },
	{ CP_STATUS_DP, s_dp },
	{ CP_STATUS_STATS, s_stats },
	{ CP_STATUS_WORKERS, s_workers },
	{ CP_STATUS_ENDPOINT, s_endpoint },
};

/*
 * status: the hub's own figures (cp_metrics_collect(), which the
 * Prometheus endpoint renders too) as JSON, its parts in order, and
 * between them, at their ranks, the parts of the modules that are up
 * (TURN's, authentication's, TLS's, the gateway's, ...).
 */
static int
cmd_status(void *ctx, struct json_object *req, struct json_object *resp,
	   const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_metrics_snap *s = malloc(sizeof(*s));
	unsigned int lo = 0;

	(void)req;
	if (s == NULL) {
		*error = "out of memory";
		return -ENOMEM;
	}
	cp_metrics_collect(cp, s);
	for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++) {
		cp_modules_status(cp, resp, lo, hub[i].rank);
		hub[i].write(cp, s, resp);
		lo = hub[i].rank;
	}
	cp_modules_status(cp, resp, lo, UINT_MAX);
	free(s);
	return 0;
}


/* The addresses of family f (4 or 6) in addrs[n] (16 bytes each) into
 * array a. */
static void
addrs_json(struct json_object *a, int f, const uint8_t (*addrs)[16], unsigned int n)
{
	char buf[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < n; i++)
		if (inet_ntop(f == 4 ? AF_INET : AF_INET6, addrs[i], buf, sizeof(buf)) != NULL)
			json_object_array_add(a, json_object_new_string(buf));
}

/* Tenant t's relayed addresses (tp_conf_tenant_relay_mask()) into a. */
static void
relay_json(const struct tp_conf *c, unsigned int t, struct json_object *a)
{
	for (int f = 4; f <= 6; f += 2) {
		uint8_t r[TP_CONF_MAX_RELAY][16], mine[TP_CONF_MAX_RELAY][16];
		unsigned int n = tp_conf_relay_addrs(c, f, r, NULL), k = 0;
		uint64_t m = tp_conf_tenant_relay_mask(c, t, f);

		for (unsigned int i = 0; i < n && i < 64; i++)
			if ((m >> i) & 1u)
				memcpy(mine[k++], r[i], sizeof(mine[0]));
		addrs_json(a, f, (const uint8_t (*)[16])mine, k);
	}
}

/*
 * tenants: the running configuration's tenants, the default first (the
 * access ports' own addresses, turn.realm, cp's quotas), each with its
 * TURN addresses, relayed addresses, quotas, its live allocations and
 * AGW contexts.
 */
static int
cmd_tenants(void *ctx, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_ctx *cp = ctx;
	const struct tp_conf *c = cp->conf;
	struct cp_metrics_snap *s = malloc(sizeof(*s));
	uint32_t agw[TP_CONF_MAX_TENANTS + 1];
	struct json_object *list = json_object_new_array();

	(void)req;
	if (s == NULL) {
		json_object_put(list);
		*error = "out of memory";
		return -ENOMEM;
	}
	cp_metrics_collect(cp, s);
	cp_agw_by_tenant(cp, agw, s->ntenants);
	for (unsigned int t = 0; t < s->ntenants; t++) {
		const struct tp_conf_tenant *te = t > 0 ? &c->tenants.t[t - 1] : NULL;
		struct json_object *o = json_object_new_object();
		struct json_object *addrs = json_object_new_array();
		struct json_object *rel = json_object_new_array();

		json_object_object_add(o, "name", json_object_new_string(s->tenant_names[t]));
		json_object_object_add(o, "realm", json_object_new_string(te != NULL ? te->realm :
								c->turn.realm));
		if (te != NULL) {
			for (unsigned int i = 0; i < te->naddrs; i++)
				addrs_json(addrs, te->addrs[i].family,
					   &te->addrs[i].ip, 1);
		} else {
			/* the access ports' own addresses */
			for (unsigned int i = 0; i < c->dp.nports; i++) {
				const struct tp_conf_port *p = &c->dp.ports[i];
				uint8_t a[16] = { 0 };

				if (!(p->roles & TP_ROLE_ACCESS))
					continue;
				if (p->has_ip4) {
					memcpy(a, p->ip4, 4);
					addrs_json(addrs, 4, (const uint8_t (*)[16])&a, 1);
				}
				if (p->has_ip6)
					addrs_json(addrs, 6, &p->ip6, 1);
			}
		}
		json_object_object_add(o, "addresses", addrs);
		relay_json(c, t, rel);
		json_object_object_add(o, "relayed", rel);
		json_object_object_add(o, "quota_total", json_object_new_int64(
			te != NULL ? te->quota_total : c->cp.quota_total));
		json_object_object_add(o, "quota_user", json_object_new_int64(
			te != NULL ? te->quota_user : c->cp.quota_user));
		json_object_object_add(o, "allocations", json_object_new_int64(s->tenant_allocs[t]));
		if (cp->agw != NULL)
			json_object_object_add(o, "agw_contexts", json_object_new_int64(agw[t]));
		json_object_array_add(list, o);
	}
	json_object_object_add(resp, "tenants", list);
	free(s);
	return 0;
}

static int
metrics_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf *conf = cp->conf;
	static struct cp_metrics_allow allow;
	char why[512];

	if (conf->cp.metrics[0] == '\0')
		return 0;
	if (cp_metrics_allow_parse(conf->cp.metrics_allow, conf->cp.nmetrics_allow,
				   &allow, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", conf->path, why);
		return -EINVAL;
	}
	cp->metrics = cp_metrics_open(cp, conf->cp.metrics, &allow, why, sizeof(why));
	if (cp->metrics == NULL) {
		snprintf(err, errlen, "%s (cp.metrics in %s)", why, conf->path);
		return -EINVAL;
	}
	tp_log(TP_LOG_INFO, "Prometheus metrics on http://%s/metrics\n",
	       conf->cp.metrics);
	if (cp_metrics_exposed_warning(conf->cp.metrics, conf->cp.nmetrics_allow,
				       why, sizeof(why)))
		tp_log(TP_LOG_WARNING, "%s\n", why);
	return 0;
}

static void
metrics_fini(struct cp_ctx *cp)
{
	cp_metrics_close(cp->metrics);
	cp->metrics = NULL;
}

/* When there is work, and once a second for its connections' timeouts
 * (it does not keep cp awake). */
static unsigned int
metrics_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	struct pollfd mfd;

	if (cp->metrics == NULL)
		return 0;
	mfd.fd = cp_metrics_fd(cp->metrics);
	mfd.events = POLLIN;
	if (poll(&mfd, 1, 0) > 0 || now_ms >= cp->metrics_due_ms)
		cp->metrics_due_ms = now_ms + cp_metrics_serve(cp->metrics);
	return 0;
}

/*
 * A reload: a new cp.metrics opened before anything changes (a port
 * already taken refuses the reload), a new cp.metrics_allow taken by the
 * running endpoint at once. When only the address changes, the old
 * endpoint holds the port: it is closed first, and opened again if the
 * new one cannot be, or if the reload is refused after.
 */
static struct {
	struct cp_metrics *met;       /* the new endpoint, or NULL */
	struct cp_metrics_allow allow, allow_cur;
	bool closed;                  /* the running one closed for it */
} rl;

static bool
metrics_addr_new(const struct tp_conf_cp *c, const struct tp_conf_cp *x)
{
	return strcmp(c->metrics, x->metrics) != 0;
}

static bool
metrics_allow_new(const struct tp_conf_cp *c, const struct tp_conf_cp *x)
{
	return c->nmetrics_allow != x->nmetrics_allow ||
	       memcmp(c->metrics_allow, x->metrics_allow,
		      sizeof(c->metrics_allow[0]) * x->nmetrics_allow) != 0;
}

/* The running endpoint open again on the running settings (what it
 * could not be opened on stays unsaid: the reload's own error is what is
 * said). */
static void
reopen_running(struct cp_ctx *cp)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	char why[256];

	if (cp->metrics == NULL && c->metrics[0] != '\0')
		cp->metrics = cp_metrics_open(cp, c->metrics, &rl.allow_cur, why, sizeof(why));
}

static void
metrics_reload_abort(struct cp_ctx *cp)
{
	cp_metrics_close(rl.met);
	rl.met = NULL;
	if (rl.closed)
		reopen_running(cp);
	rl.closed = false;
}

static int
metrics_reload_prepare(struct cp_ctx *cp, const struct tp_conf *next, char *err,
		       size_t errlen)
{
	const struct tp_conf_cp *c = &cp->conf->cp, *x = &next->cp;

	rl.met = NULL;
	rl.closed = false;
	if (cp_metrics_allow_parse(x->metrics_allow, x->nmetrics_allow, &rl.allow, err,
				   errlen) < 0 ||
	    cp_metrics_allow_parse(c->metrics_allow, c->nmetrics_allow, &rl.allow_cur, err,
				   errlen) < 0)
		return -EINVAL;
	if (!metrics_addr_new(c, x) || x->metrics[0] == '\0')
		return 0;
	if (cp->metrics != NULL && strchr(x->metrics, ':') != NULL &&
	    strcmp(strrchr(c->metrics, ':'), strrchr(x->metrics, ':')) == 0) {
		cp_metrics_close(cp->metrics);
		cp->metrics = NULL;
		rl.closed = true;
	}
	rl.met = cp_metrics_open(cp, x->metrics, &rl.allow, err, errlen);
	if (rl.met == NULL) {
		reopen_running(cp);
		rl.closed = false;
		return -EINVAL;
	}
	return 0;
}

static void
metrics_reload_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	struct tp_conf_cp *c = &cp->conf->cp;
	const struct tp_conf_cp *x = &next->cp;
	bool addr_new = metrics_addr_new(c, x), allow_new = metrics_allow_new(c, x);
	char why[512];

	if (addr_new) {
		cp_metrics_close(cp->metrics);
		cp->metrics = rl.met;
		rl.met = NULL;
		cp_reload_say(r, false, "cp.metrics '%s' -> '%s'", c->metrics, x->metrics);
		memcpy(c->metrics, x->metrics, sizeof(c->metrics));
	}
	rl.closed = false;
	if (allow_new) {
		/* (a new endpoint above has the new list already) */
		if (cp->metrics != NULL)
			cp_metrics_set_allow(cp->metrics, &rl.allow);
		cp_reload_say(r, false, "cp.metrics_allow (%u prefix%s%s)", x->nmetrics_allow,
			      x->nmetrics_allow == 1 ? "" : "es",
			      x->nmetrics_allow == 0 ? ": any source" : "");
		c->nmetrics_allow = x->nmetrics_allow;
		memcpy(c->metrics_allow, x->metrics_allow, sizeof(c->metrics_allow));
	}
	if ((addr_new || allow_new) &&
	    cp_metrics_exposed_warning(c->metrics, c->nmetrics_allow, why, sizeof(why)))
		tp_log(TP_LOG_WARNING, "%s\n", why);
}

static const struct cp_module_reload metrics_reload = {
	.prepare = metrics_reload_prepare,
	.apply = metrics_reload_apply,
	.abort = metrics_reload_abort,
};

static int
metrics_commands(struct cp_ctx *cp)
{
	static const struct cp_api_cmd_def cmds[] = {
		{ "status", cmd_status },
		{ "tenants", cmd_tenants },
	};

	return cp_api_cmds(cp, cmds, sizeof(cmds) / sizeof(cmds[0]));
}

const struct cp_module cp_metrics_module = {
	.name = "metrics",
	.setup = metrics_setup,
	.fini = metrics_fini,
	.serve = metrics_serve,
	/* (registered before its setup runs, as the API comes first: status
	 * answers with or without an endpoint) */
	.commands = metrics_commands,
	.reload = &metrics_reload,
};
