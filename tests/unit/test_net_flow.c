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

/* ---- active opens -------------------------------------------------------- */

/* dp/port/port.c's symmetric key, and one that is not symmetric. */
static const uint8_t sym_key[NET_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

static struct net_flow_steer steer;

static void
steer_rss(uint32_t n, uint16_t reta_size, bool random_key)
{
	memset(&steer, 0, sizeof(steer));
	steer.nworkers = n;
	steer.rss = true;
	steer.rss_l4 = NET_RSS_L4_UDP | NET_RSS_L4_TCP;
	steer.reta_size = reta_size;
	for (unsigned int i = 0; i < NET_RSS_KEY_LEN; i++)
		steer.rss_key[i] = random_key ? (uint8_t)rand() : sym_key[i];
	for (unsigned int i = 0; i < reta_size; i++)
		steer.reta[i] = (uint8_t)(i % n);
}

/* The queue a NIC gives the reply (remote, rport -> local, lport), by
 * DPDK's own tuple layout and rte_softrss(), independently of flow.c. */
static uint32_t
nic_queue(uint8_t fam, const uint8_t *local, const uint8_t *remote,
	  uint16_t rport, uint16_t lport)
{
	union rte_thash_tuple t;
	uint32_t h;

	memset(&t, 0, sizeof(t));
	if (fam == NET_AF_IPV4) {
		t.v4.src_addr = (uint32_t)remote[0] << 24 | (uint32_t)remote[1] << 16 |
				(uint32_t)remote[2] << 8 | remote[3];
		t.v4.dst_addr = (uint32_t)local[0] << 24 | (uint32_t)local[1] << 16 |
				(uint32_t)local[2] << 8 | local[3];
		t.v4.sport = rport;
		t.v4.dport = lport;
		h = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, steer.rss_key);
	} else {
		struct rte_ipv6_hdr ip6;

		memset(&ip6, 0, sizeof(ip6));
		memcpy(ip6.src_addr, remote, 16);
		memcpy(ip6.dst_addr, local, 16);
		rte_thash_load_v6_addrs(&ip6, &t);
		t.v6.sport = rport;
		t.v6.dport = lport;
		h = rte_softrss((uint32_t *)&t, RTE_THASH_V6_L4_LEN, steer.rss_key);
	}
	return steer.reta[h % steer.reta_size];
}

static void
random_addrs(uint8_t fam, uint8_t *local, uint8_t *remote)
{
	for (unsigned int k = 0; k < (fam == NET_AF_IPV4 ? 4u : 16u); k++) {
		local[k] = (uint8_t)rand();
		remote[k] = (uint8_t)rand();
	}
}

/* Under RSS and under the software owner, for random tuples, ranges and
 * workers: the chosen port is in the range, is the first at or after
 * start (wrapping) whose reply lands on the worker, and its reply lands
 * there. */
static void
check_picks(bool rss)
{
	uint8_t local[16], remote[16];
	unsigned int unreachable = 0;

	srand(rss ? 6062 : 9293);
	for (unsigned int i = 0; i < 2000; i++) {
		uint8_t fam = (i & 1) ? NET_AF_IPV6 : NET_AF_IPV4;
		uint8_t proto = (i & 2) ? 6 : 17;
		uint32_t n = 2 + (uint32_t)rand() % 15, worker = (uint32_t)rand() % n;
		uint16_t lo = (uint16_t)(1024 + rand() % 60000);
		uint16_t hi = (uint16_t)(lo + (i & 4 ? 1000 : 64511 - (lo - 1024)));
		uint16_t start = (uint16_t)(lo + (uint32_t)rand() % ((uint32_t)hi - lo + 1));
		uint16_t rport = (uint16_t)rand(), lport = 0;
		int rc;

		if (rss)
			steer_rss(n, (i & 8) ? 512 : 128, (i & 16) != 0);
		else {
			memset(&steer, 0, sizeof(steer));
			steer.nworkers = n;
		}
		random_addrs(fam, local, remote);
		rc = dp_flow_pick_sport(&steer, fam, local, remote, rport, proto, lo, hi,
					start, worker, &lport);
		if (rc == -EADDRNOTAVAIL) {
			/* a key whose windows over the range's port bits do
			 * not reach every RETA entry: no port may land there */
			assert_true(rss && (i & 16) != 0);
			for (uint32_t p = lo; p <= hi; p++)
				assert_int_not_equal(nic_queue(fam, local, remote, rport,
							       (uint16_t)p), worker);
			unreachable++;
			continue;
		}
		assert_int_equal(rc, 0);
		assert_true(lport >= lo && lport <= hi);
		if (rss)
			assert_int_equal(nic_queue(fam, local, remote, rport, lport), worker);
		if (rss && (i & 16) == 0)    /* symmetric key: our own SYN's
					      * hash names the worker too */
			assert_int_equal(nic_queue(fam, remote, local, lport, rport), worker);
		if (!rss)
			assert_int_equal(dp_flow_owner_n(n, fam, local, remote, lport, rport,
							 proto), worker);
		assert_int_equal(dp_flow_rx_worker(&steer, fam, remote, local, rport,
						   lport, proto), worker);
		/* the first one at or after start */
		for (uint32_t p = start; p != lport; p = p == hi ? lo : p + 1)
			assert_int_not_equal(dp_flow_rx_worker(&steer, fam, remote, local,
							       rport, (uint16_t)p, proto),
					     worker);
	}
	/* rare: only random keys over 1000-port ranges */
	assert_true(unreachable < 40);
}

