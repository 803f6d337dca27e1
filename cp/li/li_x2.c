/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * X2 for TURN allocations (docs/design/li.md §3.2, §3.4; issue 70 slice
 * 5): cp/alloc's observer, apart from the taps' (li_taps.c), that turns a
 * targeted allocation's life into X2 events (lib/li's li_x2.h, payload
 * format 4): created (its client, server, transport, relayed addresses,
 * user, realm, lifetime), refreshed (lifetime), a permission or a channel
 * bound (the peer; renewed or new), an RFC 6062 peer connection up (by the
 * client's Connect or the peer), bound or closed (its bytes), ended (its
 * usage as its stop record
 * gives it: bytes and packets each way, the duration, why, and whether
 * dp's last counters came). An allocation the interception meets after
 * it was made (a task activated later, another task now, a restarted cp)
 * is told first as "ongoing", with created's fields and the lifetime it
 * has left.
 *
 * Which task, if any: cp_li_alloc_task(), the taps' own decision, at each
 * event; its XID and correlation ID (cp_li_correlation(): the one the
 * session's X3 carry) and its destinations that take X2. Each event goes
 * to dp (lib/ipc LI_X2) on the ring of the allocation's worker, after the
 * messages that made it happen, with CP_RING_HEADROOM kept: that worker
 * puts it in its ring of copies, in order with the allocation's X3, and
 * tp-li writes the PDU on the same connections. cp never waits: a ring
 * without room drops the event, counted (dropped); the sequence number
 * moves for every event, sent or not (a gap at the MF is an event lost).
 *
 * A change of the tasks or destinations (the tables' gen moved) starts a
 * pass over the allocations held, X2_PASS_SLICE a loop turn, as the taps'
 * does: an allocation a task now targets and that has no record (a task
 * activated while it was held) is told "ongoing" then, not at its next
 * event; one no longer targeted loses its record.
 *
 * A record an allocation under interception (the task's XID, correlation
 * ID, destinations, the last sequence number), by allocation id, at most
 * X2_RECS_MAX; an ended one waits for dp's last counters (FINAL or
 * REPORT; an RFC 6062 one also for its connections' ends) as cp/acct's
 * stop record does, X2_FINAL_WAIT_MS at most, then goes with what it has
 * (exact 0); its task deactivated meanwhile, it goes at once, with what
 * it has (nothing of a task after its DeactivateTask). An ending record
 * keeps its task. The pair's standby says nothing (its allocations are the
 * active box's).
 *
 * The gateway's RTP contexts (cp_li_x2_ctx(), called by li_rtp_taps.c
 * each time it looks at a context, before its RTP_TAP: "created" reaches
 * dp's worker before the tap that makes its first X3): the same records
 * (a table of their own, by context id), task (cp_li_rtp_task(), the
 * taps' own decision), correlation ID (the context's X3's) and sequence.
 * created (an RTP_ADD of a context made within X2_CTX_FRESH_MS) or
 * ongoing, with each termination (slot, serial, local, signalled remote,
 * latched source, media, SRTP on or off: never a key) and which is the
 * target's; modified when what the record last told changed (a
 * termination added, a remote signalled anew, a source latched or a pair
 * nominated: the terminations as they are now) or a termination was
 * subtracted (dp's SUBTRACTED: its serial and last usage); ended at
 * dp's RELEASED, with both terminations' last figures (exact: dp's own)
 * and the target's as BYTES/PKTS_FROM/TO.
 *
 * The gateway's TCP-leg contexts (MSRP, BFCP: cp_li_x2_agw(), called by
 * li_agw_taps.c before each AGW_TAP), the same way, their events the
 * RTP contexts' (16-19): a leg is a termination (TERM, LOCAL, REMOTE the
 * signalled one, LATCHED its connection's remote once up) with its LEG
 * (listen or connect, TLS on or off); modified at a leg added, up, or
 * signalled a remote anew, and at dp's SUBTRACTED (its bytes); ended at
 * RELEASED with each leg's bytes (dp counts no packets on a TCP leg:
 * TERM_USAGE's are 0, PKTS_FROM/TO absent). Nothing here logs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acct/acct.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "cp.h"
#include "cp_dp.h"
#include "li.h"
#include "li_agw_taps.h"
#include "li_pdu_types.h"
#include "li_rtp_taps.h"
#include "li_taps.h"
#include "li_x2.h"
#include "li_x2_cp.h"

_Static_assert(LI_X2_MAX <= IPC_LI_X2_MAX, "an X2 event fits lib/ipc's LI_X2");

#define X2_BUCKETS        4096u
#define X2_RECS_MAX       65536u
/* as cp/acct's record waits (acct_hooks.c): dp's last counters come
 * within a sweep unless dp is away; RFC 6062 connections close within a
 * grace */
#define X2_FINAL_WAIT_MS  5000u
#define X2_TCP_GRACE_MS   1000u
#define X2_PASS_SLICE     512u
/* an RTP_ADD this close to the context's making is its creation (later:
 * a restarted dp's reinstall) */
#define X2_CTX_FRESH_MS   1000u

struct x2_rec {
	struct x2_rec *next;          /* its bucket's chain */
	struct x2_rec *next_end;      /* the ended ones' list */
	uint64_t id;                  /* the allocation's */
	uint8_t xid[16];
	uint64_t corr;
	uint32_t seq;                 /* the last event's */
	uint16_t worker;
	uint8_t ndest;
	struct ipc_addr dest[IPC_LI_DESTS];
	/* ended, waiting for dp's last counters */
	bool ending, final, tcp;
	uint8_t reason;               /* enum li_x2_reason */
	uint64_t due_ms;
	uint64_t duration_ms;
	uint64_t c[IPC_ALLOC_STATS_N];
	uint64_t tb[4];
	/* a context's: what its last event told, each slot (serial 0: none) */
	uint8_t target_term;
	uint16_t serial[2];
	struct ipc_addr remote[2], latched[2];
};

struct cp_li_x2 {
	struct x2_rec *heads[X2_BUCKETS];
	struct x2_rec *cheads[X2_BUCKETS];   /* the contexts' */
	struct x2_rec *theads[X2_BUCKETS];   /* the TCP-leg contexts' */
	struct x2_rec *ends;
	unsigned int nrecs;
	uint64_t gen;                 /* the tables' gen the last pass began at */
	bool pass;                    /* a pass under way */
	uint32_t cursor;              /* its place (cp_alloc_next()) */
	struct cp_li_x2_stats st;
};

static struct x2_rec **
slot_in(struct x2_rec **heads, uint64_t id)
{
	struct x2_rec **p = &heads[(id ^ (id >> 17) ^ (id >> 32)) & (X2_BUCKETS - 1)];

	while (*p != NULL && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

static struct x2_rec **
slot(struct cp_li_x2 *lx, uint64_t id)
{
	struct x2_rec **p = &lx->heads[(id ^ (id >> 17)) & (X2_BUCKETS - 1)];

	while (*p != NULL && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

static void
rec_drop(struct cp_li_x2 *lx, struct x2_rec **p)
{
	struct x2_rec *r = *p;

	if (r->ending)
		for (struct x2_rec **e = &lx->ends; *e != NULL; e = &(*e)->next_end)
			if (*e == r) {
				*e = r->next_end;
				break;
			}
	*p = r->next;
	lx->nrecs--;
	explicit_bzero(r, sizeof(*r));
	free(r);
}

/*
 * The destinations of task t that take X2 (an IP address and TCP port,
 * deliveryType X2Only or X2andX3), at most IPC_LI_DESTS, into dest: how
 * many. None for an X3Only task. As cp_li_tap_of() picks X3's.
 */
static unsigned int
x2_dests(const struct cp_li *li, const struct cp_li_task *t, struct ipc_addr *dest)
{
	unsigned int n = 0;

	memset(dest, 0, IPC_LI_DESTS * sizeof(*dest));
	if (t->t.delivery == X1_DELIVERY_X3_ONLY)
		return 0;
	for (unsigned int i = 0; i < t->t.n_dids && n < IPC_LI_DESTS; i++) {
		const struct cp_li_dest *d = cp_li_dest_find(li, t->t.dids[i]);

		if (d == NULL || !d->d.ip_port || !d->d.tcp || d->d.port == 0 ||
		    (d->d.delivery != X1_DELIVERY_X2_ONLY &&
		     d->d.delivery != X1_DELIVERY_X2_AND_X3) ||
		    (d->d.family != 4 && d->d.family != 6))
			continue;
		dest[n].family = d->d.family;
		dest[n].port = d->d.port;
		memcpy(dest[n].ip, d->d.addr, d->d.family == 4 ? 4 : 16);
		n++;
	}
	return n;
}

/*
 * a's record when a task targets it now with a destination for X2
 * (made, or moved to another task: *started then, its sequence from 0),
 * else NULL (a record it had is dropped: no task, or none that takes X2).
 * An ending record (a session of that id ended, its end not told yet) is
 * given back as it is, its task, destinations and worker kept: the end
 * is that session's, whatever another one of its id is now (review V7).
 */
static struct x2_rec *
x2_target(struct cp_ctx *cp, struct cp_li_x2 *lx, const struct cp_alloc *a, bool *started)
{
	struct x2_rec **p = slot(lx, a->id), *r = *p;
	const struct cp_li_task *t;
	struct ipc_addr dest[IPC_LI_DESTS];
	unsigned int n;
	uint64_t corr;

	*started = false;
	if (r != NULL && r->ending)
		return r;
	t = cp_li_alloc_task(cp, a);
	n = t != NULL ? x2_dests(cp->li, t, dest) : 0;
	if (n == 0) {
		if (r != NULL)
			rec_drop(lx, p);
		return NULL;
	}
	corr = cp_li_correlation(t, a->id);
	if (r == NULL) {
		if (lx->nrecs >= X2_RECS_MAX || (r = calloc(1, sizeof(*r))) == NULL) {
			lx->st.dropped++;
			return NULL;
		}
		r->id = a->id;
		r->next = *p;
		*p = r;
		lx->nrecs++;
		*started = true;
	} else if (memcmp(r->xid, t->t.xid, 16) != 0 || r->corr != corr) {
		*started = true;
	}
	if (*started) {
		memcpy(r->xid, t->t.xid, 16);
		r->corr = corr;
		r->seq = 0;
	}
	r->worker = a->worker;
	r->ndest = (uint8_t)n;
	memcpy(r->dest, dest, sizeof(dest));
	explicit_bzero(dest, sizeof(dest));
	return r;
}

/*
 * ev as an X2 event of r's session, direction dir, to dp: the next
 * sequence number (moved whether it goes or not), the time now. A ring
 * without room beyond CP_RING_HEADROOM drops it, counted.
 */
static void
x2_send(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct li_x2_ev *ev,
	unsigned int dir)
{
	static struct ipc_msg m;
	struct ipc_li_x2 *x = (struct ipc_li_x2 *)(void *)m.body;
	struct timespec ts;
	int n;

	r->seq++;
	memset(&m.h, 0, sizeof(m.h));
	memset(x, 0, offsetof(struct ipc_li_x2, payload));
	n = li_x2_encode(ev, x->payload, IPC_LI_X2_MAX);
	if (n < 0) {
		lx->st.dropped++;   /* (cp's fault: a field out of range) */
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	memcpy(x->xid, r->xid, 16);
	x->correlation = r->corr;
	x->seq = r->seq;
	x->ts_sec = (uint32_t)ts.tv_sec;
	x->ts_nsec = (uint32_t)ts.tv_nsec;
	x->dir = (uint8_t)dir;
	x->ndest = r->ndest;
	x->len = (uint16_t)n;
	memcpy(x->dest, r->dest, sizeof(x->dest));
	m.h.kind = IPC_LI_X2;
	m.h.alloc_id = r->id;
	m.h.body_len = (uint16_t)(offsetof(struct ipc_li_x2, payload) + (size_t)n);
	/* (cp_dp_send() wipes the body, sent or not) */
	if (cp_dp_send(cp, r->worker, &m, CP_RING_HEADROOM) < 0)
		lx->st.dropped++;
	else
		lx->st.sent++;
}

static void
addr_of(struct li_x2_addr *o, const struct ipc_addr *a, uint16_t port)
{
	memset(o, 0, sizeof(*o));
	o->family = a->family;
	o->port = port;
	memcpy(o->ip, a->ip, a->family == 4 ? 4 : 16);
}

/* The client's transport as its usage record names it (cp/acct's
 * reading: TLS by the listening port, DTLS by a session on UDP). */
static uint8_t
transport_of(const struct cp_ctx *cp, const struct ipc_tuple *tu)
{
	const struct tp_conf_turn *t = &cp->conf->turn;

	if (tu->transport == 17)
		return tu->conn_id != 0 ? LI_X2_DTLS : LI_X2_UDP;
	for (unsigned int i = 0; i < t->nlisten_tls; i++)
		if (t->listen_tls[i] == tu->server.port)
			return LI_X2_TLS;
	return LI_X2_TCP;
}

/* CREATED or ONGOING: who the allocation is, what it relays, how long it
 * has. */
static void
x2_created(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_alloc *a,
	   bool fresh)
{
	const struct tp_conf *c = cp->conf;
	const char *realm = a->tenant > 0 && a->tenant <= c->tenants.n ?
			    c->tenants.t[a->tenant - 1].realm : c->turn.realm;
	struct li_x2_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = fresh ? LI_X2_EV_CREATED : LI_X2_EV_ONGOING;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_CLIENT) |
		 LI_X2_HAS(LI_X2F_SERVER) | LI_X2_HAS(LI_X2F_TRANSPORT) |
		 LI_X2_HAS(LI_X2F_RELAYED) | LI_X2_HAS(LI_X2F_LIFETIME);
	ev.session = a->id;
	addr_of(&ev.client, &a->tuple.client, a->tuple.client.port);
	addr_of(&ev.server, &a->tuple.server, a->tuple.server.port);
	ev.transport = transport_of(cp, &a->tuple);
	ev.nrelayed = a->nrelayed > 2 ? 2 : a->nrelayed;
	for (unsigned int i = 0; i < ev.nrelayed; i++)
		addr_of(&ev.relayed[i], &a->relayed[i], a->relay_port);
	if (a->user != NULL && a->user->len > 0 && a->user->len <= LI_X2_TEXT_MAX) {
		ev.has |= LI_X2_HAS(LI_X2F_USER);
		ev.user = a->user->name;
		ev.user_len = a->user->len;
	}
	if (realm != NULL && realm[0] != '\0' && strlen(realm) <= LI_X2_TEXT_MAX) {
		ev.has |= LI_X2_HAS(LI_X2F_REALM);
		ev.realm = realm;
		ev.realm_len = (uint16_t)strlen(realm);
	}
	ev.lifetime = a->expires_ms > cp->now_ms ?
		      (uint32_t)((a->expires_ms - cp->now_ms + 500u) / 1000u) : 0;
	x2_send(cp, lx, r, &ev, fresh ? LI_DIR_FROM_TARGET : LI_DIR_NA);
}

static void
x2_life(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_alloc *a)
{
	struct li_x2_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = LI_X2_EV_REFRESHED;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_LIFETIME);
	ev.session = a->id;
	ev.lifetime = a->expires_ms > cp->now_ms ?
		      (uint32_t)((a->expires_ms - cp->now_ms + 500u) / 1000u) : 0;
	x2_send(cp, lx, r, &ev, LI_DIR_FROM_TARGET);
}

static void
x2_bind(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_alloc_ev *e)
{
	struct li_x2_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = e->channel != 0 ? LI_X2_EV_CHANNEL : LI_X2_EV_PERMISSION;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_PEER) | LI_X2_HAS(LI_X2F_RENEWED) |
		 (e->channel != 0 ? LI_X2_HAS(LI_X2F_CHANNEL) : 0);
	ev.session = e->a->id;
	/* (a permission is for an IP address alone: RFC 8656 §9) */
	addr_of(&ev.peer, e->peer, e->channel != 0 ? e->peer->port : 0);
	ev.channel = e->channel;
	ev.renewed = e->renewed;
	x2_send(cp, lx, r, &ev, LI_DIR_FROM_TARGET);
}

/* An RFC 6062 peer connection's news: up (the client's Connect, or the
 * peer's connection in), bound, closed with its bytes. */
static void
x2_tcp(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_alloc_ev *e)
{
	struct li_x2_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_PEER) | LI_X2_HAS(LI_X2F_CONN_ID);
	ev.session = e->a->id;
	addr_of(&ev.peer, e->peer, e->peer->port);
	ev.conn_id = e->conn;
	switch (e->tcp) {
	case CP_ALLOC_TCP_UP:
	case CP_ALLOC_TCP_IN:
		ev.event = LI_X2_EV_TCP_CONNECTED;
		ev.has |= LI_X2_HAS(LI_X2F_INITIATOR);
		ev.initiator = e->tcp == CP_ALLOC_TCP_UP ? LI_X2_BY_CLIENT : LI_X2_BY_PEER;
		break;
	case CP_ALLOC_TCP_BOUND:
		ev.event = LI_X2_EV_TCP_BOUND;
		break;
	case CP_ALLOC_TCP_CLOSED:
		if (e->b == NULL)
			return;
		ev.event = LI_X2_EV_TCP_CLOSED;
		ev.has |= LI_X2_HAS(LI_X2F_BYTES_FROM) | LI_X2_HAS(LI_X2F_BYTES_TO);
		/* (TCP_GONE's order: from the client, to the peer, from the
		 * peer, to the client) */
		ev.bytes_from = e->b[0];
		ev.bytes_to = e->b[3];
		break;
	default:
		return;
	}
	/* the client's doing (its Connect, its ConnectionBind), or not */
	x2_send(cp, lx, r, &ev, e->tcp == CP_ALLOC_TCP_UP || e->tcp == CP_ALLOC_TCP_BOUND ?
		LI_DIR_FROM_TARGET : LI_DIR_NA);
}

/* r's ENDED with what it has, and r gone. */
static void
x2_ended(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r)
{
	struct li_x2_ev ev;
	uint64_t u[4];

	cp_acct_usage(r->c, r->tb, u);
	memset(&ev, 0, sizeof(ev));
	ev.event = LI_X2_EV_ENDED;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_BYTES_FROM) |
		 LI_X2_HAS(LI_X2F_BYTES_TO) | LI_X2_HAS(LI_X2F_DURATION) |
		 LI_X2_HAS(LI_X2F_REASON) | LI_X2_HAS(LI_X2F_EXACT) |
		 (r->tcp ? 0 : LI_X2_HAS(LI_X2F_PKTS_FROM) | LI_X2_HAS(LI_X2F_PKTS_TO));
	ev.session = r->id;
	ev.bytes_from = u[0];
	ev.bytes_to = u[1];
	ev.pkts_from = u[2];
	ev.pkts_to = u[3];
	ev.duration_ms = r->duration_ms;
	ev.reason = r->reason;
	ev.exact = r->final;
	x2_send(cp, lx, r, &ev, r->reason == LI_X2_R_CLIENT ? LI_DIR_FROM_TARGET : LI_DIR_NA);
	rec_drop(lx, slot(lx, r->id));
}

/* cp/alloc's reason as the event's (enum li_x2_reason). */
static uint8_t
reason_of(unsigned int reason)
{
	switch (reason) {
	case CP_ALLOC_R_CLIENT:
		return LI_X2_R_CLIENT;
	case CP_ALLOC_R_EXPIRED:
		return LI_X2_R_EXPIRED;
	case CP_ALLOC_R_CONN_CLOSED:
		return LI_X2_R_CONN_CLOSED;
	case CP_ALLOC_R_CONN_RESET:
		return LI_X2_R_CONN_RESET;
	case CP_ALLOC_R_CONN_TIMEOUT:
		return LI_X2_R_CONN_TIMEOUT;
	case CP_ALLOC_R_CONN_ABORTED:
		return LI_X2_R_CONN_ABORTED;
	case CP_ALLOC_R_DP_RESTART:
		return LI_X2_R_DP_RESTART;
	case CP_ALLOC_R_KILLED:
		return LI_X2_R_KILLED;
	default:
		return LI_X2_R_OTHER;
	}
}

/* a ends (END: still whole): its record waits for dp's last counters. */
static void
x2_end(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_alloc *a,
       unsigned int reason)
{
	r->ending = true;
	r->tcp = a->tcp;
	r->final = a->final;
	r->reason = reason_of(reason);
	r->duration_ms = cp->now_ms > a->created_ms ? cp->now_ms - a->created_ms : 0;
	memcpy(r->c, a->counters, sizeof(r->c));
	memcpy(r->tb, a->tcp_bytes, sizeof(r->tb));
	if (r->final && !r->tcp) {
		x2_ended(cp, lx, r);
		return;
	}
	r->due_ms = cp->now_ms + (r->final ? X2_TCP_GRACE_MS : X2_FINAL_WAIT_MS);
	r->next_end = lx->ends;
	lx->ends = r;
}

/* dp's last counters c of an ended allocation id (FINAL, REPORT). */
static void
x2_final(struct cp_ctx *cp, struct cp_li_x2 *lx, uint64_t id, const uint64_t *c)
{
	struct x2_rec *r = *slot(lx, id);

	if (r == NULL || !r->ending || r->final || c == NULL)
		return;
	memcpy(r->c, c, sizeof(r->c));
	r->final = true;
	r->due_ms = r->tcp ? cp->now_ms + X2_TCP_GRACE_MS : cp->now_ms;
	if (!r->tcp)
		x2_ended(cp, lx, r);
}

void
cp_li_x2_event(struct cp_ctx *cp, struct cp_alloc_ev *ev, void *arg)
{
	struct cp_li_x2 *lx = arg;
	struct x2_rec *r;
	bool started;

	if (cp->li == NULL || lx == NULL)
		return;
	switch (ev->type) {
	case CP_ALLOC_EV_UP:
	case CP_ALLOC_EV_LIFE:
	case CP_ALLOC_EV_BIND:
	case CP_ALLOC_EV_TCP_CONN:
	case CP_ALLOC_EV_END:
		/* the standby's are the active box's mirror: that box tells */
		if (cp->ha_standby || (r = x2_target(cp, lx, ev->a, &started)) == NULL)
			break;
		if (r->ending)
			break;            /* (an id cp gave again after a restart) */
		/* UP of an allocation made now (this loop turn: an Allocate),
		 * not one installed again into a restarted dp */
		if (ev->type == CP_ALLOC_EV_UP && started)
			x2_created(cp, lx, r, ev->a, ev->a->created_ms == cp->now_ms);
		else if (started)
			x2_created(cp, lx, r, ev->a, false);
		if (ev->type == CP_ALLOC_EV_LIFE)
			x2_life(cp, lx, r, ev->a);
		else if (ev->type == CP_ALLOC_EV_BIND && ev->peer != NULL)
			x2_bind(cp, lx, r, ev);
		else if (ev->type == CP_ALLOC_EV_TCP_CONN && ev->peer != NULL)
			x2_tcp(cp, lx, r, ev);
		else if (ev->type == CP_ALLOC_EV_END)
			x2_end(cp, lx, r, ev->a, ev->reason);
		break;
	case CP_ALLOC_EV_GONE: {
		struct x2_rec **p = slot(lx, ev->a->id);

		if (*p != NULL && !(*p)->ending)
			rec_drop(lx, p);
		break;
	}
	case CP_ALLOC_EV_FINAL:
	case CP_ALLOC_EV_REPORT:
		/* (read only: ev->held is cp/acct's to answer) */
		x2_final(cp, lx, ev->id, ev->c);
		break;
	case CP_ALLOC_EV_TCP_GONE:
		r = *slot(lx, ev->id);
		if (r != NULL && r->ending && ev->b != NULL)
			for (unsigned int i = 0; i < 4; i++)
				r->tb[i] += ev->b[i];
		break;
	default:
		break;
	}
}

/* ---- the gateway's RTP contexts ---- */

static bool
addr_same(const struct ipc_addr *a, const struct ipc_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4) == 0;
}

static bool
addr_set(const struct ipc_addr *a)
{
	return (a->family == 4 || a->family == 6) && a->port != 0;
}

/* Slot i's latched RTP source (ICE: the nominated pair's remote), or
 * none (family 0). */
static struct ipc_addr
latched_of(const struct cp_agw_ctx *c, unsigned int i)
{
	struct ipc_addr z;

	if ((c->rtp.st[i].latched & IPC_RTP_LATCHED_RTP) && addr_set(&c->rtp.st[i].rtp_src))
		return c->rtp.st[i].rtp_src;
	memset(&z, 0, sizeof(z));
	return z;
}

/* ev's fields of c's termination in slot i: who it is and where, its
 * media and SRTP (none of its keys). */
static void
term_of(struct li_x2_ev *ev, const struct cp_agw_ctx *c, unsigned int i)
{
	const struct ipc_rtp_term *t = &c->rtp.term[i];
	struct li_x2_term *o = &ev->term[i];
	struct ipc_addr l = latched_of(c, i);

	o->has |= LI_X2_HAS(LI_X2F_TERM) | LI_X2_HAS(LI_X2F_MEDIA) | LI_X2_HAS(LI_X2F_SRTP);
	o->serial = t->serial;
	/* (a BUNDLE member has no address of its own: its owner's) */
	if (addr_set(&t->local)) {
		o->has |= LI_X2_HAS(LI_X2F_LOCAL);
		addr_of(&o->local, &t->local, t->local.port);
	}
	if (addr_set(&t->remote)) {
		o->has |= LI_X2_HAS(LI_X2F_REMOTE);
		addr_of(&o->remote, &t->remote, t->remote.port);
	}
	if (l.family != 0) {
		o->has |= LI_X2_HAS(LI_X2F_LATCHED);
		addr_of(&o->latched, &l, l.port);
	}
	o->media = t->clock_hz == 90000 ? LI_X2_VIDEO : LI_X2_AUDIO;
	o->srtp = t->profile != IPC_RTP_SAVP && t->profile != IPC_RTP_SAVPF ? LI_X2_SRTP_OFF :
		  t->dtls.role != 0 ? LI_X2_SRTP_DTLS : LI_X2_SRTP_SDES;
	ev->has |= o->has;
}

/* A termination's usage from its figures (RTP and RTCP): in, from its
 * network; out, to it. */
static void
usage_of(struct li_x2_term *o, const struct ipc_rtp_stats *st)
{
	o->has |= LI_X2_HAS(LI_X2F_TERM_USAGE);
	o->bytes_in = st->rtp_in_octets + st->rtcp_in_octets;
	o->bytes_out = st->rtp_out_octets + st->rtcp_out_octets;
	o->pkts_in = st->rtp_in + st->rtcp_in;
	o->pkts_out = st->rtp_out + st->rtcp_out;
}

/* r now says what c is (the next look tells what changes). */
static void
ctx_snap(struct x2_rec *r, const struct cp_agw_ctx *c)
{
	for (unsigned int i = 0; i < 2; i++) {
		bool on = c->rtp.term[i].profile != IPC_RTP_NONE;

		r->serial[i] = on ? c->rtp.term[i].serial : 0;
		if (on)
			r->remote[i] = c->rtp.term[i].remote;
		else
			memset(&r->remote[i], 0, sizeof(r->remote[i]));
		r->latched[i] = latched_of(c, i);
	}
}

/* CTX_CREATED, CTX_ONGOING or CTX_MODIFIED (change not 0): c's
 * terminations as they are, the target's slot, the target's address
 * (its latched source, else its signalled remote) as CLIENT and ours as
 * SERVER. */
static void
ctx_whole(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_agw_ctx *c,
	  uint8_t event, uint8_t change, unsigned int dir)
{
	const struct ipc_rtp_term *tt = &c->rtp.term[r->target_term];
	struct ipc_addr l = latched_of(c, r->target_term);
	struct li_x2_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_TARGET_TERM);
	ev.session = c->id;
	ev.target_term = r->target_term;
	if (change != 0) {
		ev.has |= LI_X2_HAS(LI_X2F_CHANGE);
		ev.change = change;
	}
	for (unsigned int i = 0; i < 2; i++)
		if (c->rtp.term[i].profile != IPC_RTP_NONE)
			term_of(&ev, c, i);
	if (l.family != 0 || addr_set(&tt->remote)) {
		ev.has |= LI_X2_HAS(LI_X2F_CLIENT);
		addr_of(&ev.client, l.family != 0 ? &l : &tt->remote,
			l.family != 0 ? l.port : tt->remote.port);
	}
	if (addr_set(&tt->local)) {
		ev.has |= LI_X2_HAS(LI_X2F_SERVER);
		addr_of(&ev.server, &tt->local, tt->local.port);
	}
	/* (CREATED and ONGOING need a termination: a context has one) */
	if ((ev.has & LI_X2_HAS(LI_X2F_TERM)) == 0 && change == 0)
		return;
	x2_send(cp, lx, r, &ev, dir);
}

/* dp's SUBTRACTED of c's slot e->term: a MODIFIED with the subtracted
 * termination's serial and last usage. */
static void
ctx_subtracted(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r,
	       const struct cp_agw_ctx *c, const struct ipc_rtp_event *e)
{
	struct li_x2_term *o;
	struct li_x2_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = LI_X2_EV_CTX_MODIFIED;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_CHANGE) |
		 LI_X2_HAS(LI_X2F_TARGET_TERM) | LI_X2_HAS(LI_X2F_TERM) |
		 LI_X2_HAS(LI_X2F_TERM_USAGE);
	ev.session = c->id;
	ev.change = LI_X2_CH_SUBTRACTED;
	ev.target_term = r->target_term;
	o = &ev.term[e->term];
	o->has = LI_X2_HAS(LI_X2F_TERM);
	o->serial = e->serial;
	usage_of(o, &e->st[e->term]);
	x2_send(cp, lx, r, &ev, LI_DIR_NA);
	if (r->serial[e->term] == e->serial)
		r->serial[e->term] = 0;
}

/* dp's RELEASED: CTX_ENDED with both terminations' last figures (c as it
 * was), the target's as the session's usage. */
static void
ctx_ended(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_agw_ctx *c,
	  const struct ipc_rtp_event *e)
{
	struct li_x2_ev ev;
	struct li_x2_term *tt;

	memset(&ev, 0, sizeof(ev));
	ev.event = LI_X2_EV_CTX_ENDED;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_BYTES_FROM) |
		 LI_X2_HAS(LI_X2F_BYTES_TO) | LI_X2_HAS(LI_X2F_PKTS_FROM) |
		 LI_X2_HAS(LI_X2F_PKTS_TO) | LI_X2_HAS(LI_X2F_DURATION) |
		 LI_X2_HAS(LI_X2F_EXACT) | LI_X2_HAS(LI_X2F_CTX_REASON) |
		 LI_X2_HAS(LI_X2F_TARGET_TERM);
	ev.session = c->id;
	ev.target_term = r->target_term;
	for (unsigned int i = 0; i < 2; i++) {
		if (c->rtp.term[i].profile == IPC_RTP_NONE)
			continue;
		ev.term[i].has = LI_X2_HAS(LI_X2F_TERM);
		ev.term[i].serial = c->rtp.term[i].serial;
		usage_of(&ev.term[i], &e->st[i]);
		ev.has |= ev.term[i].has;
	}
	tt = &ev.term[r->target_term];
	if ((tt->has & LI_X2_HAS(LI_X2F_TERM_USAGE)) == 0)
		usage_of(tt, &e->st[r->target_term]);   /* (its slot emptied: 0s) */
	ev.has |= tt->has;
	ev.bytes_from = tt->bytes_in;
	ev.bytes_to = tt->bytes_out;
	ev.pkts_from = tt->pkts_in;
	ev.pkts_to = tt->pkts_out;
	ev.duration_ms = cp->now_ms > c->rtp.created_ms ? cp->now_ms - c->rtp.created_ms : 0;
	ev.exact = 1;                 /* (RELEASED carries dp's last figures) */
	ev.ctx_reason = e->cause == IPC_AGW_CONTROLLER ? LI_X2_CR_RELEASED :
			e->cause == IPC_AGW_SETUP_FAILED ? LI_X2_CR_SETUP_FAILED : LI_X2_CR_OTHER;
	x2_send(cp, lx, r, &ev, LI_DIR_NA);
}

