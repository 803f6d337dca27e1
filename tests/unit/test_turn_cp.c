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
#include "turn_tt.h"

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

/* The relay's way out (turn_chdata_relay()'s hit path): never taken
 * here, where no allocation is found. */
void
dp_udp_cksum_offer(struct rte_mbuf *m, uint8_t family)
{
	(void)m;
	(void)family;
	fail_msg("nothing is relayed here");
}

void
dp_ip_output(struct dp_worker *w, struct rte_mbuf *m, uint8_t family, const uint8_t *dst)
{
	(void)w;
	(void)m;
	(void)family;
	(void)dst;
	fail_msg("nothing is relayed here");
}

void
dp_drop_pkt(struct dp_worker *w, struct rte_mbuf *m, enum dp_drop why)
{
	(void)w;
	(void)m;
	(void)why;
	fail_msg("nothing is dropped here");
}

void
turn_hairpin_out(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
		 const struct ipc_addr *rel, const struct ipc_addr *peer,
		 const struct turn_carry *cy)
{
	(void)w;
	(void)a;
	(void)m;
	(void)rel;
	(void)peer;
	(void)cy;
	fail_msg("nothing is relayed here");
}

/* dp_handoff.c and net's input are not linked here: what a forward
 * handed on, and what the input path got from a forwarded packet (with
 * the worker's forward flag as it was then) */
static unsigned int handoffs, handoff_owner, handoff_kind;
static struct rte_mbuf *handoff_m;
static unsigned int inputs;
static bool input_handed, input_in;

void
dp_handoff(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m, uint32_t kind)
{
	(void)w;
	handoffs++;
	handoff_owner = owner;
	handoff_kind = kind;
	handoff_m = m;
}

void
dp_input_burst(struct dp_worker *w, struct dp_port *port, struct rte_mbuf **pkts, uint16_t n,
	       bool handed)
{
	assert_int_equal(n, 1);
	assert_ptr_equal(port, &w->ctx->ports[0]);
	(void)pkts;
	inputs++;
	input_handed = handed;
	input_in = w->turn->fwd.in;
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

/* ---- RFC 8016 across workers: the forwards (turn_fwd.c) ---------------- */

#define FWD_CAP 16u

static void *tt_mem;

/* The worker's forward table and an empty tuple table (lookups miss), as
 * turn_init() gives them; 4 workers. */
static void
fwd_tables(struct fix *f)
{
	struct turn_worker *t = f->w->turn;

	t->fwd.e = fw_zalloc(TURN_FWD_SLOTS * sizeof(*t->fwd.e));
	turn_fwd_init(&t->fwd);
	t->cap = FWD_CAP;
	t->allocs = fw_zalloc(FWD_CAP * sizeof(struct turn_alloc));
	tt_mem = fw_zalloc(turn_tt_bytes(FWD_CAP));
	turn_tt_init_at(&t->tt, FWD_CAP, tt_mem);
	f->ctx.nworkers = 4;
	f->w->id = 1;
	handoffs = inputs = 0;
}

static void
fwd_tables_free(struct fix *f)
{
	struct turn_worker *t = f->w->turn;

	free(t->fwd.e);
	free(t->allocs);
	free(tt_mem);
}

static void
client_tuple(struct ipc_tuple *tu, uint16_t cport)
{
	memset(tu, 0, sizeof(*tu));
	tu->transport = 17;
	tu->client.family = NET_AF_IPV4;
	tu->client.ip[0] = 10;
	tu->client.ip[3] = 2;
	tu->client.port = cport;
	tu->server.family = NET_AF_IPV4;
	tu->server.ip[0] = 10;
	tu->server.ip[3] = 1;
	tu->server.port = 3478;
}

/* A FWD_ADD (owner) or FWD_DEL (owner -1) of allocation id for tu, as cp
 * sends it to worker 1, through the ring. */
static void
send_fwd(struct fix *f, const struct ipc_tuple *tu, uint64_t id, int owner)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = owner < 0 ? IPC_FWD_DEL : IPC_FWD_ADD;
	m.h.worker = 1;
	m.h.alloc_id = id;
	m.h.tuple = *tu;
	if (owner >= 0) {
		struct ipc_fwd fw = { .owner = (uint16_t)owner };

		memcpy(m.body, &fw, sizeof(fw));
		m.h.body_len = sizeof(fw);
	}
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(ipc_ring_enqueue(&f->rings->to_dp, &m), 0);
	assert_int_equal(dp_cp_poll(f->w, 1), 1);
}

