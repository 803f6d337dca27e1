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
#include "api/api.h"
#include "api/api_cmd.h"
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
static unsigned int media_contexts = 4;

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
	"    relay_ipv4 = [\"10.1.0.50\"]; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; media_ports = [40000, 40019];\n"
	"  media_contexts = %u; %s };\n"
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
	fprintf(f, conf_text, seg_name, media_contexts, conf_agw);
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

/* Room for a BUNDLE group of 9 sections' contexts on one worker. */
static int
setup_bundle(void **state)
{
	media_contexts = 10;
	return setup(state);
}

static int
teardown(void **state)
{
	(void)state;
	media_contexts = 4;
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

/* dp's message of kind from worker w about id (body len octets), valid
 * (ipc_msg_check()), through cp's handlers: the message as cp left it. */
static const struct ipc_msg *
from_dp(uint16_t kind, unsigned int w, uint64_t id, const void *body, size_t len)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = kind;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	m.h.body_len = (uint16_t)len;
	memcpy(m.body, body, len);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, w, &m);
	return &m;
}

static void
event(uint64_t id, unsigned int w, const struct ipc_rtp_event *e)
{
	(void)from_dp(IPC_RTP_EVENT, w, id, e, sizeof(*e));
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
	/* dp restarts again before the new one said where its streams stand:
	 * what we protect starts past where that one started (it goes on at
	 * once there, its sequence numbers shifted: none of its indices
	 * again); what we receive, SRTCP past the last again */
	cp_agw_dp_restart(&cp);
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	x = (const void *)m.body;
	assert_int_equal(x->term[0].srtp_rx.stream[0].roc, 2);
	assert_int_equal(x->term[0].srtp_rx.stream[0].seq, 500);
	assert_int_equal(x->term[0].srtp_tx.nstreams, 2);
	assert_int_equal(x->term[0].srtp_tx.stream[0].ssrc, 0x5678);
	assert_int_equal(x->term[0].srtp_tx.stream[0].roc, 0);
	assert_int_equal(x->term[0].srtp_tx.stream[0].seq, 900 + IPC_SRTP_POS_LAG);
	assert_int_equal(x->term[0].srtp_tx.stream[1].roc, 1);
	assert_int_equal(x->term[0].srtp_tx.stream[1].seq, 40 + IPC_SRTP_POS_LAG);
	assert_int_equal(x->term[0].srtp_tx.srtcp_index, 4 + 2 * 4096);
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

/*
 * The pair's mirror (docs/design/ha.md slice 7): a context read for the
 * peer (cp_agw_rtp_mirror_get()), held on the standby as the peer's
 * (cp_agw_rtp_mirror_put(): not in its dp, replaced whole by a newer
 * one, held to this box's addresses and ports), and at a takeover given
 * to dp as a restarted dp's context, each SRTP send stream ahead packets
 * past its mirrored position (then IPC_SRTP_POS_LAG in dp), its SRTCP
 * index ahead + CP_AGW_RTP_SRTCP_AHEAD past: no index twice under a key.
 */
static void
test_ha_mirror_takeover_advances_send_streams(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	static struct cp_agw_rtp_mirror mm, bad;
	static struct ipc_msg m;
	struct ipc_rtp_stats_msg s;
	const struct ipc_rtp_ctx *x;
	uint32_t tn;
	int64_t sent, inst;
	uint64_t id;
	unsigned int w;
	int k;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, "call-1",
				       CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	id = c->id;
	w = c->worker;
	drain();
	/* dp tells where its SRTP stands (an RTP_STATS of req 0) */
	memset(&s, 0, sizeof(s));
	s.found = 1;
	s.st[0].serial = 1;
	s.st[0].srtp_rx.nstreams = 1;
	s.st[0].srtp_rx.stream[0].ssrc = 0x1234;
	s.st[0].srtp_rx.stream[0].seq = 700;
	s.st[0].srtp_tx.nstreams = 1;
	s.st[0].srtp_tx.stream[0].ssrc = 0x5678;
	s.st[0].srtp_tx.stream[0].roc = 3;
	s.st[0].srtp_tx.stream[0].seq = 900;
	s.st[0].srtp_tx.srtcp_index = 4;
	s.st[0].latched = IPC_RTP_LATCHED_RTP;
	ip4(&s.st[0].rtp_src, "10.0.0.70", 31000);
	s.st[1].serial = 2;
	(void)from_dp(IPC_RTP_STATS, w, id, &s, sizeof(s));
	k = cp_agw_rtp_mirror_index(&cp, id);
	assert_true(k >= 0);
	assert_int_equal(cp_agw_rtp_mirror_get(&cp, (uint32_t)k, &mm), 0);
	assert_int_equal(mm.id, id);
	assert_string_equal(mm.label, "call-1");
	assert_memory_equal(mm.s.ctx.term, c->rtp.term, sizeof(mm.s.ctx.term));
	assert_int_equal(mm.s.st[0].srtp_tx.stream[0].seq, 900);
	assert_int_equal(mm.s.st[0].rtp_src.port, 31000);
	assert_int_equal(mm.s.st[0].rtp_in, 0);           /* (counters stay each box's) */
	/* this box's own: no mirror over it */
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &mm), -EBUSY);
	/* the context ends here; the standby's view: the peer's held */
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	released(c);
	drain();
	assert_null(cp_agw_lookup(&cp, &op, id));
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &mm), 0);
	assert_int_equal(cp_agw_rtp_mirror_held(&cp), 1);
	c = cp_agw_lookup(&cp, &op, id);
	assert_non_null(c);
	assert_int_equal(c->rtp.mirror, 1);
	assert_false(to_dp(w, &m));                        /* nothing to the passive dp */
	assert_int_equal(cp_agw_rtp_mirror_get(&cp, (uint32_t)k, &bad), -ENOENT);  /* not re-sent */
	/* a newer one replaces it whole */
	mm.s.st[0].srtp_tx.stream[0].seq = 1000;
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &mm), 0);
	assert_int_equal(cp_agw_rtp_mirror_held(&cp), 1);
	/* shapes this box forbids: an address not its own, a port of
	 * another worker's share, an id past its table */
	bad = mm;
	ip4(&bad.s.ctx.term[1].local, "10.9.9.9", bad.s.ctx.term[1].local.port);
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &bad), -EINVAL);
	bad = mm;
	bad.s.ctx.term[0].local.port = 1;
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &bad), -EINVAL);
	bad = mm;
	bad.id = ipc_conn_make(w, 1u << 20, ipc_conn_gen(id));
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &bad), -EINVAL);
	assert_int_equal(cp_agw_rtp_mirror_held(&cp), 1);
	/* takeover: to dp as a restarted dp's, our streams past the bound */
	assert_int_equal(cp_agw_rtp_takeover_figures(&cp, &tn, &sent, &inst), -ENOENT);
	assert_int_equal(cp_agw_rtp_mirror_takeover(&cp, 500), 1);
	assert_int_equal(cp_agw_rtp_mirror_held(&cp), 0);
	cp.seg.shm->dp_heartbeat_ms = cp.now_ms;
	cp_agw_serve(&cp, cp.now_ms);
	/* (a dp without FENCE: held once in its ring, in the same ms) */
	assert_int_equal(cp_agw_rtp_takeover_figures(&cp, &tn, &sent, &inst), 0);
	assert_int_equal(tn, 1);
	assert_int_equal(sent, 0);
	assert_int_equal(inst, 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	assert_int_equal(m.h.alloc_id, id);
	x = (const void *)m.body;
	assert_int_equal(x->term[0].remote.port, 31000);  /* the latched source */
	assert_int_equal(x->term[0].srtp_rx.stream[0].seq, 700);
	assert_int_equal(x->term[0].srtp_tx.stream[0].ssrc, 0x5678);
	assert_int_equal(x->term[0].srtp_tx.stream[0].roc, 3);
	assert_int_equal(x->term[0].srtp_tx.stream[0].seq, 1000 + 500);
	assert_int_equal(x->term[0].srtp_tx.srtcp_index, 4 + 500 + 4096);
	assert_memory_equal(x->term[0].srtp_tx.key, mm.s.ctx.term[0].srtp_tx.key, 30);
	/* cp's own figures past where that dp starts (IPC_SRTP_POS_LAG on) */
	assert_int_equal(c->rtp.st[0].srtp_tx.stream[0].seq, 1000 + 500 + IPC_SRTP_POS_LAG);
	/* its own now: read for the next standby */
	assert_int_equal(cp_agw_rtp_mirror_get(&cp, (uint32_t)k, &bad), 0);
	explicit_bzero(&mm, sizeof(mm));
	explicit_bzero(&bad, sizeof(bad));
}

/*
 * A box that steps down (a switchover, fenced; docs/design/ha.md §3.5)
 * yields its own contexts (cp_agw_rtp_mirror_yield()): each leaves dp (an
 * RTP_DEL, whose RELEASED is taken quietly: no observer, the context
 * still held), what the old dp says of it meanwhile is ignored, the new
 * active box's record replaces it (not -EBUSY), and the role back here
 * gives dp the peer's positions past the bound: not the ones this dp
 * stood at when it stepped down, which the peer has protected past since
 * (one index twice under a key). Without the yield the peer's record is
 * refused -EBUSY and the takeover gives dp nothing: the context stays in
 * dp at its old positions.
 */
