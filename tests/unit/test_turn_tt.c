/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn's client 5-tuple table (turn_tt.c, turn_tt_lookup()): every key
 * found at its slot, none that is not there, across buckets that filled
 * (entries past their own bucket, the counts in lane 7), removals in the
 * middle of such a run, hash 0, and a long random mix of installs and
 * removals checked against a plain array. The table's memory is made here
 * (calloc: turn_tt_init() takes DPDK's heap, not started in this test);
 * the hashes are chosen by the test, so that many keys share a bucket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "turn_inlines.h"
#include "turn_tt.h"

#define NSLOTS 256u

struct fx {
	struct turn_worker t;
	union turn_keyu key[NSLOTS];    /* by test key number */
	uint32_t hash[NSLOTS];
	int slot[NSLOTS];               /* -1: not in the table */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint32_t nb = 8;                 /* 56 entries' lanes: runs past buckets */

	if (f == NULL)
		return -1;
	f->t.allocs = calloc(NSLOTS, sizeof(*f->t.allocs));
	f->t.tt.b = aligned_alloc(64, nb * sizeof(struct turn_tt_bucket));
	f->t.tt.free = calloc(NSLOTS, sizeof(uint32_t));
	if (f->t.allocs == NULL || f->t.tt.b == NULL || f->t.tt.free == NULL)
		return -1;
	memset(f->t.tt.b, 0, nb * sizeof(struct turn_tt_bucket));
	f->t.tt.mask = nb - 1;
	for (uint32_t i = 0; i < NSLOTS; i++)
		f->t.tt.free[i] = NSLOTS - 1 - i;
	f->t.tt.nfree = NSLOTS;
	for (uint32_t i = 0; i < NSLOTS; i++) {
		uint8_t ip[16] = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i };

		(void)turn_key_from(&f->key[i], STUN_TRANSPORT_UDP, 0, NET_AF_IPV4, 0, ip,
				    (uint16_t)(40000 + i), 3478);
		f->slot[i] = -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	free(f->t.allocs);
	free(f->t.tt.b);
	free(f->t.tt.free);
	free(f);
	return 0;
}

/* Key i into the table under hash h, its allocation filled as
 * turn_alloc_install() fills it (what the lookup compares). */
static void
add(struct fx *f, uint32_t i, uint32_t h)
{
	uint32_t s;
	struct turn_alloc *a;

	assert_int_equal(turn_tt_lookup(&f->t, &f->key[i], h), -1);
	assert_int_equal(turn_tt_slot_get(&f->t.tt, &s), 0);
	turn_tt_insert(&f->t.tt, h, s);
	a = &f->t.allocs[s];
	memset(a, 0, sizeof(*a));
	a->id = i + 1;
	a->client.family = NET_AF_IPV4;
	memcpy(a->client.ip, f->key[i].k.client_ip, 16);
	a->client.port = f->key[i].k.client_port;
	a->server.family = NET_AF_IPV4;
	a->server.port = f->key[i].k.server_port;
	turn_alloc_key_set(a, f->key[i].k.in_port);
	f->hash[i] = h;
	f->slot[i] = (int)s;
}

static void
del(struct fx *f, uint32_t i)
{
	turn_tt_remove(&f->t.tt, f->hash[i], (uint32_t)f->slot[i]);
	memset(&f->t.allocs[f->slot[i]], 0, sizeof(struct turn_alloc));
	f->slot[i] = -1;
}

static void
check_all(struct fx *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(turn_tt_lookup(&f->t, &f->key[i],
						f->slot[i] >= 0 ? f->hash[i] : i * 2654435761u),
				 f->slot[i]);
}

static uint32_t
lane7_sum(const struct fx *f)
{
	uint32_t s = 0;

	for (uint32_t b = 0; b <= f->t.tt.mask; b++)
		s += f->t.tt.b[b].tag[TURN_TT_LANES];
	return s;
}

/* 20 keys whose hashes all name bucket 2: seven there, the rest in the
 * buckets after it, each found; lane 7 counts them on every bucket they
 * passed; a key not added is not found though its hash and tag match. */
static void
test_turn_tt_finds_keys_past_their_full_bucket(void **state)
{
	struct fx *f = *state;

	for (uint32_t i = 0; i < 20; i++)
		add(f, i, 0x1000u * (i + 1) + 2u);
	check_all(f, 20);
	/* bucket 2 passed 13 on, bucket 3 passed 6 on, bucket 4 holds 6 */
	assert_int_equal(f->t.tt.b[2].tag[TURN_TT_LANES], 13);
	assert_int_equal(f->t.tt.b[3].tag[TURN_TT_LANES], 6);
	assert_int_equal(f->t.tt.b[4].tag[TURN_TT_LANES], 0);
	/* key 30's hash equal to key 5's: same bucket, same tag, other key */
	assert_int_equal(turn_tt_lookup(&f->t, &f->key[30], f->hash[5]), -1);
}

/* Removing keys inside a run (in their own bucket, and past it) leaves
 * every other key found, and the counts go back to 0 once all are out;
 * every slot comes back to the free stack. */
static void
test_turn_tt_removal_keeps_the_rest_found(void **state)
{
	struct fx *f = *state;

	for (uint32_t i = 0; i < 20; i++)
		add(f, i, 0x1000u * (i + 1) + 2u);
	del(f, 3);                   /* in bucket 2 */
	del(f, 12);                  /* in bucket 3 */
	del(f, 19);                  /* in bucket 4, the run's end */
	check_all(f, 20);
	/* a new key of the same bucket takes the hole in bucket 2 and moves
	 * no count */
	add(f, 40, 0x9002u);
	assert_int_equal(turn_tt_lookup(&f->t, &f->key[40], 0x9002u), f->slot[40]);
	check_all(f, 20);
	for (uint32_t i = 0; i < 20; i++)
		if (f->slot[i] >= 0)
			del(f, i);
	del(f, 40);
	assert_int_equal(lane7_sum(f), 0);
	assert_int_equal(f->t.tt.nfree, NSLOTS);
	check_all(f, 20);
}

/* Hash 0 has tag 1 (0 is an empty lane) and is found; the run wraps from
 * the last bucket to the first. */
static void
test_turn_tt_hash_zero_and_wrap(void **state)
{
	struct fx *f = *state;

	add(f, 0, 0);
	for (uint32_t i = 1; i < 10; i++)
		add(f, i, 0x100u * i + 7u);   /* bucket 7, then 0 */
	check_all(f, 10);
	assert_int_equal(f->t.tt.b[7].tag[TURN_TT_LANES], 2);
	del(f, 0);
	del(f, 9);
	check_all(f, 10);
}

/* 20,000 random installs and removals over 200 keys in 8 buckets (at
 * most 50 in at once, in 56 lanes), with hashes from a handful of values:
 * every key's lookup agrees with the array every 97 steps, and the counts
 * are 0 when the table is empty. Here every bucket comes to have passed
 * entries on, and a lookup of a key that is not there must still end:
 * the first lookup went round the table forever (now: every bucket once
 * at most). */
static void
test_turn_tt_random_against_an_array(void **state)
{
	struct fx *f = *state;
	uint64_t x = 88172645463325252ull;
	uint32_t in = 0;

	for (uint32_t step = 0; step < 20000; step++) {
		uint32_t i;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (uint32_t)(x % 200);
		if (f->slot[i] >= 0) {
			del(f, i);
			in--;
		} else if (in < 50) {
			add(f, i, (uint32_t)(x >> 40) % 5u * 0x10001u + (uint32_t)(x >> 20) % 3u);
			in++;
		}
		if (step % 97 == 0)
			check_all(f, 200);
	}
	check_all(f, 200);
	for (uint32_t i = 0; i < 200; i++)
		if (f->slot[i] >= 0)
			del(f, i);
	assert_int_equal(lane7_sum(f), 0);
	assert_int_equal(f->t.tt.nfree, NSLOTS);
}

/* A table in memory of the caller's (dp's tables share one region,
 * turn_worker_tables()): its buckets and free slots within
 * turn_tt_bytes(), every slot usable, the bytes after it untouched, and
 * the memory left to the caller by turn_tt_free(). */
static void
test_turn_tt_init_at_in_callers_memory(void **state)
{
	struct fx *f = *state;
	struct turn_tt own = f->t.tt;
	size_t n = turn_tt_bytes(NSLOTS);
	uint8_t *mem = aligned_alloc(64, n + 64);

	assert_non_null(mem);
	memset(mem, 0, n);
	memset(mem + n, 0xa5, 64);
	turn_tt_init_at(&f->t.tt, NSLOTS, mem);
	assert_ptr_equal(f->t.tt.b, mem);
	assert_true(f->t.tt.mask + 1 >= NSLOTS / 5);
	assert_true((uint8_t *)f->t.tt.free >=
		    mem + (f->t.tt.mask + 1) * sizeof(struct turn_tt_bucket));
	assert_true((uint8_t *)(f->t.tt.free + NSLOTS) <= mem + n);
	assert_int_equal(f->t.tt.nfree, NSLOTS);
	for (uint32_t i = 0; i < NSLOTS; i++)
		add(f, i, i * 2654435761u);
	assert_int_equal(f->slot[0], 0);        /* slot 0 first */
	assert_int_equal(f->t.tt.nfree, 0);
	check_all(f, NSLOTS);
	for (uint32_t i = 0; i < 64; i++)
		assert_int_equal(mem[n + i], 0xa5);
	turn_tt_free(&f->t.tt);
	assert_null(f->t.tt.b);
	assert_null(f->t.tt.free);
	free(mem);                              /* (ASan: twice, had it been taken) */
	f->t.tt = own;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_turn_tt_finds_keys_past_their_full_bucket,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_tt_removal_keeps_the_rest_found,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_tt_hash_zero_and_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_tt_random_against_an_array, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_turn_tt_init_at_in_callers_memory, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
