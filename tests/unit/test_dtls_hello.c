/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/dtls_hello.c: the bounded read of a DTLS ClientHello up to its
 * cookie (real ones from OpenSSL's DTLS client, every truncation, forged
 * lengths), the cookie (made, checked, bound to the 5-tuple, its slots,
 * forged), the HelloVerifyRequest as OpenSSL's client takes it, and the
 * whole exchange: our stateless HelloVerifyRequest, then an SSL made only
 * for the ClientHello with our cookie, DTLSv1_listen() agreeing with our
 * check, the handshake to its end and data both ways. For DTLS-SRTP,
 * dtls_hello_srtp(): OpenSSL clients' hellos with and without use_srtp,
 * with profiles we do not offer, DTLS 1.0's; hand-made ones with an MKI,
 * each malformed length, split over two records; every cut of the body.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "dtls_hello.h"
#include "dtls_peer.h"
#include "tls_ctx.h"
#include "tp_conf_types.h"

static char dir[64], cert[128], key[128];
static struct dtls_cookie_key ck;
static uint8_t peer[DTLS_PEER_LEN];

static void
run(const char *cmd)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
	assert_int_equal(system(full), 0);
}

static int
setup(void **state)
{
	char cmd[512];
	static const uint8_t a[16] = { 192, 0, 2, 1 }, b[16] = { 198, 51, 100, 7 };

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tp-dtls-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=turn.test "
		 "-keyout %s -out %s", key, cert);
	run(cmd);
	assert_int_equal(dtls_cookie_key_init(&ck, NULL, 1000), 0);
	dtls_cookie_peer(peer, 4, a, 40000, b, 5349);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	dtls_cookie_key_free(&ck);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	return 0;
}

static void
conf_tls(struct tp_conf_tls *t)
{
	memset(t, 0, sizeof(*t));
	t->enabled = true;
	t->line = 10;
	t->min_version = 0x0303;
	snprintf(t->ciphers, sizeof(t->ciphers), "%s", TP_CONF_TLS_CIPHERS);
	snprintf(t->ciphersuites, sizeof(t->ciphersuites), "%s", TP_CONF_TLS_CIPHERSUITES);
	snprintf(t->groups, sizeof(t->groups), "%s", TP_CONF_TLS_GROUPS);
	snprintf(t->cert.certificate, sizeof(t->cert.certificate), "%s", cert);
	snprintf(t->cert.private_key, sizeof(t->cert.private_key), "%s", key);
}

/* OpenSSL's cookie callbacks as dp/tls/dtls.c sets them: our cookie of
 * the (here fixed) 5-tuple. */
static int
gen_cb(SSL *s, unsigned char *c, unsigned int *len)
{
	(void)s;
	if (dtls_cookie_make(&ck, peer, c) < 0)
		return 0;
	*len = DTLS_COOKIE_LEN;
	return 1;
}

static int
verify_cb(SSL *s, const unsigned char *c, unsigned int len)
{
	(void)s;
	return dtls_cookie_ok(&ck, peer, c, len) ? 1 : 0;
}

