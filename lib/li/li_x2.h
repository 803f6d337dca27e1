/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li: turnpike's X2 event, the payload of an X2 PDU of ETSI TS 103
 * 221-2 with payload format 4 (proprietary, table 5.4.1-1), written and
 * read (docs/design/li.md §3.2). No allocation, no state: cp/li writes
 * it, the tests' mediation function and a fuzz target read it.
 *
 * Layout, version 1 (every number big-endian):
 *
 *   offset 0  "TPX2"    4 bytes, the magic
 *          4  version   1 byte: 1 (LI_X2_VERSION); another is refused
 *          5  event     1 byte: li_x2_event.def
 *          6  reserved  2 bytes: 0 written, ignored read
 *          8  fields    each: type (2), length (2), value; no padding;
 *                       written in ascending type order, read in any
 *
 * The fields are li_x2_field.def's. A reader refuses (-EBADMSG): under 8
 * bytes, another magic, a field running past the end, a fixed-size field
 * of another length, an address that is not family (1: 4 or 6), port (2)
 * and the address (4 or 16), text empty, longer than LI_X2_TEXT_MAX or
 * holding a NUL, a field given twice (RELAYED: twice at most, of two
 * families; a termination's field, 21-27 and 31: once for each slot, 0
 * or 1), a
 * known event without its required fields, a TRANSPORT, REASON, EXACT,
 * RENEWED, INITIATOR, MEDIA, SRTP, CHANGE (0 or an unknown bit),
 * TARGET_TERM, CTX_REASON or LEG (its role, its tls) out of its range. An unknown event is read
 * (its fields checked) for the caller to judge; unknown field types are
 * skipped and counted (n_unknown): a later turnpike may add fields
 * without a new version, never change one.
 */
#ifndef TP_LI_X2_H
#define TP_LI_X2_H

#include <stddef.h>
#include <stdint.h>

#define LI_X2_MAGIC       "TPX2"
#define LI_X2_VERSION     1u
#define LI_X2_HDR_LEN     8u
#define LI_X2_TEXT_MAX    513u    /* RFC 8489's USERNAME and REALM bounds */
/* The longest event the encoder writes (1,561 bytes): the header, 21
 * field headers (every allocation field once, RELAYED twice), 63 bytes of
 * fixed values, 5 IPv6 addresses, both texts at their bound; and the
 * contexts' fields: 17 field headers (21-27 for both slots, 28-30), 203
 * bytes of values (6 IPv6 addresses with their slot); a TCP leg's LEG
 * for both slots (2 field headers, 6 bytes). Field 31 is the last that
 * `has` (32 bits) holds: another field widens it. */
#define LI_X2_MAX         (LI_X2_HDR_LEN + 21u * 4u + 63u + 5u * 19u + 2u * LI_X2_TEXT_MAX + \
			   17u * 4u + 203u + 2u * 4u + 6u)

enum li_x2_field {
#define LI_X2_FIELD(name, type, size, text) LI_X2F_##name = type,
#include "li_x2_field.def"
#undef LI_X2_FIELD
	LI_X2F_MAX_KNOWN = LI_X2F_LEG,
};

#define LI_X2_HAS(f)      (1u << (f))
/* A termination's fields (given once a slot, each value led by it). */
#define LI_X2_TERM_FIELDS (LI_X2_HAS(LI_X2F_TERM) | LI_X2_HAS(LI_X2F_LOCAL) | \
			   LI_X2_HAS(LI_X2F_REMOTE) | LI_X2_HAS(LI_X2F_LATCHED) | \
			   LI_X2_HAS(LI_X2F_MEDIA) | LI_X2_HAS(LI_X2F_SRTP) | \
			   LI_X2_HAS(LI_X2F_TERM_USAGE) | LI_X2_HAS(LI_X2F_LEG))

enum li_x2_event {
#define LI_X2_EVENT(name, value, need, text) LI_X2_EV_##name = value,
#include "li_x2_event.def"
#undef LI_X2_EVENT
};

/* The client's transport towards turnpike (TRANSPORT). */
enum li_x2_transport {
	LI_X2_UDP = 1,
	LI_X2_TCP = 2,
	LI_X2_TLS = 3,
	LI_X2_DTLS = 4,
};

/* Who opened an RFC 6062 peer connection (INITIATOR). */
enum li_x2_initiator {
	LI_X2_BY_CLIENT = 1,          /* the client's Connect */
	LI_X2_BY_PEER = 2,            /* the peer connected in */
};

/* Why an allocation ended (REASON): cp/alloc's reasons, numbered here. */
enum li_x2_reason {
	LI_X2_R_CLIENT = 1,           /* a Refresh with LIFETIME 0 */
	LI_X2_R_EXPIRED = 2,
	LI_X2_R_CONN_CLOSED = 3,      /* its TCP or TLS connection ended */
	LI_X2_R_CONN_RESET = 4,
	LI_X2_R_CONN_TIMEOUT = 5,
	LI_X2_R_CONN_ABORTED = 6,
	LI_X2_R_DP_RESTART = 7,
	LI_X2_R_KILLED = 8,           /* the operator */
	LI_X2_R_OTHER = 9,            /* ended by a cp that stopped: which is not known */
};
#define LI_X2_R_MAX LI_X2_R_OTHER

/* A context's termination's media (MEDIA): cp/agw is told no m= line's
 * type, so it is read from the media clock (RFC 3551 §5: video's is 90
 * kHz), a context's best word, not the SDP's. */
enum li_x2_media {
	LI_X2_AUDIO = 1,              /* another clock (0: 8 kHz) */
	LI_X2_VIDEO = 2,              /* a 90 kHz clock */
};

