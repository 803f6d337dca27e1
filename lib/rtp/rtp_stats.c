/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stream's statistics read out: RFC 3550 A.3's expected, lost and
 * fraction lost for a report block, and the totals H.248.1 E.12's rtp
 * package (and E.11's nt) report. rtp_rx_update() (rtp_inlines.h) keeps
 * them per packet.
 */
#include <string.h>

#include "rtp.h"

/* A source is valid once its probation is over (A.1). */
static bool
rx_valid(const struct rtp_rx *st)
{
	return (st->flags & RTP_RX_F_STARTED) && st->probation == 0;
}

/* A.3: extended_max - base_seq + 1, this epoch. */
static uint32_t
rx_expected(const struct rtp_rx *st)
{
	return rx_valid(st) ? st->cycles + st->max_seq - st->base_seq + 1u : 0;
}

void
rtp_rx_report(struct rtp_rx *st, struct rtp_rx_report *r)
{
	uint32_t expected, exp_int, rcv_int;
	int64_t lost;

	memset(r, 0, sizeof(*r));
	if (!rx_valid(st))
		return;
	expected = rx_expected(st);
	r->ext_max_seq = st->cycles + st->max_seq;
	r->expected = expected;
	/* A.3: the cumulative number lost, which the report block carries
	 * in 24 bits signed, clamped there */
	lost = (int64_t)expected - st->received;
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	r->lost = (int32_t)lost;
	/* A.3: the fraction of the interval's expected packets lost, in
	 * 256ths; 0 when none were expected or duplicates outnumber losses */
	exp_int = expected - st->expected_prior;
	rcv_int = st->received - st->received_prior;
	st->expected_prior = expected;
	st->received_prior = st->received;
	if (exp_int != 0 && (int64_t)exp_int - rcv_int > 0) {
		uint64_t f = (((uint64_t)exp_int - rcv_int) << 8) / exp_int;

		r->fraction = f > 255 ? 255 : (uint8_t)f;
	}
	r->jitter = st->jitter >> 4;
}

uint64_t
rtp_rx_packets(const struct rtp_rx *st)
{
	return st->pkts;
}

uint64_t
rtp_rx_octets(const struct rtp_rx *st)
{
	return st->octets;
}

int64_t
rtp_rx_lost(const struct rtp_rx *st)
{
	int64_t lost = st->lost_prev;

	if (rx_valid(st))
		lost += (int64_t)rx_expected(st) - st->received;
	return lost;
}

uint64_t
rtp_rx_expected(const struct rtp_rx *st)
{
	return (uint64_t)st->expected_prev + rx_expected(st);
}

uint32_t
rtp_rx_jitter(const struct rtp_rx *st)
{
	return st->jitter >> 4;
}

uint32_t
rtp_rx_jitter_us(const struct rtp_rx *st, uint32_t clock_hz)
{
	uint64_t us;

	if (clock_hz == 0)
		return 0;
	us = (uint64_t)(st->jitter >> 4) * 1000000u / clock_hz;
	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

uint64_t
rtp_tx_packets(const struct rtp_tx *tx)
{
	return tx->pkts;
}

uint64_t
rtp_tx_octets(const struct rtp_tx *tx)
{
	return tx->octets;
}
