/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 header validation and building (RFC 791; RFC 1122 §3.2.1 for what
 * a host must check; RFC 1812 §5.3.7 for sources never to accept), the
 * ones-complement sums of RFC 1071 for headers and for upper layers with
 * the IPv4 pseudo-header (RFC 768, RFC 793), and prefix matching.
 */
#include <string.h>

#include "net.h"

/* Ones-complement sum of len bytes folded to 16 bits, not inverted. */
static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	while (len >= 2) {
		sum += (uint32_t)((p[0] << 8) | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

enum dp_drop
ipv4_validate(const uint8_t *p, size_t len, bool csum_ok,
	      struct ipv4_info *out)
{
	size_t ihl, total;

	if (len < 20)
		return DP_DROP_IP4_SHORT;
	if ((p[0] >> 4) != 4)
		return DP_DROP_IP4_VERSION;
	ihl = (size_t)(p[0] & 0x0fu) * 4u;
	if (ihl < 20 || ihl > len)
		return DP_DROP_IP4_HDR_LEN;
	total = (size_t)((p[2] << 8) | p[3]);
	if (total < ihl || total > len)
		return DP_DROP_IP4_TOTAL_LEN;
	if (!csum_ok && fold(sum16(p, ihl, 0)) != 0xffffu)
		return DP_DROP_IP4_CHECKSUM;
	if (p[8] == 0)
		return DP_DROP_IP4_TTL;
	/* MF set or a non-zero offset: a fragment; we do not reassemble. */
	if ((((p[6] << 8) | p[7]) & 0x3fffu) != 0)
		return DP_DROP_IP4_FRAGMENT;
	/* RFC 1812 §5.3.7: 0/8, 127/8, class D/E and broadcast sources. */
	if (p[12] == 0 || p[12] == 127 || p[12] >= 224)
		return DP_DROP_IP4_BAD_SRC;
	out->hdr_len = (uint8_t)ihl;
	out->proto = p[9];
	out->ttl = p[8];
	out->total_len = (uint16_t)total;
	memcpy(out->src, p + 12, 4);
	memcpy(out->dst, p + 16, 4);
	return DP_DROP_NONE;
}

void
ipv4_build_hdr(uint8_t *p, const uint8_t src[4], const uint8_t dst[4],
	       uint8_t proto, uint8_t ttl, uint16_t total_len)
{
	uint8_t s4[4], d4[4];
	uint16_t c;

	/* src/dst may point into the packet being rewritten. */
	memcpy(s4, src, 4);
	memcpy(d4, dst, 4);
	p[0] = 0x45;
	p[1] = 0;
	p[2] = (uint8_t)(total_len >> 8);
	p[3] = (uint8_t)total_len;
	p[4] = 0;
	p[5] = 0;
	p[6] = 0x40;   /* DF: we never fragment */
	p[7] = 0;
	p[8] = ttl;
	p[9] = proto;
	p[10] = 0;
	p[11] = 0;
	memcpy(p + 12, s4, 4);
	memcpy(p + 16, d4, 4);
	c = (uint16_t)~fold(sum16(p, 20, 0));
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
}

/* The pseudo-header sum: addresses, protocol and length (RFC 768). */
uint16_t
ipv4_l4_cksum(const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
	      const uint8_t *l4, size_t len)
{
	uint32_t sum = sum16(src, 4, 0);

	sum = sum16(dst, 4, sum);
	sum += proto;
	sum += (uint32_t)len;
	sum = sum16(l4, len, sum);
	return (uint16_t)~fold(sum);
}

bool
net_prefix_match(uint8_t family, const uint8_t *addr, uint8_t plen,
		 const uint8_t *dst)
{
	unsigned int full = plen / 8u, rest = plen % 8u;

	if (plen > (family == NET_AF_IPV4 ? 32 : 128))
		return false;
	if (memcmp(addr, dst, full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xffu << (8 - rest));

		return (addr[full] & m) == (dst[full] & m);
	}
	return true;
}

uint32_t
net_sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	return sum16(p, len, sum);
}

uint16_t
net_fold(uint32_t sum)
{
	return fold(sum);
}