static void
test_ha_mirror_yield_on_step_down(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	static struct cp_agw_rtp_mirror mm;
	static struct ipc_msg m;
	struct ipc_rtp_stats_msg s;
	struct ipc_rtp_event e;
	const struct ipc_rtp_ctx *x;
	uint64_t id;
	unsigned int w, n0;
	int k;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, "call-1",
				       CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	id = c->id;
	w = c->worker;
	drain();
	assert_int_equal(cp_agw_observe(&cp, CP_AGW_KIND_RTP, obs, NULL), 0);
	/* this box active: dp says where its send stream stands */
	memset(&s, 0, sizeof(s));
	s.found = 1;
	s.st[0].serial = 1;
	s.st[0].srtp_tx.nstreams = 1;
	s.st[0].srtp_tx.stream[0].ssrc = 0x5678;
	s.st[0].srtp_tx.stream[0].seq = 900;
	s.st[0].srtp_tx.srtcp_index = 4;
	s.st[1].serial = 2;
	(void)from_dp(IPC_RTP_STATS, w, id, &s, sizeof(s));
	k = cp_agw_rtp_mirror_index(&cp, id);
	assert_true(k >= 0);
	assert_int_equal(cp_agw_rtp_mirror_get(&cp, (uint32_t)k, &mm), 0);
	/* it steps down: the context out of dp, held as the peer's */
	assert_int_equal(cp_agw_rtp_mirror_yield(&cp), 1);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_DEL);
	assert_int_equal(m.h.alloc_id, id);
	assert_false(to_dp(w, &m));
	assert_int_equal(cp_agw_rtp_mirror_held(&cp), 1);
	assert_int_equal(cp_agw_rtp_mirror_yield(&cp), 0);           /* (once) */
	/* the old dp's late figures (past where cp heard it, behind the
	 * peer's): not taken */
	s.st[0].srtp_tx.stream[0].seq = 950;
	(void)from_dp(IPC_RTP_STATS, w, id, &s, sizeof(s));
	assert_int_equal(c->rtp.st[0].srtp_tx.stream[0].seq, 900);
	/* the new active box's record, its stream past ours: applied */
	mm.s.st[0].srtp_tx.stream[0].seq = 2000;
	mm.s.st[0].srtp_tx.srtcp_index = 40;
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &mm), 0);
	assert_int_equal(cp_agw_rtp_mirror_held(&cp), 1);
	/* the old dp's RELEASED of the yield: quiet (no observer, still held) */
	n0 = nheard;
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_RELEASED;
	e.term = IPC_RTP_TERM_NONE;
	e.cause = IPC_AGW_CONTROLLER;
	event(id, w, &e);
	assert_int_equal(nheard, n0);
	c = cp_agw_lookup(&cp, &op, id);
	assert_non_null(c);
	assert_int_equal(c->rtp.mirror, 1);
	assert_int_equal(c->rtp.yielded, 0);
	/* the role back here: dp gets the peer's positions past the bound */
	assert_int_equal(cp_agw_rtp_mirror_takeover(&cp, 500), 1);
	cp.seg.shm->dp_heartbeat_ms = cp.now_ms;
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	assert_int_equal(m.h.alloc_id, id);
	x = (const void *)m.body;
	assert_int_equal(x->term[0].srtp_tx.stream[0].ssrc, 0x5678);
	assert_int_equal(x->term[0].srtp_tx.stream[0].seq, 2000 + 500);
	assert_int_equal(x->term[0].srtp_tx.srtcp_index, 40 + 500 + 4096);
	/* a RELEASED now is the new dp's own: the context ends */
	event(id, w, &e);
	assert_int_equal(nheard, n0 + 1);
	assert_null(cp_agw_lookup(&cp, &op, id));
	explicit_bzero(&mm, sizeof(mm));
}

/* Fills worker w's ring to dp as far as agw_send() may go (dp not
 * reading): the fillers put in. */
static unsigned int
ring_fill(unsigned int w)
{
	static struct ipc_msg filler;
	unsigned int n = 0;

	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_SYNC;
	while (cp_dp_room(&cp, w, 1, CP_RING_HEADROOM)) {
		assert_int_equal(ipc_ring_enqueue(&ipc_worker(&cp.seg, w)->to_dp, &filler), 0);
		n++;
	}
	return n;
}

/* dp reads worker w's ring past the fillers: the first other message
 * (false: none). */
static bool
past_fillers(unsigned int w, struct ipc_msg *m)
{
	while (to_dp(w, m))
		if (m->h.kind != IPC_SYNC)
			return true;
	return false;
}

/*
 * docs/design/ha.md §4, S3: a box steps down while the ring to dp is
 * full. The context is held as the peer's at once (its RTP_DEL waits in
 * the yield's backlog, sent from the loop before anything else to that
 * worker), the new active box's record over it is taken (not -EBUSY),
 * and the role back here before the ring drains takes it as held: dp
 * first loses the stale context (the RTP_DEL, even when the ring has
 * room for one message only), then gets the peer's positions past the
 * bound, never the ones it stood at (an index twice under a key, RFC
 * 3711 §9.1). Before the fix the yield skipped it until the next
 * heartbeat: the record was refused -EBUSY, the takeover found nothing
 * held, and dp went on at its stale position.
 */
static void
test_ha_mirror_yield_ring_full_role_back(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	static struct cp_agw_rtp_mirror mm;
	static struct ipc_msg m;
	struct ipc_rtp_stats_msg s;
	struct ipc_rtp_event e;
	const struct ipc_rtp_ctx *x;
	uint64_t id;
	unsigned int w, n, n0;
	int k;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, "call-1",
				       CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	id = c->id;
	w = c->worker;
	drain();
	assert_int_equal(cp_agw_observe(&cp, CP_AGW_KIND_RTP, obs, NULL), 0);
	memset(&s, 0, sizeof(s));
	s.found = 1;
	s.st[0].serial = 1;
	s.st[0].srtp_tx.nstreams = 1;
	s.st[0].srtp_tx.stream[0].ssrc = 0x5678;
	s.st[0].srtp_tx.stream[0].seq = 900;
	s.st[0].srtp_tx.srtcp_index = 4;
	s.st[1].serial = 2;
	(void)from_dp(IPC_RTP_STATS, w, id, &s, sizeof(s));
	k = cp_agw_rtp_mirror_index(&cp, id);
	assert_true(k >= 0);
	assert_int_equal(cp_agw_rtp_mirror_get(&cp, (uint32_t)k, &mm), 0);
	/* dp not reading: the ring to its worker full; the box steps down */
	assert_true(ring_fill(w) > 0);
	n = cp_agw_rtp_mirror_yield(&cp);
	/* the new active box's record, its stream past ours: applied */
	mm.s.st[0].srtp_tx.stream[0].seq = 2000;
	mm.s.st[0].srtp_tx.srtcp_index = 40;
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &mm), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cp_agw_rtp_mirror_held(&cp), 1);
	assert_int_equal(cp_agw_rtp_mirror_yield_pending(&cp), 1);
	assert_int_equal(cp_agw_rtp_mirror_yield(&cp), 0);           /* (once) */
	/* the old dp's late figures: not taken */
	s.st[0].srtp_tx.stream[0].seq = 950;
	(void)from_dp(IPC_RTP_STATS, w, id, &s, sizeof(s));
	c = cp_agw_lookup(&cp, &op, id);
	assert_non_null(c);
	assert_int_equal(c->rtp.st[0].srtp_tx.stream[0].seq, 2000);
	/* the role back here, the ring still full: taken as held */
	assert_int_equal(cp_agw_rtp_mirror_takeover(&cp, 500), 1);
	cp.seg.shm->dp_heartbeat_ms = cp.now_ms;
	cp_agw_serve(&cp, cp.now_ms);
	/* dp reads one message: the room for one goes to the RTP_DEL */
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_SYNC);
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(past_fillers(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_DEL);
	assert_int_equal(m.h.alloc_id, id);
	assert_false(to_dp(w, &m));
	assert_int_equal(cp_agw_rtp_mirror_yield_pending(&cp), 0);
	/* then the context at the peer's positions past the bound */
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	assert_int_equal(m.h.alloc_id, id);
	x = (const void *)m.body;
	assert_int_equal(x->term[0].srtp_tx.stream[0].ssrc, 0x5678);
	assert_int_equal(x->term[0].srtp_tx.stream[0].seq, 2000 + 500);
	assert_int_equal(x->term[0].srtp_tx.srtcp_index, 40 + 500 + 4096);
	assert_false(to_dp(w, &m));
	/* the old one's RELEASED: quiet; the next is the new one's */
	n0 = nheard;
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_RELEASED;
	e.term = IPC_RTP_TERM_NONE;
	e.cause = IPC_AGW_CONTROLLER;
	event(id, w, &e);
	assert_int_equal(nheard, n0);
	c = cp_agw_lookup(&cp, &op, id);
	assert_non_null(c);
	assert_int_equal(c->rtp.mirror, 0);
	assert_int_equal(c->rtp.yielded, 0);
	event(id, w, &e);
	assert_int_equal(nheard, n0 + 1);
	assert_null(cp_agw_lookup(&cp, &op, id));
	explicit_bzero(&mm, sizeof(mm));
}

/*
 * The yield's backlog (S3) against what ends a held context: the peer's
 * tombstone ends it here (0, not -EBUSY) yet its RTP_DEL still goes (dp
 * holds the stale one); a dp restart empties the backlog (the new dp
 * holds none) and what a RELEASED would have ended is forgotten.
 */
static void
test_ha_mirror_yield_backlog_tombstone_dp_restart(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	static struct ipc_msg m;
	uint64_t id;
	unsigned int w;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, "call-1",
				       CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	id = c->id;
	w = c->worker;
	drain();
	assert_true(ring_fill(w) > 0);
	(void)cp_agw_rtp_mirror_yield(&cp);
	assert_int_equal(cp_agw_rtp_mirror_del(&cp, id), 0);
	assert_null(cp_agw_lookup(&cp, &op, id));
	assert_int_equal(cp_agw_rtp_mirror_held(&cp), 0);
	cp.seg.shm->dp_heartbeat_ms = cp.now_ms;
	assert_false(past_fillers(w, &m));
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_DEL);
	assert_int_equal(m.h.alloc_id, id);
	assert_false(to_dp(w, &m));
	/* another, yielded with the ring full, then dp restarts */
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, "call-2",
				       CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	id = c->id;
	w = c->worker;
	drain();
	assert_true(ring_fill(w) > 0);
	assert_int_equal(cp_agw_rtp_mirror_yield(&cp), 1);
	assert_int_equal(cp_agw_rtp_mirror_yield_pending(&cp), 1);
	cp_agw_dp_restart(&cp);
	assert_int_equal(cp_agw_rtp_mirror_yield_pending(&cp), 0);
	c = cp_agw_lookup(&cp, &op, id);
	assert_non_null(c);
	assert_int_equal(c->rtp.mirror, 1);
	assert_int_equal(c->rtp.yielded, 0);
	assert_false(past_fillers(w, &m));
	cp_agw_serve(&cp, cp.now_ms);
	assert_false(to_dp(w, &m));                        /* nothing: held, in no dp */
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

