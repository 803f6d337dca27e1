/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cp_dp.c alone: what a module may register (a kind dp sends, once;
 * hooks up to the table's size), cp_handle() giving a message to the
 * function that registered its kind and no other, a kind nobody took
 * dropped and counted as ipc_unhandled, and the dp-restart hooks run in
 * the order they were registered. The resync (SYNC out, every worker's
 * STATE_DONE back) is cp_dp's own: it works with no module registered,
 * as on a box without TURN's allocations. cp_dp_send(), cp's one writer
 * to dp: what lib/ipc refuses never reaches the ring and is counted, the
 * headroom a caller asks for is kept, the body is wiped after a send and
 * after a refusal, a full ring is counted once, and the worker in the
 * header is the ring's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp.h"
#include "cp_dp.h"

static struct cp_ctx cp;

/* What the handlers saw: which one ran last, with what. */
static struct {
	unsigned int calls;
	char who;
	unsigned int w;
	const struct ipc_msg *msg;
} seen;

static void
handler_a(struct cp_ctx *c, unsigned int w, const struct ipc_msg *msg)
{
	assert_ptr_equal(c, &cp);
	seen.calls++;
	seen.who = 'a';
	seen.w = w;
	seen.msg = msg;
}

static void
handler_b(struct cp_ctx *c, unsigned int w, const struct ipc_msg *msg)
{
	assert_ptr_equal(c, &cp);
	seen.calls++;
	seen.who = 'b';
	seen.w = w;
	seen.msg = msg;
}

/* The restart hooks write their letter in turn. */
static char order[CP_DP_RESTART_MAX + 1];
static unsigned int norder;

static void
hook_1(struct cp_ctx *c)
{
	assert_ptr_equal(c, &cp);
	order[norder++] = '1';
}

static void
hook_2(struct cp_ctx *c)
{
	assert_ptr_equal(c, &cp);
	order[norder++] = '2';
}

static void
hook_3(struct cp_ctx *c)
{
	assert_ptr_equal(c, &cp);
	order[norder++] = '3';
}

static int
setup(void **state)
{
	(void)state;
	memset(&cp, 0, sizeof(cp));
	memset(&seen, 0, sizeof(seen));
	memset(order, 0, sizeof(order));
	norder = 0;
	return 0;
}

static void
msg_of(struct ipc_msg *m, uint16_t kind)
{
	memset(m, 0, sizeof(*m));
	m->h.kind = kind;
}

static void
test_cp_dp_on_kind_refuses_what_dp_does_not_send(void **state)
{
	(void)state;
	/* unknown kinds, past the table, cp->dp kinds, no function */
	assert_int_equal(cp_dp_on_kind(&cp, 0, handler_a), -EINVAL);
	assert_int_equal(cp_dp_on_kind(&cp, 5, handler_a), -EINVAL);
	assert_int_equal(cp_dp_on_kind(&cp, CP_DP_KINDS, handler_a), -EINVAL);
	assert_int_equal(cp_dp_on_kind(&cp, UINT16_MAX, handler_a), -EINVAL);
	assert_int_equal(cp_dp_on_kind(&cp, IPC_RESPONSE, handler_a), -EINVAL);
	assert_int_equal(cp_dp_on_kind(&cp, IPC_SYNC, handler_a), -EINVAL);
	assert_int_equal(cp_dp_on_kind(&cp, IPC_TLS_RELOAD, handler_a), -EINVAL);
	assert_int_equal(cp_dp_on_kind(&cp, IPC_REQUEST, NULL), -EINVAL);
	for (unsigned int k = 0; k < CP_DP_KINDS; k++)
		assert_null(cp.dp.handler[k]);
	/* every kind dp sends can be taken */
#define IPC_KIND(e, v, name, dir) \
	assert_int_equal(cp_dp_on_kind(&cp, IPC_##e, handler_a), \
			 IPC_##dir == IPC_DP2CP ? 0 : -EINVAL);
#include "ipc_kinds.def"
#undef IPC_KIND
}

static void
test_cp_dp_on_kind_refuses_a_second_handler(void **state)
{
	struct ipc_msg m;

	(void)state;
	assert_int_equal(cp_dp_on_kind(&cp, IPC_AGW_EVENT, handler_a), 0);
	assert_int_equal(cp_dp_on_kind(&cp, IPC_AGW_EVENT, handler_b), -EEXIST);
	assert_int_equal(cp_dp_on_kind(&cp, IPC_AGW_EVENT, handler_a), -EEXIST);
	/* the first one keeps it */
	msg_of(&m, IPC_AGW_EVENT);
	cp_handle(&cp, 0, &m);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.who, 'a');
}

static void
test_cp_dp_handle_calls_the_kinds_handler(void **state)
{
	struct ipc_msg m;

	(void)state;
	assert_int_equal(cp_dp_on_kind(&cp, IPC_REQUEST, handler_a), 0);
	assert_int_equal(cp_dp_on_kind(&cp, IPC_TCP_EVENT, handler_b), 0);
	msg_of(&m, IPC_TCP_EVENT);
	cp_handle(&cp, 3, &m);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.who, 'b');
	assert_int_equal(seen.w, 3);
	assert_ptr_equal(seen.msg, &m);
	msg_of(&m, IPC_REQUEST);
	cp_handle(&cp, 1, &m);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.who, 'a');
	assert_int_equal(seen.w, 1);
	assert_int_equal(cp.stats[CP_STAT_IPC_UNHANDLED], 0);
}

