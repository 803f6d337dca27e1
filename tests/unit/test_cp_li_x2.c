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

#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "cp.h"
#include "li.h"
#include "li_agw_taps.h"
#include "li_internal.h"
#include "li_pdu_types.h"
#include "li_rtp_taps.h"
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

/* (li_rtp_taps.c's: the owner's lookup is cp/agw's; no member here) */
const struct cp_li_task *
cp_li_rtp_task(struct cp_ctx *c, const struct cp_agw_ctx *x, unsigned int *term)
{
	return cp_li_match_rtp(c->li, x->rtp.term, x->rtp.st, term);
}

/* (li_agw_taps.c's: the matcher over the context's legs) */
const struct cp_li_task *
cp_li_agw_task(struct cp_ctx *c, const struct cp_agw_ctx *x, unsigned int *leg)
{
	return cp_li_match_agw(c->li, x->tcp.term, x->tcp.leg_remote, leg);
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
	cp_li_index_free(li);
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

/* ---- the gateway's RTP contexts (cp_li_x2_ctx()) ---- */

static void
a4(struct ipc_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->ip[0] = x;
	a->ip[1] = y;
	a->ip[2] = z;
	a->ip[3] = w;
	a->port = port;
}

/* A task on the address 10.210.0.(last) with delivery del to the three
 * destinations; corr 0: none. */
static void
ctask(uint8_t id, uint8_t last, enum x1_delivery del, uint64_t corr)
{
	struct cp_li_task t;

	memset(&t, 0, sizeof(t));
	t.t.xid[0] = id;
	t.t.n_targets = 1;
	t.t.targets[0] = (struct x1_target){ .kind = X1_T_IPV4, .family = 4, .prefix = 32,
					     .addr = { 10, 210, 0, last } };
	t.t.delivery = del;
	t.t.n_dids = 3;
	memcpy(t.t.dids[0], d_x3, 16);
	memcpy(t.t.dids[1], d_x2, 16);
	memcpy(t.t.dids[2], d_both, 16);
	t.t.has_corr = corr != 0;
	t.t.corr = corr;
	assert_int_equal(cp_li_task_set(li, &t), 0);
}

/* A call: term 0 the UE's (SRTP by SDES, its remote 10.210.0.(last):5004),
 * term 1 the core's (RTP, a 90 kHz clock: video), on worker 3. */
static void
ctx_make(struct cp_agw_ctx *c, uint64_t id, uint8_t last, bool fresh)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->kind = CP_AGW_KIND_RTP;
	c->worker = 3;
	c->rtp.created_ms = fresh ? cp.now_ms : cp.now_ms - 30000;
	c->rtp.term[0].profile = IPC_RTP_SAVP;
	c->rtp.term[0].serial = 1;
	a4(&c->rtp.term[0].local, 10, 210, 0, 1, 40000);
	a4(&c->rtp.term[0].remote, 10, 210, 0, last, 5004);
	c->rtp.term[1].profile = IPC_RTP_AVP;
	c->rtp.term[1].serial = 2;
	c->rtp.term[1].clock_hz = 90000;
	a4(&c->rtp.term[1].local, 10, 211, 0, 1, 40002);
	a4(&c->rtp.term[1].remote, 10, 211, 0, 2, 6004);
}

static void
rtp_ev(const struct cp_agw_ctx *c, uint8_t type, uint8_t term, uint16_t serial,
       const struct ipc_rtp_stats *st)
{
	struct ipc_rtp_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.term = term;
	e.serial = serial;
	e.cause = IPC_AGW_CONTROLLER;
	if (st != NULL)
		memcpy(e.st, st, sizeof(e.st));
	cp_li_x2_ctx(&cp, c, &e, false);
}

/* A targeted call's life: created (its terminations, no key, the target's
 * slot and address, the context's id as the correlation ID, X2's
 * destinations only, its worker), nothing for a look that finds nothing
 * new, modified at a latch (from the target), a remote signalled anew, a
 * subtraction (its last usage), an add; ended at RELEASED with the
 * usage each way (the target's and each termination's), its duration and
 * why; sequence 1..6. */
