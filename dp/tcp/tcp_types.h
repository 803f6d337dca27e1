/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp types: the parsed segment, the connection (TCB), the per-worker
 * stack, configuration, the application and congestion-control ops
 * tables. Types only; includes only other type headers. See tcp.h for
 * the operations and FEATURE.md for the RFCs.
 */
#ifndef DP_TCP_TYPES_H
#define DP_TCP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

#include "tw_types.h"

struct rte_mbuf;
struct rte_mempool;
struct tcp_stack;
struct tcp_conn;

#define TCP_AF_IPV4 4u           /* same values as NET_AF_IPV4/6 */
#define TCP_AF_IPV6 6u

/* Header flags (RFC 9293 §3.1). */
#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_URG 0x20u

#define TCP_HDR_LEN     20u
#define TCP_HDR_MAX     60u
#define TCP_MAX_SACK    4u       /* blocks a header can carry */
#define TCP_SACK_REP    2u       /* blocks repeated from the last ACK (cold.sack_rep) */
#define TCP_MAX_WSCALE  14u      /* RFC 7323 §2.3 */
#define TCP_OPT_TS_LEN  12u      /* NOP NOP TS(10): on every segment */
#define TCP_MSS_FLOOR4  536u     /* no ICMP or black hole takes the MSS lower */
#define TCP_MSS_FLOOR6  1220u

/* Options seen in a segment (struct tcp_seg.opts). */
#define TCP_OPT_F_MSS    0x01u
#define TCP_OPT_F_WS     0x02u
#define TCP_OPT_F_SACKOK 0x04u
#define TCP_OPT_F_TS     0x08u
#define TCP_OPT_F_SACK   0x10u

/* Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018). */
#define TCP_OPT_EOL    0u
#define TCP_OPT_NOP    1u
#define TCP_OPT_MSS    2u
#define TCP_OPT_WS     3u
#define TCP_OPT_SACKOK 4u
#define TCP_OPT_SACK   5u
#define TCP_OPT_TS     8u

/* Why tcp_seg_parse() refused a header. */
enum tcp_parse_err {
	TCP_PARSE_OK = 0,
	TCP_PARSE_SHORT,         /* fewer than 20 bytes */
	TCP_PARSE_BAD_OFF,       /* data offset < 5 or past the segment */
	TCP_PARSE_BAD_OPT,       /* an option's length is wrong or overruns */
};

struct tcp_sack_block {
	uint32_t left, right;    /* [left, right) */
};

/* A parsed segment header: host order throughout. */
struct tcp_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t wnd;            /* as on the wire, not scaled */
	uint8_t flags;
	uint8_t hdr_len;         /* data offset in bytes */
	uint32_t len;            /* payload bytes */
	uint8_t opts;            /* TCP_OPT_F_* */
	uint8_t wscale;
	uint8_t nsack;
	uint8_t bad_opts;        /* options of a known kind and a wrong
				  * length, skipped */
	uint16_t mss;
	uint32_t tsval, tsecr;
	struct tcp_sack_block sack[TCP_MAX_SACK];
};

/* Options to write into a segment we build. */
struct tcp_opts_out {
	uint8_t opts;            /* TCP_OPT_F_* to write */
	uint8_t wscale;
	uint8_t nsack;
	uint16_t mss;
	uint32_t tsval, tsecr;
	struct tcp_sack_block sack[TCP_MAX_SACK];
};

enum tcp_state {
#define TCP_STATE(e, n) TCP_ST_##e,
#include "tcp_states.def"
#undef TCP_STATE
	TCP_ST__COUNT,
};

enum tcp_ctr {
#define TCP_CTR(e, n, h) TCP_CTR_##e,
#include "tcp_counters.def"
#undef TCP_CTR
	TCP_CTR__COUNT,
};

enum tcp_reason {
#define TCP_REASON(e, n, h) TCP_REASON_##e,
#include "tcp_reasons.def"
#undef TCP_REASON
	TCP_REASON__COUNT,
};

/*
 * A connection id is lib/ipc's (ipc_conn_make(): worker 8 bits | slot 24
 * | generation 32), the one layout cp routes by. The generation of a slot
 * changes every time it is reused, so an id kept past its connection's
 * end is recognised as stale (never zero: 0 is "no connection").
 */