/* A DTLS client over memory BIOs. */
static SSL *
client_new(SSL_CTX **cctx)
{
	SSL *c;

	*cctx = SSL_CTX_new(DTLS_client_method());
	assert_non_null(*cctx);
	SSL_CTX_set_verify(*cctx, SSL_VERIFY_NONE, NULL);
	c = SSL_new(*cctx);
	assert_non_null(c);
	SSL_set_bio(c, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	BIO_set_mem_eof_return(SSL_get_rbio(c), -1);
	SSL_set_connect_state(c);
	return c;
}

/* What s wrote since, as one datagram (len in *n). */
static size_t
take(SSL *s, uint8_t *buf, size_t cap)
{
	int n = BIO_read(SSL_get_wbio(s), buf, (int)cap);

	return n > 0 ? (size_t)n : 0;
}

static void
give(SSL *s, const uint8_t *buf, size_t n)
{
	assert_int_equal(BIO_write(SSL_get_rbio(s), buf, (int)n), (int)n);
}

/* The client's first ClientHello (no cookie) into buf. */
static size_t
first_hello(SSL *c, uint8_t *buf, size_t cap)
{
	assert_int_equal(SSL_do_handshake(c), -1);
	assert_int_equal(SSL_get_error(c, -1), SSL_ERROR_WANT_READ);
	return take(c, buf, cap);
}

static void
test_parse_real(void **state)
{
	SSL_CTX *cctx;
	SSL *c = client_new(&cctx);
	uint8_t buf[4096];
	struct dtls_hello h;
	size_t n = first_hello(c, buf, sizeof(buf));

	(void)state;
	assert_true(n > DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN);
	assert_int_equal(dtls_hello_parse(buf, n, &h), DTLS_HELLO_OK);
	assert_int_equal(h.cookie_len, 0);
	assert_int_equal(h.msg_seq, 0);
	assert_int_equal(h.client_version, 0xfefd);
	/* every truncation is refused, and reads nothing past its end (ASan:
	 * each from a heap copy of exactly its length) */
	for (size_t k = 0; k < n; k++) {
		uint8_t *cp = malloc(k > 0 ? k : 1);

		assert_non_null(cp);
		memcpy(cp, buf, k);
		assert_int_not_equal(dtls_hello_parse(cp, k, &h), DTLS_HELLO_OK);
		free(cp);
	}
	SSL_free(c);
	SSL_CTX_free(cctx);
}

/* A ClientHello of our own making: sid_len, cookie of clen octets, then
 * pad octets of the rest. */
static size_t
forge(uint8_t *p, uint8_t sid_len, uint8_t clen, size_t pad)
{
	size_t body = 2 + 32 + 1 + sid_len + 1 + clen + pad, rec = 12 + body;

	memset(p, 0, 13 + rec);
	p[0] = 22;
	p[1] = 0xfe;
	p[2] = 0xfd;
	p[10] = 7;                 /* record seq 7 */
	p[11] = (uint8_t)(rec >> 8);
	p[12] = (uint8_t)rec;
	p[13] = 1;
	p[15] = p[23] = (uint8_t)(body >> 8);
	p[16] = p[24] = (uint8_t)body;
	p[18] = 1;                 /* message seq 1 */
	p[25] = 0xfe;
	p[26] = 0xfd;
	p[25 + 34] = sid_len;
	p[25 + 35 + sid_len] = clen;
	for (unsigned int i = 0; i < clen; i++)
		p[25 + 36 + sid_len + i] = (uint8_t)(0xa0 + i);
	return 13 + rec;
}

static void
test_parse_forged(void **state)
{
	uint8_t p[1024];
	struct dtls_hello h;
	size_t n;

	(void)state;
	n = forge(p, 32, 20, 10);
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_OK);
	assert_int_equal(h.cookie_len, 20);
	assert_int_equal(h.cookie[0], 0xa0);
	assert_int_equal(h.msg_seq, 1);
	assert_int_equal(h.rec_seq, 7);
	/* a cookie of 255 that ends exactly at the end */
	n = forge(p, 0, 255, 0);
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_OK);
	assert_int_equal(h.cookie_len, 255);
	/* a cookie running one past the message */
	n = forge(p, 0, 20, 0);
	p[25 + 35] = 21;
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_SHORT);
	/* session id over 32 */
	n = forge(p, 33, 0, 0);
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_BAD_LEN);
	/* a fragment: offset not 0, or shorter than the message */
	n = forge(p, 0, 0, 0);
	p[21] = 1;
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_FRAGMENT);
	n = forge(p, 0, 0, 0);
	p[16] = (uint8_t)(p[16] + 1);
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_FRAGMENT);
	/* a fragment length past the record */
	n = forge(p, 0, 0, 0);
	p[24] = (uint8_t)(p[24] + 1);
	p[16] = p[24];
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_BAD_LEN);
	/* a record length past the datagram */
	n = forge(p, 0, 0, 0);
	assert_int_equal(dtls_hello_parse(p, n - 1, &h), DTLS_HELLO_SHORT);
	/* not a handshake, epoch 1, not DTLS, not a ClientHello */
	n = forge(p, 0, 0, 0);
	p[0] = 23;
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_NOT_HANDSHAKE);
	n = forge(p, 0, 0, 0);
	p[4] = 1;
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_NOT_HANDSHAKE);
	n = forge(p, 0, 0, 0);
	p[1] = 0x03;
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_VERSION);
	n = forge(p, 0, 0, 0);
	p[13] = 2;
	assert_int_equal(dtls_hello_parse(p, n, &h), DTLS_HELLO_NOT_CH);
	/* a second record after the first is not read */
	n = forge(p, 0, 0, 0);
	memset(p + n, 0xff, 40);
	assert_int_equal(dtls_hello_parse(p, n + 40, &h), DTLS_HELLO_OK);
	assert_string_equal(dtls_hello_rc_str(DTLS_HELLO_FRAGMENT), "a fragment");
}

static void
test_cookie(void **state)
{
	struct dtls_cookie_key k;
	uint8_t c[DTLS_COOKIE_LEN], c2[DTLS_COOKIE_LEN], other[DTLS_PEER_LEN];
	static const uint8_t a[16] = { 192, 0, 2, 1 }, b[16] = { 198, 51, 100, 7 };

	(void)state;
	assert_int_equal(dtls_cookie_key_init(&k, NULL, 500), 0);
	assert_int_equal(dtls_cookie_make(&k, peer, c), 0);
	assert_true(dtls_cookie_ok(&k, peer, c, sizeof(c)));
	assert_int_equal(dtls_cookie_make(&k, peer, c2), 0);
	assert_memory_equal(c, c2, sizeof(c));
	/* another port, address, family: another cookie */
	dtls_cookie_peer(other, 4, a, 40001, b, 5349);
	assert_false(dtls_cookie_ok(&k, other, c, sizeof(c)));
	dtls_cookie_peer(other, 4, b, 40000, b, 5349);
	assert_false(dtls_cookie_ok(&k, other, c, sizeof(c)));
	dtls_cookie_peer(other, 6, a, 40000, b, 5349);
	assert_false(dtls_cookie_ok(&k, other, c, sizeof(c)));
	dtls_cookie_peer(other, 4, a, 40000, b, 5350);
	assert_false(dtls_cookie_ok(&k, other, c, sizeof(c)));
	/* each octet matters; the length must be ours */
	for (unsigned int i = 0; i < sizeof(c); i++) {
		memcpy(c2, c, sizeof(c));
		c2[i] ^= 0x01;
		assert_false(dtls_cookie_ok(&k, peer, c2, sizeof(c2)));
	}
	assert_false(dtls_cookie_ok(&k, peer, c, sizeof(c) - 1));
	assert_false(dtls_cookie_ok(&k, peer, c, 0));
	/* the next slot still takes it, the one after does not (nor would
	 * the slot claimed in a forged cookie) */
	assert_int_equal(dtls_cookie_key_tick(&k, 501), 0);
	assert_true(dtls_cookie_ok(&k, peer, c, sizeof(c)));
	assert_int_equal(dtls_cookie_make(&k, peer, c2), 0);
	assert_memory_not_equal(c, c2, sizeof(c));
	assert_int_equal(dtls_cookie_key_tick(&k, 502), 0);
	assert_false(dtls_cookie_ok(&k, peer, c, sizeof(c)));
	assert_true(dtls_cookie_ok(&k, peer, c2, sizeof(c2)));
	/* a cookie claiming the current slot with an old MAC */
	c[3] = (uint8_t)502;
	assert_false(dtls_cookie_ok(&k, peer, c, sizeof(c)));
	/* a jump: both secrets new */
	assert_int_equal(dtls_cookie_key_tick(&k, 600), 0);
	assert_false(dtls_cookie_ok(&k, peer, c2, sizeof(c2)));
	assert_int_equal(k.rotations, 3);
	/* another key (another worker, a restart) refuses ours */
	{
		struct dtls_cookie_key k2;

		assert_int_equal(dtls_cookie_key_init(&k2, NULL, 600), 0);
		assert_int_equal(dtls_cookie_make(&k, peer, c), 0);
		assert_false(dtls_cookie_ok(&k2, peer, c, sizeof(c)));
		dtls_cookie_key_free(&k2);
	}
	dtls_cookie_key_free(&k);
}

