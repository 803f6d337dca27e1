/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: RFC 7635 access tokens (cp/auth/oauth.c) as a client
 * hands them over in ACCESS-TOKEN.
 *
 * Input: one selector byte, then the token. Bit 0 of the selector picks
 * the key (coturn's test keys "north", AES-256-GCM, and "union",
 * AES-128-GCM); bit 1 the server name (ours, or another one).
 *  - cp_oauth_open() on the bytes as they are: whatever it says, a token it
 *    accepts must be what sealing its fields again with its own nonce gives
 *    back, byte for byte (AES-GCM is deterministic), and its mac_key within
 *    bounds; one it refuses leaves nothing behind.
 *  - Bit 7 set: the bytes are read as fields instead (mac_key length and
 *    bytes, timestamp, lifetime, a position and a bit), sealed, the bit at
 *    the position flipped, and opened again: accepted only untouched, and
 *    then with the very fields that went in. This reaches the parse of
 *    the block behind the tag, which random bytes never get past.
 * cp_oauth_when() is run on what opened, at a clock taken from the input.
 * The token is copied to a heap buffer of its exact size (ASan watches).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fuzz_check.h"
#include "oauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[2] = { "turn.example.net", "other.example.net" };

static void
keys(struct cp_oauth_key k[2])
{
	memset(k, 0, 2 * sizeof(*k));
	strcpy(k[0].kid, "north");
	k[0].alg = CP_OAUTH_A256GCM;
	k[0].key_len = 32;
	memcpy(k[0].key, "01234567890123456789012345678901", 32);
	strcpy(k[1].kid, "union");
	k[1].alg = CP_OAUTH_A128GCM;
	k[1].key_len = 16;
	memcpy(k[1].key, "1234567890123456", 16);
}

static uint64_t
rd(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
fields_round_trip(EVP_CIPHER_CTX *ctx, const struct cp_oauth_key *k, const char *sn,
		  const uint8_t *d, size_t n)
{
	struct cp_oauth_token in, out;
	uint8_t tok[CP_OAUTH_TOKEN_MAX], nonce[CP_OAUTH_NONCE_LEN] = { 0 };
	uint8_t *heap;
	size_t pos;
	int len;

	if (n < 1 + 8 + 4 + 2 + 1)
		return;
	memset(&in, 0, sizeof(in));
	in.mac_key_len = (uint8_t)(CP_OAUTH_MAC_KEY_MIN +
				   d[0] % (CP_OAUTH_MAC_KEY_MAX - CP_OAUTH_MAC_KEY_MIN + 1));
	in.timestamp = rd(d + 1, 8);
	in.lifetime = (uint32_t)rd(d + 9, 4);
	pos = (size_t)rd(d + 13, 2);
	d += 16;
	n -= 16;
	memcpy(in.mac_key, d, n < in.mac_key_len ? n : in.mac_key_len);
	if (n > in.mac_key_len)
		memcpy(nonce, d + in.mac_key_len,
		       n - in.mac_key_len < sizeof(nonce) ? n - in.mac_key_len : sizeof(nonce));
	len = cp_oauth_seal(ctx, k, sn, strlen(sn), nonce, &in, tok);
	CHECK(len == (int)CP_OAUTH_TOKEN_LEN(in.mac_key_len));
	/* flip one bit, or (pos past the token) none */
	if (pos / 8 < (size_t)len)
		tok[pos / 8] ^= (uint8_t)(1u << (pos % 8));
	heap = malloc((size_t)len);
	CHECK(heap != NULL);
	memcpy(heap, tok, (size_t)len);
	if (cp_oauth_open(ctx, k, sn, strlen(sn), heap, (size_t)len, &out) == CP_OAUTH_OK) {
		CHECK(pos / 8 >= (size_t)len);
		CHECK(out.mac_key_len == in.mac_key_len);
		CHECK(memcmp(out.mac_key, in.mac_key, in.mac_key_len) == 0);
		CHECK(out.timestamp == in.timestamp && out.lifetime == in.lifetime);
	} else {
		CHECK(pos / 8 < (size_t)len);
		CHECK(out.mac_key_len == 0);
	}
	free(heap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_CIPHER_CTX *ctx;
	struct cp_oauth_key k[2];
	struct cp_oauth_token t;
	enum cp_oauth_status st;
	const char *sn;
	uint8_t *tok;
	uint64_t end;

	if (ctx == NULL) {
		ctx = EVP_CIPHER_CTX_new();
		CHECK(ctx != NULL);
	}
	if (size < 1)
		return 0;
	keys(k);
	sn = names[(data[0] >> 1) & 1];
	if (data[0] & 0x80) {
		fields_round_trip(ctx, &k[data[0] & 1], sn, data + 1, size - 1);
		return 0;
	}
	tok = malloc(size - 1 > 0 ? size - 1 : 1);
	CHECK(tok != NULL);
	memcpy(tok, data + 1, size - 1);
	st = cp_oauth_open(ctx, &k[data[0] & 1], sn, strlen(sn), tok, size - 1, &t);
	if (st == CP_OAUTH_OK) {
		uint8_t again[CP_OAUTH_TOKEN_MAX];
		int len;

		CHECK(t.mac_key_len >= CP_OAUTH_MAC_KEY_MIN &&
		      t.mac_key_len <= CP_OAUTH_MAC_KEY_MAX);
		CHECK(size - 1 == CP_OAUTH_TOKEN_LEN(t.mac_key_len));
		len = cp_oauth_seal(ctx, &k[data[0] & 1], sn, strlen(sn), tok + 2, &t, again);
		CHECK(len == (int)(size - 1) && memcmp(again, tok, size - 1) == 0);
		st = cp_oauth_when(&t, t.timestamp >> 16, 30, 0, &end);
		CHECK(st == CP_OAUTH_OK || (st == CP_OAUTH_EXPIRED && t.lifetime == 0));
	} else {
		CHECK(st == CP_OAUTH_MALFORMED || st == CP_OAUTH_BAD_TAG);
		CHECK(t.mac_key_len == 0);
	}
	free(tok);
	return 0;
}
