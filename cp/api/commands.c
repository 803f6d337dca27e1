/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator API's commands (what turnpikectl calls): status,
 * allocations, kill, users.{add,del,list}, secrets.{add,del,list},
 * psk.{add,del,list} (TLS 1.3 external PSKs). Each handler reads its
 * arguments from the request object and fills the response; addresses print as "192.0.2.1:3478" / "[2001:db8::1]:3478".
 * "allocations" is a list answer, built a piece at a time as the client
 * reads it (cp_api_register_list()), so that listing 100,000 allocations
 * does not hold cp's loop for seconds. Registering also publishes the
 * API socket (cp_api_publish()), with the operator group if configured.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "../cp.h"
#include "../cp_module.h"
#include "../cluster/cluster.h"
#include "../metrics/metrics.h"
#include "tp_version.h"

static void
addr_str(const struct ipc_addr *a, bool with_port, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, ip, sizeof(ip));
	if (!with_port)
		snprintf(buf, size, "%s", ip);
	else if (a->family == 4)
		snprintf(buf, size, "%s:%u", ip, a->port);
	else
		snprintf(buf, size, "[%s]:%u", ip, a->port);
}

static int64_t
left_s(const struct cp_ctx *cp, uint64_t expires_ms)
{
	return expires_ms > cp->now_ms ? (int64_t)((expires_ms - cp->now_ms + 999) / 1000) : 0;
}

