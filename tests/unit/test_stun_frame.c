/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/stun/stun_frame.h: the first-byte test (RFC 7983 by
 * the top two bits) and the length of a frame on a stream (RFC 8656
 * §12.5), the one rule lib/stun's deframer and dp's TCP/TLS deframer both
 * cut streams by. Headers are exactly-sized heap copies so that ASan
 * reports a read past the four bytes the function is given.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stun.h"
#include "stun_frame.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PAD4(n) (((n) + 3u) & ~3u)
/* What *msg_len holds when the function must not have written it. */
#define UNTOUCHED 0xdeadbeefu

/* stun_frame_len() over an exactly-4-byte heap copy of the header. */
static uint32_t
frame_len(uint8_t b0, uint8_t b1, uint16_t len, uint32_t *msg_len)
{
	uint8_t *h = malloc(4);
	uint32_t wire;

	assert_non_null(h);
	h[0] = b0;
	h[1] = b1;
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
	*msg_len = UNTOUCHED;
	wire = stun_frame_len(h, msg_len);
	free(h);
	return wire;
}

/* ---- stun_demux_first_byte() -------------------------------------------- */

/* Every first byte: 0..63 STUN, 64..127 ChannelData, 128..255 neither. */
static void
test_demux_first_byte_by_top_two_bits(void **state)
{
	(void)state;
	for (unsigned int b = 0; b < 256; b++) {
		enum stun_frame_kind want = b < 0x40 ? STUN_FRAME_STUN :
					    b < 0x80 ? STUN_FRAME_CHDATA : STUN_FRAME_NONE;

		assert_int_equal(stun_demux_first_byte((uint8_t)b), want);
	}
}

/* RFC 7983's own ranges land where TURN's port wants them: STUN 0..3,
 * channels 64..79; RTP/RTCP (128..191) and the rest are not ours. */
static void
test_demux_first_byte_rfc7983_ranges(void **state)
{
	static const uint8_t stun[] = { 0, 1, 2, 3 };
	static const uint8_t chan[] = { 64, 72, 79 };
	static const uint8_t other[] = { 128, 150, 191, 192, 255 };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(stun); i++)
		assert_int_equal(stun_demux_first_byte(stun[i]), STUN_FRAME_STUN);
	for (size_t i = 0; i < ARRAY_LEN(chan); i++)
		assert_int_equal(stun_demux_first_byte(chan[i]), STUN_FRAME_CHDATA);
	for (size_t i = 0; i < ARRAY_LEN(other); i++)
		assert_int_equal(stun_demux_first_byte(other[i]), STUN_FRAME_NONE);
}

/* ---- stun_frame_len(): STUN ---------------------------------------------- */

static void
test_frame_len_stun_header_plus_length(void **state)
{
	static const uint16_t lens[] = { 0, 4, 8, 0x100, 0xfff8, 0xfffc };
	static const uint8_t firsts[] = { 0x00, 0x01, 0x03, 0x3f };
	uint32_t msg;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
		for (size_t j = 0; j < ARRAY_LEN(firsts); j++) {
			assert_int_equal(frame_len(firsts[j], 0x01, lens[i], &msg),
					 STUN_HDR_LEN + lens[i]);
			assert_int_equal(msg, STUN_HDR_LEN + lens[i]);
		}
	}
	/* the largest: 20 + 65532, past what a uint16_t holds */
	assert_int_equal(frame_len(0x01, 0x01, 0xfffc, &msg), 65552u);
	assert_int_equal(msg, 65552u);
}

/* RFC 8489 §5: a STUN length is a multiple of 4; any other is no frame. */
static void
test_frame_len_stun_length_not_multiple_of_4_is_no_frame(void **state)
{
	static const uint16_t lens[] = { 1, 2, 3, 5, 6, 7, 0x101, 0xfffd, 0xfffe, 0xffff };
	uint32_t msg;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
		assert_int_equal(frame_len(0x00, 0x01, lens[i], &msg), 0);
		assert_int_equal(msg, UNTOUCHED);
		assert_int_equal(frame_len(0x3f, 0xff, lens[i], &msg), 0);
		assert_int_equal(msg, UNTOUCHED);
	}
}

