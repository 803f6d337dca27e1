/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/dp_cp.c: a worker's link to cp. Registration refuses what cannot be
 * dispatched (a kind from dp to cp, SYNC, a kind out of range, a second
 * handler for a kind, a hook too many) and takes the same one twice (a
 * module's init runs once a worker); dispatch hands each checked message
 * to its kind's handler, SYNC to every SYNC hook in registration order, a
 * kind nobody took to no one, a bad message to the ipc_bad count; the
 * look at cp tells the seen hooks once a millisecond; a FENCE is answered
 * with FENCE_DONE naming the newest one taken, after what came before it,
 * once the ring to cp keeps its headroom. Rings and segment header in
 * heap memory, no EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp_cp.h"
#include "fake_worker.h"
#include "ipc.h"

struct fix {
	struct dp_ctx ctx;
	struct dp_worker *w;
	struct ipc_worker_rings *rings;
	struct ipc_shm *shm;
};

/* what the handlers saw, in order: a letter each */
static char seen_log[64];
static unsigned int nlog;
static uint64_t seen_epoch;
static bool seen_up;
static unsigned int nseen;

static void
logc(char c)
{
	if (nlog + 1 < sizeof(seen_log))
		seen_log[nlog++] = c;
	seen_log[nlog] = '\0';
}

static void
on_stats_req(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)w;
	assert_int_equal(msg->h.kind, IPC_STATS_REQ);
	logc('s');
}

static void
on_stats_req_other(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)w;
	(void)msg;
	fail_msg("the first handler of a kind keeps it");
}

static void
sync_a(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)w;
	assert_true(msg->h.alloc_id == 77 || msg->h.alloc_id == 78);
	logc('a');
}

static void
sync_b(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)w;
	(void)msg;
	logc('b');
}

static void
sync_c(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)w;
	(void)msg;
	logc('c');
}

static void
sync_d(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)w;
	(void)msg;
	logc('d');
}

static void
sync_e(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)w;
	(void)msg;
}

static void
on_seen(struct dp_worker *w, uint64_t epoch, bool serving)
{
	(void)w;
	seen_epoch = epoch;
	seen_up = serving;
	nseen++;
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->w = fw_worker_new(&f->ctx);
	fw_link_attach(f->w);                /* cp not serving: zeroed */
	f->rings = f->w->cp.rings;
	f->shm = f->ctx.ipc.shm;
	nlog = 0;
	seen_log[0] = '\0';
	nseen = 0;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	fw_link_detach(f->w);
	fw_worker_free(f->w);
	free(f);
	return 0;
}

static void
send_kind(struct fix *f, uint16_t kind, uint64_t alloc_id)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = kind;
	m.h.alloc_id = alloc_id;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(ipc_ring_enqueue(&f->rings->to_dp, &m), 0);
}

static void
test_dp_cp_registration_refuses_what_cannot_dispatch(void **state)
{
	struct fix *f = *state;

	assert_int_equal(dp_cp_on_kind(&f->ctx, IPC_REQUEST, on_stats_req), -EINVAL);
	assert_int_equal(dp_cp_on_kind(&f->ctx, IPC_SYNC, on_stats_req), -EINVAL);
	assert_int_equal(dp_cp_on_kind(&f->ctx, DP_CP_KINDS, on_stats_req), -EINVAL);
	assert_int_equal(dp_cp_on_kind(&f->ctx, 63, on_stats_req), -EINVAL);
	assert_int_equal(dp_cp_on_kind(&f->ctx, IPC_STATS_REQ, NULL), -EINVAL);
	assert_int_equal(dp_cp_on_kind(&f->ctx, IPC_STATS_REQ, on_stats_req), 0);
	/* a second worker's init registers the same again */
	assert_int_equal(dp_cp_on_kind(&f->ctx, IPC_STATS_REQ, on_stats_req), 0);
	assert_int_equal(dp_cp_on_kind(&f->ctx, IPC_STATS_REQ, on_stats_req_other), -EEXIST);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_a, NULL), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_a, NULL), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_b, NULL), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_c, NULL), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_d, NULL), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_e, NULL), -ENOSPC);
	assert_int_equal(dp_cp_on_sync(&f->ctx, NULL, NULL), -EINVAL);
	assert_int_equal(f->ctx.cp_reg.nsync, DP_CP_HOOKS);
	assert_int_equal(dp_cp_on_seen(&f->ctx, NULL), -EINVAL);
}

