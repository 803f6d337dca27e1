/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the STUN message builder (lib/stun/stun_build.c) and the
 * typed attribute readers (stun_attr.c): every attribute of
 * stun_attrs.def is built, parsed back and decoded, and its on-wire bytes
 * are checked against the RFC layout (RFC 8489 §14, RFC 8656 §18,
 * RFC 6062 §6.2). A table generated from stun_attrs.def makes a newly
 * added attribute without a round-trip case fail. Also: error responses
 * for every code of stun_errors.def, builder overflow into exactly-sized
 * heap buffers (ASan catches a write past cap), XOR-address bytes from
 * RFC 5769, and byte-exact rebuilds of RFC 5769 §2.4 and RFC 8489 B.1
 * (erratum EID 6268). MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT values
 * are recomputed with OpenSSL and zlib, independently of the codec.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "stun.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PAD4(n) (((n) + 3u) & ~3u)

static const uint8_t tid_5769[STUN_TID_LEN] = {
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
};
static const uint8_t tid_5769_lt[STUN_TID_LEN] = {
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
};

/* U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9 */
static const char user_lt[] =
	"\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa"
	"\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
/* "The" U+00AD "M" U+00AA "tr" U+2168: SASLprep gives "TheMatrIX". */
static const char pw_lt[] = "The\xc2\xad" "M\xc2\xaa" "tr\xe2\x85\xa8";
static const char realm_lt[] = "example.org";

/* RFC 5769 §2.4, byte for byte (its padding is zero, so we can rebuild it). */
static const uint8_t rfc5769_long_term[116] = {
	0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42,
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
	0x00, 0x06, 0x00, 0x12,
	0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88, 0xe3, 0x83, 0xaa, 0xe3,
	0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00,
	0x00, 0x15, 0x00, 0x1c,
	0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36,
	0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79,
	0x36, 0x34, 0x73, 0x41,
	0x00, 0x14, 0x00, 0x0b,
	0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x00,
	0x00, 0x08, 0x00, 0x14,
	0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02, 0xb8,
	0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66,
};

/* RFC 8489 Appendix B.1 as corrected by erratum EID 6268. */
static const uint8_t rfc8489_b1[156] = {
	0x00, 0x01, 0x00, 0x88, 0x21, 0x12, 0xa4, 0x42,
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
	0x00, 0x1e, 0x00, 0x20,
	0x4a, 0x3c, 0xf3, 0x8f, 0xef, 0x69, 0x92, 0xbd,
	0xa9, 0x52, 0xc6, 0x78, 0x04, 0x17, 0xda, 0x0f,
	0x24, 0x81, 0x94, 0x15, 0x56, 0x9e, 0x60, 0xb2,
	0x05, 0xc4, 0x6e, 0x41, 0x40, 0x7f, 0x17, 0x04,
	0x00, 0x15, 0x00, 0x29,
	0x6f, 0x62, 0x4d, 0x61, 0x74, 0x4a, 0x6f, 0x73, 0x32, 0x41, 0x41, 0x41,
	0x43, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64,
	0x36, 0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76,
	0x79, 0x36, 0x34, 0x73, 0x41, 0x00, 0x00, 0x00,
	0x00, 0x14, 0x00, 0x0b,
	0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x00,
	0x00, 0x1c, 0x00, 0x20,
	0xfd, 0x8c, 0x27, 0x38, 0x60, 0xd2, 0xe1, 0x8e,
	0xbc, 0xa4, 0xc8, 0x9b, 0x69, 0x73, 0xbe, 0xfa,
	0x7e, 0xe8, 0xec, 0xc6, 0x9e, 0x96, 0x42, 0xdb,
	0x32, 0x6f, 0xab, 0x65, 0xa0, 0xb9, 0x55, 0xba,
};

/* ---- helpers ------------------------------------------------------------- */

/* One message under construction and, after done(), its parse. */
struct rt {
	uint8_t buf[2048];
	struct stun_builder b;
	struct stun_msg m;
	int len;
};

static void
rt_init(struct rt *r, uint16_t type)
{
	memset(r->buf, 0xa5, sizeof(r->buf)); /* so zero padding shows */
	stun_build_init(&r->b, r->buf, sizeof(r->buf), type, tid_5769);
}

static void
rt_start(struct rt *r)
{
	rt_init(r, stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST));
}

/* Finish, check the header, parse. */
static void
rt_done(struct rt *r)
{
	struct stun_parse_error err = { 0, NULL };
	int rc;

	r->len = stun_build_finish(&r->b);
	if (r->len < (int)STUN_HDR_LEN)
		fail_msg("stun_build_finish returned %d", r->len);
	assert_int_equal(r->len % 4, 0);
	assert_int_equal((r->buf[2] << 8) | r->buf[3], r->len - 20);
	assert_int_equal((uint32_t)r->buf[4] << 24 | (uint32_t)r->buf[5] << 16 |
				 (uint32_t)r->buf[6] << 8 | r->buf[7],
			 STUN_MAGIC_COOKIE);
	assert_memory_equal(r->buf + 8, tid_5769, STUN_TID_LEN);
	rc = stun_msg_parse(&r->m, r->buf, (size_t)r->len, &err);
	if (rc != 0)
		fail_msg("built message does not parse: %d at %u: %s", rc,
			 err.offset, err.why ? err.why : "?");
	assert_true(stun_is_stun(r->buf, (size_t)r->len));
}

/*
 * Find the only attribute of the message, check its header, value length
 * and zero padding on the wire; return it.
 */
static const struct stun_attr *
rt_only(struct rt *r, uint16_t type, uint16_t len)
{
	const struct stun_attr *a;
	const uint8_t *w;

	assert_int_equal(r->m.nattrs, 1);
	assert_int_equal(r->len, 20 + 4 + PAD4((unsigned int)len));
	a = stun_msg_find(&r->m, type);
	assert_non_null(a);
	assert_int_equal(a->type, type);
	assert_int_equal(a->len, len);
	assert_int_equal(a->offset, 20);
	assert_int_equal(a->idx, stun_attr_index(type));
	assert_false(a->ignored);
	w = r->buf + 20;
	assert_int_equal((w[0] << 8) | w[1], type);
	assert_int_equal((w[2] << 8) | w[3], len);
	assert_ptr_equal(a->value, w + 4);
	for (unsigned int i = len; i < PAD4((unsigned int)len); i++)
		if (w[4 + i] != 0)
			fail_msg("type %#x: pad byte %u is %#x, want 0", type,
				 i - len, w[4 + i]);
	return a;
}

static void
assert_wire(const uint8_t *got, const uint8_t *want, size_t n)
{
	assert_memory_equal(got, want, n);
}

static void
make_addr(struct stun_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->port = port;
	if (inet_pton(AF_INET, ip, a->ip) == 1) {
		a->family = STUN_AF_IPV4;
	} else {
		assert_int_equal(inet_pton(AF_INET6, ip, a->ip), 1);
		a->family = STUN_AF_IPV6;
	}
}

/*
 * Build one address attribute, parse it back, and check the wire form:
 * reserved byte 0, family, then port and address, XORed with the cookie
 * (and the transaction id for IPv6) when xor is set (RFC 8489 §14.2).
 */
