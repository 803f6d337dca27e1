/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/tls_keys.c with real OpenSSL handshakes over memory BIO pairs:
 * two server SSL_CTXs, each with its own struct tls_keys, stand for two
 * dp workers given the same ticket keys by cp. A certificate is made here
 * (EC P-256, self-signed, with EVP): no files.
 *   - a ticket issued by one worker resumes on the other (TLS 1.3, 1.2);
 *   - after a rotation (new key first, old one kept) an old ticket resumes
 *     and is renewed under the new key; once the old key is dropped it
 *     does not resume (a full handshake, no failure);
 *   - an external PSK (RFC 8446 §4.2.11) completes with (EC)DHE and no
 *     certificate on the wire; an unknown identity or a wrong key fails
 *     cleanly; the table is bounded; a resync removes what cp no longer has.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ipc.h"
#include "tls_keys.h"

static EVP_PKEY *g_pkey;
static X509 *g_cert;

static int
setup_cert(void **state)
{
	X509_NAME *name;

	(void)state;
	g_pkey = EVP_EC_gen("P-256");
	g_cert = X509_new();
	if (g_pkey == NULL || g_cert == NULL)
		return -1;
	ASN1_INTEGER_set(X509_get_serialNumber(g_cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(g_cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(g_cert), 3600);
	X509_set_pubkey(g_cert, g_pkey);
	name = X509_get_subject_name(g_cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"turn.test", -1, -1, 0);
	X509_set_issuer_name(g_cert, name);
	return X509_sign(g_cert, g_pkey, EVP_sha256()) > 0 ? 0 : -1;
}

static int
teardown_cert(void **state)
{
	(void)state;
	X509_free(g_cert);
	EVP_PKEY_free(g_pkey);
	return 0;
}

/* A worker's context: its own tls_keys, the certificate when with_cert. */
static SSL_CTX *
server_ctx(struct tls_keys **k, bool with_cert)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	assert_non_null(ctx);
	if (with_cert) {
		assert_int_equal(SSL_CTX_use_certificate(ctx, g_cert), 1);
		assert_int_equal(SSL_CTX_use_PrivateKey(ctx, g_pkey), 1);
	}
	*k = tls_keys_new(4);
	assert_non_null(*k);
	assert_int_equal(tls_keys_attach(ctx, *k), 0);
	return ctx;
}

static SSL_CTX *
client_ctx(int max_version)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_set_max_proto_version(ctx, max_version), 1);
	return ctx;
}

struct conn {
	SSL *c, *s;
	bool ok;             /* both handshakes completed */
	bool c_failed, s_failed;
};

/* Handshake over a BIO pair, then let the client read the tickets the
 * server sent after it (TLS 1.3 §4.6.1). */
