/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: the links to Redis on cp's loop and what goes over them
 * (cluster_types.h has the keys). Two links to Redis, one for commands
 * and one subscribed to NS:events, and with Sentinel a third, short-lived,
 * that asks where the master is. hiredis's asynchronous context does the
 * protocol; its event hooks only note what it wants polled, and
 * cp_cluster_poll() polls with a zero timeout. A link with commands
 * unanswered for CL_REPLY_TIMEOUT_MS is dropped (hiredis 0.14 has no
 * timeouts of its own): a Redis that hangs is a Redis that is away.
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
#include <openssl/rand.h>

#include "../cp.h"
#include "cluster.h"
#include "tp_conf.h"

/* ---- scripts (run atomically by Redis) --------------------------------- */

/* Take a quota lease: KEYS[1] NS:quota:USER; ARGV now_ms, until_ms, limit,
 * member, lease_ms. Leases past their end are dropped first; a member
 * there already (a retransmission, a renewal) is not counted twice.
 * Returns {granted 0|1, leases}. */
static const char QUOTA_TAKE[] =
	"redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) "
	"local had = redis.call('ZSCORE', KEYS[1], ARGV[4]) "
	"local n = redis.call('ZCARD', KEYS[1]) "
	"if not had and n >= tonumber(ARGV[3]) then return {0, n} end "
	"redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4]) "
	"redis.call('PEXPIRE', KEYS[1], ARGV[5]) "
	"if had then return {1, n} end return {1, n + 1}";

/* Publish this box: KEYS[1] NS:box:BOX, KEYS[2] NS:boxes; ARGV owner,
 * ttl_ms, name, then field/value pairs. Refused (0) while another owner's
 * entry lives: two boxes never share a name. */
static const char BOX_PUBLISH[] =
	"local o = redis.call('HGET', KEYS[1], 'owner') "
	"if o and o ~= ARGV[1] then return 0 end "
	"redis.call('DEL', KEYS[1]) "
	"redis.call('HSET', KEYS[1], 'owner', ARGV[1], unpack(ARGV, 4)) "
	"redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
	"redis.call('SADD', KEYS[2], ARGV[3]) "
	"return 1";

/* Every live box: KEYS[1] NS:boxes; ARGV[1] "NS:box:". Names whose hash
 * expired are pruned. Returns {name, {field, value, ...}, ...}. */
static const char BOX_READ[] =
	"local out = {} "
	"for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
	"  local h = redis.call('HGETALL', ARGV[1] .. n) "
	"  if #h == 0 then redis.call('SREM', KEYS[1], n) "
	"  else out[#out + 1] = n; out[#out + 1] = h end "
	"end return out";

/* ---- small helpers ------------------------------------------------------ */

static int
key(char *out, size_t size, const struct cp_cluster *cl, const char *what,
    const char *name, size_t nlen)
{
	int n = snprintf(out, size, "%s:%s", cl->ns, what);

	if (n < 0 || (size_t)n + nlen + 1 > size)
		return -ENAMETOOLONG;
	memcpy(out + n, name, nlen);
	out[n + (int)nlen] = '\0';
	return n + (int)nlen;
}

static void
ipc_addr_str(const struct ipc_addr *a, char *buf, size_t size)
{
	char ip[64];
	struct stun_addr s;

	memset(&s, 0, sizeof(s));
	s.family = a->family == 4 ? STUN_AF_IPV4 : STUN_AF_IPV6;
	s.port = a->port;
	memcpy(s.ip, a->ip, 16);
	cp_hostport_str(&s, ip, sizeof(ip));
	snprintf(buf, size, "%s", ip);
}

/* The lease of an allocation: BOX/T/CLIENT/SERVERPORT[/CONN] (its 5-tuple
 * on this box: unique while it lives, known before it exists). */
static void
lease_member(const struct cp_cluster *cl, const struct ipc_tuple *t, char *out, size_t size)
{
	char c[80];

	ipc_addr_str(&t->client, c, sizeof(c));
	if (t->transport == 6)
		snprintf(out, size, "%s/T/%s/%u/%" PRIx64, cl->conf->box, c, t->server.port,
			 t->conn_id);
	else
		snprintf(out, size, "%s/U/%s/%u", cl->conf->box, c, t->server.port);
}

static bool
sharing(const struct cp_cluster *cl, uint32_t what)
{
	return (cl->conf->share & what) != 0;
}

/* ---- links: hiredis on cp's loop ---------------------------------------- */

static void ev_add_read(void *p) { ((struct cl_link *)p)->rd = true; }
static void ev_del_read(void *p) { ((struct cl_link *)p)->rd = false; }
static void ev_add_write(void *p) { ((struct cl_link *)p)->wr = true; }
static void ev_del_write(void *p) { ((struct cl_link *)p)->wr = false; }

static void
ev_cleanup(void *p)
{
	struct cl_link *l = p;

	l->ac = NULL;
	l->rd = l->wr = false;
}

