/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/srtp_ref over libsrtp2, checked against an SRTP of our own written here
 * from RFC 3711 (key derivation 4.3, AES counter mode 4.1.1, HMAC-SHA1
 * 4.2, SRTCP 3.4), RFC 6188 (AES-192/256) and RFC 7714 (AES-GCM 8.1, 9.1)
 * with OpenSSL's AES and HMAC. That reference is itself held to RFC 3711's
 * Appendix B vectors (B.2 AES-CM keystream, B.3 key derivation); then each
 * packet libsrtp protects must equal, octet for octet, the reference's.
 * Beside it: round trips of every suite (MKI, CSRCs, header extensions,
 * RTCP), a forged tag and a replay refused, the ROC and the SRTCP index
 * carried across a restart (and what goes wrong without), the bounds, and
 * ffmpeg's SRTP (its own implementation, not libsrtp) in both directions
 * when ffmpeg is installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sdp.h"
#include "srtp_ref.h"

static unsigned int built;     /* srtp_ref_suites() */

static void
unhex(const char *hex, uint8_t *out)
{
	for (size_t i = 0; hex[2 * i] != '\0'; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/* ---- the reference --------------------------------------------------------------- */

static const EVP_CIPHER *
ctr(unsigned int klen)
{
	return klen == 16 ? EVP_aes_128_ctr() : klen == 24 ? EVP_aes_192_ctr() : EVP_aes_256_ctr();
}

/* buf ^= AES-CTR(key, iv) keystream (RFC 3711 4.1.1: the counter block
 * iv, its low 16 bits counting blocks). */
static void
aes_cm(const uint8_t *key, unsigned int klen, const uint8_t iv[16], uint8_t *buf, size_t n)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int out;

	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, ctr(klen), NULL, key, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(c, buf, &out, buf, (int)n), 1);
	EVP_CIPHER_CTX_free(c);
}

/* RFC 3711 4.3.1, 4.3.3 with a key derivation rate of 0: the PRF's input
 * is the master salt (a 96-bit one zero-padded, RFC 7714) with the label
 * XORed in at octet 7 (key_id = label || r, r = 0), times 2^16. */
static void
kdf(const uint8_t *mk, unsigned int klen, const uint8_t *ms, unsigned int slen, uint8_t label,
    uint8_t *out, size_t n)
{
	uint8_t iv[16] = { 0 };

	memcpy(iv, ms, slen);
	iv[7] ^= label;
	memset(out, 0, n);
	aes_cm(mk, klen, iv, out, n);
}

struct ref_keys {
	uint8_t ke[32], ka[20], ks[14];
};

static void
ref_keys(const struct srtp_ref_key *k, bool rtcp, struct ref_keys *r)
{
	unsigned int kl = srtp_ref_key_len(k->suite), sl = srtp_ref_salt_len(k->suite);
	uint8_t base = rtcp ? 3 : 0;

	kdf(k->key, kl, k->salt, sl, base, r->ke, kl);
	kdf(k->key, kl, k->salt, sl, base + 1, r->ka, 20);
	kdf(k->key, kl, k->salt, sl, base + 2, r->ks, sl);
}

static bool
gcm(unsigned int s)
{
	return s == SRTP_REF_AEAD_AES_128_GCM || s == SRTP_REF_AEAD_AES_256_GCM;
}

static size_t
rtp_hdr_len(const uint8_t *p)
{
	size_t n = 12 + 4u * (p[0] & 0x0f);

	if (p[0] & 0x10)
		n += 4 + 4u * (size_t)(p[n + 2] << 8 | p[n + 3]);
	return n;
}

static void
gcm_seal(const uint8_t *key, unsigned int klen, const uint8_t iv[12], const uint8_t *aad,
	 size_t alen, uint8_t *buf, size_t n, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int out;

	assert_int_equal(EVP_EncryptInit_ex(c, klen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(),
					    NULL, key, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(c, NULL, &out, aad, (int)alen), 1);
	if (n > 0)
		assert_int_equal(EVP_EncryptUpdate(c, buf, &out, buf, (int)n), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, buf + n, &out), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag), 1);
	EVP_CIPHER_CTX_free(c);
}

/* RFC 3711 3.1, 4.1.1, 4.2 and RFC 7714 8.1: pkt (RTP) protected under k
 * with rollover counter roc, into out. Returns its length. */
static size_t
ref_protect(const struct srtp_ref_key *k, const uint8_t *pkt, size_t len, uint32_t roc,
	    uint8_t *out)
{
	unsigned int kl = srtp_ref_key_len(k->suite);
	size_t h = rtp_hdr_len(pkt);
	uint16_t seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	uint64_t idx = (uint64_t)roc << 16 | seq;
	struct ref_keys r;

	ref_keys(k, false, &r);
	memcpy(out, pkt, len);
	if (gcm(k->suite)) {
		/* IV = (00 00 || SSRC || ROC || SEQ) XOR salt; AAD the header */
		uint8_t iv[12] = { 0 };

		memcpy(iv + 2, pkt + 8, 4);
		iv[6] = (uint8_t)(roc >> 24); iv[7] = (uint8_t)(roc >> 16);
		iv[8] = (uint8_t)(roc >> 8); iv[9] = (uint8_t)roc;
		iv[10] = pkt[2]; iv[11] = pkt[3];
		for (int i = 0; i < 12; i++)
			iv[i] ^= r.ks[i];
		gcm_seal(r.ke, kl, iv, out, h, out + h, len - h, out + len);
		return len + 16;
	}
	{
		/* IV = k_s * 2^16 XOR SSRC * 2^64 XOR i * 2^16 */
		uint8_t iv[16] = { 0 }, roc_be[4] = { (uint8_t)(roc >> 24), (uint8_t)(roc >> 16),
						      (uint8_t)(roc >> 8), (uint8_t)roc };
		uint8_t mac[20];
		unsigned int ml = 0;
		HMAC_CTX *unused = NULL;
		uint8_t *auth = malloc(len + 4);

		(void)unused;
		memcpy(iv, r.ks, 14);
		for (int i = 0; i < 4; i++)
			iv[4 + i] ^= pkt[8 + i];
		for (int i = 0; i < 6; i++)
			iv[8 + i] ^= (uint8_t)(idx >> (8 * (5 - i)));
		aes_cm(r.ke, kl, iv, out + h, len - h);
		memcpy(auth, out, len);
		memcpy(auth + len, roc_be, 4);
		HMAC(EVP_sha1(), r.ka, 20, auth, len + 4, mac, &ml);
		free(auth);
		memcpy(out + len, mac, srtp_ref_tag_len(k->suite));
		return len + srtp_ref_tag_len(k->suite);
	}
}

