/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net ICMP building: echo replies (v4 and v6) made in place with valid
 * checksums; destination unreachable quoting the offender within 576 /
 * 1280 bytes and never about an error, a fragment or a group address; the
 * token bucket with a fake clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "net.h"

static const uint8_t a4[4] = { 10, 0, 0, 1 }, b4[4] = { 10, 0, 0, 2 };
static const uint8_t a6[16] = { 0xfd, [15] = 1 }, b6[16] = { 0xfd, [15] = 2 };

static void
test_icmp4_echo_reply_in_place(void **state)
{
	uint8_t m[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1, 't', 'u', 'r', 'n', 'p', 'i', 'k', 'e' };
	uint16_t c = (uint16_t)~net_fold(net_sum16(m, 16, 0));

	(void)state;
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	assert_int_equal(icmp4_echo_reply(m, 16), DP_DROP_NONE);
	assert_int_equal(m[0], 0);
	assert_int_equal(net_fold(net_sum16(m, 16, 0)), 0xffff);
	assert_memory_equal(m + 4, "\x12\x34\x00\x01turnpike", 12);
	/* now it is a reply: not an echo request */
	assert_int_equal(icmp4_echo_reply(m, 16), DP_DROP_ICMP_TYPE);
	m[9] ^= 1;
	assert_int_equal(icmp4_echo_reply(m, 16), DP_DROP_ICMP_MALFORMED);
	assert_int_equal(icmp4_echo_reply(m, 7), DP_DROP_ICMP_MALFORMED);
}

static void
test_icmp6_echo_reply_in_place(void **state)
{
	uint8_t m[12] = { 128, 0, 0, 0, 0, 7, 0, 1, 'p', 'i', 'n', 'g' };
	uint16_t c = ipv6_l4_cksum(b6, a6, 58, m, 12);

	(void)state;
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	assert_int_equal(icmp6_echo_reply(m, 12, b6, a6), DP_DROP_NONE);
	assert_int_equal(m[0], 129);
	assert_int_equal(ipv6_l4_cksum(a6, b6, 58, m, 12), 0);
	m[2] ^= 1;
	assert_int_equal(icmp6_echo_reply(m, 12, a6, b6), DP_DROP_ICMP_MALFORMED);
}

static size_t
udp4(uint8_t *p, size_t payload)
{
	ipv4_build_hdr(p, b4, a4, 17, 64, (uint16_t)(28 + payload));
	memset(p + 20, 0xab, 8 + payload);
	return 28 + payload;
}

static void
test_icmp4_unreach_quotes_within_576(void **state)
{
	uint8_t orig[1500], out[1600];
	struct ipv4_info info;
	size_t n;

	(void)state;
	n = icmp4_build_unreach(out, sizeof(out), a4, 3, orig, udp4(orig, 12));
	assert_int_equal(n, 20 + 8 + 40);
	assert_int_equal(ipv4_validate(out, n, false, &info), DP_DROP_NONE);
	assert_int_equal(info.proto, 1);
	assert_memory_equal(info.dst, b4, 4);     /* back to the sender */
	assert_memory_equal(info.src, a4, 4);
	assert_int_equal(out[20], 3);
	assert_int_equal(out[21], 3);
	assert_int_equal(net_fold(net_sum16(out + 20, n - 20, 0)), 0xffff);
	assert_memory_equal(out + 28, orig, 40);
	n = icmp4_build_unreach(out, sizeof(out), a4, 3, orig, udp4(orig, 1400));
	assert_int_equal(n, 576);
	assert_int_equal(icmp4_build_unreach(out, 67, a4, 3, orig, udp4(orig, 12)), 0);
}

