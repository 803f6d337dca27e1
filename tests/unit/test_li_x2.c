/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li's X2 event (li_x2.h; docs/design/li.md §3.2): a CREATED and an
 * ENDED event written by hand from the documented layout (magic "TPX2",
 * version 1, event, reserved, then type-length-value fields in ascending
 * type order), not from the encoder: the encoder must give exactly those
 * bytes, the decoder must read each field back. Then what each refuses:
 * every truncation, a wrong magic or version, a fixed-size field of
 * another length, an address of another family or length, a field twice,
 * a third relayed address or two of one family, text with a NUL or over
 * its bound, out-of-range values, a known event without its required
 * fields; unknown fields are skipped and counted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "li_x2.h"

/* CREATED: session 0x0102030405060708, client 192.0.2.1:50000 (UDP),
 * relayed 198.51.100.7:49152 and [2001:db8::7]:49152, user "test",
 * realm "example.org", lifetime 600. */
static const uint8_t created[] = {
	'T', 'P', 'X', '2', 0x01, 0x01, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,		/* session */
	0x00, 0x02, 0x00, 0x07, 4, 0xc3, 0x50, 192, 0, 2, 1,	/* client */
	0x00, 0x04, 0x00, 0x01, 0x01,				/* UDP */
	0x00, 0x05, 0x00, 0x07, 4, 0xc0, 0x00, 198, 51, 100, 7,	/* relayed v4 */
	0x00, 0x05, 0x00, 0x13, 6, 0xc0, 0x00,			/* relayed v6 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
	0x00, 0x06, 0x00, 0x04, 't', 'e', 's', 't',		/* user */
	0x00, 0x07, 0x00, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g',
	0x00, 0x08, 0x00, 0x04, 0x00, 0x00, 0x02, 0x58,		/* 600 s */
};

/* ENDED: session 9, 1000 bytes from, 2000 to, 10 and 20 packets, 5,000
 * ms, the client's Refresh 0, exact. */
static const uint8_t ended[] = {
	'T', 'P', 'X', '2', 0x01, 0x05, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 9,
	0x00, 0x0b, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0xe8,
	0x00, 0x0c, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0x07, 0xd0,
	0x00, 0x0d, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 10,
	0x00, 0x0e, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 20,
	0x00, 0x0f, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0x13, 0x88,
	0x00, 0x10, 0x00, 0x01, 0x01,
	0x00, 0x11, 0x00, 0x01, 0x01,
};

static void
created_ev(struct li_x2_ev *e)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };

	memset(e, 0, sizeof(*e));
	e->event = LI_X2_EV_CREATED;
	e->has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_CLIENT) |
		 LI_X2_HAS(LI_X2F_TRANSPORT) | LI_X2_HAS(LI_X2F_RELAYED) |
		 LI_X2_HAS(LI_X2F_USER) | LI_X2_HAS(LI_X2F_REALM) | LI_X2_HAS(LI_X2F_LIFETIME);
	e->session = 0x0102030405060708ull;
	e->client = (struct li_x2_addr){ .family = 4, .port = 50000, .ip = { 192, 0, 2, 1 } };
	e->transport = LI_X2_UDP;
	e->nrelayed = 2;
	e->relayed[0] = (struct li_x2_addr){ .family = 4, .port = 49152,
					     .ip = { 198, 51, 100, 7 } };
	e->relayed[1].family = 6;
	e->relayed[1].port = 49152;
	memcpy(e->relayed[1].ip, v6, 16);
	e->user = "test";
	e->user_len = 4;
	e->realm = "example.org";
	e->realm_len = 11;
	e->lifetime = 600;
}

static void
ended_ev(struct li_x2_ev *e)
{
	memset(e, 0, sizeof(*e));
	e->event = LI_X2_EV_ENDED;
	e->has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_BYTES_FROM) |
		 LI_X2_HAS(LI_X2F_BYTES_TO) | LI_X2_HAS(LI_X2F_PKTS_FROM) |
		 LI_X2_HAS(LI_X2F_PKTS_TO) | LI_X2_HAS(LI_X2F_DURATION) |
		 LI_X2_HAS(LI_X2F_REASON) | LI_X2_HAS(LI_X2F_EXACT);
	e->session = 9;
	e->bytes_from = 1000;
	e->bytes_to = 2000;
	e->pkts_from = 10;
	e->pkts_to = 20;
	e->duration_ms = 5000;
	e->reason = LI_X2_R_CLIENT;
	e->exact = 1;
}

