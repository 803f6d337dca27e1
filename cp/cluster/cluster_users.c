/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: users and REST secrets in Redis. Every cp reads them whole
 * once subscribed to NS:events (and again after every reconnect: changes
 * may have been missed), then one user at a time on "u NAME" and the
 * secrets on "s"; the operator's writes go through cp/store's interface
 * (kind "redis"): written to Redis and announced, or refused whole while
 * Redis is away. A user of the configuration file stays read-only above
 * Redis, as above the SQLite store.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "../cp.h"
#include "cluster.h"
#include "cluster_internal.h"
#include "tp_conf.h"

/* ---- users and secrets --------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tenant (lib/conf's index) named name, 0 for none of this box's
 * (the default tenant is never named: its keys and events are as they
 * were before tenants). */
static unsigned int
tenant_by_name(const struct cp_ctx *cp, const char *name)
{
	for (unsigned int i = 0; i < cp->conf->tenants.n; i++)
		if (strcmp(cp->conf->tenants.t[i].name, name) == 0)
			return i + 1;
	return 0;
}

/* One user of tenant t as its users hash holds it, into cp's table (a
 * user of the configuration file wins: it is read-only here). */
static void
user_apply(struct cp_cluster *cl, unsigned int t, const char *name, size_t nlen,
	   const char *val, size_t vlen)
{
	struct cp_ctx *cp = cl->cp;
	uint8_t md5[16], sha[32];
	int has_sha = 0;

	if (cl_parse_user(name, nlen, val, vlen, md5, sha, &has_sha) < 0) {
		cl->st.bad_entries++;
		return;
	}
	if (cp_conf_user_in(cp, t, name))
		goto out;
	if (cp_auth_user_add_keys_in(cp->auth, t, name, md5, has_sha ? sha : NULL) < 0)
		cl->st.bad_entries++;
out:
	OPENSSL_cleanse(md5, sizeof(md5));
	OPENSSL_cleanse(sha, sizeof(sha));
}

/* HGETALL NS:users (a tenant's NS:t:TENANT:users): the whole set. What
 * cp holds of that tenant that is neither in it nor the file's goes
 * (deleted while we were away). priv: the tenant. */
static void
on_users(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	unsigned int t = (unsigned int)(uintptr_t)priv;
	struct cp_cluster *cl;
	const char **names = NULL;
	char **gone = NULL;
	size_t n = 0, ngone = 0;
	uint32_t cur = 0;
	const char *u;

	if (l == NULL || !cl_answered(l, r))
		return;
	cl = l->cl;
	if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
		cl->st.bad_entries++;
		return;
	}
	names = calloc(r->elements / 2 + 1, sizeof(*names));
	gone = calloc(cp_auth_user_count(cl->cp->auth) + 1, sizeof(*gone));
	if (names == NULL || gone == NULL)
		goto out;
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		const redisReply *k = r->element[i], *v = r->element[i + 1];

		if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
			cl->st.bad_entries++;
			continue;
		}
		user_apply(cl, t, k->str, k->len, v->str, v->len);
		if (strlen(k->str) == k->len)
			names[n++] = k->str;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	while ((u = cp_auth_user_next_in(cl->cp->auth, t, &cur)) != NULL &&
	       ngone < cp_auth_user_count(cl->cp->auth))
		if (!cp_conf_user_in(cl->cp, t, u) &&
		    bsearch(&u, names, n, sizeof(*names), cmp_str) == NULL)
			gone[ngone++] = strdup(u);
	for (size_t i = 0; i < ngone; i++) {
		if (gone[i] != NULL)
			cp_auth_user_del_in(cl->cp->auth, t, gone[i]);
		free(gone[i]);
	}
	cl->st.user_syncs += t == 0;
	if (t == 0)
		tp_log(TP_LOG_INFO, "cluster: %zu user(s) read from redis, %zu gone since",
		       n, ngone);
	else
		tp_log(TP_LOG_INFO, "cluster: tenant %s: %zu user(s) read from redis, %zu "
		       "gone since", tp_conf_tenant_name(cl->cp->conf, t), n, ngone);
