/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's 401 against cp's: a request without integrity is
 * answered by dp with the challenge cp would send. The whole chain as the
 * processes run it, DPDK aside: cp's auth module (cp/auth) exports its
 * nonce block, cp publishes it in a real segment (lib/ipc), a dp worker
 * copies it and keys its maker from it (dp/turn/turn_admit.c), sorts the
 * request into the challenge lane and builds its 401 (lib/nonce) with a
 * CRC-32 of its own for FINGERPRINT (dp uses DPDK's; here a bitwise one).
 * Given the same salt, the two answers are the same bytes; a nonce dp
 * gave authenticates at cp, and one cp gave is routable in dp.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "auth.h"
#include "ipc.h"
#include "nonce.h"
#include "stun.h"
#include "turn_admit.h"

#define REALM "example.org"
#define SW    "turnpike test"
#define NOW_S 7000u

static char seg_name[64];

/* CRC-32 (IEEE 802.3, reflected), bit by bit: not zlib's, not DPDK's. */
static uint32_t
crc32_bitwise(const uint8_t *buf, size_t len)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= buf[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

struct fx {
	struct cp_auth *a;
	struct ipc_seg seg;
	struct nonce_ctx dp;          /* a dp worker's maker */
	struct turn_admit ad;
	struct cp_auth_peer from;
};

static struct fx fx;

static int
setup(void **state)
{
	struct cp_auth_conf ac = { .realm = REALM, .software = SW };
	struct turn_admit_conf tc = { 10, 20, 10, 20 };
	static const uint8_t key[16] = { 3 };
	static struct ipc_nonce n, copy;
	bool created;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	snprintf(seg_name, sizeof(seg_name), "/tp-test-chal-%d", (int)getpid());
	ipc_seg_unlink(seg_name);
	fx.a = cp_auth_init(&ac);
	assert_non_null(fx.a);
	assert_int_equal(cp_auth_user_add(fx.a, "alice", "wonderland"), 0);
	assert_int_equal(ipc_seg_open(&fx.seg, seg_name, 1, geteuid(), &created), 0);
	/* cp: a new epoch, then the block, then (not here) ready */
	cp_auth_nonce_export(fx.a, &n);
	ipc_nonce_publish(fx.seg.shm, &n,
			  __atomic_add_fetch(&fx.seg.shm->cp_epoch, 1, __ATOMIC_RELEASE));
	/* dp: the copy for the epoch that serves, the maker keyed from it */
	assert_int_equal(nonce_ctx_init(&fx.dp), 0);
	fx.dp.crc32 = crc32_bitwise;
	assert_int_equal(ipc_nonce_copy(fx.seg.shm, fx.seg.shm->cp_epoch, &copy), 0);
	assert_int_equal(turn_admit_nonce_load(&fx.dp, &copy), 0);
	turn_admit_init(&fx.ad, &tc, key);
	memset(&fx.from, 0, sizeof(fx.from));
	fx.from.addr.family = STUN_AF_IPV4;
	fx.from.addr.port = 40000;
	memcpy(fx.from.addr.ip, (const uint8_t[]){ 192, 0, 2, 10 }, 4);
	fx.from.transport = STUN_TRANSPORT_UDP;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nonce_ctx_fini(&fx.dp);
	ipc_seg_close(&fx.seg);
	ipc_seg_unlink(seg_name);
	cp_auth_free(fx.a);
	return 0;
}

static int
build(uint8_t *buf, size_t cap, uint16_t method, const char *nonce,
      const uint8_t *key, size_t key_len, struct stun_msg *m)
{
	uint8_t tid[STUN_TID_LEN] = { 0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	struct stun_builder b;
	int n;

	stun_build_init(&b, buf, cap, stun_msg_type(method, STUN_CLASS_REQUEST), tid);
	if (method == STUN_METHOD_ALLOCATE)
		stun_build_transport(&b, STUN_TRANSPORT_UDP);
	else
		stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);
	if (nonce != NULL) {
		stun_build_str(&b, STUN_ATTR_USERNAME, "alice");
		stun_build_str(&b, STUN_ATTR_REALM, REALM);
		stun_build_str(&b, STUN_ATTR_NONCE, nonce);
		stun_build_integrity(&b, key, key_len);
	}
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	assert_true(n > 0);
	assert_int_equal(stun_msg_parse(m, buf, (size_t)n, NULL), 0);
	return n;
}

/* cp's answer (its verdict, its builder) and dp's (its lane, its builder)
 * to the same request from the same client at the same time. */
static void
both_answers(uint16_t method, uint8_t *cp_out, int *cp_n, uint8_t *dp_out,
	     int *dp_n)
{
	uint8_t req[512];
	struct stun_msg m;
	struct cp_auth_result res;

	build(req, sizeof(req), method, NULL, NULL, 0, &m);
	assert_int_equal(turn_admit_lane(&fx.ad, &fx.dp, &m, false, &fx.from.addr,
					 STUN_TRANSPORT_UDP, NOW_S), TURN_LANE_CHALLENGE);
	/* the same salt: the nonces are then the same bytes too */
	fx.dp.salt = cp_auth_nonce_ctx(fx.a)->salt;
	*dp_n = nonce_challenge_build(&fx.dp, STUN_ERR_UNAUTHENTICATED, m.method, m.tid,
				      &fx.from.addr, STUN_TRANSPORT_UDP, NOW_S, dp_out,
				      512);
	assert_int_equal(cp_auth_check(fx.a, &m, &fx.from, NOW_S, NOW_S, &res), 401);
	*cp_n = cp_auth_build_challenge(fx.a, &m, &res, &fx.from, NOW_S, cp_out, 512);
}

static void
test_turn_challenge_dp_401_is_cps(void **state)
{
	static const uint16_t methods[] = { STUN_METHOD_ALLOCATE, STUN_METHOD_REFRESH };
	uint8_t c[512], d[512];
	int cn, dn;
	struct stun_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		both_answers(methods[i], c, &cn, d, &dn);
		assert_true(cn > 0);
		assert_int_equal(cn, dn);
		assert_memory_equal(c, d, (size_t)cn);
		/* and it is the challenge RFC 8489 §9.2.4 describes */
		assert_int_equal(stun_msg_parse(&m, d, (size_t)dn, NULL), 0);
		assert_int_equal(m.cls, STUN_CLASS_ERROR);
		assert_int_equal(m.method, methods[i]);
		assert_non_null(stun_msg_find(&m, STUN_ATTR_REALM));
		assert_non_null(stun_msg_find(&m, STUN_ATTR_NONCE));
		assert_non_null(stun_msg_find(&m, STUN_ATTR_PASSWORD_ALGORITHMS));
		assert_non_null(stun_msg_find(&m, STUN_ATTR_SOFTWARE));
		assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);
	}
}

