/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the STUN message parser, message-type interleaving and the
 * integrity/fingerprint checks (lib/stun/stun_msg.c, stun_integrity.c).
 *
 * Known-answer tests use the four RFC 5769 sample messages and the RFC 8489
 * Appendix B.1 SHA-256 sample in its corrected form (erratum EID 6268); the
 * bytes were checked independently (HMAC and CRC-32 recomputed outside the
 * codec, which covers every byte). Key derivations and hashes are compared
 * with values computed with `openssl dgst`. Hostile inputs are copied into
 * exactly-sized heap buffers so that ASan reports any over-read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "rfc5769.h"
#include "stun.h"
#include "tp_common.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- RFC 5769 sample messages -------------------------------------------- */

/* RFC 5769 §2.2: Binding success, XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
static const uint8_t rfc5769_resp_v4[80] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	/* SOFTWARE "test vector" + 0x20 pad */
	0x80, 0x22, 0x00, 0x0b,
	0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
	/* XOR-MAPPED-ADDRESS */
	0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	/* MESSAGE-INTEGRITY */
	0x00, 0x08, 0x00, 0x14,
	0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74,
	0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	/* FINGERPRINT */
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 §2.3: Binding success,
 * XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t rfc5769_resp_v6[92] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	/* SOFTWARE "test vector" + 0x20 pad */
	0x80, 0x22, 0x00, 0x0b,
	0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
	/* XOR-MAPPED-ADDRESS */
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
	0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
	0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	/* MESSAGE-INTEGRITY */
	0x00, 0x08, 0x00, 0x14,
	0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84,
	0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	/* FINGERPRINT */
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* RFC 5769 §2.4: Binding request, long-term credentials, no FINGERPRINT. */
static const uint8_t rfc5769_long_term[116] = {
	0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42,
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
	/* USERNAME (18 bytes UTF-8) + 2 zero pad */
	0x00, 0x06, 0x00, 0x12,
	0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88, 0xe3, 0x83, 0xaa, 0xe3,
	0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00,
	/* NONCE "f//499k954d6OL34oL9FSTvy64sA" */
	0x00, 0x15, 0x00, 0x1c,
	0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36,
	0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79,
	0x36, 0x34, 0x73, 0x41,
	/* REALM "example.org" + 1 zero pad */
	0x00, 0x14, 0x00, 0x0b,
	0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x00,
	/* MESSAGE-INTEGRITY */
	0x00, 0x08, 0x00, 0x14,
	0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02, 0xb8,
	0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66,
};

/*
 * RFC 8489 Appendix B.1 as corrected by erratum EID 6268: USERHASH,
 * NONCE with the "obMatJos2AAAC" cookie, REALM, MESSAGE-INTEGRITY-SHA256.
 * The key is the MD5 long-term key (no PASSWORD-ALGORITHM attribute is
 * present, so MD5 applies); the printed RFC version does not verify.
 */
static const uint8_t rfc8489_b1[156] = {
	0x00, 0x01, 0x00, 0x88, 0x21, 0x12, 0xa4, 0x42,
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
	/* USERHASH */
	0x00, 0x1e, 0x00, 0x20,
	0x4a, 0x3c, 0xf3, 0x8f, 0xef, 0x69, 0x92, 0xbd,
	0xa9, 0x52, 0xc6, 0x78, 0x04, 0x17, 0xda, 0x0f,
	0x24, 0x81, 0x94, 0x15, 0x56, 0x9e, 0x60, 0xb2,
	0x05, 0xc4, 0x6e, 0x41, 0x40, 0x7f, 0x17, 0x04,
	/* NONCE (41 bytes) + 3 zero pad */
	0x00, 0x15, 0x00, 0x29,
	0x6f, 0x62, 0x4d, 0x61, 0x74, 0x4a, 0x6f, 0x73, 0x32, 0x41, 0x41, 0x41,
	0x43, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64,
	0x36, 0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76,
	0x79, 0x36, 0x34, 0x73, 0x41, 0x00, 0x00, 0x00,
	/* REALM "example.org" + 1 zero pad */
	0x00, 0x14, 0x00, 0x0b,
	0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x00,
	/* MESSAGE-INTEGRITY-SHA256 */
	0x00, 0x1c, 0x00, 0x20,
	0xfd, 0x8c, 0x27, 0x38, 0x60, 0xd2, 0xe1, 0x8e,
	0xbc, 0xa4, 0xc8, 0x9b, 0x69, 0x73, 0xbe, 0xfa,
	0x7e, 0xe8, 0xec, 0xc6, 0x9e, 0x96, 0x42, 0xdb,
	0x32, 0x6f, 0xab, 0x65, 0xa0, 0xb9, 0x55, 0xba,
};

static const uint8_t tid_5769[STUN_TID_LEN] = {
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
};
static const uint8_t tid_5769_lt[STUN_TID_LEN] = {
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
};

static const char pw_5769[] = "VOkJxbRl1RmTxUk/WvJxBt";
static const char pw_5769_wrong[] = "VOkJxbRl1RmTxUk/WvJxBu";
/* U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9 */
static const char user_lt[] =
	"\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa"
	"\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
/* "The" U+00AD "M" U+00AA "tr" U+2168: SASLprep gives "TheMatrIX". */
static const char pw_lt[] = "The\xc2\xad" "M\xc2\xaa" "tr\xe2\x85\xa8";
static const char realm_lt[] = "example.org";
static const char nonce_lt[] = "f//499k954d6OL34oL9FSTvy64sA";
static const char nonce_b1[] = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";

/* ---- helpers ------------------------------------------------------------- */

/* A heap copy of exactly len bytes, so any read past the end is caught. */
static uint8_t *
dup_exact(const uint8_t *src, size_t len)
{
	uint8_t *p;

	/* Nothing to read at all for an empty message (and no uninitialized
	 * byte for gcc -O3 to see read: a release build with tests). */
	if (len == 0)
		return NULL;
	p = malloc(len);
	assert_non_null(p);
	memcpy(p, src, len);
	return p;
}

static void
hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void
assert_hex(const uint8_t *got, const char *hex, size_t n)
{
	uint8_t want[64];

	assert_true(n <= sizeof(want));
	assert_int_equal(strlen(hex), 2 * n);
	hex_to_bytes(hex, want, n);
	assert_memory_equal(got, want, n);
}

static void
assert_text(const struct stun_attr *a, const char *text)
{
	assert_non_null(a);
	assert_int_equal(a->len, strlen(text));
	assert_memory_equal(a->value, text, a->len);
}

/*
 * Parse src[0..len) from an exact heap copy and expect -EBADMSG with a
 * reason and an offset in [min_off, len]. err is pre-filled with poison so
 * the parser must set both fields.
 */
static void
expect_bad_msg(const uint8_t *src, size_t len, uint32_t min_off,
	       const char *what)
{
	struct stun_msg m;
	struct stun_parse_error err = { .offset = UINT32_MAX, .why = NULL };
	uint8_t *p = dup_exact(src, len);
	int rc = stun_msg_parse(&m, p, len, &err);

	free(p);
	if (rc != -EBADMSG)
		fail_msg("%s (len %zu): parse returned %d, want -EBADMSG",
			 what, len, rc);
	if (err.why == NULL)
		fail_msg("%s (len %zu): err.why not set", what, len);
	if (err.offset < min_off || err.offset > len)
		fail_msg("%s (len %zu): err.offset %u not in [%u, %zu] (%s)",
			 what, len, err.offset, min_off, len, err.why);
}

/* A tiny hand writer for crafted messages, independent of the builder. */
struct wbuf {
	uint8_t b[1024];
	size_t n;
};

static void
w_u8(struct wbuf *w, uint8_t v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = v;
}

static void
w_u16(struct wbuf *w, uint16_t v)
{
	w_u8(w, (uint8_t)(v >> 8));
	w_u8(w, (uint8_t)v);
}

static void
w_u32(struct wbuf *w, uint32_t v)
{
	w_u16(w, (uint16_t)(v >> 16));
	w_u16(w, (uint16_t)v);
}

