/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Static users of the long-term credential mechanism (RFC 8489 §9.2).
 *
 * A user is a name and the keys derived from it, the configured realm and
 * the password at add time: MD5 and SHA-256 long-term keys (RFC 8489
 * §9.2.2, §18.5.1; RFC 8656 §6 "SHOULD store only the key") and USERHASH
 * (§14.4) so that an anonymous request can be matched. The password is
 * never stored. The table is an array sized at init with two chained
 * indexes (by name and by USERHASH); deletion unlinks and wipes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "auth_priv.h"
#include "stun.h"

static uint32_t
index_size(uint32_t max_users)
{
	uint32_t n = 16;

	while (n < max_users && n < (1u << 30))
		n <<= 1;
	return n;
}

int
cp_auth_users_init(struct cp_auth *a, uint32_t max_users)
{
	uint32_t nidx = index_size(max_users);

	a->users = calloc(max_users, sizeof(*a->users));
	a->by_name = malloc(sizeof(uint32_t) * nidx);
	a->by_hash = malloc(sizeof(uint32_t) * nidx);
	if (a->users == NULL || a->by_name == NULL || a->by_hash == NULL) {
		cp_auth_users_free(a);
		return -ENOMEM;
	}
	a->max_users = max_users;
	a->index_mask = nidx - 1;
	for (uint32_t i = 0; i < nidx; i++) {
		a->by_name[i] = CP_AUTH_NIL;
		a->by_hash[i] = CP_AUTH_NIL;
	}
	for (uint32_t i = 0; i < max_users; i++)
		a->users[i].next_name = i + 1 < max_users ? i + 1 : CP_AUTH_NIL;
	a->free_head = 0;
	a->nusers = 0;
	return 0;
}

void
cp_auth_users_free(struct cp_auth *a)
{
	if (a->users != NULL)
		OPENSSL_cleanse(a->users, sizeof(*a->users) * a->max_users);
	free(a->users);
	free(a->by_name);
	free(a->by_hash);
	a->users = NULL;
	a->by_name = NULL;
	a->by_hash = NULL;
	a->max_users = 0;
	a->nusers = 0;
}

static uint32_t
name_slot(const struct cp_auth *a, const char *name, size_t len)
{
	return (uint32_t)cp_auth_hash(a, name, len) & a->index_mask;
}

/* USERHASH is a SHA-256 output: its first bytes are already uniform, but
 * a client chooses what it sends, so hash it with our key all the same. */
static uint32_t
hash_slot(const struct cp_auth *a, const uint8_t *userhash)
{
	return (uint32_t)cp_auth_hash(a, userhash, STUN_USERHASH_LEN) &
	       a->index_mask;
}

/* A user is (tenant, name): the same name in two tenants is two users,
 * on the same chain (the name alone is hashed). */
static uint32_t
find_index(const struct cp_auth *a, unsigned int tenant, const char *name, size_t len)
{
	uint32_t i;

	if (a->nusers == 0)
		return CP_AUTH_NIL;
	for (i = a->by_name[name_slot(a, name, len)]; i != CP_AUTH_NIL;
	     i = a->users[i].next_name) {
		const struct cp_auth_user *u = &a->users[i];

		if (u->tenant == tenant && u->name_len == len &&
		    memcmp(u->name, name, len) == 0)
			return i;
	}
	return CP_AUTH_NIL;
}

const struct cp_auth_user *
cp_auth_user_find(const struct cp_auth *a, unsigned int tenant, const char *name,
		  size_t len)
{
	uint32_t i = find_index(a, cp_auth_tix(a, tenant), name, len);

	return i == CP_AUTH_NIL ? NULL : &a->users[i];
}

const struct cp_auth_user *
cp_auth_user_find_hash(const struct cp_auth *a, unsigned int tenant,
		       const uint8_t *userhash)
{
	tenant = cp_auth_tix(a, tenant);
	if (a->nusers == 0)
		return NULL;
	for (uint32_t i = a->by_hash[hash_slot(a, userhash)]; i != CP_AUTH_NIL;
	     i = a->users[i].next_hash) {
		const struct cp_auth_user *u = &a->users[i];

		if (u->tenant == tenant &&
		    CRYPTO_memcmp(u->userhash, userhash, STUN_USERHASH_LEN) == 0)
			return u;
	}
	return NULL;
}