static void
roundtrip_addr(uint16_t type, const char *ip, uint16_t port, bool xor)
{
	struct rt r;
	struct stun_addr in, out;
	const struct stun_attr *a;
	uint8_t mask[16];
	size_t alen;

	make_addr(&in, ip, port);
	alen = in.family == STUN_AF_IPV4 ? 4 : 16;
	rt_start(&r);
	stun_build_addr(&r.b, type, &in);
	rt_done(&r);
	a = rt_only(&r, type, (uint16_t)(4 + alen));

	mask[0] = 0x21; mask[1] = 0x12; mask[2] = 0xa4; mask[3] = 0x42;
	memcpy(mask + 4, tid_5769, STUN_TID_LEN);
	assert_int_equal(a->value[0], 0);
	assert_int_equal(a->value[1], in.family);
	for (size_t i = 0; i < 2; i++) {
		uint8_t p = (uint8_t)(i == 0 ? port >> 8 : port);

		assert_int_equal(a->value[2 + i], xor ? p ^ mask[i] : p);
	}
	for (size_t i = 0; i < alen; i++)
		assert_int_equal(a->value[4 + i],
				 xor ? in.ip[i] ^ mask[i] : in.ip[i]);

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(stun_attr_get_addr(&r.m, a, &out), 0);
	assert_int_equal(out.family, in.family);
	assert_int_equal(out.port, port);
	assert_memory_equal(out.ip, in.ip, alen);
}

static void
roundtrip_addr_both(uint16_t type, bool xor)
{
	roundtrip_addr(type, "192.0.2.1", 32853, xor);
	roundtrip_addr(type, "203.0.113.250", 1, xor);
	roundtrip_addr(type, "2001:db8:1234:5678:11:2233:4455:6677", 32853,
		       xor);
	roundtrip_addr(type, "fe80::1", 65535, xor);
}

static void
roundtrip_text(uint16_t type, const char *s)
{
	struct rt r;
	const struct stun_attr *a;
	size_t n = strlen(s);

	rt_start(&r);
	stun_build_str(&r.b, type, s);
	rt_done(&r);
	a = rt_only(&r, type, (uint16_t)n);
	assert_memory_equal(a->value, s, n);
}

static void
roundtrip_u32(uint16_t type, uint32_t v)
{
	struct rt r;
	const struct stun_attr *a;
	const uint8_t want[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
				  (uint8_t)(v >> 8), (uint8_t)v };
	uint32_t got = ~v;

	rt_start(&r);
	stun_build_u32(&r.b, type, v);
	rt_done(&r);
	a = rt_only(&r, type, 4);
	assert_wire(a->value, want, 4);
	assert_int_equal(stun_attr_get_u32(a, &got), 0);
	assert_int_equal(got, v);
}

static void
roundtrip_bytes(uint16_t type, const uint8_t *v, size_t n)
{
	struct rt r;
	const struct stun_attr *a;

	rt_start(&r);
	stun_build_attr(&r.b, type, v, n);
	rt_done(&r);
	a = rt_only(&r, type, (uint16_t)n);
	if (n > 0)
		assert_memory_equal(a->value, v, n);
}

static void
roundtrip_empty(uint16_t type)
{
	roundtrip_bytes(type, NULL, 0);
}

static void
roundtrip_family(uint16_t type)
{
	static const uint8_t fams[] = { STUN_AF_IPV4, STUN_AF_IPV6 };

	for (size_t i = 0; i < ARRAY_LEN(fams); i++) {
		struct rt r;
		const struct stun_attr *a;
		const uint8_t want[4] = { fams[i], 0, 0, 0 };
		uint8_t fam = 0;

		rt_start(&r);
		stun_build_family(&r.b, type, fams[i]);
		rt_done(&r);
		a = rt_only(&r, type, 4);
		assert_wire(a->value, want, 4);
		assert_int_equal(stun_attr_get_family(a, &fam), 0);
		assert_int_equal(fam, fams[i]);
	}
}

/* HMAC of the message up to an integrity attribute at off, computed with
 * OpenSSL (header length must already be the one the sender hashed). */
static void
openssl_hmac(const EVP_MD *md, const uint8_t *key, size_t key_len,
	     const uint8_t *msg, size_t off, uint8_t *out)
{
	unsigned int olen = 0;

	assert_non_null(HMAC(md, key, (int)key_len, msg, off, out, &olen));
}

/* ---- one round-trip test per attribute of stun_attrs.def ----------------- */

static void
test_build_roundtrip_mapped_address(void **state)
{
	(void)state;
	roundtrip_addr_both(STUN_ATTR_MAPPED_ADDRESS, false);
}

static void
test_build_roundtrip_username(void **state)
{
	(void)state;
	roundtrip_text(STUN_ATTR_USERNAME, "evtj:h6vY");
	roundtrip_text(STUN_ATTR_USERNAME, user_lt);
	roundtrip_text(STUN_ATTR_USERNAME, "");
}

static void
test_build_roundtrip_message_integrity(void **state)
{
	static const uint8_t key[] = "VOkJxbRl1RmTxUk/WvJxBt";
	struct rt r;
	const struct stun_attr *a;
	uint8_t mac[20];

	(void)state;
	rt_start(&r);
	stun_build_str(&r.b, STUN_ATTR_USERNAME, "evtj:h6vY");
	stun_build_integrity(&r.b, key, sizeof(key) - 1);
	rt_done(&r);
	assert_int_equal(r.len, 20 + 16 + 24);
	a = stun_msg_find(&r.m, STUN_ATTR_MESSAGE_INTEGRITY);
	assert_non_null(a);
	assert_int_equal(a->offset, 36);
	assert_int_equal(a->len, 20);
	/* MI is last, so the header already has the length that was hashed. */
	openssl_hmac(EVP_sha1(), key, sizeof(key) - 1, r.buf, 36, mac);
	assert_memory_equal(a->value, mac, 20);
	assert_int_equal(stun_check_integrity(&r.m, key, sizeof(key) - 1),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_integrity(&r.m, key, sizeof(key) - 2),
			 STUN_CHECK_INVALID);
	assert_int_equal(stun_check_fingerprint(&r.m), STUN_CHECK_ABSENT);
}

static void
test_build_roundtrip_error_code(void **state)
{
	static const uint8_t w438[4] = { 0, 0, 4, 38 };
	static const uint8_t w699[4] = { 0, 0, 6, 99 };
	struct rt r;
	const struct stun_attr *a;
	const char *reason;
	uint16_t code, rlen;

	(void)state;
	/* Our reason phrase. */
	rt_start(&r);
	stun_build_error(&r.b, 438, NULL);
	rt_done(&r);
	a = rt_only(&r, STUN_ATTR_ERROR_CODE, 4 + strlen("Stale Nonce"));
	assert_wire(a->value, w438, 4);
	assert_memory_equal(a->value + 4, "Stale Nonce", 11);
	assert_int_equal(stun_attr_get_error(a, &code, &reason, &rlen), 0);
	assert_int_equal(code, 438);
	assert_int_equal(rlen, 11);
	assert_memory_equal(reason, "Stale Nonce", 11);

	/* A custom reason. */
	rt_start(&r);
	stun_build_error(&r.b, 699, "Go away");
	rt_done(&r);
	a = rt_only(&r, STUN_ATTR_ERROR_CODE, 4 + 7);
	assert_wire(a->value, w699, 4);
	assert_int_equal(stun_attr_get_error(a, &code, &reason, &rlen), 0);
	assert_int_equal(code, 699);
	assert_int_equal(rlen, 7);
	assert_memory_equal(reason, "Go away", 7);

	/* An empty custom reason. */
	rt_start(&r);
	stun_build_error(&r.b, 300, "");
	rt_done(&r);
	a = rt_only(&r, STUN_ATTR_ERROR_CODE, 4);
	assert_int_equal(stun_attr_get_error(a, &code, &reason, &rlen), 0);
	assert_int_equal(code, 300);
	assert_int_equal(rlen, 0);
}

