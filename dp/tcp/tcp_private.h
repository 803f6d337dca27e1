/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp internals shared by its files (not for the application):
 * connection table and pool (tcp_conn.c), segment output (tcp_output.c),
 * timers (tcp_timer.c), and the end of a connection.
 */
#ifndef DP_TCP_PRIVATE_H
#define DP_TCP_PRIVATE_H

#include "tcp.h"
#include "tcp_inlines.h"
#include "tw.h"

#define TCP_PAWS_IDLE (24u * 24 * 3600 * 1000)   /* RFC 7323 §5.5: 24 days, ms */

/* ---- tcp_conn.c ---- */
struct tcp_conn *tcp_conn_lookup(struct tcp_stack *ts, uint8_t family,
				 const uint8_t *laddr, uint16_t lport,
				 const uint8_t *raddr, uint16_t rport);
/* A fresh TCB in CLOSED with the tuple set and in the table, counted
 * against app's use; NULL when the pool is empty (after recycling the
 * oldest TIME_WAIT) or what is left is other uses' reserves. */
struct tcp_conn *tcp_conn_alloc(struct tcp_stack *ts, uint8_t family,
				const uint8_t *laddr, uint16_t lport,
				const uint8_t *raddr, uint16_t rport, uint8_t app);
/* Free c (its queues, timer, table entry) now, or when the input or
 * timer that is working on it returns. */
void tcp_conn_release(struct tcp_stack *ts, struct tcp_conn *c);
/* Called by input and timers when done with c: frees it if it died. */
void tcp_conn_unbusy(struct tcp_stack *ts, struct tcp_conn *c);
void tcp_tw_enter(struct tcp_stack *ts, struct tcp_conn *c);
/* Count c against its remote address (conf.max_per_source); false (and
 * counted) when the address is at its limit. */
bool tcp_src_take(struct tcp_stack *ts, struct tcp_conn *c);
/* Whether the slots app's use may take are short, so that a SYN gets a
 * cookie instead of a TCB in SYN_RCVD (the last of them are kept for
 * handshakes that completed). */
bool tcp_conn_pool_short(const struct tcp_stack *ts, uint8_t app);
/* c ends: count reason, tell the app (unless it left or never knew), and
 * release it. */
void tcp_conn_end(struct tcp_stack *ts, struct tcp_conn *c, enum tcp_reason why);
/* Free every mbuf c holds. */
void tcp_conn_flush(struct tcp_stack *ts, struct tcp_conn *c);
/* After closed(NORMAL) returned: c's application kept it (TCP_CF_KEPT). */
void tcp_conn_keep(struct tcp_stack *ts, struct tcp_conn *c);
/* c out of the connection table (no segment finds it any more). */
void tcp_conn_unhash(struct tcp_stack *ts, struct tcp_conn *c);
/* tcp_close()/tcp_abort() of a kept c: it ends (NORMAL, counted now). */
void tcp_conn_kept_end(struct tcp_stack *ts, struct tcp_conn *c);

/* What c may hold unread: bytes, mbufs (its own limit, else the
 * stack's). */
static inline uint32_t
tcp_rcv_buf_of(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return c->cold.rcv_lim != 0 && c->cold.rcv_lim < ts->conf.rcv_buf ? c->cold.rcv_lim :
	       ts->conf.rcv_buf;
}

static inline uint32_t
tcp_rcv_segs_of(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return c->cold.rcv_seg_lim != 0 && c->cold.rcv_seg_lim < ts->conf.rcv_max_segs ?
	       c->cold.rcv_seg_lim : ts->conf.rcv_max_segs;
}

/* conf.max_held: room left under the cap (UINT64_MAX without one), and
 * what a send refused by it waits for before writable() (a quarter of
 * the cap, at most half a send queue). */
/* ... and conf.pool_low: what the pool's free mbufs above the floor hold
 * in full segments (a segment pins an mbuf whatever its length: smaller
 * ones take the room the faster, data_input() counting each mbuf). */
#define TCP_POOL_SEG_BYTES 1448u

