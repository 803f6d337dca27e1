/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AEAD under dp's TLS 1.3 records: libipsec-mb's direct GCM calls for
 * AES-GCM and ChaCha20-Poly1305 where it can, OpenSSL's EVP otherwise
 * (tls_aead.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#ifdef TP_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

#include "tls_aead.h"

#ifdef TP_HAVE_IPSEC_MB
/* A direction's key (AES-GCM: expanded keys and GHASH powers, some 1 KB;
 * ChaCha20-Poly1305: the key itself), the state of the record under way,
 * and the manager's functions for this key's algorithm, length and
 * direction. */
struct imb_aead {
	union {
		struct gcm_key_data gcm;
		uint8_t chacha[32];
	} key;
	union {
		struct gcm_context_data gcm;
		struct chacha20_poly1305_context_data chacha;
	} ctx;
	bool is_chacha;
	aes_gcm_init_t gcm_init;
	aes_gcm_enc_dec_update_t gcm_update;
	aes_gcm_enc_dec_finalize_t gcm_finalize;
	chacha_poly_init_t cp_init;
	chacha_poly_enc_dec_update_t cp_update;
	chacha_poly_finalize_t cp_finalize;
} __attribute__((aligned(64)));

#define IMB_MEM_LEN (sizeof(struct imb_aead) + 63u)
/* a record's ciphertext at most (RFC 8446 §5.2): no piece is longer */
#define TLS_AEAD_PIECE_MAX (16384u + 256u)

static const char *
arch_name(IMB_ARCH arch)
{
	switch (arch) {
	case IMB_ARCH_SSE:
		return "sse";
	case IMB_ARCH_AVX:
		return "avx";
	case IMB_ARCH_AVX2:
		return "avx2";
	case IMB_ARCH_AVX512:
		return "avx512";
	default:
		return "none";
	}
}
#endif

int
tls_aead_lib_init(struct tls_aead_lib *lib, enum tls_aead_mode mode, char *err,
		  size_t errlen)
{
	memset(lib, 0, sizeof(*lib));
	snprintf(lib->name, sizeof(lib->name), "openssl");
	if (mode == TLS_AEAD_OPENSSL)
		return 0;
#ifdef TP_HAVE_IPSEC_MB
	{
		IMB_MGR *m = alloc_mb_mgr(0);
		IMB_ARCH arch = IMB_ARCH_NONE;

		if (m == NULL) {
			snprintf(err, errlen, "libipsec-mb: no memory for its manager");
			return -ENOMEM;
		}
		init_mb_mgr_auto(m, &arch);
		/* without AES-NI its GCM is plain C: OpenSSL's is better */
		if (arch == IMB_ARCH_NONE || arch == IMB_ARCH_NOAESNI ||
		    imb_get_errno(m) != 0) {
			free_mb_mgr(m);
			if (mode == TLS_AEAD_IPSEC_MB) {
				snprintf(err, errlen, "libipsec-mb finds no AES-NI on this "
					 "CPU (tls.record_crypto = \"auto\" or \"openssl\" "
					 "does without)");
				return -ENOTSUP;
			}
			return 0;
		}
		lib->imb = m;
		snprintf(lib->name, sizeof(lib->name), "ipsec-mb %s %s",
			 imb_get_version_str(), arch_name(arch));
		return 0;
	}
#else
	if (mode == TLS_AEAD_IPSEC_MB) {
		snprintf(err, errlen, "turnpike-dp was built without libipsec-mb "
			 "(tls.record_crypto = \"auto\" or \"openssl\" does without)");
		return -ENOTSUP;
	}
	return 0;
#endif
}

void
tls_aead_lib_free(struct tls_aead_lib *lib)
{
#ifdef TP_HAVE_IPSEC_MB
	if (lib->imb != NULL)
		free_mb_mgr(lib->imb);
#endif
	lib->imb = NULL;
}

static void
imb_drop(struct tls_aead *a)
{
#ifdef TP_HAVE_IPSEC_MB
	/* wiped: the key schedule is the key */
	if (a->imb_mem != NULL)
		OPENSSL_clear_free(a->imb_mem, IMB_MEM_LEN);
#endif
	a->imb_mem = NULL;
	a->imb = NULL;
}

#ifdef TP_HAVE_IPSEC_MB
/* libipsec-mb takes a's key: its functions for alg, key_len and enc */
static bool
imb_key(struct tls_aead *a, IMB_MGR *m, enum tls_aead_alg alg, const uint8_t *key,
	unsigned int key_len, int enc)
{
	struct imb_aead *g = a->imb;

	/* (an OpenSSL context from before goes first, with its key) */
	EVP_CIPHER_CTX_free(a->evp);
	a->evp = NULL;
	if (g == NULL) {
		/* OpenSSL's heap, 64-aligned by hand (3.0 has no aligned
		 * allocation): a connection's TLS memory is counted in one
		 * place (test_tls_xprt's dp_records_memory) */
		a->imb_mem = OPENSSL_malloc(IMB_MEM_LEN);
		if (a->imb_mem == NULL)
			return false;
		g = (struct imb_aead *)(((uintptr_t)a->imb_mem + 63u) & ~(uintptr_t)63u);
		a->imb = g;
	}
	OPENSSL_cleanse(g, sizeof(*g));
	if (alg == TLS_AEAD_CHACHA20_POLY1305) {
		memcpy(g->key.chacha, key, 32);
		g->is_chacha = true;
		g->cp_init = m->chacha20_poly1305_init;
		g->cp_update = enc ? m->chacha20_poly1305_enc_update :
				     m->chacha20_poly1305_dec_update;
		g->cp_finalize = m->chacha20_poly1305_finalize;
	} else if (key_len == 16) {
		IMB_AES128_GCM_PRE(m, key, &g->key.gcm);
		g->gcm_init = m->gcm128_init;
		g->gcm_update = enc ? m->gcm128_enc_update : m->gcm128_dec_update;
		g->gcm_finalize = enc ? m->gcm128_enc_finalize : m->gcm128_dec_finalize;
	} else {
		IMB_AES256_GCM_PRE(m, key, &g->key.gcm);
		g->gcm_init = m->gcm256_init;
		g->gcm_update = enc ? m->gcm256_enc_update : m->gcm256_dec_update;
		g->gcm_finalize = enc ? m->gcm256_enc_finalize : m->gcm256_dec_finalize;
	}
	return true;
}
#endif

bool
tls_aead_key(struct tls_aead *a, const struct tls_aead_lib *lib, const EVP_CIPHER *cipher,
	     enum tls_aead_alg alg, const uint8_t *key, unsigned int key_len, int enc)
{
	a->enc = (uint8_t)(enc != 0);
	a->key_len = (uint8_t)key_len;
#ifdef TP_HAVE_IPSEC_MB
	if (lib->imb != NULL &&
	    ((alg == TLS_AEAD_AES_GCM && (key_len == 16 || key_len == 32)) ||
	     (alg == TLS_AEAD_CHACHA20_POLY1305 && key_len == 32)))
		return imb_key(a, lib->imb, alg, key, key_len, enc);
#else
	(void)lib;
	(void)alg;
#endif
	imb_drop(a);
	if (a->evp == NULL && (a->evp = EVP_CIPHER_CTX_new()) == NULL)
		return false;
	return EVP_CipherInit_ex(a->evp, cipher, NULL, key, NULL, a->enc) == 1;
}

bool
tls_aead_begin(struct tls_aead *a, const uint8_t nonce[TLS_AEAD_NONCE_LEN],
	       const uint8_t *aad, uint32_t aad_len)
{
	int outl;

#ifdef TP_HAVE_IPSEC_MB
	if (a->imb != NULL) {
		struct imb_aead *g = a->imb;

		if (g->is_chacha)
			g->cp_init(g->key.chacha, &g->ctx.chacha, nonce, aad, aad_len);
		else
			g->gcm_init(&g->key.gcm, &g->ctx.gcm, nonce, aad, aad_len);
		return true;
	}
#endif
	if (a->evp == NULL)
		return false;
	return EVP_CipherInit_ex(a->evp, NULL, NULL, NULL, nonce, a->enc) == 1 &&
	       (aad_len == 0 || EVP_CipherUpdate(a->evp, NULL, &outl, aad, (int)aad_len) == 1);
}

bool
tls_aead_update(struct tls_aead *a, uint8_t *out, const uint8_t *in, uint32_t len)
{
	int outl = 0;

	if (len == 0)
		return true;
#ifdef TP_HAVE_IPSEC_MB
	if (a->imb != NULL) {
		struct imb_aead *g = a->imb;

		/* libipsec-mb checks its arguments only to return without a
		 * word (its errno is one global, written by every call of
		 * every thread): what it would refuse is refused here */
		if (out == NULL || in == NULL || len > TLS_AEAD_PIECE_MAX)
			return false;

		if (g->is_chacha)
			g->cp_update(g->key.chacha, &g->ctx.chacha, out, in, len);
		else
			g->gcm_update(&g->key.gcm, &g->ctx.gcm, out, in, len);
		return true;
	}
#endif
	return a->evp != NULL && len <= INT32_MAX &&
	       EVP_CipherUpdate(a->evp, out, &outl, in, (int)len) == 1 &&
	       (uint32_t)outl == len;
}

#ifdef TP_HAVE_IPSEC_MB
static void
imb_tag(struct imb_aead *g, uint8_t tag[TLS_AEAD_TAG_LEN])
{
	if (g->is_chacha)
		g->cp_finalize(&g->ctx.chacha, tag, TLS_AEAD_TAG_LEN);
	else
		g->gcm_finalize(&g->key.gcm, &g->ctx.gcm, tag, TLS_AEAD_TAG_LEN);
}
#endif

bool
tls_aead_seal_end(struct tls_aead *a, uint8_t tag[TLS_AEAD_TAG_LEN])
{
	uint8_t fin[16];
	int outl = 0;

#ifdef TP_HAVE_IPSEC_MB
	if (a->imb != NULL) {
		if (!a->enc)
			return false;
		imb_tag(a->imb, tag);
		return true;
	}
#endif
	return a->evp != NULL && a->enc &&
	       EVP_EncryptFinal_ex(a->evp, fin, &outl) == 1 && outl == 0 &&
	       EVP_CIPHER_CTX_ctrl(a->evp, EVP_CTRL_AEAD_GET_TAG, TLS_AEAD_TAG_LEN, tag) == 1;
}

bool
tls_aead_open_end(struct tls_aead *a, const uint8_t tag[TLS_AEAD_TAG_LEN])
{
	uint8_t fin[16];
	int outl = 0;

#ifdef TP_HAVE_IPSEC_MB
	if (a->imb != NULL) {
		uint8_t want[TLS_AEAD_TAG_LEN];
		bool ok;

		if (a->enc)
			return false;
		imb_tag(a->imb, want);
		/* in constant time: a forger learns nothing from when it fails */
		ok = CRYPTO_memcmp(want, tag, sizeof(want)) == 0;
		OPENSSL_cleanse(want, sizeof(want));
		return ok;
	}
#endif
	return a->evp != NULL && !a->enc &&
	       EVP_CIPHER_CTX_ctrl(a->evp, EVP_CTRL_AEAD_SET_TAG, TLS_AEAD_TAG_LEN,
				   (void *)(uintptr_t)tag) == 1 &&
	       EVP_DecryptFinal_ex(a->evp, fin, &outl) == 1;
}

void
tls_aead_free(struct tls_aead *a)
{
	imb_drop(a);
	EVP_CIPHER_CTX_free(a->evp);
	memset(a, 0, sizeof(*a));
}
