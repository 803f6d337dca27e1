/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq internals shared by its files. Who calls whom, top down (no file
 * calls one above it; FEATURE.md draws it):
 *   iq_module.c  the module: sets the others up, serves iq_core
 *   iq_core.c    messages in, the loop
 *   iq_notify.c  the Notify of a leg's end and of heartbeats (cp/agw's
 *                observer)
 *   iq_cmd.c     the commands onto cp/agw, the replies that wait
 *   iq_assoc.c   the association and what goes to the controllers
 *   iq_term.c    names, a termination's memo and entry
 *   iq_props.c   the properties table
 *   iq_trans.c, iq_net.c, iq_rate.c   the transaction memory, the
 *                transport, the rate limits
 * How one of our requests ended goes up from iq_assoc.c to its sender
 * through q->req_end.
 */
#ifndef CP_IQ_INTERNAL_H
#define CP_IQ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agw/cp_agw.h"
#include "agw/cp_agw_types.h"
#include "h248.h"
#include "ipc_types.h"
#include "iq.h"
#include "iq_net.h"
#include "iq_rate.h"
#include "iq_trans.h"
#include "tp_conf_types.h"

struct cp_ctx;
struct cp_agw;
struct cp_agw_ctx;
struct ipc_agw_event;
struct ipc_rtp_event;
struct ipc_rtp_stats;

/*
 * What the controller asked of one termination: the Events (g/cause,
 * hangterm/thb, an RTP termination's inactivity and WebRTC events) with
 * their request id, and H.248.36's timerx. They live in
 * the termination's memo (struct ipc_agw_term), which dp keeps and gives
 * back to a restarted cp: the Notify of a leg's end still goes after cp
 * restarts, with no Modify from the controller.
 */
#define IQ_MEMO_CAUSE   0x01u         /* g/cause requested */
#define IQ_MEMO_THB     0x02u         /* hangterm/thb requested */
#define IQ_MEMO_TIMERX  0x04u         /* hangterm/timerx set (0: no heartbeat) */
#define IQ_MEMO_IPSTOP  0x08u         /* RTP: adid/ipstop requested (H.248.40) */
#define IQ_MEMO_ITO     0x10u         /* RTP: it/ito requested on the termination */
#define IQ_MEMO_ICE_CCR 0x20u         /* RTP: ice/ccr requested (the nominated pair) */
#define IQ_MEMO_ICE_CFL 0x40u         /* RTP: ice/cfl requested (consent lost) */
#define IQ_MEMO_DTLS_EST 0x80u        /* RTP: dtls/est requested */
#define IQ_MEMO_DTLS_FAIL 0x100u      /* RTP: dtls/fail requested */
#define IQ_MEMO_EVENTS  (IQ_MEMO_CAUSE | IQ_MEMO_THB | IQ_MEMO_IPSTOP | IQ_MEMO_ITO | \
			 IQ_MEMO_ICE_CCR | IQ_MEMO_ICE_CFL | IQ_MEMO_DTLS_EST | \
			 IQ_MEMO_DTLS_FAIL)
#define IQ_THB_DEFAULT_S 60u          /* timerx when the controller set none */
#define IQ_THB_SLICE    4096u         /* context slots a sweep step reads */
struct iq_memo {
	uint16_t flags;               /* IQ_MEMO_* */
	uint32_t rid;                 /* the Events descriptor's request id */
	uint32_t timerx_s;            /* hangterm/timerx, with IQ_MEMO_TIMERX */
};
void iq_memo_read(const uint8_t *raw, struct iq_memo *m);
void iq_memo_write(const struct iq_memo *m, uint8_t *raw);

/* What cp/iq keeps of one termination itself (iq_term.c), by its kind's
 * context slot and termination: for the termination of serial, whether
 * its end was told, and when its next heartbeat is due (0: from the next
 * sweep on); quiet, the serial of the last termination of the slot that
 * the controller subtracted (its end, reported later by dp, is not told:
 * the controller asked for it), kept while the context is the same. */
struct iq_ev {
	uint64_t id;                  /* the context (a slot is used again) */
	uint16_t serial;
	uint16_t quiet;
	bool told;
	uint64_t thb_due_ms;
};

