/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rtp: types only.
 *
 * What the access gateway's media plane needs to know of RTP, RTCP and
 * SRTP without touching a payload: which protocol a UDP datagram carries
 * (RFC 7983), whether an RTP header (RFC 3550 §5.1) or an RTCP compound
 * (§6.1, A.2) holds together, a stream's receive statistics (A.1, A.3,
 * A.8), and SRTP's packet index (RFC 3711 §3.3.1). Nothing allocates,
 * nothing keeps global state: every function works on the caller's
 * buffer and the caller's struct. FEATURE.md has the rules and limits.
 */
#ifndef TP_RTP_TYPES_H
#define TP_RTP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION         2u
#define RTP_HDR_LEN         12u      /* RFC 3550 §5.1: the fixed header */
#define RTP_LEN_MAX         65535u   /* no UDP payload is longer */
#define RTP_SEQ_MOD         65536u

/*
 * RFC 3550 A.1's parameters, its "typical values": misordering of up to
 * 2 s and a dropout of up to 1 min at 50 packets a second; a jump beyond
 * either is taken for a restarted source only when the next packet
 * follows it (the resync).
 */
#define RTP_MAX_DROPOUT     3000u
#define RTP_MAX_MISORDER    100u
#define RTP_MIN_SEQUENTIAL  2u
/* rtp_rx_update()'s SSRC change relies on a probation of 2 or more */
_Static_assert(RTP_MIN_SEQUENTIAL >= 2, "RTP_MIN_SEQUENTIAL below 2");

/*
 * A.8's D beyond this many timestamp units counts as this many: it keeps
 * the jitter (kept ×16 in 32 bits) from overflowing. 2^27 units are 25
 * minutes at 90 kHz: a timestamp jump, not jitter.
 */
#define RTP_JITTER_D_MAX    (1u << 27)

#define RTCP_HDR_LEN        4u
#define RTCP_SR_LEN         28u      /* header, SSRC, sender info (§6.4.1) */
#define RTCP_RR_LEN         8u       /* header, SSRC (§6.4.2) */
#define RTCP_RB_LEN         24u      /* one report block */
#define RTCP_PT_MIN         192u     /* RFC 5761 §4: RTCP's packet types */
#define RTCP_PT_MAX         223u
#define RTCP_PT_SR          200u
#define RTCP_PT_RR          201u
#define RTCP_PT_SDES        202u
#define RTCP_PT_BYE         203u
#define RTCP_PT_APP         204u
#define RTCP_PT_RTPFB       205u     /* RFC 4585 §6.1: feedback, its media source SSRC */
#define RTCP_PT_PSFB        206u     /* at octets 8-11 */

/* rtcp_check() and srtcp_check() flags */
#define RTCP_REDUCED_SIZE   0x1u     /* RFC 5506: any packet type may come first */
/* srtcp_check(): RFC 7714 §9's order (the AEAD suites): the tag right
 * after the compound, then the E flag and index, then the MKI */
#define SRTCP_AEAD          0x2u

#define SRTCP_INDEX_LEN     4u       /* RFC 3711 §3.4: E flag and 31-bit index */
#define SRTCP_E_FLAG        0x80000000u
#define SRTCP_CLEAR_LEN     8u       /* the first header and SSRC are not encrypted */

/*
 * RFC 8285's header extension forms, by the extension's profile field:
 * one-byte elements (§4.2: ids 1-14, 1-16 octets of data, id 15 ends the
 * block) and two-byte elements (§4.3: 0x100 and 4 application bits; ids
 * 1-255, 0-255 octets). A padding octet is 0 in both (§4.1).
 */
#define RTP_EXT_ONE_BYTE        0xBEDEu
#define RTP_EXT_TWO_BYTE        0x1000u
#define RTP_EXT_TWO_BYTE_MASK   0xfff0u
#define RTP_EXT_ONE_BYTE_STOP   15u
#define RTP_EXT_ID_MAX          255u
/* rtp_ext_find() looks at this many elements at most: a one-byte block
 * has 14 ids, and a per-packet walk must stay bounded */
#define RTP_EXT_ELEMS_MAX       32u

