/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's taps on the gateway's RTP contexts (li_rtp_taps.c,
 * docs/design/li.md §4.1, §5; issue 70 slices 6 and 9): cp/agw with a real
 * (private) ring segment standing for dp, its contexts made through its C
 * API or handed back as dp's RTP_STATE gives them to a restarted cp, and
 * what cp tells dp (RTP_TAP) read back from the workers' rings. A
 * restarted cp's first pass waits for cp->ready (review V1: it walked a
 * table not yet restored and ended) and then says "off" to every context
 * not targeted (S2's, for contexts); a full ring stops a pass where it is
 * and the next turn goes on from there; an RTP_ADD's tap is sent after it,
 * a restarted dp's reinstall included (dp's context is fresh whatever cp's
 * record says); a deactivation untaps; the pair's peer's contexts and
 * yielded ones are never tapped (not in this box's dp).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "cp_dp.h"
#include "ipc.h"
#include "li.h"
#include "li_internal.h"
#include "li_rtp_taps.h"
#include "li_x2_cp.h"
#include "policy/policy.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static char conf_path[128], seg_name[64];

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
	"    relay_ipv4 = [\"10.1.0.50\"]; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; media_ports = [40000, 40099];\n"
	"  media_contexts = 8; };\n";

/* (the context's X2 is li_x2.c's, judged by test_cp_li_x2: not linked) */
void
cp_li_x2_ctx(struct cp_ctx *cp_, const struct cp_agw_ctx *c, const struct ipc_rtp_event *e,
	     bool added)
{
	(void)cp_;
	(void)c;
	(void)e;
	(void)added;
}

/* The contexts a test made, by number (1...): RTP_TAPs are shown by it. */
static uint64_t ids[16];
static unsigned int nids;

/* The door the next contexts are made by (the JSON API's, or Iq's: a
 * trigger's context is Iq's, iq.tenant the default tenant here). */
static enum cp_agw_door ctx_door = CP_AGW_DOOR_API;

static void
dp_up(void)
{
	struct ipc_shm *shm = cp.seg.shm;

	shm->dp_epoch = 1;
	shm->dp_heartbeat_ms = cp.now_ms;
	atomic_store(&shm->dp_ready, 1);
	ipc_side_set_agw(&shm->dp_side, 20000, 20099);
	ipc_side_set_media(&shm->dp_side, 40000, 40099);
	ipc_side_publish(&shm->dp_side, IPC_CAP_AGW | IPC_CAP_RTP, 0, 0, 2);
}

static int
setup(void **state)
{
	char err[256];
	struct cp_policy *p;
	struct cp_li_dest d;
	bool created;
	FILE *f;

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-li-rtp-taps-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-li-rtp-taps-%d", (int)getpid());
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fprintf(f, conf_text, seg_name);
	fclose(f);
	memset(&cp, 0, sizeof(cp));
	if (tp_conf_load(conf_path, &conf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	cp.conf = &conf;
	ipc_seg_unlink(seg_name);
	assert_int_equal(ipc_seg_open(&cp.seg, seg_name, 2, geteuid(), &created), 0);
	cp.nworkers = 2;
	cp.now_ms = ipc_monotonic_ms();
	cp.wall_ms = 1700000000000ull;
	assert_int_equal(cp_agw_init(&cp), 0);
	p = cp_policy_create();
	assert_non_null(p);
	assert_int_equal(cp_policy_add_allow(p, "10.0.0.0/16", err, sizeof(err)), 0);
	assert_int_equal(cp_policy_add_allow(p, "10.1.0.0/16", err, sizeof(err)), 0);
	cp_agw_policy_set(&cp, p);
	dp_up();
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
	nids = 0;
	ctx_door = CP_AGW_DOOR_API;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_li_rtp_taps_close(&cp);
	while (cp.li->ntasks > 0)
		cp_li_task_drop(cp.li, cp.li->ntasks - 1);
	while (cp.li->ndests > 0)
		cp_li_dest_drop(cp.li, 0);
	cp_li_index_free(cp.li);
	free(cp.li);
	cp.li = NULL;
	cp_agw_fini(&cp);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	tp_conf_free(&conf);
	unlink(conf_path);
	return 0;
}

/* A task (XID id[0]) on 10.0.0.last. */
static void
task_v4(uint8_t id, uint8_t last)
{
	struct cp_li_task t;
	struct x1_target tg = { .kind = X1_T_IPV4, .family = 4, .prefix = 32,
				.addr = { 10, 0, 0, last } };

	memset(&t, 0, sizeof(t));
	t.t.xid[0] = id;
	t.t.n_targets = 1;
	t.t.targets[0] = tg;
	t.t.delivery = X1_DELIVERY_X3_ONLY;
	t.t.n_dids = 1;
	t.t.dids[0][0] = 0xd0;
	assert_int_equal(cp_li_task_set(cp.li, &t), 0);
}

static void
ip4(struct ipc_addr *a, uint8_t last, uint8_t third, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->ip[0] = 10;
	a->ip[2] = third;
	a->ip[3] = last;
	a->ip[1] = 0;
	a->port = port;
}

/* A context, RTP-RTP: the access side's remote 10.0.0.last, the core's
 * 10.1.0.9 (contexts go to the least loaded worker: 1 to worker 0, 2 to
 * worker 1, 3 to worker 0...). Its number. */
static unsigned int
ctx(uint8_t last)
{
	static struct cp_agw_spec x[2];
	struct cp_agw_ctx *c = NULL;
	char err[256];

	memset(x, 0, sizeof(x));
	for (unsigned int i = 0; i < 2; i++) {
		x[i].kind = CP_AGW_KIND_RTP;
		x[i].rtp.side = (uint8_t)i;
		x[i].rtp.term.profile = IPC_RTP_AVP;
		x[i].rtp.term.mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
		x[i].rtp.term.latch = IPC_RTP_LATCH_RELATCH;
	}
	ip4(&x[0].rtp.term.remote, last, 0, 5004);
	x[1].rtp.term.remote.family = 4;
	x[1].rtp.term.remote.ip[0] = 10;
	x[1].rtp.term.remote.ip[1] = 1;
	x[1].rtp.term.remote.ip[3] = 9;
	x[1].rtp.term.remote.port = 6000;
	if (cp_agw_create(&cp, x, CP_AGW_SETUP_DEFAULT, NULL, ctx_door, 0, &c, err,
			  sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(nids < 16);
	ids[nids++] = c->id;
	return nids;
}

static struct cp_agw_ctx *
ctx_of(unsigned int n)
{
	const struct cp_agw_table *t = &cp.agw->tab[CP_AGW_KIND_RTP];

	for (uint32_t i = 0; i < cp.agw->nworkers * t->per_worker; i++)
		if (t->ctx[i].id == ids[n - 1])
			return &t->ctx[i];
	return NULL;
}

static unsigned int
num(uint64_t id)
{
	for (unsigned int i = 0; i < nids; i++)
		if (ids[i] == id)
			return i + 1;
	return 0;
}

/* What the workers' rings hold, worker 0's then worker 1's: each RTP_TAP
 * as "+N" (on, the target's termination T: "+N/T") or "-N" (off),
 * RTP_ADD as "A", others as "." (fill()'s not at all); the rings
 * emptied. */
static const char *
drain(void)
{
	static char out[512];
	static struct ipc_msg m;
	size_t n = 0;

	out[0] = '\0';
	for (unsigned int w = 0; w < 2; w++)
		while (ipc_ring_dequeue(&ipc_worker(&cp.seg, w)->to_dp, &m) == 1) {
			assert_true(n + 24 < sizeof(out));
			if (m.h.kind == IPC_SYNC)
				continue;                 /* (fill()'s) */
			if (m.h.kind == IPC_RTP_TAP) {
				const struct ipc_rtp_tap *t = (const void *)m.body;

				assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
				if (t->tap.on)
					n += (size_t)snprintf(out + n, sizeof(out) - n, "+%u/%u ",
							      num(m.h.alloc_id), t->term);
				else
					n += (size_t)snprintf(out + n, sizeof(out) - n, "-%u ",
							      num(m.h.alloc_id));
			} else {
				n += (size_t)snprintf(out + n, sizeof(out) - n, "%s ",
						      m.h.kind == IPC_RTP_ADD ? "A" : ".");
			}
		}
	return out;
}

/* Fill worker w's ring to leave `room` slots. */
static void
fill(unsigned int w, unsigned int room)
{
	static struct ipc_msg filler;
	struct ipc_ring *ring = &ipc_worker(&cp.seg, w)->to_dp;

	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_SYNC;
	while (ipc_ring_count(ring) + room < IPC_RING_SLOTS)
		assert_int_equal(ipc_ring_enqueue(ring, &filler), 0);
}

/* The taps followed from a ready cp, the first pass over. */
static void
start(void)
{
	cp.ready = true;
	assert_int_equal(cp_li_rtp_taps_open(&cp), 0);
	(void)cp_li_rtp_taps_step(&cp);
}

/* cp restarts: a new cp/agw, no context known until dp's RTP_STATEs give
 * them back (restore()); not ready. */
static struct ipc_rtp_ctx saved[16];
static uint16_t saved_w[16];

static void
cp_restart(void)
{
	for (unsigned int i = 0; i < nids; i++) {
		const struct cp_agw_ctx *c = ctx_of(i + 1);

		assert_non_null(c);
		memset(&saved[i], 0, sizeof(saved[i]));
		memcpy(saved[i].term, c->rtp.term, sizeof(saved[i].term));
		saved_w[i] = (uint16_t)c->worker;
	}
	cp_li_rtp_taps_close(&cp);
	cp_agw_fini(&cp);
	memset(&cp.dp, 0, sizeof(cp.dp));
	cp.ready = false;
	assert_int_equal(cp_agw_init(&cp), 0);
	dp_up();
	(void)drain();
}

static void
restore(unsigned int n)
{
	static struct ipc_msg m;
	struct ipc_rtp_state *x = (void *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_STATE;
	m.h.worker = saved_w[n - 1];
	m.h.alloc_id = ids[n - 1];
	m.h.body_len = sizeof(*x);
	x->ctx = saved[n - 1];
	x->st[0].serial = 1;
	x->st[1].serial = 2;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, saved_w[n - 1], &m);
	assert_non_null(ctx_of(n));
}

/* V1 and S2 for contexts: a restarted cp's first pass waits until dp gave
 * every context back (cp->ready), then tells each its tap, "off" to those
 * no task targets (an earlier cp may have left a tap in dp); later passes
 * send only what changed. */
static void
test_rtp_taps_restarted_cp_waits_for_ready_then_says_off(void **state)
{
	(void)state;
	task_v4(1, 7);
	assert_int_equal(ctx(7), 1);          /* worker 0, targeted */
	assert_int_equal(ctx(8), 2);          /* worker 1 */
	assert_int_equal(ctx(9), 3);          /* worker 0 */
	cp_restart();
	assert_int_equal(cp_li_rtp_taps_open(&cp), 0);
	/* dp's state comes in over several turns; the pass does not start */
	(void)cp_li_rtp_taps_step(&cp);
	restore(1);
	(void)cp_li_rtp_taps_step(&cp);
	restore(2);
	restore(3);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "");
	cp.ready = true;
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "+1/0 -3 -2 ");
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "");
	/* the next pass (the tables changed) sends what changed only */
	task_v4(2, 99);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "");
	task_v4(3, 8);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "+2/0 ");
}

