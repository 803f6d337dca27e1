/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's Notifies of an RTP termination (iq_notify.c, iq_term.c) over
 * cp/agw's RTP contexts, a private ring segment standing for dp: the one
 * g/cause and hangterm/thb code that TCP legs use, now for RTP
 * terminations too. Heard by the controller (iq_send_request(), here a
 * stub that writes each request's actions down):
 *  - the operator's release (turnpikectl agw release): g/cause NR,
 *    controller, for the terminations whose Events asked g/cause only;
 *  - dp refusing the context when cp installs it again after dp's
 *    restart (RTP_ADD answered RELEASED setup_failed): UR, dp's sentence;
 *  - dp refusing a termination added (SUBTRACTED setup_failed): UR for
 *    it alone; the operator's subtract: NR;
 *  - the controller's own Subtract and W-Subtract: nothing (it asked),
 *    even when its SUBTRACTED comes after another termination took the
 *    slot;
 *  - hangterm/thb each timerx on an RTP termination, its period started
 *    again by a command naming it, none with timerx 0;
 *  - what a restarted cp gets back from dp (RTP_STATE: the memo) still
 *    gives the Notify;
 *  - WebRTC's events (issue 68): ice/ccr (the nominated pair), ice/cfl
 *    (its consent lost), dtls/est, dtls/fail, each to the termination
 *    whose Events asked it, with its parameters; none on RTCP's flow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "iq/iq.h"
#include "iq/iq_internal.h"
#include "ipc.h"
#include "policy/policy.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static struct cp_iq *q;
static const struct cp_agw_caller op = { .is_operator = true };
static char conf_path[128], seg_name[64];

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; media_ports = [40000, 40039];\n"
	"  media_contexts = 4; };\n";

/* ---- the association, stubbed: what the controller would be sent ---------- */

#define SENT_MAX 16
static char sent[SENT_MAX][1024];
static unsigned int nsent;

int
iq_send_request(struct cp_ctx *c, struct cp_iq *x, void (*body)(struct h248_w *w, const void *arg),
		const void *arg, uint64_t cookie, uint64_t now_ms)
{
	struct h248_w w;

	(void)c;
	(void)x;
	(void)cookie;
	(void)now_ms;
	assert_true(nsent < SENT_MAX);
	h248_w_init(&w, sent[nsent], sizeof(sent[nsent]));
	body(&w, arg);
	assert_int_equal(w.err, 0);
	sent[nsent][w.len] = '\0';
	/* (the writer's layout, each run of line ends and tabs, as one
	 * space) */
	{
		char *r = sent[nsent], *o = sent[nsent];

		while (*r != '\0') {
			if (*r == '\n' || *r == '\t') {
				while (*r == '\n' || *r == '\t')
					r++;
				*o++ = ' ';
			} else {
				*o++ = *r++;
			}
		}
		*o = '\0';
	}
	nsent++;
	return 0;
}

void
iq_defer_event(struct cp_iq *x, const struct cp_agw_ctx *c, const struct ipc_agw_event *e,
	       uint64_t now_ms)
{
	(void)x;
	(void)c;
	(void)e;
	(void)now_ms;
}

void
iq_defer_rtp_event(struct cp_iq *x, const struct cp_agw_ctx *c, const struct ipc_rtp_event *e,
		   uint64_t now_ms)
{
	(void)x;
	(void)c;
	(void)e;
	(void)now_ms;
}

/* ---- set-up ------------------------------------------------------------------ */

static int
setup(void **state)
{
	char err[256];
	struct cp_policy *p;
	struct ipc_shm *shm;
	FILE *f;
	bool created;

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-iq-notify-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-iq-notify-%d", (int)getpid());
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fprintf(f, conf_text, seg_name);
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
	assert_int_equal(cp_agw_init(&cp), 0);
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
	ipc_side_set_media(&shm->dp_side, 40000, 40039);
	ipc_side_publish(&shm->dp_side, IPC_CAP_AGW | IPC_CAP_RTP, 0, 0, 2);
	q = calloc(1, sizeof(*q));
	assert_non_null(q);
	assert_int_equal(iq_term_init(&cp, q), 0);
	assert_int_equal(iq_notify_init(&cp, q), 0);
	nsent = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	iq_notify_fini(q);
	iq_term_fini(q);
	free(q);
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

/* An RTP/AVP termination to remote r whose Events asked flags (IQ_MEMO_*)
 * with request id rid, and hangterm/timerx (-1: none). */
static void
spec_rtp(struct cp_agw_spec *s, const char *r, uint16_t port, uint16_t flags, uint32_t rid,
	 int timerx)
{
	struct iq_memo m = { .flags = flags, .rid = rid };

	memset(s, 0, sizeof(*s));
	s->kind = CP_AGW_KIND_RTP;
	s->rtp.term.profile = IPC_RTP_AVP;
	s->rtp.term.mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	ip4(&s->rtp.term.remote, r, port);
	if (timerx >= 0) {
		m.flags |= IQ_MEMO_TIMERX;
		m.timerx_s = (uint32_t)timerx;
	}
	iq_memo_write(&m, s->rtp.term.memo);
}

/* A context of the Iq door (iq.tenant: the default one), made as cp/iq's
 * Add makes it. */
static struct cp_agw_ctx *
make(const struct cp_agw_spec two[2])
{
	struct cp_agw_ctx *c = NULL;
	char err[256];

	assert_int_equal(cp_agw_create(&cp, two, CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_IQ,
				       q->who.tenant, &c, err, sizeof(err)), 0);
	drain();
	return c;
}

static void
event(uint64_t id, unsigned int w, uint8_t type, uint8_t term, uint16_t serial, uint8_t cause,
      const char *detail)
{
	static struct ipc_msg m;
	struct ipc_rtp_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.term = term;
	e.serial = serial;
	e.cause = cause;
	if (detail != NULL)
		e.detail_len = (uint16_t)snprintf(e.detail, sizeof(e.detail), "%s", detail);
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_EVENT;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(e);
	memcpy(m.body, &e, sizeof(e));
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, w, &m);
}

/* The Notify g/cause of term in context h248 with request id rid,
 * Generalcause gc and Failurecause fc, among those sent. */
static bool
told(uint32_t h248, const char *term, uint32_t rid, const char *gc, const char *fc)
{
	char head[128], cause[320];

	snprintf(head, sizeof(head), "Context = %u { Notify = %s { ObservedEvents = %u { ", h248,
		 term, rid);
	snprintf(cause, sizeof(cause), ":g/cause { Generalcause = %s, Failurecause = \"%s\" } } } }",
		 gc, fc);
	for (unsigned int i = 0; i < nsent; i++)
		if (strstr(sent[i], head) != NULL && strstr(sent[i], cause) != NULL)
			return true;
	for (unsigned int i = 0; i < nsent; i++)
		print_message("sent: %s\n", sent[i]);
	return false;
}

static uint32_t
ctx_h248(const struct cp_agw_ctx *c)
{
	return iq_rtp_ctx_h248(&cp, c->id);
}

/* ---- the tests ---------------------------------------------------------------- */

/* The operator releases an Iq RTP context: the terminations that asked
 * g/cause hear it, NR (normal release), cause controller. */
static void
test_rtp_cause_operator_release(void **state)
{
	struct cp_agw_spec two[2];
	struct cp_agw_ctx *c;
	uint32_t h;
	uint64_t id;
	unsigned int w;
	char err[256];

	(void)state;
	spec_rtp(&two[0], "10.0.0.7", 5004, IQ_MEMO_CAUSE, 9, -1);
	spec_rtp(&two[1], "10.1.0.9", 6000, 0, 0, -1);    /* asked nothing */
	c = make(two);
	id = c->id;
	w = c->worker;
	h = ctx_h248(c);
	assert_true(h >= IQ_RTP_CTX_BASE);
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	assert_int_equal(nsent, 0);
	event(id, w, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, IPC_AGW_CONTROLLER, NULL);
	assert_int_equal(nsent, 1);
	assert_true(told(h, "rtp/0/1", 9, "NR", "controller"));
	assert_null(strstr(sent[0], "rtp/1/2"));
	assert_int_equal(q->ctr.stats[IQ_STAT_NOTIFY_SENT], 1);
}

/* dp restarted: cp installs the context again and the new dp refuses it
 * (RELEASED setup_failed, its sentence): both terminations hear UR. */
static void
test_rtp_cause_dp_refuses_at_restart(void **state)
{
	struct cp_agw_spec two[2];
	struct cp_agw_ctx *c;
	struct ipc_msg m;
	uint32_t h;
	uint64_t id;
	unsigned int w;

	(void)state;
	spec_rtp(&two[0], "10.0.0.7", 5004, IQ_MEMO_CAUSE, 4, -1);
	spec_rtp(&two[1], "10.1.0.9", 6000, IQ_MEMO_CAUSE, 5, -1);
	c = make(two);
	id = c->id;
	w = c->worker;
	h = ctx_h248(c);
	cp_agw_dp_restart(&cp);
	cp_agw_serve(&cp, cp.now_ms);
	assert_true(to_dp(w, &m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	assert_int_equal(nsent, 0);
	event(id, w, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, IPC_AGW_SETUP_FAILED,
	      "slot 5 is past agw.media_contexts (4)");
	assert_int_equal(nsent, 2);
	assert_true(told(h, "rtp/0/1", 4, "UR", "setup_failed: slot 5 is past agw.media_contexts (4)"));
	assert_true(told(h, "rtp/1/2", 5, "UR", "setup_failed: slot 5 is past agw.media_contexts (4)"));
	assert_null(cp_agw_lookup(&cp, &op, id));
}

/* A termination added that dp refuses (SUBTRACTED setup_failed): it alone
 * hears UR; the operator's subtract of the other: NR. */
static void
test_rtp_cause_term_refused_and_operator_subtract(void **state)
{
	struct cp_agw_spec two[2], one;
	struct cp_agw_ctx *c;
	unsigned int term = 9;
	uint32_t h;
	char err[256];

	(void)state;
	spec_rtp(&two[0], "10.0.0.7", 5004, IQ_MEMO_CAUSE, 7, -1);
	memset(&two[1], 0, sizeof(two[1]));
	two[1].kind = CP_AGW_KIND_RTP;
	c = make(two);
	h = ctx_h248(c);
	spec_rtp(&one, "10.1.0.9", 6000, IQ_MEMO_CAUSE, 8, -1);
	assert_int_equal(cp_agw_add(&cp, &q->who, c->id, CP_AGW_ANY, &one, CP_AGW_SETUP_DEFAULT,
				    &term, err, sizeof(err)), 0);
	assert_int_equal(term, 1);
	assert_int_equal(c->rtp.term[1].serial, 2);
	drain();
	event(c->id, c->worker, IPC_RTP_EV_SUBTRACTED, 1, 2, IPC_AGW_SETUP_FAILED,
	      "port 40002 is taken");
	assert_int_equal(nsent, 1);
	assert_true(told(h, "rtp/1/2", 8, "UR", "setup_failed: port 40002 is taken"));
	assert_int_equal(c->rtp.term[1].profile, IPC_RTP_NONE);
	/* the operator (the JSON door) subtracts the UE's: its slot is empty
	 * at once, dp's SUBTRACTED comes after; the controller hears it */
	assert_int_equal(cp_agw_subtract(&cp, &op, c->id, 0, err, sizeof(err)), 0);
	event(c->id, c->worker, IPC_RTP_EV_SUBTRACTED, 0, 1, IPC_AGW_CONTROLLER, NULL);
	assert_int_equal(nsent, 2);
	assert_true(told(h, "rtp/0/1", 7, "NR", "controller"));
	/* once */
	event(c->id, c->worker, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, IPC_AGW_CONTROLLER,
	      "its last termination subtracted");
	assert_int_equal(nsent, 2);
}

/* What the controller ends itself (iq_cmd.c's Subtract and W-Subtract:
 * iq_events_silence()) is not told back to it. */
static void
test_rtp_cause_controller_own_subtract(void **state)
{
	struct cp_agw_spec two[2], one;
	struct cp_agw_ctx *c;
	unsigned int term = 9;
	uint64_t id;
	unsigned int w;
	char err[256];

	(void)state;
	spec_rtp(&two[0], "10.0.0.7", 5004, IQ_MEMO_CAUSE, 7, -1);
	spec_rtp(&two[1], "10.1.0.9", 6000, IQ_MEMO_CAUSE, 8, -1);
	c = make(two);
	id = c->id;
	w = c->worker;
	/* Subtract = rtp/0/1, then Add = $ into its slot (a new key: a
	 * Subtract and an Add in one action), dp's SUBTRACTED after both */
	assert_int_equal(cp_agw_subtract(&cp, &q->who, id, 0, err, sizeof(err)), 0);
	iq_events_silence(q, c, 0, 1);
	spec_rtp(&one, "10.0.0.7", 5006, IQ_MEMO_CAUSE, 10, -1);
	assert_int_equal(cp_agw_add(&cp, &q->who, id, CP_AGW_ANY, &one, CP_AGW_SETUP_DEFAULT,
				    &term, err, sizeof(err)), 0);
	assert_int_equal(term, 0);
	assert_int_equal(c->rtp.term[0].serial, 3);
	iq_events_touch(q, c, 0);
	event(id, w, IPC_RTP_EV_SUBTRACTED, 0, 1, IPC_AGW_CONTROLLER, NULL);
	assert_int_equal(nsent, 0);
	/* W-Subtract = *: both silenced, RELEASED tells nothing */
	for (unsigned int t = 0; t < 2; t++)
		iq_events_silence(q, c, t, c->rtp.term[t].serial);
	assert_int_equal(cp_agw_release(&cp, &q->who, id, err, sizeof(err)), 0);
	event(id, w, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, IPC_AGW_CONTROLLER, NULL);
	assert_int_equal(nsent, 0);
	assert_null(cp_agw_lookup(&cp, &op, id));
}

/* Sweep both kinds' tables round once at now. */
static void
sweep(uint64_t now)
{
	unsigned int n = 0;

	while (!iq_hangterm_sweep(&cp, q, now))
		assert_true(++n < 16);
}

/* H.248.36 on RTP terminations: a heartbeat each timerx (1 s here), its
 * period started again by a command naming the termination; timerx 0:
 * none; the default period (60 s) without timerx. */
static void
test_rtp_hangterm(void **state)
{
	struct cp_agw_spec two[2];
	struct cp_agw_ctx *c;
	uint64_t t0 = 1000000;
	uint32_t h;

	(void)state;
	spec_rtp(&two[0], "10.0.0.7", 5004, IQ_MEMO_THB | IQ_MEMO_CAUSE, 3, 1);
	spec_rtp(&two[1], "10.1.0.9", 6000, IQ_MEMO_THB, 4, 0);
	c = make(two);
	h = ctx_h248(c);
	sweep(t0);                       /* (armed) */
	assert_int_equal(nsent, 0);
	sweep(t0 + 999);
	assert_int_equal(nsent, 0);
	sweep(t0 + 1000);
	assert_int_equal(nsent, 1);
	{
		char want[128];

		snprintf(want, sizeof(want), "Context = %u { Notify = rtp/0/1 { ObservedEvents = 3 "
			 "{ hangterm/thb } } }", h);
		if (strstr(sent[0], want) == NULL)
			fail_msg("sent: %s, wanted %s", sent[0], want);
	}
	assert_int_equal(q->ctr.stats[IQ_STAT_HEARTBEATS_SENT], 1);
	/* a Modify names it at t0 + 1500: the next is a period after it */
	sweep(t0 + 1500);
	iq_events_touch(q, c, 0);
	sweep(t0 + 1600);
	sweep(t0 + 2100);
	assert_int_equal(nsent, 1);
	sweep(t0 + 2600);
	assert_int_equal(nsent, 2);
	/* rtp/1/2 (timerx 0) never beat */
	for (unsigned int i = 0; i < nsent; i++)
		assert_null(strstr(sent[i], "rtp/1/2"));
}

/* A restarted cp gets the context back from dp (RTP_STATE, the memo
 * kept by dp): the Notify of its end still goes. */
static void
test_rtp_cause_after_cp_restart(void **state)
{
	struct cp_agw_spec two[2];
	struct cp_agw_ctx *c;
	static struct ipc_msg m;
	struct ipc_rtp_state *x;
	uint64_t id;
	unsigned int w;
	uint32_t h;
	char err[256];

	(void)state;
	spec_rtp(&two[0], "10.0.0.7", 5004, IQ_MEMO_CAUSE, 12, -1);
	spec_rtp(&two[1], "10.1.0.9", 6000, 0, 0, -1);
	c = make(two);
	id = c->id;
	w = c->worker;
	h = ctx_h248(c);
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_STATE;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	x = (void *)m.body;
	memcpy(x->ctx.term, c->rtp.term, sizeof(x->ctx.term));
	for (unsigned int t = 0; t < 2; t++) {
		memset(&x->ctx.term[t].srtp_tx, 0, sizeof(x->ctx.term[t].srtp_tx));
		x->st[t].serial = c->rtp.term[t].serial;
	}
	/* the restarted cp: cp/agw and cp/iq from nothing, dp's state */
	iq_notify_fini(q);
	iq_term_fini(q);
	cp_agw_fini(&cp);
	memset(&cp.dp, 0, sizeof(cp.dp));
	memset(q, 0, sizeof(*q));
	assert_int_equal(cp_agw_init(&cp), 0);
	assert_int_equal(iq_term_init(&cp, q), 0);
	assert_int_equal(iq_notify_init(&cp, q), 0);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, w, &m);
	assert_non_null(cp_agw_lookup(&cp, &q->who, id));
	assert_int_equal(cp_agw_release(&cp, &op, id, err, sizeof(err)), 0);
	event(id, w, IPC_RTP_EV_RELEASED, IPC_RTP_TERM_NONE, 0, IPC_AGW_CONTROLLER, NULL);
	assert_int_equal(nsent, 1);
	assert_true(told(h, "rtp/0/1", 12, "NR", "controller"));
}


/* dp's message of kind with body b, through cp's handler. */
static void
from_dp(uint16_t kind, unsigned int w, uint64_t id, const void *b, size_t n)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = kind;
	m.h.worker = (uint16_t)w;
	m.h.alloc_id = id;
	m.h.body_len = (uint16_t)n;
	memcpy(m.body, b, n);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, w, &m);
}

