/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN/TURN message codec: types only.
 *
 * The codec owns the wire format of RFC 8489 (STUN), RFC 8656 (TURN),
 * RFC 6062 (TURN-TCP) and the framing of STUN and ChannelData over stream
 * transports (RFC 8656 §12.5, RFC 7443 uses the same framing under TLS).
 * Parsing is zero-copy: a struct stun_msg points into the caller's buffer,
 * which must outlive it. Nothing here allocates while parsing or building.
 */
#ifndef STUN_TYPES_H
#define STUN_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "tp_common.h"   /* TP_USERNAME_MAX, in stun_attrs.def */

#define STUN_HDR_LEN            20u
#define STUN_ATTR_HDR_LEN       4u
#define STUN_MAGIC_COOKIE       0x2112A442u
#define STUN_TID_LEN            12u
#define STUN_FINGERPRINT_XOR    0x5354554eu
#define STUN_MI_LEN             20u     /* HMAC-SHA1 */
#define STUN_MI256_LEN          32u     /* HMAC-SHA256, full length */
#define STUN_MI256_MIN_LEN      16u     /* RFC 8489 §14.6: truncation floor */
#define STUN_USERHASH_LEN       32u
#define STUN_MAX_MSG_LEN        (STUN_HDR_LEN + 0xffffu)

/* Attributes a parsed message can hold; more is rejected as hostile. */
#define STUN_MAX_ATTRS          48u
/* Unknown comprehension-required attribute types remembered for a 420. */
#define STUN_MAX_UNKNOWN        16u

#define CHDATA_HDR_LEN          4u
#define CHDATA_MAX_LEN          (CHDATA_HDR_LEN + 0xffffu)
/* RFC 8656 §12: 0x4000..0x4FFF are channel numbers; 0x5000..0x7FFF are
 * reserved but still framed as ChannelData (RFC 7983 demux range 64..79 of
 * the first byte covers 0x4000..0x4FFF only; we frame 0x4000..0x7FFF so a
 * legacy RFC 5766 peer's stream stays in sync, as coturn does). */
#define CHDATA_CHANNEL_MIN      0x4000u
#define CHDATA_CHANNEL_MAX      0x4FFFu
#define CHDATA_FRAMED_MAX       0x7FFFu

/* Message classes (RFC 8489 §5): the C1C0 bits. */
enum stun_class {
	STUN_CLASS_REQUEST = 0,
	STUN_CLASS_INDICATION = 1,
	STUN_CLASS_SUCCESS = 2,
	STUN_CLASS_ERROR = 3,
};

enum stun_method {
#define STUN_METHOD(e, code, name) STUN_METHOD_##e = code,
#include "stun_methods.def"
#undef STUN_METHOD
};

enum stun_attr_type {
#define STUN_ATTR(e, code, name, kind, lmin, lmax) STUN_ATTR_##e = code,
#include "stun_attrs.def"
#undef STUN_ATTR
};

/* Dense index of the attributes we know, for O(1) lookup after parsing. */
enum stun_attr_idx {
#define STUN_ATTR(e, code, name, kind, lmin, lmax) STUN_AIDX_##e,
#include "stun_attrs.def"
#undef STUN_ATTR
	STUN_AIDX__COUNT,
	STUN_AIDX_NONE = 0xff,
};

/* How an attribute's value is laid out (the parser validates it). */
enum stun_attr_kind {
	STUN_KIND_BYTES,     /* opaque */
	STUN_KIND_TEXT,      /* UTF-8 string */
	STUN_KIND_ADDR,      /* family/port/address, plain */
	STUN_KIND_XADDR,     /* family/port/address, XORed */
	STUN_KIND_U32,       /* 32-bit unsigned, network order */
	STUN_KIND_EMPTY,     /* no value */
	STUN_KIND_ERRCODE,   /* class/number + reason */
	STUN_KIND_ADDRERR,   /* family + class/number + reason */
	STUN_KIND_U16LIST,   /* list of 16-bit attribute types */
	STUN_KIND_CHANNEL,   /* channel number + RFFU */
	STUN_KIND_FAMILY,    /* family + 24 reserved bits */
	STUN_KIND_EVENPORT,  /* R bit */
	STUN_KIND_TRANSPORT, /* protocol + 24 RFFU bits */
	STUN_KIND_ICMP,      /* reserved, type, code, error data */
	STUN_KIND_PWALG,     /* one algorithm: number, params */
	STUN_KIND_PWALGS,    /* list of algorithms */
	STUN_KIND_UNKNOWN,   /* not in our table */
};