/* The encoder writes the hand-made bytes; every shorter buffer is
 * -ENOSPC. */
static void
test_x2_encode_fixtures(void **state)
{
	uint8_t buf[LI_X2_MAX];
	struct li_x2_ev e;

	(void)state;
	created_ev(&e);
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), sizeof(created));
	assert_memory_equal(buf, created, sizeof(created));
	for (size_t n = 0; n < sizeof(created); n++)
		assert_int_equal(li_x2_encode(&e, buf, n), -ENOSPC);
	ended_ev(&e);
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), sizeof(ended));
	assert_memory_equal(buf, ended, sizeof(ended));
}

/* The decoder reads every field back; every truncation is refused
 * (a cut inside a field, or an event missing what it requires). */
static void
test_x2_decode_fixtures(void **state)
{
	struct li_x2_ev d;

	(void)state;
	assert_int_equal(li_x2_decode(created, sizeof(created), &d), 0);
	assert_int_equal(d.version, 1);
	assert_int_equal(d.event, LI_X2_EV_CREATED);
	assert_true(d.session == 0x0102030405060708ull);
	assert_int_equal(d.client.family, 4);
	assert_int_equal(d.client.port, 50000);
	assert_memory_equal(d.client.ip, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_int_equal(d.transport, LI_X2_UDP);
	assert_int_equal(d.nrelayed, 2);
	assert_int_equal(d.relayed[1].family, 6);
	assert_int_equal(d.relayed[1].ip[15], 7);
	assert_int_equal(d.user_len, 4);
	assert_memory_equal(d.user, "test", 4);
	assert_int_equal(d.realm_len, 11);
	assert_int_equal(d.lifetime, 600);
	assert_int_equal(d.n_unknown, 0);
	assert_false(d.has & LI_X2_HAS(LI_X2F_PEER));
	for (size_t n = 0; n < sizeof(created); n++)
		assert_int_equal(li_x2_decode(created, n, &d), -EBADMSG);
	assert_int_equal(li_x2_decode(ended, sizeof(ended), &d), 0);
	assert_int_equal(d.event, LI_X2_EV_ENDED);
	assert_true(d.bytes_from == 1000 && d.bytes_to == 2000);
	assert_true(d.pkts_from == 10 && d.pkts_to == 20);
	assert_true(d.duration_ms == 5000);
	assert_int_equal(d.reason, LI_X2_R_CLIENT);
	assert_int_equal(d.exact, 1);
}

/* A copy of created with byte i set to v, decoded. */
static int
dec_patched(size_t i, uint8_t v)
{
	uint8_t b[sizeof(created)];
	struct li_x2_ev d;

	memcpy(b, created, sizeof(b));
	b[i] = v;
	return li_x2_decode(b, sizeof(b), &d);
}

static void
test_x2_decode_refusals(void **state)
{
	uint8_t b[256];
	struct li_x2_ev d;
	size_t n;

	(void)state;
	assert_int_equal(dec_patched(0, 'X'), -EBADMSG);            /* magic */
	assert_int_equal(dec_patched(4, 2), -EPROTONOSUPPORT);      /* version */
	assert_int_equal(dec_patched(4, 0), -EPROTONOSUPPORT);
	assert_int_equal(dec_patched(6, 0xff), 0);                  /* reserved: ignored */
	assert_int_equal(dec_patched(11, 7), -EBADMSG);             /* session of 7 bytes */
	assert_int_equal(dec_patched(24, 6), -EBADMSG);             /* client v6 in 7 bytes */
	assert_int_equal(dec_patched(24, 5), -EBADMSG);             /* family 5 */
	assert_int_equal(dec_patched(35, 0), -EBADMSG);             /* transport 0 */
	assert_int_equal(dec_patched(35, 5), -EBADMSG);             /* transport 5 */
	assert_int_equal(dec_patched(40, 6), -EBADMSG);             /* v6 in 7 bytes */
	assert_int_equal(dec_patched(74, 0), -EBADMSG);             /* a NUL in the user */
	assert_int_equal(dec_patched(74, 'x'), 0);
	/* two relayed addresses of one family */
	memcpy(b, created, 47);
	memcpy(b + 47, created + 36, 11);
	memcpy(b + 58, created + 70, sizeof(created) - 70);
	assert_int_equal(li_x2_decode(b, 58 + sizeof(created) - 70, &d), -EBADMSG);
	b[51] = 6;
	assert_int_equal(li_x2_decode(b, 58 + sizeof(created) - 70, &d), -EBADMSG);
	/* a known field twice: the transport again */
	memcpy(b, created, sizeof(created));
	memcpy(b + sizeof(created), (uint8_t[]){ 0, 4, 0, 1, 2 }, 5);
	assert_int_equal(li_x2_decode(b, sizeof(created) + 5, &d), -EBADMSG);
	/* a third relayed address */
	memcpy(b + sizeof(created), (uint8_t[]){ 0, 5, 0, 7, 4, 0, 1, 1, 2, 3, 4 }, 11);
	assert_int_equal(li_x2_decode(b, sizeof(created) + 11, &d), -EBADMSG);
	/* an unknown field: skipped, counted; type 0 too */
	memcpy(b + sizeof(created), (uint8_t[]){ 0x12, 0x34, 0, 2, 9, 9, 0, 0, 0, 0 }, 10);
	assert_int_equal(li_x2_decode(b, sizeof(created) + 10, &d), 0);
	assert_int_equal(d.n_unknown, 2);
	/* text over its bound */
	n = 8;
	memcpy(b, ended, 8);
	b[5] = LI_X2_EV_REFRESHED;
	memcpy(b + n, (uint8_t[]){ 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 4, 0, 0, 0, 5 }, 20);
	n += 20;
	assert_int_equal(li_x2_decode(b, n, &d), 0);
	assert_int_equal(d.lifetime, 5);
	/* REFRESHED without its lifetime */
	assert_int_equal(li_x2_decode(b, n - 8, &d), -EBADMSG);
	/* an unknown event with any fields: read, the caller judges */
	b[5] = 200;
	assert_int_equal(li_x2_decode(b, 8, &d), 0);
	assert_int_equal(d.event, 200);
	/* reason 0, 10; exact 2 */
	{
		uint8_t e[sizeof(ended)];

		memcpy(e, ended, sizeof(e));
		e[sizeof(e) - 6] = 0;
		assert_int_equal(li_x2_decode(e, sizeof(e), &d), -EBADMSG);
		e[sizeof(e) - 6] = 10;
		assert_int_equal(li_x2_decode(e, sizeof(e), &d), -EBADMSG);
		e[sizeof(e) - 6] = 9;
		e[sizeof(e) - 1] = 2;
		assert_int_equal(li_x2_decode(e, sizeof(e), &d), -EBADMSG);
	}
}

static void
test_x2_encode_refusals(void **state)
{
	static char big[LI_X2_TEXT_MAX + 1];
	uint8_t buf[LI_X2_MAX];
	struct li_x2_ev e;

	(void)state;
	memset(big, 'a', sizeof(big));
	created_ev(&e);
	e.has &= ~LI_X2_HAS(LI_X2F_RELAYED);                    /* required */
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	created_ev(&e);
	e.relayed[1].family = 4;                                /* two of one family */
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	created_ev(&e);
	e.nrelayed = 3;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	created_ev(&e);
	e.user_len = 0;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	created_ev(&e);
	e.user = big;
	e.user_len = sizeof(big);
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	e.user_len = LI_X2_TEXT_MAX;
	assert_true(li_x2_encode(&e, buf, sizeof(buf)) > 0);
	created_ev(&e);
	e.client.family = 5;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	created_ev(&e);
	e.has |= LI_X2_HAS(LI_X2F_LEG);                          /* not term[]'s */
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	created_ev(&e);
	e.event = 0;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	ended_ev(&e);
	e.reason = 0;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	ended_ev(&e);
	e.exact = 2;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	/* RFC 6062: a connection's event needs its id; initiator 1..2 */
	memset(&e, 0, sizeof(e));
	e.event = LI_X2_EV_TCP_CONNECTED;
	e.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_PEER) | LI_X2_HAS(LI_X2F_INITIATOR);
	e.peer.family = 4;
	e.initiator = LI_X2_BY_CLIENT;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	e.has |= LI_X2_HAS(LI_X2F_CONN_ID);
	assert_true(li_x2_encode(&e, buf, sizeof(buf)) > 0);
	e.initiator = 3;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
}

