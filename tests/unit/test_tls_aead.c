/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/tls_aead.c: the AEAD under dp's TLS 1.3 records. libipsec-mb's
 * AES-GCM and ChaCha20-Poly1305 and OpenSSL's EVP, each fed in pieces (as TCP's segments feed it),
 * must give what OpenSSL gives in one call: the same ciphertext and tag
 * for every length from 0 to 2^14 + 1 and every way of cutting it, opened
 * in place; a flipped bit in the ciphertext, the tag or the additional
 * data refused; the GCM specification's test case 4 (AES-128, 60 bytes,
 * 20 bytes of AAD) and test case 16 (AES-256).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tls_aead.h"
#ifdef TP_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

static struct tls_aead_lib lib_auto, lib_ossl;
static void known_answer(const struct tls_aead_lib *lib);
static EVP_CIPHER *gcm128, *gcm256, *chacha;

static int
setup(void **state)
{
	char err[200];

	(void)state;
	assert_int_equal(tls_aead_lib_init(&lib_auto, TLS_AEAD_AUTO, err, sizeof(err)), 0);
	assert_int_equal(tls_aead_lib_init(&lib_ossl, TLS_AEAD_OPENSSL, err, sizeof(err)), 0);
	gcm128 = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	gcm256 = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	chacha = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	assert_non_null(gcm128);
	assert_non_null(gcm256);
	assert_non_null(chacha);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tls_aead_lib_free(&lib_auto);
	tls_aead_lib_free(&lib_ossl);
	EVP_CIPHER_free(gcm128);
	EVP_CIPHER_free(gcm256);
	EVP_CIPHER_free(chacha);
	return 0;
}

static void
hex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

