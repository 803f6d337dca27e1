/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/alloc with a fake clock and a real (private) ring segment: Allocate
 * requests built as a client builds them go in as dp would pass them on,
 * and what cp answers comes out of the worker's ring. Quotas per user and
 * in total (486), lifetimes clamped to the configured range, relayed
 * ports from the requesting worker's share, retransmissions answered
 * again, a second Allocate on a taken 5-tuple refused (437), Refresh 0
 * freeing quota, and expiry by the timer wheel with ALLOC_DEL to dp.
 *
 * With several relayed addresses per family (relay_ipv4 / relay_ipv6 and a
 * range of 8 ports, 4 per worker): every (address, port) pair of a share
 * is handed out before 508, a freed pair comes back, dual allocations
 * take one port in both families, EVEN-PORT reservations keep their
 * address, a worker gets no more than its dp table holds, and a
 * restarted cp learns from dp's state which pairs are taken.
 *
 * Defects found on the demo, each a test that failed before its fix:
 * RESERVATION-TOKEN 0 matched a used reservation, expired reservations
 * kept their port, R=1 without a free slot succeeded untokened; the quota
 * table never forgot a username; usernames over 255 bytes overflowed the
 * quota slot and were cut short (441); a ChannelBind answered 508 kept a
 * permission slot; channel numbers above 0x4FFF passed by default; a bad
 * FINGERPRINT was not noticed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cp.h"
#include "auth/oauth.h"
#include "alloc/alloc_internal.h"
#include "alloc/alloc_state.h"
#include "cp_dp.h"
#include "stun.h"
#include "tp_common.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static char conf_path[128], seg_name[64];
static uint32_t tid_seq;
/* setup_with(): as on a box without a turn group (AGW only) */
static bool setup_no_turn;
/* The stream connection requests come on (tuple()), 0 for UDP. */
static uint64_t tuple_conn;
/* The last byte of the TURN address requests reach (tuple()): 1, the
 * access port's own (the default tenant's); conf_tenants' tenants are
 * at 11, 12 and 13. */
static uint8_t tuple_server = 1;

/* The configuration most tests use: one relayed IPv4 address (the core
 * port's own), 1000 ports, tight quotas. %s is the segment name. */
