/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN/TURN message codec: the public interface.
 *
 * Conventions: operations return 0 or -errno; lookups return NULL when
 * absent; nothing allocates except the key derivations (SASLprep), which
 * are for the control process, not the fast path. All input is treated as
 * hostile: no function reads outside the buffer it is given.
 */
#ifndef STUN_H
#define STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stun_frame.h"
#include "stun_types.h"

/* ---- names (stun_names.c) ---------------------------------------------- */

/* "binding", "allocate", ...; NULL for a method we do not know. */
const char *stun_method_name(uint16_t method);
/* "request", "indication", "success", "error". */
const char *stun_class_name(uint8_t cls);
/* "XOR-MAPPED-ADDRESS", ...; NULL for a type we do not know. */
const char *stun_attr_name(uint16_t type);
/* Value kind of a known type; STUN_KIND_UNKNOWN otherwise. */
enum stun_attr_kind stun_attr_kind(uint16_t type);
/* Dense index of a known type; STUN_AIDX_NONE otherwise. */
uint8_t stun_attr_index(uint16_t type);
/* Reason phrase of an error code we know; "Unknown Error" otherwise. */
const char *stun_error_reason(uint16_t code);
/* Comprehension-required range (RFC 8489 §15): 0x0000..0x7FFF. */
static inline bool
stun_attr_is_required(uint16_t type)
{
	return type < 0x8000u;
}

/* ---- message type (stun_msg.c) ----------------------------------------- */

/* RFC 8489 §5: interleave the 12-bit method and the 2-bit class. */
static inline uint16_t
stun_msg_type(uint16_t method, uint8_t cls)
{
	return (uint16_t)((method & 0x000fu) | ((method & 0x0070u) << 1) |
			  ((method & 0x0f80u) << 2) | ((cls & 1u) << 4) |
			  ((cls & 2u) << 7));
}

static inline uint16_t
stun_type_method(uint16_t type)
{
	return (uint16_t)((type & 0x000fu) | ((type & 0x00e0u) >> 1) |
			  ((type & 0x3e00u) >> 2));
}

static inline uint8_t
stun_type_class(uint16_t type)
{
	return (uint8_t)(((type >> 4) & 1u) | ((type >> 7) & 2u));
}

/*
 * Cheap demultiplexing test (RFC 7983, RFC 8489 §6.3): is this buffer
 * plausibly a STUN message? Checks the two zero bits, the magic cookie
 * and that the header length matches len exactly.
 */
bool stun_is_stun(const uint8_t *buf, size_t len);

/*
 * Parse one STUN message occupying exactly buf[0..len). On success m
 * describes the message and points into buf. Attribute-level rules:
 * lengths and padding (padding contents are never checked), the per-type
 * value layout of every attribute we know, FINGERPRINT last,
 * attributes after MESSAGE-INTEGRITY(-SHA256) marked ignored except those
 * RFC 8489 §14.5/§14.6 allow there. Unknown comprehension-required types
 * are listed in m->unknown (the caller answers 420) and do not fail the
 * parse.
 * Returns 0, or -EBADMSG with err (if non-NULL) saying why and where.
 */
int stun_msg_parse(struct stun_msg *m, const uint8_t *buf, size_t len,
		   struct stun_parse_error *err);

/* First non-ignored occurrence of an attribute, or NULL. */
const struct stun_attr *stun_msg_find(const struct stun_msg *m, uint16_t type);

/*
 * Next non-ignored occurrence of the same type after prev (for repeated
 * attributes: XOR-PEER-ADDRESS in CreatePermission, XOR-RELAYED-ADDRESS in
 * a dual allocation). NULL when there is none.
 */
const struct stun_attr *stun_msg_find_next(const struct stun_msg *m,
					   const struct stun_attr *prev);

/* ---- attribute values (stun_attr.c); all return 0 or -EINVAL ----------- */

/* MAPPED-ADDRESS, ALTERNATE-SERVER, and XOR-* (un-XORed with the message's
 * cookie and transaction id). */
int stun_attr_get_addr(const struct stun_msg *m, const struct stun_attr *a,
		       struct stun_addr *out);
int stun_attr_get_u32(const struct stun_attr *a, uint32_t *out);
/* ERROR-CODE: code 300..699, reason pointer into the message. */
int stun_attr_get_error(const struct stun_attr *a, uint16_t *code,
			const char **reason, uint16_t *reason_len);
/* ADDRESS-ERROR-CODE (RFC 8656 §18.14). */
int stun_attr_get_addr_error(const struct stun_attr *a, uint8_t *family,
			     uint16_t *code, const char **reason,
			     uint16_t *reason_len);
