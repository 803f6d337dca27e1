/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's RTP contexts (cp_agw_rtp.h) with a real (private) ring segment
 * standing for dp: what cp sends is read back from the worker's ring,
 * dp's RTP_EVENT, RTP_STATS and RTP_STATE go in through cp/agw's handlers.
 *
 * A two-termination context (RTP_ADD on the least loaded worker, ports
 * even with RTCP the next in that worker's share, the access and core
 * addresses, our SRTP key generated, the remote's kept); ids never equal
 * to a TCP context's; modify, subtract (ports free at once, SUBTRACTED's
 * figures to the observers), release (RELEASED frees the slot, the keys
 * wiped); statistics asked and answered; quotas shared with the TCP
 * contexts; caller confinement; a restarted cp's RTP_STATE; a restarted
 * dp's contexts installed again with the latched remote and the SRTP
 * index carried on; a door's reply held until each worker its request
 * changed answered a FENCE sent after the change (cp_agw_when_held():
 * nothing held for a request that changed nothing or a dp without
 * IPC_CAP_FENCE, each hold its own workers, the bound, dp's restart, a
 * FENCE_DONE of the cp before or never asked for, a ring with no room for
 * the FENCE, the table full); the SRTP keys rule (RFC 3711 section 9.1:
 * no key for two streams, none taken again); DTLS-SRTP (cp_agw_rtp.h's
 * rule: each role, the fingerprints, our certificate's two generations,
 * RFC 8842's associations; dp's RTP_DTLS applied, its keys kept for a
 * restarted dp, a stale one ignored, the body wiped, the observers, the
 * log, the metrics; a restarted cp's).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cp.h"
#include "agw/agw_internal.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "ipc.h"
#include "policy/policy.h"
#include "steer.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static const struct cp_agw_caller op = { .is_operator = true };
static char conf_path[128], seg_name[64];
static const char *conf_agw = "";
static uint64_t setup_epoch;
static uint64_t dp_caps = IPC_CAP_AGW | IPC_CAP_RTP;

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
	"    relay_ipv4 = [\"10.1.0.50\"]; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; media_ports = [40000, 40019];\n"
	"  media_contexts = 4; %s };\n"
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
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-agw-rtp-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-agw-rtp-%d", (int)getpid());
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fprintf(f, conf_text, seg_name, conf_agw);
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
	cp.epoch = setup_epoch;
	assert_int_equal(cp_agw_init(&cp), 0);
	assert_non_null(cp.agw->rtp);
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
	ipc_side_set_media(&shm->dp_side, 40000, 40019);
	ipc_side_publish(&shm->dp_side, dp_caps, 0, 0, 2);
	return 0;
}

/* A dp that answers FENCE (IPC_CAP_FENCE), and a cp of epoch 5: its
 * FENCEs are numbered from 5 << 32. */
static int
setup_fence(void **state)
{
	setup_epoch = 5;
	dp_caps |= IPC_CAP_FENCE;
	return setup(state);
}

static int
setup_quota(void **state)
{
	conf_agw = "quota = { api = 2; ng = 1; };";
	return setup(state);
}

static int
teardown(void **state)
{
	(void)state;
	conf_agw = "";
	setup_epoch = 0;
	dp_caps = IPC_CAP_AGW | IPC_CAP_RTP;
	cp_agw_fini(&cp);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	tp_conf_free(&conf);
	unlink(conf_path);
	return 0;
}

static bool
to_dp(unsigned int w, struct ipc_msg *m)
{
	return ipc_ring_dequeue(&ipc_worker(&cp.seg, w)->to_dp, m) == 1;
}

static void
drain(void)
{
	struct ipc_msg m;

	for (unsigned int w = 0; w < 2; w++)
		while (to_dp(w, &m))
			;
}

static void
ip4(struct ipc_addr *a, const char *s, uint16_t port)
{
	unsigned int b[4];

	memset(a, 0, sizeof(*a));
	assert_int_equal(sscanf(s, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]), 4);
	a->family = 4;
	for (unsigned int i = 0; i < 4; i++)
		a->ip[i] = (uint8_t)b[i];
	a->port = port;
}

/* An RTP/AVP termination (SAVP with keys when srtp) on side, remote r. */
static void
spec_rtp(struct cp_agw_rtp_spec *s, uint8_t side, const char *r, uint16_t port, bool srtp)
{
	memset(s, 0, sizeof(*s));
	s->side = side;
	s->term.profile = srtp ? IPC_RTP_SAVP : IPC_RTP_AVP;
	s->term.mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	s->term.latch = IPC_RTP_LATCH_RELATCH;
	if (r != NULL)
		ip4(&s->term.remote, r, port);
	if (srtp) {
		s->term.srtp_rx.suite = 1;               /* AES_CM_128_HMAC_SHA1_80 */
		s->term.srtp_rx.key_len = 30;
		memset(s->term.srtp_rx.key, 0xab, 30);
		s->term.srtp_tx.suite = 1;               /* ours: cp makes it */
	}
}

static void
event(uint64_t id, unsigned int w, const struct ipc_rtp_event *e)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_EVENT;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*e);
	memcpy(m.body, e, sizeof(*e));
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, w, &m);
}

/* Terminations as the C API takes them: two RTP ones for cp_agw_create(),
 * one for cp_agw_add(), a modify for cp_agw_modify(), two TCP legs. */
static const struct cp_agw_spec *
rtp2(const struct cp_agw_rtp_spec *s)
{
	static struct cp_agw_spec x[2];

	for (unsigned int i = 0; i < 2; i++) {
		x[i].kind = CP_AGW_KIND_RTP;
		x[i].rtp = s[i];
	}
	return x;
}

static const struct cp_agw_spec *
rtp1(const struct cp_agw_rtp_spec *s)
{
	static struct cp_agw_spec x;

	x.kind = CP_AGW_KIND_RTP;
	x.rtp = *s;
	return &x;
}

static const struct cp_agw_mod *
rmod(const struct cp_agw_rtp_mod *m)
{
	static struct cp_agw_mod x;

	x.kind = CP_AGW_KIND_RTP;
	x.rtp = *m;
	return &x;
}

static const struct cp_agw_spec *
tcp2(const struct cp_agw_leg_spec *s)
{
	static struct cp_agw_spec x[2];

	for (unsigned int i = 0; i < 2; i++) {
		x[i].kind = CP_AGW_KIND_TCP;
		x[i].tcp = s[i];
	}
	return x;
}

static void
released(const struct cp_agw_ctx *c)
{
	struct ipc_rtp_event e;
	uint64_t id = c->id;
	unsigned int w = c->worker;

	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_RELEASED;
	e.term = IPC_RTP_TERM_NONE;
	e.cause = IPC_AGW_CONTROLLER;
	event(id, w, &e);
}

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* What the observer heard last. */
static struct ipc_rtp_event heard;
static unsigned int nheard;

static void
obs(struct cp_ctx *c, const struct cp_agw_ctx *x, const void *ev, void *arg)
{
	const struct ipc_rtp_event *e = ev;

	(void)c;
	(void)x;
	(void)arg;
	heard = *e;
	nheard++;
}

static void
test_create_ports_keys(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	struct ipc_msg m;
	const struct ipc_rtp_ctx *x;
	uint16_t lo, hi;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], CP_AGW_RTP_SIDE_ACCESS, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], CP_AGW_RTP_SIDE_CORE, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, "call-1",
				       CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	assert_true(cp_agw_id_is_rtp(c->id));
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	assert_int_equal(m.h.alloc_id, c->id);
	x = (const void *)m.body;
	assert_true(steer_relay_share(40000, 40019, 2, c->worker, &lo, &hi));
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(x->term[i].local.port % 2, 0);
		assert_int_equal(x->term[i].rtcp_port, x->term[i].local.port + 1);
		assert_in_range(x->term[i].local.port, lo, hi);
		assert_in_range(x->term[i].rtcp_port, lo, hi);
		assert_int_equal(x->term[i].serial, i + 1);
	}
	/* the access port's address for the UE, the relayed one for the core */
	assert_memory_equal(x->term[0].local.ip, "\x0a\x00\x00\x01", 4);
	assert_memory_equal(x->term[1].local.ip, "\x0a\x01\x00\x32", 4);
	/* our key made (30 octets, not the remote's), the remote's kept */
	assert_int_equal(x->term[0].srtp_tx.key_len, 30);
	assert_false(all_zero(x->term[0].srtp_tx.key, 30));
	assert_memory_not_equal(x->term[0].srtp_tx.key, x->term[0].srtp_rx.key, 30);
	assert_memory_equal(c->rtp.term[0].srtp_tx.key, x->term[0].srtp_tx.key, 30);
	assert_int_equal(x->term[1].srtp_tx.suite, 0);
	/* the next context goes to the other worker (least loaded) */
	{
		struct cp_agw_ctx *d = NULL;

		spec_rtp(&spec[0], 0, "10.0.0.8", 5004, false);
		assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
					       CP_AGW_DOOR_API, 0, &d, err, sizeof(err)), 0);
		assert_int_not_equal(d->worker, c->worker);
		/* a port the door fixes that another holds: -EBUSY, nothing taken */
		spec_rtp(&spec[0], 0, "10.0.0.9", 5004, false);
		spec[0].term.local = c->rtp.term[0].local;
		assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
					       CP_AGW_DOOR_API, 0, NULL, err, sizeof(err)), -EBUSY);
	}
	/* a key of the wrong length never reaches dp */
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec[0].term.srtp_rx.key_len = 29;
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, NULL, err, sizeof(err)), -EINVAL);
	/* a remote agw.peers refuses */
	spec_rtp(&spec[0], 0, "127.0.0.2", 5004, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, NULL, err, sizeof(err)), -EACCES);
	assert_int_equal(cp.agw->tab[CP_AGW_KIND_RTP].total, 2);
}

static void
test_ids_apart(void **state)
{
	struct cp_agw_leg_spec t[2];
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *tc = NULL;
	struct cp_agw_ctx *rc = NULL;
	char err[256];

	(void)state;
	memset(t, 0, sizeof(t));
	t[0].term.tcp_role = IPC_AGW_TCP_SERVER;
	t[0].accept_any = true;
	ip4(&t[0].term.local, "10.0.0.1", 0);
	assert_int_equal(cp_agw_create(&cp, tcp2(t), 0, NULL, CP_AGW_DOOR_API, 0, &tc, err,
				       sizeof(err)), 0);
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, false);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &rc, err, sizeof(err)), 0);
	/* the same worker and slot 0 each, the same generation count: never
	 * the same id */
	assert_int_equal(ipc_conn_slot(tc->id), ipc_conn_slot(rc->id));
	assert_int_not_equal(tc->id, rc->id);
	assert_false(cp_agw_id_is_rtp(tc->id));
	assert_true(cp_agw_id_is_rtp(rc->id));
	assert_ptr_not_equal(cp_agw_lookup(&cp, &op, rc->id), tc);
	assert_ptr_not_equal(cp_agw_lookup(&cp, &op, tc->id), rc);
	/* a TCP slot's generation wraps below the bit */
	cp.agw->tab[CP_AGW_KIND_TCP].gen[(size_t)tc->worker *
					 cp.agw->tab[CP_AGW_KIND_TCP].per_worker + 1] = 0x7fffffffu;
	cp.agw->tab[CP_AGW_KIND_TCP].cursor[tc->worker] = 1;
	{
		struct cp_agw_ctx *t2 = NULL;

		t[0].term.local.port = 0;
		assert_int_equal(cp_agw_create(&cp, tcp2(t), 0, NULL, CP_AGW_DOOR_API, 0, &t2, err,
					       sizeof(err)), 0);
		if (ipc_conn_slot(t2->id) == 1)
			assert_false(cp_agw_id_is_rtp(t2->id));
	}
}

