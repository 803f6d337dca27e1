/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's role machine and lease (ha_role.c, ha_lease.c) on a fake clock,
 * Redis' answers scripted: the cluster's command link is replaced here
 * (cp_cluster_send() records the EVAL and its callback; the test answers
 * through that callback with replies it builds, or never). The segment's
 * HA block is a struct of the test's, read as dp reads it
 * (ipc_ha_active()). What is held to: a standby asks for the lease only
 * after a lease without an active peer, and takes it when Redis gives
 * it; an active box renews every lease/4 and moves the deadline to the
 * renew's send time + lease - guard; another holder named fences at once;
 * Redis silent, the standby's heartbeats keep the active box active and
 * their silence fences it at the deadline; a standby that hears an active
 * peer never asks; a cp restarted on the active box stays active.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "cp.h"
#include "cluster/cluster.h"
#include "ha.h"

#define LEASE 1000u
#define GUARD 100u                /* max(100, lease/10) */
#define RENEW (LEASE / 4)
#define HB 100u                   /* ha.heartbeat_ms */
#define MISS (3 * HB)             /* min(3 heartbeats, lease/2) */

static struct cp_ctx cp;
static struct cp_ha ha;
static struct ipc_ha seg;

/* ---- the cluster's command link, scripted --------------------------- */

static struct {
	bool away;                    /* Redis away: cp_cluster_send() says no */
	unsigned int sent;            /* EVALs sent */
	redisCallbackFn *fn;          /* the last one's */
	void *priv;
	int argc;
	char argv[8][64];             /* the first 63 bytes of each */
	char script[1024];
} redis;

bool
cp_cluster_send(struct cp_ctx *c, redisCallbackFn *fn, void *priv, int argc, const char **argv,
		const size_t *len)
{
	assert_ptr_equal(c, &cp);
	if (redis.away)
		return false;
	assert_true((argc >= 7 && argc <= 8) ||
		    (argc == 5 && strcmp(argv[1], ha_lease_release_lua) == 0) ||
		    (argc == 4 && strcmp(argv[1], ha_lease_probe_lua) == 0));
	redis.sent++;
	redis.fn = fn;
	redis.priv = priv;
	redis.argc = argc;
	for (int i = 0; i < argc; i++) {
		assert_int_equal(len[i], strlen(argv[i]));
		snprintf(redis.argv[i], sizeof(redis.argv[i]), "%s", argv[i]);
	}
	snprintf(redis.script, sizeof(redis.script), "%s", argv[1]);
	return true;
}

struct cp_ctx *
cp_cluster_answer(struct redisAsyncContext *ac, const struct redisReply *r, bool *ok)
{
	(void)ac;
	*ok = r != NULL;
	return &cp;
}

/* ha_module.c's (not linked here): the role each time the rest of cp is
 * told it, so that a test sees it told from the lease's answer itself. */
static struct {
	unsigned int n;
	enum ha_state state;
	uint64_t token;
} synced;

void
ha_sync(struct cp_ha *h)
{
	synced.n++;
	synced.state = h->role.state;
	synced.token = h->role.token;
}

/* ha_switch.c's (not linked here): the release's answer as it came. */
static struct {
	unsigned int n;
	uint32_t seq;
	int res;
} released;

void
ha_switch_released(struct cp_ha *h, uint32_t seq, int res, uint64_t now_ms)
{
	(void)h;
	(void)now_ms;
	released.n++;
	released.seq = seq;
	released.res = res;
}

/* Redis' answer to the last EVAL: {held, token} or {0, holder}. */
static void
answer(int held, long long token, const char *holder)
{
	redisReply e0 = { .type = REDIS_REPLY_INTEGER, .integer = held };
	redisReply e1 = { .type = REDIS_REPLY_INTEGER, .integer = token };
	redisReply *el[2] = { &e0, &e1 };
	redisReply r = { .type = REDIS_REPLY_ARRAY, .elements = 2, .element = el };

	if (holder != NULL) {
		e1.type = REDIS_REPLY_STRING;
		e1.str = (char *)(uintptr_t)holder;
		e1.len = strlen(holder);
	}
	assert_non_null(redis.fn);
	redis.fn((redisAsyncContext *)(uintptr_t)&redis, &r, redis.priv);
}

/* The probe's answer when the key is absent: {0, ""}. */
static void
answer_none(void)
{
	redisReply e0 = { .type = REDIS_REPLY_INTEGER, .integer = 0 };
	redisReply e1 = { .type = REDIS_REPLY_STRING, .str = (char *)(uintptr_t)"", .len = 0 };
	redisReply *el[2] = { &e0, &e1 };
	redisReply r = { .type = REDIS_REPLY_ARRAY, .elements = 2, .element = el };

	assert_non_null(redis.fn);
	redis.fn((redisAsyncContext *)(uintptr_t)&redis, &r, redis.priv);
}

/* Redis' refusal with the key's remaining life: {0, holder, pttl} (the
 * acquire's and the probe's, docs/design/ha.md §3.5). */
static void
answer_pttl(const char *holder, long long pttl)
{
	redisReply e0 = { .type = REDIS_REPLY_INTEGER, .integer = 0 };
	redisReply e1 = { .type = REDIS_REPLY_STRING, .str = (char *)(uintptr_t)holder,
			  .len = strlen(holder) };
	redisReply e2 = { .type = REDIS_REPLY_INTEGER, .integer = pttl };
	redisReply *el[3] = { &e0, &e1, &e2 };
	redisReply r = { .type = REDIS_REPLY_ARRAY, .elements = 3, .element = el };

	assert_non_null(redis.fn);
	redis.fn((redisAsyncContext *)(uintptr_t)&redis, &r, redis.priv);
}

/* ---- the machine ------------------------------------------------------ */

static void
step(uint64_t now)
{
	cp.now_ms = now;
	ha_lease_step(&ha, now);
}

static void
start_lease(uint32_t mode, uint64_t now, uint32_t lease)
{
	struct ha_role_conf rc = { .lease_ms = lease, .heartbeat_ms = HB, .mode = mode };

	memset(&ha, 0, sizeof(ha));
	ha.cp = &cp;
	cp.ha = &ha;
	snprintf(ha.box, sizeof(ha.box), "box-a");
	snprintf(ha.lease_key, sizeof(ha.lease_key), "ns:ha:edge:lease");
	snprintf(ha.token_key, sizeof(ha.token_key), "ns:ha:edge:token");
	cp.now_ms = now;
	ha_role_start(&ha.role, &rc, &seg, now);
}

static void
start(uint32_t mode, uint64_t now)
{
	start_lease(mode, now, LEASE);
}

static int
setup(void **state)
{
	(void)state;
	memset(&redis, 0, sizeof(redis));
	memset(&released, 0, sizeof(released));
	memset(&cp, 0, sizeof(cp));
	memset(&seg, 0, sizeof(seg));
	return 0;
}

static uint64_t
seg_fence(void)
{
	return atomic_load(&seg.fence_at_ms);
}

/* Started at 1000, the lease asked at 2000 and given with token 7. */
static void
make_active(void)
{
	start(TP_HA_ROLE_AUTO, 1000);
	step(2000);
	assert_int_equal(redis.sent, 1);
	answer(1, 7, NULL);
	assert_int_equal(ha.role.state, HA_ACTIVE);
}