/* CHANNEL-NUMBER. */
int stun_attr_get_channel(const struct stun_attr *a, uint16_t *channel);
/* REQUESTED-ADDRESS-FAMILY, ADDITIONAL-ADDRESS-FAMILY. */
int stun_attr_get_family(const struct stun_attr *a, uint8_t *family);
/* REQUESTED-TRANSPORT: the protocol number. */
int stun_attr_get_transport(const struct stun_attr *a, uint8_t *proto);
/* EVEN-PORT: the R bit. */
int stun_attr_get_even_port(const struct stun_attr *a, bool *reserve);
/* ICMP (RFC 8656 §18.13). */
int stun_attr_get_icmp(const struct stun_attr *a, uint8_t *type,
		       uint8_t *code, uint32_t *error_data);
/* UNKNOWN-ATTRIBUTES: up to max types, count in *n. */
int stun_attr_get_u16list(const struct stun_attr *a, uint16_t *types,
			  size_t max, size_t *n);
/* PASSWORD-ALGORITHM: the algorithm number (params ignored). */
int stun_attr_get_pwalg(const struct stun_attr *a, uint16_t *alg);
/* PASSWORD-ALGORITHMS: up to max algorithm numbers, count in *n. */
int stun_attr_get_pwalgs(const struct stun_attr *a, uint16_t *algs,
			 size_t max, size_t *n);

/* Format "192.0.2.1:32853" or "[2001:db8::1]:32853"; returns buf. */
char *stun_addr_format(const struct stun_addr *a, char *buf, size_t size);

/* ---- building (stun_build.c) ------------------------------------------- */

/*
 * Start a message of the given type (stun_msg_type()) and transaction id
 * in buf[0..cap). tid may be NULL for an all-zero id (tests only).
 */
void stun_build_init(struct stun_builder *b, uint8_t *buf, size_t cap,
		     uint16_t type, const uint8_t tid[STUN_TID_LEN]);
/* Append an attribute with a raw value (zero padding added). */
void stun_build_attr(struct stun_builder *b, uint16_t type,
		     const void *value, size_t len);
void stun_build_u32(struct stun_builder *b, uint16_t type, uint32_t v);
void stun_build_str(struct stun_builder *b, uint16_t type, const char *s);
/* MAPPED-ADDRESS style (plain) or XOR-* style, by the type's kind. */
void stun_build_addr(struct stun_builder *b, uint16_t type,
		     const struct stun_addr *a);
/* ERROR-CODE with our reason phrase when reason is NULL. */
void stun_build_error(struct stun_builder *b, uint16_t code,
		      const char *reason);
void stun_build_addr_error(struct stun_builder *b, uint8_t family,
			   uint16_t code, const char *reason);
void stun_build_channel(struct stun_builder *b, uint16_t channel);
void stun_build_family(struct stun_builder *b, uint16_t type, uint8_t family);
void stun_build_transport(struct stun_builder *b, uint8_t proto);
void stun_build_even_port(struct stun_builder *b, bool reserve);
void stun_build_icmp(struct stun_builder *b, uint8_t type, uint8_t code,
		     uint32_t error_data);
void stun_build_u16list(struct stun_builder *b, uint16_t type,
			const uint16_t *types, size_t n);
/* PASSWORD-ALGORITHM (one) or PASSWORD-ALGORITHMS (list), no params. */
void stun_build_pwalgs(struct stun_builder *b, uint16_t type,
		       const uint16_t *algs, size_t n);
/* MESSAGE-INTEGRITY (HMAC-SHA1) over everything so far. */
void stun_build_integrity(struct stun_builder *b, const uint8_t *key,
			  size_t key_len);
/* MESSAGE-INTEGRITY-SHA256 (full 32 bytes) over everything so far. */
void stun_build_integrity_sha256(struct stun_builder *b, const uint8_t *key,
				 size_t key_len);
/* FINGERPRINT; must be the last attribute appended. */
void stun_build_fingerprint(struct stun_builder *b);
/* The same with the caller's CRC-32 (IEEE 802.3, what zlib's crc32()
 * computes, over buf[0..len) from an initial value of 0): dp passes
 * DPDK's, some 11x faster than zlib's. */
void stun_build_fingerprint_crc(struct stun_builder *b,
				uint32_t (*crc32)(const uint8_t *buf, size_t len));
/* Total message length, or -ENOBUFS / -EINVAL from the first failed step. */
int stun_build_finish(struct stun_builder *b);

/* Build a complete error response to req (same method and transaction id),
 * with SOFTWARE when software is non-NULL and FINGERPRINT. No integrity.
 * Returns the length or -errno. */
int stun_build_error_response(uint8_t *buf, size_t cap,
			      const struct stun_msg *req, uint16_t code,
			      const char *software);

