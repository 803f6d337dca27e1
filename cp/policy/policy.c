/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer-address policy: canonical forms, the operator's prefix lists and
 * the decision itself (its order is documented in policy.h). The lists are
 * small arrays scanned linearly: cp decides once per CreatePermission or
 * ChannelBind, never per packet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tp_common.h"

/* RFC 4291 §2.5.5.2: ::ffff:0:0/96. */
static const uint8_t v4mapped_96[12] = { [10] = 0xff, [11] = 0xff };
/* RFC 6052 §2.1: the NAT64 well-known prefix 64:ff9b::/96. */
static const uint8_t nat64_96[12] = { 0x00, 0x64, 0xff, 0x9b };
static const uint8_t zero16[16];

/* A range of addresses that share a verdict. */
struct cls {
	uint8_t family;
	uint8_t plen;
	uint8_t ip[16];
	enum cp_policy_verdict v;
};

/* RFC 8656 §21.4: never, whatever the operator lists. */
static const struct cls tunnels[] = {
	{ 6, 16, { 0x20, 0x02 }, CP_POLICY_SIXTOFOUR },		/* RFC 3056 */
	{ 6, 32, { 0x20, 0x01, 0x00, 0x00 }, CP_POLICY_TEREDO },	/* RFC 4380 */
};

/* Step 6, in the order policy.h gives. The broadcast address sits inside
 * 240/4: it comes first to be named. */
static const struct cls classes[] = {
	{ 4, 8, { 127 }, CP_POLICY_LOOPBACK },			/* RFC 1122 §3.2.1.3 */
	{ 6, 128, { [15] = 1 }, CP_POLICY_LOOPBACK },		/* RFC 4291 §2.5.3 */
	{ 4, 16, { 169, 254 }, CP_POLICY_LINK_LOCAL },		/* RFC 3927 */
	{ 6, 10, { 0xfe, 0x80 }, CP_POLICY_LINK_LOCAL },	/* RFC 4291 §2.5.6 */
	{ 6, 10, { 0xfe, 0xc0 }, CP_POLICY_SITE_LOCAL },	/* RFC 3879 */
	{ 4, 4, { 224 }, CP_POLICY_MULTICAST },			/* RFC 5771 */
	{ 6, 8, { 0xff }, CP_POLICY_MULTICAST },		/* RFC 4291 §2.7 */
	{ 4, 32, { 255, 255, 255, 255 }, CP_POLICY_BROADCAST },	/* RFC 919 §7 */
	{ 4, 4, { 240 }, CP_POLICY_RESERVED },			/* RFC 1112 §4 */
	{ 4, 8, { 10 }, CP_POLICY_PRIVATE },			/* RFC 1918 §3 */
	{ 4, 12, { 172, 16 }, CP_POLICY_PRIVATE },		/* RFC 1918 §3 */
	{ 4, 16, { 192, 168 }, CP_POLICY_PRIVATE },		/* RFC 1918 §3 */
	{ 4, 10, { 100, 64 }, CP_POLICY_PRIVATE },		/* RFC 6598 */
	{ 6, 7, { 0xfc }, CP_POLICY_PRIVATE },			/* RFC 4193 */
};

static void __attribute__((format(printf, 3, 4)))
say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static unsigned int
ip_len(uint8_t family)
{
	return family == 4 ? 4u : 16u;
}

static bool
in_prefix(const struct cp_addr *a, uint8_t family, const uint8_t *pip,
	  uint8_t plen)
{
	unsigned int full = plen / 8u, rest = plen % 8u;

	if (a->family != family)
		return false;
	if (memcmp(a->ip, pip, full) != 0)
		return false;
	if (rest != 0) {
		uint8_t m = (uint8_t)(0xffu << (8u - rest));

		return (a->ip[full] & m) == (pip[full] & m);
	}
	return true;
}

static bool
in_cls(const struct cp_addr *a, const struct cls *c)
{
	return in_prefix(a, c->family, c->ip, c->plen);
}

