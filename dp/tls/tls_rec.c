/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's TLS 1.3 record layer (tls_rec.h says what and why). RFC 8446 §5
 * (records), §5.3 (the per-record nonce), §5.4 (the inner plaintext: the
 * content type after the data, zeros after it), §4.6.3 (KeyUpdate), §7.1
 * and §7.3 (traffic secrets, HKDF-Expand-Label).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/tls.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "tcp.h"
#include "tls.h"
#include "tls_aead.h"
#include "tls_rec.h"

/* OpenSSL 3.0's kernel-TLS BIO controls (include/internal/bio.h: not
 * public; BIO_CTRL_GET_KTLS_SEND/RECV are). */
#define TLS_REC_CTRL_SET_KTLS          72
#define TLS_REC_CTRL_SET_CTRL_MSG      74
#define TLS_REC_CTRL_CLEAR_CTRL_MSG    75

#define RT_ALERT       21
#define RT_HANDSHAKE   22
#define RT_APPDATA     23
#define HS_NST          4
#define HS_KEY_UPDATE  24

/* alerts (RFC 8446 §6) */
#define AD_CLOSE_NOTIFY        0
#define AD_UNEXPECTED_MESSAGE 10
#define AD_BAD_RECORD_MAC     20
#define AD_RECORD_OVERFLOW    22
#define AD_ILLEGAL_PARAMETER  47
#define AD_DECODE_ERROR       50
#define AD_PROTOCOL_VERSION   70
#define AD_INTERNAL_ERROR     80

#define TAG_LEN   16u
#define PLAIN_MAX 16384u                     /* 2^14 */
#define CIPHER_MAX (PLAIN_MAX + 256u)        /* §5.2 */
/* opened plaintext kept for the application at most (beyond a record),
 * in bytes and in segments */
#define READ_AHEAD_MAX (64u * 1024u)
#define READ_AHEAD_SEGS 256u
/* received segments held for the record under way: past this many, they
 * are copied into full mbufs (a peer that sends a record in 1-byte
 * segments must not hold an mbuf a byte: dp/tcp's own caps and collapse
 * apply to what stays in its queue, not to what we took) */
#define RX_SEGS_MAX 64u
/* Records without data (KeyUpdate, empty or padding only, a leg's
 * NewSessionTicket) are work the application never sees: its byte counts,
 * quotas and deadlines do not meet them. 32 in a row at most, as OpenSSL
 * and BoringSSL bound them; the row ends only once data records have given
 * the application IDLE_RESET_BYTES since it began (were any data record
 * to end it, one of 1 byte every 32 records would keep a peer inside the
 * bound for ever). A client's own small frames (a 20-byte Binding, a 4-byte
 * ChannelData header and its payload) end a row in a few records. */
#define IDLE_MAX 32u
#define IDLE_RESET_BYTES 1024u
/* opened plaintext this small is copied into the tail segment's room
 * rather than held as a segment of its own */
#define PLAIN_SMALL 256u

enum { SUITE_AES128, SUITE_AES256, SUITE_CHACHA, SUITE__N };

static const struct {
	const char *cipher;
	uint8_t md_len;           /* its hash's: SHA-256 32, SHA-384 48 */
	uint8_t key_len;
	uint16_t protocol_id;     /* the TLS 1.3 suite */
	uint16_t ktls_type;       /* linux/tls.h */
	enum tls_aead_alg alg;
} suites[SUITE__N] = {
	[SUITE_AES128] = { "AES-128-GCM", 32, 16, 0x1301, TLS_CIPHER_AES_GCM_128,
			   TLS_AEAD_AES_GCM },
	[SUITE_AES256] = { "AES-256-GCM", 48, 32, 0x1302, TLS_CIPHER_AES_GCM_256,
			   TLS_AEAD_AES_GCM },
	[SUITE_CHACHA] = { "ChaCha20-Poly1305", 32, 32, 0x1303,
			   TLS_CIPHER_CHACHA20_POLY1305, TLS_AEAD_CHACHA20_POLY1305 },
};

/* The suites' hashes, by md_len: tls_worker's rec_hmac[md_len == 48] */
static const char *const hash_names[2] = { "SHA256", "SHA384" };

int
tls_rec_worker_init(struct tls_worker *tw, OSSL_LIB_CTX *libctx, int crypto, char *err,
		    size_t errlen)
{
	EVP_MAC *mac;
	int rc;

	for (unsigned int i = 0; i < SUITE__N; i++) {
		tw->rec_cipher[i] = EVP_CIPHER_fetch(libctx, suites[i].cipher, NULL);
		if (tw->rec_cipher[i] == NULL)
			goto no_cipher;
	}
	/* HKDF-Expand-Label's HMACs, kept: the key changes a call, the
	 * digest never (an EVP_KDF_CTX a call fetches the digest by name and
	 * copies the key each time: a KeyUpdate then costs dp 1.3-2.3 times
	 * what a lean sender pays, perf/RESULTS.md T18) */
	mac = EVP_MAC_fetch(libctx, "HMAC", NULL);
	for (unsigned int i = 0; i < RTE_DIM(tw->rec_hmac); i++) {
		OSSL_PARAM ps[2] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							 (char *)(uintptr_t)hash_names[i], 0),
			OSSL_PARAM_construct_end(),
		};

		tw->rec_hmac[i] = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
		if (tw->rec_hmac[i] == NULL || EVP_MAC_CTX_set_params(tw->rec_hmac[i], ps) != 1) {
			EVP_MAC_free(mac);
			goto no_cipher;
		}
	}
	EVP_MAC_free(mac);            /* (each context holds it) */
	tw->ku_timed_max = rte_get_tsc_hz() / 1000000u * TLS_KU_TIMED_MAX_US;
	rc = tls_aead_lib_init(&tw->aead, (enum tls_aead_mode)crypto, err, errlen);
	return rc;

