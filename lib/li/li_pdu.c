/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The X2/X3 PDU of ETSI TS 103 221-2 §5 written and read (li_pdu.h): the
 * mandatory header, the conditional attributes turnpike writes (sequence
 * number, timestamp, addresses, ports, IP protocol, matched target
 * identifier), keepalives (§6.2.4). No allocation, no global state: a call
 * touches the caller's struct and buffer only, so tp-li and any test may
 * call it from any thread.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "li_pdu.h"
#include "tp_common.h"

/* The attributes struct li_pdu has a field for: all the encoder writes. */
#define LI_HAS_FIELDS (LI_HAS(LI_ATTR_SEQ) | LI_HAS(LI_ATTR_TIMESTAMP) |	\
		       LI_HAS(LI_ATTR_SRC_IPV4) | LI_HAS(LI_ATTR_DST_IPV4) |	\
		       LI_HAS(LI_ATTR_SRC_IPV6) | LI_HAS(LI_ATTR_DST_IPV6) |	\
		       LI_HAS(LI_ATTR_SRC_PORT) | LI_HAS(LI_ATTR_DST_PORT) |	\
		       LI_HAS(LI_ATTR_IP_PROTO) | LI_HAS(LI_ATTR_MATCHED_TARGET))

static const struct {
	const char *name;
	uint8_t len;
} attrs[] = {
#define LI_ATTR(name, type, len, text) [type] = { text, len },
#include "li_attr.def"
#undef LI_ATTR
};

static const struct {
	const char *name;
	uint8_t x2, x3;
} formats[] = {
#define LI_FORMAT(name, value, x2, x3, text) [value] = { text, x2, x3 },
#include "li_format.def"
#undef LI_FORMAT
};

const char *
li_attr_name(unsigned int type)
{
	return type < TP_ARRAY_SIZE(attrs) ? attrs[type].name : NULL;
}

const char *
li_format_name(unsigned int format)
{
	return format < TP_ARRAY_SIZE(formats) ? formats[format].name : NULL;
}

int
li_format_allowed(enum li_pdu_type type, unsigned int format)
{
	if (format >= TP_ARRAY_SIZE(formats))
		return 0;
	if (type == LI_PDU_X2)
		return formats[format].x2;
	if (type == LI_PDU_X3)
		return formats[format].x3;
	return 0;
}

/* The value length of attribute `type` as `p` would write it. */
static uint32_t
attr_value_len(const struct li_pdu *p, unsigned int type)
{
	return type == LI_ATTR_MATCHED_TARGET ? p->target_len : attrs[type].len;
}

int
li_pdu_hdr_len(const struct li_pdu *p)
{
	uint32_t len = LI_PDU_HDR_LEN;
	unsigned int t;
	bool keepalive;

	if (p == NULL || p->type < LI_PDU_X2 || p->type > LI_PDU_KEEPALIVE_ACK)
		return -EINVAL;
	keepalive = p->type == LI_PDU_KEEPALIVE || p->type == LI_PDU_KEEPALIVE_ACK;
	if (keepalive) {
		/* §5.2.5, §5.2.6: 0 is the keepalives' format and direction */
		if (p->format != LI_FMT_KEEPALIVE || p->dir != LI_DIR_KEEPALIVE ||
		    p->payload_len != 0)
			return -EINVAL;
	} else if (!li_format_allowed((enum li_pdu_type)p->type, p->format) ||
		   p->dir < LI_DIR_UNKNOWN || p->dir > LI_DIR_NA) {
		return -EINVAL;
	}
	if ((p->has & ~LI_HAS_FIELDS) != 0)
		return -EINVAL;
	/* one source and one destination: the struct has one field each */
	if ((p->has & LI_HAS(LI_ATTR_SRC_IPV4)) && (p->has & LI_HAS(LI_ATTR_SRC_IPV6)))
		return -EINVAL;
	if ((p->has & LI_HAS(LI_ATTR_DST_IPV4)) && (p->has & LI_HAS(LI_ATTR_DST_IPV6)))
		return -EINVAL;
	if ((p->has & LI_HAS(LI_ATTR_MATCHED_TARGET)) &&
	    (p->target == NULL || p->target_len == 0))
		return -EINVAL;
	for (t = LI_ATTR_SEQ; t <= LI_ATTR_MATCHED_TARGET; t++)
		if (p->has & LI_HAS(t))
			len += LI_ATTR_HDR_LEN + attr_value_len(p, t);
	return (int)len;
}

