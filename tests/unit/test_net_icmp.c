/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net ICMP: echo replies for IPv4 and IPv6 compared byte for byte with
 * replies computed in Python, and refused when short, corrupt or not a
 * request; destination-unreachable errors for both families (header
 * fields, quoted bytes, both checksums, the 576 and 1280 byte caps,
 * Ethernet padding not quoted) and every case where no error may be sent;
 * the token bucket against a fake clock (burst, refill, cap, frequent
 * callers not starved, no overflow on long idles). Packets are written
 * byte by byte here; checksums are checked with the test's own sum.
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
	uint8_t *d = malloc(len);

	assert_non_null(d);
	memcpy(d, p, len);
	return d;
}

/* Sum of an ICMPv6 message with its pseudo-header: 0xffff when valid. */
static uint16_t
ref_sum6(const uint8_t *src, const uint8_t *dst, const uint8_t *l4, size_t len)
{
	uint32_t s = ref_add(src, 16, 0);

	s = ref_add(dst, 16, s);
	s += (uint32_t)len + 58;
	return ref_fold(ref_add(l4, len, s));
}

/* ---- echo --------------------------------------------------------------- */

/* id 0x1234, seq 1, "abcdefghi" (odd length); checksums from Python. */
static const uint8_t echo4_req[17] = {
	0x08, 0x00, 0xeb, 0x34, 0x12, 0x34, 0x00, 0x01,
	'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i',
};
static const uint8_t echo4_rep[17] = {
	0x00, 0x00, 0xf3, 0x34, 0x12, 0x34, 0x00, 0x01,
	'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i',
};

static void
test_icmp4_echo_reply_byte_exact(void **state)
{
	uint8_t *d = dup_exact(echo4_req, sizeof(echo4_req));

	(void)state;
	assert_int_equal(icmp4_echo_reply(d, sizeof(echo4_req)), DP_DROP_NONE);
	assert_memory_equal(d, echo4_rep, sizeof(echo4_rep));
	free(d);
}

static void
test_icmp4_echo_reply_refuses_bad_input(void **state)
{
	uint8_t *d;

	(void)state;
	/* Short. */
	d = dup_exact(echo4_req, 7);
	assert_int_equal(icmp4_echo_reply(d, 7), DP_DROP_ICMP_MALFORMED);
	free(d);
	/* Corrupt: one data bit flipped; the buffer is left alone. */
	d = dup_exact(echo4_req, sizeof(echo4_req));
	d[10] ^= 0x04;
	assert_int_equal(icmp4_echo_reply(d, sizeof(echo4_req)),
			 DP_DROP_ICMP_MALFORMED);
	assert_int_equal(d[0], 8);
	free(d);
	/* A reply (valid checksum) is not answered. */
	d = dup_exact(echo4_rep, sizeof(echo4_rep));
	assert_int_equal(icmp4_echo_reply(d, sizeof(echo4_rep)), DP_DROP_ICMP_TYPE);
	assert_memory_equal(d, echo4_rep, sizeof(echo4_rep));
	free(d);
}

static void
test_icmp4_echo_reply_checksum_edge(void **state)
{
	/* Identifier, sequence and data all zero: the reply's only valid
	 * checksum is 0xffff. An incremental update (RFC 1624 eqn. 3)
	 * cannot tell +0 from -0 and would give 0x0000. */
	uint8_t m[8] = { 0x08, 0x00, 0xf7, 0xff, 0x00, 0x00, 0x00, 0x00 };

	(void)state;
	assert_int_equal(ref_fold(ref_add(m, 8, 0)), 0xffff);
	assert_int_equal(icmp4_echo_reply(m, 8), DP_DROP_NONE);
	assert_int_equal(m[0], 0);
	assert_int_equal(m[2], 0xff);
	assert_int_equal(m[3], 0xff);
	assert_int_equal(ref_fold(ref_add(m, 8, 0)), 0xffff);
}

