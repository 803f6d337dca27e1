/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/tls_ctx: the worker's SSL_CTX from the tls group, against
 * OpenSSL's own client over a BIO pair (no sockets, no mocks): TLS 1.3 and
 * 1.2 complete; ALPN "stun.turn" echoed when offered and nothing when not
 * (RFC 7443); min_version "1.3" refuses a 1.2 client; SNI picks its
 * certificate; a TLS 1.2 renegotiation is refused with a no_renegotiation
 * alert; each bad setting is one error naming the line, the setting and
 * the file; and the memory one established connection costs in OpenSSL's
 * heap, measured (CRYPTO_set_mem_functions) and bounded.
 *
 * Certificates are made with the openssl command into a mkdtemp folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ossl_heap.h"
#include "tls_ctx.h"
#include "tp_conf_types.h"

static char dir[64];
static char cert[128], key[128], cert2[128], key2[128], junk[128];
/* a leaf of 10 days signed by a CA of 1 (chain: leaf then CA), and a
 * self-signed one of 5 days */
static char chain[128], leafkey[128], cert5[128], key5[128];
static time_t made_at;
static char err[768];

/* ---- fixtures ---------------------------------------------------------- */

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
	char cmd[768];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tp-tls-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert2, sizeof(cert2), "%s/cert2.pem", dir);
	snprintf(key2, sizeof(key2), "%s/key2.pem", dir);
	snprintf(junk, sizeof(junk), "%s/junk.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=turn.test "
		 "-keyout %s -out %s", key, cert);
	run(cmd);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
		 "-subj /CN=other.test -keyout %s -out %s", key2, cert2);
	run(cmd);
	snprintf(chain, sizeof(chain), "%s/chain.pem", dir);
	snprintf(leafkey, sizeof(leafkey), "%s/leaf.key", dir);
	snprintf(cert5, sizeof(cert5), "%s/cert5.pem", dir);
	snprintf(key5, sizeof(key5), "%s/key5.pem", dir);
	made_at = time(NULL);
	snprintf(cmd, sizeof(cmd), "(cd %s && openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=ca.test -keyout ca.key "
		 "-out ca.pem && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-nodes -subj /CN=leaf.test -keyout leaf.key -out leaf.csr && openssl x509 "
		 "-req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 10 "
		 "-out leaf.pem && cat leaf.pem ca.pem > chain.pem)", dir);
	run(cmd);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 5 -subj /CN=five.test "
		 "-keyout %s -out %s", key5, cert5);
	run(cmd);
	f = fopen(junk, "w");
	assert_non_null(f);
	fputs("this is not PEM\n", f);
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	return 0;
}

/* A tls group as lib/conf leaves it (defaults), lines 10.. */
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
	t->session_cache = TP_CONF_TLS_SESSION_CACHE;
	snprintf(t->cert.certificate, sizeof(t->cert.certificate), "%s", cert);
	snprintf(t->cert.private_key, sizeof(t->cert.private_key), "%s", key);
	t->cert.certificate_line = 11;
	t->cert.private_key_line = 12;
	t->ciphers_line = 13;
	t->ciphersuites_line = 14;
	t->groups_line = 15;
	t->min_version_line = 16;
}

/* Server and client over a BIO pair; the handshake driven to its end
 * (both done: 1) or to a failure (0). Server-side calls are counted. */
struct pair {
	SSL *s, *c;
};

static void
pair_new(struct pair *p, SSL_CTX *sctx, SSL_CTX *cctx, const char *sni,
	 const char *alpn)
{
	BIO *bs, *bc;

	assert_int_equal(BIO_new_bio_pair(&bs, 0, &bc, 0), 1);
	ossl_heap_counting = 1;
	p->s = SSL_new(sctx);
	ossl_heap_counting = 0;
	p->c = SSL_new(cctx);
	assert_non_null(p->s);
	assert_non_null(p->c);
	SSL_set_bio(p->s, bs, bs);
	SSL_set_bio(p->c, bc, bc);
	SSL_set_accept_state(p->s);
	SSL_set_connect_state(p->c);
	if (sni != NULL)
		SSL_set_tlsext_host_name(p->c, sni);
	if (alpn != NULL)
		SSL_set_alpn_protos(p->c, (const unsigned char *)alpn, (unsigned int)strlen(alpn));
}

