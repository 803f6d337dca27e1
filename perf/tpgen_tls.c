/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's TLS clients (perf/run's TLS benchmarks): OpenSSL in the client role
 * over the generator's TCP streams (tpgen_tcp.c), through two memory BIOs
 * per connection: what TCP receives is written into one, what OpenSSL
 * writes is read out of the other into mbufs for tcp_send(). Nothing
 * blocks: every call returns what it could do now.
 *
 * One SSL_CTX for the process: TLS 1.3 only, one suite (TLS_AES_128_GCM_
 * SHA256 unless --tls-suite says otherwise), the key share X25519 (the
 * default groups, as a browser or coturn's client sends), ALPN
 * "stun.turn" (RFC 7443), no certificate verification (the server's
 * CertificateVerify signature is still checked: that is the handshake),
 * and session tickets kept by the connection (a new-session callback),
 * never in OpenSSL's cache: a caller that wants to resume takes the
 * connection's newest ticket and hands it to the next connection, each
 * ticket used once (RFC 8446 §C.4). Resumption is psk_dhe_ke, as clients
 * do by default.
 *
 * The client's own cost is not what is measured (the server's cycles
 * are): this file is the load, kept simple rather than fast. Except for
 * KeyUpdates (tlsku), where the sender's cost is the figure
 * dp's is held against: sent by OpenSSL (SSL_key_update()), or built
 * by hand as a lean sender would, from the client's application traffic
 * secret (a key log callback on a context of their own): the record
 * sealed under the current key, then the next secret, key and IV by
 * HKDF-Expand-Label (RFC 8446 §7.1-7.3; one HMAC block each, on a kept
 * HMAC context) and the key set on a kept AES-GCM context.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcp.h"
#include "tpgen.h"

struct gen_tls {
	SSL *ssl;
	BIO *rb;                  /* ciphertext in (we write it) */
	BIO *wb;                  /* ciphertext out (we read it) */
	SSL_SESSION *sess;        /* newest ticket (held reference) */
	struct rte_mbuf *held;    /* ciphertext TCP did not take yet */
	struct rte_mbuf *held_tail;
	uint32_t held_len;
	bool hs_done;
	bool failed;
	/* tlsku's lean sender: our application traffic secret (the key
	 * log's), the record's IV and sequence, the key on its context */
	bool ku_secret_set;
	uint8_t ku_secret[32];
	uint8_t ku_iv[12];
	uint64_t ku_seq;
	EVP_CIPHER_CTX *ku_cc;
};

static SSL_CTX *gen_tls_ctx;
static SSL_CTX *gen_tls_ku_ctx;      /* the same, and a key log */
static char gen_tls_suite[128];
static uint64_t gen_tls_errors;
static EVP_MAC_CTX *ku_hmac;         /* HMAC-SHA256, kept */
static EVP_CIPHER *ku_gcm;

static int
new_session(SSL *s, SSL_SESSION *sess)
{
	struct gen_tls *t = SSL_get_app_data(s);

	if (t == NULL)
		return 0;
	if (t->sess != NULL)
		SSL_SESSION_free(t->sess);
	t->sess = sess;
	return 1;                 /* we keep the reference */
}

static SSL_CTX *
make_ctx(const char *suite)
{
	static const unsigned char alpn[] = "\x09stun.turn";
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		goto fail;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, suite) ||
	    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1) != 0)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
				       SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, new_session);
	/* (a write is one record as large as the caller writes, up to
	 * 16 KB: OpenSSL's default max_send_fragment) */
	return ctx;
fail:
	ERR_print_errors_fp(stderr);
	SSL_CTX_free(ctx);
	return NULL;
}

int
gen_tls_init(const char *suite)
{
	snprintf(gen_tls_suite, sizeof(gen_tls_suite), "%s", suite);
	gen_tls_ctx = make_ctx(suite);
	return gen_tls_ctx != NULL ? 0 : -EINVAL;
}

