/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/session: a connection's session {transport, owner ops, arg} by its
 * slot, driven with a fake transport that records what it was told to
 * wake (its subscribe()) and fires those wake-ups as dp/tls's poll would:
 * create, hand over between owners, the wake-up reaches the owner of the
 * moment and no other, close, a slot reused, free; the counters as cp
 * reads them (session_ctrs).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "ipc.h"
#include "session.h"
#include "tcp_fixture.h"

static struct dp_worker W;

/* ---- the fake transport: its subscriptions by slot --------------------- */

#define FAKE_SLOTS 16u

static struct fake_sub {
	uint64_t id;
	dp_xprt_wake_fn wake;
	void *arg;
	unsigned int calls;
} subs[FAKE_SLOTS];

static void
fake_subscribe(struct dp_worker *w, uint64_t id, dp_xprt_wake_fn wake, void *arg)
{
	struct fake_sub *f = &subs[ipc_conn_slot(id) % FAKE_SLOTS];

	assert_ptr_equal(w, &W);
	f->id = id;
	f->wake = wake;
	f->arg = arg;
	f->calls++;
}

/* The transport's operation on id may go on: it wakes its subscriber, as
 * tls_ready() does. */
static void
fake_fire(uint64_t id)
{
	struct fake_sub *f = &subs[ipc_conn_slot(id) % FAKE_SLOTS];

	if (f->id == id && f->wake != NULL)
		f->wake(&W, id, f->arg);
}

static const struct dp_xprt_ops fake_xprt = {
	.name = "fake",
	.subscribe = fake_subscribe,
};

/* ---- two owners ---------------------------------------------------------- */

struct owner {
	unsigned int readies;
	uint64_t last_id;
	void *last_arg;
};

static struct owner A, B;
static int arg_a, arg_b;

static void
ready_a(struct dp_worker *w, uint64_t id, void *arg)
{
	assert_ptr_equal(w, &W);
	A.readies++;
	A.last_id = id;
	A.last_arg = arg;
}

static void
ready_b(struct dp_worker *w, uint64_t id, void *arg)
{
	assert_ptr_equal(w, &W);
	B.readies++;
	B.last_id = id;
	B.last_arg = arg;
}

static const struct dp_session_ops ops_a = { .name = "a", .ready = ready_a };
static const struct dp_session_ops ops_b = { .name = "b", .ready = ready_b };

