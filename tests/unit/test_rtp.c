/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rtp: RFC 7983's first-octet classes at every value; RTP and SRTP
 * headers with CSRCs, RFC 8285 extensions and padding, and each refusal;
 * RFC 8285's elements found by id in its figures of both forms, with
 * padding, id 15's stop, truncated elements and the 32-element bound;
 * RFC 3550 A.1's sequence state (probation, its wrap, 16-bit wrap into
 * the extended sequence, loss, misorder, duplicates, a jump and the
 * resync after it, SSRC changes) against hand-counted figures; A.3's
 * fraction lost; A.8's jitter against a hand-computed sequence and the
 * RFC's floating-point formula; RTCP compounds (SR, RR, SDES, BYE,
 * reduced size) and each refusal (a length past the datagram, a zero
 * length, padding not on the last...), their SR and report blocks, and
 * §6.4.1's round-trip example; SRTCP's clear part and trailer; RFC 3711
 * §3.3.1's index estimate at its boundaries and over a long lossy,
 * reordered stream.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rtp.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* An RTP fixed header: byte 0 beyond the version (P, X, CC) in b0. */
static void
rtp_fixed(uint8_t *b, uint8_t b0, uint8_t m_pt, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	b[0] = (uint8_t)(0x80 | b0);
	b[1] = m_pt;
	put16(b + 2, seq);
	put32(b + 4, ts);
	put32(b + 8, ssrc);
}

static double
dabs(double x)
{
	return x < 0 ? -x : x;
}

/* ---- RFC 7983 ---------------------------------------------------------- */

static void
test_rtp_demux_every_first_octet(void **state)
{
	uint8_t b[2] = { 0, 0 };

	(void)state;
	assert_int_equal(rtp_demux(b, 0), RTP_DEMUX_UNKNOWN);
	for (unsigned int v = 0; v < 256; v++) {
		enum rtp_demux want;

		if (v <= 3)
			want = RTP_DEMUX_STUN;
		else if (v >= 16 && v <= 19)
			want = RTP_DEMUX_ZRTP;
		else if (v >= 20 && v <= 63)
			want = RTP_DEMUX_DTLS;
		else if (v >= 64 && v <= 79)
			want = RTP_DEMUX_TURN;
		else if (v >= 128 && v <= 191)
			want = RTP_DEMUX_RTP;
		else
			want = RTP_DEMUX_UNKNOWN;
		b[0] = (uint8_t)v;
		assert_int_equal(rtp_demux(b, 1), want);
		assert_int_equal(rtp_demux(b, 2), want);
	}
}

static void
test_rtp_mux_is_rtcp_second_octet(void **state)
{
	uint8_t b[2] = { 0x80, 0 };

	(void)state;
	for (unsigned int v = 0; v < 256; v++) {
		b[1] = (uint8_t)v;
		/* RFC 5761 §4: 192-223, i.e. PT 64-95 with the marker */
		assert_int_equal(rtp_mux_is_rtcp(b, 2), v >= 192 && v <= 223);
	}
	b[1] = 200;
	assert_false(rtp_mux_is_rtcp(b, 1));
	assert_false(rtp_mux_is_rtcp(b, 0));
}

/* ---- RTP and SRTP headers ---------------------------------------------- */

static void
test_rtp_parse_fixed_header(void **state)
{
	uint8_t b[12 + 160];
	struct rtp_hdr h;

	(void)state;
	memset(b, 0xd5, sizeof(b));
	rtp_fixed(b, 0, 0x80 | 0, 0xfffe, 0x12345678, 0xdeadbeef);
	assert_int_equal(rtp_parse(b, sizeof(b), &h), RTP_OK);
	assert_int_equal(h.seq, 0xfffe);
	assert_int_equal(h.ts, 0x12345678);
	assert_int_equal(h.ssrc, 0xdeadbeef);
	assert_int_equal(h.marker, 1);
	assert_int_equal(h.pt, 0);
	assert_int_equal(h.cc, 0);
	assert_false(h.ext);
	assert_int_equal(h.hdr_len, 12);
	assert_int_equal(h.payload_len, 160);
	assert_int_equal(h.pad_len, 0);

	/* an empty payload (a keepalive) is an RTP packet too */
	rtp_fixed(b, 0, 96, 1, 2, 3);
	assert_int_equal(rtp_parse(b, 12, &h), RTP_OK);
	assert_int_equal(h.pt, 96);
	assert_int_equal(h.marker, 0);
	assert_int_equal(h.payload_len, 0);
}

static void
test_rtp_parse_csrc_ext_padding(void **state)
{
	uint8_t b[200];
	struct rtp_hdr h;
	size_t len;

	(void)state;
	memset(b, 0, sizeof(b));
	/* CC 2, X (RFC 8285 one-byte form, 2 words), P (4 octets) */
	rtp_fixed(b, 0x20 | 0x10 | 2, 111, 7, 8, 9);
	put32(b + 12, 0x11111111);
	put32(b + 16, 0x22222222);
	put16(b + 20, 0xBEDE);
	put16(b + 22, 2);
	len = 12 + 8 + 4 + 8 + 20 + 4;
	b[len - 1] = 4;
	assert_int_equal(rtp_parse(b, len, &h), RTP_OK);
	assert_int_equal(h.cc, 2);
	assert_true(h.ext);
	assert_int_equal(h.ext_profile, 0xBEDE);
	assert_int_equal(h.ext_len, 8);
	assert_int_equal(h.hdr_len, 32);
	assert_int_equal(h.pad_len, 4);
	assert_int_equal(h.payload_len, 20);

	/* RFC 8285 two-byte form, an extension of no data words */
	memset(b, 0, sizeof(b));
	rtp_fixed(b, 0x10, 0, 1, 1, 1);
	put16(b + 12, 0x1000);
	put16(b + 14, 0);
	assert_int_equal(rtp_parse(b, 16, &h), RTP_OK);
	assert_int_equal(h.ext_profile, 0x1000);
	assert_int_equal(h.ext_len, 0);
	assert_int_equal(h.hdr_len, 16);
	assert_int_equal(h.payload_len, 0);

	/* 15 CSRCs exactly filling the datagram */
	rtp_fixed(b, 15, 0, 1, 1, 1);
	assert_int_equal(rtp_parse(b, 12 + 60, &h), RTP_OK);
	assert_int_equal(h.hdr_len, 72);
	assert_int_equal(h.payload_len, 0);

	/* padding alone, as senders probing bandwidth send it */
	memset(b, 0, sizeof(b));
	rtp_fixed(b, 0x20, 96, 1, 1, 1);
	len = 12 + 100;
	b[len - 1] = 100;
	assert_int_equal(rtp_parse(b, len, &h), RTP_OK);
	assert_int_equal(h.pad_len, 100);
	assert_int_equal(h.payload_len, 0);
}

static void
test_rtp_parse_refusals(void **state)
{
	static uint8_t big[RTP_LEN_MAX + 1];
	uint8_t b[64];
	struct rtp_hdr h;

	(void)state;
	memset(b, 0, sizeof(b));
	rtp_fixed(b, 0, 0, 1, 1, 1);
	assert_int_equal(rtp_parse(b, 0, &h), RTP_E_SHORT);
	assert_int_equal(rtp_parse(b, 11, &h), RTP_E_SHORT);
	rtp_fixed(big, 0, 0, 1, 1, 1);
	assert_int_equal(rtp_parse(big, RTP_LEN_MAX, &h), RTP_OK);
	assert_int_equal(h.payload_len, RTP_LEN_MAX - 12);
	assert_int_equal(rtp_parse(big, RTP_LEN_MAX + 1, &h), RTP_E_LONG);

	for (unsigned int v = 0; v < 4; v++) {
		b[0] = (uint8_t)(v << 6);
		assert_int_equal(rtp_parse(b, 12, &h), v == 2 ? RTP_OK : RTP_E_VERSION);
	}

	/* A.1: SR and RR (200, 201: PT 72, 73 with the marker) are not RTP;
	 * PT 74 (SDES's 202) is left to RFC 5761's demux */
	for (unsigned int v = 0; v < 256; v++) {
		rtp_fixed(b, 0, (uint8_t)v, 1, 1, 1);
		assert_int_equal(rtp_parse(b, 12, &h),
				 (v & 0x7f) == 72 || (v & 0x7f) == 73 ? RTP_E_PT : RTP_OK);
	}

	/* CSRCs past the datagram */
	rtp_fixed(b, 3, 0, 1, 1, 1);
	assert_int_equal(rtp_parse(b, 23, &h), RTP_E_CSRC);
	assert_int_equal(rtp_parse(b, 24, &h), RTP_OK);
	rtp_fixed(b, 15, 0, 1, 1, 1);
	assert_int_equal(rtp_parse(b, 64, &h), RTP_E_CSRC);

	/* the extension's header, then its length, past the datagram */
	rtp_fixed(b, 0x10 | 1, 0, 1, 1, 1);
	assert_int_equal(rtp_parse(b, 16, &h), RTP_E_EXT);
	assert_int_equal(rtp_parse(b, 19, &h), RTP_E_EXT);
	put16(b + 16, 0xBEDE);
	put16(b + 18, 3);
	assert_int_equal(rtp_parse(b, 20, &h), RTP_E_EXT);
	assert_int_equal(rtp_parse(b, 31, &h), RTP_E_EXT);
	assert_int_equal(rtp_parse(b, 32, &h), RTP_OK);
	put16(b + 18, 0xffff);
	assert_int_equal(rtp_parse(b, sizeof(b), &h), RTP_E_EXT);

	/* padding: no room for the count, a count of 0, past the payload */
	rtp_fixed(b, 0x20, 0, 1, 1, 1);
	assert_int_equal(rtp_parse(b, 12, &h), RTP_E_PAD);
	b[19] = 0;
	assert_int_equal(rtp_parse(b, 20, &h), RTP_E_PAD);
	b[19] = 9;
	assert_int_equal(rtp_parse(b, 20, &h), RTP_E_PAD);
	b[19] = 8;
	assert_int_equal(rtp_parse(b, 20, &h), RTP_OK);
	/* padding past the payload but not the extension: still refused */
	rtp_fixed(b, 0x20 | 0x10, 0, 1, 1, 1);
	put16(b + 12, 0xBEDE);
	put16(b + 14, 1);
	b[23] = 5;
	assert_int_equal(rtp_parse(b, 24, &h), RTP_E_PAD);
	b[23] = 4;
	assert_int_equal(rtp_parse(b, 24, &h), RTP_OK);
	assert_int_equal(h.payload_len, 0);
}