/* An RFC 6062 peer connection's events, written by hand: up (the peer's),
 * then closed with its bytes; an initiator out of range refused. */
static void
test_x2_tcp_events(void **state)
{
	static const uint8_t up[] = {
		'T', 'P', 'X', '2', 0x01, 0x07, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 9,
		0x00, 0x09, 0x00, 0x07, 4, 0x0d, 0x98, 198, 51, 100, 9,	/* peer */
		0x00, 0x13, 0x00, 0x04, 0x12, 0x34, 0x56, 0x78,		/* connection id */
		0x00, 0x14, 0x00, 0x01, 0x02,				/* by the peer */
	};
	uint8_t b[sizeof(up)];
	struct li_x2_ev d;

	(void)state;
	assert_int_equal(li_x2_decode(up, sizeof(up), &d), 0);
	assert_int_equal(d.event, LI_X2_EV_TCP_CONNECTED);
	assert_true(d.conn_id == 0x12345678u);
	assert_int_equal(d.initiator, LI_X2_BY_PEER);
	assert_int_equal(d.peer.port, 3480);
	assert_int_equal(li_x2_encode(&d, b, sizeof(b)), sizeof(up));
	assert_memory_equal(b, up, sizeof(up));
	memcpy(b, up, sizeof(up));
	b[sizeof(b) - 1] = 3;
	assert_int_equal(li_x2_decode(b, sizeof(b), &d), -EBADMSG);
	b[sizeof(b) - 1] = 0;
	assert_int_equal(li_x2_decode(b, sizeof(b), &d), -EBADMSG);
	/* without its connection id: refused */
	memcpy(b, up, 31);
	memcpy(b + 31, up + 39, 5);
	assert_int_equal(li_x2_decode(b, 36, &d), -EBADMSG);
	/* closed: the bytes required */
	b[5] = LI_X2_EV_TCP_CLOSED;
	memcpy(b + 8, up + 8, sizeof(up) - 8);
	b[5] = LI_X2_EV_TCP_CLOSED;
	assert_int_equal(li_x2_decode(b, sizeof(up), &d), -EBADMSG);
}

