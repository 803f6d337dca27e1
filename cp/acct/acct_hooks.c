/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/acct's records of allocations, as an observer of cp/alloc
 * (cp_acct_alloc_event(), registered by acct_module.c): an allocation's
 * end makes a record that waits for dp's last counters of it (STATS_FINAL,
 * sent as dp removes it: the counters cp had are up to a second old) and,
 * for an RFC 6062 allocation, for its peer connections' ends (their GONE
 * events come after the allocation's). Interim records go out for
 * allocations older than accounting.interim, each time their age passes
 * another multiple of it. A record that waits is journaled
 * (acct_journal.c) so that a killed cp's next one finishes it; an
 * allocation dp removed while no cp served comes as dp's whole report of
 * it (ALLOC_END), and its record is made from that. An allocation's
 * reason is cp/alloc's (alloc_end.h), with the record's values.
 *
 * A pair's box that is not active (cp->ha_standby, issue 69) writes none:
 * its allocations are the active box's mirror, and their records are the
 * active box's (a session's record once across the pair). Nothing waits
 * either: the box that takes over writes the ends it sees from then on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acct.h"
#include "cp.h"
#include "cp_tenant.h"

/* dp's last counters come within a sweep (TURN_SWEEP_GAP_US) unless dp is
 * away; an RFC 6062 allocation's peer connections close within a grace */
#define ACCT_FINAL_WAIT_MS  5000u
#define ACCT_TCP_GRACE_MS   1000u
#define ACCT_PENDING_MAX    65536u

uint64_t
cp_acct_wall_ms(uint64_t mono_ms, uint64_t now_mono_ms)
{
	struct timespec ts;
	uint64_t wall;

	clock_gettime(CLOCK_REALTIME, &ts);
	wall = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	return mono_ms <= now_mono_ms ? wall - (now_mono_ms - mono_ms) : wall;
}

static bool
is_tls(const struct cp_ctx *cp, const struct ipc_tuple *tu)
{
	const struct tp_conf_turn *t = &cp->conf->turn;

	if (tu->transport != 6)
		return false;
	for (unsigned int i = 0; i < t->nlisten_tls; i++)
		if (t->listen_tls[i] == tu->server.port)
			return true;
	return false;
}

/* What a record takes from a live allocation (counters apart). */
static void
rec_from_alloc(struct cp_ctx *cp, const struct cp_alloc *a, struct cp_acct_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = CP_ACCT_TURN;
	r->session = a->id;
	r->transport = a->tuple.transport == 17 ?
		       (a->tuple.conn_id != 0 ? CP_ACCT_DTLS : CP_ACCT_UDP) :
		       is_tls(cp, &a->tuple) ? CP_ACCT_TLS : CP_ACCT_TCP;
	r->relay_tcp = a->tcp;
	r->has_pkts = !a->tcp;
	r->max_bps = a->max_bps;
	if (a->user != NULL)
		snprintf(r->user, sizeof(r->user), "%.*s", (int)a->user->len, a->user->name);
	snprintf(r->tenant, sizeof(r->tenant), "%s",
		 tp_conf_tenant_name(cp->conf, cp_alloc_tenant(cp, a)));
	r->client = a->tuple.client;
	r->server = a->tuple.server;
	r->nrelayed = a->nrelayed;
	for (unsigned int i = 0; i < a->nrelayed && i < 2; i++) {
		r->relayed[i] = a->relayed[i];
		r->relayed[i].port = a->relay_port;
	}
	r->start_ms = cp_acct_wall_ms(a->created_ms, cp->now_ms);
	/* its peers: the addresses it holds permissions for (a channel
	 * installs one too; RFC 6062 connections need one) */
	for (unsigned int i = 0; i < a->nbinds && r->npeers < CP_ACCT_PEERS_MAX; i++) {
		const struct ipc_addr *p = &a->binds[i].peer;
		bool seen = false;

		for (unsigned int k = 0; k < r->npeers && !seen; k++)
			seen = r->peers[k].family == p->family &&
			       memcmp(r->peers[k].ip, p->ip, 16) == 0;
		if (!seen) {
			r->peers[r->npeers] = *p;
			r->peers[r->npeers].port = 0;
			r->npeers++;
		}
	}
}