static void
run(struct conn *x, SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *resume)
{
	BIO *cb, *sb;
	bool cdone = false, sdone = false;
	char byte;

	memset(x, 0, sizeof(*x));
	x->c = SSL_new(cctx);
	x->s = SSL_new(sctx);
	assert_non_null(x->c);
	assert_non_null(x->s);
	assert_int_equal(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
	SSL_set_bio(x->c, cb, cb);
	SSL_set_bio(x->s, sb, sb);
	SSL_set_connect_state(x->c);
	SSL_set_accept_state(x->s);
	if (resume != NULL)
		assert_int_equal(SSL_set_session(x->c, resume), 1);
	/* Until each end is done or failed (a failing end's alert still
	 * reaches the other, which fails in turn). */
	for (int i = 0; i < 50 && !((cdone || x->c_failed) && (sdone || x->s_failed)); i++) {
		int r, e;

		if (!cdone && !x->c_failed) {
			r = SSL_do_handshake(x->c);
			e = SSL_get_error(x->c, r);
			if (r == 1)
				cdone = true;
			else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				x->c_failed = true;
		}
		if (!sdone && !x->s_failed) {
			r = SSL_do_handshake(x->s);
			e = SSL_get_error(x->s, r);
			if (r == 1)
				sdone = true;
			else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				x->s_failed = true;
		}
	}
	x->ok = cdone && sdone;
	if (x->ok)
		for (int i = 0; i < 4; i++)
			(void)SSL_read(x->c, &byte, 1);   /* takes NewSessionTicket */
}

/* A connection that ends without close_notify leaves its session
 * unresumable (OpenSSL removes it, as RFC 5246 §7.2.1 allowed): say it. */
static void
done(struct conn *x)
{
	if (x->ok) {
		(void)SSL_shutdown(x->c);
		(void)SSL_shutdown(x->s);
	}
	SSL_free(x->c);
	SSL_free(x->s);
}

static void
make_set(struct ipc_tls_tickets *t, uint64_t gen, uint8_t k0, int k1)
{
	memset(t, 0, sizeof(*t));
	t->generation = gen;
	t->nkeys = k1 < 0 ? 1 : 2;
	memset(&t->key[0], k0, sizeof(t->key[0]));
	if (k1 >= 0)
		memset(&t->key[1], k1, sizeof(t->key[1]));
}

/* The key_name the session's ticket was made under. */
static uint8_t
ticket_key_byte(SSL_SESSION *sess)
{
	const unsigned char *tick;
	size_t len;

	SSL_SESSION_get0_ticket(sess, &tick, &len);
	assert_true(len > IPC_TLS_TICKET_NAME);
	for (unsigned int i = 1; i < IPC_TLS_TICKET_NAME; i++)
		assert_int_equal(tick[i], tick[0]);
	return tick[0];
}

static void
resumes_across_workers(int version)
{
	struct tls_keys *k1, *k2;
	SSL_CTX *s1 = server_ctx(&k1, true), *s2 = server_ctx(&k2, true);
	SSL_CTX *c = client_ctx(version);
	struct ipc_tls_tickets t;
	SSL_SESSION *sess;
	struct conn x;

	make_set(&t, 1, 0xa1, -1);
	assert_int_equal(tls_keys_set_tickets(k1, &t), 0);
	assert_int_equal(tls_keys_set_tickets(k2, &t), 0);

	run(&x, c, s1, NULL);
	assert_true(x.ok);
	assert_false(SSL_session_reused(x.c));
	assert_int_equal(SSL_version(x.c), version);
	sess = SSL_get1_session(x.c);
	assert_non_null(sess);
	assert_true(SSL_SESSION_is_resumable(sess));
	assert_int_equal(ticket_key_byte(sess), 0xa1);
	assert_true(tls_keys_stats(k1)->tickets_issued >= 1);
	done(&x);

	/* The other worker takes the first one's ticket. */
	run(&x, c, s2, sess);
	assert_true(x.ok);
	assert_true(SSL_session_reused(x.c));
	assert_true(SSL_session_reused(x.s));
	assert_int_equal(tls_keys_stats(k2)->tickets_resumed, 1);
	assert_int_equal(tls_keys_stats(k2)->tickets_unknown, 0);
	{
		/* TLS 1.3: the resumption brings a fresh ticket (a client
		 * uses each once, RFC 8446 §C.4); TLS 1.2 keeps its own */
		SSL_SESSION *now = SSL_get1_session(x.c);
		const unsigned char *t0, *t1;
		size_t l0, l1;

		assert_non_null(now);
		SSL_SESSION_get0_ticket(sess, &t0, &l0);
		SSL_SESSION_get0_ticket(now, &t1, &l1);
		if (version == TLS1_3_VERSION) {
			assert_true(tls_keys_stats(k2)->tickets_issued >= 1);
			assert_true(l1 > 0 && (l1 != l0 || memcmp(t0, t1, l0) != 0));
		} else {
			assert_int_equal(tls_keys_stats(k2)->tickets_issued, 0);
		}
		SSL_SESSION_free(now);
	}
	done(&x);

	/* A worker whose keys are its own (cp's set not yet there) does
	 * not: a full handshake, nothing fails. */
	{
		struct tls_keys *k3;
		SSL_CTX *s3 = server_ctx(&k3, true);

		run(&x, c, s3, sess);
		assert_true(x.ok);
		assert_false(SSL_session_reused(x.c));
		assert_int_equal(tls_keys_stats(k3)->tickets_unknown, 1);
		done(&x);
		SSL_CTX_free(s3);
		tls_keys_free(k3);
	}
	SSL_SESSION_free(sess);
	SSL_CTX_free(c);
	SSL_CTX_free(s1);
	SSL_CTX_free(s2);
	tls_keys_free(k1);
	tls_keys_free(k2);
}

static void
test_tls_keys_ticket_resumes_on_other_worker_tls13(void **state)
{
	(void)state;
	resumes_across_workers(TLS1_3_VERSION);
}

static void
test_tls_keys_ticket_resumes_on_other_worker_tls12(void **state)
{
	(void)state;
	resumes_across_workers(TLS1_2_VERSION);
}

static void
rotation(int version)
{
	struct tls_keys *k1, *k2;
	SSL_CTX *s1 = server_ctx(&k1, true), *s2 = server_ctx(&k2, true);
	SSL_CTX *c = client_ctx(version);
	struct ipc_tls_tickets t;
	SSL_SESSION *old, *renewed;
	struct conn x;

	make_set(&t, 1, 0xa1, -1);
	tls_keys_set_tickets(k1, &t);
	tls_keys_set_tickets(k2, &t);
	run(&x, c, s1, NULL);
	assert_true(x.ok);
	old = SSL_get1_session(x.c);
	assert_int_equal(ticket_key_byte(old), 0xa1);
	done(&x);

	/* cp rotates: B encrypts, A still decrypts. */
	make_set(&t, 2, 0xb2, 0xa1);
	tls_keys_set_tickets(k1, &t);
	tls_keys_set_tickets(k2, &t);
	run(&x, c, s2, old);
	assert_true(x.ok);
	assert_true(SSL_session_reused(x.c));
	assert_int_equal(tls_keys_stats(k2)->tickets_renewed, 1);
	renewed = SSL_get1_session(x.c);
	assert_non_null(renewed);
	assert_int_equal(ticket_key_byte(renewed), 0xb2);   /* renewed under B */
	done(&x);

	/* Next rotation: C encrypts, B decrypts, A is gone. */
	make_set(&t, 3, 0xc3, 0xb2);
	tls_keys_set_tickets(k1, &t);
	tls_keys_set_tickets(k2, &t);
	assert_int_equal(tls_keys_stats(k1)->ticket_generation, 3);
	run(&x, c, s1, old);
	assert_true(x.ok);                                  /* no failure ... */
	assert_false(SSL_session_reused(x.c));              /* ... a full handshake */
	assert_int_equal(tls_keys_stats(k1)->tickets_unknown, 1);
	done(&x);
	run(&x, c, s1, renewed);                            /* B's still resumes */
	assert_true(x.ok);
	assert_true(SSL_session_reused(x.c));
	done(&x);

	SSL_SESSION_free(old);
	SSL_SESSION_free(renewed);
	SSL_CTX_free(c);
	SSL_CTX_free(s1);
	SSL_CTX_free(s2);
	tls_keys_free(k1);
	tls_keys_free(k2);
}

static void
test_tls_keys_rotation_keeps_previous_key_tls13(void **state)
{
	(void)state;
	rotation(TLS1_3_VERSION);
}

static void
test_tls_keys_rotation_keeps_previous_key_tls12(void **state)
{
	(void)state;
	rotation(TLS1_2_VERSION);
}

/* ---- external PSK -------------------------------------------------------- */

static const uint8_t psk_key[32] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
};
static const char *g_client_id;
static const uint8_t *g_client_key;

