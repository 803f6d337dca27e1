/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/alloc/mob_ticket.c, RFC 8016 mobility tickets: a sealed ticket opens
 * to its allocation id and generation; what turnutils_uclient -M keeps
 * (at most 32 bytes, no NUL) holds it; every single-byte change, every
 * other length, another key and a key two rotations old are refused; one
 * rotation back still opens; the same (id, generation) seals the same
 * ticket and another generation another one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "mob_ticket.h"

static void
test_mob_ticket_round_trip_fits_uclient(void **state)
{
	struct cp_mob_keys k;
	char t[CP_MOB_TICKET_LEN];
	uint64_t id = 0;
	uint16_t gen = 0;

	(void)state;
	assert_int_equal(cp_mob_keys_init(&k), 0);
	assert_int_equal(cp_mob_ticket_seal(&k, 0x123456789abcull, 0xfffe, t), 0);
	assert_true(CP_MOB_TICKET_LEN <= 32);
	assert_null(memchr(t, '\0', sizeof(t)));
	assert_int_equal(cp_mob_ticket_open(&k, (const uint8_t *)t, sizeof(t), &id, &gen), 0);
	assert_int_equal(id, 0x123456789abcull);
	assert_int_equal(gen, 0xfffe);
	assert_int_equal(cp_mob_ticket_seal(&k, 1, 0, t), 0);
	assert_int_equal(cp_mob_ticket_open(&k, (const uint8_t *)t, sizeof(t), &id, &gen), 0);
	assert_int_equal(id, 1);
	assert_int_equal(gen, 0);
	cp_mob_keys_fini(&k);
}

static void
test_mob_ticket_every_changed_byte_refused(void **state)
{
	struct cp_mob_keys k;
	char t[CP_MOB_TICKET_LEN];
	uint8_t f[CP_MOB_TICKET_LEN];
	uint64_t id;
	uint16_t gen;

	(void)state;
	assert_int_equal(cp_mob_keys_init(&k), 0);
	assert_int_equal(cp_mob_ticket_seal(&k, 77, 3, t), 0);
	for (unsigned int i = 0; i < sizeof(t); i++) {
		/* another character of the alphabet: a forgery, not a typo */
		memcpy(f, t, sizeof(f));
		f[i] = f[i] == 'A' ? 'B' : 'A';
		assert_int_equal(cp_mob_ticket_open(&k, f, sizeof(f), &id, &gen), -EACCES);
		/* outside the alphabet */
		f[i] = '=';
		assert_int_equal(cp_mob_ticket_open(&k, f, sizeof(f), &id, &gen), -EBADMSG);
		f[i] = '\0';
		assert_int_equal(cp_mob_ticket_open(&k, f, sizeof(f), &id, &gen), -EBADMSG);
	}
	cp_mob_keys_fini(&k);
}

static void
test_mob_ticket_truncated_or_long_refused(void **state)
{
	struct cp_mob_keys k;
	char t[CP_MOB_TICKET_LEN + 4];
	uint64_t id;
	uint16_t gen;

	(void)state;
	assert_int_equal(cp_mob_keys_init(&k), 0);
	assert_int_equal(cp_mob_ticket_seal(&k, 77, 3, t), 0);
	memcpy(t + CP_MOB_TICKET_LEN, "AAAA", 4);
	for (size_t n = 0; n < sizeof(t); n++)
		if (n != CP_MOB_TICKET_LEN)
			assert_int_equal(cp_mob_ticket_open(&k, (const uint8_t *)t, n, &id, &gen),
					 -EBADMSG);
	cp_mob_keys_fini(&k);
}

static void
test_mob_ticket_other_key_and_rotations(void **state)
{
	struct cp_mob_keys k, other;
	char t[CP_MOB_TICKET_LEN], t2[CP_MOB_TICKET_LEN];
	uint64_t id;
	uint16_t gen;

	(void)state;
	assert_int_equal(cp_mob_keys_init(&k), 0);
	assert_int_equal(cp_mob_keys_init(&other), 0);
	assert_int_equal(cp_mob_ticket_seal(&k, 42, 9, t), 0);
	/* another cp's (a restarted one's) key */
	assert_int_equal(cp_mob_ticket_open(&other, (const uint8_t *)t, sizeof(t), &id, &gen),
			 -EACCES);
	assert_int_equal(cp_mob_keys_rotate(&k), 0);
	assert_int_equal(cp_mob_ticket_open(&k, (const uint8_t *)t, sizeof(t), &id, &gen), 0);
	assert_int_equal(id, 42);
	/* the new key seals another ticket for the same allocation */
	assert_int_equal(cp_mob_ticket_seal(&k, 42, 9, t2), 0);
	assert_memory_not_equal(t, t2, sizeof(t));
	assert_int_equal(cp_mob_keys_rotate(&k), 0);
	assert_int_equal(cp_mob_ticket_open(&k, (const uint8_t *)t, sizeof(t), &id, &gen),
			 -EACCES);
	assert_int_equal(cp_mob_ticket_open(&k, (const uint8_t *)t2, sizeof(t2), &id, &gen), 0);
	cp_mob_keys_fini(&k);
	cp_mob_keys_fini(&other);
}

static void
test_mob_ticket_deterministic_per_generation(void **state)
{
	struct cp_mob_keys k;
	char a[CP_MOB_TICKET_LEN], b[CP_MOB_TICKET_LEN], c[CP_MOB_TICKET_LEN];
	uint64_t id;
	uint16_t gen;

	(void)state;
	assert_int_equal(cp_mob_keys_init(&k), 0);
	assert_int_equal(cp_mob_ticket_seal(&k, 5, 1, a), 0);
	assert_int_equal(cp_mob_ticket_seal(&k, 5, 1, b), 0);
	assert_int_equal(cp_mob_ticket_seal(&k, 5, 2, c), 0);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
	/* the generation is read back: the caller refuses a past one */
	assert_int_equal(cp_mob_ticket_open(&k, (const uint8_t *)a, sizeof(a), &id, &gen), 0);
	assert_int_equal(gen, 1);
	cp_mob_keys_fini(&k);
}

static void
test_mob_ticket_id_range(void **state)
{
	struct cp_mob_keys k;
	char t[CP_MOB_TICKET_LEN];

	(void)state;
	assert_int_equal(cp_mob_keys_init(&k), 0);
	assert_int_equal(cp_mob_ticket_seal(&k, 0, 0, t), -ERANGE);
	assert_int_equal(cp_mob_ticket_seal(&k, CP_MOB_ID_MAX + 1, 0, t), -ERANGE);
	assert_int_equal(cp_mob_ticket_seal(&k, CP_MOB_ID_MAX, 0, t), 0);
	cp_mob_keys_fini(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mob_ticket_round_trip_fits_uclient),
		cmocka_unit_test(test_mob_ticket_every_changed_byte_refused),
		cmocka_unit_test(test_mob_ticket_truncated_or_long_refused),
		cmocka_unit_test(test_mob_ticket_other_key_and_rotations),
		cmocka_unit_test(test_mob_ticket_deterministic_per_generation),
		cmocka_unit_test(test_mob_ticket_id_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
