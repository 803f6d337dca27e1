/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 for a host that does not forward: validation of a received header
 * (RFC 791 §3.1, RFC 1122 §3.2.1), building the 20-byte header of what we
 * send, the Internet checksum (RFC 1071) both for headers and for upper
 * layers over the IPv4 pseudo-header (RFC 768, RFC 9293 §3.1), and prefix
 * matching for the route lookup. Every read is bounded by the length the
 * caller gives; nothing here allocates or touches an mbuf.
 *
 * The checksum helpers are big-endian by construction (bytes are combined
 * into 16-bit words explicitly), so their results can be stored with two
 * byte writes on any host.
 */
#include <string.h>

#include "net.h"

/* Offsets in the IPv4 header (RFC 791 §3.1). */
#define IP4_VER_IHL   0
#define IP4_TOTAL_LEN 2
#define IP4_FRAG      6
#define IP4_TTL       8
#define IP4_PROTO     9
#define IP4_CKSUM     10
#define IP4_SRC       12
#define IP4_DST       16
#define IP4_MIN_HDR   20

#define IP4_FLAG_DF   0x4000u
#define IP4_FLAG_MF   0x2000u
#define IP4_OFF_MASK  0x1fffu

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned int)p[0] << 8 | p[1]);
}

/*
 * Sources no single host can have: "this network" 0/8 (RFC 1122
 * §3.2.1.3(a), 0.0.0.0 included), loopback 127/8 (§3.2.1.3(g): never on
 * a wire), multicast 224/4, class E 240/4 and limited broadcast
 * 255.255.255.255 (§3.2.1.3, RFC 1812 §5.3.7).
 */
static bool
ipv4_src_bad(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

enum dp_drop
ipv4_validate(const uint8_t *p, size_t len, bool csum_ok,
	      struct ipv4_info *out)
{
	size_t ihl, total;
	uint16_t frag;

	if (len < IP4_MIN_HDR)
		return DP_DROP_IP4_SHORT;
	/* RFC 1122 §3.2.1.1: silently discard a wrong version. */
	if ((p[IP4_VER_IHL] >> 4) != 4)
		return DP_DROP_IP4_VERSION;
	ihl = (size_t)(p[IP4_VER_IHL] & 0x0fu) * 4u;
	if (ihl < IP4_MIN_HDR || ihl > len)
		return DP_DROP_IP4_HDR_LEN;
	/* Total length covers header and data; what lies beyond it in the
	 * buffer is Ethernet padding (a 60-byte minimum frame). */
	total = rd16(p + IP4_TOTAL_LEN);
	if (total < ihl || total > len)
		return DP_DROP_IP4_TOTAL_LEN;
	/* RFC 1122 §3.2.1.2: verify the header checksum; a valid header,
	 * checksum field included, sums to 0xffff. */
	if (!csum_ok) {
		uint16_t sum;

		if (ihl == IP4_MIN_HDR) {
			/* No options (nearly every packet): three loads
			 * summed in the machine's order (RFC 1071 §2(B):
			 * 0xffff is 0xffff in either). */
			uint64_t a, b;
			uint32_t c;

			memcpy(&a, p, 8);
			memcpy(&b, p + 8, 8);
			memcpy(&c, p + 16, 4);
			sum = net_fold64((a & 0xffffffffu) + (a >> 32) +
					 (b & 0xffffffffu) + (b >> 32) + c);
		} else {
			sum = net_fold(net_sum16(p, ihl, 0));
		}
		if (sum != 0xffffu)
			return DP_DROP_IP4_CHECKSUM;
	}
	/* RFC 791 §3.1 "Time to Live": a datagram with TTL 0 must be
	 * destroyed; it never should have been sent. */
	if (p[IP4_TTL] == 0)
		return DP_DROP_IP4_TTL;
	/* MF set or a non-zero offset: a fragment. We do not reassemble
	 * (RFC 791 §3.2 leaves reassembly to a host; we choose to drop). */
	frag = rd16(p + IP4_FRAG);
	if ((frag & (IP4_FLAG_MF | IP4_OFF_MASK)) != 0)
		return DP_DROP_IP4_FRAGMENT;
	if (ipv4_src_bad(p + IP4_SRC))
		return DP_DROP_IP4_BAD_SRC;

	out->hdr_len = (uint8_t)ihl;
	out->proto = p[IP4_PROTO];
	out->ttl = p[IP4_TTL];
	out->total_len = (uint16_t)total;
	memcpy(out->src, p + IP4_SRC, 4);
	memcpy(out->dst, p + IP4_DST, 4);
	return DP_DROP_NONE;
}

/*
 * RFC 768 (UDP), RFC 9293 §3.1 (TCP); ICMP (RFC 792) sums only its
 * message. The pseudo-header is source, destination, a zero byte, the
 * protocol and the upper-layer length. The result is the complement of
 * the whole sum: the value to store when the checksum field was zero
 * (UDP sends a computed 0 as 0xffff), and 0 over a received segment
 * whose checksum is right.
 */
uint16_t
ipv4_l4_cksum(const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
	      const uint8_t *l4, size_t len)
{
	uint32_t sum;

	sum = net_sum16(src, 4, 0);
	sum = net_sum16(dst, 4, sum);
	sum += proto;
	sum += (uint32_t)(len & 0xffffu);
	sum = net_sum16(l4, len, sum);
	return (uint16_t)~net_fold(sum);
}

bool
net_prefix_match(uint8_t family, const uint8_t *addr, uint8_t plen,
		 const uint8_t *dst)
{
	unsigned int max = family == NET_AF_IPV4 ? 32u : 128u;
	unsigned int bytes = plen / 8u, bits = plen % 8u;

	if (family == NET_AF_IPV4)
		return net_prefix_match4(addr, plen, dst);
	if (family != NET_AF_IPV6)
		return false;
	if (plen > max)
		return false;
	if (memcmp(addr, dst, bytes) != 0)
		return false;
	if (bits != 0) {
		uint8_t mask = (uint8_t)(0xffu << (8u - bits));

		if (((addr[bytes] ^ dst[bytes]) & mask) != 0)
			return false;
	}
	return true;
}
