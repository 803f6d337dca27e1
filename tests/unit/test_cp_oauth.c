/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth's RFC 7635 access tokens (oauth.c) and the verdict on requests
 * that bring one (auth.c): tokens made by coturn's turnutils_oauth -e (the
 * interoperability vectors below), every byte tampered, every length cut,
 * lives judged at their edges, and the 401 that names the server.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "auth.h"
#include "oauth.h"
#include "stun.h"

/*
 * turnutils_oauth -e -i turn.example.net -j north -l 1 -m 999999999
 *   -k MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=   ("0123...8901", 32 bytes)
 *   -n A256GCM -o bm9uY2UtMTJieXRl ("nonce-12byte")
 *   -p YWJjZGVmZ2hpamtsbW5vcHFyc3Q= ("abcdefghijklmnopqrst", the mac_key)
 *   -q $((1700000000 << 16)) -r 3600
 */
static const char north_tok_b64[] =
	"AAxub25jZS0xMmJ5dGU3A9247ZJkCKa3QiyslS4t6hhqccCTgCLBkZMjlbAkg7YqExcGuHuutC6adTrmc+nzRQ==";
/*
 * turnutils_oauth -e -i turn.example.net -j union -l 1 -m 999999999
 *   -k MTIzNDU2Nzg5MDEyMzQ1Ng== ("1234567890123456") -n A128GCM
 *   -o dW5pb24tbm9uY2Uh ("union-nonce!")
 *   -p MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlBQkNERUY= (32 bytes)
 *   -q $(((1700000000 << 16) + 32000)) -r 600
 */
static const char union_tok_b64[] =
	"AAx1bmlvbi1ub25jZSFSpJZqi14SqP1/2F2kwRLpwnfRSehuwsbIe5gnGUeaB4/u91eQ0HzA/WX5tge9os9UAvZJjcGo0Jr2EQY8fg==";

#define SERVER "turn.example.net"
#define REALM  "example.org"
#define T0     1700000000ull

static struct cp_oauth_key north, unio;

static size_t
unb64(const char *in, uint8_t *out)
{
	size_t n = strlen(in), pad = 0;
	int len;

	while (pad < 2 && in[n - 1 - pad] == '=')
		pad++;
	len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	assert_true(len > 0);
	return (size_t)len - pad;
}

static int
keys_setup(void **state)
{
	(void)state;
	memset(&north, 0, sizeof(north));
	strcpy(north.kid, "north");
	north.alg = CP_OAUTH_A256GCM;
	north.key_len = 32;
	memcpy(north.key, "01234567890123456789012345678901", 32);
	memset(&unio, 0, sizeof(unio));
	strcpy(unio.kid, "union");
	unio.alg = CP_OAUTH_A128GCM;
	unio.key_len = 16;
	memcpy(unio.key, "1234567890123456", 16);
	return 0;
}

static void
test_oauth_open_turnutils_a256gcm(void **state)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	struct cp_oauth_token t;
	uint8_t tok[128];
	size_t n = unb64(north_tok_b64, tok);

	(void)state;
	assert_int_equal(n, CP_OAUTH_TOKEN_LEN(20));
	assert_int_equal(cp_oauth_open(ctx, &north, SERVER, strlen(SERVER), tok, n, &t),
			 CP_OAUTH_OK);
	assert_int_equal(t.mac_key_len, 20);
	assert_memory_equal(t.mac_key, "abcdefghijklmnopqrst", 20);
	assert_true(t.timestamp == T0 << 16);
	assert_int_equal(t.lifetime, 3600);
	EVP_CIPHER_CTX_free(ctx);
}