/* Every field at its largest (IPv6 addresses, texts at their bound) fits
 * LI_X2_MAX exactly, and reads back. */
static void
test_x2_max(void **state)
{
	static char t[LI_X2_TEXT_MAX];
	uint8_t buf[LI_X2_MAX];
	struct li_x2_ev e, d;
	int n;

	(void)state;
	memset(t, 'u', sizeof(t));
	created_ev(&e);
	e.has = ((LI_X2_HAS(LI_X2F_MAX_KNOWN) << 1) - 1u) & ~1u;
	e.client.family = e.server.family = e.peer.family = 6;
	e.relayed[0].family = 6;
	e.relayed[1].family = 4;
	e.user = e.realm = t;
	e.user_len = e.realm_len = LI_X2_TEXT_MAX;
	e.reason = LI_X2_R_MAX;
	e.initiator = LI_X2_BY_PEER;
	e.conn_id = 0xfedcba98u;
	/* a context's fields too, both slots, every address IPv6 */
	for (unsigned int i = 0; i < 2; i++) {
		e.term[i].has = LI_X2_TERM_FIELDS;
		e.term[i].local.family = e.term[i].remote.family = e.term[i].latched.family = 6;
		e.term[i].media = LI_X2_VIDEO;
		e.term[i].srtp = LI_X2_SRTP_DTLS;
		e.term[i].leg_role = LI_X2_LEG_LISTEN;
		e.term[i].tls = 1;
	}
	e.change = LI_X2_CH_ALL;
	e.target_term = 1;
	e.ctx_reason = LI_X2_CR_MAX;
	n = li_x2_encode(&e, buf, sizeof(buf));
	assert_int_equal(n, LI_X2_MAX - 12);   /* (one relayed is IPv4) */
	assert_int_equal(li_x2_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.has, e.has);
	assert_int_equal(d.realm_len, LI_X2_TEXT_MAX);
	assert_true(d.conn_id == 0xfedcba98u);
	assert_int_equal(d.initiator, LI_X2_BY_PEER);
	assert_int_equal(d.term[1].has, LI_X2_TERM_FIELDS);
	assert_int_equal(d.term[1].srtp, LI_X2_SRTP_DTLS);
	assert_int_equal(d.term[1].leg_role, LI_X2_LEG_LISTEN);
	assert_int_equal(d.ctx_reason, LI_X2_CR_MAX);
	assert_non_null(li_x2_event_name(LI_X2_EV_ONGOING));
	assert_null(li_x2_event_name(99));
	assert_non_null(li_x2_field_name(LI_X2F_RENEWED));
	assert_null(li_x2_field_name(0));
}

