/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn/turn_admit.c: what goes to cp (admission control).
 * Lanes: a request without integrity is answered in dp (a 401), one on an
 * existing allocation always goes ahead, one whose nonce is ours and the
 * client's (return-routable) has most of the ring and a budget per source
 * under pressure, anything else a small share and a budget always. A
 * spoofed flood in the other lane spends no routable budget. Challenges
 * have a budget per source; budgets refill at their rate; an IPv6 /64 is
 * one source.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ipc_types.h"
#include "nonce.h"
#include "stun.h"
#include "turn_admit.h"

static struct turn_admit ad;
static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t flood[4] = { 198, 51, 100, 7 }, user[4] = { 203, 0, 113, 9 };
static const struct turn_admit_conf conf = {
	.admit_rate = 10, .admit_burst = 20,
	.challenge_rate = 5, .challenge_burst = 8,
};

#define PRESSED TURN_ADMIT_PRESSURE       /* the ring an eighth full */

static void
test_turn_admit_existing_always_goes_ahead(void **state)
{
	(void)state;
	turn_admit_init(&ad, &conf, key);
	for (int i = 0; i < 1000; i++)
		assert_true(turn_admit(&ad, TURN_LANE_EXISTING, 4, flood, 1023, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_EXISTING], 1000);
}

static void
test_turn_admit_lanes_stop_at_their_share(void **state)
{
	(void)state;
	turn_admit_init(&ad, &conf, key);
	assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, user,
			       TURN_ADMIT_ROUTABLE_MAX - 1, 1000));
	assert_false(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, user,
				TURN_ADMIT_ROUTABLE_MAX, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_DROP_ROUTABLE_LANE], 1);
	assert_true(turn_admit(&ad, TURN_LANE_OTHER, 4, user,
			       TURN_ADMIT_OTHER_MAX - 1, 1000));
	assert_false(turn_admit(&ad, TURN_LANE_OTHER, 4, user,
				TURN_ADMIT_OTHER_MAX, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_DROP_OTHER_LANE], 1);
	/* the other lane never reaches the pressure mark */
	assert_true(TURN_ADMIT_OTHER_MAX <= TURN_ADMIT_PRESSURE);
	assert_true(TURN_ADMIT_PRESSURE < TURN_ADMIT_ROUTABLE_MAX);
}

static void
test_turn_admit_routable_budget_only_under_pressure(void **state)
{
	(void)state;
	turn_admit_init(&ad, &conf, key);
	/* no pressure: a NAT over its budget is still served */
	for (int i = 0; i < 500; i++)
		assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, 0, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_ROUTABLE], 20);
	assert_int_equal(ad.ctr[TURN_ADMIT_ROUTABLE_OVER_BUDGET], 480);
	/* pressure: the heavy source waits, the other source goes on */
	for (int i = 0; i < 500; i++)
		assert_false(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_DROP_ROUTABLE_BUDGET], 500);
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, user, PRESSED, 1000));
	assert_false(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, user, PRESSED, 1000));
}

static void
test_turn_admit_other_budget_always(void **state)
{
	(void)state;
	turn_admit_init(&ad, &conf, key);
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, TURN_LANE_OTHER, 4, flood, 0, 1000));
	/* an empty ring, and still dropped */
	assert_false(turn_admit(&ad, TURN_LANE_OTHER, 4, flood, 0, 1000));
	assert_int_equal(ad.ctr[TURN_ADMIT_OTHER], 20);
	assert_int_equal(ad.ctr[TURN_ADMIT_DROP_OTHER_BUDGET], 1);
	assert_true(turn_admit(&ad, TURN_LANE_OTHER, 4, user, 0, 1000));
}

/* The point of return routability: a flood that spoofs its victim's
 * address (other lane: it holds no nonce of the victim's) leaves the
 * victim's routable budget whole, even under pressure. */
static void
test_turn_admit_spoofed_flood_spends_no_routable_budget(void **state)
{
	(void)state;
	turn_admit_init(&ad, &conf, key);
	for (int i = 0; i < 10000; i++)
		turn_admit(&ad, TURN_LANE_OTHER, 4, user, 0, 1000);
	assert_false(turn_admit(&ad, TURN_LANE_OTHER, 4, user, 0, 1000));
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, user, PRESSED, 1000));
	/* and the challenge budget is its own too */
	for (int i = 0; i < 8; i++)
		assert_true(turn_admit_challenge(&ad, 4, user, 1000));
}

