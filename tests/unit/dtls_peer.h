/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DTLS tests' other end: a datagram queue as an OpenSSL BIO (a write
 * is a datagram, a read takes one), OpenSSL's own DTLS client or server as
 * a browser's would be (its certificate, ours accepted whatever it is,
 * use_srtp as asked, DTLS 1.0 only if asked), a certificate of any size,
 * and the keys the peer exports split by RFC 5764 §4.2's layout. For
 * test_dtls_srtp and test_dp_dtls_srtp.
 */
#ifndef TP_TEST_DTLS_PEER_H
#define TP_TEST_DTLS_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define DGQ_MAX 256
struct dgq {
	unsigned int head, n;
	unsigned int sent;           /* datagrams ever written */
	uint32_t longest;            /* dtls_hs_msg_longest() of them all */
	uint16_t len[DGQ_MAX];
	uint8_t d[DGQ_MAX][2048];
};

/* The BIO method, once before any dgq_bio(); dgq_fini() frees it. */
void dgq_setup(void);
void dgq_fini(void);
/* A BIO whose writes go to q and whose reads take from q. */
BIO *dgq_bio(struct dgq *q);
/* A datagram into q (as if written), or the oldest out of q (its length,
 * 0 when none). */
void dgq_push(struct dgq *q, const uint8_t *p, size_t n);
size_t dgq_pop(struct dgq *q, uint8_t *out, size_t cap);

struct peer_opts {
	const char *profiles;        /* use_srtp; NULL: none */
	int version;                 /* 0: DTLS 1.2; DTLS1_VERSION: 1.0 only */
	bool no_cert;                /* (a client) sends none */
	X509 *cert;                  /* its certificate and key (required unless no_cert) */
	EVP_PKEY *key;
	unsigned int timer_us;       /* its first retransmission (0: OpenSSL's 1 s) */
	unsigned int mtu;            /* 0: 1200; 256: OpenSSL's least, a client's
				      * ClientHello cut into records (aiortc's) */
	const char *ciphers;         /* its cipher list (NULL: OpenSSL's) */
};

/* The peer's context and SSL, client or server, reading from in and
 * writing to out, MTU 1200 unless o->mtu says. */
SSL_CTX *peer_ctx(bool client, const struct peer_opts *o);
SSL *peer_ssl(SSL_CTX *ctx, bool client, const struct peer_opts *o, struct dgq *in,
	      struct dgq *out);

/* A P-256 self-signed certificate carrying n octets of an extension. */
void big_cert(size_t n, X509 **xo, EVP_PKEY **ko);

/* The peer's keys as RFC 5764 §4.2 lays them out, from its own export:
 * what it sends with (tx) and what it takes (rx), key (k octets) || salt
 * (sl) each. */
void peer_keys(SSL *s, bool client, unsigned int k, unsigned int sl, uint8_t *tx, uint8_t *rx);

/*
 * A ClientHello of our own making, DTLS 1.2, no cookie, into p: ns octets
 * of cipher suites (their length field as given), nc compression methods,
 * then the extensions block ext (elen octets, its own 2-octet length
 * first, as given: NULL for none), then tail octets. Returns its length.
 */
size_t hello_made(uint8_t *p, uint16_t ns, uint8_t nc, const uint8_t *ext, size_t elen,
		  size_t tail);

#endif
