/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8285's header extension elements: finding one element by its local
 * identifier in an RTP or SRTP packet's extension block, in the one-byte
 * form (§4.2, profile 0xBEDE) or the two-byte form (§4.3, 0x100 and four
 * application bits). What a BUNDLE demultiplexer needs to read the MID
 * (RFC 9143's urn:ietf:params:rtp-hdrext:sdes:mid) of a packet whose
 * SSRC it has not learnt; nothing here knows what an element means. The
 * extension block stays in the clear under SRTP (RFC 3711 §3.1), so this
 * reads an SRTP packet as it arrives.
 */
#include <errno.h>

#include "rtp.h"

int
rtp_ext_find(const uint8_t *buf, const struct rtp_hdr *h, unsigned int id,
	     const uint8_t **val, size_t *val_len)
{
	const uint8_t *p, *end;
	unsigned int elems = 0;
	bool one;

	*val = NULL;
	*val_len = 0;
	if (id < 1 || id > RTP_EXT_ID_MAX)
		return -EINVAL;
	if (!h->ext)
		return 0;
	if (h->ext_profile == RTP_EXT_ONE_BYTE)
		one = true;
	else if ((h->ext_profile & RTP_EXT_TWO_BYTE_MASK) == RTP_EXT_TWO_BYTE)
		one = false;
	else
		return 0;       /* another profile's extension: no elements */
	/* the block's data ends where the payload starts (rtp_parse()) */
	end = buf + h->hdr_len;
	p = end - h->ext_len;
	while (p < end) {
		unsigned int eid, elen;

		/* §4.1: a padding octet (0) is skipped, wherever it is */
		if (*p == 0) {
			p++;
			continue;
		}
		if (one) {
			eid = *p >> 4;
			/* §4.2: id 15 ends the block, its length not read */
			if (eid == RTP_EXT_ONE_BYTE_STOP)
				return 0;
			/* id 0 with a length is neither padding nor an element */
			if (eid == 0)
				return -EBADMSG;
			elen = (*p & 0x0fu) + 1u;  /* §4.2: L is the octets minus one */
			p++;
		} else {
			/* §4.3: id (1-255, 0 was padding) and length (0-255) */
			if (end - p < 2)
				return -EBADMSG;
			eid = p[0];
			elen = p[1];
			p += 2;
		}
		if ((size_t)(end - p) < elen)
			return -EBADMSG;
		if (++elems > RTP_EXT_ELEMS_MAX)
			return -E2BIG;
		if (eid == id) {
			*val = p;
			*val_len = elen;
			return 1;
		}
		p += elen;
	}
	return 0;
}