static void
test_icmp4_unreach_refusals(void **state)
{
	uint8_t orig[64], out[600];
	size_t n;

	(void)state;
	n = udp4(orig, 12);
	orig[6] = 0x00; orig[7] = 0x10;           /* non-first fragment */
	assert_int_equal(icmp4_build_unreach(out, sizeof(out), a4, 3, orig, n), 0);
	n = udp4(orig, 12);
	orig[16] = 224;                           /* to a group */
	assert_int_equal(icmp4_build_unreach(out, sizeof(out), a4, 3, orig, n), 0);
	n = udp4(orig, 12);
	memset(orig + 16, 255, 4);                /* to broadcast */
	assert_int_equal(icmp4_build_unreach(out, sizeof(out), a4, 3, orig, n), 0);
	n = udp4(orig, 12);
	memset(orig + 12, 0, 4);                  /* from 0.0.0.0 */
	assert_int_equal(icmp4_build_unreach(out, sizeof(out), a4, 3, orig, n), 0);
	ipv4_build_hdr(orig, b4, a4, 1, 64, 28);  /* an ICMP error itself */
	orig[20] = 3;
	assert_int_equal(icmp4_build_unreach(out, sizeof(out), a4, 3, orig, 28), 0);
	orig[20] = 8;                             /* an echo is not an error */
	assert_int_not_equal(icmp4_build_unreach(out, sizeof(out), a4, 3, orig, 28), 0);
	assert_int_equal(icmp4_build_unreach(out, sizeof(out), a4, 3, orig, 19), 0);
}

static size_t
udp6(uint8_t *p, size_t payload, uint8_t nh)
{
	ipv6_build_hdr(p, b6, a6, nh, 64, (uint16_t)(8 + payload));
	memset(p + 40, 0xcd, 8 + payload);
	return 48 + payload;
}

static void
test_icmp6_unreach_within_1280_and_refusals(void **state)
{
	uint8_t orig[1500], out[1600];
	struct ipv6_info info;
	size_t n;

	(void)state;
	n = icmp6_build_unreach(out, sizeof(out), a6, 4, orig, udp6(orig, 10, 17));
	assert_int_equal(n, 40 + 8 + 58);
	assert_int_equal(ipv6_validate(out, n, &info), DP_DROP_NONE);
	assert_int_equal(info.next_hdr, 58);
	assert_memory_equal(info.dst, b6, 16);
	assert_int_equal(out[40], 1);
	assert_int_equal(out[41], 4);
	assert_int_equal(ipv6_l4_cksum(out + 8, out + 24, 58, out + 40, n - 40), 0);
	n = icmp6_build_unreach(out, sizeof(out), a6, 4, orig, udp6(orig, 1400, 17));
	assert_int_equal(n, 1280);
	n = udp6(orig, 10, 58);
	orig[40] = 1;                             /* an ICMPv6 error */
	assert_int_equal(icmp6_build_unreach(out, sizeof(out), a6, 4, orig, n), 0);
	n = udp6(orig, 10, 17);
	orig[24] = 0xff;                          /* to a group */
	assert_int_equal(icmp6_build_unreach(out, sizeof(out), a6, 4, orig, n), 0);
}

static void
test_ratelimit_token_bucket(void **state)
{
	struct net_ratelimit r;
	int n = 0;

	(void)state;
	/* 10 per second, burst 5, clock in ms */
	net_ratelimit_init(&r, 10, 5, 1000, 0);
	while (net_ratelimit_allow(&r, 0))
		n++;
	assert_int_equal(n, 5);
	assert_false(net_ratelimit_allow(&r, 99));
	assert_true(net_ratelimit_allow(&r, 100));   /* one earned per 100 ms */
	assert_false(net_ratelimit_allow(&r, 150));
	n = 0;
	while (net_ratelimit_allow(&r, 100000))      /* long idle: burst cap */
		n++;
	assert_int_equal(n, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp4_echo_reply_in_place),
		cmocka_unit_test(test_icmp6_echo_reply_in_place),
		cmocka_unit_test(test_icmp4_unreach_quotes_within_576),
		cmocka_unit_test(test_icmp4_unreach_refusals),
		cmocka_unit_test(test_icmp6_unreach_within_1280_and_refusals),
		cmocka_unit_test(test_ratelimit_token_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
