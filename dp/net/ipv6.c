/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 for a host that does not forward: validation of the fixed header
 * (RFC 8200 §3), building the header of what we send, the upper-layer
 * checksum over the IPv6 pseudo-header (RFC 8200 §8.1), the
 * solicited-node multicast group of an address (RFC 4291 §2.7.1) and the
 * Ethernet address of a multicast group (RFC 2464 §7). Extension headers
 * are not walked: a packet whose first next header is not UDP, TCP or
 * ICMPv6 is dropped and counted (dp has no use for options, fragments or
 * routing headers on traffic to itself).
 */
#include <string.h>

#include "net.h"

/* Offsets in the fixed header (RFC 8200 §3). */
#define IP6_PLEN      4
#define IP6_NEXT      6
#define IP6_HLIM      7
#define IP6_SRC       8
#define IP6_DST       24
#define IP6_HDR       40

#define PROTO_TCP     6
#define PROTO_UDP     17
#define PROTO_ICMP6   58

static const uint8_t ip6_loopback[16] = { [15] = 1 };

enum dp_drop
ipv6_validate(const uint8_t *p, size_t len, struct ipv6_info *out)
{
	size_t plen;
	uint8_t nh;

	if (len < IP6_HDR)
		return DP_DROP_IP6_SHORT;
	if ((p[0] >> 4) != 6)
		return DP_DROP_IP6_VERSION;
	/* The payload length counts what follows the fixed header; more in
	 * the buffer is link padding. A zero payload length with a
	 * hop-by-hop header would be a jumbogram: the next-header check
	 * below refuses those. */
	plen = (size_t)((unsigned int)p[IP6_PLEN] << 8 | p[IP6_PLEN + 1]);
	if (plen + IP6_HDR > len)
		return DP_DROP_IP6_PAYLOAD_LEN;
	if (p[IP6_HLIM] == 0)
		return DP_DROP_IP6_HOP_LIMIT;
	/* RFC 4291 §2.7: a multicast address is never a source; §2.5.3:
	 * the loopback address never leaves a node. The unspecified
	 * address is a legal source (§2.5.2; DAD's solicitations). */
	if (p[IP6_SRC] == 0xff || memcmp(p + IP6_SRC, ip6_loopback, 16) == 0)
		return DP_DROP_IP6_BAD_SRC;
	nh = p[IP6_NEXT];
	if (nh != PROTO_UDP && nh != PROTO_TCP && nh != PROTO_ICMP6)
		return DP_DROP_IP6_EXT_HDR;
	/* ... but only for ICMPv6 (ND, MLD): a TCP SYN or a UDP request
	 * from :: would be answered into nothing (RFC 9293 MUST-63). */
	if (nh != PROTO_ICMP6 && net_ip6_unspecified(p + IP6_SRC))
		return DP_DROP_IP6_BAD_SRC;

	out->next_hdr = nh;
	out->hop_limit = p[IP6_HLIM];
	out->payload_len = (uint16_t)plen;
	memcpy(out->src, p + IP6_SRC, 16);
	memcpy(out->dst, p + IP6_DST, 16);
	return DP_DROP_NONE;
}

void
ipv6_build_hdr_tc(uint8_t *p, const uint8_t src[16], const uint8_t dst[16],
		  uint8_t next_hdr, uint8_t hop_limit, uint16_t payload_len, uint8_t tc)
{
	uint8_t s[16], d[16];

	/* src and dst may alias the header being rewritten. */
	memcpy(s, src, 16);
	memcpy(d, dst, 16);
	p[0] = (uint8_t)(0x60 | tc >> 4);    /* version 6, the traffic class's high half */
	p[1] = (uint8_t)(tc << 4);           /* its low half, flow label 0 */
	p[2] = 0;
	p[3] = 0;
	p[IP6_PLEN] = (uint8_t)(payload_len >> 8);
	p[IP6_PLEN + 1] = (uint8_t)payload_len;
	p[IP6_NEXT] = next_hdr;
	p[IP6_HLIM] = hop_limit;
	memcpy(p + IP6_SRC, s, 16);
	memcpy(p + IP6_DST, d, 16);
}

/* RFC 4291 §2.7.1: ff02:0:0:0:0:1:ff00::/104 and the low 24 bits. */
void
ipv6_solicited_node(const uint8_t ip[16], uint8_t out[16])
{
	uint8_t low[3];

	memcpy(low, ip + 13, 3);        /* ip may alias out */
	memset(out, 0, 16);
	out[0] = 0xff;
	out[1] = 0x02;
	out[11] = 0x01;
	out[12] = 0xff;
	memcpy(out + 13, low, 3);
}

/* RFC 2464 §7: 33:33 followed by the last four bytes of the group. */
void
ipv6_mcast_mac(const uint8_t ip[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, ip + 12, 4);
}

/*
 * RFC 8200 §8.1: source, destination, the 32-bit upper-layer length,
 * three zero bytes and the next header value. Returns the complement of
 * the sum of pseudo-header and l4 as it stands: stored into a zeroed
 * checksum field it makes the packet valid (UDP stores a computed 0 as
 * 0xffff, §8.1 fourth bullet); over a received packet a right checksum
 * yields 0.
 */
uint16_t
ipv6_l4_cksum(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
	      const uint8_t *l4, size_t len)
{
	uint32_t sum;
	uint64_t ulen = len;

	sum = net_sum16(src, 16, 0);
	sum = net_sum16(dst, 16, sum);
	sum += (uint32_t)((ulen >> 16) & 0xffffu);
	sum += (uint32_t)(ulen & 0xffffu);
	sum += proto;
	sum = net_sum16(l4, len, sum);
	return (uint16_t)~net_fold(sum);
}
