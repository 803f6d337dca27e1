/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics: the snapshot of the hubs' own numbers (what `turnpikectl
 * status` and the Prometheus endpoint show besides the modules' parts and
 * cp's counter families) and the Prometheus text: the hub's parts in
 * order, and between them, at their ranks, the modules' parts and the
 * families. See metrics.h for the names and why coturn's are typed
 * "untyped".
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cp.h"
#include "../cp_module.h"
#include "metrics.h"
#include "tp_common.h"
#include "tp_esc.h"
#include "../cp_tenant.h"

_Static_assert(CP_ERR__COUNT <= 32, "cp_metrics_snap.err_by_code too small");
_Static_assert(CP_AUTH_REASON__COUNT <= 24, "cp_metrics_snap.auth_refused too small");

/* n names from the segment (anything may have scribbled there): each kept
 * only if it is [a-z0-9_], NUL within its field; returns the bad ones. */
static unsigned int
take_names(const char (*src)[IPC_DP_NAME_LEN], unsigned int n,
	   char (*dst)[IPC_DP_NAME_LEN], bool *ok)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < n; i++) {
		size_t len = strnlen(src[i], IPC_DP_NAME_LEN);
		bool good = len > 0 && len < IPC_DP_NAME_LEN;

		memset(dst[i], 0, IPC_DP_NAME_LEN);
		for (size_t k = 0; good && k < len; k++)
			good = (src[i][k] >= 'a' && src[i][k] <= 'z') ||
			       (src[i][k] >= '0' && src[i][k] <= '9') || src[i][k] == '_';
		if (good)
			memcpy(dst[i], src[i], len);
		ok[i] = good;
		bad += !good;
	}
	return bad;
}

/* dp's ports from worker 0's block (anything may have scribbled there):
 * at most IPC_DP_PORTS_MAX, each name kept if printable without a quote or
 * a backslash, else named by its index; returns the bad names. */
static unsigned int
take_ports(const struct ipc_dp_stats *d, struct cp_metrics_snap *s)
{
	unsigned int bad = 0, n = d->nports <= IPC_DP_PORTS_MAX ? (unsigned int)d->nports : 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct ipc_dp_port *p = &d->port[i];
		struct cp_metrics_port *o = &s->port[i];
		size_t len = strnlen(p->name, IPC_DP_PORT_NAME_LEN);
		bool good = len > 0 && len < IPC_DP_PORT_NAME_LEN && tp_printable(p->name, len) &&
			    memchr(p->name, '"', len) == NULL && memchr(p->name, '\\', len) == NULL;

		if (good) {
			memcpy(o->name, p->name, len);
			o->name[len] = '\0';
		} else {
			snprintf(o->name, sizeof(o->name), "port%u", i);
			bad++;
		}
		o->rx_nombuf = p->rx_nombuf;
		o->imissed = p->imissed;
		o->ierrors = p->ierrors;
		o->oerrors = p->oerrors;
	}
	s->nports = n;
	return bad;
}

/* A help copied from the segment (IPC_DP_HELP_LEN bytes at h), checked
 * where it is, out of dp's reach: kept if it is NUL within its field and
 * printable ASCII only (one line of the metrics' text, nothing a
 * terminal would act on); otherwise h is made "". Returns whether it
 * was bad ("" is not). */
static bool
check_help(char *h)
{
	size_t len = strnlen(h, IPC_DP_HELP_LEN);
	bool good = len < IPC_DP_HELP_LEN && tp_printable(h, len);

	if (!good)
		memset(h, 0, IPC_DP_HELP_LEN);
	return !good;
}

/* dp's counter families from the segment (copied, then checked: dp
 * writes them once at its start, but anything may scribble there): each
 * kept only if its name is [a-z0-9_] and its counters lie within the n
 * names taken, each good and longer than the family's prefix. Returns
 * the bad ones. */
static unsigned int
take_families(const struct ipc_shm *shm, unsigned int n, struct cp_metrics_snap *s)
{
	unsigned int nf = shm->dp_nfamilies <= IPC_DP_FAMILIES_MAX ? shm->dp_nfamilies : 0;
	unsigned int bad = 0;

	s->nfamilies = 0;
	for (unsigned int k = 0; k < nf; k++) {
		struct ipc_dp_family f = shm->dp_families[k];
		size_t len = strnlen(f.name, IPC_DP_NAME_LEN);
		bool ok = len > 0 && len < IPC_DP_NAME_LEN &&
			  (unsigned int)f.first + f.count <= n && f.prefix_len < IPC_DP_NAME_LEN;

		for (size_t c = 0; ok && c < len; c++)
			ok = (f.name[c] >= 'a' && f.name[c] <= 'z') ||
			     (f.name[c] >= '0' && f.name[c] <= '9') || f.name[c] == '_';
		for (unsigned int i = f.first; ok && i < (unsigned int)f.first + f.count; i++)
			ok = !s->tcp_ok[i] || strlen(s->tcp_names[i]) > f.prefix_len;
		if (!ok) {
			bad++;
			continue;
		}
		s->bad_help += check_help(f.help);
		s->families[s->nfamilies++] = f;
	}
	return bad;
}

const char *
cp_metrics_help(const struct cp_metrics_snap *s, unsigned int i)
{
	if (i >= s->ntcp || !s->tcp_ok[i])
		return NULL;
	if (s->tcp_help[i][0] != '\0')
		return s->tcp_help[i];
	for (unsigned int k = 0; k < s->nfamilies; k++) {
		const struct ipc_dp_family *f = &s->families[k];

		if (i >= (unsigned int)f->first && i < (unsigned int)f->first + f->count)
			return f->help[0] != '\0' ? f->help : NULL;
	}
	return NULL;
}

const struct ipc_dp_family *
cp_metrics_family(const struct cp_metrics_snap *s, const char *name)
{
	for (unsigned int k = 0; k < s->nfamilies; k++)
		if (strcmp(s->families[k].name, name) == 0)
			return &s->families[k];
	return NULL;
}

/* Live allocations by tenant (cp/alloc's running counts). */
static void
tenant_allocs(struct cp_ctx *cp, const struct cp_alloc_totals *at, struct cp_metrics_snap *s)
{
	const struct tp_conf *c = cp->conf;
	unsigned int n = c->tenants.n + 1;

	if (n > TP_CONF_MAX_TENANTS + 1)
		n = TP_CONF_MAX_TENANTS + 1;
	s->ntenants = n;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(s->tenant_names[i], sizeof(s->tenant_names[i]), "%s",
			 tp_conf_tenant_name(c, i));
		s->tenant_allocs[i] = at->tenant[i];
		memcpy(s->tenant_traffic[i], at->tenant_all[i], sizeof(s->tenant_traffic[i]));
	}
	if (n == 1)
		s->tenant_allocs[0] = at->allocs;
}

/* A worker's loop turns by duration from the segment (per bucket) into
 * cumulative buckets, each sum saturating at UINT64_MAX: whatever a
 * scribbled segment holds, the buckets never decrease and the last is
 * the count. Their time: busy_cycles (as taken already: the same number
 * turnpike_dp_busy_cycles_total shows) over the TSC rate, in whole
 * seconds and nanoseconds (integers, exact however long dp runs;
 * hz <= CP_METRICS_TSC_HZ_MAX keeps rem * 1e9 within 64 bits). */
static void
take_turns(const struct ipc_dp_stats *d, uint64_t hz, struct cp_metrics_worker *mw)
{
	uint64_t sum = 0, cyc = mw->busy_cycles;

	if (hz < CP_METRICS_TSC_HZ_MIN || hz > CP_METRICS_TSC_HZ_MAX)
		return;
	for (unsigned int i = 0; i < IPC_DP_LOOP_BUCKETS; i++) {
		if (__builtin_add_overflow(sum, d->loop_buckets[i], &sum))
			sum = UINT64_MAX;
		mw->loops_le[i] = sum;
	}
	mw->loops_sum_s = cyc / hz;
	mw->loops_sum_ns = (uint32_t)(cyc % hz * 1000000000ull / hz);
	mw->loops_ok = true;
}

void
cp_metrics_collect(struct cp_ctx *cp, struct cp_metrics_snap *s)
{
	struct ipc_shm *shm = cp->seg.shm;
	struct cp_alloc_totals at;

	memset(s, 0, sizeof(*s));
	s->uptime_s = (cp->now_ms - cp->start_ms) / 1000;
	s->ready = cp->ready;
	/* EPERM: dp is there, and is root while cp no longer is */
	s->dp_alive = shm->dp_pid > 0 &&
		      (kill(shm->dp_pid, 0) == 0 || errno == EPERM) &&
		      ipc_monotonic_ms() - shm->dp_heartbeat_ms < 3000;
	s->dp_running = ipc_dp_running(shm, ipc_monotonic_ms());
	s->cp_epoch = cp->epoch;
	s->dp_epoch = shm->dp_epoch;
	cp_alloc_totals(cp, &at);
	s->allocations = at.allocs;
	tenant_allocs(cp, &at, s);
	s->users = cp_auth_user_count(cp->auth);
	s->secrets = cp_auth_secret_list(cp->auth, NULL, 0);
	memcpy(s->err_by_code, cp->err_by_code, sizeof(cp->err_by_code));
	memcpy(s->auth_refused, cp->auth_refused, sizeof(cp->auth_refused));
	memcpy(s->traffic_done, at.done, sizeof(s->traffic_done));
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
		s->traffic_all[i] = at.done[i] + at.live[i];
	s->alloc_tcp = at.allocs_tcp;
	s->alloc_udp = at.allocs - at.allocs_tcp;
	s->alloc_limited = at.allocs_limited;
	s->max_bps = cp->conf->turn.max_bps;
	s->metrics_refused = cp->metrics != NULL ? cp_metrics_refused(cp->metrics) : 0;
	s->nworkers = cp->nworkers;
	s->dp_tsc_hz = shm->dp_tsc_hz;
	s->dp_reloads = __atomic_load_n(&shm->dp_reloads, __ATOMIC_RELAXED);
	s->dp_reloads_failed = __atomic_load_n(&shm->dp_reloads_failed, __ATOMIC_RELAXED);
	s->ndrops = shm->dp_ndrops <= IPC_DP_DROPS_MAX ? shm->dp_ndrops : 0;
	s->bad_names += take_names(shm->dp_drop_names, s->ndrops, s->drop_names, s->drop_ok);
	s->ntcp = shm->dp_ntcp <= IPC_DP_TCP_MAX ? shm->dp_ntcp : 0;
	s->bad_names += take_names(shm->dp_tcp_names, s->ntcp, s->tcp_names, s->tcp_ok);
	for (unsigned int i = 0; i < s->ntcp; i++) {
		memcpy(s->tcp_help[i], shm->dp_tcp_help[i], IPC_DP_HELP_LEN);
		s->bad_help += check_help(s->tcp_help[i]);
	}
	s->bad_names += take_families(shm, s->ntcp, s);
	for (unsigned int w = 0; w < cp->nworkers && w < IPC_MAX_WORKERS; w++) {
		struct ipc_worker_rings *r = ipc_worker(&cp->seg, w);
		const struct ipc_dp_stats *d = &r->dp_stats;
		uint64_t upd = __atomic_load_n(&d->updated_ms, __ATOMIC_ACQUIRE);
		uint64_t now = ipc_monotonic_ms();

		if (upd != 0) {
			s->w[w].dp_valid = true;
			s->w[w].dp_age_ms = now > upd ? now - upd : 0;
			s->w[w].rx_pkts = d->rx_pkts;
			s->w[w].rx_bytes = d->rx_bytes;
			s->w[w].tx_pkts = d->tx_pkts;
			s->w[w].tx_bytes = d->tx_bytes;
			s->w[w].handoff_out = d->handoff_out;
			s->w[w].handoff_in = d->handoff_in;
			s->w[w].busy_cycles = d->busy_cycles;
			s->w[w].busy_pkts = d->busy_pkts;
			memcpy(s->w[w].drop, d->drop, sizeof(s->w[w].drop));
			s->w[w].tcp_conns = d->tcp_conns;
			memcpy(s->w[w].tcp, d->tcp, sizeof(s->w[w].tcp));
			s->w[w].tls_not_after = d->tls_not_after;
			s->w[w].tls_leg_not_after = d->tls_leg_not_after;
			take_turns(d, s->dp_tsc_hz, &s->w[w]);
			if (w == 0)
				s->bad_names += take_ports(d, s);
		}

		s->w[w].allocations = at.worker[w];
		s->w[w].to_cp_pending = ipc_ring_count(&r->to_cp);
		s->w[w].to_dp_pending = ipc_ring_count(&r->to_dp);
		s->w[w].to_cp_full = __atomic_load_n(&r->to_cp.full, __ATOMIC_RELAXED);
		s->w[w].to_dp_full = r->to_dp.full;
	}
}

/* coturn's traffic families: finished sessions; idx into
 * traffic_done. */
static const struct {
	const char *name;
	unsigned int idx;
	const char *help;
} coturn_traffic[] = {
	{ "rcvp", 0, "received packets (from clients)" },
	{ "rcvb", 1, "received bytes (from clients)" },
	{ "sentp", 6, "sent packets (to clients)" },
	{ "sentb", 7, "sent bytes (to clients)" },
	{ "peer_rcvp", 4, "peer received packets (from peers)" },
	{ "peer_rcvb", 5, "peer received bytes (from peers)" },
	{ "peer_sentp", 2, "peer sent packets (to peers)" },
	{ "peer_sentb", 3, "peer sent bytes (to peers)" },
};

/* turnpike's relayed traffic: direction label per index pair. */
static const char *const directions[IPC_ALLOC_STATS_N / 2] = {
	"from_client", "to_peer", "from_peer", "to_client",
};

/* coturn's names (src/apps/relay/prom_server.c). */
static void
m_coturn(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	char name[128];

	cp_ctrs_head(f, "turn_total_allocations", "gauge",
		     "Represents current allocations number (coturn's name)");
	fprintf(f, "turn_total_allocations{type=\"UDP\"} %u\n", s->alloc_udp);
	fprintf(f, "turn_total_allocations{type=\"TCP\"} %u\n", s->alloc_tcp);
	for (size_t i = 0; i < sizeof(coturn_traffic) / sizeof(coturn_traffic[0]); i++) {
		char help[160];

		snprintf(name, sizeof(name), "turn_traffic_%s", coturn_traffic[i].name);
		snprintf(help, sizeof(help), "Finished sessions' %s: a counter under "
			 "coturn's name (untyped: no _total suffix)", coturn_traffic[i].help);
		cp_ctrs_head(f, name, "untyped", help);
		fprintf(f, "%s{realm=\"", name);
		tp_esc_prom_label(f, realm);
		fprintf(f, "\"} %llu\n",
			(unsigned long long)s->traffic_done[coturn_traffic[i].idx]);
		snprintf(name, sizeof(name), "turn_total_traffic_%s", coturn_traffic[i].name);
		snprintf(help, sizeof(help), "Total finished sessions' %s: a counter "
			 "under coturn's name (untyped: no _total suffix)",
			 coturn_traffic[i].help);
		cp_ctrs_one(f, name, "untyped", help, s->traffic_done[coturn_traffic[i].idx]);
	}
}

/* cp and dp: up, since when, their starts. */
static void
m_process(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	(void)realm;
	cp_ctrs_one(f, "turnpike_cp_ready", "gauge", "1 once cp serves requests", s->ready);
	cp_ctrs_one(f, "turnpike_dp_alive", "gauge", "1 while turnpike-dp beats", s->dp_alive);
	cp_ctrs_one(f, "turnpike_cp_uptime_seconds", "gauge", "Seconds since this cp started",
		    s->uptime_s);
	cp_ctrs_one(f, "turnpike_cp_starts_total", "counter",
		    "turnpike-cp starts on this shared-memory segment", s->cp_epoch);
	cp_ctrs_one(f, "turnpike_dp_starts_total", "counter",
		    "turnpike-dp starts on this shared-memory segment", s->dp_epoch);
}

/* Live allocations, by tenant on a box with tenants. */
static void
m_allocations(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	(void)realm;
	/* A box without tenants exports what it always did; with them, a
	 * series per tenant ("default": the box's own addresses). A snapshot
	 * not made by cp_metrics_collect() (ntenants 0) has none. */
	if (s->ntenants <= 1) {
		cp_ctrs_one(f, "turnpike_allocations", "gauge", "Live allocations", s->allocations);
	} else {
		cp_ctrs_head(f, "turnpike_allocations", "gauge",
			     "Live allocations, by tenant (the TURN address the client reached; "
			     "\"default\": the box's own)");
		for (unsigned int t = 0; t < s->ntenants; t++) {
			fprintf(f, "turnpike_allocations{tenant=\"");
			tp_esc_prom_label(f, s->tenant_names[t]);
			fprintf(f, "\"} %u\n", s->tenant_allocs[t]);
		}
	}
	cp_ctrs_one(f, "turnpike_allocations_limited", "gauge",
		    "Live allocations with a bandwidth limit (max_bps: the user's, the tenant's "
		    "or turn.max_bps; their datagrams over it: turnpike_dp_drops_total"
		    " reason turn_policed)", s->alloc_limited);
}

/* Users and REST secrets. */
static void
m_credentials(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	(void)realm;
	cp_ctrs_one(f, "turnpike_users", "gauge",
		    "Long-term credential users (file and store)", s->users);
	cp_ctrs_one(f, "turnpike_rest_secrets", "gauge", "TURN REST API shared secrets",
		    s->secrets);
}

/* Relayed traffic by direction (by tenant too, on a box with tenants). */
static void
m_relayed(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	char name[128];

	(void)realm;
	for (unsigned int k = 0; k < 2; k++) {
		const char *what = k == 0 ? "packets" : "bytes";

		snprintf(name, sizeof(name), "turnpike_relayed_%s_total", what);
		cp_ctrs_head(f, name, "counter", k == 0 ?
			     "Relayed packets by direction, finished and live allocations "
			     "(live ones as dp last reported, at most a second old)" :
			     "Relayed bytes by direction, finished and live allocations");
		for (unsigned int d = 0; d < IPC_ALLOC_STATS_N / 2; d++)
			fprintf(f, "%s{direction=\"%s\"} %llu\n", name, directions[d],
				(unsigned long long)s->traffic_all[2 * d + k]);
	}
	/* the same by tenant, on a box with a tenants list (the label's
	 * values are the configuration's names: bounded) */
	for (unsigned int k = 0; k < 2 && s->ntenants > 1; k++) {
		const char *what = k == 0 ? "packets" : "bytes";

		snprintf(name, sizeof(name), "turnpike_tenant_relayed_%s_total", what);
		cp_ctrs_head(f, name, "counter", k == 0 ?
			     "Relayed packets by tenant and direction, finished and live allocations" :
			     "Relayed bytes by tenant and direction, finished and live allocations");
		for (unsigned int t = 0; t < s->ntenants; t++)
			for (unsigned int d = 0; d < IPC_ALLOC_STATS_N / 2; d++) {
				fprintf(f, "%s{tenant=\"", name);
				tp_esc_prom_label(f, s->tenant_names[t]);
				fprintf(f, "\",direction=\"%s\"} %llu\n", directions[d],
					(unsigned long long)s->tenant_traffic[t][2 * d + k]);
			}
	}
}

/* Error responses by code. */
static void
m_errors(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	(void)realm;
	cp_ctrs_head(f, "turnpike_cp_error_responses_by_code_total", "counter",
		     "Error responses and challenges cp sent, by STUN error code");
	for (unsigned int i = 0; i < CP_ERR__COUNT; i++)
		fprintf(f, "turnpike_cp_error_responses_by_code_total{code=\"%s\"} %llu\n",
			cp_err_code_name(i), (unsigned long long)s->err_by_code[i]);
}

/* Requests authentication refused, by reason. */
static void
m_auth_refused(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	(void)realm;
	cp_ctrs_head(f, "turnpike_cp_auth_refused_total", "counter",
		     "Requests cp's authentication refused, by reason (dp answers "
		     "most requests without MESSAGE-INTEGRITY itself: its challenges)");
	for (unsigned int i = 1; i < CP_AUTH_REASON__COUNT; i++)
		fprintf(f, "turnpike_cp_auth_refused_total{reason=\"%s\"} %llu\n",
			cp_auth_reason_name((enum cp_auth_reason)i),
			(unsigned long long)s->auth_refused[i]);
}

/* The endpoint's own refusals. */
static void
m_endpoint(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	(void)realm;
	cp_ctrs_one(f, "turnpike_metrics_refused_total", "counter",
		    "Connections to this endpoint closed unanswered: their source is outside "
		    "cp.metrics_allow", s->metrics_refused);
}

/* Per worker: allocations, the rings, and dp's own counters (lib/ipc
 * struct ipc_dp_stats, the names dp published). */
static void
m_workers(FILE *f, const struct cp_metrics_snap *s, const char *realm)
{
	(void)realm;
	cp_ctrs_head(f, "turnpike_worker_allocations", "gauge", "Live allocations per dp worker");
	for (unsigned int w = 0; w < s->nworkers; w++)
		fprintf(f, "turnpike_worker_allocations{worker=\"%u\"} %u\n", w,
			s->w[w].allocations);
	cp_ctrs_one(f, "turnpike_ring_slots", "gauge", "Slots of each dp<->cp ring",
		    IPC_RING_SLOTS);
	cp_ctrs_head(f, "turnpike_ring_pending", "gauge",
		     "Messages waiting in a dp<->cp ring, by worker and direction");
	for (unsigned int w = 0; w < s->nworkers; w++)
		fprintf(f, "turnpike_ring_pending{worker=\"%u\",ring=\"to_cp\"} %u\n"
			"turnpike_ring_pending{worker=\"%u\",ring=\"to_dp\"} %u\n",
			w, s->w[w].to_cp_pending, w, s->w[w].to_dp_pending);
	cp_ctrs_head(f, "turnpike_ring_full_total", "counter",
		     "Messages a full dp<->cp ring refused, by worker and direction");
	for (unsigned int w = 0; w < s->nworkers; w++)
		fprintf(f, "turnpike_ring_full_total{worker=\"%u\",ring=\"to_cp\"} %llu\n"
			"turnpike_ring_full_total{worker=\"%u\",ring=\"to_dp\"} %llu\n",
			w, (unsigned long long)s->w[w].to_cp_full, w,
			(unsigned long long)s->w[w].to_dp_full);
	/* dp's own counters per worker (lib/ipc struct ipc_dp_stats) */
	cp_ctrs_head(f, "turnpike_dp_packets_total", "counter",
		     "Packets a dp worker took from (rx) or gave to (tx) its ports");
	for (unsigned int w = 0; w < s->nworkers; w++)
		if (s->w[w].dp_valid)
			fprintf(f, "turnpike_dp_packets_total{worker=\"%u\",direction=\"rx\"} %llu\n"
				"turnpike_dp_packets_total{worker=\"%u\",direction=\"tx\"} %llu\n",
				w, (unsigned long long)s->w[w].rx_pkts, w,
				(unsigned long long)s->w[w].tx_pkts);
	cp_ctrs_head(f, "turnpike_dp_bytes_total", "counter",
		     "Bytes a dp worker took from (rx) or gave to (tx) its ports");
	for (unsigned int w = 0; w < s->nworkers; w++)
		if (s->w[w].dp_valid)
			fprintf(f, "turnpike_dp_bytes_total{worker=\"%u\",direction=\"rx\"} %llu\n"
				"turnpike_dp_bytes_total{worker=\"%u\",direction=\"tx\"} %llu\n",
				w, (unsigned long long)s->w[w].rx_bytes, w,
				(unsigned long long)s->w[w].tx_bytes);
	cp_ctrs_head(f, "turnpike_dp_handoffs_total", "counter",
		     "Flows a dp worker handed to their owner (out) or took from another (in)");
	for (unsigned int w = 0; w < s->nworkers; w++)
		if (s->w[w].dp_valid)
			fprintf(f, "turnpike_dp_handoffs_total{worker=\"%u\",direction=\"out\"} %llu\n"
				"turnpike_dp_handoffs_total{worker=\"%u\",direction=\"in\"} %llu\n",
				w, (unsigned long long)s->w[w].handoff_out, w,
				(unsigned long long)s->w[w].handoff_in);
	cp_ctrs_head(f, "turnpike_dp_busy_cycles_total", "counter",
		     "TSC cycles of a dp worker's loop turns that did work "
		     "(rate over turnpike_dp_busy_packets_total: cycles per packet)");
	for (unsigned int w = 0; w < s->nworkers; w++)
		if (s->w[w].dp_valid)
			fprintf(f, "turnpike_dp_busy_cycles_total{worker=\"%u\"} %llu\n", w,
				(unsigned long long)s->w[w].busy_cycles);
	cp_ctrs_head(f, "turnpike_dp_busy_packets_total", "counter",
		     "Packets handled in a dp worker's busy loop turns");
	for (unsigned int w = 0; w < s->nworkers; w++)
		if (s->w[w].dp_valid)
			fprintf(f, "turnpike_dp_busy_packets_total{worker=\"%u\"} %llu\n", w,
				(unsigned long long)s->w[w].busy_pkts);
	cp_ctrs_head(f, "turnpike_dp_cycles_per_packet", "gauge",
		     "A dp worker's busy cycles per packet since it started");
	for (unsigned int w = 0; w < s->nworkers; w++)
		if (s->w[w].dp_valid && s->w[w].busy_pkts > 0)
			fprintf(f, "turnpike_dp_cycles_per_packet{worker=\"%u\"} %llu\n", w,
				(unsigned long long)(s->w[w].busy_cycles / s->w[w].busy_pkts));
	if (s->nports > 0) {
		/* the ports' own: what no worker saw (docs/metrics.md) */
		cp_ctrs_head(f, "turnpike_dp_port_rx_dropped_total", "counter",
			     "Frames a port dropped before a worker took them, by reason: "
			     "nombuf (its mbuf pool empty), missed (its receive ring full)");
		for (unsigned int i = 0; i < s->nports; i++)
			fprintf(f, "turnpike_dp_port_rx_dropped_total{port=\"%s\",reason=\"nombuf\"} "
				"%llu\nturnpike_dp_port_rx_dropped_total{port=\"%s\",reason=\"missed\"} "
				"%llu\n", s->port[i].name, (unsigned long long)s->port[i].rx_nombuf,
				s->port[i].name, (unsigned long long)s->port[i].imissed);
		cp_ctrs_head(f, "turnpike_dp_port_errors_total", "counter",
			     "Frames a port received in error (rx) or failed to send (tx)");
		for (unsigned int i = 0; i < s->nports; i++)
			fprintf(f, "turnpike_dp_port_errors_total{port=\"%s\",direction=\"rx\"} "
				"%llu\nturnpike_dp_port_errors_total{port=\"%s\",direction=\"tx\"} "
				"%llu\n", s->port[i].name, (unsigned long long)s->port[i].ierrors,
				s->port[i].name, (unsigned long long)s->port[i].oerrors);
	}
	cp_ctrs_one(f, "turnpike_dp_tsc_hz", "gauge", "The TSC rate dp's cycles count in",
		    s->dp_tsc_hz);
	cp_ctrs_head(f, "turnpike_dp_loop_turn_seconds", "histogram",
		     "How long a dp worker's loop turns that did work (handled packets, swept a "
		     "table) took: a packet that arrives during one waits for its end");
	{
		static const uint32_t us[IPC_DP_LOOP_BOUNDS] = IPC_DP_LOOP_US;
		char le[IPC_DP_LOOP_BOUNDS][16];

		/* as Prometheus' own clients write them: 5e-06, 0.0001 */
		for (unsigned int i = 0; i < IPC_DP_LOOP_BOUNDS; i++)
			snprintf(le[i], sizeof(le[i]), "%g", us[i] / 1e6);
		for (unsigned int w = 0; w < s->nworkers; w++) {
			const struct cp_metrics_worker *mw = &s->w[w];

			if (!mw->dp_valid || !mw->loops_ok)
				continue;
			for (unsigned int i = 0; i < IPC_DP_LOOP_BOUNDS; i++)
				fprintf(f, "turnpike_dp_loop_turn_seconds_bucket{worker=\"%u\","
					"le=\"%s\"} %llu\n", w, le[i],
					(unsigned long long)mw->loops_le[i]);
			fprintf(f, "turnpike_dp_loop_turn_seconds_bucket{worker=\"%u\",le=\"+Inf\"} "
				"%llu\n"
				"turnpike_dp_loop_turn_seconds_sum{worker=\"%u\"} %llu.%09u\n"
				"turnpike_dp_loop_turn_seconds_count{worker=\"%u\"} %llu\n",
				w, (unsigned long long)mw->loops_le[IPC_DP_LOOP_BOUNDS], w,
				(unsigned long long)mw->loops_sum_s, mw->loops_sum_ns, w,
				(unsigned long long)mw->loops_le[IPC_DP_LOOP_BOUNDS]);
		}
	}
	cp_ctrs_head(f, "turnpike_dp_drops_total", "counter",
		     "Packets a dp worker dropped, by reason (dp/dp_drops.def)");
	for (unsigned int w = 0; w < s->nworkers; w++)
		for (unsigned int i = 0; s->w[w].dp_valid && i < s->ndrops; i++)
			if (s->drop_ok[i])
				fprintf(f, "turnpike_dp_drops_total{worker=\"%u\",reason=\"%s\"} %llu\n",
					w, s->drop_names[i],
					(unsigned long long)s->w[w].drop[i]);
	cp_ctrs_head(f, "turnpike_dp_tcp_connections", "gauge",
		     "TCP connections a dp worker's stack holds (TURN over TCP, diagnostics)");
	for (unsigned int w = 0; w < s->nworkers; w++)
		if (s->w[w].dp_valid)
			fprintf(f, "turnpike_dp_tcp_connections{worker=\"%u\"} %llu\n", w,
				(unsigned long long)s->w[w].tcp_conns);
	cp_ctrs_head(f, "turnpike_dp_tcp_events_total", "counter",
		     "A dp worker's counters by event, a family each module's: dp/tcp's "
		     "(segments, retransmissions, drops, header prediction's fast_path_*...), "
		     "closes by reason (close_*), TURN over TCP's (turn_*), TURN over DTLS's "
		     "(dtls_*), TLS's (tlskeys_*, tls_*), sessions' (session_*), the splice's "
		     "(splice_*), the gateway's (agw_*), RFC 6062's (tcprelay_*); the comment "
		     "lines below say what each event counts");
	/* Each event's own help: the text format has one HELP a metric
	 * name, and dp's counters are one metric, so the events' are
	 * comments (which a scraper ignores), checked (cp_metrics_help()) */
	for (unsigned int i = 0; i < s->ntcp; i++) {
		const char *h = cp_metrics_help(s, i);

		if (h != NULL)
			fprintf(f, "# event=\"%s\": %s\n", s->tcp_names[i], h);
	}
	for (unsigned int w = 0; w < s->nworkers; w++)
		for (unsigned int i = 0; s->w[w].dp_valid && i < s->ntcp; i++)
			if (s->tcp_ok[i])
				fprintf(f, "turnpike_dp_tcp_events_total{worker=\"%u\",event=\"%s\"} %llu\n",
					w, s->tcp_names[i],
					(unsigned long long)s->w[w].tcp[i]);
	cp_ctrs_head(f, "turnpike_dp_tls_certificate_expiry_timestamp_seconds", "gauge",
		     "When the first certificate a dp worker serves expires (leaf or chain; "
		     "TURN over TLS's with its SNI ones, or the AGW legs'), Unix seconds");
	for (unsigned int w = 0; w < s->nworkers; w++) {
		if (s->w[w].dp_valid && s->w[w].tls_not_after != 0)
			fprintf(f, "turnpike_dp_tls_certificate_expiry_timestamp_seconds"
				"{worker=\"%u\",use=\"turn\"} %llu\n", w,
				(unsigned long long)s->w[w].tls_not_after);
		if (s->w[w].dp_valid && s->w[w].tls_leg_not_after != 0)
			fprintf(f, "turnpike_dp_tls_certificate_expiry_timestamp_seconds"
				"{worker=\"%u\",use=\"agw\"} %llu\n", w,
				(unsigned long long)s->w[w].tls_leg_not_after);
	}
	cp_ctrs_one(f, "turnpike_dp_tls_reloads_total", "counter",
		    "Certificate reloads dp was asked for since it started (SIGHUP, turnpikectl "
		    "reload)", s->dp_reloads);
	cp_ctrs_one(f, "turnpike_dp_tls_reloads_failed_total", "counter",
		    "Of them, those refused (a file that does not load, a key that does not match: "
		    "nothing changed, the certificates before stay)", s->dp_reloads_failed);
}

/* The hub's own parts, in the text's order (enum cp_metrics_rank). */
static const struct {
	unsigned int rank;
	void (*write)(FILE *f, const struct cp_metrics_snap *s, const char *realm);
} hub[] = {
	{ CP_METRICS_COTURN, m_coturn },
	{ CP_METRICS_PROCESS, m_process },
	{ CP_METRICS_ALLOCATIONS, m_allocations },
	{ CP_METRICS_CREDENTIALS, m_credentials },
	{ CP_METRICS_RELAYED, m_relayed },
	{ CP_METRICS_ERRORS, m_errors },
	{ CP_METRICS_AUTH_REFUSED, m_auth_refused },
	{ CP_METRICS_ENDPOINT, m_endpoint },
	{ CP_METRICS_WORKERS, m_workers },
};

/* What others put at ranks lo..hi-1: the modules' parts, then the
 * counter families. */
static void
others(const struct cp_ctx *cp, FILE *f, unsigned int lo, unsigned int hi)
{
	cp_modules_metrics(cp, f, lo, hi);
	cp_ctrs_metrics_ranked(cp, f, lo, hi);
}

long
cp_metrics_render(const struct cp_ctx *cp, const struct cp_metrics_snap *s, const char *realm,
		  char **out)
{
	unsigned int lo = 0;
	size_t len = 0;
	FILE *f;

	*out = NULL;
	f = open_memstream(out, &len);
	if (f == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++) {
		others(cp, f, lo, hub[i].rank);
		hub[i].write(f, s, realm);
		lo = hub[i].rank;
	}
	others(cp, f, lo, UINT_MAX);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return (long)len;
}
