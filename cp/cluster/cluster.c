/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: what goes over the links (cluster_link.c) besides users
 * (cluster_users.c): quota leases, the registry of allocations, this
 * box's load and the others', and the loop's turn (cp_cluster_poll()).
 * cluster_types.h has the keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "../cp.h"
#include "../cp_module.h"
#include "cluster.h"
#include "cluster_internal.h"
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

int
cl_key(char *out, size_t size, const struct cp_cluster *cl, const char *what,
    const char *name, size_t nlen)
{
	return cl_tkey(out, size, cl->ns, NULL, what, name, nlen);
}

/* The same for tenant t (lib/conf's index; 0: cl_key()'s, the default
 * tenant's keys as they were before tenants). */
int
cl_key_in(char *out, size_t size, const struct cp_cluster *cl, unsigned int t,
	  const char *what, const char *name, size_t nlen)
{
	const struct tp_conf *c = cl->cp->conf;

	return cl_tkey(out, size, cl->ns, t == 0 || t > c->tenants.n ? NULL :
		       c->tenants.t[t - 1].name, what, name, nlen);
}

/* A tenant's quota per user (0: none) */
static uint32_t
quota_user_of(const struct cp_ctx *cp, unsigned int t)
{
	return t == 0 || t > cp->conf->tenants.n ? cp->conf->cp.quota_user :
	       cp->conf->tenants.t[t - 1].quota_user;
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
	if (cl_answered(l, r) && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
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
			size_t lens[3] = { 4, 0, strlen(p->member) };

			/* (a username may hold any byte: lengths, not strlen) */
			lens[1] = (size_t)cl_key_in(k, sizeof(k), cl, p->tenant, "quota:", p->user,
						   p->user_len);
			cl_send_argv(&cl->cmd, NULL, NULL, 3, argv, lens);
		}
		return;
	}
	p->state = verdict == 1 ? 3 : verdict == 0 ? 4 : 5;   /* decided, see poll */
}

/* cp/alloc's quota decider (cp_alloc_quota_hook()): RFC 8656 §7.2 step 10
 * across boxes. ALLOW unless this user's tenant has a quota_user and
 * Redis counts; WAIT while Redis is asked (the Allocate is held, at most
 * CL_QUOTA_WAIT_MS, and handed to cp_handle() again by pending_step());
 * then its verdict, or the local count's. */
static int
quota_decide(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg,
	     unsigned int tenant, const char *user, size_t len, void *arg)
{
	struct cp_cluster *cl = cp->cluster;
	char k[CL_KEY_MAX], now[24], until[24], limit[16], lease[16];
	const char *argv[9];
	struct cl_pending *p = NULL;
	unsigned int free_i = CL_MAX_PENDING;

	(void)arg;
	if (cl == NULL || !cl_sharing(cl, TP_CLUSTER_SHARE_QUOTA) ||
	    quota_user_of(cp, tenant) == 0)
		return CP_ALLOC_QUOTA_ALLOW;
	if (cl->replay == msg) {
		cl->replay = NULL;
		if (cl->replay_verdict == 0) {
			cl->st.quota_refused++;
			return CP_ALLOC_QUOTA_REFUSE;
		}
		return CP_ALLOC_QUOTA_ALLOW;   /* granted, or local: the local count follows */
	}
	if (cl->cmd.state != CL_UP || len > TP_USERNAME_MAX) {
		cl->st.quota_local++;
		return CP_ALLOC_QUOTA_ALLOW;
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
			return CP_ALLOC_QUOTA_WAIT;
	}
	if (free_i == CL_MAX_PENDING) {
		cl->st.quota_local++;
		return CP_ALLOC_QUOTA_ALLOW;
	}
	p = &cl->pend[free_i];
	p->gen = ++cl->pend_gen;
	p->link_gen = cl->cmd.conn_gen;
	p->worker = w;
	p->deadline_ms = cp->now_ms + CL_QUOTA_WAIT_MS;
	memcpy(&p->msg.h, &msg->h, sizeof(msg->h));
	memcpy(p->msg.body, msg->body, msg->h.body_len);
	memcpy(p->user, user, len);
	p->user[len] = '\0';
	p->user_len = (uint16_t)len;
	p->tenant = (uint8_t)tenant;
	lease_member(cl, &msg->h.tuple, p->member, sizeof(p->member));
	snprintf(now, sizeof(now), "%" PRIu64, cp->wall_ms);
	snprintf(until, sizeof(until), "%" PRIu64, cp->wall_ms + (uint64_t)cl->conf->lease_s * 1000u);
	snprintf(limit, sizeof(limit), "%u", quota_user_of(cp, tenant));
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
		lens[3] = (size_t)cl_key_in(k, sizeof(k), cl, tenant, "quota:", user, len);
		if (!cl_send_argv(&cl->cmd, on_quota,
			       (void *)(uintptr_t)((uintptr_t)p->gen * CL_MAX_PENDING + free_i),
			       9, argv, lens)) {
			cl->st.quota_local++;
			return CP_ALLOC_QUOTA_ALLOW;
		}
	}
	p->state = 1;
	cl->nwaiting++;
	return CP_ALLOC_QUOTA_WAIT;
}