static const char conf_plain[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"turn = { realm = \"r.test\"; relay_ports = [50000, 50999]; ipc = \"%s\"; };\n"
	"cp = { lifetime_default = 600; lifetime_max = 1200; quota_user = 2;\n"
	"       quota_total = 3; };\n";

/* Three relayed IPv4 and two IPv6 addresses, 8 ports: 4 per worker, so
 * 12 IPv4 and 8 IPv6 (address, port) pairs in each worker's share. */
static const char conf_relay[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
	"    ipv6 = \"fd00:1::1/64\";\n"
	"    relay_ipv4 = [\"10.1.0.11\", \"10.1.0.12\", \"10.1.0.13\"];\n"
	"    relay_ipv6 = [\"fd00:1::11\", \"fd00:1::12\"]; }); };\n"
	"turn = { realm = \"r.test\"; relay_ports = [50000, 50007]; ipc = \"%s\"; };\n"
	"cp = { quota_total = 1000; };\n";

/* Room for 20,000 allocations on worker 0 (its share: 25,000 ports). */
static const char conf_many[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"turn = { realm = \"r.test\"; relay_ports = [10000, 59999]; ipc = \"%s\"; };\n"
	"cp = { quota_total = 40000; };\n";

static int
setup_with(const char *text)
{
	char err[256];
	FILE *f;
	struct cp_auth_conf ac = { .realm = "r.test" };
	bool created;

	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-alloc-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-alloc-%d", (int)getpid());
	f = fopen(conf_path, "w");
	fprintf(f, text, seg_name);
	fclose(f);
	memset(&cp, 0, sizeof(cp));
	tuple_conn = 0;
	tuple_server = 1;
	assert_int_equal(tp_conf_load(conf_path, &conf, err, sizeof(err)), 0);
	if (setup_no_turn)
		conf.turn.enabled = false;
	cp.conf = &conf;
	/* cp/auth with the file's tenants, as cp builds it: alice, bob and
	 * carol in every tenant (each its own user, by the tenant's realm) */
	{
		static const char *realms[TP_CONF_MAX_TENANTS];

		for (unsigned int i = 0; i < conf.tenants.n; i++)
			realms[i] = conf.tenants.t[i].realm;
		ac.ntenants = conf.tenants.n;
		ac.tenant_realms = realms;
	}
	cp.auth = cp_auth_init(&ac);
	assert_non_null(cp.auth);
	for (unsigned int k = 0; k <= conf.tenants.n; k++) {
		assert_int_equal(cp_auth_user_add_in(cp.auth, k, "alice", "pw"), 0);
		assert_int_equal(cp_auth_user_add_in(cp.auth, k, "bob", "pw"), 0);
		assert_int_equal(cp_auth_user_add_in(cp.auth, k, "carol", "pw"), 0);
	}
	cp.policy = cp_policy_create();
	ipc_seg_unlink(seg_name);
	assert_int_equal(ipc_seg_open(&cp.seg, seg_name, 2, geteuid(), &created), 0);
	cp.nworkers = 2;
	cp.start_ms = 1000000;
	cp.now_ms = cp.start_ms;
	tw_init(&cp.wheel, 0);
	assert_int_equal(cp_alloc_init(&cp), 0);
	cp.ready = true;
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	return setup_with(conf_plain);
}

static int
setup_noturn(void **state)
{
	int rc;

	(void)state;
	setup_no_turn = true;
	rc = setup_with(conf_plain);
	setup_no_turn = false;
	return rc;
}

static int
setup_relay(void **state)
{
	(void)state;
	return setup_with(conf_relay);
}

/* TP_CONF_MAX_RELAY relayed IPv4 addresses (10.1.0.100 on), 200 ports. */
static char conf_maxrelay[4096];

static int
setup_maxrelay(void **state)
{
	char list[2048];
	size_t off = 0;

	(void)state;
	for (int i = 0; i < TP_CONF_MAX_RELAY; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s\"10.1.0.%d\"",
					i ? ", " : "", 100 + i);
	snprintf(conf_maxrelay, sizeof(conf_maxrelay),
		 "dp = { workers = [0, 1]; ports = (\n"
		 "  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
		 "  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
		 "    relay_ipv4 = [%s]; }); };\n"
		 "turn = { realm = \"r.test\"; relay_ports = [50000, 50199]; ipc = \"%%s\"; };\n"
		 "cp = { quota_total = 13000; quota_user = 0; };\n", list);
	return setup_with(conf_maxrelay);
}

/*
 * Three tenants on the access port beside the default one (10.0.0.1):
 * ta at 10.0.0.11 relaying on 10.1.0.11 and .12 (IPv4 only: it shares
 * the default IPv6 pool, which tb's claim leaves empty), tb at 10.0.0.12
 * on 10.1.0.13 and fd00:1::11, tc at 10.0.0.13 without a relay list
 * (the default tenant's pool: 10.1.0.14). 8 ports, 4 per worker.
 */
static const char conf_tenants[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
	"    ipv6 = \"fd00:1::1/64\";\n"
	"    relay_ipv4 = [\"10.1.0.11\", \"10.1.0.12\", \"10.1.0.13\", \"10.1.0.14\"];\n"
	"    relay_ipv6 = [\"fd00:1::11\"]; }); };\n"
	"turn = { realm = \"r.test\"; relay_ports = [50000, 50007]; ipc = \"%s\"; };\n"
	"cp = { quota_total = 1000; quota_user = 0; };\n"
	"tenants = (\n"
	"  { name = \"ta\"; realm = \"a.test\"; addresses = [\"10.0.0.11\"];\n"
	"    relay = [\"10.1.0.11\", \"10.1.0.12\"]; quota_total = 4; quota_user = 2; },\n"
	"  { name = \"tb\"; realm = \"b.test\"; addresses = [\"10.0.0.12\"];\n"
	"    relay = [\"10.1.0.13\", \"fd00:1::11\"]; quota_total = 3; quota_user = 0; },\n"
	"  { name = \"tc\"; realm = \"c.test\"; addresses = [\"10.0.0.13\"]; }\n"
	");\n";

static int
setup_tenants(void **state)
{
	(void)state;
	return setup_with(conf_tenants);
}

static int
setup_many(void **state)
{
	(void)state;
	return setup_with(conf_many);
}

static int
teardown(void **state)
{
	(void)state;
	cp_alloc_fini(&cp);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	cp_policy_free(cp.policy);
	for (unsigned int i = 0; i < TP_CONF_MAX_TENANTS; i++)
		cp_policy_free(cp.tenant_policy[i]);
	cp_auth_free(cp.auth);
	tp_conf_free(&conf);
	unlink(conf_path);
	return 0;
}

struct reply {
	struct ipc_msg msg;
	struct stun_msg stun;
};

/* Everything cp sent to worker w since last time; the last RESPONSE is
 * parsed into r (returns the number of ALLOC_ADD/ALLOC_DEL seen in *adds,
 * *dels). */
/* RFC 6062's messages to dp that drain() saw (TCP_CONNECT, TCP_BIND,
 * TCP_CLOSE, TCP_NAME), oldest first. */
static struct ipc_msg tcp_seen[16];
static unsigned int ntcp_seen;
/* ... and RFC 8016's ALLOC_MOVE: the last one, and how many */
static struct ipc_msg move_seen;
static unsigned int nmove_seen;
/* ... and the forwards of its moves across workers (FWD_ADD, FWD_DEL),
 * oldest first, with the worker whose ring each was in */
static struct ipc_msg fwd_seen[8];
static unsigned int fwd_seen_w[8];
static unsigned int nfwd_seen;

static int
drain(unsigned int w, struct reply *r, int *adds, int *dels)
{
	static struct ipc_msg m;
	int got = 0;

	*adds = *dels = 0;
	while (ipc_ring_dequeue(&ipc_worker(&cp.seg, w)->to_dp, &m) == 1) {
		if ((m.h.kind == IPC_TCP_CONNECT || m.h.kind == IPC_TCP_BIND ||
		     m.h.kind == IPC_TCP_CLOSE || m.h.kind == IPC_TCP_NAME) && ntcp_seen < 16) {
			assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
			tcp_seen[ntcp_seen++] = m;
		}
		if (m.h.kind == IPC_ALLOC_MOVE) {
			assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
			move_seen = m;
			nmove_seen++;
		}
		if (m.h.kind == IPC_FWD_ADD || m.h.kind == IPC_FWD_DEL) {
			assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
			assert_int_equal(m.h.worker, w);
			if (nfwd_seen < 8) {
				fwd_seen_w[nfwd_seen] = w;
				fwd_seen[nfwd_seen] = m;
			}
			nfwd_seen++;
		}
		if (m.h.kind == IPC_ALLOC_ADD)
			(*adds)++;
		if (m.h.kind == IPC_ALLOC_DEL)
			(*dels)++;
		if (m.h.kind == IPC_RESPONSE) {
			r->msg = m;
			assert_int_equal(stun_msg_parse(&r->stun, r->msg.body,
							 r->msg.h.body_len, NULL), 0);
			got = 1;
		}
	}
	return got;
}

static void
tuple(struct ipc_tuple *t, uint16_t cport)
{
	memset(t, 0, sizeof(*t));
	t->transport = tuple_conn != 0 ? 6 : 17;
	t->conn_id = tuple_conn;
	t->client.family = 4;
	t->client.ip[0] = 10;
	t->client.ip[3] = 2;
	t->client.port = cport;
	t->server.family = 4;
	t->server.ip[0] = 10;
	t->server.ip[3] = tuple_server;
	t->server.port = 3478;
}

/* What a request carries beyond a UDP relay and the defaults. */
struct alloc_opts {
	uint8_t raf;                  /* REQUESTED-ADDRESS-FAMILY, 0: none */
	uint8_t aaf;                  /* ADDITIONAL-ADDRESS-FAMILY, 0: none */
	bool even, rbit;              /* EVEN-PORT and its R bit */
	const uint8_t *token;         /* RESERVATION-TOKEN (8 bytes) */
	const char *password;         /* NULL: "pw" */
	uint16_t channel;             /* CHANNEL-NUMBER, 0: none */
	const struct stun_addr *peers;  /* one XOR-PEER-ADDRESS each */
	unsigned int npeers;
	bool no_fingerprint;
	bool unknown;                 /* an unknown comprehension-required attribute */
	uint8_t transport;            /* REQUESTED-TRANSPORT of an Allocate, 0: UDP */
	uint32_t cid;                 /* CONNECTION-ID, 0: none */
	bool mob;                     /* MOBILITY-TICKET (RFC 8016): ticket, */
	const uint8_t *ticket;        /* ticket_len bytes (NULL: empty) */
	uint16_t ticket_len;
	const uint8_t *atok;          /* ACCESS-TOKEN (RFC 7635), atok_len bytes, */
	size_t atok_len;
	const uint8_t *mac_key;       /* and MESSAGE-INTEGRITY keyed with mac_key */
	size_t mac_key_len;
};

/* Send a request as dp would; returns the response's error code (0 for
 * success), or -1 when cp sent no response at all. nonce/user select
 * authentication; tid_out gets the tid; o (may be NULL) adds attributes. */
static int
request_opts(unsigned int w, uint16_t method, uint16_t cport, const char *user,
	     const char *nonce, int lifetime, const uint8_t *tid_in, uint8_t *tid_out,
	     const struct alloc_opts *o, struct reply *r)
{
	static struct ipc_msg m;
	struct stun_builder b;
	uint8_t tid[12] = { 0 }, key[32];
	const char *pw = o != NULL && o->password != NULL ? o->password : "pw";
	int adds, dels, n;

	if (tid_in != NULL)
		memcpy(tid, tid_in, 12);
	else
		memcpy(tid, &(uint32_t){ ++tid_seq }, 4);
	if (tid_out != NULL)
		memcpy(tid_out, tid, 12);
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_REQUEST;
	m.h.worker = (uint16_t)w;
	tuple(&m.h.tuple, cport);
	stun_build_init(&b, m.body, sizeof(m.body), stun_msg_type(method, STUN_CLASS_REQUEST), tid);
	if (method == STUN_METHOD_ALLOCATE)
		stun_build_transport(&b, o != NULL && o->transport != 0 ? o->transport :
				     STUN_TRANSPORT_UDP);
	if (o != NULL && o->cid != 0)
		stun_build_u32(&b, STUN_ATTR_CONNECTION_ID, o->cid);
	if (o != NULL && o->raf != 0)
		stun_build_family(&b, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, o->raf);
	if (o != NULL && o->aaf != 0)
		stun_build_family(&b, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, o->aaf);
	if (o != NULL && o->even)
		stun_build_even_port(&b, o->rbit);
	if (o != NULL && o->token != NULL)
		stun_build_attr(&b, STUN_ATTR_RESERVATION_TOKEN, o->token, 8);
	if (o != NULL && o->channel != 0)
		stun_build_channel(&b, o->channel);
	for (unsigned int i = 0; o != NULL && i < o->npeers; i++)
		stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &o->peers[i]);
	if (lifetime >= 0)
		stun_build_u32(&b, STUN_ATTR_LIFETIME, (uint32_t)lifetime);
	if (o != NULL && o->unknown)
		stun_build_u32(&b, 0x7abc, 1);
	if (o != NULL && o->mob) {
		static const uint8_t none[1];

		stun_build_attr(&b, STUN_ATTR_MOBILITY_TICKET,
				o->ticket != NULL ? o->ticket : none, o->ticket_len);
	}
	if (nonce != NULL) {
		/* the realm of the tenant whose address the request reaches */
		unsigned int t = tp_conf_tenant_of(&conf, 4, m.h.tuple.server.ip);
		const char *realm = t != 0 ? conf.tenants.t[t - 1].realm : "r.test";

		stun_build_str(&b, STUN_ATTR_USERNAME, user);
		stun_build_str(&b, STUN_ATTR_REALM, realm);
		stun_build_str(&b, STUN_ATTR_NONCE, nonce);
		if (o != NULL && o->atok != NULL)
			stun_build_attr(&b, STUN_ATTR_ACCESS_TOKEN, o->atok, (uint16_t)o->atok_len);
		if (o != NULL && o->mac_key != NULL) {
			stun_build_integrity(&b, o->mac_key, o->mac_key_len);
		} else {
			assert_int_equal(stun_key_long_term(STUN_PWALG_MD5, user, realm, pw, key),
					 16);
			stun_build_integrity(&b, key, 16);
		}
	}
	if (o == NULL || !o->no_fingerprint)
		stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	assert_true(n > 0);
	m.h.body_len = (uint16_t)n;
	cp_handle(&cp, w, &m);
	if (drain(w, r, &adds, &dels) == 0)
		return -1;
	if (r->stun.cls == STUN_CLASS_ERROR) {
		uint16_t code;

		assert_int_equal(stun_attr_get_error(stun_msg_find(&r->stun, STUN_ATTR_ERROR_CODE),
						     &code, NULL, NULL), 0);
		return code;
	}
	return 0;
}

static int
request(unsigned int w, uint16_t method, uint16_t cport, const char *user,
	const char *nonce, int lifetime, const uint8_t *tid_in, uint8_t *tid_out,
	struct reply *r)
{
	return request_opts(w, method, cport, user, nonce, lifetime, tid_in, tid_out,
			    NULL, r);
}

static void
nonce_for(unsigned int w, uint16_t cport, char *nonce)
{
	struct reply r;
	const struct stun_attr *a;

	assert_int_equal(request(w, STUN_METHOD_ALLOCATE, cport, NULL, NULL, -1, NULL, NULL, &r), 401);
	a = stun_msg_find(&r.stun, STUN_ATTR_NONCE);
	assert_non_null(a);
	memcpy(nonce, a->value, a->len);
	nonce[a->len] = '\0';
}

static int
allocate(unsigned int w, uint16_t cport, const char *user, int lifetime,
	 struct reply *r)
{
	char nonce[128];

	nonce_for(w, cport, nonce);
	return request(w, STUN_METHOD_ALLOCATE, cport, user, nonce, lifetime, NULL, NULL, r);
}

static int
allocate_opts(unsigned int w, uint16_t cport, const char *user,
	      const struct alloc_opts *o, struct reply *r)
{
	char nonce[128];

	nonce_for(w, cport, nonce);
	return request_opts(w, STUN_METHOD_ALLOCATE, cport, user, nonce, -1, NULL, NULL,
			    o, r);
}

/* The XOR-RELAYED-ADDRESS attributes of a success, in order; returns how
 * many. */
static unsigned int
relayed_of(const struct reply *r, struct stun_addr *out, unsigned int max)
{
	const struct stun_attr *a = stun_msg_find(&r->stun, STUN_ATTR_XOR_RELAYED_ADDRESS);
	unsigned int n = 0;

	for (; a != NULL && n < max; a = stun_msg_find_next(&r->stun, a))
		assert_int_equal(stun_attr_get_addr(&r->stun, a, &out[n++]), 0);
	return n;
}

static uint32_t
lifetime_of(const struct reply *r)
{
	uint32_t v = 0;

	assert_int_equal(stun_attr_get_u32(stun_msg_find(&r->stun, STUN_ATTR_LIFETIME), &v), 0);
	return v;
}

/* cp_alloc_init() takes every kind dp sends but agw's (cp/agw's own init
 * takes those), and a dp restart installs the allocations again. */
static void
test_alloc_init_registers_its_kinds(void **state)
{
	(void)state;
	/* (STATE_DONE, the end of every module's answer to a SYNC, is
	 * cp_dp's own: cp_handle() takes it whatever modules the box has;
	 * the gateway's kinds, its TCP contexts' and its RTP terminations'
	 * (DTLS-SRTP's too), and FENCE_DONE, which its doors' held replies
	 * wait for, are cp/agw's; LI_STATUS is cp/li's) */
#define IPC_KIND(e, v, name, dir) \
	if (IPC_##dir == IPC_DP2CP && IPC_##e != IPC_AGW_EVENT && IPC_##e != IPC_AGW_STATE && \
	    IPC_##e != IPC_RTP_EVENT && IPC_##e != IPC_RTP_STATE && IPC_##e != IPC_RTP_STATS && \
	    IPC_##e != IPC_RTP_DTLS && IPC_##e != IPC_DTLS_CERT && IPC_##e != IPC_LI_STATUS && \
	    IPC_##e != IPC_STATE_DONE && IPC_##e != IPC_FENCE_DONE) \
		assert_non_null(cp.dp.handler[IPC_##e]); \
	else \
		assert_null(cp.dp.handler[IPC_##e]);
#include "ipc_kinds.def"
#undef IPC_KIND
	assert_int_equal(cp.dp.nrestart, 1);
	assert_ptr_equal(cp.dp.restart[0], cp_reinstall_start);
}

/* STATS_REQs waiting in worker w's ring to dp (and nothing else there). */
static unsigned int
stats_reqs(unsigned int w)
{
	static struct ipc_msg m;
	struct ipc_ring *ring = &ipc_worker(&cp.seg, w)->to_dp;
	unsigned int n = 0;

	while (ipc_ring_dequeue(ring, &m) == 1) {
		assert_int_equal(m.h.kind, IPC_STATS_REQ);
		n++;
	}
	return n;
}

/* alloc's step asks every worker for its allocations' counters once a
 * second, once cp is ready (dp's state is still coming in before). */
static void
test_alloc_step_asks_dp_for_counters_each_second(void **state)
{
	(void)state;
	cp.ready = false;
	assert_int_equal(cp_alloc_step(&cp), 0);
	assert_int_equal(stats_reqs(0) + stats_reqs(1), 0);
	cp.ready = true;
	cp.now_ms += 999;
	assert_int_equal(cp_alloc_step(&cp), 0);
	assert_int_equal(stats_reqs(0) + stats_reqs(1), 0);
	cp.now_ms += 1;
	assert_int_equal(cp_alloc_step(&cp), 0);
	assert_int_equal(stats_reqs(0), 1);
	assert_int_equal(stats_reqs(1), 1);
	cp.now_ms += 500;
	assert_int_equal(cp_alloc_step(&cp), 0);
	assert_int_equal(stats_reqs(0) + stats_reqs(1), 0);
	cp.now_ms += 500;
	assert_int_equal(cp_alloc_step(&cp), 0);
	assert_int_equal(stats_reqs(0), 1);
	assert_int_equal(stats_reqs(1), 1);
}

/* Without a turn group (an AGW-only box) alloc keeps no state, takes no
 * kind of dp's, and never asks dp for counters: only dp's TURN answers a
 * STATS_REQ, and only allocations would use the answer. What the rest of
 * cp reads of allocations finds none. */
static void
test_alloc_without_turn_group_has_no_state_and_asks_dp_nothing(void **state)
{
	struct cp_alloc_totals t;
	uint32_t cur = 0;

	(void)state;
	assert_null(cp.alloc);
	assert_null(cp.dp.handler[IPC_REQUEST]);
	assert_null(cp.dp.handler[IPC_STATS]);
	assert_int_equal(cp.dp.nrestart, 0);
	for (unsigned int i = 0; i < 5; i++) {
		cp.now_ms += 1000;
		assert_int_equal(cp_alloc_step(&cp), 0);
	}
	cp_request_stats(&cp);
	cp_reinstall_start(&cp);
	assert_int_equal(cp_reinstall_step(&cp), 0);
	assert_int_equal(stats_reqs(0) + stats_reqs(1), 0);
	assert_false(cp_alloc_reinstalling(&cp));
	assert_int_equal(cp_alloc_count(&cp), 0);
	assert_int_equal(cp_alloc_capacity(&cp), 0);
	assert_int_equal(cp_alloc_nrelay(&cp, 0), 0);
	assert_int_equal(cp_alloc_worker_cap(&cp), 0);
	assert_int_equal(cp_tcp_conns(&cp), 0);
	assert_null(cp_alloc_next(&cp, &cur));
	assert_int_equal(cp_alloc_kill(&cp, 1), -ENOENT);
	memset(&t, 0xff, sizeof(t));
	cp_alloc_totals(&cp, &t);
	assert_int_equal(t.allocs, 0);
	assert_int_equal(t.allocs_tcp, 0);
	assert_true(t.worker[0] == 0 && t.done[1] == 0 && t.live[1] == 0);
	cp_alloc_fini(&cp);
	assert_null(cp.alloc);
}

static void
test_alloc_quota_per_user_and_total(void **state)
{
	struct reply r;
	char nonce[128];

	(void)state;
	assert_int_equal(allocate(0, 1001, "alice", -1, &r), 0);
	assert_int_equal(allocate(0, 1002, "alice", -1, &r), 0);
	assert_int_equal(allocate(0, 1003, "alice", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(allocate(0, 1004, "bob", -1, &r), 0);            /* total: 3 */
	assert_int_equal(allocate(0, 1005, "bob", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(cp.alloc->nallocs, 3);
	/* Refresh 0 frees a place in both quotas. */
	nonce_for(0, 1001, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 1001, "alice", nonce, 0, NULL, NULL, &r), 0);
	assert_int_equal(cp.alloc->nallocs, 2);
	assert_int_equal(allocate(0, 1003, "alice", -1, &r), 0);
}

/* A restarted dp gets every allocation back even when the ring to it is
 * full: the pass waits for room (leaving some for answers) and goes on. */
static void
test_alloc_reinstall_waits_for_room_and_sends_every_allocation(void **state)
{
	static struct ipc_msg filler;
	struct ipc_ring *ring = &ipc_worker(&cp.seg, 0)->to_dp;
	struct reply r;
	int adds, dels;

	(void)state;
	assert_int_equal(allocate(0, 1001, "alice", -1, &r), 0);
	assert_int_equal(allocate(0, 1002, "bob", -1, &r), 0);
	(void)drain(0, &r, &adds, &dels);
	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_STATS_REQ;
	for (unsigned int i = 0; i < IPC_RING_SLOTS - 64; i++)
		assert_int_equal(ipc_ring_enqueue(ring, &filler), 0);
	cp_reinstall_start(&cp);
	assert_int_equal(cp_reinstall_step(&cp), 0);
	assert_true(cp.alloc->reinstalling);
	assert_int_equal(ipc_ring_count(ring), IPC_RING_SLOTS - 64);
	(void)drain(0, &r, &adds, &dels);
	assert_int_equal(adds, 0);
	/* Room again: both allocations go, and the pass is over. */
	assert_int_equal(cp_reinstall_step(&cp), 2);
	assert_false(cp.alloc->reinstalling);
	(void)drain(0, &r, &adds, &dels);
	assert_int_equal(adds, 2);
	assert_int_equal(cp_reinstall_step(&cp), 0);
}

static void
test_alloc_lifetime_clamped(void **state)
{
	struct reply r;

	(void)state;
	assert_int_equal(allocate(0, 2001, "alice", 10, &r), 0);
	assert_int_equal(lifetime_of(&r), 600);      /* below default: default */
	assert_int_equal(allocate(0, 2002, "alice", 99999, &r), 0);
	assert_int_equal(lifetime_of(&r), 1200);     /* above max: max */
	assert_int_equal(allocate(0, 2003, "bob", 900, &r), 0);
	assert_int_equal(lifetime_of(&r), 900);
}

static void
test_alloc_port_from_worker_share(void **state)
{
	struct reply r;
	struct stun_addr ra;

	(void)state;
	for (unsigned int w = 0; w < 2; w++) {
		assert_int_equal(allocate(w, (uint16_t)(3000 + w), w ? "bob" : "alice", -1, &r), 0);
		assert_int_equal(stun_attr_get_addr(&r.stun, stun_msg_find(&r.stun,
				 STUN_ATTR_XOR_RELAYED_ADDRESS), &ra), 0);
		/* 50000..50999 split in two: worker 0 below 50500, 1 above */
		if (w == 0)
			assert_true(ra.port >= 50000 && ra.port < 50500);
		else
			assert_true(ra.port >= 50500 && ra.port <= 50999);
		assert_int_equal(ra.ip[0], 10);
		assert_int_equal(ra.ip[1], 1);
	}
}

static void
test_alloc_retransmission_and_mismatch(void **state)
{
	struct reply r;
	char nonce[128];
	uint8_t tid[12];
	struct stun_addr a1, a2;
	int adds, dels;

	(void)state;
	nonce_for(0, 4001, nonce);
	assert_int_equal(request(0, STUN_METHOD_ALLOCATE, 4001, "alice", nonce, -1, NULL, tid, &r), 0);
	stun_attr_get_addr(&r.stun, stun_msg_find(&r.stun, STUN_ATTR_XOR_RELAYED_ADDRESS), &a1);
	/* the same request again (lost response): the same answer */
	assert_int_equal(request(0, STUN_METHOD_ALLOCATE, 4001, "alice", nonce, -1, tid, NULL, &r), 0);
	stun_attr_get_addr(&r.stun, stun_msg_find(&r.stun, STUN_ATTR_XOR_RELAYED_ADDRESS), &a2);
	assert_int_equal(a1.port, a2.port);
	assert_int_equal(cp.alloc->nallocs, 1);
	/* another Allocate on the taken 5-tuple */
	assert_int_equal(request(0, STUN_METHOD_ALLOCATE, 4001, "alice", nonce, -1, NULL, NULL, &r),
			 STUN_ERR_ALLOCATION_MISMATCH);
	/* Refresh by another user: 441 */
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 4001, "bob", nonce, 600, NULL, NULL, &r),
			 STUN_ERR_WRONG_CREDENTIALS);
	/* Refresh with no allocation: 437 (nonces are bound to the 5-tuple) */
	nonce_for(0, 4999, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 4999, "alice", nonce, 600, NULL, NULL, &r),
			 STUN_ERR_ALLOCATION_MISMATCH);
	(void)drain(0, &r, &adds, &dels);
}

static void
test_alloc_expires_on_the_wheel(void **state)
{
	struct reply r;
	struct ipc_msg m;
	int dels = 0;

	(void)state;
	assert_int_equal(allocate(1, 5001, "bob", -1, &r), 0);
	assert_int_equal(cp.alloc->nallocs, 1);
	cp.now_ms = cp.start_ms + 599000;
	tw_advance(&cp.wheel, (cp.now_ms - cp.start_ms) / CP_TICK_MS);
	assert_int_equal(cp.alloc->nallocs, 1);
	cp.now_ms = cp.start_ms + 600000;
	tw_advance(&cp.wheel, (cp.now_ms - cp.start_ms) / CP_TICK_MS);
	assert_int_equal(cp.alloc->nallocs, 0);
	while (ipc_ring_dequeue(&ipc_worker(&cp.seg, 1)->to_dp, &m) == 1)
		dels += m.h.kind == IPC_ALLOC_DEL;
	assert_int_equal(dels, 1);
	assert_int_equal(cp.stats[CP_STAT_EXPIRED_ALLOCS], 1);
}

/* ---- several relayed addresses ------------------------------------------ */

/* Index of a relayed IPv4 address 10.1.0.11..13 (0..2), IPv6 fd00:1::11..12. */
static int
addr_index(const struct stun_addr *a)
{
	if (a->family == STUN_AF_IPV4) {
		assert_int_equal(a->ip[0], 10);
		assert_int_equal(a->ip[1], 1);
		assert_int_equal(a->ip[2], 0);
		assert_true(a->ip[3] >= 11 && a->ip[3] <= 13);
		return a->ip[3] - 11;
	}
	assert_int_equal(a->ip[0], 0xfd);
	assert_int_equal(a->ip[15] >= 0x11 && a->ip[15] <= 0x12, 1);
	return a->ip[15] - 0x11;
}

static void
test_alloc_relay_every_pair_of_the_share_before_508(void **state)
{
	struct reply r;
	struct stun_addr ra;
	bool seen[3][4] = { { false } };
	unsigned int per_addr[3] = { 0, 0, 0 };

	(void)state;
	assert_int_equal(cp.alloc->nrelay[0], 3);
	assert_int_equal(cp.alloc->nrelay[1], 2);
	/* worker 0's share is 50000..50003: 3 addresses x 4 ports */
	for (uint16_t i = 0; i < 12; i++) {
		int k;

		assert_int_equal(allocate_opts(0, (uint16_t)(6000 + i), "alice", NULL, &r), 0);
		assert_int_equal(relayed_of(&r, &ra, 1), 1);
		assert_true(ra.port >= 50000 && ra.port <= 50003);
		k = addr_index(&ra);
		assert_false(seen[k][ra.port - 50000]);
		seen[k][ra.port - 50000] = true;
		per_addr[k]++;
	}
	/* the addresses beyond the first were used once the first's ports
	 * were: every pair exactly once */
	assert_int_equal(per_addr[0], 4);
	assert_int_equal(per_addr[1], 4);
	assert_int_equal(per_addr[2], 4);
	assert_int_equal(allocate_opts(0, 6100, "alice", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_int_equal(cp.alloc->nallocs, 12);
	/* the other worker's share is its own */
	assert_int_equal(allocate_opts(1, 6101, "bob", NULL, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_true(ra.port >= 50004 && ra.port <= 50007);
}

/*
 * TP_CONF_MAX_RELAY relayed addresses, 100 ports a worker across a word of
 * the port bitmaps: all 6,400 pairs of worker 0's share are given, each
 * once, before 508; a pair given back is the only one to be had, and is
 * given; EVEN-PORT gets an even port or 508. (cpa_port_pick() searches 64
 * ports a word at a time past ports taken at every address.)
 */
static void
test_alloc_relay_many_addresses_every_pair_once(void **state)
{
	static bool seen[TP_CONF_MAX_RELAY][100];
	const struct alloc_opts even = { .even = true };
	struct reply r;
	struct stun_addr ra;
	uint16_t cport = 1000;
	unsigned int k, n = TP_CONF_MAX_RELAY * 100;
	uint64_t id;

	(void)state;
	memset(seen, 0, sizeof(seen));
	assert_int_equal(cp.alloc->nrelay[0], TP_CONF_MAX_RELAY);
	for (unsigned int i = 0; i < n; i++) {
		cp.now_ms += 100;  /* the one client address's challenge budget (10/s) */
		assert_int_equal(allocate_opts(0, cport++, "alice", NULL, &r), 0);
		assert_int_equal(relayed_of(&r, &ra, 1), 1);
		assert_true(ra.port >= 50000 && ra.port <= 50099);
		k = (unsigned int)(ra.ip[3] - 100);
		assert_true(k < TP_CONF_MAX_RELAY);
		assert_false(seen[k][ra.port - 50000]);
		seen[k][ra.port - 50000] = true;
	}
	assert_int_equal(allocate_opts(0, cport++, "alice", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* one odd pair given back: the one to be had, not for EVEN-PORT */
	id = 0;
	{
		uint32_t cur = 0;
		struct cp_alloc *a;

		while ((a = cp_alloc_next(&cp, &cur)) != NULL)
			if (a->relay_port == 50077 && a->relay_idx[0] == 9)
				id = a->id;
	}
	assert_true(id != 0);
	assert_int_equal(cp_alloc_kill(&cp, id), 0);
	assert_int_equal(allocate_opts(0, cport++, "alice", &even, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_int_equal(allocate_opts(0, cport++, "alice", NULL, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_int_equal(ra.port, 50077);
	assert_int_equal(ra.ip[3], 100 + 9);
}

static void
test_alloc_relay_freed_pair_is_given_again(void **state)
{
	struct reply r;
	struct stun_addr ra, gone;
	char nonce[128];

	(void)state;
	for (uint16_t i = 0; i < 12; i++) {
		assert_int_equal(allocate_opts(0, (uint16_t)(7000 + i), "alice", NULL, &r), 0);
		if (i == 5)
			assert_int_equal(relayed_of(&r, &gone, 1), 1);
	}
	assert_int_equal(allocate_opts(0, 7100, "alice", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	nonce_for(0, 7005, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 7005, "alice", nonce, 0, NULL,
				 NULL, &r), 0);
	assert_int_equal(allocate_opts(0, 7101, "alice", NULL, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_int_equal(ra.port, gone.port);
	assert_memory_equal(ra.ip, gone.ip, 4);
	assert_int_equal(allocate_opts(0, 7102, "alice", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
}

static void
test_alloc_relay_dual_takes_one_port_in_both_families(void **state)
{
	const struct alloc_opts dual = { .aaf = STUN_AF_IPV6 };
	const struct alloc_opts v6 = { .raf = STUN_AF_IPV6 };
	struct reply r;
	struct stun_addr ra[2];
	bool seen6[2][4] = { { false } };
	unsigned int v4_left = 12;

	(void)state;
	/* IPv6 has 2 x 4 pairs in the share: 8 dual allocations */
	for (uint16_t i = 0; i < 8; i++) {
		int k;

		assert_int_equal(allocate_opts(0, (uint16_t)(8000 + i), "alice", &dual, &r), 0);
		assert_int_equal(relayed_of(&r, ra, 2), 2);
		assert_int_equal(ra[0].family, STUN_AF_IPV4);
		assert_int_equal(ra[1].family, STUN_AF_IPV6);
		assert_int_equal(ra[0].port, ra[1].port);
		assert_true(ra[0].port >= 50000 && ra[0].port <= 50003);
		(void)addr_index(&ra[0]);
		k = addr_index(&ra[1]);
		assert_false(seen6[k][ra[1].port - 50000]);
		seen6[k][ra[1].port - 50000] = true;
		v4_left--;
	}
	/* no IPv6 pair left: a dual allocation is refused whole ... */
	assert_int_equal(allocate_opts(0, 8100, "alice", &dual, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_int_equal(allocate_opts(0, 8101, "alice", &v6, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* ... while IPv4 still has its 4 */
	for (uint16_t i = 0; i < v4_left; i++)
		assert_int_equal(allocate_opts(0, (uint16_t)(8200 + i), "alice", NULL, &r), 0);
	assert_int_equal(allocate_opts(0, 8300, "alice", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* the ALLOC_ADD carried both relayed addresses of the last dual one */
	assert_int_equal(cp.alloc->nallocs, 12);
}

static void
test_alloc_relay_reservation_keeps_its_address(void **state)
{
	const struct alloc_opts even_r = { .even = true, .rbit = true };
	struct alloc_opts with_token = { 0 };
	struct reply r;
	struct stun_addr first, ra;
	const struct stun_attr *tok;
	uint8_t token[8];

	(void)state;
	assert_int_equal(allocate_opts(0, 9000, "alice", &even_r, &r), 0);
	assert_int_equal(relayed_of(&r, &first, 1), 1);
	assert_int_equal(first.port % 2, 0);
	tok = stun_msg_find(&r.stun, STUN_ATTR_RESERVATION_TOKEN);
	assert_non_null(tok);
	memcpy(token, tok->value, 8);
	/* 12 pairs, 2 taken (the allocation and the reservation): 10 more */
	for (uint16_t i = 0; i < 10; i++) {
		assert_int_equal(allocate_opts(0, (uint16_t)(9100 + i), "bob", NULL, &r), 0);
		assert_int_equal(relayed_of(&r, &ra, 1), 1);
		assert_false(ra.port == first.port + 1 && memcmp(ra.ip, first.ip, 4) == 0);
	}
	assert_int_equal(allocate_opts(0, 9200, "bob", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* the token gets the odd port next to it, at the same address */
	with_token.token = token;
	assert_int_equal(allocate_opts(0, 9001, "alice", &with_token, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_int_equal(ra.port, first.port + 1);
	assert_memory_equal(ra.ip, first.ip, 4);
	/* used up */
	assert_int_equal(allocate_opts(0, 9002, "alice", &with_token, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
}

static void
test_alloc_relay_worker_capped_at_its_dp_table(void **state)
{
	struct reply r;

	(void)state;
	assert_int_equal(cp.alloc->worker_cap, tp_conf_worker_allocs(&conf));
	assert_int_equal(cp.alloc->worker_cap, 1000);   /* quota_total 1000 caps it */
	cp.alloc->worker_cap = 2;
	assert_int_equal(allocate_opts(0, 9500, "alice", NULL, &r), 0);
	assert_int_equal(allocate_opts(0, 9501, "alice", NULL, &r), 0);
	assert_int_equal(allocate_opts(0, 9502, "alice", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_int_equal(allocate_opts(1, 9503, "alice", NULL, &r), 0);
	assert_int_equal(cp.alloc->worker_allocs[0], 2);
	assert_int_equal(cp.alloc->worker_allocs[1], 1);
}

/* ipc_alloc.flags of what restore_one() and restore_user() hand over */
static uint16_t restore_flags;

/* Hand cp an allocation as dp reports it after a cp restart. */
static void
restore_one(unsigned int w, uint64_t id, uint16_t cport, uint16_t port,
	    const char *ip4, const char *ip6)
{
	static struct ipc_msg m;
	struct ipc_alloc ia;
	unsigned int n = 0;

	memset(&m.h, 0, sizeof(m.h));
	memset(&ia, 0, sizeof(ia));
	m.h.kind = IPC_STATE_ALLOC;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	tuple(&m.h.tuple, cport);
	if (ip4 != NULL) {
		ia.relayed[n].family = 4;
		ia.relayed[n].port = port;
		assert_int_equal(inet_pton(AF_INET, ip4, ia.relayed[n].ip), 1);
		n++;
	}
	if (ip6 != NULL) {
		ia.relayed[n].family = 6;
		ia.relayed[n].port = port;
		assert_int_equal(inet_pton(AF_INET6, ip6, ia.relayed[n].ip), 1);
		n++;
	}
	ia.nrelayed = (uint8_t)n;
	ia.flags = restore_flags;
	ia.expires_ms = cp.now_ms + 600000;
	ia.user_len = 5;
	memcpy(ia.username, "alice", 5);
	memcpy(m.body, &ia, sizeof(ia));
	m.h.body_len = sizeof(ia);
	cp_handle(&cp, w, &m);
}

static void
test_alloc_relay_restore_marks_the_pairs_used(void **state)
{
	const struct alloc_opts v6 = { .raf = STUN_AF_IPV6 };
	static const char *const v4[3] = { "10.1.0.11", "10.1.0.12", "10.1.0.13" };
	struct reply r;
	struct stun_addr ra;
	uint64_t id = 100;

	(void)state;
	/* dp reports 10 IPv4 allocations, a dual one on (10.1.0.13,
	 * fd00:1::12) port 50003, and one on an address this configuration
	 * no longer has: every worker-0 IPv4 pair but (10.1.0.12, 50002) */
	for (unsigned int k = 0; k < 3; k++)
		for (uint16_t p = 50000; p <= 50003; p++) {
			if ((k == 1 && p == 50002) || (k == 2 && p == 50003))
				continue;
			restore_one(0, id, (uint16_t)(id + 1000), p, v4[k], NULL);
			id++;
		}
	restore_one(0, id, (uint16_t)(id + 1000), 50003, "10.1.0.13", "fd00:1::12");
	id++;
	restore_one(0, id, (uint16_t)(id + 1000), 50002, "10.1.0.99", NULL);
	assert_int_equal(cp.alloc->nallocs, 12);
	assert_int_equal(cp.stats[CP_STAT_STATE_RESTORED], 12);
	assert_int_equal(cp.alloc->worker_allocs[0], 12);
	/* the one free IPv4 pair, then nothing */
	assert_int_equal(allocate_opts(0, 5000, "bob", NULL, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_int_equal(ra.port, 50002);
	assert_int_equal(ra.ip[3], 12);
	assert_int_equal(allocate_opts(0, 5001, "bob", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* IPv6: 8 pairs, the dual allocation holds (fd00:1::12, 50003) */
	for (uint16_t i = 0; i < 7; i++) {
		assert_int_equal(allocate_opts(0, (uint16_t)(5100 + i), "bob", &v6, &r), 0);
		assert_int_equal(relayed_of(&r, &ra, 1), 1);
		assert_false(ra.port == 50003 && ra.ip[15] == 0x12);
	}
	assert_int_equal(allocate_opts(0, 5200, "bob", &v6, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* an allocation that expires gives its pairs back */
	assert_int_equal(cp_alloc_kill(&cp, 100 + 10), 0);   /* the dual one */
	assert_int_equal(allocate_opts(0, 5300, "bob", &v6, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_int_equal(ra.port, 50003);
	assert_int_equal(ra.ip[15], 0x12);
}

/* A cp that is not ready yet (taking dp's state back) answers no
 * request: one that slipped into the ring is dropped and counted, and the
 * client's retransmission, once cp is ready, is answered. */
static void
test_alloc_request_before_ready_is_dropped(void **state)
{
	struct reply r;
	int adds, dels;

	static struct ipc_msg m;
	struct stun_builder b;
	uint8_t tid[12] = { 1, 2, 3 };
	int n;

	(void)state;
	cp.ready = false;
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_REQUEST;
	tuple(&m.h.tuple, 40000);
	stun_build_init(&b, m.body, sizeof(m.body),
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST), tid);
	stun_build_transport(&b, STUN_TRANSPORT_UDP);
	n = stun_build_finish(&b);
	assert_true(n > 0);
	m.h.body_len = (uint16_t)n;
	cp_handle(&cp, 0, &m);
	assert_int_equal(drain(0, &r, &adds, &dels), 0);
	assert_int_equal(cp.stats[CP_STAT_NOT_READY_DROPPED], 1);
	cp.ready = true;
	assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, 40000, NULL, NULL, -1, NULL,
				      NULL, NULL, &r), 401);
}

/* A STATE_DONE ends the wait for its worker only when it answers this cp's
 * SYNC (its epoch in alloc_id): one from a pass an earlier cp asked for
 * would make cp ready before dp's state is all back. */
static void
test_alloc_state_done_answers_this_cps_sync_only(void **state)
{
	static struct ipc_msg m;

	(void)state;
	cp.seg.shm->cp_epoch = 7;
	cp.state_wait = 3;
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_STATE_DONE;
	m.h.alloc_id = 6;               /* an earlier cp's SYNC */
	cp_handle(&cp, 0, &m);
	assert_int_equal(cp.state_wait, 3);
	m.h.alloc_id = 7;
	cp_handle(&cp, 0, &m);
	assert_int_equal(cp.state_wait, 2);
	cp_handle(&cp, 1, &m);
	assert_int_equal(cp.state_wait, 0);
}

/* cp_request_state() sends SYNC, carrying cp's epoch, to every worker whose
 * ring takes it, and keeps the others for a later call. */
static void
test_alloc_sync_waits_for_room(void **state)
{
	static struct ipc_msg m, got;
	struct ipc_ring *r1 = &ipc_worker(&cp.seg, 1)->to_dp;
	unsigned int filled = 0;

	(void)state;
	cp.seg.shm->cp_epoch = 9;
	memset(&m, 0, sizeof(m));
	while (ipc_ring_enqueue(r1, &m) == 0)
		filled++;
	cp.sync_unsent = 3;
	cp_request_state(&cp);
	assert_int_equal(cp.sync_unsent, 2);        /* worker 1's ring is full */
	assert_int_equal(ipc_ring_dequeue(&ipc_worker(&cp.seg, 0)->to_dp, &got), 1);
	assert_int_equal(got.h.kind, IPC_SYNC);
	assert_int_equal(got.h.alloc_id, 9);
	for (unsigned int i = 0; i < filled; i++)
		assert_int_equal(ipc_ring_dequeue(r1, &got), 1);
	cp_request_state(&cp);
	assert_int_equal(cp.sync_unsent, 0);
	assert_int_equal(ipc_ring_dequeue(r1, &got), 1);
	assert_int_equal(got.h.kind, IPC_SYNC);
}

/* ---- RESERVATION-TOKEN (RFC 8656 §7.2 steps 5 and 8) -------------------- */

/* The token of a success, into t. */
static void
token_of(const struct reply *r, uint8_t t[8])
{
	const struct stun_attr *a = stun_msg_find(&r->stun, STUN_ATTR_RESERVATION_TOKEN);

	assert_non_null(a);
	assert_int_equal(a->len, 8);
	memcpy(t, a->value, 8);
}

static void
advance_to(uint64_t ms)
{
	cp.now_ms = cp.start_ms + ms;
	tw_advance(&cp.wheel, ms / CP_TICK_MS);
}

/* Seen on the demo: a used reservation kept its time and took token 0, so
 * eight zero bytes from anyone got the port the token's owner holds. */
static void
test_alloc_reservation_token_zero_is_508(void **state)
{
	const struct alloc_opts even_r = { .even = true, .rbit = true };
	static const uint8_t zero[8];
	struct alloc_opts with = { 0 };
	struct reply r;
	struct stun_addr first, ra;
	uint8_t token[8], other[8];

	(void)state;
	/* before any reservation exists */
	with.token = zero;
	assert_int_equal(allocate_opts(0, 9000, "bob", &with, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_int_equal(allocate_opts(0, 9001, "alice", &even_r, &r), 0);
	assert_int_equal(relayed_of(&r, &first, 1), 1);
	token_of(&r, token);
	assert_false(memcmp(token, zero, 8) == 0);
	/* a live reservation does not answer to 0 or to another token */
	assert_int_equal(allocate_opts(0, 9002, "bob", &with, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	memcpy(other, token, 8);
	other[7] ^= 0x5a;
	with.token = other;
	assert_int_equal(allocate_opts(0, 9003, "bob", &with, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* its owner gets port + 1 ... */
	with.token = token;
	assert_int_equal(allocate_opts(0, 9004, "alice", &with, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_int_equal(ra.port, first.port + 1);
	/* ... and then neither the token nor 0 gets anything */
	assert_int_equal(allocate_opts(0, 9005, "bob", &with, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	with.token = zero;
	assert_int_equal(allocate_opts(0, 9006, "bob", &with, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_int_equal(cp.alloc->nallocs, 2);
}

/* An expired reservation gives its port back when it expires, not when
 * another reservation happens to take its slot. */
static void
test_alloc_reservation_expiry_frees_its_port_at_once(void **state)
{
	const struct alloc_opts even_r = { .even = true, .rbit = true };
	struct alloc_opts with = { 0 };
	struct reply r;
	struct stun_addr first, ra;
	uint8_t token[8];

	(void)state;
	assert_int_equal(allocate_opts(0, 9000, "alice", &even_r, &r), 0);
	assert_int_equal(relayed_of(&r, &first, 1), 1);
	token_of(&r, token);
	for (uint16_t i = 0; i < 10; i++)
		assert_int_equal(allocate_opts(0, (uint16_t)(9100 + i), "bob", NULL, &r), 0);
	assert_int_equal(allocate_opts(0, 9200, "bob", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* held for 30 s (§7.2) ... */
	advance_to(29990);
	assert_int_equal(allocate_opts(0, 9201, "bob", NULL, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* ... then the port is free again, at its address */
	advance_to(30000);
	assert_int_equal(allocate_opts(0, 9202, "bob", NULL, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_int_equal(ra.port, first.port + 1);
	assert_memory_equal(ra.ip, first.ip, 4);
	with.token = token;
	assert_int_equal(allocate_opts(0, 9203, "alice", &with, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
}

/* The reserved port lies in the share of the worker that reserved it:
 * peer traffic to it steers there, so only that worker may use it. */
static void
test_alloc_reservation_only_from_its_worker(void **state)
{
	const struct alloc_opts even_r = { .even = true, .rbit = true };
	struct alloc_opts with = { 0 };
	struct reply r;
	struct stun_addr first, ra;
	uint8_t token[8];

	(void)state;
	assert_int_equal(allocate_opts(0, 9000, "alice", &even_r, &r), 0);
	assert_int_equal(relayed_of(&r, &first, 1), 1);
	token_of(&r, token);
	with.token = token;
	assert_int_equal(allocate_opts(1, 9001, "alice", &with, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_int_equal(allocate_opts(0, 9002, "alice", &with, &r), 0);
	assert_int_equal(relayed_of(&r, &ra, 1), 1);
	assert_int_equal(ra.port, first.port + 1);
}

/* §7.2: a retransmitted Allocate gets the same success, token included
 * (else a client whose first answer was lost never learns it). */
static void
test_alloc_reservation_token_in_the_retransmitted_success(void **state)
{
	const struct alloc_opts even_r = { .even = true, .rbit = true };
	struct reply r;
	char nonce[128];
	uint8_t tid[12], token[8], again[8];

	(void)state;
	nonce_for(0, 9000, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, 9000, "alice", nonce, -1, NULL,
				      tid, &even_r, &r), 0);
	token_of(&r, token);
	assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, 9000, "alice", nonce, -1, tid,
				      NULL, &even_r, &r), 0);
	token_of(&r, again);
	assert_memory_equal(token, again, 8);
	assert_int_equal(cp.alloc->nallocs, 1);
}

/* Wide ports, room for more reservations than cp holds. */
static const char conf_wide[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"turn = { realm = \"r.test\"; relay_ports = [50000, 56999]; ipc = \"%s\"; };\n"
	"cp = { quota_user = 0; quota_total = 2000; };\n";

static int
setup_wide(void **state)
{
	/* a thousand challenges at once from one client address: lift the
	 * rate limit on challenges (cp/auth) for this one */
	struct cp_auth_conf ac = { .realm = "r.test", .rl_rate = 1000000,
				   .rl_burst = 1000000 };

	(void)state;
	setup_with(conf_wide);
	cp_auth_free(cp.auth);
	cp.auth = cp_auth_init(&ac);
	assert_non_null(cp.auth);
	assert_int_equal(cp_auth_user_add(cp.auth, "alice", "pw"), 0);
	return 0;
}

/* §7.2 step 8: EVEN-PORT R=1 that cannot be satisfied is 508, never a
 * success without the reservation it asked for. */
static void
test_alloc_reservation_508_when_no_slot_is_left(void **state)
{
	const struct alloc_opts even_r = { .even = true, .rbit = true };
	struct reply r;
	char nonce[128];
	uint16_t cport = 10000;

	(void)state;
	for (unsigned int i = 0; i < CP_MAX_RESERV; i++, cport++) {
		nonce_for(0, cport, nonce);
		assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, cport, "alice", nonce, -1,
					      NULL, NULL, &even_r, &r), 0);
		assert_non_null(stun_msg_find(&r.stun, STUN_ATTR_RESERVATION_TOKEN));
	}
	assert_int_equal(allocate_opts(0, cport++, "alice", &even_r, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	/* ports are not what is missing */
	assert_int_equal(allocate_opts(0, cport++, "alice", NULL, &r), 0);
	/* a slot frees when its reservation expires */
	advance_to(30000);
	assert_int_equal(allocate_opts(0, cport++, "alice", &even_r, &r), 0);
	assert_non_null(stun_msg_find(&r.stun, STUN_ATTR_RESERVATION_TOKEN));
}

/* ---- usernames: quota counts and lengths ------------------------------- */

static const char rest_secret[] = "s3cret";

/* Usernames the quota table holds (each with an allocation). */
static uint32_t
quota_entries(void)
{
	uint32_t n = 0;

	for (uint32_t b = 0; b <= cp.alloc->users_mask; b++)
		for (const struct cp_user *u = cp.alloc->by_user[b]; u != NULL; u = u->next) {
			assert_true(u->n > 0);
			n++;
		}
	assert_int_equal(n, cp.alloc->nusers);
	return n;
}

/* With TURN REST credentials every session is a new username: the table
 * must forget a username when its last allocation goes, or it fills (486
 * for everyone) and its probes grow long. 6144 distinct usernames: three
 * times what the table once held (2 x quota_total rounded up), six times
 * its size now. */
static void
test_alloc_quota_table_forgets_released_usernames(void **state)
{
	struct alloc_opts o = { 0 };
	struct reply r;
	char user[64], pw[29], nonce[128];

	(void)state;
	assert_int_equal(cp_auth_secret_add(cp.auth, rest_secret), 0);
	nonce_for(0, 7000, nonce);
	o.password = pw;
	for (unsigned int i = 0; i < 6144; i++) {
		int rc;

		snprintf(user, sizeof(user), "2000000000:churn-%u", i);
		assert_int_equal(cp_auth_rest_password(rest_secret, user, pw), 0);
		rc = request_opts(0, STUN_METHOD_ALLOCATE, 7000, user, nonce, -1, NULL, NULL,
				  &o, &r);
		if (rc != 0)
			fail_msg("username %u: Allocate answered %d", i, rc);
		assert_int_equal(quota_entries(), 1);
		rc = request_opts(0, STUN_METHOD_REFRESH, 7000, user, nonce, 0, NULL, NULL,
				  &o, &r);
		assert_int_equal(rc, 0);
	}
	assert_int_equal(cp.alloc->nallocs, 0);
	assert_int_equal(quota_entries(), 0);
	/* and the per-user count is still right afterwards */
	assert_int_equal(cp_auth_secret_del(cp.auth, rest_secret), 0);
	for (uint16_t i = 0; i < 3; i++)
		assert_int_equal(allocate(0, (uint16_t)(7100 + i), "alice", -1, &r), 0);
	assert_int_equal(quota_entries(), 1);
	assert_int_equal(cp_alloc_kill(&cp, cp_alloc_next(&cp, &(uint32_t){ 0 })->id), 0);
	assert_int_equal(quota_entries(), 1);
}

/* Hand cp an allocation of user[0..user_len) as dp reports it. */
static void
restore_user(unsigned int w, uint64_t id, uint16_t cport, uint16_t port,
	     const char *user, uint16_t user_len)
{
	static struct ipc_msg m;
	struct ipc_alloc ia;

	memset(&m.h, 0, sizeof(m.h));
	memset(&ia, 0, sizeof(ia));
	m.h.kind = IPC_STATE_ALLOC;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	tuple(&m.h.tuple, cport);
	ia.relayed[0].family = 4;
	ia.relayed[0].port = port;
	assert_int_equal(inet_pton(AF_INET, "10.1.0.1", ia.relayed[0].ip), 1);
	ia.nrelayed = 1;
	ia.flags = restore_flags;
	ia.expires_ms = cp.now_ms + 600000;
	ia.user_len = user_len;
	memcpy(ia.username, user, strlen(user) < sizeof(ia.username) ?
	       strlen(user) : sizeof(ia.username));
	memcpy(m.body, &ia, sizeof(ia));
	m.h.body_len = sizeof(ia);
	cp_handle(&cp, w, &m);
}

/* A restarted cp counts what dp reports as allocations made: the quota
 * holds across the restart, and the counts leave with the allocations. */
static void
test_alloc_quota_restored_allocations_count(void **state)
{
	struct reply r;

	(void)state;
	/* quota_user 2, quota_total 3 */
	restore_user(0, 100, 1100, 50001, "alice", 5);
	restore_user(0, 101, 1101, 50002, "alice", 5);
	assert_int_equal(cp.alloc->nallocs, 2);
	assert_int_equal(quota_entries(), 1);
	assert_int_equal(allocate(0, 1200, "alice", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(allocate(0, 1201, "bob", -1, &r), 0);
	assert_int_equal(quota_entries(), 2);
	assert_int_equal(cp_alloc_kill(&cp, 100), 0);
	assert_int_equal(allocate(0, 1202, "alice", -1, &r), 0);
	assert_int_equal(cp_alloc_kill(&cp, 101), 0);
	assert_int_equal(quota_entries(), 2);
}

/* A username dp reports longer than any cp installs is not taken in (a
 * corrupt segment): it overflowed the quota slot it was copied into. */
static void
test_alloc_restore_refuses_a_username_over_508_bytes(void **state)
{
	(void)state;
	restore_user(1, 200, 1103, 50600, "mallory", TP_USERNAME_MAX + 1);
	restore_user(1, 201, 1104, 50601, "mallory", 0xffff);
	assert_int_equal(cp.alloc->nallocs, 0);
	restore_user(1, 202, 1105, 50602, "mallory", 7);
	assert_int_equal(cp.alloc->nallocs, 1);
}

/* A TURN REST username of exactly len bytes, and its password. */
static void
rest_user(char *user, size_t len, char fill, char pw[29])
{
	memcpy(user, "2000000000:", 11);
	memset(user + 11, fill, len - 11);
	user[len] = '\0';
	assert_int_equal(cp_auth_rest_password(rest_secret, user, pw), 0);
}

/* Seen on the demo: a 311-byte REST username allocated (overflowing the
 * quota slot) and its allocation kept the name cut to 255 bytes, so its
 * first Refresh was 441. Every length up to RFC 8489's 508 works whole. */
static void
test_alloc_long_rest_usernames_allocate_and_refresh(void **state)
{
	static const size_t lens[] = { 255, 256, 300, 500, TP_USERNAME_MAX };
	static char user[TP_USERNAME_MAX + 1];
	const struct stun_addr peer = { .family = STUN_AF_IPV4, .port = 4000,
					.ip = { 203, 0, 113, 7 } };
	struct alloc_opts o = { 0 };
	struct reply r;
	char pw[29], nonce[128];

	(void)state;
	assert_int_equal(cp_auth_secret_add(cp.auth, rest_secret), 0);
	o.password = pw;
	for (size_t i = 0; i < TP_ARRAY_SIZE(lens); i++) {
		uint16_t cport = (uint16_t)(8000 + i);
		uint32_t cur = 0;
		struct cp_alloc *a;

		rest_user(user, lens[i], (char)('a' + i), pw);
		nonce_for(1, cport, nonce);
		assert_int_equal(request_opts(1, STUN_METHOD_ALLOCATE, cport, user, nonce, -1,
					      NULL, NULL, &o, &r), 0);
		assert_int_equal(request_opts(1, STUN_METHOD_REFRESH, cport, user, nonce, 600,
					      NULL, NULL, &o, &r), 0);
		o.peers = &peer;
		o.npeers = 1;
		assert_int_equal(request_opts(1, STUN_METHOD_CREATE_PERMISSION, cport, user,
					      nonce, -1, NULL, NULL, &o, &r), 0);
		o.npeers = 0;
		/* the allocation (and what dp gets) holds the whole name */
		while ((a = cp_alloc_next(&cp, &cur)) != NULL && a->tuple.client.port != cport)
			;
		assert_non_null(a);
		assert_int_equal(a->user->len, lens[i]);
		assert_memory_equal(a->user->name, user, lens[i]);
		assert_int_equal(request_opts(1, STUN_METHOD_REFRESH, cport, user, nonce, 0,
					      NULL, NULL, &o, &r), 0);
	}
	assert_int_equal(cp.alloc->nallocs, 0);
	assert_int_equal(quota_entries(), 0);
}

/* Longer than RFC 8489 allows: dp refuses it (400: lib/stun will not parse
 * it); should one reach cp, cp does not parse it either. */
static void
test_alloc_username_over_508_bytes_gets_nothing(void **state)
{
	static char user[TP_USERNAME_MAX + 8];
	struct alloc_opts o = { 0 };
	struct reply r;
	char pw[29], nonce[128];

	(void)state;
	assert_int_equal(cp_auth_secret_add(cp.auth, rest_secret), 0);
	o.password = pw;
	for (size_t len = TP_USERNAME_MAX + 1; len <= TP_USERNAME_MAX + 4; len++) {
		rest_user(user, len, 'z', pw);
		nonce_for(0, 8100, nonce);
		assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, 8100, user, nonce, -1,
					      NULL, NULL, &o, &r), -1);
	}
	assert_int_equal(cp.alloc->nallocs, 0);
}

/* ---- ChannelBind and FINGERPRINT ---------------------------------------- */

static struct cp_alloc *
alloc_of(uint16_t cport)
{
	uint32_t cur = 0;
	struct cp_alloc *a;

	while ((a = cp_alloc_next(&cp, &cur)) != NULL)
		if (a->tuple.client.port == cport)
			return a;
	return NULL;
}

static unsigned int
perms_used(const struct cp_alloc *a)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->nbinds; i++)
		n += a->binds[i].channel == 0;
	assert_int_equal(n, a->nperms);
	return n;
}

/* A ChannelBind refused 508 for want of a channel slot installs nothing:
 * no permission for its peer either. */
static void
test_alloc_channel_bind_508_takes_no_permission(void **state)
{
	struct stun_addr peers[CP_MAX_PERMS];
	struct alloc_opts o = { 0 };
	struct reply r;
	char nonce[128];

	(void)state;
	assert_int_equal(allocate(0, 9300, "alice", -1, &r), 0);
	nonce_for(0, 9300, nonce);
	/* every channel to ports of one peer IP: one permission */
	for (uint16_t i = 0; i < CP_MAX_CHANNELS; i++) {
		struct stun_addr p = { .family = STUN_AF_IPV4, .port = (uint16_t)(4000 + i),
				       .ip = { 203, 0, 113, 1 } };

		o.peers = &p;
		o.npeers = 1;
		o.channel = (uint16_t)(0x4000 + i);
		assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9300, "alice", nonce,
					      -1, NULL, NULL, &o, &r), 0);
	}
	assert_int_equal(perms_used(alloc_of(9300)), 1);
	peers[0] = (struct stun_addr){ .family = STUN_AF_IPV4, .port = 5000,
				       .ip = { 203, 0, 113, 2 } };
	o.peers = peers;
	o.channel = 0x4100;
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9300, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_int_equal(perms_used(alloc_of(9300)), 1);
	/* so the other 15 permissions are still there to have */
	for (unsigned int i = 0; i < CP_MAX_PERMS - 1; i++)
		peers[i] = (struct stun_addr){ .family = STUN_AF_IPV4, .port = 1,
					       .ip = { 203, 0, 113, (uint8_t)(10 + i) } };
	o.channel = 0;
	o.npeers = CP_MAX_PERMS - 1;
	assert_int_equal(request_opts(0, STUN_METHOD_CREATE_PERMISSION, 9300, "alice", nonce,
				      -1, NULL, NULL, &o, &r), 0);
	assert_int_equal(perms_used(alloc_of(9300)), CP_MAX_PERMS);
}

/* RFC 8656 §12: channel numbers are 0x4000-0x4FFF; by default (turn.channels
 * "rfc8656") 0x5000 and above are 400. */
static void
test_alloc_channel_above_0x4fff_is_400_by_default(void **state)
{
	const struct stun_addr peer = { .family = STUN_AF_IPV4, .port = 4000,
					.ip = { 203, 0, 113, 1 } };
	struct alloc_opts o = { .peers = &peer, .npeers = 1 };
	struct reply r;
	char nonce[128];

	(void)state;
	assert_int_equal(conf.turn.channel_max, 0x4FFF);
	assert_int_equal(allocate(0, 9400, "alice", -1, &r), 0);
	nonce_for(0, 9400, nonce);
	o.channel = 0x5000;
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9400, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	o.channel = 0x7FFE;
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9400, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	o.channel = 0x4FFF;
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9400, "alice", nonce, -1,
				      NULL, NULL, &o, &r), 0);
}

/* Port 0 is never a destination. ChannelBind to a peer at port 0 is 400
 * and installs nothing (not a channel to port 0 that dp relays to);
 * CreatePermission ignores the port (RFC 8656 §9), so
 * port 0 there is fine. */
static void
test_alloc_channel_to_peer_port_0_is_400(void **state)
{
	const struct stun_addr peer0 = { .family = STUN_AF_IPV4, .port = 0,
					 .ip = { 203, 0, 113, 1 } };
	struct alloc_opts o = { .peers = &peer0, .npeers = 1, .channel = 0x4001 };
	static struct ipc_msg m;
	struct reply r;
	char nonce[128];
	int adds, dels, chans = 0;

	(void)state;
	assert_int_equal(allocate(0, 9500, "alice", -1, &r), 0);
	drain(0, &r, &adds, &dels);
	nonce_for(0, 9500, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9500, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	while (ipc_ring_dequeue(&ipc_worker(&cp.seg, 0)->to_dp, &m) == 1)
		chans += m.h.kind == IPC_CHAN_ADD || m.h.kind == IPC_PERM_ADD;
	assert_int_equal(chans, 0);
	o.channel = 0;
	assert_int_equal(request_opts(0, STUN_METHOD_CREATE_PERMISSION, 9500, "alice", nonce,
				      -1, NULL, NULL, &o, &r), 0);
}

/* The reply's ERROR-CODE reason phrase is want. */
static void
assert_reason(const struct reply *r, const char *want)
{
	const struct stun_attr *e = stun_msg_find(&r->stun, STUN_ATTR_ERROR_CODE);
	const char *why;
	uint16_t code, len;

	assert_non_null(e);
	assert_int_equal(stun_attr_get_error(e, &code, &why, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(why, want, len);
}

/* RFC 8656 §12.2: a number bound to another peer, and a peer bound to
 * another number, are 400 each, and the reason phrase says which. The
 * first is what coturn's turnutils_uclient meets when its random second
 * number (0x4000-0x7FFF) repeats its first: tests/integration/lib's
 * uclient wrapper reruns a batch on exactly this phrase. A rebinding of
 * the same pair is a refresh (200). */
static void
test_alloc_channel_conflicts_say_which(void **state)
{
	struct stun_addr p1 = { .family = STUN_AF_IPV4, .port = 5000,
				.ip = { 203, 0, 113, 1 } };
	struct stun_addr p2 = p1;
	struct alloc_opts o = { .peers = &p1, .npeers = 1, .channel = 0x5001 };
	struct reply r;
	char nonce[128];

	(void)state;
	p2.port = 5001;
	conf.turn.channel_max = 0x7FFE;
	assert_int_equal(allocate(0, 9500, "alice", -1, &r), 0);
	nonce_for(0, 9500, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9500, "alice", nonce, -1,
				      NULL, NULL, &o, &r), 0);
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9500, "alice", nonce, -1,
				      NULL, NULL, &o, &r), 0);
	o.peers = &p2;   /* 0x5001 again, for another peer */
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9500, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	assert_reason(&r, "Channel Number Bound To Another Peer");
	o.peers = &p1;   /* the first peer on another number */
	o.channel = 0x5002;
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9500, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	assert_reason(&r, "Peer Bound To Another Channel Number");
	/* a number out of the range says so (uclient's draw of 0x7FFF,
	 * reserved: rerun by the wrapper as well) */
	o.channel = 0x3FFF;
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9500, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	assert_reason(&r, "Channel Number Out Of Range");
	o.channel = 0x7FFF;
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9500, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	assert_reason(&r, "Channel Number Out Of Range");
	/* a 400 for a malformed request (no CHANNEL-NUMBER) keeps the
	 * standard phrase */
	o.channel = 0;
	assert_int_equal(request_opts(0, STUN_METHOD_CHANNEL_BIND, 9500, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	assert_reason(&r, "Bad Request");
}

/* RFC 8489 §14.7: FINGERPRINT is optional; without it a request is
 * processed. (One that does not match is discarded by dp before it
 * reaches cp: dp/turn fingerprint_ok(), test_turn_hardening.) */
static void
test_alloc_without_fingerprint_is_processed(void **state)
{
	struct alloc_opts none = { .no_fingerprint = true };
	struct reply r;
	char nonce[128];

	(void)state;
	nonce_for(0, 9500, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, 9500, "alice", nonce, -1, NULL,
				      NULL, &none, &r), 0);
	assert_int_equal(cp.alloc->nallocs, 1);
	assert_int_equal(request_opts(0, STUN_METHOD_REFRESH, 9500, "alice", nonce, 600, NULL,
				      NULL, &none, &r), 0);
}

/* RFC 8489 §6.3: unknown comprehension-required attributes are judged
 * once authentication is done. Without credentials: 401 (it was 420);
 * with a wrong password: 401; authenticated: 420, naming the attribute,
 * with MESSAGE-INTEGRITY; nothing allocated. */
static void
test_alloc_unknown_attribute_judged_after_authentication(void **state)
{
	struct alloc_opts unk = { .unknown = true };
	struct alloc_opts unk_wrong = { .unknown = true, .password = "wrong" };
	struct reply r;
	char nonce[128];

	(void)state;
	assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, 9600, NULL, NULL, -1, NULL,
				      NULL, &unk, &r), 401);
	nonce_for(0, 9600, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, 9600, "alice", nonce, -1,
				      NULL, NULL, &unk_wrong, &r), 401);
	assert_int_equal(request_opts(0, STUN_METHOD_ALLOCATE, 9600, "alice", nonce, -1,
				      NULL, NULL, &unk, &r), 420);
	{
		const struct stun_attr *ua = stun_msg_find(&r.stun, STUN_ATTR_UNKNOWN_ATTRIBUTES);

		assert_non_null(ua);
		assert_int_equal(ua->len, 2);
		assert_int_equal(ua->value[0], 0x7a);
		assert_int_equal(ua->value[1], 0xbc);
	}
	assert_non_null(stun_msg_find(&r.stun, STUN_ATTR_MESSAGE_INTEGRITY));
	assert_int_equal(cp.alloc->nallocs, 0);
}

/* Lifetimes run on the monotonic clock. The wall clock stepped back an
 * hour (on the wall clock every allocation would expire at once, and the
 * wheel's unsigned tick count would wrap) or forward an hour expires and
 * extends nothing; an allocation goes when its monotonic lifetime is up,
 * and REST usernames are still judged by the wall clock. */
static void
test_alloc_wall_clock_steps_expire_and_extend_nothing(void **state)
{
	const uint64_t wall = 1900000000000ull;      /* ms, 2030 */
	struct alloc_opts o = { 0 };
	struct reply r;
	char user[64], pw[29], nonce[128];
	int adds, dels;

	(void)state;
	cp_time_advance(&cp, cp.start_ms, wall);
	assert_int_equal(allocate(1, 5001, "bob", -1, &r), 0);       /* 600 s */
	assert_int_equal(cp.alloc->nallocs, 1);
	drain(1, &r, &adds, &dels);
	cp_time_advance(&cp, cp.start_ms + 10000, wall - 3600000);   /* back 1 h */
	assert_int_equal(cp.alloc->nallocs, 1);
	cp_time_advance(&cp, cp.start_ms + 20000, wall + 3600000);   /* fwd 1 h */
	assert_int_equal(cp.alloc->nallocs, 1);
	cp_time_advance(&cp, cp.start_ms + 30000, wall);             /* and back */
	assert_int_equal(cp.alloc->nallocs, 1);
	assert_int_equal(cp.stats[CP_STAT_EXPIRED_ALLOCS], 0);
	/* a monotonic clock that seemed to go back is not followed */
	cp_time_advance(&cp, cp.start_ms + 5000, wall);
	assert_int_equal(cp.now_ms, cp.start_ms + 30000);
	cp_time_advance(&cp, cp.start_ms + 599000, wall + 3600000);
	assert_int_equal(cp.alloc->nallocs, 1);
	cp_time_advance(&cp, cp.start_ms + 600000, wall - 3600000);
	assert_int_equal(cp.alloc->nallocs, 0);
	drain(1, &r, &adds, &dels);
	assert_int_equal(dels, 1);
	assert_int_equal(cp.stats[CP_STAT_EXPIRED_ALLOCS], 1);

	/* REST: valid until wall + 60 s by its own timestamp */
	assert_int_equal(cp_auth_secret_add(cp.auth, rest_secret), 0);
	snprintf(user, sizeof(user), "%llu:rest", (unsigned long long)(wall / 1000 + 60));
	assert_int_equal(cp_auth_rest_password(rest_secret, user, pw), 0);
	o.password = pw;
	nonce_for(1, 5002, nonce);
	assert_int_equal(request_opts(1, STUN_METHOD_ALLOCATE, 5002, user, nonce, -1, NULL,
				      NULL, &o, &r), 0);
	cp_time_advance(&cp, cp.now_ms + 1000, wall + 3600000);      /* wall +1 h */
	nonce_for(1, 5003, nonce);
	assert_int_equal(request_opts(1, STUN_METHOD_ALLOCATE, 5003, user, nonce, -1, NULL,
				      NULL, &o, &r), 401);
}

/* ---- relay to relay ---------------------------------------------------- */

/* The policy's own addresses as cp's main sets them: the access port's
 * 10.0.0.1 (TURN listens there) and the core port's 10.1.0.1, which is
 * the relayed address of conf_plain. */
static void
own_addresses(void)
{
	struct cp_addr a = { .family = 4, .ip = { 10, 0, 0, 1 } };

	assert_int_equal(cp_policy_add_own(cp.policy, &a), 0);
	a.ip[1] = 1;
	assert_int_equal(cp_policy_add_own(cp.policy, &a), 0);
	assert_int_equal(cp_policy_add_own_relayed(cp.policy, &a), 0);
}

/* What a client asks of peer at port: CreatePermission (channel 0) or
 * ChannelBind; returns the error code, 0 for success. */
static int
ask(uint16_t cport, const char *nonce, const uint8_t ip[16], uint8_t family,
    uint16_t port, uint16_t channel)
{
	struct stun_addr peer = { .family = family, .port = port };
	struct alloc_opts o = { .peers = &peer, .npeers = 1, .channel = channel };
	struct reply r;

	memcpy(peer.ip, ip, 16);
	return request_opts(0, channel ? STUN_METHOD_CHANNEL_BIND :
			    STUN_METHOD_CREATE_PERMISSION, cport, "alice", nonce, -1,
			    NULL, NULL, &o, &r);
}

/* Two clients of the box are each other's peers: a permission to our
 * relayed address and a channel to the relayed transport address of a
 * live allocation are allowed (without relay to relay they are 403).
 * Every other own address is still refused: the TURN listening address,
 * the relayed address at a port no allocation holds, a port merely
 * reserved, and the same in their IPv4-mapped forms; with
 * allow_relay_to_relay off, and for a deny-listed relayed address, the
 * relayed address too. */
static void
test_alloc_relay_to_relay_peer_policy(void **state)
{
	static const uint8_t access[16] = { 10, 0, 0, 1 }, relay[16] = { 10, 1, 0, 1 };
	static const uint8_t mapped_relay[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
						  10, 1, 0, 1 };
	static const uint8_t mapped_access[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
						   10, 0, 0, 1 };
	const struct alloc_opts even_r = { .even = true, .rbit = true };
	struct stun_addr rb, rr;
	struct reply r;
	char nonce[128];

	(void)state;
	own_addresses();
	conf.cp.quota_user = 0;
	conf.cp.quota_total = 3;
	/* B: an allocation whose relayed transport address A will call */
	assert_int_equal(allocate(0, 9601, "alice", -1, &r), 0);
	assert_int_equal(relayed_of(&r, &rb, 1), 1);
	/* R: a reservation (EVEN-PORT R=1): its port + 1 is held, by nobody */
	assert_int_equal(allocate_opts(0, 9602, "alice", &even_r, &r), 0);
	assert_int_equal(relayed_of(&r, &rr, 1), 1);
	assert_int_equal(allocate(0, 9600, "alice", -1, &r), 0);     /* A */
	nonce_for(0, 9600, nonce);

	assert_int_equal(ask(9600, nonce, relay, STUN_AF_IPV4, 0, 0), 0);
	assert_int_equal(ask(9600, nonce, relay, STUN_AF_IPV4, rb.port, 0x4001), 0);
	assert_int_equal(ask(9600, nonce, mapped_relay, STUN_AF_IPV6, rb.port, 0x4002),
			 STUN_ERR_BAD_REQUEST);   /* the same peer on another number */
	assert_int_equal(ask(9600, nonce, mapped_relay, STUN_AF_IPV6, 0, 0), 0);
	/* refused: not an allocation's, a listening address, reserved */
	assert_int_equal(ask(9600, nonce, relay, STUN_AF_IPV4, 3478, 0x4003), 403);
	assert_int_equal(ask(9600, nonce, access, STUN_AF_IPV4, 0, 0), 403);
	assert_int_equal(ask(9600, nonce, access, STUN_AF_IPV4, rb.port, 0x4004), 403);
	assert_int_equal(ask(9600, nonce, mapped_access, STUN_AF_IPV6, 0, 0), 403);
	assert_int_equal(ask(9600, nonce, relay, STUN_AF_IPV4, (uint16_t)(rr.port + 1),
			     0x4005), 403);
	/* the operator says no */
	conf.cp.allow_relay_to_relay = false;
	assert_int_equal(ask(9600, nonce, relay, STUN_AF_IPV4, 0, 0), 403);
	assert_int_equal(ask(9600, nonce, relay, STUN_AF_IPV4, rb.port, 0x4006), 403);
	conf.cp.allow_relay_to_relay = true;
	assert_int_equal(cp_policy_add_deny(cp.policy, "10.1.0.0/24", NULL, 0), 0);
	assert_int_equal(ask(9600, nonce, relay, STUN_AF_IPV4, 0, 0), 403);
}

/* An allocation made over a stream goes when dp says its connection
 * closed (CONN_DOWN): cp frees it and its port, tells dp, and leaves the
 * same client's UDP allocation alone (the tuple has the transport). */
/*
 * The chain tables (by tuple, by id) and the users' heads start at 4096
 * and double as allocations come: 20,000 allocations of 20,000 users,
 * taken back from dp, are each found again by id (a second report of the
 * same id is refused) and by client tuple (CONN_DOWN frees each), across
 * the growths. A growth that moved the allocation being made put it in
 * its chain twice: a loop, and cp hung (perf/run at 57,467 allocations).
 */
static void
test_alloc_tables_grow_and_find_everything(void **state)
{
	static struct ipc_msg m;
	struct ipc_conn_event ev = { .reason = IPC_CONN_CLOSED };
	struct reply r;
	int adds, dels;
	const unsigned int n = 20000;

	(void)state;
	tuple_conn = ipc_conn_make(0, 9, 4);
	for (unsigned int i = 0; i < n; i++) {
		struct ipc_alloc ia;

		memset(&m.h, 0, sizeof(m.h));
		memset(&ia, 0, sizeof(ia));
		m.h.kind = IPC_STATE_ALLOC;
		m.h.alloc_id = 1000 + i;
		tuple(&m.h.tuple, (uint16_t)(1000 + i));
		ia.nrelayed = 1;
		ia.relayed[0].family = 4;
		ia.relayed[0].port = (uint16_t)(10000 + i);
		ia.relayed[0].ip[0] = 10;
		ia.relayed[0].ip[1] = 1;
		ia.relayed[0].ip[3] = 1;
		ia.expires_ms = cp.now_ms + 600000;
		ia.user_len = (uint16_t)snprintf(ia.username, sizeof(ia.username), "u%u", i);
		memcpy(m.body, &ia, sizeof(ia));
		m.h.body_len = sizeof(ia);
		cp_handle(&cp, 0, &m);
	}
	assert_int_equal(cp.alloc->nallocs, n);
	assert_int_equal(cp.alloc->nusers, n);
	assert_true(cp.alloc->hash_mask + 1 >= n);
	assert_true(cp.alloc->users_mask + 1 >= n);
	/* by id: the same ids again add nothing */
	for (unsigned int i = 0; i < n; i += 7) {
		m.h.alloc_id = 1000 + i;
		tuple(&m.h.tuple, 60000);
		cp_handle(&cp, 0, &m);
	}
	assert_int_equal(cp.alloc->nallocs, n);
	/* by tuple */
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_CONN_DOWN;
	memcpy(m.body, &ev, sizeof(ev));
	m.h.body_len = sizeof(ev);
	for (unsigned int i = 0; i < n; i++) {
		tuple(&m.h.tuple, (uint16_t)(1000 + i));
		cp_handle(&cp, 0, &m);
		drain(0, &r, &adds, &dels);
		assert_int_equal(dels, 1);
	}
	assert_int_equal(cp.alloc->nallocs, 0);
	assert_int_equal(cp.alloc->nusers, 0);
	assert_int_equal(cp.stats[CP_STAT_CONN_DOWN_ALLOCS], n);
	tuple_conn = 0;
}

/* The running sums the metrics read instead of walking the allocations
 * (cp.alloc->nallocs_tcp, traffic_live) against the walk, after each kind
 * of change: allocations restored over UDP and TCP, dp's counters
 * reported (and reported lower: a counter that went back), RFC 6062 bytes
 * of a live allocation, allocations killed, closed with their connection,
 * and the TCP ones dropped at a dp restart. What was relayed in all
 * (finished + live) never changes when an allocation ends. */
static void
check_sums(void)
{
	uint64_t sum[TP_CONF_MAX_TENANTS + 1][IPC_ALLOC_STATS_N] = { { 0 } };
	uint32_t cur = 0, tcp = 0, n = 0;
	struct cp_alloc *a;

	while ((a = cp_alloc_next(&cp, &cur)) != NULL) {
		uint64_t t[IPC_ALLOC_STATS_N];

		cp_alloc_traffic(a, t);
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
			sum[a->tenant][i] += t[i];
		tcp += a->tuple.transport == 6;
		n++;
	}
	assert_int_equal(n, cp.alloc->nallocs);
	assert_int_equal(cp.alloc->nallocs_tcp, tcp);
	/* per tenant: the sums by tenant walk the same way */
	for (unsigned int k = 0; k <= TP_CONF_MAX_TENANTS; k++)
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
			assert_true(cp.alloc->traffic_live[k][i] == sum[k][i]);
}

static void
all_traffic(uint64_t out[IPC_ALLOC_STATS_N])
{
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
		out[i] = cp.alloc->traffic_done[0][i] + cp.alloc->traffic_live[0][i];
}

static void
test_alloc_running_sums_follow_every_change(void **state)
{
	static struct ipc_msg m;
	struct ipc_conn_event ev = { .reason = IPC_CONN_CLOSED };
	uint64_t before[IPC_ALLOC_STATS_N], after[IPC_ALLOC_STATS_N];
	const unsigned int n = 600;
	struct reply r;
	size_t off;

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		struct ipc_alloc ia;

		tuple_conn = i % 3 == 0 ? ipc_conn_make(0, 9, 4 + i) : 0;
		memset(&m.h, 0, sizeof(m.h));
		memset(&ia, 0, sizeof(ia));
		m.h.kind = IPC_STATE_ALLOC;
		m.h.alloc_id = 1000 + i;
		tuple(&m.h.tuple, (uint16_t)(1000 + i));
		ia.nrelayed = 1;
		ia.relayed[0].family = 4;
		ia.relayed[0].port = (uint16_t)(10000 + i);
		ia.relayed[0].ip[0] = 10;
		ia.relayed[0].ip[1] = 1;
		ia.relayed[0].ip[3] = 1;
		ia.expires_ms = cp.now_ms + 600000;
		ia.user_len = (uint16_t)snprintf(ia.username, sizeof(ia.username), "u%u", i % 50);
		memcpy(m.body, &ia, sizeof(ia));
		m.h.body_len = sizeof(ia);
		cp_handle(&cp, 0, &m);
	}
	tuple_conn = 0;
	assert_int_equal(cp.alloc->nallocs, n);
	assert_int_equal(cp.alloc->nallocs_tcp, n / 3);
	check_sums();
	/* dp's reports, as many to a message as fit, twice: the second lower
	 * for some (wrapping below the first) */
	for (unsigned int pass = 0; pass < 2; pass++) {
		memset(&m.h, 0, sizeof(m.h));
		m.h.kind = IPC_STATS;
		off = 0;
		for (unsigned int i = 0; i < n + 5; i++) {
			struct ipc_alloc_stats st = { .alloc_id = 1000 + i };  /* 5 unknown */

			for (unsigned int k = 0; k < IPC_ALLOC_STATS_N; k++)
				st.c[k] = pass == 0 ? (uint64_t)(i + 1) * (k + 3) :
					  i % 4 == 0 ? (uint64_t)k : (uint64_t)(i + 1) * (k + 7);
			if (off + sizeof(st) > sizeof(m.body)) {
				m.h.body_len = (uint16_t)off;
				cp_handle(&cp, 0, &m);
				off = 0;
			}
			memcpy(m.body + off, &st, sizeof(st));
			off += sizeof(st);
		}
		m.h.body_len = (uint16_t)off;
		cp_handle(&cp, 0, &m);
		check_sums();
	}
	/* RFC 6062 bytes of live allocations, and of one gone */
	cp_alloc_tcp_gone(&cp, 1000, (const uint64_t[4]){ 100, 90, 30, 20 });
	cp_alloc_tcp_gone(&cp, 1003, (const uint64_t[4]){ 1, 2, 3, 4 });
	check_sums();
	all_traffic(before);
	cp_alloc_tcp_gone(&cp, 99999, (const uint64_t[4]){ 5, 5, 5, 5 });
	all_traffic(after);
	assert_true(after[1] == before[1] + 5 && after[7] == before[7] + 5);
	check_sums();
	/* ends of every kind: killed, closed with the connection, a dp
	 * restart (the TCP ones go) */
	all_traffic(before);
	for (unsigned int i = 0; i < n; i += 5)
		assert_int_equal(cp_alloc_kill(&cp, 1000 + i), 0);
	check_sums();
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_CONN_DOWN;
	memcpy(m.body, &ev, sizeof(ev));
	m.h.body_len = sizeof(ev);
	for (unsigned int i = 1; i < n; i += 5) {
		tuple_conn = i % 3 == 0 ? ipc_conn_make(0, 9, 4 + i) : 0;
		tuple(&m.h.tuple, (uint16_t)(1000 + i));
		cp_handle(&cp, 0, &m);
	}
	tuple_conn = 0;
	check_sums();
	cp_reinstall_start(&cp);
	assert_int_equal(cp.alloc->nallocs_tcp, 0);
	check_sums();
	all_traffic(after);
	assert_memory_equal(before, after, sizeof(before));
	drain(0, &r, &(int){ 0 }, &(int){ 0 });
}

/* ---- who follows the allocations (cp_alloc_observe(), the quota hook) -- */

/* What the observers heard, in order: who (its arg), the event, the
 * allocation (a's id, or the event's), the reason, and whether a was
 * still in the table then. */
static struct {
	unsigned int n;
	struct {
		int who;
		enum cp_alloc_ev_type type;
		uint64_t id;
		unsigned int reason;
		bool in_table;
	} e[32];
} heard;
/* What the observer answers for an allocation cp no longer has (as a
 * usage record waiting for it would): took c in place of held_old, of
 * tenant held_tenant. */
static bool held_claim;
static const unsigned int held_tenant = 2;
static const uint64_t held_old[IPC_ALLOC_STATS_N] = { 1, 10, 2, 20, 3, 30, 4, 40 };

static void
observer(struct cp_ctx *c, struct cp_alloc_ev *ev, void *arg)
{
	assert_ptr_equal(c, &cp);
	assert_true(heard.n < 32);
	heard.e[heard.n].who = *(const int *)arg;
	heard.e[heard.n].type = ev->type;
	heard.e[heard.n].id = ev->a != NULL ? ev->a->id : ev->id;
	heard.e[heard.n].reason = ev->reason;
	heard.e[heard.n].in_table = ev->a != NULL && cp_alloc_find_id(c, ev->a->id) == ev->a;
	heard.n++;
	if (held_claim && (ev->type == CP_ALLOC_EV_FINAL || ev->type == CP_ALLOC_EV_REPORT ||
			   ev->type == CP_ALLOC_EV_TCP_GONE)) {
		ev->held.took = ev->type != CP_ALLOC_EV_TCP_GONE;
		ev->held.tenant = held_tenant;
		memcpy(ev->held.old, held_old, sizeof(held_old));
	}
}

static void
heard_is(unsigned int i, int who, enum cp_alloc_ev_type type, uint64_t id, bool in_table)
{
	assert_true(i < heard.n);
	assert_int_equal(heard.e[i].who, who);
	assert_int_equal(heard.e[i].type, type);
	assert_true(heard.e[i].id == id);
	assert_int_equal(heard.e[i].in_table, in_table);
}

static uint64_t
id_at(uint16_t cport)
{
	struct ipc_tuple t;
	const struct cp_alloc *a;

	tuple(&t, cport);
	a = cp_alloc_find_tuple(&cp, &t);
	assert_non_null(a);
	return a->id;
}

/* Every observer hears each event, in the order they registered: an
 * allocation up (ALLOC_ADD) and its new lifetime (ALLOC_LIFE); its end
 * with why (Refresh 0, kill, expiry) while it is still in the table, then
 * its going once it is out; one that unregistered hears nothing more. */
static void
test_alloc_observers_hear_up_end_and_gone(void **state)
{
	static int one = 1, two = 2, three = 3, four = 4, five = 5, six = 6;
	struct reply r;
	char nonce[128];
	uint64_t a, b, c;

	(void)state;
	memset(&heard, 0, sizeof(heard));
	assert_int_equal(cp_alloc_observe(&cp, observer, &one), 0);
	assert_int_equal(cp_alloc_observe(&cp, observer, &two), 0);
	assert_int_equal(cp_alloc_observe(&cp, observer, &three), 0);
	assert_int_equal(cp_alloc_observe(&cp, observer, &four), 0);
	assert_int_equal(cp_alloc_observe(&cp, observer, &five), 0);
	assert_int_equal(cp_alloc_observe(&cp, observer, &six), 0);
	/* (CP_ALLOC_OBSERVERS: six) */
	assert_int_equal(cp_alloc_observe(&cp, observer, &six), -ENOSPC);
	cp_alloc_unobserve(&cp, observer, &three);
	cp_alloc_unobserve(&cp, observer, &four);
	cp_alloc_unobserve(&cp, observer, &five);
	cp_alloc_unobserve(&cp, observer, &six);

	assert_int_equal(allocate(0, 1001, "alice", -1, &r), 0);
	a = id_at(1001);
	assert_int_equal(heard.n, 2);
	heard_is(0, 1, CP_ALLOC_EV_UP, a, true);
	heard_is(1, 2, CP_ALLOC_EV_UP, a, true);
	/* a Refresh: its new lifetime; Refresh 0: its end, then gone */
	nonce_for(0, 1001, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 1001, "alice", nonce, 900, NULL, NULL,
				 &r), 0);
	assert_int_equal(heard.n, 4);
	heard_is(2, 1, CP_ALLOC_EV_LIFE, a, true);
	heard_is(3, 2, CP_ALLOC_EV_LIFE, a, true);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 1001, "alice", nonce, 0, NULL, NULL, &r),
			 0);
	assert_int_equal(heard.n, 8);
	heard_is(4, 1, CP_ALLOC_EV_END, a, true);
	heard_is(5, 2, CP_ALLOC_EV_END, a, true);
	assert_int_equal(heard.e[4].reason, CP_ALLOC_R_CLIENT);
	assert_int_equal(heard.e[5].reason, CP_ALLOC_R_CLIENT);
	heard_is(6, 1, CP_ALLOC_EV_GONE, a, false);
	heard_is(7, 2, CP_ALLOC_EV_GONE, a, false);
	/* the operator's kill */
	assert_int_equal(allocate(0, 1002, "bob", -1, &r), 0);
	b = id_at(1002);
	heard.n = 0;
	assert_int_equal(cp_alloc_kill(&cp, b), 0);
	assert_int_equal(heard.n, 4);
	heard_is(0, 1, CP_ALLOC_EV_END, b, true);
	assert_int_equal(heard.e[0].reason, CP_ALLOC_R_KILLED);
	heard_is(3, 2, CP_ALLOC_EV_GONE, b, false);
	/* one observer gone: the other alone hears an expiry */
	cp_alloc_unobserve(&cp, observer, &two);
	assert_int_equal(allocate(1, 1003, "carol", -1, &r), 0);
	c = id_at(1003);
	cp.now_ms = cp.start_ms + 600000;
	tw_advance(&cp.wheel, (cp.now_ms - cp.start_ms) / CP_TICK_MS);
	assert_int_equal(heard.n, 7);
	heard_is(4, 1, CP_ALLOC_EV_UP, c, true);
	heard_is(5, 1, CP_ALLOC_EV_END, c, true);
	assert_int_equal(heard.e[5].reason, CP_ALLOC_R_EXPIRED);
	heard_is(6, 1, CP_ALLOC_EV_GONE, c, false);
	cp_alloc_unobserve(&cp, observer, &one);
	assert_int_equal(allocate(0, 1004, "alice", -1, &r), 0);
	assert_int_equal(heard.n, 7);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
}

/* What dp says of an allocation cp no longer has goes to the observers,
 * and the finished allocations' traffic counts what one that still holds
 * it answers (its tenant, the counters it had): nothing of dp's last
 * counters when none holds it, all of a whole report. */
static void
test_alloc_observers_hear_dp_after_the_end(void **state)
{
	static int one = 1;
	static struct ipc_msg m;
	struct ipc_alloc_stats st = { .alloc_id = 4242 };
	struct ipc_alloc_end e;
	uint64_t done[TP_CONF_MAX_TENANTS + 1][IPC_ALLOC_STATS_N];

	(void)state;
	memset(&heard, 0, sizeof(heard));
	held_claim = false;
	assert_int_equal(cp_alloc_observe(&cp, observer, &one), 0);
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
		st.c[i] = 100 * (i + 1);
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_STATS_FINAL;
	memcpy(m.body, &st, sizeof(st));
	m.h.body_len = sizeof(st);
	memcpy(done, cp.alloc->traffic_done, sizeof(done));
	cp_handle(&cp, 0, &m);
	assert_int_equal(heard.n, 1);
	heard_is(0, 1, CP_ALLOC_EV_FINAL, 4242, false);
	assert_memory_equal(done, cp.alloc->traffic_done, sizeof(done));
	/* held: the difference, under its tenant */
	held_claim = true;
	cp_handle(&cp, 0, &m);
	heard_is(1, 1, CP_ALLOC_EV_FINAL, 4242, false);
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
		assert_true(cp.alloc->traffic_done[held_tenant][i] ==
			    done[held_tenant][i] + st.c[i] - held_old[i]);
	/* an RFC 6062 connection's bytes: under the holder's tenant */
	memcpy(done, cp.alloc->traffic_done, sizeof(done));
	cp_alloc_tcp_gone(&cp, 4242, (const uint64_t[4]){ 5, 6, 7, 8 });
	heard_is(2, 1, CP_ALLOC_EV_TCP_GONE, 4242, false);
	assert_true(cp.alloc->traffic_done[held_tenant][1] == done[held_tenant][1] + 5);
	assert_true(cp.alloc->traffic_done[held_tenant][7] == done[held_tenant][7] + 8);
	/* dp's whole report: with dp's end as cp names it; the tenant is
	 * the address reached (the default's here) */
	memset(&e, 0, sizeof(e));
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
		e.c[i] = 1000 * (i + 1);
	e.reason = IPC_END_EXPIRED;
	e.nrelayed = 1;
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_ALLOC_END;
	m.h.alloc_id = 4343;
	tuple(&m.h.tuple, 7000);
	memcpy(m.body, &e, sizeof(e));
	m.h.body_len = sizeof(e);
	memcpy(done, cp.alloc->traffic_done, sizeof(done));
	cp_handle(&cp, 0, &m);
	heard_is(3, 1, CP_ALLOC_EV_REPORT, 4343, false);
	assert_int_equal(heard.e[3].reason, CP_ALLOC_R_EXPIRED);
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
		assert_true(cp.alloc->traffic_done[0][i] == done[0][i] + e.c[i] - held_old[i]);
	held_claim = false;
	cp_handle(&cp, 0, &m);
	for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
		assert_true(cp.alloc->traffic_done[0][i] ==
			    done[0][i] + e.c[i] - held_old[i] + e.c[i]);
	cp_alloc_unobserve(&cp, observer, &one);
}

/* The quota's one decider is asked before the local counts, with the
 * request's tenant and username: REFUSE is 486 (counted), WAIT answers
 * nothing and makes nothing, ALLOW leaves it to the local counts. A
 * second decider is refused; once none decides, every Allocate is the
 * local counts'. */
static struct {
	unsigned int asked;
	int verdict;
	unsigned int w, tenant;
	char user[32];
} quota_log;

static int
quota_decider(struct cp_ctx *c, unsigned int w, const struct ipc_msg *msg,
	      unsigned int tenant, const char *user, size_t len, void *arg)
{
	assert_ptr_equal(c, &cp);
	assert_ptr_equal(arg, &quota_log);
	assert_int_equal(msg->h.kind, IPC_REQUEST);
	quota_log.asked++;
	quota_log.w = w;
	quota_log.tenant = tenant;
	snprintf(quota_log.user, sizeof(quota_log.user), "%.*s", (int)len, user);
	return quota_log.verdict;
}

static void
test_alloc_quota_hook_decides_first(void **state)
{
	struct reply r;
	char nonce[128];
	uint64_t refused;

	(void)state;
	memset(&quota_log, 0, sizeof(quota_log));
	assert_int_equal(cp_alloc_quota_hook(&cp, quota_decider, &quota_log), 0);
	assert_int_equal(cp_alloc_quota_hook(&cp, quota_decider, NULL), -EBUSY);
	quota_log.verdict = CP_ALLOC_QUOTA_ALLOW;
	assert_int_equal(allocate(1, 1001, "alice", -1, &r), 0);
	assert_int_equal(quota_log.asked, 1);
	assert_int_equal(quota_log.w, 1);
	assert_int_equal(quota_log.tenant, 0);
	assert_string_equal(quota_log.user, "alice");
	/* REFUSE: 486 whatever the local counts say */
	quota_log.verdict = CP_ALLOC_QUOTA_REFUSE;
	refused = cp.stats[CP_STAT_QUOTA_REFUSED];
	assert_int_equal(allocate(0, 1002, "bob", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(quota_log.asked, 2);
	assert_string_equal(quota_log.user, "bob");
	assert_true(cp.stats[CP_STAT_QUOTA_REFUSED] == refused + 1);
	assert_int_equal(cp.alloc->nallocs, 1);
	/* WAIT: no answer yet, nothing made */
	quota_log.verdict = CP_ALLOC_QUOTA_WAIT;
	nonce_for(0, 1003, nonce);
	assert_int_equal(request(0, STUN_METHOD_ALLOCATE, 1003, "bob", nonce, -1, NULL, NULL, &r),
			 -1);
	assert_int_equal(quota_log.asked, 3);
	assert_int_equal(cp.alloc->nallocs, 1);
	/* ALLOW: the local count still decides (quota_user 2) */
	quota_log.verdict = CP_ALLOC_QUOTA_ALLOW;
	assert_int_equal(allocate(0, 1004, "alice", -1, &r), 0);
	assert_int_equal(allocate(0, 1005, "alice", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(quota_log.asked, 5);
	/* none decides: not asked */
	assert_int_equal(cp_alloc_quota_hook(&cp, NULL, NULL), 0);
	quota_log.verdict = CP_ALLOC_QUOTA_REFUSE;
	assert_int_equal(allocate(0, 1006, "bob", -1, &r), 0);
	assert_int_equal(quota_log.asked, 5);
}

static void
test_alloc_closes_with_its_connection(void **state)
{
	static struct ipc_msg m;
	struct ipc_conn_event ev = { .reason = IPC_CONN_RESET };
	struct reply r;
	int adds, dels;

	(void)state;
	assert_int_equal(allocate(1, 3001, "alice", -1, &r), 0);        /* UDP */
	tuple_conn = ipc_conn_make(1, 9, 4);
	assert_int_equal(allocate(1, 3001, "alice", -1, &r), 0);        /* TCP */
	assert_int_equal(r.msg.h.tuple.transport, 6);
	assert_true(r.msg.h.tuple.conn_id == tuple_conn);
	assert_int_equal(cp.alloc->nallocs, 2);
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_CONN_DOWN;
	m.h.worker = 1;
	tuple(&m.h.tuple, 3001);
	memcpy(m.body, &ev, sizeof(ev));
	m.h.body_len = sizeof(ev);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, 1, &m);
	drain(1, &r, &adds, &dels);
	assert_int_equal(dels, 1);
	assert_int_equal(cp.alloc->nallocs, 1);
	assert_int_equal(cp.stats[CP_STAT_CONN_DOWN], 1);
	assert_int_equal(cp.stats[CP_STAT_CONN_DOWN_ALLOCS], 1);
	/* the same connection again (or one that had none): counted only */
	cp_handle(&cp, 1, &m);
	drain(1, &r, &adds, &dels);
	assert_int_equal(dels, 0);
	assert_int_equal(cp.alloc->nallocs, 1);
	assert_int_equal(cp.stats[CP_STAT_CONN_DOWN], 2);
	assert_int_equal(cp.stats[CP_STAT_CONN_DOWN_ALLOCS], 1);
	/* the UDP one still refreshes */
	tuple_conn = 0;
	assert_int_equal(cp.alloc->nallocs, 1);
	{
		char nonce[128];

		nonce_for(1, 3001, nonce);
		assert_int_equal(request(1, STUN_METHOD_REFRESH, 3001, "alice", nonce, 600,
					 NULL, NULL, &r), 0);
	}
}

/* ---- RFC 6062 ---------------------------------------------------------------- */

/* dp as cp sees it: running, relaying over TCP. */
static void
dp_relays_tcp(void)
{
	struct ipc_shm *shm = cp.seg.shm;

	shm->dp_epoch = 1;
	shm->dp_heartbeat_ms = cp.now_ms;
	atomic_store(&shm->dp_ready, 1);
	ipc_side_publish(&shm->dp_side, IPC_CAP_STREAMS | IPC_CAP_TCP_RELAY, 50000, 50999, 2);
}

/* A TCP event from dp; a GONE's bytes b[4]: from the client, to the
 * peer, from the peer, to the client (NULL: none). */
static void
tcp_event_bytes(unsigned int w, uint64_t alloc_id, uint8_t type, uint32_t cid, uint64_t peer,
		uint64_t data, uint8_t reason, const uint64_t *b)
{
	static struct ipc_msg m;
	struct ipc_tcp_event e;

	memset(&m, 0, sizeof(m));
	memset(&e, 0, sizeof(e));
	if (b != NULL) {
		e.client_in = b[0];
		e.bytes_out = b[1];
		e.bytes_in = b[2];
		e.client_out = b[3];
	}
	m.h.kind = IPC_TCP_EVENT;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = alloc_id;
	e.type = type;
	e.cid = cid;
	e.peer = peer;
	e.data = data;
	e.reason = reason;
	e.addr.family = 4;
	e.addr.port = 7000;
	memcpy(e.addr.ip, (uint8_t[]){ 203, 0, 113, 5 }, 4);
	memcpy(m.body, &e, sizeof(e));
	m.h.body_len = sizeof(e);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, w, &m);
}

static void
tcp_event(unsigned int w, uint64_t alloc_id, uint8_t type, uint32_t cid, uint64_t peer,
	  uint64_t data, uint8_t reason)
{
	tcp_event_bytes(w, alloc_id, type, cid, peer, data, reason, NULL);
}

static const struct stun_addr tcp_peer = { .family = STUN_AF_IPV4, .port = 7000,
					   .ip = { 203, 0, 113, 5 } };

/* Allocate TCP on worker 1's connection 9 from client port cport; the
 * allocation. */
static struct cp_alloc *
tcp_allocate(uint16_t cport, char *nonce)
{
	struct alloc_opts o = { .transport = STUN_TRANSPORT_TCP };
	struct reply r;

	tuple_conn = ipc_conn_make(1, 9, cport);
	assert_int_equal(allocate_opts(1, cport, "alice", &o, &r), 0);
	nonce_for(1, cport, nonce);
	return alloc_of(cport);
}

/* §5.1: over TCP only, no EVEN-PORT, a dp that relays over TCP. */
static void
test_tcp_relay_allocate_refusals(void **state)
{
	struct alloc_opts o = { .transport = STUN_TRANSPORT_TCP };
	struct reply r;

	(void)state;
	tuple_conn = ipc_conn_make(1, 9, 4);
	/* dp has not said it relays over TCP */
	assert_int_equal(allocate_opts(1, 4001, "alice", &o, &r), STUN_ERR_UNSUPPORTED_TRANSPORT);
	dp_relays_tcp();
	tuple_conn = 0;
	assert_int_equal(allocate_opts(1, 4001, "alice", &o, &r), STUN_ERR_BAD_REQUEST);
	tuple_conn = ipc_conn_make(1, 9, 4);
	o.even = true;
	assert_int_equal(allocate_opts(1, 4001, "alice", &o, &r), STUN_ERR_BAD_REQUEST);
	o.even = false;
	assert_int_equal(allocate_opts(1, 4001, "alice", &o, &r), 0);
	assert_true(alloc_of(4001)->tcp);
	assert_int_equal(cp.alloc->nallocs, 1);
}

/* §5.2, §5.4: Connect, dp's answer, the success with the CONNECTION-ID,
 * 446, ConnectionBind (its answer goes in TCP_BIND to the peer's worker),
 * 400 for a second bind, BOUND moving it, the allocation's end closing it. */
static void
test_tcp_relay_connect_then_bind(void **state)
{
	struct alloc_opts o = { .peers = &tcp_peer, .npeers = 1 };
	struct ipc_tcp_conn x;
	struct stun_msg sm;
	struct cp_alloc *a;
	struct reply r;
	char nonce[128];
	uint32_t cid = 0;
	uint64_t peer = ipc_conn_make(1, 20, 1), data = ipc_conn_make(0, 30, 2);

	(void)state;
	dp_relays_tcp();
	a = tcp_allocate(4001, nonce);
	assert_non_null(a);
	ntcp_seen = 0;
	assert_int_equal(request_opts(1, STUN_METHOD_CONNECT, 4001, "alice", nonce, -1, NULL,
				      NULL, &o, &r), -1);          /* answered later */
	assert_int_equal(ntcp_seen, 1);
	assert_int_equal(tcp_seen[0].h.kind, IPC_TCP_CONNECT);
	assert_true(tcp_seen[0].h.alloc_id == a->id);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	assert_true(x.cid != 0);
	assert_int_equal(x.addr.port, 7000);
	assert_int_equal(x.addr.ip[3], 5);
	/* a second Connect to the same peer while the first is under way */
	assert_int_equal(request_opts(1, STUN_METHOD_CONNECT, 4001, "alice", nonce, -1, NULL,
				      NULL, &o, &r), STUN_ERR_CONNECTION_ALREADY_EXISTS);
	/* dp connected: the success, signed, with the CONNECTION-ID */
	tcp_event(1, a->id, IPC_TCP_EV_CONNECTED, x.cid, peer, 0, 0);
	assert_int_equal(drain(1, &r, &(int){ 0 }, &(int){ 0 }), 1);
	assert_int_equal(r.stun.method, STUN_METHOD_CONNECT);
	assert_int_equal(r.stun.cls, STUN_CLASS_SUCCESS);
	assert_non_null(stun_msg_find(&r.stun, STUN_ATTR_MESSAGE_INTEGRITY));
	assert_int_equal(stun_attr_get_u32(stun_msg_find(&r.stun, STUN_ATTR_CONNECTION_ID),
					   &cid), 0);
	assert_true(cid == x.cid);
	assert_int_equal(cp.stats[CP_STAT_TCP_CONNECT_OK], 1);
	/* ConnectionBind on a new connection of worker 0 */
	tuple_conn = data;
	o.npeers = 0;
	o.cid = cid;
	ntcp_seen = 0;
	nonce_for(0, 4002, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4002, "alice", nonce, -1,
				      NULL, NULL, &o, &r), -1);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 1);
	assert_int_equal(tcp_seen[0].h.kind, IPC_TCP_BIND);
	assert_int_equal(tcp_seen[0].h.worker, 1);           /* the peer's worker */
	assert_true(tcp_seen[0].h.tuple.conn_id == data);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	assert_true(x.ok == 1 && x.peer == peer && x.cid == cid);
	assert_int_equal(stun_msg_parse(&sm, tcp_seen[0].body + sizeof(x), x.resp_len, NULL), 0);
	assert_int_equal(sm.method, STUN_METHOD_CONNECTION_BIND);
	assert_int_equal(sm.cls, STUN_CLASS_SUCCESS);
	assert_non_null(stun_msg_find(&sm, STUN_ATTR_MESSAGE_INTEGRITY));
	/* the same CONNECTION-ID again, an unknown one: 400 both */
	tuple_conn = ipc_conn_make(0, 31, 3);
	nonce_for(0, 4003, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4003, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	o.cid = cid ^ 1u;
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4003, "alice", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	/* dp bound it on worker 0 (the peer connection moved there) */
	tcp_event(0, a->id, IPC_TCP_EV_BOUND, cid, ipc_conn_make(0, 40, 7), data, 0);
	/* the allocation goes: its connection with it, at its new worker */
	tuple_conn = ipc_conn_make(1, 9, 4001);
	ntcp_seen = 0;
	nonce_for(1, 4001, nonce);
	assert_int_equal(request(1, STUN_METHOD_REFRESH, 4001, "alice", nonce, 0, NULL, NULL,
				 &r), 0);
	drain(0, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 1);
	assert_int_equal(tcp_seen[0].h.kind, IPC_TCP_CLOSE);
	assert_int_equal(tcp_seen[0].h.worker, 0);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	assert_true(x.peer == ipc_conn_make(0, 40, 7));
	assert_int_equal(cp_tcp_conns(&cp), 0);
}

/* A ConnectionBind by another user than the allocation's: 400, as for an
 * unknown CONNECTION-ID (RFC 6062 §5.4), not 441, which told a stranger
 * the id was live (an oracle); counted. */
static void
test_tcp_relay_bind_by_another_user_is_400(void **state)
{
	struct alloc_opts o = { .peers = &tcp_peer, .npeers = 1 };
	struct ipc_tcp_conn x;
	struct cp_alloc *a;
	struct reply r;
	char nonce[128];

	(void)state;
	dp_relays_tcp();
	a = tcp_allocate(4001, nonce);
	ntcp_seen = 0;
	request_opts(1, STUN_METHOD_CONNECT, 4001, "alice", nonce, -1, NULL, NULL, &o, &r);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	tcp_event(1, a->id, IPC_TCP_EV_CONNECTED, x.cid, ipc_conn_make(1, 20, 1), 0, 0);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	tuple_conn = ipc_conn_make(0, 30, 2);
	o.npeers = 0;
	o.cid = x.cid;
	nonce_for(0, 4002, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4002, "bob", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	assert_int_equal(cp.stats[CP_STAT_TCP_BIND_OTHER_USER], 1);
	/* an unknown id answers the same */
	o.cid = x.cid ^ 0x40u;
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4002, "bob", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	o.cid = x.cid;
	/* and the allocation's user still can */
	ntcp_seen = 0;
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4002, "alice", nonce, -1,
				      NULL, NULL, &o, &r), -1);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 1);
}

/* §5.2: dp could not connect: 447. §5.3: a peer connected in:
 * ConnectionAttempt on the control connection; no bind in 30 s: dp closes
 * it, and not a tick before. */
static void
test_tcp_relay_447_attempt_and_bind_timer(void **state)
{
	struct alloc_opts o = { .peers = &tcp_peer, .npeers = 1 };
	struct ipc_tcp_conn x;
	struct stun_addr sa;
	struct cp_alloc *a;
	struct reply r;
	char nonce[128];
	uint32_t cid = 0;
	uint64_t peer = ipc_conn_make(1, 21, 1), t0;

	(void)state;
	dp_relays_tcp();
	a = tcp_allocate(4001, nonce);
	ntcp_seen = 0;
	request_opts(1, STUN_METHOD_CONNECT, 4001, "alice", nonce, -1, NULL, NULL, &o, &r);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	tcp_event(1, a->id, IPC_TCP_EV_FAILED, x.cid, 0, 0, IPC_CONN_RESET);
	assert_int_equal(drain(1, &r, &(int){ 0 }, &(int){ 0 }), 1);
	assert_int_equal(r.stun.cls, STUN_CLASS_ERROR);
	{
		uint16_t code = 0;

		stun_attr_get_error(stun_msg_find(&r.stun, STUN_ATTR_ERROR_CODE), &code, NULL, NULL);
		assert_int_equal(code, STUN_ERR_CONNECTION_TIMEOUT);
	}
	assert_int_equal(cp_tcp_conns(&cp), 0);
	/* a peer connects in */
	ntcp_seen = 0;
	tcp_event(1, a->id, IPC_TCP_EV_INCOMING, 0, peer, 0, 0);
	assert_int_equal(drain(1, &r, &(int){ 0 }, &(int){ 0 }), 1);
	assert_int_equal(r.stun.method, STUN_METHOD_CONNECTION_ATTEMPT);
	assert_int_equal(r.stun.cls, STUN_CLASS_INDICATION);
	assert_true(r.msg.h.tuple.conn_id == a->tuple.conn_id);
	assert_int_equal(stun_attr_get_u32(stun_msg_find(&r.stun, STUN_ATTR_CONNECTION_ID),
					   &cid), 0);
	assert_true(cid != 0);
	assert_int_equal(stun_attr_get_addr(&r.stun, stun_msg_find(&r.stun,
					    STUN_ATTR_XOR_PEER_ADDRESS), &sa), 0);
	assert_int_equal(sa.port, 7000);
	assert_int_equal(cp_tcp_conns(&cp), 1);
	/* dp is told the name it gave (for a cp that restarts before the bind) */
	assert_int_equal(ntcp_seen, 1);
	assert_int_equal(tcp_seen[0].h.kind, IPC_TCP_NAME);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	assert_true(x.cid == cid && x.peer == peer);
	t0 = cp.now_ms;
	ntcp_seen = 0;
	cp.now_ms = t0 + 29900;
	tw_advance(&cp.wheel, (cp.now_ms - cp.start_ms) / CP_TICK_MS);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 0);
	cp.now_ms = t0 + 30000;
	tw_advance(&cp.wheel, (cp.now_ms - cp.start_ms) / CP_TICK_MS);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 1);
	assert_int_equal(tcp_seen[0].h.kind, IPC_TCP_CLOSE);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	assert_true(x.peer == peer);
	assert_int_equal(cp_tcp_conns(&cp), 0);
	assert_int_equal(cp.stats[CP_STAT_TCP_BIND_TIMEOUT], 1);
	/* an event for a connection cp no longer keeps: dp is told to close it */
	ntcp_seen = 0;
	tcp_event(1, a->id, IPC_TCP_EV_CONNECTED, cid, peer, 0, 0);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 1);
	assert_int_equal(tcp_seen[0].h.kind, IPC_TCP_CLOSE);
}

/* A restarted cp: dp gives back its peer connections (TCP_STATE) with the
 * CONNECTION-IDs clients know; a bind after the restart finds its own, the
 * allocation's end ends them, a bound one where it moved. */
static void
test_tcp_relay_restored_after_cp_restart(void **state)
{
	static struct ipc_msg m;
	struct alloc_opts o = { 0 };
	struct ipc_tcp_event e;
	struct ipc_tcp_conn x;
	struct cp_alloc *a;
	struct reply r;
	char nonce[128];
	uint64_t waiting = ipc_conn_make(1, 22, 1), bound = ipc_conn_make(0, 23, 1);

	(void)state;
	dp_relays_tcp();
	a = tcp_allocate(4001, nonce);
	/* (as dp reports them: one up and waiting, one bound on worker 0) */
	memset(&m, 0, sizeof(m));
	memset(&e, 0, sizeof(e));
	m.h.kind = IPC_TCP_STATE;
	m.h.worker = 1;
	m.h.alloc_id = a->id;
	e.type = IPC_TCP_EV_CONNECTED;
	e.cid = 0xabcdef01;
	e.peer = waiting;
	e.addr.family = 4;
	e.addr.port = 7000;
	memcpy(m.body, &e, sizeof(e));
	m.h.body_len = sizeof(e);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, 1, &m);
	cp_handle(&cp, 1, &m);                           /* twice: kept once */
	e.type = IPC_TCP_EV_BOUND;
	e.cid = 0xabcdef02;
	e.peer = bound;
	e.data = ipc_conn_make(0, 24, 1);
	e.addr.port = 7001;
	memcpy(m.body, &e, sizeof(e));
	m.h.worker = 0;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, 0, &m);
	assert_int_equal(cp_tcp_conns(&cp), 2);
	assert_int_equal(cp.stats[CP_STAT_TCP_RESTORED], 2);
	/* the client binds the waiting one with the id it was given */
	tuple_conn = ipc_conn_make(0, 30, 2);
	o.cid = 0xabcdef01;
	ntcp_seen = 0;
	nonce_for(0, 4002, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4002, "alice", nonce, -1,
				      NULL, NULL, &o, &r), -1);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 1);
	assert_int_equal(tcp_seen[0].h.kind, IPC_TCP_BIND);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	assert_true(x.peer == waiting);
	/* the allocation ends: the bound one is closed where it lives */
	tuple_conn = ipc_conn_make(1, 9, 4001);
	ntcp_seen = 0;
	nonce_for(1, 4001, nonce);
	assert_int_equal(request(1, STUN_METHOD_REFRESH, 4001, "alice", nonce, 0, NULL, NULL,
				 &r), 0);
	drain(0, &r, &(int){ 0 }, &(int){ 0 });
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 2);
	assert_int_equal(cp_tcp_conns(&cp), 0);
}

/* A connection pair's bytes (dp's GONE) count in its allocation's traffic,
 * each direction in its own counter (an abort leaves them apart: what the
 * client sent and the peer was handed, what the peer sent and reached the
 * client), and in the finished allocations' once it ends, or directly when
 * the GONE comes after the allocation's end (which ended the connection). */
static void
test_tcp_relay_gone_bytes_counted(void **state)
{
	uint64_t t[IPC_ALLOC_STATS_N], id;
	struct cp_alloc *a;
	char nonce[128];

	(void)state;
	dp_relays_tcp();
	a = tcp_allocate(4001, nonce);
	assert_non_null(a);
	id = a->id;
	tcp_event_bytes(1, id, IPC_TCP_EV_GONE, 77, ipc_conn_make(1, 20, 1), 0, 1,
			(const uint64_t[4]){ 1000, 990, 300, 290 });
	tcp_event_bytes(1, id, IPC_TCP_EV_GONE, 78, ipc_conn_make(1, 21, 1), 0, 1,
			(const uint64_t[4]){ 20, 20, 4, 4 });
	cp_alloc_traffic(a, t);
	/* pkts and bytes from the client, to the peer, from the peer, to
	 * the client: a stream has no packets */
	assert_true(t[0] == 0 && t[1] == 1020 && t[2] == 0 && t[3] == 1010);
	assert_true(t[4] == 0 && t[5] == 304 && t[6] == 0 && t[7] == 294);
	assert_int_equal(cp_alloc_kill(&cp, id), 0);
	assert_true(cp.alloc->traffic_done[0][1] == 1020 && cp.alloc->traffic_done[0][3] == 1010 &&
		    cp.alloc->traffic_done[0][5] == 304 && cp.alloc->traffic_done[0][7] == 294);
	/* one that ends after its allocation */
	tcp_event_bytes(1, id, IPC_TCP_EV_GONE, 79, ipc_conn_make(1, 22, 1), 0, 1,
			(const uint64_t[4]){ 10, 9, 3, 2 });
	assert_true(cp.alloc->traffic_done[0][1] == 1030 && cp.alloc->traffic_done[0][3] == 1019 &&
		    cp.alloc->traffic_done[0][5] == 307 && cp.alloc->traffic_done[0][7] == 296);
	assert_true(cp.alloc->traffic_done[0][0] == 0 && cp.alloc->traffic_done[0][2] == 0 &&
		    cp.alloc->traffic_done[0][4] == 0 && cp.alloc->traffic_done[0][6] == 0);
}

/* ---- tenants ------------------------------------------------------------ */

/* The allocation a request at server address 10.0.0.<srv> from client
 * port cport made, found by its tuple. */
static struct cp_alloc *
alloc_at(uint8_t srv, uint16_t cport)
{
	struct ipc_tuple t;
	uint8_t keep = tuple_server;
	struct cp_alloc *a;

	tuple_server = srv;
	tuple(&t, cport);
	tuple_server = keep;
	a = cp_alloc_find_tuple(&cp, &t);
	assert_non_null(a);
	return a;
}

/* A client's tenant is the one whose address it reached (the tuple's
 * server address), for an Allocate and for an allocation a restarted cp
 * learns from dp; each tenant's pool is its relay list, the default
 * tenant's (and tc's, which has none) what no tenant claims. */
static void
test_alloc_tenant_of_the_address_reached(void **state)
{
	static const uint8_t srv[4] = { 1, 11, 12, 13 };
	struct reply r;

	(void)state;
	assert_int_equal(cp.alloc->relay_mask[0][0], 0x8);   /* 10.1.0.14 */
	assert_int_equal(cp.alloc->relay_mask[0][1], 0);     /* tb holds fd00:1::11 */
	assert_int_equal(cp.alloc->relay_mask[1][0], 0x3);
	assert_int_equal(cp.alloc->relay_mask[1][1], 0);
	assert_int_equal(cp.alloc->relay_mask[2][0], 0x4);
	assert_int_equal(cp.alloc->relay_mask[2][1], 0x1);
	assert_int_equal(cp.alloc->relay_mask[3][0], 0x8);
	for (unsigned int i = 0; i < 4; i++) {
		tuple_server = srv[i];
		assert_int_equal(allocate(0, (uint16_t)(2000 + i), "alice", -1, &r), 0);
		assert_int_equal(alloc_at(srv[i], (uint16_t)(2000 + i))->tenant, i);
		assert_int_equal(cp.alloc->tenant_allocs[i], 1);
	}
	/* an address of the access port that is no tenant's: the default */
	tuple_server = 99;
	assert_int_equal(allocate(0, 2010, "alice", -1, &r), 0);
	assert_int_equal(alloc_at(99, 2010)->tenant, 0);
	assert_int_equal(cp.alloc->tenant_allocs[0], 2);
	/* dp's state after a cp restart: the same derivation */
	tuple_server = 12;
	restore_one(1, 500, 2100, 50005, "10.1.0.13", NULL);
	assert_int_equal(alloc_at(12, 2100)->tenant, 2);
	assert_int_equal(cp.alloc->tenant_allocs[2], 2);
	assert_int_equal(cp.alloc->tenant_at[2][0][2], 2);
	/* what it relayed (dp's report) is its tenant's, live and then done */
	{
		struct ipc_msg m;
		struct ipc_alloc_stats st = { .alloc_id = 500, .c = { 3, 300, 2, 200 } };

		memset(&m.h, 0, sizeof(m.h));
		m.h.kind = IPC_STATS;
		memcpy(m.body, &st, sizeof(st));
		m.h.body_len = sizeof(st);
		cp_handle(&cp, 0, &m);
	}
	assert_true(cp.alloc->traffic_live[2][1] == 300 && cp.alloc->traffic_live[0][1] == 0);
	check_sums();
	/* its end takes it off its tenant's counts */
	assert_int_equal(cp_alloc_kill(&cp, 500), 0);
	assert_int_equal(cp.alloc->tenant_allocs[2], 1);
	assert_int_equal(cp.alloc->tenant_at[2][0][2], 1);
	assert_true(cp.alloc->traffic_done[2][1] == 300 && cp.alloc->traffic_live[2][1] == 0);
	check_sums();
}

/* A draining box with an alternate: the default tenant's client is sent
 * there (300), a tenant's is not (508): the alternate is another box's own
 * address, where that tenant's realm and users are not. */
static void
test_alloc_tenant_no_alternate_for_tenants(void **state)
{
	struct reply r;

	(void)state;
	cp.draining = true;
	memset(&cp.drain_alt[0], 0, sizeof(cp.drain_alt[0]));
	cp.drain_alt[0].family = STUN_AF_IPV4;
	cp.drain_alt[0].port = 3478;
	cp.drain_alt[0].ip[0] = 192;
	cp.drain_alt[0].ip[3] = 7;
	cp.ndrain_alt = 1;
	tuple_server = 99;
	assert_int_equal(allocate(0, 3901, "alice", -1, &r), STUN_ERR_TRY_ALTERNATE);
	tuple_server = 11;
	assert_int_equal(allocate(0, 3902, "alice", -1, &r), STUN_ERR_INSUFFICIENT_CAPACITY);
	assert_null(stun_msg_find(&r.stun, STUN_ATTR_ALTERNATE_SERVER));
	cp.draining = false;
	cp.ndrain_alt = 0;
}

/* Quotas per tenant: ta's quota_total 4 and quota_user 2 (486), counted
 * per (tenant, username): alice at her limit in ta allocates in tb and in
 * the default tenant; a tenant's full quota leaves the others alone; a
 * freed allocation gives its place back; a lower quota on reload ends no
 * allocation. */
static void
test_alloc_tenant_quota_total_and_per_user(void **state)
{
	struct reply r;
	char nonce[128];

	(void)state;
	tuple_server = 11;
	assert_int_equal(allocate(0, 3001, "alice", -1, &r), 0);
	assert_int_equal(allocate(0, 3002, "alice", -1, &r), 0);
	assert_int_equal(allocate(0, 3003, "alice", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(allocate(1, 3004, "bob", -1, &r), 0);
	assert_int_equal(allocate(1, 3005, "bob", -1, &r), 0);
	/* ta holds 4: carol, under her own quota_user, meets ta's total */
	assert_int_equal(allocate(1, 3006, "carol", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	{
		const char *why;
		uint16_t code, len;

		assert_int_equal(stun_attr_get_error(stun_msg_find(&r.stun, STUN_ATTR_ERROR_CODE),
						     &code, &why, &len), 0);
		assert_int_equal(len, strlen("Tenant Quota Reached"));
		assert_memory_equal(why, "Tenant Quota Reached", len);
	}
	assert_int_equal(cp.alloc->tenant_allocs[1], 4);
	/* the same names elsewhere are other users: alice, at her limit in
	 * ta, has her own 2 in tb (its quota_user 2 as well) */
	conf.tenants.t[1].quota_user = 2;
	tuple_server = 12;
	assert_int_equal(allocate(0, 3101, "alice", -1, &r), 0);
	assert_int_equal(allocate(0, 3102, "alice", -1, &r), 0);
	assert_int_equal(allocate(0, 3103, "alice", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(allocate(0, 3104, "bob", -1, &r), 0);
	assert_int_equal(allocate(0, 3105, "carol", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(cp.alloc->tenant_allocs[2], 3);
	/* (alice in ta and alice in tb: two users) */
	assert_non_null(cpa_user_find(&cp, 1, "alice", 5));
	assert_non_null(cpa_user_find(&cp, 2, "alice", 5));
	assert_ptr_not_equal(cpa_user_find(&cp, 1, "alice", 5), cpa_user_find(&cp, 2, "alice", 5));
	assert_null(cpa_user_find(&cp, 3, "alice", 5));
	tuple_server = 1;
	for (uint16_t i = 0; i < 3; i++)
		assert_int_equal(allocate(0, (uint16_t)(3201 + i), "alice", -1, &r), 0);
	assert_int_equal(cp.alloc->tenant_allocs[0], 3);
	assert_int_equal(cp.alloc->nallocs, 10);
	/* a Refresh 0 in ta frees a place in ta's total and alice's count */
	tuple_server = 11;
	nonce_for(0, 3001, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 3001, "alice", nonce, 0, NULL, NULL,
				 &r), 0);
	assert_int_equal(allocate(1, 3007, "carol", -1, &r), 0);
	assert_int_equal(allocate(0, 3008, "alice", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	/* a lower quota (a reload) refuses new ones and keeps the old */
	conf.tenants.t[0].quota_total = 2;
	assert_int_equal(cp.alloc->tenant_allocs[1], 4);
	assert_int_equal(allocate(0, 3009, "alice", -1, &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	assert_int_equal(cp.alloc->nallocs, 10);
	/* the box's own total still holds for everyone (508's alternates
	 * logic untouched): conf's 1000 is the pool's size */
	assert_int_equal(cp.alloc->max_allocs, 1000);
}

/* Requests other than Allocate are judged against the allocation of
 * their tenant only: the same client address and port reaching another
 * tenant's address finds none (437), whatever the username. */
static void
test_alloc_tenant_requests_see_only_their_tenants_allocation(void **state)
{
	struct reply r;
	char nonce[128], nonce_b[128];
	uint8_t tid[12];

	(void)state;
	tuple_server = 11;
	nonce_for(0, 3300, nonce);
	assert_int_equal(request(0, STUN_METHOD_ALLOCATE, 3300, "alice", nonce, -1, NULL, tid,
				 &r), 0);
	tuple_server = 12;
	/* ta's nonce is no good at tb's address (438, a fresh one of tb's) */
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 3300, "alice", nonce, 600, NULL, NULL,
				 &r), STUN_ERR_STALE_NONCE);
	nonce_for(0, 3300, nonce_b);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 3300, "alice", nonce_b, 600, NULL, NULL,
				 &r), STUN_ERR_ALLOCATION_MISMATCH);
	/* a retransmission of ta's Allocate reaching tb: not ta's success */
	assert_int_equal(request(0, STUN_METHOD_ALLOCATE, 3300, "alice", nonce_b, -1, tid, NULL,
				 &r), STUN_ERR_ALLOCATION_MISMATCH);
	tuple_server = 11;
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 3300, "alice", nonce, 600, NULL, NULL,
				 &r), 0);
}

static bool
in_mask(const struct stun_addr *a, uint64_t mask)
{
	unsigned int fi = a->family == STUN_AF_IPV4 ? 0 : 1;

	for (unsigned int k = 0; k < cp.alloc->nrelay[fi]; k++)
		if (memcmp(cp.alloc->relay_ip[fi][k], a->ip, fi == 0 ? 4 : 16) == 0)
			return (mask >> k) & 1u;
	return false;
}

/*
 * Every relayed address a tenant gets is of its pool, over every pair of
 * its pool until 508: ta gets its 2 addresses x 4 ports per worker and no
 * more, tb and the default tenant theirs, tc shares the default's, with
 * EVEN-PORT and RFC 6062 TCP allocations among them; a dual allocation
 * takes tb's IPv6 address; a tenant without an address of a family gets
 * 440 for it (and a success without it, with ADDRESS-ERROR-CODE, when it
 * is the additional family).
 */
static void
test_alloc_tenant_relayed_addresses_only_from_its_pool(void **state)
{
	static const uint8_t srv[4] = { 1, 11, 12, 13 };
	const struct alloc_opts dual = { .aaf = STUN_AF_IPV6 };
	const struct alloc_opts v6 = { .raf = STUN_AF_IPV6 };
	const struct alloc_opts even = { .even = true };
	struct stun_addr ra[2];
	unsigned int got[4] = { 0 };
	struct reply r;
	uint16_t cport = 4000;

	(void)state;
	dp_relays_tcp();
	for (unsigned int i = 0; i < 3; i++) {
		conf.tenants.t[i].quota_total = 1000;
		conf.tenants.t[i].quota_user = 0;
	}
	/* v6: ta and the default tenant have none; tb's dual allocation */
	tuple_server = 11;
	assert_int_equal(allocate_opts(0, cport++, "alice", &v6, &r),
			 STUN_ERR_ADDRESS_FAMILY_NOT_SUPPORTED);
	tuple_server = 1;
	assert_int_equal(allocate_opts(0, cport++, "alice", &v6, &r),
			 STUN_ERR_ADDRESS_FAMILY_NOT_SUPPORTED);
	assert_int_equal(allocate_opts(0, cport++, "alice", &dual, &r), 0);
	assert_int_equal(relayed_of(&r, ra, 2), 1);
	assert_non_null(stun_msg_find(&r.stun, STUN_ATTR_ADDRESS_ERROR_CODE));
	assert_true(in_mask(&ra[0], cp.alloc->relay_mask[0][0]));
	got[0]++;
	tuple_server = 12;
	assert_int_equal(allocate_opts(0, cport++, "alice", &dual, &r), 0);
	assert_int_equal(relayed_of(&r, ra, 2), 2);
	assert_true(in_mask(&ra[0], cp.alloc->relay_mask[2][0]));
	assert_true(in_mask(&ra[1], cp.alloc->relay_mask[2][1]));
	got[2]++;
	/* every tenant in turn, on both workers, until each gets 508 */
	for (unsigned int w = 0; w < 2; w++) {
		bool full[4] = { false, false, false, false };

		for (unsigned int round = 0; round < 40; round++)
			for (unsigned int i = 0; i < 4; i++) {
				const struct alloc_opts tcp = { .transport = STUN_TRANSPORT_TCP };
				const struct alloc_opts *o = round % 3 == 1 ? &even : NULL;
				int rc;

				if (full[i])
					continue;
				tuple_server = srv[i];
				/* RFC 6062 allocations come over TCP */
				tuple_conn = round % 3 == 2 ? ipc_conn_make(w, 100 + round * 4 + i, 1) : 0;
				if (tuple_conn != 0)
					o = &tcp;
				cp.now_ms += 100;   /* the client address's challenge budget */
				dp_relays_tcp();    /* (its heartbeat, as time goes) */
				rc = allocate_opts(w, cport++, "alice", o, &r);
				tuple_conn = 0;
				/* (EVEN-PORT's 508 when only odd ports are
				 * left says nothing of the pool) */
				if (rc == STUN_ERR_INSUFFICIENT_CAPACITY) {
					full[i] = o != &even;
					continue;
				}
				assert_int_equal(rc, 0);
				assert_int_equal(relayed_of(&r, ra, 1), 1);
				assert_true(in_mask(&ra[0], cp.alloc->relay_mask[i][0]));
				got[i]++;
			}
		assert_true(full[0] && full[1] && full[2] && full[3]);
	}
	/* ta: 2 addresses x 8 ports; tb: 8 ports of one; the default and tc
	 * share 10.1.0.14's 8 */
	assert_int_equal(got[1], 16);
	assert_int_equal(got[2], 8);
	assert_int_equal(got[0] + got[3], 8);
	assert_int_equal(cp.alloc->nallocs, 32);
}

/* A RESERVATION-TOKEN is its tenant's: another tenant's Allocate bringing
 * it gets 508, as for an unknown token, and the reservation stays for
 * its own tenant, whose allocation gets port + 1 at the same address. */
static void
test_alloc_tenant_reservation_refused_to_another_tenant(void **state)
{
	const struct alloc_opts even_r = { .even = true, .rbit = true };
	struct alloc_opts with_token = { 0 };
	const struct stun_attr *ta;
	struct stun_addr first, second;
	uint8_t token[8];
	struct reply r;

	(void)state;
	tuple_server = 11;
	assert_int_equal(allocate_opts(0, 5001, "alice", &even_r, &r), 0);
	assert_int_equal(relayed_of(&r, &first, 1), 1);
	ta = stun_msg_find(&r.stun, STUN_ATTR_RESERVATION_TOKEN);
	assert_non_null(ta);
	memcpy(token, ta->value, 8);
	with_token.token = token;
	tuple_server = 12;
	assert_int_equal(allocate_opts(0, 5002, "alice", &with_token, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	tuple_server = 1;
	assert_int_equal(allocate_opts(0, 5003, "alice", &with_token, &r),
			 STUN_ERR_INSUFFICIENT_CAPACITY);
	tuple_server = 11;
	assert_int_equal(allocate_opts(0, 5004, "bob", &with_token, &r), 0);
	assert_int_equal(relayed_of(&r, &second, 1), 1);
	assert_int_equal(second.port, first.port + 1);
	assert_memory_equal(second.ip, first.ip, 4);
	assert_true(in_mask(&second, cp.alloc->relay_mask[1][0]));
}

/* What a client of allocation (srv, cport) asks of peer (ip, port):
 * CreatePermission (channel 0) or ChannelBind; the error code or 0. */
static int
ask_at(uint8_t srv, uint16_t cport, const uint8_t ip[4], uint16_t port, uint16_t channel)
{
	struct stun_addr peer = { .family = STUN_AF_IPV4, .port = port };
	struct alloc_opts o = { .peers = &peer, .npeers = 1, .channel = channel };
	struct reply r;
	char nonce[128];
	int rc;

	memcpy(peer.ip, ip, 4);
	tuple_server = srv;
	cp.now_ms += 100;   /* the client address's challenge budget */
	nonce_for(0, cport, nonce);
	rc = request_opts(0, channel ? STUN_METHOD_CHANNEL_BIND : STUN_METHOD_CREATE_PERMISSION,
			  cport, "alice", nonce, -1, NULL, NULL, &o, &r);
	return rc;
}

/*
 * Peer policy per tenant: ta's own peers group (here a deny list) judges
 * ta's allocations only; tb, without one, is judged by cp.peers'. Relay
 * to relay stays within a tenant: another tenant's relayed address is
 * refused like any own address, one of its own pool with an allocation
 * of its own there is allowed, and the default tenant's and tc's shared
 * pool needs an allocation of the asking tenant at that address for a
 * permission. ta's allow_relay_to_relay off refuses even its own.
 */
static void
test_alloc_tenant_peer_policy(void **state)
{
	static const uint8_t doc[4] = { 192, 0, 2, 5 };
	struct stun_addr rel[5];
	struct reply r;

	(void)state;
	/* cp.peers' policy knows the relayed addresses, as cp_policy_build()
	 * makes it; ta's has them too, and refuses 192.0.2.0/24 */
	cp.tenant_policy[0] = cp_policy_create();
	assert_non_null(cp.tenant_policy[0]);
	for (unsigned int k = 0; k < cp.alloc->nrelay[0]; k++) {
		struct cp_addr a = { .family = 4 };

		memcpy(a.ip, cp.alloc->relay_ip[0][k], 4);
		assert_int_equal(cp_policy_add_own_relayed(cp.policy, &a), 0);
		assert_int_equal(cp_policy_add_own_relayed(cp.tenant_policy[0], &a), 0);
	}
	assert_int_equal(cp_policy_add_deny(cp.tenant_policy[0], "192.0.2.0/24", NULL, 0), 0);
	conf.tenants.t[0].has_peers = true;
	/* allocations: ta twice, tb, the default tenant, tc */
	tuple_server = 11;
	assert_int_equal(allocate(0, 6001, "alice", -1, &r), 0);
	relayed_of(&r, &rel[0], 1);
	assert_int_equal(allocate(0, 6002, "alice", -1, &r), 0);
	relayed_of(&r, &rel[1], 1);
	tuple_server = 12;
	assert_int_equal(allocate(0, 6003, "alice", -1, &r), 0);
	relayed_of(&r, &rel[2], 1);
	tuple_server = 1;
	assert_int_equal(allocate(0, 6004, "alice", -1, &r), 0);
	relayed_of(&r, &rel[3], 1);
	tuple_server = 13;
	assert_int_equal(allocate(0, 6005, "alice", -1, &r), 0);
	relayed_of(&r, &rel[4], 1);
	/* ta's deny list is ta's */
	assert_int_equal(ask_at(11, 6001, doc, 9, 0), 403);
	assert_int_equal(ask_at(12, 6003, doc, 9, 0), 0);
	assert_int_equal(ask_at(1, 6004, doc, 9, 0), 0);
	/* relay to relay within ta, by permission and by channel */
	assert_int_equal(ask_at(11, 6001, rel[1].ip, 0, 0), 0);
	assert_int_equal(ask_at(11, 6001, rel[1].ip, rel[1].port, 0x4001), 0);
	/* across tenants: refused both ways */
	assert_int_equal(ask_at(11, 6001, rel[2].ip, 0, 0), 403);
	assert_int_equal(ask_at(11, 6001, rel[2].ip, rel[2].port, 0x4002), 403);
	assert_int_equal(ask_at(12, 6003, rel[0].ip, 0, 0), 403);
	assert_int_equal(ask_at(12, 6003, rel[0].ip, rel[0].port, 0x4003), 403);
	assert_int_equal(ask_at(1, 6004, rel[2].ip, 0, 0), 403);
	assert_int_equal(ask_at(1, 6004, rel[0].ip, rel[0].port, 0x4004), 403);
	/* the shared pool: each of the default tenant and tc has an
	 * allocation at 10.1.0.14, so each may permit it */
	assert_int_equal(ask_at(1, 6004, rel[4].ip, 0, 0), 0);
	assert_int_equal(ask_at(13, 6005, rel[3].ip, 0, 0), 0);
	/* (each counted its own allocation there, not the other's) */
	assert_int_equal(cp.alloc->tenant_at[3][0][3], 1);
	assert_int_equal(cp.alloc->tenant_at[0][0][3], 1);
	/* ta's allow_relay_to_relay off: not even its own */
	conf.tenants.t[0].allow_relay_to_relay = false;
	assert_int_equal(ask_at(11, 6001, rel[1].ip, 0, 0), 403);
	/* without a policy of its own, cp.peers' judges ta again */
	cp_policy_free(cp.tenant_policy[0]);
	cp.tenant_policy[0] = NULL;
	assert_int_equal(ask_at(11, 6001, doc, 9, 0), 0);
}


/* ---- RFC 8016 mobility ---------------------------------------------------- */

/* A mobile allocation by alice on (worker w, port cport); its ticket in
 * t (32 bytes). */
static void
mob_allocate_as(unsigned int w, uint16_t cport, const char *user, uint8_t t[32])
{
	struct alloc_opts o = { .mob = true };
	const struct stun_attr *ta;
	struct reply r;

	assert_int_equal(allocate_opts(w, cport, user, &o, &r), 0);
	ta = stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET);
	assert_non_null(ta);
	assert_int_equal(ta->len, 32);
	assert_null(memchr(ta->value, 0, ta->len));
	memcpy(t, ta->value, 32);
}

static void
mob_allocate(unsigned int w, uint16_t cport, uint8_t t[32])
{
	mob_allocate_as(w, cport, "alice", t);
}

/* A Refresh with ticket t (len bytes) by user from (w, cport); the error
 * code or 0; the answer's ticket in out when it has one. */
static int
mob_refresh(unsigned int w, uint16_t cport, const char *user, const uint8_t *t,
	    uint16_t len, uint8_t out[32])
{
	struct alloc_opts o = { .mob = true, .ticket = t, .ticket_len = len };
	char nonce[128];
	struct reply r;
	int rc;

	nonce_for(w, cport, nonce);
	rc = request_opts(w, STUN_METHOD_REFRESH, cport, user, nonce, 600, NULL, NULL, &o, &r);
	if (rc == 0 && out != NULL) {
		const struct stun_attr *ta = stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET);

		assert_non_null(ta);
		assert_int_equal(ta->len, 32);
		memcpy(out, ta->value, 32);
	}
	return rc;
}

static struct cp_alloc *
mob_alloc_at(uint16_t cport)
{
	struct ipc_tuple t;

	tuple(&t, cport);
	return cpa_alloc_by_tuple(&cp, &t);
}

/* The move, and every way to misuse a ticket: the old address, the old
 * ticket (from there and from a third address), a forged and a truncated
 * one, another user; the retransmission of the move's Refresh is
 * answered again. */
static void
test_alloc_mobility_moves_and_refuses_old_forged_and_others(void **state)
{
	uint8_t t0[32], t1[32], t2[32], f[32];
	struct cp_alloc *a;
	int adds, dels;
	struct reply r;

	(void)state;
	conf.turn.mobility = true;
	nmove_seen = 0;
	mob_allocate(0, 4001, t0);
	a = mob_alloc_at(4001);
	assert_non_null(a);
	assert_true(a->mobile);
	assert_int_equal(mob_refresh(0, 4002, "alice", t0, 32, t1), 0);
	assert_memory_not_equal(t0, t1, 32);
	assert_int_equal(nmove_seen, 1);
	assert_int_equal(move_seen.h.alloc_id, a->id);
	assert_int_equal(move_seen.h.tuple.client.port, 4001);
	assert_int_equal(((const struct ipc_tuple *)move_seen.body)->client.port, 4002);
	assert_null(mob_alloc_at(4001));
	assert_ptr_equal(mob_alloc_at(4002), a);
	assert_int_equal(cp.stats[CP_STAT_MOBILITY_MOVES], 1);
	/* the old address has nothing any more */
	{
		char nonce[128];

		nonce_for(0, 4001, nonce);
		assert_int_equal(request(0, STUN_METHOD_REFRESH, 4001, "alice", nonce, 600,
					 NULL, NULL, &r), STUN_ERR_ALLOCATION_MISMATCH);
	}
	/* the old ticket moves it nowhere: not back, not to a third address */
	assert_int_equal(mob_refresh(0, 4001, "alice", t0, 32, NULL), STUN_ERR_ALLOCATION_MISMATCH);
	assert_int_equal(mob_refresh(0, 4003, "alice", t0, 32, NULL), STUN_ERR_ALLOCATION_MISMATCH);
	assert_int_equal(cp.stats[CP_STAT_MOBILITY_TICKET_STALE], 2);
	/* forged, truncated, empty */
	memcpy(f, t1, 32);
	f[10] = f[10] == 'A' ? 'B' : 'A';
	assert_int_equal(mob_refresh(0, 4003, "alice", f, 32, NULL), STUN_ERR_BAD_REQUEST);
	assert_int_equal(mob_refresh(0, 4003, "alice", t1, 31, NULL), STUN_ERR_BAD_REQUEST);
	assert_int_equal(mob_refresh(0, 4003, "alice", t1, 0, NULL), STUN_ERR_BAD_REQUEST);
	assert_int_equal(cp.stats[CP_STAT_MOBILITY_TICKET_BAD], 3);
	/* the right ticket, another user's credentials */
	assert_int_equal(mob_refresh(0, 4003, "bob", t1, 32, NULL), STUN_ERR_WRONG_CREDENTIALS);
	assert_int_equal(nmove_seen, 1);
	assert_ptr_equal(mob_alloc_at(4002), a);
	/* the move's Refresh again from the new address (coturn's client
	 * sends it twice): success, the current ticket */
	assert_int_equal(mob_refresh(0, 4002, "alice", t0, 32, t2), 0);
	assert_memory_equal(t1, t2, 32);
	assert_int_equal(nmove_seen, 1);
	/* and it moves on with the new one */
	assert_int_equal(mob_refresh(0, 4004, "alice", t1, 32, t2), 0);
	assert_ptr_equal(mob_alloc_at(4004), a);
	assert_int_equal(nmove_seen, 2);
	(void)drain(0, &r, &adds, &dels);
	conf.turn.mobility = false;
}

/* Every message cp has for worker w's dp, drained (the moves and the
 * forwards among them recorded). */
static void
drain_all(void)
{
	struct reply r;
	int adds, dels;

	for (unsigned int w = 0; w < cp.nworkers; w++)
		(void)drain(w, &r, &adds, &dels);
}

/* The forward message i: kind, ring's worker, client port, owner. */
static void
fwd_is(unsigned int i, uint16_t kind, unsigned int w, uint16_t cport, uint64_t id)
{
	assert_true(i < nfwd_seen);
	assert_int_equal(fwd_seen[i].h.kind, kind);
	assert_int_equal(fwd_seen_w[i], w);
	assert_int_equal(fwd_seen[i].h.tuple.client.port, cport);
	assert_int_equal(fwd_seen[i].h.alloc_id, id);
	if (kind == IPC_FWD_ADD) {
		const struct ipc_fwd *f = (const struct ipc_fwd *)fwd_seen[i].body;

		assert_int_equal(fwd_seen[i].h.body_len, sizeof(*f));
		assert_int_equal(f->owner, 0);
	} else {
		assert_int_equal(fwd_seen[i].h.body_len, 0);
	}
}

/* The allocation lives on its relayed port's worker (0); a new address
 * that dp's flow hash gives another worker (1) moves it all the same:
 * worker 0 moves its entry (ALLOC_MOVE) and worker 1 forwards the new
 * tuple's packets to it (FWD_ADD), which cp remembers; a move back to a
 * tuple of worker 0 deletes that forward and adds none, one to worker 1
 * again adds one, a move from there to another of its tuples replaces it,
 * and the allocation's end deletes it. */
static void
test_alloc_mobility_other_worker_forwards(void **state)
{
	uint8_t t0[32], t1[32], t2[32];
	struct cp_alloc *a;
	uint64_t id;
	char nonce[128];
	struct reply r;

	(void)state;
	conf.turn.mobility = true;
	nmove_seen = nfwd_seen = 0;
	mob_allocate(0, 4001, t0);
	a = mob_alloc_at(4001);
	assert_non_null(a);
	id = a->id;
	assert_int_equal(a->worker, 0);
	/* to worker 1's tuple */
	assert_int_equal(mob_refresh(1, 4002, "alice", t0, 32, t1), 0);
	drain_all();
	assert_int_equal(nmove_seen, 1);
	assert_int_equal(move_seen.h.worker, 0);
	assert_int_equal(((const struct ipc_tuple *)move_seen.body)->client.port, 4002);
	assert_int_equal(nfwd_seen, 1);
	fwd_is(0, IPC_FWD_ADD, 1, 4002, id);
	assert_ptr_equal(mob_alloc_at(4002), a);
	assert_null(mob_alloc_at(4001));
	assert_true(a->fwd);
	assert_int_equal(a->fwd_worker, 1);
	assert_int_equal(cp.alloc->worker_fwds[1], 1);
	assert_int_equal(cp.stats[CP_STAT_MOBILITY_MOVES], 1);
	assert_int_equal(cp.stats[CP_STAT_MOBILITY_OTHER_WORKER], 0);
	/* its packets come through worker 0 now (dp forwarded them): the
	 * move's Refresh again is answered there with the current ticket */
	assert_int_equal(mob_refresh(0, 4002, "alice", t0, 32, t2), 0);
	assert_memory_equal(t1, t2, 32);
	drain_all();
	assert_int_equal(nmove_seen, 1);
	assert_int_equal(nfwd_seen, 1);
	/* to worker 0's own tuple: the forward goes, none comes */
	assert_int_equal(mob_refresh(0, 4003, "alice", t1, 32, t2), 0);
	drain_all();
	assert_int_equal(nmove_seen, 2);
	assert_int_equal(nfwd_seen, 2);
	fwd_is(1, IPC_FWD_DEL, 1, 4002, id);
	assert_false(a->fwd);
	assert_int_equal(cp.alloc->worker_fwds[1], 0);
	/* to worker 1 again, then to another of worker 1's tuples: the old
	 * tuple's forward goes before the new one's comes, in one ring */
	assert_int_equal(mob_refresh(1, 4004, "alice", t2, 32, t1), 0);
	assert_int_equal(mob_refresh(1, 4005, "alice", t1, 32, t2), 0);
	drain_all();
	assert_int_equal(nmove_seen, 4);
	assert_int_equal(nfwd_seen, 5);
	fwd_is(2, IPC_FWD_ADD, 1, 4004, id);
	fwd_is(3, IPC_FWD_DEL, 1, 4004, id);
	fwd_is(4, IPC_FWD_ADD, 1, 4005, id);
	assert_true(a->fwd);
	assert_int_equal(cp.alloc->worker_fwds[1], 1);
	assert_null(mob_alloc_at(4004));
	/* the old tuples have nothing */
	nonce_for(1, 4004, nonce);
	assert_int_equal(request(1, STUN_METHOD_REFRESH, 4004, "alice", nonce, 600,
				 NULL, NULL, &r), STUN_ERR_ALLOCATION_MISMATCH);
	/* its end (Refresh 0, from worker 0 where dp forwards it) deletes
	 * the forward */
	nonce_for(0, 4005, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 4005, "alice", nonce, 0,
				 NULL, NULL, &r), 0);
	drain_all();
	assert_int_equal(nfwd_seen, 6);
	fwd_is(5, IPC_FWD_DEL, 1, 4005, id);
	assert_int_equal(cp.alloc->worker_fwds[1], 0);
	assert_int_equal(cp.stats[CP_STAT_MOBILITY_MOVES], 4);
	conf.turn.mobility = false;
}

/* Room in each ring first: with worker 0's (the allocation's) or worker
 * 1's (the new tuple's) full, nothing moves, nothing is sent and nothing
 * answered (the client's retransmission moves it); nor with worker 1's
 * forwards at IPC_FWD_MAX (405, counted); a dp restart installs the
 * forward again. */
static void
test_alloc_mobility_other_worker_needs_room(void **state)
{
	static struct ipc_msg filler;
	uint8_t t0[32], t1[32];
	struct cp_alloc *a;
	char nonce[128];
	struct reply r;

	(void)state;
	conf.turn.mobility = true;
	nmove_seen = nfwd_seen = 0;
	mob_allocate(0, 4001, t0);
	a = mob_alloc_at(4001);
	assert_non_null(a);
	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_STATS_REQ;
	for (unsigned int full = 0; full < 2; full++) {
		struct ipc_ring *ring = &ipc_worker(&cp.seg, full)->to_dp;
		struct alloc_opts o = { .mob = true, .ticket = t0, .ticket_len = 32 };
		uint64_t ipc_full = cp.stats[CP_STAT_IPC_FULL];

		nonce_for(1, 4002, nonce);
		while (ipc_ring_enqueue(ring, &filler) == 0)
			;
		assert_int_equal(request_opts(1, STUN_METHOD_REFRESH, 4002, "alice", nonce, 600,
					      NULL, NULL, &o, &r), -1);
		drain_all();
		assert_int_equal(nmove_seen, 0);
		assert_int_equal(nfwd_seen, 0);
		assert_ptr_equal(mob_alloc_at(4001), a);
		assert_null(mob_alloc_at(4002));
		assert_false(a->fwd);
		assert_true(cp.stats[CP_STAT_IPC_FULL] > ipc_full);
	}
	assert_int_equal(cp.stats[CP_STAT_MOBILITY_MOVES], 0);
	/* worker 1 holds as many forwards as dp's table does */
	cp.alloc->worker_fwds[1] = IPC_FWD_MAX;
	assert_int_equal(mob_refresh(1, 4002, "alice", t0, 32, NULL), STUN_ERR_MOBILITY_FORBIDDEN);
	assert_int_equal(cp.stats[CP_STAT_MOBILITY_OTHER_WORKER], 1);
	assert_ptr_equal(mob_alloc_at(4001), a);
	cp.alloc->worker_fwds[1] = 0;
	/* room: it moves */
	assert_int_equal(mob_refresh(1, 4002, "alice", t0, 32, t1), 0);
	drain_all();
	assert_int_equal(nmove_seen, 1);
	assert_int_equal(nfwd_seen, 1);
	/* dp restarts: the allocation and its forward again */
	cp_reinstall_start(&cp);
	while (cp.alloc->reinstalling)
		(void)cp_reinstall_step(&cp);
	drain_all();
	assert_int_equal(nfwd_seen, 2);
	fwd_is(1, IPC_FWD_ADD, 1, 4002, a->id);
	assert_int_equal(cp.alloc->worker_fwds[1], 1);
	conf.turn.mobility = false;
}

/* A forward's delete that found its worker's ring full left the forward
 * in dp: cp's count of that worker's forwards stays (were it lowered, cp
 * would answer moves dp's full table then refuses), the allocation
 * forgets it. */
static void
test_alloc_mobility_failed_forward_delete_keeps_the_count(void **state)
{
	static struct ipc_msg filler;
	struct ipc_ring *ring = &ipc_worker(&cp.seg, 1)->to_dp;
	uint8_t t0[32], t1[32];
	struct cp_alloc *a;
	uint64_t ipc_full;
	char nonce[128];
	struct reply r;

	(void)state;
	conf.turn.mobility = true;
	nmove_seen = nfwd_seen = 0;
	mob_allocate(0, 4001, t0);
	a = mob_alloc_at(4001);
	assert_non_null(a);
	assert_int_equal(mob_refresh(1, 4002, "alice", t0, 32, t1), 0);
	drain_all();
	assert_int_equal(nfwd_seen, 1);
	assert_int_equal(cp.alloc->worker_fwds[1], 1);
	/* its end (from worker 0, where dp forwards it) with worker 1's
	 * ring full: the FWD_DEL is lost */
	memset(&filler, 0, sizeof(filler));
	filler.h.kind = IPC_STATS_REQ;
	while (ipc_ring_enqueue(ring, &filler) == 0)
		;
	ipc_full = cp.stats[CP_STAT_IPC_FULL];
	nonce_for(0, 4002, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 4002, "alice", nonce, 0,
				 NULL, NULL, &r), 0);
	assert_true(cp.stats[CP_STAT_IPC_FULL] > ipc_full);
	drain_all();
	assert_int_equal(nfwd_seen, 1);
	assert_null(mob_alloc_at(4002));
	assert_int_equal(cp.alloc->worker_fwds[1], 1);
	cp.alloc->worker_fwds[1] = 0;
	conf.turn.mobility = false;
}

/* RFC 7635 with RFC 8016: an allocation an access token made is moved
 * only by a request signed with that token's mac_key. Another client of
 * the same authorization server (a token of its own under the same kid)
 * that saw the ticket go by in the clear is refused 441, and the
 * allocation stays where it is. */
/* The authorization servers' keys: north's, south (the same AS as north:
 * `as = "north"`, a second kid of it, as coturn's client picks among its
 * kids) and east (an AS of its own). */
static struct cp_oauth_key oauth_keys[3] = {
	{ .kid = "north", .alg = CP_OAUTH_A128GCM, .key_len = 16, .key = "0123456789abcdef" },
	{ .kid = "south", .as = "north", .alg = CP_OAUTH_A128GCM, .key_len = 16,
	  .key = "fedcba9876543210" },
	{ .kid = "east", .alg = CP_OAUTH_A128GCM, .key_len = 16, .key = "east-east-east-e" },
};
#define mob_kid oauth_keys[0]

static int
setup_oauth(void **state)
{
	struct cp_auth_conf ac = { .realm = "r.test", .oauth_server_name = "turn.test",
				   .oauth_keys = oauth_keys, .oauth_nkeys = 3,
				   .oauth_tolerance_s = 60 };

	setup(state);
	cp_auth_free(cp.auth);
	cp.auth = cp_auth_init(&ac);
	assert_non_null(cp.auth);
	return 0;
}

/* a token under key k's kid carrying mac_key (20 bytes), living lifetime s */
static size_t
oauth_token_life(const struct cp_oauth_key *k, const uint8_t mac_key[20], uint32_t lifetime,
		 uint8_t *out)
{
	static const uint8_t nonce[CP_OAUTH_NONCE_LEN] = "twelve-bytes";
	struct cp_oauth_token t = { .mac_key_len = 20,
				    .timestamp = (cp.wall_ms / 1000u) << 16, .lifetime = lifetime };
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

	memcpy(t.mac_key, mac_key, 20);
	n = cp_oauth_seal(ctx, k, "turn.test", 9, nonce, &t, out);
	EVP_CIPHER_CTX_free(ctx);
	assert_true(n > 0);
	return (size_t)n;
}

static size_t
oauth_token(const struct cp_oauth_key *k, const uint8_t mac_key[20], uint8_t *out)
{
	return oauth_token_life(k, mac_key, 3600, out);
}

/* a token under kid "north" carrying mac_key (20 bytes) */
static size_t
mob_token(const uint8_t mac_key[20], uint8_t *out)
{
	return oauth_token(&mob_kid, mac_key, out);
}

/* A request from cport as a client of tokens sends it: USERNAME the kid,
 * with its token tok (tlen bytes; NULL: none, signed with the key alone),
 * MESSAGE-INTEGRITY keyed with mac_key; o (may be NULL) adds the rest. */
static int
oauth_request(uint16_t method, uint16_t cport, const char *kid, const uint8_t *tok,
	      size_t tlen, const uint8_t mac_key[20], int lifetime, struct alloc_opts *o,
	      struct reply *r)
{
	struct alloc_opts none = { 0 };
	char nonce[128];

	if (o == NULL)
		o = &none;
	o->atok = tok;
	o->atok_len = tlen;
	o->mac_key = mac_key;
	o->mac_key_len = 20;
	nonce_for(0, cport, nonce);
	return request_opts(0, method, cport, kid, nonce, lifetime, NULL, NULL, o, r);
}

static void
test_alloc_mobility_oauth_needs_the_tokens_key(void **state)
{
	static const uint8_t victim_key[20] = "victim-mac-key-20byt";
	static const uint8_t thief_key[20] = "thief--mac-key-20byt";
	uint8_t vtok[CP_OAUTH_TOKEN_MAX], ttok[CP_OAUTH_TOKEN_MAX], t0[32];
	size_t vlen = mob_token(victim_key, vtok), tlen = mob_token(thief_key, ttok);
	struct alloc_opts o = { .mob = true, .atok = vtok, .atok_len = vlen,
				.mac_key = victim_key, .mac_key_len = 20 };
	const struct stun_attr *ta;
	struct cp_alloc *a;
	char nonce[128];
	struct reply r;

	(void)state;
	conf.turn.mobility = true;
	assert_int_equal(allocate_opts(0, 4001, "north", &o, &r), 0);
	ta = stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET);
	assert_non_null(ta);
	assert_int_equal(ta->len, 32);
	memcpy(t0, ta->value, 32);
	a = mob_alloc_at(4001);
	assert_non_null(a);

	/* the thief, from its own address with its own token */
	o.ticket = t0;
	o.ticket_len = 32;
	o.atok = ttok;
	o.atok_len = tlen;
	o.mac_key = thief_key;
	nonce_for(0, 4066, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_REFRESH, 4066, "north", nonce, 600, NULL,
				      NULL, &o, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_ptr_equal(mob_alloc_at(4001), a);
	assert_null(mob_alloc_at(4066));

	/* the client itself, moving with its token */
	o.atok = vtok;
	o.atok_len = vlen;
	o.mac_key = victim_key;
	nonce_for(0, 4002, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_REFRESH, 4002, "north", nonce, 600, NULL,
				      NULL, &o, &r), 0);
	assert_ptr_equal(mob_alloc_at(4002), a);
	assert_non_null(stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET));

	/* a user whose name is the kid: a token is not its password */
	assert_int_equal(cp_auth_user_add(cp.auth, "north", "pw"), 0);
	mob_allocate_as(0, 4010, "north", t0);
	a = mob_alloc_at(4010);
	assert_non_null(a);
	o.atok = ttok;
	o.atok_len = tlen;
	o.mac_key = thief_key;
	nonce_for(0, 4011, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_REFRESH, 4011, "north", nonce, 600, NULL,
				      NULL, &o, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_ptr_equal(mob_alloc_at(4010), a);
	conf.turn.mobility = false;
}

/*
 * Issue 67: a second token holder took a token-made allocation. The
 * victim allocates with its token (mobility on); a client with a token
 * of its own from the same authorization server sends one Refresh from
 * the victim's 5-tuple (the victim's nonce, its own ACCESS-TOKEN and
 * MESSAGE-INTEGRITY under its own mac_key), then a Refresh from its own
 * address with the victim's ticket, signed with its own key. That
 * Refresh replaced the allocation's key with the thief's, and the move
 * then took the victim's relayed address (the victim's next Refresh:
 * 437). Now the renewal is a renewal (RFC 7635 §9 lets a client refresh
 * with a new token of its AS), but the key the allocation was made with
 * stays apart: the move needs it (441), the allocation stays, and the
 * victim's own requests, signed with its key, go on.
 */
static void
test_alloc_oauth_second_token_takes_nothing(void **state)
{
	static const uint8_t victim_key[20] = "victim-mac-key-20byt";
	static const uint8_t thief_key[20] = "thief--mac-key-20byt";
	uint8_t vtok[CP_OAUTH_TOKEN_MAX], ttok[CP_OAUTH_TOKEN_MAX], t0[32];
	size_t vlen = oauth_token(&mob_kid, victim_key, vtok);
	size_t tlen = oauth_token(&mob_kid, thief_key, ttok);
	struct alloc_opts o = { .mob = true };
	const struct stun_attr *ta;
	struct cp_alloc *a;
	struct reply r;

	(void)state;
	conf.turn.mobility = true;
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4001, "north", vtok, vlen,
				       victim_key, -1, &o, &r), 0);
	ta = stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET);
	assert_non_null(ta);
	memcpy(t0, ta->value, 32);
	a = mob_alloc_at(4001);
	assert_non_null(a);

	/* the thief's token on the victim's 5-tuple: a renewal at most */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", ttok, tlen,
				       thief_key, 600, NULL, &r), 0);
	/* ... the ticket replayed from its own address, under its own key */
	o.ticket = t0;
	o.ticket_len = 32;
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4066, "north", ttok, tlen,
				       thief_key, 600, &o, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_ptr_equal(mob_alloc_at(4001), a);
	assert_null(mob_alloc_at(4066));
	/* ... and signed with the key alone, without its token: nobody's there */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4066, "north", NULL, 0,
				       thief_key, 600, &o, &r), STUN_ERR_UNAUTHENTICATED);
	assert_null(mob_alloc_at(4066));
	/* the victim's next Refresh, signed with its key: its allocation */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", NULL, 0,
				       victim_key, 600, NULL, &r), 0);
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", vtok, vlen,
				       victim_key, 600, NULL, &r), 0);
	/* and it moves, with its own token */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4002, "north", vtok, vlen,
				       victim_key, 600, &o, &r), 0);
	assert_ptr_equal(mob_alloc_at(4002), a);
	assert_null(mob_alloc_at(4001));
	conf.turn.mobility = false;
}

/*
 * Issue 67, mobility off: a token of another client of the same
 * authorization server, sent from the victim's 5-tuple, deleted the
 * victim's allocation (LIFETIME 0) or opened permissions and channels to
 * its own peers. A new token is taken to renew only: a delete, a
 * CreatePermission and a ChannelBind verify with the allocation's key (its
 * session's, or the one it was made with), 441 otherwise, and nothing
 * changes.
 */
static void
test_alloc_oauth_other_token_deletes_and_permits_nothing(void **state)
{
	static const uint8_t victim_key[20] = "victim-mac-key-20byt";
	static const uint8_t thief_key[20] = "thief--mac-key-20byt";
	uint8_t vtok[CP_OAUTH_TOKEN_MAX], ttok[CP_OAUTH_TOKEN_MAX];
	size_t vlen = oauth_token(&mob_kid, victim_key, vtok);
	size_t tlen = oauth_token(&mob_kid, thief_key, ttok);
	struct stun_addr peer = { .family = STUN_AF_IPV4, .port = 7000, .ip = { 203, 0, 113, 7 } };
	struct alloc_opts o = { .peers = &peer, .npeers = 1 };
	struct cp_alloc *a;
	struct reply r;

	(void)state;
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4001, "north", vtok, vlen,
				       victim_key, -1, NULL, &r), 0);
	a = mob_alloc_at(4001);
	assert_non_null(a);
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", ttok, tlen,
				       thief_key, 0, NULL, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_ptr_equal(mob_alloc_at(4001), a);
	assert_int_equal(oauth_request(STUN_METHOD_CREATE_PERMISSION, 4001, "north", ttok,
				       tlen, thief_key, -1, &o, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_int_equal(a->nperms, 0);
	o.channel = 0x4001;
	assert_int_equal(oauth_request(STUN_METHOD_CHANNEL_BIND, 4001, "north", ttok, tlen,
				       thief_key, -1, &o, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_int_equal(a->nbinds, 0);
	/* (signed with its key alone it is nobody: no session of its) */
	o.channel = 0;
	assert_int_equal(oauth_request(STUN_METHOD_CREATE_PERMISSION, 4001, "north", NULL, 0,
				       thief_key, -1, &o, &r), STUN_ERR_UNAUTHENTICATED);
	assert_int_equal(a->nperms, 0);
	/* the victim: with its key alone, and with its token again */
	assert_int_equal(oauth_request(STUN_METHOD_CREATE_PERMISSION, 4001, "north", NULL, 0,
				       victim_key, -1, &o, &r), 0);
	assert_int_equal(a->nperms, 1);
	o.channel = 0x4001;
	assert_int_equal(oauth_request(STUN_METHOD_CHANNEL_BIND, 4001, "north", vtok, vlen,
				       victim_key, -1, &o, &r), 0);
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", NULL, 0,
				       victim_key, 0, NULL, &r), 0);
	assert_null(mob_alloc_at(4001));
}

/*
 * RFC 7635 §9: "The client MUST use the new token to refresh existing
 * allocations." A renewal takes a new token of the allocation's own
 * authorization server (another kid of it included: coturn's client picks
 * one of its kids for each token), which becomes the session: what
 * follows may be signed with its key (coturn's client signs its
 * CreatePermission so). A token of another authorization server does not
 * renew it (441), and neither a renewal nor anything after it changes
 * the key a move needs.
 */
static void
test_alloc_oauth_renewal_by_its_own_as_only(void **state)
{
	static const uint8_t k0[20] = "first-mac-key-20byte";
	static const uint8_t k1[20] = "second-mac-key-20byt";
	static const uint8_t ke[20] = "east---mac-key-20byt";
	uint8_t t0[CP_OAUTH_TOKEN_MAX], t1[CP_OAUTH_TOKEN_MAX], te[CP_OAUTH_TOKEN_MAX];
	size_t n0 = oauth_token(&oauth_keys[0], k0, t0), n1 = oauth_token(&oauth_keys[1], k1, t1);
	size_t ne = oauth_token(&oauth_keys[2], ke, te);
	struct stun_addr peer = { .family = STUN_AF_IPV4, .port = 7000, .ip = { 203, 0, 113, 7 } };
	struct alloc_opts o = { .peers = &peer, .npeers = 1 };
	struct cp_alloc *a;
	struct reply r;

	(void)state;
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4001, "north", t0, n0, k0, -1,
				       NULL, &r), 0);
	a = mob_alloc_at(4001);
	assert_non_null(a);
	/* another AS's token: not this allocation's */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "east", te, ne, ke, 600,
				       NULL, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_int_equal(oauth_request(STUN_METHOD_CREATE_PERMISSION, 4001, "east", NULL, 0, ke,
				       -1, &o, &r), STUN_ERR_UNAUTHENTICATED);
	/* its own AS's, under another kid: renewed, and its key signs on */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "south", t1, n1, k1, 600,
				       NULL, &r), 0);
	assert_int_equal(a->oauth[CPA_OAUTH_SESSION].key_len, 20);
	assert_memory_equal(a->oauth[CPA_OAUTH_SESSION].key, k1, 20);
	assert_memory_equal(a->oauth[CPA_OAUTH_MADE].key, k0, 20);
	assert_int_equal(oauth_request(STUN_METHOD_CREATE_PERMISSION, 4001, "south", NULL, 0, k1,
				       -1, &o, &r), 0);
	assert_int_equal(a->nperms, 1);
	/* the first key still answers (the token that made it) */
	assert_int_equal(oauth_request(STUN_METHOD_CREATE_PERMISSION, 4001, "north", NULL, 0, k0,
				       -1, &o, &r), 0);
}

/* An allocation a user made (long-term credentials) answers that user
 * only: a token whose kid is the user's name is not that user (it passed
 * as one: the name matched). */
static void
test_alloc_oauth_token_is_no_user(void **state)
{
	static const uint8_t k[20] = "thief--mac-key-20byt";
	uint8_t tok[CP_OAUTH_TOKEN_MAX];
	size_t n = oauth_token(&mob_kid, k, tok);
	struct reply r;

	(void)state;
	assert_int_equal(cp_auth_user_add(cp.auth, "north", "pw"), 0);
	assert_int_equal(allocate(0, 4001, "north", -1, &r), 0);
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", tok, n, k, 600, NULL,
				       &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", tok, n, k, 0, NULL,
				       &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_non_null(mob_alloc_at(4001));
}

/* RFC 6062 with RFC 7635: a ConnectionBind for an allocation a token made
 * is its own client's (the key of its session, or of the token that made
 * it). Another client of the same kid with the CONNECTION-ID it saw got
 * the peer's connection (the allocation's name, the kid, was its name
 * too); now it gets the 400 an unknown id gets. */
static void
test_tcp_relay_oauth_bind_by_another_token_is_400(void **state)
{
	static const uint8_t k[20] = "victim-mac-key-20byt";
	static const uint8_t kt[20] = "thief--mac-key-20byt";
	uint8_t tok[CP_OAUTH_TOKEN_MAX], ttok[CP_OAUTH_TOKEN_MAX];
	size_t n = oauth_token(&mob_kid, k, tok), tn = oauth_token(&mob_kid, kt, ttok);
	struct alloc_opts o = { .transport = STUN_TRANSPORT_TCP, .atok = tok, .atok_len = n,
				.mac_key = k, .mac_key_len = 20 };
	struct ipc_tcp_conn x;
	struct cp_alloc *a;
	struct reply r;
	char nonce[128];

	(void)state;
	dp_relays_tcp();
	tuple_conn = ipc_conn_make(1, 9, 4001);
	nonce_for(1, 4001, nonce);
	assert_int_equal(request_opts(1, STUN_METHOD_ALLOCATE, 4001, "north", nonce, -1, NULL,
				      NULL, &o, &r), 0);
	a = alloc_of(4001);
	assert_non_null(a);
	o.transport = 0;
	o.peers = &tcp_peer;
	o.npeers = 1;
	ntcp_seen = 0;
	assert_int_equal(request_opts(1, STUN_METHOD_CONNECT, 4001, "north", nonce, -1, NULL,
				      NULL, &o, &r), -1);
	assert_int_equal(ntcp_seen, 1);
	memcpy(&x, tcp_seen[0].body, sizeof(x));
	tcp_event(1, a->id, IPC_TCP_EV_CONNECTED, x.cid, ipc_conn_make(1, 20, 1), 0, 0);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	tuple_conn = ipc_conn_make(0, 30, 2);
	o.npeers = 0;
	o.cid = x.cid;
	o.atok = ttok;
	o.atok_len = tn;
	o.mac_key = kt;
	nonce_for(0, 4002, nonce);
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4002, "north", nonce, -1,
				      NULL, NULL, &o, &r), STUN_ERR_BAD_REQUEST);
	assert_int_equal(cp.stats[CP_STAT_TCP_BIND_OTHER_USER], 1);
	/* the allocation's own client, with its token */
	o.atok = tok;
	o.atok_len = n;
	o.mac_key = k;
	ntcp_seen = 0;
	assert_int_equal(request_opts(0, STUN_METHOD_CONNECTION_BIND, 4002, "north", nonce, -1,
				      NULL, NULL, &o, &r), -1);
	drain(1, &r, &(int){ 0 }, &(int){ 0 });
	assert_int_equal(ntcp_seen, 1);
	assert_int_equal(tcp_seen[0].h.kind, IPC_TCP_BIND);
}

/*
 * RFC 7635 §6.2: a token claims a mac_key, a timestamp and a lifetime, no
 * client; its kid names a key every client of its authorization server
 * shares. The per-user quota counted per kid: one client at cp.quota_user
 * made every other client of that server get 486. It counts per client
 * now, the name a token's client goes by (its AS and a hash of its
 * mac_key): a token used again is the same client (RFC 7635 §9 lets a
 * token serve several Allocates), another token another client.
 */
static void
test_alloc_oauth_quota_counts_per_client(void **state)
{
	static const uint8_t ka[20] = "client-a-mac-key-20b";
	static const uint8_t kb[20] = "client-b-mac-key-20b";
	uint8_t ta[CP_OAUTH_TOKEN_MAX], tb[CP_OAUTH_TOKEN_MAX], tb2[CP_OAUTH_TOKEN_MAX];
	size_t na = oauth_token(&oauth_keys[0], ka, ta), nb = oauth_token(&oauth_keys[0], kb, tb);
	size_t nb2 = oauth_token(&oauth_keys[1], kb, tb2);
	struct cp_alloc *a, *b;
	struct reply r;

	(void)state;
	/* quota_user 2: client a's two allocations, then 486 */
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4001, "north", ta, na, ka, -1, NULL,
				       &r), 0);
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4002, "north", ta, na, ka, -1, NULL,
				       &r), 0);
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4003, "north", ta, na, ka, -1, NULL,
				       &r), STUN_ERR_ALLOCATION_QUOTA_REACHED);
	/* client b, under the same kid: its own count */
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4004, "north", tb, nb, kb, -1, NULL,
				       &r), 0);
	a = mob_alloc_at(4001);
	b = mob_alloc_at(4004);
	assert_ptr_equal(a->user, mob_alloc_at(4002)->user);
	assert_ptr_not_equal(a->user, b->user);
	/* named "AS/32 hex digits" (north's AS is its kid) */
	assert_int_equal(a->user->len, 6 + CP_OAUTH_CLIENT_HEX);
	assert_memory_equal(a->user->name, "north/", 6);
	for (unsigned int i = 6; i < a->user->len; i++)
		assert_non_null(strchr("0123456789abcdef", a->user->name[i]));
	assert_int_equal(a->user->n, 2);
	assert_int_equal(b->user->n, 1);
	/* b's key under south's kid (the same AS): the same client */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4004, "north", NULL, 0, kb, 0, NULL,
				       &r), 0);
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4005, "south", tb2, nb2, kb, -1,
				       NULL, &r), 0);
	assert_int_equal(mob_alloc_at(4005)->user->len, b->user->len);
}

/*
 * RFC 7635 §9: "The lifetime provided by the TURN server in the Allocate
 * and Refresh responses MUST be less than or equal to the lifetime of the
 * token." The allocation's lifetime was cp's alone (its requests past the
 * token's end refused, the allocation living on): now it is cut to the
 * end of the token that authorized the request, with oauth.tolerance
 * (60 s here), even below lifetime_default; a renewal with a new token
 * gives that token's.
 */
static void
test_alloc_oauth_lifetime_is_the_tokens(void **state)
{
	static const uint8_t k0[20] = "short-lived-key-20by";
	static const uint8_t k1[20] = "long-lived-key-20byt";
	uint8_t t0[CP_OAUTH_TOKEN_MAX], t1[CP_OAUTH_TOKEN_MAX];
	size_t n0, n1;
	struct reply r;

	(void)state;
	cp.wall_ms = 1700000000000ull;
	n0 = oauth_token_life(&oauth_keys[0], k0, 100, t0);
	n1 = oauth_token_life(&oauth_keys[0], k1, 3600, t1);
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4001, "north", t0, n0, k0, 1200,
				       NULL, &r), 0);
	assert_int_equal(lifetime_of(&r), 160);
	cp.wall_ms += 50000;
	cp.now_ms += 50000;
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", NULL, 0, k0, 600, NULL,
				       &r), 0);
	assert_int_equal(lifetime_of(&r), 110);
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", t0, n0, k0, 600, NULL,
				       &r), 0);
	assert_int_equal(lifetime_of(&r), 110);
	/* renewed with a token of an hour: what cp grants, 600 s */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", t1, n1, k1, 600, NULL,
				       &r), 0);
	assert_int_equal(lifetime_of(&r), 600);
	/* a long-term credential's: cp's (lifetime_max 1200) */
	assert_int_equal(cp_auth_user_add(cp.auth, "alice", "pw"), 0);
	assert_int_equal(allocate(0, 4002, "alice", 1200, &r), 0);
	assert_int_equal(lifetime_of(&r), 1200);
}

/*
 * A restarted cp takes the allocation back from dp without its keys (cp
 * alone had them) but with its name, which is its client's: the token it
 * was made with takes it back (its keys are the allocation's again, and
 * it moves with them); another client's token of the same server does
 * not (441). Before, an allocation taken back answered any token whose
 * kid was its name.
 */
static void
test_alloc_oauth_restored_answers_the_token_it_was_made_with(void **state)
{
	static const uint8_t k[20] = "victim-mac-key-20byt";
	static const uint8_t kt[20] = "thief--mac-key-20byt";
	uint8_t tok[CP_OAUTH_TOKEN_MAX], ttok[CP_OAUTH_TOKEN_MAX];
	size_t n = oauth_token(&mob_kid, k, tok), tn = oauth_token(&mob_kid, kt, ttok);
	struct alloc_opts o = { .mob = true };
	char name[TP_USERNAME_MAX + 1];
	struct cp_alloc *a;
	struct reply r;
	uint8_t t[32];

	(void)state;
	conf.turn.mobility = true;
	/* its name, as the cp before gave it */
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4009, "north", tok, n, k, -1, NULL,
				       &r), 0);
	a = mob_alloc_at(4009);
	memcpy(name, a->user->name, a->user->len);
	name[a->user->len] = '\0';
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4009, "north", tok, n, k, 0, NULL,
				       &r), 0);
	restore_flags = IPC_ALLOC_F_MOBILE;
	restore_user(0, 77, 4001, 50000, name, (uint16_t)strlen(name));
	restore_flags = 0;
	a = mob_alloc_at(4001);
	assert_non_null(a);
	assert_int_equal(a->oauth[CPA_OAUTH_MADE].key_len, 0);
	/* another token of the same server, the kid its name begins with */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", ttok, tn, kt, 600,
				       NULL, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", ttok, tn, kt, 0,
				       NULL, &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_ptr_equal(mob_alloc_at(4001), a);
	/* its own: taken back, with a ticket that opens */
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4001, "north", tok, n, k, 600, NULL,
				       &r), 0);
	assert_int_equal(a->oauth[CPA_OAUTH_MADE].key_len, 20);
	assert_non_null(stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET));
	memcpy(t, stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET)->value, 32);
	o.ticket = t;
	o.ticket_len = 32;
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4002, "north", ttok, tn, kt, 600, &o,
				       &r), STUN_ERR_WRONG_CREDENTIALS);
	assert_int_equal(oauth_request(STUN_METHOD_REFRESH, 4002, "north", tok, n, k, 600, &o,
				       &r), 0);
	assert_ptr_equal(mob_alloc_at(4002), a);
	conf.turn.mobility = false;
}

