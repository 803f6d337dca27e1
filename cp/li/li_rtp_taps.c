/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li meets the gateway's RTP contexts (docs/design/li.md §4; issue 70
 * slice 6), as li_taps.c meets the allocations: a context is matched
 * (li_match_rtp.c: an address target holding a termination's signalled
 * or latched remote, else a CC-TF's trigger naming it) and, when a task
 * targets it, dp is told to tap it
 * (lib/ipc RTP_TAP: the task, and which termination is the target's) on
 * its worker's ring after the RTP_ADD or RTP_MOD that made it so. Three
 * ways in:
 *   - what cp/agw sends dp (cp_agw_on_rtp_sent()): a context made or
 *     made again (a restarted dp: its tap given again), a termination
 *     added or changed (a remote signalled anew). Noted by id, looked at
 *     in the loop turn's step, once cp/agw has recorded the change; an
 *     RTP_ADD's tap is sent whatever dp was told before (dp's is fresh);
 *   - cp/agw's observer: a flow latched or nominated (a target may be
 *     where media really come from), a termination subtracted, the
 *     context released (its record goes);
 *   - a change of the tasks or destinations (the tables' gen moved): a
 *     pass over every context, CP_LI_RTP_PASS_SLICE a loop turn, tapping,
 *     re-tapping or untapping each as the tables now say. The first pass
 *     (cp started) tells dp every context's tap, "off" included: what a
 *     cp before told dp is not known here (review S2's, for contexts).
 * What dp was told is kept by context id (hashed), with the serial of
 * the target's termination it named: dp drops a tap with that
 * termination (SUB_TERM, a transfer), so another serial in the slot is
 * told again whatever the tap (review V5). A CC-TF's trigger names a
 * context itself (docs/design/li.md §2.7), after the ADMF's addresses
 * (review M1), and lives as long as it: the context released, or not
 * given back to a started cp, the trigger is disarmed (review H1). A BUNDLE
 * member is matched through its owner's termination (cp_li_rtp_task();
 * review V3), and an owner's latch, nomination or RTP_MOD looks at its
 * members again. Each look first tells li_x2.c (cp_li_x2_ctx(): the
 * context's X2), so that an event goes to the worker before the RTP_TAP
 * it comes with. Only what changed is sent; a ring without room leaves
 * the context to the next turn (noted again, or the pass stopped where
 * it is). Contexts cp holds for the pair's peer (mirror) or has yielded
 * are not in this box's dp: never tapped here. Nothing here logs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "cp_dp.h"
#include "li.h"
#include "li_rtp_taps.h"
#include "li_x2_cp.h"

#define RTAP_BUCKETS 4096u
#define CP_LI_RTP_PASS_SLICE 512u
#define RTAP_NOTED 1024u              /* contexts noted between two steps */
#define RTAP_OWNERS 64u               /* BUNDLE owners among them a step (more: a pass) */

struct rtap_rec {
	struct rtap_rec *next;
	uint64_t id;
	struct ipc_rtp_tap tap;       /* what dp was told (on) */
	uint16_t serial;              /* the target's termination's then (cp/agw's) */
};

struct cp_li_rtp_taps {
	struct rtap_rec *heads[RTAP_BUCKETS];
	uint64_t gen;                 /* the tables' gen the last pass began at */
	bool pass;                    /* a pass under way */
	bool rerun;                   /* ... and another once it ends (the
	                               * tables changed meanwhile) */
	bool rerun_force;             /* ... which tells dp whatever it was told */
	bool pass_force;              /* ... telling dp whatever it was told */
	bool pass_start;              /* ... and "off" to every context not
				       * targeted (a restarted cp: dp may hold
				       * a tap an untap never reached) */
	uint32_t cursor;              /* its place: worker * per_worker + slot */
	/* contexts sent an RTP_ADD (force) or RTP_MOD since the last step */
	uint32_t nnoted;
	uint64_t noted[RTAP_NOTED];
	uint8_t noted_force[RTAP_NOTED];
	uint64_t sent, send_failed;   /* for the tests: no task in them */
	bool swept;                   /* the triggers met with the restored contexts */
};

static struct rtap_rec **
slot_of(struct cp_li_rtp_taps *lt, uint64_t id)
{
	struct rtap_rec **p = &lt->heads[(id ^ (id >> 17) ^ (id >> 32)) & (RTAP_BUCKETS - 1)];

	while (*p != NULL && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

static void
rec_drop(struct rtap_rec **p)
{
	struct rtap_rec *r = *p;

	*p = r->next;
	explicit_bzero(r, sizeof(*r));
	free(r);
}

/* The RTP table's context id, or NULL (gone, another generation). */
static const struct cp_agw_ctx *
ctx_by_id(const struct cp_ctx *cp, uint64_t id)
{
	const struct cp_agw_table *t;
	unsigned int w = ipc_conn_worker(id);
	uint32_t s = ipc_conn_slot(id);
	const struct cp_agw_ctx *c;

	if (cp->agw == NULL)
		return NULL;
	t = &cp->agw->tab[CP_AGW_KIND_RTP];
	if (t->per_worker == 0 || w >= cp->agw->nworkers || s >= t->per_worker)
		return NULL;
	c = &t->ctx[(size_t)w * t->per_worker + s];
	return c->id == id ? c : NULL;
}

/* Whether context id is held now, this box's own (the sweep's). */
static bool
held(void *arg, uint64_t id)
{
	const struct cp_agw_ctx *c = ctx_by_id(arg, id);

	return c != NULL && !c->rtp.mirror && !c->rtp.yielded;
}

const struct cp_li_task *
cp_li_rtp_task(struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int *term)
{
	const struct ipc_rtp_term *ot[2] = { NULL, NULL };
	const struct ipc_rtp_stats *os[2] = { NULL, NULL };
	const struct cp_li_task *t;

	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_rtp_bundle *b = &c->rtp.term[i].bundle;
		const struct cp_agw_ctx *o;

		if (c->rtp.term[i].profile == IPC_RTP_NONE || b->role != IPC_RTP_BUNDLE_MEMBER ||
		    b->owner_term > 1 || (o = ctx_by_id(cp, b->owner)) == NULL ||
		    o->rtp.term[b->owner_term].profile == IPC_RTP_NONE)
			continue;
		ot[i] = &o->rtp.term[b->owner_term];
		os[i] = &o->rtp.st[b->owner_term];
	}
	/* the ADMF's address targets first (review M1: a trigger on a
	 * context the ADMF already targets took its one tap away from the
	 * ADMF's task), a CC-TF's trigger naming the context second, its
	 * target's termination 0 [impl]. One tap a context (dp's RTP_TAP
	 * holds one task): the other task gets none of it */
	if ((t = cp_li_match_rtp_bundle(cp->li, c->rtp.term, c->rtp.st, ot, os, term)) != NULL)
		return t;
	/* a trigger's context is the Iq door's and iq.tenant's (it was
	 * resolved so, cp_iq_rtp_ctx_id()): one of another door or tenant
	 * with the same id matches none (review H1, defence in depth: ids
	 * come back after a restart or a takeover) */
	if (c->door == CP_AGW_DOOR_IQ && c->tenant == cp->conf->iq.tenant_idx &&
	    (t = cp_li_match_trigger(cp->li, c->id)) != NULL) {
		*term = 0;
		return t;
	}
	*term = 0;
	return NULL;
}

/* The tap c should have now (out zero: none). */
static void
want(struct cp_ctx *cp, const struct cp_agw_ctx *c, struct ipc_rtp_tap *out)
{
	const struct cp_li_task *t;
	unsigned int term = 0;

	memset(out, 0, sizeof(*out));
	/* (the peer's, held for a takeover, or yielded: not in our dp) */
	if (c->rtp.mirror || c->rtp.yielded)
		return;
	t = cp_li_rtp_task(cp, c, &term);
	if (cp_li_tap_of(cp->li, t, c->id, &out->tap))
		out->term = (uint8_t)term;
}

/* dp told c's tap (or its absence) when it is not what it was told, or
 * always (force: dp's context is fresh, or a restarted cp's first pass;
 * offs: "off" too, where nothing was told). 0, or -ENOBUFS/-ENOMEM
 * (nothing changed, try again). */
static int
sync_one(struct cp_ctx *cp, struct cp_li_rtp_taps *lt, const struct cp_agw_ctx *c, bool force,
	 bool offs)
{
	static struct ipc_msg m;
	struct ipc_rtp_tap w;
	struct rtap_rec **p = slot_of(lt, c->id), *r = *p;
	int rc;

	want(cp, c, &w);
	/* the target's termination is not the one dp was told of: dp's
	 * SUB_TERM took the tap with it (dp/rtp's rtp_li_term_off(), review
	 * V5: a transfer), or dp refused its ADD_TERM (the tap may stay, on
	 * an empty slot). Whatever dp holds, it is told what the party in
	 * the slot now needs, "off" included */
	if (r != NULL && c->rtp.term[r->tap.term & 1u].serial != r->serial) {
		force = true;
		offs = true;
	}
	if (!force && (r == NULL ? w.tap.on == 0 : memcmp(&r->tap, &w, sizeof(w)) == 0))
		return 0;
	if (r == NULL && w.tap.on == 0 && !offs)
		return 0;                 /* a fresh context is untapped */
	if (w.tap.on && r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		r->id = c->id;
		r->next = *p;
		*p = r;
	}
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_RTP_TAP;
	m.h.alloc_id = c->id;
	m.h.body_len = sizeof(w);
	memcpy(m.body, &w, sizeof(w));
	rc = cp_dp_send(cp, c->worker, &m, CP_RING_HEADROOM);
	explicit_bzero(m.body, sizeof(w));
	if (rc < 0) {
		lt->send_failed++;
		/* kept as it was told (a new record: as untapped) */
		if (r != NULL && r->tap.tap.on == 0 && w.tap.on)
			rec_drop(p);
		explicit_bzero(&w, sizeof(w));
		return rc;
	}
	lt->sent++;
	if (w.tap.on) {
		r->tap = w;
		r->serial = c->rtp.term[w.term & 1u].serial;
	} else if (r != NULL)
		rec_drop(p);
	explicit_bzero(&w, sizeof(w));
	return 0;
}

/* id to be looked at in the next step; noted too many: a pass. */
/* Every context again: a pass, or once the one under way ends (what
 * lies behind its cursor); force: telling dp whatever it was told. */
static void
pass_again(struct cp_li_rtp_taps *lt, bool force)
{
	if (lt->pass) {
		lt->rerun = true;
		lt->rerun_force = lt->rerun_force || force;
	} else {
		lt->pass = true;
		lt->pass_force = lt->pass_force || force;
		lt->cursor = 0;
	}
}

static void
note(struct cp_li_rtp_taps *lt, uint64_t id, bool force)
{
	for (uint32_t i = 0; i < lt->nnoted; i++)
		if (lt->noted[i] == id) {
			lt->noted_force[i] |= (uint8_t)force;
			return;
		}
	if (lt->nnoted == RTAP_NOTED) {
		pass_again(lt, force);
		return;
	}
	lt->noted[lt->nnoted] = id;
	lt->noted_force[lt->nnoted++] = (uint8_t)force;
}

/* c's BUNDLE members (an owner's: their contexts matched through its
 * termination) looked at again: its latch, nomination or remote is
 * theirs (review V3). */
static void
members_sync(struct cp_ctx *cp, struct cp_li_rtp_taps *lt, const struct cp_agw_ctx *c)
{
	for (unsigned int k = 0; k < c->rtp.nmembers && k < CP_AGW_RTP_BUNDLE_MAX - 1; k++) {
		const struct cp_agw_ctx *m = ctx_by_id(cp, c->rtp.members[k]);

		if (m == NULL)
			continue;
		cp_li_x2_ctx(cp, m, NULL, false);
		if (sync_one(cp, lt, m, false, false) < 0)
			note(lt, m->id, false);
	}
}

/* cp/agw's sender: what it sent is looked at in the step. */
static void
sent(struct cp_ctx *cp, uint64_t id, uint16_t kind, void *arg)
{
	(void)cp;
	note(arg, id, kind == IPC_RTP_ADD);
}

/* cp/agw's observer: a latch or a nomination may meet a target; a
 * subtraction may end one; a released context's record goes. */
static void
observed(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *e, void *arg)
{
	const struct ipc_rtp_event *ev = e;
	struct cp_li_rtp_taps *lt = arg;
	struct rtap_rec **p;

	/* (cp/agw has no unobserve: once closed, arg is compared, never
	 * read) */
	if (cp->li == NULL || cp->li_rtp_taps != arg)
		return;
	switch (ev->type) {
	case IPC_RTP_EV_LATCHED:
	case IPC_RTP_EV_NOMINATED:
	case IPC_RTP_EV_SUBTRACTED:
		/* (X2 first: its event goes before the tap it may bring) */
		cp_li_x2_ctx(cp, c, ev, false);
		if (sync_one(cp, lt, c, false, false) < 0)
			note(lt, c->id, false);
		members_sync(cp, lt, c);
		break;
	case IPC_RTP_EV_RELEASED:
		cp_li_x2_ctx(cp, c, ev, false);
		/* a trigger lives as long as its context: its id may come
		 * back for a stranger's call (review H1); the tables' gen
		 * moved, the pass untaps */
		(void)cp_li_trigger_release(cp->li, c->id, (int64_t)cp->wall_ms * 1000);
		p = slot_of(lt, c->id);
		if (*p != NULL)
			rec_drop(p);
		break;
	default:
		break;
	}
}

int
cp_li_rtp_taps_open(struct cp_ctx *cp)
{
	struct cp_li_rtp_taps *lt;
	int rc;

	if (cp->agw == NULL || cp->agw->tab[CP_AGW_KIND_RTP].per_worker == 0)
		return 0;                 /* no RTP contexts in this cp */
	lt = calloc(1, sizeof(*lt));
	if (lt == NULL)
		return -ENOMEM;
	rc = cp_agw_observe(cp, CP_AGW_KIND_RTP, observed, lt);
	if (rc < 0) {
		free(lt);
		return rc == -ENODEV ? 0 : rc;
	}
	cp_agw_on_rtp_sent(cp, sent, lt);
	lt->gen = cp->li->gen;
	/* a restarted cp: whatever dp holds, the tables say again */
	lt->pass = true;
	lt->pass_force = true;
	lt->pass_start = true;
	cp->li_rtp_taps = lt;
	return 0;
}

void
cp_li_rtp_taps_close(struct cp_ctx *cp)
{
	struct cp_li_rtp_taps *lt = cp->li_rtp_taps;

	if (lt == NULL)
		return;
	cp_agw_on_rtp_sent(cp, NULL, NULL);
	cp->li_rtp_taps = NULL;       /* (the observer stays: observed()) */
	for (unsigned int i = 0; i < RTAP_BUCKETS; i++)
		while (lt->heads[i] != NULL)
			rec_drop(&lt->heads[i]);
	explicit_bzero(lt, sizeof(*lt));
	free(lt);
}

unsigned int
cp_li_rtp_taps_step(struct cp_ctx *cp)
{
	struct cp_li_rtp_taps *lt = cp->li_rtp_taps;
	const struct cp_agw_table *tab;
	unsigned int k = 0;
	uint32_t n, keep = 0, nown = 0;
	uint64_t owners[RTAP_OWNERS];

	if (lt == NULL || cp->li == NULL || cp->agw == NULL)
		return 0;
	/* what cp/agw sent since the last turn, as its records now say */
	for (uint32_t i = 0; i < lt->nnoted; i++) {
		const struct cp_agw_ctx *c = ctx_by_id(cp, lt->noted[i]);

		if (c != NULL) {
			cp_li_x2_ctx(cp, c, NULL, lt->noted_force[i] != 0);
			/* (an owner's remote signalled anew is its members':
			 * looked at once the noted are, as note() would
			 * change the list under this loop) */
			if (c->rtp.nmembers > 0) {
				if (nown < RTAP_OWNERS)
					owners[nown++] = c->id;
				else
					pass_again(lt, false);
			}
		}
		/* (one kept for the next turn is no work done: a dp that
		 * takes nothing does not keep cp's loop awake) */
		if (c != NULL && sync_one(cp, lt, c, lt->noted_force[i] != 0, false) < 0) {
			lt->noted[keep] = lt->noted[i];
			lt->noted_force[keep++] = lt->noted_force[i];
		} else {
			k++;
		}
	}
	lt->nnoted = keep;
	for (uint32_t i = 0; i < nown; i++) {
		const struct cp_agw_ctx *c = ctx_by_id(cp, owners[i]);

		if (c != NULL)
			members_sync(cp, lt, c);
	}
	if (lt->gen != cp->li->gen) {
		/* the tables changed: every context again. A pass under way
		 * goes on (what lies past its cursor is told by the tables as
		 * they are now) and another follows for what lay behind it:
		 * rewinding at each change would never reach the contexts past
		 * the cursor while the CC-TF's triggers or the ADMF change the
		 * tables faster than a pass takes (review of slice 7, M2) */
		lt->gen = cp->li->gen;
		pass_again(lt, false);
	}
	/* a started cp: not before dp gave every context back (SYNC's
	 * RTP_STATEs, cp->ready): a pass over a table not yet restored would
	 * end at once, and a context restored after it would keep the tap
	 * an old cp left in dp, a task's since deactivated among them */
	if (lt->pass_start && !cp->ready)
		return k;
	/* a started cp, dp's contexts restored: a trigger whose context is
	 * not among them (released while no cp ran, or another box's since a
	 * takeover) disarmed before the first pass meets a context of its
	 * id (review H1) */
	if (!lt->swept && cp->ready) {
		lt->swept = true;
		if (cp_li_trigger_sweep(cp->li, held, cp, (int64_t)cp->wall_ms * 1000) != 0 &&
		    lt->gen != cp->li->gen) {
			lt->gen = cp->li->gen;
			lt->pass = true;
			lt->cursor = 0;
		}
	}
	tab = &cp->agw->tab[CP_AGW_KIND_RTP];
	n = cp->agw->nworkers * tab->per_worker;
	while (lt->pass && k < CP_LI_RTP_PASS_SLICE) {
		const struct cp_agw_ctx *c;

		if (lt->cursor >= n) {
			lt->pass_start = false;
			lt->cursor = 0;
			lt->pass = lt->rerun;
			lt->pass_force = lt->rerun_force;
			lt->rerun = false;
			lt->rerun_force = false;
			if (!lt->pass)
				break;
			continue;
		}
		c = &tab->ctx[lt->cursor];
		if (c->id == 0) {
			lt->cursor++;
			continue;
		}
		k++;
		cp_li_x2_ctx(cp, c, NULL, false);
		if (sync_one(cp, lt, c, lt->pass_force, lt->pass_start) < 0)
			break;                /* this one again next turn */
		lt->cursor++;
	}
	return k;
}
