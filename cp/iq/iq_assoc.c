/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's association with its controllers (H.248.1 §11) and what goes
 * to them (iq_internal.h).
 *
 * Which controller: ServiceChange on ROOT to those of iq.mgc in order
 * (Restart, 901 Cold Boot or 902 Warm Boot when contexts outlived cp),
 * repeated by the transaction layer; one that refuses or never answers,
 * the next one after a pause; MgcIdToTry followed when it names another
 * of ours. Once up, a Notify that is never answered (the inactivity
 * timer's too, H.248.14) or refused as from a stranger means the
 * controller is gone: Failover to the next one (Disconnected to the
 * same), contexts kept. The controller's HandOff moves us once its reply
 * went.
 *
 * What goes out: answers to whoever asked (replies, Pending, errors),
 * our requests to the registered controller only (kept in iq_trans and
 * repeated until answered) and their ResponseAcks. How one of our
 * requests ended (answered, given up, dropped with its controller) is
 * told to whoever sent it through q->req_end (iq_notify.c's), so that the
 * association calls no one above it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cp.h"
#include "cp_amp.h"
#include "iq_internal.h"
#include "tp_conf.h"
#include "tp_log.h"

/* Between two registration attempts when every controller failed: from
 * 1 s doubling to 32 s. */
#define IQ_RETRY_MIN_MS    1000u
#define IQ_RETRY_MAX_MS    32000u

const char *
iq_assoc_name(uint8_t s)
{
	return s == IQ_ASSOC_UP ? "up" : s == IQ_ASSOC_REGISTERING ? "registering" : "idle";
}

void
iq_count_error(struct cp_iq *q, unsigned int code)
{
	q->ctr.stats[IQ_STAT_ERRORS_SENT]++;
	switch (code) {
#define IQ_ERR_CODE(c) case c: q->ctr.err[IQ_ERR_##c]++; return;
#include "iq_err_codes.def"
#undef IQ_ERR_CODE
	default:
		q->ctr.err[IQ_ERR_OTHER]++;
	}
}

/* To source src of q->net.src: a reply to where its request came from,
 * what is ours to the controller's own address (src = its index). */
static int
send_msg(struct cp_iq *q, unsigned int src, const char *msg, size_t len)
{
	int rc = iq_net_send(&q->net, src, (const uint8_t *)msg, len);

	if (rc < 0)
		tp_log(TP_LOG_DEBUG, "iq: send to %s: %s",
		       q->conf->mgc[q->net.src_mgc[src % IQ_SRC_MAX] % TP_CONF_MAX_IQ_MGCS],
		       strerror(-rc));
	return rc;
}

void
iq_answering(struct cp_iq *q, size_t len, bool over, uint64_t now_ms)
{
	q->ans = (struct iq_answer){ .len = len, .over = over, .ms = now_ms };
}

/* Has controller peer shown that it owns its address? Over TCP (the
 * handshake) or with iq.auth (the check value) it has; a UDP datagram's
 * source alone can be forged. */
static bool
proven(const struct cp_iq *q, unsigned int peer)
{
	return q->net.tcp || q->net.sa[peer % TP_CONF_MAX_IQ_MGCS].on;
}

int
iq_send_to(struct cp_iq *q, unsigned int src, const char *msg, size_t len)
{
	unsigned int peer = q->net.src_mgc[src % IQ_SRC_MAX];

	if (!proven(q, peer)) {
		if (q->ans.over && !cp_amp_refusal_ok(len, q->ans.len)) {
			q->ctr.stats[IQ_STAT_WITHHELD]++;
			return -EMSGSIZE;
		}
		/* what the replies to one message cost past its token, as
		 * their octets grow (cp_amp.h); past the rate the refusals'
		 * own budget paid */
		if (!q->ans.over)
			iq_rate_charge(&q->rate, peer, cp_amp_cost(q->ans.sent + len, q->ans.len) -
				       cp_amp_cost(q->ans.sent, q->ans.len), q->ans.ms);
		q->ans.sent += len;
	}
	return send_msg(q, src, msg, len);
}

/* A request of ours, or what belongs to one (its ResponseAck): to the
 * controller's configured address, never where a datagram came from. */
static int
send_req(struct cp_iq *q, unsigned int peer, const char *msg, size_t len)
{
	return send_msg(q, peer, msg, len);
}

void
iq_send_error(struct cp_iq *q, unsigned int peer, unsigned int src, uint32_t tid,
	      unsigned int code, const char *text, uint64_t now_ms, bool remember)
{
	struct h248_w w;
	int len;

	h248_w_init(&w, q->tx, sizeof(q->tx));
	h248_w_header(&w, IQ_VERSION, q->conf->mid);
	if (tid != 0) {
		h248_w_reply(&w, tid, 0, false, false);
		h248_w_error(&w, code, text);
		h248_w_close(&w);
	} else {
		h248_w_error(&w, code, text);
	}
	len = h248_w_finish(&w);
	if (len < 0)
		return;
	if (iq_send_to(q, src, q->tx, (size_t)len) != -EMSGSIZE)
		iq_count_error(q, code);
	if (remember && tid != 0)
		iq_in_reply(&q->trans, peer, tid, (const uint8_t *)q->tx, (size_t)len, now_ms);
}

void
iq_send_pending(struct cp_iq *q, unsigned int src, uint32_t tid)
{
	struct h248_w w;
	int len;

	h248_w_init(&w, q->tx, sizeof(q->tx));
	h248_w_header(&w, IQ_VERSION, q->conf->mid);
	h248_w_pending(&w, tid);
	len = h248_w_finish(&w);
	if (len > 0 && iq_send_to(q, src, q->tx, (size_t)len) == 0)
		q->ctr.stats[IQ_STAT_PENDING_SENT]++;
}

void
iq_send_reply(struct cp_iq *q, unsigned int peer, unsigned int src, uint32_t tid, size_t len,
	      uint64_t now_ms)
{
	q->ctr.stats[IQ_STAT_REPLIES_SENT]++;
	iq_send_to(q, src, q->tx, len);
	iq_in_reply(&q->trans, peer, tid, (const uint8_t *)q->tx, len, now_ms);
}

static void
send_ack(struct cp_iq *q, unsigned int peer, uint32_t tid)
{
	const uint32_t r[1][2] = { { tid, tid } };
	struct h248_w w;
	int len;

	h248_w_init(&w, q->tx, sizeof(q->tx));
	h248_w_header(&w, IQ_VERSION, q->conf->mid);
	h248_w_response_ack(&w, r, 1);
	len = h248_w_finish(&w);
	if (len > 0 && send_req(q, peer, q->tx, (size_t)len) == 0)
		q->ctr.stats[IQ_STAT_ACKS_SENT]++;
}

/* ---- our requests ------------------------------------------------------- */

static int
send_ours(struct cp_iq *q, unsigned int peer, uint32_t tid,
	  void (*body)(struct h248_w *w, const void *arg), const void *arg, uint64_t cookie,
	  uint64_t now_ms)
{
	struct h248_w w;
	int len, rc;

	h248_w_init(&w, q->tx, sizeof(q->tx));
	h248_w_header(&w, IQ_VERSION, q->conf->mid);
	h248_w_request(&w, tid);
	body(&w, arg);
	h248_w_close(&w);
	len = h248_w_finish(&w);
	if (len < 0)
		return len;
	rc = iq_out_add(&q->trans, peer, tid, (const uint8_t *)q->tx, (size_t)len, cookie,
			now_ms);
	if (rc < 0)
		return rc;
	send_req(q, peer, q->tx, (size_t)len);
	return 0;
}

int
iq_send_request(struct cp_ctx *cp, struct cp_iq *q,
		void (*body)(struct h248_w *w, const void *arg), const void *arg,
		uint64_t cookie, uint64_t now_ms)
{
	(void)cp;
	if (q->assoc != IQ_ASSOC_UP)
		return -ENOTCONN;
	return send_ours(q, q->cur, iq_out_tid(&q->trans), body, arg, cookie, now_ms);
}

static void
sc_body(struct h248_w *w, const void *arg)
{
	const struct cp_iq *q = arg;

	h248_w_context(w, H248_CTX_NULL);
	h248_w_open(w, H248_TOK_SERVICECHANGE, "ROOT");
	h248_w_open(w, H248_TOK_SERVICES, NULL);
	h248_w_item(w, H248_TOK_METHOD, q->sc_method);
	h248_w_item_quoted(w, H248_TOK_REASON, q->sc_reason);
	h248_w_item(w, H248_TOK_PROFILE, q->conf->profile);
	h248_w_item_u32(w, H248_TOK_VERSION, IQ_VERSION);
	h248_w_close(w);
	h248_w_close(w);
	h248_w_close(w);
}

static void
send_service_change(struct cp_iq *q, uint64_t now_ms)
{
	int rc;

	q->sc_tid = iq_out_tid(&q->trans);
	rc = send_ours(q, q->cur, q->sc_tid, sc_body, q, IQ_COOKIE_SC, now_ms);
	if (rc < 0) {
		tp_log(TP_LOG_WARNING, "iq: ServiceChange to %s not sent: %s",
		       q->conf->mgc[q->cur], strerror(-rc));
		q->next_try_ms = now_ms + IQ_RETRY_MIN_MS;
		return;
	}
	q->assoc = IQ_ASSOC_REGISTERING;
	tp_log(TP_LOG_INFO, "iq: registering with %s (ServiceChange %s \"%s\", transaction %"
	       PRIu32 ")", q->conf->mgc[q->cur], q->sc_method, q->sc_reason, q->sc_tid);
}

/* The controller tried failed (refused, silent, or lost once up): the
 * next one, after a pause that grows once every one failed. */
/* The pause before the next attempt after q->failures in a row: none
 * for a first round of the controllers, then 1 s doubling each round up
 * to 32 s. */
static unsigned int
retry_pause(const struct cp_iq *q)
{
	unsigned int pause = q->failures < q->conf->nmgc ? 0 : IQ_RETRY_MIN_MS;

	for (unsigned int i = q->conf->nmgc; pause != 0 && i < q->failures &&
	     pause < IQ_RETRY_MAX_MS; i += q->conf->nmgc)
		pause *= 2;
	return pause > IQ_RETRY_MAX_MS ? IQ_RETRY_MAX_MS : pause;
}

static void on_gave_up_quiet(void *arg, unsigned int peer, uint32_t tid, uint64_t cookie);

/* One of our requests other than the ServiceChange ended: its sender
 * hears how. */
static void
req_end(struct cp_iq *q, uint64_t cookie, bool answered)
{
	if (q->req_end != NULL)
		q->req_end(q, cookie, answered);
}

static void
next_controller(struct cp_iq *q, uint64_t now_ms, const char *why)
{
	unsigned int prev = q->cur;
	uint32_t pause;

	if (q->assoc == IQ_ASSOC_UP) {
		q->ctr.stats[IQ_STAT_ASSOC_LOST]++;
		/* what dp holds stays (H.248.1 §11.5): the next controller
		 * hears Failover, the same one (alone in iq.mgc) Disconnected;
		 * either may audit */
		q->sc_method = q->conf->nmgc > 1 ? "Failover" : "Disconnected";
		q->sc_reason = q->conf->nmgc > 1 ? "909 MGC Impending Failure" :
				"900 Service Restored";
	} else {
		q->ctr.stats[IQ_STAT_REGISTRATION_FAILURES]++;
	}
	q->assoc = IQ_ASSOC_IDLE;
	q->failures++;
	q->cur = (q->cur + 1) % q->conf->nmgc;
	/* what we still repeat to the one we left stops here (as on a
	 * HandOff): its leg ends go to the next one, and a controller that
	 * comes back must not take our old requests for a new association
	 * while we register elsewhere */
	if (q->cur != prev)
		iq_out_drop_peer(&q->trans, prev, on_gave_up_quiet, q);
	pause = retry_pause(q);
	q->next_try_ms = now_ms + pause;
	tp_log(TP_LOG_WARNING, "iq: controller %s: %s; next %s in %u ms", q->conf->mgc[prev],
	       why, q->conf->mgc[q->cur], pause);
	if (q->net.tcp)
		iq_net_connect(&q->net, q->cur);
}

static void
on_resend(void *arg, unsigned int peer, const uint8_t *msg, size_t len)
{
	struct cp_iq *q = arg;

	send_req(q, peer, (const char *)msg, len);
}

static uint64_t gave_up_now;

static void
on_gave_up(void *arg, unsigned int peer, uint32_t tid, uint64_t cookie)
{
	struct cp_iq *q = arg;

	if (cookie == IQ_COOKIE_SC) {
		if (q->assoc == IQ_ASSOC_REGISTERING && tid == q->sc_tid && peer == q->cur)
			next_controller(q, gave_up_now, "no answer to ServiceChange");
		return;
	}
	q->ctr.stats[IQ_STAT_NOTIFY_FAILED]++;
	if (q->assoc == IQ_ASSOC_UP && peer == q->cur)
		next_controller(q, gave_up_now, "no answer to a Notify");
	/* (after the move: a leg's end goes to the next controller) */
	req_end(q, cookie, false);
}

/*
 * The controller of iq.mgc an mId names (MgcIdToTry), or -1. Its address
 * is "[IP]" or "[IP]:PORT" (H.248.1 Annex B; without a port, text's
 * 2944, Annex D.1): host and port must both be one of ours, two
 * controllers may share a host. A domain name names none (cp looks no
 * name up).
 */
static int
mgc_named(const struct cp_iq *q, const char *v, size_t n)
{
	const char *rb = n > 2 && v[0] == '[' ? memchr(v, ']', n) : NULL;
	const char *port = "2944";
	struct sockaddr_storage ss;
	size_t hl, pl = 4;
	char a[96];
	int k;

	if (rb == NULL)
		return -1;
	hl = (size_t)(rb - v - 1);
	if (rb + 1 < v + n) {
		if (rb[1] != ':')
			return -1;
		port = rb + 2;
		pl = (size_t)(v + n - port);
	}
	k = snprintf(a, sizeof(a), memchr(v + 1, ':', hl) != NULL ? "[%.*s]:%.*s" : "%.*s:%.*s",
		     (int)hl, v + 1, (int)pl, port);
	if (k < 0 || (size_t)k >= sizeof(a) || tp_conf_hostport_parse(a, &ss, NULL) == 0)
		return -1;
	for (unsigned int i = 0; i < q->conf->nmgc; i++)
		if (iq_net_same_addr(&ss, &q->net.src[i]))
			return (int)i;
	return -1;
}

int
iq_handoff(struct cp_iq *q, const char *mid, size_t len, uint64_t now_ms)
{
	int i = mgc_named(q, mid, len);

	(void)now_ms;
	if (i < 0 || (unsigned int)i == q->cur)
		return -ENOENT;
	q->handoff = i;
	return 0;
}

static void
on_gave_up_quiet(void *arg, unsigned int peer, uint32_t tid, uint64_t cookie)
{
	(void)peer;
	(void)tid;
	req_end(arg, cookie, false);
}

/* The reply to our ServiceChange: up, unless it is an error or names
 * another controller to try (MgcIdToTry, which must be one of ours). */
static void
sc_reply(struct cp_iq *q, const struct h248_tree *t, const struct h248_trans *tr,
	 unsigned int peer, uint64_t now_ms)
{
	const struct h248_node *ctx, *sc, *sv, *e = tr->error, *mg;
	uint16_t code = 0;
	const char *text = NULL;
	size_t tlen = 0;

	if (q->assoc != IQ_ASSOC_REGISTERING || tr->id != q->sc_tid || peer != q->cur)
		return;
	ctx = h248_child(t, tr->node, H248_TOK_CONTEXT);
	sc = ctx != NULL ? h248_child(t, ctx, H248_TOK_SERVICECHANGE) : NULL;
	if (e == NULL && ctx != NULL)
		e = h248_child(t, ctx, H248_TOK_ERROR);
	if (e == NULL && sc != NULL)
		e = h248_child(t, sc, H248_TOK_ERROR);
	if (e != NULL) {
		char why[160];

		h248_error_of(t, e, &code, &text, &tlen);
		snprintf(why, sizeof(why), "ServiceChange refused: %u %.*s", code,
			 (int)(tlen > 100 ? 100 : tlen), text != NULL ? text : "");
		next_controller(q, now_ms, why);
		return;
	}
	sv = sc != NULL ? h248_child(t, sc, H248_TOK_SERVICES) : NULL;
	mg = sv != NULL ? h248_child(t, sv, H248_TOK_MGCIDTOTRY) : NULL;
	if (mg != NULL) {
		size_t n = 0;
		const char *v = h248_value(t, mg, &n);
		/* only a controller of iq.mgc: the reply cannot send us
		 * elsewhere */
		int i = v != NULL ? mgc_named(q, v, n) : -1;

		if (i >= 0 && (unsigned int)i != q->cur) {
			tp_log(TP_LOG_INFO, "iq: %s sends us to %s (MgcIdToTry)",
			       q->conf->mgc[q->cur], q->conf->mgc[i]);
			/* (a redirect is not a registration: two controllers
			 * naming each other back and forth are paced as
			 * failures are) */
			q->assoc = IQ_ASSOC_IDLE;
			q->cur = (unsigned int)i;
			q->failures++;
			q->next_try_ms = now_ms + retry_pause(q);
			if (q->net.tcp)
				iq_net_connect(&q->net, q->cur);
			return;
		}
		tp_log(TP_LOG_WARNING, "iq: %s names MgcIdToTry %.*s, not another of iq.mgc: "
		       "staying", q->conf->mgc[q->cur], (int)(n > 80 ? 80 : n), v != NULL ? v : "");
	}
	q->assoc = IQ_ASSOC_UP;
	q->failures = 0;
	q->last_rx_ms = now_ms;
	q->ctr.stats[IQ_STAT_REGISTRATIONS]++;
	tp_log(TP_LOG_INFO, "iq: registered with %s", q->conf->mgc[q->cur]);
}

/* The first ErrorDescriptor of a reply (the transaction's, an action's or
 * a command's), or NULL. */
static const struct h248_node *
reply_error(const struct h248_tree *t, const struct h248_trans *tr)
{
	if (tr->error != NULL)
		return tr->error;
	for (const struct h248_node *a = h248_child(t, tr->node, H248_TOK_CONTEXT); a != NULL;
	     a = h248_next(t, a, H248_TOK_CONTEXT)) {
		const struct h248_node *e = h248_child(t, a, H248_TOK_ERROR);

		if (e != NULL)
			return e;
		for (const struct h248_node *c = h248_child(t, a, H248_TOK_NONE); c != NULL;
		     c = h248_next(t, c, H248_TOK_NONE))
			if ((e = h248_child(t, c, H248_TOK_ERROR)) != NULL)
				return e;
	}
	return NULL;
}

/*
 * A Notify's reply. An error saying the controller does not know us (a
 * controller that restarted since we registered: 504 unauthorized
 * entity, 505 before a ServiceChange, 406 version) means the association
 * is gone on its side: register again with it, Disconnected (contexts
 * kept, it may audit them; H.248.1 §11.5).
 */
static void
notify_reply(struct cp_iq *q, const struct h248_tree *t, const struct h248_trans *tr,
	     unsigned int peer, uint64_t now_ms)
{
	const struct h248_node *e = reply_error(t, tr);
	uint16_t code = 0;
	const char *text = NULL;
	size_t tlen = 0;

	if (e == NULL)
		return;
	h248_error_of(t, e, &code, &text, &tlen);
	q->ctr.stats[IQ_STAT_NOTIFY_FAILED]++;
	tp_log(TP_LOG_NOTICE, "iq: %s refused a Notify: %u %.*s", q->conf->mgc[peer], code,
	       (int)(tlen > 120 ? 120 : tlen), text != NULL ? text : "");
	if ((code == H248_E_UNAUTHORIZED_SRC || code == H248_E_BEFORE_SC ||
	     code == H248_E_VERSION) && q->assoc == IQ_ASSOC_UP && peer == q->cur) {
		q->ctr.stats[IQ_STAT_ASSOC_LOST]++;
		q->assoc = IQ_ASSOC_IDLE;
		q->sc_method = "Disconnected";
		q->sc_reason = "900 Service Restored";
		q->next_try_ms = now_ms;
	}
}

/* H.248.14: no message from the controller for mit: say so (it/ito on
 * ROOT); a Notify that is never answered then ends the association. */
struct ito_arg {
	uint32_t rid;
	uint32_t mit;
};

static void
ito_body(struct h248_w *w, const void *arg)
{
	const struct ito_arg *a = arg;
	char mit[16];

	snprintf(mit, sizeof(mit), "%u", a->mit);
	h248_w_context(w, H248_CTX_NULL);
	h248_w_open(w, H248_TOK_NOTIFY, "ROOT");
	h248_w_open_u32(w, H248_TOK_OBSERVEDEVENTS, a->rid);
	h248_w_open_observed(w, NULL, "it/ito");
	h248_w_item_name(w, "mit", '=', mit);
	h248_w_close(w);
	h248_w_close(w);
	h248_w_close(w);
	h248_w_close(w);
}

static void
inactivity(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms)
{
	struct ito_arg a = { .rid = q->it_rid, .mit = q->mit_ms / 10u };

	if (q->assoc != IQ_ASSOC_UP || q->mit_ms == 0 || now_ms - q->last_rx_ms < q->mit_ms)
		return;
	q->last_rx_ms = now_ms;
	if (iq_send_request(cp, q, ito_body, &a, IQ_COOKIE_NOTIFY, now_ms) == 0)
		q->ctr.stats[IQ_STAT_NOTIFY_SENT]++;
}

/* ---- what the association does ------------------------------------------- */

void
iq_assoc_reply(struct cp_iq *q, const struct h248_tree *t, const struct h248_trans *tr,
	       unsigned int peer, uint64_t now_ms)
{
	uint64_t cookie;

	/* (acked only when it answers one of ours in flight to that
	 * controller: a forged Reply = N {ImmAckRequired} buys nothing) */
	if (!iq_out_reply(&q->trans, peer, tr->id, &cookie)) {
		q->ctr.stats[IQ_STAT_REPLIES_UNKNOWN]++;
		return;
	}
	if (tr->imm_ack)
		send_ack(q, peer, tr->id);
	q->ctr.stats[IQ_STAT_REPLIES_RECEIVED]++;
	if (cookie == IQ_COOKIE_SC) {
		sc_reply(q, t, tr, peer, now_ms);
	} else {
		req_end(q, cookie, true);
		notify_reply(q, t, tr, peer, now_ms);
	}
}

void
iq_assoc_conn_lost(struct cp_iq *q, uint64_t now_ms)
{
	if (q->assoc != IQ_ASSOC_IDLE)
		next_controller(q, now_ms, "TCP connection lost");
	else
		iq_net_connect(&q->net, q->cur);
}

void
iq_assoc_tcp_retry(struct cp_iq *q, uint64_t now_ms)
{
	if (q->net.tcp && !iq_net_up(&q->net) && !q->net.connecting && now_ms >= q->next_try_ms) {
		iq_net_connect(&q->net, q->cur);
		q->next_try_ms = now_ms + IQ_RETRY_MIN_MS;
	}
}

void
iq_assoc_move(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms)
{
	if (q->handoff >= 0) {
		/* the controller's HandOff, answered: to the one it named,
		 * every context kept (H.248.1 §11.5) */
		tp_log(TP_LOG_INFO, "iq: %s hands us off to %s", q->conf->mgc[q->cur],
		       q->conf->mgc[q->handoff]);
		iq_out_drop_peer(&q->trans, q->cur, on_gave_up_quiet, q);
		q->cur = (unsigned int)q->handoff;
		q->handoff = -1;
		q->assoc = IQ_ASSOC_IDLE;
		q->sc_method = "HandOff";
		q->sc_reason = "903 MGC Directed Change";
		q->next_try_ms = now_ms;
		if (q->net.tcp)
			iq_net_connect(&q->net, q->cur);
	}
	if (!q->started && cp->ready) {
		/* dp has given cp its contexts back by now: a cp that restarted
		 * beside them says Warm Boot (they are there to audit) */
		q->started = true;
		q->sc_method = "Restart";
		q->sc_reason = cp->agw != NULL && cp->agw->tab[CP_AGW_KIND_TCP].total > 0 ?
			       "902 Warm Boot" : "901 Cold Boot";
	}
	inactivity(cp, q, now_ms);
}

unsigned int
iq_assoc_due(struct cp_iq *q, uint64_t now_ms)
{
	gave_up_now = now_ms;
	iq_out_due(&q->trans, now_ms, on_resend, on_gave_up, q);
	if (q->started && q->assoc == IQ_ASSOC_IDLE && now_ms >= q->next_try_ms &&
	    iq_net_up(&q->net)) {
		send_service_change(q, now_ms);
		return 1;
	}
	return 0;
}

static uint64_t
now_wall_s(void)
{
	return (uint64_t)time(NULL);
}

void
iq_assoc_init(struct cp_iq *q)
{
	/* our transaction ids start anywhere: a controller keeps a reply
	 * 30 s for repeats of (mId, id), so a cp that restarted and counted
	 * from 1 again would get its previous life's replies */
	if (getrandom(&q->trans.next_tid, sizeof(q->trans.next_tid), 0) !=
	    (ssize_t)sizeof(q->trans.next_tid))
		q->trans.next_tid = (uint32_t)now_wall_s();
	q->trans.next_tid = (q->trans.next_tid & 0x7fffffffu) | 1u;
	q->trans.give_up_ms = q->conf->request_timeout * 1000u;
	q->assoc = IQ_ASSOC_IDLE;
	q->handoff = -1;
	q->next_try_ms = 0;
	if (q->net.tcp)
		iq_net_connect(&q->net, 0);
}
