/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's matcher on the gateway's RTP contexts (li_match_rtp.c,
 * docs/design/li.md §4; issue 70 slice 6): an address or CIDR target
 * meets a termination's signalled remote or its latched source (RTP or
 * RTCP), never a NAI; the termination it meets is the target's; an
 * empty slot is not looked at; term 0 before term 1; a task dropped is
 * seen at once.
 * And li_rtp_taps.c, what dp is told (RTP_TAP) as cp/agw's contexts
 * change: cp/agw's hooks and cp_dp_send() stubbed, its table of contexts
 * the test's: a transfer of the target's termination is told again
 * (review V5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "ipc_types.h"
#include "li_x2_cp.h"
#include "li.h"
#include "li_internal.h"
#include "li_rtp_taps.h"

/* ---- stubs: what li_rtp_taps.c calls outside cp/li ---- */

static cp_agw_rtp_sent_fn sent_fn;
static void *sent_arg;

#define TAPS_MAX 8
static struct ipc_rtp_tap taps[TAPS_MAX];     /* the RTP_TAPs dp was sent */
static uint64_t tap_ids[TAPS_MAX];
static unsigned int ntaps;

int
cp_agw_observe(struct cp_ctx *cp, enum cp_agw_kind kind, cp_agw_observer_fn fn, void *arg)
{
	(void)cp;
	(void)fn;
	(void)arg;
	assert_int_equal(kind, CP_AGW_KIND_RTP);
	return 0;
}

void
cp_agw_on_rtp_sent(struct cp_ctx *cp, cp_agw_rtp_sent_fn fn, void *arg)
{
	(void)cp;
	sent_fn = fn;
	sent_arg = arg;
}

/* (the context's X2, li_x2.c's: test_cp_li_x2's to judge) */
void
cp_li_x2_ctx(struct cp_ctx *cp, const struct cp_agw_ctx *c, const struct ipc_rtp_event *e,
	     bool added)
{
	(void)cp;
	(void)c;
	(void)e;
	(void)added;
}

int
cp_dp_send(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m, unsigned int headroom)
{
	(void)cp;
	(void)w;
	assert_int_equal(headroom, CP_RING_HEADROOM);
	assert_int_equal(m->h.kind, IPC_RTP_TAP);
	assert_int_equal(ipc_msg_check(m, IPC_CP2DP), 0);
	assert_true(ntaps < TAPS_MAX);
	memcpy(&taps[ntaps], m->body, sizeof(taps[0]));
	tap_ids[ntaps++] = m->h.alloc_id;
	return 0;
}

static struct cp_li *
li_new(void)
{
	struct cp_li *li = calloc(1, sizeof(*li));

	assert_non_null(li);
	return li;
}

static void
li_free(struct cp_li *li)
{
	while (li->ntasks > 0)
		cp_li_task_drop(li, li->ntasks - 1);
	cp_li_index_free(li);
	free(li);
}

static void
task_add(struct cp_li *li, uint8_t id, const struct x1_target *tg)
{
	struct cp_li_task t;

	memset(&t, 0, sizeof(t));
	t.t.xid[0] = id;
	t.t.n_targets = 1;
	t.t.targets[0] = *tg;
	t.t.delivery = X1_DELIVERY_X3_ONLY;
	t.t.n_dids = 1;
	t.t.dids[0][0] = 0xd0;
	assert_int_equal(cp_li_task_set(li, &t), 0);
}

static struct x1_target
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t prefix)
{
	struct x1_target t = { .kind = prefix == 32 ? X1_T_IPV4 : X1_T_IPV4_CIDR, .family = 4,
			       .prefix = prefix, .addr = { a, b, c, d } };

	return t;
}

static void
addr4(struct ipc_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->ip[0] = x;
	a->ip[1] = y;
	a->ip[2] = z;
	a->ip[3] = w;
	a->port = port;
}

/* A context of two terminations: the access side's remote 10.210.0.2,
 * the core's 10.1.0.20, nothing latched. */
static void
ctx_make(struct ipc_rtp_term term[2], struct ipc_rtp_stats st[2])
{
	memset(term, 0, 2 * sizeof(*term));
	memset(st, 0, 2 * sizeof(*st));
	for (unsigned int i = 0; i < 2; i++) {
		term[i].profile = IPC_RTP_AVP;
		addr4(&term[i].local, 10, 210, 0, 1, (uint16_t)(30000 + 2 * i));
	}
	addr4(&term[0].remote, 10, 210, 0, 2, 5004);
	addr4(&term[1].remote, 10, 1, 0, 20, 6004);
}