/*
 * The takeover's install as status shows it (ha.takeover, perf/ha_ctx_scale,
 * RESULTS.md T46): from the role turning active, sent_ms once the last
 * RTP_ADD is in a ring (a full ring puts it off), installed_ms once dp
 * answers the FENCE behind it; each -1 until then.
 */
static void
test_ha_takeover_figures(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	static struct cp_agw_rtp_mirror mm;
	static struct ipc_msg m;
	uint64_t id, v = 0;
	uint32_t tn = 0;
	int64_t sent = 0, inst = 0;
	unsigned int w;
	int k;
	char err[256];

	(void)state;
	spec_rtp(&spec[0], 0, "10.0.0.7", 5004, true);
	spec_rtp(&spec[1], 0, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, "call-1",
				       CP_AGW_DOOR_API, 0, &c, err, sizeof(err)), 0);
	id = c->id;
	w = c->worker;
	drain();
	k = cp_agw_rtp_mirror_index(&cp, id);
	assert_true(k >= 0);
	assert_int_equal(cp_agw_rtp_mirror_get(&cp, (uint32_t)k, &mm), 0);
	/* the standby's view: the peer's context held, not in dp */
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	released(c);
	drain();
	assert_int_equal(cp_agw_rtp_mirror_put(&cp, &mm), 0);
	assert_int_equal(cp_agw_rtp_takeover_figures(&cp, &tn, &sent, &inst), -ENOENT);
	/* the role turns active with the ring to dp full */
	assert_true(ring_fill(w) > 0);
	cp.now_ms += 100;
	assert_int_equal(cp_agw_rtp_mirror_takeover(&cp, 500), 1);
	cp.seg.shm->dp_heartbeat_ms = cp.now_ms;
	cp_agw_serve(&cp, cp.now_ms);
	assert_int_equal(cp_agw_rtp_takeover_figures(&cp, &tn, &sent, &inst), 0);
	assert_int_equal(tn, 1);
	assert_int_equal(sent, -1);
	assert_int_equal(inst, -1);
	/* dp reads its ring 7 ms later: the RTP_ADD goes, a FENCE behind it */
	assert_false(past_fillers(w, &m));
	cp.now_ms += 7;
	cp.seg.shm->dp_heartbeat_ms = cp.now_ms;
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	assert_int_equal(m.h.alloc_id, id);
	assert_int_equal(fences(w, &v), 1);
	assert_int_equal(cp_agw_rtp_takeover_figures(&cp, &tn, &sent, &inst), 0);
	assert_int_equal(sent, 7);
	assert_int_equal(inst, -1);
	/* dp's word 3 ms after: it holds them all */
	cp.now_ms += 3;
	fence_done(w, v);
	assert_int_equal(cp_agw_rtp_takeover_figures(&cp, &tn, &sent, &inst), 0);
	assert_int_equal(tn, 1);
	assert_int_equal(sent, 7);
	assert_int_equal(inst, 10);
	explicit_bzero(&mm, sizeof(mm));
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
static char *metrics_text(void);

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
	{
		char *txt = metrics_text();

		/* by the context's door and tenant (the JSON door's, tenant 0) */
		assert_non_null(strstr(txt, "turnpike_agw_ice_consent_lost_total{door=\"api\","
				       "tenant=\"default\"} 1\n"));
		assert_non_null(strstr(txt, "turnpike_agw_ice_consent_lost_total{door=\"ng\","
				       "tenant=\"default\"} 0\n"));
		free(txt);
	}
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
	struct ipc_dtls_cert x;

	memset(&x, 0, sizeof(x));
	x.gen = gen;
	x.nfp = 1;
	x.fp[0].alg = 2;
	x.fp[0].len = 32;
	memset(x.fp[0].md, b, 32);
	(void)from_dp(IPC_DTLS_CERT, 0, 0, &x, sizeof(x));
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

/* RFC 8842's rule for a peer without a=tls-id, as every door asks it of
 * cp/agw (cp_agw_rtp_dtls_renew()): a new ufrag (or a pwd the door saw
 * change) after a known one renews; the first one heard, none now, a
 * tls-id given, no DTLS: not. */
static void
test_dtls_renew_rule(void **state)
{
	struct cp_agw_rtp_dtls d;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.setup = CP_AGW_DTLS_PEER_ACTPASS;
	cp_agw_rtp_dtls_renew(&d, "aIoc", 4, "aIoc", 4, false);
	assert_false(d.renew);
	cp_agw_rtp_dtls_renew(&d, "aIoc", 4, "aIocX", 5, false);
	assert_true(d.renew);
	d.renew = false;
	cp_agw_rtp_dtls_renew(&d, "aIoc", 4, "rEst", 4, false);
	assert_true(d.renew);
	d.renew = false;
	cp_agw_rtp_dtls_renew(&d, "aIoc", 4, "aIoc", 4, true);
	assert_true(d.renew);
	d.renew = false;
	cp_agw_rtp_dtls_renew(&d, "", 0, "rEst", 4, true);      /* (the answer to our offer) */
	assert_false(d.renew);
	cp_agw_rtp_dtls_renew(&d, "aIoc", 4, NULL, 0, true);   /* (it stopped ICE) */
	assert_false(d.renew);
	snprintf(d.tls_id, sizeof(d.tls_id), "cccccccccccccccccccc");
	cp_agw_rtp_dtls_renew(&d, "aIoc", 4, "rEst", 4, true);
	assert_false(d.renew);
	memset(&d, 0, sizeof(d));
	cp_agw_rtp_dtls_renew(&d, "aIoc", 4, "rEst", 4, true);
	assert_false(d.renew);
}

/* The JSON door's agw.modify_leg (cmd_modify_leg) applies that rule: the
 * peer's "dtls" again, without "tls_id", with an "ice_peer_ufrag" other
 * than the one the leg holds, starts a new association (a new handshake,
 * our tls-id new); the same ufrag keeps it; a peer that gives a tls-id is
 * judged by it alone (RFC 8842 section 5). */