/* A full ring stops the pass where it is (the context that found no room
 * first, the next turn); the other worker's wait too. */
static void
test_rtp_taps_full_ring_stops_the_pass_next_turn_goes_on(void **state)
{
	(void)state;
	start();
	assert_int_equal(ctx(7), 1);          /* worker 0 */
	assert_int_equal(ctx(7), 2);          /* worker 1 */
	assert_int_equal(ctx(7), 3);          /* worker 0 */
	assert_int_equal(ctx(7), 4);          /* worker 1 */
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "A A A A ");
	/* room for one tap on worker 0 */
	fill(0, 1 + CP_RING_HEADROOM);
	task_v4(1, 7);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "+1/0 ");
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "+3/0 +2/0 +4/0 ");
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "");
	/* a first pass too: the "off"s wait for room as the taps do */
	cp_restart();
	assert_int_equal(cp_li_rtp_taps_open(&cp), 0);
	for (unsigned int i = 1; i <= 4; i++)
		restore(i);
	cp_li_task_drop(cp.li, 0);
	cp.ready = true;
	fill(0, 1 + CP_RING_HEADROOM);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "-1 ");
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "-3 -2 -4 ");
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "");
}

/* An RTP_ADD's tap right after it, in the same turn's step; a restarted
 * dp's reinstall (RTP_ADD again) is tapped again though cp's record says
 * the context is; a context no task targets gets nothing. */