int
gen_tls_client_cert(const char *cert, const char *key)
{
	if (gen_tls_ctx == NULL ||
	    SSL_CTX_use_certificate_chain_file(gen_tls_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(gen_tls_ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(gen_tls_ctx) != 1) {
		ERR_print_errors_fp(stderr);
		return -EINVAL;
	}
	return 0;
}

bool
gen_tls_enabled(void)
{
	return gen_tls_ctx != NULL;
}

uint64_t
gen_tls_error_count(void)
{
	return gen_tls_errors;
}

static struct gen_tls *
tls_new(SSL_CTX *ctx, SSL_SESSION *resume, const char *sni)
{
	struct gen_tls *t = calloc(1, sizeof(*t));

	if (t == NULL || ctx == NULL)
		goto fail;
	t->ssl = SSL_new(ctx);
	t->rb = BIO_new(BIO_s_mem());
	t->wb = BIO_new(BIO_s_mem());
	if (t->ssl == NULL || t->rb == NULL || t->wb == NULL) {
		BIO_free(t->rb);
		BIO_free(t->wb);
		goto fail;
	}
	BIO_set_mem_eof_return(t->rb, -1);   /* empty: "retry", not EOF */
	SSL_set_bio(t->ssl, t->rb, t->wb);
	SSL_set_app_data(t->ssl, t);
	SSL_set_connect_state(t->ssl);
	if (sni != NULL && sni[0] != '\0')
		SSL_set_tlsext_host_name(t->ssl, sni);
	if (resume != NULL)
		SSL_set_session(t->ssl, resume);
	return t;
fail:
	if (t != NULL)
		SSL_free(t->ssl);
	free(t);
	return NULL;
}

struct gen_tls *
gen_tls_new(SSL_SESSION *resume, const char *sni)
{
	return tls_new(gen_tls_ctx, resume, sni);
}

/* ---- KeyUpdates: the sender's side ------------------------------------- */

/* Our application traffic secret, from the key log (SHA-256 suites). */
static void
ku_keylog(const SSL *s, const char *line)
{
	static const char lbl[] = "CLIENT_TRAFFIC_SECRET_0 ";
	struct gen_tls *t = SSL_get_app_data(s);
	const char *h = strrchr(line, ' ');
	size_t n = 0;

	if (t == NULL || strncmp(line, lbl, sizeof(lbl) - 1) != 0 || h == NULL)
		return;
	for (h++; h[0] != '\0' && h[1] != '\0' && n < sizeof(t->ku_secret); h += 2) {
		int hi = OPENSSL_hexchar2int((unsigned char)h[0]),
		    lo = OPENSSL_hexchar2int((unsigned char)h[1]);

		if (hi < 0 || lo < 0)
			return;
		t->ku_secret[n++] = (uint8_t)(hi << 4 | lo);
	}
	t->ku_secret_set = *h == '\0' && n == sizeof(t->ku_secret);
}

struct gen_tls *
gen_tls_new_ku(void)
{
	if (gen_tls_ku_ctx == NULL && gen_tls_ctx != NULL) {
		gen_tls_ku_ctx = make_ctx(gen_tls_suite);
		if (gen_tls_ku_ctx != NULL)
			SSL_CTX_set_keylog_callback(gen_tls_ku_ctx, ku_keylog);
	}
	return tls_new(gen_tls_ku_ctx, NULL, NULL);
}

/* HKDF-Expand-Label(secret, label, "", olen) for olen up to 32: one
 * HMAC-SHA256 block (RFC 5869 §2.3, RFC 8446 §7.1). */
static bool
ku_expand(const uint8_t *secret, const char *label, uint8_t *out, size_t olen)
{
	static const uint8_t one = 1;
	uint8_t info[2 + 1 + 6 + 16 + 1], blk[32];
	size_t ll = strlen(label), bl = 0;
	bool ok;

	if (ll > 16 || olen > sizeof(blk))
		return false;
	info[0] = 0;
	info[1] = (uint8_t)olen;
	info[2] = (uint8_t)(6 + ll);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll);
	info[9 + ll] = 0;
	ok = EVP_MAC_init(ku_hmac, secret, 32, NULL) == 1 &&
	     EVP_MAC_update(ku_hmac, info, 10 + ll) == 1 &&
	     EVP_MAC_update(ku_hmac, &one, 1) == 1 &&
	     EVP_MAC_final(ku_hmac, blk, &bl, sizeof(blk)) == 1 && bl == sizeof(blk);
	if (ok)
		memcpy(out, blk, olen);
	OPENSSL_cleanse(blk, sizeof(blk));
	return ok;
}

/* The key and IV of the current secret (§7.3), sequence 0. */
static bool
ku_key(struct gen_tls *t)
{
	uint8_t key[16];
	bool ok = ku_expand(t->ku_secret, "key", key, sizeof(key)) &&
		  ku_expand(t->ku_secret, "iv", t->ku_iv, sizeof(t->ku_iv)) &&
		  EVP_EncryptInit_ex(t->ku_cc, NULL, NULL, key, NULL) == 1;

	OPENSSL_cleanse(key, sizeof(key));
	t->ku_seq = 0;
	return ok;
}

int
gen_tls_ku_start(struct gen_tls *t, uint64_t seq)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
	OSSL_PARAM ps[2];

	if (!t->hs_done || !t->ku_secret_set || c == NULL ||
	    SSL_CIPHER_get_protocol_id(c) != 0x1301)
		return -ENOTSUP;          /* TLS_AES_128_GCM_SHA256 only */
	if (ku_hmac == NULL) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

		ku_hmac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
		EVP_MAC_free(mac);        /* (the context holds it) */
		ps[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							 (char *)(uintptr_t)"SHA256", 0);
		ps[1] = OSSL_PARAM_construct_end();
		if (ku_hmac == NULL || EVP_MAC_CTX_set_params(ku_hmac, ps) != 1)
			return -ENOMEM;
		ku_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
		if (ku_gcm == NULL)
			return -ENOMEM;
	}
	if (t->ku_cc == NULL) {
		t->ku_cc = EVP_CIPHER_CTX_new();
		if (t->ku_cc == NULL ||
		    EVP_EncryptInit_ex(t->ku_cc, ku_gcm, NULL, NULL, NULL) != 1)
			return -ENOMEM;
	}
	if (!ku_key(t))
		return -EPROTO;
	t->ku_seq = seq;
	return 0;
}