static void
test_modify_subtract_release(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	struct ipc_rtp_stats last;
	struct ipc_rtp_event e;
	struct ipc_addr nr;
	struct ipc_msg m;
	uint16_t port0, port1;
	uint64_t id;
	unsigned int w, got;
	char err[256];
	size_t slot;

	(void)state;
	assert_int_equal(cp_agw_observe(&cp, CP_AGW_KIND_RTP, obs, NULL), 0);
	nheard = 0;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), 0);
	id = c->id;
	w = c->worker;
	slot = (size_t)w * cp.agw->tab[CP_AGW_KIND_RTP].per_worker + ipc_conn_slot(id);
	port0 = c->rtp.term[0].local.port;
	port1 = c->rtp.term[1].local.port;
	drain();
	/* a modify: the new remote, mode */
	ip4(&nr, "10.0.0.70", 7000);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .remote = &nr,
								 .mode_set = true,
								 .mode = IPC_RTP_MODE_RECV }),
				       err, sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_MOD);
	assert_int_equal(((const struct ipc_rtp_mod *)(const void *)m.body)->op, IPC_RTP_MOD_TERM);
	assert_int_equal(((const struct ipc_rtp_mod *)(const void *)m.body)->t.remote.port, 7000);
	/* a rekey is a subtract and an add */
	{
		struct ipc_srtp_key k = c->rtp.term[0].srtp_rx;

		k.key[0] ^= 1;
		assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
					       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx = &k }),
					       err, sizeof(err)), -EOPNOTSUPP);
	}
	/* a rekey in place (srtp_rx_new): RTP_MOD carries the new receive
	 * key without a position (dp carries its own on) and our key as it
	 * was, the same octets (dp keeps its send context); malformed, with
	 * srtp_rx too, or on a termination without SRTP: refused, nothing
	 * sent */
	{
		struct ipc_srtp_key k = c->rtp.term[0].srtp_rx, tx = c->rtp.term[0].srtp_tx;
		const struct ipc_rtp_mod *x = (const void *)m.body;

		k.key[0] ^= 1;
		k.nstreams = 1;
		k.stream[0].ssrc = 77;
		k.stream[0].roc = 3;
		k.stream[0].seq = 9;
		k.srtcp_index = 5;
		assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
					       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k,
									 .srtp_rx = &k }),
					       err, sizeof(err)), -EINVAL);
		assert_int_equal(cp_agw_modify(&cp, &op, id, 1,
					       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }),
					       err, sizeof(err)), -EINVAL);
		k.key_len = 29;
		assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
					       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }),
					       err, sizeof(err)), -EINVAL);
		assert_false(to_dp(w, &m));
		/* the key it holds under another suite or MKI is no new key:
		 * dp's new context would start SRTCP's replay window empty,
		 * every old SRTCP packet accepted again */
		{
			struct ipc_srtp_key same = c->rtp.term[0].srtp_rx;

			same.suite = 2;          /* AES_CM_128_HMAC_SHA1_32: 30 octets too */
			assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
						       rmod(&(struct cp_agw_rtp_mod){
							       .srtp_rx_new = &same }),
						       err, sizeof(err)), -EINVAL);
			same = c->rtp.term[0].srtp_rx;
			same.mki_len = 1;
			same.mki = 7;
			assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
						       rmod(&(struct cp_agw_rtp_mod){
							       .srtp_rx_new = &same }),
						       err, sizeof(err)), -EINVAL);
			assert_false(to_dp(w, &m));
			explicit_bzero(&same, sizeof(same));
		}
		k.key_len = 30;
		assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
					       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }),
					       err, sizeof(err)), 0);
		assert_true(to_dp(w, &m));
		assert_int_equal(x->op, IPC_RTP_MOD_TERM);
		assert_int_equal(x->t.srtp_rx.key_len, 30);
		assert_memory_equal(x->t.srtp_rx.key, k.key, 30);
		assert_int_equal(x->t.srtp_rx.nstreams, 0);
		assert_int_equal(x->t.srtp_rx.stream[0].ssrc, 0);
		assert_int_equal(x->t.srtp_rx.stream[0].roc, 0);
		assert_int_equal(x->t.srtp_rx.srtcp_index, 0);
		assert_memory_equal(&x->t.srtp_tx, &tx, sizeof(tx));
		assert_memory_equal(c->rtp.term[0].srtp_rx.key, k.key, 30);
		assert_memory_equal(&c->rtp.term[0].srtp_tx, &tx, sizeof(tx));
		/* the new key repeated: taken as the one held */
		assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
					       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx = &k }),
					       err, sizeof(err)), 0);
		assert_true(to_dp(w, &m));
		explicit_bzero(&k, sizeof(k));
		explicit_bzero(&tx, sizeof(tx));
	}
	/* LATCHED applied */
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_LATCHED;
	e.term = 0;
	e.serial = c->rtp.term[0].serial;
	ip4(&e.addr, "10.0.0.70", 31000);
	event(id, w, &e);
	assert_int_equal(c->rtp.st[0].rtp_src.port, 31000);
	assert_int_equal(nheard, 1);
	/* subtract termination 0: empty at once, its ports free, keys gone */
	last = c->rtp.st[0];
	assert_int_equal(cp_agw_subtract(&cp, &op, id, 0, err, sizeof(err)), 0);
	assert_int_equal(last.rtp_src.port, 31000);
	assert_int_equal(c->rtp.term[0].profile, IPC_RTP_NONE);
	assert_true(all_zero(&c->rtp.term[0], sizeof(c->rtp.term[0])));
	assert_true(to_dp(w, &m));
	assert_int_equal(((const struct ipc_rtp_mod *)(const void *)m.body)->op, IPC_RTP_SUB_TERM);
	/* a termination joins the slot, on the same worker */
	spec_rtp(&spec[0], 0, "10.0.0.8", 5004, false);
	assert_int_equal(cp_agw_add(&cp, &op, id, CP_AGW_ANY, rtp1(&spec[0]), CP_AGW_SETUP_DEFAULT,
				    &got, err, sizeof(err)), 0);
	assert_int_equal(got, 0);
	assert_int_equal(c->rtp.term[0].serial, 3);
	assert_true(to_dp(w, &m));
	assert_int_equal(((const struct ipc_rtp_mod *)(const void *)m.body)->op, IPC_RTP_ADD_TERM);
	assert_int_equal(steer_relay_owner(40000, 40019, 2, c->rtp.term[0].local.port), w);
	/* dp's SUBTRACTED for the old one: to the observers, not to the slot */
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_SUBTRACTED;
	e.term = 0;
	e.serial = 1;
	e.cause = IPC_AGW_CONTROLLER;
	e.st[0].serial = 1;
	e.st[0].rtp_in = 500;
	event(id, w, &e);
	assert_int_equal(heard.type, IPC_RTP_EV_SUBTRACTED);
	assert_int_equal(heard.st[0].rtp_in, 500);
	assert_int_equal(c->rtp.term[0].serial, 3);
	/* release: RTP_DEL, then RELEASED frees slot, ports, keys */
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_DEL);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1, rmod(&(struct cp_agw_rtp_mod){ 0 }), err,
				       sizeof(err)), -ESHUTDOWN);
	released(c);
	assert_int_equal(heard.type, IPC_RTP_EV_RELEASED);
	assert_null(cp_agw_lookup(&cp, &op, id));
	assert_true(all_zero(&cp.agw->tab[CP_AGW_KIND_RTP].ctx[slot],
			     sizeof(cp.agw->tab[CP_AGW_KIND_RTP].ctx[slot])));
	assert_int_equal(cp.agw->tab[CP_AGW_KIND_RTP].total, 0);
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOORS, TP_CONF_MAX_TENANTS + 1), 0);
	(void)port0;
	(void)port1;
	/* the ports are free: a context may take them again */
	for (unsigned int k = 0; k < 2 * 4; k++) {
		struct cp_agw_ctx *d = NULL;

		spec_rtp(&spec[0], 0, "10.0.0.7", 5004, false);
		spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
		assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
					       CP_AGW_DOOR_API, 0, &d, err, sizeof(err)), 0);
		drain();
		assert_int_equal(cp_agw_release(&cp, &op, d->id, err, sizeof(err)), 0);
		drain();
		released(d);
	}
}

static uint32_t st_rc_calls;
static int st_rc;
static uint64_t st_in;

static void
stats_cb(struct cp_ctx *c, uint64_t id, int rc, const struct ipc_rtp_stats st[2], void *arg)
{
	(void)c;
	(void)id;
	(void)arg;
	st_rc_calls++;
	st_rc = rc;
	st_in = st[0].rtp_in;
}