no_cipher:
	snprintf(err, errlen, "cannot fetch AES-GCM, ChaCha20-Poly1305 or HMAC for dp's "
		 "record layer (tls.record_layer = \"openssl\" does without)");
	return -ENOMEM;
}

void
tls_rec_worker_free(struct tls_worker *tw)
{
	tls_aead_lib_free(&tw->aead);
	for (unsigned int i = 0; i < SUITE__N; i++) {
		EVP_CIPHER_free(tw->rec_cipher[i]);
		tw->rec_cipher[i] = NULL;
	}
	for (unsigned int i = 0; i < RTE_DIM(tw->rec_hmac); i++) {
		EVP_MAC_CTX_free(tw->rec_hmac[i]);
		tw->rec_hmac[i] = NULL;
	}
}

void
tls_rec_arm(SSL *ssl)
{
	SSL_set_options(ssl, SSL_OP_ENABLE_KTLS);
	SSL_set_read_ahead(ssl, 0);
	SSL_set_max_send_fragment(ssl, PLAIN_MAX);
}

static struct tls_rec *
rec_get(struct tls_conn *c)
{
	struct tls_rec *r = c->rec;

	if (r != NULL)
		return r;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->tx_type = RT_APPDATA;
	r->rekey_at = TLS_REC_REKEY;
	r->ku_tokens = TLS_REC_KU_BURST;
	c->rec = r;
	return r;
}

void
tls_rec_free(struct tls_conn *c)
{
	struct tls_rec *r = c->rec;

	if (r == NULL)
		return;
	tls_aead_free(&r->rx.aead);
	tls_aead_free(&r->tx.aead);
	rte_pktmbuf_free(r->plain);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
	c->rec = NULL;
}

void
tls_rec_keylog(const SSL *ssl, const char *line)
{
	const uint8_t *k = SSL_get_app_data(ssl);
	struct tls_conn *c;
	struct tls_rec *r;
	struct tls_rec_dir *d;
	const char *rxl, *txl, *h;
	size_t n = 0;

	if (k == NULL || *k != TLS_K_CONN || !(SSL_get_options(ssl) & SSL_OP_ENABLE_KTLS))
		return;
	c = (struct tls_conn *)(uintptr_t)k;
	rxl = SSL_is_server(ssl) ? "CLIENT_TRAFFIC_SECRET_0 " : "SERVER_TRAFFIC_SECRET_0 ";
	txl = SSL_is_server(ssl) ? "SERVER_TRAFFIC_SECRET_0 " : "CLIENT_TRAFFIC_SECRET_0 ";
	if (strncmp(line, rxl, strlen(rxl)) != 0 && strncmp(line, txl, strlen(txl)) != 0)
		return;
	r = rec_get(c);
	if (r == NULL)
		return;
	d = strncmp(line, rxl, strlen(rxl)) == 0 ? &r->rx : &r->tx;
	h = strrchr(line, ' ');
	d->secret_len = 0;
	if (h == NULL)
		return;
	for (h++; h[0] != '\0' && h[1] != '\0' && n < sizeof(d->secret); h += 2) {
		int hi = OPENSSL_hexchar2int((unsigned char)h[0]),
		    lo = OPENSSL_hexchar2int((unsigned char)h[1]);

		if (hi < 0 || lo < 0)
			return;
		d->secret[n++] = (uint8_t)(hi << 4 | lo);
	}
	if (*h == '\0' && (n == 32 || n == 48))
		d->secret_len = (uint8_t)n;
}

/* HKDF-Expand-Label(secret, label, "", olen), RFC 8446 §7.1, for olen up
 * to the hash's length (a key, an IV, the next secret: always): HKDF-Expand
 * is then its first block alone, T(1) = HMAC-Hash(secret, info | 0x01)
 * (RFC 5869 §2.3), on the worker's kept HMAC context for the hash. */
static bool
expand_label(struct tls_worker *tw, const uint8_t *secret, size_t slen, const char *label,
	     uint8_t *out, size_t olen)
{
	static const uint8_t one = 1;
	EVP_MAC_CTX *h = tw->rec_hmac[slen == 48];
	uint8_t info[2 + 1 + 6 + 16 + 1], blk[48];
	size_t ll = strlen(label), bl = 0;
	bool ok;

	if (ll > 16 || (slen != 32 && slen != 48) || olen > slen)
		return false;
	info[0] = (uint8_t)(olen >> 8);
	info[1] = (uint8_t)olen;
	info[2] = (uint8_t)(6 + ll);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll);
	info[9 + ll] = 0;                         /* no context */
	ok = EVP_MAC_init(h, secret, slen, NULL) == 1 &&
	     EVP_MAC_update(h, info, 10 + ll) == 1 && EVP_MAC_update(h, &one, 1) == 1 &&
	     EVP_MAC_final(h, blk, &bl, sizeof(blk)) == 1 && bl == slen;
	if (ok)
		memcpy(out, blk, olen);
	OPENSSL_cleanse(blk, sizeof(blk));
	return ok;
}

/* d keyed from its traffic secret: key and IV (§7.3), sequence 0. */
static bool
dir_key(struct tls_worker *tw, struct tls_rec *r, struct tls_rec_dir *d, int enc)
{
	uint8_t key[32];
	bool ok;

	ok = d->secret_len == r->md_len &&
	     expand_label(tw, d->secret, d->secret_len, "key", key, r->key_len) &&
	     expand_label(tw, d->secret, d->secret_len, "iv", d->iv, sizeof(d->iv)) &&
	     tls_aead_key(&d->aead, &tw->aead, r->cipher, suites[r->suite].alg, key,
			  r->key_len, enc);
	OPENSSL_cleanse(key, sizeof(key));
	if (ok)
		d->seq = 0;
	return ok;
}

