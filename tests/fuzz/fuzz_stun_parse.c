/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: one datagram through everything a server does with it.
 *
 * The input is treated as a UDP payload. If stun_msg_parse() accepts it we
 * walk every attribute with the typed getter its kind calls for, look every
 * known type up with stun_msg_find()/stun_msg_find_next(), check
 * MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT against an independent
 * recomputation, and answer it with stun_build_error_response(), whose
 * output must parse again. The same bytes also go through chdata_decode(),
 * as the demultiplexer of RFC 7983 would hand a ChannelData datagram over.
 *
 * Besides memory errors (ASan) and undefined behaviour (UBSan), the target
 * aborts on any broken promise of stun.h: attribute values outside the
 * message, a lookup returning an ignored attribute, an integrity verdict
 * that disagrees with the HMAC, an error response that does not parse.
 * Anything written for ASan to watch goes to heap buffers of exactly the
 * size the codec is told, so a one-byte overrun is caught.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stun.h"
#include "tp_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 5769 §2.1 short-term password, so the sample request verifies. */
#define FUZZ_PASSWORD "VOkJxbRl1RmTxUk/WvJxBt"
#define FUZZ_USER     "evtj:h6vY"
#define FUZZ_REALM    "example.org"

static const uint16_t known_types[] = {
#define STUN_ATTR(e, code, name, kind, lmin, lmax) code,
#include "stun_attrs.def"
#include "fuzz_check.h"
#undef STUN_ATTR
};

static const uint16_t error_codes[] = {
	300, 400, 401, 403, 420, 437, 438, 440, 441, 442, 486, 500, 508, 599,
};

static uint8_t short_key[64];
static size_t short_key_len;
static uint8_t long_key_md5[32];
static uint8_t long_key_sha256[32];

/* Everything the target reads is folded in here so no read is elided. */
static volatile uint32_t sink;

