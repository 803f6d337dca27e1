/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's Notify: what the controller asked to hear of a termination
 * (g/cause in its Events descriptor, with a request id) and, once dp
 * reports its end, the Notify that says why (H.248.1 E.1 g/cause:
 * Generalcause and Failurecause, the cause's name and dp's sentence);
 * H.248.36's heartbeats; an RTP termination's media silence (adid/ipstop,
 * it/ito) and its WebRTC events (ice/ccr, ice/cfl, dtls/est, dtls/fail). One code for a TCP leg and an RTP termination: iq_term.c says
 * where a termination's memo, serial and name are. cp/agw calls us for
 * every event of either kind (cp_agw_observe()); what was asked lives in
 * the termination's memo (for one gone from its slot, in what cp/agw keeps
 * of it), whether it was told in its entry (iq_term.c). An end not
 * answered is kept and told again, to the next controller if need be
 * (q->req_end, which the association calls).
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "iq_internal.h"
#include "tp_log.h"

/* H.248.1 E.1's Generalcause for a leg's end. */
static const char *
general_cause(uint8_t cause)
{
	switch (cause) {
	case IPC_AGW_FIN:
	case IPC_AGW_CLOSE_NOTIFY:
	case IPC_AGW_CONTROLLER:
		return "NR";     /* Normal Release */
	case IPC_AGW_TLS_HANDSHAKE:
	case IPC_AGW_TLS_ALERT:
	case IPC_AGW_TLS_ERROR:
		return "FP";     /* Failure, Permanent: the same peer fails again */
	case IPC_AGW_NO_MEMORY:
	case IPC_AGW_SETUP_FAILED:
		return "UR";     /* Unavailable Resources */
	default:
		return "FT";     /* Failure, Temporary */
	}
}

static const char *
cause_name(uint8_t cause)
{
	switch (cause) {
#define IPC_AGW_CAUSE(e, v, name, help) case v: return name;
#include "ipc_agw_causes.def"
#undef IPC_AGW_CAUSE
	default:
		return "unknown";
	}
}

struct notify_arg {
	uint32_t h248;
	char term[40];
	uint32_t rid;
	uint8_t cause;
	time_t when;
	char detail[IPC_AGW_DETAIL_MAX];
};

struct iq_untold {
	struct notify_arg n;
};

static void
notify_body(struct h248_w *w, const void *arg)
{
	const struct notify_arg *n = arg;
	char fc[IPC_AGW_DETAIL_MAX + 40], ts[32], gc[8];
	struct tm tm;

	/* (when the leg ended: a Notify that waited says so) */
	gmtime_r(&n->when, &tm);
	/* H.248.1 Annex B TimeStamp: Date "T" Time (yyyymmdd, hhmmssss) */
	if (strftime(ts, sizeof(ts), "%Y%m%dT%H%M%S00", &tm) != 17)
		snprintf(ts, sizeof(ts), "20000101T00000000");
	snprintf(fc, sizeof(fc), "%s%s%s", cause_name(n->cause), n->detail[0] ? ": " : "",
		 n->detail);
	snprintf(gc, sizeof(gc), "%s", general_cause(n->cause));
	h248_w_context(w, n->h248);
	h248_w_open(w, H248_TOK_NOTIFY, n->term);
	h248_w_open_u32(w, H248_TOK_OBSERVEDEVENTS, n->rid);
	h248_w_open_observed(w, ts, "g/cause");
	h248_w_item_name(w, "Generalcause", '=', gc);
	h248_w_item_name_quoted(w, "Failurecause", fc);
	h248_w_close(w);
	h248_w_close(w);
	h248_w_close(w);
	h248_w_close(w);
}

static void queue_end(struct cp_iq *q, const struct notify_arg *n);

/* Send a leg's end, kept in a place of its own until it is answered
 * (notify_done()). 0, or -errno (nothing kept). */
