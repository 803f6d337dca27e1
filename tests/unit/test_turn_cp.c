/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn/turn_cp.c: an ALLOC_ADD from cp that dp cannot honour is
 * refused and counted before it touches a table: a client transport dp
 * has no adapter for (6, a stream, until dp/tcp exists: alloc_bad_transport),
 * a relayed address that is not ours (alloc_bad_relay). Driven through
 * dp_cp_poll() with the worker's rings in heap memory (lib/ipc, checked by
 * ipc_msg_check() on the way), no hash (none is reached) and no EAL; the
 * UDP sender and the stream adapter are the test's and fail it if used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dp_cp.h"
#include "dp_root.h"
#include "fake_worker.h"
#include "ipc.h"
#include "nonce.h"
#include "turn.h"
#include "turn_inlines.h"

void
turn_udp_reply(struct dp_worker *w, const struct turn_from *to,
	       const uint8_t *buf, uint16_t len)
{
	(void)w;
	(void)to;
	(void)buf;
	(void)len;
	fail_msg("nothing is answered here");
}

/* dp/dp_reload.c is not linked here: what cp's TLS_RELOAD asked for */
static unsigned int reload_signals;

void
dp_reload_signal(void)
{
	reload_signals++;
}

const struct turn_xport_ops turn_udp_ops = { .name = "udp" };
const struct turn_xport_ops turn_stream_ops = { .name = "stream" };
const struct turn_xport_ops turn_dtls_ops = { .name = "dtls" };

struct fix {
	struct dp_ctx ctx;
	struct dp_worker *w;
	struct ipc_worker_rings *rings;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->w = fw_worker_new(&f->ctx);
	/* TURN's state behind its pointer, as turn_init() gives it */
	f->w->turn = fw_zalloc(sizeof(struct turn_worker));
	fw_link_attach(f->w);                /* cp not serving: zeroed */
	f->rings = f->w->cp.rings;
	f->w->turn->now_ms = 1;
	assert_int_equal(turn_cp_register(&f->ctx), 0);
	assert_int_equal(dp_reload_cp_register(&f->ctx), 0);
	f->w->turn->relay_min = 50000;
	f->w->turn->relay_span = 1000;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	fw_link_detach(f->w);
	free(f->w->turn);
	fw_worker_free(f->w);
	free(f);
	return 0;
}

