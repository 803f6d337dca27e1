/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ChannelData encoding and decoding (lib/stun/stun_chdata.c,
 * RFC 8656 §12.4–§12.6) and of the stream deframer (stun_stream.c) that
 * splits a TCP/TLS byte stream into STUN messages and padded ChannelData
 * frames (RFC 8656 §12.5, RFC 6062).
 *
 * The deframer is fed one fixed stream of mixed frames cut in every
 * possible way: whole, at every split point, byte by byte, in random
 * chunks (fixed seed) and through a buffer barely larger than the largest
 * frame; every run must yield the identical frame list. Input pieces are
 * exactly-sized heap copies so that ASan reports any over-read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stun.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PAD4(n) (((n) + 3u) & ~3u)

/* A heap copy of exactly len bytes. */
static uint8_t *
dup_exact(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len);

	if (len > 0) {
		assert_non_null(p);
		memcpy(p, src, len);
	}
	return p;
}

/* ---- ChannelData --------------------------------------------------------- */

/* Write a ChannelData frame by hand: header, len data bytes, extra bytes. */
static size_t
make_chdata(uint8_t *buf, uint16_t channel, uint16_t len, size_t extra)
{
	buf[0] = (uint8_t)(channel >> 8);
	buf[1] = (uint8_t)channel;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	for (size_t i = 0; i < len; i++)
		buf[4 + i] = (uint8_t)(0x30 + i);
	for (size_t i = 0; i < extra; i++)
		buf[4 + len + i] = 0xee;
	return 4 + len + extra;
}

static int
decode_exact(const uint8_t *src, size_t len, struct chdata *out)
{
	uint8_t *p = dup_exact(src, len);
	int rc = chdata_decode(p, len, out);

	/* out->data must point into the datagram, right after the header */
	if (rc == 0 && out->data != p + 4)
		rc = -1000;
	free(p);
	return rc;
}

static void
test_chdata_decode_valid(void **state)
{
	uint8_t buf[64];
	struct chdata cd;
	size_t n;

	(void)state;
	n = make_chdata(buf, 0x4001, 5, 0);
	memset(&cd, 0, sizeof(cd));
	assert_int_equal(decode_exact(buf, n, &cd), 0);
	assert_int_equal(cd.channel, 0x4001);
	assert_int_equal(cd.len, 5);

	/* data is right after the header, read in place */
	memset(&cd, 0, sizeof(cd));
	assert_int_equal(chdata_decode(buf, n, &cd), 0);
	assert_ptr_equal(cd.data, buf + 4);
	assert_memory_equal(cd.data, "01234", 5);

	n = make_chdata(buf, 0x4fff, 40, 0);
	assert_int_equal(decode_exact(buf, n, &cd), 0);
	assert_int_equal(cd.channel, 0x4fff);
	assert_int_equal(cd.len, 40);
}

static void
test_chdata_decode_zero_length(void **state)
{
	uint8_t buf[16];
	struct chdata cd;
	size_t n;

	(void)state;
	n = make_chdata(buf, 0x4000, 0, 0);
	assert_int_equal(n, 4);
	memset(&cd, 0xff, sizeof(cd));
	assert_int_equal(decode_exact(buf, n, &cd), 0);
	assert_int_equal(cd.channel, 0x4000);
	assert_int_equal(cd.len, 0);
}

static void
test_chdata_decode_accepts_up_to_3_pad_bytes(void **state)
{
	static const uint16_t lens[] = { 0, 1, 3, 4, 5, 8 };
	uint8_t buf[64];
	struct chdata cd;

	(void)state;
	/* RFC 8656 §12.5: padding over UDP is allowed, not required. */
	for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
		for (size_t extra = 0; extra <= 3; extra++) {
			size_t n = make_chdata(buf, 0x4123, lens[i], extra);
			int rc = decode_exact(buf, n, &cd);

			if (rc != 0)
				fail_msg("len %u + %zu pad: rc %d", lens[i],
					 extra, rc);
			assert_int_equal(cd.len, lens[i]);
			assert_int_equal(cd.channel, 0x4123);
		}
	}
}