/* A context's CREATED, written by hand: context 0x0a, its two
 * terminations (slot 0 serial 1, the target's: local 192.0.2.10:40000,
 * remote 192.0.2.1:5004, latched 192.0.2.1:5006, audio, SDES; slot 1
 * serial 2: local 198.51.100.10:40002, video, SRTP off), the target on 0. */
static const uint8_t ctx_created[] = {
	'T', 'P', 'X', '2', 0x01, 0x10, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x0a,		/* session */
	0x00, 0x15, 0x00, 0x03, 0, 0x00, 0x01,				/* term 0, serial 1 */
	0x00, 0x15, 0x00, 0x03, 1, 0x00, 0x02,				/* term 1, serial 2 */
	0x00, 0x16, 0x00, 0x08, 0, 4, 0x9c, 0x40, 192, 0, 2, 10,	/* local 0 */
	0x00, 0x16, 0x00, 0x08, 1, 4, 0x9c, 0x42, 198, 51, 100, 10,	/* local 1 */
	0x00, 0x17, 0x00, 0x08, 0, 4, 0x13, 0x8c, 192, 0, 2, 1,		/* remote 0 */
	0x00, 0x18, 0x00, 0x08, 0, 4, 0x13, 0x8e, 192, 0, 2, 1,		/* latched 0 */
	0x00, 0x19, 0x00, 0x02, 0, 1,					/* audio */
	0x00, 0x19, 0x00, 0x02, 1, 2,					/* video */
	0x00, 0x1a, 0x00, 0x02, 0, 1,					/* SDES */
	0x00, 0x1a, 0x00, 0x02, 1, 0,					/* off */
	0x00, 0x1d, 0x00, 0x01, 0,					/* the target's: 0 */
};

/* A context's ENDED: context 0x0a, the target's 100/200 bytes, 1/2
 * packets, 3,000 ms, released, exact; slot 0's usage. */
static const uint8_t ctx_ended[] = {
	'T', 'P', 'X', '2', 0x01, 0x13, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x0a,
	0x00, 0x0b, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 100,
	0x00, 0x0c, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 200,
	0x00, 0x0d, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 1,
	0x00, 0x0e, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 2,
	0x00, 0x0f, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0x0b, 0xb8,
	0x00, 0x11, 0x00, 0x01, 0x01,
	0x00, 0x1b, 0x00, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 200,
	0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2,			/* usage 0 */
	0x00, 0x1e, 0x00, 0x01, 0x01,					/* released */
};

