/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/alloc as a module of turnpike-cp: its state made (only with a turn
 * group), each turn a reinstall's next slice and, once a second, the
 * request for dp's counters (cp_alloc_step()), and its operator commands:
 * allocations (a list answer, built a piece at a time as the client reads
 * it, so that listing 100,000 allocations does not hold cp's loop for
 * seconds), kill, drain and undrain (what new Allocates get), TURN's
 * parts of status (the realm, the allocations, the error responses, the
 * relayed traffic, the drain), and its part of a reload (quotas,
 * lifetimes, alternates).
 * Apart from
 * alloc.c so that what drives allocations alone (unit tests, tests/fuzz's
 * request path, the metrics benchmark) links without the API. On an
 * AGW-only box the commands are there all the same and find no
 * allocation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc_internal.h"
#include "../api/api_cmd.h"
#include "../cp_module.h"
#include "../cp_tenant.h"
#include "tp_conf_keys.h"

static int64_t
left_s(const struct cp_ctx *cp, uint64_t expires_ms)
{
	return expires_ms > cp->now_ms ? (int64_t)((expires_ms - cp->now_ms + 999) / 1000) : 0;
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
	json_object_object_add(o, "tenant", json_object_new_string(
		tp_conf_tenant_name(cp->conf, cp_alloc_tenant(cp, a))));
	cp_api_addr_str(&a->tuple.client, true, buf, sizeof(buf));
	json_object_object_add(o, "client", json_object_new_string(buf));
	/* The client's transport, and on a stream or a DTLS session its
	 * connection (dp's id: worker, slot, generation); the allocation goes
	 * when it closes. */
	json_object_object_add(o, "transport",
			       json_object_new_string(a->tuple.transport == 6 ? "TCP" :
						      a->tuple.conn_id != 0 ? "DTLS" : "UDP"));
	if (a->tuple.conn_id != 0) {
		snprintf(buf, sizeof(buf), "%u:%u:%u", ipc_conn_worker(a->tuple.conn_id),
			 ipc_conn_slot(a->tuple.conn_id), ipc_conn_gen(a->tuple.conn_id));
		json_object_object_add(o, "connection", json_object_new_string(buf));
	}
	for (unsigned int i = 0; i < a->nrelayed; i++) {
		cp_api_addr_str(&a->relayed[i], true, buf, sizeof(buf));
		json_object_array_add(rel, json_object_new_string(buf));
	}
	json_object_object_add(o, "relayed", rel);
	json_object_object_add(o, "lifetime_left_s",
			       json_object_new_int64(left_s(cp, a->expires_ms)));
	/* bytes a second each way (0: none), and its burst */
	json_object_object_add(o, "max_bps", json_object_new_int64(a->max_bps));
	json_object_object_add(o, "max_bps_burst", json_object_new_int64(a->max_bps_burst));
	for (unsigned int i = 0; i < a->nbinds; i++) {
		const struct cp_bind *b = &a->binds[i];
		struct json_object *p;

		if (b->channel != 0)
			continue;
		p = json_object_new_object();
		cp_api_addr_str(&b->peer, false, buf, sizeof(buf));
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
		cp_api_addr_str(&b->peer, true, buf, sizeof(buf));
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
	const struct cp_allocs *al = cp->alloc;
	const char *user = cp_api_str(req, "user");
	const char *tname = cp_api_str(req, "tenant");
	int tenant = tname != NULL ? cp_tenant_find(cp->conf, tname) : -1;
	uint32_t cur = (uint32_t)*cursor, end;
	unsigned int n = 0;
	struct cp_alloc *a;

	/* (an unknown tenant is refused before the list starts: list_check) */
	if (al == NULL || (tname != NULL && tenant < 0))   /* no turn group: empty */
		return 0;
	end = al->max_allocs - cur > SLOTS_PER_PIECE ? cur + SLOTS_PER_PIECE :
						       al->max_allocs;
	while (n < ALLOCS_PER_PIECE && cur < end) {
		a = &al->pool[cur++];
		if (!a->live)
			continue;
		if (user != NULL && (strlen(user) != a->user->len ||
				     memcmp(user, a->user->name, a->user->len) != 0))
			continue;
		if (tname != NULL && cp_alloc_tenant(cp, a) != (unsigned int)tenant)
			continue;
		json_object_array_add(items, alloc_json(cp, a));
		n++;
	}
	*cursor = cur;
	return cur < al->max_allocs ? 1 : 0;
}

/* Before the list: "tenant", when given, names a configured tenant;
 * the answer says how many there are. */
static int
list_check(void *ctx, struct json_object *req, struct json_object *resp,
	   const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *tname = cp_api_str(req, "tenant");

	if (tname != NULL && cp_tenant_find(cp->conf, tname) < 0) {
		*error = cp_api_err(cp, "no tenant '%.64s' in the configuration (see "
				    "turnpikectl tenants)", tname);
		return -EINVAL;
	}
	/* the tenants configured besides the default: turnpikectl shows a
	 * tenant column only on a box that has some */
	json_object_object_add(resp, "tenants", json_object_new_int((int)cp->conf->tenants.n));
	return 0;
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

/* The drain as status shows it, and the drain and undrain commands. */
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
	json_object_object_add(o, "allocations_left", json_object_new_int64(cp_alloc_count(cp)));
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
			*error = cp_api_err(cp, "\"alternates\" must be an array of at most %u "
					    "addresses", CP_MAX_ALTERNATES);
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_string) ||
			    cp_parse_hostport(json_object_get_string(e), &alt[i]) < 0) {
				*error = cp_api_err(cp, "alternate %zu is not an address like "
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
	/* (none named: an observer may name them, kept current: the
	 * cluster's least loaded live box, drain_auto) */
	cpa_observers(cp, &(struct cp_alloc_ev){ .type = CP_ALLOC_EV_DRAIN });
	tp_log(TP_LOG_NOTICE, "draining: new allocations get %s, %u allocation(s) run on\n",
	       cp->drain_auto ? "300 Try Alternate to the cluster's least loaded box" :
	       n > 0 ? "300 Try Alternate" : "508", cp_alloc_count(cp));
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
	cp->ndrain_alt = 0;
	cpa_observers(cp, &(struct cp_alloc_ev){ .type = CP_ALLOC_EV_DRAIN });
	json_object_object_add(resp, "drain", drain_json(cp));
	return 0;
}

/* ---- the module (cp_module.h) ------------------------------------------- */

static int
alloc_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	/* (without a turn group it makes nothing: cp->alloc stays NULL) */
	int rc = cp_alloc_init(cp);

	if (rc == -ENOMEM)
		snprintf(err, errlen, "no memory for %u allocations", cp->conf->cp.quota_total);
	else if (rc < 0)
		snprintf(err, errlen, "alloc: cannot take dp's allocation messages or hook "
			 "dp restarts: %s", strerror(-rc));
	return rc;
}