out:
	free(names);
	free(gone);
}

static bool
conf_secret(const struct cp_ctx *cp, unsigned int t, const char *s)
{
	const char (*v)[TP_CONF_STR_LEN] = cp->conf->cp.secrets;
	unsigned int n = cp->conf->cp.nsecrets;

	if (t > 0) {
		v = cp->conf->tenants.t[t - 1].secrets;
		n = cp->conf->tenants.t[t - 1].nsecrets;
	}
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* The set of tenant t's secrets of one algorithm: NS:secrets (SHA-1, as
 * it always was), NS:secrets:sha256. */
static void
secrets_key(char *k, size_t size, const struct cp_cluster *cl, unsigned int t,
	    unsigned int alg)
{
	cl_key_in(k, size, cl, t, alg == TP_REST_SHA256 ? "secrets:sha256" : "secrets",
		  "", 0);
}

/* What on_secrets() reads: tenant t's set of algorithm alg. */
static void *
secrets_priv(unsigned int t, unsigned int alg)
{
	return (void *)(uintptr_t)(t * 2u + (alg == TP_REST_SHA256));
}

/* SMEMBERS of one of the sets (secrets_key()): the whole set, as for the
 * users; it rules the secrets of its algorithm only (a value moved from
 * one set to the other takes the algorithm of the set read last: the
 * SHA-1 one is asked first). priv: secrets_priv(). */
static void
on_secrets(redisAsyncContext *ac, void *reply, void *priv)
{
	static char val[CP_AUTH_SECRET_MAX + 1];
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	unsigned int t = (unsigned int)((uintptr_t)priv / 2u);
	unsigned int alg = (uintptr_t)priv % 2u ? TP_REST_SHA256 : TP_REST_SHA1;
	struct cp_auth_secret_info info[TP_CONF_MAX_SECRETS + 16];
	struct cp_cluster *cl;
	struct cp_auth *a;
	uint32_t n;

	if (l == NULL || !cl_answered(l, r))
		return;
	cl = l->cl;
	a = cl->cp->auth;
	if (r->type != REDIS_REPLY_ARRAY) {
		cl->st.bad_entries++;
		return;
	}
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];
		int had;

		if (e->type != REDIS_REPLY_STRING || e->len == 0 ||
		    e->len > CP_AUTH_SECRET_MAX || strlen(e->str) != e->len) {
			cl->st.bad_entries++;
			continue;
		}
		/* there already: with this algorithm, or the file's (which
		 * wins), or the other set's, which this one replaces */
		had = cp_auth_secret_alg_in(a, t, e->str);
		if (had == (int)alg || (had >= 0 && conf_secret(cl->cp, t, e->str)))
			continue;
		if (had >= 0)
			cp_auth_secret_del_in(a, t, e->str);
		if (cp_auth_secret_add_in(a, t, e->str, alg) < 0)
			cl->st.bad_entries++;
	}
	n = cp_auth_secret_list_in(a, t, info, TP_CONF_MAX_SECRETS + 16);
	for (uint32_t i = 0; i < n && i < TP_CONF_MAX_SECRETS + 16; i++) {
		bool keep = false;

		if (info[i].alg != alg || cp_auth_secret_lookup_in(a, t, info[i].tag, val) < 0)
			continue;
		if (conf_secret(cl->cp, t, val))
			continue;
		for (size_t k = 0; k < r->elements && !keep; k++)
			keep = r->element[k]->type == REDIS_REPLY_STRING &&
			       strcmp(r->element[k]->str, val) == 0;
		if (!keep)
			cp_auth_secret_del_in(a, t, val);
	}
	OPENSSL_cleanse(val, sizeof(val));
}

