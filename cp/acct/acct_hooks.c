/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/acct's hooks, called by cp/alloc as allocations end: an allocation's
 * end makes a record that waits for dp's last counters of it (STATS_FINAL,
 * sent as dp removes it: the counters cp had are up to a second old) and,
 * for an RFC 6062 allocation, for its peer connections' ends (their GONE
 * events come after the allocation's). Interim records go out for
 * allocations older than accounting.interim, each time their age passes
 * another multiple of it. Apart from acct_module.c so that what links
 * cp/alloc alone (unit tests, fuzz targets, benchmarks) has them: without
 * an accounting group (cp->acct NULL) each is one test.
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
	r->transport = a->tuple.transport == 17 ? CP_ACCT_UDP :
		       is_tls(cp, &a->tuple) ? CP_ACCT_TLS : CP_ACCT_TCP;
	r->relay_tcp = a->tcp;
	r->has_pkts = !a->tcp;
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

/* The bytes and packets at the relayed payload's layer: dp's UDP relaying
 * (to the peer: the client's payloads; from the peer: the peers') and
 * RFC 6062's data connections (read from the client, written to it). */
static void
rec_counts(struct cp_acct_rec *r, const uint64_t c[IPC_ALLOC_STATS_N], const uint64_t tb[4])
{
	r->bytes_from_client = c[3] + tb[0];
	r->bytes_to_client = c[5] + tb[3];
	r->pkts_from_client = c[2];
	r->pkts_to_client = c[4];
}

static void
write_pending(struct cp_ctx *cp, struct cp_acct_pending *p)
{
	rec_counts(&p->rec, p->counters, p->tcp_bytes);
	p->rec.exact = p->final;
	(void)cp_acct_write(cp->acct, &p->rec);
}

void
cp_acct_alloc_end(struct cp_ctx *cp, const struct cp_alloc *a, unsigned int reason)
{
	struct cp_acct *acct = cp->acct;
	struct cp_acct_pending *p;

	if (acct == NULL)
		return;
	p = acct->npending < ACCT_PENDING_MAX ? malloc(sizeof(*p)) : NULL;
	if (p == NULL) {
		struct cp_acct_rec r;

		/* (written now with what cp has: marked not exact) */
		rec_from_alloc(cp, a, &r);
		r.type = CP_ACCT_STOP;
		r.reason = (uint16_t)reason;
		r.end_ms = cp->wall_ms;
		rec_counts(&r, a->counters, a->tcp_bytes);
		r.exact = a->final;
		(void)cp_acct_write(acct, &r);
		return;
	}
	rec_from_alloc(cp, a, &p->rec);
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
	p->next = acct->pending;
	acct->pending = p;
	acct->npending++;
}

static struct cp_acct_pending *
pending_find(struct cp_acct *acct, uint64_t id)
{
	for (struct cp_acct_pending *p = acct->pending; p != NULL; p = p->next)
		if (p->rec.session == id)
			return p;
	return NULL;
}

int
cp_acct_final(struct cp_ctx *cp, uint64_t id, const uint64_t c[IPC_ALLOC_STATS_N],
	      uint64_t old[IPC_ALLOC_STATS_N])
{
	struct cp_acct_pending *p;

	if (cp->acct == NULL)
		return 0;
	p = pending_find(cp->acct, id);
	if (p == NULL || p->final) {
		cp->acct->stats[CP_ACCT_STAT_FINAL_UNMATCHED]++;
		return 0;
	}
	memcpy(old, p->counters, sizeof(p->counters));
	memcpy(p->counters, c, sizeof(p->counters));
	p->final = true;
	/* written at the next step: a UDP one at once, an RFC 6062 one once
	 * its connections had the grace to end */
	p->due_ms = p->rec.relay_tcp ? cp->now_ms + ACCT_TCP_GRACE_MS : cp->now_ms;
	return 1;
}

void
cp_acct_tcp_gone(struct cp_ctx *cp, uint64_t id, const uint64_t b[4])
{
	struct cp_acct_pending *p;

	if (cp->acct == NULL || (p = pending_find(cp->acct, id)) == NULL)
		return;
	for (unsigned int d = 0; d < 4; d++)
		p->tcp_bytes[d] += b[d];
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
		write_pending(cp, p);
		free(p);
		n++;
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
