/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stateless front of TURN over DTLS (dtls_hello.h): the ClientHello's
 * cookie found by a bounded read, our cookie made and checked with
 * OpenSSL's HMAC, the HelloVerifyRequest written; for DTLS-SRTP, a
 * ClientHello cut into records within its datagram taken whole, and the
 * rest of the ClientHello walked to use_srtp.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "dtls_hello.h"

static inline uint32_t
rd16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t
rd24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

enum dtls_hello_rc
dtls_hello_parse(const uint8_t *p, size_t len, struct dtls_hello *h)
{
	const uint8_t *hs, *b;
	uint32_t rec_len, msg_len, frag_off, frag_len, at;

	if (len < DTLS_REC_HDR_LEN)
		return DTLS_HELLO_SHORT;
	if (p[0] != DTLS_CT_HANDSHAKE || p[3] != 0 || p[4] != 0)
		return DTLS_HELLO_NOT_HANDSHAKE;
	if (p[1] != 0xfe)
		return DTLS_HELLO_VERSION;
	rec_len = rd16(p + 11);
	/* the first record only; others in the datagram are not read */
	if (rec_len > len - DTLS_REC_HDR_LEN)
		return DTLS_HELLO_SHORT;
	if (rec_len < DTLS_HS_HDR_LEN)
		return DTLS_HELLO_SHORT;
	hs = p + DTLS_REC_HDR_LEN;
	if (hs[0] != DTLS_HS_CLIENT_HELLO)
		return DTLS_HELLO_NOT_CH;
	msg_len = rd24(hs + 1);
	frag_off = rd24(hs + 6);
	frag_len = rd24(hs + 9);
	if (frag_len > rec_len - DTLS_HS_HDR_LEN)
		return DTLS_HELLO_BAD_LEN;
	/* A ClientHello comes whole in one record (OpenSSL's DTLSv1_listen
	 * takes no other either): its fragments would need state. */
	if (frag_off != 0 || frag_len != msg_len)
		return DTLS_HELLO_FRAGMENT;
	b = hs + DTLS_HS_HDR_LEN;
	/* client_version, random[32], session_id<0..32>, cookie<0..2^8-1> */
	if (frag_len < 2 + 32 + 1)
		return DTLS_HELLO_SHORT;
	if (b[0] != 0xfe)
		return DTLS_HELLO_VERSION;
	at = 2 + 32;
	if (b[at] > 32)
		return DTLS_HELLO_BAD_LEN;
	at += 1u + b[at];
	if (at + 1 > frag_len)
		return DTLS_HELLO_SHORT;
	if (at + 1u + b[at] > frag_len)
		return DTLS_HELLO_SHORT;
	h->rec_version = (uint16_t)rd16(p + 1);
	h->rec_seq = (uint64_t)rd16(p + 5) << 32 | (uint64_t)rd16(p + 7) << 16 | rd16(p + 9);
	h->msg_seq = (uint16_t)rd16(hs + 4);
	h->client_version = (uint16_t)rd16(b);
	h->cookie_len = b[at];
	h->cookie = b + at + 1;
	h->body = b;
	h->body_len = frag_len;
	h->srtp = 0;
	h->srtp_mki_len = 0;
	return DTLS_HELLO_OK;
}

enum dtls_hello_rc
dtls_hello_reassemble(const uint8_t *p, size_t len, uint8_t *buf, size_t size,
		      struct dtls_hello *h)
{
	const size_t hdrs = DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN;
	uint32_t msg_len, msg_seq, have = 0;
	unsigned int frags = 0;
	size_t at = 0;
	enum dtls_hello_rc rc = dtls_hello_parse(p, len, h);