/* Ask for both of tenant t's secret sets, SHA-1's first; false: not sent. */
static bool
secrets_read(struct cp_cluster *cl, unsigned int t)
{
	char k[CL_KEY_MAX];
	const char *argv[2] = { "SMEMBERS", k };

	secrets_key(k, sizeof(k), cl, t, TP_REST_SHA1);
	if (!cl_send_cmd(&cl->cmd, on_secrets, secrets_priv(t, TP_REST_SHA1), 2, argv))
		return false;
	secrets_key(k, sizeof(k), cl, t, TP_REST_SHA256);
	return cl_send_cmd(&cl->cmd, on_secrets, secrets_priv(t, TP_REST_SHA256), 2, argv);
}

/* ---- TLS PSK identities (NS:psks, "p ID" events) ------------------------ */

static void
psk_apply(struct cp_cluster *cl, const char *id, size_t idlen, const char *val, size_t vlen)
{
	struct cp_store_psk p;

	if (cl_parse_psk(id, idlen, val, vlen, &p) < 0) {
		cl->st.bad_entries++;
		return;
	}
	if (cl->cp->tls == NULL || cp_tls_psk_set(cl->cp->tls, p.id, p.key, p.key_len,
						  p.cipher) < 0)
		cl->st.bad_entries++;     /* the table is full */
	OPENSSL_cleanse(&p, sizeof(p));
}

/* HGETALL NS:psks: the whole set; what cp holds that Redis does not goes
 * (in cluster mode Redis is where PSKs live: cp.store is not opened). */
static void
on_psks(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	struct cp_cluster *cl;
	struct cp_tls *t;
	size_t n = 0;

	(void)priv;
	if (l == NULL || !cl_answered(l, r))
		return;
	cl = l->cl;
	t = cl->cp->tls;
	if (t == NULL || r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
		cl->st.bad_entries++;
		return;
	}
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		const redisReply *k = r->element[i], *v = r->element[i + 1];

		if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
			cl->st.bad_entries++;
			continue;
		}
		psk_apply(cl, k->str, k->len, v->str, v->len);
	}
	/* the ones Redis no longer has (deleted while we were away) */
	for (uint32_t i = 0; i < t->npsk;) {
		bool keep = false;

		for (size_t k = 0; k + 1 < r->elements && !keep; k += 2)
			keep = r->element[k]->type == REDIS_REPLY_STRING &&
			       r->element[k]->len == t->psk[i].id_len &&
			       memcmp(r->element[k]->str, t->psk[i].id, t->psk[i].id_len) == 0;
		if (keep) {
			i++;
			n++;
			continue;
		}
		cp_tls_psk_del(t, t->psk[i].id);   /* (the table closes up: same i) */
	}
	tp_log(TP_LOG_INFO, "cluster: %zu TLS PSK identit%s read from redis", n,
	       n == 1 ? "y" : "ies");
}

/* HGET NS:psks ID after "p ID". priv: the identity, malloc()ed. */
static void
on_psk(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	char *id = priv;

	if (l != NULL && cl_answered(l, r)) {
		struct cp_cluster *cl = l->cl;

		if (r->type == REDIS_REPLY_STRING)
			psk_apply(cl, id, strlen(id), r->str, r->len);
		else if (r->type == REDIS_REPLY_NIL && cl->cp->tls != NULL)
			cp_tls_psk_del(cl->cp->tls, id);
	}
	free(id);
}

void
cl_users_read(struct cp_cluster *cl)
{
	char k[CL_KEY_MAX];
	const char *argv[2];

	if (!cl_sharing(cl, TP_CLUSTER_SHARE_USERS))
		return;
	argv[0] = "HGETALL";
	argv[1] = k;
	cl_key(k, sizeof(k), cl, "users", "", 0);
	if (!cl_send_cmd(&cl->cmd, on_users, (void *)(uintptr_t)0, 2, argv))
		return;
	if (!secrets_read(cl, 0))
		return;
	argv[0] = "HGETALL";
	cl_key(k, sizeof(k), cl, "psks", "", 0);
	if (!cl_send_cmd(&cl->cmd, on_psks, NULL, 2, argv))
		return;
	/* every tenant this box has: its own keys (NS:t:TENANT:...) */
	for (unsigned int t = 1; t <= cl->cp->conf->tenants.n; t++) {
		argv[0] = "HGETALL";
		cl_key_in(k, sizeof(k), cl, t, "users", "", 0);
		if (!cl_send_cmd(&cl->cmd, on_users, (void *)(uintptr_t)t, 2, argv))
			return;
		if (!secrets_read(cl, t))
			return;
	}
	cl->users_dirty = false;
}