static void
ctx_created_ev(struct li_x2_ev *e)
{
	memset(e, 0, sizeof(*e));
	e->event = LI_X2_EV_CTX_CREATED;
	e->has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_TERM) | LI_X2_HAS(LI_X2F_LOCAL) |
		 LI_X2_HAS(LI_X2F_REMOTE) | LI_X2_HAS(LI_X2F_LATCHED) | LI_X2_HAS(LI_X2F_MEDIA) |
		 LI_X2_HAS(LI_X2F_SRTP) | LI_X2_HAS(LI_X2F_TARGET_TERM);
	e->session = 0x0a;
	e->term[0].has = LI_X2_TERM_FIELDS & ~(LI_X2_HAS(LI_X2F_TERM_USAGE) | LI_X2_HAS(LI_X2F_LEG));
	e->term[0].serial = 1;
	e->term[0].local = (struct li_x2_addr){ .family = 4, .port = 40000, .ip = { 192, 0, 2, 10 } };
	e->term[0].remote = (struct li_x2_addr){ .family = 4, .port = 5004, .ip = { 192, 0, 2, 1 } };
	e->term[0].latched = (struct li_x2_addr){ .family = 4, .port = 5006, .ip = { 192, 0, 2, 1 } };
	e->term[0].media = LI_X2_AUDIO;
	e->term[0].srtp = LI_X2_SRTP_SDES;
	e->term[1].has = LI_X2_HAS(LI_X2F_TERM) | LI_X2_HAS(LI_X2F_LOCAL) |
			 LI_X2_HAS(LI_X2F_MEDIA) | LI_X2_HAS(LI_X2F_SRTP);
	e->term[1].serial = 2;
	e->term[1].local = (struct li_x2_addr){ .family = 4, .port = 40002,
						.ip = { 198, 51, 100, 10 } };
	e->term[1].media = LI_X2_VIDEO;
	e->term[1].srtp = LI_X2_SRTP_OFF;
	e->target_term = 0;
}

/* A copy of ctx_created with byte i set to v, decoded. */
static int
ctx_patched(size_t i, uint8_t v)
{
	uint8_t b[sizeof(ctx_created)];
	struct li_x2_ev d;

	memcpy(b, ctx_created, sizeof(b));
	b[i] = v;
	return li_x2_decode(b, sizeof(b), &d);
}

/* The contexts' events (16-19): the encoder writes the hand-made bytes,
 * the decoder reads them back; a termination's field of a slot other than
 * 0 or 1, or given twice for one slot, and every value out of range are
 * refused; so are events without what they require. */