static int
pair_handshake(struct pair *p)
{
	int sd = 0, cd = 0;

	for (int i = 0; i < 50 && !(sd == 1 && cd == 1); i++) {
		int e;

		if (cd != 1) {
			cd = SSL_do_handshake(p->c);
			e = SSL_get_error(p->c, cd);
			if (cd != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				return 0;
		}
		if (sd != 1) {
			ossl_heap_counting = 1;
			sd = SSL_do_handshake(p->s);
			ossl_heap_counting = 0;
			e = SSL_get_error(p->s, sd);
			if (sd != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				return 0;
		}
	}
	return sd == 1 && cd == 1;
}

static void
pair_free(struct pair *p)
{
	ossl_heap_counting = 1;
	SSL_free(p->s);
	ossl_heap_counting = 0;
	SSL_free(p->c);
	ERR_clear_error();
}

static SSL_CTX *
client_ctx(int max_version)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	assert_non_null(c);
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	if (max_version != 0)
		SSL_CTX_set_max_proto_version(c, max_version);
	return c;
}

static SSL_CTX *
server_ctx(const struct tp_conf_tls *t)
{
	SSL_CTX *s = tls_ctx_create(t, NULL, NULL, err, sizeof(err));

	if (s == NULL)
		fail_msg("tls_ctx_create: %s", err);
	return s;
}

/* ---- tests ----------------------------------------------------------------- */

static void
test_tls_ctx_handshakes_13_and_12_with_alpn(void **state)
{
	struct tp_conf_tls t;
	const unsigned char *sel;
	unsigned int len;
	SSL_CTX *s, *c13, *c12;
	struct pair p;

	(void)state;
	conf_tls(&t);
	s = server_ctx(&t);
	c13 = client_ctx(0);
	c12 = client_ctx(TLS1_2_VERSION);

	pair_new(&p, s, c13, "turn.test", "\x02h2\x09stun.turn");
	assert_int_equal(pair_handshake(&p), 1);
	assert_int_equal(SSL_version(p.s), TLS1_3_VERSION);
	SSL_get0_alpn_selected(p.c, &sel, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(sel, "stun.turn", 9);
	pair_free(&p);

	/* ALPN not required: none offered, none chosen; one not ours: none */
	pair_new(&p, s, c12, NULL, NULL);
	assert_int_equal(pair_handshake(&p), 1);
	assert_int_equal(SSL_version(p.s), TLS1_2_VERSION);
	SSL_get0_alpn_selected(p.c, &sel, &len);
	assert_int_equal(len, 0);
	pair_free(&p);
	pair_new(&p, s, c13, NULL, "\x08http/1.1");
	assert_int_equal(pair_handshake(&p), 1);
	SSL_get0_alpn_selected(p.c, &sel, &len);
	assert_int_equal(len, 0);
	pair_free(&p);

	/* min_version "1.3": a TLS 1.2 client is refused */
	tls_ctx_free(s);
	t.min_version = 0x0304;
	s = server_ctx(&t);
	pair_new(&p, s, c12, NULL, NULL);
	assert_int_equal(pair_handshake(&p), 0);
	pair_free(&p);

	tls_ctx_free(s);
	SSL_CTX_free(c13);
	SSL_CTX_free(c12);
}

/* RFC 6066 §3: the certificate of the name asked for, else the default. */
static void
test_tls_ctx_sni_picks_certificate(void **state)
{
	struct tp_conf_tls t;
	SSL_CTX *s, *c;
	struct pair p;
	X509 *peer;
	char cn[64];

	(void)state;
	conf_tls(&t);
	t.nsni = 1;
	snprintf(t.sni[0].name, sizeof(t.sni[0].name), "*.example.net");
	snprintf(t.sni[0].certificate, sizeof(t.sni[0].certificate), "%s", cert2);
	snprintf(t.sni[0].private_key, sizeof(t.sni[0].private_key), "%s", key2);
	s = server_ctx(&t);
	c = client_ctx(0);
	assert_non_null(tls_ctx_sni(s, "turn.example.net"));
	assert_null(tls_ctx_sni(s, "example.net"));
	const char *names[] = { "TURN.example.net", "turn.test", NULL };
	const char *want[] = { "other.test", "turn.test", "turn.test" };
	for (int i = 0; i < 3; i++) {
		pair_new(&p, s, c, names[i], NULL);
		assert_int_equal(pair_handshake(&p), 1);
		peer = SSL_get1_peer_certificate(p.c);
		assert_non_null(peer);
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn,
					  sizeof(cn));
		assert_string_equal(cn, want[i]);
		X509_free(peer);
		pair_free(&p);
	}
	tls_ctx_free(s);
	SSL_CTX_free(c);
}

static int reneg_alerts;

static void
count_no_reneg(const SSL *s, int where, int ret)
{
	(void)s;
	if ((where & SSL_CB_WRITE_ALERT) && (ret & 0xff) == SSL_AD_NO_RENEGOTIATION)
		reneg_alerts++;
}

/* A TLS 1.2 client's renegotiation: refused, no second handshake. */
static void
test_tls_ctx_renegotiation_refused(void **state)
{
	struct tp_conf_tls t;
	SSL_CTX *s, *c;
	struct pair p;
	char buf[16];
	size_t n;

	(void)state;
	conf_tls(&t);
	s = server_ctx(&t);
	SSL_CTX_set_info_callback(s, count_no_reneg);
	c = client_ctx(TLS1_2_VERSION);
	pair_new(&p, s, c, NULL, NULL);
	assert_int_equal(pair_handshake(&p), 1);
	reneg_alerts = 0;
	assert_int_equal(SSL_renegotiate(p.c), 1);
	SSL_do_handshake(p.c);                     /* sends the ClientHello */
	assert_int_equal(SSL_read_ex(p.s, buf, sizeof(buf), &n), 0);
	assert_int_equal(reneg_alerts, 1);
	assert_int_equal(SSL_renegotiate_pending(p.s), 0);
	pair_free(&p);
	tls_ctx_free(s);
	SSL_CTX_free(c);
}

/* err must start with "<line>: " and hold each of the words. */
static void
expect_err(int line, const char *a, const char *b)
{
	char want[16];

	snprintf(want, sizeof(want), "%d: ", line);
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, a) == NULL ||
	    (b != NULL && strstr(err, b) == NULL))
		fail_msg("got \"%s\", want \"%s...%s...%s\"", err, want, a, b ? b : "");
}

