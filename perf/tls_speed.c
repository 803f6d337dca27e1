/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_speed: what `openssl speed` (3.0) does not time, for perf/run's
 * bound on TLS 1.3 handshakes: the server's ECDHE key generation. A TLS
 * 1.3 server makes one key pair for the client's key share (X25519 by
 * default) and derives one shared secret from it, in every full and every
 * psk_dhe_ke handshake; `openssl speed ecdhx25519` times the derive only.
 * This times EVP_PKEY_keygen() for the group, through the same EVP
 * calls OpenSSL's TLS code makes, and the derive again beside it (a check
 * against `openssl speed`).
 *
 *   tls_speed [GROUP [SECONDS]]      GROUP X25519 (default) or P-256
 *
 * Prints one JSON object: {"group":..., "keygen_per_s":..., "derive_per_s":...}.
 *
 * And OpenSSL's own cost of a server's TLS 1.3 handshake, in this process
 * (client and server over a BIO pair, only the server's calls timed):
 *
 *   tls_speed hs CERT KEY [SECONDS [resume [async]]]
 *
 * with the server set up as dp's worker sets its SSL_CTX (dp/tls/tls_ctx.c:
 * TLS 1.2-1.3, the three 1.3 suites in dp's order, X25519:P-256:P-384, no
 * renegotiation or compression, the server's order, ALPN, 4 KB send
 * fragments, one ticket a handshake; with "async", SSL_MODE_ASYNC as dp
 * runs) and called as dp calls it (SSL_new, SSL_read_ex until the
 * handshake and the client's close_notify are through, SSL_shutdown,
 * SSL_free). The client offers TLS_AES_128_GCM_SHA256 and X25519, as
 * perf/tpgen's; with "resume" each connection offers the previous one's
 * ticket (psk_dhe_ke). Tickets under OpenSSL's own keys (dp's callback
 * does the same AES-256-CBC and HMAC-SHA256 with cp's). What dp adds to
 * this (TCP, its loop, its BIO) is the rest of its cycles per handshake.
 * Prints {"server_us_per_hs":..., "handshakes":..., "resumed":...}.
 *
 * And the parts of a TLS 1.3 KeyUpdate (RFC 8446 §4.6.3, §7.2), each
 * alone, for perf/run's KeyUpdate figures:
 *
 *   tls_speed ku [SECONDS]
 *
 * One HKDF-Expand-Label of 16 bytes from a SHA-256 secret three ways: a
 * fresh EVP_KDF_CTX a call with the digest by name (what dp/tls/tls_rec.c
 * did), one EVP_KDF_CTX kept (the digest and mode set once, the key and
 * info a call), and one HMAC EVP_MAC_CTX kept (HKDF-Expand of one block
 * is HMAC(secret, info | 0x01), RFC 5869 §2.3); AES-128-GCM's key set on
 * a kept EVP_CIPHER_CTX; and a KeyUpdate record sealed (5 bytes, its
 * type, the tag); and the allocations OpenSSL makes for one expansion each
 * way (its allocator counted: CRYPTO_set_mem_functions). Prints
 * {"ns_expand_fresh":..., "allocs_expand_fresh":..., ...}.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/ssl.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static EVP_PKEY *
keygen(EVP_PKEY_CTX *kctx)
{
	EVP_PKEY *k = NULL;

	if (EVP_PKEY_keygen(kctx, &k) != 1)
		return NULL;
	return k;
}

static int
alpn_select(SSL *s, const unsigned char **out, unsigned char *outlen,
	    const unsigned char *in, unsigned int inlen, void *arg)
{
	(void)s;
	(void)arg;
	for (unsigned int i = 0; i + 1 + in[i] <= inlen; i += 1u + in[i])
		if (in[i] == 9 && memcmp(in + i + 1, "stun.turn", 9) == 0) {
			*out = in + i + 1;
			*outlen = 9;
			return SSL_TLSEXT_ERR_OK;
		}
	return SSL_TLSEXT_ERR_NOACK;
}