static void
test_oauth_open_turnutils_a128gcm(void **state)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	struct cp_oauth_token t;
	uint8_t tok[128];
	size_t n = unb64(union_tok_b64, tok);

	(void)state;
	assert_int_equal(cp_oauth_open(ctx, &unio, SERVER, strlen(SERVER), tok, n, &t),
			 CP_OAUTH_OK);
	assert_int_equal(t.mac_key_len, 32);
	assert_memory_equal(t.mac_key, "0123456789abcdef0123456789ABCDEF", 32);
	assert_true(t.timestamp == (T0 << 16) + 32000);
	assert_int_equal(t.lifetime, 600);
	/* sealed for another server, or under another key: the tag fails */
	assert_int_equal(cp_oauth_open(ctx, &unio, "turn.example.com", 16, tok, n, &t),
			 CP_OAUTH_BAD_TAG);
	assert_int_equal(t.mac_key_len, 0);
	assert_int_equal(cp_oauth_open(ctx, &north, SERVER, strlen(SERVER), tok, n, &t),
			 CP_OAUTH_BAD_TAG);
	EVP_CIPHER_CTX_free(ctx);
}

/* Every bit of every byte flipped: never accepted. */
static void
test_oauth_open_refuses_every_tampered_byte(void **state)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	struct cp_oauth_token t;
	uint8_t tok[128];
	size_t n = unb64(north_tok_b64, tok);

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (unsigned int bit = 0; bit < 8; bit++) {
			enum cp_oauth_status st;

			tok[i] ^= (uint8_t)(1u << bit);
			st = cp_oauth_open(ctx, &north, SERVER, strlen(SERVER), tok, n, &t);
			assert_true(st == CP_OAUTH_BAD_TAG || st == CP_OAUTH_MALFORMED);
			assert_int_equal(t.mac_key_len, 0);
			tok[i] ^= (uint8_t)(1u << bit);
		}
	assert_int_equal(cp_oauth_open(ctx, &north, SERVER, strlen(SERVER), tok, n, &t),
			 CP_OAUTH_OK);
	EVP_CIPHER_CTX_free(ctx);
}

/* Cut at every length, or one byte longer: refused, nothing read past. */
static void
test_oauth_open_refuses_truncated_and_long(void **state)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	struct cp_oauth_token t;
	uint8_t tok[128];
	size_t n = unb64(north_tok_b64, tok);

	(void)state;
	for (size_t len = 0; len < n; len++) {
		uint8_t *cut = malloc(len > 0 ? len : 1);   /* ASan sees a read past it */

		memcpy(cut, tok, len);
		assert_int_not_equal(cp_oauth_open(ctx, &north, SERVER, strlen(SERVER), cut, len,
						   &t), CP_OAUTH_OK);
		free(cut);
	}
	tok[n] = 0;
	assert_int_not_equal(cp_oauth_open(ctx, &north, SERVER, strlen(SERVER), tok, n + 1, &t),
			     CP_OAUTH_OK);
	/* a nonce length other than AES-GCM's 12 */
	tok[1] = 11;
	assert_int_equal(cp_oauth_open(ctx, &north, SERVER, strlen(SERVER), tok, n, &t),
			 CP_OAUTH_MALFORMED);
	EVP_CIPHER_CTX_free(ctx);
}

/* Our sealing and opening agree, at each mac_key length the bounds allow,
 * and coturn's tool made the same bytes we do. */