static void
test_x2_ctx_life(void **state)
{
	const uint64_t id = 0x8000000300000005ull;
	struct ipc_rtp_stats st[2];
	struct cp_agw_ctx c;
	const struct li_x2_ev *e;

	(void)state;
	ctx_make(&c, id, 2, true);
	cp_li_x2_ctx(&cp, &c, NULL, true);
	assert_int_equal(nsent, 0);                     /* no task */
	ctask(7, 2, X1_DELIVERY_X2_AND_X3, 0);
	cp_li_x2_ctx(&cp, &c, NULL, true);
	assert_int_equal(nsent, 1);
	e = &sent[0].ev;
	assert_int_equal(e->event, LI_X2_EV_CTX_CREATED);
	assert_true(e->session == id && sent[0].alloc_id == id);
	assert_true(sent[0].x.correlation == id);
	assert_int_equal(sent[0].x.seq, 1);
	assert_int_equal(sent[0].x.xid[0], 7);
	assert_int_equal(sent[0].worker, 3);
	assert_int_equal(sent[0].x.ndest, 2);           /* X2Only, X2andX3 */
	assert_int_equal(sent[0].x.dir, LI_DIR_NA);
	assert_int_equal(e->target_term, 0);
	assert_int_equal(e->term[0].serial, 1);
	assert_int_equal(e->term[0].srtp, LI_X2_SRTP_SDES);
	assert_int_equal(e->term[0].media, LI_X2_AUDIO);
	assert_int_equal(e->term[1].srtp, LI_X2_SRTP_OFF);
	assert_int_equal(e->term[1].media, LI_X2_VIDEO);
	assert_int_equal(e->term[0].remote.port, 5004);
	assert_int_equal(e->term[1].local.port, 40002);
	assert_false(e->term[0].has & LI_X2_HAS(LI_X2F_LATCHED));
	assert_int_equal(e->client.port, 5004);
	assert_int_equal(e->server.port, 40000);
	cp_li_x2_ctx(&cp, &c, NULL, false);
	assert_int_equal(nsent, 1);                     /* nothing new */

	/* the UE's source latched */
	c.rtp.st[0].latched = IPC_RTP_LATCHED_RTP;
	a4(&c.rtp.st[0].rtp_src, 10, 210, 0, 2, 5008);
	rtp_ev(&c, IPC_RTP_EV_LATCHED, 0, 1, NULL);
	assert_int_equal(nsent, 2);
	e = &sent[1].ev;
	assert_int_equal(e->event, LI_X2_EV_CTX_MODIFIED);
	assert_int_equal(e->change, LI_X2_CH_LATCHED);
	assert_int_equal(sent[1].x.dir, LI_DIR_FROM_TARGET);
	assert_int_equal(e->term[0].latched.port, 5008);
	assert_int_equal(e->client.port, 5008);
	assert_int_equal(sent[1].x.seq, 2);
	/* the core's remote signalled anew (an RTP_MOD) */
	c.rtp.term[1].remote.port = 6008;
	cp_li_x2_ctx(&cp, &c, NULL, false);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[2].ev.change, LI_X2_CH_REMOTE);
	assert_int_equal(sent[2].ev.term[1].remote.port, 6008);
	/* the core's termination subtracted: its last usage */
	memset(st, 0, sizeof(st));
	st[1].rtp_in = 10;
	st[1].rtp_in_octets = 1000;
	st[1].rtp_out = 20;
	st[1].rtp_out_octets = 2000;
	st[1].rtcp_in = 1;
	st[1].rtcp_in_octets = 50;
	memset(&c.rtp.term[1], 0, sizeof(c.rtp.term[1]));
	rtp_ev(&c, IPC_RTP_EV_SUBTRACTED, 1, 2, st);
	assert_int_equal(nsent, 4);
	e = &sent[3].ev;
	assert_int_equal(e->change, LI_X2_CH_SUBTRACTED);
	assert_int_equal(e->term[1].serial, 2);
	assert_true(e->term[1].bytes_in == 1050 && e->term[1].pkts_in == 11 &&
		    e->term[1].bytes_out == 2000 && e->term[1].pkts_out == 20);
	assert_false(e->has & LI_X2_HAS(LI_X2F_LOCAL));
	/* another added in its slot */
	c.rtp.term[1].profile = IPC_RTP_AVP;
	c.rtp.term[1].serial = 3;
	a4(&c.rtp.term[1].local, 10, 211, 0, 1, 40004);
	cp_li_x2_ctx(&cp, &c, NULL, false);
	assert_int_equal(nsent, 5);
	assert_int_equal(sent[4].ev.change, LI_X2_CH_ADDED);
	assert_int_equal(sent[4].ev.term[1].serial, 3);
	/* released, 5 s later */
	cp.now_ms += 5000;
	memset(st, 0, sizeof(st));
	st[0].rtp_in = 250;
	st[0].rtp_in_octets = 43000;
	st[0].rtp_out = 240;
	st[0].rtp_out_octets = 41280;
	st[1].rtp_in = 240;
	st[1].rtp_in_octets = 41280;
	rtp_ev(&c, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, st);
	assert_int_equal(nsent, 6);
	e = &sent[5].ev;
	assert_int_equal(e->event, LI_X2_EV_CTX_ENDED);
	assert_true(e->bytes_from == 43000 && e->bytes_to == 41280 &&
		    e->pkts_from == 250 && e->pkts_to == 240);
	assert_true(e->term[1].bytes_in == 41280 && e->term[1].serial == 3);
	assert_true(e->duration_ms == 5000);
	assert_int_equal(e->exact, 1);
	assert_int_equal(e->ctx_reason, LI_X2_CR_RELEASED);
	assert_int_equal(sent[5].x.seq, 6);
	for (unsigned int i = 0; i < nsent; i++)
		assert_true(sent[i].x.correlation == id);
	/* gone: a later look at the id starts again (ongoing) */
	rtp_ev(&c, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, st);
	assert_int_equal(nsent, 6);
}

