/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stream framing for TURN over TCP and TLS (RFC 8656 §12.5, RFC 6062 §4):
 * the first byte of each frame tells a STUN message (top bits 00, length
 * in the header, always a multiple of 4) from ChannelData (top bits 01,
 * RFC 7983; length in the header, padded to 4 on streams), the rule
 * stun_frame.h states for dp's deframer too. Bytes are
 * copied into a caller-owned buffer whose size bounds the largest frame,
 * so a hostile peer cannot make us hold more than that.
 */
#include <errno.h>
#include <string.h>

#include "stun.h"
#include "tp_common.h"

void
stun_deframer_init(struct stun_deframer *d, uint8_t *buf, size_t cap)
{
	d->buf = buf;
	d->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	d->head = 0;
	d->tail = 0;
	d->err = 0;
	d->err_offset = 0;
	d->consumed = 0;
}

size_t
stun_deframer_feed(struct stun_deframer *d, const uint8_t *data, size_t len)
{
	size_t room;

	if (d->err)
		return 0;
	if (d->head > 0 && (size_t)(d->cap - d->tail) < len) {
		memmove(d->buf, d->buf + d->head, d->tail - d->head);
		d->tail -= d->head;
		d->head = 0;
	}
	room = d->cap - d->tail;
	if (len > room)
		len = room;
	if (len > 0)
		memcpy(d->buf + d->tail, data, len);
	d->tail += (uint32_t)len;
	return len;
}

static int
stream_error(struct stun_deframer *d, int err)
{
	d->err = err;
	d->err_offset = (uint32_t)d->consumed;
	return err;
}

int
stun_deframer_next(struct stun_deframer *d, struct stun_frame *f)
{
	const uint8_t *p;
	uint32_t avail = d->tail - d->head;
	uint32_t len, wire;
	enum stun_frame_kind kind;

	if (d->err)
		return d->err;
	if (avail == 0) {
		d->head = d->tail = 0;
		return 0;
	}
	p = d->buf + d->head;
	kind = stun_demux_first_byte(p[0]);
	switch (kind) {
	case STUN_FRAME_STUN:
		/* Judge nothing before the cookie is in, so that the verdict
		 * on bad bytes does not depend on how the stream was cut. */
		if (avail < 8)
			return 0;
		if (tp_rd32(p + 4) != STUN_MAGIC_COOKIE)
			return stream_error(d, -EBADMSG);
		break;
	case STUN_FRAME_CHDATA:
		if (avail < CHDATA_HDR_LEN)
			return 0;
		break;
	default:
		return stream_error(d, -EBADMSG);
	}
	/* 0: a STUN length that is not a multiple of 4 (RFC 8489 §5) */
	wire = stun_frame_len(p, &len);
	if (wire == 0)
		return stream_error(d, -EBADMSG);
	f->kind = kind;
	if (wire > d->cap)
		return stream_error(d, -EMSGSIZE);
	if (avail < wire)
		return 0;
	f->data = p;
	f->len = len;
	f->wire_len = wire;
	d->head += wire;
	d->consumed += wire;
	return 1;
}
