/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rtp: RTP, RTCP and SRTP as a media relay needs them, without the
 * payloads and without the crypto (libsrtp2's).
 *
 * Per packet, inline (rtp_inlines.h, included here):
 *   rtp_demux()        RFC 7983: STUN, ZRTP, DTLS, TURN, RTP/RTCP, unknown
 *   rtp_mux_is_rtcp()  RFC 5761 §4: RTCP on an rtcp-mux port
 *   rtp_parse()        RFC 3550 §5.1, A.1: an RTP header holds together
 *   srtp_parse()       the same for SRTP, with room for its trailer
 *   rtp_rx_update()    RFC 3550 A.1, A.8: a received stream's statistics
 *   rtp_tx_count()     a sent stream's
 *   srtp_roc_guess()   RFC 3711 §3.3.1: the index of an SRTP packet
 * Per RTCP packet and per report (here):
 *   rtcp_check()       RFC 3550 §6.1, A.2 (and RFC 5506): a compound
 *   srtcp_check()      RFC 3711 §3.4: an SRTCP packet before decryption
 *   rtcp_iter_next(), rtcp_sr_read(), rtcp_block_read(): what it says
 * Per packet, where a caller needs one element (rtp_ext.c):
 *   rtp_ext_find()     RFC 8285 §4.2, §4.3: a header extension element
 *   rtp_rx_report()    RFC 3550 A.3: a report block's figures
 *   rtp_rx_*(), rtp_tx_*(): totals for H.248's rtp and nt statistics
 * Pure: no allocation, no global state, no EAL; safe on any input of
 * the stated length. FEATURE.md has what is checked and what is not.
 */
#ifndef TP_RTP_H
#define TP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp_types.h"
#include "rtp_inlines.h"

/* "short" etc. (a stable name for counters and logs), and a sentence on
 * what the code means; NULL when e is not a code (RTP_OK is "ok"). */
const char *rtp_err_name(enum rtp_err e);
const char *rtp_err_help(enum rtp_err e);
/* "stun", "rtp" ...; NULL when d is not a class. */
const char *rtp_demux_name(enum rtp_demux d);
/* "ok", "late", "probation" ...; NULL when v is not a verdict. */
const char *rtp_seq_name(enum rtp_seq v);

/* ---- RFC 8285 header extension elements ------------------------------- */

/*
 * The data of element id in the header extension of the packet buf, whose
 * header h is rtp_parse()'s or srtp_parse()'s of that buf (the block is
 * the h->ext_len octets before h->hdr_len; SRTP leaves it in the clear).
 * RFC 8285 §4.2's one-byte form (profile 0xBEDE: ids 1-14, L + 1 octets,
 * id 15 ends the block) and §4.3's two-byte form (0x100X: ids 1-255, L
 * octets, L may be 0); padding octets (0) anywhere are skipped (§4.1).
 * The walk stops at the first element of that id: the elements after it
 * are not looked at.
 *
 * Returns 1 with *val (pointing into buf, not owned) and *val_len; 0 with
 * *val NULL when the packet has no such element (no extension, a profile
 * that is neither form, an id 15 before it, a one-byte block sought for
 * an id above 14); -EBADMSG when the block does not hold together before
 * it (an element or a two-byte element's header running past the block,
 * a one-byte header of id 0 with a length, which is neither padding nor
 * an element); -E2BIG when more than RTP_EXT_ELEMS_MAX elements come
 * before it; -EINVAL when id is not 1-255. Pure, bounded by the block.
 */
int rtp_ext_find(const uint8_t *buf, const struct rtp_hdr *h, unsigned int id,
		 const uint8_t **val, size_t *val_len);

/* ---- RTCP ------------------------------------------------------------- */

/*
 * A compound RTCP packet buf[0..len) (a UDP payload, or an SRTCP packet's
 * compound once decrypted and its trailer taken off): RFC 3550 §6.1 and
 * A.2. Every packet version 2, its type in 192-223, its length within
 * what is left, the lengths adding up to len; the first an SR or RR
 * unless flags has RTCP_REDUCED_SIZE (RFC 5506); padding (P) only on the
 * last, its count (the last octet) at least 1 and within that packet's
 * body; an SR, RR or BYE long enough for the count in its header.
 * RTP_OK with *info (if not NULL) filled, or the first refusal.
 */
enum rtp_err rtcp_check(const uint8_t *buf, size_t len, unsigned int flags,
			struct rtcp_info *info);

/*
 * An SRTCP packet (RFC 3711 §3.4) as it arrives: its clear part (the
 * first header and SSRC), room for the trailer (srtcp_trailer_len() of
 * tag_len and mki_len: the E flag and index, then the MKI and the tag;
 * with SRTCP_AEAD in flags, RFC 7714 §9's tag, then the E flag and index,
 * then the MKI), and the compound's length a multiple of 4. With
 * the E flag clear the compound is not encrypted and rtcp_check() judges
 * all of it; with E set only the first packet's header is readable: its
 * version, type (as rtcp_check() with flags), length within the
 * compound, padding only if it is the whole compound, and an SR's or
 * RR's count. *out (if not NULL) has the E flag, the index and the
 * compound's length.
 */
enum rtp_err srtcp_check(const uint8_t *buf, size_t len, unsigned int tag_len,
			 unsigned int mki_len, unsigned int flags, struct srtcp_info *out);

/* Walk the packets of a compound (checked by rtcp_check(), or not: the
 * walk stops at the first header that does not hold together). */
void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len);
/* The next packet into *pk; false at the end or at a packet that runs
 * past the compound or is not version 2. */