static int
send_end(struct cp_ctx *cp, struct cp_iq *q, const struct notify_arg *n, uint64_t now_ms)
{
	unsigned int i;
	int rc;

	for (i = 0; i < IQ_INFLIGHT_MAX && q->inflight_used[i]; i++)
		;
	if (i == IQ_INFLIGHT_MAX)
		return -ENOSPC;
	rc = iq_send_request(cp, q, notify_body, n, IQ_COOKIE_END + i, now_ms);
	if (rc < 0)
		return rc;
	q->inflight[i].n = *n;
	q->inflight_used[i] = true;
	q->ctr.stats[IQ_STAT_NOTIFY_SENT]++;
	return 0;
}

/*
 * Termination t of c, of either kind, the one of serial (the slot's, or
 * one gone from it: cp/agw keeps its memo) ended with cause (dp's
 * sentence detail): the Notify g/cause, when its Events asked for it
 * (memo), unless the controller subtracted it itself or it was told
 * already.
 */
static void
tell(struct cp_ctx *cp, struct cp_iq *q, const struct cp_agw_ctx *c, unsigned int t,
     uint16_t serial, const uint8_t *memo, uint8_t cause, const char *detail)
{
	struct iq_ev *e = iq_term_entry(q, c, t);
	bool cur = serial == iq_term_serial(c, t);
	struct iq_memo m;
	struct notify_arg n;
	int rc;

	iq_memo_read(memo, &m);
	if (e == NULL || !(m.flags & IQ_MEMO_CAUSE) || e->quiet == serial || (cur && e->told))
		return;
	if (cur)
		e->told = true;
	memset(&n, 0, sizeof(n));
	n.h248 = iq_h248_of(q->agw, c);
	iq_term_name_of(c, t, serial, n.term, sizeof(n.term));
	n.rid = m.rid;
	n.cause = cause;
	n.when = time(NULL);
	snprintf(n.detail, sizeof(n.detail), "%s", detail != NULL ? detail : "");
	/* after those waiting, never before them */
	rc = q->untold_n > 0 ? -EAGAIN : send_end(cp, q, &n, cp->now_ms);
	if (rc == 0)
		return;
	queue_end(q, &n);
}

/* Keep n to be told when it can (oldest first); a full queue drops it. */
static void
queue_end(struct cp_iq *q, const struct notify_arg *n)
{
	if (q->untold_n == IQ_UNTOLD_MAX) {
		q->ctr.stats[IQ_STAT_NOTIFY_FAILED]++;
		tp_log(TP_LOG_WARNING, "iq: Notify of %s in context %" PRIu32 " dropped: %u "
		       "others wait to be sent", n->term, n->h248, IQ_UNTOLD_MAX);
		return;
	}
	q->untold[(q->untold_head + q->untold_n++) % IQ_UNTOLD_MAX].n = *n;
	q->ctr.stats[IQ_STAT_NOTIFY_QUEUED]++;
}

/* q->req_end: a request of ours was answered (answered true: a reply,
 * even an error) or never will be (given up, or dropped with its
 * controller): a leg's end never answered is told again. */
static void
notify_done(struct cp_iq *q, uint64_t cookie, bool answered)
{
	unsigned int i = (unsigned int)(cookie - IQ_COOKIE_END);

	if (cookie < IQ_COOKIE_END || i >= IQ_INFLIGHT_MAX || q->inflight == NULL ||
	    !q->inflight_used[i])
		return;
	q->inflight_used[i] = false;
	if (!answered)
		queue_end(q, &q->inflight[i].n);
}

void
iq_notify_retry(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms)
{
	(void)cp;
	while (q->untold_n > 0) {
		const struct notify_arg *n = &q->untold[q->untold_head].n;

		if (send_end(cp, q, n, now_ms) < 0)
			return;
		q->untold_head = (q->untold_head + 1u) % IQ_UNTOLD_MAX;
		q->untold_n--;
	}
}

/* cp/agw's observer: a leg that ended, or the context (its legs not told
 * yet are told with the context's cause). */
