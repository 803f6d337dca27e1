/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn's wire formats that need no packet buffer: the head of a Data
 * indication (RFC 8656 §11.4), the datagram an ICMP error quotes (§11.5),
 * whether a message that failed to parse is a request worth a 400. Pure C
 * over lib/stun, so that the unit tests run them without DPDK.
 */
#include <errno.h>
#include <string.h>

#include "net_types.h"
#include "stun.h"
#include "turn_internal.h"

uint16_t
turn_data_ind_head(uint8_t *head, uint8_t family, const uint8_t *src,
		   uint16_t port, uint16_t dlen, const uint8_t *tid)
{
	uint16_t pad = (uint16_t)((4 - (dlen & 3u)) & 3u);
	uint16_t alen = family == NET_AF_IPV4 ? 8 : 20;
	uint16_t pre = (uint16_t)(STUN_HDR_LEN + 4 + alen + 4);
	uint16_t mlen = (uint16_t)(pre - STUN_HDR_LEN + dlen + pad);
	struct stun_builder b;
	struct stun_addr pa;

	memset(&pa, 0, sizeof(pa));
	pa.family = family == NET_AF_IPV4 ? STUN_AF_IPV4 : STUN_AF_IPV6;
	pa.port = port;
	memcpy(pa.ip, src, family == NET_AF_IPV4 ? 4 : 16);
	stun_build_init(&b, head, STUN_HDR_LEN + 4 + 20,
			stun_msg_type(STUN_METHOD_DATA, STUN_CLASS_INDICATION), tid);
	stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &pa);
	if (stun_build_finish(&b) < 0)
		return 0;
	head[STUN_HDR_LEN + 4 + alen] = STUN_ATTR_DATA >> 8;
	head[STUN_HDR_LEN + 4 + alen + 1] = STUN_ATTR_DATA & 0xff;
	head[STUN_HDR_LEN + 4 + alen + 2] = (uint8_t)(dlen >> 8);
	head[STUN_HDR_LEN + 4 + alen + 3] = (uint8_t)dlen;
	head[2] = (uint8_t)(mlen >> 8);
	head[3] = (uint8_t)mlen;
	return pre;
}

int
turn_icmp_quote(uint8_t family, const uint8_t *inner, size_t len,
		const uint8_t **src, const uint8_t **dst, uint16_t *sport,
		uint16_t *dport)
{
	size_t l3;

	if (len < (family == NET_AF_IPV4 ? 20u : 40u))
		return -EINVAL;
	l3 = family == NET_AF_IPV4 ? (size_t)(inner[0] & 0x0fu) * 4u : 40u;
	/* The quote must hold the IP header (an IPv4 one has at least five
	 * words) and the UDP ports we sent. */
	if (l3 < 20 || len < l3 + 4 ||
	    (family == NET_AF_IPV4 ? inner[9] : inner[6]) != 17)
		return -EINVAL;
	*src = family == NET_AF_IPV4 ? inner + 12 : inner + 8;
	*dst = family == NET_AF_IPV4 ? inner + 16 : inner + 24;
	*sport = (uint16_t)((inner[l3] << 8) | inner[l3 + 1]);
	*dport = (uint16_t)((inner[l3 + 2] << 8) | inner[l3 + 3]);
	return 0;
}

bool
turn_stun_is_framed_request(const uint8_t *p, size_t len)
{
	return len >= STUN_HDR_LEN && stun_demux_first_byte(p[0]) == STUN_FRAME_STUN &&
	       stun_type_class((uint16_t)((p[0] << 8) | p[1])) == STUN_CLASS_REQUEST &&
	       ((uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		(uint32_t)p[6] << 8 | p[7]) == STUN_MAGIC_COOKIE;
}
