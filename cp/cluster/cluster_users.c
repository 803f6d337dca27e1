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

/* One user as NS:users holds it, into cp's table (a user of the
 * configuration file wins: it is read-only here). */
static void
user_apply(struct cp_cluster *cl, const char *name, size_t nlen, const char *val, size_t vlen)
{
	struct cp_ctx *cp = cl->cp;
	uint8_t md5[16], sha[32];
	int has_sha = 0;

	if (cl_parse_user(name, nlen, val, vlen, md5, sha, &has_sha) < 0) {
		cl->st.bad_entries++;
		return;
	}
	if (cp_conf_user(cp, name))
		goto out;
	if (cp_auth_user_add_keys(cp->auth, name, md5, has_sha ? sha : NULL) < 0)
		cl->st.bad_entries++;
out:
	OPENSSL_cleanse(md5, sizeof(md5));
	OPENSSL_cleanse(sha, sizeof(sha));
}

/* HGETALL NS:users: the whole set. What cp holds that is neither in it
 * nor the file's goes (deleted while we were away). */
static void
on_users(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	struct cp_cluster *cl;
	const char **names = NULL;
	char **gone = NULL;
	size_t n = 0, ngone = 0;
	uint32_t cur = 0;
	const char *u;

	(void)priv;
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
		user_apply(cl, k->str, k->len, v->str, v->len);
		if (strlen(k->str) == k->len)
			names[n++] = k->str;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	while ((u = cp_auth_user_next(cl->cp->auth, &cur)) != NULL &&
	       ngone < cp_auth_user_count(cl->cp->auth))
		if (!cp_conf_user(cl->cp, u) &&
		    bsearch(&u, names, n, sizeof(*names), cmp_str) == NULL)
			gone[ngone++] = strdup(u);
	for (size_t i = 0; i < ngone; i++) {
		if (gone[i] != NULL)
			cp_auth_user_del(cl->cp->auth, gone[i]);
		free(gone[i]);
	}
	cl->st.user_syncs++;
	tp_log(TP_LOG_INFO, "cluster: %zu user(s) read from redis, %zu gone since",
	       n, ngone);
out:
	free(names);
	free(gone);
}

static bool
conf_secret(const struct cp_ctx *cp, const char *s)
{
	for (unsigned int i = 0; i < cp->conf->cp.nsecrets; i++)
		if (strcmp(cp->conf->cp.secrets[i], s) == 0)
			return true;
	return false;
}

/* SMEMBERS NS:secrets: the whole set, as for the users. */
static void
on_secrets(redisAsyncContext *ac, void *reply, void *priv)
{
	static char val[CP_AUTH_SECRET_MAX + 1];
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	struct cp_auth_secret_info info[TP_CONF_MAX_SECRETS + 16];
	struct cp_cluster *cl;
	uint32_t n;

	(void)priv;
	if (l == NULL || !cl_answered(l, r))
		return;
	cl = l->cl;
	if (r->type != REDIS_REPLY_ARRAY) {
		cl->st.bad_entries++;
		return;
	}
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];

		if (e->type != REDIS_REPLY_STRING || e->len == 0 ||
		    e->len > CP_AUTH_SECRET_MAX || strlen(e->str) != e->len) {
			cl->st.bad_entries++;
			continue;
		}
		if (cp_auth_secret_lookup(cl->cp->auth, e->str, val) < 0 &&
		    cp_auth_secret_add(cl->cp->auth, e->str) < 0)
			cl->st.bad_entries++;
	}
	n = cp_auth_secret_list(cl->cp->auth, info, TP_CONF_MAX_SECRETS + 16);
	for (uint32_t i = 0; i < n && i < TP_CONF_MAX_SECRETS + 16; i++) {
		bool keep = false;

		if (cp_auth_secret_lookup(cl->cp->auth, info[i].tag, val) < 0)
			continue;
		if (conf_secret(cl->cp, val))
			continue;
		for (size_t k = 0; k < r->elements && !keep; k++)
			keep = r->element[k]->type == REDIS_REPLY_STRING &&
			       strcmp(r->element[k]->str, val) == 0;
		if (!keep)
			cp_auth_secret_del(cl->cp->auth, val);
	}
	OPENSSL_cleanse(val, sizeof(val));
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
	if (!cl_send_cmd(&cl->cmd, on_users, NULL, 2, argv))
		return;
	argv[0] = "SMEMBERS";
	cl_key(k, sizeof(k), cl, "secrets", "", 0);
	if (!cl_send_cmd(&cl->cmd, on_secrets, NULL, 2, argv))
		return;
	argv[0] = "HGETALL";
	cl_key(k, sizeof(k), cl, "psks", "", 0);
	if (!cl_send_cmd(&cl->cmd, on_psks, NULL, 2, argv))
		return;
	cl->users_dirty = false;
}