/* An ALLOC_ADD that cp's checks pass, for a client on transport. */
static void
send_alloc_add(struct fix *f, uint8_t transport)
{
	static struct ipc_msg m;
	struct ipc_alloc *ia = (struct ipc_alloc *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_ALLOC_ADD;
	m.h.alloc_id = 42;
	m.h.tuple.transport = transport;
	m.h.tuple.conn_id = transport == 6 ? 7u : 0u;
	m.h.tuple.client.family = NET_AF_IPV4;
	m.h.tuple.client.port = 40000;
	m.h.tuple.server.family = NET_AF_IPV4;
	m.h.tuple.server.port = 3478;
	m.h.body_len = sizeof(*ia);
	ia->nrelayed = 1;
	ia->relayed[0].family = NET_AF_IPV4;
	ia->relayed[0].port = 50001;
	ia->relayed[0].ip[0] = 10;
	ia->expires_ms = 1000;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(ipc_ring_enqueue(&f->rings->to_dp, &m), 0);
}

static void
test_turn_cp_alloc_add_stream_client_refused_counted(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;

	send_alloc_add(f, 6);
	assert_int_equal(dp_cp_poll(f->w, 1), 1);
	assert_true(t->alloc_bad_transport == 1);
	assert_true(t->alloc_bad_relay == 0);
	assert_true(f->w->cp.ipc_bad == 0);
	assert_int_equal(t->nallocs, 0);
}

/* The same for UDP gets as far as the relayed address (not ours: this
 * worker has no port): refused for that, not for its transport. */
static void
test_turn_cp_alloc_add_udp_client_judged_on_relay(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;

	send_alloc_add(f, 17);
	assert_int_equal(dp_cp_poll(f->w, 1), 1);
	assert_true(t->alloc_bad_transport == 0);
	assert_true(t->alloc_bad_relay == 1);
	assert_int_equal(t->nallocs, 0);
}

/* cp's reload asks dp to read its certificates again (TLS_RELOAD, no
 * body): worker 0 hands it to the reload thread; another worker does
 * nothing (cp sends it to worker 0 only); neither counts it as bad. */
static void
test_turn_cp_tls_reload_to_worker_0_only(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;

	reload_signals = 0;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_TLS_RELOAD;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(ipc_ring_enqueue(&f->rings->to_dp, &m), 0);
	assert_int_equal(dp_cp_poll(f->w, 1), 1);
	assert_int_equal(reload_signals, 1);
	f->w->id = 1;
	assert_int_equal(ipc_ring_enqueue(&f->rings->to_dp, &m), 0);
	assert_int_equal(dp_cp_poll(f->w, 1), 1);
	assert_int_equal(reload_signals, 1);
	assert_true(f->w->cp.ipc_bad == 0);
}

/* cp's nonce block with the tenants' realms: the default maker and each
 * tenant's keyed from it (its realm, a key of its own), once per cp; a
 * block from a cp with another count of tenants than dp's keys none
 * (every request goes to cp) and is counted. */
static void
test_turn_cp_nonce_block_keys_each_tenant(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;
	struct ipc_shm *shm = f->ctx.ipc.shm;
	static struct ipc_nonce n;
	struct nonce_ctx tn[2];
	uint64_t now = ipc_monotonic_ms();

	assert_int_equal(nonce_ctx_init(&t->nonce), 0);
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(nonce_ctx_init(&tn[i]), 0);
	t->tnonce = tn;
	t->ntnonce = 2;
	memset(&n, 0, sizeof(n));
	n.key[0] = 3;
	n.features = NONCE_FEAT_PASSWORD_ALGORITHMS;
	n.lifetime_s = 600;
	n.realm_len = 13;
	memcpy(n.realm, "turnpike.test", 13);
	n.ntenants = 2;
	n.tenant[0].len = 9;
	memcpy(n.tenant[0].realm, "a.example", 9);
	n.tenant[1].len = 9;
	memcpy(n.tenant[1].realm, "b.example", 9);
	shm->cp_epoch = 5;
	ipc_nonce_publish(shm, &n, 5);
	ipc_cp_set_ready(shm, true);
	dp_cp_poll(f->w, now);
	assert_true(t->nonce_ok);
	assert_int_equal(t->nonce_epoch, 5);
	assert_string_equal(t->nonce.realm, "turnpike.test");
	assert_string_equal(tn[0].realm, "a.example");
	assert_string_equal(tn[1].realm, "b.example");
	assert_true(tn[0].keyed && tn[1].keyed);
	assert_memory_not_equal(tn[0].key, t->nonce.key, NONCE_KEY_LEN);
	assert_memory_not_equal(tn[0].key, tn[1].key, NONCE_KEY_LEN);
	assert_true(t->nonce_tenants_mismatch == 0);

	/* the next cp read one tenant: nothing keyed, counted */
	n.ntenants = 1;
	shm->cp_epoch = 6;
	ipc_nonce_publish(shm, &n, 6);
	ipc_cp_set_ready(shm, true);
	dp_cp_poll(f->w, now + 1);
	assert_false(t->nonce_ok);
	assert_true(t->nonce_tenants_mismatch == 1);
	assert_true(t->nonce_load_failed == 1);

	nonce_ctx_fini(&t->nonce);
	for (unsigned int i = 0; i < 2; i++)
		nonce_ctx_fini(&tn[i]);
	t->tnonce = NULL;
	t->ntnonce = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_turn_cp_alloc_add_stream_client_refused_counted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_cp_alloc_add_udp_client_judged_on_relay,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_cp_nonce_block_keys_each_tenant,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_cp_tls_reload_to_worker_0_only,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
