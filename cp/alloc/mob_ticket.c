/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8016 mobility tickets (mob_ticket.h): sealing and opening with
 * OpenSSL's AES-128-SIV, the text form in base64url without padding.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "mob_ticket.h"

#define TAG_LEN     16u
#define BODY_LEN    8u
#define RAW_LEN     (TAG_LEN + BODY_LEN)      /* 24 bytes: 32 in base64 */

/* Bound into every ticket as associated data: a SIV output made for
 * anything else under the same key (there is none today) never opens as a
 * ticket, and a change of layout gets a new label. */
static const uint8_t aad[] = "turnpike rfc8016 ticket v1";

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
b64_val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
cp_mob_keys_init(struct cp_mob_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->siv = EVP_CIPHER_fetch(NULL, "AES-128-SIV", NULL);
	if (k->siv == NULL)
		return -ENOTSUP;
	if (RAND_bytes(k->key[0], CP_MOB_KEY_LEN) != 1) {
		EVP_CIPHER_free(k->siv);
		k->siv = NULL;
		return -EIO;
	}
	k->nkeys = 1;
	return 0;
}

int
cp_mob_keys_rotate(struct cp_mob_keys *k)
{
	uint8_t next[CP_MOB_KEY_LEN];

	if (RAND_bytes(next, sizeof(next)) != 1)
		return -EIO;
	memcpy(k->key[1], k->key[0], CP_MOB_KEY_LEN);
	memcpy(k->key[0], next, CP_MOB_KEY_LEN);
	OPENSSL_cleanse(next, sizeof(next));
	k->nkeys = 2;
	return 0;
}

void
cp_mob_keys_fini(struct cp_mob_keys *k)
{
	EVP_CIPHER_free(k->siv);
	OPENSSL_cleanse(k, sizeof(*k));
}

int
cp_mob_ticket_seal(const struct cp_mob_keys *k, uint64_t id, uint16_t gen,
		   char out[CP_MOB_TICKET_LEN])
{
	uint8_t pt[BODY_LEN], raw[RAW_LEN];
	EVP_CIPHER_CTX *c;
	int n = 0, m = 0, ok;

	if (id == 0 || id > CP_MOB_ID_MAX || k->nkeys == 0 || k->siv == NULL)
		return -ERANGE;
	for (unsigned int i = 0; i < 6; i++)
		pt[i] = (uint8_t)(id >> (40 - 8 * i));
	pt[6] = (uint8_t)(gen >> 8);
	pt[7] = (uint8_t)gen;
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return -EIO;
	ok = EVP_EncryptInit_ex2(c, k->siv, k->key[0], NULL, NULL) == 1 &&
	     EVP_EncryptUpdate(c, NULL, &n, aad, (int)sizeof(aad)) == 1 &&
	     EVP_EncryptUpdate(c, raw + TAG_LEN, &n, pt, (int)sizeof(pt)) == 1 &&
	     n == (int)BODY_LEN &&
	     EVP_EncryptFinal_ex(c, raw + TAG_LEN + n, &m) == 1 && m == 0 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, raw) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return -EIO;
	/* 24 bytes are 8 groups of 3: 32 characters, no padding */
	for (unsigned int i = 0, o = 0; i < RAW_LEN; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	return 0;
}

static bool
open_with(const struct cp_mob_keys *k, const uint8_t *key, const uint8_t raw[RAW_LEN],
	  uint8_t pt[BODY_LEN])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t tag[TAG_LEN];
	int n = 0, m = 0;
	bool ok;

	if (c == NULL)
		return false;
	memcpy(tag, raw, TAG_LEN);
	/* SIV checks the tag as the payload is decrypted: the update fails
	 * on a wrong one, and the final again */
	ok = EVP_DecryptInit_ex2(c, k->siv, key, NULL, NULL) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, tag) == 1 &&
	     EVP_DecryptUpdate(c, NULL, &n, aad, (int)sizeof(aad)) == 1 &&
	     EVP_DecryptUpdate(c, pt, &n, raw + TAG_LEN, (int)BODY_LEN) == 1 &&
	     n == (int)BODY_LEN &&
	     EVP_DecryptFinal_ex(c, pt + n, &m) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok;
}

int
cp_mob_ticket_open(const struct cp_mob_keys *k, const uint8_t *t, size_t len,
		   uint64_t *id, uint16_t *gen)
{
	uint8_t raw[RAW_LEN], pt[BODY_LEN];
	bool ok = false;

	if (len != CP_MOB_TICKET_LEN || k->siv == NULL)
		return -EBADMSG;
	for (unsigned int i = 0, o = 0; i < CP_MOB_TICKET_LEN; i += 4) {
		int a = b64_val(t[i]), b = b64_val(t[i + 1]), c = b64_val(t[i + 2]),
		    d = b64_val(t[i + 3]);
		uint32_t v;

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -EBADMSG;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		raw[o++] = (uint8_t)(v >> 16);
		raw[o++] = (uint8_t)(v >> 8);
		raw[o++] = (uint8_t)v;
	}
	for (unsigned int i = 0; i < k->nkeys && i < 2 && !ok; i++)
		ok = open_with(k, k->key[i], raw, pt);
	if (!ok) {
		OPENSSL_cleanse(pt, sizeof(pt));
		return -EACCES;
	}
	*id = 0;
	for (unsigned int i = 0; i < 6; i++)
		*id = *id << 8 | pt[i];
	*gen = (uint16_t)(pt[6] << 8 | pt[7]);
	return *id == 0 ? -EACCES : 0;
}