static void
test_chdata_decode_rejects_4_or_more_extra_bytes(void **state)
{
	static const uint16_t lens[] = { 0, 1, 4, 5 };
	uint8_t buf[64];
	struct chdata cd;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
		for (size_t extra = 4; extra <= 12; extra++) {
			size_t n = make_chdata(buf, 0x4123, lens[i], extra);
			int rc = decode_exact(buf, n, &cd);

			if (rc != -EBADMSG)
				fail_msg("len %u + %zu extra: rc %d, want "
					 "-EBADMSG", lens[i], extra, rc);
		}
	}
}

static void
test_chdata_decode_rejects_short(void **state)
{
	uint8_t buf[64];
	struct chdata cd;
	size_t n;

	(void)state;
	n = make_chdata(buf, 0x4001, 9, 0);
	/* Every cut: no full header, or fewer data bytes than Length. */
	for (size_t len = 0; len < n; len++) {
		int rc = decode_exact(buf, len, &cd);

		if (rc != -EBADMSG)
			fail_msg("%zu of %zu bytes: rc %d, want -EBADMSG", len,
				 n, rc);
	}
	/* Length 0xffff in a small datagram. */
	buf[2] = 0xff;
	buf[3] = 0xff;
	assert_int_equal(decode_exact(buf, n, &cd), -EBADMSG);
}

static void
test_chdata_decode_rejects_bad_channel(void **state)
{
	static const uint16_t bad[] = { 0x0000, 0x0001, 0x3fff, 0x8000,
					0xbfff, 0xffff };
	static const uint16_t framed[] = { 0x4000, 0x4fff, 0x5000, 0x7fff };
	uint8_t buf[64];
	struct chdata cd;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		size_t n = make_chdata(buf, bad[i], 4, 0);

		if (decode_exact(buf, n, &cd) != -EBADMSG)
			fail_msg("channel %#x accepted", bad[i]);
	}
	/* 0x5000..0x7FFF decode (the caller discards them, RFC 8656 §12). */
	for (size_t i = 0; i < ARRAY_LEN(framed); i++) {
		size_t n = make_chdata(buf, framed[i], 4, 0);

		assert_int_equal(decode_exact(buf, n, &cd), 0);
		assert_int_equal(cd.channel, framed[i]);
		assert_int_equal(chdata_channel_valid(framed[i]),
				 framed[i] <= 0x4fff);
	}
}

static void
test_chdata_encode_hdr(void **state)
{
	(void)state;
	for (uint16_t len = 0; len <= 9; len++) {
		uint8_t buf[32];
		struct chdata cd;
		size_t n;

		/* Unpadded (UDP): 4 + len. */
		memset(buf, 0xaa, sizeof(buf));
		n = chdata_encode_hdr(buf, 0x4abc, len, false);
		assert_int_equal(n, 4u + len);
		assert_int_equal(buf[0], 0x4a);
		assert_int_equal(buf[1], 0xbc);
		assert_int_equal(buf[2], 0);
		assert_int_equal(buf[3], len);

		/* Padded (streams): rounded up to 4, pad zeroed. */
		memset(buf, 0xaa, sizeof(buf));
		n = chdata_encode_hdr(buf, 0x4abc, len, true);
		assert_int_equal(n, PAD4(4u + len));
		assert_int_equal(buf[3], len);
		for (size_t i = 4u + len; i < n; i++)
			if (buf[i] != 0)
				fail_msg("len %u: pad byte %zu is %#x", len, i,
					 buf[i]);
		/* Nothing written beyond the frame. */
		assert_int_equal(buf[n], 0xaa);

		/* And it decodes back (padded form included). */
		assert_int_equal(decode_exact(buf, n, &cd), 0);
		assert_int_equal(cd.channel, 0x4abc);
		assert_int_equal(cd.len, len);
	}
	{
		uint8_t buf[8];

		assert_int_equal(chdata_encode_hdr(buf, 0x4000, 0xffff, false),
				 4u + 0xffffu);
		assert_int_equal(buf[2], 0xff);
		assert_int_equal(buf[3], 0xff);
	}
}

/* ---- the test stream ----------------------------------------------------- */

struct exp_frame {
	enum stun_frame_kind kind;
	uint32_t off;       /* in the stream */
	uint32_t len;
	uint32_t wire_len;
};

struct stream {
	uint8_t buf[8192];
	size_t n;
	struct exp_frame fr[64];
	size_t nfr;
	uint32_t largest;   /* largest wire_len */
};

