/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw's TCP legs: dp/tcp's application on this worker's share of
 * agw.ports (a connection to a server termination's port, on its address,
 * from its peer when one is named: anything else refused and counted), a
 * client termination's connect, a leg's transport once its TCP is up
 * (dp/tls's: raw, or TLS in the termination's role checked against the
 * signalled fingerprints), and dp/tcp's and dp/tls's callbacks, which go
 * to the splice, or to the candidates (agw_cand.c) of a TLS server leg.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agw_private.h"
#include "dp_tcp.h"
#include "session.h"
#include "splice.h"
#include "tcp.h"
#include "tls.h"
#include "tp_conf.h"

static void agw_tls_handshake(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why);
static void agw_tls_ready(struct dp_worker *w, uint64_t id, void *arg);

static unsigned int
alen(uint8_t family)
{
	return family == 6 ? 16u : 4u;
}

/* ---- legs ------------------------------------------------------------------ */

/* A leg's TCP addresses: its connection's, else its termination's. */
void
agw_leg_addrs(struct dp_worker *w, const struct agw_ctx *c, unsigned int i,
	      struct ipc_addr *l, struct ipc_addr *r)
{
	const struct tcp_conn *tc = c->sp.leg[i].id != 0 ?
				    tcp_conn_get(w->tcp, c->sp.leg[i].id) : NULL;

	if (tc == NULL) {
		*l = c->term[i].local;
		*r = c->term[i].remote;
		return;
	}
	memset(l, 0, sizeof(*l));
	memset(r, 0, sizeof(*r));
	l->family = r->family = (tc->flags & TCP_CF_V6) ? 6 : 4;
	l->port = tc->lport;
	r->port = tc->rport;
	memcpy(l->ip, tc->laddr, 16);
	memcpy(r->ip, tc->raddr, 16);
}

void
agw_leg_up_event(struct dp_worker *w, struct agw_ctx *c, unsigned int i)
{
	c->up[i] = 1;
	w->agw->ctr[AGW_CTR_LEGS_UP]++;
	agw_ev_push(w, c->id, c, IPC_AGW_EV_LEG_UP, i, IPC_AGW_NONE, NULL);
	c->due_ms[i] = 0;                 /* set up: no deadline any more */
}

/* (a leg's wake-ups come through its session) */
static const struct tls_leg_ops agw_tls_ops = {
	.handshake = agw_tls_handshake,
};

/* Every connection of a context (a leg's, a candidate's) has a session
 * whose owner is the context. */
const struct dp_session_ops agw_session_ops = {
	.name = "agw",
	.ready = agw_tls_ready,
};

/* Leg i's TLS on connection id, in its termination's role, checked
 * against the signalled fingerprints (tls_conn_start()). */
const struct dp_xprt_ops *
agw_leg_tls_start(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_term *t = &c->term[i];
	struct tls_leg_params p;

	memset(&p, 0, sizeof(p));
	p.nfp = t->nfp;
	for (unsigned int k = 0; k < t->nfp && k < TLS_LEG_FP_MAX; k++) {
		p.fp[k].alg = t->fp[k].alg;
		p.fp[k].len = t->fp[k].len;
		memcpy(p.fp[k].md, t->fp[k].md, sizeof(p.fp[k].md));
	}
	p.allow_sha1 = w->ctx->conf->agw.allow_sha1;
	p.cred = t->cred <= a->ncred ? a->cred[t->cred] : NULL;
	p.ops = &agw_tls_ops;
	p.arg = c;
	return tls_conn_start(w, id, (enum tls_role)t->tls_role, &p);
}

/* Leg i of c has its TCP connection id: its transport (raw, or TLS in
 * its termination's role, checked against the signalled fingerprints),
 * then the splice takes it. */
static void
leg_start(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_term *t = &c->term[i];
	const struct dp_xprt_ops *xp = &dp_xprt_raw;

	if (t->tls_role != IPC_AGW_TLS_NONE) {
		xp = agw_leg_tls_start(w, c, i, id);
		if (xp == NULL) {
			int e = errno;

			a->ctr[AGW_CTR_TLS_START_FAILED]++;
			c->sp.leg[i].id = id;
			if (e == EPROTO) {
				/* kept for its why() until its abort */
				c->sp.leg[i].xp = &dp_xprt_tls;
				dp_xprt_tls.why(w, id, c->detail[i], sizeof(c->detail[i]));
			} else {
				snprintf(c->detail[i], sizeof(c->detail[i]), "cannot start TLS: %s",
					 strerror(e));
			}
			splice_leg_fail(w, &c->sp, i, e == EPROTO ? SPLICE_CAUSE_TLS_HANDSHAKE :
					e == ENOMEM || e == ENOBUFS ? SPLICE_CAUSE_NO_MEMORY :
					SPLICE_CAUSE_START_FAILED);
			return;
		}
		a->ctr[AGW_CTR_TLS_STARTED]++;
	}
	session_open(w, id, xp, &agw_session_ops, c);
	if (!(xp->flags & DP_XPRT_F_HANDSHAKE)) {
		/* (up now: no handshake of its own to wait for) */
		c->sp.leg[i].id = id;
		agw_leg_up_event(w, c, i);
	}
	splice_leg_open(w, &c->sp, i, id, xp);
}