static inline uint64_t
tcp_held_room(const struct tcp_stack *ts)
{
	uint64_t room = UINT64_MAX;

	if (ts->conf.max_held != 0)
		room = ts->held < ts->conf.max_held ? ts->conf.max_held - ts->held : 0;
	if (ts->conf.pool_low != 0) {
		uint64_t p = ts->pool_free > ts->conf.pool_low ?
			     (uint64_t)(ts->pool_free - ts->conf.pool_low) * TCP_POOL_SEG_BYTES : 0;

		if (p < room)
			room = p;
	}
	return room;
}

/* Would c offer more than room if the cap did not hold it back? */
static inline bool
tcp_cap_binds(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	uint32_t held = c->rcv_queued + c->cold.ooo_bytes, buf = tcp_rcv_buf_of(ts, c);

	return tcp_held_room(ts) < (uint64_t)(held < buf ? buf - held : 0);
}

/* RFC 9293 §3.8.6.2.2: a window that grew by this much is worth telling
 * (min(half the buffer, 2 MSS): Linux's choice of "a fraction") */
static inline uint32_t
tcp_wnd_update_thresh(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	uint32_t buf = tcp_rcv_buf_of(ts, c);

	return buf / 2 < 2u * c->mss ? buf / 2 : 2u * c->mss;
}

/* The list of windows the cap shut (tcp_conn.c) */
void tcp_cap_shut_add(struct tcp_stack *ts, struct tcp_conn *c);
void tcp_cap_shut_del(struct tcp_stack *ts, struct tcp_conn *c);

/* c's peer was offered wnd: one the cap shut (under the update threshold
 * while c's own buffer would offer more) is listed for cap_reopen(), tcp_api.c.
 * Only where data may still come and someone reads it. */
static inline void
tcp_cap_check(struct tcp_stack *ts, struct tcp_conn *c, uint32_t wnd)
{
	if ((ts->conf.max_held != 0 || ts->conf.pool_low != 0) &&
	    !(c->flags & (TCP_CF_CAP_SHUT | TCP_CF_FIN_RCVD | TCP_CF_APP_GONE)) &&
	    tcp_state_synced(c->state) && wnd < tcp_wnd_update_thresh(ts, c) &&
	    tcp_cap_binds(ts, c))
		tcp_cap_shut_add(ts, c);
}

/* c's window as the peer was last told it */
static inline uint32_t
tcp_rcv_adv_wnd(const struct tcp_conn *c)
{
	return tcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
}

static inline uint64_t
tcp_held_wake(const struct tcp_stack *ts)
{
	uint64_t q = ts->conf.max_held != 0 ? ts->conf.max_held / 4 : UINT64_MAX,
		 h = ts->conf.snd_buf / 2;

	return q < h ? q : h;
}

/* A send refused by the cap: the timer looks for room every this many ms
 * (nothing else may come to tell the application). */
#define TCP_HELD_POLL_MS 10u

/* struct tcp_budget: what c's group holds changes (bytes, mbufs; a
 * negative change may wake the group's application). */
static inline void
tcp_budget_add(struct tcp_stack *ts, struct tcp_conn *c, uint32_t bytes, uint32_t mbufs)
{
	struct tcp_budget *b = c->cold.budget;

	(void)ts;
	if (b == NULL)
		return;
	b->bytes += bytes;
	b->mbufs += mbufs;
	if (b->bytes > b->peak_bytes)
		b->peak_bytes = b->bytes;
	if (b->mbufs > b->peak_mbufs)
		b->peak_mbufs = b->mbufs;
}

void tcp_budget_wake(struct tcp_budget *b);
/* c leaves its budget with what it holds (the last member wakes it). */
void tcp_budget_leave(struct tcp_stack *ts, struct tcp_conn *c);

static inline void
tcp_budget_sub(struct tcp_stack *ts, struct tcp_conn *c, uint32_t bytes, uint32_t mbufs)
{
	struct tcp_budget *b = c->cold.budget;

	(void)ts;
	if (b == NULL)
		return;
	b->bytes -= bytes;
	b->mbufs -= mbufs;
	if (b->limited && b->bytes <= b->max_bytes / 4 * 3 && b->mbufs <= b->max_mbufs / 4 * 3)
		tcp_budget_wake(b);
}