static void
test_oauth_seal_matches_turnutils(void **state)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	struct cp_oauth_token t = { .mac_key_len = 20, .timestamp = T0 << 16, .lifetime = 3600 },
			      back;
	uint8_t want[128], out[CP_OAUTH_TOKEN_MAX];
	size_t n = unb64(north_tok_b64, want);

	(void)state;
	memcpy(t.mac_key, "abcdefghijklmnopqrst", 20);
	assert_int_equal(cp_oauth_seal(ctx, &north, SERVER, strlen(SERVER),
				       (const uint8_t *)"nonce-12byte", &t, out), (int)n);
	assert_memory_equal(out, want, n);
	for (unsigned int k = CP_OAUTH_MAC_KEY_MIN; k <= CP_OAUTH_MAC_KEY_MAX; k++) {
		int len;

		t.mac_key_len = (uint8_t)k;
		len = cp_oauth_seal(ctx, &unio, SERVER, strlen(SERVER),
				    (const uint8_t *)"0123456789ab", &t, out);
		assert_int_equal(len, (int)CP_OAUTH_TOKEN_LEN(k));
		assert_int_equal(cp_oauth_open(ctx, &unio, SERVER, strlen(SERVER), out,
					       (size_t)len, &back), CP_OAUTH_OK);
		assert_int_equal(back.mac_key_len, k);
	}
	t.mac_key_len = CP_OAUTH_MAC_KEY_MIN - 1;
	assert_int_equal(cp_oauth_seal(ctx, &unio, SERVER, strlen(SERVER),
				       (const uint8_t *)"0123456789ab", &t, out), -EINVAL);
	EVP_CIPHER_CTX_free(ctx);
}

static void
test_oauth_when_edges(void **state)
{
	struct cp_oauth_token t = { .timestamp = (T0 << 16) + 65535, .lifetime = 600 };
	uint64_t end;

	(void)state;
	assert_int_equal(cp_oauth_when(&t, T0, 0, 0, &end), CP_OAUTH_OK);
	assert_true(end == T0 + 600);
	assert_int_equal(cp_oauth_when(&t, T0 + 600, 0, 0, &end), CP_OAUTH_OK);
	assert_int_equal(cp_oauth_when(&t, T0 + 601, 0, 0, &end), CP_OAUTH_EXPIRED);
	assert_int_equal(cp_oauth_when(&t, T0 + 630, 30, 0, &end), CP_OAUTH_OK);
	assert_int_equal(cp_oauth_when(&t, T0 + 631, 30, 0, &end), CP_OAUTH_EXPIRED);
	/* from the future: past the tolerance, refused */
	assert_int_equal(cp_oauth_when(&t, T0 - 30, 30, 0, &end), CP_OAUTH_OK);
	assert_int_equal(cp_oauth_when(&t, T0 - 31, 30, 0, &end), CP_OAUTH_FUTURE);
	/* the cap shortens a long life */
	assert_int_equal(cp_oauth_when(&t, T0 + 200, 0, 100, &end), CP_OAUTH_EXPIRED);
	assert_true(end == T0 + 100);
	/* no life at all */
	t.lifetime = 0;
	assert_int_equal(cp_oauth_when(&t, T0, 30, 0, &end), CP_OAUTH_EXPIRED);
	/* a timestamp at the 48-bit top does not wrap */
	t.timestamp = UINT64_MAX;
	t.lifetime = UINT32_MAX;
	assert_int_equal(cp_oauth_when(&t, T0, 3600, 0, &end), CP_OAUTH_FUTURE);
}

/* ---- the verdict --------------------------------------------------------- */

struct req_opts {
	uint16_t method;
	const char *user;
	const uint8_t *tok;
	size_t tok_len;
	const uint8_t *key;
	size_t key_len;
	bool sha256;
	const char *nonce;
};

static void
build(const struct req_opts *o, uint8_t *buf, size_t cap, struct stun_msg *m)
{
	static const uint8_t tid[STUN_TID_LEN] = { 1, 2, 3 };
	struct stun_builder b;
	int n;

	stun_build_init(&b, buf, cap, stun_msg_type(o->method, STUN_CLASS_REQUEST), tid);
	if (o->tok != NULL)
		stun_build_attr(&b, STUN_ATTR_ACCESS_TOKEN, o->tok, o->tok_len);
	stun_build_str(&b, STUN_ATTR_USERNAME, o->user);
	stun_build_str(&b, STUN_ATTR_REALM, REALM);
	stun_build_str(&b, STUN_ATTR_NONCE, o->nonce);
	if (o->sha256)
		stun_build_integrity_sha256(&b, o->key, o->key_len);
	else
		stun_build_integrity(&b, o->key, o->key_len);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	assert_true(n > 0);
	assert_int_equal(stun_msg_parse(m, buf, (size_t)n, NULL), 0);
}

