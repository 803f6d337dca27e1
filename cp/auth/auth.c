/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth: life of the module, the verdict on one request (RFC 8489
 * §9.2.4, long-term credentials as RFC 8656 §5 requires), the 400/401/438
 * responses and the signing of responses with the request's key.
 *
 * The verdict follows §9.2.4's checks in the order the RFC lists them;
 * notably the stale-nonce check (438) comes last, after the integrity
 * check, so that only a client that proved its key is told to retry with
 * a new nonce, and one with a wrong key hears 401 whatever its nonce.
 * Users live in users.c, REST secrets in rest.c, nonces in nonce.c, the
 * challenge rate limit in ratelimit.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "auth.h"
#include "auth_priv.h"
#include "nonce.h"
#include "oauth.h"
#include "stun.h"
#include "tp_common.h"

static const char *const reason_names[] = {
#define CP_AUTH_REASON(e, code, name) [CP_AUTH_R_##e] = name,
#include "auth_reasons.def"
#undef CP_AUTH_REASON
};

static const uint16_t reason_codes[] = {
#define CP_AUTH_REASON(e, code, name) [CP_AUTH_R_##e] = code,
#include "auth_reasons.def"
#undef CP_AUTH_REASON
};

/* What we offer in PASSWORD-ALGORITHMS (lib/nonce's challenges send it):
 * in order of preference (RFC 8489 §9.2.4: "in preferential order"; RFC
 * 8656 §6: a client that has both MUST choose SHA-256). */
static const uint16_t our_pwalgs[] = NONCE_PWALGS;
/* The same as the attribute value we send: algorithm(16) | params len(16). */
static const uint8_t our_pwalgs_value[] = { 0x00, 0x02, 0x00, 0x00,
					    0x00, 0x01, 0x00, 0x00 };

const char *
cp_auth_reason_name(enum cp_auth_reason r)
{
	return (unsigned)r < CP_AUTH_REASON__COUNT ? reason_names[r] : "?";
}

const char *
cp_auth_realm(const struct cp_auth *a)
{
	return a->nonce.realm;
}

uint32_t
cp_auth_tenants(const struct cp_auth *a)
{
	return a->ntenants;
}

const char *
cp_auth_realm_of(const struct cp_auth *a, unsigned int tenant)
{
	return tenant <= a->ntenants ? cp_auth_trealm(a, tenant) : NULL;
}

uint64_t
cp_auth_hash(const struct cp_auth *a, const void *p, size_t n)
{
	uint8_t out[8];
	size_t outlen = 0, size = sizeof(out);
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(a->sip, a->hash_key, sizeof(a->hash_key), params) ||
	    !EVP_MAC_update(a->sip, p, n) ||
	    !EVP_MAC_final(a->sip, out, &outlen, sizeof(out)) || outlen != 8)
		return 0;   /* degrades to one chain, never to a wrong answer */
	return ((uint64_t)out[0] << 56) | ((uint64_t)out[1] << 48) |
	       ((uint64_t)out[2] << 40) | ((uint64_t)out[3] << 32) |
	       ((uint64_t)out[4] << 24) | ((uint64_t)out[5] << 16) |
	       ((uint64_t)out[6] << 8) | out[7];
}