/* The client's side, as `openssl s_client -psk_identity ID -psk HEX`
 * does it: a TLS 1.3 session with TLS_AES_128_GCM_SHA256. */
static int
client_psk_cb(SSL *s, const EVP_MD *md, const unsigned char **id, size_t *idlen,
	      SSL_SESSION **sess)
{
	static const unsigned char aes128[2] = { 0x13, 0x01 };
	const SSL_CIPHER *c = SSL_CIPHER_find(s, aes128);
	SSL_SESSION *ss;

	*sess = NULL;
	if (c == NULL || (md != NULL &&
			  EVP_MD_get_type(md) != EVP_MD_get_type(SSL_CIPHER_get_handshake_digest(c))))
		return 1;
	ss = SSL_SESSION_new();
	if (ss == NULL || SSL_SESSION_set1_master_key(ss, g_client_key, 32) != 1 ||
	    SSL_SESSION_set_cipher(ss, c) != 1 ||
	    SSL_SESSION_set_protocol_version(ss, TLS1_3_VERSION) != 1) {
		SSL_SESSION_free(ss);
		return 0;
	}
	*id = (const unsigned char *)g_client_id;
	*idlen = strlen(g_client_id);
	*sess = ss;
	return 1;
}

static SSL_CTX *
psk_client(const char *id, const uint8_t *key)
{
	SSL_CTX *c = client_ctx(TLS1_3_VERSION);

	g_client_id = id;
	g_client_key = key;
	SSL_CTX_set_psk_use_session_callback(c, client_psk_cb);
	return c;
}

