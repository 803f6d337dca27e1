/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/tls/cp_tls.c on a fake clock and real rings in heap memory (two dp
 * workers): the first key at start, a rotation each period that keeps the
 * previous key and drops the one before, the set to every worker after
 * each, a full ring waited out, a dp restart answered with everything
 * again, PSK changes as single messages or as a resync, and every message
 * one that ipc_msg_check() passes. cp_tls sends through the sender it is
 * given (cp_dp_send() in cp, held to its rule by test_cp_dp); here one
 * with the same contract over the bare rings.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_tls.h"
#include "ipc.h"

#define NW 2
#define HEADROOM 128u

static struct ipc_ring *rings[NW];
static struct cp_tls t;
/* What cp_tls is given as its cp, and must hand the sender untouched. */
static char cp_token;
#define FAKE_CP ((struct cp_ctx *)(void *)&cp_token)

/* cp_dp_send()'s contract over the bare rings: m to worker w while the
 * ring keeps headroom free slots after it, else -ENOBUFS; the body wiped
 * after, whatever happened. */
static int
send_bare(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m, unsigned int headroom)
{
	int rc = -ENOBUFS;

	assert_ptr_equal(cp, FAKE_CP);
	assert_true(w < NW);
	assert_int_equal(headroom, HEADROOM);
	m->h.worker = (uint16_t)w;
	if (ipc_ring_count(rings[w]) + 1u + headroom <= IPC_RING_SLOTS &&
	    ipc_ring_enqueue(rings[w], m) == 0)
		rc = 0;
	explicit_bzero(m->body, m->h.body_len);
	return rc;
}