/* Defaults merged in one place; returns 0 or -EINVAL. */
static int
merge_conf(const struct cp_auth_conf *in, struct cp_auth_conf *out)
{
	*out = *in;
	if (out->nonce_lifetime_s == 0)
		out->nonce_lifetime_s = CP_AUTH_DEF_NONCE_LIFETIME_S;
	if (out->max_users == 0)
		out->max_users = CP_AUTH_DEF_MAX_USERS;
	if (out->max_secrets == 0)
		out->max_secrets = CP_AUTH_DEF_MAX_SECRETS;
	if (out->rl_buckets == 0)
		out->rl_buckets = CP_AUTH_DEF_RL_BUCKETS;
	if (out->rl_rate == 0)
		out->rl_rate = CP_AUTH_DEF_RL_RATE;
	if (out->rl_burst == 0)
		out->rl_burst = CP_AUTH_DEF_RL_BURST;
	if (out->realm == NULL || out->realm[0] == '\0' ||
	    strlen(out->realm) > CP_AUTH_REALM_MAX)
		return -EINVAL;
	if (out->software != NULL && strlen(out->software) > CP_AUTH_REALM_MAX)
		return -EINVAL;
	/* RFC 8656 §5: expire nonces at least once an hour. */
	if (out->nonce_lifetime_s > 3600)
		return -EINVAL;
	if (out->ntenants > CP_AUTH_TENANTS_MAX ||
	    (out->ntenants > 0 && out->tenant_realms == NULL))
		return -EINVAL;
	for (uint32_t i = 0; i < out->ntenants; i++)
		if (out->tenant_realms[i] == NULL || out->tenant_realms[i][0] == '\0' ||
		    strlen(out->tenant_realms[i]) > CP_AUTH_REALM_MAX)
			return -EINVAL;
	if (out->max_users > (1u << 24) || out->max_secrets > 64 ||
	    out->rl_rate > 1000000u || out->rl_burst > 1000000u)
		return -EINVAL;
	/* RFC 7635: a server name, and keys each named, of a known
	 * algorithm and its key length */
	if (out->oauth_server_name != NULL && out->oauth_server_name[0] == '\0')
		out->oauth_server_name = NULL;
	if (out->oauth_server_name != NULL) {
		if (strlen(out->oauth_server_name) > CP_OAUTH_NAME_MAX ||
		    out->oauth_nkeys == 0 || out->oauth_nkeys > CP_OAUTH_KEYS_MAX ||
		    out->oauth_keys == NULL || out->oauth_tolerance_s > 86400u)
			return -EINVAL;
		for (uint32_t i = 0; i < out->oauth_nkeys; i++) {
			const struct cp_oauth_key *k = &out->oauth_keys[i];
			size_t n = strnlen(k->kid, sizeof(k->kid));

			if (n == 0 || n > CP_OAUTH_KID_MAX ||
			    strnlen(k->as, sizeof(k->as)) > CP_OAUTH_KID_MAX ||
			    cp_oauth_alg_key_len(k->alg) == 0 ||
			    k->key_len != cp_oauth_alg_key_len(k->alg))
				return -EINVAL;
		}
	}
	return 0;
}

static void
tenant_nonces_free(struct cp_auth *a)
{
	for (uint32_t i = 0; i < a->ntenants; i++)
		nonce_ctx_fini(&a->tnonce[i]);
	if (a->tnonce != NULL)
		OPENSSL_cleanse(a->tnonce, sizeof(*a->tnonce) * a->ntenants);
	free(a->tnonce);
	a->tnonce = NULL;
	a->ntenants = 0;
}

