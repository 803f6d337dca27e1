/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn: turn_apply_binding(), what PERM_ADD/DEL and CHAN_ADD/DEL from cp
 * do to an allocation's permissions and channels. They are dense
 * ([0, nperms), [0, nchans)), the first TURN_HOT_BINDINGS in the hot part
 * and the rest in overflow blocks from the worker's pool, taken when needed
 * and given back when not; a delete moves the last into the hole, across
 * that boundary; an add beyond the maximum is ignored; a freed
 * channel slot is zeroed (turn_chan_by_number() stops at nchans, but the
 * STATE_ALLOC a restarted cp reads must not carry stale channels).
 *
 * RFC 8016's ALLOC_MOVE (turn_alloc_move(), turn_table.c): the
 * allocation is found under its new client tuple and not under its old
 * one, in the same slot with its permissions and channels; a move onto a
 * tuple that has an allocation is refused and changes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"
#include "turn_inlines.h"
#include "turn_internal.h"
#include "turn_tt.h"

#define CAP 4u

struct fix {
	struct turn_worker t;
	struct turn_alloc *a;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->t.cap = CAP;
	f->t.allocs = aligned_alloc(64, sizeof(struct turn_alloc) * CAP);
	assert_non_null(f->t.allocs);
	assert_int_equal(turn_bindings_init(&f->t, CAP), 0);
	memset(f->t.allocs, 0, sizeof(struct turn_alloc) * CAP);
	f->a = &f->t.allocs[2];
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	free(f->t.allocs);
	turn_bindings_free(&f->t);
	free(f);
	return 0;
}

static struct ipc_binding
perm(uint8_t last, uint64_t exp)
{
	struct ipc_binding b;

	memset(&b, 0, sizeof(b));
	b.peer.family = NET_AF_IPV4;
	b.peer.ip[0] = 198;
	b.peer.ip[1] = 51;
	b.peer.ip[2] = 100;
	b.peer.ip[3] = last;
	b.expires_ms = exp;
	return b;
}

static struct ipc_binding
chan(uint16_t ch, uint16_t port, uint64_t exp)
{
	struct ipc_binding b = perm((uint8_t)port, exp);

	b.channel = ch;
	b.peer.port = port;
	return b;
}

static bool
has_perm(struct fix *f, uint8_t last)
{
	struct ipc_binding b = perm(last, 0);

	return turn_perm_ok(&f->t, f->a, NET_AF_IPV4, b.peer.ip, 0);
}

/* Add up to the maximum (hot then cold), refresh in place, the 17th is
 * ignored. */
static void
test_turn_apply_binding_perm_add_refresh_and_max(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;
	struct ipc_binding b;

	for (unsigned int i = 0; i < TURN_MAX_PERMS; i++) {
		b = perm((uint8_t)i, 100u + i);
		turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, i == 3);
		assert_int_equal(a->nperms, i + 1);
	}
	assert_int_equal(turn_ovf_block(&f->t, a->ovf[0])->perms[0].ip[3], TURN_HOT_BINDINGS);
	assert_int_equal(turn_ovf_block(&f->t, a->ovf[0])->perms[1].hairpin, 1);
	assert_int_equal(f->t.ovf.used, TURN_OVF_BLOCKS);
	b = perm(200, 1000);
	turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	assert_int_equal(a->nperms, TURN_MAX_PERMS);
	assert_false(has_perm(f, 200));
	/* refresh: same place, new expiry, hairpin as told now */
	b = perm(5, 9999);
	turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	assert_int_equal(a->nperms, TURN_MAX_PERMS);
	assert_true(turn_perm_at(&f->t, a, 5)->expires_ms == 9999);
	b = perm(3, 50);
	turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	assert_int_equal(turn_perm_at(&f->t, a, 3)->hairpin, 0);
}

/* Deleting a hot one moves the last (cold) one into the hot part. */
static void
test_turn_apply_binding_perm_del_last_fills_hole_across_hot_cold(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;
	struct ipc_binding b;

	for (unsigned int i = 0; i < 5; i++) {
		b = perm((uint8_t)i, 100u + i);
		turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	}
	b = perm(0, 0);
	turn_apply_binding(&f->t, a, IPC_PERM_DEL, &b, false);
	assert_int_equal(a->nperms, 4);
	assert_int_equal(a->perms[0].ip[3], 4);      /* the last, now hot */
	assert_true(a->perms[0].expires_ms == 104);
	assert_false(has_perm(f, 0));
	for (uint8_t i = 1; i < 5; i++)
		assert_true(has_perm(f, i));
	b = perm(77, 0);                              /* not there: nothing */
	turn_apply_binding(&f->t, a, IPC_PERM_DEL, &b, false);
	assert_int_equal(a->nperms, 4);
	/* an IPv6 permission with the same first bytes is another one */
	b = perm(1, 0);
	b.peer.family = NET_AF_IPV6;
	turn_apply_binding(&f->t, a, IPC_PERM_DEL, &b, false);
	assert_int_equal(a->nperms, 4);
}