static uint32_t
key_of(const struct ipc_tuple *tu, union turn_keyu *k)
{
	return turn_key_from(k, 17, 0, tu->client.family, tu->in_port, tu->client.ip,
			     tu->client.port, tu->server.port);
}

/* A ChannelData datagram of tu's, as the UDP listener passes it. */
static uint8_t cd_mem[256];

static void
chdata_from(struct fix *f, struct rte_mbuf *m, const struct ipc_tuple *tu)
{
	static const uint8_t cd[8] = { 0x40, 0x01, 0, 4, 'd', 'a', 't', 'a' };

	memset(m, 0, sizeof(*m));
	m->buf_addr = cd_mem;
	m->buf_len = sizeof(cd_mem);
	m->data_off = 0;
	m->nb_segs = 1;
	m->data_len = m->pkt_len = 64 + sizeof(cd);
	memcpy(cd_mem + 64, cd, sizeof(cd));
	turn_chdata_relay(f->w, m, STUN_TRANSPORT_UDP, 0, tu->client.family, tu->in_port,
			  tu->client.ip, tu->server.ip, tu->client.port, tu->server.port,
			  cd_mem + 56, 64, sizeof(cd));
}

/* cp's FWD_ADD installs a forward; a client's ChannelData that finds no
 * allocation here goes to its owner (TURN_HANDOFF_FWD, the mbuf as
 * received), counted; one that came forwarded is not forwarded again;
 * the owner's taker inputs it as handed, marked as forwarded while it
 * does; FWD_DEL of another allocation leaves it, of its own removes it. */
static void
test_turn_fwd_add_hands_the_tuples_packets_to_the_owner(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;
	struct ipc_tuple tu, other;
	union turn_keyu k;
	struct rte_mbuf m;
	uint32_t h;

	fwd_tables(f);
	client_tuple(&tu, 40001);
	client_tuple(&other, 40002);
	h = key_of(&tu, &k);
	assert_false(turn_fwd_pass(f->w, &m, &k, h));     /* no forward: nothing */
	send_fwd(f, &tu, 42, 3);
	assert_true(f->w->cp.ipc_bad == 0);
	assert_int_equal(t->fwd.n, 1);
	assert_true(t->fwd.added == 1);
	assert_int_equal(turn_fwd_owner(&t->fwd, &k, h), 3);
	chdata_from(f, &m, &tu);
	assert_int_equal(handoffs, 1);
	assert_int_equal(handoff_owner, 3);
	assert_int_equal(handoff_kind, TURN_HANDOFF_FWD);
	assert_ptr_equal(handoff_m, &m);
	assert_int_equal(m.data_off, 0);                  /* untouched */
	assert_true(t->fwd.handed == 1);
	assert_true(t->ctr[TURN_STAT_DROP_MALFORMED] == 0);
	/* another tuple's: no forward (the drop would free the test's
	 * mbuf: asked directly) */
	{
		union turn_keyu ko;

		assert_false(turn_fwd_pass(f->w, &m, &ko, key_of(&other, &ko)));
	}
	/* a forwarded packet is never forwarded again */
	t->fwd.in = true;
	assert_false(turn_fwd_pass(f->w, &m, &k, h));
	t->fwd.in = false;
	assert_int_equal(handoffs, 1);
	/* the owner's side: as received, handed, marked while it runs */
	m.port = 0;
	f->ctx.port_index[0] = 0;
	turn_fwd_taken(f->w, &m);
	assert_int_equal(inputs, 1);
	assert_true(input_handed);
	assert_true(input_in);
	assert_false(t->fwd.in);
	assert_true(t->fwd.taken == 1);
	/* FWD_DEL of another allocation's: refused, kept */
	send_fwd(f, &tu, 43, -1);
	assert_int_equal(t->fwd.n, 1);
	assert_true(t->fwd.refused == 1);
	send_fwd(f, &tu, 42, -1);
	assert_int_equal(t->fwd.n, 0);
	assert_true(t->fwd.removed == 1);
	assert_int_equal(turn_fwd_owner(&t->fwd, &k, h), -1);
	assert_false(turn_fwd_pass(f->w, &m, &k, h));
	assert_int_equal(handoffs, 1);
	fwd_tables_free(f);
}