typedef uint64_t tcp_id_t;
#define TCP_ID(worker, slot, gen) ipc_conn_make((worker), (slot), (gen))
#define TCP_ID_WORKER(id) ipc_conn_worker(id)
#define TCP_ID_SLOT(id)   ipc_conn_slot(id)
#define TCP_ID_GEN(id)    ipc_conn_gen(id)
#define TCP_MAX_CONNS     (IPC_CONN_SLOT_MAX + 1u)

/*
 * What the application (TURN now; TLS and the splice later) is told.
 * Every callback may call any tcp_*() function on any connection,
 * including the one it is about (closing it, too): the stack frees a
 * connection only after the callback returns.
 *
 * accept: a passive connection reached ESTABLISHED on a listener of this
 *   app; *conn_arg is what later callbacks get. Return 0 to take it,
 *   < 0 to refuse (the connection is reset, reason ACCEPT_REFUSED).
 * connected: an active open (tcp_connect()) reached ESTABLISHED.
 * readable: in-order data or the peer's FIN can be read (tcp_recv()).
 * writable: the send queue, once refused (-EAGAIN), has room again.
 * closed: the connection ended without the application asking (reset,
 *   timeout, or both sides closed after tcp_shutdown()); id is stale
 *   after it returns (unless, for NORMAL, tcp_keep_readable() was called
 *   in it). Not called after tcp_close() or tcp_abort().
 */
struct tcp_app_ops {
	int (*accept)(struct tcp_stack *ts, tcp_id_t id, void *listen_arg,
		      void **conn_arg);
	void (*connected)(struct tcp_stack *ts, tcp_id_t id, void *arg);
	void (*readable)(struct tcp_stack *ts, tcp_id_t id, void *arg);
	void (*writable)(struct tcp_stack *ts, tcp_id_t id, void *arg);
	void (*closed)(struct tcp_stack *ts, tcp_id_t id, void *arg,
		       enum tcp_reason why);
};

/*
 * Where segments go: m holds the TCP header and payload from its data
 * start (one segment in one mbuf, checksum filled in, or with
 * conf.cksum_offer only its pseudo-header sum and RTE_MBUF_F_TX_TCP_CKSUM
 * set; at least 64 bytes of headroom for the IP and link headers); src
 * and dst are the IP addresses (4 or 16 bytes). The callee owns m.
 */
struct tcp_out_ops {
	void (*output)(void *arg, struct rte_mbuf *m, uint8_t family, uint8_t ds,
		       const uint8_t *src, const uint8_t *dst);
};

/*
 * Congestion control (RFC 5681 framing, as Linux's tcp_congestion_ops):
 * the stack detects loss (duplicate ACKs, RFC 6582 partial ACKs, RTO)
 * and asks the algorithm for the numbers.
 * init: at ESTABLISHED (cwnd already set to the RFC 5681 §3.1 initial
 *   window).
 * ssthresh: the new ssthresh on entering recovery or after an RTO.
 * cong_avoid: acked new bytes outside recovery: grow cwnd.
 * recovered: the ACK that ends fast recovery arrived: set cwnd.
 */
struct tcp_cc_ops {
	const char *name;
	void (*init)(struct tcp_stack *ts, struct tcp_conn *c);
	uint32_t (*ssthresh)(struct tcp_stack *ts, struct tcp_conn *c);
	void (*cong_avoid)(struct tcp_stack *ts, struct tcp_conn *c,
			   uint32_t acked);
	void (*recovered)(struct tcp_stack *ts, struct tcp_conn *c);
};

