/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's C API, the one both doors (the operator API's JSON, H.248's
 * cp/iq) call, with a real (private) ring segment standing for dp: what
 * it sends dp is read back from the worker's ring, dp's events go in
 * through cp_handle() (cp_dp's dispatch, to cp/agw's TCP contexts).
 *
 * A context of one termination, the second added later (AGW_ADD with an
 * empty slot, then AGW_MOD ADD_LEG with a server port of the context's
 * worker's share, a new serial); a modify (the remote through agw.peers);
 * a subtract empties the slot at once (its port free) and dp's SUBTRACTED
 * for it, naming the old serial, is not applied to the slot's next
 * termination; the last subtraction releases; the rules every door's
 * terminations go through (agw.peers, sha-1 alone, a plain server leg
 * without remote); observers hear each event after cp/agw applied it,
 * RELEASED with the context as it was; AGW_STATE of a one-leg context.
 * Confinement: a context answers to its door and tenant (and to the
 * operator), another's is answered as one that does not exist, at the C
 * API and at the JSON door (the controller role, the operator role); the
 * quotas of live contexts per door and per tenant, each refusing its own
 * creates only, their counts exact through release, dp's restart and a
 * restarted cp's AGW_STATE.
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

#include <json-c/json.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "api/api.h"
#include "ipc.h"
#include "policy/policy.h"
#include "steer.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
/* (the tests of how a context works ask as the operator, who sees all) */
static const struct cp_agw_caller op = { .is_operator = true };
static char conf_path[128], seg_name[64];

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; setup_timeout = 5; %s };\n"
	"tenants = ( { name = \"mvno-a\"; realm = \"a.test\"; addresses = [\"10.0.0.11\"]; %s },\n"
	"  { name = \"ent-b\"; realm = \"b.test\"; addresses = [\"10.0.0.12\"]; } );\n";

/* What the quota tests add to the agw group and to tenant mvno-a. */
static const char *conf_agw = "", *conf_mvno = "";

static int
setup(void **state)
{
	char err[256];
	struct cp_policy *p;
	struct ipc_shm *shm;
	FILE *f;
	bool created;

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-agw-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-agw-%d", (int)getpid());
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fprintf(f, conf_text, seg_name, conf_agw, conf_mvno);
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
	/* dp runs, with the gateway */
	shm = cp.seg.shm;
	shm->dp_epoch = 1;
	shm->dp_heartbeat_ms = cp.now_ms;
	atomic_store(&shm->dp_ready, 1);
	ipc_side_set_agw(&shm->dp_side, 20000, 20099);
	ipc_side_publish(&shm->dp_side, IPC_CAP_AGW, 0, 0, 2);
	return 0;
}

/* agw.quota = { api = 3; iq = 1; default_tenant = 2; }, mvno-a's
 * agw_contexts 1, ent-b none. */
static int
setup_quota(void **state)
{
	conf_agw = "quota = { api = 3; iq = 1; default_tenant = 2; };";
	conf_mvno = "agw_contexts = 1;";
	return setup(state);
}

/* agw.quota = { ng = 1; }: the ng door's alone. */
static int
setup_quota_ng(void **state)
{
	conf_agw = "quota = { ng = 1; };";
	return setup(state);
}

static int
teardown(void **state)
{
	(void)state;
	conf_agw = conf_mvno = "";
	cp.api = NULL;
	cp_agw_fini(&cp);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	tp_conf_free(&conf);
	unlink(conf_path);
	return 0;
}

/* The next message cp sent worker w (false: none). */
static bool
to_dp(unsigned int w, struct ipc_msg *m)
{
	return ipc_ring_dequeue(&ipc_worker(&cp.seg, w)->to_dp, m) == 1;
}

/* TCP legs as the C API takes them: two for cp_agw_create() (NULL: both
 * empty), one for cp_agw_add(), a modify for cp_agw_modify(). */
static const struct cp_agw_spec *
tcp2(const struct cp_agw_leg_spec *s)
{
	static struct cp_agw_spec x[2];

	memset(x, 0, sizeof(x));
	for (unsigned int i = 0; i < 2; i++) {
		x[i].kind = CP_AGW_KIND_TCP;
		if (s != NULL)
			x[i].tcp = s[i];
	}
	return x;
}

static const struct cp_agw_spec *
tcp1(const struct cp_agw_leg_spec *s)
{
	static struct cp_agw_spec x;

	x.kind = CP_AGW_KIND_TCP;
	x.tcp = *s;
	return &x;
}

static const struct cp_agw_mod *
tmod(const struct cp_agw_leg_mod *m)
{
	static struct cp_agw_mod x;

	x.kind = CP_AGW_KIND_TCP;
	x.tcp = *m;
	return &x;
}

static void
spec_server(struct cp_agw_leg_spec *s, const char *remote4)
{
	memset(s, 0, sizeof(*s));
	s->term.tcp_role = IPC_AGW_TCP_SERVER;
	s->term.local.family = 4;
	s->term.local.ip[0] = 10;
	s->term.local.ip[3] = 1;
	if (remote4 != NULL) {
		s->term.remote.family = 4;
		assert_int_equal(sscanf(remote4, "%hhu.%hhu.%hhu.%hhu", &s->term.remote.ip[0],
					&s->term.remote.ip[1], &s->term.remote.ip[2],
					&s->term.remote.ip[3]), 4);
	}
}

static void
spec_client(struct cp_agw_leg_spec *s, uint8_t last, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->term.tcp_role = IPC_AGW_TCP_CLIENT;
	s->term.remote.family = 4;
	s->term.remote.ip[0] = 10;
	s->term.remote.ip[1] = 1;
	s->term.remote.ip[3] = last;
	s->term.remote.port = port;
}

/* dp's event for context id. */
static void
dp_event(uint64_t id, uint8_t type, uint8_t leg, uint8_t cause, uint16_t serial)
{
	static struct ipc_msg m;
	struct ipc_agw_event *e = (struct ipc_agw_event *)(void *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_EVENT;
	m.h.worker = (uint16_t)ipc_conn_worker(id);
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*e);
	e->type = type;
	e->leg = leg;
	e->cause = cause;
	e->serial = serial;
	e->bytes_in[0] = 11;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, m.h.worker, &m);
}

static bool
port_taken(uint16_t p)
{
	return (cp.agw->ports_used[p / 64] >> (p % 64)) & 1u;
}

/* ---- observers ---------------------------------------------------------------- */

static struct {
	unsigned int n;
	uint8_t type[16];
	uint8_t leg_state[16][2];
	uint64_t id[16];
	uint8_t state[16];
} heard;

static void
observer(struct cp_ctx *c, const struct cp_agw_ctx *x, const void *ev, void *arg)
{
	const struct ipc_agw_event *e = ev;

	assert_ptr_equal(c, &cp);
	assert_ptr_equal(arg, &heard);
	if (heard.n < 16) {
		heard.type[heard.n] = e->type;
		heard.leg_state[heard.n][0] = x->tcp.leg_state[0];
		heard.leg_state[heard.n][1] = x->tcp.leg_state[1];
		heard.id[heard.n] = x->id;
		heard.state[heard.n] = x->state;
	}
	heard.n++;
}