void
cp_li_x2_ctx(struct cp_ctx *cp, const struct cp_agw_ctx *c, const struct ipc_rtp_event *e,
	     bool added)
{
	struct cp_li_x2 *lx = cp->li_x2;
	struct ipc_addr dest[IPC_LI_DESTS];
	const struct cp_li_task *t = NULL;
	struct x2_rec **p, *r;
	unsigned int n, term = 0;
	bool started = false;
	uint8_t change = 0;
	uint64_t corr;

	/* (the standby's, mirrored, and yielded contexts are not this
	 * box's dp's: the box that relays them tells) */
	if (lx == NULL || cp->li == NULL || cp->ha_standby || c == NULL || c->id == 0)
		return;
	p = slot_in(lx->cheads, c->id);
	r = *p;
	/* an end or a subtraction is the record's task's, if it is still
	 * there: nothing of a task after its DeactivateTask (review V7, W1),
	 * the pass that drops the record not come yet */
	if (e != NULL && e->type == IPC_RTP_EV_RELEASED) {
		if (r != NULL) {
			if (cp_li_task_find(cp->li, r->xid) != NULL)
				ctx_ended(cp, lx, r, c, e);
			rec_drop(lx, p);
		}
		return;
	}
	/* a subtraction is told to the task that had the context, before
	 * the match (the target's termination may be the one that left) */
	if (r != NULL && e != NULL && e->type == IPC_RTP_EV_SUBTRACTED && e->term < 2 &&
	    cp_li_task_find(cp->li, r->xid) != NULL)
		ctx_subtracted(cp, lx, r, c, e);
	if (!c->rtp.mirror && !c->rtp.yielded)
		t = cp_li_rtp_task(cp, c, &term);
	n = t != NULL ? x2_dests(cp->li, t, dest) : 0;
	if (n == 0) {
		if (r != NULL)
			rec_drop(lx, p);
		return;
	}
	corr = cp_li_correlation(t, c->id);
	if (r == NULL) {
		if (lx->nrecs >= X2_RECS_MAX || (r = calloc(1, sizeof(*r))) == NULL) {
			lx->st.dropped++;
			explicit_bzero(dest, sizeof(dest));
			return;
		}
		r->id = c->id;
		r->next = *p;
		*p = r;
		lx->nrecs++;
		started = true;
	} else if (memcmp(r->xid, t->t.xid, 16) != 0 || r->corr != corr) {
		started = true;
	}
	if (started) {
		memcpy(r->xid, t->t.xid, 16);
		r->corr = corr;
		r->seq = 0;
	}
	r->worker = c->worker;
	r->ndest = (uint8_t)n;
	memcpy(r->dest, dest, sizeof(dest));
	explicit_bzero(dest, sizeof(dest));
	r->target_term = (uint8_t)term;
	if (started) {
		bool fresh = added && cp->now_ms - c->rtp.created_ms < X2_CTX_FRESH_MS;

		ctx_whole(cp, lx, r, c, fresh ? LI_X2_EV_CTX_CREATED : LI_X2_EV_CTX_ONGOING, 0,
			  LI_DIR_NA);
		ctx_snap(r, c);
		return;
	}
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_rtp_term *tm = &c->rtp.term[i];
		struct ipc_addr l = latched_of(c, i);

		if (tm->profile == IPC_RTP_NONE)
			continue;
		if (tm->serial != r->serial[i])
			change |= LI_X2_CH_ADDED;
		else if (!addr_same(&tm->remote, &r->remote[i]))
			change |= LI_X2_CH_REMOTE;
		if (l.family != 0 && !addr_same(&l, &r->latched[i]))
			change |= e != NULL && e->type == IPC_RTP_EV_NOMINATED ?
				  LI_X2_CH_NOMINATED : LI_X2_CH_LATCHED;
	}
	if (change != 0)
		ctx_whole(cp, lx, r, c, LI_X2_EV_CTX_MODIFIED, change,
			  (change & (LI_X2_CH_LATCHED | LI_X2_CH_NOMINATED)) != 0 &&
			  e != NULL && e->term == term ? LI_DIR_FROM_TARGET : LI_DIR_NA);
	ctx_snap(r, c);
}

