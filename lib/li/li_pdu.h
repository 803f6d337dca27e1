/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li: the X2/X3 PDU of ETSI TS 103 221-2 (§5), written into a caller's
 * buffer and read back, with no allocation and no EAL: dp's tp-li thread
 * writes X2 and X3 with it, the test mediation function and the fuzz
 * targets read it. Every multi-byte field is big-endian on the wire.
 *
 * Layout (§5.1): version (2), PDU type (2), header length (4: 40 + the
 * attributes' bytes), payload length (4), payload format (2), payload
 * direction (2), XID (16), correlation ID (8), then the conditional
 * attributes as TLVs (2-byte type, 2-byte length, value; no padding) and
 * the payload.
 *
 * Errors are -errno: -EINVAL a struct the specification does not allow (a
 * payload format the PDU type may not carry, a direction out of table
 * 5.2.6-1, an attribute the struct cannot hold), -ENOSPC a buffer too
 * small (nothing meaningful written), -EAGAIN fewer bytes than the PDU
 * announces, -EBADMSG bytes that are not a PDU, -EPROTONOSUPPORT a major
 * version other than 0.
 */
#ifndef TP_LI_PDU_H
#define TP_LI_PDU_H

#include <stddef.h>
#include <stdint.h>

#include "li_pdu_types.h"

/*
 * The header length (§5.2.3) `p` encodes to: 40 plus its attributes, in
 * bytes; -EINVAL when li_pdu_encode() would refuse `p`.
 */
int li_pdu_hdr_len(const struct li_pdu *p);

/*
 * Writes the header and the attributes of `p` (§5.1-§5.3) into buf[0..size),
 * with `p->payload_len` as the payload length but not the payload itself,
 * so a writer can put the payload after it from elsewhere (tp-li builds an
 * IP header there first). p->version is ignored (LI_PDU_VERSION is
 * written). Returns the header length in bytes, -EINVAL (see
 * li_pdu_hdr_len()), -ENOSPC when size is smaller. `buf` stays the caller's.
 */
int li_pdu_encode_hdr(const struct li_pdu *p, void *buf, size_t size);

/*
 * Writes the whole PDU, header, attributes and p->payload[0..payload_len),
 * into buf[0..size). Returns its length in bytes (at most INT_MAX: a larger
 * one is -EMSGSIZE), -EINVAL, or -ENOSPC. A NULL payload with a non-zero
 * length is -EINVAL.
 */
int li_pdu_encode(const struct li_pdu *p, void *buf, size_t size);

/*
 * A keepalive (type LI_PDU_KEEPALIVE) or its acknowledgement
 * (LI_PDU_KEEPALIVE_ACK) (§6.2.4): format 0, direction 0, zero XID and
 * correlation ID, one sequence number attribute (the acknowledgement
 * carries the keepalive's), no payload. Writes LI_PDU_KEEPALIVE_LEN bytes
 * and returns that, or -EINVAL (another type) or -ENOSPC.
 */
int li_pdu_keepalive(void *buf, size_t size, enum li_pdu_type type, uint32_t seq);

/*
 * The whole length (header + payload, bytes) of the PDU starting at
 * buf[0..len), from its first 12 bytes (§5.2.3, §5.2.4): -EAGAIN when fewer are there,
 * -EBADMSG when the header length is under 40. Lets a stream reader learn
 * how much to wait for and refuse what its buffer cannot hold.
 */
int64_t li_pdu_frame_len(const void *buf, size_t len);

/*
 * Reads one PDU (§5) from the start of buf[0..len) into *out, which then points
 * into `buf` (the caller keeps it alive). Returns the PDU's length in bytes
 * (bytes after it are the next PDU's), or -EAGAIN (incomplete), -EBADMSG
 * (a PDU type outside table 5.2.2-1, a header length under 40, an
 * attribute running past the header, a known fixed-size attribute of
 * another size, one given twice, both an IPv4 and an IPv6 source or
 * destination), -EPROTONOSUPPORT (major version not 0: §5.2.1 lets a minor
 * version differ), -EMSGSIZE (longer than INT_MAX). Payload format and
 * direction are not judged (a later version may add values). The first
 * matched target identifier fills target/target_len; every attribute
 * without a field (and a repeated matched target identifier) counts in
 * n_other, and li_attr_next() walks them all.
 */
int li_pdu_decode(const void *buf, size_t len, struct li_pdu *out);

/*
 * The attribute (§5.3.1: type, length, value) at offset *off of a decoded
 * PDU's attributes into *tlv,
 * *off moved past it: 1, or 0 when none is left. Start with *off = 0.
 * Only for a struct li_pdu_decode() filled (it checked the TLVs fit).
 */
int li_attr_next(const struct li_pdu *p, uint32_t *off, struct li_attr_tlv *tlv);

/* The name of an attribute type (table 5.3.1-2) or payload format (table
 * 5.4.1-1), or NULL for a value not in li_attr.def / li_format.def. */
const char *li_attr_name(unsigned int type);
const char *li_format_name(unsigned int format);

/* Whether table 5.4.1-1 lets a PDU of `type` (X2 or X3) carry `format`. */
int li_format_allowed(enum li_pdu_type type, unsigned int format);

#endif /* TP_LI_PDU_H */
