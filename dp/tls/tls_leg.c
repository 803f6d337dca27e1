/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A TLS leg of the access gateway (see tls_leg.h): the peer's certificate
 * trusted by its signalled fingerprint (RFC 8122 §5, §6.2), either role,
 * our own certificate per leg. Plain OpenSSL.
 *
 * The check replaces OpenSSL's whole chain verification
 * (SSL_CTX_set_cert_verify_callback): a self-signed certificate is the
 * usual case in SDP-negotiated TLS, and what makes it trusted is that its
 * hash is the one the signalling (itself protected) carried. RFC 8122
 * §5: with several a=fingerprint lines the certificate must match one of
 * those of the strongest hash signalled (certfp_match(): a weaker hash
 * beside it would make the check only as strong as that one); sha-1
 * alone is refused unless the leg allows it (agw.allow_sha1). A peer that
 * sends no certificate (a client: the server asked with
 * SSL_VERIFY_FAIL_IF_NO_PEER_CERT) fails before this callback is reached.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls_leg.h"

static const char *const fail_names[TLS_FAIL__COUNT] = {
#define TLS_FAIL(n, s) [TLS_FAIL_##n] = s,
#include "tls_fails.def"
#undef TLS_FAIL
};

const char *
tls_fail_name(unsigned int why)
{
	return why < TLS_FAIL__COUNT ? fail_names[why] : "?";
}

/* The SSL ex_data index of the leg: made once, whichever thread comes
 * first (workers start legs on their own lcores). */
static int leg_idx = -1;
static pthread_once_t leg_once = PTHREAD_ONCE_INIT;