/* The next generation of d's secret and keys (§7.2, KeyUpdate). */
static bool
dir_update(struct tls_worker *tw, struct tls_rec *r, struct tls_rec_dir *d, int enc)
{
	uint8_t next[48];
	bool ok;

	ok = d->secret_len == r->md_len &&
	     expand_label(tw, d->secret, d->secret_len, "traffic upd", next, r->md_len);
	if (ok)
		memcpy(d->secret, next, r->md_len);
	OPENSSL_cleanse(next, sizeof(next));
	return ok && dir_key(tw, r, d, enc);
}

static void
nonce_of(const struct tls_rec_dir *d, uint8_t nonce[12])
{
	memcpy(nonce, d->iv, 12);
	for (unsigned int i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(d->seq >> (56 - 8 * i));
}

/* ---- sealing ----------------------------------------------------------- */

/* len bytes onto c's tx (tls_rec.h): the bytes put, len unless out of
 * mbufs or the cipher failed. */
uint32_t
tls_tx_put(struct tls_conn *c, struct tls_aead *a, const uint8_t *in, uint32_t len)
{
	uint32_t done = 0;

	while (done < len) {
		struct rte_mbuf *t = c->tx_tail;
		uint16_t room = t != NULL ? rte_pktmbuf_tailroom(t) : 0;
		uint8_t *dst;
		uint32_t take;

		if (room == 0) {
			struct rte_mbuf *m = dp_alloc(c->w);

			if (m == NULL) {
				c->w->tls->ctr[TLS_CTR_NO_MBUF]++;
				break;
			}
			if (t == NULL) {
				c->tx = m;
			} else {
				t->next = m;
				c->tx->nb_segs++;
			}
			c->tx_tail = t = m;
			room = rte_pktmbuf_tailroom(t);
		}
		take = len - done < room ? len - done : room;
		dst = rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len);
		if (a == NULL)
			memcpy(dst, in + done, take);
		else if (!tls_aead_update(a, dst, in + done, take))
			break;
		t->data_len = (uint16_t)(t->data_len + take);
		c->tx->pkt_len += take;
		c->tx_len += take;
		done += take;
	}
	return done;
}

static inline bool
tx_put(struct tls_conn *c, struct tls_aead *a, const uint8_t *in, uint32_t len)
{
	return tls_tx_put(c, a, in, len) == len;
}

/* Where c's tx ended before a seal: a seal that fails is cut back to it,
 * and the sending direction is dead (no record is ever sealed twice under
 * one nonce: the sequence moves only when a record is whole). */
struct tx_mark {
	struct rte_mbuf *tail;
	uint16_t tail_len;
	uint16_t nb_segs;
	uint32_t pkt_len;
	uint32_t tx_len;
};

static void
tx_mark(const struct tls_conn *c, struct tx_mark *k)
{
	k->tail = c->tx_tail;
	k->tail_len = c->tx_tail != NULL ? c->tx_tail->data_len : 0;
	k->nb_segs = c->tx != NULL ? c->tx->nb_segs : 0;
	k->pkt_len = c->tx != NULL ? c->tx->pkt_len : 0;
	k->tx_len = c->tx_len;
}

static bool
seal_fail(struct tls_conn *c, const struct tx_mark *k)
{
	if (k->tail == NULL) {
		rte_pktmbuf_free(c->tx);
		c->tx = c->tx_tail = NULL;
		c->tx_len = 0;
	} else {
		rte_pktmbuf_free(k->tail->next);
		k->tail->next = NULL;
		k->tail->data_len = k->tail_len;
		c->tx_tail = k->tail;
		c->tx->nb_segs = k->nb_segs;
		c->tx->pkt_len = k->pkt_len;
		c->tx_len = k->tx_len;
	}
	c->rec->tx_dead = 1;
	return false;
}

/* A record's header and the cipher's start (the header is the AAD). */
static bool
seal_begin(struct tls_conn *c, struct tls_rec_dir *d, uint32_t len)
{
	uint32_t clen = len + 1 + TAG_LEN;
	uint8_t hdr[5] = { RT_APPDATA, 3, 3, (uint8_t)(clen >> 8), (uint8_t)clen };
	uint8_t nonce[12];

	nonce_of(d, nonce);
	return tls_aead_begin(&d->aead, nonce, hdr, sizeof(hdr)) &&
	       tx_put(c, NULL, hdr, sizeof(hdr));
}

/* The content type, the tag: the record is done. */
static bool
seal_end(struct tls_conn *c, struct tls_rec_dir *d, uint8_t type)
{
	uint8_t tag[TAG_LEN];

	if (!tx_put(c, &d->aead, &type, 1) || !tls_aead_seal_end(&d->aead, tag) ||
	    !tx_put(c, NULL, tag, TAG_LEN))
		return false;
	d->seq++;
	c->w->tls->ctr[TLS_CTR_REC_OUT]++;
	return true;
}

static bool
seal_flat(struct tls_conn *c, uint8_t type, const uint8_t *in, uint32_t len)
{
	struct tls_rec_dir *d = &c->rec->tx;
	struct tx_mark k;

	if (c->rec->tx_dead)
		return false;
	tx_mark(c, &k);
	if (!seal_begin(c, d, len) || !tx_put(c, &d->aead, in, len) || !seal_end(c, d, type))
		return seal_fail(c, &k);
	return true;
}

/* Our KeyUpdate (update_not_requested), then our next key (§4.6.3). */
static bool
send_key_update(struct tls_conn *c)
{
	static const uint8_t ku[5] = { HS_KEY_UPDATE, 0, 0, 1, 0 };
	struct tls_rec *r = c->rec;

	if (!seal_flat(c, RT_HANDSHAKE, ku, sizeof(ku)))
		return false;
	if (!dir_update(c->w->tls, r, &r->tx, 1)) {
		r->tx_dead = 1;           /* sent, but no next key: no more */
		return false;
	}
	c->w->tls->ctr[TLS_CTR_KEY_UPDATE_SENT]++;
	r->rekey_at = TLS_REC_REKEY;
	return true;
}

bool
tls_rec_tx_on(const struct tls_conn *c)
{
	return c->rec != NULL && c->rec->tx.on;
}