/* Derive the keys of name/password for the tenant's realm into u (RFC
 * 8489 §9.2.2: MD5(username ":" realm ":" password), and SHA-256 of the
 * same for PASSWORD-ALGORITHM SHA-256, §18.5.1.2). */
static int
derive(const struct cp_auth *a, unsigned int tenant, const char *name,
       const char *password, struct cp_auth_user *u)
{
	const char *realm = cp_auth_trealm(a, tenant);
	uint8_t key[32];
	int rc;

	rc = stun_key_long_term(STUN_PWALG_MD5, name, realm, password, key);
	if (rc != 16)
		goto fail;
	memcpy(u->key_md5, key, 16);
	rc = stun_key_long_term(STUN_PWALG_SHA256, name, realm, password, key);
	if (rc != 32)
		goto fail;
	memcpy(u->key_sha256, key, 32);
	OPENSSL_cleanse(key, sizeof(key));
	rc = stun_userhash(name, realm, u->userhash);
	return rc < 0 ? rc : 0;
fail:
	OPENSSL_cleanse(key, sizeof(key));
	return rc < 0 ? rc : -EIO;
}

static void
unlink_hash(struct cp_auth *a, uint32_t idx)
{
	uint32_t *pp = &a->by_hash[hash_slot(a, a->users[idx].userhash)];

	while (*pp != CP_AUTH_NIL && *pp != idx)
		pp = &a->users[*pp].next_hash;
	if (*pp == idx)
		*pp = a->users[idx].next_hash;
}

static void
link_hash(struct cp_auth *a, uint32_t idx)
{
	uint32_t *head = &a->by_hash[hash_slot(a, a->users[idx].userhash)];

	a->users[idx].next_hash = *head;
	*head = idx;
}

/* Put tmp (keys and USERHASH set) under name: a new slot or the same
 * name's. */
static int
user_put(struct cp_auth *a, unsigned int tenant, const char *name, size_t len,
	 const struct cp_auth_user *tmp)
{
	struct cp_auth_user *u;
	uint32_t idx, *head;

	idx = find_index(a, tenant, name, len);
	if (idx != CP_AUTH_NIL) {
		/* Replace the keys (a password change); the USERHASH does
		 * not depend on the password but relink for clarity. */
		u = &a->users[idx];
		unlink_hash(a, idx);
		memcpy(u->key_md5, tmp->key_md5, sizeof(u->key_md5));
		memcpy(u->key_sha256, tmp->key_sha256, sizeof(u->key_sha256));
		memcpy(u->userhash, tmp->userhash, sizeof(u->userhash));
		u->has_sha256 = tmp->has_sha256;
		link_hash(a, idx);
		return 0;
	}
	if (a->free_head == CP_AUTH_NIL)
		return -ENOSPC;
	idx = a->free_head;
	a->free_head = a->users[idx].next_name;
	u = &a->users[idx];
	*u = *tmp;
	u->used = 1;
	u->tenant = (uint8_t)tenant;
	u->name_len = (uint16_t)len;
	memcpy(u->name, name, len + 1);
	head = &a->by_name[name_slot(a, name, len)];
	u->next_name = *head;
	*head = idx;
	link_hash(a, idx);
	a->nusers++;
	return 0;
}

int
cp_auth_user_add_in(struct cp_auth *a, unsigned int tenant, const char *name,
		    const char *password)
{
	struct cp_auth_user tmp;
	size_t len;
	int rc;

	if (name == NULL || password == NULL || tenant > a->ntenants)
		return -EINVAL;
	len = strlen(name);
	if (len == 0 || len > CP_AUTH_NAME_MAX)
		return -EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	rc = derive(a, tenant, name, password, &tmp);
	if (rc == 0) {
		tmp.has_sha256 = 1;
		rc = user_put(a, tenant, name, len, &tmp);
	}
	OPENSSL_cleanse(&tmp, sizeof(tmp));
	return rc;
}

int
cp_auth_user_add(struct cp_auth *a, const char *name, const char *password)
{
	return cp_auth_user_add_in(a, 0, name, password);
}