static void
test_srtp_parse_trailer(void **state)
{
	uint8_t b[12 + 4 + 160 + 4 + 10];
	size_t tr = srtp_trailer_len(10, 4);
	struct rtp_hdr h;

	(void)state;
	assert_int_equal(srtp_trailer_len(10, 0), 10);
	assert_int_equal(srtp_trailer_len(4, 0), 4);
	assert_int_equal(srtp_trailer_len(16, 0), 16);
	assert_int_equal(tr, 14);
	assert_int_equal(srtcp_trailer_len(10, 0), 14);
	assert_int_equal(srtcp_trailer_len(10, 4), 18);

	memset(b, 0, sizeof(b));
	/* P set with an encrypted "count" of 0: not SRTP's to check */
	rtp_fixed(b, 0x20 | 1, 0, 5, 6, 7);
	assert_int_equal(srtp_parse(b, sizeof(b), tr, &h), RTP_OK);
	assert_int_equal(h.hdr_len, 16);
	assert_int_equal(h.payload_len, 160);
	assert_int_equal(h.pad_len, 0);
	assert_int_equal(rtp_parse(b, sizeof(b), &h), RTP_E_PAD);
	/* the trailer exactly after the header, then one octet too many */
	assert_int_equal(srtp_parse(b, 16 + tr, tr, &h), RTP_OK);
	assert_int_equal(h.payload_len, 0);
	assert_int_equal(srtp_parse(b, 16 + tr - 1, tr, &h), RTP_E_TRAILER);
	/* a giant MKI */
	assert_int_equal(srtp_parse(b, sizeof(b), srtp_trailer_len(10, 4000), &h),
			 RTP_E_TRAILER);
	/* the header's own refusals come first */
	assert_int_equal(srtp_parse(b, 15, 0, &h), RTP_E_CSRC);
	b[0] = 0x40;
	assert_int_equal(srtp_parse(b, sizeof(b), tr, &h), RTP_E_VERSION);
}

/* ---- RFC 8285's header extension elements ------------------------------- */

/*
 * A packet with CC 1, extension profile prof and the block blk of n
 * octets (a whole number of words), then a payload of 20 and, for SRTP,
 * a 10-octet tag; its header parsed into *h. The packet's length.
 */
static size_t
ext_pkt(uint8_t *b, uint16_t prof, const uint8_t *blk, size_t n, bool srtp, struct rtp_hdr *h)
{
	size_t len = 12 + 4 + 4 + n + 20 + (srtp ? 10 : 0);

	assert_int_equal(n % 4, 0);
	memset(b, 0xee, len);
	rtp_fixed(b, 0x10 | 1, 96, 1, 2, 3);
	put32(b + 12, 0xc5c5c5c5);
	put16(b + 16, prof);
	put16(b + 18, (uint16_t)(n / 4));
	memcpy(b + 20, blk, n);
	if (srtp)
		assert_int_equal(srtp_parse(b, len, 10, h), RTP_OK);
	else
		assert_int_equal(rtp_parse(b, len, h), RTP_OK);
	return len;
}

/* id in the packet: its value's offset in b and its length, or -1 */
static int
ext_at(const uint8_t *b, const struct rtp_hdr *h, unsigned int id, size_t *vlen)
{
	const uint8_t *v = (const uint8_t *)"x";
	int rc = rtp_ext_find(b, h, id, &v, vlen);

	if (rc != 1) {
		assert_null(v);
		assert_int_equal(*vlen, 0);
		return rc == 0 ? -1 : rc;
	}
	assert_non_null(v);
	return (int)(v - b);
}

static void
test_rtp_ext_find_one_byte_rfc8285(void **state)
{
	/* RFC 8285 §4.2's figure with ids 1, 2, 3: an element of 1 octet
	 * (L=0), one of 2 (L=1), two padding octets, one of 4 (L=3) */
	static const uint8_t blk[12] = {
		0x10, 0xa1,
		0x21, 0xb1, 0xb2,
		0x00, 0x00,
		0x33, 0xc1, 0xc2, 0xc3, 0xc4,
	};
	uint8_t b[128];
	struct rtp_hdr h;
	size_t vl;

	(void)state;
	for (int srtp = 0; srtp < 2; srtp++) {
		ext_pkt(b, 0xBEDE, blk, sizeof(blk), srtp, &h);
		assert_int_equal(ext_at(b, &h, 1, &vl), 21);
		assert_int_equal(vl, 1);
		assert_int_equal(b[21], 0xa1);
		assert_int_equal(ext_at(b, &h, 2, &vl), 23);
		assert_int_equal(vl, 2);
		assert_int_equal(ext_at(b, &h, 3, &vl), 28);
		assert_int_equal(vl, 4);
		assert_memory_equal(b + 28, blk + 8, 4);
		/* not there, and ids the form cannot carry */
		assert_int_equal(ext_at(b, &h, 4, &vl), -1);
		assert_int_equal(ext_at(b, &h, 14, &vl), -1);
		assert_int_equal(ext_at(b, &h, 15, &vl), -1);
		assert_int_equal(ext_at(b, &h, 200, &vl), -1);
		assert_int_equal(ext_at(b, &h, 0, &vl), -EINVAL);
		assert_int_equal(ext_at(b, &h, 256, &vl), -EINVAL);
	}

	/* a MID of 16 octets (L=15, the form's longest) as a browser sends
	 * it, id 14 (the form's highest), then padding to the word */
	{
		uint8_t mid[20] = { 0xef };

		memcpy(mid + 1, "0123456789abcdef", 16);
		ext_pkt(b, 0xBEDE, mid, sizeof(mid), false, &h);
		assert_int_equal(ext_at(b, &h, 14, &vl), 21);
		assert_int_equal(vl, 16);
		assert_memory_equal(b + 21, "0123456789abcdef", 16);
		assert_int_equal(ext_at(b, &h, 1, &vl), -1);
	}
}

static void
test_rtp_ext_find_two_byte_rfc8285(void **state)
{
	/* RFC 8285 §4.3's figure with ids 1, 2, 3: an element of no data
	 * (L=0), one of 1 octet, a padding octet, one of 4 */
	static const uint8_t blk[12] = {
		0x01, 0x00,
		0x02, 0x01, 0xa1,
		0x00,
		0x03, 0x04, 0xc1, 0xc2, 0xc3, 0xc4,
	};
	static const uint8_t big[8] = { 0xc8, 0x03, 'a', 'u', 'd', 0, 0, 0 };
	uint8_t b[128];
	struct rtp_hdr h;
	size_t vl;

	(void)state;
	for (int srtp = 0; srtp < 2; srtp++) {
		ext_pkt(b, 0x1000, blk, sizeof(blk), srtp, &h);
		/* a zero-length element is found: its place, no octets */
		assert_int_equal(ext_at(b, &h, 1, &vl), 22);
		assert_int_equal(vl, 0);
		assert_int_equal(ext_at(b, &h, 2, &vl), 24);
		assert_int_equal(vl, 1);
		assert_int_equal(b[24], 0xa1);
		assert_int_equal(ext_at(b, &h, 3, &vl), 28);
		assert_int_equal(vl, 4);
		assert_memory_equal(b + 28, blk + 8, 4);
		assert_int_equal(ext_at(b, &h, 4, &vl), -1);
	}
	/* the 4 application bits are the sender's; ids above 14 and 15
	 * itself are ordinary ids in this form */
	for (unsigned int app = 0; app < 16; app++) {
		ext_pkt(b, (uint16_t)(0x1000 | app), big, sizeof(big), false, &h);
		assert_int_equal(ext_at(b, &h, 200, &vl), 22);
		assert_int_equal(vl, 3);
		assert_memory_equal(b + 22, "aud", 3);
	}
	{
		static const uint8_t fifteen[4] = { 0x0f, 0x01, 0x77, 0x00 };

		ext_pkt(b, 0x1000, fifteen, sizeof(fifteen), false, &h);
		assert_int_equal(ext_at(b, &h, 15, &vl), 22);
		assert_int_equal(vl, 1);
	}
	/* 0x1010 and 0x0100 are no RFC 8285 form: no elements */
	ext_pkt(b, 0x1010, big, sizeof(big), false, &h);
	assert_int_equal(ext_at(b, &h, 200, &vl), -1);
	ext_pkt(b, 0x0100, big, sizeof(big), false, &h);
	assert_int_equal(ext_at(b, &h, 200, &vl), -1);
}