/* ---- stun_frame_len(): ChannelData --------------------------------------- */

/* RFC 8656 §12.5: padded to 4 on a stream, the padding not in the message. */
static void
test_frame_len_chdata_odd_lengths_padded(void **state)
{
	static const struct {
		uint16_t len;
		uint32_t wire;
	} c[] = {
		{ 0, 4 }, { 1, 8 }, { 2, 8 }, { 3, 8 }, { 4, 8 }, { 5, 12 },
		{ 13, 20 }, { 0xfffc, 65536 }, { 0xfffd, 65540 }, { 0xffff, 65540 },
	};
	uint32_t msg;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(c); i++) {
		assert_int_equal(frame_len(0x40, 0x00, c[i].len, &msg), c[i].wire);
		assert_int_equal(msg, CHDATA_HDR_LEN + c[i].len);
	}
}

/* Channels 0x4000..0x7FFF all frame alike: RFC 8656 §12's 0x4000..0x4FFF
 * and RFC 5766's wider range (CHDATA_FRAMED_MAX), so a legacy stream
 * stays in step; TURN discards 0x5000.. itself. */
static void
test_frame_len_chdata_whole_framed_range(void **state)
{
	static const uint16_t chans[] = { CHDATA_CHANNEL_MIN, CHDATA_CHANNEL_MAX, 0x5000,
					  0x6abc, 0x7ffe, CHDATA_FRAMED_MAX };
	uint32_t msg;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(chans); i++) {
		assert_int_equal(frame_len((uint8_t)(chans[i] >> 8), (uint8_t)chans[i], 7, &msg),
				 12u);
		assert_int_equal(msg, 11u);
	}
}

/* ---- stun_frame_len(): neither -------------------------------------------- */

/* 0x80..0xFF start no frame, whatever the length says. */
static void
test_frame_len_first_byte_0x80_and_up_is_no_frame(void **state)
{
	static const uint16_t lens[] = { 0, 4, 5, 0xffff };
	uint32_t msg;

	(void)state;
	for (unsigned int b = 0x80; b < 256; b++) {
		for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
			assert_int_equal(frame_len((uint8_t)b, 0x00, lens[i], &msg), 0);
			assert_int_equal(msg, UNTOUCHED);
		}
	}
}

/* The rule whole: every top-bits class at every length, against the RFCs'
 * arithmetic (4 first bytes x 65536 lengths). */
static void
test_frame_len_every_length(void **state)
{
	static const uint8_t firsts[] = { 0x00, 0x40, 0x80, 0xc0 };
	uint8_t h[4] = { 0 };

	(void)state;
	for (size_t j = 0; j < ARRAY_LEN(firsts); j++) {
		h[0] = firsts[j];
		for (uint32_t len = 0; len <= 0xffff; len++) {
			uint32_t msg = UNTOUCHED, want_wire, want_msg;

			h[2] = (uint8_t)(len >> 8);
			h[3] = (uint8_t)len;
			if (firsts[j] == 0x00) {
				want_wire = len % 4u ? 0 : 20u + len;
				want_msg = len % 4u ? UNTOUCHED : 20u + len;
			} else if (firsts[j] == 0x40) {
				want_wire = 4u + PAD4(len);
				want_msg = 4u + len;
			} else {
				want_wire = 0;
				want_msg = UNTOUCHED;
			}
			if (stun_frame_len(h, &msg) != want_wire || msg != want_msg)
				fail_msg("first byte 0x%02x length %u: %u/%u, want %u/%u",
					 firsts[j], len, stun_frame_len(h, &msg), msg,
					 want_wire, want_msg);
		}
	}
}

/* ---- the deframer cuts by the same rule ------------------------------------ */

/* Fewer than 4 bytes: the length is not known yet, nothing is judged; a
 * STUN header waits for its cookie (8 bytes) before its length is. */