static const char *
get_str(struct json_object *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *drain_json(const struct cp_ctx *cp);

/*
 * status: the numbers of cp_metrics_collect() (the one source, which the
 * Prometheus endpoint renders too) as JSON.
 */
static int
cmd_status(void *ctx, struct json_object *req, struct json_object *resp,
	   const char **error)
{
	struct cp_ctx *cp = ctx;
	struct ipc_shm *shm = cp->seg.shm;
	struct cp_metrics_snap *s = malloc(sizeof(*s));
	struct json_object *dp, *stats, *workers, *codes, *refused, *traffic, *done, *all, *by;

	(void)req;
	if (s == NULL) {
		*error = "out of memory";
		return -ENOMEM;
	}
	cp_metrics_collect(cp, s);
	dp = json_object_new_object();
	stats = json_object_new_object();
	workers = json_object_new_array();
	codes = json_object_new_object();
	refused = json_object_new_object();
	traffic = json_object_new_object();
	done = json_object_new_object();
	all = json_object_new_object();
	by = json_object_new_object();
	json_object_object_add(resp, "version", json_object_new_string(TP_VERSION));
	json_object_object_add(resp, "uptime_s", json_object_new_int64((int64_t)s->uptime_s));
	json_object_object_add(resp, "ready", json_object_new_boolean(s->ready));
	/* (no turn group, an AGW-only box: no realm, and "turn": false says
	 * why there are no allocations, users or TURN counters that move) */
	if (cp->conf->turn.enabled)
		json_object_object_add(resp, "realm",
				       json_object_new_string(cp->conf->turn.realm));
	else
		json_object_object_add(resp, "turn", json_object_new_boolean(false));
	json_object_object_add(resp, "cp_starts", json_object_new_int64((int64_t)s->cp_epoch));
	json_object_object_add(resp, "log_level",
			       json_object_new_string(tp_log_level_name((int)tp_log_level())));
	json_object_object_add(dp, "alive", json_object_new_boolean(s->dp_alive));
	json_object_object_add(dp, "running", json_object_new_boolean(s->dp_running));
	json_object_object_add(dp, "pid", json_object_new_int(shm->dp_pid));
	json_object_object_add(dp, "epoch", json_object_new_int64((int64_t)s->dp_epoch));
	json_object_object_add(dp, "workers", json_object_new_int((int)s->nworkers));
	json_object_object_add(resp, "dp", dp);
	json_object_object_add(resp, "allocations", json_object_new_int64(s->allocations));
	json_object_object_add(by, "UDP", json_object_new_int64(s->alloc_udp));
	json_object_object_add(by, "TCP", json_object_new_int64(s->alloc_tcp));
	json_object_object_add(resp, "allocations_by_transport", by);
	json_object_object_add(resp, "users", json_object_new_int64(s->users));
	json_object_object_add(resp, "secrets", json_object_new_int64(s->secrets));
	for (unsigned int i = 0; i < CP_STAT__COUNT; i++)
		json_object_object_add(stats, cp_stat_name(i),
				       json_object_new_int64((int64_t)s->stats[i]));
	/* the operator API's own counters (cp/api/api.h) */
	json_object_object_add(stats, "api_requests",
			       json_object_new_int64((int64_t)s->api_requests));
	json_object_object_add(stats, "api_errors",
			       json_object_new_int64((int64_t)s->api_errors));
	json_object_object_add(stats, "api_accepted",
			       json_object_new_int64((int64_t)s->api_accepted));
	json_object_object_add(stats, "api_refused",
			       json_object_new_int64((int64_t)s->api_refused));
	json_object_object_add(stats, "api_timed_out",
			       json_object_new_int64((int64_t)s->api_timed_out));
	json_object_object_add(stats, "api_too_many",
			       json_object_new_int64((int64_t)s->api_too_many));
	json_object_object_add(resp, "stats", stats);
	for (unsigned int i = 0; i < CP_ERR__COUNT; i++)
		json_object_object_add(codes, cp_metrics_code_name(i),
				       json_object_new_int64((int64_t)s->err_by_code[i]));
	json_object_object_add(resp, "error_responses_by_code", codes);
	for (unsigned int i = 1; i < CP_AUTH_REASON__COUNT; i++)
		json_object_object_add(refused, cp_auth_reason_name((enum cp_auth_reason)i),
				       json_object_new_int64((int64_t)s->auth_refused[i]));
	json_object_object_add(resp, "auth_refused_by_reason", refused);
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++) {
		json_object_object_add(done, cp_metrics_traffic_name(i),
				       json_object_new_int64((int64_t)s->traffic_done[i]));
		json_object_object_add(all, cp_metrics_traffic_name(i),
				       json_object_new_int64((int64_t)s->traffic_all[i]));
	}
	json_object_object_add(traffic, "finished", done);
	json_object_object_add(traffic, "all", all);
	json_object_object_add(resp, "traffic", traffic);
	for (unsigned int w = 0; w < s->nworkers; w++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int((int)w));
		json_object_object_add(o, "allocations",
				       json_object_new_int64(s->w[w].allocations));
		json_object_object_add(o, "to_cp_pending",
				       json_object_new_int((int)s->w[w].to_cp_pending));
		json_object_object_add(o, "to_dp_pending",
				       json_object_new_int((int)s->w[w].to_dp_pending));
		/* dp's TCP connections on the worker (TURN over TCP) */
		json_object_object_add(o, "tcp_connections",
				       json_object_new_int64((int64_t)s->w[w].tcp_conns));
		json_object_object_add(o, "to_cp_full",
				       json_object_new_int64((int64_t)s->w[w].to_cp_full));
		json_object_object_add(o, "to_dp_full",
				       json_object_new_int64((int64_t)s->w[w].to_dp_full));
		if (s->w[w].dp_valid) {
			struct json_object *d = json_object_new_object();
			struct json_object *drops = json_object_new_object();

			json_object_object_add(d, "age_ms", json_object_new_int64((int64_t)s->w[w].dp_age_ms));
			json_object_object_add(d, "rx_pkts", json_object_new_int64((int64_t)s->w[w].rx_pkts));
			json_object_object_add(d, "rx_bytes", json_object_new_int64((int64_t)s->w[w].rx_bytes));
			json_object_object_add(d, "tx_pkts", json_object_new_int64((int64_t)s->w[w].tx_pkts));
			json_object_object_add(d, "tx_bytes", json_object_new_int64((int64_t)s->w[w].tx_bytes));
			json_object_object_add(d, "handoff_out", json_object_new_int64((int64_t)s->w[w].handoff_out));
			json_object_object_add(d, "handoff_in", json_object_new_int64((int64_t)s->w[w].handoff_in));
			json_object_object_add(d, "busy_cycles", json_object_new_int64((int64_t)s->w[w].busy_cycles));
			json_object_object_add(d, "busy_pkts", json_object_new_int64((int64_t)s->w[w].busy_pkts));
			for (unsigned int i = 0; i < s->ndrops; i++)
				if (s->drop_ok[i])
					json_object_object_add(drops, s->drop_names[i],
						json_object_new_int64((int64_t)s->w[w].drop[i]));
			json_object_object_add(d, "drops", drops);
			/* dp's TCP, TURN over TCP and TLS key counters, by
			 * the names dp published (as the metrics' events) */
			{
				struct json_object *tcp = json_object_new_object();

				for (unsigned int i = 0; i < s->ntcp; i++)
					if (s->tcp_ok[i])
						json_object_object_add(tcp, s->tcp_names[i],
							json_object_new_int64((int64_t)s->w[w].tcp[i]));
				json_object_object_add(d, "tcp", tcp);
			}
			/* TLS termination's counters (dp/tls's family, among
			 * the TCP names as tls_<name>: here without the
			 * prefix), when dp has them */
			{
				const struct ipc_dp_family *fam = cp_metrics_family(s, "tls");
				struct json_object *tls = NULL;

				for (unsigned int i = fam != NULL ? fam->first : 0;
				     fam != NULL && i < (unsigned int)fam->first + fam->count; i++) {
					if (!s->tcp_ok[i])
						continue;
					if (tls == NULL)
						tls = json_object_new_object();
					json_object_object_add(tls, s->tcp_names[i] + fam->prefix_len,
						json_object_new_int64((int64_t)s->w[w].tcp[i]));
				}
				/* when the first certificate it serves expires
				 * (Unix seconds), TURN's and the AGW legs' */
				if (s->w[w].tls_not_after != 0 || s->w[w].tls_leg_not_after != 0) {
					if (tls == NULL)
						tls = json_object_new_object();
					json_object_object_add(tls, "certificate_not_after",
						json_object_new_int64((int64_t)s->w[w].tls_not_after));
					json_object_object_add(tls, "leg_certificate_not_after",
						json_object_new_int64((int64_t)s->w[w].tls_leg_not_after));
				}
				if (tls != NULL)
					json_object_object_add(d, "tls", tls);
			}
			json_object_object_add(o, "dp", d);
		}
		json_object_array_add(workers, o);
	}
	json_object_object_add(resp, "workers", workers);
	/* dp's certificate reloads since it started, and those refused */
	{
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "reloads", json_object_new_int64((int64_t)s->dp_reloads));
		json_object_object_add(r, "failed",
				       json_object_new_int64((int64_t)s->dp_reloads_failed));
		json_object_object_add(resp, "dp_tls_reloads", r);
	}
	if (cp->agw != NULL)
		json_object_object_add(resp, "agw", cp_agw_status(cp));
	json_object_object_add(resp, "drain", drain_json(cp));
	if (cp->cluster != NULL)
		json_object_object_add(resp, "cluster", cp_cluster_json(cp));
	json_object_object_add(resp, "metrics", cp->metrics != NULL ?
			       json_object_new_string(cp->conf->cp.metrics) : NULL);
	json_object_object_add(resp, "metrics_refused",
			       json_object_new_int64((int64_t)s->metrics_refused));
	free(s);
	return 0;
}