/* Connection flags (struct tcp_conn.flags). */
#define TCP_CF_V6          0x00000001u  /* family IPv6 */
#define TCP_CF_TS          0x00000002u  /* timestamps negotiated */
#define TCP_CF_WS          0x00000004u  /* window scaling negotiated */
#define TCP_CF_SACK        0x00000008u  /* SACK-permitted both ways */
#define TCP_CF_PASSIVE     0x00000010u  /* from a listener */
#define TCP_CF_ACK_NOW     0x00000020u  /* send an ACK at the end of input */
#define TCP_CF_FIN_QUEUED  0x00000040u  /* app shut down: FIN after the data */
#define TCP_CF_FIN_RCVD    0x00000080u  /* peer's FIN consumed: EOF */
#define TCP_CF_FIN_OOO     0x00000100u  /* a FIN seen beyond a hole */
#define TCP_CF_APP_GONE    0x00000200u  /* tcp_close(): no more callbacks */
#define TCP_CF_APP_KNOWS   0x00000400u  /* accepted/connected was called */
#define TCP_CF_BUSY        0x00000800u  /* inside input or a timer */
#define TCP_CF_DEAD        0x00001000u  /* to be freed when not busy */
#define TCP_CF_RECOVERY    0x00002000u  /* RFC 6582 fast recovery */
#define TCP_CF_WANT_WRITE  0x00004000u  /* a send was refused: notify */
#define TCP_CF_RTT_TIMING  0x00008000u  /* rtt_seq is being timed */
#define TCP_CF_READABLE    0x00010000u  /* tell the app at the end of input */
#define TCP_CF_IN_TABLE    0x00020000u
#define TCP_CF_SYN_QUEUED  0x00040000u  /* counted in its listener's nsyn */
#define TCP_CF_DELACK      0x00080000u  /* an ACK is owed (delayed) */
#define TCP_CF_SRC_COUNTED 0x00100000u  /* counted in the per-source table */
#define TCP_CF_SACK_RECOV  0x00200000u  /* the recovery is RFC 6675's */
#define TCP_CF_HELD_WAIT   0x00400000u  /* a send met the stack's cap */
#define TCP_CF_CAP_SHUT    0x00800000u  /* the cap shut its window: on ts->cap_head */
#define TCP_CF_KEEP_OK     0x01000000u  /* inside closed(NORMAL): tcp_keep_readable() may keep it */
#define TCP_CF_KEPT        0x02000000u  /* kept (tcp_keep_readable()): its app frees it */
#define TCP_CF_USE_COUNTED 0x04000000u  /* counted in its use's share (not TIME_WAIT) */
#define TCP_CF_STALL       0x08000000u  /* the RXT timer fired without progress since cold.stall_ms */
#define TCP_CF_KEEP_OWN    0x10000000u  /* keepalive from cold.keep_* (tcp_set_keepalive()), not conf */
#define TCP_CF_FRTO1       0x20000000u  /* RFC 5682 F-RTO: the first ACK after the RTO awaited */
#define TCP_CF_FRTO2       0x40000000u  /* ... the second (two new segments went) */
#define TCP_CF_CWND_LIM    0x80000000u  /* a send in this window used half of cwnd or more (RFC 7661; until SND.UNA passes cold.cwnd_usage_seq) */

/* The three deadlines that share a connection's one wheel timer. */
enum tcp_timer {
	TCP_T_RXT,               /* retransmission or persist (RFC 6298; 9293 §3.8.6.1) */
	TCP_T_DELACK,            /* delayed ACK (RFC 9293 §3.8.6.3) */
	TCP_T_KEEP,              /* keepalive, SYN/FIN_WAIT_2 limits, TIME_WAIT */
	TCP_T__COUNT,
};

/*
 * A budget an application puts a group of its connections under
 * (tcp_conn_set_budget(); RFC 6062: an allocation's peer and data
 * connections): what they hold together, payload bytes and mbufs,
 * received (in order and out of order) and queued to send. Each
 * member's receive window offers at most its share of the room left
 * (room / nconns, in bytes and in full segments for the mbufs; never
 * moving a right edge back), so all of them together offer one budget at
 * most: the group holds at most twice its limits without dropping what a
 * window offered. Beyond twice (a peer that ignores windows), data is
 * dropped (drop_budget; the peer sends it again), as conf.max_held does
 * for the worker. Sending is never refused: an application that moves bytes from
 * one member to another (the splice) changes nothing, so what the group
 * holds grows only by what its peers send. After it was limited, once it
 * holds three quarters of each limit or less, wake(b) is called, from inside dp/tcp
 * (an ACK, a read, a connection's end): it may only note it; the
 * application then calls tcp_conn_window_update() on the members, whose
 * peers may be waiting on a closed window. wake(b) also comes when the
 * last member leaves (nconns 0). The application owns the struct and
 * frees it only without members (or after tcp_stack_forget_budgets());
 * a connection's end detaches it, not the application's leaving it
 * (what a closed connection still has to send counts until it is gone).
 */
struct tcp_budget {
	uint64_t bytes;          /* payload held by the members now */
	uint32_t mbufs;          /* mbufs held by them */
	uint32_t max_bytes;      /* 0: no limit */
	uint32_t max_mbufs;      /* 0: no limit */
	uint32_t nconns;         /* members */
	uint64_t peak_bytes;     /* the most they held (statistics, tests) */
	uint32_t peak_mbufs;
	uint8_t limited;         /* a window was held back or data dropped
				  * for it since the last wake */
	void (*wake)(struct tcp_budget *b);
	void *arg;               /* the application's */
};

