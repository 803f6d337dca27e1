/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pair's lease in the cluster's Redis (docs/design/ha.md §3.2):
 * NS:ha:PAIR:lease holds "BOX:TOKEN" with a PX of ha.lease_ms, and
 * NS:ha:PAIR:token is the fencing token's counter (INCR: it only grows).
 * Two Lua scripts, each one EVAL on the cluster's command link
 * (cp_cluster_send(): hiredis' asynchronous client on cp's loop, the one
 * cp/cluster runs; no second client), so that nothing waits on Redis:
 *
 * - acquire: the key free, the next token and the key set (SET NX PX in
 *   effect, plus the token), {1, token}; else {0, holder, pttl}: the key's
 *   remaining life, so that the next acquire lands at its expiry
 *   (docs/design/ha.md §3.5; relative: no clock compared across hosts).
 * - renew: the key still ours, its life set again, {1, token}; the key
 *   gone (a Redis restarted empty) and the counter not past ours, both
 *   written again (tokens never go back), {1, token}; else {0, holder}:
 *   another box has it, and the role machine fences at once.
 * - probe (a standby that hears an active peer past the lease it last
 *   knew of): reads the key only, {0, holder, pttl}, {0, "", -2} when
 *   none: the peer's "active" is its word, the key is the lease's.
 *
 * What comes back is checked before the machine hears it (ha_lease_read()):
 * Redis is shared, and a reply of another form is no answer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "cp.h"
#include "cluster/cluster.h"
#include "ha.h"

/* ARGV: the box, the lease (ms), the highest token this box knows Redis
 * gave (0: none). A counter below that floor is a Redis that lost its data
 * (restarted empty, a replica promoted behind): it is raised to the floor
 * first, so no token is given twice; and when it was gone altogether the
 * acquire is refused for a lease (answered as a key of that PTTL held by
 * no one), so an active box that still relays restores its key with its
 * next renew (the renew script) before this box can take it. */
const char ha_lease_acquire_lua[] =
	"local v = redis.call('GET', KEYS[1]) "
	"if v then return {0, v, redis.call('PTTL', KEYS[1])} end "
	"local f = tonumber(ARGV[3]) or 0 "
	"local c = tonumber(redis.call('GET', KEYS[2]) or '0') or 0 "
	"if c < f then redis.call('SET', KEYS[2], f) "
	"if c == 0 then return {0, '', tonumber(ARGV[2])} end end "
	"local t = redis.call('INCR', KEYS[2]) "
	"redis.call('SET', KEYS[1], ARGV[1] .. ':' .. t, 'PX', ARGV[2]) "
	"return {1, t}";

const char ha_lease_renew_lua[] =
	"local v = redis.call('GET', KEYS[1]) "
	"if v == ARGV[1] then "
	"redis.call('PEXPIRE', KEYS[1], ARGV[3]) "
	"return {1, tonumber(ARGV[2])} end "
	"if not v and tonumber(redis.call('GET', KEYS[2]) or '0') <= tonumber(ARGV[2]) then "
	"redis.call('SET', KEYS[2], ARGV[2]) "
	"redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) "
	"return {1, tonumber(ARGV[2])} end "
	"return {0, v or ''}";

const char ha_lease_probe_lua[] =
	"local v = redis.call('GET', KEYS[1]) "
	"if v then return {0, v, redis.call('PTTL', KEYS[1])} end "
	"return {0, '', -2}";

const char ha_lease_release_lua[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then "
	"redis.call('DEL', KEYS[1]) return 1 end "
	"return 0";

int
ha_lease_read(const redisReply *r, struct ha_lease_ans *a)
{
	const redisReply *e0, *e1;

	memset(a, 0, sizeof(*a));
	if (r == NULL || r->type == REDIS_REPLY_ERROR)
		return 0;
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 || r->elements > 3)
		return -EPROTO;
	e0 = r->element[0];
	e1 = r->element[1];
	if (e0 == NULL || e1 == NULL || e0->type != REDIS_REPLY_INTEGER ||
	    (e0->integer != 0 && e0->integer != 1))
		return -EPROTO;
	if (e0->integer == 1) {
		if (e1->type != REDIS_REPLY_INTEGER || e1->integer <= 0)
			return -EPROTO;
		if (r->elements != 2)
			return -EPROTO;   /* a PTTL only with a refusal */
		a->held = true;
		a->token = (uint64_t)e1->integer;
	} else if (e1->type == REDIS_REPLY_STRING) {
		if (e1->len >= sizeof(a->holder))
			return -EPROTO;
		for (size_t i = 0; i < e1->len; i++)
			if (e1->str[i] <= ' ' || e1->str[i] > '~')
				return -EPROTO;   /* said in the log: printable only */
		memcpy(a->holder, e1->str, e1->len);
	} else if (e1->type != REDIS_REPLY_NIL) {
		return -EPROTO;
	}
	if (r->elements == 3) {
		/* its range is the role machine's to bound (a lease at most) */
		if (r->element[2] == NULL || r->element[2]->type != REDIS_REPLY_INTEGER)
			return -EPROTO;
		a->has_pttl = true;
		a->pttl_ms = r->element[2]->integer;
	}
	a->answered = true;
	return 0;
}