static void
test_build_roundtrip_unknown_attributes(void **state)
{
	static const uint16_t types[] = { 0x0031, 0x7fff, 0x001b, 0x0100 };
	static const uint8_t wire[8] = { 0x00, 0x31, 0x7f, 0xff,
					 0x00, 0x1b, 0x01, 0x00 };

	(void)state;
	/* 1, 2, 3 and 4 entries: odd counts need two bytes of padding. */
	for (size_t n = 1; n <= ARRAY_LEN(types); n++) {
		struct rt r;
		const struct stun_attr *a;
		uint16_t got[8];
		size_t count = 0;

		rt_start(&r);
		stun_build_u16list(&r.b, STUN_ATTR_UNKNOWN_ATTRIBUTES, types,
				   n);
		rt_done(&r);
		a = rt_only(&r, STUN_ATTR_UNKNOWN_ATTRIBUTES,
			    (uint16_t)(2 * n));
		assert_wire(a->value, wire, 2 * n);
		assert_int_equal(stun_attr_get_u16list(a, got, ARRAY_LEN(got),
						       &count), 0);
		assert_int_equal(count, n);
		assert_memory_equal(got, types, n * sizeof(types[0]));
	}
}

static void
test_build_roundtrip_realm(void **state)
{
	(void)state;
	roundtrip_text(STUN_ATTR_REALM, "example.org");
}

static void
test_build_roundtrip_nonce(void **state)
{
	(void)state;
	roundtrip_text(STUN_ATTR_NONCE, "f//499k954d6OL34oL9FSTvy64sA");
	roundtrip_text(STUN_ATTR_NONCE,
		       "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
}

static void
test_build_roundtrip_message_integrity_sha256(void **state)
{
	static const uint8_t key[] = "a sha-256 key";
	struct rt r;
	const struct stun_attr *a;
	uint8_t mac[32];

	(void)state;
	rt_start(&r);
	stun_build_str(&r.b, STUN_ATTR_USERNAME, "alice");
	stun_build_integrity_sha256(&r.b, key, sizeof(key) - 1);
	rt_done(&r);
	assert_int_equal(r.len, 20 + 12 + 36);
	a = stun_msg_find(&r.m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	assert_non_null(a);
	assert_int_equal(a->offset, 32);
	assert_int_equal(a->len, 32);
	openssl_hmac(EVP_sha256(), key, sizeof(key) - 1, r.buf, 32, mac);
	assert_memory_equal(a->value, mac, 32);
	assert_int_equal(stun_check_integrity_sha256(&r.m, key,
						     sizeof(key) - 1),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_integrity_sha256(&r.m, key, 3),
			 STUN_CHECK_INVALID);
	assert_int_equal(stun_check_integrity(&r.m, key, sizeof(key) - 1),
			 STUN_CHECK_ABSENT);
}

static void
test_build_roundtrip_password_algorithm(void **state)
{
	static const uint16_t algs[] = { STUN_PWALG_MD5, STUN_PWALG_SHA256 };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(algs); i++) {
		struct rt r;
		const struct stun_attr *a;
		const uint8_t want[4] = { 0, (uint8_t)algs[i], 0, 0 };
		uint16_t got = 0;

		rt_start(&r);
		stun_build_pwalgs(&r.b, STUN_ATTR_PASSWORD_ALGORITHM, &algs[i],
				  1);
		rt_done(&r);
		a = rt_only(&r, STUN_ATTR_PASSWORD_ALGORITHM, 4);
		assert_wire(a->value, want, 4);
		assert_int_equal(stun_attr_get_pwalg(a, &got), 0);
		assert_int_equal(got, algs[i]);
	}
}

static void
test_build_roundtrip_userhash(void **state)
{
	uint8_t uh[STUN_USERHASH_LEN];

	(void)state;
	assert_int_equal(stun_userhash("alice", "example.org", uh), 0);
	roundtrip_bytes(STUN_ATTR_USERHASH, uh, sizeof(uh));
}

static void
test_build_roundtrip_xor_mapped_address(void **state)
{
	(void)state;
	roundtrip_addr_both(STUN_ATTR_XOR_MAPPED_ADDRESS, true);
}

static void
test_build_roundtrip_channel_number(void **state)
{
	static const uint16_t chans[] = { 0x4000, 0x4abc, 0x4fff };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(chans); i++) {
		struct rt r;
		const struct stun_attr *a;
		const uint8_t want[4] = { (uint8_t)(chans[i] >> 8),
					  (uint8_t)chans[i], 0, 0 };
		uint16_t got = 0;

		rt_start(&r);
		stun_build_channel(&r.b, chans[i]);
		rt_done(&r);
		a = rt_only(&r, STUN_ATTR_CHANNEL_NUMBER, 4);
		assert_wire(a->value, want, 4);
		assert_int_equal(stun_attr_get_channel(a, &got), 0);
		assert_int_equal(got, chans[i]);
	}
}

static void
test_build_roundtrip_lifetime(void **state)
{
	(void)state;
	roundtrip_u32(STUN_ATTR_LIFETIME, 600);
	roundtrip_u32(STUN_ATTR_LIFETIME, 0);
	roundtrip_u32(STUN_ATTR_LIFETIME, 0xffffffffu);
}

static void
test_build_roundtrip_xor_peer_address(void **state)
{
	(void)state;
	roundtrip_addr_both(STUN_ATTR_XOR_PEER_ADDRESS, true);
}

static void
test_build_roundtrip_data(void **state)
{
	uint8_t payload[1000];

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	/* Lengths 0..7 cover every padding amount twice. */
	for (size_t n = 0; n < 8; n++)
		roundtrip_bytes(STUN_ATTR_DATA, payload, n);
	roundtrip_bytes(STUN_ATTR_DATA, payload, sizeof(payload));
	roundtrip_bytes(STUN_ATTR_DATA, payload, sizeof(payload) - 1);
}

static void
test_build_roundtrip_xor_relayed_address(void **state)
{
	(void)state;
	roundtrip_addr_both(STUN_ATTR_XOR_RELAYED_ADDRESS, true);
}

static void
test_build_roundtrip_requested_address_family(void **state)
{
	(void)state;
	roundtrip_family(STUN_ATTR_REQUESTED_ADDRESS_FAMILY);
}