static bool
same_ip(const struct cp_addr *a, const struct cp_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->ip, b->ip, ip_len(a->family)) == 0;
}

void
cp_addr_canonical(const struct cp_addr *in, struct cp_addr *out)
{
	struct cp_addr t = *in;

	if (t.family == 6 && memcmp(t.ip, v4mapped_96, 12) == 0) {
		/* RFC 4291 §2.5.5.2: the IPv4 node behind the mapped form. */
		t.family = 4;
		memmove(t.ip, t.ip + 12, 4);
	}
	if (t.family == 4)
		memset(t.ip + 4, 0, 12);
	*out = t;
}

bool
cp_addr_same_ip(const struct cp_addr *a, const struct cp_addr *b)
{
	struct cp_addr ca, cb;

	cp_addr_canonical(a, &ca);
	cp_addr_canonical(b, &cb);
	if (ca.family != 4 && ca.family != 6)
		return false;
	return same_ip(&ca, &cb);
}

/*
 * The address the rules judge: a canonical IPv4-compatible ::a.b.c.d
 * (RFC 4291 §2.5.5.1; :: and ::1 are not) or NAT64 64:ff9b::a.b.c.d
 * (RFC 6052 §2.1) is judged as a.b.c.d; anything else as itself.
 */
static void
judged_form(const struct cp_addr *c, struct cp_addr *j)
{
	*j = *c;
	if (c->family != 6)
		return;
	if (memcmp(c->ip, nat64_96, 12) == 0 ||
	    (memcmp(c->ip, zero16, 12) == 0 &&
	     (c->ip[12] | c->ip[13] | c->ip[14] | (c->ip[15] & 0xfe)) != 0)) {
		j->family = 4;
		memset(j->ip, 0, sizeof(j->ip));
		memcpy(j->ip, c->ip + 12, 4);
	}
}

/* ---- lists ------------------------------------------------------------- */

static int
parse_len(const char *s, unsigned int max, unsigned int *len)
{
	unsigned int v = 0, n = 0;

	for (; *s != '\0'; s++, n++) {
		if (*s < '0' || *s > '9' || n == 3)
			return -EINVAL;
		v = v * 10u + (unsigned int)(*s - '0');
	}
	if (n == 0 || v > max)
		return -EINVAL;
	*len = v;
	return 0;
}

static int
parse_prefix(const char *s, struct cp_prefix *out, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash;
	unsigned int len, bits;
	size_t n;

	if (s == NULL) {
		say(err, errlen, "no prefix given");
		return -EINVAL;
	}
	slash = strchr(s, '/');
	if (slash == NULL) {
		say(err, errlen, "'%s' has no prefix length (write it like "
		    "\"10.0.0.0/8\" or \"fd00::/8\")", s);
		return -EINVAL;
	}
	n = (size_t)(slash - s);
	memset(out, 0, sizeof(*out));
	if (n > 0 && n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (memchr(buf, ':', n) == NULL) {
			if (inet_pton(AF_INET, buf, out->ip) == 1)
				out->family = 4;
		} else if (inet_pton(AF_INET6, buf, out->ip) == 1) {
			out->family = 6;
		}
	}
	if (out->family == 0) {
		say(err, errlen, "'%s': '%.*s' is not an IPv4 or IPv6 address",
		    s, (int)n, s);
		return -EINVAL;
	}
	bits = ip_len(out->family) * 8u;
	if (parse_len(slash + 1, bits, &len) < 0) {
		say(err, errlen, "'%s': the prefix length must be 0..%u", s, bits);
		return -EINVAL;
	}
	out->plen = (uint8_t)len;
	for (unsigned int b = len; b < bits; b++) {
		if ((out->ip[b / 8u] & (0x80u >> (b % 8u))) == 0)
			continue;
		/* Host bits set: the operator meant another network, or a
		 * host; refuse rather than guess which. */
		for (b = len; b < bits; b++)
			out->ip[b / 8u] &= (uint8_t)~(0x80u >> (b % 8u));
		if (inet_ntop(out->family == 4 ? AF_INET : AF_INET6, out->ip,
			      buf, sizeof(buf)) == NULL)
			buf[0] = '\0';
		say(err, errlen, "'%s': host bits are set (the network is "
		    "%s/%u)", s, buf, len);
		return -EINVAL;
	}
	/* A prefix inside ::ffff:0:0/96 would never match a canonical peer:
	 * store the IPv4 prefix it means. */
	if (out->family == 6 && len >= 96 &&
	    memcmp(out->ip, v4mapped_96, 12) == 0) {
		out->family = 4;
		out->plen = (uint8_t)(len - 96u);
		memmove(out->ip, out->ip + 12, 4);
		memset(out->ip + 4, 0, 12);
	}
	return 0;
}