/* The bytes and packets at the relayed payload's layer (cp_acct_usage()). */
static void
rec_counts(struct cp_acct_rec *r, const uint64_t c[IPC_ALLOC_STATS_N], const uint64_t tb[4])
{
	uint64_t u[4];

	cp_acct_usage(c, tb, u);
	r->bytes_from_client = u[0];
	r->bytes_to_client = u[1];
	r->pkts_from_client = u[2];
	r->pkts_to_client = u[3];
}

/* p waits: on the list and in the journal. */
static void
pending_add(struct cp_acct *acct, struct cp_acct_pending *p)
{
	p->next = acct->pending;
	acct->pending = p;
	acct->npending++;
	cp_acct_journal_put(acct, p);
}

static void
write_pending(struct cp_ctx *cp, struct cp_acct_pending *p)
{
	rec_counts(&p->rec, p->counters, p->tcp_bytes);
	p->rec.exact = p->final;
	(void)cp_acct_write(cp->acct, &p->rec);
}

/* An allocation ends (before cp/alloc forgets it): its record waits. */
static void
alloc_end(struct cp_ctx *cp, const struct cp_alloc *a, unsigned int reason)
{
	struct cp_acct *acct = cp->acct;
	struct cp_acct_pending *p;

	p = acct->npending < ACCT_PENDING_MAX ? malloc(sizeof(*p)) : NULL;
	if (p == NULL) {
		struct cp_acct_rec r;

		/* (written now with what cp has: marked not exact) */
		rec_from_alloc(cp, a, &r);
		cp_acct_stop_id(acct->ident, a->id, a->created_ms, r.id);
		r.type = CP_ACCT_STOP;
		r.reason = (uint16_t)reason;
		r.end_ms = cp->wall_ms;
		rec_counts(&r, a->counters, a->tcp_bytes);
		r.exact = a->final;
		(void)cp_acct_write(acct, &r);
		return;
	}
	rec_from_alloc(cp, a, &p->rec);
	cp_acct_stop_id(acct->ident, a->id, a->created_ms, p->rec.id);
	p->restored = false;
	p->rec.type = CP_ACCT_STOP;
	p->rec.reason = (uint16_t)reason;
	p->rec.end_ms = cp->wall_ms;
	memcpy(p->counters, a->counters, sizeof(p->counters));
	memcpy(p->tcp_bytes, a->tcp_bytes, sizeof(p->tcp_bytes));
	p->final = a->final;
	if (p->final && !a->tcp) {
		/* dp's last word came before cp's end of it (CONN_DOWN after
		 * dp removed the allocation) */
		write_pending(cp, p);
		free(p);
		return;
	}
	p->due_ms = cp->now_ms + (p->final ? ACCT_TCP_GRACE_MS : ACCT_FINAL_WAIT_MS);
	pending_add(acct, p);
}

static struct cp_acct_pending *
pending_find(struct cp_acct *acct, uint64_t id)
{
	for (struct cp_acct_pending *p = acct->pending; p != NULL; p = p->next)
		if (p->rec.session == id)
			return p;
	return NULL;
}

/* The tenant index of the record that waits for allocation id's last
 * counters (0, the default tenant, when none waits): where what dp says of
 * an allocation cp no longer has is counted. */
static unsigned int
pending_tenant(struct cp_ctx *cp, uint64_t id)
{
	struct cp_acct_pending *p;
	int t;

	if ((p = pending_find(cp->acct, id)) == NULL)
		return 0;
	t = cp_tenant_find(cp->conf, p->rec.tenant);
	return t > 0 ? (unsigned int)t : 0;
}

/* dp's last counters of an allocation cp no longer has (STATS_FINAL after
 * its end): true and *old the counters cp had, when a record waited for
 * them; false when none did. */
static bool
final(struct cp_ctx *cp, uint64_t id, const uint64_t c[IPC_ALLOC_STATS_N],
      uint64_t old[IPC_ALLOC_STATS_N])
{
	struct cp_acct_pending *p;

	p = pending_find(cp->acct, id);
	if (p == NULL || p->final) {
		cp->acct->stats[CP_ACCT_STAT_FINAL_UNMATCHED]++;
		return false;
	}
	memcpy(old, p->counters, sizeof(p->counters));
	memcpy(p->counters, c, sizeof(p->counters));
	p->final = true;
	/* written at the next step: a UDP one at once, an RFC 6062 one once
	 * its connections had the grace to end */
	p->due_ms = p->rec.relay_tcp ? cp->now_ms + ACCT_TCP_GRACE_MS : cp->now_ms;
	if (p->rec.relay_tcp)
		cp_acct_journal_put(cp->acct, p);
	return true;
}

