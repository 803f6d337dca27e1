/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One dp worker's TLS key material from cp: session ticket keys shared by
 * every worker and the external PSK table (see tls_keys.h).
 *
 * Tickets (RFC 5077 §4's recommended construction, the layout OpenSSL's
 * ticket callback gives: key_name(16) || IV(16) || AES-256-CBC(state) ||
 * HMAC-SHA256): key_name picks the key of cp's set that decrypts; the
 * first key of the set encrypts. A worker starts with a key of its own
 * (random, generation 0), so that before cp's set arrives tickets still
 * resume on the worker that issued them; cp's set replaces it whole.
 *
 * External PSKs (RFC 8446 §4.2.11): OpenSSL asks the find-session callback
 * about every identity a ClientHello offers, tickets included; an identity
 * that is not ours is answered "none" (1, NULL) so that OpenSSL goes on to
 * try it as a ticket, and a client with an unknown identity gets a full
 * handshake (with the certificate, when the context has one) or, without
 * one, a handshake failure: never a crash, never a PSK it did not know.
 * psk_dhe_ke only (RFC 8446 §4.2.9): SSL_OP_ALLOW_NO_DHE_KEX is cleared, so
 * every PSK handshake has (EC)DHE and forward secrecy.
 *
 * The table is bounded (psk_max entries, taken at start) and chained by
 * identity hash (FNV-1a with a random basis per table). Its identities are
 * the operator's, so chains are as long as the operator made them; a
 * client only chooses what it looks up, which costs one chain walk.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "tls_keys.h"

#define PSK_NONE  UINT32_MAX

struct psk_entry {
	uint32_t next;               /* chain (or free list); PSK_NONE ends */
	uint32_t hash;
	uint16_t id_len;
	uint16_t key_len;
	uint16_t cipher;
	uint8_t used;
	uint8_t stale;               /* marked by a resync's begin */
	uint8_t id[IPC_TLS_PSK_ID_MAX];
	uint8_t key[IPC_TLS_PSK_KEY_MAX];
};

struct tls_keys {
	struct ipc_tls_tickets tickets;
	EVP_CIPHER *aes;             /* AES-256-CBC, fetched once */
	struct tls_keys_stats st;
	uint32_t psk_max;
	uint32_t mask;               /* buckets - 1 */
	uint32_t seed;
	uint32_t free_head;
	uint32_t *bucket;
	struct psk_entry *psk;
};

static int g_ex_idx = -1;
static pthread_once_t g_ex_once = PTHREAD_ONCE_INIT;

static void
ex_index_init(void)
{
	g_ex_idx = SSL_CTX_get_ex_new_index(0, (void *)"turnpike tls_keys", NULL, NULL, NULL);
}

static struct tls_keys *
keys_of(SSL *s)
{
	SSL_CTX *ctx = SSL_get_SSL_CTX(s);

	return ctx != NULL && g_ex_idx >= 0 ? SSL_CTX_get_ex_data(ctx, g_ex_idx) : NULL;
}

static uint32_t
psk_hash(const struct tls_keys *k, const uint8_t *id, size_t len)
{
	uint32_t h = 2166136261u ^ k->seed;

	for (size_t i = 0; i < len; i++)
		h = (h ^ id[i]) * 16777619u;
	return h;
}

