/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's network layer, the pure part: functions over byte buffers that the
 * worker calls on mbuf data. No EAL calls and no allocation; DPDK headers
 * are used for their packet structs and inline checksum helpers only.
 * Every function that reads a packet is bounded by the length it is given.
 */
#ifndef DP_NET_H
#define DP_NET_H

#include <string.h>

#include "net_types.h"

/* ---- names --------------------------------------------------------------- */
const char *dp_drop_name(enum dp_drop d);

/* ---- ones-complement sums, RFC 1071 ----------------------------------------- */

/* ::, the unspecified address (RFC 4291 §2.5.2). */
static inline bool
net_ip6_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/*
 * net_sum16(): add len bytes to sum. Inline: most calls have a small
 * constant length (a pseudo-header, an IP header) and unroll to a few
 * additions. RFC 1071 §4.1: add 16-bit big-endian words; an odd trailing byte is the
 * high half of a word padded with zero. §2(B) lets the words be added in
 * the machine's own byte order and the folded result be swapped once, so
 * eight bytes go in per step (two 32-bit halves into a 64-bit sum, which
 * cannot overflow for any buffer under 2^32 bytes). Folding 64 bits to 16
 * keeps the value modulo 0xffff; a 2^16 carry is congruent to 1 in
 * ones-complement arithmetic, so nothing is lost.
 */
static inline uint32_t
net_sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t s = 0, r;
	uint16_t h;

	while (len >= 8) {
		uint64_t q;

		memcpy(&q, p, 8);
		s += (q & 0xffffffffu) + (q >> 32);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	h = (uint16_t)s;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	h = __builtin_bswap16(h);
#endif
	r = (uint64_t)sum + h;
	if (len != 0)
		r += (uint64_t)p[0] << 8;
	while (r >> 32)
		r = (r & 0xffffffffu) + (r >> 32);
	return (uint32_t)r;
}

/* RFC 1071 §4.1: fold the carries back in ("end-around carry"). */
static inline uint16_t
net_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

/* ---- UDP checksums across a relay (net/cksum_relay.c), RFC 1624 ----------- */

/*
 * The sum of udp[off .. off+len) as if it stood alone at an even offset
 * (an odd last byte the high half of a word), from the datagram's own
 * checksum and the bytes around the region, without reading the region.
 * udp points at the UDP header, whose length field bounds the datagram;
 * src and dst are the IP addresses of the family. off must be even and at
 * least 8. Returns false (and the caller sums the region itself) when the
 * datagram carries no checksum or the region is not word aligned.
 */
bool net_udp_region_sum_any(uint8_t family, const uint8_t *src, const uint8_t *dst,
			    const uint8_t *udp, uint16_t off, uint16_t len,
			    uint32_t *sum);
/*
 * The checksum of a new datagram from sport to dport, ulen bytes with
 * its header, whose payload sums to payload_sum: the region's sum (from
 * net_udp_region_sum() or net_sum16()) plus that of any head put before
 * it (ChannelData, a Data indication) at an even offset; zero padding
 * adds nothing.
 */
uint16_t net_udp_cksum_with_any(uint8_t family, const uint8_t *src,
				const uint8_t *dst, uint16_t sport, uint16_t dport,
				uint16_t ulen, uint32_t payload_sum);

/* A network-order 16-bit value as the machine loads it (and back). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NET_NATIVE16(v) ((uint16_t)__builtin_bswap16((uint16_t)(v)))
#else
#define NET_NATIVE16(v) ((uint16_t)(v))
#endif

/*
 * A 64-bit ones-complement sum folded to 16 bits in two steps, each with
 * its end-around carry; net_native_fold() of a sum of
 * network-order words loaded in the machine's order gives the value
 * net_sum16() would have made (RFC 1071 §2(B): the order may be swapped
 * once, at the end).
 */
static inline uint16_t
net_fold64(uint64_t s)
{
	uint32_t hi = (uint32_t)(s >> 32), r = (uint32_t)s + hi;
	uint16_t h16, x;

	/* the end-around carry: the sum wrapped exactly when it came out
	 * below an addend (and adding the one cannot wrap it again) */
	r += r < hi;
	h16 = (uint16_t)(r >> 16);
	x = (uint16_t)((uint16_t)r + h16);
	return (uint16_t)(x + (x < h16));
}