/* A user an event named: its tenant and name (malloc()ed together). */
struct ev_user {
	unsigned int tenant;
	char name[];
};

/* HGET NS:users NAME (a tenant's users hash) after "u NAME" ("U TENANT
 * NAME"): there (added, new keys) or not (deleted). priv: struct ev_user. */
static void
on_user(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	struct ev_user *u = priv;

	if (l != NULL && cl_answered(l, r)) {
		struct cp_cluster *cl = l->cl;

		if (r->type == REDIS_REPLY_STRING)
			user_apply(cl, u->tenant, u->name, strlen(u->name), r->str, r->len);
		else if (r->type == REDIS_REPLY_NIL && !cp_conf_user_in(cl->cp, u->tenant, u->name))
			cp_auth_user_del_in(cl->cp->auth, u->tenant, u->name);
	}
	free(u);
}

/* An event of a tenant this box does not have (the boxes' files differ):
 * nothing here to apply it to. Counted, said once. */
static void
unknown_tenant(struct cp_cluster *cl, const char *name)
{
	cl->st.unknown_tenant++;
	if (cl->said_unknown_tenant)
		return;
	cl->said_unknown_tenant = true;
	tp_log(TP_LOG_WARNING, "cluster: an event names tenant '%s', which %s does not "
	       "have: ignored (the boxes' tenants lists differ?); such events are counted "
	       "(unknown_tenant in status), this is said once", name, cl->cp->conf->path);
}

static void
on_event(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply, *kind, *msg;
	struct cp_cluster *cl;
	struct cl_event ev;
	char k[CL_KEY_MAX];
	unsigned int t = 0;

	(void)priv;
	if (l == NULL || r == NULL)
		return;
	cl = l->cl;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3)
		return;
	kind = r->element[0];
	msg = r->element[2];
	if (kind->type != REDIS_REPLY_STRING)
		return;
	if (strcmp(kind->str, "subscribe") == 0) {
		/* From now on no change is missed: read everything once. */
		l->subscribed = true;
		cl->users_dirty = true;
		return;
	}
	if (strcmp(kind->str, "message") != 0 || msg->type != REDIS_REPLY_STRING)
		return;
	cl->st.events++;
	if (cl_parse_event(msg->str, msg->len, &ev) < 0) {
		cl->st.bad_entries++;
		return;
	}
	if (ev.tenant[0] != '\0' && (t = tenant_by_name(cl->cp, ev.tenant)) == 0) {
		unknown_tenant(cl, ev.tenant);
		return;
	}
	if (ev.kind == CL_EV_SECRETS) {
		if (!secrets_read(cl, t))
			cl->users_dirty = true;
	} else if (ev.kind == CL_EV_USER) {
		struct ev_user *u = malloc(sizeof(*u) + ev.nlen + 1);
		const char *argv[3] = { "HGET", k, NULL };

		if (u != NULL) {
			u->tenant = t;
			memcpy(u->name, ev.name, ev.nlen);
			u->name[ev.nlen] = '\0';
			argv[2] = u->name;
		}
		cl_key_in(k, sizeof(k), cl, t, "users", "", 0);
		if (u == NULL || !cl_send_cmd(&cl->cmd, on_user, u, 3, argv)) {
			free(u);
			cl->users_dirty = true;
		}
	} else {
		const char *argv[3] = { "HGET", k, ev.name };
		char *id = strdup(ev.name);

		cl_key(k, sizeof(k), cl, "psks", "", 0);
		if (id == NULL || !cl_send_cmd(&cl->cmd, on_psk, id, 3, argv)) {
			free(id);
			cl->users_dirty = true;
		}
	}
}