struct cp_auth *
cp_auth_init(const struct cp_auth_conf *conf)
{
	uint8_t nonce_key[NONCE_KEY_LEN];
	struct cp_auth_conf c;
	struct cp_auth *a;
	uint32_t features;
	EVP_MAC *mac;
	int rc;

	if (conf == NULL || merge_conf(conf, &c) < 0) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	features = 0;
	if (!c.no_pwalgs)
		features |= CP_AUTH_FEAT_PASSWORD_ALGORITHMS;
	if (c.userhash)
		features |= CP_AUTH_FEAT_USERNAME_ANONYMITY;

	rc = nonce_ctx_init(&a->nonce);
	if (rc < 0)
		goto out_free_a;
	/* The salt is a counter, seeded once (lib/nonce: a RAND_bytes per
	 * nonce was a system call per challenge). */
	rc = -EIO;
	if (RAND_bytes(nonce_key, sizeof(nonce_key)) != 1 ||
	    RAND_bytes((unsigned char *)&a->nonce.salt, sizeof(a->nonce.salt)) != 1 ||
	    RAND_bytes(a->hash_key, sizeof(a->hash_key)) != 1 ||
	    RAND_bytes(a->dummy_key, sizeof(a->dummy_key)) != 1)
		goto out_free_nonce;
	rc = nonce_ctx_set(&a->nonce, nonce_key, features, c.nonce_lifetime_s,
			   c.realm, strlen(c.realm), c.software,
			   c.software != NULL ? strlen(c.software) : 0);
	OPENSSL_cleanse(nonce_key, sizeof(nonce_key));
	if (rc < 0)
		goto out_free_nonce;
	/* The tenants': their realm, a key derived from the box's (dp derives
	 * the same from the key cp publishes). */
	if (c.ntenants > 0) {
		rc = -ENOMEM;
		a->tnonce = calloc(c.ntenants, sizeof(*a->tnonce));
		if (a->tnonce == NULL)
			goto out_free_nonce;
		for (; a->ntenants < c.ntenants; a->ntenants++) {
			struct nonce_ctx *nc = &a->tnonce[a->ntenants];
			const char *r = c.tenant_realms[a->ntenants];

			rc = nonce_ctx_init(nc);
			if (rc < 0)
				goto out_free_nonce;
			rc = -EIO;
			if (RAND_bytes((unsigned char *)&nc->salt, sizeof(nc->salt)) != 1 ||
			    RAND_bytes(nonce_key, sizeof(nonce_key)) != 1) {
				nonce_ctx_fini(nc);
				goto out_free_nonce;
			}
			/* (keyed for real just below) */
			rc = nonce_ctx_set(nc, nonce_key, features, c.nonce_lifetime_s, r,
					   strlen(r), c.software,
					   c.software != NULL ? strlen(c.software) : 0);
			OPENSSL_cleanse(nonce_key, sizeof(nonce_key));
			if (rc < 0) {
				nonce_ctx_fini(nc);
				goto out_free_nonce;
			}
		}
		rc = cp_auth_tenant_nonces_key(a);
		if (rc < 0)
			goto out_free_nonce;
	}
	rc = -ENOMEM;
	mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_SIPHASH, NULL);
	if (mac == NULL)
		goto out_free_nonce;
	a->sip = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);  /* the context keeps its own reference */
	if (a->sip == NULL)
		goto out_free_nonce;

	rc = cp_auth_users_init(a, c.max_users);
	if (rc < 0)
		goto out_free_sip;
	rc = cp_auth_secrets_init(a, c.max_secrets, c.ntenants);
	if (rc < 0)
		goto out_free_users;
	rc = cp_auth_rl_init(a, c.rl_buckets, c.rl_rate, c.rl_burst);
	if (rc < 0)
		goto out_free_secrets;
	if (c.oauth_server_name != NULL) {
		rc = -ENOMEM;
		a->oauth_ctx = EVP_CIPHER_CTX_new();
		if (a->oauth_ctx == NULL)
			goto out_free_rl;
		a->oauth_name_len = (uint16_t)strlen(c.oauth_server_name);
		memcpy(a->oauth_name, c.oauth_server_name, a->oauth_name_len);
		a->oauth_nkeys = c.oauth_nkeys;
		memcpy(a->oauth_keys, c.oauth_keys, sizeof(a->oauth_keys[0]) * c.oauth_nkeys);
		a->oauth_tolerance_s = c.oauth_tolerance_s;
		a->oauth_max_lifetime_s = c.oauth_max_lifetime_s;
		for (uint32_t i = 0; i < a->oauth_nkeys; i++) {
			uint32_t j = 0;

			while (strcmp(cp_auth_oauth_as_name(a, j + 1u),
				      a->oauth_keys[i].as[0] != '\0' ? a->oauth_keys[i].as :
									a->oauth_keys[i].kid) != 0)
				j++;
			a->oauth_as[i] = (uint8_t)(j + 1u);
		}
		/* every 401 at the default tenant's addresses says so */
		(void)nonce_ctx_set_server_name(&a->nonce, a->oauth_name, a->oauth_name_len);
	}
	return a;

out_free_rl:
	cp_auth_rl_free(a);
out_free_secrets:
	cp_auth_secrets_free(a);
out_free_users:
	cp_auth_users_free(a);
out_free_sip:
	EVP_MAC_CTX_free(a->sip);
out_free_nonce:
	tenant_nonces_free(a);
	nonce_ctx_fini(&a->nonce);
out_free_a:
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
	errno = -rc;
	return NULL;
}

