/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's taps on allocations (li_taps.c, docs/design/li.md §4, §5):
 * cp/alloc with a real (private) ring segment standing for dp, its
 * allocations handed over as dp's state gives them to a restarted cp,
 * and what cp tells dp (ALLOC_TAP) read back from the worker's ring.
 * The review of slice 4's findings, each a test that failed before its
 * fix: a tap that found no room after a restarted dp's reinstall was
 * lost (S1); a restarted cp never untapped an allocation an earlier cp
 * had tapped (S2); a TURN REST name was read unlike cp/auth's
 * ("user:expiry" escaped, a static "123:alice" was "alice": S5); a move
 * (RFC 8016) onto or off a targeted address changed no tap (S6).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp.h"
#include "alloc/alloc_internal.h"
#include "cp_dp.h"
#include "ipc.h"
#include "li.h"
#include "li_internal.h"
#include "li_taps.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static char conf_path[128], seg_name[64];

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"turn = { realm = \"r.test\"; relay_ports = [50000, 50999]; ipc = \"%s\"; };\n"
	"cp = { quota_total = 1000; };\n";

static int
setup(void **state)
{
	char err[256];
	struct cp_auth_conf ac = { .realm = "r.test" };
	struct cp_li_dest d;
	bool created;
	FILE *f;

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-li-taps-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-li-taps-%d", (int)getpid());
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fprintf(f, conf_text, seg_name);
	fclose(f);
	memset(&cp, 0, sizeof(cp));
	assert_int_equal(tp_conf_load(conf_path, &conf, err, sizeof(err)), 0);
	cp.conf = &conf;
	cp.auth = cp_auth_init(&ac);
	assert_non_null(cp.auth);
	/* a static user whose name reads as a REST one */
	assert_int_equal(cp_auth_user_add_in(cp.auth, 0, "123:alice", "pw"), 0);
	cp.policy = cp_policy_create();
	ipc_seg_unlink(seg_name);
	assert_int_equal(ipc_seg_open(&cp.seg, seg_name, 2, geteuid(), &created), 0);
	cp.nworkers = 2;
	cp.start_ms = 1000000;
	cp.now_ms = cp.start_ms;
	tw_init(&cp.wheel, 0);
	assert_int_equal(cp_alloc_init(&cp), 0);
	/* cp/li's tables, one destination taking X3 */
	cp.li = calloc(1, sizeof(*cp.li));
	assert_non_null(cp.li);
	memset(&d, 0, sizeof(d));
	d.d.did[0] = 0xd0;
	d.d.ip_port = d.d.tcp = true;
	d.d.family = 4;
	d.d.addr[0] = 127;
	d.d.addr[3] = 1;
	d.d.port = 7000;
	d.d.delivery = X1_DELIVERY_X3_ONLY;
	assert_int_equal(cp_li_dest_set(cp.li, &d), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_li_taps_close(&cp);
	while (cp.li->ntasks > 0)
		cp_li_task_drop(cp.li, cp.li->ntasks - 1);
	while (cp.li->ndests > 0)
		cp_li_dest_drop(cp.li, 0);
	cp_li_index_free(cp.li);
	free(cp.li);
	cp.li = NULL;
	cp_alloc_fini(&cp);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	cp_policy_free(cp.policy);
	cp_auth_free(cp.auth);
	tp_conf_free(&conf);
	unlink(conf_path);
	return 0;
}

/* A task (XID id[0]) on one target. */
static void
task_add(uint8_t id, const struct x1_target *tg)
{
	struct cp_li_task t;

	memset(&t, 0, sizeof(t));
	t.t.xid[0] = id;
	t.t.n_targets = 1;
	t.t.targets[0] = *tg;
	t.t.delivery = X1_DELIVERY_X3_ONLY;
	t.t.n_dids = 1;
	t.t.dids[0][0] = 0xd0;
	assert_int_equal(cp_li_task_set(cp.li, &t), 0);
}

static void
task_nai(uint8_t id, const char *nai)
{
	struct x1_target t = { .kind = X1_T_NAI };

	snprintf(t.nai, sizeof(t.nai), "%s", nai);
	task_add(id, &t);
}

static void
task_v4(uint8_t id, uint8_t last)
{
	struct x1_target t = { .kind = X1_T_IPV4, .family = 4, .prefix = 32,
			       .addr = { 10, 0, 0, last } };

	task_add(id, &t);
}

static void
tuple(struct ipc_tuple *t, uint8_t last, uint16_t cport)
{
	memset(t, 0, sizeof(*t));
	t->transport = 17;
	t->client.family = 4;
	t->client.ip[0] = 10;
	t->client.ip[3] = last;
	t->client.port = cport;
	t->server.family = 4;
	t->server.ip[0] = 10;
	t->server.ip[3] = 1;
	t->server.port = 3478;
}

/* An allocation of user from 10.0.0.last as dp's state hands it to a
 * (restarted) cp: on worker 0, no ALLOC_ADD sent, no observer told. */
static struct cp_alloc *
restore(uint64_t id, const char *user, uint8_t last)
{
	static struct ipc_msg m;
	struct ipc_alloc ia;

	memset(&m.h, 0, sizeof(m.h));
	memset(&ia, 0, sizeof(ia));
	m.h.kind = IPC_STATE_ALLOC;
	m.h.worker = 0;
	m.h.alloc_id = id;
	tuple(&m.h.tuple, last, (uint16_t)(40000 + id));
	ia.relayed[0].family = 4;
	ia.relayed[0].port = (uint16_t)(50000 + id);
	ia.relayed[0].ip[0] = 10;
	ia.relayed[0].ip[1] = 1;
	ia.relayed[0].ip[3] = 1;
	ia.nrelayed = 1;
	ia.expires_ms = cp.now_ms + 600000;
	ia.user_len = (uint16_t)strlen(user);
	memcpy(ia.username, user, strlen(user));
	memcpy(m.body, &ia, sizeof(ia));
	m.h.body_len = sizeof(ia);
	cp_handle(&cp, 0, &m);
	return cpa_alloc_by_id(&cp, id);
}

/* What worker 0's ring holds, in order: each ALLOC_TAP as "+id" (on) or
 * "-id" (off), ALLOC_ADD as "A", ALLOC_MOVE as "M", others as "." (fill()'s
 * not at all); the ring emptied. */
static const char *
drain(void)
{
	static char out[512];
	static struct ipc_msg m;
	size_t n = 0;

	out[0] = '\0';
	while (ipc_ring_dequeue(&ipc_worker(&cp.seg, 0)->to_dp, &m) == 1) {
		assert_true(n + 24 < sizeof(out));
		if (m.h.kind == IPC_STATS_REQ)
			continue;                 /* (fill()'s) */
		if (m.h.kind == IPC_ALLOC_TAP) {
			const struct ipc_alloc_tap *t = (const void *)m.body;

			assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%c%llu ",
					      t->on ? '+' : '-', (unsigned long long)m.h.alloc_id);
		} else {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s ",
					      m.h.kind == IPC_ALLOC_ADD ? "A" :
					      m.h.kind == IPC_ALLOC_MOVE ? "M" : ".");
		}
	}
	return out;
}

