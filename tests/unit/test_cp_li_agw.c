/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li on the gateway's TCP-leg contexts (MSRP after TLS; issue 70
 * slice 7, docs/design/li.md §4.2): the matcher (li_match_agw.c: a leg's
 * remote as its connection has it, both legs, before the signalled ones;
 * an empty slot not looked at; a NAI never) and the taps (li_agw_taps.c)
 * over cp/agw's real TCP contexts, with a real (private) ring segment
 * standing for dp: what cp tells dp (AGW_TAP after the AGW_ADD or AGW_MOD
 * that made a context targeted, or "off") read back from the worker's
 * ring; dp's LEG_UP through cp_handle(). A context made on a target's
 * address is tapped on its leg, with the context's id as correlation ID;
 * another is not; a leg up from a target's address taps its context on
 * that leg; a change of the tasks runs a pass (deactivation: "off"); a
 * tapped context's AGW_MOD brings its tap again (dp dropped it when its
 * target's leg went); a full ring keeps the tap for the next turn; a
 * started cp's first pass waits for cp->ready, then says "off" to the
 * untapped contexts too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "cp_dp.h"
#include "ipc.h"
#include "li.h"
#include "li_agw_taps.h"
#include "li_internal.h"
#include "li_x2_cp.h"
#include "policy/policy.h"
#include "tp_conf.h"

/* (li_x2.c's, not linked: test_cp_li_x2 drives it) */
void
cp_li_x2_agw(struct cp_ctx *cp_, const struct cp_agw_ctx *c, const struct ipc_agw_event *e,
	     bool sent)
{
	(void)cp_;
	(void)c;
	(void)e;
	(void)sent;
}

static struct tp_conf conf;
static struct cp_ctx cp;
static const struct cp_agw_caller op = { .is_operator = true };
static char conf_path[128], seg_name[64];

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; setup_timeout = 5; };\n";

static int
setup(void **state)
{
	char err[256];
	struct cp_policy *p;
	struct ipc_shm *shm;
	struct cp_li_dest d;
	FILE *f;
	bool created;

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-li-agw-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-li-agw-%d", (int)getpid());
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
	shm = cp.seg.shm;
	shm->dp_epoch = 1;
	shm->dp_heartbeat_ms = cp.now_ms;
	atomic_store(&shm->dp_ready, 1);
	ipc_side_set_agw(&shm->dp_side, 20000, 20099);
	ipc_side_publish(&shm->dp_side, IPC_CAP_AGW, 0, 0, 2);
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
	cp.ready = true;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_li_agw_taps_close(&cp);
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

/* A task (XID id[0]) on one target. */
static void
task_add(struct cp_li *li, uint8_t id, const struct x1_target *tg)
{
	struct cp_li_task t;

	memset(&t, 0, sizeof(t));
	t.t.xid[0] = id;
	t.t.n_targets = 1;
	t.t.targets[0] = *tg;
	t.t.delivery = X1_DELIVERY_X3_ONLY;
	t.t.n_dids = 1;
	t.t.dids[0][0] = 0xd0;
	assert_int_equal(cp_li_task_set(li, &t), 0);
}

static struct x1_target
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t prefix)
{
	struct x1_target t = { .kind = prefix == 32 ? X1_T_IPV4 : X1_T_IPV4_CIDR, .family = 4,
			       .prefix = prefix, .addr = { a, b, c, d } };

	return t;
}

static void
addr4(struct ipc_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->ip[0] = x;
	a->ip[1] = y;
	a->ip[2] = z;
	a->ip[3] = w;
	a->port = port;
}

/* ---- the matcher ------------------------------------------------------------------ */

static int
match(struct cp_li *li, const struct ipc_agw_term term[2], const struct ipc_addr seen[2],
      unsigned int *leg)
{
	const struct cp_li_task *k = cp_li_match_agw(li, term, seen, leg);

	return k == NULL ? -1 : k->t.xid[0];
}

