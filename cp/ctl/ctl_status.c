/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl status: turnpike-cp's version and uptime, whether turnpike-dp
 * is alive and running, the numbers of allocations, users and secrets, a
 * drain under way, when the TLS certificates expire, each dp worker's
 * pending ring messages and cp's counters. With --json, cp's answer as it
 * is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"

/* "1d 2h 3m 4s", leading zero units left out. */
static void
status_duration(int64_t s, char *buf, size_t size)
{
	int64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (s < 0)
		snprintf(buf, size, "%" PRId64 "s", s);
	else if (d > 0)
		snprintf(buf, size, "%" PRId64 "d %" PRId64 "h %" PRId64 "m %"
			 PRId64 "s", d, h, m, s % 60);
	else if (h > 0)
		snprintf(buf, size, "%" PRId64 "h %" PRId64 "m %" PRId64 "s",
			 h, m, s % 60);
	else if (m > 0)
		snprintf(buf, size, "%" PRId64 "m %" PRId64 "s", m, s % 60);
	else
		snprintf(buf, size, "%" PRId64 "s", s);
}

/* WORKER TO_CP_PENDING TO_DP_PENDING TCP_CONNS, one row per worker. */
static int
status_workers(struct json_object *workers, struct ctl_table *t)
{
	char id[24], to_cp[24], to_dp[24], tcp[24], where[48];
	const char *row[4] = { id, to_cp, to_dp, tcp };
	struct json_object *w, *tc;
	int64_t v[4];
	size_t i, n = json_object_array_length(workers);
	int rc;

	for (i = 0; i < n; i++) {
		w = json_object_array_get_idx(workers, i);
		snprintf(where, sizeof(where), "\"workers\"[%zu]", i);
		if (!json_object_is_type(w, json_type_object))
			return ctl_malformed("%s is not an object", where);
		rc = ctl_int(w, "id", where, &v[0]);
		if (rc == 0)
			rc = ctl_int(w, "to_cp_pending", where, &v[1]);
		if (rc == 0)
			rc = ctl_int(w, "to_dp_pending", where, &v[2]);
		if (rc != 0)
			return rc;
		snprintf(id, sizeof(id), "%" PRId64, v[0]);
		snprintf(to_cp, sizeof(to_cp), "%" PRId64, v[1]);
		snprintf(to_dp, sizeof(to_dp), "%" PRId64, v[2]);
		/* a cp before TURN over TCP gives none */
		if (json_object_object_get_ex(w, "tcp_connections", &tc) &&
		    json_object_is_type(tc, json_type_int))
			snprintf(tcp, sizeof(tcp), "%" PRId64, json_object_get_int64(tc));
		else
			snprintf(tcp, sizeof(tcp), "-");
		rc = ctl_table_row(t, row);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* STAT VALUE, in the server's order. Values are numbers, shown as the
 * server wrote them. */
static int
status_stats(struct json_object *stats, struct ctl_table *t)
{
	const char *row[2];
	int rc;

	json_object_object_foreach(stats, name, val) {
		if (!json_object_is_type(val, json_type_int) &&
		    !json_object_is_type(val, json_type_double))
			return ctl_malformed("\"stats\" member \"%s\" is not a number",
					     name);
		row[0] = name;
		row[1] = json_object_get_string(val);
		rc = ctl_table_row(t, row);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The earliest nonzero workers[].dp.tls.KEY (Unix seconds), 0 for none. */
static int64_t
status_first_expiry(struct json_object *a, const char *key)
{
	struct json_object *workers, *w, *dp, *tls, *v;
	int64_t first = 0;

	if (!json_object_object_get_ex(a, "workers", &workers) ||
	    !json_object_is_type(workers, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(workers); i++) {
		w = json_object_array_get_idx(workers, i);
		if (json_object_object_get_ex(w, "dp", &dp) &&
		    json_object_object_get_ex(dp, "tls", &tls) &&
		    json_object_object_get_ex(tls, key, &v) &&
		    json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0 &&
		    (first == 0 || json_object_get_int64(v) < first))
			first = json_object_get_int64(v);
	}
	return first;
}

/* "tls cert     expires 2026-11-28 09:04:14 UTC, in 1d 23h 59m 58s", or
 * EXPIRED, for TURN over TLS's and the AGW legs' first certificate to
 * expire (nothing when dp serves none); then dp's reloads. */
static void
status_tls_lines(struct json_object *a)
{
	static const struct { const char *key, *label; } k[2] = {
		{ "certificate_not_after", "tls cert     " },
		{ "leg_certificate_not_after", "agw leg cert " },
	};
	struct json_object *r, *v;
	int64_t now = (int64_t)time(NULL), n = 0, failed = 0;

	for (unsigned int i = 0; i < 2; i++) {
		int64_t at = status_first_expiry(a, k[i].key);
		time_t t = (time_t)at;
		char when[32], left[64];
		struct tm tm;

		if (at == 0 || gmtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
			continue;
		status_duration(at > now ? at - now : now - at, left, sizeof(left));
		if (at > now)
			printf("%sexpires %s, in %s%s\n", k[i].label, when, left,
			       at - now < 30 * 86400 ? " (RENEW IT)" : "");
		else
			printf("%sEXPIRED %s, %s ago\n", k[i].label, when, left);
	}
	if (json_object_object_get_ex(a, "dp_tls_reloads", &r) &&
	    json_object_object_get_ex(r, "reloads", &v) && json_object_is_type(v, json_type_int) &&
	    (n = json_object_get_int64(v)) > 0) {
		if (json_object_object_get_ex(r, "failed", &v) &&
		    json_object_is_type(v, json_type_int))
			failed = json_object_get_int64(v);
		printf("tls reloads  %" PRId64 ", %" PRId64 " refused (nothing changed)\n", n,
		       failed);
	}
}

/* "bandwidth    max_bps 125000 B/s, 3 allocations limited": turn.max_bps
 * and the live allocations with a limit (the user's, the tenant's or the
 * file's), when either is not 0 (a cp before limits says neither). */
static void
status_bandwidth(struct json_object *a)
{
	struct json_object *mb, *lim;
	int64_t m, l;

	if (!json_object_object_get_ex(a, "max_bps", &mb) ||
	    !json_object_object_get_ex(a, "allocations_limited", &lim) ||
	    !json_object_is_type(mb, json_type_int) || !json_object_is_type(lim, json_type_int))
		return;
	m = json_object_get_int64(mb);
	l = json_object_get_int64(lim);
	if (m == 0 && l == 0)
		return;
	if (m != 0)
		printf("bandwidth    max_bps %" PRId64 " B/s each way, %" PRId64
		       " allocations limited\n", m, l);
	else
		printf("bandwidth    max_bps none, %" PRId64 " allocations limited (their "
		       "users' or tenants')\n", l);
}

/* "tenants      default 3, mvno-a 1": allocations by tenant, on a box with
 * a tenants list (without one, all are the default's: no line). */
static void
status_tenants(struct json_object *a)
{
	struct json_object *bt;
	bool first = true;

	if (!json_object_object_get_ex(a, "allocations_by_tenant", &bt) ||
	    !json_object_is_type(bt, json_type_object) || json_object_object_length(bt) < 2)
		return;
	json_object_object_foreach(bt, name, v) {
		char n[32];

		if (!json_object_is_type(v, json_type_int))
			continue;
		snprintf(n, sizeof(n), " %" PRId64, json_object_get_int64(v));
		ctl_put_safe(stdout, first ? "tenants      " : ", ", name, n);
		first = false;
	}
	if (!first)
		putchar('\n');
}


/* dp's ports' own drops and errors (an older cp gives none): a line each,
 * the names as cp checked them, shown safe anyway. */
static void
status_ports(struct json_object *dp)
{
	struct json_object *ports;
	size_t n;

	if (!json_object_object_get_ex(dp, "ports", &ports) ||
	    !json_object_is_type(ports, json_type_array))
		return;
	n = json_object_array_length(ports);
	for (size_t i = 0; i < n && i < 64; i++) {
		struct json_object *p = json_object_array_get_idx(ports, i), *v;
		const char *name = NULL;
		int64_t x[4] = { 0, 0, 0, 0 };
		static const char *const k[4] = { "rx_nombuf", "imissed", "ierrors", "oerrors" };

		if (p == NULL || !json_object_is_type(p, json_type_object))
			continue;
		if (json_object_object_get_ex(p, "name", &v) && json_object_is_type(v, json_type_string))
			name = json_object_get_string(v);
		for (unsigned int j = 0; j < 4; j++)
			if (json_object_object_get_ex(p, k[j], &v) &&
			    json_object_is_type(v, json_type_int))
				x[j] = json_object_get_int64(v);
		ctl_put_safe(stdout, "port         ", name != NULL ? name : "?", "");
		printf(": dropped %" PRId64 " (no mbuf %" PRId64 ", ring full %" PRId64
		       "), errors in %" PRId64 ", out %" PRId64 "\n", x[0] + x[1], x[0], x[1], x[2],
		       x[3]);
	}
}
static int
status_show(struct json_object *a)
{
	static const char *const whead[4] = {
		"WORKER", "TO_CP_PENDING", "TO_DP_PENDING", "TCP_CONNS",
	};
	static const char *const shead[2] = { "STAT", "VALUE" };
	struct json_object *dp, *alive, *running, *ready, *stats, *workers, *byx;
	int64_t uptime, pid, epoch, nworkers, nallocs, nusers, nsecrets;
	struct ctl_table wt, st;
	const char *version;
	char up[64], by_xport[64] = "";
	int rc;

	ctl_table_init(&wt, 4, 0xE);
	ctl_table_init(&st, 2, 0x2);
	rc = ctl_text(a, "version", "the answer", &version);
	if (rc == 0)
		rc = ctl_int(a, "uptime_s", "the answer", &uptime);
	if (rc == 0)
		rc = ctl_member(a, "dp", json_type_object, "the answer", &dp);
	if (rc == 0)
		rc = ctl_member(dp, "alive", json_type_boolean, "\"dp\"",
				&alive);
	if (rc == 0)
		rc = ctl_member(dp, "running", json_type_boolean, "\"dp\"",
				&running);
	if (rc == 0)
		rc = ctl_member(a, "ready", json_type_boolean, "the answer",
				&ready);
	if (rc == 0)
		rc = ctl_int(dp, "pid", "\"dp\"", &pid);
	if (rc == 0)
		rc = ctl_int(dp, "epoch", "\"dp\"", &epoch);
	if (rc == 0)
		rc = ctl_int(dp, "workers", "\"dp\"", &nworkers);
	if (rc == 0)
		rc = ctl_int(a, "allocations", "the answer", &nallocs);
	if (rc == 0)
		rc = ctl_int(a, "users", "the answer", &nusers);
	if (rc == 0)
		rc = ctl_int(a, "secrets", "the answer", &nsecrets);
	if (rc == 0)
		rc = ctl_member(a, "stats", json_type_object, "the answer",
				&stats);
	if (rc == 0)
		rc = ctl_member(a, "workers", json_type_array, "the answer",
				&workers);
	if (rc == 0)
		rc = ctl_table_row(&wt, whead);
	if (rc == 0)
		rc = status_workers(workers, &wt);
	if (rc == 0)
		rc = ctl_table_row(&st, shead);
	if (rc == 0)
		rc = status_stats(stats, &st);
	if (rc != 0)
		goto out;
	/* by transport, when cp gives it */
	if (json_object_object_get_ex(a, "allocations_by_transport", &byx) &&
	    json_object_is_type(byx, json_type_object)) {
		struct json_object *u = NULL, *t = NULL;

		if (json_object_object_get_ex(byx, "UDP", &u) &&
		    json_object_object_get_ex(byx, "TCP", &t) &&
		    json_object_is_type(u, json_type_int) &&
		    json_object_is_type(t, json_type_int))
			snprintf(by_xport, sizeof(by_xport), " (UDP %" PRId64 ", TCP %" PRId64 ")",
				 json_object_get_int64(u), json_object_get_int64(t));
	}

	status_duration(uptime, up, sizeof(up));
	ctl_put_safe(stdout, "version      ", version, "\n");
	printf("uptime       %s\n", up);
	printf("cp           %s\n", json_object_get_boolean(ready) ? "ready" :
	       "NOT READY (taking dp's state back)");
	printf("dp           %s%s, pid %" PRId64 ", epoch %" PRId64 ", %" PRId64
	       " worker%s\n",
	       json_object_get_boolean(alive) ? "alive" : "NOT ALIVE",
	       json_object_get_boolean(running) ? ", running" : ", NOT RUNNING",
	       pid, epoch, nworkers, nworkers == 1 ? "" : "s");
	{
		struct json_object *tv;

		/* a cp without a turn group says so (one with it, nothing) */
		if (json_object_object_get_ex(a, "turn", &tv) &&
		    json_object_is_type(tv, json_type_boolean) && !json_object_get_boolean(tv))
			printf("turn         off (no turn group: no TURN listeners, no "
			       "allocations)\n");
	}
	{
		struct json_object *lv;
		const char *level = json_object_object_get_ex(a, "log_level", &lv) &&
				    json_object_is_type(lv, json_type_string) ?
				    json_object_get_string(lv) : NULL;

		/* an older cp does not say */
		if (level != NULL)
			ctl_put_safe(stdout, "log level    ", level, "\n");
	}
	status_ports(dp);
	printf("allocations  %" PRId64 "%s\n", nallocs, by_xport);
	status_tenants(a);
	status_bandwidth(a);
	printf("users        %" PRId64 "\n", nusers);
	printf("secrets      %" PRId64 "\n", nsecrets);
	ctl_drain_line(a);
	ctl_ha_lines(a);
	status_tls_lines(a);
	if (wt.nrows > 1) {
		putchar('\n');
		ctl_table_print(&wt, stdout);
	}
	if (st.nrows > 1) {
		putchar('\n');
		ctl_table_print(&st, stdout);
	}
out:
	ctl_table_free(&wt);
	ctl_table_free(&st);
	return rc;
}

static const struct ctl_help status_usage = {
	"",
	"Show turnpike-cp's version and uptime, whether turnpike-dp is alive,\n"
	"the numbers of allocations (by tenant, on a box with tenants), users\n"
	"and secrets, each dp worker's\n"
	"pending ring messages and turnpike-cp's counters; the drain, the log\n"
	"level and when the certificates expire; with them configured, the\n"
	"access gateway, Iq's association, the cluster and the pair (ha).\n"
	"\n"
	"With the global --json: the answer object, one line:\n"
	"  {\"version\", \"uptime_s\", \"ready\", \"realm\" (or \"turn\": false),\n"
	"   \"cp_starts\", \"log_level\", \"dp\": {\"alive\", \"running\", \"pid\",\n"
	"   \"epoch\", \"workers\"}, \"allocations\", \"allocations_by_transport\",\n"
	"   \"allocations_by_tenant\": {NAME: N} (with tenants),\n"
	"   \"max_bps\" (turn.max_bps, B/s), \"allocations_limited\",\n"
	"   \"users\", \"secrets\", \"stats\": {...}, \"error_responses_by_code\",\n"
	"   \"auth_refused_by_reason\", \"traffic\": {\"finished\", \"all\"},\n"
	"   \"workers\": [{\"id\", \"allocations\", \"to_cp_pending\", \"to_dp_pending\",\n"
	"   \"tcp_connections\", \"to_cp_full\", \"to_dp_full\", \"dp\": {...}}],\n"
	"   \"dp_tls_reloads\": {\"reloads\", \"failed\"}, \"agw\" (an agw group),\n"
	"   \"iq\" (an iq group), \"drain\": {\"active\", \"alternates\", \"since_s\",\n"
	"   \"allocations_left\"}, \"cluster\" (a cluster group: {\"box\",\n"
	"   \"namespace\", \"redis\", \"connected\", \"subscribed\", \"name_held\",\n"
	"   \"boxes\", counters...}), \"ha\" (an ha group: {\"role\": \"active\" or\n"
	"   \"standby\", \"state\", \"why\", \"pair\", \"box\", \"token\", \"lease\",\n"
	"   \"peer\": {\"address\", \"connected\", \"box\", \"role\", ...}, \"lag_ms\",\n"
	"   \"mirrored\": {\"allocations\", \"contexts\"}, \"switchover\",\n"
	"   counters...}), \"metrics\", \"metrics_refused\", \"ok\"}\n",
};

int
ctl_status_main(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	int status;

	status = ctl_args(path, argc, argv, &status_usage, NULL, 0);
	if (status >= 0)
		return status;
	return ctl_query(opts, ctl_request("status"), status_show);
}
