/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn/turn_sweep.c: the table sweeps, a slice at a time, over real
 * rings in heap memory (lib/ipc) and calloc'd tables (no hash, no EAL).
 * What matters: a SYNC pass gives a restarted cp every allocation that was
 * live for the whole pass, then one STATE_DONE naming the SYNC; the sweeps
 * never take the ring to cp down to the room kept for clients' requests
 * (DP_CP_HEADROOM, 256 slots) and resume where they stopped; a
 * STATE_ALLOC with every binding fits the message and passes cp's checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dp_cp.h"
#include "fake_worker.h"
#include "ipc.h"
#include "turn.h"
#include "turn_inlines.h"

#define CAP 512u
#define HEADROOM 256u          /* dp_cp.h's DP_CP_HEADROOM */

struct fix {
	struct dp_ctx ctx;
	struct dp_worker *w;
	struct ipc_worker_rings *rings;
	uint64_t tsc;
	uint32_t seen[CAP];    /* STATE_ALLOC / STATS per slot */
	unsigned int done;     /* STATE_DONEs */
	uint64_t done_id;
};

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct turn_worker *t;

	assert_non_null(f);
	f->w = fw_worker_new(&f->ctx);
	/* TURN's state behind its pointer, as turn_init() gives it */
	f->w->turn = fw_zalloc(sizeof(struct turn_worker));
	f->ctx.tsc_hz = 1000000u;            /* one tick a microsecond */
	fw_link_attach(f->w);                /* cp not serving */
	f->rings = f->w->cp.rings;
	/* TURN's answer to a SYNC, as turn_cp_register() gives it */
	assert_int_equal(dp_cp_on_sync(&f->ctx, turn_state_start, turn_state_step), 0);
	f->w->id = 3;
	t = f->w->turn;
	t->cap = CAP;
	t->allocs = fw_zalloc(sizeof(struct turn_alloc) * CAP);
	assert_int_equal(turn_bindings_init(t, CAP), 0);
	t->live.slot = calloc(CAP, sizeof(uint32_t));
	t->live.pos = calloc(CAP, sizeof(uint32_t));
	t->expires = calloc(CAP, sizeof(uint64_t));
	t->created = calloc(CAP, sizeof(uint64_t));
	t->relay_addr[0].family = NET_AF_IPV4;
	t->relay_addr[0].ip[0] = 10;
	t->relay_addr[0].ip[3] = 7;
	t->expire_next_ms = UINT64_MAX;      /* the expiry guard needs the hash */
	f->tsc = 1000;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;

	free(t->allocs);
	turn_bindings_free(t);
	free(t->live.slot);
	free(t->live.pos);
	free(t->expires);
	free(t->created);
	free(t->bw);
	fw_link_detach(f->w);
	free(f->w->turn);
	fw_worker_free(f->w);
	free(f);
	return 0;
}

/* A live allocation in slot s: id s + 1, one IPv4 relayed address. */
static void
add(struct fix *f, uint32_t s)
{
	struct turn_worker *t = f->w->turn;
	struct turn_alloc *a = &t->allocs[s];

	a->id = s + 1u;
	a->client.family = NET_AF_IPV4;
	a->server.family = NET_AF_IPV4;
	a->client.port = (uint16_t)(1000 + s);
	a->stats[TURN_STAT_PKTS_FROM_CLIENT] = s * 3u;
	a->nrelayed = 1;
	a->relay_tbl[0] = 0;
	a->relay_port = (uint16_t)(50000 + s);
	turn_live_add(&t->live, s);
	t->nallocs = t->live.n;
}

static void
del(struct fix *f, uint32_t s)
{
	struct turn_worker *t = f->w->turn;

	turn_live_del(&t->live, s);
	t->nallocs = t->live.n;
	memset(&t->allocs[s], 0, sizeof(t->allocs[s]));
}

/* One turn of the worker's sweeps, a slice's gap later (a SYNC's answer
 * first, as the loop runs them): allocations visited. */
static unsigned int
step(struct fix *f)
{
	uint64_t before = f->w->turn->swept;

	f->tsc += 1000;
	dp_cp_sync_step(f->w, f->tsc);
	turn_sweep(f->w, f->tsc);
	return (unsigned int)(f->w->turn->swept - before);
}

/* cp's SYNC with id (its epoch), through the worker's link. */
static void
sync_from_cp(struct fix *f, uint64_t id)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_SYNC;
	m.h.alloc_id = id;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(ipc_ring_enqueue(&f->rings->to_dp, &m), 0);
	assert_int_equal(dp_cp_poll(f->w, 1), 1);
}

/* Fill the ring to cp with n filler messages. */
static void
fill(struct fix *f, unsigned int n)
{
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_REQUEST;
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(ipc_ring_enqueue(&f->rings->to_cp, &m), 0);
}

