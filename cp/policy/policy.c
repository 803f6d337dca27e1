/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer-address policy (see policy.h for the order of decision). Prefix
 * lists are small arrays scanned linearly: a decision is made per
 * CreatePermission/ChannelBind, not per packet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

struct cls {
	uint8_t family;
	uint8_t plen;
	uint8_t ip[16];
	enum cp_policy_verdict v;
};

/* Class ranges, most specific first where they nest. */
static const struct cls classes[] = {
	{ 4, 8, { 127 }, CP_POLICY_LOOPBACK },
	{ 4, 16, { 169, 254 }, CP_POLICY_LINK_LOCAL },
	{ 4, 32, { 255, 255, 255, 255 }, CP_POLICY_BROADCAST },
	{ 4, 4, { 224 }, CP_POLICY_MULTICAST },
	{ 4, 4, { 240 }, CP_POLICY_RESERVED },
	{ 4, 8, { 10 }, CP_POLICY_PRIVATE },
	{ 4, 12, { 172, 16 }, CP_POLICY_PRIVATE },
	{ 4, 16, { 192, 168 }, CP_POLICY_PRIVATE },
	{ 4, 10, { 100, 64 }, CP_POLICY_PRIVATE },
	{ 6, 128, { [15] = 1 }, CP_POLICY_LOOPBACK },
	{ 6, 10, { 0xfe, 0x80 }, CP_POLICY_LINK_LOCAL },
	{ 6, 8, { 0xff }, CP_POLICY_MULTICAST },
	{ 6, 7, { 0xfc }, CP_POLICY_PRIVATE },
	{ 6, 10, { 0xfe, 0xc0 }, CP_POLICY_PRIVATE },
};

static bool
in_prefix(uint8_t family, const uint8_t *ip, uint8_t pfamily,
	  const uint8_t *pip, uint8_t plen)
{
	unsigned int full = plen / 8u, rest = plen % 8u;

	if (family != pfamily)
		return false;
	if (memcmp(ip, pip, full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xffu << (8 - rest));

		return (ip[full] & m) == (pip[full] & m);
	}
	return true;
}

void
cp_addr_canonical(const struct cp_addr *in, struct cp_addr *out)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	static const uint8_t zero12[12];

	*out = *in;
	if (in->family != 6)
		return;
	/* ::ffff:a.b.c.d, 64:ff9b::a.b.c.d, and ::a.b.c.d (not :: or ::1). */
	if (memcmp(in->ip, mapped, 12) == 0 || memcmp(in->ip, nat64, 12) == 0 ||
	    (memcmp(in->ip, zero12, 12) == 0 &&
	     (in->ip[12] | in->ip[13] | in->ip[14]) != 0)) {
		out->family = 4;
		memset(out->ip, 0, sizeof(out->ip));
		memcpy(out->ip, in->ip + 12, 4);
	}
}

struct cp_policy *
cp_policy_create(void)
{
	return calloc(1, sizeof(struct cp_policy));
}

void
cp_policy_free(struct cp_policy *p)
{
	free(p);
}

static int
parse_prefix(const char *s, struct cp_prefix *out, char *err, size_t errlen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	char *end;
	long len;
	size_t n;

	if (slash == NULL || (n = (size_t)(slash - s)) == 0 || n >= sizeof(buf)) {
		snprintf(err, errlen, "'%s' is not a prefix like \"10.0.0.0/8\"", s);
		return -EINVAL;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->ip) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, buf, out->ip) == 1)
		out->family = 6;
	else {
		snprintf(err, errlen, "'%s': '%s' is not an address", s, buf);
		return -EINVAL;
	}
	len = strtol(slash + 1, &end, 10);
	if (*end != '\0' || slash[1] == '\0' || len < 0 ||
	    len > (out->family == 4 ? 32 : 128)) {
		snprintf(err, errlen, "'%s': bad prefix length", s);
		return -EINVAL;
	}
	out->plen = (uint8_t)len;
	for (unsigned int bit = (unsigned int)len; bit < (out->family == 4 ? 32u : 128u); bit++) {
		if (out->ip[bit / 8] & (0x80u >> (bit % 8))) {
			snprintf(err, errlen, "'%s': host bits are set (did you mean "
				 "the network address?)", s);
			return -EINVAL;
		}
	}
	return 0;
}