static void
test_build_roundtrip_even_port(void **state)
{
	(void)state;
	for (int reserve = 0; reserve < 2; reserve++) {
		struct rt r;
		const struct stun_attr *a;
		bool got = !reserve;

		rt_start(&r);
		stun_build_even_port(&r.b, reserve != 0);
		rt_done(&r);
		/* 1 byte of value, 3 of padding (RFC 8656 §18.6). */
		a = rt_only(&r, STUN_ATTR_EVEN_PORT, 1);
		assert_int_equal(a->value[0], reserve ? 0x80 : 0x00);
		assert_int_equal(stun_attr_get_even_port(a, &got), 0);
		assert_int_equal(got, reserve != 0);
	}
}

static void
test_build_roundtrip_requested_transport(void **state)
{
	static const uint8_t protos[] = { STUN_TRANSPORT_UDP,
					  STUN_TRANSPORT_TCP };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(protos); i++) {
		struct rt r;
		const struct stun_attr *a;
		const uint8_t want[4] = { protos[i], 0, 0, 0 };
		uint8_t got = 0;

		rt_start(&r);
		stun_build_transport(&r.b, protos[i]);
		rt_done(&r);
		a = rt_only(&r, STUN_ATTR_REQUESTED_TRANSPORT, 4);
		assert_wire(a->value, want, 4);
		assert_int_equal(stun_attr_get_transport(a, &got), 0);
		assert_int_equal(got, protos[i]);
	}
}

static void
test_build_roundtrip_dont_fragment(void **state)
{
	(void)state;
	roundtrip_empty(STUN_ATTR_DONT_FRAGMENT);
}

static void
test_build_roundtrip_reservation_token(void **state)
{
	static const uint8_t tok[8] = { 1, 2, 3, 4, 0xfb, 0xfc, 0xfd, 0xfe };

	(void)state;
	roundtrip_bytes(STUN_ATTR_RESERVATION_TOKEN, tok, sizeof(tok));
}

static void
test_build_roundtrip_priority(void **state)
{
	(void)state;
	roundtrip_u32(STUN_ATTR_PRIORITY, 0x6e0001ffu);
}

static void
test_build_roundtrip_use_candidate(void **state)
{
	(void)state;
	roundtrip_empty(STUN_ATTR_USE_CANDIDATE);
}

static void
test_build_roundtrip_connection_id(void **state)
{
	(void)state;
	roundtrip_u32(STUN_ATTR_CONNECTION_ID, 0xdeadbeefu);
	roundtrip_u32(STUN_ATTR_CONNECTION_ID, 1);
}

static void
test_build_roundtrip_additional_address_family(void **state)
{
	(void)state;
	roundtrip_family(STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY);
}

static void
test_build_roundtrip_address_error_code(void **state)
{
	/* family(8) | reserved(13) | class(3) | number(8), RFC 8656 §18.14 */
	static const uint8_t w440[4] = { STUN_AF_IPV6, 0, 4, 40 };
	static const uint8_t w508[4] = { STUN_AF_IPV4, 0, 5, 8 };
	const char *phrase = stun_error_reason(440);
	struct rt r;
	const struct stun_attr *a;
	const char *reason;
	uint16_t code, rlen;
	uint8_t fam;

	(void)state;
	rt_start(&r);
	stun_build_addr_error(&r.b, STUN_AF_IPV6, 440, NULL);
	rt_done(&r);
	a = rt_only(&r, STUN_ATTR_ADDRESS_ERROR_CODE,
		    (uint16_t)(4 + strlen(phrase)));
	assert_wire(a->value, w440, 4);
	assert_int_equal(stun_attr_get_addr_error(a, &fam, &code, &reason,
						  &rlen), 0);
	assert_int_equal(fam, STUN_AF_IPV6);
	assert_int_equal(code, 440);
	assert_int_equal(rlen, strlen(phrase));
	assert_memory_equal(reason, phrase, rlen);

	rt_start(&r);
	stun_build_addr_error(&r.b, STUN_AF_IPV4, 508, "no v4 left");
	rt_done(&r);
	a = rt_only(&r, STUN_ATTR_ADDRESS_ERROR_CODE, 4 + 10);
	assert_wire(a->value, w508, 4);
	assert_int_equal(stun_attr_get_addr_error(a, &fam, &code, &reason,
						  &rlen), 0);
	assert_int_equal(fam, STUN_AF_IPV4);
	assert_int_equal(code, 508);
	assert_int_equal(rlen, 10);
	assert_memory_equal(reason, "no v4 left", 10);
}

static void
test_build_roundtrip_password_algorithms(void **state)
{
	static const uint16_t algs[] = { STUN_PWALG_SHA256, STUN_PWALG_MD5 };
	static const uint8_t wire[8] = { 0, 2, 0, 0, 0, 1, 0, 0 };

	(void)state;
	for (size_t n = 1; n <= ARRAY_LEN(algs); n++) {
		struct rt r;
		const struct stun_attr *a;
		uint16_t got[4] = { 0 };
		size_t count = 0;

		rt_start(&r);
		stun_build_pwalgs(&r.b, STUN_ATTR_PASSWORD_ALGORITHMS, algs, n);
		rt_done(&r);
		/* Each entry: algorithm(16) | params length(16) = 0. */
		a = rt_only(&r, STUN_ATTR_PASSWORD_ALGORITHMS,
			    (uint16_t)(4 * n));
		assert_wire(a->value, wire, 4 * n);
		assert_int_equal(stun_attr_get_pwalgs(a, got, ARRAY_LEN(got),
						      &count), 0);
		assert_int_equal(count, n);
		assert_memory_equal(got, algs, n * sizeof(algs[0]));
	}
}

static void
test_build_roundtrip_alternate_domain(void **state)
{
	(void)state;
	roundtrip_text(STUN_ATTR_ALTERNATE_DOMAIN, "turn.example.org");
	roundtrip_text(STUN_ATTR_ALTERNATE_DOMAIN, "a.example");
}

static void
test_build_roundtrip_icmp(void **state)
{
	static const struct {
		uint8_t type, code;
		uint32_t data;
		uint8_t wire[8];
	} cases[] = {
		/* reserved(16) | type(8) | code(8) | error data(32);
		 * RFC 8656 §18.13 prose (the figure is off, EID 8901). */
		{ 3, 4, 1400, { 0, 0, 3, 4, 0, 0, 0x05, 0x78 } },
		{ 11, 0, 0, { 0, 0, 11, 0, 0, 0, 0, 0 } },
		{ 2, 0, 1280, { 0, 0, 2, 0, 0, 0, 0x05, 0x00 } },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct rt r;
		const struct stun_attr *a;
		uint8_t type = 0xff, code = 0xff;
		uint32_t data = 0xffffffffu;

		rt_start(&r);
		stun_build_icmp(&r.b, cases[i].type, cases[i].code,
				cases[i].data);
		rt_done(&r);
		a = rt_only(&r, STUN_ATTR_ICMP, 8);
		assert_wire(a->value, cases[i].wire, 8);
		assert_int_equal(stun_attr_get_icmp(a, &type, &code, &data), 0);
		assert_int_equal(type, cases[i].type);
		assert_int_equal(code, cases[i].code);
		assert_int_equal(data, cases[i].data);
	}
}