/* The task's XID[0] matching (-1: none), the target's termination in *t. */
static int
match(struct cp_li *li, const struct ipc_rtp_term term[2], const struct ipc_rtp_stats st[2],
      unsigned int *t)
{
	const struct cp_li_task *k = cp_li_match_rtp(li, term, st, t);

	return k == NULL ? -1 : k->t.xid[0];
}

static void
test_cp_li_rtp_signalled_remote_either_side(void **state)
{
	struct cp_li *li = li_new();
	struct ipc_rtp_term term[2];
	struct ipc_rtp_stats st[2];
	struct x1_target caller = v4(10, 210, 0, 2, 32), core = v4(10, 1, 0, 0, 24);
	unsigned int t = 9;

	(void)state;
	ctx_make(term, st);
	assert_int_equal(match(li, term, st, &t), -1);
	assert_int_equal(t, 0);
	task_add(li, 1, &caller);
	assert_int_equal(match(li, term, st, &t), 1);
	assert_int_equal(t, 0);
	/* the other side's remote under a CIDR: its termination is the
	 * target's (term 0 is not targeted by task 2) */
	cp_li_task_drop(li, 0);
	task_add(li, 2, &core);
	assert_int_equal(match(li, term, st, &t), 2);
	assert_int_equal(t, 1);
	/* no stats yet: the signalled remotes alone */
	assert_int_equal(match(li, term, NULL, &t), 2);
	/* an empty slot is not looked at, whatever it holds */
	term[1].profile = IPC_RTP_NONE;
	assert_int_equal(match(li, term, st, &t), -1);
	li_free(li);
}

static void
test_cp_li_rtp_latched_source(void **state)
{
	struct cp_li *li = li_new();
	struct ipc_rtp_term term[2];
	struct ipc_rtp_stats st[2];
	struct x1_target nat = v4(198, 51, 100, 7, 32);
	unsigned int t = 9;

	(void)state;
	ctx_make(term, st);
	task_add(li, 3, &nat);
	assert_int_equal(match(li, term, st, &t), -1);
	/* a source learnt but not latched (the flag clear): not looked at */
	addr4(&st[0].rtp_src, 198, 51, 100, 7, 40000);
	assert_int_equal(match(li, term, st, &t), -1);
	st[0].latched = IPC_RTP_LATCHED_RTP;
	assert_int_equal(match(li, term, st, &t), 3);
	assert_int_equal(t, 0);
	/* RTCP's latched source alone (a pair, RTP from elsewhere) */
	memset(&st[0], 0, sizeof(st[0]));
	addr4(&st[1].rtcp_src, 198, 51, 100, 7, 40001);
	st[1].latched = IPC_RTP_LATCHED_RTCP;
	assert_int_equal(match(li, term, st, &t), 3);
	assert_int_equal(t, 1);
	li_free(li);
}

static void
test_cp_li_rtp_nai_never_and_term0_first(void **state)
{
	struct cp_li *li = li_new();
	struct ipc_rtp_term term[2];
	struct ipc_rtp_stats st[2];
	struct x1_target n = { .kind = X1_T_NAI }, a0 = v4(10, 210, 0, 2, 32),
			 a1 = v4(10, 1, 0, 20, 32);
	unsigned int t = 9;

	(void)state;
	ctx_make(term, st);
	snprintf(n.nai, sizeof(n.nai), "%s", "alice");
	task_add(li, 4, &n);
	assert_int_equal(match(li, term, st, &t), -1);
	/* both sides targeted, by two tasks: term 0's, whichever came first */
	task_add(li, 5, &a1);
	task_add(li, 6, &a0);
	assert_int_equal(match(li, term, st, &t), 6);
	assert_int_equal(t, 0);
	/* its task dropped: term 1's at once */
	cp_li_task_drop(li, 2);
	assert_int_equal(match(li, term, st, &t), 5);
	assert_int_equal(t, 1);
	li_free(li);
}

/* A party that writes a target's address in its SDP (term 0 signalled at
 * 10.9.9.9, task 8's target) does not draw the call into that task when
 * dp latched the other side on a target of its own (term 1's source
 * 10.1.0.20, task 7): the latched source first (review V2). Before any
 * latch, the signalled remote is all there is. */