/* ---- tests ---------------------------------------------------------------------- */

/* One termination at create, the second added later in the context's
 * worker, subtracted, another added, the last one subtracted. */
static void
test_cp_agw_legs_one_at_a_time(void **state)
{
	static struct ipc_msg m;
	struct cp_agw_leg_spec s[2], b;
	const struct ipc_agw_ctx *x = (const void *)m.body;
	const struct ipc_agw_mod *md = (const void *)m.body;
	struct cp_agw_ctx *c = NULL;
	char err[256];
	unsigned int got = 9;
	uint16_t p0, p1;
	uint64_t id;

	(void)state;
	memset(&heard, 0, sizeof(heard));
	assert_int_equal(cp_agw_observe(&cp, CP_AGW_KIND_TCP, observer, &heard), 0);
	spec_server(&s[0], "10.0.0.7");
	memset(&s[1], 0, sizeof(s[1]));
	assert_int_equal(cp_agw_create(&cp, tcp2(s), CP_AGW_SETUP_DEFAULT, "ue-7", CP_AGW_DOOR_IQ,
				       0, &c, err, sizeof(err)), 0);
	id = c->id;
	assert_int_equal(c->door, CP_AGW_DOOR_IQ);
	assert_int_equal(c->tcp.leg_state[1], CP_AGW_LEG_EMPTY);
	assert_ptr_equal(cp_agw_lookup(&cp, &op, id), c);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_AGW_ADD);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(x->term[1].tcp_role, IPC_AGW_TCP_NONE);
	assert_int_equal(x->term[0].serial, 1);
	assert_int_equal(x->setup_ms, 5000);
	p0 = x->term[0].local.port;
	assert_true(port_taken(p0));
	dp_event(id, IPC_AGW_EV_LEG_UP, 0, 0, 1);
	assert_int_equal(c->tcp.leg_state[0], CP_AGW_LEG_UP);
	assert_int_equal(c->state, CP_AGW_ACTIVE);

	/* the second: a server leg, its port from the same worker's share */
	spec_server(&b, "10.1.0.9");
	assert_int_equal(cp_agw_add(&cp, &op, id, CP_AGW_ANY, tcp1(&b), 2000, &got, err,
					sizeof(err)), 0);
	assert_int_equal(got, 1);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_AGW_MOD);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(md->op, IPC_AGW_ADD_LEG);
	assert_int_equal(md->leg, 1);
	assert_int_equal(md->setup_ms, 2000);
	assert_int_equal(md->term.serial, 2);
	p1 = md->term.local.port;
	assert_int_not_equal(p1, p0);
	assert_int_equal(steer_relay_owner(20000, 20099, 2, p1), c->worker);
	assert_true(port_taken(p1));
	assert_int_equal(c->tcp.leg_state[1], CP_AGW_LEG_WAITING);
	/* a slot that holds one takes no other */
	assert_int_equal(cp_agw_add(&cp, &op, id, 1, tcp1(&b), 0, NULL, err, sizeof(err)), -EBUSY);
	assert_int_equal(cp_agw_add(&cp, &op, id, CP_AGW_ANY, tcp1(&b), 0, NULL, err, sizeof(err)),
			 -EBUSY);
	assert_false(to_dp(c->worker, &m));
	dp_event(id, IPC_AGW_EV_LEG_UP, 1, 0, 2);
	assert_int_equal(c->tcp.leg_state[1], CP_AGW_LEG_UP);

	/* subtract leg 1: its slot is empty at once, its port free */
	assert_int_equal(cp_agw_subtract(&cp, &op, id, 1, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(md->op, IPC_AGW_SUB_LEG);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(c->tcp.leg_state[1], CP_AGW_LEG_EMPTY);
	assert_false(port_taken(p1));
	assert_int_equal(c->state, CP_AGW_ACTIVE);
	/* another termination joins before dp's SUBTRACTED of the old one */
	spec_client(&b, 20, 5060);
	assert_int_equal(cp_agw_add(&cp, &op, id, 1, tcp1(&b), CP_AGW_SETUP_DEFAULT, NULL, err,
					sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(md->term.serial, 3);
	assert_int_equal(md->setup_ms, 5000);
	/* (cp chose the source address by the route) */
	assert_int_equal(md->term.local.ip[1], 1);
	dp_event(id, IPC_AGW_EV_SUBTRACTED, 1, IPC_AGW_CONTROLLER, 2);
	assert_int_equal(c->tcp.leg_state[1], CP_AGW_LEG_WAITING);     /* (the new one's) */
	assert_int_equal(c->tcp.term[1].tcp_role, IPC_AGW_TCP_CLIENT);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_EVENTS_STALE], 1);
	dp_event(id, IPC_AGW_EV_LEG_UP, 1, 0, 3);
	assert_int_equal(c->tcp.leg_state[1], CP_AGW_LEG_UP);

	/* the last: subtracting 1 then 0 releases */
	assert_int_equal(cp_agw_subtract(&cp, &op, id, 1, err, sizeof(err)), 0);
	assert_int_equal(cp_agw_subtract(&cp, &op, id, 1, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "has no termination"));
	assert_int_equal(cp_agw_subtract(&cp, &op, id, 0, err, sizeof(err)), 0);
	assert_int_equal(c->state, CP_AGW_RELEASING);
	assert_false(port_taken(p0));
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, tcp1(&s[0]), 0, NULL, err, sizeof(err)),
			 -ESHUTDOWN);
	dp_event(id, IPC_AGW_EV_SUBTRACTED, 1, IPC_AGW_CONTROLLER, 3);
	dp_event(id, IPC_AGW_EV_SUBTRACTED, 0, IPC_AGW_CONTROLLER, 1);
	dp_event(id, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, IPC_AGW_CONTROLLER, 0);
	assert_null(cp_agw_lookup(&cp, &op, id));
	assert_int_equal(cp.agw->tab[CP_AGW_KIND_TCP].total, 0);
	/* the observer heard every event, after cp/agw applied it; RELEASED
	 * with the context as it was */
	assert_int_equal(heard.n, 7);
	assert_int_equal(heard.type[0], IPC_AGW_EV_LEG_UP);
	assert_int_equal(heard.state[0], CP_AGW_ACTIVE);
	assert_int_equal(heard.type[1], IPC_AGW_EV_LEG_UP);
	assert_int_equal(heard.leg_state[1][1], CP_AGW_LEG_UP);
	assert_int_equal(heard.type[2], IPC_AGW_EV_SUBTRACTED);
	assert_int_equal(heard.type[6], IPC_AGW_EV_RELEASED);
	assert_int_equal(heard.id[6], id);
	assert_int_equal(heard.state[6], CP_AGW_RELEASING);
}

