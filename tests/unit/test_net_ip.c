/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net IPv4 and IPv6 headers: every drop reason of ipv4_validate and
 * ipv6_validate (each on an exact-size heap copy, so ASan catches any
 * read past the length given), Ethernet padding accepted, the RFC 1071
 * sums against known answers (the RFC's own example, a classic header,
 * UDP over IPv4 and over IPv6 cross-checked with an independent Python
 * sum), header building byte for byte, the solicited-node group and its
 * MAC, prefix matching and drop names. Packets are written byte by byte
 * here; checks use a reference sum of the test's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net.h"

/* The test's own RFC 1071 sum, folded, not inverted. */
static uint16_t
ref_sum(const uint8_t *p, size_t len)
{
	uint64_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint64_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint64_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* An exact-size heap copy: one byte more read is an ASan error. */
static uint8_t *
dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len);

	assert_non_null(d);
	memcpy(d, p, len);
	return d;
}

/* ---- IPv4 --------------------------------------------------------------- */

/* 192.0.2.1 -> 198.51.100.7, UDP, TTL 64, DF; NOP options past 20. */
static void
make_ip4(uint8_t *p, uint8_t ihl_words, uint16_t total)
{
	size_t hl = (size_t)ihl_words * 4;
	uint16_t c;

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | ihl_words);
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[4] = 0x12;
	p[5] = 0x34;
	p[6] = 0x40;
	p[8] = 64;
	p[9] = 17;
	p[12] = 192; p[13] = 0; p[14] = 2; p[15] = 1;
	p[16] = 198; p[17] = 51; p[18] = 100; p[19] = 7;
	for (size_t i = 20; i < hl; i++)
		p[i] = 1;               /* NOP options */
	c = (uint16_t)~ref_sum(p, hl);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
}

static void
refix_ip4(uint8_t *p)
{
	size_t hl = (size_t)(p[0] & 0xf) * 4;
	uint16_t c;

	p[10] = p[11] = 0;
	c = (uint16_t)~ref_sum(p, hl);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
}

static enum dp_drop
v4_check(const uint8_t *p, size_t len, bool csum_ok, struct ipv4_info *out)
{
	uint8_t *d = dup_exact(p, len);
	enum dp_drop r = ipv4_validate(d, len, csum_ok, out);

	free(d);
	return r;
}

static void
test_ipv4_validate_accepts_good_header(void **state)
{
	uint8_t p[28];
	struct ipv4_info in;
	static const uint8_t src[4] = { 192, 0, 2, 1 };
	static const uint8_t dst[4] = { 198, 51, 100, 7 };

	(void)state;
	make_ip4(p, 5, 28);
	memset(p + 20, 0xaa, 8);
	memset(&in, 0, sizeof(in));
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_NONE);
	assert_int_equal(in.hdr_len, 20);
	assert_int_equal(in.proto, 17);
	assert_int_equal(in.ttl, 64);
	assert_int_equal(in.total_len, 28);
	assert_memory_equal(in.src, src, 4);
	assert_memory_equal(in.dst, dst, 4);
}

static void
test_ipv4_validate_accepts_options_and_padding(void **state)
{
	uint8_t p[60];
	struct ipv4_info in;

	(void)state;
	memset(p, 0, sizeof(p));
	make_ip4(p, 6, 32);             /* 24-byte header, 8 of UDP */
	/* A 60-byte Ethernet minimum frame pads 32 bytes of IP to 46. */
	assert_int_equal(v4_check(p, 46, false, &in), DP_DROP_NONE);
	assert_int_equal(in.hdr_len, 24);
	assert_int_equal(in.total_len, 32);
	assert_int_equal(v4_check(p, 32, false, &in), DP_DROP_NONE);
}