static int
suite_of_ktls(uint16_t type)
{
	for (int i = 0; i < SUITE__N; i++)
		if (suites[i].ktls_type == type)
			return i;
	return -1;
}

/* OpenSSL's hand-off of its sending key (BIO_CTRL_SET_KTLS): TLS 1.3
 * only; the structures are linux/tls.h's, as OpenSSL fills them. */
static bool
tx_start(struct tls_conn *c, const void *ptr)
{
	const struct tls_crypto_info *ci = ptr;
	struct tls_worker *tw = c->w->tls;
	const unsigned char *key, *seq;
	struct tls_rec *r;
	uint64_t s = 0;
	int i;

	if (ci == NULL || c->ssl == NULL || !(SSL_get_options(c->ssl) & SSL_OP_ENABLE_KTLS) ||
	    ci->version != TLS_1_3_VERSION || (i = suite_of_ktls(ci->cipher_type)) < 0 ||
	    (r = rec_get(c)) == NULL)
		return false;
	switch (ci->cipher_type) {
	case TLS_CIPHER_AES_GCM_128: {
		const struct tls12_crypto_info_aes_gcm_128 *g = ptr;

		memcpy(r->tx.iv, g->salt, 4);
		memcpy(r->tx.iv + 4, g->iv, 8);
		key = g->key;
		seq = g->rec_seq;
		break;
	}
	case TLS_CIPHER_AES_GCM_256: {
		const struct tls12_crypto_info_aes_gcm_256 *g = ptr;

		memcpy(r->tx.iv, g->salt, 4);
		memcpy(r->tx.iv + 4, g->iv, 8);
		key = g->key;
		seq = g->rec_seq;
		break;
	}
	default: {
		const struct tls12_crypto_info_chacha20_poly1305 *g = ptr;

		memcpy(r->tx.iv, g->iv, 12);
		key = g->key;
		seq = g->rec_seq;
		break;
	}
	}
	if (r->cipher != NULL && r->cipher != tw->rec_cipher[i])
		return false;
	r->cipher = tw->rec_cipher[i];
	r->suite = (uint8_t)i;
	r->md_len = suites[i].md_len;
	r->key_len = suites[i].key_len;
	for (unsigned int b = 0; b < 8; b++)
		s = s << 8 | seq[b];
	if (!tls_aead_key(&r->tx.aead, &tw->aead, r->cipher, suites[i].alg, key,
			  r->key_len, 1))
		return false;
	if (tls_aead_is_imb(&r->tx.aead))
		tw->ctr[TLS_CTR_REC_IPSEC_MB]++;
	r->tx.seq = s;
	r->tx.on = 1;
	r->tx_type = RT_APPDATA;
	tw->ctr[TLS_CTR_REC_TX_DP]++;
	return true;
}

long
tls_rec_bio_ctrl(struct tls_conn *c, int cmd, long num, void *ptr, bool *handled)
{
	*handled = true;
	switch (cmd) {
	case BIO_CTRL_GET_KTLS_SEND:
		return tls_rec_tx_on(c);
	case BIO_CTRL_GET_KTLS_RECV:
		return 0;
	case TLS_REC_CTRL_SET_KTLS:
		/* num: OpenSSL's "which & SSL3_CC_WRITE" (sending: not 0) */
		return num != 0 && tx_start(c, ptr) ? 1 : 0;
	case TLS_REC_CTRL_SET_CTRL_MSG:
		if (!tls_rec_tx_on(c) || num <= 0 || num > 255)
			return 0;
		c->rec->tx_type = (uint8_t)num;
		return 1;
	case TLS_REC_CTRL_CLEAR_CTRL_MSG:
		if (tls_rec_tx_on(c))
			c->rec->tx_type = RT_APPDATA;
		return 1;
	default:
		*handled = false;
		return 0;
	}
}

bool
tls_rec_bio_write(struct tls_conn *c, const void *in, size_t len)
{
	struct tls_rec *r = c->rec;
	uint8_t type = r->tx_type;

	r->tx_type = RT_APPDATA;
	if (len > PLAIN_MAX || !seal_flat(c, type, in, (uint32_t)len))
		return false;
	/* OpenSSL's own KeyUpdate (when receiving is OpenSSL's and the peer
	 * asked for ours): OpenSSL 3.0 turns its sending key without telling
	 * the BIO, so ours turns here, after the message (§4.6.3) */
	if (type == RT_HANDSHAKE && len == 5 && ((const uint8_t *)in)[0] == HS_KEY_UPDATE) {
		if (!dir_update(c->w->tls, r, &r->tx, 1)) {
			r->tx_dead = 1;
			return false;
		}
		c->w->tls->ctr[TLS_CTR_KEY_UPDATE_SENT]++;
	}
	return true;
}

uint32_t
tls_rec_overhead(uint32_t len)
{
	/* a header, the type and the tag a record, and a KeyUpdate */
	return (len / PLAIN_MAX + 1u) * (5u + 1u + TAG_LEN) + 32u;
}

bool
tls_rec_write(struct dp_worker *w, struct tls_conn *c, struct rte_mbuf *m)
{
	struct tls_rec *r = c->rec;
	struct tls_rec_dir *d = &r->tx;
	const struct rte_mbuf *s = m;
	uint32_t left = m->pkt_len, off = 0;
	struct tx_mark k;

	(void)w;
	if (r->tx_dead)
		return false;
	if (d->seq >= r->rekey_at && !send_key_update(c))
		return false;
	r->update_sent = 0;
	/* all or nothing: a failure cuts tx back to here (the caller keeps m) */
	tx_mark(c, &k);
	while (left > 0) {
		uint32_t rec = left < PLAIN_MAX ? left : PLAIN_MAX, done = 0;

		if (!seal_begin(c, d, rec))
			return seal_fail(c, &k);
		while (done < rec) {
			uint32_t n;

			while (s != NULL && off >= s->data_len) {
				s = s->next;
				off = 0;
			}
			if (s == NULL)
				return seal_fail(c, &k);  /* (pkt_len said more) */
			n = s->data_len - off;
			if (n > rec - done)
				n = rec - done;
			if (!tx_put(c, &d->aead, rte_pktmbuf_mtod_offset(s, const uint8_t *, off), n))
				return seal_fail(c, &k);
			off += n;
			done += n;
		}
		if (!seal_end(c, d, RT_APPDATA))
			return seal_fail(c, &k);
		left -= rec;
	}
	rte_pktmbuf_free(m);
	return true;
}