static void
test_turn_admit_challenge_budget_per_source(void **state)
{
	(void)state;
	turn_admit_init(&ad, &conf, key);
	for (int i = 0; i < 8; i++)
		assert_true(turn_admit_challenge(&ad, 4, flood, 1000));
	assert_false(turn_admit_challenge(&ad, 4, flood, 1000));
	assert_true(turn_admit_challenge(&ad, 4, user, 1000));
	/* 5 a second: 200 ms later, one more */
	assert_true(turn_admit_challenge(&ad, 4, flood, 1200));
	assert_false(turn_admit_challenge(&ad, 4, flood, 1200));
	assert_int_equal(ad.ctr[TURN_ADMIT_CHALLENGES], 10);
	assert_int_equal(ad.ctr[TURN_ADMIT_CHALLENGES_DROPPED], 2);
}

static void
test_turn_admit_budget_refills_at_its_rate(void **state)
{
	(void)state;
	turn_admit_init(&ad, &conf, key);
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED, 5000));
	assert_false(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED, 5000));
	/* 10 per second: 0.5 s gives 5 */
	for (int i = 0; i < 5; i++)
		assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED, 5500));
	assert_false(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED, 5500));
	/* a long idle time fills it to the burst, no more */
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED, 600000));
	assert_false(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED, 600000));
	/* across the 32-bit millisecond wrap */
	turn_admit_init(&ad, &conf, key);
	for (int i = 0; i < 20; i++)
		assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED,
				       0xFFFFFF00ull));
	assert_false(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED, 0xFFFFFF00ull));
	assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 4, flood, PRESSED,
			       0x100000000ull + 0x100));
}

static void
test_turn_admit_ipv6_64_is_one_source(void **state)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2 }, b[16];
	unsigned int other = 0;

	(void)state;
	turn_admit_init(&ad, &conf, key);
	for (int i = 0; i < 20; i++) {
		a[15] = (uint8_t)i;                  /* any host of the /64 */
		assert_true(turn_admit(&ad, TURN_LANE_ROUTABLE, 6, a, PRESSED, 1000));
	}
	a[15] = 99;
	assert_false(turn_admit(&ad, TURN_LANE_ROUTABLE, 6, a, PRESSED, 1000));
	/* other /64s have budgets of their own (bar a rare shared bucket) */
	memcpy(b, a, 16);
	for (int i = 0; i < 64; i++) {
		b[7] = (uint8_t)(3 + i);
		other += turn_admit(&ad, TURN_LANE_ROUTABLE, 6, b, PRESSED, 1000);
	}
	assert_true(other >= 60);
}

/* ---- lanes -------------------------------------------------------------- */

#define NOW_S 5000u
static const uint8_t nkey[NONCE_KEY_LEN] = { 7, 7, 7 };
static uint8_t mbuf[1024];

static struct stun_addr
client(uint16_t port)
{
	struct stun_addr a;

	memset(&a, 0, sizeof(a));
	a.family = STUN_AF_IPV4;
	a.port = port;
	memcpy(a.ip, user, 4);
	return a;
}

/* An Allocate as a client sends it: with a NONCE (nonce non-NULL), with
 * MESSAGE-INTEGRITY (any key: dp never checks it), with an unknown
 * comprehension-required attribute. */
static void
request(struct stun_msg *m, const char *nonce, bool mi, bool mi256, bool unknown)
{
	static const uint8_t mikey[16] = { 1 };
	uint8_t tid[STUN_TID_LEN] = { 1, 2, 3 };
	struct stun_builder b;
	int n;

	stun_build_init(&b, mbuf, sizeof(mbuf),
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST), tid);
	stun_build_transport(&b, STUN_TRANSPORT_UDP);
	if (unknown)
		stun_build_u32(&b, 0x7abc, 1);
	if (nonce != NULL) {
		stun_build_str(&b, STUN_ATTR_USERNAME, "alice");
		stun_build_str(&b, STUN_ATTR_REALM, "example.org");
		stun_build_str(&b, STUN_ATTR_NONCE, nonce);
	}
	if (mi)
		stun_build_integrity(&b, mikey, sizeof(mikey));
	if (mi256)
		stun_build_integrity_sha256(&b, mikey, sizeof(mikey));
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	assert_true(n > 0);
	assert_int_equal(stun_msg_parse(m, mbuf, (size_t)n, NULL), 0);
}