/* Take up to n messages from the ring to cp, recording what the sweeps
 * sent; the sweeps' messages are all well formed. Returns messages taken. */
static unsigned int
drain(struct fix *f, unsigned int n)
{
	static struct ipc_msg m;
	unsigned int k = 0;

	while (k < n && ipc_ring_dequeue(&f->rings->to_cp, &m) == 1) {
		k++;
		if (m.h.kind == IPC_REQUEST)
			continue;               /* filler */
		assert_int_equal(m.h.worker, 3);
		assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
		if (m.h.kind == IPC_STATE_ALLOC) {
			assert_int_equal(f->done, 0);   /* DONE comes last */
			assert_true(m.h.alloc_id >= 1 && m.h.alloc_id <= CAP);
			f->seen[m.h.alloc_id - 1]++;
		} else if (m.h.kind == IPC_STATE_DONE) {
			f->done++;
			f->done_id = m.h.alloc_id;
		} else if (m.h.kind == IPC_STATS) {
			for (unsigned int i = 0; i < ipc_msg_nstats(&m); i++) {
				const struct ipc_alloc_stats *st = ipc_msg_stats(&m, i);

				assert_true(st->alloc_id >= 1 && st->alloc_id <= CAP);
				assert_true(st->c[TURN_STAT_PKTS_FROM_CLIENT] ==
					    (st->alloc_id - 1) * 3u);
				f->seen[st->alloc_id - 1]++;
			}
		} else {
			fail_msg("unexpected kind %u", m.h.kind);
		}
	}
	return k;
}

static unsigned int
ring_used(struct fix *f)
{
	return ipc_ring_count(&f->rings->to_cp);
}

/* SYNC with the ring nearly full: the pass stops where the headroom
 * starts, resumes as cp drains, sends every allocation once, then one
 * STATE_DONE with the SYNC's id. */
static void
test_turn_sweep_state_stops_at_headroom_and_resumes(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;
	unsigned int guard = 0;

	for (uint32_t s = 0; s < 300; s++)
		add(f, s * 7u % CAP);
	fill(f, IPC_RING_SLOTS - HEADROOM - 5u);
	sync_from_cp(f, 77);
	assert_int_equal(step(f), 5);        /* five slots above the headroom */
	assert_int_equal(ring_used(f), IPC_RING_SLOTS - HEADROOM);
	assert_int_equal(step(f), 0);        /* nothing until cp takes some */
	assert_int_equal(ring_used(f), IPC_RING_SLOTS - HEADROOM);
	while (f->done == 0 && guard++ < 10000) {
		drain(f, 3);
		step(f);
		assert_true(ring_used(f) <= IPC_RING_SLOTS - HEADROOM);
	}
	drain(f, IPC_RING_SLOTS);
	assert_int_equal(f->done, 1);
	assert_true(f->done_id == 77);
	for (uint32_t s = 0; s < CAP; s++)
		assert_int_equal(f->seen[s], t->allocs[s].id != 0 ? 1 : 0);
	assert_false(f->w->cp.sync_on);
	step(f);                             /* the pass is over */
	assert_int_equal(ring_used(f), 0);
}

/* An empty table: STATE_DONE alone. With no room at all, DONE waits. */
static void
test_turn_sweep_state_done_waits_for_room(void **state)
{
	struct fix *f = *state;

	fill(f, IPC_RING_SLOTS - HEADROOM);
	sync_from_cp(f, 5);
	step(f);
	step(f);
	assert_int_equal(ring_used(f), IPC_RING_SLOTS - HEADROOM);
	assert_true(f->w->cp.sync_on);
	drain(f, 1);
	step(f);
	drain(f, IPC_RING_SLOTS);
	assert_int_equal(f->done, 1);
	assert_true(f->done_id == 5);
	assert_false(f->w->cp.sync_on);
}

/* STATS_REQ: no message while the ring is down to its headroom; then
 * every allocation's counters once. */
static void
test_turn_sweep_stats_respects_headroom(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;
	unsigned int guard = 0;

	for (uint32_t s = 0; s < 200; s++)
		add(f, s);
	fill(f, IPC_RING_SLOTS - HEADROOM);
	turn_sweep_start(t, &t->stats_job);
	assert_int_equal(step(f), 0);
	assert_int_equal(ring_used(f), IPC_RING_SLOTS - HEADROOM);
	while (t->stats_job.on && guard++ < 10000) {
		drain(f, 1);
		step(f);
		assert_true(ring_used(f) <= IPC_RING_SLOTS - HEADROOM);
	}
	drain(f, IPC_RING_SLOTS);
	for (uint32_t s = 0; s < 200; s++)
		assert_int_equal(f->seen[s], 1);
}

/* Allocations deleted and added between slices: every one live for the
 * whole pass is sent (at least once); no deleted one after its deletion. */
