/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp SYN cookies (RFC 4987 §3.6): when a listener's SYN backlog is
 * full, or the connection pool is short (tcp_conn_pool_short()), the
 * SYN-ACK's ISN carries what the connection needs and no state
 * is kept; the handshake's ACK brings it back.
 *
 * ISN = H(tuple, client ISN, minute) (24 bits) | minute (5 bits) | MSS
 * index (3 bits), H a SipHash-2-4 under the stack's ISN key. A cookie is
 * good for the minute it was made in and the next. The peer's window
 * scale and SACK-permitted need timestamps to travel: they go in the low
 * 6 bits of our TSval (Linux's layout) and come back in TSecr; without
 * timestamps the SYN-ACK offers neither window scaling nor SACK.
 */
#include <string.h>

#include "tcp_private.h"
#include "tp_siphash.h"

#define COOKIE_TS_BITS  6u        /* wscale (4, 0xf: none) | SACK (1) | 1 */
#define COOKIE_TS_MASK  ((1u << COOKIE_TS_BITS) - 1)
#define WS_NONE         0xfu

static const uint16_t mss_table[8] = {
	536, 1024, 1200, 1220, 1360, 1400, 1440, 1460,
};

static uint32_t
cookie_hash(const struct tcp_stack *ts, const struct tcp_conn *tuple,
	    uint32_t irs, uint32_t minute)
{
	uint8_t buf[36 + 8];

	memcpy(buf, tuple->laddr, 16);
	memcpy(buf + 16, tuple->raddr, 16);
	memcpy(buf + 32, &tuple->lport, 2);
	memcpy(buf + 34, &tuple->rport, 2);
	memcpy(buf + 36, &irs, 4);
	memcpy(buf + 40, &minute, 4);
	return (uint32_t)tp_siphash24(ts->isn_key, buf, sizeof(buf));
}

static uint32_t
minute_now(const struct tcp_stack *ts)
{
	return (uint32_t)(ts->now / 60000u);
}

/* A TCB on the stack holding only what output and the hash read. */
static void
fake_tuple(struct tcp_conn *t, uint8_t family, const uint8_t *laddr,
	   const uint8_t *raddr, const struct tcp_seg *seg)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->laddr, laddr, family == TCP_AF_IPV6 ? 16 : 4);
	memcpy(t->raddr, raddr, family == TCP_AF_IPV6 ? 16 : 4);
	t->lport = seg->dport;
	t->rport = seg->sport;
	if (family == TCP_AF_IPV6)
		t->flags |= TCP_CF_V6;
}

void
tcp_syncookie_send(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
		   const uint8_t *raddr, const struct tcp_seg *seg)
{
	struct tcp_conn t;
	uint16_t ours = tcp_mss_ours(ts, family, laddr);
	uint16_t cached = tcp_pmtu_lookup(ts, family, raddr, seg->sport);
	uint32_t peer = (seg->opts & TCP_OPT_F_MSS) ? seg->mss :
			(family == TCP_AF_IPV6 ? 1220u : 536u);
	uint32_t mss, idx = 0, minute = minute_now(ts);
	bool tsok = (seg->opts & TCP_OPT_F_TS) && ts->conf.timestamps;

	/* (the cookie keeps one MSS: what we send, the destination's
	 * remembered path MTU included) */
	if (cached != 0 && cached < ours)
		ours = cached;
	mss = peer < ours ? peer : ours;

	for (uint32_t i = 0; i < 8; i++)
		if (mss_table[i] <= mss)
			idx = i;
	fake_tuple(&t, family, laddr, raddr, seg);
	t.iss = (cookie_hash(ts, &t, seg->seq, minute) & 0xffffff00u) |
		(minute & 0x1fu) << 3 | idx;
	t.irs = seg->seq;
	t.rcv_nxt = seg->seq + 1;
	t.snd_una = t.snd_nxt = t.snd_max = t.iss;
	t.mss = mss_table[idx];
	t.state = TCP_ST_SYN_RCVD;
	if (tsok) {
		uint32_t bits = ((seg->opts & TCP_OPT_F_WS) && ts->conf.wscale ?
				 seg->wscale : WS_NONE) << 2 |
				((seg->opts & TCP_OPT_F_SACKOK) && ts->conf.sack ? 2u : 0u) | 1u;
		uint32_t now = tcp_now32(ts) + (uint32_t)tcp_tuple_hash(ts->isn_key,
						t.raddr, t.rport, t.laddr, t.lport);
		uint32_t tsv = (now & ~COOKIE_TS_MASK) | bits;

		/* Never ahead of the clock the connection will use. */
		if (tsv > now && now >= (1u << COOKIE_TS_BITS))
			tsv -= 1u << COOKIE_TS_BITS;
		t.flags |= TCP_CF_TS;
		t.ts_recent = seg->tsval;
		t.ts_offset = tsv - tcp_now32(ts);
		if ((seg->opts & TCP_OPT_F_WS) && ts->conf.wscale) {
			t.flags |= TCP_CF_WS;
			t.rcv_wscale = tcp_choose_wscale(ts);
		}
		if ((seg->opts & TCP_OPT_F_SACKOK) && ts->conf.sack)
			t.flags |= TCP_CF_SACK;
	}
	ts->cookie_sec = ts->now / 1000u;
	ts->ctr[TCP_CTR_SYNCOOKIE_SENT]++;
	tcp_xmit_stateless(ts, &t, TCP_SYN | TCP_ACK);
}