static void
test_dp_cp_dispatch_by_kind_sync_in_order(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg bad;

	assert_int_equal(dp_cp_on_kind(&f->ctx, IPC_STATS_REQ, on_stats_req), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_c, NULL), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_a, NULL), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_b, NULL), 0);
	send_kind(f, IPC_STATS_REQ, 0);
	send_kind(f, IPC_SYNC, 77);
	send_kind(f, IPC_TLS_RELOAD, 0);     /* nobody took it: dropped */
	/* a message that fails its checks: counted, handed to no one */
	memset(&bad, 0, sizeof(bad));
	bad.h.kind = IPC_STATS_REQ;
	bad.h.body_len = 3;
	assert_int_not_equal(ipc_msg_check(&bad, IPC_CP2DP), 0);
	assert_int_equal(ipc_ring_enqueue(&f->rings->to_dp, &bad), 0);
	send_kind(f, IPC_STATS_REQ, 0);
	assert_int_equal(dp_cp_poll(f->w, 1), 5);
	assert_string_equal(seen_log, "scabs");
	assert_int_equal(f->w->cp.ipc_bad, 1);
	assert_int_equal(f->w->cp.ipc_in, 5);
	assert_int_equal(dp_cp_poll(f->w, 1), 0);
	/* without cp's segment there is no link: nothing is read */
	send_kind(f, IPC_STATS_REQ, 0);
	f->w->cp.rings = NULL;
	assert_int_equal(dp_cp_poll(f->w, 2), 0);
	assert_string_equal(seen_log, "scabs");
}

static void
test_dp_cp_look_at_cp_once_a_ms(void **state)
{
	struct fix *f = *state;
	uint64_t now = ipc_monotonic_ms();

	assert_int_equal(dp_cp_on_seen(&f->ctx, on_seen), 0);
	f->shm->cp_epoch = 5;
	assert_int_equal(dp_cp_poll(f->w, now), 0);
	assert_int_equal(nseen, 1);
	assert_int_equal(seen_epoch, 5);
	assert_false(seen_up);
	assert_false(f->w->cp.serving);
	/* a new cp that is starting is not gone: the grace restarts */
	assert_int_equal(f->w->cp.down_since_ms, now);
	assert_int_equal(dp_cp_poll(f->w, now), 0);
	assert_int_equal(nseen, 1);          /* the same millisecond */
	/* cp serves: ready for its epoch, beating */
	f->shm->cp_ready = 5;
	f->shm->cp_heartbeat_ms = now + 1;
	assert_int_equal(dp_cp_poll(f->w, now + 1), 0);
	assert_int_equal(nseen, 2);
	assert_true(seen_up);
	assert_true(f->w->cp.serving);
	assert_int_equal(f->w->cp.checked_ms, now + 1);
	assert_int_equal(f->w->cp.down_since_ms, now);
	/* it stops beating: down since this look */
	assert_int_equal(dp_cp_poll(f->w, now + 1 + IPC_ALIVE_MS), 0);
	assert_false(f->w->cp.serving);
	assert_int_equal(f->w->cp.down_since_ms, now + 1 + IPC_ALIVE_MS);
}

/* modules' steps for the SYNC's answer: a's pass takes three steps, each
 * sending a message where the ring has room beyond the headroom; b sends
 * nothing */
static unsigned int a_left;

static bool
step_a(struct dp_worker *w, unsigned int headroom)
{
	static struct ipc_msg m;

	assert_int_equal(headroom, DP_CP_HEADROOM);
	logc('A');
	if (dp_cp_room(w, headroom)) {
		memset(&m, 0, sizeof(m));
		m.h.kind = IPC_STATS;
		assert_int_equal(dp_cp_send(w, &m), 0);
	}
	return --a_left == 0;
}

static bool
step_b(struct dp_worker *w, unsigned int headroom)
{
	(void)w;
	(void)headroom;
	logc('B');
	return true;
}

static unsigned int
to_cp_done(struct fix *f, uint64_t *id)
{
	static struct ipc_msg m;
	unsigned int n = 0;

	while (ipc_ring_dequeue(&f->rings->to_cp, &m) == 1) {
		if (m.h.kind != IPC_STATE_DONE)
			continue;
		assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
		*id = m.h.alloc_id;
		n++;
	}
	return n;
}

/* A SYNC's answer: each module's steps in registration order, the next
 * only when the one before is over, no step before the gap, then one
 * STATE_DONE naming the SYNC, which waits for room beyond the headroom;
 * a second SYNC starts every pass over. */
