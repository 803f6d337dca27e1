/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP (RFC 792, RFC 1122 §3.2.2) and ICMPv6 (RFC 4443), what a host
 * that does not forward must say: echo replies made in place from the
 * request, destination-unreachable errors that quote the offending
 * packet within the size limits (576 bytes for IPv4, RFC 1812 §4.3.2.3;
 * the IPv6 minimum MTU of 1280, RFC 4443 §2.4(c)) and are never sent
 * about another error or a packet that was not for one host, and the
 * token bucket that limits how many errors leave (RFC 1812 §4.3.2.8,
 * RFC 4443 §2.4(f)). Sending, and choosing when an error is due, is the
 * caller's business.
 */
#include <string.h>

#include "net.h"

#define ICMP4_ECHO_REPLY    0
#define ICMP4_UNREACH       3
#define ICMP4_ECHO_REQUEST  8
#define ICMP6_UNREACH       1
#define ICMP6_ECHO_REQUEST  128
#define ICMP6_ECHO_REPLY    129
#define ICMP_HDR            8
#define PROTO_ICMP          1
#define PROTO_ICMP6         58
#define IP4_MIN_HDR         20
#define IP6_HDR             40
#define ICMP4_ERR_MAX       576     /* RFC 1812 §4.3.2.3 */
#define ICMP6_ERR_MAX       1280    /* RFC 4443 §2.4(c) */
#define ERR_TTL             64

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned int)p[0] << 8 | p[1]);
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

enum dp_drop
icmp4_echo_reply(uint8_t *icmp, size_t len)
{
	if (len < ICMP_HDR)
		return DP_DROP_ICMP_MALFORMED;
	/* RFC 792: the checksum covers the whole message; over a right
	 * one the sum is 0xffff. */
	if (net_fold(net_sum16(icmp, len, 0)) != 0xffffu)
		return DP_DROP_ICMP_MALFORMED;
	if (icmp[0] != ICMP4_ECHO_REQUEST)
		return DP_DROP_ICMP_TYPE;
	/* RFC 792 "Echo or Echo Reply": type 0, code 0, the identifier,
	 * sequence number and data returned unchanged (RFC 1122 §3.2.2.6).
	 * The checksum is computed again rather than adjusted (RFC 1624):
	 * when identifier, sequence and data are all zero the only valid
	 * checksum is 0xffff, and an incremental update, unable to tell
	 * +0 from -0, would give 0x0000. Echo is not the fast path. */
	icmp[0] = ICMP4_ECHO_REPLY;
	icmp[1] = 0;
	wr16(icmp + 2, 0);
	wr16(icmp + 2, (uint16_t)~net_fold(net_sum16(icmp, len, 0)));
	return DP_DROP_NONE;
}

enum dp_drop
icmp6_echo_reply(uint8_t *icmp, size_t len, const uint8_t src[16],
		 const uint8_t dst[16])
{
	if (len < ICMP_HDR)
		return DP_DROP_ICMP_MALFORMED;
	/* RFC 4443 §2.3: checksum with the pseudo-header; 0 over a right
	 * one. */
	if (ipv6_l4_cksum(src, dst, PROTO_ICMP6, icmp, len) != 0)
		return DP_DROP_ICMP_MALFORMED;
	if (icmp[0] != ICMP6_ECHO_REQUEST)
		return DP_DROP_ICMP_TYPE;
	/* RFC 4443 §4.2: type 129, code 0, the rest from the request; the
	 * reply goes from dst to src (the pseudo-header sum is the same). */
	icmp[0] = ICMP6_ECHO_REPLY;
	icmp[1] = 0;
	wr16(icmp + 2, 0);
	wr16(icmp + 2, ipv6_l4_cksum(dst, src, PROTO_ICMP6, icmp, len));
	return DP_DROP_NONE;
}

/* RFC 1122 §3.2.2: ICMP error types (unreachable, source quench,
 * redirect, time exceeded, parameter problem). */