static void
test_rtp_taps_rtp_add_tapped_and_reinstall_tapped_again(void **state)
{
	(void)state;
	task_v4(1, 7);
	start();
	assert_string_equal(drain(), "");
	assert_int_equal(ctx(7), 1);
	assert_int_equal(ctx(8), 2);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "A +1/0 A ");
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "");
	/* dp restarts: cp/agw installs both again */
	cp_agw_dp_restart(&cp);
	cp_agw_serve(&cp, cp.now_ms);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "A +1/0 A ");
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "");
}

/* A deactivation untaps; a modification onto another target re-taps
 * (the task's XID in the tap), and off it untaps. */
static void
test_rtp_taps_deactivation_untaps(void **state)
{
	(void)state;
	task_v4(1, 7);
	assert_int_equal(ctx(7), 1);
	assert_int_equal(ctx(8), 2);
	start();
	assert_string_equal(drain(), "A +1/0 A -2 ");
	task_v4(2, 8);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "+2/0 ");
	cp_li_task_drop(cp.li, 0);             /* task 1 */
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "-1 ");
	cp_li_task_drop(cp.li, 0);             /* task 2 */
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "-2 ");
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "");
}

/* The pair's peer's contexts (held for a takeover) and this box's yielded
 * ones are not in this dp: never tapped, on a first pass, a change of the
 * tables or an event. */