/* Room left in c's group: bytes (UINT32_MAX without a budget or a byte
 * limit), and whether its mbufs are spent. */
static inline uint32_t
tcp_budget_room(const struct tcp_conn *c)
{
	const struct tcp_budget *b = c->cold.budget;

	if (b == NULL)
		return UINT32_MAX;
	if (b->max_mbufs != 0 && b->mbufs >= b->max_mbufs)
		return 0;
	if (b->max_bytes == 0)
		return UINT32_MAX;
	return b->bytes < b->max_bytes ? (uint32_t)(b->max_bytes - b->bytes) : 0;
}

/* What c's group may still take before it drops data: twice its limits
 * (its windows, each a share of the room, offered at most one budget
 * more), bytes (0 when its mbufs are spent). */
static inline uint32_t
tcp_budget_hard_room(const struct tcp_conn *c)
{
	const struct tcp_budget *b = c->cold.budget;
	uint64_t lim;

	if (b == NULL)
		return UINT32_MAX;
	if (b->max_mbufs != 0 && b->mbufs >= 2ull * b->max_mbufs)
		return 0;
	if (b->max_bytes == 0)
		return UINT32_MAX;
	lim = 2ull * b->max_bytes;
	return b->bytes < lim ? (uint32_t)(lim - b->bytes) : 0;
}

/* Mbufs c's group may still take (UINT32_MAX: no limit). */
static inline uint32_t
tcp_budget_mbuf_room(const struct tcp_conn *c)
{
	const struct tcp_budget *b = c->cold.budget;

	if (b == NULL || b->max_mbufs == 0)
		return UINT32_MAX;
	return b->mbufs < b->max_mbufs ? b->max_mbufs - b->mbufs : 0;
}

/* c's group held a window back or dropped data: counted once until its
 * wake. */
static inline void
tcp_budget_limit(struct tcp_stack *ts, const struct tcp_conn *c)
{
	struct tcp_budget *b = c->cold.budget;

	if (b != NULL && !b->limited) {
		b->limited = 1;
		ts->ctr[TCP_CTR_BUDGET_LIMITED]++;
	}
}

/* c's keepalive: its own (tcp_set_keepalive()) or the stack's; idle 0:
 * none. */
static inline uint32_t
tcp_keep_idle(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return (c->flags & TCP_CF_KEEP_OWN) ? c->cold.keep_idle : ts->conf.keep_idle;
}

static inline uint32_t
tcp_keep_intvl(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return (c->flags & TCP_CF_KEEP_OWN) ? c->cold.keep_intvl : ts->conf.keep_intvl;
}

static inline uint32_t
tcp_keep_cnt(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return (c->flags & TCP_CF_KEEP_OWN) ? c->cold.keep_cnt : ts->conf.keep_cnt;
}

/* ---- tcp_input.c ---- */
/* Our window scale: the smallest shift that lets rcv_buf be offered. */
uint8_t tcp_choose_wscale(const struct tcp_stack *ts);

/* ---- tcp_output.c ---- */
/* Send what window, cwnd and queue allow, and a pure ACK if one is owed. */
void tcp_output(struct tcp_stack *ts, struct tcp_conn *c);
/* The same, overriding sender SWS avoidance (the persist timer). */
void tcp_output_force(struct tcp_stack *ts, struct tcp_conn *c);
/* RFC 5681 §3.1's initial window (or conf.init_cwnd_segs), bytes. */
uint32_t tcp_initial_window(const struct tcp_stack *ts, const struct tcp_conn *c);
/* ... in segments of mss (no division: output() asks on every call). */
static inline uint32_t
tcp_initial_segs(const struct tcp_stack *ts, uint32_t mss)
{
	if (ts->conf.init_cwnd_segs != 0)
		return ts->conf.init_cwnd_segs;
	return mss > 2190 ? 2 : mss > 1095 ? 3 : 4;
}
/* Send one segment: [seq, seq+len) of the send queue with flags (SYN and
 * FIN consume sequence space as usual). Returns 0 or -ENOBUFS. */