static void
test_cp_li_rtp_latched_before_signalled(void **state)
{
	struct cp_li *li = li_new();
	struct ipc_rtp_term term[2];
	struct ipc_rtp_stats st[2];
	struct x1_target real = v4(10, 1, 0, 20, 32), named = v4(10, 9, 9, 9, 32);
	unsigned int t = 9;

	(void)state;
	ctx_make(term, st);
	addr4(&term[0].remote, 10, 9, 9, 9, 5004);    /* another's address in SDP */
	addr4(&term[1].remote, 10, 1, 0, 99, 6004);   /* (signalled elsewhere) */
	task_add(li, 7, &real);
	task_add(li, 8, &named);
	assert_int_equal(match(li, term, st, &t), 8);  /* nothing latched yet */
	assert_int_equal(t, 0);
	addr4(&st[0].rtp_src, 10, 210, 0, 2, 40000);  /* term 0's real source */
	st[0].latched = IPC_RTP_LATCHED_RTP;
	addr4(&st[1].rtp_src, 10, 1, 0, 20, 6004);
	st[1].latched = IPC_RTP_LATCHED_RTP;
	assert_int_equal(match(li, term, st, &t), 7);
	assert_int_equal(t, 1);
	li_free(li);
}

/* The RTP_TAP last sent is on (task xid0, the target's termination term)
 * or off, for context id. */
static void
tap_is(unsigned int k, uint64_t id, bool on, uint8_t xid0, uint8_t term)
{
	assert_true(k < ntaps);
	assert_true(tap_ids[k] == id);
	assert_int_equal(taps[k].tap.on, on ? 1 : 0);
	if (on) {
		assert_int_equal(taps[k].tap.xid[0], xid0);
		assert_int_equal(taps[k].term, term);
		assert_int_equal(taps[k].tap.ndest, 1);
	}
}

/* A transfer (review V5): dp's SUB_TERM of the target's termination
 * takes dp's tap with it (dp/rtp's rtp_li_term_off()), so cp's record of
 * what dp holds goes too: the party added in that slot is tapped anew
 * when a task targets it, even the same task (a CIDR), and told "off"
 * otherwise. The other side's termination replaced: the target's tap
 * stays, nothing sent. */
static void
test_cp_li_rtp_transfer_taps_again(void **state)
{
	static struct cp_ctx cp;
	static struct cp_agw agw;
	static struct cp_agw_ctx ctx[4];
	struct cp_li *li = li_new();
	struct x1_target lan = v4(10, 210, 0, 0, 24);
	struct cp_li_dest d;
	struct cp_agw_ctx *c = &ctx[1];
	uint64_t id = ipc_conn_make(0, 1, 5);

	(void)state;
	memset(&cp, 0, sizeof(cp));
	memset(&agw, 0, sizeof(agw));
	memset(ctx, 0, sizeof(ctx));
	ntaps = 0;
	memset(&d, 0, sizeof(d));
	d.d.did[0] = 0xd0;
	d.d.delivery = X1_DELIVERY_X3_ONLY;
	d.d.ip_port = true;
	d.d.tcp = true;
	d.d.family = 4;
	d.d.addr[0] = 127;
	d.d.addr[3] = 1;
	d.d.port = 7003;
	assert_int_equal(cp_li_dest_set(li, &d), 0);
	task_add(li, 1, &lan);
	agw.nworkers = 1;
	agw.tab[CP_AGW_KIND_RTP].per_worker = 4;
	agw.tab[CP_AGW_KIND_RTP].ctx = ctx;
	cp.agw = &agw;
	cp.li = li;
	cp.ready = true;
	c->id = id;
	c->kind = CP_AGW_KIND_RTP;
	ctx_make(c->rtp.term, c->rtp.st);     /* term 0 at 10.210.0.2: targeted */
	c->rtp.term[0].serial = 1;
	c->rtp.term[1].serial = 2;
	c->serial_next = 2;
	assert_int_equal(cp_li_rtp_taps_open(&cp), 0);
	assert_non_null(sent_fn);
	(void)cp_li_rtp_taps_step(&cp);        /* a started cp's first pass */
	assert_int_equal(ntaps, 1);
	tap_is(0, id, true, 1, 0);
	(void)cp_li_rtp_taps_step(&cp);
	assert_int_equal(ntaps, 1);
	/* the core's side replaced: the target still there, nothing to tell */
	c->rtp.term[1].serial = ++c->serial_next;
	addr4(&c->rtp.term[1].remote, 10, 1, 0, 21, 6004);
	sent_fn(&cp, id, IPC_RTP_MOD, sent_arg);
	sent_fn(&cp, id, IPC_RTP_MOD, sent_arg);
	(void)cp_li_rtp_taps_step(&cp);
	assert_int_equal(ntaps, 1);
	/* term 0 transferred to 10.210.0.3, under the same task's CIDR: dp
	 * dropped the tap at SUB_TERM, so it is told again */
	c->rtp.term[0].serial = ++c->serial_next;
	addr4(&c->rtp.term[0].remote, 10, 210, 0, 3, 5004);
	sent_fn(&cp, id, IPC_RTP_MOD, sent_arg);
	sent_fn(&cp, id, IPC_RTP_MOD, sent_arg);
	(void)cp_li_rtp_taps_step(&cp);
	assert_int_equal(ntaps, 2);
	tap_is(1, id, true, 1, 0);
	(void)cp_li_rtp_taps_step(&cp);
	assert_int_equal(ntaps, 2);
	/* transferred again, to a party no task targets: off */
	c->rtp.term[0].serial = ++c->serial_next;
	addr4(&c->rtp.term[0].remote, 192, 0, 2, 9, 5004);
	sent_fn(&cp, id, IPC_RTP_MOD, sent_arg);
	(void)cp_li_rtp_taps_step(&cp);
	assert_int_equal(ntaps, 3);
	tap_is(2, id, false, 0, 0);
	(void)cp_li_rtp_taps_step(&cp);
	assert_int_equal(ntaps, 3);
	cp_li_rtp_taps_close(&cp);
	li_free(li);
}