static bool
icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* RFC 1122 §3.2.2: "a datagram whose source address does not define a
 * single host": zero, loopback, broadcast, multicast or class E. */
static bool
ip4_src_not_a_host(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

size_t
icmp4_build_unreach(uint8_t *p, size_t cap, const uint8_t src[4], uint8_t code,
		    const uint8_t *orig, size_t orig_len)
{
	uint8_t to[4], from[4];
	size_t ihl, total, quote;
	uint16_t tl, frag;
	uint8_t *icmp;

	if (orig_len < IP4_MIN_HDR || (orig[0] >> 4) != 4)
		return 0;
	ihl = (size_t)(orig[0] & 0x0fu) * 4u;
	if (ihl < IP4_MIN_HDR || ihl > orig_len)
		return 0;
	/* Quote the datagram, not the Ethernet padding after it. */
	tl = rd16(orig + 2);
	if (tl >= ihl && tl < orig_len)
		orig_len = tl;
	frag = rd16(orig + 6);
	/* RFC 1122 §3.2.2: not about a non-first fragment. */
	if ((frag & 0x1fffu) != 0)
		return 0;
	/* Nor about an ICMP error; when the type cannot be read, assume
	 * the worst. */
	if (orig[9] == PROTO_ICMP &&
	    (orig_len <= ihl || icmp4_is_error(orig[ihl])))
		return 0;
	/* Nor about a datagram to a broadcast or multicast address (224/4
	 * and up: multicast, class E, 255.255.255.255), nor from an address
	 * that is not one host. A subnet-directed broadcast cannot be told
	 * from here: the caller only passes datagrams addressed to us. */
	if (orig[16] >= 224 || ip4_src_not_a_host(orig + 12))
		return 0;

	/* RFC 1812 §4.3.2.3: as much of the datagram as keeps the error
	 * within 576 bytes (RFC 1122 §3.2.2 asks for at least the header
	 * and 8 bytes). */
	quote = orig_len;
	if (IP4_MIN_HDR + ICMP_HDR + quote > ICMP4_ERR_MAX)
		quote = ICMP4_ERR_MAX - IP4_MIN_HDR - ICMP_HDR;
	total = IP4_MIN_HDR + ICMP_HDR + quote;
	if (cap < total)
		return 0;

	/* orig may share memory with p: save what we need, then move. */
	memcpy(to, orig + 12, 4);
	memcpy(from, src, 4);
	icmp = p + IP4_MIN_HDR;
	memmove(icmp + ICMP_HDR, orig, quote);
	/* RFC 792 "Destination Unreachable Message": type 3, code, the
	 * checksum, 4 unused bytes (RFC 1191's next-hop MTU for code 4 is
	 * not produced here), then the quote. */
	icmp[0] = ICMP4_UNREACH;
	icmp[1] = code;
	memset(icmp + 2, 0, 6);
	wr16(icmp + 2, (uint16_t)~net_fold(net_sum16(icmp, ICMP_HDR + quote, 0)));
	ipv4_build_hdr(p, from, to, PROTO_ICMP, ERR_TTL, (uint16_t)total);
	return total;
}

size_t
icmp6_build_unreach(uint8_t *p, size_t cap, const uint8_t src[16], uint8_t code,
		    const uint8_t *orig, size_t orig_len)
{
	static const uint8_t unspec[16];
	uint8_t to[16], from[16];
	size_t total, quote, plen;
	uint8_t *icmp;

	if (orig_len < IP6_HDR || (orig[0] >> 4) != 6)
		return 0;
	plen = rd16(orig + 4);
	if (plen + IP6_HDR < orig_len)
		orig_len = plen + IP6_HDR;      /* drop link padding */
	/* RFC 4443 §2.4(e.1): not about an ICMPv6 error message (type <
	 * 128); unreadable counts as one. Extension headers are not
	 * walked here (ipv6_validate drops packets that carry them). */
	if (orig[6] == PROTO_ICMP6 &&
	    (orig_len <= IP6_HDR || orig[IP6_HDR] < 128))
		return 0;
	/* §2.4(e.2): not about a packet to a multicast address (the
	 * Packet Too Big and Parameter Problem exceptions never apply to
	 * a port unreachable, and we keep it simple); §2.4(e.6): not to a
	 * source that does not identify one node. Link-layer multicast and
	 * broadcast (§2.4(e.3), (e.4)) are the caller's to check. */
	if (orig[24] == 0xff || orig[8] == 0xff ||
	    memcmp(orig + 8, unspec, 16) == 0)
		return 0;

	/* §2.4(c): as much of the packet as fits within the minimum MTU. */
	quote = orig_len;
	if (IP6_HDR + ICMP_HDR + quote > ICMP6_ERR_MAX)
		quote = ICMP6_ERR_MAX - IP6_HDR - ICMP_HDR;
	total = IP6_HDR + ICMP_HDR + quote;
	if (cap < total)
		return 0;

	memcpy(to, orig + 8, 16);
	memcpy(from, src, 16);
	icmp = p + IP6_HDR;
	memmove(icmp + ICMP_HDR, orig, quote);
	/* §3.1: type 1, code, checksum, 4 unused bytes, the quote. */
	icmp[0] = ICMP6_UNREACH;
	icmp[1] = code;
	memset(icmp + 2, 0, 6);
	ipv6_build_hdr(p, from, to, PROTO_ICMP6, ERR_TTL,
		       (uint16_t)(ICMP_HDR + quote));
	wr16(icmp + 2, ipv6_l4_cksum(from, to, PROTO_ICMP6, icmp,
				     ICMP_HDR + quote));
	return total;
}

/*
 * The bucket holds milli-tokens, so rates below one per clock unit need
 * no floating point. Credit is a function of absolute time,
 * floor(t * rate * 1000 / hz), and a call earns the difference between
 * its time and the last call's: the differences telescope, so frequent
 * callers are not starved by rounding and coarse clocks gain nothing
 * either (the first token after a drain may come up to one milli-token's
 * time early, as credit runs on a grid of absolute time). The bucket
 * starts full; rate 0 means the first burst and nothing after it.
 * Bounds: hz * rate_per_s * 1000 and (now / hz) * rate_per_s * 1000 must
 * fit in 64 bits (a 4 GHz TSC allows 4.6 million per second).
 */
void
net_ratelimit_init(struct net_ratelimit *r, uint64_t rate_per_s, uint64_t burst,
		   uint64_t hz, uint64_t now)
{
	r->rate_per_s = rate_per_s;
	r->burst = burst;
	r->hz = hz != 0 ? hz : 1;
	r->tokens_x1000 = burst * 1000u;
	r->last = now;
}

/* Milli-tokens credited from time 0 to t: floor(t * rate / hz). */
static uint64_t
credit_at(const struct net_ratelimit *r, uint64_t t, uint64_t rate)
{
	return t / r->hz * rate + t % r->hz * rate / r->hz;
}

bool
net_ratelimit_allow(struct net_ratelimit *r, uint64_t now)
{
	uint64_t cap = r->burst * 1000u;
	uint64_t rate = r->rate_per_s * 1000u;  /* milli-tokens per second */

	/* A clock stepping backwards earns nothing (and last stays). */
	if (now > r->last) {
		uint64_t earned = credit_at(r, now, rate) -
				  credit_at(r, r->last, rate);

		if (r->tokens_x1000 >= cap || cap - r->tokens_x1000 <= earned)
			r->tokens_x1000 = cap;
		else
			r->tokens_x1000 += earned;
		r->last = now;
	}
	if (r->tokens_x1000 < 1000u)
		return false;
	r->tokens_x1000 -= 1000u;
	return true;
}