static struct cp_auth *
auth_with_oauth(bool on)
{
	struct cp_oauth_key keys[2] = { north, unio };
	struct cp_auth_conf c = {
		.realm = REALM,
		.oauth_server_name = on ? SERVER : NULL,
		.oauth_keys = keys,
		.oauth_nkeys = 2,
		.oauth_tolerance_s = 30,
	};
	struct cp_auth *a = cp_auth_init(&c);

	assert_non_null(a);
	return a;
}

static const struct cp_auth_peer from = {
	.addr = { .family = STUN_AF_IPV4, .port = 5000, .ip = { 192, 0, 2, 1 } },
	.transport = STUN_TRANSPORT_UDP,
};

static void
test_oauth_verdict_token(void **state)
{
	struct cp_auth *a = auth_with_oauth(true);
	struct cp_auth_result res;
	struct cp_auth_session sess;
	uint8_t tok[128], bad[128], buf[512];
	size_t n = unb64(north_tok_b64, tok);
	char nonce[CP_AUTH_NONCE_LEN + 1];
	struct stun_msg m;
	struct req_opts o = {
		.method = STUN_METHOD_ALLOCATE, .user = "north", .tok = tok, .tok_len = n,
		.key = (const uint8_t *)"abcdefghijklmnopqrst", .key_len = 20, .nonce = nonce,
	};

	(void)state;
	assert_int_equal(cp_auth_nonce_make(a, &from, 100, nonce), CP_AUTH_NONCE_LEN);
	/* RFC 7635: MESSAGE-INTEGRITY keyed with the mac_key */
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 0);
	assert_int_equal(res.oauth, 1);
	assert_int_equal(res.key_len, 20);
	assert_string_equal(res.username, "north");
	assert_true(res.oauth_expiry == T0 + 3600);
	/* coturn's client: its first 16 bytes; our answer is signed so */
	o.key_len = 16;
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 0);
	assert_int_equal(res.key_len, 16);
	/* MESSAGE-INTEGRITY-SHA256 with it */
	o.key_len = 20;
	o.sha256 = true;
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 0);
	assert_true(res.mi_sha256);
	o.sha256 = false;
	/* wrong mac_key */
	o.key = (const uint8_t *)"abcdefghijklmnopqrsX";
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "bad-integrity");
	assert_int_equal(res.key_len, 0);
	o.key = (const uint8_t *)"abcdefghijklmnopqrst";
	/* expired, from the future */
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 3600 + 31, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "oauth-expired");
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 - 31, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "oauth-future");
	/* a kid we have no key for, or the other key's */
	o.user = "oldempire";
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "oauth-unknown-kid");
	o.user = "union";
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "oauth-bad-token");
	o.user = "north";
	/* a tampered token */
	memcpy(bad, tok, n);
	bad[n - 1] ^= 1;
	o.tok = bad;
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "oauth-bad-token");
	o.tok = tok;
	/* a good token with a nonce gone stale: 438 once the key is proven */
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100 + 3600, T0 + 100, &res), 438);

	/* the allocation's later requests: no token, the same kid and key */
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 0);
	cp_auth_session_of(&res, &sess);
	assert_int_equal(sess.key_len, 20);
	o.tok = NULL;
	o.method = STUN_METHOD_CREATE_PERMISSION;
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 200, &sess, 1, &res), 0);
	assert_int_equal(res.oauth, 2);
	/* without the session it is nobody's */
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 200, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "unknown-user");
	/* past the token's end */
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 3600 + 31, &sess, 1, &res),
			 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "oauth-expired");
	/* another kid than the session's: not its key */
	o.user = "union";
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 200, &sess, 1, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "unknown-user");
	cp_auth_free(a);
}

/* Each key's authorization server (struct cp_oauth_key.as; none: the kid
 * names it): a verdict says whose token it was, and what an allocation
 * keeps of it says so too, so that cp/alloc takes a renewal from the
 * allocation's own AS only. */