/* A termination's SRTP towards its network (SRTP): on or off, and how
 * keyed; never a key. */
enum li_x2_srtp {
	LI_X2_SRTP_OFF = 0,           /* RTP/AVP, RTP/AVPF */
	LI_X2_SRTP_SDES = 1,          /* a=crypto keys (RFC 4568) */
	LI_X2_SRTP_DTLS = 2,          /* DTLS-SRTP (RFC 5764) */
};

/* What changed in a context (CHANGE, CTX_MODIFIED): bits, several at once. */
#define LI_X2_CH_ADDED      0x01u     /* a termination added */
#define LI_X2_CH_SUBTRACTED 0x02u     /* one subtracted: its TERM and last TERM_USAGE */
#define LI_X2_CH_REMOTE     0x04u     /* a remote signalled anew */
#define LI_X2_CH_LATCHED    0x08u     /* a source latched (or latched anew) */
#define LI_X2_CH_NOMINATED  0x10u     /* ICE: the peer nominated a pair */
#define LI_X2_CH_ALL        0x1fu

/* Why a context ended (CTX_REASON). REASON's values are an allocation's
 * and are never extended (a reader that judges their range would refuse
 * a context's end): a context's have a field of their own. */
enum li_x2_ctx_reason {
	LI_X2_CR_RELEASED = 1,        /* by its controller (the call's signalling) */
	LI_X2_CR_SETUP_FAILED = 2,    /* dp could not install it */
	LI_X2_CR_OTHER = 3,
};
#define LI_X2_CR_MAX LI_X2_CR_OTHER

/* A TCP leg's part in its connection (LEG): ipc's tcp_role values. */
enum li_x2_leg_role {
	LI_X2_LEG_CONNECT = 1,        /* turnpike connects to the remote */
	LI_X2_LEG_LISTEN = 2,         /* turnpike accepts the remote's connection */
};

/* An address field: family 4 or 6, the port (0 where none: a
 * permission's peer), the address (4 bytes used for IPv4). */
struct li_x2_addr {
	uint8_t family;
	uint16_t port;
	uint8_t ip[16];
};

/* A context's termination in slot 0 or 1 (struct li_x2_ev's term[]):
 * `has` the fields of LI_X2_TERM_FIELDS given for it. */
struct li_x2_term {
	uint32_t has;
	uint16_t serial;              /* TERM: cp's number for it */
	struct li_x2_addr local, remote, latched;
	uint8_t media;                /* enum li_x2_media */
	uint8_t srtp;                 /* enum li_x2_srtp */
	uint64_t bytes_in, bytes_out, pkts_in, pkts_out;  /* TERM_USAGE: from its
				       * network, to it (RTP and RTCP) */
	uint8_t leg_role;             /* LEG: enum li_x2_leg_role */
	uint8_t tls;                  /* LEG: 0 or 1 */
};

/*
 * One event. `has` holds LI_X2_HAS() of each field present; the encoder
 * writes those, the decoder sets them. Text points into the caller's
 * bytes (encoding) or the decoded buffer (decoding), never owned.
 */
struct li_x2_ev {
	uint8_t version;              /* decoded; LI_X2_VERSION written */
	uint8_t event;                /* enum li_x2_event */
	uint32_t has;
	uint64_t session;
	struct li_x2_addr client, server, peer;
	uint8_t transport;            /* enum li_x2_transport */
	uint8_t nrelayed;             /* 1 or 2 with RELAYED */
	struct li_x2_addr relayed[2];
	const char *user;
	uint16_t user_len;
	const char *realm;
	uint16_t realm_len;
	uint32_t lifetime;            /* seconds */
	uint16_t channel;
	uint64_t bytes_from, bytes_to, pkts_from, pkts_to;
	uint64_t duration_ms;
	uint8_t reason;               /* enum li_x2_reason */
	uint8_t exact;                /* 0 or 1 */
	uint8_t renewed;              /* 0 or 1 */
	uint32_t conn_id;             /* RFC 6062's CONNECTION-ID */
	uint8_t initiator;            /* enum li_x2_initiator */
	/* a context's: has's bits of LI_X2_TERM_FIELDS are those of term[0]
	 * and term[1] together */
	struct li_x2_term term[2];
	uint8_t change;               /* LI_X2_CH_* */
	uint8_t target_term;          /* 0 or 1 */
	uint8_t ctx_reason;           /* enum li_x2_ctx_reason */
	uint16_t n_unknown;           /* decoded: fields of unknown types */
};

/*
 * Writes ev into buf[0..size) (the layout above; only the fields in
 * ev->has, ascending). Returns the length in bytes, -EINVAL (an address
 * of another family, text empty or over LI_X2_TEXT_MAX, nrelayed not 1..2
 * with RELAYED, a value out of its range, a bit in has for no field, a
 * termination's bits in has other than term[0].has | term[1].has, or a
 * term[].has bit that is not a termination's field),
 * -ENOSPC (buf too small). LI_X2_MAX bytes always suffice.
 */
int li_x2_encode(const struct li_x2_ev *ev, void *buf, size_t size);

/*
 * Reads the event in buf[0..len) (all of it: an X2 PDU's payload) into
 * *out, whose text then points into buf. 0, -EBADMSG (see above),
 * -EPROTONOSUPPORT (a version other than LI_X2_VERSION).
 */
int li_x2_decode(const void *buf, size_t len, struct li_x2_ev *out);

/* The name of an event or field type, NULL for a value not in the .def. */
const char *li_x2_event_name(unsigned int event);
const char *li_x2_field_name(unsigned int type);

#endif /* TP_LI_X2_H */