static void
test_ipv4_validate_classic_header(void **state)
{
	/* The widely quoted example header, checksum 0xb861. */
	static const uint8_t h[20] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	uint8_t p[0x73];
	struct ipv4_info in;

	(void)state;
	memset(p, 0, sizeof(p));
	memcpy(p, h, 20);
	assert_int_equal(net_fold(net_sum16(h, 20, 0)), 0xffff);
	assert_int_equal(v4_check(p, sizeof(p), false, &in), DP_DROP_NONE);
	p[11] ^= 1;
	assert_int_equal(v4_check(p, sizeof(p), false, &in), DP_DROP_IP4_CHECKSUM);
}

static void
test_ipv4_validate_short(void **state)
{
	uint8_t p[20];
	struct ipv4_info in;

	(void)state;
	make_ip4(p, 5, 20);
	assert_int_equal(v4_check(p, 19, false, &in), DP_DROP_IP4_SHORT);
	assert_int_equal(v4_check(p, 1, false, &in), DP_DROP_IP4_SHORT);
	assert_int_equal(v4_check(p, 20, false, &in), DP_DROP_NONE);
}

static void
test_ipv4_validate_bad_version(void **state)
{
	uint8_t p[28];
	struct ipv4_info in;

	(void)state;
	make_ip4(p, 5, 28);
	p[0] = 0x65;
	refix_ip4(p);
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_VERSION);
	p[0] = 0x05;
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_VERSION);
}

static void
test_ipv4_validate_bad_ihl(void **state)
{
	uint8_t p[60];
	struct ipv4_info in;

	(void)state;
	memset(p, 0, sizeof(p));
	make_ip4(p, 5, 28);
	p[0] = 0x44;                    /* IHL 4: 16 bytes < 20 */
	assert_int_equal(v4_check(p, 28, true, &in), DP_DROP_IP4_HDR_LEN);
	/* IHL 15 (60 bytes) in a 40-byte buffer: beyond it. */
	make_ip4(p, 15, 40);
	assert_int_equal(v4_check(p, 40, true, &in), DP_DROP_IP4_HDR_LEN);
}

static void
test_ipv4_validate_bad_total_len_both_ways(void **state)
{
	uint8_t p[28];
	struct ipv4_info in;

	(void)state;
	make_ip4(p, 5, 29);             /* one more than the buffer */
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_TOTAL_LEN);
	make_ip4(p, 5, 19);             /* less than the header */
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_TOTAL_LEN);
	make_ip4(p, 5, 28);
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_NONE);
}

static void
test_ipv4_validate_bad_checksum_unless_offloaded(void **state)
{
	uint8_t p[28];
	struct ipv4_info in;

	(void)state;
	make_ip4(p, 5, 28);
	p[10] ^= 0x80;
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_CHECKSUM);
	/* The NIC said good: not checked again. */
	assert_int_equal(v4_check(p, 28, true, &in), DP_DROP_NONE);
	/* A checksum error in the options counts too. */
	make_ip4(p, 6, 28);
	p[22] = 0;
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_CHECKSUM);
}

static void
test_ipv4_validate_ttl_zero(void **state)
{
	uint8_t p[28];
	struct ipv4_info in;

	(void)state;
	make_ip4(p, 5, 28);
	p[8] = 0;
	refix_ip4(p);
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_TTL);
	p[8] = 1;
	refix_ip4(p);
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_NONE);
}

static void
test_ipv4_validate_fragments(void **state)
{
	uint8_t p[28];
	struct ipv4_info in;

	(void)state;
	make_ip4(p, 5, 28);
	p[6] = 0x20;                    /* MF, offset 0: a first fragment */
	p[7] = 0;
	refix_ip4(p);
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_FRAGMENT);
	p[6] = 0x00;                    /* last fragment, offset 8 */
	p[7] = 1;
	refix_ip4(p);
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_FRAGMENT);
	p[6] = 0x50;                    /* DF with an offset: still one */
	p[7] = 0;
	refix_ip4(p);
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_FRAGMENT);
	p[6] = 0x00;                    /* no DF, no MF, offset 0: whole */
	refix_ip4(p);
	assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_NONE);
}