static int
alloc_commands(struct cp_ctx *cp)
{
	static const struct cp_api_cmd_def cmds[] = {
		{ "kill", cmd_kill },
		{ "drain", cmd_drain },
		{ "undrain", cmd_undrain },
	};
	int rc = cp_api_cmds(cp, cmds, sizeof(cmds) / sizeof(cmds[0]));

	/* Built a piece at a time: at 100,000 allocations the list is 36 MB. */
	if (rc == 0)
		rc = cp_api_register_list(cp->api, "allocations", list_check, list_allocations,
					  "allocations", cp);
	return rc;
}

/*
 * A reload: the quotas (cp.quota_user and each tenant's, when they are
 * the same tenants), the lifetimes and the alternates (ALTERNATE-SERVER of
 * a full box) as the file now says. A lower quota refuses new allocations
 * and ends no existing one; a new lifetime is what the next request gets.
 */
static struct stun_addr next_alternates[CP_MAX_ALTERNATES];

static int
alloc_reload_prepare(struct cp_ctx *cp, const struct tp_conf *next, char *err, size_t errlen)
{
	const struct tp_conf_cp *x = &next->cp;

	(void)cp;
	for (unsigned int i = 0; i < x->nalternates; i++)
		if (cp_parse_hostport(x->alternates[i], &next_alternates[i]) < 0) {
			snprintf(err, errlen, "%.200s: cp.alternates: '%s' is not an address "
				 "like \"192.0.2.7:3478\"", next->path, x->alternates[i]);
			return -EINVAL;
		}
	return 0;
}

