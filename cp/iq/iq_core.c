/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's messages in and its loop (iq_internal.h).
 *
 * A message in costs a token of iq.max_rate before it is parsed (and a
 * request past its first, one more: iq_rate.h); one over the rate is not
 * parsed, its first request answered 511 at most (read from its first
 * bytes; not remembered: its repeat may pass later), and only when that
 * answer is no longer than the message, where the source is not proven
 * (UDP without iq.auth); there, what a message's answers hold past
 * CP_AMP_FACTOR times its octets costs more of the rate (cp_amp.h,
 * iq_send_to()): neither makes the door an amplifier. Then each
 * transaction in it:
 *  - a request is looked up in the transaction memory first (a repeat is
 *    answered Pending or with the stored reply, never run twice), then
 *    refused when it is not the registered controller's (505, before
 *    any token past the message's, once a message), else its actions run in
 *    order (iq_cmd.c) and their replies go back as one Reply, remembered
 *    for repeats; a request whose reply waits (IQ_DEFER, or held until dp
 *    holds what its actions changed: cp/agw's cp_agw_when_held()) stays
 *    executing until it goes. The first request past the rate is answered 511, the
 *    message's later ones not at all (the controller repeats them);
 *  - a reply ends one of our requests (the ServiceChange, a Notify): the
 *    association's (iq_assoc.c);
 *  - a Pending stretches our wait; a ResponseAck frees stored replies.
 * A message that cannot be read at all is answered with a message-level
 * ErrorDescriptor; one whose request id was read, with that request's.
 *
 * The loop: messages read, then the association's timers (iq_assoc.c),
 * the Notifies waiting (iq_notify.c), the replies waiting (iq_cmd.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "iq_internal.h"
#include "tp_log.h"

/* A serve (once a millisecond) reads IQ_READS datagrams at most,
 * strangers' and those dropped unparsed included, and parses or answers
 * IQ_BURST of them at most: the rest wait for the next serve. (Reading
 * and dropping costs a microsecond or two: the bound keeps a serve under
 * a millisecond while a flood is drained fast enough that the
 * controller's own datagrams still find room in the socket.) */
#define IQ_READS           256u
#define IQ_BURST           64u
/* The bytes read of a message over the rate for its first request's id. */
#define IQ_PEEK            512u
/* Nodes that reading takes at most. */
#define IQ_PEEK_NODES      64u

/* ---- requests in ---------------------------------------------------------- */

/* A request whose reply waits (IQ_DEFER) kept until it can go: 0, or
 * -ENOSPC (IQ_DEFER_MAX wait already). */
static int
defer_keep(struct cp_iq *q, const struct iq_defer *d, unsigned int peer, unsigned int src,
	   uint32_t tid, uint64_t now_ms)
{
	for (unsigned int i = 0; i < IQ_DEFER_MAX; i++) {
		struct iq_defer *k = &q->defer[i];

		if (k->used)
			continue;
		*k = *d;
		k->used = true;
		k->in_len = (uint32_t)q->ans.len;
		k->peer = (uint8_t)peer;
		k->src = (uint8_t)src;
		k->tid = tid;
		k->due_ms = now_ms + IQ_DEFER_MS;
		return 0;
	}
	return -ENOSPC;
}

/* A held reply's time (rc aside: what the actions changed is made and
 * the reply says what): the transaction's reply, remembered for repeats
 * from now. (q->tx is free: this runs from cp's loop, never while a
 * message is answered.) */
static void
held_go(struct cp_ctx *cp, void *arg, int rc)
{
	struct iq_held *h = arg;
	struct cp_iq *q = h->q;
	struct iq_answer keep = q->ans;

	(void)rc;
	memcpy(q->tx, h->reply, h->len);
	iq_answering(q, h->in_len, false, cp->now_ms);
	iq_send_reply(q, h->peer, h->src, h->tid, h->len, cp->now_ms);
	q->ans = keep;
	explicit_bzero(h->reply, h->len);
	free(h->reply);
	memset(h, 0, sizeof(*h));
}

/* The reply in q->tx (len octets) to transaction tid, held when its
 * actions changed contexts since `since` that dp may not hold yet: true
 * when it waits (held_go() sends it), false when it goes now. */
static bool
hold(struct cp_ctx *cp, struct cp_iq *q, unsigned int peer, unsigned int src, uint32_t tid,
     size_t len, uint64_t since)
{
	struct iq_held *h = NULL;

	if (cp_agw_changes(cp) == since)
		return false;
	for (unsigned int i = 0; i < IQ_HELD_MAX && h == NULL; i++)
		if (!q->held[i].used)
			h = &q->held[i];
	if (h == NULL || (h->reply = malloc(len)) == NULL)
		return false;
	memcpy(h->reply, q->tx, len);
	h->q = q;
	h->used = true;
	h->peer = (uint8_t)peer;
	h->src = (uint8_t)src;
	h->tid = tid;
	h->in_len = (uint32_t)q->ans.len;
	h->len = (uint32_t)len;
	if (cp_agw_when_held(cp, since, held_go, h) == 1)
		return true;
	explicit_bzero(h->reply, len);
	free(h->reply);
	memset(h, 0, sizeof(*h));
	return false;
}

/* What the requests of one message have had so far. */
struct msg_state {
	bool paid;                    /* the message's token pays for the next request */
	bool busy;                    /* one was refused 511: the rest get nothing */
	bool refused;                 /* one was refused 505 */
};

static void
request(struct cp_ctx *cp, struct cp_iq *q, const struct h248_tree *t,
	const struct h248_trans *tr, unsigned int peer, unsigned int src, struct msg_state *ms,
	uint64_t now_ms)
{
	const uint8_t *stored = NULL;
	enum iq_run run = IQ_DONE;
	enum iq_in_state seen;
	struct iq_defer d;
	size_t slen = 0;
	struct h248_w w;
	uint64_t since;
	bool one;
	int len;

	q->ctr.stats[IQ_STAT_REQUESTS]++;
	if (ms->busy) {
		q->ctr.stats[IQ_STAT_OVERLOAD]++;
		return;
	}
	seen = iq_in_seen(&q->trans, peer, tr->id, now_ms, &stored, &slen);
	if (seen == IQ_IN_NEW && (q->assoc != IQ_ASSOC_UP || peer != q->cur)) {
		/* not the registered controller (H.248.1 §11.2): refused
		 * before any token is spent, once a message */
		q->ctr.stats[IQ_STAT_BEFORE_REGISTERED]++;
		if (!ms->refused)
			iq_send_error(q, peer, src, tr->id, H248_E_BEFORE_SC, NULL, now_ms, false);
		ms->refused = true;
		return;
	}
	/* the message's token paid for its first request; the next ones
	 * cost one each, and the first refused ends the message's requests
	 * (one 511 a message) */
	if (!ms->paid && !iq_rate_more(&q->rate, peer, now_ms)) {
		ms->busy = true;
		q->ctr.stats[IQ_STAT_OVERLOAD]++;
		if (seen == IQ_IN_NEW)
			iq_send_error(q, peer, src, tr->id, H248_E_BUSY,
				      "Temporarily Busy: over iq.max_rate", now_ms, false);
		return;
	}
	ms->paid = false;
	switch (seen) {
	case IQ_IN_EXECUTING:
		q->ctr.stats[IQ_STAT_REQUESTS_REPEATED]++;
		iq_send_pending(q, src, tr->id);
		return;
	case IQ_IN_REPLIED:
		q->ctr.stats[IQ_STAT_REQUESTS_REPEATED]++;
		/* (a repeat is cheap to send, but a reply may be 8 KB for a
		 * few bytes forged from the controller's address: it cost its
		 * token as a new request does, and its octets past
		 * CP_AMP_FACTOR times the message's more: iq_send_to()) */
		if (stored != NULL)
			iq_send_to(q, src, (const char *)stored, slen);
		return;
	case IQ_IN_NEW:
		break;
	}
	iq_in_begin(&q->trans, peer, tr->id, now_ms);
	since = cp_agw_changes(cp);
	h248_w_init(&w, q->tx, sizeof(q->tx));
	h248_w_header(&w, IQ_VERSION, q->conf->mid);
	h248_w_reply(&w, tr->id, 0, false, false);
	/* one action of one command: its reply may wait (a Subtract's for
	 * dp's count of the bytes) */
	{
		const struct h248_node *a = h248_child(t, tr->node, H248_TOK_CONTEXT);
		const struct h248_node *c = a != NULL ? h248_child(t, a, H248_TOK_NONE) : NULL;

		one = a != NULL && h248_next(t, a, H248_TOK_CONTEXT) == NULL && c != NULL &&
		      h248_next(t, c, H248_TOK_NONE) == NULL;
	}
	for (const struct h248_node *a = h248_child(t, tr->node, H248_TOK_CONTEXT); a != NULL;
	     a = h248_next(t, a, H248_TOK_CONTEXT))
		if ((run = iq_cmd_action(cp, q, t, a, &w, one ? &d : NULL, now_ms)) != IQ_DONE)
			break;
	h248_w_close(&w);
	if (run == IQ_DEFER && defer_keep(q, &d, peer, src, tr->id, now_ms) == 0)
		return;
	/* (no place to wait in: the reply goes now, with what cp knows) */
	len = h248_w_finish(&w);
	if (len < 0) {
		/* the reply did not fit one message: what ran stays done, the
		 * controller hears it failed and may audit */
		iq_send_error(q, peer, src, tr->id, H248_E_INTERNAL, "Internal software failure in "
			      "MG: reply too large", now_ms, true);
		return;
	}
	/* (what an Add or Modify gave, dp holds first) */
	if (hold(cp, q, peer, src, tr->id, (size_t)len, since))
		return;
	iq_send_reply(q, peer, src, tr->id, (size_t)len, now_ms);
}

/* The id of the first transaction of q->rx[0..len) when it is a request,
 * read from its first IQ_PEEK bytes alone (a message too long, or one
 * not to be parsed whole), or 0. */
static uint32_t
first_request(struct cp_iq *q, size_t len)
{
	const struct h248_node *n;
	struct h248_tree t;
	struct h248_err err;
	uint32_t tid = 0;

	if (h248_parse_tree(&t, q->rx, len < IQ_PEEK ? len : IQ_PEEK, q->nodes, IQ_PEEK_NODES,
			    &err) < 0)
		return err.tid;
	n = h248_first(&t);
	if (n == NULL || n->tok != H248_TOK_TRANSACTION || h248_value_u32(&t, n, &tid) < 0)
		return 0;
	return tid;
}

/*
 * A message over iq.max_rate, not run: one answer at most. One that fits
 * in IQ_PEEK bytes is parsed (it costs no more than the peek) and, when it
 * does not parse, hears its error as under the rate; else its first
 * request (read from its first bytes) hears 511, unless the transaction
 * memory knows it (a repeat of one that ran must hear its reply, not
 * that it failed).
 */
static void
refuse_busy(struct cp_iq *q, unsigned int peer, unsigned int src, size_t len, uint64_t now_ms)
{
	const uint8_t *stored = NULL;
	size_t slen = 0;
	uint32_t tid;

	q->ctr.stats[IQ_STAT_OVERLOAD]++;
	if (len <= IQ_PEEK) {
		struct h248_tree t;
		struct h248_msg m;
		struct h248_err err;

		if (h248_parse(&t, q->rx, len, q->nodes, IQ_NODES, &m, &err) < 0) {
			q->ctr.stats[IQ_STAT_RX_BAD]++;
			iq_send_error(q, peer, src, err.tid, err.code, err.why, now_ms, false);
			return;
		}
		tid = m.ntrans > 0 && m.trans[0].kind == H248_TRANS_REQUEST ? m.trans[0].id : 0;
	} else {
		tid = first_request(q, len);
	}
	if (tid == 0 || iq_in_seen(&q->trans, peer, tid, now_ms, &stored, &slen) != IQ_IN_NEW)
		return;
	iq_send_error(q, peer, src, tid, H248_E_BUSY, "Temporarily Busy: over iq.max_rate", now_ms,
		      false);
}

/* A datagram past IQ_MSG_MAX from controller peer, its first bytes in
 * q->rx: it costs a token as any message, and its first request, when
 * they hold its id, hears why it was not run. */
static void
oversize(struct cp_iq *q, unsigned int peer, unsigned int src, uint64_t now_ms)
{
	const uint8_t *stored = NULL;
	size_t slen = 0;
	uint32_t tid;

	enum iq_admit admit = iq_rate_admit(&q->rate, peer, now_ms);

	if (admit == IQ_ADMIT_DROP)
		return;
	iq_answering(q, IQ_MSG_MAX + 1u, admit == IQ_ADMIT_REFUSE, now_ms);
	tid = first_request(q, IQ_MSG_MAX);
	if (tid == 0 || iq_in_seen(&q->trans, peer, tid, now_ms, &stored, &slen) != IQ_IN_NEW)
		return;
	iq_send_error(q, peer, src, tid, H248_E_RESOURCES, "Insufficient resources: message over "
		      "8192 octets", now_ms, false);
}

/* A message in: false when it was dropped unread (over the rate and its
 * refusals'), true when it was parsed or answered. */
static bool
message(struct cp_ctx *cp, struct cp_iq *q, size_t len, unsigned int peer, unsigned int src,
	uint64_t now_ms)
{
	unsigned int ack_budget = IQ_ACK_RANGES_MAX;
	struct msg_state ms = { .paid = true };
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	uint64_t quiet;
	char more[64];
	int rc;

	q->ctr.stats[IQ_STAT_RX_MSGS]++;
	iq_answering(q, len, false, now_ms);
	switch (iq_rate_admit(&q->rate, peer, now_ms)) {
	case IQ_ADMIT_OK:
		break;
	case IQ_ADMIT_REFUSE:
		iq_answering(q, len, true, now_ms);
		refuse_busy(q, peer, src, len, now_ms);
		return true;
	case IQ_ADMIT_DROP:
		q->ctr.stats[IQ_STAT_OVERLOAD]++;
		return false;
	}
	rc = h248_parse(&t, q->rx, len, q->nodes, IQ_NODES, &m, &err);
	if (rc < 0) {
		q->ctr.stats[IQ_STAT_RX_BAD]++;
		/* (lines paced: what a controller's host sends must not
		 * flood the journal) */
		if (iq_rate_log(&q->rate, IQ_LOG_MALFORMED, now_ms, &quiet)) {
			more[0] = '\0';
			if (quiet > 0)
				snprintf(more, sizeof(more), " (%" PRIu64 " more not logged)", quiet);
			tp_log(TP_LOG_NOTICE, "iq: from %s: %u %s (at byte %u)%s%s",
			       q->conf->mgc[peer], err.code, err.why, err.off,
			       err.tid != 0 ? "" : "; message refused", more);
		}
		/* an error answers a request; a broken reply or ack gets none
		 * (they are never answered) */
		iq_send_error(q, peer, src, err.tid, err.code, err.why, now_ms, false);
		return true;
	}
	if (m.version != IQ_VERSION) {
		/* H.248.1 §11.3: answer in the version asked for is not
		 * possible; the profile takes only 3 */
		q->ctr.stats[IQ_STAT_RX_BAD]++;
		iq_send_error(q, peer, src, 0, H248_E_VERSION, "Version Not Supported: the Iq "
			      "profile is H.248 version 3", now_ms, false);
		return true;
	}
	/* H.248.14's inactivity timer hears the registered controller's
	 * well-formed messages only: junk from its host, or another
	 * controller's traffic, must not hide its silence */
	if (q->assoc == IQ_ASSOC_UP && peer == q->cur)
		q->last_rx_ms = now_ms;
	for (uint32_t i = 0; i < m.ntrans; i++) {
		const struct h248_trans *tr = &m.trans[i];

		switch (tr->kind) {
		case H248_TRANS_REQUEST:
			request(cp, q, &t, tr, peer, src, &ms, now_ms);
			break;
		case H248_TRANS_REPLY:
			iq_assoc_reply(q, &t, tr, peer, now_ms);
			break;
		case H248_TRANS_PENDING:
			iq_out_pending(&q->trans, peer, tr->id, now_ms);
			break;
		case H248_TRANS_RESPONSEACK: {
			/* the ranges a message may ack are bounded, and a wide one
			 * (a walk of every reply kept) counts as many */
			q->ctr.stats[IQ_STAT_ACKS_RECEIVED]++;
			for (const struct h248_node *e = h248_elem(&t, tr->node) != NULL ?
				     h248_elem(&t, tr->node) : h248_child(&t, tr->node, H248_TOK_NONE);
			     e != NULL && ack_budget > 0; e = h248_next(&t, e, H248_TOK_NONE)) {
				uint32_t lo, hi;

				if (h248_ack_range(&t, e, &lo, &hi) != 0)
					continue;
				iq_in_ack(&q->trans, peer, lo, hi);
				ack_budget -= hi - lo < IQ_ACK_NARROW ? 1u :
					      (ack_budget < IQ_ACK_WIDE_COST ? ack_budget :
					       IQ_ACK_WIDE_COST);
			}
			break;
		}
		default:
			break;
		}
	}
	return true;
}

/* ---- the loop --------------------------------------------------------------- */

/* A datagram dropped before it was read (iq_net's n->drop_from): from
 * another port of controller peer's host, or refused by its iq.auth. A
 * line for the operator, paced: the sender chooses how many. */
static void
log_drop(struct cp_iq *q, enum iq_log_kind kind, unsigned int peer, uint64_t now_ms)
{
	const struct sockaddr_storage *f = &q->net.drop_from;
	char ip[INET6_ADDRSTRLEN] = "?", more[64] = "";
	uint64_t quiet;
	unsigned int port;

	if (!iq_rate_log(&q->rate, kind, now_ms, &quiet))
		return;
	if (quiet > 0)
		snprintf(more, sizeof(more), " (%" PRIu64 " more not logged)", quiet);
	if (f->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)f)->sin6_addr, ip, sizeof(ip));
		port = ntohs(((const struct sockaddr_in6 *)f)->sin6_port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)f)->sin_addr, ip, sizeof(ip));
		port = ntohs(((const struct sockaddr_in *)f)->sin_port);
	}
	peer %= TP_CONF_MAX_IQ_MGCS;
	if (kind == IQ_LOG_WRONG_PORT)
		tp_log(TP_LOG_WARNING, "iq: a datagram from %s%s%s:%u, a port of controller %s's "
		       "host that is neither its iq.mgc address nor in iq.send_from: dropped, "
		       "unanswered (if that controller sends from there, add \"%s%s%s:%u\" to "
		       "iq.send_from)%s", f->ss_family == AF_INET6 ? "[" : "", ip,
		       f->ss_family == AF_INET6 ? "]" : "", port, q->conf->mgc[peer],
		       f->ss_family == AF_INET6 ? "[" : "", ip,
		       f->ss_family == AF_INET6 ? "]" : "", port, more);
	else
		tp_log(TP_LOG_WARNING, "iq: a message from %s:%u (controller %s) failed iq.auth "
		       "(%s): dropped, unanswered%s", ip, port, q->conf->mgc[peer],
		       iq_auth_why_name(q->net.drop_why), more);
}

