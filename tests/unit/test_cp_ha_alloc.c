/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's mirror of the allocations (ha_mirror.c over ha_rec.c and
 * cp/alloc's cp_alloc_mirror_put()/del()): two cp/alloc instances in one
 * process, A active and B standby, each with its own segment (B's rings
 * are its passive dp's), the link replaced by the test (batches queued,
 * delivered to B, or lost as a dying link loses them). An allocation with
 * every field set (dual relayed, RFC 7635 sessions, tid, RFC 8016
 * generation and forward, mobile, a bandwidth limit, permissions and
 * channels) arrives whole, and B installs it into its dp; a permission
 * refresh, a channel's end and an allocation's end propagate through the
 * dirty set alone (B's dp told each); ends lost
 * with a link and a reconnect in the middle of a walk leave B's table
 * equal to A's; the standby's own sends never come back as records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp.h"
#include "alloc/alloc_internal.h"
#include "alloc/alloc_state.h"
#include "cp_dp.h"
#include "agw/cp_agw_rtp.h"
#include "ha_mirror.h"
#include "ha_rec.h"
#include "tp_conf.h"

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
	"    ipv6 = \"fd00:1::1/64\"; relay_ipv6 = [\"fd00:1::11\"]; }); };\n"
	"turn = { realm = \"r.test\"; relay_ports = [10000, 59999]; ipc = \"%s\"; };\n"
	"cp = { quota_total = 4000; quota_user = 4000;\n"
	"  peers = { allow_private = true; deny = [\"10.9.66.0/24\"]; }; };\n";

struct box {
	struct tp_conf conf;
	struct cp_ctx cp;
	char conf_path[128], seg_name[64];
	struct ha_mirror *m;
};

static struct box A, B;

/* cp/agw's side of the mirror (slice 7; test_cp_agw_rtp holds it): no RTP
 * contexts in these boxes, but for rtp_cap slots (none found) and the
 * one id cp/agw calls quiet (a yield's, cp_agw_rtp_mirror_quiet()) */
static uint32_t rtp_cap;
static uint64_t quiet_id;

uint32_t
cp_agw_rtp_mirror_cap(const struct cp_ctx *cp)
{
	(void)cp;
	return rtp_cap;
}

int
cp_agw_rtp_mirror_index(const struct cp_ctx *cp, uint64_t id)
{
	(void)cp;
	(void)id;
	return -ENOENT;
}

int
cp_agw_rtp_mirror_get(const struct cp_ctx *cp, uint32_t index, struct cp_agw_rtp_mirror *out)
{
	(void)cp;
	(void)index;
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}

int
cp_agw_rtp_mirror_next(const struct cp_ctx *cp, uint32_t *cur, uint64_t *id)
{
	(void)cp;
	(void)cur;
	(void)id;
	return -ENOENT;
}

int
cp_agw_rtp_mirror_put(struct cp_ctx *cp, const struct cp_agw_rtp_mirror *m)
{
	(void)cp;
	(void)m;
	return -ENODEV;
}

int
cp_agw_rtp_mirror_del(struct cp_ctx *cp, uint64_t id)
{
	(void)cp;
	(void)id;
	return -ENOENT;
}

unsigned int
cp_agw_rtp_mirror_takeover(struct cp_ctx *cp, uint32_t ahead)
{
	(void)cp;
	(void)ahead;
	return 0;
}

bool
cp_agw_rtp_mirror_quiet(const struct cp_ctx *cp, uint64_t id)
{
	(void)cp;
	return id != 0 && id == quiet_id;
}

/* the link: batches A sent, and what the test does with them */
#define QMAX 64
static struct {
	uint8_t *p;
	size_t n;
} q[QMAX];
static unsigned int nq;
static int take_left = -1;         /* batches the link takes before it is full; -1: all */

static int
send_q(void *arg, const void *p, size_t n, uint64_t now_ms)
{
	(void)arg;
	(void)now_ms;
	if (take_left == 0)
		return -EAGAIN;
	if (take_left > 0)
		take_left--;
	assert_true(nq < QMAX);
	q[nq].p = malloc(n);
	memcpy(q[nq].p, p, n);
	q[nq].n = n;
	nq++;
	return 0;
}

static void
deliver(void)
{
	for (unsigned int i = 0; i < nq; i++) {
		assert_int_equal(ha_mirror_batch(B.m, q[i].p, q[i].n, B.cp.now_ms), 0);
		free(q[i].p);
	}
	nq = 0;
}

static void
lose(void)
{
	for (unsigned int i = 0; i < nq; i++)
		free(q[i].p);
	nq = 0;
}

static void
drain(struct box *b)
{
	static struct ipc_msg m;

	for (unsigned int w = 0; w < 2; w++)
		while (ipc_ring_dequeue(&ipc_worker(&b->cp.seg, w)->to_dp, &m) == 1)
			;
}

/* B's ring to worker w: how many messages of kind (and of id, 0: any) */
static unsigned int
count_kind(struct box *b, unsigned int w, uint16_t kind, uint64_t id)
{
	static struct ipc_msg m;
	unsigned int n = 0;

	while (ipc_ring_dequeue(&ipc_worker(&b->cp.seg, w)->to_dp, &m) == 1)
		n += m.h.kind == kind && (id == 0 || m.h.alloc_id == id);
	return n;
}

static void
box_up(struct box *b, const char *name)
{
	char err[256];
	bool created;
	FILE *f;

	snprintf(b->conf_path, sizeof(b->conf_path), "/tmp/tp-cp-ha-alloc-%s-%d.conf", name,
		 (int)getpid());
	snprintf(b->seg_name, sizeof(b->seg_name), "/tp-cp-ha-alloc-%s-%d", name, (int)getpid());
	f = fopen(b->conf_path, "w");
	assert_non_null(f);
	fprintf(f, conf_text, b->seg_name);
	fclose(f);
	memset(&b->cp, 0, sizeof(b->cp));
	assert_int_equal(tp_conf_load(b->conf_path, &b->conf, err, sizeof(err)), 0);
	b->cp.conf = &b->conf;
	ipc_seg_unlink(b->seg_name);
	assert_int_equal(ipc_seg_open(&b->cp.seg, b->seg_name, 2, geteuid(), &created), 0);
	b->cp.nworkers = 2;
	b->cp.start_ms = 1000000;
	b->cp.now_ms = b->cp.start_ms;
	tw_init(&b->cp.wheel, 0);
	assert_int_equal(cp_alloc_init(&b->cp), 0);
	/* the peer policy as cp.peers above says it (cp/policy's module
	 * builds it from the file in cp) */
	b->cp.policy = cp_policy_create();
	assert_non_null(b->cp.policy);
	b->cp.policy->allow_private = true;
	assert_int_equal(cp_policy_add_deny(b->cp.policy, "10.9.66.0/24", NULL, 0), 0);
	b->cp.ready = true;
	b->m = ha_mirror_create(&b->cp, send_q, NULL);
	assert_non_null(b->m);
}

static void
box_down(struct box *b)
{
	ha_mirror_free(b->m);
	cp_alloc_fini(&b->cp);
	cp_policy_free(b->cp.policy);
	b->cp.policy = NULL;
	ipc_seg_close(&b->cp.seg);
	ipc_seg_unlink(b->seg_name);
	tp_conf_free(&b->conf);
	unlink(b->conf_path);
}

static int
setup(void **state)
{
	(void)state;
	box_up(&A, "a");
	box_up(&B, "b");
	nq = 0;
	take_left = -1;
	return 0;
}

/* Boxes whose cp/agw has RTP slots (the mirror's RTP side set up). */
static int
setup_rtp(void **state)
{
	rtp_cap = 4;
	return setup(state);
}

static int
teardown(void **state)
{
	(void)state;
	rtp_cap = 0;
	quiet_id = 0;
	lose();
	box_down(&B);
	box_down(&A);
	return 0;
}

static void
addr4(struct ipc_addr *a, uint8_t b2, uint8_t b3, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->ip[0] = 10;
	a->ip[1] = 9;
	a->ip[2] = b2;
	a->ip[3] = b3;
	a->port = port;
}

/* make()'s client transport and connection id (a test may change them) */
static uint8_t make_transport = 17;
static uint64_t make_conn;

/* An allocation on A as a request makes it (installed: ALLOC_ADD and its
 * bindings go to A's dp through cp_dp_send(), which the mirror taps). */
static struct cp_alloc *
make(uint64_t id, unsigned int w, uint16_t cport, unsigned int nperm, unsigned int nchan)
{
	struct ipc_binding binds[8];
	struct ipc_tuple tu;
	struct ipc_alloc ia;
	struct cp_alloc *a;
	unsigned int n = 0;

	memset(&tu, 0, sizeof(tu));
	tu.transport = make_transport;
	tu.conn_id = make_conn;
	tu.in_port = 0;
	addr4(&tu.client, 1, 1, cport);
	tu.server.family = 4;
	tu.server.ip[0] = 10;
	tu.server.ip[3] = 1;
	tu.server.port = 3478;
	memset(&ia, 0, sizeof(ia));
	ia.nrelayed = 1;
	ia.relayed[0].family = 4;
	ia.relayed[0].ip[0] = 10;
	ia.relayed[0].ip[1] = 1;
	ia.relayed[0].ip[3] = 1;
	ia.relayed[0].port = (uint16_t)(10000 + id);
	ia.expires_ms = A.cp.now_ms + 600000;
	ia.created_ms = A.cp.now_ms - 5000;
	ia.user_len = 5;
	memcpy(ia.username, "alice", 5);
	for (unsigned int i = 0; i < nperm; i++, n++) {
		memset(&binds[n], 0, sizeof(binds[n]));
		addr4(&binds[n].peer, 2, (uint8_t)(i + 1), 0);
		binds[n].expires_ms = A.cp.now_ms + 300000 - i;
	}
	for (unsigned int i = 0; i < nchan; i++, n++) {
		memset(&binds[n], 0, sizeof(binds[n]));
		addr4(&binds[n].peer, 3, (uint8_t)(i + 1), (uint16_t)(7000 + i));
		binds[n].channel = (uint16_t)(0x4000 + i);
		binds[n].expires_ms = A.cp.now_ms + 600000 - i;
	}
	a = cpa_alloc_restore(&A.cp, w, &tu, id, &ia, binds, n);
	assert_non_null(a);
	cpa_send_alloc(&A.cp, a, IPC_ALLOC_ADD);
	for (unsigned int i = 0; i < a->nbinds; i++)
		cpa_send_binding(&A.cp, a, a->binds[i].channel ? IPC_CHAN_ADD : IPC_PERM_ADD,
			     &a->binds[i].peer, a->binds[i].channel, a->binds[i].expires_ms);
	return a;
}

/* B holds exactly what A holds, field by field. */
static void
assert_same(void)
{
	struct cp_alloc *a;
	uint32_t cur = 0;

	assert_int_equal(cp_alloc_count(&B.cp), cp_alloc_count(&A.cp));
	while ((a = cp_alloc_next(&A.cp, &cur)) != NULL) {
		struct cp_alloc *b = cp_alloc_find_id(&B.cp, a->id);

		assert_non_null(b);
		assert_memory_equal(&b->tuple, &a->tuple, sizeof(a->tuple));
		assert_int_equal(b->worker, a->worker);
		assert_int_equal(b->user->len, a->user->len);
		assert_memory_equal(b->user->name, a->user->name, a->user->len);
		assert_int_equal(b->tenant, a->tenant);
		assert_int_equal(b->nrelayed, a->nrelayed);
		assert_int_equal(b->relay_port, a->relay_port);
		for (unsigned int i = 0; i < a->nrelayed; i++)
			assert_memory_equal(&b->relayed[i], &a->relayed[i], sizeof(a->relayed[i]));
		assert_true(b->expires_ms == a->expires_ms);
		assert_true(b->created_ms == a->created_ms);
		assert_int_equal(b->max_bps, a->max_bps);
		assert_int_equal(b->max_bps_burst, a->max_bps_burst);
		assert_int_equal(b->tcp, a->tcp);
		assert_int_equal(b->mobile, a->mobile);
		assert_int_equal(b->mob_gen, a->mob_gen);
		assert_int_equal(b->fwd, a->fwd);
		assert_int_equal(b->fwd_worker, a->fwd_worker);
		assert_memory_equal(b->tid, a->tid, sizeof(a->tid));
		for (unsigned int i = 0; i < 2; i++) {
			assert_int_equal(b->oauth[i].key_len, a->oauth[i].key_len);
			assert_int_equal(b->oauth[i].kid, a->oauth[i].kid);
			assert_int_equal(b->oauth[i].as, a->oauth[i].as);
			assert_true(b->oauth[i].expiry == a->oauth[i].expiry);
			assert_memory_equal(b->oauth[i].key, a->oauth[i].key, a->oauth[i].key_len);
		}
		assert_int_equal(b->nbinds, a->nbinds);
		assert_int_equal(b->nperms, a->nperms);
		for (unsigned int i = 0; i < a->nbinds; i++) {
			assert_memory_equal(&b->binds[i].peer, &a->binds[i].peer,
					    sizeof(a->binds[i].peer));
			assert_int_equal(b->binds[i].channel, a->binds[i].channel);
			assert_true(b->binds[i].expires_ms == a->binds[i].expires_ms);
		}
	}
}

/* A's turn: the link up (a walk), flushed, delivered. */
static void
sync_all(void)
{
	ha_mirror_link_up(A.m);
	while (ha_mirror_flush(A.m, A.cp.now_ms) > 0)
		;
	deliver();
}

static void
test_every_field_arrives_whole_and_is_installed(void **state)
{
	struct cp_alloc *a, *b;

	(void)state;
	a = make(42, 1, 40000, 2, 2);
	/* what a request would have set beyond dp's state */
	a->nrelayed = 2;
	a->relayed[1].family = 6;
	memcpy(a->relayed[1].ip, (const uint8_t[16]){ 0xfd, 0, 0, 1, [15] = 0x11 }, 16);
	a->relayed[1].port = a->relay_port;
	a->oauth[0].key_len = 32;
	a->oauth[0].kid = 2;
	a->oauth[0].as = 1;
	a->oauth[0].expiry = 1900000000;
	memset(a->oauth[0].key, 0x5a, 32);
	a->oauth[1].key_len = 16;
	a->oauth[1].kid = 1;
	a->oauth[1].as = 3;
	a->oauth[1].expiry = 1800000000;
	memset(a->oauth[1].key, 0xa5, 16);
	memset(a->tid, 0x7e, sizeof(a->tid));
	a->mobile = true;
	a->mob_gen = 3;
	a->fwd = true;
	a->fwd_worker = 0;
	a->max_bps = 125000;
	a->max_bps_burst = 250000;
	A.cp.now_ms += 1234;
	B.cp.now_ms = A.cp.now_ms;
	drain(&B);
	sync_all();
	assert_same();
	b = cp_alloc_find_id(&B.cp, 42);
	assert_non_null(b);
	assert_true(b->fwd && b->mobile && b->oauth[1].key_len == 16);
	/* into B's passive dp: the allocation, its four bindings, its forward */
	assert_int_equal(count_kind(&B, 1, IPC_ALLOC_ADD, 42) , 1);
	assert_int_equal(count_kind(&B, 0, IPC_FWD_ADD, 42), 1);
	/* B's own sends (its install) are no records of B's */
	assert_int_equal(ha_mirror_flush(B.m, B.cp.now_ms), 0);
	assert_int_equal(nq, 0);
	/* the same again changes nothing and installs nothing new */
	drain(&B);
	sync_all();
	assert_same();
	assert_int_equal(count_kind(&B, 1, IPC_ALLOC_ADD, 42), 0);
	assert_int_equal(ha_mirror_stats(B.m)->stale_removed, 0);
}

static void
test_permission_refresh_and_end_propagate(void **state)
{
	struct cp_alloc *a;
	unsigned int sent;

	(void)state;
	for (unsigned int i = 1; i <= 5; i++)
		make(i, i % 2, (uint16_t)(40000 + i), 1, 1);
	sync_all();
	assert_same();
	drain(&A);
	drain(&B);
	/* a permission refreshed on A (as CreatePermission does: PERM_ADD
	 * with the new expiry), nothing else: only the dirty set carries it */
	A.cp.now_ms += 60000;
	B.cp.now_ms = A.cp.now_ms;
	a = cp_alloc_find_id(&A.cp, 3);
	a->binds[0].expires_ms = A.cp.now_ms + 300000;
	cpa_send_binding(&A.cp, a, IPC_PERM_ADD, &a->binds[0].peer, 0, a->binds[0].expires_ms);
	sent = ha_mirror_flush(A.m, A.cp.now_ms);
	assert_int_equal(sent, 1);          /* that allocation, once */
	deliver();
	assert_true(cp_alloc_find_id(&B.cp, 3)->binds[0].expires_ms == A.cp.now_ms + 300000);
	assert_same();
	/* and into B's dp (its PERM_ADD renews dp's) */
	assert_int_equal(count_kind(&B, 1, IPC_PERM_ADD, 3), 1);
	/* a channel that went on A (its expiry: CHAN_DEL) goes from B and
	 * from B's dp */
	{
		struct ipc_addr peer = a->binds[1].peer;

		assert_int_equal(a->binds[1].channel, 0x4000);
		cpa_bind_del(a, 1);
		cpa_send_binding(&A.cp, a, IPC_CHAN_DEL, &peer, 0x4000, 0);
		assert_int_equal(ha_mirror_flush(A.m, A.cp.now_ms), 1);
		deliver();
		assert_int_equal(cp_alloc_find_id(&B.cp, 3)->nbinds, 1);
		assert_int_equal(count_kind(&B, 1, IPC_CHAN_DEL, 3), 1);
		assert_same();
	}
	/* an end: a tombstone, B's allocation and dp's go */
	assert_int_equal(cp_alloc_kill(&A.cp, 3), 0);
	assert_int_equal(ha_mirror_flush(A.m, A.cp.now_ms), 1);
	deliver();
	assert_null(cp_alloc_find_id(&B.cp, 3));
	assert_int_equal(count_kind(&B, 1, IPC_ALLOC_DEL, 3), 1);
	assert_same();
	/* nothing changed: nothing sent */
	assert_int_equal(ha_mirror_flush(A.m, A.cp.now_ms), 0);
	assert_int_equal(nq, 0);
}

static void
test_reconnect_in_the_middle_of_a_walk(void **state)
{
	unsigned int ok = 0;

	(void)state;
	/* enough to fill several batches: a walk that a link can lose half of */
	for (unsigned int i = 1; i <= 900; i++) {
		make(i, i % 2, (uint16_t)(20000 + i), i % 3 == 0, 0);
		if (i % 100 == 0) {
			drain(&A);
			drain(&B);
		}
	}
	drain(&A);
	sync_all();
	drain(&B);
	assert_same();
	/* ends and a refresh go into a link that dies: lost */
	assert_int_equal(cp_alloc_kill(&A.cp, 10), 0);
	assert_int_equal(cp_alloc_kill(&A.cp, 11), 0);
	A.cp.now_ms += 1000;
	B.cp.now_ms = A.cp.now_ms;
	ha_mirror_flush(A.m, A.cp.now_ms);
	lose();
	/* while it is down: another end, a new one */
	assert_int_equal(cp_alloc_kill(&A.cp, 12), 0);
	make(5000, 0, 50000, 1, 1);
	drain(&A);
	/* a new link: the walk starts, one batch arrives, the link dies */
	ha_mirror_link_up(A.m);
	take_left = 1;
	ha_mirror_flush(A.m, A.cp.now_ms);
	assert_int_equal(nq, 1);
	deliver();
	/* (B then held a walk's start and part of it: not yet A's table) */
	assert_true(cp_alloc_find_id(&B.cp, 10) != NULL);
	/* another end before the next link */
	assert_int_equal(cp_alloc_kill(&A.cp, 13), 0);
	take_left = -1;
	sync_all();
	drain(&B);
	assert_null(cp_alloc_find_id(&B.cp, 10));
	assert_null(cp_alloc_find_id(&B.cp, 11));
	assert_null(cp_alloc_find_id(&B.cp, 12));
	assert_null(cp_alloc_find_id(&B.cp, 13));
	assert_non_null(cp_alloc_find_id(&B.cp, 5000));
	assert_same();
	/* 10 and 11 went by their stale marks (their tombstones were lost) */
	assert_true(ha_mirror_stats(B.m)->stale_removed >= 2);
	for (uint32_t cur = 0; cp_alloc_next(&B.cp, &cur) != NULL;)
		ok++;
	assert_int_equal(ok, 900 - 4 + 1);
}

/* ---- as the peer could send it ------------------------------------------ */

/* An allocation record as A's mirror would write it: id, its client's
 * port, relayed at 10.1.0.1:rport (A's and B's relayed address), no
 * bindings, ten minutes left. */
static void
rec_alloc(struct ha_rec *r, uint64_t id, uint16_t cport, uint16_t rport)
{
	memset(r, 0, sizeof(*r));
	r->type = HA_REC_ALLOC;
	r->id = id;
	r->tuple.transport = 17;
	addr4(&r->tuple.client, 1, 1, cport);
	r->tuple.server.family = 4;
	r->tuple.server.ip[0] = 10;
	r->tuple.server.ip[3] = 1;
	r->tuple.server.port = 3478;
	r->worker = 1;
	r->nrelayed = 1;
	r->relayed[0].family = 4;
	r->relayed[0].ip[0] = 10;
	r->relayed[0].ip[1] = 1;
	r->relayed[0].ip[3] = 1;
	r->relayed[0].port = rport;
	r->left_ms = 600000;
	r->user_len = 3;
	memcpy(r->user, "bob", 3);
}

/* Records (n) as one batch into B: ha_mirror_batch()'s answer. */
static int
batch_to_b(const struct ha_rec *r, unsigned int n)
{
	static uint8_t buf[16 * HA_REC_MAX];
	size_t at = 0;

	for (unsigned int i = 0; i < n; i++) {
		int k = ha_rec_encode(&r[i], buf + at, sizeof(buf) - at);

		assert_true(k > 0);
		at += (size_t)k;
	}
	return ha_mirror_batch(B.m, buf, at, B.cp.now_ms);
}

/* A relayed transport address B holds for one id, mirrored for another
 * (the active box gave the port again; an end lost, or a replay): the
 * holder ends first, dp told, and the port is the new one's alone, so
 * that its end frees it (two on one port: the first end would free the
 * port under the second). Before the fix B kept both. */
static void
test_relayed_address_taken_by_another_id_ends_the_holder(void **state)
{
	struct ha_rec r;
	struct cp_alloc *b;

	(void)state;
	rec_alloc(&r, 1, 40001, 20000);
	assert_int_equal(batch_to_b(&r, 1), 0);
	assert_non_null(cp_alloc_find_id(&B.cp, 1));
	drain(&B);
	rec_alloc(&r, 2, 40002, 20000);          /* another client, the same port */
	assert_int_equal(batch_to_b(&r, 1), 0);
	assert_null(cp_alloc_find_id(&B.cp, 1));
	/* the holder's end reached B's dp (then the new one's install) */
	assert_int_equal(count_kind(&B, 1, IPC_ALLOC_DEL, 1), 1);
	b = cp_alloc_find_id(&B.cp, 2);
	assert_non_null(b);
	assert_int_equal(cp_alloc_count(&B.cp), 1);
	assert_ptr_equal(cpa_alloc_by_relayed(&B.cp, &b->relayed[0]), b);
	/* its end frees the port: nothing holds it after */
	assert_int_equal(cp_alloc_mirror_del(&B.cp, 2), 0);
	assert_false(cpa_port_used(&B.cp, 0, 0, 20000));
	assert_null(cpa_alloc_by_relayed(&B.cp, &r.relayed[0]));
	assert_int_equal(cp_alloc_count(&B.cp), 0);
}

/* A binding B's own peer policy refuses (cp.peers here: its deny list,
 * loopback) is dropped and counted, the rest installed: the rule a
 * CreatePermission or ChannelBind on B would meet. Before the fix B
 * installed all three. */
static void
test_bindings_judged_by_the_standbys_policy(void **state)
{
	struct ha_rec r;
	struct cp_alloc *b;
	uint64_t refused = B.cp.stats[CP_STAT_POLICY_REFUSED];

	(void)state;
	rec_alloc(&r, 9, 40009, 20009);
	r.nbinds = 3;
	addr4(&r.binds[0].peer, 2, 1, 0);         /* 10.9.2.1: allowed (private on) */
	r.binds[0].left_ms = 1000;
	addr4(&r.binds[1].peer, 66, 1, 0);        /* 10.9.66.1: denied */
	r.binds[1].left_ms = 1000;
	memset(&r.binds[2].peer, 0, sizeof(r.binds[2].peer));
	r.binds[2].peer.family = 4;               /* 127.0.0.1: loopback, refused */
	r.binds[2].peer.ip[0] = 127;
	r.binds[2].peer.ip[3] = 1;
	r.binds[2].peer.port = 7000;
	r.binds[2].channel = 0x4000;
	r.binds[2].left_ms = 1000;
	assert_int_equal(batch_to_b(&r, 1), 0);
	b = cp_alloc_find_id(&B.cp, 9);
	assert_non_null(b);
	assert_int_equal(b->nbinds, 1);
	assert_int_equal(b->binds[0].peer.ip[2], 2);
	assert_int_equal(ha_mirror_stats(B.m)->binds_refused, 2);
	assert_true(B.cp.stats[CP_STAT_POLICY_REFUSED] == refused + 2);
	/* an update that brings them again: still one */
	assert_int_equal(batch_to_b(&r, 1), 0);
	assert_int_equal(cp_alloc_find_id(&B.cp, 9)->nbinds, 1);
	assert_int_equal(ha_mirror_stats(B.m)->binds_refused, 4);
}

/* Lifetimes the peer sends are held to B's own: the allocation's to
 * cp.lifetime_max_s (3600 s), a permission's to cp.perm_lifetime_s (300
 * s), a channel's to cp.chan_lifetime_s (600 s). Before the fix B kept
 * 49 days. */
static void
test_lifetimes_clamped_to_the_standbys(void **state)
{
	struct ha_rec r;
	struct cp_alloc *b;
	uint64_t now = B.cp.now_ms;

	(void)state;
	rec_alloc(&r, 7, 40007, 20007);
	r.left_ms = UINT32_MAX;
	r.nbinds = 2;
	addr4(&r.binds[0].peer, 2, 1, 0);
	r.binds[0].left_ms = UINT32_MAX;
	addr4(&r.binds[1].peer, 3, 1, 7000);
	r.binds[1].channel = 0x4000;
	r.binds[1].left_ms = UINT32_MAX;
	assert_int_equal(batch_to_b(&r, 1), 0);
	b = cp_alloc_find_id(&B.cp, 7);
	assert_non_null(b);
	assert_true(b->expires_ms == now + 3600u * 1000u);
	assert_int_equal(b->nbinds, 2);
	for (unsigned int i = 0; i < 2; i++)
		assert_true(b->binds[i].expires_ms ==
			    now + (b->binds[i].channel == 0 ? 300u : 600u) * 1000u);
	/* what is within them stays as sent */
	rec_alloc(&r, 7, 40007, 20007);
	r.left_ms = 5000;
	assert_int_equal(batch_to_b(&r, 1), 0);
	assert_true(cp_alloc_find_id(&B.cp, 7)->expires_ms == now + 5000);
}

/* Shapes no cp of this configuration makes are refused whole, B's table
 * untouched: a relayed address that is not one of B's (or outside the
 * relay range), one channel number bound to two peers, one peer on two
 * channels, two permissions for one IP, a permission with a port, a
 * forward without mobility. Before the fix B installed each. */
static void
test_impossible_shapes_refused(void **state)
{
	struct ha_rec r;
	unsigned int refused = 0;

	(void)state;
	rec_alloc(&r, 8, 40008, 20008);
	r.relayed[0].ip[3] = 99;                /* 10.1.0.99: not B's */
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, ++refused);
	rec_alloc(&r, 8, 40008, 9000);            /* below turn.relay_ports */
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, ++refused);
	rec_alloc(&r, 8, 40008, 20008);
	r.nbinds = 2;
	addr4(&r.binds[0].peer, 3, 1, 7000);
	r.binds[0].channel = 0x4001;
	r.binds[0].left_ms = 1000;
	addr4(&r.binds[1].peer, 3, 2, 7000);      /* the same channel, another peer */
	r.binds[1].channel = 0x4001;
	r.binds[1].left_ms = 1000;
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, ++refused);
	addr4(&r.binds[1].peer, 3, 1, 7000);      /* the same peer, another channel */
	r.binds[1].channel = 0x4002;
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, ++refused);
	r.binds[0].channel = r.binds[1].channel = 0;   /* one IP, two permissions */
	r.binds[0].peer.port = r.binds[1].peer.port = 0;
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, ++refused);
	r.nbinds = 1;
	r.binds[0].peer.port = 9;                 /* a permission is for an IP */
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, ++refused);
	rec_alloc(&r, 8, 40008, 20008);
	r.fwd = true;                             /* a forward without a move */
	r.fwd_worker = 0;
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, ++refused);
	assert_int_equal(cp_alloc_count(&B.cp), 0);
	/* and the same record well formed is taken */
	rec_alloc(&r, 8, 40008, 20008);
	assert_int_equal(batch_to_b(&r, 1), 0);
	assert_int_equal(cp_alloc_count(&B.cp), 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, refused);
}

