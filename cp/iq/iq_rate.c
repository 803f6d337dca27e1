/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's rate limits (iq_rate.h): token buckets filled with the time
 * that passed, capped at one second's worth.
 */
#include "iq_rate.h"

/* b filled with the time since it last was, at rate a second up to cap
 * (full at first). */
static void
fill(struct iq_bucket *b, double rate, double cap, uint64_t now_ms)
{
	if (b->ms == 0) {
		b->tokens = cap;
		b->ms = now_ms;
	} else if (now_ms > b->ms) {
		b->tokens += (double)(now_ms - b->ms) * rate / 1000.0;
		if (b->tokens > cap)
			b->tokens = cap;
		b->ms = now_ms;
	}
}

/* One token of b (filled at rate a second up to cap, full at first),
 * if there is one. */
static bool
take(struct iq_bucket *b, double rate, double cap, uint64_t now_ms)
{
	fill(b, rate, cap, now_ms);
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

void
iq_rate_init(struct iq_rate *r, unsigned int rate)
{
	*r = (struct iq_rate){ .rate = rate >= 1 ? (double)rate : 1.0 };
}

enum iq_admit
iq_rate_admit(struct iq_rate *r, unsigned int peer, uint64_t now_ms)
{
	peer %= TP_CONF_MAX_IQ_MGCS;
	if (take(&r->msgs[peer], r->rate, r->rate, now_ms))
		return IQ_ADMIT_OK;
	return take(&r->refusals[peer], r->rate * IQ_REFUSALS_PER_TOKEN,
		    r->rate * IQ_REFUSALS_PER_TOKEN, now_ms) ? IQ_ADMIT_REFUSE : IQ_ADMIT_DROP;
}

bool
iq_rate_more(struct iq_rate *r, unsigned int peer, uint64_t now_ms)
{
	return take(&r->msgs[peer % TP_CONF_MAX_IQ_MGCS], r->rate, r->rate, now_ms);
}

void
iq_rate_charge(struct iq_rate *r, unsigned int peer, uint32_t n, uint64_t now_ms)
{
	struct iq_bucket *b = &r->msgs[peer % TP_CONF_MAX_IQ_MGCS];

	fill(b, r->rate, r->rate, now_ms);
	b->tokens -= (double)n;
}

bool
iq_rate_log(struct iq_rate *r, enum iq_log_kind kind, uint64_t now_ms, uint64_t *suppressed)
{
	unsigned int k = (unsigned int)kind % IQ_LOG__COUNT;

	if (!take(&r->log[k], 1.0, IQ_LOG_BURST, now_ms)) {
		r->log_suppressed[k]++;
		return false;
	}
	*suppressed = r->log_suppressed[k];
	r->log_suppressed[k] = 0;
	return true;
}