static void
link_down(struct cl_link *l, const char *why)
{
	struct cp_cluster *cl = l->cl;
	bool was_up = l->state == CL_UP;

	l->state = CL_DOWN;
	l->subscribed = false;
	l->inflight = 0;
	l->retry_ms = cl->cp->now_ms + l->backoff_ms;
	l->backoff_ms = l->backoff_ms * 2 > CL_BACKOFF_MAX_MS ? CL_BACKOFF_MAX_MS :
								  l->backoff_ms * 2;
	if (was_up) {
		cl->st.disconnects++;
		tp_log(TP_LOG_WARNING, "cluster: %s link to %s:%u lost (%s): going on with "
		       "what cp holds, quotas counted locally; again in %u ms",
		       l->name, cl->host, cl->port, why, (unsigned int)(l->retry_ms -
								  cl->cp->now_ms));
		/* With Sentinel, ask again where the master is. */
		if (cl->conf->nsentinels > 0)
			cl->have_target = false;
	}
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct cl_link *l = ac->data;

	if (l == NULL)
		return;
	if (status != REDIS_OK) {
		link_down(l, ac->errstr);
		return;
	}
	l->state = CL_UP;
	l->backoff_ms = CL_BACKOFF_MIN_MS;
	l->progress_ms = l->cl->cp->now_ms;
	l->cl->st.connects++;
	if (l != &l->cl->sentinel)
		tp_log(TP_LOG_NOTICE, "cluster: %s link to %s:%u up (box '%s')", l->name,
		       l->cl->host, l->cl->port, l->cl->conf->box);
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct cl_link *l = ac->data;

	(void)status;
	if (l == NULL)
		return;
	link_down(l, ac->err ? ac->errstr : "closed");
}

static int
link_open(struct cl_link *l, const char *host, uint16_t port)
{
	redisAsyncContext *ac = redisAsyncConnect(host, port);

	if (ac == NULL)
		return -ENOMEM;
	if (ac->err) {
		snprintf(l->cl->err, sizeof(l->cl->err), "%s", ac->errstr);
		redisAsyncFree(ac);
		link_down(l, l->cl->err);
		return -EIO;
	}
	ac->data = l;
	ac->ev.data = l;
	ac->ev.addRead = ev_add_read;
	ac->ev.delRead = ev_del_read;
	ac->ev.addWrite = ev_add_write;
	ac->ev.delWrite = ev_del_write;
	ac->ev.cleanup = ev_cleanup;
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	l->ac = ac;
	l->state = CL_CONNECTING;
	l->inflight = 0;
	l->progress_ms = l->cl->cp->now_ms;
	/* the connect completes when the socket is writable */
	l->wr = true;
	return 0;
}

static void
link_close(struct cl_link *l)
{
	if (l->ac != NULL) {
		l->ac->data = NULL;
		redisAsyncFree(l->ac);
		l->ac = NULL;
	}
	l->state = CL_DOWN;
}

/* A command's answer came (or the link went: r NULL). */
static bool
answered(struct cl_link *l, const redisReply *r)
{
	if (l->inflight > 0)
		l->inflight--;
	l->progress_ms = l->cl->cp->now_ms;
	if (r == NULL) {
		l->state = CL_DOWN;       /* the context is going: send nothing more */
		return false;
	}
	return true;
}

static void
on_done(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;

	(void)priv;
	if (l == NULL || !answered(l, r))
		return;
	if (r->type == REDIS_REPLY_ERROR)
		tp_log(TP_LOG_WARNING, "cluster: redis said: %.200s", r->str);
}

/* Send a command on a link that is up; false when it is not. */
static bool
send_argv(struct cl_link *l, redisCallbackFn *fn, void *priv, int argc, const char **argv,
	  const size_t *len)
{
	if (l->state != CL_UP || l->ac == NULL)
		return false;
	if (redisAsyncCommandArgv(l->ac, fn != NULL ? fn : on_done, priv, argc, argv,
				  len) != REDIS_OK)
		return false;
	if (l->inflight++ == 0)
		l->progress_ms = l->cl->cp->now_ms;
	return true;
}

/* argv of C strings */
static bool
send_cmd(struct cl_link *l, redisCallbackFn *fn, void *priv, int argc, const char **argv)
{
	size_t len[16];

	for (int i = 0; i < argc && i < 16; i++)
		len[i] = strlen(argv[i]);
	return send_argv(l, fn, priv, argc, argv, len);
}

/* One link's turn: poll its socket (no wait) and let hiredis work. */
static unsigned int
link_poll(struct cl_link *l)
{
	struct pollfd pfd;

	if (l->ac == NULL || (!l->rd && !l->wr))
		return 0;
	pfd.fd = l->ac->c.fd;
	pfd.events = (short)((l->rd ? POLLIN : 0) | (l->wr ? POLLOUT : 0));
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
		if (l->ac != NULL)
			redisAsyncHandleRead(l->ac);
	}
	if ((pfd.revents & POLLOUT) && l->ac != NULL)
		redisAsyncHandleWrite(l->ac);
	return 1;
}

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
	if (l == NULL || !answered(l, r))
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
	if (l == NULL || !answered(l, r))
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