/* dp's whole report (ALLOC_END, its end as reason) of an allocation cp
 * does not have: the record that waited for it takes its counters (true),
 * or, when none did (cp never knew it: it ended while no cp served), the
 * record is made from the report (false). *old: the counters the waiting
 * record had. */
static bool
alloc_report(struct cp_ctx *cp, const struct ipc_msg *msg, unsigned int reason,
	     uint64_t old[IPC_ALLOC_STATS_N])
{
	const struct ipc_alloc_end *e = (const struct ipc_alloc_end *)msg->body;
	const struct ipc_tuple *tu = &msg->h.tuple;
	struct cp_acct *acct = cp->acct;
	struct cp_acct_pending *p;
	struct cp_acct_rec *r;

	char id[37];

	/* (by the record's id: cp's allocation ids start again after a
	 * restart, a killed cp's record and a new one may share one) */
	cp_acct_stop_id(acct->ident, msg->h.alloc_id, e->created_ms, id);
	for (p = acct->pending; p != NULL; p = p->next)
		if (p->rec.session == msg->h.alloc_id && strcmp(p->rec.id, id) == 0)
			break;
	if (p != NULL && !p->final) {
		uint64_t c[IPC_ALLOC_STATS_N];

		memcpy(c, e->c, sizeof(c));
		memcpy(old, p->counters, sizeof(p->counters));
		memcpy(p->counters, c, sizeof(p->counters));
		p->final = true;
		p->due_ms = p->rec.relay_tcp ? cp->now_ms + ACCT_TCP_GRACE_MS : cp->now_ms;
		if (p->rec.relay_tcp)
			cp_acct_journal_put(acct, p);
		return true;
	}
	if (p != NULL)
		return false;
	/* cp never knew it (it ended while no cp served), or a cp before
	 * knew it and was killed before it journaled its end */
	p = acct->npending < ACCT_PENDING_MAX ? calloc(1, sizeof(*p)) : NULL;
	if (p == NULL) {
		acct->stats[CP_ACCT_STAT_LOST]++;
		return false;
	}
	r = &p->rec;
	r->type = CP_ACCT_STOP;
	r->kind = CP_ACCT_TURN;
	r->session = msg->h.alloc_id;
	memcpy(r->id, id, sizeof(r->id));
	r->transport = tu->transport == 17 ?
		       (tu->conn_id != 0 ? CP_ACCT_DTLS : CP_ACCT_UDP) :
		       is_tls(cp, tu) ? CP_ACCT_TLS : CP_ACCT_TCP;
	r->relay_tcp = (e->flags & IPC_ALLOC_F_TCP) != 0;
	r->max_bps = e->max_bps;
	r->has_pkts = !r->relay_tcp;
	r->reason = (uint16_t)reason;
	snprintf(r->user, sizeof(r->user), "%.*s",
		 (int)(e->user_len < IPC_USER_MAX ? e->user_len : IPC_USER_MAX), e->username);
	r->client = tu->client;
	r->server = tu->server;
	/* the tenant is the address the client reached, as cp/alloc's rule */
	snprintf(r->tenant, sizeof(r->tenant), "%s",
		 tp_conf_tenant_name(cp->conf, tp_conf_tenant_of(cp->conf, tu->server.family,
								 tu->server.ip)));
	r->nrelayed = e->nrelayed <= 2 ? e->nrelayed : 2;
	for (unsigned int i = 0; i < r->nrelayed; i++)
		r->relayed[i] = e->relayed[i];
	r->start_ms = cp_acct_wall_ms(e->created_ms != 0 ? e->created_ms : e->ended_ms,
				      cp->now_ms);
	r->end_ms = cp_acct_wall_ms(e->ended_ms, cp->now_ms);
	memcpy(p->counters, e->c, sizeof(p->counters));
	p->final = true;
	acct->stats[CP_ACCT_STAT_FROM_DP]++;
	if (!r->relay_tcp) {
		write_pending(cp, p);
		free(p);
		return false;
	}
	/* its peer connections' bytes come in their GONE events */
	p->due_ms = cp->now_ms + ACCT_TCP_GRACE_MS;
	pending_add(acct, p);
	return false;
}

/* An RFC 6062 peer connection's bytes (a GONE) after its allocation
 * ended (in cp_alloc's tcp_bytes order). */