static void
test_cp_dp_handle_drops_an_unregistered_kind(void **state)
{
	struct ipc_msg m;

	(void)state;
	assert_int_equal(cp_dp_on_kind(&cp, IPC_REQUEST, handler_a), 0);
	msg_of(&m, IPC_AGW_STATE);
	cp_handle(&cp, 0, &m);
	msg_of(&m, IPC_AGW_EVENT);
	cp_handle(&cp, 1, &m);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(cp.stats[CP_STAT_IPC_UNHANDLED], 2);
	/* a kind past the table never passes ipc_msg_check(); dropped all
	 * the same */
	msg_of(&m, CP_DP_KINDS + 1);
	cp_handle(&cp, 0, &m);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(cp.stats[CP_STAT_IPC_UNHANDLED], 3);
	assert_int_equal(cp.stats[CP_STAT_IPC_BAD], 0);
}

static void
test_cp_dp_restart_hooks_run_in_registration_order(void **state)
{
	(void)state;
	cp_dp_restarted(&cp);                 /* none yet: nothing runs */
	assert_int_equal(norder, 0);
	assert_int_equal(cp_dp_on_dp_restart(&cp, hook_2), 0);
	assert_int_equal(cp_dp_on_dp_restart(&cp, hook_1), 0);
	assert_int_equal(cp_dp_on_dp_restart(&cp, hook_3), 0);
	assert_int_equal(cp_dp_on_dp_restart(&cp, NULL), -EINVAL);
	cp_dp_restarted(&cp);
	assert_string_equal(order, "213");
	cp_dp_restarted(&cp);                 /* and again, each time */
	assert_int_equal(norder, 6);
	assert_memory_equal(order + 3, "213", 3);
}

static void
test_cp_dp_restart_hooks_are_bounded(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < CP_DP_RESTART_MAX; i++)
		assert_int_equal(cp_dp_on_dp_restart(&cp, hook_1), 0);
	assert_int_equal(cp_dp_on_dp_restart(&cp, hook_2), -ENOSPC);
	cp_dp_restarted(&cp);
	assert_int_equal(norder, CP_DP_RESTART_MAX);
	for (unsigned int i = 0; i < CP_DP_RESTART_MAX; i++)
		assert_int_equal(order[i], '1');
}

/* A cp whose modules registered nothing (no alloc: an AGW-only box
 * before cp/agw's init, or a kind-less test) still asks every worker for
 * its state and becomes ready from the STATE_DONEs naming its SYNC. */
