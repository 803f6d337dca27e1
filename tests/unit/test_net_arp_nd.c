/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net ARP and neighbour discovery: arp_parse on requests, replies,
 * padding and each malformed field; arp_build byte for byte and in
 * place; nd_parse on valid solicitations and advertisements and on every
 * RFC 4861 §7.1.1/§7.1.2 violation; NS and NA built, then validated and
 * parsed back (round trip), and one NS compared with bytes computed in
 * Python. Messages are written byte by byte here, each parse on an
 * exact-size heap copy, and checksums come from the test's own sum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "ref_cksum.h"

static uint8_t *
dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len ? len : 1);

	assert_non_null(d);
	memcpy(d, p, len);
	return d;
}

/* The test's own ICMPv6 checksum (RFC 8200 §8.1 pseudo-header). */
static uint16_t
ref_cksum6(const uint8_t *src, const uint8_t *dst, const uint8_t *l4, size_t len)
{
	uint32_t s = ref_add(src, 16, 0);

	s = ref_add(dst, 16, s);
	s += (uint32_t)len + 58;
	s = ref_add(l4, len, s);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* ---- ARP ---------------------------------------------------------------- */

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t ip4_a[4] = { 192, 0, 2, 10 };
static const uint8_t ip4_b[4] = { 192, 0, 2, 11 };

/* Who has 192.0.2.11? Tell 192.0.2.10 (02:..:0a). */
static const uint8_t arp_req[28] = {
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 192, 0, 2, 10,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 192, 0, 2, 11,
};

static enum dp_drop
arp_check(const uint8_t *p, size_t len, struct arp_info *a)
{
	uint8_t *d = dup_exact(p, len);
	enum dp_drop r = arp_parse(d, len, a);

	free(d);
	return r;
}

static void
test_arp_parse_request_and_reply(void **state)
{
	static const uint8_t zero[6];
	uint8_t p[46];
	struct arp_info a;

	(void)state;
	memset(&a, 0xee, sizeof(a));
	assert_int_equal(arp_check(arp_req, 28, &a), DP_DROP_NONE);
	assert_int_equal(a.op, 1);
	assert_memory_equal(a.sha, mac_a, 6);
	assert_memory_equal(a.spa, ip4_a, 4);
	assert_memory_equal(a.tha, zero, 6);
	assert_memory_equal(a.tpa, ip4_b, 4);
	/* A reply, padded to the Ethernet minimum. */
	memset(p, 0, sizeof(p));
	memcpy(p, arp_req, 28);
	p[7] = 2;
	assert_int_equal(arp_check(p, sizeof(p), &a), DP_DROP_NONE);
	assert_int_equal(a.op, 2);
}

static void
test_arp_parse_rejects_malformed(void **state)
{
	/* byte offset, bad value */
	static const struct { size_t off; uint8_t v; } bad[] = {
		{ 1, 6 },       /* htype 6 (IEEE 802) */
		{ 0, 1 },       /* htype 0x0101 */
		{ 2, 0x86 },    /* ptype 0x8600 */
		{ 3, 0x06 },    /* ptype 0x0806 */
		{ 4, 8 },       /* hlen */
		{ 5, 16 },      /* plen */
		{ 7, 0 },       /* op 0 */
		{ 7, 3 },       /* op 3 (RARP) */
		{ 6, 1 },       /* op 0x0101 */
		{ 8, 0x01 },    /* sender MAC multicast */
		{ 8, 0xff },    /* sender MAC with the group bit */
	};
	uint8_t p[28];
	struct arp_info a;

	(void)state;
	assert_int_equal(arp_check(arp_req, 27, &a), DP_DROP_ARP_MALFORMED);
	assert_int_equal(arp_check(arp_req, 0, &a), DP_DROP_ARP_MALFORMED);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(p, arp_req, 28);
		p[bad[i].off] = bad[i].v;
		assert_int_equal(arp_check(p, 28, &a), DP_DROP_ARP_MALFORMED);
	}
}