/* dp could not install a termination added: its SUBTRACTED (setup_failed,
 * its serial) empties the slot. */
static void
test_cp_agw_add_refused_by_dp(void **state)
{
	static struct ipc_msg m;
	struct cp_agw_leg_spec s[2];
	struct cp_agw_ctx *c = NULL;
	char err[256];
	uint64_t id;

	(void)state;
	spec_client(&s[1], 20, 5060);
	memset(&s[0], 0, sizeof(s[0]));
	assert_int_equal(cp_agw_create(&cp, tcp2(s), 0, NULL, CP_AGW_DOOR_API, 0, &c, err,
				       sizeof(err)), 0);
	id = c->id;
	assert_true(to_dp(c->worker, &m));
	spec_server(&s[0], NULL);
	s[0].term.tls_role = IPC_AGW_TLS_NONE;
	s[0].accept_any = true;
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, tcp1(&s[0]), 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(c->tcp.leg_state[0], CP_AGW_LEG_WAITING);
	dp_event(id, IPC_AGW_EV_SUBTRACTED, 0, IPC_AGW_SETUP_FAILED, 2);
	assert_int_equal(c->tcp.leg_state[0], CP_AGW_LEG_EMPTY);
	assert_int_equal(c->tcp.term[0].tcp_role, IPC_AGW_TCP_NONE);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_EVENTS_STALE], 0);
}

/* The rules every door's terminations go through, at create, add and
 * modify alike. */
static void
test_cp_agw_rules_for_every_door(void **state)
{
	static struct ipc_msg m;
	struct cp_agw_leg_spec s[2], b;
	struct cp_agw_ctx *c = NULL;
	struct ipc_addr r;
	struct ipc_agw_fp fp;
	const struct cp_agw_leg_mod mr = { .remote = &r }, mf = { .fp = &fp, .nfp = 1 };
	char err[256];
	uint64_t id;

	(void)state;
	/* agw.peers: 10.9.0.1 is outside what it allows */
	spec_server(&s[0], "10.9.0.1");
	memset(&s[1], 0, sizeof(s[1]));
	assert_int_equal(cp_agw_create(&cp, tcp2(s), 0, NULL, CP_AGW_DOOR_IQ, 0, &c, err,
				       sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "refused by agw.peers"));
	/* a plain server leg without remote, unless accept_any */
	spec_server(&s[0], NULL);
	assert_int_equal(cp_agw_create(&cp, tcp2(s), 0, NULL, CP_AGW_DOOR_IQ, 0, &c, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs \"remote\""));
	/* no leg at all is a context too */
	assert_int_equal(cp_agw_create(&cp, tcp2(NULL), 0, NULL, CP_AGW_DOOR_IQ, 0, &c, err,
				       sizeof(err)), 0);
	id = c->id;
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	/* the same rules at add */
	spec_server(&b, "10.9.0.1");
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, tcp1(&b), 0, NULL, err, sizeof(err)), -EACCES);
	spec_client(&b, 20, 0);
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, tcp1(&b), 0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs \"remote\""));
	spec_server(&b, "10.0.0.7");
	b.term.local.port = 20099;            /* (worker 1's share) */
	if (c->worker == 1)
		b.term.local.port = 20000;
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, tcp1(&b), 0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "share of agw.ports"));
	assert_false(to_dp(c->worker, &m));
	/* and at modify: the remote through agw.peers; sha-1 alone refused */
	spec_server(&b, "10.0.0.7");
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, tcp1(&b), 0, NULL, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.ip[0] = 10;
	r.ip[1] = 9;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mr), err, sizeof(err)), -EACCES);
	memset(&fp, 0, sizeof(fp));
	fp.alg = 1;
	fp.len = 20;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mf), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "without TLS"));
	assert_false(to_dp(c->worker, &m));
	r.ip[1] = 0;
	r.ip[3] = 8;
	r.port = 4444;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mr), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(((const struct ipc_agw_mod *)(const void *)m.body)->op, IPC_AGW_MOD_LEG);
	assert_int_equal(((const struct ipc_agw_mod *)(const void *)m.body)->term.remote.port, 4444);
	assert_int_equal(c->tcp.term[0].remote.port, 4444);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1, tmod(&mr), err, sizeof(err)), -ENOENT);
	assert_int_equal(cp_agw_modify(&cp, &op, id + 1, 0, tmod(&mr), err, sizeof(err)), -ENOENT);
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mr), err, sizeof(err)),
			 -ESHUTDOWN);
}

/* A fingerprint of sha-256 whose bytes are all b. */
static struct ipc_agw_fp
fp256(uint8_t b)
{
	struct ipc_agw_fp f;

	memset(&f, 0, sizeof(f));
	f.alg = 2;
	f.len = 32;
	memset(f.md, b, 32);
	return f;
}

/* A Modify narrows who may take a leg, never widens it: a fingerprint
 * the Add did not signal is refused (a forged Modify would let its
 * sender's certificate take a waiting TLS leg), and once a TLS leg's peer
 * connected its remote and fingerprints stay; what was allowed still is
 * (a waiting leg's remote moved, its fingerprints narrowed, the same ones
 * repeated on a live leg, DSCP). */
