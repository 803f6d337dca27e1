/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp segment codec, sequence arithmetic and keyed hashes: headers and
 * options parsed from bytes written here by hand (a Linux SYN's layout),
 * every refusal (short, bad data offset, each option with a wrong length,
 * an option running past the header), round trips through the builder,
 * comparisons across the 2^32 wrap, and SipHash-2-4 against the reference
 * vectors (key 00..0f, message 00..n-1; the same values as the reference
 * implementation's vectors.h, checked here against OpenSSL's SIPHASH).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp.h"
#include "tcp_inlines.h"
#include "tp_siphash.h"

/* A Linux-style SYN: 50000 -> 3478, seq 0x01020304, window 64240,
 * MSS 1460, SACK permitted, TS 100/0, NOP, WS 7. */
static const uint8_t linux_syn[40] = {
	0xc3, 0x50, 0x0d, 0x96, 0x01, 0x02, 0x03, 0x04,
	0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
	0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4,
	0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x07,
};

static void
test_tcp_seg_parse_linux_syn(void **state)
{
	struct tcp_seg s;

	(void)state;
	assert_int_equal(tcp_seg_parse(linux_syn, sizeof(linux_syn), &s), TCP_PARSE_OK);
	assert_int_equal(s.sport, 50000);
	assert_int_equal(s.dport, 3478);
	assert_int_equal(s.seq, 0x01020304u);
	assert_int_equal(s.flags, TCP_SYN);
	assert_int_equal(s.wnd, 64240);
	assert_int_equal(s.hdr_len, 40);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.opts, TCP_OPT_F_MSS | TCP_OPT_F_SACKOK | TCP_OPT_F_TS | TCP_OPT_F_WS);
	assert_int_equal(s.mss, 1460);
	assert_int_equal(s.wscale, 7);
	assert_int_equal(s.tsval, 100);
	assert_int_equal(s.tsecr, 0);
}

static void
test_tcp_seg_parse_payload_length(void **state)
{
	uint8_t b[40 + 5];
	struct tcp_seg s;

	(void)state;
	memcpy(b, linux_syn, 40);
	memcpy(b + 40, "hello", 5);
	assert_int_equal(tcp_seg_parse(b, sizeof(b), &s), TCP_PARSE_OK);
	assert_int_equal(s.len, 5);
}

static void
test_tcp_seg_refuse_short(void **state)
{
	struct tcp_seg s;

	(void)state;
	assert_int_equal(tcp_seg_parse(linux_syn, 19, &s), TCP_PARSE_SHORT);
	assert_int_equal(tcp_seg_parse(linux_syn, 0, &s), TCP_PARSE_SHORT);
}

static void
test_tcp_seg_refuse_bad_offset(void **state)
{
	uint8_t b[40];
	struct tcp_seg s;

	(void)state;
	memcpy(b, linux_syn, 40);
	b[12] = 0x40;                        /* 16 bytes: under the minimum */
	assert_int_equal(tcp_seg_parse(b, 40, &s), TCP_PARSE_BAD_OFF);
	b[12] = 0xa0;                        /* 40 bytes, only 36 given */
	assert_int_equal(tcp_seg_parse(b, 36, &s), TCP_PARSE_BAD_OFF);
	b[12] = 0x50;                        /* 20: options ignored, fine */
	assert_int_equal(tcp_seg_parse(b, 40, &s), TCP_PARSE_OK);
	assert_int_equal(s.len, 20);
	assert_int_equal(s.opts, 0);
}

/* Lengths that cannot be walked refuse the segment: zero, one, one that
 * runs past the header, a kind with no room for its length byte. A known
 * option with a length it cannot have is skipped by that length, counted
 * in bad_opts, the segment kept (RFC 9293 §3.2, MUST-64). */