static void
test_cp_li_agw_match_legs(void **state)
{
	struct cp_li *li = calloc(1, sizeof(*li));
	struct ipc_agw_term term[2];
	struct ipc_addr seen[2];
	struct x1_target ue = v4(10, 0, 0, 7, 32), core = v4(10, 1, 0, 0, 24), nai;
	unsigned int leg = 9;

	(void)state;
	assert_non_null(li);
	memset(term, 0, sizeof(term));
	memset(seen, 0, sizeof(seen));
	term[0].tcp_role = IPC_AGW_TCP_SERVER;
	addr4(&term[0].remote, 10, 0, 0, 7, 0);
	term[1].tcp_role = IPC_AGW_TCP_CLIENT;
	addr4(&term[1].remote, 10, 1, 0, 20, 2855);
	assert_int_equal(match(li, term, seen, &leg), -1);
	assert_int_equal(leg, 0);
	/* a NAI names a user: never a context */
	memset(&nai, 0, sizeof(nai));
	nai.kind = X1_T_NAI;
	snprintf(nai.nai, sizeof(nai.nai), "alice");
	task_add(li, 3, &nai);
	assert_int_equal(match(li, term, NULL, &leg), -1);
	/* the signalled remote: leg 0's */
	task_add(li, 1, &ue);
	assert_int_equal(match(li, term, NULL, &leg), 1);
	assert_int_equal(leg, 0);
	/* the core's leg under a CIDR (task 2), task 1 gone */
	cp_li_task_drop(li, 1);
	task_add(li, 2, &core);
	assert_int_equal(match(li, term, seen, &leg), 2);
	assert_int_equal(leg, 1);
	/* an empty slot is not looked at */
	term[1].tcp_role = IPC_AGW_TCP_NONE;
	assert_int_equal(match(li, term, seen, &leg), -1);
	term[1].tcp_role = IPC_AGW_TCP_CLIENT;
	/* what a connection has comes before what was signalled, both legs:
	 * leg 0 signalled on the core's CIDR (the other party's word), leg 1
	 * connected to the UE's address (task 1 again) */
	task_add(li, 1, &ue);
	addr4(&term[0].remote, 10, 1, 0, 99, 0);
	addr4(&term[1].remote, 10, 2, 0, 20, 2855);
	addr4(&seen[1], 10, 0, 0, 7, 2855);
	assert_int_equal(match(li, term, seen, &leg), 1);
	assert_int_equal(leg, 1);
	while (li->ntasks > 0)
		cp_li_task_drop(li, li->ntasks - 1);
	cp_li_index_free(li);
	free(li);
}

/* ---- the taps ---------------------------------------------------------------------- */

/* The next message cp sent worker w (false: none). */
static bool
to_dp(unsigned int w, struct ipc_msg *m)
{
	return ipc_ring_dequeue(&ipc_worker(&cp.seg, w)->to_dp, m) == 1;
}

static void
no_more(void)
{
	static struct ipc_msg m;

	for (unsigned int w = 0; w < 2; w++)
		if (to_dp(w, &m))
			fail_msg("worker %u: %s unexpected", w, ipc_kind_name(m.h.kind));
}

/* The next message to w is an AGW_TAP of id: on (leg), or off. */
static void
expect_tap(unsigned int w, uint64_t id, bool on, uint8_t leg, uint8_t xid0)
{
	static struct ipc_msg m;
	const struct ipc_agw_tap *t = (const void *)m.body;

	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_AGW_TAP);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(m.h.alloc_id, id);
	assert_int_equal(t->tap.on, on);
	if (on) {
		assert_int_equal(t->leg, leg);
		assert_int_equal(t->tap.xid[0], xid0);
		/* (the task gave none: the context's id) */
		assert_int_equal(t->tap.correlation, id);
		assert_int_equal(t->tap.ndest, 1);
		assert_int_equal(t->tap.dest[0].port, 7000);
	}
}