static void
test_stats_and_dp_restart(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	static struct ipc_msg m, a;
	struct ipc_rtp_stats_msg *s;
	const struct ipc_rtp_ctx *x;
	struct ipc_rtp_event e;
	uint32_t req = 0;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), 0);
	drain();
	assert_int_equal(cp_agw_rtp_stats(&cp, &op, c->id, stats_cb, NULL, &req, err, sizeof(err)),
			 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_STATS_REQ);
	memset(&a, 0, sizeof(a));
	a.h.kind = IPC_RTP_STATS;
	a.h.worker = c->worker;
	a.h.alloc_id = c->id;
	a.h.body_len = sizeof(*s);
	s = (void *)a.body;
	s->req = ((const struct ipc_rtp_stats_req *)(const void *)m.body)->req;
	s->found = 1;
	s->st[0].serial = 1;
	s->st[0].rtp_in = 100;
	s->st[0].ssrc = 0x1234;
	s->st[0].ext_max_seq = (2u << 16) | 500u;
	/* where dp's SRTP stands: the UE's stream unprotected, ours to it */
	s->st[0].srtp_rx.nstreams = 1;
	s->st[0].srtp_rx.stream[0].ssrc = 0x1234;
	s->st[0].srtp_rx.stream[0].roc = 2;
	s->st[0].srtp_rx.stream[0].seq = 500;
	s->st[0].srtp_rx.srtcp_index = 17;
	/* (two SSRCs ours: both carried) */
	s->st[0].srtp_tx.nstreams = 2;
	s->st[0].srtp_tx.stream[0].ssrc = 0x5678;
	s->st[0].srtp_tx.stream[0].seq = 900;
	s->st[0].srtp_tx.stream[1].ssrc = 0x9abc;
	s->st[0].srtp_tx.stream[1].roc = 1;
	s->st[0].srtp_tx.stream[1].seq = 40;
	s->st[0].srtp_tx.srtcp_index = 4;
	s->st[0].latched = IPC_RTP_LATCHED_RTP;
	ip4(&s->st[0].rtp_src, "10.0.0.70", 31000);
	s->st[1].serial = 2;
	s->st[1].rtp_in = 80;
	s->st[1].ssrc = 0x5678;
	s->st[1].ext_max_seq = 900;
	cp_handle(&cp, c->worker, &a);
	assert_int_equal(st_rc_calls, 1);
	assert_int_equal(st_rc, 0);
	assert_int_equal(st_in, 100);
	assert_int_equal(c->rtp.st[0].rtp_in, 100);
	/* an SRTP context's figures are asked for again before its streams
	 * can have moved far (CP_AGW_RTP_POS_PKTS at their last rate): never
	 * moved, the longest gap; fast, the shortest */
	assert_int_equal(agw_rtp_pos_due(1000, 0, 0), 1000 + 10000);
	assert_int_equal(agw_rtp_pos_due(1000, 500, 10000), 1000 + 20480);
	assert_int_equal(agw_rtp_pos_due(1000, 10, 100000), 1000 + 60000);
	assert_int_equal(agw_rtp_pos_due(1000, 100000, 1000), 1000 + 1000);
	assert_true(c->rtp.pos_due_ms > cp.now_ms);
	drain();
	/* (dp still runs then: its heartbeat) */
	cp.seg.shm->dp_heartbeat_ms = c->rtp.pos_due_ms;
	cp_agw_serve(&cp, c->rtp.pos_due_ms - 1);
	assert_false(to_dp(c->worker, &m));
	cp_agw_serve(&cp, c->rtp.pos_due_ms);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_STATS_REQ);
	assert_int_equal(((const struct ipc_rtp_stats_req *)(const void *)m.body)->req, 0);
	cp.seg.shm->dp_heartbeat_ms = cp.now_ms;
	/* two callers at once: one request in dp's ring, both answered by
	 * its one answer */
	{
		unsigned int n0 = st_rc_calls;
		uint32_t r1 = 0, r2 = 0;

		assert_int_equal(cp_agw_rtp_stats(&cp, &op, c->id, stats_cb, NULL, &r1, err,
						  sizeof(err)), 0);
		assert_int_equal(cp_agw_rtp_stats(&cp, &op, c->id, stats_cb, NULL, &r2, err,
						  sizeof(err)), 0);
		assert_int_not_equal(r1, r2);
		assert_true(to_dp(c->worker, &m));
		assert_false(to_dp(c->worker, &m));
		s->req = ((const struct ipc_rtp_stats_req *)(const void *)m.body)->req;
		cp_handle(&cp, c->worker, &a);
		assert_int_equal(st_rc_calls, n0 + 2);
		assert_int_equal(st_rc, 0);
	}
	/* a request dp never answers: its timeout */
	assert_int_equal(cp_agw_rtp_stats(&cp, &op, c->id, stats_cb, NULL, &req, err, sizeof(err)),
			 0);
	drain();
	cp_agw_serve(&cp, cp.now_ms + CP_AGW_RTP_STATS_MS + 1);
	assert_int_equal(st_rc_calls, 4);
	assert_int_equal(st_rc, -ETIMEDOUT);
	/* dp restarts: the context lives on, installed again with the same
	 * id and ports, the latched source as remote, the SRTP index */
	cp_agw_dp_restart(&cp);
	assert_non_null(cp_agw_lookup(&cp, &op, c->id));
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	assert_int_equal(m.h.alloc_id, c->id);
	x = (const void *)m.body;
	assert_int_equal(x->term[0].local.port, c->rtp.term[0].local.port);
	assert_int_equal(x->term[0].remote.port, 31000);
	assert_int_equal(x->term[0].srtp_rx.nstreams, 1);
	assert_int_equal(x->term[0].srtp_rx.stream[0].ssrc, 0x1234);
	assert_int_equal(x->term[0].srtp_rx.stream[0].roc, 2);
	assert_int_equal(x->term[0].srtp_rx.stream[0].seq, 500);
	assert_int_equal(x->term[0].srtp_rx.srtcp_index, 17);
	assert_int_equal(x->term[0].srtp_tx.nstreams, 2);
	assert_int_equal(x->term[0].srtp_tx.stream[0].ssrc, 0x5678);
	assert_int_equal(x->term[0].srtp_tx.stream[0].seq, 900);
	assert_int_equal(x->term[0].srtp_tx.stream[1].ssrc, 0x9abc);
	assert_int_equal(x->term[0].srtp_tx.stream[1].roc, 1);
	assert_int_equal(x->term[0].srtp_tx.stream[1].seq, 40);
	/* (SRTCP that dp sent since cp heard last: its indices skipped) */
	assert_int_equal(x->term[0].srtp_tx.srtcp_index, 4 + 4096);
	assert_memory_equal(x->term[0].srtp_tx.key, c->rtp.term[0].srtp_tx.key, 30);
	/* the new dp's figures are added to what the old one had */
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_RELEASED;
	e.term = IPC_RTP_TERM_NONE;
	e.cause = IPC_AGW_CONTROLLER;
	e.st[0].serial = 1;
	e.st[0].rtp_in = 7;
	nheard = 0;
	assert_int_equal(cp_agw_observe(&cp, CP_AGW_KIND_RTP, obs, NULL), 0);
	event(c->id, c->worker, &e);
	assert_int_equal(heard.st[0].rtp_in, 107);
}

/* An SRTP context's figures (its SRTP positions, what a restarted dp goes
 * on from) are asked for on cp's own every CP_AGW_RTP_POLL_MS; an RTP-only
 * one's are not. */
static void
test_srtp_polled(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL, *p = NULL;
	static struct ipc_msg m;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), 0);
	spec_rtp(&spec[0], 0, "10.0.0.8", 5004, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &p, err, sizeof(err)), 0);
	drain();
	assert_int_equal(cp_agw_serve(&cp, cp.now_ms), 1);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_STATS_REQ);
	assert_int_equal(m.h.alloc_id, c->id);
	assert_int_equal(((const struct ipc_rtp_stats_req *)(const void *)m.body)->req, 0);
	assert_false(to_dp(0, &m));
	assert_false(to_dp(1, &m));
	/* asked once a period, answered or not */
	assert_int_equal(cp_agw_serve(&cp, cp.now_ms), 0);
	assert_false(to_dp(c->worker, &m));
}

static void
test_quota_confine_state(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_leg_spec t[2];
	struct cp_agw_ctx *c = NULL;
	const struct cp_agw_caller iq = { .door = CP_AGW_DOOR_IQ, .tenant = 0 };
	const struct cp_agw_caller api_b = { .door = CP_AGW_DOOR_API, .tenant = 1 };
	const struct cp_agw_caller api_a = { .door = CP_AGW_DOOR_API, .tenant = 0 };
	static struct ipc_msg m;
	struct ipc_rtp_state *x;
	char err[256];
	uint64_t id;

	(void)state;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), 0);
	id = c->id;
	/* confinement: another door or tenant is answered as if it were not */
	assert_null(cp_agw_lookup(&cp, &iq, id));
	assert_null(cp_agw_lookup(&cp, &api_b, id));
	assert_non_null(cp_agw_lookup(&cp, &api_a, id));
	assert_int_equal(cp_agw_release(&cp, &iq, id, err, sizeof(err)), -ENOENT);
	assert_int_equal(cp_agw_subtract(&cp, &api_b, id, 0, err, sizeof(err)), -ENOENT);
	assert_int_equal(cp_agw_rtp_stats(&cp, &iq, id, stats_cb, NULL, NULL, err, sizeof(err)),
			 -ENOENT);
	/* agw.quota.api 2: the RTP context and a TCP one, then neither kind */
	memset(t, 0, sizeof(t));
	t[0].term.tcp_role = IPC_AGW_TCP_SERVER;
	t[0].accept_any = true;
	ip4(&t[0].term.local, "10.0.0.1", 0);
	assert_int_equal(cp_agw_create(&cp, tcp2(t), 0, NULL, CP_AGW_DOOR_API, 0, NULL, err,
				       sizeof(err)), 0);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, NULL, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "agw.quota.api"));
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_IQ,
				       0, NULL, err, sizeof(err)), 0);
	/* agw.quota.ng 1: the ng door's first RTP context, then none; it
	 * answers to the ng door alone, and says whose it is */
	{
		const struct cp_agw_caller ng = { .door = CP_AGW_DOOR_NG, .tenant = 0 };
		struct cp_agw_ctx *n = NULL;
		struct json_object *o;

		assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
					       CP_AGW_DOOR_NG, 0, &n, err, sizeof(err)), 0);
		assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
					       CP_AGW_DOOR_NG, 0, NULL, err, sizeof(err)), -ENOSPC);
		assert_non_null(strstr(err, "agw.quota.ng 1"));
		assert_int_equal(cp.agw->stats[CP_AGW_STAT_QUOTA_NG], 1);
		assert_non_null(cp_agw_lookup(&cp, &ng, n->id));
		assert_null(cp_agw_lookup(&cp, &ng, id));
		assert_null(cp_agw_lookup(&cp, &iq, n->id));
		o = cp_agw_json(&cp, n, 0, false);
		assert_string_equal(json_object_get_string(json_object_object_get(o, "door")), "ng");
		json_object_put(o);
		assert_int_equal(cp_agw_rtp_live(&cp, CP_AGW_DOOR_NG, TP_CONF_MAX_TENANTS + 1), 1);
	}
	assert_int_equal(cp_agw_rtp_live(&cp, CP_AGW_DOORS, TP_CONF_MAX_TENANTS + 1), 3);
	/* a restarted cp: RTP_STATE gives the context back, door, tenant,
	 * keys and all */
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_STATE;
	m.h.worker = c->worker;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	x = (void *)m.body;
	memcpy(x->ctx.term, c->rtp.term, sizeof(x->ctx.term));
	x->st[0].rtp_in = 42;
	x->st[0].serial = 1;
	{
		unsigned int w = c->worker;

		/* (the new cp: nothing known, its handlers registered anew) */
		cp_agw_fini(&cp);
		memset(&cp.dp, 0, sizeof(cp.dp));
		assert_int_equal(cp_agw_init(&cp), 0);
		assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
		cp_handle(&cp, w, &m);
	}
	c = cp_agw_lookup(&cp, &api_a, id);
	assert_non_null(c);
	assert_int_equal(c->rtp.st[0].rtp_in, 42);
	assert_int_equal(c->rtp.term[0].srtp_tx.key_len, 30);
	assert_memory_equal(c->rtp.term[0].srtp_tx.key, x->ctx.term[0].srtp_tx.key, 30);
	assert_int_equal(cp_agw_live(cp.agw, CP_AGW_DOOR_API, 0), 1);
	/* ... and the keys it holds in its memory: a rekey to our key to it
	 * is refused (the keys rule) */
	assert_int_equal(c->rtp.nkeys, 2);
	{
		struct ipc_srtp_key k = c->rtp.term[0].srtp_tx;

		assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
					       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }),
					       err, sizeof(err)), -EKEYREJECTED);
		explicit_bzero(&k, sizeof(k));
	}
	/* its ports are held: a new context does not get them */
	for (unsigned int k = 0; k < 3; k++) {
		struct cp_agw_ctx *d = NULL;

		if (cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_IQ, 0,
				  &d, err, sizeof(err)) < 0)
			break;
		for (unsigned int i = 0; i < 2; i++)
			assert_int_not_equal(d->rtp.term[i].local.port, c->rtp.term[0].local.port);
	}
}

/* k: 30 octets of v (AES_CM_128_HMAC_SHA1_80's key || salt). */
static void
key30(struct ipc_srtp_key *k, uint8_t v)
{
	memset(k, 0, sizeof(*k));
	k->suite = 1;
	k->key_len = 30;
	memset(k->key, v, 30);
}

/* Is any 16 octets of key k in the context's memory (its digests)? */
static bool
key_in_memory(const struct cp_agw_ctx *c, const struct ipc_srtp_key *k)
{
	const uint8_t *mem = (const uint8_t *)c->rtp.keys;

	for (size_t off = 0; off + 16 <= sizeof(c->rtp.keys); off++)
		for (unsigned int at = 0; at + 16 <= k->key_len; at++)
			if (memcmp(mem + off, k->key + at, 16) == 0)
				return true;
	return false;
}