/* The whole exchange, as dp/tls/dtls.c runs it. */
static void
test_exchange(void **state)
{
	struct tp_conf_tls t;
	char err[512];
	SSL_CTX *sctx, *cctx;
	SSL *c = client_new(&cctx), *s;
	uint8_t d[8192], hvr[DTLS_HVR_LEN], cookie[DTLS_COOKIE_LEN];
	struct dtls_hello h;
	size_t n;
	BIO_ADDR *addr;
	int cdone = 0, sdone = 0;

	(void)state;
	conf_tls(&t);
	sctx = dtls_ctx_create(&t, NULL, NULL, gen_cb, verify_cb, err, sizeof(err));
	assert_non_null(sctx);
	/* 1: no cookie: a HelloVerifyRequest, nothing made */
	n = first_hello(c, d, sizeof(d));
	assert_int_equal(dtls_hello_parse(d, n, &h), DTLS_HELLO_OK);
	assert_int_equal(h.cookie_len, 0);
	assert_int_equal(dtls_cookie_make(&ck, peer, cookie), 0);
	assert_int_equal(dtls_hvr_build(hvr, sizeof(hvr), &h, cookie, sizeof(cookie)),
			 DTLS_HVR_LEN);
	assert_int_equal(dtls_hvr_build(hvr, sizeof(hvr) - 1, &h, cookie, sizeof(cookie)), 0);
	give(c, hvr, DTLS_HVR_LEN);
	/* 2: the client's second ClientHello carries it */
	assert_int_equal(SSL_do_handshake(c), -1);
	n = take(c, d, sizeof(d));
	assert_int_equal(dtls_hello_parse(d, n, &h), DTLS_HELLO_OK);
	assert_int_equal(h.cookie_len, DTLS_COOKIE_LEN);
	assert_int_equal(h.msg_seq, 1);
	assert_true(dtls_cookie_ok(&ck, peer, h.cookie, h.cookie_len));
	/* 3: now an SSL; DTLSv1_listen() takes the ClientHello (its check of
	 * the cookie is ours) and the handshake goes on from it */
	s = SSL_new(sctx);
	assert_non_null(s);
	SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	BIO_set_mem_eof_return(SSL_get_rbio(s), -1);
	SSL_set_mtu(s, 1200);
	give(s, d, n);
	addr = BIO_ADDR_new();
	assert_int_equal(DTLSv1_listen(s, addr), 1);
	BIO_ADDR_free(addr);
	for (int i = 0; i < 20 && !(cdone && sdone); i++) {
		int r = SSL_do_handshake(s);

		sdone = r == 1;
		if (r != 1)
			assert_int_equal(SSL_get_error(s, r), SSL_ERROR_WANT_READ);
		while ((n = take(s, d, sizeof(d))) > 0)
			give(c, d, n);
		r = SSL_do_handshake(c);
		cdone = r == 1;
		while ((n = take(c, d, sizeof(d))) > 0)
			give(s, d, n);
	}
	assert_true(cdone);
	assert_int_equal(SSL_do_handshake(s), 1);
	assert_int_equal(SSL_version(s), DTLS1_2_VERSION);
	/* data both ways */
	assert_int_equal(SSL_write(c, "\x00\x01\x00\x00", 4), 4);
	while ((n = take(c, d, sizeof(d))) > 0)
		give(s, d, n);
	assert_int_equal(SSL_read(s, d, sizeof(d)), 4);
	assert_int_equal(SSL_write(s, "pong", 4), 4);
	while ((n = take(s, d, sizeof(d))) > 0)
		give(c, d, n);
	assert_int_equal(SSL_read(c, d, sizeof(d)), 4);
	assert_memory_equal(d, "pong", 4);
	SSL_free(s);
	SSL_free(c);
	SSL_CTX_free(cctx);
	tls_ctx_free(sctx);
}

/* A forged cookie: ours with an octet changed fails our check and
 * DTLSv1_listen()'s (which answers with a HelloVerifyRequest, never
 * returning a session). */