struct tls_keys *
tls_keys_new(unsigned int psk_max)
{
	struct tls_keys *k;
	uint32_t nb = 1;

	if (psk_max > (1u << 20)) {
		errno = EINVAL;
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return NULL;
	while (nb < psk_max)
		nb <<= 1;
	k->psk_max = psk_max;
	k->st.psk_max = psk_max;
	k->mask = nb - 1;
	k->bucket = malloc(nb * sizeof(*k->bucket));
	k->psk = psk_max > 0 ? calloc(psk_max, sizeof(*k->psk)) : NULL;
	k->aes = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	if (k->bucket == NULL || (psk_max > 0 && k->psk == NULL) || k->aes == NULL)
		goto fail;
	for (uint32_t i = 0; i < nb; i++)
		k->bucket[i] = PSK_NONE;
	for (uint32_t i = 0; i < psk_max; i++)
		k->psk[i].next = i + 1 < psk_max ? i + 1 : PSK_NONE;
	k->free_head = psk_max > 0 ? 0 : PSK_NONE;
	/* A key of the worker's own until cp's set comes (generation 0). */
	k->tickets.nkeys = 1;
	if (RAND_bytes((unsigned char *)&k->seed, sizeof(k->seed)) != 1 ||
	    RAND_bytes((unsigned char *)&k->tickets.key[0], sizeof(k->tickets.key[0])) != 1)
		goto fail;
	return k;
fail:
	tls_keys_free(k);
	errno = ENOMEM;
	return NULL;
}

void
tls_keys_free(struct tls_keys *k)
{
	if (k == NULL)
		return;
	if (k->psk != NULL)
		OPENSSL_cleanse(k->psk, (size_t)k->psk_max * sizeof(*k->psk));
	OPENSSL_cleanse(&k->tickets, sizeof(k->tickets));
	EVP_CIPHER_free(k->aes);
	free(k->psk);
	free(k->bucket);
	free(k);
}

/* HMAC-SHA256 under key's MAC key (RFC 5077 §4: the MAC of the ticket). */
static int
mac_init(EVP_MAC_CTX *hctx, const struct ipc_tls_ticket_key *key)
{
	OSSL_PARAM params[3];

	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
						      (void *)(uintptr_t)key->hmac_key,
						      sizeof(key->hmac_key));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)(uintptr_t)"SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	return EVP_MAC_CTX_set_params(hctx, params);
}

/*
 * OpenSSL's ticket callback (SSL_CTX_set_tlsext_ticket_key_evp_cb): enc 1,
 * a new ticket under key[0]: 1, or -1 on an error. enc 0, a ticket whose
 * key_name is given: 1 (key[0], TLS 1.2), 2 (key[0] in TLS 1.3, or an
 * older key of the set: decrypt and issue a new ticket under key[0]), 0
 * (not ours: full handshake).
 */
static int
ticket_cb(SSL *s, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
	  EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct tls_keys *k = keys_of(s);
	const struct ipc_tls_ticket_key *key;

	if (k == NULL)
		return enc ? -1 : 0;
	if (enc) {
		key = &k->tickets.key[0];
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(k->aes)) != 1)
			return -1;
		memcpy(key_name, key->name, IPC_TLS_TICKET_NAME);
		if (EVP_EncryptInit_ex(cctx, k->aes, NULL, key->aes_key, iv) != 1 ||
		    mac_init(hctx, key) != 1)
			return -1;
		k->st.tickets_issued++;
		return 1;
	}
	for (uint32_t i = 0; i < k->tickets.nkeys; i++) {
		key = &k->tickets.key[i];
		if (CRYPTO_memcmp(key_name, key->name, IPC_TLS_TICKET_NAME) != 0)
			continue;
		if (EVP_DecryptInit_ex(cctx, k->aes, NULL, key->aes_key, iv) != 1 ||
		    mac_init(hctx, key) != 1)
			return -1;
		if (i == 0) {
			k->st.tickets_resumed++;
			/* TLS 1.3: a fresh ticket after every resumption, as
			 * OpenSSL's own ticket keys do (2: renew). A client uses
			 * a ticket once (RFC 8446 §C.4): without a new one its
			 * next connection would be a full handshake. TLS 1.2
			 * keeps its ticket (RFC 5077 §3.3: no renewal needed). */
			return SSL_version(s) == TLS1_3_VERSION ? 2 : 1;
		}
		k->st.tickets_renewed++;
		return 2;
	}
	k->st.tickets_unknown++;
	return 0;
}

