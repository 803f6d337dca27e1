/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rtp: what runs per packet, inline: the first-octet demultiplexer
 * (RFC 7983), the RTP and SRTP header checks (RFC 3550 §5.1, A.1; RFC
 * 3711 §3.1), a stream's statistics update (A.1, A.8), a sent packet's
 * count, and SRTP's index estimate (RFC 3711 §3.3.1). Each reads only
 * the caller's buffer and writes only the caller's struct.
 */
#ifndef TP_RTP_INLINES_H
#define TP_RTP_INLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rtp_types.h"

static inline uint16_t
rtp_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
rtp_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/*
 * RFC 7983 §7: which protocol a datagram on a shared port carries, by its
 * first octet. RTP first: on a media port it is nearly every packet.
 */
static inline enum rtp_demux
rtp_demux(const uint8_t *buf, size_t len)
{
	uint8_t b;

	if (len == 0)
		return RTP_DEMUX_UNKNOWN;
	b = buf[0];
	if ((b & 0xc0) == 0x80)
		return RTP_DEMUX_RTP;
	if (b < 4)
		return RTP_DEMUX_STUN;
	if (b < 16)
		return RTP_DEMUX_UNKNOWN;
	if (b < 20)
		return RTP_DEMUX_ZRTP;
	if (b < 64)
		return RTP_DEMUX_DTLS;
	if (b < 80)
		return RTP_DEMUX_TURN;
	return RTP_DEMUX_UNKNOWN;
}

/*
 * RFC 5761 §4: on a port where RTP and RTCP are multiplexed, a packet of
 * the RTP_DEMUX_RTP class is RTCP when its second octet (an RTP packet's
 * marker and payload type, an RTCP packet's type) is 192-223, which is
 * why RTP on such a port must not use payload types 64-95.
 */
static inline bool
rtp_mux_is_rtcp(const uint8_t *buf, size_t len)
{
	return len >= 2 && buf[1] >= RTCP_PT_MIN && buf[1] <= RTCP_PT_MAX;
}

/* The checks RTP and SRTP share: the fixed header, the CSRCs, the
 * extension. Fills *h but pad_len and payload_len. */
static inline enum rtp_err
rtp_hdr_parse_(const uint8_t *buf, size_t len, struct rtp_hdr *h)
{
	size_t off;

	if (len < RTP_HDR_LEN)
		return RTP_E_SHORT;
	if (len > RTP_LEN_MAX)
		return RTP_E_LONG;
	if ((buf[0] >> 6) != RTP_VERSION)
		return RTP_E_VERSION;
	h->cc = buf[0] & 0x0f;
	h->marker = buf[1] >> 7;
	h->pt = buf[1] & 0x7f;
	/* A.1: "it must not be equal to SR or RR" (200, 201 with M set) */
	if ((h->pt & 0x7e) == 72)
		return RTP_E_PT;
	h->seq = rtp_be16(buf + 2);
	h->ts = rtp_be32(buf + 4);
	h->ssrc = rtp_be32(buf + 8);
	off = RTP_HDR_LEN + 4u * h->cc;
	if (off > len)
		return RTP_E_CSRC;
	h->ext = (buf[0] & 0x10) != 0;
	h->ext_profile = 0;
	h->ext_len = 0;
	if (h->ext) {
		size_t elen;

		/* §5.3.1: 16 bits the profile's, 16 bits a length in 32-bit
		 * words after these 4 octets (RFC 8285's forms keep it) */
		if (len - off < 4)
			return RTP_E_EXT;
		elen = 4u * (size_t)rtp_be16(buf + off + 2);
		if (len - off - 4 < elen)
			return RTP_E_EXT;
		h->ext_profile = rtp_be16(buf + off);
		h->ext_len = (uint16_t)elen;
		off += 4 + elen;
	}
	h->hdr_len = (uint16_t)off;
	return RTP_OK;
}

/*
 * An RTP packet buf[0..len) (a UDP payload): RFC 3550 §5.1 and A.1's
 * checks. Version 2; not a payload type of 72 or 73 (an SR or RR); the
 * CSRC list and the extension within the datagram; with P, a padding
 * count (the last octet) of at least 1 and at most what follows the
 * header (a packet of padding alone is legal: senders probe with them).
 * RTP_OK with *h filled; otherwise the refusal, *h unspecified.
 */
static inline enum rtp_err
rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h)
{
	enum rtp_err rc = rtp_hdr_parse_(buf, len, h);
	size_t room;

	if (rc != RTP_OK)
		return rc;
	room = len - h->hdr_len;
	h->pad_len = 0;
	if (buf[0] & 0x20) {
		uint8_t pad = room > 0 ? buf[len - 1] : 0;

		if (pad == 0 || pad > room)
			return RTP_E_PAD;
		h->pad_len = pad;
	}
	h->payload_len = (uint16_t)(room - h->pad_len);
	return RTP_OK;
}

