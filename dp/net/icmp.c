/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP (RFC 792, RFC 1122 §3.2.2) and ICMPv6 (RFC 4443): echo replies
 * made in place, destination-unreachable errors quoting the offending
 * packet within the size limits, never about another error or a
 * group-addressed packet, and the token bucket that limits how many
 * errors leave (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)).
 */
#include <string.h>

#include "net.h"

enum dp_drop
icmp4_echo_reply(uint8_t *icmp, size_t len)
{
	uint32_t sum;

	if (len < 8 || net_fold(net_sum16(icmp, len, 0)) != 0xffffu)
		return DP_DROP_ICMP_MALFORMED;
	if (icmp[0] != 8 || icmp[1] != 0)
		return DP_DROP_ICMP_TYPE;
	/* Type 8 -> 0: the sum drops by 0x0800; adjust (RFC 1624). */
	icmp[0] = 0;
	icmp[2] = icmp[3] = 0;
	sum = net_sum16(icmp, len, 0);
	{
		uint16_t c = (uint16_t)~net_fold(sum);

		icmp[2] = (uint8_t)(c >> 8);
		icmp[3] = (uint8_t)c;
	}
	return DP_DROP_NONE;
}

enum dp_drop
icmp6_echo_reply(uint8_t *icmp, size_t len, const uint8_t src[16],
		 const uint8_t dst[16])
{
	uint16_t c;

	if (len < 8 || ipv6_l4_cksum(src, dst, 58, icmp, len) != 0)
		return DP_DROP_ICMP_MALFORMED;
	if (icmp[0] != 128 || icmp[1] != 0)
		return DP_DROP_ICMP_TYPE;
	icmp[0] = 129;
	icmp[2] = icmp[3] = 0;
	/* The reply goes from dst to src: the pseudo-header sum is the same. */
	c = ipv6_l4_cksum(dst, src, 58, icmp, len);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return DP_DROP_NONE;
}

size_t
icmp4_build_unreach(uint8_t *p, size_t cap, const uint8_t src[4], uint8_t code,
		    const uint8_t *orig, size_t orig_len)
{
	size_t ihl, quote, total;
	uint8_t *icmp;
	uint16_t c;

	if (orig_len < 20)
		return 0;
	ihl = (size_t)(orig[0] & 0x0fu) * 4u;
	if (ihl < 20 || ihl > orig_len)
		return 0;
	/* RFC 1122 §3.2.2: not about an ICMP error, a non-first fragment,
	 * or a packet from/to a group or unspecified address. */
	if (orig[9] == 1 && orig_len >= ihl + 1) {
		uint8_t t = orig[ihl];

		if (t == 3 || t == 4 || t == 5 || t == 11 || t == 12)
			return 0;
	}
	if ((((orig[6] << 8) | orig[7]) & 0x1fffu) != 0)
		return 0;
	if (orig[12] == 0 || orig[12] >= 224 || orig[16] >= 224 ||
	    (orig[16] == 255 && orig[17] == 255 && orig[18] == 255 && orig[19] == 255))
		return 0;
	/* RFC 1812 §4.3.2.3: as much as fits in 576 bytes. */
	quote = orig_len;
	if (20 + 8 + quote > 576)
		quote = 576 - 28;
	total = 28 + quote;
	if (cap < total)
		return 0;
	icmp = p + 20;
	memmove(icmp + 8, orig, quote);
	icmp[0] = 3;
	icmp[1] = code;
	icmp[2] = icmp[3] = 0;
	icmp[4] = icmp[5] = icmp[6] = icmp[7] = 0;
	c = (uint16_t)~net_fold(net_sum16(icmp, 8 + quote, 0));
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	ipv4_build_hdr(p, src, icmp + 8 + 12, 1, 64, (uint16_t)total);
	return total;
}

size_t
icmp6_build_unreach(uint8_t *p, size_t cap, const uint8_t src[16], uint8_t code,
		    const uint8_t *orig, size_t orig_len)
{
	static const uint8_t unspec[16];
	size_t quote, total;
	uint8_t *icmp;
	uint16_t c;

	if (orig_len < 40)
		return 0;
	/* RFC 4443 §2.4(e): not about an error message (type < 128), not
	 * for a multicast destination, not to :: or a group source. */
	if (orig[6] == 58 && orig_len >= 41 && orig[40] < 128)
		return 0;
	if (orig[24] == 0xff || orig[8] == 0xff || memcmp(orig + 8, unspec, 16) == 0)
		return 0;
	/* §2.4(c): within the minimum MTU, 1280. */
	quote = orig_len;
	if (40 + 8 + quote > 1280)
		quote = 1280 - 48;
	total = 48 + quote;
	if (cap < total)
		return 0;
	icmp = p + 40;
	memmove(icmp + 8, orig, quote);
	ipv6_build_hdr(p, src, icmp + 8 + 8, 58, 64, (uint16_t)(8 + quote));
	icmp[0] = 1;
	icmp[1] = code;
	icmp[2] = icmp[3] = 0;
	icmp[4] = icmp[5] = icmp[6] = icmp[7] = 0;
	c = ipv6_l4_cksum(p + 8, p + 24, 58, icmp, 8 + quote);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return total;
}

void
net_ratelimit_init(struct net_ratelimit *r, uint64_t rate_per_s, uint64_t burst,
		   uint64_t hz, uint64_t now)
{
	r->rate_per_s = rate_per_s;
	r->burst = burst ? burst : 1;
	r->hz = hz ? hz : 1;
	r->tokens_x1000 = r->burst * 1000u;
	r->last = now;
}

bool
net_ratelimit_allow(struct net_ratelimit *r, uint64_t now)
{
	if (now > r->last) {
		/* milli-tokens earned since last: elapsed * rate * 1000 / hz */
		uint64_t elapsed = now - r->last;
		uint64_t earned = elapsed / r->hz * r->rate_per_s * 1000u +
				  elapsed % r->hz * r->rate_per_s * 1000u / r->hz;

		r->tokens_x1000 += earned;
		if (r->tokens_x1000 > r->burst * 1000u)
			r->tokens_x1000 = r->burst * 1000u;
		r->last = now;
	}
	if (r->tokens_x1000 < 1000u)
		return false;
	r->tokens_x1000 -= 1000u;
	return true;
}