static void
test_cp_agw_modify_narrows_only(void **state)
{
	static struct ipc_msg m;
	const struct ipc_agw_mod *md = (const void *)m.body;
	struct cp_agw_leg_spec s[2];
	struct cp_agw_ctx *c = NULL;
	struct ipc_addr r;
	struct ipc_agw_fp two[2] = { fp256(0xa1), fp256(0xb2) }, mine = fp256(0xee);
	struct cp_agw_leg_mod mod;
	char err[256];
	uint64_t id;

	(void)state;
	conf.tls.enabled = true;
	/* leg 0: a TLS server towards the UE, two fingerprints signalled;
	 * leg 1: a plain server */
	spec_server(&s[0], "10.0.0.7");
	s[0].term.tls_role = IPC_AGW_TLS_SERVER;
	s[0].term.nfp = 2;
	memcpy(s[0].term.fp, two, sizeof(two));
	spec_server(&s[1], "10.1.0.9");
	assert_int_equal(cp_agw_create(&cp, tcp2(s), 0, NULL, CP_AGW_DOOR_IQ, 0, &c, err,
				       sizeof(err)), 0);
	id = c->id;
	assert_true(to_dp(c->worker, &m));

	/* a fingerprint of the modify's own: refused, nothing to dp */
	memset(&mod, 0, sizeof(mod));
	mod.fp = &mine;
	mod.nfp = 1;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mod), err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "not signalled"));
	mod.fp = (struct ipc_agw_fp[]){ two[0], mine };
	mod.nfp = 2;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mod), err, sizeof(err)), -EPERM);
	/* with a new remote too */
	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.ip[0] = 10;
	r.ip[3] = 66;
	mod.remote = &r;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mod), err, sizeof(err)), -EPERM);
	/* on a plain leg: fingerprints are refused as before */
	mod.remote = NULL;
	mod.fp = &mine;
	mod.nfp = 1;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1, tmod(&mod), err, sizeof(err)), -EINVAL);
	assert_false(to_dp(c->worker, &m));
	assert_int_equal(c->tcp.term[0].nfp, 2);
	assert_int_equal(c->tcp.term[0].fp[1].md[0], 0xb2);

	/* the waiting TLS leg: its remote moved, its fingerprints narrowed
	 * to one of the Add's */
	mod.remote = &r;
	mod.fp = &two[1];
	mod.nfp = 1;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mod), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(md->op, IPC_AGW_MOD_LEG);
	assert_int_equal(md->term.nfp, 1);
	assert_int_equal(md->term.fp[0].md[0], 0xb2);
	assert_int_equal(md->term.remote.ip[3], 66);
	/* the one dropped does not come back */
	mod.remote = NULL;
	mod.fp = &two[0];
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mod), err, sizeof(err)), -EPERM);

	/* the UE connected and proved to be the peer: its remote and
	 * fingerprints stay; the same ones and DSCP may still be given */
	dp_event(id, IPC_AGW_EV_LEG_UP, 0, 0, c->tcp.term[0].serial);
	assert_int_equal(c->tcp.leg_state[0], CP_AGW_LEG_UP);
	r.ip[3] = 67;
	memset(&mod, 0, sizeof(mod));
	mod.remote = &r;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mod), err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "connected"));
	r.ip[3] = 66;
	mod.fp = &two[1];
	mod.nfp = 1;
	mod.dscp_set = true;
	mod.dscp = 46;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, tmod(&mod), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(md->term.dscp, 46);
	/* a plain leg that is up may still have its remote recorded anew */
	dp_event(id, IPC_AGW_EV_LEG_UP, 1, 0, c->tcp.term[1].serial);
	memset(&mod, 0, sizeof(mod));
	r.ip[1] = 1;
	r.ip[3] = 10;
	mod.remote = &r;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1, tmod(&mod), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
}

/* A restarted cp takes back a context of one leg from AGW_STATE. */
static void
test_cp_agw_state_one_leg(void **state)
{
	static struct ipc_msg m;
	struct ipc_agw_state *x = (struct ipc_agw_state *)(void *)m.body;
	struct cp_agw_ctx *c;
	struct cp_agw_leg_spec b;
	char err[256];
	uint64_t id = ipc_conn_make(1, 3, 9);

	(void)state;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_STATE;
	m.h.worker = 1;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	spec_server(&b, "10.0.0.7");
	x->ctx.term[1] = b.term;
	x->ctx.term[1].local.port = 20090;
	x->ctx.term[1].serial = 6;
	x->leg[1].state = 1;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, 1, &m);
	c = cp_agw_lookup(&cp, &op, id);
	assert_non_null(c);
	assert_int_equal(c->tcp.leg_state[0], CP_AGW_LEG_EMPTY);
	assert_int_equal(c->tcp.leg_state[1], CP_AGW_LEG_UP);
	assert_true(port_taken(20090));
	/* a termination added now gets a serial past dp's */
	spec_client(&b, 20, 5060);
	assert_int_equal(cp_agw_add(&cp, &op, id, CP_AGW_ANY, tcp1(&b), 0, NULL, err, sizeof(err)),
			 0);
	assert_true(to_dp(1, &m));
	assert_int_equal(((const struct ipc_agw_mod *)(const void *)m.body)->leg, 0);
	assert_int_equal(((const struct ipc_agw_mod *)(const void *)m.body)->term.serial, 7);
}

/* A context's tenant: an index past the configured ones is refused and
 * nothing is made; a context's terminations carry its tenant to dp, an
 * added one too, and a restarted cp takes it back from AGW_STATE. */
static void
test_cp_agw_tenant_kept(void **state)
{
	static struct ipc_msg m;
	struct ipc_agw_state *x = (struct ipc_agw_state *)(void *)m.body;
	struct cp_agw_leg_spec s[2], b;
	struct cp_agw_ctx *c = NULL;
	uint64_t id2 = ipc_conn_make(0, 5, 3);
	uint32_t by[3];
	char err[256];
	uint64_t id;

	(void)state;
	spec_client(&s[0], 20, 5060);
	memset(&s[1], 0, sizeof(s[1]));
	assert_int_equal(cp_agw_create(&cp, tcp2(s), 0, NULL, CP_AGW_DOOR_API, 3, &c, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "tenant 3"));
	assert_int_equal(cp.agw->tab[CP_AGW_KIND_TCP].total, 0);
	assert_false(to_dp(0, &m) || to_dp(1, &m));
	assert_int_equal(cp_agw_create(&cp, tcp2(s), 0, NULL, CP_AGW_DOOR_API, 1, &c, err,
				       sizeof(err)), 0);
	id = c->id;
	assert_int_equal(c->tenant, 1);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_AGW_ADD);
	assert_int_equal(((const struct ipc_agw_ctx *)(const void *)m.body)->term[0].tenant, 1);
	spec_client(&b, 21, 5060);
	assert_int_equal(cp_agw_add(&cp, &op, id, 1, tcp1(&b), 0, NULL, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(((const struct ipc_agw_mod *)(const void *)m.body)->term.tenant, 1);
	/* a restarted cp: dp's AGW_STATE of another context of the tenant */
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_STATE;
	m.h.worker = 0;
	m.h.alloc_id = id2;
	m.h.body_len = sizeof(*x);
	spec_client(&b, 22, 5060);
	x->ctx.term[0] = b.term;
	x->ctx.term[0].local.family = 4;         /* (dp's: the route's source) */
	x->ctx.term[0].local.ip[0] = 10;
	x->ctx.term[0].local.ip[1] = 1;
	x->ctx.term[0].local.ip[3] = 1;
	x->ctx.term[0].serial = 1;
	x->ctx.term[0].tenant = 1;
	x->leg[0].state = 1;
	x->leg[1].state = 0;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, 0, &m);
	c = cp_agw_lookup(&cp, &op, id2);
	assert_non_null(c);
	assert_int_equal(c->tenant, 1);
	cp_agw_by_tenant(&cp, by, 3);
	assert_int_equal(by[0], 0);
	assert_int_equal(by[1], 2);
	assert_int_equal(by[2], 0);
	/* one from a configuration with a tenant since gone: the default's */
	m.h.alloc_id = ipc_conn_make(0, 6, 3);
	x->ctx.term[0].tenant = 9;
	cp_handle(&cp, 0, &m);
	c = cp_agw_lookup(&cp, &op, m.h.alloc_id);
	assert_non_null(c);
	assert_int_equal(c->tenant, 0);
}

/* ---- confinement: a context answers to its door and tenant -------------------- */