static void
tenant_quotas_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	struct tp_conf_tenants *cur = &cp->conf->tenants;

	if (!tp_conf_tenants_same(cp->conf, next))
		return;               /* (a restart, said by tp_conf_restart_diff()) */
	for (unsigned int i = 0; i < cur->n; i++) {
		struct tp_conf_tenant *c = &cur->t[i];
		const struct tp_conf_tenant *x = &next->tenants.t[i];

		if (c->quota_total != x->quota_total)
			cp_reload_say(r, false, "tenant %s: quota_total %u -> %u", c->name,
				      c->quota_total, x->quota_total);
		if (c->quota_user != x->quota_user)
			cp_reload_say(r, false, "tenant %s: quota_user %u -> %u", c->name,
				      c->quota_user, x->quota_user);
		c->quota_total = x->quota_total;
		c->quota_user = x->quota_user;
		if (c->has_max_bps != x->has_max_bps || c->max_bps != x->max_bps)
			cp_reload_say(r, false, "tenant %s: max_bps %u -> %u%s", c->name,
				      c->has_max_bps ? c->max_bps : cp->conf->turn.max_bps,
				      x->has_max_bps ? x->max_bps : next->turn.max_bps,
				      " (new allocations)");
		c->has_max_bps = x->has_max_bps;
		c->max_bps = x->max_bps;
	}
}

static void
alloc_reload_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	struct tp_conf_cp *c = &cp->conf->cp;
	const struct tp_conf_cp *x = &next->cp;

	tenant_quotas_apply(cp, next, r);
#define LIVE(field, name) \
	if (c->field != x->field) { \
		cp_reload_say(r, false, "%s %llu -> %llu", name, (unsigned long long)c->field, \
			      (unsigned long long)x->field); \
		c->field = x->field; \
	}
	LIVE(quota_user, "cp.quota_user");
	LIVE(lifetime_default_s, "cp.lifetime_default");
	LIVE(lifetime_max_s, "cp.lifetime_max");
	LIVE(perm_lifetime_s, "cp.permission_lifetime");
	LIVE(chan_lifetime_s, "cp.channel_lifetime");
#undef LIVE
	/* (new allocations get them; existing ones keep theirs) */
	if (cp->conf->turn.max_bps != next->turn.max_bps ||
	    cp->conf->turn.max_bps_burst != next->turn.max_bps_burst) {
		cp_reload_say(r, false, "turn.max_bps %u -> %u, max_bps_burst %u -> %u "
			      "(new allocations)", cp->conf->turn.max_bps, next->turn.max_bps,
			      cp->conf->turn.max_bps_burst, next->turn.max_bps_burst);
		cp->conf->turn.max_bps = next->turn.max_bps;
		cp->conf->turn.max_bps_burst = next->turn.max_bps_burst;
	}
	if (c->nalternates != x->nalternates ||
	    memcmp(c->alternates, x->alternates, sizeof(c->alternates)) != 0) {
		cp_reload_say(r, false, "cp.alternates");
		c->nalternates = x->nalternates;
		memcpy(c->alternates, x->alternates, sizeof(c->alternates));
		memcpy(cp->full_alt, next_alternates, sizeof(next_alternates[0]) * x->nalternates);
		cp->nfull_alt = x->nalternates;
	}
}

static const struct cp_module_reload alloc_reload = {
	.prepare = alloc_reload_prepare,
	.apply = alloc_reload_apply,
};

/* ---- TURN's parts of status ---------------------------------------------- */

/* status's "drain", with or without a turn group. */
static void
alloc_status(const struct cp_ctx *cp, struct json_object *resp)
{
	json_object_object_add(resp, "drain", drain_json(cp));
}

/* The realm; with no turn group (an AGW-only box) none, and "turn":
 * false says why there are no allocations, users or TURN counters that
 * move. */
static void
status_realm(const struct cp_ctx *cp, struct json_object *resp)
{
	if (cp->conf->turn.enabled)
		json_object_object_add(resp, "realm",
				       json_object_new_string(cp->conf->turn.realm));
	else
		json_object_object_add(resp, "turn", json_object_new_boolean(false));
}