static void
hb(enum ha_state role, uint64_t token, uint64_t echo, uint64_t now)
{
	struct ha_peer_hb h = { .role = role, .token = token, .echo_ms = echo };

	cp.now_ms = now;
	ha_role_peer(&ha.role, &h, now);
}

/* A heartbeat of the peer's that asks for this box's word (vouch_asked). */
static void
hb_asking(uint64_t token, uint64_t now)
{
	struct ha_peer_hb h = { .role = HA_ACTIVE, .token = token, .vouch_asked = true };

	cp.now_ms = now;
	ha_role_peer(&ha.role, &h, now);
}

/* A standby listens a lease for an active peer, then asks; Redis gives
 * the key: ACTIVE, its token and deadline in the segment for dp. */
static void
test_ha_acquire(void **state)
{
	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	assert_int_equal(ha.role.state, HA_STANDBY);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_STANDBY);
	for (uint64_t t = 1000; t < 2000; t += 10)
		step(t);
	assert_int_equal(redis.sent, 0);        /* listening for the peer first */
	step(2000);
	assert_int_equal(redis.sent, 1);
	assert_string_equal(redis.argv[0], "EVAL");
	assert_string_equal(redis.script, ha_lease_acquire_lua);
	assert_string_equal(redis.argv[2], "2");
	assert_string_equal(redis.argv[3], "ns:ha:edge:lease");
	assert_string_equal(redis.argv[4], "ns:ha:edge:token");
	assert_string_equal(redis.argv[5], "box-a");
	assert_string_equal(redis.argv[6], "1000");
	assert_false(ipc_ha_active(&seg, 2001));
	cp.now_ms = 2003;
	synced.n = 0;
	answer(1, 7, NULL);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(ha.role.token, 7);
	/* the rest of cp told from the answer itself (cp/alloc's ids of
	 * token 7 before dp passes on an Allocate), not at the next turn */
	assert_int_equal(synced.n, 1);
	assert_int_equal(synced.state, HA_ACTIVE);
	assert_int_equal(synced.token, 7);
	assert_int_equal(ha.role.st.acquired, 1);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_ACTIVE);
	assert_int_equal(atomic_load(&seg.token), 7);
	/* the deadline from the ask's send time, not the answer's */
	assert_int_equal(seg_fence(), 2000 + LEASE - GUARD);
	assert_true(ipc_ha_active(&seg, 2003));
	assert_false(ipc_ha_active(&seg, 2000 + LEASE - GUARD));
}

/* Refused (another holds the key): passive, the holder's token kept. */
static void
test_ha_acquire_refused_stays_standby(void **state)
{
	(void)state;
	start(TP_HA_ROLE_ACTIVE, 4000);         /* "active": asks a lease later */
	step(5000);
	assert_int_equal(redis.sent, 1);
	answer(0, 0, "box-b:12");
	assert_int_equal(ha.role.state, HA_STANDBY);
	assert_int_equal(ha.role.token, 12);
	assert_int_equal(ha.role.st.acquire_refused, 1);
	assert_false(ipc_ha_active(&seg, 5001));
	step(5001);
	assert_int_equal(redis.sent, 1);        /* not before the next slot */
	step(5000 + RENEW);
	assert_int_equal(redis.sent, 2);
}

/* The lease's word raises the verified token (the link's floor for
 * batches), a peer's heartbeat never does, however high its token: the
 * machine keeps the peer's token for its own fencing, not as a floor.
 * Before the fix there was one token for both. */
static void
test_ha_only_the_lease_verifies_a_token(void **state)
{
	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	hb(HA_ACTIVE, UINT64_MAX - 1, 0, 1001);
	assert_true(ha.role.token == UINT64_MAX - 1);
	assert_true(ha.role.token_verified == 0);
	/* Redis names a holder (an acquire refused): verified */
	start(TP_HA_ROLE_ACTIVE, 4000);
	step(5000);
	answer(0, 0, "box-b:12");
	assert_true(ha.role.token_verified == 12);
	hb(HA_ACTIVE, 500, 0, 5001);
	assert_true(ha.role.token_verified == 12);
	/* this box's own lease */
	setup(NULL);
	make_active();
	assert_true(ha.role.token_verified == 7);
}

/* Every lease/4 a renew naming BOX:TOKEN; each answer moves the segment's
 * deadline to that renew's send time + lease - guard. */
static void
test_ha_renew(void **state)
{
	(void)state;
	make_active();
	step(2000 + RENEW - 1);
	assert_int_equal(redis.sent, 1);
	step(2000 + RENEW);
	assert_int_equal(redis.sent, 2);
	assert_string_equal(redis.script, ha_lease_renew_lua);
	assert_string_equal(redis.argv[5], "box-a:7");
	assert_string_equal(redis.argv[6], "7");
	assert_string_equal(redis.argv[7], "1000");
	cp.now_ms = 2000 + RENEW + 5;
	answer(1, 7, NULL);
	assert_int_equal(ha.role.st.renewed, 1);
	assert_int_equal(seg_fence(), 2000 + RENEW + LEASE - GUARD);
	/* and again, for a while: never fenced while Redis answers */
	for (uint64_t t = 2000 + RENEW + 1; t < 20000; t++) {
		unsigned int n = redis.sent;

		step(t);
		if (redis.sent != n) {
			answer(1, 7, NULL);
			assert_int_equal(seg_fence(), t + LEASE - GUARD);
		}
		assert_true(ipc_ha_active(&seg, t));
	}
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(ha.role.st.fenced, 0);
	assert_false(ha.redis_silent);
}

/* A renew answered with another holder: FENCED at once, dp passive. */
static void
test_ha_fenced_on_a_foreign_holder(void **state)
{
	(void)state;
	make_active();
	step(2000 + RENEW);
	assert_true(ipc_ha_active(&seg, 2000 + RENEW));
	answer(0, 0, "box-b:8");
	assert_int_equal(ha.role.state, HA_FENCED);
	assert_int_equal(ha.role.st.fenced, 1);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_FENCED);
	assert_false(ipc_ha_active(&seg, 2000 + RENEW));
	assert_int_equal(ha.role.token, 8);
	/* fenced asks again only after a lease of quiet; the active peer's
	 * heartbeat makes it a standby */
	hb(HA_ACTIVE, 8, 0, 2000 + RENEW + 1);
	assert_int_equal(ha.role.state, HA_STANDBY);
	assert_false(ipc_ha_active(&seg, 2000 + RENEW + 1));
}

/* Redis silent (answers never come, then the link away): the standby's
 * heartbeats, each echoing our latest active heartbeat it heard, keep the
 * deadline ahead: ACTIVE for ten leases and more. */