static const uint8_t fe80_1[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t fe80_2[16] = { 0xfe, 0x80, [15] = 2 };

/* fe80::1 -> fe80::2, id 0x4242, seq 7, "ping6"; from Python. */
static const uint8_t echo6_req[13] = {
	0x80, 0x00, 0x2b, 0x99, 0x42, 0x42, 0x00, 0x07, 'p', 'i', 'n', 'g', '6',
};
static const uint8_t echo6_rep[13] = {
	0x81, 0x00, 0x2a, 0x99, 0x42, 0x42, 0x00, 0x07, 'p', 'i', 'n', 'g', '6',
};

static void
test_icmp6_echo_reply_byte_exact(void **state)
{
	uint8_t *d = dup_exact(echo6_req, sizeof(echo6_req));

	(void)state;
	assert_int_equal(icmp6_echo_reply(d, sizeof(echo6_req), fe80_1, fe80_2),
			 DP_DROP_NONE);
	assert_memory_equal(d, echo6_rep, sizeof(echo6_rep));
	assert_int_equal(ref_sum6(fe80_2, fe80_1, d, sizeof(echo6_rep)), 0xffff);
	free(d);
}

static void
test_icmp6_echo_reply_refuses_bad_input(void **state)
{
	uint8_t *d;

	(void)state;
	d = dup_exact(echo6_req, 7);
	assert_int_equal(icmp6_echo_reply(d, 7, fe80_1, fe80_2),
			 DP_DROP_ICMP_MALFORMED);
	free(d);
	d = dup_exact(echo6_req, sizeof(echo6_req));
	/* Right bytes, wrong pseudo-header: a checksum failure. */
	assert_int_equal(icmp6_echo_reply(d, sizeof(echo6_req), fe80_1, fe80_1),
			 DP_DROP_ICMP_MALFORMED);
	d[12] ^= 1;
	assert_int_equal(icmp6_echo_reply(d, sizeof(echo6_req), fe80_1, fe80_2),
			 DP_DROP_ICMP_MALFORMED);
	free(d);
	d = dup_exact(echo6_rep, sizeof(echo6_rep));
	assert_int_equal(icmp6_echo_reply(d, sizeof(echo6_rep), fe80_2, fe80_1),
			 DP_DROP_ICMP_TYPE);
	assert_memory_equal(d, echo6_rep, sizeof(echo6_rep));
	free(d);
}

/* ---- IPv4 unreachable --------------------------------------------------- */

static const uint8_t our4[4] = { 198, 51, 100, 7 };
static const uint8_t peer4[4] = { 192, 0, 2, 1 };

/* An IPv4 datagram of total bytes from peer4 to our4, protocol proto,
 * payload bytes (i * 7) & 0xff. */
static void
make_orig4(uint8_t *p, size_t total, uint8_t proto)
{
	uint16_t c;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[8] = 61;
	p[9] = proto;
	memcpy(p + 12, peer4, 4);
	memcpy(p + 16, our4, 4);
	for (size_t i = 20; i < total; i++)
		p[i] = (uint8_t)(i * 7);
	c = (uint16_t)~ref_fold(ref_add(p, 20, 0));
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
}

static void
check_unreach4(const uint8_t *p, size_t n, uint8_t code, const uint8_t *orig,
	       size_t quote)
{
	assert_int_equal(n, 28 + quote);
	assert_int_equal(p[0], 0x45);
	assert_int_equal((size_t)(p[2] << 8 | p[3]), n);
	assert_int_equal(p[8], 64);
	assert_int_equal(p[9], 1);
	assert_memory_equal(p + 12, our4, 4);
	assert_memory_equal(p + 16, peer4, 4);
	assert_int_equal(ref_fold(ref_add(p, 20, 0)), 0xffff);
	assert_int_equal(p[20], 3);
	assert_int_equal(p[21], code);
	assert_int_equal(p[24] | p[25] | p[26] | p[27], 0);
	assert_int_equal(ref_fold(ref_add(p + 20, n - 20, 0)), 0xffff);
	assert_memory_equal(p + 28, orig, quote);
}

static void
test_icmp4_build_unreach_small_quotes_all(void **state)
{
	uint8_t orig[100], p[600];
	uint8_t *d;
	size_t n;

	(void)state;
	make_orig4(orig, sizeof(orig), 17);
	d = dup_exact(orig, sizeof(orig));
	memset(p, 0xee, sizeof(p));
	n = icmp4_build_unreach(p, sizeof(p), our4, 3, d, sizeof(orig));
	check_unreach4(p, n, 3, orig, 100);
	assert_int_equal(p[128], 0xee);
	/* Exactly enough room, then one byte less. */
	n = icmp4_build_unreach(p, 128, our4, 3, d, sizeof(orig));
	assert_int_equal(n, 128);
	assert_int_equal(icmp4_build_unreach(p, 127, our4, 3, d, sizeof(orig)), 0);
	free(d);
}

static void
test_icmp4_build_unreach_caps_at_576(void **state)
{
	uint8_t orig[1000], p[2048];
	uint8_t *d;
	size_t n;

	(void)state;
	make_orig4(orig, sizeof(orig), 17);
	d = dup_exact(orig, sizeof(orig));
	n = icmp4_build_unreach(p, sizeof(p), our4, 3, d, sizeof(orig));
	assert_int_equal(n, 576);
	check_unreach4(p, n, 3, orig, 548);
	/* 548 bytes of datagram: exactly 576, nothing cut. */
	make_orig4(orig, 548, 17);
	n = icmp4_build_unreach(p, sizeof(p), our4, 1, orig, 548);
	check_unreach4(p, n, 1, orig, 548);
	free(d);
}

static void
test_icmp4_build_unreach_skips_ethernet_padding(void **state)
{
	uint8_t orig[46], p[128];
	uint8_t *d;
	size_t n;

	(void)state;
	memset(orig, 0, sizeof(orig));
	make_orig4(orig, 30, 17);       /* 30-byte datagram padded to 46 */
	d = dup_exact(orig, sizeof(orig));
	n = icmp4_build_unreach(p, sizeof(p), our4, 3, d, sizeof(orig));
	check_unreach4(p, n, 3, orig, 30);
	free(d);
}

static void
test_icmp4_build_unreach_refusals(void **state)
{
	static const uint8_t errors[] = { 3, 4, 5, 11, 12 };
	static const uint8_t bad_src[][4] = {
		{ 0, 0, 0, 0 }, { 224, 0, 0, 5 }, { 255, 255, 255, 255 },
		{ 127, 0, 0, 1 },
	};
	static const uint8_t bad_dst[][4] = {
		{ 224, 0, 0, 1 }, { 239, 255, 255, 250 }, { 255, 255, 255, 255 },
	};
	uint8_t orig[64], p[256];

	(void)state;
	/* About ICMP errors: never. */
	for (size_t i = 0; i < sizeof(errors); i++) {
		make_orig4(orig, sizeof(orig), 1);
		orig[20] = errors[i];
		assert_int_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig,
						     sizeof(orig)), 0);
	}
	/* About an echo request or reply (not errors): yes. */
	make_orig4(orig, sizeof(orig), 1);
	orig[20] = 8;
	assert_int_not_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig,
						 sizeof(orig)), 0);
	orig[20] = 0;
	assert_int_not_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig,
						 sizeof(orig)), 0);
	/* ICMP whose type cannot be read: assume an error. */
	make_orig4(orig, 20, 1);
	assert_int_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig, 20), 0);
	/* A non-first fragment: never; a first fragment (MF): yes. */
	make_orig4(orig, sizeof(orig), 17);
	orig[7] = 0x10;
	assert_int_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig,
					     sizeof(orig)), 0);
	orig[6] = 0x20;
	orig[7] = 0;
	assert_int_not_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig,
						 sizeof(orig)), 0);
	/* From no single host, or to a group. */
	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		make_orig4(orig, sizeof(orig), 17);
		memcpy(orig + 12, bad_src[i], 4);
		assert_int_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig,
						     sizeof(orig)), 0);
	}
	for (size_t i = 0; i < sizeof(bad_dst) / sizeof(bad_dst[0]); i++) {
		make_orig4(orig, sizeof(orig), 17);
		memcpy(orig + 16, bad_dst[i], 4);
		assert_int_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig,
						     sizeof(orig)), 0);
	}
	/* Not an IPv4 header at all. */
	make_orig4(orig, sizeof(orig), 17);
	assert_int_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig, 19), 0);
	orig[0] = 0x65;
	assert_int_equal(icmp4_build_unreach(p, sizeof(p), our4, 3, orig,
					     sizeof(orig)), 0);
}