void
cp_auth_free(struct cp_auth *a)
{
	if (a == NULL)
		return;
	EVP_CIPHER_CTX_free(a->oauth_ctx);
	cp_auth_rl_free(a);
	cp_auth_secrets_free(a);
	cp_auth_users_free(a);
	EVP_MAC_CTX_free(a->sip);
	tenant_nonces_free(a);
	nonce_ctx_fini(&a->nonce);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

static int
verdict(struct cp_auth_result *res, enum cp_auth_reason r)
{
	res->reason = (uint8_t)r;
	res->code = reason_codes[r];
	return res->code;
}

/*
 * The integrity check a request gets when cp has no key to check it with
 * (its user is unknown, or has no key of the algorithm asked for): with
 * dummy_key, of the algorithm (HMAC-SHA1, or HMAC-SHA256 as long as the
 * request's) and key length the request asks for, over the same bytes,
 * so that it costs what a known user's check costs. Both answers are 401
 * (RFC 8489 §9.2.4); without this one takes an HMAC longer than the other,
 * and the time to the answer tells which usernames exist. It cannot pass
 * (a random key) and its result is not looked at.
 */
static void
check_unverifiable(const struct cp_auth *a, const struct stun_msg *req,
		   uint16_t pwalg, bool sha256)
{
	size_t klen = pwalg == STUN_PWALG_SHA256 ? 32 : 16;

	if (sha256)
		(void)stun_check_integrity_sha256(req, a->dummy_key, klen);
	else
		(void)stun_check_integrity(req, a->dummy_key, klen);
}

static int
refuse_unverified(const struct cp_auth *a, const struct stun_msg *req,
		  uint16_t pwalg, bool sha256, struct cp_auth_result *res,
		  enum cp_auth_reason r)
{
	check_unverifiable(a, req, pwalg, sha256);
	return verdict(res, r);
}

static bool
pwalg_offered(uint16_t alg)
{
	for (size_t i = 0; i < TP_ARRAY_SIZE(our_pwalgs); i++)
		if (our_pwalgs[i] == alg)
			return true;
	return false;
}

/*
 * RFC 8489 §9.2.4, third check: which password algorithm derives the key.
 * strict: the nonce is ours (its MAC verified) and carries the Password
 * algorithms bit, so PASSWORD-ALGORITHMS must be what we sent and
 * PASSWORD-ALGORITHM one of them, else 400. Otherwise (no bit, or a nonce
 * that is not ours and will earn a 438 anyway) we honour a
 * PASSWORD-ALGORITHM we support so that a client whose nonce went stale,
 * e.g. across a cp restart, passes the integrity check and hears 438,
 * not a 401 it would not retry (§9.2.5). Returns 0 or -EINVAL.
 */
static int
select_pwalg(const struct stun_msg *req, bool strict, uint16_t *pwalg)
{
	const struct stun_attr *pa = stun_msg_find(req,
						   STUN_ATTR_PASSWORD_ALGORITHM);
	const struct stun_attr *pas = stun_msg_find(req,
						    STUN_ATTR_PASSWORD_ALGORITHMS);
	uint16_t alg;

	*pwalg = STUN_PWALG_MD5;
	if (pa == NULL && pas == NULL)
		return 0;   /* processed as though PASSWORD-ALGORITHM were MD5 */
	if (strict) {
		if (pa == NULL || pas == NULL)
			return -EINVAL;
		if (pas->len != sizeof(our_pwalgs_value) ||
		    memcmp(pas->value, our_pwalgs_value, pas->len) != 0)
			return -EINVAL;
	}
	if (pa == NULL)
		return 0;
	if (stun_attr_get_pwalg(pa, &alg) < 0 || !pwalg_offered(alg))
		return strict ? -EINVAL : 0;
	*pwalg = alg;
	return 0;
}

bool
cp_auth_oauth_on(const struct cp_auth *a, unsigned int tenant)
{
	return a->oauth_name_len > 0 && tenant == 0;
}

const char *
cp_auth_oauth_server_name(const struct cp_auth *a, size_t *len)
{
	*len = a->oauth_name_len;
	return a->oauth_name;
}

const char *
cp_auth_oauth_as_name(const struct cp_auth *a, unsigned int as)
{
	const struct cp_oauth_key *k;

	if (as == 0 || as > a->oauth_nkeys)
		return "";
	k = &a->oauth_keys[as - 1];
	return k->as[0] != '\0' ? k->as : k->kid;
}

int
cp_auth_oauth_client(const struct cp_auth *a, const struct cp_auth_result *res,
		     char *out, size_t cap)
{
	static const char label[] = "turnpike oauth client";
	static const char hex[] = "0123456789abcdef";
	const char *as = cp_auth_oauth_as_name(a, res->oauth_as);
	uint8_t in[sizeof(label) - 1 + CP_AUTH_KEY_MAX], md[EVP_MAX_MD_SIZE];
	size_t n = strlen(as);
	int ok;

	if (res->oauth == 0 || res->key_len == 0 || res->key_len > CP_AUTH_KEY_MAX ||
	    n == 0 || cap < n + 2u + CP_OAUTH_CLIENT_HEX)
		return -EINVAL;
	memcpy(in, label, sizeof(label) - 1);
	memcpy(in + sizeof(label) - 1, res->key, res->key_len);
	ok = EVP_Digest(in, sizeof(label) - 1 + res->key_len, md, NULL, EVP_sha256(), NULL);
	OPENSSL_cleanse(in, sizeof(in));
	if (ok != 1)
		return -EINVAL;
	memcpy(out, as, n);
	out[n++] = '/';
	for (unsigned int i = 0; i < CP_OAUTH_CLIENT_HEX / 2; i++) {
		out[n++] = hex[md[i] >> 4];
		out[n++] = hex[md[i] & 15];
	}
	out[n] = '\0';
	return (int)n;
}

uint32_t
cp_auth_oauth_left(const struct cp_auth *a, uint64_t expiry, uint64_t wall_s)
{
	uint64_t end = expiry + a->oauth_tolerance_s;

	if (end <= wall_s)
		return 0;
	return end - wall_s > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - wall_s);
}