static void
test_build_roundtrip_access_token(void **state)
{
	uint8_t tok[300];

	(void)state;
	/* RFC 7635 §6.2: a 16-bit nonce length, the nonce, the sealed
	 * block; opaque to the codec, so only lengths matter here */
	for (size_t i = 0; i < sizeof(tok); i++)
		tok[i] = (uint8_t)(i * 13 + 5);
	roundtrip_bytes(STUN_ATTR_ACCESS_TOKEN, tok, sizeof(tok));
	roundtrip_bytes(STUN_ATTR_ACCESS_TOKEN, tok, 3);
}

static void
test_build_roundtrip_third_party_authorization(void **state)
{
	(void)state;
	roundtrip_text(STUN_ATTR_THIRD_PARTY_AUTHORIZATION, "authorization-server.example.org");
	roundtrip_text(STUN_ATTR_THIRD_PARTY_AUTHORIZATION, "");
}

static void
test_build_roundtrip_mobility_ticket(void **state)
{
	static const uint8_t t[32] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0xf0 };

	(void)state;
	/* empty: the Allocate that asks for mobility (RFC 8016 §3.1) */
	roundtrip_bytes(STUN_ATTR_MOBILITY_TICKET, t, 0);
	roundtrip_bytes(STUN_ATTR_MOBILITY_TICKET, t, sizeof(t));
	roundtrip_bytes(STUN_ATTR_MOBILITY_TICKET, t, 5);
}

static void
test_build_roundtrip_software(void **state)
{
	(void)state;
	roundtrip_text(STUN_ATTR_SOFTWARE, "test vector");
	roundtrip_text(STUN_ATTR_SOFTWARE, "STUN test client");
	roundtrip_text(STUN_ATTR_SOFTWARE, "");
}

static void
test_build_roundtrip_alternate_server(void **state)
{
	(void)state;
	roundtrip_addr_both(STUN_ATTR_ALTERNATE_SERVER, false);
}

static void
test_build_roundtrip_fingerprint(void **state)
{
	struct rt r;
	const struct stun_attr *a;
	uint32_t v, want;

	(void)state;
	rt_start(&r);
	stun_build_str(&r.b, STUN_ATTR_SOFTWARE, "turnpike");
	stun_build_fingerprint(&r.b);
	rt_done(&r);
	assert_int_equal(r.len, 20 + 12 + 8);
	a = stun_msg_find(&r.m, STUN_ATTR_FINGERPRINT);
	assert_non_null(a);
	assert_int_equal(a->offset, 32);
	assert_int_equal(stun_attr_get_u32(a, &v), 0);
	want = (uint32_t)crc32(0L, r.buf, 32) ^ STUN_FINGERPRINT_XOR;
	assert_int_equal(v, want);
	assert_int_equal(stun_fingerprint(r.buf, 32), want);
	assert_int_equal(stun_check_fingerprint(&r.m), STUN_CHECK_VALID);

	/* Corrupt the body: the fingerprint no longer matches. */
	r.buf[24] ^= 0x20;
	assert_int_equal(stun_msg_parse(&r.m, r.buf, (size_t)r.len, NULL), 0);
	assert_int_equal(stun_check_fingerprint(&r.m), STUN_CHECK_INVALID);
}

static void
test_build_roundtrip_ice_controlled(void **state)
{
	static const uint8_t tie[8] = { 0x93, 0x2f, 0xf9, 0xb1,
					0x51, 0x26, 0x3b, 0x36 };

	(void)state;
	roundtrip_bytes(STUN_ATTR_ICE_CONTROLLED, tie, sizeof(tie));
}

static void
test_build_roundtrip_ice_controlling(void **state)
{
	static const uint8_t tie[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };

	(void)state;
	roundtrip_bytes(STUN_ATTR_ICE_CONTROLLING, tie, sizeof(tie));
}

static void
test_build_roundtrip_response_origin(void **state)
{
	(void)state;
	roundtrip_addr_both(STUN_ATTR_RESPONSE_ORIGIN, false);
}

static void
test_build_roundtrip_other_address(void **state)
{
	(void)state;
	roundtrip_addr_both(STUN_ATTR_OTHER_ADDRESS, false);
}