enum stun_error_code {
#define STUN_ERROR(e, code, reason) STUN_ERR_##e = code,
#include "stun_errors.def"
#undef STUN_ERROR
};

/* Address families as STUN encodes them (RFC 8489 §14.1). */
#define STUN_AF_IPV4 0x01u
#define STUN_AF_IPV6 0x02u

/* Password algorithms (RFC 8489 §18.5). */
#define STUN_PWALG_MD5     0x0001u
#define STUN_PWALG_SHA256  0x0002u

/* Transport protocol numbers for REQUESTED-TRANSPORT. */
#define STUN_TRANSPORT_UDP 17u
#define STUN_TRANSPORT_TCP 6u

/* A transport address, decoded (never XORed), port in host order. */
struct stun_addr {
	uint8_t family;           /* STUN_AF_IPV4 or STUN_AF_IPV6 */
	uint16_t port;
	uint8_t ip[16];           /* IPv4 uses ip[0..3] */
};

/* One attribute of a parsed message; value points into the message. */
struct stun_attr {
	uint16_t type;
	uint16_t len;             /* value length, without padding */
	uint32_t offset;          /* of the attribute header, from message start
				   * (a stream-framed message reaches 65555) */
	const uint8_t *value;
	uint8_t idx;              /* enum stun_attr_idx, or STUN_AIDX_NONE */
	uint8_t ignored;          /* after MESSAGE-INTEGRITY: not to be processed */
};

/* A parsed message. Built by stun_msg_parse(); read-only afterwards. */
struct stun_msg {
	const uint8_t *buf;       /* the whole message, header included */
	uint32_t len;             /* 20 + header length */
	uint16_t type;            /* raw message type */
	uint16_t method;          /* enum stun_method, or another 12-bit value */
	uint8_t cls;              /* enum stun_class */
	uint8_t nattrs;
	uint8_t nunknown;         /* unknown comprehension-required, not ignored */
	uint8_t first[STUN_AIDX__COUNT];  /* index into attrs, or 0xff */
	const uint8_t *tid;       /* 12 bytes */
	uint16_t unknown[STUN_MAX_UNKNOWN];
	struct stun_attr attrs[STUN_MAX_ATTRS];
};

/* Why a parse failed, for logs and the operator's decoder. */
struct stun_parse_error {
	uint32_t offset;          /* byte offset of the offending field */
	const char *why;          /* static string */
};

/* Outcome of an integrity or fingerprint check. */
enum stun_check {
	STUN_CHECK_ABSENT = 0,
	STUN_CHECK_VALID = 1,
	STUN_CHECK_INVALID = 2,
};

/*
 * Message builder over a caller buffer. Errors are sticky: once an append
 * does not fit, every later call is a no-op and stun_build_finish() returns
 * the error, so callers append without checking each step.
 */
struct stun_builder {
	uint8_t *buf;
	uint32_t cap;
	uint32_t len;
	int err;                  /* 0 or -errno */
};

/* What a frame's first byte says it is (stun_demux_first_byte()); the
 * stream deframer produces only STUN and CHDATA. */
enum stun_frame_kind {
	STUN_FRAME_NONE = 0,      /* neither: not for TURN's port */
	STUN_FRAME_STUN = 1,
	STUN_FRAME_CHDATA = 2,
};

struct stun_frame {
	enum stun_frame_kind kind;
	const uint8_t *data;      /* frame start (STUN header / ChannelData header) */
	uint32_t len;             /* frame length without stream padding */
	uint32_t wire_len;        /* bytes the frame took in the stream */
};

/*
 * Stream deframer for TURN over TCP/TLS (RFC 8656 §12.5, RFC 6062): splits
 * a byte stream into STUN messages and ChannelData frames, resumable at
 * any segment boundary. Memory is bounded by the caller-supplied buffer;
 * a frame larger than it is a stream error.
 */
struct stun_deframer {
	uint8_t *buf;
	uint32_t cap;             /* bytes of buf */
	uint32_t head;            /* start of unconsumed bytes */
	uint32_t tail;            /* end of buffered bytes */
	int err;                  /* sticky stream error, 0 or -errno */
	uint32_t err_offset;      /* stream offset of the error */
	uint64_t consumed;        /* stream bytes handed out as frames */
};

/* ChannelData frame, decoded (RFC 8656 §12.4). */
struct chdata {
	uint16_t channel;
	uint16_t len;             /* application data length */
	const uint8_t *data;
};

#endif /* STUN_TYPES_H */