static void
test_arp_build_bytes_and_in_place_reply(void **state)
{
	static const uint8_t zero[6];
	uint8_t p[28];

	(void)state;
	memset(p, 0xee, sizeof(p));
	assert_int_equal(arp_build(p, 1, mac_a, ip4_a, zero, ip4_b), 28);
	assert_memory_equal(p, arp_req, 28);
	/* Turn the request into the reply in its own buffer: target
	 * fields from the sender fields of the same bytes. */
	assert_int_equal(arp_build(p, 2, mac_b, ip4_b, p + 8, p + 14), 28);
	assert_int_equal(p[7], 2);
	assert_memory_equal(p + 8, mac_b, 6);
	assert_memory_equal(p + 14, ip4_b, 4);
	assert_memory_equal(p + 18, mac_a, 6);
	assert_memory_equal(p + 24, ip4_a, 4);
}

/* ---- ND ----------------------------------------------------------------- */

static const uint8_t ll_a[16] = { 0xfe, 0x80, [15] = 0x0a };
static const uint8_t ll_b[16] = { 0xfe, 0x80, [15] = 0x0b };
static const uint8_t gl_1[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t unspec[16];
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

static void
snm_of(const uint8_t *ip, uint8_t *out)
{
	memset(out, 0, 16);
	out[0] = 0xff;
	out[1] = 0x02;
	out[11] = 0x01;
	out[12] = 0xff;
	out[13] = ip[13];
	out[14] = ip[14];
	out[15] = ip[15];
}

struct nd_case {
	struct ipv6_info ip;
	uint8_t m[64];
	size_t len;
};

/* An NS or NA from src to dst about target, with an optional link-layer
 * option (opt_type 0: none); nd_case_sum fills the checksum. */
static void
nd_case_make(struct nd_case *c, uint8_t type, uint8_t flags,
	     const uint8_t *src, const uint8_t *dst, const uint8_t *target,
	     uint8_t opt_type, const uint8_t *mac)
{
	memset(c, 0, sizeof(*c));
	c->ip.next_hdr = 58;
	c->ip.hop_limit = 255;
	memcpy(c->ip.src, src, 16);
	memcpy(c->ip.dst, dst, 16);
	c->m[0] = type;
	c->m[4] = flags;
	memcpy(c->m + 8, target, 16);
	c->len = 24;
	if (opt_type != 0) {
		c->m[24] = opt_type;
		c->m[25] = 1;
		memcpy(c->m + 26, mac, 6);
		c->len = 32;
	}
	c->ip.payload_len = (uint16_t)c->len;
}

static void
nd_case_sum(struct nd_case *c)
{
	uint16_t s;

	c->m[2] = c->m[3] = 0;
	s = ref_cksum6(c->ip.src, c->ip.dst, c->m, c->len);
	c->m[2] = (uint8_t)(s >> 8);
	c->m[3] = (uint8_t)s;
}

static enum dp_drop
nd_check(const struct nd_case *c, struct nd_info *out)
{
	uint8_t *d = dup_exact(c->m, c->len);
	enum dp_drop r = nd_parse(&c->ip, d, c->len, out);

	free(d);
	return r;
}

static void
test_nd_parse_valid_ns(void **state)
{
	struct nd_case c;
	struct nd_info nd;
	uint8_t snm[16];

	(void)state;
	snm_of(ll_b, snm);
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 1, mac_a);
	nd_case_sum(&c);
	memset(&nd, 0xee, sizeof(nd));
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);
	assert_int_equal(nd.type, 135);
	assert_memory_equal(nd.target, ll_b, 16);
	assert_true(nd.has_lladdr);
	assert_memory_equal(nd.lladdr, mac_a, 6);
	/* Without the option (a unicast NS, reachability confirmation). */
	nd_case_make(&c, 135, 0, ll_a, ll_b, ll_b, 0, NULL);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);
	assert_false(nd.has_lladdr);
	/* DAD: from :: to the solicited-node group, no option. */
	nd_case_make(&c, 135, 0, unspec, snm, ll_b, 0, NULL);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);
	/* An unknown option (nonce, type 14) is skipped; a target
	 * link-layer option in an NS is not a source one. */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 14, mac_b);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);
	assert_false(nd.has_lladdr);
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 2, mac_b);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);
	assert_false(nd.has_lladdr);
}