static void
test_ipv4_validate_bad_sources(void **state)
{
	static const uint8_t bad[][4] = {
		{ 0, 0, 0, 0 }, { 0, 1, 2, 3 }, { 127, 0, 0, 1 },
		{ 127, 255, 255, 254 }, { 224, 0, 0, 1 }, { 239, 1, 2, 3 },
		{ 240, 0, 0, 1 }, { 255, 255, 255, 255 },
	};
	static const uint8_t good[][4] = {
		{ 1, 0, 0, 0 }, { 10, 0, 0, 1 }, { 126, 255, 255, 255 },
		{ 128, 0, 0, 1 }, { 223, 255, 255, 255 },
	};
	uint8_t p[28];
	struct ipv4_info in;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_ip4(p, 5, 28);
		memcpy(p + 12, bad[i], 4);
		refix_ip4(p);
		assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_IP4_BAD_SRC);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		make_ip4(p, 5, 28);
		memcpy(p + 12, good[i], 4);
		refix_ip4(p);
		assert_int_equal(v4_check(p, 28, false, &in), DP_DROP_NONE);
	}
}

static void
test_ipv4_build_hdr_bytes(void **state)
{
	static const uint8_t src[4] = { 192, 0, 2, 1 };
	static const uint8_t dst[4] = { 198, 51, 100, 7 };
	/* From Python: version/IHL, DF, TTL 64, UDP, checksum 0x4e81. */
	static const uint8_t want[20] = {
		0x45, 0x00, 0x00, 0x30, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0x4e, 0x81, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07,
	};
	uint8_t p[20];

	(void)state;
	memset(p, 0xee, sizeof(p));
	ipv4_build_hdr(p, src, dst, 17, 64, 48);
	assert_memory_equal(p, want, 20);
	/* Swapping the addresses in place (a reply) works. */
	ipv4_build_hdr(p, p + 16, p + 12, 17, 64, 48);
	assert_memory_equal(p + 12, dst, 4);
	assert_memory_equal(p + 16, src, 4);
	assert_int_equal(ref_sum(p, 20), 0xffff);
	/* A DS byte (EF, 46 << 2): in the TOS, in the checksum. */
	ipv4_build_hdr_ds(p, src, dst, 6, 64, 48, 46 << 2);
	assert_int_equal(p[1], 0xb8);
	assert_int_equal(ref_sum(p, 20), 0xffff);
}

/* ---- sums --------------------------------------------------------------- */

static void
test_net_sum16_rfc1071_example(void **state)
{
	/* RFC 1071 §3 numerical example: the sum is 0xddf2. */
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(net_fold(net_sum16(b, 8, 0)), 0xddf2);
	assert_int_equal((uint16_t)~net_fold(net_sum16(b, 8, 0)), 0x220d);
	/* In pieces, with the running sum carried (an even split). */
	assert_int_equal(net_fold(net_sum16(b + 4, 4, net_sum16(b, 4, 0))), 0xddf2);
	/* An odd length pads the last byte on the right. */
	assert_int_equal(net_fold(net_sum16(b, 3, 0)), 0xf201);
	assert_int_equal(net_fold(net_sum16(b, 0, 0)), 0);
}

/* The word-at-a-time sum against the byte-pair reference: every length
 * from 0 to 300 at every alignment, random bytes, a carried-in sum. */
static void
test_net_sum16_matches_reference_any_length_and_alignment(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (size_t len = 0; len <= 300; len++) {
		for (size_t align = 0; align < 8; align++) {
			uint8_t *raw = malloc(len + align), *b = raw + align;
			uint32_t carry;
			uint32_t want;

			assert_non_null(raw);
			for (size_t i = 0; i < len; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				b[i] = (uint8_t)x;
			}
			carry = (uint32_t)(x >> 8);
			want = ref_sum(b, len) + carry;
			while (want >> 16)
				want = (want & 0xffff) + (want >> 16);
			assert_int_equal(net_fold(net_sum16(b, len, carry)), want);
			free(raw);
		}
	}
}

