/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net header validation and checksums: every IPv4 and IPv6 drop reason
 * on hand-made packets in exact-size buffers (ASan sees any over-read),
 * the RFC 1071 sum, upper-layer checksums cross-checked against values
 * computed by hand, prefix matching and header building.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net.h"

/* A valid IPv4 header + 8 bytes of UDP, checksum filled by hand math. */
static void
make_ip4_cap(uint8_t *p, size_t cap, uint16_t total)
{
	static const uint8_t h[20] = {
		0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 10, 0, 0, 2, 10, 0, 0, 1,
	};
	uint32_t sum = 0;

	memcpy(p, h, 20);
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
	memset(p + 20, 0, cap - 20);
}

#define make_ip4(p, total) make_ip4_cap((p), sizeof(p), (total))

static enum dp_drop
check4(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len);
	struct ipv4_info info;
	enum dp_drop d;

	memcpy(p, src, len);
	d = ipv4_validate(p, len, false, &info);
	free(p);
	return d;
}

static void
test_ip4_accepts_good_and_reports_fields(void **state)
{
	uint8_t p[28];
	struct ipv4_info info;

	(void)state;
	make_ip4(p, 28);
	assert_int_equal(ipv4_validate(p, 28, false, &info), DP_DROP_NONE);
	assert_int_equal(info.hdr_len, 20);
	assert_int_equal(info.proto, 17);
	assert_int_equal(info.total_len, 28);
	assert_int_equal(info.src[3], 2);
	assert_int_equal(info.dst[3], 1);
	/* Ethernet padding after the datagram is fine. */
	{
		uint8_t q[46];

		make_ip4(q, 28);
		assert_int_equal(check4(q, 46), DP_DROP_NONE);
	}
}

static void
test_ip4_rejects_each_fault(void **state)
{
	uint8_t p[28];

	(void)state;
	for (size_t n = 0; n < 20; n++) {
		make_ip4(p, 28);
		assert_int_equal(check4(p, n), DP_DROP_IP4_SHORT);
	}
	make_ip4(p, 28); p[0] = 0x65;
	assert_int_equal(check4(p, 28), DP_DROP_IP4_VERSION);
	make_ip4(p, 28); p[0] = 0x44;
	assert_int_equal(check4(p, 28), DP_DROP_IP4_HDR_LEN);
	make_ip4(p, 28); p[0] = 0x48;            /* 32-byte header in 28 */
	assert_int_equal(check4(p, 28), DP_DROP_IP4_HDR_LEN);
	make_ip4(p, 40);                          /* claims 40, has 28 */
	assert_int_equal(check4(p, 28), DP_DROP_IP4_TOTAL_LEN);
	make_ip4(p, 12);                          /* below the header */
	assert_int_equal(check4(p, 28), DP_DROP_IP4_TOTAL_LEN);
	make_ip4(p, 28); p[11] ^= 1;
	assert_int_equal(check4(p, 28), DP_DROP_IP4_CHECKSUM);
	{
		struct ipv4_info info;

		/* the NIC vouched for it: not recomputed */
		assert_int_equal(ipv4_validate(p, 28, true, &info), DP_DROP_NONE);
	}
	make_ip4(p, 28); p[8] = 0; p[10] = 0; p[11] = 0;
	{
		uint8_t q[28];

		memcpy(q, p, 28);
		ipv4_build_hdr(q, q + 12, q + 16, 17, 0, 28);   /* TTL 0, good sum */
		assert_int_equal(check4(q, 28), DP_DROP_IP4_TTL);
		ipv4_build_hdr(q, q + 12, q + 16, 17, 64, 28);
		q[6] = 0x20;                              /* MF */
		q[10] = q[11] = 0;
		{
			uint32_t sum = 0;

			for (int i = 0; i < 20; i += 2)
				sum += (uint32_t)(q[i] << 8 | q[i + 1]);
			while (sum >> 16)
				sum = (sum & 0xffff) + (sum >> 16);
			q[10] = (uint8_t)(~sum >> 8);
			q[11] = (uint8_t)~sum;
		}
		assert_int_equal(check4(q, 28), DP_DROP_IP4_FRAGMENT);
	}
	{
		static const uint8_t bad_src[][4] = {
			{ 0, 0, 0, 0 }, { 127, 0, 0, 1 }, { 224, 0, 0, 1 },
			{ 255, 255, 255, 255 },
		};

		for (size_t i = 0; i < 4; i++) {
			uint8_t q[28], dst[4] = { 10, 0, 0, 1 };

			make_ip4(q, 28);
			ipv4_build_hdr(q, bad_src[i], dst, 17, 64, 28);
			assert_int_equal(check4(q, 28), DP_DROP_IP4_BAD_SRC);
		}
	}
}

static void
test_ip4_build_header_checksums(void **state)
{
	uint8_t p[20], s[4] = { 192, 0, 2, 1 }, d[4] = { 198, 51, 100, 7 };
	struct ipv4_info info;

	(void)state;
	ipv4_build_hdr(p, s, d, 1, 64, 20);
	assert_int_equal(ipv4_validate(p, 20, false, &info), DP_DROP_NONE);
	assert_int_equal(p[6], 0x40);            /* DF */
	assert_memory_equal(info.src, s, 4);
	assert_memory_equal(info.dst, d, 4);
}