static void
test_tls_keys_psk_dhe_without_certificate(void **state)
{
	struct tls_keys *k;
	SSL_CTX *s = server_ctx(&k, true), *c = psk_client("ims-ue-1", psk_key);
	struct conn x;

	(void)state;
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"ims-ue-1", 8, psk_key,
					  sizeof(psk_key), 0), 0);
	run(&x, c, s, NULL);
	assert_true(x.ok);
	assert_true(SSL_session_reused(x.c));              /* the PSK was used */
	assert_null(SSL_get0_peer_certificate(x.c));       /* no certificate sent */
	assert_int_not_equal(SSL_get_negotiated_group(x.c), 0);   /* (EC)DHE */
	assert_int_equal(tls_keys_stats(k)->psk_found, 1);
	done(&x);
	SSL_CTX_free(c);
	SSL_CTX_free(s);
	tls_keys_free(k);
}

static void
test_tls_keys_psk_unknown_identity_fails_cleanly(void **state)
{
	static const uint8_t wrong[32] = { 0xee };
	struct tls_keys *k, *kn;
	SSL_CTX *s = server_ctx(&k, true), *sn = server_ctx(&kn, false);
	SSL_CTX *c = psk_client("nobody", psk_key);
	struct conn x;

	(void)state;
	tls_keys_psk_add(k, (const uint8_t *)"ims-ue-1", 8, psk_key, sizeof(psk_key), 0);
	tls_keys_psk_add(kn, (const uint8_t *)"ims-ue-1", 8, psk_key, sizeof(psk_key), 0);

	/* A server with a certificate: no PSK, a full handshake with it. */
	run(&x, c, s, NULL);
	assert_true(x.ok);
	assert_false(SSL_session_reused(x.c));
	assert_non_null(SSL_get0_peer_certificate(x.c));
	assert_true(tls_keys_stats(k)->psk_unknown >= 1);
	assert_int_equal(tls_keys_stats(k)->psk_found, 0);
	done(&x);

	/* PSK only (no certificate): the handshake fails, both ends see it. */
	run(&x, c, sn, NULL);
	assert_false(x.ok);
	assert_true(x.s_failed);
	assert_true(x.c_failed);
	done(&x);

	/* A known identity with a wrong key: the binder does not verify
	 * (RFC 8446 §4.2.11.2), the handshake fails. */
	SSL_CTX_free(c);
	c = psk_client("ims-ue-1", wrong);
	run(&x, c, s, NULL);
	assert_false(x.ok);
	assert_true(x.s_failed);
	done(&x);

	SSL_CTX_free(c);
	SSL_CTX_free(s);
	SSL_CTX_free(sn);
	tls_keys_free(k);
	tls_keys_free(kn);
}