static struct psk_entry *
psk_lookup(const struct tls_keys *k, const uint8_t *id, size_t len, uint32_t h)
{
	for (uint32_t i = k->bucket[h & k->mask]; i != PSK_NONE; i = k->psk[i].next) {
		struct psk_entry *e = &k->psk[i];

		if (e->hash == h && e->id_len == len && memcmp(e->id, id, len) == 0)
			return e;
	}
	return NULL;
}

/*
 * RFC 8446 §4.2.11: the server picks an offered identity it knows. An
 * external PSK becomes a TLS 1.3 session bound to the entry's suite (its
 * hash is the PSK's); OpenSSL copies it, and frees the one we return.
 */
static int
psk_find_cb(SSL *s, const unsigned char *id, size_t id_len, SSL_SESSION **sess)
{
	struct tls_keys *k = keys_of(s);
	const struct psk_entry *e;
	const SSL_CIPHER *c;
	unsigned char cs[2];
	SSL_SESSION *ss;

	*sess = NULL;
	if (k == NULL || k->psk_max == 0 || id_len == 0 || id_len > IPC_TLS_PSK_ID_MAX)
		goto unknown;
	e = psk_lookup(k, id, id_len, psk_hash(k, id, id_len));
	if (e == NULL)
		goto unknown;
	cs[0] = (unsigned char)(e->cipher >> 8);
	cs[1] = (unsigned char)e->cipher;
	c = SSL_CIPHER_find(s, cs);
	ss = SSL_SESSION_new();
	if (c == NULL || ss == NULL ||
	    SSL_SESSION_set1_master_key(ss, e->key, e->key_len) != 1 ||
	    SSL_SESSION_set_cipher(ss, c) != 1 ||
	    SSL_SESSION_set_protocol_version(ss, TLS1_3_VERSION) != 1) {
		SSL_SESSION_free(ss);
		k->st.psk_errors++;
		return 1;   /* as unknown: the handshake goes on without it */
	}
	k->st.psk_found++;
	*sess = ss;
	return 1;
unknown:
	if (k != NULL)
		k->st.psk_unknown++;
	return 1;
}

/* The TLS 1.3 suites of the hash of suite cipher (0x1301 and 0x1303 are
 * SHA-256, 0x1302 SHA-384). */
static bool
same_hash(uint16_t a, uint16_t b)
{
	return (a == 0x1302) == (b == 0x1302);
}

/*
 * OpenSSL picks the suite before it looks at the pre_shared_key extension,
 * by the client's preference, and then uses a PSK only when its hash is the
 * suite's (RFC 8446 §4.2.11). A client that prefers TLS_AES_256_GCM_SHA384
 * (OpenSSL's default order) with a SHA-256 PSK (`s_client -psk`) would get
 * the certificate handshake instead. So, when the ClientHello offers an
 * identity of ours, this connection's TLS 1.3 suites are narrowed to those
 * of that PSK's hash, in the configured order, before the choice. Ticket
 * identities and unknown ones change nothing. Costs a walk of the
 * extension per ClientHello that has one.
 */
