/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/net neighbour cache with a fake clock: resolving an unknown
 * neighbour queues the packet and asks for a probe; the queue is bounded;
 * an answer releases the packets in order; probes repeat and give up,
 * freeing what waited; REACHABLE ages to STALE (still usable, re-probed)
 * and unused STALE entries are forgotten; deletion keeps lookups right.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "net.h"

#define SIZE 16
static struct neigh_entry mem[SIZE];
static struct neigh_table t;
static unsigned int freed;
static int pkts[64];

static void
free_pkt(void *pkt, void *arg)
{
	(void)pkt;
	(void)arg;
	freed++;
}

static unsigned int probes;
static uint8_t probed_ip[16];

static void
probe(void *arg, const struct neigh_entry *e)
{
	(void)arg;
	probes++;
	memcpy(probed_ip, e->ip, 16);
}

static int
setup(void **state)
{
	(void)state;
	freed = 0;
	probes = 0;
	/* reachable 30, retry 1, 3 probes, queue 4 (units: seconds) */
	assert_int_equal(neigh_table_init(&t, mem, SIZE, 4, 30, 1, 3, free_pkt, NULL), 0);
	return 0;
}

static const uint8_t ip1[4] = { 10, 0, 0, 1 };
static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 };

static void
test_neigh_unknown_queues_and_probes(void **state)
{
	uint8_t mac[6];
	bool pr;

	(void)state;
	assert_int_equal(neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[0], 100, mac, &pr),
			 NEIGH_RES_QUEUED);
	assert_true(pr);
	assert_int_equal(neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[1], 100, mac, &pr),
			 NEIGH_RES_QUEUED);
	assert_false(pr);   /* one probe per retry interval */
	assert_int_equal(neigh_lookup(&t, NET_AF_IPV4, ip1)->state, NEIGH_INCOMPLETE);
}

static void
test_neigh_queue_is_bounded(void **state)
{
	uint8_t mac[6];
	bool pr;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[i], 100, mac, &pr),
				 NEIGH_RES_QUEUED);
	assert_int_equal(neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[4], 100, mac, &pr),
			 NEIGH_RES_DROPPED);
}

static void
test_neigh_update_releases_in_order(void **state)
{
	void *out[8];
	uint8_t mac[6];
	bool pr;

	(void)state;
	for (int i = 0; i < 3; i++)
		neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[i], 100, mac, &pr);
	assert_int_equal(neigh_update(&t, NET_AF_IPV4, ip1, 0, mac1, 101, false, out, 8), 3);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(out[i], &pkts[i]);
	assert_int_equal(neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[5], 102, mac, &pr),
			 NEIGH_RES_READY);
	assert_memory_equal(mac, mac1, 6);
	assert_false(pr);
	assert_int_equal(freed, 0);
}

static void
test_neigh_update_without_create_ignores_strangers(void **state)
{
	void *out[8];

	(void)state;
	assert_int_equal(neigh_update(&t, NET_AF_IPV4, ip1, 0, mac1, 1, false, out, 8), 0);
	assert_null(neigh_lookup(&t, NET_AF_IPV4, ip1));
	assert_int_equal(neigh_update(&t, NET_AF_IPV4, ip1, 0, mac1, 1, true, out, 8), 0);
	assert_int_equal(neigh_lookup(&t, NET_AF_IPV4, ip1)->state, NEIGH_REACHABLE);
}

static void
test_neigh_retries_then_gives_up_and_frees(void **state)
{
	uint8_t mac[6];
	bool pr;

	(void)state;
	neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[0], 100, mac, &pr);
	neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[1], 100, mac, &pr);
	neigh_tick(&t, 100, probe, NULL);     /* not due yet */
	assert_int_equal(probes, 0);
	neigh_tick(&t, 101, probe, NULL);     /* second probe */
	assert_int_equal(probes, 1);
	assert_memory_equal(probed_ip, ip1, 4);
	neigh_tick(&t, 102, probe, NULL);     /* third */
	assert_int_equal(probes, 2);
	assert_int_equal(freed, 0);
	neigh_tick(&t, 103, probe, NULL);     /* give up */
	assert_int_equal(probes, 2);
	assert_int_equal(freed, 2);
	assert_int_equal(t.failed, 2);
	assert_null(neigh_lookup(&t, NET_AF_IPV4, ip1));
	assert_int_equal(t.count, 0);
}

