/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp congestion control: CUBIC (RFC 9438). The window follows
 * W_cubic(t) = C (t - K)^3 + W_max (§4.2, C = 0.4, t in seconds since the
 * congestion event), aiming one RTT ahead and growing at most by half per
 * RTT (§4.4, §4.5); a Reno-friendly estimate W_est (§4.3, alpha =
 * 3 (1 - beta) / (1 + beta)) takes over where CUBIC would be slower than
 * Reno; on congestion the window shrinks to beta = 0.7 of itself and
 * W_max remembers where it was, lowered further when the last event came
 * before reaching it (fast convergence, §4.7). Slow start is Reno's
 * (no HyStart++). Windows are counted in segments of SMSS, as the RFC
 * does, in double precision: this runs once per ACK, in user space.
 */
#include <math.h>
#include <string.h>

#include "tcp_private.h"

#define CUBIC_C     0.4
#define CUBIC_BETA  0.7
#define CWND_MAX    0x3fffffffu

struct cubic {
	double w_max;            /* segments, at the last congestion event */
	double w_est;            /* segments, the Reno-friendly estimate */
	double k;                /* seconds from the epoch to W_max */
	double cwnd_epoch;       /* segments, cwnd when the epoch began */
};

_Static_assert(sizeof(struct cubic) <= sizeof(((struct tcp_conn_cold *)0)->cc_priv),
	       "CUBIC's state does not fit in cc_priv");

#define EPOCH_NONE 0xffffffffu

/* The state lives in the TCB's cc_priv words: copied in and out (no
 * type punning through pointers). */
static void
load(const struct tcp_conn *c, struct cubic *cu)
{
	memcpy(cu, c->cold.cc_priv, sizeof(*cu));
}

static void
store(struct tcp_conn *c, const struct cubic *cu)
{
	memcpy(c->cold.cc_priv, cu, sizeof(*cu));
}

/* The epoch's start (ms) lives beside the doubles: cold.cc_epoch. */
static void
cubic_init(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct cubic cu;

	(void)ts;
	memset(&cu, 0, sizeof(cu));
	store(c, &cu);
	c->cold.cc_epoch = EPOCH_NONE;
}

/* A congestion event (§4.6, §4.7): remember W_max, shrink by beta. */
static uint32_t
cubic_ssthresh(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct cubic cu;
	double smss = tcp_smss(c), cwnd = c->cwnd / smss;
	double th = cwnd * CUBIC_BETA;

	(void)ts;
	load(c, &cu);
	if (cwnd < cu.w_max)
		cu.w_max = cwnd * (1.0 + CUBIC_BETA) / 2.0;   /* fast convergence */
	else
		cu.w_max = cwnd;
	store(c, &cu);
	c->cold.cc_epoch = EPOCH_NONE;
	if (th < 2.0)
		th = 2.0;
	return (uint32_t)(th * smss);
}

static void
cubic_cong_avoid(struct tcp_stack *ts, struct tcp_conn *c, uint32_t acked)
{
	struct cubic cuv, *cu = &cuv;
	double smss = tcp_smss(c), cwnd = c->cwnd / smss, t, target, w_cubic;
	double rtt = (c->srtt8 >> 3) / 1000.0;
	double alpha = 3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA);
	uint32_t now = tcp_now32(ts);
	double next;

	if (c->cwnd < c->ssthresh) {
		/* Slow start as Reno (§4.10). */
		uint32_t inc = acked < tcp_smss(c) ? acked : tcp_smss(c);

		c->cwnd = c->cwnd + inc > CWND_MAX ? CWND_MAX : c->cwnd + inc;
		return;
	}
	load(c, cu);
	if (c->cold.cc_epoch == EPOCH_NONE) {
		/* A new epoch (§4.2): K from where the window starts. */
		c->cold.cc_epoch = now;
		cu->cwnd_epoch = cwnd;
		cu->w_est = cwnd;
		if (cu->w_max < cwnd)
			cu->w_max = cwnd;
		cu->k = cbrt((cu->w_max - cwnd) / CUBIC_C);
	}
	t = (double)(uint32_t)(now - c->cold.cc_epoch) / 1000.0;
	/* §4.3: Reno-friendly estimate, alpha segments per RTT. */
	cu->w_est += alpha * ((double)acked / smss) / cwnd;
	w_cubic = CUBIC_C * pow(t - cu->k, 3.0) + cu->w_max;
	if (w_cubic < cu->w_est) {
		next = cu->w_est;                /* Reno-friendly region */
	} else {
		/* §4.4, §4.5: aim at W_cubic one RTT ahead, within
		 * [cwnd, 1.5 cwnd], reached over one window of ACKs. */
		target = CUBIC_C * pow(t + rtt - cu->k, 3.0) + cu->w_max;
		if (target < cwnd)
			target = cwnd;
		if (target > 1.5 * cwnd)
			target = 1.5 * cwnd;
		next = cwnd + (target - cwnd) / cwnd * ((double)acked / smss);
	}
	if (next * smss > CWND_MAX)
		next = CWND_MAX / smss;
	if (next > cwnd)
		c->cwnd = (uint32_t)(next * smss);
	store(c, cu);
}

/* §4.6: at the end of fast recovery cwnd is ssthresh. */
static void
cubic_recovered(struct tcp_stack *ts, struct tcp_conn *c)
{
	(void)ts;
	c->cwnd = c->ssthresh;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.ssthresh = cubic_ssthresh,
	.cong_avoid = cubic_cong_avoid,
	.recovered = cubic_recovered,
};