/* ---- integrity (stun_integrity.c) -------------------------------------- */

/*
 * Check MESSAGE-INTEGRITY (HMAC-SHA1) or MESSAGE-INTEGRITY-SHA256 with the
 * given key over the byte range RFC 8489 §14.5/§14.6 define (header length
 * adjusted to end at the attribute). ABSENT when the message has none.
 * Comparison is constant-time.
 */
enum stun_check stun_check_integrity(const struct stun_msg *m,
				     const uint8_t *key, size_t key_len);
enum stun_check stun_check_integrity_sha256(const struct stun_msg *m,
					    const uint8_t *key, size_t key_len);
/* FINGERPRINT: CRC-32 of the message up to it, XOR 0x5354554e. */
enum stun_check stun_check_fingerprint(const struct stun_msg *m);

/* CRC-32 (ISO-HDLC, as zlib) xor 0x5354554e over buf. */
uint32_t stun_fingerprint(const uint8_t *buf, size_t len);

/* SASLprep (RFC 4013) of a NUL-terminated UTF-8 string into out (NUL
 * terminated). Returns 0, -EINVAL for a string SASLprep prohibits, or
 * -ENAMETOOLONG when out is too small. */
int stun_saslprep(const char *in, char *out, size_t out_size);

/* Short-term key: SASLprep(password). Returns the key length or -errno. */
int stun_key_short_term(const char *password, uint8_t *key, size_t key_cap);

/*
 * Long-term key (RFC 8489 §9.2.2): MD5(username ":" realm ":"
 * SASLprep(password)) for STUN_PWALG_MD5 (16 bytes), SHA-256 of the same
 * string for STUN_PWALG_SHA256 (32 bytes). key must hold 32 bytes.
 * Returns the key length or -errno.
 */
int stun_key_long_term(uint16_t alg, const char *username, const char *realm,
		       const char *password, uint8_t key[32]);

/* USERHASH (RFC 8489 §14.4): SHA-256(username ":" realm). */
int stun_userhash(const char *username, const char *realm,
		  uint8_t out[STUN_USERHASH_LEN]);

/* HMAC of a flat buffer (what the codec uses internally; the benchmark
 * compares against it). out must hold 20 (SHA-1) or 32 (SHA-256) bytes. */
int stun_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *data,
		   size_t len, uint8_t out[20]);
int stun_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data,
		     size_t len, uint8_t out[32]);

/* ---- ChannelData (stun_chdata.c) --------------------------------------- */

/*
 * Decode one ChannelData message from a datagram (RFC 8656 §12.4/§12.6):
 * channel in 0x4000..0x7FFF (the caller rejects 0x5000.. as §12 says),
 * buf at least 4 + length; up to 3 trailing pad bytes accepted, anything
 * longer is -EBADMSG. Returns 0 or -EBADMSG.
 */
int chdata_decode(const uint8_t *buf, size_t len, struct chdata *out);

/* Write the 4-byte header; returns the frame length to send: 4 + len, or
 * rounded up to 4 when pad (stream transports) and the pad bytes zeroed
 * (buf must then hold the padded length). */
size_t chdata_encode_hdr(uint8_t *buf, uint16_t channel, uint16_t len,
			 bool pad);

/* Channel number allowed by RFC 8656 §12 for ChannelBind. */
static inline bool
chdata_channel_valid(uint16_t ch)
{
	return ch >= CHDATA_CHANNEL_MIN && ch <= CHDATA_CHANNEL_MAX;
}

/* ---- stream framing (stun_stream.c) ------------------------------------ */

/* Set up a deframer over buf[0..cap); cap bounds the largest frame. */
void stun_deframer_init(struct stun_deframer *d, uint8_t *buf, size_t cap);

/*
 * Copy as much of data as fits; returns bytes taken (possibly 0 when the
 * buffer is full of complete frames: drain with stun_deframer_next() and
 * feed the rest). Nothing is taken after a stream error.
 */
size_t stun_deframer_feed(struct stun_deframer *d, const uint8_t *data,
			  size_t len);

/*
 * Next complete frame. Returns 1 and fills f (data valid until the next
 * feed or next call), 0 when more bytes are needed, or a negative errno
 * that sticks: -EBADMSG (first byte is neither STUN nor ChannelData, or a
 * STUN header is invalid) or -EMSGSIZE (frame larger than the buffer).
 * After an error the transport must be closed: framing is lost.
 */
int stun_deframer_next(struct stun_deframer *d, struct stun_frame *f);

/* Bytes buffered but not yet returned as frames. */
static inline uint32_t
stun_deframer_pending(const struct stun_deframer *d)
{
	return d->tail - d->head;
}

#endif /* STUN_H */