/* A client leg, as every context below has: nothing here connects. */
static struct cp_agw_ctx *
make(enum cp_agw_door door, unsigned int tenant)
{
	static struct ipc_msg m;
	struct cp_agw_leg_spec s[2];
	struct cp_agw_ctx *c = NULL;
	char err[256];
	int rc;

	spec_client(&s[0], 20, 5060);
	memset(&s[1], 0, sizeof(s[1]));
	rc = cp_agw_create(&cp, tcp2(s), 0, NULL, door, tenant, &c, err, sizeof(err));
	if (rc != 0)
		fail_msg("create (door %u, tenant %u): %d %s", door, tenant, rc, err);
	assert_true(to_dp(c->worker, &m));      /* (its AGW_ADD) */
	return c;
}

/* Every way who could touch context id is answered as for a context that
 * does not exist, in the same words, and nothing goes to dp. */
static void
assert_not_seen(const struct cp_agw_caller *who, uint64_t id)
{
	static struct ipc_msg m;
	struct cp_agw_leg_spec b;
	struct ipc_addr r = { .family = 4, .ip = { 10, 1, 0, 9 }, .port = 5000 };
	struct cp_agw_leg_mod mod = { .remote = &r };
	char want[128], err[256];

	snprintf(want, sizeof(want), "no context %llu (released already?)",
		 (unsigned long long)id);
	spec_client(&b, 21, 5060);
	assert_null(cp_agw_lookup(&cp, who, id));
	assert_int_equal(cp_agw_add(&cp, who, id, CP_AGW_ANY, tcp1(&b), 0, NULL, err,
					sizeof(err)), -ENOENT);
	assert_string_equal(err, want);
	assert_int_equal(cp_agw_modify(&cp, who, id, 0, tmod(&mod), err, sizeof(err)), -ENOENT);
	assert_string_equal(err, want);
	assert_int_equal(cp_agw_subtract(&cp, who, id, 0, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, want);
	assert_int_equal(cp_agw_release(&cp, who, id, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, want);
	assert_false(to_dp(0, &m) || to_dp(1, &m));
}

/* The JSON door's contexts and the Iq door's, of two tenants: each door
 * and tenant sees its own only, another's is as one never made (the
 * words of an id that never was), even while it is being released; the
 * operator sees and acts on all. */
static void
test_cp_agw_confined_to_door_and_tenant(void **state)
{
	static struct ipc_msg m;
	const struct cp_agw_caller api0 = { .door = CP_AGW_DOOR_API, .tenant = 0 };
	const struct cp_agw_caller api1 = { .door = CP_AGW_DOOR_API, .tenant = 1 };
	const struct cp_agw_caller iq0 = { .door = CP_AGW_DOOR_IQ, .tenant = 0 };
	const struct cp_agw_caller iq1 = { .door = CP_AGW_DOOR_IQ, .tenant = 1 };
	struct ipc_addr r = { .family = 4, .ip = { 10, 1, 0, 9 }, .port = 5000 };
	struct cp_agw_leg_mod mod = { .remote = &r };
	struct cp_agw_ctx *a, *b, *c;
	uint64_t ida, idb, idc, never;
	char err[256];

	(void)state;
	a = make(CP_AGW_DOOR_API, 0);
	b = make(CP_AGW_DOOR_IQ, 0);
	c = make(CP_AGW_DOOR_API, 1);
	ida = a->id;
	idb = b->id;
	idc = c->id;
	while (to_dp(0, &m) || to_dp(1, &m))
		;
	never = ipc_conn_make(1, 7, 1);
	assert_null(cp_agw_lookup(&cp, &op, never));
	/* who sees what */
	assert_ptr_equal(cp_agw_lookup(&cp, &api0, ida), a);
	assert_ptr_equal(cp_agw_lookup(&cp, &iq0, idb), b);
	assert_ptr_equal(cp_agw_lookup(&cp, &api1, idc), c);
	assert_not_seen(&api0, idb);       /* the JSON door: not Iq's */
	assert_not_seen(&api0, idc);       /* ... nor another tenant's */
	assert_not_seen(&iq0, ida);        /* Iq: not the JSON door's */
	assert_not_seen(&iq0, idc);
	assert_not_seen(&api1, ida);
	assert_not_seen(&iq1, idb);        /* Iq of another tenant */
	assert_not_seen(&api0, never);     /* (the words of one never made) */
	/* its own: each acts */
	assert_int_equal(cp_agw_modify(&cp, &api0, ida, 0, tmod(&mod), err, sizeof(err)), 0);
	assert_true(to_dp(a->worker, &m));
	assert_int_equal(cp_agw_modify(&cp, &iq0, idb, 0, tmod(&mod), err, sizeof(err)), 0);
	assert_true(to_dp(b->worker, &m));
	/* being released: its own door hears so, another door nothing more */
	assert_int_equal(cp_agw_release(&cp, &iq0, idb, err, sizeof(err)), 0);
	assert_true(to_dp(b->worker, &m));
	assert_int_equal(cp_agw_modify(&cp, &iq0, idb, 0, tmod(&mod), err, sizeof(err)),
			 -ESHUTDOWN);
	assert_not_seen(&api0, idb);
	/* the operator: every context, any door's, any tenant's */
	assert_ptr_equal(cp_agw_lookup(&cp, &op, ida), a);
	assert_ptr_equal(cp_agw_lookup(&cp, &op, idb), b);
	assert_ptr_equal(cp_agw_lookup(&cp, &op, idc), c);
	assert_int_equal(cp_agw_modify(&cp, &op, idc, 0, tmod(&mod), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(cp_agw_release(&cp, &op, ida, err, sizeof(err)), 0);
	assert_true(to_dp(a->worker, &m));
	assert_int_equal(m.h.kind, IPC_AGW_DEL);
}

/* ---- the JSON door: the controller role and the operator's ------------------- */

static struct cp_api api;

/* Command name of the JSON door, run as a peer of role (CP_API_ROLE_*)
 * would run it, with the request text: its rc, its answer in *resp (the
 * caller frees it) and its error. */
static int
json_cmd(const char *name, uint8_t role, const char *req_text, struct json_object **resp,
	 const char **error)
{
	struct json_object *req = json_tokener_parse(req_text);
	int rc = -ENOSYS;

	assert_non_null(req);
	*resp = json_object_new_object();
	*error = NULL;
	for (unsigned int i = 0; i < api.ncmds; i++) {
		const struct cp_api_cmd *k = &api.cmds[i];

		if (strcmp(k->name, name) != 0)
			continue;
		/* the JSON door's commands are the controller's too */
		assert_true(k->roles & CP_API_ROLE_CONTROLLER);
		api.role_now = role;
		rc = k->fn != NULL ? k->fn(k->ctx, req, *resp, error) : 0;
		if (rc == 0 && k->list != NULL) {
			struct json_object *items = json_object_new_array();
			uint64_t cursor = 0;

			while (k->list(k->ctx, req, &cursor, items) == 1)
				;
			json_object_object_add(*resp, k->member, items);
		}
		api.role_now = 0;
		break;
	}
	json_object_put(req);
	return rc;
}

/* A request's text: {"id": ID} and more. */
static const char *
req_of(const char *fmt, uint64_t id)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), fmt, (unsigned long long)id);
	return buf;
}

static int64_t
member_int(struct json_object *o, const char *name)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, name, &v));
	return json_object_get_int64(v);
}