/* RFC 3711 3.4 and RFC 7714 9.1: an RTCP packet as SRTCP with index idx. */
static size_t
ref_protect_rtcp(const struct srtp_ref_key *k, const uint8_t *pkt, size_t len, uint32_t idx,
		 uint8_t *out)
{
	unsigned int kl = srtp_ref_key_len(k->suite);
	uint8_t ei[4] = { (uint8_t)(0x80 | idx >> 24), (uint8_t)(idx >> 16), (uint8_t)(idx >> 8),
			  (uint8_t)idx };
	struct ref_keys r;

	ref_keys(k, true, &r);
	memcpy(out, pkt, len);
	if (gcm(k->suite)) {
		/* IV = (00 00 || SSRC || 00 00 || 0 || index) XOR salt; AAD the
		 * first 8 octets and E || index; out: header, ciphertext, tag,
		 * E || index */
		uint8_t iv[12] = { 0 }, aad[12];

		memcpy(iv + 2, pkt + 4, 4);
		iv[8] = (uint8_t)(idx >> 24); iv[9] = (uint8_t)(idx >> 16);
		iv[10] = (uint8_t)(idx >> 8); iv[11] = (uint8_t)idx;
		for (int i = 0; i < 12; i++)
			iv[i] ^= r.ks[i];
		memcpy(aad, pkt, 8);
		memcpy(aad + 8, ei, 4);
		gcm_seal(r.ke, kl, iv, aad, 12, out + 8, len - 8, out + len);
		memcpy(out + len + 16, ei, 4);
		return len + 20;
	}
	{
		uint8_t iv[16] = { 0 }, mac[20];
		unsigned int ml = 0;

		memcpy(iv, r.ks, 14);
		for (int i = 0; i < 4; i++)
			iv[4 + i] ^= pkt[4 + i];
		iv[10] ^= (uint8_t)(idx >> 24); iv[11] ^= (uint8_t)(idx >> 16);
		iv[12] ^= (uint8_t)(idx >> 8); iv[13] ^= (uint8_t)idx;
		aes_cm(r.ke, kl, iv, out + 8, len - 8);
		memcpy(out + len, ei, 4);
		HMAC(EVP_sha1(), r.ka, 20, out, len + 4, mac, &ml);
		/* SRTCP's tag is 80 bits for the _32 suites too (RFC 3711 5.2) */
		memcpy(out + len + 4, mac, 10);
		return len + 14;
	}
}

/* RFC 3711 Appendix B.2 and B.3: the reference's AES-CM and key derivation. */
static void
test_srtp_reference_rfc3711_vectors(void **state)
{
	uint8_t mk[16], ms[14], want[48], got[48];
	uint8_t sk[16], iv[16];

	(void)state;
	/* B.3 */
	unhex("E1F97A0D3E018BE0D64FA32C06DE4139", mk);
	unhex("0EC675AD498AFEEBB6960B3AABE6", ms);
	kdf(mk, 16, ms, 14, 0x00, got, 16);
	unhex("C61E7A93744F39EE10734AFE3FF7A087", want);
	assert_memory_equal(got, want, 16);
	kdf(mk, 16, ms, 14, 0x02, got, 14);
	unhex("30CBBC08863D8C85D49DB34A9AE1", want);
	assert_memory_equal(got, want, 14);
	kdf(mk, 16, ms, 14, 0x01, got, 20);
	unhex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want);
	assert_memory_equal(got, want, 20);
	/* RFC 6188 7.2 (AES-256) and 7.4 (AES-192): the same KDF, a longer key */
	{
		static const struct {
			const char *mk, *ms, *ke, *ks, *ka;
		} v[] = {
			{ "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6",
			  "3b04803de51ee7c96423ab5b78d2",
			  "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4",
			  "fa31791685ca444a9e07c6c64e93", "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05" },
			{ "73edc66c4fa15776fb57f9505c17136550ffda71f3e8e5f1",
			  "c8522f3acd4ce86d5add78edbb11",
			  "31874736a8f1143870c26e4857d8a5b2c4a354407faadabb",
			  "2372b82d639b6d8503a47adc0a6c", "355b10973cd95b9eacf4061c7e1a7151e7cfbfcb" },
		};

		for (size_t i = 0; i < 2; i++) {
			uint8_t k[32], s[14];
			unsigned int kl = (unsigned int)strlen(v[i].mk) / 2;

			unhex(v[i].mk, k);
			unhex(v[i].ms, s);
			kdf(k, kl, s, 14, 0x00, got, kl);
			unhex(v[i].ke, want);
			assert_memory_equal(got, want, kl);
			kdf(k, kl, s, 14, 0x02, got, 14);
			unhex(v[i].ks, want);
			assert_memory_equal(got, want, 14);
			kdf(k, kl, s, 14, 0x01, got, 20);
			unhex(v[i].ka, want);
			assert_memory_equal(got, want, 20);
		}
	}
	/* B.2: the keystream of session key and IV */
	unhex("2B7E151628AED2A6ABF7158809CF4F3C", sk);
	unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", iv);
	memset(got, 0, sizeof(got));
	aes_cm(sk, 16, iv, got, 48);
	unhex("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB"
	      "41E95B3BB0A2E8DD477901E4FCA894C0", want);
	assert_memory_equal(got, want, 48);
}

/* ---- helpers ----------------------------------------------------------------------- */