/* Was a Notify of term with request id rid and this observed event (its
 * text from the event's name on) sent? */
static bool
observed(uint32_t h248, const char *term, uint32_t rid, const char *ev)
{
	char head[128];

	snprintf(head, sizeof(head), "Context = %u { Notify = %s { ObservedEvents = %u { ", h248,
		 term, rid);
	for (unsigned int i = 0; i < nsent; i++)
		if (strstr(sent[i], head) != NULL && strstr(sent[i], ev) != NULL)
			return true;
	for (unsigned int i = 0; i < nsent; i++)
		print_message("sent: %s\n", sent[i]);
	return false;
}

/* A WebRTC termination (ICE lite, DTLS-SRTP from the UE's actpass) whose
 * Events asked WebRTC's four, beside a plain one that asked ice/ccr: dp's
 * nomination, consent lost, the handshake up then (a new association)
 * failed, each a Notify with its parameters to the first; the RTCP flow's
 * and the plain termination's nothing. */
/* cp/li's LI_T3 triggers name a context by the ContextID cp/iq gave it
 * (cp_iq_rtp_ctx_id(), docs/design/li.md §2.7): the Iq association's live
 * RTP context resolves; the operator API's, one the association of
 * another tenant would have made, a released one, a number of no
 * context, or no iq at all: none. */