/* Ranges the peer SACKed (RFC 6675 scoreboard), at most this many. */
#define TCP_SACK_SB 5u

/* RFC 8985 RACK-TLP sender state (tcp_rack.c). Times are ms on the
 * stack's clock; sequence numbers as the TCB's. */
struct tcp_rack {
	uint32_t xmit_ts;        /* RACK.xmit_ts: the latest sent of what was delivered */
	uint32_t end_seq;        /* RACK.end_seq */
	uint32_t rtt;            /* RACK.rtt */
	uint32_t min_rtt;        /* RACK.min_RTT: the least RACK.rtt ... */
	uint32_t min_rtt_at;     /* ... since this time (windowed, tcp_rack.c) */
	uint32_t fack;           /* RACK.fack: the highest delivered end */
	uint32_t lost_end;       /* unSACKed data in [SND.UNA, lost_end) is lost */
	uint32_t tlp_end;        /* TLP.end_seq, while TCP_RACK_F_TLP */
	uint32_t t_due;          /* the RXT deadline when it is RACK's (REO, PTO) */
	uint32_t t_max;          /* SND.MAX when the PTO was armed (an ACK
				  * moving SND.UNA re-arms the RTO: no longer ours) */
	uint32_t dsack_round;    /* RACK.dsack_round: SND.MAX then, while TCP_RACK_F_DSACK */
	/* TCP_RACK_F_RELOST: retransmissions found lost again, HighRxt
	 * pulled back to the first; [HighRxt, rl_end) is to go again, and
	 * [rl_end, rxt_hi) was sent again before and is in flight
	 * (tcp_rack_relost()) */
	uint32_t rl_end;
	uint32_t rxt_hi;         /* HighRxt + 1 before the pull-back */
	uint8_t flags;           /* TCP_RACK_F_* */
	uint8_t reo_mult;        /* RACK.reo_wnd_mult - 1 */
	uint8_t pad[2];
};

