/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message integrity and fingerprint (RFC 8489 §9, §14.5–§14.7, §18.5):
 * HMAC-SHA1 and HMAC-SHA256 over the byte range the RFC defines, the
 * short-term and long-term keys (SASLprep from libidn, RFC 4013), USERHASH,
 * and FINGERPRINT (CRC-32 from zlib, xor 0x5354554e).
 *
 * The checks never modify the message: the header, with its length
 * adjusted to end at the attribute being checked, is copied to the stack
 * and hashed ahead of the rest. HMAC contexts are cached per thread, so a
 * check costs no allocation after a thread's first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stringprep.h>
#include <zlib.h>

#include "stun.h"
#include "tp_common.h"

struct hmac_part {
	const uint8_t *p;
	size_t len;
};

/* One EVP_MAC context per digest per thread, keyed anew for each use. */
static EVP_MAC_CTX *
hmac_ctx(bool sha256)
{
	static _Thread_local EVP_MAC_CTX *ctx[2];
	int i = sha256 ? 1 : 0;

	if (unlikely(ctx[i] == NULL)) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		char digest[8];
		OSSL_PARAM params[2];

		if (mac == NULL)
			return NULL;
		ctx[i] = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);  /* the context holds its own reference */
		if (ctx[i] == NULL)
			return NULL;
		strcpy(digest, sha256 ? "SHA256" : "SHA1");
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							     digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (!EVP_MAC_CTX_set_params(ctx[i], params)) {
			EVP_MAC_CTX_free(ctx[i]);
			ctx[i] = NULL;
		}
	}
	return ctx[i];
}

static int
hmac_parts(bool sha256, const uint8_t *key, size_t key_len,
	   const struct hmac_part *parts, size_t nparts, uint8_t *out)
{
	EVP_MAC_CTX *ctx = hmac_ctx(sha256);
	size_t outlen = 0, want = sha256 ? 32 : 20;
	/* A zero-length key is legal for HMAC; OpenSSL wants a non-NULL one. */
	static const uint8_t empty_key[1];

	if (ctx == NULL)
		return -ENOMEM;
	if (key_len == 0)
		key = empty_key;
	if (!EVP_MAC_init(ctx, key, key_len, NULL))
		return -EIO;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].len > 0 && !EVP_MAC_update(ctx, parts[i].p, parts[i].len))
			return -EIO;
	if (!EVP_MAC_final(ctx, out, &outlen, want) || outlen != want)
		return -EIO;
	return 0;
}

int
stun_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *data,
	       size_t len, uint8_t out[20])
{
	struct hmac_part part = { data, len };

	return hmac_parts(false, key, key_len, &part, 1, out);
}

int
stun_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data,
		 size_t len, uint8_t out[32])
{
	struct hmac_part part = { data, len };

	return hmac_parts(true, key, key_len, &part, 1, out);
}

/* The header as it reads when the message ends right after the attribute
 * a (RFC 8489 §14.5: "the length ... set to point to the length of the
 * prefix of the message up to, and including, the MESSAGE-INTEGRITY
 * attribute itself"). */
static void
adjusted_header(const struct stun_msg *m, const struct stun_attr *a,
		uint8_t hdr[STUN_HDR_LEN])
{
	size_t end = (size_t)a->offset + STUN_ATTR_HDR_LEN +
		     (((size_t)a->len + 3u) & ~(size_t)3u);
	uint16_t hlen = (uint16_t)(end - STUN_HDR_LEN);

	memcpy(hdr, m->buf, STUN_HDR_LEN);
	hdr[2] = (uint8_t)(hlen >> 8);
	hdr[3] = (uint8_t)hlen;
}

static enum stun_check
check_mac(const struct stun_msg *m, uint16_t type, bool sha256,
	  const uint8_t *key, size_t key_len)
{
	const struct stun_attr *a = stun_msg_find(m, type);
	uint8_t hdr[STUN_HDR_LEN], mac[32];
	struct hmac_part parts[2];

	if (a == NULL)
		return STUN_CHECK_ABSENT;
	adjusted_header(m, a, hdr);
	parts[0].p = hdr;
	parts[0].len = STUN_HDR_LEN;
	parts[1].p = m->buf + STUN_HDR_LEN;
	parts[1].len = (size_t)a->offset - STUN_HDR_LEN;
	if (hmac_parts(sha256, key, key_len, parts, 2, mac) < 0)
		return STUN_CHECK_INVALID;
	/* The parser bounded a->len: 20 for SHA-1, 16..32 for SHA-256.
	 * RFC 8489 §14.6: a truncated MESSAGE-INTEGRITY-SHA256 is a multiple
	 * of 4 and compares against the leading bytes of the HMAC. */
	if (sha256 && (a->len & 3u))
		return STUN_CHECK_INVALID;
	return CRYPTO_memcmp(mac, a->value, a->len) == 0 ? STUN_CHECK_VALID :
							  STUN_CHECK_INVALID;
}