static void
test_neigh_ages_to_stale_reprobes_and_forgets(void **state)
{
	void *out[1];
	uint8_t mac[6];
	bool pr;

	(void)state;
	neigh_update(&t, NET_AF_IPV4, ip1, 0, mac1, 0, true, out, 1);
	neigh_tick(&t, 29, probe, NULL);
	assert_int_equal(neigh_lookup(&t, NET_AF_IPV4, ip1)->state, NEIGH_REACHABLE);
	neigh_tick(&t, 30, probe, NULL);
	assert_int_equal(neigh_lookup(&t, NET_AF_IPV4, ip1)->state, NEIGH_STALE);
	/* still usable, and the use asks for a confirmation */
	assert_int_equal(neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[0], 31, mac, &pr),
			 NEIGH_RES_READY);
	assert_true(pr);
	assert_int_equal(neigh_resolve(&t, NET_AF_IPV4, ip1, 0, &pkts[0], 31, mac, &pr),
			 NEIGH_RES_READY);
	assert_false(pr);
	/* a confirmation brings it back */
	neigh_update(&t, NET_AF_IPV4, ip1, 0, mac1, 32, false, out, 1);
	assert_int_equal(neigh_lookup(&t, NET_AF_IPV4, ip1)->state, NEIGH_REACHABLE);
	/* unused for stale_time (4 x reachable) after going stale: gone */
	neigh_tick(&t, 62, probe, NULL);
	assert_int_equal(neigh_lookup(&t, NET_AF_IPV4, ip1)->state, NEIGH_STALE);
	neigh_tick(&t, 32 + 120, probe, NULL);
	assert_null(neigh_lookup(&t, NET_AF_IPV4, ip1));
}

static void
test_neigh_collisions_and_deletion_keep_lookups(void **state)
{
	void *out[1];
	uint8_t ip[4] = { 10, 0, 0, 0 }, mac[6] = { 2 };

	(void)state;
	/* fill 15 of 16 slots (one is kept free), v4 and v6 mixed */
	for (int i = 0; i < 15; i++) {
		ip[3] = (uint8_t)(i + 1);
		mac[5] = (uint8_t)i;
		if (i % 2) {
			uint8_t ip6[16] = { 0xfd, [15] = (uint8_t)(i + 1) };

			assert_int_equal(neigh_update(&t, NET_AF_IPV6, ip6, 0, mac, 0, true, out, 1), 0);
		} else {
			neigh_update(&t, NET_AF_IPV4, ip, 0, mac, 0, true, out, 1);
		}
	}
	assert_int_equal(t.count, 15);
	ip[3] = 99;
	{
		bool pr;
		uint8_t m[6];

		assert_int_equal(neigh_resolve(&t, NET_AF_IPV4, ip, 0, &pkts[0], 0, m, &pr),
				 NEIGH_RES_DROPPED);   /* table full */
	}
	/* Age everything to STALE, keep the IPv6 ones in use, and let the
	 * unused IPv4 ones be forgotten: seven deletions in a full table. */
	neigh_tick(&t, 30, probe, NULL);         /* all STALE */
	for (int i = 1; i < 15; i += 2) {
		uint8_t ip6[16] = { 0xfd, [15] = (uint8_t)(i + 1) };
		uint8_t m[6];
		bool pr;

		/* keep the IPv6 ones in use */
		neigh_resolve(&t, NET_AF_IPV6, ip6, 0, NULL, 150, m, &pr);
	}
	neigh_tick(&t, 151, probe, NULL);        /* unused IPv4 ones go */
	assert_int_equal(t.count, 7);
	for (int i = 0; i < 15; i++) {
		if (i % 2) {
			uint8_t ip6[16] = { 0xfd, [15] = (uint8_t)(i + 1) };
			const struct neigh_entry *e = neigh_lookup(&t, NET_AF_IPV6, ip6);

			assert_non_null(e);
			assert_int_equal(e->mac[5], i);
		} else {
			ip[3] = (uint8_t)(i + 1);
			assert_null(neigh_lookup(&t, NET_AF_IPV4, ip));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_neigh_unknown_queues_and_probes, setup),
		cmocka_unit_test_setup(test_neigh_queue_is_bounded, setup),
		cmocka_unit_test_setup(test_neigh_update_releases_in_order, setup),
		cmocka_unit_test_setup(test_neigh_update_without_create_ignores_strangers, setup),
		cmocka_unit_test_setup(test_neigh_retries_then_gives_up_and_frees, setup),
		cmocka_unit_test_setup(test_neigh_ages_to_stale_reprobes_and_forgets, setup),
		cmocka_unit_test_setup(test_neigh_collisions_and_deletion_keep_lookups, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