/* Fields the fast path rarely reads. */
struct tcp_conn_cold {
	uint32_t rtt_seq;        /* Karn: the sequence being timed (no TS) */
	uint32_t rtt_start;      /* ms, when it was sent */
	uint32_t fin_seq;        /* peer's FIN, when TCP_CF_FIN_OOO */
	uint32_t ooo_bytes;      /* payload held out of order */
	uint32_t max_snd_wnd;    /* RFC 5961 §5.2 MAX.SND.WND */
	uint32_t tw_prev, tw_next;   /* TIME_WAIT FIFO, slot + 1; 0: none */
	uint32_t cap_prev, cap_next; /* windows the cap shut, slot + 1; 0: none */
	uint32_t peer_mss;       /* from the SYN, 536 when absent */
	uint32_t sack_last;      /* start of the latest out-of-order arrival */
	uint32_t cc_epoch;       /* ms, congestion control's epoch (CUBIC) */
	uint16_t ooo_segs;
	uint16_t rcv_segs;       /* mbuf segments in the in-order queue */
	/* the application's limit on what this connection holds unread
	 * (tcp_conn_set_rcv_limit()): bytes, mbufs; 0: conf.rcv_buf,
	 * conf.rcv_max_segs */
	uint32_t rcv_lim;
	uint16_t rcv_seg_lim;
	uint8_t keep_probes;
	uint8_t keep_cnt;        /* TCP_CF_KEEP_OWN: probes unanswered before the end */
	uint8_t syn_tries;
	uint8_t peer_wscale;     /* from the SYN (kept until both agree) */
	uint8_t sb_n;            /* ranges in sb[] */
	/* RFC 6675 sender: HighRxt + 1 (the end of the last hole resent in
	 * this recovery), and the scoreboard: SACKed ranges above SND.UNA,
	 * sorted, disjoint, not touching. Full: the highest range is
	 * forgotten (its bytes count as not SACKed: conservative). */
	uint32_t high_rxt;
	struct tcp_sack_block sb[TCP_SACK_SB];
	/* ms: TCP_CF_STALL, when the wait began that RFC 5482's user
	 * timeout and the orphans' limit measure (the oldest unacked data
	 * sent, or the window found closed); here, it fills sb[]'s tail
	 * before the 8-byte fields */
	uint32_t stall_ms;
	uint64_t cc_priv[4];     /* congestion-control state */
	/* Where the last segment's payload ended in the send queue: an mbuf
	 * with data and the sequence of its first byte, so that the next
	 * segment's copy starts there instead of walking the queue from
	 * snd_head (O(1) per segment, not O(queue)). Stale once snd_una has
	 * passed it (its mbuf freed): snd_cur_seq is then below the head's. */
	struct rte_mbuf *snd_cur;
	uint32_t snd_cur_seq;
	uint32_t snd_segs;       /* mbufs in the send queue */
	uint32_t keep_idle, keep_intvl;   /* ms, TCP_CF_KEEP_OWN; idle 0: off */
	struct tcp_budget *budget;   /* the application's group; NULL: none */
	struct tcp_rack rack;        /* RFC 8985 (tcp_rack.c) */
	/* Path MTU (tcp_pmtu.c): the MSS we announced (conf, the port's
	 * clamp); PLPMTUD's search (RFC 4821 §7.2, as MSS): mss_hi the
	 * smallest size not known to pass (0: no search), probe_mss the size
	 * of the probe in flight from probe_seq (0: none) */
	uint16_t adv_mss;
	uint16_t mss_hi;
	uint16_t probe_mss;
	uint8_t mss_bh;          /* black holes found on this connection */
	uint32_t probe_seq;
	/* TCP_CF_CWND_LIM holds until SND.UNA passes this: SND.MAX when a
	 * send last used half of cwnd (RFC 7661, as Linux's
	 * cwnd_usage_seq) */
	uint32_t cwnd_usage_seq;
	/* the last mbuf of the out-of-order list (arrivals past every
	 * hole append there without a walk); NULL with ooo_head */
	struct rte_mbuf *ooo_tail;
	/* ms (low 32 bits, | 1) of the last ACK answering a segment that
	 * carried nothing to take (out of window, PAWS, a challenge):
	 * conf.invalid_ratelimit; 0: none yet */
	uint32_t oow_ack_ms;
	/* TIME_WAIT: ms (| 1) of the last ACK answering a SYN that could
	 * not reuse the tuple; the client's RST to it may end TIME_WAIT
	 * (tcp_input.c: tw_rst_ok()); 0: none */
	uint32_t tw_syn_ms;
	/* RFC 6937 PRR during SACK recovery: bytes delivered to the peer
	 * (cumulatively or SACKed) and sent since it began, and FlightSize
	 * when it began (RecoverFS). During F-RTO (TCP_CF_FRTO1/2, when no
	 * recovery can run: SND.UNA is below `recover`), prr_delivered and
	 * prr_out hold cwnd and ssthresh from before the RTO, for the undo. */
	uint32_t prr_delivered, prr_out, prr_recover_fs;
	uint32_t snd_last;       /* ms, data last sent (restart after idle) */
	/* The peer's segment size as Linux's icsk_ack.rcv_mss estimates it
	 * (delayed ACKs: "every second full-sized segment"), and the size of
	 * the last segment that might be one. */
	uint16_t rcv_mss, rcv_lss;
	/* The out-of-order list (tcp_input.c: ooo_insert_one()): the left
	 * edge of the contiguous run that ends at ooo_tail (its SACK block
	 * without a walk), and where the last insert that was not an append
	 * at the tail went (a walk for the next one, usually the repair of
	 * the next hole up, starts there) with the left edge of its run;
	 * the hint is NULL once that mbuf left the list */
	uint32_t ooo_tail_left;
	struct rte_mbuf *ooo_hint;
	uint32_t ooo_hint_left;
	/* RFC 2018 §4: the SACK blocks the last ACK reported (after any
	 * D-SACK), repeated first in the next ones; right == left: none.
	 * Two: with timestamps (Linux's peers, ours) an ACK has room for
	 * three blocks, the latest arrival's and two repeated; without
	 * them the fourth comes in sequence order (the TCB's cold part has
	 * no room for a third) */
	struct tcp_sack_block sack_rep[TCP_SACK_REP];
};

/*
 * The control block. The first four cache lines are what a segment in
 * either direction touches (checked at build time, tcp_types.h's
 * _Static_assert in tcp_conn.c); struct tcp_conn_cold follows.
 */