/* The taps followed from a ready cp, the first pass over. */
static void
start(void)
{
	cp.ready = true;
	assert_int_equal(cp_li_taps_open(&cp), 0);
	(void)cp_li_taps_step(&cp);
}

/* Fill worker 0's ring to leave `room` slots. */
static void
fill(unsigned int room)
{
	static struct ipc_msg filler;
	struct ipc_ring *ring = &ipc_worker(&cp.seg, 0)->to_dp;

	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_STATS_REQ;
	while (ipc_ring_count(ring) + room < IPC_RING_SLOTS)
		assert_int_equal(ipc_ring_enqueue(ring, &filler), 0);
}

/* S1: after a dp restart, the reinstall's ALLOC_ADD took the ring's last
 * slot above the headroom, and the tap after it found none: cp's record
 * said the tap was sent, and nothing sent it again. */
static void
test_li_taps_reinstall_tap_without_room_is_sent_by_the_pass(void **state)
{
	(void)state;
	task_v4(1, 2);
	assert_non_null(restore(1, "bob", 2));
	start();
	assert_string_equal(drain(), "+1 ");
	/* dp restarts; its ring has room for the ALLOC_ADD and the headroom
	 * install() asks for, not one more */
	fill(1 + CP_RING_HEADROOM);
	cp_reinstall_start(&cp);
	assert_int_equal(cp_reinstall_step(&cp), 1);
	(void)cp_li_taps_step(&cp);
	{
		const char *s = drain();

		assert_non_null(strstr(s, "A "));
		assert_null(strstr(s, "+1"));           /* no room for it */
	}
	/* room again: the next turns tap it */
	(void)cp_li_taps_step(&cp);
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "+1 ");
	/* and a reinstall with room taps it at once, after its ALLOC_ADD */
	cp_reinstall_start(&cp);
	assert_int_equal(cp_reinstall_step(&cp), 1);
	assert_string_equal(drain(), "A +1 ");
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "");
}