int
tls_keys_client_hello(SSL *s, int *al, void *arg)
{
	struct tls_keys *k = keys_of(s);
	const unsigned char *p;
	size_t len, ids_len, off;
	const struct psk_entry *e = NULL;
	STACK_OF(SSL_CIPHER) *sk;
	char list[160];
	size_t used = 0;

	(void)al;
	(void)arg;
	if (k == NULL || k->st.psk_count == 0 ||
	    SSL_client_hello_get0_ext(s, TLSEXT_TYPE_psk, &p, &len) != 1 || len < 2)
		return SSL_CLIENT_HELLO_SUCCESS;
	/* RFC 8446 §4.2.11: identities<7..2^16-1>, each identity<1..2^16-1>
	 * and a 4-byte obfuscated_ticket_age; then the binders. */
	ids_len = (size_t)p[0] << 8 | p[1];
	if (ids_len + 2 > len)
		return SSL_CLIENT_HELLO_SUCCESS;
	for (off = 2; off + 2 <= ids_len + 2 && e == NULL;) {
		size_t il = (size_t)p[off] << 8 | p[off + 1];

		if (off + 2 + il + 4 > ids_len + 2)
			break;
		if (il >= 1 && il <= IPC_TLS_PSK_ID_MAX)
			e = psk_lookup(k, p + off + 2, il, psk_hash(k, p + off + 2, il));
		off += 2 + il + 4;
	}
	if (e == NULL)
		return SSL_CLIENT_HELLO_SUCCESS;
	sk = SSL_get_ciphers(s);
	list[0] = '\0';
	for (int i = 0; sk != NULL && i < sk_SSL_CIPHER_num(sk); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
		uint16_t id = SSL_CIPHER_get_protocol_id(c);
		const char *name = SSL_CIPHER_get_name(c);
		size_t nl = strlen(name);

		if (id < 0x1301 || id > 0x1303 || !same_hash(id, e->cipher) ||
		    used + nl + 2 > sizeof(list))
			continue;
		if (used > 0)
			list[used++] = ':';
		memcpy(list + used, name, nl + 1);
		used += nl;
	}
	/* None of the PSK's hash configured: leave the choice alone (the PSK
	 * will not match; a full handshake, if a certificate allows one). */
	if (used > 0 && SSL_set_ciphersuites(s, list) != 1)
		k->st.psk_errors++;
	return SSL_CLIENT_HELLO_SUCCESS;
}

int
tls_keys_attach(SSL_CTX *ctx, struct tls_keys *k)
{
	if (ctx == NULL || k == NULL)
		return -EINVAL;
	if (pthread_once(&g_ex_once, ex_index_init) != 0 || g_ex_idx < 0)
		return -ENOMEM;
	if (SSL_CTX_set_ex_data(ctx, g_ex_idx, k) != 1)
		return -ENOMEM;
	if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb) != 1)
		return -EINVAL;
	SSL_CTX_set_psk_find_session_callback(ctx, psk_find_cb);
	SSL_CTX_set_client_hello_cb(ctx, tls_keys_client_hello, NULL);
	/* RFC 8446 §4.2.9: psk_dhe_ke only. */
	SSL_CTX_clear_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX | SSL_OP_NO_TICKET);
	return 0;
}

int
tls_keys_set_tickets(struct tls_keys *k, const struct ipc_tls_tickets *t)
{
	if (t->nkeys < 1 || t->nkeys > IPC_TLS_TICKET_KEYS)
		return -EINVAL;
	OPENSSL_cleanse(&k->tickets, sizeof(k->tickets));
	k->tickets = *t;
	for (uint32_t i = t->nkeys; i < IPC_TLS_TICKET_KEYS; i++)
		memset(&k->tickets.key[i], 0, sizeof(k->tickets.key[i]));
	k->st.tickets_set++;
	k->st.ticket_generation = t->generation;
	return 0;
}

int
tls_keys_psk_add(struct tls_keys *k, const uint8_t *id, size_t id_len,
		 const uint8_t *key, size_t key_len, uint16_t cipher)
{
	struct psk_entry *e;
	uint32_t h, i;

	if (cipher == 0)
		cipher = 0x1301;
	if (id_len < 1 || id_len > IPC_TLS_PSK_ID_MAX || key_len < IPC_TLS_PSK_KEY_MIN ||
	    key_len > IPC_TLS_PSK_KEY_MAX || cipher < 0x1301 || cipher > 0x1303)
		return -EINVAL;
	h = psk_hash(k, id, id_len);
	e = k->psk_max > 0 ? psk_lookup(k, id, id_len, h) : NULL;
	if (e == NULL) {
		if (k->free_head == PSK_NONE) {
			k->st.psk_full++;
			return -ENOSPC;
		}
		i = k->free_head;
		e = &k->psk[i];
		k->free_head = e->next;
		e->next = k->bucket[h & k->mask];
		k->bucket[h & k->mask] = i;
		e->hash = h;
		e->id_len = (uint16_t)id_len;
		memcpy(e->id, id, id_len);
		e->used = 1;
		k->st.psk_count++;
	}
	OPENSSL_cleanse(e->key, sizeof(e->key));
	memcpy(e->key, key, key_len);
	e->key_len = (uint16_t)key_len;
	e->cipher = cipher;
	e->stale = 0;
	return 0;
}