static void
keys_init(void)
{
	static bool done;
	int n;

	if (done)
		return;
	n = stun_key_short_term(FUZZ_PASSWORD, short_key, sizeof(short_key));
	CHECK(n > 0 && (size_t)n <= sizeof(short_key));
	short_key_len = (size_t)n;
	CHECK(stun_key_long_term(STUN_PWALG_MD5, FUZZ_USER, FUZZ_REALM,
				 FUZZ_PASSWORD, long_key_md5) == 16);
	CHECK(stun_key_long_term(STUN_PWALG_SHA256, FUZZ_USER, FUZZ_REALM,
				 FUZZ_PASSWORD, long_key_sha256) == 32);
	done = true;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
touch(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc = acc * 31u + b[i];
	sink += acc;
}

/* A pointer range the codec hands back must lie inside the attribute. */
static void
check_within(const struct stun_attr *a, const void *p, size_t len)
{
	const uint8_t *q = p;

	CHECK(q >= a->value && q + len <= a->value + a->len);
	touch(q, len);
}

/* Format into a heap buffer of exactly size bytes, so ASan sees overruns. */
static void
format_addr(const struct stun_addr *addr, size_t size)
{
	char *buf = malloc(size);
	char *s;

	CHECK(buf != NULL);
	s = stun_addr_format(addr, buf, size);
	CHECK(s == buf);
	CHECK(memchr(buf, '\0', size) != NULL);
	touch(buf, strlen(buf));
	free(buf);
}

static void
walk_addr(const struct stun_msg *m, const struct stun_attr *a, size_t small)
{
	struct stun_addr addr;

	if (stun_attr_get_addr(m, a, &addr) != 0)
		return;
	CHECK(addr.family == STUN_AF_IPV4 || addr.family == STUN_AF_IPV6);
	format_addr(&addr, 64);
	format_addr(&addr, small);
}

/* The getter the attribute's kind calls for. */
static void
walk_typed(const struct stun_msg *m, const struct stun_attr *a, size_t small)
{
	uint16_t list[8];
	const char *reason;
	uint16_t code, rlen, u16;
	uint32_t u32;
	uint8_t u8a, u8b;
	size_t n;
	bool flag;

	switch (stun_attr_kind(a->type)) {
	case STUN_KIND_ADDR:
	case STUN_KIND_XADDR:
		walk_addr(m, a, small);
		break;
	case STUN_KIND_U32:
		if (stun_attr_get_u32(a, &u32) == 0) {
			CHECK(a->len == 4);
			CHECK(u32 == rd32(a->value));
		}
		break;
	case STUN_KIND_ERRCODE:
		if (stun_attr_get_error(a, &code, &reason, &rlen) == 0) {
			CHECK(code >= 300 && code <= 699);
			check_within(a, reason, rlen);
		}
		break;
	case STUN_KIND_ADDRERR:
		if (stun_attr_get_addr_error(a, &u8a, &code, &reason,
					     &rlen) == 0) {
			CHECK(code >= 300 && code <= 699);
			check_within(a, reason, rlen);
		}
		break;
	case STUN_KIND_CHANNEL:
		if (stun_attr_get_channel(a, &u16) == 0)
			sink += u16;
		break;
	case STUN_KIND_FAMILY:
		if (stun_attr_get_family(a, &u8a) == 0)
			sink += u8a;
		break;
	case STUN_KIND_TRANSPORT:
		if (stun_attr_get_transport(a, &u8a) == 0)
			sink += u8a;
		break;
	case STUN_KIND_EVENPORT:
		if (stun_attr_get_even_port(a, &flag) == 0)
			sink += flag;
		break;
	case STUN_KIND_ICMP:
		if (stun_attr_get_icmp(a, &u8a, &u8b, &u32) == 0)
			sink += u8a + u8b + u32;
		break;
	case STUN_KIND_U16LIST:
		/* Once with room for all we look at, once truncating. */
		n = TP_ARRAY_SIZE(list);
		if (stun_attr_get_u16list(a, list, n, &n) == 0)
			CHECK(n <= TP_ARRAY_SIZE(list));
		if (stun_attr_get_u16list(a, list, 1, &n) == 0)
			CHECK(n <= 1);
		break;
	case STUN_KIND_PWALG:
		if (stun_attr_get_pwalg(a, &u16) == 0)
			sink += u16;
		break;
	case STUN_KIND_PWALGS:
		if (stun_attr_get_pwalgs(a, list, TP_ARRAY_SIZE(list), &n) == 0)
			CHECK(n <= TP_ARRAY_SIZE(list));
		if (stun_attr_get_pwalgs(a, list, 1, &n) == 0)
			CHECK(n <= 1);
		break;
	case STUN_KIND_BYTES:
	case STUN_KIND_TEXT:
	case STUN_KIND_EMPTY:
	case STUN_KIND_UNKNOWN:
		break;
	}
}

/*
 * Every getter on every attribute whatever its kind: a getter is handed
 * hostile bytes whenever a caller picks the wrong one, and must say
 * -EINVAL rather than read past the value.
 */
static void
walk_all_getters(const struct stun_msg *m, const struct stun_attr *a)
{
	struct stun_addr addr;
	uint16_t list[4];
	const char *reason;
	uint16_t code, rlen, u16;
	uint32_t u32;
	uint8_t u8a, u8b;
	size_t n;
	bool flag;

	if (stun_attr_get_addr(m, a, &addr) == 0)
		touch(&addr, sizeof(addr));
	if (stun_attr_get_u32(a, &u32) == 0)
		sink += u32;
	if (stun_attr_get_error(a, &code, &reason, &rlen) == 0)
		check_within(a, reason, rlen);
	if (stun_attr_get_addr_error(a, &u8a, &code, &reason, &rlen) == 0)
		check_within(a, reason, rlen);
	if (stun_attr_get_channel(a, &u16) == 0)
		sink += u16;
	if (stun_attr_get_family(a, &u8a) == 0)
		sink += u8a;
	if (stun_attr_get_transport(a, &u8a) == 0)
		sink += u8a;
	if (stun_attr_get_even_port(a, &flag) == 0)
		sink += flag;
	if (stun_attr_get_icmp(a, &u8a, &u8b, &u32) == 0)
		sink += u8a + u8b + u32;
	if (stun_attr_get_u16list(a, list, TP_ARRAY_SIZE(list), &n) == 0)
		CHECK(n <= TP_ARRAY_SIZE(list));
	if (stun_attr_get_pwalg(a, &u16) == 0)
		sink += u16;
	if (stun_attr_get_pwalgs(a, list, TP_ARRAY_SIZE(list), &n) == 0)
		CHECK(n <= TP_ARRAY_SIZE(list));
}

/* Layout promises of struct stun_msg after a successful parse. */
static void
check_layout(const struct stun_msg *m, const uint8_t *data, size_t size)
{
	CHECK(m->buf == data);
	CHECK(m->len == size);
	CHECK(size >= STUN_HDR_LEN && rd16(data + 2) == size - STUN_HDR_LEN);
	CHECK(m->type == rd16(data));
	CHECK(m->method == stun_type_method(m->type));
	CHECK(m->cls == stun_type_class(m->type));
	CHECK(m->tid == data + 8);
	CHECK(m->nattrs <= STUN_MAX_ATTRS);
	CHECK(m->nunknown <= STUN_MAX_UNKNOWN);

	for (unsigned i = 0; i < m->nattrs; i++) {
		const struct stun_attr *a = &m->attrs[i];

		CHECK((size_t)a->offset + STUN_ATTR_HDR_LEN + a->len <= size);
		CHECK(a->offset >= STUN_HDR_LEN);
		CHECK(a->type == rd16(data + a->offset));
		CHECK(a->len == rd16(data + a->offset + 2));
		CHECK(a->value == data + a->offset + STUN_ATTR_HDR_LEN);
		CHECK(a->idx == stun_attr_index(a->type));
		if (i > 0)
			CHECK(a->offset > m->attrs[i - 1].offset);
		touch(a->value, a->len);
		sink += (uintptr_t)stun_attr_name(a->type);
	}
	for (unsigned i = 0; i < m->nunknown; i++) {
		CHECK(stun_attr_is_required(m->unknown[i]));
		CHECK(stun_attr_kind(m->unknown[i]) == STUN_KIND_UNKNOWN);
	}
	for (unsigned i = 0; i < STUN_AIDX__COUNT; i++) {
		if (m->first[i] == 0xff)
			continue;
		CHECK(m->first[i] < m->nattrs);
		CHECK(m->attrs[m->first[i]].idx == i);
	}
	sink += (uintptr_t)stun_method_name(m->method);
	sink += (uintptr_t)stun_class_name(m->cls);
}

/* stun_msg_find()/_next() visit exactly the non-ignored attributes of a
 * type, in order. */
static void
check_lookup(const struct stun_msg *m, uint16_t type)
{
	const struct stun_attr *a = stun_msg_find(m, type);
	unsigned want = 0, got = 0;

	for (unsigned i = 0; i < m->nattrs; i++)
		if (m->attrs[i].type == type && !m->attrs[i].ignored)
			want++;
	while (a != NULL) {
		const struct stun_attr *next;

		CHECK(a >= m->attrs && a < m->attrs + m->nattrs);
		CHECK(a->type == type && !a->ignored);
		got++;
		CHECK(got <= want);
		next = stun_msg_find_next(m, a);
		CHECK(next == NULL || next > a);
		a = next;
	}
	CHECK(got == want);
}

/* Known types go through the dense index, others through a scan. */
static void
check_lookups(const struct stun_msg *m)
{
	for (size_t t = 0; t < TP_ARRAY_SIZE(known_types); t++)
		check_lookup(m, known_types[t]);
	for (unsigned i = 0; i < m->nattrs; i++)
		if (m->attrs[i].idx == STUN_AIDX_NONE)
			check_lookup(m, m->attrs[i].type);
}

/*
 * RFC 8489 §14.5/§14.6: the HMAC covers the message up to the attribute,
 * with the header length rewritten to end just after it. Recompute it here
 * with the flat-buffer HMAC and hold the codec's verdict to it.
 */
static bool
mi_matches(const struct stun_msg *m, const struct stun_attr *a,
	   const uint8_t *key, size_t key_len, bool sha256)
{
	uint8_t mac[32];
	uint8_t *copy;
	uint16_t hlen;
	bool ok;

	copy = malloc(a->offset);
	CHECK(copy != NULL);
	memcpy(copy, m->buf, a->offset);
	hlen = (uint16_t)(a->offset + STUN_ATTR_HDR_LEN + a->len -
			  STUN_HDR_LEN);
	copy[2] = (uint8_t)(hlen >> 8);
	copy[3] = (uint8_t)hlen;
	if (sha256) {
		CHECK(stun_hmac_sha256(key, key_len, copy, a->offset,
				       mac) == 0);
		ok = a->len >= STUN_MI256_MIN_LEN && a->len <= STUN_MI256_LEN &&
		     memcmp(mac, a->value, a->len) == 0;
	} else {
		CHECK(stun_hmac_sha1(key, key_len, copy, a->offset, mac) == 0);
		ok = a->len == STUN_MI_LEN &&
		     memcmp(mac, a->value, STUN_MI_LEN) == 0;
	}
	free(copy);
	return ok;
}

static void
check_integrity(const struct stun_msg *m, const uint8_t *key, size_t key_len)
{
	const struct stun_attr *mi =
		stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY);
	const struct stun_attr *mi256 =
		stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	enum stun_check c;

	c = stun_check_integrity(m, key, key_len);
	CHECK(c == STUN_CHECK_ABSENT || c == STUN_CHECK_VALID ||
	      c == STUN_CHECK_INVALID);
	CHECK((c == STUN_CHECK_ABSENT) == (mi == NULL));
	if (mi != NULL)
		CHECK((c == STUN_CHECK_VALID) ==
		      mi_matches(m, mi, key, key_len, false));

	c = stun_check_integrity_sha256(m, key, key_len);
	CHECK(c == STUN_CHECK_ABSENT || c == STUN_CHECK_VALID ||
	      c == STUN_CHECK_INVALID);
	CHECK((c == STUN_CHECK_ABSENT) == (mi256 == NULL));
	/* A truncated MAC the codec refuses is its policy; a VALID verdict
	 * on a MAC that does not match is a forgery. */
	if (c == STUN_CHECK_VALID)
		CHECK(mi_matches(m, mi256, key, key_len, true));
}