/* A leg's end not told yet: the association was down, or our requests
 * in flight at their bound. Sent, oldest first, once they can go. */
struct iq_untold;
#define IQ_UNTOLD_MAX 1024u

/*
 * A Subtract whose reply waits for dp: the statistics a Subtract returns
 * are the leg's bytes as it left, which cp learns from dp's SUBTRACTED
 * (or, for the whole context, RELEASED) event. The transaction stays
 * executing meanwhile (a repeat is answered Pending).
 */
struct iq_defer {
	bool used;
	uint8_t peer;
	uint8_t src;                  /* where the request came from (q->net.src) */
	int8_t leg;                   /* -1: the whole context (W-Subtract=*) */
	uint16_t serial;
	uint32_t tid;
	uint32_t h248;
	uint64_t id;                  /* the AGW context */
	uint64_t due_ms;              /* answered with what cp knows by then */
	uint64_t dur_ms;
	uint64_t bytes_in, bytes_out; /* what cp knew at the Subtract */
	uint32_t in_len;              /* the request's message's octets (cp_amp.h) */
	char term[40];
	/* an RTP termination's (or context's) reply: its figures as cp
	 * knew them (st_known), or dp's final ones (SUBTRACTED, RELEASED) or
	 * its answer to cp_agw_rtp_stats() (audit: an AuditValue's) */
	bool rtp;
	bool audit;
	uint32_t req;                 /* audit: cp_agw_rtp_stats()'s request */
	struct ipc_rtp_stats st;
};
#define IQ_DEFER_MAX 64u
#define IQ_DEFER_MS 2000u

/*
 * A transaction's reply held until dp holds what its actions changed (an
 * Add's, a Modify's: cp/agw's cp_agw_when_held(); the Local descriptor's
 * port may be sent to at once). The transaction stays executing
 * meanwhile (a repeat is answered Pending, H.248.1 Annex D.1); the reply
 * is its reply when it goes, remembered for repeats then. As many as
 * cp/agw holds at most.
 */
struct iq_held {
	struct cp_iq *q;
	bool used;
	uint8_t peer;
	uint8_t src;                  /* where the request came from (q->net.src) */
	uint32_t tid;
	uint32_t in_len;              /* the request's message's octets (cp_amp.h) */
	uint32_t len;
	char *reply;                  /* malloc'd */
};
#define IQ_HELD_MAX CP_AGW_HOLD_MAX

/* The message what is sent back answers (iq_answering()): its octets,
 * what was sent back for it so far, whether it came past the rate, when. */
struct iq_answer {
	size_t len, sent;
	bool over;
	uint64_t ms;
};

/* One action's state while it runs (iq_cmd.c). */
struct iq_action;
#define IQ_ACTION_SIZE 32768u

/* Nodes one message may take (a context's Add with its SDP is ~60). */
#define IQ_NODES 4096u

/* ResponseAck ranges one message may ack, a wide one counting as
 * IQ_ACK_WIDE_COST (it walks every reply kept) */
#define IQ_ACK_RANGES_MAX 64u
#define IQ_ACK_WIDE_COST  16u

/* Cookies of our requests (iq_trans): what a reply answers. */
#define IQ_COOKIE_SC       1u
#define IQ_COOKIE_NOTIFY   2u         /* it/ito, hangterm/thb */
/* a leg's end (g/cause): IQ_COOKIE_END + its place in cp_iq.inflight,
 * so that one never answered goes again, to the next controller */
#define IQ_COOKIE_END      0x100u
#define IQ_INFLIGHT_MAX    256u       /* iq_trans's requests of ours */

/* H.248's version the profile requires (the profile's name: iq.profile). */
#define IQ_VERSION         3u

enum iq_assoc {
	IQ_ASSOC_IDLE = 0,        /* not registered, next attempt at next_try_ms */
	IQ_ASSOC_REGISTERING,     /* ServiceChange sent to mgc[cur], no reply yet */
	IQ_ASSOC_UP,              /* registered with mgc[cur] */
};

