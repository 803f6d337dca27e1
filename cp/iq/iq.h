/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq: the IMS-ALG's door into the access gateway, H.248 (ITU-T H.248.1
 * version 3, text encoding) as 3GPP TS 29.334 profiles it for the Iq
 * interface. turnpike-cp plays the media gateway: it registers with the
 * controllers of iq.mgc (ServiceChange), answers their transactions over
 * UDP or TCP (iq_net, iq_trans) and carries their commands out on the
 * same contexts as the operator API (cp/agw): one H.248 context is one
 * AGW context, one termination one leg. What dp reports of a context
 * goes back as Notify when the controller asked for it.
 */
#ifndef CP_IQ_H
#define CP_IQ_H

#include <stdint.h>

struct cp_ctx;
struct cp_iq;
struct json_object;

/* Iq's counters: name, help. */
#define IQ_STATS(X) \
	X(RX_MSGS, "messages_received", "H.248 messages read from the controllers") \
	X(RX_BAD, "messages_malformed", "Messages that did not parse, or of another version (answered 400-406)") \
	X(REQUESTS, "requests", "Transaction requests received, repeats included") \
	X(REQUESTS_REPEATED, "requests_repeated", "Repeats of a request already run, answered from memory or Pending") \
	X(REPLIES_SENT, "replies_sent", "Transaction replies sent (first time)") \
	X(ERRORS_SENT, "errors_sent", "Error descriptors sent") \
	X(PENDING_SENT, "pending_sent", "TransactionPending sent") \
	X(OVERLOAD, "requests_overload", "Requests refused 511 past iq.max_rate") \
	X(BEFORE_REGISTERED, "requests_before_registration", "Requests refused 505: no association") \
	X(COMMANDS, "commands", "Commands run") \
	X(REPLIES_RECEIVED, "replies_received", "Replies to our requests") \
	X(REPLIES_UNKNOWN, "replies_unknown", "Replies to nothing in flight (late, repeated)") \
	X(ACKS_RECEIVED, "response_acks_received", "TransactionResponseAck received") \
	X(ACKS_SENT, "response_acks_sent", "TransactionResponseAck sent") \
	X(REGISTRATIONS, "registrations", "ServiceChange accepted by a controller") \
	X(REGISTRATION_FAILURES, "registration_failures", "ServiceChange refused or unanswered") \
	X(ASSOC_LOST, "associations_lost", "Controllers lost once registered") \
	X(NOTIFY_SENT, "notifies_sent", "Notify requests sent") \
	X(NOTIFY_FAILED, "notifies_failed", "Notify requests not sent or never answered") \
	X(HEARTBEATS_SENT, "heartbeats_sent", "Notify of hangterm/thb (H.248.36) sent") \
	X(NOTIFY_QUEUED, "notifies_queued", "Notify of a leg's end kept until it could go (no association, requests at their bound)") \
	X(CONTEXTS_ADDED, "contexts_added", "Contexts made over Iq") \
	X(CONTEXTS_SUBTRACTED, "contexts_subtracted", "Contexts ended by W-Subtract over Iq")

enum iq_stat {
#define X(e, n, h) IQ_STAT_##e,
	IQ_STATS(X)
#undef X
	IQ_STAT__COUNT
};

/* Error codes counted one by one (a bounded label set for metrics; the
 * rest count as "other", the last). */
#define IQ_ERR_CODES(X) \
	X(400) X(403) X(406) X(411) X(413) X(421) X(422) X(430) X(433) X(434) \
	X(435) X(440) X(441) X(442) X(443) X(444) X(445) X(448) X(449) X(451) \
	X(472) X(473) X(474) X(500) X(501) X(503) X(505) X(510) X(511) X(515) \
	X(517) X(533) X(542)
enum {
#define X(c) IQ_ERR_##c,
	IQ_ERR_CODES(X)
#undef X
	IQ_ERR_OTHER,
	IQ_ERR__COUNT
};

/* What cp/metrics and status read: the first member of cp/iq's state, so
 * that it is read through cp->iq without the rest of cp/iq. */
struct cp_iq_counters {
	uint8_t assoc;                /* 0 idle, 1 registering, 2 registered */
	uint8_t mgc;                  /* with iq.mgc[mgc] */
	uint64_t stats[IQ_STAT__COUNT];
	uint64_t err[IQ_ERR__COUNT];
	uint64_t strangers;           /* datagrams from addresses not in iq.mgc */
	uint64_t resent;              /* our requests sent again */
	uint64_t gave_up;             /* our requests never answered */
};

/* The counters of cp's iq (NULL without an iq group). */
static inline const struct cp_iq_counters *
cp_iq_counters(const struct cp_iq *q)
{
	return (const struct cp_iq_counters *)(const void *)q;
}

/* The module (iq_module.c): set up when the configuration has an iq
 * group. */
extern const struct cp_module cp_iq_module;


#endif /* CP_IQ_H */