static void
test_x2_ctx_events(void **state)
{
	uint8_t buf[LI_X2_MAX], b[sizeof(ctx_created) + 16];
	struct li_x2_ev e, d;

	(void)state;
	ctx_created_ev(&e);
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), sizeof(ctx_created));
	assert_memory_equal(buf, ctx_created, sizeof(ctx_created));
	assert_int_equal(li_x2_decode(ctx_created, sizeof(ctx_created), &d), 0);
	assert_int_equal(d.event, LI_X2_EV_CTX_CREATED);
	assert_int_equal(d.has, e.has);
	assert_int_equal(d.term[0].has, e.term[0].has);
	assert_int_equal(d.term[1].has, e.term[1].has);
	assert_int_equal(d.term[0].serial, 1);
	assert_int_equal(d.term[1].serial, 2);
	assert_int_equal(d.term[0].latched.port, 5006);
	assert_int_equal(d.term[1].local.port, 40002);
	assert_int_equal(d.term[1].media, LI_X2_VIDEO);
	assert_int_equal(d.term[0].srtp, LI_X2_SRTP_SDES);
	assert_int_equal(d.target_term, 0);
	for (size_t n = 0; n < sizeof(ctx_created); n++)
		assert_int_equal(li_x2_decode(ctx_created, n, &d), -EBADMSG);
	assert_string_equal(li_x2_event_name(LI_X2_EV_CTX_CREATED), "context created");
	assert_string_equal(li_x2_field_name(LI_X2F_TARGET_TERM), "target's termination");

	assert_int_equal(ctx_patched(24, 2), -EBADMSG);         /* slot 2 */
	assert_int_equal(ctx_patched(31, 0), -EBADMSG);         /* serial of slot 0 twice */
	assert_int_equal(ctx_patched(39, 6), -EBADMSG);         /* v6 in 7 bytes */
	assert_int_equal(ctx_patched(87, 0), -EBADMSG);         /* media 0 */
	assert_int_equal(ctx_patched(87, 3), -EBADMSG);         /* media 3 */
	assert_int_equal(ctx_patched(99, 3), -EBADMSG);         /* srtp 3 */
	assert_int_equal(ctx_patched(110, 2), -EBADMSG);        /* target's slot 2 */
	assert_int_equal(ctx_patched(109, 2), -EBADMSG);        /* target's of 2 bytes */
	assert_int_equal(ctx_patched(99, 2), 0);                /* DTLS */
	/* CREATED without the target's slot; ONGOING the same fields */
	assert_int_equal(li_x2_decode(ctx_created, sizeof(ctx_created) - 5, &d), -EBADMSG);
	assert_int_equal(ctx_patched(5, LI_X2_EV_CTX_ONGOING), 0);
	/* MODIFIED: a change, not 0, no unknown bit */
	memcpy(b, ctx_created, 20);
	b[5] = LI_X2_EV_CTX_MODIFIED;
	assert_int_equal(li_x2_decode(b, 20, &d), -EBADMSG);
	memcpy(b + 20, (uint8_t[]){ 0, 0x1c, 0, 1, LI_X2_CH_LATCHED }, 5);
	assert_int_equal(li_x2_decode(b, 25, &d), 0);
	assert_int_equal(d.change, LI_X2_CH_LATCHED);
	b[24] = 0;
	assert_int_equal(li_x2_decode(b, 25, &d), -EBADMSG);
	b[24] = 0x20;
	assert_int_equal(li_x2_decode(b, 25, &d), -EBADMSG);

	/* ENDED: usage by slot, the context's reason */
	assert_int_equal(li_x2_decode(ctx_ended, sizeof(ctx_ended), &d), 0);
	assert_int_equal(d.event, LI_X2_EV_CTX_ENDED);
	assert_true(d.term[0].bytes_in == 100 && d.term[0].bytes_out == 200 &&
		    d.term[0].pkts_in == 1 && d.term[0].pkts_out == 2);
	assert_int_equal(d.term[0].has, LI_X2_HAS(LI_X2F_TERM_USAGE));
	assert_int_equal(d.ctx_reason, LI_X2_CR_RELEASED);
	assert_int_equal(li_x2_encode(&d, buf, sizeof(buf)), sizeof(ctx_ended));
	assert_memory_equal(buf, ctx_ended, sizeof(ctx_ended));
	{
		uint8_t x[sizeof(ctx_ended)];

		memcpy(x, ctx_ended, sizeof(x));
		x[sizeof(x) - 1] = 0;
		assert_int_equal(li_x2_decode(x, sizeof(x), &d), -EBADMSG);
		x[sizeof(x) - 1] = LI_X2_CR_MAX + 1;
		assert_int_equal(li_x2_decode(x, sizeof(x), &d), -EBADMSG);
		/* (without its reason: an ENDED that says not why) */
		assert_int_equal(li_x2_decode(x, sizeof(x) - 5, &d), -EBADMSG);
		/* usage of 32 bytes */
		memcpy(x, ctx_ended, sizeof(x));
		x[88] = 0x20;
		assert_int_equal(li_x2_decode(x, sizeof(x), &d), -EBADMSG);
	}

	/* the encoder: has's termination bits must be term[]'s */
	ctx_created_ev(&e);
	e.has &= ~LI_X2_HAS(LI_X2F_LATCHED);
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	ctx_created_ev(&e);
	e.term[1].has |= LI_X2_HAS(LI_X2F_SESSION);
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	ctx_created_ev(&e);
	e.term[1].media = 0;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	ctx_created_ev(&e);
	e.term[0].latched.family = 0;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	ctx_created_ev(&e);
	e.target_term = 2;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	ctx_created_ev(&e);
	e.has |= LI_X2_HAS(LI_X2F_CHANGE);
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);   /* change 0 */
}

/* A TCP leg's context, CREATED by hand: context 0x0b, slot 0 serial 1
 * (local 192.0.2.10:20000, listening, TLS), slot 1 serial 2 (connecting,
 * plain), the target on 0. */