static void
check_fingerprint(const struct stun_msg *m)
{
	const struct stun_attr *fp = stun_msg_find(m, STUN_ATTR_FINGERPRINT);
	enum stun_check c = stun_check_fingerprint(m);

	CHECK(c == STUN_CHECK_ABSENT || c == STUN_CHECK_VALID ||
	      c == STUN_CHECK_INVALID);
	if (fp == NULL)
		return;
	/* RFC 8489 §14.7: CRC-32 of everything before it, XOR 0x5354554e;
	 * the parser guarantees it is the last attribute. */
	CHECK(fp->len == 4);
	CHECK((size_t)fp->offset + 8 == m->len);
	CHECK(c != STUN_CHECK_ABSENT);
	CHECK((c == STUN_CHECK_VALID) ==
	      (stun_fingerprint(m->buf, fp->offset) == rd32(fp->value)));
}

/* Answer the message with an error and insist the answer parses. */
static void
check_error_response(const struct stun_msg *req, uint16_t code,
		     const char *software, size_t cap)
{
	struct stun_msg resp;
	struct stun_parse_error perr;
	const struct stun_attr *ec;
	const char *reason;
	uint16_t rcode, rlen;
	uint8_t *out = malloc(cap ? cap : 1);
	int n;

	CHECK(out != NULL);
	n = stun_build_error_response(out, cap, req, code, software);
	if (n < 0)
		goto out_free;
	CHECK((size_t)n <= cap);
	CHECK(stun_is_stun(out, (size_t)n));
	if (stun_msg_parse(&resp, out, (size_t)n, &perr) != 0) {
		fprintf(stderr, "error response does not parse: %s at %u\n",
			perr.why ? perr.why : "?", perr.offset);
		abort();
	}
	CHECK(resp.cls == STUN_CLASS_ERROR);
	CHECK(resp.method == req->method);
	CHECK(memcmp(resp.tid, req->tid, STUN_TID_LEN) == 0);
	CHECK(stun_check_fingerprint(&resp) == STUN_CHECK_VALID);
	ec = stun_msg_find(&resp, STUN_ATTR_ERROR_CODE);
	CHECK(ec != NULL);
	CHECK(stun_attr_get_error(ec, &rcode, &reason, &rlen) == 0);
	CHECK(rcode == code);
	check_within(ec, reason, rlen);
out_free:
	free(out);
}