/* The round-trip cases (test_stun_roundtrip.def) cover every attribute. */
static void
test_build_roundtrip_covers_every_attr(void **state)
{
	static const uint16_t covered[] = {
#define ROUNDTRIP_CASE(e, n) STUN_ATTR_##e,
#include "test_stun_roundtrip.def"
#undef ROUNDTRIP_CASE
	};
	static const struct {
		uint16_t type;
		const char *name;
	} all[] = {
#define STUN_ATTR(e, code, nm, kind, lmin, lmax) { code, nm },
#include "stun_attrs.def"
#undef STUN_ATTR
	};
	unsigned int missing = 0;

	(void)state;
	assert_int_equal(ARRAY_LEN(all), STUN_AIDX__COUNT);
	for (size_t i = 0; i < ARRAY_LEN(all); i++) {
		bool found = false;

		for (size_t j = 0; j < ARRAY_LEN(covered); j++)
			found = found || covered[j] == all[i].type;
		if (!found) {
			print_error("no round-trip case for %s (%#06x)\n",
				    all[i].name, all[i].type);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	assert_int_equal(ARRAY_LEN(covered), ARRAY_LEN(all));
}

/* ---- whole messages ------------------------------------------------------ */

static void
test_build_init_writes_header(void **state)
{
	static const uint8_t want[20] = {
		0x01, 0x13, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
		0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
		0xfa, 0x87, 0xdf, 0xae,
	};
	uint8_t buf[64];
	struct stun_builder b;

	(void)state;
	stun_build_init(&b, buf, sizeof(buf),
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_ERROR),
			tid_5769);
	assert_int_equal(stun_build_finish(&b), 20);
	assert_memory_equal(buf, want, 20);

	/* NULL tid: all zero. */
	memset(buf, 0xff, sizeof(buf));
	stun_build_init(&b, buf, sizeof(buf), 0x0001, NULL);
	assert_int_equal(stun_build_finish(&b), 20);
	for (size_t i = 8; i < 20; i++)
		assert_int_equal(buf[i], 0);
}

static void
test_build_multiple_attrs_keeps_order(void **state)
{
	static const uint16_t order[] = {
		STUN_ATTR_XOR_PEER_ADDRESS, STUN_ATTR_DATA,
		STUN_ATTR_XOR_PEER_ADDRESS, STUN_ATTR_DONT_FRAGMENT,
		STUN_ATTR_SOFTWARE,
	};
	struct rt r;
	struct stun_addr a1, a2, out;
	const struct stun_attr *a;

	(void)state;
	make_addr(&a1, "198.51.100.7", 3478);
	make_addr(&a2, "2001:db8::7", 3479);
	rt_init(&r, stun_msg_type(STUN_METHOD_SEND, STUN_CLASS_INDICATION));
	stun_build_addr(&r.b, STUN_ATTR_XOR_PEER_ADDRESS, &a1);
	stun_build_attr(&r.b, STUN_ATTR_DATA, "hello", 5);
	stun_build_addr(&r.b, STUN_ATTR_XOR_PEER_ADDRESS, &a2);
	stun_build_attr(&r.b, STUN_ATTR_DONT_FRAGMENT, NULL, 0);
	stun_build_str(&r.b, STUN_ATTR_SOFTWARE, "tp");
	rt_done(&r);
	assert_int_equal(r.len, 20 + 12 + 12 + 24 + 4 + 8);
	assert_int_equal(r.m.method, STUN_METHOD_SEND);
	assert_int_equal(r.m.cls, STUN_CLASS_INDICATION);
	assert_int_equal(r.m.nattrs, ARRAY_LEN(order));
	for (size_t i = 0; i < ARRAY_LEN(order); i++)
		assert_int_equal(r.m.attrs[i].type, order[i]);

	a = stun_msg_find(&r.m, STUN_ATTR_XOR_PEER_ADDRESS);
	assert_non_null(a);
	assert_int_equal(stun_attr_get_addr(&r.m, a, &out), 0);
	assert_int_equal(out.port, 3478);
	assert_memory_equal(out.ip, a1.ip, 4);
	a = stun_msg_find_next(&r.m, a);
	assert_non_null(a);
	assert_int_equal(stun_attr_get_addr(&r.m, a, &out), 0);
	assert_int_equal(out.family, STUN_AF_IPV6);
	assert_int_equal(out.port, 3479);
	assert_memory_equal(out.ip, a2.ip, 16);
	assert_null(stun_msg_find_next(&r.m, a));
}

static void
test_build_integrity_sha1_sha256_and_fp(void **state)
{
	static const uint8_t key[16] = { 0x8b, 0x83, 0xb4, 0x0c, 0x22, 0x90,
					 0x6c, 0x0c, 0x67, 0xa3, 0xc5, 0xbc,
					 0xc4, 0x91, 0xbc, 0x14 };
	struct rt r;
	const struct stun_attr *mi, *mi256, *fp;
	uint8_t copy[256];
	uint8_t mac[32];

	(void)state;
	rt_start(&r);
	stun_build_str(&r.b, STUN_ATTR_USERNAME, "alice");
	stun_build_str(&r.b, STUN_ATTR_REALM, "example.org");
	stun_build_transport(&r.b, STUN_TRANSPORT_UDP);
	stun_build_integrity(&r.b, key, sizeof(key));
	stun_build_integrity_sha256(&r.b, key, sizeof(key));
	stun_build_fingerprint(&r.b);
	rt_done(&r);
	mi = stun_msg_find(&r.m, STUN_ATTR_MESSAGE_INTEGRITY);
	mi256 = stun_msg_find(&r.m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	fp = stun_msg_find(&r.m, STUN_ATTR_FINGERPRINT);
	assert_non_null(mi);
	assert_non_null(mi256);
	assert_non_null(fp);
	assert_int_equal(mi->offset, 20 + 12 + 16 + 8);
	assert_int_equal(mi256->offset, mi->offset + 24);
	assert_int_equal(fp->offset, mi256->offset + 36);
	assert_int_equal(r.len, fp->offset + 8);

	assert_int_equal(stun_check_integrity(&r.m, key, sizeof(key)),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_integrity_sha256(&r.m, key, sizeof(key)),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_fingerprint(&r.m), STUN_CHECK_VALID);

	/* Recompute both HMACs with the header length each one covers
	 * (RFC 8489 §14.5, §14.6). */
	assert_true((size_t)r.len <= sizeof(copy));
	memcpy(copy, r.buf, (size_t)r.len);
	copy[2] = 0;
	copy[3] = (uint8_t)(mi->offset + 24 - 20);
	openssl_hmac(EVP_sha1(), key, sizeof(key), copy, mi->offset, mac);
	assert_memory_equal(mi->value, mac, 20);
	copy[3] = (uint8_t)(mi256->offset + 36 - 20);
	openssl_hmac(EVP_sha256(), key, sizeof(key), copy, mi256->offset,
		     mac);
	assert_memory_equal(mi256->value, mac, 32);
}

/*
 * The integrity ranges end at points whose header lengths differ in the
 * high byte too: MESSAGE-INTEGRITY ends at length 0x02f8, MI-SHA256 at
 * 0x031c, the message at 0x0324 (RFC 8489 §14.5/§14.6: the length covers
 * the message up to and including the attribute being checked).
 */
static void
test_build_integrity_adjusts_header_length_high_byte(void **state)
{
	static const uint8_t key[] = "long-term key";
	uint8_t payload[732];
	uint8_t *copy;
	struct rt r;
	const struct stun_attr *mi, *mi256;
	uint8_t mac[32];

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ 0x5a);
	rt_init(&r, stun_msg_type(STUN_METHOD_SEND, STUN_CLASS_INDICATION));
	stun_build_attr(&r.b, STUN_ATTR_DATA, payload, sizeof(payload));
	stun_build_integrity(&r.b, key, sizeof(key) - 1);
	stun_build_integrity_sha256(&r.b, key, sizeof(key) - 1);
	stun_build_fingerprint(&r.b);
	rt_done(&r);
	mi = stun_msg_find(&r.m, STUN_ATTR_MESSAGE_INTEGRITY);
	mi256 = stun_msg_find(&r.m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	assert_non_null(mi);
	assert_non_null(mi256);
	assert_int_equal(mi->offset + 24 - 20, 0x02f8);
	assert_int_equal(mi256->offset + 36 - 20, 0x031c);
	assert_int_equal(r.len - 20, 0x0324);

	copy = malloc((size_t)r.len);
	assert_non_null(copy);
	memcpy(copy, r.buf, (size_t)r.len);
	copy[2] = 0x02;
	copy[3] = 0xf8;
	openssl_hmac(EVP_sha1(), key, sizeof(key) - 1, copy, mi->offset, mac);
	assert_memory_equal(mi->value, mac, 20);
	copy[2] = 0x03;
	copy[3] = 0x1c;
	openssl_hmac(EVP_sha256(), key, sizeof(key) - 1, copy, mi256->offset,
		     mac);
	assert_memory_equal(mi256->value, mac, 32);
	free(copy);

	assert_int_equal(stun_check_integrity(&r.m, key, sizeof(key) - 1),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_integrity_sha256(&r.m, key,
						     sizeof(key) - 1),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_fingerprint(&r.m), STUN_CHECK_VALID);
}

/* RFC 8489 §14.6: MESSAGE-INTEGRITY-SHA256 may be truncated to 16, 20, 24
 * or 28 bytes; the receiver compares the leading bytes of the HMAC. */
static void
test_integrity_sha256_accepts_truncated_mac(void **state)
{
	static const uint8_t key[] = "truncation";
	static const uint16_t lens[] = { 16, 20, 24, 28, 32 };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
		struct rt r;
		uint8_t mac[32];
		uint8_t copy[64];
		size_t pre;

		rt_start(&r);
		stun_build_str(&r.b, STUN_ATTR_USERNAME, "alice");
		pre = r.b.len;
		/* HMAC over the prefix with the length the MI will give. */
		memcpy(copy, r.buf, pre);
		copy[2] = 0;
		copy[3] = (uint8_t)(pre - 20 + 4 + lens[i]);
		openssl_hmac(EVP_sha256(), key, sizeof(key) - 1, copy, pre,
			     mac);
		stun_build_attr(&r.b, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, mac,
				lens[i]);
		rt_done(&r);
		if (stun_check_integrity_sha256(&r.m, key, sizeof(key) - 1) !=
		    STUN_CHECK_VALID)
			fail_msg("MI-SHA256 of %u bytes not VALID", lens[i]);
		r.buf[pre + 4 + lens[i] - 1] ^= 1; /* last byte of the MAC */
		assert_int_equal(stun_check_integrity_sha256(&r.m, key,
							     sizeof(key) - 1),
				 STUN_CHECK_INVALID);
	}
}

static void
test_build_xor_mapped_address_rfc5769_bytes(void **state)
{
	/* RFC 5769 §2.2 and §2.3 XOR-MAPPED-ADDRESS attributes. */
	static const uint8_t want4[12] = {
		0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47,
		0xe1, 0x12, 0xa6, 0x43,
	};
	static const uint8_t want6[24] = {
		0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
		0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
		0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	};
	struct rt r;
	struct stun_addr a;

	(void)state;
	make_addr(&a, "192.0.2.1", 32853);
	rt_init(&r, stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_SUCCESS));
	stun_build_addr(&r.b, STUN_ATTR_XOR_MAPPED_ADDRESS, &a);
	rt_done(&r);
	assert_int_equal(r.len, 32);
	assert_memory_equal(r.buf + 20, want4, sizeof(want4));

	make_addr(&a, "2001:db8:1234:5678:11:2233:4455:6677", 32853);
	rt_init(&r, stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_SUCCESS));
	stun_build_addr(&r.b, STUN_ATTR_XOR_MAPPED_ADDRESS, &a);
	rt_done(&r);
	assert_int_equal(r.len, 44);
	assert_memory_equal(r.buf + 20, want6, sizeof(want6));
}