static void
w_bytes(struct wbuf *w, const void *p, size_t n)
{
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++)
		w_u8(w, s ? s[i] : 0);
}

static const uint8_t test_tid[STUN_TID_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
};

static void
w_hdr(struct wbuf *w, uint16_t type)
{
	w->n = 0;
	w_u16(w, type);
	w_u16(w, 0);
	w_u32(w, STUN_MAGIC_COOKIE);
	w_bytes(w, test_tid, STUN_TID_LEN);
}

/* Attribute with a value of len bytes (zeros if val is NULL), zero pad. */
static void
w_attr(struct wbuf *w, uint16_t type, uint16_t len, const void *val)
{
	w_u16(w, type);
	w_u16(w, len);
	w_bytes(w, val, len);
	while (w->n % 4)
		w_u8(w, 0);
}

/* Set the header length to cover everything written. */
static void
w_fix(struct wbuf *w)
{
	uint16_t l = (uint16_t)(w->n - STUN_HDR_LEN);

	w->b[2] = (uint8_t)(l >> 8);
	w->b[3] = (uint8_t)l;
}

/* Append a correct FINGERPRINT, computed with zlib, not the codec. */
static void
w_fingerprint(struct wbuf *w)
{
	uint32_t crc;

	w->n += 8;
	w_fix(w);
	w->n -= 8;
	crc = (uint32_t)crc32(0L, w->b, (uInt)w->n);
	w_u16(w, STUN_ATTR_FINGERPRINT);
	w_u16(w, 4);
	w_u32(w, crc ^ STUN_FINGERPRINT_XOR);
}

/* Parse an exact copy and keep it (the message points into it). */
static uint8_t *
parse_ok(struct stun_msg *m, const uint8_t *src, size_t len)
{
	struct stun_parse_error err = { 0, NULL };
	uint8_t *p = dup_exact(src, len);
	int rc = stun_msg_parse(m, p, len, &err);

	if (rc != 0)
		fail_msg("parse returned %d at offset %u: %s", rc, err.offset,
			 err.why ? err.why : "(no reason)");
	assert_int_equal(m->len, len);
	assert_ptr_equal(m->buf, p);
	return p;
}

static int
short_key(const char *pw, uint8_t *key, size_t cap)
{
	int n = stun_key_short_term(pw, key, cap);

	assert_true(n > 0);
	return n;
}

/* ---- RFC 5769 §2.1 ------------------------------------------------------- */

static void
test_parse_rfc5769_request_fields(void **state)
{
	struct stun_msg m;
	const struct stun_attr *a;
	uint32_t v;
	uint8_t *p;

	(void)state;
	p = parse_ok(&m, rfc5769_request, sizeof(rfc5769_request));
	assert_int_equal(m.type, 0x0001);
	assert_int_equal(m.method, STUN_METHOD_BINDING);
	assert_int_equal(m.cls, STUN_CLASS_REQUEST);
	assert_ptr_equal(m.tid, p + 8);
	assert_memory_equal(m.tid, tid_5769, STUN_TID_LEN);
	assert_int_equal(m.nattrs, 6);
	assert_int_equal(m.nunknown, 0);

	a = stun_msg_find(&m, STUN_ATTR_SOFTWARE);
	assert_text(a, "STUN test client");
	assert_int_equal(a->offset, 20);
	assert_int_equal(a->idx, STUN_AIDX_SOFTWARE);
	assert_false(a->ignored);

	a = stun_msg_find(&m, STUN_ATTR_PRIORITY);
	assert_non_null(a);
	assert_int_equal(a->offset, 40);
	assert_int_equal(stun_attr_get_u32(a, &v), 0);
	assert_int_equal(v, 0x6e0001ffu);

	a = stun_msg_find(&m, STUN_ATTR_ICE_CONTROLLED);
	assert_non_null(a);
	assert_int_equal(a->len, 8);
	assert_hex(a->value, "932ff9b151263b36", 8);

	a = stun_msg_find(&m, STUN_ATTR_USERNAME);
	assert_text(a, "evtj:h6vY");
	assert_int_equal(a->offset, 60);
	assert_ptr_equal(a->value, p + 64);

	a = stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY);
	assert_non_null(a);
	assert_int_equal(a->offset, 76);
	assert_int_equal(a->len, 20);

	a = stun_msg_find(&m, STUN_ATTR_FINGERPRINT);
	assert_non_null(a);
	assert_int_equal(a->offset, 100);
	assert_int_equal(stun_attr_get_u32(a, &v), 0);
	assert_int_equal(v, 0xe57a3bcfu);

	assert_null(stun_msg_find(&m, STUN_ATTR_XOR_MAPPED_ADDRESS));
	assert_null(stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256));
	free(p);
}

static void
test_integrity_rfc5769_request_short_term(void **state)
{
	struct stun_msg m;
	uint8_t key[64];
	uint8_t *p;
	int klen;

	(void)state;
	p = parse_ok(&m, rfc5769_request, sizeof(rfc5769_request));
	klen = short_key(pw_5769, key, sizeof(key));
	assert_int_equal(klen, strlen(pw_5769));
	assert_memory_equal(key, pw_5769, (size_t)klen);
	assert_int_equal(stun_check_integrity(&m, key, (size_t)klen),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_integrity_sha256(&m, key, (size_t)klen),
			 STUN_CHECK_ABSENT);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);
	free(p);
}

/* ---- RFC 5769 §2.2 / §2.3 ------------------------------------------------ */

static void
test_parse_rfc5769_ipv4_response_fields(void **state)
{
	struct stun_msg m;
	struct stun_addr addr;
	const struct stun_attr *a;
	char text[64];
	uint8_t *p;

	(void)state;
	p = parse_ok(&m, rfc5769_resp_v4, sizeof(rfc5769_resp_v4));
	assert_int_equal(m.type, 0x0101);
	assert_int_equal(m.method, STUN_METHOD_BINDING);
	assert_int_equal(m.cls, STUN_CLASS_SUCCESS);
	assert_memory_equal(m.tid, tid_5769, STUN_TID_LEN);
	assert_int_equal(m.nattrs, 4);

	assert_text(stun_msg_find(&m, STUN_ATTR_SOFTWARE), "test vector");

	a = stun_msg_find(&m, STUN_ATTR_XOR_MAPPED_ADDRESS);
	assert_non_null(a);
	assert_int_equal(a->len, 8);
	memset(&addr, 0xaa, sizeof(addr));
	assert_int_equal(stun_attr_get_addr(&m, a, &addr), 0);
	assert_int_equal(addr.family, STUN_AF_IPV4);
	assert_int_equal(addr.port, 32853);
	assert_hex(addr.ip, "c0000201", 4);
	assert_string_equal(stun_addr_format(&addr, text, sizeof(text)),
			    "192.0.2.1:32853");
	free(p);
}

static void
test_integrity_rfc5769_ipv4_response(void **state)
{
	struct stun_msg m;
	uint8_t key[64];
	uint8_t *p;
	int klen;

	(void)state;
	p = parse_ok(&m, rfc5769_resp_v4, sizeof(rfc5769_resp_v4));
	klen = short_key(pw_5769, key, sizeof(key));
	assert_int_equal(stun_check_integrity(&m, key, (size_t)klen),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);
	free(p);
}