/* The connection's peer as "ADDR:PORT". */
void
agw_conn_peer_str(struct dp_worker *w, uint64_t id, char *buf, size_t size)
{
	const struct tcp_conn *tc = tcp_conn_get(w->tcp, id);
	struct ipc_addr r;

	memset(&r, 0, sizeof(r));
	if (tc != NULL) {
		r.family = (tc->flags & TCP_CF_V6) ? 6 : 4;
		r.port = tc->rport;
		memcpy(r.ip, tc->raddr, 16);
	}
	agw_addr_str(&r, buf, size);
}

static void
agw_tls_handshake(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why)
{
	struct agw_ctx *c = arg;
	int i = splice_leg_of(&c->sp, id);

	if (i < 0) {
		unsigned int li;
		int k = agw_cand_of(c, id, &li);

		if (k >= 0)
			c->cand[li][k].verdict = why == TLS_FAIL_NONE ? AGW_CAND_OK :
						 AGW_CAND_FAIL;
		return;
	}
	if (why == TLS_FAIL_NONE) {
		c->sp.leg[i].tls_version = (uint8_t)dp_xprt_tls.version(w, id);
		agw_leg_up_event(w, c, (unsigned int)i);
		splice_leg_up(w, &c->sp, (unsigned int)i, c->sp.leg[i].tls_version);
		return;
	}
	dp_xprt_tls.why(w, id, c->detail[i], sizeof(c->detail[i]));
	splice_leg_hs_failed(w, &c->sp, (unsigned int)i);
}

static void
agw_tls_ready(struct dp_worker *w, uint64_t id, void *arg)
{
	struct agw_ctx *c = arg;
	int i = splice_leg_of(&c->sp, id);
	unsigned int li;

	if (i >= 0)
		splice_ready(w, &c->sp, (unsigned int)i);
	else if (agw_cand_of(c, id, &li) >= 0)
		agw_cand_read(w, c, li, id);
}

/* ---- dp/tcp's application -------------------------------------------------- */

static int
agw_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	struct dp_worker *w = larg;
	struct agw_worker *a = w->agw;
	const struct tcp_conn *tc = tcp_conn_get(ts, id);
	const struct ipc_agw_term *t;
	struct agw_ctx *c;
	uint8_t family;
	uint32_t s1;
	unsigned int i;

	if (tc == NULL)
		return -EINVAL;
	if (tc->lport < a->port_lo || tc->lport > a->port_hi ||
	    (s1 = a->port_slot[tc->lport - a->port_lo]) == 0) {
		a->ctr[AGW_CTR_NO_CONTEXT]++;
		return -ENOENT;
	}
	c = &a->ctx[s1 - 1u];
	for (i = 0; i < 2; i++)
		if (c->term[i].tcp_role == IPC_AGW_TCP_SERVER && c->term[i].local.port == tc->lport)
			break;
	if (c->id == 0 || i == 2) {
		a->ctr[AGW_CTR_NO_CONTEXT]++;
		return -ENOENT;
	}
	if (c->sp.leg[i].state != SPLICE_LEG_WAIT) {
		a->ctr[AGW_CTR_LEG_TAKEN]++;
		return -EBUSY;
	}
	t = &c->term[i];
	family = (tc->flags & TCP_CF_V6) ? 6 : 4;
	if (family != t->local.family || memcmp(tc->laddr, t->local.ip, alen(family)) != 0) {
		a->ctr[AGW_CTR_WRONG_ADDR]++;
		return -EACCES;
	}
	/* the signalled remote (the address the controller observed: a NAT's
	 * when there is one), its port too when given */
	if (t->remote.family != 0 &&
	    (family != t->remote.family || memcmp(tc->raddr, t->remote.ip, alen(family)) != 0 ||
	     (t->remote.port != 0 && t->remote.port != tc->rport))) {
		char want[64];

		agw_addr_str(&t->remote, want, sizeof(want));
		if (t->remote.port == 0)
			*strrchr(want, ':') = '\0';
		snprintf(c->refused, sizeof(c->refused), "leg %u refused ", i);
		agw_conn_peer_str(w, id, c->refused + strlen(c->refused),
				  sizeof(c->refused) - strlen(c->refused));
		snprintf(c->refused + strlen(c->refused), sizeof(c->refused) - strlen(c->refused),
			 ": not the signalled remote %s", want);
		a->ctr[AGW_CTR_WRONG_ADDR]++;
		return -EACCES;
	}
	*carg = c;
	a->ctr[AGW_CTR_ACCEPTED]++;
	(void)tcp_conn_set_dscp(ts, id, t->dscp);     /* (its SYN-ACK went with 0) */
	dp_tcp_keepalive(w, id, &w->ctx->conf->agw.keepalive);
	if (t->tls_role != IPC_AGW_TLS_NONE)
		return agw_cand_start(w, c, i, id);
	leg_start(w, c, i, id);
	return 0;
}