static void
test_rtp_ext_find_padding_stop_absent(void **state)
{
	/* padding before, between and after elements */
	static const uint8_t padded[12] = { 0, 0, 0x10, 0xa1, 0, 0, 0, 0x20, 0xb1, 0, 0, 0 };
	/* §4.2: id 15 ends the block (its length, here 15, not read): the
	 * element after it is not considered */
	static const uint8_t stop[8] = { 0x10, 0xa1, 0xff, 0x20, 0xb1, 0, 0, 0 };
	static const uint8_t stop_last[4] = { 0x10, 0xa1, 0x00, 0xf3 };
	static const uint8_t pad_only[8] = { 0 };
	static const uint8_t zero_id[4] = { 0x01, 0xa1, 0x10, 0xb1 };
	uint8_t b[128];
	struct rtp_hdr h;
	size_t vl;

	(void)state;
	ext_pkt(b, 0xBEDE, padded, sizeof(padded), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), 23);
	assert_int_equal(ext_at(b, &h, 2, &vl), 28);
	assert_int_equal(vl, 1);
	assert_int_equal(ext_at(b, &h, 3, &vl), -1);

	ext_pkt(b, 0xBEDE, stop, sizeof(stop), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), 21);
	assert_int_equal(ext_at(b, &h, 2, &vl), -1);
	ext_pkt(b, 0xBEDE, stop_last, sizeof(stop_last), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), 21);
	assert_int_equal(ext_at(b, &h, 2, &vl), -1);

	ext_pkt(b, 0xBEDE, pad_only, sizeof(pad_only), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), -1);
	ext_pkt(b, 0x1000, pad_only, sizeof(pad_only), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), -1);
	/* an empty block, another profile's block, no extension at all */
	ext_pkt(b, 0xBEDE, pad_only, 0, false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), -1);
	ext_pkt(b, 0xABAC, padded, sizeof(padded), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), -1);
	rtp_fixed(b, 0, 96, 1, 2, 3);
	assert_int_equal(rtp_parse(b, 40, &h), RTP_OK);
	assert_int_equal(ext_at(b, &h, 1, &vl), -1);

	/* one-byte id 0 with a length: neither padding nor an element */
	ext_pkt(b, 0xBEDE, zero_id, sizeof(zero_id), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), -EBADMSG);
	/* in the two-byte form 0x01 is id 1 with length 0xa1: too long */
	ext_pkt(b, 0x1000, zero_id, sizeof(zero_id), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), -EBADMSG);
}

static void
test_rtp_ext_find_truncated_and_overlong(void **state)
{
	/* a one-byte element of 4 octets (L=3) with 2 left in the block;
	 * one of 16 (L=15) in a block of 8 */
	static const uint8_t cut1[4] = { 0x10, 0xa1, 0x23, 0xb1 };
	static const uint8_t cut16[8] = { 0x1f, 1, 2, 3, 4, 5, 6, 7 };
	/* a two-byte element whose length runs past the block, and one
	 * whose header is cut after its id */
	static const uint8_t cut2[8] = { 0x01, 0x01, 0xa1, 0x02, 0x04, 0xb1, 0xb2, 0xb3 };
	static const uint8_t cut2h[4] = { 0x01, 0x01, 0xa1, 0x02 };
	/* the element sought before the bad one is still found */
	static const uint8_t exact[8] = { 0x10, 0xa1, 0x24, 1, 2, 3, 4, 5 };
	uint8_t blk[68];
	uint8_t b[160];
	struct rtp_hdr h;
	size_t vl;

	(void)state;
	ext_pkt(b, 0xBEDE, cut1, sizeof(cut1), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), 21);
	assert_int_equal(ext_at(b, &h, 2, &vl), -EBADMSG);
	assert_int_equal(ext_at(b, &h, 3, &vl), -EBADMSG);
	ext_pkt(b, 0xBEDE, cut16, sizeof(cut16), true, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), -EBADMSG);
	ext_pkt(b, 0x1000, cut2, sizeof(cut2), false, &h);
	assert_int_equal(ext_at(b, &h, 1, &vl), 22);
	assert_int_equal(ext_at(b, &h, 2, &vl), -EBADMSG);
	ext_pkt(b, 0x1000, cut2h, sizeof(cut2h), false, &h);
	assert_int_equal(ext_at(b, &h, 2, &vl), -EBADMSG);
	/* a block that fills exactly: the last element ends at its end */
	ext_pkt(b, 0xBEDE, exact, sizeof(exact), false, &h);
	assert_int_equal(ext_at(b, &h, 2, &vl), 23);
	assert_int_equal(vl, 5);
	assert_int_equal(ext_at(b, &h, 3, &vl), -1);

	/* 33 two-byte elements of no data, ids 1-33: the 32nd is found,
	 * the 33rd is past the bound (the walk is per packet) */
	memset(blk, 0, sizeof(blk));
	for (unsigned int i = 0; i < 33; i++)
		blk[2 * i] = (uint8_t)(i + 1);
	ext_pkt(b, 0x1000, blk, sizeof(blk), false, &h);
	assert_int_equal(ext_at(b, &h, 32, &vl), 20 + 2 * 31 + 2);
	assert_int_equal(vl, 0);
	assert_int_equal(ext_at(b, &h, 33, &vl), -E2BIG);
	assert_int_equal(ext_at(b, &h, 34, &vl), -E2BIG);
	/* 32 and padding: within the bound */
	blk[64] = 0;
	ext_pkt(b, 0x1000, blk, sizeof(blk), false, &h);
	assert_int_equal(ext_at(b, &h, 34, &vl), -1);
}

/* ---- A.1 and A.3: the sequence state ----------------------------------- */

static enum rtp_seq
rx(struct rtp_rx *st, uint32_t ssrc, uint16_t seq)
{
	struct rtp_hdr h = { .ssrc = ssrc, .seq = seq, .ts = (uint32_t)seq * 160u };

	return rtp_rx_update(st, &h, 172, (uint32_t)seq * 160u);
}

static void
test_rtp_rx_probation(void **state)
{
	struct rtp_rx st;
	struct rtp_rx_report r;

	(void)state;
	rtp_rx_init(&st);
	assert_int_equal(rtp_rx_lost(&st), 0);
	assert_int_equal(rtp_rx_expected(&st), 0);
	assert_int_equal(rx(&st, 1, 1000), RTP_SEQ_PROBATION);
	rtp_rx_report(&st, &r);
	assert_int_equal(r.expected, 0);
	assert_int_equal(r.lost, 0);
	assert_int_equal(rtp_rx_expected(&st), 0);
	/* not in sequence: the probation starts again from this one */
	assert_int_equal(rx(&st, 1, 1002), RTP_SEQ_PROBATION);
	assert_int_equal(rx(&st, 1, 1002), RTP_SEQ_PROBATION);
	assert_int_equal(rx(&st, 1, 1003), RTP_SEQ_OK);
	assert_int_equal(st.probation, 0);
	/* A.1: init_seq() at the end of probation, this packet counted */
	assert_int_equal(st.base_seq, 1003);
	assert_int_equal(st.received, 1);
	assert_int_equal(rtp_rx_expected(&st), 1);
	assert_int_equal(rtp_rx_lost(&st), 0);
	assert_int_equal(rx(&st, 1, 1004), RTP_SEQ_OK);
	assert_int_equal(rtp_rx_packets(&st), 5);
	assert_int_equal(rtp_rx_octets(&st), 5 * 172);
	assert_int_equal(rtp_rx_expected(&st), 2);
}

static void
test_rtp_rx_probation_across_wrap(void **state)
{
	struct rtp_rx st;

	(void)state;
	/* RFC 3550's "seq == s->max_seq + 1" is an int compare: 65535 + 1
	 * never equals 0 there, and a source starting at 65535 would wait
	 * for another pair */
	rtp_rx_init(&st);
	assert_int_equal(rx(&st, 1, 65535), RTP_SEQ_PROBATION);
	assert_int_equal(rx(&st, 1, 0), RTP_SEQ_OK);
	assert_int_equal(rtp_rx_expected(&st), 1);
	/* the first packet itself at 0 (max_seq = 65535 behind it) */
	rtp_rx_init(&st);
	assert_int_equal(rx(&st, 1, 0), RTP_SEQ_PROBATION);
	assert_int_equal(rx(&st, 1, 1), RTP_SEQ_OK);
	assert_int_equal(st.cycles, 0);
}

static void
test_rtp_rx_wrap_extends_sequence(void **state)
{
	struct rtp_rx st;
	struct rtp_rx_report r;

	(void)state;
	rtp_rx_init(&st);
	rx(&st, 9, 65520);
	for (uint32_t s = 65521; s < 65536 + 20; s++)
		assert_int_equal(rx(&st, 9, (uint16_t)s), RTP_SEQ_OK);
	assert_int_equal(st.cycles, 65536);
	assert_int_equal(st.max_seq, 19);
	rtp_rx_report(&st, &r);
	assert_int_equal(r.ext_max_seq, 65536 + 19);
	assert_int_equal(r.expected, 35);
	assert_int_equal(r.lost, 0);
	assert_int_equal(r.fraction, 0);
	/* a gap across the wrap: 3 lost */
	rtp_rx_init(&st);
	rx(&st, 9, 65530);
	rx(&st, 9, 65531);
	assert_int_equal(rx(&st, 9, 65535), RTP_SEQ_OK);
	assert_int_equal(rx(&st, 9, 2), RTP_SEQ_OK);
	assert_int_equal(st.cycles, 65536);
	assert_int_equal(rtp_rx_expected(&st), 8);
	assert_int_equal(rtp_rx_lost(&st), 5);
	/* a second wrap */
	for (uint32_t s = 3; s < 65536 + 10; s++)
		rx(&st, 9, (uint16_t)s);
	assert_int_equal(st.cycles, 2 * 65536);
	assert_int_equal(rtp_rx_expected(&st), 65536 + 15);
	assert_int_equal(rtp_rx_lost(&st), 5);
}