void
cl_subscribe(struct cp_cluster *cl)
{
	char k[CL_KEY_MAX];
	const char *argv[2] = { "SUBSCRIBE", k };
	size_t len[2];

	cl_key(k, sizeof(k), cl, "events", "", 0);
	len[0] = 9;
	len[1] = strlen(k);
	/* a subscription's answers never end: not counted as inflight */
	if (cl->sub.ac != NULL &&
	    redisAsyncCommandArgv(cl->sub.ac, on_event, NULL, 2, argv, len) == REDIS_OK)
		cl->sub.subscribed = false;   /* until "subscribe" comes back */
}

/* ---- the store over the cluster (cp/store's interface) ----------------- */

struct cl_store {
	struct cp_store s;            /* first */
	struct cp_cluster *cl;
};

static struct cp_cluster *
store_cl(struct cp_store *s)
{
	return ((struct cl_store *)(void *)s)->cl;
}

static int
store_away(struct cp_store *s)
{
	struct cp_cluster *cl = store_cl(s);

	cl->st.write_refused++;
	snprintf(s->err, sizeof(s->err), "the cluster store (redis %s:%u) is not "
		 "reachable: nothing written (users and secrets are added where "
		 "every box sees them, or not at all)", cl->host, cl->port);
	return -EAGAIN;
}

/* The operator's held answer, when an API runs (not once it closed). */
static void
api_release(struct cp_cluster *cl, uint64_t token, const char *why)
{
	if (cl->cp->api != NULL)
		cp_api_release(cl->cp->api, token, why);
}

/* A write's answer: the operator's command (held, cp/api cp_api_hold())
 * is answered now, ok or why not. priv: the hold's token. */
static void
on_written(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	uint64_t token = (uint64_t)(uintptr_t)priv;
	char why[200];

	if (l == NULL)
		return;                   /* closed by cp: the hold times out */
	if (!cl_answered(l, r)) {
		l->cl->users_dirty = true;
		api_release(l->cl, token, "the link to redis was lost before it "
			    "answered: the change may or may not have been made");
		return;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		/* cp applied it already: what Redis holds is read again */
		l->cl->users_dirty = true;
		snprintf(why, sizeof(why), "redis refused the write: %.150s", r->str);
		tp_log(TP_LOG_WARNING, "cluster: %s", why);
		api_release(l->cl, token, why);
		return;
	}
	api_release(l->cl, token, NULL);
}

/* A write to the store; the operator's answer waits for Redis' (when an
 * operator's command made it). */
static bool
write_cmd(struct cp_cluster *cl, int argc, const char **argv)
{
	/* (0, no hold, when no API runs) */
	uint64_t token = cl->cp->api != NULL ? cp_api_hold(cl->cp->api) : 0;

	return cl_send_cmd(&cl->cmd, on_written, (void *)(uintptr_t)token, argc, argv);
}

static void
announce(struct cp_cluster *cl, const char *what, size_t len)
{
	char k[CL_KEY_MAX];
	const char *argv[3] = { "PUBLISH", k, what };
	size_t lens[3];

	cl_key(k, sizeof(k), cl, "events", "", 0);
	lens[0] = 7;
	lens[1] = strlen(k);
	lens[2] = len;
	cl_send_argv(&cl->cmd, NULL, NULL, 3, argv, lens);
}

static int
rs_user_get(struct cp_store *s, const char *name, struct cp_store_user *out)
{
	/* cp holds what Redis has (and reads it again now): a user of the
	 * file that goes falls back to nothing until then. */
	(void)name;
	(void)out;
	store_cl(s)->users_dirty = true;
	return -ENOENT;
}