static void
test_flow_pick_sport_rss_reply_lands_on_worker(void **state)
{
	(void)state;
	check_picks(true);
}

static void
test_flow_pick_sport_software_reply_lands_on_worker(void **state)
{
	(void)state;
	check_picks(false);
}

/* One worker: any port. */
static void
test_flow_pick_sport_one_worker_takes_start(void **state)
{
	uint16_t lport = 0;

	(void)state;
	memset(&steer, 0, sizeof(steer));
	steer.nworkers = 1;
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 80, 6,
					    1024, 65535, 33333, 0, &lport), 0);
	assert_int_equal(lport, 33333);
}

/* A range where no port brings the reply to the worker: a clear
 * -EADDRNOTAVAIL, *lport untouched. */
static void
test_flow_pick_sport_no_port_in_range(void **state)
{
	uint16_t lport = 4242, p = 40000;
	uint32_t at;

	(void)state;
	/* one-port range: the worker it lands on, and not another */
	steer_rss(4, 128, false);
	at = nic_queue(NET_AF_IPV4, v4[0], v4[1], 443, p);
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 6,
					    p, p, p, at, &lport), 0);
	assert_int_equal(lport, p);
	lport = 4242;
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 6,
					    p, p, p, (at + 1) % 4, &lport), -EADDRNOTAVAIL);
	assert_int_equal(lport, 4242);
	/* a RETA that never names worker 3: no port anywhere */
	for (unsigned int i = 0; i < 128; i++)
		steer.reta[i] = (uint8_t)(i % 3);
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV6, v6[0], v6[1], 443, 6,
					    1024, 65535, 1024, 3, &lport), -EADDRNOTAVAIL);
	/* software owner, one-port range */
	memset(&steer, 0, sizeof(steer));
	steer.nworkers = 4;
	at = dp_flow_owner_n(4, NET_AF_IPV6, v6[0], v6[1], p, 443, 17);
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV6, v6[0], v6[1], 443, 17,
					    p, p, p, (at + 1) % 4, &lport), -EADDRNOTAVAIL);
	assert_int_equal(lport, 4242);
}

/* What cannot be computed is refused, never guessed. */
static void
test_flow_pick_sport_refuses_what_it_cannot_know(void **state)
{
	uint16_t lport = 0;
	uint32_t at;

	(void)state;
	steer_rss(2, 128, false);
	steer.reta_size = 0;      /* the RETA could not be read back */
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 6,
					    1024, 65535, 1024, 0, &lport), -ENOTSUP);
	assert_int_equal(dp_flow_rx_worker(&steer, NET_AF_IPV4, v4[1], v4[0], 443, 1024,
					   6), UINT32_MAX);
	/* the NIC hashes addresses only: the port changes nothing */
	steer_rss(2, 128, false);
	steer.rss_l4 = NET_RSS_L4_UDP;
	at = dp_flow_rx_worker(&steer, NET_AF_IPV4, v4[1], v4[0], 443, 1, 6);
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 6,
					    1024, 65535, 2000, at, &lport), 0);
	assert_int_equal(lport, 2000);
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 6,
					    1024, 65535, 2000, 1 - at, &lport), -ENOTSUP);
	/* bad arguments */
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 6,
					    2000, 1999, 2000, 0, &lport), -EINVAL);
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 6,
					    2000, 3000, 1999, 0, &lport), -EINVAL);
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 6,
					    2000, 3000, 2000, 2, &lport), -EINVAL);
	assert_int_equal(dp_flow_pick_sport(&steer, 5, v4[0], v4[1], 443, 6,
					    2000, 3000, 2000, 0, &lport), -EINVAL);
	assert_int_equal(dp_flow_pick_sport(&steer, NET_AF_IPV4, v4[0], v4[1], 443, 1,
					    2000, 3000, 2000, 0, &lport), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_owner_golden_values),
		cmocka_unit_test(test_flow_owner_symmetric),
		cmocka_unit_test(test_flow_worker_rss_trusts_the_queue),
		cmocka_unit_test(test_flow_pick_sport_rss_reply_lands_on_worker),
		cmocka_unit_test(test_flow_pick_sport_software_reply_lands_on_worker),
		cmocka_unit_test(test_flow_pick_sport_one_worker_takes_start),
		cmocka_unit_test(test_flow_pick_sport_no_port_in_range),
		cmocka_unit_test(test_flow_pick_sport_refuses_what_it_cannot_know),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