static void
test_oauth_verdict_names_the_as(void **state)
{
	struct cp_oauth_key keys[3] = { north, unio, north };
	struct cp_auth_conf c = {
		.realm = REALM, .oauth_server_name = SERVER, .oauth_keys = keys,
		.oauth_nkeys = 3, .oauth_tolerance_s = 30,
	};
	struct cp_auth *a;
	struct cp_auth_result res;
	struct cp_auth_session sess;
	uint8_t tok[128], buf[512];
	size_t n = unb64(union_tok_b64, tok);
	char nonce[CP_AUTH_NONCE_LEN + 1];
	struct stun_msg m;
	struct req_opts o = {
		.method = STUN_METHOD_ALLOCATE, .user = "union", .tok = tok, .tok_len = n,
		.key = (const uint8_t *)"0123456789abcdef0123456789ABCDEF", .key_len = 32,
		.nonce = nonce,
	};

	(void)state;
	/* a third kid, west, of union's AS */
	strcpy(keys[2].kid, "west");
	strcpy(keys[2].as, "union");
	a = cp_auth_init(&c);
	assert_non_null(a);
	assert_string_equal(cp_auth_oauth_as_name(a, 1), "north");
	assert_string_equal(cp_auth_oauth_as_name(a, 2), "union");
	assert_string_equal(cp_auth_oauth_as_name(a, 0), "");
	assert_string_equal(cp_auth_oauth_as_name(a, 4), "");
	assert_int_equal(cp_auth_nonce_make(a, &from, 100, nonce), CP_AUTH_NONCE_LEN);
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 0);
	assert_int_equal(res.oauth_as, 2);
	cp_auth_session_of(&res, &sess);
	assert_int_equal(sess.as, 2);
	assert_int_equal(sess.kid, 2);
	cp_auth_free(a);
	/* west's key sealed union's token under its own kid: the same AS */
	memcpy(keys[2].key, unio.key, 16);
	keys[2].alg = unio.alg;
	keys[2].key_len = unio.key_len;
	a = cp_auth_init(&c);
	assert_non_null(a);
	o.user = "west";
	assert_int_equal(cp_auth_nonce_make(a, &from, 100, nonce), CP_AUTH_NONCE_LEN);
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 0);
	assert_int_equal(res.oauth_as, 2);
	cp_auth_free(a);
	/* an as longer than a kid may be: refused */
	memset(keys[2].as, 'x', CP_OAUTH_KID_MAX + 1);
	assert_null(cp_auth_init(&c));
}

/* A later request of a token allocation, without a token: cp/alloc gives
 * two sessions (the renewed one, the one it was made with); the request
 * signed with either key passes, and says which (res.key); one whose
 * token has ended is no more; neither key: bad-integrity. */
static void
test_oauth_session_either_kept_key(void **state)
{
	struct cp_auth *a = auth_with_oauth(true);
	struct cp_auth_session sess[2];
	struct cp_auth_result res;
	uint8_t buf[512];
	char nonce[CP_AUTH_NONCE_LEN + 1];
	struct stun_msg m;
	struct req_opts o = {
		.method = STUN_METHOD_CREATE_PERMISSION, .user = "north",
		.key = (const uint8_t *)"renewed-mac-key-20by", .key_len = 20, .nonce = nonce,
	};

	(void)state;
	memset(sess, 0, sizeof(sess));
	sess[0].key_len = 20;
	memcpy(sess[0].key, "renewed-mac-key-20by", 20);
	sess[0].kid = 1;          /* north's */
	sess[0].expiry = T0 + 600;
	sess[0].as = 1;
	sess[1] = sess[0];
	memcpy(sess[1].key, "made-with-mac-key-20", 20);
	sess[1].expiry = T0 + 300;
	assert_int_equal(cp_auth_nonce_make(a, &from, 100, nonce), CP_AUTH_NONCE_LEN);
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 200, sess, 2, &res), 0);
	assert_int_equal(res.oauth, 2);
	assert_memory_equal(res.key, "renewed-mac-key-20by", 20);
	o.key = (const uint8_t *)"made-with-mac-key-20";
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 200, sess, 2, &res), 0);
	assert_memory_equal(res.key, "made-with-mac-key-20", 20);
	assert_true(res.oauth_expiry == T0 + 300);
	/* (only the first is given: not this one's key) */
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 200, sess, 1, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "bad-integrity");
	/* past the end of the token it was made with: that key is no more */
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 300 + 31, sess, 2, &res),
			 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "bad-integrity");
	/* past both */
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 600 + 31, sess, 2, &res),
			 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "oauth-expired");
	/* a key neither session holds */
	o.key = (const uint8_t *)"someone-else-key-20b";
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check_session(a, &m, &from, 100, T0 + 200, sess, 2, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "bad-integrity");
	cp_auth_free(a);
}