/* ---- the gateway's TCP-leg contexts (MSRP, BFCP) ---- */

/* Slot i's connection's remote as dp reported it (LEG_UP; a leg down
 * keeps it), or none (family 0). */
static struct ipc_addr
seen_of(const struct cp_agw_ctx *c, unsigned int i)
{
	struct ipc_addr z;

	if ((c->tcp.leg_state[i] == CP_AGW_LEG_UP || c->tcp.leg_state[i] == CP_AGW_LEG_DOWN) &&
	    addr_set(&c->tcp.leg_remote[i]))
		return c->tcp.leg_remote[i];
	memset(&z, 0, sizeof(z));
	return z;
}

/* Slot i's local address: as its connection has it once up, else as
 * installed (a server's listening port; a client's port 0: dp picks). */
static const struct ipc_addr *
leg_local_of(const struct cp_agw_ctx *c, unsigned int i)
{
	if (c->tcp.leg_state[i] != CP_AGW_LEG_WAITING && addr_set(&c->tcp.leg_local[i]))
		return &c->tcp.leg_local[i];
	return &c->tcp.term[i].local;
}

static bool
fam_set(const struct ipc_addr *a)
{
	return a->family == 4 || a->family == 6;
}

/* ev's fields of c's leg in slot i: who it is, its part in the
 * connection, TLS on or off (never a fingerprint or key), its addresses. */