/* An owner dp does not have (past its workers, or this worker itself)
 * installs nothing: counted. */
static void
test_turn_fwd_add_to_no_worker_of_dps_refused(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;
	struct ipc_tuple tu;

	fwd_tables(f);
	client_tuple(&tu, 40001);
	send_fwd(f, &tu, 42, 4);                 /* ctx has 4 workers: 0..3 */
	assert_int_equal(t->fwd.n, 0);
	assert_true(t->fwd.refused == 1);
	assert_true(f->w->cp.ipc_bad == 0);
	fwd_tables_free(f);
}

/* The table: keys of one hash all found, and still found after any of
 * them is deleted (the backward shift keeps each reachable from its
 * home); one added again replaces; at IPC_FWD_MAX a new one is refused,
 * counted, and fits again after a delete. */
static void
test_turn_fwd_table_collisions_deletes_and_bound(void **state)
{
	struct fix *f = *state;
	struct turn_fwd *fw = &f->w->turn->fwd;
	union turn_keyu k[8];

	fwd_tables(f);
	for (unsigned int i = 0; i < 8; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].q[1] = i + 1;
		/* hashes 7 and 8 (mod slots) collide and wrap nowhere;
		 * the last slot's neighbours wrap to slot 0 */
		assert_int_equal(turn_fwd_add(fw, &k[i], i < 6 ? 7u : TURN_FWD_SLOTS - 1u,
					      100 + i, (uint16_t)(i % 4)), 0);
	}
	for (unsigned int gone = 0; gone < 8; gone += 3) {
		assert_int_equal(turn_fwd_del(fw, &k[gone], gone < 6 ? 7u : TURN_FWD_SLOTS - 1u,
					      100 + gone), 0);
		for (unsigned int i = 0; i < 8; i++)
			assert_int_equal(turn_fwd_owner(fw, &k[i], i < 6 ? 7u : TURN_FWD_SLOTS - 1u),
					 i % 3 == 0 && i <= gone ? -1 : (int)(i % 4));
	}
	assert_int_equal(fw->n, 5);
	assert_int_equal(turn_fwd_add(fw, &k[1], 7, 200, 2), 0);   /* replaces */
	assert_int_equal(fw->n, 5);
	assert_int_equal(turn_fwd_del(fw, &k[1], 7, 101), -ENOENT);
	assert_int_equal(turn_fwd_del(fw, &k[1], 7, 200), 0);
	/* the bound */
	for (uint32_t i = fw->n; i < IPC_FWD_MAX; i++) {
		union turn_keyu x;

		memset(&x, 0, sizeof(x));
		x.q[2] = 1000 + i;
		assert_int_equal(turn_fwd_add(fw, &x, i * 2654435761u, 1, 1), 0);
	}
	assert_int_equal(fw->n, IPC_FWD_MAX);
	{
		union turn_keyu x;

		memset(&x, 0, sizeof(x));
		x.q[3] = 5;
		assert_int_equal(turn_fwd_add(fw, &x, 5, 1, 1), -ENOSPC);
		assert_true(fw->full == 1);
		assert_int_equal(turn_fwd_del(fw, &k[2], 7, 102), 0);
		assert_int_equal(turn_fwd_add(fw, &x, 5, 1, 1), 0);
		assert_int_equal(turn_fwd_owner(fw, &x, 5), 1);
	}
	fwd_tables_free(f);
}

/* alloc_id's slot in the table, or -1 */
static int
fwd_slot_of(const struct turn_fwd *fw, uint64_t id)
{
	for (uint32_t i = 0; i < TURN_FWD_SLOTS; i++)
		if (fw->e[i].alloc_id == id)
			return (int)i;
	return -1;
}