static void
test_dtls_json_renew(void **state)
{
	static struct cp_api api;
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *c = NULL;
	struct ipc_rtp_term t;
	static struct ipc_msg m;
	const struct ipc_rtp_mod *mo = (const void *)m.body;
	const struct cp_api_cmd *modify = NULL;
	char err[512], id1[33], fp[160], req[512];
	static const char *const steps[][2] = {
		/* ice_peer_ufrag, tls_id ("": none) */
		{ "aIoc", "" },
		{ "rEst", "" },
		{ "rEst", "cccccccccccccccccccc" },
		{ "nEw1", "cccccccccccccccccccc" },
	};
	static const uint32_t assoc[] = { 1, 2, 3, 3 };

	(void)state;
	memset(&api, 0, sizeof(api));
	cp.api = &api;
	assert_int_equal(cp_agw_register(&cp), 0);
	for (unsigned int i = 0; i < api.ncmds; i++)
		if (strcmp(api.cmds[i].name, "agw.modify_leg") == 0)
			modify = &api.cmds[i];
	assert_non_null(modify);
	dtls_cert(1, 0xc1);
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTPASS, 0x11, NULL);
	s.term.ice.mode = IPC_RTP_ICE_LITE;
	memcpy(s.term.ice.peer_ufrag, "aIoc", 4);
	s.term.ice.peer_ufrag_len = 4;
	assert_int_equal(dtls_create(&s, &c, &t, err, sizeof(err)), 0);
	assert_int_equal(t.dtls.assoc, 1);
	strcpy(fp, "sha-256 11");
	for (unsigned int k = 1; k < 32; k++)
		strcat(fp, ":11");
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		struct json_object *rq, *resp = json_object_new_object();
		const char *error = NULL;
		char tid[64] = "";

		if (steps[k][1][0] != '\0')
			snprintf(tid, sizeof(tid), ", \"tls_id\": \"%s\"", steps[k][1]);
		snprintf(req, sizeof(req), "{\"id\": %llu, \"leg\": 0, \"ice_peer_ufrag\": \"%s\", "
			 "\"dtls\": {\"setup\": \"actpass\", \"fingerprints\": [\"%s\"]%s}}",
			 (unsigned long long)c->id, steps[k][0], fp, tid);
		rq = json_tokener_parse(req);
		assert_non_null(rq);
		memcpy(id1, c->rtp.dtls[0].tls_id, sizeof(id1));
		api.role_now = CP_API_ROLE_OPERATOR;
		if (modify->fn(modify->ctx, rq, resp, &error) != 0)
			fail_msg("step %zu: %s", k, error != NULL ? error : "?");
		api.role_now = 0;
		json_object_put(rq);
		json_object_put(resp);
		assert_true(to_dp(c->worker, &m));
		assert_int_equal(m.h.kind, IPC_RTP_MOD);
		if (mo->t.dtls.assoc != assoc[k])
			fail_msg("step %zu: association %u, want %u", k, mo->t.dtls.assoc, assoc[k]);
		if (k > 0 && assoc[k] != assoc[k - 1])
			assert_string_not_equal(c->rtp.dtls[0].tls_id, id1);
		else
			assert_string_equal(c->rtp.dtls[0].tls_id, id1);
		assert_int_equal(c->rtp.term[0].ice.peer_ufrag_len, 4);
		assert_memory_equal(c->rtp.term[0].ice.peer_ufrag, steps[k][0], 4);
		while (to_dp(c->worker, &m))
			;
	}
	cp.api = NULL;
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
	/* the same again under renew (the door's word: RFC 8842's rule for
	 * a peer without tls-id): another, our tls-id new */
	memcpy(id2, c->rtp.dtls[0].tls_id, sizeof(id2));
	d.renew = true;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(c->worker, &m));
	assert_int_equal(mo->t.dtls.assoc, 4);
	assert_string_not_equal(c->rtp.dtls[0].tls_id, id2);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_DTLS_ASSOC], 3);
	d.renew = false;
	/* DTLS can not be turned off, nor keys given to it, by a modify;
	 * nothing changes on a refusal */
	d.setup = CP_AGW_DTLS_OFF;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a subtract and an add"));
	d.setup = CP_AGW_DTLS_PEER_ACTIVE;
	d.nfp = 0;
	assert_int_equal(cp_agw_modify(&cp, &op, c->id, 0, rmod(&md), err, sizeof(err)), -EINVAL);
	assert_int_equal(c->rtp.term[0].dtls.assoc, 4);
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
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_DTLS_ASSOC], 3);
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
	assert_true(all_zero(from_dp(IPC_RTP_DTLS, w, id, e, sizeof(*e))->body, sizeof(*e)));
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
	/* dp restarts while the new association has not come up: the old
	 * one's keys are not given (the peer handshakes for the new one) */
	{
		struct ipc_rtp_state *xs;

		memset(&m, 0, sizeof(m));
		m.h.kind = IPC_RTP_STATE;
		m.h.worker = (uint16_t)w;
		m.h.alloc_id = id;
		m.h.body_len = sizeof(*xs);
		xs = (void *)m.body;
		memcpy(xs->ctx.term, c->rtp.term, sizeof(xs->ctx.term));
		drain();
		cp_agw_dp_restart(&cp);
		cp_agw_serve(&cp, cp.now_ms);
		{
			static struct ipc_msg a;

			assert_true(to_dp(w, &a));
			assert_int_equal(a.h.kind, IPC_RTP_ADD);
			x = (const void *)a.body;
			assert_int_equal(x->term[0].dtls.assoc, 2);
			assert_int_equal(x->term[0].dtls.flags & IPC_RTP_DTLS_F_KEYS, 0);
			assert_true(all_zero(&x->term[0].srtp_rx, sizeof(x->term[0].srtp_rx)));
			assert_true(all_zero(&x->term[0].srtp_tx, sizeof(x->term[0].srtp_tx)));
		}
		/* a restarted cp (before that): RTP_STATE's keys make it up
		 * again, as far as cp can tell */
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

/*
 * A restarted cp (RFC 8842 §5): the context rebuilt from dp's RTP_STATE
 * answers a re-offer that keeps the peer's fingerprints and tls-id with
 * our tls-id and setup as before, and the association is kept (assoc
 * the same, no new one counted, dp's keys stay); the peer's sha-1 line
 * beside its sha-256 one does not make it another. A new tls-id of the
 * peer's then starts a new one, ours new.
 */
static void
test_dtls_restored_keeps_association(void **state)
{
	struct cp_agw_rtp_spec spec[2];
	struct cp_agw_rtp_dtls d;
	struct cp_agw_rtp_mod md;
	struct cp_agw_ctx *c = NULL;
	struct ipc_rtp_dtls_ev e;
	struct ipc_rtp_state *xs;
	static struct ipc_msg m, s;
	const struct ipc_rtp_mod *mo = (const void *)m.body;
	struct json_object *j, *dj;
	uint64_t id;
	unsigned int w;
	char err[512], ours[33];

	(void)state;
	dtls_cert(1, 0xc1);
	spec_dtls(&spec[0], CP_AGW_DTLS_PEER_ACTPASS, 0x11, "PeerTlsIdOfTheBrowser0001");
	spec[0].dtls.nfp = 2;
	spec[0].dtls.fp[1].alg = 1;
	spec[0].dtls.fp[1].len = 20;
	memset(spec[0].dtls.fp[1].md, 0x22, 20);
	spec_rtp(&spec[1], CP_AGW_RTP_SIDE_CORE, "10.1.0.9", 6000, false);
	assert_int_equal(cp_agw_create(&cp, rtp2(spec), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, &c, err, sizeof(err)), 0);
	drain();
	id = c->id;
	w = c->worker;
	memcpy(ours, c->rtp.dtls[0].tls_id, sizeof(ours));
	assert_int_equal(strlen(ours), 32);
	/* the handshake came up: dp holds the association's keys */
	memset(&e, 0, sizeof(e));
	e.state = IPC_RTP_DTLS_UP;
	e.role = IPC_RTP_DTLS_CLIENT;
	e.serial = c->rtp.term[0].serial;
	e.version = 0xfefd;
	e.profile = 0x0001;
	e.assoc = 1;
	e.rx.suite = 1;
	e.rx.key_len = 30;
	memset(e.rx.key, 0x5a, 30);
	e.tx.suite = 1;
	e.tx.key_len = 30;
	memset(e.tx.key, 0xa5, 30);
	dtls_ev(id, w, &e);
	assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_UP);
	/* cp restarts: its SYNC gets the context back as dp holds it */
	memset(&s, 0, sizeof(s));
	s.h.kind = IPC_RTP_STATE;
	s.h.worker = (uint16_t)w;
	s.h.alloc_id = id;
	s.h.body_len = sizeof(*xs);
	xs = (void *)s.body;
	memcpy(xs->ctx.term, c->rtp.term, sizeof(xs->ctx.term));
	cp_agw_fini(&cp);
	memset(&cp.dp, 0, sizeof(cp.dp));
	assert_int_equal(cp_agw_init(&cp), 0);
	dtls_cert(1, 0xc1);
	assert_int_equal(ipc_msg_check(&s, IPC_DP2CP), 0);
	cp_handle(&cp, w, &s);
	c = cp_agw_lookup(&cp, &op, id);
	assert_non_null(c);
	/* ours as before, for the answer */
	assert_string_equal(c->rtp.dtls[0].tls_id, ours);
	assert_int_equal(c->rtp.dtls[0].setup, CP_AGW_DTLS_OUR_ACTIVE);
	assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_UP);
	j = agw_rtp_json(&cp, c, 1, false);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(
		json_object_object_get(j, "legs"), 0), "dtls", &dj));
	assert_string_equal(json_object_get_string(json_object_object_get(dj, "tls_id")), ours);
	assert_non_null(strstr(json_object_get_string(json_object_object_get(dj, "fingerprint")),
			       "sha-256 C1:C1:"));
	json_object_put(j);
	/* the browser's re-offer (an ICE restart's) keeps its fingerprints
	 * and tls-id: the association kept, answered with our tls-id */
	d = spec[0].dtls;
	memset(&md, 0, sizeof(md));
	md.dtls = &d;
	drain();
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_MOD);
	assert_int_equal(mo->t.dtls.assoc, 1);
	assert_int_equal(mo->t.dtls.role, IPC_RTP_DTLS_CLIENT);
	assert_int_equal(mo->t.dtls.flags & IPC_RTP_DTLS_F_KEYS, IPC_RTP_DTLS_F_KEYS);
	assert_string_equal(c->rtp.dtls[0].tls_id, ours);
	assert_int_equal(c->rtp.dtls[0].setup, CP_AGW_DTLS_OUR_ACTIVE);
	assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_UP);
	assert_string_equal(c->rtp.dtls[0].peer_tls_id, "PeerTlsIdOfTheBrowser0001");
	assert_int_equal(c->rtp.dtls[0].peer_nfp, 2);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_DTLS_ASSOC], 0);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	/* another tls-id of the peer's: a new association, ours new */
	snprintf(d.tls_id, sizeof(d.tls_id), "PeerTlsIdOfTheBrowser0002");
	assert_int_equal(cp_agw_modify(&cp, &op, id, 0, rmod(&md), err, sizeof(err)), 0);
	assert_true(to_dp(w, &m));
	assert_int_equal(mo->t.dtls.assoc, 2);
	assert_string_not_equal(c->rtp.dtls[0].tls_id, ours);
	assert_int_equal(strlen(c->rtp.dtls[0].tls_id), 32);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_DTLS_ASSOC], 1);
	released(c);
}

/* ---- BUNDLE (RFC 9143; cp_agw_rtp.h): owners and members ---- */

/* The access termination of a BUNDLE section (SAVPF, rtcp-mux): with 0,
 * an owner (its remote, its keys, MID extension 1); else a member of
 * with's termination 0 (no remote or key: the door's latching default
 * set, which cp clears); its mid, one payload type, an SSRC (0: none). */
static void
spec_bundle(struct cp_agw_rtp_spec *s, uint64_t with, const char *mid, unsigned int pt,
	    uint32_t ssrc)
{
	if (with == 0) {
		spec_rtp(s, CP_AGW_RTP_SIDE_ACCESS, "10.0.0.7", 5004, true);
	} else {
		memset(s, 0, sizeof(*s));
		s->side = CP_AGW_RTP_SIDE_ACCESS;
		s->term.mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
		s->term.latch = IPC_RTP_LATCH_RELATCH;
		s->term.srtp_rx.suite = 1;
		s->term.srtp_tx.suite = 1;
	}
	s->term.profile = IPC_RTP_SAVPF;
	s->term.flags |= IPC_RTP_F_MUX;
	snprintf(s->bundle.mid, sizeof(s->bundle.mid), "%s", mid);
	s->bundle.with = with;
	s->bundle.mid_ext = with == 0 ? 1 : 0;
	s->bundle.pt[pt / 8] |= (uint8_t)(1u << (pt % 8));
	if (ssrc != 0) {
		s->bundle.nssrc = 1;
		s->bundle.ssrc[0] = ssrc;
	}
}

/* A context of the section s (its access termination) and, with core, a
 * core termination (AVP, a port pair), of door and tenant. */
static int
bundle_ctx(const struct cp_agw_rtp_spec *s, bool core, enum cp_agw_door door, unsigned int tenant,
	   struct cp_agw_ctx **out, char *err, size_t errlen)
{
	struct cp_agw_rtp_spec two[2];

	two[0] = *s;
	if (core)
		spec_rtp(&two[1], CP_AGW_RTP_SIDE_CORE, "10.1.0.9", 6000, false);
	else
		memset(&two[1], 0, sizeof(two[1]));
	return cp_agw_create(&cp, rtp2(two), CP_AGW_SETUP_DEFAULT, NULL, door, tenant, out, err,
			     errlen);
}

/* The RTP_ADD or RTP_DEL next in worker w's ring, checked as dp checks
 * it (ipc_msg_check()): its kind and context. */
static void
next_to_dp(unsigned int w, uint16_t kind, uint64_t id, struct ipc_msg *m)
{
	assert_true(to_dp(w, m));
	assert_int_equal(ipc_msg_check(m, IPC_CP2DP), 0);
	assert_int_equal(m->h.kind, kind);
	assert_int_equal(m->h.alloc_id, id);
}

/*
 * A member is made on its owner's worker (the least loaded is the other
 * one), its access termination with no port, address, remote, latching,
 * ICE, DTLS or key octet (the owner's suites, every octet 0), its core
 * termination a port pair of that worker; RTP_ADD carries
 * ipc_rtp_bundle's fields and passes ipc_msg_check(); the owner counts
 * it; agw show says both sides.
 */