static void
leg_of(struct li_x2_ev *ev, const struct cp_agw_ctx *c, unsigned int i)
{
	const struct ipc_agw_term *t = &c->tcp.term[i];
	const struct ipc_addr *l = leg_local_of(c, i);
	struct li_x2_term *o = &ev->term[i];
	struct ipc_addr s = seen_of(c, i);

	o->has |= LI_X2_HAS(LI_X2F_TERM) | LI_X2_HAS(LI_X2F_LEG);
	o->serial = t->serial;
	o->leg_role = t->tcp_role == IPC_AGW_TCP_SERVER ? LI_X2_LEG_LISTEN : LI_X2_LEG_CONNECT;
	o->tls = t->tls_role != IPC_AGW_TLS_NONE;
	if (fam_set(l)) {
		o->has |= LI_X2_HAS(LI_X2F_LOCAL);
		addr_of(&o->local, l, l->port);
	}
	/* (a listening leg's signalled remote may have no port: any) */
	if (fam_set(&t->remote)) {
		o->has |= LI_X2_HAS(LI_X2F_REMOTE);
		addr_of(&o->remote, &t->remote, t->remote.port);
	}
	if (s.family != 0) {
		o->has |= LI_X2_HAS(LI_X2F_LATCHED);
		addr_of(&o->latched, &s, s.port);
	}
	ev->has |= o->has;
}