static void
test_turn_admit_lane_of_each_request(void **state)
{
	struct nonce_ctx nc;
	struct stun_addr me = client(40000), other = client(40001);
	char mine[NONCE_LEN + 1], theirs[NONCE_LEN + 1], old[NONCE_LEN + 1];
	char ancient[NONCE_LEN + 1];
	struct stun_msg m;

	(void)state;
	turn_admit_init(&ad, &conf, key);
	assert_int_equal(nonce_ctx_init(&nc), 0);
	assert_int_equal(nonce_ctx_set(&nc, nkey, NONCE_FEAT_PASSWORD_ALGORITHMS, 600,
				       "example.org", 11, NULL, 0), 0);
	assert_int_equal(nonce_make(&nc, &me, STUN_TRANSPORT_UDP, NOW_S, mine), 45);
	assert_int_equal(nonce_make(&nc, &other, STUN_TRANSPORT_UDP, NOW_S, theirs), 45);
	assert_int_equal(nonce_make(&nc, &me, STUN_TRANSPORT_UDP, NOW_S - 900, old), 45);
	assert_int_equal(nonce_make(&nc, &me, STUN_TRANSPORT_UDP, NOW_S - 1300, ancient), 45);

	/* RFC 8489 §9.2.4: no integrity, answered here (existing or not) */
	request(&m, NULL, false, false, false);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_CHALLENGE);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, true, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_CHALLENGE);
	request(&m, mine, false, false, false);   /* a nonce is no integrity */
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_CHALLENGE);
	/* ... with an unknown comprehension-required attribute too: those
	 * are judged after authentication (RFC 8489 §6.3), by cp */
	request(&m, NULL, false, false, true);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_CHALLENGE);
	/* ... or dp has no key (cp answers the 401 itself) */
	request(&m, NULL, false, false, false);
	assert_int_equal(turn_admit_lane(&ad, NULL, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);

	/* with integrity: the nonce decides */
	request(&m, mine, true, false, false);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_ROUTABLE);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, true, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_EXISTING);
	assert_int_equal(turn_admit_lane(&ad, NULL, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);
	request(&m, mine, false, true, false);    /* MI-SHA256 alone */
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_ROUTABLE);
	/* another client's nonce (a spoofer copies one it got) */
	request(&m, theirs, true, false, false);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);
	/* stale by less than a lifetime: still routable (cp answers 438) */
	request(&m, old, true, false, false);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_ROUTABLE);
	assert_int_equal(ad.ctr[TURN_ADMIT_ROUTABLE_STALE], 1);
	request(&m, ancient, true, false, false);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);
	/* no NONCE, a forged one */
	request(&m, NULL, true, false, false);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);
	mine[30] = mine[30] == 'A' ? 'B' : 'A';
	request(&m, mine, true, false, false);
	assert_int_equal(turn_admit_lane(&ad, &nc, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);
	nonce_ctx_fini(&nc);
}

/* Tenants: each worker keys a nonce maker per tenant from cp's block
 * (turn_admit_nonce_load_tenant()); a nonce made at one tenant's address
 * is foreign under another's maker and the default's, and the other way
 * round; each challenge names its tenant's realm; a tenant the block does
 * not have is refused, not read past the block's count. */