void
cp_auth_session_of(const struct cp_auth_result *res, struct cp_auth_session *s)
{
	memset(s, 0, sizeof(*s));
	if (res->code != 0 || res->oauth == 0 || res->key_len == 0 ||
	    res->key_len > CP_AUTH_KEY_MAX || res->oauth_kid == 0)
		return;
	s->key_len = res->key_len;
	memcpy(s->key, res->key, res->key_len);
	s->kid = res->oauth_kid;
	s->as = res->oauth_as;
	s->expiry = res->oauth_expiry;
}

static const struct cp_oauth_key *
oauth_key_find(const struct cp_auth *a, const uint8_t *kid, size_t len)
{
	for (uint32_t i = 0; i < a->oauth_nkeys; i++)
		if (strlen(a->oauth_keys[i].kid) == len &&
		    memcmp(a->oauth_keys[i].kid, kid, len) == 0)
			return &a->oauth_keys[i];
	return NULL;
}

/* The nonce's verdict once the key is proven (§9.2.4 step 6). */
static int
nonce_verdict(struct cp_auth_result *res, enum cp_auth_nonce_state nstate)
{
	if (nstate == CP_AUTH_NONCE_EXPIRED)
		return verdict(res, CP_AUTH_R_NONCE_EXPIRED);
	if (nstate == CP_AUTH_NONCE_FOREIGN)
		return verdict(res, CP_AUTH_R_NONCE_FOREIGN);
	return verdict(res, CP_AUTH_R_OK);
}

/*
 * RFC 7635 §6.2, the server's checks of a request with ACCESS-TOKEN, in
 * the place of RFC 8489 §9.2.4's fourth and fifth (steps 1 to 3 and 6
 * stay): USERNAME names the key (kid) the token is sealed with; the
 * token must open under it with our server name as associated data, be
 * within its lifetime (with the tolerance for clock skew), and carry the
 * mac_key that signs the request. Each refusal is 401 (with our REALM,
 * NONCE and THIRD-PARTY-AUTHORIZATION: the client fetches a new token)
 * and runs the integrity check all the same (refuse_unverified()).
 *
 * MESSAGE-INTEGRITY is HMAC-SHA1 keyed with the mac_key (§6.2: 160 bits
 * for it). coturn's clients (turnutils_uclient -J) key it with the mac_key's
 * first 16 bytes instead (their long-term key length); that is tried second,
 * and the key that verified signs our answer, which is the one such a
 * client checks it with.
 */
static int
oauth_token_verdict(struct cp_auth *a, const struct stun_msg *req,
		    const struct stun_attr *tok, enum cp_auth_nonce_state nstate,
		    uint16_t pwalg, bool sha256, uint64_t wall_s,
		    struct cp_auth_result *res)
{
	const struct cp_oauth_key *k;
	struct cp_oauth_token t;
	enum cp_oauth_status st;
	enum stun_check ok;
	uint64_t expiry;
	size_t klen;

	k = oauth_key_find(a, (const uint8_t *)res->username, res->username_len);
	if (k == NULL)
		return refuse_unverified(a, req, pwalg, sha256, res, CP_AUTH_R_OAUTH_UNKNOWN_KID);
	st = cp_oauth_open(a->oauth_ctx, k, a->oauth_name, a->oauth_name_len, tok->value,
			   tok->len, &t);
	if (st != CP_OAUTH_OK)
		return refuse_unverified(a, req, pwalg, sha256, res, CP_AUTH_R_OAUTH_BAD_TOKEN);
	st = cp_oauth_when(&t, wall_s, a->oauth_tolerance_s, a->oauth_max_lifetime_s, &expiry);
	if (st != CP_OAUTH_OK) {
		OPENSSL_cleanse(&t, sizeof(t));
		return refuse_unverified(a, req, pwalg, sha256, res,
					 st == CP_OAUTH_FUTURE ? CP_AUTH_R_OAUTH_FUTURE :
								 CP_AUTH_R_OAUTH_EXPIRED);
	}
	klen = t.mac_key_len;
	if (sha256) {
		ok = stun_check_integrity_sha256(req, t.mac_key, klen);
	} else {
		ok = stun_check_integrity(req, t.mac_key, klen);
		if (ok != STUN_CHECK_VALID && klen > 16) {
			klen = 16;
			ok = stun_check_integrity(req, t.mac_key, klen);
		}
	}
	if (ok != STUN_CHECK_VALID) {
		OPENSSL_cleanse(&t, sizeof(t));
		return verdict(res, CP_AUTH_R_BAD_INTEGRITY);
	}
	memcpy(res->key, t.mac_key, klen);
	res->key_len = (uint8_t)klen;
	OPENSSL_cleanse(&t, sizeof(t));
	res->oauth = 1;
	res->oauth_as = a->oauth_as[k - a->oauth_keys];
	res->oauth_kid = (uint8_t)(k - a->oauth_keys + 1);
	res->oauth_expiry = expiry;
	res->pwalg = pwalg;
	res->mi_sha256 = sha256;
	return nonce_verdict(res, nstate);
}