static const char *
member_str(struct json_object *o, const char *name)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, name, &v));
	return json_object_get_string(v);
}

/* The controller role (cp.agw_group) acts as the JSON door with the
 * tenant it names: show, add, modify, subtract and release of an Iq
 * context or another tenant's are answered as of one that does not exist;
 * list and events show its own only. The operator's role sees and ends
 * every context, and its views say each one's door and tenant. */
static void
test_cp_agw_json_door_roles(void **state)
{
	static const char *const verbs[][2] = {
		{ "agw.show", "{\"id\": %llu}" },
		{ "agw.release", "{\"id\": %llu}" },
		{ "agw.modify_leg", "{\"id\": %llu, \"leg\": 0, \"remote\": \"10.1.0.9:5000\"}" },
		{ "agw.subtract_leg", "{\"id\": %llu, \"leg\": 0}" },
		{ "agw.add_leg", "{\"id\": %llu, \"term\": {\"tcp\": \"client\", "
				 "\"remote\": \"10.1.0.21:5060\"}}" },
	};
	static struct ipc_msg m;
	struct json_object *resp, *list;
	const char *error;
	struct cp_agw_ctx *a, *b, *c;
	uint64_t ida, idb, idc, never = ipc_conn_make(1, 7, 1);
	char want[128];

	(void)state;
	memset(&api, 0, sizeof(api));
	cp.api = &api;
	assert_int_equal(cp_agw_register(&cp), 0);
	a = make(CP_AGW_DOOR_API, 0);
	b = make(CP_AGW_DOOR_IQ, 0);
	c = make(CP_AGW_DOOR_API, 1);
	ida = a->id;
	idb = b->id;
	idc = c->id;
	while (to_dp(0, &m) || to_dp(1, &m))
		;
	/* the controller: the Iq context, and another tenant's, as none */
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++) {
		const uint64_t ids[] = { idb, idc, never };

		for (size_t i = 0; i < 3; i++) {
			snprintf(want, sizeof(want), "no context %llu (released already?)",
				 (unsigned long long)ids[i]);
			assert_int_equal(json_cmd(verbs[k][0], CP_API_ROLE_CONTROLLER,
						  req_of(verbs[k][1], ids[i]), &resp, &error),
					 -ENOENT);
			if (error == NULL || strcmp(error, want) != 0)
				fail_msg("%s of %llu: \"%s\", want \"%s\"", verbs[k][0],
					 (unsigned long long)ids[i], error ? error : "(none)", want);
			json_object_put(resp);
		}
	}
	assert_false(to_dp(0, &m) || to_dp(1, &m));
	assert_non_null(cp_agw_lookup(&cp, &op, idb));
	/* ... its own, and another tenant's when it names that tenant */
	assert_int_equal(json_cmd("agw.show", CP_API_ROLE_CONTROLLER, req_of("{\"id\": %llu}", ida),
				  &resp, &error), 0);
	assert_string_equal(member_str(resp, "door"), "api");
	json_object_put(resp);
	assert_int_equal(json_cmd("agw.show", CP_API_ROLE_CONTROLLER,
				  req_of("{\"id\": %llu, \"tenant\": \"mvno-a\"}", idc), &resp,
				  &error), 0);
	assert_string_equal(member_str(resp, "tenant"), "mvno-a");
	json_object_put(resp);
	assert_int_equal(json_cmd("agw.show", CP_API_ROLE_CONTROLLER,
				  req_of("{\"id\": %llu, \"tenant\": \"mvno-a\"}", ida), &resp,
				  &error), -ENOENT);
	json_object_put(resp);
	assert_int_equal(json_cmd("agw.show", CP_API_ROLE_CONTROLLER,
				  req_of("{\"id\": %llu, \"tenant\": \"nosuch\"}", ida), &resp,
				  &error), -EINVAL);
	assert_non_null(strstr(error, "no tenant 'nosuch'"));
	json_object_put(resp);
	/* list: the controller's own; the operator's all, door and tenant said */
	assert_int_equal(json_cmd("agw.list", CP_API_ROLE_CONTROLLER, "{}", &resp, &error), 0);
	assert_int_equal(member_int(resp, "count"), 1);
	assert_true(json_object_object_get_ex(resp, "contexts", &list));
	assert_int_equal(json_object_array_length(list), 1);
	assert_int_equal(member_int(json_object_array_get_idx(list, 0), "id"), (int64_t)ida);
	json_object_put(resp);
	assert_int_equal(json_cmd("agw.list", CP_API_ROLE_CONTROLLER, "{\"tenant\": \"mvno-a\"}",
				  &resp, &error), 0);
	assert_int_equal(member_int(resp, "count"), 1);
	assert_true(json_object_object_get_ex(resp, "contexts", &list));
	assert_int_equal(member_int(json_object_array_get_idx(list, 0), "id"), (int64_t)idc);
	json_object_put(resp);
	assert_int_equal(json_cmd("agw.list", CP_API_ROLE_OPERATOR, "{}", &resp, &error), 0);
	assert_int_equal(member_int(resp, "count"), 3);
	assert_true(json_object_object_get_ex(resp, "contexts", &list));
	assert_int_equal(json_object_array_length(list), 3);
	for (size_t i = 0; i < 3; i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		uint64_t id = (uint64_t)member_int(o, "id");

		assert_string_equal(member_str(o, "door"), id == idb ? "iq" : "api");
		assert_string_equal(member_str(o, "tenant"), id == idc ? "mvno-a" : "default");
	}
	json_object_put(resp);
	/* events: each leg up; the controller reads its own context's only */
	dp_event(ida, IPC_AGW_EV_LEG_UP, 0, 0, 1);
	dp_event(idb, IPC_AGW_EV_LEG_UP, 0, 0, 1);
	dp_event(idc, IPC_AGW_EV_LEG_UP, 0, 0, 1);
	assert_int_equal(json_cmd("agw.events", CP_API_ROLE_CONTROLLER, "{}", &resp, &error), 0);
	assert_true(json_object_object_get_ex(resp, "events", &list));
	assert_int_equal(json_object_array_length(list), 1);
	assert_int_equal(member_int(json_object_array_get_idx(list, 0), "id"), (int64_t)ida);
	json_object_put(resp);
	assert_int_equal(json_cmd("agw.events", CP_API_ROLE_CONTROLLER,
				  req_of("{\"id\": %llu}", idb), &resp, &error), 0);
	assert_true(json_object_object_get_ex(resp, "events", &list));
	assert_int_equal(json_object_array_length(list), 0);
	json_object_put(resp);
	assert_int_equal(json_cmd("agw.events", CP_API_ROLE_OPERATOR, "{}", &resp, &error), 0);
	assert_true(json_object_object_get_ex(resp, "events", &list));
	assert_int_equal(json_object_array_length(list), 3);
	assert_string_equal(member_str(json_object_array_get_idx(list, 1), "door"), "iq");
	assert_string_equal(member_str(json_object_array_get_idx(list, 2), "tenant"), "mvno-a");
	json_object_put(resp);
	/* outside the API (no peer): the narrower view */
	assert_int_equal(json_cmd("agw.show", 0, req_of("{\"id\": %llu}", idb), &resp, &error),
			 -ENOENT);
	json_object_put(resp);
	/* the operator shows and ends the Iq context */
	assert_int_equal(json_cmd("agw.show", CP_API_ROLE_OPERATOR, req_of("{\"id\": %llu}", idb),
				  &resp, &error), 0);
	json_object_put(resp);
	assert_int_equal(json_cmd("agw.release", CP_API_ROLE_OPERATOR,
				  req_of("{\"id\": %llu}", idb), &resp, &error), 0);
	assert_string_equal(member_str(resp, "state"), "releasing");
	json_object_put(resp);
	assert_true(to_dp(b->worker, &m));
	assert_int_equal(m.h.kind, IPC_AGW_DEL);
	assert_int_equal(m.h.alloc_id, idb);
}