static void
on_event(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *ev, void *arg)
{
	const struct ipc_agw_event *e = ev;
	struct cp_iq *q = arg;

	/* (the association hears of its own contexts only) */
	if (!cp_agw_caller_sees(&q->who, c))
		return;
	iq_defer_event(q, c, e, cp->now_ms);
	/* (a late LEG_DOWN of a subtracted termination is not the end of
	 * the one in its slot now) */
	if (e->type == IPC_AGW_EV_LEG_DOWN && e->leg < 2 &&
	    e->serial == c->tcp.term[e->leg].serial) {
		tell(cp, q, c, e->leg, e->serial, c->tcp.term[e->leg].memo, e->cause, e->detail);
	} else if (e->type == IPC_AGW_EV_RELEASED) {
		for (unsigned int leg = 0; leg < 2; leg++)
			if (c->tcp.term[leg].tcp_role != 0)
				tell(cp, q, c, leg, c->tcp.term[leg].serial, c->tcp.term[leg].memo,
				     e->cause, e->detail);
	}
}

/* An RTP termination's event other than its end: its media inactivity
 * (H.248.40 adid/ipstop, or it/ito named on the termination), and
 * WebRTC's (ice/ccr, ice/cfl, dtls/est, dtls/fail: iq_events.def), each
 * with up to three parameters (quoted: their values hold ':' and
 * spaces). */
#define OBS_PARMS 3u
struct obs_arg {
	uint32_t h248;
	char term[40];
	uint32_t rid;
	const char *event;
	unsigned int nparm;
	struct {
		const char *name;
		char value[IPC_RTP_DETAIL_MAX + 8];
	} parm[OBS_PARMS];
};

static void
obs_body(struct h248_w *w, const void *arg)
{
	const struct obs_arg *n = arg;

	h248_w_context(w, n->h248);
	h248_w_open(w, H248_TOK_NOTIFY, n->term);
	h248_w_open_u32(w, H248_TOK_OBSERVEDEVENTS, n->rid);
	if (n->nparm == 0) {
		h248_w_observed(w, NULL, n->event);
	} else {
		h248_w_open_observed(w, NULL, n->event);
		for (unsigned int k = 0; k < n->nparm; k++)
			h248_w_item_name_quoted(w, n->parm[k].name, n->parm[k].value);
		h248_w_close(w);
	}
	h248_w_close(w);
	h248_w_close(w);
	h248_w_close(w);
}

static void __attribute__((format(printf, 3, 4)))
obs_parm(struct obs_arg *n, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (n->nparm == OBS_PARMS)
		return;
	n->parm[n->nparm].name = name;
	va_start(ap, fmt);
	vsnprintf(n->parm[n->nparm].value, sizeof(n->parm[n->nparm].value), fmt, ap);
	va_end(ap);
	n->nparm++;
}

/* "192.0.2.7:5004", "[2001:db8::7]:5004". */
static void
addr_text(const struct ipc_addr *a, char *out, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip));
	snprintf(out, size, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, a->port);
}

/* Which event of a termination's memo an RTP event is, and its
 * parameters; NULL: none asked, or none of these. */
static const char *
rtp_observed(const struct cp_agw_ctx *c, const struct ipc_rtp_event *e, const struct iq_memo *m,
	     struct obs_arg *n)
{
	char a[INET6_ADDRSTRLEN + 8];

	switch (e->type) {
	case IPC_RTP_EV_INACTIVE:
		if (m->flags & IQ_MEMO_IPSTOP)
			return "adid/ipstop";
		return (m->flags & IQ_MEMO_ITO) ? "it/ito" : NULL;
	case IPC_RTP_EV_NOMINATED:
		/* (the RTP flow's: with rtcp-mux, the only one) */
		if (!(m->flags & IQ_MEMO_ICE_CCR) || e->rtcp)
			return NULL;
		addr_text(&e->addr, a, sizeof(a));
		obs_parm(n, "addr", "%s", a);
		return "ice/ccr";
	case IPC_RTP_EV_CONSENT_LOST:
		if (!(m->flags & IQ_MEMO_ICE_CFL) || e->rtcp)
			return NULL;
		addr_text(&e->addr, a, sizeof(a));
		obs_parm(n, "addr", "%s", a);
		obs_parm(n, "ms", "%" PRIu32, e->silent_ms);
		return "ice/cfl";
	case CP_AGW_RTP_EV_DTLS_UP: {
		const struct cp_agw_rtp_dtls_st *ds = &c->rtp.dtls[e->term];

		if (!(m->flags & IQ_MEMO_DTLS_EST))
			return NULL;
		obs_parm(n, "role", "%s", ds->role == IPC_RTP_DTLS_CLIENT ? "client" : "server");
		obs_parm(n, "profile", "%s", cp_agw_rtp_dtls_profile_name(ds->profile));
		return "dtls/est";
	}
	case CP_AGW_RTP_EV_DTLS_FAILED:
		if (!(m->flags & IQ_MEMO_DTLS_FAIL))
			return NULL;
		obs_parm(n, "detail", "%.*s", (int)strnlen(e->detail, sizeof(e->detail)),
			 e->detail);
		return "dtls/fail";
	default:
		return NULL;
	}
}