static void
test_tcp_seg_refuse_bad_option_length(void **state)
{
	static const struct {
		uint8_t opt[4];
	} bad[] = {
		{ { 0x05, 0x09, 0x00, 0x00 } },   /* SACK length 9 (overrun) */
		{ { 0x1e, 0x00, 0x01, 0x01 } },   /* unknown kind, length 0 */
		{ { 0x1e, 0x01, 0x01, 0x01 } },   /* unknown kind, length 1 */
		{ { 0x1e, 0x05, 0x01, 0x01 } },   /* runs past the header */
		{ { 0x01, 0x01, 0x01, 0x1e } },   /* kind with no length byte */
		{ { 0x02, 0x00, 0x05, 0xb4 } },   /* MSS length 0 */
	};
	static const struct {
		uint8_t opt[4];
	} skipped[] = {
		{ { 0x02, 0x03, 0x05, 0x01 } },   /* MSS length 3 */
		{ { 0x03, 0x04, 0x07, 0x01 } },   /* WS length 4 */
		{ { 0x04, 0x03, 0x01, 0x01 } },   /* SACK-permitted length 3 */
		{ { 0x08, 0x04, 0x00, 0x00 } },   /* TS length 4 */
		{ { 0x05, 0x02, 0x01, 0x01 } },   /* SACK with no block */
	};
	uint8_t b[24];
	struct tcp_seg s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(b, linux_syn, 20);
		b[12] = 0x60;
		memcpy(b + 20, bad[i].opt, 4);
		assert_int_equal(tcp_seg_parse(b, sizeof(b), &s), TCP_PARSE_BAD_OPT);
	}
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
		memcpy(b, linux_syn, 20);
		b[12] = 0x60;
		memcpy(b + 20, skipped[i].opt, 4);
		assert_int_equal(tcp_seg_parse(b, sizeof(b), &s), TCP_PARSE_OK);
		assert_int_equal(s.opts, 0);
		assert_int_equal(s.bad_opts, 1);
	}
	/* The same header with a well-formed unknown option passes. */
	memcpy(b + 20, (const uint8_t[]){ 0x1e, 0x04, 0xaa, 0xbb }, 4);
	assert_int_equal(tcp_seg_parse(b, sizeof(b), &s), TCP_PARSE_OK);
	assert_int_equal(s.opts, 0);
	/* EOL ends the list: what follows is not read. */
	memcpy(b + 20, (const uint8_t[]){ 0x00, 0x02, 0x03, 0x05 }, 4);
	assert_int_equal(tcp_seg_parse(b, sizeof(b), &s), TCP_PARSE_OK);
}

static void
test_tcp_seg_wscale_capped(void **state)
{
	uint8_t b[40];
	struct tcp_seg s;

	(void)state;
	memcpy(b, linux_syn, 40);
	b[39] = 15;                          /* RFC 7323 §2.3: used as 14 */
	assert_int_equal(tcp_seg_parse(b, 40, &s), TCP_PARSE_OK);
	assert_int_equal(s.wscale, 14);
}