/* A context met after it was made: ongoing, under the task's correlation
 * ID; a context of another address, an X3Only task, a mirrored context
 * and the standby: nothing; the task gone, the record goes untold, and
 * a new task starts from 1. */
static void
test_x2_ctx_ongoing_and_none(void **state)
{
	struct cp_agw_ctx c, other;

	(void)state;
	ctask(8, 2, X1_DELIVERY_X2_AND_X3, 0x1234);
	ctx_make(&c, 0x8000000100000009ull, 2, false);
	ctx_make(&other, 0x800000010000000bull, 3, true);
	cp_li_x2_ctx(&cp, &other, NULL, true);
	assert_int_equal(nsent, 0);
	c.rtp.mirror = 1;
	cp_li_x2_ctx(&cp, &c, NULL, false);
	assert_int_equal(nsent, 0);
	c.rtp.mirror = 0;
	cp.ha_standby = true;
	cp_li_x2_ctx(&cp, &c, NULL, true);
	assert_int_equal(nsent, 0);
	cp.ha_standby = false;
	/* (an RTP_ADD, but of a context made 30 s ago: a reinstall) */
	cp_li_x2_ctx(&cp, &c, NULL, true);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].ev.event, LI_X2_EV_CTX_ONGOING);
	assert_true(sent[0].x.correlation == 0x1234);
	/* the task gone */
	cp_li_task_drop(li, 0);
	cp_li_x2_ctx(&cp, &c, NULL, false);
	assert_int_equal(nsent, 1);
	ctask(9, 2, X1_DELIVERY_X3_ONLY, 0);
	cp_li_x2_ctx(&cp, &c, NULL, false);
	assert_int_equal(nsent, 1);
	cp_li_task_drop(li, 0);
	ctask(10, 2, X1_DELIVERY_X2_ONLY, 0);
	cp_li_x2_ctx(&cp, &c, NULL, false);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].ev.event, LI_X2_EV_CTX_ONGOING);
	assert_int_equal(sent[1].x.seq, 1);
	assert_int_equal(sent[1].x.xid[0], 10);
}

/* Review W1: a task deactivated, then its context's subtraction and end
 * come before a look at the context (the taps' pass had not reached it):
 * nothing of the task is told after its DeactivateTask. */
static void
test_x2_ctx_nothing_after_deactivation(void **state)
{
	struct ipc_rtp_stats st[2];
	struct cp_agw_ctx c;

	(void)state;
	memset(st, 0, sizeof(st));
	ctask(11, 2, X1_DELIVERY_X2_AND_X3, 0);
	ctx_make(&c, 0x800000010000000dull, 2, true);
	cp_li_x2_ctx(&cp, &c, NULL, true);
	assert_int_equal(nsent, 1);                     /* created */
	cp_li_task_drop(li, 0);
	rtp_ev(&c, IPC_RTP_EV_SUBTRACTED, 1, 3, st);
	rtp_ev(&c, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, st);
	assert_int_equal(nsent, 1);
}