bool rtcp_iter_next(struct rtcp_iter *it, struct rtcp_pkt *pk);

/* An SR's sender information; false if pk is not an SR or too short. */
bool rtcp_sr_read(const struct rtcp_pkt *pk, struct rtcp_sender *s);
/* Report block i of an SR or RR; false if there is no such block. */
bool rtcp_block_read(const struct rtcp_pkt *pk, unsigned int i, struct rtcp_block *b);

/* The middle 32 bits of a 64-bit NTP time: what LSR carries. */
uint32_t rtcp_ntp_mid32(uint32_t ntp_sec, uint32_t ntp_frac);

/*
 * RFC 3550 §6.4.1's round-trip time A - LSR - DLSR in 1/65536 s, from
 * a report block's lsr and dlsr and its arrival time a in the same
 * 32-bit NTP format and on the clock that stamped the SR (for a relay:
 * the SR's mid32 plus the time since it passed, on the relay's clock).
 * false when there is none: lsr 0 (no SR received), or a DLSR longer
 * than the time since the SR (clocks that disagree).
 */
bool rtcp_rtt(uint32_t a, uint32_t lsr, uint32_t dlsr, uint32_t *rtt);

/* ---- statistics ------------------------------------------------------- */

/*
 * RFC 3550 A.3 and A.8: what a receiver report block would carry for the
 * stream, and the start of a new report interval (the fraction lost is
 * since the previous call). All zero while no source is valid yet.
 */
void rtp_rx_report(struct rtp_rx *st, struct rtp_rx_report *r);

/* Totals over the stream's life, for H.248.1 E.12's rtp/pr, rtp/pl,
 * rtp/jit and nt/or (read-only: a reader elsewhere may call them on a
 * snapshot). */
uint64_t rtp_rx_packets(const struct rtp_rx *st);       /* every packet */
uint64_t rtp_rx_octets(const struct rtp_rx *st);
/* expected - received summed over the epochs (negative with duplicates) */
int64_t rtp_rx_lost(const struct rtp_rx *st);
uint64_t rtp_rx_expected(const struct rtp_rx *st);
/* A.8's interarrival jitter in timestamp units, and in microseconds at
 * clock_hz timestamp units a second (0 if clock_hz is 0). */
uint32_t rtp_rx_jitter(const struct rtp_rx *st);
uint32_t rtp_rx_jitter_us(const struct rtp_rx *st, uint32_t clock_hz);

/* rtp/ps and nt/os. */
uint64_t rtp_tx_packets(const struct rtp_tx *tx);
uint64_t rtp_tx_octets(const struct rtp_tx *tx);

#endif /* TP_RTP_H */