static void
add_frame(struct stream *s, enum stun_frame_kind kind, size_t len,
	  size_t wire_len)
{
	struct exp_frame *e = &s->fr[s->nfr++];

	assert_true(s->nfr <= ARRAY_LEN(s->fr));
	e->kind = kind;
	e->off = (uint32_t)s->n;
	e->len = (uint32_t)len;
	e->wire_len = (uint32_t)wire_len;
	if (wire_len > s->largest)
		s->largest = (uint32_t)wire_len;
	s->n += wire_len;
}

/* A STUN message with a body of body_len bytes (one DATA attribute). */
static void
add_stun(struct stream *s, uint16_t type, uint16_t body_len, uint8_t seed)
{
	uint8_t *p = s->buf + s->n;

	assert_true(body_len % 4 == 0);
	assert_true(s->n + 20 + body_len <= sizeof(s->buf));
	p[0] = (uint8_t)(type >> 8);
	p[1] = (uint8_t)type;
	p[2] = (uint8_t)(body_len >> 8);
	p[3] = (uint8_t)body_len;
	p[4] = 0x21; p[5] = 0x12; p[6] = 0xa4; p[7] = 0x42;
	for (size_t i = 0; i < STUN_TID_LEN; i++)
		p[8 + i] = (uint8_t)(seed + i);
	if (body_len >= 4) {
		uint16_t dl = (uint16_t)(body_len - 4);

		p[20] = 0x00;
		p[21] = 0x13; /* DATA */
		p[22] = (uint8_t)(dl >> 8);
		p[23] = (uint8_t)dl;
		for (size_t i = 0; i < dl; i++)
			p[24 + i] = (uint8_t)(seed * 3 + i);
	}
	add_frame(s, STUN_FRAME_STUN, 20u + body_len, 20u + body_len);
}

/* A ChannelData frame padded to 4 as streams require; pad bytes are not
 * zero on purpose (their content must not matter). */
static void
add_chd(struct stream *s, uint16_t channel, uint16_t len, uint8_t seed)
{
	uint8_t *p = s->buf + s->n;
	size_t wire = PAD4(4u + len);

	assert_true(s->n + wire <= sizeof(s->buf));
	p[0] = (uint8_t)(channel >> 8);
	p[1] = (uint8_t)channel;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	for (size_t i = 0; i < len; i++)
		p[4 + i] = (uint8_t)(seed + 5 * i);
	for (size_t i = 4u + len; i < wire; i++)
		p[i] = 0xee;
	add_frame(s, STUN_FRAME_CHDATA, 4u + len, wire);
}

static void
make_stream(struct stream *s)
{
	memset(s, 0, sizeof(*s));
	add_stun(s, 0x0001, 0, 1);           /* bare Binding request */
	add_chd(s, 0x4000, 0, 2);
	add_chd(s, 0x4001, 1, 3);
	add_chd(s, 0x4002, 2, 4);
	add_stun(s, 0x0003, 88, 5);          /* Allocate request */
	add_chd(s, 0x4003, 3, 6);
	add_chd(s, 0x4004, 4, 7);
	add_chd(s, 0x4005, 5, 8);
	add_stun(s, 0x0017, 1200, 9);        /* Data indication, largest */
	add_chd(s, 0x4fff, 100, 10);
	add_chd(s, 0x4100, 1001, 11);
	add_stun(s, 0x0113, 4, 12);          /* Allocate error */
	add_chd(s, 0x7fff, 0, 13);           /* legacy range still framed */
	add_chd(s, 0x4006, 6, 14);
	add_chd(s, 0x4007, 7, 15);
	add_stun(s, 0x0016, 64, 16);         /* Send indication */
	add_chd(s, 0x4008, 2, 17);
	add_stun(s, 0x0101, 8, 18);          /* ends on a STUN message */
}

/* ---- feeding machinery --------------------------------------------------- */

struct run {
	const struct stream *s;
	size_t next;        /* index of the next expected frame */
	const char *label;
	size_t tag;         /* split point, seed, ... for messages */
};