static SSL_SESSION *last_ticket;

static int
client_new_session(SSL *s, SSL_SESSION *sess)
{
	(void)s;
	if (last_ticket != NULL)
		SSL_SESSION_free(last_ticket);
	last_ticket = sess;
	return 1;
}

static double t_server;   /* seconds in the server's calls */
/* the same by step: SSL_new; each SSL_read_ex call that did something
 * (1: ClientHello in, the server's flight out; 2: the client's Finished
 * in, the ticket out; 3: close_notify); SSL_shutdown and SSL_free */
static double t_step[5];

#define TIMED(x) do { double _t = now_s(); x; t_server += now_s() - _t; } while (0)
#define TIMED_STEP(i, x) do { double _t = now_s(), _d; x; _d = now_s() - _t; \
	t_server += _d; t_step[i] += _d; } while (0)

static int
hs_main(int argc, char **argv)
{
	static const unsigned char alpn[] = "\x09stun.turn";
	const char *cert = argv[2], *key = argv[3];
	double secs = argc > 4 ? atof(argv[4]) : 1.0;
	bool resume = argc > 5 && strcmp(argv[5], "resume") == 0;
	bool async = argc > 6 && strcmp(argv[6], "async") == 0;
	SSL_CTX *sc = SSL_CTX_new(TLS_server_method());
	SSL_CTX *cc = SSL_CTX_new(TLS_client_method());
	unsigned long n = 0, nres = 0, fails = 0;
	unsigned char buf[4096];
	double t0;

	if (sc == NULL || cc == NULL ||
	    !SSL_CTX_set_min_proto_version(sc, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(sc, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(sc, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
				      "TLS_CHACHA20_POLY1305_SHA256") ||
	    !SSL_CTX_set1_groups_list(sc, "X25519:P-256:P-384") ||
	    SSL_CTX_use_certificate_chain_file(sc, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(sc, key, SSL_FILETYPE_PEM) != 1 ||
	    !SSL_CTX_set_min_proto_version(cc, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(cc, "TLS_AES_128_GCM_SHA256") ||
	    SSL_CTX_set_alpn_protos(cc, alpn, sizeof(alpn) - 1) != 0)
		goto fail;
	SSL_CTX_set_options(sc, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (async)
		SSL_CTX_set_mode(sc, SSL_MODE_ASYNC);
	SSL_CTX_set_max_send_fragment(sc, 4096);
	SSL_CTX_set_alpn_select_cb(sc, alpn_select, NULL);
	SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_AUTO_CLEAR);
	SSL_CTX_sess_set_cache_size(sc, 16384);
	SSL_CTX_set_session_id_context(sc, (const unsigned char *)"turnpike", 8);
	SSL_CTX_set_num_tickets(sc, 1);
	SSL_CTX_set_verify(cc, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(cc, SSL_SESS_CACHE_CLIENT |
				       SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(cc, client_new_session);
	t0 = now_s();
	while (t_server < secs && now_s() - t0 < 30 * secs) {
		BIO *cb, *sb;
		SSL *s, *c = SSL_new(cc);
		SSL_SESSION *use = resume ? last_ticket : NULL;
		size_t got;
		int sdone = 0, guard = 0, step = 1, cshut = 0;

		if (c == NULL || BIO_new_bio_pair(&cb, 1 << 16, &sb, 1 << 16) != 1)
			goto fail;
		TIMED_STEP(0, s = SSL_new(sc); if (s != NULL) { SSL_set_bio(s, sb, sb);
		      SSL_set_accept_state(s); });
		if (s == NULL)
			goto fail;
		last_ticket = NULL;      /* each ticket once */
		if (use != NULL) {
			SSL_set_session(c, use);
			SSL_SESSION_free(use);
		}
		SSL_set_bio(c, cb, cb);
		SSL_set_connect_state(c);
		/* the handshake, then the client waits for its ticket, then
		 * both close (the server reads the close_notify) */
		while (guard++ < 64) {
			int r;

			SSL_do_handshake(c);
			if (SSL_is_init_finished(c))
				SSL_read_ex(c, buf, sizeof(buf), &got);
			if (SSL_is_init_finished(c) && last_ticket != NULL && !cshut) {
				SSL_shutdown(c);
				cshut = 1;
			}
			if (BIO_ctrl_pending(sb) == 0)
				continue;          /* nothing for the server yet */
			TIMED_STEP(step < 3 ? step : 3, r = SSL_read_ex(s, buf, sizeof(buf), &got));
			step++;
			if (r != 1 && SSL_get_error(s, r) == SSL_ERROR_ZERO_RETURN) {
				sdone = 1;
				break;
			}
			if (r != 1 && SSL_get_error(s, r) != SSL_ERROR_WANT_READ &&
			    SSL_get_error(s, r) != SSL_ERROR_WANT_ASYNC)
				break;
		}
		if (!sdone)
			fails++;
		if (SSL_session_reused(c))
			nres++;
		TIMED_STEP(4, SSL_shutdown(s); SSL_free(s));
		SSL_free(c);
		ERR_clear_error();
		n++;
	}
	SSL_CTX_free(sc);
	SSL_CTX_free(cc);
	if (last_ticket != NULL)
		SSL_SESSION_free(last_ticket);
	if (n == 0)
		n = 1;
	printf("{\"server_us_per_hs\":%.2f,\"handshakes\":%lu,\"resumed\":%lu,"
	       "\"failed\":%lu,\"async\":%d,\"us_new\":%.2f,\"us_hello\":%.2f,"
	       "\"us_finished\":%.2f,\"us_close\":%.2f,\"us_free\":%.2f}\n",
	       t_server * 1e6 / (double)n, n, nres, fails, async ? 1 : 0,
	       t_step[0] * 1e6 / (double)n, t_step[1] * 1e6 / (double)n,
	       t_step[2] * 1e6 / (double)n, t_step[3] * 1e6 / (double)n,
	       t_step[4] * 1e6 / (double)n);
	return fails == 0 ? 0 : 1;
fail:
	ERR_print_errors_fp(stderr);
	fprintf(stderr, "tls_speed hs: OpenSSL refused the set-up\n");
	return 1;
}

/* HKDF-Expand-Label's info (RFC 8446 §7.1, no context): its length */
static size_t
ku_info(uint8_t *info, const char *label, size_t olen)
{
	size_t ll = strlen(label);

	info[0] = (uint8_t)(olen >> 8);
	info[1] = (uint8_t)olen;
	info[2] = (uint8_t)(6 + ll);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll);
	info[9 + ll] = 0;
	return 10 + ll;
}

static unsigned long ku_allocs;

static void *
ku_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ku_allocs++;
	return malloc(n);
}

static void *
ku_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ku_allocs++;
	return realloc(p, n);
}

static void
ku_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* OpenSSL's allocations a run of body, over 64 runs */
#define KU_ALLOCS(var, body) do {					\
	unsigned long _a0 = ku_allocs;					\
	for (int _i = 0; _i < 64; _i++) { body; }			\
	var = (double)(ku_allocs - _a0) / 64.0;				\
} while (0)

#define KU_TIMED(var, body) do {					\
	unsigned long _n = 0;						\
	double _t0 = now_s(), _t1;					\
	do {								\
		for (int _i = 0; _i < 256; _i++) { body; }		\
		_n += 256;						\
		_t1 = now_s();						\
	} while (_t1 - _t0 < secs);					\
	var = (_t1 - _t0) * 1e9 / (double)_n;				\
} while (0)

static int
ku_main(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	uint8_t secret[32], out[64], info[32], key[16], iv[12] = { 0 }, tag[16];
	static const uint8_t ku[6] = { 24, 0, 0, 1, 0, 22 };
	uint8_t hdr[5] = { 23, 3, 3, 0, 22 }, ct[6];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kk = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mc = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY, outl, bad = 0;
	size_t il = ku_info(info, "key", 16), ml;
	double ns_fresh, ns_kept, ns_hmac, ns_key, ns_seal, al_fresh, al_kept, al_hmac;
	OSSL_PARAM ps[5], ks[3], ms[2];

	if (secs <= 0)
		secs = 1.0;
	memset(secret, 0x5a, sizeof(secret));
	memset(key, 0x3c, sizeof(key));
	ps[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	ps[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, secret, sizeof(secret));
	ps[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, il);
	ps[3] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	ps[4] = OSSL_PARAM_construct_end();
	ks[0] = ps[1];
	ks[1] = ps[2];
	ks[2] = OSSL_PARAM_construct_end();
	ms[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	ms[1] = OSSL_PARAM_construct_end();
	if (kk == NULL || mc == NULL || gcm == NULL || cc == NULL ||
	    EVP_KDF_CTX_set_params(kk, ps) != 1 || EVP_MAC_CTX_set_params(mc, ms) != 1 ||
	    EVP_EncryptInit_ex(cc, gcm, NULL, key, iv) != 1)
		goto fail;
	/* the three give the same bytes */
	{
		uint8_t a[16], b[16], c[32];
		EVP_KDF_CTX *k = EVP_KDF_CTX_new(kdf);
		static const uint8_t one = 1;

		if (k == NULL || EVP_KDF_derive(k, a, 16, ps) != 1 ||
		    EVP_KDF_derive(kk, b, 16, ks) != 1 ||
		    EVP_MAC_init(mc, secret, sizeof(secret), NULL) != 1 ||
		    EVP_MAC_update(mc, info, il) != 1 || EVP_MAC_update(mc, &one, 1) != 1 ||
		    EVP_MAC_final(mc, c, &ml, sizeof(c)) != 1 ||
		    memcmp(a, b, 16) != 0 || memcmp(a, c, 16) != 0)
			goto fail;
		EVP_KDF_CTX_free(k);
	}
	KU_ALLOCS(al_fresh, {
		EVP_KDF_CTX *k = EVP_KDF_CTX_new(kdf);

		bad |= k == NULL || EVP_KDF_derive(k, out, 16, ps) != 1;
		EVP_KDF_CTX_free(k);
	});
	KU_ALLOCS(al_kept, bad |= EVP_KDF_derive(kk, out, 16, ks) != 1);
	KU_ALLOCS(al_hmac, {
		static const uint8_t one = 1;

		bad |= EVP_MAC_init(mc, secret, sizeof(secret), NULL) != 1 ||
		       EVP_MAC_update(mc, info, il) != 1 || EVP_MAC_update(mc, &one, 1) != 1 ||
		       EVP_MAC_final(mc, out, &ml, sizeof(out)) != 1;
	});
	KU_TIMED(ns_fresh, {
		EVP_KDF_CTX *k = EVP_KDF_CTX_new(kdf);

		bad |= k == NULL || EVP_KDF_derive(k, out, 16, ps) != 1;
		EVP_KDF_CTX_free(k);
	});
	KU_TIMED(ns_kept, bad |= EVP_KDF_derive(kk, out, 16, ks) != 1);
	KU_TIMED(ns_hmac, {
		static const uint8_t one = 1;

		bad |= EVP_MAC_init(mc, secret, sizeof(secret), NULL) != 1 ||
		       EVP_MAC_update(mc, info, il) != 1 || EVP_MAC_update(mc, &one, 1) != 1 ||
		       EVP_MAC_final(mc, out, &ml, sizeof(out)) != 1;
	});
	KU_TIMED(ns_key, bad |= EVP_EncryptInit_ex(cc, NULL, NULL, key, NULL) != 1);
	KU_TIMED(ns_seal, {
		bad |= EVP_EncryptInit_ex(cc, NULL, NULL, NULL, iv) != 1 ||
		       EVP_EncryptUpdate(cc, NULL, &outl, hdr, sizeof(hdr)) != 1 ||
		       EVP_EncryptUpdate(cc, ct, &outl, ku, sizeof(ku)) != 1 ||
		       EVP_EncryptFinal_ex(cc, ct, &outl) != 1 ||
		       EVP_CIPHER_CTX_ctrl(cc, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1;
	});
	if (bad)
		goto fail;
	printf("{\"ns_expand_fresh\":%.1f,\"ns_expand_kept\":%.1f,\"ns_expand_hmac\":%.1f,"
	       "\"ns_aes128gcm_key\":%.1f,\"ns_seal_key_update\":%.1f,\"allocs_expand_fresh\":"
	       "%.1f,\"allocs_expand_kept\":%.1f,\"allocs_expand_hmac\":%.1f,\"secs\":%.2f}\n",
	       ns_fresh, ns_kept, ns_hmac, ns_key, ns_seal, al_fresh, al_kept, al_hmac, secs);
	EVP_KDF_CTX_free(kk);
	EVP_KDF_free(kdf);
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(mac);
	EVP_CIPHER_CTX_free(cc);
	EVP_CIPHER_free(gcm);
	return 0;
fail:
	ERR_print_errors_fp(stderr);
	fprintf(stderr, "tls_speed ku: OpenSSL refused it, or the three expansions differ\n");
	return 1;
}

int
main(int argc, char **argv)
{
	const char *group = argc > 1 ? argv[1] : "X25519";
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	EVP_PKEY_CTX *kctx;
	EVP_PKEY *peer, *mine;
	unsigned char secret[64];
	double t0, t1, kg, dv;
	unsigned long n;

	if (argc >= 4 && strcmp(argv[1], "hs") == 0)
		return hs_main(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "ku") == 0) {
		/* (before OpenSSL's first allocation) */
		CRYPTO_set_mem_functions(ku_malloc, ku_realloc, ku_free);
		return ku_main(argc, argv);
	}
	if (strcmp(group, "X25519") == 0) {
		kctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
		if (kctx == NULL || EVP_PKEY_keygen_init(kctx) != 1)
			goto fail;
	} else if (strcmp(group, "P-256") == 0) {
		kctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		if (kctx == NULL || EVP_PKEY_keygen_init(kctx) != 1 ||
		    EVP_PKEY_CTX_set_group_name(kctx, "P-256") != 1)
			goto fail;
	} else {
		fprintf(stderr, "tls_speed: group X25519 or P-256\n");
		return 2;
	}
	if (secs <= 0)
		secs = 1.0;
	peer = keygen(kctx);
	mine = keygen(kctx);
	if (peer == NULL || mine == NULL)
		goto fail;

	/* key generation, as the server's key share */
	n = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 64; i++) {
			EVP_PKEY *k = keygen(kctx);

			if (k == NULL)
				goto fail;
			EVP_PKEY_free(k);
		}
		n += 64;
		t1 = now_s();
	} while (t1 - t0 < secs);
	kg = (double)n / (t1 - t0);

	/* the derive (openssl speed's "op") */
	n = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 64; i++) {
			EVP_PKEY_CTX *d = EVP_PKEY_CTX_new(mine, NULL);
			size_t len = sizeof(secret);

			if (d == NULL || EVP_PKEY_derive_init(d) != 1 ||
			    EVP_PKEY_derive_set_peer(d, peer) != 1 ||
			    EVP_PKEY_derive(d, secret, &len) != 1)
				goto fail;
			EVP_PKEY_CTX_free(d);
		}
		n += 64;
		t1 = now_s();
	} while (t1 - t0 < secs);
	dv = (double)n / (t1 - t0);
	printf("{\"group\":\"%s\",\"keygen_per_s\":%.1f,\"derive_per_s\":%.1f,"
	       "\"secs\":%.2f}\n", group, kg, dv, secs);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(mine);
	EVP_PKEY_CTX_free(kctx);
	return 0;
fail:
	fprintf(stderr, "tls_speed: OpenSSL refused %s\n", group);
	return 1;
}
