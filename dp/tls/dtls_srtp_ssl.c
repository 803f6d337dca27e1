/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS-SRTP's side of OpenSSL (dtls_srtp_ssl.h): the profiles' names and
 * keys, the context's callbacks, the exporter split by role.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>

#include "dtls_srtp_ssl.h"
#include "tls_leg.h"

/* RFC 5764 §9 / RFC 7714 §14.2: the exporter's label */
#define EXPORT_LABEL "EXTRACTOR-dtls_srtp"

/* Our order of preference, and each profile's OpenSSL name, suite, key
 * and salt octets (RFC 5764 §4.1.2; RFC 7714 §12). */
static const struct {
	unsigned int bit;
	unsigned int id;
	const char *name;
	unsigned int suite;
	unsigned int key, salt;
} prof[] = {
	{ DTLS_SRTP_AEAD_256_GCM, DTLS_SRTP_ID_AEAD_AES_256_GCM, "SRTP_AEAD_AES_256_GCM",
	  DTLS_SRTP_SUITE_AEAD_AES_256_GCM, 32, 12 },
	{ DTLS_SRTP_AEAD_128_GCM, DTLS_SRTP_ID_AEAD_AES_128_GCM, "SRTP_AEAD_AES_128_GCM",
	  DTLS_SRTP_SUITE_AEAD_AES_128_GCM, 16, 12 },
	{ DTLS_SRTP_AES128_CM_80, DTLS_SRTP_ID_AES128_CM_SHA1_80, "SRTP_AES128_CM_SHA1_80",
	  DTLS_SRTP_SUITE_AES_CM_128_SHA1_80, 16, 14 },
	{ DTLS_SRTP_AES128_CM_32, DTLS_SRTP_ID_AES128_CM_SHA1_32, "SRTP_AES128_CM_SHA1_32",
	  DTLS_SRTP_SUITE_AES_CM_128_SHA1_32, 16, 14 },
};

#define NPROF (sizeof(prof) / sizeof(prof[0]))

int
dtls_srtp_profile_list(unsigned int profiles, char *buf, size_t len)
{
	size_t at = 0;

	if (len > 0)
		buf[0] = '\0';
	for (unsigned int i = 0; i < NPROF; i++) {
		int n;

		if (!(profiles & prof[i].bit))
			continue;
		n = snprintf(buf + at, len - at, "%s%s", at > 0 ? ":" : "", prof[i].name);
		if (n < 0 || (size_t)n >= len - at)
			return -1;
		at += (size_t)n;
	}
	return (int)at;
}

unsigned int
dtls_srtp_profiles_of(SSL *s)
{
	STACK_OF(SRTP_PROTECTION_PROFILE) *sk = SSL_get_srtp_profiles(s);
	unsigned int bits = 0;

	for (int i = 0; sk != NULL && i < sk_SRTP_PROTECTION_PROFILE_num(sk); i++)
		bits |= dtls_srtp_profile_bit(
			(unsigned int)sk_SRTP_PROTECTION_PROFILE_value(sk, i)->id);
	return bits;
}

static int
prof_of(unsigned int id)
{
	for (unsigned int i = 0; i < NPROF; i++)
		if (prof[i].id == id)
			return (int)i;
	return -1;
}

unsigned int
dtls_srtp_suite(unsigned int profile_id)
{
	int i = prof_of(profile_id);

	return i >= 0 ? prof[i].suite : 0;
}

unsigned int
dtls_srtp_key_len(unsigned int profile_id)
{
	int i = prof_of(profile_id);

	return i >= 0 ? prof[i].key + prof[i].salt : 0;
}

int
dtls_srtp_client_hello(SSL *s, int *al, void *arg)
{
	struct tls_leg *leg = tls_leg_of(s);
	const unsigned char *e;
	size_t n;
	uint8_t offered = 0, mki = 0;

	(void)arg;
	if (SSL_client_hello_get0_ext(s, DTLS_USE_SRTP_EXT, &e, &n) == 1 &&
	    dtls_use_srtp_read(e, n, &offered, &mki) == DTLS_HELLO_OK && mki == 0 &&
	    (offered & dtls_srtp_profiles_of(s)) != 0)
		return SSL_CLIENT_HELLO_SUCCESS;
	if (leg != NULL && leg->why == TLS_FAIL_NONE)
		leg->why = TLS_FAIL_NO_SRTP;
	*al = SSL_AD_HANDSHAKE_FAILURE;
	return SSL_CLIENT_HELLO_ERROR;
}

void
dtls_srtp_info(const SSL *s, int where, int ret)
{
	struct tls_leg *leg;
	int desc = ret & 0xff;

	if (!(where & SSL_CB_ALERT) || (leg = tls_leg_of(s)) == NULL)
		return;
	if (where & SSL_CB_READ) {
		if ((ret >> 8) == SSL3_AL_FATAL)
			leg->alert = (uint8_t)desc;
		else if (desc == SSL_AD_CLOSE_NOTIFY)
			leg->close_notify = 1;
	} else if ((ret >> 8) == SSL3_AL_FATAL) {
		leg->alert_sent = (uint8_t)desc;
	} else if (desc == SSL_AD_NO_RENEGOTIATION && leg->reneg_refused < UINT8_MAX) {
		/* a ClientHello after the handshake (we serve), or a
		 * HelloRequest (we are the client): SSL_OP_NO_RENEGOTIATION
		 * answers with this warning */
		leg->reneg_refused++;
	}
}

/* k (key then salt octets, from the exporter's two halves) into one
 * direction's key. */
static void
key_put(struct ipc_srtp_key *k, unsigned int suite, const uint8_t *key, unsigned int klen,
	const uint8_t *salt, unsigned int slen)
{
	k->suite = (uint8_t)suite;
	k->key_len = (uint8_t)(klen + slen);
	memcpy(k->key, key, klen);
	memcpy(k->key + klen, salt, slen);
}

int
dtls_srtp_export(SSL *s, bool client, struct ipc_srtp_key *rx, struct ipc_srtp_key *tx)
{
	const SRTP_PROTECTION_PROFILE *sp = SSL_get_selected_srtp_profile(s);
	uint8_t out[2 * (32 + 14)];
	const uint8_t *ck, *sk, *cs, *ss;
	unsigned int k, sl;
	int i;

	memset(rx, 0, sizeof(*rx));
	memset(tx, 0, sizeof(*tx));
	/* (a server has its profile at the ClientHello, its keys only at
	 * the handshake's end) */
	if (!SSL_is_init_finished(s))
		return -EAGAIN;
	if (sp == NULL)
		return -ENOPROTOOPT;
	i = prof_of((unsigned int)sp->id);
	if (i < 0)
		return -EPROTONOSUPPORT;
	k = prof[i].key;
	sl = prof[i].salt;
	if (SSL_export_keying_material(s, out, 2 * (k + sl), EXPORT_LABEL,
				       sizeof(EXPORT_LABEL) - 1, NULL, 0, 0) != 1) {
		ERR_clear_error();
		OPENSSL_cleanse(out, sizeof(out));
		return -EIO;
	}
	/* RFC 5764 §4.2 */
	ck = out;
	sk = out + k;
	cs = out + 2 * k;
	ss = out + 2 * k + sl;
	if (client) {
		key_put(tx, prof[i].suite, ck, k, cs, sl);
		key_put(rx, prof[i].suite, sk, k, ss, sl);
	} else {
		key_put(tx, prof[i].suite, sk, k, ss, sl);
		key_put(rx, prof[i].suite, ck, k, cs, sl);
	}
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}