static void
test_bundle_member_placed(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *o = NULL, *m = NULL;
	static struct ipc_msg msg;
	const struct ipc_rtp_ctx *x;
	const struct ipc_rtp_term *t;
	struct json_object *j, *b, *v;
	uint16_t lo, hi;
	char err[256];

	(void)state;
	spec_bundle(&s, 0, "0", 0, 0x1111);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	next_to_dp(o->worker, IPC_RTP_ADD, o->id, &msg);
	x = (const void *)msg.body;
	assert_int_equal(x->term[0].bundle.role, IPC_RTP_BUNDLE_OWNER);
	assert_int_equal(x->term[0].bundle.mid_len, 1);
	assert_memory_equal(x->term[0].bundle.mid, "0", 1);
	assert_int_equal(x->term[0].bundle.mid_ext, 1);
	assert_int_equal(x->term[0].bundle.pt[0], 1);
	assert_int_equal(x->term[0].bundle.nssrc, 1);
	assert_int_equal(x->term[0].bundle.ssrc[0], 0x1111);
	assert_int_equal(x->term[0].bundle.owner, 0);
	assert_int_equal(x->term[1].bundle.role, IPC_RTP_BUNDLE_NONE);
	assert_int_not_equal(x->term[0].local.port, 0);
	spec_bundle(&s, o->id, "1", 96, 0x2222);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &m, err, sizeof(err)), 0);
	/* the owner's worker, not the least loaded one */
	assert_int_equal(m->worker, o->worker);
	assert_false(to_dp(o->worker ^ 1u, &msg));
	next_to_dp(m->worker, IPC_RTP_ADD, m->id, &msg);
	x = (const void *)msg.body;
	t = &x->term[0];
	assert_int_equal(t->bundle.role, IPC_RTP_BUNDLE_MEMBER);
	assert_int_equal(t->bundle.owner, o->id);
	assert_int_equal(t->bundle.owner_term, 0);
	assert_int_equal(t->bundle.mid_len, 1);
	assert_memory_equal(t->bundle.mid, "1", 1);
	assert_int_equal(t->bundle.mid_ext, 0);
	assert_int_equal(t->bundle.pt[96 / 8], 1u << (96 % 8));
	assert_int_equal(t->bundle.nssrc, 1);
	assert_int_equal(t->bundle.ssrc[0], 0x2222);
	assert_true(t->flags & IPC_RTP_F_MUX);
	/* no transport of its own */
	assert_true(all_zero(&t->local, sizeof(t->local)));
	assert_int_equal(t->rtcp_port, 0);
	assert_true(all_zero(&t->remote, sizeof(t->remote)));
	assert_true(all_zero(&t->ice, sizeof(t->ice)));
	assert_true(all_zero(&t->dtls, sizeof(t->dtls)));
	assert_int_equal(t->latch, 0);
	/* no key of its own: the owner's suites, every octet 0 */
	assert_int_equal(t->srtp_rx.suite, o->rtp.term[0].srtp_rx.suite);
	assert_int_equal(t->srtp_rx.key_len, 30);
	assert_true(all_zero(t->srtp_rx.key, sizeof(t->srtp_rx.key)));
	assert_int_equal(t->srtp_tx.suite, o->rtp.term[0].srtp_tx.suite);
	assert_int_equal(t->srtp_tx.key_len, 30);
	assert_true(all_zero(t->srtp_tx.key, sizeof(t->srtp_tx.key)));
	/* its core termination: a port pair of the owner's worker */
	assert_true(steer_relay_share(40000, 40019, 2, o->worker, &lo, &hi));
	assert_in_range(x->term[1].local.port, lo, hi);
	assert_int_equal(x->term[1].bundle.role, IPC_RTP_BUNDLE_NONE);
	/* the owner counts it */
	assert_int_equal(o->rtp.nmembers, 1);
	assert_int_equal(o->rtp.members[0], m->id);
	/* agw show: the owner's members, the member's owner and transport */
	j = cp_agw_json(&cp, o, 0, false);
	b = json_object_object_get(json_object_array_get_idx(json_object_object_get(j, "legs"), 0),
				   "bundle");
	assert_non_null(b);
	assert_string_equal(json_object_get_string(json_object_object_get(b, "role")), "owner");
	assert_string_equal(json_object_get_string(json_object_object_get(b, "mid")), "0");
	v = json_object_object_get(b, "members");
	assert_int_equal(json_object_array_length(v), 1);
	assert_int_equal((uint64_t)json_object_get_int64(json_object_array_get_idx(v, 0)), m->id);
	json_object_put(j);
	j = cp_agw_json(&cp, m, 0, false);
	b = json_object_object_get(json_object_array_get_idx(json_object_object_get(j, "legs"), 0),
				   "bundle");
	assert_non_null(b);
	assert_string_equal(json_object_get_string(json_object_object_get(b, "role")), "member");
	assert_int_equal((uint64_t)json_object_get_int64(json_object_object_get(b, "with")), o->id);
	assert_int_equal(json_object_get_int(json_object_object_get(b, "mid_ext")), 1);
	{
		char want[64];

		cp_api_addr_str(&o->rtp.term[0].local, true, want, sizeof(want));
		assert_string_equal(json_object_get_string(json_object_object_get(b, "transport")),
				    want);
	}
	json_object_put(j);
	/* the keys rule sees no key of the member's own: its core
	 * termination's keys are its context's */
	assert_int_equal(m->rtp.nkeys, 0);
	/* a member's remote, latching, ICE and keys are its owner's */
	{
		struct ipc_addr rem;

		ip4(&rem, "10.0.0.7", 5006);
		assert_int_equal(cp_agw_modify(&cp, &op, m->id, 0,
					       rmod(&(struct cp_agw_rtp_mod){ .remote = &rem }),
					       err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "is a BUNDLE member"));
		assert_int_equal(cp_agw_modify(&cp, &op, m->id, 0,
					       rmod(&(struct cp_agw_rtp_mod){ .mode_set = true,
							.mode = IPC_RTP_MODE_RECV }),
					       err, sizeof(err)), 0);
		next_to_dp(m->worker, IPC_RTP_MOD, m->id, &msg);
	}
}

/* Each refusal's sentence, nothing sent, the group as it was. */
static void
test_bundle_refusals(void **state)
{
	struct cp_agw_rtp_spec s, two[2];
	struct cp_agw_ctx *o = NULL, *m = NULL, *p = NULL, *q = NULL;
	static struct ipc_msg msg;
	char err[256];

	(void)state;
	spec_bundle(&s, 0, "0", 0, 0x1111);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "1", 96, 0x2222);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m, err, sizeof(err)), 0);
	/* an unbundled context with rtcp-mux, one without */
	spec_rtp(&s, CP_AGW_RTP_SIDE_ACCESS, "10.0.0.8", 5004, false);
	s.term.flags |= IPC_RTP_F_MUX;
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &p, err, sizeof(err)), 0);
	spec_rtp(&s, CP_AGW_RTP_SIDE_ACCESS, "10.0.0.9", 5004, false);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &q, err, sizeof(err)), 0);
	drain();
#define REFUSED(rc_, text_) do { \
		err[0] = '\0'; \
		assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, NULL, err, sizeof(err)), \
				 rc_); \
		if (strstr(err, text_) == NULL) \
			fail_msg("\"%s\" does not say \"%s\"", err, text_); \
		assert_false(to_dp(0, &msg)); \
		assert_false(to_dp(1, &msg)); \
		assert_int_equal(o->rtp.nmembers, 1); \
	} while (0)
	/* the owner unknown (no such context; another door's is the same) */
	spec_bundle(&s, o->id + 1u, "2", 97, 0);
	REFUSED(-ENOENT, "its BUNDLE owner: no context");
	spec_bundle(&s, o->id, "2", 97, 0);
	err[0] = '\0';
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_IQ, 0, NULL, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "its BUNDLE owner: no context"));
	/* another tenant's: the same (no oracle of the ids another tenant has
	 * live, as cp_agw_caller_sees() answers elsewhere) */
	err[0] = '\0';
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 1, NULL, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "its BUNDLE owner: no context"));
	/* an owner without rtcp-mux, one that is no owner, a member */
	spec_bundle(&s, q->id, "2", 97, 0);
	REFUSED(-EINVAL, "has no rtcp-mux: RFC 9143 section 9.3 requires it");
	spec_bundle(&s, p->id, "2", 97, 0);
	REFUSED(-EINVAL, "is no BUNDLE owner: a group's transport is made one at its create");
	spec_bundle(&s, m->id, "2", 97, 0);
	REFUSED(-EINVAL, "is a BUNDLE member itself, not an owner");
	/* the mid: the owner's, a member's, too long, not a token */
	spec_bundle(&s, o->id, "0", 97, 0);
	REFUSED(-EINVAL, "mid \"0\" is context");
	spec_bundle(&s, o->id, "1", 97, 0);
	REFUSED(-EINVAL, "in its BUNDLE group already");
	spec_bundle(&s, o->id, "abcdefghijklmnopq", 97, 0);
	REFUSED(-EINVAL, "a mid of 17 characters: the MID header extension carries 1 to 16");
	spec_bundle(&s, o->id, "a b", 97, 0);
	REFUSED(-EINVAL, "the mid is not a token");
	/* a payload type or an SSRC another section's */
	spec_bundle(&s, o->id, "2", 96, 0);
	REFUSED(-EINVAL, "payload type 96 is context");
	spec_bundle(&s, o->id, "2", 0, 0);
	REFUSED(-EINVAL, "payload type 0 is context");
	spec_bundle(&s, o->id, "2", 97, 0x2222);
	REFUSED(-EINVAL, "SSRC 8738 is context");
	/* the member's own form: rtcp-mux, no transport, no key, the
	 * owner's MID extension */
	spec_bundle(&s, o->id, "2", 97, 0);
	s.term.flags &= (uint8_t)~IPC_RTP_F_MUX;
	REFUSED(-EINVAL, "a BUNDLE section needs rtcp-mux (RFC 9143 section 9.3)");
	spec_bundle(&s, o->id, "2", 97, 0);
	ip4(&s.term.remote, "10.0.0.7", 5004);
	REFUSED(-EINVAL, "a BUNDLE member has no address, port or remote of its own");
	spec_bundle(&s, o->id, "2", 97, 0);
	s.term.srtp_rx.key_len = 30;
	memset(s.term.srtp_rx.key, 0xcd, 30);
	REFUSED(-EINVAL, "a BUNDLE member has no SRTP key of its own");
	spec_bundle(&s, o->id, "2", 97, 0);
	s.term.ice.mode = IPC_RTP_ICE_LITE;
	REFUSED(-EINVAL, "a BUNDLE member has no ICE of its own");
	spec_bundle(&s, o->id, "2", 97, 0);
	s.bundle.mid_ext = 2;
	REFUSED(-EINVAL, "MID extension id 2, its BUNDLE owner's is 1");
	spec_bundle(&s, o->id, "2", 97, 0);
	s.term.profile = IPC_RTP_AVPF;
	memset(&s.term.srtp_rx, 0, sizeof(s.term.srtp_rx));
	memset(&s.term.srtp_tx, 0, sizeof(s.term.srtp_tx));
	REFUSED(-EINVAL, "SRTP on it and not on its BUNDLE owner");
	/* an owner without rtcp-mux; both terminations of one context */
	spec_bundle(&s, 0, "0", 0, 0);
	s.term.flags &= (uint8_t)~IPC_RTP_F_MUX;
	REFUSED(-EINVAL, "a BUNDLE section needs rtcp-mux");
	spec_bundle(&two[0], 0, "0", 0, 0);
	spec_bundle(&two[1], 0, "1", 8, 0);
	assert_int_equal(cp_agw_create(&cp, rtp2(two), CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "one bundled termination a context"));