/* Channels: add, rebind (peer and expiry change), delete fills the hole
 * and zeroes the freed slot, the 17th ignored. */
static void
test_turn_apply_binding_chan_add_del_zeroes_slot(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;
	struct ipc_binding b;

	for (unsigned int i = 0; i < TURN_MAX_CHANNELS; i++) {
		b = chan((uint16_t)(0x4000u + i), (uint16_t)(3000u + i), 100u + i);
		turn_apply_binding(&f->t, a, IPC_CHAN_ADD, &b, false);
	}
	assert_int_equal(a->nchans, TURN_MAX_CHANNELS);
	b = chan(0x4100, 1, 1);
	turn_apply_binding(&f->t, a, IPC_CHAN_ADD, &b, false);
	assert_int_equal(a->nchans, TURN_MAX_CHANNELS);
	assert_null(turn_chan_by_number(&f->t, a, 0x4100, 0));
	/* refresh keeps the slot */
	b = chan(0x4003, 3003, 5000);
	turn_apply_binding(&f->t, a, IPC_CHAN_ADD, &b, false);
	assert_true(turn_chan_by_number(&f->t, a, 0x4003, 0)->expires_ms == 5000);
	/* delete a hot one: the last (cold) fills it, its slot is zeroed */
	b = chan(0x4001, 0, 0);
	turn_apply_binding(&f->t, a, IPC_CHAN_DEL, &b, false);
	assert_int_equal(a->nchans, TURN_MAX_CHANNELS - 1);
	assert_int_equal(a->chans[1].channel, 0x4000 + TURN_MAX_CHANNELS - 1);
	assert_int_equal(a->chans[1].peer.port, 3000 + TURN_MAX_CHANNELS - 1);
	{
		struct turn_chan zero;

		memset(&zero, 0, sizeof(zero));
		assert_memory_equal(turn_chan_at(&f->t, a, TURN_MAX_CHANNELS - 1), &zero,
				    sizeof(zero));
	}
	assert_null(turn_chan_by_number(&f->t, a, 0x4001, 0));
	/* the freed slot takes a new channel */
	b = chan(0x4100, 9, 1);
	turn_apply_binding(&f->t, a, IPC_CHAN_ADD, &b, false);
	assert_int_equal(a->nchans, TURN_MAX_CHANNELS);
	assert_non_null(turn_chan_by_number(&f->t, a, 0x4100, 0));
}

/* Overflow blocks follow the counts: none for the hot ones, one past
 * them, two past the first block, given back as the counts fall (to the
 * pool's free list: no new chunk for the next allocation), and a binding
 * the pool has no memory for is ignored and counted. */
static void
test_turn_apply_binding_overflow_blocks_follow_use(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a, *b2 = &f->t.allocs[3];
	struct ipc_binding b;
	unsigned int i;

	for (i = 0; i < TURN_HOT_BINDINGS; i++) {
		b = perm((uint8_t)i, 100);
		turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	}
	assert_int_equal(a->ovf[0], 0);
	assert_int_equal(f->t.ovf.nchunks, 0);
	b = chan(0x4000, 1, 100);                 /* channels share the blocks */
	turn_apply_binding(&f->t, a, IPC_CHAN_ADD, &b, false);
	b = perm((uint8_t)i++, 100);
	turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	assert_true(a->ovf[0] != 0);
	assert_int_equal(a->ovf[1], 0);
	assert_int_equal(f->t.ovf.used, 1);
	for (; i < TURN_HOT_BINDINGS + TURN_OVF_BINDINGS + 1; i++) {
		b = perm((uint8_t)i, 100);
		turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	}
	assert_true(a->ovf[1] != 0);
	assert_int_equal(f->t.ovf.used, 2);
	for (unsigned int k = 0; k < i; k++)
		assert_true(has_perm(f, (uint8_t)k));
	/* down to the hot ones: both blocks back */
	while (a->nperms > TURN_HOT_BINDINGS) {
		b = perm(turn_perm_at(&f->t, a, 0)->ip[3], 0);
		turn_apply_binding(&f->t, a, IPC_PERM_DEL, &b, false);
	}
	assert_int_equal(a->ovf[0], 0);
	assert_int_equal(a->ovf[1], 0);
	assert_int_equal(f->t.ovf.used, 0);
	assert_non_null(turn_chan_by_number(&f->t, a, 0x4000, 0));
	/* another allocation takes a block from the free list */
	for (i = 0; i < TURN_HOT_BINDINGS + 1; i++) {
		b = chan((uint16_t)(0x4000 + i), (uint16_t)(10 + i), 100);
		turn_apply_binding(&f->t, b2, IPC_CHAN_ADD, &b, false);
	}
	assert_true(b2->ovf[0] != 0);
	assert_int_equal(f->t.ovf.nchunks, 1);
	/* no memory for a block: the binding is not there, counted */
	f->t.ovf.max_chunks = f->t.ovf.nchunks;
	f->t.ovf.free = 0;
	assert_int_equal(a->nperms, TURN_HOT_BINDINGS);
	b = perm(50, 100);
	turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	assert_int_equal(a->nperms, TURN_HOT_BINDINGS);
	assert_false(has_perm(f, 50));
	assert_int_equal(f->t.ovf.nomem, 1);
}