static void
test_turn_admit_tenant_nonce_is_foreign_elsewhere(void **state)
{
	static struct ipc_nonce blk;
	struct nonce_ctx def, ta, tb;
	struct stun_addr me = client(40000);
	char at_a[NONCE_LEN + 1], at_def[NONCE_LEN + 1];
	uint8_t out[NONCE_CHALLENGE_MAX], tid[STUN_TID_LEN] = { 9 };
	struct stun_msg m, ch;
	const struct stun_attr *r;
	int n;

	(void)state;
	turn_admit_init(&ad, &conf, key);
	memset(&blk, 0, sizeof(blk));
	memcpy(blk.key, nkey, sizeof(nkey));
	blk.features = NONCE_FEAT_PASSWORD_ALGORITHMS;
	blk.lifetime_s = 600;
	blk.realm_len = 11;
	memcpy(blk.realm, "example.org", 11);
	blk.ntenants = 2;
	blk.tenant[0].len = 9;
	memcpy(blk.tenant[0].realm, "a.example", 9);
	blk.tenant[1].len = 9;
	memcpy(blk.tenant[1].realm, "b.example", 9);
	assert_int_equal(nonce_ctx_init(&def), 0);
	assert_int_equal(nonce_ctx_init(&ta), 0);
	assert_int_equal(nonce_ctx_init(&tb), 0);
	assert_int_equal(turn_admit_nonce_load(&def, &blk), 0);
	assert_int_equal(turn_admit_nonce_load_tenant(&ta, &blk, 1), 0);
	assert_int_equal(turn_admit_nonce_load_tenant(&tb, &blk, 2), 0);
	assert_int_equal(turn_admit_nonce_load_tenant(&tb, &blk, 3), -EINVAL);
	assert_int_equal(turn_admit_nonce_load_tenant(&tb, &blk, 0), -EINVAL);
	assert_false(tb.keyed);
	assert_int_equal(turn_admit_nonce_load_tenant(&tb, &blk, 2), 0);
	assert_string_equal(ta.realm, "a.example");
	assert_memory_not_equal(ta.key, def.key, NONCE_KEY_LEN);
	assert_memory_not_equal(ta.key, tb.key, NONCE_KEY_LEN);

	assert_int_equal(nonce_make(&ta, &me, STUN_TRANSPORT_UDP, NOW_S, at_a), 45);
	assert_int_equal(nonce_make(&def, &me, STUN_TRANSPORT_UDP, NOW_S, at_def), 45);
	request(&m, at_a, true, false, false);
	assert_int_equal(turn_admit_lane(&ad, &ta, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_ROUTABLE);
	assert_int_equal(turn_admit_lane(&ad, &tb, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);
	assert_int_equal(turn_admit_lane(&ad, &def, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);
	request(&m, at_def, true, false, false);
	assert_int_equal(turn_admit_lane(&ad, &def, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_ROUTABLE);
	assert_int_equal(turn_admit_lane(&ad, &ta, &m, false, &me, STUN_TRANSPORT_UDP,
					 NOW_S), TURN_LANE_OTHER);

	/* the challenge at b's address names b's realm */
	n = nonce_challenge_build(&tb, STUN_ERR_UNAUTHENTICATED, STUN_METHOD_ALLOCATE, tid,
				  &me, STUN_TRANSPORT_UDP, NOW_S, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(stun_msg_parse(&ch, out, (size_t)n, NULL), 0);
	r = stun_msg_find(&ch, STUN_ATTR_REALM);
	assert_non_null(r);
	assert_int_equal(r->len, 9);
	assert_memory_equal(r->value, "b.example", 9);
	nonce_ctx_fini(&def);
	nonce_ctx_fini(&ta);
	nonce_ctx_fini(&tb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turn_admit_existing_always_goes_ahead),
		cmocka_unit_test(test_turn_admit_lanes_stop_at_their_share),
		cmocka_unit_test(test_turn_admit_routable_budget_only_under_pressure),
		cmocka_unit_test(test_turn_admit_other_budget_always),
		cmocka_unit_test(test_turn_admit_spoofed_flood_spends_no_routable_budget),
		cmocka_unit_test(test_turn_admit_challenge_budget_per_source),
		cmocka_unit_test(test_turn_admit_budget_refills_at_its_rate),
		cmocka_unit_test(test_turn_admit_ipv6_64_is_one_source),
		cmocka_unit_test(test_turn_admit_lane_of_each_request),
		cmocka_unit_test(test_turn_admit_tenant_nonce_is_foreign_elsewhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
