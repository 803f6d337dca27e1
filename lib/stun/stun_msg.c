/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN message parsing (RFC 8489 §5, §14, §15): header checks, the
 * attribute walk with its length, padding and order rules, and per-type
 * value validation, so that a caller holding a parsed message can read any
 * attribute it knows without further bounds checks. Zero-copy and
 * allocation-free; every read is bounded by the length given.
 */
#include <errno.h>
#include <string.h>

#include "stun.h"
#include "tp_common.h"

struct attr_limits {
	uint16_t min;
	uint16_t max;
	uint8_t kind;
};

static const struct attr_limits limits[STUN_AIDX__COUNT] = {
#define STUN_ATTR(e, code, nm, knd, lmin, lmax) \
	[STUN_AIDX_##e] = { lmin, lmax, STUN_KIND_##knd },
#include "stun_attrs.def"
#undef STUN_ATTR
};

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static int
fail(struct stun_parse_error *err, size_t offset, const char *why)
{
	if (err != NULL) {
		err->offset = (uint32_t)offset;
		err->why = why;
	}
	return -EBADMSG;
}

bool
stun_is_stun(const uint8_t *buf, size_t len)
{
	if (len < STUN_HDR_LEN ||
	    stun_demux_first_byte(buf[0]) != STUN_FRAME_STUN)
		return false;
	if (rd32(buf + 4) != STUN_MAGIC_COOKIE)
		return false;
	return (rd16(buf + 2) & 3u) == 0 &&
	       (size_t)rd16(buf + 2) + STUN_HDR_LEN == len;
}

/* Error class 3..6 and number 0..99 (RFC 8489 §14.8). */
static const char *
check_error_code(const uint8_t *v)
{
	uint8_t cls = v[2] & 7u;

	if (cls < 3 || cls > 6)
		return "error code class outside 3..6";
	if (v[3] > 99)
		return "error code number above 99";
	return NULL;
}

/* One PASSWORD-ALGORITHM entry at v (avail bytes left); its padded size. */
static int
pwalg_entry_size(const uint8_t *v, size_t avail, bool padded)
{
	size_t plen, total;

	if (avail < 4)
		return -1;
	plen = rd16(v + 2);
	total = 4 + (padded ? ((plen + 3u) & ~(size_t)3u) : plen);
	if (total > avail)
		return -1;
	return (int)total;
}

/*
 * Check a known attribute's value layout. Returns NULL when good, else why.
 * Lengths were already checked against the table's min/max.
 */
static const char *
check_value(uint8_t kind, const uint8_t *v, uint16_t len)
{
	switch ((enum stun_attr_kind)kind) {
	case STUN_KIND_ADDR:
	case STUN_KIND_XADDR:
		if (v[1] == STUN_AF_IPV4)
			return len == 8 ? NULL : "IPv4 address attribute length is not 8";
		if (v[1] == STUN_AF_IPV6)
			return len == 20 ? NULL : "IPv6 address attribute length is not 20";
		return "unknown address family";
	case STUN_KIND_ERRCODE:
		return check_error_code(v);
	case STUN_KIND_ADDRERR:
		if (v[0] != STUN_AF_IPV4 && v[0] != STUN_AF_IPV6)
			return "unknown address family";
		return check_error_code(v);
	case STUN_KIND_U16LIST:
		return (len & 1u) ? "attribute type list has an odd length" : NULL;
	case STUN_KIND_PWALG: {
		int n = pwalg_entry_size(v, len, false);

		return n < 0 ? "password algorithm parameters run past the attribute" : NULL;
	}
	case STUN_KIND_PWALGS: {
		size_t off = 0;

		while (off < len) {
			int n = pwalg_entry_size(v + off, len - off, true);

			if (n < 0)
				return "password algorithm list is malformed";
			off += (size_t)n;
		}
		return NULL;
	}
	default:
		return NULL;
	}
}

static void
note_unknown(struct stun_msg *m, uint16_t type)
{
	for (unsigned int i = 0; i < m->nunknown; i++)
		if (m->unknown[i] == type)
			return;
	if (m->nunknown < STUN_MAX_UNKNOWN)
		m->unknown[m->nunknown++] = type;
}

int
stun_msg_parse(struct stun_msg *m, const uint8_t *buf, size_t len,
	       struct stun_parse_error *err)
{
	bool seen_mi = false, seen_mi256 = false, seen_fp = false;
	size_t off;
	uint16_t hlen;

	if (len < STUN_HDR_LEN)
		return fail(err, len, "message shorter than the 20-byte header");
	if (stun_demux_first_byte(buf[0]) != STUN_FRAME_STUN)
		return fail(err, 0, "first two bits of the message type are not zero");
	if (rd32(buf + 4) != STUN_MAGIC_COOKIE)
		return fail(err, 4, "magic cookie is not 0x2112a442");
	hlen = rd16(buf + 2);
	if (hlen & 3u)
		return fail(err, 2, "message length is not a multiple of 4");
	if ((size_t)hlen + STUN_HDR_LEN != len)
		return fail(err, 2, (size_t)hlen + STUN_HDR_LEN > len ?
			    "message length runs past the end of the data" :
			    "message length is shorter than the data");

	m->buf = buf;
	m->len = (uint32_t)len;
	m->type = rd16(buf);
	m->method = stun_type_method(m->type);
	m->cls = stun_type_class(m->type);
	m->tid = buf + 8;
	m->nattrs = 0;
	m->nunknown = 0;
	memset(m->first, 0xff, sizeof(m->first));

	for (off = STUN_HDR_LEN; off < len;) {
		struct stun_attr *a;
		uint16_t type, alen;
		size_t padded;
		uint8_t idx;

		if (len - off < STUN_ATTR_HDR_LEN)
			return fail(err, off, "truncated attribute header");
		if (seen_fp)
			return fail(err, off, "attribute after FINGERPRINT");
		type = rd16(buf + off);
		alen = rd16(buf + off + 2);
		if (alen > len - off - STUN_ATTR_HDR_LEN)
			return fail(err, off + 2, "attribute length runs past the end of the message");
		padded = ((size_t)alen + 3u) & ~(size_t)3u;
		if (padded > len - off - STUN_ATTR_HDR_LEN)
			return fail(err, off + 2, "attribute padding runs past the end of the message");
		if (m->nattrs >= STUN_MAX_ATTRS)
			return fail(err, off, "too many attributes");

		a = &m->attrs[m->nattrs];
		a->type = type;
		a->len = alen;
		a->offset = (uint32_t)off;
		a->value = buf + off + STUN_ATTR_HDR_LEN;
		idx = stun_attr_index(type);
		a->idx = idx;

		/* RFC 8489 §14.5, §14.6, §14.7: after MESSAGE-INTEGRITY only
		 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count; after
		 * MESSAGE-INTEGRITY-SHA256 only FINGERPRINT. */
		if (seen_mi256)
			a->ignored = type != STUN_ATTR_FINGERPRINT;
		else if (seen_mi)
			a->ignored = type != STUN_ATTR_FINGERPRINT &&
				     type != STUN_ATTR_MESSAGE_INTEGRITY_SHA256;
		else
			a->ignored = 0;

		if (!a->ignored) {
			if (idx != STUN_AIDX_NONE) {
				const struct attr_limits *l = &limits[idx];
				const char *why;

				if (alen < l->min || alen > l->max)
					return fail(err, off + 2, "attribute length is wrong for its type");
				/* RFC 8489 §14.6: a truncated MESSAGE-INTEGRITY-
				 * SHA256 keeps a multiple of 4 bytes. */
				if (type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256 &&
				    (alen & 3u))
					return fail(err, off + 2, "MESSAGE-INTEGRITY-SHA256 length is not a multiple of 4");
				why = check_value(l->kind, a->value, alen);
				if (why != NULL)
					return fail(err, off + STUN_ATTR_HDR_LEN, why);
				if (m->first[idx] == 0xff)
					m->first[idx] = m->nattrs;
			} else if (stun_attr_is_required(type)) {
				note_unknown(m, type);
			}
			if (type == STUN_ATTR_MESSAGE_INTEGRITY)
				seen_mi = true;
			else if (type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
				seen_mi256 = true;
			else if (type == STUN_ATTR_FINGERPRINT)
				seen_fp = true;
		}
		m->nattrs++;
		off += STUN_ATTR_HDR_LEN + padded;
	}
	return 0;
}

const struct stun_attr *
stun_msg_find(const struct stun_msg *m, uint16_t type)
{
	uint8_t idx = stun_attr_index(type);

	if (idx != STUN_AIDX_NONE) {
		uint8_t i = m->first[idx];

		return i == 0xff ? NULL : &m->attrs[i];
	}
	for (unsigned int i = 0; i < m->nattrs; i++)
		if (m->attrs[i].type == type && !m->attrs[i].ignored)
			return &m->attrs[i];
	return NULL;
}

const struct stun_attr *
stun_msg_find_next(const struct stun_msg *m, const struct stun_attr *prev)
{
	size_t i;

	if (prev < m->attrs || prev >= m->attrs + m->nattrs)
		return NULL;
	for (i = (size_t)(prev - m->attrs) + 1; i < m->nattrs; i++)
		if (m->attrs[i].type == prev->type && !m->attrs[i].ignored)
			return &m->attrs[i];
	return NULL;
}