	/* (a whole one, or no ClientHello at all: as the parse says) */
	if (rc != DTLS_HELLO_FRAGMENT)
		return rc;
	/* (dtls_hello_parse() checked the first record's headers) */
	msg_len = rd24(p + DTLS_REC_HDR_LEN + 1);
	msg_seq = rd16(p + DTLS_REC_HDR_LEN + 4);
	if (rd24(p + DTLS_REC_HDR_LEN + 6) != 0 || size < hdrs || msg_len > size - hdrs)
		return DTLS_HELLO_FRAGMENT;
	while (have < msg_len) {
		const uint8_t *r = p + at;
		size_t rlen, f = 0;

		if (len - at < DTLS_REC_HDR_LEN)
			return DTLS_HELLO_FRAGMENT;
		rlen = rd16(r + 11);
		if (r[0] != DTLS_CT_HANDSHAKE || r[3] != 0 || r[4] != 0 ||
		    rlen > len - at - DTLS_REC_HDR_LEN)
			return DTLS_HELLO_FRAGMENT;
		/* each fragment of the record, in order */
		while (have < msg_len && rlen - f >= DTLS_HS_HDR_LEN) {
			const uint8_t *hs = r + DTLS_REC_HDR_LEN + f;
			uint32_t flen = rd24(hs + 9);

			if (hs[0] != DTLS_HS_CLIENT_HELLO || rd24(hs + 1) != msg_len ||
			    rd16(hs + 4) != msg_seq || rd24(hs + 6) != have ||
			    flen > msg_len - have || flen > rlen - f - DTLS_HS_HDR_LEN ||
			    (flen == 0 && msg_len != 0) || ++frags > DTLS_HELLO_FRAGS_MAX)
				return DTLS_HELLO_FRAGMENT;
			memcpy(buf + hdrs + have, hs + DTLS_HS_HDR_LEN, flen);
			have += flen;
			f += DTLS_HS_HDR_LEN + flen;
		}
		/* (a record ending in a cut fragment header: refused) */
		if (have < msg_len && f != rlen)
			return DTLS_HELLO_FRAGMENT;
		at += DTLS_REC_HDR_LEN + rlen;
	}
	/* one record, one fragment of all of it */
	memcpy(buf, p, DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN);
	buf[11] = (uint8_t)((DTLS_HS_HDR_LEN + msg_len) >> 8);
	buf[12] = (uint8_t)(DTLS_HS_HDR_LEN + msg_len);
	memcpy(buf + DTLS_REC_HDR_LEN + 9, buf + DTLS_REC_HDR_LEN + 1, 3);  /* frag_len */
	return dtls_hello_parse(buf, hdrs + msg_len, h);
}

unsigned int
dtls_srtp_profile_bit(unsigned int id)
{
	switch (id) {
	case DTLS_SRTP_ID_AES128_CM_SHA1_80:
		return DTLS_SRTP_AES128_CM_80;
	case DTLS_SRTP_ID_AES128_CM_SHA1_32:
		return DTLS_SRTP_AES128_CM_32;
	case DTLS_SRTP_ID_AEAD_AES_128_GCM:
		return DTLS_SRTP_AEAD_128_GCM;
	case DTLS_SRTP_ID_AEAD_AES_256_GCM:
		return DTLS_SRTP_AEAD_256_GCM;
	}
	return 0;
}

unsigned int
dtls_srtp_profile_id(unsigned int bit)
{
	switch (bit) {
	case DTLS_SRTP_AES128_CM_80:
		return DTLS_SRTP_ID_AES128_CM_SHA1_80;
	case DTLS_SRTP_AES128_CM_32:
		return DTLS_SRTP_ID_AES128_CM_SHA1_32;
	case DTLS_SRTP_AEAD_128_GCM:
		return DTLS_SRTP_ID_AEAD_AES_128_GCM;
	case DTLS_SRTP_AEAD_256_GCM:
		return DTLS_SRTP_ID_AEAD_AES_256_GCM;
	}
	return 0;
}