static int
add_list(struct cp_prefix *list, unsigned int *n, const char *s, char *err,
	 size_t errlen)
{
	struct cp_prefix e;
	int rc;

	rc = parse_prefix(s, &e, err, errlen);
	if (rc < 0)
		return rc;
	if (*n == CP_POLICY_MAX_PREFIXES) {
		say(err, errlen, "'%s': the list is full (%d prefixes)", s,
		    CP_POLICY_MAX_PREFIXES);
		return -ENOSPC;
	}
	list[(*n)++] = e;
	return 0;
}

static bool
in_list(const struct cp_prefix *list, unsigned int n, const struct cp_addr *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (in_prefix(a, list[i].family, list[i].ip, list[i].plen))
			return true;
	return false;
}

int
cp_prefix_parse(const char *s, struct cp_prefix *out, char *err, size_t errlen)
{
	return parse_prefix(s, out, err, errlen);
}

bool
cp_prefix_list_has(const struct cp_prefix *list, unsigned int n,
		   const struct cp_addr *a)
{
	struct cp_addr c;

	cp_addr_canonical(a, &c);
	return in_list(list, n, &c);
}

struct cp_policy *
cp_policy_create(void)
{
	struct cp_policy *p = malloc(sizeof(*p));

	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	cp_policy_init(p);
	return p;
}

void
cp_policy_free(struct cp_policy *p)
{
	free(p);
}