static void
test_turn_sweep_every_live_alloc_once_across_deletes(void **state)
{
	struct fix *f = *state;
	bool stayed[CAP], on[CAP];
	unsigned int guard = 0;

	memset(on, 0, sizeof(on));
	for (uint32_t s = 0; s < 400; s++) {
		add(f, s);
		on[s] = true;
	}
	memcpy(stayed, on, sizeof(stayed));
	sync_from_cp(f, 9);
	while (f->done == 0 && guard++ < 10000) {
		step(f);
		drain(f, IPC_RING_SLOTS);
		for (unsigned int k = 0; k < 4; k++) {
			uint32_t s = rnd(CAP);

			if (on[s]) {
				del(f, s);
				on[s] = stayed[s] = false;
			} else {
				add(f, s);
				on[s] = true;
			}
		}
	}
	assert_int_equal(f->done, 1);
	for (uint32_t s = 0; s < CAP; s++)
		if (stayed[s])
			assert_true(f->seen[s] >= 1);
}

/* Sixteen permissions and sixteen channels, hot and in overflow blocks,
 * all in one STATE_ALLOC that cp accepts, in order, with the relayed
 * address, the username and no key. */
/* Bandwidth limits (struct turn_bw, docs/turn.md "Bandwidth limits"): no
 * array until a limit comes; a bucket a direction, whole datagrams, the
 * drops counted; a datagram over the burst never passes; an allocation
 * without a limit is never over; held to burst + rate x t over time; the
 * same allocation installed again keeps what its bucket holds; STATE_ALLOC
 * gives the limit back to a restarted cp. */
static void
test_turn_bw_buckets_both_ways_and_back_to_cp(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;
	struct turn_alloc *a = &t->allocs[5], *b = &t->allocs[6];
	static struct ipc_msg m;
	uint64_t passed = 0;

	add(f, 5);
	add(f, 6);
	t->now_ms = 1000;
	turn_bw_set(t, 6, false, 0, 0);
	assert_null(t->bw);                  /* no limit anywhere: no array */
	turn_bw_set(t, 5, false, 1000, 1500);
	assert_non_null(t->bw);
	assert_int_equal(t->nbw, 1);
	/* full at the start: 1500 bytes, whole datagrams only */
	assert_false(turn_bw_over(t, a, TURN_BW_TO_PEER, 1000));
	assert_true(turn_bw_over(t, a, TURN_BW_TO_PEER, 1000));
	assert_false(turn_bw_over(t, a, TURN_BW_TO_PEER, 500));
	assert_true(turn_bw_over(t, a, TURN_BW_TO_PEER, 1));
	/* the other direction: its own bucket */
	assert_false(turn_bw_over(t, a, TURN_BW_TO_CLIENT, 1500));
	assert_true(turn_bw_over(t, a, TURN_BW_TO_CLIENT, 100));
	/* a second on: a second's worth more */
	t->now_ms += 1000;
	assert_false(turn_bw_over(t, a, TURN_BW_TO_PEER, 1000));
	assert_true(turn_bw_over(t, a, TURN_BW_TO_PEER, 1));
	assert_int_equal(t->bw[5].drops[TURN_BW_TO_PEER], 3);
	assert_int_equal(t->bw[5].drops[TURN_BW_TO_CLIENT], 1);
	/* over the burst: never, however long the silence */
	t->now_ms += 100000;
	assert_true(turn_bw_over(t, a, TURN_BW_TO_PEER, 1501));
	/* no limit: never over, nothing counted */
	for (unsigned int i = 0; i < 1000; i++)
		assert_false(turn_bw_over(t, b, TURN_BW_TO_PEER, 65000));
	assert_true(t->bw[6].drops[TURN_BW_TO_PEER] == 0);
	/* 100-byte datagrams every millisecond for 10 s, ten times the
	 * limit: the burst and 10 s of it pass, no more */
	turn_bw_set(t, 5, false, 1000, 1500);   /* another allocation: full */
	for (unsigned int ms = 0; ms < 10000; ms++) {
		t->now_ms++;
		if (!turn_bw_over(t, a, TURN_BW_TO_CLIENT, 100))
			passed += 100;
	}
	assert_true(passed <= 1500 + 10000 && passed >= 1500 + 10000 - 100);
	/* installed again (a restarted cp): no new burst */
	assert_true(turn_bw_over(t, a, TURN_BW_TO_CLIENT, 200));
	turn_bw_set(t, 5, true, 1000, 1500);
	assert_true(turn_bw_over(t, a, TURN_BW_TO_CLIENT, 200));
	assert_int_equal(t->nbw, 1);
	/* back to a restarted cp; without a limit, 0 */
	turn_state_alloc_fill(&m, t, a);
	m.h.worker = 3;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	assert_int_equal(ipc_msg_alloc(&m)->max_bps, 1000);
	assert_int_equal(ipc_msg_alloc(&m)->max_bps_burst, 1500);
	turn_state_alloc_fill(&m, t, b);
	assert_int_equal(ipc_msg_alloc(&m)->max_bps, 0);
	assert_int_equal(ipc_msg_alloc(&m)->max_bps_burst, 0);
	/* a limit taken off */
	turn_bw_set(t, 5, true, 0, 0);
	assert_int_equal(t->nbw, 0);
	assert_false(turn_bw_over(t, a, TURN_BW_TO_CLIENT, 60000));
	/* a burst of 0: a second's */
	turn_bw_set(t, 6, false, 3000, 0);
	assert_int_equal(t->bw[6].pol[TURN_BW_TO_PEER].burst, 3000);
}

