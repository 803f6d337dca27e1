/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's C API, the one both doors (the operator API's JSON, H.248's
 * cp/iq) call, with a real (private) ring segment standing for dp: what
 * it sends dp is read back from the worker's ring, dp's events go in
 * through cp_agw_event().
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
#include "ipc.h"
#include "policy/policy.h"
#include "steer.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static char conf_path[128], seg_name[64];

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; setup_timeout = 5; };\n"
	"tenants = ( { name = \"mvno-a\"; realm = \"a.test\"; addresses = [\"10.0.0.11\"]; } );\n";

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
	/* dp runs, with the gateway */
	shm = cp.seg.shm;
	shm->dp_epoch = 1;
	shm->dp_heartbeat_ms = cp.now_ms;
	atomic_store(&shm->dp_ready, 1);
	ipc_side_set_agw(&shm->dp_side, 20000, 20099);
	ipc_side_publish(&shm->dp_side, IPC_CAP_AGW, 0, 0, 2);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
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
	cp_agw_event(&cp, m.h.worker, &m);
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
observer(struct cp_ctx *c, const struct cp_agw_ctx *x, const struct ipc_agw_event *e, void *arg)
{
	assert_ptr_equal(c, &cp);
	assert_ptr_equal(arg, &heard);
	if (heard.n < 16) {
		heard.type[heard.n] = e->type;
		heard.leg_state[heard.n][0] = x->leg_state[0];
		heard.leg_state[heard.n][1] = x->leg_state[1];
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
	assert_int_equal(cp_agw_observe(&cp, observer, &heard), 0);
	spec_server(&s[0], "10.0.0.7");
	memset(&s[1], 0, sizeof(s[1]));
	assert_int_equal(cp_agw_create(&cp, s, CP_AGW_SETUP_DEFAULT, "ue-7", CP_AGW_DOOR_IQ, 0, &c,
				       err, sizeof(err)), 0);
	id = c->id;
	assert_int_equal(c->door, CP_AGW_DOOR_IQ);
	assert_int_equal(c->leg_state[1], CP_AGW_LEG_EMPTY);
	assert_ptr_equal(cp_agw_lookup(&cp, id), c);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_AGW_ADD);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(x->term[1].tcp_role, IPC_AGW_TCP_NONE);
	assert_int_equal(x->term[0].serial, 1);
	assert_int_equal(x->setup_ms, 5000);
	p0 = x->term[0].local.port;
	assert_true(port_taken(p0));
	dp_event(id, IPC_AGW_EV_LEG_UP, 0, 0, 1);
	assert_int_equal(c->leg_state[0], CP_AGW_LEG_UP);
	assert_int_equal(c->state, CP_AGW_ACTIVE);

	/* the second: a server leg, its port from the same worker's share */
	spec_server(&b, "10.1.0.9");
	assert_int_equal(cp_agw_add_leg(&cp, id, CP_AGW_LEG_ANY, &b, 2000, &got, err,
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
	assert_int_equal(c->leg_state[1], CP_AGW_LEG_WAITING);
	/* a slot that holds one takes no other */
	assert_int_equal(cp_agw_add_leg(&cp, id, 1, &b, 0, NULL, err, sizeof(err)), -EBUSY);
	assert_int_equal(cp_agw_add_leg(&cp, id, CP_AGW_LEG_ANY, &b, 0, NULL, err, sizeof(err)),
			 -EBUSY);
	assert_false(to_dp(c->worker, &m));
	dp_event(id, IPC_AGW_EV_LEG_UP, 1, 0, 2);
	assert_int_equal(c->leg_state[1], CP_AGW_LEG_UP);

	/* subtract leg 1: its slot is empty at once, its port free */
	assert_int_equal(cp_agw_subtract_leg(&cp, id, 1, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(md->op, IPC_AGW_SUB_LEG);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(c->leg_state[1], CP_AGW_LEG_EMPTY);
	assert_false(port_taken(p1));
	assert_int_equal(c->state, CP_AGW_ACTIVE);
	/* another termination joins before dp's SUBTRACTED of the old one */
	spec_client(&b, 20, 5060);
	assert_int_equal(cp_agw_add_leg(&cp, id, 1, &b, CP_AGW_SETUP_DEFAULT, NULL, err,
					sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(md->term.serial, 3);
	assert_int_equal(md->setup_ms, 5000);
	/* (cp chose the source address by the route) */
	assert_int_equal(md->term.local.ip[1], 1);
	dp_event(id, IPC_AGW_EV_SUBTRACTED, 1, IPC_AGW_CONTROLLER, 2);
	assert_int_equal(c->leg_state[1], CP_AGW_LEG_WAITING);     /* (the new one's) */
	assert_int_equal(c->term[1].tcp_role, IPC_AGW_TCP_CLIENT);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_EVENTS_STALE], 1);
	dp_event(id, IPC_AGW_EV_LEG_UP, 1, 0, 3);
	assert_int_equal(c->leg_state[1], CP_AGW_LEG_UP);

	/* the last: subtracting 1 then 0 releases */
	assert_int_equal(cp_agw_subtract_leg(&cp, id, 1, err, sizeof(err)), 0);
	assert_int_equal(cp_agw_subtract_leg(&cp, id, 1, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "has no termination"));
	assert_int_equal(cp_agw_subtract_leg(&cp, id, 0, err, sizeof(err)), 0);
	assert_int_equal(c->state, CP_AGW_RELEASING);
	assert_false(port_taken(p0));
	assert_int_equal(cp_agw_add_leg(&cp, id, 0, &s[0], 0, NULL, err, sizeof(err)),
			 -ESHUTDOWN);
	dp_event(id, IPC_AGW_EV_SUBTRACTED, 1, IPC_AGW_CONTROLLER, 3);
	dp_event(id, IPC_AGW_EV_SUBTRACTED, 0, IPC_AGW_CONTROLLER, 1);
	dp_event(id, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, IPC_AGW_CONTROLLER, 0);
	assert_null(cp_agw_lookup(&cp, id));
	assert_int_equal(cp.agw->total, 0);
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
	assert_int_equal(cp_agw_create(&cp, s, 0, NULL, CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	id = c->id;
	assert_true(to_dp(c->worker, &m));
	spec_server(&s[0], NULL);
	s[0].term.tls_role = IPC_AGW_TLS_NONE;
	s[0].accept_any = true;
	assert_int_equal(cp_agw_add_leg(&cp, id, 0, &s[0], 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(c->leg_state[0], CP_AGW_LEG_WAITING);
	dp_event(id, IPC_AGW_EV_SUBTRACTED, 0, IPC_AGW_SETUP_FAILED, 2);
	assert_int_equal(c->leg_state[0], CP_AGW_LEG_EMPTY);
	assert_int_equal(c->term[0].tcp_role, IPC_AGW_TCP_NONE);
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
	assert_int_equal(cp_agw_create(&cp, s, 0, NULL, CP_AGW_DOOR_IQ, 0, &c, err, sizeof(err)),
			 -EACCES);
	assert_non_null(strstr(err, "refused by agw.peers"));
	/* a plain server leg without remote, unless accept_any */
	spec_server(&s[0], NULL);
	assert_int_equal(cp_agw_create(&cp, s, 0, NULL, CP_AGW_DOOR_IQ, 0, &c, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "needs \"remote\""));
	/* no leg at all is a context too */
	assert_int_equal(cp_agw_create(&cp, NULL, 0, NULL, CP_AGW_DOOR_IQ, 0, &c, err, sizeof(err)),
			 0);
	id = c->id;
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	/* the same rules at add */
	spec_server(&b, "10.9.0.1");
	assert_int_equal(cp_agw_add_leg(&cp, id, 0, &b, 0, NULL, err, sizeof(err)), -EACCES);
	spec_client(&b, 20, 0);
	assert_int_equal(cp_agw_add_leg(&cp, id, 0, &b, 0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs \"remote\""));
	spec_server(&b, "10.0.0.7");
	b.term.local.port = 20099;            /* (worker 1's share) */
	if (c->worker == 1)
		b.term.local.port = 20000;
	assert_int_equal(cp_agw_add_leg(&cp, id, 0, &b, 0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "share of agw.ports"));
	assert_false(to_dp(c->worker, &m));
	/* and at modify: the remote through agw.peers; sha-1 alone refused */
	spec_server(&b, "10.0.0.7");
	assert_int_equal(cp_agw_add_leg(&cp, id, 0, &b, 0, NULL, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.ip[0] = 10;
	r.ip[1] = 9;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mr, err, sizeof(err)), -EACCES);
	memset(&fp, 0, sizeof(fp));
	fp.alg = 1;
	fp.len = 20;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mf, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "without TLS"));
	assert_false(to_dp(c->worker, &m));
	r.ip[1] = 0;
	r.ip[3] = 8;
	r.port = 4444;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mr, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(((const struct ipc_agw_mod *)(const void *)m.body)->op, IPC_AGW_MOD_LEG);
	assert_int_equal(((const struct ipc_agw_mod *)(const void *)m.body)->term.remote.port, 4444);
	assert_int_equal(c->term[0].remote.port, 4444);
	assert_int_equal(cp_agw_modify_leg(&cp, id, 1, &mr, err, sizeof(err)), -ENOENT);
	assert_int_equal(cp_agw_modify_leg(&cp, id + 1, 0, &mr, err, sizeof(err)), -ENOENT);
	assert_int_equal(cp_agw_release(&cp, id, err, sizeof(err)), 0);
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mr, err, sizeof(err)),
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
	assert_int_equal(cp_agw_create(&cp, s, 0, NULL, CP_AGW_DOOR_IQ, 0, &c, err, sizeof(err)),
			 0);
	id = c->id;
	assert_true(to_dp(c->worker, &m));

	/* a fingerprint of the modify's own: refused, nothing to dp */
	memset(&mod, 0, sizeof(mod));
	mod.fp = &mine;
	mod.nfp = 1;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mod, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "not signalled"));
	mod.fp = (struct ipc_agw_fp[]){ two[0], mine };
	mod.nfp = 2;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mod, err, sizeof(err)), -EPERM);
	/* with a new remote too */
	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.ip[0] = 10;
	r.ip[3] = 66;
	mod.remote = &r;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mod, err, sizeof(err)), -EPERM);
	/* on a plain leg: fingerprints are refused as before */
	mod.remote = NULL;
	mod.fp = &mine;
	mod.nfp = 1;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 1, &mod, err, sizeof(err)), -EINVAL);
	assert_false(to_dp(c->worker, &m));
	assert_int_equal(c->term[0].nfp, 2);
	assert_int_equal(c->term[0].fp[1].md[0], 0xb2);

	/* the waiting TLS leg: its remote moved, its fingerprints narrowed
	 * to one of the Add's */
	mod.remote = &r;
	mod.fp = &two[1];
	mod.nfp = 1;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mod, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(md->op, IPC_AGW_MOD_LEG);
	assert_int_equal(md->term.nfp, 1);
	assert_int_equal(md->term.fp[0].md[0], 0xb2);
	assert_int_equal(md->term.remote.ip[3], 66);
	/* the one dropped does not come back */
	mod.remote = NULL;
	mod.fp = &two[0];
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mod, err, sizeof(err)), -EPERM);

	/* the UE connected and proved to be the peer: its remote and
	 * fingerprints stay; the same ones and DSCP may still be given */
	dp_event(id, IPC_AGW_EV_LEG_UP, 0, 0, c->term[0].serial);
	assert_int_equal(c->leg_state[0], CP_AGW_LEG_UP);
	r.ip[3] = 67;
	memset(&mod, 0, sizeof(mod));
	mod.remote = &r;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mod, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "connected"));
	r.ip[3] = 66;
	mod.fp = &two[1];
	mod.nfp = 1;
	mod.dscp_set = true;
	mod.dscp = 46;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 0, &mod, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(md->term.dscp, 46);
	/* a plain leg that is up may still have its remote recorded anew */
	dp_event(id, IPC_AGW_EV_LEG_UP, 1, 0, c->term[1].serial);
	memset(&mod, 0, sizeof(mod));
	r.ip[1] = 1;
	r.ip[3] = 10;
	mod.remote = &r;
	assert_int_equal(cp_agw_modify_leg(&cp, id, 1, &mod, err, sizeof(err)), 0);
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
	cp_agw_state(&cp, 1, &m);
	c = cp_agw_lookup(&cp, id);
	assert_non_null(c);
	assert_int_equal(c->leg_state[0], CP_AGW_LEG_EMPTY);
	assert_int_equal(c->leg_state[1], CP_AGW_LEG_UP);
	assert_true(port_taken(20090));
	/* a termination added now gets a serial past dp's */
	spec_client(&b, 20, 5060);
	assert_int_equal(cp_agw_add_leg(&cp, id, CP_AGW_LEG_ANY, &b, 0, NULL, err, sizeof(err)),
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
	assert_int_equal(cp_agw_create(&cp, s, 0, NULL, CP_AGW_DOOR_API, 2, &c, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "tenant 2"));
	assert_int_equal(cp.agw->total, 0);
	assert_false(to_dp(0, &m) || to_dp(1, &m));
	assert_int_equal(cp_agw_create(&cp, s, 0, NULL, CP_AGW_DOOR_API, 1, &c, err, sizeof(err)),
			 0);
	id = c->id;
	assert_int_equal(c->tenant, 1);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_AGW_ADD);
	assert_int_equal(((const struct ipc_agw_ctx *)(const void *)m.body)->term[0].tenant, 1);
	spec_client(&b, 21, 5060);
	assert_int_equal(cp_agw_add_leg(&cp, id, 1, &b, 0, NULL, err, sizeof(err)), 0);
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
	cp_agw_state(&cp, 0, &m);
	c = cp_agw_lookup(&cp, id2);
	assert_non_null(c);
	assert_int_equal(c->tenant, 1);
	cp_agw_by_tenant(&cp, by, 3);
	assert_int_equal(by[0], 0);
	assert_int_equal(by[1], 2);
	assert_int_equal(by[2], 0);
	/* one from a configuration with a tenant since gone: the default's */
	m.h.alloc_id = ipc_conn_make(0, 6, 3);
	x->ctx.term[0].tenant = 9;
	cp_agw_state(&cp, 0, &m);
	c = cp_agw_lookup(&cp, m.h.alloc_id);
	assert_non_null(c);
	assert_int_equal(c->tenant, 0);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
