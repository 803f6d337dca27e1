/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One dp worker's TLS key material from cp: the session ticket
 * keys every worker shares, so that a ticket issued on one worker resumes
 * on any other (RFC 5077 §4, RFC 8446 §4.6.1), and the TLS 1.3 external
 * PSKs the operator installed (RFC 8446 §2.2, §4.2.11), looked up by
 * identity in a bounded hash table. No DPDK here: plain OpenSSL 3, so it
 * is unit-tested with real handshakes over memory BIOs.
 *
 * Threading: a struct tls_keys belongs to one worker. Its messages from cp
 * (tls_keys_set_tickets(), tls_keys_psk_*()) and the callbacks OpenSSL
 * makes during that worker's handshakes (also inside an ASYNC job, which
 * runs on the worker's thread) are never concurrent: nothing is locked.
 * The callbacks copy what they use (keys go into OpenSSL's cipher and MAC
 * contexts, a PSK into a new SSL_SESSION), so a key replaced while a
 * handshake is parked leaves nothing dangling.
 */
#ifndef TLS_KEYS_H
#define TLS_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "ipc_types.h"

struct tls_keys;

/* What a worker's key material did, for dp's counters. */
struct tls_keys_stats {
	uint64_t tickets_set;        /* key sets taken from cp */
	uint64_t ticket_generation;  /* the current set's (cp's count) */
	uint64_t tickets_issued;     /* encrypted with the current key */
	uint64_t tickets_resumed;    /* decrypted with the current key */
	uint64_t tickets_renewed;    /* decrypted with an older one: reissued */
	uint64_t tickets_unknown;    /* key name not in the set: full handshake */
	uint64_t tickets_none;       /* no key yet: no ticket issued */
	uint64_t psk_found;          /* handshakes on an external PSK */
	uint64_t psk_unknown;        /* identities not in the table (or tickets) */
	uint64_t psk_full;           /* adds refused: table full */
	uint64_t psk_errors;         /* a session could not be made */
	uint32_t psk_count;          /* identities installed now */
	uint32_t psk_max;
};

/* A table for up to psk_max identities (0: none), no ticket key yet
 * (no ticket is issued until tls_keys_set_tickets()). NULL with errno. */
struct tls_keys *tls_keys_new(unsigned int psk_max);
/* Clears every key (OPENSSL_cleanse) and frees. NULL is a no-op. */
void tls_keys_free(struct tls_keys *k);

/*
 * Hook k into ctx: SSL_CTX_set_tlsext_ticket_key_evp_cb (tickets under
 * cp's keys; stateless TLS 1.3 tickets), SSL_CTX_set_psk_find_session_
 * callback (external PSKs, always with (EC)DHE: SSL_OP_ALLOW_NO_DHE_KEX is
 * cleared), SSL_CTX_set_client_hello_cb (tls_keys_client_hello() below),
 * and k in an ex_data index of ctx this module owns. k must outlive ctx's
 * connections. Attach every SSL_CTX a worker's connection may use (the
 * SNI contexts too: the callbacks find k through SSL_get_SSL_CTX()).
 * 0 or -errno (-EINVAL, -ENOMEM).
 */
int tls_keys_attach(SSL_CTX *ctx, struct tls_keys *k);

/*
 * The client-hello callback tls_keys_attach() installs: when the
 * ClientHello offers one of k's PSK identities, narrows this connection's
 * TLS 1.3 suites to those of that PSK's hash (OpenSSL picks the suite, by
 * the client's order, before it looks at PSKs, and drops a PSK of another
 * hash). A caller that needs a client-hello callback of its own sets
 * that one after tls_keys_attach() and calls this from it first.
 * Always SSL_CLIENT_HELLO_SUCCESS.
 */
int tls_keys_client_hello(SSL *s, int *al, void *arg);

/*
 * Take cp's ticket key set (TLS_TICKETS): key[0] encrypts new tickets,
 * every key decrypts; a ticket decrypted under another key than key[0] is
 * renewed (a new ticket under key[0]). A key that is no longer in the set
 * decrypts nothing: such a ticket means a full handshake. 0 or -EINVAL
 * (nkeys outside 1..IPC_TLS_TICKET_KEYS: nothing changes).
 */
int tls_keys_set_tickets(struct tls_keys *k, const struct ipc_tls_tickets *t);

/*
 * Install (or replace) the PSK of identity id: key_len
 * IPC_TLS_PSK_KEY_MIN..MAX bytes, bound to the TLS 1.3 suite cipher
 * (0x1301, 0x1302, 0x1303; 0 means 0x1301, what `openssl s_client -psk`
 * uses). 0, -EINVAL (a length or suite out of range) or -ENOSPC (psk_max
 * identities already, counted in psk_full).
 */
int tls_keys_psk_add(struct tls_keys *k, const uint8_t *id, size_t id_len,
		     const uint8_t *key, size_t key_len, uint16_t cipher);
/* Remove identity id's PSK. 0 or -ENOENT. */
int tls_keys_psk_del(struct tls_keys *k, const uint8_t *id, size_t id_len);
/* A resync from cp (TLS_PSK_SYNC): begin marks every identity stale, an
 * add unmarks its own, end removes those still stale and returns how many. */
void tls_keys_psk_sync_begin(struct tls_keys *k);
unsigned int tls_keys_psk_sync_end(struct tls_keys *k);

/* Apply one of cp's TLS_* messages (after ipc_msg_check()): kind and its
 * body. 0, -errno from the calls above, or -EBADMSG for another kind. */
int tls_keys_apply(struct tls_keys *k, uint16_t kind, const void *body, size_t len);

const struct tls_keys_stats *tls_keys_stats(const struct tls_keys *k);

#endif /* TLS_KEYS_H */