static void
test_turn_sweep_state_alloc_full_bindings_fits_and_passes_ipc_msg_check(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;
	struct turn_alloc *a = &t->allocs[9];
	static struct ipc_msg m;

	add(f, 9);
	t->expires[9] = 123456;
	t->created[9] = 777;
	assert_true(turn_user_set(t, a, "alice", 5));
	for (unsigned int i = 0; i < TURN_MAX_PERMS; i++) {
		struct ipc_binding b;

		memset(&b, 0, sizeof(b));
		b.peer.family = NET_AF_IPV6;
		b.peer.ip[15] = (uint8_t)i;
		b.expires_ms = 1000u + i;
		turn_apply_binding(t, a, IPC_PERM_ADD, &b, false);
	}
	for (unsigned int i = 0; i < TURN_MAX_CHANNELS; i++) {
		struct ipc_binding b;

		memset(&b, 0, sizeof(b));
		b.channel = (uint16_t)(0x4000u + i);
		b.peer.family = NET_AF_IPV4;
		b.peer.ip[3] = (uint8_t)i;
		b.peer.port = (uint16_t)(2000u + i);
		b.expires_ms = 5000u + i;
		turn_apply_binding(t, a, IPC_CHAN_ADD, &b, false);
	}
	assert_int_equal(a->nperms, TURN_MAX_PERMS);
	assert_int_equal(a->nchans, TURN_MAX_CHANNELS);
	a->conn_id = ipc_conn_make(3, 2, 0x203);   /* a stream client's, kept */
	turn_state_alloc_fill(&m, t, a);
	m.h.worker = 3;                      /* as the sender sets it */
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	assert_int_equal(m.h.tuple.transport, 6);
	assert_true(m.h.tuple.conn_id == ipc_conn_make(3, 2, 0x203));
	assert_int_equal(m.h.body_len, sizeof(struct ipc_alloc) +
			 (TURN_MAX_PERMS + TURN_MAX_CHANNELS) * sizeof(struct ipc_binding));
	assert_true(m.h.body_len <= sizeof(m.body));
	assert_true(ipc_msg_alloc(&m)->expires_ms == 123456);
	/* (the start cp gave it goes back to a restarted cp) */
	assert_true(ipc_msg_alloc(&m)->created_ms == 777);
	assert_int_equal(ipc_msg_alloc(&m)->user_len, 5);
	assert_memory_equal(ipc_msg_alloc(&m)->username, "alice", 5);
	assert_int_equal(ipc_msg_alloc(&m)->key_len, 0);
	assert_int_equal(ipc_msg_alloc(&m)->nrelayed, 1);
	assert_int_equal(ipc_msg_alloc(&m)->relayed[0].family, NET_AF_IPV4);
	assert_int_equal(ipc_msg_alloc(&m)->relayed[0].port, 50009);
	assert_int_equal(ipc_msg_alloc(&m)->relayed[0].ip[3], 7);
	assert_int_equal(ipc_msg_nbindings(&m), TURN_MAX_PERMS + TURN_MAX_CHANNELS);
	for (unsigned int i = 0; i < TURN_MAX_PERMS; i++) {
		const struct ipc_binding *b = ipc_msg_binding(&m, i);

		assert_int_equal(b->channel, 0);
		assert_int_equal(b->peer.ip[15], i);
		assert_true(b->expires_ms == 1000u + i);
	}
	for (unsigned int i = 0; i < TURN_MAX_CHANNELS; i++) {
		const struct ipc_binding *b = ipc_msg_binding(&m, TURN_MAX_PERMS + i);

		assert_int_equal(b->channel, 0x4000u + i);
		assert_int_equal(b->peer.port, 2000u + i);
		assert_true(b->expires_ms == 5000u + i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_turn_sweep_state_stops_at_headroom_and_resumes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_sweep_state_done_waits_for_room,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_sweep_stats_respects_headroom,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_sweep_every_live_alloc_once_across_deletes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_turn_sweep_state_alloc_full_bindings_fits_and_passes_ipc_msg_check,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_bw_buckets_both_ways_and_back_to_cp,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