static void
test_parse_rfc5769_ipv6_response_fields(void **state)
{
	struct stun_msg m;
	struct stun_addr addr;
	const struct stun_attr *a;
	char text[64];
	uint8_t *p;

	(void)state;
	p = parse_ok(&m, rfc5769_resp_v6, sizeof(rfc5769_resp_v6));
	assert_int_equal(m.type, 0x0101);
	assert_int_equal(m.method, STUN_METHOD_BINDING);
	assert_int_equal(m.cls, STUN_CLASS_SUCCESS);
	assert_memory_equal(m.tid, tid_5769, STUN_TID_LEN);
	assert_int_equal(m.nattrs, 4);

	assert_text(stun_msg_find(&m, STUN_ATTR_SOFTWARE), "test vector");

	a = stun_msg_find(&m, STUN_ATTR_XOR_MAPPED_ADDRESS);
	assert_non_null(a);
	assert_int_equal(a->len, 20);
	memset(&addr, 0xaa, sizeof(addr));
	assert_int_equal(stun_attr_get_addr(&m, a, &addr), 0);
	assert_int_equal(addr.family, STUN_AF_IPV6);
	assert_int_equal(addr.port, 32853);
	assert_hex(addr.ip, "20010db8123456780011223344556677", 16);
	assert_string_equal(stun_addr_format(&addr, text, sizeof(text)),
			    "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
	free(p);
}

static void
test_integrity_rfc5769_ipv6_response(void **state)
{
	struct stun_msg m;
	uint8_t key[64];
	uint8_t *p;
	int klen;

	(void)state;
	p = parse_ok(&m, rfc5769_resp_v6, sizeof(rfc5769_resp_v6));
	klen = short_key(pw_5769, key, sizeof(key));
	assert_int_equal(stun_check_integrity(&m, key, (size_t)klen),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);
	free(p);
}

/* ---- RFC 5769 §2.4 ------------------------------------------------------- */

static void
test_parse_rfc5769_long_term_request_fields(void **state)
{
	struct stun_msg m;
	uint8_t *p;

	(void)state;
	p = parse_ok(&m, rfc5769_long_term, sizeof(rfc5769_long_term));
	assert_int_equal(m.type, 0x0001);
	assert_int_equal(m.method, STUN_METHOD_BINDING);
	assert_int_equal(m.cls, STUN_CLASS_REQUEST);
	assert_memory_equal(m.tid, tid_5769_lt, STUN_TID_LEN);
	assert_int_equal(m.nattrs, 4);
	assert_text(stun_msg_find(&m, STUN_ATTR_USERNAME), user_lt);
	assert_text(stun_msg_find(&m, STUN_ATTR_NONCE), nonce_lt);
	assert_text(stun_msg_find(&m, STUN_ATTR_REALM), realm_lt);
	assert_non_null(stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY));
	assert_null(stun_msg_find(&m, STUN_ATTR_FINGERPRINT));
	free(p);
}

static void
test_saslprep_rfc5769_password(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(stun_saslprep(pw_lt, out, sizeof(out)), 0);
	assert_string_equal(out, "TheMatrIX");
	/* The username is unchanged by SASLprep (RFC 5769 §2.4). */
	assert_int_equal(stun_saslprep(user_lt, out, sizeof(out)), 0);
	assert_string_equal(out, user_lt);
	assert_int_equal(stun_saslprep(pw_lt, out, 4), -ENAMETOOLONG);
}

static void
test_key_long_term_md5_rfc5769(void **state)
{
	uint8_t key[32];

	(void)state;
	/* openssl dgst -md5 of "<user>:example.org:TheMatrIX" */
	assert_int_equal(stun_key_long_term(STUN_PWALG_MD5, user_lt, realm_lt,
					    pw_lt, key), 16);
	assert_hex(key, "e8ca7ad59d5eb0518e312911d2dab2a9", 16);
	/* openssl dgst -md5 of "alice:example.org:s3cret" */
	assert_int_equal(stun_key_long_term(STUN_PWALG_MD5, "alice",
					    "example.org", "s3cret", key), 16);
	assert_hex(key, "8b83b40c22906c0c67a3c5bcc491bc14", 16);
}

static void
test_integrity_rfc5769_long_term_request(void **state)
{
	struct stun_msg m;
	uint8_t key[32];
	uint8_t *p;
	int klen;

	(void)state;
	p = parse_ok(&m, rfc5769_long_term, sizeof(rfc5769_long_term));
	klen = stun_key_long_term(STUN_PWALG_MD5, user_lt, realm_lt, pw_lt,
				  key);
	assert_int_equal(klen, 16);
	assert_int_equal(stun_check_integrity(&m, key, (size_t)klen),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_integrity_sha256(&m, key, (size_t)klen),
			 STUN_CHECK_ABSENT);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_ABSENT);
	free(p);
}

static void
test_integrity_rejects_wrong_password(void **state)
{
	static const struct {
		const uint8_t *msg;
		size_t len;
	} vec[] = {
		{ rfc5769_request, sizeof(rfc5769_request) },
		{ rfc5769_resp_v4, sizeof(rfc5769_resp_v4) },
		{ rfc5769_resp_v6, sizeof(rfc5769_resp_v6) },
	};
	struct stun_msg m;
	uint8_t key[64];
	uint8_t *p;
	int klen;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(vec); i++) {
		p = parse_ok(&m, vec[i].msg, vec[i].len);
		klen = short_key(pw_5769_wrong, key, sizeof(key));
		assert_int_equal(stun_check_integrity(&m, key, (size_t)klen),
				 STUN_CHECK_INVALID);
		/* A key one byte short of the right one. */
		klen = short_key(pw_5769, key, sizeof(key));
		assert_int_equal(stun_check_integrity(&m, key,
						      (size_t)klen - 1),
				 STUN_CHECK_INVALID);
		free(p);
	}

	p = parse_ok(&m, rfc5769_long_term, sizeof(rfc5769_long_term));
	klen = stun_key_long_term(STUN_PWALG_MD5, user_lt, realm_lt,
				  "TheMatrIx", key);
	assert_int_equal(klen, 16);
	assert_int_equal(stun_check_integrity(&m, key, (size_t)klen),
			 STUN_CHECK_INVALID);
	klen = stun_key_long_term(STUN_PWALG_MD5, user_lt, "example.com",
				  pw_lt, key);
	assert_int_equal(stun_check_integrity(&m, key, (size_t)klen),
			 STUN_CHECK_INVALID);
	free(p);
}

/*
 * Flip one bit in every byte before FINGERPRINT, one at a time. Whenever
 * the result still parses, neither FINGERPRINT (CRC-32 catches every
 * single-bit error) nor MESSAGE-INTEGRITY may verify; a flip inside the
 * SOFTWARE text (bytes 24..35 in all three vectors) must give INVALID.
 */
static void
flip_each_byte(const uint8_t *vec, size_t len, const uint8_t *key,
	       size_t key_len)
{
	size_t fp_off = len - 8;
	unsigned int parsed = 0;

	for (size_t pos = 0; pos < fp_off; pos++) {
		struct stun_msg m;
		uint8_t *p = dup_exact(vec, len);
		enum stun_check fp, mi = STUN_CHECK_INVALID;

		p[pos] ^= 0x01;
		if (stun_msg_parse(&m, p, len, NULL) != 0) {
			free(p);
			continue;
		}
		parsed++;
		fp = stun_check_fingerprint(&m);
		if (stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY))
			mi = stun_check_integrity(&m, key, key_len);
		free(p);
		/* A flipped length could hide an attribute (ABSENT); what
		 * must never happen is VALID. */
		if (fp == STUN_CHECK_VALID)
			fail_msg("byte %zu flipped: fingerprint VALID", pos);
		if (mi == STUN_CHECK_VALID)
			fail_msg("byte %zu flipped: integrity VALID", pos);
		if (pos >= 24 && pos < 36 && fp != STUN_CHECK_INVALID)
			fail_msg("SOFTWARE byte %zu flipped: fingerprint %d, "
				 "want INVALID", pos, fp);
		if (pos >= 24 && pos < 36 && mi != STUN_CHECK_INVALID)
			fail_msg("SOFTWARE byte %zu flipped: integrity %d, "
				 "want INVALID", pos, mi);
	}
	/* Most flips (text, tid, values, padding) must still parse. */
	assert_true(parsed >= fp_off / 2);
}

static void
test_fingerprint_detects_flipped_body_byte(void **state)
{
	uint8_t key[64];
	int klen;

	(void)state;
	klen = short_key(pw_5769, key, sizeof(key));
	flip_each_byte(rfc5769_request, sizeof(rfc5769_request), key,
		       (size_t)klen);
	flip_each_byte(rfc5769_resp_v4, sizeof(rfc5769_resp_v4), key,
		       (size_t)klen);
	flip_each_byte(rfc5769_resp_v6, sizeof(rfc5769_resp_v6), key,
		       (size_t)klen);
}

