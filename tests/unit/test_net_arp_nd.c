/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net ARP and neighbour discovery: ARP parse and build, every
 * malformation refused; NS/NA built and parsed back, with the validity
 * checks of RFC 4861 §7.1 each refusing; solicited-node groups and their
 * MAC addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t ip_a[4] = { 10, 0, 0, 1 }, ip_b[4] = { 10, 0, 0, 2 };

static void
test_arp_build_then_parse(void **state)
{
	uint8_t p[28], zero[6] = { 0 };
	struct arp_info a;

	(void)state;
	assert_int_equal(arp_build(p, 1, mac_a, ip_a, zero, ip_b), 28);
	assert_memory_equal(p, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	assert_int_equal(arp_parse(p, 28, &a), DP_DROP_NONE);
	assert_int_equal(a.op, 1);
	assert_memory_equal(a.sha, mac_a, 6);
	assert_memory_equal(a.spa, ip_a, 4);
	assert_memory_equal(a.tpa, ip_b, 4);
}

static void
test_arp_rejects_malformed(void **state)
{
	uint8_t good[28], p[28], zero[6] = { 0 };
	struct arp_info a;
	static const struct { size_t off; uint8_t v; } faults[] = {
		{ 1, 6 },      /* htype */
		{ 2, 0x86 },   /* ptype */
		{ 4, 8 },      /* hlen */
		{ 5, 16 },     /* plen */
		{ 7, 3 },      /* op */
		{ 8, 0x01 },   /* group sender MAC */
	};

	(void)state;
	arp_build(good, 2, mac_a, ip_a, zero, ip_b);
	for (size_t n = 0; n < 28; n++) {
		uint8_t *h = malloc(n ? n : 1);

		memcpy(h, good, n);
		assert_int_equal(arp_parse(h, n, &a), DP_DROP_ARP_MALFORMED);
		free(h);
	}
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		memcpy(p, good, 28);
		p[faults[i].off] = faults[i].v;
		assert_int_equal(arp_parse(p, 28, &a), DP_DROP_ARP_MALFORMED);
	}
}

static const uint8_t src6[16] = { 0xfd, 0, 2, 0, [15] = 1 };
static const uint8_t dst6[16] = { 0xfd, 0, 2, 0, [15] = 2 };

static void
ip6_of(const uint8_t *pkt, struct ipv6_info *ip)
{
	assert_int_equal(ipv6_validate(pkt, 72, ip), DP_DROP_NONE);
}

static void
test_nd_ns_na_roundtrip(void **state)
{
	uint8_t p[72], snm[16];
	struct ipv6_info ip;
	struct nd_info nd;

	(void)state;
	assert_int_equal(nd_build_ns(p, sizeof(p), src6, mac_a, dst6), 72);
	ip6_of(p, &ip);
	assert_int_equal(ip.hop_limit, 255);
	ipv6_solicited_node(dst6, snm);
	assert_memory_equal(ip.dst, snm, 16);
	assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_NONE);
	assert_int_equal(nd.type, 135);
	assert_memory_equal(nd.target, dst6, 16);
	assert_true(nd.has_lladdr);
	assert_memory_equal(nd.lladdr, mac_a, 6);

	assert_int_equal(nd_build_na(p, sizeof(p), src6, dst6, mac_a, src6, true), 72);
	ip6_of(p, &ip);
	assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_NONE);
	assert_int_equal(nd.type, 136);
	assert_int_equal(nd.flags & 0x60, 0x60);   /* solicited, override */
	assert_int_equal(nd.flags & 0x80, 0);      /* not a router */
	assert_memory_equal(nd.lladdr, mac_a, 6);
	assert_int_equal(nd_build_ns(p, 71, src6, mac_a, dst6), 0);
}

static void
test_nd_rejects_invalid(void **state)
{
	uint8_t p[72];
	struct ipv6_info ip;
	struct nd_info nd;

	(void)state;
	nd_build_ns(p, sizeof(p), src6, mac_a, dst6);
	ip6_of(p, &ip);
	ip.hop_limit = 64;                        /* must be 255 */
	assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_ND_MALFORMED);
	ip6_of(p, &ip);
	assert_int_equal(nd_parse(&ip, p + 40, 23, &nd), DP_DROP_ND_MALFORMED);
	p[41] = 1;                                /* code */
	assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_ND_MALFORMED);
	nd_build_ns(p, sizeof(p), src6, mac_a, dst6);
	p[60] ^= 1;                               /* checksum */
	assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_ND_MALFORMED);
	nd_build_ns(p, sizeof(p), src6, mac_a, dst6);
	p[65] = 0;                                /* option length 0 */
	{
		uint16_t c;

		p[42] = p[43] = 0;
		c = ipv6_l4_cksum(p + 8, p + 24, 58, p + 40, 32);
		p[42] = (uint8_t)(c >> 8);
		p[43] = (uint8_t)c;
	}
	assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_ND_MALFORMED);
	/* a solicited NA to a multicast group is invalid */
	{
		uint8_t all[16] = { 0xff, 0x02, [15] = 1 };

		nd_build_na(p, sizeof(p), src6, all, mac_a, src6, true);
		ip6_of(p, &ip);
		assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_ND_MALFORMED);
		nd_build_na(p, sizeof(p), src6, all, mac_a, src6, false);
		ip6_of(p, &ip);
		assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_NONE);
	}
	/* DAD: an NS from :: must carry no source link-layer option */
	{
		uint8_t unspec[16] = { 0 };

		nd_build_ns(p, sizeof(p), unspec, mac_a, dst6);
		ip6_of(p, &ip);
		assert_int_equal(nd_parse(&ip, p + 40, 32, &nd), DP_DROP_ND_MALFORMED);
	}
}

static void
test_solicited_node_and_mcast_mac(void **state)
{
	/* 2001:db8::1:2:3 -> ff02::1:ff02:3 -> 33:33:ff:02:00:03 */
	uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, [11] = 1, [13] = 2, [15] = 3 };
	uint8_t want[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff, [13] = 2, [15] = 3 };
	uint8_t snm[16], mac[6];

	(void)state;
	ipv6_solicited_node(ip, snm);
	assert_memory_equal(snm, want, 16);
	ipv6_mcast_mac(snm, mac);
	assert_memory_equal(mac, "\x33\x33\xff\x02\x00\x03", 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_build_then_parse),
		cmocka_unit_test(test_arp_rejects_malformed),
		cmocka_unit_test(test_nd_ns_na_roundtrip),
		cmocka_unit_test(test_nd_rejects_invalid),
		cmocka_unit_test(test_solicited_node_and_mcast_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