static void
check_chdata(const uint8_t *data, size_t size)
{
	struct chdata cd;

	if (chdata_decode(data, size, &cd) != 0)
		return;
	/* RFC 8656 §12.4: 4-byte header, then length bytes, then at most 3
	 * bytes of padding on a datagram. */
	CHECK(size >= CHDATA_HDR_LEN + (size_t)cd.len);
	CHECK(size - CHDATA_HDR_LEN - cd.len <= 3);
	CHECK(cd.channel >= CHDATA_CHANNEL_MIN &&
	      cd.channel <= CHDATA_FRAMED_MAX);
	CHECK(cd.channel == rd16(data) && cd.len == rd16(data + 2));
	CHECK(cd.data == data + CHDATA_HDR_LEN);
	touch(cd.data, cd.len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_msg m;
	struct stun_parse_error perr;
	bool is_stun;
	uint8_t tail;
	size_t small;

	keys_init();

	is_stun = stun_is_stun(data, size);
	check_chdata(data, size);
	sink += stun_fingerprint(data, size);

	perr.offset = 0;
	perr.why = NULL;
	if (stun_msg_parse(&m, data, size, &perr) != 0) {
		/* The error must point into the message (or at its end). */
		CHECK(perr.why != NULL);
		CHECK(perr.offset <= size);
		touch(perr.why, strlen(perr.why));
		return 0;
	}
	/* Whatever parses as STUN passes the cheap demultiplexing test. */
	CHECK(is_stun);

	tail = size ? data[size - 1] : 0;
	small = 1 + tail % 48;

	check_layout(&m, data, size);
	check_lookups(&m);
	for (unsigned i = 0; i < m.nattrs; i++) {
		walk_typed(&m, &m.attrs[i], small);
		walk_all_getters(&m, &m.attrs[i]);
	}

	check_integrity(&m, short_key, short_key_len);
	check_integrity(&m, long_key_md5, 16);
	check_integrity(&m, long_key_sha256, 32);
	check_fingerprint(&m);

	check_error_response(&m, error_codes[tail % TP_ARRAY_SIZE(error_codes)],
			     (tail & 0x80) ? "turnpike fuzz" : NULL, 2048);
	/* Too small a buffer must fail cleanly, never write past cap. */
	check_error_response(&m, STUN_ERR_BAD_REQUEST, "turnpike fuzz",
			     (size_t)(tail % 64));
	return 0;
}