static inline uint32_t
net_native_fold(uint64_t s)
{
	return NET_NATIVE16(net_fold64(s));
}

/* The machine-order sum of len bytes at p (a few words: a ChannelData
 * head, padding); an odd last byte is the high half of a word. */
static inline uint64_t
net_native_sum_short(const uint8_t *p, size_t len)
{
	uint64_t s = 0;

	for (; len >= 4; p += 4, len -= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		s += w;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	if (len != 0)
		s += NET_NATIVE16((uint16_t)p[0] << 8);
	return s;
}

/*
 * net_udp_region_sum_any() and net_udp_cksum_with_any(), with IPv4's
 * common case inline: every relayed packet asks both, and out of line
 * with a runtime family they were some 140 instructions a packet. The
 * others are summed in the machine's order in one accumulator (the
 * pseudo-header's length and the header's are the same field) and
 * swapped once at the end.
 */
static inline bool
net_udp_region_sum(uint8_t family, const uint8_t *src, const uint8_t *dst,
		   const uint8_t *udp, uint16_t off, uint16_t len, uint32_t *sum)
{
	uint32_t a, b, ports;
	uint16_t ulen_n, ck_n, ulen, end = (uint16_t)(off + len);
	uint64_t o;

	memcpy(&ulen_n, udp + 4, 2);
	memcpy(&ck_n, udp + 6, 2);
	ulen = NET_NATIVE16(ulen_n);
	if (family != NET_AF_IPV4 || ((off | len) & 1u) != 0 || ck_n == 0 || off < 8 ||
	    end > ulen || end < off)
		return net_udp_region_sum_any(family, src, dst, udp, off, len, sum);
	memcpy(&a, src, 4);
	memcpy(&b, dst, 4);
	memcpy(&ports, udp, 4);
	o = (uint64_t)a + b + ports + 2u * (uint64_t)ulen_n + NET_NATIVE16(17);
	if (off > 8)
		o += net_native_sum_short(udp + 8, (size_t)(off - 8));
	if (end < ulen)
		o += net_native_sum_short(udp + end, (size_t)(ulen - end));
	/* ~ck less the others (RFC 1624 §3: a - b is a + ~b) */
	o = (uint64_t)(uint16_t)~ck_n + (uint16_t)~net_fold64(o);
	*sum = net_native_fold(o);
	return true;
}

static inline uint16_t
net_udp_cksum_with(uint8_t family, const uint8_t *src, const uint8_t *dst,
		   uint16_t sport, uint16_t dport, uint16_t ulen, uint32_t payload_sum)
{
	uint32_t a, b;
	uint64_t n;
	uint16_t c;

	if (family != NET_AF_IPV4)
		return net_udp_cksum_with_any(family, src, dst, sport, dport, ulen,
					      payload_sum);
	memcpy(&a, src, 4);
	memcpy(&b, dst, 4);
	/* the payload's sum (folded first: it may be any 32-bit value) */
	payload_sum = (payload_sum & 0xffffu) + (payload_sum >> 16);
	payload_sum = (payload_sum & 0xffffu) + (payload_sum >> 16);
	n = (uint64_t)a + b + NET_NATIVE16(17) + 2u * (uint64_t)NET_NATIVE16(ulen) +
	    NET_NATIVE16(sport) + NET_NATIVE16(dport) + NET_NATIVE16(payload_sum);
	c = (uint16_t)~net_native_fold(n);
	/* RFC 768: a computed zero is sent as all ones. */
	return c == 0 ? 0xffffu : c;
}

/* ---- IPv4 (net/ipv4.c) ---------------------------------------------------- */

/*
 * Validate an IPv4 header at p (len bytes available, Ethernet padding
 * allowed after total_len): version 4, IHL >= 5 and within the buffer,
 * total length within [IHL*4, len], header checksum (skipped when
 * csum_ok says the NIC verified it), TTL > 0, not a fragment, source not
 * multicast/broadcast/0/loopback. Fills out and returns DP_DROP_NONE, or
 * the drop reason.
 */
enum dp_drop ipv4_validate(const uint8_t *p, size_t len, bool csum_ok,
			   struct ipv4_info *out);

/* Write a 20-byte IPv4 header (no options, DF set, ident 0) with its
 * checksum; total_len includes the header; ds the DS field's byte
 * (RFC 2474: DSCP << 2, the ECN bits of RFC 3168 below it). */
static inline void
ipv4_build_hdr_ds(uint8_t *p, const uint8_t src[4], const uint8_t dst[4],
		  uint8_t proto, uint8_t ttl, uint16_t total_len, uint8_t ds)
{
	uint32_t s, d, w2;
	uint64_t w0;
	uint16_t c;

	/* src and dst may point into the header being rewritten (a reply
	 * built in place): read them before writing anything. */
	memcpy(&s, src, 4);
	memcpy(&d, dst, 4);
	/* The header as the words it is in memory (version 4, IHL 5: no
	 * options; the identification 0 with DF set, RFC 6864 §4.1), summed
	 * in the machine's order (RFC 1071 §2(B): the sum stored as it
	 * comes out is right in either order) and stored in four writes:
	 * from the values, never by reading back narrow stores, which the
	 * store buffer cannot forward. Inline: every packet dp sends over
	 * IPv4 has one, and the call was a third of its cost. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w0 = 0x45u | (uint64_t)ds << 8 | (uint64_t)__builtin_bswap16(total_len) << 16 |
	     (uint64_t)0x40u << 48;
	w2 = (uint32_t)ttl | (uint32_t)proto << 8;
#else
	w0 = (uint64_t)0x45u << 56 | (uint64_t)ds << 48 | (uint64_t)total_len << 32 |
	     0x4000u;
	w2 = (uint32_t)ttl << 24 | (uint32_t)proto << 16;
#endif
	c = (uint16_t)~net_fold64((w0 & 0xffffffffu) + (w0 >> 32) + w2 + s + d);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w2 |= (uint32_t)c << 16;
#else
	w2 |= c;
#endif
	memcpy(p, &w0, 8);
	memcpy(p + 8, &w2, 4);
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
}

static inline void
ipv4_build_hdr(uint8_t *p, const uint8_t src[4], const uint8_t dst[4],
	       uint8_t proto, uint8_t ttl, uint16_t total_len)
{
	ipv4_build_hdr_ds(p, src, dst, proto, ttl, total_len, 0);
}

/* Is dst on the prefix addr/plen? (IPv4: 4 bytes; IPv6: 16.) */
bool net_prefix_match(uint8_t family, const uint8_t *addr, uint8_t plen,
		      const uint8_t *dst);

/* The same for IPv4, as words: every routed packet asks (dp_route()). */
static inline bool
net_prefix_match4(const uint8_t addr[4], uint8_t plen, const uint8_t dst[4])
{
	uint32_t a, d, mask;

	if (plen > 32)
		return false;
	memcpy(&a, addr, 4);
	memcpy(&d, dst, 4);
	/* network order (a shift by 32 is undefined: /0 is every address) */
	mask = plen == 0 ? 0 : ~UINT32_C(0) << (32 - plen);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	mask = __builtin_bswap32(mask);
#endif
	return ((a ^ d) & mask) == 0;
}

/* ---- IPv6 (net/ipv6.c) ---------------------------------------------------- */

/*
 * Validate a fixed IPv6 header: version 6, payload length within the
 * buffer, hop limit > 0, source not multicast/loopback, next header
 * one we handle directly (UDP 17, TCP 6, ICMPv6 58) — extension headers
 * are counted as DP_DROP_IP6_EXT_HDR.
 */
enum dp_drop ipv6_validate(const uint8_t *p, size_t len,
			   struct ipv6_info *out);

/* A fixed IPv6 header, flow label 0, traffic class tc (RFC 8200 §7: the
 * DS field's byte as IPv4 carries it). */
void ipv6_build_hdr_tc(uint8_t *p, const uint8_t src[16], const uint8_t dst[16],
		       uint8_t next_hdr, uint8_t hop_limit, uint16_t payload_len, uint8_t tc);

static inline void
ipv6_build_hdr(uint8_t *p, const uint8_t src[16], const uint8_t dst[16],
	       uint8_t next_hdr, uint8_t hop_limit, uint16_t payload_len)
{
	ipv6_build_hdr_tc(p, src, dst, next_hdr, hop_limit, payload_len, 0);
}

/* Solicited-node multicast address ff02::1:ffXX:XXXX of ip (RFC 4291
 * §2.7.1) and the Ethernet multicast MAC 33:33:xx:xx:xx:xx of an IPv6
 * multicast address (RFC 2464 §7). */
void ipv6_solicited_node(const uint8_t ip[16], uint8_t out[16]);
void ipv6_mcast_mac(const uint8_t ip[16], uint8_t mac[6]);

/* Upper-layer checksum with the IPv6 pseudo-header (RFC 8200 §8.1), over
 * l4 (len bytes, checksum field included as it stands): the ones-complement
 * of the sum. With the field zeroed it is the value to store (UDP stores a
 * computed 0 as 0xffff); over a received packet a valid one gives 0. */
uint16_t ipv6_l4_cksum(const uint8_t src[16], const uint8_t dst[16],
		       uint8_t proto, const uint8_t *l4, size_t len);
/* The same with the IPv4 pseudo-header. */
uint16_t ipv4_l4_cksum(const uint8_t src[4], const uint8_t dst[4],
		       uint8_t proto, const uint8_t *l4, size_t len);

/* ---- ARP (net/arp.c) ------------------------------------------------------ */

/* Parse an ARP payload (after the Ethernet header): Ethernet/IPv4 only,
 * op 1 or 2. Returns DP_DROP_NONE or DP_DROP_ARP_MALFORMED. */
enum dp_drop arp_parse(const uint8_t *p, size_t len, struct arp_info *out);
/* Write a 28-byte ARP payload; returns 28. */
size_t arp_build(uint8_t *p, uint16_t op, const uint8_t sha[6],
		 const uint8_t spa[4], const uint8_t tha[6], const uint8_t tpa[4]);

/* ---- Neighbour discovery (net/nd.c) --------------------------------------- */

/*
 * Parse an ICMPv6 NS or NA (RFC 4861 §7.1.1/§7.1.2 validity: hop limit
 * 255, code 0, length >= 24, checksum over the pseudo-header, target not
 * multicast, options of non-zero length within the buffer). ip6 is the
 * IPv6 header that carried it. Returns DP_DROP_NONE or DP_DROP_ND_MALFORMED.
 */
enum dp_drop nd_parse(const struct ipv6_info *ip6, const uint8_t *icmp,
		      size_t len, struct nd_info *out);
/*
 * Build a complete IPv6 packet (header + ICMPv6) holding an NS for target
 * (to its solicited-node group, with our source link-layer option) or an
 * NA (solicited flag as given, override set, with our target link-layer
 * option). Returns its length (72 for NS, 72 for NA), or 0 if cap is short.
 */
size_t nd_build_ns(uint8_t *p, size_t cap, const uint8_t src[16],
		   const uint8_t mac[6], const uint8_t target[16]);
size_t nd_build_na(uint8_t *p, size_t cap, const uint8_t src[16],
		   const uint8_t dst[16], const uint8_t mac[6],
		   const uint8_t target[16], bool solicited);

/* ---- ICMP and ICMPv6 (net/icmp.c) ----------------------------------------- */

/*
 * Turn an ICMP echo request (the ICMP message at icmp, len bytes, checksum
 * verified here) into the echo reply in place: type 0 and the checksum
 * updated. Returns DP_DROP_NONE, DP_DROP_ICMP_MALFORMED or DP_DROP_ICMP_TYPE
 * (not an echo request). The caller swaps the IP addresses.
 */
enum dp_drop icmp4_echo_reply(uint8_t *icmp, size_t len);
/* The same for ICMPv6 (type 128 -> 129), checksum with the pseudo-header:
 * src/dst are the request's addresses. */
enum dp_drop icmp6_echo_reply(uint8_t *icmp, size_t len, const uint8_t src[16],
			      const uint8_t dst[16]);

/*
 * Build a complete IPv4 packet holding ICMP destination unreachable
 * (type 3, code) about the offending IPv4 packet orig (orig_len bytes):
 * from src to orig's source, quoting as much of orig as keeps the whole
 * packet within 576 bytes (RFC 1812 §4.3.2.3). Returns the length, or 0
 * if cap is too small or orig is itself an ICMP error, a fragment, or
 * sent to/from a broadcast or multicast address (RFC 1122 §3.2.2).
 */
size_t icmp4_build_unreach(uint8_t *p, size_t cap, const uint8_t src[4],
			   uint8_t code, const uint8_t *orig, size_t orig_len);
/* ICMPv6 destination unreachable (type 1, code; 4 = port unreachable)
 * within 1280 bytes (RFC 4443 §3.1, §2.4(c)); same refusals. */
size_t icmp6_build_unreach(uint8_t *p, size_t cap, const uint8_t src[16],
			   uint8_t code, const uint8_t *orig, size_t orig_len);

/* Token bucket: allow up to rate_per_s with bursts of burst; hz is the
 * clock's units per second. net_ratelimit_allow() takes one token. */
void net_ratelimit_init(struct net_ratelimit *r, uint64_t rate_per_s,
			uint64_t burst, uint64_t hz, uint64_t now);
bool net_ratelimit_allow(struct net_ratelimit *r, uint64_t now);

/* ---- neighbour cache (net/neigh.c) ---------------------------------------- */

/* Set up t over entries[size] (size a power of two; entries zeroed here). */
int neigh_table_init(struct neigh_table *t, struct neigh_entry *entries,
		     uint32_t size, uint32_t queue_max, uint64_t reachable_time,
		     uint64_t retry_time, uint32_t max_probes,
		     void (*free_pkt)(void *pkt, void *arg), void *free_arg);

/*
 * Find the MAC for (family, ip) to send pkt through port:
 * - REACHABLE: fills mac, returns NEIGH_RES_READY;
 * - STALE: fills mac, returns NEIGH_RES_READY and sets *probe when a
 *   re-resolution probe is due (unicast confirmation is not required:
 *   a broadcast/multicast probe is fine);
 * - unknown: creates an INCOMPLETE entry, queues pkt, sets *probe;
 * - INCOMPLETE: queues pkt (bounded by queue_max) — NEIGH_RES_DROPPED when
 *   full (the caller frees pkt and counts it); *probe set when due.
 * pkt may be NULL to only look up (never queued).
 */
enum neigh_result neigh_resolve(struct neigh_table *t, uint8_t family,
				const uint8_t *ip, uint8_t port, void *pkt,
				uint64_t now, uint8_t mac[6], bool *probe);

/*
 * Record that (family, ip) is at mac on port (from an ARP packet or an
 * NA). create: add an entry if none exists (an ARP request addressed to
 * us, an NS for our address, a solicited NA); otherwise only refresh one
 * we have. Moves the entry to REACHABLE and hands its queued packets to
 * the caller in out[] (up to out_max; the rest are freed with free_pkt).
 * Returns the number of packets in out.
 */
unsigned int neigh_update(struct neigh_table *t, uint8_t family,
			  const uint8_t *ip, uint8_t port, const uint8_t mac[6],
			  uint64_t now, bool create, void **out,
			  unsigned int out_max);

/*
 * Age the table: REACHABLE past reachable_time -> STALE; STALE unused
 * past stale_time -> freed; INCOMPLETE whose probe is due -> probe(arg, e)
 * again, or, after max_probes, its queued packets freed (counted in
 * t->failed) and the entry freed. Call it a few times a second.
 */
void neigh_tick(struct neigh_table *t, uint64_t now,
		void (*probe)(void *arg, const struct neigh_entry *e),
		void *arg);

/* Lookup without side effects (for statistics and tests). */
const struct neigh_entry *neigh_lookup(const struct neigh_table *t,
				       uint8_t family, const uint8_t *ip);

#endif /* DP_NET_H */