/* A token claims no rate: its allocation's limit is its tenant's (or
 * turn.max_bps), never that of a user whose name is its kid (it took
 * that user's: its allocations were named by the kid). */
static void
test_alloc_oauth_no_users_rate(void **state)
{
	static const uint8_t k[20] = "client-a-mac-key-20b";
	uint8_t tok[CP_OAUTH_TOKEN_MAX];
	size_t n = oauth_token(&mob_kid, k, tok);
	struct reply r;

	(void)state;
	conf.cp.nusers = 1;
	memset(&conf.cp.users[0], 0, sizeof(conf.cp.users[0]));
	strcpy(conf.cp.users[0].name, "north");
	conf.cp.users[0].has_max_bps = true;
	conf.cp.users[0].max_bps = 1000;
	assert_int_equal(oauth_request(STUN_METHOD_ALLOCATE, 4001, "north", tok, n, k, -1, NULL,
				       &r), 0);
	assert_int_equal(mob_alloc_at(4001)->max_bps, conf.turn.max_bps);
	/* (the user itself has its rate) */
	assert_int_equal(cp_auth_user_add(cp.auth, "north", "pw"), 0);
	assert_int_equal(allocate(0, 4002, "north", -1, &r), 0);
	assert_int_equal(mob_alloc_at(4002)->max_bps, 1000);
	conf.cp.nusers = 0;
}

