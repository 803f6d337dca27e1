/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AEAD under dp's TLS 1.3 records: types only (tls_aead.h says what).
 */
#ifndef DP_TLS_AEAD_TYPES_H
#define DP_TLS_AEAD_TYPES_H

#include <stdint.h>

#include <openssl/types.h>

#define TLS_AEAD_TAG_LEN 16u
#define TLS_AEAD_NONCE_LEN 12u

/* tls.record_crypto (lib/conf: enum tp_tls_record_crypto has the same
 * values) */
enum tls_aead_mode {
	TLS_AEAD_AUTO = 0,       /* libipsec-mb where it can */
	TLS_AEAD_IPSEC_MB = 1,   /* the same, and an error where it cannot */
	TLS_AEAD_OPENSSL = 2,    /* OpenSSL for every suite */
};

/* The suites' AEADs */
enum tls_aead_alg {
	TLS_AEAD_AES_GCM,            /* AES-128-GCM, AES-256-GCM (by key length) */
	TLS_AEAD_CHACHA20_POLY1305,
	TLS_AEAD_OTHER,              /* OpenSSL's only */
};

/* A worker's: the multi-buffer manager (its function table for this CPU),
 * or none (OpenSSL for all). */
struct tls_aead_lib {
	void *imb;               /* IMB_MGR *, or NULL */
	char name[48];           /* e.g. "ipsec-mb 1.3.0 avx512", or "openssl" */
};

/* One direction's keyed AEAD. Zeroed is "no key". */
struct tls_aead {
	EVP_CIPHER_CTX *evp;     /* OpenSSL's (made at the first key) */
	void *imb;               /* libipsec-mb's key schedule, the record's state and
				  * its functions (64-aligned); NULL: OpenSSL's */
	void *imb_mem;           /* its allocation (OpenSSL's heap, counted there) */
	uint8_t key_len;
	uint8_t enc;             /* 1: seal, 0: open */
};

#endif /* DP_TLS_AEAD_TYPES_H */