static void
check_frame(struct run *r, const struct stun_frame *f)
{
	const struct exp_frame *e;

	if (r->next >= r->s->nfr)
		fail_msg("%s/%zu: extra frame (kind %d len %u)", r->label,
			 r->tag, f->kind, f->len);
	e = &r->s->fr[r->next];
	if (f->kind != e->kind || f->len != e->len ||
	    f->wire_len != e->wire_len)
		fail_msg("%s/%zu: frame %zu is kind %d len %u wire %u, want "
			 "kind %d len %u wire %u", r->label, r->tag, r->next,
			 f->kind, f->len, f->wire_len, e->kind, e->len,
			 e->wire_len);
	if (memcmp(f->data, r->s->buf + e->off, e->len) != 0)
		fail_msg("%s/%zu: frame %zu bytes differ", r->label, r->tag,
			 r->next);
	r->next++;
}

/* Take every complete frame; returns how many. */
static size_t
drain(struct stun_deframer *d, struct run *r)
{
	struct stun_frame f;
	size_t got = 0;
	int rc;

	while ((rc = stun_deframer_next(d, &f)) == 1) {
		check_frame(r, &f);
		got++;
	}
	if (rc != 0)
		fail_msg("%s/%zu: next returned %d after %zu frames", r->label,
			 r->tag, rc, r->next);
	return got;
}

/* Feed one piece (an exact heap copy), draining whenever it does not fit. */
static void
feed_piece(struct stun_deframer *d, struct run *r, const uint8_t *src,
	   size_t len)
{
	uint8_t *piece = dup_exact(src, len);
	size_t done = 0;

	while (done < len) {
		size_t took = stun_deframer_feed(d, piece + done, len - done);
		size_t got;

		if (took > len - done)
			fail_msg("%s/%zu: feed took %zu of %zu", r->label,
				 r->tag, took, len - done);
		done += took;
		got = drain(d, r);
		if (took == 0 && got == 0)
			fail_msg("%s/%zu: stuck: feed took 0, no frame, "
				 "%u pending", r->label, r->tag,
				 stun_deframer_pending(d));
	}
	free(piece);
}

typedef size_t (*chunker_fn)(void *ctx, size_t left);

/* Deframe the whole stream through a buffer of cap bytes, cut by fn. */
static void
deframe(const struct stream *s, size_t cap, chunker_fn fn, void *ctx,
	const char *label, size_t tag)
{
	struct stun_deframer d;
	struct stun_frame f;
	struct run r = { .s = s, .next = 0, .label = label, .tag = tag };
	uint8_t *buf = malloc(cap);
	size_t pos = 0;

	assert_non_null(buf);
	stun_deframer_init(&d, buf, cap);
	assert_int_equal(stun_deframer_pending(&d), 0);
	while (pos < s->n) {
		size_t chunk = fn(ctx, s->n - pos);

		if (chunk == 0 || chunk > s->n - pos)
			chunk = s->n - pos;
		feed_piece(&d, &r, s->buf + pos, chunk);
		pos += chunk;
	}
	drain(&d, &r);
	if (r.next != s->nfr)
		fail_msg("%s/%zu: got %zu frames, want %zu (%u pending)",
			 label, tag, r.next, s->nfr,
			 stun_deframer_pending(&d));
	assert_int_equal(stun_deframer_pending(&d), 0);
	assert_int_equal(stun_deframer_next(&d, &f), 0);
	assert_int_equal(d.consumed, s->n);
	assert_int_equal(d.err, 0);
	free(buf);
}

static size_t
chunk_all(void *ctx, size_t left)
{
	(void)ctx;
	return left;
}

static size_t
chunk_one(void *ctx, size_t left)
{
	(void)ctx;
	(void)left;
	return 1;
}

/* First piece of a two-piece split, then the rest. */
struct split_ctx {
	size_t first;
	unsigned int calls;
};

static size_t
chunk_split(void *ctx, size_t left)
{
	struct split_ctx *c = ctx;

	return c->calls++ == 0 ? c->first : left;
}

/* xorshift32: the same chunk sizes on every run and platform. */
struct rand_ctx {
	uint32_t x;
	size_t max;
};

static size_t
chunk_random(void *ctx, size_t left)
{
	struct rand_ctx *c = ctx;

	(void)left;
	c->x ^= c->x << 13;
	c->x ^= c->x >> 17;
	c->x ^= c->x << 5;
	return 1 + c->x % c->max;
}

/* ---- deframer: happy paths ----------------------------------------------- */

