/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net/flow: the software flow owner is symmetric and gives, for IPv4
 * and IPv6, UDP and TCP, one to sixteen workers, the values dp's
 * dp_flow_owner() gave before it moved here (golden values computed with
 * the old code); the decision "NIC's queue where the port has RSS, the
 * software owner otherwise" in one function. Active opens: for random
 * tuples the port dp_flow_pick_sport() chooses brings the reply back to
 * the asked worker, under RSS (checked with DPDK's own rte_softrss() over
 * the whole reply tuple and the RETA) and under the software owner; a
 * range with no such port, an unknown RETA and bad arguments fail clearly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_thash.h>

#include "flow.h"

static const uint8_t v4[][4] = {
	{ 10, 210, 0, 2 }, { 10, 210, 0, 1 }, { 192, 0, 2, 7 }, { 10, 211, 0, 1 },
};
static const uint8_t v6[][16] = {
	{ 0xfd, 0, 0x02, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
	{ 0xfd, 0, 0x02, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 },
	{ 0xfd, 0, 0x02, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
};
static const uint32_t counts[5] = { 1, 2, 3, 4, 16 };

/* { family, pair (a = [2 pair], b = [2 pair + 1]), pa, pb, proto,
 *   owner for 1, 2, 3, 4, 16 workers }: printed by dp/net/udp.c's
 * dp_flow_owner() as it was before the move (commit bfb5443). */
static const struct {
	uint8_t family, pair;
	uint16_t pa, pb;
	uint8_t proto;
	uint32_t owner[5];
} golden[] = {
		{ 4, 0, 20000,     7, 17, { 0, 0, 0, 2, 6 } },
		{ 4, 0, 20000,     7,  6, { 0, 1, 1, 1, 1 } },
		{ 4, 0, 20001,     7, 17, { 0, 1, 1, 3, 7 } },
		{ 4, 0, 20001,     7,  6, { 0, 0, 1, 0, 0 } },
		{ 4, 0, 40000,  3478, 17, { 0, 0, 2, 0, 12 } },
		{ 4, 0, 40000,  3478,  6, { 0, 1, 0, 3, 11 } },
		{ 4, 0,  3478, 50000, 17, { 0, 1, 0, 3, 11 } },
		{ 4, 0,  3478, 50000,  6, { 0, 0, 0, 0, 12 } },
		{ 4, 0, 65535,     1, 17, { 0, 1, 2, 3, 3 } },
		{ 4, 0, 65535,     1,  6, { 0, 0, 2, 0, 4 } },
		{ 4, 1, 20000,     7, 17, { 0, 0, 1, 2, 10 } },
		{ 4, 1, 20000,     7,  6, { 0, 1, 0, 1, 13 } },
		{ 4, 1, 20001,     7, 17, { 0, 1, 2, 3, 11 } },
		{ 4, 1, 20001,     7,  6, { 0, 0, 1, 0, 12 } },
		{ 4, 1, 40000,  3478, 17, { 0, 0, 2, 0, 0 } },
		{ 4, 1, 40000,  3478,  6, { 0, 1, 1, 3, 7 } },
		{ 4, 1,  3478, 50000, 17, { 0, 1, 1, 3, 7 } },
		{ 4, 1,  3478, 50000,  6, { 0, 0, 0, 0, 0 } },
		{ 4, 1, 65535,     1, 17, { 0, 1, 2, 3, 15 } },
		{ 4, 1, 65535,     1,  6, { 0, 0, 1, 0, 8 } },
		{ 6, 0, 20000,     7, 17, { 0, 1, 2, 1, 13 } },
		{ 6, 0, 20000,     7,  6, { 0, 0, 1, 2, 10 } },
		{ 6, 0, 20001,     7, 17, { 0, 0, 1, 0, 12 } },
		{ 6, 0, 20001,     7,  6, { 0, 1, 2, 3, 11 } },
		{ 6, 0, 40000,  3478, 17, { 0, 1, 1, 3, 7 } },
		{ 6, 0, 40000,  3478,  6, { 0, 0, 1, 0, 0 } },
		{ 6, 0,  3478, 50000, 17, { 0, 0, 2, 0, 0 } },
		{ 6, 0,  3478, 50000,  6, { 0, 1, 1, 3, 7 } },
		{ 6, 0, 65535,     1, 17, { 0, 0, 0, 0, 8 } },
		{ 6, 0, 65535,     1,  6, { 0, 1, 0, 3, 15 } },
		{ 6, 1, 20000,     7, 17, { 0, 0, 0, 0, 0 } },
		{ 6, 1, 20000,     7,  6, { 0, 1, 0, 3, 7 } },
		{ 6, 1, 20001,     7, 17, { 0, 1, 0, 1, 1 } },
		{ 6, 1, 20001,     7,  6, { 0, 0, 1, 2, 6 } },
		{ 6, 1, 40000,  3478, 17, { 0, 0, 0, 2, 10 } },
		{ 6, 1, 40000,  3478,  6, { 0, 1, 1, 1, 13 } },
		{ 6, 1,  3478, 50000, 17, { 0, 1, 2, 1, 13 } },
		{ 6, 1,  3478, 50000,  6, { 0, 0, 2, 2, 10 } },
		{ 6, 1, 65535,     1, 17, { 0, 1, 1, 1, 5 } },
		{ 6, 1, 65535,     1,  6, { 0, 0, 2, 2, 2 } },
};

static void
test_flow_owner_golden_values(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		const uint8_t *a, *b;

		if (golden[i].family == NET_AF_IPV4) {
			a = v4[2 * golden[i].pair];
			b = v4[2 * golden[i].pair + 1];
		} else {
			a = v6[2 * golden[i].pair];
			b = v6[2 * golden[i].pair + 1];
		}
		for (unsigned int k = 0; k < 5; k++)
			assert_int_equal(dp_flow_owner_n(counts[k], golden[i].family, a, b,
							 golden[i].pa, golden[i].pb,
							 golden[i].proto),
					 golden[i].owner[k]);
	}
}

static void
test_flow_owner_symmetric(void **state)
{
	uint8_t a[16], b[16];

	(void)state;
	srand(10);
	for (unsigned int i = 0; i < 20000; i++) {
		uint8_t fam = (i & 1) ? NET_AF_IPV6 : NET_AF_IPV4;
		uint16_t pa = (uint16_t)rand(), pb = (uint16_t)rand();
		uint32_t n = 1 + (uint32_t)rand() % 64;
		uint8_t proto = (i & 2) ? 6 : 17;

		for (unsigned int k = 0; k < 16; k++) {
			a[k] = (uint8_t)rand();
			b[k] = (uint8_t)rand();
		}
		assert_int_equal(dp_flow_owner_n(n, fam, a, b, pa, pb, proto),
				 dp_flow_owner_n(n, fam, b, a, pb, pa, proto));
		assert_true(dp_flow_owner_n(n, fam, a, b, pa, pb, proto) < n);
	}
	/* IPv4 reads 4 bytes only: what follows does not matter */
	memcpy(a, v4[0], 4);
	memcpy(b, v4[1], 4);
	a[4] = 0x55;
	assert_int_equal(dp_flow_owner_n(16, NET_AF_IPV4, a, b, 1, 2, 17),
			 dp_flow_owner_n(16, NET_AF_IPV4, v4[0], v4[1], 1, 2, 17));
	/* no worker count to share among: worker 0 */
	assert_int_equal(dp_flow_owner_n(0, NET_AF_IPV4, a, b, 1, 2, 17), 0);
}

/* The decision: the NIC's queue with RSS, the software owner without. */
static void
test_flow_worker_rss_trusts_the_queue(void **state)
{
	(void)state;
	for (uint16_t p = 20000; p < 20100; p++) {
		uint32_t sw = dp_flow_owner_n(4, NET_AF_IPV4, v4[0], v4[1], p, 7, 17);

		assert_int_equal(dp_flow_worker(false, 3, 4, NET_AF_IPV4, v4[0], v4[1],
						p, 7, 17), sw);
		assert_int_equal(dp_flow_worker(true, 3, 4, NET_AF_IPV4, v4[0], v4[1],
						p, 7, 17), 3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_owner_golden_values),
		cmocka_unit_test(test_flow_owner_symmetric),
		cmocka_unit_test(test_flow_worker_rss_trusts_the_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