/* HGET NS:users NAME after "u NAME": there (added, new keys) or not
 * (deleted). priv: the name, malloc()ed. */
static void
on_user(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	char *name = priv;

	if (l != NULL && cl_answered(l, r)) {
		struct cp_cluster *cl = l->cl;

		if (r->type == REDIS_REPLY_STRING)
			user_apply(cl, name, strlen(name), r->str, r->len);
		else if (r->type == REDIS_REPLY_NIL && !cp_conf_user(cl->cp, name))
			cp_auth_user_del(cl->cp->auth, name);
	}
	free(name);
}

static void
on_event(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply, *kind, *msg;
	struct cp_cluster *cl;
	char k[CL_KEY_MAX];

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
	if (msg->len == 1 && msg->str[0] == 's') {
		const char *argv[2] = { "SMEMBERS", k };

		cl_key(k, sizeof(k), cl, "secrets", "", 0);
		if (!cl_send_cmd(&cl->cmd, on_secrets, NULL, 2, argv))
			cl->users_dirty = true;
	} else if (msg->len > 2 && msg->str[0] == 'u' && msg->str[1] == ' ' &&
		   msg->len - 2 <= CP_STORE_NAME_MAX && strlen(msg->str) == msg->len) {
		const char *argv[3] = { "HGET", k, msg->str + 2 };
		char *name = strdup(msg->str + 2);

		cl_key(k, sizeof(k), cl, "users", "", 0);
		if (name == NULL || !cl_send_cmd(&cl->cmd, on_user, name, 3, argv)) {
			free(name);
			cl->users_dirty = true;
		}
	} else if (msg->len > 2 && msg->str[0] == 'p' && msg->str[1] == ' ' &&
		   msg->len - 2 <= CP_STORE_PSK_ID_MAX && strlen(msg->str) == msg->len) {
		const char *argv[3] = { "HGET", k, msg->str + 2 };
		char *id = strdup(msg->str + 2);

		cl_key(k, sizeof(k), cl, "psks", "", 0);
		if (id == NULL || !cl_send_cmd(&cl->cmd, on_psk, id, 3, argv)) {
			free(id);
			cl->users_dirty = true;
		}
	} else {
		cl->st.bad_entries++;
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

static int
rs_user_put(struct cp_store *s, const struct cp_store_user *u, unsigned int n)
{
	struct cp_cluster *cl = store_cl(s);
	char k[CL_KEY_MAX], v[32 + 1 + 64 + 1], ev[CP_STORE_NAME_MAX + 3];

	if (cl->cmd.state != CL_UP)
		return store_away(s);
	cl_key(k, sizeof(k), cl, "users", "", 0);
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
		snprintf(ev, sizeof(ev), "u %s", u[i].name);
		announce(cl, ev, strlen(ev));
	}
	OPENSSL_cleanse(v, sizeof(v));
	return 0;
}

static int
rs_user_del(struct cp_store *s, const char *name)
{
	struct cp_cluster *cl = store_cl(s);
	char k[CL_KEY_MAX], ev[CP_STORE_NAME_MAX + 3];
	const char *argv[3] = { "HDEL", k, name };

	if (cl->cmd.state != CL_UP)
		return store_away(s);
	cl_key(k, sizeof(k), cl, "users", "", 0);
	if (!write_cmd(cl, 3, argv))
		return store_away(s);
	snprintf(ev, sizeof(ev), "u %s", name);
	announce(cl, ev, strlen(ev));
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

static int
rs_secret_write(struct cp_store *s, const char *verb, const char *secret)
{
	struct cp_cluster *cl = store_cl(s);
	char k[CL_KEY_MAX];
	const char *argv[3] = { verb, k, secret };

	if (cl->cmd.state != CL_UP)
		return store_away(s);
	cl_key(k, sizeof(k), cl, "secrets", "", 0);
	if (!write_cmd(cl, 3, argv))
		return store_away(s);
	announce(cl, "s", 1);
	return 0;
}

static int
rs_secret_add(struct cp_store *s, const char *secret)
{
	return rs_secret_write(s, "SADD", secret);
}

static int
rs_secret_del(struct cp_store *s, const char *secret)
{
	return rs_secret_write(s, "SREM", secret);
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

