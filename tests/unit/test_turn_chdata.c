/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn: turn_chdata_wrap(), the ChannelData head a peer's datagram gets
 * on its way to the client (RFC 8656 §12.4), padded to a multiple of 4 on
 * a stream transport (§12.5: over TCP and TLS the receiver's framing
 * depends on it), not over UDP. On an mbuf built on the stack: prepend and
 * append are inline and nothing is freed, so no pool and no EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "turn_inlines.h"

#define HEADROOM 64u

static uint8_t mem[2048];

/* An mbuf holding dlen payload bytes after HEADROOM, the byte after the
 * payload set to junk (so padding must be written, not found). */
static void
mbuf_init(struct rte_mbuf *m, uint16_t dlen, uint16_t room)
{
	memset(m, 0, sizeof(*m));
	memset(mem, 0xaa, sizeof(mem));
	m->buf_addr = mem;
	m->buf_len = room;
	m->data_off = HEADROOM;
	m->nb_segs = 1;
	m->data_len = dlen;
	m->pkt_len = dlen;
	for (uint16_t i = 0; i < dlen; i++)
		mem[HEADROOM + i] = (uint8_t)(i + 1);
}

static void
test_turn_chdata_wrap_pads_to_4_on_streams(void **state)
{
	struct rte_mbuf m;

	(void)state;
	for (uint16_t dlen = 0; dlen < 12; dlen++) {
		uint16_t want = (uint16_t)((4u + dlen + 3u) & ~3u);
		const uint8_t *f;

		mbuf_init(&m, dlen, sizeof(mem));
		assert_int_equal(turn_chdata_wrap(&m, 0x4001, dlen, true), want);
		assert_int_equal(rte_pktmbuf_pkt_len(&m), want);
		assert_int_equal(want % 4, 0);
		f = rte_pktmbuf_mtod(&m, const uint8_t *);
		assert_int_equal(f[0] << 8 | f[1], 0x4001);
		assert_int_equal(f[2] << 8 | f[3], dlen);   /* length without pad */
		for (uint16_t i = 0; i < dlen; i++)
			assert_int_equal(f[4 + i], i + 1);
		for (uint16_t i = (uint16_t)(4 + dlen); i < want; i++)
			assert_int_equal(f[i], 0);          /* pad bytes zero */
		/* lib/stun reads it back (and accepts the padding) */
		{
			struct chdata cd;

			assert_int_equal(chdata_decode(f, want, &cd), 0);
			assert_int_equal(cd.channel, 0x4001);
			assert_int_equal(cd.len, dlen);
		}
	}
}

static void
test_turn_chdata_wrap_no_pad_over_udp(void **state)
{
	struct rte_mbuf m;

	(void)state;
	for (uint16_t dlen = 0; dlen < 8; dlen++) {
		mbuf_init(&m, dlen, sizeof(mem));
		assert_int_equal(turn_chdata_wrap(&m, 0x4ffe, dlen, false), 4 + dlen);
		assert_int_equal(rte_pktmbuf_pkt_len(&m), 4 + dlen);
		assert_int_equal(rte_pktmbuf_mtod(&m, const uint8_t *)[0], 0x4f);
	}
}

/* No tailroom for the pad, or no headroom for the head: 0. */
static void
test_turn_chdata_wrap_without_room(void **state)
{
	struct rte_mbuf m;

	(void)state;
	mbuf_init(&m, 5, HEADROOM + 5);
	assert_int_equal(turn_chdata_wrap(&m, 0x4001, 5, true), 0);
	mbuf_init(&m, 5, HEADROOM + 5);
	assert_int_equal(turn_chdata_wrap(&m, 0x4001, 5, false), 9);   /* no pad needed */
	mbuf_init(&m, 8, sizeof(mem));
	m.data_off = 2;
	memmove(mem + 2, mem + HEADROOM, 8);
	assert_int_equal(turn_chdata_wrap(&m, 0x4001, 8, true), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turn_chdata_wrap_pads_to_4_on_streams),
		cmocka_unit_test(test_turn_chdata_wrap_no_pad_over_udp),
		cmocka_unit_test(test_turn_chdata_wrap_without_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