static const char *const counter_names[IPC_ALLOC_STATS_N] = {
	"pkts_from_client", "bytes_from_client", "pkts_to_peer", "bytes_to_peer",
	"pkts_from_peer", "bytes_from_peer", "pkts_to_client", "bytes_to_client",
};

/* One allocation as the "allocations" list shows it. */
static struct json_object *
alloc_json(const struct cp_ctx *cp, const struct cp_alloc *a)
{
	struct json_object *o = json_object_new_object();
	struct json_object *rel = json_object_new_array();
	struct json_object *peers = json_object_new_array();
	struct json_object *chans = json_object_new_array();
	char buf[80];

	json_object_object_add(o, "id", json_object_new_int64((int64_t)a->id));
	json_object_object_add(o, "user",
			       json_object_new_string_len(a->user->name, a->user->len));
	json_object_object_add(o, "worker", json_object_new_int(a->worker));
	addr_str(&a->tuple.client, true, buf, sizeof(buf));
	json_object_object_add(o, "client", json_object_new_string(buf));
	/* The client's transport, and on a stream its connection (dp's id:
	 * worker, slot, generation); the allocation goes when it closes. */
	json_object_object_add(o, "transport",
			       json_object_new_string(a->tuple.transport == 6 ? "TCP" : "UDP"));
	if (a->tuple.transport == 6) {
		snprintf(buf, sizeof(buf), "%u:%u:%u", ipc_conn_worker(a->tuple.conn_id),
			 ipc_conn_slot(a->tuple.conn_id), ipc_conn_gen(a->tuple.conn_id));
		json_object_object_add(o, "connection", json_object_new_string(buf));
	}
	for (unsigned int i = 0; i < a->nrelayed; i++) {
		addr_str(&a->relayed[i], true, buf, sizeof(buf));
		json_object_array_add(rel, json_object_new_string(buf));
	}
	json_object_object_add(o, "relayed", rel);
	json_object_object_add(o, "lifetime_left_s",
			       json_object_new_int64(left_s(cp, a->expires_ms)));
	for (unsigned int i = 0; i < a->nbinds; i++) {
		const struct cp_bind *b = &a->binds[i];
		struct json_object *p;

		if (b->channel != 0)
			continue;
		p = json_object_new_object();
		addr_str(&b->peer, false, buf, sizeof(buf));
		json_object_object_add(p, "peer", json_object_new_string(buf));
		json_object_object_add(p, "expires_in_s",
				       json_object_new_int64(left_s(cp, b->expires_ms)));
		json_object_array_add(peers, p);
	}
	json_object_object_add(o, "peers", peers);
	for (unsigned int i = 0; i < a->nbinds; i++) {
		const struct cp_bind *b = &a->binds[i];
		struct json_object *c;

		if (b->channel == 0)
			continue;
		c = json_object_new_object();
		snprintf(buf, sizeof(buf), "0x%04x", b->channel);
		json_object_object_add(c, "channel", json_object_new_string(buf));
		addr_str(&b->peer, true, buf, sizeof(buf));
		json_object_object_add(c, "peer", json_object_new_string(buf));
		json_object_object_add(c, "expires_in_s",
				       json_object_new_int64(left_s(cp, b->expires_ms)));
		json_object_array_add(chans, c);
	}
	json_object_object_add(o, "channels", chans);
	{
		uint64_t t[IPC_ALLOC_STATS_N];

		cp_alloc_traffic(a, t);
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
			json_object_object_add(o, counter_names[i],
					       json_object_new_int64((int64_t)t[i]));
	}
	return o;
}

/* Allocations per piece of the list, and pool slots looked at: about
 * 1 ms of cp's loop (some 30 us an allocation to build, print and free
 * with json-c at -O2; 100,000 of them in one go held the loop ~3 s). */
#define ALLOCS_PER_PIECE 32
#define SLOTS_PER_PIECE 8192

static int
list_allocations(void *ctx, struct json_object *req, uint64_t *cursor,
		 struct json_object *items)
{
	struct cp_ctx *cp = ctx;
	const char *user = get_str(req, "user");
	uint32_t cur = (uint32_t)*cursor, end;
	unsigned int n = 0;
	struct cp_alloc *a;

	end = cp->max_allocs - cur > SLOTS_PER_PIECE ? cur + SLOTS_PER_PIECE :
							cp->max_allocs;
	while (n < ALLOCS_PER_PIECE && cur < end) {
		a = &cp->pool[cur++];
		if (!a->live)
			continue;
		if (user != NULL && (strlen(user) != a->user->len ||
				     memcmp(user, a->user->name, a->user->len) != 0))
			continue;
		json_object_array_add(items, alloc_json(cp, a));
		n++;
	}
	*cursor = cur;
	return cur < cp->max_allocs ? 1 : 0;
}

