/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth/oauth: RFC 7635's self-contained access token (oauth.h): its
 * layout checked length by length, AES-GCM through OpenSSL EVP with the
 * STUN server name as associated data, and its life judged against our
 * wall clock. No state: a token is judged alone, every time.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "oauth.h"

int
cp_oauth_alg_parse(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	if (strcmp(name, "A128GCM") == 0)
		return CP_OAUTH_A128GCM;
	if (strcmp(name, "A256GCM") == 0)
		return CP_OAUTH_A256GCM;
	return -EINVAL;
}

const char *
cp_oauth_alg_name(unsigned int alg)
{
	return alg == CP_OAUTH_A128GCM ? "A128GCM" :
	       alg == CP_OAUTH_A256GCM ? "A256GCM" : "?";
}

unsigned int
cp_oauth_alg_key_len(unsigned int alg)
{
	return alg == CP_OAUTH_A128GCM ? 16u : alg == CP_OAUTH_A256GCM ? 32u : 0u;
}

static const EVP_CIPHER *
cipher_of(const struct cp_oauth_key *k)
{
	if (k->key_len != cp_oauth_alg_key_len(k->alg) || k->key_len == 0)
		return NULL;
	return k->alg == CP_OAUTH_A128GCM ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
}

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

enum cp_oauth_status
cp_oauth_open(EVP_CIPHER_CTX *ctx, const struct cp_oauth_key *key,
	      const char *server_name, size_t sn_len, const uint8_t *tok, size_t len,
	      struct cp_oauth_token *out)
{
	uint8_t block[CP_OAUTH_BLOCK_LEN(CP_OAUTH_MAC_KEY_MAX)];
	const EVP_CIPHER *cipher = cipher_of(key);
	const uint8_t *nonce, *ct, *tag;
	enum cp_oauth_status st = CP_OAUTH_MALFORMED;
	size_t ct_len, klen;
	int outl = 0, fin = 0;

	memset(out, 0, sizeof(*out));
	/* Lengths first, each bounded: the nonce is AES-GCM's one length
	 * (RFC 5116), the block holds a mac_key of 16..32 bytes and nothing
	 * more, the tag is whole. */
	if (cipher == NULL || ctx == NULL || tok == NULL ||
	    len < CP_OAUTH_TOKEN_MIN || len > CP_OAUTH_TOKEN_MAX || sn_len > INT32_MAX)
		return CP_OAUTH_MALFORMED;
	if (rd16(tok) != CP_OAUTH_NONCE_LEN)
		return CP_OAUTH_MALFORMED;
	nonce = tok + 2;
	ct = nonce + CP_OAUTH_NONCE_LEN;
	ct_len = len - 2u - CP_OAUTH_NONCE_LEN - CP_OAUTH_TAG_LEN;
	tag = ct + ct_len;
	_Static_assert(sizeof(block) == CP_OAUTH_TOKEN_MAX - 2u - CP_OAUTH_NONCE_LEN -
		       CP_OAUTH_TAG_LEN, "the largest block fits");

	if (EVP_CIPHER_CTX_reset(ctx) != 1 ||
	    EVP_DecryptInit_ex(ctx, cipher, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)CP_OAUTH_NONCE_LEN,
				NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key->key, nonce) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, (int)CP_OAUTH_TAG_LEN,
				(void *)(uintptr_t)tag) != 1)
		goto out;
	/* the associated data: the server name (an empty one is none) */
	if (sn_len > 0 &&
	    EVP_DecryptUpdate(ctx, NULL, &outl, (const unsigned char *)server_name,
			      (int)sn_len) != 1)
		goto out;
	outl = 0;
	if (EVP_DecryptUpdate(ctx, block, &outl, ct, (int)ct_len) != 1 ||
	    (size_t)outl > sizeof(block))
		goto out;
	/* The tag decides: nothing of the block is looked at before it. */
	st = CP_OAUTH_BAD_TAG;
	if (EVP_DecryptFinal_ex(ctx, block + outl, &fin) != 1 || fin != 0)
		goto out;
	st = CP_OAUTH_MALFORMED;
	if ((size_t)outl != ct_len)
		goto out;
	klen = rd16(block);
	if (klen < CP_OAUTH_MAC_KEY_MIN || klen > CP_OAUTH_MAC_KEY_MAX ||
	    ct_len != CP_OAUTH_BLOCK_LEN(klen))
		goto out;
	memcpy(out->mac_key, block + 2, klen);
	out->mac_key_len = (uint8_t)klen;
	out->timestamp = rd64(block + 2 + klen);
	out->lifetime = rd32(block + 2 + klen + 8);
	st = CP_OAUTH_OK;