/* A channel of RFC 5766's range (above 0x4FFF) is taken when B's
 * turn.channels allows it ("rfc5766": 0x7FFE), refused when it does not
 * (the signature keeps a pair from differing). Before the fix B refused
 * every channel above 0x4FFF: coturn's turnutils_uclient's channel, drawn
 * from 0x4000-0x7FFF, did not survive a takeover (test_ha_turn). */
static void
test_rfc5766_channels_by_the_standbys_range(void **state)
{
	struct ha_rec r;
	unsigned int refused = ha_mirror_stats(B.m)->records_refused;
	uint16_t saved = B.conf.turn.channel_max;
	const struct cp_alloc *b;

	(void)state;
	rec_alloc(&r, 9, 40009, 20009);
	r.nbinds = 1;
	addr4(&r.binds[0].peer, 3, 1, 7000);
	r.binds[0].channel = 0x7ffe;
	r.binds[0].left_ms = 1000;
	B.conf.turn.channel_max = 0x4FFF;
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, refused + 1);
	assert_null(cp_alloc_find_id(&B.cp, 9));
	B.conf.turn.channel_max = 0x7FFE;
	assert_int_equal(batch_to_b(&r, 1), 0);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, refused + 1);
	b = cp_alloc_find_id(&B.cp, 9);
	assert_non_null(b);
	assert_int_equal(b->nbinds, 1);
	assert_int_equal(b->binds[0].channel, 0x7ffe);
	B.conf.turn.channel_max = saved;
}