static void
tcp_gone(struct cp_ctx *cp, uint64_t id, const uint64_t b[4])
{
	struct cp_acct_pending *p;

	if ((p = pending_find(cp->acct, id)) == NULL)
		return;
	for (unsigned int d = 0; d < 4; d++)
		p->tcp_bytes[d] += b[d];
	cp_acct_journal_put(cp->acct, p);
}

void
cp_acct_alloc_event(struct cp_ctx *cp, struct cp_alloc_ev *ev, void *arg)
{
	(void)arg;
	if (cp->acct == NULL || cp->ha_standby)
		return;           /* (a report's held.took stays false: counted as done) */
	switch (ev->type) {
	case CP_ALLOC_EV_END:
		alloc_end(cp, ev->a, ev->reason);
		break;
	case CP_ALLOC_EV_FINAL:
		ev->held.tenant = pending_tenant(cp, ev->id);
		ev->held.took = final(cp, ev->id, ev->c, ev->held.old);
		break;
	case CP_ALLOC_EV_REPORT:
		ev->held.took = alloc_report(cp, ev->msg, ev->reason, ev->held.old);
		break;
	case CP_ALLOC_EV_TCP_GONE:
		ev->held.tenant = pending_tenant(cp, ev->id);
		tcp_gone(cp, ev->id, ev->b);
		break;
	default:
		break;
	}
}

/* A killed cp's record whose allocation lives on in this cp: the same
 * allocation (its id, made of its start, is the record's), not a new one
 * that took its number. */
static bool
alive(struct cp_ctx *cp, const struct cp_acct_pending *p)
{
	const struct cp_alloc *a = cp_alloc_find_id(cp, p->rec.session);
	char id[37];

	if (a == NULL)
		return false;
	cp_acct_stop_id(cp->acct->ident, a->id, a->created_ms, id);
	return strcmp(id, p->rec.id) == 0;
}

/* Pending records whose time came, in the order they ended. */
unsigned int
cp_acct_flush_due(struct cp_ctx *cp, bool all)
{
	struct cp_acct *acct = cp->acct;
	struct cp_acct_pending **pp = &acct->pending, *due = NULL;
	unsigned int n = 0;

	while (*pp != NULL) {
		struct cp_acct_pending *p = *pp;

		if (all || p->due_ms <= cp->now_ms) {
			*pp = p->next;
			p->next = due;     /* (the list is newest first: this reverses it) */
			due = p;
			acct->npending--;
		} else {
			pp = &p->next;
		}
	}
	while (due != NULL) {
		struct cp_acct_pending *p = due;

		due = p->next;
		/* a killed cp's record of an allocation that lives on (its
		 * ALLOC_DEL never reached dp): the allocation's own end
		 * writes it, with the same id */
		if (!p->restored || !alive(cp, p)) {
			write_pending(cp, p);
			n++;
		}
		cp_acct_journal_done(acct, p->rec.session);
		free(p);
	}
	return n;
}

/* Interim records: an allocation whose age passed a multiple of the
 * interval since the last scan. */
unsigned int
cp_acct_interim_scan(struct cp_ctx *cp, uint64_t last_ms)
{
	uint64_t iv = (uint64_t)cp->acct->interim_s * 1000u;
	struct cp_alloc *a;
	uint32_t cur = 0;
	unsigned int n = 0;

	if (cp->ha_standby)
		return 0;
	while ((a = cp_alloc_next(cp, &cur)) != NULL) {
		struct cp_acct_rec r;
		uint64_t age, before;

		if (a->created_ms > cp->now_ms)
			continue;
		age = cp->now_ms - a->created_ms;
		before = last_ms > a->created_ms ? last_ms - a->created_ms : 0;
		if (age < iv || age / iv == before / iv)
			continue;
		rec_from_alloc(cp, a, &r);
		r.type = CP_ACCT_INTERIM;
		r.end_ms = cp->wall_ms;
		rec_counts(&r, a->counters, a->tcp_bytes);
		(void)cp_acct_write(cp->acct, &r);
		n++;
	}
	return n;
}

int
cp_acct_reload(struct cp_ctx *cp, const struct tp_conf_acct *c)
{
	int rc;

	if (cp->acct == NULL)
		return 0;
	rc = cp_acct_reopen(cp->acct, c);
	cp_acct_prune(cp->acct, time(NULL));
	return rc;
}