/* Does USERNAME (uname) name session s's kid? */
static bool
session_named(const struct cp_auth *a, const struct cp_auth_session *s,
	      const struct stun_attr *uname)
{
	const char *kid;

	if (s->key_len == 0 || s->key_len > CP_AUTH_KEY_MAX || s->kid == 0 ||
	    s->kid > a->oauth_nkeys)
		return false;
	kid = a->oauth_keys[s->kid - 1].kid;
	return uname->len == strlen(kid) && memcmp(uname->value, kid, uname->len) == 0;
}

/* A later request of an allocation a token made, signed with the key of
 * one of its sessions (struct cp_auth_session: cp/alloc's session and the
 * one the allocation was made with) whose kid USERNAME names, until that
 * token's end; the first that verifies is the request's. None within its
 * life: oauth-expired; a request that none verifies: bad-integrity. */
static int
oauth_session_verdict(struct cp_auth *a, const struct stun_msg *req,
		      const struct cp_auth_session *sess, unsigned int nsess,
		      const struct stun_attr *uname, enum cp_auth_nonce_state nstate,
		      uint16_t pwalg, bool sha256, uint64_t wall_s,
		      struct cp_auth_result *res)
{
	bool tried = false;

	for (unsigned int i = 0; i < nsess; i++) {
		const struct cp_auth_session *s = &sess[i];
		enum stun_check ok;

		if (!session_named(a, s, uname) || s->expiry + a->oauth_tolerance_s < wall_s)
			continue;
		tried = true;
		ok = sha256 ? stun_check_integrity_sha256(req, s->key, s->key_len) :
			      stun_check_integrity(req, s->key, s->key_len);
		if (ok != STUN_CHECK_VALID)
			continue;
		memcpy(res->key, s->key, s->key_len);
		res->key_len = s->key_len;
		res->oauth = 2;
		res->oauth_as = s->as;
		res->oauth_kid = s->kid;
		res->oauth_expiry = s->expiry;
		res->pwalg = pwalg;
		res->mi_sha256 = sha256;
		return nonce_verdict(res, nstate);
	}
	if (!tried)
		return refuse_unverified(a, req, pwalg, sha256, res, CP_AUTH_R_OAUTH_EXPIRED);
	return verdict(res, CP_AUTH_R_BAD_INTEGRITY);
}