static void
test_cp_dp_resync_without_modules(void **state)
{
	static struct ipc_msg m, got;
	char name[64];
	bool created;

	(void)state;
	snprintf(name, sizeof(name), "/tp-test-cp-dp-%d", (int)getpid());
	ipc_seg_unlink(name);
	assert_int_equal(ipc_seg_open(&cp.seg, name, 2, geteuid(), &created), 0);
	cp.nworkers = 2;
	cp.seg.shm->cp_epoch = 4;
	cp.sync_unsent = cp.state_wait = 3;
	cp_request_state(&cp);
	assert_int_equal(cp.sync_unsent, 0);
	for (unsigned int w = 0; w < 2; w++) {
		assert_int_equal(ipc_ring_dequeue(&ipc_worker(&cp.seg, w)->to_dp, &got), 1);
		assert_int_equal(got.h.kind, IPC_SYNC);
		assert_int_equal(got.h.alloc_id, 4);
	}
	msg_of(&m, IPC_STATE_DONE);
	m.h.alloc_id = 3;                     /* an earlier cp's SYNC */
	cp_handle(&cp, 0, &m);
	assert_int_equal(cp.state_wait, 3);
	m.h.alloc_id = 4;
	cp_handle(&cp, 1, &m);
	assert_int_equal(cp.state_wait, 1);
	/* a module that also looks at STATE_DONE sees it after cp_dp */
	assert_int_equal(cp_dp_on_kind(&cp, IPC_STATE_DONE, handler_a), 0);
	cp_handle(&cp, 0, &m);
	assert_int_equal(cp.state_wait, 0);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(cp.stats[CP_STAT_IPC_UNHANDLED], 0);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(name);
}

/* ---- cp_dp_send() over a real segment of two workers ------------------- */

static char send_seg[64];

static int
setup_seg(void **state)
{
	bool created;

	setup(state);
	snprintf(send_seg, sizeof(send_seg), "/tp-test-cp-dp-send-%d", (int)getpid());
	ipc_seg_unlink(send_seg);
	if (ipc_seg_open(&cp.seg, send_seg, 2, geteuid(), &created) != 0)
		return -1;
	cp.nworkers = 2;
	return 0;
}

static int
teardown_seg(void **state)
{
	(void)state;
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(send_seg);
	return 0;
}

static struct ipc_ring *
to_dp(unsigned int w)
{
	return &ipc_worker(&cp.seg, w)->to_dp;
}

/* A TLS_TICKETS message (one key: what dp takes) whose key bytes are
 * all 0xa5: the secret a send must not leave behind. */
static void
tickets_of(struct ipc_msg *m)
{
	struct ipc_tls_tickets tk;

	msg_of(m, IPC_TLS_TICKETS);
	memset(&tk, 0xa5, sizeof(tk));
	tk.generation = 1;
	tk.nkeys = 1;
	tk.pad = 0;
	memcpy(m->body, &tk, sizeof(tk));
	m->h.body_len = sizeof(tk);
}

static bool
body_zero(const struct ipc_msg *m, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (m->body[i] != 0)
			return false;
	return true;
}

static void
test_cp_dp_send_refuses_what_dp_would(void **state)
{
	static struct ipc_msg m;

	(void)state;
	/* a kind dp sends, not one it takes */
	msg_of(&m, IPC_REQUEST);
	assert_int_equal(cp_dp_send(&cp, 0, &m, 0), -EINVAL);
	/* a kind dp takes, with a body it refuses: no key in the set */
	tickets_of(&m);
	((struct ipc_tls_tickets *)(void *)m.body)->nkeys = 0;
	assert_int_equal(cp_dp_send(&cp, 1, &m, CP_RING_HEADROOM), -EINVAL);
	/* a body past a message */
	msg_of(&m, IPC_STATS_REQ);
	m.h.body_len = sizeof(m.body) + 1;
	assert_int_equal(cp_dp_send(&cp, 0, &m, 0), -EINVAL);
	/* a good message to a worker the segment does not have */
	msg_of(&m, IPC_STATS_REQ);
	assert_int_equal(cp_dp_send(&cp, 2, &m, 0), -EINVAL);
	assert_int_equal(cp_dp_send(&cp, 65536, &m, 0), -EINVAL);
	/* none reached a ring; each counted as refused, none as full */
	assert_int_equal(ipc_ring_count(to_dp(0)), 0);
	assert_int_equal(ipc_ring_count(to_dp(1)), 0);
	assert_int_equal(cp.dp.refused, 5);
	assert_int_equal(cp.stats[CP_STAT_IPC_FULL], 0);
	/* and a good one goes */
	assert_int_equal(cp_dp_send(&cp, 1, &m, 0), 0);
	assert_int_equal(ipc_ring_count(to_dp(1)), 1);
	assert_int_equal(cp.dp.refused, 5);
}