/* turn.mobility off (the default): an Allocate or Refresh with a ticket
 * is 405, as coturn answers without --mobility; a ticket with a value in
 * an Allocate is 400. */
static void
test_alloc_mobility_off_is_405(void **state)
{
	struct alloc_opts o = { .mob = true };
	static const uint8_t junk[4] = { 'a', 'b', 'c', 'd' };
	struct reply r;

	(void)state;
	assert_int_equal(allocate_opts(0, 4001, "alice", &o, &r), STUN_ERR_MOBILITY_FORBIDDEN);
	assert_int_equal(mob_refresh(0, 4002, "alice", junk, 4, NULL), STUN_ERR_MOBILITY_FORBIDDEN);
	assert_int_equal(cp.alloc->nallocs, 0);
	conf.turn.mobility = true;
	o.ticket = junk;
	o.ticket_len = 4;
	assert_int_equal(allocate_opts(0, 4001, "alice", &o, &r), STUN_ERR_BAD_REQUEST);
	/* without the attribute nothing changes: no ticket in the answer */
	assert_int_equal(allocate(0, 4001, "alice", -1, &r), 0);
	assert_null(stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET));
	conf.turn.mobility = false;
}


/* A restarted cp: dp gives back a mobile allocation (IPC_ALLOC_F_MOBILE);
 * a ticket of the cp before (another key) does not open (400), the next
 * ordinary Refresh carries one that does, and it moves the allocation. */