enum dtls_hello_rc
dtls_use_srtp_read(const uint8_t *e, size_t n, uint8_t *profiles, uint8_t *mki_len)
{
	uint32_t plen;

	*profiles = 0;
	*mki_len = 0;
	if (n < 2)
		return DTLS_HELLO_BAD_LEN;
	plen = rd16(e);
	if (plen < 2 || plen % 2 != 0 || 2 + plen + 1 > n)
		return DTLS_HELLO_BAD_LEN;
	if (2 + plen + 1 + e[2 + plen] != n)
		return DTLS_HELLO_BAD_LEN;
	for (uint32_t i = 0; i < plen; i += 2)
		*profiles = (uint8_t)(*profiles | dtls_srtp_profile_bit(rd16(e + 2 + i)));
	*mki_len = e[2 + plen];
	return DTLS_HELLO_OK;
}

enum dtls_hello_rc
dtls_hello_srtp(struct dtls_hello *h, unsigned int offered)
{
	const uint8_t *b = h->body;
	uint32_t n = h->body_len, at, len, end;
	bool seen = false;

	h->srtp = 0;
	h->srtp_mki_len = 0;
	/* DTLS versions count down: 0xfefd is 1.2, 0xfeff 1.0 */
	if (h->client_version > 0xfefd)
		return DTLS_HELLO_OLD_VERSION;
	/* past the cookie (dtls_hello_parse() found it inside the body) */
	at = (uint32_t)(h->cookie - b) + h->cookie_len;
	/* cipher_suites<2..2^16-2> */
	if (at + 2 > n)
		return DTLS_HELLO_SHORT;
	len = rd16(b + at);
	if (len < 2 || len % 2 != 0)
		return DTLS_HELLO_BAD_LEN;
	at += 2;
	if (len > n - at)
		return DTLS_HELLO_SHORT;
	at += len;
	/* compression_methods<1..2^8-1> */
	if (at + 1 > n)
		return DTLS_HELLO_SHORT;
	len = b[at];
	if (len < 1)
		return DTLS_HELLO_BAD_LEN;
	at += 1;
	if (len > n - at)
		return DTLS_HELLO_SHORT;
	at += len;
	/* no extensions at all: none of use_srtp either */
	if (at == n)
		return DTLS_HELLO_NO_USE_SRTP;
	if (at + 2 > n)
		return DTLS_HELLO_SHORT;
	len = rd16(b + at);
	at += 2;
	if (len > n - at)
		return DTLS_HELLO_SHORT;
	if (len < n - at)
		return DTLS_HELLO_BAD_LEN;   /* octets after the extensions */
	end = n;
	/* each extension: type, length, data; each step moves 4 octets or
	 * more, so the walk ends within (n / 4) steps */
	while (at < end) {
		uint32_t type, elen;
		enum dtls_hello_rc rc;

		if (end - at < 4)
			return DTLS_HELLO_BAD_LEN;
		type = rd16(b + at);
		elen = rd16(b + at + 2);
		at += 4;
		if (elen > end - at)
			return DTLS_HELLO_BAD_LEN;
		if (type == DTLS_USE_SRTP_EXT) {
			/* twice: OpenSSL refuses a repeated extension too */
			if (seen)
				return DTLS_HELLO_BAD_LEN;
			seen = true;
			rc = dtls_use_srtp_read(b + at, elen, &h->srtp, &h->srtp_mki_len);
			if (rc != DTLS_HELLO_OK)
				return rc;
		}
		at += elen;
	}
	if (!seen)
		return DTLS_HELLO_NO_USE_SRTP;
	if (h->srtp_mki_len != 0)
		return DTLS_HELLO_SRTP_MKI;
	if ((h->srtp & offered) == 0)
		return DTLS_HELLO_NO_PROFILE;
	return DTLS_HELLO_OK;
}

uint32_t
dtls_hs_msg_longest(const uint8_t *p, size_t len)
{
	uint32_t longest = 0;
	size_t at = 0;

	while (len - at >= DTLS_REC_HDR_LEN) {
		const uint8_t *r = p + at;
		size_t rlen = rd16(r + 11);

		if (rlen > len - at - DTLS_REC_HDR_LEN)
			break;
		/* each fragment of the record (several may share one) */
		for (size_t f = 0; r[0] == DTLS_CT_HANDSHAKE && r[3] == 0 && r[4] == 0 &&
				   rlen - f >= DTLS_HS_HDR_LEN;) {
			const uint8_t *hs = r + DTLS_REC_HDR_LEN + f;
			uint32_t flen = rd24(hs + 9);

			if (rd24(hs + 1) > longest)
				longest = rd24(hs + 1);
			if (flen > rlen - f - DTLS_HS_HDR_LEN)
				break;
			f += DTLS_HS_HDR_LEN + flen;
		}
		at += DTLS_REC_HDR_LEN + rlen;
	}
	return longest;
}