static void
test_rfc1071_sum_example(void **state)
{
	/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (folded). */
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(net_fold(net_sum16(b, 8, 0)), 0xddf2);
}

static void
test_l4_checksums_fill_and_verify(void **state)
{
	/* UDP 10.0.0.2:1234 -> 10.0.0.1:3478, payload "hi": summed apart
	 * (python3): pseudo 0a00+0002+0a00+0001+0011+000a, UDP
	 * 04d2+0d96+000a+0000+6869 = 0x8ef9, inverted 0x7106. */
	uint8_t s[4] = { 10, 0, 0, 2 }, d[4] = { 10, 0, 0, 1 };
	uint8_t u[10] = { 0x04, 0xd2, 0x0d, 0x96, 0x00, 0x0a, 0, 0, 'h', 'i' };
	uint16_t c;

	(void)state;
	c = ipv4_l4_cksum(s, d, 17, u, 10);
	assert_int_equal(c, 0x7106);
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	assert_int_equal(ipv4_l4_cksum(s, d, 17, u, 10), 0);
	u[9] ^= 1;
	assert_int_not_equal(ipv4_l4_cksum(s, d, 17, u, 10), 0);
	{
		uint8_t s6[16] = { 0xfd, [15] = 2 }, d6[16] = { 0xfd, [15] = 1 };
		uint8_t v[10] = { 0x04, 0xd2, 0x0d, 0x96, 0x00, 0x0a, 0, 0, 'h', 'i' };

		c = ipv6_l4_cksum(s6, d6, 17, v, 10);
		v[6] = (uint8_t)(c >> 8);
		v[7] = (uint8_t)c;
		assert_int_equal(ipv6_l4_cksum(s6, d6, 17, v, 10), 0);
		assert_int_not_equal(ipv6_l4_cksum(d6, d6, 17, v, 10), 0);
	}
}

static void
make_ip6(uint8_t *p, uint16_t plen, uint8_t nh)
{
	uint8_t s[16] = { 0xfd, 0, [15] = 2 }, d[16] = { 0xfd, 0, [15] = 1 };

	ipv6_build_hdr(p, s, d, nh, 64, plen);
}

static enum dp_drop
check6(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len);
	struct ipv6_info info;
	enum dp_drop d;

	memcpy(p, src, len);
	d = ipv6_validate(p, len, &info);
	free(p);
	return d;
}

static void
test_ip6_validation(void **state)
{
	uint8_t p[48];
	struct ipv6_info info;

	(void)state;
	make_ip6(p, 8, 17);
	assert_int_equal(ipv6_validate(p, 48, &info), DP_DROP_NONE);
	assert_int_equal(info.payload_len, 8);
	assert_int_equal(info.next_hdr, 17);
	for (size_t n = 0; n < 40; n++)
		assert_int_equal(check6(p, n), DP_DROP_IP6_SHORT);
	make_ip6(p, 9, 17);
	assert_int_equal(check6(p, 48), DP_DROP_IP6_PAYLOAD_LEN);
	make_ip6(p, 8, 17); p[0] = 0x40;
	assert_int_equal(check6(p, 48), DP_DROP_IP6_VERSION);
	make_ip6(p, 8, 17); p[7] = 0;
	assert_int_equal(check6(p, 48), DP_DROP_IP6_HOP_LIMIT);
	make_ip6(p, 8, 0);
	assert_int_equal(check6(p, 48), DP_DROP_IP6_EXT_HDR);
	make_ip6(p, 8, 17); p[8] = 0xff;
	assert_int_equal(check6(p, 48), DP_DROP_IP6_BAD_SRC);
	make_ip6(p, 8, 17); memset(p + 8, 0, 16); p[23] = 1;
	assert_int_equal(check6(p, 48), DP_DROP_IP6_BAD_SRC);
	make_ip6(p, 8, 58); memset(p + 8, 0, 16);   /* :: source (DAD) is fine */
	assert_int_equal(check6(p, 48), DP_DROP_NONE);
}

static void
test_prefix_match(void **state)
{
	uint8_t a[4] = { 10, 200, 0, 1 }, in[4] = { 10, 200, 0, 77 },
		out[4] = { 10, 201, 0, 1 };
	uint8_t a6[16] = { 0xfd, 0, 2, 0, [15] = 1 }, in6[16] = { 0xfd, 0, 2, 0, [8] = 9 };

	(void)state;
	assert_true(net_prefix_match(NET_AF_IPV4, a, 24, in));
	assert_false(net_prefix_match(NET_AF_IPV4, a, 24, out));
	assert_true(net_prefix_match(NET_AF_IPV4, a, 15, out));
	assert_true(net_prefix_match(NET_AF_IPV4, a, 0, out));
	assert_false(net_prefix_match(NET_AF_IPV4, a, 33, in));
	assert_true(net_prefix_match(NET_AF_IPV6, a6, 64, in6));
	in6[7] = 1;
	assert_false(net_prefix_match(NET_AF_IPV6, a6, 64, in6));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_accepts_good_and_reports_fields),
		cmocka_unit_test(test_ip4_rejects_each_fault),
		cmocka_unit_test(test_ip4_build_header_checksums),
		cmocka_unit_test(test_rfc1071_sum_example),
		cmocka_unit_test(test_l4_checksums_fill_and_verify),
		cmocka_unit_test(test_ip6_validation),
		cmocka_unit_test(test_prefix_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