int tcp_xmit(struct tcp_stack *ts, struct tcp_conn *c, uint32_t seq,
	     uint32_t len, uint8_t flags);
/* RFC 6675 retransmission of [seq, seq+len) (with the FIN if it ends
 * there): HighRxt moves to its end. Returns 0 or -ENOBUFS. */
int tcp_sack_rexmit(struct tcp_stack *ts, struct tcp_conn *c, uint32_t seq,
		    uint32_t len);
/* A pure ACK now (<SEQ=SND.MAX><ACK=RCV.NXT>). */
void tcp_send_ack(struct tcp_stack *ts, struct tcp_conn *c);
/* RFC 5961 §3.2/§4.2 challenge ACK. */
void tcp_send_challenge_ack(struct tcp_stack *ts, struct tcp_conn *c, bool data);
/* An ACK answering an out-of-window or PAWS-failed segment (data: it
 * carried payload or SYN; conf.invalid_ratelimit). */
void tcp_send_oow_ack(struct tcp_stack *ts, struct tcp_conn *c, bool data);
/* RST for c (<SEQ=SND.NXT><CTL=RST>). */
void tcp_send_rst(struct tcp_stack *ts, struct tcp_conn *c);
/* RFC 9293 §3.10.7.1: RST answering seg (which had no connection). */
void tcp_send_rst_reply(struct tcp_stack *ts, uint8_t family,
			const uint8_t *laddr, const uint8_t *raddr,
			const struct tcp_seg *seg);
/* Our window to advertise (scaled for the header unless a SYN). */
uint32_t tcp_rcv_window(struct tcp_stack *ts, const struct tcp_conn *c);

/* A SYN-ACK for t, a TCB that lives on the caller's stack (cookies):
 * no timer, no sequence bookkeeping. */
void tcp_xmit_stateless(struct tcp_stack *ts, struct tcp_conn *t, uint8_t flags);

/* ---- tcp_sack.c (RFC 6675) ---- */
/* Record seg's SACK blocks (bad ones counted and ignored); returns the
 * bytes newly SACKed. */
uint32_t tcp_sack_update(struct tcp_stack *ts, struct tcp_conn *c,
			 const struct tcp_seg *seg);
/* Forget what SND.UNA covers now. */
void tcp_sack_trim(struct tcp_conn *c);
void tcp_sack_clear(struct tcp_conn *c);
bool tcp_sack_is_lost(const struct tcp_conn *c, uint32_t seq);
uint32_t tcp_sack_pipe(const struct tcp_conn *c);
bool tcp_sack_next_seg(const struct tcp_conn *c, bool rule3, uint32_t *seq,
		       uint32_t *len);

/* ---- tcp_rack.c (RFC 8985 RACK-TLP) ---- */
/* Each send-queue mbuf carries, in fields that only the receive side and
 * the workers' hand-off use otherwise, the time (ms) its bytes were last
 * sent and whether any of them was sent again: RACK's per-segment
 * transmit time at the granularity of the queue's mbufs, nothing
 * allocated. tcp_output.c stamps them as it copies a segment out. */
#define TCP_RACK_TS(m)    ((m)->hash.usr)
#define TCP_RACK_MARK(m)  ((m)->hash.fdir.hi)
#define TCP_RACK_M_REXMIT 1u

#define TCP_RACK_F_VALID   0x01u  /* xmit_ts, end_seq, fack are set */
#define TCP_RACK_F_REORD   0x02u  /* RACK.reordering_seen */
#define TCP_RACK_F_TLP     0x04u  /* a TLP episode: tlp_end is set */
#define TCP_RACK_F_TLP_RXT 0x08u  /* ... its probe was a retransmission */
#define TCP_RACK_F_REO     0x10u  /* the RXT deadline is the reordering timer */
#define TCP_RACK_F_PTO     0x20u  /* ... the probe timeout */
#define TCP_RACK_F_DSACK   0x40u  /* a D-SACK grew reo_wnd in this round */
#define TCP_RACK_F_RELOST  0x80u  /* HighRxt pulled back: rl_end, rxt_hi are set */

