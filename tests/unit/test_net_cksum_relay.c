/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP checksums carried across a relay (dp/net/cksum_relay.c): the region
 * sum recovered from a checksum equals the region summed, a relayed
 * datagram's checksum verifies, and damage on the way in survives the
 * way out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net.h"

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static const uint8_t v4a[4] = { 10, 128, 3, 7 }, v4b[4] = { 10, 200, 0, 1 };
static const uint8_t v6a[16] = { 0xfd, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t v6b[16] = { 0xfd, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };

static uint16_t
l4_cksum(uint8_t family, const uint8_t *src, const uint8_t *dst,
	 const uint8_t *udp, size_t ulen)
{
	return family == NET_AF_IPV4 ? ipv4_l4_cksum(src, dst, 17, udp, ulen) :
				       ipv6_l4_cksum(src, dst, 17, udp, ulen);
}

/* A random datagram of ulen bytes with a correct checksum. */
static void
make_datagram(uint8_t family, const uint8_t *src, const uint8_t *dst,
	      uint8_t *udp, uint16_t ulen)
{
	uint16_t c;

	for (uint16_t i = 0; i < ulen; i++)
		udp[i] = (uint8_t)rnd();
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	udp[6] = udp[7] = 0;
	c = l4_cksum(family, src, dst, udp, ulen);
	if (c == 0)
		c = 0xffff;
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
}

static bool
same_sum(uint32_t a, uint32_t b)
{
	return net_fold(a) % 0xffffu == net_fold(b) % 0xffffu;
}

static void
region_sums_match(uint8_t family, const uint8_t *src, const uint8_t *dst)
{
	static uint8_t udp[2048];

	for (int iter = 0; iter < 4000; iter++) {
		uint16_t ulen = (uint16_t)(8 + rnd() % 1400);
		uint16_t off = (uint16_t)(8 + 2 * (rnd() % ((ulen - 8) / 2 + 1)));
		uint16_t len = (uint16_t)(rnd() % (ulen - off + 1));
		uint32_t got = 0;

		make_datagram(family, src, dst, udp, ulen);
		assert_true(net_udp_region_sum(family, src, dst, udp, off, len, &got));
		assert_true(same_sum(got, net_sum16(udp + off, len, 0)));
	}
}

static void
test_region_sum_matches_summing_v4(void **state)
{
	(void)state;
	region_sums_match(NET_AF_IPV4, v4a, v4b);
}

static void
test_region_sum_matches_summing_v6(void **state)
{
	(void)state;
	region_sums_match(NET_AF_IPV6, v6a, v6b);
}

/* ChannelData in (client -> server, 4-byte head, maybe padded), UDP out
 * to the peer from the relayed address: the new checksum verifies. */
static void
test_relayed_channeldata_checksum_verifies(void **state)
{
	static uint8_t in[2048], out[2048];

	(void)state;
	for (int iter = 0; iter < 2000; iter++) {
		uint16_t dlen = (uint16_t)(rnd() % 1300), pad = (uint16_t)(rnd() % 4);
		uint16_t ulen = (uint16_t)(8 + 4 + dlen + pad);
		uint32_t region;

		make_datagram(NET_AF_IPV4, v4a, v4b, in, ulen);
		assert_true(net_udp_region_sum(NET_AF_IPV4, v4a, v4b, in, 12, dlen,
					       &region));
		out[0] = 0xc0;
		out[1] = 0x01;
		out[2] = 0x9c;
		out[3] = 0x40;
		out[4] = (uint8_t)((8 + dlen) >> 8);
		out[5] = (uint8_t)(8 + dlen);
		memcpy(out + 8, in + 12, dlen);
		{
			uint16_t c = net_udp_cksum_with(NET_AF_IPV6, v6b, v6a, 0xc001,
							0x9c40, (uint16_t)(8 + dlen),
							region);

			out[6] = (uint8_t)(c >> 8);
			out[7] = (uint8_t)c;
		}
		assert_int_equal(l4_cksum(NET_AF_IPV6, v6b, v6a, out,
					  (size_t)(8 + dlen)) % 0xffff, 0);
	}
}

/* Peer datagram in, Data indication head (36 bytes) + padding out. */
static void
test_relayed_with_prefix_and_padding_verifies(void **state)
{
	static uint8_t in[2048], out[2048];

	(void)state;
	for (int iter = 0; iter < 2000; iter++) {
		uint16_t dlen = (uint16_t)(rnd() % 1300);
		uint16_t pad = (uint16_t)((4 - (dlen & 3)) & 3);
		uint16_t olen = (uint16_t)(8 + 36 + dlen + pad);
		uint32_t region;
		uint16_t c;

		make_datagram(NET_AF_IPV4, v4a, v4b, in, (uint16_t)(8 + dlen));
		assert_true(net_udp_region_sum(NET_AF_IPV4, v4a, v4b, in, 8, dlen,
					       &region));
		memset(out, 0, sizeof(out));
		out[4] = (uint8_t)(olen >> 8);
		out[5] = (uint8_t)olen;
		for (int i = 8; i < 44; i++)
			out[i] = (uint8_t)rnd();
		memcpy(out + 44, in + 8, dlen);
		c = net_udp_cksum_with(NET_AF_IPV4, v4b, v4a, 0, 0, olen,
				       net_sum16(out + 8, 36, 0) + net_fold(region));
		out[6] = (uint8_t)(c >> 8);
		out[7] = (uint8_t)c;
		assert_int_equal(l4_cksum(NET_AF_IPV4, v4b, v4a, out, olen) % 0xffff, 0);
	}
}

/* A flipped payload bit on the way in is still an error on the way out. */
static void
test_damage_is_carried_not_repaired(void **state)
{
	static uint8_t in[256], out[256];
	uint16_t dlen = 100, c;
	uint32_t region;

	(void)state;
	make_datagram(NET_AF_IPV4, v4a, v4b, in, (uint16_t)(12 + dlen));
	in[12 + 37] ^= 0x10;
	assert_true(net_udp_region_sum(NET_AF_IPV4, v4a, v4b, in, 12, dlen, &region));
	memset(out, 0, 8);
	out[5] = (uint8_t)(8 + dlen);
	memcpy(out + 8, in + 12, dlen);
	c = net_udp_cksum_with(NET_AF_IPV4, v4b, v4a, 0, 0, (uint16_t)(8 + dlen),
			       region);
	out[6] = (uint8_t)(c >> 8);
	out[7] = (uint8_t)c;
	assert_int_not_equal(l4_cksum(NET_AF_IPV4, v4b, v4a, out, 8u + dlen) % 0xffff, 0);
}

static void
test_region_sum_refuses_what_it_cannot_do(void **state)
{
	static uint8_t udp[64];
	uint32_t s;

	(void)state;
	make_datagram(NET_AF_IPV4, v4a, v4b, udp, 40);
	assert_false(net_udp_region_sum(NET_AF_IPV4, v4a, v4b, udp, 13, 4, &s));
	assert_false(net_udp_region_sum(NET_AF_IPV4, v4a, v4b, udp, 6, 4, &s));
	assert_false(net_udp_region_sum(NET_AF_IPV4, v4a, v4b, udp, 12, 30, &s));
	udp[6] = udp[7] = 0;     /* IPv4: no checksum sent */
	assert_false(net_udp_region_sum(NET_AF_IPV4, v4a, v4b, udp, 12, 4, &s));
}

static void
test_computed_zero_sent_as_ones(void **state)
{
	const uint8_t z[4] = { 0, 0, 0, 0 };
	/* Pseudo 17 + 8 and header 8: region sum that makes the total -0. */
	uint32_t region = 0xffffu - (17u + 8u + 8u);

	(void)state;
	assert_int_equal(net_udp_cksum_with(NET_AF_IPV4, z, z, 0, 0, 8, region),
			 0xffff);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_sum_matches_summing_v4),
		cmocka_unit_test(test_region_sum_matches_summing_v6),
		cmocka_unit_test(test_relayed_channeldata_checksum_verifies),
		cmocka_unit_test(test_relayed_with_prefix_and_padding_verifies),
		cmocka_unit_test(test_damage_is_carried_not_repaired),
		cmocka_unit_test(test_region_sum_refuses_what_it_cannot_do),
		cmocka_unit_test(test_computed_zero_sent_as_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
