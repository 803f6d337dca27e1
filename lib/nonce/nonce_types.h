/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/nonce: types only. turnpike's stateless nonces (RFC 8489 §9.2, the
 * nonce cookie of §9.2 and the security features of §18.1) and the 401/438
 * challenge that carries one, made and checked the same way by cp
 * (cp/auth, every request that reaches it) and by dp (dp/turn: requests
 * without integrity are answered in the worker, and requests with it are
 * sorted into lanes by whether their nonce is ours). One maker
 * per thread: struct nonce_ctx holds a keyed HMAC context and a counter.
 */
#ifndef NONCE_TYPES_H
#define NONCE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stun_types.h"

/* The nonce cookie (RFC 8489 §9.2): "obMatJos2" and 4 base64 characters
 * of the 24-bit security feature set. */
#define NONCE_COOKIE          "obMatJos2"
#define NONCE_COOKIE_LEN      9u
/* A whole nonce: cookie (9) + features (4) + base64 of a 24-byte body
 * (32): expiry (4) || salt (4) || truncated HMAC-SHA256 (16). */
#define NONCE_LEN             45u
#define NONCE_KEY_LEN         32u
/* REALM: fewer than 128 characters (RFC 8489 §14.9), at most 763 bytes;
 * SOFTWARE the same (§14.14). */
#define NONCE_REALM_MAX       763u
#define NONCE_SOFTWARE_MAX    763u
/* REALM and SOFTWARE together (nonce_ctx_set() refuses more), so that a
 * challenge always fits NONCE_CHALLENGE_MAX bytes: header 20, ERROR-CODE
 * 24 (a reason of at most 16), REALM and SOFTWARE 4 + 3 of padding each,
 * NONCE 4 + 48, PASSWORD-ALGORITHMS 12, FINGERPRINT 8. The config allows
 * 255 + 63. */
#define NONCE_STRINGS_MAX     376u
/* THIRD-PARTY-AUTHORIZATION (RFC 7635 §6.1), the server name, when
 * third-party authorization is on: at most 255 bytes (as coturn), 4 + 3
 * of padding more. */
#define NONCE_SERVER_NAME_MAX 255u
#define NONCE_CHALLENGE_MAX   800u
_Static_assert(20u + 24u + 2u * (4u + 3u) + 52u + 12u + 8u + NONCE_STRINGS_MAX +
	       4u + 3u + NONCE_SERVER_NAME_MAX <= NONCE_CHALLENGE_MAX,
	       "a challenge fits NONCE_CHALLENGE_MAX");

/*
 * STUN security features (RFC 8489 §18.1) as numbered by verified erratum
 * EID 6290: bit 0 is the least significant bit of the 24-bit set, so
 * "Password algorithms" alone is 0x000001 = base64 "AAAB" and "Username
 * anonymity" alone is 0x000002 = "AAAC" (what RFC 8489 B.1 shows).
 */
#define NONCE_FEAT_PASSWORD_ALGORITHMS  0x000001u
#define NONCE_FEAT_USERNAME_ANONYMITY   0x000002u

/* PASSWORD-ALGORITHMS as we offer it, in order of preference (RFC 8489
 * §9.2.4: "in preferential order"; RFC 8656 §6: a client that has both
 * MUST choose SHA-256). */
#define NONCE_PWALGS          { STUN_PWALG_SHA256, STUN_PWALG_MD5 }

/* Verdict on a nonce a client sent back. */
enum nonce_state {
	NONCE_VALID = 0,
	NONCE_EXPIRED = 1,   /* ours, for this client, too old */
	NONCE_FOREIGN = 2,   /* not ours, tampered, or another client's */
};

struct evp_mac_ctx_st;

/*
 * One nonce maker and checker, and what its challenges say. Not thread
 * safe (the HMAC context is keyed once and reused): one per thread. The
 * fields are set by nonce_ctx_set(); salt and crc32 may be set directly.
 */
struct nonce_ctx {
	struct evp_mac_ctx_st *mac;   /* HMAC-SHA256 keyed with key */
	bool keyed;                   /* nonce_ctx_set() succeeded */
	bool has_software;            /* a SOFTWARE attribute in challenges */
	uint16_t realm_len;
	uint16_t software_len;
	uint32_t features;            /* NONCE_FEAT_* advertised */
	uint32_t lifetime_s;          /* 1..3600 */
	uint32_t salt;                /* the next nonce's salt: a counter */
	/* FINGERPRINT's CRC-32 (RFC 8489 §14.7, zlib's crc32() function):
	 * NULL for lib/stun's (zlib); dp gives DPDK's, 11x faster. */
	uint32_t (*crc32)(const uint8_t *buf, size_t len);
	uint8_t key[NONCE_KEY_LEN];
	char realm[NONCE_REALM_MAX + 1];
	char software[NONCE_SOFTWARE_MAX + 1];
	/* RFC 7635: THIRD-PARTY-AUTHORIZATION in 401 challenges, the
	 * server name (0: third-party authorization off). Set apart from
	 * the rest (nonce_ctx_set_server_name()): nonce_ctx_set() keeps it. */
	uint16_t server_name_len;
	char server_name[NONCE_SERVER_NAME_MAX + 1];
};

#endif /* NONCE_TYPES_H */