/* Allocates whose verdict came (or whose wait is over): handled again.
 * A slot whose answer can no longer come is freed (quota_lost): its
 * EVAL went out on a context cl_link_close() freed without calling its
 * callbacks (the watchdog's drop: conn_gen moved), or it is older than
 * its wait and the watchdog's 3 s (a link that late is dropped). Left
 * taken, CL_MAX_PENDING of them had every later Allocate decided on the
 * local count. An answer that comes after all finds the slot free or
 * another's (gen) and is ignored; a lease it took ends with
 * cluster.lease. */
static unsigned int
pending_step(struct cp_cluster *cl)
{
	struct cp_ctx *cp = cl->cp;
	unsigned int done = 0;

	for (unsigned int i = 0; i < CL_MAX_PENDING; i++) {
		struct cl_pending *p = &cl->pend[i];
		bool lost = (p->state == 1 || p->state == 2) &&
			    (p->link_gen != cl->cmd.conn_gen ||
			     cp->now_ms >= p->deadline_ms + CL_REPLY_TIMEOUT_MS);
		int v;

		if (p->state == 2) {
			if (lost) {
				p->state = 0;
				cl->st.quota_lost++;
			}
			continue;
		}
		if (p->state == 1 && (lost || cp->now_ms >= p->deadline_ms)) {
			/* decided on the local count; the answer may still
			 * come (2) unless it cannot */
			p->state = lost ? 0 : 2;
			if (lost)
				cl->st.quota_lost++;
			cl->nwaiting--;
			v = -1;
		} else if (p->state >= 3) {
			v = p->state == 3 ? 1 : p->state == 4 ? 0 : -1;
			p->state = 0;
			cl->nwaiting--;
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

			lens[1] = (size_t)cl_key_in(k, sizeof(k), cl, p->tenant, "quota:", p->user,
						   p->user_len);
			cl_send_argv(&cl->cmd, NULL, NULL, 3, argv, lens);
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
	if (cl_sharing(cl, TP_CLUSTER_SHARE_QUOTA) && quota_user_of(cp, a->tenant) != 0) {
		const char *argv[4] = { "ZADD", k, until, member };
		size_t lens[4] = { 4, 0, 0, 0 };
		const char *ev[3] = { "PEXPIRE", k, lease };
		size_t evl[3] = { 7, 0, strlen(lease) };

		lens[1] = evl[1] = (size_t)cl_key_in(k, sizeof(k), cl, a->tenant, "quota:",
						  a->user->name, a->user->len);
		snprintf(until, sizeof(until), "%" PRIu64,
			 cp->wall_ms + (uint64_t)cl->conf->lease_s * 1000u);
		lease_member(cl, &a->tuple, member, sizeof(member));
		lens[2] = strlen(until);
		lens[3] = strlen(member);
		cl_send_argv(&cl->cmd, NULL, NULL, 4, argv, lens);
		cl_send_argv(&cl->cmd, NULL, NULL, 3, ev, evl);
	}
	if (!cl_sharing(cl, TP_CLUSTER_SHARE_REGISTRY))
		return;
	o = json_object_new_object();
	rel = json_object_new_array();
	json_object_object_add(o, "user", json_object_new_string_len(a->user->name,
								     a->user->len));
	/* (named for a tenant's only: an entry without is the default's, as
	 * every entry was before tenants) */
	if (a->tenant != 0)
		json_object_object_add(o, "tenant", json_object_new_string(
			tp_conf_tenant_name(cp->conf, a->tenant)));
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

		lens[1] = evl[1] = (size_t)cl_key(k, sizeof(k), cl, "allocs:", cl->conf->box,
					       strlen(cl->conf->box));
		cl_send_argv(&cl->cmd, NULL, NULL, 4, argv, lens);
		cl_send_argv(&cl->cmd, NULL, NULL, 3, ev, evl);
	}
	json_object_put(o);
}

/* An allocation went live (dp told to install it), or has a new lifetime. */
static void
alloc_up(struct cp_ctx *cp, const struct cp_alloc *a)
{
	if (cp->cluster != NULL && cp->cluster->cmd.state == CL_UP)
		alloc_publish(cp->cluster, a);
}

/* An allocation is gone: its lease and registry entry with it. */
static void
alloc_gone(struct cp_ctx *cp, const struct cp_alloc *a)
{
	struct cp_cluster *cl = cp->cluster;
	char k[CL_KEY_MAX], member[CL_MEMBER_MAX], id[24];

	if (cl == NULL || cl->cmd.state != CL_UP)
		return;   /* the leases end by themselves */
	if (cl_sharing(cl, TP_CLUSTER_SHARE_QUOTA) && quota_user_of(cp, a->tenant) != 0) {
		const char *argv[3] = { "ZREM", k, member };
		size_t lens[3] = { 4, 0, 0 };

		lens[1] = (size_t)cl_key_in(k, sizeof(k), cl, a->tenant, "quota:", a->user->name,
					    a->user->len);
		lease_member(cl, &a->tuple, member, sizeof(member));
		lens[2] = strlen(member);
		cl_send_argv(&cl->cmd, NULL, NULL, 3, argv, lens);
	}
	if (cl_sharing(cl, TP_CLUSTER_SHARE_REGISTRY)) {
		const char *argv[3] = { "HDEL", k, id };

		cl_key(k, sizeof(k), cl, "allocs:", cl->conf->box, strlen(cl->conf->box));
		snprintf(id, sizeof(id), "%" PRIu64, a->id);
		cl_send_cmd(&cl->cmd, NULL, NULL, 3, argv);
	}
	/* On the wire now, before the client is answered (a Refresh with
	 * LIFETIME 0 answers after this): a client that frees here and
	 * allocates on another box at once is counted there without this
	 * lease. Left to the loop's next look (up to a 2 ms doze later),
	 * the ZREM can reach Redis after the other box's count: 486 there
	 * (test_cluster, beside a CPU hog, catches it). */
	cl_link_flush(&cl->cmd);
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
	if (l == NULL || !cl_answered(l, r))
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

	/* A box whose dp is not running (or whose cp does not serve yet)
	 * is not one to send clients to: its entry lapses in CL_BOX_TTL_MS. */
	if (!cp->ready || !ipc_dp_running(cp->seg.shm, ipc_monotonic_ms()))
		return;
	snprintf(ttl, sizeof(ttl), "%u", CL_BOX_TTL_MS);
	snprintf(allocs, sizeof(allocs), "%u", cp_alloc_count(cp));
	snprintf(cap, sizeof(cap), "%u", cp_alloc_capacity(cp));
	cl_key(kb, sizeof(kb), cl, "box:", cl->conf->box, strlen(cl->conf->box));
	cl_key(ks, sizeof(ks), cl, "boxes", "", 0);
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
	cl_send_cmd(&cl->cmd, on_publish, NULL, n, argv);
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

/* The drain began or ended: a drain that names no alternates sends its
 * new clients to the least loaded live box, kept current; the others
 * learn of it now. */
static void
drain_changed(struct cp_ctx *cp)
{
	if (cp->cluster != NULL) {
		cp->drain_auto = cp->draining && cp->ndrain_alt == 0;
		alternates_apply(cp->cluster);
		cp->cluster->next_publish_ms = 0;
	}
}

/* cp/alloc's observer (cp_alloc_observe()): what lives here, in the
 * registry and the quota leases; the drain. */
static void
alloc_event(struct cp_ctx *cp, struct cp_alloc_ev *ev, void *arg)
{
	(void)arg;
	switch (ev->type) {
	case CP_ALLOC_EV_UP:
	case CP_ALLOC_EV_LIFE:
		alloc_up(cp, ev->a);
		break;
	case CP_ALLOC_EV_GONE:
		alloc_gone(cp, ev->a);
		break;
	case CP_ALLOC_EV_DRAIN:
		drain_changed(cp);
		break;
	default:
		break;
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
	if (l == NULL || !cl_answered(l, r))
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

	cl_key(ks, sizeof(ks), cl, "boxes", "", 0);
	cl_key(pre, sizeof(pre), cl, "box:", "", 0);
	cl_send_cmd(&cl->cmd, on_boxes, NULL, 5, argv);
}

/* ---- the turn ------------------------------------------------------------- */

bool
cp_cluster_waiting(const struct cp_ctx *cp)
{
	return cp->cluster != NULL && cp->cluster->nwaiting > 0;
}

void
cp_cluster_nap(struct cp_ctx *cp, unsigned int us)
{
	struct cp_cluster *cl = cp->cluster;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000L };
	struct pollfd pfd;

	if (cl == NULL || cl->cmd.ac == NULL)
		return;
	pfd.fd = cl->cmd.ac->c.fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	ppoll(&pfd, 1, &ts, NULL);
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
		cl_sentinel_step(cl);
		work += cl_link_poll(&cl->sentinel);
		cl_link_watch(cl, &cl->sentinel);
	}
	if (cl->have_target) {
		if (cl->cmd.state == CL_DOWN && cl->cmd.ac == NULL && cp->now_ms >= cl->cmd.retry_ms)
			cl_link_open(&cl->cmd, cl->host, cl->port);
		if (cl_sharing(cl, TP_CLUSTER_SHARE_USERS) && cl->sub.state == CL_DOWN &&
		    cl->sub.ac == NULL && cp->now_ms >= cl->sub.retry_ms)
			cl_link_open(&cl->sub, cl->host, cl->port);
	}
	was_up = cl->cmd.state == CL_UP;
	work += cl_link_poll(&cl->cmd);
	work += cl_link_poll(&cl->sub);
	cl_link_watch(cl, &cl->cmd);
	cl_link_watch(cl, &cl->sub);
	if (cl->sub.state == CL_UP && !cl->sub.subscribed && cl->sub.inflight == 0) {
		cl_subscribe(cl);
		cl->sub.inflight = 1;    /* until "subscribe" comes: not again */
	}
	if (cl->sub.subscribed)
		cl->sub.inflight = 0;
	if (cl->cmd.state == CL_UP) {
		if (!was_up || cl->next_sweep_ms == 0) {
			/* (back) up: everything of ours is written again,
			 * over a registry hash emptied first: what ended
			 * while Redis or this cp was away is not left in it
			 * (the link keeps the order: DEL, then the sweep) */
			if (cl_sharing(cl, TP_CLUSTER_SHARE_REGISTRY)) {
				char k[CL_KEY_MAX];
				const char *argv[2] = { "DEL", k };

				cl_key(k, sizeof(k), cl, "allocs:", cl->conf->box,
				       strlen(cl->conf->box));
				cl_send_cmd(&cl->cmd, NULL, NULL, 2, argv);
			}
			/* events heard while commands could not go out */
			cl->users_dirty = true;
			cl->sweeping = true;
			cl->sweep_cur = 0;
			cl->next_sweep_ms = cp->now_ms + cl->conf->lease_s * 1000u / 3u;
			cl->next_publish_ms = 0;
		}
		if (cl->users_dirty && (cl->sub.subscribed || !cl_sharing(cl, TP_CLUSTER_SHARE_USERS)))
			cl_users_read(cl);
		if (cp->now_ms >= cl->next_publish_ms) {
			cl->next_publish_ms = cp->now_ms + CL_PUBLISH_MS;
			if (cl_sharing(cl, TP_CLUSTER_SHARE_LOAD)) {
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

/* The user store on the cluster's links (cluster_users.c), for cp/store. */
static struct cp_store *
store_open(void *arg)
{
	return cp_store_redis_open(arg);
}

int
cp_cluster_init(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_cluster *k = &cp->conf->cluster;
	struct cp_cluster *cl;
	char host[64];
	uid_t owner;
	int rc;

	if (!k->enabled)
		return 0;
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL) {
		snprintf(err, errlen, "no memory for the cluster");
		return -ENOMEM;
	}
	cl->cp = cp;
	cl->conf = k;
	snprintf(cl->ns, sizeof(cl->ns), "%s", k->ns);
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	/* a restarted cp of this box is the same owner; another box is not */
	snprintf(cl->owner, sizeof(cl->owner), "%s:%s", host, cp->conf->ipc.name);
	cl->cmd.name = "redis";
	cl->sub.name = "pubsub";
	cl->sub.sub = true;
	cl->sentinel.name = "sentinel";
	cl->cmd.cl = cl->sub.cl = cl->sentinel.cl = cl;
	/* the lease's scripts go on the command link: with an ha group its
	 * Redis must be back on both boxes within a lease of its return */
	cl_link_limits(&cl->cmd, cp->conf->ha.enabled ? cp->conf->ha.lease_ms : 0);
	cl_link_limits(&cl->sub, 0);
	cl_link_limits(&cl->sentinel, 0);
	if (k->nredis > 0) {
		cl_hostport_split(k->redis[0], cl->host, sizeof(cl->host), &cl->port);
		cl->have_target = true;
	}
	/* the secrets' owner: root, or the user cp runs as (cp.user's,
	 * resolved here too: cp reads the files before it becomes that user) */
	owner = geteuid();
	if ((k->password_file[0] != '\0' || k->sentinel_password_file[0] != '\0') &&
	    cp->conf->cp.user[0] != '\0') {
		if (tp_conf_resolve_user(cp->conf, cl->err, sizeof(cl->err)) < 0) {
			snprintf(err, errlen, "%s", cl->err);
			free(cl);
			return -EINVAL;
		}
		owner = (uid_t)cp->conf->cp.user_uid;
	}
	if (k->password_file[0] != '\0' &&
	    cl_read_secret(k->password_file, owner, cl->pass,
			   &cl->pass_len, cl->err, sizeof(cl->err)) < 0) {
		snprintf(err, errlen, "%s:%d: cluster.password_file %s", cp->conf->path,
			 k->password_file_line, cl->err);
		free(cl);
		return -EINVAL;
	}
	if (k->sentinel_password_file[0] != '\0' &&
	    cl_read_secret(k->sentinel_password_file, owner, cl->sentinel_pass, &cl->sentinel_pass_len, cl->err,
			   sizeof(cl->err)) < 0) {
		snprintf(err, errlen, "%s:%d: cluster.sentinel_password_file %s",
			 cp->conf->path, k->sentinel_password_file_line, cl->err);
		OPENSSL_cleanse(cl->pass, sizeof(cl->pass));
		free(cl);
		return -EINVAL;
	}
	cl->users_dirty = true;
	cp->cluster = cl;
	/* (the first module set up: nothing else decides yet) */
	if ((rc = cp_alloc_observe(cp, alloc_event, NULL)) < 0 ||
	    (rc = cp_alloc_quota_hook(cp, quota_decide, NULL)) < 0) {
		snprintf(err, errlen, "cluster: cannot follow the allocations: %s",
			 strerror(-rc));
		cp_cluster_fini(cp);
		return rc;
	}
	/* boxes that share their users: Redis is the user store (the store's
	 * module, set up later, opens it) */
	if ((k->share & TP_CLUSTER_SHARE_USERS) &&
	    (rc = cp_store_set_backend(&cp->store_hooks, store_open, cl)) < 0) {
		snprintf(err, errlen, "cluster: another module gives the user store");
		cp_cluster_fini(cp);
		return rc;
	}
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
	cp_alloc_unobserve(cp, alloc_event, NULL);
	(void)cp_alloc_quota_hook(cp, NULL, NULL);
	if (cp->store_hooks.backend == store_open)
		(void)cp_store_set_backend(&cp->store_hooks, NULL, NULL);
	cl_link_close(&cl->cmd);
	cl_link_close(&cl->sub);
	cl_link_close(&cl->sentinel);
	OPENSSL_cleanse(cl->pass, sizeof(cl->pass));
	OPENSSL_cleanse(cl->sentinel_pass, sizeof(cl->sentinel_pass));
	free(cl);
	cp->cluster = NULL;
}

/* Its counters (struct cl_stats), in status's "cluster" and as
 * turnpike_cluster_NAME_total. */
static const struct cp_ctrs_desc cluster_desc[] = {
#define CL_CTR(f, h) { #f, CP_CTRS_COUNTER, 0, h },
#include "cluster_ctrs.def"
#undef CL_CTR
};

static void
cluster_values(const struct cp_ctx *cp, uint64_t *out)
{
	const struct cl_stats *st = cp->cluster != NULL ? &cp->cluster->st : NULL;
	unsigned int i = 0;

	if (st == NULL)
		return;
#define CL_CTR(f, h) out[i++] = st->f;
#include "cluster_ctrs.def"
#undef CL_CTR
}

/* (shown by the module's own hooks, inside its part) */
static const struct cp_ctrs_family cluster_ctrs = {
	.name = "cluster",
	.prefix = "",
	.metric = "turnpike_cluster_",
	.desc = cluster_desc,
	.n = sizeof(cluster_desc) / sizeof(cluster_desc[0]),
	.values = cluster_values,
};

/* "connected", the counters, the boxes seen: status's "cluster". */
static struct json_object *
cluster_json(const struct cp_ctx *cp)
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
	if (cl->conf->password_file[0] != '\0')   /* where, not what (turnpikectl) */
		json_object_object_add(o, "password_file",
				       json_object_new_string(cl->conf->password_file));
	if (cl->conf->username[0] != '\0')
		json_object_object_add(o, "username", json_object_new_string(cl->conf->username));
	json_object_object_add(o, "connected", json_object_new_boolean(cl->cmd.state == CL_UP));
	json_object_object_add(o, "subscribed", json_object_new_boolean(cl->sub.subscribed));
	json_object_object_add(o, "name_held", json_object_new_boolean(cl->name_ok));
	cp_ctrs_json(cp, &cluster_ctrs, o);
	{
		unsigned int n = 0;

		for (unsigned int i = 0; i < CL_MAX_PENDING; i++)
			n += cl->pend[i].state != 0;
		/* Allocates waiting for Redis' verdict, or decided without it
		 * and still expecting it (at most CL_MAX_PENDING) */
		json_object_object_add(o, "quota_pending", json_object_new_int64(n));
	}
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


/* ---- the module (cp_module.h) ---------------------------------------------------- */

/* Allocates held for Redis' count: its answer is looked for every turn
 * (a doze would add up to CP_DOZE_MS to each). */
static unsigned int
cluster_held(struct cp_ctx *cp)
{
	return cp_cluster_waiting(cp) ? cp_cluster_poll(cp) : 0;
}

/* A nap on Redis' socket: dp's next request waits at most us for it. */
static int
cluster_nap(struct cp_ctx *cp, unsigned int us)
{
	if (!cp_cluster_waiting(cp))
		return 0;
	cp_cluster_nap(cp, us);
	return 1;
}

/* What its links have, never waiting. */
static unsigned int
cluster_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	(void)now_ms;
	return cp_cluster_poll(cp);
}

static void
cluster_status(const struct cp_ctx *cp, struct json_object *resp)
{
	if (cp->cluster != NULL)
		json_object_object_add(resp, "cluster", cluster_json(cp));
}

static void
cluster_metrics(const struct cp_ctx *cp, FILE *f)
{
	if (cp->cluster == NULL)
		return;
	cp_ctrs_one(f, "turnpike_cluster_connected", "gauge",
		    "1 while this cp is linked to the cluster's Redis",
		    cp->cluster->cmd.state == CL_UP);
	cp_ctrs_metrics(cp, &cluster_ctrs, f);
}

/* First: the user store may be the cluster's. Without a cluster group
 * every hook finds cp->cluster NULL and does nothing. */
const struct cp_module cp_cluster_module = {
	.name = "cluster",
	.flags = CP_MODULE_CHECK,
	.setup = cp_cluster_init,
	.fini = cp_cluster_fini,
	.held = cluster_held,
	.nap = cluster_nap,
	.serve = cluster_serve,
	.ctrs = &cluster_ctrs,
	.status = cluster_status,
	.status_rank = 40,
	.metrics = cluster_metrics,
	.metrics_rank = CP_METRICS_ALLOCATIONS,
};

/* ---- the command link for others (cp/acct's Redis Stream) ------------ */

bool
cp_cluster_send(struct cp_ctx *cp, redisCallbackFn *fn, void *priv, int argc,
		const char **argv, const size_t *len)
{
	return cp->cluster != NULL && cl_send_argv(&cp->cluster->cmd, fn, priv, argc, argv, len);
}

struct cp_ctx *
cp_cluster_answer(redisAsyncContext *ac, const redisReply *r, bool *ok)
{
	struct cl_link *l = ac->data;

	*ok = false;
	if (l == NULL)
		return NULL;
	*ok = cl_answered(l, r);
	return l->cl->cp;
}

uint32_t
cp_cluster_link_gen(const struct cp_ctx *cp)
{
	return cp->cluster != NULL ? cp->cluster->cmd.conn_gen : 0;
}

int
cp_cluster_key(const struct cp_ctx *cp, const char *what, char *out, size_t size)
{
	if (cp->cluster == NULL)
		return -ENODEV;
	return cl_key(out, size, cp->cluster, what, "", 0);
}
