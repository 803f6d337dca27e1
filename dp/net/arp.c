/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP for IPv4 over Ethernet (RFC 826): checking and decoding the 28-byte
 * payload that follows the Ethernet header, and writing requests and
 * replies. Deciding what to learn (RFC 826 "merge_flag") and whether to
 * answer is the input path's business (net_input.c); the cache itself is
 * neigh.c.
 */
#include <string.h>

#include "net.h"

/* RFC 826 "Packet format", for Ethernet hardware and IPv4. */
#define ARP_LEN        28
#define ARP_HTYPE_ETH  1u
#define ARP_PTYPE_IP4  0x0800u
#define ARP_OP_REQUEST 1u
#define ARP_OP_REPLY   2u

#define ARP_SHA        8
#define ARP_SPA        14
#define ARP_THA        18
#define ARP_TPA        24

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned int)p[0] << 8 | p[1]);
}

enum dp_drop
arp_parse(const uint8_t *p, size_t len, struct arp_info *out)
{
	uint16_t op;

	/* Anything after the 28 bytes is Ethernet padding. */
	if (len < ARP_LEN)
		return DP_DROP_ARP_MALFORMED;
	/* RFC 826 "Packet Reception": ar$hrd, ar$pro and the lengths must
	 * be ones we speak. */
	if (rd16(p) != ARP_HTYPE_ETH || rd16(p + 2) != ARP_PTYPE_IP4 ||
	    p[4] != 6 || p[5] != 4)
		return DP_DROP_ARP_MALFORMED;
	op = rd16(p + 6);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return DP_DROP_ARP_MALFORMED;
	/* RFC 1812 §3.3.2: never believe that a host's link-layer address
	 * is a broadcast or multicast one (the I/G bit set). */
	if ((p[ARP_SHA] & 0x01u) != 0)
		return DP_DROP_ARP_MALFORMED;

	out->op = op;
	memcpy(out->sha, p + ARP_SHA, 6);
	memcpy(out->spa, p + ARP_SPA, 4);
	memcpy(out->tha, p + ARP_THA, 6);
	memcpy(out->tpa, p + ARP_TPA, 4);
	return DP_DROP_NONE;
}

size_t
arp_build(uint8_t *p, uint16_t op, const uint8_t sha[6], const uint8_t spa[4],
	  const uint8_t tha[6], const uint8_t tpa[4])
{
	uint8_t b[ARP_LEN];

	/* Assemble aside: the addresses may point into p (a request
	 * turned into its reply in place). */
	b[0] = 0;
	b[1] = ARP_HTYPE_ETH;
	b[2] = (uint8_t)(ARP_PTYPE_IP4 >> 8);
	b[3] = (uint8_t)ARP_PTYPE_IP4;
	b[4] = 6;
	b[5] = 4;
	b[6] = (uint8_t)(op >> 8);
	b[7] = (uint8_t)op;
	memcpy(b + ARP_SHA, sha, 6);
	memcpy(b + ARP_SPA, spa, 4);
	memcpy(b + ARP_THA, tha, 6);
	memcpy(b + ARP_TPA, tpa, 4);
	memcpy(p, b, ARP_LEN);
	return ARP_LEN;
}