static void
test_rtp_rx_loss_misorder_duplicates(void **state)
{
	struct rtp_rx st;
	struct rtp_rx_report r;

	(void)state;
	rtp_rx_init(&st);
	rx(&st, 5, 99);
	for (uint16_t s = 100; s < 110; s++)   /* 100..109 */
		rx(&st, 5, s);
	rtp_rx_report(&st, &r);
	assert_int_equal(r.expected, 10);
	assert_int_equal(r.lost, 0);
	assert_int_equal(r.fraction, 0);

	/* 110..129 with 4 lost: the fraction is 4/20 of 256 */
	for (uint16_t s = 110; s < 130; s++)
		if (s != 111 && s != 115 && s != 120 && s != 121)
			assert_int_equal(rx(&st, 5, s), RTP_SEQ_OK);
	rtp_rx_report(&st, &r);
	assert_int_equal(r.expected, 30);
	assert_int_equal(r.lost, 4);
	assert_int_equal(r.fraction, 4 * 256 / 20);
	assert_int_equal(rtp_rx_lost(&st), 4);

	/* one of them arrives late, within MAX_MISORDER: counted, not
	 * moving max_seq; a duplicate of the highest too */
	assert_int_equal(rx(&st, 5, 115), RTP_SEQ_LATE);
	assert_int_equal(st.max_seq, 129);
	assert_int_equal(rx(&st, 5, 129), RTP_SEQ_LATE);
	assert_int_equal(rtp_rx_lost(&st), 2);
	/* duplicates beyond the losses: lost is negative, the interval's
	 * fraction 0 (A.3: duplicates outnumbering losses) */
	assert_int_equal(rx(&st, 5, 129), RTP_SEQ_LATE);
	assert_int_equal(rx(&st, 5, 128), RTP_SEQ_LATE);
	assert_int_equal(rx(&st, 5, 127), RTP_SEQ_LATE);
	assert_int_equal(rtp_rx_lost(&st), -1);
	rtp_rx_report(&st, &r);
	assert_int_equal(r.lost, -1);
	assert_int_equal(r.fraction, 0);

	/* exactly MAX_MISORDER behind is a jump; one less is late */
	assert_int_equal(rx(&st, 5, 129 - RTP_MAX_MISORDER + 1), RTP_SEQ_LATE);
	assert_int_equal(rx(&st, 5, 129 - RTP_MAX_MISORDER), RTP_SEQ_JUMP);
	/* MAX_DROPOUT - 1 ahead is a gap; MAX_DROPOUT a jump */
	assert_int_equal(rx(&st, 5, 129 + RTP_MAX_DROPOUT), RTP_SEQ_JUMP);
	assert_int_equal(rx(&st, 5, 129 + RTP_MAX_DROPOUT - 1), RTP_SEQ_OK);
	assert_int_equal(rtp_rx_lost(&st), RTP_MAX_DROPOUT - 2 - 1 - 1);
}

static void
test_rtp_rx_resync_after_jump(void **state)
{
	struct rtp_rx st;
	struct rtp_rx_report r;
	int64_t lost_before;

	(void)state;
	rtp_rx_init(&st);
	rx(&st, 7, 10);
	for (uint16_t s = 11; s <= 30; s++)
		if (s != 20)
			rx(&st, 7, s);
	lost_before = rtp_rx_lost(&st);
	assert_int_equal(lost_before, 1);
	assert_int_equal(rtp_rx_expected(&st), 20);

	/* the sender restarts at 40000: a jump, remembered */
	assert_int_equal(rx(&st, 7, 40000), RTP_SEQ_JUMP);
	assert_int_equal(st.max_seq, 30);
	assert_int_equal(rtp_rx_expected(&st), 20);
	/* not the one after it: still a jump, the new one remembered */
	assert_int_equal(rx(&st, 7, 50000), RTP_SEQ_JUMP);
	/* the one after it: the source restarted; a new epoch */
	assert_int_equal(rx(&st, 7, 50001), RTP_SEQ_RESYNC);
	assert_int_equal(st.base_seq, 50001);
	assert_int_equal(st.max_seq, 50001);
	assert_int_equal(st.received, 1);
	assert_int_equal(st.restarts, 1);
	assert_int_equal(st.lost_prev, 1);
	assert_int_equal(st.expected_prev, 20);
	assert_int_equal(rx(&st, 7, 50002), RTP_SEQ_OK);
	assert_int_equal(rx(&st, 7, 50004), RTP_SEQ_OK);
	rtp_rx_report(&st, &r);
	assert_int_equal(r.expected, 4);
	assert_int_equal(r.lost, 1);
	assert_int_equal(r.ext_max_seq, 50004);
	/* the totals run over both epochs */
	assert_int_equal(rtp_rx_expected(&st), 24);
	assert_int_equal(rtp_rx_lost(&st), 2);
	assert_int_equal(rtp_rx_packets(&st), 1 + 19 + 2 + 3);

	/* a jump backwards beyond MAX_MISORDER, then its successor */
	assert_int_equal(rx(&st, 7, 49000), RTP_SEQ_JUMP);
	assert_int_equal(rx(&st, 7, 49001), RTP_SEQ_RESYNC);
	assert_int_equal(st.restarts, 2);
	/* the remembered bad_seq is spent by the resync */
	assert_int_equal(rx(&st, 7, 49002), RTP_SEQ_OK);
	assert_false(st.flags & RTP_RX_F_BAD);
	/* the restart count saturates */
	st.restarts = UINT16_MAX;
	assert_int_equal(rx(&st, 7, 9000), RTP_SEQ_JUMP);
	assert_int_equal(rx(&st, 7, 9001), RTP_SEQ_RESYNC);
	assert_int_equal(st.restarts, UINT16_MAX);

	/* SSRC 0 is an SSRC like another, also as the first */
	rtp_rx_init(&st);
	assert_int_equal(rx(&st, 0, 5), RTP_SEQ_PROBATION);
	assert_int_equal(rx(&st, 0, 6), RTP_SEQ_OK);
	assert_int_equal(rx(&st, 1, 6), RTP_SEQ_OTHER);
}

static void
test_rtp_rx_ssrc_change(void **state)
{
	struct rtp_rx st;

	(void)state;
	rtp_rx_init(&st);
	rx(&st, 0xaaaa, 100);
	rx(&st, 0xaaaa, 101);
	rx(&st, 0xaaaa, 103);

	/* another SSRC interleaved (RFC 4588 retransmission, say): counted
	 * apart, never followed while ours keeps coming between */
	for (uint16_t i = 0; i < 50; i++) {
		assert_int_equal(rx(&st, 0xbbbb, (uint16_t)(500 + i)), RTP_SEQ_OTHER);
		assert_int_equal(rx(&st, 0xaaaa, (uint16_t)(104 + i)), RTP_SEQ_OK);
	}
	assert_int_equal(st.ssrc, 0xaaaa);
	assert_int_equal(st.other, 50);
	assert_int_equal(rtp_rx_lost(&st), 1);
	assert_int_equal(rtp_rx_expected(&st), 53);
	/* two of another SSRC, not in sequence: still ours */
	assert_int_equal(rx(&st, 0xcccc, 7), RTP_SEQ_OTHER);
	assert_int_equal(rx(&st, 0xcccc, 9), RTP_SEQ_OTHER);
	/* a third SSRC between two of a candidate resets the candidate */
	assert_int_equal(rx(&st, 0xdddd, 1), RTP_SEQ_OTHER);
	assert_int_equal(rx(&st, 0xcccc, 10), RTP_SEQ_OTHER);
	assert_int_equal(st.ssrc, 0xaaaa);
	/* two in sequence with none of ours between: the stream moved */
	assert_int_equal(rx(&st, 0xcccc, 11), RTP_SEQ_SSRC);
	assert_int_equal(st.ssrc, 0xcccc);
	assert_int_equal(st.base_seq, 11);
	assert_int_equal(st.received, 1);
	assert_int_equal(st.restarts, 1);
	assert_int_equal(st.other, 54);
	assert_int_equal(rx(&st, 0xcccc, 12), RTP_SEQ_OK);
	assert_int_equal(rtp_rx_expected(&st), 53 + 2);
	assert_int_equal(rtp_rx_lost(&st), 1);
	/* the old one is now the other */
	assert_int_equal(rx(&st, 0xaaaa, 154), RTP_SEQ_OTHER);
	assert_int_equal(rtp_rx_packets(&st), 3 + 100 + 5 + 1 + 1);
	assert_int_equal(rtp_rx_octets(&st), (3 + 100 + 5 + 1 + 1) * 172);

	/* a change while the followed one is still on probation: no epoch
	 * to close, no restart counted */
	rtp_rx_init(&st);
	assert_int_equal(rx(&st, 1, 10), RTP_SEQ_PROBATION);
	assert_int_equal(rx(&st, 2, 20), RTP_SEQ_OTHER);
	assert_int_equal(rx(&st, 2, 21), RTP_SEQ_SSRC);
	assert_int_equal(st.restarts, 0);
	assert_int_equal(st.expected_prev, 0);
	assert_int_equal(rtp_rx_expected(&st), 1);
}

/* ---- A.8: jitter ------------------------------------------------------- */

