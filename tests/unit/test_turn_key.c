/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn's allocation key (turn_inlines.h: turn_key_from()). The key is
 * built in registers and hashed from them, not from memory; rte_hash hashes
 * the stored key itself on add, so the two must agree or lookups miss
 * (turn_init()'s self-check refuses to start otherwise). Here for more keys
 * than the self-check: v4 and v6, every field, the layout rte_hash compares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "turn_inlines.h"

static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4,
				 5, 6, 7, 8, 9, 10, 11, 12 };

/* The hash is rte_hash_crc() over the 32 stored bytes, for keys that
 * differ in every field. */
static void
test_turn_key_hash_is_rte_hash_crc_of_stored_key(void **state)
{
	static const uint8_t fam[2] = { NET_AF_IPV4, NET_AF_IPV6 };

	(void)state;
	for (unsigned int f = 0; f < 2; f++)
		for (unsigned int i = 0; i < 64; i++) {
			union turn_keyu k;
			uint8_t ip[16];
			uint32_t h;

			for (unsigned int b = 0; b < 16; b++)
				ip[b] = (uint8_t)(ip6[b] * (i + 1) + b);
			memset(&k, 0xa5, sizeof(k));
			h = turn_key_from(&k, 17, 0, fam[f], (uint8_t)i, ip,
					  (uint16_t)(1000u * i + 7u), (uint16_t)(3478u + i));
			assert_int_equal(h, rte_hash_crc(&k, sizeof(k), 0));
		}
}

/* IPv4: the four address bytes, then zeros (whatever follows the address
 * in the caller's buffer), pads zero. */
static void
test_turn_key_v4_layout(void **state)
{
	union turn_keyu k;

	(void)state;
	memset(&k, 0xff, sizeof(k));
	turn_key_from(&k, 17, 0, NET_AF_IPV4, 1, ip6, 40000, 3478);
	assert_int_equal(k.k.family, NET_AF_IPV4);
	assert_int_equal(k.k.in_port, 1);
	assert_int_equal(k.k.client_port, 40000);
	assert_int_equal(k.k.server_port, 3478);
	assert_int_equal(k.k.transport, 17);
	assert_int_equal(k.k.pad, 0);
	assert_memory_equal(k.k.client_ip, ip6, 4);
	for (unsigned int b = 4; b < 16; b++)
		assert_int_equal(k.k.client_ip[b], 0);
	assert_int_equal(k.k.conn_id, 0);
}

static void
test_turn_key_v6_layout(void **state)
{
	union turn_keyu k;

	(void)state;
	memset(&k, 0xff, sizeof(k));
	turn_key_from(&k, 17, 0, NET_AF_IPV6, 2, ip6, 1, 2);
	assert_int_equal(k.k.family, NET_AF_IPV6);
	assert_int_equal(k.k.in_port, 2);
	assert_int_equal(k.k.client_port, 1);
	assert_int_equal(k.k.server_port, 2);
	assert_int_equal(k.k.pad, 0);
	assert_memory_equal(k.k.client_ip, ip6, 16);
}

/* A stream client's key: transport and connection in their fields, and
 * still hashed as stored. */
static void
test_turn_key_stream_layout(void **state)
{
	union turn_keyu k;
	uint32_t h;

	(void)state;
	memset(&k, 0xff, sizeof(k));
	h = turn_key_from(&k, 6, 0x0102030400c0ffeeull, NET_AF_IPV4, 1, ip6, 40000, 80);
	assert_int_equal(h, rte_hash_crc(&k, sizeof(k), 0));
	assert_int_equal(k.k.transport, 6);
	assert_int_equal(k.k.pad, 0);
	assert_true(k.k.conn_id == 0x0102030400c0ffeeull);
	assert_int_equal(k.k.server_port, 80);
	assert_memory_equal(k.k.client_ip, ip6, 4);
}

/* Keys that differ in any one field are different keys (and, for these,
 * different hashes). */
static void
test_turn_key_any_field_differs(void **state)
{
	union turn_keyu base, k;
	uint32_t hb, h;
	uint8_t ip[16];

	(void)state;
	hb = turn_key_from(&base, 17, 0, NET_AF_IPV6, 3, ip6, 5000, 3478);
	h = turn_key_from(&k, 17, 0, NET_AF_IPV4, 3, ip6, 5000, 3478);
	assert_true(h != hb && memcmp(&k, &base, sizeof(k)) != 0);
	h = turn_key_from(&k, 17, 0, NET_AF_IPV6, 4, ip6, 5000, 3478);
	assert_true(h != hb && memcmp(&k, &base, sizeof(k)) != 0);
	h = turn_key_from(&k, 17, 0, NET_AF_IPV6, 3, ip6, 5001, 3478);
	assert_true(h != hb && memcmp(&k, &base, sizeof(k)) != 0);
	h = turn_key_from(&k, 17, 0, NET_AF_IPV6, 3, ip6, 5000, 80);
	assert_true(h != hb && memcmp(&k, &base, sizeof(k)) != 0);
	h = turn_key_from(&k, 6, 0, NET_AF_IPV6, 3, ip6, 5000, 3478);
	assert_true(h != hb && memcmp(&k, &base, sizeof(k)) != 0);
	h = turn_key_from(&k, 17, 1, NET_AF_IPV6, 3, ip6, 5000, 3478);
	assert_true(h != hb && memcmp(&k, &base, sizeof(k)) != 0);
	for (unsigned int b = 0; b < 16; b++) {
		memcpy(ip, ip6, 16);
		ip[b] ^= 0x10;
		h = turn_key_from(&k, 17, 0, NET_AF_IPV6, 3, ip, 5000, 3478);
		assert_true(h != hb && memcmp(&k, &base, sizeof(k)) != 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turn_key_hash_is_rte_hash_crc_of_stored_key),
		cmocka_unit_test(test_turn_key_v4_layout),
		cmocka_unit_test(test_turn_key_v6_layout),
		cmocka_unit_test(test_turn_key_stream_layout),
		cmocka_unit_test(test_turn_key_any_field_differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