static void
test_nd_parse_valid_na(void **state)
{
	struct nd_case c;
	struct nd_info nd;

	(void)state;
	nd_case_make(&c, 136, 0x60, ll_b, ll_a, ll_b, 2, mac_b);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);
	assert_int_equal(nd.type, 136);
	assert_int_equal(nd.flags, 0x60);
	assert_memory_equal(nd.target, ll_b, 16);
	assert_true(nd.has_lladdr);
	assert_memory_equal(nd.lladdr, mac_b, 6);
	/* Unsolicited, to all-nodes: S clear is fine. */
	nd_case_make(&c, 136, 0x20, ll_b, all_nodes, ll_b, 2, mac_b);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);
	/* A source link-layer option in an NA is not a target one. */
	nd_case_make(&c, 136, 0x60, ll_b, ll_a, ll_b, 1, mac_b);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);
	assert_false(nd.has_lladdr);
}

static void
test_nd_parse_rejects_each_invalid_case(void **state)
{
	static const uint8_t group_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct nd_case c;
	struct nd_info nd;
	uint8_t snm[16];

	(void)state;
	snm_of(ll_b, snm);
	/* The valid base case, so each failure below is its own. */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 1, mac_a);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_NONE);

	/* Hop limit below 255: crossed a router. */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 1, mac_a);
	c.ip.hop_limit = 254;
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* Code not 0. */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 1, mac_a);
	c.m[1] = 1;
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* ICMP length below 24. */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 0, NULL);
	c.len = 23;
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* Bad checksum. */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 1, mac_a);
	nd_case_sum(&c);
	c.m[3] ^= 0x01;
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* Not NS or NA (an echo request with a good checksum). */
	nd_case_make(&c, 128, 0, ll_a, snm, ll_b, 0, NULL);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* Multicast target, NS and NA. */
	nd_case_make(&c, 135, 0, ll_a, snm, all_nodes, 1, mac_a);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);
	nd_case_make(&c, 136, 0x20, ll_b, all_nodes, snm, 2, mac_b);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* An option of length 0. */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 1, mac_a);
	c.m[25] = 0;
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* An option running past the message (length 2 = 16 bytes). */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 1, mac_a);
	c.m[25] = 2;
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* One stray byte after the options: not even an option header. */
	nd_case_make(&c, 135, 0, ll_a, snm, ll_b, 1, mac_a);
	c.len = 33;
	c.m[32] = 1;
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* NA to a multicast destination claiming Solicited. */
	nd_case_make(&c, 136, 0x60, ll_b, all_nodes, ll_b, 2, mac_b);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* NS from :: with a source link-layer option. */
	nd_case_make(&c, 135, 0, unspec, snm, ll_b, 1, mac_a);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* NS from :: to other than a solicited-node group. */
	nd_case_make(&c, 135, 0, unspec, ll_b, ll_b, 0, NULL);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);

	/* A group MAC in the link-layer option. */
	nd_case_make(&c, 136, 0x60, ll_b, ll_a, ll_b, 2, group_mac);
	nd_case_sum(&c);
	assert_int_equal(nd_check(&c, &nd), DP_DROP_ND_MALFORMED);
}