static struct dp_worker *
worker_of(struct tcp_stack *ts)
{
	return (struct dp_worker *)ts->out_arg;
}

static void
agw_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct agw_ctx *c = arg;
	int i = splice_leg_of(&c->sp, id);

	if (i >= 0)
		leg_start(worker_of(ts), c, (unsigned int)i, id);
}

static void
agw_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct agw_ctx *c = arg;
	int i = splice_leg_of(&c->sp, id);
	unsigned int li;

	if (i >= 0)
		splice_readable(worker_of(ts), &c->sp, (unsigned int)i);
	else if (agw_cand_of(c, id, &li) >= 0)
		agw_cand_read(worker_of(ts), c, li, id);
}

static void
agw_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct agw_ctx *c = arg;
	int i = splice_leg_of(&c->sp, id);
	unsigned int li;

	if (i >= 0)
		splice_writable(worker_of(ts), &c->sp, (unsigned int)i);
	else if (agw_cand_of(c, id, &li) >= 0)
		dp_xprt_tls.writable(worker_of(ts), id);    /* (its handshake's flights) */
}

static void
agw_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct agw_ctx *c = arg;
	int i = splice_leg_of(&c->sp, id);
	char peer[64];

	if (i < 0) {
		struct dp_worker *w = worker_of(ts);
		unsigned int li;
		int k = agw_cand_of(c, id, &li);

		if (k < 0)
			return;
		/* a candidate's TCP ended before its handshake did */
		agw_refused_note(w, c, li, id, why == TCP_REASON_RESET ? "reset by the peer "
				 "before its handshake ended" : tcp_reason_name(why));
		agw_cand_remove(c, li, (unsigned int)k);
		w->agw->ctr[AGW_CTR_CAND_REFUSED]++;
		session_close(w, id);
		dp_xprt_tls.gone(w, id);
		return;
	}
	if (why != TCP_REASON_NORMAL && c->detail[i][0] == '\0') {
		agw_conn_peer_str(worker_of(ts), id, peer, sizeof(peer));
		snprintf(c->detail[i], sizeof(c->detail[i]), "%s (TCP with %s)",
			 why == TCP_REASON_REFUSED ? "connection refused" :
			 why == TCP_REASON_SYN_TIMEOUT ? "no answer to our SYNs" :
			 why == TCP_REASON_RESET ? "reset by the peer" : tcp_reason_name(why),
			 peer);
	}
	splice_closed(worker_of(ts), &c->sp, (unsigned int)i, why);
}

const struct tcp_app_ops agw_tcp_ops = {
	.accept = agw_accept,
	.connected = agw_connected,
	.readable = agw_readable,
	.writable = agw_writable,
	.closed = agw_closed,
};

/* Client leg i of c connects to its remote. false when the open could not
 * start (the leg failed, and with it the context: c may be free now). */
bool
agw_leg_connect(struct dp_worker *w, struct agw_ctx *c, unsigned int i)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_term *t = &c->term[i];
	uint64_t tid;
	char s[64];
	int rc;

	rc = dp_tcp_connect_dscp(w, t->local.family, agw_ip_zero(t->local.ip) ? NULL : t->local.ip,
				 t->remote.ip, t->remote.port, t->dscp, a->app, c, &tid);
	if (rc < 0) {
		a->ctr[AGW_CTR_CONNECT_FAILED]++;
		agw_addr_str(&t->remote, s, sizeof(s));
		snprintf(c->detail[i], sizeof(c->detail[i]), "cannot connect to %s: %s", s,
			 rc == -ENETUNREACH ? "no route" :
			 rc == -EADDRNOTAVAIL ? "no source port steers back to this worker" :
			 strerror(-rc));
		splice_leg_fail(w, &c->sp, i, SPLICE_CAUSE_CONNECT_FAILED);
		return false;
	}
	a->ctr[AGW_CTR_CONNECTS]++;
	dp_tcp_keepalive(w, tid, &w->ctx->conf->agw.keepalive);
	splice_leg_connecting(&c->sp, i, tid);
	return true;
}