static void
nonce_of(const uint8_t *resp, int n, char *out)
{
	struct stun_msg m;
	const struct stun_attr *na;

	assert_int_equal(stun_msg_parse(&m, resp, (size_t)n, NULL), 0);
	na = stun_msg_find(&m, STUN_ATTR_NONCE);
	assert_non_null(na);
	assert_int_equal(na->len, NONCE_LEN);
	memcpy(out, na->value, na->len);
	out[na->len] = '\0';
}

/* The nonce dp put in its 401 authenticates at cp (the client's second
 * Allocate), and is routable in dp; cp's own nonce is routable in dp. */
static void
test_turn_challenge_nonces_cross(void **state)
{
	uint8_t c[512], d[512], req[512], key[32];
	char dn_nonce[NONCE_LEN + 1], cp_nonce[NONCE_LEN + 1];
	struct cp_auth_result res;
	struct stun_msg m;
	int cn, dn, klen;

	(void)state;
	both_answers(STUN_METHOD_ALLOCATE, c, &cn, d, &dn);
	fx.dp.salt += 1000;       /* a nonce of dp's that cp never made */
	dn = nonce_challenge_build(&fx.dp, STUN_ERR_UNAUTHENTICATED,
				   STUN_METHOD_ALLOCATE, (const uint8_t *)"abcdefghijkl",
				   &fx.from.addr, STUN_TRANSPORT_UDP, NOW_S, d, sizeof(d));
	nonce_of(d, dn, dn_nonce);
	nonce_of(c, cn, cp_nonce);
	assert_string_not_equal(dn_nonce, cp_nonce);
	klen = stun_key_long_term(STUN_PWALG_MD5, "alice", REALM, "wonderland", key);
	assert_int_equal(klen, 16);
	build(req, sizeof(req), STUN_METHOD_ALLOCATE, dn_nonce, key, (size_t)klen, &m);
	assert_int_equal(cp_auth_check(fx.a, &m, &fx.from, NOW_S + 5, NOW_S, &res), 0);
	assert_int_equal(turn_admit_lane(&fx.ad, &fx.dp, &m, false, &fx.from.addr,
					 STUN_TRANSPORT_UDP, NOW_S + 5), TURN_LANE_ROUTABLE);
	build(req, sizeof(req), STUN_METHOD_ALLOCATE, cp_nonce, key, (size_t)klen, &m);
	assert_int_equal(turn_admit_lane(&fx.ad, &fx.dp, &m, false, &fx.from.addr,
					 STUN_TRANSPORT_UDP, NOW_S + 5), TURN_LANE_ROUTABLE);
	assert_int_equal(cp_auth_check(fx.a, &m, &fx.from, NOW_S + 5, NOW_S, &res), 0);
}

