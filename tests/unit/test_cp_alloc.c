/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/alloc with a fake clock and a real (private) ring segment: Allocate
 * requests built as a client builds them go in as dp would pass them on,
 * and what cp answers comes out of the worker's ring. Quotas per user and
 * in total (486), lifetimes clamped to the configured range, relayed
 * ports from the requesting worker's share, retransmissions answered
 * again, a second Allocate on a taken 5-tuple refused (437), Refresh 0
 * freeing quota, and expiry by the timer wheel with ALLOC_DEL to dp.
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
#include "stun.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static char conf_path[128], seg_name[64];
static uint32_t tid_seq;

static int
setup(void **state)
{
	char err[256];
	FILE *f;
	struct cp_auth_conf ac = { .realm = "r.test" };
	bool created;

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-alloc-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-alloc-%d", (int)getpid());
	f = fopen(conf_path, "w");
	fprintf(f,
		"dp = { workers = [0, 1]; ports = (\n"
		"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
		"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
		"turn = { realm = \"r.test\"; relay_ports = [50000, 50999]; ipc = \"%s\"; };\n"
		"cp = { lifetime_default = 600; lifetime_max = 1200; quota_user = 2;\n"
		"       quota_total = 3; };\n", seg_name);
	fclose(f);
	memset(&cp, 0, sizeof(cp));
	assert_int_equal(tp_conf_load(conf_path, &conf, err, sizeof(err)), 0);
	cp.conf = &conf;
	cp.auth = cp_auth_init(&ac);
	assert_non_null(cp.auth);
	assert_int_equal(cp_auth_user_add(cp.auth, "alice", "pw"), 0);
	assert_int_equal(cp_auth_user_add(cp.auth, "bob", "pw"), 0);
	cp.policy = cp_policy_create();
	ipc_seg_unlink(seg_name);
	assert_int_equal(ipc_seg_open(&cp.seg, seg_name, 2, &created), 0);
	cp.nworkers = 2;
	cp.start_ms = 1000000;
	cp.now_ms = cp.start_ms;
	tw_init(&cp.wheel, 0);
	assert_int_equal(cp_alloc_init(&cp), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_alloc_fini(&cp);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	cp_policy_free(cp.policy);
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
static int
drain(unsigned int w, struct reply *r, int *adds, int *dels)
{
	static struct ipc_msg m;
	int got = 0;

	*adds = *dels = 0;
	while (ipc_ring_dequeue(&ipc_worker(&cp.seg, w)->to_dp, &m) == 1) {
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
	t->transport = 17;
	t->client.family = 4;
	t->client.ip[0] = 10;
	t->client.ip[3] = 2;
	t->client.port = cport;
	t->server.family = 4;
	t->server.ip[0] = 10;
	t->server.ip[3] = 1;
	t->server.port = 3478;
}

/* Send a request as dp would; returns the response's error code (0 for
 * success). nonce/user select authentication; tid_out gets the tid. */
static int
request(unsigned int w, uint16_t method, uint16_t cport, const char *user,
	const char *nonce, int lifetime, const uint8_t *tid_in, uint8_t *tid_out,
	struct reply *r)
{
	static struct ipc_msg m;
	struct stun_builder b;
	uint8_t tid[12] = { 0 }, key[32];
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
		stun_build_transport(&b, STUN_TRANSPORT_UDP);
	if (lifetime >= 0)
		stun_build_u32(&b, STUN_ATTR_LIFETIME, (uint32_t)lifetime);
	if (nonce != NULL) {
		stun_build_str(&b, STUN_ATTR_USERNAME, user);
		stun_build_str(&b, STUN_ATTR_REALM, "r.test");
		stun_build_str(&b, STUN_ATTR_NONCE, nonce);
		assert_int_equal(stun_key_long_term(STUN_PWALG_MD5, user, "r.test", "pw", key), 16);
		stun_build_integrity(&b, key, 16);
	}
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	assert_true(n > 0);
	m.h.body_len = (uint16_t)n;
	cp_handle(&cp, w, &m);
	assert_int_equal(drain(w, r, &adds, &dels), 1);
	if (r->stun.cls == STUN_CLASS_ERROR) {
		uint16_t code;

		assert_int_equal(stun_attr_get_error(stun_msg_find(&r->stun, STUN_ATTR_ERROR_CODE),
						     &code, NULL, NULL), 0);
		return code;
	}
	return 0;
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

static uint32_t
lifetime_of(const struct reply *r)
{
	uint32_t v = 0;

	assert_int_equal(stun_attr_get_u32(stun_msg_find(&r->stun, STUN_ATTR_LIFETIME), &v), 0);
	return v;
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
	assert_int_equal(cp.nallocs, 3);
	/* Refresh 0 frees a place in both quotas. */
	nonce_for(0, 1001, nonce);
	assert_int_equal(request(0, STUN_METHOD_REFRESH, 1001, "alice", nonce, 0, NULL, NULL, &r), 0);
	assert_int_equal(cp.nallocs, 2);
	assert_int_equal(allocate(0, 1003, "alice", -1, &r), 0);
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
	assert_int_equal(cp.nallocs, 1);
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
	assert_int_equal(cp.nallocs, 1);
	cp.now_ms = cp.start_ms + 599000;
	tw_advance(&cp.wheel, (cp.now_ms - cp.start_ms) / CP_TICK_MS);
	assert_int_equal(cp.nallocs, 1);
	cp.now_ms = cp.start_ms + 600000;
	tw_advance(&cp.wheel, (cp.now_ms - cp.start_ms) / CP_TICK_MS);
	assert_int_equal(cp.nallocs, 0);
	while (ipc_ring_dequeue(&ipc_worker(&cp.seg, 1)->to_dp, &m) == 1)
		dels += m.h.kind == IPC_ALLOC_DEL;
	assert_int_equal(dels, 1);
	assert_int_equal(cp.stats[CP_STAT_EXPIRED_ALLOCS], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_quota_per_user_and_total, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_lifetime_clamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_port_from_worker_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_retransmission_and_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_expires_on_the_wheel, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