static void
mkkey(struct srtp_ref_key *k, unsigned int suite, uint8_t seed)
{
	memset(k, 0, sizeof(*k));
	k->suite = (uint8_t)suite;
	for (unsigned int i = 0; i < SRTP_REF_KEY_MAX; i++)
		k->key[i] = (uint8_t)(seed + 7 * i);
	for (unsigned int i = 0; i < SRTP_REF_SALT_MAX; i++)
		k->salt[i] = (uint8_t)(seed ^ (0xa5 + 3 * i));
}

/* An RTP packet: version 2, pt, seq, ts, ssrc, then n payload octets. */
static size_t
rtp(uint8_t *p, uint16_t seq, uint32_t ssrc, size_t n)
{
	p[0] = 0x80;
	p[1] = 8;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = 0; p[5] = 0; p[6] = (uint8_t)(seq >> 8); p[7] = (uint8_t)seq;
	p[8] = (uint8_t)(ssrc >> 24); p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8); p[11] = (uint8_t)ssrc;
	for (size_t i = 0; i < n; i++)
		p[12 + i] = (uint8_t)(i * 13 + seq);
	return 12 + n;
}

/* An RTCP RR with one report block (RFC 3550 6.4.2), from ssrc. */
static size_t
rtcp(uint8_t *p, uint32_t ssrc)
{
	static const uint8_t rr[32] = { 0x81, 201, 0, 7, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef,
					1, 0, 0, 2, 0, 0, 0x12, 0x34, 0, 0, 0, 9, 0, 0, 0, 0,
					0, 0, 0, 0 };

	memcpy(p, rr, sizeof(rr));
	p[4] = (uint8_t)(ssrc >> 24); p[5] = (uint8_t)(ssrc >> 16);
	p[6] = (uint8_t)(ssrc >> 8); p[7] = (uint8_t)ssrc;
	return sizeof(rr);
}

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(srtp_ref_init(), 0);
	built = srtp_ref_suites();
	return 0;
}

/* ---- known answers --------------------------------------------------------------- */

/* The MKI 0x0a0b put into a reference packet at octet at. */
static void
insert_mki(uint8_t *buf, size_t *len, size_t at)
{
	memmove(buf + at + 2, buf + at, *len - at);
	buf[at] = 0x0a;
	buf[at + 1] = 0x0b;
	*len += 2;
}

static void
test_srtp_known_answers(void **state)
{
	unsigned int tested = 0;

	(void)state;
	for (unsigned int s = 1; s < SRTP_REF_SUITE_COUNT; s++) {
		struct srtp_ref_key k;
		struct srtp_ref *tx;
		uint8_t p[256], want[300];
		size_t len, wl;

		if (!(built & (1u << s))) {
			print_message("  %s: not in this libsrtp, skipped\n", srtp_ref_suite_name(s));
			continue;
		}
		mkkey(&k, s, (uint8_t)(0x10 * s));
		tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
		assert_non_null(tx);
		/* ROC 0: a fresh stream */
		len = rtp(p, 4660, 0xcafebabe, 160);
		wl = ref_protect(&k, p, len, 0, want);
		assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
		assert_int_equal(len, wl);
		assert_memory_equal(p, want, wl);
		/* CSRCs and a header extension: authenticated, not encrypted */
		{
			static const uint8_t hx[] = { 0x92, 8, 0x12, 0x35, 0, 0, 0, 1, 0xca, 0xfe,
						      0xba, 0xbe, 1, 1, 1, 1, 2, 2, 2, 2, 0xbe, 0xde,
						      0, 1, 0x10, 0xaa, 0, 0, 9, 8, 7 };

			memcpy(p, hx, sizeof(hx));
			len = sizeof(hx);
			wl = ref_protect(&k, p, len, 0, want);
			assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
			assert_int_equal(len, wl);
			assert_memory_equal(p, want, wl);
		}
		/* another SSRC with its ROC set: the index is 7 * 2^16 + SEQ */
		assert_int_equal(srtp_ref_set_roc(tx, 0x01020304, 7), 0);
		len = rtp(p, 9, 0x01020304, 20);
		wl = ref_protect(&k, p, len, 7, want);
		assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
		assert_memory_equal(p, want, wl);
		/* SRTCP: the first index is 1, then 2 */
		for (uint32_t idx = 1; idx <= 2; idx++) {
			len = rtcp(p, 0xcafebabe);
			wl = ref_protect_rtcp(&k, p, len, idx, want);
			assert_int_equal(srtp_ref_protect_rtcp(tx, p, &len, sizeof(p)), SRTP_REF_OK);
			assert_int_equal(len, wl);
			assert_memory_equal(p, want, wl);
		}
		srtp_ref_free(tx);
		/* with an MKI of 2 octets: not authenticated, between the rest
		 * and the tag (counter mode), after it all (GCM: RFC 7714 8.1) */
		k.mki_len = 2;
		k.mki = 0x0a0b;
		tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
		assert_non_null(tx);
		len = rtp(p, 77, 0x0badcafe, 33);
		wl = ref_protect(&k, p, len, 0, want);
		insert_mki(want, &wl, gcm(s) ? wl : wl - srtp_ref_tag_len(s));
		assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
		assert_int_equal(len, wl);
		assert_memory_equal(p, want, wl);
		len = rtcp(p, 0x0badcafe);
		wl = ref_protect_rtcp(&k, p, len, 1, want);
		insert_mki(want, &wl, gcm(s) ? wl : wl - 10);
		assert_int_equal(srtp_ref_protect_rtcp(tx, p, &len, sizeof(p)), SRTP_REF_OK);
		assert_int_equal(len, wl);
		assert_memory_equal(p, want, wl);
		srtp_ref_free(tx);
		tested++;
	}
	print_message("  %u suites match the reference octet for octet\n", tested);
	assert_true(tested >= 2);
}

/* ---- round trips ----------------------------------------------------------------- */

