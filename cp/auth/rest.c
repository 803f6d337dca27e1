/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN REST API credentials (draft-uberti-behave-turn-rest-00 §2.2, §3):
 * a web service and this server share secrets; the service hands a client
 * USERNAME = "expiry-timestamp:user" and password =
 * base64(HMAC-SHA1(secret, USERNAME)), or HMAC-SHA256 for a secret the
 * operator marked so (as Kamailio's auth_ephemeral can make them), and
 * the server recomputes the password, then the ordinary long-term key
 * MD5(USERNAME:realm:password) (RFC 8489 §9.2.2; or its SHA-256
 * variant, §18.5.1.2), and checks the request's integrity with it.
 * Several secrets are held so that operators
 * can rotate (the draft's "SHOULD validate against at least 2"); each is
 * tried in turn. Like coturn we also accept "user:expiry" and a bare
 * "expiry", and the timestamp is an expiry: accepted while expiry >= now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"
#include "auth_priv.h"
#include "stun.h"

/* max_secrets for each tenant, the default one included. */
int
cp_auth_secrets_init(struct cp_auth *a, uint32_t max_secrets, uint32_t ntenants)
{
	uint32_t n = max_secrets * (ntenants + 1u);

	a->secrets = calloc(n, sizeof(*a->secrets));
	if (a->secrets == NULL)
		return -ENOMEM;
	a->max_secrets = n;
	a->tenant_secrets = max_secrets;
	return 0;
}

void
cp_auth_secrets_free(struct cp_auth *a)
{
	if (a->secrets != NULL)
		OPENSSL_cleanse(a->secrets, sizeof(*a->secrets) * a->max_secrets);
	free(a->secrets);
	a->secrets = NULL;
	a->max_secrets = 0;
}

/* Hex of the first 8 bytes of SHA-256(secret): names a secret in listings
 * and logs without disclosing it. */
static void
secret_tag(const uint8_t *val, size_t len, char tag[17])
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	if (!EVP_Digest(val, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		memset(md, 0, sizeof(md));
	for (int i = 0; i < 8; i++)
		snprintf(tag + 2 * i, 3, "%02x", md[i]);
}

/* A secret is a tenant's: the same value may sign two tenants'
 * credentials, each under its own realm. */
static struct cp_auth_secret *
secret_find(const struct cp_auth *a, unsigned int tenant, const char *s, size_t len)
{
	for (uint32_t i = 0; i < a->max_secrets; i++) {
		struct cp_auth_secret *sec = &a->secrets[i];

		if (sec->len == len && sec->tenant == tenant && memcmp(sec->val, s, len) == 0)
			return sec;
	}
	return NULL;
}

int
cp_auth_secret_add_in(struct cp_auth *a, unsigned int tenant, const char *secret,
		      unsigned int alg)
{
	size_t len = secret != NULL ? strlen(secret) : 0;
	struct cp_auth_secret *free_slot = NULL;
	uint32_t mine = 0;

	if (len == 0 || len > CP_AUTH_SECRET_MAX || tenant > a->ntenants ||
	    (alg != TP_REST_SHA1 && alg != TP_REST_SHA256))
		return -EINVAL;
	if (secret_find(a, tenant, secret, len) != NULL)
		return -EEXIST;
	for (uint32_t i = 0; i < a->max_secrets; i++) {
		struct cp_auth_secret *sec = &a->secrets[i];

		if (sec->len == 0) {
			if (free_slot == NULL)
				free_slot = sec;
		} else if (sec->tenant == tenant) {
			mine++;
		}
	}
	if (free_slot == NULL || mine >= a->tenant_secrets)
		return -ENOSPC;
	memcpy(free_slot->val, secret, len + 1);
	free_slot->len = (uint16_t)len;
	free_slot->tenant = (uint8_t)tenant;
	free_slot->alg = (uint8_t)alg;
	return 0;
}

int
cp_auth_secret_add(struct cp_auth *a, const char *secret)
{
	return cp_auth_secret_add_in(a, 0, secret, TP_REST_SHA1);
}

int
cp_auth_secret_del_in(struct cp_auth *a, unsigned int tenant, const char *secret_or_tag)
{
	size_t len = secret_or_tag != NULL ? strlen(secret_or_tag) : 0;
	struct cp_auth_secret *sec;
	char tag[17];

	if (len == 0 || tenant > a->ntenants)
		return -ENOENT;
	sec = secret_find(a, tenant, secret_or_tag, len);
	if (sec == NULL && len == 16) {
		for (uint32_t i = 0; i < a->max_secrets && sec == NULL; i++) {
			if (a->secrets[i].len == 0 || a->secrets[i].tenant != tenant)
				continue;
			secret_tag(a->secrets[i].val, a->secrets[i].len, tag);
			if (strcmp(tag, secret_or_tag) == 0)
				sec = &a->secrets[i];
		}
	}
	if (sec == NULL)
		return -ENOENT;
	OPENSSL_cleanse(sec, sizeof(*sec));
	return 0;
}

int
cp_auth_secret_del(struct cp_auth *a, const char *secret_or_tag)
{
	return cp_auth_secret_del_in(a, 0, secret_or_tag);
}

int
cp_auth_secret_lookup_in(const struct cp_auth *a, unsigned int tenant,
			 const char *secret_or_tag, char *out)
{
	size_t len = secret_or_tag != NULL ? strlen(secret_or_tag) : 0;
	const struct cp_auth_secret *sec;
	char tag[17];

	if (len == 0 || tenant > a->ntenants)
		return -ENOENT;
	sec = secret_find(a, tenant, secret_or_tag, len);
	if (sec == NULL && len == 16) {
		for (uint32_t i = 0; i < a->max_secrets && sec == NULL; i++) {
			if (a->secrets[i].len == 0 || a->secrets[i].tenant != tenant)
				continue;
			secret_tag(a->secrets[i].val, a->secrets[i].len, tag);
			if (strcmp(tag, secret_or_tag) == 0)
				sec = &a->secrets[i];
		}
	}
	if (sec == NULL)
		return -ENOENT;
	memcpy(out, sec->val, (size_t)sec->len + 1);
	return 0;
}

int
cp_auth_secret_lookup(const struct cp_auth *a, const char *secret_or_tag, char *out)
{
	return cp_auth_secret_lookup_in(a, 0, secret_or_tag, out);
}

uint32_t
cp_auth_secret_list_in(const struct cp_auth *a, unsigned int tenant,
		       struct cp_auth_secret_info *out, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < a->max_secrets; i++) {
		const struct cp_auth_secret *sec = &a->secrets[i];

		if (sec->len == 0 || sec->tenant != tenant)
			continue;
		if (n < max && out != NULL) {
			secret_tag(sec->val, sec->len, out[n].tag);
			out[n].len = sec->len;
			out[n].alg = sec->alg;
		}
		n++;
	}
	return n;
}

int
cp_auth_secret_alg_in(const struct cp_auth *a, unsigned int tenant, const char *secret)
{
	const struct cp_auth_secret *sec;

	if (secret == NULL || tenant > a->ntenants)
		return -ENOENT;
	sec = secret_find(a, tenant, secret, strlen(secret));
	return sec != NULL ? sec->alg : -ENOENT;
}

uint32_t
cp_auth_secret_list(const struct cp_auth *a, struct cp_auth_secret_info *out,
		    uint32_t max)
{
	return cp_auth_secret_list_in(a, 0, out, max);
}

/* The one rule for a REST password: base64 (standard alphabet, '='
 * padded) of HMAC-alg(secret, username), the username's bytes as the
 * client sends them in USERNAME. 20 bytes -> 28 characters, 32 -> 44;
 * out holds CP_AUTH_REST_PASSWORD_MAX. */
static int
rest_password(unsigned int alg, const uint8_t *secret, size_t secret_len,
	      const char *username, char out[CP_AUTH_REST_PASSWORD_MAX])
{
	uint8_t mac[32];
	size_t mac_len = alg == TP_REST_SHA256 ? 32 : 20;
	int rc;

	if (alg != TP_REST_SHA1 && alg != TP_REST_SHA256)
		return -EINVAL;
	rc = alg == TP_REST_SHA256 ?
	     stun_hmac_sha256(secret, secret_len, (const uint8_t *)username,
			      strlen(username), mac) :
	     stun_hmac_sha1(secret, secret_len, (const uint8_t *)username,
			    strlen(username), mac);
	if (rc < 0)
		return rc;
	rc = EVP_EncodeBlock((unsigned char *)out, mac, (int)mac_len);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc == (int)(4 * ((mac_len + 2) / 3)) ? 0 : -EIO;
}

int
cp_auth_rest_password_alg(unsigned int alg, const char *secret, const char *username,
			  char out[CP_AUTH_REST_PASSWORD_MAX])
{
	if (secret == NULL || username == NULL)
		return -EINVAL;
	return rest_password(alg, (const uint8_t *)secret, strlen(secret), username,
			     out);
}

int
cp_auth_rest_password(const char *secret, const char *username, char out[29])
{
	char pw[CP_AUTH_REST_PASSWORD_MAX];
	int rc = cp_auth_rest_password_alg(TP_REST_SHA1, secret, username, pw);

	if (rc == 0)
		memcpy(out, pw, 29);
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc;
}

/* All decimal digits, at most 19 of them (fits uint64_t). */
static bool
parse_digits(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10u + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* The one reading of a REST username's forms (draft-uberti-behave-turn-
 * rest §2.2 and coturn's): a bare "expiry", "expiry:user", "user:expiry"
 * (the part after the last ':'). 0 with *expiry and the user part at
 * username[*uoff..*uoff + *ulen) (empty for a bare expiry), or -EINVAL. */
static int
rest_split(const char *username, size_t len, uint64_t *expiry, size_t *uoff, size_t *ulen)
{
	const char *first, *last;

	if (username == NULL || len == 0)
		return -EINVAL;
	/* A bare timestamp (coturn accepts it). */
	if (parse_digits(username, len, expiry)) {
		*uoff = len;
		*ulen = 0;
		return 0;
	}
	first = memchr(username, ':', len);
	if (first == NULL)
		return -EINVAL;
	/* "expiry:user", the draft's form. */
	if (parse_digits(username, (size_t)(first - username), expiry)) {
		*uoff = (size_t)(first + 1 - username);
		*ulen = len - *uoff;
		return 0;
	}
	/* "user:expiry": the part after the last separator. */
	last = first;
	for (const char *p = first; p < username + len; p++)
		if (*p == ':')
			last = p;
	if (parse_digits(last + 1, (size_t)(username + len - last - 1), expiry)) {
		*uoff = 0;
		*ulen = (size_t)(last - username);
		return 0;
	}
	return -EINVAL;
}

int
cp_auth_rest_parse(const char *username, size_t len, uint64_t *expiry)
{
	size_t uoff, ulen;

	return rest_split(username, len, expiry, &uoff, &ulen);
}

int
cp_auth_rest_user(const struct cp_auth *a, unsigned int tenant, const char *name, size_t len,
		  size_t *off, size_t *ulen)
{
	uint64_t expiry;

	/* a static user's name is the user whole, whatever it reads as
	 * (cp_auth_check() checks such a name as the static user's) */
	if (a != NULL && cp_auth_user_find(a, tenant, name, len) != NULL)
		return -ENOENT;
	return rest_split(name, len, &expiry, off, ulen) == 0 ? 0 : -ENOENT;
}

int
cp_auth_rest_verify(const struct cp_auth *a, unsigned int tenant,
		    const struct stun_msg *req,
		    const char *username, uint16_t pwalg, bool sha256,
		    uint8_t key[CP_AUTH_KEY_MAX], uint8_t *key_len)
{
	const char *realm = cp_auth_trealm(a, tenant);
	char password[CP_AUTH_REST_PASSWORD_MAX];
	int rc = -ENOENT;

	tenant = cp_auth_tix(a, tenant);
	for (uint32_t i = 0; i < a->max_secrets; i++) {
		const struct cp_auth_secret *sec = &a->secrets[i];
		enum stun_check ok;
		int klen;

		if (sec->len == 0 || sec->tenant != tenant)
			continue;
		/* (each secret with its own HMAC: a password of the other
		 * kind matches none, and fails integrity as any wrong one) */
		if (rest_password(sec->alg, sec->val, sec->len, username, password) < 0)
			continue;
		klen = stun_key_long_term(pwalg, username, realm, password, key);
		if (klen <= 0)
			continue;
		ok = sha256 ? stun_check_integrity_sha256(req, key, (size_t)klen) :
			      stun_check_integrity(req, key, (size_t)klen);
		if (ok == STUN_CHECK_VALID) {
			*key_len = (uint8_t)klen;
			rc = 0;
			break;
		}
	}
	OPENSSL_cleanse(password, sizeof(password));
	if (rc < 0)
		OPENSSL_cleanse(key, CP_AUTH_KEY_MAX);
	return rc;
}