static int
add_list(struct cp_prefix *list, unsigned int *n, const char *s, char *err,
	 size_t errlen)
{
	if (*n == CP_POLICY_MAX_PREFIXES) {
		snprintf(err, errlen, "more than %d prefixes", CP_POLICY_MAX_PREFIXES);
		return -ENOSPC;
	}
	if (parse_prefix(s, &list[*n], err, errlen) < 0)
		return -EINVAL;
	(*n)++;
	return 0;
}

int
cp_policy_add_allow(struct cp_policy *p, const char *prefix, char *err,
		    size_t errlen)
{
	return add_list(p->allow, &p->nallow, prefix, err, errlen);
}

int
cp_policy_add_deny(struct cp_policy *p, const char *prefix, char *err,
		   size_t errlen)
{
	return add_list(p->deny, &p->ndeny, prefix, err, errlen);
}

int
cp_policy_add_own(struct cp_policy *p, const struct cp_addr *a)
{
	if (p->nown == CP_POLICY_MAX_OWN)
		return -ENOSPC;
	cp_addr_canonical(a, &p->own[p->nown]);
	p->nown++;
	return 0;
}

static bool
in_list(const struct cp_prefix *list, unsigned int n, const struct cp_addr *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (in_prefix(a->family, a->ip, list[i].family, list[i].ip, list[i].plen))
			return true;
	return false;
}

enum cp_policy_verdict
cp_policy_check(const struct cp_policy *p, const struct cp_addr *peer,
		struct cp_addr *canonical)
{
	static const uint8_t sixtofour[2] = { 0x20, 0x02 };
	static const uint8_t teredo[4] = { 0x20, 0x01, 0x00, 0x00 };
	static const uint8_t zero[16];
	struct cp_addr a;

	cp_addr_canonical(peer, &a);
	if (canonical != NULL)
		*canonical = a;
	if (a.port == 0)
		return CP_POLICY_PORT_ZERO;
	if (memcmp(a.ip, zero, a.family == 4 ? 1 : 16) == 0)
		return CP_POLICY_UNSPECIFIED;   /* 0.0.0.0/8 and :: */
	if (a.family == 6 && memcmp(a.ip, sixtofour, 2) == 0)
		return CP_POLICY_SIXTOFOUR;      /* RFC 8656 §21.4 */
	if (a.family == 6 && memcmp(a.ip, teredo, 4) == 0)
		return CP_POLICY_TEREDO;         /* RFC 8656 §21.4 */
	if (in_list(p->deny, p->ndeny, &a))
		return CP_POLICY_DENY_LIST;
	for (unsigned int i = 0; i < p->nown; i++)
		if (p->own[i].family == a.family &&
		    memcmp(p->own[i].ip, a.ip, a.family == 4 ? 4 : 16) == 0)
			return CP_POLICY_OWN_ADDRESS;
	if (in_list(p->allow, p->nallow, &a))
		return CP_POLICY_ACCEPT;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		const struct cls *c = &classes[i];

		if (!in_prefix(a.family, a.ip, c->family, c->ip, c->plen))
			continue;
		switch (c->v) {
		case CP_POLICY_LOOPBACK:
			return p->allow_loopback ? CP_POLICY_ACCEPT : c->v;
		case CP_POLICY_LINK_LOCAL:
			return p->allow_link_local ? CP_POLICY_ACCEPT : c->v;
		case CP_POLICY_MULTICAST:
			return p->allow_multicast ? CP_POLICY_ACCEPT : c->v;
		case CP_POLICY_PRIVATE:
			return p->allow_private ? CP_POLICY_ACCEPT : c->v;
		default:
			return c->v;
		}
	}
	return CP_POLICY_ACCEPT;
}

const char *
cp_policy_verdict_name(enum cp_policy_verdict v)
{
	static const char *const names[CP_POLICY__COUNT] = {
#define X(e, n) [CP_POLICY_##e] = n,
		CP_POLICY_VERDICTS(X)
#undef X
	};

	return (unsigned int)v < CP_POLICY__COUNT ? names[v] : "?";
}