/* Allocations of a TCP or TLS client, of a DTLS client (a connection id
 * on UDP) or with RFC 6062's TCP relay cannot move (their connection is
 * this box's dp's): A sends none, B takes none. Before the fix A sent
 * them and B installed them. */
static void
test_connection_allocations_not_mirrored(void **state)
{
	struct ha_rec r;

	(void)state;
	make_transport = 6;
	make(21, 1, 40021, 1, 0);
	make_transport = 17;
	make_conn = 0x0100000000800001ull;        /* a DTLS session's id */
	make(22, 1, 40022, 0, 0);
	make_conn = 0;
	make(23, 0, 40023, 0, 0);                 /* plain UDP: sent */
	drain(&A);
	sync_all();
	/* (B would refuse them: it refused nothing, so none came) */
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, 0);
	assert_null(cp_alloc_find_id(&B.cp, 21));
	assert_null(cp_alloc_find_id(&B.cp, 22));
	assert_non_null(cp_alloc_find_id(&B.cp, 23));
	/* their ends: no tombstones either */
	assert_int_equal(cp_alloc_kill(&A.cp, 21), 0);
	assert_int_equal(ha_mirror_flush(A.m, A.cp.now_ms), 0);
	/* B refuses them from a peer that sends them anyway */
	rec_alloc(&r, 24, 40024, 20024);
	r.tuple.transport = 6;
	batch_to_b(&r, 1);
	rec_alloc(&r, 25, 40025, 20025);
	r.tuple.conn_id = 0x0100000000800002ull;
	batch_to_b(&r, 1);
	rec_alloc(&r, 26, 40026, 20026);
	r.flags = IPC_ALLOC_F_TCP;
	batch_to_b(&r, 1);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, 3);
	assert_int_equal(cp_alloc_count(&B.cp), 1);
}