static int
cmd_kill(void *ctx, struct json_object *req, struct json_object *resp,
	 const char **error)
{
	struct cp_ctx *cp = ctx;
	struct json_object *v;
	int64_t id;

	(void)resp;
	if (!json_object_object_get_ex(req, "id", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (id = json_object_get_int64(v)) <= 0) {
		*error = "kill needs a positive integer \"id\"";
		return -EINVAL;
	}
	if (cp_alloc_kill(cp, (uint64_t)id) < 0) {
		*error = "no such allocation";
		return -ENOENT;
	}
	return 0;
}

static int secret_add(struct cp_ctx *cp, const char *s, const char **error);

/* ---- users and secrets: the file's read-only, the store's written through */

bool
cp_conf_user(const struct cp_ctx *cp, const char *name)
{
	const struct tp_conf_cp *c = &cp->conf->cp;

	for (unsigned int i = 0; i < c->nusers; i++)
		if (strcmp(c->users[i].name, name) == 0)
			return true;
	return false;
}

static bool
conf_secret(const struct cp_ctx *cp, const char *secret)
{
	const struct tp_conf_cp *c = &cp->conf->cp;

	for (unsigned int i = 0; i < c->nsecrets; i++)
		if (strcmp(c->secrets[i], secret) == 0)
			return true;
	return false;
}

/* An error sentence in cp's buffer (the API copies it at once). */
static const char *
api_err(struct cp_ctx *cp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *
api_err(struct cp_ctx *cp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cp->api_err, sizeof(cp->api_err), fmt, ap);
	va_end(ap);
	return cp->api_err;
}

/* A store write failed: counted, and its sentence is the answer. */
static int
store_failed(struct cp_ctx *cp, int rc, const char **error)
{
	cp->stats[CP_STAT_STORE_ERRORS]++;
	*error = api_err(cp, "%s", cp->store->err);
	tp_log(TP_LOG_ERR, "%s\n", cp->store->err);
	return rc;
}

/* Room in cp's table for n more users (a name there already takes none;
 * the caller counts those out). */
static bool
user_room(const struct cp_ctx *cp, uint32_t n)
{
	uint32_t max = cp_auth_user_max(cp->auth);

	if (cp->conf->cp.max_users < max)
		max = cp->conf->cp.max_users;
	return cp_auth_user_count(cp->auth) + n <= max;
}

/*
 * Put users (keys given) into the store, in one transaction, then into
 * cp's table: a store that refuses leaves cp's table as it was.
 */
static int
users_put(struct cp_ctx *cp, const struct cp_store_user *u, unsigned int n,
	  const char **error)
{
	uint32_t fresh = 0;
	int rc;

	for (unsigned int i = 0; i < n; i++)
		fresh += !cp_auth_user_exists(cp->auth, u[i].name);
	if (!user_room(cp, fresh)) {
		*error = api_err(cp, "user table full (cp.max_users %u)",
				 cp->conf->cp.max_users);
		return -ENOSPC;
	}
	if (cp->store != NULL && (rc = cp_store_user_put(cp->store, u, n)) < 0)
		return store_failed(cp, rc, error);
	for (unsigned int i = 0; i < n; i++) {
		rc = cp_auth_user_add_keys(cp->auth, u[i].name, u[i].md5,
					   u[i].has_sha256 ? u[i].sha256 : NULL);
		if (rc < 0) {
			*error = "cannot add the user to cp's table";
			return rc;
		}
	}
	return 0;
}

static int
cmd_users_add(void *ctx, struct json_object *req, struct json_object *resp,
	      const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *name = get_str(req, "name"), *pw = get_str(req, "password");
	struct cp_store_user u;
	int rc;

	(void)resp;
	if (name == NULL || pw == NULL) {
		*error = "users.add needs \"name\" and \"password\"";
		return -EINVAL;
	}
	if (cp_conf_user(cp, name)) {
		*error = api_err(cp, "user '%.64s' is defined in %s (read-only here): "
				 "change it there", name, cp->conf->path);
		return -EPERM;
	}
	memset(&u, 0, sizeof(u));
	if (strlen(name) > CP_STORE_NAME_MAX ||
	    cp_auth_user_keys(cp->auth, name, pw, u.md5, u.sha256) < 0) {
		*error = "invalid name or password (SASLprep refused it?)";
		return -EINVAL;
	}
	memcpy(u.name, name, strlen(name) + 1);
	u.has_sha256 = true;
	rc = users_put(cp, &u, 1, error);
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

/*
 * users.import: users by their keys, as coturn keeps them (turnpikectl
 * users import-coturn reads turnadmin's database and sends them here in
 * batches): {"realm": R, "users": [{"name": N, "hmackey": HEX}...],
 * "secrets": [S...]}. An MD5 key holds the realm it was made for: keys
 * of another realm could never authenticate here and are refused.
 * Users of the configuration file are left as they are (named in
 * "skipped"). The users go in as one transaction.
 */
#define IMPORT_MAX 512

static int
cmd_users_import(void *ctx, struct json_object *req, struct json_object *resp,
		 const char **error)
{
	static struct cp_store_user u[IMPORT_MAX];
	struct cp_ctx *cp = ctx;
	const char *realm = get_str(req, "realm");
	struct json_object *users = NULL, *secrets = NULL;
	struct json_object *skipped = json_object_new_array();
	unsigned int n = 0, nsec = 0;
	size_t nu = 0;
	int rc = 0;

	json_object_object_add(resp, "skipped", skipped);
	if (realm == NULL || strcmp(realm, cp->conf->turn.realm) != 0) {
		*error = api_err(cp, "the keys are for realm '%.128s', this turnpike's "
				 "realm is '%.128s': they cannot authenticate here",
				 realm != NULL ? realm : "?", cp->conf->turn.realm);
		return -EINVAL;
	}
	if (json_object_object_get_ex(req, "users", &users)) {
		if (!json_object_is_type(users, json_type_array) ||
		    (nu = json_object_array_length(users)) > IMPORT_MAX) {
			*error = api_err(cp, "\"users\" must be an array of at most %d",
					 IMPORT_MAX);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < nu; i++) {
		struct json_object *e = json_object_array_get_idx(users, i);
		const char *name = get_str(e, "name"), *key = get_str(e, "hmackey");

		if (name == NULL || key == NULL || name[0] == '\0' ||
		    strlen(name) > CP_STORE_NAME_MAX || strlen(key) != 32 ||
		    cp_store_unhex(key, u[n].md5, 16) < 0) {
			*error = api_err(cp, "\"users\"[%zu] needs a \"name\" and an "
					 "\"hmackey\" of 32 hex digits (MD5)", i);
			rc = -EINVAL;
			goto out;
		}
		if (cp_conf_user(cp, name)) {
			json_object_array_add(skipped, json_object_new_string(name));
			continue;
		}
		memcpy(u[n].name, name, strlen(name) + 1);
		u[n].has_sha256 = false;
		n++;
	}
	if (n > 0 && (rc = users_put(cp, u, n, error)) < 0)
		goto out;
	if (json_object_object_get_ex(req, "secrets", &secrets) &&
	    json_object_is_type(secrets, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(secrets); i++) {
			struct json_object *e = json_object_array_get_idx(secrets, i);
			const char *v = json_object_is_type(e, json_type_string) ?
					json_object_get_string(e) : NULL;

			if (v == NULL || v[0] == '\0' || strlen(v) > CP_AUTH_SECRET_MAX) {
				*error = "\"secrets\" must hold non-empty strings";
				rc = -EINVAL;
				goto out;
			}
			rc = secret_add(cp, v, error);
			if (rc == -EEXIST) {
				rc = 0;
				continue;
			}
			if (rc < 0)
				goto out;
			nsec++;
		}
	}
	json_object_object_add(resp, "users", json_object_new_int((int)n));
	json_object_object_add(resp, "secrets", json_object_new_int((int)nsec));
	json_object_object_add(resp, "stored", json_object_new_boolean(cp->store != NULL));
out:
	OPENSSL_cleanse(u, sizeof(u[0]) * (n < IMPORT_MAX ? n + 1 : n));
	return rc;
}

static int
cmd_users_del(void *ctx, struct json_object *req, struct json_object *resp,
	      const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *name = get_str(req, "name");
	int rc;

	(void)resp;
	if (name == NULL) {
		*error = "users.del needs \"name\"";
		return -EINVAL;
	}
	if (cp_conf_user(cp, name)) {
		*error = api_err(cp, "user '%.64s' is defined in %s (read-only here): "
				 "delete it there", name, cp->conf->path);
		return -EPERM;
	}
	if (!cp_auth_user_exists(cp->auth, name)) {
		*error = "no such user";
		return -ENOENT;
	}
	if (cp->store != NULL && (rc = cp_store_user_del(cp->store, name)) < 0 &&
	    rc != -ENOENT)
		return store_failed(cp, rc, error);
	cp_auth_user_del(cp->auth, name);
	return 0;
}

static int
cmd_users_list(void *ctx, struct json_object *req, struct json_object *resp,
	       const char **error)
{
	struct cp_ctx *cp = ctx;
	struct json_object *list = json_object_new_array();
	struct json_object *ro = json_object_new_array();
	uint32_t cur = 0;
	const char *name;

	(void)req;
	(void)error;
	while ((name = cp_auth_user_next(cp->auth, &cur)) != NULL) {
		json_object_array_add(list, json_object_new_string(name));
		if (cp_conf_user(cp, name))
			json_object_array_add(ro, json_object_new_string(name));
	}
	json_object_object_add(resp, "users", list);
	/* the configuration file's: read-only here */
	json_object_object_add(resp, "read_only", ro);
	json_object_object_add(resp, "store", cp->store != NULL ?
			       json_object_new_string(cp->store->where) : NULL);
	return 0;
}

static int
secret_add(struct cp_ctx *cp, const char *s, const char **error)
{
	int rc;

	if (strlen(s) > CP_AUTH_SECRET_MAX) {
		*error = "invalid secret";
		return -EINVAL;
	}
	if (conf_secret(cp, s) || cp_auth_secret_lookup(cp->auth, s, cp->api_err) == 0) {
		*error = "that secret is already there";
		return -EEXIST;
	}
	if (cp_auth_secret_list(cp->auth, NULL, 0) >= TP_CONF_MAX_SECRETS + 16) {
		*error = "secret table full: delete an old secret first";
		return -ENOSPC;
	}
	if (cp->store != NULL && (rc = cp_store_secret_add(cp->store, s)) < 0 &&
	    rc != -EEXIST)
		return store_failed(cp, rc, error);
	rc = cp_auth_secret_add(cp->auth, s);
	if (rc == -ENOSPC)
		*error = "secret table full: delete an old secret first";
	else if (rc < 0)
		*error = "invalid secret";
	return rc;
}

static int
cmd_secrets_add(void *ctx, struct json_object *req, struct json_object *resp,
		const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *s = get_str(req, "secret");

	(void)resp;
	if (s == NULL || s[0] == '\0') {
		*error = "secrets.add needs \"secret\"";
		return -EINVAL;
	}
	return secret_add(cp, s, error);
}

static int
cmd_secrets_del(void *ctx, struct json_object *req, struct json_object *resp,
		const char **error)
{
	static char val[CP_AUTH_SECRET_MAX + 1];
	struct cp_ctx *cp = ctx;
	const char *s = get_str(req, "secret");
	int rc;

	(void)resp;
	if (s == NULL) {
		*error = "secrets.del needs \"secret\" (the secret or its tag)";
		return -EINVAL;
	}
	if (cp_auth_secret_lookup(cp->auth, s, val) < 0) {
		*error = "no such secret";
		return -ENOENT;
	}
	if (conf_secret(cp, val)) {
		OPENSSL_cleanse(val, sizeof(val));
		*error = api_err(cp, "that secret is in %s (read-only here): delete it "
				 "there", cp->conf->path);
		return -EPERM;
	}
	if (cp->store != NULL && (rc = cp_store_secret_del(cp->store, val)) < 0 &&
	    rc != -ENOENT) {
		OPENSSL_cleanse(val, sizeof(val));
		return store_failed(cp, rc, error);
	}
	cp_auth_secret_del(cp->auth, val);
	OPENSSL_cleanse(val, sizeof(val));
	return 0;
}

static int
cmd_secrets_list(void *ctx, struct json_object *req, struct json_object *resp,
		 const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_auth_secret_info info[64];
	struct json_object *list = json_object_new_array();
	uint32_t n = cp_auth_secret_list(cp->auth, info, 64);

	(void)req;
	(void)error;
	for (uint32_t i = 0; i < n && i < 64; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "tag", json_object_new_string(info[i].tag));
		json_object_object_add(o, "length", json_object_new_int(info[i].len));
		json_object_array_add(list, o);
	}
	json_object_object_add(resp, "secrets", list);
	return 0;
}

/* ---- drain --------------------------------------------------------------- */

int
cp_parse_hostport(const char *str, struct stun_addr *a)
{
	char host[64];
	const char *colon;
	unsigned long port;
	char *end;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (str == NULL)
		return -EINVAL;
	if (str[0] == '[') {
		const char *rb = strchr(str, ']');

		if (rb == NULL || rb[1] != ':' || (size_t)(rb - str - 1) >= sizeof(host))
			return -EINVAL;
		hl = (size_t)(rb - str - 1);
		memcpy(host, str + 1, hl);
		colon = rb + 1;
		a->family = STUN_AF_IPV6;
	} else {
		colon = strrchr(str, ':');
		if (colon == NULL || (size_t)(colon - str) >= sizeof(host))
			return -EINVAL;
		hl = (size_t)(colon - str);
		memcpy(host, str, hl);
		a->family = STUN_AF_IPV4;
	}
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port == 0 || port > 65535)
		return -EINVAL;
	a->port = (uint16_t)port;
	return inet_pton(a->family == STUN_AF_IPV4 ? AF_INET : AF_INET6, host, a->ip) == 1 ?
	       0 : -EINVAL;
}

void
cp_hostport_str(const struct stun_addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == STUN_AF_IPV4 ? AF_INET : AF_INET6, a->ip, ip, sizeof(ip));
	snprintf(buf, size, a->family == STUN_AF_IPV4 ? "%s:%u" : "[%s]:%u", ip, a->port);
}