static void
test_rtp_taps_peer_and_yielded_contexts_not_tapped(void **state)
{
	struct ipc_rtp_event e;

	(void)state;
	assert_int_equal(ctx(7), 1);
	assert_int_equal(ctx(7), 2);
	assert_int_equal(ctx(7), 3);
	(void)drain();
	ctx_of(1)->rtp.mirror = 1;
	ctx_of(2)->rtp.yielded = 1;
	task_v4(1, 7);
	start();
	assert_null(strstr(drain(), "+1"));
	task_v4(2, 7);
	(void)cp_li_rtp_taps_step(&cp);
	{
		const char *s = drain();

		assert_null(strstr(s, "+1"));
		assert_null(strstr(s, "+2"));
	}
	/* an event of theirs (a latch) taps nothing either */
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_LATCHED;
	e.term = 0;
	e.cause = IPC_AGW_CONTROLLER;
	ip4(&e.addr, 7, 0, 5004);
	for (unsigned int n = 1; n <= 2; n++) {
		static struct ipc_msg m;

		memset(&m, 0, sizeof(m));
		m.h.kind = IPC_RTP_EVENT;
		m.h.worker = (uint16_t)ctx_of(n)->worker;
		m.h.alloc_id = ids[n - 1];
		m.h.body_len = sizeof(e);
		memcpy(m.body, &e, sizeof(e));
		cp_handle(&cp, m.h.worker, &m);
	}
	(void)cp_li_rtp_taps_step(&cp);
	{
		const char *s = drain();

		assert_null(strstr(s, "+1"));
		assert_null(strstr(s, "+2"));
	}
	/* this box's own one is */
	ctx_of(1)->rtp.mirror = 0;
	ctx_of(2)->rtp.yielded = 0;
	task_v4(3, 99);
	(void)cp_li_rtp_taps_step(&cp);
	assert_string_equal(drain(), "+1/0 +2/0 ");
}

/* A CC-TF's trigger (XID id[0]) naming context number n (its id). */
static void
trigger(uint8_t id, unsigned int n)
{
	struct cp_li_task t;

	memset(&t, 0, sizeof(t));
	t.t.xid[0] = id;
	t.t.n_targets = 1;
	t.t.targets[0].kind = X1_T_IMS_T3;
	t.t.targets[0].h248_ctx = 2147483649u;
	t.t.targets[0].t3_ctx = ids[n - 1];
	t.t.delivery = X1_DELIVERY_X3_ONLY;
	t.t.n_dids = 1;
	t.t.dids[0][0] = 0xd0;
	assert_int_equal(cp_li_task_set(cp.li, &t), 0);
}

static uint64_t
trigger_ctx(uint8_t id)
{
	uint8_t xid[16] = { id };
	const struct cp_li_task *t = cp_li_task_find(cp.li, xid);

	assert_non_null(t);
	return t->t.targets[0].t3_ctx;
}