static void
test_rtp_ctx_id_for_triggers(void **state)
{
	struct cp_agw_spec two[2];
	struct cp_agw_ctx *c, *api = NULL;
	char err[256];
	uint8_t tenant = q->who.tenant;
	uint64_t id;
	uint32_t h;

	(void)state;
	spec_rtp(&two[0], "10.0.0.2", 40000, 0, 0, -1);
	spec_rtp(&two[1], "10.1.0.2", 41000, 0, 0, -1);
	c = make(two);
	h = ctx_h248(c);
	id = c->id;
	assert_true(cp_iq_rtp_ctx_id(&cp, h) == 0);          /* no iq group */
	cp.iq = q;
	assert_true(cp_iq_rtp_ctx_id(&cp, h) == id);
	assert_true(cp_iq_rtp_ctx_id(&cp, h + 1) == 0);
	assert_true(cp_iq_rtp_ctx_id(&cp, 1) == 0);
	q->who.tenant = (uint8_t)(tenant + 1);                /* another tenant's association */
	assert_true(cp_iq_rtp_ctx_id(&cp, h) == 0);
	q->who.tenant = tenant;
	assert_int_equal(cp_agw_create(&cp, two, CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_API,
				       tenant, &api, err, sizeof(err)), 0);
	drain();
	assert_true(cp_iq_rtp_ctx_id(&cp, ctx_h248(api)) == 0);   /* the operator API's */
	assert_int_equal(cp_agw_release(&cp, &q->who, id, err, sizeof(err)), 0);
	drain();
	assert_true(cp_iq_rtp_ctx_id(&cp, h) == 0);          /* released */
	cp.iq = NULL;
}