static void
users_read(struct cp_cluster *cl)
{
	char k[CL_KEY_MAX];
	const char *argv[2];

	if (!sharing(cl, TP_CLUSTER_SHARE_USERS))
		return;
	argv[0] = "HGETALL";
	argv[1] = k;
	key(k, sizeof(k), cl, "users", "", 0);
	if (!send_cmd(&cl->cmd, on_users, NULL, 2, argv))
		return;
	argv[0] = "SMEMBERS";
	key(k, sizeof(k), cl, "secrets", "", 0);
	send_cmd(&cl->cmd, on_secrets, NULL, 2, argv);
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

	if (l != NULL && answered(l, r)) {
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

		key(k, sizeof(k), cl, "secrets", "", 0);
		send_cmd(&cl->cmd, on_secrets, NULL, 2, argv);
	} else if (msg->len > 2 && msg->str[0] == 'u' && msg->str[1] == ' ' &&
		   msg->len - 2 <= CP_STORE_NAME_MAX && strlen(msg->str) == msg->len) {
		const char *argv[3] = { "HGET", k, msg->str + 2 };
		char *name = strdup(msg->str + 2);

		key(k, sizeof(k), cl, "users", "", 0);
		if (name == NULL || !send_cmd(&cl->cmd, on_user, name, 3, argv)) {
			free(name);
			cl->users_dirty = true;
		}
	} else {
		cl->st.bad_entries++;
	}
}

