/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AEAD under dp's TLS 1.3 records (tls_rec.c): one direction's key and
 * the record under way, sealed or opened a piece at a time (the pieces are
 * TCP's segments, in place). Two implementations behind one set of calls:
 *
 *  - Intel's Multi-Buffer Crypto for IPsec library (libipsec-mb, which
 *    DPDK's own crypto drivers and the QAT engine's software path use) for
 *    AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305, where dp was built
 *    with it and the CPU has AES-NI: its direct calls take a precomputed
 *    key and run with no dispatch a call. On a CPU with VAES its AES-GCM
 *    is 2.7-4x OpenSSL 3.0's EVP_* a record (perf/RESULTS.md T12: 152
 *    against 607 cycles a 200-byte record, 0.155 against 0.419 cycles a
 *    byte at 16 KB), its ChaCha20-Poly1305 1.3-2.7x;
 *  - OpenSSL's EVP (the worker's fetched ciphers) for anything else, or
 *    for all of it with tls.record_crypto = "openssl".
 *
 * Plain C over OpenSSL and libipsec-mb: no DPDK (the unit tests check the
 * two against each other and against OpenSSL's one-shot output).
 */
#ifndef DP_TLS_AEAD_H
#define DP_TLS_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "tls_aead_types.h"

/* lib for mode: 0, or -ENOTSUP with err filled (mode TLS_AEAD_IPSEC_MB on
 * a build without the library or a CPU without AES-NI), -ENOMEM. */
int tls_aead_lib_init(struct tls_aead_lib *lib, enum tls_aead_mode mode, char *err,
		      size_t errlen);
void tls_aead_lib_free(struct tls_aead_lib *lib);

/* a keyed for cipher (the worker's, from EVP_CIPHER_fetch), which is alg,
 * with key of key_len bytes, sealing (enc 1) or opening (0); a key it had
 * is wiped first. libipsec-mb takes AES-GCM and ChaCha20-Poly1305 where
 * lib has it. False: out of memory or the cipher refused the key. */
bool tls_aead_key(struct tls_aead *a, const struct tls_aead_lib *lib,
		  const EVP_CIPHER *cipher, enum tls_aead_alg alg, const uint8_t *key,
		  unsigned int key_len, int enc);
/* true when libipsec-mb holds a's key */
static inline bool
tls_aead_is_imb(const struct tls_aead *a)
{
	return a->imb != NULL;
}

/* A record: begin (its nonce and additional data), update over the pieces
 * in order (out may be in: in place), then seal_end (the tag out) or
 * open_end (false: the tag does not match; nothing may be used). */
bool tls_aead_begin(struct tls_aead *a, const uint8_t nonce[TLS_AEAD_NONCE_LEN],
		    const uint8_t *aad, uint32_t aad_len);
bool tls_aead_update(struct tls_aead *a, uint8_t *out, const uint8_t *in, uint32_t len);
bool tls_aead_seal_end(struct tls_aead *a, uint8_t tag[TLS_AEAD_TAG_LEN]);
bool tls_aead_open_end(struct tls_aead *a, const uint8_t tag[TLS_AEAD_TAG_LEN]);

/* The key wiped and a's memory freed (a zeroed). */
void tls_aead_free(struct tls_aead *a);

#endif /* DP_TLS_AEAD_H */