static void
on_answer(redisAsyncContext *ac, void *reply, void *priv)
{
	const redisReply *r = reply;
	struct ha_lease_ans a;
	bool ok;
	struct cp_ctx *cp = cp_cluster_answer(ac, r, &ok);

	if (cp == NULL || cp->ha == NULL)
		return;
	if (ha_lease_read(ok ? r : NULL, &a) < 0)
		tp_log(TP_LOG_ERR, "ha: Redis answered the lease script in a form it never "
		       "writes (type %d): taken as no answer", r->type);
	else if (ok && r->type == REDIS_REPLY_ERROR)
		tp_log(TP_LOG_ERR, "ha: Redis refused the lease script: %.200s", r->str);
	cp->ha->redis_silent = !a.answered;
	ha_role_answer(&cp->ha->role, (uint32_t)(uintptr_t)priv, &a, cp->now_ms);
	/* (before anything else this turn: an Allocate dp passes on now
	 * gets an id of the new token's) */
	ha_sync(cp->ha);
}

unsigned int
ha_lease_step(struct cp_ha *ha, uint64_t now_ms)
{
	struct ha_role *r = &ha->role;
	uint64_t unanswered = r->st.lease_unanswered;
	enum ha_ask ask = ha_role_due(r, now_ms);
	char hold[128], tok[24], life[16], floor_s[24];
	const char *av[8];
	size_t al[8];
	unsigned int n = 0;
	uint32_t seq = r->seq + 1;    /* what ha_role_asked() will give */

	if (r->st.lease_unanswered != unanswered)
		ha->redis_silent = true;  /* an ask given up: Redis said nothing */
	if (ask == HA_ASK_NONE)
		return 0;
	snprintf(life, sizeof(life), "%u", r->lease_ms);
	av[n++] = "EVAL";
	if (ask == HA_ASK_PROBE) {
		av[n++] = ha_lease_probe_lua;
		av[n++] = "1";
		av[n++] = ha->lease_key;
	} else {
		av[n++] = ask == HA_ASK_ACQUIRE ? ha_lease_acquire_lua : ha_lease_renew_lua;
		av[n++] = "2";
		av[n++] = ha->lease_key;
		av[n++] = ha->token_key;
		if (ask == HA_ASK_ACQUIRE) {
			av[n++] = ha->box;
		} else {
			snprintf(hold, sizeof(hold), "%s:%" PRIu64, ha->box, r->token);
			snprintf(tok, sizeof(tok), "%" PRIu64, r->token);
			av[n++] = hold;
			av[n++] = tok;
		}
		av[n++] = life;
		if (ask == HA_ASK_ACQUIRE) {
			snprintf(floor_s, sizeof(floor_s), "%" PRIu64, r->token_verified);
			av[n++] = floor_s;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		al[i] = strlen(av[i]);
	if (!cp_cluster_send(ha->cp, on_answer, (void *)(uintptr_t)seq, (int)n, av, al)) {
		/* Redis away: asked again at the next slot, counted once a slot */
		r->next_ask_ms = now_ms + r->renew_ms;
		r->st.lease_unanswered++;
		ha->redis_silent = true;
		return 0;
	}
	ha_role_asked(r, ask, now_ms);
	return 1;
}

/* The release's answer, to the switchover: 1 deleted, 0 not ours, -1 no
 * answer (Redis away, an error, another form). */
static void
on_release(redisAsyncContext *ac, void *reply, void *priv)
{
	const redisReply *r = reply;
	bool ok;
	struct cp_ctx *cp = cp_cluster_answer(ac, r, &ok);
	int res = -1;

	if (cp == NULL || cp->ha == NULL)
		return;
	if (ok && r != NULL && r->type == REDIS_REPLY_INTEGER && (r->integer == 0 ||
								  r->integer == 1))
		res = (int)r->integer;
	else if (ok && r != NULL && r->type == REDIS_REPLY_ERROR)
		tp_log(TP_LOG_ERR, "ha: Redis refused the lease's release: %.200s", r->str);
	ha_switch_released(cp->ha, (uint32_t)(uintptr_t)priv, res, cp->now_ms);
}

int
ha_lease_release(struct cp_ha *ha, uint32_t seq)
{
	char hold[128];
	const char *av[6];
	size_t al[6];

	snprintf(hold, sizeof(hold), "%s:%" PRIu64, ha->box, ha->role.token);
	av[0] = "EVAL";
	av[1] = ha_lease_release_lua;
	av[2] = "1";
	av[3] = ha->lease_key;
	av[4] = hold;
	for (unsigned int i = 0; i < 5; i++)
		al[i] = strlen(av[i]);
	if (!cp_cluster_send(ha->cp, on_release, (void *)(uintptr_t)seq, 5, av, al))
		return -ENOTCONN;
	return 0;
}