static void
test_net_sum16_large_buffer_keeps_carries(void **state)
{
	size_t n = 200000;
	uint8_t *b = malloc(n);

	(void)state;
	assert_non_null(b);
	memset(b, 0xff, n);
	assert_int_equal(net_fold(net_sum16(b, n, 0)), 0xffff);
	b[0] = 0x00;
	b[1] = 0x01;                    /* one word of 1 among 0xffff's */
	assert_int_equal(net_fold(net_sum16(b, n, 0)), 1);
	assert_int_equal(net_fold(net_sum16(b, n, 0)), ref_sum(b, n));
	assert_int_equal(net_fold(0xffffffffu), 0xffff);
	assert_int_equal(net_fold(0x0001fffeu), 0xffff);
	free(b);
}

static void
test_ipv4_l4_cksum_udp_known_answer(void **state)
{
	static const uint8_t src[4] = { 192, 0, 2, 1 };
	static const uint8_t dst[4] = { 198, 51, 100, 7 };
	/* UDP 5000 -> 3478, length 16, "turnpike"; Python says 0x2fc1. */
	uint8_t u[16] = {
		0x13, 0x88, 0x0d, 0x96, 0x00, 0x10, 0x00, 0x00,
		't', 'u', 'r', 'n', 'p', 'i', 'k', 'e',
	};
	uint8_t *d;

	(void)state;
	d = dup_exact(u, sizeof(u));
	assert_int_equal(ipv4_l4_cksum(src, dst, 17, d, 16), 0x2fc1);
	d[6] = 0x2f;
	d[7] = 0xc1;
	assert_int_equal(ipv4_l4_cksum(src, dst, 17, d, 16), 0);
	d[12] ^= 0x20;
	assert_int_not_equal(ipv4_l4_cksum(src, dst, 17, d, 16), 0);
	free(d);
}

/* ---- IPv6 --------------------------------------------------------------- */

static const uint8_t a6_1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10, [15] = 5 };
static const uint8_t a6_2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x20, [15] = 1 };

static void
make_ip6(uint8_t *p, uint8_t nh, uint16_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[1] = 0x0a;                    /* some traffic class / flow label */
	p[3] = 0x01;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, a6_1, 16);
	memcpy(p + 24, a6_2, 16);
}

static enum dp_drop
v6_check(const uint8_t *p, size_t len, struct ipv6_info *out)
{
	uint8_t *d = dup_exact(p, len);
	enum dp_drop r = ipv6_validate(d, len, out);

	free(d);
	return r;
}

static void
test_ipv6_validate_accepts_good_header(void **state)
{
	uint8_t p[48 + 14];
	struct ipv6_info in;

	(void)state;
	memset(p, 0, sizeof(p));
	make_ip6(p, 17, 8);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_NONE);
	assert_int_equal(in.next_hdr, 17);
	assert_int_equal(in.hop_limit, 64);
	assert_int_equal(in.payload_len, 8);
	assert_memory_equal(in.src, a6_1, 16);
	assert_memory_equal(in.dst, a6_2, 16);
	/* Padding after the payload is fine. */
	assert_int_equal(v6_check(p, sizeof(p), &in), DP_DROP_NONE);
	make_ip6(p, 6, 0);
	assert_int_equal(v6_check(p, 40, &in), DP_DROP_NONE);
	make_ip6(p, 58, 0);
	assert_int_equal(v6_check(p, 40, &in), DP_DROP_NONE);
}

static void
test_ipv6_validate_short_and_payload_len(void **state)
{
	uint8_t p[48];
	struct ipv6_info in;

	(void)state;
	make_ip6(p, 17, 8);
	assert_int_equal(v6_check(p, 39, &in), DP_DROP_IP6_SHORT);
	assert_int_equal(v6_check(p, 47, &in), DP_DROP_IP6_PAYLOAD_LEN);
	make_ip6(p, 17, 0xffff);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_PAYLOAD_LEN);
}

