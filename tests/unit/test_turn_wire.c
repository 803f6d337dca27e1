/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn/turn_wire.c: the wire formats dp builds and reads without a
 * packet buffer. A Data indication's head, with the data and its padding
 * after it, must be a STUN message lib/stun parses (RFC 8656 §11.4: the
 * DATA value is the peer's datagram as it came, XOR-PEER-ADDRESS the
 * peer); the quote of an ICMP error gives the relayed datagram's addresses
 * and ports, and anything that is not a whole UDP quote is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "net_types.h"
#include "stun.h"
#include "turn_internal.h"

static const uint8_t tid[STUN_TID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t v4[16] = { 203, 0, 113, 9 };
static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xef };

/* head + data + zero padding, as to_client_data_indication() lays it out */
static void
check_data_ind(uint8_t family, const uint8_t *ip, uint16_t dlen)
{
	static uint8_t msg[TURN_DATA_IND_HEAD_MAX + 2048];
	uint16_t pad = (uint16_t)((4 - (dlen & 3u)) & 3u);
	uint16_t pre = turn_data_ind_head(msg, family, ip, 40001, dlen, tid);
	const struct stun_attr *pa, *da;
	struct stun_parse_error err;
	struct stun_addr sa;
	struct stun_msg m;

	assert_int_equal(pre, family == NET_AF_IPV4 ? 36 : 48);
	for (uint16_t i = 0; i < dlen; i++)
		msg[pre + i] = (uint8_t)(i * 7 + 1);
	memset(msg + pre + dlen, 0, pad);
	assert_int_equal(stun_msg_parse(&m, msg, (size_t)pre + dlen + pad, &err), 0);
	assert_int_equal(m.len, pre + dlen + pad);
	assert_int_equal(m.method, STUN_METHOD_DATA);
	assert_int_equal(m.cls, STUN_CLASS_INDICATION);
	assert_memory_equal(m.tid, tid, STUN_TID_LEN);
	pa = stun_msg_find(&m, STUN_ATTR_XOR_PEER_ADDRESS);
	da = stun_msg_find(&m, STUN_ATTR_DATA);
	assert_non_null(pa);
	assert_non_null(da);
	assert_int_equal(stun_attr_get_addr(&m, pa, &sa), 0);
	assert_int_equal(sa.family, family == NET_AF_IPV4 ? STUN_AF_IPV4 : STUN_AF_IPV6);
	assert_int_equal(sa.port, 40001);
	assert_memory_equal(sa.ip, ip, family == NET_AF_IPV4 ? 4 : 16);
	assert_int_equal(da->len, dlen);
	assert_ptr_equal(da->value, msg + pre);
}

static void
test_turn_data_ind_head_parses_with_data_and_padding(void **state)
{
	(void)state;
	for (uint16_t dlen = 0; dlen < 9; dlen++) {
		check_data_ind(NET_AF_IPV4, v4, dlen);
		check_data_ind(NET_AF_IPV6, v6, dlen);
	}
	check_data_ind(NET_AF_IPV4, v4, 1199);
	check_data_ind(NET_AF_IPV6, v6, 2000);
}

/* An IPv4 header (ihl words) and the first bytes of UDP. */
static size_t
quote4(uint8_t *q, unsigned int ihl, uint8_t proto, size_t after)
{
	memset(q, 0, 128);
	q[0] = (uint8_t)(0x40 | ihl);
	q[9] = proto;
	memcpy(q + 12, v4, 4);                       /* our relayed address */
	q[16] = 198;
	q[17] = 51;
	q[18] = 100;
	q[19] = 7;
	q[ihl * 4] = 0xc3;                           /* 50000 */
	q[ihl * 4 + 1] = 0x50;
	q[ihl * 4 + 2] = 0x13;                       /* 5000 */
	q[ihl * 4 + 3] = 0x88;
	return ihl * 4u + after;
}

