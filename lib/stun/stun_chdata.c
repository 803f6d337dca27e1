/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ChannelData messages (RFC 8656 §12.4–§12.6): a 4-byte header (channel
 * number, length) and the application data. Over UDP the datagram may
 * carry up to 3 pad bytes after the data (pion pads, coturn tolerates it);
 * over stream transports the frame is always padded to 4.
 */
#include <errno.h>
#include <string.h>

#include "stun.h"

int
chdata_decode(const uint8_t *buf, size_t len, struct chdata *out)
{
	uint16_t ch, dlen;

	if (len < CHDATA_HDR_LEN)
		return -EBADMSG;
	ch = (uint16_t)((buf[0] << 8) | buf[1]);
	dlen = (uint16_t)((buf[2] << 8) | buf[3]);
	if (ch < CHDATA_CHANNEL_MIN || ch > CHDATA_FRAMED_MAX)
		return -EBADMSG;
	/* §12.6: shorter than 4 + Length is discarded; we also refuse more
	 * than the 3 bytes that padding can explain. */
	if (len < CHDATA_HDR_LEN + (size_t)dlen ||
	    len - CHDATA_HDR_LEN - dlen > 3)
		return -EBADMSG;
	out->channel = ch;
	out->len = dlen;
	out->data = buf + CHDATA_HDR_LEN;
	return 0;
}

size_t
chdata_encode_hdr(uint8_t *buf, uint16_t channel, uint16_t len, bool pad)
{
	size_t total = CHDATA_HDR_LEN + (size_t)len;

	buf[0] = (uint8_t)(channel >> 8);
	buf[1] = (uint8_t)channel;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	if (pad) {
		size_t padded = (total + 3u) & ~(size_t)3u;

		memset(buf + total, 0, padded - total);
		total = padded;
	}
	return total;
}
