/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What comes over TURN's port, told from its first bytes: the RFC 7983
 * first-byte test, and the length of a frame on a stream transport (RFC
 * 8656 §12.5, RFC 6062 §4). The one statement of both rules, for lib/stun's
 * deframer and for dp's fast path (the UDP demux, the mbuf deframer of
 * TURN over TCP and TLS): static inlines, no state, reads no byte past
 * those it is given.
 */
#ifndef STUN_FRAME_H
#define STUN_FRAME_H

#include <stdint.h>

#include "stun_types.h"
#include "tp_common.h"

/*
 * RFC 7983 §7 (RFC 8656 §12, Table 3) as TURN's port sees it, by the top
 * two bits of the first byte: 00 STUN, 01 ChannelData, anything else
 * (RTP/RTCP's 128..191, ...) is not ours. RFC 7983 narrows STUN to 0..3
 * and gives 20..63 to DTLS, which never comes to TURN's own port; taking
 * 0..63 as STUN leaves such bytes to the STUN checks that follow (first
 * bits, cookie, length). ChannelData is 64..127, channels 0x4000..0x7FFF
 * (CHDATA_FRAMED_MAX, wider than RFC 7983's 64..79: see stun_types.h).
 */
static inline enum stun_frame_kind
stun_demux_first_byte(uint8_t b)
{
	/* (a switch on the masked bits: a caller's "== STUN_FRAME_CHDATA"
	 * then compiles to the one mask and compare it would write by hand,
	 * where two ifs leave GCC 12 a redundant second test) */
	switch (b & 0xc0u) {
	case 0x00u:
		return STUN_FRAME_STUN;
	case 0x40u:
		return STUN_FRAME_CHDATA;
	default:
		return STUN_FRAME_NONE;
	}
}

/*
 * The bytes a frame takes on a stream, from its first four h[0..3] (the
 * caller has them all), and in *msg_len the message's own length: a STUN
 * message's 20-byte header plus its length field; ChannelData's 4-byte
 * header plus its length field, the padding to 4 that streams add left out
 * (RFC 8656 §12.5). Returns 0, *msg_len untouched, when the bytes start no
 * frame: a first byte neither STUN nor ChannelData, or a STUN length that
 * is not a multiple of 4 (RFC 8489 §5). Every frame is at least 4 bytes,
 * so 0 is never a length; the magic cookie (bytes 4..7) is the caller's to
 * check.
 */
static inline uint32_t
stun_frame_len(const uint8_t *h, uint32_t *msg_len)
{
	uint32_t len = tp_rd16(h + 2);

	switch (stun_demux_first_byte(h[0])) {
	case STUN_FRAME_STUN:
		if (len % 4u != 0)
			return 0;
		*msg_len = STUN_HDR_LEN + len;
		return STUN_HDR_LEN + len;
	case STUN_FRAME_CHDATA:
		*msg_len = CHDATA_HDR_LEN + len;
		return CHDATA_HDR_LEN + ((len + 3u) & ~3u);
	default:
		return 0;
	}
}

#endif /* STUN_FRAME_H */
