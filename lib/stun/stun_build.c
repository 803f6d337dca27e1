/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN message building (RFC 8489 §5, §14): attributes appended in order
 * with zero padding, the header length kept current after every append so
 * that MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT can be computed in place.
 * Errors are sticky (see struct stun_builder).
 */
#include <errno.h>
#include <string.h>

#include "stun.h"
#include "tp_common.h"

void
stun_build_init(struct stun_builder *b, uint8_t *buf, size_t cap,
		uint16_t type, const uint8_t tid[STUN_TID_LEN])
{
	b->buf = buf;
	b->cap = cap > STUN_MAX_MSG_LEN ? STUN_MAX_MSG_LEN : (uint32_t)cap;
	b->len = 0;
	b->err = 0;
	if (b->cap < STUN_HDR_LEN || (type & 0xc000u)) {
		b->err = (type & 0xc000u) ? -EINVAL : -ENOBUFS;
		return;
	}
	tp_wr16(buf, type);
	tp_wr16(buf + 2, 0);
	tp_wr32(buf + 4, STUN_MAGIC_COOKIE);
	if (tid != NULL)
		memmove(buf + 8, tid, STUN_TID_LEN); /* tid may alias buf */
	else
		memset(buf + 8, 0, STUN_TID_LEN);
	b->len = STUN_HDR_LEN;
}

/* Reserve an attribute of value length len; returns the value pointer
 * (padding already zeroed) or NULL after setting the sticky error. */
static uint8_t *
attr_reserve(struct stun_builder *b, uint16_t type, size_t len)
{
	size_t padded = (len + 3u) & ~(size_t)3u;
	uint8_t *p;

	if (b->err)
		return NULL;
	if (len > 0xffffu) {
		b->err = -EINVAL;
		return NULL;
	}
	if (STUN_ATTR_HDR_LEN + padded > (size_t)b->cap - b->len) {
		b->err = -ENOBUFS;
		return NULL;
	}
	p = b->buf + b->len;
	tp_wr16(p, type);
	tp_wr16(p + 2, (uint16_t)len);
	memset(p + STUN_ATTR_HDR_LEN + len, 0, padded - len);
	b->len += (uint32_t)(STUN_ATTR_HDR_LEN + padded);
	tp_wr16(b->buf + 2, (uint16_t)(b->len - STUN_HDR_LEN));
	return p + STUN_ATTR_HDR_LEN;
}

void
stun_build_attr(struct stun_builder *b, uint16_t type, const void *value,
		size_t len)
{
	uint8_t *p = attr_reserve(b, type, len);

	if (p != NULL && len > 0)
		memcpy(p, value, len);
}

void
stun_build_u32(struct stun_builder *b, uint16_t type, uint32_t v)
{
	uint8_t *p = attr_reserve(b, type, 4);

	if (p != NULL)
		tp_wr32(p, v);
}

void
stun_build_str(struct stun_builder *b, uint16_t type, const char *s)
{
	stun_build_attr(b, type, s, strlen(s));
}

void
stun_build_addr(struct stun_builder *b, uint16_t type,
		const struct stun_addr *a)
{
	size_t alen = a->family == STUN_AF_IPV4 ? 4 : 16;
	uint8_t *p;

	if (a->family != STUN_AF_IPV4 && a->family != STUN_AF_IPV6) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	p = attr_reserve(b, type, 4 + alen);
	if (p == NULL)
		return;
	p[0] = 0;
	p[1] = a->family;
	tp_wr16(p + 2, a->port);
	memcpy(p + 4, a->ip, alen);
	if (stun_attr_kind(type) == STUN_KIND_XADDR) {
		/* RFC 8489 §14.2: XOR with the cookie, then the transaction id. */
		uint8_t mask[16];

		tp_wr32(mask, STUN_MAGIC_COOKIE);
		memcpy(mask + 4, b->buf + 8, STUN_TID_LEN);
		tp_wr16(p + 2, (uint16_t)(a->port ^ (STUN_MAGIC_COOKIE >> 16)));
		for (size_t i = 0; i < alen; i++)
			p[4 + i] ^= mask[i];
	}
}

static void
build_code(uint8_t *p, uint16_t code)
{
	p[0] = 0;
	p[1] = 0;
	p[2] = (uint8_t)((code / 100u) & 7u);
	p[3] = (uint8_t)(code % 100u);
}

void
stun_build_error(struct stun_builder *b, uint16_t code, const char *reason)
{
	size_t rlen;
	uint8_t *p;

	if (code < 300 || code > 699) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	if (reason == NULL)
		reason = stun_error_reason(code);
	rlen = strlen(reason);
	if (rlen > 763)
		rlen = 763;
	p = attr_reserve(b, STUN_ATTR_ERROR_CODE, 4 + rlen);
	if (p == NULL)
		return;
	build_code(p, code);
	memcpy(p + 4, reason, rlen);
}