static void
test_fingerprint_value_matches_crc32(void **state)
{
	(void)state;
	assert_int_equal(stun_fingerprint(rfc5769_request, 100), 0xe57a3bcfu);
	assert_int_equal(stun_fingerprint(rfc5769_resp_v4, 72), 0xc07d4c96u);
	assert_int_equal(stun_fingerprint(rfc5769_resp_v6, 84), 0xc8fb0b4cu);
	assert_int_equal(stun_fingerprint(rfc5769_long_term, 116),
			 (uint32_t)crc32(0L, rfc5769_long_term, 116) ^
				 STUN_FINGERPRINT_XOR);
}

/* ---- RFC 8489 B.1 (erratum 6268), SHA-256 and hashes --------------------- */

static void
test_parse_rfc8489_b1_sha256_request(void **state)
{
	struct stun_msg m;
	const struct stun_attr *a;
	uint8_t uh[STUN_USERHASH_LEN];
	uint8_t *p;

	(void)state;
	p = parse_ok(&m, rfc8489_b1, sizeof(rfc8489_b1));
	assert_int_equal(m.method, STUN_METHOD_BINDING);
	assert_int_equal(m.cls, STUN_CLASS_REQUEST);
	assert_memory_equal(m.tid, tid_5769_lt, STUN_TID_LEN);
	assert_int_equal(m.nattrs, 4);

	a = stun_msg_find(&m, STUN_ATTR_USERHASH);
	assert_non_null(a);
	assert_int_equal(a->len, STUN_USERHASH_LEN);
	assert_int_equal(stun_userhash(user_lt, realm_lt, uh), 0);
	assert_memory_equal(a->value, uh, STUN_USERHASH_LEN);

	assert_text(stun_msg_find(&m, STUN_ATTR_NONCE), nonce_b1);
	assert_text(stun_msg_find(&m, STUN_ATTR_REALM), realm_lt);
	a = stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	assert_non_null(a);
	assert_int_equal(a->len, 32);
	free(p);
}

static void
test_integrity_sha256_rfc8489_b1(void **state)
{
	struct stun_msg m;
	uint8_t key[32];
	uint8_t *p;
	int klen;

	(void)state;
	p = parse_ok(&m, rfc8489_b1, sizeof(rfc8489_b1));
	klen = stun_key_long_term(STUN_PWALG_MD5, user_lt, realm_lt, pw_lt,
				  key);
	assert_int_equal(klen, 16);
	assert_int_equal(stun_check_integrity_sha256(&m, key, (size_t)klen),
			 STUN_CHECK_VALID);
	assert_int_equal(stun_check_integrity(&m, key, (size_t)klen),
			 STUN_CHECK_ABSENT);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_ABSENT);

	klen = stun_key_long_term(STUN_PWALG_MD5, user_lt, realm_lt,
				  "TheMatrIx", key);
	assert_int_equal(stun_check_integrity_sha256(&m, key, (size_t)klen),
			 STUN_CHECK_INVALID);
	free(p);
}

static void
test_key_long_term_sha256_matches_openssl(void **state)
{
	uint8_t key[32];

	(void)state;
	/* openssl dgst -sha256 of "<user>:example.org:TheMatrIX" */
	assert_int_equal(stun_key_long_term(STUN_PWALG_SHA256, user_lt,
					    realm_lt, pw_lt, key), 32);
	assert_hex(key,
		   "dd295a613b9058c3c23d6dc7165bda07"
		   "2304d989c9d0af3a8c7e184b4f9bb4a1", 32);
	/* openssl dgst -sha256 of "alice:example.org:s3cret" */
	assert_int_equal(stun_key_long_term(STUN_PWALG_SHA256, "alice",
					    "example.org", "s3cret", key), 32);
	assert_hex(key,
		   "f22052fea8541d9a84dc48aa41b20e65"
		   "023c376e463bc39e716fac6e0f0f7a5f", 32);
}

static void
test_userhash_matches_openssl(void **state)
{
	uint8_t uh[STUN_USERHASH_LEN];

	(void)state;
	/* openssl dgst -sha256 of "<user>:example.org" */
	assert_int_equal(stun_userhash(user_lt, realm_lt, uh), 0);
	assert_hex(uh,
		   "4a3cf38fef6992bda952c6780417da0f"
		   "24819415569e60b205c46e41407f1704", 32);
	/* openssl dgst -sha256 of "alice:example.org" */
	assert_int_equal(stun_userhash("alice", "example.org", uh), 0);
	assert_hex(uh,
		   "435b7933096a304d3c734cfb833ec907"
		   "5bd47ab1c0160321aed31c06a8c7009e", 32);
}

static void
test_hmac_sha1_rest_api_vector(void **state)
{
	static const char user[] = "1266890800:mbzrxpgjys";
	uint8_t out[20];

	(void)state;
	assert_int_equal(stun_hmac_sha1((const uint8_t *)"north", 5,
					(const uint8_t *)user, strlen(user),
					out), 0);
	assert_hex(out, "9db45cae7ab987ac5787236197093e9432ef555a", 20);
}

static void
test_hmac_sha256_matches_openssl(void **state)
{
	uint8_t out[32];

	(void)state;
	/* openssl dgst -sha256 -hmac key of "hello world" */
	assert_int_equal(stun_hmac_sha256((const uint8_t *)"key", 3,
					  (const uint8_t *)"hello world", 11,
					  out), 0);
	assert_hex(out,
		   "0ba06f1f9a6300461e43454535dc3c42"
		   "23e47b1d357073d7536eae90ec095be1", 32);
}

/* ---- hostile input ------------------------------------------------------- */

static void
test_parse_rejects_truncated_header(void **state)
{
	(void)state;
	for (size_t len = 0; len < STUN_HDR_LEN; len++)
		expect_bad_msg(rfc5769_resp_v4, len, 0, "truncated header");
}

static void
test_parse_rejects_every_truncation(void **state)
{
	(void)state;
	/* Every proper prefix of a valid message disagrees with its header
	 * length (or has no full header). */
	for (size_t len = 0; len < sizeof(rfc5769_request); len++)
		expect_bad_msg(rfc5769_request, len, 0, "truncated 2.1");
	for (size_t len = 0; len < sizeof(rfc5769_resp_v6); len++)
		expect_bad_msg(rfc5769_resp_v6, len, 0, "truncated 2.3");
}

static void
test_parse_rejects_length_not_multiple_of_4(void **state)
{
	struct wbuf w;

	(void)state;
	for (uint16_t extra = 1; extra < 4; extra++) {
		/* A bare header claiming 1..3 body bytes, which are there. */
		w_hdr(&w, 0x0001);
		w_bytes(&w, NULL, extra);
		w_fix(&w);
		expect_bad_msg(w.b, w.n, 0, "length % 4 != 0");
	}
	/* RFC 5769 §2.2 with one extra byte, header length adjusted. */
	memcpy(w.b, rfc5769_resp_v4, sizeof(rfc5769_resp_v4));
	w.n = sizeof(rfc5769_resp_v4);
	w_u8(&w, 0);
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 0, "2.2 length + 1");
}

static void
test_parse_rejects_length_beyond_buffer(void **state)
{
	uint8_t b[sizeof(rfc5769_resp_v4)];

	(void)state;
	memcpy(b, rfc5769_resp_v4, sizeof(b));
	b[3] = 0x40; /* 64 > the 60 bytes present */
	expect_bad_msg(b, sizeof(b), 0, "length beyond buffer");
	b[2] = 0xff;
	b[3] = 0xfc;
	expect_bad_msg(b, sizeof(b), 0, "length 0xfffc");
}

static void
test_parse_rejects_length_short_of_buffer(void **state)
{
	uint8_t b[sizeof(rfc5769_resp_v4)];

	(void)state;
	memcpy(b, rfc5769_resp_v4, sizeof(b));
	b[3] = 0x38; /* 56 < the 60 bytes present */
	expect_bad_msg(b, sizeof(b), 0, "length short of buffer");
	b[3] = 0x00;
	expect_bad_msg(b, sizeof(b), 0, "length 0 with attributes");
}

