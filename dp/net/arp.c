/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP for IPv4 over Ethernet (RFC 826): parsing what arrives and
 * building requests and replies. What to learn and when to answer is the
 * input path's business (net_input.c).
 */
#include <string.h>

#include "net.h"

enum dp_drop
arp_parse(const uint8_t *p, size_t len, struct arp_info *out)
{
	if (len < 28)
		return DP_DROP_ARP_MALFORMED;
	/* htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4 */
	if (p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0x00 ||
	    p[4] != 6 || p[5] != 4)
		return DP_DROP_ARP_MALFORMED;
	out->op = (uint16_t)((p[6] << 8) | p[7]);
	if (out->op != 1 && out->op != 2)
		return DP_DROP_ARP_MALFORMED;
	memcpy(out->sha, p + 8, 6);
	memcpy(out->spa, p + 14, 4);
	memcpy(out->tha, p + 18, 6);
	memcpy(out->tpa, p + 24, 4);
	/* A sender claiming a group MAC or a zero/broadcast address is bogus. */
	if ((out->sha[0] & 1u) != 0)
		return DP_DROP_ARP_MALFORMED;
	return DP_DROP_NONE;
}

size_t
arp_build(uint8_t *p, uint16_t op, const uint8_t sha[6], const uint8_t spa[4],
	  const uint8_t tha[6], const uint8_t tpa[4])
{
	uint8_t t_ha[6], t_pa[4];

	memcpy(t_ha, tha, 6);
	memcpy(t_pa, tpa, 4);
	p[0] = 0;
	p[1] = 1;
	p[2] = 0x08;
	p[3] = 0x00;
	p[4] = 6;
	p[5] = 4;
	p[6] = (uint8_t)(op >> 8);
	p[7] = (uint8_t)op;
	memcpy(p + 8, sha, 6);
	memcpy(p + 14, spa, 4);
	memcpy(p + 18, t_ha, 6);
	memcpy(p + 24, t_pa, 4);
	return 28;
}