static int
check(struct cp_auth *a, const struct stun_msg *req, const struct cp_auth_peer *from,
      uint64_t now_s, uint64_t wall_s, const struct cp_auth_session *sess,
      unsigned int nsess, struct cp_auth_result *res)
{
	const struct stun_attr *mi, *mi256, *uname, *uhash, *realm, *nonce;
	const struct cp_auth_user *u = NULL;
	unsigned int tenant = cp_auth_tix(a, from->tenant);
	const struct nonce_ctx *nc = cp_auth_nc(a, tenant);
	enum cp_auth_nonce_state nstate;
	enum stun_check ok;
	uint32_t feat;
	uint16_t pwalg;
	bool sha256, rest_name = false;

	memset(res, 0, offsetof(struct cp_auth_result, username));
	res->username[0] = '\0';
	res->tenant = (uint8_t)tenant;
	/* An index past the tenants names none of them (no caller makes one:
	 * cp/alloc's come from the configuration cp/auth was built with):
	 * refused, never judged as the default tenant's. */
	if (from->tenant > a->ntenants)
		return verdict(res, CP_AUTH_R_WRONG_REALM);

	/* 1. No MESSAGE-INTEGRITY(-SHA256): challenge with 401. */
	mi = stun_msg_find(req, STUN_ATTR_MESSAGE_INTEGRITY);
	mi256 = stun_msg_find(req, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	if (mi == NULL && mi256 == NULL)
		return verdict(res, CP_AUTH_R_NO_INTEGRITY);

	/* 2. USERNAME or USERHASH, REALM and NONCE are mandatory: 400. */
	uname = stun_msg_find(req, STUN_ATTR_USERNAME);
	uhash = stun_msg_find(req, STUN_ATTR_USERHASH);
	realm = stun_msg_find(req, STUN_ATTR_REALM);
	nonce = stun_msg_find(req, STUN_ATTR_NONCE);
	if ((uname == NULL && uhash == NULL) || realm == NULL || nonce == NULL)
		return verdict(res, CP_AUTH_R_MISSING_ATTR);

	/* The nonce is judged now (its feature bits matter to step 3) but a
	 * bad one is only reported at step 6, as the RFC orders it. */
	nstate = cp_auth_nonce_check(a, nonce->value, nonce->len, from, now_s,
				     &feat);

	/* 3. Password algorithms against what our nonce advertised. */
	if (select_pwalg(req, (feat & CP_AUTH_FEAT_PASSWORD_ALGORITHMS) != 0,
			 &pwalg) < 0)
		return verdict(res, CP_AUTH_R_BAD_PWALG);

	/* Step 5's choice, needed by every refusal from here on: each one
	 * that knows no key runs the integrity check all the same
	 * (refuse_unverified()). */
	sha256 = mi256 != NULL;

	/* 4. Is USERNAME/USERHASH valid? (RFC 8489 leaves a REALM other
	 * than ours to the key: it cannot verify. We say so up front, 401
	 * with our REALM, as for wrong credentials: the realm is public.
	 * "Ours" is the realm of the tenant whose address the request
	 * reached: another tenant's realm is refused the same way, and its
	 * users and secrets are not looked at.)
	 * lib/stun already refused a USERNAME over CP_AUTH_NAME_MAX; the
	 * check stays for callers that hand us a message parsed otherwise. */
	if (uname != NULL) {
		if (uname->len > CP_AUTH_NAME_MAX ||
		    memchr(uname->value, '\0', uname->len) != NULL)
			return refuse_unverified(a, req, pwalg, sha256, res,
						 CP_AUTH_R_UNKNOWN_USER);
		memcpy(res->username, uname->value, uname->len);
		res->username[uname->len] = '\0';
		res->username_len = uname->len;
	}
	if (realm->len != nc->realm_len ||
	    memcmp(realm->value, nc->realm, nc->realm_len) != 0)
		return verdict(res, CP_AUTH_R_WRONG_REALM);
	/* RFC 7635: an access token (its kid in USERNAME), or a later
	 * request of an allocation one made, signed with its key. A
	 * token without USERNAME names no key. */
	if (cp_auth_oauth_on(a, tenant)) {
		const struct stun_attr *tok = stun_msg_find(req, STUN_ATTR_ACCESS_TOKEN);

		if (tok != NULL && uname == NULL)
			return refuse_unverified(a, req, pwalg, sha256, res,
						 CP_AUTH_R_OAUTH_UNKNOWN_KID);
		if (tok != NULL)
			return oauth_token_verdict(a, req, tok, nstate, pwalg, sha256, wall_s,
						   res);
		for (unsigned int i = 0; sess != NULL && uname != NULL && i < nsess; i++)
			if (session_named(a, &sess[i], uname))
				return oauth_session_verdict(a, req, sess, nsess, uname, nstate,
							     pwalg, sha256, wall_s, res);
	}
	if (uname != NULL) {
		uint64_t expiry;

		u = cp_auth_user_find(a, tenant, res->username, res->username_len);
		/* A name TURN REST could take: secrets configured and a
		 * timestamp in it (draft-uberti-behave-turn-rest §3: when
		 * the credentials expire; a Unix time: the wall clock). A
		 * static user's name may read so too (a numeric one reads
		 * as a bare timestamp): the user is checked as a static
		 * one, at the cost of both (step 5). */
		if (cp_auth_secret_list_in(a, tenant, NULL, 0) > 0 &&
		    cp_auth_rest_parse(res->username, res->username_len,
				       &expiry) == 0) {
			rest_name = expiry >= wall_s;
			if (u == NULL) {
				res->rest_expiry = expiry;
				if (!rest_name)
					return refuse_unverified(a, req, pwalg, sha256, res,
								 CP_AUTH_R_REST_EXPIRED);
				res->rest = 1;
			}
		} else if (u == NULL) {
			return refuse_unverified(a, req, pwalg, sha256, res,
						 CP_AUTH_R_UNKNOWN_USER);
		}
	} else {
		/* USERHASH (RFC 8489 §14.4): static users only, a REST
		 * name cannot be recovered from its hash. */
		u = cp_auth_user_find_hash(a, tenant, uhash->value);
		if (u == NULL)
			return refuse_unverified(a, req, pwalg, sha256, res,
						 CP_AUTH_R_UNKNOWN_USER);
		memcpy(res->username, u->name, (size_t)u->name_len + 1u);
		res->username_len = u->name_len;
	}

	/* 5. Integrity: MESSAGE-INTEGRITY-SHA256 when present (both may be
	 * present; §14.6), else MESSAGE-INTEGRITY. A name that is both a
	 * static user's and a possible REST one gets both checks, the
	 * static one deciding; a REST name that is no static user's gets
	 * the static check too, with the dummy key: whether a name is a
	 * user's does not show in the time either. */
	if (u != NULL) {
		const uint8_t *key = pwalg == STUN_PWALG_SHA256 ? u->key_sha256 :
								  u->key_md5;
		size_t klen = pwalg == STUN_PWALG_SHA256 ? 32 : 16;

		/* A user imported with its MD5 key only (coturn's hmackey)
		 * has no SHA-256 key to check with: wrong credentials. */
		if (pwalg == STUN_PWALG_SHA256 && !u->has_sha256) {
			check_unverifiable(a, req, pwalg, sha256);
			ok = STUN_CHECK_INVALID;
		} else {
			ok = sha256 ? stun_check_integrity_sha256(req, key, klen) :
				      stun_check_integrity(req, key, klen);
		}
		if (rest_name) {
			uint8_t k[CP_AUTH_KEY_MAX], klen_rest;

			(void)cp_auth_rest_verify(a, tenant, req, res->username, pwalg, sha256,
						  k, &klen_rest);
			OPENSSL_cleanse(k, sizeof(k));
		}
		if (ok != STUN_CHECK_VALID)
			return verdict(res, CP_AUTH_R_BAD_INTEGRITY);
		memcpy(res->key, key, klen);
		res->key_len = (uint8_t)klen;
	} else {
		check_unverifiable(a, req, pwalg, sha256);
		if (cp_auth_rest_verify(a, tenant, req, res->username, pwalg, sha256,
					res->key, &res->key_len) < 0) {
			res->rest = 0;
			return verdict(res, CP_AUTH_R_BAD_INTEGRITY);
		}
	}
	res->pwalg = pwalg;
	/* §9.2.4, last paragraph: answer with MESSAGE-INTEGRITY-SHA256
	 * unless the request was processed as MD5 for want of
	 * PASSWORD-ALGORITHM(S); and in any case in the kind the client
	 * used itself, which is the one it can check. */
	res->mi_sha256 = sha256 ||
			 stun_msg_find(req, STUN_ATTR_PASSWORD_ALGORITHM) != NULL ||
			 stun_msg_find(req, STUN_ATTR_PASSWORD_ALGORITHMS) != NULL;

	/* 6. Stale nonce: the key is proven, ask for a retry. */
	return nonce_verdict(res, nstate);
}

int
cp_auth_check(struct cp_auth *a, const struct stun_msg *req,
	      const struct cp_auth_peer *from, uint64_t now_s, uint64_t wall_s,
	      struct cp_auth_result *res)
{
	return check(a, req, from, now_s, wall_s, NULL, 0, res);
}

int
cp_auth_check_session(struct cp_auth *a, const struct stun_msg *req,
		      const struct cp_auth_peer *from, uint64_t now_s, uint64_t wall_s,
		      const struct cp_auth_session *sess, unsigned int nsess,
		      struct cp_auth_result *res)
{
	return check(a, req, from, now_s, wall_s, sess, nsess, res);
}

int
cp_auth_build_challenge(struct cp_auth *a, const struct stun_msg *req,
			const struct cp_auth_result *res,
			const struct cp_auth_peer *from, uint64_t now_s,
			uint8_t *buf, size_t cap)
{
	/* the tenant of the address reached: its realm, a nonce of its */
	struct nonce_ctx *nc = cp_auth_nc(a, from->tenant);

	switch (res->code) {
	case STUN_ERR_BAD_REQUEST:
		/* §9.2.4: no USERNAME, USERHASH, NONCE or REALM. */
		return stun_build_error_response(buf, cap, req, res->code,
						 nc->has_software ? nc->software : NULL);
	case STUN_ERR_UNAUTHENTICATED:
	case STUN_ERR_STALE_NONCE:
		/* lib/nonce's: byte for byte what dp answers a request
		 * without integrity with (dp/turn/turn.c). */
		return nonce_challenge_build(nc, res->code, req->method,
					     req->tid, &from->addr, from->transport,
					     now_s, buf, cap);
	default:
		return -EINVAL;
	}
}

int
cp_auth_sign(struct stun_builder *b, const struct cp_auth_result *res)
{
	if (res->key_len == 0 || res->key_len > CP_AUTH_KEY_MAX)
		return -EINVAL;
	if (res->mi_sha256)
		stun_build_integrity_sha256(b, res->key, res->key_len);
	else
		stun_build_integrity(b, res->key, res->key_len);
	return 0;
}