/* The drain as status shows it. */
static struct json_object *
drain_json(const struct cp_ctx *cp)
{
	struct json_object *o = json_object_new_object();
	struct json_object *alts = json_object_new_array();
	char buf[80];

	json_object_object_add(o, "active", json_object_new_boolean(cp->draining));
	for (unsigned int i = 0; i < cp->ndrain_alt; i++) {
		cp_hostport_str(&cp->drain_alt[i], buf, sizeof(buf));
		json_object_array_add(alts, json_object_new_string(buf));
	}
	json_object_object_add(o, "alternates", alts);
	json_object_object_add(o, "since_s", json_object_new_int64(cp->draining ?
			       (int64_t)((cp->now_ms - cp->drain_since_ms) / 1000) : 0));
	/* what is left: it runs until it expires or is refreshed to 0 */
	json_object_object_add(o, "allocations_left", json_object_new_int64(cp->nallocs));
	return o;
}

/*
 * drain {"alternates": ["192.0.2.7:3478", "[2001:db8::7]:3478"]}: new
 * Allocates get 300 Try Alternate (or 508 without an alternate of the
 * client's family); allocations, their refreshes, permissions and
 * channels go on. Draining again replaces the alternates.
 */
static int
cmd_drain(void *ctx, struct json_object *req, struct json_object *resp,
	  const char **error)
{
	struct stun_addr alt[CP_MAX_ALTERNATES];
	struct cp_ctx *cp = ctx;
	struct json_object *v;
	size_t n = 0;

	if (json_object_object_get_ex(req, "alternates", &v)) {
		if (!json_object_is_type(v, json_type_array) ||
		    (n = json_object_array_length(v)) > CP_MAX_ALTERNATES) {
			*error = api_err(cp, "\"alternates\" must be an array of at most %u "
					 "addresses", CP_MAX_ALTERNATES);
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_string) ||
			    cp_parse_hostport(json_object_get_string(e), &alt[i]) < 0) {
				*error = api_err(cp, "alternate %zu is not an address like "
						 "192.0.2.7:3478 or [2001:db8::7]:3478", i + 1);
				return -EINVAL;
			}
		}
	}
	memcpy(cp->drain_alt, alt, n * sizeof(alt[0]));
	cp->ndrain_alt = (unsigned int)n;
	if (!cp->draining)
		cp->drain_since_ms = cp->now_ms;
	cp->draining = true;
	/* none named, many boxes: the least loaded live one, kept current */
	cp->drain_auto = n == 0 && cp->cluster != NULL;
	cp_cluster_drain_changed(cp);
	tp_log(TP_LOG_NOTICE, "draining: new allocations get %s, %u allocation(s) run on\n",
	       cp->drain_auto ? "300 Try Alternate to the cluster's least loaded box" :
	       n > 0 ? "300 Try Alternate" : "508", cp->nallocs);
	fflush(stdout);
	json_object_object_add(resp, "drain", drain_json(cp));
	return 0;
}