static void
test_tls_keys_psk_table_bounded(void **state)
{
	struct tls_keys *k = tls_keys_new(2);
	uint8_t key[IPC_TLS_PSK_KEY_MAX] = { 1 };
	uint8_t longid[IPC_TLS_PSK_ID_MAX + 1];

	(void)state;
	assert_non_null(k);
	memset(longid, 'x', sizeof(longid));
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"a", 1, key, 16, 0), 0);
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"b", 1, key, 64, 0x1302), 0);
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"c", 1, key, 16, 0), -ENOSPC);
	assert_int_equal(tls_keys_stats(k)->psk_full, 1);
	/* replacing one is no new entry */
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"a", 1, key, 32, 0x1303), 0);
	assert_int_equal(tls_keys_stats(k)->psk_count, 2);
	/* lengths and suites out of range */
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"d", 1, key, 15, 0), -EINVAL);
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"d", 1, key, 65, 0), -EINVAL);
	assert_int_equal(tls_keys_psk_add(k, longid, sizeof(longid), key, 16, 0), -EINVAL);
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"d", 1, key, 16, 0x1304), -EINVAL);
	assert_int_equal(tls_keys_psk_del(k, (const uint8_t *)"c", 1), -ENOENT);
	assert_int_equal(tls_keys_psk_del(k, (const uint8_t *)"a", 1), 0);
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"c", 1, key, 16, 0), 0);

	/* A resync from cp that no longer has "b": it goes, "c" stays. */
	tls_keys_psk_sync_begin(k);
	assert_int_equal(tls_keys_psk_add(k, (const uint8_t *)"c", 1, key, 16, 0), 0);
	assert_int_equal(tls_keys_psk_sync_end(k), 1);
	assert_int_equal(tls_keys_stats(k)->psk_count, 1);
	assert_int_equal(tls_keys_psk_del(k, (const uint8_t *)"b", 1), -ENOENT);
	assert_int_equal(tls_keys_psk_del(k, (const uint8_t *)"c", 1), 0);
	assert_int_equal(tls_keys_set_tickets(k, &(struct ipc_tls_tickets){ .nkeys = 3 }),
			 -EINVAL);
	tls_keys_free(k);
	tls_keys_free(NULL);
}

/* cp's messages, as dp's worker applies them once ipc_msg_check() passed. */
static void
test_tls_keys_apply_ipc_messages(void **state)
{
	static struct ipc_msg m;
	struct tls_keys *k = tls_keys_new(4);
	struct ipc_tls_tickets t;
	struct ipc_tls_psk p;
	struct ipc_tls_psk_sync ps = { .phase = IPC_TLS_PSK_BEGIN };

	(void)state;
	make_set(&t, 7, 0x77, 0x66);
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_TLS_TICKETS;
	m.h.body_len = sizeof(t);
	memcpy(m.body, &t, sizeof(t));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), -EBADMSG);
	assert_int_equal(tls_keys_apply(k, m.h.kind, m.body, m.h.body_len), 0);
	assert_int_equal(tls_keys_stats(k)->ticket_generation, 7);
	t.nkeys = 0;
	memcpy(m.body, &t, sizeof(t));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), -EBADMSG);

	memset(&p, 0, sizeof(p));
	p.id_len = 3;
	memcpy(p.id, "ue1", 3);
	p.key_len = 32;
	p.cipher = 0x1301;
	m.h.kind = IPC_TLS_PSK_ADD;
	m.h.body_len = sizeof(p);
	memcpy(m.body, &p, sizeof(p));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(tls_keys_apply(k, m.h.kind, m.body, m.h.body_len), 0);
	assert_int_equal(tls_keys_stats(k)->psk_count, 1);
	m.h.kind = IPC_TLS_PSK_DEL;        /* a DEL with a key is refused */
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), -EBADMSG);
	p.key_len = 0;
	p.cipher = 0;
	memcpy(m.body, &p, sizeof(p));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(tls_keys_apply(k, m.h.kind, m.body, m.h.body_len), 0);
	assert_int_equal(tls_keys_stats(k)->psk_count, 0);

	m.h.kind = IPC_TLS_PSK_SYNC;
	m.h.body_len = sizeof(ps);
	memcpy(m.body, &ps, sizeof(ps));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(tls_keys_apply(k, m.h.kind, m.body, m.h.body_len), 0);
	ps.phase = 3;
	memcpy(m.body, &ps, sizeof(ps));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), -EBADMSG);
	assert_int_equal(tls_keys_apply(k, IPC_SYNC, NULL, 0), -EBADMSG);
	tls_keys_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_keys_ticket_resumes_on_other_worker_tls13),
		cmocka_unit_test(test_tls_keys_ticket_resumes_on_other_worker_tls12),
		cmocka_unit_test(test_tls_keys_rotation_keeps_previous_key_tls13),
		cmocka_unit_test(test_tls_keys_rotation_keeps_previous_key_tls12),
		cmocka_unit_test(test_tls_keys_psk_dhe_without_certificate),
		cmocka_unit_test(test_tls_keys_psk_unknown_identity_fails_cleanly),
		cmocka_unit_test(test_tls_keys_psk_table_bounded),
		cmocka_unit_test(test_tls_keys_apply_ipc_messages),
	};

	return cmocka_run_group_tests(tests, setup_cert, teardown_cert);
}
