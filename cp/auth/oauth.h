/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth/oauth: the self-contained access token of RFC 7635 (STUN
 * Extension for Third-Party Authorization), §6.2 and Appendix B's
 * layout, as an authorization server (AS) seals it for this TURN server
 * with a key the two share, and as coturn's turnutils_oauth and
 * turnutils_uclient -J make it:
 *
 *   nonce_length (2) || nonce (12) ||
 *   AEAD(K, nonce, AAD = the server name, THIRD-PARTY-AUTHORIZATION's value,
 *        key_length (2) || mac_key || timestamp (8) || lifetime (4)) || tag (16)
 *
 * K is AES-128-GCM or AES-256-GCM (RFC 5116 AEAD_AES_128_GCM /
 * AEAD_AES_256_GCM, their only nonce length 12). The timestamp is 48 bits
 * of Unix seconds and 16 bits of 1/64000 s; lifetime is in seconds; the
 * mac_key is the key the client signs its requests with (MESSAGE-INTEGRITY).
 * The kid, which names K, travels in USERNAME.
 *
 * Pure functions over OpenSSL EVP (no EAL, no state): cp/auth's verdict
 * calls them, the unit tests and the fuzz target too. Every length in a
 * token is bounded before it is used.
 */
#ifndef CP_AUTH_OAUTH_H
#define CP_AUTH_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "auth_types.h"

struct evp_cipher_ctx_st;

/* The nonce (RFC 5116 §5.1, §5.2: N_MIN = N_MAX = 12) and the tag. */
#define CP_OAUTH_NONCE_LEN    12u
#define CP_OAUTH_TAG_LEN      16u
/* mac_key: RFC 7635 §6.2 requires 160 bits (HMAC-SHA1, MESSAGE-INTEGRITY)
 * be supported; 256 bits for MESSAGE-INTEGRITY-SHA256. */
#define CP_OAUTH_MAC_KEY_MIN  16u
#define CP_OAUTH_MAC_KEY_MAX  CP_AUTH_KEY_MAX
/* The encrypted block: key_length, mac_key, timestamp, lifetime. */
#define CP_OAUTH_BLOCK_LEN(k) (2u + (k) + 8u + 4u)
#define CP_OAUTH_TOKEN_LEN(k) (2u + CP_OAUTH_NONCE_LEN + CP_OAUTH_BLOCK_LEN(k) + \
			       CP_OAUTH_TAG_LEN)
#define CP_OAUTH_TOKEN_MIN    CP_OAUTH_TOKEN_LEN(CP_OAUTH_MAC_KEY_MIN)
#define CP_OAUTH_TOKEN_MAX    CP_OAUTH_TOKEN_LEN(CP_OAUTH_MAC_KEY_MAX)

/* What a token says once opened. */
struct cp_oauth_token {
	uint8_t mac_key[CP_OAUTH_MAC_KEY_MAX];
	uint8_t mac_key_len;
	uint64_t timestamp;           /* 48.16 fixed point, Unix seconds */
	uint32_t lifetime;            /* seconds */
};

/* Why a token was refused (cp/auth counts each, auth_reasons.def). */
enum cp_oauth_status {
	CP_OAUTH_OK = 0,
	CP_OAUTH_MALFORMED = 1,       /* a length out of bounds */
	CP_OAUTH_BAD_TAG = 2,         /* not sealed with this key for this server name */
	CP_OAUTH_EXPIRED = 3,         /* timestamp + lifetime (+ tolerance) past */
	CP_OAUTH_FUTURE = 4,          /* timestamp ahead of our clock (+ tolerance) */
};

/* "A128GCM" / "A256GCM" (the JOSE names coturn uses) to CP_OAUTH_A*;
 * -EINVAL otherwise. The key length each needs: 16, 32 (0: unknown). */
int cp_oauth_alg_parse(const char *name);
const char *cp_oauth_alg_name(unsigned int alg);
unsigned int cp_oauth_alg_key_len(unsigned int alg);

/*
 * Open a token: check its lengths, decrypt and authenticate it with key
 * (its algorithm) and the server name as associated data, and parse the
 * block. ctx is a cipher context the caller owns (reset here, reused:
 * nothing allocates). out is wiped unless CP_OAUTH_OK.
 * Returns CP_OAUTH_OK, CP_OAUTH_MALFORMED or CP_OAUTH_BAD_TAG.
 */
enum cp_oauth_status cp_oauth_open(struct evp_cipher_ctx_st *ctx,
				   const struct cp_oauth_key *key,
				   const char *server_name, size_t server_name_len,
				   const uint8_t *tok, size_t len,
				   struct cp_oauth_token *out);

/*
 * Seal a token (what an AS does; for tests, the fuzz target's seeds and
 * an operator's tooling): nonce must be CP_OAUTH_NONCE_LEN bytes.
 * out must hold CP_OAUTH_TOKEN_MAX bytes. Returns the length or -EINVAL.
 */
int cp_oauth_seal(struct evp_cipher_ctx_st *ctx, const struct cp_oauth_key *key,
		  const char *server_name, size_t server_name_len,
		  const uint8_t nonce[CP_OAUTH_NONCE_LEN],
		  const struct cp_oauth_token *t, uint8_t *out);

/*
 * Is the token good at wall_s (Unix seconds)? Its life ends at its
 * timestamp's seconds + lifetime, lifetime capped at max_lifetime_s (0:
 * no cap); tolerance_s is the clock skew allowed between the AS and us,
 * both ways. A lifetime of 0 is no life at all (expired).
 * *expiry gets the end (tolerance not added). Returns CP_OAUTH_OK,
 * CP_OAUTH_EXPIRED or CP_OAUTH_FUTURE.
 */
enum cp_oauth_status cp_oauth_when(const struct cp_oauth_token *t, uint64_t wall_s,
				   uint32_t tolerance_s, uint32_t max_lifetime_s,
				   uint64_t *expiry);

#endif /* CP_AUTH_OAUTH_H */