void
cp_policy_init(struct cp_policy *p)
{
	memset(p, 0, sizeof(*p));
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

static int
add_own(struct cp_policy *p, const struct cp_addr *a, bool relayed)
{
	struct cp_addr c;

	if (a == NULL || (a->family != 4 && a->family != 6))
		return -EINVAL;
	if (p->nown == CP_POLICY_MAX_OWN)
		return -ENOSPC;
	cp_addr_canonical(a, &c);
	c.port = 0;
	p->own_relayed[p->nown] = relayed;
	p->own[p->nown++] = c;
	return 0;
}

int
cp_policy_add_own(struct cp_policy *p, const struct cp_addr *a)
{
	return add_own(p, a, false);
}

int
cp_policy_add_own_relayed(struct cp_policy *p, const struct cp_addr *a)
{
	return add_own(p, a, true);
}

int
cp_policy_add_own_tenant(struct cp_policy *p, const struct cp_addr *a)
{
	struct cp_addr c;

	if (a == NULL || (a->family != 4 && a->family != 6))
		return -EINVAL;
	if (p->ntenant_own == CP_POLICY_MAX_TENANT_OWN)
		return -ENOSPC;
	cp_addr_canonical(a, &c);
	c.port = 0;
	p->tenant_own[p->ntenant_own++] = c;
	return 0;
}

int
cp_policy_add_own_subnet(struct cp_policy *p, const struct cp_addr *a,
			 unsigned int plen)
{
	struct cp_prefix *e;
	struct cp_addr c;

	if (a == NULL || (a->family != 4 && a->family != 6))
		return -EINVAL;
	cp_addr_canonical(a, &c);
	/* (a mapped address's IPv6 length: the IPv4 subnet's plus 96) */
	if (a->family == 6 && c.family == 4) {
		if (plen < 96)
			return -EINVAL;
		plen -= 96;
	}
	if (plen > ip_len(c.family) * 8u)
		return -EINVAL;
	if (p->nsubnet == CP_POLICY_MAX_SUBNETS)
		return -ENOSPC;
	e = &p->subnet[p->nsubnet++];
	memset(e, 0, sizeof(*e));
	e->family = c.family;
	e->plen = (uint8_t)plen;
	for (unsigned int b = 0; b < plen; b++)
		e->ip[b / 8u] |= (uint8_t)(c.ip[b / 8u] & (0x80u >> (b % 8u)));
	return 0;
}

/* ---- the decision (order: policy.h) ------------------------------------ */

/* Whether bits [from, to) of ip are all one (ones) or all zero. */
static bool
bits_all(const uint8_t *ip, unsigned int from, unsigned int to, bool ones)
{
	for (unsigned int b = from; b < to; b++)
		if (((ip[b / 8u] & (0x80u >> (b % 8u))) != 0) != ones)
			return false;
	return true;
}

/* RFC 2526 §2: a reserved subnet anycast address's interface identifier
 * where that is the low 64 bits in EUI-64 form: 57 bits 1111110111...1
 * (the universal/local bit 0), then a 7-bit anycast ID; the first 7 of its
 * octets, the eighth's top bit set. */
static const uint8_t rfc2526_iid[7] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* The verdict a's place in one of our subnets gives it: a subnet's
 * broadcast or anycast address, or CP_POLICY_ACCEPT (which addresses and
 * why: cp_policy_add_own_subnet()). */
static enum cp_policy_verdict
subnet_special(const struct cp_prefix *n, const struct cp_addr *a)
{
	unsigned int bits = ip_len(n->family) * 8u;

	if (!in_prefix(a, n->family, n->ip, n->plen) || n->plen + 2u > bits)
		return CP_POLICY_ACCEPT;	/* (a /31, /32, /127, /128: hosts only) */
	if (n->family == 4) {
		if (bits_all(a->ip, n->plen, bits, false) || bits_all(a->ip, n->plen, bits, true))
			return CP_POLICY_SUBNET_BROADCAST;
		return CP_POLICY_ACCEPT;
	}
	if (bits_all(a->ip, n->plen, bits, false))
		return CP_POLICY_SUBNET_ANYCAST;	/* Subnet-Router */
	if (n->plen <= 64) {
		if (memcmp(a->ip + 8, rfc2526_iid, sizeof(rfc2526_iid)) == 0 &&
		    (a->ip[15] & 0x80) != 0)
			return CP_POLICY_SUBNET_ANYCAST;
	} else if (n->plen <= 120 && bits_all(a->ip, n->plen, 121, true)) {
		return CP_POLICY_SUBNET_ANYCAST;	/* the subnet's top 128 */
	}
	return CP_POLICY_ACCEPT;
}

/* The first of our subnets' special addresses c or j is, or
 * CP_POLICY_ACCEPT. */
static enum cp_policy_verdict
is_subnet_special(const struct cp_policy *p, const struct cp_addr *c,
		  const struct cp_addr *j)
{
	enum cp_policy_verdict v;

	for (unsigned int i = 0; i < p->nsubnet; i++) {
		v = subnet_special(&p->subnet[i], c);
		if (v == CP_POLICY_ACCEPT)
			v = subnet_special(&p->subnet[i], j);
		if (v != CP_POLICY_ACCEPT)
			return v;
	}
	return CP_POLICY_ACCEPT;
}

static bool
class_allowed(const struct cp_policy *p, enum cp_policy_verdict v)
{
	switch (v) {
	case CP_POLICY_LOOPBACK:
		return p->allow_loopback;
	case CP_POLICY_LINK_LOCAL:
		return p->allow_link_local;
	case CP_POLICY_SITE_LOCAL:
	case CP_POLICY_PRIVATE:
		return p->allow_private;
	case CP_POLICY_MULTICAST:
		return p->allow_multicast;
	default:
		return false;
	}
}

/* 0: not ours; CP_POLICY_OWN_ADDRESS; CP_POLICY_OWN_RELAYED when any
 * entry that matches is a relayed address. */
static enum cp_policy_verdict
is_own(const struct cp_policy *p, const struct cp_addr *c,
       const struct cp_addr *j)
{
	enum cp_policy_verdict v = CP_POLICY_ACCEPT;

	for (unsigned int i = 0; i < p->nown; i++)
		if (same_ip(&p->own[i], c) || same_ip(&p->own[i], j)) {
			if (p->own_relayed[i])
				return CP_POLICY_OWN_RELAYED;
			v = CP_POLICY_OWN_ADDRESS;
		}
	for (unsigned int i = 0; i < p->ntenant_own && v == CP_POLICY_ACCEPT; i++)
		if (same_ip(&p->tenant_own[i], c) || same_ip(&p->tenant_own[i], j))
			v = CP_POLICY_OWN_ADDRESS;
	return v;
}

enum cp_policy_verdict
cp_policy_check(const struct cp_policy *p, const struct cp_addr *peer,
		struct cp_addr *canonical)
{
	struct cp_addr c, j;
	enum cp_policy_verdict v;

	if (peer == NULL)
		return CP_POLICY_INVALID;
	/* 1. canonical form, and the form the rules judge. */
	cp_addr_canonical(peer, &c);
	if (canonical != NULL)
		*canonical = c;
	if (c.family != 4 && c.family != 6)
		return CP_POLICY_INVALID;
	judged_form(&c, &j);

	/* 2. always refused: RFC 8656 §21.4 MUST NOT, then the addresses
	 * and port that name no peer at all. */
	for (size_t i = 0; i < TP_ARRAY_SIZE(tunnels); i++)
		if (in_cls(&c, &tunnels[i]))
			return tunnels[i].v;
	if (memcmp(j.ip, zero16, j.family == 4 ? 1 : 16) == 0)
		return CP_POLICY_UNSPECIFIED;	/* 0.0.0.0/8, :: */
	if (c.port == 0)
		return CP_POLICY_PORT_ZERO;

	/* 3. the operator's deny list; either form may match. */
	if (in_list(p->deny, p->ndeny, &c) || in_list(p->deny, p->ndeny, &j))
		return CP_POLICY_DENY_LIST;
	/* 4. never ourselves: a broad allow prefix usually covers the
	 * relay's own network (conf/demo.conf does). */
	v = is_own(p, &c, &j);
	if (v != CP_POLICY_ACCEPT)
		return v;
	/* ... nor our links' broadcast and anycast addresses, which the
	 * same prefix covers. */
	v = is_subnet_special(p, &c, &j);
	if (v != CP_POLICY_ACCEPT)
		return v;
	/* 5. the operator's allow list, over the class defaults. */
	if (in_list(p->allow, p->nallow, &c) || in_list(p->allow, p->nallow, &j))
		return CP_POLICY_ACCEPT;

	/* 6. class defaults. An address is in at most one class (the
	 * broadcast address aside, which is named before reserved). */
	for (size_t i = 0; i < TP_ARRAY_SIZE(classes); i++)
		if (in_cls(&j, &classes[i]) && !class_allowed(p, classes[i].v))
			return classes[i].v;

	/* 7. */
	return CP_POLICY_ACCEPT;
}

const char *
cp_policy_verdict_name(enum cp_policy_verdict v)
{
	static const char *const names[CP_POLICY__COUNT] = {
#define CP_POLICY_VERDICT(e, n, d) [CP_POLICY_##e] = n,
#include "policy_verdicts.def"
#undef CP_POLICY_VERDICT
	};

	return (unsigned int)v < CP_POLICY__COUNT ? names[v] : "?";
}

const char *
cp_policy_verdict_describe(enum cp_policy_verdict v)
{
	static const char *const descs[CP_POLICY__COUNT] = {
#define CP_POLICY_VERDICT(e, n, d) [CP_POLICY_##e] = d,
#include "policy_verdicts.def"
#undef CP_POLICY_VERDICT
	};

	return (unsigned int)v < CP_POLICY__COUNT ? descs[v] : "unknown verdict";
}