/* A username is kept once per worker, however many allocations hold it. */
static void
test_turn_apply_binding_usernames_interned(void **state)
{
	struct fix *f = *state;

	assert_true(turn_user_set(&f->t, &f->t.allocs[0], "alice", 5));
	assert_true(turn_user_set(&f->t, &f->t.allocs[1], "alice", 5));
	assert_true(turn_user_set(&f->t, &f->t.allocs[2], "alicf", 5));
	assert_true(turn_user_set(&f->t, &f->t.allocs[3], "alic", 4));
	assert_ptr_equal(f->t.allocs[0].user, f->t.allocs[1].user);
	assert_true(f->t.allocs[2].user != f->t.allocs[0].user);
	assert_true(f->t.allocs[3].user != f->t.allocs[0].user);
	assert_int_equal(f->t.allocs[0].user->refs, 2);
	assert_int_equal(f->t.users.n, 3);
	assert_memory_equal(f->t.allocs[2].user->name, "alicf", 5);
}


static void
udp_tuple(struct ipc_tuple *tu, uint16_t cport)
{
	memset(tu, 0, sizeof(*tu));
	tu->transport = STUN_TRANSPORT_UDP;
	tu->client.family = NET_AF_IPV4;
	tu->client.ip[0] = 10;
	tu->client.ip[3] = 2;
	tu->client.port = cport;
	tu->server.family = NET_AF_IPV4;
	tu->server.ip[0] = 10;
	tu->server.ip[3] = 1;
	tu->server.port = 3478;
}

/* slot of tu's key in f's table, -1: none */
static int
slot_of(struct fix *f, const struct ipc_tuple *tu)
{
	union turn_keyu k;
	uint32_t h = turn_key_from(&k, tu->transport, tu->conn_id, tu->client.family,
				   tu->in_port, tu->client.ip, tu->client.port,
				   tu->server.port);

	return turn_tt_lookup(&f->t, &k, h);
}

static void
put(struct fix *f, uint32_t slot, uint64_t id, const struct ipc_tuple *tu)
{
	struct turn_alloc *a = &f->t.allocs[slot];
	union turn_keyu k;

	a->id = id;
	a->client = tu->client;
	a->server = tu->server;
	turn_alloc_key_set(a, tu->in_port);
	turn_tt_insert(&f->t.tt, turn_key_from(&k, tu->transport, 0, tu->client.family,
					       tu->in_port, tu->client.ip, tu->client.port,
					       tu->server.port), slot);
}

static void
test_turn_alloc_move_rekeys_and_keeps_bindings(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;
	struct ipc_tuple from, to, other;
	struct ipc_binding b;
	uint32_t nb = 4;

	f->t.tt.b = aligned_alloc(64, nb * sizeof(struct turn_tt_bucket));
	assert_non_null(f->t.tt.b);
	memset(f->t.tt.b, 0, nb * sizeof(struct turn_tt_bucket));
	f->t.tt.mask = nb - 1;
	udp_tuple(&from, 40001);
	udp_tuple(&to, 40002);
	udp_tuple(&other, 40003);
	put(f, 2, 7, &from);
	put(f, 1, 8, &other);
	b = perm(9, 100);
	turn_apply_binding(&f->t, a, IPC_PERM_ADD, &b, false);
	b = chan(0x4001, 3480, 100);
	turn_apply_binding(&f->t, a, IPC_CHAN_ADD, &b, false);
	assert_int_equal(slot_of(f, &from), 2);
	assert_int_equal(slot_of(f, &to), -1);

	assert_int_equal(turn_alloc_move(&f->t, a, &to), 0);
	assert_int_equal(slot_of(f, &from), -1);
	assert_int_equal(slot_of(f, &to), 2);
	assert_int_equal(a->client.port, 40002);
	assert_int_equal(a->id, 7);
	assert_int_equal(a->nperms, 1);
	assert_int_equal(a->nchans, 1);
	assert_true(has_perm(f, 9));
	assert_non_null(turn_chan_by_number(&f->t, a, 0x4001, 0));
	/* onto a tuple that has an allocation: refused, nothing moves */
	assert_int_equal(turn_alloc_move(&f->t, a, &other), -EEXIST);
	assert_int_equal(slot_of(f, &to), 2);
	assert_int_equal(slot_of(f, &other), 1);
	assert_int_equal(f->t.allocs[1].id, 8);
	free(f->t.tt.b);
	f->t.tt.b = NULL;
}

