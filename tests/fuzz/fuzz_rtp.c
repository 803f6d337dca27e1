/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lib/rtp over a UDP datagram from anyone, and over the
 * packet sequences a stream's statistics and SRTP's index estimate see.
 *
 * Input: 3 octets of parameters (RTCP flags, SRTP/SRTCP tag and MKI
 * lengths), then the datagram, from a heap copy of exactly its size so a
 * read past it is caught. The same octets are read again as a sequence of
 * packets for rtp_rx_update() and of index steps for the ROC estimate.
 *
 * Besides memory errors and undefined behaviour, the target aborts on a
 * broken promise of rtp.h:
 *   - rtp_demux() follows RFC 7983's table, rtp_mux_is_rtcp() RFC 5761's;
 *   - an accepted RTP header adds up: 12 + CSRCs + extension + payload +
 *     padding is the datagram, its fields are the octets'; srtp_parse()
 *     agrees with rtp_parse() on the header and leaves room for its
 *     trailer; a refusal is a code with a name;
 *   - an accepted RTCP compound walks (rtcp_iter_next()) to exactly its
 *     end in rtcp_check()'s count of packets, each SR's sender info and
 *     every block its count announces readable; what is accepted without
 *     RTCP_REDUCED_SIZE is accepted with it; a walk over anything stays
 *     inside the datagram;
 *   - srtcp_check() accepts a clear compound only if rtcp_check() does;
 *   - rtp_ext_find() on an accepted header: an element found lies within
 *     the extension block, its own header before it says its id and
 *     length (one-byte: 1-16 octets), the block's form is RFC 8285's;
 *     nothing is found in a block of another profile; every answer is
 *     one of its five;
 *   - the statistics: valid packets = expected - lost over all epochs,
 *     every packet counted, the report's figures in their ranges, the
 *     jitter within its bound;
 *   - SRTP's index: for a stream whose index moves by -2000..+30000
 *     between packets (well within 2^15 of the highest), every guess is
 *     the true index (mod 2^48), from any starting ROC and s_l.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_err(enum rtp_err rc)
{
	CHECK(rc > RTP_OK && rc < RTP_E_COUNT);
	CHECK(rtp_err_name(rc) != NULL && rtp_err_help(rc) != NULL);
}

static void
check_demux(const uint8_t *b, size_t len)
{
	enum rtp_demux d = rtp_demux(b, len);

	CHECK(rtp_demux_name(d) != NULL);
	if (len == 0) {
		CHECK(d == RTP_DEMUX_UNKNOWN);
		CHECK(!rtp_mux_is_rtcp(b, len));
		return;
	}
	CHECK((d == RTP_DEMUX_STUN) == (b[0] <= 3));
	CHECK((d == RTP_DEMUX_ZRTP) == (b[0] >= 16 && b[0] <= 19));
	CHECK((d == RTP_DEMUX_DTLS) == (b[0] >= 20 && b[0] <= 63));
	CHECK((d == RTP_DEMUX_TURN) == (b[0] >= 64 && b[0] <= 79));
	CHECK((d == RTP_DEMUX_RTP) == (b[0] >= 128 && b[0] <= 191));
	CHECK(rtp_mux_is_rtcp(b, len) == (len >= 2 && b[1] >= 192 && b[1] <= 223));
}

/* RFC 8285's elements of an accepted header (rtp_parse()'s or
 * srtp_parse()'s h of b) */