/* ---- the gateway's TCP-leg contexts (cp_li_x2_agw()) ---- */

/* An MSRP context: leg 0 listens for the UE (TLS, its signalled remote
 * 10.210.0.(last), no port), leg 1 connects to the core's end
 * 10.211.0.2:5300 (TLS), on worker 2; fresh: made now (wall clock). */
static void
msrp_make(struct cp_agw_ctx *c, uint64_t id, uint8_t last, bool fresh)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->kind = CP_AGW_KIND_TCP;
	c->worker = 2;
	c->created_wall_ms = fresh ? cp.wall_ms : cp.wall_ms - 30000;
	c->tcp.term[0].tcp_role = IPC_AGW_TCP_SERVER;
	c->tcp.term[0].tls_role = IPC_AGW_TLS_SERVER;
	c->tcp.term[0].nfp = 1;
	memset(c->tcp.term[0].fp[0].md, 0xaa, IPC_AGW_FP_LEN);
	c->tcp.term[0].serial = 1;
	a4(&c->tcp.term[0].local, 10, 210, 0, 1, 20000);
	a4(&c->tcp.term[0].remote, 10, 210, 0, last, 0);
	c->tcp.term[1].tcp_role = IPC_AGW_TCP_CLIENT;
	c->tcp.term[1].tls_role = IPC_AGW_TLS_CLIENT;
	c->tcp.term[1].serial = 2;
	a4(&c->tcp.term[1].local, 10, 211, 0, 1, 0);
	a4(&c->tcp.term[1].remote, 10, 211, 0, 2, 5300);
	c->tcp.leg_state[0] = c->tcp.leg_state[1] = CP_AGW_LEG_WAITING;
}

static void
agw_ev(const struct cp_agw_ctx *c, uint8_t type, uint8_t leg, uint16_t serial, uint8_t cause,
       const uint64_t in[2], const uint64_t out[2])
{
	struct ipc_agw_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.leg = leg;
	e.serial = serial;
	e.cause = cause;
	if (in != NULL)
		memcpy(e.bytes_in, in, sizeof(e.bytes_in));
	if (out != NULL)
		memcpy(e.bytes_out, out, sizeof(e.bytes_out));
	cp_li_x2_agw(&cp, c, &e, false);
}

/* A targeted MSRP context's life: created at cp/agw's AGW_ADD (each leg:
 * serial, listen or connect, TLS, local, signalled remote; no
 * fingerprint anywhere in the payload; the context's id as correlation
 * ID; X2's destinations; its worker), nothing for a look that finds
 * nothing new, modified at the UE's leg up (its connection's remote,
 * from the target), at the core's leg up, at a remote signalled anew, at
 * a subtraction (its bytes) and an add; ended at RELEASED with each
 * leg's bytes, the target's as BYTES_FROM/TO, no packets, its duration,
 * why; sequence 1..n. */
