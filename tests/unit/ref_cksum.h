/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The unit tests' own Internet checksum (RFC 1071), written the plain way:
 * 16-bit big-endian words one at a time, folded at the end. dp's sums are
 * word-wide and folded early; the tests hold them against this one.
 */
#ifndef TP_TEST_REF_CKSUM_H
#define TP_TEST_REF_CKSUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t
ref_add(const uint8_t *p, size_t len, uint32_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static inline uint16_t
ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif
