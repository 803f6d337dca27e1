/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's X2 events (cp/li/li_x2.c, docs/design/li.md §3.2, §3.4): which
 * of cp/alloc's events become which X2 event, with what, for whom. The
 * observer is driven with hand-made allocations; the task decision
 * (cp_li_alloc_task(), the taps' own) is stubbed to a task of real
 * tables (cp/li's li.c), and cp_dp_send() catches each LI_X2, which must
 * pass ipc_msg_check() and whose event lib/li's decoder reads back.
 *  - a new allocation: created, permission (port 0), channel, refreshed,
 *    its end only once dp's last counters came (ended, exact, the usage
 *    of its stop record); sequence 1..5; the correlation ID the
 *    allocation's id, or the task's when X1 gave one (cp_li_correlation());
 *    only the destinations that take X2;
 *  - an end whose counters never come: told at the wait's end, not exact;
 *  - untargeted, an X3Only task, the pair's standby: nothing;
 *  - a reinstall into a restarted dp: nothing; an allocation met late,
 *    or under another task: "ongoing" first, the sequence from 1;
 *  - a ring without room: dropped, counted, the sequence moves on;
 *  - the task gone: nothing more.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "li.h"
#include "li_internal.h"
#include "li_taps.h"
#include "li_x2.h"
#include "li_x2_cp.h"

/* ---- stubs: what li_x2.c calls outside cp/li ---- */

static const struct cp_li_task *cur_task;
static bool odd_only;                   /* the task targets odd ids only */
static int send_rc;
static struct cp_alloc held[4];         /* what cp_alloc_next() walks */
static unsigned int nheld;

#define SENT_MAX 16
static struct sent {
	struct ipc_li_x2 x;
	struct li_x2_ev ev;
	uint8_t payload[IPC_LI_X2_MAX];
	unsigned int worker;
	uint64_t alloc_id;
} sent[SENT_MAX];
static unsigned int nsent, ntried;

const struct cp_li_task *
cp_li_alloc_task(struct cp_ctx *cp, const struct cp_alloc *a)
{
	(void)cp;
	return odd_only && a->id % 2 == 0 ? NULL : cur_task;
}

struct cp_alloc *
cp_alloc_next(struct cp_ctx *c, uint32_t *cursor)
{
	(void)c;
	return *cursor < nheld ? &held[(*cursor)++] : NULL;
}

int
cp_dp_send(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m, unsigned int headroom)
{
	const struct ipc_li_x2 *x = (const struct ipc_li_x2 *)(const void *)m->body;
	struct sent *s;

	(void)cp;
	assert_int_equal(headroom, CP_RING_HEADROOM);
	assert_int_equal(m->h.kind, IPC_LI_X2);
	assert_int_equal(ipc_msg_check(m, IPC_CP2DP), 0);
	ntried++;
	if (send_rc < 0)
		return send_rc;
	assert_true(nsent < SENT_MAX);
	s = &sent[nsent++];
	memcpy(&s->x, x, sizeof(*x));
	memcpy(s->payload, x->payload, x->len);
	assert_int_equal(li_x2_decode(s->payload, x->len, &s->ev), 0);
	s->worker = w;
	s->alloc_id = m->h.alloc_id;
	return 0;
}

int
cp_alloc_observe(struct cp_ctx *cp, cp_alloc_observer_fn fn, void *arg)
{
	(void)cp;
	(void)fn;
	(void)arg;
	return 0;
}

void
cp_alloc_unobserve(struct cp_ctx *cp, cp_alloc_observer_fn fn, void *arg)
{
	(void)cp;
	(void)fn;
	(void)arg;
}

/* ---- the fixture ---- */

static struct cp_ctx cp;
static struct tp_conf conf;
static struct cp_li *li;
static struct cp_user *user;

static const uint8_t d_x3[16] = { 0xd3 }, d_x2[16] = { 0xd2 }, d_both[16] = { 0xdb };

static void
dest_add(const uint8_t did[16], enum x1_delivery del, uint16_t port)
{
	struct cp_li_dest d;

	memset(&d, 0, sizeof(d));
	memcpy(d.d.did, did, 16);
	d.d.delivery = del;
	d.d.ip_port = true;
	d.d.tcp = true;
	d.d.family = 4;
	d.d.addr[0] = 127;
	d.d.addr[3] = 1;
	d.d.port = port;
	assert_int_equal(cp_li_dest_set(li, &d), 0);
}

/* Task id (its XID's first byte) with delivery del to the three
 * destinations; corr: its correlation ID, 0 none. */
static const struct cp_li_task *
task(uint8_t id, enum x1_delivery del, uint64_t corr)
{
	struct cp_li_task t;

	memset(&t, 0, sizeof(t));
	t.t.xid[0] = id;
	t.t.delivery = del;
	t.t.n_dids = 3;
	memcpy(t.t.dids[0], d_x3, 16);
	memcpy(t.t.dids[1], d_x2, 16);
	memcpy(t.t.dids[2], d_both, 16);
	t.t.has_corr = corr != 0;
	t.t.corr = corr;
	assert_int_equal(cp_li_task_set(li, &t), 0);
	return li->tasks[cp_li_task_index(li, t.t.xid)];
}

static int
setup(void **state)
{
	(void)state;
	memset(&cp, 0, sizeof(cp));
	memset(&conf, 0, sizeof(conf));
	strcpy(conf.turn.realm, "turnpike.test");
	cp.conf = &conf;
	cp.now_ms = 100000;
	cp.ready = true;
	li = calloc(1, sizeof(*li));
	assert_non_null(li);
	user = calloc(1, sizeof(*user) + 8);
	assert_non_null(user);
	user->len = 4;
	memcpy(user->name, "test", 4);
	cp.li = li;
	dest_add(d_x3, X1_DELIVERY_X3_ONLY, 7003);
	dest_add(d_x2, X1_DELIVERY_X2_ONLY, 7002);
	dest_add(d_both, X1_DELIVERY_X2_AND_X3, 7023);
	cur_task = NULL;
	odd_only = false;
	nheld = 0;
	send_rc = 0;
	nsent = ntried = 0;
	memset(sent, 0, sizeof(sent));
	assert_int_equal(cp_li_x2_open(&cp), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_li_x2_close(&cp);
	while (li->ntasks > 0)
		cp_li_task_drop(li, li->ntasks - 1);
	free(li);
	free(user);
	return 0;
}

static void
alloc_make(struct cp_alloc *a, uint64_t id, bool fresh)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->user = user;
	a->tuple.transport = 17;
	a->tuple.client.family = 4;
	memcpy(a->tuple.client.ip, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	a->tuple.client.port = 50000;
	a->tuple.server.family = 4;
	memcpy(a->tuple.server.ip, (uint8_t[]){ 192, 0, 2, 100 }, 4);
	a->tuple.server.port = 3478;
	a->nrelayed = 1;
	a->relayed[0].family = 4;
	memcpy(a->relayed[0].ip, (uint8_t[]){ 198, 51, 100, 7 }, 4);
	a->relay_port = 49152;
	a->worker = 2;
	a->created_ms = fresh ? cp.now_ms : cp.now_ms - 30000;
	a->expires_ms = cp.now_ms + 600000;
}

static void
ev(enum cp_alloc_ev_type type, const struct cp_alloc *a)
{
	struct cp_alloc_ev e = { .type = type, .a = a, .reason = CP_ALLOC_R_CLIENT };

	cp_li_x2_event(&cp, &e, cp.li_x2);
}

static void
bind_ev(const struct cp_alloc *a, const struct ipc_addr *peer, uint16_t ch, bool renewed)
{
	struct cp_alloc_ev e = { .type = CP_ALLOC_EV_BIND, .a = a, .peer = peer, .channel = ch,
				 .renewed = renewed };

	cp_li_x2_event(&cp, &e, cp.li_x2);
}

static void
final_ev(uint64_t id, const uint64_t *c)
{
	struct cp_alloc_ev e = { .type = CP_ALLOC_EV_FINAL, .id = id, .c = c };

	cp_li_x2_event(&cp, &e, cp.li_x2);
	assert_false(e.held.took);   /* cp/acct's to answer, never X2's */
}

/* A new allocation's life, every event with its fields. */
static void
test_x2_allocation_life(void **state)
{
	struct ipc_addr peer = { .family = 4, .port = 3480, .ip = { 198, 51, 100, 9 } };
	uint64_t c[IPC_ALLOC_STATS_N] = { 0, 0, 5, 85, 6, 90, 0, 0 };
	struct cp_alloc a;

	(void)state;
	cur_task = task(1, X1_DELIVERY_X2_AND_X3, 0);
	alloc_make(&a, 77, true);
	ev(CP_ALLOC_EV_UP, &a);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].ev.event, LI_X2_EV_CREATED);
	assert_int_equal(sent[0].x.seq, 1);
	assert_true(sent[0].x.correlation == 77);     /* the allocation's id */
	assert_int_equal(sent[0].x.xid[0], 1);
	assert_int_equal(sent[0].x.dir, 3);
	assert_int_equal(sent[0].worker, 2);
	assert_true(sent[0].alloc_id == 77);
	assert_true(sent[0].x.ts_sec > 1700000000u);
	/* the destinations that take X2 only, in the task's order */
	assert_int_equal(sent[0].x.ndest, 2);
	assert_int_equal(sent[0].x.dest[0].port, 7002);
	assert_int_equal(sent[0].x.dest[1].port, 7023);
	assert_true(sent[0].ev.session == 77);
	assert_string_equal(sent[0].ev.client.ip[0] == 192 ? "ok" : "no", "ok");
	assert_int_equal(sent[0].ev.client.port, 50000);
	assert_int_equal(sent[0].ev.server.port, 3478);
	assert_int_equal(sent[0].ev.transport, LI_X2_UDP);
	assert_int_equal(sent[0].ev.nrelayed, 1);
	assert_int_equal(sent[0].ev.relayed[0].port, 49152);
	assert_int_equal(sent[0].ev.user_len, 4);
	assert_memory_equal(sent[0].ev.user, "test", 4);
	assert_int_equal(sent[0].ev.realm_len, 13);
	assert_int_equal(sent[0].ev.lifetime, 600);

	bind_ev(&a, &peer, 0, false);
	bind_ev(&a, &peer, 0x4001, false);
	cp.now_ms += 10000;
	a.expires_ms = cp.now_ms + 300000;
	ev(CP_ALLOC_EV_LIFE, &a);
	assert_int_equal(nsent, 4);
	assert_int_equal(sent[1].ev.event, LI_X2_EV_PERMISSION);
	assert_int_equal(sent[1].ev.peer.port, 0);             /* an IP's permission */
	assert_int_equal(sent[1].ev.renewed, 0);
	assert_int_equal(sent[2].ev.event, LI_X2_EV_CHANNEL);
	assert_int_equal(sent[2].ev.peer.port, 3480);
	assert_int_equal(sent[2].ev.channel, 0x4001);
	assert_int_equal(sent[3].ev.event, LI_X2_EV_REFRESHED);
	assert_int_equal(sent[3].ev.lifetime, 300);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(sent[i].x.seq, i + 1);
		assert_true(sent[i].x.correlation == 77);
	}

	/* its end waits for dp's last counters */
	cp.now_ms += 2000;
	ev(CP_ALLOC_EV_END, &a);
	ev(CP_ALLOC_EV_GONE, &a);
	assert_int_equal(nsent, 4);
	assert_int_equal(cp_li_x2_step(&cp), 0);
	final_ev(99, c);                                        /* another's */
	assert_int_equal(nsent, 4);
	final_ev(77, c);
	assert_int_equal(nsent, 5);
	assert_int_equal(sent[4].ev.event, LI_X2_EV_ENDED);
	assert_int_equal(sent[4].x.seq, 5);
	assert_int_equal(sent[4].x.dir, 3);                     /* the client's Refresh 0 */
	assert_true(sent[4].ev.bytes_from == 85 && sent[4].ev.bytes_to == 90);
	assert_true(sent[4].ev.pkts_from == 5 && sent[4].ev.pkts_to == 6);
	assert_true(sent[4].ev.duration_ms == 12000);
	assert_int_equal(sent[4].ev.reason, LI_X2_R_CLIENT);
	assert_int_equal(sent[4].ev.exact, 1);
	/* told once */
	final_ev(77, c);
	cp.now_ms += 10000;
	assert_int_equal(cp_li_x2_step(&cp), 0);
	assert_int_equal(nsent, 5);
	assert_int_equal(cp_li_x2_stats(&cp)->sent, 5);
	assert_int_equal(cp_li_x2_stats(&cp)->dropped, 0);
}

/* dp's last counters never come: the end is told at the wait's end with
 * cp's, not exact; the task's correlation ID when X1 gave one. */
static void
test_x2_end_without_final(void **state)
{
	struct cp_alloc a;

	(void)state;
	cur_task = task(2, X1_DELIVERY_X2_ONLY, 0xabcdef);
	alloc_make(&a, 78, true);
	ev(CP_ALLOC_EV_UP, &a);
	a.counters[3] = 40;
	ev(CP_ALLOC_EV_END, &a);
	ev(CP_ALLOC_EV_GONE, &a);
	cp.now_ms += 4999;
	assert_int_equal(cp_li_x2_step(&cp), 0);
	cp.now_ms += 1;
	assert_int_equal(cp_li_x2_step(&cp), 1);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].ev.event, LI_X2_EV_ENDED);
	assert_int_equal(sent[1].ev.exact, 0);
	assert_true(sent[1].ev.bytes_from == 40);
	assert_true(sent[0].x.correlation == 0xabcdef && sent[1].x.correlation == 0xabcdef);
	/* an X2Only task: X2 to every destination that takes X2 */
	assert_int_equal(sent[0].x.ndest, 2);
	/* counters already final at the end (dp's came first): told at once */
	alloc_make(&a, 79, true);
	ev(CP_ALLOC_EV_UP, &a);
	a.final = true;
	ev(CP_ALLOC_EV_END, &a);
	assert_int_equal(nsent, 4);
	assert_int_equal(sent[3].ev.event, LI_X2_EV_ENDED);
	assert_int_equal(sent[3].ev.exact, 1);
}

/* Nothing for an allocation no task targets, one an X3Only task does,
 * or on the pair's standby. */
static void
test_x2_nothing_untargeted(void **state)
{
	struct ipc_addr peer = { .family = 4, .port = 3480, .ip = { 198, 51, 100, 9 } };
	struct cp_alloc a;

	(void)state;
	for (unsigned int k = 0; k < 3; k++) {
		cur_task = k == 0 ? NULL : task(3, X1_DELIVERY_X3_ONLY, 0);
		cp.ha_standby = k == 2;
		if (k == 2)
			cur_task = task(4, X1_DELIVERY_X2_AND_X3, 0);
		alloc_make(&a, 80 + k, true);
		ev(CP_ALLOC_EV_UP, &a);
		bind_ev(&a, &peer, 0x4001, false);
		ev(CP_ALLOC_EV_LIFE, &a);
		a.final = true;
		ev(CP_ALLOC_EV_END, &a);
		ev(CP_ALLOC_EV_GONE, &a);
		cp.now_ms += 10000;
		(void)cp_li_x2_step(&cp);
	}
	cp.ha_standby = false;
	assert_int_equal(ntried, 0);
}

/* A reinstall into a restarted dp says nothing; an allocation the
 * interception meets late is "ongoing" first; another task starts the
 * sequence again; the task gone, nothing more. */
static void
test_x2_ongoing_and_task_changes(void **state)
{
	struct ipc_addr peer = { .family = 4, .port = 3480, .ip = { 198, 51, 100, 9 } };
	struct cp_alloc a;

	(void)state;
	cur_task = task(5, X1_DELIVERY_X2_AND_X3, 0);
	alloc_make(&a, 90, true);
	ev(CP_ALLOC_EV_UP, &a);
	cp.now_ms += 1000;
	ev(CP_ALLOC_EV_UP, &a);                 /* dp restarted: installed again */
	assert_int_equal(nsent, 1);
	/* met late (a reinstall cp had no record of): ongoing */
	alloc_make(&a, 91, false);
	ev(CP_ALLOC_EV_UP, &a);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].ev.event, LI_X2_EV_ONGOING);
	assert_int_equal(sent[1].x.dir, 5);
	assert_int_equal(sent[1].ev.lifetime, 600);
	/* met late by a permission: ongoing, then the permission */
	alloc_make(&a, 92, false);
	bind_ev(&a, &peer, 0, true);
	assert_int_equal(nsent, 4);
	assert_int_equal(sent[2].ev.event, LI_X2_EV_ONGOING);
	assert_int_equal(sent[3].ev.event, LI_X2_EV_PERMISSION);
	assert_int_equal(sent[3].ev.renewed, 1);
	assert_int_equal(sent[3].x.seq, 2);
	/* another task now: ongoing under it, its sequence from 1 */
	cur_task = task(6, X1_DELIVERY_X2_AND_X3, 0);
	ev(CP_ALLOC_EV_LIFE, &a);
	assert_int_equal(nsent, 6);
	assert_int_equal(sent[4].ev.event, LI_X2_EV_ONGOING);
	assert_int_equal(sent[4].x.xid[0], 6);
	assert_int_equal(sent[4].x.seq, 1);
	assert_int_equal(sent[5].ev.event, LI_X2_EV_REFRESHED);
	assert_int_equal(sent[5].x.seq, 2);
	/* the task gone: nothing, its end neither */
	cur_task = NULL;
	ev(CP_ALLOC_EV_LIFE, &a);
	a.final = true;
	ev(CP_ALLOC_EV_END, &a);
	assert_int_equal(nsent, 6);
}

/* A task activated while allocations are held: the pass after the
 * tables' change tells each one it targets "ongoing" at once, once; a
 * change that untargets them drops their records, a later one that
 * targets them again starts over. Not on the standby. */
static void
test_x2_pass_at_activation(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 3; i++)
		alloc_make(&held[i], 101 + i, false);
	nheld = 3;
	assert_int_equal(cp_li_x2_step(&cp), 3);       /* the first pass: no task */
	assert_int_equal(ntried, 0);
	cur_task = task(9, X1_DELIVERY_X2_AND_X3, 0);
	odd_only = true;
	cp.ha_standby = true;
	li->gen++;
	(void)cp_li_x2_step(&cp);
	assert_int_equal(ntried, 0);
	cp.ha_standby = false;
	li->gen++;
	assert_int_equal(cp_li_x2_step(&cp), 3);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[0].ev.event, LI_X2_EV_ONGOING);
	assert_true(sent[0].ev.session == 101 && sent[1].ev.session == 103);
	assert_int_equal(sent[0].x.seq, 1);
	assert_int_equal(cp_li_x2_step(&cp), 0);       /* no change: no pass */
	li->gen++;
	(void)cp_li_x2_step(&cp);
	assert_int_equal(nsent, 2);                     /* told once */
	cur_task = NULL;
	li->gen++;
	(void)cp_li_x2_step(&cp);
	assert_int_equal(nsent, 2);
	cur_task = task(10, X1_DELIVERY_X2_AND_X3, 0);
	li->gen++;
	(void)cp_li_x2_step(&cp);
	assert_int_equal(nsent, 4);
	assert_int_equal(sent[2].x.xid[0], 10);
	assert_int_equal(sent[2].x.seq, 1);
}

/* RFC 6062: a peer connection's news, each an event with its CONNECTION-ID
 * and peer; closed with its bytes (from the client, to it). */
static void
test_x2_tcp_connections(void **state)
{
	struct ipc_addr peer = { .family = 4, .port = 3480, .ip = { 198, 51, 100, 9 } };
	const uint64_t b[4] = { 100, 100, 250, 250 };
	struct cp_alloc a;

	(void)state;
	cur_task = task(11, X1_DELIVERY_X2_AND_X3, 0);
	alloc_make(&a, 120, true);
	a.tcp = true;
	a.tuple.transport = 6;
	ev(CP_ALLOC_EV_UP, &a);
	for (unsigned int n = CP_ALLOC_TCP_UP; n <= CP_ALLOC_TCP_CLOSED; n++) {
		struct cp_alloc_ev e = { .type = CP_ALLOC_EV_TCP_CONN, .a = &a, .peer = &peer,
					 .tcp = (uint8_t)n, .conn = 0xabcd0000u + n,
					 .b = n == CP_ALLOC_TCP_CLOSED ? b : NULL };

		cp_li_x2_event(&cp, &e, cp.li_x2);
	}
	assert_int_equal(nsent, 5);
	assert_int_equal(sent[0].ev.transport, LI_X2_TCP);
	assert_int_equal(sent[1].ev.event, LI_X2_EV_TCP_CONNECTED);
	assert_int_equal(sent[1].ev.initiator, LI_X2_BY_CLIENT);
	assert_int_equal(sent[1].x.dir, 3);
	assert_int_equal(sent[2].ev.event, LI_X2_EV_TCP_CONNECTED);
	assert_int_equal(sent[2].ev.initiator, LI_X2_BY_PEER);
	assert_int_equal(sent[2].x.dir, 5);
	assert_true(sent[2].ev.conn_id == 0xabcd0000u + CP_ALLOC_TCP_IN);
	assert_int_equal(sent[3].ev.event, LI_X2_EV_TCP_BOUND);
	assert_int_equal(sent[4].ev.event, LI_X2_EV_TCP_CLOSED);
	assert_int_equal(sent[4].ev.peer.port, 3480);
	assert_true(sent[4].ev.bytes_from == 100 && sent[4].ev.bytes_to == 250);
	assert_int_equal(sent[4].x.seq, 5);
	/* its end: no packets for an RFC 6062 allocation; waits out its
	 * connections' grace after dp's last counters */
	a.tcp_bytes[0] = 100;
	a.tcp_bytes[3] = 250;
	a.final = true;
	ev(CP_ALLOC_EV_END, &a);
	ev(CP_ALLOC_EV_GONE, &a);
	assert_int_equal(nsent, 5);
	cp.now_ms += 1000;
	assert_int_equal(cp_li_x2_step(&cp), 1);
	assert_int_equal(sent[5].ev.event, LI_X2_EV_ENDED);
	assert_false(sent[5].ev.has & LI_X2_HAS(LI_X2F_PKTS_FROM));
	assert_true(sent[5].ev.bytes_from == 100 && sent[5].ev.bytes_to == 250);
}

/* A ring without room: the event dropped, counted; the sequence moves
 * on, so the MF sees the gap. */
static void
test_x2_ring_full(void **state)
{
	struct ipc_addr peer = { .family = 6, .port = 3480, .ip = { 0x20, 0x01, 0x0d, 0xb8 } };
	struct cp_alloc a;

	(void)state;
	cur_task = task(7, X1_DELIVERY_X2_AND_X3, 0);
	alloc_make(&a, 95, true);
	send_rc = -ENOBUFS;
	ev(CP_ALLOC_EV_UP, &a);
	assert_int_equal(cp_li_x2_stats(&cp)->dropped, 1);
	send_rc = 0;
	bind_ev(&a, &peer, 0x4002, false);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].ev.event, LI_X2_EV_CHANNEL);
	assert_int_equal(sent[0].x.seq, 2);
	assert_int_equal(sent[0].ev.peer.family, 6);
	assert_int_equal(cp_li_x2_stats(&cp)->sent, 1);
}

/* A started cp's pass waits until dp gave every allocation back
 * (cp->ready): run on a table not yet restored it would end at once and
 * tell the sessions restored after it nothing (review V7). */
static void
test_x2_pass_waits_for_ready(void **state)
{
	(void)state;
	cur_task = task(9, X1_DELIVERY_X2_AND_X3, 0);
	cp.ready = false;
	assert_int_equal(cp_li_x2_step(&cp), 0);       /* nothing back yet */
	for (unsigned int i = 0; i < 2; i++)
		alloc_make(&held[i], 201 + i, false);
	nheld = 2;                                      /* dp's state came */
	assert_int_equal(cp_li_x2_step(&cp), 0);
	assert_int_equal(nsent, 0);
	cp.ready = true;
	assert_int_equal(cp_li_x2_step(&cp), 2);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[0].ev.event, LI_X2_EV_ONGOING);
	assert_int_equal(sent[1].ev.event, LI_X2_EV_ONGOING);
}

/* DeactivateTask while a session's end waits for dp's last counters
 * (review V7): nothing of the task's after its deactivation, so the end
 * is told at the deactivation, with the usage cp has then (not exact),
 * under the task's XID; not at the wait's end, nor when dp's counters
 * come. Another task's ending record waits on. */
static void
test_x2_end_told_at_deactivation(void **state)
{
	uint64_t c[IPC_ALLOC_STATS_N] = { 0, 0, 5, 85, 6, 90, 0, 0 };
	struct cp_alloc a, b;
	uint8_t xid[16];

	(void)state;
	cur_task = task(12, X1_DELIVERY_X2_AND_X3, 0);
	memcpy(xid, cur_task->t.xid, 16);
	alloc_make(&a, 130, true);
	ev(CP_ALLOC_EV_UP, &a);
	a.counters[3] = 40;
	cp.now_ms += 1000;
	ev(CP_ALLOC_EV_END, &a);
	ev(CP_ALLOC_EV_GONE, &a);
	cur_task = task(15, X1_DELIVERY_X2_AND_X3, 0);
	alloc_make(&b, 132, true);
	ev(CP_ALLOC_EV_UP, &b);
	ev(CP_ALLOC_EV_END, &b);
	ev(CP_ALLOC_EV_GONE, &b);
	assert_int_equal(nsent, 2);
	assert_int_equal(cp_li_x2_step(&cp), 0);
	assert_int_equal(nsent, 2);
	/* DeactivateTask: the task's rows gone, the tables' gen moved */
	cur_task = NULL;
	cp_li_task_drop(li, (unsigned int)cp_li_task_index(li, xid));
	(void)cp_li_x2_step(&cp);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[2].ev.event, LI_X2_EV_ENDED);
	assert_true(sent[2].ev.session == 130);
	assert_int_equal(sent[2].x.xid[0], 12);
	assert_int_equal(sent[2].x.seq, 2);
	assert_int_equal(sent[2].ev.exact, 0);
	assert_true(sent[2].ev.bytes_from == 40);
	assert_true(sent[2].ev.duration_ms == 1000);
	/* nothing more of it: not dp's counters, not the wait's end */
	final_ev(130, c);
	cp.now_ms += 10000;
	(void)cp_li_x2_step(&cp);
	assert_int_equal(nsent, 4);
	/* (the other task's, at its wait's end) */
	assert_true(sent[3].ev.session == 132);
	assert_int_equal(sent[3].x.xid[0], 15);
	assert_int_equal(cp_li_x2_stats(&cp)->dropped, 0);
}

/* An ending record keeps its task (review V7): an event of its id under
 * another task meanwhile (an id a restarted cp gave again) neither moves
 * the record to that task nor is told; the end goes under the first
 * task's XID, its sequence on. */
static void
test_x2_ending_keeps_its_task(void **state)
{
	uint64_t c[IPC_ALLOC_STATS_N] = { 0, 0, 5, 85, 6, 90, 0, 0 };
	struct cp_alloc a, b;

	(void)state;
	cur_task = task(13, X1_DELIVERY_X2_AND_X3, 0);
	alloc_make(&a, 131, true);
	ev(CP_ALLOC_EV_UP, &a);
	ev(CP_ALLOC_EV_END, &a);
	ev(CP_ALLOC_EV_GONE, &a);
	cur_task = task(14, X1_DELIVERY_X2_AND_X3, 0);
	alloc_make(&b, 131, true);
	b.worker = 3;
	ev(CP_ALLOC_EV_UP, &b);
	assert_int_equal(nsent, 1);
	final_ev(131, c);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].ev.event, LI_X2_EV_ENDED);
	assert_int_equal(sent[1].x.xid[0], 13);
	assert_int_equal(sent[1].x.seq, 2);
	assert_int_equal(sent[1].worker, 2);
	assert_int_equal(sent[1].ev.exact, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_x2_allocation_life, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_end_without_final, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_nothing_untargeted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_ongoing_and_task_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_ring_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_pass_at_activation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_tcp_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_pass_waits_for_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_end_told_at_deactivation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_ending_keeps_its_task, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