static void
test_x2_agw_life(void **state)
{
	const uint64_t id = 0x0000000200000007ull;
	uint64_t in[2] = { 0 }, out[2] = { 0 };
	struct cp_agw_ctx c;
	const struct li_x2_ev *e;

	(void)state;
	cp.wall_ms = 1700000000000ull;
	msrp_make(&c, id, 2, true);
	cp_li_x2_agw(&cp, &c, NULL, true);
	assert_int_equal(nsent, 0);                     /* no task */
	ctask(7, 2, X1_DELIVERY_X2_AND_X3, 0);
	cp_li_x2_agw(&cp, &c, NULL, true);
	assert_int_equal(nsent, 1);
	e = &sent[0].ev;
	assert_int_equal(e->event, LI_X2_EV_CTX_CREATED);
	assert_true(e->session == id && sent[0].alloc_id == id);
	assert_true(sent[0].x.correlation == id);
	assert_int_equal(sent[0].x.seq, 1);
	assert_int_equal(sent[0].x.xid[0], 7);
	assert_int_equal(sent[0].worker, 2);
	assert_int_equal(sent[0].x.ndest, 2);           /* X2Only, X2andX3 */
	assert_int_equal(e->target_term, 0);
	assert_int_equal(e->term[0].serial, 1);
	assert_int_equal(e->term[0].leg_role, LI_X2_LEG_LISTEN);
	assert_int_equal(e->term[0].tls, 1);
	assert_int_equal(e->term[1].leg_role, LI_X2_LEG_CONNECT);
	assert_int_equal(e->term[1].tls, 1);
	assert_int_equal(e->term[0].local.port, 20000);
	assert_true(e->term[0].remote.port == 0 && e->term[0].remote.ip[3] == 2);
	assert_int_equal(e->term[1].remote.port, 5300);
	assert_false(e->has & (LI_X2_HAS(LI_X2F_LATCHED) | LI_X2_HAS(LI_X2F_MEDIA) |
			       LI_X2_HAS(LI_X2F_SRTP)));
	assert_int_equal(e->server.port, 20000);
	assert_int_equal(e->client.ip[3], 2);
	for (unsigned int i = 0; i + 8 <= sent[0].x.len; i++)
		assert_false(memcmp(sent[0].payload + i, "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa", 8) == 0);
	cp_li_x2_agw(&cp, &c, NULL, false);
	assert_int_equal(nsent, 1);                     /* nothing new */

	/* the UE's leg up: its connection's remote */
	c.tcp.leg_state[0] = CP_AGW_LEG_UP;
	a4(&c.tcp.leg_local[0], 10, 210, 0, 1, 20000);
	a4(&c.tcp.leg_remote[0], 10, 210, 0, 2, 41234);
	agw_ev(&c, IPC_AGW_EV_LEG_UP, 0, 1, 0, NULL, NULL);
	assert_int_equal(nsent, 2);
	e = &sent[1].ev;
	assert_int_equal(e->event, LI_X2_EV_CTX_MODIFIED);
	assert_int_equal(e->change, LI_X2_CH_LATCHED);
	assert_int_equal(sent[1].x.dir, LI_DIR_FROM_TARGET);
	assert_int_equal(e->term[0].latched.port, 41234);
	assert_int_equal(e->client.port, 41234);
	assert_int_equal(sent[1].x.seq, 2);
	/* the core's leg up (dp picked its port) */
	c.tcp.leg_state[1] = CP_AGW_LEG_UP;
	a4(&c.tcp.leg_local[1], 10, 211, 0, 1, 33000);
	a4(&c.tcp.leg_remote[1], 10, 211, 0, 2, 5300);
	agw_ev(&c, IPC_AGW_EV_LEG_UP, 1, 2, 0, NULL, NULL);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[2].ev.change, LI_X2_CH_LATCHED);
	assert_int_equal(sent[2].x.dir, LI_DIR_NA);
	assert_int_equal(sent[2].ev.term[1].local.port, 33000);
	/* the core's remote signalled anew (an AGW_MOD) */
	c.tcp.term[1].remote.port = 5400;
	cp_li_x2_agw(&cp, &c, NULL, true);
	assert_int_equal(nsent, 4);
	assert_int_equal(sent[3].ev.event, LI_X2_EV_CTX_MODIFIED);
	assert_int_equal(sent[3].ev.change, LI_X2_CH_REMOTE);
	assert_int_equal(sent[3].ev.term[1].remote.port, 5400);
	/* the core's leg subtracted: its bytes as it left */
	memset(&c.tcp.term[1], 0, sizeof(c.tcp.term[1]));
	c.tcp.leg_state[1] = CP_AGW_LEG_EMPTY;
	memset(&c.tcp.leg_remote[1], 0, sizeof(c.tcp.leg_remote[1]));
	in[1] = 1000;
	out[1] = 2000;
	agw_ev(&c, IPC_AGW_EV_SUBTRACTED, 1, 2, IPC_AGW_CONTROLLER, in, out);
	assert_int_equal(nsent, 5);
	e = &sent[4].ev;
	assert_int_equal(e->change, LI_X2_CH_SUBTRACTED);
	assert_int_equal(e->term[1].serial, 2);
	assert_true(e->term[1].bytes_in == 1000 && e->term[1].bytes_out == 2000 &&
		    e->term[1].pkts_in == 0);
	/* another added in its slot (plain) */
	c.tcp.term[1].tcp_role = IPC_AGW_TCP_CLIENT;
	c.tcp.term[1].serial = 3;
	a4(&c.tcp.term[1].remote, 10, 211, 0, 3, 5301);
	c.tcp.leg_state[1] = CP_AGW_LEG_WAITING;
	cp_li_x2_agw(&cp, &c, NULL, true);
	assert_int_equal(nsent, 6);
	assert_int_equal(sent[5].ev.change, LI_X2_CH_ADDED);
	assert_int_equal(sent[5].ev.term[1].serial, 3);
	assert_int_equal(sent[5].ev.term[1].tls, 0);
	/* released, 5 s later: each leg's bytes */
	cp.wall_ms += 5000;
	in[0] = 43000;
	out[0] = 41280;
	in[1] = 41280;
	out[1] = 43000;
	agw_ev(&c, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, 0, IPC_AGW_CONTROLLER, in, out);
	assert_int_equal(nsent, 7);
	e = &sent[6].ev;
	assert_int_equal(e->event, LI_X2_EV_CTX_ENDED);
	assert_true(e->bytes_from == 43000 && e->bytes_to == 41280);
	assert_false(e->has & (LI_X2_HAS(LI_X2F_PKTS_FROM) | LI_X2_HAS(LI_X2F_PKTS_TO)));
	assert_true(e->term[0].bytes_in == 43000 && e->term[1].bytes_out == 43000 &&
		    e->term[1].serial == 3);
	assert_true(e->duration_ms == 5000);
	assert_int_equal(e->exact, 1);
	assert_int_equal(e->ctx_reason, LI_X2_CR_RELEASED);
	assert_int_equal(sent[6].x.seq, 7);
	for (unsigned int i = 0; i < nsent; i++)
		assert_true(sent[i].x.correlation == id && sent[i].worker == 2);
	/* gone */
	agw_ev(&c, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, 0, IPC_AGW_CONTROLLER, in, out);
	assert_int_equal(nsent, 7);
}

