/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ipc: the segment is created once and re-attached (by a "restarted"
 * process) with its rings intact; a version or geometry mismatch is
 * refused; rings keep order, refuse when full without blocking, and carry
 * a million messages between two threads without loss or reordering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

static char seg_name[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(seg_name, sizeof(seg_name), "/tp-test-ipc-%d", (int)getpid());
	ipc_seg_unlink(seg_name);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ipc_seg_unlink(seg_name);
	return 0;
}

static void
msg_fill(struct ipc_msg *m, uint16_t kind, uint32_t seq, uint16_t len)
{
	memset(&m->h, 0, sizeof(m->h));
	m->h.kind = kind;
	m->h.seq = seq;
	m->h.body_len = len;
	for (uint16_t i = 0; i < len; i++)
		m->body[i] = (uint8_t)(seq + i);
}

static void
test_ipc_create_then_attach_keeps_messages(void **state)
{
	static struct ipc_msg m, out;
	struct ipc_seg a, b;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 2, &created), 0);
	assert_true(created);
	msg_fill(&m, IPC_REQUEST, 7, 100);
	assert_int_equal(ipc_ring_enqueue(&ipc_worker(&a, 1)->to_cp, &m), 0);
	ipc_seg_close(&a);  /* the producer "dies" */

	assert_int_equal(ipc_seg_open(&b, seg_name, 0, &created), 0);
	assert_false(created);
	assert_int_equal(b.shm->nworkers, 2);
	assert_int_equal(ipc_ring_count(&ipc_worker(&b, 1)->to_cp), 1);
	assert_int_equal(ipc_ring_count(&ipc_worker(&b, 0)->to_cp), 0);
	assert_int_equal(ipc_ring_dequeue(&ipc_worker(&b, 1)->to_cp, &out), 1);
	assert_int_equal(out.h.kind, IPC_REQUEST);
	assert_int_equal(out.h.seq, 7);
	assert_int_equal(out.h.body_len, 100);
	assert_memory_equal(out.body, m.body, 100);
	assert_int_equal(ipc_ring_dequeue(&ipc_worker(&b, 1)->to_cp, &out), 0);
	ipc_seg_close(&b);
}

static void
test_ipc_refuses_other_geometry_and_version(void **state)
{
	struct ipc_seg a, b;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 2, &created), 0);
	assert_int_equal(ipc_seg_open(&b, seg_name, 3, &created), -EINVAL);
	a.shm->version = IPC_VERSION + 1;
	assert_int_equal(ipc_seg_open(&b, seg_name, 0, &created), -EPROTO);
	assert_int_equal(ipc_seg_open(&b, seg_name, 2, &created), -EPROTO);
	ipc_seg_close(&a);
}

static void
test_ipc_attach_without_segment_fails(void **state)
{
	struct ipc_seg a;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 0, &created), -ENOENT);
}

static void
test_ipc_ring_full_refuses_without_blocking(void **state)
{
	static struct ipc_msg m, out;
	struct ipc_seg a;
	struct ipc_ring *r;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, &created), 0);
	r = &ipc_worker(&a, 0)->to_dp;
	for (uint32_t i = 0; i < IPC_RING_SLOTS; i++) {
		msg_fill(&m, IPC_RESPONSE, i, 8);
		assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	}
	msg_fill(&m, IPC_RESPONSE, 99999, 8);
	assert_int_equal(ipc_ring_enqueue(r, &m), -ENOBUFS);
	assert_int_equal(r->full, 1);
	assert_int_equal(ipc_ring_dequeue(r, &out), 1);
	assert_int_equal(out.h.seq, 0);
	assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	for (uint32_t i = 1; i < IPC_RING_SLOTS; i++) {
		assert_int_equal(ipc_ring_dequeue(r, &out), 1);
		assert_int_equal(out.h.seq, i);
	}
	assert_int_equal(ipc_ring_dequeue(r, &out), 1);
	assert_int_equal(out.h.seq, 99999);
	assert_int_equal(ipc_ring_dequeue(r, &out), 0);
	msg_fill(&m, IPC_RESPONSE, 1, 8);
	m.h.body_len = (uint16_t)(sizeof(m.body) + 1);
	assert_int_equal(ipc_ring_enqueue(r, &m), -EMSGSIZE);
	ipc_seg_close(&a);
}

