/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a message to cp/iq costs before it is read: iq.max_rate, each
 * controller's own (a controller's budget is spent by what comes from its
 * address alone: another's host cannot starve it), a token per message
 * before parsing (the parse, the answers and the log
 * line are the work a flood would buy) and a token per request past a
 * message's first; a message over the rate is answered once at most, and
 * those answers are paced too; the log lines about what a controller
 * sends (a message that does not parse) are paced the same way. Where
 * a controller's source is not proven (UDP without iq.auth), what is sent
 * back costs more when it is larger than the message it answers
 * (cp_amp.h): iq_rate_charge().
 *
 * Pure: no socket, no clock of its own (every call takes now_ms).
 */
#ifndef CP_IQ_RATE_H
#define CP_IQ_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include "tp_conf_types.h"

/* A token bucket holding one second's worth of its rate. */
struct iq_bucket {
	double tokens;
	uint64_t ms;                  /* when it was last filled; 0: never */
};

/* The 511s for messages over the rate: this many times the rate (a
 * controller's burst past its rate still hears each refusal; a flood's
 * answers stay bounded). */
#define IQ_REFUSALS_PER_TOKEN 4u

/* Log lines: a burst of IQ_LOG_BURST, then one a second. */
#define IQ_LOG_BURST 5u

/* The kinds of log lines about what comes to iq.listen, each paced on
 * its own (one kind's flood does not silence another's). */
enum iq_log_kind {
	IQ_LOG_MALFORMED = 0,         /* a controller's message that does not parse */
	IQ_LOG_WRONG_PORT,            /* from another port of a controller's host */
	IQ_LOG_UNAUTH,                /* refused by iq.auth */
	IQ_LOG__COUNT
};

/* What to do with a message before it is parsed. */
enum iq_admit {
	IQ_ADMIT_OK = 0,              /* read it */
	IQ_ADMIT_REFUSE,              /* over the rate: answer its first request 511 */
	IQ_ADMIT_DROP,                /* over the rate, and over the refusals' too */
};

struct iq_rate {
	double rate;                  /* iq.max_rate, a second */
	/* by controller (iq.mgc's order): messages, and requests past a
	 * message's first; 511s sent for messages over the rate */
	struct iq_bucket msgs[TP_CONF_MAX_IQ_MGCS];
	struct iq_bucket refusals[TP_CONF_MAX_IQ_MGCS];
	struct iq_bucket log[IQ_LOG__COUNT];   /* log lines, by kind */
	uint64_t log_suppressed[IQ_LOG__COUNT];   /* lines not written since the last one */
};

/* rate: requests (and messages) a second, >= 1. */
void iq_rate_init(struct iq_rate *r, unsigned int rate);
/* A message from controller peer (an index of iq.mgc) arrived: read it,
 * refuse it or drop it. */
enum iq_admit iq_rate_admit(struct iq_rate *r, unsigned int peer, uint64_t now_ms);
/* One more request in a message admitted (its first is the message's
 * token): true when it may run. */
bool iq_rate_more(struct iq_rate *r, unsigned int peer, uint64_t now_ms);
/* n tokens more of controller peer's budget (a reply's cost past its
 * message's token, cp_amp.h): taken whatever it holds, into debt, so
 * that its messages wait until the debt is repaid. */
void iq_rate_charge(struct iq_rate *r, unsigned int peer, uint32_t n, uint64_t now_ms);
/* May a log line of kind about what came be written now? When it may,
 * *suppressed is how many of that kind were not since the last one. */
bool iq_rate_log(struct iq_rate *r, enum iq_log_kind kind, uint64_t now_ms,
		 uint64_t *suppressed);

#endif /* CP_IQ_RATE_H */