static void
test_dp_cp_sync_steps_in_order_then_done(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg filler;
	uint64_t id = 0, tsc = 1000;

	f->ctx.tsc_hz = 1000000u;            /* a tick a microsecond */
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_a, step_a), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_b, step_b), 0);
	assert_int_equal(dp_cp_on_sync(&f->ctx, sync_a, step_b), -EEXIST);
	assert_int_equal(dp_cp_sync_step(f->w, tsc), 0);   /* no SYNC yet */
	a_left = 3;
	send_kind(f, IPC_SYNC, 77);
	assert_int_equal(dp_cp_poll(f->w, 1), 1);
	assert_string_equal(seen_log, "ab");
	assert_true(f->w->cp.sync_on);
	assert_int_equal(dp_cp_sync_step(f->w, tsc), 1);
	assert_int_equal(dp_cp_sync_step(f->w, tsc + 1), 0);   /* within the gap */
	tsc += 1000;
	assert_int_equal(dp_cp_sync_step(f->w, tsc), 1);
	assert_string_equal(seen_log, "abAA");
	/* the ring down to its headroom: a's pass ends, b's runs, DONE waits:
	 * nothing went, no work (the worker may doze) */
	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_REQUEST;
	for (unsigned int i = 0; i < IPC_RING_SLOTS - DP_CP_HEADROOM; i++)
		assert_int_equal(ipc_ring_enqueue(&f->rings->to_cp, &filler), 0);
	tsc += 1000;
	assert_int_equal(dp_cp_sync_step(f->w, tsc), 0);
	assert_string_equal(seen_log, "abAAAB");
	assert_true(f->w->cp.sync_on);
	assert_int_equal(to_cp_done(f, &id), 0);   /* (drains the ring) */
	tsc += 1000;
	assert_int_equal(dp_cp_sync_step(f->w, tsc), 1);
	assert_false(f->w->cp.sync_on);
	assert_int_equal(to_cp_done(f, &id), 1);
	assert_int_equal(id, 77);
	assert_string_equal(seen_log, "abAAAB");   /* b is not stepped again */
	tsc += 1000;
	assert_int_equal(dp_cp_sync_step(f->w, tsc), 0);
	/* cp asks again: every pass from the start */
	a_left = 1;
	send_kind(f, IPC_SYNC, 78);
	assert_int_equal(dp_cp_poll(f->w, 2), 1);
	tsc += 1000;
	assert_int_equal(dp_cp_sync_step(f->w, tsc), 1);
	assert_string_equal(seen_log, "abAAABabAB");
	assert_int_equal(to_cp_done(f, &id), 1);
	assert_int_equal(id, 78);
}

/* The FENCE_DONEs in the ring to cp (the rest read and passed over): how
 * many, the last one's number in *v. */
static unsigned int
to_cp_fenced(struct fix *f, uint64_t *v)
{
	static struct ipc_msg m;
	unsigned int n = 0;

	while (ipc_ring_dequeue(&f->rings->to_cp, &m) == 1) {
		if (m.h.kind != IPC_FENCE_DONE)
			continue;
		assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
		*v = m.h.alloc_id;
		n++;
	}
	return n;
}

/* cp's FENCE: what came before it applied first (the handlers ran), one
 * FENCE_DONE for the newest of two, none again until another FENCE, and
 * none while the ring to cp is down to its headroom. */
static void
test_dp_cp_fence_answered_after_what_came_before(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg filler;
	uint64_t v = 0;

	assert_int_equal(dp_cp_on_kind(&f->ctx, IPC_STATS_REQ, on_stats_req), 0);
	assert_int_equal(dp_cp_fence_step(f->w), 0);     /* nothing asked */
	send_kind(f, IPC_STATS_REQ, 0);
	send_kind(f, IPC_FENCE, 41);
	send_kind(f, IPC_STATS_REQ, 0);
	send_kind(f, IPC_FENCE, 42);
	assert_int_equal(dp_cp_poll(f->w, 1), 4);
	assert_string_equal(seen_log, "ss");
	assert_int_equal(to_cp_fenced(f, &v), 0);        /* (after the sweeps) */
	assert_int_equal(dp_cp_fence_step(f->w), 1);
	assert_int_equal(to_cp_fenced(f, &v), 1);
	assert_int_equal(v, 42);
	assert_int_equal(dp_cp_fence_step(f->w), 0);
	assert_int_equal(to_cp_fenced(f, &v), 0);
	/* the ring to cp down to its headroom: the answer waits for room */
	send_kind(f, IPC_FENCE, 43);
	assert_int_equal(dp_cp_poll(f->w, 2), 1);
	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_REQUEST;
	for (unsigned int i = 0; i < IPC_RING_SLOTS - DP_CP_HEADROOM; i++)
		assert_int_equal(ipc_ring_enqueue(&f->rings->to_cp, &filler), 0);
	assert_int_equal(dp_cp_fence_step(f->w), 0);
	assert_int_equal(to_cp_fenced(f, &v), 0);        /* (drains the ring) */
	assert_int_equal(dp_cp_fence_step(f->w), 1);
	assert_int_equal(to_cp_fenced(f, &v), 1);
	assert_int_equal(v, 43);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dp_cp_registration_refuses_what_cannot_dispatch,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dp_cp_dispatch_by_kind_sync_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dp_cp_look_at_cp_once_a_ms,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dp_cp_fence_answered_after_what_came_before,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dp_cp_sync_steps_in_order_then_done,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
