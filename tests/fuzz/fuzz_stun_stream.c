/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the stream deframer of TURN over TCP/TLS
 * (RFC 8656 §12.5, RFC 6062) under arbitrary bytes and segmentation.
 *
 * Input layout: byte 0 picks the deframer's buffer size (low 3 bits) and
 * how the rest is cut into segments (high 5 bits); bytes 1.. are the
 * stream. We feed segment by segment, draining with stun_deframer_next()
 * after each, and hold the deframer to its contract:
 *   - a frame lies inside the buffer, len <= wire_len <= cap, and the
 *     stream padding is at most 3 bytes (none for STUN, up to a multiple
 *     of 4 for ChannelData);
 *   - the frame's length agrees with its own header;
 *   - consumed counts exactly the wire bytes handed out, and fed bytes
 *     are either consumed or pending;
 *   - after draining, feed makes progress unless the stream is in error;
 *   - errors are -EBADMSG or -EMSGSIZE and sticky: every later next()
 *     returns the same error and feed() takes nothing;
 *   - the frames, and whether the stream ends in error, do not depend on
 *     the segmentation: a second pass feeds the whole stream at once (or
 *     byte by byte, when the first pass did it whole) and must agree.
 * Each STUN frame is copied to a buffer of exactly its size and parsed
 * (it may fail, it must not crash); each ChannelData frame must decode.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stun.h"
#include "tp_common.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small sizes make -EMSGSIZE reachable; 1500 is a typical MTU. */
static const uint32_t buf_sizes[8] = {
	64, 100, 128, 256, 512, 1024, 1500, 4096,
};

static volatile uint32_t sink;

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Segment sizes: whole stream, byte by byte, fixed, or pseudo-random. */
struct chunker {
	unsigned mode;
	unsigned param;
	uint32_t state;
};

static size_t
chunk_next(struct chunker *c, size_t left)
{
	size_t n;

	switch (c->mode) {
	case 0:
		n = left;
		break;
	case 1:
		n = 1;
		break;
	case 2:
		n = (size_t)c->param * 7u + 2u;   /* 2..51: straddles headers */
		break;
	default:
		/* xorshift32: segments of 1..256 bytes, reproducible. */
		c->state ^= c->state << 13;
		c->state ^= c->state >> 17;
		c->state ^= c->state << 5;
		n = 1 + (c->state & 0xffu);
		break;
	}
	return n < left ? n : left;
}

static void
check_frame(const struct stun_deframer *d, const struct stun_frame *f)
{
	struct stun_msg m;
	struct stun_parse_error perr;
	struct chdata cd;
	uint8_t *copy;

	CHECK(f->data >= d->buf && f->data + f->len <= d->buf + d->cap);
	CHECK(f->len <= f->wire_len);
	CHECK(f->wire_len - f->len <= 3);
	CHECK(f->wire_len <= d->cap);

	switch (f->kind) {
	case STUN_FRAME_STUN:
		CHECK(f->len >= STUN_HDR_LEN);
		CHECK(f->len == STUN_HDR_LEN + rd16(f->data + 2));
		/* STUN lengths are multiples of 4: never any stream padding. */
		CHECK(f->wire_len == f->len);
		copy = malloc(f->len);
		CHECK(copy != NULL);
		memcpy(copy, f->data, f->len);
		if (stun_msg_parse(&m, copy, f->len, &perr) == 0)
			sink += m.nattrs + m.method;
		free(copy);
		break;
	case STUN_FRAME_CHDATA:
		CHECK(f->len >= CHDATA_HDR_LEN);
		CHECK(f->len == CHDATA_HDR_LEN + rd16(f->data + 2));
		CHECK(rd16(f->data) >= CHDATA_CHANNEL_MIN &&
		      rd16(f->data) <= CHDATA_FRAMED_MAX);
		/* RFC 8656 §12.5: padded to a multiple of 4 on streams. */
		CHECK(f->wire_len == ((f->len + 3u) & ~3u));
		copy = malloc(f->len);
		CHECK(copy != NULL);
		memcpy(copy, f->data, f->len);
		CHECK(chdata_decode(copy, f->len, &cd) == 0);
		CHECK(cd.len == f->len - CHDATA_HDR_LEN);
		sink += cd.channel;
		free(copy);
		break;
	default:
		CHECK(!"unknown frame kind");
	}
}

