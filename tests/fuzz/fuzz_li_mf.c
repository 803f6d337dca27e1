/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: what a mediation function sends tp-li (lib/li's
 * li_ka_input(), docs/design/li.md §3.3, §6), read as dp/li/li_conn.c
 * reads it: into a buffer of LI_KA_IN_MAX bytes, in chunks (their sizes
 * from the input), each PDU through li_ka_input() until it wants more or
 * refuses; keepalives are "sent" as li_ka_tick() asks, the clock moving
 * with the input.
 *
 * Input: byte 0 the keepalive interval (ms, 0: none), byte 1 the chunk
 * size's seed, the rest the MF's bytes. Besides memory errors and
 * undefined behaviour, it aborts on a broken promise of li_ka.h: a PDU
 * taken is whole (within what was there, at most LI_KA_IN_MAX) and ends
 * the wait; "more" never comes with a full buffer (the reader cannot
 * stall on its own bound); a refusal is one of the five errors and leaves
 * the state as it was.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "li_ka.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t in[LI_KA_IN_MAX];
	uint32_t in_len = 0;
	struct li_ka k;
	uint64_t now = 0;
	size_t off = 2;
	unsigned int chunk;

	if (size < 2)
		return 0;
	li_ka_init(&k, data[0], 10000, now);
	li_ka_up(&k, now);
	chunk = data[1] % 64u + 1u;
	while (off < size) {
		uint32_t room = (uint32_t)sizeof(in) - in_len, used = 0;
		size_t n = size - off;
		int rc;

		if (li_ka_tick(&k, now, 0) == LI_KA_SEND)
			(void)li_ka_sent(&k, now);
		if (n > chunk)
			n = chunk;
		if (n > room)
			n = room;
		CHECK(n > 0);
		memcpy(in + in_len, data + off, n);
		in_len += (uint32_t)n;
		off += n;
		for (;;) {
			struct li_ka before = k;

			rc = li_ka_input(&k, in + used, in_len - used, now);
			if (rc > 0) {
				CHECK((uint32_t)rc <= in_len - used);
				CHECK((uint32_t)rc <= LI_KA_IN_MAX);
				CHECK(before.waiting && !k.waiting);
				used += (uint32_t)rc;
				continue;
			}
			if (rc < 0) {
				CHECK(rc == -EBADMSG || rc == -EMSGSIZE || rc == -EPROTONOSUPPORT ||
				      rc == -EPROTO);
				CHECK(memcmp(&before, &k, sizeof(k)) == 0);
				return 0;   /* tp-li closes the connection */
			}
			break;
		}
		memmove(in, in + used, in_len - used);
		in_len -= used;
		CHECK(in_len < sizeof(in));
		now += data[off - 1] * 10u;
	}
	return 0;
}
