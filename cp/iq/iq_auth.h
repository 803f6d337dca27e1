/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * H.248.1 §10.2's interim AH scheme (RFC 3525 §10.2) for one controller
 * (iq.auth): the authentication header of every message both ways,
 *
 *   Authentication = 0x<SPI>:0x<sequence number>:0x<AuthData>
 *
 * with RFC 2402's fields: the security parameter index both sides were
 * given, a sequence number per sender counted from 1, and the integrity
 * check value, an HMAC truncated as RFC 2404 (hmac-sha1-96) or RFC 4868
 * (hmac-sha256-128) do, computed over
 *
 *   the synthesized IP header: the source IPv4 address, the destination
 *   IPv4 address and the destination port (UDP's; TCP's over TCP) as 20
 *   upper-case hex digits (8, 8, 4), then the message from its body's
 *   first byte (the first after the mId's separator: its white space,
 *   line ends and comments) to its end.
 *
 * The AuthData is written "0x" and the truncated MAC in upper-case hex;
 * read in either case. The header itself (version, mId) is outside the
 * check value, as §10.2 says ("all the transactions"). IPv4 only: over
 * IPv6 §10.2 defers to IPsec.
 *
 * A received message is refused when it has no header, another SPI, a
 * sequence number the anti-replay window refuses (RFC 2402 §3.4.3: 64
 * wide, moved only by a message whose check value holds; off with
 * anti_replay = false) or a wrong check value (compared in constant time).
 *
 * Pure but for OpenSSL's HMAC (EVP_MAC): no socket, no clock.
 */
#ifndef CP_IQ_AUTH_H
#define CP_IQ_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tp_conf_types.h"

/* The longest check value (hmac-sha256-128), and the longest header we
 * write ("Authentication = 0x" 8 ":0x" 8 ":0x" 32, a line end). */
#define IQ_AUTH_ICV_MAX  16u
#define IQ_AUTH_HDR_MAX  80u
/* RFC 2402 §3.4.3: the receive window, in sequence numbers */
#define IQ_REPLAY_WINDOW 64u

/* Why a message was refused (status's and the metrics' reasons). */
enum iq_auth_why {
	IQ_AUTH_OK = 0,
	IQ_AUTH_NO_HEADER,            /* none, or not readable */
	IQ_AUTH_SPI,                  /* another SPI */
	IQ_AUTH_REPLAY,               /* a sequence number the window refuses */
	IQ_AUTH_ICV,                  /* a wrong check value */
	IQ_AUTH__COUNT
};

/* "no_header", "spi", "replay", "icv" ("ok" for IQ_AUTH_OK). */
const char *iq_auth_why_name(unsigned int why);

struct evp_mac_ctx_st;

/* One controller's security association, both directions. */
struct iq_sa {
	bool on;
	bool anti_replay;
	uint8_t alg;                  /* enum tp_conf_iq_alg */
	uint8_t icv_len;              /* 12 or 16 bytes */
	uint32_t spi;
	uint32_t tx_seq;              /* the last we sent (0: none yet) */
	uint32_t rx_top;              /* the highest accepted (0: none yet) */
	uint64_t rx_seen;             /* bit i: rx_top - i accepted */
	struct evp_mac_ctx_st *mac;   /* HMAC keyed with the SA's key */
};

/* sa on for a's SPI, algorithm and window with key[0..keylen) (copied
 * into OpenSSL's context, not kept here). 0 or -ENOMEM / -EINVAL. */
int iq_sa_init(struct iq_sa *sa, const struct tp_conf_iq_auth *a, const uint8_t *key,
	       size_t keylen);
void iq_sa_fini(struct iq_sa *sa);

/* The check value of body[0..len) behind the synthesized header (src,
 * dst: IPv4 addresses in host order; dport the destination port) into
 * icv[0..sa->icv_len). 0 or -EIO. */
int iq_auth_icv(const struct iq_sa *sa, uint32_t src, uint32_t dst, uint16_t dport,
		const uint8_t *body, size_t len, uint8_t *icv);

/* Our message msg[0..len) (a whole H.248 message) from src to dst:dport:
 * its authentication header, with our next sequence number, into
 * hdr[0..size) (IQ_AUTH_HDR_MAX is enough), to go before it. Its length,
 * or -EINVAL (msg has no readable header), -EOVERFLOW (the sequence
 * numbers are spent: RFC 2402 forbids cycling), -EIO. */
int iq_auth_sign(struct iq_sa *sa, uint32_t src, uint32_t dst, uint16_t dport,
		 const uint8_t *msg, size_t len, char *hdr, size_t size);

/* A message received, msg[0..len), from src to dst:dport: IQ_AUTH_OK
 * (and the window moved), or why it is refused. */
enum iq_auth_why iq_auth_check(struct iq_sa *sa, uint32_t src, uint32_t dst, uint16_t dport,
			       const uint8_t *msg, size_t len);

/* The anti-replay window (RFC 2402 §3.4.3): may seq pass (never 0; above
 * the highest, or within the window and not seen)? Mark it seen. */
bool iq_replay_ok(const struct iq_sa *sa, uint32_t seq);
void iq_replay_mark(struct iq_sa *sa, uint32_t seq);

/*
 * An iq.auth key_file: not through a symbolic link, a regular file,
 * root's or owner's (cp.user's; (uid_t)-1: any), neither group nor
 * others may write it (refused); one line of hex (tp_conf_iq_key_hex()'s
 * rules for alg). 0 with the key in key[0..*keylen) and, when group or
 * others may read it, a line for the operator in warn ("" otherwise);
 * or -errno with err saying which rule and what to do.
 */
int iq_auth_read_key(const char *path, uid_t owner, uint8_t alg, uint8_t *key,
		     uint8_t *keylen, char *warn, size_t warnlen, char *err, size_t errlen);

#endif /* CP_IQ_AUTH_H */