/* ---- IPv6 unreachable --------------------------------------------------- */

static const uint8_t our6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x20, [15] = 1 };
static const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10, [15] = 5 };

static void
make_orig6(uint8_t *p, size_t total, uint8_t nh)
{
	size_t plen = total - 40;

	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 59;
	memcpy(p + 8, peer6, 16);
	memcpy(p + 24, our6, 16);
	for (size_t i = 40; i < total; i++)
		p[i] = (uint8_t)(i * 13);
}

static void
check_unreach6(const uint8_t *p, size_t n, uint8_t code, const uint8_t *orig,
	       size_t quote)
{
	assert_int_equal(n, 48 + quote);
	assert_int_equal(p[0] >> 4, 6);
	assert_int_equal((size_t)(p[4] << 8 | p[5]), n - 40);
	assert_int_equal(p[6], 58);
	assert_int_equal(p[7], 64);
	assert_memory_equal(p + 8, our6, 16);
	assert_memory_equal(p + 24, peer6, 16);
	assert_int_equal(p[40], 1);
	assert_int_equal(p[41], code);
	assert_int_equal(p[44] | p[45] | p[46] | p[47], 0);
	assert_int_equal(ref_sum6(our6, peer6, p + 40, n - 40), 0xffff);
	assert_memory_equal(p + 48, orig, quote);
}