/* Met after it was made (a pass): ongoing, under the task's correlation
 * ID; matched by its connection's remote alone (the signalled one
 * another's); another UE's context, an X3Only task and the standby:
 * nothing; the task deactivated before the pass came, its release is not
 * told (review V7). */
static void
test_x2_agw_ongoing_and_none(void **state)
{
	struct cp_agw_ctx c, other;
	uint64_t in[2] = { 5, 6 }, out[2] = { 7, 8 };

	(void)state;
	cp.wall_ms = 1700000000000ull;
	ctask(8, 2, X1_DELIVERY_X2_AND_X3, 0x1234);
	msrp_make(&c, 0x0000000100000009ull, 9, false);
	msrp_make(&other, 0x000000010000000bull, 3, true);
	cp_li_x2_agw(&cp, &other, NULL, true);
	agw_ev(&other, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, 0, IPC_AGW_CONTROLLER, in, out);
	assert_int_equal(nsent, 0);
	cp_li_x2_agw(&cp, &c, NULL, true);
	assert_int_equal(nsent, 0);                     /* 10.210.0.9: not the target */
	c.tcp.leg_state[0] = CP_AGW_LEG_UP;
	a4(&c.tcp.leg_remote[0], 10, 210, 0, 2, 41000);
	cp.ha_standby = true;
	agw_ev(&c, IPC_AGW_EV_LEG_UP, 0, 1, 0, NULL, NULL);
	assert_int_equal(nsent, 0);
	cp.ha_standby = false;
	cp_li_x2_agw(&cp, &c, NULL, false);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].ev.event, LI_X2_EV_CTX_ONGOING);
	assert_true(sent[0].x.correlation == 0x1234);
	assert_int_equal(sent[0].ev.term[0].latched.port, 41000);
	/* DeactivateTask; the context released before the pass came */
	cp_li_task_drop(li, 0);
	agw_ev(&c, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, 0, IPC_AGW_CONTROLLER, in, out);
	assert_int_equal(nsent, 1);
	ctask(9, 2, X1_DELIVERY_X3_ONLY, 0);
	cp_li_x2_agw(&cp, &c, NULL, false);
	assert_int_equal(nsent, 1);
	assert_int_equal(ntried, 1);
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
		cmocka_unit_test_setup_teardown(test_x2_ctx_life, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_ctx_ongoing_and_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_ctx_nothing_after_deactivation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_x2_agw_life, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2_agw_ongoing_and_none, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