static void
test_ha_redis_silent_peer_vouching_keeps_active(void **state)
{
	uint64_t t;

	(void)state;
	make_active();
	for (t = 2000; t < 14000; t++) {
		if (t == 8000)
			redis.away = true;
		step(t);
		if (t % 100 == 0)   /* the peer heard our heartbeat of 30 ms ago */
			hb(HA_STANDBY, 7, t - 30, t);
		assert_true(ipc_ha_active(&seg, t));
	}
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_true(ha.redis_silent);            /* status says so */
	assert_true(ha.role.st.vouched > 100);
	assert_true(ha.role.st.lease_unanswered > 10);
	assert_int_equal(seg_fence(), 13900 - 30 + LEASE - GUARD);
	/* a word older than what the peer already vouched for moves nothing,
	 * nor one of a time before this box was active */
	hb(HA_STANDBY, 7, 13000, 14000);
	assert_int_equal(seg_fence(), 13900 - 30 + LEASE - GUARD);
	/* a peer that says it has seen a higher token is asked after in
	 * Redis (away: no answer), vouches no more, and the deadline it
	 * left fences */
	hb(HA_STANDBY, 9, 13990, 14001);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(ha.role.st.token_claims, 1);
	for (t = 14001; t < 13900 - 30 + LEASE - GUARD; t++) {
		step(t);
		if (t % 100 == 0)
			hb(HA_STANDBY, 9, t - 30, t);
		assert_true(ipc_ha_active(&seg, t));
	}
	step(t);
	assert_int_equal(ha.role.state, HA_FENCED);
	assert_false(ipc_ha_active(&seg, t));
}

/* Redis silent and the peer silent: fenced at the deadline (the last
 * renew answered + lease - guard), not a millisecond later. */
static void
test_ha_redis_and_peer_silent_fences_at_the_deadline(void **state)
{
	uint64_t deadline = 2000 + LEASE - GUARD;
	void *renew_priv;

	(void)state;
	make_active();
	for (uint64_t t = 2001; t < deadline; t++) {
		step(t);                       /* renews go out; none answered */
		assert_int_equal(ha.role.state, HA_ACTIVE);
	}
	assert_true(redis.sent > 1);
	assert_int_equal(seg_fence(), deadline);
	renew_priv = redis.priv;
	step(deadline);
	assert_int_equal(ha.role.state, HA_FENCED);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_FENCED);
	assert_int_equal(ha.role.st.fenced, 1);
	/* a renew's answer that comes after is no longer for this role */
	redis.priv = renew_priv;
	answer(1, 7, NULL);
	assert_int_equal(ha.role.state, HA_FENCED);
	assert_false(ipc_ha_active(&seg, deadline));
	/* a standby's heartbeat of a time before the fence vouches no more */
	hb(HA_STANDBY, 7, deadline - 1, deadline + 1);
	assert_int_equal(ha.role.state, HA_FENCED);
	assert_false(ipc_ha_active(&seg, deadline + 1));
}

/* A standby that hears an active peer never asks for the lease, however
 * long; a lease after the last heartbeat it does. ha.role "standby"
 * never does. */
static void
test_ha_standby_never_acquires_while_it_hears_heartbeats(void **state)
{
	uint64_t t;

	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	for (t = 1000; t <= 30000; t++) {
		unsigned int n = redis.sent;

		if (t % 100 == 0)
			hb(HA_ACTIVE, 3, 0, t);
		step(t);
		if (redis.sent != n) {
			/* only a look, once a lease: Redis names the peer */
			assert_string_equal(redis.script, ha_lease_probe_lua);
			assert_string_equal(redis.argv[2], "1");
			assert_string_equal(redis.argv[3], "ns:ha:edge:lease");
			assert_true(t % LEASE == 0);
			answer(0, 0, "box-b:3");
		}
		assert_true(ha_role_vouches(&ha.role));
	}
	assert_int_equal(redis.sent, 30);         /* 1000, 2000, ... 30000 */
	assert_int_equal(ha.role.state, HA_STANDBY);
	assert_int_equal(ha.role.token, 3);      /* the highest seen */
	/* heartbeats from a standby peer are no reason to wait: an active
	 * one unheard for three heartbeats (none asked for our word), the
	 * lease is asked for */
	for (t++; t < 30000 + MISS; t++) {
		if (t % 100 == 0)
			hb(HA_STANDBY, 3, 0, t);
		step(t);
	}
	assert_int_equal(redis.sent, 30);
	step(30000 + MISS);
	assert_int_equal(redis.sent, 31);
	assert_string_equal(redis.script, ha_lease_acquire_lua);

	memset(&redis, 0, sizeof(redis));
	start(TP_HA_ROLE_STANDBY, 1000);
	for (t = 1000; t <= 30000; t++)
		step(t);
	assert_int_equal(redis.sent, 0);
	assert_int_equal(ha.role.state, HA_STANDBY);
}

/* The segment's deadline follows the renews and only moves forward; an
 * answer given up on (unanswered for lease - guard, issue 69: lease/4
 * before) is ignored when it comes; a cp restarted on the active box
 * starts ACTIVE under the segment's token and renews at once. */
static void
test_ha_segment_fence_follows(void **state)
{
	const uint64_t r1 = 2000 + RENEW, r2 = r1 + LEASE - GUARD;
	redisCallbackFn *old_fn, *new_fn;
	void *old_priv, *new_priv;

	(void)state;
	make_active();
	step(r1);                              /* renew 1 sent */
	assert_int_equal(redis.sent, 2);
	old_fn = redis.fn;
	old_priv = redis.priv;
	for (uint64_t t = r1 + 1; t < r2; t++) {
		/* in flight: nothing more sent; the peer's word keeps the
		 * box active meanwhile */
		if (t % 100 == 0)
			hb(HA_STANDBY, 7, t - 30, t);
		step(t);
		assert_int_equal(ha.role.state, HA_ACTIVE);
	}
	assert_int_equal(redis.sent, 2);
	assert_int_equal(ha.role.st.lease_unanswered, 0);
	step(r2);                              /* given up; renew 2 sent */
	assert_int_equal(redis.sent, 3);
	assert_int_equal(ha.role.st.lease_unanswered, 1);
	new_fn = redis.fn;
	new_priv = redis.priv;
	/* renew 1's answer, late: ignored */
	redis.fn = old_fn;
	redis.priv = old_priv;
	answer(1, 7, NULL);
	assert_int_equal(seg_fence(), 3100 - 30 + LEASE - GUARD);  /* the word's */
	assert_int_equal(ha.role.st.renewed, 0);
	step(r2 + 1);                          /* renew 2 in flight */
	assert_int_equal(redis.sent, 3);
	redis.fn = new_fn;
	redis.priv = new_priv;
	answer(1, 7, NULL);
	assert_int_equal(seg_fence(), r2 + LEASE - GUARD);

	/* cp restarts: the segment says ACTIVE, token 7, deadline ahead */
	memset(&redis, 0, sizeof(redis));
	start(TP_HA_ROLE_AUTO, r2 + 10);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(ha.role.token, 7);
	assert_int_equal(seg_fence(), r2 + LEASE - GUARD);
	assert_true(ipc_ha_active(&seg, r2 + 10));
	step(r2 + 10);
	assert_int_equal(redis.sent, 1);
	assert_string_equal(redis.script, ha_lease_renew_lua);
	assert_string_equal(redis.argv[5], "box-a:7");
	/* past its deadline the segment starts no active box */
	memset(&redis, 0, sizeof(redis));
	start(TP_HA_ROLE_AUTO, r2 + LEASE);
	assert_int_equal(ha.role.state, HA_STANDBY);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_STANDBY);
	assert_int_equal(ha.role.token, 7);
}

