/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery, the part a host with static addresses needs
 * (RFC 4861): the validity checks on received neighbour solicitations
 * (§7.1.1) and advertisements (§7.1.2), decoding the link-layer address
 * option (§4.6.1, RFC 2464 §6), and building complete solicitations and
 * advertisements (§4.3, §4.4, §7.2.2, §7.2.4). No router discovery, no
 * redirects and no duplicate address detection of our own. Learning and
 * answering are the input path's business (net_input.c); the cache is
 * neigh.c.
 */
#include <string.h>

#include "net.h"

#define ICMP6_NS       135
#define ICMP6_NA       136
#define ND_OPT_SLLA    1
#define ND_OPT_TLLA    2
#define ND_MIN_LEN     24      /* type .. target: §4.3, §4.4 */
#define ND_OPT_LL_LEN  8       /* an Ethernet link-layer option, RFC 2464 §6 */
#define ND_PKT_LEN     (40 + ND_MIN_LEN + ND_OPT_LL_LEN)
#define ND_HOP_LIMIT   255
#define NA_FLAG_S      0x40u
#define NA_FLAG_O      0x20u

/* RFC 4291 §2.7.1: ff02::1:ff00:0/104. */
static bool
is_solicited_node(const uint8_t a[16])
{
	static const uint8_t pfx[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
	};

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

enum dp_drop
nd_parse(const struct ipv6_info *ip6, const uint8_t *icmp, size_t len,
	 struct nd_info *out)
{
	struct nd_info nd;
	bool saw_ll = false;
	size_t off;

	/* §7.1.1 and §7.1.2, the checks common to both. */
	if (len < ND_MIN_LEN)
		return DP_DROP_ND_MALFORMED;
	if (icmp[0] != ICMP6_NS && icmp[0] != ICMP6_NA)
		return DP_DROP_ND_MALFORMED;
	/* Hop limit 255: the message cannot have crossed a router. */
	if (ip6->hop_limit != ND_HOP_LIMIT || icmp[1] != 0)
		return DP_DROP_ND_MALFORMED;
	if (ipv6_l4_cksum(ip6->src, ip6->dst, 58, icmp, len) != 0)
		return DP_DROP_ND_MALFORMED;

	memset(&nd, 0, sizeof(nd));
	nd.type = icmp[0];
	nd.flags = nd.type == ICMP6_NA ? icmp[4] : 0;
	memcpy(nd.target, icmp + 8, 16);
	if (nd.target[0] == 0xff)
		return DP_DROP_ND_MALFORMED;

	/* §4.6: options are (type, length in units of 8 bytes, data);
	 * every one must have a non-zero length and lie within the
	 * message. Options other than the link-layer one are skipped. */
	for (off = ND_MIN_LEN; off < len;) {
		size_t olen;
		uint8_t want;

		if (len - off < 2)
			return DP_DROP_ND_MALFORMED;
		olen = (size_t)icmp[off + 1] * 8u;
		if (olen == 0 || olen > len - off)
			return DP_DROP_ND_MALFORMED;
		want = nd.type == ICMP6_NS ? ND_OPT_SLLA : ND_OPT_TLLA;
		if (icmp[off] == want) {
			saw_ll = true;
			/* RFC 2464 §6: one 8-byte option on Ethernet; the
			 * first one counts. A group address is not a
			 * neighbour's (as RFC 1812 §3.3.2 says for ARP). */
			if (!nd.has_lladdr && olen == ND_OPT_LL_LEN) {
				if ((icmp[off + 2] & 0x01u) != 0)
					return DP_DROP_ND_MALFORMED;
				nd.has_lladdr = true;
				memcpy(nd.lladdr, icmp + off + 2, 6);
			}
		}
		off += olen;
	}

	if (nd.type == ICMP6_NS) {
		/* §7.1.1: from the unspecified address (DAD), the
		 * destination is a solicited-node group and there is no
		 * source link-layer option. */
		if (net_ip6_unspecified(ip6->src) &&
		    (!is_solicited_node(ip6->dst) || saw_ll))
			return DP_DROP_ND_MALFORMED;
	} else {
		/* §7.1.2: to a multicast destination, S must be zero. */
		if (ip6->dst[0] == 0xff && (nd.flags & NA_FLAG_S) != 0)
			return DP_DROP_ND_MALFORMED;
	}
	*out = nd;
	return DP_DROP_NONE;
}

/* IPv6 header, the 24-byte message and one link-layer option (§4.3,
 * §4.4, §4.6.1), hop limit 255 (§7.2.2, §7.2.4), checksum filled. */
static size_t
nd_build(uint8_t *p, size_t cap, uint8_t type, uint8_t flags,
	 const uint8_t src[16], const uint8_t dst[16], const uint8_t mac[6],
	 const uint8_t target[16], uint8_t opt)
{
	uint8_t m[ND_MIN_LEN + ND_OPT_LL_LEN];
	uint8_t *icmp = p + 40;
	uint16_t c;

	if (cap < ND_PKT_LEN)
		return 0;
	/* Assemble the message aside: target or mac may alias p. */
	memset(m, 0, sizeof(m));
	m[0] = type;
	m[4] = flags;                   /* NS: reserved, zero */
	memcpy(m + 8, target, 16);
	m[ND_MIN_LEN] = opt;
	m[ND_MIN_LEN + 1] = 1;          /* 8 bytes */
	memcpy(m + ND_MIN_LEN + 2, mac, 6);
	ipv6_build_hdr(p, src, dst, 58, ND_HOP_LIMIT, sizeof(m));
	memcpy(icmp, m, sizeof(m));
	c = ipv6_l4_cksum(p + 8, p + 24, 58, icmp, sizeof(m));
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return ND_PKT_LEN;
}

/* §7.2.2: a solicitation to the target's solicited-node group, with our
 * source link-layer option (we always have a source address). */
size_t
nd_build_ns(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t mac[6],
	    const uint8_t target[16])
{
	uint8_t snm[16];

	ipv6_solicited_node(target, snm);
	return nd_build(p, cap, ICMP6_NS, 0, src, snm, mac, target, ND_OPT_SLLA);
}

/* §7.2.4: R=0 (we are no router), S as the caller says, O=1, and our
 * target link-layer option. */
size_t
nd_build_na(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t dst[16],
	    const uint8_t mac[6], const uint8_t target[16], bool solicited)
{
	uint8_t flags = (uint8_t)(NA_FLAG_O | (solicited ? NA_FLAG_S : 0u));

	return nd_build(p, cap, ICMP6_NA, flags, src, dst, mac, target,
			ND_OPT_TLLA);
}