/* An alert of ours (fatal), when our sending is dp's. */
static void
send_alert(struct tls_conn *c, uint8_t desc)
{
	uint8_t a[2] = { 2, desc };

	if (tls_rec_tx_on(c) && seal_flat(c, RT_ALERT, a, sizeof(a)))
		c->w->tls->ctr[TLS_CTR_ALERT_SENT]++;
}

/* ---- opening ----------------------------------------------------------- */

static int
suite_of_ssl(const SSL *ssl)
{
	const SSL_CIPHER *sc = SSL_get_current_cipher(ssl);
	uint16_t id = sc != NULL ? SSL_CIPHER_get_protocol_id(sc) : 0;

	for (int i = 0; i < SUITE__N; i++)
		if (suites[i].protocol_id == id)
			return i;
	return -1;
}

bool
tls_rec_rx_start(struct tls_worker *tw, struct tls_conn *c)
{
	struct tls_rec *r = c->rec;
	struct rte_mbuf *t;
	int i;

	if (r == NULL || SSL_version(c->ssl) != TLS1_3_VERSION ||
	    (i = suite_of_ssl(c->ssl)) < 0 || r->rx.secret_len == 0 || SSL_has_pending(c->ssl))
		return false;
	if (r->cipher != NULL && r->cipher != tw->rec_cipher[i])
		return false;
	r->cipher = tw->rec_cipher[i];
	r->suite = (uint8_t)i;
	r->md_len = suites[i].md_len;
	r->key_len = suites[i].key_len;
	if (!dir_key(tw, r, &r->rx, 0))
		return false;
	if (tls_aead_is_imb(&r->rx.aead))
		tw->ctr[TLS_CTR_REC_IPSEC_MB]++;
	r->rx.on = 1;
	r->rx_tail = NULL;
	r->rx_segs = 0;
	for (t = c->rx; t != NULL; t = t->next) {
		t->nb_segs = 1;
		t->pkt_len = t->data_len;
		r->rx_tail = t;
		r->rx_segs++;
	}
	tw->ctr[TLS_CTR_REC_RX_DP]++;
	/* OpenSSL reads no more, and writes (if at all) from our buffers:
	 * its record buffers go (some 17 KB a connection) */
	if (r->tx.on)
		SSL_free_buffers(c->ssl);
	return true;
}

/* c's rx copied into full mbufs (many small segments held): false when
 * out of mbufs (nothing changed). */
static bool
rx_collapse(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_rec *r = c->rec;
	struct rte_mbuf *head = NULL, *tail = NULL, *s;
	uint32_t n = 0;

	for (s = c->rx; s != NULL; s = s->next) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);
		uint16_t left = s->data_len;

		while (left > 0) {
			uint16_t room = tail != NULL ? rte_pktmbuf_tailroom(tail) : 0;
			uint16_t k;

			if (room == 0) {
				struct rte_mbuf *m = dp_alloc(w);

				if (m == NULL) {
					rte_pktmbuf_free(head);
					w->tls->ctr[TLS_CTR_NO_MBUF]++;
					return false;
				}
				if (tail == NULL)
					head = m;
				else
					tail->next = m;
				tail = m;
				n++;
				room = rte_pktmbuf_tailroom(m);
			}
			k = left < room ? left : room;
			memcpy(rte_pktmbuf_append(tail, k), p, k);
			p += k;
			left = (uint16_t)(left - k);
		}
	}
	for (s = head; s != NULL; s = s->next) {
		s->nb_segs = 1;
		s->pkt_len = s->data_len;
	}
	rte_pktmbuf_free(c->rx);  /* (its segments: nb_segs 1 each, chained) */
	c->rx = head;
	r->rx_tail = tail;
	r->rx_segs = n;
	return true;
}

/* TCP's segments onto c's rx until it holds want bytes (or TCP has no
 * more): no more than the record needs leaves TCP's window. False when a
 * collapse found no mbuf (the record waits: starved). */
static bool
rx_fill(struct dp_worker *w, struct tls_conn *c, uint32_t want)
{
	struct tls_rec *r = c->rec;

	while (c->rx_len < want && !(c->flags & TLS_F_EOF)) {
		struct rte_mbuf *m, *t;
		int n;

		if (r->rx_segs >= RX_SEGS_MAX && !rx_collapse(w, c))
			return false;
		n = tcp_recv(w->tcp, c->id, &m, want - c->rx_len);
		if (n == 0)
			c->flags |= TLS_F_EOF;
		if (n <= 0)
			return true;
		if (c->rx == NULL)
			c->rx = m;
		else
			r->rx_tail->next = m;
		for (t = m; t != NULL; t = t->next) {
			t->nb_segs = 1;
			t->pkt_len = t->data_len;
			r->rx_tail = t;
			r->rx_segs++;
		}
		c->rx_len += (uint32_t)n;
	}
	return true;
}

/* The first k bytes of c's rx copied to dst; consumed when take. */
static void
rx_copy(struct tls_conn *c, uint8_t *dst, uint32_t k, bool take)
{
	struct rte_mbuf *m = c->rx;
	uint32_t off = 0;

	while (k > 0) {
		uint32_t n = m->data_len - off < k ? m->data_len - off : k;

		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		dst += n;
		k -= n;
		if (!take) {
			m = m->next;
			continue;
		}
		c->rx_len -= n;
		if (n == m->data_len) {
			c->rx = m->next;
			if (c->rx == NULL)
				c->rec->rx_tail = NULL;
			c->rec->rx_segs--;
			m->next = NULL;
			rte_pktmbuf_free_seg(m);
			m = c->rx;
		} else {
			rte_pktmbuf_adj(m, (uint16_t)n);
		}
	}
}