static void
test_turn_icmp_quote_v4(void **state)
{
	uint8_t q[128];
	const uint8_t *src, *dst;
	uint16_t sp, dp;
	size_t n;

	(void)state;
	n = quote4(q, 5, 17, 8);
	assert_int_equal(turn_icmp_quote(NET_AF_IPV4, q, n, &src, &dst, &sp, &dp), 0);
	assert_ptr_equal(src, q + 12);
	assert_ptr_equal(dst, q + 16);
	assert_int_equal(sp, 50000);
	assert_int_equal(dp, 5000);
	/* IP options: the ports after them */
	n = quote4(q, 7, 17, 4);
	assert_int_equal(turn_icmp_quote(NET_AF_IPV4, q, n, &src, &dst, &sp, &dp), 0);
	assert_int_equal(sp, 50000);
	assert_int_equal(dp, 5000);
	/* short of the ports, or not UDP */
	n = quote4(q, 7, 17, 3);
	assert_int_equal(turn_icmp_quote(NET_AF_IPV4, q, n, &src, &dst, &sp, &dp), -EINVAL);
	n = quote4(q, 5, 6, 8);
	assert_int_equal(turn_icmp_quote(NET_AF_IPV4, q, n, &src, &dst, &sp, &dp), -EINVAL);
	assert_int_equal(turn_icmp_quote(NET_AF_IPV4, q, 19, &src, &dst, &sp, &dp), -EINVAL);
	/* an IHL below 5 is no IPv4 header: the "ports" would be read from
	 * inside it */
	for (unsigned int ihl = 0; ihl < 5; ihl++) {
		n = quote4(q, ihl, 17, 8);
		q[9] = 17;
		assert_int_equal(turn_icmp_quote(NET_AF_IPV4, q, 28, &src, &dst, &sp, &dp),
				 -EINVAL);
	}
}

static void
test_turn_icmp_quote_v6(void **state)
{
	uint8_t q[64];
	const uint8_t *src, *dst;
	uint16_t sp, dp;

	(void)state;
	memset(q, 0, sizeof(q));
	q[0] = 0x60;
	q[6] = 17;
	memcpy(q + 8, v6, 16);
	memcpy(q + 24, v6, 16);
	q[39] = 1;
	q[40] = 0xc3;
	q[41] = 0x51;
	q[42] = 0x00;
	q[43] = 0x35;
	assert_int_equal(turn_icmp_quote(NET_AF_IPV6, q, 48, &src, &dst, &sp, &dp), 0);
	assert_ptr_equal(src, q + 8);
	assert_ptr_equal(dst, q + 24);
	assert_int_equal(sp, 50001);
	assert_int_equal(dp, 53);
	assert_int_equal(turn_icmp_quote(NET_AF_IPV6, q, 43, &src, &dst, &sp, &dp), -EINVAL);
	q[6] = 58;                                   /* ICMPv6, not UDP */
	assert_int_equal(turn_icmp_quote(NET_AF_IPV6, q, 48, &src, &dst, &sp, &dp), -EINVAL);
}

/* A request we can frame (header, class, cookie) gets a 400 when it does
 * not parse; responses, indications, ChannelData and short or cookieless
 * messages are dropped. */
static void
test_turn_stun_is_framed_request(void **state)
{
	uint8_t h[STUN_HDR_LEN] = { 0x00, 0x03, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42 };

	(void)state;
	assert_true(turn_stun_is_framed_request(h, sizeof(h)));
	assert_true(turn_stun_is_framed_request(h, sizeof(h) + 100));
	assert_false(turn_stun_is_framed_request(h, sizeof(h) - 1));
	h[1] = 0x13;                                 /* 0x0013: Data indication */
	assert_false(turn_stun_is_framed_request(h, sizeof(h)));
	h[1] = 0x03;
	h[0] = 0x01;                                 /* 0x0103: success response */
	assert_false(turn_stun_is_framed_request(h, sizeof(h)));
	h[0] = 0x40;                                 /* ChannelData */
	assert_false(turn_stun_is_framed_request(h, sizeof(h)));
	h[0] = 0x00;
	h[7] = 0x43;                                 /* not the magic cookie */
	assert_false(turn_stun_is_framed_request(h, sizeof(h)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turn_data_ind_head_parses_with_data_and_padding),
		cmocka_unit_test(test_turn_icmp_quote_v4),
		cmocka_unit_test(test_turn_icmp_quote_v6),
		cmocka_unit_test(test_turn_stun_is_framed_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
