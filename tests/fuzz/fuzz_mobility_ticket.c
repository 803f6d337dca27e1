/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: cp/alloc/mob_ticket.c's opener of RFC 8016 mobility
 * tickets, what a client sends back in a Refresh's MOBILITY-TICKET.
 *
 * Two modes, by the input's first byte:
 * - even: the rest is the ticket as a client sent it, from a heap copy
 *   of exactly its size (a read past it is caught);
 * - odd: the next 8 bytes name an allocation id and generation, a real
 *   ticket is sealed for them, and the rest of the input changes it
 *   (pairs of position and xor), so that the fuzzer works next to valid
 *   tickets instead of only among random strings.
 * Invariants: the opener says 0, -EBADMSG or -EACCES, nothing else; any
 * length but CP_MOB_TICKET_LEN is -EBADMSG; a ticket that opens is the
 * one its (id, generation) seals to, byte for byte (one text per ticket:
 * nothing else opens); a changed ticket never opens.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "mob_ticket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cp_mob_keys keys;
static int ready;

static void
keys_fixed(void)
{
	CHECK(cp_mob_keys_init(&keys) == 0);
	/* a fixed key: a crash's input replays */
	for (unsigned int i = 0; i < CP_MOB_KEY_LEN; i++)
		keys.key[0][i] = (uint8_t)(i * 7 + 1);
	ready = 1;
}

static void
check_open(const uint8_t *t, size_t len, int want_ok)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	char again[CP_MOB_TICKET_LEN];
	uint64_t id = 0;
	uint16_t gen = 0;
	int rc;

	CHECK(copy != NULL);
	memcpy(copy, t, len);
	rc = cp_mob_ticket_open(&keys, copy, len, &id, &gen);
	CHECK(rc == 0 || rc == -EBADMSG || rc == -EACCES);
	if (len != CP_MOB_TICKET_LEN)
		CHECK(rc == -EBADMSG);
	if (want_ok >= 0)
		CHECK((rc == 0) == (want_ok == 1));
	if (rc == 0) {
		CHECK(id != 0 && id <= CP_MOB_ID_MAX);
		CHECK(cp_mob_ticket_seal(&keys, id, gen, again) == 0);
		CHECK(memcmp(again, copy, CP_MOB_TICKET_LEN) == 0);
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		keys_fixed();
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		check_open(data + 1, size - 1, -1);
		return 0;
	}
	if (size >= 9) {
		uint64_t id = 0;
		uint16_t gen = (uint16_t)(data[7] << 8 | data[8]);
		char t[CP_MOB_TICKET_LEN];
		uint8_t changed[CP_MOB_TICKET_LEN];
		int same = 1;

		for (unsigned int i = 1; i < 7; i++)
			id = id << 8 | data[i];
		if (id == 0)
			id = 1;
		CHECK(cp_mob_ticket_seal(&keys, id, gen, t) == 0);
		memcpy(changed, t, sizeof(t));
		for (size_t i = 9; i + 1 < size; i += 2)
			changed[data[i] % CP_MOB_TICKET_LEN] ^= data[i + 1];
		same = memcmp(changed, t, sizeof(t)) == 0;
		check_open(changed, sizeof(changed), same ? 1 : 0);
	}
	return 0;
}
