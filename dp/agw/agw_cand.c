/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw's candidates: connections to a TLS server leg's port, not the
 * leg's until their peer proved to be the signalled one.
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
 * the read that ran it (agw_cand_read(), from dp/tcp's readable() or
 * dp/tls's ready()) acts on it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "agw_private.h"
#include "session.h"
#include "splice.h"
#include "tls.h"

/* A candidate's handshake (TCP accepted to TLS verified) must end within
 * this: a client that connects and says nothing holds a candidate's place
 * no longer (a real UE's handshake takes a few round trips). */
#define AGW_CAND_S 10
#define AGW_CAND_MS (AGW_CAND_S * 1000u)

/* Candidate k of leg i for connection id, or -1. */
int
agw_cand_of(const struct agw_ctx *c, uint64_t id, unsigned int *leg)
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

void
agw_cand_remove(struct agw_ctx *c, unsigned int i, unsigned int k)
{
	memmove(&c->cand[i][k], &c->cand[i][k + 1],
		(size_t)(c->ncand[i] - k - 1u) * sizeof(c->cand[i][0]));
	c->ncand[i]--;
	memset(&c->cand[i][c->ncand[i]], 0, sizeof(c->cand[i][0]));
}

/* A connection refused for leg i of c: why, for the controller. */
void
agw_refused_note(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id,
		 const char *why)
{
	char peer[64];

	agw_conn_peer_str(w, id, peer, sizeof(peer));
	/* (an address is under 48 bytes; the reason is TLS's sentence) */
	snprintf(c->refused, sizeof(c->refused), "leg %u refused %.48s: %.150s", i, peer, why);
}

/* Candidate k of leg i is reset (counted as ctr). */
void
agw_cand_drop(struct dp_worker *w, struct agw_ctx *c, unsigned int i, unsigned int k,
	      enum agw_ctr ctr)
{
	uint64_t id = c->cand[i][k].id;

	agw_cand_remove(c, i, k);
	w->agw->ctr[ctr]++;
	session_close(w, id);
	dp_xprt_tls.abort(w, id);
}

void
agw_cand_drop_all(struct dp_worker *w, struct agw_ctx *c)
{
	for (unsigned int i = 0; i < 2; i++)
		while (c->ncand[i] > 0)
			agw_cand_drop(w, c, i, 0, AGW_CTR_CAND_DROPPED);
}

/* A connection accepted for TLS server leg i: a candidate. 0, or -errno
 * for dp/tcp to reset it. */
int
agw_cand_start(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id)
{
	struct agw_worker *a = w->agw;
	struct agw_cand *e;
	char why[IPC_AGW_DETAIL_MAX];
	int err;

	if (c->ncand[i] == AGW_CAND_MAX) {
		agw_refused_note(w, c, i, c->cand[i][0].id, "evicted by a newer connection "
				 "before its handshake ended");
		agw_cand_drop(w, c, i, 0, AGW_CTR_CAND_EVICTED);
	}
	/* (listed first: nothing of its handshake can report before) */
	e = &c->cand[i][c->ncand[i]++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->due_ms = w->now_ms + AGW_CAND_MS;
	if (agw_leg_tls_start(w, c, i, id) != NULL) {
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
	agw_refused_note(w, c, i, id, why);
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

	agw_cand_remove(c, i, k);
	while (c->ncand[i] > 0)
		agw_cand_drop(w, c, i, 0, AGW_CTR_CAND_DROPPED);
	w->agw->ctr[AGW_CTR_CAND_TOOK]++;
	ver = (uint8_t)dp_xprt_tls.version(w, id);
	c->sp.leg[i].id = id;                 /* (agw_leg_addrs() reads it) */
	c->sp.leg[i].tls_version = ver;
	agw_leg_up_event(w, c, i);
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
	agw_cand_remove(c, i, k);
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
	agw_refused_note(w, c, i, id, why);
	w->agw->ctr[AGW_CTR_CAND_REFUSED]++;
	session_close(w, id);
	dp_xprt_tls.abort(w, id);
}

/* Read candidate connection id (leg i): its handshake goes on; what it
 * ended with is acted on here, out of the read that ran it. */
void
agw_cand_read(struct dp_worker *w, struct agw_ctx *c, unsigned int i, uint64_t id)
{
	struct rte_mbuf *m = NULL;
	unsigned int li;
	int n, k;

	n = dp_xprt_tls.rcv_buf(w, id, &m, UINT32_MAX);
	k = agw_cand_of(c, id, &li);
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
		agw_cand_drop(w, c, i, (unsigned int)k, AGW_CTR_CAND_DROPPED);
		return;
	}
	if (n > 0)
		rte_pktmbuf_free(m);      /* (cannot be: no data before it is up) */
	if (n == -EAGAIN && c->cand[i][k].verdict == AGW_CAND_WAIT)
		return;
	cand_failed(w, c, i, (unsigned int)k);
}

/* Candidates whose handshake is overdue are reset. */
void
agw_cand_expire(struct dp_worker *w, struct agw_ctx *c, uint64_t now_ms)
{
	for (unsigned int i = 0; i < 2; i++)
		for (unsigned int k = 0; k < c->ncand[i];) {
			if (c->cand[i][k].due_ms > now_ms) {
				k++;
				continue;
			}
			agw_refused_note(w, c, i, c->cand[i][k].id, "no TLS handshake within "
					 RTE_STR(AGW_CAND_S) " s");
			agw_cand_drop(w, c, i, k, AGW_CTR_CAND_TIMEOUT);
		}
}