struct tcp_conn {
	/* ---- line 0: demultiplexing, state ---- */
	uint8_t raddr[16];       /* IPv4: the first 4 bytes, rest zero */
	uint8_t laddr[16];
	uint16_t rport, lport;   /* host order */
	uint32_t gen;
	uint32_t flags;          /* TCP_CF_* */
	uint32_t rcv_nxt;
	uint32_t snd_una;
	uint8_t state;           /* enum tcp_state */
	uint8_t snd_wscale;      /* applied to the peer's windows */
	uint8_t rcv_wscale;      /* applied to ours */
	uint8_t dupacks;
	uint8_t rxtshift;        /* RTO backoff exponent */
	uint8_t app;             /* index into the stack's apps */
	uint8_t listener;        /* index into the stack's listeners */
	uint8_t cc;              /* index into the stack's cc algorithms */
	uint16_t mss;            /* send MSS, options excluded */
	uint8_t t_armed;         /* bit per enum tcp_timer */
	uint8_t ack_segs;        /* full segments received since our last ACK */

	/* ---- line 1: send sequence space (RFC 9293 §3.3.1) ---- */
	uint32_t snd_nxt;
	uint32_t snd_max;        /* highest sequence sent + 1 */
	uint32_t snd_wnd;        /* scaled */
	uint32_t snd_wl1, snd_wl2;
	uint32_t iss;
	uint32_t cwnd, ssthresh;
	uint32_t recover;        /* RFC 6582 */
	uint32_t snd_queued;     /* bytes in the send queue, from snd_una */
	struct rte_mbuf *snd_head;   /* segments linked by ->next */
	struct rte_mbuf *snd_tail;
	uint32_t snd_head_off;   /* acked bytes of snd_head */
	uint32_t rto;            /* ms, before backoff */

	/* ---- line 2: receive side, timestamps, RTT ---- */
	uint32_t irs;
	uint32_t rcv_adv;        /* right edge we advertised */
	uint32_t last_ack_sent;  /* RFC 7323 §4.3 Last.ACK.sent */
	uint32_t ts_recent;
	uint32_t ts_recent_age;  /* ms */
	uint32_t rcv_queued;     /* in-order bytes the app has not read */
	struct rte_mbuf *rcv_head;   /* in order, ->next linked */
	struct rte_mbuf *rcv_tail;
	struct rte_mbuf *ooo_head;   /* out of order, sorted, seq in hash.usr */
	uint32_t srtt8;          /* smoothed RTT, ms << 3 */
	uint32_t rttvar4;        /* RTT variation, ms << 2 */
	uint32_t ts_offset;      /* added to our TSval (RFC 7323 §7.1) */
	uint32_t last_rcv;       /* ms, last acceptable segment (keepalive) */

	/* ---- line 3: the timer and the application ---- */
	struct tw_timer timer;
	uint32_t t_due[TCP_T__COUNT];   /* ms (low 32 bits of the clock) */
	uint8_t use;             /* whose share of the table it holds (its app's use) */
	uint8_t ds;              /* its IP headers' DS field (RFC 2474: DSCP << 2,
				  * ECN's bits below, 0 here) */
	uint8_t pad3[2];
	void *app_arg;

	struct tcp_conn_cold cold;
} __attribute__((aligned(64)));

struct tcp_listener {
	bool used;
	uint8_t family;          /* 0: both */
	uint8_t app;
	uint16_t port;           /* host order; the first of a range */
	uint16_t port_hi;        /* the last (port itself for one) */
	uint16_t pad;
	uint32_t nsyn;           /* connections in SYN_RCVD */
	uint32_t backlog;        /* nsyn limit */
	void *arg;
};