static void
leg_idx_make(void)
{
	leg_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static int
leg_index(void)
{
	pthread_once(&leg_once, leg_idx_make);
	return leg_idx;
}

int
tls_leg_params_check(enum tls_role role, const struct tls_leg_params *p,
		     const char **why)
{
	const char *w = NULL;

	if (role != TLS_ROLE_CLIENT && role != TLS_ROLE_SERVER)
		w = "the role is neither client nor server";
	else if (p == NULL)
		w = "no parameters";
	else if (p->nfp == 0 && !p->defer)
		w = "no fingerprint of the peer's certificate (RFC 8122 a=fingerprint)";
	else if (p->nfp != 0 && p->defer)
		w = "fingerprints given and their verification deferred";
	else if (p->nfp > TLS_LEG_FP_MAX)
		w = "more fingerprints than a leg takes";
	else if (p->ops == NULL || p->ops->handshake == NULL)
		w = "no callbacks";
	else if (p->sni != NULL && strlen(p->sni) > 255)
		w = "server_name longer than 255 bytes";
	else
		for (unsigned int i = 0; i < p->nfp && w == NULL; i++)
			if (certfp_alg_name((enum certfp_alg)p->fp[i].alg) == NULL ||
			    p->fp[i].len != certfp_alg_len((enum certfp_alg)p->fp[i].alg))
				w = "a fingerprint that is not a valid one";
	if (why != NULL)
		*why = w != NULL ? w : "";
	return w != NULL ? -EINVAL : 0;
}

SSL *
tls_leg_ssl_new(SSL_CTX *ctx, enum tls_role role, const struct tls_leg_params *p,
		struct tls_leg *leg)
{
	int idx = leg_index();
	SSL *s;

	if (idx < 0 || tls_leg_params_check(role, p, NULL) < 0)
		return NULL;
	memset(leg, 0, sizeof(*leg));
	leg->ops = p->ops;
	leg->arg = p->arg;
	leg->role = (uint8_t)role;
	leg->matched = -1;
	leg->nfp = (uint8_t)p->nfp;
	leg->match_flags = p->allow_sha1 ? CERTFP_MATCH_ALLOW_SHA1 : 0;
	leg->defer = p->defer;
	memcpy(leg->fp, p->fp, p->nfp * sizeof(p->fp[0]));
	s = SSL_new(ctx);
	if (s == NULL)
		return NULL;
	if (!SSL_set_ex_data(s, idx, leg))
		goto fail;
	/* Mutual authentication: the server asks for the client's
	 * certificate and fails without one; the client checks the
	 * server's. The check itself is tls_leg_verify() (the context's). */
	SSL_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (p->cred != NULL) {
		/* in place of the context's (which may sit in another key
		 * type's slot and would be chosen beside it) */
		SSL_certs_clear(s);
		if (SSL_use_cert_and_key(s, p->cred->cert, p->cred->key, p->cred->chain,
					 1) != 1)
			goto fail;
	}
	if (role == TLS_ROLE_CLIENT) {
		SSL_set_connect_state(s);
		/* OpenSSL's macro casts the name's const away (SSL_ctrl takes
		 * a void *) and only reads it; clang warns of the cast. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
		if (p->sni != NULL && p->sni[0] != '\0' &&
		    !SSL_set_tlsext_host_name(s, p->sni))
			goto fail;
#pragma GCC diagnostic pop
	} else {
		SSL_set_accept_state(s);
	}
	return s;
fail:
	ERR_clear_error();
	SSL_free(s);
	return NULL;
}

struct tls_leg *
tls_leg_of(const SSL *s)
{
	int idx = leg_index();

	return idx >= 0 && s != NULL ? SSL_get_ex_data(s, idx) : NULL;
}

void
tls_leg_detach(SSL *s)
{
	int idx = leg_index();

	if (idx >= 0 && s != NULL)
		SSL_set_ex_data(s, idx, NULL);
}

int
tls_leg_verify(X509_STORE_CTX *xs, void *arg)
{
	SSL *s = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_leg *leg = tls_leg_of(s);
	X509 *x = X509_STORE_CTX_get0_cert(xs);
	int i;

	(void)arg;
	if (leg == NULL) {
		/* not a leg (or its connection has gone): nothing is trusted */
		X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	if (x == NULL) {
		leg->why = TLS_FAIL_NO_PEER_CERT;
		X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	if (leg->defer) {
		/* taken unchecked, held for tls_leg_verify_late() (once: a
		 * renegotiation, which would bring another, is refused) */
		if (leg->held != NULL || !X509_up_ref(x)) {
			leg->why = TLS_FAIL_OTHER;
			X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
			return 0;
		}
		leg->held = x;
		X509_STORE_CTX_set_error(xs, X509_V_OK);
		return 1;
	}
	i = certfp_match(leg->fp, leg->nfp, x, leg->match_flags, &leg->seen);
	if (i < 0) {
		/* the alert is bad_certificate (OpenSSL's mapping of
		 * CERT_REJECTED), whichever it is: the peer learns no more */
		leg->why = i == -EPERM ? TLS_FAIL_WEAK_FP : TLS_FAIL_FP_MISMATCH;
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	leg->matched = (int8_t)i;
	X509_STORE_CTX_set_error(xs, X509_V_OK);
	return 1;
}

int
tls_leg_verify_late(struct tls_leg *leg, const struct certfp *fp, unsigned int nfp,
		    bool allow_sha1)
{
	int i;

	if (!leg->defer || nfp == 0 || nfp > TLS_LEG_FP_MAX)
		return -EINVAL;
	for (unsigned int k = 0; k < nfp; k++)
		if (certfp_alg_name((enum certfp_alg)fp[k].alg) == NULL ||
		    fp[k].len != certfp_alg_len((enum certfp_alg)fp[k].alg))
			return -EINVAL;
	leg->defer = 0;
	leg->nfp = (uint8_t)nfp;
	leg->match_flags = allow_sha1 ? CERTFP_MATCH_ALLOW_SHA1 : 0;
	memcpy(leg->fp, fp, nfp * sizeof(fp[0]));
	if (leg->held == NULL) {
		leg->why = TLS_FAIL_NO_PEER_CERT;
		return -EACCES;
	}
	i = certfp_match(leg->fp, leg->nfp, leg->held, leg->match_flags, &leg->seen);
	X509_free(leg->held);
	leg->held = NULL;
	if (i < 0) {
		leg->why = i == -EPERM ? TLS_FAIL_WEAK_FP : TLS_FAIL_FP_MISMATCH;
		return -EACCES;
	}
	leg->matched = (int8_t)i;
	return 0;
}

void
tls_leg_release(struct tls_leg *leg)
{
	X509_free(leg->held);
	leg->held = NULL;
}

enum tls_fail
tls_leg_fail(struct tls_leg *leg, int sslerr, int reason)
{
	enum tls_fail f;

	if (leg->why != TLS_FAIL_NONE)
		return (enum tls_fail)leg->why;
	if (sslerr == SSL_ERROR_SYSCALL || reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		f = TLS_FAIL_EOF;
	} else if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
		f = TLS_FAIL_PEER_ALERT;
		leg->alert = (uint8_t)(reason - SSL_AD_REASON_OFFSET);
	} else {
		switch (reason) {
		case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
			f = TLS_FAIL_NO_PEER_CERT;
			break;
		case SSL_R_WRONG_VERSION_NUMBER:
		case SSL_R_HTTP_REQUEST:
		case SSL_R_HTTPS_PROXY_REQUEST:
		case SSL_R_UNKNOWN_PROTOCOL:
		case SSL_R_PACKET_LENGTH_TOO_LONG:
		case SSL_R_RECORD_LENGTH_MISMATCH:
		case SSL_R_LENGTH_MISMATCH:
		case SSL_R_LENGTH_TOO_SHORT:
		case SSL_R_BAD_PACKET_LENGTH:
		case SSL_R_WRONG_SSL_VERSION:
		case SSL_R_UNEXPECTED_MESSAGE:
		case SSL_R_UNEXPECTED_RECORD:
		case SSL_R_BAD_LENGTH:
		case SSL_R_BAD_RECORD_TYPE:
			f = TLS_FAIL_NOT_TLS;
			break;
		case SSL_R_UNSUPPORTED_PROTOCOL:
		case SSL_R_NO_SHARED_CIPHER:
		case SSL_R_NO_SUITABLE_KEY_SHARE:
		case SSL_R_NO_SHARED_GROUPS:
		case SSL_R_VERSION_TOO_LOW:
		case SSL_R_NO_PROTOCOLS_AVAILABLE:
		case SSL_R_NO_CIPHERS_AVAILABLE:
			f = TLS_FAIL_REFUSED;
			break;
		case SSL_R_EXCESSIVE_MESSAGE_SIZE:
			/* RFC 6347 §4.2.3: a message whose length OpenSSL
			 * refuses at its first fragment, reassembling
			 * nothing (a certificate chain of 64 KB) */
			f = TLS_FAIL_CERT_TOO_LONG;
			break;
		default:
			f = TLS_FAIL_OTHER;
			break;
		}
	}
	leg->why = (uint8_t)f;
	leg->reason = reason;
	return f;
}

void
tls_leg_up(struct tls_leg *leg, const SSL *s)
{
	leg->version = (uint16_t)SSL_version(s);
}

int
tls_leg_describe(const struct tls_leg *leg, char *buf, size_t size)
{
	char fp[CERTFP_STR_MAX];
	unsigned int same = 0;
	const char *r;

	switch (leg->why) {
	case TLS_FAIL_NONE:
		if (leg->version == 0)
			return snprintf(buf, size, "handshake under way");
		r = leg->version == TLS1_3_VERSION ? "TLSv1.3" :
		    leg->version == TLS1_2_VERSION ? "TLSv1.2" :
		    leg->version == DTLS1_2_VERSION ? "DTLSv1.2" : "TLS";
		if (leg->defer)
			return snprintf(buf, size, "up %s, fingerprint not signalled yet", r);
		return snprintf(buf, size, "up %s, fingerprint %d of %u matched", r,
				leg->matched + 1, leg->nfp);
	case TLS_FAIL_FP_MISMATCH:
		if (certfp_format(&leg->seen, fp, sizeof(fp)) < 0)
			snprintf(fp, sizeof(fp), "?");
		for (unsigned int k = 0; k < leg->nfp && k < TLS_LEG_FP_MAX; k++)
			same += leg->fp[k].alg == leg->seen.alg;
		if (leg->seen.alg == 0 || same == leg->nfp)
			return snprintf(buf, size, "%s: the peer's certificate is %s, none of "
					"the %u signalled", tls_fail_name(leg->why), fp,
					leg->nfp);
		/* a weaker hash beside the strongest is not compared (RFC 8122
		 * §5): say so, or its match would look overlooked */
		return snprintf(buf, size, "%s: the peer's certificate is %s, none of the "
				"%u %s signalled; the %u of a weaker hash not compared",
				tls_fail_name(leg->why), fp, same,
				certfp_alg_name((enum certfp_alg)leg->seen.alg),
				leg->nfp - same);
	case TLS_FAIL_WEAK_FP:
		return snprintf(buf, size, "%s: only sha-1 signalled; agw.allow_sha1 is off",
				tls_fail_name(leg->why));
	case TLS_FAIL_NO_PEER_CERT:
		return snprintf(buf, size, "%s: the client sent no certificate",
				tls_fail_name(leg->why));
	case TLS_FAIL_NO_SRTP:
		return snprintf(buf, size, "%s: no SRTP profile in common (RFC 5764 use_srtp)",
				tls_fail_name(leg->why));
	case TLS_FAIL_PEER_ALERT:
		return snprintf(buf, size, "%s: %s (%u)", tls_fail_name(leg->why),
				SSL_alert_desc_string_long(leg->alert), leg->alert);
	default:
		r = leg->reason != 0 ?
		    ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, leg->reason)) : NULL;
		if (r != NULL)
			return snprintf(buf, size, "%s: %s", tls_fail_name(leg->why), r);
		return snprintf(buf, size, "%s", tls_fail_name(leg->why));
	}
}

/* ---- our certificate for a leg ------------------------------------------ */

struct tls_cred *
tls_cred_load(const char *cert_path, const char *key_path, char *err, size_t errlen)
{
	struct tls_cred *c = calloc(1, sizeof(*c));
	FILE *f = NULL;
	X509 *x;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f = fopen(cert_path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", cert_path, strerror(errno));
		goto fail;
	}
	c->cert = PEM_read_X509(f, NULL, NULL, NULL);
	if (c->cert == NULL) {
		snprintf(err, errlen, "%s: no PEM certificate in it", cert_path);
		goto fail;
	}
	/* the rest of a chain file: intermediates, sent after it */
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		if ((c->chain == NULL && (c->chain = sk_X509_new_null()) == NULL) ||
		    !sk_X509_push(c->chain, x)) {
			X509_free(x);
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	ERR_clear_error();            /* the end of the file */
	fclose(f);
	f = fopen(key_path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", key_path, strerror(errno));
		goto fail;
	}
	c->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (c->key == NULL) {
		snprintf(err, errlen, "%s: no PEM private key in it", key_path);
		goto fail;
	}
	fclose(f);
	f = NULL;
	if (X509_check_private_key(c->cert, c->key) != 1) {
		snprintf(err, errlen, "%s: not the key of the certificate in %s", key_path,
			 cert_path);
		goto fail;
	}
	return c;
fail:
	ERR_clear_error();
	if (f != NULL)
		fclose(f);
	tls_cred_free(c);
	return NULL;
}

void
tls_cred_free(struct tls_cred *c)
{
	if (c == NULL)
		return;
	X509_free(c->cert);
	EVP_PKEY_free(c->key);
	sk_X509_pop_free(c->chain, X509_free);
	free(c);
}

struct tls_cred *
tls_cred_generate(OSSL_LIB_CTX *libctx, const char *cn, uint32_t lifetime_s, char *err,
		  size_t errlen)
{
	struct tls_cred *c = calloc(1, sizeof(*c));
	uint8_t serial[16];
	X509_NAME *name = NULL;
	BIGNUM *bn = NULL;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->key = EVP_PKEY_Q_keygen(libctx, NULL, "EC", "P-256");
	if (c->key == NULL) {
		snprintf(err, errlen, "cannot make a P-256 key");
		goto fail;
	}
	c->cert = X509_new_ex(libctx, NULL);
	name = X509_NAME_new();
	/* a positive 127-bit serial (RFC 5280 §4.1.2.2: at most 20 octets) */
	if (RAND_bytes(serial, sizeof(serial)) != 1) {
		snprintf(err, errlen, "no random serial");
		goto fail;
	}
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (c->cert == NULL || name == NULL || bn == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c->cert)) == NULL ||
	    !X509_set_version(c->cert, X509_VERSION_3) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					-1, -1, 0) ||
	    !X509_set_subject_name(c->cert, name) || !X509_set_issuer_name(c->cert, name) ||
	    X509_gmtime_adj(X509_getm_notBefore(c->cert), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(c->cert), (long)lifetime_s) == NULL ||
	    !X509_set_pubkey(c->cert, c->key) || X509_sign(c->cert, c->key, EVP_sha256()) <= 0) {
		snprintf(err, errlen, "cannot make a self-signed certificate");
		goto fail;
	}
	BN_free(bn);
	X509_NAME_free(name);
	return c;