static void
test_deframer_whole_stream(void **state)
{
	struct stream *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	make_stream(s);
	assert_int_equal(s->n % 4, 0);
	assert_int_equal(s->largest, 1220);
	deframe(s, 16384, chunk_all, NULL, "whole", 0);
	free(s);
}

static void
test_deframer_every_split_point(void **state)
{
	struct stream *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	make_stream(s);
	for (size_t cut = 0; cut <= s->n; cut++) {
		struct split_ctx c = { .first = cut, .calls = 0 };

		/* cut == 0 feeds everything in one piece (chunk 0 -> rest) */
		deframe(s, 16384, chunk_split, &c, "split", cut);
	}
	free(s);
}

static void
test_deframer_byte_by_byte(void **state)
{
	struct stream *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	make_stream(s);
	deframe(s, 16384, chunk_one, NULL, "bytewise", 0);
	/* Byte by byte through the smallest buffer as well. */
	deframe(s, s->largest, chunk_one, NULL, "bytewise-small", 0);
	free(s);
}

static void
test_deframer_random_chunks(void **state)
{
	static const size_t maxes[] = { 3, 17, 64, 333, 1500, 5000 };
	struct stream *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	make_stream(s);
	for (size_t i = 0; i < ARRAY_LEN(maxes); i++) {
		for (uint32_t seed = 1; seed <= 20; seed++) {
			struct rand_ctx c = { .x = 0x9e3779b9u * seed,
					      .max = maxes[i] };

			deframe(s, 16384, chunk_random, &c, "random",
				seed * 10000 + maxes[i]);
		}
	}
	free(s);
}

static void
test_deframer_small_buffer_drain_and_refeed(void **state)
{
	struct stream *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	make_stream(s);
	/* Just larger than the largest frame: feed returns < len, the
	 * caller drains and feeds the rest. */
	deframe(s, s->largest + 4, chunk_all, NULL, "small+4", 0);
	deframe(s, s->largest + 1, chunk_all, NULL, "small+1", 0);
	for (uint32_t seed = 1; seed <= 20; seed++) {
		struct rand_ctx c = { .x = 0x85ebca6bu * seed, .max = 700 };

		deframe(s, s->largest + 4, chunk_random, &c, "small-random",
			seed);
	}
	for (size_t cut = 0; cut <= s->n; cut += 7) {
		struct split_ctx c = { .first = cut, .calls = 0 };

		deframe(s, s->largest + 4, chunk_split, &c, "small-split",
			cut);
	}
	free(s);
}

static void
test_deframer_accepts_frame_of_exactly_cap(void **state)
{
	struct stream *s = malloc(sizeof(*s));

	(void)state;
	assert_non_null(s);
	make_stream(s);
	/* "a frame larger than [the buffer] is a stream error": equal is
	 * not larger. */
	deframe(s, s->largest, chunk_all, NULL, "exact-cap", 0);
	free(s);
}

static void
test_deframer_feed_takes_only_what_fits(void **state)
{
	struct stream *s = malloc(sizeof(*s));
	struct stun_deframer d;
	uint8_t *buf;
	size_t took;

	(void)state;
	assert_non_null(s);
	make_stream(s);
	buf = malloc(s->largest);
	assert_non_null(buf);
	stun_deframer_init(&d, buf, s->largest);
	took = stun_deframer_feed(&d, s->buf, s->n);
	assert_true(took > 0);
	assert_true(took <= s->largest);
	assert_true(took < s->n);
	assert_int_equal(stun_deframer_pending(&d), took);
	free(buf);
	free(s);
}

