/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li's X2/X3 PDU (ETSI TS 103 221-2 §5): the constants, the enums made
 * from li_attr.def and li_format.def, and struct li_pdu, the one shape a
 * PDU has on both sides of the encoder (what to write, what was read).
 * Types only; the functions are in li_pdu.h.
 */
#ifndef TP_LI_PDU_TYPES_H
#define TP_LI_PDU_TYPES_H

#include <stdint.h>

/* §5.2.1: major 0, minor 5 on the wire as 00 05 (V1.6.1 to V1.9.1). */
#define LI_PDU_VERSION		0x0005u
#define LI_PDU_VERSION_MAJOR	0x00u
/* §5.1: the mandatory header, before the conditional attributes. */
#define LI_PDU_HDR_LEN		40u
/* §5.3.1: an attribute's type and length, before its value. */
#define LI_ATTR_HDR_LEN		4u
#define LI_ATTR_VALUE_MAX	0xffffu
/* A keepalive or its acknowledgement: the header and a sequence number. */
#define LI_PDU_KEEPALIVE_LEN	(LI_PDU_HDR_LEN + LI_ATTR_HDR_LEN + 4u)

/* §5.2.2, table 5.2.2-1 */
enum li_pdu_type {
	LI_PDU_X2 = 1,
	LI_PDU_X3 = 2,
	LI_PDU_KEEPALIVE = 3,
	LI_PDU_KEEPALIVE_ACK = 4,
};

/* §5.2.6, table 5.2.6-1: relative to the target. */
enum li_dir {
	LI_DIR_KEEPALIVE = 0,
	LI_DIR_UNKNOWN = 1,
	LI_DIR_TO_TARGET = 2,
	LI_DIR_FROM_TARGET = 3,
	LI_DIR_MULTIPLE = 4,
	LI_DIR_NA = 5,
};

enum li_attr {
#define LI_ATTR(name, type, len, text) LI_ATTR_##name = type,
#include "li_attr.def"
#undef LI_ATTR
	LI_ATTR_MAX_KNOWN = LI_ATTR_SDP,
};

enum li_format {
#define LI_FORMAT(name, value, x2, x3, text) LI_FMT_##name = value,
#include "li_format.def"
#undef LI_FORMAT
	LI_FMT_MAX_KNOWN = LI_FMT_ETSI_PS_PAYLOAD,
};

/* Bit of li_pdu.has for an attribute the struct carries a field for. */
#define LI_HAS(attr)		(1u << (attr))

/* §5.3.10: POSIX seconds and nanoseconds, both 32 bits on the wire. */
struct li_ts {
	uint32_t sec;
	uint32_t nsec;
};

/*
 * One PDU. Encoding reads it; decoding fills it. `has` holds LI_HAS() of
 * each attribute present among SEQ, TIMESTAMP, SRC/DST_IPV4/IPV6,
 * SRC/DST_PORT, IP_PROTO and MATCHED_TARGET; the encoder writes those in
 * ascending type order. Pointers are the caller's (encoding) or point into
 * the decoded buffer (decoding): never owned by the struct.
 */
struct li_pdu {
	uint16_t version;		/* decoded; the encoder writes LI_PDU_VERSION */
	uint16_t type;			/* enum li_pdu_type */
	uint16_t format;		/* enum li_format */
	uint16_t dir;			/* enum li_dir */
	uint8_t xid[16];		/* §5.2.7: the task's UUID, network order */
	uint64_t corr;			/* §5.2.8: correlation ID, written big-endian */
	uint32_t has;			/* LI_HAS() bits */
	uint32_t seq;			/* §5.3.9 */
	struct li_ts ts;		/* §5.3.10 */
	uint8_t src_ip[16];		/* §5.3.11/§5.3.13: 4 bytes used for IPv4 */
	uint8_t dst_ip[16];		/* §5.3.12/§5.3.14 */
	uint16_t src_port;		/* §5.3.15, host order */
	uint16_t dst_port;		/* §5.3.16, host order */
	uint8_t ip_proto;		/* §5.3.17 */
	uint16_t target_len;		/* §5.3.18: matched target identifier */
	const uint8_t *target;
	uint16_t n_other;		/* decoded: attributes without a field here */
	uint32_t attr_len;		/* decoded: bytes of attributes (header - 40) */
	const uint8_t *attrs;		/* decoded: the attributes, for li_attr_next() */
	uint32_t payload_len;		/* §5.2.4 */
	const uint8_t *payload;
};

/* One attribute as li_attr_next() walks them. */
struct li_attr_tlv {
	uint16_t type;
	uint16_t len;
	const uint8_t *value;
};

#endif /* TP_LI_PDU_TYPES_H */