/* RACK-TLP runs on c (SACK both ways, conf.rack). */
/* States in which we send data (and our FIN). */
static inline bool
tcp_can_send_data(uint8_t st)
{
	return st == TCP_ST_ESTABLISHED || st == TCP_ST_CLOSE_WAIT ||
	       st == TCP_ST_FIN_WAIT_1 || st == TCP_ST_CLOSING ||
	       st == TCP_ST_LAST_ACK;
}

static inline bool
tcp_rack_on(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	return ts->conf.rack && (c->flags & TCP_CF_SACK);
}

/* The end of what RACK marked lost, for IsLost(): SND.UNA when nothing is. */
static inline uint32_t
tcp_rack_lost_end(const struct tcp_conn *c)
{
	uint32_t e = c->cold.rack.lost_end;

	return tcp_seq_gt(e, c->snd_una) && tcp_seq_leq(e, c->snd_max) ? e : c->snd_una;
}

/* RACK found retransmissions of this recovery lost again (RFC 8985 §6.2
 * judges each by its latest transmission) and HighRxt (cold.high_rxt) was
 * pulled back to the first of them, so that NextSeg() rule 1 sends them
 * again: while HighRxt is below rack.rxt_hi (what it was), the unSACKed
 * bytes of [HighRxt, rack.rl_end) are the ones to go again and those of
 * [rl_end, rxt_hi) were sent again before and are still in flight
 * (NextSeg() resumes at rxt_hi once rl_end is reached; pipe counts them). */
static inline bool
tcp_rack_relost(const struct tcp_conn *c)
{
	const struct tcp_rack *r = &c->cold.rack;

	return (r->flags & TCP_RACK_F_RELOST) && tcp_seq_gt(r->rxt_hi, c->snd_una) &&
	       tcp_seq_leq(r->rxt_hi, c->snd_max) && tcp_seq_lt(c->cold.high_rxt, r->rxt_hi);
}

/* An ACK arrives (after its acceptability checks, before the scoreboard
 * takes its blocks and SND.UNA moves): RACK_update() from what it newly
 * delivers, reordering, the TLP episode. */
void tcp_rack_ack(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg);
/* ... and after it was processed: RACK_detect_loss(), the reordering
 * timer. Returns true when it marked data lost that was not before.
 * Every ACK asks, so the common case is decided here: outside a SACK
 * recovery, with nothing between the lost mark and RACK.end_seq (a
 * cumulative ACK's usual case: the latest delivery ends at SND.UNA), the
 * walk would find nothing to judge (it only lets a stale RELOST go). */
bool tcp_rack_detect_walk(struct tcp_stack *ts, struct tcp_conn *c);
static inline bool
tcp_rack_detect(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct tcp_rack *r = &c->cold.rack;

	if (!tcp_rack_on(ts, c) || !(r->flags & TCP_RACK_F_VALID) ||
	    c->snd_una == c->snd_max || !tcp_can_send_data(c->state))
		return false;
	if (!(c->flags & TCP_CF_SACK_RECOV) &&
	    !tcp_seq_lt(tcp_rack_lost_end(c), tcp_seq_min(r->end_seq, c->snd_max))) {
		if ((r->flags & TCP_RACK_F_RELOST) && !tcp_rack_relost(c))
			r->flags &= (uint8_t)~TCP_RACK_F_RELOST;
		return false;
	}
	return tcp_rack_detect_walk(ts, c);
}
/* After output: (re)arm the probe timeout where RFC 8985 §7.2 wants one. */
void tcp_rack_schedule(struct tcp_stack *ts, struct tcp_conn *c);
/* The RXT deadline fired: true when it was RACK's (reordering timer or
 * PTO) and was handled; false for an RTO (RACK forgets its marks). */
bool tcp_rack_timeout(struct tcp_stack *ts, struct tcp_conn *c);
/* tcp_input.c: RFC 6675 recovery entered because RACK marked a loss. */
void tcp_rack_enter_recovery(struct tcp_stack *ts, struct tcp_conn *c);