/* RFC 8016 over DTLS: a session's allocation moved to a plain UDP
 * 5-tuple (or a plain one into a session) takes the new tuple's
 * connection id with it; otherwise the table is keyed by one id and the
 * allocation by the other: the new tuple finds nothing, and its end
 * unlinks nothing, leaking the slot (a user could exhaust dp's table). */
static void
test_turn_alloc_move_takes_the_conn_id(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;
	struct ipc_tuple from, to, back;
	union turn_keyu k;
	uint32_t nb = 4;

	f->t.tt.b = aligned_alloc(64, nb * sizeof(struct turn_tt_bucket));
	assert_non_null(f->t.tt.b);
	memset(f->t.tt.b, 0, nb * sizeof(struct turn_tt_bucket));
	f->t.tt.mask = nb - 1;
	udp_tuple(&from, 40001);
	from.conn_id = ipc_conn_make(0, 5 | IPC_CONN_SLOT_DTLS, 1);
	udp_tuple(&to, 40002);
	a->id = 7;
	a->client = from.client;
	a->server = from.server;
	a->conn_id = from.conn_id;
	turn_alloc_key_set(a, from.in_port);
	turn_tt_insert(&f->t.tt, turn_key_from(&k, from.transport, from.conn_id,
					       from.client.family, from.in_port, from.client.ip,
					       from.client.port, from.server.port), 2);
	assert_int_equal(slot_of(f, &from), 2);

	assert_int_equal(turn_alloc_move(&f->t, a, &to), 0);
	assert_int_equal(slot_of(f, &to), 2);
	assert_int_equal(a->conn_id, 0);
	/* and back into a (new) session */
	udp_tuple(&back, 40003);
	back.conn_id = ipc_conn_make(0, 6 | IPC_CONN_SLOT_DTLS, 1);
	assert_int_equal(turn_alloc_move(&f->t, a, &back), 0);
	assert_int_equal(slot_of(f, &back), 2);
	assert_int_equal(slot_of(f, &to), -1);
	free(f->t.tt.b);
	f->t.tt.b = NULL;
}

/* An installed allocation is found by its tuple (the lookup compares
 * the key word install keeps, key0), and installed again (cp's resync)
 * it keeps its slot instead of taking a second one. */
static void
test_turn_alloc_install_found_by_its_tuple(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = &f->t;
	static struct ipc_msg m;
	struct ipc_alloc *ia = (struct ipc_alloc *)m.body;
	const uint8_t tbl[2] = { 0, 0 };
	uint32_t live_slot[CAP], live_pos[CAP];
	uint64_t expires[CAP], created[CAP];
	void *mem = aligned_alloc(64, (turn_tt_bytes(CAP) + 63) & ~(size_t)63);
	struct turn_alloc *a;
	int slot;

	assert_non_null(mem);
	memset(mem, 0, (turn_tt_bytes(CAP) + 63) & ~(size_t)63);   /* as its region is */
	turn_tt_init_at(&t->tt, CAP, mem);
	t->live.slot = live_slot;
	t->live.pos = live_pos;
	t->expires = expires;
	t->created = created;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_ALLOC_ADD;
	m.h.alloc_id = 42;
	udp_tuple(&m.h.tuple, 40001);
	m.h.tuple.in_port = 1;
	ia->nrelayed = 0;
	ia->expires_ms = 1000;
	a = turn_alloc_install(t, &m, tbl);
	assert_non_null(a);
	slot = (int)(a - t->allocs);
	assert_int_equal(slot_of(f, &m.h.tuple), slot);
	assert_ptr_equal(turn_alloc_install(t, &m, tbl), a);
	assert_int_equal(t->nallocs, 1);
	m.h.tuple.client.port = 40002;
	assert_int_equal(slot_of(f, &m.h.tuple), -1);
	t->tt.b = NULL;
	free(mem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_turn_apply_binding_perm_add_refresh_and_max,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_turn_apply_binding_perm_del_last_fills_hole_across_hot_cold,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_apply_binding_overflow_blocks_follow_use,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_apply_binding_usernames_interned,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_alloc_move_rekeys_and_keeps_bindings,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_alloc_move_takes_the_conn_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_turn_apply_binding_chan_add_del_zeroes_slot,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_alloc_install_found_by_its_tuple, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