static int
rs_user_list(struct cp_store *s, cp_store_user_fn fn, void *arg)
{
	/* read asynchronously once connected (on_users) */
	(void)s;
	(void)fn;
	(void)arg;
	return 0;
}

/* The tenant whose rows the store is scoped to (cp_store_scope(): the
 * tenant's realm; unscoped, the default tenant's), or -1 with s->err. */
static int
store_tenant(struct cp_store *s)
{
	const struct tp_conf *c = store_cl(s)->cp->conf;

	if (!s->scoped)
		return 0;
	for (unsigned int i = 0; i < c->tenants.n; i++)
		if (strcmp(c->tenants.t[i].realm, s->realm) == 0)
			return (int)i + 1;
	snprintf(s->err, sizeof(s->err), "no tenant of realm '%.128s' here", s->realm);
	return -1;
}

/* The event that a user of tenant t changed: "u NAME", "U TENANT NAME". */
static void
announce_user(struct cp_cluster *cl, unsigned int t, const char *name)
{
	char ev[CP_STORE_NAME_MAX + TP_CONF_TENANT_NAME_MAX + 4];

	if (t == 0)
		snprintf(ev, sizeof(ev), "u %s", name);
	else
		snprintf(ev, sizeof(ev), "U %s %s", tp_conf_tenant_name(cl->cp->conf, t), name);
	announce(cl, ev, strlen(ev));
}

static int
rs_user_put(struct cp_store *s, const struct cp_store_user *u, unsigned int n)
{
	struct cp_cluster *cl = store_cl(s);
	char k[CL_KEY_MAX], v[32 + 1 + 64 + 1];
	int t = store_tenant(s);

	if (t < 0)
		return -EINVAL;
	if (cl->cmd.state != CL_UP)
		return store_away(s);
	cl_key_in(k, sizeof(k), cl, (unsigned int)t, "users", "", 0);
	for (unsigned int i = 0; i < n; i++) {
		const char *argv[4] = { "HSET", k, u[i].name, v };

		cp_store_hex(u[i].md5, 16, v);
		if (u[i].has_sha256) {
			v[32] = ':';
			cp_store_hex(u[i].sha256, 32, v + 33);
		}
		if (!write_cmd(cl, 4, argv)) {
			OPENSSL_cleanse(v, sizeof(v));
			return store_away(s);
		}
		announce_user(cl, (unsigned int)t, u[i].name);
	}
	OPENSSL_cleanse(v, sizeof(v));
	return 0;
}

static int
rs_user_del(struct cp_store *s, const char *name)
{
	struct cp_cluster *cl = store_cl(s);
	char k[CL_KEY_MAX];
	const char *argv[3] = { "HDEL", k, name };
	int t = store_tenant(s);

	if (t < 0)
		return -EINVAL;
	if (cl->cmd.state != CL_UP)
		return store_away(s);
	cl_key_in(k, sizeof(k), cl, (unsigned int)t, "users", "", 0);
	if (!write_cmd(cl, 3, argv))
		return store_away(s);
	announce_user(cl, (unsigned int)t, name);
	return 0;
}

static int
rs_secret_list(struct cp_store *s, cp_store_secret_fn fn, void *arg)
{
	(void)s;
	(void)fn;
	(void)arg;
	return 0;
}

/* Added (SADD) to the set of alg's secrets, or taken (SREM) out of both
 * (a value is one secret, in one set), and announced "s" (the default
 * tenant's), "S TENANT" (a tenant's). */