static void
test_srtp_round_trips(void **state)
{
	(void)state;
	for (unsigned int s = 1; s < SRTP_REF_SUITE_COUNT; s++) {
		for (unsigned int mki = 0; mki <= 4; mki += 2) {
			struct srtp_ref_key k;
			struct srtp_ref *tx, *rx;
			uint8_t p[1500], q[1500];

			if (!(built & (1u << s)))
				continue;
			mkkey(&k, s, (uint8_t)(s + mki));
			k.mki_len = (uint8_t)mki;
			k.mki = mki ? 0x0102u >> (8 * (2 - mki / 2)) : 0;
			tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
			rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
			assert_non_null(tx);
			assert_non_null(rx);
			assert_int_equal(srtp_ref_trailer(tx, false),
					 srtp_ref_tag_len(s) + mki);
			for (size_t n = 0; n <= 1200; n += 160) {
				size_t len = rtp(p, (uint16_t)(100 + n), 0x11223344, n), l0 = len;

				memcpy(q, p, len);
				assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
				assert_int_equal(len, l0 + srtp_ref_trailer(tx, false));
				if (n > 0)
					assert_memory_not_equal(p + 12, q + 12, n);
				assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_OK);
				assert_int_equal(len, l0);
				assert_memory_equal(p, q, l0);
			}
			{
				size_t len = rtcp(p, 0x11223344), l0 = len;

				memcpy(q, p, len);
				assert_int_equal(srtp_ref_protect_rtcp(tx, p, &len, sizeof(p)), SRTP_REF_OK);
				assert_int_equal(len, l0 + srtp_ref_trailer(tx, true));
				assert_int_equal(srtp_ref_unprotect_rtcp(rx, p, &len), SRTP_REF_OK);
				assert_int_equal(len, l0);
				assert_memory_equal(p, q, l0);
			}
			/* the other key's session refuses it */
			{
				struct srtp_ref_key k2 = k;
				struct srtp_ref *rx2;
				size_t len = rtp(p, 5000, 0x11223344, 40);

				k2.key[0] ^= 1;
				rx2 = srtp_ref_create(SRTP_REF_INBOUND, &k2);
				assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
				assert_int_equal(srtp_ref_unprotect(rx2, p, &len), SRTP_REF_E_AUTH);
				srtp_ref_free(rx2);
			}
			srtp_ref_free(tx);
			srtp_ref_free(rx);
		}
	}
}

/* ---- refusals --------------------------------------------------------------------- */

static void
test_srtp_forged_and_replayed(void **state)
{
	(void)state;
	for (unsigned int s = 1; s < SRTP_REF_SUITE_COUNT; s++) {
		struct srtp_ref_key k;
		struct srtp_ref *tx, *rx;
		uint8_t p[400], keep[400], old[400];
		size_t len, klen, olen;

		if (!(built & (1u << s)))
			continue;
		mkkey(&k, s, 0x77);
		tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
		rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
		olen = rtp(old, 1, 0xabcdef01, 100);
		assert_int_equal(srtp_ref_protect(tx, old, &olen, sizeof(old)), SRTP_REF_OK);
		len = rtp(p, 2, 0xabcdef01, 100);
		assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
		memcpy(keep, p, len);
		klen = len;
		/* a tag bit flipped, a payload bit flipped: forged */
		p[len - 1] ^= 0x01;
		assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_E_AUTH);
		memcpy(p, keep, klen);
		len = klen;
		p[20] ^= 0x80;
		assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_E_AUTH);
		/* the real one still goes through, once */
		memcpy(p, keep, klen);
		len = klen;
		assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_OK);
		memcpy(p, keep, klen);
		len = klen;
		assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_E_REPLAY);
		/* late, within the window: taken once */
		assert_int_equal(srtp_ref_unprotect(rx, old, &olen), SRTP_REF_OK);
		/* far older than the window (128): refused */
		for (uint16_t seq = 3; seq < 300; seq++) {
			len = rtp(p, seq, 0xabcdef01, 10);
			assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
			if (seq == 100) {
				memcpy(keep, p, len);
				klen = len;
				continue;
			}
			assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_OK);
		}
		len = klen;
		assert_int_equal(srtp_ref_unprotect(rx, keep, &len), SRTP_REF_E_REPLAY);
		/* SRTCP: forged, then replayed */
		len = rtcp(p, 0xabcdef01);
		assert_int_equal(srtp_ref_protect_rtcp(tx, p, &len, sizeof(p)), SRTP_REF_OK);
		memcpy(keep, p, len);
		klen = len;
		p[len - 1] ^= 0x40;
		assert_int_equal(srtp_ref_unprotect_rtcp(rx, p, &len), SRTP_REF_E_AUTH);
		/* the E flag cleared: the tag covers it */
		memcpy(p, keep, klen);
		len = klen;
		p[len - (gcm(s) ? 4 : 14)] &= 0x7f;
		assert_int_equal(srtp_ref_unprotect_rtcp(rx, p, &len), SRTP_REF_E_AUTH);
		memcpy(p, keep, klen);
		len = klen;
		assert_int_equal(srtp_ref_unprotect_rtcp(rx, p, &len), SRTP_REF_OK);
		memcpy(p, keep, klen);
		len = klen;
		assert_int_equal(srtp_ref_unprotect_rtcp(rx, p, &len), SRTP_REF_E_REPLAY);
		srtp_ref_free(tx);
		srtp_ref_free(rx);
	}
}

