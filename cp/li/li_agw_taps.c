/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li meets the gateway's TCP-leg contexts (MSRP after TLS;
 * docs/design/li.md §4.2; issue 70 slice 7), as li_rtp_taps.c meets its
 * RTP contexts: a context is matched (li_match_agw.c: an address target
 * holding a leg's remote, as its connection has it or as signalled) and,
 * when a task targets it, dp is told to tap it (lib/ipc AGW_TAP: the
 * task, and which leg is the target's) on its worker's ring after the
 * AGW_ADD or AGW_MOD that made it so. Three ways in:
 *   - what cp/agw sends dp (cp_agw_on_tcp_sent()): a context made, a leg
 *     added, changed or subtracted. Noted by id, looked at in the loop
 *     turn's step, once cp/agw has recorded the change; a tapped
 *     context's tap is sent again whatever dp was told before (an AGW_ADD
 *     makes dp's context fresh; dp drops a tap whose target's leg is
 *     subtracted, so that a leg joining the slot is not copied under it);
 *   - cp/agw's observer: a leg up (its connection's remote may be a
 *     target's), a termination subtracted, the context released (its
 *     record goes);
 *   - a change of the tasks or destinations (the tables' gen moved): a
 *     pass over every context, CP_LI_AGW_PASS_SLICE a loop turn, tapping,
 *     re-tapping or untapping each as the tables now say. The first pass
 *     (cp started), once dp gave its contexts back (cp->ready), tells dp
 *     every context's tap, "off" included: what a cp before told dp is
 *     not known here (review S2's and V1's, for these contexts).
 * What dp was told is kept by context id (hashed), so only what changed
 * is sent; a ring without room leaves the context to the next turn (noted
 * again, or the pass stopped where it is). A restarted dp has no TCP
 * contexts (cp/agw releases them: their records go). Nothing here logs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "cp_dp.h"
#include "li.h"
#include "li_agw_taps.h"
#include "li_x2_cp.h"

#define ATAP_BUCKETS 4096u
#define CP_LI_AGW_PASS_SLICE 512u
#define ATAP_NOTED 1024u              /* contexts noted between two steps */

struct atap_rec {
	struct atap_rec *next;
	uint64_t id;
	struct ipc_agw_tap tap;       /* what dp was told (on) */
};

struct cp_li_agw_taps {
	struct atap_rec *heads[ATAP_BUCKETS];
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
	/* contexts sent an AGW_ADD or AGW_MOD since the last step */
	uint32_t nnoted;
	uint64_t noted[ATAP_NOTED];
	struct cp_li_agw_taps_stats st;
};

static struct atap_rec **
slot_of(struct cp_li_agw_taps *lt, uint64_t id)
{
	struct atap_rec **p = &lt->heads[(id ^ (id >> 17) ^ (id >> 32)) & (ATAP_BUCKETS - 1)];

	while (*p != NULL && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

static void
rec_drop(struct atap_rec **p)
{
	struct atap_rec *r = *p;

	*p = r->next;
	explicit_bzero(r, sizeof(*r));
	free(r);
}

/* The TCP table's context id, or NULL (gone, another generation). */
static const struct cp_agw_ctx *
ctx_by_id(const struct cp_ctx *cp, uint64_t id)
{
	const struct cp_agw_table *t;
	unsigned int w = ipc_conn_worker(id);
	uint32_t s = ipc_conn_slot(id);
	const struct cp_agw_ctx *c;

	if (cp->agw == NULL)
		return NULL;
	t = &cp->agw->tab[CP_AGW_KIND_TCP];
	if (t->per_worker == 0 || w >= cp->agw->nworkers || s >= t->per_worker)
		return NULL;
	c = &t->ctx[(size_t)w * t->per_worker + s];
	return c->id == id ? c : NULL;
}

const struct cp_li_task *
cp_li_agw_task(struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int *leg)
{
	return cp_li_match_agw(cp->li, c->tcp.term, c->tcp.leg_remote, leg);
}

/* The tap c should have now (out zero: none). */
static void
want(struct cp_ctx *cp, const struct cp_agw_ctx *c, struct ipc_agw_tap *out)
{
	const struct cp_li_task *t;
	unsigned int leg = 0;

	memset(out, 0, sizeof(*out));
	t = cp_li_agw_task(cp, c, &leg);
	if (cp_li_tap_of(cp->li, t, c->id, &out->tap))
		out->leg = (uint8_t)leg;
}

/* dp told c's tap (or its absence) when it is not what it was told, or
 * always (force: dp's context is fresh or changed, or a restarted cp's
 * first pass;
 * offs: "off" too, where nothing was told). First, the X2 event due (e
 * dp's event that brought c, or NULL; sent: cp/agw sent an AGW_ADD or
 * AGW_MOD), so that "created" precedes the tap that starts the X3 on the
 * worker's ring. 0, or -ENOBUFS/-ENOMEM (nothing changed, try again). */
static int
sync_one(struct cp_ctx *cp, struct cp_li_agw_taps *lt, const struct cp_agw_ctx *c, bool force,
	 bool offs, const struct ipc_agw_event *e, bool sent)
{
	static struct ipc_msg m;
	struct ipc_agw_tap w;
	struct atap_rec **p = slot_of(lt, c->id), *r = *p;
	int rc;

	cp_li_x2_agw(cp, c, e, sent);
	want(cp, c, &w);
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
	m.h.kind = IPC_AGW_TAP;
	m.h.alloc_id = c->id;
	m.h.body_len = sizeof(w);
	memcpy(m.body, &w, sizeof(w));
	rc = cp_dp_send(cp, c->worker, &m, CP_RING_HEADROOM);
	explicit_bzero(m.body, sizeof(w));
	if (rc < 0) {
		lt->st.send_failed++;
		/* kept as it was told (a new record: as untapped) */
		if (r != NULL && r->tap.tap.on == 0 && w.tap.on)
			rec_drop(p);
		explicit_bzero(&w, sizeof(w));
		return rc;
	}
	lt->st.sent++;
	if (w.tap.on)
		lt->st.sent_on++;
	if (w.tap.on)
		r->tap = w;
	else if (r != NULL)
		rec_drop(p);
	explicit_bzero(&w, sizeof(w));
	return 0;
}

/* id to be looked at in the next step, its tap sent whatever dp was
 * told; noted too many: a pass that does so. */
/* Every context again: a pass, or once the one under way ends (what
 * lies behind its cursor); force: telling dp whatever it was told. */
static void
pass_again(struct cp_li_agw_taps *lt, bool force)
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
note(struct cp_li_agw_taps *lt, uint64_t id)
{
	for (uint32_t i = 0; i < lt->nnoted; i++)
		if (lt->noted[i] == id)
			return;
	if (lt->nnoted == ATAP_NOTED) {
		pass_again(lt, true);
		return;
	}
	lt->noted[lt->nnoted++] = id;
}

/* cp/agw's sender: what it sent (AGW_ADD, AGW_MOD) is looked at in the
 * step. */
static void
sent(struct cp_ctx *cp, uint64_t id, uint16_t kind, void *arg)
{
	(void)cp;
	(void)kind;
	note(arg, id);
}

/* cp/agw's observer: a leg up may meet a target (its connection's
 * remote); a subtraction may end one; a released context's record goes
 * (its X2 end told first). */
static void
observed(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *e, void *arg)
{
	const struct ipc_agw_event *ev = e;
	struct cp_li_agw_taps *lt = arg;
	struct atap_rec **p;

	/* (cp/agw has no unobserve: once closed, arg is compared, never
	 * read) */
	if (cp->li == NULL || cp->li_agw_taps != arg)
		return;
	switch (ev->type) {
	case IPC_AGW_EV_LEG_UP:
	case IPC_AGW_EV_SUBTRACTED:
		if (sync_one(cp, lt, c, false, false, ev, false) < 0)
			note(lt, c->id);
		break;
	case IPC_AGW_EV_RELEASED:
		cp_li_x2_agw(cp, c, ev, false);
		p = slot_of(lt, c->id);
		if (*p != NULL)
			rec_drop(p);
		break;
	default:
		break;
	}
}

int
cp_li_agw_taps_open(struct cp_ctx *cp)
{
	struct cp_li_agw_taps *lt;
	int rc;

	if (cp->agw == NULL || cp->agw->tab[CP_AGW_KIND_TCP].per_worker == 0)
		return 0;                 /* no gateway in this cp */
	lt = calloc(1, sizeof(*lt));
	if (lt == NULL)
		return -ENOMEM;
	rc = cp_agw_observe(cp, CP_AGW_KIND_TCP, observed, lt);
	if (rc < 0) {
		free(lt);
		return rc == -ENODEV ? 0 : rc;
	}
	cp_agw_on_tcp_sent(cp, sent, lt);
	lt->gen = cp->li->gen;
	/* a restarted cp: whatever dp holds, the tables say again */
	lt->pass = true;
	lt->pass_force = true;
	lt->pass_start = true;
	cp->li_agw_taps = lt;
	return 0;
}

void
cp_li_agw_taps_close(struct cp_ctx *cp)
{
	struct cp_li_agw_taps *lt = cp->li_agw_taps;

	if (lt == NULL)
		return;
	cp_agw_on_tcp_sent(cp, NULL, NULL);
	cp->li_agw_taps = NULL;       /* (the observer stays: observed()) */
	for (unsigned int i = 0; i < ATAP_BUCKETS; i++)
		while (lt->heads[i] != NULL)
			rec_drop(&lt->heads[i]);
	explicit_bzero(lt, sizeof(*lt));
	free(lt);
}

unsigned int
cp_li_agw_taps_step(struct cp_ctx *cp)
{
	struct cp_li_agw_taps *lt = cp->li_agw_taps;
	const struct cp_agw_table *tab;
	unsigned int k = 0;
	uint32_t n, keep = 0;

	if (lt == NULL || cp->li == NULL || cp->agw == NULL)
		return 0;
	/* what cp/agw sent since the last turn, as its records now say */
	for (uint32_t i = 0; i < lt->nnoted; i++) {
		const struct cp_agw_ctx *c = ctx_by_id(cp, lt->noted[i]);

		/* (one kept for the next turn is no work done: a dp that
		 * takes nothing does not keep cp's loop awake) */
		if (c != NULL && sync_one(cp, lt, c, true, false, NULL, true) < 0) {
			lt->noted[keep++] = lt->noted[i];
		} else {
			k++;
		}
	}
	lt->nnoted = keep;
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
	 * AGW_STATEs, cp->ready): a pass over a table not yet restored would
	 * end at once, and a context restored after it would keep the tap
	 * an old cp left in dp, a task's since deactivated among them */
	if (lt->pass_start && !cp->ready)
		return k;
	tab = &cp->agw->tab[CP_AGW_KIND_TCP];
	n = cp->agw->nworkers * tab->per_worker;
	while (lt->pass && k < CP_LI_AGW_PASS_SLICE) {
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
		if (sync_one(cp, lt, c, lt->pass_force, lt->pass_start, NULL, false) < 0)
			break;                /* this one again next turn */
		lt->cursor++;
	}
	return k;
}

void
cp_li_agw_taps_stats(const struct cp_ctx *cp, struct cp_li_agw_taps_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (cp->li_agw_taps != NULL)
		*out = cp->li_agw_taps->st;
}