static void
test_rtp_rx_jitter_hand_computed(void **state)
{
	/* 8 kHz, 20 ms packets: timestamps 160 apart; arrivals in the same
	 * units. transit = arrival - ts: 4000 4000 4020 4000 4000 4000 4100
	 *   packet 0: probation, nothing
	 *   packet 1: first valid, transit kept, no D
	 *   packet 2: D = 20:  J16 =  0 + 20 - ( 8 >> 4)  = 20
	 *   packet 3: D = 20:  J16 = 20 + 20 - (28 >> 4)  = 39
	 *   packet 4: D = 0:   J16 = 39 +  0 - (47 >> 4)  = 37
	 *   packet 5: D = 0:   J16 = 37 +  0 - (45 >> 4)  = 35
	 *   packet 6: D = 100: J16 = 35 + 100 - (43 >> 4) = 133 */
	static const uint32_t arrival[] = { 5000, 5160, 5340, 5480, 5640, 5800, 6060 };
	static const uint32_t j16[] = { 0, 0, 20, 39, 37, 35, 133 };
	struct rtp_rx st;
	double jf = 0;
	uint32_t prev_transit = 0;

	(void)state;
	rtp_rx_init(&st);
	for (unsigned int i = 0; i < 7; i++) {
		struct rtp_hdr h = { .ssrc = 3, .seq = (uint16_t)(100 + i), .ts = 1000 + 160 * i };
		uint32_t transit = arrival[i] - h.ts;

		rtp_rx_update(&st, &h, 172, arrival[i]);
		assert_int_equal(st.jitter, j16[i]);
		/* the RFC's floating-point form, from the first valid packet */
		if (i >= 2)
			jf += (dabs((double)(int32_t)(transit - prev_transit)) - jf) / 16.0;
		prev_transit = transit;
		assert_true(dabs(jf - st.jitter / 16.0) < 1.0);
	}
	assert_int_equal(rtp_rx_jitter(&st), 133 >> 4);
	/* 8 units at 8 kHz: 1 ms */
	assert_int_equal(rtp_rx_jitter_us(&st, 8000), 1000);
	assert_int_equal(rtp_rx_jitter_us(&st, 0), 0);
	assert_int_equal(rtp_rx_jitter_us(&st, 90000), 8u * 1000000u / 90000u);
	/* more microseconds than 32 bits hold: the most they do */
	st.jitter = 16u * RTP_JITTER_D_MAX;
	assert_int_equal(rtp_rx_jitter_us(&st, 1), UINT32_MAX);
}

static void
test_rtp_rx_jitter_against_float(void **state)
{
	struct rtp_rx st;
	double jf = 0;
	uint32_t prev = 0, arrival = 77777;

	(void)state;
	rtp_rx_init(&st);
	srand(7);
	/* 5000 packets, arrival times drifting ±200 units around the
	 * timestamps, across the 32-bit timestamp wrap */
	for (unsigned int i = 0; i < 5000; i++) {
		uint32_t ts = 0xfff00000u + 160u * i;
		struct rtp_hdr h = { .ssrc = 3, .seq = (uint16_t)(65000 + i), .ts = ts };
		uint32_t a = arrival + 160u * i + (uint32_t)(rand() % 401) - 200u;
		uint32_t transit = a - ts;

		assert_true(RTP_SEQ_VALID(rtp_rx_update(&st, &h, 100, a)) || i == 0);
		if (i >= 2)
			jf += (dabs((double)(int32_t)(transit - prev)) - jf) / 16.0;
		prev = transit;
	}
	/* the integer form rounds at each step: within a unit or so */
	assert_true(dabs(jf - st.jitter / 16.0) < 1.5);
	assert_true(rtp_rx_jitter(&st) > 50 && rtp_rx_jitter(&st) < 200);
	assert_int_equal(rtp_rx_lost(&st), 0);
}

static void
test_rtp_rx_jitter_bounded_and_reset(void **state)
{
	struct rtp_rx st;
	struct rtp_hdr h = { .ssrc = 1 };
	uint32_t before;

	(void)state;
	rtp_rx_init(&st);
	h.seq = 1;
	rtp_rx_update(&st, &h, 0, 0);
	h.seq = 2;
	rtp_rx_update(&st, &h, 0, 0);
	/* a timestamp jump of 2^31: D counts as RTP_JITTER_D_MAX */
	h.seq = 3;
	h.ts = 0x80000000u;
	rtp_rx_update(&st, &h, 0, 0);
	assert_int_equal(st.jitter, RTP_JITTER_D_MAX);
	for (unsigned int i = 0; i < 1000; i++) {
		h.seq++;
		h.ts = i & 1 ? 0 : 0x80000000u;
		rtp_rx_update(&st, &h, 0, 0);
		assert_true(st.jitter <= 16u * RTP_JITTER_D_MAX);
	}
	/* a resync keeps the estimate but not the transit: the restarted
	 * source's first packet adds no D */
	before = st.jitter;
	h.seq = (uint16_t)(h.seq + 10000);
	h.ts = 12345;
	assert_int_equal(rtp_rx_update(&st, &h, 0, 99), RTP_SEQ_JUMP);
	h.seq++;
	assert_int_equal(rtp_rx_update(&st, &h, 0, 99), RTP_SEQ_RESYNC);
	assert_int_equal(st.jitter, before);
	assert_int_equal(st.transit, (uint32_t)(99 - 12345));
}

static void
test_rtp_rx_report_fraction_and_clamp(void **state)
{
	struct rtp_rx st;
	struct rtp_rx_report r;

	(void)state;
	rtp_rx_init(&st);
	rx(&st, 1, 0);
	rx(&st, 1, 1);
	/* 1 received of 256 expected in the interval: 255/256 lost */
	assert_int_equal(rx(&st, 1, 256), RTP_SEQ_OK);
	rtp_rx_report(&st, &r);
	assert_int_equal(r.expected, 256);
	assert_int_equal(r.lost, 254);
	assert_int_equal(r.fraction, 254 * 256 / 256);
	/* a new interval: nothing lost in it */
	rx(&st, 1, 257);
	rtp_rx_report(&st, &r);
	assert_int_equal(r.fraction, 0);
	assert_int_equal(r.lost, 254);
	/* nothing at all since the last report */
	rtp_rx_report(&st, &r);
	assert_int_equal(r.fraction, 0);

	/* A.3's clamp to 24 bits: a state with more lost than fit */
	st.cycles = 0x7fff0000u;
	rtp_rx_report(&st, &r);
	assert_int_equal(r.lost, 0x7fffff);
	assert_int_equal(r.fraction, 255);
	st.cycles = 0;
	st.received = 0x900000u;
	rtp_rx_report(&st, &r);
	assert_int_equal(r.lost, -0x800000);
}

static void
test_rtp_rx_struct_and_tx(void **state)
{
	struct rtp_tx tx = { 0 };

	(void)state;
	/* FEATURE.md states it: 72 octets a received stream */
	assert_int_equal(sizeof(struct rtp_rx), 72);
	/* what an in-order packet touches comes first, in one line */
	assert_int_equal(offsetof(struct rtp_rx, cand_ssrc), 60);
	rtp_tx_count(&tx, 172);
	rtp_tx_count(&tx, 60);
	assert_int_equal(rtp_tx_packets(&tx), 2);
	assert_int_equal(rtp_tx_octets(&tx), 232);
}

/* ---- RTCP -------------------------------------------------------------- */

/* An SR with n report blocks at b; returns its length. */
static size_t
mk_sr(uint8_t *b, uint32_t ssrc, unsigned int n)
{
	size_t len = RTCP_SR_LEN + RTCP_RB_LEN * n;

	memset(b, 0, len);
	b[0] = (uint8_t)(0x80 | n);
	b[1] = RTCP_PT_SR;
	put16(b + 2, (uint16_t)(len / 4 - 1));
	put32(b + 4, ssrc);
	put32(b + 8, 0xb44db705u);
	put32(b + 12, 0x20000000u);
	put32(b + 16, 123456);
	put32(b + 20, 1000);
	put32(b + 24, 160000);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = b + RTCP_SR_LEN + RTCP_RB_LEN * i;

		put32(p, 0x1000 + i);
		p[4] = (uint8_t)(10 + i);
		p[5] = 0xff;         /* -1 */
		p[6] = 0xff;
		p[7] = 0xff;
		put32(p + 8, 70000 + i);
		put32(p + 12, 33);
		put32(p + 16, 0xb7052000u);
		put32(p + 20, 0x00054000u);
	}
	return len;
}

static size_t
mk_rr(uint8_t *b, uint32_t ssrc, unsigned int n)
{
	size_t len = RTCP_RR_LEN + RTCP_RB_LEN * n;

	memset(b, 0, len);
	b[0] = (uint8_t)(0x80 | n);
	b[1] = RTCP_PT_RR;
	put16(b + 2, (uint16_t)(len / 4 - 1));
	put32(b + 4, ssrc);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = b + RTCP_RR_LEN + RTCP_RB_LEN * i;

		put32(p, 0x2000 + i);
		p[4] = 64;
		p[5] = 0x80;         /* -2^23 */
		put32(p + 8, 5);
		put32(p + 12, 7);
	}
	return len;
}

/* SDES with one chunk: SSRC, CNAME "ab", END, padded to a word. */
static size_t
mk_sdes(uint8_t *b, uint32_t ssrc)
{
	memset(b, 0, 16);
	b[0] = 0x81;
	b[1] = RTCP_PT_SDES;
	put16(b + 2, 3);
	put32(b + 4, ssrc);
	b[8] = 1;
	b[9] = 2;
	b[10] = 'a';
	b[11] = 'b';
	return 16;
}

static size_t
mk_bye(uint8_t *b, uint32_t ssrc)
{
	b[0] = 0x81;
	b[1] = RTCP_PT_BYE;
	put16(b + 2, 1);
	put32(b + 4, ssrc);
	return 8;
}