/* What Redis answers is checked: another form is no answer. */
static void
test_ha_lease_read_checks_the_reply(void **state)
{
	struct ha_lease_ans a;
	redisReply e0 = { .type = REDIS_REPLY_INTEGER, .integer = 1 };
	redisReply e1 = { .type = REDIS_REPLY_INTEGER, .integer = 4 };
	redisReply *el[2] = { &e0, &e1 };
	redisReply r = { .type = REDIS_REPLY_ARRAY, .elements = 2, .element = el };
	redisReply err = { .type = REDIS_REPLY_ERROR, .str = (char *)(uintptr_t)"NOSCRIPT",
			   .len = 8 };
	char bad[] = "box\nb:1";

	(void)state;
	assert_int_equal(ha_lease_read(&r, &a), 0);
	assert_true(a.answered && a.held);
	assert_int_equal(a.token, 4);
	e1.integer = 0;                        /* token 0: never given */
	assert_int_equal(ha_lease_read(&r, &a), -EPROTO);
	e0.integer = 2;
	assert_int_equal(ha_lease_read(&r, &a), -EPROTO);
	e0.integer = 0;
	e1.type = REDIS_REPLY_NIL;
	assert_int_equal(ha_lease_read(&r, &a), 0);
	assert_true(a.answered && !a.held);
	e1.type = REDIS_REPLY_STRING;
	e1.str = bad;
	e1.len = strlen(bad);
	assert_int_equal(ha_lease_read(&r, &a), -EPROTO);
	assert_false(a.answered);
	/* a refusal's PTTL: an integer, and only with a refusal */
	{
		redisReply p = { .type = REDIS_REPLY_INTEGER, .integer = 750 };
		redisReply h = { .type = REDIS_REPLY_STRING, .str = (char *)(uintptr_t)"box-b:3",
				 .len = 7 };
		redisReply *el3[3] = { &e0, &h, &p };
		redisReply r3 = { .type = REDIS_REPLY_ARRAY, .elements = 3, .element = el3 };

		e0.integer = 0;
		assert_int_equal(ha_lease_read(&r3, &a), 0);
		assert_true(a.answered && !a.held && a.has_pttl);
		assert_int_equal(a.pttl_ms, 750);
		assert_string_equal(a.holder, "box-b:3");
		p.type = REDIS_REPLY_STRING;
		p.str = (char *)(uintptr_t)"750";
		p.len = 3;
		assert_int_equal(ha_lease_read(&r3, &a), -EPROTO);
		p.type = REDIS_REPLY_INTEGER;
		e0.integer = 1;
		h.type = REDIS_REPLY_INTEGER;
		h.integer = 4;
		assert_int_equal(ha_lease_read(&r3, &a), -EPROTO);
		r3.elements = 4;
		assert_int_equal(ha_lease_read(&r3, &a), -EPROTO);
	}
	r.elements = 1;
	assert_int_equal(ha_lease_read(&r, &a), -EPROTO);
	assert_int_equal(ha_lease_read(&err, &a), 0);
	assert_false(a.answered);
	assert_int_equal(ha_lease_read(NULL, &a), 0);
	assert_false(a.answered);
}

/* A switchover's hold on the active box (ha_role_yield()): dp passive (the
 * segment FENCED) while the lease stays this box's and is renewed, so
 * the mirror drains; given up, dp active again under the same deadline;
 * while the lease is let go no renew is sent (the renew script would
 * write the key back); let go, STANDBY, and no ask for a lease. */
static void
test_ha_switchover_yield_and_release(void **state)
{
	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	assert_int_equal(ha_role_yield(&ha.role, HA_YIELD_PASSIVE), -EINVAL);  /* not active */
	make_active();
	assert_int_equal(ha_role_yield(&ha.role, HA_YIELD_PASSIVE), 0);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_FENCED);
	assert_false(ipc_ha_active(&seg, 2001));
	step(2000 + RENEW);                      /* still renewed */
	assert_int_equal(redis.sent, 2);
	assert_string_equal(redis.script, ha_lease_renew_lua);
	cp.now_ms = 2000 + RENEW + 1;
	answer(1, 7, NULL);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_FENCED);   /* a renew keeps it passive */
	assert_int_equal(ha_role_yield(&ha.role, HA_YIELD_NONE), 0);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_ACTIVE);
	assert_int_equal(seg_fence(), 2000 + RENEW + LEASE - GUARD);
	assert_true(ipc_ha_active(&seg, 2000 + RENEW + 2));
	/* again, to the release: no renew while the lease is let go */
	assert_int_equal(ha_role_yield(&ha.role, HA_YIELD_PASSIVE), 0);
	assert_int_equal(ha_role_yield(&ha.role, HA_YIELD_RELEASING), 0);
	assert_int_equal(ha_lease_release(&ha, 9), 0);
	assert_int_equal(redis.sent, 3);
	assert_string_equal(redis.script, ha_lease_release_lua);
	assert_string_equal(redis.argv[2], "1");
	assert_string_equal(redis.argv[3], "ns:ha:edge:lease");
	assert_string_equal(redis.argv[4], "box-a:7");
	{
		redisReply one = { .type = REDIS_REPLY_INTEGER, .integer = 1 };

		redis.fn((redisAsyncContext *)(uintptr_t)&redis, &one, redis.priv);
	}
	assert_int_equal(released.n, 1);
	assert_int_equal(released.seq, 9);
	assert_int_equal(released.res, 1);
	for (uint64_t t = 2000 + RENEW + 2; t < 2000 + 3 * RENEW; t++)
		step(t);
	assert_int_equal(redis.sent, 3);         /* no renew sent meanwhile */
	ha_role_released(&ha.role, 2000 + 3 * RENEW, "handed over");
	assert_int_equal(ha.role.state, HA_STANDBY);
	assert_int_equal(ha.role.st.switch_out, 1);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_STANDBY);
	assert_int_equal(ha.role.yield, HA_YIELD_NONE);
	/* the peer takes the lease now: this box listens a lease first */
	for (uint64_t t = 2000 + 3 * RENEW; t < 2000 + 3 * RENEW + LEASE; t += 10)
		step(t);
	assert_int_equal(redis.sent, 3);
}

/* The standby told by the peer that the lease is free (GO) asks at once,
 * though it heard the peer active a moment ago (which otherwise keeps it
 * from asking for a lease); refused (the delete not seen yet), it asks
 * again within 20 ms, not lease/4 later. With ha.role "standby" it never
 * takes the lease. Before ha_role_take() a standby waited a lease. */
static void
test_ha_switchover_take_at_once(void **state)
{
	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	hb(HA_ACTIVE, 7, 0, 1500);
	step(1500);
	assert_int_equal(redis.sent, 1);         /* a look only: the peer holds it */
	assert_string_equal(redis.script, ha_lease_probe_lua);
	answer(0, 0, "box-b:7");
	step(1501);
	assert_int_equal(redis.sent, 1);
	assert_int_equal(ha_role_take(&ha.role, 1501), 0);
	step(1501);
	assert_int_equal(redis.sent, 2);
	assert_string_equal(redis.script, ha_lease_acquire_lua);
	cp.now_ms = 1502;
	answer(0, 0, "box-b:7");                 /* the peer's delete not seen yet */
	assert_int_equal(ha.role.state, HA_STANDBY);
	step(1510);
	assert_int_equal(redis.sent, 2);
	step(1522);
	assert_int_equal(redis.sent, 3);
	cp.now_ms = 1523;
	answer(1, 8, NULL);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(ha.role.token, 8);
	assert_int_equal(ha.role.st.switch_in, 1);
	assert_int_equal(atomic_load(&seg.role), IPC_HA_ACTIVE);
	assert_int_equal(ha_role_take(&ha.role, 1600), -EALREADY);
	/* ha.role "standby": never */
	setup(NULL);
	start(TP_HA_ROLE_STANDBY, 1000);
	assert_int_equal(ha_role_take(&ha.role, 1001), -EPERM);
	for (uint64_t t = 1001; t < 5000; t += 10)
		step(t);
	assert_int_equal(redis.sent, 0);
}