enum rtp_err {
	RTP_OK = 0,
#define RTP_ERR(e, name, what) RTP_E_##e,
#include "rtp_errors.def"
#undef RTP_ERR
	RTP_E_COUNT
};

/* RFC 7983 §7 (which RFC 9443 keeps for TURN's 64-79): the first octet. */
enum rtp_demux {
	RTP_DEMUX_UNKNOWN = 0,  /* empty, or 4-15, 80-127, 192-255: drop */
	RTP_DEMUX_STUN,         /* 0-3 */
	RTP_DEMUX_ZRTP,         /* 16-19 */
	RTP_DEMUX_DTLS,         /* 20-63 */
	RTP_DEMUX_TURN,         /* 64-79: TURN ChannelData */
	RTP_DEMUX_RTP,          /* 128-191: RTP or RTCP (rtp_mux_is_rtcp() tells) */
	RTP_DEMUX_COUNT
};

/*
 * An RTP header as rtp_parse() or srtp_parse() found it. The payload is
 * buf[hdr_len .. hdr_len + payload_len): after the padding is taken off
 * (RTP), or before the trailer (SRTP: the payload, its padding included,
 * is still encrypted there).
 */
struct rtp_hdr {
	uint32_t ssrc;
	uint32_t ts;
	uint16_t seq;
	uint8_t pt;             /* 0-127 */
	uint8_t marker;         /* 0 or 1 */
	uint8_t cc;             /* CSRC count */
	uint8_t pad_len;        /* padding octets; 0 without P, and always for SRTP */
	bool ext;               /* X: a header extension follows the CSRCs */
	uint16_t ext_profile;   /* its first 16 bits: 0xBEDE (RFC 8285 one-byte), 0x100x (two-byte) */
	uint16_t ext_len;       /* its data in octets, after its own 4-octet header */
	uint16_t hdr_len;       /* 12 + 4 CC (+ 4 + ext_len): where the payload starts */
	uint16_t payload_len;
};

/*
 * rtp_rx_update()'s verdict on one packet. The first four are "valid" in
 * A.1's sense (counted in A.3's received, used for jitter): RTP_SEQ_VALID().
 */
enum rtp_seq {
	RTP_SEQ_OK = 0,         /* in order, a gap below RTP_MAX_DROPOUT allowed */
	RTP_SEQ_LATE,           /* a duplicate, or reordered by less than RTP_MAX_MISORDER */
	RTP_SEQ_RESYNC,         /* follows a jump: the source restarted, statistics too */
	RTP_SEQ_SSRC,           /* the stream changed SSRC; the new one's first valid packet */
	RTP_SEQ_PROBATION,      /* a new source, not yet RTP_MIN_SEQUENTIAL in sequence */
	RTP_SEQ_JUMP,           /* a jump beyond the bounds: not counted, remembered */
	RTP_SEQ_OTHER,          /* another SSRC than the one followed: counted apart */
	RTP_SEQ_COUNT
};
#define RTP_SEQ_VALID(v)    ((v) < RTP_SEQ_PROBATION)

/* struct rtp_rx flags */
#define RTP_RX_F_STARTED    0x01u   /* a packet was seen: ssrc is the one followed */
#define RTP_RX_F_TRANSIT    0x02u   /* transit holds the last valid packet's */
#define RTP_RX_F_BAD        0x04u   /* bad_seq holds the packet after a jump */
#define RTP_RX_F_CAND       0x08u   /* cand_* hold a packet of another SSRC */

/*
 * One received stream's statistics (RFC 3550 A.1, A.3, A.8), updated per
 * packet by rtp_rx_update(). All zero (rtp_rx_init()) is "nothing seen".
 * The first 64 octets are what an in-order packet touches.
 *
 * One SSRC is followed at a time. Packets of another are counted (pkts,
 * octets, other) and otherwise left out, so that an interleaved second
 * source (RFC 4588 retransmission, say) does not restart the statistics
 * on every packet; the stream moves to a new SSRC when two packets of it
 * arrive in sequence with none of the followed one between (an SSRC
 * change on re-INVITE, a source switched behind an SBC).
 *
 * An epoch is the life of one followed source from its validation to a
 * resync or an SSRC change; lost and expected are kept over all epochs.
 */