static void
test_rtcp_check_compounds(void **state)
{
	uint8_t b[1024];
	struct rtcp_info in;
	size_t len;

	(void)state;
	len = mk_sr(b, 1, 2);
	len += mk_sdes(b + len, 1);
	assert_int_equal(rtcp_check(b, len, 0, &in), RTP_OK);
	assert_int_equal(in.npkts, 2);
	assert_int_equal(in.nsr, 1);
	assert_int_equal(in.nrr, 0);
	assert_int_equal(in.first_pt, RTCP_PT_SR);
	assert_int_equal(in.pad_len, 0);
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_OK);

	len = mk_rr(b, 2, 0);
	len += mk_sdes(b + len, 2);
	len += mk_bye(b + len, 2);
	assert_int_equal(rtcp_check(b, len, 0, &in), RTP_OK);
	assert_int_equal(in.npkts, 3);
	assert_int_equal(in.nrr, 1);
	assert_int_equal(in.nbye, 1);

	/* an SR alone, an RR alone: A.2 asks no more */
	assert_int_equal(rtcp_check(b, mk_sr(b, 1, 0), 0, NULL), RTP_OK);
	assert_int_equal(rtcp_check(b, mk_rr(b, 1, 31), 0, &in), RTP_OK);

	/* RFC 5506: a feedback packet first, only when allowed */
	b[0] = 0x81;
	b[1] = 205;
	put16(b + 2, 2);
	put32(b + 4, 1);
	put32(b + 8, 2);
	assert_int_equal(rtcp_check(b, 12, 0, &in), RTP_E_RTCP_FIRST);
	assert_int_equal(in.npkts, 0);
	assert_int_equal(rtcp_check(b, 12, RTCP_REDUCED_SIZE, &in), RTP_OK);
	assert_int_equal(in.first_pt, 205);
	len = mk_sdes(b, 1);
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_FIRST);
	assert_int_equal(rtcp_check(b, len, RTCP_REDUCED_SIZE, NULL), RTP_OK);
}

static void
test_rtcp_check_refusals(void **state)
{
	static uint8_t big[RTP_LEN_MAX + 4];
	uint8_t b[512];
	size_t len, sr;

	(void)state;
	len = mk_sr(b, 1, 1);
	assert_int_equal(rtcp_check(b, 0, 0, NULL), RTP_E_SHORT);
	assert_int_equal(rtcp_check(b, 3, 0, NULL), RTP_E_SHORT);
	mk_rr(big, 1, 0);
	assert_int_equal(rtcp_check(big, RTP_LEN_MAX + 1, 0, NULL), RTP_E_LONG);

	/* version, first packet and a later one */
	b[0] = 0x41;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_VERSION);
	sr = mk_sr(b, 1, 1);
	len = sr + mk_sdes(b + sr, 1);
	b[sr] = 0xc1;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_VERSION);

	/* a length past the datagram: the last packet's, by one word */
	len = sr + mk_sdes(b + sr, 1);
	put16(b + sr + 2, 4);
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_LENGTH);
	/* ... and the first's, so far that the rest is skipped over */
	put16(b + sr + 2, 3);
	put16(b + 2, 0xffff);
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_LENGTH);
	/* the datagram cut short, or octets after the last packet */
	put16(b + 2, (uint16_t)(sr / 4 - 1));
	assert_int_equal(rtcp_check(b, len - 4, 0, NULL), RTP_E_RTCP_LENGTH);
	assert_int_equal(rtcp_check(b, len - 1, 0, NULL), RTP_E_RTCP_LENGTH);
	memset(b + len, 0x80, 4);
	for (size_t extra = 1; extra < 4; extra++)
		assert_int_equal(rtcp_check(b, len + extra, 0, NULL), RTP_E_RTCP_LENGTH);
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_OK);

	/* a zero length field is one word: fine for SDES and BYE with no
	 * entries, too short for an SR or RR, or a BYE with one */
	len = mk_rr(b, 1, 0);
	b[len] = 0x80;
	b[len + 1] = RTCP_PT_SDES;
	put16(b + len + 2, 0);
	assert_int_equal(rtcp_check(b, len + 4, 0, NULL), RTP_OK);
	b[len + 1] = RTCP_PT_BYE;
	assert_int_equal(rtcp_check(b, len + 4, 0, NULL), RTP_OK);
	b[len] = 0x81;
	assert_int_equal(rtcp_check(b, len + 4, 0, NULL), RTP_E_RTCP_COUNT);
	put16(b + 2, 0);
	assert_int_equal(rtcp_check(b, 4, 0, NULL), RTP_E_RTCP_COUNT);
	b[1] = RTCP_PT_SR;
	assert_int_equal(rtcp_check(b, 4, 0, NULL), RTP_E_RTCP_COUNT);
	/* zero-length packets all the way: each one word, no loop stuck */
	for (unsigned int i = 0; i < 64; i++) {
		b[4 * i] = 0x80;
		b[4 * i + 1] = RTCP_PT_SDES;
		put16(b + 4 * i + 2, 0);
	}
	assert_int_equal(rtcp_check(b, 256, RTCP_REDUCED_SIZE, NULL), RTP_OK);

	/* an SR or RR shorter than its report count says */
	len = mk_sr(b, 1, 2);
	b[0] = 0x83;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_COUNT);
	len = mk_rr(b, 1, 1);
	b[0] = 0x82;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_COUNT);

	/* a packet type outside RTCP's */
	sr = mk_rr(b, 1, 0);
	len = sr + mk_sdes(b + sr, 1);
	b[sr + 1] = 191;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_PT);
	b[sr + 1] = 224;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_PT);
	b[sr + 1] = 223;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_OK);
	b[1] = 150;
	assert_int_equal(rtcp_check(b, len, RTCP_REDUCED_SIZE, NULL), RTP_E_RTCP_PT);
}

static void
test_rtcp_check_padding(void **state)
{
	uint8_t b[512];
	struct rtcp_info in;
	size_t len, rr, sdes;

	(void)state;
	/* RR + SDES, the SDES padded by 4 (its count in the last octet) */
	rr = mk_rr(b, 1, 1);
	sdes = mk_sdes(b + rr, 1);
	len = rr + sdes + 4;
	b[rr] |= 0x20;
	put16(b + rr + 2, (uint16_t)((sdes + 4) / 4 - 1));
	memset(b + rr + sdes, 0, 4);
	b[len - 1] = 4;
	assert_int_equal(rtcp_check(b, len, 0, &in), RTP_OK);
	assert_int_equal(in.pad_len, 4);
	/* count 0, and a count past the packet's body */
	b[len - 1] = 0;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_PAD);
	b[len - 1] = (uint8_t)(sdes + 4 - 4 + 1);
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_PAD);
	/* the padding may take the whole body */
	b[len - 1] = (uint8_t)(sdes + 4 - 4);
	assert_int_equal(rtcp_check(b, len, RTCP_REDUCED_SIZE, NULL), RTP_OK);
	b[len - 1] = 4;
	/* padding on the first packet of two: refused (§6.4.1, A.2) */
	b[0] |= 0x20;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_PAD);
	/* ... even when its count is right: an RR padded by 4, an SDES */
	rr = mk_rr(b, 1, 0);
	put16(b + 2, 2);
	memset(b + rr, 0, 4);
	b[rr + 3] = 4;
	len = rr + 4 + mk_sdes(b + rr + 4, 1);
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_OK);
	b[0] |= 0x20;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_PAD);
	/* and the same RR padded, alone, is the last: accepted */
	assert_int_equal(rtcp_check(b, rr + 4, 0, &in), RTP_OK);
	assert_int_equal(in.pad_len, 4);
	/* on an SR alone it is the last: its blocks must fit before it */
	len = mk_sr(b, 1, 1);
	b[0] |= 0x20;
	b[len - 1] = 4;
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_E_RTCP_COUNT);
	b[0] = 0xa0;
	assert_int_equal(rtcp_check(b, len, 0, &in), RTP_OK);
	assert_int_equal(in.pad_len, 4);
}