static void
test_deframer_fewer_than_4_bytes_waits(void **state)
{
	static const uint8_t chd[4] = { 0x40, 0x01, 0x00, 0x05 };
	static const uint8_t stun_bad_len[8] = { 0x00, 0x01, 0x00, 0x05,
						 0x21, 0x12, 0xa4, 0x42 };
	uint8_t buf[64];
	struct stun_deframer d;
	struct stun_frame f;

	(void)state;
	for (size_t k = 1; k < 4; k++) {
		stun_deframer_init(&d, buf, sizeof(buf));
		assert_int_equal(stun_deframer_feed(&d, chd, k), k);
		assert_int_equal(stun_deframer_next(&d, &f), 0);
	}
	for (size_t k = 1; k < 8; k++) {
		stun_deframer_init(&d, buf, sizeof(buf));
		assert_int_equal(stun_deframer_feed(&d, stun_bad_len, k), k);
		assert_int_equal(stun_deframer_next(&d, &f), 0);
	}
	assert_int_equal(stun_deframer_feed(&d, stun_bad_len + 7, 1), 1);
	assert_int_equal(stun_deframer_next(&d, &f), -EBADMSG);
	/* a first byte that is neither is refused at once, alone */
	stun_deframer_init(&d, buf, sizeof(buf));
	assert_int_equal(stun_deframer_feed(&d, (const uint8_t *)"\x80", 1), 1);
	assert_int_equal(stun_deframer_next(&d, &f), -EBADMSG);
}

/* A frame the deframer hands out has the lengths stun_frame_len() gives. */
static void
test_deframer_agrees_with_frame_len(void **state)
{
	static const uint16_t chd_lens[] = { 0, 1, 2, 3, 4, 5, 1001 };
	static uint8_t buf[2048];
	uint8_t in[1100];
	struct stun_deframer d;
	struct stun_frame f;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(chd_lens); i++) {
		uint16_t len = chd_lens[i];
		uint32_t msg = 0, wire;

		memset(in, 0xee, sizeof(in));
		in[0] = 0x7f;                  /* channel 0x7fff: still framed */
		in[1] = 0xff;
		in[2] = (uint8_t)(len >> 8);
		in[3] = (uint8_t)len;
		wire = stun_frame_len(in, &msg);
		stun_deframer_init(&d, buf, sizeof(buf));
		assert_int_equal(stun_deframer_feed(&d, in, wire), wire);
		assert_int_equal(stun_deframer_next(&d, &f), 1);
		assert_int_equal(f.kind, STUN_FRAME_CHDATA);
		assert_int_equal(f.wire_len, wire);
		assert_int_equal(f.len, msg);
	}
	/* STUN: a Binding request with 8 bytes of attributes */
	memset(in, 0, 28);
	in[1] = 0x01;
	in[3] = 8;
	in[4] = 0x21;
	in[5] = 0x12;
	in[6] = 0xa4;
	in[7] = 0x42;
	stun_deframer_init(&d, buf, sizeof(buf));
	assert_int_equal(stun_deframer_feed(&d, in, 28), 28);
	assert_int_equal(stun_deframer_next(&d, &f), 1);
	assert_int_equal(f.kind, STUN_FRAME_STUN);
	assert_int_equal(f.wire_len, 28);
	assert_int_equal(f.len, 28);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demux_first_byte_by_top_two_bits),
		cmocka_unit_test(test_demux_first_byte_rfc7983_ranges),
		cmocka_unit_test(test_frame_len_stun_header_plus_length),
		cmocka_unit_test(test_frame_len_stun_length_not_multiple_of_4_is_no_frame),
		cmocka_unit_test(test_frame_len_chdata_odd_lengths_padded),
		cmocka_unit_test(test_frame_len_chdata_whole_framed_range),
		cmocka_unit_test(test_frame_len_first_byte_0x80_and_up_is_no_frame),
		cmocka_unit_test(test_frame_len_every_length),
		cmocka_unit_test(test_deframer_fewer_than_4_bytes_waits),
		cmocka_unit_test(test_deframer_agrees_with_frame_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