/* The name a token's client goes by: its AS, '/', the first 16 bytes of
 * SHA-256("turnpike oauth client" || mac_key) in hex (python3 hashlib);
 * the same key under another kid of the same AS names the same client, a
 * key cut to 16 bytes (coturn's client signs so) another; no token: none. */
static void
test_oauth_client_name(void **state)
{
	struct cp_auth *a = auth_with_oauth(true);
	struct cp_auth_result res = { .oauth = 1, .oauth_as = 1, .key_len = 20 };
	char out[CP_OAUTH_CLIENT_MAX + 1];

	(void)state;
	memcpy(res.key, "abcdefghijklmnopqrst", 20);
	assert_int_equal(cp_auth_oauth_client(a, &res, out, sizeof(out)), 6 + 32);
	assert_string_equal(out, "north/84cf8045a2a37726b6befc67145d43d5");
	res.oauth = 2;            /* (a kept key's verdict: the same) */
	assert_int_equal(cp_auth_oauth_client(a, &res, out, sizeof(out)), 6 + 32);
	assert_string_equal(out, "north/84cf8045a2a37726b6befc67145d43d5");
	res.key_len = 16;
	assert_int_equal(cp_auth_oauth_client(a, &res, out, sizeof(out)), 6 + 32);
	assert_string_equal(out, "north/03afa7cde3ace7f196e77886c5a8dad3");
	res.oauth_as = 2;
	assert_int_equal(cp_auth_oauth_client(a, &res, out, sizeof(out)), 6 + 32);
	assert_string_equal(out, "union/03afa7cde3ace7f196e77886c5a8dad3");
	/* too small a buffer, no token, no key, no such AS */
	assert_int_equal(cp_auth_oauth_client(a, &res, out, 6 + 32), -EINVAL);
	res.oauth = 0;
	assert_int_equal(cp_auth_oauth_client(a, &res, out, sizeof(out)), -EINVAL);
	res.oauth = 1;
	res.key_len = 0;
	assert_int_equal(cp_auth_oauth_client(a, &res, out, sizeof(out)), -EINVAL);
	res.key_len = 16;
	res.oauth_as = 3;
	assert_int_equal(cp_auth_oauth_client(a, &res, out, sizeof(out)), -EINVAL);
	cp_auth_free(a);
}

/* RFC 7635 §9: what is left of a token's life, for the allocation's:
 * to its end plus oauth.tolerance (30 s here), 0 once past. */
static void
test_oauth_left_of_a_token(void **state)
{
	struct cp_auth *a = auth_with_oauth(true);

	(void)state;
	assert_int_equal(cp_auth_oauth_left(a, T0 + 600, T0), 630);
	assert_int_equal(cp_auth_oauth_left(a, T0 + 600, T0 + 629), 1);
	assert_int_equal(cp_auth_oauth_left(a, T0 + 600, T0 + 630), 0);
	assert_int_equal(cp_auth_oauth_left(a, T0 + 600, T0 + 10000), 0);
	assert_int_equal(cp_auth_oauth_left(a, UINT64_MAX / 2, 0), UINT32_MAX);
	cp_auth_free(a);
}