static void
test_icmp6_build_unreach_quotes_and_caps_at_1280(void **state)
{
	uint8_t orig[1500], p[2048];
	uint8_t *d;
	size_t n;

	(void)state;
	make_orig6(orig, 120, 17);
	d = dup_exact(orig, 120);
	n = icmp6_build_unreach(p, sizeof(p), our6, 4, d, 120);
	check_unreach6(p, n, 4, orig, 120);
	free(d);
	assert_int_equal(icmp6_build_unreach(p, 167, our6, 4, orig, 120), 0);
	assert_int_equal(icmp6_build_unreach(p, 168, our6, 4, orig, 120), 168);

	make_orig6(orig, sizeof(orig), 17);
	d = dup_exact(orig, sizeof(orig));
	n = icmp6_build_unreach(p, sizeof(p), our6, 4, d, sizeof(orig));
	assert_int_equal(n, 1280);
	check_unreach6(p, n, 4, orig, 1232);
	free(d);

	/* Link padding after the payload is not quoted. */
	memset(orig, 0, 64);
	make_orig6(orig, 50, 17);
	n = icmp6_build_unreach(p, sizeof(p), our6, 4, orig, 64);
	check_unreach6(p, n, 4, orig, 50);
}

static void
test_icmp6_build_unreach_refusals(void **state)
{
	static const uint8_t mc[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t unspec[16];
	uint8_t orig[96], p[256];

	(void)state;
	/* ICMPv6 errors (types 0-127): never; informational: yes. */
	for (unsigned int t = 0; t < 128; t++) {
		make_orig6(orig, sizeof(orig), 58);
		orig[40] = (uint8_t)t;
		assert_int_equal(icmp6_build_unreach(p, sizeof(p), our6, 4, orig,
						     sizeof(orig)), 0);
	}
	make_orig6(orig, sizeof(orig), 58);
	orig[40] = 128;
	assert_int_not_equal(icmp6_build_unreach(p, sizeof(p), our6, 4, orig,
						 sizeof(orig)), 0);
	/* An ICMPv6 packet too short to show its type. */
	make_orig6(orig, 40, 58);
	assert_int_equal(icmp6_build_unreach(p, sizeof(p), our6, 4, orig, 40), 0);
	/* To a multicast group. */
	make_orig6(orig, sizeof(orig), 17);
	memcpy(orig + 24, mc, 16);
	assert_int_equal(icmp6_build_unreach(p, sizeof(p), our6, 4, orig,
					     sizeof(orig)), 0);
	/* From a group or from ::. */
	make_orig6(orig, sizeof(orig), 17);
	memcpy(orig + 8, mc, 16);
	assert_int_equal(icmp6_build_unreach(p, sizeof(p), our6, 4, orig,
					     sizeof(orig)), 0);
	memcpy(orig + 8, unspec, 16);
	assert_int_equal(icmp6_build_unreach(p, sizeof(p), our6, 4, orig,
					     sizeof(orig)), 0);
	/* Not IPv6. */
	make_orig6(orig, sizeof(orig), 17);
	assert_int_equal(icmp6_build_unreach(p, sizeof(p), our6, 4, orig, 39), 0);
	orig[0] = 0x45;
	assert_int_equal(icmp6_build_unreach(p, sizeof(p), our6, 4, orig,
					     sizeof(orig)), 0);
}

/* ---- rate limiter -------------------------------------------------------- */

static void
test_net_ratelimit_burst_then_rate(void **state)
{
	struct net_ratelimit r;
	unsigned int ok = 0;

	(void)state;
	/* 10 per second, bursts of 5, a millisecond clock from 1000. */
	net_ratelimit_init(&r, 10, 5, 1000, 1000);
	for (int i = 0; i < 8; i++)
		ok += net_ratelimit_allow(&r, 1000);
	assert_int_equal(ok, 5);
	assert_false(net_ratelimit_allow(&r, 1099));
	assert_true(net_ratelimit_allow(&r, 1100));
	assert_false(net_ratelimit_allow(&r, 1100));
	assert_false(net_ratelimit_allow(&r, 1150));
	assert_true(net_ratelimit_allow(&r, 1200));
	/* A long idle refills to the burst, no more. */
	ok = 0;
	for (int i = 0; i < 20; i++)
		ok += net_ratelimit_allow(&r, 3600000);
	assert_int_equal(ok, 5);
	/* Time going backwards earns nothing. */
	assert_false(net_ratelimit_allow(&r, 5));
}

static void
test_net_ratelimit_frequent_calls_not_starved(void **state)
{
	struct net_ratelimit r;
	unsigned int ok = 0;

	(void)state;
	/* A microsecond clock polled every microsecond: each call is worth
	 * a hundredth of a milli-token, yet a second yields 10 tokens. */
	net_ratelimit_init(&r, 10, 5, 1000000, 0);
	while (net_ratelimit_allow(&r, 0))
		;
	for (uint64_t t = 1; t <= 1000000; t++)
		ok += net_ratelimit_allow(&r, t);
	assert_int_equal(ok, 10);
	/* A rate that does not divide the clock: 3 per second on a 7 Hz
	 * clock, polled every tick for 70 seconds, gives exactly 210. */
	net_ratelimit_init(&r, 3, 2, 7, 0);
	while (net_ratelimit_allow(&r, 0))
		;
	ok = 0;
	for (uint64_t t = 1; t <= 490; t++)
		ok += net_ratelimit_allow(&r, t);
	assert_int_equal(ok, 210);
}

static void
test_net_ratelimit_tsc_clock_and_zero_rate(void **state)
{
	struct net_ratelimit r;
	uint64_t hz = 3000000000ull;
	unsigned int ok = 0;

	(void)state;
	/* A 3 GHz TSC, 100/s, bursts of 10; a year idle does not overflow. */
	net_ratelimit_init(&r, 100, 10, hz, 12345);
	for (int i = 0; i < 20; i++)
		ok += net_ratelimit_allow(&r, 12345);
	assert_int_equal(ok, 10);
	/* The next token comes after 1/100 s, give or take the time of one
	 * milli-token (credit runs on a grid of absolute time). */
	assert_false(net_ratelimit_allow(&r, 12345 + hz / 100 - hz / 100000));
	assert_true(net_ratelimit_allow(&r, 12345 + hz / 100));
	assert_false(net_ratelimit_allow(&r, 12345 + hz / 100));
	ok = 0;
	for (int i = 0; i < 20; i++)
		ok += net_ratelimit_allow(&r, 12345 + hz * 86400 * 365);
	assert_int_equal(ok, 10);
	/* Rate 0: the first burst and nothing after it. */
	net_ratelimit_init(&r, 0, 2, hz, 0);
	assert_true(net_ratelimit_allow(&r, 0));
	assert_true(net_ratelimit_allow(&r, 1));
	assert_false(net_ratelimit_allow(&r, hz * 1000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp4_echo_reply_byte_exact),
		cmocka_unit_test(test_icmp4_echo_reply_refuses_bad_input),
		cmocka_unit_test(test_icmp4_echo_reply_checksum_edge),
		cmocka_unit_test(test_icmp6_echo_reply_byte_exact),
		cmocka_unit_test(test_icmp6_echo_reply_refuses_bad_input),
		cmocka_unit_test(test_icmp4_build_unreach_small_quotes_all),
		cmocka_unit_test(test_icmp4_build_unreach_caps_at_576),
		cmocka_unit_test(test_icmp4_build_unreach_skips_ethernet_padding),
		cmocka_unit_test(test_icmp4_build_unreach_refusals),
		cmocka_unit_test(test_icmp6_build_unreach_quotes_and_caps_at_1280),
		cmocka_unit_test(test_icmp6_build_unreach_refusals),
		cmocka_unit_test(test_net_ratelimit_burst_then_rate),
		cmocka_unit_test(test_net_ratelimit_frequent_calls_not_starved),
		cmocka_unit_test(test_net_ratelimit_tsc_clock_and_zero_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