struct tcp_conn *
tcp_syncookie_check(struct tcp_stack *ts, int li, uint8_t family,
		    const uint8_t *laddr, const uint8_t *raddr,
		    const struct tcp_seg *seg, bool *good)
{
	struct tcp_listener *l = &ts->listeners[li];
	struct tcp_conn t, *c;
	uint32_t cookie = seg->ack - 1, irs = seg->seq - 1, minute = minute_now(ts);
	uint32_t m5 = (cookie >> 3) & 0x1fu, idx = cookie & 7u, ok_minute;

	/* Only while cookies were sent lately (two minutes): otherwise a
	 * stray ACK costs no hash. */
	if (ts->cookie_sec == 0 || ts->now / 1000u > ts->cookie_sec + 120u)
		return NULL;
	if ((minute & 0x1fu) == m5)
		ok_minute = minute;
	else if (((minute - 1) & 0x1fu) == m5)
		ok_minute = minute - 1;
	else
		goto bad;
	fake_tuple(&t, family, laddr, raddr, seg);
	if (((cookie_hash(ts, &t, irs, ok_minute) ^ cookie) & 0xffffff00u) != 0)
		goto bad;

	*good = true;
	/* Any slot its use may take (the pool's last ones are kept for
	 * this: passive_open()); the source is counted by the ACK's
	 * processing (ack_input()). */
	c = tcp_conn_alloc(ts, family, laddr, seg->dport, raddr, seg->sport, l->app);
	if (c == NULL) {
		ts->ctr[TCP_CTR_SYNCOOKIE_NO_SLOT]++;
		return NULL;
	}
	ts->ctr[TCP_CTR_SYNCOOKIE_OK]++;
	ts->ctr[TCP_CTR_PASSIVE_OPEN]++;
	c->flags |= TCP_CF_PASSIVE;
	c->listener = (uint8_t)li;
	c->app = l->app;
	c->irs = irs;
	c->rcv_nxt = seg->seq;
	/* The window the cookie SYN-ACK offered (unscaled, as in a SYN). */
	c->rcv_adv = c->rcv_nxt + (ts->conf.rcv_buf > 65535 ? 65535 : ts->conf.rcv_buf);
	c->iss = cookie;
	c->snd_una = c->snd_nxt = c->snd_max = cookie + 1;
	c->recover = c->snd_una;
	c->rto = ts->conf.rto_init;
	c->cold.peer_mss = mss_table[idx];
	c->mss = mss_table[idx];
	c->ts_offset = (uint32_t)tcp_tuple_hash(ts->isn_key, c->raddr, c->rport,
						c->laddr, c->lport);
	if ((seg->opts & TCP_OPT_F_TS) && ts->conf.timestamps && (seg->tsecr & 1u)) {
		uint32_t ws = (seg->tsecr >> 2) & 0xfu;

		c->flags |= TCP_CF_TS;
		c->ts_recent = seg->tsval;
		c->ts_recent_age = tcp_now32(ts);
		if (ws != WS_NONE) {
			c->flags |= TCP_CF_WS;
			c->snd_wscale = (uint8_t)(ws > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : ws);
			c->rcv_wscale = tcp_choose_wscale(ts);
		}
		if (seg->tsecr & 2u)
			c->flags |= TCP_CF_SACK;
	}
	c->snd_wnd = (uint32_t)seg->wnd << c->snd_wscale;
	c->cold.max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	c->state = TCP_ST_SYN_RCVD;      /* the caller's ACK processing ends it */
	c->snd_una = cookie;             /* so that the ACK acks the SYN */
	c->snd_nxt = c->snd_max = cookie + 1;
	return c;
bad:
	ts->ctr[TCP_CTR_SYNCOOKIE_BAD]++;
	return NULL;
}
