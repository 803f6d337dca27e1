/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed readers of attribute values (RFC 8489 §14, RFC 8656 §18,
 * RFC 6062 §6.2). stun_msg_parse() has validated every known attribute's
 * layout, but each reader checks again what it relies on, so that a
 * reader handed an attribute of the wrong type fails cleanly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "stun.h"

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/* RFC 8489 §14.2: X-Port is the port XOR the cookie's top 16 bits; X-Address
 * is the address XOR the cookie (IPv4) or cookie||transaction id (IPv6). */
int
stun_attr_get_addr(const struct stun_msg *m, const struct stun_attr *a,
		   struct stun_addr *out)
{
	enum stun_attr_kind kind = stun_attr_kind(a->type);
	const uint8_t *v = a->value;
	uint8_t mask[16];

	if (kind != STUN_KIND_ADDR && kind != STUN_KIND_XADDR)
		return -EINVAL;
	if (a->len < 4)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = v[1];
	if (v[1] == STUN_AF_IPV4 && a->len == 8)
		memcpy(out->ip, v + 4, 4);
	else if (v[1] == STUN_AF_IPV6 && a->len == 20)
		memcpy(out->ip, v + 4, 16);
	else
		return -EINVAL;
	out->port = rd16(v + 2);
	if (kind == STUN_KIND_ADDR)
		return 0;

	mask[0] = 0x21; mask[1] = 0x12; mask[2] = 0xa4; mask[3] = 0x42;
	memcpy(mask + 4, m->tid, STUN_TID_LEN);
	out->port ^= (uint16_t)(STUN_MAGIC_COOKIE >> 16);
	for (unsigned int i = 0; i < (out->family == STUN_AF_IPV4 ? 4u : 16u); i++)
		out->ip[i] ^= mask[i];
	return 0;
}

int
stun_attr_get_u32(const struct stun_attr *a, uint32_t *out)
{
	if (a->len != 4)
		return -EINVAL;
	*out = rd32(a->value);
	return 0;
}

int
stun_attr_get_error(const struct stun_attr *a, uint16_t *code,
		    const char **reason, uint16_t *reason_len)
{
	uint8_t cls;

	if (a->len < 4)
		return -EINVAL;
	cls = a->value[2] & 7u;
	if (cls < 3 || cls > 6 || a->value[3] > 99)
		return -EINVAL;
	*code = (uint16_t)(cls * 100u + a->value[3]);
	if (reason != NULL)
		*reason = (const char *)(a->value + 4);
	if (reason_len != NULL)
		*reason_len = (uint16_t)(a->len - 4);
	return 0;
}

int
stun_attr_get_addr_error(const struct stun_attr *a, uint8_t *family,
			 uint16_t *code, const char **reason,
			 uint16_t *reason_len)
{
	if (a->len < 4)
		return -EINVAL;
	*family = a->value[0];
	return stun_attr_get_error(a, code, reason, reason_len);
}

int
stun_attr_get_channel(const struct stun_attr *a, uint16_t *channel)
{
	if (a->len != 4)
		return -EINVAL;
	*channel = rd16(a->value);
	return 0;
}

int
stun_attr_get_family(const struct stun_attr *a, uint8_t *family)
{
	if (a->len != 4)
		return -EINVAL;
	*family = a->value[0];
	return 0;
}

int
stun_attr_get_transport(const struct stun_attr *a, uint8_t *proto)
{
	if (a->len != 4)
		return -EINVAL;
	*proto = a->value[0];
	return 0;
}

int
stun_attr_get_even_port(const struct stun_attr *a, bool *reserve)
{
	if (a->len != 1)
		return -EINVAL;
	*reserve = (a->value[0] & 0x80u) != 0;
	return 0;
}

int
stun_attr_get_icmp(const struct stun_attr *a, uint8_t *type, uint8_t *code,
		   uint32_t *error_data)
{
	if (a->len != 8)
		return -EINVAL;
	*type = a->value[2];
	*code = a->value[3];
	*error_data = rd32(a->value + 4);
	return 0;
}

int
stun_attr_get_u16list(const struct stun_attr *a, uint16_t *types, size_t max,
		      size_t *n)
{
	size_t count = a->len / 2u, i;

	if (a->len & 1u)
		return -EINVAL;
	for (i = 0; i < count && i < max; i++)
		types[i] = rd16(a->value + 2 * i);
	*n = i;
	return 0;
}

int
stun_attr_get_pwalg(const struct stun_attr *a, uint16_t *alg)
{
	if (a->len < 4 || (size_t)rd16(a->value + 2) + 4u > a->len)
		return -EINVAL;
	*alg = rd16(a->value);
	return 0;
}

int
stun_attr_get_pwalgs(const struct stun_attr *a, uint16_t *algs, size_t max,
		     size_t *n)
{
	size_t off = 0, count = 0;

	while (off < a->len) {
		size_t plen;

		if (a->len - off < 4)
			return -EINVAL;
		plen = ((size_t)rd16(a->value + off + 2) + 3u) & ~(size_t)3u;
		if (plen > a->len - off - 4)
			return -EINVAL;
		if (count < max)
			algs[count] = rd16(a->value + off);
		count++;
		off += 4 + plen;
	}
	*n = count < max ? count : max;
	return 0;
}

char *
stun_addr_format(const struct stun_addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family == STUN_AF_IPV4 && inet_ntop(AF_INET, a->ip, ip, sizeof(ip)))
		snprintf(buf, size, "%s:%u", ip, a->port);
	else if (a->family == STUN_AF_IPV6 && inet_ntop(AF_INET6, a->ip, ip, sizeof(ip)))
		snprintf(buf, size, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, size, "?");
	return buf;
}
