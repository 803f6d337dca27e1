/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cp_dp.c alone: what a module may register (a kind dp sends, once;
 * hooks up to the table's size), cp_handle() giving a message to the
 * function that registered its kind and no other, a kind nobody took
 * dropped and counted as ipc_unhandled, and the dp-restart hooks run in
 * the order they were registered. The resync (SYNC out, every worker's
 * STATE_DONE back) is cp_dp's own: it works with no module registered,
 * as on a box without TURN's allocations.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