fail:
	ERR_clear_error();
	BN_free(bn);
	X509_NAME_free(name);
	tls_cred_free(c);
	return NULL;
}

/* The reason a fatal alert we sent stands for; 0 when none fits. */
static int
tls_alert_reason(int desc)
{
	switch (desc) {
	case SSL_AD_BAD_RECORD_MAC:
		return SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC;
	case SSL_AD_RECORD_OVERFLOW:
		return SSL_R_ENCRYPTED_LENGTH_TOO_LONG;
	case SSL_AD_DECODE_ERROR:
		return SSL_R_BAD_LENGTH;
	case SSL_AD_UNEXPECTED_MESSAGE:
		return SSL_R_UNEXPECTED_MESSAGE;
	case SSL_AD_HANDSHAKE_FAILURE:
	case SSL_AD_INSUFFICIENT_SECURITY:
		return SSL_R_NO_SHARED_CIPHER;
	case SSL_AD_PROTOCOL_VERSION:
		return SSL_R_UNSUPPORTED_PROTOCOL;
	case SSL_AD_CERTIFICATE_REQUIRED:
		return SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE;   /* (a leg's) */
	case SSL_AD_BAD_CERTIFICATE:
		return SSL_R_CERTIFICATE_VERIFY_FAILED;
	}
	return 0;
}

int
tls_lost_reason(int reason, int *sslerr, int alert_recv, int alert_sent, bool eof)
{
	if (reason != 0 || (alert_recv == 0 && alert_sent == 0) ||
	    (alert_recv == 0 && eof && alert_sent == SSL_AD_DECODE_ERROR))
		return reason;
	if (*sslerr == SSL_ERROR_SYSCALL)
		*sslerr = SSL_ERROR_SSL;
	return alert_recv != 0 ? SSL_AD_REASON_OFFSET + alert_recv : tls_alert_reason(alert_sent);
}