static void
test_ipv6_validate_bad_version(void **state)
{
	uint8_t p[48];
	struct ipv6_info in;

	(void)state;
	make_ip6(p, 17, 8);
	p[0] = 0x45;
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_VERSION);
	p[0] = 0x70;
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_VERSION);
}

static void
test_ipv6_validate_hop_limit_zero(void **state)
{
	uint8_t p[48];
	struct ipv6_info in;

	(void)state;
	make_ip6(p, 17, 8);
	p[7] = 0;
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_HOP_LIMIT);
	p[7] = 1;
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_NONE);
}

static void
test_ipv6_validate_extension_headers(void **state)
{
	static const uint8_t ext[] = { 0, 43, 44, 50, 51, 60, 59, 135, 1, 4 };
	uint8_t p[48];
	struct ipv6_info in;

	(void)state;
	for (size_t i = 0; i < sizeof(ext); i++) {
		make_ip6(p, ext[i], 8);
		assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_EXT_HDR);
	}
}

static void
test_ipv6_validate_bad_sources(void **state)
{
	static const uint8_t mc[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t mc2[16] = { 0xff, 0x0e, [15] = 0x42 };
	static const uint8_t lo[16] = { [15] = 1 };
	static const uint8_t unspec[16];
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 1 };
	uint8_t p[48];
	struct ipv6_info in;

	(void)state;
	make_ip6(p, 58, 8);
	memcpy(p + 8, mc, 16);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_BAD_SRC);
	memcpy(p + 8, mc2, 16);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_BAD_SRC);
	memcpy(p + 8, lo, 16);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_BAD_SRC);
	/* The unspecified source is legal for ICMPv6 (DAD), not for TCP
	 * or UDP (RFC 9293 MUST-63). */
	memcpy(p + 8, unspec, 16);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_NONE);
	make_ip6(p, 6, 8);
	memcpy(p + 8, unspec, 16);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_BAD_SRC);
	make_ip6(p, 17, 8);
	memcpy(p + 8, unspec, 16);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_IP6_BAD_SRC);
	make_ip6(p, 58, 8);
	memcpy(p + 8, ll, 16);
	assert_int_equal(v6_check(p, 48, &in), DP_DROP_NONE);
}

static void
test_ipv6_build_hdr_bytes(void **state)
{
	uint8_t p[40], want[40];

	(void)state;
	memset(want, 0, sizeof(want));
	want[0] = 0x60;
	want[5] = 29;
	want[6] = 17;
	want[7] = 64;
	memcpy(want + 8, a6_1, 16);
	memcpy(want + 24, a6_2, 16);
	memset(p, 0xee, sizeof(p));
	ipv6_build_hdr(p, a6_1, a6_2, 17, 64, 29);
	assert_memory_equal(p, want, 40);
	/* In-place address swap. */
	ipv6_build_hdr(p, p + 24, p + 8, 17, 64, 29);
	assert_memory_equal(p + 8, a6_2, 16);
	assert_memory_equal(p + 24, a6_1, 16);
	/* A traffic class (EF, 0xb8) across the version's nibble and the
	 * flow label's, which stays 0. */
	ipv6_build_hdr_tc(p, a6_1, a6_2, 6, 64, 29, 0xb8);
	assert_int_equal(p[0], 0x6b);
	assert_int_equal(p[1], 0x80);
	assert_int_equal(p[2], 0);
	assert_int_equal(p[3], 0);
}