#undef REFUSED
	/* ... and the member that passes them all */
	spec_bundle(&s, o->id, "2", 97, 0x3333);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(o->rtp.nmembers, 2);
}

/* A group of CP_AGW_RTP_BUNDLE_MAX (8) sections: a 9th is refused. */
static void
test_bundle_ninth(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *o = NULL;
	static struct ipc_msg msg;
	char err[256], mid[8];

	(void)state;
	spec_bundle(&s, 0, "0", 0, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	for (unsigned int k = 1; k < CP_AGW_RTP_BUNDLE_MAX; k++) {
		snprintf(mid, sizeof(mid), "%u", k);
		spec_bundle(&s, o->id, mid, 96 + k, 0);
		assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, NULL, err, sizeof(err)),
				 0);
	}
	assert_int_equal(o->rtp.nmembers, 7);
	drain();
	spec_bundle(&s, o->id, "9", 120, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, NULL, err, sizeof(err)),
			 -ENOSPC);
	assert_non_null(strstr(err, "BUNDLE group has 8 sections already (its owner's and 7 "
			       "members')"));
	assert_false(to_dp(o->worker, &msg));
	assert_int_equal(o->rtp.nmembers, 7);
}

/*
 * A ninth section while a member is being released (its RTP_DEL sent,
 * dp's RELEASED not back yet): refused (-ENOSPC), the member releasing
 * counted until dp has released it (before: taken, but not listed among
 * the owner's members, so the owner's release would not have released
 * it); once released, a new member is taken and listed.
 */
static void
test_bundle_ninth_while_one_releases(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *o = NULL, *m = NULL, *m9 = NULL;
	static struct ipc_msg msg;
	char err[256], mid[8];

	(void)state;
	spec_bundle(&s, 0, "0", 0, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	for (unsigned int k = 1; k < CP_AGW_RTP_BUNDLE_MAX; k++) {
		snprintf(mid, sizeof(mid), "%u", k);
		spec_bundle(&s, o->id, mid, 96 + k, 0);
		assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m, err, sizeof(err)),
				 0);
	}
	assert_int_equal(o->rtp.nmembers, 7);
	drain();
	assert_int_equal(cp_agw_release(&cp, &op, m->id, err, sizeof(err)), 0);
	next_to_dp(o->worker, IPC_RTP_DEL, m->id, &msg);
	spec_bundle(&s, o->id, "9", 120, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m9, err, sizeof(err)),
			 -ENOSPC);
	assert_non_null(strstr(err, "being released"));
	assert_false(to_dp(o->worker, &msg));
	released(m);
	assert_int_equal(o->rtp.nmembers, 6);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m9, err, sizeof(err)), 0);
	assert_int_equal(o->rtp.nmembers, 7);
	assert_int_equal(o->rtp.members[6], m9->id);
}

/*
 * Release order: an owner released with live members releases them first
 * (their RTP_DEL before its own in the worker's ring); a member alone
 * leaves the group when its slot is freed; the owner's termination is
 * not subtracted under its members; dp's own RELEASED of an owner
 * releases its members.
 */
static void
test_bundle_release_order(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *o = NULL, *m1 = NULL, *m2 = NULL, *m3 = NULL;
	uint64_t oid, id1, id2, id3;
	static struct ipc_msg msg;
	char err[256];
	unsigned int w;

	(void)state;
	spec_bundle(&s, 0, "0", 0, 0);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "1", 96, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m1, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "2", 97, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m2, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "3", 98, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m3, err, sizeof(err)), 0);
	oid = o->id, id1 = m1->id, id2 = m2->id, id3 = m3->id, w = o->worker;
	drain();
	/* not the owner's termination while members live */
	assert_int_equal(cp_agw_subtract(&cp, &op, oid, 0, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "carries the BUNDLE transport of 3 members"));
	assert_false(to_dp(w, &msg));
	/* a member alone: its RTP_DEL; it leaves at RELEASED */
	assert_int_equal(cp_agw_release(&cp, &op, id3, err, sizeof(err)), 0);
	next_to_dp(w, IPC_RTP_DEL, id3, &msg);
	assert_false(to_dp(w, &msg));
	assert_int_equal(o->rtp.nmembers, 3);
	released(m3);
	assert_int_equal(o->rtp.nmembers, 2);
	/* the owner: its members first, then it */
	assert_int_equal(cp_agw_release(&cp, &op, oid, err, sizeof(err)), 0);
	next_to_dp(w, IPC_RTP_DEL, id1, &msg);
	next_to_dp(w, IPC_RTP_DEL, id2, &msg);
	next_to_dp(w, IPC_RTP_DEL, oid, &msg);
	assert_false(to_dp(w, &msg));
	assert_int_equal(m1->state, CP_AGW_RELEASING);
	assert_int_equal(m2->state, CP_AGW_RELEASING);
	released(m1);
	released(m2);
	released(o);
	assert_null(cp_agw_lookup(&cp, &op, oid));
	/* dp's own RELEASED of an owner (it refused it): its live members
	 * are released */
	spec_bundle(&s, 0, "0", 0, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "1", 96, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m1, err, sizeof(err)), 0);
	oid = o->id, id1 = m1->id, w = o->worker;
	drain();
	{
		struct ipc_rtp_event e;

		memset(&e, 0, sizeof(e));
		e.type = IPC_RTP_EV_RELEASED;
		e.term = IPC_RTP_TERM_NONE;
		e.cause = IPC_AGW_SETUP_FAILED;
		event(oid, w, &e);
	}
	next_to_dp(w, IPC_RTP_DEL, id1, &msg);
	assert_int_equal(m1->state, CP_AGW_RELEASING);
}

/* A restarted cp: the owner's members rebuilt from RTP_STATE's bundle
 * fields, whatever order dp gives them in (the member's first here), so
 * the owner's release still releases the member first. */
static void
test_bundle_cp_restart(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *o = NULL, *m = NULL;
	static struct ipc_msg st[2], msg;
	uint64_t oid, mid;
	unsigned int w;
	char err[256];

	(void)state;
	spec_bundle(&s, 0, "0", 0, 0);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "1", 96, 0);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &m, err, sizeof(err)), 0);
	oid = o->id, mid = m->id, w = o->worker;
	/* what dp holds of each: the member's first */
	for (unsigned int k = 0; k < 2; k++) {
		const struct cp_agw_ctx *c = k == 0 ? m : o;
		struct ipc_rtp_state *x = (void *)st[k].body;

		memset(&st[k], 0, sizeof(st[k]));
		st[k].h.kind = IPC_RTP_STATE;
		st[k].h.worker = (uint16_t)w;
		st[k].h.alloc_id = c->id;
		st[k].h.body_len = sizeof(*x);
		memcpy(x->ctx.term, c->rtp.term, sizeof(x->ctx.term));
		x->st[0].serial = 1;
		x->st[1].serial = 2;
		assert_int_equal(ipc_msg_check(&st[k], IPC_DP2CP), 0);
	}
	cp_agw_fini(&cp);
	memset(&cp.dp, 0, sizeof(cp.dp));
	assert_int_equal(cp_agw_init(&cp), 0);
	drain();
	cp_handle(&cp, w, &st[0]);
	cp_handle(&cp, w, &st[1]);
	o = cp_agw_lookup(&cp, &op, oid);
	m = cp_agw_lookup(&cp, &op, mid);
	assert_non_null(o);
	assert_non_null(m);
	assert_int_equal(m->rtp.term[0].bundle.role, IPC_RTP_BUNDLE_MEMBER);
	cp_agw_serve(&cp, cp.now_ms);
	assert_int_equal(o->rtp.nmembers, 1);
	assert_int_equal(o->rtp.members[0], mid);
	drain();
	assert_int_equal(cp_agw_release(&cp, &op, oid, err, sizeof(err)), 0);
	next_to_dp(w, IPC_RTP_DEL, mid, &msg);
	next_to_dp(w, IPC_RTP_DEL, oid, &msg);
}

/*
 * A restarted dp: owners and unbundled contexts first, members after (the
 * member's slot before its owner's here: one pass in slot order would
 * give it first, and dp would refuse it); the member's keys the owner's
 * shape at its own positions, our SRTCP index on.
 */