/* cp/agw's RTP observer: the ids seen (ContextIDs back after a slot's
 * generations wrapped), a waiting Subtract's final figures, the end of a
 * termination (g/cause: one dp refused, c->rtp.gone[] its memo; or the
 * context's end, its terminations' causes), the Notify of an event its
 * Events asked for (inactivity, WebRTC's). */
static void
on_rtp_event(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *ev, void *arg)
{
	const struct ipc_rtp_event *e = ev;
	struct cp_iq *q = arg;
	struct obs_arg n;
	struct iq_memo m;

	if (!cp_agw_caller_sees(&q->who, c))
		return;
	iq_rtp_seen(q, c->id, e->type == IPC_RTP_EV_RELEASED);
	iq_defer_rtp_event(q, c, e, cp->now_ms);
	if (e->type == IPC_RTP_EV_SUBTRACTED && e->term <= 1 &&
	    c->rtp.gone[e->term].serial == e->serial) {
		tell(cp, q, c, e->term, e->serial, c->rtp.gone[e->term].memo, e->cause, e->detail);
		return;
	}
	if (e->type == IPC_RTP_EV_RELEASED) {
		for (unsigned int t = 0; t < 2; t++)
			if (iq_term_held(c, t))
				tell(cp, q, c, t, iq_term_serial(c, t), iq_term_memo(c, t), e->cause,
				     e->detail);
		return;
	}
	if (e->term > 1 || e->serial != c->rtp.term[e->term].serial)
		return;
	iq_memo_read(c->rtp.term[e->term].memo, &m);
	memset(&n, 0, sizeof(n));
	n.event = rtp_observed(c, e, &m, &n);
	if (n.event == NULL)
		return;
	n.h248 = iq_h248_of(q->agw, c);
	iq_term_name(c, e->term, n.term, sizeof(n.term));
	n.rid = m.rid;
	if (iq_send_request(cp, q, obs_body, &n, IQ_COOKIE_NOTIFY, cp->now_ms) < 0) {
		q->ctr.stats[IQ_STAT_NOTIFY_FAILED]++;
		return;
	}
	q->ctr.stats[IQ_STAT_NOTIFY_SENT]++;
}

/* H.248.36's heartbeat of one termination: "I still hold it", so that a
 * controller that lost track of it subtracts it. */
struct thb_arg {
	uint32_t h248;
	char term[40];
	uint32_t rid;
};

static void
thb_body(struct h248_w *w, const void *arg)
{
	const struct thb_arg *n = arg;

	h248_w_context(w, n->h248);
	h248_w_open(w, H248_TOK_NOTIFY, n->term);
	h248_w_open_u32(w, H248_TOK_OBSERVEDEVENTS, n->rid);
	h248_w_observed(w, NULL, "hangterm/thb");
	h248_w_close(w);
	h248_w_close(w);
	h248_w_close(w);
}