/*
 * The SRTP keys rule (agw_rtp_keys.c, RFC 3711 section 9.1), at the C API
 * every door calls: a termination's key to send with equal to its
 * remote's, a key equal to one of the other termination's, our key to a
 * termination given again after a subtraction and an add, a remote's key
 * that is one of our keys (now or before) or the other termination's
 * remote key (now or before): refused (-EKEYREJECTED, the keys named,
 * nothing sent or kept, counted); the key a termination holds repeated
 * for its own direction (a re-offer, a Modify that repeats its SDP), and
 * a remote's key back to the slot whose remote held it (a forked call's
 * first branch answering again after another's: K1, K2, K1; a re-INVITE
 * back; an add after a subtraction): taken. The memory holds digests,
 * not keys, each with its slot and direction, up to CP_AGW_RTP_KEYS a
 * context (past them -ENOSPC; a key come back takes no new place), and
 * goes with the context.
 */
static void
test_keys_rule(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	struct ipc_srtp_key k, tx0, tx1;
	static struct ipc_msg m;
	uint64_t id;
	unsigned int w, got;
	size_t slot;
	char err[256];

	(void)state;
	drain();
	/* our key to a termination its remote's key to us */
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, true);
	key30(&spec[0].term.srtp_rx, 0x11);
	key30(&spec[0].term.srtp_tx, 0x11);
	key30(&spec[1].term.srtp_rx, 0x22);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), -EKEYREJECTED);
	assert_string_equal(err, "our key to termination 0 is termination 0's remote key: one key "
			    "for two streams (RFC 3711 section 9.1)");
	/* ... under another suite: the same octets, the same key */
	spec[0].term.srtp_tx.suite = 2;
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), -EKEYREJECTED);
	/* a key of one termination's the other's: remote and remote, ours
	 * and the other's remote */
	key30(&spec[0].term.srtp_tx, 0x33);
	key30(&spec[1].term.srtp_rx, 0x11);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), -EKEYREJECTED);
	assert_string_equal(err, "termination 1's remote key is termination 0's remote key: one "
			    "key for two streams (RFC 3711 section 9.1)");
	key30(&spec[1].term.srtp_rx, 0x33);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "termination 1's remote key is our key to termination 0"));
	key30(&spec[1].term.srtp_rx, 0x22);
	key30(&spec[1].term.srtp_tx, 0x11);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "our key to termination 1 is termination 0's remote key"));
	/* nothing sent, nothing kept, each counted */
	assert_false(to_dp(0, &m));
	assert_false(to_dp(1, &m));
	assert_int_equal(cp.agw->tab[CP_AGW_KIND_RTP].total, 0);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_KEYS_REFUSED], 5);
	/* four keys, ours made by cp for termination 1 */
	memset(&spec[1].term.srtp_tx, 0, sizeof(spec[1].term.srtp_tx));
	spec[1].term.srtp_tx.suite = 1;
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), 0);
	id = c->id;
	w = c->worker;
	slot = (size_t)w * cp.agw->tab[CP_AGW_KIND_RTP].per_worker + ipc_conn_slot(id);
	tx0 = c->rtp.term[0].srtp_tx;
	tx1 = c->rtp.term[1].srtp_tx;
	assert_int_equal(c->rtp.nkeys, 4);
	/* the memory is digests: no 16 octets of a key in it */
	assert_false(key_in_memory(c, &c->rtp.term[0].srtp_rx));
	assert_false(key_in_memory(c, &tx0));
	assert_false(key_in_memory(c, &tx1));
	drain();
	/* a re-offer or a Modify that repeats the remote's key: the key the
	 * termination holds, for its direction: taken, nothing new kept */
	key30(&k, 0x11);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx = &k,
								 .mode_set = true,
								 .mode = IPC_RTP_MODE_SEND |
									 IPC_RTP_MODE_RECV }),
				       err, sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(c->rtp.nkeys, 4);
	/* a rekey to a key the context holds: the other's remote key, our
	 * key to the other, our key to it */
	key30(&k, 0x22);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), -EKEYREJECTED);
	assert_string_equal(err, "termination 0's remote key is termination 1's remote key: one "
			    "key for two streams (RFC 3711 section 9.1)");
	k = tx1;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), -EKEYREJECTED);
	k = tx0;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), -EKEYREJECTED);
	assert_false(to_dp(w, &m));
	/* a rekey to a new key: one more kept */
	key30(&k, 0x44);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(c->rtp.nkeys, 5);
	/* a forked call: B's first branch answers with K1 (0x22, held),
	 * another branch with K2, then the first branch's 200 with K1
	 * again: a remote's key back to the slot whose remote held it (the
	 * sender's keystream, not ours): taken, sent, no second place kept */
	key30(&k, 0x5a);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(c->rtp.nkeys, 6);
	key30(&k, 0x22);
	if (cp_agw_modify(&cp, &op, id, 1, rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }),
			  err, sizeof(err)) != 0)
		fail_msg("the first branch's key again: %s", err);
	assert_true(to_dp(w, &m));
	assert_int_equal(c->rtp.term[1].srtp_rx.key[0], 0x22);
	assert_int_equal(c->rtp.nkeys, 6);
	/* ... and A's remote going back to its key of before (a re-INVITE):
	 * taken; then to 0x44 again */
	key30(&k, 0x11);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	key30(&k, 0x44);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(c->rtp.nkeys, 6);
	/* B's old remote key (K2) as A's remote key: one sender's packets
	 * would pass as the other's: refused, its use of before named */
	key30(&k, 0x5a);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), -EKEYREJECTED);
	{
		char want[256];

		snprintf(want, sizeof(want), "termination 0's remote key was used before in "
			 "context %" PRIu64 " as termination 1's remote key: one key for two "
			 "streams (RFC 3711 section 9.1)", id);
		assert_string_equal(err, want);
	}
	assert_false(to_dp(w, &m));
	/* a termination replaced (a door's subtract and add asks first):
	 * its remote's key of before (held or not) taken, a new one too; B's
	 * old remote key, our key to it: refused; nothing changes */
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	key30(&spec[0].term.srtp_rx, 0x44);
	assert_int_equal(cp_agw_rtp_keys_check(&cp, &op, id, 0, &spec[0].term, err, sizeof(err)),
			 0);
	key30(&spec[0].term.srtp_rx, 0x11);
	assert_int_equal(cp_agw_rtp_keys_check(&cp, &op, id, 0, &spec[0].term, err, sizeof(err)),
			 0);
	key30(&spec[0].term.srtp_rx, 0x55);
	assert_int_equal(cp_agw_rtp_keys_check(&cp, &op, id, 0, &spec[0].term, err, sizeof(err)),
			 0);
	key30(&spec[0].term.srtp_rx, 0x5a);
	assert_int_equal(cp_agw_rtp_keys_check(&cp, &op, id, 0, &spec[0].term, err, sizeof(err)),
			 -EKEYREJECTED);
	key30(&spec[0].term.srtp_rx, 0x55);
	spec[0].term.srtp_tx = tx0;
	assert_int_equal(cp_agw_rtp_keys_check(&cp, &op, id, 0, &spec[0].term, err, sizeof(err)),
			 -EKEYREJECTED);
	assert_int_equal(c->rtp.term[0].srtp_rx.key[0], 0x44);
	assert_false(to_dp(w, &m));
	/* subtract and add again: our key it had refused, and any of ours
	 * as its remote's (a reflection), B's keys as its remote's */
	assert_int_equal(cp_agw_subtract(&cp, &op, id, 0, err, sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	key30(&spec[0].term.srtp_rx, 0x55);
	spec[0].term.srtp_tx = tx0;
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, rtp1(&spec[0]), CP_AGW_SETUP_DEFAULT, &got, err,
				    sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "our key to termination 0 was used before in context"));
	assert_non_null(strstr(err, " as our key to termination 0: "));
	memset(&spec[0].term.srtp_tx, 0, sizeof(spec[0].term.srtp_tx));
	spec[0].term.srtp_tx.suite = 1;
	spec[0].term.srtp_rx = tx0;
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, rtp1(&spec[0]), CP_AGW_SETUP_DEFAULT, &got, err,
				    sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "termination 0's remote key was used before in context"));
	assert_non_null(strstr(err, " as our key to termination 0: "));
	spec[0].term.srtp_rx = tx1;
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, rtp1(&spec[0]), CP_AGW_SETUP_DEFAULT, &got, err,
				    sizeof(err)), -EKEYREJECTED);
	assert_string_equal(err, "termination 0's remote key is our key to termination 1: one key "
			    "for two streams (RFC 3711 section 9.1)");
	key30(&spec[0].term.srtp_rx, 0x5a);
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, rtp1(&spec[0]), CP_AGW_SETUP_DEFAULT, &got, err,
				    sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, " as termination 1's remote key: "));
	assert_false(to_dp(w, &m));
	assert_int_equal(c->rtp.term[0].profile, IPC_RTP_NONE);
	/* its remote's key of before (an Iq Subtract and Add for a remote's
	 * key going back), our key a new one: taken, one place more (ours) */
	key30(&spec[0].term.srtp_rx, 0x11);
	assert_int_equal(cp_agw_add(&cp, &op, id, 0, rtp1(&spec[0]), CP_AGW_SETUP_DEFAULT, &got, err,
				    sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(c->rtp.nkeys, 7);
	/* our key to it before, now a past key: never a remote's (B's) */
	k = tx0;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "termination 1's remote key was used before in context"));
	assert_non_null(strstr(err, " as our key to termination 0: "));
	assert_false(to_dp(w, &m));
	/* up to CP_AGW_RTP_KEYS keys a context: then a new one is refused,
	 * the one held still taken */
	for (uint8_t v = 0x60; c->rtp.nkeys < CP_AGW_RTP_KEYS; v++) {
		key30(&k, v);
		assert_int_equal(cp_agw_modify(&cp, &op, id, 1,
					       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }),
					       err, sizeof(err)), 0);
		assert_true(to_dp(w, &m));
	}
	key30(&k, 0xf0);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "has used 32 SRTP keys"));
	k = c->rtp.term[1].srtp_rx;
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx = &k }), err,
				       sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	/* ... and a remote's key back to its slot (the fork's K1 and K2
	 * again), which takes no new place */
	key30(&k, 0x22);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	key30(&k, 0x5a);
	assert_int_equal(cp_agw_modify(&cp, &op, id, 1,
				       rmod(&(struct cp_agw_rtp_mod){ .srtp_rx_new = &k }), err,
				       sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(c->rtp.nkeys, CP_AGW_RTP_KEYS);
	/* the memory goes with the context */
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	drain();
	released(c);
	assert_true(all_zero(&cp.agw->tab[CP_AGW_KIND_RTP].ctx[slot],
			     sizeof(cp.agw->tab[CP_AGW_KIND_RTP].ctx[slot])));
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(&tx0, sizeof(tx0));
	explicit_bzero(&tx1, sizeof(tx1));
}

/* More contexts than one address's share of agw.media_ports holds: a
 * termination routed to a port goes on from the port's own address to its
 * relayed ones (relayed addresses live on core ports; an access side on a
 * port of both roles likewise), the own address first; ports released
 * are taken again. */
static void
test_address_pool(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c[8];
	unsigned int on[2];
	char err[256];

	(void)state;
	/* 2 workers x 4 contexts, each two pairs on port c: 16 pairs, where
	 * 10.1.0.1 has 5 in each worker's 10 ports */
	for (unsigned int round = 0; round < 2; round++) {
		memset(on, 0, sizeof(on));
		for (unsigned int k = 0; k < 8; k++) {
			spec_rtp(&spec[0], CP_AGW_RTP_SIDE_ROUTE, "10.1.0.7", 5004, false);
			spec_rtp(&spec[1], CP_AGW_RTP_SIDE_ROUTE, "10.1.0.8", 6000, false);
			c[k] = NULL;
			if (cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
					  CP_AGW_DOOR_API, 0, &c[k], err, sizeof(err)) != 0)
				fail_msg("context %u of round %u: %s", k, round, err);
			for (unsigned int i = 0; i < 2; i++) {
				const uint8_t *ip = c[k]->rtp.term[i].local.ip;

				assert_memory_equal(ip, "\x0a\x01\x00", 3);
				assert_true(ip[3] == 1 || ip[3] == 50);
				on[ip[3] == 1 ? 0 : 1]++;
			}
		}
		/* the own address filled first, then the pool */
		assert_int_equal(on[0], 10);
		assert_int_equal(on[1], 6);
		drain();
		for (unsigned int k = 0; k < 8; k++) {
			assert_int_equal(cp_agw_release(&cp, &op, c[k]->id, err, sizeof(err)), 0);
			released(c[k]);
		}
		drain();
	}
}