static int
cmd_undrain(void *ctx, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_ctx *cp = ctx;

	(void)req;
	(void)error;
	if (cp->draining)
		tp_log(TP_LOG_NOTICE, "drain ended after %llu s\n",
		       (unsigned long long)((cp->now_ms - cp->drain_since_ms) / 1000));
	fflush(stdout);
	cp->draining = false;
	cp->drain_auto = false;
	cp->ndrain_alt = 0;
	cp_cluster_drain_changed(cp);
	json_object_object_add(resp, "drain", drain_json(cp));
	return 0;
}

/* reload: cp_reload() (reload.c) answers what changed and what needs a
 * restart, or why nothing changed. */
static int
cmd_reload(void *ctx, struct json_object *req, struct json_object *resp,
	   const char **error)
{
	struct cp_ctx *cp = ctx;
	int rc;

	(void)req;
	rc = cp_reload(cp, resp);
	if (rc < 0)
		*error = cp->api_err;
	return rc;
}

/* ---- TLS 1.3 external PSKs: the store's, then every worker -------------- */

/*
 * psk.add: {"identity": ID, "key": HEX, "cipher": NAME?}. The key is
 * IPC_TLS_PSK_KEY_MIN..MAX bytes in hex (what `openssl s_client -psk`
 * takes); cipher the TLS 1.3 suite it is bound to, default
 * TLS_AES_128_GCM_SHA256. An identity there already gets the new key.
 * The key never appears in an answer, the log or psk.list.
 */
