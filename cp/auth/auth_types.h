/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth: types only.
 *
 * The authentication module of turnpike-cp owns the long-term credential
 * mechanism of RFC 8489 §9.2 as RFC 8656 §5 requires it: the static users
 * (their keys, never their passwords), the TURN REST API shared secrets
 * (draft-uberti-behave-turn-rest), the stateless nonces with the RFC 8489
 * "nonce cookie", the verdict on one request, the 401/438 challenges and
 * the signing of responses, and the per-source rate limit on challenges.
 * It is single-threaded (cp's control loop owns it) and allocates only in
 * cp_auth_init().
 */
#ifndef CP_AUTH_TYPES_H
#define CP_AUTH_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "nonce_types.h"
#include "stun_types.h"
#include "tp_common.h"

/* USERNAME: turnpike's one limit, RFC 8489 §14.3's "fewer than 509 bytes"
 * (lib/stun refuses a longer one; so does the user store). */
#define CP_AUTH_NAME_MAX        TP_USERNAME_MAX
/* REALM: fewer than 128 characters (RFC 8489 §14.9), at most 763 bytes. */
#define CP_AUTH_REALM_MAX       NONCE_REALM_MAX
/* A TURN REST shared secret, bytes. */
#define CP_AUTH_SECRET_MAX      256u
/* A TURN REST password and its NUL: base64 of an HMAC-SHA1 (28
 * characters) or HMAC-SHA256 (44), '=' padded. */
#define CP_AUTH_REST_PASSWORD_MAX 45u
/* Largest long-term key (SHA-256, RFC 8489 §18.5.1.2). */
#define CP_AUTH_KEY_MAX         32u
/* Tenants (lib/conf's): index 0 the default tenant, 1..16 the listed ones
 * (TP_CONF_MAX_TENANTS). */
#define CP_AUTH_TENANTS_MAX     16u

/* Nonces are lib/nonce's (nonce_types.h), shared with dp: the cookie
 * (RFC 8489 §9.2), the 45-character nonce, the security features as
 * erratum EID 6290 numbers them (the printed RFC figure numbers from the
 * most significant side, "gAAA" as in the RFC 8656 appendix example; we
 * emit the erratum's order). */
#define CP_AUTH_COOKIE          NONCE_COOKIE
#define CP_AUTH_COOKIE_LEN      NONCE_COOKIE_LEN
#define CP_AUTH_NONCE_LEN       NONCE_LEN
#define CP_AUTH_FEAT_PASSWORD_ALGORITHMS  NONCE_FEAT_PASSWORD_ALGORITHMS
#define CP_AUTH_FEAT_USERNAME_ANONYMITY   NONCE_FEAT_USERNAME_ANONYMITY

/* RFC 7635 third-party authorization: a key id (kid, what USERNAME
 * carries), the server name (THIRD-PARTY-AUTHORIZATION, the tokens'
 * associated data; coturn allows 255), the keys shared with the
 * authorization servers. */
#define CP_OAUTH_KID_MAX        64u
#define CP_OAUTH_NAME_MAX       255u
#define CP_OAUTH_KEYS_MAX       16u
/* The name a token's client goes by (cp_auth_oauth_client()): its
 * authorization server's, '/', 32 hex digits. */
#define CP_OAUTH_CLIENT_HEX     32u
#define CP_OAUTH_CLIENT_MAX     (CP_OAUTH_KID_MAX + 1u + CP_OAUTH_CLIENT_HEX)
#define CP_OAUTH_A128GCM        1u
#define CP_OAUTH_A256GCM        2u

/* Defaults, merged in one place (cp_auth_init). */
#define CP_AUTH_DEF_NONCE_LIFETIME_S  600u   /* RFC 8656 §5: at most 3600 */
#define CP_AUTH_DEF_MAX_USERS         1024u
#define CP_AUTH_DEF_MAX_SECRETS       4u
#define CP_AUTH_DEF_RL_BUCKETS        4096u
#define CP_AUTH_DEF_RL_RATE           10u    /* challenges per second */
#define CP_AUTH_DEF_RL_BURST          20u

/* Why cp_auth_check() decided what it did (auth_reasons.def). */
enum cp_auth_reason {
#define CP_AUTH_REASON(e, code, name) CP_AUTH_R_##e,
#include "auth_reasons.def"
#undef CP_AUTH_REASON
	CP_AUTH_REASON__COUNT,
};

/* Verdict on a nonce a client sent back (lib/nonce's). */
enum cp_auth_nonce_state {
	CP_AUTH_NONCE_VALID = NONCE_VALID,
	CP_AUTH_NONCE_EXPIRED = NONCE_EXPIRED,  /* ours, for this client, too old */
	CP_AUTH_NONCE_FOREIGN = NONCE_FOREIGN,  /* not ours, tampered, or another client */
};

/*
 * Where a request came from: the client's transport address as dp saw it
 * and the transport (an opaque byte the caller keeps consistent, e.g.
 * STUN_TRANSPORT_UDP / STUN_TRANSPORT_TCP). Nonces are bound to all of it.
 */
struct cp_auth_peer {
	struct stun_addr addr;
	uint8_t transport;
	/* The tenant whose TURN address the request reached (lib/conf's
	 * tp_conf_tenant_of(), 0: the default tenant): its realm, nonce key,
	 * users and secrets judge the request. Never from what the client
	 * sends. An index past the tenants cp has is the default tenant's. */
	uint8_t tenant;
};

/* One key shared with an authorization server (RFC 7635 §4.1: the AS-RS
 * key K), named by its kid. A secret: wiped with the module. as names the
 * authorization server (the keys one AS seals with, a rotation's old and
 * new, share it; "": the kid alone names it): an allocation a token of
 * one AS made is renewed only by a token of that AS. */
struct cp_oauth_key {
	char kid[CP_OAUTH_KID_MAX + 1];   /* NUL terminated, 1..64 bytes */
	char as[CP_OAUTH_KID_MAX + 1];    /* NUL terminated, 0..64 bytes */
	uint8_t alg;                      /* CP_OAUTH_A128GCM / A256GCM */
	uint8_t key_len;                  /* 16 / 32, as alg needs */
	uint8_t key[32];
};

/*
 * What an allocation made with an access token keeps (cp/alloc), so that
 * its later requests may sign with the token's mac_key without bringing
 * the token again (coturn's turnutils_uclient sends ACCESS-TOKEN in
 * Allocate and Refresh only): the kid they name (by its key's place in
 * the module's: the keys do not change while cp runs) and the key, until
 * the token's end. 48 bytes: an allocation keeps two.
 */
struct cp_auth_session {
	uint8_t key_len;                  /* 0: none */
	uint8_t kid;                      /* 1 + the index of its kid's key */
	uint8_t as;                       /* its authorization server (cp_auth_result) */
	uint8_t key[CP_AUTH_KEY_MAX];
	uint64_t expiry;                  /* Unix s: the token's end */
};

/* Configuration; zero fields take the CP_AUTH_DEF_* defaults. */
struct cp_auth_conf {
	const char *realm;            /* required, copied; fixed for life */
	const char *software;         /* SOFTWARE in challenges, or NULL */
	uint32_t nonce_lifetime_s;    /* 1..3600 */
	uint32_t max_users;
	uint32_t max_secrets;
	uint32_t rl_buckets;          /* rounded up to a power of two */
	uint32_t rl_rate;             /* challenges per second per bucket */
	uint32_t rl_burst;            /* bucket depth */
	/* Advertise "Username anonymity" (USERHASH). RFC 8489 §9.2.5 then
	 * obliges clients to send USERHASH, which only static users can
	 * match: leave it off when REST secrets are in use. */
	bool userhash;
	/* Do not advertise "Password algorithms" (no PASSWORD-ALGORITHMS in
	 * challenges; clients then stay on MD5 keys). */
	bool no_pwalgs;
	/* The tenants' realms (tenant_realms[i] is tenant i + 1's, copied;
	 * distinct from realm and from each other): each tenant has its own
	 * nonces (keyed with nonce_tenant_key()), users and secrets. */
	uint32_t ntenants;            /* 0..CP_AUTH_TENANTS_MAX */
	const char *const *tenant_realms;
	/* RFC 7635 at the default tenant's addresses: the server name
	 * (NULL or "": third-party authorization off), the keys (copied),
	 * the clock skew tolerated with the authorization servers and a cap
	 * on a token's lifetime (0: none). */
	const char *oauth_server_name;
	const struct cp_oauth_key *oauth_keys;
	uint32_t oauth_nkeys;         /* 1..CP_OAUTH_KEYS_MAX when on */
	uint32_t oauth_tolerance_s;
	uint32_t oauth_max_lifetime_s;
};

/*
 * The verdict on one request. code is 0 when the request is authenticated;
 * otherwise the STUN error code to answer with (400, 401, 438; see
 * cp_auth_build_challenge()). The key fields are set whenever the client
 * proved knowledge of the key (success, and 438 after a valid integrity).
 */
struct cp_auth_result {
	uint16_t code;
	uint8_t reason;               /* enum cp_auth_reason */
	uint8_t mi_sha256;            /* answer with MESSAGE-INTEGRITY-SHA256 */
	uint8_t rest;                 /* authenticated by a REST shared secret */
	uint8_t key_len;              /* 0 (no key), 16 (MD5) or 32 (SHA-256) */
	uint8_t tenant;               /* whose realm, users and secrets judged it */
	/* 1: authenticated by an access token (RFC 7635; username is its
	 * kid, key its mac_key), 2: by the key an earlier token of the
	 * allocation gave (struct cp_auth_session) */
	uint8_t oauth;
	/* its authorization server: 1 + the index of the first key of
	 * that AS (struct cp_oauth_key.as); 0 without a token */
	uint8_t oauth_as;
	uint8_t oauth_kid;            /* 1 + the index of its kid's key; 0: none */
	uint64_t oauth_expiry;        /* Unix s: the token's end */
	uint16_t pwalg;               /* STUN_PWALG_MD5 or STUN_PWALG_SHA256 */
	uint64_t rest_expiry;         /* the REST username's timestamp */
	uint8_t key[CP_AUTH_KEY_MAX];
	uint16_t username_len;
	char username[CP_AUTH_NAME_MAX + 1];  /* NUL terminated */
};

/* One REST shared secret as the operator sees it: never the secret
 * itself, a tag (hex of the first 8 bytes of its SHA-256), its length
 * and the HMAC its passwords are made with. */
struct cp_auth_secret_info {
	char tag[17];
	uint16_t len;
	uint8_t alg;                  /* enum tp_rest_alg */
};

struct cp_auth;

#endif /* CP_AUTH_TYPES_H */