static void
test_ipv6_l4_cksum_udp_known_answer(void **state)
{
	/*
	 * A STUN Binding request from [2001:db8:10::5]:49152 to
	 * [2001:db8:20::1]:3478 with one stray byte after it (odd length:
	 * padding is exercised). Python's own sum gives 0x2444.
	 */
	uint8_t u[29] = {
		0xc0, 0x00, 0x0d, 0x96, 0x00, 0x1d, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
		0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
		0xfa, 0x87, 0xdf, 0xae, 0x21,
	};
	uint8_t *d;

	(void)state;
	d = dup_exact(u, sizeof(u));
	assert_int_equal(ipv6_l4_cksum(a6_1, a6_2, 17, d, 29), 0x2444);
	d[6] = 0x24;
	d[7] = 0x44;
	assert_int_equal(ipv6_l4_cksum(a6_1, a6_2, 17, d, 29), 0);
	/* Swapped addresses verify as well (the reply direction). */
	assert_int_equal(ipv6_l4_cksum(a6_2, a6_1, 17, d, 29), 0);
	/* Another next header value is another sum. */
	assert_int_not_equal(ipv6_l4_cksum(a6_1, a6_2, 6, d, 29), 0);
	free(d);
}

static void
test_ipv6_l4_cksum_udp_zero_is_sent_as_ffff(void **state)
{
	/* Ports 1000 -> 2000, length 10, payload 0x987a: Python found this
	 * payload makes the computed checksum 0, which UDP sends as 0xffff
	 * (RFC 8200 §8.1); a receiver must accept that. */
	uint8_t u[10] = { 0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0x00, 0x00,
			  0x98, 0x7a };

	(void)state;
	assert_int_equal(ipv6_l4_cksum(a6_1, a6_2, 17, u, 10), 0x0000);
	u[6] = 0xff;
	u[7] = 0xff;
	assert_int_equal(ipv6_l4_cksum(a6_1, a6_2, 17, u, 10), 0);
}

static void
test_ipv6_solicited_node_and_mcast_mac(void **state)
{
	static const uint8_t ip[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 3,
	};
	static const uint8_t want[16] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x02, 0, 3,
	};
	static const uint8_t want_mac[6] = { 0x33, 0x33, 0xff, 0x02, 0x00, 0x03 };
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t snm[16], mac[6];

	(void)state;
	memset(snm, 0xee, sizeof(snm));
	ipv6_solicited_node(ip, snm);
	assert_memory_equal(snm, want, 16);
	ipv6_mcast_mac(snm, mac);
	assert_memory_equal(mac, want_mac, 6);
	ipv6_mcast_mac(all_nodes, mac);
	assert_memory_equal(mac, all_nodes_mac, 6);
	/* In place. */
	memcpy(snm, ip, 16);
	ipv6_solicited_node(snm, snm);
	assert_memory_equal(snm, want, 16);
}

/* ---- prefixes and names ------------------------------------------------- */

/* IPv4's word compare against the rule bit by bit: every prefix length
 * (and 33, refused), addresses that differ in each single bit. */
static void
test_net_prefix_match4_every_length(void **state)
{
	const uint8_t net[4] = { 10, 200, 37, 129 };

	(void)state;
	for (unsigned int plen = 0; plen <= 33; plen++) {
		for (int flip = -1; flip < 32; flip++) {
			uint8_t d[4];
			bool want = plen <= 32;

			memcpy(d, net, 4);
			if (flip >= 0)
				d[flip / 8] ^= (uint8_t)(0x80u >> (flip % 8));
			/* the reference: bit i (from the top) counts if i < plen */
			if (flip >= 0 && (unsigned int)flip < plen)
				want = false;
			assert_int_equal(net_prefix_match4(net, (uint8_t)plen, d), want);
			assert_int_equal(net_prefix_match(NET_AF_IPV4, net, (uint8_t)plen, d), want);
		}
	}
}