static void
test_parse_rejects_bad_magic_cookie(void **state)
{
	uint8_t b[sizeof(rfc5769_resp_v4)];

	(void)state;
	for (size_t i = 4; i < 8; i++) {
		memcpy(b, rfc5769_resp_v4, sizeof(b));
		b[i] ^= 0x01;
		expect_bad_msg(b, sizeof(b), 0, "bad cookie");
	}
	/* RFC 3489 style: no cookie at all. */
	memcpy(b, rfc5769_resp_v4, sizeof(b));
	memset(b + 4, 0, 4);
	expect_bad_msg(b, sizeof(b), 0, "zero cookie");
}

static void
test_parse_rejects_top_bits_set(void **state)
{
	static const uint8_t top[] = { 0x40, 0x80, 0xc0 };
	uint8_t b[sizeof(rfc5769_resp_v4)];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(top); i++) {
		memcpy(b, rfc5769_resp_v4, sizeof(b));
		b[0] |= top[i];
		expect_bad_msg(b, sizeof(b), 0, "top bits set");
	}
}

static void
test_parse_rejects_attr_running_past_end(void **state)
{
	struct wbuf w;

	(void)state;
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "abcd");     /* at 20 */
	w_u16(&w, STUN_ATTR_USERNAME);                 /* at 28 */
	w_u16(&w, 16);
	w_bytes(&w, "12345678", 8);                    /* 8 of 16 */
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 28, "attr length past end");

	/* Length 0xffff in the only attribute. */
	w_hdr(&w, 0x0001);
	w_u16(&w, STUN_ATTR_DATA);
	w_u16(&w, 0xffff);
	w_bytes(&w, "1234", 4);
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 20, "attr length 0xffff");

	/* An attribute header cut in half. */
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "abcd");
	w_u16(&w, STUN_ATTR_USERNAME);
	w_u16(&w, 0);
	w.n -= 2;
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 0, "half attr header");
}

static void
test_parse_rejects_attr_padding_past_end(void **state)
{
	struct wbuf w;

	(void)state;
	/* USERNAME of 5 bytes whose 3 pad bytes are missing: the value fits,
	 * its padding does not. (With a 4-aligned header length this cannot
	 * happen, so the header length here is 17.) */
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "abcd");
	w_u16(&w, STUN_ATTR_USERNAME);
	w_u16(&w, 5);
	w_bytes(&w, "alice", 5);
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 0, "padding past end");

	/* Same with an unknown optional attribute (skipped, not decoded). */
	w_hdr(&w, 0x0001);
	w_u16(&w, 0x8031);
	w_u16(&w, 1);
	w_u8(&w, 0x55);
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 0, "unknown attr padding past end");
}

struct lying_case {
	const char *what;
	uint16_t type;
	uint16_t len;
	uint8_t family; /* written as value[1] when non-zero */
};

static void
test_parse_rejects_lying_fixed_attr_length(void **state)
{
	static const struct lying_case cases[] = {
		{ "LIFETIME len 3", STUN_ATTR_LIFETIME, 3, 0 },
		{ "LIFETIME len 8", STUN_ATTR_LIFETIME, 8, 0 },
		{ "PRIORITY len 2", STUN_ATTR_PRIORITY, 2, 0 },
		{ "FINGERPRINT len 8", STUN_ATTR_FINGERPRINT, 8, 0 },
		{ "MESSAGE-INTEGRITY len 16", STUN_ATTR_MESSAGE_INTEGRITY, 16,
		  0 },
		{ "MESSAGE-INTEGRITY len 24", STUN_ATTR_MESSAGE_INTEGRITY, 24,
		  0 },
		{ "MI-SHA256 len 12", STUN_ATTR_MESSAGE_INTEGRITY_SHA256, 12,
		  0 },
		{ "MI-SHA256 len 36", STUN_ATTR_MESSAGE_INTEGRITY_SHA256, 36,
		  0 },
		{ "USERHASH len 16", STUN_ATTR_USERHASH, 16, 0 },
		{ "CHANNEL-NUMBER len 2", STUN_ATTR_CHANNEL_NUMBER, 2, 0 },
		{ "EVEN-PORT len 4", STUN_ATTR_EVEN_PORT, 4, 0 },
		{ "DONT-FRAGMENT len 4", STUN_ATTR_DONT_FRAGMENT, 4, 0 },
		{ "REQUESTED-TRANSPORT len 1", STUN_ATTR_REQUESTED_TRANSPORT,
		  1, 0 },
		{ "RESERVATION-TOKEN len 4", STUN_ATTR_RESERVATION_TOKEN, 4,
		  0 },
		{ "ICMP len 4", STUN_ATTR_ICMP, 4, 0 },
		{ "XOR-MAPPED family 1 len 20", STUN_ATTR_XOR_MAPPED_ADDRESS,
		  20, STUN_AF_IPV4 },
		{ "XOR-MAPPED family 2 len 8", STUN_ATTR_XOR_MAPPED_ADDRESS, 8,
		  STUN_AF_IPV6 },
		{ "XOR-MAPPED family 3", STUN_ATTR_XOR_MAPPED_ADDRESS, 8, 3 },
		{ "XOR-MAPPED len 4", STUN_ATTR_XOR_MAPPED_ADDRESS, 4,
		  STUN_AF_IPV4 },
		{ "XOR-PEER family 3", STUN_ATTR_XOR_PEER_ADDRESS, 20, 3 },
		{ "MAPPED family 1 len 20", STUN_ATTR_MAPPED_ADDRESS, 20,
		  STUN_AF_IPV4 },
		{ "MAPPED family 3", STUN_ATTR_MAPPED_ADDRESS, 8, 3 },
	};
	struct wbuf w;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint8_t val[64];

		memset(val, 0, sizeof(val));
		val[1] = cases[i].family;
		w_hdr(&w, 0x0001);
		w_attr(&w, STUN_ATTR_SOFTWARE, 4, "abcd"); /* at 20 */
		w_attr(&w, cases[i].type, cases[i].len, val); /* at 28 */
		w_fix(&w);
		expect_bad_msg(w.b, w.n, 28, cases[i].what);
	}
}

/*
 * RFC 8489 §14.3: USERNAME is fewer than 509 bytes. The parser holds every
 * USERNAME to TP_USERNAME_MAX, the one limit cp's user store, quota table
 * and IPC share, so that dp answers a longer one 400 before anything else.
 */
static void
test_parse_username_limit_is_tp_username_max(void **state)
{
	static uint8_t name[TP_USERNAME_MAX + 4];
	struct stun_msg m;
	struct wbuf w;
	uint8_t *p;

	(void)state;
	assert_int_equal(TP_USERNAME_MAX, 508);
	memset(name, 'u', sizeof(name));
	w_hdr(&w, 0x0003);                                     /* Allocate */
	w_attr(&w, STUN_ATTR_USERNAME, TP_USERNAME_MAX, name);
	w_fix(&w);
	p = parse_ok(&m, w.b, w.n);
	assert_int_equal(stun_msg_find(&m, STUN_ATTR_USERNAME)->len, TP_USERNAME_MAX);
	free(p);
	for (uint16_t len = TP_USERNAME_MAX + 1; len <= TP_USERNAME_MAX + 4; len++) {
		w_hdr(&w, 0x0003);
		w_attr(&w, STUN_ATTR_USERNAME, len, name);         /* at 20 */
		w_fix(&w);
		expect_bad_msg(w.b, w.n, 20, "USERNAME over TP_USERNAME_MAX");
	}
	/* After MESSAGE-INTEGRITY it is ignored, unread: no reason to refuse. */
	w_hdr(&w, 0x0003);
	w_attr(&w, STUN_ATTR_MESSAGE_INTEGRITY, 20, NULL);
	w_attr(&w, STUN_ATTR_USERNAME, TP_USERNAME_MAX + 4, name);
	w_fix(&w);
	p = parse_ok(&m, w.b, w.n);
	assert_null(stun_msg_find(&m, STUN_ATTR_USERNAME));
	free(p);
}