static void
test_bundle_dp_restart(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *a = NULL, *b = NULL, *o = NULL, *m = NULL;
	static struct ipc_msg msg, st;
	const struct ipc_rtp_ctx *x;
	struct ipc_rtp_stats_msg *sm;
	uint64_t oid, mid;
	unsigned int w;
	char err[256];

	(void)state;
	spec_rtp(&s, 0, "10.0.0.8", 5004, false);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &a, err, sizeof(err)), 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &b, err, sizeof(err)), 0);
	spec_bundle(&s, 0, "0", 0, 0);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	assert_int_equal(o->worker, a->worker);
	oid = o->id, w = o->worker;
	/* a's slot (before the owner's) free again, and taken by the member */
	assert_int_equal(cp_agw_release(&cp, &op, a->id, err, sizeof(err)), 0);
	released(a);
	cp.agw->tab[CP_AGW_KIND_RTP].cursor[w] = 0;
	spec_bundle(&s, oid, "1", 96, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m, err, sizeof(err)), 0);
	mid = m->id;
	assert_true(ipc_conn_slot(mid) < ipc_conn_slot(oid));
	/* where dp's SRTP stands for the member (its own positions) */
	memset(&st, 0, sizeof(st));
	st.h.kind = IPC_RTP_STATS;
	st.h.worker = (uint16_t)w;
	st.h.alloc_id = mid;
	st.h.body_len = sizeof(*sm);
	sm = (void *)st.body;
	sm->found = 1;
	sm->st[0].serial = 1;
	sm->st[0].srtp_rx.nstreams = 1;
	sm->st[0].srtp_rx.stream[0].ssrc = 0x4444;
	sm->st[0].srtp_rx.stream[0].seq = 77;
	sm->st[0].srtp_tx.nstreams = 1;
	sm->st[0].srtp_tx.stream[0].ssrc = 0x5555;
	sm->st[0].srtp_tx.stream[0].seq = 88;
	sm->st[0].srtp_tx.srtcp_index = 9;
	assert_int_equal(ipc_msg_check(&st, IPC_DP2CP), 0);
	cp_handle(&cp, w, &st);
	drain();
	cp_agw_dp_restart(&cp);
	cp_agw_serve(&cp, cp.now_ms);
	/* worker w: the owner before its member (b lives in the other) */
	next_to_dp(w, IPC_RTP_ADD, oid, &msg);
	next_to_dp(w, IPC_RTP_ADD, mid, &msg);
	assert_false(to_dp(w, &msg));
	x = (const void *)msg.body;
	assert_int_equal(x->term[0].bundle.role, IPC_RTP_BUNDLE_MEMBER);
	assert_int_equal(x->term[0].bundle.owner, oid);
	assert_int_equal(x->term[0].srtp_rx.suite, 1);
	assert_true(all_zero(x->term[0].srtp_rx.key, sizeof(x->term[0].srtp_rx.key)));
	assert_int_equal(x->term[0].srtp_rx.nstreams, 1);
	assert_int_equal(x->term[0].srtp_rx.stream[0].ssrc, 0x4444);
	assert_int_equal(x->term[0].srtp_rx.stream[0].seq, 77);
	assert_int_equal(x->term[0].srtp_tx.stream[0].ssrc, 0x5555);
	assert_int_equal(x->term[0].srtp_tx.srtcp_index, 9 + 4096);
	assert_true(all_zero(x->term[0].srtp_tx.key, sizeof(x->term[0].srtp_tx.key)));
	assert_true(all_zero(&x->term[0].remote, sizeof(x->term[0].remote)));
	next_to_dp(b->worker, IPC_RTP_ADD, b->id, &msg);
}

/* The JSON door: agw.create's leg "bundle" makes an owner (no "with") and
 * a member ("with": the owner's id), the answer's leg says each one's
 * role, owner or members, and the transport; a refusal is the C API's
 * sentence. */
static void
test_bundle_json(void **state)
{
	static struct cp_api api;
	const struct cp_api_cmd *create = NULL;
	struct json_object *rq, *resp, *b;
	const char *error;
	static struct ipc_msg m;
	uint64_t oid, mid;
	char req[512];
	static const char owner_req[] =
		"{\"legs\": [{\"rtp\": \"avpf\", \"rtcp_mux\": true, \"remote\": \"10.0.0.7:5004\", "
		"\"bundle\": {\"mid\": \"0\", \"mid_ext\": 3, \"pt\": [0, 8]}}, "
		"{\"rtp\": \"avp\", \"side\": \"core\", \"remote\": \"10.1.0.9:6000\"}]}";

	(void)state;
	memset(&api, 0, sizeof(api));
	cp.api = &api;
	assert_int_equal(cp_agw_register(&cp), 0);
	for (unsigned int i = 0; i < api.ncmds; i++)
		if (strcmp(api.cmds[i].name, "agw.create") == 0)
			create = &api.cmds[i];
	assert_non_null(create);
	api.role_now = CP_API_ROLE_OPERATOR;
	rq = json_tokener_parse(owner_req);
	resp = json_object_new_object();
	error = NULL;
	if (create->fn(create->ctx, rq, resp, &error) != 0)
		fail_msg("%s", error != NULL ? error : "?");
	oid = (uint64_t)json_object_get_int64(json_object_object_get(resp, "id"));
	b = json_object_object_get(json_object_array_get_idx(json_object_object_get(resp, "legs"),
							     0), "bundle");
	assert_string_equal(json_object_get_string(json_object_object_get(b, "role")), "owner");
	assert_int_equal(json_object_get_int(json_object_object_get(b, "mid_ext")), 3);
	assert_int_equal(json_object_array_length(json_object_object_get(b, "pt")), 2);
	json_object_put(rq);
	json_object_put(resp);
	snprintf(req, sizeof(req), "{\"legs\": [{\"rtp\": \"avpf\", \"rtcp_mux\": true, "
		 "\"bundle\": {\"with\": %llu, \"with_leg\": 0, \"mid\": \"1\", \"mid_ext\": 3, "
		 "\"pt\": [96], \"ssrc\": [4660]}}]}", (unsigned long long)oid);
	rq = json_tokener_parse(req);
	assert_non_null(rq);
	resp = json_object_new_object();
	error = NULL;
	if (create->fn(create->ctx, rq, resp, &error) != 0)
		fail_msg("%s", error != NULL ? error : "?");
	mid = (uint64_t)json_object_get_int64(json_object_object_get(resp, "id"));
	b = json_object_object_get(json_object_array_get_idx(json_object_object_get(resp, "legs"),
							     0), "bundle");
	assert_string_equal(json_object_get_string(json_object_object_get(b, "role")), "member");
	assert_int_equal((uint64_t)json_object_get_int64(json_object_object_get(b, "with")), oid);
	assert_non_null(json_object_get_string(json_object_object_get(b, "transport")));
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(
					json_object_object_get(b, "ssrc"), 0)), 4660);
	json_object_put(rq);
	json_object_put(resp);
	assert_int_equal(cp_agw_lookup(&cp, &op, oid)->rtp.members[0], mid);
	drain();
	/* the C API's sentence, as the door's error */
	snprintf(req, sizeof(req), "{\"legs\": [{\"rtp\": \"avpf\", \"rtcp_mux\": true, "
		 "\"bundle\": {\"with\": %llu, \"mid\": \"abcdefghijklmnopq\"}}]}",
		 (unsigned long long)oid);
	rq = json_tokener_parse(req);
	resp = json_object_new_object();
	error = NULL;
	assert_int_not_equal(create->fn(create->ctx, rq, resp, &error), 0);
	assert_non_null(error);
	assert_non_null(strstr(error, "a mid of 17 characters"));
	json_object_put(rq);
	json_object_put(resp);
	/* the form: an unknown member of "bundle" */
	rq = json_tokener_parse("{\"legs\": [{\"rtp\": \"avpf\", \"rtcp_mux\": true, "
				"\"bundle\": {\"mid\": \"0\", \"owner\": true}}]}");
	resp = json_object_new_object();
	error = NULL;
	assert_int_not_equal(create->fn(create->ctx, rq, resp, &error), 0);
	assert_non_null(strstr(error, "bundle: unknown member \"owner\""));
	json_object_put(rq);
	json_object_put(resp);
	api.role_now = 0;
	assert_false(to_dp(0, &m));
	assert_false(to_dp(1, &m));
}

/*
 * dp's SSRC_CLASH (a member's core side sends an SSRC another section
 * of the browser's group holds: dp refuses it, RFC 3711 section 9.1):
 * counted on the termination (agw show's bundle "ssrc_clashes" and
 * "clash_ssrc"), in the metrics (events and packets), in the event log.
 */
static void
test_bundle_ssrc_clash_told(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *o = NULL, *mb = NULL;
	struct ipc_rtp_event e;
	struct json_object *j, *b;
	const struct cp_agw_event *l;
	char err[512], *txt;

	(void)state;
	spec_bundle(&s, 0, "0", 0, 0);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "1", 96, 0);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &mb, err, sizeof(err)), 0);
	drain();
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_SSRC_CLASH;
	e.term = 0;
	e.serial = mb->rtp.term[0].serial;
	e.ssrc = 0xc0ffee01u;
	e.count = 4;
	event(mb->id, mb->worker, &e);
	e.count = 2;
	event(mb->id, mb->worker, &e);
	assert_int_equal(mb->rtp.ssrc_clashes[0], 6);
	assert_int_equal(mb->rtp.clash_ssrc[0], 0xc0ffee01u);
	assert_int_equal(mb->rtp.ssrc_clashes[1], 0);
	assert_int_equal(o->rtp.ssrc_clashes[0], 0);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_BDL_CLASH_EVENTS], 2);
	assert_int_equal(cp.agw->rtp->stats[AGW_RTP_BDL_CLASHES], 6);
	l = &cp.agw->log[(cp.agw->next_seq - 1) & (CP_AGW_LOG - 1)];
	assert_string_equal(agw_rtp_ev_name(l->e.type), "rtp_ssrc_clash");
	j = agw_rtp_json(&cp, mb, 1, false);
	b = json_object_object_get(json_object_array_get_idx(json_object_object_get(j, "legs"), 0),
				   "bundle");
	assert_int_equal(json_object_get_int64(json_object_object_get(b, "ssrc_clashes")), 6);
	assert_int_equal(json_object_get_int64(json_object_object_get(b, "clash_ssrc")),
			 0xc0ffee01u);
	json_object_put(j);
	j = agw_rtp_json(&cp, o, 1, false);
	b = json_object_object_get(json_object_array_get_idx(json_object_object_get(j, "legs"), 0),
				   "bundle");
	assert_int_equal(json_object_get_int64(json_object_object_get(b, "ssrc_clashes")), 0);
	assert_null(json_object_object_get(b, "clash_ssrc"));
	json_object_put(j);
	txt = metrics_text();
	assert_non_null(strstr(txt, "\nturnpike_agw_rtp_bundle_ssrc_clash_events_total 2\n"));
	assert_non_null(strstr(txt, "\nturnpike_agw_rtp_bundle_ssrc_clashes_total 6\n"));
	free(txt);
	/* one of a termination subtracted since: stale, not counted */
	e.serial++;
	event(mb->id, mb->worker, &e);
	assert_int_equal(mb->rtp.ssrc_clashes[0], 6);
	released(mb);
	released(o);
}