static void
test_exchange_bad_cookie(void **state)
{
	struct tp_conf_tls t;
	char err[512];
	SSL_CTX *sctx, *cctx;
	SSL *c = client_new(&cctx), *s;
	uint8_t d[8192], hvr[DTLS_HVR_LEN], cookie[DTLS_COOKIE_LEN];
	struct dtls_hello h;
	size_t n;
	BIO_ADDR *addr;

	(void)state;
	conf_tls(&t);
	sctx = dtls_ctx_create(&t, NULL, NULL, gen_cb, verify_cb, err, sizeof(err));
	assert_non_null(sctx);
	n = first_hello(c, d, sizeof(d));
	assert_int_equal(dtls_hello_parse(d, n, &h), DTLS_HELLO_OK);
	assert_int_equal(dtls_cookie_make(&ck, peer, cookie), 0);
	cookie[10] ^= 0x80;
	dtls_hvr_build(hvr, sizeof(hvr), &h, cookie, sizeof(cookie));
	give(c, hvr, DTLS_HVR_LEN);
	assert_int_equal(SSL_do_handshake(c), -1);
	n = take(c, d, sizeof(d));
	assert_int_equal(dtls_hello_parse(d, n, &h), DTLS_HELLO_OK);
	assert_false(dtls_cookie_ok(&ck, peer, h.cookie, h.cookie_len));
	s = SSL_new(sctx);
	SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	BIO_set_mem_eof_return(SSL_get_rbio(s), -1);
	give(s, d, n);
	addr = BIO_ADDR_new();
	assert_true(DTLSv1_listen(s, addr) <= 0);
	BIO_ADDR_free(addr);
	SSL_free(s);
	SSL_free(c);
	SSL_CTX_free(cctx);
	tls_ctx_free(sctx);
}

/* ---- dtls_hello_srtp() ------------------------------------------------ */

/* A DTLS client's first ClientHello, max version ver (0: DTLS 1.2), with
 * use_srtp's profiles (NULL: no use_srtp), into buf. */