#define STRESS_N 1000000u

static void *
producer(void *arg)
{
	struct ipc_ring *r = arg;
	static struct ipc_msg m;

	for (uint32_t i = 0; i < STRESS_N;) {
		msg_fill(&m, IPC_REQUEST, i, (uint16_t)(i % 64));
		if (ipc_ring_enqueue(r, &m) == 0)
			i++;
	}
	return NULL;
}

static void
test_ipc_spsc_threads_keep_order(void **state)
{
	static struct ipc_msg out;
	struct ipc_seg a;
	pthread_t t;
	bool created;
	struct ipc_ring *r;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, &created), 0);
	r = &ipc_worker(&a, 0)->to_cp;
	assert_int_equal(pthread_create(&t, NULL, producer, r), 0);
	for (uint32_t want = 0; want < STRESS_N;) {
		if (ipc_ring_dequeue(r, &out) == 0)
			continue;
		assert_int_equal(out.h.seq, want);
		assert_int_equal(out.h.body_len, want % 64);
		for (uint16_t i = 0; i < out.h.body_len; i++)
			if (out.body[i] != (uint8_t)(want + i))
				fail_msg("message %u byte %u corrupt", want, i);
		want++;
	}
	pthread_join(t, NULL);
	assert_int_equal(ipc_ring_count(r), 0);
	ipc_seg_close(&a);
}

static void
test_ipc_kind_names(void **state)
{
	(void)state;
	assert_string_equal(ipc_kind_name(IPC_REQUEST), "request");
	assert_string_equal(ipc_kind_name(IPC_ALLOC_ADD), "alloc_add");
	assert_string_equal(ipc_kind_name(999), "?");
}

/* Readiness (issue 19): cp serves only when the cp that published ready is
 * the newest one and its heartbeat is fresh; a heartbeat from the future
 * is not fresh; withdrawing readiness is seen at once. */
static void
test_ipc_readiness_rule(void **state)
{
	struct ipc_seg s;
	bool created;
	uint64_t now;

	(void)state;
	assert_int_equal(ipc_seg_open(&s, seg_name, 1, &created), 0);
	now = ipc_monotonic_ms();
	assert_false(ipc_cp_serving(s.shm, now));           /* never ready */
	s.shm->cp_epoch = 1;
	ipc_cp_set_ready(s.shm, true);
	now = ipc_monotonic_ms();
	assert_true(ipc_cp_serving(s.shm, now));
	assert_false(ipc_cp_serving(s.shm, now + IPC_ALIVE_MS));  /* stale */
	s.shm->cp_heartbeat_ms = now + 5000;                 /* from the future */
	assert_false(ipc_cp_serving(s.shm, now));
	/* a beat a few ms newer than the reader's now (dp's now is its last
	 * millisecond tick) is fresh: taking it for stale made dp hold back
	 * every request now and then */
	s.shm->cp_heartbeat_ms = now + 3;
	assert_true(ipc_cp_serving(s.shm, now));
	s.shm->cp_heartbeat_ms = now;
	s.shm->cp_epoch = 2;                                 /* a new cp starts */
	assert_false(ipc_cp_serving(s.shm, now));
	ipc_cp_set_ready(s.shm, true);
	assert_true(ipc_cp_serving(s.shm, ipc_monotonic_ms()));
	ipc_cp_set_ready(s.shm, false);
	assert_false(ipc_cp_serving(s.shm, ipc_monotonic_ms()));
	assert_false(ipc_dp_running(s.shm, ipc_monotonic_ms()));
	s.shm->dp_epoch = 4;
	ipc_dp_set_ready(s.shm, true);
	assert_true(ipc_dp_running(s.shm, ipc_monotonic_ms()));
	ipc_seg_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ipc_create_then_attach_keeps_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_refuses_other_geometry_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_attach_without_segment_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_ring_full_refuses_without_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_spsc_threads_keep_order, setup, teardown),
		cmocka_unit_test(test_ipc_kind_names),
		cmocka_unit_test_setup_teardown(test_ipc_readiness_rule, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