static void
test_rtp_webrtc_events(void **state)
{
	struct cp_agw_spec two[2];
	struct cp_agw_ctx *c;
	struct ipc_dtls_cert cert;
	struct ipc_rtp_dtls_ev d;
	struct ipc_rtp_event e;
	uint64_t id;
	unsigned int w;
	uint32_t h;
	char err[256];

	(void)state;
	memset(&cert, 0, sizeof(cert));
	cert.gen = 1;
	cert.nfp = 1;
	cert.fp[0].alg = 2;
	cert.fp[0].len = 32;
	memset(cert.fp[0].md, 0xc1, 32);
	from_dp(IPC_DTLS_CERT, 0, 0, &cert, sizeof(cert));
	spec_rtp(&two[0], "10.0.0.7", 5004, IQ_MEMO_ICE_CCR | IQ_MEMO_ICE_CFL | IQ_MEMO_DTLS_EST |
		 IQ_MEMO_DTLS_FAIL, 21, -1);
	two[0].rtp.term.profile = IPC_RTP_SAVPF;
	two[0].rtp.term.flags = IPC_RTP_F_MUX;
	two[0].rtp.term.ice.mode = IPC_RTP_ICE_LITE;
	two[0].rtp.dtls.setup = CP_AGW_DTLS_PEER_ACTPASS;
	two[0].rtp.dtls.nfp = 1;
	two[0].rtp.dtls.fp[0].alg = 2;
	two[0].rtp.dtls.fp[0].len = 32;
	memset(two[0].rtp.dtls.fp[0].md, 0x11, 32);
	spec_rtp(&two[1], "10.1.0.9", 6000, IQ_MEMO_ICE_CCR, 22, -1);
	if (cp_agw_create(&cp, two, CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_IQ, q->who.tenant, &c,
			  err, sizeof(err)) != 0)
		fail_msg("%s", err);
	drain();
	id = c->id;
	w = c->worker;
	h = ctx_h248(c);
	assert_int_equal(c->rtp.term[0].ice.mode, IPC_RTP_ICE_LITE);
	assert_int_equal(c->rtp.term[0].dtls.role, IPC_RTP_DTLS_CLIENT);

	/* the UE nominated its pair: ice/ccr with its address; RTCP's flow
	 * (none with rtcp-mux, but dp could say) is not told */
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_NOMINATED;
	e.term = 0;
	e.serial = c->rtp.term[0].serial;
	ip4(&e.addr, "10.0.0.7", 5006);
	from_dp(IPC_RTP_EVENT, w, id, &e, sizeof(e));
	assert_int_equal(nsent, 1);
	assert_true(observed(h, "rtp/0/1", 21, "ice/ccr { addr = \"10.0.0.7:5006\" }"));
	e.rtcp = 1;
	from_dp(IPC_RTP_EVENT, w, id, &e, sizeof(e));
	assert_int_equal(nsent, 1);
	/* its consent lost (RFC 7675): ice/cfl, the pair and the silence */
	e.rtcp = 0;
	e.type = IPC_RTP_EV_CONSENT_LOST;
	e.silent_ms = 30000;
	from_dp(IPC_RTP_EVENT, w, id, &e, sizeof(e));
	assert_int_equal(nsent, 2);
	assert_true(observed(h, "rtp/0/1", 21,
			     "ice/cfl { addr = \"10.0.0.7:5006\", ms = \"30000\" }"));
	/* regained: no event of the profile's */
	e.type = IPC_RTP_EV_CONSENT_REGAINED;
	from_dp(IPC_RTP_EVENT, w, id, &e, sizeof(e));
	assert_int_equal(nsent, 2);
	/* the plain termination asked ice/ccr: a nomination there would be
	 * told, but it has no ICE and dp says none; its latch is not one */
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_LATCHED;
	e.term = 1;
	e.serial = c->rtp.term[1].serial;
	ip4(&e.addr, "10.1.0.9", 6000);
	from_dp(IPC_RTP_EVENT, w, id, &e, sizeof(e));
	assert_int_equal(nsent, 2);

	/* the handshake up: dtls/est, dp's role and the SRTP profile */
	memset(&d, 0, sizeof(d));
	d.term = 0;
	d.state = IPC_RTP_DTLS_UP;
	d.role = IPC_RTP_DTLS_CLIENT;
	d.attempts = 1;
	d.serial = c->rtp.term[0].serial;
	d.version = 0xfefd;
	d.profile = 0x0001;
	d.assoc = 1;
	ip4(&d.peer, "10.0.0.7", 5006);
	d.seen.alg = 2;
	d.seen.len = 32;
	memset(d.seen.md, 0x11, 32);
	d.rx.suite = 1;
	d.rx.key_len = 30;
	memset(d.rx.key, 0x5a, 30);
	d.tx.suite = 1;
	d.tx.key_len = 30;
	memset(d.tx.key, 0xa5, 30);
	snprintf(d.cipher, sizeof(d.cipher), "ECDHE-ECDSA-AES128-GCM-SHA256");
	from_dp(IPC_RTP_DTLS, w, id, &d, sizeof(d));
	assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_UP);
	assert_int_equal(nsent, 3);
	assert_true(observed(h, "rtp/0/1", 21,
			     "dtls/est { role = \"client\", profile = \"SRTP_AES128_CM_SHA1_80\" }"));
	/* a re-offer with another fingerprint (RFC 8842 §5: a new
	 * association) whose handshake fails: dtls/fail, dp's sentence */
	{
		struct cp_agw_rtp_dtls dd = two[0].rtp.dtls;
		struct cp_agw_rtp_mod md;

		memset(&md, 0, sizeof(md));
		memset(dd.fp[0].md, 0x99, 32);
		md.dtls = &dd;
		assert_int_equal(cp_agw_modify(&cp, &q->who, id, 0,
					       &(struct cp_agw_mod){ .kind = CP_AGW_KIND_RTP,
								     .rtp = md }, err, sizeof(err)),
				 0);
		drain();
	}
	memset(&d, 0, sizeof(d));
	d.term = 0;
	d.state = IPC_RTP_DTLS_FAILED;
	d.role = IPC_RTP_DTLS_CLIENT;
	d.why = 1;
	d.matched = -1;
	d.attempts = 1;
	d.serial = c->rtp.term[0].serial;
	d.assoc = 2;
	d.detail_len = (uint16_t)snprintf(d.detail, sizeof(d.detail), "fingerprint_mismatch: the "
					  "peer's certificate is none of the 1 signalled");
	from_dp(IPC_RTP_DTLS, w, id, &d, sizeof(d));
	assert_int_equal(c->rtp.dtls[0].state, IPC_RTP_DTLS_FAILED);
	assert_int_equal(nsent, 4);
	assert_true(observed(h, "rtp/0/1", 21, "dtls/fail { detail = \"fingerprint_mismatch: the "
			     "peer's certificate is none of the 1 signalled\" }"));
	assert_int_equal(q->ctr.stats[IQ_STAT_NOTIFY_SENT], 4);
	/* the memo's second octet of flags survives dp's keeping (a
	 * restarted cp reads it back the same) */
	{
		struct iq_memo m;

		iq_memo_read(c->rtp.term[0].memo, &m);
		assert_int_equal(m.flags, IQ_MEMO_ICE_CCR | IQ_MEMO_ICE_CFL | IQ_MEMO_DTLS_EST |
				 IQ_MEMO_DTLS_FAIL);
		assert_int_equal(m.rid, 21);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtp_cause_operator_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_cause_dp_refuses_at_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_cause_term_refused_and_operator_subtract,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_cause_controller_own_subtract, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtp_hangterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_cause_after_cp_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_webrtc_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_ctx_id_for_triggers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
