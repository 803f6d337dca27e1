/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's X1 operations (ETSI TS 103 221-1 §6.2-§6.6, docs/design/li.md
 * §2.4): an X1Request read with lib/li's reader, its identifiers checked,
 * each message applied to the tables in order and answered into one
 * X1Response. A change is checked whole first (every refusal of the table
 * below before anything is written), then written to li.db in one
 * transaction with its audit row, then made in the tables: a refused or
 * failed message leaves nothing half-done, and an acknowledged one
 * survives a restart.
 *
 *   ActivateTask       300 XID exists, 101 a CIDR with host bits set, a /0
 *                      (or ::ffff:0:0/96: every IPv4 address) or no DID,
 *                      401 a target turnpike does not match, 303 a DID
 *                      not provisioned, 402 no listed destination
 *                      carries X2 (or X3) the task asks for, 100 table full
 *   ModifyTask         301 and the same checks; created kept, modified and
 *                      numberOfModifications moved
 *   DeactivateTask     301; the rows removed (secure_delete)
 *   GetTaskDetails     301; the task as provisioned and its TaskStatus
 *   GetAllDetails      every task, then every destination
 *   Keepalive          OK
 *   CreateDestination  302 DID exists, 400 (the reader's) not an IP address
 *                      and TCP port, 100 table full
 *   ModifyDestination  303, 402 a task naming it would lose its only
 *                      carrier of X2 or X3
 *   RemoveDestination  303, 304 a task names it
 *
 * The CC-TF (li.x1.cctf_id, docs/design/li.md §2.7) is answered by the
 * same table, confined to its own: its tasks are triggers (one
 * IMS_T3 target naming a context of the Iq association, resolved at
 * activation: 100 when there is none, 401 for any other target or a
 * Unidirectional scope), the ADMF's tasks never triggers (401); each
 * party's XIDs are 301 to the other and GetAllDetails lists its own tasks.
 * Destinations are the ADMF's (review H2 of docs/design/li.md §8): the
 * CC-TF's Create/Modify/RemoveDestination is 100 whatever the DID, its
 * GetAllDetails lists only the destinations its triggers name, with
 * their connection's state and no figure (deliveries and drops are every
 * task's), and a trigger names an existing DID (303). One trigger a
 * context (100), CP_LI_TRIGGERS_MAX triggers (100; the ADMF's
 * CP_LI_TASKS_MAX apart: neither refusal tells the other's count).
 *
 * A request that changes anything is one li.db transaction (BEGIN
 * EXCLUSIVE, li_store.c) around all its messages: the store busy
 * (another process's lock, waited 20 ms at most) or failing at any
 * message, the transaction is rolled back, the tables read back as they
 * were, and every message of the request is answered 100 with a sentence
 * (TS 103 221-1's generic error): nothing of it applied, never half. One
 * log line names the file. Nothing here logs a task, a target, an XID or
 * a DID.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_types.h"
#include "li.h"
#include "li_internal.h"
#include "li_store.h"
#include "tp_log.h"
#include "x1.h"

/* What one message is answered with: its op, and its header's values. */
struct ans {
	struct cp_li *li;
	struct x1_w *w;
	const struct x1_msg *m;
	struct x1_resp_hdr h;
	char why[X1_ERRTEXT_MAX];
	int *failed;                  /* the request's first store failure */
	bool txn;                     /* inside the request's transaction */
	bool cctf;                    /* from the CC-TF (its triggers), not the ADMF */
};

bool
cp_li_task_is_trigger(const struct cp_li_task *t)
{
	return t->t.n_targets > 0 && t->t.targets[0].kind == X1_T_IMS_T3;
}

/* The task of xid, when it is the asking party's (-1: none, or the other
 * party's: 301 as absent). */
static int
own_index(const struct ans *a, const uint8_t xid[16])
{
	int i = cp_li_task_index(a->li, xid);

	if (i >= 0 && cp_li_task_is_trigger(a->li->tasks[i]) != a->cctf)
		return -1;
	return i;
}

static void
audit(struct ans *a, struct cp_li_audit *au, const uint8_t *id, int result)
{
	memset(au, 0, sizeof(*au));
	au->at_us = a->h.now_us;
	au->txid = a->m->hdr.txid;
	au->admf = a->m->hdr.admf;
	au->op = x1_op_name(a->m->op);
	au->id = id;
	au->result = result;
}

/* The message refused with code (and a.why, when said): its audit row,
 * then its ErrorResponse. */
static void
refuse(struct ans *a, const uint8_t *id, int code)
{
	struct cp_li_audit au;
	int rc;

	audit(a, &au, id, code);
	if ((rc = cp_li_store_audit(a->li->store, &au)) < 0) {
		/* in a change request the audit row is part of it: no audit,
		 * no request; a read's refusal is answered all the same */
		if (a->txn) {
			*a->failed = rc;
			return;
		}
		a->li->store_errors++;
		tp_log(TP_LOG_WARNING, "li: %s\n", cp_li_store_err(a->li->store));
	}
	x1_w_error(a->w, &a->h, a->m->op, code, a->why[0] != '\0' ? a->why : NULL);
}

/* A write the store refused: the request stops here, is rolled back and
 * answered 100 whole (cp_li_answer). */
static void
store_failed(struct ans *a, int rc)
{
	*a->failed = rc;
}

/* Bits past the prefix length set (a host inside, not a network). */
static bool
host_bits(const struct x1_target *g)
{
	unsigned int bytes = g->family == 4 ? 4 : 16;

	for (unsigned int b = g->prefix; b < bytes * 8u; b++)
		if (g->addr[b / 8] & (0x80u >> (b % 8)))
			return true;
	return false;
}

/* ::ffff:0:0, the IPv4-mapped IPv6 addresses' prefix (RFC 4291 §2.5.5.2). */
static bool
mapped_all(const uint8_t *ip)
{
	static const uint8_t m[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(ip, m, sizeof(m)) == 0;
}

static bool
carries(enum x1_delivery d, bool x3)
{
	return d == X1_DELIVERY_X2_AND_X3 || d == (x3 ? X1_DELIVERY_X3_ONLY :
						  X1_DELIVERY_X2_ONLY);
}

/* Whether the task's destinations carry what it asks for, with `with` (if
 * not NULL) in place of the destination of its DID. */
static bool
covered(const struct cp_li *li, const struct x1_task *t, const struct x1_dest *with)
{
	bool need2 = t->delivery != X1_DELIVERY_X3_ONLY;
	bool need3 = t->delivery != X1_DELIVERY_X2_ONLY;
	bool has2 = false, has3 = false;

	for (unsigned int i = 0; i < t->n_dids; i++) {
		const struct cp_li_dest *d = cp_li_dest_find(li, t->dids[i]);
		enum x1_delivery dl;

		if (d == NULL)
			continue;
		dl = with != NULL && memcmp(with->did, t->dids[i], 16) == 0 ? with->delivery :
									    d->d.delivery;
		has2 = has2 || carries(dl, false);
		has3 = has3 || carries(dl, true);
	}
	return (!need2 || has2) && (!need3 || has3);
}

/* ActivateTask's and ModifyTask's checks of the details: 0 or a code. */
static int
task_check(struct ans *a, const struct x1_task *t)
{
	if (t->delivery == X1_DELIVERY_NONE || t->n_targets == 0 || t->n_dids == 0) {
		snprintf(a->why, sizeof(a->why), "the task names no target, no destination or "
			 "no delivery type");
		return X1_E_SYNTAX;
	}
	if (a->cctf && (t->n_targets != 1 || t->targets[0].kind != X1_T_IMS_T3)) {
		snprintf(a->why, sizeof(a->why), "a CC-TF's trigger names one IMS-AGW context "
			 "(IMST3TargetIdentifierExtensions) and no other target");
		return X1_E_TARGET_NOT_SUPPORTED;
	}
	for (unsigned int i = 0; i < t->n_targets; i++) {
		const struct x1_target *g = &t->targets[i];

		switch (g->kind) {
		case X1_T_IMS_T3:
			if (!a->cctf) {
				snprintf(a->why, sizeof(a->why), "targetIdentifier %u: an LI_T3 "
					 "trigger is the CC-TF's, not the ADMF's", i + 1);
				return X1_E_TARGET_NOT_SUPPORTED;
			}
			if (g->t3_scope == X1_T3_SCOPE_UNI) {
				snprintf(a->why, sizeof(a->why), "turnpike copies a context's "
					 "media both ways: a Unidirectional TriggerScope is not "
					 "served");
				return X1_E_TARGET_NOT_SUPPORTED;
			}
			break;
		case X1_T_NAI:
		case X1_T_IPV4:
		case X1_T_IPV6:
			break;
		case X1_T_IPV4_CIDR:
		case X1_T_IPV6_CIDR:
			if (host_bits(g)) {
				snprintf(a->why, sizeof(a->why), "targetIdentifier %u: a CIDR "
					 "with bits set past its prefix length", i + 1);
				return X1_E_SYNTAX;
			}
			/* every address (or, ::ffff:0:0/96, every IPv4 one, as
			 * the matcher folds mapped addresses): a task on all
			 * traffic, not on a target */
			if (g->prefix == 0 || (g->family == 6 && g->prefix == 96 &&
					       mapped_all(g->addr))) {
				snprintf(a->why, sizeof(a->why), "targetIdentifier %u: a CIDR "
					 "of every address is no target", i + 1);
				return X1_E_SYNTAX;
			}
			break;
		default:
			snprintf(a->why, sizeof(a->why), "targetIdentifier %u: turnpike "
				 "matches NAI, IPv4/IPv6 addresses and CIDRs only", i + 1);
			return X1_E_TARGET_NOT_SUPPORTED;
		}
	}
	for (unsigned int i = 0; i < t->n_dids; i++) {
		if (cp_li_dest_find(a->li, t->dids[i]) == NULL) {
			snprintf(a->why, sizeof(a->why), "listOfDIDs entry %u is no destination "
				 "of this NE", i + 1);
			return X1_E_DID_NOT_FOUND;
		}
	}
	if (!covered(a->li, t, NULL)) {
		snprintf(a->why, sizeof(a->why), "no destination listed carries what the "
			 "task's deliveryType asks for");
		return X1_E_DELIVERY_TYPE;
	}
	return 0;
}

/* A trigger's ContextID resolved to the context it names now (*t3_ctx),
 * or a code: a ContextID the gateway never gave (or gave a context since
 * released) names nothing, and a trigger kept for it would tap whichever
 * later call the number came back with (docs/design/li.md §2.7). */
static int
trigger_resolve(struct ans *a, struct x1_task *t)
{
	struct x1_target *g = &t->targets[0];
	uint64_t ctx = 0;

	if (!a->cctf)
		return 0;
	if (a->li->t3_resolve == NULL ||
	    a->li->t3_resolve(a->li->t3_arg, g->h248_ctx, &ctx) != 0 || ctx == 0) {
		snprintf(a->why, sizeof(a->why), "no context of this NE's Iq association has "
			 "that H248ContextID");
		return X1_E_GENERIC;
	}
	g->t3_ctx = ctx;
	return 0;
}

/* The asking party's tasks (the CC-TF's: its triggers). */
static unsigned int
own_count(const struct ans *a)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->li->ntasks; i++)
		n += cp_li_task_is_trigger(a->li->tasks[i]) == a->cctf;
	return n;
}

/* A trigger other than xid's naming context ctx already: a second would
 * take nothing from the first (one tap a context) and only fill the
 * table (review M2). 100 with a sentence: TS 103 221-1 has no code for a
 * target already tasked (300 is an XID's); the CC-TF learns only of its
 * own triggers (the ADMF's tasks are never triggers). */
static int
trigger_dup(struct ans *a, const struct x1_task *t)
{
	uint64_t ctx = t->targets[0].t3_ctx;

	if (!a->cctf || ctx == 0)
		return 0;
	for (unsigned int i = 0; i < a->li->ntasks; i++) {
		const struct cp_li_task *o = a->li->tasks[i];

		if (cp_li_task_is_trigger(o) && o->t.targets[0].t3_ctx == ctx &&
		    memcmp(o->t.xid, t->xid, 16) != 0) {
			snprintf(a->why, sizeof(a->why), "another trigger of yours names that "
				 "context: one trigger a context (ModifyTask it)");
			return X1_E_GENERIC;
		}
	}
	return 0;
}

static void
activate(struct ans *a)
{
	const struct x1_task *t = &a->m->u.task;
	struct x1_task rt;
	struct cp_li_audit au;
	struct cp_li_task *n;
	int code, rc;

	if (cp_li_task_index(a->li, t->xid) >= 0) {
		refuse(a, t->xid, X1_E_XID_EXISTS);
		return;
	}
	if ((code = task_check(a, t)) != 0) {
		refuse(a, t->xid, code);
		return;
	}
	rt = *t;
	if ((code = trigger_resolve(a, &rt)) != 0 || (code = trigger_dup(a, &rt)) != 0) {
		refuse(a, t->xid, code);
		return;
	}
	/* each party's room its own (CP_LI_TRIGGERS_MAX): a refusal says
	 * nothing of the other's count (review M2) */
	if (own_count(a) >= (a->cctf ? CP_LI_TRIGGERS_MAX : CP_LI_TASKS_MAX)) {
		snprintf(a->why, sizeof(a->why), "this NE holds %u %s at most",
			 a->cctf ? CP_LI_TRIGGERS_MAX : CP_LI_TASKS_MAX,
			 a->cctf ? "triggers" : "tasks");
		refuse(a, t->xid, X1_E_GENERIC);
		return;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		snprintf(a->why, sizeof(a->why), "out of memory: nothing changed");
		x1_w_error(a->w, &a->h, a->m->op, X1_E_GENERIC, a->why);
		return;
	}
	n->t = rt;
	n->created_us = a->h.now_us;
	audit(a, &au, t->xid, 0);
	if ((rc = cp_li_store_task_put(a->li->store, n, &au)) < 0) {
		free(n);
		store_failed(a, rc);
		return;
	}
	a->li->tasks[a->li->ntasks++] = n;
	a->li->gen++;                 /* the matcher meets it (li_taps.c) */
	x1_w_ok(a->w, &a->h, a->m->op);
}

static void
modify(struct ans *a)
{
	const struct x1_task *t = &a->m->u.task;
	struct cp_li_audit au;
	struct cp_li_task n;
	int i = own_index(a, t->xid), code, rc;

	if (i < 0) {
		refuse(a, t->xid, X1_E_XID_NOT_FOUND);
		return;
	}
	if ((code = task_check(a, t)) != 0) {
		refuse(a, t->xid, code);
		return;
	}
	n = *a->li->tasks[i];
	n.t = *t;
	if ((code = trigger_resolve(a, &n.t)) != 0 || (code = trigger_dup(a, &n.t)) != 0) {
		explicit_bzero(&n, sizeof(n));
		refuse(a, t->xid, code);
		return;
	}
	n.modified_us = a->h.now_us;
	n.nmod++;
	audit(a, &au, t->xid, 0);
	if ((rc = cp_li_store_task_put(a->li->store, &n, &au)) < 0) {
		explicit_bzero(&n, sizeof(n));
		store_failed(a, rc);
		return;
	}
	*a->li->tasks[i] = n;
	a->li->gen++;                 /* the matcher meets it again */
	explicit_bzero(&n, sizeof(n));
	x1_w_ok(a->w, &a->h, a->m->op);
}

static void
deactivate(struct ans *a)
{
	const uint8_t *xid = a->m->u.xid;
	struct cp_li_audit au;
	int i = own_index(a, xid), rc;

	if (i < 0) {
		refuse(a, xid, X1_E_XID_NOT_FOUND);
		return;
	}
	audit(a, &au, xid, 0);
	if ((rc = cp_li_store_task_del(a->li->store, xid, &au)) < 0) {
		store_failed(a, rc);
		return;
	}
	cp_li_task_drop(a->li, (unsigned int)i);
	x1_w_ok(a->w, &a->h, a->m->op);
}

/* The unresolvedFaults of one status (a task's or a destination's):
 * their codes and descriptions, written by the answer before it goes. */
#define FAULTS_MAX 2u
struct faults {
	unsigned int n;
	int code[FAULTS_MAX];
	const char *text[FAULTS_MAX];
	char buf[FAULTS_MAX][192];
};

static void
fault_add(struct faults *f, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fault_add(struct faults *f, int code, const char *fmt, ...)
{
	va_list ap;

	if (f->n >= FAULTS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(f->buf[f->n], sizeof(f->buf[f->n]), fmt, ap);
	va_end(ap);
	f->code[f->n] = code;
	f->text[f->n] = f->buf[f->n];
	f->n++;
}

/* A figure as X1's amount: held at INT64_MAX, never negative (a
 * negative x2_pdus/x3_pdus would leave the amount out). */
static int64_t
amount(uint64_t n)
{
	return n > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)n;
}

/*
 * TaskStatus (§6.4.2.2): provisioned, its modifications, and what dp's
 * tp-li reported of its delivery since this cp started (li_status.c):
 * amountOfX2Data and amountOfX3Data the PDUs written whole to a
 * destination (one a destination), timeOfLastIntercept the newest copy's
 * time, and what was lost in dp as an unresolvedFault (200, a warning:
 * the task stays in force).
 */
static struct x1_task_status
status_of(const struct cp_li_task *t, struct faults *f)
{
	const struct cp_li_task_fig *g = &t->fig;

	memset(f, 0, sizeof(*f));
	/* a trigger disarmed (its context released, or gone over a restart,
	 * cp_li_trigger_release()): provisioningStatus stays "complete" (the
	 * task is held as provisioned, answered, deactivated; "failed" and
	 * "awaitingProvisioning" speak of a provisioning not done or still to
	 * come, and this one will never match again), and an unresolvedFault
	 * 100 says it intercepts nothing (§6.4.2.2's faults: what stands in
	 * the task's way since; of TS 103 221-1's codes, lib/li x1_errors.def,
	 * none says "the target is gone": the generic one) */
	if (cp_li_task_is_trigger(t) && t->t.targets[0].t3_ctx == 0)
		fault_add(f, X1_E_GENERIC, "its context was released: the trigger names no "
			  "context and intercepts nothing (DeactivateTask it)");
	if (g->x2_lost + g->x3_lost > 0)
		fault_add(f, X1_E_WARNING, "PDUs lost in delivery: %llu X2, %llu X3",
			  (unsigned long long)g->x2_lost, (unsigned long long)g->x3_lost);
	return (struct x1_task_status){
		.provisioning = "complete",
		.n_faults = f->n,
		.fault_codes = f->code,
		.fault_texts = f->text,
		.last_intercept_us = g->last_us,
		.x2_pdus = amount(g->x2_delivered),
		.x3_pdus = amount(g->x3_delivered),
		.last_modified_us = t->modified_us,
		.n_modifications = t->nmod,
	};
}

static const char *
fault_name(uint8_t fault)
{
	switch (fault) {
	case IPC_LI_FAULT_CERT:
		return "its certificate refused";
	case IPC_LI_FAULT_TIMEOUT:
		return "a handshake or the delivery stalled past li.x2x3.timeout_s";
	case IPC_LI_FAULT_KA_LATE:
		return "a keepalive not acknowledged in time";
	case IPC_LI_FAULT_MF_BAD:
		return "it sent other than a keepalive acknowledgement";
	default:
		return "TCP or TLS failed, or it closed";
	}
}

/*
 * DestinationStatus (§6.4.3.2) from dp's figures for its address:
 * activeAndWorking while tp-li's connection is up; deliveryFault with a
 * fault (400) saying why otherwise (never reported: no connection since
 * this cp started; connecting; failed, and why); what was dropped, if
 * anything, as a further fault (200). Returns whether it works. bare
 * (the CC-TF's, review H2): the state alone, "not connected" whatever
 * the reason, no count (failures, drops and deliveries are every task's).
 */
static bool
dest_status(const struct cp_li *li, const struct x1_dest *d, struct faults *f, bool bare)
{
	const struct cp_li_dest_fig *g = cp_li_dest_fig(li, d);
	bool up = g != NULL && g->state == CP_LI_CONN_UP;

	memset(f, 0, sizeof(*f));
	if (bare) {
		if (!up)
			fault_add(f, X1_E_DELIVERY_NOT_POSSIBLE, "not connected");
	} else if (g == NULL || g->state == CP_LI_CONN_NONE)
		fault_add(f, X1_E_DELIVERY_NOT_POSSIBLE, "not connected: no PDU for it lately");
	else if (g->state == CP_LI_CONN_CONNECTING)
		fault_add(f, X1_E_DELIVERY_NOT_POSSIBLE, "connecting (%llu failures)",
			  (unsigned long long)g->failures);
	else if (g->state == CP_LI_CONN_FAILED)
		fault_add(f, X1_E_DELIVERY_NOT_POSSIBLE, "connection failed: %s (%llu failures)",
			  fault_name(g->fault), (unsigned long long)g->failures);
	if (!bare && g != NULL && g->dropped_down + g->dropped_full + g->dropped_lost > 0)
		fault_add(f, X1_E_WARNING, "PDUs dropped: %llu not connected, %llu backlog full, "
			  "%llu lost in a failed connection; %llu delivered",
			  (unsigned long long)g->dropped_down, (unsigned long long)g->dropped_full,
			  (unsigned long long)g->dropped_lost, (unsigned long long)g->delivered);
	return up;
}

static void
get_task(struct ans *a)
{
	int i = own_index(a, a->m->u.xid);
	const struct cp_li_task *t = i >= 0 ? a->li->tasks[i] : NULL;
	struct x1_task_status st;
	struct faults f;

	if (t == NULL) {
		refuse(a, a->m->u.xid, X1_E_XID_NOT_FOUND);
		return;
	}
	st = status_of(t, &f);
	x1_w_task(a->w, &a->h, &t->t, &st);
}

/* Whether a trigger names destination did. */
static bool
named_by_trigger(const struct cp_li *li, const uint8_t did[16])
{
	for (unsigned int i = 0; i < li->ntasks; i++) {
		const struct x1_task *t = &li->tasks[i]->t;

		if (!cp_li_task_is_trigger(li->tasks[i]))
			continue;
		for (unsigned int j = 0; j < t->n_dids; j++)
			if (memcmp(t->dids[j], did, 16) == 0)
				return true;
	}
	return false;
}

static void
get_all(struct ans *a)
{
	struct faults f;

	x1_w_all_begin(a->w, &a->h, true);
	for (unsigned int i = 0; i < a->li->ntasks; i++) {
		struct x1_task_status st = status_of(a->li->tasks[i], &f);

		if (cp_li_task_is_trigger(a->li->tasks[i]) != a->cctf)
			continue;             /* the other party's */
		x1_w_all_task(a->w, &a->li->tasks[i]->t, &st);
	}
	for (unsigned int i = 0; i < a->li->ndests; i++) {
		const struct x1_dest *d = &a->li->dests[i].d;
		bool up;

		/* the CC-TF's: those its triggers name, their connection's
		 * state alone (review H2: what was delivered or dropped is
		 * every task's, the ADMF's among them) */
		if (a->cctf && !named_by_trigger(a->li, d->did))
			continue;
		up = dest_status(a->li, d, &f, a->cctf);
		x1_w_all_dest(a->w, d, up, f.n, f.code, f.text);
	}
	x1_w_all_end(a->w);
}

/* A destination tp-li can deliver to (an IP address and a TCP port), or
 * the message refused with 400. */
static bool
dest_servable(struct ans *a, const struct x1_dest *d)
{
	if (d->ip_port && d->tcp && d->delivery != X1_DELIVERY_NONE)
		return true;
	snprintf(a->why, sizeof(a->why), "turnpike delivers to an IP address and TCP port only");
	refuse(a, d->did, X1_E_DELIVERY_NOT_POSSIBLE);
	return false;
}

/* Destinations are the ADMF's (review H2): the CC-TF names them in its
 * triggers and never writes them: a CreateDestination, ModifyDestination
 * or RemoveDestination of its answered 100 before anything is looked at
 * (no 302, 303, 304 or 402 telling it of a DID or of the ADMF's tasks'
 * use). 100, the generic error: TS 103 221-1's codes (x1_errors.def)
 * have none for a request not permitted to its sender, and a 303 would
 * deny a DID its triggers name. Returns whether it was refused. */
static bool
dest_not_yours(struct ans *a, const uint8_t *did)
{
	if (!a->cctf)
		return false;
	snprintf(a->why, sizeof(a->why), "destinations are provisioned by the ADMF only");
	refuse(a, did, X1_E_GENERIC);
	return true;
}

static void
dest_create(struct ans *a)
{
	const struct x1_dest *d = &a->m->u.dest;
	struct cp_li_audit au;
	struct cp_li_dest n = { .d = *d };
	int rc;

	if (dest_not_yours(a, d->did))
		return;
	if (cp_li_dest_index(a->li, d->did) >= 0) {
		refuse(a, d->did, X1_E_DID_EXISTS);
		return;
	}
	if (!dest_servable(a, d))
		return;
	if (a->li->ndests >= CP_LI_DESTS_MAX) {
		snprintf(a->why, sizeof(a->why), "this NE holds %u destinations at most",
			 CP_LI_DESTS_MAX);
		refuse(a, d->did, X1_E_GENERIC);
		return;
	}
	audit(a, &au, d->did, 0);
	if ((rc = cp_li_store_dest_put(a->li->store, &n, &au)) < 0) {
		store_failed(a, rc);
		return;
	}
	(void)cp_li_dest_set(a->li, &n);   /* room checked above */
	x1_w_ok(a->w, &a->h, a->m->op);
}

static void
dest_modify(struct ans *a)
{
	const struct x1_dest *d = &a->m->u.dest;
	struct cp_li_audit au;
	struct cp_li_dest n = { .d = *d };
	int rc;

	if (dest_not_yours(a, d->did))
		return;
	if (cp_li_dest_index(a->li, d->did) < 0) {
		refuse(a, d->did, X1_E_DID_NOT_FOUND);
		return;
	}
	if (!dest_servable(a, d))
		return;
	for (unsigned int i = 0; i < a->li->ntasks; i++) {
		if (!covered(a->li, &a->li->tasks[i]->t, d)) {
			snprintf(a->why, sizeof(a->why), "a task naming this destination would "
				 "have no destination for its deliveryType");
			refuse(a, d->did, X1_E_DELIVERY_TYPE);
			return;
		}
	}
	audit(a, &au, d->did, 0);
	if ((rc = cp_li_store_dest_put(a->li->store, &n, &au)) < 0) {
		store_failed(a, rc);
		return;
	}
	(void)cp_li_dest_set(a->li, &n);   /* in place */
	x1_w_ok(a->w, &a->h, a->m->op);
}

static void
dest_remove(struct ans *a)
{
	const uint8_t *did = a->m->u.did;
	struct cp_li_audit au;
	int i = cp_li_dest_index(a->li, did), rc;

	if (dest_not_yours(a, did))
		return;
	if (i < 0) {
		refuse(a, did, X1_E_DID_NOT_FOUND);
		return;
	}
	for (unsigned int k = 0; k < a->li->ntasks; k++) {
		const struct x1_task *t = &a->li->tasks[k]->t;

		for (unsigned int j = 0; j < t->n_dids; j++) {
			if (memcmp(t->dids[j], did, 16) == 0) {
				refuse(a, did, X1_E_DID_IN_USE);
				return;
			}
		}
	}
	audit(a, &au, did, 0);
	if ((rc = cp_li_store_dest_del(a->li->store, did, &au)) < 0) {
		store_failed(a, rc);
		return;
	}
	cp_li_dest_drop(a->li, (unsigned int)i);
	x1_w_ok(a->w, &a->h, a->m->op);
}

static void
answer_one(struct ans *a)
{
	const struct x1_msg *m = a->m;

	a->why[0] = '\0';
	if (m->code != 0) {
		snprintf(a->why, sizeof(a->why), "%s", m->text);
		refuse(a, NULL, m->code);
		return;
	}
	switch (m->op) {
	case X1_OP_ACTIVATE_TASK:
		activate(a);
		break;
	case X1_OP_MODIFY_TASK:
		modify(a);
		break;
	case X1_OP_DEACTIVATE_TASK:
		deactivate(a);
		break;
	case X1_OP_GET_TASK_DETAILS:
		get_task(a);
		break;
	case X1_OP_GET_ALL_DETAILS:
		get_all(a);
		break;
	case X1_OP_KEEPALIVE:
		x1_w_ok(a->w, &a->h, m->op);
		break;
	case X1_OP_CREATE_DESTINATION:
		dest_create(a);
		break;
	case X1_OP_MODIFY_DESTINATION:
		dest_modify(a);
		break;
	case X1_OP_REMOVE_DESTINATION:
		dest_remove(a);
		break;
	default:
		snprintf(a->why, sizeof(a->why), "turnpike does not serve %s",
			 x1_op_name(m->op) != NULL ? x1_op_name(m->op) : "this request");
		refuse(a, NULL, X1_E_GENERIC);
		break;
	}
}

/* Whether the op changes the tables (and so li.db). */
static bool
changes(enum x1_op op)
{
	switch (op) {
	case X1_OP_ACTIVATE_TASK:
	case X1_OP_MODIFY_TASK:
	case X1_OP_DEACTIVATE_TASK:
	case X1_OP_CREATE_DESTINATION:
	case X1_OP_MODIFY_DESTINATION:
	case X1_OP_REMOVE_DESTINATION:
		return true;
	default:
		return false;
	}
}

/* Every message of the request answered 100: nothing of it applied. */
static int
answer_failed(struct cp_li *li, const struct x1_resp_hdr *h, int rc, char *out, size_t size)
{
	char why[X1_ERRTEXT_MAX];
	struct x1_w w;

	li->store_errors++;
	tp_log(TP_LOG_WARNING, "li: %s\n", cp_li_store_err(li->store));
	snprintf(why, sizeof(why), "the NE could not keep the request (%s): nothing of it "
		 "applied", rc == -EBUSY ? "its store is busy" : "its store failed");
	x1_w_init(&w, out, size);
	for (unsigned int i = 0; i < li->req.n; i++) {
		struct x1_resp_hdr mh = *h;

		mh.txid = li->req.msgs[i].hdr.txid;
		x1_w_error(&w, &mh, li->req.msgs[i].op, X1_E_GENERIC, why);
	}
	return x1_w_end(&w);
}

int
cp_li_answer(struct cp_li *li, const char *body, size_t len, int64_t now_us, char *out,
	     size_t size)
{
	return cp_li_answer_from(li, false, body, len, now_us, out, size);
}

int
cp_li_answer_from(struct cp_li *li, bool cctf, const char *body, size_t len, int64_t now_us,
		  char *out, size_t size)
{
	const char *who = cctf ? li->cctf_id : li->admf_id;
	struct x1_resp_hdr h = { .admf = who, .ne = li->ne_id, .now_us = now_us };
	struct x1_err e;
	struct x1_w w;
	bool txn = false;
	int rc, failed = 0;

	memset(&li->req, 0, sizeof(li->req));
	rc = x1_read(body, len, li->schema, &li->req, &e);
	if (rc == -ENOMEM)
		return rc;
	/* Another ADMF's, or meant for another NE: nothing applied, nothing
	 * said about what this NE holds. */
	for (unsigned int i = 0; rc == 0 && i < li->req.n; i++)
		if (who[0] == '\0' || strcmp(li->req.msgs[i].hdr.admf, who) != 0 ||
		    strcmp(li->req.msgs[i].hdr.ne, li->ne_id) != 0)
			rc = -EACCES;
	if (rc < 0) {
		explicit_bzero(&li->req, sizeof(li->req));
		return x1_w_top_error(out, size, &h);
	}
	/* R5: a request that changes anything, whole or not at all */
	for (unsigned int i = 0; !txn && i < li->req.n; i++)
		txn = li->req.msgs[i].code == 0 && changes(li->req.msgs[i].op);
	if (txn && (failed = cp_li_store_txn_begin(li->store)) < 0) {
		rc = answer_failed(li, &h, failed, out, size);
		explicit_bzero(&li->req, sizeof(li->req));
		return rc;
	}
	x1_w_init(&w, out, size);
	for (unsigned int i = 0; failed == 0 && i < li->req.n; i++) {
		struct ans a = { .li = li, .w = &w, .m = &li->req.msgs[i], .h = h,
				 .failed = &failed, .txn = txn, .cctf = cctf };

		a.h.txid = li->req.msgs[i].hdr.txid;
		answer_one(&a);
	}
	if (txn && failed == 0)
		failed = cp_li_store_txn_commit(li->store);
	if (failed < 0) {
		/* the log line names the failure, before the reload's */
		rc = answer_failed(li, &h, failed, out, size);
		if (cp_li_store_txn_rollback(li->store, cp_li_reload, li) < 0)
			tp_log(TP_LOG_ERR, "li: the tables could not be read back after a "
			       "request was rolled back: %s\n", cp_li_store_err(li->store));
	} else {
		rc = x1_w_end(&w);
	}
	explicit_bzero(&li->req, sizeof(li->req));
	return rc;
}