/* ---- tcp_syncookie.c ---- */
/* Answer seg (a SYN to listener li, whose backlog is full) with a
 * cookie SYN-ACK; nothing is kept. */
void tcp_syncookie_send(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
			const uint8_t *raddr, const struct tcp_seg *seg);
/* An ACK to listener li with no connection: a TCB in SYN_RCVD rebuilt
 * from a good cookie (the ACK then completes it), or NULL (counted);
 * *good is set when the cookie was good (NULL then: no slot). */
struct tcp_conn *tcp_syncookie_check(struct tcp_stack *ts, int li, uint8_t family,
				     const uint8_t *laddr, const uint8_t *raddr,
				     const struct tcp_seg *seg, bool *good);

/* ---- tcp_pmtu.c ---- */
uint16_t tcp_pmtu_floor(bool v6);
void tcp_pmtu_store(struct tcp_stack *ts, uint8_t family, const uint8_t *raddr, uint16_t rport,
		    uint16_t mss);
/* The MSS we announce from laddr: the port's MTU less the headers, at
 * most its clamp. */
uint16_t tcp_mss_ours(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr);
/* A new connection's MSSes: announced (ours), and sent: at most the
 * peer's, ours and its destination's remembered one (count: a hit is
 * counted). */
void tcp_pmtu_conn_mss(struct tcp_stack *ts, struct tcp_conn *c, uint32_t peer, bool count);
/* SND.UNA moved: a probe it covers is confirmed. */
void tcp_pmtu_acked(struct tcp_stack *ts, struct tcp_conn *c);
/* Loss recovery would start: true when it is the probe that was lost
 * (then its data goes again from SND.UNA, no recovery). */
bool tcp_pmtu_probe_lost(struct tcp_stack *ts, struct tcp_conn *c);
/* An RTO (rxtshift counted already): a probe lost, or a black hole. */
void tcp_pmtu_rto(struct tcp_stack *ts, struct tcp_conn *c);
/* Before new data goes at SND.NXT: a probe's payload length (and the
 * probe recorded) or 0. */
uint32_t tcp_pmtu_probe_len(struct tcp_stack *ts, struct tcp_conn *c, uint32_t avail,
			    uint32_t usable);

/* ---- tcp_timer.c ---- */
void tcp_timer_set(struct tcp_stack *ts, struct tcp_conn *c, enum tcp_timer t,
		   uint32_t delta_ms);
static inline void
tcp_timer_clear(struct tcp_conn *c, enum tcp_timer t)
{
	c->t_armed &= (uint8_t)~(1u << t);
}
static inline bool
tcp_timer_armed(const struct tcp_conn *c, enum tcp_timer t)
{
	return (c->t_armed >> t) & 1u;
}
void tcp_timer_fn(struct tw_timer *t, void *arg);
/* The current RTO with backoff, clamped to rto_max (inline: every send's
 * PTO asks it, tcp_rack_schedule()). */
static inline uint32_t
tcp_rto_backoff(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	uint64_t r = (uint64_t)c->rto << (c->rxtshift < 16 ? c->rxtshift : 16);

	return r > ts->conf.rto_max ? ts->conf.rto_max : (uint32_t)r;
}
/* (Re)start the retransmission timer if data or SYN/FIN is outstanding,
 * else the persist timer if the window is closed, else stop it. */
void tcp_rxt_restart(struct tcp_stack *ts, struct tcp_conn *c);
void tcp_rtt_sample(struct tcp_stack *ts, struct tcp_conn *c, uint32_t rtt_ms);
/* c's give-up deadline moved earlier (it became an orphan): the RXT
 * timer, when waiting already, comes no later than it. */
void tcp_rxt_clamp(struct tcp_stack *ts, struct tcp_conn *c);
/* After a tail-loss probe: the RTO again, the user timeout's wait marked
 * as begun at since (ms, when the oldest unacknowledged data went). */
void tcp_rxt_after_probe(struct tcp_stack *ts, struct tcp_conn *c, uint32_t since);

#endif /* DP_TCP_PRIVATE_H */
