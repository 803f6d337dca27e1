/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls's DTLS-SRTP pieces, plain OpenSSL: dtls_srtp_ctx_create(), the
 * ClientHello callback and the info callback (dtls_srtp_ssl.c), the keys
 * exported by role (RFC 5764 §4.2), a leg's deferred verification and our
 * generated certificate (tls_leg.c), against OpenSSL's own DTLS client
 * and server, datagram by datagram over a queue BIO of the tests'
 * (dtls_peer.c: a write is a datagram, a read takes one).
 *
 * Checked, both roles where a role applies: each profile's keys, ours
 * against what the peer exports and splits by the RFC's layout; our
 * server's choice among several; a wrong fingerprint (bad_certificate,
 * nothing exported); sha-1 alone (refused, then taken with allow_sha1);
 * no client certificate; no use_srtp, or no profile in common (refused at
 * the ClientHello; a server that ignores use_srtp leaves our client with
 * nothing to export); renegotiation refused and counted, the keys as they
 * were; a 64 KB certificate chain (cert_too_long at the first fragment,
 * our heap far from 64 KB); DTLS 1.0; a verification deferred, then a
 * match, a mismatch, sha-1; the generated certificate (P-256,
 * self-signed, SHA-256, its fingerprint the one the peer saw); OpenSSL's
 * heap for one SSL in flight.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certfp.h"
#include "dtls_hello.h"
#include "dtls_peer.h"
#include "dtls_srtp_ssl.h"
#include "ipc.h"
#include "ossl_heap.h"
#include "sdp.h"
#include "tls_ctx.h"
#include "tls_leg.h"
#include "tp_conf_types.h"

#define MTU 1200

/* ---- the two ends ------------------------------------------------------ */

static char dir[64], peer_cert_path[128], peer_key_path[128];
static struct tp_conf_tls conf;
static struct tls_cred *ours;          /* tls_cred_generate()'s */
static struct tls_cred *theirs;        /* the peer's, from openssl req */
static SSL_CTX *ctx;                   /* dtls_srtp_ctx_create()'s */
static struct certfp their_fp, their_fp1, our_fp;
static struct dgq to_peer, to_us;

static void
noop_hs(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why)
{
	(void)w;
	(void)id;
	(void)arg;
	(void)why;
}

static const struct tls_leg_ops leg_ops = { .handshake = noop_hs };

struct end {
	SSL_CTX *ctx;                /* the peer's own */
	SSL *ssl;
	struct tls_leg leg;          /* ours */
	bool done, failed, is_ours;
	int err, reason;
};

/* Both queues empty. */
static void
link_reset(void)
{
	memset(&to_peer, 0, sizeof(to_peer));
	memset(&to_us, 0, sizeof(to_us));
}

/* Our end in role, with params p (NULL: the peer's sha-256 fingerprint). */
static void
our_end(struct end *e, enum tls_role role, const struct tls_leg_params *p)
{
	struct tls_leg_params def = { .nfp = 1, .ops = &leg_ops };

	memset(e, 0, sizeof(*e));
	e->is_ours = true;
	def.fp[0] = their_fp;
	e->ssl = tls_leg_ssl_new(ctx, role, p != NULL ? p : &def, &e->leg);
	assert_non_null(e->ssl);
	SSL_set_bio(e->ssl, dgq_bio(&to_us), dgq_bio(&to_peer));
	SSL_set_mtu(e->ssl, MTU);
}

/* OpenSSL's DTLS end, client or server, as a browser's would be
 * (dtls_peer.h): its own certificate (theirs unless o says), ours accepted
 * whatever it is (the test checks its fingerprint itself). */
static void
peer_end(struct end *e, bool client, const struct peer_opts *o)
{
	struct peer_opts d = *o;

	memset(e, 0, sizeof(*e));
	if (d.cert == NULL) {
		d.cert = theirs->cert;
		d.key = theirs->key;
	}
	e->ctx = peer_ctx(client, &d);
	e->ssl = peer_ssl(e->ctx, client, &d, &to_peer, &to_us);
}