/* ---- a door's reply held until dp holds its changes (agw_held.c) ---- */

/* What each hold's reply heard: how often, its last rc. */
static unsigned int held_calls[8];
static int held_rc[8];

static void
held_cb(struct cp_ctx *c, void *arg, int rc)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;

	(void)c;
	held_calls[i]++;
	held_rc[i] = rc;
}

#define HOLD(since, i) cp_agw_when_held(&cp, (since), held_cb, (void *)(uintptr_t)(i))

/* dp's FENCE_DONE naming v from worker w. */
static void
fence_done(unsigned int w, uint64_t v)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_FENCE_DONE;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = v;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, w, &m);
}

/* The FENCEs in the ring to worker w (the rest read and passed over): how
 * many, the last one's number in *v. */
static unsigned int
fences(unsigned int w, uint64_t *v)
{
	struct ipc_msg m;
	unsigned int n = 0;

	while (to_dp(w, &m))
		if (m.h.kind == IPC_FENCE) {
			assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
			*v = m.h.alloc_id;
			n++;
		}
	return n;
}

static struct cp_agw_ctx *
held_ctx(const char *remote)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	char err[256];

	spec_rtp(&spec[0], CP_AGW_RTP_SIDE_ACCESS, remote, 5004, false);
	spec_rtp(&spec[1], CP_AGW_RTP_SIDE_CORE, NULL, 0, false);
	spec[1].term.mode = 0;         /* the offer's placeholder: inactive */
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_NG,
				       0, &c, err, sizeof(err)), 0);
	return c;
}

/* The answer's modify of c's placeholder: B's address, sendrecv. */
static void
held_answer(const struct cp_agw_ctx *c)
{
	static struct ipc_addr b;
	struct cp_agw_rtp_mod md;
	char err[256];

	memset(&md, 0, sizeof(md));
	ip4(&b, "10.1.0.9", 6000);
	md.remote = &b;
	md.mode_set = true;
	md.mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 1, rmod(&md), err, sizeof(err)), 0);
}

/* A reply waits for the FENCE_DONE of the worker its request changed,
 * the number its FENCE (after the change in the ring) carried; nothing
 * else lets it go, and it goes once. */
static void
test_reply_held_until_fence_done(void **state)
{
	struct cp_agw_ctx *c;
	struct ipc_msg m;
	uint64_t since, v = 0;
	char err[256];

	(void)state;
	memset(held_calls, 0, sizeof(held_calls));
	since = cp_agw_changes(&cp);
	/* (this cp's count starts at its epoch, 5, << 32) */
	assert_int_equal(since, 5ull << 32);
	/* a request that changed nothing: its reply goes now, no FENCE */
	assert_int_equal(HOLD(since, 0), 0);
	assert_false(to_dp(0, &m));
	assert_false(to_dp(1, &m));
	/* an offer's create */
	c = held_ctx("10.0.0.7");
	assert_true(cp_agw_changes(&cp) > since);
	assert_int_equal(HOLD(since, 0), 1);
	assert_int_equal(held_calls[0], 0);
	/* the FENCE follows the RTP_ADD in the context's worker's ring, and
	 * is there only */
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	assert_int_equal(fences(c->worker, &v), 1);
	assert_int_equal(v, cp_agw_changes(&cp));
	assert_int_equal(fences(c->worker ^ 1u, &v), 0);
	/* an older number, the other worker's, one never sent: still held */
	fence_done(c->worker, v - 1);
	fence_done(c->worker ^ 1u, v);
	fence_done(c->worker, v + 1);
	assert_int_equal(held_calls[0], 0);
	/* the worker's word: the reply goes, once */
	fence_done(c->worker, v);
	assert_int_equal(held_calls[0], 1);
	assert_int_equal(held_rc[0], 0);
	fence_done(c->worker, v);
	assert_int_equal(held_calls[0], 1);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_HELD], 1);
	/* dp holds every change since `since` now: nothing to wait for */
	assert_int_equal(HOLD(since, 1), 0);
	/* the answer's modify, held the same way */
	since = cp_agw_changes(&cp);
	held_answer(c);
	assert_int_equal(HOLD(since, 1), 1);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_MOD);
	assert_int_equal(fences(c->worker, &v), 1);
	assert_int_equal(held_calls[1], 0);
	fence_done(c->worker, v);
	assert_int_equal(held_calls[1], 1);
	assert_int_equal(held_rc[1], 0);
	/* a release hands nothing out: not held */
	since = cp_agw_changes(&cp);
	assert_int_equal(cp_agw_release(&cp, &op, c->id, err, sizeof(err)), 0);
	assert_int_equal(HOLD(since, 2), 0);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_HELD], 2);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_HELD_LATE], 0);
}

/* Each hold waits for the workers its own request changed: one on each
 * worker goes with its worker's word; one that changed both, with both;
 * a later FENCE's word answers for an earlier one of the same worker. */
static void
test_reply_held_per_worker(void **state)
{
	struct cp_agw_ctx *a, *b;
	uint64_t since, va = 0, vb = 0, v2 = 0;

	(void)state;
	memset(held_calls, 0, sizeof(held_calls));
	since = cp_agw_changes(&cp);
	a = held_ctx("10.0.0.7");
	assert_int_equal(HOLD(since, 0), 1);
	since = cp_agw_changes(&cp);
	b = held_ctx("10.0.0.8");
	assert_int_not_equal(a->worker, b->worker);
	assert_int_equal(HOLD(since, 1), 1);
	assert_int_equal(fences(a->worker, &va), 1);
	assert_int_equal(fences(b->worker, &vb), 1);
	assert_true(vb > va);
	fence_done(b->worker, vb);
	assert_int_equal(held_calls[1], 1);
	assert_int_equal(held_calls[0], 0);
	fence_done(a->worker, va);
	assert_int_equal(held_calls[0], 1);
	/* one request, both workers changed */
	since = cp_agw_changes(&cp);
	held_answer(a);
	held_answer(b);
	assert_int_equal(HOLD(since, 2), 1);
	assert_int_equal(fences(a->worker, &va), 1);
	assert_int_equal(fences(b->worker, &vb), 1);
	fence_done(a->worker, va);
	assert_int_equal(held_calls[2], 0);
	fence_done(b->worker, vb);
	assert_int_equal(held_calls[2], 1);
	assert_int_equal(held_rc[2], 0);
	/* two holds on one worker, the second after a change more: each has
	 * its FENCE; the second's word answers for both */
	since = cp_agw_changes(&cp);
	held_answer(a);
	assert_int_equal(HOLD(since, 3), 1);
	since = cp_agw_changes(&cp);
	held_answer(a);
	assert_int_equal(HOLD(since, 4), 1);
	assert_int_equal(fences(a->worker, &v2), 2);
	fence_done(a->worker, v2);
	assert_int_equal(held_calls[3], 1);
	assert_int_equal(held_calls[4], 1);
	/* two holds of one turn after the same changes: one FENCE */
	since = cp_agw_changes(&cp);
	held_answer(b);
	assert_int_equal(HOLD(since, 5), 1);
	assert_int_equal(HOLD(since, 6), 1);
	assert_int_equal(fences(b->worker, &vb), 1);
	fence_done(b->worker, vb);
	assert_int_equal(held_calls[5], 1);
	assert_int_equal(held_calls[6], 1);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_HELD], 7);
}

/* A reply is held CP_AGW_HOLD_MS at most, and not past dp's restart; a
 * dp that cannot answer FENCE holds nothing; a FENCE_DONE of the cp
 * before (numbered below this cp's epoch) lets nothing go. */
static void
test_reply_held_bound_restart(void **state)
{
	struct cp_agw_ctx *c;
	struct ipc_msg m;
	uint64_t since, v = 0;

	(void)state;
	memset(held_calls, 0, sizeof(held_calls));
	since = cp_agw_changes(&cp);
	c = held_ctx("10.0.0.7");
	assert_int_equal(HOLD(since, 0), 1);
	assert_int_equal(fences(c->worker, &v), 1);
	fence_done(c->worker, (4ull << 32) + 100);
	assert_int_equal(held_calls[0], 0);
	cp_agw_serve(&cp, cp.now_ms + CP_AGW_HOLD_MS - 1);
	assert_int_equal(held_calls[0], 0);
	cp_agw_serve(&cp, cp.now_ms + CP_AGW_HOLD_MS);
	assert_int_equal(held_calls[0], 1);
	assert_int_equal(held_rc[0], -ETIMEDOUT);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_HELD_LATE], 1);
	/* its FENCE_DONE late: nothing more */
	fence_done(c->worker, v);
	assert_int_equal(held_calls[0], 1);
	/* dp restarts: what waits for it goes */
	since = cp_agw_changes(&cp);
	held_answer(c);
	assert_int_equal(HOLD(since, 1), 1);
	cp_agw_dp_restart(&cp);
	assert_int_equal(held_calls[1], 1);
	assert_int_equal(held_rc[1], -ECONNRESET);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_HELD_LATE], 2);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_HELD], 0);
	drain();
	/* a dp without IPC_CAP_FENCE: the reply goes at once, no FENCE */
	ipc_side_publish(&cp.seg.shm->dp_side, IPC_CAP_AGW | IPC_CAP_RTP, 0, 0, 2);
	since = cp_agw_changes(&cp);
	held_answer(c);
	assert_int_equal(HOLD(since, 2), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_MOD);
	assert_false(to_dp(c->worker, &m));
	assert_int_equal(held_calls[2], 0);
}

/* A FENCE the ring has no room for goes from the loop once it has; past
 * CP_AGW_HOLD_MAX held replies, one goes at once (counted). */