enum stun_check
stun_check_integrity(const struct stun_msg *m, const uint8_t *key,
		     size_t key_len)
{
	return check_mac(m, STUN_ATTR_MESSAGE_INTEGRITY, false, key, key_len);
}

enum stun_check
stun_check_integrity_sha256(const struct stun_msg *m, const uint8_t *key,
			    size_t key_len)
{
	return check_mac(m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, true, key,
			 key_len);
}

uint32_t
stun_fingerprint(const uint8_t *buf, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32_z(crc, buf, len);
	return (uint32_t)crc ^ STUN_FINGERPRINT_XOR;
}

enum stun_check
stun_check_fingerprint(const struct stun_msg *m)
{
	const struct stun_attr *a = stun_msg_find(m, STUN_ATTR_FINGERPRINT);
	uint8_t hdr[STUN_HDR_LEN];
	uint32_t want;
	uLong crc;

	if (a == NULL)
		return STUN_CHECK_ABSENT;
	adjusted_header(m, a, hdr);
	crc = crc32(0L, Z_NULL, 0);
	crc = crc32_z(crc, hdr, STUN_HDR_LEN);
	crc = crc32_z(crc, m->buf + STUN_HDR_LEN, (size_t)a->offset - STUN_HDR_LEN);
	want = ((uint32_t)a->value[0] << 24) | ((uint32_t)a->value[1] << 16) |
	       ((uint32_t)a->value[2] << 8) | a->value[3];
	return ((uint32_t)crc ^ STUN_FINGERPRINT_XOR) == want ?
		       STUN_CHECK_VALID : STUN_CHECK_INVALID;
}

int
stun_saslprep(const char *in, char *out, size_t out_size)
{
	char *prepped = NULL;
	size_t n;

	/* Query strings (RFC 4013 §2 + RFC 3454 §7): unassigned code points
	 * are allowed, as a server verifying a client's key must. */
	if (stringprep_profile(in, &prepped, "SASLprep", 0) != STRINGPREP_OK) {
		free(prepped);
		return -EINVAL;
	}
	n = strlen(prepped);
	if (n + 1 > out_size) {
		free(prepped);
		return -ENAMETOOLONG;
	}
	memcpy(out, prepped, n + 1);
	free(prepped);
	return 0;
}

int
stun_key_short_term(const char *password, uint8_t *key, size_t key_cap)
{
	char prepped[1024];
	int rc = stun_saslprep(password, prepped, sizeof(prepped));
	size_t n;

	if (rc < 0)
		return rc;
	n = strlen(prepped);
	if (n > key_cap)
		return -ENAMETOOLONG;
	memcpy(key, prepped, n);
	return (int)n;
}

static int
digest_parts(const EVP_MD *md, const struct hmac_part *parts, size_t n,
	     uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int outlen = 0;
	int rc = -EIO;

	if (ctx == NULL)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(ctx, md, NULL))
		goto out_free_ctx;
	for (size_t i = 0; i < n; i++)
		if (!EVP_DigestUpdate(ctx, parts[i].p, parts[i].len))
			goto out_free_ctx;
	if (!EVP_DigestFinal_ex(ctx, out, &outlen))
		goto out_free_ctx;
	rc = (int)outlen;
out_free_ctx:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
stun_key_long_term(uint16_t alg, const char *username, const char *realm,
		   const char *password, uint8_t key[32])
{
	char prepped[1024];
	struct hmac_part parts[5];
	const EVP_MD *md;
	int rc;

	if (alg == STUN_PWALG_MD5)
		md = EVP_md5();
	else if (alg == STUN_PWALG_SHA256)
		md = EVP_sha256();
	else
		return -EINVAL;
	rc = stun_saslprep(password, prepped, sizeof(prepped));
	if (rc < 0)
		return rc;
	parts[0] = (struct hmac_part){ (const uint8_t *)username, strlen(username) };
	parts[1] = (struct hmac_part){ (const uint8_t *)":", 1 };
	parts[2] = (struct hmac_part){ (const uint8_t *)realm, strlen(realm) };
	parts[3] = (struct hmac_part){ (const uint8_t *)":", 1 };
	parts[4] = (struct hmac_part){ (const uint8_t *)prepped, strlen(prepped) };
	rc = digest_parts(md, parts, 5, key);
	OPENSSL_cleanse(prepped, sizeof(prepped));
	return rc;
}

int
stun_userhash(const char *username, const char *realm,
	      uint8_t out[STUN_USERHASH_LEN])
{
	struct hmac_part parts[3] = {
		{ (const uint8_t *)username, strlen(username) },
		{ (const uint8_t *)":", 1 },
		{ (const uint8_t *)realm, strlen(realm) },
	};
	int rc = digest_parts(EVP_sha256(), parts, 3, out);

	return rc < 0 ? rc : 0;
}