/* After an error the deframer is dead: same error forever, no input. */
static void
check_sticky(struct stun_deframer *d, int err, const uint8_t *rest,
	     size_t left)
{
	static const uint8_t more[2] = { 0x00, 0x01 };
	struct stun_frame f;
	uint32_t pending = stun_deframer_pending(d);
	uint64_t consumed = d->consumed;

	CHECK(err == -EBADMSG || err == -EMSGSIZE);
	CHECK(d->err == err);
	for (int i = 0; i < 3; i++) {
		CHECK(stun_deframer_next(d, &f) == err);
		if (left > 0)
			CHECK(stun_deframer_feed(d, rest, left) == 0);
		CHECK(stun_deframer_feed(d, more, sizeof(more)) == 0);
	}
	CHECK(stun_deframer_pending(d) == pending);
	CHECK(d->consumed == consumed);
}

/* What one pass over the stream produced, to compare two segmentations. */
struct frame_rec {
	uint8_t kind;
	uint32_t len;
	uint32_t wire_len;
	uint32_t hash;
};

struct frame_log {
	struct frame_rec *recs;
	size_t n, max;
	int err;
};

static uint32_t
fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* One pass: feed stream[0..size) in the chunker's segments, draining after
 * each, checking every invariant on the way. */
static void
run_stream(const uint8_t *stream, size_t size, uint32_t cap,
	   struct chunker *ch, struct frame_log *log)
{
	struct stun_deframer d;
	struct stun_frame f;
	uint8_t *buf;
	uint64_t fed = 0, handed = 0;
	size_t off = 0;
	int r = 0;

	/* Exactly cap bytes, so ASan catches a write past the buffer. */
	buf = malloc(cap);
	CHECK(buf != NULL);
	stun_deframer_init(&d, buf, cap);
	CHECK(stun_deframer_pending(&d) == 0 && d.err == 0);

	while (off < size) {
		size_t want = chunk_next(ch, size - off);
		size_t took = stun_deframer_feed(&d, stream + off, want);

		CHECK(took <= want);
		if (took == 0) {
			/* Drained and not in error, yet no room: the stream
			 * would stall forever. Only an error may say so. */
			r = stun_deframer_next(&d, &f);
			CHECK(r < 0);
			check_sticky(&d, r, stream + off, size - off);
			break;
		}
		off += took;
		fed += took;

		while ((r = stun_deframer_next(&d, &f)) == 1) {
			check_frame(&d, &f);
			handed += f.wire_len;
			/* A frame takes at least 4 wire bytes. */
			CHECK(log->n < log->max);
			log->recs[log->n].kind = (uint8_t)f.kind;
			log->recs[log->n].len = f.len;
			log->recs[log->n].wire_len = f.wire_len;
			log->recs[log->n].hash = fnv1a(f.data, f.len);
			log->n++;
		}
		if (r < 0) {
			check_sticky(&d, r, stream + off, size - off);
			break;
		}
		CHECK(r == 0);
		CHECK(d.consumed == handed);
		CHECK(fed == handed + stun_deframer_pending(&d));
	}
	CHECK(d.consumed == handed);
	log->err = r < 0 ? r : 0;
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunker ch, ref;
	struct frame_log a, b;
	uint32_t cap;

	if (size < 1)
		return 0;
	cap = buf_sizes[data[0] & 7u];
	ch.mode = (data[0] >> 3) & 3u;
	ch.param = data[0] >> 5;
	ch.state = 0x9e3779b9u ^ data[0];
	/* The reference pass: whole stream at once, or byte by byte when
	 * the chosen pattern already is "whole". */
	ref.mode = ch.mode == 0 ? 1 : 0;
	ref.param = 0;
	ref.state = 1;

	a.max = b.max = size / 4 + 1;
	a.n = b.n = 0;
	a.recs = calloc(a.max, sizeof(*a.recs));
	b.recs = calloc(b.max, sizeof(*b.recs));
	CHECK(a.recs != NULL && b.recs != NULL);

	run_stream(data + 1, size - 1, cap, &ch, &a);
	run_stream(data + 1, size - 1, cap, &ref, &b);

	/* Resumable at any segment boundary: the frames do not depend on
	 * how the stream was cut, nor does whether it ends in an error.
	 * (Which error may differ: a bad STUN cookie is seen only once 8
	 * bytes are in, an oversized length after 4.) */
	CHECK(a.n == b.n);
	for (size_t i = 0; i < a.n; i++) {
		CHECK(a.recs[i].kind == b.recs[i].kind);
		CHECK(a.recs[i].len == b.recs[i].len);
		CHECK(a.recs[i].wire_len == b.recs[i].wire_len);
		CHECK(a.recs[i].hash == b.recs[i].hash);
	}
	CHECK((a.err != 0) == (b.err != 0));

	free(a.recs);
	free(b.recs);
	return 0;
}