/*
 * An SRTP packet (RFC 3711 §3.1): the header checks of rtp_parse(), and
 * room after it for trailer octets (srtp_trailer_len(): the MKI and the
 * authentication tag, or AEAD's tag). The padding is encrypted, so not
 * checked: payload_len is the encrypted part, padding included.
 */
static inline enum rtp_err
srtp_parse(const uint8_t *buf, size_t len, size_t trailer, struct rtp_hdr *h)
{
	enum rtp_err rc = rtp_hdr_parse_(buf, len, h);

	if (rc != RTP_OK)
		return rc;
	if (len - h->hdr_len < trailer)
		return RTP_E_TRAILER;
	h->pad_len = 0;
	h->payload_len = (uint16_t)(len - h->hdr_len - trailer);
	return RTP_OK;
}

/* RFC 3711 §3.1: an SRTP packet ends with the MKI (if any) and the tag. */
static inline size_t
srtp_trailer_len(unsigned int tag_len, unsigned int mki_len)
{
	return (size_t)tag_len + mki_len;
}

/* RFC 3711 §3.4: SRTCP adds the E flag and the 31-bit index before them. */
static inline size_t
srtcp_trailer_len(unsigned int tag_len, unsigned int mki_len)
{
	return SRTCP_INDEX_LEN + (size_t)tag_len + mki_len;
}

/* ---- a received stream's statistics (RFC 3550 A.1, A.3, A.8) ---------- */

static inline void
rtp_rx_init(struct rtp_rx *st)
{
	memset(st, 0, sizeof(*st));
}

/* A.1's init_seq(): a new epoch from seq. The jitter estimate stays (it
 * is the network's), the transit goes (a restarted source has another
 * timestamp base). */
static inline void
rtp_rx_init_seq_(struct rtp_rx *st, uint16_t seq)
{
	st->base_seq = seq;
	st->max_seq = seq;
	st->cycles = 0;
	st->received = 0;
	st->received_prior = 0;
	st->expected_prior = 0;
	st->flags &= (uint8_t)~(RTP_RX_F_BAD | RTP_RX_F_TRANSIT);
}

/* The epoch that ends (a resync, an SSRC change) adds its expected and
 * lost to the totals; one still on probation has none. */
static inline void
rtp_rx_epoch_end_(struct rtp_rx *st)
{
	uint32_t expected;

	if (st->probation != 0)
		return;
	expected = st->cycles + st->max_seq - st->base_seq + 1u;
	st->expected_prev += expected;
	/* in 32 bits, as the RFC's counters: no signed overflow */
	st->lost_prev = (int32_t)((uint32_t)st->lost_prev + (expected - st->received));
	if (st->restarts != UINT16_MAX)
		st->restarts++;
}

/* Follow ssrc from its packet seq, which is the probation's first
 * (A.1: max_seq = seq - 1 and MIN_SEQUENTIAL to go) unless a packet in
 * sequence before it was already seen (need = 1). */
static inline void
rtp_rx_follow_(struct rtp_rx *st, uint32_t ssrc, uint16_t seq, uint8_t need)
{
	st->ssrc = ssrc;
	rtp_rx_init_seq_(st, seq);
	st->max_seq = (uint16_t)(seq - 1);
	st->probation = need;
	st->flags = (uint8_t)((st->flags | RTP_RX_F_STARTED) & ~RTP_RX_F_CAND);
}

/*
 * One received packet of the stream: its header (rtp_parse()'s or
 * srtp_parse()'s), the octets to count for it (the caller's choice: the
 * UDP payload for H.248's nt/or), and its arrival time in the units of
 * the media clock (the payload type's rate: 8000 a second for G.711).
 * RFC 3550 A.1's update_seq() with its probation, dropout, misorder and
 * resync rules, then A.8's jitter for a valid packet. Returns the verdict;
 * the caller relays or drops as it likes (lib/rtp decides nothing).
 */