static void
test_tcp_seg_build_roundtrip(void **state)
{
	struct tcp_opts_out o = {
		.opts = TCP_OPT_F_MSS | TCP_OPT_F_WS | TCP_OPT_F_SACKOK | TCP_OPT_F_TS,
		.mss = 1440, .wscale = 9, .tsval = 0xfffffff0u, .tsecr = 7,
	};
	uint8_t b[60];
	struct tcp_seg s;
	size_t hl;

	(void)state;
	hl = tcp_seg_build(b, 1, 65535, 0xdeadbeefu, 0x10, TCP_SYN | TCP_ACK, 29200, &o);
	assert_int_equal(hl, 20 + tcp_opts_len(&o));
	assert_int_equal(hl, 40);
	assert_int_equal(tcp_seg_parse(b, hl, &s), TCP_PARSE_OK);
	assert_int_equal(s.sport, 1);
	assert_int_equal(s.dport, 65535);
	assert_int_equal(s.seq, 0xdeadbeefu);
	assert_int_equal(s.ack, 0x10);
	assert_int_equal(s.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(s.wnd, 29200);
	assert_int_equal(s.opts, o.opts);
	assert_int_equal(s.mss, 1440);
	assert_int_equal(s.wscale, 9);
	assert_int_equal(s.tsval, 0xfffffff0u);
	assert_int_equal(s.tsecr, 7);

	/* Data segment: timestamps and three SACK blocks fill 40 bytes. */
	memset(&o, 0, sizeof(o));
	o.opts = TCP_OPT_F_TS | TCP_OPT_F_SACK;
	o.nsack = 3;
	for (unsigned int i = 0; i < 3; i++) {
		o.sack[i].left = 1000u * i + 1;
		o.sack[i].right = 1000u * i + 501;
	}
	hl = tcp_seg_build(b, 2, 3, 4, 5, TCP_ACK, 6, &o);
	assert_int_equal(hl, 60);
	assert_int_equal(hl, 20 + tcp_opts_len(&o));   /* what xmit appends */
	assert_int_equal(tcp_seg_parse(b, hl, &s), TCP_PARSE_OK);
	assert_int_equal(s.opts, TCP_OPT_F_TS | TCP_OPT_F_SACK);
	assert_int_equal(s.nsack, 3);
	assert_int_equal(s.sack[2].left, 2001);
	assert_int_equal(s.sack[2].right, 2501);

	/* SACK-permitted without timestamps: NOP NOP SACKOK. */
	memset(&o, 0, sizeof(o));
	o.opts = TCP_OPT_F_SACKOK;
	hl = tcp_seg_build(b, 2, 3, 4, 5, TCP_SYN, 6, &o);
	assert_int_equal(hl, 24);
	assert_int_equal(hl, 20 + tcp_opts_len(&o));
	assert_int_equal(tcp_seg_parse(b, hl, &s), TCP_PARSE_OK);
	assert_int_equal(s.opts, TCP_OPT_F_SACKOK);
}

static void
test_tcp_seq_wrap(void **state)
{
	(void)state;
	assert_true(tcp_seq_lt(0xfffffff0u, 0x10u));
	assert_true(tcp_seq_gt(0x10u, 0xfffffff0u));
	assert_true(tcp_seq_leq(5, 5));
	assert_true(tcp_seq_geq(5, 5));
	assert_false(tcp_seq_lt(5, 5));
	assert_true(tcp_seq_lt(0x7fffffffu, 0x80000000u));
	assert_true(tcp_seq_in(0x2u, 0xfffffffeu, 0x10u));
	assert_true(tcp_seq_in(0xfffffffeu, 0xfffffffeu, 0x10u));
	assert_false(tcp_seq_in(0x10u, 0xfffffffeu, 0x10u));
	assert_false(tcp_seq_in(7, 7, 7));
	assert_int_equal(tcp_seq_max(0xfffffff0u, 0x10u), 0x10u);
	assert_int_equal(tcp_seq_min(0xfffffff0u, 0x10u), 0xfffffff0u);
}

static void
test_tcp_isn_siphash_vectors(void **state)
{
	static const struct {
		size_t len;
		uint64_t h;
	} v[] = {
		{ 0, 0x726fdb47dd0e0e31ull },
		{ 1, 0x74f839c593dc67fdull },
		{ 2, 0x0d6c8009d9a94f5aull },
		{ 3, 0x85676696d7fb7e2dull },
		{ 7, 0xab0200f58b01d137ull },
		{ 8, 0x93f5f5799a932462ull },
		{ 15, 0xa129ca6149be45e5ull },   /* the paper's Appendix A */
		{ 63, 0x958a324ceb064572ull },
	};
	uint8_t key[16], msg[64];

	(void)state;
	for (unsigned int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (unsigned int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(tp_siphash24(key, msg, v[i].len), v[i].h);
}

/* The 12-byte form (the connection table's IPv4 tuple) is the same
 * function: its value equals the general one's over the same bytes,
 * whatever they and the key are. */
static void
test_tcp_isn_siphash_12_same(void **state)
{
	uint8_t key[16], msg[12];
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (unsigned int round = 0; round < 1000; round++) {
		uint64_t m = 0;
		uint32_t tail = 0;

		for (unsigned int i = 0; i < 16; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			key[i] = (uint8_t)x;
		}
		for (unsigned int i = 0; i < 12; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			msg[i] = (uint8_t)(round == 0 ? 0xff : x);
		}
		for (unsigned int i = 0; i < 8; i++)
			m |= (uint64_t)msg[i] << (8 * i);
		for (unsigned int i = 0; i < 4; i++)
			tail |= (uint32_t)msg[8 + i] << (8 * i);
		assert_int_equal(tp_siphash24_12(key, m, tail), tp_siphash24(key, msg, 12));
	}
}

/* RFC 6528: F depends on every part of the tuple and on the key; M adds
 * 250 per millisecond. */
static void
test_tcp_isn_keyed_and_clocked(void **state)
{
	uint8_t k1[16] = { 1 }, k2[16] = { 2 };
	uint8_t a[16] = { 10, 0, 0, 1 }, b[16] = { 10, 0, 0, 2 };
	uint32_t i0 = tcp_isn(k1, a, 3478, b, 40000, 0);

	(void)state;
	assert_int_equal(tcp_isn(k1, a, 3478, b, 40000, 1000) - i0, 250);
	assert_int_not_equal(tcp_isn(k2, a, 3478, b, 40000, 0), i0);
	assert_int_not_equal(tcp_isn(k1, b, 3478, a, 40000, 0), i0);
	assert_int_not_equal(tcp_isn(k1, a, 3479, b, 40000, 0), i0);
	assert_int_not_equal(tcp_isn(k1, a, 3478, b, 40001, 0), i0);
	assert_int_equal(tcp_isn(k1, a, 3478, b, 40000, 0), i0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_seg_parse_linux_syn),
		cmocka_unit_test(test_tcp_seg_parse_payload_length),
		cmocka_unit_test(test_tcp_seg_refuse_short),
		cmocka_unit_test(test_tcp_seg_refuse_bad_offset),
		cmocka_unit_test(test_tcp_seg_refuse_bad_option_length),
		cmocka_unit_test(test_tcp_seg_wscale_capped),
		cmocka_unit_test(test_tcp_seg_build_roundtrip),
		cmocka_unit_test(test_tcp_seq_wrap),
		cmocka_unit_test(test_tcp_isn_siphash_vectors),
		cmocka_unit_test(test_tcp_isn_siphash_12_same),
		cmocka_unit_test(test_tcp_isn_keyed_and_clocked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