static void
test_reply_held_ring_full_table_full(void **state)
{
	static struct ipc_msg filler;
	struct ipc_ring *r;
	struct cp_agw_ctx *c;
	uint64_t since, v = 0;
	unsigned int n = 0;

	(void)state;
	memset(held_calls, 0, sizeof(held_calls));
	since = cp_agw_changes(&cp);
	c = held_ctx("10.0.0.7");
	r = &ipc_worker(&cp.seg, c->worker)->to_dp;
	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_SYNC;
	while (cp_dp_room(&cp, c->worker, 1, CP_RING_HEADROOM))
		assert_int_equal(ipc_ring_enqueue(r, &filler), 0);
	assert_int_equal(HOLD(since, 0), 1);
	assert_int_equal(fences(c->worker, &v), 0);
	cp_agw_serve(&cp, cp.now_ms);
	assert_int_equal(fences(c->worker, &v), 1);
	assert_int_equal(v, cp_agw_changes(&cp));
	fence_done(c->worker, v);
	assert_int_equal(held_calls[0], 1);
	assert_int_equal(held_rc[0], 0);
	/* the table full: one FENCE for them all, the next reply at once */
	since = cp_agw_changes(&cp);
	held_answer(c);
	for (unsigned int i = 0; i < CP_AGW_HOLD_MAX; i++)
		n += HOLD(since, 7) == 1;
	assert_int_equal(n, CP_AGW_HOLD_MAX);
	assert_int_equal(HOLD(since, 6), -ENOSPC);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_NOT_HELD], 1);
	assert_int_equal(fences(c->worker, &v), 1);
	fence_done(c->worker, v);
	assert_int_equal(held_calls[7], CP_AGW_HOLD_MAX);
	assert_int_equal(held_calls[6], 0);
	assert_int_equal(cp.agw->stats[CP_AGW_STAT_HELD], CP_AGW_HOLD_MAX + 1);
}

/* ICE on a termination (agw_rtp_ice.c): our ufrag and pwd made from the
 * CSPRNG within lib/ipc's bounds (or the door's taken), the peer's ufrag
 * carried, each bound refused with a sentence naming it, never reaching
 * dp; a restart's new credentials (the nominated pair left to dp); dp's
 * NOMINATED and consent events applied to the figures; a restarted dp
 * given the pair nominated before, unless its consent was lost. */
static void
test_ice(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_rtp_mod md;
	struct cp_agw_ctx *c = NULL;
	struct ipc_rtp_event e;
	static struct ipc_msg m;
	const struct ipc_rtp_ctx *x;
	const struct ipc_rtp_mod *mo;
	struct ipc_rtp_ice was;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], CP_AGW_RTP_SIDE_ACCESS, "10.0.0.7", 5004, false);
	spec_rtp(&spec[1], CP_AGW_RTP_SIDE_CORE, "10.1.0.9", 6000, false);
	spec[0].term.ice.mode = IPC_RTP_ICE_LITE;
	assert_int_equal(agw_rtp_ice_set(0, &spec[0].term.ice, NULL, NULL, "0a1b2c3d", err,
					 sizeof(err)), 0);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
				       CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	x = (const void *)m.body;
	/* made: 8 and 24 ice-chars (RFC 8839 section 5.4), the peer's kept */
	assert_int_equal(x->term[0].ice.mode, IPC_RTP_ICE_LITE);
	assert_int_equal(x->term[0].ice.ufrag_len, 8);
	assert_int_equal(x->term[0].ice.pwd_len, 24);
	assert_true(agw_rtp_ice_chars(x->term[0].ice.ufrag, 8));
	assert_true(agw_rtp_ice_chars(x->term[0].ice.pwd, 24));
	assert_memory_equal(x->term[0].ice.peer_ufrag, "0a1b2c3d", 8);
	assert_memory_equal(&c->rtp.term[0].ice, &x->term[0].ice, sizeof(x->term[0].ice));
	assert_int_equal(x->term[1].ice.mode, IPC_RTP_ICE_OFF);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_ICE_MADE], 1);
	/* the door's own taken; each bound and character refused, by name */
	spec[0].term.ice.ufrag_len = 0;
	spec[0].term.ice.pwd_len = 0;
	assert_int_equal(agw_rtp_ice_set(0, &spec[0].term.ice, "Ab+/", "0123456789abcdefghijkl",
					 NULL, err, sizeof(err)), 0);
	assert_int_equal(agw_rtp_ice_set(0, &spec[0].term.ice, "Ab+", "0123456789abcdefghijkl",
					 NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "our ICE ufrag of 3 characters: RFC 8839 allows 4 to 256, "
			       "this gateway takes 4 to 32"));
	assert_int_equal(agw_rtp_ice_set(0, &spec[0].term.ice, "Ab+/", "0123456789abcdefghijk",
					 NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "our ICE pwd of 21 characters"));
	assert_int_equal(agw_rtp_ice_set(0, &spec[0].term.ice, NULL, NULL,
					 "abcdefghijabcdefghijabcdefghijabc", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "the peer's ICE ufrag of 33 characters"));
	assert_int_equal(agw_rtp_ice_set(0, &spec[0].term.ice, "Ab:/", "0123456789abcdefghijkl",
					 NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "must be ice-chars"));
	assert_int_equal(agw_rtp_ice_set(0, &spec[0].term.ice, "Abcd", NULL, NULL, err,
					 sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "go together"));
	/* a ufrag written past its length, as a door's struct may: refused */
	spec[0].term.ice.ufrag[4] = 'x';
	spec_rtp(&spec[1], CP_AGW_RTP_SIDE_CORE, "10.1.0.9", 6002, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
				       CP_AGW_DOOR_API, 0, NULL, err, sizeof(err)), 0);
	drain();
	spec[0].term.ice.ufrag_len = 40;
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
				       CP_AGW_DOOR_API, 0, NULL, err, sizeof(err)), -EINVAL);
	assert_false(to_dp(0, &m) || to_dp(1, &m));
	memset(&spec[0].term.ice, 0, sizeof(spec[0].term.ice));
	spec[0].term.ice.pwd_len = 22;
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL,
				       CP_AGW_DOOR_API, 0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ICE credentials without ICE"));
	/* dp's NOMINATED and consent events: the figures as dp has them */
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_NOMINATED;
	e.serial = c->rtp.term[0].serial;
	ip4(&e.addr, "10.0.0.70", 31000);
	e.st[0].serial = c->rtp.term[0].serial;
	e.st[0].ice = IPC_RTP_ICE_ON;
	event(c->id, c->worker, &e);
	assert_int_equal(c->rtp.st[0].latched, IPC_RTP_LATCHED_RTP);
	assert_int_equal(c->rtp.st[0].rtp_src.port, 31000);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_NOMINATED], 1);
	e.type = IPC_RTP_EV_CONSENT_LOST;
	event(c->id, c->worker, &e);
	assert_int_equal(c->rtp.st[0].ice & IPC_RTP_ICE_LOST, IPC_RTP_ICE_LOST);
	e.type = IPC_RTP_EV_CONSENT_REGAINED;
	event(c->id, c->worker, &e);
	assert_int_equal(c->rtp.st[0].ice & IPC_RTP_ICE_LOST, 0);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_CONSENT_LOST], 1);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_CONSENT_REGAINED], 1);
	/* a restart: both ours new, the peer's forgotten, no nomination sent */
	was = c->rtp.term[0].ice;
	memset(&md, 0, sizeof(md));
	md.ice_restart = true;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	mo = (const void *)m.body;
	assert_int_equal(mo->op, IPC_RTP_MOD_TERM);
	assert_int_equal(mo->t.ice.ufrag_len, 8);
	assert_memory_not_equal(mo->t.ice.ufrag, was.ufrag, 8);
	assert_memory_not_equal(mo->t.ice.pwd, was.pwd, 24);
	assert_int_equal(mo->t.ice.peer_ufrag_len, 0);
	assert_int_equal(mo->t.ice.nominated.family, 0);
	/* the peer's new ufrag; a restart that keeps a credential refused */
	memset(&md, 0, sizeof(md));
	md.ice_peer_ufrag = "wXyZ";
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_memory_equal(c->rtp.term[0].ice.peer_ufrag, "wXyZ", 4);
	memset(&md, 0, sizeof(md));
	md.ice_restart = true;
	md.ice_ufrag = "Zz09";
	md.ice_pwd = "0123456789abcdefghijkl";
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "changes both our ufrag and our pwd"));
	memset(&md, 0, sizeof(md));
	md.ice_ufrag = "Yy09";
	md.ice_pwd = "0123456789abcdefghijkm";
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "are a restart"));
	assert_memory_equal(c->rtp.term[0].ice.ufrag, "Zz09", 4);
	drain();
	/* dp restarts: the pair nominated before goes back with the add */
	cp_agw_dp_restart(&cp);
	cp_agw_serve(&cp, cp.now_ms);
	while (to_dp(c->worker, &m) && m.h.alloc_id != c->id)
		;
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	x = (const void *)m.body;
	assert_int_equal(x->term[0].ice.nominated.family, 4);
	assert_int_equal(x->term[0].ice.nominated.port, 31000);
	assert_int_equal(x->term[0].remote.port, 5004);      /* (no latch made it) */
	/* a modify after it sends no nomination */
	memset(&md, 0, sizeof(md));
	md.mode_set = true;
	md.mode = IPC_RTP_MODE_RECV;
	drain();
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(((const struct ipc_rtp_mod *)(const void *)m.body)->t.ice.nominated.family,
			 0);
	/* turned off: every field of it gone */
	memset(&md, 0, sizeof(md));
	md.ice_set = true;
	md.ice_mode = IPC_RTP_ICE_OFF;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(all_zero(&c->rtp.term[0].ice, sizeof(c->rtp.term[0].ice)));
}

/* ---- DTLS-SRTP (agw_rtp_dtls.c; issue 68) ---------------------------------------------- */

/* dp's DTLS_CERT of generation gen (its sha-256 of octet b). */
static void
dtls_cert(uint16_t gen, uint8_t b)
{
	static struct ipc_msg m;
	struct ipc_dtls_cert *x = (void *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_DTLS_CERT;
	m.h.worker = 0;
	m.h.body_len = sizeof(*x);
	x->gen = gen;
	x->nfp = 1;
	x->fp[0].alg = 2;
	x->fp[0].len = 32;
	memset(x->fp[0].md, b, 32);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, 0, &m);
}

/* A WebRTC termination (SAVPF, rtcp-mux, no keys) whose peer's SDP says
 * setup, its sha-256 fingerprint of octet fp (0: none). */
static void
spec_dtls(struct cp_agw_rtp_spec *s, uint8_t setup, uint8_t fp, const char *tls_id)
{
	spec_rtp(s, CP_AGW_RTP_SIDE_ACCESS, "10.0.0.7", 5004, false);
	s->term.profile = IPC_RTP_SAVPF;
	s->term.flags = IPC_RTP_F_MUX;
	s->dtls.setup = setup;
	if (fp != 0) {
		s->dtls.nfp = 1;
		s->dtls.fp[0].alg = 2;
		s->dtls.fp[0].len = 32;
		memset(s->dtls.fp[0].md, fp, 32);
	}
	if (tls_id != NULL)
		snprintf(s->dtls.tls_id, sizeof(s->dtls.tls_id), "%s", tls_id);
}

/* A one-termination context of spec s: rc; *out, its RTP_ADD's term[0]
 * in *t (0 on success). */
static int
dtls_create(const struct cp_agw_rtp_spec *s, struct cp_agw_ctx **out, struct ipc_rtp_term *t,
	    char *err, size_t errlen)
{
	struct cp_agw_rtp_spec two[2];
	struct ipc_msg m;
	int rc;

	two[0] = *s;
	memset(&two[1], 0, sizeof(two[1]));
	rc = cp_agw_create(&cp, rtp2(two), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API, 0, out, err,
			   errlen);
	if (rc == 0) {
		assert_true(to_dp((*out)->worker, &m));
		assert_int_equal(m.h.kind, IPC_RTP_ADD);
		*t = ((const struct ipc_rtp_ctx *)(const void *)m.body)->term[0];
	} else {
		assert_false(to_dp(0, &m) || to_dp(1, &m));
	}
	return rc;
}

