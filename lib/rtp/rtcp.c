/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP as a relay reads it: a compound packet's header validity (RFC 3550
 * §6.1 and A.2, RFC 5506's reduced size), SRTCP's clear part and trailer
 * (RFC 3711 §3.4), and the figures of SR and RR packets (§6.4) for the
 * statistics. Nothing past the headers and report blocks is read: SDES,
 * BYE reasons, APP, feedback (RFC 4585) and XR (RFC 3611) are walked over.
 *
 * RTCP packet header (§6.4.1):
 *   V(2) P(1) RC/SC/FMT(5) | PT(8) | length(16): 32-bit words minus one
 */
#include <string.h>

#include "rtp.h"

/* The octets an SR, RR or BYE needs for count entries; 0 for others. */
static size_t
rtcp_need(uint8_t pt, unsigned int count)
{
	switch (pt) {
	case RTCP_PT_SR:
		return RTCP_SR_LEN + (size_t)RTCP_RB_LEN * count;
	case RTCP_PT_RR:
		return RTCP_RR_LEN + (size_t)RTCP_RB_LEN * count;
	case RTCP_PT_BYE:
		return RTCP_HDR_LEN + 4u * (size_t)count;   /* the SSRC/CSRC list */
	default:
		return 0;
	}
}

/* The checks of a first packet that srtcp_check() can make on an
 * encrypted compound too: its type, as A.2 wants it. */
static enum rtp_err
rtcp_check_first(const uint8_t *p, unsigned int flags)
{
	if (p[1] != RTCP_PT_SR && p[1] != RTCP_PT_RR && !(flags & RTCP_REDUCED_SIZE))
		return RTP_E_RTCP_FIRST;
	return RTP_OK;
}

enum rtp_err
rtcp_check(const uint8_t *buf, size_t len, unsigned int flags, struct rtcp_info *info)
{
	struct rtcp_info in;
	size_t off = 0;
	enum rtp_err rc;

	memset(&in, 0, sizeof(in));
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if (len < RTCP_HDR_LEN)
		return RTP_E_SHORT;
	if (len > RTP_LEN_MAX)
		return RTP_E_LONG;
	while (off < len) {
		const uint8_t *p = buf + off;
		size_t plen, body;

		/* A.2: the lengths add up to the datagram: octets left that
		 * cannot make a header are a length that did not */
		if (len - off < RTCP_HDR_LEN)
			return RTP_E_RTCP_LENGTH;
		if ((p[0] >> 6) != RTP_VERSION)
			return RTP_E_VERSION;
		if (off == 0 && (rc = rtcp_check_first(p, flags)) != RTP_OK)
			return rc;
		if (p[1] < RTCP_PT_MIN || p[1] > RTCP_PT_MAX)
			return RTP_E_RTCP_PT;
		plen = ((size_t)rtp_be16(p + 2) + 1u) * 4u;
		if (plen > len - off)
			return RTP_E_RTCP_LENGTH;
		body = plen;
		if (p[0] & 0x20) {
			uint8_t pad = p[plen - 1];

			/* §6.4.1: padding only on the last packet; its count
			 * includes itself and stays within the packet's body */
			if (off + plen != len || pad == 0 || pad > plen - RTCP_HDR_LEN)
				return RTP_E_RTCP_PAD;
			body -= pad;
			in.pad_len = pad;
		}
		if (body < rtcp_need(p[1], p[0] & 0x1fu))
			return RTP_E_RTCP_COUNT;
		in.nsr += p[1] == RTCP_PT_SR;
		in.nrr += p[1] == RTCP_PT_RR;
		in.nbye += p[1] == RTCP_PT_BYE;
		in.npkts++;
		off += plen;
	}
	in.first_pt = buf[1];
	if (info != NULL)
		*info = in;
	return RTP_OK;
}

