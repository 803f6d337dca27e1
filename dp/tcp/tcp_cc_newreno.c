/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp congestion control: NewReno (RFC 5681 slow start and congestion
 * avoidance with RFC 3465's limit of one SMSS per ACK in slow start,
 * RFC 6582 for the window at the end of fast recovery). The stack itself
 * detects loss and inflates/deflates the window during recovery; this
 * file only says how the window grows and where it lands.
 */
#include "tcp_private.h"

#define CWND_MAX 0x3fffffffu

static void
newreno_init(struct tcp_stack *ts, struct tcp_conn *c)
{
	(void)ts;
	(void)c;
}

/* RFC 5681 §3.1 eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS). */
static uint32_t
newreno_ssthresh(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t half = tcp_flight(c) / 2;

	(void)ts;
	return half > 2u * tcp_smss(c) ? half : 2u * tcp_smss(c);
}

static void
newreno_cong_avoid(struct tcp_stack *ts, struct tcp_conn *c, uint32_t acked)
{
	uint32_t inc;

	(void)ts;
	if (c->cwnd < c->ssthresh) {
		/* §3.1 eq. 2, L = 1 SMSS (RFC 3465 §2.2). */
		inc = acked < tcp_smss(c) ? acked : tcp_smss(c);
	} else {
		/* §3.1 eq. 3: about one SMSS per RTT. */
		inc = (uint32_t)((uint64_t)tcp_smss(c) * tcp_smss(c) / c->cwnd);
		if (inc == 0)
			inc = 1;
	}
	c->cwnd = c->cwnd + inc > CWND_MAX ? CWND_MAX : c->cwnd + inc;
}

/* RFC 6582 §3.2 step 6, option (1):
 * min(ssthresh, max(FlightSize, SMSS) + SMSS). */
static void
newreno_recovered(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t f = tcp_flight(c) > tcp_smss(c) ? tcp_flight(c) : tcp_smss(c);

	f += tcp_smss(c);

	(void)ts;
	c->cwnd = c->ssthresh < f ? c->ssthresh : f;
}

const struct tcp_cc_ops tcp_cc_newreno = {
	.name = "newreno",
	.init = newreno_init,
	.ssthresh = newreno_ssthresh,
	.cong_avoid = newreno_cong_avoid,
	.recovered = newreno_recovered,
};