/* The live allocations (cp_alloc_totals(): running sums, no walk), by
 * transport; the bandwidth limits: turn.max_bps (bytes a second each
 * way, 0: none) and the live allocations with one (any of user, tenant,
 * file); by tenant, on a box with a tenants list: the default's and each
 * configured one's. */
static void
status_allocations(const struct cp_ctx *cp, struct json_object *resp)
{
	const struct tp_conf *c = cp->conf;
	struct json_object *by = json_object_new_object();
	struct cp_alloc_totals at;
	unsigned int nt = c->tenants.n + 1;

	cp_alloc_totals(cp, &at);
	json_object_object_add(resp, "allocations", json_object_new_int64(at.allocs));
	json_object_object_add(by, "UDP", json_object_new_int64(at.allocs - at.allocs_tcp));
	json_object_object_add(by, "TCP", json_object_new_int64(at.allocs_tcp));
	json_object_object_add(resp, "allocations_by_transport", by);
	json_object_object_add(resp, "max_bps", json_object_new_int64(c->turn.max_bps));
	json_object_object_add(resp, "allocations_limited",
			       json_object_new_int64(at.allocs_limited));
	if (nt > TP_CONF_MAX_TENANTS + 1)
		nt = TP_CONF_MAX_TENANTS + 1;
	if (nt > 1) {
		struct json_object *bt = json_object_new_object();

		for (unsigned int t = 0; t < nt; t++)
			json_object_object_add(bt, tp_conf_tenant_name(c, t),
					       json_object_new_int64(at.tenant[t]));
		json_object_object_add(resp, "allocations_by_tenant", bt);
	}
}

/* The error responses and challenges sent, by code (cp_count_error()). */
static void
status_errors(const struct cp_ctx *cp, struct json_object *resp)
{
	struct json_object *codes = json_object_new_object();

	for (unsigned int i = 0; i < CP_ERR__COUNT; i++)
		json_object_object_add(codes, cp_err_code_name(i),
				       json_object_new_int64((int64_t)cp->err_by_code[i]));
	json_object_object_add(resp, "error_responses_by_code", codes);
}

/* What allocations relayed (IPC_ALLOC_STATS_N order, lib/ipc struct
 * ipc_alloc_stats): the finished ones, and all (finished and live, as dp
 * last reported, at most a second old). */
static void
status_traffic(const struct cp_ctx *cp, struct json_object *resp)
{
	static const char *const names[IPC_ALLOC_STATS_N] = {
		"pkts_from_client", "bytes_from_client", "pkts_to_peer", "bytes_to_peer",
		"pkts_from_peer", "bytes_from_peer", "pkts_to_client", "bytes_to_client",
	};
	struct json_object *traffic = json_object_new_object();
	struct json_object *done = json_object_new_object();
	struct json_object *all = json_object_new_object();
	struct cp_alloc_totals at;

	cp_alloc_totals(cp, &at);
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++) {
		json_object_object_add(done, names[i], json_object_new_int64((int64_t)at.done[i]));
		json_object_object_add(all, names[i],
				       json_object_new_int64((int64_t)(at.done[i] + at.live[i])));
	}
	json_object_object_add(traffic, "finished", done);
	json_object_object_add(traffic, "all", all);
	json_object_object_add(resp, "traffic", traffic);
}

/* Where they stand among the hub's figures (enum cp_status_rank). */
static const struct cp_status_part alloc_status_parts[] = {
	{ CP_STATUS_REALM, status_realm },
	{ CP_STATUS_ALLOCATIONS, status_allocations },
	{ CP_STATUS_ERRORS, status_errors },
	{ CP_STATUS_TRAFFIC, status_traffic },
};

const struct cp_module cp_alloc_module = {
	.name = "alloc",
	.setup = alloc_setup,
	.fini = cp_alloc_fini,
	/* each turn: the next slice of a reinstall into a restarted dp, and
	 * dp's counters asked for once a second */
	.step = cp_alloc_step,
	.commands = alloc_commands,
	.status = alloc_status,
	.status_rank = 30,
	.status_parts = alloc_status_parts,
	.nstatus_parts = sizeof(alloc_status_parts) / sizeof(alloc_status_parts[0]),
	.reload = &alloc_reload,
};