/* r now says what c is. */
static void
leg_snap(struct x2_rec *r, const struct cp_agw_ctx *c)
{
	for (unsigned int i = 0; i < 2; i++) {
		bool on = c->tcp.term[i].tcp_role != IPC_AGW_TCP_NONE;

		r->serial[i] = on ? c->tcp.term[i].serial : 0;
		if (on)
			r->remote[i] = c->tcp.term[i].remote;
		else
			memset(&r->remote[i], 0, sizeof(r->remote[i]));
		r->latched[i] = seen_of(c, i);
	}
}

/* CTX_CREATED, CTX_ONGOING or CTX_MODIFIED (change not 0): c's legs as
 * they are, the target's slot, the target's address (its connection's
 * remote, else its signalled remote) as CLIENT, ours as SERVER. */
static void
leg_whole(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_agw_ctx *c,
	  uint8_t event, uint8_t change, unsigned int dir)
{
	unsigned int tt = r->target_term;
	struct ipc_addr s = seen_of(c, tt);
	const struct ipc_addr *rem = s.family != 0 ? &s : &c->tcp.term[tt].remote;
	const struct ipc_addr *l = leg_local_of(c, tt);
	struct li_x2_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = event;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_TARGET_TERM);
	ev.session = c->id;
	ev.target_term = (uint8_t)tt;
	if (change != 0) {
		ev.has |= LI_X2_HAS(LI_X2F_CHANGE);
		ev.change = change;
	}
	for (unsigned int i = 0; i < 2; i++)
		if (c->tcp.term[i].tcp_role != IPC_AGW_TCP_NONE)
			leg_of(&ev, c, i);
	if (fam_set(rem)) {
		ev.has |= LI_X2_HAS(LI_X2F_CLIENT);
		addr_of(&ev.client, rem, rem->port);
	}
	if (fam_set(l)) {
		ev.has |= LI_X2_HAS(LI_X2F_SERVER);
		addr_of(&ev.server, l, l->port);
	}
	if ((ev.has & LI_X2_HAS(LI_X2F_TERM)) == 0 && change == 0)
		return;
	x2_send(cp, lx, r, &ev, dir);
}