static void
test_deframer_waits_for_partial_frames(void **state)
{
	uint8_t stun[28] = { 0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42,
			     1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
			     0x80, 0x22, 0x00, 0x04, 't', 'e', 's', 't' };
	uint8_t chd[12] = { 0x40, 0x10, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0 };
	uint8_t buf[256];

	(void)state;
	for (size_t cut = 0; cut < sizeof(stun); cut++) {
		struct stun_deframer d;
		struct stun_frame f;

		stun_deframer_init(&d, buf, sizeof(buf));
		assert_int_equal(stun_deframer_feed(&d, stun, cut), cut);
		assert_int_equal(stun_deframer_next(&d, &f), 0);
		assert_int_equal(stun_deframer_feed(&d, stun + cut,
						    sizeof(stun) - cut),
				 sizeof(stun) - cut);
		assert_int_equal(stun_deframer_next(&d, &f), 1);
		assert_int_equal(f.kind, STUN_FRAME_STUN);
		assert_int_equal(f.len, sizeof(stun));
		assert_int_equal(f.wire_len, sizeof(stun));
		assert_int_equal(stun_deframer_next(&d, &f), 0);
	}
	/* ChannelData: no frame before its data has arrived. */
	for (size_t cut = 0; cut < 9; cut++) {
		struct stun_deframer d;
		struct stun_frame f;

		stun_deframer_init(&d, buf, sizeof(buf));
		assert_int_equal(stun_deframer_feed(&d, chd, cut), cut);
		assert_int_equal(stun_deframer_next(&d, &f), 0);
	}
}

/* The largest STUN message a stream can carry (header length 0xfffc)
 * and the largest ChannelData (0xffff + 4, padded to 0x10004). */
static void
test_deframer_max_size_frames(void **state)
{
	const size_t stun_len = 20 + 0xfffc, chd_wire = 0x10004;
	const size_t n = stun_len + chd_wire;
	uint8_t *stream = calloc(1, n);
	uint8_t *buf = malloc(stun_len);  /* the larger of the two */
	struct stun_deframer d;
	struct stun_frame f;
	size_t pos = 0, frames = 0;

	(void)state;
	assert_non_null(stream);
	assert_non_null(buf);
	stream[1] = 0x01;
	stream[2] = 0xff;
	stream[3] = 0xfc;
	stream[4] = 0x21; stream[5] = 0x12; stream[6] = 0xa4; stream[7] = 0x42;
	stream[24] = 0x00;
	stream[25] = 0x13;           /* DATA of 0xfff8 bytes */
	stream[26] = 0xff;
	stream[27] = 0xf8;
	stream[stun_len] = 0x4f;
	stream[stun_len + 1] = 0xff;
	stream[stun_len + 2] = 0xff;
	stream[stun_len + 3] = 0xff;
	stun_deframer_init(&d, buf, stun_len);
	while (pos < n) {
		int rc;

		pos += stun_deframer_feed(&d, stream + pos, n - pos);
		while ((rc = stun_deframer_next(&d, &f)) == 1) {
			if (frames == 0) {
				assert_int_equal(f.kind, STUN_FRAME_STUN);
				assert_int_equal(f.len, stun_len);
				assert_int_equal(f.wire_len, stun_len);
			} else {
				assert_int_equal(f.kind, STUN_FRAME_CHDATA);
				assert_int_equal(f.len, 4 + 0xffff);
				assert_int_equal(f.wire_len, chd_wire);
			}
			frames++;
		}
		assert_int_equal(rc, 0);
	}
	assert_int_equal(frames, 2);
	free(buf);
	free(stream);
}

/* Lengths near 65,535 are not cut to 16 bits (coturn's CVE-2026-68552):
 * where 20 + 0xfffc (16 at 16 bits) or 4 + 0xffff padded (4) would end a
 * frame, a whole Binding request follows. The deframer takes the frame
 * whole (a buffer that holds it) or refuses it (one that does not):
 * never the request inside it. */