static void
test_rtcp_read_sr_rr(void **state)
{
	uint8_t b[512];
	struct rtcp_iter it;
	struct rtcp_pkt pk;
	struct rtcp_sender s;
	struct rtcp_block rb;
	size_t len;

	(void)state;
	len = mk_sr(b, 0xabcdef01u, 2);
	len += mk_rr(b + len, 0x55, 1);
	len += mk_sdes(b + len, 0xabcdef01u);
	assert_int_equal(rtcp_check(b, len, 0, NULL), RTP_OK);

	rtcp_iter_init(&it, b, len);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_int_equal(pk.pt, RTCP_PT_SR);
	assert_int_equal(pk.count, 2);
	assert_int_equal(pk.len, 28 + 48);
	assert_int_equal(pk.ssrc, 0xabcdef01u);
	assert_true(rtcp_sr_read(&pk, &s));
	assert_int_equal(s.ssrc, 0xabcdef01u);
	assert_int_equal(s.ntp_sec, 0xb44db705u);
	assert_int_equal(s.ntp_frac, 0x20000000u);
	assert_int_equal(s.rtp_ts, 123456);
	assert_int_equal(s.packets, 1000);
	assert_int_equal(s.octets, 160000);
	assert_true(rtcp_block_read(&pk, 1, &rb));
	assert_int_equal(rb.ssrc, 0x1001);
	assert_int_equal(rb.fraction, 11);
	assert_int_equal(rb.lost, -1);
	assert_int_equal(rb.ext_max_seq, 70001);
	assert_int_equal(rb.jitter, 33);
	assert_int_equal(rb.lsr, 0xb7052000u);
	assert_int_equal(rb.dlsr, 0x00054000u);
	assert_false(rtcp_block_read(&pk, 2, &rb));

	assert_true(rtcp_iter_next(&it, &pk));
	assert_int_equal(pk.pt, RTCP_PT_RR);
	assert_false(rtcp_sr_read(&pk, &s));
	assert_true(rtcp_block_read(&pk, 0, &rb));
	assert_int_equal(rb.ssrc, 0x2000);
	assert_int_equal(rb.fraction, 64);
	assert_int_equal(rb.lost, -0x800000);
	assert_int_equal(rb.ext_max_seq, 5);
	assert_false(rtcp_block_read(&pk, 1, &rb));

	assert_true(rtcp_iter_next(&it, &pk));
	assert_int_equal(pk.pt, RTCP_PT_SDES);
	assert_false(rtcp_block_read(&pk, 0, &rb));
	assert_false(rtcp_sr_read(&pk, &s));
	assert_false(rtcp_iter_next(&it, &pk));
	assert_false(rtcp_iter_next(&it, &pk));

	/* lost as a positive 24-bit count */
	b[28 + 5] = 0x7f;
	b[28 + 6] = 0xff;
	b[28 + 7] = 0xff;
	rtcp_iter_init(&it, b, len);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_true(rtcp_block_read(&pk, 0, &rb));
	assert_int_equal(rb.lost, 0x7fffff);

	/* a header's count the length does not hold: no block read past it */
	b[0] = 0x85;
	rtcp_iter_init(&it, b, len);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_true(rtcp_block_read(&pk, 1, &rb));
	assert_false(rtcp_block_read(&pk, 2, &rb));
	/* an SR too short for its sender info */
	b[0] = 0x80;
	put16(b + 2, 5);
	rtcp_iter_init(&it, b, 24);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_false(rtcp_sr_read(&pk, &s));
}

static void
test_rtcp_iter_stops_at_bad_headers(void **state)
{
	uint8_t b[64];
	struct rtcp_iter it;
	struct rtcp_pkt pk;
	size_t rr;

	(void)state;
	rtcp_iter_init(&it, NULL, 0);
	assert_false(rtcp_iter_next(&it, &pk));
	/* longer than a datagram: nothing to walk */
	mk_rr(b, 1, 0);
	rtcp_iter_init(&it, b, RTP_LEN_MAX + 1);
	assert_false(rtcp_iter_next(&it, &pk));
	rr = mk_rr(b, 1, 0);
	mk_sdes(b + rr, 1);
	/* a length past the end */
	put16(b + rr + 2, 9);
	rtcp_iter_init(&it, b, rr + 16);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_false(rtcp_iter_next(&it, &pk));
	/* a wrong version */
	put16(b + rr + 2, 3);
	b[rr] = 0x01;
	rtcp_iter_init(&it, b, rr + 16);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_false(rtcp_iter_next(&it, &pk));
	/* octets after the last that make no header */
	b[rr] = 0x81;
	rtcp_iter_init(&it, b, rr + 3);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_false(rtcp_iter_next(&it, &pk));
	/* padding not on the last is not taken off */
	b[0] |= 0x20;
	b[rr - 1] = 4;
	rtcp_iter_init(&it, b, rr + 16);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_int_equal(pk.pad_len, 0);
	assert_int_equal(pk.len, rr);
	/* on the last it is, when its count holds */
	rtcp_iter_init(&it, b, rr);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_int_equal(pk.pad_len, 4);
	assert_int_equal(pk.len, rr - 4);
	assert_int_equal(pk.ssrc, 0);     /* 4 octets left: no SSRC */
	b[rr - 1] = 5;
	rtcp_iter_init(&it, b, rr);
	assert_true(rtcp_iter_next(&it, &pk));
	assert_int_equal(pk.pad_len, 0);
}

static void
test_rtcp_rtt_rfc3550_example(void **state)
{
	uint32_t rtt = 0;

	(void)state;
	/* RFC 3550 §6.4.1's figure: an SR at 0xb44db705:20000000, its LSR
	 * 0xb705:2000; the RR arrives at A = 0xb710:8000 with DLSR
	 * 0x0005:4000 (5.25 s): delay 0x0006:2000 (6.125 s) */
	assert_int_equal(rtcp_ntp_mid32(0xb44db705u, 0x20000000u), 0xb7052000u);
	assert_true(rtcp_rtt(0xb7108000u, 0xb7052000u, 0x00054000u, &rtt));
	assert_int_equal(rtt, 0x00062000u);
	/* no SR yet, a DLSR longer than the time since, a clock gone back */
	assert_false(rtcp_rtt(0xb7108000u, 0, 0x00054000u, &rtt));
	assert_false(rtcp_rtt(0xb7108000u, 0xb7052000u, 0x000c0000u, &rtt));
	assert_false(rtcp_rtt(0xb7000000u, 0xb7052000u, 0, &rtt));
	/* across the 32-bit wrap of the NTP format */
	assert_true(rtcp_rtt(0x00010000u, 0xffff0000u, 0x00008000u, &rtt));
	assert_int_equal(rtt, 0x00018000u);
}

/* ---- SRTCP ------------------------------------------------------------- */

static size_t
mk_srtcp(uint8_t *b, bool e, uint32_t index, unsigned int tag, unsigned int mki)
{
	size_t len = mk_sr(b, 1, 1);

	len += mk_sdes(b + len, 1);
	put32(b + len, (e ? SRTCP_E_FLAG : 0) | index);
	len += 4;
	memset(b + len, 0xee, mki + tag);
	return len + mki + tag;
}

static void
test_srtcp_check(void **state)
{
	uint8_t b[512];
	struct srtcp_info si;
	size_t len, clen = 28 + 24 + 16;

	(void)state;
	len = mk_srtcp(b, true, 0x7fffffffu, 10, 0);
	assert_int_equal(srtcp_check(b, len, 10, 0, 0, &si), RTP_OK);
	assert_true(si.encrypted);
	assert_int_equal(si.index, 0x7fffffffu);
	assert_int_equal(si.rtcp_len, clen);
	len = mk_srtcp(b, false, 5, 10, 4);
	assert_int_equal(srtcp_check(b, len, 10, 4, 0, &si), RTP_OK);
	assert_false(si.encrypted);
	assert_int_equal(si.index, 5);
	assert_int_equal(si.rtcp_len, clen);

	/* RFC 7714 §9 (SRTCP_AEAD): the 16-octet tag first, then E and the
	 * index, then the MKI; read where RFC 3711 has them, the tag's
	 * octets would be the index and E clear */
	len = mk_srtcp(b, true, 77, 0, 0);
	memmove(b + len - 4 + 16, b + len - 4, 4);
	memset(b + len - 4, 0x6e, 16);
	memset(b + len + 16, 0xee, 3);
	len += 16 + 3;
	assert_int_equal(srtcp_check(b, len, 16, 3, SRTCP_AEAD, &si), RTP_OK);
	assert_true(si.encrypted);
	assert_int_equal(si.index, 77);
	assert_int_equal(si.rtcp_len, clen);
	assert_int_equal(srtcp_check(b, len, 16, 3, 0, &si), RTP_OK);
	assert_false(si.encrypted);
	assert_int_equal(si.index, 0x6e6e6e6eu);
	b[len - 3 - 4] &= 0x7f;
	assert_int_equal(srtcp_check(b, len, 16, 3, SRTCP_AEAD, &si), RTP_OK);
	assert_false(si.encrypted);
	assert_int_equal(si.index, 77);

	/* sizes: the clear part, the trailer, the compound's words */
	assert_int_equal(srtcp_check(b, 7, 0, 0, 0, &si), RTP_E_SHORT);
	assert_int_equal(si.rtcp_len, 0);
	assert_int_equal(srtcp_check(b, len, 10, 4 + len, 0, &si), RTP_E_TRAILER);
	assert_int_equal(srtcp_check(b, 8 + 13, 10, 0, 0, NULL), RTP_E_TRAILER);
	len = mk_srtcp(b, true, 1, 10, 0);
	assert_int_equal(srtcp_check(b, len, 9, 0, 0, NULL), RTP_E_RTCP_LENGTH);
	assert_int_equal(srtcp_check(b, RTP_LEN_MAX + 1, 10, 0, 0, NULL), RTP_E_LONG);

	/* not encrypted: the whole compound judged (padding on the first) */
	len = mk_srtcp(b, false, 1, 10, 0);
	b[0] |= 0x20;
	assert_int_equal(srtcp_check(b, len, 10, 0, 0, NULL), RTP_E_RTCP_PAD);
	/* encrypted: the same octets cannot be judged past the first
	 * header, whose P says it is not the last */
	len = mk_srtcp(b, true, 1, 10, 0);
	b[0] |= 0x20;
	assert_int_equal(srtcp_check(b, len, 10, 0, 0, NULL), RTP_E_RTCP_PAD);
	b[0] &= (uint8_t)~0x20;
	/* the first header's version, type, length and count */
	b[0] = 0x41;
	assert_int_equal(srtcp_check(b, len, 10, 0, 0, NULL), RTP_E_VERSION);
	b[0] = 0x81;
	b[1] = RTCP_PT_SDES;
	assert_int_equal(srtcp_check(b, len, 10, 0, 0, NULL), RTP_E_RTCP_FIRST);
	assert_int_equal(srtcp_check(b, len, 10, 0, RTCP_REDUCED_SIZE, NULL), RTP_OK);
	b[1] = 100;
	assert_int_equal(srtcp_check(b, len, 10, 0, RTCP_REDUCED_SIZE, NULL), RTP_E_RTCP_PT);
	b[1] = 230;
	assert_int_equal(srtcp_check(b, len, 10, 0, RTCP_REDUCED_SIZE, NULL), RTP_E_RTCP_PT);
	b[1] = RTCP_PT_SR;
	put16(b + 2, (uint16_t)(clen / 4));
	assert_int_equal(srtcp_check(b, len, 10, 0, 0, NULL), RTP_E_RTCP_LENGTH);
	put16(b + 2, 6);
	assert_int_equal(srtcp_check(b, len, 10, 0, 0, NULL), RTP_E_RTCP_COUNT);
	b[0] = 0x80;
	assert_int_equal(srtcp_check(b, len, 10, 0, 0, NULL), RTP_OK);
}

