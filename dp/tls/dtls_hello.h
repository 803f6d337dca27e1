/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/dtls_hello: what TURN over DTLS (RFC 7350) does with a datagram
 * from a 5-tuple that has no DTLS session yet, before anything is kept
 * for it: a bounded read of the first record's ClientHello up to its
 * cookie (RFC 6347 §4.2.1), the stateless cookie (an HMAC of the 5-tuple
 * and a time slot under a secret that changes every other slot), and the
 * HelloVerifyRequest that carries it. Plain C and OpenSSL 3 (EVP_MAC), no
 * DPDK: unit-tested and fuzzed alone.
 *
 * DTLS-SRTP (RFC 5764) reads one step further, dtls_hello_srtp(): the
 * client's version, its cipher suites, compression methods and
 * extensions walked to use_srtp, so that a ClientHello no SRTP could come
 * of (no use_srtp, none of the profiles offered, an MKI, DTLS 1.0) is
 * refused before any SSL exists.
 *
 * Only a ClientHello whose cookie dtls_cookie_ok() accepts may create
 * anything (an SSL, a session): a flood of ClientHellos from forged
 * sources gets HelloVerifyRequests to those sources and keeps nothing,
 * the defence RFC 6347 §4.2.1 asks for (a server that keeps state for a
 * ClientHello before the cookie can be made to exhaust it by forged
 * sources, as coturn's DTLS listener once could).
 */
#ifndef DP_TLS_DTLS_HELLO_H
#define DP_TLS_DTLS_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/types.h>

#define DTLS_REC_HDR_LEN 13u      /* type, version, epoch, seq(48), length */
#define DTLS_HS_HDR_LEN 12u       /* type, length(24), seq, offset(24), frag(24) */
#define DTLS_CT_HANDSHAKE 22u
#define DTLS_HS_CLIENT_HELLO 1u
#define DTLS_HS_HELLO_VERIFY 3u
/* Our cookie: the slot (4 octets, big-endian), then 16 octets of
 * HMAC-SHA256(secret of the slot, slot || peer). */
#define DTLS_COOKIE_LEN 20u
#define DTLS_COOKIE_MAC_LEN 16u
/* A cookie lives for its slot and the next: 30 to 60 s. */
#define DTLS_COOKIE_SLOT_S 30u
/* A HelloVerifyRequest with our cookie. */
#define DTLS_HVR_LEN (DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN + 3u + DTLS_COOKIE_LEN)
/* The 5-tuple as the cookie binds it: family, client address and port,
 * our address and port. */
#define DTLS_PEER_LEN 37u

enum dtls_hello_rc {
	DTLS_HELLO_OK = 0,
	DTLS_HELLO_SHORT,         /* truncated: a header or field past the end */
	DTLS_HELLO_NOT_HANDSHAKE, /* not a handshake record of epoch 0 */
	DTLS_HELLO_VERSION,       /* record or client version not DTLS (0xfeXX) */
	DTLS_HELLO_NOT_CH,        /* a handshake message other than ClientHello */
	DTLS_HELLO_FRAGMENT,      /* a fragment of one (offset not 0, or less
				   * than the whole message) */
	DTLS_HELLO_BAD_LEN,       /* lengths that contradict each other */
	/* dtls_hello_srtp()'s */
	DTLS_HELLO_OLD_VERSION,   /* client_version older than DTLS 1.2 (0xfeff) */
	DTLS_HELLO_NO_USE_SRTP,   /* no use_srtp extension (RFC 5764 §4.1.1) */
	DTLS_HELLO_NO_PROFILE,    /* none of the profiles it offers is one we offer */
	DTLS_HELLO_SRTP_MKI,      /* an srtp_mki that is not empty */
	DTLS_HELLO__COUNT
};

/* use_srtp's protection profiles (RFC 5764 §4.1.2; RFC 7714 §14.2 for
 * the AEAD ones), the ones dp's SRTP may key. */
#define DTLS_SRTP_ID_AES128_CM_SHA1_80 0x0001u
#define DTLS_SRTP_ID_AES128_CM_SHA1_32 0x0002u
#define DTLS_SRTP_ID_AEAD_AES_128_GCM  0x0007u
#define DTLS_SRTP_ID_AEAD_AES_256_GCM  0x0008u
/* The same as bits: what cp offers for a termination, what dp's SRTP
 * takes, what a ClientHello offers of them. */
#define DTLS_SRTP_AES128_CM_80   0x1u
#define DTLS_SRTP_AES128_CM_32   0x2u
#define DTLS_SRTP_AEAD_128_GCM   0x4u
#define DTLS_SRTP_AEAD_256_GCM   0x8u
#define DTLS_SRTP_ALL            0xfu
/* use_srtp's extension type (RFC 5764 §9) */
#define DTLS_USE_SRTP_EXT        14u

/* The bit of use_srtp's profile id; 0 for one dp does not know. */
unsigned int dtls_srtp_profile_bit(unsigned int id);
/* The id of one bit (0 for none or several). */
unsigned int dtls_srtp_profile_id(unsigned int bit);

/* What the first record of a datagram says, when it is a whole
 * ClientHello. cookie points into the datagram (cookie_len 0: none). */
struct dtls_hello {
	uint64_t rec_seq;         /* the record's sequence number (48 bits) */
	uint16_t rec_version;
	uint16_t msg_seq;         /* the handshake message's */
	uint16_t client_version;
	uint8_t cookie_len;
	const uint8_t *cookie;
	/* the ClientHello's body (client_version onwards), in the datagram */
	const uint8_t *body;
	uint32_t body_len;
	/* dtls_hello_srtp()'s: the profiles of use_srtp that dp knows (bits) */
	uint8_t srtp;
	uint8_t srtp_mki_len;
};

/*
 * Read the first record of the datagram p (len octets) as a ClientHello,
 * up to and including its cookie; nothing past the cookie is read, nothing
 * outside [p, p + len) ever. DTLS_HELLO_OK and *h filled, or why not.
 */
enum dtls_hello_rc dtls_hello_parse(const uint8_t *p, size_t len, struct dtls_hello *h);
const char *dtls_hello_rc_str(enum dtls_hello_rc rc);

/*
 * A ClientHello cut into records within its one datagram, taken whole:
 * OpenSSL's own client over a memory BIO with no MTU set cuts at its
 * 256-octet minimum (aiortc's 245-octet ClientHello comes as records of
 * 231 and 14 octets, always), which a stateful server reassembles. For
 * where dtls_hello_parse() said FRAGMENT and no state is kept between
 * datagrams (another answer of the parse is returned as it is): the
 * first record is the message's first fragment, then the
 * epoch-0 handshake records of the datagram hold its next fragments (the
 * same msg_seq and msg_len, each starting where the last ended, at most
 * DTLS_HELLO_FRAGS_MAX, a record may hold several), until the message is
 * whole; the message (at most size less the two headers, octets) is
 * rebuilt in buf as one record (the first record's header, one fragment
 * of all of it) and read by dtls_hello_parse(), h pointing into buf. Any
 * other shape (a fragment missing, out of order or overlapping, another
 * message's, a record of another kind before the end, more fragments
 * than that: "fragmented over many records", the bad input, and
 * anything spread over datagrams) stays DTLS_HELLO_FRAGMENT. Nothing
 * outside [p, p + len) or [buf, buf + size) is touched.
 */
#define DTLS_HELLO_FRAGS_MAX 4u
#define DTLS_HELLO_WHOLE_MAX 1536u   /* a buf that takes any datagram's */
enum dtls_hello_rc dtls_hello_reassemble(const uint8_t *p, size_t len, uint8_t *buf, size_t size,
					 struct dtls_hello *h);

/*
 * After dtls_hello_parse() said OK for h: the rest of the ClientHello's
 * body walked (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2): cipher_suites,
 * compression_methods, the extensions to use_srtp (RFC 5764 §4.1.1).
 * Nothing outside h->body's body_len octets is read; a walk of at most
 * one step per 4 octets of it. DTLS_HELLO_OK with h->srtp the known
 * profiles the client offers (some of offered, bits), or why not:
 * OLD_VERSION (a DTLS 1.0 client: RFC 5764 works over 1.0, we take 1.2
 * only), SHORT or BAD_LEN (a length past its container, an odd suite
 * list, no compression method, octets after the extensions, use_srtp
 * twice or malformed), NO_USE_SRTP, SRTP_MKI (OpenSSL's server would drop
 * it and answer with none, which RFC 5764 §4.1.1 makes the client
 * abort), NO_PROFILE (OpenSSL's server would go on without use_srtp:
 * keys for nothing).
 */
enum dtls_hello_rc dtls_hello_srtp(struct dtls_hello *h, unsigned int offered);

/*
 * The longest handshake message that the epoch-0 handshake records of
 * the datagram p (len octets) announce (each fragment's msg_len), records
 * and the fragments in each walked by their lengths to the datagram's end
 * (at most len / 12 steps;
 * a record running past the end ends the walk), other records skipped; 0
 * when none. For a handshake under way, before OpenSSL reads the
 * datagram: OpenSSL 3.0 refuses a message over max(max_cert_list, ~17
 * KB) at its first fragment, reassembling nothing, but returns no reason
 * (SSL_ERROR_SYSCALL, an empty error queue: dtls1_reassemble_fragment());
 * refused here, the reason is known (a certificate chain of 64 KB).
 */
#define DTLS_HS_MSG_MAX 16384u
uint32_t dtls_hs_msg_longest(const uint8_t *p, size_t len);

/* use_srtp's data alone, n octets at e (RFC 5764 §4.1.1: the profiles,
 * then srtp_mki, nothing after): OK with *profiles the known ones
 * (bits) and *mki_len, or BAD_LEN. What dtls_hello_srtp() reads of it,
 * and OpenSSL's ClientHello callback (dtls_srtp_client_hello()). */
enum dtls_hello_rc dtls_use_srtp_read(const uint8_t *e, size_t n, uint8_t *profiles,
				      uint8_t *mki_len);

/* The cookie's key: two secrets, the one of an even slot and the one of
 * an odd slot; moving to slot s makes a new secret for s's parity, so the
 * cookies of s - 2 and before fail twice over (their slot, their secret). */
struct dtls_cookie_key {
	EVP_MAC_CTX *mac[2];
	uint32_t slot;            /* the current slot */
	uint64_t rotations;
};

/* The key at slot now_slot, its secrets from OpenSSL's RAND in libctx
 * (NULL: the default). 0, or -1 (OpenSSL failed). */
int dtls_cookie_key_init(struct dtls_cookie_key *k, OSSL_LIB_CTX *libctx,
			 uint32_t now_slot);
void dtls_cookie_key_free(struct dtls_cookie_key *k);
/* Move the key to now_slot (a new secret when it moved on; nothing
 * otherwise): cold, once a slot. */
int dtls_cookie_key_tick(struct dtls_cookie_key *k, uint32_t now_slot);

/* The slot of Unix second now. */
static inline uint32_t
dtls_cookie_slot(uint64_t now_s)
{
	return (uint32_t)(now_s / DTLS_COOKIE_SLOT_S);
}

/* The 5-tuple as the cookie binds it (addresses 16 octets, IPv4 in the
 * first 4; ports host order). */
void dtls_cookie_peer(uint8_t out[DTLS_PEER_LEN], uint8_t family, const uint8_t *src,
		      uint16_t sport, const uint8_t *dst, uint16_t dport);

/* Our cookie for peer at k's current slot. 0, or -1. */
int dtls_cookie_make(struct dtls_cookie_key *k, const uint8_t peer[DTLS_PEER_LEN],
		     uint8_t out[DTLS_COOKIE_LEN]);
/* Whether c (len octets) is a cookie k made for peer in its current slot
 * or the one before (compared in constant time). */
bool dtls_cookie_ok(struct dtls_cookie_key *k, const uint8_t peer[DTLS_PEER_LEN],
		    const uint8_t *c, size_t len);

/*
 * The HelloVerifyRequest answering h with cookie (cookie_len <=
 * DTLS_COOKIE_LEN) into out (cap octets): version DTLS 1.0 in the record
 * and the message (RFC 6347 §4.2.1: whatever version follows), the
 * ClientHello's record sequence number (§4.2.1) and message sequence.
 * Its length, or 0 when cap is too small.
 */
size_t dtls_hvr_build(uint8_t *out, size_t cap, const struct dtls_hello *h,
		      const uint8_t *cookie, size_t cookie_len);

#endif /* DP_TLS_DTLS_HELLO_H */