static void
test_deframer_lengths_near_65535_are_not_cut(void **state)
{
	static const uint8_t bind[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
					  9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };
	const size_t stun_wire = 20 + 0xfffc, chd_wire = 0x10004;
	uint8_t *stream = calloc(1, stun_wire + 20), *buf = malloc(stun_wire + 20);
	struct stun_deframer d;
	struct stun_frame f;

	(void)state;
	assert_non_null(stream);
	assert_non_null(buf);
	/* STUN: the request at byte 16 (the last of the transaction id) */
	memcpy(stream, "\x00\x01\xff\xfc\x21\x12\xa4\x42", 8);
	memcpy(stream + 16, bind, sizeof(bind));
	memcpy(stream + stun_wire, bind, sizeof(bind));
	stun_deframer_init(&d, buf, 1500);
	assert_int_equal(stun_deframer_feed(&d, stream, 1500), 1500);
	assert_int_equal(stun_deframer_next(&d, &f), -EMSGSIZE);
	stun_deframer_init(&d, buf, stun_wire + 20);
	assert_int_equal(stun_deframer_feed(&d, stream, stun_wire + 20), stun_wire + 20);
	assert_int_equal(stun_deframer_next(&d, &f), 1);
	assert_int_equal(f.wire_len, stun_wire);
	assert_int_equal(f.len, stun_wire);
	assert_int_equal(stun_deframer_next(&d, &f), 1);      /* the one after it */
	assert_int_equal(f.wire_len, 20);
	assert_memory_equal(f.data, bind, 20);
	/* ChannelData: the request at byte 4 */
	memset(stream, 0, stun_wire + 20);
	memcpy(stream, "\x40\x00\xff\xff", 4);
	memcpy(stream + 4, bind, sizeof(bind));
	memcpy(stream + chd_wire, bind, sizeof(bind));
	stun_deframer_init(&d, buf, 1500);
	assert_int_equal(stun_deframer_feed(&d, stream, 1500), 1500);
	assert_int_equal(stun_deframer_next(&d, &f), -EMSGSIZE);
	stun_deframer_init(&d, buf, chd_wire + 20);
	assert_int_equal(stun_deframer_feed(&d, stream, chd_wire + 20), chd_wire + 20);
	assert_int_equal(stun_deframer_next(&d, &f), 1);
	assert_int_equal(f.kind, STUN_FRAME_CHDATA);
	assert_int_equal(f.wire_len, chd_wire);
	assert_int_equal(f.len, 4 + 0xffff);
	assert_int_equal(stun_deframer_next(&d, &f), 1);
	assert_memory_equal(f.data, bind, 20);
	free(buf);
	free(stream);
}

/* ---- deframer: errors ---------------------------------------------------- */

/* The deframer is in error err and stays there: next keeps failing and
 * feed takes nothing. */
static void
assert_sticky(struct stun_deframer *d, int err)
{
	static const uint8_t good[20] = { 0x00, 0x01, 0x00, 0x00,
					  0x21, 0x12, 0xa4, 0x42 };
	struct stun_frame f;

	for (int i = 0; i < 3; i++)
		assert_int_equal(stun_deframer_next(d, &f), err);
	assert_int_equal(stun_deframer_feed(d, good, sizeof(good)), 0);
	assert_int_equal(stun_deframer_next(d, &f), err);
	assert_int_equal(d->err, err);
}

static void
test_deframer_rejects_bad_first_byte(void **state)
{
	static const uint8_t firsts[] = { 0x80, 0xc0, 0xff, 0x81 };
	uint8_t buf[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(firsts); i++) {
		uint8_t junk[24] = { firsts[i], 0x01, 0x00, 0x04,
				     0x21, 0x12, 0xa4, 0x42 };
		struct stun_deframer d;
		struct stun_frame f;

		stun_deframer_init(&d, buf, sizeof(buf));
		assert_int_equal(stun_deframer_feed(&d, junk, sizeof(junk)),
				 sizeof(junk));
		assert_int_equal(stun_deframer_next(&d, &f), -EBADMSG);
		assert_sticky(&d, -EBADMSG);
	}
	/* A single bad byte is enough to know. */
	{
		static const uint8_t one = 0x80;
		struct stun_deframer d;
		struct stun_frame f;

		stun_deframer_init(&d, buf, sizeof(buf));
		assert_int_equal(stun_deframer_feed(&d, &one, 1), 1);
		assert_int_equal(stun_deframer_next(&d, &f), -EBADMSG);
		assert_sticky(&d, -EBADMSG);
	}
}

static void
test_deframer_rejects_bad_byte_after_valid_frame(void **state)
{
	uint8_t data[24] = { 0x40, 0x01, 0x00, 0x02, 0xaa, 0xbb, 0xee, 0xee,
			     0x80, 0x00, 0x00, 0x00 };
	uint8_t buf[256];
	struct stun_deframer d;
	struct stun_frame f;

	(void)state;
	stun_deframer_init(&d, buf, sizeof(buf));
	assert_int_equal(stun_deframer_feed(&d, data, sizeof(data)),
			 sizeof(data));
	assert_int_equal(stun_deframer_next(&d, &f), 1);
	assert_int_equal(f.kind, STUN_FRAME_CHDATA);
	assert_int_equal(f.len, 6);
	assert_int_equal(f.wire_len, 8);
	assert_int_equal(stun_deframer_next(&d, &f), -EBADMSG);
	assert_sticky(&d, -EBADMSG);
}