/* A leg's bytes (TERM_USAGE): read from its network, written to it; dp
 * counts no packets on a TCP leg (0). */
static void
leg_usage(struct li_x2_term *o, const struct ipc_agw_event *e, unsigned int i)
{
	o->has |= LI_X2_HAS(LI_X2F_TERM_USAGE);
	o->bytes_in = e->bytes_in[i];
	o->bytes_out = e->bytes_out[i];
}

/* dp's SUBTRACTED of c's leg e->leg: a MODIFIED with its serial and its
 * bytes as it left. */
static void
leg_subtracted(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r,
	       const struct cp_agw_ctx *c, const struct ipc_agw_event *e)
{
	struct li_x2_term *o;
	struct li_x2_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.event = LI_X2_EV_CTX_MODIFIED;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_CHANGE) |
		 LI_X2_HAS(LI_X2F_TARGET_TERM) | LI_X2_HAS(LI_X2F_TERM) |
		 LI_X2_HAS(LI_X2F_TERM_USAGE);
	ev.session = c->id;
	ev.change = LI_X2_CH_SUBTRACTED;
	ev.target_term = r->target_term;
	o = &ev.term[e->leg];
	o->has = LI_X2_HAS(LI_X2F_TERM);
	o->serial = e->serial;
	leg_usage(o, e, e->leg);
	x2_send(cp, lx, r, &ev, LI_DIR_NA);
	if (r->serial[e->leg] == e->serial)
		r->serial[e->leg] = 0;
}

