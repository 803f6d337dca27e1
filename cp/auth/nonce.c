/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's nonces (RFC 8489 §9.2, §18.1; RFC 8656 §5): lib/nonce's, made with
 * the key cp_auth_init() drew and bound to the client's transport address
 * and transport. dp makes and checks the same nonces with a copy of that
 * key (cp publishes it in the shared segment before it says it is ready:
 * cp_auth_nonce_export()), so a nonce dp put in a 401 verifies here, and
 * the reverse.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "auth_priv.h"
#include "nonce.h"

uint32_t
cp_auth_features(const struct cp_auth *a)
{
	return a->nonce.features;
}

const struct nonce_ctx *
cp_auth_nonce_ctx(const struct cp_auth *a)
{
	return &a->nonce;
}

void
cp_auth_nonce_export(const struct cp_auth *a, struct ipc_nonce *out)
{
	const struct nonce_ctx *nc = &a->nonce;

	_Static_assert(IPC_NONCE_KEY_LEN == NONCE_KEY_LEN, "nonce key length");
	_Static_assert(IPC_NONCE_STR_MAX > NONCE_REALM_MAX &&
		       IPC_NONCE_STR_MAX > NONCE_SOFTWARE_MAX, "nonce strings");
	memset(out, 0, sizeof(*out));
	memcpy(out->key, nc->key, sizeof(out->key));
	out->features = nc->features;
	out->lifetime_s = nc->lifetime_s;
	out->realm_len = nc->realm_len;
	memcpy(out->realm, nc->realm, nc->realm_len);
	_Static_assert(IPC_OAUTH_NAME_MAX > NONCE_SERVER_NAME_MAX, "server name");
	out->oauth_name_len = nc->server_name_len;
	memcpy(out->oauth_name, nc->server_name, nc->server_name_len);
	out->has_software = nc->has_software;
	out->software_len = nc->software_len;
	memcpy(out->software, nc->software, nc->software_len);
	/* the tenants' realms; dp derives their keys from the one above */
	_Static_assert(IPC_TENANTS_MAX == CP_AUTH_TENANTS_MAX, "tenant indices");
	out->ntenants = a->ntenants;
	for (uint32_t i = 0; i < a->ntenants; i++) {
		out->tenant[i].len = a->tnonce[i].realm_len;
		memcpy(out->tenant[i].realm, a->tnonce[i].realm, a->tnonce[i].realm_len);
	}
}

/* Key nc with key as it is (its realm, SOFTWARE, features and lifetime
 * kept). */
static int
rekey(struct nonce_ctx *nc, const uint8_t key[NONCE_KEY_LEN])
{
	static char realm[NONCE_REALM_MAX + 1], software[NONCE_SOFTWARE_MAX + 1];
	size_t rlen = nc->realm_len, slen = nc->software_len;

	memcpy(realm, nc->realm, rlen);
	memcpy(software, nc->software, slen);
	return nonce_ctx_set(nc, key, nc->features, nc->lifetime_s, realm, rlen,
			     nc->has_software ? software : NULL, slen);
}

int
cp_auth_tenant_nonces_key(struct cp_auth *a)
{
	uint8_t k[NONCE_KEY_LEN];
	int rc = 0;

	for (uint32_t i = 0; i < a->ntenants && rc == 0; i++) {
		rc = nonce_tenant_key(a->nonce.key, i + 1, k);
		if (rc == 0)
			rc = rekey(&a->tnonce[i], k);
	}
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int
cp_auth_nonce_adopt(struct cp_auth *a, const struct ipc_nonce *prev)
{
	struct nonce_ctx *nc = &a->nonce;
	int rc;

	if (!nc->keyed || prev->lifetime_s != nc->lifetime_s ||
	    prev->features != nc->features || prev->realm_len != nc->realm_len ||
	    memcmp(prev->realm, nc->realm, nc->realm_len) != 0)
		return -EINVAL;
	/* The tenants' nonces are keyed by index: the previous cp's are good
	 * here only when the same index is the same tenant (its realm). */
	if (prev->ntenants != a->ntenants)
		return -EINVAL;
	for (uint32_t i = 0; i < a->ntenants; i++)
		if (prev->tenant[i].len != a->tnonce[i].realm_len ||
		    memcmp(prev->tenant[i].realm, a->tnonce[i].realm, prev->tenant[i].len) != 0)
			return -EINVAL;
	rc = rekey(nc, prev->key);
	if (rc == 0)
		rc = cp_auth_tenant_nonces_key(a);
	return rc < 0 ? rc : 0;
}

int
cp_auth_nonce_make(struct cp_auth *a, const struct cp_auth_peer *from,
		   uint64_t now_s, char *out)
{
	return nonce_make(cp_auth_nc(a, from->tenant), &from->addr, from->transport, now_s,
			  out);
}

enum cp_auth_nonce_state
cp_auth_nonce_check(struct cp_auth *a, const uint8_t *nonce, size_t len,
		    const struct cp_auth_peer *from, uint64_t now_s,
		    uint32_t *features)
{
	return (enum cp_auth_nonce_state)nonce_check(cp_auth_nc(a, from->tenant), nonce, len,
						     &from->addr, from->transport,
						     now_s, features, NULL);
}
