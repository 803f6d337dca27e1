/* SPDX-License-Identifier: BSD-3-Clause */
/* The DTLS tests' other end (dtls_peer.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dtls_hello.h"
#include "dtls_peer.h"

static BIO_METHOD *method;

static int
dgq_read(BIO *b, char *buf, int len)
{
	struct dgq *q = BIO_get_data(b);
	int n;

	BIO_clear_retry_flags(b);
	if (q->n == 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = q->len[q->head] < len ? q->len[q->head] : len;
	memcpy(buf, q->d[q->head], (size_t)n);
	q->head = (q->head + 1) % DGQ_MAX;
	q->n--;
	return n;
}

void
dgq_push(struct dgq *q, const uint8_t *p, size_t n)
{
	unsigned int at;

	assert_true(q->n < DGQ_MAX && n > 0 && n <= sizeof(q->d[0]));
	at = (q->head + q->n) % DGQ_MAX;
	memcpy(q->d[at], p, n);
	q->len[at] = (uint16_t)n;
	if (dtls_hs_msg_longest(q->d[at], n) > q->longest)
		q->longest = dtls_hs_msg_longest(q->d[at], n);
	q->n++;
	q->sent++;
}

size_t
dgq_pop(struct dgq *q, uint8_t *out, size_t cap)
{
	size_t n;

	if (q->n == 0)
		return 0;
	n = q->len[q->head] < cap ? q->len[q->head] : cap;
	memcpy(out, q->d[q->head], n);
	q->head = (q->head + 1) % DGQ_MAX;
	q->n--;
	return n;
}

static int
dgq_write(BIO *b, const char *buf, int len)
{
	BIO_clear_retry_flags(b);
	dgq_push(BIO_get_data(b), (const uint8_t *)buf, (size_t)len);
	return len;
}

static long
dgq_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return 28;
	default:
		return 0;
	}
}

static int
dgq_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

void
dgq_setup(void)
{
	method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "test dgq");
	assert_non_null(method);
	BIO_meth_set_read(method, dgq_read);
	BIO_meth_set_write(method, dgq_write);
	BIO_meth_set_ctrl(method, dgq_ctrl);
	BIO_meth_set_create(method, dgq_create);
}

void
dgq_fini(void)
{
	BIO_meth_free(method);
	method = NULL;
}

BIO *
dgq_bio(struct dgq *q)
{
	BIO *b = BIO_new(method);

	assert_non_null(b);
	BIO_set_data(b, q);
	return b;
}

static int
accept_any(int ok, X509_STORE_CTX *xs)
{
	(void)ok;
	(void)xs;
	return 1;
}

static unsigned int timer_first;

static unsigned int
peer_timer(SSL *s, unsigned int us)
{
	(void)s;
	return us == 0 ? timer_first : us * 2;
}

SSL_CTX *
peer_ctx(bool client, const struct peer_opts *o)
{
	SSL_CTX *ctx = SSL_CTX_new(client ? DTLS_client_method() : DTLS_server_method());

	assert_non_null(ctx);
	if (o->version != 0) {
		assert_int_equal(SSL_CTX_set_min_proto_version(ctx, o->version), 1);
		assert_int_equal(SSL_CTX_set_max_proto_version(ctx, o->version), 1);
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	}
	if (o->ciphers != NULL)
		assert_int_equal(SSL_CTX_set_cipher_list(ctx, o->ciphers), 1);
	if (o->profiles != NULL)
		assert_int_equal(SSL_CTX_set_tlsext_use_srtp(ctx, o->profiles), 0);
	if (!o->no_cert) {
		assert_int_equal(SSL_CTX_use_certificate(ctx, o->cert), 1);
		assert_int_equal(SSL_CTX_use_PrivateKey(ctx, o->key), 1);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
	SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU);
	return ctx;
}

SSL *
peer_ssl(SSL_CTX *ctx, bool client, const struct peer_opts *o, struct dgq *in, struct dgq *out)
{
	SSL *s = SSL_new(ctx);
	long mtu = o->mtu != 0 ? (long)o->mtu : 1200;

	assert_non_null(s);
	SSL_set_bio(s, dgq_bio(in), dgq_bio(out));
	/* (the MTU set, or 0: below OpenSSL's least) */
	assert_int_equal(SSL_set_mtu(s, mtu), mtu);
	if (o->timer_us != 0) {
		timer_first = o->timer_us;
		DTLS_set_timer_cb(s, peer_timer);
	}
	if (client)
		SSL_set_connect_state(s);
	else
		SSL_set_accept_state(s);
	return s;
}

void
big_cert(size_t n, X509 **xo, EVP_PKEY **ko)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.4.1.32473.1", 1);
	X509_EXTENSION *ex;
	uint8_t *blob = calloc(1, n);

	assert_non_null(k);
	assert_non_null(x);
	assert_non_null(blob);
	assert_int_equal(ASN1_OCTET_STRING_set(os, blob, (int)n), 1);
	ex = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	assert_non_null(ex);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"big", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	assert_int_equal(X509_add_ext(x, ex, -1), 1);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_true(i2d_X509(x, NULL) > (int)n);
	X509_EXTENSION_free(ex);
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(os);
	free(blob);
	*xo = x;
	*ko = k;
}

void
peer_keys(SSL *s, bool client, unsigned int k, unsigned int sl, uint8_t *tx, uint8_t *rx)
{
	uint8_t out[128];
	const uint8_t *ck = out, *sk = out + k, *cs = out + 2 * k, *ss = out + 2 * k + sl;

	assert_int_equal(SSL_export_keying_material(s, out, 2 * (k + sl), "EXTRACTOR-dtls_srtp",
						    19, NULL, 0, 0), 1);
	memcpy(tx, client ? ck : sk, k);
	memcpy(tx + k, client ? cs : ss, sl);
	memcpy(rx, client ? sk : ck, k);
	memcpy(rx + k, client ? ss : cs, sl);
}

/*
 * A ClientHello of our own making, DTLS 1.2, no cookie: ns octets of
 * cipher suites (their length field as given), nc compression methods,
 * then the extensions block ext (elen octets, its own 2-octet length
 * first, as given: NULL for none), then tail octets. Returns its length.
 */
size_t
hello_made(uint8_t *p, uint16_t ns, uint8_t nc, const uint8_t *ext, size_t elen, size_t tail)
{
	size_t body = 2 + 32 + 1 + 1 + 2 + ns + 1 + nc + elen + tail, rec = 12 + body;
	uint8_t *b;

	memset(p, 0, 13 + rec);
	p[0] = 22;
	p[1] = 0xfe;
	p[2] = 0xfd;
	p[11] = (uint8_t)(rec >> 8);
	p[12] = (uint8_t)rec;
	p[13] = 1;
	p[15] = p[23] = (uint8_t)(body >> 8);
	p[16] = p[24] = (uint8_t)body;
	b = p + 25;
	b[0] = 0xfe;
	b[1] = 0xfd;
	b += 2 + 32 + 1 + 1;               /* random, no session id, no cookie */
	b[0] = (uint8_t)(ns >> 8);
	b[1] = (uint8_t)ns;
	memset(b + 2, 0xc0, ns);
	b += 2 + ns;
	b[0] = nc;
	b += 1 + nc;
	if (ext != NULL)
		memcpy(b, ext, elen);
	return 13 + rec;
}