/* S2: a restarted cp finds allocations in dp that an earlier cp tapped
 * for a task since deactivated (its untap lost with that cp): the first
 * pass, once cp is ready, says "off" to every allocation not targeted,
 * and later passes only what changed. */
static void
test_li_taps_restarted_cp_untaps_what_it_does_not_want(void **state)
{
	(void)state;
	task_v4(1, 3);
	assert_non_null(restore(1, "bob", 2));      /* dp may tap it still */
	assert_non_null(restore(2, "carol", 3));
	cp.ready = false;
	assert_int_equal(cp_li_taps_open(&cp), 0);
	/* not before every allocation of dp's is back */
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "");
	cp.ready = true;
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "-1 +2 ");
	/* the next pass (the tables changed) sends what changed only */
	task_v4(2, 99);
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "");
	cp_li_task_drop(cp.li, 0);
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "-2 ");
}

/* S5: a REST name's user part as cp/auth reads it, both forms; a static
 * user's name whole, even one that reads as a REST name. */
static void
test_li_taps_rest_names_read_as_cp_auth_reads_them(void **state)
{
	(void)state;
	assert_non_null(restore(1, "1700000000:alice", 2));
	assert_non_null(restore(2, "alice:1700000000", 2));
	assert_non_null(restore(3, "123:alice", 2));       /* a static user */
	assert_non_null(restore(4, "1700000000:alicia", 2));
	assert_non_null(restore(5, "1700000000", 2));      /* a bare expiry */
	assert_non_null(restore(6, "x:alice:1700000000", 2));
	start();
	(void)drain();
	task_nai(1, "alice");
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "+1 +2 ");
	/* "x:alice" is the user of the last */
	task_nai(2, "x:alice");
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "+6 ");
}

/* S6: a move (RFC 8016) onto a targeted address taps at once, right
 * after dp's ALLOC_MOVE; a move off it untaps. */
static void
test_li_taps_move_onto_and_off_a_target(void **state)
{
	struct ipc_tuple tu;
	struct cp_alloc *a;

	(void)state;
	task_v4(1, 9);
	a = restore(1, "bob", 2);
	assert_non_null(a);
	start();
	(void)drain();
	tuple(&tu, 9, 41001);
	assert_int_equal(cpa_alloc_move(&cp, a, &tu, 0), 0);
	assert_string_equal(drain(), "M +1 ");
	tuple(&tu, 7, 41002);
	assert_int_equal(cpa_alloc_move(&cp, a, &tu, 0), 0);
	assert_string_equal(drain(), "M -1 ");
	(void)cp_li_taps_step(&cp);
	assert_string_equal(drain(), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_li_taps_reinstall_tap_without_room_is_sent_by_the_pass, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_li_taps_restarted_cp_untaps_what_it_does_not_want, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_li_taps_rest_names_read_as_cp_auth_reads_them, setup, teardown),
		cmocka_unit_test_setup_teardown(test_li_taps_move_onto_and_off_a_target, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