out:
	OPENSSL_cleanse(block, sizeof(block));
	(void)EVP_CIPHER_CTX_reset(ctx);
	if (st != CP_OAUTH_OK)
		OPENSSL_cleanse(out, sizeof(*out));
	return st;
}

int
cp_oauth_seal(EVP_CIPHER_CTX *ctx, const struct cp_oauth_key *key,
	      const char *server_name, size_t sn_len,
	      const uint8_t nonce[CP_OAUTH_NONCE_LEN], const struct cp_oauth_token *t,
	      uint8_t *out)
{
	uint8_t block[CP_OAUTH_BLOCK_LEN(CP_OAUTH_MAC_KEY_MAX)];
	const EVP_CIPHER *cipher = cipher_of(key);
	size_t klen = t->mac_key_len, blen = CP_OAUTH_BLOCK_LEN(klen);
	int outl = 0, fin = 0, rc = -EINVAL;

	if (cipher == NULL || ctx == NULL || klen < CP_OAUTH_MAC_KEY_MIN ||
	    klen > CP_OAUTH_MAC_KEY_MAX || sn_len > INT32_MAX)
		return -EINVAL;
	wr16(block, (uint16_t)klen);
	memcpy(block + 2, t->mac_key, klen);
	wr32(block + 2 + klen, (uint32_t)(t->timestamp >> 32));
	wr32(block + 2 + klen + 4, (uint32_t)t->timestamp);
	wr32(block + 2 + klen + 8, t->lifetime);
	wr16(out, CP_OAUTH_NONCE_LEN);
	memcpy(out + 2, nonce, CP_OAUTH_NONCE_LEN);
	if (EVP_CIPHER_CTX_reset(ctx) != 1 ||
	    EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)CP_OAUTH_NONCE_LEN,
				NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key->key, nonce) != 1)
		goto out;
	if (sn_len > 0 &&
	    EVP_EncryptUpdate(ctx, NULL, &outl, (const unsigned char *)server_name,
			      (int)sn_len) != 1)
		goto out;
	outl = 0;
	if (EVP_EncryptUpdate(ctx, out + 2 + CP_OAUTH_NONCE_LEN, &outl, block,
			      (int)blen) != 1 || (size_t)outl != blen ||
	    EVP_EncryptFinal_ex(ctx, out + 2 + CP_OAUTH_NONCE_LEN + outl, &fin) != 1 ||
	    fin != 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, (int)CP_OAUTH_TAG_LEN,
				out + 2 + CP_OAUTH_NONCE_LEN + blen) != 1)
		goto out;
	rc = (int)CP_OAUTH_TOKEN_LEN(klen);
out:
	OPENSSL_cleanse(block, sizeof(block));
	(void)EVP_CIPHER_CTX_reset(ctx);
	return rc;
}

enum cp_oauth_status
cp_oauth_when(const struct cp_oauth_token *t, uint64_t wall_s, uint32_t tolerance_s,
	      uint32_t max_lifetime_s, uint64_t *expiry)
{
	/* 48 bits of seconds: no sum below can wrap a uint64_t */
	uint64_t issued = t->timestamp >> 16;
	uint32_t life = t->lifetime;

	if (max_lifetime_s != 0 && life > max_lifetime_s)
		life = max_lifetime_s;
	*expiry = issued + life;
	/* RFC 7635 §6.2: the server checks that the token is within its
	 * lifetime; the tolerance absorbs the skew between the AS's clock
	 * and ours, either way. A token from the future is no more
	 * acceptable than an old one: it would outlive its stated end. */
	if (issued > wall_s + tolerance_s)
		return CP_OAUTH_FUTURE;
	if (life == 0 || *expiry + tolerance_s < wall_s)
		return CP_OAUTH_EXPIRED;
	return CP_OAUTH_OK;
}
