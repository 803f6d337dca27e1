/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li meets the allocations (docs/design/li.md §4; issue 70 slice 4):
 * cp/alloc's observer and a pass over the allocations held. An
 * allocation made (cp/alloc told dp to install it: CP_ALLOC_EV_UP) is
 * matched at once (li_match.c) and, when a task targets it, dp is told
 * to tap it (lib/ipc ALLOC_TAP) on the same ring, right after its
 * ALLOC_ADD and before the Allocate's answer: its first datagram is
 * copied. One moved to another client 5-tuple (RFC 8016,
 * CP_ALLOC_EV_MOVED) is matched again at once: onto or off a targeted
 * address. A change of the tasks or destinations (the tables' gen moved)
 * starts a pass over every allocation held, CP_LI_PASS_SLICE a loop turn,
 * which taps, re-taps (another task, other destinations) or untaps each
 * as the tables now say: activation, modification and deactivation alike.
 * What dp was told is kept by allocation id (hashed), so a pass sends
 * only what changed; a ring without room stops the pass where it is, and
 * the next turn goes on from there.
 *
 * The record is what dp holds, never what cp meant to send: an install
 * (UP: a new allocation, or a restarted dp's reinstall) holds no tap, so
 * its record goes before anything is sent, and a tap that finds no room
 * leaves no record behind; the pass then sends it (S1 of the review). A
 * started cp knows nothing of what an earlier cp told dp (a
 * DeactivateTask's untap may never have reached it): until one whole
 * pass, begun once cp is ready (every allocation of dp's back in its
 * table), has gone over every allocation, one without a record is told
 * "off" too (S2). An off on an untapped allocation changes nothing in dp.
 * Nothing here logs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "cp_dp.h"
#include "li.h"
#include "li_taps.h"

#define TAP_BUCKETS 4096u
#define CP_LI_PASS_SLICE 512u

struct tap_rec {
	struct tap_rec *next;
	uint64_t id;
	struct ipc_alloc_tap tap;     /* what dp was told (on) */
};

struct cp_li_taps {
	struct tap_rec *heads[TAP_BUCKETS];
	uint64_t gen;                 /* the tables' gen the last pass began at */
	bool pass;                    /* a pass under way */
	bool rerun;                   /* another from the start once it ends (a
				       * tap failed, perhaps behind the cursor) */
	/* a started cp: what dp holds of an allocation without a record is
	 * unknown (an earlier cp's tap); cleared by a whole pass */
	bool unsure;
	uint32_t cursor;              /* its place (cp_alloc_next()) */
	uint64_t sent, send_failed;   /* for the tests: no task in them */
};

static struct tap_rec **
slot(struct cp_li_taps *lt, uint64_t id)
{
	struct tap_rec **p = &lt->heads[(id ^ (id >> 17)) & (TAP_BUCKETS - 1)];

	while (*p != NULL && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

static void
rec_drop(struct tap_rec **p)
{
	struct tap_rec *r = *p;

	*p = r->next;
	explicit_bzero(r, sizeof(*r));
	free(r);
}

/* The task that targets a now, or NULL: the one decision X3's taps and
 * X2's events (li_x2.c) both take. */
const struct cp_li_task *
cp_li_alloc_task(struct cp_ctx *cp, const struct cp_alloc *a)
{
	const struct tp_conf *c = cp->conf;
	struct cp_li_who who = {
		.family = a->tuple.client.family,
		.ip = a->tuple.client.ip,
		.realm = a->tenant > 0 && a->tenant <= c->tenants.n ?
			 c->tenants.t[a->tenant - 1].realm : c->turn.realm,
	};

	if (a->user != NULL && cp_li_has_nai(cp->li)) {
		size_t off, len;

		who.user = a->user->name;
		who.user_len = a->user->len;
		/* a TURN REST name names its user part, read as cp/auth
		 * reads it; a static user's name (even "123:alice") whole */
		if (cp_auth_rest_user(cp->auth, a->tenant, a->user->name, a->user->len, &off,
				      &len) == 0) {
			who.user = a->user->name + off;
			who.user_len = len;
		}
	}
	return cp_li_match(cp->li, &who);
}

/* The tap a should have now (out zero: none). */
static void
want(struct cp_ctx *cp, const struct cp_alloc *a, struct ipc_alloc_tap *out)
{
	(void)cp_li_tap_of(cp->li, cp_li_alloc_task(cp, a), a->id, out);
}

/* dp told a's tap (or its absence) when it is not what dp holds; fresh:
 * a has just been installed (dp holds no tap of it). 0, or -ENOBUFS (the
 * ring full: the record says what dp holds still; try again), -ENOMEM. */
static int
sync_one(struct cp_ctx *cp, struct cp_li_taps *lt, const struct cp_alloc *a, bool fresh)
{
	static struct ipc_msg m;
	struct ipc_alloc_tap w;
	struct tap_rec **p = slot(lt, a->id), *r;
	int rc;

	if (fresh && *p != NULL)
		rec_drop(p);              /* (a reinstall into a restarted dp) */
	r = *p;
	want(cp, a, &w);
	if (r == NULL ? w.on == 0 && (fresh || !lt->unsure) :
			memcmp(&r->tap, &w, sizeof(w)) == 0)
		return 0;
	if (w.on && r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		r->id = a->id;
		r->next = *p;
		*p = r;
	}
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_ALLOC_TAP;
	m.h.alloc_id = a->id;
	m.h.tuple = a->tuple;
	m.h.body_len = sizeof(w);
	memcpy(m.body, &w, sizeof(w));
	rc = cp_dp_send(cp, a->worker, &m, CP_RING_HEADROOM);
	if (rc < 0) {
		lt->send_failed++;
		/* kept as dp holds it (a new record: untapped) */
		if (r != NULL && r->tap.on == 0)
			rec_drop(p);
		explicit_bzero(&w, sizeof(w));
		return rc;
	}
	lt->sent++;
	if (w.on)
		r->tap = w;
	else if (r != NULL)
		rec_drop(p);
	explicit_bzero(&w, sizeof(w));
	return 0;
}

/* A tap not sent: the pass goes over every allocation (again, once the
 * one under way ends: a's place may lie behind its cursor). */
static void
again(struct cp_li_taps *lt)
{
	if (lt->pass) {
		lt->rerun = true;
	} else {
		lt->pass = true;
		lt->cursor = 0;
	}
}

/* cp/alloc's observer: an install or a move is matched; a gone
 * allocation's record goes. */
static void
observed(struct cp_ctx *cp, struct cp_alloc_ev *ev, void *arg)
{
	struct cp_li_taps *lt = arg;
	struct tap_rec **p;

	if (cp->li == NULL)
		return;
	switch (ev->type) {
	case CP_ALLOC_EV_UP:
	case CP_ALLOC_EV_MOVED:
		/* a full ring: the pass taps it (no datagram waits for a
		 * ring with room, but an allocation is never left untapped
		 * past the pass) */
		if (sync_one(cp, lt, ev->a, ev->type == CP_ALLOC_EV_UP) < 0)
			again(lt);
		break;
	case CP_ALLOC_EV_GONE:
		p = slot(lt, ev->a->id);
		if (*p != NULL)
			rec_drop(p);
		break;
	default:
		break;
	}
}

int
cp_li_taps_open(struct cp_ctx *cp)
{
	struct cp_li_taps *lt = calloc(1, sizeof(*lt));
	int rc;

	if (lt == NULL)
		return -ENOMEM;
	rc = cp_alloc_observe(cp, observed, lt);
	if (rc < 0) {
		free(lt);
		return rc;
	}
	lt->gen = cp->li->gen;
	/* a restarted cp: whatever dp holds, the tables say again, "off"
	 * included (the pass waits for cp to be ready) */
	lt->pass = true;
	lt->unsure = true;
	cp->li_taps = lt;
	return 0;
}

void
cp_li_taps_close(struct cp_ctx *cp)
{
	struct cp_li_taps *lt = cp->li_taps;

	if (lt == NULL)
		return;
	cp_alloc_unobserve(cp, observed, lt);
	for (unsigned int i = 0; i < TAP_BUCKETS; i++)
		while (lt->heads[i] != NULL)
			rec_drop(&lt->heads[i]);
	free(lt);
	cp->li_taps = NULL;
}

unsigned int
cp_li_taps_step(struct cp_ctx *cp)
{
	struct cp_li_taps *lt = cp->li_taps;
	unsigned int k = 0;

	if (lt == NULL || cp->li == NULL)
		return 0;
	if (lt->gen != cp->li->gen) {
		/* the tables changed: every allocation again. A pass under way
		 * goes on and another follows (again()): rewinding at each
		 * change would never reach the allocations past the cursor
		 * while the tables change faster than a pass takes (review of
		 * slice 7, M2) */
		lt->gen = cp->li->gen;
		again(lt);
	}
	/* a started cp: not before every allocation of dp's is in its table
	 * (one restored behind the cursor would keep an old cp's tap) */
	if (lt->unsure && !cp->ready)
		return 0;
	while (lt->pass && k < CP_LI_PASS_SLICE) {
		uint32_t at = lt->cursor;
		struct cp_alloc *a = cp_alloc_next(cp, &lt->cursor);

		if (a == NULL) {
			lt->unsure = false;   /* every allocation told */
			lt->cursor = 0;
			lt->pass = lt->rerun;
			lt->rerun = false;
			if (!lt->pass)
				break;
			continue;
		}
		k++;
		if (sync_one(cp, lt, a, false) < 0) {
			lt->cursor = at;      /* this one again next turn */
			break;
		}
	}
	return k;
}