/*
 * BUNDLE (review V3): a member has no remote or latch of its own (its
 * media ride its owner's transport): it is matched through its owner's
 * termination, signalled or latched, its own slot the target's; unknown
 * owner, nothing; a member's own remote never looked at; the other slot
 * matched as ever. cp_li_match_rtp() alone (no owner) missed it: a WebRTC
 * target's video escaped.
 */
static void
test_cp_li_rtp_bundle_member_through_its_owner(void **state)
{
	struct cp_li *li = li_new();
	struct ipc_rtp_term term[2], own[2];
	struct ipc_rtp_stats st[2], ost[2];
	struct x1_target caller = v4(10, 210, 0, 2, 32), core = v4(10, 1, 0, 0, 24);
	const struct ipc_rtp_term *ot[2] = { NULL, NULL };
	const struct ipc_rtp_stats *os[2] = { NULL, NULL };
	unsigned int t = 9;

	(void)state;
	/* the owner's context: the browser's transport on term 0 */
	ctx_make(own, ost);
	/* the member's: term 0 a member of it (no remote), term 1 the core's */
	ctx_make(term, st);
	memset(&term[0].remote, 0, sizeof(term[0].remote));
	term[0].bundle.role = IPC_RTP_BUNDLE_MEMBER;
	term[0].bundle.owner = 42;
	term[0].bundle.owner_term = 0;
	addr4(&term[1].remote, 10, 2, 0, 20, 6004);
	task_add(li, 1, &caller);
	/* the owner unknown: nothing (the matcher without BUNDLE: nothing) */
	assert_null(cp_li_match_rtp_bundle(li, term, st, ot, os, &t));
	assert_null(cp_li_match_rtp(li, term, st, &t));
	/* through its owner's signalled remote */
	ot[0] = &own[0];
	os[0] = &ost[0];
	assert_non_null(cp_li_match_rtp_bundle(li, term, st, ot, os, &t));
	assert_int_equal(t, 0);
	/* through its owner's latched source (signalled elsewhere) */
	addr4(&own[0].remote, 10, 9, 9, 9, 5004);
	assert_null(cp_li_match_rtp_bundle(li, term, st, ot, os, &t));
	ost[0].latched = IPC_RTP_LATCHED_RTP;
	addr4(&ost[0].rtp_src, 10, 210, 0, 2, 5008);
	assert_non_null(cp_li_match_rtp_bundle(li, term, st, ot, os, &t));
	assert_int_equal(t, 0);
	/* a member's own remote and figures are not its media's */
	ost[0].latched = 0;
	addr4(&term[0].remote, 10, 210, 0, 2, 5004);
	st[0].latched = IPC_RTP_LATCHED_RTP;
	addr4(&st[0].rtp_src, 10, 210, 0, 2, 5008);
	assert_null(cp_li_match_rtp_bundle(li, term, st, ot, os, &t));
	/* the other slot as ever: the core's side under a CIDR */
	cp_li_task_drop(li, 0);
	task_add(li, 2, &core);
	addr4(&term[1].remote, 10, 1, 0, 20, 6004);
	assert_non_null(cp_li_match_rtp_bundle(li, term, st, ot, os, &t));
	assert_int_equal(t, 1);
	li_free(li);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cp_li_rtp_signalled_remote_either_side),
		cmocka_unit_test(test_cp_li_rtp_latched_source),
		cmocka_unit_test(test_cp_li_rtp_nai_never_and_term0_first),
		cmocka_unit_test(test_cp_li_rtp_latched_before_signalled),
		cmocka_unit_test(test_cp_li_rtp_transfer_taps_again),
		cmocka_unit_test(test_cp_li_rtp_bundle_member_through_its_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