static size_t
srtp_hello(const char *profiles, int ver, uint8_t *buf, size_t cap)
{
	SSL_CTX *cctx;
	SSL *c;
	size_t n;

	cctx = SSL_CTX_new(DTLS_client_method());
	assert_non_null(cctx);
	if (ver != 0) {
		assert_int_equal(SSL_CTX_set_max_proto_version(cctx, ver), 1);
		SSL_CTX_set_security_level(cctx, 0);
	}
	/* (0 is success here) */
	if (profiles != NULL)
		assert_int_equal(SSL_CTX_set_tlsext_use_srtp(cctx, profiles), 0);
	c = SSL_new(cctx);
	assert_non_null(c);
	SSL_set_bio(c, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	BIO_set_mem_eof_return(SSL_get_rbio(c), -1);
	SSL_set_connect_state(c);
	n = first_hello(c, buf, cap);
	SSL_free(c);
	SSL_CTX_free(cctx);
	assert_true(n > DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN);
	return n;
}

/* parse, then srtp with offered. */
static enum dtls_hello_rc
srtp_rc(const uint8_t *p, size_t n, unsigned int offered, struct dtls_hello *h)
{
	enum dtls_hello_rc rc = dtls_hello_parse(p, n, h);

	return rc != DTLS_HELLO_OK ? rc : dtls_hello_srtp(h, offered);
}

static void
test_srtp_openssl_clients(void **state)
{
	uint8_t d[4096];
	struct dtls_hello h;
	size_t n;

	(void)state;
	/* the profiles a browser offers (AES-CM), and the order ignored */
	n = srtp_hello("SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32", 0, d, sizeof(d));
	assert_int_equal(srtp_rc(d, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_OK);
	assert_int_equal(h.srtp, DTLS_SRTP_AES128_CM_80 | DTLS_SRTP_AES128_CM_32);
	assert_int_equal(h.srtp_mki_len, 0);
	assert_int_equal(srtp_rc(d, n, DTLS_SRTP_AES128_CM_32, &h), DTLS_HELLO_OK);
	assert_int_equal(srtp_rc(d, n, DTLS_SRTP_AEAD_128_GCM | DTLS_SRTP_AEAD_256_GCM, &h),
			 DTLS_HELLO_NO_PROFILE);
	assert_int_equal(srtp_rc(d, n, 0, &h), DTLS_HELLO_NO_PROFILE);
	/* GCM's (RFC 7714) */
	n = srtp_hello("SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM", 0, d, sizeof(d));
	assert_int_equal(srtp_rc(d, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_OK);
	assert_int_equal(h.srtp, DTLS_SRTP_AEAD_128_GCM | DTLS_SRTP_AEAD_256_GCM);
	assert_int_equal(srtp_rc(d, n, DTLS_SRTP_AES128_CM_80 | DTLS_SRTP_AES128_CM_32, &h),
			 DTLS_HELLO_NO_PROFILE);
	/* only a profile we do not offer */
	n = srtp_hello("SRTP_AES128_CM_SHA1_32", 0, d, sizeof(d));
	assert_int_equal(srtp_rc(d, n, DTLS_SRTP_AES128_CM_80, &h), DTLS_HELLO_NO_PROFILE);
	assert_int_equal(h.srtp, DTLS_SRTP_AES128_CM_32);
	/* no use_srtp: a DTLS client that is no DTLS-SRTP one */
	n = srtp_hello(NULL, 0, d, sizeof(d));
	assert_int_equal(srtp_rc(d, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_NO_USE_SRTP);
	/* DTLS 1.0, use_srtp or not */
	n = srtp_hello("SRTP_AES128_CM_SHA1_80", DTLS1_VERSION, d, sizeof(d));
	assert_int_equal(dtls_hello_parse(d, n, &h), DTLS_HELLO_OK);
	assert_int_equal(h.client_version, 0xfeff);
	assert_int_equal(dtls_hello_srtp(&h, DTLS_SRTP_ALL), DTLS_HELLO_OLD_VERSION);
	assert_string_equal(dtls_hello_rc_str(DTLS_HELLO_OLD_VERSION), "DTLS 1.0");
	assert_string_equal(dtls_hello_rc_str(DTLS_HELLO_NO_USE_SRTP), "no use_srtp");
	assert_string_equal(dtls_hello_rc_str(DTLS_HELLO_NO_PROFILE), "no SRTP profile in common");
	assert_string_equal(dtls_hello_rc_str(DTLS_HELLO_SRTP_MKI), "an SRTP MKI");
	/* the ids and bits agree */
	for (unsigned int b = 1; b <= DTLS_SRTP_ALL; b <<= 1)
		assert_int_equal(dtls_srtp_profile_bit(dtls_srtp_profile_id(b)), b);
	assert_int_equal(dtls_srtp_profile_bit(0x0005), 0);   /* NULL_HMAC_SHA1_80 */
	assert_int_equal(dtls_srtp_profile_id(DTLS_SRTP_AES128_CM_80 | DTLS_SRTP_AES128_CM_32),
			 0);
}

/* Every cut of a use_srtp ClientHello: the datagram cut (the record's
 * length then runs past it), and the body cut with every length made to
 * agree (so that dtls_hello_parse() takes it and dtls_hello_srtp() walks
 * a body that ends there). Each from a heap copy of exactly its size:
 * ASan catches a read past it. */
static void
test_srtp_every_cut(void **state)
{
	uint8_t d[4096];
	struct dtls_hello h;
	size_t n, body_at = DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN;
	uint32_t body, cookie_end;

	(void)state;
	n = srtp_hello("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM", 0, d, sizeof(d));
	assert_int_equal(srtp_rc(d, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_OK);
	body = h.body_len;
	cookie_end = (uint32_t)(h.cookie - h.body) + h.cookie_len;
	assert_int_equal(body_at + body, n);
	for (size_t k = 0; k < n; k++) {
		uint8_t *cp = malloc(k > 0 ? k : 1);

		assert_non_null(cp);
		memcpy(cp, d, k);
		assert_int_not_equal(srtp_rc(cp, k, DTLS_SRTP_ALL, &h), DTLS_HELLO_OK);
		free(cp);
	}
	for (uint32_t k = cookie_end; k < body; k++) {
		uint8_t *cp = malloc(body_at + k);
		enum dtls_hello_rc rc;

		assert_non_null(cp);
		memcpy(cp, d, body_at + k);
		cp[11] = (uint8_t)((DTLS_HS_HDR_LEN + k) >> 8);
		cp[12] = (uint8_t)(DTLS_HS_HDR_LEN + k);
		cp[13 + 1] = cp[13 + 9] = 0;
		cp[13 + 2] = cp[13 + 10] = (uint8_t)(k >> 8);
		cp[13 + 3] = cp[13 + 11] = (uint8_t)k;
		assert_int_equal(dtls_hello_parse(cp, body_at + k, &h), DTLS_HELLO_OK);
		rc = dtls_hello_srtp(&h, DTLS_SRTP_ALL);
		assert_int_not_equal(rc, DTLS_HELLO_OK);
		assert_true(rc == DTLS_HELLO_SHORT || rc == DTLS_HELLO_BAD_LEN ||
			    rc == DTLS_HELLO_NO_USE_SRTP);
		free(cp);
	}
}

static enum dtls_hello_rc
made_rc(const uint8_t *ext, size_t elen, size_t tail)
{
	uint8_t p[1024], *cp;
	struct dtls_hello h;
	enum dtls_hello_rc rc;
	size_t n = hello_made(p, 4, 1, ext, elen, tail);

	cp = malloc(n);
	assert_non_null(cp);
	memcpy(cp, p, n);
	rc = srtp_rc(cp, n, DTLS_SRTP_AES128_CM_80, &h);
	free(cp);
	return rc;
}

static void
test_srtp_made(void **state)
{
	/* extensions: supported_groups (10), then use_srtp (14) with
	 * profile 1 and an empty MKI */
	static const uint8_t good[] = { 0, 17, 0, 10, 0, 4, 0, 2, 0, 23,
					0, 14, 0, 5, 0, 2, 0, 1, 0 };
	static const uint8_t mki[] = { 0, 20, 0, 10, 0, 4, 0, 2, 0, 23,
				       0, 14, 0, 8, 0, 2, 0, 1, 3, 0xaa, 0xbb, 0xcc };
	static const uint8_t twice[] = { 0, 18, 0, 14, 0, 5, 0, 2, 0, 1, 0,
					 0, 14, 0, 5, 0, 2, 0, 1, 0 };
	static const uint8_t odd[] = { 0, 8, 0, 14, 0, 4, 0, 1, 0, 0 };
	static const uint8_t empty[] = { 0, 7, 0, 14, 0, 3, 0, 0, 0 };
	static const uint8_t mki_past[] = { 0, 9, 0, 14, 0, 5, 0, 2, 0, 1, 1 };
	static const uint8_t after_mki[] = { 0, 10, 0, 14, 0, 6, 0, 2, 0, 1, 0, 9 };
	static const uint8_t ext_past[] = { 0, 9, 0, 14, 0, 6, 0, 2, 0, 1, 0 };
	static const uint8_t ext_cut[] = { 0, 12, 0, 14, 0, 5, 0, 2, 0, 1, 0, 0, 10, 0 };
	static const uint8_t total_past[] = { 0, 10, 0, 14, 0, 5, 0, 2, 0, 1, 0 };
	static const uint8_t null_only[] = { 0, 9, 0, 14, 0, 5, 0, 2, 0, 5, 0 };
	static const uint8_t many[] = { 0, 15, 0, 14, 0, 11, 0, 8, 0, 5, 0xff, 0xff, 0, 2,
					0, 1, 0 };
	uint8_t p[1024];
	struct dtls_hello h;
	size_t n;

	(void)state;
	assert_int_equal(made_rc(good, sizeof(good), 0), DTLS_HELLO_OK);
	assert_int_equal(made_rc(mki, sizeof(mki), 0), DTLS_HELLO_SRTP_MKI);
	assert_int_equal(made_rc(twice, sizeof(twice), 0), DTLS_HELLO_BAD_LEN);
	assert_int_equal(made_rc(odd, sizeof(odd), 0), DTLS_HELLO_BAD_LEN);
	assert_int_equal(made_rc(empty, sizeof(empty), 0), DTLS_HELLO_BAD_LEN);
	assert_int_equal(made_rc(mki_past, sizeof(mki_past), 0), DTLS_HELLO_BAD_LEN);
	assert_int_equal(made_rc(after_mki, sizeof(after_mki), 0), DTLS_HELLO_BAD_LEN);
	assert_int_equal(made_rc(ext_past, sizeof(ext_past), 0), DTLS_HELLO_BAD_LEN);
	assert_int_equal(made_rc(ext_cut, sizeof(ext_cut), 0), DTLS_HELLO_BAD_LEN);
	assert_int_equal(made_rc(total_past, sizeof(total_past), 0), DTLS_HELLO_SHORT);
	assert_int_equal(made_rc(null_only, sizeof(null_only), 0), DTLS_HELLO_NO_PROFILE);
	assert_int_equal(made_rc(many, sizeof(many), 0), DTLS_HELLO_OK);
	/* octets after the extensions block */
	assert_int_equal(made_rc(good, sizeof(good), 3), DTLS_HELLO_BAD_LEN);
	/* no extensions block at all; an empty one */
	assert_int_equal(made_rc(NULL, 0, 0), DTLS_HELLO_NO_USE_SRTP);
	assert_int_equal(made_rc((const uint8_t *)"\0\0", 2, 0), DTLS_HELLO_NO_USE_SRTP);
	/* one octet of an extensions block's length */
	assert_int_equal(made_rc((const uint8_t *)"\0", 1, 0), DTLS_HELLO_SHORT);
	/* suites: none, an odd count; compression: none */
	n = hello_made(p, 0, 1, good, sizeof(good), 0);
	assert_int_equal(srtp_rc(p, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_BAD_LEN);
	n = hello_made(p, 3, 1, good, sizeof(good), 0);
	assert_int_equal(srtp_rc(p, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_BAD_LEN);
	n = hello_made(p, 4, 0, good, sizeof(good), 0);
	assert_int_equal(srtp_rc(p, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_BAD_LEN);
	/* a suites' length past the body */
	n = hello_made(p, 4, 1, NULL, 0, 0);
	p[25 + 36] = 0x10;
	assert_int_equal(srtp_rc(p, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_SHORT);
	/* a compression length past the body */
	n = hello_made(p, 4, 1, NULL, 0, 0);
	p[25 + 36 + 2 + 4] = 9;
	assert_int_equal(srtp_rc(p, n, DTLS_SRTP_ALL, &h), DTLS_HELLO_SHORT);
	/* split over two records in one datagram: a fragment, refused by
	 * the parse (the second record is never looked at) */
	n = hello_made(p, 4, 1, good, sizeof(good), 0);
	{
		uint8_t two[1024];
		size_t body = n - 25, first = 20;

		/* record 1: the header and first octets of the body */
		memcpy(two, p, 25 + first);
		two[11] = 0;
		two[12] = (uint8_t)(12 + first);
		two[24] = (uint8_t)first;             /* fragment length */
		/* record 2: the rest, at offset first */
		memcpy(two + 25 + first, p, 25);
		two[25 + first + 10] = 1;             /* record seq 1 */
		two[25 + first + 11] = 0;
		two[25 + first + 12] = (uint8_t)(12 + body - first);
		two[25 + first + 21] = (uint8_t)first;        /* fragment offset */
		two[25 + first + 24] = (uint8_t)(body - first);
		memcpy(two + 50 + first, p + 25 + first, body - first);
		assert_int_equal(dtls_hello_parse(two, n + 25, &h), DTLS_HELLO_FRAGMENT);
	}
}

/* ---- dtls_hello_reassemble() ---------------------------------------- */

/* The whole ClientHello w (one record, one fragment: n octets) cut at the
 * body offsets cut[0..k) (ascending, inside the body) into k + 1
 * fragments, each in a record of its own (one_record: all in the first),
 * into d; its length. */
static size_t
cut_hello(const uint8_t *w, size_t n, const uint32_t *cut, unsigned int k, bool one_record,
	  uint8_t *d)
{
	uint32_t body = (uint32_t)(n - 25), from = 0;
	size_t at = 0, rec = 0;

	for (unsigned int i = 0; i <= k; i++) {
		uint32_t to = i < k ? cut[i] : body, fl = to - from;

		if (!one_record || i == 0) {
			rec = at;
			memcpy(d + at, w, 13);
			d[at + 10] = (uint8_t)(w[10] + i);     /* record seq */
			d[at + 11] = d[at + 12] = 0;
			at += 13;
		}
		memcpy(d + at, w + 13, 12);
		d[at + 6] = (uint8_t)(from >> 16);          /* fragment offset */
		d[at + 7] = (uint8_t)(from >> 8);
		d[at + 8] = (uint8_t)from;
		d[at + 9] = (uint8_t)(fl >> 16);            /* fragment length */
		d[at + 10] = (uint8_t)(fl >> 8);
		d[at + 11] = (uint8_t)fl;
		memcpy(d + at + 12, w + 25 + from, fl);
		at += 12 + fl;
		d[rec + 11] = (uint8_t)((at - rec - 13) >> 8);
		d[rec + 12] = (uint8_t)(at - rec - 13);
		from = to;
	}
	return at;
}

/* reassemble, then srtp with every profile offered; on OK the body is
 * w's. */
static enum dtls_hello_rc
whole_rc(const uint8_t *d, size_t n, const uint8_t *w, size_t wn, size_t size)
{
	struct dtls_hello h;
	uint8_t *cp = malloc(n ? n : 1), *b = malloc(size ? size : 1);
	enum dtls_hello_rc rc;

	assert_non_null(cp);
	assert_non_null(b);
	memcpy(cp, d, n);
	rc = dtls_hello_reassemble(cp, n, b, size, &h);
	if (rc == DTLS_HELLO_OK) {
		assert_true(h.body >= b && h.body + h.body_len <= b + size);
		assert_int_equal(h.body_len, wn - 25);
		assert_memory_equal(h.body, w + 25, wn - 25);
		rc = dtls_hello_srtp(&h, DTLS_SRTP_ALL);
	}
	free(cp);
	free(b);
	return rc;
}

/* A ClientHello cut into records within its datagram, taken whole: an
 * OpenSSL client's (aiortc's ciphers and use_srtp: 245 octets, cut at
 * OpenSSL's 256-octet minimum MTU over a memory BIO), and ours cut every
 * way: 2 to 4 fragments, in records of their own or in one; refused (a
 * FRAGMENT still) when a fragment is missing, out of order, another
 * message's, after a record of another kind, one too many, or when the
 * message does not fit the buffer; every cut of the datagram read within
 * its bounds (ASan). */
static void
test_reassemble(void **state)
{
	static const uint8_t good[] = { 0, 17, 0, 10, 0, 4, 0, 2, 0, 23,
					0, 14, 0, 5, 0, 2, 0, 1, 0 };
	uint8_t w[1024], d[2048];
	uint32_t cut[5];
	struct dtls_hello h;
	SSL_CTX *cctx;
	SSL *c;
	size_t n, wn;

	(void)state;
	/* an OpenSSL client as aiortc 1.4 makes it: no MTU on its memory BIO */
	cctx = SSL_CTX_new(DTLS_client_method());
	assert_non_null(cctx);
	assert_int_equal(SSL_CTX_set_cipher_list(cctx, "HIGH:!CAMELLIA:!aNULL"), 1);
	assert_int_equal(SSL_CTX_set_tlsext_use_srtp(cctx, "SRTP_AES128_CM_SHA1_80"), 0);
	c = SSL_new(cctx);
	assert_non_null(c);
	SSL_set_bio(c, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	BIO_set_mem_eof_return(SSL_get_rbio(c), -1);
	SSL_set_connect_state(c);
	n = first_hello(c, d, sizeof(d));
	SSL_free(c);
	SSL_CTX_free(cctx);
	assert_int_equal(dtls_hello_parse(d, n, &h), DTLS_HELLO_FRAGMENT);
	{
		uint8_t buf[DTLS_HELLO_WHOLE_MAX];

		assert_int_equal(dtls_hello_reassemble(d, n, buf, sizeof(buf), &h), DTLS_HELLO_OK);
		assert_int_equal(dtls_hello_srtp(&h, DTLS_SRTP_ALL), DTLS_HELLO_OK);
		assert_int_equal(h.srtp, DTLS_SRTP_AES128_CM_80);
		assert_int_equal(h.body_len, (buf[14] << 16 | buf[15] << 8 | buf[16]));
		/* a whole one: as the parse reads it, from the datagram */
		wn = hello_made(w, 4, 1, good, sizeof(good), 0);
		assert_int_equal(dtls_hello_reassemble(w, wn, buf, sizeof(buf), &h), DTLS_HELLO_OK);
		assert_ptr_equal(h.body, w + 25);
		/* not a ClientHello: as the parse says */
		assert_int_equal(dtls_hello_reassemble((const uint8_t *)"\x17\xfe\xfd\0\x01\0\0\0\0\0\0\0"
						       "\x04" "abcd", 17, buf, sizeof(buf), &h),
				 DTLS_HELLO_NOT_HANDSHAKE);
	}

	/* ours, cut: 2, 3, 4 fragments, records of their own or one */
	wn = hello_made(w, 4, 1, good, sizeof(good), 0);
	cut[0] = 20;
	n = cut_hello(w, wn, cut, 1, false, d);
	assert_int_equal(n, wn + 25);
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_OK);
	n = cut_hello(w, wn, cut, 1, true, d);
	assert_int_equal(n, wn + 12);
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_OK);
	cut[1] = 40;
	cut[2] = 41;
	n = cut_hello(w, wn, cut, 3, false, d);
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_OK);
	/* exactly enough room, one octet less */
	assert_int_equal(whole_rc(d, n, w, wn, wn), DTLS_HELLO_OK);
	assert_int_equal(whole_rc(d, n, w, wn, wn - 1), DTLS_HELLO_FRAGMENT);
	/* five fragments: "many records", refused */
	cut[3] = 50;
	n = cut_hello(w, wn, cut, 4, false, d);
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	n = cut_hello(w, wn, cut, 4, true, d);
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	/* every cut of two records: never whole but the whole datagram */
	n = cut_hello(w, wn, cut, 1, false, d);
	for (size_t k = 0; k < n; k++)
		assert_int_not_equal(whole_rc(d, k, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_OK);
	/* the second fragment missing (the next datagram's): refused */
	assert_int_equal(whole_rc(d, 25 + 20, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	/* its offset one off, each way */
	n = cut_hello(w, wn, cut, 1, false, d);
	d[25 + 20 + 13 + 8] = 21;
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	d[25 + 20 + 13 + 8] = 19;
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	/* another message's (msg_seq), another length, another type */
	n = cut_hello(w, wn, cut, 1, false, d);
	d[25 + 20 + 13 + 5] ^= 1;
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	n = cut_hello(w, wn, cut, 1, false, d);
	d[25 + 20 + 13 + 3] ^= 1;
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	n = cut_hello(w, wn, cut, 1, false, d);
	d[25 + 20 + 13] = 11;
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	/* the second record of another kind, or of epoch 1 */
	n = cut_hello(w, wn, cut, 1, false, d);
	d[25 + 20] = 23;
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	n = cut_hello(w, wn, cut, 1, false, d);
	d[25 + 20 + 4] = 1;
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
	/* the first record not the message's start: the parse's fragment */
	n = cut_hello(w, wn, cut, 1, false, d);
	assert_int_equal(whole_rc(d + 25 + 20, n - 25 - 20, w, wn, DTLS_HELLO_WHOLE_MAX),
			 DTLS_HELLO_FRAGMENT);
	/* a fragment past its record */
	n = cut_hello(w, wn, cut, 1, false, d);
	d[25 + 20 + 12] = (uint8_t)(d[25 + 20 + 12] - 1);
	assert_int_equal(whole_rc(d, n, w, wn, DTLS_HELLO_WHOLE_MAX), DTLS_HELLO_FRAGMENT);
}

/* dtls_hs_msg_longest(): the longest message any epoch-0 handshake
 * fragment of a datagram announces, over records and the fragments in
 * each; never a read past the datagram (heap copies of every cut). */
static void
test_hs_msg_longest(void **state)
{
	uint8_t d[4096], rec[64];
	struct dtls_hello h;
	size_t n;

	(void)state;
	n = srtp_hello("SRTP_AES128_CM_SHA1_80", 0, d, sizeof(d));
	assert_int_equal(dtls_hello_parse(d, n, &h), DTLS_HELLO_OK);
	assert_int_equal(dtls_hs_msg_longest(d, n), h.body_len);
	for (size_t k = 0; k < n; k++) {
		uint8_t *cp = malloc(k > 0 ? k : 1);

		assert_non_null(cp);
		memcpy(cp, d, k);
		/* the record runs past a cut: not read */
		assert_int_equal(dtls_hs_msg_longest(cp, k), 0);
		free(cp);
	}
	/* a second record: two fragments, the second announcing 70000 */
	memset(rec, 0, sizeof(rec));
	rec[0] = 22;
	rec[1] = 0xfe;
	rec[2] = 0xfd;
	rec[12] = 24 + 4;              /* two fragment headers, 4 octets of data */
	rec[13] = 11;                  /* Certificate: msg_len 100, frag 2 */
	rec[13 + 3] = 100;
	rec[13 + 11] = 2;
	rec[13 + 14] = 11;             /* msg_len 70000 (0x011170), frag 2 */
	rec[13 + 14 + 1] = 0x01;
	rec[13 + 14 + 2] = 0x11;
	rec[13 + 14 + 3] = 0x70;
	rec[13 + 14 + 11] = 2;
	memcpy(d + n, rec, 13 + 28);
	assert_int_equal(dtls_hs_msg_longest(d, n + 13 + 28), 70000);
	assert_true(dtls_hs_msg_longest(d, n + 13 + 28) > DTLS_HS_MSG_MAX);
	/* the same record in epoch 1, or as application data: skipped */
	d[n + 4] = 1;
	assert_int_equal(dtls_hs_msg_longest(d, n + 13 + 28), h.body_len);
	d[n + 4] = 0;
	d[n] = 23;
	assert_int_equal(dtls_hs_msg_longest(d, n + 13 + 28), h.body_len);
	d[n] = 22;
	/* a fragment running past its record ends that record's walk */
	d[n + 13 + 11] = 200;
	assert_int_equal(dtls_hs_msg_longest(d, n + 13 + 28), h.body_len > 100 ? h.body_len : 100);
	assert_int_equal(dtls_hs_msg_longest(d, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real),
		cmocka_unit_test(test_parse_forged),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_exchange_bad_cookie),
		cmocka_unit_test(test_srtp_openssl_clients),
		cmocka_unit_test(test_srtp_every_cut),
		cmocka_unit_test(test_srtp_made),
		cmocka_unit_test(test_reassemble),
		cmocka_unit_test(test_hs_msg_longest),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