const char *
dtls_hello_rc_str(enum dtls_hello_rc rc)
{
	static const char *const s[DTLS_HELLO__COUNT] = {
		[DTLS_HELLO_OK] = "ok",
		[DTLS_HELLO_SHORT] = "truncated",
		[DTLS_HELLO_NOT_HANDSHAKE] = "not a handshake record of epoch 0",
		[DTLS_HELLO_VERSION] = "not DTLS",
		[DTLS_HELLO_NOT_CH] = "not a ClientHello",
		[DTLS_HELLO_FRAGMENT] = "a fragment",
		[DTLS_HELLO_BAD_LEN] = "inconsistent lengths",
		[DTLS_HELLO_OLD_VERSION] = "DTLS 1.0",
		[DTLS_HELLO_NO_USE_SRTP] = "no use_srtp",
		[DTLS_HELLO_NO_PROFILE] = "no SRTP profile in common",
		[DTLS_HELLO_SRTP_MKI] = "an SRTP MKI",
	};

	return (unsigned int)rc < DTLS_HELLO__COUNT ? s[rc] : "?";
}

/* A new secret for the MAC of slot parity i. */
static int
rekey(struct dtls_cookie_key *k, unsigned int i)
{
	uint8_t secret[32];
	int ok;

	if (RAND_bytes(secret, sizeof(secret)) != 1)
		return -1;
	ok = EVP_MAC_init(k->mac[i], secret, sizeof(secret), NULL);
	OPENSSL_cleanse(secret, sizeof(secret));
	return ok == 1 ? 0 : -1;
}

int
dtls_cookie_key_init(struct dtls_cookie_key *k, OSSL_LIB_CTX *libctx, uint32_t now_slot)
{
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac;

	memset(k, 0, sizeof(*k));
	mac = EVP_MAC_fetch(libctx, "HMAC", NULL);
	if (mac == NULL)
		return -1;
	for (unsigned int i = 0; i < 2; i++) {
		k->mac[i] = EVP_MAC_CTX_new(mac);
		if (k->mac[i] == NULL || EVP_MAC_CTX_set_params(k->mac[i], params) != 1 ||
		    rekey(k, i) < 0) {
			EVP_MAC_free(mac);
			dtls_cookie_key_free(k);
			return -1;
		}
	}
	EVP_MAC_free(mac);
	k->slot = now_slot;
	return 0;
}

void
dtls_cookie_key_free(struct dtls_cookie_key *k)
{
	for (unsigned int i = 0; i < 2; i++) {
		EVP_MAC_CTX_free(k->mac[i]);
		k->mac[i] = NULL;
	}
}

int
dtls_cookie_key_tick(struct dtls_cookie_key *k, uint32_t now_slot)
{
	if (now_slot == k->slot)
		return 0;
	/* (a jump of two or more: both secrets are new) */
	if (now_slot - k->slot >= 2 && rekey(k, (now_slot - 1) & 1) < 0)
		return -1;
	if (rekey(k, now_slot & 1) < 0)
		return -1;
	k->slot = now_slot;
	k->rotations++;
	return 0;
}

void
dtls_cookie_peer(uint8_t out[DTLS_PEER_LEN], uint8_t family, const uint8_t *src,
		 uint16_t sport, const uint8_t *dst, uint16_t dport)
{
	out[0] = family;
	memcpy(out + 1, src, 16);
	out[17] = (uint8_t)(sport >> 8);
	out[18] = (uint8_t)sport;
	memcpy(out + 19, dst, 16);
	out[35] = (uint8_t)(dport >> 8);
	out[36] = (uint8_t)dport;
}