static int
rs_secret_write(struct cp_store *s, const char *verb, const char *secret, unsigned int alg)
{
	struct cp_cluster *cl = store_cl(s);
	char k[CL_KEY_MAX], ev[TP_CONF_TENANT_NAME_MAX + 3];
	const char *argv[3] = { verb, k, secret };
	int t = store_tenant(s);
	bool del = strcmp(verb, "SREM") == 0;

	if (t < 0)
		return -EINVAL;
	if (cl->cmd.state != CL_UP)
		return store_away(s);
	secrets_key(k, sizeof(k), cl, (unsigned int)t, del ? TP_REST_SHA1 : alg);
	if (!write_cmd(cl, 3, argv))
		return store_away(s);
	if (del) {
		secrets_key(k, sizeof(k), cl, (unsigned int)t, TP_REST_SHA256);
		if (!write_cmd(cl, 3, argv))
			return store_away(s);
	}
	if (t == 0)
		snprintf(ev, sizeof(ev), "s");
	else
		snprintf(ev, sizeof(ev), "S %s", tp_conf_tenant_name(cl->cp->conf,
								   (unsigned int)t));
	announce(cl, ev, strlen(ev));
	return 0;
}

static int
rs_secret_add(struct cp_store *s, const char *secret, unsigned int alg)
{
	return rs_secret_write(s, "SADD", secret, alg);
}

static int
rs_secret_del(struct cp_store *s, const char *secret)
{
	return rs_secret_write(s, "SREM", secret, TP_REST_SHA1);
}

static int
rs_psk_list(struct cp_store *s, cp_store_psk_fn fn, void *arg)
{
	(void)s;
	(void)fn;
	(void)arg;
	return 0;
}

/* NS:psks ID -> "CCCC:HEX" (cl_parse_psk() reads it), announced "p ID" */
static int
rs_psk_put(struct cp_store *s, const struct cp_store_psk *p)
{
	struct cp_cluster *cl = store_cl(s);
	char k[CL_KEY_MAX], v[5 + 2 * CP_STORE_PSK_KEY_MAX + 1], ev[CP_STORE_PSK_ID_MAX + 3];
	const char *argv[4] = { "HSET", k, p->id, v };
	bool sent;

	if (cl->cmd.state != CL_UP)
		return store_away(s);
	cl_key(k, sizeof(k), cl, "psks", "", 0);
	snprintf(v, sizeof(v), "%04x:", p->cipher);
	cp_store_hex(p->key, p->key_len, v + 5);
	sent = write_cmd(cl, 4, argv);
	OPENSSL_cleanse(v, sizeof(v));
	if (!sent)
		return store_away(s);
	snprintf(ev, sizeof(ev), "p %s", p->id);
	announce(cl, ev, strlen(ev));
	return 0;
}

static int
rs_psk_del(struct cp_store *s, const char *id)
{
	struct cp_cluster *cl = store_cl(s);
	char k[CL_KEY_MAX], ev[CP_STORE_PSK_ID_MAX + 3];
	const char *argv[3] = { "HDEL", k, id };

	if (cl->cmd.state != CL_UP)
		return store_away(s);
	cl_key(k, sizeof(k), cl, "psks", "", 0);
	if (!write_cmd(cl, 3, argv))
		return store_away(s);
	snprintf(ev, sizeof(ev), "p %s", id);
	announce(cl, ev, strlen(ev));
	return 0;
}

static void
rs_close(struct cp_store *s)
{
	free(s);
}

static const struct cp_store_ops redis_store_ops = {
	.kind = "redis",
	.user_get = rs_user_get,
	.user_list = rs_user_list,
	.user_put = rs_user_put,
	.user_del = rs_user_del,
	.secret_list = rs_secret_list,
	.secret_add = rs_secret_add,
	.secret_del = rs_secret_del,
	.psk_list = rs_psk_list,
	.psk_put = rs_psk_put,
	.psk_del = rs_psk_del,
	.close = rs_close,
};

struct cp_store *
cp_store_redis_open(struct cp_cluster *cl)
{
	struct cl_store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->s.ops = &redis_store_ops;
	s->cl = cl;
	snprintf(s->s.realm, sizeof(s->s.realm), "%s", cl->cp->conf->turn.realm);
	snprintf(s->s.where, sizeof(s->s.where), "redis:%.200s", cl->ns);
	return &s->s;
}