int
cp_auth_user_keys_in(const struct cp_auth *a, unsigned int tenant, const char *name,
		     const char *password, uint8_t md5[16], uint8_t sha256[32])
{
	struct cp_auth_user tmp;
	size_t len;
	int rc;

	if (name == NULL || password == NULL || tenant > a->ntenants)
		return -EINVAL;
	len = strlen(name);
	if (len == 0 || len > CP_AUTH_NAME_MAX)
		return -EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	rc = derive(a, tenant, name, password, &tmp);
	if (rc == 0) {
		memcpy(md5, tmp.key_md5, 16);
		memcpy(sha256, tmp.key_sha256, 32);
	}
	OPENSSL_cleanse(&tmp, sizeof(tmp));
	return rc;
}

int
cp_auth_user_keys(const struct cp_auth *a, const char *name, const char *password,
		  uint8_t md5[16], uint8_t sha256[32])
{
	return cp_auth_user_keys_in(a, 0, name, password, md5, sha256);
}

int
cp_auth_user_add_keys_in(struct cp_auth *a, unsigned int tenant, const char *name,
			 const uint8_t md5[16], const uint8_t *sha256)
{
	struct cp_auth_user tmp;
	size_t len;
	int rc;

	if (name == NULL || md5 == NULL || tenant > a->ntenants)
		return -EINVAL;
	len = strlen(name);
	if (len == 0 || len > CP_AUTH_NAME_MAX)
		return -EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	memcpy(tmp.key_md5, md5, 16);
	if (sha256 != NULL) {
		memcpy(tmp.key_sha256, sha256, 32);
		tmp.has_sha256 = 1;
	}
	/* RFC 8489 §14.4: USERHASH depends on name and realm only. */
	rc = stun_userhash(name, cp_auth_trealm(a, tenant), tmp.userhash);
	if (rc >= 0)
		rc = user_put(a, tenant, name, len, &tmp);
	OPENSSL_cleanse(&tmp, sizeof(tmp));
	return rc < 0 ? rc : 0;
}

int
cp_auth_user_add_keys(struct cp_auth *a, const char *name, const uint8_t md5[16],
		      const uint8_t *sha256)
{
	return cp_auth_user_add_keys_in(a, 0, name, md5, sha256);
}

bool
cp_auth_user_exists_in(const struct cp_auth *a, unsigned int tenant, const char *name)
{
	return name != NULL && tenant <= a->ntenants &&
	       find_index(a, tenant, name, strlen(name)) != CP_AUTH_NIL;
}

bool
cp_auth_user_exists(const struct cp_auth *a, const char *name)
{
	return cp_auth_user_exists_in(a, 0, name);
}

int
cp_auth_user_del_in(struct cp_auth *a, unsigned int tenant, const char *name)
{
	size_t len = name != NULL ? strlen(name) : 0;
	uint32_t *pp, idx;

	if (len == 0 || len > CP_AUTH_NAME_MAX || a->nusers == 0 || tenant > a->ntenants)
		return -ENOENT;
	pp = &a->by_name[name_slot(a, name, len)];
	for (; *pp != CP_AUTH_NIL; pp = &a->users[*pp].next_name) {
		const struct cp_auth_user *u = &a->users[*pp];

		if (u->tenant == tenant && u->name_len == len &&
		    memcmp(u->name, name, len) == 0)
			break;
	}
	if (*pp == CP_AUTH_NIL)
		return -ENOENT;
	idx = *pp;
	*pp = a->users[idx].next_name;
	unlink_hash(a, idx);
	OPENSSL_cleanse(&a->users[idx], sizeof(a->users[idx]));
	a->users[idx].next_name = a->free_head;
	a->users[idx].next_hash = CP_AUTH_NIL;
	a->free_head = idx;
	a->nusers--;
	return 0;
}

int
cp_auth_user_del(struct cp_auth *a, const char *name)
{
	return cp_auth_user_del_in(a, 0, name);
}

uint32_t
cp_auth_user_count(const struct cp_auth *a)
{
	return a->nusers;
}

uint32_t
cp_auth_user_max(const struct cp_auth *a)
{
	return a->max_users;
}

const char *
cp_auth_user_next_in(const struct cp_auth *a, unsigned int tenant, uint32_t *cursor)
{
	while (*cursor < a->max_users) {
		const struct cp_auth_user *u = &a->users[(*cursor)++];

		if (u->used && u->tenant == tenant)
			return u->name;
	}
	return NULL;
}

const char *
cp_auth_user_next(const struct cp_auth *a, uint32_t *cursor)
{
	return cp_auth_user_next_in(a, 0, cursor);
}