static void
check_ext(const uint8_t *b, const struct rtp_hdr *h, unsigned int id)
{
	const uint8_t *v;
	size_t vl;
	int rc = rtp_ext_find(b, h, id, &v, &vl);
	bool one = h->ext_profile == RTP_EXT_ONE_BYTE;
	bool two = (h->ext_profile & 0xfff0u) == 0x1000u;

	if (id < 1 || id > 255) {
		CHECK(rc == -EINVAL);
		return;
	}
	CHECK(rc == 1 || rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	if (rc != 1) {
		CHECK(v == NULL && vl == 0);
		if (!h->ext || (!one && !two) || h->ext_len == 0)
			CHECK(rc == 0);
		return;
	}
	CHECK(h->ext && (one || two));
	/* within the block: after its 4-octet header, before the payload */
	CHECK(v >= b + h->hdr_len - h->ext_len && v + vl <= b + h->hdr_len);
	if (one) {
		CHECK(id <= 14);
		CHECK(v - 1 >= b + h->hdr_len - h->ext_len);
		CHECK((unsigned int)(v[-1] >> 4) == id && (size_t)(v[-1] & 15u) + 1u == vl);
		CHECK(vl >= 1 && vl <= 16);
	} else {
		CHECK(v - 2 >= b + h->hdr_len - h->ext_len);
		CHECK(v[-2] == id && v[-1] == vl);
	}
}

static void
check_rtp(const uint8_t *b, size_t len, size_t trailer, unsigned int id)
{
	struct rtp_hdr h, s;
	enum rtp_err rc = rtp_parse(b, len, &h);
	enum rtp_err src = srtp_parse(b, len, trailer, &s);

	if (rc == RTP_OK) {
		size_t ext = h.ext ? 4u + h.ext_len : 0;

		CHECK(len >= RTP_HDR_LEN && len <= RTP_LEN_MAX);
		CHECK((b[0] >> 6) == 2);
		CHECK(h.cc == (b[0] & 0x0f) && h.marker == (b[1] >> 7) && h.pt == (b[1] & 0x7f));
		CHECK(h.pt != 72 && h.pt != 73);
		CHECK(h.seq == rtp_be16(b + 2) && h.ts == rtp_be32(b + 4) && h.ssrc == rtp_be32(b + 8));
		CHECK(h.ext == ((b[0] & 0x10) != 0));
		CHECK(h.hdr_len == RTP_HDR_LEN + 4u * h.cc + ext);
		CHECK((size_t)h.hdr_len + h.payload_len + h.pad_len == len);
		CHECK(((b[0] & 0x20) != 0) == (h.pad_len > 0));
		CHECK(h.pad_len == 0 || h.pad_len == b[len - 1]);
		CHECK(h.ext_len % 4 == 0);
		check_ext(b, &h, id);
		/* SRTP: the same header, and its trailer where it fits */
		if (trailer <= (size_t)h.payload_len + h.pad_len) {
			CHECK(src == RTP_OK);
		} else {
			CHECK(src == RTP_E_TRAILER);
		}
	} else {
		check_err(rc);
		/* only the padding is rtp_parse()'s own */
		if (rc != RTP_E_PAD)
			CHECK(src == rc);
	}
	if (src == RTP_OK) {
		CHECK(rc == RTP_OK || rc == RTP_E_PAD);
		CHECK((size_t)s.hdr_len + s.payload_len + trailer == len);
		CHECK(s.pad_len == 0);
		if (rc == RTP_OK)
			CHECK(s.hdr_len == h.hdr_len && s.seq == h.seq && s.ssrc == h.ssrc &&
			      s.ext_len == h.ext_len);
		/* SRTP's header is RTP's: the elements are read alike */
		check_ext(b, &s, id);
		check_ext(b, &s, 1);
		check_ext(b, &s, 15);
		check_ext(b, &s, 0);
	} else {
		check_err(src);
	}
}

/* A walk over anything stays inside the datagram. */
static unsigned int
walk(const uint8_t *b, size_t len, bool checked, unsigned int flags)
{
	struct rtcp_iter it;
	struct rtcp_pkt pk;
	unsigned int n = 0;
	size_t end = 0;

	rtcp_iter_init(&it, b, len);
	while (rtcp_iter_next(&it, &pk)) {
		struct rtcp_sender snd;
		struct rtcp_block blk;
		unsigned int i;

		CHECK(pk.p == b + end);
		CHECK(pk.len >= RTCP_HDR_LEN && (size_t)(pk.p - b) + pk.len + pk.pad_len <= len);
		end += (size_t)pk.len + pk.pad_len;
		CHECK(end % 4 == 0 || end == len);
		for (i = 0; i < 32 && rtcp_block_read(&pk, i, &blk); i++)
			CHECK(blk.lost >= -0x800000 && blk.lost <= 0x7fffff);
		if (checked) {
			/* every block the header announces is there */
			if (pk.pt == RTCP_PT_SR || pk.pt == RTCP_PT_RR)
				CHECK(i == pk.count);
			CHECK(rtcp_sr_read(&pk, &snd) == (pk.pt == RTCP_PT_SR));
			CHECK(pk.pt >= RTCP_PT_MIN && pk.pt <= RTCP_PT_MAX);
			CHECK(n > 0 || (flags & RTCP_REDUCED_SIZE) || pk.pt == RTCP_PT_SR ||
			      pk.pt == RTCP_PT_RR);
		}
		n++;
	}
	if (checked)
		CHECK(end == len);
	return n;
}

static void
check_rtcp(const uint8_t *b, size_t len, unsigned int flags)
{
	struct rtcp_info in;
	enum rtp_err rc = rtcp_check(b, len, flags, &in);

	if (rc == RTP_OK) {
		CHECK(walk(b, len, true, flags) == in.npkts);
		CHECK(in.npkts >= 1 && in.nsr + in.nrr + in.nbye <= in.npkts);
		CHECK(in.first_pt == b[1]);
		CHECK(rtcp_check(b, len, flags | RTCP_REDUCED_SIZE, NULL) == RTP_OK);
	} else {
		static const struct rtcp_info zero;

		check_err(rc);
		CHECK(memcmp(&in, &zero, sizeof(in)) == 0);
		CHECK(rc != RTP_E_PT && rc != RTP_E_CSRC && rc != RTP_E_EXT && rc != RTP_E_PAD &&
		      rc != RTP_E_TRAILER);
		walk(b, len, false, flags);
	}
}

static void
check_srtcp(const uint8_t *b, size_t len, unsigned int tag, unsigned int mki, unsigned int flags)
{
	struct srtcp_info si;
	enum rtp_err rc = srtcp_check(b, len, tag, mki, flags, &si);

	if (rc != RTP_OK) {
		check_err(rc);
		CHECK(si.rtcp_len == 0 && si.index == 0 && !si.encrypted);
		return;
	}
	CHECK((size_t)si.rtcp_len + srtcp_trailer_len(tag, mki) == len);
	CHECK(si.rtcp_len >= SRTCP_CLEAR_LEN && si.rtcp_len % 4 == 0);
	CHECK(si.index <= 0x7fffffffu);
	CHECK(si.encrypted ==
	      ((b[si.rtcp_len + ((flags & SRTCP_AEAD) ? tag : 0u)] & 0x80) != 0));
	if (!si.encrypted)
		CHECK(rtcp_check(b, si.rtcp_len, flags & RTCP_REDUCED_SIZE, NULL) == RTP_OK);
}

/* The octets as packets of a stream: 11 a packet (which of 3 SSRCs and
 * whether seq is a step from the last; seq; timestamp; arrival). */
static void
check_stats(const uint8_t *b, size_t len)
{
	static const uint32_t ssrcs[3] = { 0x11111111u, 0x22222222u, 0 };
	struct rtp_rx st;
	struct rtp_rx_report r;
	uint64_t n = 0, valid = 0, other = 0;
	uint16_t seq = 0;

	rtp_rx_init(&st);
	for (size_t off = 0; off + 11 <= len; off += 11) {
		const uint8_t *p = b + off;
		struct rtp_hdr h;
		enum rtp_seq v;
		uint16_t raw = rtp_be16(p + 1);

		memset(&h, 0, sizeof(h));
		h.ssrc = ssrcs[(p[0] & 0x7f) % 3];
		seq = p[0] & 0x80 ? (uint16_t)(seq + (int8_t)raw) : raw;
		h.seq = seq;
		h.ts = rtp_be32(p + 3);
		v = rtp_rx_update(&st, &h, p[0], rtp_be32(p + 7));
		n++;
		CHECK(rtp_seq_name(v) != NULL);
		if (RTP_SEQ_VALID(v)) {
			valid++;
			CHECK(st.ssrc == h.ssrc && st.probation == 0);
			CHECK(st.flags & RTP_RX_F_TRANSIT);
		}
		if (v == RTP_SEQ_OTHER) {
			other++;
			CHECK(st.ssrc != h.ssrc);
		}
		CHECK(st.jitter <= 16u * RTP_JITTER_D_MAX);
		CHECK(st.probation <= RTP_MIN_SEQUENTIAL);
		CHECK(rtp_rx_packets(&st) == n && st.other == other);
		/* what was valid is what was expected and not lost */
		CHECK((int64_t)rtp_rx_expected(&st) - rtp_rx_lost(&st) == (int64_t)valid);
		if ((p[0] & 0x0f) == 0) {
			rtp_rx_report(&st, &r);
			CHECK(r.lost >= -0x800000 && r.lost <= 0x7fffff);
			CHECK(r.jitter == rtp_rx_jitter(&st));
			CHECK(r.expected == 0 || r.ext_max_seq == st.cycles + st.max_seq);
		}
	}
}

/* The octets as index steps of an SRTP stream: 2 a packet. */
static void
check_roc(const uint8_t *b, size_t len)
{
	const uint64_t mask = (1ull << 48) - 1;
	struct srtp_roc r;
	uint64_t highest, idx;

	if (len < 6)
		return;
	srtp_roc_init(&r, rtp_be32(b), rtp_be16(b + 4));
	highest = srtp_index(r.roc, r.s_l);
	for (size_t off = 6; off + 2 <= len; off += 2) {
		int64_t d = (int64_t)(rtp_be16(b + off) % 32001u) - 2000;
		uint32_t v;

		idx = (highest + (uint64_t)d) & mask;
		v = srtp_roc_guess(&r, (uint16_t)idx);
		CHECK(v == r.roc || v == r.roc + 1u || v == r.roc - 1u);
		CHECK(srtp_index(v, (uint16_t)idx) == idx);
		srtp_roc_update(&r, v, (uint16_t)idx);
		if (d > 0)
			highest = idx;
		CHECK(srtp_index(r.roc, r.s_l) == highest);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int flags, tag, mki;
	uint8_t *b;
	size_t len;

	if (size < 3)
		return 0;
	flags = data[0] & 1 ? RTCP_REDUCED_SIZE : 0;
	tag = data[1] % 32u;
	mki = data[2] % 16u;
	len = size - 3;
	b = malloc(len > 0 ? len : 1);
	CHECK(b != NULL);
	memcpy(b, data + 3, len);

	check_demux(b, len);
	check_rtp(b, len, srtp_trailer_len(tag, mki), 1u + (data[0] >> 2));
	check_rtcp(b, len, flags);
	check_srtcp(b, len, tag, mki, flags | (data[0] & 2 ? SRTCP_AEAD : 0u));
	check_stats(b, len);
	check_roc(b, len);
	free(b);
	return 0;
}