/* S16: a heartbeat claiming a fencing token above the active box's is the
 * peer's word, not the lease's: the box renews at once and fences only on
 * Redis' answer naming another holder, or at its deadline; meanwhile it
 * stays active (dp relays). Before the fix one such heartbeat fenced at
 * once: a peer broken (or holding the PSK) made both boxes passive. */
static void
test_ha_higher_unverified_token_asks_redis_first(void **state)
{
	(void)state;
	make_active();                           /* token 7 at 2000 */
	hb(HA_ACTIVE, 9, 0, 2010);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_true(ipc_ha_active(&seg, 2010));
	step(2010);                              /* a renew at once, not at 2250 */
	assert_int_equal(redis.sent, 2);
	assert_string_equal(redis.script, ha_lease_renew_lua);
	cp.now_ms = 2011;
	answer(1, 7, NULL);                      /* Redis: still this box's */
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(seg_fence(), 2010 + LEASE - GUARD);
	/* the same claim again asks nothing more; a higher one does, and
	 * Redis naming the peer fences */
	hb(HA_ACTIVE, 9, 0, 2100);
	step(2100);
	assert_int_equal(redis.sent, 2);
	hb(HA_STANDBY, 10, 2090, 2110);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	step(2110);
	assert_int_equal(redis.sent, 3);
	cp.now_ms = 2111;
	answer(0, 0, "box-b:10");
	assert_int_equal(ha.role.state, HA_FENCED);
	assert_int_equal(ha.role.token, 10);
	assert_false(ipc_ha_active(&seg, 2111));

	/* Redis away: no answer; the claim vouches nothing, and the box is
	 * fenced at its deadline, not before */
	setup(NULL);
	make_active();
	redis.away = true;
	for (uint64_t t = 2001; t < 2000 + LEASE - GUARD; t++) {
		if (t % 100 == 0)
			hb(HA_STANDBY, 9, t - 30, t);
		step(t);
		assert_int_equal(ha.role.state, HA_ACTIVE);
	}
	assert_int_equal(seg_fence(), 2000 + LEASE - GUARD);
	step(2000 + LEASE - GUARD);
	assert_int_equal(ha.role.state, HA_FENCED);
}

/* S16: a standby that hears "active" heartbeats still asks Redis once the
 * lease it knows of may have ended. Before the fix it never asked while
 * they came: a peer that says ACTIVE and holds no lease kept both boxes
 * passive. */
static void
test_ha_standby_hearing_active_asks_redis_past_the_lease(void **state)
{
	uint64_t t;

	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	for (t = 1000; t <= 1000 + 2 * LEASE; t++) {
		if (t % 100 == 0)
			hb(HA_ACTIVE, 3, 0, t);
		step(t);
	}
	assert_true(redis.sent >= 1);
	/* a look (it takes nothing) at once; unanswered (Redis silent), again
	 * each lease - guard, as any script: at 1000, 1900, 2800 */
	assert_string_equal(redis.script, ha_lease_probe_lua);
	assert_int_equal(redis.sent, 3);
	assert_int_equal(ha.role.st.lease_unanswered, 2);
	assert_int_equal(ha.role.state, HA_STANDBY);
	/* the peer's lease named: vouch on, look again a lease later */
	setup(NULL);
	start(TP_HA_ROLE_AUTO, 1000);
	hb(HA_ACTIVE, 3, 0, 1000);
	step(1000);
	assert_int_equal(redis.sent, 1);
	cp.now_ms = 1001;
	answer(0, 0, "box-b:3");
	assert_true(ha.role.token_verified == 3);
	for (t = 1001; t < 2001; t++) {
		if (t % 100 == 0)
			hb(HA_ACTIVE, 3, 0, t);
		step(t);
	}
	assert_int_equal(redis.sent, 1);
	step(2001);
	assert_int_equal(redis.sent, 2);
	assert_string_equal(redis.script, ha_lease_probe_lua);
	/* no lease in Redis, the peer still "active": this box vouches no
	 * more, and asks for the lease a lease later, heartbeats or not */
	cp.now_ms = 2002;
	answer_none();
	assert_false(ha_role_vouches(&ha.role));
	assert_int_equal(ha.role.st.peer_unheld, 1);
	for (t = 2002; t < 2002 + LEASE; t++) {
		if (t % 100 == 0)
			hb(HA_ACTIVE, 3, 0, t);
		step(t);
	}
	assert_int_equal(redis.sent, 2);
	assert_int_equal(ha.role.state, HA_STANDBY);
	step(2002 + LEASE);
	assert_int_equal(redis.sent, 3);
	assert_string_equal(redis.script, ha_lease_acquire_lua);
	cp.now_ms = 2002 + LEASE;
	answer(1, 4, NULL);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(ha.role.token, 4);
	/* again, but the peer's renew comes back (a holder after all):
	 * vouching again, no lease taken */
	setup(NULL);
	start(TP_HA_ROLE_AUTO, 1000);
	hb(HA_ACTIVE, 3, 0, 1000);
	step(1000);
	answer_none();
	assert_false(ha_role_vouches(&ha.role));
	step(1000 + LEASE);
	assert_string_equal(redis.script, ha_lease_acquire_lua);
	answer(0, 0, "box-b:3");
	assert_true(ha_role_vouches(&ha.role));
	assert_int_equal(ha.role.state, HA_STANDBY);
}


/*
 * The takeover's timing (docs/design/ha.md §3.5): the active peer (box-b,
 * token 3) heartbeats every 100 ms and renews its key every lease/4, at
 * some phase; it dies at `death`. Redis is modelled: the key expires a
 * lease after the last renew before the death (E), and each script of the
 * standby's is answered as Redis would at the time it is sent. The
 * standby's acquire that takes the key is sent at E or after, and within
 * the margin (5 ms, plus this loop's 1 ms): the acquire lands at the
 * key's expiry. Before the fix it waited a lease after the last heartbeat
 * heard and then lease/4 between acquires: taken up to 250 ms past E.
 */