/* ---- quotas: live contexts per door and per tenant --------------------------- */

/* The live counts the quotas read against a walk of the table. */
static void
assert_counts_exact(void)
{
	const struct cp_agw *g = cp.agw;
	uint32_t by[3], door[CP_AGW_DOORS] = { 0 };

	cp_agw_by_tenant(&cp, by, 3);
	for (unsigned int t = 0; t < 3; t++)
		assert_int_equal(cp_agw_live(g, CP_AGW_DOORS, t), by[t]);
	for (size_t k = 0; k < (size_t)g->nworkers * g->tab[CP_AGW_KIND_TCP].per_worker; k++)
		if (g->tab[CP_AGW_KIND_TCP].ctx[k].id != 0)
			door[g->tab[CP_AGW_KIND_TCP].ctx[k].door]++;
	for (unsigned int d = 0; d < CP_AGW_DOORS; d++)
		assert_int_equal(cp_agw_live(g, d, TP_CONF_MAX_TENANTS + 1), door[d]);
	assert_int_equal(cp_agw_live(g, CP_AGW_DOORS, TP_CONF_MAX_TENANTS + 1),
			 g->tab[CP_AGW_KIND_TCP].total);
}

/* A create past a quota: -ENOSPC, the quota named, nothing made or sent. */
static void
assert_refused(enum cp_agw_door door, unsigned int tenant, const char *named)
{
	static struct ipc_msg m;
	struct cp_agw_leg_spec s[2];
	struct cp_agw_ctx *c = NULL;
	uint32_t total = cp.agw->tab[CP_AGW_KIND_TCP].total;
	char err[256];

	spec_client(&s[0], 20, 5060);
	memset(&s[1], 0, sizeof(s[1]));
	assert_int_equal(cp_agw_create(&cp, tcp2(s), 0, NULL, door, tenant, &c, err,
				       sizeof(err)), -ENOSPC);
	if (strstr(err, named) == NULL)
		fail_msg("\"%s\" does not name %s", err, named);
	assert_int_equal(cp.agw->tab[CP_AGW_KIND_TCP].total, total);
	assert_false(to_dp(0, &m) || to_dp(1, &m));
}

/* agw.quota { api 3, iq 1, default_tenant 2 }, mvno-a's agw_contexts 1:
 * each refuses the creates of its own door or tenant only, counted by
 * which; a context counts until dp's RELEASED; the counts stay those of
 * the table through dp's restart and a restarted cp's AGW_STATE. */
static void
test_cp_agw_quota_per_door_and_tenant(void **state)
{
	static struct ipc_msg m;
	struct ipc_agw_state *x = (struct ipc_agw_state *)(void *)m.body;
	const struct cp_agw_caller api0 = { .door = CP_AGW_DOOR_API, .tenant = 0 };
	struct cp_agw_leg_spec b;
	struct cp_agw_ctx *iq, *t0;
	uint64_t id;
	char err[256];

	(void)state;
	iq = make(CP_AGW_DOOR_IQ, 0);                   /* iq 1, default 1 */
	assert_refused(CP_AGW_DOOR_IQ, 0, "agw.quota.iq 1");
	assert_refused(CP_AGW_DOOR_IQ, 2, "agw.quota.iq");   /* (the door's, any tenant's) */
	make(CP_AGW_DOOR_API, 1);                       /* api 1, mvno-a 1 */
	assert_refused(CP_AGW_DOOR_API, 1, "tenant 'mvno-a' holds 1 live contexts");
	t0 = make(CP_AGW_DOOR_API, 0);                  /* api 2, default 2 */
	assert_refused(CP_AGW_DOOR_API, 0, "agw.quota.default_tenant 2");
	make(CP_AGW_DOOR_API, 2);                       /* api 3, ent-b 1 (no quota) */
	assert_refused(CP_AGW_DOOR_API, 2, "agw.quota.api 3");
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_QUOTA_IQ], 2);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_QUOTA_TENANT], 2);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_QUOTA_API], 1);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_REFUSED], 0);
	assert_counts_exact();
	while (to_dp(0, &m) || to_dp(1, &m))
		;
	/* a context being released still holds its slot: counted until dp's
	 * RELEASED, then the door is free again, the other door still full */
	id = iq->id;
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	assert_true(to_dp(iq->worker, &m));
	assert_refused(CP_AGW_DOOR_IQ, 0, "agw.quota.iq");
	dp_event(id, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, IPC_AGW_CONTROLLER, 0);
	assert_counts_exact();
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOOR_IQ, TP_CONF_MAX_TENANTS + 1), 0);
	iq = make(CP_AGW_DOOR_IQ, 0);                   /* iq 1, default 2 */
	assert_refused(CP_AGW_DOOR_API, 2, "agw.quota.api");
	/* the last leg's subtraction releases too */
	id = t0->id;
	assert_int_equal(cp_agw_subtract(&cp, &api0, id, 0, err, sizeof(err)), 0);
	assert_true(to_dp(t0->worker, &m));
	dp_event(id, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, IPC_AGW_CONTROLLER, 0);
	assert_counts_exact();
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOORS, 0), 1);
	/* dp restarted: every context gone, every count 0 */
	cp_agw_dp_restart(&cp);
	assert_counts_exact();
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOORS, TP_CONF_MAX_TENANTS + 1), 0);
	/* a restarted cp: dp's AGW_STATE gives each context back with its
	 * door and tenant (here into the table dp's restart emptied, as a
	 * fresh cp's is), and the quotas hold as before */
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_STATE;
	m.h.body_len = sizeof(*x);
	spec_client(&b, 22, 5060);
	x->ctx.term[0] = b.term;
	x->ctx.term[0].local.family = 4;
	x->ctx.term[0].local.ip[0] = 10;
	x->ctx.term[0].local.ip[1] = 1;
	x->ctx.term[0].local.ip[3] = 1;
	x->ctx.term[0].serial = 1;
	x->leg[0].state = 1;
	m.h.worker = 0;
	m.h.alloc_id = ipc_conn_make(0, 2, 5);
	x->ctx.term[0].door = CP_AGW_DOOR_API;
	x->ctx.term[0].tenant = 1;
	cp_handle(&cp, 0, &m);
	m.h.worker = 1;
	m.h.alloc_id = ipc_conn_make(1, 3, 5);
	x->ctx.term[0].door = CP_AGW_DOOR_IQ;
	x->ctx.term[0].tenant = 0;
	cp_handle(&cp, 1, &m);
	/* ... once only: a repeat changes nothing; another context in a slot
	 * this cp thought taken takes its place in the counts */
	cp_handle(&cp, 1, &m);
	assert_counts_exact();
	assert_int_equal(cp.agw->tab[CP_AGW_KIND_TCP].total, 2);
	assert_refused(CP_AGW_DOOR_API, 1, "tenant 'mvno-a'");
	assert_refused(CP_AGW_DOOR_IQ, 0, "agw.quota.iq");
	m.h.alloc_id = ipc_conn_make(1, 3, 6);
	x->ctx.term[0].door = CP_AGW_DOOR_API;
	cp_handle(&cp, 1, &m);
	assert_counts_exact();
	assert_int_equal(cp.agw->tab[CP_AGW_KIND_TCP].total, 2);
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOOR_IQ, TP_CONF_MAX_TENANTS + 1), 0);
	make(CP_AGW_DOOR_IQ, 0);
	assert_counts_exact();
}