/* OpenSSL in one call: the reference. */
static void
oneshot(const EVP_CIPHER *ci, const uint8_t *key, const uint8_t *nonce, const uint8_t *aad,
	uint32_t alen, const uint8_t *in, uint32_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int outl = 0;

	assert_int_equal(EVP_EncryptInit_ex(x, ci, NULL, key, nonce), 1);
	assert_int_equal(EVP_EncryptUpdate(x, NULL, &outl, aad, (int)alen), 1);
	if (len > 0)
		assert_int_equal(EVP_EncryptUpdate(x, out, &outl, in, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(x, out + len, &outl), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
	EVP_CIPHER_CTX_free(x);
}

/* a fed in pieces of the sizes cut[] (repeated), in place in buf */
static void
pieces(struct tls_aead *a, uint8_t *buf, uint32_t len, const uint32_t *cut, unsigned int ncut)
{
	uint32_t off = 0;

	for (unsigned int i = 0; off < len; i++) {
		uint32_t k = cut[i % ncut];

		if (k > len - off)
			k = len - off;
		assert_true(tls_aead_update(a, buf + off, buf + off, k));
		off += k;
	}
}

static uint8_t plain[16385 + 64], ref[16385 + 64], work[16385 + 64];

/* Seal and open len bytes with a lib's AEAD for ci, cut as cut[], against
 * OpenSSL's one call. */
static void
round_trip(const struct tls_aead_lib *lib, const EVP_CIPHER *ci, enum tls_aead_alg alg,
	   unsigned int key_len, uint32_t len, const uint32_t *cut, unsigned int ncut,
	   bool want_imb)
{
	struct tls_aead s = { 0 }, o = { 0 };
	uint8_t key[32], nonce[12], aad[5] = { 23, 3, 3, 0, 0 }, rtag[16], tag[16];

	assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
	assert_int_equal(RAND_bytes(nonce, sizeof(nonce)), 1);
	assert_int_equal(RAND_bytes(plain, (int)len + 1), 1);
	aad[3] = (uint8_t)((len + 16) >> 8);
	aad[4] = (uint8_t)(len + 16);
	oneshot(ci, key, nonce, aad, sizeof(aad), plain, len, ref, rtag);

	assert_true(tls_aead_key(&s, lib, ci, alg, key, key_len, 1));
	assert_true(tls_aead_key(&o, lib, ci, alg, key, key_len, 0));
	assert_int_equal(tls_aead_is_imb(&s), want_imb);
	assert_int_equal(tls_aead_is_imb(&o), want_imb);

	/* sealed in pieces: OpenSSL's bytes and tag */
	memcpy(work, plain, len);
	assert_true(tls_aead_begin(&s, nonce, aad, sizeof(aad)));
	pieces(&s, work, len, cut, ncut);
	assert_true(tls_aead_seal_end(&s, tag));
	assert_memory_equal(work, ref, len);
	assert_memory_equal(tag, rtag, 16);

	/* opened in place, in other pieces */
	assert_true(tls_aead_begin(&o, nonce, aad, sizeof(aad)));
	pieces(&o, work, len, cut + 1, ncut - 1);
	assert_true(tls_aead_open_end(&o, tag));
	assert_memory_equal(work, plain, len);

	/* a bit flipped in the tag, the ciphertext, the additional data */
	tag[len % 16] ^= 0x20;
	memcpy(work, ref, len);
	assert_true(tls_aead_begin(&o, nonce, aad, sizeof(aad)));
	pieces(&o, work, len, cut, ncut);
	assert_false(tls_aead_open_end(&o, tag));
	tag[len % 16] ^= 0x20;
	if (len > 0) {
		memcpy(work, ref, len);
		work[len / 2] ^= 1;
		assert_true(tls_aead_begin(&o, nonce, aad, sizeof(aad)));
		pieces(&o, work, len, cut, ncut);
		assert_false(tls_aead_open_end(&o, tag));
	}
	memcpy(work, ref, len);
	aad[0] = 22;
	assert_true(tls_aead_begin(&o, nonce, aad, sizeof(aad)));
	pieces(&o, work, len, cut, ncut);
	assert_false(tls_aead_open_end(&o, tag));
	/* and the right one still opens after a refusal (the key is whole) */
	aad[0] = 23;
	memcpy(work, ref, len);
	assert_true(tls_aead_begin(&o, nonce, aad, sizeof(aad)));
	pieces(&o, work, len, cut, ncut);
	assert_true(tls_aead_open_end(&o, tag));

	tls_aead_free(&s);
	tls_aead_free(&o);
	assert_null(s.evp);
	assert_null(s.imb);
}

static const uint32_t lens[] = { 0, 1, 15, 16, 17, 31, 200, 1023, 1448, 4096, 16384, 16385 };
static const uint32_t cut_whole[] = { 1u << 20, 1u << 20 };
static const uint32_t cut_odd[] = { 1448, 7, 1, 64, 13, 700, 2 };
static const uint32_t cut_bytes[] = { 1, 1 };

static void
every_length_and_cut(const struct tls_aead_lib *lib, bool want_imb)
{
	for (unsigned int i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		round_trip(lib, gcm128, TLS_AEAD_AES_GCM, 16, lens[i], cut_whole, 2, want_imb);
		round_trip(lib, gcm128, TLS_AEAD_AES_GCM, 16, lens[i], cut_odd, 7, want_imb);
		round_trip(lib, gcm256, TLS_AEAD_AES_GCM, 32, lens[i], cut_odd, 7, want_imb);
		round_trip(lib, chacha, TLS_AEAD_CHACHA20_POLY1305, 32, lens[i], cut_odd, 7,
			   want_imb);
		round_trip(lib, chacha, TLS_AEAD_CHACHA20_POLY1305, 32, lens[i], cut_whole, 2,
			   want_imb);
		/* what OpenSSL only has stays OpenSSL's */
		round_trip(lib, gcm128, TLS_AEAD_OTHER, 16, lens[i], cut_odd, 7, false);
		if (lens[i] <= 1448) {
			round_trip(lib, gcm256, TLS_AEAD_AES_GCM, 32, lens[i], cut_bytes, 2, want_imb);
			round_trip(lib, chacha, TLS_AEAD_CHACHA20_POLY1305, 32, lens[i], cut_bytes,
				   2, want_imb);
		}
	}
}

static void
test_tls_aead_ipsec_mb_matches_openssl(void **state)
{
	(void)state;
#ifdef TP_HAVE_IPSEC_MB
	/* this machine and CI's have AES-NI: the library must be in use */
	assert_non_null(lib_auto.imb);
	assert_memory_equal(lib_auto.name, "ipsec-mb ", 9);
	every_length_and_cut(&lib_auto, true);
#else
	every_length_and_cut(&lib_auto, false);
#endif
}

/* The library's code for other CPUs than this one (CI's and a carrier's
 * may differ): its SSE and AVX2 managers, by hand. */
static void
test_tls_aead_ipsec_mb_sse_avx2_match_openssl(void **state)
{
	(void)state;
#ifdef TP_HAVE_IPSEC_MB
	for (unsigned int k = 0; k < 2; k++) {
		struct tls_aead_lib lib = { 0 };
		IMB_MGR *m = alloc_mb_mgr(0);

		assert_non_null(m);
		if (k == 0)
			init_mb_mgr_sse(m);
		else
			init_mb_mgr_avx2(m);
		assert_int_equal(imb_get_errno(m), 0);
		lib.imb = m;
		every_length_and_cut(&lib, true);
		known_answer(&lib);
		tls_aead_lib_free(&lib);
	}
#else
	skip();
#endif
}

static void
test_tls_aead_openssl_matches_openssl(void **state)
{
	(void)state;
	assert_null(lib_ossl.imb);
	assert_string_equal(lib_ossl.name, "openssl");
	every_length_and_cut(&lib_ossl, false);
}

/* The GCM specification's test cases 4 (AES-128) and 16 (AES-256). */
static void
known_answer(const struct tls_aead_lib *lib)
{
	static const char p_hex[] =
		"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
	static const struct {
		unsigned int klen;
		const char *key, *c, *tag;
	} tc[] = {
		{ 16, "feffe9928665731c6d6a8f9467308308",
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
		  "5bc94fbc3221a5db94fae95ae7121a47" },
		{ 32, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
		  "76fc6ece0f4e1768cddf8853bb2d551b" },
	};
	uint8_t key[32], iv[12], aad[20], p[60], c[60], t[16], buf[60], tag[16];

	hex("cafebabefacedbaddecaf888", iv, 12);
	hex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, 20);
	hex(p_hex, p, 60);
	for (unsigned int i = 0; i < 2; i++) {
		struct tls_aead a = { 0 };
		uint32_t cut[] = { 17, 5 };

		hex(tc[i].key, key, tc[i].klen);
		hex(tc[i].c, c, 60);
		hex(tc[i].tag, t, 16);
		assert_true(tls_aead_key(&a, lib, tc[i].klen == 16 ? gcm128 : gcm256, TLS_AEAD_AES_GCM, key,
					 tc[i].klen, 1));
		memcpy(buf, p, 60);
		assert_true(tls_aead_begin(&a, iv, aad, sizeof(aad)));
		pieces(&a, buf, 60, cut, 2);
		assert_true(tls_aead_seal_end(&a, tag));
		assert_memory_equal(buf, c, 60);
		assert_memory_equal(tag, t, 16);
		assert_true(tls_aead_key(&a, lib, tc[i].klen == 16 ? gcm128 : gcm256, TLS_AEAD_AES_GCM, key,
					 tc[i].klen, 0));
		assert_true(tls_aead_begin(&a, iv, aad, sizeof(aad)));
		pieces(&a, buf, 60, cut, 2);
		assert_true(tls_aead_open_end(&a, t));
		assert_memory_equal(buf, p, 60);
		tls_aead_free(&a);
	}
}

static void
test_tls_aead_gcm_spec_vectors(void **state)
{
	(void)state;
	known_answer(&lib_auto);
	known_answer(&lib_ossl);
}

/* A key turned (KeyUpdate) in place; a direction used the wrong way is
 * refused, never run. */
static void
test_tls_aead_rekey_and_misuse(void **state)
{
	struct tls_aead a = { 0 };
	uint8_t k1[16] = { 1 }, k2[16] = { 2 }, nonce[12] = { 0 }, aad[5] = { 23, 3, 3, 0, 17 };
	uint8_t c1[1], c2[1], t1[16], t2[16], b;

	(void)state;
	assert_false(tls_aead_begin(&a, nonce, aad, 5));           /* no key yet */
	assert_true(tls_aead_key(&a, &lib_auto, gcm128, TLS_AEAD_AES_GCM, k1, 16, 1));
	b = 'x';
	assert_true(tls_aead_begin(&a, nonce, aad, 5));
	assert_true(tls_aead_update(&a, c1, &b, 1));
	assert_true(tls_aead_seal_end(&a, t1));
	assert_false(tls_aead_open_end(&a, t1));                 /* a sealing key */
	assert_true(tls_aead_key(&a, &lib_auto, gcm128, TLS_AEAD_AES_GCM, k2, 16, 1));
	assert_true(tls_aead_begin(&a, nonce, aad, 5));
	assert_true(tls_aead_update(&a, c2, &b, 1));
	assert_true(tls_aead_seal_end(&a, t2));
	assert_true(c1[0] != c2[0] || memcmp(t1, t2, 16) != 0);  /* the new key */
	tls_aead_free(&a);
}

static void
test_tls_aead_ipsec_mb_mode(void **state)
{
	struct tls_aead_lib lib;
	char err[200] = "";
	int rc;

	(void)state;
	rc = tls_aead_lib_init(&lib, TLS_AEAD_IPSEC_MB, err, sizeof(err));
#ifdef TP_HAVE_IPSEC_MB
	assert_int_equal(rc, 0);
	assert_non_null(lib.imb);
#else
	assert_int_equal(rc, -ENOTSUP);
	assert_non_null(strstr(err, "without libipsec-mb"));
#endif
	tls_aead_lib_free(&lib);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_aead_ipsec_mb_matches_openssl),
		cmocka_unit_test(test_tls_aead_ipsec_mb_sse_avx2_match_openssl),
		cmocka_unit_test(test_tls_aead_openssl_matches_openssl),
		cmocka_unit_test(test_tls_aead_gcm_spec_vectors),
		cmocka_unit_test(test_tls_aead_rekey_and_misuse),
		cmocka_unit_test(test_tls_aead_ipsec_mb_mode),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