static void
end_free(struct end *e)
{
	if (e->is_ours)
		tls_leg_release(&e->leg);
	SSL_free(e->ssl);
	SSL_CTX_free(e->ctx);
}

/* One handshake step of e. Ours is counted in OpenSSL's heap when
 * counting is asked (the peer's never is). */
static void
step(struct end *e, bool count)
{
	int r;

	if (e->done || e->failed)
		return;
	ERR_clear_error();
	ossl_heap_counting = count && e->is_ours;
	r = SSL_do_handshake(e->ssl);
	ossl_heap_counting = 0;
	if (r == 1) {
		e->done = true;
		if (e->is_ours)
			tls_leg_up(&e->leg, e->ssl);
		return;
	}
	e->err = SSL_get_error(e->ssl, r);
	if (e->err == SSL_ERROR_WANT_READ || e->err == SSL_ERROR_WANT_WRITE)
		return;
	e->failed = true;
	e->reason = ERR_GET_REASON(ERR_peek_last_error());
	if (e->is_ours)
		tls_leg_fail(&e->leg, e->err, e->reason);
	ERR_clear_error();
}

/* The handshake, the client first, until both ended or nothing moves. */
static void
pump(struct end *client, struct end *server, bool count)
{
	for (int i = 0; i < 200; i++) {
		unsigned int before = to_peer.sent + to_us.sent;

		step(client, count);
		step(server, count);
		if ((client->done || client->failed) && (server->done || server->failed))
			return;
		if (to_peer.sent + to_us.sent == before && to_peer.n == 0 && to_us.n == 0)
			return;
	}
}

