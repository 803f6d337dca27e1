/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery, the part a host with static addresses needs
 * (RFC 4861): validating neighbour solicitations and advertisements
 * (§7.1.1, §7.1.2), and building both. No router discovery, no DAD of our
 * own (static addresses); redirects are not honoured.
 */
#include <string.h>

#include "net.h"

#define ND_NS 135
#define ND_NA 136
#define OPT_SLLA 1
#define OPT_TLLA 2

static const uint8_t unspec6[16];

enum dp_drop
nd_parse(const struct ipv6_info *ip6, const uint8_t *icmp, size_t len,
	 struct nd_info *out)
{
	size_t off;

	/* §7.1.1/§7.1.2: hop limit 255, code 0, ICMP length >= 24, checksum. */
	if (len < 24 || ip6->hop_limit != 255 || icmp[1] != 0 ||
	    (icmp[0] != ND_NS && icmp[0] != ND_NA))
		return DP_DROP_ND_MALFORMED;
	if (ipv6_l4_cksum(ip6->src, ip6->dst, 58, icmp, len) != 0)
		return DP_DROP_ND_MALFORMED;
	memset(out, 0, sizeof(*out));
	out->type = icmp[0];
	out->flags = icmp[4];
	memcpy(out->target, icmp + 8, 16);
	if (out->target[0] == 0xff)
		return DP_DROP_ND_MALFORMED;   /* target not multicast */
	/* NA to a multicast destination must not claim Solicited. */
	if (out->type == ND_NA && ip6->dst[0] == 0xff && (out->flags & 0x40u))
		return DP_DROP_ND_MALFORMED;
	for (off = 24; off < len;) {
		size_t olen;

		if (len - off < 2)
			return DP_DROP_ND_MALFORMED;
		olen = (size_t)icmp[off + 1] * 8u;
		if (olen == 0 || olen > len - off)
			return DP_DROP_ND_MALFORMED;
		if (olen >= 8 &&
		    ((out->type == ND_NS && icmp[off] == OPT_SLLA) ||
		     (out->type == ND_NA && icmp[off] == OPT_TLLA))) {
			out->has_lladdr = true;
			memcpy(out->lladdr, icmp + off + 2, 6);
		}
		off += olen;
	}
	/* §7.1.1: a solicitation from :: (DAD) has no source link-layer
	 * option, and goes to a solicited-node group. */
	if (out->type == ND_NS && memcmp(ip6->src, unspec6, 16) == 0 &&
	    (out->has_lladdr || ip6->dst[0] != 0xff))
		return DP_DROP_ND_MALFORMED;
	return DP_DROP_NONE;
}

/* IPv6 header + the 24-byte NS/NA + one 8-byte link-layer option. */
static size_t
nd_build(uint8_t *p, size_t cap, uint8_t type, uint8_t flags,
	 const uint8_t src[16], const uint8_t dst[16], const uint8_t mac[6],
	 const uint8_t target[16], uint8_t opt)
{
	uint8_t *icmp = p + 40;
	uint16_t c;

	if (cap < 72)
		return 0;
	ipv6_build_hdr(p, src, dst, 58, 255, 32);
	memset(icmp, 0, 32);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[24] = opt;
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	c = ipv6_l4_cksum(p + 8, p + 24, 58, icmp, 32);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return 72;
}

size_t
nd_build_ns(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t mac[6],
	    const uint8_t target[16])
{
	uint8_t snm[16];

	ipv6_solicited_node(target, snm);
	return nd_build(p, cap, ND_NS, 0, src, snm, mac, target, OPT_SLLA);
}

size_t
nd_build_na(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t dst[16],
	    const uint8_t mac[6], const uint8_t target[16], bool solicited)
{
	/* R=0 (not a router), S as asked, O=1 (override). */
	return nd_build(p, cap, ND_NA, (uint8_t)((solicited ? 0x40u : 0) | 0x20u),
			src, dst, mac, target, OPT_TLLA);
}