/* agw.quota.ng 1: the ng door's second context refused whatever its
 * tenant, named and counted as the ng door's; the JSON and Iq doors still
 * create; once the first is released the door creates again. */
static void
test_cp_agw_quota_ng(void **state)
{
	static struct ipc_msg m;
	struct cp_agw_ctx *ng;
	uint64_t id;
	char err[256];

	(void)state;
	ng = make(CP_AGW_DOOR_NG, 0);
	assert_refused(CP_AGW_DOOR_NG, 0, "the ng (rtpengine's protocol) door holds 1 live "
		       "contexts, its quota (agw.quota.ng 1)");
	assert_refused(CP_AGW_DOOR_NG, 1, "agw.quota.ng 1");
	make(CP_AGW_DOOR_API, 0);
	make(CP_AGW_DOOR_IQ, 1);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_QUOTA_NG], 2);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_QUOTA_API] +
			 cp.agw->stats[CP_AGW_STAT_QUOTA_IQ] +
			 cp.agw->stats[CP_AGW_STAT_QUOTA_TENANT], 0);
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOOR_NG, TP_CONF_MAX_TENANTS + 1), 1);
	assert_counts_exact();
	id = ng->id;
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	assert_true(to_dp(ng->worker, &m));
	dp_event(id, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, IPC_AGW_CONTROLLER, 0);
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOOR_NG, TP_CONF_MAX_TENANTS + 1), 0);
	make(CP_AGW_DOOR_NG, 1);
	assert_counts_exact();
}

/* A door's name is cp_agw_door_name()'s, the same in a context's JSON,
 * an event's and status's contexts_by_door, which has a member for each
 * door; past the last door, "unknown". */
static void
test_cp_agw_door_names(void **state)
{
	static struct ipc_msg m;
	struct json_object *resp, *list, *st, *by;
	const char *error;
	struct cp_agw_ctx *c;

	(void)state;
	assert_string_equal(cp_agw_door_name(CP_AGW_DOOR_API), "api");
	assert_string_equal(cp_agw_door_name(CP_AGW_DOOR_IQ), "iq");
	assert_string_equal(cp_agw_door_name(CP_AGW_DOOR_NG), "ng");
	assert_string_equal(cp_agw_door_name(CP_AGW_DOORS), "unknown");
	assert_string_equal(cp_agw_door_name(255), "unknown");
	memset(&api, 0, sizeof(api));
	cp.api = &api;
	assert_int_equal(cp_agw_register(&cp), 0);
	c = make(CP_AGW_DOOR_NG, 1);
	make(CP_AGW_DOOR_IQ, 0);
	while (to_dp(0, &m) || to_dp(1, &m))
		;
	assert_int_equal(json_cmd("agw.show", CP_API_ROLE_OPERATOR, req_of("{\"id\": %llu}", c->id),
				  &resp, &error), 0);
	assert_string_equal(member_str(resp, "door"), "ng");
	assert_string_equal(member_str(resp, "tenant"), "mvno-a");
	json_object_put(resp);
	/* the ng door's context is no other door's, nor the JSON door's
	 * controller's of its tenant */
	assert_int_equal(json_cmd("agw.show", CP_API_ROLE_CONTROLLER,
				  req_of("{\"id\": %llu, \"tenant\": \"mvno-a\"}", c->id), &resp,
				  &error), -ENOENT);
	json_object_put(resp);
	dp_event(c->id, IPC_AGW_EV_LEG_UP, 0, 0, 1);
	assert_int_equal(json_cmd("agw.events", CP_API_ROLE_OPERATOR, "{}", &resp, &error), 0);
	assert_true(json_object_object_get_ex(resp, "events", &list));
	assert_int_equal(json_object_array_length(list), 1);
	assert_string_equal(member_str(json_object_array_get_idx(list, 0), "door"), "ng");
	json_object_put(resp);
	st = cp_agw_status(&cp);
	assert_non_null(st);
	assert_true(json_object_object_get_ex(st, "contexts_by_door", &by));
	assert_int_equal(json_object_object_length(by), CP_AGW_DOORS);
	assert_int_equal(member_int(by, "api"), 0);
	assert_int_equal(member_int(by, "iq"), 1);
	assert_int_equal(member_int(by, "ng"), 1);
	assert_int_equal(member_int(st, "refused_quota_ng"), 0);
	json_object_put(st);
}

/* No quota configured: every door and tenant up to the slots. */
static void
test_cp_agw_no_quota_by_default(void **state)
{
	(void)state;
	for (unsigned int k = 0; k < 9; k++)
		make((enum cp_agw_door)(k % CP_AGW_DOORS), k / 3);
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOOR_NG, TP_CONF_MAX_TENANTS + 1), 3);
	assert_counts_exact();
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_QUOTA_API] + cp.agw->stats[CP_AGW_STAT_QUOTA_IQ] +
			 cp.agw->stats[CP_AGW_STAT_QUOTA_NG] +
			 cp.agw->stats[CP_AGW_STAT_QUOTA_TENANT], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cp_agw_legs_one_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_add_refused_by_dp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_rules_for_every_door, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_modify_narrows_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_state_one_leg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_tenant_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_confined_to_door_and_tenant, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_json_door_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_quota_per_door_and_tenant, setup_quota,
						teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_quota_ng, setup_quota_ng, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_door_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_agw_no_quota_by_default, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
