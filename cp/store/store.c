/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/store: the calls through a store's ops table, and the hex coding of
 * keys (lower case, as coturn's turnadmin writes hmackey).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store.h"

void
cp_store_close(struct cp_store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

int
cp_store_user_get(struct cp_store *s, const char *name, struct cp_store_user *out)
{
	return s->ops->user_get(s, name, out);
}

int
cp_store_user_list(struct cp_store *s, cp_store_user_fn fn, void *arg)
{
	return s->ops->user_list(s, fn, arg);
}

int
cp_store_user_put(struct cp_store *s, const struct cp_store_user *u, unsigned int n)
{
	return s->ops->user_put(s, u, n);
}

int
cp_store_user_del(struct cp_store *s, const char *name)
{
	return s->ops->user_del(s, name);
}

int
cp_store_secret_list(struct cp_store *s, cp_store_secret_fn fn, void *arg)
{
	return s->ops->secret_list(s, fn, arg);
}

int
cp_store_secret_add(struct cp_store *s, const char *secret, unsigned int alg)
{
	return s->ops->secret_add(s, secret, alg);
}

int
cp_store_secret_del(struct cp_store *s, const char *secret)
{
	return s->ops->secret_del(s, secret);
}

int
cp_store_psk_list(struct cp_store *s, cp_store_psk_fn fn, void *arg)
{
	return s->ops->psk_list(s, fn, arg);
}

int
cp_store_psk_put(struct cp_store *s, const struct cp_store_psk *p)
{
	return s->ops->psk_put(s, p);
}

int
cp_store_psk_del(struct cp_store *s, const char *id)
{
	return s->ops->psk_del(s, id);
}

void
cp_store_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cp_store_unhex(const char *in, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(in[2 * i]), lo;

		if (hi < 0)
			return -EINVAL;
		lo = nibble(in[2 * i + 1]);
		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return in[2 * n] == '\0' ? 0 : -EINVAL;
}

void
cp_store_scope(struct cp_store *s, const char *realm)
{
	if (s == NULL)
		return;
	if (realm == NULL) {
		if (s->scoped)
			memcpy(s->realm, s->home_realm, sizeof(s->realm));
		s->scoped = false;
		return;
	}
	if (!s->scoped)
		memcpy(s->home_realm, s->realm, sizeof(s->realm));
	s->scoped = true;
	snprintf(s->realm, sizeof(s->realm), "%s", realm);
}