static void
subscribe(struct cp_cluster *cl)
{
	char k[CL_KEY_MAX];
	const char *argv[2] = { "SUBSCRIBE", k };
	size_t len[2];

	key(k, sizeof(k), cl, "events", "", 0);
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

static void
announce(struct cp_cluster *cl, const char *what, size_t len)
{
	char k[CL_KEY_MAX];
	const char *argv[3] = { "PUBLISH", k, what };
	size_t lens[3];

	key(k, sizeof(k), cl, "events", "", 0);
	lens[0] = 7;
	lens[1] = strlen(k);
	lens[2] = len;
	send_argv(&cl->cmd, NULL, NULL, 3, argv, lens);
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
	key(k, sizeof(k), cl, "users", "", 0);
	for (unsigned int i = 0; i < n; i++) {
		const char *argv[4] = { "HSET", k, u[i].name, v };

		cp_store_hex(u[i].md5, 16, v);
		if (u[i].has_sha256) {
			v[32] = ':';
			cp_store_hex(u[i].sha256, 32, v + 33);
		}
		if (!send_cmd(&cl->cmd, NULL, NULL, 4, argv)) {
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
	key(k, sizeof(k), cl, "users", "", 0);
	if (!send_cmd(&cl->cmd, NULL, NULL, 3, argv))
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
	key(k, sizeof(k), cl, "secrets", "", 0);
	if (!send_cmd(&cl->cmd, NULL, NULL, 3, argv))
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

static int
rs_psk_put(struct cp_store *s, const struct cp_store_psk *p)
{
	(void)p;
	snprintf(s->err, sizeof(s->err), "TLS PSK identities are not shared through the "
		 "cluster store yet (cp/cluster/FEATURE.md)");
	return -EOPNOTSUPP;
}

static int
rs_psk_del(struct cp_store *s, const char *id)
{
	return rs_psk_put(s, (const struct cp_store_psk *)(const void *)id);
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

/* ---- quotas across boxes -------------------------------------------------- */

static void
on_quota(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	uintptr_t tag = (uintptr_t)priv;
	struct cl_pending *p;
	struct cp_cluster *cl;
	int verdict = -1;

	if (l == NULL)
		return;
	cl = l->cl;
	if (answered(l, r) && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_INTEGER)
		verdict = r->element[0]->integer == 1;
	else if (r != NULL)
		cl->st.bad_entries++;
	p = &cl->pend[tag % CL_MAX_PENDING];
	if (p->gen != tag / CL_MAX_PENDING || p->state == 0)
		return;
	if (p->state == 2) {
		/* decided locally meanwhile: a lease taken for an Allocate
		 * that made nothing goes back now */
		p->state = 0;
		if (verdict == 1 && cp_alloc_find_tuple(cl->cp, &p->msg.h.tuple) == NULL) {
			char k[CL_KEY_MAX];
			const char *argv[3] = { "ZREM", k, p->member };

			key(k, sizeof(k), cl, "quota:", p->user, p->user_len);
			send_cmd(&cl->cmd, NULL, NULL, 3, argv);
		}
		return;
	}
	p->state = verdict == 1 ? 3 : verdict == 0 ? 4 : 5;   /* decided, see poll */
}

int
cp_cluster_quota(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg,
		 const char *user, size_t len)
{
	struct cp_cluster *cl = cp->cluster;
	char k[CL_KEY_MAX], now[24], until[24], limit[16], lease[16];
	const char *argv[9];
	struct cl_pending *p = NULL;
	unsigned int free_i = CL_MAX_PENDING;

	if (cl == NULL || !sharing(cl, TP_CLUSTER_SHARE_QUOTA) || cp->conf->cp.quota_user == 0)
		return CP_CLUSTER_ALLOW;
	if (cl->replay == msg) {
		cl->replay = NULL;
		if (cl->replay_verdict == 0) {
			cl->st.quota_refused++;
			return CP_CLUSTER_REFUSE;
		}
		return CP_CLUSTER_ALLOW;   /* granted, or local: the local count follows */
	}
	if (cl->cmd.state != CL_UP || len > TP_USERNAME_MAX) {
		cl->st.quota_local++;
		return CP_CLUSTER_ALLOW;
	}
	for (unsigned int i = 0; i < CL_MAX_PENDING; i++) {
		struct cl_pending *q = &cl->pend[i];

		if (q->state == 0) {
			if (free_i == CL_MAX_PENDING)
				free_i = i;
			continue;
		}
		/* a retransmission of an Allocate that waits: it is answered
		 * when the first is */
		if (q->worker == w && q->msg.h.body_len == msg->h.body_len &&
		    memcmp(&q->msg.h.tuple, &msg->h.tuple, sizeof(msg->h.tuple)) == 0 &&
		    memcmp(q->msg.body, msg->body, msg->h.body_len) == 0)
			return CP_CLUSTER_WAIT;
	}
	if (free_i == CL_MAX_PENDING) {
		cl->st.quota_local++;
		return CP_CLUSTER_ALLOW;
	}
	p = &cl->pend[free_i];
	p->gen = ++cl->pend_gen;
	p->worker = w;
	p->deadline_ms = cp->now_ms + CL_QUOTA_WAIT_MS;
	memcpy(&p->msg.h, &msg->h, sizeof(msg->h));
	memcpy(p->msg.body, msg->body, msg->h.body_len);
	memcpy(p->user, user, len);
	p->user[len] = '\0';
	p->user_len = (uint16_t)len;
	lease_member(cl, &msg->h.tuple, p->member, sizeof(p->member));
	key(k, sizeof(k), cl, "quota:", user, len);
	snprintf(now, sizeof(now), "%" PRIu64, cp->wall_ms);
	snprintf(until, sizeof(until), "%" PRIu64, cp->wall_ms + (uint64_t)cl->conf->lease_s * 1000u);
	snprintf(limit, sizeof(limit), "%u", cp->conf->cp.quota_user);
	snprintf(lease, sizeof(lease), "%u", cl->conf->lease_s * 1000u);
	argv[0] = "EVAL";
	argv[1] = QUOTA_TAKE;
	argv[2] = "1";
	argv[3] = k;
	argv[4] = now;
	argv[5] = until;
	argv[6] = limit;
	argv[7] = p->member;
	argv[8] = lease;
	{
		size_t lens[9];

		for (int i = 0; i < 9; i++)
			lens[i] = strlen(argv[i]);
		lens[3] = (size_t)key(k, sizeof(k), cl, "quota:", user, len);
		if (!send_argv(&cl->cmd, on_quota,
			       (void *)(uintptr_t)((uintptr_t)p->gen * CL_MAX_PENDING + free_i),
			       9, argv, lens)) {
			cl->st.quota_local++;
			return CP_CLUSTER_ALLOW;
		}
	}
	p->state = 1;
	return CP_CLUSTER_WAIT;
}

/* Allocates whose verdict came (or whose wait is over): handled again. */
static unsigned int
pending_step(struct cp_cluster *cl)
{
	struct cp_ctx *cp = cl->cp;
	unsigned int done = 0;

	for (unsigned int i = 0; i < CL_MAX_PENDING; i++) {
		struct cl_pending *p = &cl->pend[i];
		int v;

		if (p->state == 1 && cp->now_ms >= p->deadline_ms) {
			p->state = 2;            /* the answer may still come */
			v = -1;
		} else if (p->state >= 3) {
			v = p->state == 3 ? 1 : p->state == 4 ? 0 : -1;
			p->state = 0;
		} else {
			continue;
		}
		if (v < 0)
			cl->st.quota_local++;
		else if (v == 1)
			cl->st.quota_granted++;
		cl->replay = &p->msg;
		cl->replay_verdict = v;
		cp_handle(cp, p->worker, &p->msg);
		cl->replay = NULL;
		/* granted, but nothing made (refused for another reason, or a
		 * retransmission of one that exists): the lease goes back */
		if (v == 1 && cp_alloc_find_tuple(cp, &p->msg.h.tuple) == NULL) {
			char k[CL_KEY_MAX];
			const char *argv[3] = { "ZREM", k, p->member };
			size_t lens[3] = { 4, 0, strlen(p->member) };

			lens[1] = (size_t)key(k, sizeof(k), cl, "quota:", p->user, p->user_len);
			send_argv(&cl->cmd, NULL, NULL, 3, argv, lens);
		}
		done++;
	}
	return done;
}

/* ---- the registry and the leases of what lives here ---------------------- */

static void
alloc_publish(struct cp_cluster *cl, const struct cp_alloc *a)
{
	struct cp_ctx *cp = cl->cp;
	char k[CL_KEY_MAX], id[24], buf[80], member[CL_MEMBER_MAX], until[24], lease[16];
	struct json_object *o, *rel;
	const char *js;

	snprintf(lease, sizeof(lease), "%u", cl->conf->lease_s * 1000u);
	if (sharing(cl, TP_CLUSTER_SHARE_QUOTA) && cp->conf->cp.quota_user != 0) {
		const char *argv[4] = { "ZADD", k, until, member };
		size_t lens[4] = { 4, 0, 0, 0 };
		const char *ev[3] = { "PEXPIRE", k, lease };
		size_t evl[3] = { 7, 0, strlen(lease) };

		lens[1] = evl[1] = (size_t)key(k, sizeof(k), cl, "quota:", a->user->name,
					       a->user->len);
		snprintf(until, sizeof(until), "%" PRIu64,
			 cp->wall_ms + (uint64_t)cl->conf->lease_s * 1000u);
		lease_member(cl, &a->tuple, member, sizeof(member));
		lens[2] = strlen(until);
		lens[3] = strlen(member);
		send_argv(&cl->cmd, NULL, NULL, 4, argv, lens);
		send_argv(&cl->cmd, NULL, NULL, 3, ev, evl);
	}
	if (!sharing(cl, TP_CLUSTER_SHARE_REGISTRY))
		return;
	o = json_object_new_object();
	rel = json_object_new_array();
	json_object_object_add(o, "user", json_object_new_string_len(a->user->name,
								     a->user->len));
	ipc_addr_str(&a->tuple.client, buf, sizeof(buf));
	json_object_object_add(o, "client", json_object_new_string(buf));
	json_object_object_add(o, "transport",
			       json_object_new_string(a->tuple.transport == 6 ? "TCP" : "UDP"));
	for (unsigned int i = 0; i < a->nrelayed && i < 2; i++) {
		ipc_addr_str(&a->relayed[i], buf, sizeof(buf));
		json_object_array_add(rel, json_object_new_string(buf));
	}
	json_object_object_add(o, "relayed", rel);
	json_object_object_add(o, "expires", json_object_new_int64(
		(int64_t)((a->expires_ms > cp->now_ms ? a->expires_ms - cp->now_ms : 0) +
			  cp->wall_ms) / 1000));
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	snprintf(id, sizeof(id), "%" PRIu64, a->id);
	{
		const char *argv[4] = { "HSET", k, id, js };
		size_t lens[4] = { 4, 0, strlen(id), strlen(js) };
		const char *ev[3] = { "PEXPIRE", k, lease };
		size_t evl[3] = { 7, 0, strlen(lease) };

		lens[1] = evl[1] = (size_t)key(k, sizeof(k), cl, "allocs:", cl->conf->box,
					       strlen(cl->conf->box));
		send_argv(&cl->cmd, NULL, NULL, 4, argv, lens);
		send_argv(&cl->cmd, NULL, NULL, 3, ev, evl);
	}
	json_object_put(o);
}

void
cp_cluster_alloc_up(struct cp_ctx *cp, const struct cp_alloc *a)
{
	if (cp->cluster != NULL && cp->cluster->cmd.state == CL_UP)
		alloc_publish(cp->cluster, a);
}

void
cp_cluster_alloc_gone(struct cp_ctx *cp, const struct cp_alloc *a)
{
	struct cp_cluster *cl = cp->cluster;
	char k[CL_KEY_MAX], member[CL_MEMBER_MAX], id[24];

	if (cl == NULL || cl->cmd.state != CL_UP)
		return;   /* the leases end by themselves */
	if (sharing(cl, TP_CLUSTER_SHARE_QUOTA) && cp->conf->cp.quota_user != 0) {
		const char *argv[3] = { "ZREM", k, member };
		size_t lens[3] = { 4, 0, 0 };

		lens[1] = (size_t)key(k, sizeof(k), cl, "quota:", a->user->name, a->user->len);
		lease_member(cl, &a->tuple, member, sizeof(member));
		lens[2] = strlen(member);
		send_argv(&cl->cmd, NULL, NULL, 3, argv, lens);
	}
	if (sharing(cl, TP_CLUSTER_SHARE_REGISTRY)) {
		const char *argv[3] = { "HDEL", k, id };

		key(k, sizeof(k), cl, "allocs:", cl->conf->box, strlen(cl->conf->box));
		snprintf(id, sizeof(id), "%" PRIu64, a->id);
		send_cmd(&cl->cmd, NULL, NULL, 3, argv);
	}
}

/* Renew every lease and registry entry of this box, a slice a turn:
 * after Redis came back empty, they are all there again within a pass. */
static unsigned int
sweep_step(struct cp_cluster *cl)
{
	struct cp_ctx *cp = cl->cp;
	unsigned int n = 0;
	struct cp_alloc *a;

	if (!cl->sweeping || cl->cmd.state != CL_UP)
		return 0;
	while (n < CL_SWEEP_SLICE && (a = cp_alloc_next(cp, &cl->sweep_cur)) != NULL) {
		alloc_publish(cl, a);
		n++;
	}
	if (n < CL_SWEEP_SLICE)
		cl->sweeping = false;
	return n;
}

/* ---- load, drain and where new clients go -------------------------------- */

static void
on_publish(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	struct cp_cluster *cl;
	bool ok;

	(void)priv;
	if (l == NULL || !answered(l, r))
		return;
	cl = l->cl;
	ok = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
	if (!ok && cl->name_ok != ok)
		tp_log(TP_LOG_ERR, "cluster: box name '%s' is held by another box (owner "
		       "differs from '%s'): this box does not publish its load until it "
		       "is free; give each box its own cluster.box", cl->conf->box, cl->owner);
	if (!ok)
		cl->st.name_conflicts++;
	cl->name_ok = ok;
}

static void
load_publish(struct cp_cluster *cl)
{
	struct cp_ctx *cp = cl->cp;
	char kb[CL_KEY_MAX], ks[CL_KEY_MAX], ttl[16], allocs[16], cap[16];
	const char *argv[32];
	int n = 0;

	snprintf(ttl, sizeof(ttl), "%u", CL_BOX_TTL_MS);
	snprintf(allocs, sizeof(allocs), "%u", cp->nallocs);
	snprintf(cap, sizeof(cap), "%u", cp->max_allocs);
	key(kb, sizeof(kb), cl, "box:", cl->conf->box, strlen(cl->conf->box));
	key(ks, sizeof(ks), cl, "boxes", "", 0);
	argv[n++] = "EVAL";
	argv[n++] = BOX_PUBLISH;
	argv[n++] = "2";
	argv[n++] = kb;
	argv[n++] = ks;
	argv[n++] = cl->owner;
	argv[n++] = ttl;
	argv[n++] = cl->conf->box;
	argv[n++] = "allocs";
	argv[n++] = allocs;
	argv[n++] = "capacity";
	argv[n++] = cap;
	argv[n++] = "draining";
	argv[n++] = cp->draining ? "1" : "0";
	for (unsigned int i = 0; i < cl->conf->naddress; i++) {
		argv[n++] = tp_conf_hostport_family(cl->conf->address[i]) == 4 ? "v4" : "v6";
		argv[n++] = cl->conf->address[i];
	}
	send_cmd(&cl->cmd, on_publish, NULL, n, argv);
}

/* Where new clients go when this box is full (unless cp.alternates says)
 * or drains (unless the drain named alternates): the least loaded live box
 * of each family. */
static void
alternates_apply(struct cp_cluster *cl)
{
	struct cp_ctx *cp = cl->cp;
	struct stun_addr alt[2];
	unsigned int n = 0;

	for (int f = 4; f <= 6; f += 2) {
		const struct cl_box *b = cl_pick_box(cl->boxes, cl->nboxes, cl->conf->box, f);

		if (b != NULL)
			alt[n++] = f == 4 ? b->v4 : b->v6;
	}
	if (cp->conf->cp.nalternates == 0) {
		memcpy(cp->full_alt, alt, n * sizeof(alt[0]));
		cp->nfull_alt = n;
	}
	if (cp->draining && cp->drain_auto) {
		memcpy(cp->drain_alt, alt, n * sizeof(alt[0]));
		cp->ndrain_alt = n;
	}
}

void
cp_cluster_drain_changed(struct cp_ctx *cp)
{
	if (cp->cluster != NULL) {
		alternates_apply(cp->cluster);
		cp->cluster->next_publish_ms = 0;   /* the others learn it now */
	}
}

static void
on_boxes(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	struct cp_cluster *cl;
	unsigned int n = 0;

	(void)priv;
	if (l == NULL || !answered(l, r))
		return;
	cl = l->cl;
	if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
		cl->st.bad_entries++;
		return;
	}
	for (size_t i = 0; i + 1 < r->elements && n < CL_MAX_BOXES; i += 2) {
		const redisReply *name = r->element[i], *h = r->element[i + 1];
		const char *kv[32];
		size_t kvl[32], m = 0;
		bool ok = name->type == REDIS_REPLY_STRING && h->type == REDIS_REPLY_ARRAY &&
			  h->elements <= 32;

		for (size_t j = 0; ok && j < h->elements; j++) {
			if (h->element[j]->type != REDIS_REPLY_STRING) {
				ok = false;
				break;
			}
			kv[m] = h->element[j]->str;
			kvl[m++] = h->element[j]->len;
		}
		if (!ok || cl_parse_box(name->str, name->len, kv, kvl, m, &cl->boxes[n]) < 0) {
			cl->st.bad_entries++;
			continue;
		}
		n++;
	}
	cl->nboxes = n;
	cl->boxes_ms = cl->cp->now_ms;
	alternates_apply(cl);
}

static void
boxes_read(struct cp_cluster *cl)
{
	char ks[CL_KEY_MAX], pre[CL_KEY_MAX];
	const char *argv[5] = { "EVAL", BOX_READ, "1", ks, pre };

	key(ks, sizeof(ks), cl, "boxes", "", 0);
	key(pre, sizeof(pre), cl, "box:", "", 0);
	send_cmd(&cl->cmd, on_boxes, NULL, 5, argv);
}

/* ---- Sentinel: where the master is ---------------------------------------- */

static void
on_master(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	struct cp_cluster *cl;
	uint32_t port;
	char hp[80];

	(void)priv;
	if (l == NULL || !answered(l, r))
		return;
	cl = l->cl;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_STRING && r->element[0]->len < 48 &&
	    cl_parse_u32(r->element[1]->str, r->element[1]->len, &port) == 0 &&
	    port > 0 && port < 65536) {
		snprintf(hp, sizeof(hp), strchr(r->element[0]->str, ':') ? "[%s]:%u" : "%s:%u",
			 r->element[0]->str, port);
		if (tp_conf_hostport_family(hp) != 0) {
			snprintf(cl->host, sizeof(cl->host), "%s", r->element[0]->str);
			cl->port = (uint16_t)port;
			cl->have_target = true;
			tp_log(TP_LOG_NOTICE, "cluster: sentinel says master '%s' is %s",
			       cl->conf->master, hp);
			return;
		}
	}
	cl->st.bad_entries++;
	cl->sentinel_i++;
}

static void
hostport_split(const char *s, char *host, size_t size, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	size_t hl = (size_t)(colon - s);

	if (s[0] == '[') {
		s++;
		hl -= 2;
	}
	if (hl >= size)
		hl = size - 1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port = (uint16_t)atoi(colon + 1);
}

/* With Sentinel and no master known: ask the next sentinel. */
static void
sentinel_step(struct cp_cluster *cl)
{
	struct cl_link *l = &cl->sentinel;
	char host[64];
	uint16_t port;

	if (cl->have_target) {
		if (l->ac != NULL)
			link_close(l);
		return;
	}
	if (l->state == CL_DOWN && l->ac == NULL && cl->cp->now_ms >= l->retry_ms) {
		const char *s = cl->conf->sentinels[cl->sentinel_i % cl->conf->nsentinels];

		hostport_split(s, host, sizeof(host), &port);
		link_open(l, host, port);
	} else if (l->state == CL_UP && l->inflight == 0) {
		const char *argv[3] = { "SENTINEL", "get-master-addr-by-name",
					cl->conf->master };

		send_cmd(l, on_master, NULL, 3, argv);
	}
}

/* ---- the turn ------------------------------------------------------------- */

static void
link_watch(struct cp_cluster *cl, struct cl_link *l)
{
	/* no answer for too long: that Redis is away */
	if (l->ac != NULL && (l->inflight > 0 || l->state == CL_CONNECTING) &&
	    cl->cp->now_ms - l->progress_ms > CL_REPLY_TIMEOUT_MS) {
		bool was_up = l->state == CL_UP;

		link_close(l);
		l->state = was_up ? CL_UP : CL_CONNECTING;   /* so link_down says so */
		link_down(l, "no answer in 3 s");
		l->state = CL_DOWN;
	}
}

unsigned int
cp_cluster_poll(struct cp_ctx *cp)
{
	struct cp_cluster *cl = cp->cluster;
	unsigned int work = 0;
	bool was_up;

	if (cl == NULL)
		return 0;
	if (cl->conf->nsentinels > 0) {
		sentinel_step(cl);
		work += link_poll(&cl->sentinel);
		link_watch(cl, &cl->sentinel);
	}
	if (cl->have_target) {
		if (cl->cmd.state == CL_DOWN && cl->cmd.ac == NULL && cp->now_ms >= cl->cmd.retry_ms)
			link_open(&cl->cmd, cl->host, cl->port);
		if (sharing(cl, TP_CLUSTER_SHARE_USERS) && cl->sub.state == CL_DOWN &&
		    cl->sub.ac == NULL && cp->now_ms >= cl->sub.retry_ms)
			link_open(&cl->sub, cl->host, cl->port);
	}
	was_up = cl->cmd.state == CL_UP;
	work += link_poll(&cl->cmd);
	work += link_poll(&cl->sub);
	link_watch(cl, &cl->cmd);
	link_watch(cl, &cl->sub);
	if (cl->sub.state == CL_UP && !cl->sub.subscribed && cl->sub.inflight == 0) {
		subscribe(cl);
		cl->sub.inflight = 1;    /* until "subscribe" comes: not again */
	}
	if (cl->sub.subscribed)
		cl->sub.inflight = 0;
	if (cl->cmd.state == CL_UP) {
		if (!was_up || cl->next_sweep_ms == 0) {
			/* (back) up: everything of ours is written again */
			cl->sweeping = true;
			cl->sweep_cur = 0;
			cl->next_sweep_ms = cp->now_ms + cl->conf->lease_s * 1000u / 3u;
			cl->next_publish_ms = 0;
		}
		if (cl->users_dirty && (cl->sub.subscribed || !sharing(cl, TP_CLUSTER_SHARE_USERS)))
			users_read(cl);
		if (cp->now_ms >= cl->next_publish_ms) {
			cl->next_publish_ms = cp->now_ms + CL_PUBLISH_MS;
			if (sharing(cl, TP_CLUSTER_SHARE_LOAD)) {
				load_publish(cl);
				boxes_read(cl);
			}
		}
		if (cp->now_ms >= cl->next_sweep_ms) {
			cl->next_sweep_ms = cp->now_ms + cl->conf->lease_s * 1000u / 3u;
			if (!cl->sweeping) {
				cl->sweeping = true;
				cl->sweep_cur = 0;
			}
		}
		work += sweep_step(cl);
	} else if (cl->nboxes > 0 && cp->now_ms - cl->boxes_ms > CL_BOX_TTL_MS) {
		/* what we knew of the others is too old to send clients by */
		cl->nboxes = 0;
		alternates_apply(cl);
	}
	work += pending_step(cl);
	return work;
}

/* ---- start, stop, status -------------------------------------------------- */

int
cp_cluster_init(struct cp_ctx *cp)
{
	const struct tp_conf_cluster *k = &cp->conf->cluster;
	struct cp_cluster *cl;
	char host[64];

	if (!k->enabled)
		return 0;
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		return -ENOMEM;
	cl->cp = cp;
	cl->conf = k;
	snprintf(cl->ns, sizeof(cl->ns), "%s", k->ns);
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	/* a restarted cp of this box is the same owner; another box is not */
	snprintf(cl->owner, sizeof(cl->owner), "%s:%s", host, cp->conf->turn.ipc);
	cl->cmd.name = "redis";
	cl->sub.name = "pubsub";
	cl->sub.sub = true;
	cl->sentinel.name = "sentinel";
	cl->cmd.cl = cl->sub.cl = cl->sentinel.cl = cl;
	cl->cmd.backoff_ms = cl->sub.backoff_ms = cl->sentinel.backoff_ms = CL_BACKOFF_MIN_MS;
	if (k->nredis > 0) {
		hostport_split(k->redis[0], cl->host, sizeof(cl->host), &cl->port);
		cl->have_target = true;
	}
	cl->users_dirty = true;
	cp->cluster = cl;
	tp_log(TP_LOG_INFO, "cluster: box '%s', namespace '%s', %s %s", k->box, cl->ns,
	       k->nredis > 0 ? "redis" : "sentinels",
	       k->nredis > 0 ? k->redis[0] : k->sentinels[0]);
	return 0;
}

void
cp_cluster_fini(struct cp_ctx *cp)
{
	struct cp_cluster *cl = cp->cluster;

	if (cl == NULL)
		return;
	link_close(&cl->cmd);
	link_close(&cl->sub);
	link_close(&cl->sentinel);
	free(cl);
	cp->cluster = NULL;
}

struct json_object *
cp_cluster_json(const struct cp_ctx *cp)
{
	const struct cp_cluster *cl = cp->cluster;
	struct json_object *o, *boxes;
	char buf[80];

	if (cl == NULL)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "box", json_object_new_string(cl->conf->box));
	json_object_object_add(o, "namespace", json_object_new_string(cl->ns));
	snprintf(buf, sizeof(buf), strchr(cl->host, ':') ? "[%s]:%u" : "%s:%u", cl->host,
		 cl->port);
	json_object_object_add(o, "redis", json_object_new_string(buf));
	json_object_object_add(o, "connected", json_object_new_boolean(cl->cmd.state == CL_UP));
	json_object_object_add(o, "subscribed", json_object_new_boolean(cl->sub.subscribed));
	json_object_object_add(o, "name_held", json_object_new_boolean(cl->name_ok));
#define N(f) json_object_object_add(o, #f, json_object_new_int64((int64_t)cl->st.f))
	N(connects);
	N(disconnects);
	N(quota_local);
	N(quota_refused);
	N(quota_granted);
	N(events);
	N(bad_entries);
	N(user_syncs);
	N(name_conflicts);
	N(write_refused);
#undef N
	boxes = json_object_new_array();
	for (unsigned int i = 0; i < cl->nboxes; i++) {
		const struct cl_box *b = &cl->boxes[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "name", json_object_new_string(b->name));
		json_object_object_add(e, "allocations", json_object_new_int64(b->allocs));
		json_object_object_add(e, "capacity", json_object_new_int64(b->capacity));
		json_object_object_add(e, "draining", json_object_new_boolean(b->draining));
		json_object_array_add(boxes, e);
	}
	json_object_object_add(o, "boxes", boxes);
	return o;
}