/*
 * A member of a DTLS-SRTP owner: no key before the owner's handshake
 * (all zero, as lib/ipc takes them); after it, a restarted dp is given
 * the member with the owner's suite (no key octet) and the member's own
 * positions, our SRTCP index on: without them the new dp would protect
 * the member's streams under the group's key from index 0 again (RFC
 * 3711 section 9.1).
 */
static void
test_bundle_dtls_owner(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_ctx *o = NULL, *m = NULL;
	static struct ipc_msg msg, st;
	const struct ipc_rtp_term *t;
	struct ipc_rtp_stats_msg *sm;
	struct ipc_rtp_dtls_ev e;
	char err[512];

	(void)state;
	dtls_cert(1, 0xc1);
	spec_dtls(&s, CP_AGW_DTLS_PEER_ACTPASS, 0x11, NULL);
	s.term.ice.mode = IPC_RTP_ICE_LITE;
	snprintf(s.bundle.mid, sizeof(s.bundle.mid), "0");
	s.bundle.mid_ext = 1;
	s.bundle.pt[111 / 8] |= 1u << (111 % 8);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "1", 96, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m, err, sizeof(err)), 0);
	next_to_dp(o->worker, IPC_RTP_ADD, o->id, &msg);
	next_to_dp(m->worker, IPC_RTP_ADD, m->id, &msg);
	t = &((const struct ipc_rtp_ctx *)(const void *)msg.body)->term[0];
	assert_true(all_zero(&t->srtp_rx, sizeof(t->srtp_rx)));
	assert_true(all_zero(&t->srtp_tx, sizeof(t->srtp_tx)));
	/* the owner's handshake up: its keys kept by cp */
	memset(&e, 0, sizeof(e));
	e.term = 0;
	e.state = IPC_RTP_DTLS_UP;
	e.role = IPC_RTP_DTLS_CLIENT;
	e.attempts = 1;
	e.serial = o->rtp.term[0].serial;
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
	dtls_ev(o->id, o->worker, &e);
	assert_int_equal(o->rtp.dtls[0].state, IPC_RTP_DTLS_UP);
	/* where the member's own SRTP stands (dp keyed it with the group's) */
	memset(&st, 0, sizeof(st));
	st.h.kind = IPC_RTP_STATS;
	st.h.worker = (uint16_t)m->worker;
	st.h.alloc_id = m->id;
	st.h.body_len = sizeof(*sm);
	sm = (void *)st.body;
	sm->found = 1;
	sm->st[0].serial = 1;
	sm->st[0].srtp_tx.nstreams = 1;
	sm->st[0].srtp_tx.stream[0].ssrc = 0x6666;
	sm->st[0].srtp_tx.stream[0].roc = 3;
	sm->st[0].srtp_tx.stream[0].seq = 1000;
	sm->st[0].srtp_tx.srtcp_index = 50;
	assert_int_equal(ipc_msg_check(&st, IPC_DP2CP), 0);
	cp_handle(&cp, m->worker, &st);
	drain();
	cp_agw_dp_restart(&cp);
	cp_agw_serve(&cp, cp.now_ms);
	next_to_dp(o->worker, IPC_RTP_ADD, o->id, &msg);
	t = &((const struct ipc_rtp_ctx *)(const void *)msg.body)->term[0];
	assert_int_equal(t->srtp_tx.key_len, 30);
	assert_int_equal(t->srtp_tx.key[0], 0xa5);
	next_to_dp(m->worker, IPC_RTP_ADD, m->id, &msg);
	t = &((const struct ipc_rtp_ctx *)(const void *)msg.body)->term[0];
	assert_int_equal(t->srtp_tx.suite, 1);
	assert_int_equal(t->srtp_tx.key_len, 30);
	assert_true(all_zero(t->srtp_tx.key, sizeof(t->srtp_tx.key)));
	assert_int_equal(t->srtp_tx.nstreams, 1);
	assert_int_equal(t->srtp_tx.stream[0].ssrc, 0x6666);
	assert_int_equal(t->srtp_tx.stream[0].roc, 3);
	assert_int_equal(t->srtp_tx.stream[0].seq, 1000);
	assert_int_equal(t->srtp_tx.srtcp_index, 50 + 4096);
	assert_int_equal(t->srtp_rx.suite, 1);
	assert_true(all_zero(t->srtp_rx.key, sizeof(t->srtp_rx.key)));
	assert_true(all_zero(&t->dtls, sizeof(t->dtls)));
}

/* A re-offer's section again (cp_agw_rtp_mod.bundle): its payload types
 * and SSRCs change in place (RTP_MOD carries them), none of another
 * section's; its role, owner and mid stay; an unbundled termination
 * joins no group by a modify. */
static void
test_bundle_modify(void **state)
{
	struct cp_agw_rtp_spec s;
	struct cp_agw_rtp_bundle b;
	struct cp_agw_ctx *o = NULL, *m1 = NULL, *m2 = NULL;
	static struct ipc_msg msg;
	const struct ipc_rtp_mod *x = (const void *)msg.body;
	char err[256];

	(void)state;
	spec_bundle(&s, 0, "0", 0, 0);
	assert_int_equal(bundle_ctx(&s, true, CP_AGW_DOOR_API, 0, &o, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "1", 96, 0x2222);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m1, err, sizeof(err)), 0);
	spec_bundle(&s, o->id, "2", 97, 0);
	assert_int_equal(bundle_ctx(&s, false, CP_AGW_DOOR_API, 0, &m2, err, sizeof(err)), 0);
	drain();
	/* m1: payload types 96 and 98, a second SSRC */
	b = s.bundle;
	b.with = o->id;
	snprintf(b.mid, sizeof(b.mid), "1");
	memset(b.pt, 0, sizeof(b.pt));
	b.pt[96 / 8] |= (1u << (96 % 8)) | (1u << (98 % 8));
	b.nssrc = 2;
	b.ssrc[0] = 0x2222;
	b.ssrc[1] = 0x2223;
	assert_int_equal(cp_agw_modify(&cp, &op, m1->id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .bundle = &b }), err,
				       sizeof(err)), 0);
	next_to_dp(m1->worker, IPC_RTP_MOD, m1->id, &msg);
	assert_int_equal(x->t.bundle.role, IPC_RTP_BUNDLE_MEMBER);
	assert_int_equal(x->t.bundle.pt[96 / 8], (1u << (96 % 8)) | (1u << (98 % 8)));
	assert_int_equal(x->t.bundle.nssrc, 2);
	assert_int_equal(x->t.bundle.ssrc[1], 0x2223);
	assert_int_equal(m1->rtp.term[0].bundle.nssrc, 2);
	/* another section's payload type; another mid; another owner */
	b.pt[97 / 8] |= 1u << (97 % 8);
	assert_int_equal(cp_agw_modify(&cp, &op, m1->id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .bundle = &b }), err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "payload type 97 is context"));
	b.pt[97 / 8] &= (uint8_t)~(1u << (97 % 8));
	snprintf(b.mid, sizeof(b.mid), "x");
	assert_int_equal(cp_agw_modify(&cp, &op, m1->id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .bundle = &b }), err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "its BUNDLE role, owner, mid and MID extension stay"));
	assert_false(to_dp(m1->worker, &msg));
	/* the owner's: not a member's payload type */
	memset(&b, 0, sizeof(b));
	snprintf(b.mid, sizeof(b.mid), "0");
	b.mid_ext = 1;
	b.pt[0] = 1u | (1u << 1);
	assert_int_equal(cp_agw_modify(&cp, &op, o->id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .bundle = &b }), err,
				       sizeof(err)), 0);
	next_to_dp(o->worker, IPC_RTP_MOD, o->id, &msg);
	assert_int_equal(x->t.bundle.pt[0], 3);
	b.pt[98 / 8] |= 1u << (98 % 8);
	assert_int_equal(cp_agw_modify(&cp, &op, o->id, 0,
				       rmod(&(struct cp_agw_rtp_mod){ .bundle = &b }), err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "payload type 98 is context"));
	/* an unbundled termination joins no group by a modify */
	assert_int_equal(cp_agw_modify(&cp, &op, o->id, 1,
				       rmod(&(struct cp_agw_rtp_mod){ .bundle = &b }), err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is in no BUNDLE group"));
	assert_false(to_dp(o->worker, &msg));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_ports_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modify_subtract_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_and_dp_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ha_mirror_takeover_advances_send_streams, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_mirror_yield_on_step_down, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_mirror_yield_ring_full_role_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ha_mirror_yield_backlog_tombstone_dp_restart,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_srtp_polled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_confine_state, setup_quota, teardown),
		cmocka_unit_test_setup_teardown(test_address_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ha_takeover_figures, setup_fence, teardown),
		cmocka_unit_test_setup_teardown(test_reply_held_until_fence_done, setup_fence,
						teardown),
		cmocka_unit_test_setup_teardown(test_reply_held_per_worker, setup_fence, teardown),
		cmocka_unit_test_setup_teardown(test_reply_held_bound_restart, setup_fence, teardown),
		cmocka_unit_test_setup_teardown(test_reply_held_ring_full_table_full, setup_fence,
						teardown),
		cmocka_unit_test_setup_teardown(test_keys_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_roles_fingerprints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_renew_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_json_renew, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_associations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_restored_keeps_association, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_member_placed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_ninth, setup_bundle, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_ninth_while_one_releases, setup_bundle,
						teardown),
		cmocka_unit_test_setup_teardown(test_bundle_release_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_cp_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_dp_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_ssrc_clash_told, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_dtls_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_modify, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