/* The heartbeats due in the contexts [from, end) of kind's table. */
static void
thb_slots(struct cp_ctx *cp, struct cp_iq *q, const struct cp_agw_table *t, size_t from,
	  size_t end, uint64_t now_ms)
{
	for (size_t i = from; i < end; i++) {
		const struct cp_agw_ctx *c = &t->ctx[i];

		if (c->id == 0 || c->state == CP_AGW_RELEASING || !cp_agw_caller_sees(&q->who, c))
			continue;
		for (unsigned int k = 0; k < 2; k++) {
			struct iq_memo m;
			struct iq_ev *e;
			struct thb_arg a;
			uint64_t period;

			if (!iq_term_held(c, k))
				continue;
			iq_memo_read(iq_term_memo(c, k), &m);
			if (!(m.flags & IQ_MEMO_THB) ||
			    ((m.flags & IQ_MEMO_TIMERX) && m.timerx_s == 0) ||
			    (e = iq_term_entry(q, c, k)) == NULL)
				continue;
			period = (uint64_t)((m.flags & IQ_MEMO_TIMERX) ? m.timerx_s :
					    IQ_THB_DEFAULT_S) * 1000u;
			if (e->thb_due_ms == 0 || e->thb_due_ms > now_ms + period) {
				e->thb_due_ms = now_ms + period;
				continue;
			}
			if (now_ms < e->thb_due_ms)
				continue;
			e->thb_due_ms = now_ms + period;
			memset(&a, 0, sizeof(a));
			a.h248 = iq_h248_of(q->agw, c);
			iq_term_name(c, k, a.term, sizeof(a.term));
			a.rid = m.rid;
			if (iq_send_request(cp, q, thb_body, &a, IQ_COOKIE_NOTIFY, now_ms) < 0) {
				q->ctr.stats[IQ_STAT_NOTIFY_FAILED]++;
				continue;
			}
			q->ctr.stats[IQ_STAT_HEARTBEATS_SENT]++;
		}
	}
}

bool
iq_hangterm_sweep(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms)
{
	const struct cp_agw *g = q->agw;
	unsigned int kind = q->thb_kind < CP_AGW_KINDS ? q->thb_kind : 0;
	const struct cp_agw_table *t = &g->tab[kind];
	size_t n = (size_t)g->nworkers * t->per_worker;
	size_t end = q->thb_cursor + IQ_THB_SLICE < n ? q->thb_cursor + IQ_THB_SLICE : n;

	/* (every kind's table in turn, IQ_THB_SLICE slots a step) */
	if (t->ctx != NULL && q->thb_cursor < end)
		thb_slots(cp, q, t, q->thb_cursor, end, now_ms);
	if (end < n) {
		q->thb_cursor = end;
		return false;
	}
	q->thb_cursor = 0;
	q->thb_kind = (uint8_t)((kind + 1u) % CP_AGW_KINDS);
	return q->thb_kind == 0;
}

/* agw.show's and agw.list's "h248": the ContextID and TerminationIDs the
 * controller knows the context by. */
static void
names(const struct cp_agw_ctx *c, struct json_object *o, void *arg)
{
	struct cp_iq *q = arg;
	struct json_object *h = json_object_new_object(), *terms = json_object_new_array();

	json_object_object_add(h, "context", json_object_new_int64(iq_h248_of(q->agw, c)));
	for (unsigned int t = 0; t < 2; t++) {
		char name[40];

		if (!iq_term_held(c, t)) {
			json_object_array_add(terms, NULL);
			continue;
		}
		iq_term_name(c, t, name, sizeof(name));
		json_object_array_add(terms, json_object_new_string(name));
	}
	json_object_object_add(h, "terminations", terms);
	json_object_object_add(o, "h248", h);
}

int
iq_notify_init(struct cp_ctx *cp, struct cp_iq *q)
{
	int rc;

	q->untold = calloc(IQ_UNTOLD_MAX, sizeof(*q->untold));
	q->inflight = calloc(IQ_INFLIGHT_MAX, sizeof(*q->inflight));
	q->inflight_used = calloc(IQ_INFLIGHT_MAX, sizeof(*q->inflight_used));
	if (q->untold == NULL || q->inflight == NULL || q->inflight_used == NULL)
		return -ENOMEM;
	q->req_end = notify_done;
	cp_agw_names(cp, CP_AGW_DOOR_IQ, names, q);
	/* (-ENODEV: no RTP contexts in this cp, no agw.media_ports) */
	rc = cp_agw_observe(cp, CP_AGW_KIND_RTP, on_rtp_event, q);
	if (rc < 0 && rc != -ENODEV)
		return rc;
	return cp_agw_observe(cp, CP_AGW_KIND_TCP, on_event, q);
}

void
iq_notify_fini(struct cp_iq *q)
{
	free(q->untold);
	free(q->inflight);
	free(q->inflight_used);
	q->untold = NULL;
	q->inflight = NULL;
	q->inflight_used = NULL;
	q->untold_n = 0;
}
