/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's TLS clients (issue 11's benchmarks): OpenSSL in the client role
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
 * are): this file is the load, kept simple rather than fast.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
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
};

static SSL_CTX *gen_tls_ctx;
static uint64_t gen_tls_errors;

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

int
gen_tls_init(const char *suite)
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
	gen_tls_ctx = ctx;
	return 0;
fail:
	ERR_print_errors_fp(stderr);
	SSL_CTX_free(ctx);
	return -EINVAL;
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

struct gen_tls *
gen_tls_new(SSL_SESSION *resume, const char *sni)
{
	struct gen_tls *t = calloc(1, sizeof(*t));

	if (t == NULL || gen_tls_ctx == NULL)
		goto fail;
	t->ssl = SSL_new(gen_tls_ctx);
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