static void
test_build_reproduces_rfc5769_long_term_request(void **state)
{
	uint8_t buf[sizeof(rfc5769_long_term)];
	uint8_t key[32];
	struct stun_builder b;
	int klen;

	(void)state;
	klen = stun_key_long_term(STUN_PWALG_MD5, user_lt, realm_lt, pw_lt,
				  key);
	assert_int_equal(klen, 16);
	/* Exactly sized: the message must fit with no byte to spare. */
	stun_build_init(&b, buf, sizeof(buf), 0x0001, tid_5769_lt);
	stun_build_str(&b, STUN_ATTR_USERNAME, user_lt);
	stun_build_str(&b, STUN_ATTR_NONCE, "f//499k954d6OL34oL9FSTvy64sA");
	stun_build_str(&b, STUN_ATTR_REALM, realm_lt);
	stun_build_integrity(&b, key, (size_t)klen);
	assert_int_equal(stun_build_finish(&b), sizeof(rfc5769_long_term));
	assert_memory_equal(buf, rfc5769_long_term, sizeof(buf));
}

static void
test_build_reproduces_rfc8489_b1(void **state)
{
	uint8_t buf[sizeof(rfc8489_b1)];
	uint8_t uh[STUN_USERHASH_LEN];
	uint8_t key[32];
	struct stun_builder b;
	int klen;

	(void)state;
	assert_int_equal(stun_userhash(user_lt, realm_lt, uh), 0);
	/* Erratum 6268: the MD5 long-term key (no PASSWORD-ALGORITHM). */
	klen = stun_key_long_term(STUN_PWALG_MD5, user_lt, realm_lt, pw_lt,
				  key);
	assert_int_equal(klen, 16);
	stun_build_init(&b, buf, sizeof(buf), 0x0001, tid_5769_lt);
	stun_build_attr(&b, STUN_ATTR_USERHASH, uh, sizeof(uh));
	stun_build_str(&b, STUN_ATTR_NONCE,
		       "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
	stun_build_str(&b, STUN_ATTR_REALM, realm_lt);
	stun_build_integrity_sha256(&b, key, (size_t)klen);
	assert_int_equal(stun_build_finish(&b), sizeof(rfc8489_b1));
	assert_memory_equal(buf, rfc8489_b1, sizeof(buf));
}

/* ---- error responses ----------------------------------------------------- */

static const struct {
	uint16_t code;
	const char *reason;
} all_errors[] = {
#define STUN_ERROR(e, c, r) { c, r },
#include "stun_errors.def"
#undef STUN_ERROR
};

static void
check_error_response(const struct stun_msg *req, uint16_t code,
		     const char *want_reason, const char *software)
{
	uint8_t buf[512];
	struct stun_msg m;
	const struct stun_attr *a;
	const char *reason;
	uint16_t got_code, rlen;
	int n;

	memset(buf, 0xa5, sizeof(buf));
	n = stun_build_error_response(buf, sizeof(buf), req, code, software);
	if (n < (int)STUN_HDR_LEN)
		fail_msg("error response %u: returned %d", code, n);
	assert_int_equal(stun_msg_parse(&m, buf, (size_t)n, NULL), 0);
	assert_int_equal(m.cls, STUN_CLASS_ERROR);
	assert_int_equal(m.method, req->method);
	assert_int_equal(m.type, stun_msg_type(req->method, STUN_CLASS_ERROR));
	assert_memory_equal(m.tid, req->tid, STUN_TID_LEN);

	a = stun_msg_find(&m, STUN_ATTR_ERROR_CODE);
	assert_non_null(a);
	assert_int_equal(a->value[2], code / 100);
	assert_int_equal(a->value[3], code % 100);
	assert_int_equal(stun_attr_get_error(a, &got_code, &reason, &rlen), 0);
	assert_int_equal(got_code, code);
	if (rlen != strlen(want_reason) ||
	    memcmp(reason, want_reason, rlen) != 0)
		fail_msg("error %u: reason \"%.*s\", want \"%s\"", code,
			 (int)rlen, reason, want_reason);

	a = stun_msg_find(&m, STUN_ATTR_SOFTWARE);
	if (software) {
		assert_non_null(a);
		assert_int_equal(a->len, strlen(software));
		assert_memory_equal(a->value, software, a->len);
	} else {
		assert_null(a);
	}
	assert_null(stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY));
	a = stun_msg_find(&m, STUN_ATTR_FINGERPRINT);
	assert_non_null(a);
	assert_int_equal(a->offset + 8, n);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);
}

static void
test_build_error_response_every_code(void **state)
{
	static const uint16_t methods[] = {
		STUN_METHOD_BINDING, STUN_METHOD_ALLOCATE,
		STUN_METHOD_CHANNEL_BIND, STUN_METHOD_CONNECTION_BIND,
	};
	static const uint8_t tid[STUN_TID_LEN] = {
		0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 0xfe, 0xed, 0xfa, 0xce,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(methods); i++) {
		uint8_t rbuf[128];
		struct stun_builder b;
		struct stun_msg req;
		int n;

		stun_build_init(&b, rbuf, sizeof(rbuf),
				stun_msg_type(methods[i], STUN_CLASS_REQUEST),
				tid);
		stun_build_str(&b, STUN_ATTR_USERNAME, "alice");
		stun_build_transport(&b, STUN_TRANSPORT_UDP);
		n = stun_build_finish(&b);
		assert_true(n > 0);
		assert_int_equal(stun_msg_parse(&req, rbuf, (size_t)n, NULL),
				 0);
		for (size_t j = 0; j < ARRAY_LEN(all_errors); j++) {
			uint16_t code = all_errors[j].code;

			assert_string_equal(stun_error_reason(code),
					    all_errors[j].reason);
			check_error_response(&req, code,
					     all_errors[j].reason, "turnpike");
			check_error_response(&req, code,
					     all_errors[j].reason, NULL);
		}
	}
	assert_string_equal(stun_error_reason(499), "Unknown Error");
}