static void
test_dtls_roles_fingerprints(void **state)
{
	static const struct {
		uint8_t setup;
		bool passive;
		uint8_t role, ours, nfp;
	} rule[] = {
		{ CP_AGW_DTLS_PEER_ACTPASS, false, IPC_RTP_DTLS_CLIENT, CP_AGW_DTLS_OUR_ACTIVE, 1 },
		{ CP_AGW_DTLS_PEER_ACTPASS, true, IPC_RTP_DTLS_SERVER, CP_AGW_DTLS_OUR_PASSIVE, 1 },
		{ CP_AGW_DTLS_PEER_ACTIVE, false, IPC_RTP_DTLS_SERVER, CP_AGW_DTLS_OUR_PASSIVE, 1 },
		{ CP_AGW_DTLS_PEER_PASSIVE, false, IPC_RTP_DTLS_CLIENT, CP_AGW_DTLS_OUR_ACTIVE, 1 },
		{ CP_AGW_DTLS_OFFER, false, IPC_RTP_DTLS_EITHER, CP_AGW_DTLS_OUR_ACTPASS, 0 },
	};
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *c = NULL;
	struct ipc_rtp_term t;
	char err[512];

	(void)state;
	/* before dp published its certificate: nothing to write in the SDP */
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTPASS, 0x11, NULL);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EAGAIN);
	assert_non_null(strstr(err, "dp has not published its DTLS certificate yet"));
	assert_null(cp_agw_rtp_dtls_cert(&cp, 1));
	dtls_cert(1, 0xc1);
	assert_non_null(cp_agw_rtp_dtls_cert(&cp, 1));
	assert_null(cp_agw_rtp_dtls_cert(&cp, 2));
	/* each role rule (RFC 4145, RFC 5763 section 5) */
	for (unsigned int k = 0; k < sizeof(rule) / sizeof(rule[0]); k++) {
		spec_dtls(&s, rule[k].setup, rule[k].nfp ? 0x11 : 0, NULL);
		s.dtls.passive = rule[k].passive;
		assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), 0);
		assert_int_equal(t.dtls.role, rule[k].role);
		assert_int_equal(t.dtls.nfp, rule[k].nfp);
		assert_int_equal(t.dtls.profiles, IPC_RTP_DTLS_P_ALL);
		assert_int_equal(t.dtls.flags, 0);
		assert_int_equal(t.dtls.cert_gen, 1);
		assert_int_equal(t.dtls.assoc, 1);
		if (rule[k].nfp)
			assert_memory_equal(t.dtls.fp[0].md, s.dtls.fp[0].md, 32);
		/* no keys: the handshake makes them; none made by cp */
		assert_true(all_zero(&t.srtp_rx, sizeof(t.srtp_rx)));
		assert_true(all_zero(&t.srtp_tx, sizeof(t.srtp_tx)));
		assert_int_equal(c->rtp.dtls[0].setup, rule[k].ours);
		assert_int_equal(c->rtp.dtls[0].state, 0);
		assert_int_equal(strlen(c->rtp.dtls[0].tls_id), 32);
		assert_memory_equal(&c->rtp.term[0].dtls, &t.dtls, sizeof(t.dtls));
		released(c);
	}
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_KEYS_MADE], 0);
	/* the strongest hash's only (RFC 8122 section 5): sha-1 beside it
	 * is not carried, nor flagged */
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTIVE, 0x22, "0123456789abcdefghij+/-_");
	s.dtls.nfp = 2;
	s.dtls.fp[1].alg = 1;
	s.dtls.fp[1].len = 20;
	memset(s.dtls.fp[1].md, 0x33, 20);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), 0);
	assert_int_equal(t.dtls.nfp, 1);
	assert_int_equal(t.dtls.fp[0].alg, 2);
	assert_int_equal(t.dtls.flags & IPC_RTP_DTLS_F_ALLOW_SHA1, 0);
	assert_int_equal(c->rtp.dtls[0].peer_nfp, 2);
	assert_string_equal(c->rtp.dtls[0].peer_tls_id, "0123456789abcdefghij+/-_");
	released(c);
	/* sha-1 alone: refused, named; taken with allow_sha1 (flagged) */
	s.dtls.fp[0] = s.dtls.fp[1];
	s.dtls.nfp = 1;
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "only sha-1 fingerprints given, and agw.allow_sha1 is off"));
	s.dtls.allow_sha1 = true;
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), 0);
	assert_int_equal(t.dtls.fp[0].alg, 1);
	assert_int_equal(t.dtls.flags, IPC_RTP_DTLS_F_ALLOW_SHA1);
	released(c);
	/* no fingerprint: refused but when we offer; one with our offer
	 * refused (the answer brings them) */
	spec_dtls(&s, CP_AGW_DTLS_PEER_PASSIVE, 0, NULL);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs the peer's a=fingerprint"));
	spec_dtls(&s, CP_AGW_DTLS_OFFER, 0x11, NULL);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "come with its answer"));
	/* three of the strongest hash: more than dp checks */
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTIVE, 0x11, NULL);
	s.dtls.nfp = 3;
	s.dtls.fp[1] = s.dtls.fp[2] = s.dtls.fp[0];
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than 2 sha-256 fingerprints"));
	/* the termination's form: SRTP's profiles, rtcp-mux, no keys, a tls-id */
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTIVE, 0x11, NULL);
	s.term.profile = IPC_RTP_AVP;
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "RTP/SAVP or RTP/SAVPF"));
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTIVE, 0x11, NULL);
	s.term.flags = 0;
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs rtcp-mux"));
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTIVE, 0x11, NULL);
	s.term.srtp_rx.suite = 1;
	s.term.srtp_rx.key_len = 30;
	memset(s.term.srtp_rx.key, 0xab, 30);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "its handshake makes them"));
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTIVE, 0x11, "short");
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "RFC 8842"));
	spec_dtls(&s, CP_AGW_DTLS_PEER_PASSIVE + 1, 0x11, NULL);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	spec_dtls(&s, CP_AGW_DTLS_OFF, 0x11, NULL);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "without its setup"));
	/* two generations of our certificate kept: the one before for a
	 * termination offered under it */
	dtls_cert(2, 0xc2);
	assert_int_equal(cp_agw_rtp_dtls_cert(&cp, 1)->fp[0].md[0], 0xc1);
	assert_int_equal(cp_agw_rtp_dtls_cert(&cp, 2)->fp[0].md[0], 0xc2);
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTIVE, 0x11, NULL);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), 0);
	assert_int_equal(t.dtls.cert_gen, 2);
	released(c);
	dtls_cert(2, 0xc2);            /* (the same again: nothing moves) */
	assert_non_null(cp_agw_rtp_dtls_cert(&cp, 1));
	dtls_cert(3, 0xc3);
	assert_null(cp_agw_rtp_dtls_cert(&cp, 1));
	assert_non_null(cp_agw_rtp_dtls_cert(&cp, 2));
}

static void
test_dtls_associations(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_rtp_dtls d;
	struct cp_agw_rtp_mod md;
	struct cp_agw_ctx *c = NULL;
	struct ipc_rtp_term t;
	static struct ipc_msg m;
	const struct ipc_rtp_mod *mo = (const void *)m.body;
	char err[512], id1[33], id2[33];

	(void)state;
	dtls_cert(1, 0xc1);
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTPASS, 0x11, "aaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), 0);
	memcpy(id1, c->rtp.dtls[0].tls_id, sizeof(id1));
	/* RFC 8842 section 5: the same fingerprints and tls-id (an ICE
	 * restart beside them): the association kept, our tls-id too */
	d = s.dtls;
	memset(&md, 0, sizeof(md));
	md.dtls = &d;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(mo->t.dtls.assoc, 1);
	assert_int_equal(mo->t.dtls.role, IPC_RTP_DTLS_CLIENT);
	assert_string_equal(c->rtp.dtls[0].tls_id, id1);
	/* a new tls-id of the peer's: a new association, ours new too */
	snprintf(d.tls_id, sizeof(d.tls_id), "bbbbbbbbbbbbbbbbbbbb");
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(mo->t.dtls.assoc, 2);
	assert_string_not_equal(c->rtp.dtls[0].tls_id, id1);
	memcpy(id2, c->rtp.dtls[0].tls_id, sizeof(id2));
	/* a new fingerprint, the peer now active: another, in its roles */
	d.setup = CP_AGW_DTLS_PEER_ACTIVE;
	memset(d.fp[0].md, 0x12, 32);
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(mo->t.dtls.assoc, 3);
	assert_int_equal(mo->t.dtls.role, IPC_RTP_DTLS_SERVER);
	assert_int_equal(mo->t.dtls.fp[0].md[0], 0x12);
	assert_int_equal(c->rtp.dtls[0].setup, CP_AGW_DTLS_OUR_PASSIVE);
	assert_string_not_equal(c->rtp.dtls[0].tls_id, id2);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_DTLS_ASSOC], 2);
	/* DTLS can not be turned off, nor keys given to it, by a modify;
	 * nothing changes on a refusal */
	d.setup = CP_AGW_DTLS_OFF;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a subtract and an add"));
	d.setup = CP_AGW_DTLS_PEER_ACTIVE;
	d.nfp = 0;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), -EINVAL);
	assert_int_equal(c->rtp.term[0].dtls.assoc, 3);
	assert_false(to_dp(c->worker, &m));
	released(c);
	/* our offer (actpass, dp's EITHER), then the answer: the same
	 * association, dp verifies by the answer's fingerprints */
	spec_dtls(&s, CP_AGW_DTLS_OFFER, 0, NULL);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), 0);
	assert_int_equal(t.dtls.role, IPC_RTP_DTLS_EITHER);
	memcpy(id1, c->rtp.dtls[0].tls_id, sizeof(id1));
	memset(&d, 0, sizeof(d));
	d.setup = CP_AGW_DTLS_PEER_ACTIVE;
	d.nfp = 1;
	d.fp[0].alg = 2;
	d.fp[0].len = 32;
	memset(d.fp[0].md, 0x44, 32);
	snprintf(d.tls_id, sizeof(d.tls_id), "cccccccccccccccccccc");
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(mo->t.dtls.assoc, 1);
	assert_int_equal(mo->t.dtls.role, IPC_RTP_DTLS_SERVER);
	assert_int_equal(mo->t.dtls.nfp, 1);
	assert_int_equal(mo->t.dtls.fp[0].md[0], 0x44);
	assert_int_equal(c->rtp.dtls[0].setup, CP_AGW_DTLS_OUR_PASSIVE);
	assert_string_equal(c->rtp.dtls[0].tls_id, id1);
	assert_string_equal(c->rtp.dtls[0].peer_tls_id, "cccccccccccccccccccc");
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_DTLS_ASSOC], 2);
	/* ... and the same answer again keeps it */
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(mo->t.dtls.assoc, 1);
	released(c);
	/* turning DTLS on by a modify: refused */
	spec_rtp(&s, CP_AGW_RTP_SIDE_ACCESS, "10.0.0.7", 5004, false);
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), 0);
	d.setup = CP_AGW_DTLS_PEER_ACTIVE;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "has no DTLS-SRTP"));
}

/* What the observer heard of DTLS-SRTP. */
static struct ipc_rtp_event dheard;
static unsigned int ndheard;

static void
dobs(struct cp_ctx *cx, const struct cp_agw_ctx *x, const void *ev, void *arg)
{
	const struct ipc_rtp_event *e = ev;

	(void)cx;
	(void)x;
	(void)arg;
	if (e->type == CP_AGW_RTP_EV_DTLS_UP || e->type == CP_AGW_RTP_EV_DTLS_FAILED) {
		dheard = *e;
		ndheard++;
	}
}