/* HMAC(secret of slot, slot || peer), truncated, into out. The MAC's key
 * stays set: EVP_MAC_init with no key starts over with it. */
static int
cookie_mac(struct dtls_cookie_key *k, uint32_t slot, const uint8_t peer[DTLS_PEER_LEN],
	   uint8_t out[DTLS_COOKIE_MAC_LEN])
{
	EVP_MAC_CTX *m = k->mac[slot & 1];
	uint8_t s[4] = { (uint8_t)(slot >> 24), (uint8_t)(slot >> 16), (uint8_t)(slot >> 8),
			 (uint8_t)slot };
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t n = 0;

	if (EVP_MAC_init(m, NULL, 0, NULL) != 1 || EVP_MAC_update(m, s, 4) != 1 ||
	    EVP_MAC_update(m, peer, DTLS_PEER_LEN) != 1 ||
	    EVP_MAC_final(m, full, &n, sizeof(full)) != 1 || n < DTLS_COOKIE_MAC_LEN)
		return -1;
	memcpy(out, full, DTLS_COOKIE_MAC_LEN);
	return 0;
}

int
dtls_cookie_make(struct dtls_cookie_key *k, const uint8_t peer[DTLS_PEER_LEN],
		 uint8_t out[DTLS_COOKIE_LEN])
{
	uint32_t slot = k->slot;

	out[0] = (uint8_t)(slot >> 24);
	out[1] = (uint8_t)(slot >> 16);
	out[2] = (uint8_t)(slot >> 8);
	out[3] = (uint8_t)slot;
	return cookie_mac(k, slot, peer, out + 4);
}

bool
dtls_cookie_ok(struct dtls_cookie_key *k, const uint8_t peer[DTLS_PEER_LEN],
	       const uint8_t *c, size_t len)
{
	uint8_t mac[DTLS_COOKIE_MAC_LEN];
	uint32_t slot;

	if (len != DTLS_COOKIE_LEN)
		return false;
	slot = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
	if (slot != k->slot && slot != k->slot - 1)
		return false;
	if (cookie_mac(k, slot, peer, mac) < 0)
		return false;
	return CRYPTO_memcmp(mac, c + 4, DTLS_COOKIE_MAC_LEN) == 0;
}

size_t
dtls_hvr_build(uint8_t *out, size_t cap, const struct dtls_hello *h,
	       const uint8_t *cookie, size_t cookie_len)
{
	size_t body = 3 + cookie_len, hs = DTLS_HS_HDR_LEN + body;
	size_t n = DTLS_REC_HDR_LEN + hs;
	uint8_t *p = out;

	if (cookie_len > DTLS_COOKIE_LEN || cap < n)
		return 0;
	*p++ = DTLS_CT_HANDSHAKE;
	*p++ = 0xfe;
	*p++ = 0xff;
	*p++ = 0;                  /* epoch 0 */
	*p++ = 0;
	for (int i = 5; i >= 0; i--)
		*p++ = (uint8_t)(h->rec_seq >> (8 * i));
	*p++ = (uint8_t)(hs >> 8);
	*p++ = (uint8_t)hs;
	*p++ = DTLS_HS_HELLO_VERIFY;
	*p++ = 0;
	*p++ = (uint8_t)(body >> 8);
	*p++ = (uint8_t)body;
	*p++ = (uint8_t)(h->msg_seq >> 8);
	*p++ = (uint8_t)h->msg_seq;
	*p++ = 0;                  /* fragment offset 0 */
	*p++ = 0;
	*p++ = 0;
	*p++ = 0;                  /* fragment length: all of it */
	*p++ = (uint8_t)(body >> 8);
	*p++ = (uint8_t)body;
	*p++ = 0xfe;               /* server_version */
	*p++ = 0xff;
	*p++ = (uint8_t)cookie_len;
	memcpy(p, cookie, cookie_len);
	return n;
}