/* An mbuf whose room later small plaintext may be copied into. */
static inline bool
plain_growable(const struct rte_mbuf *t, uint32_t len)
{
	return RTE_MBUF_DIRECT(t) && rte_mbuf_refcnt_read(t) == 1 &&
	       rte_pktmbuf_tailroom(t) >= len;
}

/* The record's plaintext (its segments, decrypted) handed on; empty
 * segments go; a small one is copied into the tail's room, or into a
 * fresh mbuf that takes the small ones after it (a run of tiny records
 * must not hold an mbuf each). */
static void
plain_append(struct dp_worker *w, struct tls_rec *r, struct rte_mbuf *m)
{
	while (m != NULL) {
		struct rte_mbuf *next = m->next, *t = r->plain_tail;
		uint16_t len = m->data_len;

		m->next = NULL;
		if (len == 0) {
			rte_pktmbuf_free_seg(m);
			m = next;
			continue;
		}
		if (len <= PLAIN_SMALL) {
			if (t != NULL && plain_growable(t, len)) {
				memcpy(rte_pktmbuf_append(t, len), rte_pktmbuf_mtod(m, const void *),
				       len);
				r->plain_len += len;
				rte_pktmbuf_free_seg(m);
				m = next;
				continue;
			}
			if (!plain_growable(m, 4u * PLAIN_SMALL)) {
				struct rte_mbuf *f = dp_alloc(w);

				if (f != NULL) {
					memcpy(rte_pktmbuf_append(f, len),
					       rte_pktmbuf_mtod(m, const void *), len);
					rte_pktmbuf_free_seg(m);
					m = f;
				}
			}
		}
		m->nb_segs = 1;
		m->pkt_len = m->data_len;
		if (r->plain == NULL)
			r->plain = m;
		else
			t->next = m;
		r->plain_tail = m;
		r->plain_len += m->data_len;
		r->plain_segs++;
		m = next;
	}
}

/* A KeyUpdate's cycles into t; one that took over TLS_KU_TIMED_MAX_US was
 * preempted (or interrupted at length: the machine's other work), and is
 * counted apart rather than in the sum. */
static inline void
ku_timed(struct tls_worker *tw, struct tls_ku_time *t, uint64_t cycles)
{
	if (cycles > tw->ku_timed_max) {
		t->dropped++;
		return;
	}
	t->cycles += cycles;
	t->n++;
}

/* Whether the peer may turn its key now: a token bucket of
 * TLS_REC_KU_BURST, one back each TLS_REC_KU_EVERY_MS (tls_rec.h says
 * why), on the worker's clock (tls_poll()'s, once a loop pass). */
static bool
ku_allowed(const struct tls_worker *tw, struct tls_rec *r)
{
	uint64_t now = tw->now_ms;

	if (r->ku_tokens < TLS_REC_KU_BURST) {
		uint64_t back = (now - r->ku_at) / TLS_REC_KU_EVERY_MS;

		if (back >= TLS_REC_KU_BURST - r->ku_tokens) {
			r->ku_tokens = TLS_REC_KU_BURST;
		} else {
			r->ku_tokens = (uint8_t)(r->ku_tokens + back);
			r->ku_at += back * TLS_REC_KU_EVERY_MS;
		}
	}
	if (r->ku_tokens == 0)
		return false;
	if (r->ku_tokens-- == TLS_REC_KU_BURST)
		r->ku_at = now;           /* full until now: its clock starts */
	return true;
}

/* Handshake messages after the handshake (a whole record's plaintext, in
 * p): KeyUpdate and, for a client, NewSessionTicket. 0 or the alert. */