/* ---- fixture ------------------------------------------------------------ */

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
	char cmd[512], err[256];

	(void)state;
	dgq_setup();
	snprintf(dir, sizeof(dir), "/tmp/tp-dsrtp-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(peer_cert_path, sizeof(peer_cert_path), "%s/peer.pem", dir);
	snprintf(peer_key_path, sizeof(peer_key_path), "%s/peer.key", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=browser "
		 "-keyout %s -out %s", peer_key_path, peer_cert_path);
	run(cmd);
	theirs = tls_cred_load(peer_cert_path, peer_key_path, err, sizeof(err));
	assert_non_null(theirs);
	assert_int_equal(certfp_of_x509(theirs->cert, CERTFP_SHA256, &their_fp), 0);
	assert_int_equal(certfp_of_x509(theirs->cert, CERTFP_SHA1, &their_fp1), 0);
	ours = tls_cred_generate(NULL, "turnpike", 30u * 86400u, err, sizeof(err));
	assert_non_null(ours);
	assert_int_equal(certfp_of_x509(ours->cert, CERTFP_SHA256, &our_fp), 0);
	memset(&conf, 0, sizeof(conf));
	conf.line = 7;
	snprintf(conf.ciphers, sizeof(conf.ciphers), "%s", TP_CONF_TLS_CIPHERS);
	snprintf(conf.ciphersuites, sizeof(conf.ciphersuites), "%s", TP_CONF_TLS_CIPHERSUITES);
	snprintf(conf.groups, sizeof(conf.groups), "%s", TP_CONF_TLS_GROUPS);
	ctx = dtls_srtp_ctx_create(&conf, ours, DTLS_SRTP_ALL, NULL, NULL, err, sizeof(err));
	if (ctx == NULL)
		fail_msg("%s", err);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	tls_ctx_free(ctx);
	tls_cred_free(ours);
	tls_cred_free(theirs);
	dgq_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_cred_generated(void **state)
{
	char err[128], name[64];
	struct tls_cred *b;
	X509_NAME *subj;
	const ASN1_INTEGER *sn;
	BIGNUM *bn;
	int days, secs;

	(void)state;
	/* P-256 */
	assert_int_equal(EVP_PKEY_get_base_id(ours->key), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_group_name(ours->key, name, sizeof(name), NULL), 1);
	assert_string_equal(name, "prime256v1");
	/* self-signed with SHA-256, v3, CN=turnpike */
	assert_int_equal(X509_check_issued(ours->cert, ours->cert), X509_V_OK);
	assert_int_equal(X509_verify(ours->cert, ours->key), 1);
	assert_int_equal(X509_get_signature_nid(ours->cert), NID_ecdsa_with_SHA256);
	assert_int_equal(X509_get_version(ours->cert), X509_VERSION_3);
	subj = X509_get_subject_name(ours->cert);
	assert_true(X509_NAME_get_text_by_NID(subj, NID_commonName, name, sizeof(name)) > 0);
	assert_string_equal(name, "turnpike");
	assert_int_equal(X509_NAME_cmp(subj, X509_get_issuer_name(ours->cert)), 0);
	assert_int_equal(X509_check_private_key(ours->cert, ours->key), 1);
	/* a positive serial of up to 127 bits, not a small one */
	sn = X509_get0_serialNumber(ours->cert);
	bn = ASN1_INTEGER_to_BN(sn, NULL);
	assert_non_null(bn);
	assert_false(BN_is_negative(bn));
	assert_true(BN_num_bits(bn) > 64 && BN_num_bits(bn) <= 127);
	BN_free(bn);
	/* valid now, for 30 days */
	assert_true(X509_cmp_current_time(X509_get0_notBefore(ours->cert)) < 0);
	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(ours->cert),
					X509_get0_notAfter(ours->cert)), 1);
	assert_int_equal(days, 30);
	/* another: another key and serial */
	b = tls_cred_generate(NULL, "turnpike", 86400u, err, sizeof(err));
	assert_non_null(b);
	assert_int_not_equal(ASN1_INTEGER_cmp(sn, X509_get0_serialNumber(b->cert)), 0);
	assert_int_not_equal(EVP_PKEY_eq(ours->key, b->key), 1);
	tls_cred_free(b);
	/* the context refuses no certificate, and no profile */
	assert_null(dtls_srtp_ctx_create(&conf, NULL, DTLS_SRTP_ALL, NULL, NULL, err,
					 sizeof(err)));
	assert_non_null(strstr(err, "7: agw.dtls"));
	assert_null(dtls_srtp_ctx_create(&conf, ours, 0, NULL, NULL, err, sizeof(err)));
	assert_string_equal(err, "7: agw.dtls: no SRTP profile to offer");
}