enum rtp_err
srtcp_check(const uint8_t *buf, size_t len, unsigned int tag_len, unsigned int mki_len,
	    unsigned int flags, struct srtcp_info *out)
{
	size_t trailer = srtcp_trailer_len(tag_len, mki_len);
	size_t clen, plen;
	uint32_t word;
	enum rtp_err rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (len < SRTCP_CLEAR_LEN)
		return RTP_E_SHORT;
	if (len > RTP_LEN_MAX)
		return RTP_E_LONG;
	if (len - SRTCP_CLEAR_LEN < trailer)
		return RTP_E_TRAILER;
	clen = len - trailer;
	if ((buf[0] >> 6) != RTP_VERSION)
		return RTP_E_VERSION;
	/* (RFC 7714 §9: the AEAD suites' index word follows the tag) */
	word = rtp_be32(buf + ((flags & SRTCP_AEAD) ? clen + tag_len : clen));
	if (!(word & SRTCP_E_FLAG)) {
		/* not encrypted: all of it can be judged */
		rc = rtcp_check(buf, clen, flags & ~SRTCP_AEAD, NULL);
		if (rc != RTP_OK)
			return rc;
	} else {
		if ((rc = rtcp_check_first(buf, flags)) != RTP_OK)
			return rc;
		if (buf[1] < RTCP_PT_MIN || buf[1] > RTCP_PT_MAX)
			return RTP_E_RTCP_PT;
		/* AES-CM and AES-GCM keep the length: the compound still ends
		 * on a 32-bit word, and the clear length field counts them */
		plen = ((size_t)rtp_be16(buf + 2) + 1u) * 4u;
		if (clen % 4u != 0 || plen > clen)
			return RTP_E_RTCP_LENGTH;
		if ((buf[0] & 0x20) && plen != clen)
			return RTP_E_RTCP_PAD;
		/* the padding count is encrypted: the count is checked
		 * against the whole packet */
		if (plen < rtcp_need(buf[1], buf[0] & 0x1fu))
			return RTP_E_RTCP_COUNT;
	}
	if (out != NULL) {
		out->encrypted = (word & SRTCP_E_FLAG) != 0;
		out->index = word & ~SRTCP_E_FLAG;
		out->rtcp_len = (uint16_t)clen;
	}
	return RTP_OK;
}

void
rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len)
{
	it->buf = buf;
	it->len = len > RTP_LEN_MAX ? 0 : len;
	it->off = 0;
}

bool
rtcp_iter_next(struct rtcp_iter *it, struct rtcp_pkt *pk)
{
	size_t left = it->len - it->off, plen;
	const uint8_t *p;

	if (left < RTCP_HDR_LEN)
		return false;
	p = it->buf + it->off;
	if ((p[0] >> 6) != RTP_VERSION)
		return false;
	plen = ((size_t)rtp_be16(p + 2) + 1u) * 4u;
	if (plen > left)
		return false;
	pk->p = p;
	pk->pt = p[1];
	pk->count = p[0] & 0x1f;
	pk->pad_len = 0;
	/* padding counts only where rtcp_check() allows it */
	if ((p[0] & 0x20) && plen == left && p[plen - 1] != 0 &&
	    p[plen - 1] <= plen - RTCP_HDR_LEN)
		pk->pad_len = p[plen - 1];
	pk->len = (uint16_t)(plen - pk->pad_len);
	pk->ssrc = pk->len >= 8 ? rtp_be32(p + 4) : 0;
	it->off += plen;
	return true;
}

bool
rtcp_sr_read(const struct rtcp_pkt *pk, struct rtcp_sender *s)
{
	const uint8_t *p = pk->p;

	if (pk->pt != RTCP_PT_SR || pk->len < RTCP_SR_LEN)
		return false;
	s->ssrc = rtp_be32(p + 4);
	s->ntp_sec = rtp_be32(p + 8);
	s->ntp_frac = rtp_be32(p + 12);
	s->rtp_ts = rtp_be32(p + 16);
	s->packets = rtp_be32(p + 20);
	s->octets = rtp_be32(p + 24);
	return true;
}

bool
rtcp_block_read(const struct rtcp_pkt *pk, unsigned int i, struct rtcp_block *b)
{
	size_t off;
	const uint8_t *p;
	uint32_t lost;

	if (pk->pt == RTCP_PT_SR)
		off = RTCP_SR_LEN;
	else if (pk->pt == RTCP_PT_RR)
		off = RTCP_RR_LEN;
	else
		return false;
	off += (size_t)RTCP_RB_LEN * i;
	if (i >= pk->count || off + RTCP_RB_LEN > pk->len)
		return false;
	p = pk->p + off;
	b->ssrc = rtp_be32(p);
	b->fraction = p[4];
	/* 24 bits, two's complement (A.3 clamps it there) */
	lost = ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
	b->lost = lost & 0x800000u ? (int32_t)lost - 0x1000000 : (int32_t)lost;
	b->ext_max_seq = rtp_be32(p + 8);
	b->jitter = rtp_be32(p + 12);
	b->lsr = rtp_be32(p + 16);
	b->dlsr = rtp_be32(p + 20);
	return true;
}

uint32_t
rtcp_ntp_mid32(uint32_t ntp_sec, uint32_t ntp_frac)
{
	return (ntp_sec << 16) | (ntp_frac >> 16);
}

bool
rtcp_rtt(uint32_t a, uint32_t lsr, uint32_t dlsr, uint32_t *rtt)
{
	uint32_t since = a - lsr;

	/* §6.4.1: LSR 0 means no SR yet; a time since the SR over half
	 * the 32-bit range (9 hours) is a clock that went back */
	if (lsr == 0 || since > INT32_MAX || dlsr > since)
		return false;
	*rtt = since - dlsr;
	return true;
}
