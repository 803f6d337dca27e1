/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP checksums carried across a relay. A TURN relay moves a payload from
 * one datagram to another and changes only what surrounds it: addresses,
 * ports, the ChannelData or STUN head. The sender's checksum already
 * holds the payload's sum: ~checksum is the sum of everything it covers
 * (RFC 768; RFC 1071 §1), so the payload's sum is that less the
 * pseudo-header, the UDP header and the few bytes around the payload.
 * The new datagram's checksum is then its own header sums plus that
 * figure, and the payload is never read: the algebra of RFC 1624 run to
 * a new header instead of a changed field. A datagram damaged on the way
 * in stays wrong on the way out (the error term is carried, not
 * recomputed), so its receiver drops it as it would have from the sender
 * (RFC 1624 §2 wants exactly this of incremental updates).
 */
#include <string.h>

#include "net.h"

/* Pseudo-header (RFC 768; RFC 8200 §8.1): addresses, protocol, length.
 * The lengths are constants in each branch, so the sums unroll: a
 * length the compiler cannot see is a loop (a relayed packet pays for
 * this twice). */
static inline uint32_t
pseudo_sum(uint8_t family, const uint8_t *src, const uint8_t *dst,
	   uint16_t ulen)
{
	uint32_t s;

	if (family == NET_AF_IPV4) {
		uint32_t a, b;

		memcpy(&a, src, 4);
		memcpy(&b, dst, 4);
		s = net_native_fold((uint64_t)a + b);
	} else {
		s = net_sum16(src, 16, 0);
		s = net_sum16(dst, 16, s);
	}
	return s + 17u + ulen;
}

/* a - b in ones-complement arithmetic: a + ~b (RFC 1624 §3). */
static uint32_t
sub16(uint32_t a, uint32_t b)
{
	return a + (uint16_t)~net_fold(b);
}

bool
net_udp_region_sum_any(uint8_t family, const uint8_t *src, const uint8_t *dst,
		   const uint8_t *udp, uint16_t off, uint16_t len,
		   uint32_t *sum)
{
	uint16_t ulen = (uint16_t)(udp[4] << 8 | udp[5]);
	uint16_t ck = (uint16_t)(udp[6] << 8 | udp[7]);
	uint16_t end = (uint16_t)(off + len);
	uint32_t others;

	/* No checksum sent (IPv4 zero; over IPv6 zero is invalid and the
	 * caller's verification catches it), a region that is not word
	 * aligned, or one outside the datagram: sum it the slow way. */
	if (ck == 0 || (off & 1u) != 0 || off < 8 || end > ulen || end < off)
		return false;
	others = pseudo_sum(family, src, dst, ulen);
	others = net_sum16(udp, 6, others);                  /* ports, length */
	if (off > 8)
		others = net_sum16(udp + 8, (size_t)(off - 8), others);
	if (end < ulen) {
		if (len & 1u) {
			/* The region's last byte and the next share a word:
			 * take the word, then the region's byte out again. */
			others = net_sum16(udp + end - 1, (size_t)(ulen - end + 1), others);
			others = sub16(others, (uint32_t)udp[end - 1] << 8);
		} else {
			others = net_sum16(udp + end, (size_t)(ulen - end), others);
		}
	}
	*sum = sub16((uint16_t)~ck, others);
	return true;
}

uint16_t
net_udp_cksum_with_any(uint8_t family, const uint8_t *src, const uint8_t *dst,
		   uint16_t sport, uint16_t dport, uint16_t ulen,
		   uint32_t payload_sum)
{
	uint32_t s = pseudo_sum(family, src, dst, ulen);
	uint16_t c;

	/* The header from its values (the UDP length twice: pseudo-header
	 * and header), not from bytes the caller has just stored. */
	s += (uint32_t)sport + dport + ulen + net_fold(payload_sum);
	c = (uint16_t)~net_fold(s);
	/* RFC 768: a computed zero is sent as all ones. */
	return c == 0 ? 0xffffu : c;
}