static void
test_cp_dp_send_keeps_the_headroom(void **state)
{
	static struct ipc_msg m;
	unsigned int n = 0;

	(void)state;
	/* room: n messages, headroom free slots after them */
	assert_true(cp_dp_room(&cp, 0, IPC_RING_SLOTS, 0));
	assert_false(cp_dp_room(&cp, 0, IPC_RING_SLOTS + 1, 0));
	assert_true(cp_dp_room(&cp, 0, IPC_RING_SLOTS - CP_RING_HEADROOM, CP_RING_HEADROOM));
	assert_false(cp_dp_room(&cp, 0, IPC_RING_SLOTS - CP_RING_HEADROOM + 1,
				CP_RING_HEADROOM));
	/* what keeps the headroom stops short of it */
	msg_of(&m, IPC_STATS_REQ);
	while (cp_dp_send(&cp, 0, &m, CP_RING_HEADROOM) == 0)
		assert_true(++n <= IPC_RING_SLOTS);
	assert_int_equal(n, IPC_RING_SLOTS - CP_RING_HEADROOM);
	assert_int_equal(ipc_ring_count(to_dp(0)), IPC_RING_SLOTS - CP_RING_HEADROOM);
	assert_false(cp_dp_room(&cp, 0, 1, CP_RING_HEADROOM));
	assert_true(cp_dp_room(&cp, 0, CP_RING_HEADROOM, 0));
	/* a refusal for the headroom is the caller's to count */
	assert_int_equal(cp_dp_send(&cp, 0, &m, CP_RING_HEADROOM), -ENOBUFS);
	assert_int_equal(cp.stats[CP_STAT_IPC_FULL], 0);
	/* an answer to a client takes it, to the last slot */
	for (unsigned int i = 0; i < CP_RING_HEADROOM; i++)
		assert_int_equal(cp_dp_send(&cp, 0, &m, 0), 0);
	assert_int_equal(ipc_ring_count(to_dp(0)), IPC_RING_SLOTS);
	assert_int_equal(cp.stats[CP_STAT_IPC_FULL], 0);
	/* another worker's ring is its own */
	assert_true(cp_dp_room(&cp, 1, IPC_RING_SLOTS - CP_RING_HEADROOM, CP_RING_HEADROOM));
	assert_int_equal(cp_dp_send(&cp, 1, &m, CP_RING_HEADROOM), 0);
}

static void
test_cp_dp_send_counts_a_full_ring_once(void **state)
{
	static struct ipc_msg m;

	(void)state;
	msg_of(&m, IPC_STATS_REQ);
	for (unsigned int i = 0; i < IPC_RING_SLOTS; i++)
		assert_int_equal(cp_dp_send(&cp, 1, &m, 0), 0);
	assert_int_equal(cp.stats[CP_STAT_IPC_FULL], 0);
	assert_int_equal(cp_dp_send(&cp, 1, &m, 0), -ENOBUFS);
	assert_int_equal(cp.stats[CP_STAT_IPC_FULL], 1);
	assert_int_equal(to_dp(1)->full, 1);
	assert_int_equal(cp_dp_send(&cp, 1, &m, 0), -ENOBUFS);
	assert_int_equal(cp.stats[CP_STAT_IPC_FULL], 2);
	/* one that keeps headroom does not reach the ring: no count */
	assert_int_equal(cp_dp_send(&cp, 1, &m, CP_RING_HEADROOM), -ENOBUFS);
	assert_int_equal(cp.stats[CP_STAT_IPC_FULL], 2);
	assert_int_equal(cp.dp.refused, 0);
	assert_int_equal(ipc_ring_count(to_dp(1)), IPC_RING_SLOTS);
	assert_int_equal(ipc_ring_count(to_dp(0)), 0);
}