static void
test_parse_rejects_fingerprint_not_last(void **state)
{
	struct wbuf w;

	(void)state;
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "abcd"); /* at 20 */
	w_fingerprint(&w);                         /* at 28, correct CRC */
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "efgh"); /* at 36 */
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 28, "FINGERPRINT not last");

	/* Two FINGERPRINTs: the first is not last. */
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "abcd");
	w_fingerprint(&w);
	w_fingerprint(&w);
	expect_bad_msg(w.b, w.n, 28, "two FINGERPRINTs");

	/* Followed by an unknown optional attribute. */
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "abcd");
	w_fingerprint(&w);
	w_attr(&w, 0x8031, 4, "efgh");
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 28, "FINGERPRINT then unknown");
}

static void
test_parse_rejects_too_many_attrs(void **state)
{
	struct wbuf w;
	struct stun_msg m;
	uint8_t *p;

	(void)state;
	w_hdr(&w, 0x0001);
	for (unsigned int i = 0; i < STUN_MAX_ATTRS; i++)
		w_attr(&w, STUN_ATTR_SOFTWARE, 0, NULL);
	w_fix(&w);
	/* Exactly the maximum is fine... */
	p = parse_ok(&m, w.b, w.n);
	assert_int_equal(m.nattrs, STUN_MAX_ATTRS);
	free(p);
	/* ...one more is hostile. */
	w_attr(&w, STUN_ATTR_SOFTWARE, 0, NULL);
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 20, "STUN_MAX_ATTRS + 1");

	/* Many more, of a type we do not know. */
	w_hdr(&w, 0x0001);
	for (unsigned int i = 0; i < 200; i++)
		w_attr(&w, 0x8031, 0, NULL);
	w_fix(&w);
	expect_bad_msg(w.b, w.n, 20, "200 unknown attributes");
}

static void
test_parse_tolerates_null_err(void **state)
{
	struct stun_msg m;
	uint8_t *p;

	(void)state;
	p = dup_exact(rfc5769_resp_v4, 10);
	assert_int_equal(stun_msg_parse(&m, p, 10, NULL), -EBADMSG);
	free(p);
	p = dup_exact(rfc5769_resp_v4, sizeof(rfc5769_resp_v4));
	assert_int_equal(stun_msg_parse(&m, p, sizeof(rfc5769_resp_v4),
					NULL), 0);
	free(p);
}

static void
test_parse_accepts_header_only(void **state)
{
	struct wbuf w;
	struct stun_msg m;
	uint8_t *p;

	(void)state;
	w_hdr(&w, stun_msg_type(STUN_METHOD_REFRESH, STUN_CLASS_ERROR));
	w_fix(&w);
	p = parse_ok(&m, w.b, w.n);
	assert_int_equal(m.nattrs, 0);
	assert_int_equal(m.method, STUN_METHOD_REFRESH);
	assert_int_equal(m.cls, STUN_CLASS_ERROR);
	assert_null(stun_msg_find(&m, STUN_ATTR_SOFTWARE));
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_ABSENT);
	assert_int_equal(stun_check_integrity(&m, (const uint8_t *)"k", 1),
			 STUN_CHECK_ABSENT);
	free(p);
}

static void
test_parse_lists_unknown_required_attr(void **state)
{
	struct wbuf w;
	struct stun_msg m;
	uint8_t *p;

	(void)state;
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "abcd");
	w_attr(&w, 0x0031, 4, "wxyz");  /* comprehension-required */
	w_attr(&w, 0x8031, 4, "wxyz");  /* comprehension-optional */
	w_attr(&w, 0x0032, 0, NULL);    /* comprehension-required, empty */
	w_attr(&w, 0xc001, 3, "abc");   /* optional, padded */
	w_fix(&w);
	p = parse_ok(&m, w.b, w.n);
	assert_int_equal(m.nattrs, 5);
	assert_int_equal(m.nunknown, 2);
	assert_int_equal(m.unknown[0], 0x0031);
	assert_int_equal(m.unknown[1], 0x0032);
	assert_text(stun_msg_find(&m, STUN_ATTR_SOFTWARE), "abcd");
	assert_int_equal(m.attrs[1].idx, STUN_AIDX_NONE);
	assert_int_equal(m.attrs[1].type, 0x0031);
	free(p);

	/* Only optional unknowns: nothing to report. */
	w_hdr(&w, 0x0001);
	w_attr(&w, 0x8031, 4, "wxyz");
	w_attr(&w, 0xffff, 0, NULL);
	w_fix(&w);
	p = parse_ok(&m, w.b, w.n);
	assert_int_equal(m.nunknown, 0);
	free(p);
}

static void
test_parse_ignores_attrs_after_integrity(void **state)
{
	static const uint8_t mi[20] = { 0x11 };
	static const uint8_t mi256[32] = { 0x22 };
	static const uint8_t peer[8] = { 0, 1, 0x21, 0x13, 0x2b, 0x12, 0xa4,
					 0x43 };
	struct wbuf w;
	struct stun_msg m;
	const struct stun_attr *a;
	uint8_t *p;
	unsigned int ignored = 0;

	(void)state;
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_XOR_PEER_ADDRESS, 8, peer);       /* 20 */
	w_attr(&w, STUN_ATTR_USERNAME, 5, "alice");            /* 32 */
	w_attr(&w, STUN_ATTR_MESSAGE_INTEGRITY, 20, mi);       /* 44 */
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "late");             /* 68 */
	w_attr(&w, 0x0031, 4, "late");                         /* 76 */
	w_attr(&w, STUN_ATTR_LIFETIME, 4, "\0\0\2\x58");       /* 84 */
	w_attr(&w, STUN_ATTR_XOR_PEER_ADDRESS, 8, peer);       /* 92 */
	w_attr(&w, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, 32, mi256); /* 104 */
	w_fingerprint(&w);                                     /* 140 */
	p = parse_ok(&m, w.b, w.n);
	assert_int_equal(m.nattrs, 9);

	assert_non_null(stun_msg_find(&m, STUN_ATTR_USERNAME));
	a = stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY);
	assert_non_null(a);
	assert_int_equal(a->offset, 44);
	assert_null(stun_msg_find(&m, STUN_ATTR_SOFTWARE));
	assert_null(stun_msg_find(&m, STUN_ATTR_LIFETIME));
	assert_null(stun_msg_find(&m, 0x0031));
	/* An ignored unknown is not reported for a 420. */
	assert_int_equal(m.nunknown, 0);
	/* A repeated attribute after MI is not walked to either. */
	a = stun_msg_find(&m, STUN_ATTR_XOR_PEER_ADDRESS);
	assert_non_null(a);
	assert_int_equal(a->offset, 20);
	assert_null(stun_msg_find_next(&m, a));
	/* RFC 8489 §14.5: MI-SHA256 and FINGERPRINT may follow MI. */
	a = stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	assert_non_null(a);
	assert_int_equal(a->offset, 104);
	a = stun_msg_find(&m, STUN_ATTR_FINGERPRINT);
	assert_non_null(a);
	assert_int_equal(a->offset, 140);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);

	for (unsigned int i = 0; i < m.nattrs; i++) {
		bool want = m.attrs[i].offset >= 68 && m.attrs[i].offset < 104;

		assert_int_equal(!!m.attrs[i].ignored, want);
		ignored += m.attrs[i].ignored ? 1u : 0u;
	}
	assert_int_equal(ignored, 4);
	free(p);
}

static void
test_parse_ignores_attrs_after_integrity_sha256(void **state)
{
	static const uint8_t mi[20] = { 0x11 };
	static const uint8_t mi256[32] = { 0x22 };
	struct wbuf w;
	struct stun_msg m;
	uint8_t *p;

	(void)state;
	w_hdr(&w, 0x0001);
	w_attr(&w, STUN_ATTR_USERNAME, 5, "alice");
	w_attr(&w, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, 32, mi256);
	w_attr(&w, STUN_ATTR_MESSAGE_INTEGRITY, 20, mi);
	w_attr(&w, STUN_ATTR_SOFTWARE, 4, "late");
	w_fingerprint(&w);
	p = parse_ok(&m, w.b, w.n);
	/* RFC 8489 §14.6: only FINGERPRINT may follow MI-SHA256. */
	assert_non_null(stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256));
	assert_null(stun_msg_find(&m, STUN_ATTR_MESSAGE_INTEGRITY));
	assert_null(stun_msg_find(&m, STUN_ATTR_SOFTWARE));
	assert_non_null(stun_msg_find(&m, STUN_ATTR_FINGERPRINT));
	assert_int_equal(stun_check_integrity(&m, (const uint8_t *)"k", 1),
			 STUN_CHECK_ABSENT);
	free(p);
}