static void
test_profile_list(void **state)
{
	char b[128];
	int n;

	(void)state;
	n = dtls_srtp_profile_list(DTLS_SRTP_ALL, b, sizeof(b));
	assert_int_equal(n, (int)strlen(b));
	assert_string_equal(b, "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:"
			    "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32");
	dtls_srtp_profile_list(DTLS_SRTP_DP_PROFILES, b, sizeof(b));
	assert_string_equal(b, DTLS_SRTP_DP_GCM ? "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:"
			    "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32" :
			    "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32");
	assert_int_equal(dtls_srtp_profile_list(0, b, sizeof(b)), 0);
	assert_int_equal(dtls_srtp_profile_list(DTLS_SRTP_ALL, b, 30), -1);
	/* lib/sdp's suites, lib/ipc's lengths */
	assert_int_equal(DTLS_SRTP_SUITE_AES_CM_128_SHA1_80, SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(DTLS_SRTP_SUITE_AES_CM_128_SHA1_32, SDP_SUITE_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(DTLS_SRTP_SUITE_AEAD_AES_128_GCM, SDP_SUITE_AEAD_AES_128_GCM);
	assert_int_equal(DTLS_SRTP_SUITE_AEAD_AES_256_GCM, SDP_SUITE_AEAD_AES_256_GCM);
	for (unsigned int bit = 1; bit <= DTLS_SRTP_ALL; bit <<= 1) {
		unsigned int id = dtls_srtp_profile_id(bit);

		assert_int_equal(dtls_srtp_key_len(id), ipc_srtp_key_len(dtls_srtp_suite(id)));
	}
	assert_int_equal(dtls_srtp_suite(0x0005), 0);
	assert_int_equal(dtls_srtp_key_len(0x0005), 0);
}

/* A handshake with the peer offering only profile (its OpenSSL name),
 * our end in role: our keys are what the peer sends with and takes. */
static void
keys_one(const char *profile, unsigned int id, enum tls_role role)
{
	struct peer_opts o = { .profiles = profile };
	struct end us, peer;
	struct ipc_srtp_key rx, tx;
	uint8_t ptx[64], prx[64];
	unsigned int klen = dtls_srtp_key_len(id), k = klen > 40 ? 32 : 16;
	struct certfp seen;
	const uint8_t zero[IPC_SRTP_KEY_MAX] = { 0 };

	link_reset();
	our_end(&us, role, NULL);
	peer_end(&peer, role == TLS_ROLE_SERVER, &o);
	if (role == TLS_ROLE_SERVER)
		pump(&peer, &us, false);
	else
		pump(&us, &peer, false);
	assert_true(us.done);
	assert_true(peer.done);
	assert_int_equal(SSL_version(us.ssl), DTLS1_2_VERSION);
	assert_int_equal(us.leg.why, TLS_FAIL_NONE);
	assert_int_equal(us.leg.matched, 0);
	assert_int_equal(SSL_get_selected_srtp_profile(peer.ssl)->id, id);
	assert_int_equal(dtls_srtp_export(us.ssl, role == TLS_ROLE_CLIENT, &rx, &tx), 0);
	assert_int_equal(rx.suite, dtls_srtp_suite(id));
	assert_int_equal(tx.suite, rx.suite);
	assert_int_equal(rx.key_len, klen);
	assert_int_equal(tx.key_len, klen);
	assert_int_equal(ipc_srtp_key_len(rx.suite), klen);
	peer_keys(peer.ssl, role == TLS_ROLE_SERVER, k, klen - k, ptx, prx);
	assert_memory_equal(rx.key, ptx, klen);
	assert_memory_equal(tx.key, prx, klen);
	assert_memory_not_equal(rx.key, tx.key, klen);
	/* the rest as lib/ipc wants it: zero */
	assert_memory_equal(rx.key + klen, zero, IPC_SRTP_KEY_MAX - klen);
	assert_int_equal(rx.mki_len + rx.nstreams + rx.window + rx.srtcp_index, 0);
	/* the peer saw our certificate */
	assert_int_equal(certfp_of_x509(SSL_get0_peer_certificate(peer.ssl), CERTFP_SHA256,
					&seen), 0);
	assert_true(certfp_equal(&seen, &our_fp));
	end_free(&us);
	end_free(&peer);
}

static void
test_keys_each_profile_both_roles(void **state)
{
	static const struct {
		const char *name;
		unsigned int id;
	} p[] = {
		{ "SRTP_AES128_CM_SHA1_80", DTLS_SRTP_ID_AES128_CM_SHA1_80 },
		{ "SRTP_AES128_CM_SHA1_32", DTLS_SRTP_ID_AES128_CM_SHA1_32 },
		{ "SRTP_AEAD_AES_128_GCM", DTLS_SRTP_ID_AEAD_AES_128_GCM },
		{ "SRTP_AEAD_AES_256_GCM", DTLS_SRTP_ID_AEAD_AES_256_GCM },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		keys_one(p[i].name, p[i].id, TLS_ROLE_SERVER);
		keys_one(p[i].name, p[i].id, TLS_ROLE_CLIENT);
	}
}

/* Our server picks by its own order; an SSL narrowed to cp's offer
 * picks within it. */
static void
test_server_choice(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80" };
	struct end us, peer;

	(void)state;
	link_reset();
	our_end(&us, TLS_ROLE_SERVER, NULL);
	peer_end(&peer, true, &o);
	pump(&peer, &us, false);
	assert_true(us.done && peer.done);
	assert_int_equal(SSL_get_selected_srtp_profile(us.ssl)->id,
			 DTLS_SRTP_ID_AES128_CM_SHA1_80);
	end_free(&us);
	end_free(&peer);
	link_reset();
	our_end(&us, TLS_ROLE_SERVER, NULL);
	assert_int_equal(SSL_set_tlsext_use_srtp(us.ssl, "SRTP_AES128_CM_SHA1_32"), 0);
	assert_int_equal(dtls_srtp_profiles_of(us.ssl), DTLS_SRTP_AES128_CM_32);
	peer_end(&peer, true, &o);
	pump(&peer, &us, false);
	assert_true(us.done && peer.done);
	assert_int_equal(SSL_get_selected_srtp_profile(us.ssl)->id,
			 DTLS_SRTP_ID_AES128_CM_SHA1_32);
	end_free(&us);
	end_free(&peer);
}

/* A failed handshake of ours: why, and nothing to export. */
static void
assert_failed(struct end *us, enum tls_fail why)
{
	struct ipc_srtp_key rx, tx;
	char line[256];

	assert_false(us->done);
	assert_true(us->failed);
	if (us->leg.why != why) {
		tls_leg_describe(&us->leg, line, sizeof(line));
		fail_msg("why %s (%s), reason %d, not %s", tls_fail_name(us->leg.why), line,
			 us->reason, tls_fail_name(why));
	}
	assert_true(dtls_srtp_export(us->ssl, us->leg.role == TLS_ROLE_CLIENT, &rx, &tx) < 0);
	assert_int_equal(rx.key_len + tx.key_len + rx.suite + tx.suite, 0);
}

static void
test_wrong_fingerprint(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80" };
	struct tls_leg_params p = { .nfp = 1, .ops = &leg_ops };
	struct end us, peer;
	char line[256];

	(void)state;
	p.fp[0] = our_fp;                  /* not the peer's */
	for (int r = 0; r < 2; r++) {
		enum tls_role role = r == 0 ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT;

		link_reset();
		our_end(&us, role, &p);
		peer_end(&peer, role == TLS_ROLE_SERVER, &o);
		if (role == TLS_ROLE_SERVER)
			pump(&peer, &us, false);
		else
			pump(&us, &peer, false);
		assert_failed(&us, TLS_FAIL_FP_MISMATCH);
		assert_int_equal(us.leg.alert_sent, SSL_AD_BAD_CERTIFICATE);
		assert_false(peer.done);
		assert_int_equal(peer.reason, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE);
		tls_leg_describe(&us.leg, line, sizeof(line));
		assert_non_null(strstr(line, "fingerprint_mismatch: the peer's certificate is "
				       "sha-256 "));
		end_free(&us);
		end_free(&peer);
	}
}

static void
test_sha1_only(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80" };
	struct tls_leg_params p = { .nfp = 1, .ops = &leg_ops };
	struct end us, peer;

	(void)state;
	p.fp[0] = their_fp1;
	link_reset();
	our_end(&us, TLS_ROLE_SERVER, &p);
	peer_end(&peer, true, &o);
	pump(&peer, &us, false);
	assert_failed(&us, TLS_FAIL_WEAK_FP);
	end_free(&us);
	end_free(&peer);
	p.allow_sha1 = true;
	link_reset();
	our_end(&us, TLS_ROLE_SERVER, &p);
	peer_end(&peer, true, &o);
	pump(&peer, &us, false);
	assert_true(us.done && peer.done);
	end_free(&us);
	end_free(&peer);
}

static void
test_no_client_cert(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80", .no_cert = true };
	struct end us, peer;

	(void)state;
	link_reset();
	our_end(&us, TLS_ROLE_SERVER, NULL);
	peer_end(&peer, true, &o);
	pump(&peer, &us, false);
	assert_failed(&us, TLS_FAIL_NO_PEER_CERT);
	end_free(&us);
	end_free(&peer);
}

/* No use_srtp, or none in common: refused at the ClientHello; a server
 * that ignores our use_srtp: our client ends up with nothing to export. */
static void
test_no_srtp(void **state)
{
	struct peer_opts none = { .profiles = NULL };
	struct peer_opts other = { .profiles = "SRTP_AES128_CM_SHA1_32" };
	struct ipc_srtp_key rx, tx;
	struct end us, peer;

	(void)state;
	link_reset();
	our_end(&us, TLS_ROLE_SERVER, NULL);
	peer_end(&peer, true, &none);
	pump(&peer, &us, false);
	assert_failed(&us, TLS_FAIL_NO_SRTP);
	assert_int_equal(us.leg.alert_sent, SSL_AD_HANDSHAKE_FAILURE);
	assert_int_equal(peer.reason, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE);
	end_free(&us);
	end_free(&peer);
	link_reset();
	our_end(&us, TLS_ROLE_SERVER, NULL);
	assert_int_equal(SSL_set_tlsext_use_srtp(us.ssl, "SRTP_AES128_CM_SHA1_80"), 0);
	peer_end(&peer, true, &other);
	pump(&peer, &us, false);
	assert_failed(&us, TLS_FAIL_NO_SRTP);
	end_free(&us);
	end_free(&peer);
	/* (OpenSSL's client goes on when the server does not answer
	 * use_srtp: the exporter finds no profile) */
	link_reset();
	our_end(&us, TLS_ROLE_CLIENT, NULL);
	peer_end(&peer, false, &none);
	pump(&us, &peer, false);
	assert_true(us.done && peer.done);
	assert_int_equal(dtls_srtp_export(us.ssl, true, &rx, &tx), -ENOPROTOOPT);
	assert_int_equal(rx.key_len + tx.key_len, 0);
	end_free(&us);
	end_free(&peer);
}

/* The peer asks to renegotiate: refused with a warning, counted; the
 * association and its keys stay as they were. */
static void
test_renegotiation_refused(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80" };
	struct ipc_srtp_key rx, tx, rx2, tx2;
	struct end us, peer;
	uint8_t buf[256];

	(void)state;
	for (int r = 0; r < 2; r++) {
		enum tls_role role = r == 0 ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT;

		link_reset();
		our_end(&us, role, NULL);
		peer_end(&peer, role == TLS_ROLE_SERVER, &o);
		if (role == TLS_ROLE_SERVER)
			pump(&peer, &us, false);
		else
			pump(&us, &peer, false);
		assert_true(us.done && peer.done);
		assert_int_equal(dtls_srtp_export(us.ssl, role == TLS_ROLE_CLIENT, &rx, &tx), 0);
		/* a ClientHello (the peer client) or HelloRequest (server) */
		assert_int_equal(SSL_renegotiate(peer.ssl), 1);
		(void)SSL_do_handshake(peer.ssl);
		assert_true(to_us.n > 0);
		assert_int_equal(SSL_read(us.ssl, buf, sizeof(buf)), -1);
		assert_int_equal(SSL_get_error(us.ssl, -1), SSL_ERROR_WANT_READ);
		assert_int_equal(us.leg.reneg_refused, 1);
		assert_int_equal(us.leg.alert_sent, 0);
		ERR_clear_error();
		assert_int_equal(dtls_srtp_export(us.ssl, role == TLS_ROLE_CLIENT, &rx2, &tx2), 0);
		assert_memory_equal(&rx, &rx2, sizeof(rx));
		assert_memory_equal(&tx, &tx2, sizeof(tx));
		end_free(&us);
		end_free(&peer);
	}
}

/* A 64 KB certificate, either way: OpenSSL refuses it at its first
 * fragment, our heap never near its size, but says no reason (pinned:
 * dtls_hs_msg_longest() is what gives it, from the datagram, before
 * OpenSSL reads it). */
static void
test_cert_too_long(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80" };
	struct tls_leg_params p = { .nfp = 1, .ops = &leg_ops };
	struct ipc_srtp_key rx, tx;
	struct end us, peer;
	X509 *x;
	EVP_PKEY *k;

	(void)state;
	big_cert(65000, &x, &k);
	o.cert = x;
	o.key = k;
	assert_int_equal(certfp_of_x509(x, CERTFP_SHA256, &p.fp[0]), 0);
	for (int r = 0; r < 2; r++) {
		enum tls_role role = r == 0 ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT;
		long long base;

		link_reset();
		our_end(&us, role, &p);
		peer_end(&peer, role == TLS_ROLE_SERVER, &o);
		base = ossl_heap_live;
		ossl_heap_peak = base;
		if (role == TLS_ROLE_SERVER)
			pump(&peer, &us, true);
		else
			pump(&us, &peer, true);
		assert_true(us.failed);
		assert_int_equal(us.err, SSL_ERROR_SYSCALL);
		assert_int_equal(us.reason, 0);
		assert_true(dtls_srtp_export(us.ssl, role == TLS_ROLE_CLIENT, &rx, &tx) < 0);
		assert_true(to_us.longest > 65000 && to_us.longest > DTLS_HS_MSG_MAX);
		assert_true(to_peer.longest < DTLS_HS_MSG_MAX);
		print_message("64 KB chain, we %s: our heap's peak +%lld B\n",
			      role == TLS_ROLE_SERVER ? "serve" : "call", ossl_heap_peak - base);
		/* (a handshake step alone reaches ~55 KB; a reassembly of the
		 * chain would add its 64 KB) */
		assert_true(ossl_heap_peak - base < 64 * 1024);
		end_free(&us);
		end_free(&peer);
	}
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
test_dtls10(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80", .version = DTLS1_VERSION };
	struct end us, peer;

	(void)state;
	link_reset();
	our_end(&us, TLS_ROLE_SERVER, NULL);
	peer_end(&peer, true, &o);
	pump(&peer, &us, false);
	assert_failed(&us, TLS_FAIL_REFUSED);
	end_free(&us);
	end_free(&peer);
	/* a DTLS 1.0 server has none of DTLS 1.2's AEAD suites we offer:
	 * its handshake_failure */
	link_reset();
	our_end(&us, TLS_ROLE_CLIENT, NULL);
	peer_end(&peer, false, &o);
	pump(&us, &peer, false);
	assert_failed(&us, TLS_FAIL_PEER_ALERT);
	assert_int_equal(us.leg.alert, SSL_AD_HANDSHAKE_FAILURE);
	assert_int_equal(peer.reason, SSL_R_NO_SHARED_CIPHER);
	end_free(&us);
	end_free(&peer);
}

/* We offered actpass: a ClientHello before the answer. The handshake
 * ends with the peer's certificate held; the answer's fingerprints
 * decide. */
static void
test_deferred(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80" };
	struct tls_leg_params p = { .nfp = 0, .defer = true, .ops = &leg_ops };
	struct ipc_srtp_key rx, tx;
	struct end us, peer;
	struct certfp two[2];
	char line[256];
	const char *why;

	(void)state;
	/* the params: nfp 0 only with defer, defer only with nfp 0 */
	assert_int_equal(tls_leg_params_check(TLS_ROLE_SERVER, &p, &why), 0);
	p.nfp = 1;
	p.fp[0] = their_fp;
	assert_int_equal(tls_leg_params_check(TLS_ROLE_SERVER, &p, &why), -EINVAL);
	p.nfp = 0;
	p.fp[0].alg = 0;
	p.fp[0].len = 0;
	for (int c = 0; c < 4; c++) {
		link_reset();
		our_end(&us, TLS_ROLE_SERVER, &p);
		peer_end(&peer, true, &o);
		pump(&peer, &us, false);
		assert_true(us.done && peer.done);
		assert_non_null(us.leg.held);
		assert_int_equal(us.leg.matched, -1);
		tls_leg_describe(&us.leg, line, sizeof(line));
		assert_string_equal(line, "up DTLSv1.2, fingerprint not signalled yet");
		assert_int_equal(dtls_srtp_export(us.ssl, false, &rx, &tx), 0);
		switch (c) {
		case 0:
			/* a weaker one beside the strongest, the strongest matches */
			two[0] = their_fp1;
			two[1] = their_fp;
			assert_int_equal(tls_leg_verify_late(&us.leg, two, 2, false), 0);
			assert_int_equal(us.leg.matched, 1);
			tls_leg_describe(&us.leg, line, sizeof(line));
			assert_string_equal(line, "up DTLSv1.2, fingerprint 2 of 2 matched");
			break;
		case 1:
			assert_int_equal(tls_leg_verify_late(&us.leg, &our_fp, 1, false), -EACCES);
			assert_int_equal(us.leg.why, TLS_FAIL_FP_MISMATCH);
			break;
		case 2:
			assert_int_equal(tls_leg_verify_late(&us.leg, &their_fp1, 1, false),
					 -EACCES);
			assert_int_equal(us.leg.why, TLS_FAIL_WEAK_FP);
			break;
		case 3:
			/* unusable fingerprints: the leg is left as it was */
			two[0] = their_fp;
			two[0].len = 3;
			assert_int_equal(tls_leg_verify_late(&us.leg, two, 1, false), -EINVAL);
			assert_int_equal(tls_leg_verify_late(&us.leg, two, 0, false), -EINVAL);
			assert_non_null(us.leg.held);
			assert_int_equal(tls_leg_verify_late(&us.leg, &their_fp1, 1, true), 0);
			/* once */
			assert_int_equal(tls_leg_verify_late(&us.leg, &their_fp, 1, false),
					 -EINVAL);
			break;
		}
		assert_null(us.leg.held);
		end_free(&us);
		end_free(&peer);
	}
}

/* OpenSSL's heap of one SSL of ours between its start and the end of its
 * handshake, as a server: what it holds between steps (while it waits for
 * the peer's next flight: the pool's figure, many at once) and at most
 * within a step (one at a time on a worker). */
static long long held_max;

static void
test_heap_in_flight(void **state)
{
	struct peer_opts o = { .profiles = "SRTP_AES128_CM_SHA1_80" };
	struct end us, peer;
	long long base, up;

	(void)state;
	link_reset();
	base = ossl_heap_live;
	ossl_heap_peak = base;
	held_max = 0;
	ossl_heap_counting = 1;
	our_end(&us, TLS_ROLE_SERVER, NULL);
	ossl_heap_counting = 0;
	peer_end(&peer, true, &o);
	for (int i = 0; i < 20 && !(us.done && peer.done); i++) {
		step(&peer, false);
		step(&us, true);
		if (!us.done && ossl_heap_live - base > held_max)
			held_max = ossl_heap_live - base;
	}
	assert_true(us.done && peer.done);
	up = ossl_heap_live - base;
	print_message("one SSL of ours: %lld B held while waiting, %lld B within a step, "
		      "%lld B once up\n", held_max, ossl_heap_peak - base, up);
	assert_true(held_max < 68 * 1024);
	ossl_heap_counting = 1;
	end_free(&us);
	ossl_heap_counting = 0;
	assert_int_equal(ossl_heap_live, base);
	end_free(&peer);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cred_generated),
		cmocka_unit_test(test_profile_list),
		cmocka_unit_test(test_keys_each_profile_both_roles),
		cmocka_unit_test(test_server_choice),
		cmocka_unit_test(test_wrong_fingerprint),
		cmocka_unit_test(test_sha1_only),
		cmocka_unit_test(test_no_client_cert),
		cmocka_unit_test(test_no_srtp),
		cmocka_unit_test(test_renegotiation_refused),
		cmocka_unit_test(test_cert_too_long),
		cmocka_unit_test(test_dtls10),
		cmocka_unit_test(test_deferred),
		cmocka_unit_test(test_heap_in_flight),
	};

	if (!ossl_heap_install())
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