/* dp's RELEASED: CTX_ENDED with each leg's bytes (c as it was), the
 * target's as the session's (no packets: none counted). */
static void
leg_ended(struct cp_ctx *cp, struct cp_li_x2 *lx, struct x2_rec *r, const struct cp_agw_ctx *c,
	  const struct ipc_agw_event *e)
{
	struct li_x2_ev ev;
	struct li_x2_term *tt;

	memset(&ev, 0, sizeof(ev));
	ev.event = LI_X2_EV_CTX_ENDED;
	ev.has = LI_X2_HAS(LI_X2F_SESSION) | LI_X2_HAS(LI_X2F_BYTES_FROM) |
		 LI_X2_HAS(LI_X2F_BYTES_TO) | LI_X2_HAS(LI_X2F_DURATION) |
		 LI_X2_HAS(LI_X2F_EXACT) | LI_X2_HAS(LI_X2F_CTX_REASON) |
		 LI_X2_HAS(LI_X2F_TARGET_TERM);
	ev.session = c->id;
	ev.target_term = r->target_term;
	for (unsigned int i = 0; i < 2; i++) {
		if (c->tcp.term[i].tcp_role == IPC_AGW_TCP_NONE)
			continue;
		ev.term[i].has = LI_X2_HAS(LI_X2F_TERM);
		ev.term[i].serial = c->tcp.term[i].serial;
		leg_usage(&ev.term[i], e, i);
		ev.has |= ev.term[i].has;
	}
	tt = &ev.term[r->target_term];
	if ((tt->has & LI_X2_HAS(LI_X2F_TERM_USAGE)) == 0)
		leg_usage(tt, e, r->target_term);   /* (its slot emptied: dp's 0s) */
	ev.has |= tt->has;
	ev.bytes_from = tt->bytes_in;
	ev.bytes_to = tt->bytes_out;
	/* (the wall clock: a TCP context keeps no other) */
	ev.duration_ms = cp->wall_ms > c->created_wall_ms ? cp->wall_ms - c->created_wall_ms : 0;
	ev.exact = 1;                 /* (RELEASED carries dp's last figures) */
	ev.ctx_reason = e->cause == IPC_AGW_CONTROLLER ? LI_X2_CR_RELEASED :
			e->cause == IPC_AGW_SETUP_FAILED ? LI_X2_CR_SETUP_FAILED : LI_X2_CR_OTHER;
	x2_send(cp, lx, r, &ev, LI_DIR_NA);
}