/* dp's RTP_DTLS e of context id (worker w): through cp's handler, its
 * body read back wiped. */
static void
dtls_ev(uint64_t id, unsigned int w, const struct ipc_rtp_dtls_ev *e)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_DTLS;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*e);
	memcpy(m.body, e, sizeof(*e));
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, w, &m);
	assert_true(all_zero(m.body, sizeof(*e)));
}

static char *
metrics_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	agw_rtp_metrics(&cp, f);
	fclose(f);
	return buf;
}

static void
test_dtls_applied(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	struct ipc_rtp_dtls_ev e;
	static struct ipc_msg m;
	const struct ipc_rtp_ctx *x;
	struct json_object *j, *d;
	const struct cp_agw_event *l;
	uint64_t id;
	unsigned int w;
	char err[512], *txt;
	const char *js;

	(void)state;
	dtls_cert(1, 0xc1);
	assert_int_equal(cp_agw_observe(&cp, CP_AGW_KIND_RTP, dobs, NULL), 0);
	spec_dtls(&spec[0], CP_AGW_DTLS_PEER_ACTPASS, 0x11, NULL);
	spec[0].term.ice.mode = IPC_RTP_ICE_LITE;
	spec_rtp(&spec[1], CP_AGW_RTP_SIDE_CORE, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), 0);
	drain();
	id = c->id;
	w = c->worker;
	/* the handshake came up (dp took the client's role): the keys
	 * kept, flagged, the observers told, the log, the metrics */
	memset(&e, 0, sizeof(e));
	e.term = 0;
	e.state = IPC_RTP_DTLS_UP;
	e.role = IPC_RTP_DTLS_CLIENT;
	e.matched = 0;
	e.attempts = 1;
	e.serial = c->rtp.term[0].serial;
	e.version = 0xfefd;
	e.profile = 0x0001;
	e.assoc = 1;
	ip4(&e.peer, "10.0.0.70", 31000);
	e.seen.alg = 2;
	e.seen.len = 32;
	memset(e.seen.md, 0x11, 32);
	e.rx.suite = 1;
	e.rx.key_len = 30;
	memset(e.rx.key, 0x5a, 30);
	e.tx.suite = 1;
	e.tx.key_len = 30;
	memset(e.tx.key, 0xa5, 30);
	snprintf(e.cipher, sizeof(e.cipher), "ECDHE-ECDSA-AES128-GCM-SHA256");
	/* (first, a stale one: another serial, another association) */
	e.serial++;
	dtls_ev(id, w, &e);
	e.serial--;
	e.assoc = 7;
	dtls_ev(id, w, &e);
	e.assoc = 1;
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_DTLS_STALE], 2);
	assert_int_equal(c->rtp.dtls[0].state, 0);
	assert_int_equal(ndheard, 0);
	dtls_ev(id, w, &e);
	assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_UP);
	assert_int_equal(c->rtp.dtls[0].role, IPC_RTP_DTLS_CLIENT);
	assert_int_equal(c->rtp.dtls[0].profile, 0x0001);
	assert_int_equal(c->rtp.dtls[0].handshakes, 1);
	assert_string_equal(c->rtp.dtls[0].cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
	assert_int_equal(c->rtp.term[0].dtls.flags & IPC_RTP_DTLS_F_KEYS, IPC_RTP_DTLS_F_KEYS);
	assert_int_equal(c->rtp.term[0].srtp_rx.key_len, 30);
	assert_memory_equal(c->rtp.term[0].srtp_rx.key, e.rx.key, 30);
	assert_memory_equal(c->rtp.term[0].srtp_tx.key, e.tx.key, 30);
	assert_int_equal(ndheard, 1);
	assert_int_equal(dheard.type, CP_AGW_RTP_EV_DTLS_UP);
	assert_int_equal(dheard.term, 0);
	assert_int_equal(dheard.addr.port, 31000);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_DTLS_UP], 1);
	l = &cp.agw->log[(cp.agw->next_seq - 1) & (CP_AGW_LOG - 1)];
	j = agw_event_json(&cp, l);
	js = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE);
	assert_non_null(strstr(js, "\"type\":\"rtp_dtls_up\""));
	assert_non_null(strstr(js, "\"peer\":\"10.0.0.70:31000\""));
	json_object_put(j);
	txt = metrics_text();
	assert_non_null(strstr(txt, "turnpike_agw_dtls_handshakes_total{door=\"api\",tenant=\"default\","
			       "role=\"client\"} 1\n"));
	assert_non_null(strstr(txt, "turnpike_agw_dtls_handshakes_total{door=\"ng\",tenant=\"mvno-a\","
			       "role=\"server\"} 0\n"));
	assert_null(strstr(txt, "turnpike_agw_dtls_failures_total{"));
	free(txt);
	/* shown: the association, never a key (nor with keys asked) */
	j = agw_rtp_json(&cp, c, 1, true);
	js = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE);
	{
		char b64[64];

		agw_b64_encode(e.tx.key, 30, b64);
		assert_null(strstr(js, b64));
		agw_b64_encode(e.rx.key, 30, b64);
		assert_null(strstr(js, b64));
	}
	assert_true(json_object_object_get_ex(json_object_array_get_idx(
		json_object_object_get(j, "legs"), 0), "dtls", &d));
	assert_string_equal(json_object_get_string(json_object_object_get(d, "state")), "up");
	assert_string_equal(json_object_get_string(json_object_object_get(d, "setup")), "active");
	assert_string_equal(json_object_get_string(json_object_object_get(d, "srtp_profile")),
			    "SRTP_AES128_CM_SHA1_80");
	assert_non_null(strstr(json_object_get_string(json_object_object_get(d, "fingerprint")),
			       "sha-256 C1:C1:"));
	assert_true(json_object_get_boolean(json_object_object_get(d, "verified")));
	assert_null(json_object_object_get(json_object_array_get_idx(
		json_object_object_get(j, "legs"), 0), "our_crypto"));
	json_object_put(j);
	/* dp restarts: the RTP_ADD carries the association's keys (flagged),
	 * with their streams' positions, and no handshake is asked */
	cp_agw_dp_restart(&cp);
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	x = (const void *)m.body;
	assert_int_equal(x->term[0].dtls.flags & IPC_RTP_DTLS_F_KEYS, IPC_RTP_DTLS_F_KEYS);
	assert_int_equal(x->term[0].dtls.assoc, 1);
	assert_memory_equal(x->term[0].srtp_rx.key, e.rx.key, 30);
	assert_memory_equal(x->term[0].srtp_tx.key, e.tx.key, 30);
	assert_int_equal(x->term[0].srtp_tx.srtcp_index, 4096);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	/* ... and the SRTP positions are asked for, as SDES's */
	c->rtp.pos_due_ms = 0;
	drain();
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_STATS_REQ);
	/* a failure of a new association's handshake: why, dp's sentence */
	{
		struct cp_agw_rtp_dtls dd = spec[0].dtls;
		struct cp_agw_rtp_mod md;

		memset(&md, 0, sizeof(md));
		memset(dd.fp[0].md, 0x99, 32);
		md.dtls = &dd;
		assert_int_equal(cp_agw_modify(&cp, &op, id, 0, rmod(&md), err, sizeof(err)), 0);
		assert_int_equal(c->rtp.dtls[0].state, 0);
	}
	memset(&e, 0, sizeof(e));
	e.state = IPC_RTP_DTLS_FAILED;
	e.role = IPC_RTP_DTLS_CLIENT;
	e.why = 1;                   /* tls_fails.def: fingerprint_mismatch */
	e.matched = -1;
	e.attempts = 2;
	e.serial = c->rtp.term[0].serial;
	e.assoc = 2;
	e.detail_len = (uint16_t)snprintf(e.detail, sizeof(e.detail), "fingerprint_mismatch: the "
					  "peer's certificate is sha-256 11:11:..., none of the 1 "
					  "signalled");
	dtls_ev(id, w, &e);
	assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_FAILED);
	assert_int_equal(c->rtp.dtls[0].why, 1);
	assert_int_equal(c->rtp.dtls[0].failures, 1);
	assert_int_equal(ndheard, 2);
	assert_int_equal(dheard.type, CP_AGW_RTP_EV_DTLS_FAILED);
	assert_non_null(strstr(dheard.detail, "fingerprint_mismatch"));
	/* (the old association's keys: dp's still, and cp's) */
	assert_memory_equal(c->rtp.term[0].srtp_rx.key, "\x5a\x5a\x5a\x5a", 4);
	l = &cp.agw->log[(cp.agw->next_seq - 1) & (CP_AGW_LOG - 1)];
	j = agw_event_json(&cp, l);
	js = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE);
	assert_non_null(strstr(js, "\"type\":\"rtp_dtls_failed\""));
	assert_non_null(strstr(js, "\"reason\":\"fingerprint_mismatch\""));
	json_object_put(j);
	txt = metrics_text();
	assert_non_null(strstr(txt, "turnpike_agw_dtls_failures_total{door=\"api\",tenant=\"default\","
			       "reason=\"fingerprint_mismatch\"} 1\n"));
	free(txt);
	/* VERIFY_WAIT: a state, no event */
	memset(&e, 0, sizeof(e));
	e.state = IPC_RTP_DTLS_VERIFY_WAIT;
	e.role = IPC_RTP_DTLS_SERVER;
	e.matched = -1;
	e.serial = c->rtp.term[0].serial;
	e.assoc = 2;
	dtls_ev(id, w, &e);
	assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_VERIFY_WAIT);
	assert_int_equal(ndheard, 2);
	/* a restarted cp: RTP_STATE's keys make it up again, as far as cp
	 * can tell */
	{
		struct ipc_rtp_state *xs;

		memset(&m, 0, sizeof(m));
		m.h.kind = IPC_RTP_STATE;
		m.h.worker = (uint16_t)w;
		m.h.alloc_id = id;
		m.h.body_len = sizeof(*xs);
		xs = (void *)m.body;
		memcpy(xs->ctx.term, c->rtp.term, sizeof(xs->ctx.term));
		cp_agw_fini(&cp);
		memset(&cp.dp, 0, sizeof(cp.dp));
		assert_int_equal(cp_agw_init(&cp), 0);
		assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
		cp_handle(&cp, w, &m);
		c = cp_agw_lookup(&cp, &op, id);
		assert_non_null(c);
		assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_UP);
		assert_int_equal(c->rtp.dtls[0].setup, CP_AGW_DTLS_OUR_ACTIVE);
		assert_int_equal(c->rtp.dtls[0].peer_nfp, 1);
		assert_int_equal(c->rtp.dtls[1].setup, 0);
	}
	/* released: the keys go with the slot */
	released(c);
	assert_true(all_zero(&c->rtp.term[0], sizeof(c->rtp.term[0])));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_ports_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modify_subtract_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_and_dp_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srtp_polled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_confine_state, setup_quota, teardown),
		cmocka_unit_test_setup_teardown(test_address_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_held_until_fence_done, setup_fence,
						teardown),
		cmocka_unit_test_setup_teardown(test_reply_held_per_worker, setup_fence, teardown),
		cmocka_unit_test_setup_teardown(test_reply_held_bound_restart, setup_fence, teardown),
		cmocka_unit_test_setup_teardown(test_reply_held_ring_full_table_full, setup_fence,
						teardown),
		cmocka_unit_test_setup_teardown(test_keys_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_roles_fingerprints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_associations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_applied, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
