/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AEAD under dp's TLS 1.3 records: libipsec-mb's direct GCM calls for
 * AES-GCM where it can, OpenSSL's EVP otherwise (tls_aead.h).
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
/* A direction's key schedule (expanded keys and GHASH powers, some 1 KB)
 * and the state of the record under way. */
struct imb_gcm {
	struct gcm_key_data key;
	struct gcm_context_data ctx;
	/* the manager's functions for this key's length and direction */
	aes_gcm_init_t init;
	aes_gcm_enc_dec_update_t update;
	aes_gcm_enc_dec_finalize_t finalize;
} __attribute__((aligned(64)));

#define IMB_MEM_LEN (sizeof(struct imb_gcm) + 63u)

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

bool
tls_aead_key(struct tls_aead *a, const struct tls_aead_lib *lib, const EVP_CIPHER *cipher,
	     bool aes_gcm, const uint8_t *key, unsigned int key_len, int enc)
{
	a->enc = (uint8_t)(enc != 0);
#ifdef TP_HAVE_IPSEC_MB
	if (lib->imb != NULL && aes_gcm && (key_len == 16 || key_len == 32)) {
		IMB_MGR *m = lib->imb;
		struct imb_gcm *g = a->imb;

		if (g == NULL) {
			/* OpenSSL's heap, 64-aligned by hand (3.0 has no aligned
			 * allocation): a connection's TLS memory is counted in
			 * one place (test_tls_xprt's dp_records_memory) */
			a->imb_mem = OPENSSL_malloc(IMB_MEM_LEN);
			if (a->imb_mem == NULL)
				return false;
			g = (struct imb_gcm *)(((uintptr_t)a->imb_mem + 63u) & ~(uintptr_t)63u);
			a->imb = g;
		}
		OPENSSL_cleanse(g, sizeof(*g));
		/* (an OpenSSL context from before goes, with its key) */
		EVP_CIPHER_CTX_free(a->evp);
		a->evp = NULL;
		if (key_len == 16) {
			IMB_AES128_GCM_PRE(m, key, &g->key);
			g->init = m->gcm128_init;
			g->update = enc ? m->gcm128_enc_update : m->gcm128_dec_update;
			g->finalize = enc ? m->gcm128_enc_finalize : m->gcm128_dec_finalize;
		} else {
			IMB_AES256_GCM_PRE(m, key, &g->key);
			g->init = m->gcm256_init;
			g->update = enc ? m->gcm256_enc_update : m->gcm256_dec_update;
			g->finalize = enc ? m->gcm256_enc_finalize : m->gcm256_dec_finalize;
		}
		a->key_len = (uint8_t)key_len;
		return true;
	}
#else
	(void)lib;
	(void)aes_gcm;
#endif
	imb_drop(a);
	if (a->evp == NULL && (a->evp = EVP_CIPHER_CTX_new()) == NULL)
		return false;
	a->key_len = (uint8_t)key_len;
	return EVP_CipherInit_ex(a->evp, cipher, NULL, key, NULL, a->enc) == 1;
}

bool
tls_aead_begin(struct tls_aead *a, const uint8_t nonce[TLS_AEAD_NONCE_LEN],
	       const uint8_t *aad, uint32_t aad_len)
{
	int outl;

#ifdef TP_HAVE_IPSEC_MB
	if (a->imb != NULL) {
		struct imb_gcm *g = a->imb;

		g->init(&g->key, &g->ctx, nonce, aad, aad_len);
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
		struct imb_gcm *g = a->imb;

		g->update(&g->key, &g->ctx, out, in, len);
		return true;
	}
#endif
	return a->evp != NULL && len <= INT32_MAX &&
	       EVP_CipherUpdate(a->evp, out, &outl, in, (int)len) == 1 &&
	       (uint32_t)outl == len;
}

bool
tls_aead_seal_end(struct tls_aead *a, uint8_t tag[TLS_AEAD_TAG_LEN])
{
	uint8_t fin[16];
	int outl = 0;

#ifdef TP_HAVE_IPSEC_MB
	if (a->imb != NULL) {
		struct imb_gcm *g = a->imb;

		if (!a->enc)
			return false;
		g->finalize(&g->key, &g->ctx, tag, TLS_AEAD_TAG_LEN);
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
		struct imb_gcm *g = a->imb;
		uint8_t want[TLS_AEAD_TAG_LEN];
		bool ok;

		if (a->enc)
			return false;
		g->finalize(&g->key, &g->ctx, want, sizeof(want));
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
