/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: what is read from Redis, checked before it is believed.
 * Redis is shared with every other box (and whoever else can reach it):
 * a field of the wrong length, a number with trailing bytes, an address
 * of the wrong family, a name with bytes that are not a name are refused
 * (counted by the caller as bad_entries), never truncated into something
 * that looks right. No hiredis here: the unit tests call these directly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "store.h"
#include "tp_conf.h"

int
cl_parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10u + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* NS:users: name -> "MD5HEX" (an imported coturn user) or
 * "MD5HEX:SHA256HEX". */
int
cl_parse_user(const char *name, size_t nlen, const char *val, size_t vlen,
	      uint8_t md5[16], uint8_t sha256[32], int *has_sha256)
{
	char buf[32 + 1 + 64 + 1];

	if (nlen == 0 || nlen > CP_STORE_NAME_MAX || memchr(name, '\0', nlen) != NULL)
		return -EINVAL;
	if (vlen != 32 && vlen != 32 + 1 + 64)
		return -EINVAL;
	memcpy(buf, val, vlen);
	buf[vlen] = '\0';
	if (vlen > 32) {
		if (buf[32] != ':')
			return -EINVAL;
		buf[32] = '\0';
		if (cp_store_unhex(buf + 33, sha256, 32) < 0)
			return -EINVAL;
	}
	if (cp_store_unhex(buf, md5, 16) < 0)
		return -EINVAL;
	*has_sha256 = vlen > 32;
	return 0;
}

/* One address field of a box: "IP:PORT" of the family its key says. */
static int
parse_addr(const char *v, size_t len, int family, struct stun_addr *a)
{
	char buf[64];

	if (len == 0 || len >= sizeof(buf) || memchr(v, '\0', len) != NULL)
		return -EINVAL;
	const char *h = buf, *colon;
	uint32_t port;

	memcpy(buf, v, len);
	buf[len] = '\0';
	if (tp_conf_hostport_family(buf) != family)
		return -EINVAL;
	/* checked whole above: "[v6]:port" or "v4:port" */
	colon = strrchr(buf, ':');
	if (cl_parse_u32(colon + 1, strlen(colon + 1), &port) < 0)
		return -EINVAL;
	if (family == 6) {
		h = buf + 1;
		buf[colon - buf - 1] = '\0';    /* the ']' */
	} else {
		buf[colon - buf] = '\0';
	}
	memset(a, 0, sizeof(*a));
	a->family = family == 4 ? STUN_AF_IPV4 : STUN_AF_IPV6;
	a->port = (uint16_t)port;
	return inet_pton(family == 4 ? AF_INET : AF_INET6, h, a->ip) == 1 ? 0 : -EINVAL;
}

/* NS:box:B as HGETALL gives it (n strings, name then value). Fields not
 * listed here are ignored (a newer turnpike may add some); the ones
 * listed must be well formed. */
int
cl_parse_box(const char *name, size_t nlen, const char *const *kv, const size_t *kvlen,
	     size_t n, struct cl_box *out)
{
	bool have_allocs = false, have_cap = false;

	memset(out, 0, sizeof(*out));
	if (nlen == 0 || nlen > TP_CONF_CLUSTER_NAME_MAX || n % 2 != 0)
		return -EINVAL;
	memcpy(out->name, name, nlen);
	out->name[nlen] = '\0';
	if (strlen(out->name) != nlen || !tp_conf_cluster_name_ok(out->name))
		return -EINVAL;
	for (size_t i = 0; i + 1 < n; i += 2) {
		const char *k = kv[i], *v = kv[i + 1];
		size_t kl = kvlen[i], vl = kvlen[i + 1];

#define KEY(s) (kl == sizeof(s) - 1 && memcmp(k, s, kl) == 0)
		if (KEY("v4")) {
			if (parse_addr(v, vl, 4, &out->v4) < 0)
				return -EINVAL;
			out->has_v4 = true;
		} else if (KEY("v6")) {
			if (parse_addr(v, vl, 6, &out->v6) < 0)
				return -EINVAL;
			out->has_v6 = true;
		} else if (KEY("allocs")) {
			if (cl_parse_u32(v, vl, &out->allocs) < 0)
				return -EINVAL;
			have_allocs = true;
		} else if (KEY("capacity")) {
			if (cl_parse_u32(v, vl, &out->capacity) < 0 || out->capacity == 0)
				return -EINVAL;
			have_cap = true;
		} else if (KEY("draining")) {
			if (vl != 1 || (v[0] != '0' && v[0] != '1'))
				return -EINVAL;
			out->draining = v[0] == '1';
		}
#undef KEY
	}
	return have_allocs && have_cap ? 0 : -EINVAL;
}

const struct cl_box *
cl_pick_box(const struct cl_box *boxes, unsigned int n, const char *self, int family)
{
	const struct cl_box *best = NULL;

	for (unsigned int i = 0; i < n; i++) {
		const struct cl_box *b = &boxes[i];

		if (strcmp(b->name, self) == 0 || b->draining || b->allocs >= b->capacity ||
		    !(family == 4 ? b->has_v4 : b->has_v6))
			continue;
		/* allocs / capacity compared without division */
		if (best == NULL ||
		    (uint64_t)b->allocs * best->capacity < (uint64_t)best->allocs * b->capacity ||
		    ((uint64_t)b->allocs * best->capacity ==
		     (uint64_t)best->allocs * b->capacity && strcmp(b->name, best->name) < 0))
			best = b;
	}
	return best;
}