/* A walk's start anywhere but first in its batch is refused (the batch
 * with it): after an upsert it would mark it stale and the END that
 * follows remove it. Before the fix B took it and lost allocation 1. */
static void
test_walk_start_only_first_in_a_batch(void **state)
{
	struct ha_rec r[3];

	(void)state;
	rec_alloc(&r[0], 1, 40001, 20001);
	memset(&r[1], 0, sizeof(r[1]));
	r[1].type = HA_REC_WALK_START;
	memset(&r[2], 0, sizeof(r[2]));
	r[2].type = HA_REC_WALK_END;
	assert_int_equal(batch_to_b(r, 3), -EINVAL);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, 1);
	assert_non_null(cp_alloc_find_id(&B.cp, 1));
	assert_int_equal(ha_mirror_stats(B.m)->stale_removed, 0);
	/* first, it is a walk as ever: 1 not in it goes at its END */
	rec_alloc(&r[1], 2, 40002, 20002);
	memset(&r[0], 0, sizeof(r[0]));
	r[0].type = HA_REC_WALK_START;
	assert_int_equal(batch_to_b(r, 3), 0);
	assert_null(cp_alloc_find_id(&B.cp, 1));
	assert_non_null(cp_alloc_find_id(&B.cp, 2));
	assert_int_equal(ha_mirror_stats(B.m)->stale_removed, 1);
	/* a walk begun on a link that died is no walk of the next one: an
	 * END there before its START removes nothing */
	assert_int_equal(batch_to_b(&r[0], 1), 0);      /* START: 2 marked */
	ha_mirror_link_up(B.m);
	assert_int_equal(batch_to_b(&r[2], 1), 0);      /* END alone */
	assert_non_null(cp_alloc_find_id(&B.cp, 2));
	assert_int_equal(ha_mirror_stats(B.m)->stale_removed, 1);
}