struct cp_iq {
	/* first: what cp/metrics reads (iq.h) */
	struct cp_iq_counters ctr;
	const struct tp_conf_iq *conf;
	struct iq_net net;
	struct iq_trans trans;
	/* the association */
	uint8_t assoc;                /* enum iq_assoc */
	bool started;                 /* the first ServiceChange went */
	/* the next ServiceChange's method and reason (H.248.1 §11: Restart
	 * 901 Cold Boot or 902 Warm Boot at start, Failover 909 to the next
	 * controller, Disconnected 900 back to the same, HandOff 903) */
	const char *sc_method, *sc_reason;
	int handoff;                  /* a controller's HandOff to this one (-1 none) */
	unsigned int cur;             /* the controller tried or registered with */
	uint32_t sc_tid;              /* our ServiceChange in flight */
	uint64_t next_try_ms;
	unsigned int failures;        /* attempts in a row that failed */
	/* iq.max_rate: what a message costs before it is read (iq_rate.h) */
	struct iq_rate rate;
	/* the message being answered (iq_answering()) */
	struct iq_answer ans;
	/* the controller's inactivity timer (H.248.14 it/ito on ROOT): 0 off */
	uint32_t mit_ms;
	uint32_t it_rid;              /* the Events descriptor's request id */
	uint64_t last_rx_ms;
	uint64_t thb_sweep_ms;        /* the next hangterm sweep */
	/* Subtracts waiting for their statistics (IQ_DEFER) */
	struct iq_defer defer[IQ_DEFER_MAX];
	/* replies waiting for dp (IQ_HELD_MAX) */
	struct iq_held *held;
	/* how a request of ours other than the ServiceChange ended (iq_notify.c
	 * sets it): answered, or given up / dropped with its controller */
	void (*req_end)(struct cp_iq *q, uint64_t cookie, bool answered);
	/* what cp/iq keeps per context slot and leg (2 per slot, iq_term.c) */
	struct cp_agw *agw;
	/* who cp/iq is to cp/agw: the Iq door with iq.tenant, so that the
	 * association sees the contexts it made, never the JSON door's nor
	 * another tenant's (they are 411 to it, as unknown ones) */
	struct cp_agw_caller who;
	struct iq_ev *ev[CP_AGW_KINDS];   /* by kind: 2 per slot of its table */
	size_t nev[CP_AGW_KINDS];
	/* RTP contexts: each slot's id as last seen (a ContextID's generation
	 * past what it can hold is found here), nworkers * media_contexts */
	uint64_t *rtp_ids;
	size_t nrtp;
	struct iq_untold *untold;     /* IQ_UNTOLD_MAX, a ring */
	unsigned int untold_head, untold_n;
	struct iq_untold *inflight;   /* IQ_INFLIGHT_MAX: ends sent, not answered */
	bool *inflight_used;
	uint8_t thb_kind;             /* where the hangterm sweep goes on: */
	size_t thb_cursor;            /* that kind's table, at that slot */
	/* scratch: one action's commands, one message in, one out */
	_Alignas(16) unsigned char act[IQ_ACTION_SIZE];
	struct h248_node nodes[IQ_NODES];
	char rx[IQ_MSG_MAX + 1];
	char tx[IQ_MSG_MAX];
};

/* The iq of cp (NULL without an iq group). */
struct cp_iq *iq_of(const struct cp_ctx *cp);

/* iq_core.c */
int iq_core_init(struct cp_ctx *cp, struct cp_iq *q, char *err, size_t errlen);
void iq_core_fini(struct cp_iq *q);
/* Read and answer what arrived, run timers: the work done. */
unsigned int iq_core_serve(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms);

/* iq_assoc.c: the association (after iq_net and iq_trans are open). */
void iq_assoc_init(struct cp_iq *q);
const char *iq_assoc_name(uint8_t s);
/* A reply to a request of ours (the ServiceChange, a Notify). */
void iq_assoc_reply(struct cp_iq *q, const struct h248_tree *t, const struct h248_trans *tr,
		    unsigned int peer, uint64_t now_ms);
/* TCP: the connection to the controller was lost; connect again when
 * none is up or under way. */