static const uint8_t leg_created[] = {
	'T', 'P', 'X', '2', 1, 16, 0, 0,
	0x00, 0x01, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x0b,
	0x00, 0x15, 0x00, 0x03, 0, 0, 1,
	0x00, 0x15, 0x00, 0x03, 1, 0, 2,
	0x00, 0x16, 0x00, 0x08, 0, 4, 0x4e, 0x20, 192, 0, 2, 10,
	0x00, 0x1d, 0x00, 0x01, 0,
	0x00, 0x1f, 0x00, 0x03, 0, 2, 1,				/* listen, tls */
	0x00, 0x1f, 0x00, 0x03, 1, 1, 0,				/* connect, plain */
};

/* LEG (31), a TCP leg's termination field: written after the others
 * (ascending), read back; a role or tls out of range, another length, a
 * slot 2 or the same slot twice refused; a reader of another turnpike
 * skips it as unknown (the type is > its LI_X2F_MAX_KNOWN: tested by the
 * unknown field above). */
static void
test_x2_leg(void **state)
{
	uint8_t buf[LI_X2_MAX], b[sizeof(leg_created)];
	struct li_x2_ev e, d;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.event = LI_X2_EV_CTX_CREATED;
	e.session = 0x0b;
	e.term[0].has = LI_X2_HAS(LI_X2F_TERM) | LI_X2_HAS(LI_X2F_LOCAL) | LI_X2_HAS(LI_X2F_LEG);
	e.term[0].serial = 1;
	e.term[0].local = (struct li_x2_addr){ .family = 4, .port = 20000, .ip = { 192, 0, 2, 10 } };
	e.term[0].leg_role = LI_X2_LEG_LISTEN;
	e.term[0].tls = 1;
	e.term[1].has = LI_X2_HAS(LI_X2F_TERM) | LI_X2_HAS(LI_X2F_LEG);
	e.term[1].serial = 2;
	e.term[1].leg_role = LI_X2_LEG_CONNECT;
	e.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_TARGET_TERM) | e.term[0].has |
		e.term[1].has;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), sizeof(leg_created));
	assert_memory_equal(buf, leg_created, sizeof(leg_created));
	assert_int_equal(li_x2_decode(leg_created, sizeof(leg_created), &d), 0);
	assert_int_equal(d.has, e.has);
	assert_int_equal(d.term[0].has, e.term[0].has);
	assert_int_equal(d.term[0].leg_role, LI_X2_LEG_LISTEN);
	assert_int_equal(d.term[0].tls, 1);
	assert_int_equal(d.term[1].leg_role, LI_X2_LEG_CONNECT);
	assert_int_equal(d.term[1].tls, 0);
	assert_int_equal(d.n_unknown, 0);
	assert_string_equal(li_x2_field_name(LI_X2F_LEG), "tcp leg");
	for (size_t i = 0; i < 4; i++) {
		static const struct { size_t at; uint8_t v; } bad[] = {
			{ 56, 0 }, { 56, 3 }, { 57, 2 }, { 62, 0 },
		};

		memcpy(b, leg_created, sizeof(b));
		b[bad[i].at] = bad[i].v;   /* role 0, 3; tls 2; slot 0 twice */
		assert_int_equal(li_x2_decode(b, sizeof(b), &d), -EBADMSG);
	}
	memcpy(b, leg_created, sizeof(b));
	b[55] = 2;                         /* slot 2 */
	assert_int_equal(li_x2_decode(b, sizeof(b), &d), -EBADMSG);
	memcpy(b, leg_created, sizeof(b));
	b[54] = 2;                         /* of 2 bytes */
	assert_int_equal(li_x2_decode(b, sizeof(b), &d), -EBADMSG);
	e.term[1].leg_role = 3;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
	e.term[1].leg_role = LI_X2_LEG_CONNECT;
	e.term[1].tls = 2;
	assert_int_equal(li_x2_encode(&e, buf, sizeof(buf)), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x2_encode_fixtures),
		cmocka_unit_test(test_x2_decode_fixtures),
		cmocka_unit_test(test_x2_decode_refusals),
		cmocka_unit_test(test_x2_encode_refusals),
		cmocka_unit_test(test_x2_max),
		cmocka_unit_test(test_x2_tcp_events),
		cmocka_unit_test(test_x2_ctx_events),
		cmocka_unit_test(test_x2_leg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