/* Configuration: defaults from tcp_conf_defaults(). Times in ms. */
struct tcp_conf {
	uint32_t max_conns;          /* pool size, < 2^24 */
	uint32_t max_time_wait;      /* TIME_WAIT connections kept at most */
	uint32_t snd_buf;            /* per connection, bytes queued */
	uint32_t rcv_buf;            /* per connection: window */
	uint32_t ooo_max_segs;       /* per connection */
	uint32_t rcv_max_segs;       /* mbufs held in order, per connection
				      * (< 65536): bounds what tiny segments
				      * cost, the window counting bytes */
	uint16_t mss4, mss6;         /* ours: port MTU - 40 / - 60 */
	uint32_t rto_init, rto_min, rto_max;
	uint32_t delack;
	uint32_t msl;                /* TIME_WAIT lasts 2 * msl */
	uint32_t fin_wait2;          /* after tcp_close() */
	uint32_t keep_idle;          /* 0: no keepalive */
	uint32_t keep_intvl;
	uint32_t keep_cnt;
	uint32_t syn_retries;        /* SYN and SYN-ACK retransmissions */
	uint32_t retries;            /* data retransmissions before giving up */
	/* RFC 5482 user timeout (Linux's TCP_USER_TIMEOUT): data unacked, or
	 * a closed window probed without an answer, this long ends the
	 * connection with an RST; 0: none (retries alone, and probes go on
	 * for ever) */
	uint32_t user_timeout;
	/* The same for a connection its application closed (Linux's
	 * tcp_orphan_retries), answered probes or not: nobody reads it, what
	 * it holds counts against max_held; 0: user_timeout's rule */
	uint32_t orphan_timeout;
	uint32_t syn_backlog;        /* per listener */
	uint32_t init_cwnd_segs;     /* 0: RFC 5681 §3.1 */
	uint8_t cc;                  /* TCP_CC_NEWRENO or TCP_CC_CUBIC */
	bool syn_cookies;            /* when a listener's backlog is full */
	uint32_t challenge_acks;     /* per second over the stack, RFC 5961
				      * §7: each second's budget is drawn
				      * from [n/2, 3n/2) */
	uint32_t invalid_ratelimit;  /* ms: per connection, at most one ACK
				      * this often answers segments without
				      * data that are out of window, fail
				      * PAWS, or want a challenge ACK
				      * (Linux's tcp_invalid_ratelimit);
				      * 0: no limit */
	uint32_t max_per_source;     /* passive connections per remote
				      * address; 0: no limit */
	uint8_t src_prefix6;         /* IPv6 remotes count per prefix of this
				      * length (one subscriber's /64); 0: 128 */
	uint64_t max_held;           /* payload bytes held over all the
				      * stack's connections (received in
				      * and out of order, queued to send);
				      * above it new data is refused;
				      * 0: no cap */
	uint32_t pool_low;           /* mbufs: with fewer than this free in
				      * the stack's pool, windows close and
				      * new data is refused as at max_held
				      * (what every segment held pins, TX and
				      * RX need); 0: no such floor */
	bool timestamps, wscale, sack;
	bool rack;                   /* RFC 8985 RACK-TLP (SACK peers) */
	/* Path MTU (tcp_pmtu.c). mtu_probing: RFC 4821 black-hole
	 * detection and probing (Linux's tcp_mtu_probing=1); base_mss: the
	 * MSS a black hole drops to first (Linux's tcp_base_mss);
	 * pmtu_expires: ms a destination's lowered MSS is remembered;
	 * mss_clamp (may be NULL): the most a connection from local address
	 * laddr announces and sends (a port's mss_clamp; 0: no clamp). */
	bool mtu_probing;
	uint16_t base_mss;
	uint32_t pmtu_expires;
	uint16_t (*mss_clamp)(void *arg, uint8_t family, const uint8_t *laddr);
	void *mss_clamp_arg;
	uint32_t max_burst;          /* segments of new data one send
				      * opportunity may send at most (at
				      * least what the ACK delivered plus
				      * one); 0: the initial window */
	bool frto;                   /* RFC 5682 F-RTO after a first RTO
				      * (off by default) */
	bool prr_crb;                /* RFC 6937 PRR's conservative reduction
				      * bound (CRB); false: slow-start
				      * reduction bound (SSRB), as Linux */
	/* The output finishes the checksum (a NIC's TX offload, or its
	 * software fallback): a segment leaves with the pseudo-header sum
	 * in its checksum field (folded, not complemented: DPDK's
	 * convention), m->l4_len its header's length and
	 * RTE_MBUF_F_TX_TCP_CKSUM set. false: the checksum is final. May be
	 * changed between segments (tcp_stack_cksum_offer()): each segment
	 * is a new mbuf, a retransmission too, so none leaves half made. */
	bool cksum_offer;
	uint8_t worker;              /* goes into connection ids */
	int socket;                  /* NUMA socket for the pool */
	uint8_t isn_key[16];         /* all zero: drawn from getrandom() */
};

/* Congestion control algorithms, in the order tcp_stack_create()
 * registers them (conf.cc). */
#define TCP_CC_NEWRENO 0
#define TCP_CC_CUBIC   1

#define TCP_MAX_LISTENERS 16
#define TCP_MAX_APPS      8
#define TCP_MAX_CC        4
/* Uses of the connection table (tcp_app_set_use()): each may have a share
 * reserved that the others cannot take. Use 0 reserves nothing. */
#define TCP_MAX_USES      4

struct tcp_table_ent {
	uint32_t hash;
	uint32_t slot1;          /* slot + 1; 0: empty */
};

