/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls's own TLS 1.3 record layer for established connections on the
 * software path (no offload; tls.record_layer = "dp", the default).
 * OpenSSL does the handshake; then dp seals and opens the records itself,
 * in the mbufs: a received record is decrypted where TCP put it, and its
 * plaintext goes to the application as that chain (no copy in, none out);
 * a write is encrypted from the application's chain straight into the
 * mbufs that go to tcp_send() (no copy before it). What it replaces:
 * OpenSSL's BIO read copy, its record buffer, SSL_read's copy out, the
 * gather copy and SSL_write's copy into its write buffer and our BIO's
 * copy out of it (perf/RESULTS.md T10).
 *
 * Keys, the sanctioned way OpenSSL 3.0 hands them to an offload:
 * - sending: OpenSSL's kernel-TLS hand-off. The SSL has SSL_OP_ENABLE_KTLS
 *   and our BIO accepts BIO_CTRL_SET_KTLS for TLS 1.3 (OpenSSL 3.0 does
 *   this for sending only): key, IV and the exact sequence number at the
 *   moment OpenSSL switches to the application key. From then on OpenSSL
 *   writes plaintext to the BIO (its tickets, alerts, close_notify, the
 *   record type by BIO_CTRL_SET_KTLS_TX_SEND_CTRL_MSG) and we seal it
 *   like the application's.
 * - receiving: OpenSSL's key log callback gives the peer's application
 *   traffic secret (RFC 8446 §7.1); key and IV from it by HKDF-Expand-
 *   Label (§7.3), sequence 0: the handshake is driven by
 *   SSL_do_handshake() without read-ahead, so OpenSSL has read nothing
 *   beyond the peer's Finished, and SSL_has_pending() proves it.
 * Either may be missing (another OpenSSL, TLS 1.2, a suite other than
 * AES-GCM or ChaCha20-Poly1305): that direction stays OpenSSL's.
 *
 * Received records, RFC 8446 §5: application data to the application;
 * close_notify ends the stream; another alert ends the connection
 * (counted); KeyUpdate (§4.6.3) turns the receiving key and, when the
 * peer asks, we answer with our own and turn the sending key;
 * NewSessionTicket (a client leg's peer) is dropped (legs do not resume);
 * any other handshake message, a message split across records, an
 * unprotected record, a bad length or a record that fails authentication
 * ends the connection with the right alert. We turn our own sending key
 * every TLS_REC_REKEY records (§5.5: AES-GCM's limit is 2^24.5).
 *
 * The AEAD itself is tls_aead.h's: libipsec-mb where it can
 * (tls.record_crypto), OpenSSL's EVP otherwise.
 */
#ifndef DP_TLS_REC_H
#define DP_TLS_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "tls_aead_types.h"

struct dp_worker;
struct rte_mbuf;
struct tls_conn;
struct tls_worker;

#define TLS_REC_REKEY (1ull << 23)

/*
 * KeyUpdates a peer may send (RFC 8446 §4.6.3 sets no bound): a burst of
 * TLS_REC_KU_BURST, then one each TLS_REC_KU_EVERY_MS; past it the
 * connection ends with unexpected_message (key_updates_over_rate). Why:
 * one costs dp about what it costs a lean sender, more when the sender
 * asks for ours and we answer (perf/RESULTS.md T18: 0.7-1.2x its cycles
 * turning our receiving key, 1.4-2.9x with our answer; 1.3-2.3x and
 * 3.2-5.2x with a fresh KDF context a call), and TURN over TLS needs no
 * credentials to get there. A burst costs at most some 32 x 20k cycles,
 * of the order of the connection's handshake (500k). A peer's own need is
 * one every 2^23-2^24 records or 2^37 bytes (AES-GCM's limits, §5.5;
 * Java's default), far below one a second.
 */
#define TLS_REC_KU_BURST 32u
#define TLS_REC_KU_EVERY_MS 1000u

/* The record state of one direction. */
struct tls_rec_dir {
	struct tls_aead aead;     /* keyed; the nonce set a record */
	uint64_t seq;
	uint8_t iv[12];
	uint8_t secret[48];       /* the traffic secret (KeyUpdate) */
	uint8_t secret_len;       /* 32 or 48; 0: none (yet) */
	uint8_t on;               /* dp seals/opens this direction */
};

struct tls_rec {
	struct tls_rec_dir rx, tx;
	const EVP_CIPHER *cipher; /* the worker's (tls_rec_worker_init) */
	uint8_t suite;            /* tls_rec.c's index: AES-128/256-GCM, ChaCha */
	uint8_t md_len;
	uint8_t key_len;
	uint8_t tx_type;          /* OpenSSL's next write: this record type */
	uint8_t update_sent;      /* our KeyUpdate answered the peer's */
	uint8_t tx_dead;          /* a seal failed: nothing more is sealed */
	uint8_t idle;             /* records without data since the row began */
	uint8_t ku_tokens;        /* KeyUpdates the peer may send now */
	uint16_t idle_paid;       /* data bytes since then (IDLE_RESET_BYTES ends it) */
	uint8_t starved;          /* a record waits for an mbuf (tls_poll) */
	int16_t err;              /* a failure told after the data before it */
	uint16_t plain_segs;
	uint32_t rx_segs;         /* segments in the conn's rx */
	uint32_t plain_len;
	struct rte_mbuf *rx_tail; /* the last segment of the conn's rx */
	struct rte_mbuf *plain;   /* opened, not yet read by the application */
	struct rte_mbuf *plain_tail;
	uint64_t rekey_at;        /* tx.seq at which we turn our key */
	uint64_t ku_at;           /* ms of the worker's clock: ku_tokens' last refill */
};

/* The worker's ciphers (fetched once from its library context) and its
 * AEAD library for crypto (enum tls_aead_mode: tls.record_crypto). 0, or
 * -ENOMEM / -ENOTSUP with err filled. */
int tls_rec_worker_init(struct tls_worker *tw, OSSL_LIB_CTX *libctx, int crypto, char *err,
			size_t errlen);
void tls_rec_worker_free(struct tls_worker *tw);

/* Makes an SSL a candidate (SSL_OP_ENABLE_KTLS, no read-ahead, 16 KB
 * fragments: what OpenSSL's hand-off requires). */
void tls_rec_arm(SSL *ssl);
/* The SSL_CTX's key log callback (set when the record layer is dp's). */
void tls_rec_keylog(const SSL *ssl, const char *line);

/* Our BIO's controls and writes once the sending key is ours: *handled
 * says whether cmd was one of the hand-off's. */
long tls_rec_bio_ctrl(struct tls_conn *c, int cmd, long num, void *ptr, bool *handled);
bool tls_rec_tx_on(const struct tls_conn *c);
/* OpenSSL's plaintext (one record of the pending type) sealed onto c's
 * tx; false when out of mbufs or the cipher failed. */
bool tls_rec_bio_write(struct tls_conn *c, const void *in, size_t len);

/* The handshake is done: receive with dp's record layer if it can (see
 * above). True when it does. */
bool tls_rec_rx_start(struct tls_worker *tw, struct tls_conn *c);

/* True (once) when the last read stopped for want of an mbuf: the
 * caller asks again from the worker loop (TCP says nothing new). */
bool tls_rec_starved(struct tls_conn *c);

/* rcv_buf on an established connection whose receiving is dp's: the
 * semantics of struct dp_xprt_ops (whole segments while they fit in max,
 * at least one). */
int tls_rec_read(struct dp_worker *w, struct tls_conn *c, struct rte_mbuf **out,
		 uint32_t max);
/* snd_buf's records: m (owned on success) sealed onto c's tx in records of
 * up to 16 KB. False when out of mbufs or the cipher failed (the
 * connection is then fatal; m stays the caller's). */
bool tls_rec_write(struct dp_worker *w, struct tls_conn *c, struct rte_mbuf *m);
/* The records dp adds to len bytes of application data, at most. */
uint32_t tls_rec_overhead(uint32_t len);

/* len bytes of in appended to c's tx (mbufs of the worker's pool, as
 * many as it takes), encrypted through a (a record begun) on the way, or
 * copied when a is NULL (our BIO's writes before the hand-off). Returns
 * the bytes put: len, or fewer when out of mbufs (counted) or the cipher
 * failed. */
uint32_t tls_tx_put(struct tls_conn *c, struct tls_aead *a, const uint8_t *in,
		    uint32_t len);

/* A connection's record state, freed and its keys wiped. */
void tls_rec_free(struct tls_conn *c);

#endif /* DP_TLS_REC_H */