static void
test_nd_build_ns_known_bytes(void **state)
{
	static const uint8_t target[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 3,
	};
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	/* ICMPv6 part computed in Python: type 135, checksum 0x1c20,
	 * target, source link-layer option. */
	static const uint8_t want_icmp[32] = {
		0x87, 0x00, 0x1c, 0x20, 0x00, 0x00, 0x00, 0x00,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 3,
		0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	static const uint8_t want_dst[16] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x02, 0, 3,
	};
	uint8_t p[80];

	(void)state;
	memset(p, 0xee, sizeof(p));
	assert_int_equal(nd_build_ns(p, 71, gl_1, mac, target), 0);
	assert_int_equal(nd_build_ns(p, 72, gl_1, mac, target), 72);
	assert_int_equal(p[0] >> 4, 6);
	assert_int_equal(p[4] << 8 | p[5], 32);
	assert_int_equal(p[6], 58);
	assert_int_equal(p[7], 255);
	assert_memory_equal(p + 8, gl_1, 16);
	assert_memory_equal(p + 24, want_dst, 16);
	assert_memory_equal(p + 40, want_icmp, 32);
	assert_int_equal(p[72], 0xee);  /* nothing written past 72 */
}

static void
test_nd_build_then_parse_round_trip(void **state)
{
	uint8_t p[72];
	struct ipv6_info ip;
	struct nd_info nd;
	uint8_t *d;

	(void)state;
	/* NS */
	assert_int_equal(nd_build_ns(p, sizeof(p), ll_a, mac_a, gl_1), 72);
	d = dup_exact(p, 72);
	assert_int_equal(ipv6_validate(d, 72, &ip), DP_DROP_NONE);
	assert_int_equal(ip.hop_limit, 255);
	assert_int_equal(ip.payload_len, 32);
	assert_int_equal(ref_cksum6(p + 8, p + 24, p + 40, 32), 0);
	assert_int_equal(nd_parse(&ip, d + 40, 32, &nd), DP_DROP_NONE);
	free(d);
	assert_int_equal(nd.type, 135);
	assert_memory_equal(nd.target, gl_1, 16);
	assert_true(nd.has_lladdr);
	assert_memory_equal(nd.lladdr, mac_a, 6);

	/* Solicited NA: R=0, S=1, O=1. */
	assert_int_equal(nd_build_na(p, sizeof(p), gl_1, ll_a, mac_b, gl_1, true), 72);
	assert_int_equal(p[40], 136);
	assert_int_equal(p[44], 0x60);
	assert_int_equal(p[64], 2);     /* target link-layer option */
	assert_int_equal(p[65], 1);
	assert_memory_equal(p + 24, ll_a, 16);
	assert_int_equal(ref_cksum6(p + 8, p + 24, p + 40, 32), 0);
	d = dup_exact(p, 72);
	assert_int_equal(ipv6_validate(d, 72, &ip), DP_DROP_NONE);
	assert_int_equal(nd_parse(&ip, d + 40, 32, &nd), DP_DROP_NONE);
	free(d);
	assert_int_equal(nd.type, 136);
	assert_int_equal(nd.flags, 0x60);
	assert_memory_equal(nd.lladdr, mac_b, 6);

	/* Unsolicited NA to all-nodes: S=0, O=1, valid to multicast. */
	assert_int_equal(nd_build_na(p, sizeof(p), gl_1, all_nodes, mac_b, gl_1,
				     false), 72);
	assert_int_equal(p[44], 0x20);
	d = dup_exact(p, 72);
	assert_int_equal(ipv6_validate(d, 72, &ip), DP_DROP_NONE);
	assert_int_equal(nd_parse(&ip, d + 40, 32, &nd), DP_DROP_NONE);
	free(d);
	assert_int_equal(nd_build_na(p, 71, gl_1, ll_a, mac_b, gl_1, true), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_parse_request_and_reply),
		cmocka_unit_test(test_arp_parse_rejects_malformed),
		cmocka_unit_test(test_arp_build_bytes_and_in_place_reply),
		cmocka_unit_test(test_nd_parse_valid_ns),
		cmocka_unit_test(test_nd_parse_valid_na),
		cmocka_unit_test(test_nd_parse_rejects_each_invalid_case),
		cmocka_unit_test(test_nd_build_ns_known_bytes),
		cmocka_unit_test(test_nd_build_then_parse_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