/* A forward's slot is not its hash's low bits but a mix under a secret
 * seed each table gets afresh: of 8 tables, the same key lands in more
 * than one slot (the chance that 8 seeds all give one slot is 2^-84). */
static void
test_turn_fwd_slot_depends_on_a_secret_seed(void **state)
{
	struct fix *f = *state;
	struct turn_fwd *fw = &f->w->turn->fwd;
	union turn_keyu k;
	int first = -1;
	bool moved = false;

	memset(&k, 0, sizeof(k));
	k.q[1] = 77;
	for (unsigned int r = 0; r < 8; r++) {
		int at;

		fwd_tables(f);
		assert_int_equal(turn_fwd_add(fw, &k, 7, 900, 2), 0);
		assert_int_equal(turn_fwd_owner(fw, &k, 7), 2);
		at = fwd_slot_of(fw, 900);
		assert_true(at >= 0);
		if (r == 0)
			first = at;
		else if (at != first)
			moved = true;
		fwd_tables_free(f);
	}
	assert_true(moved);
}

/* No entry sits more than TURN_FWD_PROBE slots past its home: keys of
 * one hash fill TURN_FWD_PROBE + 1 slots, the next is refused (counted
 * full) though the table is nearly empty; a lookup stops at the bound
 * (an entry planted just past it is not found); a delete inside the run
 * keeps the rest found and lets the refused key in. */
static void
test_turn_fwd_probe_bound(void **state)
{
	struct fix *f = *state;
	struct turn_fwd *fw = &f->w->turn->fwd;
	const uint32_t mask = TURN_FWD_SLOTS - 1u;
	union turn_keyu k[TURN_FWD_PROBE + 2], far;
	int home;

	fwd_tables(f);
	for (unsigned int i = 0; i < TURN_FWD_PROBE + 2; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].q[1] = i + 1;
	}
	for (unsigned int i = 0; i <= TURN_FWD_PROBE; i++)
		assert_int_equal(turn_fwd_add(fw, &k[i], 7, 100 + i, 2), 0);
	assert_int_equal(turn_fwd_add(fw, &k[TURN_FWD_PROBE + 1], 7, 500, 2), -ENOSPC);
	assert_true(fw->full == 1);
	assert_int_equal(fw->n, TURN_FWD_PROBE + 1);
	assert_int_equal(turn_fwd_owner(fw, &k[TURN_FWD_PROBE + 1], 7), -1);

	/* an entry of hash 7 just past the bound: a lookup never gets there */
	home = fwd_slot_of(fw, 100);
	assert_true(home >= 0);
	memset(&far, 0, sizeof(far));
	far.q[2] = 4242;
	{
		struct turn_fwd_ent *e = &fw->e[((uint32_t)home + TURN_FWD_PROBE + 1u) & mask];

		assert_true(e->alloc_id == 0);
		memcpy(e->key, far.q, sizeof(e->key));
		e->alloc_id = 4242;
		e->hash = 7;
		e->owner = 3;
		assert_int_equal(turn_fwd_owner(fw, &far, 7), -1);
		memset(e, 0, sizeof(*e));
	}

	assert_int_equal(turn_fwd_del(fw, &k[3], 7, 103), 0);
	for (unsigned int i = 0; i <= TURN_FWD_PROBE; i++)
		assert_int_equal(turn_fwd_owner(fw, &k[i], 7), i == 3 ? -1 : 2);
	assert_int_equal(turn_fwd_add(fw, &k[TURN_FWD_PROBE + 1], 7, 500, 3), 0);
	assert_int_equal(turn_fwd_owner(fw, &k[TURN_FWD_PROBE + 1], 7), 3);
	fwd_tables_free(f);
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
		cmocka_unit_test_setup_teardown(test_turn_fwd_add_hands_the_tuples_packets_to_the_owner,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_fwd_add_to_no_worker_of_dps_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_fwd_slot_depends_on_a_secret_seed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_fwd_probe_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_fwd_table_collisions_deletes_and_bound,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