static uint64_t
takeover_at(uint64_t renew_phase, uint64_t hb_phase, uint64_t death, uint64_t *expiry)
{
	uint64_t last_renew = 0, t;

	setup(NULL);
	start(TP_HA_ROLE_AUTO, 1000);
	for (uint64_t r = 1000 + renew_phase; r <= death; r += RENEW)
		last_renew = r;
	*expiry = last_renew + LEASE;
	for (t = 1000; t < death + 3 * LEASE; t++) {
		unsigned int n = redis.sent;

		if (t < death && t % 100 == hb_phase)
			hb(HA_ACTIVE, 3, 0, t);
		step(t);
		if (redis.sent == n)
			continue;
		cp.now_ms = t;
		if (strcmp(redis.script, ha_lease_probe_lua) == 0) {
			/* the key's life as of t (the peer renewing until it dies) */
			uint64_t lr = 0;

			for (uint64_t r = 750 + renew_phase; r <= t && r <= death; r += RENEW)
				lr = r;
			if (lr == 0 || t >= lr + LEASE)
				answer_none();
			else
				answer_pttl("box-b:3", (long long)(lr + LEASE - t));
			continue;
		}
		assert_string_equal(redis.script, ha_lease_acquire_lua);
		/* never asked for the lease while the peer is alive */
		if (t <= death)
			fail_msg("an acquire at %" PRIu64 ", the peer alive till %" PRIu64,
				 t, death);
		if (t >= *expiry) {
			answer(1, 4, NULL);
			assert_int_equal(ha.role.state, HA_ACTIVE);
			return t;
		}
		answer_pttl("box-b:3", (long long)(*expiry - t));
	}
	fail_msg("no takeover by %" PRIu64, t);
	return 0;
}

static void
test_ha_takeover_lands_at_the_key_expiry(void **state)
{
	static const uint64_t phases[] = { 0, 1, 37, 99, 125, 160, 200, 249 };

	(void)state;
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		for (uint64_t d = 0; d < 250; d += 23) {
			uint64_t e, death = 6000 + d, hbp = (phases[i] + d) % 100;
			uint64_t at = takeover_at(phases[i], hbp, death, &e);

			if (at < e || at > e + 5 + 1)
				fail_msg("renew phase %" PRIu64 ", death %" PRIu64 ": the key "
					 "expires at %" PRIu64 ", taken at %" PRIu64, phases[i],
					 death, e, at);
			/* one acquire before the expiry at most: the one that read
			 * the key's life */
			assert_true(ha.role.st.acquire_refused <= 1);
		}
	}
}

/* An active peer whose heartbeats asked for this box's word (its renews
 * late: it may relay on our echo to echo + lease - guard, past the key's
 * expiry) is not taken over before a lease after the last one heard,
 * three heartbeats' silence or not: the promise the echo made. Without
 * the ask, three heartbeats' silence is enough to ask (the key's expiry is
 * Redis' to say). */
static void
test_ha_vouch_asked_binds_the_standby(void **state)
{
	uint64_t t;

	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	for (t = 1000; t <= 3000; t++) {
		unsigned int n = redis.sent;

		if (t % 100 == 0)
			hb_asking(3, t);
		step(t);
		if (redis.sent != n) {
			assert_string_equal(redis.script, ha_lease_probe_lua);
			answer_pttl("box-b:3", 300);
		}
	}
	for (; t < 3000 + LEASE; t++) {
		unsigned int n = redis.sent;

		step(t);
		if (redis.sent != n)
			assert_string_not_equal(redis.script, ha_lease_acquire_lua);
	}
	step(3000 + LEASE);
	assert_string_equal(redis.script, ha_lease_acquire_lua);
	/* a box that vouches no more (Redis held no lease for the "active"
	 * peer) makes no promise by an ask */
	setup(NULL);
	start(TP_HA_ROLE_AUTO, 1000);
	hb_asking(3, 1000);
	step(1000);
	assert_string_equal(redis.script, ha_lease_probe_lua);
	answer_none();
	assert_false(ha_role_vouches(&ha.role));
	hb_asking(3, 1900);
	assert_true(ha.role.ask_not_before_ms == 2000);
}

/* The active box asks for the standby's word only once a renew is late
 * (none answered for lease/4 + lease/16), and only the echo of a
 * heartbeat sent since moves its deadline: otherwise the deadline is the
 * renews', a guard before the key's expiry, which the standby takes as it
 * comes. Before, every echo moved it, up to 150 ms past the expiry. */
static void
test_ha_active_takes_the_word_only_when_asked(void **state)
{
	(void)state;
	make_active();                           /* acquire sent at 2000 */
	assert_false(ha_role_asks_vouch(&ha.role, 2000 + RENEW + RENEW / 4 - 1));
	assert_true(ha_role_asks_vouch(&ha.role, 2000 + RENEW + RENEW / 4));
	step(2000 + RENEW);
	cp.now_ms = 2000 + RENEW + 1;
	answer(1, 7, NULL);
	assert_int_equal(seg_fence(), 2000 + RENEW + LEASE - GUARD);
	assert_false(ha_role_asks_vouch(&ha.role, 2300));
	hb(HA_STANDBY, 7, 2290, 2300);           /* not asked: the renews' deadline */
	assert_int_equal(seg_fence(), 2000 + RENEW + LEASE - GUARD);
	assert_int_equal(ha.role.st.vouched, 0);
	step(2000 + 2 * RENEW);                  /* a renew, never answered */
	assert_true(ha_role_asks_vouch(&ha.role, 2500 + RENEW / 4));
	hb(HA_STANDBY, 7, 2500 + RENEW / 4 - 1, 2580);   /* sent before the ask */
	assert_int_equal(seg_fence(), 2000 + RENEW + LEASE - GUARD);
	hb(HA_STANDBY, 7, 2570, 2600);
	assert_int_equal(seg_fence(), 2570 + LEASE - GUARD);
	assert_int_equal(ha.role.st.vouched, 1);
}

/* Redis' PTTL bounds the wait by the lease: one over it, or a key without
 * expiry (-1: not a key this pair writes), is clamped to a lease and
 * counted; one within it is waited out, plus the margin. */
static void
test_ha_pttl_over_the_lease_clamped(void **state)
{
	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	step(2000);
	assert_string_equal(redis.script, ha_lease_acquire_lua);
	answer_pttl("box-b:3", 5000);
	assert_int_equal(ha.role.st.pttl_clamped, 1);
	for (uint64_t t = 2001; t < 2000 + LEASE + 5; t++)
		step(t);
	assert_int_equal(redis.sent, 1);
	step(2000 + LEASE + 5);
	assert_int_equal(redis.sent, 2);
	cp.now_ms = 3005;
	answer_pttl("box-b:3", -1);
	assert_int_equal(ha.role.st.pttl_clamped, 2);
	step(3005 + LEASE + 4);
	assert_int_equal(redis.sent, 2);
	step(3005 + LEASE + 5);
	assert_int_equal(redis.sent, 3);
	cp.now_ms = 4010;
	answer_pttl("box-b:3", 400);
	assert_int_equal(ha.role.st.pttl_clamped, 2);
	step(4010 + 404);
	assert_int_equal(redis.sent, 3);
	step(4010 + 405);
	assert_int_equal(redis.sent, 4);
	cp.now_ms = 4415;
	answer(1, 4, NULL);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(ha.role.st.acquire_refused, 3);
}

/*
 * The lease's scripts on a real redis-server (the one the pair runs on),
 * over hiredis' blocking API: a Redis that lost its data (restarted empty)
 * must neither give a token twice nor let the standby take the lease
 * before the active box's next renew could restore it (the review of
 * 2026-11-30, docs/design/ha.md §4).
 */
