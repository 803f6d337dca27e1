/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a keyed hash for tables whose keys a remote chooses, so that it
 * cannot pick keys that collide without the key. dp/tcp hashes its
 * connection table, ISNs and SYN cookies with it; cp/iq its transaction
 * table (the controller picks the transaction ids). Written here from the
 * paper's description; checked against the reference vectors in the unit
 * tests (test_tcp_seg).
 */
#ifndef TP_SIPHASH_H
#define TP_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of in[0..len) under key. */
uint64_t tp_siphash24(const uint8_t key[16], const void *in, size_t len);
/* The same of a 12-byte message: its bytes 0-7 as m and 8-11 as tail,
 * each read little-endian (no byte loop, no buffer to fill). */
uint64_t tp_siphash24_12(const uint8_t key[16], uint64_t m, uint32_t tail);

#endif /* TP_SIPHASH_H */