/* XOR-PEER-ADDRESS value for 10.0.0.<host>:<port>, XORed with the cookie. */
static void
xpeer4(uint8_t v[8], uint8_t host, uint16_t port)
{
	uint16_t xp = (uint16_t)(port ^ (STUN_MAGIC_COOKIE >> 16));
	uint32_t xa = (0x0a000000u | host) ^ STUN_MAGIC_COOKIE;

	v[0] = 0;
	v[1] = STUN_AF_IPV4;
	v[2] = (uint8_t)(xp >> 8);
	v[3] = (uint8_t)xp;
	v[4] = (uint8_t)(xa >> 24);
	v[5] = (uint8_t)(xa >> 16);
	v[6] = (uint8_t)(xa >> 8);
	v[7] = (uint8_t)xa;
}

static void
test_find_returns_first_duplicate_and_next_walks_rest(void **state)
{
	static const uint16_t want_off[3] = { 20, 40, 60 };
	struct wbuf w;
	struct stun_msg m;
	const struct stun_attr *a;
	struct stun_addr addr;
	uint8_t v[8];
	uint8_t *p;

	(void)state;
	w_hdr(&w, stun_msg_type(STUN_METHOD_CREATE_PERMISSION,
				STUN_CLASS_REQUEST));
	xpeer4(v, 1, 5000);
	w_attr(&w, STUN_ATTR_XOR_PEER_ADDRESS, 8, v);    /* 20 */
	w_attr(&w, STUN_ATTR_LIFETIME, 4, "\0\0\0\1");   /* 32 */
	xpeer4(v, 2, 5001);
	w_attr(&w, STUN_ATTR_XOR_PEER_ADDRESS, 8, v);    /* 40 */
	w_attr(&w, STUN_ATTR_LIFETIME, 4, "\0\0\0\2");   /* 52 */
	xpeer4(v, 3, 5002);
	w_attr(&w, STUN_ATTR_XOR_PEER_ADDRESS, 8, v);    /* 60 */
	w_fix(&w);
	p = parse_ok(&m, w.b, w.n);

	a = stun_msg_find(&m, STUN_ATTR_XOR_PEER_ADDRESS);
	for (unsigned int i = 0; i < 3; i++) {
		assert_non_null(a);
		assert_int_equal(a->type, STUN_ATTR_XOR_PEER_ADDRESS);
		assert_int_equal(a->offset, want_off[i]);
		assert_int_equal(stun_attr_get_addr(&m, a, &addr), 0);
		assert_int_equal(addr.family, STUN_AF_IPV4);
		assert_int_equal(addr.port, 5000 + i);
		assert_hex(addr.ip, i == 0 ? "0a000001" :
				    i == 1 ? "0a000002" : "0a000003", 4);
		a = stun_msg_find_next(&m, a);
	}
	assert_null(a);

	a = stun_msg_find(&m, STUN_ATTR_LIFETIME);
	assert_non_null(a);
	assert_int_equal(a->offset, 32);
	a = stun_msg_find_next(&m, a);
	assert_non_null(a);
	assert_int_equal(a->offset, 52);
	assert_null(stun_msg_find_next(&m, a));
	free(p);
}

/* ---- stun_is_stun -------------------------------------------------------- */

static bool
is_stun_exact(const uint8_t *src, size_t len)
{
	uint8_t *p = dup_exact(src, len);
	bool r = stun_is_stun(p, len);

	free(p);
	return r;
}

static void
test_is_stun_accepts_rfc5769_vectors(void **state)
{
	(void)state;
	assert_true(is_stun_exact(rfc5769_request, sizeof(rfc5769_request)));
	assert_true(is_stun_exact(rfc5769_resp_v4, sizeof(rfc5769_resp_v4)));
	assert_true(is_stun_exact(rfc5769_resp_v6, sizeof(rfc5769_resp_v6)));
	assert_true(is_stun_exact(rfc5769_long_term,
				  sizeof(rfc5769_long_term)));
	assert_true(is_stun_exact(rfc8489_b1, sizeof(rfc8489_b1)));
}

static void
test_is_stun_rejects_non_stun(void **state)
{
	static const uint8_t chdata[8] = { 0x40, 0x00, 0x00, 0x04,
					   0x21, 0x12, 0xa4, 0x42 };
	uint8_t b[sizeof(rfc5769_resp_v4) + 4];

	(void)state;
	for (size_t len = 0; len < STUN_HDR_LEN; len++)
		assert_false(is_stun_exact(rfc5769_resp_v4, len));
	/* Header length disagrees with the datagram. */
	assert_false(is_stun_exact(rfc5769_resp_v4,
				   sizeof(rfc5769_resp_v4) - 4));
	memcpy(b, rfc5769_resp_v4, sizeof(rfc5769_resp_v4));
	memset(b + sizeof(rfc5769_resp_v4), 0, 4);
	assert_false(is_stun_exact(b, sizeof(b)));
	/* Bad cookie. */
	memcpy(b, rfc5769_resp_v4, sizeof(rfc5769_resp_v4));
	b[7] ^= 0xff;
	assert_false(is_stun_exact(b, sizeof(rfc5769_resp_v4)));
	/* Top bits set. */
	memcpy(b, rfc5769_resp_v4, sizeof(rfc5769_resp_v4));
	b[0] |= 0x80;
	assert_false(is_stun_exact(b, sizeof(rfc5769_resp_v4)));
	b[0] = 0x41;
	assert_false(is_stun_exact(b, sizeof(rfc5769_resp_v4)));
	/* ChannelData that happens to carry the cookie. */
	assert_false(is_stun_exact(chdata, sizeof(chdata)));
}

/* ---- message type interleaving (RFC 8489 §5) ----------------------------- */

static void
test_msg_type_roundtrips_all_methods_and_classes(void **state)
{
	(void)state;
	for (uint16_t method = 0; method < 0x1000; method++) {
		for (uint8_t cls = 0; cls < 4; cls++) {
			uint16_t t = stun_msg_type(method, cls);

			if (t & 0xc000u)
				fail_msg("method %#x class %u: type %#x uses "
					 "the top bits", method, cls, t);
			if (stun_type_method(t) != method ||
			    stun_type_class(t) != cls)
				fail_msg("method %#x class %u -> %#x -> "
					 "method %#x class %u", method, cls, t,
					 stun_type_method(t),
					 stun_type_class(t));
		}
	}
	/* And every 14-bit type decodes to a pair that encodes it back. */
	for (uint32_t t = 0; t < 0x4000; t++) {
		uint16_t back = stun_msg_type(stun_type_method((uint16_t)t),
					      stun_type_class((uint16_t)t));

		assert_int_equal(back, t);
	}
}