static int
post_handshake(struct tls_conn *c, const uint8_t *p, uint32_t n)
{
	struct tls_worker *tw = c->w->tls;
	struct tls_rec *r = c->rec;
	uint32_t off = 0;

	if (n == 0)
		return AD_UNEXPECTED_MESSAGE;    /* §5.1: no empty handshake records */
	while (off < n) {
		uint32_t ml;
		const uint8_t *b;

		/* a message split across records is not reassembled: none
		 * that may come here is larger than a record */
		if (n - off < 4)
			return AD_UNEXPECTED_MESSAGE;
		ml = (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 | p[off + 3];
		if (ml > n - off - 4)
			return AD_UNEXPECTED_MESSAGE;
		b = p + off + 4;
		off += 4 + ml;
		switch (p[off - 4 - ml]) {
		case HS_KEY_UPDATE: {
			/* what a KeyUpdate costs us, on the TSC (the stats
			 * line's key_update_*; perf/run --tls's KeyUpdate
			 * figures against its sender's) */
			uint64_t t0 = rte_rdtsc(), t1;

			if (ml != 1)
				return AD_DECODE_ERROR;
			if (b[0] > 1)
				return AD_ILLEGAL_PARAMETER;
			if (off != n)
				return AD_UNEXPECTED_MESSAGE;   /* §5.1: it ends its record */
			/* §4.6.3 leaves their number to us: past the rate,
			 * unexpected_message (§6.2: "an inappropriate message";
			 * TLS 1.3 has no alert for a policy after the handshake:
			 * access_denied and insufficient_security speak of the
			 * negotiation), as BoringSSL's bound on KeyUpdates and
			 * ours on empty records say it */
			if (!ku_allowed(tw, r)) {
				tw->ctr[TLS_CTR_KEY_UPDATE_RATE]++;
				return AD_UNEXPECTED_MESSAGE;
			}
			if (!dir_update(tw, r, &r->rx, 0))
				return AD_INTERNAL_ERROR;
			tw->ctr[TLS_CTR_KEY_UPDATE_RECV]++;
			t1 = rte_rdtsc();
			ku_timed(tw, &tw->ku_rx, t1 - t0);
			if (b[0] == 1 && !r->update_sent &&
			    !(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN)) {
				/* answered once until we send data again;
				 * not after our close_notify (§6.1: we send
				 * nothing more, and our FIN may have gone) */
				if (r->tx.on) {
					if (!send_key_update(c))
						return AD_INTERNAL_ERROR;
				} else if (SSL_key_update(c->ssl, SSL_KEY_UPDATE_NOT_REQUESTED) != 1 ||
					   SSL_do_handshake(c->ssl) != 1) {
					return AD_INTERNAL_ERROR;
				}
				r->update_sent = 1;
				ku_timed(tw, &tw->ku_tx, rte_rdtsc() - t1);
			}
			break;
		}
		case HS_NST:
			if (SSL_is_server(c->ssl))
				return AD_UNEXPECTED_MESSAGE;
			break;                    /* legs do not resume: dropped */
		default:
			return AD_UNEXPECTED_MESSAGE;
		}
	}
	return 0;
}

/* One record from c's rx: 1 opened (its plaintext on r->plain, or what it
 * said done), 0 not all of it here yet (or out of mbufs: -EAGAIN), or
 * -alert (fatal: the caller sends it). */
static int
rec_open(struct dp_worker *w, struct tls_conn *c)
{
	struct tls_worker *tw = w->tls;
	struct tls_rec *r = c->rec;
	struct tls_rec_dir *d = &r->rx;
	struct rte_mbuf *p = NULL, *pt = NULL, *spare, *s, *last = NULL;
	uint8_t hdr[5], tag[TAG_LEN], nonce[12], type = 0;
	uint32_t len, clen, got = 0, plen = 0, last_off = 0;

	if (!rx_fill(w, c, sizeof(hdr))) {
		r->starved = 1;
		return 0;
	}
	if (c->rx_len < sizeof(hdr))
		return 0;
	rx_copy(c, hdr, sizeof(hdr), false);
	/* §5.2: after the handshake, protected records only */
	if (hdr[0] != RT_APPDATA)
		return -AD_UNEXPECTED_MESSAGE;
	if (hdr[1] != 3)
		return -AD_PROTOCOL_VERSION;
	len = (uint32_t)hdr[3] << 8 | hdr[4];
	/* §5.2, §5.4: at most 2^14 + 256 bytes, and the inner plaintext (with
	 * its type and padding) at most 2^14 + 1: our AEADs add 16 */
	if (len > CIPHER_MAX || len > PLAIN_MAX + 1 + TAG_LEN)
		return -AD_RECORD_OVERFLOW;
	if (len < 1 + TAG_LEN)
		return -AD_DECODE_ERROR;
	if (!rx_fill(w, c, sizeof(hdr) + len)) {
		r->starved = 1;
		return 0;
	}
	if (c->rx_len < sizeof(hdr) + len)
		return 0;
	clen = len - TAG_LEN;
	/* The segment that ends the ciphertext may hold the tag and the next
	 * record too: a view of its part (no copy), made before anything is
	 * consumed (a record that waits for an mbuf is retried from the
	 * worker loop: TCP will not say readable again). */
	spare = NULL;
	{
		uint32_t acc = 0;

		for (s = c->rx; s != NULL; s = s->next) {
			acc += s->data_len;
			if (acc >= sizeof(hdr) + clen)
				break;
		}
		if (acc > sizeof(hdr) + clen) {
			spare = dp_alloc(w);
			if (spare == NULL) {
				tw->ctr[TLS_CTR_NO_MBUF]++;
				r->starved = 1;
				return 0;
			}
		}
	}
	rx_copy(c, hdr, sizeof(hdr), true);
	nonce_of(d, nonce);
	if (!tls_aead_begin(&d->aead, nonce, hdr, sizeof(hdr)))
		goto internal;
	while (got < clen) {
		uint32_t k = clen - got;

		s = c->rx;
		if (s->data_len <= k) {
			k = s->data_len;
			c->rx = s->next;
			if (c->rx == NULL)
				r->rx_tail = NULL;
			r->rx_segs--;
			s->next = NULL;
		} else {
			rte_pktmbuf_attach(spare, s);
			spare->data_len = (uint16_t)k;
			spare->pkt_len = k;
			rte_pktmbuf_adj(s, (uint16_t)k);
			s = spare;
			spare = NULL;
		}
		c->rx_len -= k;
		got += k;
		s->nb_segs = 1;
		if (p == NULL)
			p = s;
		else
			pt->next = s;
		pt = s;
		/* in place: the plaintext is where the ciphertext was */
		if (!tls_aead_update(&d->aead, rte_pktmbuf_mtod(s, uint8_t *),
				     rte_pktmbuf_mtod(s, const uint8_t *), k))
			goto internal;
	}
	rx_copy(c, tag, TAG_LEN, true);
	if (spare != NULL)
		rte_pktmbuf_free(spare);
	spare = NULL;
	if (!tls_aead_open_end(&d->aead, tag)) {
		rte_pktmbuf_free(p);
		tw->ctr[TLS_CTR_BAD_RECORD]++;
		return -AD_BAD_RECORD_MAC;
	}
	d->seq++;
	tw->ctr[TLS_CTR_REC_IN]++;
	/* §5.4: the content type is the last byte that is not zero: searched
	 * from the end (the segments by a small table; a record in more
	 * segments than it holds, which rx_collapse() prevents, is scanned
	 * from the front) */
	{
		struct rte_mbuf *segv[RX_SEGS_MAX + 16];
		unsigned int nv = 0;

		for (s = p; s != NULL && nv < RTE_DIM(segv); s = s->next)
			segv[nv++] = s;
		if (s == NULL) {
			while (nv > 0 && last == NULL) {
				const uint8_t *b;

				s = segv[--nv];
				b = rte_pktmbuf_mtod(s, const uint8_t *);
				for (uint32_t i = s->data_len; i > 0; i--)
					if (b[i - 1] != 0) {
						last = s;
						last_off = i - 1;
						break;
					}
			}
		} else {
			for (s = p; s != NULL; s = s->next) {
				const uint8_t *b = rte_pktmbuf_mtod(s, const uint8_t *);

				for (uint32_t i = s->data_len; i > 0; i--)
					if (b[i - 1] != 0) {
						last = s;
						last_off = i - 1;
						break;
					}
			}
		}
	}
	if (last == NULL) {
		rte_pktmbuf_free(p);
		return -AD_UNEXPECTED_MESSAGE;
	}
	type = rte_pktmbuf_mtod(last, const uint8_t *)[last_off];
	last->data_len = (uint16_t)last_off;
	rte_pktmbuf_free(last->next);
	last->next = NULL;
	for (s = p; s != NULL; s = s->next)
		plen += s->data_len;
	if (plen > PLAIN_MAX) {
		rte_pktmbuf_free(p);
		return -AD_RECORD_OVERFLOW;
	}
	/* records that carry nothing for the application: bounded (IDLE_MAX) */
	if (type != RT_APPDATA || plen == 0) {
		if (++r->idle > IDLE_MAX) {
			rte_pktmbuf_free(p);
			return -AD_UNEXPECTED_MESSAGE;
		}
	} else if (r->idle > 0) {
		r->idle_paid = (uint16_t)(r->idle_paid + plen);
		if (r->idle_paid >= IDLE_RESET_BYTES)
			r->idle = r->idle_paid = 0;
	}
	switch (type) {
	case RT_APPDATA:
		plain_append(w, r, p);
		return 1;
	case RT_ALERT: {
		uint8_t a[2];
		uint32_t o = 0;

		if (plen != 2) {
			rte_pktmbuf_free(p);
			return -AD_DECODE_ERROR;
		}
		for (s = p; s != NULL; s = s->next)
			for (uint16_t i = 0; i < s->data_len; i++)
				a[o++] = rte_pktmbuf_mtod(s, const uint8_t *)[i];
		rte_pktmbuf_free(p);
		if (a[1] == AD_CLOSE_NOTIFY) {
			tw->ctr[TLS_CTR_CLOSE_NOTIFY]++;
			c->flags |= TLS_F_NOTIFIED;
			/* OpenSSL's SSL_shutdown() then reads nothing */
			SSL_set_shutdown(c->ssl, SSL_get_shutdown(c->ssl) | SSL_RECEIVED_SHUTDOWN);
			return 1;
		}
		tw->ctr[TLS_CTR_ALERT_RECV]++;
		if (c->leg != NULL)
			tls_leg_fail(c->leg, SSL_ERROR_SSL, SSL_AD_REASON_OFFSET + a[1]);
		return -256;              /* the peer's: no alert back */
	}
	case RT_HANDSHAKE: {
		uint32_t o = 0;
		int ad;

		for (s = p; s != NULL; s = s->next) {
			memcpy(tw->gather + o, rte_pktmbuf_mtod(s, const void *), s->data_len);
			o += s->data_len;
		}
		rte_pktmbuf_free(p);
		ad = post_handshake(c, tw->gather, o);
		return ad == 0 ? 1 : -ad;
	}
	default:
		rte_pktmbuf_free(p);
		return -AD_UNEXPECTED_MESSAGE;
	}
internal:
	rte_pktmbuf_free(p);
	if (spare != NULL)
		rte_pktmbuf_free(spare);
	return -AD_INTERNAL_ERROR;
}

bool
tls_rec_starved(struct tls_conn *c)
{
	struct tls_rec *r = c->rec;

	if (r == NULL || !r->starved)
		return false;
	r->starved = 0;
	return true;
}

int
tls_rec_read(struct dp_worker *w, struct tls_conn *c, struct rte_mbuf **out, uint32_t max)
{
	struct tls_worker *tw = w->tls;
	struct tls_rec *r = c->rec;
	uint32_t limit = max < READ_AHEAD_MAX ? max : READ_AHEAD_MAX;
	struct rte_mbuf *head;
	uint32_t total = 0;
	uint16_t nseg = 0;

	while (r->err == 0 && r->plain_len < limit && r->plain_segs < READ_AHEAD_SEGS &&
	       !(c->flags & (TLS_F_NOTIFIED | TLS_F_FATAL))) {
		int rc = rec_open(w, c);

		if (rc > 0)
			continue;
		if (rc == 0)
			break;
		/* fatal: our alert (not for the peer's own); what came before
		 * it is read first, the failure told after */
		if (rc != -256) {
			send_alert(c, (uint8_t)-rc);
			if (rc != -AD_BAD_RECORD_MAC)
				tw->ctr[TLS_CTR_BAD_RECORD]++;
			if (c->leg != NULL)
				tls_leg_fail(c->leg, SSL_ERROR_SSL,
					     rc == -AD_BAD_RECORD_MAC ?
					     SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC :
					     SSL_R_UNEXPECTED_RECORD);
		}
		r->err = (int16_t)rc;
		break;
	}
	if (r->plain != NULL) {
		/* whole segments while they fit, at least one (tcp_recv's) */
		head = tcp_chain_take(&r->plain, max, &total, &nseg);
		if (r->plain == NULL)
			r->plain_tail = NULL;
		r->plain_len -= total;
		r->plain_segs = (uint16_t)(r->plain_segs - nseg);
		*out = head;
		return (int)total;
	}
	if (r->err != 0) {
		c->flags |= TLS_F_FATAL;
		return -EPROTO;
	}
	if (c->flags & TLS_F_NOTIFIED)
		return 0;
	if (c->flags & TLS_F_EOF) {
		/* TCP's FIN without close_notify (a truncation, §6.1) */
		tw->ctr[TLS_CTR_EOF_NO_NOTIFY]++;
		c->flags |= TLS_F_FATAL;
		return 0;
	}
	return -EAGAIN;
}