/* NS:psks: identity -> "CCCC:HEX" (the TLS 1.3 suite, 1301..1303, and
 * the key, 16..64 bytes), as rs_psk_put() writes it. The identity as
 * cp_tls_psk_id_ok() wants it: 1..128 printable ASCII, no space. */
int
cl_parse_psk(const char *id, size_t idlen, const char *val, size_t vlen,
	     struct cp_store_psk *out)
{
	char hex[4 + 1 + 2 * CP_STORE_PSK_KEY_MAX + 1];
	size_t klen;

	if (idlen == 0 || idlen > CP_STORE_PSK_ID_MAX)
		return -EINVAL;
	for (size_t i = 0; i < idlen; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
			return -EINVAL;
	if (vlen < 5 + 2 * 16 || vlen > 5 + 2 * CP_STORE_PSK_KEY_MAX || (vlen - 5) % 2 != 0 ||
	    val[4] != ':' || val[0] != '1' || val[1] != '3' || val[2] != '0' ||
	    val[3] < '1' || val[3] > '3')
		return -EINVAL;
	klen = (vlen - 5) / 2;
	memcpy(hex, val + 5, vlen - 5);
	hex[vlen - 5] = '\0';
	memset(out, 0, sizeof(*out));
	if (cp_store_unhex(hex, out->key, klen) < 0) {
		memset(hex, 0, sizeof(hex));
		return -EINVAL;
	}
	memset(hex, 0, sizeof(hex));
	memcpy(out->id, id, idlen);
	out->id[idlen] = '\0';
	out->key_len = (uint16_t)klen;
	out->cipher = (uint16_t)(0x1300 + (val[3] - '0'));
	return 0;
}

/* "NS:what" and name, the default tenant's (tenant NULL: the keys as they
 * were before tenants, so a cluster's data keeps working), or a tenant's
 * "NS:t:TENANT:what" and name (tenant names are [A-Za-z0-9._-]: no ':',
 * no glob byte, so no tenant's key is another's). */
int
cl_tkey(char *out, size_t size, const char *ns, const char *tenant, const char *what,
	const char *name, size_t nlen)
{
	int n = tenant == NULL ? snprintf(out, size, "%s:%s", ns, what) :
				 snprintf(out, size, "%s:t:%s:%s", ns, tenant, what);

	if (n < 0 || (size_t)n + nlen + 1 > size)
		return -ENAMETOOLONG;
	memcpy(out + n, name, nlen);
	out[n + (int)nlen] = '\0';
	return n + (int)nlen;
}

bool
cl_tenant_name_ok(const char *s, size_t len)
{
	char v[TP_CONF_TENANT_NAME_MAX + 1];

	if (len == 0 || len > TP_CONF_TENANT_NAME_MAX || memchr(s, '\0', len) != NULL)
		return false;
	memcpy(v, s, len);
	v[len] = '\0';
	return tp_conf_cluster_name_ok(v) && strcmp(v, "default") != 0;
}

/*
 * A message on NS:events: "u NAME" (a default tenant's user changed or
 * went), "s" (its secrets changed), "p ID" (a TLS PSK identity), and a
 * tenant's "U TENANT NAME" and "S TENANT". Names 1..CP_STORE_NAME_MAX
 * bytes (PSK ids CP_STORE_PSK_ID_MAX) without NUL (a name may hold a
 * space: it is what follows the tenant's), tenants as the configuration
 * takes them. -EINVAL for anything else.
 */
int
cl_parse_event(const char *msg, size_t len, struct cl_event *ev)
{
	const char *sp;
	size_t tlen;

	memset(ev, 0, sizeof(*ev));
	if (len == 0 || memchr(msg, '\0', len) != NULL)
		return -EINVAL;
	if (len == 1 && msg[0] == 's') {
		ev->kind = CL_EV_SECRETS;
		return 0;
	}
	if (len < 3 || msg[1] != ' ')
		return -EINVAL;
	switch (msg[0]) {
	case 'u':
	case 'p':
		if (len - 2 > (msg[0] == 'u' ? CP_STORE_NAME_MAX : CP_STORE_PSK_ID_MAX))
			return -EINVAL;
		ev->kind = msg[0] == 'u' ? CL_EV_USER : CL_EV_PSK;
		ev->name = msg + 2;
		ev->nlen = len - 2;
		return 0;
	case 'S':
		tlen = len - 2;
		if (!cl_tenant_name_ok(msg + 2, tlen))
			return -EINVAL;
		ev->kind = CL_EV_SECRETS;
		break;
	case 'U':
		sp = memchr(msg + 2, ' ', len - 2);
		if (sp == NULL)
			return -EINVAL;
		tlen = (size_t)(sp - (msg + 2));
		ev->name = sp + 1;
		ev->nlen = len - (size_t)(ev->name - msg);
		if (!cl_tenant_name_ok(msg + 2, tlen) || ev->nlen == 0 ||
		    ev->nlen > CP_STORE_NAME_MAX)
			return -EINVAL;
		ev->kind = CL_EV_USER;
		break;
	default:
		return -EINVAL;
	}
	memcpy(ev->tenant, msg + 2, tlen);
	ev->tenant[tlen] = '\0';
	return 0;
}