/* ---- RFC 3711 §3.3.1 --------------------------------------------------- */

static void
test_srtp_roc_guess_boundaries(void **state)
{
	static const struct {
		uint32_t roc;
		uint16_t s_l, seq;
		uint32_t v;
	} t[] = {
		{ 5, 100, 101, 5 },
		{ 5, 100, 100, 5 },
		{ 5, 100, 0, 5 },
		{ 5, 100, 32868, 5 },        /* SEQ - s_l = 2^15: not more */
		{ 5, 100, 32869, 4 },        /* one more: from before the wrap */
		{ 5, 100, 65535, 4 },
		{ 5, 32767, 65535, 5 },      /* s_l < 2^15, diff 32768 */
		{ 5, 32768, 0, 5 },          /* s_l - 2^15 = 0 > 0: no */
		{ 5, 32769, 0, 6 },          /* 1 > 0: after the wrap */
		{ 5, 60000, 27232, 5 },      /* s_l - 2^15 = 27232: not more */
		{ 5, 60000, 27231, 6 },
		{ 5, 60000, 65535, 5 },
		{ 5, 65535, 0, 6 },
		{ 5, 65535, 32766, 6 },
		{ 5, 65535, 32767, 5 },      /* 32767 > 32767: no */
		{ 0, 100, 65000, 0xffffffffu },  /* ROC - 1 mod 2^32 */
		{ 0xffffffffu, 65000, 3, 0 },    /* ROC + 1 mod 2^32 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct srtp_roc r = { .roc = t[i].roc, .s_l = t[i].s_l };

		if (srtp_roc_guess(&r, t[i].seq) != t[i].v)
			fail_msg("row %zu: roc %u s_l %u seq %u: %u, want %u", i, t[i].roc,
				 t[i].s_l, t[i].seq, srtp_roc_guess(&r, t[i].seq), t[i].v);
	}
	assert_int_equal(srtp_index(5, 7), 5u * 65536u + 7u);
	assert_true(srtp_index(0xffffffffu, 0xffff) == 0xffffffffffffull);
}

static void
test_srtp_roc_update_rules(void **state)
{
	struct srtp_roc r;

	(void)state;
	srtp_roc_init(&r, 0, 65000);
	assert_int_equal(r.roc, 0);
	assert_int_equal(r.s_l, 65000);
	/* v = ROC, SEQ higher: s_l moves */
	srtp_roc_update(&r, 0, 65001);
	assert_int_equal(r.s_l, 65001);
	/* v = ROC, SEQ lower (reordered): nothing */
	srtp_roc_update(&r, 0, 64000);
	assert_int_equal(r.s_l, 65001);
	/* v = ROC + 1: the wrap */
	srtp_roc_update(&r, srtp_roc_guess(&r, 3), 3);
	assert_int_equal(r.roc, 1);
	assert_int_equal(r.s_l, 3);
	/* v = ROC - 1 (a late one from before the wrap): nothing */
	assert_int_equal(srtp_roc_guess(&r, 65534), 0);
	srtp_roc_update(&r, 0, 65534);
	assert_int_equal(r.roc, 1);
	assert_int_equal(r.s_l, 3);
	/* a restored state guesses as the one it was taken from */
	{
		struct srtp_roc saved = r;

		assert_int_equal(srtp_roc_guess(&saved, 4), srtp_roc_guess(&r, 4));
	}
}

static void
test_srtp_roc_long_stream(void **state)
{
	struct srtp_roc r;
	uint64_t sent = 40000;    /* the sender's index: starts mid-cycle */
	uint64_t highest = sent;
	unsigned int wrong = 0, n = 0;

	(void)state;
	srtp_roc_init(&r, 0, (uint16_t)sent);
	srand(11);
	/* 600,000 indices (9 wraps): 5% of packets start a loss of up to
	 * 20, one in a thousand a gap of up to 3000, 5% arrive up to 100
	 * late; every guess is right */
	while (sent < 40000 + 600000) {
		uint64_t idx = sent;
		int k = rand() % 1000;

		if (k < 1) {
			sent += 1 + (uint64_t)(rand() % 3000);
			continue;
		}
		if (k < 50) {
			sent += 1 + (uint64_t)(rand() % 20);
			continue;
		}
		if (k < 100 && idx > 40100)
			idx -= (uint64_t)(1 + rand() % 100);   /* a late one */
		else
			sent++;
		{
			uint16_t seq = (uint16_t)idx;
			uint32_t v = srtp_roc_guess(&r, seq);

			if (srtp_index(v, seq) != idx)
				wrong++;
			srtp_roc_update(&r, v, seq);
			if (idx > highest)
				highest = idx;
			n++;
		}
	}
	assert_int_equal(wrong, 0);
	assert_true(n > 150000);
	assert_true(highest > 9 * 65536);
	assert_int_equal(r.roc, (uint32_t)(highest >> 16));
	assert_int_equal(r.s_l, (uint16_t)highest);
}

/* ---- names ------------------------------------------------------------- */

static void
test_rtp_names(void **state)
{
	(void)state;
	assert_string_equal(rtp_err_name(RTP_OK), "ok");
	for (unsigned int e = 1; e < RTP_E_COUNT; e++) {
		const char *n = rtp_err_name((enum rtp_err)e);

		assert_non_null(n);
		assert_non_null(rtp_err_help((enum rtp_err)e));
		assert_true(strlen(rtp_err_help((enum rtp_err)e)) > 10);
		for (unsigned int f = 1; f < e; f++)
			assert_string_not_equal(n, rtp_err_name((enum rtp_err)f));
	}
	assert_string_equal(rtp_err_name(RTP_E_RTCP_PAD), "rtcp_pad");
	assert_null(rtp_err_name(RTP_E_COUNT));
	assert_null(rtp_err_help(RTP_E_COUNT));
	assert_null(rtp_err_name((enum rtp_err)-1));
	for (unsigned int d = 0; d < RTP_DEMUX_COUNT; d++)
		assert_non_null(rtp_demux_name((enum rtp_demux)d));
	assert_string_equal(rtp_demux_name(RTP_DEMUX_TURN), "turn");
	assert_null(rtp_demux_name(RTP_DEMUX_COUNT));
	for (unsigned int v = 0; v < RTP_SEQ_COUNT; v++)
		assert_non_null(rtp_seq_name((enum rtp_seq)v));
	assert_string_equal(rtp_seq_name(RTP_SEQ_RESYNC), "resync");
	assert_null(rtp_seq_name(RTP_SEQ_COUNT));
	assert_true(RTP_SEQ_VALID(RTP_SEQ_SSRC));
	assert_false(RTP_SEQ_VALID(RTP_SEQ_PROBATION));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtp_demux_every_first_octet),
		cmocka_unit_test(test_rtp_mux_is_rtcp_second_octet),
		cmocka_unit_test(test_rtp_parse_fixed_header),
		cmocka_unit_test(test_rtp_parse_csrc_ext_padding),
		cmocka_unit_test(test_rtp_parse_refusals),
		cmocka_unit_test(test_srtp_parse_trailer),
		cmocka_unit_test(test_rtp_ext_find_one_byte_rfc8285),
		cmocka_unit_test(test_rtp_ext_find_two_byte_rfc8285),
		cmocka_unit_test(test_rtp_ext_find_padding_stop_absent),
		cmocka_unit_test(test_rtp_ext_find_truncated_and_overlong),
		cmocka_unit_test(test_rtp_rx_probation),
		cmocka_unit_test(test_rtp_rx_probation_across_wrap),
		cmocka_unit_test(test_rtp_rx_wrap_extends_sequence),
		cmocka_unit_test(test_rtp_rx_loss_misorder_duplicates),
		cmocka_unit_test(test_rtp_rx_resync_after_jump),
		cmocka_unit_test(test_rtp_rx_ssrc_change),
		cmocka_unit_test(test_rtp_rx_jitter_hand_computed),
		cmocka_unit_test(test_rtp_rx_jitter_against_float),
		cmocka_unit_test(test_rtp_rx_jitter_bounded_and_reset),
		cmocka_unit_test(test_rtp_rx_report_fraction_and_clamp),
		cmocka_unit_test(test_rtp_rx_struct_and_tx),
		cmocka_unit_test(test_rtcp_check_compounds),
		cmocka_unit_test(test_rtcp_check_refusals),
		cmocka_unit_test(test_rtcp_check_padding),
		cmocka_unit_test(test_rtcp_read_sr_rr),
		cmocka_unit_test(test_rtcp_iter_stops_at_bad_headers),
		cmocka_unit_test(test_rtcp_rtt_rfc3550_example),
		cmocka_unit_test(test_srtcp_check),
		cmocka_unit_test(test_srtp_roc_guess_boundaries),
		cmocka_unit_test(test_srtp_roc_update_rules),
		cmocka_unit_test(test_srtp_roc_long_stream),
		cmocka_unit_test(test_rtp_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