/* A context: leg 0 a server for remote4, leg 1 a client to 10.1.0.20. */
static struct cp_agw_ctx *
ctx_make(const char *remote4)
{
	static struct ipc_msg m;
	struct cp_agw_spec x[2];
	struct cp_agw_ctx *c = NULL;
	char err[256];

	memset(x, 0, sizeof(x));
	for (unsigned int i = 0; i < 2; i++)
		x[i].kind = CP_AGW_KIND_TCP;
	x[0].tcp.term.tcp_role = IPC_AGW_TCP_SERVER;
	addr4(&x[0].tcp.term.local, 10, 0, 0, 1, 0);
	if (remote4 != NULL) {
		x[0].tcp.term.remote.family = 4;
		assert_int_equal(sscanf(remote4, "%hhu.%hhu.%hhu.%hhu", &x[0].tcp.term.remote.ip[0],
					&x[0].tcp.term.remote.ip[1], &x[0].tcp.term.remote.ip[2],
					&x[0].tcp.term.remote.ip[3]), 4);
	} else {
		x[0].tcp.accept_any = true;
	}
	x[1].tcp.term.tcp_role = IPC_AGW_TCP_CLIENT;
	addr4(&x[1].tcp.term.remote, 10, 1, 0, 20, 2855);
	if (cp_agw_create(&cp, x, CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API, 0, &c, err,
			  sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_AGW_ADD);
	return c;
}

/* dp's LEG_UP for leg of c, its connection's remote 10.0.0.<last>. */
static void
leg_up(const struct cp_agw_ctx *c, uint8_t leg, uint8_t a, uint8_t last)
{
	static struct ipc_msg m;
	struct ipc_agw_event *e = (struct ipc_agw_event *)(void *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_EVENT;
	m.h.worker = c->worker;
	m.h.alloc_id = c->id;
	m.h.body_len = sizeof(*e);
	e->type = IPC_AGW_EV_LEG_UP;
	e->leg = leg;
	e->serial = c->tcp.term[leg].serial;
	addr4(&e->local, 10, a, 0, 1, 20001);
	addr4(&e->remote, 10, a, 0, last, 40000);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, m.h.worker, &m);
}

static void
test_cp_li_agw_taps_follow_contexts_and_tasks(void **state)
{
	static struct ipc_msg m;
	struct x1_target ue = v4(10, 0, 0, 7, 32);
	struct cp_agw_ctx *t, *o;
	struct cp_li_agw_taps_stats st;
	struct cp_agw_mod md;
	char err[256];
	uint64_t tid, oid;
	unsigned int tw, ow;

	(void)state;
	assert_int_equal(cp_li_agw_taps_open(&cp), 0);
	cp_li_agw_taps_step(&cp);     /* (the first pass: no context yet) */
	task_add(cp.li, 1, &ue);
	cp_li_agw_taps_step(&cp);
	no_more();
	/* a context signalled on the target's address: AGW_ADD, then its
	 * tap on leg 0 in the step; another: nothing */
	t = ctx_make("10.0.0.7");
	tid = t->id;
	tw = t->worker;
	o = ctx_make("10.0.0.8");
	oid = o->id;
	ow = o->worker;
	cp_li_agw_taps_step(&cp);
	expect_tap(tw, tid, true, 0, 1);
	no_more();
	/* the other's leg 0 comes up from the target's address (a NAT: the
	 * controller signalled another): tapped on leg 0 at once */
	leg_up(o, 0, 0, 7);
	expect_tap(ow, oid, true, 0, 1);
	/* its leg 1 connected: nothing changes */
	leg_up(o, 1, 1, 20);
	cp_li_agw_taps_step(&cp);
	no_more();
	/* a tapped context's AGW_MOD: its tap again (dp dropped it if the
	 * target's leg went); an untapped one's: nothing */
	memset(&md, 0, sizeof(md));
	md.kind = CP_AGW_KIND_TCP;
	md.tcp.dscp_set = true;
	md.tcp.dscp = 10;
	assert_int_equal(cp_agw_modify(&cp, &op, tid, 1, &md, err, sizeof(err)), 0);
	assert_true(to_dp(tw, &m));
	assert_int_equal(m.h.kind, IPC_AGW_MOD);
	cp_li_agw_taps_step(&cp);
	expect_tap(tw, tid, true, 0, 1);
	no_more();
	/* the task dropped: a pass, "off" to both */
	cp_li_task_drop(cp.li, 0);
	cp_li_agw_taps_step(&cp);
	for (unsigned int k = 0; k < 2; k++) {
		unsigned int w = k == 0 ? (tw < ow ? tw : ow) : (tw < ow ? ow : tw);

		while (to_dp(w, &m)) {
			const struct ipc_agw_tap *x = (const void *)m.body;

			assert_int_equal(m.h.kind, IPC_AGW_TAP);
			assert_true(m.h.alloc_id == tid || m.h.alloc_id == oid);
			assert_int_equal(x->tap.on, 0);
		}
		if (tw == ow)
			break;
	}
	cp_li_agw_taps_stats(&cp, &st);
	assert_int_equal(st.sent, 5);
	assert_int_equal(st.sent_on, 3);
	/* a released context's record goes with it */
	task_add(cp.li, 1, &ue);
	cp_li_agw_taps_step(&cp);
	expect_tap(tw, tid, true, 0, 1);
	expect_tap(ow, oid, true, 0, 1);
	no_more();
}

/* A ring without room: the tap waits for the next turn, never recorded
 * as sent. */
static void
test_cp_li_agw_taps_full_ring_next_turn(void **state)
{
	static struct ipc_msg m;
	struct x1_target ue = v4(10, 0, 0, 7, 32);
	struct cp_agw_ctx *t;
	struct cp_li_agw_taps_stats st;
	unsigned int filled = 0;

	(void)state;
	assert_int_equal(cp_li_agw_taps_open(&cp), 0);
	cp_li_agw_taps_step(&cp);
	task_add(cp.li, 1, &ue);
	cp_li_agw_taps_step(&cp);
	t = ctx_make("10.0.0.7");
	/* the worker's ring filled to its headroom */
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_DEL;
	m.h.alloc_id = t->id;
	while (cp_dp_send(&cp, t->worker, &m, CP_RING_HEADROOM) == 0)
		filled++;
	assert_true(filled > 0);
	cp_li_agw_taps_step(&cp);
	cp_li_agw_taps_stats(&cp, &st);
	assert_int_equal(st.sent, 0);
	assert_true(st.send_failed >= 1);
	for (unsigned int k = 0; k < filled; k++)
		assert_true(to_dp(t->worker, &m));
	cp_li_agw_taps_step(&cp);
	expect_tap(t->worker, t->id, true, 0, 1);
	no_more();
}

/* A started cp: its first pass waits for cp->ready (dp's contexts given
 * back), then tells every context its tap, "off" to the untapped ones
 * (an earlier cp's tap an untap never reached). */
static void
test_cp_li_agw_taps_first_pass_waits_for_ready(void **state)
{
	struct cp_agw_ctx *a, *b;
	static struct ipc_msg m;
	unsigned int n = 0;

	(void)state;
	a = ctx_make("10.0.0.8");
	b = ctx_make(NULL);
	cp.ready = false;
	assert_int_equal(cp_li_agw_taps_open(&cp), 0);
	cp_li_agw_taps_step(&cp);
	no_more();
	cp.ready = true;
	cp_li_agw_taps_step(&cp);
	for (unsigned int w = 0; w < 2; w++)
		while (to_dp(w, &m)) {
			const struct ipc_agw_tap *x = (const void *)m.body;

			assert_int_equal(m.h.kind, IPC_AGW_TAP);
			assert_true(m.h.alloc_id == a->id || m.h.alloc_id == b->id);
			assert_int_equal(x->tap.on, 0);
			n++;
		}
	assert_int_equal(n, 2);
	/* once: the next turn says nothing */
	cp_li_agw_taps_step(&cp);
	no_more();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cp_li_agw_match_legs),
		cmocka_unit_test_setup_teardown(test_cp_li_agw_taps_follow_contexts_and_tasks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_li_agw_taps_full_ring_next_turn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cp_li_agw_taps_first_pass_waits_for_ready,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
