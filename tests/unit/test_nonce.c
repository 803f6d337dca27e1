/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/nonce: the stateless nonces cp and dp share. A nonce is
 * exactly the documented recipe (cookie, features, base64 of expiry ||
 * salt || HMAC-SHA256 truncated, recomputed here with OpenSSL's one-shot
 * HMAC()); two makers with the same key (cp's and a dp worker's) make the
 * same bytes and accept each other's nonces; a nonce for another address,
 * port, family or transport, under another key, tampered, bid down or
 * expired is refused; the challenge carries the attributes in cp's order
 * and the same bytes whichever CRC-32 computes its FINGERPRINT.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "nonce.h"
#include "stun.h"

#define NOW 1000000ull          /* CLOCK_MONOTONIC seconds: any */
#define REALM "example.org"
#define SW "turnpike test"

static const uint8_t key1[NONCE_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const uint8_t key2[NONCE_KEY_LEN] = { 2, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static struct stun_addr
addr4(uint8_t last, uint16_t port)
{
	struct stun_addr a;

	memset(&a, 0, sizeof(a));
	a.family = STUN_AF_IPV4;
	a.port = port;
	a.ip[0] = 192;
	a.ip[1] = 0;
	a.ip[2] = 2;
	a.ip[3] = last;
	return a;
}

static struct stun_addr
addr6(uint8_t last, uint16_t port)
{
	struct stun_addr a;

	memset(&a, 0, sizeof(a));
	a.family = STUN_AF_IPV6;
	a.port = port;
	a.ip[0] = 0x20;
	a.ip[1] = 0x01;
	a.ip[2] = 0x0d;
	a.ip[3] = 0xb8;
	a.ip[15] = last;
	return a;
}

static void
ctx_up(struct nonce_ctx *nc, const uint8_t *key, uint32_t features,
       uint32_t lifetime, uint32_t salt)
{
	assert_int_equal(nonce_ctx_init(nc), 0);
	assert_int_equal(nonce_ctx_set(nc, key, features, lifetime, REALM,
				       strlen(REALM), SW, strlen(SW)), 0);
	nc->salt = salt;
}

static enum nonce_state
check(struct nonce_ctx *nc, const char *n, const struct stun_addr *a,
      uint8_t transport, uint64_t now)
{
	return nonce_check(nc, (const uint8_t *)n, strlen(n), a, transport, now,
			   NULL, NULL);
}

/* The recipe of FEATURE.md, computed here from scratch. */
static void
test_nonce_is_the_documented_recipe(void **state)
{
	struct nonce_ctx nc;
	struct stun_addr a = addr4(7, 40000), b6 = addr6(9, 3478);
	char got[NONCE_LEN + 1], want[NONCE_LEN + 1];
	uint8_t in[3 + 8 + 1 + 1 + 2 + 16], body[24], mac[32];
	unsigned int maclen = 0;
	uint32_t salt = 0x01020304u, expiry = (uint32_t)(NOW + 600);
	size_t n = 0;

	(void)state;
	ctx_up(&nc, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, salt);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, got),
			 (int)NONCE_LEN);
	assert_int_equal(strlen(got), NONCE_LEN);
	assert_memory_equal(got, "obMatJos2AAAB", 13);
	/* expiry || salt (as the counter's bytes) || HMAC-SHA256[0..16) of
	 * features || expiry || salt || transport || family || port || ip */
	body[0] = (uint8_t)(expiry >> 24);
	body[1] = (uint8_t)(expiry >> 16);
	body[2] = (uint8_t)(expiry >> 8);
	body[3] = (uint8_t)expiry;
	memcpy(body + 4, &salt, 4);
	in[n++] = 0;
	in[n++] = 0;
	in[n++] = 1;
	memcpy(in + n, body, 8);
	n += 8;
	in[n++] = STUN_TRANSPORT_UDP;
	in[n++] = STUN_AF_IPV4;
	in[n++] = 40000 >> 8;
	in[n++] = 40000 & 0xff;
	memcpy(in + n, a.ip, 4);
	n += 4;
	assert_non_null(HMAC(EVP_sha256(), key1, NONCE_KEY_LEN, in, n, mac, &maclen));
	memcpy(body + 8, mac, 16);
	memcpy(want, "obMatJos2AAAB", 13);
	assert_int_equal(EVP_EncodeBlock((unsigned char *)want + 13, body, 24), 32);
	assert_string_equal(got, want);
	/* the salt is a counter: the next nonce differs, and verifies */
	assert_int_equal(nc.salt, salt + 1);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, want),
			 (int)NONCE_LEN);
	assert_string_not_equal(got, want);
	assert_int_equal(check(&nc, want, &a, STUN_TRANSPORT_UDP, NOW), NONCE_VALID);
	/* IPv6: all 16 bytes are bound (the last one here) */
	assert_int_equal(nonce_make(&nc, &b6, STUN_TRANSPORT_UDP, NOW, got),
			 (int)NONCE_LEN);
	assert_int_equal(check(&nc, got, &b6, STUN_TRANSPORT_UDP, NOW), NONCE_VALID);
	b6.ip[15] ^= 1;
	assert_int_equal(check(&nc, got, &b6, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	nonce_ctx_fini(&nc);
}

/* cp's maker and a dp worker's, keyed alike: the same bytes for the same
 * salt, and each accepts the other's nonces. */
static void
test_nonce_cp_and_dp_make_and_check_the_same(void **state)
{
	struct nonce_ctx cp, dp;
	struct stun_addr a = addr4(7, 40000);
	char n1[NONCE_LEN + 1], n2[NONCE_LEN + 1];
	uint32_t feat = 0, exp = 0;

	(void)state;
	ctx_up(&cp, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, 77);
	ctx_up(&dp, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, 77);
	assert_int_equal(nonce_make(&cp, &a, STUN_TRANSPORT_UDP, NOW, n1), (int)NONCE_LEN);
	assert_int_equal(nonce_make(&dp, &a, STUN_TRANSPORT_UDP, NOW, n2), (int)NONCE_LEN);
	assert_string_equal(n1, n2);
	dp.salt = 5000;
	assert_int_equal(nonce_make(&dp, &a, STUN_TRANSPORT_UDP, NOW, n2), (int)NONCE_LEN);
	assert_string_not_equal(n1, n2);
	assert_int_equal(nonce_check(&cp, (const uint8_t *)n2, NONCE_LEN, &a,
				     STUN_TRANSPORT_UDP, NOW + 10, &feat, &exp),
			 NONCE_VALID);
	assert_int_equal(feat, NONCE_FEAT_PASSWORD_ALGORITHMS);
	assert_int_equal(exp, NOW + 600);
	assert_int_equal(check(&dp, n1, &a, STUN_TRANSPORT_UDP, NOW + 10), NONCE_VALID);
	/* a maker with another key (another cp) refuses both */
	nonce_ctx_fini(&dp);
	ctx_up(&dp, key2, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, 77);
	assert_int_equal(check(&dp, n1, &a, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	assert_int_equal(check(&dp, n2, &a, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	nonce_ctx_fini(&cp);
	nonce_ctx_fini(&dp);
}

static void
test_nonce_for_another_client_is_foreign(void **state)
{
	struct nonce_ctx nc;
	struct stun_addr a = addr4(7, 40000), other_port = addr4(7, 40001),
			 other_ip = addr4(8, 40000), v6 = addr6(7, 40000);
	char n[NONCE_LEN + 1];

	(void)state;
	ctx_up(&nc, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, 1);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, n), (int)NONCE_LEN);
	assert_int_equal(check(&nc, n, &a, STUN_TRANSPORT_UDP, NOW), NONCE_VALID);
	assert_int_equal(check(&nc, n, &other_port, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	assert_int_equal(check(&nc, n, &other_ip, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	assert_int_equal(check(&nc, n, &v6, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	assert_int_equal(check(&nc, n, &a, STUN_TRANSPORT_TCP, NOW), NONCE_FOREIGN);
	nonce_ctx_fini(&nc);
}

/* Over TCP a nonce is the client address's, whatever the port: RFC 6062's
 * ConnectionBind brings the control connection's nonce on a new one. */
static void
test_nonce_over_tcp_binds_the_address_not_the_port(void **state)
{
	struct nonce_ctx nc;
	struct stun_addr a = addr4(7, 40000), other_port = addr4(7, 40001),
			 other_ip = addr4(8, 40000);
	char n[NONCE_LEN + 1];

	(void)state;
	ctx_up(&nc, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, 1);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_TCP, NOW, n), (int)NONCE_LEN);
	assert_int_equal(check(&nc, n, &other_port, STUN_TRANSPORT_TCP, NOW), NONCE_VALID);
	assert_int_equal(check(&nc, n, &other_ip, STUN_TRANSPORT_TCP, NOW), NONCE_FOREIGN);
	assert_int_equal(check(&nc, n, &other_port, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	nonce_ctx_fini(&nc);
}

static void
test_nonce_expires(void **state)
{
	struct nonce_ctx nc, longer;
	struct stun_addr a = addr4(7, 40000);
	char n[NONCE_LEN + 1];
	uint32_t exp = 0;

	(void)state;
	ctx_up(&nc, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, 1);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, n), (int)NONCE_LEN);
	assert_int_equal(check(&nc, n, &a, STUN_TRANSPORT_UDP, NOW + 600), NONCE_VALID);
	assert_int_equal(nonce_check(&nc, (const uint8_t *)n, NONCE_LEN, &a,
				     STUN_TRANSPORT_UDP, NOW + 601, NULL, &exp),
			 NONCE_EXPIRED);
	assert_int_equal(exp, NOW + 600);
	/* a clock that went back: it would live longer than we grant */
	assert_int_equal(check(&nc, n, &a, STUN_TRANSPORT_UDP, NOW - 10), NONCE_EXPIRED);
	assert_int_equal(check(&nc, n, &a, STUN_TRANSPORT_UDP, NOW - 2), NONCE_EXPIRED);
	/* but a maker whose seconds ran one ahead of the checker's (dp's TSC
	 * clock between re-anchorings against cp's) is not a stepped clock */
	assert_int_equal(check(&nc, n, &a, STUN_TRANSPORT_UDP, NOW - 1), NONCE_VALID);
	/* made under a longer lifetime than the checker's */
	ctx_up(&longer, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 3600, 1);
	assert_int_equal(nonce_make(&longer, &a, STUN_TRANSPORT_UDP, NOW, n), (int)NONCE_LEN);
	assert_int_equal(check(&nc, n, &a, STUN_TRANSPORT_UDP, NOW), NONCE_EXPIRED);
	nonce_ctx_fini(&longer);
	nonce_ctx_fini(&nc);
}

static void
test_nonce_forged_is_foreign(void **state)
{
	struct nonce_ctx nc;
	struct stun_addr a = addr4(7, 40000);
	char n[NONCE_LEN + 1], bad[NONCE_LEN + 8];
	uint32_t feat = 99;

	(void)state;
	ctx_up(&nc, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, 1);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, n), (int)NONCE_LEN);
	/* every character matters */
	for (size_t i = 0; i < NONCE_LEN; i++) {
		strcpy(bad, n);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		assert_int_equal(check(&nc, bad, &a, STUN_TRANSPORT_UDP, NOW),
				 NONCE_FOREIGN);
	}
	/* bid down: the features rewritten ("AAAA": none) */
	strcpy(bad, n);
	memcpy(bad + NONCE_COOKIE_LEN, "AAAA", 4);
	assert_int_equal(nonce_check(&nc, (const uint8_t *)bad, NONCE_LEN, &a,
				     STUN_TRANSPORT_UDP, NOW, &feat, NULL),
			 NONCE_FOREIGN);
	assert_int_equal(feat, 0);
	/* shape: shorter, longer, not base64, whitespace */
	assert_int_equal(nonce_check(&nc, (const uint8_t *)n, NONCE_LEN - 1, &a,
				     STUN_TRANSPORT_UDP, NOW, NULL, NULL), NONCE_FOREIGN);
	snprintf(bad, sizeof(bad), "%sA", n);
	assert_int_equal(check(&nc, bad, &a, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	strcpy(bad, n);
	bad[20] = '*';
	assert_int_equal(check(&nc, bad, &a, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	strcpy(bad, n);
	bad[20] = ' ';
	assert_int_equal(check(&nc, bad, &a, STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	assert_int_equal(check(&nc, "obMatJos2AAABnotanonceatall", &a,
			       STUN_TRANSPORT_UDP, NOW), NONCE_FOREIGN);
	/* untouched, it still verifies */
	assert_int_equal(check(&nc, n, &a, STUN_TRANSPORT_UDP, NOW), NONCE_VALID);
	nonce_ctx_fini(&nc);
}

static void
test_nonce_unkeyed_or_bad_settings_refused(void **state)
{
	struct nonce_ctx nc;
	struct stun_addr a = addr4(7, 40000);
	char n[NONCE_LEN + 1], realm[NONCE_REALM_MAX + 2];

	(void)state;
	assert_int_equal(nonce_ctx_init(&nc), 0);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, n), -EIO);
	assert_int_equal(nonce_ctx_set(&nc, key1, 1, 0, REALM, strlen(REALM), NULL, 0),
			 -EINVAL);
	assert_int_equal(nonce_ctx_set(&nc, key1, 1, 3601, REALM, strlen(REALM), NULL, 0),
			 -EINVAL);
	assert_int_equal(nonce_ctx_set(&nc, key1, 1, 600, REALM, 0, NULL, 0), -EINVAL);
	memset(realm, 'r', sizeof(realm));
	assert_int_equal(nonce_ctx_set(&nc, key1, 1, 600, realm, NONCE_REALM_MAX + 1,
				       NULL, 0), -EINVAL);
	assert_int_equal(nonce_ctx_set(&nc, key1, 0x1000000u, 600, REALM, strlen(REALM),
				       NULL, 0), -EINVAL);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, n), -EIO);
	/* REALM and SOFTWARE together beyond what a challenge's buffer holds
	 * (a corrupt segment's block: the config allows 255 + 63) */
	assert_int_equal(nonce_ctx_set(&nc, key1, 1, 600, realm, NONCE_REALM_MAX,
				       NULL, 0), -EINVAL);
	assert_int_equal(nonce_ctx_set(&nc, key1, 1, 600, realm, NONCE_STRINGS_MAX + 1,
				       NULL, 0), -EINVAL);
	assert_int_equal(nonce_ctx_set(&nc, key1, 1, 600, realm, 300, realm,
				       NONCE_STRINGS_MAX - 300 + 1), -EINVAL);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, n), -EIO);
	{
		/* the most it takes: every challenge fits NONCE_CHALLENGE_MAX */
		static const uint8_t tid[12];
		uint8_t buf[NONCE_CHALLENGE_MAX];

		assert_int_equal(nonce_ctx_set(&nc, key1, NONCE_FEAT_PASSWORD_ALGORITHMS,
					       600, realm, 301, realm,
					       NONCE_STRINGS_MAX - 301), 0);
		assert_true(nonce_challenge_build(&nc, STUN_ERR_UNAUTHENTICATED,
						  STUN_METHOD_ALLOCATE, tid, &a,
						  STUN_TRANSPORT_UDP, NOW, buf,
						  sizeof(buf)) > 0);
		assert_true(nonce_challenge_build(&nc, STUN_ERR_STALE_NONCE,
						  STUN_METHOD_ALLOCATE, tid, &a,
						  STUN_TRANSPORT_UDP, NOW, buf,
						  sizeof(buf)) > 0);
	}
	assert_int_equal(nonce_ctx_set(&nc, key1, 1, 600, realm, NONCE_STRINGS_MAX,
				       NULL, 0), 0);
	assert_int_equal(nonce_make(&nc, &a, STUN_TRANSPORT_UDP, NOW, n), (int)NONCE_LEN);
	nonce_ctx_fini(&nc);
}

static uint32_t
zlib_crc(const uint8_t *buf, size_t len)
{
	return (uint32_t)crc32_z(crc32(0L, Z_NULL, 0), buf, len);
}

/* RFC 8489 §9.2.4: ERROR-CODE, REALM, NONCE, PASSWORD-ALGORITHMS (when
 * the features say so), SOFTWARE, FINGERPRINT; the same bytes whichever
 * CRC computes FINGERPRINT (dp gives DPDK's). */
static void
test_nonce_challenge_attributes_in_order(void **state)
{
	static const uint16_t want[] = { STUN_ATTR_ERROR_CODE, STUN_ATTR_REALM,
					 STUN_ATTR_NONCE, STUN_ATTR_PASSWORD_ALGORITHMS,
					 STUN_ATTR_SOFTWARE, STUN_ATTR_FINGERPRINT };
	struct nonce_ctx nc;
	struct stun_addr a = addr4(7, 40000);
	uint8_t tid[STUN_TID_LEN] = { 9, 8, 7 }, b1[512], b2[512];
	struct stun_msg m;
	const struct stun_attr *na;
	uint16_t code = 0, rlen = 0, algs[4];
	size_t nalgs = 0;
	const char *reason = NULL;
	int n1, n2;

	(void)state;
	ctx_up(&nc, key1, NONCE_FEAT_PASSWORD_ALGORITHMS, 600, 42);
	n1 = nonce_challenge_build(&nc, STUN_ERR_UNAUTHENTICATED, STUN_METHOD_ALLOCATE,
				   tid, &a, STUN_TRANSPORT_UDP, NOW, b1, sizeof(b1));
	assert_true(n1 > 0);
	nc.salt = 42;
	nc.crc32 = zlib_crc;
	n2 = nonce_challenge_build(&nc, STUN_ERR_UNAUTHENTICATED, STUN_METHOD_ALLOCATE,
				   tid, &a, STUN_TRANSPORT_UDP, NOW, b2, sizeof(b2));
	assert_int_equal(n1, n2);
	assert_memory_equal(b1, b2, (size_t)n1);
	assert_int_equal(stun_msg_parse(&m, b1, (size_t)n1, NULL), 0);
	assert_int_equal(m.cls, STUN_CLASS_ERROR);
	assert_int_equal(m.method, STUN_METHOD_ALLOCATE);
	assert_memory_equal(m.tid, tid, STUN_TID_LEN);
	assert_int_equal(m.nattrs, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < m.nattrs; i++)
		assert_int_equal(m.attrs[i].type, want[i]);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);
	assert_int_equal(stun_attr_get_error(stun_msg_find(&m, STUN_ATTR_ERROR_CODE),
					     &code, &reason, &rlen), 0);
	assert_int_equal(code, 401);
	assert_int_equal(rlen, strlen("Unauthenticated"));
	assert_memory_equal(reason, "Unauthenticated", rlen);
	assert_int_equal(stun_attr_get_pwalgs(stun_msg_find(&m,
			 STUN_ATTR_PASSWORD_ALGORITHMS), algs, 4, &nalgs), 0);
	assert_int_equal(nalgs, 2);
	assert_int_equal(algs[0], STUN_PWALG_SHA256);
	assert_int_equal(algs[1], STUN_PWALG_MD5);
	na = stun_msg_find(&m, STUN_ATTR_NONCE);
	assert_int_equal(nonce_check(&nc, na->value, na->len, &a, STUN_TRANSPORT_UDP,
				     NOW, NULL, NULL), NONCE_VALID);
	/* no Password algorithms bit, no SOFTWARE: neither attribute; 438 */
	assert_int_equal(nonce_ctx_set(&nc, key1, 0, 600, REALM, strlen(REALM), NULL, 0), 0);
	n1 = nonce_challenge_build(&nc, STUN_ERR_STALE_NONCE, STUN_METHOD_REFRESH,
				   tid, &a, STUN_TRANSPORT_UDP, NOW, b1, sizeof(b1));
	assert_true(n1 > 0);
	assert_int_equal(stun_msg_parse(&m, b1, (size_t)n1, NULL), 0);
	assert_int_equal(m.method, STUN_METHOD_REFRESH);
	assert_int_equal(m.nattrs, 4);
	assert_null(stun_msg_find(&m, STUN_ATTR_PASSWORD_ALGORITHMS));
	assert_null(stun_msg_find(&m, STUN_ATTR_SOFTWARE));
	/* only 401 and 438 carry a nonce */
	assert_int_equal(nonce_challenge_build(&nc, STUN_ERR_BAD_REQUEST,
					       STUN_METHOD_ALLOCATE, tid, &a,
					       STUN_TRANSPORT_UDP, NOW, b1, sizeof(b1)),
			 -EINVAL);
	assert_true(nonce_challenge_build(&nc, STUN_ERR_UNAUTHENTICATED,
					  STUN_METHOD_ALLOCATE, tid, &a,
					  STUN_TRANSPORT_UDP, NOW, b1, 60) < 0);
	nonce_ctx_fini(&nc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nonce_is_the_documented_recipe),
		cmocka_unit_test(test_nonce_cp_and_dp_make_and_check_the_same),
		cmocka_unit_test(test_nonce_for_another_client_is_foreign),
		cmocka_unit_test(test_nonce_over_tcp_binds_the_address_not_the_port),
		cmocka_unit_test(test_nonce_expires),
		cmocka_unit_test(test_nonce_forged_is_foreign),
		cmocka_unit_test(test_nonce_unkeyed_or_bad_settings_refused),
		cmocka_unit_test(test_nonce_challenge_attributes_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