static redisReply *
lua(redisContext *c, const char *script, const char *a1, const char *a2, const char *a3)
{
	const char *av[8] = { "EVAL", script, "2", "tp:ha:lease", "tp:ha:token", a1, a2, a3 };
	size_t al[8];
	int n = a3 != NULL ? 8 : 7;
	redisReply *r;

	for (int i = 0; i < n; i++)
		al[i] = strlen(av[i]);
	r = redisCommandArgv(c, n, av, al);
	assert_non_null(r);
	if (r->type == REDIS_REPLY_ERROR)
		fail_msg("Redis: %s", r->str);
	assert_int_equal(r->type, REDIS_REPLY_ARRAY);
	return r;
}

static void
cmd(redisContext *c, const char *fmt, const char *arg)
{
	redisReply *r = redisCommand(c, fmt, arg);

	assert_non_null(r);
	freeReplyObject(r);
}

static pid_t lua_redis;          /* the test's redis-server, for the teardown */

/* A failed assertion leaves the test at once: its redis-server goes here. */
static int
lua_teardown(void **state)
{
	(void)state;
	if (lua_redis > 0) {
		kill(lua_redis, SIGKILL);
		waitpid(lua_redis, NULL, 0);
		lua_redis = 0;
	}
	return 0;
}

static void
test_ha_lease_scripts_on_redis_that_lost_its_data(void **state)
{
	char dir[] = "/tmp/tp_ha_lua.XXXXXX", sock[96], pidf[96];
	redisContext *c = NULL;
	redisReply *r, *g;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
	snprintf(pidf, sizeof(pidf), "%s/redis.log", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		/* not the test's stdout: a runner reading it would wait on it */
		if (nul >= 0) {
			dup2(nul, 1);
			dup2(nul, 2);
		}
		execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock,
		       "--save", "", "--appendonly", "no", "--logfile", pidf, (char *)NULL);
		_exit(127);
	}
	lua_redis = pid;
	for (int i = 0; i < 200 && c == NULL; i++) {
		redisContext *t = redisConnectUnix(sock);

		if (t != NULL && t->err == 0)
			c = t;
		else {
			if (t != NULL)
				redisFree(t);
			usleep(10000);
		}
	}
	if (c == NULL) {
		kill(pid, SIGKILL);
		fail_msg("redis-server did not start (is it installed? tools/bootstrap)");
	}

	/* a first start: no counter, no floor: token 1 */
	r = lua(c, ha_lease_acquire_lua, "box-A", "600", "0");
	assert_int_equal(r->element[0]->integer, 1);
	assert_int_equal(r->element[1]->integer, 1);
	freeReplyObject(r);
	/* the standby is refused with the holder and a PTTL */
	r = lua(c, ha_lease_acquire_lua, "box-B", "600", "1");
	assert_int_equal(r->element[0]->integer, 0);
	assert_string_equal(r->element[1]->str, "box-A:1");
	assert_true(r->element[2]->integer > 0 && r->element[2]->integer <= 600);
	freeReplyObject(r);

	/* Redis restarted empty; A (token 5 by now, say) still relays. B's
	 * acquire, floor 5: refused for a lease, the counter raised to 5 */
	cmd(c, "FLUSHALL", NULL);
	r = lua(c, ha_lease_acquire_lua, "box-B", "600", "5");
	assert_int_equal(r->element[0]->integer, 0);
	assert_string_equal(r->element[1]->str, "");
	assert_int_equal(r->element[2]->integer, 600);
	freeReplyObject(r);
	g = redisCommand(c, "GET tp:ha:token");
	assert_non_null(g);
	assert_string_equal(g->str, "5");
	freeReplyObject(g);
	/* A's renew restores its key, and B stays refused */
	r = lua(c, ha_lease_renew_lua, "box-A:5", "5", "600");
	assert_int_equal(r->element[0]->integer, 1);
	assert_int_equal(r->element[1]->integer, 5);
	freeReplyObject(r);
	r = lua(c, ha_lease_acquire_lua, "box-B", "600", "5");
	assert_int_equal(r->element[0]->integer, 0);
	assert_string_equal(r->element[1]->str, "box-A:5");
	freeReplyObject(r);

	/* Redis empty again and A dead this time: refused once, then B takes
	 * a token past every one given before */
	cmd(c, "FLUSHALL", NULL);
	r = lua(c, ha_lease_acquire_lua, "box-B", "600", "5");
	assert_int_equal(r->element[0]->integer, 0);
	freeReplyObject(r);
	r = lua(c, ha_lease_acquire_lua, "box-B", "600", "5");
	assert_int_equal(r->element[0]->integer, 1);
	assert_int_equal(r->element[1]->integer, 6);
	freeReplyObject(r);

	/* a counter behind the floor (a replica promoted behind): raised
	 * first, no token given twice */
	cmd(c, "FLUSHALL", NULL);
	cmd(c, "SET tp:ha:token %s", "3");
	r = lua(c, ha_lease_acquire_lua, "box-B", "600", "9");
	assert_int_equal(r->element[0]->integer, 1);
	assert_int_equal(r->element[1]->integer, 10);
	freeReplyObject(r);

	redisFree(c);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	lua_redis = 0;
	unlink(sock);
	unlink(pidf);
	rmdir(dir);
}

/* An acquire refused with a PTTL of -2 (the key gone between the
 * script's GET and PTTL): free now, asked for again at once, not a lease
 * later, and no clamp counted. Before the fix (issue 69) it waited a
 * whole lease. */
static void
test_ha_pttl_key_gone_asks_again_at_once(void **state)
{
	(void)state;
	start(TP_HA_ROLE_AUTO, 1000);
	step(2000);
	assert_int_equal(redis.sent, 1);
	cp.now_ms = 2003;
	answer_pttl("box-b:3", -2);
	assert_int_equal(ha.role.state, HA_STANDBY);
	assert_int_equal(ha.role.st.pttl_clamped, 0);
	step(2003);
	assert_int_equal(redis.sent, 2);
	assert_string_equal(redis.script, ha_lease_acquire_lua);
	cp.now_ms = 2006;
	answer(1, 4, NULL);
	assert_int_equal(ha.role.state, HA_ACTIVE);
}

/* ---- a slow Redis: a model of the key, answers a round trip late ------ */

#define SLOW_MAX 16

static struct {
	uint64_t rtt;                 /* sent to answered; executed at rtt/2 */
	char holder[64];              /* the key's value, "" when absent */
	uint64_t expires;             /* the key's expiry (Redis' clock = ours) */
	uint64_t counter;             /* the token counter */
	unsigned int n;
	struct {
		uint64_t sent;
		bool done;            /* executed: the answer below */
		redisCallbackFn *fn;
		void *priv;
		char script[1024];
		char arg5[64];
		int held;
		long long token, pttl;
		char ans_holder[64];
	} q[SLOW_MAX];
} slow;

/* cp/ha's asks recorded; each executed by the model at sent + rtt/2 and
 * answered at sent + rtt (in order: one link). */