void
cp_li_x2_agw(struct cp_ctx *cp, const struct cp_agw_ctx *c, const struct ipc_agw_event *e,
	     bool sent)
{
	struct cp_li_x2 *lx = cp->li_x2;
	struct ipc_addr dest[IPC_LI_DESTS];
	const struct cp_li_task *t;
	struct x2_rec **p, *r;
	unsigned int n, leg = 0;
	bool started = false;
	uint8_t change = 0;
	uint64_t corr;

	if (lx == NULL || cp->li == NULL || cp->ha_standby || c == NULL || c->id == 0 ||
	    c->kind != CP_AGW_KIND_TCP)
		return;
	p = slot_in(lx->theads, c->id);
	r = *p;
	/* an end or a subtraction is the record's task's, if it is still
	 * there: nothing of a task after its DeactivateTask (review V7), the
	 * pass that drops the record not come yet */
	if (e != NULL && e->type == IPC_AGW_EV_RELEASED) {
		if (r != NULL) {
			if (cp_li_task_find(cp->li, r->xid) != NULL)
				leg_ended(cp, lx, r, c, e);
			rec_drop(lx, p);
		}
		return;
	}
	if (r != NULL && e != NULL && e->type == IPC_AGW_EV_SUBTRACTED && e->leg < 2 &&
	    cp_li_task_find(cp->li, r->xid) != NULL)
		leg_subtracted(cp, lx, r, c, e);
	t = cp_li_agw_task(cp, c, &leg);
	n = t != NULL ? x2_dests(cp->li, t, dest) : 0;
	if (n == 0) {
		if (r != NULL)
			rec_drop(lx, p);
		return;
	}
	corr = cp_li_correlation(t, c->id);
	if (r == NULL) {
		if (lx->nrecs >= X2_RECS_MAX || (r = calloc(1, sizeof(*r))) == NULL) {
			lx->st.dropped++;
			explicit_bzero(dest, sizeof(dest));
			return;
		}
		r->id = c->id;
		r->next = *p;
		*p = r;
		lx->nrecs++;
		started = true;
	} else if (memcmp(r->xid, t->t.xid, 16) != 0 || r->corr != corr) {
		started = true;
	}
	if (started) {
		memcpy(r->xid, t->t.xid, 16);
		r->corr = corr;
		r->seq = 0;
	}
	r->worker = c->worker;
	r->ndest = (uint8_t)n;
	memcpy(r->dest, dest, sizeof(dest));
	explicit_bzero(dest, sizeof(dest));
	r->target_term = (uint8_t)leg;
	if (started) {
		/* (cp/agw's AGW_ADD of a context made now: not a restarted
		 * cp's pass, nor a task activated on a context that was) */
		bool fresh = sent && e == NULL && cp->wall_ms >= c->created_wall_ms &&
			     cp->wall_ms - c->created_wall_ms < X2_CTX_FRESH_MS;

		leg_whole(cp, lx, r, c, fresh ? LI_X2_EV_CTX_CREATED : LI_X2_EV_CTX_ONGOING, 0,
			  LI_DIR_NA);
		leg_snap(r, c);
		return;
	}
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_agw_term *tm = &c->tcp.term[i];
		struct ipc_addr s = seen_of(c, i);

		if (tm->tcp_role == IPC_AGW_TCP_NONE)
			continue;
		if (tm->serial != r->serial[i])
			change |= LI_X2_CH_ADDED;
		else if (!addr_same(&tm->remote, &r->remote[i]))
			change |= LI_X2_CH_REMOTE;
		/* a leg up: its connection's remote (the target's doing when
		 * it connected in to a listening leg) */
		if (s.family != 0 && !addr_same(&s, &r->latched[i]))
			change |= LI_X2_CH_LATCHED;
	}
	if (change != 0)
		leg_whole(cp, lx, r, c, LI_X2_EV_CTX_MODIFIED, change,
			  (change & LI_X2_CH_LATCHED) != 0 && e != NULL &&
			  e->type == IPC_AGW_EV_LEG_UP && e->leg == r->target_term &&
			  c->tcp.term[e->leg].tcp_role == IPC_AGW_TCP_SERVER ?
			  LI_DIR_FROM_TARGET : LI_DIR_NA);
	leg_snap(r, c);
}

int
cp_li_x2_open(struct cp_ctx *cp)
{
	struct cp_li_x2 *lx = calloc(1, sizeof(*lx));
	int rc;

	if (lx == NULL)
		return -ENOMEM;
	rc = cp_alloc_observe(cp, cp_li_x2_event, lx);
	if (rc < 0) {
		free(lx);
		return rc;
	}
	lx->gen = cp->li->gen;
	lx->pass = true;              /* (a restarted cp: what it holds) */
	cp->li_x2 = lx;
	return 0;
}

void
cp_li_x2_close(struct cp_ctx *cp)
{
	struct cp_li_x2 *lx = cp->li_x2;

	if (lx == NULL)
		return;
	cp_alloc_unobserve(cp, cp_li_x2_event, lx);
	for (unsigned int i = 0; i < X2_BUCKETS; i++) {
		while (lx->heads[i] != NULL)
			rec_drop(lx, &lx->heads[i]);
		while (lx->cheads[i] != NULL)
			rec_drop(lx, &lx->cheads[i]);
		while (lx->theads[i] != NULL)
			rec_drop(lx, &lx->theads[i]);
	}
	explicit_bzero(lx, sizeof(*lx));
	free(lx);
	cp->li_x2 = NULL;
}

/*
 * The ends that wait for dp's last counters of tasks no longer there
 * (DeactivateTask; a task's rows gone from the tables), told now with
 * the usage cp has (exact only if dp's counters came): nothing of a task
 * is delivered after its deactivation (TS 103 221-1's DeactivateTask
 * ends the interception; review V7), yet the session ended while the
 * task was active, and its end closes what the MF was told of it
 * (created or ongoing), so it is told, not dropped. An end dp's counters
 * would have made exact loses only their last few seconds' usage, and
 * says so (exact 0). How many told.
 */
static unsigned int
ends_of_gone_tasks(struct cp_ctx *cp, struct cp_li_x2 *lx)
{
	unsigned int k = 0;

	for (struct x2_rec **e = &lx->ends; *e != NULL;) {
		struct x2_rec *r = *e;

		if (cp_li_task_find(cp->li, r->xid) != NULL) {
			e = &r->next_end;
			continue;
		}
		x2_ended(cp, lx, r);      /* (takes r off the list) */
		k++;
	}
	return k;
}

unsigned int
cp_li_x2_step(struct cp_ctx *cp)
{
	struct cp_li_x2 *lx = cp->li_x2;
	unsigned int k = 0;

	if (lx == NULL || cp->li == NULL)
		return 0;
	if (lx->gen != cp->li->gen) {
		/* the tables changed: every allocation again, from the start */
		lx->gen = cp->li->gen;
		lx->pass = true;
		lx->cursor = 0;
		k += ends_of_gone_tasks(cp, lx);
	}
	/* not before dp gave every allocation back (cp->ready): a restarted
	 * cp's pass over a table not yet restored would tell none of them
	 * "ongoing" (review V7) */
	if (!cp->ready)
		return k;
	while (lx->pass && k < X2_PASS_SLICE) {
		struct cp_alloc *a = cp_alloc_next(cp, &lx->cursor);
		struct x2_rec *r;
		bool started;

		if (a == NULL) {
			lx->pass = false;
			break;
		}
		k++;
		if (!cp->ha_standby && (r = x2_target(cp, lx, a, &started)) != NULL &&
		    started && !r->ending)
			x2_created(cp, lx, r, a, false);
	}
	for (struct x2_rec **e = &lx->ends; *e != NULL;) {
		struct x2_rec *r = *e;

		if (r->due_ms > cp->now_ms) {
			e = &r->next_end;
			continue;
		}
		x2_ended(cp, lx, r);      /* (takes r off the list) */
		k++;
	}
	return k;
}

const struct cp_li_x2_stats *
cp_li_x2_stats(const struct cp_ctx *cp)
{
	return cp->li_x2 != NULL ? &cp->li_x2->st : NULL;
}