static void
test_msg_type_known_values(void **state)
{
	static const struct {
		uint16_t method;
		uint8_t cls;
		uint16_t type;
	} known[] = {
		{ STUN_METHOD_BINDING, STUN_CLASS_REQUEST, 0x0001 },
		{ STUN_METHOD_BINDING, STUN_CLASS_INDICATION, 0x0011 },
		{ STUN_METHOD_BINDING, STUN_CLASS_SUCCESS, 0x0101 },
		{ STUN_METHOD_BINDING, STUN_CLASS_ERROR, 0x0111 },
		{ STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST, 0x0003 },
		{ STUN_METHOD_ALLOCATE, STUN_CLASS_SUCCESS, 0x0103 },
		{ STUN_METHOD_ALLOCATE, STUN_CLASS_ERROR, 0x0113 },
		{ STUN_METHOD_REFRESH, STUN_CLASS_REQUEST, 0x0004 },
		{ STUN_METHOD_SEND, STUN_CLASS_INDICATION, 0x0016 },
		{ STUN_METHOD_DATA, STUN_CLASS_INDICATION, 0x0017 },
		{ STUN_METHOD_CREATE_PERMISSION, STUN_CLASS_SUCCESS, 0x0108 },
		{ STUN_METHOD_CHANNEL_BIND, STUN_CLASS_ERROR, 0x0119 },
		{ STUN_METHOD_CONNECT, STUN_CLASS_REQUEST, 0x000a },
		{ STUN_METHOD_CONNECTION_BIND, STUN_CLASS_SUCCESS, 0x010b },
		{ STUN_METHOD_CONNECTION_ATTEMPT, STUN_CLASS_INDICATION,
		  0x001c },
		{ 0x0fff, STUN_CLASS_ERROR, 0x3fff },
		{ 0x0080, STUN_CLASS_REQUEST, 0x0200 },
	};
	struct wbuf w;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(known); i++) {
		struct stun_msg m;
		uint8_t *p;

		assert_int_equal(stun_msg_type(known[i].method, known[i].cls),
				 known[i].type);
		assert_int_equal(stun_type_method(known[i].type),
				 known[i].method);
		assert_int_equal(stun_type_class(known[i].type), known[i].cls);
		/* The parser decodes the same. */
		w_hdr(&w, known[i].type);
		w_fix(&w);
		p = parse_ok(&m, w.b, w.n);
		assert_int_equal(m.type, known[i].type);
		assert_int_equal(m.method, known[i].method);
		assert_int_equal(m.cls, known[i].cls);
		free(p);
	}
}

/*
 * STUN allows a header length up to 0xfffc (RFC 8489 §6), so over TCP an
 * attribute can start beyond offset 65535: here FINGERPRINT at 65544 of a
 * 65552-byte message (DATA of 65496 bytes, MESSAGE-INTEGRITY at 65520).
 * struct stun_attr.offset is 16 bits wide; the checks must still hash the
 * right range (or the parser must refuse such a message cleanly).
 */
static void
test_check_attr_beyond_64k(void **state)
{
	const size_t len = 65552, data_len = 65496;
	const size_t mi_off = 20 + 4 + data_len, fp_off = mi_off + 24;
	uint8_t *p = malloc(len);
	struct stun_msg m;
	struct stun_parse_error err = { 0, NULL };
	const struct stun_attr *a;
	uint8_t mac[20];
	uint32_t crc;
	int rc;

	(void)state;
	assert_non_null(p);
	memcpy(p, rfc5769_request, 20);
	p[2] = (uint8_t)((len - 20) >> 8);
	p[3] = (uint8_t)(len - 20);
	p[20] = 0x00;
	p[21] = 0x13;
	p[22] = (uint8_t)(data_len >> 8);
	p[23] = (uint8_t)data_len;
	for (size_t i = 0; i < data_len; i++)
		p[24 + i] = (uint8_t)(i * 13);
	/* MESSAGE-INTEGRITY: header length as if the message ended there. */
	p[2] = (uint8_t)((mi_off + 24 - 20) >> 8);
	p[3] = (uint8_t)(mi_off + 24 - 20);
	assert_int_equal(stun_hmac_sha1((const uint8_t *)"k", 1, p, mi_off,
					mac), 0);
	p[mi_off] = 0x00;
	p[mi_off + 1] = 0x08;
	p[mi_off + 2] = 0x00;
	p[mi_off + 3] = 20;
	memcpy(p + mi_off + 4, mac, 20);
	p[2] = (uint8_t)((len - 20) >> 8);
	p[3] = (uint8_t)(len - 20);
	crc = (uint32_t)crc32(0L, p, (uInt)fp_off) ^ STUN_FINGERPRINT_XOR;
	p[fp_off] = 0x80;
	p[fp_off + 1] = 0x28;
	p[fp_off + 2] = 0x00;
	p[fp_off + 3] = 0x04;
	p[fp_off + 4] = (uint8_t)(crc >> 24);
	p[fp_off + 5] = (uint8_t)(crc >> 16);
	p[fp_off + 6] = (uint8_t)(crc >> 8);
	p[fp_off + 7] = (uint8_t)crc;

	rc = stun_msg_parse(&m, p, len, &err);
	if (rc != 0) {
		free(p);
		fail_msg("valid 65552-byte message rejected: %d at %u: %s", rc,
			 err.offset, err.why ? err.why : "?");
	}
	a = stun_msg_find(&m, STUN_ATTR_FINGERPRINT);
	assert_non_null(a);
	assert_ptr_equal(a->value, p + fp_off + 4);
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_VALID);
	assert_int_equal(stun_check_integrity(&m, (const uint8_t *)"k", 1),
			 STUN_CHECK_VALID);
	p[100] ^= 1;
	assert_int_equal(stun_check_fingerprint(&m), STUN_CHECK_INVALID);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rfc5769_request_fields),
		cmocka_unit_test(test_integrity_rfc5769_request_short_term),
		cmocka_unit_test(test_parse_rfc5769_ipv4_response_fields),
		cmocka_unit_test(test_integrity_rfc5769_ipv4_response),
		cmocka_unit_test(test_parse_rfc5769_ipv6_response_fields),
		cmocka_unit_test(test_integrity_rfc5769_ipv6_response),
		cmocka_unit_test(test_parse_rfc5769_long_term_request_fields),
		cmocka_unit_test(test_saslprep_rfc5769_password),
		cmocka_unit_test(test_key_long_term_md5_rfc5769),
		cmocka_unit_test(test_integrity_rfc5769_long_term_request),
		cmocka_unit_test(test_integrity_rejects_wrong_password),
		cmocka_unit_test(test_fingerprint_detects_flipped_body_byte),
		cmocka_unit_test(test_fingerprint_value_matches_crc32),
		cmocka_unit_test(test_parse_rfc8489_b1_sha256_request),
		cmocka_unit_test(test_integrity_sha256_rfc8489_b1),
		cmocka_unit_test(test_key_long_term_sha256_matches_openssl),
		cmocka_unit_test(test_userhash_matches_openssl),
		cmocka_unit_test(test_hmac_sha1_rest_api_vector),
		cmocka_unit_test(test_hmac_sha256_matches_openssl),
		cmocka_unit_test(test_parse_rejects_truncated_header),
		cmocka_unit_test(test_parse_rejects_every_truncation),
		cmocka_unit_test(test_parse_rejects_length_not_multiple_of_4),
		cmocka_unit_test(test_parse_rejects_length_beyond_buffer),
		cmocka_unit_test(test_parse_rejects_length_short_of_buffer),
		cmocka_unit_test(test_parse_rejects_bad_magic_cookie),
		cmocka_unit_test(test_parse_rejects_top_bits_set),
		cmocka_unit_test(test_parse_rejects_attr_running_past_end),
		cmocka_unit_test(test_parse_rejects_attr_padding_past_end),
		cmocka_unit_test(test_parse_rejects_lying_fixed_attr_length),
		cmocka_unit_test(test_parse_rejects_fingerprint_not_last),
		cmocka_unit_test(test_parse_username_limit_is_tp_username_max),
		cmocka_unit_test(test_parse_rejects_too_many_attrs),
		cmocka_unit_test(test_parse_tolerates_null_err),
		cmocka_unit_test(test_parse_accepts_header_only),
		cmocka_unit_test(test_parse_lists_unknown_required_attr),
		cmocka_unit_test(test_parse_ignores_attrs_after_integrity),
		cmocka_unit_test(
			test_parse_ignores_attrs_after_integrity_sha256),
		cmocka_unit_test(
			test_find_returns_first_duplicate_and_next_walks_rest),
		cmocka_unit_test(test_is_stun_accepts_rfc5769_vectors),
		cmocka_unit_test(test_is_stun_rejects_non_stun),
		cmocka_unit_test(
			test_msg_type_roundtrips_all_methods_and_classes),
		cmocka_unit_test(test_msg_type_known_values),
		/* Last: against a codec with 16-bit offsets it crashes. */
		cmocka_unit_test(test_check_attr_beyond_64k),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