static int
setup(void **state)
{
	(void)state;
	for (unsigned int w = 0; w < NW; w++) {
		rings[w] = aligned_alloc(IPC_CACHE_LINE, sizeof(struct ipc_ring));
		if (rings[w] == NULL)
			return -1;
		memset(rings[w], 0, sizeof(struct ipc_ring));
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_tls_fini(&t);
	for (unsigned int w = 0; w < NW; w++)
		free(rings[w]);
	return 0;
}

struct seen {
	unsigned int tickets, adds, dels, begins, ends;
	struct ipc_tls_tickets last;
	char last_id[IPC_TLS_PSK_ID_MAX + 1];
};

/* What worker w was sent since the last look, each message checked as dp
 * checks it. */
static void
drain(unsigned int w, struct seen *s)
{
	static struct ipc_msg m;

	memset(s, 0, sizeof(*s));
	while (ipc_ring_dequeue(rings[w], &m) == 1) {
		assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
		assert_int_equal(m.h.worker, w);
		switch (m.h.kind) {
		case IPC_TLS_TICKETS:
			s->tickets++;
			memcpy(&s->last, m.body, sizeof(s->last));
			break;
		case IPC_TLS_PSK_ADD:
		case IPC_TLS_PSK_DEL: {
			const struct ipc_tls_psk *p = (const void *)m.body;

			if (m.h.kind == IPC_TLS_PSK_ADD)
				s->adds++;
			else
				s->dels++;
			memcpy(s->last_id, p->id, p->id_len);
			s->last_id[p->id_len] = '\0';
			break;
		}
		case IPC_TLS_PSK_SYNC: {
			const struct ipc_tls_psk_sync *ps = (const void *)m.body;

			if (ps->phase == IPC_TLS_PSK_BEGIN)
				s->begins++;
			else
				s->ends++;
			break;
		}
		default:
			fail_msg("unexpected kind %u", m.h.kind);
		}
	}
}

static void
test_cp_tls_rotation_keeps_previous_key(void **state)
{
	struct ipc_tls_ticket_key k1, k2;
	struct seen s;

	(void)state;
	assert_int_equal(cp_tls_init(&t, 10, send_bare, FAKE_CP, NW, HEADROOM, 1000), 0);
	/* at start: one key, generation 1, to both workers */
	assert_int_equal(cp_tls_send(&t), NW * 3);    /* tickets, BEGIN, END */
	for (unsigned int w = 0; w < NW; w++) {
		drain(w, &s);
		assert_int_equal(s.tickets, 1);
		assert_int_equal(s.last.generation, 1);
		assert_int_equal(s.last.nkeys, 1);
		assert_int_equal(s.begins, 1);
		assert_int_equal(s.ends, 1);
	}
	k1 = t.set.key[0];
	assert_int_equal(cp_tls_send(&t), 0);          /* nothing more due */

	/* a millisecond early: nothing; on time: a new key, k1 kept */
	assert_false(cp_tls_tick(&t, 10999));
	assert_int_equal(cp_tls_send(&t), 0);
	assert_true(cp_tls_tick(&t, 11000));
	assert_int_equal(cp_tls_send(&t), NW);
	for (unsigned int w = 0; w < NW; w++) {
		drain(w, &s);
		assert_int_equal(s.tickets, 1);
		assert_int_equal(s.last.generation, 2);
		assert_int_equal(s.last.nkeys, 2);
		assert_memory_equal(&s.last.key[1], &k1, sizeof(k1));
		assert_memory_not_equal(&s.last.key[0], &k1, sizeof(k1));
		assert_memory_not_equal(s.last.key[0].name, k1.name, sizeof(k1.name));
	}
	k2 = t.set.key[0];

	/* the next period: k1 is gone, k2 kept */
	assert_false(cp_tls_tick(&t, 20999));
	assert_true(cp_tls_tick(&t, 21000));
	assert_int_equal(cp_tls_send(&t), NW);
	drain(1, &s);
	assert_int_equal(s.last.generation, 3);
	assert_memory_equal(&s.last.key[1], &k2, sizeof(k2));
	assert_memory_not_equal(&s.last.key[0], &k1, sizeof(k1));
	assert_memory_not_equal(&s.last.key[1], &k1, sizeof(k1));
	drain(0, &s);

	/* cp stalled for three periods: one rotation, the next a period on */
	assert_true(cp_tls_tick(&t, 60000));
	assert_false(cp_tls_tick(&t, 69999));
	assert_true(cp_tls_tick(&t, 70000));
	assert_int_equal(t.rotations, 4);
	assert_int_equal(t.set.generation, 5);
}

/* A ring without room (it keeps HEADROOM slots for answers to clients):
 * the set waits, and goes once there is room; a dp restart gets
 * everything again. */
static void
test_cp_tls_full_ring_waits_and_restart_resends(void **state)
{
	static struct ipc_msg filler;
	struct seen s;
	unsigned int n = 0;

	(void)state;
	assert_int_equal(cp_tls_init(&t, 3600, send_bare, FAKE_CP, NW, HEADROOM, 0), 0);
	filler.h.kind = IPC_STATS_REQ;
	while (IPC_RING_SLOTS - ipc_ring_count(rings[0]) > HEADROOM) {
		assert_int_equal(ipc_ring_enqueue(rings[0], &filler), 0);
		n++;
	}
	assert_int_equal(cp_tls_send(&t), 3);          /* worker 1 only */
	assert_true(t.ring_full > 0);
	assert_int_equal(t.tickets_due, 1);
	drain(1, &s);
	assert_int_equal(s.tickets, 1);
	/* room again: worker 0 gets it */
	{
		static struct ipc_msg m;

		for (unsigned int i = 0; i < n; i++)
			assert_int_equal(ipc_ring_dequeue(rings[0], &m), 1);
	}
	assert_int_equal(cp_tls_send(&t), 3);
	drain(0, &s);
	assert_int_equal(s.tickets, 1);
	assert_int_equal(s.begins, 1);
	assert_int_equal(s.ends, 1);

	assert_int_equal(cp_tls_psk_set(&t, "ue1", (const uint8_t *)"0123456789abcdef",
					16, 0x1301), 0);
	drain(0, &s);
	drain(1, &s);
	cp_tls_resend(&t);                              /* dp restarted */
	assert_int_equal(cp_tls_send(&t), NW * 4);      /* tickets, BEGIN, ADD, END */
	for (unsigned int w = 0; w < NW; w++) {
		drain(w, &s);
		assert_int_equal(s.tickets, 1);
		assert_int_equal(s.begins, 1);
		assert_int_equal(s.adds, 1);
		assert_string_equal(s.last_id, "ue1");
		assert_int_equal(s.ends, 1);
	}
}

static void
test_cp_tls_psk_changes_reach_every_worker(void **state)
{
	static const uint8_t key[64] = { 1, 2, 3 };
	struct seen s;
	char id[IPC_TLS_PSK_ID_MAX + 2];

	(void)state;
	assert_int_equal(cp_tls_init(&t, 3600, send_bare, FAKE_CP, NW, HEADROOM, 0), 0);
	cp_tls_send(&t);
	drain(0, &s);
	drain(1, &s);

	/* one ADD each, straight away */
	assert_int_equal(cp_tls_psk_set(&t, "ims-ue-1", key, 32, 0x1301), 0);
	for (unsigned int w = 0; w < NW; w++) {
		drain(w, &s);
		assert_int_equal(s.adds, 1);
		assert_string_equal(s.last_id, "ims-ue-1");
	}
	assert_int_equal(cp_tls_psk_set(&t, "ims-ue-1", key, 48, 0x1302), 0);  /* new key */
	assert_int_equal(t.npsk, 1);
	assert_int_equal(cp_tls_psk_find(&t, "ims-ue-1")->cipher, 0x1302);
	drain(0, &s);
	assert_int_equal(s.adds, 1);
	drain(1, &s);
	assert_int_equal(cp_tls_psk_del(&t, "ims-ue-1"), 0);
	assert_int_equal(cp_tls_psk_del(&t, "ims-ue-1"), -ENOENT);
	for (unsigned int w = 0; w < NW; w++) {
		drain(w, &s);
		assert_int_equal(s.dels, 1);
	}

	/* what cp refuses */
	assert_int_equal(cp_tls_psk_set(&t, "", key, 32, 0x1301), -EINVAL);
	assert_int_equal(cp_tls_psk_set(&t, "a b", key, 32, 0x1301), -EINVAL);
	assert_int_equal(cp_tls_psk_set(&t, "x", key, 15, 0x1301), -EINVAL);
	assert_int_equal(cp_tls_psk_set(&t, "x", key, 65, 0x1301), -EINVAL);
	assert_int_equal(cp_tls_psk_set(&t, "x", key, 32, 0x1304), -EINVAL);
	memset(id, 'i', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_int_equal(cp_tls_psk_set(&t, id, key, 32, 0x1301), -EINVAL);
	id[IPC_TLS_PSK_ID_MAX] = '\0';
	assert_int_equal(cp_tls_psk_set(&t, id, key, 32, 0x1301), 0);
	drain(0, &s);
	drain(1, &s);

	/* a change while a resync is under way restarts it */
	cp_tls_resend(&t);
	assert_int_equal(cp_tls_psk_set(&t, "ue2", key, 16, 0x1303), 0);
	assert_int_equal(cp_tls_send(&t), NW * 5);      /* tickets, BEGIN, 2 ADD, END */
	for (unsigned int w = 0; w < NW; w++) {
		drain(w, &s);
		assert_int_equal(s.begins, 1);
		assert_int_equal(s.adds, 2);
		assert_int_equal(s.ends, 1);
	}

	/* the table is bounded */
	for (unsigned int i = t.npsk; i < IPC_TLS_PSK_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "u%u", i);
		assert_int_equal(cp_tls_psk_set(&t, name, key, 16, 0x1301), 0);
		drain(0, &s);
		drain(1, &s);
	}
	assert_int_equal(cp_tls_psk_set(&t, "one-more", key, 16, 0x1301), -ENOSPC);
	assert_int_equal(cp_tls_cipher_parse("TLS_AES_256_GCM_SHA384"), 0x1302);
	assert_int_equal(cp_tls_cipher_parse("AES256"), 0);
	assert_string_equal(cp_tls_cipher_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cp_tls_rotation_keeps_previous_key,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_tls_full_ring_waits_and_restart_resends,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_tls_psk_changes_reach_every_worker,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