static void
psk_unlink(struct tls_keys *k, uint32_t idx)
{
	struct psk_entry *e = &k->psk[idx];
	uint32_t *pp = &k->bucket[e->hash & k->mask];

	while (*pp != idx)
		pp = &k->psk[*pp].next;
	*pp = e->next;
	OPENSSL_cleanse(e, sizeof(*e));
	e->next = k->free_head;
	k->free_head = idx;
	k->st.psk_count--;
}

int
tls_keys_psk_del(struct tls_keys *k, const uint8_t *id, size_t id_len)
{
	struct psk_entry *e;

	if (k->psk_max == 0 || id_len < 1 || id_len > IPC_TLS_PSK_ID_MAX)
		return -ENOENT;
	e = psk_lookup(k, id, id_len, psk_hash(k, id, id_len));
	if (e == NULL)
		return -ENOENT;
	psk_unlink(k, (uint32_t)(e - k->psk));
	return 0;
}

void
tls_keys_psk_sync_begin(struct tls_keys *k)
{
	for (uint32_t i = 0; i < k->psk_max; i++)
		if (k->psk[i].used)
			k->psk[i].stale = 1;
}

unsigned int
tls_keys_psk_sync_end(struct tls_keys *k)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < k->psk_max; i++) {
		if (k->psk[i].used && k->psk[i].stale) {
			psk_unlink(k, i);
			n++;
		}
	}
	return n;
}

int
tls_keys_apply(struct tls_keys *k, uint16_t kind, const void *body, size_t len)
{
	switch (kind) {
	case IPC_TLS_TICKETS: {
		struct ipc_tls_tickets t;
		int rc;

		if (len != sizeof(t))
			return -EBADMSG;
		memcpy(&t, body, sizeof(t));
		rc = tls_keys_set_tickets(k, &t);
		OPENSSL_cleanse(&t, sizeof(t));
		return rc;
	}
	case IPC_TLS_PSK_ADD:
	case IPC_TLS_PSK_DEL: {
		struct ipc_tls_psk p;
		int rc;

		if (len != sizeof(p))
			return -EBADMSG;
		memcpy(&p, body, sizeof(p));
		if (p.id_len > IPC_TLS_PSK_ID_MAX || p.key_len > IPC_TLS_PSK_KEY_MAX)
			rc = -EINVAL;
		else if (kind == IPC_TLS_PSK_ADD)
			rc = tls_keys_psk_add(k, p.id, p.id_len, p.key, p.key_len, p.cipher);
		else
			rc = tls_keys_psk_del(k, p.id, p.id_len);
		OPENSSL_cleanse(&p, sizeof(p));
		return rc;
	}
	case IPC_TLS_PSK_SYNC: {
		struct ipc_tls_psk_sync ps;

		if (len != sizeof(ps))
			return -EBADMSG;
		memcpy(&ps, body, sizeof(ps));
		if (ps.phase == IPC_TLS_PSK_BEGIN)
			tls_keys_psk_sync_begin(k);
		else if (ps.phase == IPC_TLS_PSK_END)
			tls_keys_psk_sync_end(k);
		else
			return -EINVAL;
		return 0;
	}
	default:
		return -EBADMSG;
	}
}

const struct tls_keys_stats *
tls_keys_stats(const struct tls_keys *k)
{
	return &k->st;
}
