/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8016 mobility tickets: what cp gives a client that asked for
 * mobility, and reads back from a Refresh that wants to move its
 * allocation to a new 5-tuple. A ticket names an allocation (cp's id) and
 * its mobility generation, sealed with AES-128-SIV (OpenSSL, a
 * deterministic AEAD: no nonce to carry, none to repeat) under a key only
 * cp holds, in memory. Only cp can make one; nothing in it is readable to
 * the client; the same (id, generation) always seals to the same ticket,
 * so a retransmitted answer carries the ticket the first one did.
 *
 * Size: 16 bytes of SIV tag and 8 of payload (48 bits of id, 16 of
 * generation) in unpadded base64url, 32 characters. coturn's
 * turnutils_uclient -M keeps a ticket in a 33-byte string (at most 32
 * bytes, none NUL) and sends it back by strlen(); these fit.
 *
 * Pure C and OpenSSL (no cp context): the unit tests and the fuzz target
 * drive it alone.
 */
#ifndef CP_MOB_TICKET_H
#define CP_MOB_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define CP_MOB_TICKET_LEN  32u          /* characters, no NUL */
#define CP_MOB_KEY_LEN     32u          /* AES-128-SIV: two 128-bit keys */
#define CP_MOB_ID_MAX      0xffffffffffffull   /* 48 bits of allocation id */

struct cp_mob_keys {
	/* [0] seals and opens; [1] (the one before the last rotation, when
	 * nkeys is 2) only opens */
	uint8_t key[2][CP_MOB_KEY_LEN];
	unsigned int nkeys;
	EVP_CIPHER *siv;
};

/* A fresh random key (OpenSSL's RAND_bytes) and the cipher. 0, or -errno
 * (-ENOTSUP: the library has no AES-128-SIV, -EIO: no randomness). */
int cp_mob_keys_init(struct cp_mob_keys *k);

/* The current key becomes the previous one (tickets it sealed still open)
 * and a new random one seals from now on. 0 or -EIO. */
int cp_mob_keys_rotate(struct cp_mob_keys *k);

/* Wipe the keys, free the cipher. */
void cp_mob_keys_fini(struct cp_mob_keys *k);

/* out: the ticket of allocation id at generation gen (CP_MOB_TICKET_LEN
 * characters, not NUL-terminated). 0, -ERANGE (id beyond 48 bits or 0),
 * -EIO (the library failed). */
int cp_mob_ticket_seal(const struct cp_mob_keys *k, uint64_t id, uint16_t gen,
		       char out[CP_MOB_TICKET_LEN]);

/* The allocation id and generation in ticket t (len bytes, as the client
 * sent it). 0; -EBADMSG: not the shape of a ticket (length, alphabet);
 * -EACCES: no key of k sealed it (forged, garbled, or older than two
 * rotations). */
int cp_mob_ticket_open(const struct cp_mob_keys *k, const uint8_t *t, size_t len,
		       uint64_t *id, uint16_t *gen);

#endif
