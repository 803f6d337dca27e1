/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/nonce: stateless nonces and the challenges that carry them (see
 * nonce_types.h and FEATURE.md). cp and dp make byte-for-byte the same
 * nonces and challenges given the same key, features, lifetime, realm,
 * software, salt and time.
 *
 * Conventions: operations return 0 or -errno; no allocation outside
 * nonce_ctx_init(). Times are CLOCK_MONOTONIC seconds (both processes of
 * a host share that clock, and no wall-clock step ages or rejuvenates a
 * nonce).
 */
#ifndef NONCE_H
#define NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nonce_types.h"

/* Allocate nc's HMAC context; nc is not keyed yet (nonce_ctx_set()).
 * Returns 0 or -ENOMEM. */
int nonce_ctx_init(struct nonce_ctx *nc);

/* Free and wipe (the key included). Safe on a zeroed or freed nc. */
void nonce_ctx_fini(struct nonce_ctx *nc);

/*
 * Key nc and say what its challenges advertise: features (NONCE_FEAT_*),
 * lifetime_s (1..3600, RFC 8656 §5), realm (1..NONCE_REALM_MAX bytes),
 * software (NULL: no SOFTWARE attribute; up to NONCE_SOFTWARE_MAX bytes),
 * realm and software together at most NONCE_STRINGS_MAX bytes.
 * The salt counter is left as it is. Returns 0, -EINVAL, -EIO.
 */
int nonce_ctx_set(struct nonce_ctx *nc, const uint8_t key[NONCE_KEY_LEN],
		  uint32_t features, uint32_t lifetime_s, const char *realm,
		  size_t realm_len, const char *software, size_t software_len);

/*
 * The key of tenant's nonces (lib/conf's tenant index) from the box's key:
 * the key itself for the default tenant (0), else HMAC-SHA256(key, a label
 * and the index), so that a nonce made at one tenant's address fails the
 * check at another's (a nonce_ctx per tenant, keyed with this). Returns 0
 * or -EIO.
 */
int nonce_tenant_key(const uint8_t key[NONCE_KEY_LEN], unsigned int tenant,
		     uint8_t out[NONCE_KEY_LEN]);

/*
 * Write a fresh nonce for a client's transport address and transport
 * (e.g. STUN_TRANSPORT_UDP) into out (NONCE_LEN + 1 bytes, NUL
 * terminated): the cookie, the features, and a body binding expiry
 * now_s + lifetime and the next salt to the client under the key.
 * Returns NONCE_LEN or -EIO (not keyed, or OpenSSL failed).
 */
int nonce_make(struct nonce_ctx *nc, const struct stun_addr *from,
	       uint8_t transport, uint64_t now_s, char *out);

/*
 * Judge a nonce a client sent back (len bytes, not NUL terminated) for
 * the client it came from. *features gets the feature set it carries and
 * *expiry its expiry (seconds) when it is ours (VALID or EXPIRED), 0
 * otherwise; either pointer may be NULL. A nonce that claims to live
 * longer than nc's lifetime is EXPIRED (made under a longer lifetime, or
 * a clock that went back).
 */
enum nonce_state nonce_check(struct nonce_ctx *nc, const uint8_t *nonce,
			     size_t len, const struct stun_addr *from,
			     uint8_t transport, uint64_t now_s,
			     uint32_t *features, uint32_t *expiry);

/*
 * The 401 or 438 error response to a request (method, tid) from a client
 * (RFC 8489 §9.2.4): ERROR-CODE (RFC 8489's reason phrase), REALM, a
 * fresh NONCE for the client, PASSWORD-ALGORITHMS when the features
 * advertise it (§9.2.5: a client that sees the bit without the attribute
 * must not retry), SOFTWARE when there is one, FINGERPRINT. Unsigned.
 * Returns the length, -EINVAL (code not 401 or 438), -EIO, -ENOBUFS.
 */
int nonce_challenge_build(struct nonce_ctx *nc, uint16_t code, uint16_t method,
			  const uint8_t *tid, const struct stun_addr *from,
			  uint8_t transport, uint64_t now_s, uint8_t *buf,
			  size_t cap);

/* The server name a 401 challenge carries in THIRD-PARTY-AUTHORIZATION
 * (RFC 7635 §6.1); len 0: none (third-party authorization off). 0 or
 * -EINVAL (longer than NONCE_SERVER_NAME_MAX). */
int nonce_ctx_set_server_name(struct nonce_ctx *nc, const char *name, size_t len);

#endif /* NONCE_H */
