/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li's delivery timers and the reader of what a mediation function
 * sends (li_ka.h; ETSI TS 103 221-2 §6.2.4; docs/design/li.md §3.3,
 * §3.4): the keepalive schedule (one an interval after up, then an
 * interval after each acknowledgement, its acknowledgement due within two
 * intervals), the handshake's and the writes' deadlines, and the reader
 * over hand-written bytes: an acknowledgement of the keepalive that waits
 * taken, at every prefix nothing taken, and every other PDU, length or
 * sequence number refused with the state unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "li_ka.h"
#include "li_pdu.h"

/* A keepalive acknowledgement (type 4), sequence number 0 (§6.2.4). */
static const uint8_t ack0[48] = {
	0x00, 0x05,			/* version 0.5 */
	0x00, 0x04,			/* keepalive acknowledgement */
	0x00, 0x00, 0x00, 0x30,		/* header length 48 */
	0x00, 0x00, 0x00, 0x00,		/* no payload */
	0x00, 0x00, 0x00, 0x00,		/* format 0, direction 0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* XID */
	0, 0, 0, 0, 0, 0, 0, 0,		/* correlation ID */
	0x00, 0x08, 0x00, 0x04,		/* sequence number, 4 bytes */
	0x00, 0x00, 0x00, 0x00,
};

static void
ack(uint8_t *b, uint32_t seq)
{
	memcpy(b, ack0, sizeof(ack0));
	b[44] = (uint8_t)(seq >> 24);
	b[45] = (uint8_t)(seq >> 16);
	b[46] = (uint8_t)(seq >> 8);
	b[47] = (uint8_t)seq;
}

/* A connection up at 100 ms with keepalives every second, 5 s deadlines. */
static void
up(struct li_ka *k)
{
	li_ka_init(k, 1000, 5000, 0);
	li_ka_up(k, 100);
}

static void
test_li_ka_handshake_deadline(void **state)
{
	struct li_ka k;

	(void)state;
	li_ka_init(&k, 1000, 5000, 10);
	assert_int_equal(li_ka_tick(&k, 10, 0), LI_KA_NONE);
	assert_int_equal(li_ka_tick(&k, 5009, 0), LI_KA_NONE);
	assert_int_equal(li_ka_tick(&k, 5010, 0), LI_KA_HANDSHAKE_LATE);
	/* up in time: no handshake deadline any more, no keepalive yet */
	li_ka_init(&k, 1000, 5000, 10);
	li_ka_up(&k, 5009);
	assert_int_equal(li_ka_tick(&k, 5010, 0), LI_KA_NONE);
	assert_int_equal(li_ka_tick(&k, 6008, 0), LI_KA_NONE);
}

static void
test_li_ka_schedule(void **state)
{
	struct li_ka k;
	uint8_t b[48];

	(void)state;
	up(&k);
	assert_int_equal(li_ka_tick(&k, 1099, 0), LI_KA_NONE);
	assert_int_equal(li_ka_tick(&k, 1100, 0), LI_KA_SEND);
	/* not queued (no room): asked again */
	assert_int_equal(li_ka_tick(&k, 1150, 0), LI_KA_SEND);
	assert_int_equal(li_ka_sent(&k, 1150), 0);
	/* one waits: no second keepalive, the acknowledgement due at 3150 */
	assert_int_equal(li_ka_tick(&k, 2500, 0), LI_KA_NONE);
	ack(b, 0);
	assert_int_equal(li_ka_input(&k, b, sizeof(b), 2600), 48);
	/* the next an interval after the acknowledgement, sequence 1 */
	assert_int_equal(li_ka_tick(&k, 3150, 0), LI_KA_NONE);
	assert_int_equal(li_ka_tick(&k, 3599, 0), LI_KA_NONE);
	assert_int_equal(li_ka_tick(&k, 3600, 0), LI_KA_SEND);
	assert_int_equal(li_ka_sent(&k, 3600), 1);
	/* never acknowledged: a fault two intervals after its sending */
	assert_int_equal(li_ka_tick(&k, 5599, 0), LI_KA_NONE);
	assert_int_equal(li_ka_tick(&k, 5600, 0), LI_KA_ACK_LATE);
}

static void
test_li_ka_no_keepalives(void **state)
{
	struct li_ka k;
	uint8_t b[48];

	(void)state;
	li_ka_init(&k, 0, 5000, 0);
	li_ka_up(&k, 0);
	assert_int_equal(li_ka_tick(&k, 1000000, 0), LI_KA_NONE);
	ack(b, 0);
	assert_int_equal(li_ka_input(&k, b, sizeof(b), 1000000), -EPROTO);
}

static void
test_li_ka_stall(void **state)
{
	struct li_ka k;

	(void)state;
	li_ka_init(&k, 0, 5000, 0);
	li_ka_up(&k, 0);
	/* idle: no clock runs however long */
	assert_int_equal(li_ka_tick(&k, 60000, 0), LI_KA_NONE);
	/* bytes wait from 60000; a write at 63000 moves the clock */
	assert_int_equal(li_ka_tick(&k, 61000, 10), LI_KA_NONE);
	li_ka_wrote(&k, 63000);
	assert_int_equal(li_ka_tick(&k, 67999, 10), LI_KA_NONE);
	assert_int_equal(li_ka_tick(&k, 68000, 10), LI_KA_STALLED);
}