/* A record B forbids refuses its batch (ha_mirror_batch() says so: the
 * link then closes unacknowledged), and nothing after it is applied.
 * Before the fix the batch was taken (0) and the record after applied. */
static void
test_forbidden_record_refuses_the_batch(void **state)
{
	struct ha_rec r[2];

	(void)state;
	rec_alloc(&r[0], 11, 40011, 20011);
	r[0].relayed[0].ip[3] = 99;               /* not B's */
	rec_alloc(&r[1], 12, 40012, 20012);
	assert_int_equal(batch_to_b(r, 2), -EINVAL);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, 1);
	assert_int_equal(cp_alloc_count(&B.cp), 0);
}

/*
 * An RTP_DEL is a tombstone for the peer, but not a yield's
 * (docs/design/ha.md §4 S3): one sent late from cp/agw's backlog, of a
 * context still held here or this box's again after a takeover, ends
 * nothing (the peer would drop a live context). Before the fix every
 * RTP_DEL the tap heard was an RTP_END.
 */
static void
test_yield_rtp_del_no_tombstone(void **state)
{
	static struct ipc_msg m;
	uint64_t id = ipc_conn_make(1, 2, 1u | CP_AGW_RTP_GEN_BIT), sent;

	(void)state;
	sync_all();
	sent = ha_mirror_stats(A.m)->records_sent;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_DEL;
	m.h.alloc_id = id;
	quiet_id = id;
	assert_int_equal(cp_dp_send(&A.cp, 1, &m, 0), 0);
	while (ha_mirror_flush(A.m, A.cp.now_ms) > 0)
		;
	assert_int_equal(ha_mirror_stats(A.m)->records_sent, sent);
	/* a release's RTP_DEL: its tombstone */
	quiet_id = 0;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_DEL;
	m.h.alloc_id = id;
	assert_int_equal(cp_dp_send(&A.cp, 1, &m, 0), 0);
	while (ha_mirror_flush(A.m, A.cp.now_ms) > 0)
		;
	assert_int_equal(ha_mirror_stats(A.m)->records_sent, sent + 1);
	lose();
}