void iq_assoc_conn_lost(struct cp_iq *q, uint64_t now_ms);
void iq_assoc_tcp_retry(struct cp_iq *q, uint64_t now_ms);
/* A HandOff answered, cp ready to register, the controller quiet too long
 * (it/ito): the association moves. */
void iq_assoc_move(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms);
/* Our requests repeated or given up, the ServiceChange sent when due:
 * the work done. */
unsigned int iq_assoc_due(struct cp_iq *q, uint64_t now_ms);
/* The controller's ServiceChange HandOff to mid[0..len) (one of iq.mgc):
 * the association moves once the reply went. 0 or -ENOENT. */
int iq_handoff(struct cp_iq *q, const char *mid, size_t len, uint64_t now_ms);

/* iq_assoc.c, what goes out. Count an error code sent. */
void iq_count_error(struct cp_iq *q, unsigned int code);
/* The message these answer (iq_answering()): what is sent back for it
 * costs its controller's budget by its size (cp_amp.h) where the source
 * is not proven (UDP without iq.auth), and past the rate (over) only a
 * refusal no longer than it goes. */
void iq_answering(struct cp_iq *q, size_t len, bool over, uint64_t now_ms);
/* To whoever sent a request, controller peer from its source src (an
 * index of q->net.src: where the request came from, always a configured
 * address): msg, a Pending, a whole message answering request tid (0:
 * the message) with an error (remember: kept for its repeats), the reply
 * in q->tx[0..len) (kept for its repeats). iq_send_to() returns 0, or
 * -EMSGSIZE (a refusal past the rate longer than its message: not sent)
 * or what iq_net_send() does. */
int iq_send_to(struct cp_iq *q, unsigned int src, const char *msg, size_t len);
void iq_send_pending(struct cp_iq *q, unsigned int src, uint32_t tid);
void iq_send_error(struct cp_iq *q, unsigned int peer, unsigned int src, uint32_t tid,
		   unsigned int code, const char *text, uint64_t now_ms, bool remember);
void iq_send_reply(struct cp_iq *q, unsigned int peer, unsigned int src, uint32_t tid,
		   size_t len, uint64_t now_ms);
/* Send a request of ours (a Notify) to the registered controller: body
 * writes its actions into the message (the header and the Transaction
 * are written around them); repeated until answered, its end told
 * through q->req_end. 0 or -errno (-ENOTCONN: no association). */
int iq_send_request(struct cp_ctx *cp, struct cp_iq *q,
		    void (*body)(struct h248_w *w, const void *arg), const void *arg,
		    uint64_t cookie, uint64_t now_ms);

/*
 * What running a command (and the action holding it) comes to, as a
 * megaco user answers a request or says {pending, ReqData}:
 *  - IQ_FAIL: it failed; the action's ErrorDescriptor says why and the
 *    transaction stops there (H.248.1 §8.2.2);
 *  - IQ_DONE: its reply is written;
 *  - IQ_DEFER: its reply waits for what dp has yet to tell (a Subtract's
 *    statistics): the struct iq_defer the caller gave is filled, the reply
 *    written so far is not sent, and the transaction stays executing (a
 *    repeat is answered Pending) until its reply goes (iq_defer_event(),
 *    iq_defer_due()).
 * IQ_FAIL is -1, what the helpers of a command return on failure.
 */
enum iq_run {
	IQ_FAIL = -1,
	IQ_DONE = 0,
	IQ_DEFER = 1,
};

/*
 * iq_cmd.c: one action of a request (Context=<id>{...}): its commands
 * carried out, their replies written into w (the Context item included;
 * an error as the action's ErrorDescriptor, after the replies of the
 * commands that ran). defer: where a command may leave its reply waiting
 * (NULL: none may; the caller gives one when the request is that one
 * command).
 */
enum iq_run iq_cmd_action(struct cp_ctx *cp, struct cp_iq *q, const struct h248_tree *t,
			  const struct h248_node *action, struct h248_w *w,
			  struct iq_defer *defer, uint64_t now_ms);

/* iq_cmd.c: an RTP event (cp/agw's RTP observer): a waiting Subtract's
 * final figures. */
void iq_defer_rtp_event(struct cp_iq *q, const struct cp_agw_ctx *c,
			const struct ipc_rtp_event *e, uint64_t now_ms);

