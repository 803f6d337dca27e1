/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp fast-path inlines: sequence-number arithmetic (RFC 9293 §3.4:
 * comparisons modulo 2^32, valid while the two numbers are less than
 * 2^31 apart), the same for 32-bit timestamps and millisecond deadlines
 * (RFC 7323 §5.2), and small TCB helpers.
 */
#ifndef DP_TCP_INLINES_H
#define DP_TCP_INLINES_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp_types.h"

static inline bool
tcp_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
tcp_seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline bool
tcp_seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool
tcp_seq_geq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

/* a <= x < b, modulo 2^32 (empty when a == b). */
static inline bool
tcp_seq_in(uint32_t x, uint32_t a, uint32_t b)
{
	return x - a < b - a;
}

static inline uint32_t
tcp_seq_max(uint32_t a, uint32_t b)
{
	return tcp_seq_gt(a, b) ? a : b;
}

static inline uint32_t
tcp_seq_min(uint32_t a, uint32_t b)
{
	return tcp_seq_lt(a, b) ? a : b;
}

/* Synchronized states: ESTABLISHED and every later one (RFC 9293 §3.10.7.4). */
static inline bool
tcp_state_synced(uint8_t st)
{
	return st >= TCP_ST_ESTABLISHED;
}

/* Bytes in flight (sent, not acknowledged). */
static inline uint32_t
tcp_flight(const struct tcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

static inline uint32_t
tcp_conn_slot(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return (uint32_t)(c - ts->conns);
}

static inline tcp_id_t
tcp_conn_id(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return TCP_ID(ts->conf.worker, tcp_conn_slot(ts, c), c->gen);
}

/* SMSS (RFC 5681 §2): the largest payload we send, i.e. the MSS less
 * the timestamp option every segment carries when negotiated. */
static inline uint32_t
tcp_smss(const struct tcp_conn *c)
{
	return (uint32_t)c->mss - ((c->flags & TCP_CF_TS) ? TCP_OPT_TS_LEN : 0);
}

/* Unsent data (or an unsent FIN) waits in the send queue. */
static inline bool
tcp_snd_waiting(const struct tcp_conn *c)
{
	uint32_t data_end = c->snd_una + c->snd_queued;

	return tcp_seq_lt(c->snd_nxt, data_end) ||
	       ((c->flags & TCP_CF_FIN_QUEUED) && c->snd_nxt == data_end);
}

/* The stack's clock, truncated as the TCB keeps it. */
static inline uint32_t
tcp_now32(const struct tcp_stack *ts)
{
	return (uint32_t)ts->now;
}

/* An address a connection may be opened to: not unspecified, multicast or
 * limited broadcast (RFC 9293 MUST-46; RFC 1122 §4.2.3.10). A subnet's
 * directed broadcast is dp/net's to know, not TCP's. */
static inline bool
tcp_addr_unicast(uint8_t family, const uint8_t *a)
{
	if (family == TCP_AF_IPV4)
		return a[0] != 0 && a[0] < 224;
	if (a[0] == 0xff)
		return false;
	for (int i = 0; i < 16; i++)
		if (a[i] != 0)
			return true;
	return false;
}

#endif /* DP_TCP_INLINES_H */