/* A record B has no room for (its pool full) is counted, not a refusal
 * of the batch (which would close the link again and again). Before the
 * fix the errno left from before said EINVAL. */
static void
test_no_room_is_no_refusal(void **state)
{
	struct ha_rec r[2];

	(void)state;
	B.cp.alloc->max_allocs = 1;
	rec_alloc(&r[0], 13, 40013, 20013);
	rec_alloc(&r[1], 14, 40014, 20014);
	errno = EINVAL;                           /* what an earlier call left */
	assert_int_equal(batch_to_b(r, 2), 0);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, 1);
	assert_non_null(cp_alloc_find_id(&B.cp, 13));
}

/* A record B cannot take stops the batch there: counted, nothing after it
 * applied. */
static void
test_bad_batch_refused(void **state)
{
	const uint8_t junk[] = { 1, 0, 200, 0, 0, 0 };

	(void)state;
	assert_int_equal(ha_mirror_batch(B.m, junk, sizeof(junk), B.cp.now_ms), -EINVAL);
	assert_int_equal(ha_mirror_stats(B.m)->records_refused, 1);
	assert_int_equal(cp_alloc_count(&B.cp), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_field_arrives_whole_and_is_installed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_refresh_and_end_propagate,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_in_the_middle_of_a_walk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_batch_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_relayed_address_taken_by_another_id_ends_the_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifetimes_clamped_to_the_standbys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bindings_judged_by_the_standbys_policy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_impossible_shapes_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rfc5766_channels_by_the_standbys_range, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_start_only_first_in_a_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_forbidden_record_refuses_the_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_room_is_no_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_allocations_not_mirrored, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_yield_rtp_del_no_tombstone, setup_rtp,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