static void
test_tls_ctx_bad_settings_name_line_setting_file(void **state)
{
	struct tp_conf_tls t;
	const char *propq;

	(void)state;
	conf_tls(&t);
	snprintf(t.cert.certificate, sizeof(t.cert.certificate), "%s", junk);
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(11, "tls.certificate", junk);

	conf_tls(&t);
	snprintf(t.cert.certificate, sizeof(t.cert.certificate), "/nonexistent/c.pem");
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(11, "tls.certificate '/nonexistent/c.pem'", "No such file");

	conf_tls(&t);
	snprintf(t.cert.private_key, sizeof(t.cert.private_key), "%s", dir);
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(12, "tls.private_key", "not a regular file");

	conf_tls(&t);
	snprintf(t.cert.private_key, sizeof(t.cert.private_key), "%s", junk);
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(12, "tls.private_key", junk);

	conf_tls(&t);              /* a key, but another certificate's */
	snprintf(t.cert.private_key, sizeof(t.cert.private_key), "%s", key2);
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(12, "tls.private_key", key2);
	assert_non_null(strstr(err, cert));
	assert_non_null(strstr(err, "does not match"));

	conf_tls(&t);
	snprintf(t.ciphers, sizeof(t.ciphers), "NOT-A-CIPHER");
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(13, "tls.ciphers 'NOT-A-CIPHER'", NULL);

	conf_tls(&t);
	snprintf(t.ciphersuites, sizeof(t.ciphersuites), "TLS_AES_128_CBC");
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(14, "tls.ciphersuites 'TLS_AES_128_CBC'", NULL);

	conf_tls(&t);
	snprintf(t.groups, sizeof(t.groups), "X25519:P-999");
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(15, "tls.groups 'X25519:P-999'", NULL);

	conf_tls(&t);
	t.nsni = 1;
	snprintf(t.sni[0].name, sizeof(t.sni[0].name), "a.test");
	snprintf(t.sni[0].certificate, sizeof(t.sni[0].certificate), "%s", cert2);
	snprintf(t.sni[0].private_key, sizeof(t.sni[0].private_key), "%s", key);
	t.sni[0].private_key_line = 21;
	assert_null(tls_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	expect_err(21, "tls.sni.private_key", "does not match");

	conf_tls(&t);
	t.offload = TP_TLS_OFFLOAD_PROVIDER;
	t.offload_line = 30;
	snprintf(t.offload_provider, sizeof(t.offload_provider), "/nonexistent/tp_nope.so");
	assert_null(tls_libctx_create(&t, &propq, err, sizeof(err)));
	expect_err(30, "tls.offload.provider '/nonexistent/tp_nope.so'", "cannot load");

	/* the default provider by name, with a property query: loads, and
	 * the context is made in that library context */
	snprintf(t.offload_provider, sizeof(t.offload_provider), "default");
	snprintf(t.offload_properties, sizeof(t.offload_properties), "?provider=default");
	{
		OSSL_LIB_CTX *lc = tls_libctx_create(&t, &propq, err, sizeof(err));
		SSL_CTX *s;

		assert_non_null(lc);
		assert_string_equal(propq, "?provider=default");
		s = tls_ctx_create(&t, lc, propq, err, sizeof(err));
		assert_non_null(s);
		tls_ctx_free(s);
		tls_libctx_free(lc);
	}
	ERR_clear_error();
}

/*
 * What one established connection costs in OpenSSL's heap: bytes live
 * that the server's calls allocated (SSL_new, the handshake, a record each
 * way), the session kept in the worker's cache included. Measured with
 * our context (4 KB max_send_fragment) and, for the record, with
 * OpenSSL's defaults; bounded.
 */
static long long
conn_bytes(SSL_CTX *s, SSL_CTX *c, int version)
{
	static const char msg[] = "\x00\x01\x00\x00\x21\x12\xa4\x42 twelve bytes";
	char buf[64];
	struct pair p;
	long long base = ossl_heap_live, used;
	size_t n;

	(void)version;
	pair_new(&p, s, c, NULL, NULL);
	assert_int_equal(pair_handshake(&p), 1);
	assert_int_equal(SSL_write_ex(p.c, msg, sizeof(msg), &n), 1);
	ossl_heap_counting = 1;
	assert_int_equal(SSL_read_ex(p.s, buf, sizeof(buf), &n), 1);
	assert_int_equal(SSL_write_ex(p.s, buf, n, &n), 1);
	ossl_heap_counting = 0;
	assert_int_equal(SSL_read_ex(p.c, buf, sizeof(buf), &n), 1);
	used = ossl_heap_live - base;
	pair_free(&p);
	return used;
}

static void
test_tls_conn_memory_bounded(void **state)
{
	struct tp_conf_tls t;
	SSL_CTX *s, *d, *c13, *c12;
	long long ours13, ours12, dflt13;

	(void)state;
	conf_tls(&t);
	t.session_cache = 0;                   /* the connection alone */
	s = server_ctx(&t);
	c13 = client_ctx(0);
	c12 = client_ctx(TLS1_2_VERSION);
	conn_bytes(s, c13, 0);                 /* warm: OpenSSL's one-time tables */
	ours13 = conn_bytes(s, c13, 0);
	ours12 = conn_bytes(s, c12, 0);
	d = server_ctx(&t);
	SSL_CTX_set_max_send_fragment(d, SSL3_RT_MAX_PLAIN_LENGTH);
	dflt13 = conn_bytes(d, c13, 0);
	printf("# one established TLS connection (server side, OpenSSL's heap): "
	       "TLS 1.3 %lld bytes, TLS 1.2 %lld bytes; with OpenSSL's default 16 KB "
	       "send fragment %lld bytes\n", ours13, ours12, dflt13);
	/* read buffer 16 KB + write buffer 4 KB + SSL and its state */
	assert_true(ours13 > 16384 && ours13 < 48 * 1024);
	assert_true(ours12 > 16384 && ours12 < 48 * 1024);
	assert_true(dflt13 > ours13 + 8192);
	tls_ctx_free(s);
	tls_ctx_free(d);
	SSL_CTX_free(c13);
	SSL_CTX_free(c12);
}

/* t is days from made_at, give or take the minute the set-up took */
static void
assert_days_on(int64_t t, int days)
{
	int64_t want = (int64_t)made_at + (int64_t)days * 86400;

	assert_true(t >= want - 60 && t <= want + 60);
}

/* A context of cert/key with an SNI one of sni_cert/sni_key (NULL: none):
 * when its first certificate expires, in days from made_at. */
static void
assert_ctx_expires(const char *c, const char *k, const char *sni_cert, const char *sni_key,
		   int days)
{
	struct tp_conf_tls t;
	SSL_CTX *s;

	conf_tls(&t);
	snprintf(t.cert.certificate, sizeof(t.cert.certificate), "%s", c);
	snprintf(t.cert.private_key, sizeof(t.cert.private_key), "%s", k);
	if (sni_cert != NULL) {
		t.nsni = 1;
		snprintf(t.sni[0].name, sizeof(t.sni[0].name), "other.test");
		snprintf(t.sni[0].certificate, sizeof(t.sni[0].certificate), "%s", sni_cert);
		snprintf(t.sni[0].private_key, sizeof(t.sni[0].private_key), "%s", sni_key);
	}
	s = tls_ctx_create(&t, NULL, NULL, err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	assert_days_on(tls_ctx_not_after(s), days);
	tls_ctx_free(s);
}

/* When the first certificate a context serves expires: its own, an SNI
 * context's when that one comes first (seen first or last), a chain's CA
 * when it does. */
static void
test_tls_ctx_not_after_earliest(void **state)
{
	(void)state;
	assert_ctx_expires(cert5, key5, NULL, NULL, 5);
	assert_ctx_expires(cert5, key5, cert2, key2, 2);   /* the SNI one's */
	assert_ctx_expires(cert, key, cert5, key5, 2);     /* its own, seen first */
	assert_ctx_expires(chain, leafkey, NULL, NULL, 1); /* a leaf of 10, its CA of 1 */
	assert_int_equal(tls_ctx_not_after(NULL), 0);
}

/* What the operator is told, and when: 2023-11-14 22:13:20 UTC. */
static void
test_tls_expiry_say(void **state)
{
	const int64_t at = 1700000000;
	char b[96];

	(void)state;
	assert_int_equal(tls_expiry_say(at, at - 40 * 86400, b, sizeof(b)), 0);
	assert_string_equal(b, "expires 2023-11-14 22:13:20 UTC, in 40 day(s)");
	assert_int_equal(tls_expiry_say(at, at - 30 * 86400, b, sizeof(b)), 0);
	assert_int_equal(tls_expiry_say(at, at - 30 * 86400 + 1, b, sizeof(b)), 1);
	assert_string_equal(b, "expires 2023-11-14 22:13:20 UTC, in 29 day(s)");
	assert_int_equal(tls_expiry_say(at, at - 100, b, sizeof(b)), 1);
	assert_string_equal(b, "expires 2023-11-14 22:13:20 UTC, in under a day");
	assert_int_equal(tls_expiry_say(at, at, b, sizeof(b)), 2);
	assert_int_equal(tls_expiry_say(at, at + 3 * 86400 + 7, b, sizeof(b)), 2);
	assert_string_equal(b, "expired 2023-11-14 22:13:20 UTC, 3 day(s) ago");
	assert_int_equal(tls_expiry_say(0, at, b, sizeof(b)), 0);
	assert_string_equal(b, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_ctx_handshakes_13_and_12_with_alpn),
		cmocka_unit_test(test_tls_ctx_sni_picks_certificate),
		cmocka_unit_test(test_tls_ctx_renegotiation_refused),
		cmocka_unit_test(test_tls_ctx_bad_settings_name_line_setting_file),
		cmocka_unit_test(test_tls_conn_memory_bounded),
		cmocka_unit_test(test_tls_ctx_not_after_earliest),
		cmocka_unit_test(test_tls_expiry_say),
	};

	/* before OpenSSL allocates anything */
	if (!ossl_heap_install())
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