/* One attribute's value, §5.3.9-§5.3.18. */
static void
put_value(const struct li_pdu *p, unsigned int type, uint8_t *v)
{
	switch (type) {
	case LI_ATTR_SEQ:
		tp_wr32(v, p->seq);
		break;
	case LI_ATTR_TIMESTAMP:
		tp_wr32(v, p->ts.sec);
		tp_wr32(v + 4, p->ts.nsec);
		break;
	case LI_ATTR_SRC_IPV4:
	case LI_ATTR_SRC_IPV6:
		memcpy(v, p->src_ip, attrs[type].len);
		break;
	case LI_ATTR_DST_IPV4:
	case LI_ATTR_DST_IPV6:
		memcpy(v, p->dst_ip, attrs[type].len);
		break;
	case LI_ATTR_SRC_PORT:
		tp_wr16(v, p->src_port);
		break;
	case LI_ATTR_DST_PORT:
		tp_wr16(v, p->dst_port);
		break;
	case LI_ATTR_IP_PROTO:
		v[0] = p->ip_proto;
		break;
	case LI_ATTR_MATCHED_TARGET:
		memcpy(v, p->target, p->target_len);
		break;
	default:
		break;
	}
}

int
li_pdu_encode_hdr(const struct li_pdu *p, void *buf, size_t size)
{
	uint8_t *b = buf, *a;
	int hl = li_pdu_hdr_len(p);
	unsigned int t;

	if (hl < 0)
		return hl;
	if (buf == NULL || size < (size_t)hl)
		return -ENOSPC;
	tp_wr16(b, LI_PDU_VERSION);		/* §5.2.1 */
	tp_wr16(b + 2, p->type);			/* §5.2.2 */
	tp_wr32(b + 4, (uint32_t)hl);		/* §5.2.3 */
	tp_wr32(b + 8, p->payload_len);		/* §5.2.4 */
	tp_wr16(b + 12, p->format);		/* §5.2.5 */
	tp_wr16(b + 14, p->dir);			/* §5.2.6 */
	memcpy(b + 16, p->xid, 16);		/* §5.2.7 */
	tp_wr32(b + 32, (uint32_t)(p->corr >> 32));	/* §5.2.8 */
	tp_wr32(b + 36, (uint32_t)p->corr);
	a = b + LI_PDU_HDR_LEN;			/* §5.3.1: ascending type order */
	for (t = LI_ATTR_SEQ; t <= LI_ATTR_MATCHED_TARGET; t++) {
		uint32_t vl;

		if (!(p->has & LI_HAS(t)))
			continue;
		vl = attr_value_len(p, t);
		tp_wr16(a, (uint16_t)t);
		tp_wr16(a + 2, (uint16_t)vl);
		put_value(p, t, a + LI_ATTR_HDR_LEN);
		a += LI_ATTR_HDR_LEN + vl;
	}
	return hl;
}

int
li_pdu_encode(const struct li_pdu *p, void *buf, size_t size)
{
	int hl = li_pdu_hdr_len(p);

	if (hl < 0)
		return hl;
	if (p->payload_len != 0 && p->payload == NULL)
		return -EINVAL;
	if ((uint64_t)hl + p->payload_len > INT_MAX)
		return -EMSGSIZE;
	if (buf == NULL || size < (size_t)hl + p->payload_len)
		return -ENOSPC;
	li_pdu_encode_hdr(p, buf, size);
	if (p->payload_len != 0)
		memcpy((uint8_t *)buf + hl, p->payload, p->payload_len);
	return hl + (int)p->payload_len;
}

int
li_pdu_keepalive(void *buf, size_t size, enum li_pdu_type type, uint32_t seq)
{
	struct li_pdu p;

	if (type != LI_PDU_KEEPALIVE && type != LI_PDU_KEEPALIVE_ACK)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.type = (uint16_t)type;
	p.format = LI_FMT_KEEPALIVE;
	p.dir = LI_DIR_KEEPALIVE;
	p.has = LI_HAS(LI_ATTR_SEQ);
	p.seq = seq;
	return li_pdu_encode(&p, buf, size);
}

int64_t
li_pdu_frame_len(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint32_t hl;

	if (buf == NULL || len < 12)
		return -EAGAIN;
	hl = tp_rd32(b + 4);
	if (hl < LI_PDU_HDR_LEN)
		return -EBADMSG;
	return (int64_t)hl + tp_rd32(b + 8);
}