/* Passive connections per remote address (conf.max_per_source). */
struct tcp_src_ent {
	uint8_t addr[16];
	uint8_t family;          /* 0: empty */
	uint8_t pad[3];
	uint32_t count;
};

/* A destination's path MTU as an MSS (tcp_pmtu.c): direct mapped, a
 * collision replaces the older entry. */
#define TCP_PMTU_CACHE 256u
struct tcp_pmtu_ent {
	uint8_t addr[16];
	uint8_t family;          /* 0: empty */
	uint8_t pad;
	uint16_t mss;
	uint16_t port;           /* the remote port: see tcp_pmtu.c */
	uint16_t pad2;
	uint64_t expires;        /* ms */
};

/* One per worker. Nothing in it is shared with another worker. */
struct tcp_stack {
	struct tcp_conf conf;
	struct tw_wheel *wheel;      /* the worker's; ticks are ms */
	const struct tcp_out_ops *out;
	void *out_arg;
	struct rte_mempool *pool;    /* headers and copies of data */
	uint64_t now;                /* ms, from tcp_stack_set_time() */
	uint64_t hash_key[2];        /* table hash */
	uint8_t isn_key[16];         /* RFC 6528 F() */

	struct tcp_conn *conns;      /* conf.max_conns */
	uint32_t *free_slots;        /* stack of free slots */
	uint32_t nfree;
	struct tcp_table_ent *table; /* open addressing, linear probing */
	uint32_t table_mask;
	uint32_t nconns;             /* in use */
	struct tcp_src_ent *src;     /* open addressing; NULL: no limit */
	uint32_t src_mask;
	uint32_t tw_head, tw_tail;   /* TIME_WAIT FIFO, slot + 1 */
	uint32_t ntw;

	struct tcp_listener listeners[TCP_MAX_LISTENERS];
	const struct tcp_app_ops *apps[TCP_MAX_APPS];
	unsigned int napps;
	uint8_t app_use[TCP_MAX_APPS];           /* each application's use */
	uint32_t use_reserve[TCP_MAX_USES];      /* slots kept for each use */
	uint32_t use_count[TCP_MAX_USES];        /* slots each holds (TIME_WAIT not) */
	const struct tcp_cc_ops *cc[TCP_MAX_CC];
	unsigned int ncc;
	uint8_t cc_default;          /* for new connections */

	uint64_t held;               /* payload bytes held (conf.max_held) */
	/* connections whose window the cap shut (TCP_CF_CAP_SHUT), slot + 1,
	 * looked at once a ms while there are any (tcp_stack_tick) */
	uint32_t cap_head, cap_tail;
	uint64_t tick_ms;            /* tcp_stack_tick()'s last ms */
	/* conf.pool_low: the pool's free mbufs, read once a ms, less what
	 * data_input() queued since */
	uint32_t pool_free;
	/* room those window updates promised that has not come yet (less
	 * what data_input() took since), forgotten TCP_CAP_OFFER_MS after
	 * the last promise */
	uint64_t cap_offered;
	uint64_t cap_offered_ms;

	uint64_t cookie_sec;         /* s, the last SYN cookie sent; 0: never */
	uint64_t chack_sec;          /* RFC 5961 §7: challenge ACKs ... */
	uint32_t chack_n;            /* ... sent in that second */
	uint32_t chack_lim;          /* ... and that second's budget */

	struct tcp_pmtu_ent pmtu[TCP_PMTU_CACHE];
	/* bytes the ACK being processed delivered (cumulatively or SACKed),
	 * for its connection's burst limit (conf.max_burst), while its input
	 * and the callbacks it makes run (an echo sends from readable()) */
	uint32_t ack_delivered;
	const struct tcp_conn *ack_conn;
	/* RFC 2883: the duplicate the segment being processed carried
	 * (its connection's, dsack_conn), for the first SACK block of the
	 * ACK it causes; reported once, forgotten when its input ends */
	struct tcp_sack_block dsack;
	const struct tcp_conn *dsack_conn;

	uint64_t ctr[TCP_CTR__COUNT];
	uint64_t closes[TCP_REASON__COUNT];
	/* segments tcp_input()'s header prediction took (fast_input()):
	 * pure in-order data, pure ACKs moving SND.UNA. Not a counter of
	 * tcp_counters.def: the tests' witness of which path a segment took */
	uint64_t fast_data, fast_acks;
};

#endif /* DP_TCP_TYPES_H */