static void
test_srtp_bounds(void **state)
{
	struct srtp_ref_key k;
	struct srtp_ref *tx, *rx;
	uint8_t p[400];
	size_t len;

	(void)state;
	mkkey(&k, SRTP_REF_AES_CM_128_HMAC_SHA1_80, 3);
	tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
	rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
	/* a ninth SSRC: no stream more */
	for (uint32_t ssrc = 1; ssrc <= SRTP_REF_SSRC_MAX + 1; ssrc++) {
		len = rtp(p, 1, ssrc, 10);
		assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)),
				 ssrc <= SRTP_REF_SSRC_MAX ? SRTP_REF_OK : SRTP_REF_E_SSRC_LIMIT);
		if (ssrc <= SRTP_REF_SSRC_MAX)
			assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_OK);
	}
	len = rtcp(p, SRTP_REF_SSRC_MAX + 1);
	assert_int_equal(srtp_ref_protect_rtcp(tx, p, &len, sizeof(p)), SRTP_REF_E_SSRC_LIMIT);
	srtp_ref_free(tx);
	tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
	/* no room for the tag: nothing touched */
	len = rtp(p, 1, 5, 10);
	assert_int_equal(srtp_ref_protect(tx, p, &len, len + 9), SRTP_REF_E_NOSPACE);
	assert_int_equal(len, 22);
	assert_int_equal(p[12], 1);
	assert_int_equal(srtp_ref_protect(tx, p, &len, len + 10), SRTP_REF_OK);
	len = rtcp(p, 5);
	assert_int_equal(srtp_ref_protect_rtcp(tx, p, &len, len + 13), SRTP_REF_E_NOSPACE);
	/* not RTP: short, version 1; an SRTCP packet too short for its trailer */
	len = 11;
	assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_E_MALFORMED);
	len = rtp(p, 1, 5, 10);
	p[0] = 0x40;
	assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_E_MALFORMED);
	len = rtp(p, 1, 5, 10);
	p[0] = 0x8f;                       /* 15 CSRCs past the end */
	assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_E_MALFORMED);
	len = 8 + 13;
	rtcp(p, 5);
	assert_int_equal(srtp_ref_unprotect_rtcp(rx, p, &len), SRTP_REF_E_MALFORMED);
	/* the wrong direction */
	len = rtp(p, 1, 5, 10);
	assert_int_equal(srtp_ref_protect(rx, p, &len, sizeof(p)), SRTP_REF_E_BAD_PARAM);
	assert_int_equal(srtp_ref_unprotect(tx, p, &len), SRTP_REF_E_BAD_PARAM);
	srtp_ref_free(tx);
	srtp_ref_free(rx);
	/* keys refused */
	k.suite = SRTP_REF_SUITE_COUNT;
	errno = 0;
	assert_null(srtp_ref_create(SRTP_REF_INBOUND, &k));
	assert_int_equal(errno, EINVAL);
	k.suite = SRTP_REF_AES_CM_128_HMAC_SHA1_80;
	k.window = 63;
	assert_null(srtp_ref_create(SRTP_REF_INBOUND, &k));
	k.window = 0x8000;
	assert_null(srtp_ref_create(SRTP_REF_INBOUND, &k));
	k.window = 0x7fff;
	rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
	assert_non_null(rx);
	srtp_ref_free(rx);
	k.window = 0;
	k.mki_len = 5;
	assert_null(srtp_ref_create(SRTP_REF_INBOUND, &k));
	k.mki_len = 1;
	k.mki = 256;
	assert_null(srtp_ref_create(SRTP_REF_INBOUND, &k));
	assert_null(srtp_ref_create(3, &k));
	srtp_ref_free(NULL);
	srtp_ref_key_wipe(&k);
	assert_int_equal(k.key[0] | k.salt[13] | k.suite, 0);
}

/* ---- restarts --------------------------------------------------------------------- */

static void
send_rtp(struct srtp_ref *tx, struct srtp_ref *rx, uint16_t seq, uint32_t ssrc, enum srtp_ref_err want)
{
	uint8_t p[200];
	size_t len = rtp(p, seq, ssrc, 40);

	assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
	if (srtp_ref_unprotect(rx, p, &len) != want)
		fail_msg("seq %u: not %s", seq, srtp_ref_err_name(want));
}