static void
test_cp_dp_send_wipes_the_body(void **state)
{
	static struct ipc_msg m, got;
	struct ipc_tls_tickets want;

	(void)state;
	/* sent: the ring holds the keys, the sender's buffer no longer */
	tickets_of(&m);
	memcpy(&want, m.body, sizeof(want));
	assert_int_equal(cp_dp_send(&cp, 0, &m, CP_RING_HEADROOM), 0);
	assert_true(body_zero(&m, sizeof(want)));
	assert_int_equal(ipc_ring_dequeue(to_dp(0), &got), 1);
	assert_int_equal(got.h.body_len, sizeof(want));
	assert_memory_equal(got.body, &want, sizeof(want));
	/* refused: wiped all the same */
	tickets_of(&m);
	((struct ipc_tls_tickets *)(void *)m.body)->nkeys = 0;
	assert_int_equal(cp_dp_send(&cp, 0, &m, 0), -EINVAL);
	assert_true(body_zero(&m, sizeof(want)));
	/* no room beyond the headroom, and a full ring: wiped */
	msg_of(&got, IPC_STATS_REQ);
	for (unsigned int i = 0; i < IPC_RING_SLOTS - CP_RING_HEADROOM; i++)
		assert_int_equal(cp_dp_send(&cp, 1, &got, 0), 0);
	tickets_of(&m);
	assert_int_equal(cp_dp_send(&cp, 1, &m, CP_RING_HEADROOM), -ENOBUFS);
	assert_true(body_zero(&m, sizeof(want)));
	for (unsigned int i = 0; i < CP_RING_HEADROOM; i++)
		assert_int_equal(cp_dp_send(&cp, 1, &got, 0), 0);
	tickets_of(&m);
	assert_int_equal(cp_dp_send(&cp, 1, &m, 0), -ENOBUFS);
	assert_true(body_zero(&m, sizeof(want)));
}

/* What the tap heard, in order: 's' sent, 'h' a handler, 'n' seen. */
static struct {
	char log[16];
	unsigned int n;
	unsigned int w;
	uint16_t kind;
	uint64_t alloc_id;
	uint8_t first;                /* the body's last byte as heard */
	void *arg;
} tap;

static void
tap_fn(struct cp_ctx *c, void *arg, unsigned int w, const struct ipc_msg *m, char what)
{
	assert_ptr_equal(c, &cp);
	if (tap.n < sizeof(tap.log) - 1)
		tap.log[tap.n++] = what;
	tap.w = w;
	tap.kind = m->h.kind;
	tap.alloc_id = m->h.alloc_id;
	tap.first = m->h.body_len > 0 ? m->body[m->h.body_len - 1] : 0;
	tap.arg = arg;
}

static void
tap_sent(struct cp_ctx *c, void *arg, unsigned int w, const struct ipc_msg *m)
{
	tap_fn(c, arg, w, m, 's');
}

static void
tap_seen(struct cp_ctx *c, void *arg, unsigned int w, const struct ipc_msg *m)
{
	tap_fn(c, arg, w, m, 'n');
}

static void
handler_logs(struct cp_ctx *c, unsigned int w, const struct ipc_msg *msg)
{
	(void)c; (void)w; (void)msg;
	if (tap.n < sizeof(tap.log) - 1)
		tap.log[tap.n++] = 'h';
}

/* The tap (cp/ha's): every message that went on a ring, its body before
 * the wipe, none that was refused or had no room; every message from dp
 * after its handler, none that no module took; one tap at a time. */