static int
setup(void **state)
{
	(void)state;
	h_eal_init();
	memset(&W, 0, sizeof(W));
	memset(subs, 0, sizeof(subs));
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	assert_int_equal(session_worker_init(&W, FAKE_SLOTS), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	session_worker_free(&W);
	assert_null(W.session);
	return 0;
}

static uint64_t
conn(uint32_t slot, uint32_t gen)
{
	return ipc_conn_make(0, slot, gen);
}

/* Made once: a second caller (TURN's, the relay's, the gateway's) finds
 * it made; one that wants more connections is refused. */
static void
test_init_twice(void **state)
{
	struct session_worker *sw = W.session;

	(void)state;
	assert_non_null(sw);
	assert_int_equal(session_worker_init(&W, FAKE_SLOTS), 0);
	assert_ptr_equal(W.session, sw);
	assert_int_equal(session_worker_init(&W, FAKE_SLOTS + 1u), -EINVAL);
	assert_null(session_of(&W, conn(3, 1)));
}

/* Open: the transport is told to wake the session, and its wake-up
 * reaches the owner with its arg. */
static void
test_open_wake(void **state)
{
	uint64_t id = conn(3, 1);
	struct dp_session *s;

	(void)state;
	s = session_open(&W, id, &fake_xprt, &ops_a, &arg_a);
	assert_non_null(s);
	assert_ptr_equal(session_of(&W, id), s);
	assert_ptr_equal(s->xp, &fake_xprt);
	assert_int_equal(subs[3].calls, 1);
	assert_non_null(subs[3].wake);
	fake_fire(id);
	assert_int_equal(A.readies, 1);
	assert_int_equal(A.last_id, id);
	assert_ptr_equal(A.last_arg, &arg_a);
	assert_int_equal(B.readies, 0);
	assert_int_equal(W.session->ctr[SESSION_CTR_WOKEN], 1);
	/* another generation of the slot is not this session */
	assert_null(session_of(&W, conn(3, 2)));
	assert_null(session_of(&W, 0));
}

/* Handed over (RFC 6062's bind): the next wake-up is the new owner's,
 * with its arg; the transport's subscription did not change. */
static void
test_move(void **state)
{
	uint64_t id = conn(5, 7);

	(void)state;
	assert_non_null(session_open(&W, id, &fake_xprt, &ops_a, &arg_a));
	assert_int_equal(session_move(&W, id, &ops_b, &arg_b), 0);
	assert_int_equal(subs[5].calls, 1);
	fake_fire(id);
	assert_int_equal(A.readies, 0);
	assert_int_equal(B.readies, 1);
	assert_int_equal(B.last_id, id);
	assert_ptr_equal(B.last_arg, &arg_b);
	/* and back */
	assert_int_equal(session_move(&W, id, &ops_a, &arg_a), 0);
	fake_fire(id);
	assert_int_equal(A.readies, 1);
	assert_int_equal(B.readies, 1);
	assert_int_equal(W.session->ctr[SESSION_CTR_MOVED], 2);
	/* no session: nothing to move */
	assert_int_equal(session_move(&W, conn(6, 1), &ops_b, &arg_b), -ENOTCONN);
}

/* Two connections of two owners: each wake-up goes to its own. */
static void
test_dispatch(void **state)
{
	uint64_t x = conn(1, 1), y = conn(2, 1);

	(void)state;
	assert_non_null(session_open(&W, x, &fake_xprt, &ops_a, &arg_a));
	assert_non_null(session_open(&W, y, &fake_xprt, &ops_b, &arg_b));
	fake_fire(y);
	assert_int_equal(B.readies, 1);
	assert_int_equal(B.last_id, y);
	assert_int_equal(A.readies, 0);
	fake_fire(x);
	fake_fire(x);
	assert_int_equal(A.readies, 2);
	assert_int_equal(A.last_id, x);
	assert_int_equal(B.readies, 1);
}

/* Closed: the transport wakes nobody (its subscription taken back), and
 * a wake-up it still had in hand is dropped, counted. */
static void
test_close(void **state)
{
	uint64_t id = conn(4, 1);
	dp_xprt_wake_fn wake;
	void *arg;

	(void)state;
	assert_non_null(session_open(&W, id, &fake_xprt, &ops_a, &arg_a));
	wake = subs[4].wake;
	arg = subs[4].arg;
	session_close(&W, id);
	assert_null(session_of(&W, id));
	assert_int_equal(subs[4].calls, 2);
	assert_null(subs[4].wake);
	fake_fire(id);
	wake(&W, id, arg);
	assert_int_equal(A.readies, 0);
	assert_int_equal(W.session->ctr[SESSION_CTR_WAKE_STALE], 1);
	assert_int_equal(W.session->ctr[SESSION_CTR_CLOSED], 1);
	/* closing what has no session does nothing */
	session_close(&W, id);
	assert_int_equal(subs[4].calls, 2);
	assert_int_equal(W.session->ctr[SESSION_CTR_CLOSED], 1);
}

/* A slot reused by a newer connection without a close: the session is
 * replaced, and the old connection's wake-up reaches nobody. */
static void
test_slot_reused(void **state)
{
	uint64_t old = conn(9, 1), id = conn(9, 2);
	dp_xprt_wake_fn wake;
	void *arg;

	(void)state;
	assert_non_null(session_open(&W, old, &fake_xprt, &ops_a, &arg_a));
	wake = subs[9].wake;
	arg = subs[9].arg;
	assert_non_null(session_open(&W, id, &fake_xprt, &ops_b, &arg_b));
	assert_int_equal(W.session->ctr[SESSION_CTR_REPLACED], 1);
	assert_null(session_of(&W, old));
	wake(&W, old, arg);
	assert_int_equal(A.readies, 0);
	assert_int_equal(B.readies, 0);
	fake_fire(id);
	assert_int_equal(B.readies, 1);
	assert_int_equal(B.last_id, id);
}

/* The worker's counter called name (session_<name>) as cp reads it:
 * through the family dp registers. */
static uint64_t
published(const struct dp_worker *w, const char *name)
{
	uint64_t v[SESSION_CTR__COUNT];
	size_t plen = strlen(session_ctrs.prefix);

	assert_int_equal(session_ctrs.n, SESSION_CTR__COUNT);
	assert_memory_equal(name, session_ctrs.prefix, plen);
	session_ctrs.values(w, v);
	for (unsigned int k = 0; k < session_ctrs.n; k++) {
		assert_non_null(session_ctrs.desc[k].help);
		if (strcmp(session_ctrs.desc[k].name, name + plen) == 0)
			return v[k];
	}
	fail_msg("no counter %s", name);
	return 0;
}

/* The session layer's counters reach cp under session_*: each moves
 * with what it counts, and a worker without sessions reads 0. */
static void
test_counters_published(void **state)
{
	uint64_t id = conn(5, 1), next = conn(5, 2);
	dp_xprt_wake_fn wake;
	void *arg;

	(void)state;
	assert_non_null(session_open(&W, id, &fake_xprt, &ops_a, &arg_a));
	fake_fire(id);
	assert_int_equal(session_move(&W, id, &ops_b, &arg_b), 0);
	wake = subs[5].wake;
	arg = subs[5].arg;
	assert_non_null(session_open(&W, next, &fake_xprt, &ops_a, &arg_a));
	wake(&W, id, arg);
	session_close(&W, next);
	assert_int_equal(published(&W, "session_opened"), 2);
	assert_int_equal(published(&W, "session_moved"), 1);
	assert_int_equal(published(&W, "session_replaced"), 1);
	assert_int_equal(published(&W, "session_woken"), 1);
	assert_int_equal(published(&W, "session_wake_stale"), 1);
	assert_int_equal(published(&W, "session_closed"), 1);
	session_worker_free(&W);
	assert_int_equal(published(&W, "session_opened"), 0);
	assert_int_equal(session_worker_init(&W, FAKE_SLOTS), 0);
}

/* Outside the table, or without sessions: nothing opens. */
static void
test_bounds_and_free(void **state)
{
	(void)state;
	assert_null(session_open(&W, conn(FAKE_SLOTS, 1), &fake_xprt, &ops_a, &arg_a));
	assert_null(session_open(&W, 0, &fake_xprt, &ops_a, &arg_a));
	session_worker_free(&W);
	assert_null(W.session);
	assert_null(session_open(&W, conn(1, 1), &fake_xprt, &ops_a, &arg_a));
	assert_null(session_of(&W, conn(1, 1)));
	session_close(&W, conn(1, 1));
	assert_int_equal(session_move(&W, conn(1, 1), &ops_b, &arg_b), -ENOTCONN);
	assert_int_equal(session_worker_init(&W, FAKE_SLOTS), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_wake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slot_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds_and_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_published, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