struct rtp_rx {
	uint64_t pkts;             /* every packet given to rtp_rx_update() */
	uint64_t octets;           /* the octets the caller counted for them */
	uint32_t ssrc;             /* the SSRC followed */
	uint32_t cycles;           /* A.1: sequence wraps, shifted (a multiple of 65536) */
	uint32_t received;         /* A.1: valid packets this epoch */
	uint32_t transit;          /* A.8: the last valid packet's arrival - timestamp */
	uint32_t jitter;           /* A.8: ×16, in timestamp units */
	uint16_t max_seq;          /* A.1: the highest sequence number seen */
	uint16_t base_seq;         /* A.1: the epoch's first */
	uint16_t bad_seq;          /* A.1: the packet after a jump + 1 (with RTP_RX_F_BAD) */
	uint8_t probation;         /* A.1: packets in sequence still needed */
	uint8_t flags;             /* RTP_RX_F_* */
	uint32_t expected_prior;   /* A.3: at the last rtp_rx_report() */
	uint32_t received_prior;
	int32_t lost_prev;         /* lost in the epochs before this one */
	uint32_t expected_prev;    /* expected in the epochs before this one */
	/* not touched by an in-order packet of the followed SSRC */
	uint32_t cand_ssrc;        /* another SSRC's last packet (with RTP_RX_F_CAND) */
	uint16_t cand_seq;
	uint16_t restarts;         /* resyncs and SSRC changes (saturates) */
	uint32_t other;            /* packets of an SSRC not followed */
};

/* What a receiver report block would say of the stream (A.3, A.8). */
struct rtp_rx_report {
	uint32_t ext_max_seq;      /* the extended highest sequence number received */
	uint32_t expected;         /* packets expected this epoch */
	int32_t lost;              /* cumulative this epoch, clamped to 24 bits signed */
	uint8_t fraction;          /* lost since the last report, in 256ths */
	uint32_t jitter;           /* timestamp units */
};

/* A stream we send: what RFC 3550's SR and H.248's rtp/ps, nt/os count. */
struct rtp_tx {
	uint64_t pkts;
	uint64_t octets;
};

/* RFC 3711 §3.3.1: a receiver's rollover counter and highest sequence. */
struct srtp_roc {
	uint32_t roc;
	uint16_t s_l;
};

/* What rtcp_check() saw of a valid compound. */
struct rtcp_info {
	uint16_t npkts;
	uint16_t nsr;
	uint16_t nrr;
	uint16_t nbye;
	uint8_t first_pt;
	uint8_t pad_len;           /* the last packet's padding, 0 if none */
};

/* One packet of a compound, as rtcp_iter_next() gives it. */
struct rtcp_pkt {
	const uint8_t *p;          /* its header */
	uint16_t len;              /* octets from the header on, padding excluded */
	uint8_t pt;
	uint8_t count;             /* the header's 5-bit RC, SC or FMT */
	uint8_t pad_len;
	uint32_t ssrc;             /* octets 4-7 (the sender's SSRC) when len >= 8, else 0 */
};

struct rtcp_iter {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

/* An SR's sender information (RFC 3550 §6.4.1). */
struct rtcp_sender {
	uint32_t ssrc;
	uint32_t ntp_sec;
	uint32_t ntp_frac;
	uint32_t rtp_ts;
	uint32_t packets;          /* the sender's packet count */
	uint32_t octets;           /* the sender's payload octet count */
};

/* One report block of an SR or RR (RFC 3550 §6.4.1). */
struct rtcp_block {
	uint32_t ssrc;             /* the source it reports on */
	uint8_t fraction;          /* lost since the previous report, in 256ths */
	int32_t lost;              /* cumulative, 24 bits sign-extended */
	uint32_t ext_max_seq;
	uint32_t jitter;           /* timestamp units */
	uint32_t lsr;              /* middle 32 bits of the last SR's NTP time, 0 if none */
	uint32_t dlsr;             /* delay since it, 1/65536 s */
};

/* What srtcp_check() read of an SRTCP packet's trailer. */
struct srtcp_info {
	bool encrypted;            /* the E flag */
	uint32_t index;            /* the 31-bit SRTCP index */
	uint16_t rtcp_len;         /* the compound's octets, before the trailer */
};

#endif /* TP_RTP_TYPES_H */