/* A restarted cp (a new epoch, a new key): the old block is not taken
 * for the new epoch, and the new key refuses the old cp's nonces, in cp
 * and in dp alike (438 from cp, the other lane in dp). */
static void
test_turn_challenge_new_cp_new_key(void **state)
{
	struct cp_auth_conf ac = { .realm = REALM, .software = SW };
	static struct ipc_nonce n, copy;
	struct cp_auth *b = cp_auth_init(&ac);
	uint8_t d[512], req[512], key[32];
	char old[NONCE_LEN + 1];
	struct cp_auth_result res;
	struct stun_msg m;
	uint64_t epoch;
	int dn;

	(void)state;
	assert_non_null(b);
	assert_int_equal(cp_auth_user_add(b, "alice", "wonderland"), 0);
	dn = nonce_challenge_build(&fx.dp, STUN_ERR_UNAUTHENTICATED,
				   STUN_METHOD_ALLOCATE, (const uint8_t *)"abcdefghijkl",
				   &fx.from.addr, STUN_TRANSPORT_UDP, NOW_S, d, sizeof(d));
	nonce_of(d, dn, old);
	epoch = __atomic_add_fetch(&fx.seg.shm->cp_epoch, 1, __ATOMIC_RELEASE);
	assert_int_equal(ipc_nonce_copy(fx.seg.shm, epoch, &copy), -EAGAIN);
	cp_auth_nonce_export(b, &n);
	ipc_nonce_publish(fx.seg.shm, &n, epoch);
	assert_int_equal(ipc_nonce_copy(fx.seg.shm, epoch - 1, &copy), -EAGAIN);
	assert_int_equal(ipc_nonce_copy(fx.seg.shm, epoch, &copy), 0);
	assert_int_equal(turn_admit_nonce_load(&fx.dp, &copy), 0);
	stun_key_long_term(STUN_PWALG_MD5, "alice", REALM, "wonderland", key);
	build(req, sizeof(req), STUN_METHOD_ALLOCATE, old, key, 16, &m);
	assert_int_equal(cp_auth_check(b, &m, &fx.from, NOW_S, NOW_S, &res), 438);
	assert_int_equal(turn_admit_lane(&fx.ad, &fx.dp, &m, false, &fx.from.addr,
					 STUN_TRANSPORT_UDP, NOW_S), TURN_LANE_OTHER);
	cp_auth_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_turn_challenge_dp_401_is_cps,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_challenge_nonces_cross,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_challenge_new_cp_new_key,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