int
gen_tls_ku_lean(struct gen_tls *t, bool req, uint8_t out[GEN_TLS_KU_LEN])
{
	/* the KeyUpdate message, then its content type (handshake) */
	const uint8_t pt[6] = { 24, 0, 0, 1, req ? 1 : 0, 22 };
	uint8_t nonce[12], next[32];
	int outl;

	out[0] = 23;
	out[1] = 3;
	out[2] = 3;
	out[3] = 0;
	out[4] = (uint8_t)(sizeof(pt) + 16);
	memcpy(nonce, t->ku_iv, sizeof(nonce));
	for (unsigned int i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(t->ku_seq >> (56 - 8 * i));
	if (EVP_EncryptInit_ex(t->ku_cc, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(t->ku_cc, NULL, &outl, out, 5) != 1 ||
	    EVP_EncryptUpdate(t->ku_cc, out + 5, &outl, pt, sizeof(pt)) != 1 ||
	    EVP_EncryptFinal_ex(t->ku_cc, out + 5 + sizeof(pt), &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(t->ku_cc, EVP_CTRL_AEAD_GET_TAG, 16, out + 5 + sizeof(pt)) != 1)
		return -EPROTO;
	/* the next generation (§7.2): each record after is under its key */
	if (!ku_expand(t->ku_secret, "traffic upd", next, sizeof(next)))
		return -EPROTO;
	memcpy(t->ku_secret, next, sizeof(next));
	OPENSSL_cleanse(next, sizeof(next));
	return ku_key(t) ? (int)GEN_TLS_KU_LEN : -EPROTO;
}

int
gen_tls_ku_openssl(struct gen_tls *t, bool req)
{
	if (t->failed || !t->hs_done ||
	    SSL_key_update(t->ssl, req ? SSL_KEY_UPDATE_REQUESTED :
			   SSL_KEY_UPDATE_NOT_REQUESTED) != 1 ||
	    SSL_do_handshake(t->ssl) != 1) {
		ERR_clear_error();
		return -EPROTO;
	}
	return 0;
}

static void
held_free(struct gen_tls *t)
{
	while (t->held != NULL) {
		struct rte_mbuf *m = t->held;

		t->held = m->next;
		m->next = NULL;
		rte_pktmbuf_free(m);
	}
	t->held_tail = NULL;
	t->held_len = 0;
}

void
gen_tls_free(struct gen_tls *t)
{
	if (t == NULL)
		return;
	held_free(t);
	EVP_CIPHER_CTX_free(t->ku_cc);
	OPENSSL_cleanse(t->ku_secret, sizeof(t->ku_secret));
	SSL_free(t->ssl);            /* frees both BIOs */
	if (t->sess != NULL)
		SSL_SESSION_free(t->sess);
	free(t);
}

SSL_SESSION *
gen_tls_take_session(struct gen_tls *t)
{
	SSL_SESSION *s = t->sess;

	t->sess = NULL;
	return s;
}

bool
gen_tls_has_ticket(const struct gen_tls *t)
{
	return t->sess != NULL;
}

bool
gen_tls_resumed(const struct gen_tls *t)
{
	return SSL_session_reused(t->ssl) == 1;
}

bool
gen_tls_established(const struct gen_tls *t)
{
	return t->hs_done;
}

uint32_t
gen_tls_held(const struct gen_tls *t)
{
	return t->held_len;
}

void
gen_tls_in(struct gen_tls *t, struct rte_mbuf *m)
{
	for (struct rte_mbuf *s = m; s != NULL; s = s->next)
		if (s->data_len > 0 &&
		    BIO_write(t->rb, rte_pktmbuf_mtod(s, const void *), s->data_len) !=
		    (int)s->data_len)
			t->failed = true;
	rte_pktmbuf_free(m);
}

static int
ssl_fail(struct gen_tls *t, int rc)
{
	int e = SSL_get_error(t->ssl, rc);

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_ZERO_RETURN)
		return -EPIPE;               /* close_notify */
	if (!t->failed) {
		gen_tls_errors++;
		if (gen_tls_errors <= 3) {
			fprintf(stderr, "tpgen: TLS error %d:", e);
			ERR_print_errors_fp(stderr);
		}
	}
	ERR_clear_error();
	t->failed = true;
	return -EPROTO;
}

int
gen_tls_handshake(struct gen_tls *t)
{
	int rc;

	if (t->failed)
		return -EPROTO;
	if (t->hs_done)
		return 1;
	rc = SSL_do_handshake(t->ssl);
	if (rc == 1) {
		t->hs_done = true;
		return 1;
	}
	return ssl_fail(t, rc);
}

int
gen_tls_read(struct gen_tls *t, void *buf, size_t len)
{
	size_t n = 0;
	int rc;

	if (t->failed)
		return -EPROTO;
	rc = SSL_read_ex(t->ssl, buf, len, &n);
	if (rc == 1)
		return (int)n;
	return ssl_fail(t, rc);
}

int
gen_tls_write(struct gen_tls *t, const void *buf, size_t len)
{
	size_t n = 0;
	int rc;

	if (t->failed || !t->hs_done)
		return -EPROTO;
	rc = SSL_write_ex(t->ssl, buf, len, &n);
	if (rc == 1 && n == len)
		return (int)n;
	/* memory BIOs take everything: anything else is a failure */
	return rc == 1 ? -EIO : (ssl_fail(t, rc) < 0 ? -EPROTO : -EIO);
}

void
gen_tls_close_notify(struct gen_tls *t)
{
	if (!t->failed && t->hs_done) {
		SSL_shutdown(t->ssl);
		ERR_clear_error();
	}
}

/*
 * What OpenSSL wrote, to TCP: held ciphertext first, then what the write
 * BIO has, as single mbufs from pool, each sent alone (tcp_send takes all
 * or nothing; one mbuf at a time, a record larger than the send queue's
 * room still goes out in pieces). What TCP does not take now is held, in
 * order, for the next call (the stream's writable()). Returns 0 when all
 * went, -EAGAIN when some is held, -ENOBUFS without mbufs (held too).
 */
int
gen_tls_push(struct gen_tls *t, struct tcp_stack *ts, tcp_id_t id,
	     struct rte_mempool *pool)
{
	size_t pend;
	int rc = 0;

	while ((pend = BIO_ctrl_pending(t->wb)) > 0) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint16_t room;
		int n;

		if (m == NULL) {
			rc = -ENOBUFS;
			break;
		}
		room = rte_pktmbuf_tailroom(m);
		n = BIO_read(t->wb, rte_pktmbuf_mtod(m, void *),
			     (int)(pend < room ? pend : room));
		if (n <= 0) {
			rte_pktmbuf_free(m);
			break;
		}
		m->data_len = (uint16_t)n;
		m->pkt_len = (uint32_t)n;
		if (t->held_tail != NULL)
			t->held_tail->next = m;
		else
			t->held = m;
		t->held_tail = m;
		t->held_len += (uint32_t)n;
	}
	while (t->held != NULL) {
		struct rte_mbuf *m = t->held, *next = m->next;
		int r;

		m->next = NULL;
		r = tcp_send(ts, id, m);
		if (r < 0) {
			m->next = next;
			if (r != -EAGAIN) {
				held_free(t);
				t->failed = true;
				return r;
			}
			return -EAGAIN;
		}
		t->held = next;
		t->held_len -= (uint32_t)r;
		if (next == NULL)
			t->held_tail = NULL;
	}
	return rc;
}
