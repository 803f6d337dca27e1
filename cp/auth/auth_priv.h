/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth: the state shared by the module's files, private to cp/auth.
 * Tables are sized once in cp_auth_init(): users in an array with two
 * chained hash indexes (by name, by USERHASH) and a free list, secrets in
 * a small array, rate-limit buckets in a power-of-two array.
 */
#ifndef CP_AUTH_PRIV_H
#define CP_AUTH_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "auth_types.h"
#include "nonce_types.h"

#define CP_AUTH_NIL UINT32_MAX

struct cp_auth_user {
	uint32_t next_name;       /* chain in the name index; free list */
	uint32_t next_hash;       /* chain in the USERHASH index */
	uint8_t used;
	uint8_t has_sha256;       /* 0: MD5 key only (imported from coturn) */
	uint16_t name_len;
	uint8_t tenant;           /* a user is (tenant, name) */
	uint8_t key_md5[16];
	uint8_t key_sha256[32];
	uint8_t userhash[STUN_USERHASH_LEN];
	char name[CP_AUTH_NAME_MAX + 1];
};

struct cp_auth_secret {
	uint16_t len;             /* 0: free slot */
	uint8_t tenant;           /* whose REST credentials it signs */
	uint8_t alg;              /* enum tp_rest_alg: the password's HMAC */
	uint8_t val[CP_AUTH_SECRET_MAX + 1];  /* NUL terminated */
};

struct cp_auth_bucket {
	uint64_t last_ms;
	uint32_t milli_tokens;    /* 1000 per challenge */
};

struct cp_auth {
	/* Nonces and challenges (lib/nonce): the realm, SOFTWARE, the
	 * features advertised, the nonce lifetime and key (RAND_bytes), the
	 * salt counter (seeded from RAND_bytes). dp gets a copy of all but
	 * the counter through the shared segment (cp_auth_nonce_ctx()). */
	struct nonce_ctx nonce;
	/* The tenants' (tenant i + 1 in tnonce[i]): their realm, and a key
	 * derived from the box's (nonce_tenant_key()), as dp derives it. */
	uint32_t ntenants;
	struct nonce_ctx *tnonce;
	/* configuration, defaults merged */
	uint32_t rl_rate;
	uint32_t rl_burst;

	/* key from RAND_bytes */
	uint8_t hash_key[16];
	/* A key no user has (RAND_bytes at init): the integrity check of a
	 * request whose user is unknown runs with it, so that the answer
	 * takes as long as for a known user with a wrong password. */
	uint8_t dummy_key[32];
	EVP_MAC_CTX *sip;         /* SipHash-2-4 keyed with hash_key */

	/* static users */
	struct cp_auth_user *users;
	uint32_t max_users;
	uint32_t nusers;
	uint32_t free_head;
	uint32_t *by_name;        /* heads, index_mask + 1 of them */
	uint32_t *by_hash;
	uint32_t index_mask;

	/* REST secrets */
	struct cp_auth_secret *secrets;
	uint32_t max_secrets;     /* slots in all */
	uint32_t tenant_secrets;  /* at most this many of one tenant */

	/* challenge rate limit */
	struct cp_auth_bucket *buckets;
	uint32_t rl_mask;

	/* RFC 7635 (oauth.c): on when oauth_name_len > 0, at the default
	 * tenant's addresses only. The keys are secrets (wiped at free). */
	uint16_t oauth_name_len;
	char oauth_name[CP_OAUTH_NAME_MAX + 1];
	uint32_t oauth_nkeys;
	uint32_t oauth_tolerance_s;
	uint32_t oauth_max_lifetime_s;
	struct cp_oauth_key oauth_keys[CP_OAUTH_KEYS_MAX];
	/* each key's authorization server: 1 + the index of the first key
	 * naming the same one (its as, or its kid when as is "") */
	uint8_t oauth_as[CP_OAUTH_KEYS_MAX];
	struct evp_cipher_ctx_st *oauth_ctx;   /* reused by every token */
};

/* Keyed 64-bit hash (SipHash through OpenSSL) of a byte string. */
uint64_t cp_auth_hash(const struct cp_auth *a, const void *p, size_t n);

/* The tenant index a request or a call names (one past the tenants: the
 * default tenant's), and that tenant's nonces and realm. */
static inline unsigned int
cp_auth_tix(const struct cp_auth *a, unsigned int tenant)
{
	return tenant <= a->ntenants ? tenant : 0;
}

static inline struct nonce_ctx *
cp_auth_nc(struct cp_auth *a, unsigned int tenant)
{
	tenant = cp_auth_tix(a, tenant);
	return tenant == 0 ? &a->nonce : &a->tnonce[tenant - 1];
}

static inline const char *
cp_auth_trealm(const struct cp_auth *a, unsigned int tenant)
{
	tenant = cp_auth_tix(a, tenant);
	return tenant == 0 ? a->nonce.realm : a->tnonce[tenant - 1].realm;
}

/* nonce.c: key the tenants' nonces from the box's key (a->nonce's). */
int cp_auth_tenant_nonces_key(struct cp_auth *a);

/* users.c */
int cp_auth_users_init(struct cp_auth *a, uint32_t max_users);
void cp_auth_users_free(struct cp_auth *a);
const struct cp_auth_user *cp_auth_user_find(const struct cp_auth *a,
					     unsigned int tenant,
					     const char *name, size_t len);
const struct cp_auth_user *cp_auth_user_find_hash(const struct cp_auth *a,
						  unsigned int tenant,
						  const uint8_t *userhash);

/* rest.c */
int cp_auth_secrets_init(struct cp_auth *a, uint32_t max_secrets,
			 uint32_t ntenants);
void cp_auth_secrets_free(struct cp_auth *a);
/* Find the secret whose REST key verifies req's integrity; on success the
 * key is in key[0..*key_len). Returns 0, -ENOENT (no secret matched). */
int cp_auth_rest_verify(const struct cp_auth *a, unsigned int tenant,
			const struct stun_msg *req,
			const char *username, uint16_t pwalg, bool sha256,
			uint8_t key[CP_AUTH_KEY_MAX], uint8_t *key_len);

/* ratelimit.c */
int cp_auth_rl_init(struct cp_auth *a, uint32_t buckets, uint32_t rate,
		    uint32_t burst);
void cp_auth_rl_free(struct cp_auth *a);

#endif /* CP_AUTH_PRIV_H */