static void
test_deframer_rejects_bad_cookie(void **state)
{
	uint8_t hdr[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x43 };
	uint8_t buf[256];
	struct stun_deframer d;
	struct stun_frame f;

	(void)state;
	stun_deframer_init(&d, buf, sizeof(buf));
	assert_int_equal(stun_deframer_feed(&d, hdr, sizeof(hdr)),
			 sizeof(hdr));
	assert_int_equal(stun_deframer_next(&d, &f), -EBADMSG);
	assert_sticky(&d, -EBADMSG);
}

static void
test_deframer_rejects_unaligned_stun_length(void **state)
{
	/* RFC 8489 §6: the last two bits of the length are always zero. */
	uint8_t msg[26] = { 0x00, 0x01, 0x00, 0x06, 0x21, 0x12, 0xa4, 0x42 };
	uint8_t buf[256];
	struct stun_deframer d;
	struct stun_frame f;

	(void)state;
	stun_deframer_init(&d, buf, sizeof(buf));
	assert_int_equal(stun_deframer_feed(&d, msg, sizeof(msg)),
			 sizeof(msg));
	assert_int_equal(stun_deframer_next(&d, &f), -EBADMSG);
	assert_sticky(&d, -EBADMSG);
}

static void
test_deframer_rejects_frame_larger_than_buffer(void **state)
{
	uint8_t big[200];
	uint8_t *buf = malloc(64);
	struct stun_deframer d;
	struct stun_frame f;
	size_t took;

	(void)state;
	assert_non_null(buf);

	/* STUN message of 20 + 100 bytes into a 64-byte buffer. */
	memset(big, 0, sizeof(big));
	big[1] = 0x01;
	big[3] = 100;
	big[4] = 0x21; big[5] = 0x12; big[6] = 0xa4; big[7] = 0x42;
	stun_deframer_init(&d, buf, 64);
	took = stun_deframer_feed(&d, big, 120);
	assert_true(took <= 64);
	assert_int_equal(stun_deframer_next(&d, &f), -EMSGSIZE);
	assert_sticky(&d, -EMSGSIZE);

	/* ChannelData of 4 + 100 bytes. */
	memset(big, 0, sizeof(big));
	big[0] = 0x40;
	big[1] = 0x01;
	big[3] = 100;
	stun_deframer_init(&d, buf, 64);
	took = stun_deframer_feed(&d, big, 104);
	assert_true(took <= 64);
	assert_int_equal(stun_deframer_next(&d, &f), -EMSGSIZE);
	assert_sticky(&d, -EMSGSIZE);

	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chdata_decode_valid),
		cmocka_unit_test(test_chdata_decode_zero_length),
		cmocka_unit_test(test_chdata_decode_accepts_up_to_3_pad_bytes),
		cmocka_unit_test(
			test_chdata_decode_rejects_4_or_more_extra_bytes),
		cmocka_unit_test(test_chdata_decode_rejects_short),
		cmocka_unit_test(test_chdata_decode_rejects_bad_channel),
		cmocka_unit_test(test_chdata_encode_hdr),
		cmocka_unit_test(test_deframer_whole_stream),
		cmocka_unit_test(test_deframer_every_split_point),
		cmocka_unit_test(test_deframer_byte_by_byte),
		cmocka_unit_test(test_deframer_random_chunks),
		cmocka_unit_test(test_deframer_small_buffer_drain_and_refeed),
		cmocka_unit_test(test_deframer_accepts_frame_of_exactly_cap),
		cmocka_unit_test(test_deframer_feed_takes_only_what_fits),
		cmocka_unit_test(test_deframer_waits_for_partial_frames),
		cmocka_unit_test(test_deframer_max_size_frames),
		cmocka_unit_test(test_deframer_lengths_near_65535_are_not_cut),
		cmocka_unit_test(test_deframer_rejects_bad_first_byte),
		cmocka_unit_test(
			test_deframer_rejects_bad_byte_after_valid_frame),
		cmocka_unit_test(test_deframer_rejects_bad_cookie),
		cmocka_unit_test(test_deframer_rejects_unaligned_stun_length),
		cmocka_unit_test(
			test_deframer_rejects_frame_larger_than_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