static void
test_cp_dp_tap_hears_what_went_and_what_was_handled(void **state)
{
	static struct ipc_msg m;
	int arg;

	(void)state;
	memset(&tap, 0, sizeof(tap));
	assert_int_equal(cp_dp_tap(&cp, tap_sent, tap_seen, &arg), 0);
	assert_int_equal(cp_dp_tap(&cp, tap_sent, NULL, NULL), -EBUSY);
	tickets_of(&m);
	m.h.alloc_id = 77;
	assert_int_equal(cp_dp_send(&cp, 1, &m, CP_RING_HEADROOM), 0);
	assert_string_equal(tap.log, "s");
	assert_int_equal(tap.w, 1);
	assert_int_equal(tap.kind, IPC_TLS_TICKETS);
	assert_int_equal(tap.alloc_id, 77);
	assert_int_equal(tap.first, 0xa5);     /* heard before the wipe */
	assert_ptr_equal(tap.arg, &arg);
	assert_true(body_zero(&m, sizeof(struct ipc_tls_tickets)));
	/* refused by the check, or no room: not heard */
	tickets_of(&m);
	((struct ipc_tls_tickets *)(void *)m.body)->nkeys = 0;
	assert_int_equal(cp_dp_send(&cp, 0, &m, 0), -EINVAL);
	msg_of(&m, IPC_STATS_REQ);
	assert_int_equal(cp_dp_send(&cp, 2, &m, 0), -EINVAL);  /* no worker 2 */
	assert_int_equal(tap.n, 1);
	for (unsigned int i = 0; i < IPC_RING_SLOTS - CP_RING_HEADROOM; i++)
		assert_int_equal(cp_dp_send(&cp, 0, &m, 0), 0);
	tap.n = 0;
	memset(tap.log, 0, sizeof(tap.log));
	assert_int_equal(cp_dp_send(&cp, 0, &m, CP_RING_HEADROOM), -ENOBUFS);
	assert_int_equal(tap.n, 0);
	/* from dp: after the handler; a kind no module takes, not at all */
	assert_int_equal(cp_dp_on_kind(&cp, IPC_REQUEST, handler_logs), 0);
	msg_of(&m, IPC_REQUEST);
	m.h.alloc_id = 5;
	cp_handle(&cp, 1, &m);
	assert_string_equal(tap.log, "hn");
	assert_int_equal(tap.alloc_id, 5);
	msg_of(&m, IPC_TCP_EVENT);
	cp_handle(&cp, 0, &m);
	assert_string_equal(tap.log, "hn");
	/* taken back: nothing more heard, and another may tap */
	assert_int_equal(cp_dp_tap(&cp, NULL, NULL, NULL), 0);
	msg_of(&m, IPC_REQUEST);
	cp_handle(&cp, 1, &m);
	assert_string_equal(tap.log, "hnh");
	assert_int_equal(cp_dp_tap(&cp, NULL, tap_seen, NULL), 0);
}

static void
test_cp_dp_send_names_the_rings_worker(void **state)
{
	static struct ipc_msg m, got;

	(void)state;
	/* whatever the caller left there */
	msg_of(&m, IPC_STATS_REQ);
	m.h.worker = 0;
	assert_int_equal(cp_dp_send(&cp, 1, &m, 0), 0);
	m.h.worker = 1;
	assert_int_equal(cp_dp_send(&cp, 0, &m, 0), 0);
	assert_int_equal(ipc_ring_dequeue(to_dp(1), &got), 1);
	assert_int_equal(got.h.worker, 1);
	assert_int_equal(ipc_ring_dequeue(to_dp(0), &got), 1);
	assert_int_equal(got.h.worker, 0);
	assert_int_equal(ipc_msg_check(&got, IPC_CP2DP), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cp_dp_on_kind_refuses_what_dp_does_not_send, setup),
		cmocka_unit_test_setup(test_cp_dp_on_kind_refuses_a_second_handler, setup),
		cmocka_unit_test_setup(test_cp_dp_handle_calls_the_kinds_handler, setup),
		cmocka_unit_test_setup(test_cp_dp_handle_drops_an_unregistered_kind, setup),
		cmocka_unit_test_setup(test_cp_dp_restart_hooks_run_in_registration_order, setup),
		cmocka_unit_test_setup(test_cp_dp_restart_hooks_are_bounded, setup),
		cmocka_unit_test_setup(test_cp_dp_resync_without_modules, setup),
		cmocka_unit_test_setup_teardown(test_cp_dp_send_refuses_what_dp_would,
						setup_seg, teardown_seg),
		cmocka_unit_test_setup_teardown(test_cp_dp_send_keeps_the_headroom,
						setup_seg, teardown_seg),
		cmocka_unit_test_setup_teardown(test_cp_dp_send_counts_a_full_ring_once,
						setup_seg, teardown_seg),
		cmocka_unit_test_setup_teardown(test_cp_dp_send_wipes_the_body,
						setup_seg, teardown_seg),
		cmocka_unit_test_setup_teardown(test_cp_dp_tap_hears_what_went_and_what_was_handled,
						setup_seg, teardown_seg),
		cmocka_unit_test_setup_teardown(test_cp_dp_send_names_the_rings_worker,
						setup_seg, teardown_seg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