static inline enum rtp_seq
rtp_rx_update(struct rtp_rx *st, const struct rtp_hdr *h, uint32_t octets, uint32_t arrival)
{
	uint16_t seq = h->seq;
	enum rtp_seq v = RTP_SEQ_OK;
	uint16_t udelta;

	st->pkts++;
	st->octets += octets;
	if (st->ssrc != h->ssrc || !(st->flags & RTP_RX_F_STARTED)) {
		if (!(st->flags & RTP_RX_F_STARTED)) {
			rtp_rx_follow_(st, h->ssrc, seq, RTP_MIN_SEQUENTIAL);
		} else if ((st->flags & RTP_RX_F_CAND) && h->ssrc == st->cand_ssrc &&
			   seq == (uint16_t)(st->cand_seq + 1)) {
			/* two in sequence of another SSRC, none of ours between */
			rtp_rx_epoch_end_(st);
			rtp_rx_follow_(st, h->ssrc, seq, RTP_MIN_SEQUENTIAL - 1);
			v = RTP_SEQ_SSRC;
		} else {
			st->cand_ssrc = h->ssrc;
			st->cand_seq = seq;
			st->flags |= RTP_RX_F_CAND;
			st->other++;
			return RTP_SEQ_OTHER;
		}
	}
	st->flags &= (uint8_t)~RTP_RX_F_CAND;
	udelta = (uint16_t)(seq - st->max_seq);
	if (st->probation != 0) {
		/* RFC 3550's "seq == s->max_seq + 1" compares ints and so
		 * never matches across the wrap; compared here in 16 bits */
		if (udelta != 1) {
			st->probation = RTP_MIN_SEQUENTIAL - 1;
			st->max_seq = seq;
			return RTP_SEQ_PROBATION;
		}
		st->max_seq = seq;
		if (--st->probation != 0)
			return RTP_SEQ_PROBATION;
		rtp_rx_init_seq_(st, seq);
	} else if (udelta < RTP_MAX_DROPOUT) {
		if (udelta == 0)
			v = RTP_SEQ_LATE;          /* a duplicate of the highest */
		else if (seq < st->max_seq)
			st->cycles += RTP_SEQ_MOD; /* wrapped */
		st->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
		if (!(st->flags & RTP_RX_F_BAD) || seq != st->bad_seq) {
			st->bad_seq = (uint16_t)(seq + 1);
			st->flags |= RTP_RX_F_BAD;
			return RTP_SEQ_JUMP;
		}
		/* two in sequence after a jump: the sender restarted
		 * without telling us; start again from this packet */
		rtp_rx_epoch_end_(st);
		rtp_rx_init_seq_(st, seq);
		v = RTP_SEQ_RESYNC;
	} else {
		v = RTP_SEQ_LATE;                  /* a duplicate or reordered */
	}
	st->received++;

	/* A.8: D = (Rj - Ri) - (Sj - Si) as the difference of the transits,
	 * J += (|D| - J) / 16 in integers with J kept ×16 */
	{
		uint32_t transit = arrival - h->ts;

		if (st->flags & RTP_RX_F_TRANSIT) {
			uint32_t d = transit - st->transit;

			if ((int32_t)d < 0)
				d = -d;
			if (d > RTP_JITTER_D_MAX)
				d = RTP_JITTER_D_MAX;
			st->jitter += d - ((st->jitter + 8u) >> 4);
		}
		st->transit = transit;
		st->flags |= RTP_RX_F_TRANSIT;
	}
	return v;
}

/* One packet sent on a stream. */
static inline void
rtp_tx_count(struct rtp_tx *tx, uint32_t octets)
{
	tx->pkts++;
	tx->octets += octets;
}

/* ---- SRTP's packet index (RFC 3711 §3.3.1) ----------------------------- */

/*
 * The rollover counter v a packet of sequence number seq belongs to,
 * given the receiver's ROC and s_l (the highest sequence number it has
 * authenticated): ROC - 1, ROC or ROC + 1 (mod 2^32), whichever puts the
 * packet nearest s_l. RFC 3711's comparisons are of integers, not mod
 * 2^16. Pure: a receiver restored from (roc, s_l) guesses the same.
 */
static inline uint32_t
srtp_roc_guess(const struct srtp_roc *r, uint16_t seq)
{
	if (r->s_l < 32768u)
		return (int)seq - (int)r->s_l > 32768 ? r->roc - 1u : r->roc;
	return (int)r->s_l - 32768 > (int)seq ? r->roc + 1u : r->roc;
}

/* A receiver's state from its first packet (ROC 0 unless signalled). */
static inline void
srtp_roc_init(struct srtp_roc *r, uint32_t roc, uint16_t seq)
{
	r->roc = roc;
	r->s_l = seq;
}

/* The 48-bit packet index: 2^16 * v + SEQ. */
static inline uint64_t
srtp_index(uint32_t v, uint16_t seq)
{
	return ((uint64_t)v << 16) | seq;
}

/*
 * After the packet of (v, seq) is authenticated (never before: an
 * unauthenticated packet must not move the counter), RFC 3711 §3.3.1's
 * update: v = ROC + 1 means the sequence wrapped (ROC = v, s_l = SEQ);
 * v = ROC moves s_l up to SEQ if higher; v = ROC - 1 changes nothing.
 */
static inline void
srtp_roc_update(struct srtp_roc *r, uint32_t v, uint16_t seq)
{
	if (v == r->roc + 1u) {
		r->roc = v;
		r->s_l = seq;
	} else if (v == r->roc && seq > r->s_l) {
		r->s_l = seq;
	}
}

#endif /* TP_RTP_INLINES_H */