static void
test_alloc_mobility_after_cp_restart(void **state)
{
	struct cp_mob_keys before;
	char old[CP_MOB_TICKET_LEN];
	uint8_t t[32], t1[32];
	const struct stun_attr *ta;
	struct cp_alloc *a;
	char nonce[128];
	struct reply r;
	int adds, dels;

	(void)state;
	conf.turn.mobility = true;
	restore_flags = IPC_ALLOC_F_MOBILE;
	restore_one(0, 77, 4001, 50000, "10.1.0.1", NULL);
	restore_flags = 0;
	a = mob_alloc_at(4001);
	assert_non_null(a);
	assert_true(a->mobile);
	assert_int_equal(cp_mob_keys_init(&before), 0);
	assert_int_equal(cp_mob_ticket_seal(&before, 77, 0, old), 0);
	cp_mob_keys_fini(&before);
	assert_int_equal(mob_refresh(0, 4002, "alice", (const uint8_t *)old, 32, NULL),
			 STUN_ERR_BAD_REQUEST);
	nonce_for(0, 4001, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 4001, "alice", nonce, 600, NULL, NULL,
				 &r), 0);
	ta = stun_msg_find(&r.stun, STUN_ATTR_MOBILITY_TICKET);
	assert_non_null(ta);
	assert_int_equal(ta->len, 32);
	memcpy(t, ta->value, 32);
	assert_int_equal(mob_refresh(0, 4002, "alice", t, 32, t1), 0);
	assert_ptr_equal(mob_alloc_at(4002), a);
	(void)drain(0, &r, &adds, &dels);
	conf.turn.mobility = false;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_init_registers_its_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_tenant_of_the_address_reached,
						setup_tenants, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_tenant_quota_total_and_per_user,
						setup_tenants, teardown),
		cmocka_unit_test_setup_teardown(
			test_alloc_tenant_requests_see_only_their_tenants_allocation,
			setup_tenants, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_tenant_relayed_addresses_only_from_its_pool,
						setup_tenants, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_tenant_reservation_refused_to_another_tenant,
						setup_tenants, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_tenant_no_alternate_for_tenants,
						setup_tenants, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_tenant_peer_policy, setup_tenants,
						teardown),
		cmocka_unit_test_setup_teardown(test_alloc_quota_per_user_and_total, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_step_asks_dp_for_counters_each_second,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_alloc_without_turn_group_has_no_state_and_asks_dp_nothing,
			setup_noturn, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_relay_allocate_refusals, setup_relay,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_relay_connect_then_bind, setup_relay,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_relay_bind_by_another_user_is_400,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_relay_447_attempt_and_bind_timer,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_relay_restored_after_cp_restart,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_relay_gone_bytes_counted, setup_relay,
						teardown),
		cmocka_unit_test_setup_teardown(test_alloc_tables_grow_and_find_everything,
						setup_many, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_running_sums_follow_every_change,
						setup_many, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_relay_many_addresses_every_pair_once,
						setup_maxrelay, teardown),

		cmocka_unit_test_setup_teardown(test_alloc_lifetime_clamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_port_from_worker_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_retransmission_and_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_expires_on_the_wheel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_relay_every_pair_of_the_share_before_508,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_relay_freed_pair_is_given_again,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_relay_dual_takes_one_port_in_both_families,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_relay_reservation_keeps_its_address,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_relay_worker_capped_at_its_dp_table,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_reinstall_waits_for_room_and_sends_every_allocation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_wall_clock_steps_expire_and_extend_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_request_before_ready_is_dropped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_state_done_answers_this_cps_sync_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_sync_waits_for_room, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_relay_restore_marks_the_pairs_used,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_reservation_token_zero_is_508,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_reservation_expiry_frees_its_port_at_once,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_reservation_only_from_its_worker,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_reservation_token_in_the_retransmitted_success,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_reservation_508_when_no_slot_is_left,
						setup_wide, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_quota_table_forgets_released_usernames,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_quota_restored_allocations_count,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_restore_refuses_a_username_over_508_bytes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_long_rest_usernames_allocate_and_refresh,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_username_over_508_bytes_gets_nothing,
						setup_relay, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_channel_bind_508_takes_no_permission,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_relay_to_relay_peer_policy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_channel_conflicts_say_which, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_channel_to_peer_port_0_is_400,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_channel_above_0x4fff_is_400_by_default,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_without_fingerprint_is_processed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_closes_with_its_connection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_observers_hear_up_end_and_gone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_observers_hear_dp_after_the_end,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_quota_hook_decides_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_mobility_moves_and_refuses_old_forged_and_others,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_mobility_other_worker_forwards,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_mobility_other_worker_needs_room,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_mobility_failed_forward_delete_keeps_the_count,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_mobility_off_is_405, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_mobility_after_cp_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_mobility_oauth_needs_the_tokens_key,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_oauth_second_token_takes_nothing,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_oauth_other_token_deletes_and_permits_nothing,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_oauth_renewal_by_its_own_as_only,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_oauth_token_is_no_user,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_relay_oauth_bind_by_another_token_is_400,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_oauth_quota_counts_per_client,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_oauth_lifetime_is_the_tokens,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_oauth_restored_answers_the_token_it_was_made_with,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_oauth_no_users_rate,
						setup_oauth, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_unknown_attribute_judged_after_authentication,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