/* iq.auth: each controller's key (inline, or read from its key_file as
 * root, before cp drops privileges; owner root or cp.user) into its
 * security association. */
static int
auth_setup(struct cp_ctx *cp, struct cp_iq *q, char *err, size_t errlen)
{
	const struct tp_conf_cp *cc = &cp->conf->cp;

	for (unsigned int i = 0; i < q->conf->nauth; i++) {
		const struct tp_conf_iq_auth *a = &q->conf->auth[i];
		uint8_t key[TP_CONF_IQ_KEY_MAX], keylen = a->keylen;
		char why[400], warn[400];
		int rc = 0;

		memcpy(key, a->key, sizeof(key));
		if (a->key_file[0] != '\0') {
			rc = iq_auth_read_key(a->key_file, cc->user[0] != '\0' ?
					      (uid_t)cc->user_uid : geteuid(), a->alg, key,
					      &keylen, warn, sizeof(warn), why, sizeof(why));
			if (rc < 0) {
				snprintf(err, errlen, "%s:%d: iq.auth key_file %s", cp->conf->path,
					 a->line, why);
				OPENSSL_cleanse(key, sizeof(key));
				return rc;
			}
			if (warn[0] != '\0')
				tp_log(TP_LOG_WARNING, "%s", warn);
		}
		rc = iq_net_auth(&q->net, a, key, keylen);
		OPENSSL_cleanse(key, sizeof(key));
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d: iq.auth for %s: %s", cp->conf->path, a->line,
				 q->conf->mgc[a->mgc], strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int
iq_core_init(struct cp_ctx *cp, struct cp_iq *q, char *err, size_t errlen)
{
	int rc;

	q->conf = &cp->conf->iq;
	rc = iq_net_open(&q->net, q->conf, err, errlen);
	if (rc < 0)
		return rc;
	rc = auth_setup(cp, q, err, errlen);
	if (rc < 0) {
		iq_net_close(&q->net);
		return rc;
	}
	rc = iq_trans_init(&q->trans, 4096, 256);
	if (rc < 0) {
		iq_net_close(&q->net);
		snprintf(err, errlen, "iq: the transaction memory: %s", strerror(-rc));
		return rc;
	}
	q->held = calloc(IQ_HELD_MAX, sizeof(*q->held));
	if (q->held == NULL) {
		iq_trans_fini(&q->trans);
		iq_net_close(&q->net);
		snprintf(err, errlen, "iq: out of memory");
		return -ENOMEM;
	}
	iq_rate_init(&q->rate, q->conf->max_rate);
	iq_assoc_init(q);
	return 0;
}

void
iq_core_fini(struct cp_iq *q)
{
	if (q->held != NULL)
		for (unsigned int i = 0; i < IQ_HELD_MAX; i++)
			if (q->held[i].reply != NULL) {
				explicit_bzero(q->held[i].reply, q->held[i].len);
				free(q->held[i].reply);
			}
	free(q->held);
	q->held = NULL;
	iq_trans_fini(&q->trans);
	iq_net_close(&q->net);
}

unsigned int
iq_core_serve(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms)
{
	unsigned int work = 0, peer = 0, src = 0;

	iq_assoc_tcp_retry(q, now_ms);
	for (unsigned int reads = 0, msgs = 0; reads < IQ_READS && msgs < IQ_BURST; reads++) {
		int r = iq_net_recv(&q->net, (uint8_t *)q->rx, &peer, &src);

		if (r == 0)
			break;
		if (r < 0 && r != -EAGAIN && r != -EMSGSIZE && r != -EADDRNOTAVAIL &&
		    r != -EACCES) {
			if (r == -ECONNRESET && q->net.tcp)
				iq_assoc_conn_lost(q, now_ms);
			break;
		}
		work++;
		if (r == -EAGAIN)
			continue;       /* (dropped unread: a read all the same) */
		if (r == -EADDRNOTAVAIL) {
			log_drop(q, IQ_LOG_WRONG_PORT, peer, now_ms);
			continue;
		}
		if (r == -EACCES) {
			/* (its check value may have been computed: it counts
			 * as a message parsed) */
			log_drop(q, IQ_LOG_UNAUTH, peer, now_ms);
			msgs++;
			continue;
		}
		if (r == -EMSGSIZE) {
			q->rx[IQ_MSG_MAX] = '\0';
			oversize(q, peer, src, now_ms);
			msgs++;
			continue;
		}
		q->rx[r] = '\0';
		msgs += message(cp, q, (size_t)r, peer, src, now_ms);
	}
	iq_assoc_move(cp, q, now_ms);
	if (q->assoc == IQ_ASSOC_UP) {
		iq_notify_retry(cp, q, now_ms);
		/* a round of the slots a second, a slice at a time */
		if (now_ms >= q->thb_sweep_ms)
			q->thb_sweep_ms = now_ms + (iq_hangterm_sweep(cp, q, now_ms) ? 1000u : 5u);
	}
	iq_defer_due(q, now_ms);
	iq_in_expire(&q->trans, now_ms);
	work += iq_assoc_due(q, now_ms);
	q->ctr.assoc = q->assoc;
	q->ctr.mgc = (uint8_t)q->cur;
	q->ctr.strangers = q->net.st.rx_stranger;
	q->ctr.wrong_port = q->net.st.rx_wrong_port;
	_Static_assert(sizeof(q->ctr.unauth) >= sizeof(q->net.st.rx_unauth), "iq.h's reasons");
	memcpy(q->ctr.unauth, q->net.st.rx_unauth, sizeof(q->net.st.rx_unauth));
	q->ctr.oversize = q->net.st.rx_oversize;
	q->ctr.resent = q->trans.st.out_resent;
	q->ctr.gave_up = q->trans.st.out_gave_up;
	return work;
}