/* Each refusal leaves the wait as it was: the right acknowledgement after
 * it is still taken. */
static void
expect_refused(const uint8_t *b, size_t n, int err)
{
	struct li_ka k;
	uint8_t good[48];

	up(&k);
	assert_int_equal(li_ka_tick(&k, 1100, 0), LI_KA_SEND);
	assert_int_equal(li_ka_sent(&k, 1100), 0);
	assert_int_equal(li_ka_input(&k, b, n, 1200), err);
	ack(good, 0);
	assert_int_equal(li_ka_input(&k, good, sizeof(good), 1200), 48);
}

static void
test_li_ka_input_refused(void **state)
{
	uint8_t b[600];

	(void)state;
	ack(b, 1);				/* another sequence number */
	expect_refused(b, 48, -EPROTO);
	ack(b, 0);
	b[3] = 3;				/* a keepalive, not its answer */
	expect_refused(b, 48, -EBADMSG);
	ack(b, 0);
	b[3] = 2;				/* X3 */
	expect_refused(b, 48, -EBADMSG);
	ack(b, 0);
	b[3] = 9;				/* no such type */
	expect_refused(b, 48, -EBADMSG);
	ack(b, 0);
	b[0] = 1;				/* major version 1 */
	expect_refused(b, 48, -EPROTONOSUPPORT);
	ack(b, 0);
	b[7] = 39;				/* header length under 40 */
	expect_refused(b, 48, -EBADMSG);
	ack(b, 0);
	b[13] = 1;				/* format 1 */
	expect_refused(b, 48, -EBADMSG);
	ack(b, 0);
	b[15] = 2;				/* direction 2 */
	expect_refused(b, 48, -EBADMSG);
	ack(b, 0);
	b[11] = 4;				/* a payload */
	memset(b + 48, 0, 4);
	expect_refused(b, 52, -EBADMSG);
	ack(b, 0);
	b[7] = 40;				/* no sequence number */
	expect_refused(b, 40, -EBADMSG);
	ack(b, 0);
	b[43] = 5;				/* its attribute past the header */
	expect_refused(b, 48, -EBADMSG);
	ack(b, 0);
	b[43] = 2;				/* a sequence number of 2 bytes */
	expect_refused(b, 48, -EBADMSG);
	/* longer than LI_KA_IN_MAX: refused from its first 12 bytes */
	ack(b, 0);
	b[10] = 0x01;				/* 48 + 468 = 516 */
	b[11] = 0xd4;
	expect_refused(b, 12, -EMSGSIZE);
	ack(b, 0);
	b[4] = 0x7f;				/* a header of 2 GiB */
	expect_refused(b, 12, -EMSGSIZE);
}

static void
test_li_ka_input_prefix_and_pairs(void **state)
{
	struct li_ka k;
	uint8_t b[96];

	(void)state;
	up(&k);
	assert_int_equal(li_ka_tick(&k, 1100, 0), LI_KA_SEND);
	assert_int_equal(li_ka_sent(&k, 1100), 0);
	ack(b, 0);
	ack(b + 48, 0);
	/* each prefix: nothing taken, nothing refused */
	for (size_t n = 0; n < 48; n++)
		assert_int_equal(li_ka_input(&k, b, n, 1200), 0);
	assert_int_equal(li_ka_input(&k, b, 96, 1200), 48);
	/* the same acknowledgement again: none waits */
	assert_int_equal(li_ka_input(&k, b + 48, 48, 1200), -EPROTO);
	/* an acknowledgement with an attribute a later version may add */
	assert_int_equal(li_ka_tick(&k, 2200, 0), LI_KA_SEND);
	assert_int_equal(li_ka_sent(&k, 2200), 1);
	ack(b, 1);
	b[7] = 52;
	memcpy(b + 48, (const uint8_t[]){ 0x00, 0x63, 0x00, 0x00 }, 4);
	assert_int_equal(li_ka_input(&k, b, 52, 2300), 52);
}

/* lib/li's own keepalive is what an MF echoes: type 4 of the same bytes
 * is taken (the encoder and the reader agree). */
static void
test_li_ka_encoder_roundtrip(void **state)
{
	struct li_ka k;
	uint8_t b[LI_PDU_KEEPALIVE_LEN];

	(void)state;
	up(&k);
	assert_int_equal(li_ka_tick(&k, 1100, 0), LI_KA_SEND);
	assert_int_equal(li_pdu_keepalive(b, sizeof(b), LI_PDU_KEEPALIVE, k.seq), 48);
	(void)li_ka_sent(&k, 1100);
	b[3] = LI_PDU_KEEPALIVE_ACK;
	assert_int_equal(li_ka_input(&k, b, sizeof(b), 1200), 48);
	assert_int_equal(k.waiting, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_li_ka_handshake_deadline),
		cmocka_unit_test(test_li_ka_schedule),
		cmocka_unit_test(test_li_ka_no_keepalives),
		cmocka_unit_test(test_li_ka_stall),
		cmocka_unit_test(test_li_ka_input_refused),
		cmocka_unit_test(test_li_ka_input_prefix_and_pairs),
		cmocka_unit_test(test_li_ka_encoder_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
