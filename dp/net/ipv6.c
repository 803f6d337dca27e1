/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 fixed-header validation and building (RFC 8200 §3), the
 * upper-layer checksum with the IPv6 pseudo-header (§8.1), the
 * solicited-node multicast group (RFC 4291 §2.7.1) and the Ethernet
 * mapping of multicast addresses (RFC 2464 §7). Extension headers are not
 * walked: packets carrying them are counted and dropped.
 */
#include <string.h>

#include "net.h"

static const uint8_t loopback6[16] = { [15] = 1 };

enum dp_drop
ipv6_validate(const uint8_t *p, size_t len, struct ipv6_info *out)
{
	size_t plen;

	if (len < 40)
		return DP_DROP_IP6_SHORT;
	if ((p[0] >> 4) != 6)
		return DP_DROP_IP6_VERSION;
	plen = (size_t)((p[4] << 8) | p[5]);
	if (plen + 40 > len)
		return DP_DROP_IP6_PAYLOAD_LEN;
	if (p[7] == 0)
		return DP_DROP_IP6_HOP_LIMIT;
	if (p[8] == 0xff || memcmp(p + 8, loopback6, 16) == 0)
		return DP_DROP_IP6_BAD_SRC;
	if (p[6] != 17 && p[6] != 6 && p[6] != 58)
		return DP_DROP_IP6_EXT_HDR;
	out->next_hdr = p[6];
	out->hop_limit = p[7];
	out->payload_len = (uint16_t)plen;
	memcpy(out->src, p + 8, 16);
	memcpy(out->dst, p + 24, 16);
	return DP_DROP_NONE;
}

void
ipv6_build_hdr(uint8_t *p, const uint8_t src[16], const uint8_t dst[16],
	       uint8_t next_hdr, uint8_t hop_limit, uint16_t payload_len)
{
	uint8_t s[16], d[16];

	/* src/dst may point into the packet being rewritten. */
	memcpy(s, src, 16);
	memcpy(d, dst, 16);
	p[0] = 0x60;
	p[1] = 0;
	p[2] = 0;
	p[3] = 0;
	p[4] = (uint8_t)(payload_len >> 8);
	p[5] = (uint8_t)payload_len;
	p[6] = next_hdr;
	p[7] = hop_limit;
	memcpy(p + 8, s, 16);
	memcpy(p + 24, d, 16);
}

void
ipv6_solicited_node(const uint8_t ip[16], uint8_t out[16])
{
	static const uint8_t pfx[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
	};

	memcpy(out, pfx, 13);
	memcpy(out + 13, ip + 13, 3);
}

void
ipv6_mcast_mac(const uint8_t ip[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, ip + 12, 4);
}

uint16_t
ipv6_l4_cksum(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
	      const uint8_t *l4, size_t len)
{
	uint32_t sum = net_sum16(src, 16, 0);

	sum = net_sum16(dst, 16, sum);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffffu);
	sum += proto;
	sum = net_sum16(l4, len, sum);
	return (uint16_t)~net_fold(sum);
}