static void
test_srtp_restart(void **state)
{
	(void)state;
	for (unsigned int s = 1; s < SRTP_REF_SUITE_COUNT; s++) {
		struct srtp_ref_key k;
		struct srtp_ref *tx, *rx, *rx2, *tx2;
		struct srtp_ref_stream st[2], ts[2];
		uint8_t p[200], pre[200], prertcp[200];
		size_t len, plen = 0, prlen = 0;
		uint32_t roc;
		const uint32_t ssrc = 0x5eed5eed;

		if (!(built & (1u << s)))
			continue;
		mkkey(&k, s, 0x42);
		tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
		rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
		/* across the wrap: ROC 1 from SEQ 0 on; SEQ 2's packet kept by
		 * an attacker, to replay after the restart */
		for (uint32_t seq = 65530; seq < 65536 + 6; seq++) {
			len = rtp(p, (uint16_t)seq, ssrc, 40);
			assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
			if (seq == 65536 + 2) {
				memcpy(pre, p, len);
				plen = len;
			}
			assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_OK);
		}
		assert_int_equal(srtp_ref_get_roc(rx, ssrc, &roc), 0);
		assert_int_equal(roc, 1);
		assert_int_equal(srtp_ref_get_roc(tx, ssrc, &roc), 0);
		assert_int_equal(roc, 1);
		assert_int_equal(srtp_ref_get_roc(rx, 1, &roc), -ENOENT);
		assert_int_equal(srtp_ref_set_roc(rx, ssrc, 0), -EINVAL);
		/* three SRTCP packets each way, the last kept */
		for (int i = 0; i < 3; i++) {
			len = rtcp(p, ssrc);
			assert_int_equal(srtp_ref_protect_rtcp(tx, p, &len, sizeof(p)), SRTP_REF_OK);
			memcpy(prertcp, p, len);
			prlen = len;
			assert_int_equal(srtp_ref_unprotect_rtcp(rx, p, &len), SRTP_REF_OK);
		}

		assert_int_equal(srtp_ref_streams(rx, st, 2), 1);
		assert_int_equal(st[0].ssrc, ssrc);
		assert_true(st[0].rtp);
		assert_int_equal(st[0].roc, 1);
		assert_int_equal(st[0].seq, 5);
		assert_int_equal(st[0].rtcp_index, 3);
		assert_int_equal(srtp_ref_streams(tx, ts, 2), 1);
		assert_int_equal(ts[0].roc, 1);
		assert_int_equal(ts[0].rtcp_index, 3);

		/* the receiver restarts: without the state, the next packet's
		 * ROC is guessed 0 and the tag fails */
		rx2 = srtp_ref_create(SRTP_REF_INBOUND, &k);
		send_rtp(tx, rx2, 6, ssrc, SRTP_REF_E_AUTH);
		srtp_ref_free(rx2);
		/* with it, the stream goes on; the old packet is a replay */
		rx2 = srtp_ref_create(SRTP_REF_INBOUND, &k);
		assert_int_equal(srtp_ref_restore(rx2, &st[0]), 0);
		assert_int_equal(srtp_ref_restore(rx2, &st[0]), -EEXIST);
		len = plen;
		memcpy(p, pre, plen);
		assert_int_equal(srtp_ref_unprotect(rx2, p, &len), SRTP_REF_E_REPLAY);
		len = prlen;
		memcpy(p, prertcp, prlen);
		assert_int_equal(srtp_ref_unprotect_rtcp(rx2, p, &len), SRTP_REF_E_REPLAY);
		send_rtp(tx, rx2, 7, ssrc, SRTP_REF_OK);
		send_rtp(tx, rx2, 8, ssrc, SRTP_REF_OK);
		srtp_ref_free(rx);

		/* the sender restarts: without the state its next packet's
		 * index is SEQ (ROC 0) and its SRTCP index 1 again: the
		 * receiver refuses both (and the keystream would repeat) */
		tx2 = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
		send_rtp(tx2, rx2, 9, ssrc, SRTP_REF_E_AUTH);
		len = rtcp(p, ssrc);
		assert_int_equal(srtp_ref_protect_rtcp(tx2, p, &len, sizeof(p)), SRTP_REF_OK);
		assert_int_equal(srtp_ref_unprotect_rtcp(rx2, p, &len), SRTP_REF_E_REPLAY);
		srtp_ref_free(tx2);
		/* with it: the same ROC, the SRTCP index after the saved one */
		assert_int_equal(srtp_ref_streams(tx, ts, 2), 1);
		tx2 = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
		assert_int_equal(srtp_ref_restore(tx2, &ts[0]), 0);
		send_rtp(tx2, rx2, 10, ssrc, SRTP_REF_OK);
		len = rtcp(p, ssrc);
		{
			uint8_t want[200];
			size_t wl = ref_protect_rtcp(&k, p, len, 4, want);

			assert_int_equal(srtp_ref_protect_rtcp(tx2, p, &len, sizeof(p)), SRTP_REF_OK);
			assert_memory_equal(p, want, wl);
		}
		assert_int_equal(srtp_ref_unprotect_rtcp(rx2, p, &len), SRTP_REF_OK);
		srtp_ref_free(tx);
		srtp_ref_free(tx2);
		srtp_ref_free(rx2);

		/* a restart just before the wrap: the next packet (SEQ 0)
		 * has ROC + 1, which the restored stream works out */
		tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
		rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
		assert_int_equal(srtp_ref_set_roc(tx, ssrc, 4), 0);
		assert_int_equal(srtp_ref_set_roc(rx, ssrc, 4), 0);
		send_rtp(tx, rx, 65534, ssrc, SRTP_REF_OK);
		send_rtp(tx, rx, 65535, ssrc, SRTP_REF_OK);
		assert_int_equal(srtp_ref_streams(rx, st, 2), 1);
		assert_int_equal(st[0].roc, 4);
		assert_int_equal(srtp_ref_streams(tx, ts, 2), 1);
		srtp_ref_free(rx);
		srtp_ref_free(tx);
		rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
		tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
		assert_int_equal(srtp_ref_restore(rx, &st[0]), 0);
		assert_int_equal(srtp_ref_restore(tx, &ts[0]), 0);
		len = rtp(p, 0, ssrc, 40);
		{
			uint8_t want[200];
			size_t wl = ref_protect(&k, p, len, 5, want);

			assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
			assert_memory_equal(p, want, wl);
		}
		assert_int_equal(srtp_ref_unprotect(rx, p, &len), SRTP_REF_OK);
		send_rtp(tx, rx, 1, ssrc, SRTP_REF_OK);
		assert_int_equal(srtp_ref_get_roc(rx, ssrc, &roc), 0);
		assert_int_equal(roc, 5);
		srtp_ref_free(rx);
		srtp_ref_free(tx);
	}
}

/* ---- ffmpeg: another SRTP ---------------------------------------------------------- */

/* ffmpeg's SRTP (libavformat/srtp.c) is its own implementation of RFC
 * 3711's AES_CM_128_HMAC_SHA1_80 and _32, not libsrtp: it sends and
 * receives what a UE would. Both directions, the payload octet for octet. */

static const char *
ffmpeg_path(void)
{
	static char path[4096];
	const char *env = getenv("PATH");

	while (env != NULL && *env != '\0') {
		const char *colon = strchr(env, ':');
		size_t n = colon != NULL ? (size_t)(colon - env) : strlen(env);

		if (n > 0 && n < sizeof(path) - 8) {
			memcpy(path, env, n);
			memcpy(path + n, "/ffmpeg", 8);
			if (access(path, X_OK) == 0)
				return path;
		}
		env = colon != NULL ? colon + 1 : NULL;
	}
	return NULL;
}

static void
b64(const uint8_t *in, size_t n, char *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = '\0';
}

/* A UDP socket on 127.0.0.1:port (0: any), its port in *port. */
static int
udp_on(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(*port) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), big = 1 << 20;

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

/* An argument list of copies (execv() wants char *, our strings are const). */
struct args {
	int n;
	char *v[40];
	char buf[40][512];
};

static void
arg(struct args *a, const char *s)
{
	assert_true(a->n < 39 && strlen(s) < sizeof(a->buf[0]));
	strcpy(a->buf[a->n], s);
	a->v[a->n] = a->buf[a->n];
	a->v[++a->n] = NULL;
}

