/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless, unforgeable nonces (RFC 8489 §9.2, §9.2.4, §18.1; RFC 8656 §5).
 *
 *   nonce = "obMatJos2" F1F2F3F4 B1..B32            (45 characters)
 *
 * "obMatJos2" is the nonce cookie; F1..F4 is the standard base64 of the
 * 24-bit security feature set, big-endian, with the bits numbered as
 * verified erratum EID 6290 does (bit 0 = least significant): "AAAB" for
 * Password algorithms, "AAAC" for Username anonymity, "AAAD" for both.
 * B1..B32 is the standard base64 (24 bytes, so no '=') of
 *
 *   expiry (u32, big-endian, Unix seconds) || salt (4 random bytes) ||
 *   HMAC-SHA256(K, features(3) || expiry || salt || transport(1) ||
 *               family(1) || port(2) || IP(4 or 16))[0..16)
 *
 * with K drawn from RAND_bytes in cp_auth_init(). Nothing is remembered:
 * a nonce verifies only for the address and transport it was made for,
 * until its expiry, and only in the process that made it (a restarted cp
 * answers 438 once; clients retry). The salt makes every nonce new (RFC
 * 8656 §5: a new random nonce per Allocate); the features sit under the
 * MAC so that a client cannot be bid down (RFC 8489 §9.2: a changed cookie
 * no longer verifies). Parsing is lenient: anything that is not exactly
 * this shape is just not ours (438), never a parse error.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth.h"
#include "auth_priv.h"
#include "stun.h"

#define BODY_LEN   24u    /* expiry 4 + salt 4 + MAC 16 */
#define MAC_LEN    16u
#define FEAT_CHARS 4u
#define BODY_CHARS 32u

static int
nonce_mac(const struct cp_auth *a, const uint8_t feat[3],
	  const uint8_t body[8], const struct cp_auth_peer *from,
	  uint8_t out[32])
{
	uint8_t in[3 + 8 + 1 + 1 + 2 + 16];
	size_t n = 0, alen = from->addr.family == STUN_AF_IPV4 ? 4 : 16;

	memcpy(in + n, feat, 3);
	n += 3;
	memcpy(in + n, body, 8);
	n += 8;
	in[n++] = from->transport;
	in[n++] = from->addr.family;
	in[n++] = (uint8_t)(from->addr.port >> 8);
	in[n++] = (uint8_t)from->addr.port;
	memcpy(in + n, from->addr.ip, alen);
	n += alen;
	return stun_hmac_sha256(a->nonce_key, sizeof(a->nonce_key), in, n, out);
}

uint32_t
cp_auth_features(const struct cp_auth *a)
{
	return a->features;
}

int
cp_auth_nonce_make(struct cp_auth *a, const struct cp_auth_peer *from,
		   uint64_t now_s, char *out)
{
	uint8_t feat[3], body[BODY_LEN], mac[32];
	uint64_t exp64 = now_s + a->nonce_lifetime_s;
	uint32_t expiry = exp64 > UINT32_MAX ? UINT32_MAX : (uint32_t)exp64;

	feat[0] = (uint8_t)(a->features >> 16);
	feat[1] = (uint8_t)(a->features >> 8);
	feat[2] = (uint8_t)a->features;
	body[0] = (uint8_t)(expiry >> 24);
	body[1] = (uint8_t)(expiry >> 16);
	body[2] = (uint8_t)(expiry >> 8);
	body[3] = (uint8_t)expiry;
	if (RAND_bytes(body + 4, 4) != 1)
		return -EIO;
	if (nonce_mac(a, feat, body, from, mac) < 0)
		return -EIO;
	memcpy(body + 8, mac, MAC_LEN);

	memcpy(out, CP_AUTH_COOKIE, CP_AUTH_COOKIE_LEN);
	if (EVP_EncodeBlock((unsigned char *)out + CP_AUTH_COOKIE_LEN, feat, 3) !=
	    (int)FEAT_CHARS)
		return -EIO;
	if (EVP_EncodeBlock((unsigned char *)out + CP_AUTH_COOKIE_LEN +
				    FEAT_CHARS,
			    body, BODY_LEN) != (int)BODY_CHARS)
		return -EIO;
	out[CP_AUTH_NONCE_LEN] = '\0';
	return (int)CP_AUTH_NONCE_LEN;
}

/* Decode exactly nchars of standard base64 without padding or whitespace
 * into nchars / 4 * 3 bytes; false for anything else. EVP_DecodeBlock
 * tolerates surrounding whitespace, so the alphabet is checked first. */
static bool
decode_exact(const uint8_t *in, size_t nchars, uint8_t *out)
{
	uint8_t tmp[BODY_LEN + 3];

	for (size_t i = 0; i < nchars; i++) {
		uint8_t c = in[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	if (EVP_DecodeBlock(tmp, in, (int)nchars) != (int)(nchars / 4 * 3))
		return false;
	memcpy(out, tmp, nchars / 4 * 3);
	return true;
}

enum cp_auth_nonce_state
cp_auth_nonce_check(const struct cp_auth *a, const uint8_t *nonce, size_t len,
		    const struct cp_auth_peer *from, uint64_t now_s,
		    uint32_t *features)
{
	uint8_t feat[3], body[BODY_LEN], mac[32];
	uint32_t expiry;

	*features = 0;
	if (len != CP_AUTH_NONCE_LEN ||
	    memcmp(nonce, CP_AUTH_COOKIE, CP_AUTH_COOKIE_LEN) != 0)
		return CP_AUTH_NONCE_FOREIGN;
	if (!decode_exact(nonce + CP_AUTH_COOKIE_LEN, FEAT_CHARS, feat) ||
	    !decode_exact(nonce + CP_AUTH_COOKIE_LEN + FEAT_CHARS, BODY_CHARS,
			  body))
		return CP_AUTH_NONCE_FOREIGN;
	if (nonce_mac(a, feat, body, from, mac) < 0 ||
	    CRYPTO_memcmp(mac, body + 8, MAC_LEN) != 0)
		return CP_AUTH_NONCE_FOREIGN;
	*features = ((uint32_t)feat[0] << 16) | ((uint32_t)feat[1] << 8) |
		    feat[2];
	expiry = ((uint32_t)body[0] << 24) | ((uint32_t)body[1] << 16) |
		 ((uint32_t)body[2] << 8) | body[3];
	if (now_s > expiry)
		return CP_AUTH_NONCE_EXPIRED;
	/* A clock stepped backwards would stretch a nonce's life: one that
	 * claims to live longer than we ever grant is stale too. */
	if ((uint64_t)expiry - now_s > a->nonce_lifetime_s)
		return CP_AUTH_NONCE_EXPIRED;
	return CP_AUTH_NONCE_VALID;
}