static void
test_net_prefix_match_bits(void **state)
{
	static const uint8_t net4[4] = { 10, 1, 2, 0 };
	static const uint8_t in4[4] = { 10, 1, 2, 200 };
	static const uint8_t out4[4] = { 10, 1, 3, 1 };
	static const uint8_t net6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10 };
	uint8_t d6[16];

	(void)state;
	assert_true(net_prefix_match(NET_AF_IPV4, net4, 24, in4));
	assert_false(net_prefix_match(NET_AF_IPV4, net4, 24, out4));
	assert_true(net_prefix_match(NET_AF_IPV4, net4, 23, out4));
	assert_true(net_prefix_match(NET_AF_IPV4, net4, 0, out4));
	assert_false(net_prefix_match(NET_AF_IPV4, net4, 32, in4));
	assert_true(net_prefix_match(NET_AF_IPV4, in4, 32, in4));
	assert_false(net_prefix_match(NET_AF_IPV4, in4, 33, in4));
	memcpy(d6, net6, 16);
	d6[15] = 9;
	assert_true(net_prefix_match(NET_AF_IPV6, net6, 64, d6));
	d6[5] = 0x11;                   /* bit 47 differs */
	assert_true(net_prefix_match(NET_AF_IPV6, net6, 47, d6));
	assert_false(net_prefix_match(NET_AF_IPV6, net6, 48, d6));
	assert_false(net_prefix_match(NET_AF_IPV6, net6, 129, net6));
	assert_true(net_prefix_match(NET_AF_IPV6, net6, 128, net6));
}

static void
test_dp_drop_name_from_def(void **state)
{
	(void)state;
	assert_string_equal(dp_drop_name(DP_DROP_ETH_SHORT), "eth_short");
	assert_string_equal(dp_drop_name(DP_DROP_IP4_CHECKSUM), "ip4_checksum");
	assert_string_equal(dp_drop_name(DP_DROP_IMPAIR_LOSS), "impair_loss");
	assert_string_equal(dp_drop_name(DP_DROP_NONE), "none");
	for (int i = 0; i < DP_DROP__COUNT; i++) {
		assert_non_null(dp_drop_name((enum dp_drop)i));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(dp_drop_name((enum dp_drop)i),
						dp_drop_name((enum dp_drop)j));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_validate_accepts_good_header),
		cmocka_unit_test(test_ipv4_validate_accepts_options_and_padding),
		cmocka_unit_test(test_ipv4_validate_classic_header),
		cmocka_unit_test(test_ipv4_validate_short),
		cmocka_unit_test(test_ipv4_validate_bad_version),
		cmocka_unit_test(test_ipv4_validate_bad_ihl),
		cmocka_unit_test(test_ipv4_validate_bad_total_len_both_ways),
		cmocka_unit_test(test_ipv4_validate_bad_checksum_unless_offloaded),
		cmocka_unit_test(test_ipv4_validate_ttl_zero),
		cmocka_unit_test(test_ipv4_validate_fragments),
		cmocka_unit_test(test_ipv4_validate_bad_sources),
		cmocka_unit_test(test_ipv4_build_hdr_bytes),
		cmocka_unit_test(test_net_sum16_rfc1071_example),
		cmocka_unit_test(test_net_sum16_large_buffer_keeps_carries),
		cmocka_unit_test(test_net_sum16_matches_reference_any_length_and_alignment),
		cmocka_unit_test(test_ipv4_l4_cksum_udp_known_answer),
		cmocka_unit_test(test_ipv6_validate_accepts_good_header),
		cmocka_unit_test(test_ipv6_validate_short_and_payload_len),
		cmocka_unit_test(test_ipv6_validate_bad_version),
		cmocka_unit_test(test_ipv6_validate_hop_limit_zero),
		cmocka_unit_test(test_ipv6_validate_extension_headers),
		cmocka_unit_test(test_ipv6_validate_bad_sources),
		cmocka_unit_test(test_ipv6_build_hdr_bytes),
		cmocka_unit_test(test_ipv6_l4_cksum_udp_known_answer),
		cmocka_unit_test(test_ipv6_l4_cksum_udp_zero_is_sent_as_ffff),
		cmocka_unit_test(test_ipv6_solicited_node_and_mcast_mac),
		cmocka_unit_test(test_net_prefix_match_bits),
		cmocka_unit_test(test_net_prefix_match4_every_length),
		cmocka_unit_test(test_dp_drop_name_from_def),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