static int
cmd_psk_add(void *ctx, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *id = get_str(req, "identity"), *hex = get_str(req, "key");
	const char *cname = get_str(req, "cipher");
	struct cp_store_psk p;
	size_t hl = hex != NULL ? strlen(hex) : 0;
	int rc;

	(void)resp;
	if (id == NULL || hex == NULL) {
		*error = "psk.add needs \"identity\" and \"key\" (hex)";
		return -EINVAL;
	}
	if (!cp_tls_psk_id_ok(id)) {
		*error = api_err(cp, "a PSK identity is 1 to %u printable ASCII characters "
				 "without spaces", IPC_TLS_PSK_ID_MAX);
		return -EINVAL;
	}
	memset(&p, 0, sizeof(p));
	p.cipher = cname != NULL ? cp_tls_cipher_parse(cname) : 0x1301;
	if (p.cipher == 0) {
		*error = "\"cipher\" must be TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 "
			 "or TLS_CHACHA20_POLY1305_SHA256";
		return -EINVAL;
	}
	if (hl % 2 != 0 || hl / 2 < IPC_TLS_PSK_KEY_MIN || hl / 2 > IPC_TLS_PSK_KEY_MAX ||
	    cp_store_unhex(hex, p.key, hl / 2) < 0) {
		*error = api_err(cp, "\"key\" must be %u to %u bytes in hex",
				 IPC_TLS_PSK_KEY_MIN, IPC_TLS_PSK_KEY_MAX);
		OPENSSL_cleanse(&p, sizeof(p));
		return -EINVAL;
	}
	p.key_len = (uint16_t)(hl / 2);
	memcpy(p.id, id, strlen(id) + 1);
	if (cp_tls_psk_find(&cp->tls, id) == NULL && cp->tls.npsk >= IPC_TLS_PSK_MAX) {
		*error = api_err(cp, "PSK table full (%u identities)", IPC_TLS_PSK_MAX);
		rc = -ENOSPC;
		goto out;
	}
	if (cp->store != NULL && (rc = cp_store_psk_put(cp->store, &p)) < 0) {
		rc = store_failed(cp, rc, error);
		goto out;
	}
	rc = cp_tls_psk_set(&cp->tls, p.id, p.key, p.key_len, p.cipher);
	if (rc < 0)
		*error = "cannot add the PSK to cp's table";
	else
		tp_log(TP_LOG_INFO, "TLS PSK '%s' installed (%s)\n", p.id,
		       cp_tls_cipher_name(p.cipher));
out:
	OPENSSL_cleanse(&p, sizeof(p));
	return rc;
}