static void
slow_step(uint64_t now)
{
	unsigned int n = redis.sent;

	step(now);
	if (redis.sent != n) {
		assert_true(slow.n < SLOW_MAX);
		slow.q[slow.n].sent = now;
		slow.q[slow.n].done = false;
		slow.q[slow.n].fn = redis.fn;
		slow.q[slow.n].priv = redis.priv;
		snprintf(slow.q[slow.n].script, sizeof(slow.q[0].script), "%s", redis.script);
		snprintf(slow.q[slow.n].arg5, sizeof(slow.q[0].arg5), "%s", redis.argv[5]);
		slow.n++;
	}
	if (slow.holder[0] != '\0' && now >= slow.expires)
		slow.holder[0] = '\0';
	for (unsigned int i = 0; i < slow.n; i++) {
		if (slow.q[i].done || now < slow.q[i].sent + slow.rtt / 2)
			continue;
		slow.q[i].done = true;
		slow.q[i].ans_holder[0] = '\0';
		if (strcmp(slow.q[i].script, ha_lease_acquire_lua) == 0) {
			if (slow.holder[0] == '\0') {
				slow.counter++;
				snprintf(slow.holder, sizeof(slow.holder), "%s:%" PRIu64,
					 slow.q[i].arg5, slow.counter);
				slow.expires = now + ha.role.lease_ms;
				slow.q[i].held = 1;
				slow.q[i].token = (long long)slow.counter;
			} else {
				slow.q[i].held = 0;
				slow.q[i].pttl = (long long)(slow.expires - now);
				snprintf(slow.q[i].ans_holder, sizeof(slow.q[0].ans_holder), "%s",
					 slow.holder);
			}
		} else {
			assert_string_equal(slow.q[i].script, ha_lease_renew_lua);
			if (strcmp(slow.holder, slow.q[i].arg5) == 0) {
				slow.expires = now + ha.role.lease_ms;
				slow.q[i].held = 1;
				slow.q[i].token = (long long)slow.counter;
			} else {
				slow.q[i].held = 0;
				snprintf(slow.q[i].ans_holder, sizeof(slow.q[0].ans_holder), "%s",
					 slow.holder);
			}
		}
	}
	while (slow.n > 0 && slow.q[0].done && now >= slow.q[0].sent + slow.rtt) {
		redis.fn = slow.q[0].fn;
		redis.priv = slow.q[0].priv;
		cp.now_ms = now;
		if (slow.q[0].held)
			answer(1, slow.q[0].token, NULL);
		else if (strcmp(slow.q[0].script, ha_lease_acquire_lua) == 0)
			answer_pttl(slow.q[0].ans_holder, slow.q[0].pttl);
		else
			answer(0, 0, slow.q[0].ans_holder);
		memmove(&slow.q[0], &slow.q[1], (slow.n - 1) * sizeof(slow.q[0]));
		slow.n--;
	}
}

/* A Redis round trip of 200 ms at lease 600 (over lease/4): the standby's
 * acquire, which Redis did, is answered late and still counts; the box
 * active, its renews answered as late keep its lease. Before the fix
 * (issue 69) an ask was given up after lease/4 and asked again at once:
 * the acquire's answer was dropped, every later acquire was refused by
 * the box's own key, and nobody relayed. */
static void
test_ha_slow_redis_takeover_completes(void **state)
{
	uint64_t t, active_at = 0;

	(void)state;
	memset(&slow, 0, sizeof(slow));
	slow.rtt = 200;
	slow.counter = 4;
	start_lease(TP_HA_ROLE_AUTO, 1000, 600);
	for (t = 1000; t < 12000; t++) {
		slow_step(t);
		if (active_at == 0 && ha.role.state == HA_ACTIVE)
			active_at = t;
		if (active_at != 0) {
			assert_int_equal(ha.role.state, HA_ACTIVE);
			assert_true(ipc_ha_active(&seg, t));
		}
	}
	assert_true(active_at != 0);
	assert_true(active_at <= 1000 + 600 + 200);   /* a lease listening, a round trip */
	assert_int_equal(ha.role.token, 5);
	assert_int_equal(ha.role.st.fenced, 0);
	assert_int_equal(ha.role.st.lease_unanswered, 0);
	assert_true(ha.role.st.renewed > 40);
	assert_string_equal(slow.holder, "box-a:5");
}

/* A cp (re)started with ha.role "active" listens a lease before asking,
 * as any: its predecessor may have promised the peer (a heartbeat that
 * asked for its word) to ask for no lease until a lease after it. It
 * needs no quiet spell of its own: it asks as that lease ends; an active
 * peer heard meanwhile keeps it passive. Before the fix (issue 69) it
 * asked at once: two active boxes for up to a lease. */
static void
test_ha_active_start_keeps_the_predecessors_promise(void **state)
{
	uint64_t t;

	(void)state;
	start(TP_HA_ROLE_ACTIVE, 5000);
	for (t = 5000; t < 5000 + LEASE; t++)
		step(t);
	assert_int_equal(redis.sent, 0);
	step(5000 + LEASE);
	assert_int_equal(redis.sent, 1);
	assert_string_equal(redis.script, ha_lease_acquire_lua);
	answer(1, 9, NULL);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	/* an active peer heard within that lease: no acquire */
	setup(NULL);
	start(TP_HA_ROLE_ACTIVE, 5000);
	for (t = 5000; t <= 5000 + 2 * LEASE; t++) {
		unsigned int n = redis.sent;

		if (t % 100 == 50)
			hb(HA_ACTIVE, 3, 0, t);
		step(t);
		if (redis.sent != n) {
			assert_string_equal(redis.script, ha_lease_probe_lua);
			answer(0, 0, "box-b:3");
		}
	}
	assert_int_equal(ha.role.state, HA_STANDBY);
	assert_true(strcmp(redis.script, ha_lease_acquire_lua) != 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ha_acquire, setup),
		cmocka_unit_test_setup(test_ha_acquire_refused_stays_standby, setup),
		cmocka_unit_test_setup(test_ha_renew, setup),
		cmocka_unit_test_setup(test_ha_fenced_on_a_foreign_holder, setup),
		cmocka_unit_test_setup(test_ha_redis_silent_peer_vouching_keeps_active, setup),
		cmocka_unit_test_setup(test_ha_redis_and_peer_silent_fences_at_the_deadline,
				       setup),
		cmocka_unit_test_setup(test_ha_standby_never_acquires_while_it_hears_heartbeats,
				       setup),
		cmocka_unit_test_setup(test_ha_segment_fence_follows, setup),
		cmocka_unit_test_setup(test_ha_lease_read_checks_the_reply, setup),
		cmocka_unit_test_setup(test_ha_only_the_lease_verifies_a_token, setup),
		cmocka_unit_test_setup(test_ha_switchover_yield_and_release, setup),
		cmocka_unit_test_setup(test_ha_switchover_take_at_once, setup),
		cmocka_unit_test_setup(test_ha_higher_unverified_token_asks_redis_first, setup),
		cmocka_unit_test_setup(test_ha_standby_hearing_active_asks_redis_past_the_lease,
				       setup),
		cmocka_unit_test_setup(test_ha_takeover_lands_at_the_key_expiry, setup),
		cmocka_unit_test_setup(test_ha_vouch_asked_binds_the_standby, setup),
		cmocka_unit_test_setup(test_ha_active_takes_the_word_only_when_asked, setup),
		cmocka_unit_test_setup(test_ha_pttl_over_the_lease_clamped, setup),
		cmocka_unit_test_teardown(test_ha_lease_scripts_on_redis_that_lost_its_data,
					  lua_teardown),
		cmocka_unit_test_setup(test_ha_slow_redis_takeover_completes, setup),
		cmocka_unit_test_setup(test_ha_active_start_keeps_the_predecessors_promise, setup),
		cmocka_unit_test_setup(test_ha_pttl_key_gone_asks_again_at_once, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