/* dp's RELEASED of context number n. */
static void
released(unsigned int n)
{
	static struct ipc_msg m;
	struct ipc_rtp_event e;

	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_RELEASED;
	e.cause = IPC_AGW_CONTROLLER;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_EVENT;
	m.h.worker = (uint16_t)ctx_of(n)->worker;
	m.h.alloc_id = ids[n - 1];
	m.h.body_len = sizeof(e);
	memcpy(m.body, &e, sizeof(e));
	cp_handle(&cp, m.h.worker, &m);
}

/* Review H1: a trigger lives as long as its context. Released, the
 * trigger is disarmed (names context 0, matches nothing: a later context
 * of the same id is a stranger's); after a restart, a trigger whose
 * context dp did not give back is disarmed once cp is ready, one whose
 * context came back stays armed; a context of another door (the JSON
 * API's) with the trigger's id is not tapped for it. */
static void
test_rtp_taps_trigger_bound_to_its_context(void **state)
{
	unsigned int term = 9;

	(void)state;
	ctx_door = CP_AGW_DOOR_IQ;
	assert_int_equal(ctx(50), 1);
	assert_int_equal(ctx(51), 2);
	assert_int_equal(ctx(52), 3);
	ctx_door = CP_AGW_DOOR_API;
	assert_int_equal(ctx(53), 4);
	trigger(1, 1);
	trigger(2, 2);
	trigger(3, 3);
	trigger(4, 4);                        /* (an id an Iq context never had) */
	start();
	{
		const char *s = drain();

		assert_non_null(strstr(s, "+1/0"));
		assert_non_null(strstr(s, "+2/0"));
		assert_non_null(strstr(s, "+3/0"));
		assert_null(strstr(s, "+4"));  /* the JSON API's context */
	}
	assert_null(cp_li_rtp_task(&cp, ctx_of(4), &term));
	/* context 1 released: its trigger disarmed, in the tables */
	released(1);
	assert_true(trigger_ctx(1) == 0);
	assert_true(trigger_ctx(2) == ids[1]);
	assert_null(cp_li_match_trigger(cp.li, ids[0]));
	/* cp restarts; dp gives context 2 back, not 3 (ended meanwhile) */
	cp_li_rtp_taps_close(&cp);
	cp_agw_fini(&cp);
	memset(&cp.dp, 0, sizeof(cp.dp));
	cp.ready = false;
	assert_int_equal(cp_agw_init(&cp), 0);
	dp_up();
	(void)drain();
	assert_int_equal(cp_li_rtp_taps_open(&cp), 0);
	(void)cp_li_rtp_taps_step(&cp);
	assert_true(trigger_ctx(3) == ids[2]);   /* not before ready */
	cp.ready = true;
	(void)cp_li_rtp_taps_step(&cp);
	assert_true(trigger_ctx(3) == 0);
	assert_true(trigger_ctx(4) == 0);
}

/* Review M1: the ADMF's address target first, a trigger naming the
 * context second: one tap a context, the ADMF's task keeps it. */
static void
test_rtp_taps_admf_before_trigger(void **state)
{
	const struct cp_li_task *t;
	unsigned int term = 9;

	(void)state;
	ctx_door = CP_AGW_DOOR_IQ;
	assert_int_equal(ctx(7), 1);
	assert_int_equal(ctx(8), 2);
	trigger(9, 1);
	trigger(8, 2);
	task_v4(1, 7);
	t = cp_li_rtp_task(&cp, ctx_of(1), &term);
	assert_non_null(t);
	assert_int_equal(t->t.xid[0], 1);
	assert_int_equal(term, 0);
	t = cp_li_rtp_task(&cp, ctx_of(2), &term);
	assert_non_null(t);
	assert_int_equal(t->t.xid[0], 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_rtp_taps_restarted_cp_waits_for_ready_then_says_off, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_rtp_taps_full_ring_stops_the_pass_next_turn_goes_on, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_rtp_taps_rtp_add_tapped_and_reinstall_tapped_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_taps_deactivation_untaps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_rtp_taps_peer_and_yielded_contexts_not_tapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_taps_trigger_bound_to_its_context, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_taps_admf_before_trigger, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