/* OAuth off: a token is no credential (the long-term check judges the
 * request; cp/alloc answers an authenticated one 420). */
static void
test_oauth_verdict_off(void **state)
{
	struct cp_auth *a = auth_with_oauth(false);
	struct cp_auth_result res;
	uint8_t tok[128], buf[512];
	size_t n = unb64(north_tok_b64, tok);
	char nonce[CP_AUTH_NONCE_LEN + 1];
	struct stun_msg m;
	struct req_opts o = {
		.method = STUN_METHOD_ALLOCATE, .user = "north", .tok = tok, .tok_len = n,
		.key = (const uint8_t *)"abcdefghijklmnopqrst", .key_len = 20, .nonce = nonce,
	};

	(void)state;
	assert_false(cp_auth_oauth_on(a, 0));
	assert_int_equal(cp_auth_nonce_make(a, &from, 100, nonce), CP_AUTH_NONCE_LEN);
	build(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 100, T0 + 100, &res), 401);
	assert_string_equal(cp_auth_reason_name(res.reason), "unknown-user");
	assert_int_equal(res.oauth, 0);
	cp_auth_free(a);
}

/* RFC 7635 §6.1: the 401 carries THIRD-PARTY-AUTHORIZATION, the 438 not. */
static void
test_oauth_challenge_names_server(void **state)
{
	struct cp_auth *a = auth_with_oauth(true);
	struct cp_auth_result res = { .code = 401 };
	uint8_t buf[NONCE_CHALLENGE_MAX], rq[256];
	struct stun_msg req, m;
	const struct stun_attr *tpa;
	struct stun_builder b;
	int n;

	(void)state;
	stun_build_init(&b, rq, sizeof(rq),
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST), NULL);
	n = stun_build_finish(&b);
	assert_int_equal(stun_msg_parse(&req, rq, (size_t)n, NULL), 0);
	n = cp_auth_build_challenge(a, &req, &res, &from, 100, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(stun_msg_parse(&m, buf, (size_t)n, NULL), 0);
	tpa = stun_msg_find(&m, STUN_ATTR_THIRD_PARTY_AUTHORIZATION);
	assert_non_null(tpa);
	assert_int_equal(tpa->len, strlen(SERVER));
	assert_memory_equal(tpa->value, SERVER, strlen(SERVER));
	res.code = 438;
	n = cp_auth_build_challenge(a, &req, &res, &from, 100, buf, sizeof(buf));
	assert_int_equal(stun_msg_parse(&m, buf, (size_t)n, NULL), 0);
	assert_null(stun_msg_find(&m, STUN_ATTR_THIRD_PARTY_AUTHORIZATION));
	/* a tenant's address: no OAuth there */
	assert_false(cp_auth_oauth_on(a, 1));
	cp_auth_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oauth_open_turnutils_a256gcm),
		cmocka_unit_test(test_oauth_open_turnutils_a128gcm),
		cmocka_unit_test(test_oauth_open_refuses_every_tampered_byte),
		cmocka_unit_test(test_oauth_open_refuses_truncated_and_long),
		cmocka_unit_test(test_oauth_seal_matches_turnutils),
		cmocka_unit_test(test_oauth_when_edges),
		cmocka_unit_test(test_oauth_verdict_token),
		cmocka_unit_test(test_oauth_verdict_names_the_as),
		cmocka_unit_test(test_oauth_session_either_kept_key),
		cmocka_unit_test(test_oauth_client_name),
		cmocka_unit_test(test_oauth_left_of_a_token),
		cmocka_unit_test(test_oauth_verdict_off),
		cmocka_unit_test(test_oauth_challenge_names_server),
	};

	return cmocka_run_group_tests(tests, keys_setup, NULL);
}