void
stun_build_addr_error(struct stun_builder *b, uint8_t family, uint16_t code,
		      const char *reason)
{
	size_t rlen;
	uint8_t *p;

	if (code < 300 || code > 699) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	if (reason == NULL)
		reason = stun_error_reason(code);
	rlen = strlen(reason);
	if (rlen > 763)
		rlen = 763;
	p = attr_reserve(b, STUN_ATTR_ADDRESS_ERROR_CODE, 4 + rlen);
	if (p == NULL)
		return;
	build_code(p, code);
	p[0] = family;
	memcpy(p + 4, reason, rlen);
}

void
stun_build_channel(struct stun_builder *b, uint16_t channel)
{
	stun_build_u32(b, STUN_ATTR_CHANNEL_NUMBER, (uint32_t)channel << 16);
}

void
stun_build_family(struct stun_builder *b, uint16_t type, uint8_t family)
{
	stun_build_u32(b, type, (uint32_t)family << 24);
}

void
stun_build_transport(struct stun_builder *b, uint8_t proto)
{
	stun_build_u32(b, STUN_ATTR_REQUESTED_TRANSPORT, (uint32_t)proto << 24);
}

void
stun_build_even_port(struct stun_builder *b, bool reserve)
{
	uint8_t v = reserve ? 0x80u : 0;

	stun_build_attr(b, STUN_ATTR_EVEN_PORT, &v, 1);
}

void
stun_build_icmp(struct stun_builder *b, uint8_t type, uint8_t code,
		uint32_t error_data)
{
	uint8_t *p = attr_reserve(b, STUN_ATTR_ICMP, 8);

	if (p == NULL)
		return;
	p[0] = 0;
	p[1] = 0;
	p[2] = type;
	p[3] = code;
	tp_wr32(p + 4, error_data);
}

void
stun_build_u16list(struct stun_builder *b, uint16_t type,
		   const uint16_t *types, size_t n)
{
	uint8_t *p = attr_reserve(b, type, 2 * n);

	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		tp_wr16(p + 2 * i, types[i]);
}

void
stun_build_pwalgs(struct stun_builder *b, uint16_t type, const uint16_t *algs,
		  size_t n)
{
	uint8_t *p;

	if (type == STUN_ATTR_PASSWORD_ALGORITHM && n != 1) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	p = attr_reserve(b, type, 4 * n);
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		tp_wr16(p + 4 * i, algs[i]);
		tp_wr16(p + 4 * i + 2, 0);
	}
}

/* RFC 8489 §14.5/§14.6: the HMAC covers the message up to the attribute,
 * with the header length already counting the attribute itself, which
 * attr_reserve() has set. */
void
stun_build_integrity(struct stun_builder *b, const uint8_t *key,
		     size_t key_len)
{
	uint32_t start = b->len;
	uint8_t *p = attr_reserve(b, STUN_ATTR_MESSAGE_INTEGRITY, STUN_MI_LEN);

	if (p != NULL && stun_hmac_sha1(key, key_len, b->buf, start, p) < 0)
		b->err = -EIO;
}

void
stun_build_integrity_sha256(struct stun_builder *b, const uint8_t *key,
			    size_t key_len)
{
	uint32_t start = b->len;
	uint8_t *p = attr_reserve(b, STUN_ATTR_MESSAGE_INTEGRITY_SHA256,
				  STUN_MI256_LEN);

	if (p != NULL && stun_hmac_sha256(key, key_len, b->buf, start, p) < 0)
		b->err = -EIO;
}

void
stun_build_fingerprint(struct stun_builder *b)
{
	uint32_t start = b->len;
	uint8_t *p = attr_reserve(b, STUN_ATTR_FINGERPRINT, 4);

	if (p != NULL)
		tp_wr32(p, stun_fingerprint(b->buf, start));
}

void
stun_build_fingerprint_crc(struct stun_builder *b,
			   uint32_t (*crc32)(const uint8_t *buf, size_t len))
{
	uint32_t start = b->len;
	uint8_t *p = attr_reserve(b, STUN_ATTR_FINGERPRINT, 4);

	if (p != NULL)
		tp_wr32(p, crc32(b->buf, start) ^ STUN_FINGERPRINT_XOR);
}

int
stun_build_finish(struct stun_builder *b)
{
	return b->err ? b->err : (int)b->len;
}

int
stun_build_error_response(uint8_t *buf, size_t cap, const struct stun_msg *req,
			  uint16_t code, const char *software)
{
	struct stun_builder b;

	stun_build_init(&b, buf, cap,
			stun_msg_type(req->method, STUN_CLASS_ERROR), req->tid);
	stun_build_error(&b, code, NULL);
	if (code == STUN_ERR_UNKNOWN_ATTRIBUTE && req->nunknown > 0)
		stun_build_u16list(&b, STUN_ATTR_UNKNOWN_ATTRIBUTES, req->unknown,
				   req->nunknown);
	if (software != NULL)
		stun_build_str(&b, STUN_ATTR_SOFTWARE, software);
	stun_build_fingerprint(&b);
	return stun_build_finish(&b);
}