static pid_t
spawn(char *const argv[])
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (getenv("TP_TEST_VERBOSE") == NULL) {
			dup2(null, 1);
			dup2(null, 2);
		}
		dup2(null, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for pid until deadline; kill it past that. Its exit status, or -1. */
static int
reap(pid_t pid, double deadline)
{
	int st;

	while (now() < deadline) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* ffmpeg protects, we unprotect: 4000 octets of mu-law in SRTP, its SRTCP. */
static void
ffmpeg_to_us(const char *ffmpeg, const char *dir, unsigned int suite)
{
	uint8_t in[4000], got[8000], p[2048];
	char inpath[512], url[256], params[64];
	static struct args a;
	uint16_t rport = 0, cport = 0, next = 0;
	size_t n = 0;
	unsigned int nrtp = 0, nrtcp = 0, nbad = 0;
	struct srtp_ref_key k;
	struct srtp_ref *rx;
	uint8_t ks[30];
	double deadline = now() + 30;
	bool exited = false;
	int rfd, cfd;
	pid_t pid;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	snprintf(inpath, sizeof(inpath), "%s/in.raw", dir);
	write_file(inpath, in, sizeof(in));
	mkkey(&k, suite, 0x5a);
	memcpy(ks, k.key, 16);
	memcpy(ks + 16, k.salt, 14);
	b64(ks, 30, params);
	rx = srtp_ref_create(SRTP_REF_INBOUND, &k);
	rfd = udp_on(&rport);
	cfd = udp_on(&cport);
	assert_true(rfd >= 0 && cfd >= 0);
	snprintf(url, sizeof(url), "srtp://127.0.0.1:%u?rtcpport=%u&pkt_size=200", rport, cport);
	a.n = 0;
	for (const char *const *v = (const char *const[]){ ffmpeg, "-nostdin", "-hide_banner",
			"-loglevel", "error", "-f", "mulaw", "-ar", "8000", "-ac", "1", "-i", inpath,
			"-c:a", "copy", "-f", "rtp", "-srtp_out_suite", srtp_ref_suite_name(suite),
			"-srtp_out_params", params, url, NULL }; *v != NULL; v++)
		arg(&a, *v);
	pid = spawn(a.v);
	/* until ffmpeg is done and the sockets are quiet */
	while (now() < deadline) {
		struct pollfd pf[2] = { { .fd = rfd, .events = POLLIN }, { .fd = cfd, .events = POLLIN } };
		int st;

		if (poll(pf, 2, 300) == 0) {
			if (exited)
				break;
			if (waitpid(pid, &st, WNOHANG) == pid) {
				assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
				exited = true;
			}
			continue;
		}
		for (ssize_t r; (r = recv(rfd, p, sizeof(p), 0)) > 0;) {
			size_t len = (size_t)r;
			uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);

			if (srtp_ref_unprotect(rx, p, &len) != SRTP_REF_OK)
				fail_msg("%s: ffmpeg's SRTP packet %u refused", srtp_ref_suite_name(suite),
					 nrtp);
			assert_int_equal(p[0], 0x80);            /* no CSRC, extension, padding */
			assert_int_equal(p[1] & 0x7f, 0);        /* PCMU */
			assert_true(nrtp == 0 || seq == next);
			next = (uint16_t)(seq + 1);
			assert_true(n + len - 12 <= sizeof(got));
			memcpy(got + n, p + 12, len - 12);
			n += len - 12;
			nrtp++;
		}
		for (ssize_t r; (r = recv(cfd, p, sizeof(p), 0)) > 0;) {
			size_t len = (size_t)r;
			enum srtp_ref_err e = srtp_ref_unprotect_rtcp(rx, p, &len);

			/*
			 * ffmpeg tags SRTCP under AES_CM_128_HMAC_SHA1_32 with
			 * 4 octets (its srtp.c); RFC 3711 section 5.2 forbids an
			 * SRTCP tag below 80 bits, and RFC 4568's _32 suite keeps
			 * SRTCP's at 80, as libsrtp (and so we) do: refused.
			 */
			if (suite == SRTP_REF_AES_CM_128_HMAC_SHA1_32) {
				assert_int_equal(e, SRTP_REF_E_AUTH);
				nbad++;
				continue;
			}
			if (e != SRTP_REF_OK)
				fail_msg("%s: ffmpeg's SRTCP packet refused", srtp_ref_suite_name(suite));
			assert_int_equal(p[1], 200);             /* an SR */
			nrtcp++;
		}
	}
	if (!exited)
		reap(pid, now());
	print_message("  ffmpeg -> us, %s: %u SRTP packets, %zu octets; %u SRTCP taken, %u with "
		      "ffmpeg's 32-bit SRTCP tag refused\n", srtp_ref_suite_name(suite), nrtp, n,
		      nrtcp, nbad);
	assert_int_equal(n, sizeof(in));
	assert_memory_equal(got, in, sizeof(in));
	assert_true(nrtcp + nbad >= 1);
	close(rfd);
	close(cfd);
	srtp_ref_free(rx);
}

/* We protect, ffmpeg unprotects (an SDP with our a=crypto): 50 packets of
 * 160 octets, written out by ffmpeg as they came. */
static void
us_to_ffmpeg(const char *ffmpeg, const char *dir, unsigned int suite)
{
	char sdp[512], sdppath[512], outpath[512], params[64];
	uint8_t ks[30], p[400], out[16000];
	static struct args a;
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct srtp_ref_key k;
	struct srtp_ref *tx;
	uint16_t port = 0;
	double t0;
	FILE *f;
	size_t n;
	int fd, probe;
	pid_t pid;

	mkkey(&k, suite, 0xa5);
	memcpy(ks, k.key, 16);
	memcpy(ks + 16, k.salt, 14);
	b64(ks, 30, params);
	tx = srtp_ref_create(SRTP_REF_OUTBOUND, &k);
	/* a free even port with a free one after it (ffmpeg takes both) */
	for (uint16_t try = 0;; try++) {
		uint16_t q;

		assert_true(try < 200);
		port = 0;
		probe = udp_on(&port);
		close(probe);
		if (port % 2 != 0 || port == 65534)
			continue;
		q = (uint16_t)(port + 1);
		probe = udp_on(&q);
		if (probe >= 0) {
			close(probe);
			break;
		}
	}
	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		 "a=crypto:1 %s inline:%s\r\n", port, srtp_ref_suite_name(suite), params);
	snprintf(sdppath, sizeof(sdppath), "%s/in.sdp", dir);
	snprintf(outpath, sizeof(outpath), "%s/out.raw", dir);
	unlink(outpath);
	write_file(sdppath, sdp, strlen(sdp));
	a.n = 0;
	for (const char *const *v = (const char *const[]){ ffmpeg, "-nostdin", "-hide_banner",
			"-loglevel", "error", "-protocol_whitelist", "file,udp,rtp,srtp",
			"-listen_timeout", "2", "-reorder_queue_size", "0", "-i", sdppath, "-c:a",
			"copy", "-f", "mulaw", outpath, NULL }; *v != NULL; v++)
		arg(&a, *v);
	pid = spawn(a.v);
	/* ffmpeg listens once the port is taken */
	t0 = now();
	for (;;) {
		uint16_t q = port;

		probe = udp_on(&q);
		if (probe < 0)
			break;
		close(probe);
		assert_true(now() - t0 < 20);
		usleep(20000);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	to.sin_port = htons(port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (unsigned int i = 0; i < 50; i++) {
		size_t len = rtp(p, (uint16_t)(60000 + i), 0x1234abcd, 160);

		/* a timestamp that steps by the samples sent (RFC 3551: 8 kHz) */
		p[4] = (uint8_t)(i * 160 >> 24); p[5] = (uint8_t)(i * 160 >> 16);
		p[6] = (uint8_t)(i * 160 >> 8); p[7] = (uint8_t)(i * 160);
		p[1] = 0;
		for (unsigned int j = 0; j < 160; j++)
			p[12 + j] = (uint8_t)(i * 160 + j * 3);
		assert_int_equal(srtp_ref_protect(tx, p, &len, sizeof(p)), SRTP_REF_OK);
		assert_true(sendto(fd, p, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len);
		usleep(2000);
	}
	close(fd);
	/* ffmpeg ends after 2 s without a packet */
	assert_int_equal(reap(pid, now() + 30), 0);
	f = fopen(outpath, "rb");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out), f);
	fclose(f);
	print_message("  us -> ffmpeg, %s: %zu octets written by ffmpeg\n",
		      srtp_ref_suite_name(suite), n);
	assert_int_equal(n, 50 * 160);
	for (unsigned int i = 0; i < 50; i++)
		for (unsigned int j = 0; j < 160; j++)
			if (out[i * 160 + j] != (uint8_t)(i * 160 + j * 3))
				fail_msg("octet %u of packet %u differs", j, i);
	srtp_ref_free(tx);
}

static void
test_srtp_ffmpeg_interop(void **state)
{
	const char *ffmpeg = ffmpeg_path();
	char dir[256];
	const char *tmp = getenv("TMPDIR");

	(void)state;
	if (ffmpeg == NULL) {
		print_message("  ffmpeg not installed: interop not checked\n");
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/tp-srtp-XXXXXX", tmp != NULL ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	ffmpeg_to_us(ffmpeg, dir, SRTP_REF_AES_CM_128_HMAC_SHA1_80);
	ffmpeg_to_us(ffmpeg, dir, SRTP_REF_AES_CM_128_HMAC_SHA1_32);
	us_to_ffmpeg(ffmpeg, dir, SRTP_REF_AES_CM_128_HMAC_SHA1_80);
	us_to_ffmpeg(ffmpeg, dir, SRTP_REF_AES_CM_128_HMAC_SHA1_32);
	{
		char path[600];

		for (const char *const *f = (const char *const[]){ "in.raw", "in.sdp", "out.raw", NULL };
		     *f != NULL; f++) {
			snprintf(path, sizeof(path), "%s/%s", dir, *f);
			unlink(path);
		}
		rmdir(dir);
	}
}

/* ---- names --------------------------------------------------------------------------- */

static void
test_srtp_names(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < SRTP_REF_E_COUNT; i++) {
		assert_non_null(srtp_ref_err_name(i));
		assert_non_null(srtp_ref_err_help(i));
		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(srtp_ref_err_name(i), srtp_ref_err_name(j));
	}
	assert_null(srtp_ref_err_name(SRTP_REF_E_COUNT));
	/* lib/sdp's suites are ours, value for value */
	assert_int_equal(SRTP_REF_SUITE_COUNT, SDP_SUITE_COUNT);
	for (unsigned int s = 1; s < SRTP_REF_SUITE_COUNT; s++) {
		assert_string_equal(srtp_ref_suite_name(s), sdp_suite_name(s));
		assert_int_equal(srtp_ref_key_len(s) + srtp_ref_salt_len(s), sdp_suite_key_len(s));
	}
	assert_null(srtp_ref_suite_name(SRTP_REF_NONE));
	assert_int_equal(srtp_ref_key_len(SRTP_REF_SUITE_COUNT), 0);
	print_message("  libsrtp %s: suites built 0x%x%s\n", "2.x", built,
		      built & (1u << SRTP_REF_AEAD_AES_128_GCM) ? " (AES-GCM in)" :
		      " (no AES-GCM)");
	if (!(built & (1u << SRTP_REF_AES_192_CM_HMAC_SHA1_80))) {
		struct srtp_ref_key k = { .suite = SRTP_REF_AES_192_CM_HMAC_SHA1_80 };

		print_message("  AES_192_CM left out: this libsrtp does not derive its keys as "
			      "RFC 6188 7.4 has it (libsrtp issue 763)\n");
		errno = 0;
		assert_null(srtp_ref_create(SRTP_REF_INBOUND, &k));
		assert_int_equal(errno, ENOTSUP);
	}
	/* the two the issue needs at least */
	assert_true(built & (1u << SRTP_REF_AES_CM_128_HMAC_SHA1_80));
	assert_true(built & (1u << SRTP_REF_AES_CM_128_HMAC_SHA1_32));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srtp_reference_rfc3711_vectors),
		cmocka_unit_test(test_srtp_known_answers),
		cmocka_unit_test(test_srtp_round_trips),
		cmocka_unit_test(test_srtp_forged_and_replayed),
		cmocka_unit_test(test_srtp_bounds),
		cmocka_unit_test(test_srtp_restart),
		cmocka_unit_test(test_srtp_names),
		cmocka_unit_test(test_srtp_ffmpeg_interop),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