/* iq_cmd.c: the replies that wait (IQ_DEFER). A cp/agw event: a
 * waiting Subtract's statistics came (the event's bytes); the time is up:
 * the reply goes with what cp knew. */
void iq_defer_event(struct cp_iq *q, const struct cp_agw_ctx *c, const struct ipc_agw_event *e,
		    uint64_t now_ms);
void iq_defer_due(struct cp_iq *q, uint64_t now_ms);

/* iq_term.c: the entries by context slot and leg (set up after cp/agw). */
int iq_term_init(struct cp_ctx *cp, struct cp_iq *q);
void iq_term_fini(struct cp_iq *q);
/* The H.248 ContextID of AGW context id (the same after cp restarts),
 * and back (NULL: none, being released, or not the association's: made
 * by another door or for another tenant than q->who). */
uint32_t iq_ctx_h248(const struct cp_agw *g, uint64_t id);
struct cp_agw_ctx *iq_ctx_of_h248(struct cp_iq *q, uint32_t h);
/* RTP contexts' ContextIDs: IQ_RTP_CTX_BASE and above (TCP's below).
 * iq_rtp_ctx_of_h248(): NULL as iq_ctx_of_h248()'s. */
#define IQ_RTP_CTX_BASE 0x80000000u
uint32_t iq_rtp_ctx_h248(const struct cp_ctx *cp, uint64_t id);
struct cp_agw_ctx *iq_rtp_ctx_of_h248(struct cp_ctx *cp, struct cp_iq *q, uint32_t h);
/* An RTP context's id seen (made, an event), or gone (id 0 at its slot). */
void iq_rtp_seen(struct cp_iq *q, uint64_t id, bool gone);
/*
 * A termination t (0 or 1) of context c, of either kind: whether the slot
 * holds one (a TCP leg not empty, an RTP termination), its serial (0:
 * none), its memo (IPC_AGW_MEMO_LEN bytes, both kinds'), its
 * TerminationID ("tcp/<leg>/<serial>", "rtp/<term>/<serial>"); and c's
 * ContextID (iq_ctx_h248() or iq_rtp_ctx_h248(), g being cp/agw).
 */
bool iq_term_held(const struct cp_agw_ctx *c, unsigned int t);
uint16_t iq_term_serial(const struct cp_agw_ctx *c, unsigned int t);
const uint8_t *iq_term_memo(const struct cp_agw_ctx *c, unsigned int t);
void iq_term_name(const struct cp_agw_ctx *c, unsigned int t, char *buf, size_t size);
uint32_t iq_h248_of(const struct cp_agw *g, const struct cp_agw_ctx *c);
/* The TerminationID of the termination of serial that was in c's slot t
 * (one gone from it). */
void iq_term_name_of(const struct cp_agw_ctx *c, unsigned int t, uint16_t serial, char *buf,
		     size_t size);
/* c's termination t's entry, made anew when the slot holds another
 * termination than the one it was about (NULL: none).
 * iq_events_touch(): a command named it (its heartbeat timer starts
 * again); iq_events_silence(): the controller subtracted the termination
 * of serial in slot t (its end is not to be told). */
struct iq_ev *iq_term_entry(struct cp_iq *q, const struct cp_agw_ctx *c, unsigned int t);
void iq_events_touch(struct cp_iq *q, const struct cp_agw_ctx *c, unsigned int t);
void iq_events_silence(struct cp_iq *q, const struct cp_agw_ctx *c, unsigned int t,
		       uint16_t serial);

/* iq_notify.c: set up after iq_term. iq_hangterm_sweep(): the heartbeats
 * due (H.248.36 hangterm/thb) in the next IQ_THB_SLICE slots, true when
 * it went round. */
int iq_notify_init(struct cp_ctx *cp, struct cp_iq *q);
void iq_notify_fini(struct cp_iq *q);
bool iq_hangterm_sweep(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms);
/* The untold ends, while they can go. */
void iq_notify_retry(struct cp_ctx *cp, struct cp_iq *q, uint64_t now_ms);

#endif /* CP_IQ_INTERNAL_H */
