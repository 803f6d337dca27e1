/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw (agw.h): the access gateway's contexts in a worker.
 *
 * A context lives in the slot its id names (cp chose it: ids have the
 * connection ids' layout, worker | slot | generation), with its two
 * terminations as cp sent them and a splice (dp/splice) of its two legs.
 * dp/tcp's application here ("agw") listens on this worker's share of
 * agw.ports: a connection to a port belongs to the context whose server
 * termination has that port (port_slot[]), on the address it names, from
 * the peer it names if it names one; anything else is refused (RST) and
 * counted. A plain server leg is taken by the first such connection (cp
 * allows one without a peer only when the controller said accept_any). A
 * TLS server leg is taken only by a connection that proved to be the
 * signalled peer: see "Candidates" below. A client termination connects
 * when the context is installed. Each leg's transport is dp/tls's
 * (tls_conn_start(): raw, or TLS in the termination's role with the
 * signalled fingerprints); dp/tcp's and dp/tls's callbacks go to the
 * splice.
 *
 * A slot may be empty (its term's tcp_role 0): a context made with one
 * termination, or one whose termination was subtracted (AGW_MOD SUB_LEG).
 * The splice sees an empty slot as a leg not up: the other leg's bytes are
 * held up to agw.hold, then it is not read; a termination that joins the
 * slot later (ADD_LEG) gets them once it is up. Each leg has its own setup
 * deadline, from when it was installed.
 *
 * Events go to cp in the order they happen, through a backlog that is
 * flushed from the worker loop when the ring to cp has room beyond what
 * requests need (TURN's sweeps' rule). A context sends at most five
 * (two LEG_UP, two LEG_DOWN, RELEASED) plus two (LEG_UP, SUBTRACTED) per
 * termination added later: the backlog holds eight per context slot, so
 * only a cp gone for a long time while contexts churn can fill it (then
 * events_lost counts).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "agw.h"
#include "dp.h"
#include "dp_cp.h"
#include "dp_ctrs.h"
#include "dp_tcp.h"
#include "ipc.h"
#include "session.h"
#include "splice.h"
#include "steer.h"
#include "tcp.h"
#include "tls.h"
#include "tp_conf.h"
#include "tw.h"

/* Events kept per context slot (a context sends at most five). */
#define AGW_EV_PER_CTX 8u
/* Setup deadlines are looked at this often. */
#define AGW_SCAN_MS 50u
/* A candidate's handshake (TCP accepted to TLS verified) must end within
 * this: a client that connects and says nothing holds a candidate's place
 * no longer (a real UE's handshake takes a few round trips). */
#define AGW_CAND_S 10
#define AGW_CAND_MS (AGW_CAND_S * 1000u)

static const char *const agw_ctr_names[AGW_CTR__COUNT] = {
#define AGW_CTR(n, s, h) [AGW_CTR_##n] = s,
#include "agw_counters.def"
#undef AGW_CTR
};

static struct agw_ctx *
ctx_of_splice(struct splice *sp)
{
	return (struct agw_ctx *)(void *)((char *)sp - offsetof(struct agw_ctx, sp));
}

static unsigned int
alen(uint8_t family)
{
	return family == 6 ? 16u : 4u;
}

static bool
ip_zero(const uint8_t *ip)
{
	for (unsigned int i = 0; i < 16; i++)
		if (ip[i] != 0)
			return false;
	return true;
}

/* addr (family 4 or 6) is one of dp's port addresses (a port's own, or
 * a tenant's TURN address on one). */
static bool
addr_is_ours(const struct dp_ctx *ctx, uint8_t family, const uint8_t *ip)
{
	for (unsigned int i = 0; i < ctx->nports; i++)
		if (dp_port_turn_addr(&ctx->ports[i], family == 4 ? NET_AF_IPV4 : NET_AF_IPV6,
				      ip))
			return true;
	return false;
}

static void
addr_str(const struct ipc_addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, size, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, a->port);
}

/* ---- events to cp ------------------------------------------------------------ */

/* A leg's TCP addresses: its connection's, else its termination's. */
static void
leg_addrs(struct dp_worker *w, const struct agw_ctx *c, unsigned int i,
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

static void
ev_push(struct dp_worker *w, uint64_t id, const struct agw_ctx *c, uint8_t type,
	unsigned int leg, uint8_t cause, const char *detail)
{
	struct agw_worker *a = w->agw;
	struct ipc_agw_event *e = ipc_backlog_reserve(&a->ev, IPC_AGW_EVENT, id, NULL,
						      sizeof(*e));
	size_t n;

	if (e == NULL) {
		a->ctr[AGW_CTR_EVENTS_LOST]++;
		return;
	}
	e->type = type;
	e->leg = (uint8_t)leg;
	e->cause = cause;
	if (c != NULL) {
		for (unsigned int i = 0; i < 2; i++) {
			e->bytes_in[i] = c->sp.leg[i].bytes_in;
			e->bytes_out[i] = c->sp.leg[i].bytes_out;
		}
		if (leg <= 1 && type != IPC_AGW_EV_RELEASED)
			e->serial = c->term[leg].serial;
		if (leg <= 1) {
			e->tls_version = c->sp.leg[leg].tls_version;
			leg_addrs(w, c, leg, &e->local, &e->remote);
		}
	}
	if (detail != NULL) {
		n = strnlen(detail, IPC_AGW_DETAIL_MAX - 1u);
		memcpy(e->detail, detail, n);
		e->detail_len = (uint16_t)n;
	}
	ipc_backlog_commit(&a->ev);
	a->ctr[AGW_CTR_EVENTS]++;
}

/* Waiting events into the ring to cp, while it has room beyond what
 * requests need, and only to a cp that serves and takes them. */
static unsigned int
ev_flush(struct dp_worker *w)
{
	struct agw_worker *a = w->agw;
	unsigned int n = dp_cp_flush(w, &a->ev, DP_CP_HEADROOM, IPC_CAP_AGW,
				     &a->ctr[AGW_CTR_EVENTS_NO_CP]);

	a->ctr[AGW_CTR_EVENTS_SENT] += n;
	return n;
}

/* ---- legs ------------------------------------------------------------------- */

static void
leg_up_event(struct dp_worker *w, struct agw_ctx *c, unsigned int i)
{
	c->up[i] = 1;
	w->agw->ctr[AGW_CTR_LEGS_UP]++;
	ev_push(w, c->id, c, IPC_AGW_EV_LEG_UP, i, IPC_AGW_NONE, NULL);
	c->due_ms[i] = 0;                 /* set up: no deadline any more */
}

static void agw_tls_handshake(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why);
static void agw_tls_ready(struct dp_worker *w, uint64_t id, void *arg);

/* (a leg's wake-ups come through its session) */
static const struct tls_leg_ops agw_tls_ops = {
	.handshake = agw_tls_handshake,
};

/* Every connection of a context (a leg's, a candidate's) has a session
 * whose owner is the context. */
static const struct dp_session_ops agw_session_ops = {
	.name = "agw",
	.ready = agw_tls_ready,
};

/* The splice's causes as the controller hears them (ipc_agw_causes.def). */
static const uint8_t agw_cause_of[SPLICE_CAUSE__COUNT] = {
	[SPLICE_CAUSE_NONE] = IPC_AGW_NONE,
	[SPLICE_CAUSE_FIN] = IPC_AGW_FIN,
	[SPLICE_CAUSE_CLOSE_NOTIFY] = IPC_AGW_CLOSE_NOTIFY,
	[SPLICE_CAUSE_RST] = IPC_AGW_RST,
	[SPLICE_CAUSE_TIMEOUT] = IPC_AGW_TIMEOUT,
	[SPLICE_CAUSE_TLS_ALERT] = IPC_AGW_TLS_ALERT,
	[SPLICE_CAUSE_TLS_HANDSHAKE] = IPC_AGW_TLS_HANDSHAKE,
	[SPLICE_CAUSE_TLS_ERROR] = IPC_AGW_TLS_ERROR,
	[SPLICE_CAUSE_CONNECT_FAILED] = IPC_AGW_CONNECT_FAILED,
	[SPLICE_CAUSE_OTHER_LEG] = IPC_AGW_OTHER_LEG,
	[SPLICE_CAUSE_RELEASED] = IPC_AGW_CONTROLLER,
	[SPLICE_CAUSE_EXPIRED] = IPC_AGW_SETUP_TIMEOUT,
	[SPLICE_CAUSE_START_FAILED] = IPC_AGW_SETUP_FAILED,
	[SPLICE_CAUSE_NO_MEMORY] = IPC_AGW_NO_MEMORY,
};
_Static_assert(SPLICE_LEG_NONE == IPC_AGW_LEG_NONE, "the release's leg goes to cp as is");

static uint8_t
agw_cause(uint8_t why)
{
	return why < SPLICE_CAUSE__COUNT ? agw_cause_of[why] : IPC_AGW_NONE;
}

/* Leg i of c has its TCP connection id: its transport (raw, or TLS in
 * its termination's role, checked against the signalled fingerprints),
 * then the splice takes it. */
/* Leg i's TLS on connection id, in its termination's role, checked
 * against the signalled fingerprints (tls_conn_start()). */
static const struct dp_xprt_ops *
leg_tls_start(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id)
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

static void
leg_start(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_term *t = &c->term[i];
	const struct dp_xprt_ops *xp = &dp_xprt_raw;

	if (t->tls_role != IPC_AGW_TLS_NONE) {
		xp = leg_tls_start(w, c, i, id);
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
		leg_up_event(w, c, i);
	}
	splice_leg_open(w, &c->sp, i, id, xp);
}

/* ---- candidates ---------------------------------------------------------------
 *
 * Whoever connects first must not take a TLS server leg (TS 33.328's
 * e2ae: the peer is the one whose certificate matches the fingerprint
 * SDP signalled; TS 23.334: an IMS-AGW latches onto the address it
 * observes, a NAT's). So a connection to such a leg's port is a
 * candidate: it handshakes beside up to AGW_CAND_MAX - 1 others (a
 * newer one evicts the oldest, so silent ones cannot hold the leg; each
 * has AGW_CAND_MS to finish), and the first whose certificate matches
 * takes the leg, the others being reset. One that fails is reset and
 * counted, its address and reason kept for the controller (a release
 * at the setup time names the last one), and the leg goes on
 * listening; except that an authentication failure from the signalled
 * remote, the UE itself (its certificate does not match, or it sent none,
 * or it refused ours with a fatal alert), ends the leg as a failed
 * handshake always did: the controller must hear of it (TS 23.334: it
 * terminates the session with its reason). Other failures from there
 * (not TLS, a close mid-handshake) are refused candidates too: behind a
 * NAT the remote's address is shared.
 *
 * A candidate is not in the splice: its handshake callback only notes
 * the verdict (the callback may not end the connection it reports), and
 * the read that ran it (cand_read(), from dp/tcp's readable() or dp/tls's
 * ready()) acts on it.
 */

/* Candidate k of leg i for connection id, or -1. */
static int
cand_of(const struct agw_ctx *c, uint64_t id, unsigned int *leg)
{
	if (id == 0)
		return -1;
	for (unsigned int i = 0; i < 2; i++)
		for (unsigned int k = 0; k < c->ncand[i]; k++)
			if (c->cand[i][k].id == id) {
				*leg = i;
				return (int)k;
			}
	return -1;
}

static void
cand_remove(struct agw_ctx *c, unsigned int i, unsigned int k)
{
	memmove(&c->cand[i][k], &c->cand[i][k + 1],
		(size_t)(c->ncand[i] - k - 1u) * sizeof(c->cand[i][0]));
	c->ncand[i]--;
	memset(&c->cand[i][c->ncand[i]], 0, sizeof(c->cand[i][0]));
}

/* The connection's peer as "ADDR:PORT". */
static void
conn_peer_str(struct dp_worker *w, uint64_t id, char *buf, size_t size)
{
	const struct tcp_conn *tc = tcp_conn_get(w->tcp, id);
	struct ipc_addr r;

	memset(&r, 0, sizeof(r));
	if (tc != NULL) {
		r.family = (tc->flags & TCP_CF_V6) ? 6 : 4;
		r.port = tc->rport;
		memcpy(r.ip, tc->raddr, 16);
	}
	addr_str(&r, buf, size);
}

/* A connection refused for leg i of c: why, for the controller. */
static void
refused_note(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id,
	     const char *why)
{
	char peer[64];

	conn_peer_str(w, id, peer, sizeof(peer));
	/* (an address is under 48 bytes; the reason is TLS's sentence) */
	snprintf(c->refused, sizeof(c->refused), "leg %u refused %.48s: %.150s", i, peer, why);
}

/* Candidate k of leg i is reset (counted as ctr). */
static void
cand_drop(struct dp_worker *w, struct agw_ctx *c, unsigned int i, unsigned int k,
	  enum agw_ctr ctr)
{
	uint64_t id = c->cand[i][k].id;

	cand_remove(c, i, k);
	w->agw->ctr[ctr]++;
	session_close(w, id);
	dp_xprt_tls.abort(w, id);
}

static void
cand_drop_all(struct dp_worker *w, struct agw_ctx *c)
{
	for (unsigned int i = 0; i < 2; i++)
		while (c->ncand[i] > 0)
			cand_drop(w, c, i, 0, AGW_CTR_CAND_DROPPED);
}

/* A connection accepted for TLS server leg i: a candidate. 0, or -errno
 * for dp/tcp to reset it. */
static int
cand_start(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id)
{
	struct agw_worker *a = w->agw;
	struct agw_cand *e;
	char why[IPC_AGW_DETAIL_MAX];
	int err;

	if (c->ncand[i] == AGW_CAND_MAX) {
		refused_note(w, c, i, c->cand[i][0].id, "evicted by a newer connection "
			     "before its handshake ended");
		cand_drop(w, c, i, 0, AGW_CTR_CAND_EVICTED);
	}
	/* (listed first: nothing of its handshake can report before) */
	e = &c->cand[i][c->ncand[i]++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->due_ms = w->now_ms + AGW_CAND_MS;
	if (leg_tls_start(w, c, i, id) != NULL) {
		session_open(w, id, &dp_xprt_tls, &agw_session_ops, c);
		a->ctr[AGW_CTR_TLS_STARTED]++;
		a->ctr[AGW_CTR_CANDIDATES]++;
		return 0;
	}
	err = errno;
	c->ncand[i]--;
	memset(e, 0, sizeof(*e));
	a->ctr[AGW_CTR_TLS_START_FAILED]++;
	if (err != EPROTO)
		return -err;
	/* bytes that are not TLS already: kept for its why() until
	 * its abort */
	dp_xprt_tls.why(w, id, why, sizeof(why));
	refused_note(w, c, i, id, why);
	a->ctr[AGW_CTR_CAND_REFUSED]++;
	dp_xprt_tls.abort(w, id);
	return 0;
}

/* Candidate k of leg i proved to be the signalled peer: it is the leg,
 * with what its last read gave (m, n as splice_leg_adopt() takes them);
 * the others are reset. */
static void
cand_take(struct dp_worker *w, struct agw_ctx *c, unsigned int i, unsigned int k,
	  struct rte_mbuf *m, int n)
{
	uint64_t id = c->cand[i][k].id;
	uint8_t ver;

	cand_remove(c, i, k);
	while (c->ncand[i] > 0)
		cand_drop(w, c, i, 0, AGW_CTR_CAND_DROPPED);
	w->agw->ctr[AGW_CTR_CAND_TOOK]++;
	ver = (uint8_t)dp_xprt_tls.version(w, id);
	c->sp.leg[i].id = id;                 /* (leg_addrs() reads it) */
	c->sp.leg[i].tls_version = ver;
	leg_up_event(w, c, i);
	splice_leg_adopt(w, &c->sp, i, id, &dp_xprt_tls, ver, m, n);
}

/* Candidate k of leg i failed its handshake: refused, or (the signalled
 * remote's certificate did not match) the leg's end. */
static void
cand_failed(struct dp_worker *w, struct agw_ctx *c, unsigned int i, unsigned int k)
{
	uint64_t id = c->cand[i][k].id;
	char why[IPC_AGW_DETAIL_MAX];
	int fail = dp_xprt_tls.why(w, id, why, sizeof(why));

	if (fail <= TLS_FAIL_NONE)
		snprintf(why, sizeof(why), "peer_closed: the connection ended before its "
			 "handshake did");
	cand_remove(c, i, k);
	if (c->term[i].remote.family != 0 &&
	    (fail == TLS_FAIL_FP_MISMATCH || fail == TLS_FAIL_NO_PEER_CERT ||
	     fail == TLS_FAIL_PEER_ALERT)) {
		struct splice_leg *l = &c->sp.leg[i];

		/* the leg ends with it, as a leg's failed handshake does
		 * (its sentence, then both legs reset) */
		snprintf(c->detail[i], sizeof(c->detail[i]), "%s", why);
		l->id = id;
		l->xp = &dp_xprt_tls;
		l->flags |= SPLICE_LF_TLS;
		splice_leg_fail(w, &c->sp, i, SPLICE_CAUSE_TLS_HANDSHAKE);
		return;
	}
	refused_note(w, c, i, id, why);
	w->agw->ctr[AGW_CTR_CAND_REFUSED]++;
	session_close(w, id);
	dp_xprt_tls.abort(w, id);
}

/* Read candidate connection id (leg i): its handshake goes on; what it
 * ended with is acted on here, out of the read that ran it. */
static void
cand_read(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id)
{
	struct rte_mbuf *m = NULL;
	unsigned int li;
	int n, k;

	n = dp_xprt_tls.rcv_buf(w, id, &m, UINT32_MAX);
	k = cand_of(c, id, &li);
	if (k < 0 || li != i) {
		/* (cannot be: nothing ends a candidate inside its read) */
		if (n > 0)
			rte_pktmbuf_free(m);
		return;
	}
	if (c->cand[i][k].verdict == AGW_CAND_OK && n != -EPROTO) {
		if (c->sp.leg[i].state == SPLICE_LEG_WAIT) {
			cand_take(w, c, i, (unsigned int)k, m, n);
			return;
		}
		if (n > 0)
			rte_pktmbuf_free(m);
		cand_drop(w, c, i, (unsigned int)k, AGW_CTR_CAND_DROPPED);
		return;
	}
	if (n > 0)
		rte_pktmbuf_free(m);      /* (cannot be: no data before it is up) */
	if (n == -EAGAIN && c->cand[i][k].verdict == AGW_CAND_WAIT)
		return;
	cand_failed(w, c, i, (unsigned int)k);
}

/* Candidates whose handshake is overdue are reset. */
static void
cand_expire(struct dp_worker *w, struct agw_ctx *c, uint64_t now_ms)
{
	for (unsigned int i = 0; i < 2; i++)
		for (unsigned int k = 0; k < c->ncand[i];) {
			if (c->cand[i][k].due_ms > now_ms) {
				k++;
				continue;
			}
			refused_note(w, c, i, c->cand[i][k].id, "no TLS handshake within "
				     RTE_STR(AGW_CAND_S) " s");
			cand_drop(w, c, i, k, AGW_CTR_CAND_TIMEOUT);
		}
}

static void
agw_tls_handshake(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why)
{
	struct agw_ctx *c = arg;
	int i = splice_leg_of(&c->sp, id);

	if (i < 0) {
		unsigned int li;
		int k = cand_of(c, id, &li);

		if (k >= 0)
			c->cand[li][k].verdict = why == TLS_FAIL_NONE ? AGW_CAND_OK :
						 AGW_CAND_FAIL;
		return;
	}
	if (why == TLS_FAIL_NONE) {
		c->sp.leg[i].tls_version = (uint8_t)dp_xprt_tls.version(w, id);
		leg_up_event(w, c, (unsigned int)i);
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
	else if (cand_of(c, id, &li) >= 0)
		cand_read(w, c, li, id);
}

/* ---- dp/tcp's application ---------------------------------------------------- */

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

		addr_str(&t->remote, want, sizeof(want));
		if (t->remote.port == 0)
			*strrchr(want, ':') = '\0';
		snprintf(c->refused, sizeof(c->refused), "leg %u refused ", i);
		conn_peer_str(w, id, c->refused + strlen(c->refused),
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
		return cand_start(w, c, i, id);
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
	else if (cand_of(c, id, &li) >= 0)
		cand_read(worker_of(ts), c, li, id);
}

static void
agw_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct agw_ctx *c = arg;
	int i = splice_leg_of(&c->sp, id);
	unsigned int li;

	if (i >= 0)
		splice_writable(worker_of(ts), &c->sp, (unsigned int)i);
	else if (cand_of(c, id, &li) >= 0)
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
		int k = cand_of(c, id, &li);

		if (k < 0)
			return;
		/* a candidate's TCP ended before its handshake did */
		refused_note(w, c, li, id, why == TCP_REASON_RESET ? "reset by the peer "
			     "before its handshake ended" : tcp_reason_name(why));
		cand_remove(c, li, (unsigned int)k);
		w->agw->ctr[AGW_CTR_CAND_REFUSED]++;
		session_close(w, id);
		dp_xprt_tls.gone(w, id);
		return;
	}
	if (why != TCP_REASON_NORMAL && c->detail[i][0] == '\0') {
		conn_peer_str(worker_of(ts), id, peer, sizeof(peer));
		snprintf(c->detail[i], sizeof(c->detail[i]), "%s (TCP with %s)",
			 why == TCP_REASON_REFUSED ? "connection refused" :
			 why == TCP_REASON_SYN_TIMEOUT ? "no answer to our SYNs" :
			 why == TCP_REASON_RESET ? "reset by the peer" : tcp_reason_name(why),
			 peer);
	}
	splice_closed(worker_of(ts), &c->sp, (unsigned int)i, why);
}

static const struct tcp_app_ops agw_tcp_ops = {
	.accept = agw_accept,
	.connected = agw_connected,
	.readable = agw_readable,
	.writable = agw_writable,
	.closed = agw_closed,
};

/* ---- the splice's owner ------------------------------------------------------ */

/* Why the context ended when no leg of its own did (the controller's
 * release, the setup deadline): its sentence in buf, or NULL. */
static const char *
ctx_sentence(const struct agw_ctx *c, const struct splice *sp, char *buf, size_t size)
{
	if (sp->why == SPLICE_CAUSE_RELEASED) {
		/* (a subtract that left no leg, not one whose other leg
		 * could hold nothing more) */
		bool last = c->sub != 0 && c->sub < AGW_SUB_RESTART &&
			    c->term[(c->sub - 1u) ^ 1u].tcp_role == IPC_AGW_TCP_NONE;

		return last ? "its last termination subtracted by the controller" :
		       "released by the controller";
	}
	if (sp->why == SPLICE_CAUSE_EXPIRED) {
		static const char *const legs[2][3] = {
			{ "not 0", "0", "none in 0" }, { "not 1", "1", "none in 1" } };

		snprintf(buf, size, "legs up: %s, %s at the setup deadline%s%.170s",
			 legs[0][c->term[0].tcp_role == IPC_AGW_TCP_NONE ? 2 : c->up[0]],
			 legs[1][c->term[1].tcp_role == IPC_AGW_TCP_NONE ? 2 : c->up[1]],
			 c->refused[0] != '\0' ? "; last " : "", c->refused);
		return buf;
	}
	return NULL;
}

static void
agw_leg_down(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	struct agw_ctx *c = ctx_of_splice(sp);
	const struct splice_leg *l = &sp->leg[i];

	if (c->term[i].tcp_role == IPC_AGW_TCP_NONE)
		return;                   /* (an empty slot: no termination to end) */
	if (c->sub == AGW_SUB_RESTART + i)
		return;                   /* (a modify restarts it: it goes on) */
	if (c->sub == i + 1u) {
		ev_push(w, c->id, c, IPC_AGW_EV_SUBTRACTED, i, agw_cause(l->why),
			"subtracted by the controller");
		return;
	}
	if (c->detail[i][0] == '\0') {
		if (l->why == SPLICE_CAUSE_OTHER_LEG) {
			const struct splice_leg *o = &sp->leg[i ^ 1u];

			snprintf(c->detail[i], sizeof(c->detail[i]), "leg %u ended: %s", i ^ 1u,
				 ipc_agw_cause_name(agw_cause(o->why)));
		} else if ((l->flags & SPLICE_LF_TLS) && l->id != 0 &&
			   (l->why == SPLICE_CAUSE_TLS_ALERT || l->why == SPLICE_CAUSE_TLS_ERROR ||
			    l->why == SPLICE_CAUSE_TLS_HANDSHAKE)) {
			l->xp->why(w, l->id, c->detail[i], sizeof(c->detail[i]));
		} else if (sp->why_leg > 1 && l->why == sp->why) {
			/* ended with the context: the controller hears its
			 * sentence in each termination's Notify too */
			char buf[IPC_AGW_DETAIL_MAX];
			const char *d = ctx_sentence(c, sp, buf, sizeof(buf));

			if (d != NULL)
				snprintf(c->detail[i], sizeof(c->detail[i]), "%s", d);
		}
	}
	ev_push(w, c->id, c, IPC_AGW_EV_LEG_DOWN, i, agw_cause(l->why), c->detail[i]);
}

static void
agw_done(struct dp_worker *w, struct splice *sp)
{
	struct agw_worker *a = w->agw;
	struct agw_ctx *c = ctx_of_splice(sp);
	uint32_t slot = (uint32_t)(c - a->ctx);
	char buf[IPC_AGW_DETAIL_MAX];
	const char *detail = NULL;

	if (sp->why_leg <= 1)
		detail = c->detail[sp->why_leg];
	else
		detail = ctx_sentence(c, sp, buf, sizeof(buf));
	cand_drop_all(w, c);
	tw_del(w->tcp_wheel, &c->pol[0].t);
	tw_del(w->tcp_wheel, &c->pol[1].t);
	ev_push(w, c->id, c, IPC_AGW_EV_RELEASED, sp->why_leg, agw_cause(sp->why), detail);
	for (unsigned int i = 0; i < 2; i++) {
		uint16_t p = c->term[i].local.port;

		if (c->term[i].tcp_role == IPC_AGW_TCP_SERVER && p >= a->port_lo &&
		    p <= a->port_hi && a->port_slot[p - a->port_lo] == slot + 1u)
			a->port_slot[p - a->port_lo] = 0;
	}
	c->id = 0;
	a->nctx--;
	a->ctr[AGW_CTR_RELEASED]++;
}

static void
pol_fire(struct tw_timer *t, void *arg)
{
	struct agw_pol_timer *pt = (struct agw_pol_timer *)(void *)t;
	struct agw_ctx *c = pt->c;

	if (c->id != 0)
		splice_police_due(arg, &c->sp, pt->leg);
}

static void
agw_police_wait(struct dp_worker *w, struct splice *sp, unsigned int i, uint64_t due_ms)
{
	struct agw_ctx *c = ctx_of_splice(sp);

	tw_add(w->tcp_wheel, &c->pol[i].t, due_ms);
}

/* Leg i's policing as its termination says (a live leg's at once). */
static void
leg_police(struct dp_worker *w, struct agw_ctx *c, unsigned int i)
{
	splice_leg_police(w, &c->sp, i, c->term[i].pol_rate, c->term[i].pol_burst);
	if (c->term[i].pol_rate == 0)
		tw_del(w->tcp_wheel, &c->pol[i].t);
}

static const struct splice_ops agw_splice_ops = {
	.leg_down = agw_leg_down,
	.done = agw_done,
	.police_wait = agw_police_wait,
};

/* ---- cp's messages ----------------------------------------------------------- */

/* AGW_ADD that cannot be installed: cp hears it as the context's end. */
static void
refuse(struct dp_worker *w, uint64_t id, const char *fmt, ...)
{
	char buf[IPC_AGW_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w->agw->ctr[AGW_CTR_ADD_REFUSED]++;
	ev_push(w, id, NULL, IPC_AGW_EV_RELEASED, IPC_AGW_LEG_NONE, IPC_AGW_SETUP_FAILED, buf);
}

/* Termination t for leg i can be installed here (other: the other
 * termination of the same AGW_ADD, whose port is not in port_slot yet, or
 * NULL): 0, or -1 with why said in buf. */
static int
term_refusal(struct dp_worker *w, unsigned int i, const struct ipc_agw_term *t,
	     const struct ipc_agw_term *other, char *buf, size_t size)
{
	struct agw_worker *a = w->agw;
	char s[64];

	if (t->tcp_role == IPC_AGW_TCP_NONE)
		return 0;
	if (t->tls_role != IPC_AGW_TLS_NONE && !a->tls) {
		snprintf(buf, size, "leg %u: TLS needs the tls group in dp's configuration", i);
		return -1;
	}
	if (t->cred > a->ncred) {
		snprintf(buf, size, "leg %u: certificate %u is not in agw.certificates", i, t->cred);
		return -1;
	}
	if (t->tcp_role == IPC_AGW_TCP_SERVER) {
		uint16_t p = t->local.port;

		if (a->nports == 0 || p < a->port_lo || p > a->port_hi) {
			snprintf(buf, size, "leg %u: port %u is not in worker %u's share of "
				 "agw.ports", i, p, w->id);
			return -1;
		}
		if (a->port_slot[p - a->port_lo] != 0 ||
		    (other != NULL && other->tcp_role == IPC_AGW_TCP_SERVER &&
		     other->local.port == p)) {
			snprintf(buf, size, "leg %u: port %u is taken", i, p);
			return -1;
		}
		if (!addr_is_ours(w->ctx, t->local.family, t->local.ip)) {
			addr_str(&t->local, s, sizeof(s));
			snprintf(buf, size, "leg %u: %s is not an address of dp's", i, s);
			return -1;
		}
	} else if (!ip_zero(t->local.ip) && !addr_is_ours(w->ctx, t->local.family, t->local.ip)) {
		addr_str(&t->local, s, sizeof(s));
		snprintf(buf, size, "leg %u: %s is not an address of dp's", i, s);
		return -1;
	}
	return 0;
}

/* Client leg i of c connects to its remote. false when the open could not
 * start (the leg failed, and with it the context: c may be free now). */
static bool
leg_connect(struct dp_worker *w, struct agw_ctx *c, unsigned int i)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_term *t = &c->term[i];
	uint64_t tid;
	char s[64];
	int rc;

	rc = dp_tcp_connect_dscp(w, t->local.family, ip_zero(t->local.ip) ? NULL : t->local.ip,
				 t->remote.ip, t->remote.port, t->dscp, a->app, c, &tid);
	if (rc < 0) {
		a->ctr[AGW_CTR_CONNECT_FAILED]++;
		addr_str(&t->remote, s, sizeof(s));
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

static void
apply_add(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_ctx *x = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	uint32_t slot = ipc_conn_slot(id);
	struct agw_ctx *c;
	char why[IPC_AGW_DETAIL_MAX];

	if (slot >= a->max) {
		refuse(w, id, "context slot %u is beyond agw.max_contexts (%u)", slot, a->max);
		return;
	}
	c = &a->ctx[slot];
	if (c->id == id)
		return;                   /* (a repeat) */
	if (c->id != 0) {
		refuse(w, id, "context slot %u of worker %u holds context %" PRIu64, slot, w->id,
		       c->id);
		return;
	}
	for (unsigned int i = 0; i < 2; i++)
		if (term_refusal(w, i, &x->term[i], i == 1 ? &x->term[0] : NULL, why,
				 sizeof(why)) < 0) {
			refuse(w, id, "%s", why);
			return;
		}
	memset(c, 0, sizeof(*c));
	c->id = id;
	memcpy(c->term, x->term, sizeof(c->term));
	splice_init(&c->sp, &agw_splice_ops, a->hold);
	for (unsigned int i = 0; i < 2; i++) {
		tw_timer_init(&c->pol[i].t, pol_fire, w);
		c->pol[i].c = c;
		c->pol[i].leg = (uint8_t)i;
		if (c->term[i].tcp_role == IPC_AGW_TCP_NONE)
			continue;
		leg_police(w, c, i);
		c->due_ms[i] = x->setup_ms != 0 ? w->now_ms + x->setup_ms : 0;
		if (c->term[i].tcp_role == IPC_AGW_TCP_SERVER)
			a->port_slot[c->term[i].local.port - a->port_lo] = slot + 1u;
	}
	a->nctx++;
	a->ctr[AGW_CTR_ADDED]++;
	for (unsigned int i = 0; i < 2 && c->id == id; i++)
		if (c->term[i].tcp_role == IPC_AGW_TCP_CLIENT && !leg_connect(w, c, i))
			return;
}

/* ---- one leg at a time (AGW_MOD) --------------------------------------------- */

/* ADD_LEG: a termination joins c's empty slot i; one dp cannot install
 * comes back as SUBTRACTED setup_failed (the context lives on). */
static void
leg_add(struct dp_worker *w, struct agw_ctx *c, unsigned int i, const struct ipc_agw_mod *x)
{
	struct agw_worker *a = w->agw;
	uint32_t slot = (uint32_t)(c - a->ctx);
	const struct splice_leg *l = &c->sp.leg[i];
	char why[IPC_AGW_DETAIL_MAX];

	if (c->term[i].tcp_role != IPC_AGW_TCP_NONE || l->state != SPLICE_LEG_WAIT || l->id != 0) {
		a->ctr[AGW_CTR_MOD_REFUSED]++;        /* (cp's view of the slot is not dp's) */
		return;
	}
	if (c->sp.leg[i ^ 1u].state == SPLICE_LEG_DOWN)
		snprintf(why, sizeof(why), "leg %u: the context is ending", i);
	else if (term_refusal(w, i, &x->term, NULL, why, sizeof(why)) == 0)
		why[0] = '\0';
	if (why[0] != '\0') {
		a->ctr[AGW_CTR_MOD_REFUSED]++;
		c->term[i].serial = x->term.serial;       /* (the event names it) */
		ev_push(w, c->id, c, IPC_AGW_EV_SUBTRACTED, i, IPC_AGW_SETUP_FAILED, why);
		c->term[i].serial = 0;
		return;
	}
	c->term[i] = x->term;
	c->up[i] = 0;
	c->detail[i][0] = '\0';
	leg_police(w, c, i);
	c->due_ms[i] = x->setup_ms != 0 ? w->now_ms + x->setup_ms : 0;
	if (c->term[i].tcp_role == IPC_AGW_TCP_SERVER)
		a->port_slot[c->term[i].local.port - a->port_lo] = slot + 1u;
	a->ctr[AGW_CTR_LEG_ADDED]++;
	if (c->term[i].tcp_role == IPC_AGW_TCP_CLIENT)
		(void)leg_connect(w, c, i);
}

static bool
addr_eq(const struct ipc_addr *p, const struct ipc_addr *q)
{
	return p->family == q->family && p->port == q->port && memcmp(p->ip, q->ip, 16) == 0;
}

/* MOD_LEG: slot i's DSCP, policing and memo become x's at once; its
 * remote and fingerprints too, and then a leg not up
 * takes them: a server leg's candidates (judged by the old ones) are
 * reset, a client leg's open (or handshake) begins anew towards the new
 * remote. A leg up only records them: its connection stays (H.248's
 * Modify of a live stream's Remote does not move the stream); they show
 * in AGW_STATE and apply to no connection of it. */
static void
leg_mod(struct dp_worker *w, struct agw_ctx *c, unsigned int i, const struct ipc_agw_mod *x)
{
	struct agw_worker *a = w->agw;
	struct ipc_agw_term *t = &c->term[i];
	const struct ipc_agw_term *n = &x->term;
	struct splice_leg *l = &c->sp.leg[i];
	uint64_t id = c->id;
	bool changed;

	if (t->tcp_role == IPC_AGW_TCP_NONE || t->tcp_role != n->tcp_role ||
	    t->tls_role != n->tls_role || t->cred != n->cred ||
	    (t->tcp_role == IPC_AGW_TCP_SERVER && !addr_eq(&t->local, &n->local)) ||
	    t->local.family != n->local.family) {
		a->ctr[AGW_CTR_MOD_REFUSED]++;
		return;
	}
	a->ctr[AGW_CTR_LEG_MODIFIED]++;
	t->dscp = n->dscp;
	t->pol_rate = n->pol_rate;
	t->pol_burst = n->pol_burst;
	memcpy(t->memo, n->memo, sizeof(t->memo));
	/* the leg's connection (or its candidates) sends with the new DSCP
	 * from its next segment; its policing changes at once */
	if (l->id != 0)
		(void)tcp_conn_set_dscp(w->tcp, l->id, t->dscp);
	for (unsigned int k = 0; k < c->ncand[i]; k++)
		(void)tcp_conn_set_dscp(w->tcp, c->cand[i][k].id, t->dscp);
	leg_police(w, c, i);
	if (c->id != id)
		return;                   /* (cannot be: a kick ends no leg; safe) */
	changed = !addr_eq(&t->remote, &n->remote) || t->nfp != n->nfp ||
		  memcmp(t->fp, n->fp, sizeof(t->fp)) != 0 ||
		  (t->tcp_role == IPC_AGW_TCP_CLIENT && !addr_eq(&t->local, &n->local));
	if (!changed)
		return;
	if (c->up[i] || l->state == SPLICE_LEG_UP || l->state == SPLICE_LEG_DOWN) {
		t->remote = n->remote;
		t->nfp = n->nfp;
		memcpy(t->fp, n->fp, sizeof(t->fp));
		return;
	}
	if (t->tcp_role == IPC_AGW_TCP_SERVER) {
		while (c->ncand[i] > 0)
			cand_drop(w, c, i, 0, AGW_CTR_CAND_DROPPED);
		*t = *n;
		return;
	}
	/* a client leg on its way up: its connection goes (no event: the leg
	 * itself goes on), and a new one starts to the new remote */
	if (l->id != 0) {
		c->sub = (uint8_t)(AGW_SUB_RESTART + i);
		splice_leg_sub(w, &c->sp, i, SPLICE_CAUSE_RELEASED);
		if (c->id != id)
			return;           /* (the context could hold nothing: released) */
		c->sub = 0;
		a->ctr[AGW_CTR_LEG_RECONNECTS]++;
	}
	*t = *n;
	c->detail[i][0] = '\0';
	leg_police(w, c, i);              /* (the slot was emptied) */
	(void)leg_connect(w, c, i);
}

/* SUB_LEG: slot i's termination ends (SUBTRACTED, cause controller); the
 * other leg is held for a termination that joins later. The last one's
 * subtraction releases the context. */
static void
leg_sub(struct dp_worker *w, struct agw_ctx *c, unsigned int i)
{
	struct agw_worker *a = w->agw;
	uint32_t slot = (uint32_t)(c - a->ctx);
	struct ipc_agw_term *t = &c->term[i];
	uint64_t id = c->id;

	if (t->tcp_role == IPC_AGW_TCP_NONE) {
		a->ctr[AGW_CTR_MOD_REFUSED]++;
		return;
	}
	a->ctr[AGW_CTR_LEG_SUBTRACTED]++;
	while (c->ncand[i] > 0)
		cand_drop(w, c, i, 0, AGW_CTR_CAND_DROPPED);
	c->sub = (uint8_t)(i + 1u);
	if (c->term[i ^ 1u].tcp_role == IPC_AGW_TCP_NONE) {
		a->ctr[AGW_CTR_CONTROLLER]++;
		splice_release(w, &c->sp, SPLICE_CAUSE_RELEASED);
		return;
	}
	splice_leg_sub(w, &c->sp, i, SPLICE_CAUSE_RELEASED);
	if (c->id != id)
		return;                   /* (the other leg had ended: released) */
	c->sub = 0;
	if (t->tcp_role == IPC_AGW_TCP_SERVER) {
		uint16_t p = t->local.port;

		if (p >= a->port_lo && p <= a->port_hi && a->port_slot[p - a->port_lo] == slot + 1u)
			a->port_slot[p - a->port_lo] = 0;
	}
	memset(t, 0, sizeof(*t));
	c->up[i] = 0;
	c->due_ms[i] = 0;
	c->detail[i][0] = '\0';
}

static void
apply_mod(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct agw_worker *a = w->agw;
	const struct ipc_agw_mod *x = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	uint32_t slot = ipc_conn_slot(id);
	struct agw_ctx *c;

	if (slot >= a->max || a->ctx[slot].id != id) {
		a->ctr[AGW_CTR_MOD_REFUSED]++;        /* (ended already) */
		return;
	}
	c = &a->ctx[slot];
	switch (x->op) {
	case IPC_AGW_ADD_LEG:
		leg_add(w, c, x->leg, x);
		break;
	case IPC_AGW_MOD_LEG:
		leg_mod(w, c, x->leg, x);
		break;
	case IPC_AGW_SUB_LEG:
		leg_sub(w, c, x->leg);
		break;
	default:
		break;
	}
}

static void
apply_del(struct dp_worker *w, const struct ipc_msg *msg)
{
	struct agw_worker *a = w->agw;
	uint64_t id = msg->h.alloc_id;
	uint32_t slot = ipc_conn_slot(id);

	if (slot >= a->max || a->ctx[slot].id != id) {
		a->ctr[AGW_CTR_DEL_UNKNOWN]++;
		return;
	}
	a->ctr[AGW_CTR_CONTROLLER]++;
	splice_release(w, &a->ctx[slot].sp, SPLICE_CAUSE_RELEASED);
}

/* cp's AGW_ADD, AGW_MOD or AGW_DEL for w (checked by ipc_msg_check()). */
static void
agw_apply(struct dp_worker *w, const struct ipc_msg *msg)
{
	if (w->agw == NULL)
		return;               /* (cp sends only to a dp with IPC_CAP_AGW) */
	if (msg->h.kind == IPC_AGW_ADD)
		apply_add(w, msg);
	else if (msg->h.kind == IPC_AGW_MOD)
		apply_mod(w, msg);
	else if (msg->h.kind == IPC_AGW_DEL)
		apply_del(w, msg);
}

/* ---- a restarted cp ------------------------------------------------------------ */

static void
agw_sync_start(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)msg;
	if (w->agw == NULL)
		return;
	w->agw->sync_on = true;
	w->agw->sync_next = 0;
}

bool
agw_state_step(struct dp_worker *w, unsigned int headroom)
{
	static _Thread_local struct ipc_msg msg;
	struct agw_worker *a = w->agw;

	if (a == NULL || !a->sync_on)
		return true;
	if (w->cp.rings == NULL)
		return false;
	for (unsigned int seen = 0; a->sync_next < a->max; a->sync_next++, seen++) {
		const struct agw_ctx *c = &a->ctx[a->sync_next];
		struct ipc_agw_state *x = (struct ipc_agw_state *)(void *)msg.body;

		if (seen == DP_CP_SYNC_VISIT)
			return false;
		if (c->id == 0)
			continue;
		if (!dp_cp_room(w, headroom))
			return false;
		memset(&msg.h, 0, sizeof(msg.h));
		memset(x, 0, sizeof(*x));
		msg.h.kind = IPC_AGW_STATE;
		msg.h.alloc_id = c->id;
		msg.h.body_len = sizeof(*x);
		memcpy(x->ctx.term, c->term, sizeof(x->ctx.term));
		for (unsigned int i = 0; i < 2; i++) {
			const struct splice_leg *l = &c->sp.leg[i];
			uint32_t left = c->due_ms[i] > w->now_ms ?
					(uint32_t)(c->due_ms[i] - w->now_ms) : 0;

			/* (the context's: the first deadline still ahead) */
			if (left != 0 && (x->ctx.setup_ms == 0 || left < x->ctx.setup_ms))
				x->ctx.setup_ms = left;
			x->leg[i].setup_ms = left;

			x->leg[i].state = l->state == SPLICE_LEG_DOWN ? 2 : c->up[i] ? 1 : 0;
			x->leg[i].tls_version = l->tls_version;
			x->leg[i].bytes_in = l->bytes_in;
			x->leg[i].bytes_out = l->bytes_out;
			leg_addrs(w, c, i, &x->leg[i].local, &x->leg[i].remote);
		}
		if (dp_cp_send(w, &msg) < 0)
			return false;
		w->cp.ipc_out++;
	}
	a->sync_on = false;
	return true;
}

/* ---- the worker loop ----------------------------------------------------------- */

unsigned int
agw_poll(struct dp_worker *w, uint64_t now_ms)
{
	struct agw_worker *a = w->agw;
	unsigned int n = 0;

	if (a == NULL)
		return 0;
	if (now_ms >= a->scan_ms + AGW_SCAN_MS && a->nctx > 0) {
		a->scan_ms = now_ms;
		for (uint32_t s = 0; s < a->max; s++) {
			struct agw_ctx *c = &a->ctx[s];
			bool late = false;

			if (c->id == 0)
				continue;
			if (c->ncand[0] + c->ncand[1] > 0)
				cand_expire(w, c, now_ms);
			for (unsigned int i = 0; i < 2; i++)
				if (c->due_ms[i] != 0 && now_ms >= c->due_ms[i]) {
					c->due_ms[i] = 0;
					late = late || !c->up[i];
				}
			if (!late)
				continue;
			a->ctr[AGW_CTR_SETUP_TIMEOUT]++;
			splice_release(w, &c->sp, SPLICE_CAUSE_EXPIRED);
			n++;
		}
	}
	return n + ev_flush(w);
}

/* ---- set-up ------------------------------------------------------------------- */

static const struct dp_tcp_mod agw_mod = {
	.name = "agw", .rank = DP_TCP_MOD_AGW, .poll = agw_poll, .free = agw_free,
};

int
agw_init(struct dp_worker *w)
{
	const struct tp_conf *conf = w->ctx->conf;
	const struct tp_conf_agw *ca = &conf->agw;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct agw_worker *a;
	uint32_t ev_cap;
	char err[512];
	int rc;

	if (!ca->enabled || w->tcp == NULL)
		return 0;
	if (dp_cp_on_kind(w->ctx, IPC_AGW_ADD, agw_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_AGW_MOD, agw_apply) < 0 ||
	    dp_cp_on_kind(w->ctx, IPC_AGW_DEL, agw_apply) < 0 ||
	    dp_cp_on_sync(w->ctx, agw_sync_start, agw_state_step) < 0) {
		tp_log(TP_LOG_ERR, "internal error: the gateway's messages from cp\n");
		return -EINVAL;
	}
	a = rte_zmalloc_socket("agw", sizeof(*a), 64, socket);
	if (a == NULL)
		goto nomem;
	w->agw = a;
	(void)dp_tcp_mod_add(w, &agw_mod);
	w->splice = &a->splice;
	a->max = ca->max_contexts;
	a->hold = ca->hold_bytes;
	a->setup_ms = ca->setup_timeout_s * 1000u;
	if (steer_relay_share(ca->port_min, ca->port_max, w->ctx->nworkers, w->id,
			      &a->port_lo, &a->port_hi))
		a->nports = (uint32_t)a->port_hi - a->port_lo + 1u;
	ev_cap = 64;
	while (ev_cap < AGW_EV_PER_CTX * a->max)
		ev_cap <<= 1;
	a->ctx = rte_zmalloc_socket("agw_ctx", (size_t)a->max * sizeof(*a->ctx), 64, socket);
	a->port_slot = rte_zmalloc_socket("agw_ports", (size_t)(a->nports + 1u) *
					  sizeof(*a->port_slot), 64, socket);
	a->ev_mem = rte_zmalloc_socket("agw_ev", ipc_backlog_size(ev_cap,
					sizeof(struct ipc_agw_event), false), 64, socket);
	if (a->ctx == NULL || a->port_slot == NULL || a->ev_mem == NULL ||
	    ipc_backlog_setup(&a->ev, a->ev_mem, ev_cap, sizeof(struct ipc_agw_event),
			      false) < 0)
		goto nomem;
	if ((rc = session_worker_init(w, conf->dp.tcp_max_conns)) < 0)
		goto nomem;
	if (conf->tls.enabled) {
		rc = tls_worker_init(w, conf, conf->dp.tcp_max_conns);
		if (rc < 0)
			return rc;
		a->tls = true;
		for (unsigned int k = 0; k < ca->ncerts; k++) {
			a->cred[k + 1] = tls_cred_load(ca->certs[k].certificate,
						       ca->certs[k].private_key, err, sizeof(err));
			if (a->cred[k + 1] == NULL) {
				tp_log(TP_LOG_ERR, "%s:%d: agw.certificates '%s': %s\n", conf->path,
				       ca->certs[k].line, ca->certs[k].name, err);
				return -EINVAL;
			}
			a->ncred = k + 1;
			tls_leg_cred_expiry(w, a->cred[k + 1]);
		}
	}
	a->app = tcp_app_register(w->tcp, &agw_tcp_ops);
	if (a->app < 0) {
		tp_log(TP_LOG_ERR, "worker %u: no room for the AGW's TCP application\n", w->id);
		return a->app;
	}
	if ((rc = dp_tcp_use(w, a->app, DP_TCP_USE_AGW)) < 0)
		return rc;
	if (a->nports > 0) {
		rc = tcp_listen_range(w->tcp, 0, a->port_lo, a->port_hi, a->app, w);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "%s:%d: agw.ports: worker %u cannot listen on %u-%u: "
			       "%s\n", conf->path, ca->line, w->id, a->port_lo, a->port_hi,
			       rc == -EADDRINUSE ? "a port is taken" : strerror(-rc));
			return rc;
		}
	}
	return 0;
nomem:
	tp_log(TP_LOG_ERR, "worker %u: no memory for %u AGW contexts (agw.max_contexts)\n",
	       w->id, ca->max_contexts);
	return -ENOMEM;
}

void
agw_free(struct dp_worker *w)
{
	struct agw_worker *a = w->agw;

	if (a == NULL)
		return;
	for (unsigned int k = 1; k <= a->ncred; k++)
		tls_cred_free(a->cred[k]);
	if (a->ctx != NULL)
		for (uint32_t s = 0; s < a->max; s++) {
			if (w->tcp_wheel != NULL) {
				tw_del(w->tcp_wheel, &a->ctx[s].pol[0].t);
				tw_del(w->tcp_wheel, &a->ctx[s].pol[1].t);
			}
			/* (the connections go with the stack; held bytes here) */
			rte_pktmbuf_free(a->ctx[s].sp.leg[0].pend);
			rte_pktmbuf_free(a->ctx[s].sp.leg[1].pend);
		}
	rte_free(a->ctx);
	rte_free(a->port_slot);
	rte_free(a->ev_mem);
	rte_free(a);
	w->agw = NULL;
	w->splice = NULL;
}

/* ---- statistics ------------------------------------------------------------------ */

static const struct dp_ctrs_desc agw_desc[AGW_CTR__COUNT + 1] = {
#define AGW_CTR(n, s, h) [AGW_CTR_##n] = { s, DP_CTRS_COUNTER, h },
#include "agw_counters.def"
#undef AGW_CTR
	[AGW_CTR__COUNT] = { "contexts", DP_CTRS_GAUGE, "Contexts on the worker now (a level)" },
};

/* The splice's legs ended, by the controller's cause (the splice counts
 * them by its own). */
static void
agw_leg_ends(const struct agw_worker *a, uint64_t ends[IPC_AGW_CAUSE_MAX + 1])
{
	memset(ends, 0, (IPC_AGW_CAUSE_MAX + 1u) * sizeof(ends[0]));
	for (unsigned int k = 0; k < SPLICE_CAUSE__COUNT; k++)
		ends[agw_cause_of[k]] += a->splice.leg_end[k];
}

/* Published under the splice's name, as before the splice had causes of
 * its own: the names are AGW's causes (IPC_AGW_CAUSE_NONE ends no leg:
 * left out). */
static const struct dp_ctrs_desc leg_end_desc[IPC_AGW_CAUSE_MAX + 1] = {
#define IPC_AGW_CAUSE(e, v, s, h) [v] = { s, DP_CTRS_COUNTER, h },
#include "ipc_agw_causes.def"
#undef IPC_AGW_CAUSE
};

static void
leg_end_values(const struct dp_worker *w, uint64_t *out)
{
	uint64_t ends[IPC_AGW_CAUSE_MAX + 1] = { 0 };

	if (w->agw != NULL)
		agw_leg_ends(w->agw, ends);
	for (unsigned int k = 1; k <= IPC_AGW_CAUSE_MAX; k++)
		out[k - 1] = ends[k];
}

const struct dp_ctrs_family splice_leg_end_ctrs = {
	.name = "splice_leg_end", .prefix = "splice_leg_end_",
	.help = "The access gateway's legs ended, by cause (lib/ipc ipc_agw_causes.def)",
	.desc = leg_end_desc + 1, .n = IPC_AGW_CAUSE_MAX, .values = leg_end_values,
};

static void
agw_values(const struct dp_worker *w, uint64_t *out)
{
	const struct agw_worker *a = w->agw;

	for (unsigned int k = 0; k < AGW_CTR__COUNT; k++)
		out[k] = a != NULL ? a->ctr[k] : 0;
	out[AGW_CTR__COUNT] = a != NULL ? a->nctx : 0;
}

const struct dp_ctrs_family agw_ctrs = {
	.name = "agw", .prefix = "agw_",
	.help = "The access gateway's contexts and legs (agw_counters.def)",
	.desc = agw_desc, .n = AGW_CTR__COUNT + 1, .values = agw_values,
};

void
agw_stats(const struct dp_worker *w, FILE *out)
{
	const struct agw_worker *a = w->agw;
	uint64_t ends[IPC_AGW_CAUSE_MAX + 1];

	if (a == NULL)
		return;
	agw_leg_ends(a, ends);
	fprintf(out, "agw worker=%u contexts=%u ports=%u-%u events_waiting=%u", w->id, a->nctx,
		a->port_lo, a->port_hi, ipc_backlog_count(&a->ev));
	for (unsigned int k = 0; k < AGW_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, agw_ctr_names[k], a->ctr[k]);
	fputc('\n', out);
	fprintf(out, "splice worker=%u", w->id);
	for (unsigned int k = 0; k < SPLICE_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, splice_ctr_name(k), a->splice.ctr[k]);
	for (unsigned int k = 1; k <= IPC_AGW_CAUSE_MAX; k++)
		fprintf(out, " leg_end_%s=%" PRIu64, ipc_agw_cause_name(k), ends[k]);
	fputc('\n', out);
}
