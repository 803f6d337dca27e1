/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 (tp_siphash.h).
 */
#include <endian.h>
#include <string.h>

#include "tp_siphash.h"

static inline uint64_t
rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t
le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));     /* (one load: a byte loop is 23 instructions) */
	return le64toh(v);
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void
sip_round(struct sip *s)
{
	s->v0 += s->v1; s->v1 = rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3; s->v3 = rotl(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = rotl(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl(s->v2, 32);
}

static inline struct sip
sip_init(const uint8_t key[16])
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);

	return (struct sip){ 0x736f6d6570736575ull ^ k0, 0x646f72616e646f6dull ^ k1,
			     0x6c7967656e657261ull ^ k0, 0x7465646279746573ull ^ k1 };
}

/* One 8-byte block (SipHash-2-4: two rounds a block). */
static inline void
sip_block(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

/* The last block b (the length's byte on top), then four rounds. */
static inline uint64_t
sip_final(struct sip *s, uint64_t b)
{
	sip_block(s, b);
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t
tp_siphash24(const uint8_t key[16], const void *in, size_t len)
{
	const uint8_t *p = in;
	struct sip s = sip_init(key);
	uint64_t b = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		sip_block(&s, le64(p + i));
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	return sip_final(&s, b);
}

/* The same function over exactly 12 bytes, given as their first 8 and
 * last 4 read little-endian: no byte loop, no buffer to fill; dp/tcp's
 * connection table asks for one a segment. */
uint64_t
tp_siphash24_12(const uint8_t key[16], uint64_t m, uint32_t tail)
{
	struct sip s = sip_init(key);

	sip_block(&s, m);
	return sip_final(&s, (uint64_t)12 << 56 | tail);
}