/* RFC 8489 §14.9: a 420 response lists the unknown attributes. */
static void
test_build_error_response_420_lists_unknown(void **state)
{
	static const uint8_t pad[4] = { 0 };
	uint8_t rbuf[128], buf[256];
	struct stun_builder b;
	struct stun_msg req, m;
	const struct stun_attr *a;
	uint16_t types[8];
	size_t count = 0;
	int n;

	(void)state;
	stun_build_init(&b, rbuf, sizeof(rbuf),
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST),
			tid_5769);
	stun_build_attr(&b, 0x0031, pad, 4);
	stun_build_transport(&b, STUN_TRANSPORT_UDP);
	stun_build_attr(&b, 0x0032, NULL, 0);
	stun_build_attr(&b, 0x8031, pad, 4);
	n = stun_build_finish(&b);
	assert_true(n > 0);
	assert_int_equal(stun_msg_parse(&req, rbuf, (size_t)n, NULL), 0);
	assert_int_equal(req.nunknown, 2);

	n = stun_build_error_response(buf, sizeof(buf), &req,
				      STUN_ERR_UNKNOWN_ATTRIBUTE, NULL);
	assert_true(n > 0);
	assert_int_equal(stun_msg_parse(&m, buf, (size_t)n, NULL), 0);
	a = stun_msg_find(&m, STUN_ATTR_UNKNOWN_ATTRIBUTES);
	assert_non_null(a);
	assert_int_equal(stun_attr_get_u16list(a, types, ARRAY_LEN(types),
					       &count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(types[0], 0x0031);
	assert_int_equal(types[1], 0x0032);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);
}

static void
test_build_error_response_overflow(void **state)
{
	uint8_t rbuf[64], big[256];
	struct stun_builder b;
	struct stun_msg req;
	int n, full;

	(void)state;
	stun_build_init(&b, rbuf, sizeof(rbuf),
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST),
			tid_5769);
	n = stun_build_finish(&b);
	assert_int_equal(stun_msg_parse(&req, rbuf, (size_t)n, NULL), 0);
	full = stun_build_error_response(big, sizeof(big), &req, 437,
					 "turnpike");
	assert_true(full > 20);
	for (size_t cap = 0; cap < (size_t)full; cap++) {
		uint8_t *p = malloc(cap);

		n = stun_build_error_response(p, cap, &req, 437, "turnpike");
		free(p);
		if (n >= 0)
			fail_msg("cap %zu of %d: returned %d", cap, full, n);
	}
	/* Exactly enough room. */
	{
		uint8_t *p = malloc((size_t)full);

		n = stun_build_error_response(p, (size_t)full, &req, 437,
					      "turnpike");
		assert_int_equal(n, full);
		assert_memory_equal(p, big, (size_t)full);
		free(p);
	}
}

/* ---- builder overflow ---------------------------------------------------- */

static int
build_sample(uint8_t *buf, size_t cap)
{
	static const uint8_t key[] = "VOkJxbRl1RmTxUk/WvJxBt";
	static const uint16_t unk[] = { 0x0031, 0x0032, 0x0033 };
	struct stun_builder b;
	struct stun_addr a;

	make_addr(&a, "2001:db8::1", 49152);
	stun_build_init(&b, buf, cap,
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_SUCCESS),
			tid_5769);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, "turnpike test");
	stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);
	stun_build_addr(&b, STUN_ATTR_XOR_RELAYED_ADDRESS, &a);
	stun_build_u16list(&b, STUN_ATTR_UNKNOWN_ATTRIBUTES, unk, 3);
	stun_build_attr(&b, STUN_ATTR_DATA, "abcde", 5);
	stun_build_error(&b, 420, NULL);
	stun_build_integrity(&b, key, sizeof(key) - 1);
	stun_build_integrity_sha256(&b, key, sizeof(key) - 1);
	stun_build_fingerprint(&b);
	return stun_build_finish(&b);
}

static void
test_build_overflow_returns_enobufs(void **state)
{
	uint8_t big[1024];
	int full, n;

	(void)state;
	full = build_sample(big, sizeof(big));
	assert_true(full > 100);
	/* Every capacity short of the message, in an exact heap buffer. */
	for (size_t cap = 0; cap < (size_t)full; cap++) {
		uint8_t *p = malloc(cap);

		n = build_sample(p, cap);
		free(p);
		if (n != -ENOBUFS)
			fail_msg("cap %zu of %d: finish returned %d, want "
				 "-ENOBUFS", cap, full, n);
	}
	{
		uint8_t *p = malloc((size_t)full);

		n = build_sample(p, (size_t)full);
		assert_int_equal(n, full);
		assert_memory_equal(p, big, (size_t)full);
		free(p);
	}
}

static void
test_build_errors_are_sticky(void **state)
{
	uint8_t *p = malloc(28);
	struct stun_builder b;
	int n;

	(void)state;
	assert_non_null(p);
	memset(p, 0xa5, 28);
	stun_build_init(&b, p, 28, 0x0001, NULL);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, "sixteen bytes!!!"); /* no */
	stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);  /* would fit: no-op */
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	/* "every later call is a no-op": nothing after the header. */
	for (size_t i = 20; i < 28; i++)
		if (p[i] != 0xa5) {
			free(p);
			fail_msg("byte %zu written after the error", i);
		}
	free(p);
	assert_int_equal(n, -ENOBUFS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define ROUNDTRIP_CASE(e, n) cmocka_unit_test(test_build_roundtrip_##n),
#include "test_stun_roundtrip.def"
#undef ROUNDTRIP_CASE
		cmocka_unit_test(test_build_roundtrip_covers_every_attr),
		cmocka_unit_test(test_build_init_writes_header),
		cmocka_unit_test(test_build_multiple_attrs_keeps_order),
		cmocka_unit_test(test_build_integrity_sha1_sha256_and_fp),
		cmocka_unit_test(
			test_build_integrity_adjusts_header_length_high_byte),
		cmocka_unit_test(test_integrity_sha256_accepts_truncated_mac),
		cmocka_unit_test(test_build_xor_mapped_address_rfc5769_bytes),
		cmocka_unit_test(
			test_build_reproduces_rfc5769_long_term_request),
		cmocka_unit_test(test_build_reproduces_rfc8489_b1),
		cmocka_unit_test(test_build_error_response_every_code),
		cmocka_unit_test(test_build_error_response_420_lists_unknown),
		cmocka_unit_test(test_build_error_response_overflow),
		cmocka_unit_test(test_build_overflow_returns_enobufs),
		cmocka_unit_test(test_build_errors_are_sticky),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