static int
cmd_psk_del(void *ctx, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *id = get_str(req, "identity");
	int rc;

	(void)resp;
	if (id == NULL) {
		*error = "psk.del needs \"identity\"";
		return -EINVAL;
	}
	if (cp_tls_psk_find(&cp->tls, id) == NULL) {
		*error = "no such PSK";
		return -ENOENT;
	}
	if (cp->store != NULL && (rc = cp_store_psk_del(cp->store, id)) < 0 && rc != -ENOENT)
		return store_failed(cp, rc, error);
	cp_tls_psk_del(&cp->tls, id);
	tp_log(TP_LOG_INFO, "TLS PSK '%.128s' removed\n", id);
	return 0;
}

/* psk.list: {"psks": [{"identity": ID, "cipher": NAME}...]}, never a key. */
static int
cmd_psk_list(void *ctx, struct json_object *req, struct json_object *resp,
	     const char **error)
{
	struct cp_ctx *cp = ctx;
	struct json_object *list = json_object_new_array();

	(void)req;
	(void)error;
	for (uint32_t i = 0; i < cp->tls.npsk; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "identity",
				       json_object_new_string_len(cp->tls.psk[i].id,
								  cp->tls.psk[i].id_len));
		json_object_object_add(o, "cipher", json_object_new_string(
					       cp_tls_cipher_name(cp->tls.psk[i].cipher)));
		json_object_array_add(list, o);
	}
	json_object_object_add(resp, "psks", list);
	json_object_object_add(resp, "store", cp->store != NULL ?
			       json_object_new_string(cp->store->where) : NULL);
	return 0;
}

int
cp_api_commands_register(struct cp_ctx *cp, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		cp_api_fn fn;
	} cmds[] = {
		{ "status", cmd_status },
		{ "kill", cmd_kill },
		{ "users.add", cmd_users_add },
		{ "users.del", cmd_users_del },
		{ "users.list", cmd_users_list },
		{ "users.import", cmd_users_import },
		{ "drain", cmd_drain },
		{ "undrain", cmd_undrain },
		{ "reload", cmd_reload },
		{ "secrets.add", cmd_secrets_add },
		{ "secrets.del", cmd_secrets_del },
		{ "secrets.list", cmd_secrets_list },
		{ "psk.add", cmd_psk_add },
		{ "psk.del", cmd_psk_del },
		{ "psk.list", cmd_psk_list },
	};

	const struct tp_conf_cp *c = &cp->conf->cp;
	int rc;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		rc = cp_api_register(&cp->api, cmds[i].name, cmds[i].fn, cp);
		if (rc < 0) {
			snprintf(err, errlen, "cannot register the API command '%s': %s",
				 cmds[i].name, strerror(-rc));
			return rc;
		}
	}
	/* the modules' own (agw.*) */
	rc = cp_modules_commands(cp, err, errlen);
	if (rc < 0)
		return rc;
	/* Built a piece at a time: at 100,000 allocations the list is 36 MB. */
	rc = cp_api_register_list(&cp->api, "allocations", NULL, list_allocations,
				  "allocations", cp);
	if (rc < 0) {
		snprintf(err, errlen, "cannot register the API command 'allocations': %s",
			 strerror(-rc));
		return rc;
	}
	/* Every command is there: make the socket reachable at its path,
	 * with the operator group (cp_api_open() left it under a temporary
	 * name with its owner's bits only). */
	rc = cp_api_publish(&cp->api, c->has_api_group ? (gid_t)c->api_gid : CP_API_NO_GROUP,
			    c->has_agw_group ? (gid_t)c->agw_gid : CP_API_NO_GROUP);
	if (rc < 0)
		snprintf(err, errlen, "cannot publish the API socket at %s%s%s%s%s: %s",
			 c->api_socket, c->has_api_group ? " for group " : "",
			 c->has_api_group ? c->api_group : "",
			 c->has_agw_group ? " with controller group " : "",
			 c->has_agw_group ? c->agw_group : "",
			 rc == -EOPNOTSUPP ? "its file system takes no ACLs (cp.agw_group needs "
			 "one)" : strerror(-rc));
	return rc;
}

/* ---- the module (cp_module.h) ---------------------------------------------------- */

static void
mkdir_parent(const char *path)
{
	char dir[sizeof(((struct cp_api *)0)->path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return;
	*slash = '\0';
	mkdir(dir, 0755);
}


/* The socket bound, every command registered (this module's and the
 * others', cp_modules_commands()), then published at its path: a rename
 * in its folder, which may be root's, before cp becomes cp.user. */
static int
api_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	int rc;

	mkdir_parent(c->api_socket);
	rc = cp_api_open(&cp->api, c->api_socket, c->api_mode);
	if (rc < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", c->api_socket, strerror(-rc));
		return rc;
	}
	rc = cp_api_commands_register(cp, err, errlen);
	if (rc < 0) {
		cp_api_close(&cp->api);
		return rc;
	}
	return 0;
}

static void
api_fini(struct cp_ctx *cp)
{
	cp_api_close(&cp->api);
}

/* The operator's socket: once a millisecond and after each doze (a
 * client waits at most that long; it does not keep cp awake). */
static unsigned int
api_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	struct pollfd pfd = { .fd = cp->api.fd, .events = POLLIN };

	(void)now_ms;
	if (poll(&pfd, 1, 0) > 0)
		cp_api_serve(&cp->api);
	return 0;
}

const struct cp_module cp_api_module = {
	.name = "api",
	.setup = api_setup,
	.fini = api_fini,
	.serve = api_serve,
};