/* One attribute with a field in struct li_pdu, read into it. */
static int
read_attr(struct li_pdu *p, uint16_t type, uint16_t len, const uint8_t *v)
{
	if (type >= LI_ATTR_SEQ && type <= LI_ATTR_IP_PROTO) {
		if (len != attrs[type].len || (p->has & LI_HAS(type)))
			return -EBADMSG;
		if (((type == LI_ATTR_SRC_IPV4 || type == LI_ATTR_SRC_IPV6) &&
		     (p->has & (LI_HAS(LI_ATTR_SRC_IPV4) | LI_HAS(LI_ATTR_SRC_IPV6)))) ||
		    ((type == LI_ATTR_DST_IPV4 || type == LI_ATTR_DST_IPV6) &&
		     (p->has & (LI_HAS(LI_ATTR_DST_IPV4) | LI_HAS(LI_ATTR_DST_IPV6)))))
			return -EBADMSG;
		p->has |= LI_HAS(type);
	}
	switch (type) {
	case LI_ATTR_SEQ:
		p->seq = tp_rd32(v);
		break;
	case LI_ATTR_TIMESTAMP:
		p->ts.sec = tp_rd32(v);
		p->ts.nsec = tp_rd32(v + 4);
		break;
	case LI_ATTR_SRC_IPV4:
	case LI_ATTR_SRC_IPV6:
		memcpy(p->src_ip, v, len);
		break;
	case LI_ATTR_DST_IPV4:
	case LI_ATTR_DST_IPV6:
		memcpy(p->dst_ip, v, len);
		break;
	case LI_ATTR_SRC_PORT:
		p->src_port = tp_rd16(v);
		break;
	case LI_ATTR_DST_PORT:
		p->dst_port = tp_rd16(v);
		break;
	case LI_ATTR_IP_PROTO:
		p->ip_proto = v[0];
		break;
	case LI_ATTR_MATCHED_TARGET:
		if (p->has & LI_HAS(LI_ATTR_MATCHED_TARGET)) {
			p->n_other++;	/* a second one has no field */
			break;
		}
		p->has |= LI_HAS(LI_ATTR_MATCHED_TARGET);
		p->target = v;
		p->target_len = len;
		break;
	default:
		p->n_other++;
		break;
	}
	return 0;
}

int
li_pdu_decode(const void *buf, size_t len, struct li_pdu *out)
{
	const uint8_t *b = buf;
	int64_t total = li_pdu_frame_len(buf, len);
	uint32_t hl, off;
	int rc;

	if (total < 0)
		return (int)total;
	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->version = tp_rd16(b);
	if ((out->version >> 8) != LI_PDU_VERSION_MAJOR)
		return -EPROTONOSUPPORT;
	out->type = tp_rd16(b + 2);
	if (out->type < LI_PDU_X2 || out->type > LI_PDU_KEEPALIVE_ACK)
		return -EBADMSG;
	if (total > INT_MAX)
		return -EMSGSIZE;
	if ((uint64_t)total > len)
		return -EAGAIN;
	hl = tp_rd32(b + 4);
	out->payload_len = tp_rd32(b + 8);
	out->format = tp_rd16(b + 12);
	out->dir = tp_rd16(b + 14);
	memcpy(out->xid, b + 16, 16);
	out->corr = ((uint64_t)tp_rd32(b + 32) << 32) | tp_rd32(b + 36);
	out->attrs = b + LI_PDU_HDR_LEN;
	out->attr_len = hl - LI_PDU_HDR_LEN;
	for (off = 0; off < out->attr_len;) {
		uint16_t t, l;

		if (out->attr_len - off < LI_ATTR_HDR_LEN)
			return -EBADMSG;
		t = tp_rd16(out->attrs + off);
		l = tp_rd16(out->attrs + off + 2);
		if (out->attr_len - off - LI_ATTR_HDR_LEN < l)
			return -EBADMSG;
		rc = read_attr(out, t, l, out->attrs + off + LI_ATTR_HDR_LEN);
		if (rc < 0)
			return rc;
		off += LI_ATTR_HDR_LEN + l;
	}
	out->payload = b + hl;
	return (int)total;
}

int
li_attr_next(const struct li_pdu *p, uint32_t *off, struct li_attr_tlv *tlv)
{
	const uint8_t *a;

	if (p == NULL || off == NULL || tlv == NULL || *off >= p->attr_len ||
	    p->attr_len - *off < LI_ATTR_HDR_LEN)
		return 0;
	a = p->attrs + *off;
	tlv->type = tp_rd16(a);
	tlv->len = tp_rd16(a + 2);
	if (p->attr_len - *off - LI_ATTR_HDR_LEN < tlv->len)
		return 0;
	tlv->value = a + LI_ATTR_HDR_LEN;
	*off += LI_ATTR_HDR_LEN + tlv->len;
	return 1;
}
